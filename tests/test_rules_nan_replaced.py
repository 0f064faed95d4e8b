"""``torch.where(torch.isnan(f1), 0, f1)`` of one reduced value that is an expression of ratios
(pytorch_optimizer's ``SoftF1Loss``: a soft F-beta of the batch's TP, FP, FN sums, its NaN made
0): on a group alone the body replaces the group's NaN, so the companion is the expression with
``nan_to`` (``x / 0`` evaluated as torch does, so that a NaN and an infinity stay apart). Near
misses: the replacement a value of the images' data or an image's weight, the operands swapped,
a NaN test of another value, decline or stay exact. Each body is compared with the oracle (the
body run on each group's images alone)."""

from __future__ import annotations

import math

import pytest
import torch
from _helpers import ROWS, TARGETS, check_exact, rule_batch, split_outcome, wrong_companions

from losssplit import _formula

BATCHES = [  # (seed, loss_weight per image): groups of different sizes, a group absent
    (0, [1.0, 0.5, 0.5, 1.0]),
    (1, [0.5, 1.0, 0.5]),
    (2, [1.0, 0.5]),
    (3, [1.0, 1.0, 1.0, 0.5, 1.0]),
    (4, [1.0, 1.0, 1.0]),
]


def _counts(outputs, targets):
    y = torch.stack([t["y"] for t in targets]).round()
    p = outputs["x"]
    return (y * p).sum(), ((1 - y) * p).sum(), (y * (1 - p)).sum()


def _f_beta(tp, fp, fn, eps: float = 1e-6):
    p = tp / (tp + fp + eps)
    r = tp / (tp + fn + eps)
    return 5.0 * (p * r) / (4.0 * p + r + eps)


def soft_f2_zeros_like(outputs, targets):
    f1 = _f_beta(*_counts(outputs, targets))
    f1 = torch.where(torch.isnan(f1), torch.zeros_like(f1), f1)
    return {"loss": 1.0 - f1.mean()}


def soft_f2_literal(outputs, targets):
    f1 = _f_beta(*_counts(outputs, targets))
    return {"loss": 1.0 - torch.where(f1.isnan(), 0.0, f1)}


def soft_f2_constant_tensor(outputs, targets):
    f1 = _f_beta(*_counts(outputs, targets))
    return {"loss": 1.0 - torch.where(torch.isnan(f1), torch.tensor(0.5), f1)}


def soft_f2_zero_where_a_group_has_no_positives(outputs, targets):
    """Images whose first label is 1 or 0 predict nothing: a group of them alone has 0 / 0."""
    y = torch.stack([t["y"] for t in targets]).round()
    keep = torch.stack([t["labels"][0] > 1 for t in targets]).float()[:, None, None]
    p_ = outputs["x"] * keep
    tp, fp, fn = (y * p_).sum(), ((1 - y) * p_).sum(), (y * (1 - p_)).sum()
    f1 = _f_beta(tp, fp, fn, 0.0)
    return {"loss": 1.0 - torch.where(torch.isnan(f1), torch.zeros_like(f1), f1)}


EXACT = [soft_f2_zeros_like, soft_f2_literal, soft_f2_constant_tensor]


@pytest.mark.parametrize("body", EXACT, ids=lambda f: f.__name__)
def test_a_nan_replaced_expression_splits_as_the_oracle(body):
    check_exact(body, BATCHES)


def replaced_by_a_data_mean(outputs, targets):
    f1 = _f_beta(*_counts(outputs, targets))
    y = torch.stack([t["y"] for t in targets])
    return {"loss": 1.0 - torch.where(torch.isnan(f1), y.mean(), f1)}


def replaced_by_a_weight(outputs, targets):
    f1 = _f_beta(*_counts(outputs, targets))
    return {"loss": 1.0 - torch.where(torch.isnan(f1), targets[0]["loss_weight"], f1)}


def operands_swapped(outputs, targets):  # NaN kept, a number made 0
    f1 = _f_beta(*_counts(outputs, targets))
    return {"loss": 1.0 - torch.where(torch.isnan(f1), f1, torch.zeros_like(f1))}


def nan_test_of_another_value(outputs, targets):
    tp, fp, fn = _counts(outputs, targets)
    f1 = _f_beta(tp, fp, fn)
    return {"loss": 1.0 - torch.where(torch.isnan(tp / fn), torch.zeros_like(f1), f1)}


NEAR = [replaced_by_a_data_mean, replaced_by_a_weight, operands_swapped, nan_test_of_another_value,
        soft_f2_zero_where_a_group_has_no_positives]


@pytest.mark.parametrize("body", NEAR, ids=lambda f: f.__name__)
def test_near_misses_decline_or_stay_exact(body):
    for seed, weights in [*BATCHES, (7, [1.0, 0.5, 0.5])]:
        got, want, said = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        assert not wrong_companions(got, want), (seed, got, want)
        for name in set(want) - set(got):
            assert any("'loss'" in m or repr(name) in m for m in said), (name, said)


def test_nan_to_tells_nan_from_an_infinity():
    expr = ("nan_to", ("div", _formula.part(0), _formula.part(1)), _formula.const(0))
    assert _formula.evaluate(expr, [0.0, 0.0]) == 0.0
    assert _formula.evaluate(expr, [1.0, 0.0]) == math.inf
    assert _formula.evaluate(expr, [-1.0, -0.0]) == math.inf
    assert _formula.evaluate(expr, [3.0, 2.0]) == 1.5
    assert _formula.parse(_formula.text(expr)) == expr
    # a part without a denominator (no value of the group's): the expression gives no value
    assert math.isnan(_formula.of_parts([(1.0, 0.0), (1.0, 1.0)], expr))
