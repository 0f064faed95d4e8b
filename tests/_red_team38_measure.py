"""Measure the red-team-38 bodies (``tests/_red_team38_bodies.py``) with ``tests/_red_team28_measure.py``
on the red-team-28 batches (the DETR-like bodies on the red-team-26 DETR-like batches). A body of family
``"random"`` is measured with torch's and Python's global generators seeded before every call (the warm
call, the undecorated and decorated calls and each group's oracle call), so that the undecorated call and
the decorated one draw the same numbers and the oracle draws what the body would draw on the group alone.

Run: ``PYTHONPATH=$PWD python tests/_red_team38_measure.py [name ...]``."""

from __future__ import annotations

import contextlib
import random
import sys
from collections.abc import Iterator
from typing import Any

import torch

sys.path.insert(0, __file__.rsplit("/", 1)[0])

import _red_team26_measure  # noqa: E402
import _red_team28_measure  # noqa: E402
from _red_team38_bodies import BODIES, CONVERTS  # noqa: E402


def _seeded_makers(obj: Any):
    new_plain, new_dec, bound = _red_team26_measure_makers(obj)

    def seeded(inst: Any):
        forward = bound(inst)

        def call(*args: Any) -> Any:
            torch.manual_seed(0)
            random.seed(0)
            return forward(*args)
        return call
    return new_plain, new_dec, seeded


_red_team26_measure_makers = _red_team26_measure.makers


@contextlib.contextmanager
def seeded_calls(family: str) -> Iterator[None]:
    """Every call of a ``"random"`` body's criterion seeded (the others as they are)."""
    if family != "random":
        yield
        return
    _red_team26_measure.makers = _seeded_makers
    state = torch.random.get_rng_state(), random.getstate()
    try:
        yield
    finally:
        _red_team26_measure.makers = _red_team26_measure_makers
        torch.random.set_rng_state(state[0])
        random.setstate(state[1])


def measure(name: str) -> dict:
    """The outcome of body ``name`` on every batch of its kind."""
    with seeded_calls(BODIES[name][0]):
        return _red_team28_measure.measure(name, BODIES, CONVERTS)


def main(names: list[str]) -> None:
    counts: dict = {}
    for b in names or list(BODIES):
        r = measure(b)
        detail = ""
        if r["class"] not in ("exact", "declined", "none"):
            bad = next(v for v in r["per"].values() if v["class"] == r["class"])
            detail = str(bad.get("wrong") or bad.get("why") or bad.get("said") or "")[:400]
        elif r["class"] == "declined":
            said = [m for v in r["per"].values() for m in v.get("said", [])]
            detail = (said[0] if said else "")[:160]
        print(f"{r['family']:11s} {r['class']:9s} {b}  {detail}", flush=True)
        counts[r["class"]] = counts.get(r["class"], 0) + 1
    print("TOTAL", sum(counts.values()), counts)


if __name__ == "__main__":
    main(sys.argv[1:])
