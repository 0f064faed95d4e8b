"""Near misses of the rules that made red team 37's per-image bodies exact (helper cov38b; bodies in
``tests/_near_misses38_bodies.py``): ``count_nonzero`` followed as the sum of ``x != 0``
(``elementwise._count_nonzero_as_sum``), ``renorm`` / ``local_response_norm`` (``spatial``),
``pixel_shuffle`` / ``pixel_unshuffle`` (``shape.pixel_shuffle``), a literal step slice of a
flattened batch (``indexing._every_kth``), the diagonal of a ``[B, B]`` table of pairs picked by
``gather`` / ``masked_select`` / an ``eye`` factor and then summed (``mode.diagonal_picked``,
``elementwise.diagonal_product``, ``elementwise.diagonal_sum``). Each ``near_*`` body splits exactly
on every red-team-28 batch; every other body mixes images and declines; none is wrong. On 76580a6
(before the rules) every ``near_*`` body declined."""

import pytest
from _near_misses38_bodies import BODIES, CONVERTS
from _red_team26_bodies import XBATCHES
from _red_team26_measure import measure as measure_batches
from _red_team28_measure import assert_pinned, measure

ONE_IMAGE_BODY = "near_max_over_the_rows_of_one_image"  # measured apart: exact on batches of one image
EXACT = {n for n in BODIES if n.startswith("near_")} - {ONE_IMAGE_BODY}


@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad=True to a scalar")
@pytest.mark.parametrize("name", sorted(set(BODIES) - {ONE_IMAGE_BODY}))
def test_each_near_miss_splits_exactly_and_each_mix_declines(name):
    assert_pinned(name, EXACT, BODIES, CONVERTS)


@pytest.mark.parametrize("name", ["flat_every_fifth_from_two", "flat_every_second_of_interleaved_images",
                                  "pixel_shuffle_of_channel_blocks_across_images"])
def test_the_deferred_checks_decline_naming_the_op(name):
    """Where the picks are not each image's own (a device check of the rule), the call declines
    naming the op and why. (A diagonal pick is taken only from ``torch.eye(n)``, ``torch.arange(n)``
    or ``F.one_hot(torch.arange(n), n)`` as made: ``eye.roll(1, 0)``, ``arange(n).flip(0)``,
    ``2 * eye - 1`` (SigLIP's labels, survey 39) decline as before, the key alone.)"""
    result = measure(name, BODIES, CONVERTS)
    said = [m for r in result["per"].values() if r["class"] == "declined" for m in r["said"]]
    assert said and all(("Tensor." in m or "torch." in m) and ("picks" in m or "joins" in m) for m in said), said


ONE_IMAGE = {"1r": [1.0], "1s": [0.5]}


def test_a_reduction_over_the_rows_of_the_one_image_splits_and_over_several_declines():
    """``ce.max(0)`` over the images: on a batch of one image its own values (``_one_image_reduction``),
    on batches of several images the batch's maximum (declined)."""
    XBATCHES.update(ONE_IMAGE)
    try:
        one = measure_batches(ONE_IMAGE_BODY, BODIES, CONVERTS, list(ONE_IMAGE))
    finally:
        for name in ONE_IMAGE:
            XBATCHES.pop(name, None)
    assert one["class"] == "exact", one["per"]
    several = measure(ONE_IMAGE_BODY, BODIES, CONVERTS)
    assert several["class"] == "declined", several["per"]
