"""One constant of no image repeated along a count of the images and added first into a fresh
``torch.zeros`` of that count (normflows' ``LULinearPermute``: ``logabsdet * x.new_ones(B)``,
the first write into ``log_q``; survey 33's spline flow): each row is that constant, as on a group
alone. Constants that follow the images' positions or equal a count of the call keep declining."""

from __future__ import annotations

import pytest
import torch
from _helpers import RULE_BATCHES, check_rule, rule_batch, rule_outcome, wrong_companions

SCALES = torch.nn.Parameter(torch.tensor([0.7, 1.3, 0.9, 1.1, 0.6]))


def _logabsdet() -> torch.Tensor:
    """A flow layer's log-determinant: parameters only, no image."""
    return SCALES.abs().log().sum()


def _per_row(o, t) -> torch.Tensor:
    x = o["x"]
    return -(x ** 2).sum((1, 2)) / 2 + torch.stack([u["y"] for u in t]).mean((1, 2)) * x.mean((1, 2))


def parameters_times_new_ones_first(o, t):
    x = o["x"]
    log_q = torch.zeros(len(x))
    log_q += _logabsdet() * x.new_ones(x.shape[0])
    log_q += _per_row(o, t)
    return {"loss": -log_q.mean(), "loss_sum": -log_q.sum()}


def literal_subtracted_first(o, t):
    """``-=`` of a literal times ``torch.ones(len(x))``, then per-row terms, the mean weighted."""
    x = o["x"]
    w = torch.tensor([u["loss_weight"] for u in t])
    acc = x.new_zeros(len(x))
    acc -= 0.37 * torch.ones(len(x))
    acc += _per_row(o, t)
    return {"loss": (acc * w).sum() / w.sum(), "loss_mean": acc.mean()}


class _Linear:
    def inverse(self, z):
        return z * 0.8, -_logabsdet() * z.new_ones(z.shape[0])


class _Affine:
    def inverse(self, z):
        s = torch.tanh(z.mean(1, keepdim=True))
        return z * s.exp(), s.sum(1) * z.shape[1]


def flow_layers_in_a_loop(o, t):
    """normflows' ``log_prob``: the layers inverted last to first, the first a linear layer whose
    log-determinant has no image, then the base density."""
    z = o["x"].flatten(1)
    flows = [_Affine(), _Linear()]
    log_q = torch.zeros(len(z))
    for i in range(len(flows) - 1, -1, -1):
        z, log_det = flows[i].inverse(z)
        log_q += log_det
    log_q += -(z ** 2).sum(1) / 2
    return {"loss": -log_q.mean(), "loss_sum": -log_q.sum()}


@pytest.mark.parametrize("body", [parameters_times_new_ones_first, literal_subtracted_first, flow_layers_in_a_loop])
def test_a_constant_along_the_rows_added_first_into_counted_zeros_splits(body):
    check_rule(body, "")


@pytest.mark.parametrize("body", [parameters_times_new_ones_first, literal_subtracted_first, flow_layers_in_a_loop])
def test_on_one_image_and_in_other_groupings(body):
    """The one image's batch, and the 4 images grouped otherwise (3 + 1, all but one of a weight)."""
    for seed, weights in [(3, [0.5]), (4, [0.5, 0.5, 1.0, 0.5]), (5, [1.0, 1.0]), (6, [1.0, 0.5, 1.0, 1.0])]:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert set(got) == set(want) and want, (seed, said)
        assert not wrong_companions(got, want), seed


def _first(make):
    def body(o, t):
        x = o["x"]
        acc = torch.zeros(len(x))
        acc += make(x, t)
        acc += _per_row(o, t)
        return {"loss": acc.mean()}

    return body


@pytest.mark.parametrize("make", [
    lambda x, t: torch.ones(x.shape[0]).cumsum(0),
    lambda x, t: torch.arange(len(t)).float(),
    lambda x, t: x.new_ones(x.shape[0]) / len(t),
    lambda x, t: (1.0 / len(t)) * torch.ones(len(t)),
    lambda x, t: torch.full((len(t),), float(len(t))),
    lambda x, t: x.sum().detach() * x.new_ones(x.shape[0]),
    lambda x, t: x.mean() * torch.ones(len(x)),
    lambda x, t: torch.tensor(float(len(t))).expand(len(t)).clone(),
    lambda x, t: torch.tensor(1.0 / len(t)).repeat(len(t)),
], ids=["positions", "arange", "over_len", "reciprocal_len", "full_len", "detached_batch_sum", "batch_mean",
        "count_tensor_expanded", "reciprocal_tensor_repeated"])
def test_positions_counts_or_the_batchs_values_added_first_decline(make):
    """On a group alone each is other: the group's positions, its count, its images' values."""
    check_rule(_first(make), "", declines=True)


def test_a_constant_equal_to_a_count_by_value_declines():
    """0.5 on the 2-image batch is 1 / 2: a count's reciprocal by value, not proven a constant
    (an honest decline); on the others 0.5 splits."""
    body = _first(lambda x, t: 0.5 * torch.ones(x.shape[0]))
    got, want, said = rule_outcome(body, rule_batch(2, [1.0, 0.5]))
    assert got == {} and want, said
    for seed, weights in RULE_BATCHES[:2]:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert set(got) == set(want) and not wrong_companions(got, want), (seed, said)
