"""Measure ``tests/_red_team_ps39_bodies.py`` against the oracle (the body run on each group's
images alone, weight 1) on batches of 2 to 5 images, groups of different sizes, a group absent.

Run: ``PYTHONPATH=$PWD python tests/_red_team_ps39_measure.py [name ...]``."""

from __future__ import annotations

import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])

from _helpers import Along, split_outcome, wrong_companions  # noqa: E402
from _red_team_ps39_bodies import MULTIPLES, PIECES  # noqa: E402
from test_rules_one_row_pieces import _batch as piece_batch  # noqa: E402  (the rules' own batches)
from test_rules_summed_sizes_multiple import _batch as multiple_batch  # noqa: E402

LABELS = (["a", "a", "b"], ["a", "b", "b"], ["b", "a"], ["a", "b", "a", "c"], ["b", "a", "b", "a"],
          ["a", "a", "b", "b", "a"], ["c", "c", "c"], ["a", "a", "a", "b", "a"])


def body_of(name):
    return (PIECES[name], piece_batch) if name in PIECES else (MULTIPLES[name], multiple_batch)


def measure_one(name, labels):
    body, make = body_of(name)
    try:
        got, want, said = split_outcome(body, make(labels), [Along(0), Along(0)], labels)
    except Exception as e:  # noqa: BLE001
        return "crash", repr(e)[:200]
    bad = wrong_companions(got, want)
    if bad:
        return "WRONG", bad
    if set(got) == set(want):
        return "exact", None
    return "declined", [m[:160] for m in said]


def measure(name):
    per = {tuple(lb): measure_one(name, lb) for lb in LABELS}
    classes = {c for c, _ in per.values()}
    cls = next(c for c in ("crash", "WRONG", "declined", "exact") if c in classes)
    return cls, per


if __name__ == "__main__":
    counts: dict = {}
    for n in sys.argv[1:] or [*PIECES, *MULTIPLES]:
        cls, per = measure(n)
        detail = ""
        if cls in ("WRONG", "crash"):
            detail = str(next((lb, d) for lb, (c, d) in per.items() if c == cls))[:300]
        elif cls == "declined":
            detail = str(next(d for c, d in per.values() if c == "declined"))[:200]
        print(f"{cls:9s} {n}  {detail}", flush=True)
        counts[cls] = counts.get(cls, 0) + 1
    print("TOTAL", sum(counts.values()), counts)
