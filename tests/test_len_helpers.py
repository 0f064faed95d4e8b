"""A one-parameter helper returning ``len`` of its argument (``def _len(v): return len(v)``) whose
result the body holds in a local (``n = _len(t)``, then ``clamp(max=0.1 * n)``): on a group alone the
body computes the bound from the group's count; ``_bytecode._len_helper_count`` follows the local as
``sized_argument`` follows a size helper's (one parser, ``_bytecode._returned_size``). And a clamp
bound ``self.cap`` that a method ``forward`` calls stores from the count (``self._setup(t)``, also
given ``len(t)``, by keyword, under ``if len(t) > 0:``, or through a second method;
``_bytecode._method_stored``). Before session 34 each kept the batch's bound on every group (WRONG);
they decline now, naming the key and the op. Near misses (a helper returning a constant, a length of
a list of no images, one image's own count, DETR-like bodies, a method storing a constant or the
length of a list of no images, or kept from the first call, or run after the op) split exactly."""

import pytest
from _len_helper_bodies import BODIES, CONVERTS
from _red_team28_measure import assert_pinned, measure

EXACT = {name for name, (family, _, _) in BODIES.items() if family == "near"} | {
    "mean_by_len_helper_through_local",  # the count itself as a divisor: a mean over the group
}
WERE_WRONG = {name for name in BODIES if name not in EXACT}
OPS = {"pow_by_len_helper_through_local": "Tensor.pow with a Python number the body computed from a length of its data"}
CLAMP = "Tensor.clamp with a Python number the body computed from a length of its data"


@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad=True to a scalar")
@pytest.mark.parametrize("name", sorted(BODIES))
def test_every_body_splits_exactly_or_declines(name):
    assert_pinned(name, EXACT, BODIES, CONVERTS)


def test_the_tables():
    assert len(BODIES) == 21 and len(WERE_WRONG) == 9


@pytest.mark.parametrize("name", sorted(WERE_WRONG))
def test_the_decline_names_the_key_and_the_op(name):
    result = measure(name, BODIES, CONVERTS)
    said = [m for r in result["per"].values() if r["class"] == "declined" for m in r["said"]]
    assert said and "key 'loss'" in said[0], said
    assert OPS.get(name, CLAMP) in said[0], said
