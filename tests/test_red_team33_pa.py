"""Red team of session 33, round 2 (helper pa): adversarial bodies (``tests/_red_team33_pa_bodies.py``)
for the rules merged this session by helper wgt -- a Python test of an image's weight, the batch's
largest (smallest) box count as a divisor, a count in a local record's field, a count's number
repeated per image, a division run by C code -- and by helper wrap (readers through torch-replacing
Python wrappers), measured against the oracle as ``tests/test_red_team32.py`` measures (red-team-28
batches for kind ``"x"``, the DETR-like red-team-26 batches for kind ``"d"``).

On e613c45: 19 exact, 31 declined, 18 WRONG of 68 (no crash, no changed loss, grad or state); now 19
exact, 42 declined, 7 WRONG (pinned). Every ``wrap`` body keeps its outcome through plain wrappers of
torch's functions, a wrapper calling another and a wrapper calling the op twice (no defect found). Fixed here
(each now declines, naming the key):
- a weight tested by a comparison function of ``operator``, ``math`` or NumPy (``operator.eq(w, 1.0)``,
  ``math.isclose(w, 1.0)``, ``np.isclose(w, 1.0)``; ``_lengths._comparing_call``: ``operator.gt(w, 0.7)``
  read as ``w > 0.7``);
- the batch's largest (smallest) box count as a divisor spelled ``sorted(..)[-1]``, ``min(map(len, ..))``,
  ``torch.tensor([..]).max().item()`` (``_bytecode._bounds_comprehension``);
- a count in a ``NamedTuple``'s field or a ``dict``'s item (by the display or set later) as a clamp
  bound or an exponent (``_BatchReader._dict_item``, ``_plain_number``).
- (helper q1) an image's weight read by a module function and tested in the caller (``_weight_of(s) == 1.0``),
  tested in one (``_is_full(s)``, ``_is_full(t[b])``), returned by a ``key`` function (``sorted(range(n),
  key=lambda b: t[b]["loss_weight"])[0]``), or copied into an object and tested through ``getattr(w,
  "loss_weight")`` (``_lengths._helper_field_tests``, ``_field_tests``); 25 exact, 48 declined, 2 WRONG of 75
  with the bodies of section 8 (a helper testing an image's own field, a constant, ``getattr`` of one; the
  order a weight key makes picked from a local, ``order[0]``, or summed over: red team 32's
  ``sorted_by_weight_sum_near`` splits).
Closed by recip (session 34, declining naming the key): each image's value times a Python float equal to
the count's reciprocal zipped from ``[1 / n] * n``, or multiplied through ``map(functools.partial(operator.mul,
1.0 / len(t)), per)`` (``tests/test_unread_factors.py``): 25 exact, 50 declined, 0 WRONG of 75."""

import pytest
from _helpers import wrapped_torch
from _red_team26_measure import pinned_params
from _red_team28_measure import assert_pinned as assert_pinned_in
from _red_team28_measure import measure
from _red_team33_pa_bodies import BODIES, CONVERTS, WRAPPED

NOT_FIXED: dict[str, str] = {}  # name -> the strict xfail's reason (silently wrong, not fixed)
WERE_WRONG = {  # WRONG on e613c45, declined now
    "weight_operator_eq", "weight_math_isclose", "weight_np_isclose",
    "max_boxes_sorted_last", "max_boxes_tensor_max_item", "min_boxes_map_len",
    "dict_count_clamp", "namedtuple_count_clamp", "namedtuple_count_pow", "dict_count_set_later_clamp",
    "dict_two_keys_count_pow",
    # (helper q1: a weight read or tested in a module function called by its global name, one returned by a
    # ``key`` function, ``getattr(w, "loss_weight")``: ``_lengths._helper_field_tests``, ``_field_tests``)
    "weight_through_helper", "weight_test_in_helper", "weight_test_in_helper_by_position", "weight_getattr_test",
    "weight_sorted_key_first",
    # (recip, session 34: a float equal to the count's reciprocal no code shows, zipped from ``[1 / n] * n`` or
    # multiplied by C code: ``elementwise._unread_count_factor``)
    "python_dot_reciprocal_count", "map_partial_truediv",
}
EXACT = {  # every other body (not in NOT_FIXED) declines
    "near_weight_helper_scaling", "near_isclose_own_field", "near_float_weight_true_for_all", "near_literal_isclose",
    "near_operator_gt_true_for_every_weight", "near_operator_mul_weight",
    "near_tensor_of_box_counts_sum_item",
    "near_dict_constant_clamp", "near_namedtuple_constant_pow", "near_dict_count_elsewhere_constant_cap",
    "near_namedtuple_count_elsewhere_constant_cap",
    "near_list_times_constant", "near_np_repeat_one", "near_np_divide_constant",
    "near_wrap_two_ops_in_one_line_constants", "near_wrap_where_constant", "near_wrap_clamp_own_field",
    "near_wrap_stack_pow_constant", "near_wrap_div_by_own_rows",
    "near_helper_tests_own_field", "near_helper_own_field_by_position", "near_helper_constant_compared",
    "near_getattr_own_field", "near_weight_helper_scaling_by_position", "near_sorted_key_weight_every_image",
}


@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad=True to a scalar")
@pytest.mark.parametrize("name", pinned_params(BODIES, NOT_FIXED))
def test_every_body_splits_exactly_or_declines(name):
    """No body is wrong, crashes or changes the loss, its grads or the criterion's state; each
    keeps its measured outcome (exact on every batch, or a decline whose warning names the key)."""
    assert_pinned_in(name, EXACT, BODIES, CONVERTS)


def test_the_tables_name_bodies_that_exist():
    assert EXACT | set(NOT_FIXED) | WERE_WRONG <= set(BODIES)
    assert not EXACT & set(NOT_FIXED) and not WERE_WRONG & (EXACT | set(NOT_FIXED))
    assert len(BODIES) == 75 and len(EXACT) == 25 and len(NOT_FIXED) == 0 and len(WERE_WRONG) == 18


# -- the same bodies through Python wrappers of torch's functions ----------------------------------


def _plain(original):
    def wrapper(*args, **kwargs):
        return original(*args, **kwargs)
    return wrapper


def _nested(original):  # a wrapper calling another wrapper
    return _plain(_plain(original))


def _twice(original):  # a wrapper calling the op twice (the first result dropped)
    def wrapper(*args, **kwargs):
        original(*args, **kwargs)
        return original(*args, **kwargs)
    return wrapper


_WRAPPERS = {"plain": _plain, "nested": _nested, "twice": _twice}


def _measured(name):
    result = measure(name, BODIES, CONVERTS)
    return result["class"], {batch: (r["class"], r.get("wrong") or r.get("said")) for batch, r in result["per"].items()}


@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad=True to a scalar")
@pytest.mark.parametrize("how", sorted(_WRAPPERS))
@pytest.mark.parametrize("name", sorted(n for n, (family, _, _) in BODIES.items() if family == "wrap"))
def test_a_body_through_wrapped_torch_functions_splits_as_unwrapped(name, how):
    """Two wrapped ops in one line, a wrapper calling another, a wrapper calling the op twice: the
    outcome is the unwrapped one (``_bytecode._lasti`` and the per-op caller walk)."""
    plain, _ = _measured(name)
    with wrapped_torch(WRAPPED, _WRAPPERS[how]):
        wrapped, per = _measured(name)
    assert plain == ("exact" if name in EXACT else "declined") and wrapped == plain, per
