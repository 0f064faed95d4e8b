"""Numbers a nested function, a lambda or a comprehension reads out of a parameter or a free variable
that the call wrote a number of the batch into (``_bytecode._held_count``; bodies in
``tests/_held_count_bodies.py``): a default list or dict filled with ``max(len(t), 3)`` (by the body, by
a helper), set to ``0.1 * len(t)`` after the ``def``, a ``SimpleNamespace`` default, a lambda's cell
of a maker no longer running that the body called with such a number or the batch, a helper's or a
lambda's parameter passed or defaulting to such a number (``_bytecode.batch_number``). Each was silently
WRONG on b08b9f7 (measured against the oracle on the red-team-28 batches) and declines now, naming
the key and the op; the near misses, the same shapes holding literals or configuration, split exactly."""

import pytest
from _held_count_bodies import BODIES, CONVERTS
from _red_team28_measure import assert_pinned, measure

EXACT = {name for name, (family, _, _) in BODIES.items() if family == "near"}
DIVISION = "a division (``/``) of one image's value by a number the body computed from the batch's count"
CLAMP = "Tensor.clamp with a Python number the body computed from a length of its data"
CLAMPED = {"closure_list_filled_later", "default_list_augmented_later", "namespace_default_set_later",
           "clamp_lambda_made_by_global_helper"}


@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad=True to a scalar")
@pytest.mark.parametrize("name", sorted(BODIES))
def test_every_body_splits_exactly_or_declines(name):
    """No body is wrong, crashes or changes the loss, its grads or the criterion's state; each
    near miss is exact on every batch, each other body declines naming the key."""
    assert_pinned(name, EXACT, BODIES, CONVERTS)


@pytest.mark.parametrize("name", sorted(set(BODIES) - EXACT))
def test_the_decline_names_the_key_and_the_op(name):
    result = measure(name, BODIES, CONVERTS)
    said = [m for r in result["per"].values() if r["class"] == "declined" for m in r["said"]]
    assert said and "key 'loss'" in said[0] and (CLAMP if name in CLAMPED else DIVISION) in said[0], said


def test_the_tables_name_bodies_that_exist():
    assert CLAMPED <= set(BODIES) - EXACT and len(BODIES) == 37 and len(EXACT) == 17
