"""A reduced loss times one over the number of images (helper recip, session 31): ``l.sum() *
(1.0 / n)`` and ``scale = 1.0 / n; l.sum() * scale`` with ``n = len(targets)`` split as ``l.sum()
/ n`` (on a group alone, over the group's images), measured against the oracle on the red-team-28
batches; averages and one image's value so scaled decline. On 1086d00 the local forms were
silently WRONG (the batch's factor on every group) and the inline form declined. Other fractions of
a count (``1.0 / (n + 1)``, ``1.0 / len(kept)`` of a filtered list, ``1.0 / len(o["x"])``, a factor
stored again in a branch or in the loop) decline (rc2, session 31; silently WRONG on 97e4ba2)."""

import pytest
from _reciprocal_count_bodies import BODIES, CONVERTS
from _red_team28_measure import assert_pinned

EXACT = {
    "over_local_count", "times_inline_reciprocal", "times_reciprocal_of_local_count", "times_scale_local",
    "scale_local_times", "times_scale_of_float_count", "near_constant_scale", "near_constant_list_scale",
}


@pytest.mark.parametrize("name", sorted(BODIES))
def test_every_body_splits_exactly_or_declines(name):
    assert_pinned(name, EXACT, BODIES, CONVERTS)
