"""Measure the red-team-31 bodies (``tests/_red_team31_bodies.py``) against the oracle on the
red-team-28 batches (``tests/_red_team28_measure.py``: 8 batches of 2 to 5 images, a group absent,
groups of different sizes).

Run: ``PYTHONPATH=$PWD python tests/_red_team31_measure.py [name ...]``."""

from __future__ import annotations

import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])

from _red_team26_bodies import XBATCHES  # noqa: E402
from _red_team26_measure import measure as measure_batches  # noqa: E402
from _red_team28_measure import extra_batches  # noqa: E402
from _red_team31_bodies import BODIES, CONVERTS  # noqa: E402


def measure(body_name: str) -> dict:
    with extra_batches():
        return measure_batches(body_name, BODIES, CONVERTS, list(XBATCHES))


def assert_pinned(name: str, exact: set[str]) -> None:
    """The body ``name`` measures exact where ``exact`` names it, else declined."""
    result = measure(name)
    per = {batch: (r["class"], r.get("wrong") or r.get("why")) for batch, r in result["per"].items()}
    assert result["class"] == ("exact" if name in exact else "declined"), per


if __name__ == "__main__":
    counts: dict = {}
    for b in sys.argv[1:] or list(BODIES):
        r = measure(b)
        detail = ""
        if r["class"] not in ("exact", "declined", "none"):
            bad = next(v for v in r["per"].values() if v["class"] == r["class"])
            detail = str(bad.get("wrong") or bad.get("why") or bad.get("said") or "")[:300]
        print(f"{r['family']:12s} {r['class']:10s} {b}  {detail}", flush=True)
        counts[r["class"]] = counts.get(r["class"], 0) + 1
    print("TOTAL", sum(counts.values()), counts)
