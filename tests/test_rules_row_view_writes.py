"""Targets built per image in a Python loop by writes through the view of a row (survey 61's
FoveaBox: ``target[i][inside] = labels[i, j]``) are followed as the writes ``target[i, inside] = ..``:
each row then holds its own image's values, as on a group alone. And a sum of such a map plus a
length of the image rows (``num_pos + b``, ``b = len(cls)``, FoveaBox's ``num_pos + num_imgs``) is on a
group alone the group's sum plus its count (was: plus the batch's count as a constant, silently
wrong on 3375a85 with the ``target[i, inside]`` spelling). Each against the oracle, with near misses
that must decline (another image's values through a row's view, a row not the value's image)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from _helpers import ROWS, check_labelled, split_outcome, wrong_companions
from _survey import LIBRARY_SOURCES, gen
from test_criteria_survey61 import C as FC
from test_criteria_survey61 import S as FS
from test_criteria_survey61 import fovea_assigned, fovea_batch, fovea_focal, foveabox

SEEDS = range(len(LIBRARY_SOURCES))
C, S = 3, 6


def _batch(seed: int) -> tuple[list, list, list]:
    """Class logits [B, 3, 6, 6], each image's centre cell [B, 2] and class [B] (present on some)."""
    g = gen(seed + 6110)
    b = len(LIBRARY_SOURCES[seed])
    logits = torch.randn(b, C, S, S, generator=g).requires_grad_()
    centre = torch.randint(1, S - 1, (b, 2), generator=g)
    label = torch.randint(0, C, (b,), generator=g)
    present = torch.tensor([float((r + seed) % 3 != 1) for r in range(b)])
    return [logits, centre, label, present], [ROWS] * 4, LIBRARY_SOURCES[seed]


def _check(body, splits: bool) -> None:
    check_labelled(body, _batch, SEEDS, splits)


_YS, _XS = torch.meshgrid(torch.arange(S), torch.arange(S), indexing="ij")


def _area(centre: torch.Tensor) -> torch.Tensor:
    return ((_YS - centre[0]).abs() <= 1) & ((_XS - centre[1]).abs() <= 1)


def _focal_terms(logits: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    onehot = F.one_hot(target, C + 1)[..., :C].permute(0, 3, 1, 2).float()
    ce = F.binary_cross_entropy_with_logits(logits, onehot, reduction="none")
    return ce, target < C


def indexed_skipping(logits, centre, label, present):
    """``target[i, area] = label[i]`` per present image (rows of absent ones left the constant)."""
    b = len(logits)
    target = torch.full((b, S, S), C, dtype=torch.long)
    for i in range(b):
        if present[i] == 0:
            continue
        target[i, _area(centre[i])] = label[i]
    ce, pos = _focal_terms(logits, target)
    return {"loss": ce.sum() / pos.sum().clamp(min=1), "mean": ce.mean()}


def through_row_view(logits, centre, label, present):
    """``target[i][area] = label[i]`` per image, over the positives' count."""
    b = len(logits)
    target = torch.full((b, S, S), C, dtype=torch.long)
    for i in range(b):
        target[i][_area(centre[i])] = label[i] * present[i].long() + C * (1 - present[i].long())
    ce, pos = _focal_terms(logits, target)
    return {"loss": ce.sum() / pos.sum().clamp(min=1), "mean": ce.mean()}


def foveabox_indexed(cls, reg, boxes, labels, present, sigma=0.4, alpha=0.25, gamma=2.0):
    """Survey 61's FoveaBox with its targets written ``target[i, inside]``: was silently wrong on
    3375a85, ``num_pos + b`` read as the positives plus the batch's images on every group."""
    b = len(cls)
    target_cls = torch.full((b, FS, FS), FC, dtype=torch.long)
    target_reg = torch.zeros(b, 4, FS, FS)
    for i, j, inside, dist in fovea_assigned(boxes, present, sigma):
        target_cls[i, inside] = labels[i, j]
        target_reg[i, :, inside] = dist[:, inside]
    focal, pos = fovea_focal(cls, target_cls, alpha, gamma)
    num_pos = pos.sum()
    pos4 = pos[:, None].expand_as(reg)
    return {"loss_cls": focal.sum() / (num_pos + b),
            "loss_bbox": F.smooth_l1_loss(reg[pos4], target_reg[pos4], beta=0.11, reduction="sum") / num_pos.clamp(min=1)}


def test_foveabox_over_positives_plus_images_splits_as_the_oracle():
    """Through row views (survey 61's body) and indexed: every companion the oracle's."""
    for body in (foveabox, foveabox_indexed):
        for seed in SEEDS:
            args, kinds, labels = fovea_batch(seed)
            got, want, said = split_outcome(body, args, kinds, labels)
            assert not wrong_companions(got, want), (body.__name__, seed, got, want)
            assert set(got) == set(want), (body.__name__, seed, said)


def plus_a_literal_local(logits, centre, label, present):
    """A literal local equal to the number of images: the same constant on a group alone."""
    b = len(logits)
    k = 4
    target = torch.full((b, S, S), C, dtype=torch.long)
    for i in range(b):
        target[i][_area(centre[i])] = label[i]
    ce, pos = _focal_terms(logits, target)
    return {"loss": ce.sum() / (pos.sum() + k)}


def test_targets_written_through_row_views_split_as_the_oracle():
    for body in (through_row_view, plus_a_literal_local):
        _check(body, splits=True)


def another_images_values(logits, centre, label, present):
    """The next image's class written through image ``i``'s row: on a group alone another image's."""
    b = len(logits)
    target = torch.full((b, S, S), C, dtype=torch.long)
    for i in range(b):
        target[i][_area(centre[i])] = label[(i + 1) % b]
    ce, pos = _focal_terms(logits, target)
    return {"loss": ce.sum() / pos.sum().clamp(min=1)}


def reversed_rows(logits, centre, label, present):
    """Image ``i``'s values through the view of row ``b - 1 - i``: a row not the values' image."""
    b = len(logits)
    target = torch.full((b, S, S), C, dtype=torch.long)
    for i in range(b):
        target[b - 1 - i][_area(centre[i])] = label[i]
    ce, pos = _focal_terms(logits, target)
    return {"loss": ce.sum() / pos.sum().clamp(min=1)}


def test_other_images_values_through_a_row_view_decline():
    """Also rows left unwritten (as ``target[i, area]`` leaves them: ``indexed_skipping``)."""
    for body in (another_images_values, reversed_rows, indexed_skipping, skipping_through_row_view):
        _check(body, splits=False)


def skipping_through_row_view(logits, centre, label, present):
    b = len(logits)
    target = torch.full((b, S, S), C, dtype=torch.long)
    for i in range(b):
        if present[i] == 0:
            continue
        target[i][_area(centre[i])] = label[i]
    ce, pos = _focal_terms(logits, target)
    return {"loss": ce.sum() / pos.sum().clamp(min=1)}
