# ruff: noqa: B905 -- zips of iterables of other lengths are what these bodies try
"""Bodies of ``tests/test_counted_loops.py`` (helper lp2, session 35): sums in a loop whose iterable
the body computes from the number of images (``_bytecode.counted_loop``, r3lp) -- one image's terms
(``e1(o, t, b)``) or whole-batch terms (``_bt``) -- and loops that look alike. Near misses (family
``near``: a loop of one item per image, ``enumerate([0.2] * len(t))``, ``range(len(t) - 1,
-1, -1)``, two strided loops covering every image) must split exactly; a loop that does not visit
every image once (``range(len(t) // 2)``, ``range(len(t) - 1)``, a helper's count) must decline.

``BODIES``: name -> (family, batch kind, body), measured by ``tests/_red_team28_measure.py``."""

from __future__ import annotations

from typing import Any

import torch
from _red_team27_bodies import registrar
from _red_team31_bodies import e1

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)


def _half(t):
    return (len(t) + 1) // 2


def _bt(o, t, d):
    """A whole-batch term: the mean L1 of every image over the first ``d`` columns."""
    return (o["x"][..., :d] - torch.stack([x["y"][..., :d] for x in t])).abs().mean()


def _add(loss, o, t, k):
    return loss + e1(o, t, k)


# === 1. one item per image: must split exactly (``zip([0.2] * len(t), range(len(t)))``:
# ``tests/_unread_factor_bodies.py``' near_zip_constant_list_for_loop) ================================


@body("near")
def enumerate_constant_list_term_first(o, t):
    loss = 0.0
    for b, w in enumerate([0.2] * len(t)):
        loss = w * e1(o, t, b) + loss
    return {"loss": loss}


@body("near")
def reversed_range_of_len(o, t):
    loss = 0.0
    for b in range(len(t) - 1, -1, -1):
        loss = loss + e1(o, t, b)
    return {"loss": loss}


@body("near")
def range_of_len(o, t):
    loss = 0.0
    for b in range(len(t)):
        loss = loss + e1(o, t, b)
    return {"loss": loss}


@body("near")
def two_strided_loops_cover_every_image(o, t):
    loss = 0.0
    for b in range(0, len(t), 2):
        loss = loss + e1(o, t, b)
    for b in range(1, len(t), 2):
        loss = loss + e1(o, t, b)
    return {"loss": loss}


# === 2. a loop not visiting every image once: must decline ========================================


@body("skip")
def one_image_terms_half(o, t):
    loss = 0.0
    for b in range(len(t) // 2):
        loss = loss + e1(o, t, b)
    return {"loss": loss}


@body("skip")
def one_image_terms_minus_one(o, t):
    loss = 0.0
    for b in range(len(t) - 1):
        loss = loss + e1(o, t, b)
    return {"loss": loss}


@body("skip")
def one_image_terms_minus_one_term_first(o, t):
    loss = 0.0
    for b in range(len(t) - 1):
        loss = e1(o, t, b) + loss
    return {"loss": loss}


@body("skip")
def one_image_terms_helper_half(o, t):
    loss = 0.0
    for b in range(_half(t)):
        loss = loss + e1(o, t, b)
    return {"loss": loss}


@body("skip")
def one_image_terms_zip_minus_one(o, t):
    loss = 0.0
    for w, b in zip([0.2] * len(t), range(len(t) - 1)):
        loss = loss + e1(o, t, b) * w
    return {"loss": loss}


@body("skip")
def zip_short_constant_list(o, t):
    loss = 0.0
    for w, b in zip([0.5] * (len(t) - 1), range(len(t))):
        loss = loss + w * e1(o, t, b)
    return {"loss": loss}


@body("skip")
def one_image_terms_from_one(o, t):
    loss = 0.0
    for b in range(1, len(t)):
        loss = loss + e1(o, t, b)
    return {"loss": loss}


@body("skip")
def one_image_terms_iadd_half_up(o, t):
    loss = 0.0
    for b in range((len(t) + 1) // 2):
        loss += e1(o, t, b)
    return {"loss": loss}


@body("skip")
def one_image_terms_stored_count(o, t):
    k = len(t) - 1
    loss = 0.0
    for b in range(k):
        loss = loss + e1(o, t, b)
    return {"loss": loss}


@body("skip")
def one_image_terms_from_the_last(o, t):
    loss = 0.0
    for b in range(len(t) - 1):
        loss = loss + e1(o, t, len(t) - 1 - b)
    return {"loss": loss}


@body("skip")
def one_image_terms_even_positions(o, t):
    loss = 0.0
    for b in range(len(t) // 2):
        loss = loss + e1(o, t, 2 * b)
    return {"loss": loss}


@body("skip")
def first_image_repeated(o, t):
    loss = 0.0
    for _ in range(len(t) // 2):
        loss = loss + e1(o, t, 0)
    return {"loss": loss}


@body("skip")
def last_image_repeated(o, t):
    loss = 0.0
    for _ in range(len(t) - 1):
        loss = loss + e1(o, t, len(t) - 1)
    return {"loss": loss}


@body("skip")
def one_image_terms_added_in_a_helper(o, t):
    loss = 0.0
    for k in range(len(t) // 2):
        loss = _add(loss, o, t, k)
    return {"loss": loss}


@body("skip")
def one_image_and_batch_term(o, t):
    loss = 0.0
    for k in range(len(t) // 2):
        loss = loss + e1(o, t, k) + _bt(o, t, 4 - k)
    return {"loss": loss}


@body("skip")
def batch_and_one_image_term(o, t):
    loss = 0.0
    for k in range((len(t) + 1) // 2):
        loss = loss + _bt(o, t, 4 - k) + e1(o, t, k)
    return {"loss": loss}


@body("skip")
def batch_terms_reversed_range(o, t):
    loss = 0.0
    for k in range(len(t) - 1, -1, -1):
        loss = loss + _bt(o, t, 5 - k)
    return {"loss": loss}


# === 3. WRONG on 7a20bd5: declined now (``counted_loop``) =========================================


@body("counted")
def adjacent_pairs(o, t):
    loss = 0.0
    for k in range(len(t) - 1):
        loss = loss + (e1(o, t, k) + e1(o, t, k + 1))
    return {"loss": loss}


@body("counted")
def adjacent_pairs_added_one_by_one(o, t):
    loss = 0.0
    for k in range(len(t) - 1):
        loss = loss + e1(o, t, k) + e1(o, t, k + 1)
    return {"loss": loss}


@body("counted")
def every_image_in_a_counted_inner_loop(o, t):
    loss = 0.0
    for b in range(len(t)):
        for _ in range(len(t) // 2):
            loss = loss + e1(o, t, b)
    return {"loss": loss}


@body("counted")
def upper_triangle_of_pairs(o, t):
    loss = 0.0
    for i in range(len(t)):
        for j in range(i + 1, len(t)):
            loss = loss + e1(o, t, i) * 0.5 + e1(o, t, j) * 0.5
    return {"loss": loss}


@body("counted")
def batch_terms_zip_short_list(o, t):
    loss = 0.0
    for w, k in zip([0.5] * (len(t) - 1), range(len(t))):
        loss = loss + w * _bt(o, t, 5 - k)
    return {"loss": loss}


@body("counted")
def batch_terms_two_items_per_image(o, t):
    loss = 0.0
    for k, w in enumerate([0.5, 0.25] * len(t)):
        loss = loss + w * _bt(o, t, 1 + k % 4)
    return {"loss": loss}


# === 4. a range with a start, read as a loop over the images (WRONG on 7a20bd5, declines since lp3) ==


@body("counted")
def adjacent_pairs_zipped_ranges(o, t):
    loss = 0.0
    for a, b in zip(range(len(t)), range(1, len(t))):
        loss = loss + (e1(o, t, a) + e1(o, t, b))
    return {"loss": loss}


@body("counted")
def batch_terms_range_from_one(o, t):
    loss = 0.0
    for k in range(1, len(t)):
        loss = loss + _bt(o, t, 5 - k)
    return {"loss": loss}


# === 5. near misses of a range with a start (lp3, session 35); whole-batch terms in a strided range,
# still WRONG (pinned: a step is left to the per-image sums' rules, which do not see whole-batch terms) ==


@body("near")
def range_from_zero_of_len(o, t):
    loss = 0.0
    for b in range(0, len(t)):
        loss = loss + e1(o, t, b)
    return {"loss": loss}


@body("skip")
def one_image_terms_range_from_one(o, t):
    loss = 0.0
    for b in range(1, len(t)):
        loss = loss + e1(o, t, b)
    return {"loss": loss}


@body("near")
def batch_terms_strided_literal_range(o, t):
    loss = 0.0
    for k in range(0, 4, 2):  # (pin36) a step over literal bounds: two terms on any group
        loss = loss + _bt(o, t, 5 - k)
    return {"loss": loss}


@body("held")
def batch_terms_strided_range(o, t):
    loss = 0.0
    for k in range(0, len(t), 2):
        loss = loss + _bt(o, t, 5 - k)
    return {"loss": loss}


@body("held")
def batch_terms_range_from_one_strided(o, t):
    loss = 0.0
    for k in range(1, len(t), 2):
        loss = loss + _bt(o, t, 5 - k)
    return {"loss": loss}
