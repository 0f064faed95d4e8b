"""Red team of session 32 (helper pr2): 42 adversarial bodies (``tests/_red_team32_pr2_bodies.py``)
aimed at the rules merged in session 32: ``torch.lerp`` / ``torch.where`` with the images' weights
as start, end, weight or value, or a weight tensor mixed first; fills by a loop position or a
counter used as a factor, a divisor, a mask or an index; a row buffer written at a literal position
of every row (a literal, a count, an image's weight, a batch sum) or one image's row; ``torch.cat``
of a legacy empty 1-D input beside values, a zero, a count or weighted values; clamp bounds held
in attributes set by ``forward`` (a count, a constant, a batch mean, a first call, the weights);
``torch.where`` picking an image's weight object through ``torch.tensor``, ``float``, ``max`` or
``t[-1]``. Measured against the oracle on the red-team-28 batches (8 batches of 2 to 5 images,
groups of different sizes, a group absent).

On 20117c6: 18 exact, 20 declined, 4 WRONG. Fixed (declines, naming the key and
the op): ``torch.where(e > c, e, torch.tensor(t[0]["loss_weight"]))``, a tensor filled with an
image's weight object picked (``elementwise._weight_picked``). Left WRONG: 3 (``NOT_FIXED``, strict
xfails, README Known limits)."""

import pytest
from _red_team26_measure import pinned_params
from _red_team28_measure import assert_pinned as assert_pinned_in
from _red_team32_pr2_bodies import BODIES, CONVERTS

_W = "known WRONG (pr2, session 32, not fixed): "
NOT_FIXED: dict[str, str] = {  # name -> the strict xfail's reason (silently wrong, not fixed)
    "full_position_stacked_then_weighted": _W + "``torch.cat([torch.full((1,), float(i)) for i, _ in "
    "enumerate(t)])`` times the per-image losses: the fill by a loop's image position is exempted as "
    "an image index, but here it is a per-image factor (the batch's positions, not the group's)",
    "shifted_labels_count_token": _W + "``shifted[:, 0] = len(t) % 5`` of a row buffer: a number "
    "computed from the count written at a literal position of every row is kept as a literal",
    "CapFromCount": _W + "``self.cap = 0.3 / len(t)`` in ``forward``, then ``clamp(max=self.cap)``: a "
    "bound from the count held in an attribute set by the call is read as a constant",
}
WERE_WRONG = {"where_tensor_of_first_weight"}  # WRONG on 20117c6, declined now
EXACT = {  # the pinned exact splits; every other body (not in NOT_FIXED) declines
    "lerp_weights_as_end", "lerp_weights_as_start", "lerp_weights_as_weight", "lerp_weights_mixed_by_mul_add",
    "lerp_stacked_weight_tensors", "lerp_constant_near_miss", "where_weight_value", "where_weight_first",
    "full_position_batch_index_near_miss", "shifted_labels_start_token_near_miss",
    "row_buffer_literal_factor_near_miss", "cat_empty_then_values_near_miss", "cat_empty_and_weights",
    "CapConstantInForward", "CapSetOnce", "where_field_near_miss", "where_ce_first_weight",
    "where_tensor_of_literal_near_miss",
}


@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad=True to a scalar")
@pytest.mark.parametrize("name", pinned_params(BODIES, NOT_FIXED))
def test_every_body_splits_exactly_or_declines(name):
    """Each body keeps its measured outcome (exact on every batch, or a decline whose warning
    names the key)."""
    assert_pinned_in(name, EXACT, BODIES, CONVERTS)


def test_the_tables_name_bodies_that_exist():
    assert EXACT | set(NOT_FIXED) | WERE_WRONG <= set(BODIES) and not EXACT & set(NOT_FIXED)
    assert not WERE_WRONG & (EXACT | set(NOT_FIXED))
    assert len(BODIES) == 42 and len(EXACT) == 18 and len(NOT_FIXED) == 3
