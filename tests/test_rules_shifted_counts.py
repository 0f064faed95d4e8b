"""A sum divided by a size of image rows plus or minus a plain number (``l.sum() / (x.shape[0] +
12)``, ``/ (bs - 1)``): on a group alone the body divides by the same number plus the group's
count, which is no share of the batch's number, whatever multiple of the images it equals (15 = 5
x 3 images was shared as 5 a group: silently wrong on main at 76580a6, found by cov38a). Such a
``CountedInt`` is marked ``_shifted`` and the division declines naming it; the count itself, or
the count times a constant, still splits. Each body is compared with the oracle (the body run on
each group's images alone)."""

from __future__ import annotations

import pytest
import torch
from _helpers import RULE_BATCHES, check_rule, rule_batch, rule_outcome, wrong_companions


def _y(targets):
    return torch.stack([t["y"] for t in targets])


def _errors(outputs, targets):
    return (outputs["x"] - _y(targets)).abs()


def over_the_count(outputs, targets):
    return {"loss": _errors(outputs, targets).sum() / outputs["x"].shape[0]}


def over_the_count_times_a_constant(outputs, targets):
    bs = outputs["x"].shape[0]
    return {"loss": _errors(outputs, targets).sum() / (bs * 4)}


@pytest.mark.parametrize("body", [over_the_count, over_the_count_times_a_constant], ids=lambda f: f.__name__)
def test_a_sum_over_the_count_or_a_multiple_splits(body):
    check_rule(body, "")


def over_the_count_plus_a_literal(outputs, targets):
    return {"loss": _errors(outputs, targets).sum() / (outputs["x"].shape[0] + 12)}


def over_the_count_less_one(outputs, targets):
    bs = outputs["x"].size(0)
    return {"loss": _errors(outputs, targets).sum() / (bs - 1)}


def root_over_a_literal_plus_the_count(outputs, targets):
    n = 12 + outputs["x"].shape[0]
    return {"loss": (_errors(outputs, targets).sum() / n) ** 0.5}


def over_the_count_plus_a_literal_times_two(outputs, targets):
    return {"loss": _errors(outputs, targets).sum() / ((outputs["x"].shape[0] + 2) * 2)}


@pytest.mark.parametrize("body", [over_the_count_plus_a_literal, over_the_count_less_one,
                                  root_over_a_literal_plus_the_count, over_the_count_plus_a_literal_times_two],
                         ids=lambda f: f.__name__)
def test_a_sum_over_a_shifted_count_declines(body):
    check_rule(body, "loss", declines=True)


def over_the_count_plus_the_batchs_largest_error(outputs, targets):
    """The divisor shifted by a value of every image (read on the host): the images mix."""
    e = _errors(outputs, targets)
    return {"loss": e.sum() / (outputs["x"].shape[0] + float(e.detach().max()))}


def test_a_count_shifted_by_the_batchs_value_declines():
    check_rule(over_the_count_plus_the_batchs_largest_error, "loss", declines=True)


def _over_a_literal_plus_a_length(x, y):
    n = 12 + len(x)  # (inline, the division's code shows the length: declined)
    return (x - y).abs().sum() / n


def helper_over_a_literal_plus_a_tensors_length(outputs, targets):
    """``len(x)`` of a tensor of the images is a plain int (``len`` makes one): no count is marked."""
    return {"loss": _over_a_literal_plus_a_length(outputs["x"], _y(targets))}


def local_literal_plus_the_targets_length(outputs, targets):
    n = 12 + len(targets)  # inline, ``/ (12 + len(targets))`` declines: the division's code shows it
    return {"loss": _errors(outputs, targets).sum() / n}


def local_literal_times_the_targets_length(outputs, targets):
    n = 2 * len(targets)  # a multiple, no shift: not read by ``stored_shifted_lengths``
    return {"loss": _errors(outputs, targets).sum() / n}


def test_a_local_holding_a_shifted_targets_length_declines():
    """``n = 12 + len(targets)``, then ``/ n`` (session 37's lead: was WRONG, cov38a's pin): the local's one
    store is read (``_bytecode.stored_shifted_lengths``) as the division's own code would be; declined naming
    the length. A multiple held so is unchanged (never wrong)."""
    check_rule(local_literal_plus_the_targets_length, "a number computed from ``len(targets)``", declines=True)
    for seed, weights in RULE_BATCHES:
        got, want, _ = rule_outcome(local_literal_times_the_targets_length, rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, got, want)


def local_length_of_the_predictions_plus_a_literal(outputs, targets):
    x = outputs["x"]
    n = len(x) + 4
    return {"loss": (x - _y(targets)).abs().sum() / n}


def _over_twice_a_length_plus_a_literal(x, y):
    n = len(x) * 2 + 4
    return (x - y).abs().sum() / n


def helper_over_twice_a_length_plus_a_literal(outputs, targets):
    return {"loss": _over_twice_a_length_plus_a_literal(outputs["x"], _y(targets))}


def local_length_of_a_list_of_the_targets_plus_a_literal(outputs, targets):
    ys = [t["y"] for t in targets]
    n = len(ys) + 12
    return {"loss": _errors(outputs, targets).sum() / n}


def _over_a_float_of_a_literal_plus_a_length(x, y):
    n = 12.0 + len(x)
    return (x - y).abs().sum() / float(n)


def helper_over_a_float_of_a_literal_plus_a_length(outputs, targets):
    return {"loss": _over_a_float_of_a_literal_plus_a_length(outputs["x"], _y(targets))}


def literal_plus_a_side_size(outputs, targets):
    """``12 + x.shape[1]`` (15 = 5 x 3 images): a size of a dim the code does not name, in a sum."""
    return {"loss": _errors(outputs, targets).sum() / (12 + outputs["x"].shape[1])}


def local_literal_plus_a_side_size(outputs, targets):
    x = outputs["x"]
    n = 12 + x.size(1)
    return {"loss": (x - _y(targets)).abs().sum() / n}


# a local stored once from a sum or difference reads as that sum written at the division
# (``_bytecode._stored_shift``, pin39, session 38): each was WRONG on 494a35c (read by value as a
# multiple of the images: 16 = 4 x 4, 14 = 7 x 2, 15 = 5 x 3), and the two sums with a side size too
@pytest.mark.parametrize("body", [helper_over_a_literal_plus_a_tensors_length, local_length_of_the_predictions_plus_a_literal,
                                  helper_over_twice_a_length_plus_a_literal, local_length_of_a_list_of_the_targets_plus_a_literal,
                                  helper_over_a_float_of_a_literal_plus_a_length, literal_plus_a_side_size,
                                  local_literal_plus_a_side_size], ids=lambda f: f.__name__)
def test_a_literal_plus_a_plain_length_is_never_wrong(body):
    for seed, weights in [*RULE_BATCHES, (3, [1.0, 1.0, 0.5, 0.5, 0.5, 1.0, 0.5, 1.0])]:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, got, want)
        assert set(got) == set(want) or any("'loss'" in m for m in said), said


def test_a_local_literal_plus_a_length_declines():
    check_rule(helper_over_a_literal_plus_a_tensors_length, "a division by a number computed in the body by Python "
               "arithmetic", declines=True)


def _over_a_length_local_plus_two(x, y):
    k = len(x)
    n = k + 2
    return (x - y).abs().sum() / n


def helper_over_a_length_local_plus_two(outputs, targets):
    """``k = len(x)``, ``n = k + 2``: as ``/ (k + 2)`` written there, the group's rows plus 2 (WRONG on 494a35c)."""
    return {"loss": _over_a_length_local_plus_two(outputs["x"], _y(targets))}


def _over_twice_a_length(x, y):
    n = 2 * len(x)
    return (x - y).abs().sum() / n


def helper_over_twice_a_length(outputs, targets):
    return {"loss": _over_twice_a_length(outputs["x"], _y(targets))}


def literal_plus_a_literal(outputs, targets):
    n = 12
    m = n + 3
    return {"loss": _errors(outputs, targets).sum() / m}


@pytest.mark.parametrize("body", [helper_over_a_length_local_plus_two, helper_over_twice_a_length, literal_plus_a_literal],
                         ids=lambda f: f.__name__)
def test_a_local_count_plus_a_literal_or_times_one_splits(body):
    check_rule(body, "")
