"""A one-parameter helper returning ``len`` of its argument (``def _len(v): return len(v)``) whose
result the body holds in a local (``n = _len(t)``, then ``clamp(max=0.1 * n)``): on a group alone the
body computes the bound from the group's count; ``_bytecode._len_helper_count`` follows the local as
``sized_argument`` follows a size helper's (one parser, ``_bytecode._returned_size``). And a clamp
bound ``self.cap`` that a method ``forward`` calls stores from the count (``self._setup(t)``, also
given ``len(t)``, by keyword, under ``if len(t) > 0:``, through a second method, ``super()._setup(t)``
or ``Base._setup(self, t)``; ``_bytecode._method_stored``), or that ``forward`` stores from a method
returning it (``self.cap = self._cap_of(t)``; ``_bytecode._method_returned``). Before session 34 each kept the batch's bound on every group (WRONG);
they decline now, naming the key and the op. Near misses (a helper returning a constant, a length of
a list of no images, one image's own count, DETR-like bodies, a method storing or returning a
constant or the length of a list of no images, or kept from the first call, or run after the op)
split exactly. And a function (a global or a method of ``self``) returning a number it computes
from the count (``def cap_of(t): return 0.1 * len(t)``; ``_bytecode._returns_count``), called in a
clamp bound, a factor or a divisor of a sum, or held in a local (``cap = self._cap_of(t)``): declines
(``_len_helper_count``, ``counted_call``); a DETR-like ``/ _num_boxes(t)`` stays exact. Found here and
closed by r2ln (session 34): a helper only returning what a count helper returns given its parameter
(``_bytecode._forwarded_to``) and a nested function's free variable of ``n = _len(t)``
(``_bytecode._cell_count``) decline; a divisor ``classes_count(t)`` of a function returning
``len(CLASSES)`` (pre-existing: read by value as the count of the images) splits as a constant
(``_bytecode.argumentless_call``; one reading a global the code sets or refills, or a function,
declines: family ``divisor``). Also arithmetic of such calls and
number literals (``f(t) - 1``); a product with a count (``classes_count(t) * _len(t)``) stayed a mean until
session 43, and declines since (``NOW_GAP``: ``_len(t)`` read as ``len(t)`` inline).
Found and closed by r3fc (session 34): such a function taking ``len`` of a local (or a value) it
computes from its parameter otherwise than as a list display or comprehension (``list(t)``,
``list(filter(None, t))``, ``tuple(t)``, ``sorted(t, key=..)``, ``t[:]``; ``_bytecode._listed_value``)
kept the batch's number on every group (WRONG); it declines now. ``len(list(src))`` of matched rows
a helper computes, and ``len(list(CLASSES))``, stay exact."""

import pytest
from _len_helper_bodies import BODIES, CONVERTS
from _red_team26_measure import pinned_params
from _red_team28_measure import assert_pinned, measure

_WRONG = "known WRONG (lenh, session 34, found, not fixed): a clamp bound {}: the batch's bound kept on every group"
NOT_FIXED: dict[str, str] = {}  # name -> the strict xfail's reason (silently wrong, not fixed)

# exact before session 43, declined since (a GAP, honest): the helper's ``len(t)`` is read as the same code
# inline (``_provenance``: a count from a helper through arithmetic was silently wrong, test_rules_helper_numbers),
# and ``classes_count(t) * len(t)`` inline declines as arithmetic on the number of images
NOW_GAP = {"near_sum_over_classes_count_times_len_helper"}
EXACT = {name for name, (family, _, _) in BODIES.items() if family == "near"} - set(NOT_FIXED) - NOW_GAP | {
    "mean_by_len_helper_through_local",  # the count itself as a divisor: a mean over the group
}
WERE_WRONG = {name for name in BODIES if name not in EXACT and name not in NOT_FIXED} - NOW_GAP
OPS = {"pow_by_len_helper_through_local": "Tensor.pow with a Python number the body computed from a length of its data",
       **dict.fromkeys(("sum_over_count_function", "sum_times_count_function", "sum_times_forwarded_count_function",
                        "sum_times_count_function_in_closure", "sum_times_count_function_of_sorted", "sum_times_count_function_of_slice"),
                      "a number computed from ``len(targets)``"),
       **{name: "a division by a number a function returns that reads none of its arguments"
          for name, (family, _, _) in BODIES.items() if family == "divisor"}}
CLAMP = "Tensor.clamp with a Python number the body computed from a length of its data"


@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad=True to a scalar")
@pytest.mark.parametrize("name", pinned_params(BODIES, NOT_FIXED))
def test_every_body_splits_exactly_or_declines(name):
    assert_pinned(name, EXACT, BODIES, CONVERTS)


def test_the_tables():
    assert len(BODIES) == 80 and len(WERE_WRONG) == 41 and not NOT_FIXED and not NOW_GAP & (EXACT | WERE_WRONG)


@pytest.mark.parametrize("name", sorted(NOW_GAP))
def test_a_product_of_a_length_helper_declines_naming_the_key_and_the_op(name):
    result = measure(name, BODIES, CONVERTS)
    said = [m for r in result["per"].values() if r["class"] == "declined" for m in r["said"]]
    assert said and "key 'loss'" in said[0] and "computed from the number of images" in said[0], said


@pytest.mark.parametrize("name", sorted(WERE_WRONG))
def test_the_decline_names_the_key_and_the_op(name):
    result = measure(name, BODIES, CONVERTS)
    said = [m for r in result["per"].values() if r["class"] == "declined" for m in r["said"]]
    assert said and "key 'loss'" in said[0], said
    assert OPS.get(name, CLAMP) in said[0], said
