"""Reads over the padded dim of per-image targets collated into ``[B, max n, ...]`` (YOLOv8's
task-aligned assigner: ``buf[i, :n] = t["k"]``, ``mask_gt[i, :n] = 1``) that the padding provably does not
change on a group alone, whose width is the group's largest count (``mode._follow_padded``):

- position-wise ops and views of a padded tensor (``(pred[:, :, None] - buf[:, None]).pow(2).sum(-1)``,
  ``* mask_gt[:, None]``, ``zeros_like``) and ops along another dim (``topk`` over the anchors, a
  ``scatter_`` along them of a padded index) stay padded, their padding the same function of the
  buffers' padding on a group alone;
- a sum over the padded dim whose padding is 0 (checked on the values, deferred into the call's one host
  read), a max, ``amax`` or ``argmax`` first reached within each row's prefix (checked), and a gather of the
  buffer at such an ``argmax`` (checked as before) split exactly.

Near misses decline: the padding not masked (a sum of ``exp`` of the distances), a mask that is not the
prefix mask (``ones_like``), a max the padding wins (``-dot`` of positive values), a width-dependent read
(a mean or a softmax over the padded dim, an ``amax`` over it and the anchors at once), the values times
``max n`` or ``arange(max n)``, an ``argmax`` compared with the last column, a mask written at no prefix, a tuple
store of ``float(len(targets))``, a write through a view, ``unbind`` along the width or a ``len(targets)`` dim.
"""

from __future__ import annotations

import pytest
import torch
from _helpers import outcome_class, split_outcome
from test_rules_padded_widths import BATCHES, K, _batch


def _collated(pred, targets):
    """The images' instances written per image into ``[B, max n, K]`` and ``mask_gt`` ``[B, max n]``."""
    b, m = pred.shape[0], max(len(t["k"]) for t in targets)
    batched, mask_gt = torch.zeros(b, m, K), torch.zeros(b, m)
    for i, t in enumerate(targets):
        n = len(t["k"])
        batched[i, :n], mask_gt[i, :n] = t["k"], torch.ones(n)  # (a tuple store: the mask's value its own element)
    return batched, mask_gt


def _closeness(pred, batched):
    """Each anchor's closeness to each instance, ``[B, A, max n]`` (the padding's: to a zero instance)."""
    return (-(pred.detach()[:, :, None] - batched[:, None]).pow(2).sum(-1)).exp()


def _masked(pred, targets):
    batched, mask_gt = _collated(pred, targets)
    return batched, _closeness(pred, batched) * mask_gt[:, None]


def _outcomes(body):
    for seed, weights in BATCHES:
        got, want, said = split_outcome(body, *_batch(seed, weights))
        yield outcome_class(got, want), said, weights


# -- exact ---------------------------------------------------------------------------------------------


def masked_sum_over_the_width(pred, targets, idx):
    _, w = _masked(pred, targets)
    return {"loss": (pred.sum(-1) - w.sum(-1)).pow(2).mean()}


def masked_amax_over_the_width(pred, targets, idx):
    _, w = _masked(pred, targets)
    return {"loss": (pred.mean(-1) - w.amax(-1)).pow(2).mean()}


def gathered_at_the_masked_argmax(pred, targets, idx):
    """The assigner's ``target_gt_idx``: each anchor's closest instance, gathered from the buffer."""
    batched, w = _masked(pred, targets)
    selected = batched.gather(1, w.argmax(-1)[..., None].expand(-1, -1, K))
    return {"loss": (pred - selected).pow(2).mean()}


def max_values_and_positions(pred, targets, idx):
    batched, w = _masked(pred, targets)
    best, at = w.max(-1)
    selected = batched.gather(1, at[..., None].expand(-1, -1, K))
    return {"loss": ((pred - selected).pow(2).sum(-1) * best).mean()}


def top_anchors_per_instance(pred, targets, idx):
    """The assigner's ``mask_pos``: each instance's 2 closest anchors (``topk`` over the anchors, scattered),
    masked; ``fg`` its sum over the instances, ``argmax`` the instance of each anchor."""
    batched, mask_gt = _collated(pred, targets)
    w = _closeness(pred, batched)
    top = w.topk(2, dim=1).indices
    mask_pos = torch.zeros_like(w).scatter_(1, top, 1.0) * mask_gt[:, None]
    fg = mask_pos.sum(-1)
    selected = batched.gather(1, mask_pos.argmax(-1)[..., None].expand(-1, -1, K))
    return {"loss": ((pred - selected).pow(2).sum(-1) * fg).sum() / pred.shape[0]}


def instances_counted_by_the_mask(pred, targets, idx):
    """``mask_gt.sum(1)``: each image's own count of instances."""
    _, mask_gt = _collated(pred, targets)
    return {"loss": (pred.sum((1, 2)) - mask_gt.sum(1)).pow(2).mean()}


def _boxes(x):
    """Each row's 3 values as a box ``[a - c, b - c, a + c, b + c]`` (``unbind``, ``stack``)."""
    a, b, c = x.unbind(-1)
    return torch.stack([a - c, b - c, a + c, b + c], -1)


def best_overlap_per_anchor(pred, targets, idx):
    """The assigner's IoU matrix of the padded boxes with each anchor's (``torch.max`` / ``torch.min`` of
    two tensors, ``prod`` along the corners), masked; each anchor's best overlap."""
    batched, mask_gt = _collated(pred, targets)
    gt, anchors = _boxes(batched)[:, None], _boxes(pred.detach())[:, :, None]
    wh = (torch.min(gt[..., 2:], anchors[..., 2:]) - torch.max(gt[..., :2], anchors[..., :2])).clamp(min=0)
    inter = wh.prod(-1)
    area = (gt[..., 2:] - gt[..., :2]).prod(-1) + (anchors[..., 2:] - anchors[..., :2]).prod(-1)
    iou = inter / (area - inter + 1e-9) * mask_gt[:, None]
    return {"loss": (pred.mean(-1) - iou.amax(-1)).pow(2).mean()}


def summed_whole_and_cumulated_along_the_anchors(pred, targets, idx):
    """``w.sum()`` over every dim (padding 0) and the max over the boxes of a ``cumsum`` along the anchors."""
    _, w = _masked(pred, targets)
    return {"loss": (pred.mean(-1) - w.cumsum(1).amax(-1)).pow(2).mean() + w.sum() / pred.shape[0]}


@pytest.mark.parametrize("body", [instances_counted_by_the_mask, best_overlap_per_anchor,
                                  summed_whole_and_cumulated_along_the_anchors, masked_sum_over_the_width, masked_amax_over_the_width, gathered_at_the_masked_argmax,
                                  max_values_and_positions, top_anchors_per_instance], ids=lambda f: f.__name__)
def test_reads_the_padding_does_not_change_split_exactly(body):
    for outcome, said, weights in _outcomes(body):
        assert outcome == "exact", (weights, outcome, said)


# -- near misses ---------------------------------------------------------------------------------------


def unmasked_sum(pred, targets, idx):
    """The padding's closeness to a zero instance summed too."""
    batched, _ = _collated(pred, targets)
    return {"loss": (pred.sum(-1) - _closeness(pred, batched).sum(-1)).pow(2).mean()}


def mask_not_of_the_prefix(pred, targets, idx):
    batched, mask_gt = _collated(pred, targets)
    w = _closeness(pred, batched) * torch.ones_like(mask_gt)[:, None]
    return {"loss": (pred.sum(-1) - w.sum(-1)).pow(2).mean()}


def argmax_won_by_the_padding(pred, targets, idx):
    """``-dot`` of positive values: the padding's 0 the largest."""
    batched, mask_gt = _collated(pred, targets)
    w = -(pred.detach()[:, :, None] * batched[:, None]).sum(-1) * mask_gt[:, None]
    selected = batched.gather(1, w.argmax(-1).clamp(max=0)[..., None].expand(-1, -1, K))
    return {"loss": (pred - selected).pow(2).mean() + w.amax(-1).mean()}


def padding_counted_by_the_mask(pred, targets, idx):
    """``(1 - mask_gt).sum(1)``: the padding's count, the group's width less the count on a group alone."""
    _, mask_gt = _collated(pred, targets)
    return {"loss": (pred.sum((1, 2)) - (1 - mask_gt).sum(1)).pow(2).mean()}


def times_the_width(pred, targets, idx):
    """The masked values times ``max n`` (the group's on a group alone), then summed over the width."""
    m = max(len(t["k"]) for t in targets)
    _, w = _masked(pred, targets)
    return {"loss": (pred.sum(-1) - (w * m).sum(-1)).pow(2).mean()}


def weighted_by_the_positions(pred, targets, idx):
    """``w * torch.arange(max n)``: an operand of the width not itself padded."""
    batched, w = _masked(pred, targets)
    return {"loss": (pred.mean(-1) - (w * torch.arange(batched.shape[1])).sum(-1)).pow(2).mean()}


def argmax_at_the_last_column(pred, targets, idx):
    batched, w = _masked(pred, targets)
    return {"loss": (pred.sum(-1) * (w.argmax(-1) == batched.shape[1] - 1)).mean()}


def mean_over_the_width(pred, targets, idx):
    _, w = _masked(pred, targets)
    return {"loss": (pred.mean(-1) - w.mean(-1)).pow(2).mean()}


def softmax_over_the_width(pred, targets, idx):
    batched, w = _masked(pred, targets)
    return {"loss": (pred - w.softmax(-1) @ batched).pow(2).mean()}


def amax_over_the_width_and_anchors(pred, targets, idx):
    _, w = _masked(pred, targets)
    return {"loss": (pred.mean((1, 2)) - w.amax((1, 2))).pow(2).mean()}


_PADDED = "padded to the batch's largest length"


@pytest.mark.parametrize(("body", "op"), [
    (times_the_width, "lost at Tensor.mul"), (weighted_by_the_positions, _PADDED), (argmax_at_the_last_column, _PADDED),
    (unmasked_sum, _PADDED), (mask_not_of_the_prefix, _PADDED), (padding_counted_by_the_mask, _PADDED),
    (argmax_won_by_the_padding, _PADDED), (mean_over_the_width, _PADDED), (softmax_over_the_width, _PADDED),
    (amax_over_the_width_and_anchors, _PADDED),
], ids=lambda x: getattr(x, "__name__", ""))
def test_reads_the_padding_changes_decline(body, op):
    for outcome, said, weights in _outcomes(body):
        assert outcome != "wrong", (weights, said)
        if len(set(weights)) > 1:  # (one group of weight 1: its companions are the values as returned)
            assert outcome == "declined", (weights, said)
            assert any(op in m for m in said), said


def mask_at_the_last_instance(pred, targets, idx):
    """``mask_gt[i, n - 1] = 1``: no prefix written, the width not followed (its sum over the width would be
    its own; its mean is not)."""
    b, m = pred.shape[0], max(len(t["k"]) for t in targets)
    mask_gt = torch.zeros(b, m)
    for i, t in enumerate(targets):
        n = len(t["k"])
        mask_gt[i, n - 1] = 1.0
    return {"loss": (pred.sum((1, 2)) - mask_gt.mean(1)).pow(2).mean()}


def test_a_mask_of_no_prefix_declines():
    for outcome, said, weights in _outcomes(mask_at_the_last_instance):
        assert outcome != "wrong", (weights, said)
        if len(set(weights)) > 1:
            assert outcome == "declined", (weights, said)


def mask_of_the_image_count(pred, targets, idx):
    """The tuple store's second value ``float(len(targets))``: the group's count on a group alone."""
    b, m = pred.shape[0], max(len(t["k"]) for t in targets)
    batched, mask_gt = torch.zeros(b, m, K), torch.zeros(b, m)
    for i, t in enumerate(targets):
        n = len(t["k"])
        batched[i, :n], mask_gt[i, :n] = t["k"], float(len(targets))
    return {"loss": (pred.sum((1, 2)) - mask_gt.sum(1) - batched.sum((1, 2))).pow(2).mean()}


def test_a_tuple_store_of_the_image_count_declines():
    for outcome, said, weights in _outcomes(mask_of_the_image_count):
        assert outcome != "wrong", (weights, said)
        if len(set(weights)) > 1:
            assert outcome == "declined", (weights, said)
            assert any("number of images" in m for m in said), said


def pieces_along_the_width(pred, targets, idx):
    """``unbind`` along the padded dim: as many pieces as the batch's largest count."""
    batched, _ = _collated(pred, targets)
    return {"loss": pred.pow(2).sum() / len(batched.unbind(1))}


def pieces_of_a_count(pred, targets, idx):
    """``unbind`` along a dim sized ``len(targets)``: as many pieces as the group's images on a group alone."""
    z = torch.zeros(pred.shape[0], len(targets))
    return {"loss": pred.pow(2).sum() / len(z.unbind(1))}


@pytest.mark.parametrize("body", [pieces_along_the_width, pieces_of_a_count], ids=lambda f: f.__name__)
def test_pieces_counted_by_the_batch_decline(body):
    for outcome, said, weights in _outcomes(body):
        assert outcome != "wrong", (weights, said)
        if len(set(weights)) > 1:
            assert outcome == "declined", (weights, said)


def written_through_a_view(pred, targets, idx):
    """The masked closeness written at the batch's last instance through a view (``w[:, None][..., -1] = 1``,
    the group's last on a group alone), then summed over the width."""
    _, w = _masked(pred, targets)
    w[:, None][..., -1] = 1.0
    return {"loss": (pred.sum(-1) - w.sum(-1)).pow(2).mean()}


def test_a_write_through_a_view_declines():
    for outcome, said, weights in _outcomes(written_through_a_view):
        assert outcome != "wrong", (weights, said)
        if len(set(weights)) > 1:
            assert outcome == "declined", (weights, said)


def _prefix_mask(pred, targets, width: int, value) -> torch.Tensor:
    mask = torch.zeros(pred.shape[0], width)
    for i, t in enumerate(targets):
        n = len(t["k"])
        mask[i, :n] = value(n)
    return mask


def number_into_a_width_of_the_images(pred, targets, idx):
    """Silently wrong before the write's size was checked: ``m[i, :n] = 1.0`` into ``[B, len(targets)]``, on a
    group alone clamped to the group's count of images, then summed over the width."""
    mask = _prefix_mask(pred, targets, len(targets), lambda n: 1.0)
    return {"loss": (pred.sum((1, 2)) - mask.sum(1)).pow(2).mean()}


def number_into_a_width_of_a_literal_max(pred, targets, idx):
    """The same into ``max(2, B - 1)`` columns (a width the code computes, no count it names)."""
    mask = _prefix_mask(pred, targets, max(2, pred.shape[0] - 1), lambda n: 1.0)
    return {"loss": (pred.sum((1, 2)) - mask.sum(1)).pow(2).mean()}


def one_value_broadcast_into_the_prefix(pred, targets, idx):
    """A one-element tensor broadcast into the prefix: clamped as silently."""
    mask = _prefix_mask(pred, targets, max(2, pred.shape[0] - 1), lambda n: torch.ones(1))
    return {"loss": (pred.sum((1, 2)) - mask.sum(1)).pow(2).mean()}


def yolov8s_mask_of_a_number(pred, targets, idx):
    """YOLOv8's ``mask_gt[i, :n] = 1.0`` into ``max n`` columns passed to a helper as a parameter: its size
    unproven there, declined as before (computed in the factory's code it is proven:
    ``tests/test_rules_padded_masks.py``)."""
    mask = _prefix_mask(pred, targets, max(len(t["k"]) for t in targets), lambda n: 1.0)
    return {"loss": (pred.sum((1, 2)) - mask.sum(1)).pow(2).mean()}


@pytest.mark.parametrize("body", [number_into_a_width_of_the_images, number_into_a_width_of_a_literal_max,
                                  one_value_broadcast_into_the_prefix, yolov8s_mask_of_a_number],
                         ids=lambda f: f.__name__)
def test_a_prefix_written_without_its_size_declines(body):
    for outcome, said, weights in _outcomes(body):
        assert outcome != "wrong", (weights, said)
        if len(set(weights)) > 1:
            assert outcome == "declined", (weights, said)
