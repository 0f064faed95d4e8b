"""A helper's number parameter rebound only in a branch that a test of another parameter the call
did not pass rules out (POT's ``sliced_wasserstein_distance``: ``if projections is None: .. else:
n_projections = projections.shape[1]``, called with ``n_projections=20`` and no projections): the
rebinding store does not run on this call, so the number is what the caller passes, a constant of
the call as a parameter never rebound is (``_bytecode._parameter_value``). Near misses: the
parameter tested passed (the rebinding runs, a count of the images), stored before the test, the
test in a loop (its second iteration takes the other branch), the number rebound outside the
branch; and the projections taken from the batch's values, which mix the images. Each body is
compared with the oracle (the body run on each group's images alone)."""

from __future__ import annotations

import types

import pytest
import torch
from _helpers import RULE_BATCHES, check_rule, rule_batch, rule_outcome, wrong_companions


def _y(targets):
    return torch.stack([t["y"] for t in targets])


def _projected(x, y, n_terms=8, basis=None):
    """The root of the mean over ``n_terms`` directions of the elements' mean projected error (8: a
    multiple of 4 and 2 images, which a number of no known origin may count)."""
    if basis is None:
        basis = torch.linspace(0.6, 1.4, n_terms)
    else:
        n_terms = basis.shape[0]
    cost = ((x - y).reshape(-1)[:, None] * basis[None, :]).abs().mean(0)
    return (cost.sum() / n_terms) ** 0.5


def _scaled_if_given(x, y, n_terms=8, scale=None):
    """The mirror test: the number rebound where the parameter is given (``is not None``)."""
    if scale is not None:
        n_terms = scale.shape[0]
    return ((x - y).abs().sum() / n_terms) ** 0.5


def per_image_projected_distance(outputs, targets):
    """Survey 33's sliced Wasserstein: one helper call per image, the number a literal passed."""
    d = [_projected(x, t["y"], n_terms=8) for x, t in zip(outputs["x"], targets)]
    return {"loss": torch.stack(d).mean()}


PROJECTIONS = types.ModuleType("projections")  # a library module, as ``import ot``
PROJECTIONS.distance = _projected


def per_image_distance_of_a_module(outputs, targets):
    """``ot.sliced_wasserstein_distance(pred, t, n_projections=20)``: a module's function called with
    keywords, which Python 3.11 loads as ``NULL + module`` then the attribute (no LOAD_METHOD)."""
    d = [PROJECTIONS.distance(x, t["y"], n_terms=8) for x, t in zip(outputs["x"], targets)]
    return {"loss": torch.stack(d).mean()}


def batch_projected_distance(outputs, targets):
    return {"loss": _projected(outputs["x"], _y(targets), n_terms=8)}


def batch_projected_distance_at_its_default(outputs, targets):
    return {"loss": _projected(outputs["x"], _y(targets), basis=None)}


def scaled_where_given(outputs, targets):
    return {"loss": _scaled_if_given(outputs["x"], _y(targets), n_terms=8)}


@pytest.mark.parametrize("body", [per_image_projected_distance, per_image_distance_of_a_module, batch_projected_distance,
                                  batch_projected_distance_at_its_default, scaled_where_given],
                         ids=lambda f: f.__name__)
def test_a_number_rebound_only_in_a_branch_the_call_rules_out_is_its_constant(body):
    check_rule(body, "")


# Each near miss below rebinds the number to twice the images: 8 on the batch of 4, as the literal
# passed, another number on a group alone (read as that constant, a silently wrong companion).


def basis_passed_sized_by_the_images(outputs, targets):
    """The rebinding runs: the parameter tested is passed."""
    return {"loss": _projected(outputs["x"], _y(targets), n_terms=8, basis=torch.ones(2 * len(targets)))}


def scale_passed_sized_by_the_images(outputs, targets):
    return {"loss": _scaled_if_given(outputs["x"], _y(targets), n_terms=8, scale=torch.ones(2 * len(targets)))}


def _projected_after_a_store(x, y, n_terms=8, basis=None):
    basis = _more_than_images(x, basis)  # the tested parameter no longer holds the default
    if basis is None:
        basis = torch.ones(n_terms)
    else:
        n_terms = basis.shape[0]
    return ((x - y).abs().sum() / n_terms) ** 0.5


def _more_than_images(x, basis):
    return torch.ones(2 * x.shape[0]) if x.shape[0] > 1 else basis


def basis_stored_before_the_test(outputs, targets):
    return {"loss": _projected_after_a_store(outputs["x"], _y(targets), n_terms=8)}


def _projected_in_a_loop(x, y, n_terms=8, basis=None):
    total = 0.0
    for _ in range(2):  # the second iteration takes the branch that rebinds the number
        if basis is None:
            basis = torch.ones(2 * x.shape[0])
        else:
            n_terms = basis.shape[0]
        total = total + ((x - y).abs().sum() / n_terms) ** 0.5
    return total


def number_tested_in_a_loop(outputs, targets):
    return {"loss": _projected_in_a_loop(outputs["x"], _y(targets), n_terms=8)}


def _rebound_after_the_branch(x, y, n_terms=8, basis=None):
    if basis is None:
        basis = torch.ones(n_terms)
    else:
        n_terms = basis.shape[0]
    if x.shape[0] > 3:
        n_terms = x.shape[0] * 2
    return ((x - y).abs().sum() / n_terms) ** 0.5


def rebound_past_the_branch_too(outputs, targets):
    return {"loss": _rebound_after_the_branch(outputs["x"], _y(targets), n_terms=8)}


@pytest.mark.parametrize("body", [basis_passed_sized_by_the_images, scale_passed_sized_by_the_images],
                         ids=lambda f: f.__name__)
def test_a_number_the_rebinding_branch_sets_declines(body):
    check_rule(body, "loss", declines=True)


def _never_wrong(body) -> None:
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, got, want)
        assert set(got) == set(want) or any("'loss'" in m for m in said), said


def test_a_number_rebound_after_the_tested_parameter_is_stored_is_never_wrong():
    """The parameter tested stored before the test (twice the images where there are several): the
    number rebound to a count times 2, whose group share is its own; never read as the literal."""
    _never_wrong(basis_stored_before_the_test)


def _rebound_on_a_test_of_the_batch(x, y, n_terms=8):
    if x.shape[0] == 3:  # a test of the batch: 6 on 3 images, the literal on 4 or 2
        n_terms = x.shape[0] * 2
    return (x - y).abs().sum() / n_terms


def rebound_on_a_test_of_the_batch(outputs, targets):
    return {"loss": _rebound_on_a_test_of_the_batch(outputs["x"], _y(targets))}


def _rebound_in_a_loop_at_its_default(x, y, n_terms=8):
    total = 0.0
    for k in range(2):
        total = total + (x - y).abs().sum() / n_terms
        n_terms = n_terms + k  # (never a count: stored anew all the same)
    return total


def rebound_in_a_loop_at_its_default(outputs, targets):
    return {"loss": _rebound_in_a_loop_at_its_default(outputs["x"], _y(targets))}


# The literal 8 (a helper's parameter that its code may rebind, so not proven a constant) divides
# a sum of the whole batch: where it equals a multiple of the images it was read as a count times a
# factor (8 x 1 / 2 on batch 2), where the body divides by 8 on a group alone too (found writing the
# near misses of this rule; as on main, 76580a6). A parameter its code stores anew, equal to a count
# by value, declines (``_bytecode.rebound_parameter_divisor``, pin39, session 38); the passed literal
# at a branch the call rules out still splits (the first test of this module).
@pytest.mark.parametrize("body", [number_tested_in_a_loop, rebound_past_the_branch_too, rebound_on_a_test_of_the_batch,
                                  rebound_in_a_loop_at_its_default], ids=lambda f: f.__name__)
def test_a_literal_a_helper_may_rebind_is_never_wrong(body):
    _never_wrong(body)


def test_a_literal_a_helper_may_rebind_equal_to_a_count_declines():
    """On 2 images the literal 8 equals 4 x the images: declined naming the parameter stored anew; on
    3 images it equals no count and divides as a constant (exact)."""
    got, want, said = rule_outcome(rebound_past_the_branch_too, rule_batch(*RULE_BATCHES[2]))
    assert got == {} and any("a division by a parameter its code stores anew" in m for m in said), (got, said)
    got, want, said = rule_outcome(rebound_past_the_branch_too, rule_batch(*RULE_BATCHES[1]))
    assert got and got == pytest.approx(want, rel=1e-5, abs=1e-6), (got, want, said)


def basis_from_the_batchs_values(outputs, targets):
    """Directions taken from the batch's predictions averaged over the images: the images mix."""
    basis = outputs["x"].detach().mean(0).reshape(-1)
    return {"loss": _projected(outputs["x"], _y(targets), basis=basis)}


def test_directions_from_the_batchs_values_decline():
    check_rule(basis_from_the_batchs_values, "loss", declines=True)


def _over_a_count_floored_in_the_helper(x, y, num_pos):
    num_pos = max(num_pos, 1)  # (stored anew: the caller's count, floored)
    return (x - y).abs().sum() / num_pos


def count_passed_to_a_helper_that_floors_it(outputs, targets):
    """Near miss: the caller passes a count it computed (the images), which the helper floors and
    divides by: no constant of the call, read as that count as before (the group's)."""
    return {"loss": _over_a_count_floored_in_the_helper(outputs["x"], _y(targets), len(targets))}


def test_a_count_passed_to_a_helper_that_rebinds_it_splits():
    check_rule(count_passed_to_a_helper_that_floors_it, "")
