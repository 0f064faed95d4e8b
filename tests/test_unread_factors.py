"""A Python float equal to a count of the batch or its reciprocal that multiplies per-image values
where no code shows it, and joins of the images' positions (helper recip, session 34; bodies in
``tests/_unread_factor_bodies.py``, measured against the oracle on the red-team-28 batches: 2 to 5
images, groups of different sizes, a group absent).

On b08b9f7: 41 bodies, 17 exact, 1 declined, 23 WRONG: each image's value times (or over) an item
of ``[1 / n] * n`` (zipped: a generator, a ``for``, a nested unpack, ``itertools.repeat``; ``*``,
``e.mul(w)``, ``torch.mul``, ``operator.mul``, ``e *= w``, ``e / w`` of ``[float(n)] * n``) or
multiplied by C code (``map(operator.mul, ..)``, a ``functools.partial`` of it, ``itertools.starmap``)
kept the batch's count on every group (now ``elementwise.unread_count_factor``,
``_bytecode.factor_unread``); ``torch.stack`` of int fills of the images' positions (only ``torch.cat``
was read) and joins of positions made by arithmetic in a comprehension (``torch.ones(1) * i``, ``i *
torch.ones(1)``, ``torch.zeros(1) + i``) as a factor kept the batch's positions (now
``mode._position_values``). Now 15 exact, 26 declined naming the key and the op: an image's own count
zipped (``near_zip_own_*``, exact before) declines on a batch of as many images (a GAP, never wrong).
Only one image's values are read so: a loss of several images times a head's weight zipped with the
heads (``near_zip_head_weights_of_batch_losses``, red team 33's ``SumWeightsComputed``) is a
coefficient whatever count it equals."""


import pytest
from _red_team28_measure import assert_pinned, measure
from _unread_factor_bodies import BODIES, CONVERTS

OWN_COUNTS = {"near_zip_own_label_counts", "near_zip_own_field"}  # an image's own count, 3: see below
EXACT = {name for name, (family, _, _) in BODIES.items() if family == "near"} - OWN_COUNTS
OPS = {
    **dict.fromkeys((n for n, (family, _, _) in BODIES.items() if family == "recip"),
                    "a product or division by a number equal to a count of the call or its reciprocal that no code shows"),
    **{n: "of int fills of the images' positions in a loop over the images" for n, (family, _, _) in BODIES.items()
       if family == "pos"},
    "ones_times_index_joined_in_a_loop": "at torch.cat of values the body computed",  # (declined before: a loop of
    # the body's own code, ``counted_number``'s)
}


@pytest.mark.parametrize("name", sorted(set(BODIES) - OWN_COUNTS))
def test_every_body_splits_exactly_or_declines(name):
    assert_pinned(name, EXACT, BODIES, CONVERTS)


@pytest.mark.parametrize("name", sorted(set(BODIES) - EXACT - OWN_COUNTS))
def test_the_decline_names_the_key_and_the_op(name):
    result = measure(name, BODIES, CONVERTS)
    said = [m for r in result["per"].values() if r["class"] == "declined" for m in r["said"]]
    assert said and "key 'loss'" in said[0], said
    assert OPS[name] in said[0], said


@pytest.mark.parametrize("name", sorted(OWN_COUNTS))
def test_an_images_own_count_zipped_splits_where_it_equals_no_count_of_the_batch(name):
    """Each image's own label count (3) zipped with the images' values: the same on a group alone,
    exact; on a batch of 3 images it equals their count as well (an item of ``[1 / n] * n`` or of
    ``[float(n)] * n`` would): declined there, never wrong."""
    per = measure(name, BODIES, CONVERTS)["per"]
    assert {b: r["class"] for b, r in per.items()} == {
        b: "declined" if b in ("1r2s",) else "exact" for b in per}, per


def test_the_tables_name_bodies_that_exist():
    assert len(BODIES) == 41 and len(EXACT) == 15 and set(OPS) == set(BODIES) - EXACT - OWN_COUNTS
