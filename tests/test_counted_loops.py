"""Sums in a loop whose iterable the body computes from the number of images, against the oracle
(helper lp2, session 35; bodies in ``tests/_counted_loop_bodies.py``, measured on the red-team-28
batches: 2 to 5 images, groups of different sizes, a group absent).

r3lp declines an add in such a loop (``_bytecode.counted_loop``) and over-declined loops of one
item per image, exact on 7a20bd5: ``zip([0.2] * len(t), range(len(t)))`` (``tests/test_unread_factors.py``'
near_zip_constant_list_for_loop), ``enumerate([0.2] * len(t))``, ``range(len(t) - 1, -1, -1)``. Those
now read as loops over the images (``_bytecode._item_per_image``) and split exactly (``near``). Loops of one image's terms that do not
visit every image once (``skip``: ``range(len(t) // 2)``, ``range(len(t) - 1)``, ``range(_half(t))``,
a short zip, a repeated image) decline, as they did on 7a20bd5 (the per-image sums' rules) or now
naming the counted loop. Six were WRONG on 7a20bd5 and decline naming the counted loop since r3lp
(``counted``): on a batch whose loop adds each image once (two images: ``range(len(t) - 1)`` of
pairs, an inner ``range(len(t) // 2)``) the per-image rules saw each image once, yet a group alone
adds none; pairs ``range(i + 1, len(t))`` add each image n - 1 times; whole-batch terms zipped with
``[0.5] * (len(t) - 1)`` or over ``[0.5, 0.25] * len(t)`` took the batch's number of terms.
A ``range`` with a start (``range(1, len(t))``) was read as a loop over the images (WRONG on 7a20bd5):
since lp3 (session 35) it is no loop over the images (``_bytecode._range_from_elsewhere``) and its two
bodies decline naming the counted loop (now ``counted``); ``range(0, len(t))`` splits. Whole-batch terms in
a strided range (``range(0, len(t), 2)``, ``held``) were WRONG (lp3's pin, on 7a20bd5 too): since pin36 (session 36)
an add of terms of several images in a loop over a ``range`` with a step bounded by ``len`` of a parameter declines
naming it (``_bytecode.strided_loop``); one image's terms there are still the per-image sums' rules (two strided
loops covering every image split), and a step over literal bounds splits."""

import pytest
from _counted_loop_bodies import BODIES, CONVERTS
from _red_team28_measure import assert_declined_naming, assert_pinned

EXACT = {name for name, (family, _, _) in BODIES.items() if family == "near"}
WERE_WRONG = {name for name, (family, _, _) in BODIES.items() if family == "counted"}
HELD = {name for name, (family, _, _) in BODIES.items() if family == "held"}
_COUNTED = "of terms in a loop over an iterable computed from the number of images"


@pytest.mark.parametrize("name", sorted(set(BODIES) - HELD))
def test_every_body_splits_exactly_or_declines(name):
    assert_pinned(name, EXACT, BODIES, CONVERTS)


@pytest.mark.parametrize("name", sorted(WERE_WRONG))
def test_a_loop_adding_each_image_once_only_on_the_batch_declines_naming_it(name):
    assert_declined_naming(name, _COUNTED, BODIES, CONVERTS)


@pytest.mark.parametrize("name", sorted(HELD))
def test_whole_batch_terms_in_a_strided_range_decline_naming_it(name):
    assert_pinned(name, EXACT, BODIES, CONVERTS)
    assert_declined_naming(name, "of terms of several images in a loop over a strided range", BODIES, CONVERTS)


def test_the_tables():
    assert len(BODIES) == 34 and len(EXACT) == 6 and len(WERE_WRONG) == 8 and len(HELD) == 2
