"""A number (or a broadcast value) written into a prefix of a per-image buffer padded to the batch's largest
count (YOLOv8's ``mask_gt[i, :n] = 1.0`` into ``torch.zeros(b, m, 1)``, ``m = max(len(t["labels"]) for t in
targets)``): on a group alone the width is the group's largest count, never less than any of its images' ``n``,
so the prefix is written whole, as in the batch (``indexing._largest_prefix``). Proven where the width is the
builtin ``max`` of a comprehension over the targets parameter and nothing else (``_bytecode.largest_size``,
written in the factory call or in a local stored once with it), equal to the dim's size, and ``n`` is at most
the comprehension's value of the row's image alone. The buffer is then padded as one written with its ``n``
values (``tests/test_rules_padded_reductions.py``): its reads are those the padding does not change.

Near misses decline: a width that is not the group's largest count (the max over ``targets[:2]``, ``len(targets)``
by value equal to it), a prefix past the image's own count (``:n + 1``), another image's count, a write past the
prefix (``n - 1:``), a read of the width itself (a mean over it); a constant width that equals the largest count
by value is a constant of the call and splits as any buffer of constant width.

``F.one_hot(w.argmax(1), m)`` of positions an ``argmax`` over the padded dim reached within each row's prefix
(checked), ``m`` the same ``max`` of the targets' counts, is padded along its last dim (``mode._padded_one_hot``,
YOLOv8's ``best``, then ``torch.where`` beside the masked candidates); its mean over ``m`` declines.

WRONG found and fixed here (silently wrong on main at 8167440): ``F.one_hot(y, m + 1)`` or ``F.one_hot(y,
len(targets) + 3)``, a number of classes the code computes from the images, averaged over the classes (on a group
alone as many classes as the group's). ``shape.one_hot`` now loses such a one-hot but the padded width above; a
literal, a module constant, a parameter at its default or a prediction's ``size(-1)`` split as before. A helper's
parameter (``F.one_hot(y, classes)`` in a helper passed ``len(targets) + 3``, silently wrong until wrong44) is read
through its callers.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import outcome_class, split_outcome
from test_rules_padded_widths import BATCHES, K, _batch


def _outcomes(body):
    for seed, weights in BATCHES:
        got, want, said = split_outcome(body, *_batch(seed, weights))
        yield outcome_class(got, want), said, weights


def _exact(body):
    for outcome, said, weights in _outcomes(body):
        assert outcome == "exact", (weights, outcome, said)


def _declines(body, op: str = ""):
    for outcome, said, weights in _outcomes(body):
        assert outcome != "wrong", (weights, said)
        if len(set(weights)) > 1:  # (one group of weight 1: its companions are the values as returned)
            assert outcome == "declined", (weights, said)
            assert any(op in m for m in said), said


def _closeness(pred, batched):
    """Each anchor's closeness to each instance, ``[B, A, max n]`` (the padding's: to a zero instance)."""
    return (-(pred.detach()[:, :, None] - batched[:, None]).pow(2).sum(-1)).exp()


# -- exact ---------------------------------------------------------------------------------------------


def counted_by_a_mask_of_ones(pred, targets, idx):
    """``mask_gt[i, :n] = 1.0``, summed over the width: each image's own count."""
    b = pred.shape[0]
    m = max(len(t["k"]) for t in targets)
    mask_gt = torch.zeros(b, m)
    for i, t in enumerate(targets):
        n = len(t["k"])
        mask_gt[i, :n] = 1.0
    return {"loss": (pred.sum((1, 2)) - mask_gt.sum(1)).pow(2).mean()}


def _collated(pred, targets):
    """YOLOv8's collation: the instances and a mask ``[B, max n, 1]`` of 1.0 in one tuple store."""
    b = pred.shape[0]
    m = max(len(t["k"]) for t in targets)
    batched, mask_gt = torch.zeros(b, m, K), torch.zeros(b, m, 1)
    for i, t in enumerate(targets):
        n = len(t["k"])
        batched[i, :n], mask_gt[i, :n] = t["k"], 1.0
    return batched, mask_gt


def yolov8s_tuple_store(pred, targets, idx):
    """The closeness masked by YOLOv8's collated mask and summed over the instances."""
    batched, mask_gt = _collated(pred, targets)
    w = _closeness(pred, batched) * mask_gt[:, None, :, 0]
    return {"loss": (pred.sum(-1) - w.sum(-1)).pow(2).mean()}


def width_in_the_factory_call(pred, targets, idx):
    """The width written in the call (a list comprehension's ``max``), a mask of ones summed over it."""
    mask = torch.zeros(pred.shape[0], max([len(t["k"]) for t in targets]))
    for i, t in enumerate(targets):
        n = len(t["k"])
        mask[i, :n] = 1.0
    return {"loss": (pred.sum((1, 2)) - mask.sum(1)).pow(2).mean()}


def constant_width_equal_to_the_largest(pred, targets, idx):
    """``torch.zeros(b, 3)``: 3 is the batch's largest count by value, a constant of the call on a group alone."""
    mask = torch.zeros(pred.shape[0], 3)
    for i, t in enumerate(targets):
        mask[i, :len(t["k"])] = 1.0
    return {"loss": (pred.sum((1, 2)) - mask.mean(1)).pow(2).mean()}


@pytest.mark.parametrize("body", [counted_by_a_mask_of_ones, yolov8s_tuple_store, width_in_the_factory_call,
                                  constant_width_equal_to_the_largest], ids=lambda f: f.__name__)
def test_a_number_into_a_prefix_of_the_largest_count_splits_exactly(body):
    _exact(body)


# -- near misses ---------------------------------------------------------------------------------------


def _mask(pred, targets, width, stop=lambda i, t: len(t["k"]), start=None):
    mask = torch.zeros(pred.shape[0], width)
    for i, t in enumerate(targets):
        mask[i, start(i, t) if start else None:stop(i, t)] = 1.0
    return mask


def _counted(pred, mask):
    return {"loss": (pred.sum((1, 2)) - mask.sum(1)).pow(2).mean()}


def largest_of_the_first_two(pred, targets, idx):
    """The max over ``targets[:2]``: on a group alone its first two images', less than a later image's count."""
    m = max(len(t["k"]) for t in targets[:2])
    mask = torch.zeros(pred.shape[0], m)
    for i, t in enumerate(targets):
        mask[i, :len(t["k"])] = 1.0
    return _counted(pred, mask)


def width_of_the_image_count(pred, targets, idx):
    """``len(targets)``, 3 on the batch of 3 images as the largest count: on a group alone the group's images."""
    m = len(targets)
    mask = torch.zeros(pred.shape[0], m)
    for i, t in enumerate(targets):
        mask[i, :len(t["k"])] = 1.0
    return _counted(pred, mask)


def past_the_own_count(pred, targets, idx):
    """``:n + 1``: clamped at the batch's width, on a group alone at the group's."""
    m = max(len(t["k"]) for t in targets)
    mask = torch.zeros(pred.shape[0], m)
    for i, t in enumerate(targets):
        mask[i, :len(t["k"]) + 1] = 1.0
    return _counted(pred, mask)


def another_images_count(pred, targets, idx):
    """``:len(targets[0]["k"])``: the first image's count, the group's first on a group alone."""
    m = max(len(t["k"]) for t in targets)
    mask = torch.zeros(pred.shape[0], m)
    for i in range(len(targets)):
        mask[i, :len(targets[0]["k"])] = 1.0
    return _counted(pred, mask)


def past_the_prefix(pred, targets, idx):
    """``n - 1:``: the last instance and the padding, fewer columns on a group alone."""
    m = max(len(t["k"]) for t in targets)
    mask = torch.zeros(pred.shape[0], m)
    for i, t in enumerate(targets):
        mask[i, len(t["k"]) - 1:] = 1.0
    return _counted(pred, mask)


def averaged_over_the_width(pred, targets, idx):
    """The mask of ones averaged over the width: over the group's largest count on a group alone."""
    m = max(len(t["k"]) for t in targets)
    mask = torch.zeros(pred.shape[0], m)
    for i, t in enumerate(targets):
        mask[i, :len(t["k"])] = 1.0
    return {"loss": (pred.sum((1, 2)) - mask.mean(1)).pow(2).mean()}


def floored_width(pred, targets, idx):
    """``max(.., 2)`` of the largest count: on a group of images of one instance 2, not their largest."""
    m = max(max(len(t["k"]) for t in targets), 2)
    mask = torch.zeros(pred.shape[0], m)
    for i, t in enumerate(targets):
        mask[i, :len(t["k"])] = 1.0
    return {"loss": (pred.sum((1, 2)) - mask.mean(1)).pow(2).mean()}


@pytest.mark.parametrize("body", [largest_of_the_first_two, width_of_the_image_count, past_the_own_count,
                                  another_images_count, past_the_prefix, averaged_over_the_width, floored_width],
                         ids=lambda f: f.__name__)
def test_a_prefix_not_proven_within_the_groups_width_declines(body):
    _declines(body)


# -- one_hot over the largest count ----------------------------------------------------------------------


def one_hot_over_the_largest_count(pred, targets, idx):
    """YOLOv8's assigner on the closeness ``[B, max n, A]``: each instance's 2 closest anchors, an anchor
    claimed by several kept for its closest instance (``F.one_hot(.., m)``, ``torch.where``)."""
    m = max(len(t["k"]) for t in targets)  # (the one-hot's width, computed here: ``F.one_hot(.., m)``)
    batched, mask_gt = _collated(pred, targets)
    w = _closeness(pred, batched).transpose(1, 2) * mask_gt  # [B, m, A]
    cand = torch.zeros_like(w).scatter_(-1, w.topk(2, dim=-1).indices, 1.0) * mask_gt
    fg = cand.sum(1)
    best = F.one_hot((w * cand).argmax(1), m).permute(0, 2, 1).float()
    cand = torch.where(fg[:, None] > 1, best, cand)
    return {"loss": (pred.sum(-1) - (w * cand).sum(1)).pow(2).mean()}


def one_hot_averaged_over_the_width(pred, targets, idx):
    """The one-hot of the closest instance averaged over ``m``: over the group's largest count on a group alone."""
    m = max(len(t["k"]) for t in targets)  # (the one-hot's width, computed here: ``F.one_hot(.., m)``)
    batched, mask_gt = _collated(pred, targets)
    w = _closeness(pred, batched).transpose(1, 2) * mask_gt
    best = F.one_hot(w.argmax(1), m).float()
    return {"loss": (pred.sum(-1) - best.mean(-1)).pow(2).mean()}


def test_one_hot_over_the_largest_count_splits_exactly():
    _exact(one_hot_over_the_largest_count)


def test_one_hot_averaged_over_the_width_declines():
    _declines(one_hot_averaged_over_the_width)


# -- one_hot over a number of classes the code computes from the images -------------------------------------

CLASSES = 3


def _averaged_one_hot(pred, classes):
    return {"loss": (pred.sum(-1) - F.one_hot(pred.detach().argmax(-1), classes).float().mean(-1)).pow(2).mean()}


def classes_of_the_largest_count_plus_one(pred, targets, idx):
    """Silently wrong on main: ``max n + 1`` classes of positions reached within the padded prefixes."""
    m = max(len(t["k"]) for t in targets) + 1
    batched, mask_gt = _collated(pred, targets)
    w = _closeness(pred, batched).transpose(1, 2) * mask_gt
    return {"loss": (pred.sum(-1) - F.one_hot(w.argmax(1), m).float().mean(-1)).pow(2).mean()}


def classes_of_the_image_count(pred, targets, idx):
    """Silently wrong on main: ``len(targets) + 3`` classes, the group's images + 3 on a group alone."""
    return {"loss": (pred.sum(-1) - F.one_hot(pred.detach().argmax(-1), len(targets) + 3).float().mean(-1)).pow(2).mean()}


@pytest.mark.parametrize("body", [classes_of_the_largest_count_plus_one, classes_of_the_image_count],
                         ids=lambda f: f.__name__)
def test_one_hot_over_classes_computed_from_the_images_declines(body):
    _declines(body, "number of classes computed from the images")


def classes_of_constants(pred, targets, idx, classes=3):
    """A parameter at its default, a module constant, a literal, a prediction's ``size(-1)``."""
    a, b = _averaged_one_hot(pred, classes)["loss"], _averaged_one_hot(pred, CLASSES + 1)["loss"]
    return {"loss": a + b + _averaged_one_hot(pred, 4)["loss"] + _averaged_one_hot(pred, pred.size(-1))["loss"]}


def test_one_hot_over_constant_classes_splits_exactly():
    _exact(classes_of_constants)


def classes_of_the_image_count_through_a_helper(pred, targets, idx):
    """``len(targets) + 3`` passed to a helper whose ``F.one_hot(y, classes)`` reads its parameter."""
    return _averaged_one_hot(pred, len(targets) + 3)


def classes_of_the_largest_count_through_a_helper(pred, targets, idx):
    """The batch's largest count + the prediction's classes, computed in the caller."""
    return _averaged_one_hot(pred, max(len(t["k"]) for t in targets) + pred.size(-1))


def _one_hot_of(pred, classes):
    return _averaged_one_hot(pred, classes)


def classes_of_the_image_count_through_two_helpers(pred, targets, idx):
    """``len(targets) + 3`` passed on through a helper's parameter to another's."""
    return _one_hot_of(pred, len(targets) + 3)


@pytest.mark.parametrize("body", [classes_of_the_image_count_through_a_helper, classes_of_the_largest_count_through_a_helper,
                                  classes_of_the_image_count_through_two_helpers], ids=lambda f: f.__name__)
def test_one_hot_over_classes_computed_from_the_images_passed_to_a_helper_declines(body):
    """Was silently wrong (yolo43, main too): the helper's parameter was left to its caller unread. The number
    it holds is now read through the callers (``shape._passed_count``: a count, a length, a host read of the batch)."""
    _declines(body, "number of classes computed from the images")


def classes_of_constants_through_helpers(pred, targets, idx, classes=3):
    """Near miss: a parameter at its default, a module constant, a literal, a prediction's ``size(-1)``, each
    passed on through a second helper's parameter."""
    a, b = _one_hot_of(pred, classes)["loss"], _one_hot_of(pred, CLASSES + 1)["loss"]
    return {"loss": a + b + _one_hot_of(pred, 4)["loss"] + _one_hot_of(pred, pred.size(-1))["loss"]}


def test_one_hot_over_constant_classes_through_helpers_splits_exactly():
    _exact(classes_of_constants_through_helpers)
