"""The deferred checks on an untracked per-row factor where the weights are Python numbers that
skip work on the host (none 1, all equal, all 1): they still decline what they declined."""

import pytest
import torch
from _helpers import logged_warnings

import losssplit
from losssplit import split_by_source


@split_by_source
def _weighted(pred, targets, make_factor):
    w = torch.cat([torch.full((2,), float(t["loss_weight"])) for t in targets])
    return {"loss": (pred.reshape(-1) * make_factor(w, targets)).sum()}


def _targets(weights, sources=("a", "b")):
    return [{"loss_weight": w, "source": s} for w, s in zip(weights, sources)]


def _scaled(w, targets):  # the weights over their sum, from Python numbers (no identity)
    total = sum(t["loss_weight"] for t in targets)
    return torch.tensor([t["loss_weight"] / total for t in targets for _ in range(2)])


def _some_rows(w, targets):
    out = w.clone()
    out[0] = 3.0  # image 0's first row is not its weight, its second is
    return out


CASES = [
    # weights none 1: the proportional check and the some-rows check still fire
    ((0.5, 2.0), _scaled, "proportional"),
    ((0.5, 2.0), _some_rows, "on some rows and not on others"),
]


@pytest.mark.parametrize("weights, make_factor, message", CASES)
def test_factor_checks_decline(weights, make_factor, message):
    pred = torch.arange(1.0, 5.0).view(2, 2).requires_grad_()
    with logged_warnings() as logged:
        with losssplit.sources(["a", "b"]):
            out = _weighted(pred, _targets(weights), make_factor)
    assert not [k for k in out if k != "loss"], out
    assert any(message in m for m in logged), logged


@pytest.mark.parametrize("weights", [(0.5, 2.0), (0.5, 0.5), (1.0, 1.0), (1.0, 0.25)])
def test_weight_factor_is_set_aside(weights):
    pred = torch.arange(1.0, 5.0).view(2, 2).requires_grad_()
    with losssplit.sources(["a", "b"]):
        out = _weighted(pred, _targets(weights), lambda w, t: w)
    assert out["loss"].item() == pytest.approx(weights[0] * 3 + weights[1] * 7)
    assert out["loss_a"].item() == 3.0 and out["loss_b"].item() == 7.0  # the body on one image, weight 1



def _twice_the_field(pred, targets):  # read from the weight field in Python: proportional, equal to no weight
    f = torch.tensor([2 * t["loss_weight"] for t in targets for _ in range(2)])
    return {"loss": (pred.reshape(-1) * f).sum()}


def _weights_twice_through_a_list(pred, targets):
    ws = [float(t["loss_weight"]) * 2 for t in targets]
    f = torch.tensor([w for w in ws for _ in range(2)])
    return {"loss": (pred.reshape(-1) * f).sum()}


@pytest.mark.parametrize("body", [_twice_the_field, _weights_twice_through_a_list])
@pytest.mark.parametrize("weights", [(0.5, 2.0), (1.0, 0.25), (0.5, 0.25)])
def test_a_factor_of_the_weights_proportional_to_them_warns_that_it_is_not_them(body, weights):
    # Such a factor is proportional to the weights, which the proportionality check would also have
    # flagged; it is not asked after the doubt that the factor is not the weights (which fires wherever
    # it would, earlier in the call's checks): the one warning is that doubt's, as before
    pred = torch.arange(1.0, 5.0).view(2, 2).requires_grad_()
    with logged_warnings() as logged:
        with losssplit.sources(["a", "b"]):
            out = split_by_source(body)(pred, _targets(weights))  # its own: a decorated function warns once per key
    assert not [k for k in out if k != "loss"], out
    assert [m for m in logged if "is computed from the images' 'loss_weight'" in m], logged
    assert not [m for m in logged if "proportional" in m], logged
