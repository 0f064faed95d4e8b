"""Red team of session 32 (helper rt32): 170 adversarial bodies (``tests/_red_team32_bodies.py``)
whose counts, weights and positions travel through NumPy (``np.asarray(len(t))``, ``np.float32``
weights, ``.numpy()`` round trips, ``np.mean`` of per-image values), dataclass / ``NamedTuple`` /
``SimpleNamespace`` fields, ``itertools`` (``accumulate``, ``chain``, ``islice``, ``groupby``,
``starmap``, ``repeat``), ``enumerate(..., start=1)``, ``zip(strict=True)``, generators yielding
per-image losses, ``sorted(key=...)`` over images, ``dict.items()`` / ``.values()``, the walrus,
``match``, ``torch.where`` with Python scalars from the batch, ``torch.full`` / ``full_like`` /
``new_full`` / ``fill_`` with batch numbers, in-place ops on views, ``torch.no_grad()`` normalisers,
``.detach()`` / ``.item()`` denominators (``loss / loss.detach().sum()``) and no-op ``all_reduce``
shims around ``num_boxes`` -- 18 of them probes (``probe_*``) writing an op plainly to tell a gap
of the op from one of its spelling -- measured against the oracle (``tests/_red_team32_measure.py``:
kind ``"x"`` on the red-team-28 batches, 8 batches of 2 to 5 images, groups of different sizes, a
group absent; kind ``"d"`` on the red-team-26 DETR-like batches).

On main (1946ad9): 57 exact, 87 declined, 26 WRONG, no crash, no changed loss, grad or state.
Fixed here (each now declines, naming the key and the op; 14):
- one image's value divided by the number of images through a division call rather than ``/``
  (``v.div(len(t))``, ``torch.div(v, len(t))``, ``v.__truediv__(len(t))``,
  ``operator.truediv(v, len(t))`` -- the last run by a builtin's specialised PRECALL): the divisor
  was no count, the batch's on every group (``_bytecode._length_at`` reads such calls as it reads
  ``/``); so was an average so divided (``l.mean().div(len(t))``);
- a factory sized otherwise than by the count, filled with a number computed from it
  (``e.new_full(e.shape, len(t))``, ``torch.full(e.shape, 1.0 / len(t))``,
  ``torch.empty(e.shape).fill_(float(len(t)))``, a rows total ``c.new_full(c.shape, float(sum(..)))``):
  a constant per row, the batch's number on every group (``mode._count_valued``);
- ``torch.where(e > c, e, t[0]["loss_weight"])``: an image's weight object picked as a value, not 1
  (on a group alone every weight is 1): the batch's weight kept (``elementwise._weight_picked``).

Left WRONG (strict xfails, README Known limits; 12): see ``NOT_FIXED`` (empty since session 33).

Session 33 (helper wgt) closed: a Python test of an image's weight field (``if s["loss_weight"] == 1.0``,
``match s["loss_weight"]: case 1.0:`` in a loop over the images; on a group alone every weight is 1)
or looked up by it (``1.0 / c[s["loss_weight"]]``, a dict counting the images of each weight value) declines every
group where some image's weight decides the test otherwise than 1 does (``Frame._weight_tested``); 15 bodies added
(``weight_*`` decline, four were WRONG; ``near_*`` exact). A division by the batch's largest (smallest) box
count (``/ float(max(len(s["labels"]) for s in t))``, a local so assigned, through a tensor's ``.item()``)
declines, the number named (``_bytecode.divisor_bounds_a_comprehension`` at the op; ``Frame.bounded_sizes``
at the split: was read as the count it equals, ``len(targets)``); 9 bodies added (4 were WRONG, 5 near misses
exact, ``max(sum(..), 1)`` a floor of the total among them). A number from the count held in a field of a local record (``cfg = SimpleNamespace(cap=0.15 * len(t))``,
a dataclass by keyword or position, ``cfg.cap = ..`` set later) as a bound, threshold or exponent declines, as a
local does (``_BatchReader._made_number``); 6 bodies added (3 were WRONG, 3 near misses exact). One number per
image, the same for each, equal to a count or its reciprocal (``torch.tensor(list(itertools.repeat(1.0 / n, n)))``,
``torch.from_numpy(np.full(n, 1.0 / n))``, float32 too) declines where it meets the rows (``mode._repeated_count_number``);
5 bodies added (2 were WRONG, 3 near misses exact). A division run by C code (``map(operator.truediv, per,
[len(t)] * len(t))``, ``itertools.starmap``) by a number equal to a count declines (``_bytecode.division_unseen``:
the code executes no ``/`` there); 3 bodies added (1 was WRONG, 2 near misses exact). No pin of this red team is
left WRONG."""

import pytest
from _red_team26_measure import pinned_params
from _red_team32_bodies import BODIES
from _red_team32_measure import assert_pinned

NOT_FIXED: dict[str, str] = {  # name -> the strict xfail's reason (silently wrong, not fixed)
}
WERE_WRONG = {  # WRONG on main (1946ad9; the session-33 ones on a980fb3), declined now
    "dict_values_divided_by_count", "fill_count_into_empty", "generator_yields_div_by_count",
    "new_full_rows_total_divisor", "new_full_shape_count", "probe_div_method_by_count",
    "probe_mean_div_method_by_count", "probe_new_full_count", "probe_torch_div_by_count", "probe_truediv_by_count",
    "probe_truediv_by_count_in_loop", "probe_where_fill_first_weight_local", "torch_full_shape_reciprocal_count",
    "where_weight_scalar_first_image",
    "probe_if_weight_literal", "match_on_weight_literal",  # session 33 (wgt): a Python test of an image's weight
    "dict_counts_per_weight",  # session 33 (wgt): an image's weight as a dict's key
    # session 33 (wgt): the batch's largest (smallest) box count as a divisor
    "probe_max_boxes_divisor", "probe_max_boxes_tensor_item", "shim_num_boxes_max_of_batch",
    "namespace_count_clamp", "dataclass_cap_clamp",  # session 33 (wgt): a count in a local record's field
    "repeat_reciprocal_count_dot", "np_full_of_reciprocal_count",  # session 33 (wgt): a count's number repeated
    "probe_map_truediv_by_count", "starmap_over_count",  # session 33 (wgt): a division run by C code by a count
}
# session 45: numpy_round_trip_weights declines (red45: a tensor of floats equal to the weights made from an array
# the code cannot trace, torch.tensor(w.numpy()), is no proof of a kept weight)
EXACT = {  # the pinned exact splits (exact on main too); every other body (not in NOT_FIXED) declines
    "accumulate_count_divisor", "accumulate_per_image_last_over_count", "chain_rows_mean", "dataclass_asdict_count",
    "detach_numel_near", "detach_per_image_self_normalised_near", "detach_sum_denominator",
    "detach_sum_denominator_scaled", "dict_items_weighted", "enumerate_start1_index_only_near",
    "enumerate_start1_last_index_count", "full_like_constant_near", "generator_counted_by_consumption",
    "generator_stack_mean", "generator_sum_over_count", "groupby_weight_sums_near", "inplace_div_by_count",
    "islice_all_near", "item_count_tensor", "item_mean_denominator", "item_weight_sum", "match_on_constant_near",
    "match_on_count_capture", "namespace_weight_per_image", "near_full_shape_field_n", "near_new_full_shape_constant",
    "near_new_full_shape_own_rows", "near_per_image_div_by_literal", "near_per_image_div_by_own_rows",
    "near_reduced_torch_div_by_count", "near_where_literal_equal_to_a_weight", "new_full_count_one_element",
    "no_grad_batch_sum_normaliser", "no_grad_count_tensor", "no_grad_rows_total_near", "np_asarray_count_divisor",
    "np_count_item_divisor", "np_float32_weight_per_image", "np_float32_weights_vector", "np_ones_of_count_near",
    "numpy_round_trip_count", "probe_near_div_method_by_rows",
    "probe_near_sum_div_method_by_count", "shim_num_boxes_argument", "shim_num_boxes_giou_like_sum",
    "shim_num_boxes_guarded", "shim_num_boxes_namespace", "shim_num_boxes_numpy", "sorted_by_weight_sum_near",
    "starmap_weighted", "walrus_count_in_if", "walrus_in_comprehension_count", "walrus_weight_sum",
    "where_constant_near", "zip_strict_over_count", "zip_strict_weights",
    # session 33 (wgt): near misses of a Python test of an image's weight (a test every weight decides as 1
    # does, another field, a local constant, an image's own labels, a weight as a factor)
    "near_weight_test_true_for_every_weight", "near_weight_truth_test", "near_count_field_test_in_loop",
    "near_position_constant_test_in_loop", "near_own_labels_test_in_loop", "near_weight_scaling_in_loop",
    "near_count_as_a_lookup_key",
    # session 33 (wgt): near misses of the batch's largest box count as a divisor (computed, not dividing; a sum)
    "near_max_boxes_then_len_divisor", "near_max_boxes_then_literal_divisor", "near_sum_boxes_float_divisor",
    "near_max_boxes_tested_only", "near_floored_box_total_local_divisor",
    # session 33 (wgt): near misses of a count in a local record's field (a constant, a count in another field,
    # one image's own field)
    "near_namespace_constant_clamp", "near_dataclass_count_elsewhere_constant_cap", "near_namespace_own_field_clamp",
    # session 33 (wgt): near misses of a count's number repeated per image (a constant, 1)
    "near_repeat_constant_dot", "near_np_full_constant", "near_repeat_one_dot",
    "near_map_truediv_by_constant", "near_map_mul_by_constant",  # session 33 (wgt): C code dividing by a constant
}


@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad=True to a scalar")
@pytest.mark.parametrize("name", pinned_params(BODIES, NOT_FIXED))
def test_every_body_splits_exactly_or_declines(name):
    """No body is wrong, crashes or changes the loss, its grads or the criterion's state; each
    keeps its measured outcome (exact on every batch, or a decline whose warning names the key)."""
    assert_pinned(name, EXACT)


def test_the_tables_name_bodies_that_exist():
    assert EXACT | set(NOT_FIXED) | WERE_WRONG <= set(BODIES)
    assert not EXACT & set(NOT_FIXED) and not WERE_WRONG & (EXACT | set(NOT_FIXED))
    assert len(BODIES) == 208 and len(EXACT) == 76 and len(NOT_FIXED) == 0 and len(WERE_WRONG) == 26
