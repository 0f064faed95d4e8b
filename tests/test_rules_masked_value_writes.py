"""A 0-dim value written at a bool mask of the images' data (``masked_writes``).

``w[m] = v`` leaves ``v`` where ``m`` holds and what ``w`` held elsewhere: ``w * ~m + m * v``
exactly, where both are finite. SiamFC's balanced loss builds its weights so (``w[t == 1] = 1 /
pos_num``, ``w[t == 0] = 1 / neg_num``, then ``w /= w.sum()``); on a group alone ``m`` picks the
group's positions and ``v`` is the group's own count's reciprocal, as in the arithmetic, which the
element-wise rules follow. Each body is checked against the oracle (the body run on each group's
images alone, weight field 1) on batches of two to four images, one group absent from some, main
values and gradients bit-identical; the near misses decline with a warning naming the op. A
number the code computes from how many images the call got, written into a buffer (``w[m] =
float(len(t))``, ``w.fill_(..)`` of a tensor of it), is the group's number on a group alone: declined.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import RULE_BATCHES, check_exact, check_rule

# RULE_BATCHES, then one group absent: every image real (weight 1), every image synthetic (0.5)
BATCHES = [*RULE_BATCHES, (3, [1.0, 1.0, 1.0]), (4, [0.5, 0.5])]


def _y(targets):
    return torch.stack([t["y"] for t in targets])


def _two_sided(x, y, m, w, other=1.0):
    """``w`` written ``1 / count`` on either side of the mask ``m``; the L1 of ``x`` to ``y`` by it, summed."""
    w[m] = 1 / m.sum()
    w[~m] = other / (~m).sum()
    return {"loss": ((x - y).abs() * w).sum()}


def balanced_l1(outputs, targets):
    """Weights ``1 / count`` on each side of a threshold of the targets, normalised by their sum."""
    x, y = outputs["x"], _y(targets)
    w = torch.zeros_like(y)
    _two_sided(x, y, y > 0.5, w, 2.0)
    w /= w.sum()
    return {"loss": ((x - y).abs() * w).sum()}


def balanced_bce(outputs, targets):
    """SiamFC's form: ``new_zeros``, float counts, the weights as the BCE's ``weight=``, summed."""
    x, y = outputs["x"], _y(targets)
    m = y > 0.5
    w = y.new_zeros(y.shape)
    w[m] = 1 / m.sum().float()
    w[~m] = 1 / (~m).sum().float()
    return {"loss": F.binary_cross_entropy(x, m.float(), w, reduction="sum")}


def weighted_counts(outputs, targets):
    """The counts weighted per image (``(wt * m).sum()``) and the loss times the weights: with the
    weight field set to 1, plain counts and the plain loss."""
    x, y = outputs["x"], _y(targets)
    m = y > 0.5
    wt = torch.tensor([t["loss_weight"] for t in targets])[:, None, None].expand_as(y)
    w = torch.zeros_like(y)
    w[m] = 1 / (wt * m).sum()
    w[~m] = 1 / (wt * ~m).sum()
    return {"loss": ((x - y).abs() * w * wt).sum()}


def mean_into_losses(outputs, targets):
    """A loss's mean written over its own values where the targets pass a threshold."""
    x, y = outputs["x"], _y(targets)
    err = (x - y).abs()
    e = err.clone()
    e[y > 0.5] = err.mean()
    return {"loss": e.mean()}


def overlapping_masks(outputs, targets):
    """A second write over part of the first one's positions, and the weights' own sum returned."""
    x, y = outputs["x"], _y(targets)
    m1, m2 = y > 0.3, y > 0.6
    w = torch.zeros_like(y)
    w[m1] = 1 / m1.sum()
    w[m2] = 3 / m2.sum()
    return {"loss": ((x - y).abs() * w).sum(), "weight_sum": w.sum()}


def predicted_mask(outputs, targets):
    """The mask tests the predictions, element by element."""
    x, y = outputs["x"], _y(targets)
    return _two_sided(x, y, x > 0.5, torch.zeros_like(y))


@pytest.mark.parametrize("body", [balanced_l1, balanced_bce, weighted_counts, mean_into_losses, overlapping_masks,
                                  predicted_mask])
def test_a_value_written_at_a_mask_of_the_images_data_splits_as_the_oracle(body):
    check_exact(body, BATCHES)


def mixed_mask(outputs, targets):
    """The mask tests the batch's mean: on a group alone it picks other positions."""
    x, y = outputs["x"], _y(targets)
    return _two_sided(x, y, y > y.mean(), torch.zeros_like(y))


def batch_max_written(outputs, targets):
    """The value is over the batch's largest error, which a group alone does not have."""
    x, y = outputs["x"], _y(targets)
    w = torch.zeros_like(y)
    w[y > 0.5] = 1 / (x - y).abs().max()
    return {"loss": ((x - y).abs() * w).sum()}


def through_a_view(outputs, targets):
    """The weights written through a view of a wider buffer: not followed as arithmetic."""
    x, y = outputs["x"], _y(targets)
    return _two_sided(x, y, y > 0.5, torch.zeros(*y.shape[:-1], y.shape[-1] + 1)[..., :-1])


def nan_elsewhere(outputs, targets):
    """A buffer of NaN, not zeros: off the mask the arithmetic is NaN, not what it held."""
    x, y = outputs["x"], _y(targets)
    return _two_sided(x, y, y > 0.5, torch.full_like(y, float("nan")))


def weighted_mask(outputs, targets):
    """The mask tests weighted values: with the weight field set to 1 it picks other positions."""
    x, y = outputs["x"], _y(targets)
    return _two_sided(x, y, y * torch.tensor([t["loss_weight"] for t in targets])[:, None, None] > 0.3,
                      torch.zeros_like(y))


@pytest.mark.parametrize(("body", "said_op"), [
    (weighted_mask, "Tensor.__setitem__"),
    (mixed_mask, "Tensor.__setitem__"),
    (batch_max_written, "Tensor.__setitem__"),
    (through_a_view, "Tensor.__rdiv__"),
    (nan_elsewhere, "a value at a mask, not its arithmetic"),
])
def test_near_misses_decline_with_a_warning(body, said_op):
    check_rule(body, said_op, declines=True)


def images_count_written(outputs, targets):
    """The number of images written at a mask into a fresh buffer: on a group alone the group's number."""
    x, y = outputs["x"], _y(targets)
    w = torch.zeros_like(y)
    w[y > 0.5] = float(len(targets))
    return {"loss": ((x - y).abs() * w).sum()}


def images_count_tensor_filled(outputs, targets):
    """The same through ``fill_`` of a one-element tensor made from that number."""
    x, y = outputs["x"], _y(targets)
    w = torch.zeros_like(y)
    w.fill_(torch.tensor(float(len(targets))))
    return {"loss": ((x - y).abs() * w).sum()}


def images_count_at_a_slice(outputs, targets):
    """The same as a one-element tensor at a slice of every image's rows."""
    x, y = outputs["x"], _y(targets)
    w = torch.zeros_like(y)
    w[:, 0] = torch.tensor(float(len(targets)))
    return {"loss": ((x - y).abs() * w).sum()}


@pytest.mark.parametrize("body", [images_count_written, images_count_tensor_filled, images_count_at_a_slice])
def test_a_count_of_the_images_written_into_a_buffer_declines(body):
    """Found by sv40 (session 39) with the rule's near misses, before and without it: the buffer was a
    constant of the call (``w[m] = v`` of a number), or kept ``zeros_like``'s rows, silently wrong
    (each companion ``len(t) / n_group`` times the oracle)."""
    check_rule(body, "of a value computed from the number of images", declines=True)


def each_images_own_count(outputs, targets):
    """Each image's own number of labels written at its row, in the loop over the images: the same on
    a group alone."""
    x, y = outputs["x"], _y(targets)
    w = torch.zeros_like(y)
    for b, t in enumerate(targets):
        w[b] = float(len(t["labels"]))
    return {"loss": ((x - y).abs() * w).sum()}


def test_an_images_own_count_written_at_its_row_splits():
    check_exact(each_images_own_count, BATCHES)
