"""Red team of session 35 (helper rt35): adversarial bodies (``tests/_red_team35_bodies.py``) against
the rules session 34 added: r2ln's ``argumentless_call``, r3fc's ``_listed_value``, r2cs's
``_spelled_lengths``, dflt's ``_held_count``, recip's ``factor_unread``, r2dv's ``counted_argument``,
r2wr's ``counted_write`` and r2yo's ``Frame.position_columns``. Measured against the oracle on the
red-team-28 batches (8 batches of 2 to 5 images, groups of different sizes, a group absent); the
position-column bodies on ``position_batch``'s four batches.

On 7a20bd5: 110 bodies (97 on the red-team-28 batches, 13 on the position batches); before any fix
26 exact (the 25 near misses, and ``/ torch.tensor(len(t))``), 40 declined, 44 silently WRONG (37 and
7). Fixed here (22, ``WERE_WRONG``, each now declines naming the key and the op; all WRONG on 7a20bd5):

- ``len`` of a local a count function computes from its parameter by ``t.copy()``, ``copy.copy``,
  ``map``, ``zip``, ``dict(enumerate(..))``, ``t + []``, a set or dict comprehension, ``torch.stack``
  (``_bytecode._listed_value``: read as the count, as ``list(t)`` was);
- a divisor ``/ k(t)`` of a function returning ``len`` of a global list that the body holds through an
  alias (``names = ACTIVE; names[:] = ..``) or another module's object holds (a tracker refilling it):
  a list held elsewhere is no constant (``_bytecode._unset_global``: its reference count), declined
  where it equals a count as a global number is;
- ``split`` / ``chunk`` / ``roll`` / ``F.pad`` / ``torch.split`` sized by the count along a dim
  without images (``mode._COUNT_SIZED`` is every ``_SIZED_OPS`` op now; a Python op of torch's read
  at its CALL's caches);
- ``scatter_`` / ``index_add_`` at a position of the count, and out-of-place ``scatter`` / ``index_fill``
  (``indexing._counted_write_made``).

Fixed since by helper hc2 (7 more in ``WERE_WRONG``, declining naming the key and the op): a clamp bound
``0.3 * np.sqrt(len(t))`` (NumPy's scalars are plain numbers of the body's, ``mode._PLAIN_NUMBER_TYPES``);
the count as ``count = t.__len__; count()`` or ``sum(map(lambda _: 1, t))`` (read as ``len(t)``,
``_bytecode._spelled_lengths``); weights ``1 / n`` a ``for`` binds as NumPy scalars (``np.ones(n) / n``,
``np.full``) or picks by its variable from ``dict.fromkeys(range(n), 1 / n)`` (``_bytecode.factor_unread``);
``np.linspace`` items in a loop (declined on 0b1e64a already, at the loop's sum, now at the product).
Near misses: ``tests/test_numpy_counts.py``.

Helper hc1 (session 35) closed the other 8 (each declines now; ``WERE_WRONG`` with one more body it
found WRONG, a class attribute equal to a count by value, and 13 near misses that split exactly). The 7
position-column bodies WRONG on 7a20bd5 (``POSITION_WERE_WRONG``) decline since helper pc (session 35);
``NOT_FIXED`` is empty."""

import pytest
from _helpers import split_outcome, wrong_companions
from _red_team26_measure import pinned_params
from _red_team28_measure import assert_declined_naming, assert_pinned
from _red_team35_bodies import BODIES, CONVERTS, POSITION_BODIES
from test_position_fills import SOURCES as POSITION_SOURCES
from test_position_fills import _batch as position_batch

_KNOWN = "known WRONG (rt35, session 35, not fixed; on 7a20bd5 too): "
NOT_FIXED: dict[str, str] = {  # name -> the strict xfail's reason (silently wrong, not fixed)
}
WERE_WRONG = {  # WRONG on 7a20bd5, declined now: name -> what the decline names
    **dict.fromkeys([f"clamp_by_count_function_of_{k}" for k in (
        "copy", "map", "zip", "dict_of_enumerate", "copy_module", "concatenation", "set_comprehension",
        "dict_comprehension", "stacked_targets")], "at Tensor.clamp with a Python number the body computed from a length"),
    **dict.fromkeys(["sum_over_count_of_a_list_refilled_through_an_alias",
                     "sum_over_count_of_a_list_cleared_and_extended_through_an_alias",
                     "sum_over_count_of_a_list_another_modules_object_refills",
                     "sum_over_count_function_minus_one_of_refilled_list"],
                    "at a division by a number a function returns that reads none of its arguments"),
    "split_rows_by_the_count": "at Tensor.split sized by a number the code computes from the batch",
    "chunk_rows_by_the_count": "at Tensor.chunk sized by a number the code computes from the batch",
    "pad_rows_by_the_count": "at F.pad sized by a number the code computes from the batch",
    "roll_rows_by_the_count": "at Tensor.roll sized by a number the code computes from the batch",
    "torch_split_rows_by_the_count": "at torch.split sized by a number the code computes from the batch",
    "scatter_in_place_at_the_count": "at Tensor.scatter_ into a tensor at a position computed from the number of images",
    "index_add_in_place_at_the_count": "at Tensor.index_add_ into a tensor at a position computed from the number",
    "scatter_out_of_place_at_the_count": "at Tensor.scatter of a tensor at a position computed from the number",
    "index_fill_out_of_place_at_the_count": "at Tensor.index_fill of a tensor at a position computed from the number",
    # helper hc2: NumPy's scalars and two more spellings of the count
    **dict.fromkeys(["clamp_by_a_bound_dunder_len", "clamp_by_sum_of_map_of_ones", "clamp_by_numpy_sqrt_of_count"],
                    "at Tensor.clamp with a Python number the body computed from a length"),
    **dict.fromkeys(["zip_numpy_reciprocal_weights", "zip_numpy_full_reciprocal", "dict_fromkeys_reciprocal",
                     "accumulate_reciprocal_in_a_loop_over_numpy"],
                    "at Tensor.mul: a product or division by a number equal to a count"),
    # (hc1, session 35: a class attribute a function the body calls given the batch sets from it, read by a divisor
    # function (``_bytecode.argumentless_set``); one set by nothing, equal to a count by value, as a global number)
    "sum_over_a_class_attribute_another_module_sets": "at a division by a number a function returns that reads an attribute",
    "sum_over_a_class_attribute_equal_to_a_count": "at a division by a number a function returns that reads none of its",
    # (hc1, session 35: a number from the batch stored into an attribute or a literal item and read back there
    # (``_bytecode._stored_count``); a tensor of the count one_hot reads; an in-place write without a rule at the count)
    **dict.fromkeys(["CapInAStateDict", "CapInAStatsObject", "clamp_by_a_local_list_item",
                     "clamp_by_a_helper_reading_a_dict_of_the_count", "ClampByACountFunctionAttribute"],
                    "at Tensor.clamp with a Python number the body computed from a length"),
    "one_hot_of_the_count": "at torch.tensor of a Python number computed from the number of images",  # (session 44)
    "put_in_place_at_the_count": "at Tensor.put_ into a tensor at a position computed from the number of images",
}
EXACT = {name for name in BODIES if name.startswith("near_")} | {
    "sum_over_a_tensor_of_the_count",  # ``/ torch.tensor(len(t))``: the group's own count
    # (hc1: a constant, a count of the classes stored and read back; an item beside the count's)
    "NearCapInAStateDictOfAConstant", "NearCapInAStateDictOfTheClasses", "NearCapInAStatsObjectBesideTheCount",
    "NearClampByACountFunctionAttributeOfTheClasses",  # (hc1: an instance's count function of the classes)
}


@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad=True to a scalar")
@pytest.mark.parametrize("name", pinned_params(BODIES, NOT_FIXED))
def test_every_body_splits_exactly_or_declines(name):
    """No body is wrong, crashes or changes the loss, its grads or the criterion's state; each
    keeps its measured outcome (exact on every batch, or a decline whose warning names the key)."""
    assert_pinned(name, EXACT, BODIES, CONVERTS)


def test_the_tables_name_bodies_that_exist():
    assert EXACT | set(NOT_FIXED) | set(WERE_WRONG) <= set(BODIES)
    assert not EXACT & (set(NOT_FIXED) | set(WERE_WRONG)) and not set(NOT_FIXED) & set(WERE_WRONG)
    assert len(BODIES) == 111 and len(EXACT) == 36 and len(NOT_FIXED) == 0 and len(WERE_WRONG) == 38
    assert set(POSITION_WERE_WRONG) <= set(POSITION_BODIES) and len(POSITION_WERE_WRONG) == 7


@pytest.mark.parametrize("name", sorted(WERE_WRONG))
def test_the_decline_names_the_key_and_the_op(name):
    assert_declined_naming(name, WERE_WRONG[name], BODIES, CONVERTS)


# -- r2yo's image-position columns read otherwise than by a column slice -----------------------------

# WRONG on 7a20bd5, declined now (helper pc: ``mode._column_moved`` follows the column through these picks;
# ``_POSITION_READS``, a tensor of no images read at it): name -> how the column was picked
POSITION_WERE_WRONG = {
    "scaled_by_the_image_column_transposed": "``table.T[0]``",
    "scaled_by_the_image_column_unbound": "``table.unbind(1)[0]``",
    "scaled_by_the_image_column_split_off": "``table.split([1, 5], 1)``",
    "scaled_by_the_image_column_picked_by_a_list": "``table[:, [0]]``",
    "scaled_by_the_image_column_index_selected": "``table.index_select(1, torch.tensor([0]))``",
    "scaled_by_the_image_column_selected": "``table.select(1, 0)``",
    "weighted_by_a_table_read_at_the_image_column": "``decay[table[:, 0].long()]``",
}


@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad=True to a scalar")
@pytest.mark.parametrize("name", sorted(POSITION_BODIES))
def test_a_position_column_read_otherwise_is_never_wrong(name):
    """Near misses (``near_*``: the column as an index, a targets' column as a factor) split
    exactly; the image column as a factor declines naming the key."""
    for seed in range(len(POSITION_SOURCES)):
        got, want, said = split_outcome(POSITION_BODIES[name], *position_batch(seed))
        assert not wrong_companions(got, want), (seed, got, want)
        if name.startswith("near_"):
            assert got and set(got) == set(want) and not said, (seed, said)
        else:
            assert want and not got and any("key 'loss'" in m for m in said), (seed, got, said)
        if name in POSITION_WERE_WRONG:
            assert any("key 'loss'" in m and "at Tensor.mul of an image's position" in m for m in said), (seed, said)
