"""Measure the red-team-28 bodies (``tests/_red_team28_bodies.py``) against the oracle with
``tests/_red_team26_measure.py``'s ``run_one`` on the red-team-26 batches and three more: five
images of groups of 3 and 2, three images of one group (the other absent), and two images of one
group each. The extra batches are added to ``XBATCHES`` only while a body is measured.

Run: ``PYTHONPATH=$PWD python tests/_red_team28_measure.py [name ...]``."""

from __future__ import annotations

import contextlib
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])

from _red_team26_bodies import XBATCHES  # noqa: E402
from _red_team26_measure import measure as measure_batches  # noqa: E402
from _red_team28_bodies import BODIES, CONVERTS  # noqa: E402

EXTRA = {"5i3r2s": [0.5, 1.0, 1.0, 0.5, 1.0], "3r0s": [1.0, 1.0, 1.0], "1s1r_b": [0.5, 1.0]}


@contextlib.contextmanager
def extra_batches():
    XBATCHES.update(EXTRA)
    try:
        yield
    finally:
        for name in EXTRA:
            XBATCHES.pop(name, None)


def measure(body_name: str, bodies: dict = BODIES, converts: dict = CONVERTS) -> dict:
    """``body_name`` of ``bodies`` (another red team's tables: default this one's) on every batch
    (a DETR-like body, kind ``"d"``, on the red-team-26 DETR-like batches)."""
    if bodies[body_name][1] == "d":
        return measure_batches(body_name, bodies, converts)
    with extra_batches():
        return measure_batches(body_name, bodies, converts, list(XBATCHES))


def assert_pinned(name: str, exact: set[str], bodies: dict = BODIES, converts: dict = CONVERTS) -> None:
    """The body ``name`` measures exact where ``exact`` names it, else declined."""
    result = measure(name, bodies, converts)
    per = {batch: (r["class"], r.get("wrong") or r.get("why")) for batch, r in result["per"].items()}
    assert result["class"] == ("exact" if name in exact else "declined"), per


def assert_declined_naming(name: str, op: str, bodies: dict = BODIES, converts: dict = CONVERTS) -> None:
    """The body ``name`` declines with a first warning naming the key ``'loss'`` and ``op``."""
    result = measure(name, bodies, converts)
    said = [m for r in result["per"].values() if r["class"] == "declined" for m in r["said"]]
    assert said and "key 'loss'" in said[0], said
    assert op in said[0], said


def main(names: list[str], bodies: dict = BODIES, converts: dict = CONVERTS) -> None:
    """Print each body's outcome (and what a wrong one got), then the counts."""
    counts: dict = {}
    for b in names or list(bodies):
        r = measure(b, bodies, converts)
        detail = ""
        if r["class"] not in ("exact", "declined", "none"):
            bad = next(v for v in r["per"].values() if v["class"] == r["class"])
            detail = str(bad.get("wrong") or bad.get("why") or bad.get("said") or "")[:300]
        print(f"{r['family']:12s} {r['class']:10s} {b}  {detail}", flush=True)
        counts[r["class"]] = counts.get(r["class"], 0) + 1
    print("TOTAL", sum(counts.values()), counts)


if __name__ == "__main__":
    main(sys.argv[1:])
