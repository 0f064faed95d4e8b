"""A reduced loss times one over the number of images (helper recip, session 31): ``l.sum() *
(1.0 / n)`` and ``scale = 1.0 / n; l.sum() * scale`` with ``n = len(targets)`` split as ``l.sum()
/ n`` (on a group alone, over the group's images), measured against the oracle on the red-team-28
batches; averages and one image's value so scaled decline. On 1086d00 the local forms were
silently WRONG (the batch's factor on every group) and the inline form declined. Other fractions of
a count stay WRONG (``NOT_FIXED``, strict xfails)."""

import pytest
from _reciprocal_count_bodies import BODIES, CONVERTS
from _red_team28_measure import assert_pinned

EXACT = {
    "over_local_count", "times_inline_reciprocal", "times_reciprocal_of_local_count", "times_scale_local",
    "scale_local_times", "times_scale_of_float_count", "near_constant_scale", "near_constant_list_scale",
}
_WRONG = "known WRONG (recip, session 31, not fixed; wrong on 1086d00 too): "
NOT_FIXED = {  # a fraction of a count other than ``c / len(targets)`` kept as a constant (a decline by
    # ``_bytecode.counted_number`` also hit counts of outputs, ``1.0 / len(outputs["scales"])``, exact now)
    "near_count_minus_one": _WRONG + "``n = len(targets) - 1``, then ``l.sum() * (1.0 / n)``",
    "near_count_plus_one": _WRONG + "``l.sum() * (1.0 / (n + 1))``, ``n = len(targets)``",
    "near_filtered_list": _WRONG + "``l.sum() * scale``, ``scale = 1.0 / len(kept)`` of a filtered list of targets",
    "near_rows_length": _WRONG + "``l.sum() * (1.0 / n)``, ``n = len(o['x'])`` (on a group alone its rows)",
    "near_scale_stored_twice": _WRONG + "``scale = 1.0 / n`` stored again in a branch not taken",
    "near_scale_in_loop": _WRONG + "one image's value times ``scale = 1.0 / len(t)`` stored in the loop",
}


def _params():
    return [pytest.param(name, id=name, marks=[pytest.mark.xfail(strict=True, reason=NOT_FIXED[name])]
                         if name in NOT_FIXED else []) for name in sorted(BODIES)]


@pytest.mark.parametrize("name", _params())
def test_every_body_splits_exactly_or_declines(name):
    assert_pinned(name, EXACT, BODIES, CONVERTS)
