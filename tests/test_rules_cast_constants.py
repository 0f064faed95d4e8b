"""A divisor written as the builtin ``float`` or ``int`` of a constant of the call (SketchRNN's
``/ float(N_max * hp.batch_size)``, module globals): the constant itself, the same on any group's
images alone, however it equals a count of this batch by value (12 = 3 rows x 4 images). The
builtin of a count of the call stays that count (on a group alone the group's)."""

import pytest
import torch
from _helpers import RULE_BATCHES, check_rule, rule_batch, rule_outcome

ROWS, COLUMNS = 3, 4  # the loss's rows per image and its width: 12, a multiple of the counts of a batch


def over_float_of_globals(outputs, targets):
    """A sum over ``float`` of a product of module globals (12.0)."""
    y = torch.stack([t["y"] for t in targets])
    return {"loss": (outputs["x"] - y).abs().sum() / float(ROWS * COLUMNS)}


def over_int_of_literals(outputs, targets):
    """A sum over ``int`` of a literal product (``int(3 * 4.0)``)."""
    y = torch.stack([t["y"] for t in targets])
    return {"loss": (outputs["x"] - y).abs().sum() / int(3 * 4.0)}


def over_float_of_a_count(outputs, targets):
    """A sum over ``float`` of the images' count times 3: the group's count on a group alone."""
    y = torch.stack([t["y"] for t in targets])
    return {"loss": (outputs["x"] - y).abs().sum() / float(len(targets) * 3)}


@pytest.mark.parametrize("body", [over_float_of_globals, over_int_of_literals])
def test_a_cast_of_a_constant_divides_every_group_alike(body):
    """(fails before s50: 12.0 equal to a count by value, declined)"""
    check_rule(body, "div")


def test_a_cast_of_a_count_is_never_a_constant():
    """Declined (a count made into a plain number), never the batch's 12 for every group."""
    for seed, weights in RULE_BATCHES:
        got, want, _ = rule_outcome(over_float_of_a_count, rule_batch(seed, weights))
        assert all(got[k] == pytest.approx(want[k], rel=1e-5, abs=1e-6) for k in got), (seed, got, want)
