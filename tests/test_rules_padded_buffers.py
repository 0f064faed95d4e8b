"""Per-image buffers: a tensor of one constant the body makes with a row per image (``torch.zeros(B,
A)``, ``torch.full((B, A), C)``, ``ones_like`` of one), sized by a count of the images, whose row
``i`` a loop over the images writes from image ``i``'s own values, positions and bounds or from
constants (RTMDet's assigned labels and IoUs, ``labels[i, where] = t["labels"][gt_of]``; FGD's
foreground and background masks). Each row then holds its image's values only, the rows never
written the constant, as on a group alone: the tensor's rows are the images
(``indexing.per_image_write``). With it, three general pieces those bodies meet: a top-k's ``k``
computed from the cut tensor's own length and the call's ints (``x.topk(min(k, len(x)))``,
``_bytecode.own_size_argument``); one image's values scaled in place by their own sum (``m /=
m.sum()``); one image's tested value kept as the test read it, its loop writing it next (``if
m.sum(): m /= m.sum()``).

Against the oracle on the count batches (2 to 5 images, a group absent in two, one group in one).
Near misses decline: a row written with the next image's values or another image's, a bound from
another image's values read on the host, a buffer whose width is the batch's largest count (a mean
over the padded width differs on a group alone), a scale by another image's sum, a top-k sized by
another image's length. Two were silently wrong while the rule was built and are near misses now: a
constant alone at a row outside the loop (``q[0] = 1.0``: each write must carry its row's image's
data) and another image's values copied through a row's view (``q[i + 1].copy_(..)``: writes through
views of the rows are checked as the rows' own)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import COUNT_BATCHES, ROWS, TARGETS, count_batch, split_outcome, wrong_companions

R, W = 3, 4  # rows per image, width (``rule_batch``)


def _outcome(body, seed, weights):
    return split_outcome(body, list(count_batch(seed, weights)), [ROWS, TARGETS])


def _exact(body):
    for seed, weights in COUNT_BATCHES:
        got, want, said = _outcome(body, seed, weights)
        assert not wrong_companions(got, want), (seed, got, want)
        assert set(got) == set(want), (seed, said)


def _declines(body, op: str = ""):
    declined = 0
    for seed, weights in COUNT_BATCHES:
        got, want, said = _outcome(body, seed, weights)
        assert not wrong_companions(got, want), (seed, got, want)
        if len(set(weights)) > 1:  # (one group: its companions are the values as returned)
            assert got == {}, (seed, got, want)
            assert any(op in m for m in said), (op, said)
            declined += 1
    assert declined


def _score(o, i, t):
    return (o["x"][i] * t["y"]).sum(-1)  # [R]: image i's rows' scores


# -- exact ---------------------------------------------------------------------------------------------


def assigned_quality(o, targets):
    """RTMDet's shape: each image's best row assigned its label and (detached) score in buffers of the
    batch's rows; a quality-weighted BCE over every row, over the assigned scores' sum."""
    b = len(targets)
    labels = torch.full((b, R), W)
    quality = torch.zeros(b, R)
    with torch.no_grad():
        for i, t in enumerate(targets):
            s = _score(o, i, t)
            where = s.argsort(descending=True)[:1]
            labels[i, where] = t["labels"][:1]
            quality[i, where] = s[where].sigmoid()
    onehot = F.one_hot(labels, W + 1)[..., :W].float() * quality[..., None]
    bce = F.binary_cross_entropy_with_logits(o["x"], onehot, reduction="none")
    return {"loss_q": bce.sum() / quality.sum().clamp(min=1)}


def masks_per_image(o, targets):
    """FGD's shape: a foreground mask over each image's first columns (as many as its first target
    value says, read on the host), ``1 / area`` where written; the background the others, over
    their count when any."""
    b = o["x"].shape[0]
    fg = torch.zeros(b, R, W)
    bg = torch.ones_like(fg)
    for i, t in enumerate(targets):
        k = int(t["y"][0, 0] * W) + 1
        fg[i, :, :k] = torch.max(fg[i, :, :k], torch.tensor(1.0 / (R * k)))
        bg[i] = torch.where(fg[i] > 0, 0.0, 1.0)
        if bg[i].sum():
            bg[i] /= bg[i].sum()
    e = (o["x"] - 0.5) ** 2
    return {"loss_m": (e * fg).sum() / len(fg) + 0.5 * (e * bg).sum() / len(fg)}


def dynamic_k(o, targets, topk=2):
    """RTMDet's dynamic k: each image's top ``min(topk, len(s))`` scores, summed."""
    total = o["x"].new_zeros(())
    for i, t in enumerate(targets):
        s = _score(o, i, t)[t["labels"][:1]]
        total = total + s.topk(min(topk, len(s))).values.sum()
    return {"loss_k": total / len(targets)}


def scaled_by_own_sum(o, targets):
    """One image's values over their own sum, in place (``e /= e.sum()``)."""
    out = []
    for i, t in enumerate(targets):
        e = o["x"][i] * t["y"]
        e /= e.sum()
        out.append(e)
    return {"loss_s": torch.stack(out).pow(2).sum()}


def scaled_by_the_batch_sum(o, targets):
    """Each image's values over the batch's sum, in place (followed before: ``elementwise.note_divided``)."""
    out = []
    total = o["x"].sum()
    for i, t in enumerate(targets):
        e = o["x"][i] * t["y"]
        e /= total
        out.append(e)
    return {"loss_s": torch.stack(out).pow(2).sum()}


def mean_over_rows(o, targets):
    """The buffer's mean over its rows (the images) and a product's: on a group alone over its own."""
    b = len(targets)
    q = torch.zeros(b, R)
    with torch.no_grad():
        for i, t in enumerate(targets):
            q[i] = _score(o, i, t).sigmoid()
    return {"loss_q": (o["x"].sum(-1) * q).mean() + q.mean()}


@pytest.mark.parametrize("body", [assigned_quality, masks_per_image, dynamic_k, scaled_by_own_sum, scaled_by_the_batch_sum,
                                  mean_over_rows],
                         ids=lambda f: f.__name__)
def test_per_image_buffers_and_their_pieces_split_exactly(body):
    _exact(body)


# -- near misses: decline ------------------------------------------------------------------------------


def quality_at_the_next_row(o, targets):
    """Image ``i``'s score written at row ``i + 1``: on a group alone another image's row."""
    b = len(targets)
    quality = torch.zeros(b, R)
    with torch.no_grad():
        for i, t in enumerate(targets):
            s = _score(o, i, t)
            quality[(i + 1) % b] = s.sigmoid()
    bce = F.binary_cross_entropy_with_logits(o["x"].sum(-1), quality, reduction="none")
    return {"loss_q": bce.sum() / quality.sum()}


def quality_of_the_first_image(o, targets):
    """Every row written with the first image's scores."""
    b = len(targets)
    quality = torch.zeros(b, R)
    with torch.no_grad():
        for i in range(len(targets)):
            quality[i] = _score(o, 0, targets[0]).sigmoid()
    bce = F.binary_cross_entropy_with_logits(o["x"].sum(-1), quality, reduction="none")
    return {"loss_q": bce.sum() / quality.sum()}


def bound_of_the_first_image(o, targets):
    """Each row's columns cut where the first image's first target value says (read on the host)."""
    b = len(targets)
    fg = torch.zeros(b, R, W)
    for i in range(b):
        k = int(targets[0]["y"][0, 0] * W) + 1
        fg[i, :, :k] = 1.0
    return {"loss_m": ((o["x"] - 0.5) ** 2 * fg).sum() / fg.sum()}


def padded_width_mean(o, targets):
    """YOLOv8's padded mask, ``[B, max n]``, averaged over its padded width: on a group alone the
    group's largest count is the width."""
    b = len(targets)
    m = max(len(t["labels"]) for t in targets)
    mask = torch.zeros(b, m)
    for i, t in enumerate(targets):
        mask[i, :len(t["labels"])] = 1.0
    return {"loss_p": (o["x"].sum((1, 2)) * mask.mean(1)).sum()}


def scaled_by_the_first_images_sum(o, targets):
    """Each image's values over the first image's sum, in place."""
    out = []
    for i, t in enumerate(targets):
        e = o["x"][i] * t["y"]
        e /= o["x"][0].sum()
        out.append(e)
    return {"loss_s": torch.stack(out).pow(2).sum()}


def top_k_of_the_first_images_length(o, targets, topk=3):
    """Each image's top-k sized by the first image's label count."""
    total = o["x"].new_zeros(())
    for i in range(len(targets)):
        s = o["x"][i].sum(-1)
        total = total + s.topk(min(topk, len(targets[0]["labels"]))).values.sum()
    return {"loss_k": total}


@pytest.mark.parametrize("body", [quality_at_the_next_row, quality_of_the_first_image, bound_of_the_first_image,
                                  padded_width_mean, scaled_by_the_first_images_sum,
                                  top_k_of_the_first_images_length], ids=lambda f: f.__name__)
def test_rows_of_other_images_and_padded_widths_decline(body):
    _declines(body)


def number_of_the_first_image(o, targets):
    """Every row written with a number computed from the first image's values read on the host."""
    b = o["x"].shape[0]
    m = torch.zeros(b, R)
    for i in range(b):
        m[i] = float(targets[0]["y"].sum()) * 0.5
    return {"loss_n": (o["x"].sum(-1) * m).sum() / m.sum()}


def position_of_the_first_image(o, targets):
    """Every row marked at a position the first image's values give (read on the host)."""
    b = o["x"].shape[0]
    m = torch.zeros(b, R)
    for i in range(b):
        m[i, int(targets[0]["y"][0, 0] * R)] = 1.0
    return {"loss_n": (o["x"].sum(-1) * m).sum() / m.sum()}


@pytest.mark.parametrize("body", [number_of_the_first_image, position_of_the_first_image], ids=lambda f: f.__name__)
def test_numbers_and_positions_of_another_image_decline(body):
    _declines(body)


def copied_at_the_next_row(o, targets):
    """Rows written by each image, then each image's scores copied into the next row's view: found
    silently wrong while building the rule (writes through views of the rows were not checked)."""
    b = len(targets)
    q = torch.zeros(b, R)
    with torch.no_grad():
        for i, t in enumerate(targets):
            q[i] = _score(o, i, t).sigmoid()
        for i, t in enumerate(targets):
            q[(i + 1) % b].copy_(_score(o, i, t).sigmoid())
    bce = F.binary_cross_entropy_with_logits(o["x"].sum(-1), q, reduction="none")
    return {"loss_q": bce.sum() / q.sum()}


def constant_at_the_first_row(o, targets):
    """A constant written at row 0 outside the loop, then each image's first score at its row: found
    silently wrong while building the rule (a constant alone at a row is no image's: on a group alone
    row 0 is another image)."""
    b = len(targets)
    q = torch.zeros(b, R)
    with torch.no_grad():
        q[0] = 1.0
        for i, t in enumerate(targets):
            q[i, 0] = _score(o, i, t).sigmoid()[0]
    bce = F.binary_cross_entropy_with_logits(o["x"].sum(-1), q, reduction="none")
    return {"loss_q": bce.sum() / q.sum()}


def shifted_rows(o, targets):
    """Each row plus the previous row's values, in place: images mix."""
    b = len(targets)
    q = torch.zeros(b, R)
    with torch.no_grad():
        for i, t in enumerate(targets):
            q[i] = _score(o, i, t).sigmoid()
        q[1:] += q[:-1].clone()
    bce = F.binary_cross_entropy_with_logits(o["x"].sum(-1), q, reduction="none")
    return {"loss_q": bce.sum() / q.sum()}


@pytest.mark.parametrize("body", [copied_at_the_next_row, constant_at_the_first_row, shifted_rows],
                         ids=lambda f: f.__name__)
def test_writes_of_other_images_after_the_rows_were_taken_decline(body):
    _declines(body)
