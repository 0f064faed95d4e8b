"""A running count of the lesser of two sizes of each image's tensors (survey 62's ULD, issue #13).

ULD's distillation term aligns each sequence's student and teacher tokens by truncation to the
shorter, ``n = min(len(s), len(t))``, and divides the sum of the aligned tokens' distances by
``count += n`` over the sequences. On a group alone the count is the sum of the group's lesser
sizes. The capture proves in the body's code that the divisor is a local set to 0 before the loop
and added, in every iteration, a local set there by ``min`` of two reads
(``_bytecode.least_summed_in_loop``); the values give each image's lesser size, the sizes having
been read image by image in image order (``Frame.least_families``): a row-sum normaliser with those
sizes per image. It declined before ("a division by a number the body counted over the images'
items ... that equals no count of the loss").

Near misses that decline: the lesser size of one image's tensor and the previous image's, or the
first image's for every image (the images' reads interleaved), the lesser of a size and a constant
tensor's beside another size of the image (the pair ``min`` took is not the pair of reads), the lesser
size added inline (``count += min(..)``, not proven here) and a count added past a test.
"""

from __future__ import annotations

import pytest
from test_rules_made_positions import _outcomes

# -- the lesser of two sizes of each image's own tensors, added up: split as the oracle ----------------------


def aligned_by_the_shorter(x, y, mx, my, lam=0.5):
    total, count = 0.0, 0
    for r in range(len(x)):
        a = x[r][mx[r].bool()].softmax(-1)
        b = y[r][my[r].bool()].softmax(-1)
        n = min(len(a), len(b))
        total = total + (a[:n].sort(descending=True).values - b[:n].sort(descending=True).values).abs().sum()
        count += n
    return {"loss": lam * total / count}


def elements_of_the_shorter(x, y, mx, my):
    total, count = 0.0, 0
    for r in range(len(x)):
        a, b = x[r][mx[r].bool()], y[r][my[r].bool()]
        n = min(a.numel(), b.numel())
        total = total + (a.flatten()[:n] - b.flatten()[:n]).pow(2).sum()
        count += n
    return {"loss": total / count}


@pytest.mark.parametrize("body", [aligned_by_the_shorter, elements_of_the_shorter])
def test_a_count_of_each_images_lesser_size_splits_as_the_oracle(body):
    assert _outcomes(body) == ["exact"] * 4


# -- near misses: a count that mixes images, or one the code does not prove ------------------------------------


def lesser_with_the_previous_images_size(x, y, mx, my):
    total, count = 0.0, 0
    for r in range(len(x)):
        a = x[r][mx[r].bool()]
        b = y[r - 1][my[r - 1].bool()]
        n = min(len(a), len(b))
        total = total + a.pow(2).sum()
        count += n
    return {"loss": total / count}


def lesser_with_the_first_images_size(x, y, mx, my):
    per, count = [], 0
    for r in range(len(x)):
        own = y[r][my[r].bool()]
        n = min(len(own), len(x[0][mx[0].bool()]))
        per.append(own.abs().sum())
        count += n
    return {"loss": sum(per) / count}


def lesser_added_past_a_test(x, y, mx, my):
    total, count = 0.0, 0
    for r in range(len(x)):
        a, b = x[r][mx[r].bool()], y[r][my[r].bool()]
        n = min(len(a), len(b))
        total = total + (a[:n] - b[:n]).abs().sum()
        if r > 0:
            count += n
    return {"loss": total / max(count, 1)}


def lesser_added_inline(x, y, mx, my):
    total, count = 0.0, 0
    for r in range(len(x)):
        a, b = x[r][mx[r].bool()], y[r][my[r].bool()]
        total = total + a.abs().sum() - b.abs().sum()
        count += min(len(a), len(b))
    return {"loss": total / count}


def lesser_with_a_constant_beside_another_size(x, y, mx, my):
    cap = x.new_ones(4)
    total, count = 0.0, 0
    for r in range(len(x)):
        a, b = x[r][mx[r].bool()], y[r][my[r].bool()]
        n = min(len(a), len(cap))
        total = total + a[:n].abs().sum() + 0 * len(b)
        count += n
    return {"loss": total / count}


@pytest.mark.parametrize("body", [lesser_with_the_previous_images_size, lesser_with_the_first_images_size,
                                  lesser_added_past_a_test, lesser_added_inline,
                                  lesser_with_a_constant_beside_another_size])
def test_a_lesser_size_count_not_the_images_own_declines(body):
    seen = _outcomes(body)
    assert seen[0] == seen[1] == "declined", seen
    assert "wrong" not in seen, seen
