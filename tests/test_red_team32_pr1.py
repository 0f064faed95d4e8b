"""Red team pr1 (session 32): spellings and near misses of the rules merged in session 32 (sink's
bound / exponent / term of a size of image rows or the weight field, pinsb's loop counter and
made-tensor side size, gap's ``np.prod`` / ``math.prod`` of one row dim), measured against the
oracle on the red-team-28 batches (``tests/_red_team32_pr1_bodies.py``). Each body splits exactly
(``EXACT``) or declines with a warning naming the key; the silently wrong ones (all four wrong on
1946ad9 too) are pinned as strict xfails."""

import pytest
from _red_team28_measure import measure
from _red_team32_pr1_bodies import BODIES, CONVERTS

EXACT = {"near_clamp_by_unpacked_rows", "near_pow_by_width_through_helper", "near_counter_over_literals_plain",
         "stacked_last_dim_divisor", "expanded_side_size_divisor", "np_prod_zero_one_3d", "np_prod_all_but_two_3d",
         "np_prod_negative_bounds", "np_prod_none_start", "math_prod_two_dims", "np_prod_through_helper",
         "np_prod_of_list_shape", "np_prod_of_size_call", "math_prod_of_one_dim_over_rows_dim_and_count",
         "np_prod_of_one_dim_tensor_shape", "math_prod_split_numel",
         # pinned below: exact is what they must measure
         "near_while_counter_constant", "near_np_prod_rows_dim"}

PINNED = {
    "clamp_by_helper_size": "known WRONG (pr1, session 32): a clamp bound from a size of image rows read through a "
                            "helper (``0.05 * _rows(x)``, ``_rows`` returning ``v.shape[0]``): the batch's bound on "
                            "every group",
    "clamp_by_shape_slice_item": "known WRONG (pr1, session 32): a clamp bound from ``x.shape[:1][0]`` (a slice of the "
                                 "shape, then its item): the batch's bound on every group",
    "near_while_counter_constant": "known WRONG (pr1, session 32): a while-loop counter to a literal (``while c < 3: "
                                   "c += 1``) divides, equal by value to the count on a batch of 3 images: read as "
                                   "the images' count",
    "near_np_prod_rows_dim": "known WRONG (pr1, session 32): ``np.prod(x.shape[1:2])`` of an argument's dim without "
                             "images (3) equal by value to the count on a batch of 3 images: read as the images' count",
}

# near_made_zeros_side_size declines (a GAP, honest): the divisor z.shape[0] of a torch.zeros(3, 4)
# the body made equals the count on a batch of 3 images, and the side-size rule declines on all batches.


@pytest.mark.parametrize("name", [pytest.param(n, marks=[pytest.mark.xfail(strict=True, reason=PINNED[n])] if n in PINNED
                                               else []) for n in sorted(BODIES)])
def test_every_body_splits_exactly_or_declines_naming_the_key(name):
    result = measure(name, BODIES, CONVERTS)
    per = {batch: (r["class"], r.get("wrong") or r.get("why")) for batch, r in result["per"].items()}
    assert result["class"] == ("exact" if name in EXACT else "declined"), per
    if name not in EXACT:
        said = [m for r in result["per"].values() if r["class"] == "declined" for m in r["said"]]
        assert said and "'loss'" in said[0], said
