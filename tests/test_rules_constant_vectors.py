"""A vector of constants of the call (``torch.tensor([1.0, 0.5])``: deep supervision's scale weights)
picked at an int the code writes (``w[0]``), summed, or normalised by its sum (``w / w.sum()``) is a
constant an expression of ratios takes: ``w[0] * dice`` of a per-class batch Dice (a mean of
clamped per-class ratios) was lost at the product (survey 52's nnU-Net loss). An element picked at a
position computed from the batch (``w[len(targets) - 2]``) is no such constant and still declines."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import RULE_BATCHES, rule_batch, rule_outcome, rule_targets


def _batch_dice(o, t):
    y = rule_targets(t)
    p = o["x"].softmax(-1)
    tp = (p * y).sum((0, 1))
    fp = (p * (1 - y)).sum((0, 1))
    fn = ((1 - p) * y).sum((0, 1))
    return -((2 * tp + 1e-5) / (2 * tp + fp + fn + 1e-5).clamp(min=1e-8))[1:].mean()


def literal_element(o, t):
    w = torch.tensor([1.0, 0.3])
    return {"loss": w[0] * _batch_dice(o, t) + w[1] * F.l1_loss(o["x"], rule_targets(t))}


def normalised_elements(o, t):
    w = torch.tensor([1.0, 0.3])
    w = w / w.sum()
    return {"loss": w[0] * _batch_dice(o, t) + w[1] * F.l1_loss(o["x"], rule_targets(t))}


def halved_sum(o, t):
    w = torch.tensor([1.0, 0.3]) * 0.5
    return {"loss": _batch_dice(o, t) / w.sum()}


def element_at_a_count(o, t):
    w = torch.tensor([1.0, 0.3])
    return {"loss": w[len(t) - 3] * _batch_dice(o, t)}


# batches of 4 and 3 images (a vector as long as the images is no proven constant)
BATCHES = RULE_BATCHES[:2]


@pytest.mark.parametrize("body", [literal_element, normalised_elements, halved_sum])
def test_elements_and_sums_of_a_constant_vector_split(body):
    for seed, weights in BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert got and set(got) == set(want), (seed, said)
        assert got == pytest.approx(want, rel=1e-5, abs=1e-6), seed


def test_an_element_at_a_count_of_the_batch_declines():
    for seed, weights in BATCHES:
        got, want, said = rule_outcome(element_at_a_count, rule_batch(seed, weights))
        assert got == {}, (seed, got, want)
