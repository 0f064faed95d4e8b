"""Grouping labels into named groups: index vectors, whatever the number of groups."""

import math

import pytest
import torch
import torch.nn.functional as F

import losssplit
from losssplit import split_by_source
from losssplit._groups import Grouping


def test_one_group_per_label_as_indices_equals_the_dense_membership():
    labels = [f"s{(7 * b) % 13}" for b in range(40)]
    names, membership, outside = Grouping(None, 0.9).assign(labels, numeric=False)
    assert names == sorted({*labels}) and outside == []
    expected = torch.tensor([[float(v == n) for n in names] for v in labels])
    assert torch.equal(membership.dense(), expected)


def test_thresholds_and_nan_as_indices():
    weights = [1.0, 0.5, float("nan"), 0.95, 0.0]
    names, membership, outside = Grouping(None, 0.9).assign(weights, numeric=True)
    assert names == ["real", "synthetic"] and outside == [2]
    expected = torch.tensor([[1.0, 0], [0, 1], [0, 0], [1, 0], [0, 1]])
    assert torch.equal(membership.dense(), expected)
    _, from_tensor, outside = Grouping(None, 0.9).assign(torch.tensor(weights), numeric=True)
    assert torch.equal(from_tensor.dense(), expected) and outside == [2]


def test_predicates_in_several_or_no_group_each_called_once_per_distinct_label():
    calls = []

    def small(v):
        calls.append(v)
        return v < 3

    grouping = Grouping({"small": small, "odd": lambda v: v % 2 == 1}, 0.9)
    names, membership, outside = grouping.assign([1, 4, 1, 3, 2, 6], numeric=False)
    assert names == ["small", "odd"] and outside == [1, 5]
    expected = torch.tensor([[1.0, 1], [0, 0], [1, 1], [0, 1], [1, 0], [0, 0]])
    assert torch.equal(membership.dense(), expected)
    assert sorted(calls) == [1, 2, 3, 4, 6]
    assert grouping.matched == {"small": 3, "odd": 3}


def test_a_thousand_groups_each_get_its_own_images_mean():
    @split_by_source
    def crit(pred, y):
        return {"loss": F.mse_loss(pred, y, reduction="none").mean(1).mean()}

    torch.manual_seed(0)
    pred, y = torch.randn(4096, 3), torch.randn(4096, 3)
    labels = [f"s{(b * 37) % 1000}" for b in range(4096)]
    with losssplit.sources(labels):
        out = crit(pred, y)
    per_image = ((pred - y) ** 2).double().mean(1)
    assert len(out) == 1001
    for g in (0, 1, 500, 999):
        mine = torch.tensor([v == f"s{g}" for v in labels])
        assert math.isclose(out[f"loss_s{g}"].item(), per_image[mine].mean().item(), rel_tol=1e-6)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), 2.0**128])
def test_among_a_thousand_groups_only_the_non_finite_ones_are_omitted(bad, warnings_of):
    """Many groups have their quotients checked in one tensor op; a group whose value is not
    finite in float32 (NaN, inf, or beyond float32's range) still goes, with its warning, alone."""
    @split_by_source
    def crit(pred):
        return {"loss": pred.double().mean()}

    pred = torch.ones(4096, dtype=torch.float64)
    labels = [f"s{b % 1000}" for b in range(4096)]
    pred[[b for b, v in enumerate(labels) if v == "s7"]] = bad
    with losssplit.sources(labels):
        out = crit(pred)
    assert len(out) == 1000 and "loss_s7" not in out and out["loss_s8"].item() == 1.0
    assert len(warnings_of()) == 1 and "loss_s7" in warnings_of()[0]
