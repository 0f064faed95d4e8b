"""The images' weight field made into a tensor (``torch.tensor([t["loss_weight"] for t in targets])``)
and used in a normaliser, a host read or a logged count, on every batch including one image of weight
0.5 (survey 54's probes beside UniMatch: on one image the list was not read as the weights, the
companion kept the weight where the oracle sets it to 1, a silently WRONG value). The weight objects
are the images' whatever their number. On one image a list equal to the weights only by value
(``[w * 1.0 for ..]``) and a literal ``[0.5] * n`` equal to the weight 0.5 cannot be told apart by
their values: both decline since pin42 (were silently wrong, strict xfails: the first kept the weight,
the second was read as it); a literal is no weight on a batch whose weights are all 0.5 either, nor a
configured number (``[alpha * 1.0 for ..]``) where no code names the weight field. Pinned (strict
xfail): ``[1 - t["loss_weight"] ..]`` on weights all one value."""

from __future__ import annotations

import pytest
import torch
from _helpers import ROWS, TARGETS, outcome_class, split_outcome
from _survey import LIBRARY_WEIGHTS, gen


def _weights(targets, by_value=False):
    w = torch.tensor([t["loss_weight"] * 1.0 if by_value else t["loss_weight"] for t in targets])
    return w[:, None].expand(-1, 5)


def _masks(targets):
    return torch.stack([t["m"] for t in targets])


def over_weighted_count(x, targets):
    m = _masks(targets)
    return {"loss": (x * m).sum() / (_weights(targets) * m).sum()}


def over_weighted_count_read(x, targets):
    m = _masks(targets)
    return {"loss": (x * m).sum() / (_weights(targets) * m).sum().item()}


def times_weighted_count_read(x, targets):
    m = _masks(targets)
    return {"loss": (x * m).mean() * (_weights(targets) * m).sum().item()}


def weighted_count_logged(x, targets):
    m = _masks(targets)
    return {"loss": (x * m).mean(), "count": torch.tensor((_weights(targets) * m).sum().item())}


def weighted_count_over_count(x, targets):
    m = _masks(targets)
    return {"loss": (x * m).sum() / m.sum(), "ratio": (_weights(targets) * m).sum().item() / m.sum()}


def literal_half_over_count(x, targets):
    """A literal 0.5 per image (no weight) equal by value to the one image's weight."""
    m = _masks(targets)
    return {"loss": (x * m).sum() / (torch.tensor([0.5] * len(targets))[:, None] * m).sum()}


def by_value_over_weighted_count(x, targets):
    m = _masks(targets)
    return {"loss": (x * m).sum() / (_weights(targets, by_value=True) * m).sum()}


def _outcomes(body, batches=LIBRARY_WEIGHTS):
    seen = []
    for seed, weights in enumerate(batches):
        g = gen(seed + 5404)
        targets = [{"m": (torch.rand(5, generator=g) > 0.4).float(), "loss_weight": w} for w in weights]
        for t in targets:
            t["m"][0] = 1.0
        x = torch.randn(len(targets), 5, generator=g).requires_grad_()
        got, want, said = split_outcome(body, [x, targets], [ROWS, TARGETS])
        seen.append(outcome_class(got, want))
    return seen


@pytest.mark.parametrize("body", [over_weighted_count, over_weighted_count_read, times_weighted_count_read,
                                  weighted_count_logged, weighted_count_over_count])
def test_the_weights_made_into_a_tensor_are_the_weights_on_one_image_too(body):
    assert _outcomes(body) == ["exact"] * len(LIBRARY_WEIGHTS)


def literal_half_times_loss(x, targets):
    m = _masks(targets)
    return {"loss": (x * m * torch.tensor([0.5] * len(targets))[:, None]).mean()}


def by_value_unexpanded_over_weighted_count(x, targets):
    m = _masks(targets)
    w = torch.tensor([t["loss_weight"] * 1.0 for t in targets])[:, None]
    return {"loss": (x * m).sum() / (w * m).sum()}


@pytest.mark.parametrize("body", [by_value_over_weighted_count, literal_half_over_count, literal_half_times_loss,
                                  by_value_unexpanded_over_weighted_count])
def test_numbers_equal_to_the_one_image_s_weight_by_value_decline(body):
    """Were silently wrong (main too; strict xfails until pin42): on one image of weight 0.5, a tensor
    of Python numbers equal to the weight but not its object is the weight or a constant, which its
    values cannot tell: ``Frame.weight_made`` without its values on weights 1 (``_position_values``),
    and the untracked factor equal to weights all one value declines (``unweighted_along``,
    ``_spread_weight`` of the one image's row). The mixed batches still read the weights by value."""
    seen = _outcomes(body)
    assert "wrong" not in seen, seen
    assert seen[-1] == "declined", seen  # (the batch of one image)


_CONFIGURED = 0.5  # a module's number


def literal_over_count_not_the_weight(x, targets):
    m = _masks(targets)
    return {"loss": (x * m).sum() / (torch.tensor([0.3] * len(targets))[:, None] * m).sum()}


@pytest.mark.parametrize("body", [over_weighted_count, by_value_over_weighted_count, literal_half_times_loss,
                                  literal_over_count_not_the_weight])
def test_near_misses_on_weights_all_half_and_one_image(body):
    """Near misses: the weight objects are the weights on every batch; a literal of another value
    than the weight is a constant; weights all 0.5 never give a wrong companion."""
    seen = _outcomes(body, ([0.5, 0.5], [0.5, 0.5, 0.5], [0.5], [1.0, 0.5, 1.0, 0.25]))
    assert "wrong" not in seen, seen
    if body in (over_weighted_count, literal_over_count_not_the_weight):
        assert seen == ["exact"] * 4, seen


def configured_number_per_image(x, targets):
    m = _masks(targets)
    return {"loss": (x * m).sum() / (torch.tensor([_CONFIGURED * 1.0 for _ in targets])[:, None] * m).sum()}


def weighted_mean_by_value(x, targets):
    w = torch.tensor([t["loss_weight"] * 1.0 for t in targets])
    return {"loss": ((x * _masks(targets)).mean(1) * w).sum() / w.sum()}


_ALL_HALF = ([0.5, 0.5], [0.5, 0.5, 0.5], [1.0, 0.5, 1.0, 0.25])


def test_a_configured_number_per_image_equal_to_weights_all_half_declines():
    """Was silently wrong (found by pin42, main too): on weights all 0.5, new floats of a configured
    number equal to them (``[alpha * 1.0 for ..]``) were read as the weights by value. Where no code up
    to the body names the weight field (``_bytecode.body_names``) they are no weights: declined."""
    seen = _outcomes(configured_number_per_image, _ALL_HALF)
    assert seen == ["declined"] * 3, seen


def test_a_weighted_mean_by_the_weights_by_value_on_weights_all_half_splits():
    """Near miss: ``[t["loss_weight"] * 1.0 ..]`` names the field: the weights by value on several images."""
    assert _outcomes(weighted_mean_by_value, _ALL_HALF) == ["exact"] * 3


def one_minus_the_weight(x, targets):
    m = _masks(targets)
    return {"loss": (x * m).sum() / (torch.tensor([1.0 - t["loss_weight"] for t in targets])[:, None] * m).sum()}


def one_minus_the_weight_unsqueezed(x, targets):
    m = _masks(targets)
    return {"loss": (x * m).sum() / (torch.tensor([1.0 - t["loss_weight"] for t in targets]).unsqueeze(1) * m).sum()}


def one_and_a_half_less_twice_the_weight(x, targets):
    """``1.5 - 2 w``: 0.5 on a weight of 0.5, -0.5 on a group alone."""
    m = _masks(targets)
    return {"loss": (x * m).sum() / (torch.tensor([1.5 - 2 * t["loss_weight"] for t in targets])[:, None] * m).sum()}


def twice_the_squared_weight(x, targets):
    """``2 w ** 2``: 0.5 on a weight of 0.5, 2 on a group alone."""
    m = _masks(targets)
    w = torch.tensor([2 * t["loss_weight"] ** 2 for t in targets])
    return {"loss": (x * m).sum() / (w[:, None] * m).sum()}


@pytest.mark.parametrize("body", [one_minus_the_weight, one_minus_the_weight_unsqueezed,
                                  one_and_a_half_less_twice_the_weight, twice_the_squared_weight])
def test_a_factor_computed_from_the_weight_field_in_a_comprehension_is_not_wrong(body):
    """Was silently wrong (pin42, main too): on weights all one value (0.5, 0.25), a factor of new floats
    computed from the weight field (``1 - w``) was kept as data (``[:, None]`` of the made tensor hid it
    from ``_weight_derived``) or, equal to the weights by value (0.5), read as the weights, where on a group
    alone it is computed from 1. Now the view of the made tensor is read, and new floats equal to the
    weights by arithmetic that may not keep a weight of 1 are declined (``_provenance.value_kept``)."""
    seen = _outcomes(body, ([0.5, 0.5], [0.25, 0.25, 0.25], [1.0, 0.5, 1.0, 0.25]))
    assert "wrong" not in seen, seen


def weighted_mean_by_value_plus_zero(x, targets):
    w = torch.tensor([t["loss_weight"] + 0.0 for t in targets])
    return {"loss": ((x * _masks(targets)).mean(1) * w).sum() / w.sum()}


def weighted_mean_by_value_unsqueezed(x, targets):
    w = torch.tensor([t["loss_weight"] * 1.0 for t in targets]).unsqueeze(1)
    return {"loss": ((x * _masks(targets)) * w).sum() / (w * _masks(targets)).sum()}


@pytest.mark.parametrize("body", [weighted_mean_by_value_plus_zero, weighted_mean_by_value_unsqueezed])
def test_weights_by_value_through_arithmetic_keeping_them_split(body):
    """Near misses: ``w + 0.0``, ``(w * 1.0)`` made a column: the weights by value, 1 on a group alone."""
    assert _outcomes(body, _ALL_HALF) == ["exact"] * 3
