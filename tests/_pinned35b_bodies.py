# ruff: noqa: B009, E731 -- what these bodies try: getattr with a default, a generator's free variables
"""Bodies of session 35 (helper pinB) closing known silently wrong companions: a count floored by a
literal above a group's count (``max(float(len(t)), 2.0)``), ``w = 1.0 / len(t)`` (or ``1.0 /
_len(t)``) a free variable of a generator or a nested function multiplying one image's value,
``getattr(w, "loss_weight", 1.0)`` tested as a weight. Near misses (``near_*``) must split exactly;
every other body must decline naming the key.

``BODIES``: name -> (family, batch kind, body); measured on the red-team-28 batches by
``tests/_red_team28_measure.py``; the tests are ``tests/test_pinned35b.py``."""

from __future__ import annotations

from typing import Any

from _red_team26_bodies import E
from _red_team27_bodies import registrar
from _red_team31_bodies import e1

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)


def _len(v):
    return len(v)


# === 1. a count floored by a literal ==============================================================


@body("floor")
def floor_two(o, t):  # 2.0 on a group of one image: the floor, not the count
    k = max(float(len(t)), 2.0)
    return {"loss": E(o, t).sum() / k}


@body("floor")
def floor_two_inline(o, t):
    return {"loss": E(o, t).sum() / max(2.0, float(len(t)))}


@body("floor")
def floor_int_two(o, t):
    return {"loss": E(o, t).sum() / max(len(t), 2)}


@body("floor")
def floor_three_halves(o, t):
    k = max(float(len(t)), 1.5)
    return {"loss": E(o, t).sum() / k}


@body("floor")
def floor_int_two_stored(o, t):
    k = max(len(t), 2)
    return {"loss": E(o, t).sum() / k}


@body("near")
def near_floor_one(o, t):  # DETR's ``max(float(num_boxes), 1.0)`` of the images: the count on any group
    k = max(float(len(t)), 1.0)
    return {"loss": E(o, t).sum() / k}


@body("near")
def near_int_floor_one_stored(o, t):
    k = max(len(t), 1)
    return {"loss": E(o, t).sum() / k}


@body("near")
def near_floor_one_inline(o, t):
    return {"loss": E(o, t).sum() / max(float(len(t)), 1.0)}


@body("near")
def near_cap_above(o, t):  # a cap above every batch's count: the count on any group
    return {"loss": E(o, t).sum() / min(float(len(t)), 8.0)}


@body("near")
def near_floor_of_doubled_count(o, t):  # a floor of 1 below twice the count: twice the count on any group
    return {"loss": E(o, t).sum() / max(2.0 * len(t), 1.0)}


# === 2. one over the count, a free variable of a generator or a nested function ====================


@body("free")
def reciprocal_len_in_generator(o, t):
    w = 1.0 / len(t)
    return {"loss": sum(e1(o, t, b) * w for b in range(len(t)))}


@body("free")
def reciprocal_helper_len_in_generator(o, t):
    w = 1.0 / _len(t)
    return {"loss": sum(e1(o, t, b) * w for b in range(len(t)))}


@body("free")
def reciprocal_float_len_in_generator(o, t):
    w = 2.0 / float(len(t))
    return {"loss": sum(w * e1(o, t, b) for b in range(len(t)))}


@body("free")
def reciprocal_len_in_nested_function(o, t):
    w = 1.0 / len(t)

    def term(b):
        return e1(o, t, b) * w
    return {"loss": sum(term(b) for b in range(len(t)))}


@body("free")
def reciprocal_len_in_lambda(o, t):
    w = 1.0 / len(t)
    term = lambda b: e1(o, t, b) * w
    return {"loss": sum(term(b) for b in range(len(t)))}


@body("free")
def reciprocal_held_count_in_generator(o, t):
    n = len(t)
    w = 1.0 / n
    return {"loss": sum(e1(o, t, b) * w for b in range(n))}


@body("near")
def near_reciprocal_sum_in_generator(o, t):  # the batch's sum times 1 / n: as ``/ len(t)``
    w = 1.0 / len(t)
    return {"loss": sum(E(o, t).sum() * w for _ in range(1))}


@body("near")
def near_literal_reciprocal_in_generator(o, t):  # 1 / 4: a constant of the code
    w = 1.0 / 4
    return {"loss": sum(e1(o, t, b) * w for b in range(len(t)))}


# === 3. ``getattr`` of the weight field with a default ============================================


class _W:
    def __init__(self, w):
        self.loss_weight = w


class _Bare:
    pass


@body("weight")
def weight_getattr_default_test(o, t):
    ws = [_W(s["loss_weight"]) for s in t]
    return {"loss": sum(e1(o, t, b) if getattr(w, "loss_weight", 1.0) == 1.0 else 3.0 * e1(o, t, b)
                        for b, w in enumerate(ws))}


@body("weight")
def weight_getattr_default_test_in_loop(o, t):
    loss = 0.0
    for b, s in enumerate(t):
        w = getattr(_W(s["loss_weight"]), "loss_weight", None)
        loss = loss + (e1(o, t, b) if w == 1.0 else 3.0 * e1(o, t, b))
    return {"loss": loss}


@body("weight")
def weight_getattr_default_computed_test(o, t):
    ws = [_W(s["loss_weight"]) for s in t]
    return {"loss": sum(e1(o, t, b) if getattr(w, "loss_weight", float(1)) < 1.0 else 3.0 * e1(o, t, b)
                        for b, w in enumerate(ws))}


@body("near")
def near_getattr_default_other_field(o, t):  # a field of no weight, its default taken: the same on a group
    ws = [_Bare() for _ in t]
    return {"loss": sum(e1(o, t, b) if getattr(w, "scale", 1.0) == 1.0 else 3.0 * e1(o, t, b)
                        for b, w in enumerate(ws))}


@body("near")
def near_cap_above_stored(o, t):
    k = min(float(len(t)), 8.0)
    return {"loss": E(o, t).sum() / k}


@body("near")
def near_floor_one_of_scaled_count(o, t):  # 2.0 scales the count, 1.0 floors it: twice the count on any group
    k = max(float(len(t)) * 2.0, 1.0)
    return {"loss": E(o, t).sum() / k}


# === 4. a global helper rebound between calls ======================================================


def _three(v):
    return 3


def _counted(v):
    return len(v)


_n = _three  # rebound to ``_counted`` by the test, after calls with this


def count_of(v):
    return _n(v)


@body("rebound")
def over_max_of_rebound_helper(o, t):
    k = max(_n(t), 3)
    return {"loss": sum(e1(o, t, b) / k for b in range(len(t)))}


@body("rebound")
def over_max_of_forwarding_helper(o, t):
    k = max(count_of(t), 3)
    return {"loss": sum(e1(o, t, b) / k for b in range(len(t)))}


@body("rebound")
def times_reciprocal_of_forwarding_helper(o, t):
    w = 1.0 / count_of(t)
    total = 0.0
    for b in range(len(t)):
        total = total + e1(o, t, b) * w
    return {"loss": total}


@body("rebound")
def clamp_by_forwarding_helper(o, t):
    return {"loss": E(o, t).clamp(max=0.1 * count_of(t)).sum()}


@body("floor")
def floor_two_first_stored(o, t):
    k = max(2.0, float(len(t)))
    return {"loss": E(o, t).sum() / k}


@body("near")
def near_floor_one_of_doubled_count_stored(o, t):  # 2.0 scales the count given to ``max``: no floor above 1
    k = max(2.0 * len(t), 1.0)
    return {"loss": E(o, t).sum() / k}


# === 5. found here: a count times a factor, floored by ``max`` ====================================


@body("scaled")
def scaled_count_stored(o, t):  # 2.5 times the group's count on a group alone: split so
    k = 2.5 * len(t)
    return {"loss": E(o, t).sum() / k}


@body("scaled")
def scaled_count_floored_inline(o, t):
    return {"loss": E(o, t).sum() / max(2.5 * len(t), 1.0)}


@body("scaled")
def scaled_count_floored_stored(o, t):  # was WRONG: read as a constant of the body (the batch's 2.5 * n)
    k = max(2.5 * len(t), 1.0)
    return {"loss": E(o, t).sum() / k}


@body("scaled")
def scaled_count_floored_first_stored(o, t):  # was WRONG alike
    k = max(1.0, 2.5 * len(t))
    return {"loss": E(o, t).sum() / k}


# === 6. inline floors and caps (lp3, session 35) ==================================================


@body("capped")
def cap_two_inline(o, t):  # the count on two images, 2.0 on more
    return {"loss": E(o, t).sum() / min(float(len(t)), 2.0)}


@body("capped")
def cap_two_first_inline(o, t):
    return {"loss": E(o, t).sum() / min(2, len(t))}


@body("capped")
def floor_one_of_float_len_first_inline(o, t):
    return {"loss": E(o, t).sum() / max(1.0, float(len(t)))}
