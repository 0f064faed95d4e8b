"""A number computed from the batch's count or sizes at an op argument no rule rescales per group
(helper sink, session 32): measured against the oracle on the red-team-28 batches
(``tests/_count_sink_bodies.py``). Each ``sink`` body declines with a warning naming the key and
the op (on 1946ad9 all but ``one_image_times_rows_total`` were silently WRONG); each near miss (a constant equal to the count or
to a bound, a count only in a ``range``, a size of a dim without images, one image's own rows, a
sum over the count) splits exactly.

Since helper cnt (session 33): one image's value over a number the code computes from the batch as a
whole (``max(n, 3)``, ``min(n, 2)``, ``len(kept)`` of a list filled from the targets, a running or
comprehension total; ``_bytecode.batch_number``) and a width read at a nested function's or a
lambda's default argument decline (were WRONG); near misses: one image's own sizes and instances,
a literal or a local constant equal to the count, ``len`` of a display (``[str(len(t))]``), a
literal default of a nested function or a lambda (was WRONG: read as the count it equals)."""

import pytest
from _count_sink_bodies import BODIES, CONVERTS
from _red_team28_measure import assert_pinned, measure

EXACT = {name for name, (family, _, _) in BODIES.items() if family == "near"}


PINNED: dict[str, str] = {}  # name -> a strict xfail's reason (silently wrong, not fixed)


@pytest.mark.parametrize("name", [pytest.param(n, marks=[pytest.mark.xfail(strict=True, reason=PINNED[n])] if n in PINNED
                                               else []) for n in sorted(BODIES)])
def test_every_body_splits_exactly_or_declines(name):
    assert_pinned(name, EXACT, BODIES, CONVERTS)


@pytest.mark.parametrize("name", sorted(set(BODIES) - EXACT - set(PINNED)))
def test_the_decline_names_the_key_and_the_op(name):
    result = measure(name, BODIES, CONVERTS)
    said = [m for r in result["per"].values() if r["class"] == "declined" for m in r["said"]]
    assert said and "key 'loss'" in said[0], said
    assert OPS[name] in said[0], said


OPS = {  # the op each decline names
    "clamp_min_by_size_local": "at Tensor.clamp with a Python number the body computed from a size of image rows",
    "power_by_inline_shape": "at Tensor.pow with a Python number the body computed from a size of image rows",
    "one_image_times_rows_total": "key 'loss'",
    # (cnt, session 33: were WRONG on a980fb3 but one_image_sum_over_max_len, one_image_over_rows_total_of_shapes and
    # one_image_over_starred_display)
    **dict.fromkeys(("one_image_over_min_count", "one_image_over_min_count_in_loop", "one_image_over_filtered_count",
                     "one_image_over_rows_total_of_shapes", "one_image_over_running_total",
                     "one_image_over_display_then_filled", "one_image_over_display_then_extended",
                     "one_image_over_starred_display"),
                    "a division (``/``) of one image's value by a number the body computed from the batch's count"),
    "one_image_sum_over_max_len": "at a number computed from ``len(targets)``",
    "width_as_lambda_default": "at Tensor.div",  # (cnt: were WRONG, a width at a default argument)
    "width_as_keyword_default": "at Tensor.div",
    "position_fills_stacked_as_factor": "at torch.stack of values the body computed",  # (cnt: were WRONG)
    "position_reciprocal_fills_joined": "at torch.cat of values the body computed",
    "position_fills_joined_in_a_loop": "at torch.cat of values the body computed",
    "int_position_fills_joined_as_factor": "torch.cat of int fills of the images' positions",  # (q3, session 33: was WRONG)
    # (cnt: were WRONG; sv40: the value stored is what the code counts)
    "start_token_of_count_local": "at Tensor.__setitem__ of a value computed from the number of images",
    "start_token_of_rows_total": "at Tensor.__setitem__ of a value computed from the number of images",
    "FloorFromCount": "at Tensor.clamp with a Python number the body computed from a length of its data",
    "PowerFromCount": "at Tensor.pow with a Python number the body computed from a length of its data",
    "power_by_weight": "at Tensor.pow with a Python number the body computed from the images' weight field",
    "width_divides_inline": "at Tensor.div",
    "sum_times_attribute_of_count": "at a product (``*``) of a reduced value by a number the body computed from the "
                                    "batch's count",
}
