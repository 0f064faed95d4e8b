"""Bodies of ``tests/test_reciprocal_counts.py`` (helper recip, session 31): a reduced loss times
one over the number of images, written inline, through a local count (``n = len(targets)``) or a
local factor (``scale = 1.0 / n``), and near misses (an average, one image's value, a filtered
list's length, a count plus one, a factor stored twice or in a loop)."""

from __future__ import annotations

from typing import Any

from _red_team26_bodies import E
from _red_team27_bodies import registrar

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)


@body("recip")
def over_local_count(o, t):
    n = len(t)
    return {"loss": E(o, t).sum() / n}


@body("recip")
def times_inline_reciprocal(o, t):
    return {"loss": E(o, t).sum() * (1.0 / len(t))}


@body("recip")
def times_reciprocal_of_local_count(o, t):
    n = len(t)
    return {"loss": E(o, t).sum() * (1.0 / n)}


@body("recip")
def times_scale_local(o, t):
    n = len(t)
    scale = 1.0 / n
    return {"loss": E(o, t).sum() * scale}


@body("recip")
def scale_local_times(o, t):
    n = len(t)
    scale = 0.5 / n
    return {"loss": scale * E(o, t).sum()}


@body("recip")
def times_scale_of_float_count(o, t):
    n = float(len(t))
    scale = 1.0 / n
    return {"loss": E(o, t).sum() * scale}


@body("recip")
def int_over_float_count(o, t):
    n = float(len(t))
    return {"loss": E(o, t).sum() * (3 / n)}


@body("recip")
def near_mean_times_scale(o, t):
    n = len(t)
    scale = 2.0 / n
    return {"loss": E(o, t).mean() * scale}


@body("recip")
def near_mean_times_inline_reciprocal(o, t):
    return {"loss": E(o, t).mean() * (1.0 / len(t))}


@body("recip")
def near_one_image_times_reciprocal(o, t):
    n = len(t)
    return {"loss": E(o, t)[0].sum() * (1.0 / n)}


@body("recip")
def near_filtered_list(o, t):
    kept = [s for s in t if s["y"].sum() > 0]
    scale = 1.0 / len(kept)
    return {"loss": E(o, t).sum() * scale}


@body("recip")
def near_count_plus_one(o, t):
    n = len(t)
    return {"loss": E(o, t).sum() * (1.0 / (n + 1))}


@body("recip")
def near_count_minus_one(o, t):
    n = len(t) - 1
    return {"loss": E(o, t).sum() * (1.0 / n)}


@body("recip")
def near_rows_length(o, t):
    n = len(o["x"])
    return {"loss": E(o, t).sum() * (1.0 / n)}


@body("recip")
def near_scale_stored_twice(o, t):
    n = len(t)
    scale = 1.0 / n
    if n > 100:
        scale = 0.5
    return {"loss": E(o, t).sum() * scale}


@body("recip")
def near_scale_in_loop(o, t):
    total = 0.0
    for b in range(len(t)):
        scale = 1.0 / len(t)
        total = total + E(o, t)[b].sum() * scale
    return {"loss": total}


@body("recip")
def near_two_reciprocals(o, t):
    n = len(t)
    return {"loss": E(o, t).sum() * (1.0 / n) * (1.0 / n)}


@body("recip")
def near_reciprocal_then_divided(o, t):
    n = len(t)
    return {"loss": (E(o, t).sum() * (1.0 / n)) / n}


@body("recip")
def near_constant_scale(o, t):
    scale = 1.0 / 4
    return {"loss": E(o, t).sum() * scale}


@body("recip")
def near_constant_list_scale(o, t):
    ks = [1, 2, 3, 4]
    scale = 1.0 / len(ks)
    return {"loss": E(o, t).sum() * scale}
