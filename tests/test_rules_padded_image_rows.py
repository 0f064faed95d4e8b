"""One image's row of a per-image buffer padded to the batch's largest count, computed on and written back
(YOLOv8's task-aligned assigner: ``overlaps[i] = _iou_matrix(gt_boxes[i], pred_boxes[i])`` into
``torch.zeros(b, m, a)``, ``m = max(len(t["labels"]) for t in targets)``), and the flattened gather after it
(``gt_labels.flatten()[target_gt_idx + torch.arange(b)[:, None] * m]``).

- ``buf[i]`` of a buffer padded along dim 1 (``tests/test_rules_padded_masks.py``) is image ``i``'s tensor padded
  along dim 0, its prefix that row's (``mode.Frame.padded_rows``); position-wise ops with the same image's rows
  or operands broadcast along it, views and ops along other dims keep it padded (``mode._follow_padded_row``).
- written whole at row ``i`` of a fresh buffer of one constant whose width is the same ``max``
  (``indexing._padded_row_written``), the buffer is padded along that dim with the row's prefix: on a group
  alone the group's largest count, the padding a function of the image's own values, read only where it
  provably changes nothing (a max first reached within each prefix, checked).
- ``x.expand(-1, m, -1)`` of a size-1 dim to that ``max`` is padded along it with no prefix
  (``mode.expanded_to_width``), so ``torch.where(multi, best, mask_pos)`` stays padded.
- a flattened view of such a buffer (``flatten()``, ``view(-1, K)``: dims 0 and 1 merged) indexed at
  ``p + torch.arange(b)[:, None] * m`` (``torch.arange`` of the images' count, ``m`` the same ``max``) is
  ``buf.gather(1, p)``: each row's positions in its own block, checked within its prefix, ``p``'s rows the
  buffer's (``mode._flat_pick``). On a group alone the blocks are the group's.

- a divisor ``max(t.sum(), 1)`` (a tensor local's reductions and a literal, the builtin ``max``) that returned the
  literal is that literal, whatever sizes the tensor was made with (``_bytecode._floored_literal``): which operand
  the builtin returned is a comparison of the tensor the capture reads, a branch each group decides (a group whose
  scores alone sum past 1 declines).

Near misses decline (each against the oracle, never wrong): another image's row written, a row written along a
non-image dim, rows written twice by several images, accumulated across images, a row never written, the index
mixing images (a sum over the images, the rows reversed), the blocks' width a literal equal to ``m`` by value, an
``arange`` of a literal image count, starts broadcast along the columns, a position past a row's prefix, a mean over
the padded width, ``max(6 - len(targets), 1)``.
"""

from __future__ import annotations

import pytest
import torch
from test_rules_padded_masks import _declines, _exact, _outcomes
from test_rules_padded_widths import K


def _products(a, b):
    """Each row of ``a`` [n, K] against each of ``b`` [A, K]: [n, A], 0 for a zero row of ``a`` (the padding)."""
    return (a[:, None, :] * b[None, :, :].detach()).sum(-1).clamp(min=0)


def _collated(pred, targets):
    """The instances ``[B, max n, K]`` (the same ``max`` as the callers': their widths are one)."""
    m = max(len(t["k"]) for t in targets)
    batched = torch.zeros(pred.shape[0], m, K)
    for i, t in enumerate(targets):
        batched[i, :len(t["k"])] = t["k"]
    return batched


def _best(pred, overlaps):
    return {"loss": (pred.sum(-1) * overlaps.amax(1)).mean()}


# -- exact -----------------------------------------------------------------------------------------------


def written_back_then_max(pred, targets, idx):
    """Each image's products written back into its row, the best over the instances (padding 0: never first)."""
    m = max(len(t["k"]) for t in targets)
    batched = _collated(pred, targets)
    overlaps = torch.zeros(pred.shape[0], m, pred.shape[1])
    for i in range(pred.shape[0]):
        overlaps[i] = _products(batched[i], pred[i])
    return _best(pred, overlaps)


def written_back_then_flat_gather(pred, targets, idx):
    """YOLOv8's assigner: each anchor's best instance, its values gathered from the flattened batch, weighted by
    scores over ``target_scores_sum = max(target_scores.sum(), 1)``: they sum to less than 1, the literal 1 divides
    (on a group alone its scores' sum, at most the batch's, is floored to 1 too; before yolo44 the divisor was read
    as a number computed from the targets' sizes, ``m`` indexing the scores' tensors: ``_bytecode._floored_literal``)."""
    b, a, _ = pred.shape
    m = max(len(t["k"]) for t in targets)
    batched = _collated(pred, targets)
    overlaps = torch.zeros(b, m, a)
    for i in range(b):
        overlaps[i] = _products(batched[i], pred[i])
    best = overlaps.argmax(1)
    picked = batched.view(-1, K)[best + torch.arange(b)[:, None] * m]
    scores = overlaps.amax(1)[:, :, None] * 0.01
    scores_sum = max(scores.sum(), 1)
    return {"loss": ((pred - picked).pow(2) * scores).sum() / scores_sum}


def rewritten_by_its_own_image(pred, targets, idx):
    """Each row written back, then again as twice itself."""
    def write(overlaps, batched, pred, b):
        for i in range(b):
            overlaps[i] = _products(batched[i], pred[i])
            overlaps[i] = overlaps[i] * 2
    return _written(pred, targets, write)


def flat_labels_and_expanded_candidates(pred, targets, idx):
    """The classes of the best instances (``flatten()`` of ``[B, m]``) and ``torch.where`` of a mask expanded to
    ``m`` beside the written-back rows."""
    b, a, _ = pred.shape
    m = max(len(t["k"]) for t in targets)
    batched = _collated(pred, targets)
    cls = torch.zeros(b, m, dtype=torch.long)
    for i, t in enumerate(targets):
        cls[i, :len(t["k"])] = t["cls"] % 2
    overlaps = torch.zeros(b, m, a)
    for i in range(b):
        overlaps[i] = _products(batched[i], pred[i])
    multi = (pred.detach().sum(-1)[:, None] > 1.0).expand(-1, m, -1)
    chosen = torch.where(multi, overlaps, overlaps * 0.5)
    labels = cls.flatten()[chosen.argmax(1) + m * torch.arange(b)[:, None]]
    return {"loss": (pred[..., 0] * labels + chosen.amax(1)).mean()}


def given_positions_gathered_flat(pred, targets, idx):
    """The assigner's positions passed in (each within its image's count), gathered from the flattened buffer."""
    b = pred.shape[0]
    m = max(len(t["k"]) for t in targets)
    batched = _collated(pred, targets)
    picked = batched.view(-1, K)[idx + torch.arange(b)[:, None] * m]
    return {"loss": (pred - picked).pow(2).mean()}


@pytest.mark.parametrize("body", [written_back_then_max, written_back_then_flat_gather, given_positions_gathered_flat,
                                  flat_labels_and_expanded_candidates, rewritten_by_its_own_image], ids=lambda f: f.__name__)
def test_a_row_written_back_and_gathered_flat_splits_exactly(body):
    _exact(body)


def test_the_flat_near_misses_control_splits_exactly():
    _exact(flat_gather_in_a_helper)


# -- near misses -------------------------------------------------------------------------------------------


def _own_rows(overlaps, batched, pred, b):
    for i in range(b):
        overlaps[i] = _products(batched[i], pred[i])


def _written(pred, targets, write=_own_rows, read=_best):
    b, a, _ = pred.shape
    m = max(len(t["k"]) for t in targets)
    batched = _collated(pred, targets)
    overlaps = torch.zeros(b, m, a)
    write(overlaps, batched, pred, b)
    return read(pred, overlaps)


def another_images_row(pred, targets, idx):
    """Row ``i`` holds the next image's products: on a group alone the group's next image."""
    def write(overlaps, batched, pred, b):
        for i in range(b):
            overlaps[i] = _products(batched[(i + 1) % b], pred[i])
    return _written(pred, targets, write)


def along_a_non_image_dim(pred, targets, idx):
    """``[m, B, A]``: image ``i``'s products written at column ``i`` of a buffer whose rows are no images."""
    m = max(len(t["k"]) for t in targets)
    batched = _collated(pred, targets)
    overlaps = torch.zeros(m, *pred.shape[:2])
    for i in range(pred.shape[0]):
        overlaps[:, i] = _products(batched[i], pred[i])
    return {"loss": (pred.sum(-1) * overlaps.amax(0)).mean()}


def two_images_into_one_row(pred, targets, idx):
    """Rows 1 onwards all written into row 1: the last writer's on the batch, another on a group alone."""
    def write(overlaps, batched, pred, b):
        for i in range(b):
            overlaps[min(i, 1)] = _products(batched[i], pred[min(i, 1)])
    return _written(pred, targets, write)


def accumulated_across_images(pred, targets, idx):
    """``overlaps[i % 2] += ..``: rows summing several images' products."""
    def write(overlaps, batched, pred, b):
        for i in range(b):
            overlaps[i % 2] += _products(batched[i], pred[i % 2])
    return _written(pred, targets, write)


def last_row_never_written(pred, targets, idx):
    """``range(b - 1)``: the batch's last image keeps zeros, on a group alone the group's last."""
    return _written(pred, targets, lambda overlaps, batched, pred, b: _own_rows(overlaps, batched, pred, b - 1))


def averaged_over_the_width(pred, targets, idx):
    """The written-back rows averaged over the width: over the group's largest count on a group alone."""
    return _written(pred, targets, read=lambda pred, overlaps: {"loss": (pred.sum(-1) * overlaps.mean(1)).mean()})


def padding_of_ones_summed(pred, targets, idx):
    """Each row's instances plus 1 (its padding 1), summed over their values and expanded over the anchors, written
    back and summed over the width: the padding counts (silently wrong in this change before ``expand`` of a padded
    row was followed: its output went unnoted)."""
    def write(overlaps, batched, pred, b):
        for i in range(b):
            overlaps[i] = (batched[i] + 1.0).sum(-1)[:, None].expand(-1, pred.shape[1])
    return _written(pred, targets, write, read=lambda pred, overlaps: {"loss": (pred.sum(-1) * overlaps.sum(1)).mean()})


def _flat_gather(pred, targets, positions, layout=""):
    """``batched.view(-1, K)[p + torch.arange(b)[:, None] * m]``, ``p = positions(overlaps)`` (``layout``: the
    blocks' starts made otherwise)."""
    b, a, _ = pred.shape
    m = max(len(t["k"]) for t in targets)
    batched = _collated(pred, targets)
    overlaps = torch.zeros(b, m, a)
    _own_rows(overlaps, batched, pred, b)
    if layout == "literal width":
        starts = torch.arange(b)[:, None] * 3
    elif layout == "literal count":
        starts = torch.arange(4)[:b, None] * m
    else:
        starts = torch.arange(b)[:, None] * m
    picked = batched.view(-1, K)[positions(overlaps) + starts]
    return {"loss": (pred - picked).pow(2).mean()}


def flat_gather_in_a_helper(pred, targets, idx):
    """The near misses' control: each anchor's best instance gathered flat in a helper."""
    return _flat_gather(pred, targets, lambda o: o.argmax(1))


def index_of_every_image(pred, targets, idx):
    """The best instance of the batch's summed products, for every image: its positions mix the images."""
    return _flat_gather(pred, targets, lambda o: o.sum(0, keepdim=True).argmax(1).expand(o.shape[0], -1))


def positions_of_reversed_rows(pred, targets, idx):
    """Each row's positions taken from the reversed rows: another image's positions in its block."""
    return _flat_gather(pred, targets, lambda o: o.argmax(1).flip(0))


def blocks_of_a_literal_width(pred, targets, idx):
    """``* 3``, the batch's largest count by value: on a group alone its blocks are narrower."""
    return _flat_gather(pred, targets, lambda o: o.argmax(1), "literal width")


def arange_of_a_literal_count(pred, targets, idx):
    """``torch.arange(4)``, the images' count by value on the batch of 4: the group's is smaller."""
    return _flat_gather(pred, targets, lambda o: o.argmax(1), "literal count")


def given_positions_of_reversed_rows(pred, targets, idx):
    """The assigner's positions passed in, the rows reversed: each row's block read at another image's positions."""
    return given_positions_gathered_flat(pred, targets, idx.flip(0))


def blocks_along_the_columns(pred, targets, idx):
    """``idx[:, :b] + torch.arange(b) * m``: the starts broadcast along the last dim, entry ``[r, c]`` in image
    ``c``'s block: each row reads every image."""
    b = pred.shape[0]
    m = max(len(t["k"]) for t in targets)
    batched = _collated(pred, targets)
    picked = batched.view(-1, K)[idx[:, :b] + torch.arange(b) * m]
    return {"loss": (pred[:, :b] - picked).pow(2).mean()}


def past_the_prefix(pred, targets, idx):
    """The assigner's positions (each within its image's count) in a buffer of each image's instances but its last:
    a position past a row's prefix reads its padding (checked: declined, as any read past a prefix)."""
    b = pred.shape[0]
    m = max(len(t["k"]) for t in targets)
    batched = torch.zeros(b, m, K)
    for i, t in enumerate(targets):
        batched[i, :len(t["k"]) - 1] = t["k"][:-1]
    picked = batched.view(-1, K)[idx + torch.arange(b)[:, None] * m]
    return {"loss": (pred - picked).pow(2).mean()}


@pytest.mark.parametrize("body", [another_images_row, along_a_non_image_dim, two_images_into_one_row,
                                  accumulated_across_images, last_row_never_written, averaged_over_the_width,
                                  padding_of_ones_summed,
                                  index_of_every_image, positions_of_reversed_rows, given_positions_of_reversed_rows,
                                  blocks_of_a_literal_width, blocks_along_the_columns,
                                  arange_of_a_literal_count, past_the_prefix], ids=lambda f: f.__name__)
def test_a_row_not_its_images_or_read_past_its_prefix_declines(body):
    _declines(body)


# -- a floor of a tensor's sum that returned its literal -------------------------------------------------


def _scored(pred, targets):
    """The anchors' best products ``[B, A, 1]``."""
    return _written(pred, targets, read=lambda pred, overlaps: overlaps.amax(1)[:, :, None])


def floored_shifted_scores(pred, targets, idx):
    """Scores of both signs summing to less than 1 on the batch: a group alone may sum to more (its own sum
    divides there)."""
    scores = (_scored(pred, targets) - 0.8) * 3.0
    scores_sum = max(scores.sum(), 1)
    return {"loss": (pred * scores).sum() / scores_sum}


def floored_count_of_the_images(pred, targets, idx):
    """``max(6 - len(targets), 1)``: a Python number of the batch's count, the group's on a group alone."""
    scores = _scored(pred, targets)
    return {"loss": (pred * scores).sum() / max(6 - len(targets), 1)}


def test_a_floor_a_group_alone_decides_otherwise_declines_that_group():
    # (batch 1: the scores sum to -1.54 < 1, the literal divides; group synthetic's alone to 4.12, its own sum divides)
    found = list(_outcomes(floored_shifted_scores))
    assert all(outcome != "wrong" for outcome, _, _ in found), found
    outcome, said, _ = found[1]
    assert outcome == "declined" and any("group 'synthetic' alone would decide a branch" in m for m in said), said


def test_a_floor_of_a_count_of_the_images_declines():
    _declines(floored_count_of_the_images, "len(targets)")


if __name__ == "__main__":
    import sys
    for name in sys.argv[1:]:
        for o in _outcomes(globals()[name]):
            print(name, o[0], o[2], [m[:200] for m in o[1]][:2])
