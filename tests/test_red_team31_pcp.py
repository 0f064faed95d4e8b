"""Red team of session 31 (helper pcp): 77 adversarial bodies (``tests/_red_team31_pcp_bodies.py``)
aimed at the count-provenance rules of session 31 (cpin): a side size of an argument as passed
(written at the division, kept in a local, returned by a lambda or a one-line function), the
other dims of a join along dim 0 of argument tensors, a cut of a later dim by the count of the
images, a count passed to a method not found without running code -- each spelt so that a
constant may be taken for the count of the images or the other way round. Measured against the
oracle (the undecorated body on each group's images alone, weight 1) on the 8 batches of
``tests/_red_team28_measure.py`` (2 to 5 images, groups of 1 to 3, one group absent).

On 4df16fe (cpin's branch): 13 exact, 36 declined, 23 WRONG of the first 72 bodies; every one of
the 23 WRONG on main (32a9c3d) too: none comes from cpin's rules, which hold on every spelling
aimed at them (a field set by ``dict.update``, a helper, ``operator.setitem``, ``setdefault`` or an
alias; a local re-stored in a branch; a join of targets' tensors along dim 1 or kept in a local).

After this branch (``_bytecode.counted_subscript`` reads the index of ``operator.getitem(x, idx)``
and ``x.__getitem__(idx)``, a specialised PRECALL included, and running counts; a count passed by
``power(*(e, n - 1))``, a CALL_FUNCTION_EX, to a method not found without running code is read
from the unpacked arguments; a side size kept in a local of a join stored once in code without
loops is the join's), on all 77: see ``EXACT`` and ``NOT_FIXED``."""

import pytest
from _red_team26_bodies import XBATCHES
from _red_team26_measure import measure as measure_batches
from _red_team28_measure import extra_batches
from _red_team31_pcp_bodies import BODIES, CONVERTS

_PRE = "known WRONG (pcp red team, session 31; README Known limits): "
NOT_FIXED: dict[str, str] = {  # name -> the strict xfail's reason (silently wrong, not fixed; all WRONG on main too)
}
EXACT = {
    "side_lambda_default_count", "side_argument_rows_plain", "side_argument_width_kept_in_local",
    "side_field_set_by_update_to_constant_width", "join_cat_of_argument_pairs_side", "join_stack_of_targets_rows",
    "join_stack_of_targets_columns", "join_stack_of_targets_along_dim1", "join_stack_of_targets_kept_in_local",
    "join_stack_along_dim1_kept_in_local", "cut_images_dim_by_count", "cut_by_own_size", "cut_by_first_image_field",
    "cut_by_loop_over_columns", "cut_by_operator_getitem_of_images", "unread_literal", "unread_star_literal",
    "unread_partial_literal", "cut_by_arange_of_own_size", "cut_by_helper_returning_constant", "cut_by_tensor_constant",
    "cut_by_numel_of_first_image_field", "cut_by_index_select_of_own_size", "cut_by_arange_local_of_own_size",
    "cut_by_argmax_positions", "cut_by_positions_of_first_image_field", "join_stack_of_argument_repeated_by_literal",
}
WERE_WRONG = {  # WRONG on 4df16fe (and main), exact or declined now
    # (declined since pinsb, session 32: a dim size of a tensor the body made equal to a count of the batch)
    "join_cat_of_count_rows_set_by_helper", "join_cat_of_count_rows_set_by_update", "join_cat_of_per_image_count_rows",
    "join_of_computed_kept_in_local", "join_stack_of_transposed_targets",
    # (the last two decline since the merge with g37 / cells: loop positions cutting a later dim, counts in loops)
    "join_stack_of_targets_kept_in_local", "cut_by_running_count", "cut_by_operator_getitem", "cut_by_dunder_getitem",
    "unread_star_args", "unread_star_list", "unread_double_star", "unread_wrapped_in_tuple",
    "side_local_restored_in_loop", "cut_by_enumerate_position",
    # (pc2: the index spelt as ``targets.__len__()``, ``w.numel()`` of a tensor of the images' weights, a helper
    # returning ``len``, a tensor local ``torch.tensor(len(targets))``, tensor positions ``torch.arange(len(t) - 1)``
    # by a subscript or ``index_select``)
    "cut_by_dunder_len", "cut_by_numel_of_weights", "cut_by_helper_returning_count", "cut_by_tensor_count",
    "cut_by_arange_index", "cut_by_index_select",
    # (pc2f: tensor positions by the count kept in a local, by a subscript or ``index_select``; ``torch.tensor([len(t) - 2])``)
    "cut_by_arange_local", "cut_by_tensor_of_count_position", "cut_by_index_select_of_local",
    # (pc2f: a join of a list repeated by the count, ``torch.stack([x] * len(targets))``, a ``cat`` of a local one)
    "join_stack_of_repeated_argument", "join_cat_of_argument_repeated_by_count",
    # (session 33, old: a partial's bound arguments shift the call's own, ``_bytecode._unread_argument_spans``)
    "unread_partial_of_property",
    # (session 33, old: the count a lambda closes over read in the frame that made it, ``_counted_span``'s scopes)
    "side_lambda_closing_over_count",
    # (found by old, session 33, WRONG on a980fb3: a side size of an argument's field cut by an index,
    # equal to the count of 2 images, was read as it; declines since, ``_bytecode.CUT_TENSOR``)
    "side_of_a_field_cut_by_literal", "side_lambda_of_a_field_cut_by_literal", "side_lambda_closing_over_literal",
}


def _params():
    return [pytest.param(name, id=name, marks=[pytest.mark.xfail(strict=True, reason=NOT_FIXED[name])]
                         if name in NOT_FIXED else []) for name in sorted(BODIES)]


@pytest.mark.parametrize("name", _params())
def test_every_body_splits_exactly_or_declines(name):
    """No body is wrong, crashes or changes the loss or its grads; each keeps its measured outcome
    (exact on every batch, or a decline whose warning names the key or the call)."""
    with extra_batches():
        result = measure_batches(name, BODIES, CONVERTS, list(XBATCHES))
    per = {batch: (r["class"], r.get("wrong") or r.get("why")) for batch, r in result["per"].items()}
    assert result["class"] == ("exact" if name in EXACT else "declined"), per


def test_the_tables_name_bodies_that_exist():
    assert EXACT | set(NOT_FIXED) | WERE_WRONG <= set(BODIES)
    assert not EXACT & set(NOT_FIXED) and not WERE_WRONG & set(NOT_FIXED)
    assert len(BODIES) == 97 and len(EXACT) == 27 and not NOT_FIXED
