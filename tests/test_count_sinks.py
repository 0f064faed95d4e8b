"""A number computed from the batch's count or sizes at an op argument no rule rescales per group
(helper sink, session 32): measured against the oracle on the red-team-28 batches
(``tests/_count_sink_bodies.py``). Each ``sink`` body declines with a warning naming the key and
the op (on 1946ad9 all but ``one_image_times_rows_total`` were silently WRONG); each near miss (a constant equal to the count or
to a bound, a count only in a ``range``, a size of a dim without images, one image's own rows, a
sum over the count) splits exactly."""

import pytest
from _count_sink_bodies import BODIES, CONVERTS
from _red_team28_measure import assert_pinned, measure

EXACT = {name for name, (family, _, _) in BODIES.items() if family == "near"}


PINNED = {"one_image_over_min_count": "known WRONG (sink, session 32, not fixed): one image's value over ``min(n, 2)`` "
                                     "of the count: the batch's on every group"}


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
    "power_by_weight": "at Tensor.pow with a Python number the body computed from the images' weight field",
    "width_divides_inline": "at Tensor.div",
    "sum_times_attribute_of_count": "at a product (``*``) of a reduced value by a number the body computed from the "
                                    "batch's count",
}
