"""Measure the red-team-32 bodies (``tests/_red_team32_bodies.py``) against the oracle: kind ``"x"``
on the red-team-28 batches (``tests/_red_team28_measure.py``: 8 batches of 2 to 5 images, groups of
different sizes, a group absent), kind ``"d"`` on the red-team-26 DETR-like batches (5 batches of 2
to 4 images, 1 to 3 boxes each).

Run: ``PYTHONPATH=$PWD python tests/_red_team32_measure.py [name ...]``."""

from __future__ import annotations

import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])

from _red_team28_measure import assert_pinned as assert_pinned_in  # noqa: E402
from _red_team28_measure import main  # noqa: E402
from _red_team32_bodies import BODIES, CONVERTS  # noqa: E402


def assert_pinned(name: str, exact: set[str]) -> None:
    """The body ``name`` measures exact where ``exact`` names it, else declined."""
    assert_pinned_in(name, exact, BODIES, CONVERTS)


if __name__ == "__main__":
    main(sys.argv[1:], BODIES, CONVERTS)
