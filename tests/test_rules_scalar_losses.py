"""``F.binary_cross_entropy(v, c)``, ``F.l1_loss(v, c)``, ``F.mse_loss(v, c)`` of a 0-dim value that
is an expression of ratios (a batch's precision ``inter / p.sum()``) against a one-element constant
of the call (``torch.ones_like(v)``, ``zeros_like``, ``torch.tensor(0.9)``), no weight, are functions
of that one value: on a group alone, of the group's ratios (BCE's logs clamped at -100 as torch's).
Survey 59's MonoScene scene-class affinity takes the BCE to 1 of each class's precision, recall and
specificity; before, every such key declined at ``F.binary_cross_entropy``. ``ones_like`` /
``zeros_like`` of one element is the constant 1 / 0, whatever it is made like. Against the oracle
on the count batches, with near misses whose target is a batch statistic, a count, or weighted.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import check_count_declines, check_count_exact


def _probs(o, t):
    """Each image's predictions in (0.1, 0.9) and its targets' mask, over every row."""
    y = (torch.stack([u["y"] for u in t]) > 0.5).float()
    return o["x"], y


def affinity(o, t):
    """Precision, recall and specificity of the batch, each one's BCE to 1, summed (MonoScene)."""
    p, y = _probs(o, t)
    inter = (p * y).sum()
    precision, recall = inter / p.sum(), inter / y.sum()
    spec = ((1 - p) * (1 - y)).sum() / (1 - y).sum()
    loss = 0.0
    for v in (precision, recall, spec):
        loss = loss + F.binary_cross_entropy(v, torch.ones_like(v))
    return {"loss": loss}


def dice_to_one(o, t):
    """The batch Dice's MSE and L1 to 1."""
    p, y = _probs(o, t)
    dice = 2 * (p * y).sum() / (p.sum() + y.sum())
    one = torch.ones_like(dice)
    return {"mse": F.mse_loss(dice, one), "l1": F.l1_loss(dice, one, reduction="sum")}


def rate_to_zero_and_literal(o, t):
    """The false positive rate's BCE to 0, the mean prediction's to a literal 0.9."""
    p, y = _probs(o, t)
    fpr = (p * (1 - y)).sum() / (1 - y).sum()
    m = p.mean()
    return {"fpr": F.binary_cross_entropy(fpr, torch.zeros_like(fpr)),
            "m": F.binary_cross_entropy(m, torch.tensor(0.9))}


def target_a_batch_statistic(o, t):
    """Near miss: the target is the batch's mean mask (on a group alone, the group's)."""
    p, y = _probs(o, t)
    precision = (p * y).sum() / p.sum()
    return {"loss": F.binary_cross_entropy(precision, y.mean())}


def target_a_count(o, t):
    """Near miss: the target is made from the number of images (``full_like``)."""
    p, y = _probs(o, t)
    precision = (p * y).sum() / p.sum()
    return {"loss": F.binary_cross_entropy(precision, torch.full_like(precision, 0.1 * len(t)))}


def weighted(o, t):
    """Near miss: a ``weight=`` of the images' weights."""
    p, y = _probs(o, t)
    precision = (p * y).sum() / p.sum()
    w = torch.tensor(sum(u["loss_weight"] for u in t) / len(t))
    return {"loss": F.binary_cross_entropy(precision, torch.ones_like(precision), weight=w)}


@pytest.mark.parametrize("body", [affinity, dice_to_one, rate_to_zero_and_literal])
def test_a_loss_of_an_expression_against_a_constant_splits(body):
    check_count_exact(body)


@pytest.mark.parametrize("body", [target_a_batch_statistic, target_a_count, weighted])
def test_a_loss_against_a_value_of_the_batch_declines(body):
    check_count_declines(body)
