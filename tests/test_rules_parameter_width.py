"""A sum divided by a length of image rows times a width of an argument (``hinge.sum() / (len(pos_s) *
pos.shape[1])``, Moment-DETR's saliency hinge over the pairs per example, survey 65): the argument's
images run along dim 0 and the width is another dim's, so the group's run gets the same width, and the
divisor is that width times the group's count of those rows (``Frame._kept_width`` feeding
``_over_constant_times_length``). Was: declined as "a number times a length". Each against the
oracle on batches labelled through ``losssplit.sources``, with near misses that must decline: the
width is the images' own dim (time-major), the argument is ``[B, B]`` (its width equal to the number
of images), the parameter is rebound to a tensor the body made."""

from __future__ import annotations

import torch
from _helpers import ROWS, Along, check_labelled, split_outcome, wrong_companions
from _survey import LIBRARY_SOURCES, gen

SEEDS = range(len(LIBRARY_SOURCES))


def _batch(seed: int) -> tuple[list, list, list]:
    """Scores [B, 6] (requires grad), positive and negative positions [B, 2] and features [B, 5, 3]."""
    g = gen(seed + 6550)
    b = len(LIBRARY_SOURCES[seed])
    scores = torch.randn(b, 6, generator=g).requires_grad_()
    pos = torch.stack([torch.randperm(3, generator=g)[:2] for _ in range(b)])
    return [scores, pos, pos + 3, torch.randn(b, 5, 3, generator=g)], [ROWS] * 4, LIBRARY_SOURCES[seed]


def _pairs(b: int, g: torch.Generator) -> torch.Tensor:
    return torch.randn(b, b, generator=g)


def _batch_square(seed: int) -> tuple[list, list, list]:
    """As ``_batch`` with a [B, B] similarity argument (rows restricted, the columns kept)."""
    args, kinds, labels = _batch(seed)
    return [*args, _pairs(len(labels), gen(seed + 6551))], [*kinds, ROWS], labels


def _batch_time_major(seed: int) -> tuple[list, list, list]:
    """As ``_batch`` with the features time-major [5, B] (images along dim 1)."""
    args, kinds, labels = _batch(seed)
    return [*args, args[3][:, :, 0].T.contiguous()], [*kinds, Along(1)], labels


def moment_detr_hinge(scores, pos, neg, feats, margin=0.2):
    """Moment-DETR: the hinge of the positive over the negative clips, a sum over the rows times the pairs."""
    pos_s, neg_s = scores.gather(1, pos), scores.gather(1, neg)
    return {"loss_saliency": (margin + neg_s - pos_s).clamp(min=0).sum() / (len(pos_s) * pos.shape[1]) * 2}


def width_first(scores, pos, neg, feats):
    """The width first, of the scores' last dim (negative index) and of a three-dim argument's middle one."""
    return {"a": scores.pow(2).sum() / (scores.shape[-1] * len(scores)),
            "b": (feats[..., 0] > 0).float().sum() / (feats.shape[1] * len(feats))}


def test_a_sum_over_rows_times_an_arguments_width_splits_as_the_oracle():
    for body in (moment_detr_hinge, width_first):
        check_labelled(body, _batch, SEEDS, splits=True)


def over_a_square_arguments_width(scores, pos, neg, feats, sim):
    """``sim`` [B, B]: its width is the number of images (kept by the oracle's rows, but maybe images)."""
    return {"loss": scores.pow(2).sum() / (len(scores) * sim.shape[1])}


def over_the_images_own_dim(scores, pos, neg, feats, tm):
    """Time-major ``tm`` [5, B]: ``tm.shape[1]`` is the number of images, on a group alone the group's."""
    return {"loss": scores.pow(2).sum() / (len(scores) * tm.shape[1])}


def over_a_rebound_parameter(scores, pos, neg, feats):
    """``pos`` rebound to a tensor the body made, as wide as the batch's images: the group's count there."""
    pos = torch.cat([pos, pos[:, :1].expand(-1, len(scores) - 2)], 1) if len(scores) > 2 else pos
    return {"loss": scores.pow(2).sum() / (len(scores) * pos.shape[1])}


def test_where_the_width_may_count_images_it_declines():
    check_labelled(over_the_images_own_dim, _batch_time_major, SEEDS, splits=False)
    for body, batch in ((over_a_square_arguments_width, _batch_square), (over_a_rebound_parameter, _batch)):
        for seed in SEEDS:
            args, kinds, labels = batch(seed)
            got, want, said = split_outcome(body, args, kinds, labels)
            assert not wrong_companions(got, want), (body.__name__, seed, got, want)
            if len(set(labels)) > 1:
                assert not got and said, (body.__name__, seed, got)
