"""Measure the red-team-34 bodies (``tests/_red_team34_bodies.py``) on the red-team-28 batches.

Run: ``PYTHONPATH=$PWD python tests/_red_team34_measure.py [name ...]``."""

from __future__ import annotations

import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])

from _red_team28_measure import main  # noqa: E402
from _red_team34_bodies import BODIES, CONVERTS  # noqa: E402

if __name__ == "__main__":
    main(sys.argv[1:], BODIES, CONVERTS)
