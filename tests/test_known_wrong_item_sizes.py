"""Known WRONG of survey 69 (s69, on main at 1dbe91c), pinned as a strict xfail: a loss divided by a
Python sum of the sizes of a list argument's float items, the list as long as the images (one item per
image, TadTR's ``sum(len(s) for s in gt_segs)`` over float segments), is taken as a constant: every
group's companion divides by the batch's count. It is the contract of
``test_adversarial.py::test_a_list_argument_as_long_as_the_images_by_coincidence_counts_no_instances``
(float per-level anchors as long as the batch: a constant) meeting a per-image list the body never
pairs with its images' values: by code and value the two cannot be told. (Integer items, the
matcher's kind of list, split: ``tests/test_rules_item_length_sums.py``.)

Fixed (s48, ``_constant_item_sizes``): the same sum over a list of constants one item longer than the
images, equal by value to twice the images, was shared as a count of them; the code proves it the
sum over a list that cannot be one item per image: a constant, as on the oracle's groups."""

from __future__ import annotations

import pytest
import torch
from _helpers import KEEP, PER_IMAGE, Along, check_labelled
from _survey import LIBRARY_SOURCES, gen


def _batch(seed: int, kind: object = PER_IMAGE, extra: int = 0) -> tuple[list, list, list]:
    """Logits [B, 4, 3] and a list of 1 to 3 segments [k, 2] per image (``extra`` > 0: one more item)."""
    g = gen(seed + 6980)
    b = len(LIBRARY_SOURCES[seed])
    segs = [torch.rand(1 + (r + seed) % 3, 2, generator=g) for r in range(b)]
    return ([torch.randn(b, 4, 3, generator=g).requires_grad_(), segs + [torch.zeros(extra, 2)] * (extra > 0)],
            [Along(0), kind], LIBRARY_SOURCES[seed])


def over_summed_lengths(logits, segs):
    num = sum(len(s) for s in segs)
    return {"loss_cls": logits.sigmoid().mean(1).sum() / num}


@pytest.mark.xfail(strict=True, reason="known WRONG: batch 0 (7 segments), 'books' (1 segment) gets its sum over 7, "
                                       "1/7 of the oracle's, with no warning")
def test_a_sum_of_the_images_items_sizes():
    check_labelled(over_summed_lengths, _batch, range(2), splits=True)


def test_a_constant_sum_of_sizes_twice_the_images():
    """Was WRONG: the constant 8 (7 segments and 1) over 4 images shared as 2 per image ('books' 0.838
    for the oracle's 0.2095)."""
    check_labelled(over_summed_lengths, lambda seed: _batch(seed, KEEP, extra=1), range(4), splits=True)
