"""A sum over the images divided by a number equal to the sum of the lengths of the items of a list
argument of one tensor per image (Panoptic FCN's and TransFusion-L's ``heatmap_loss.sum() /
max(sum(len(x) for x in labels), 1)``, survey 66): on a group alone the group's items' lengths.
Was: silently WRONG (kept as the batch's number on every group, or, 6 objects of 3 images, read as
twice the images). Since s48 the forms the code proves the plain sum split exactly
(``tests/test_rules_item_length_sums.py``); the others are declined with a warning naming the key and the division
(``_items_not_rows`` in ``_constant_divisor``: integer items, labels or positions). Against the oracle on batches labelled through
``losssplit.sources``; near misses that must still split exactly: a literal equal by value, items of
one length each (k times the images), matched rows gathered per item (the rows are the items), a
number passed in (its share of the rows, DESIGN §1). Float items never used with their images
(per-level anchors by value) stay a constant: ``test_adversarial``'s review13 near miss."""

from __future__ import annotations

import pytest
import torch
from _helpers import PER_IMAGE, Along, Share, check_labelled, split_outcome
from _survey import LIBRARY_SOURCES, gen

SEEDS = range(len(LIBRARY_SOURCES))


def _batch(seed: int, lengths=lambda i: 1 + i % 3, dtype=torch.float) -> tuple[list, list, list]:
    """A heatmap [B, 2, 3] (requires grad) and per image a tensor of ``lengths(i)`` rows (objects). Float
    items never used with their images are, by value, a list of per-level anchors as long as the images
    (``test_adversarial``'s review13 near miss: a constant, split so): the rule takes integer items only."""
    g = gen(seed + 6600)
    b = len(LIBRARY_SOURCES[seed])
    items = [torch.randint(0, 3, (lengths(i + seed),), generator=g).to(dtype) for i in range(b)]
    return [torch.randn(b, 2, 3, generator=g).requires_grad_(), items], [Along(0), PER_IMAGE], LIBRARY_SOURCES[seed]


def _labels_batch(seed: int) -> tuple[list, list, list]:
    return _batch(seed, dtype=torch.long)


def _even_batch(seed: int) -> tuple[list, list, list]:
    return _batch(seed, lengths=lambda i: 2, dtype=torch.long)


def floored_sum(x, items):
    return {"loss": x.sigmoid().sum() / max(sum(len(t) for t in items), 1)}


def inline_sum(x, items):
    return {"loss": x.pow(2).sum() / sum(len(t) for t in items)}


def cat_length(x, items):
    return {"loss": x.abs().sum() / len(torch.cat(items))}


def shape_sum(x, items):
    n = 0.0 + sum(t.shape[0] for t in items)
    return {"loss": (x * 2).sum() / n}


@pytest.mark.parametrize("body", [floored_sum, inline_sum, cat_length])
def test_a_plain_sum_of_the_items_lengths_splits_as_the_oracle(body) -> None:
    """Since s48 the code proves these the plain sum of the per-image items' sizes
    (``tests/test_rules_item_length_sums.py``): split exactly, no warning (s66: declined)."""
    check_labelled(body, _labels_batch, SEEDS, splits=True)
    assert not split_outcome(body, *_labels_batch(0))[2]


@pytest.mark.parametrize("body", [shape_sum])
def test_a_sum_over_the_items_lengths_declines_where_the_images_have_other_counts(body) -> None:
    """Every batch of several groups declines (was: the batch's count kept, or read as 2 x 3 images):
    ``0.0 + sum(..)``, arithmetic the bytecode reader does not take for the plain sum."""
    check_labelled(body, _labels_batch, SEEDS, splits=False)
    for seed in (0, 1):
        _, _, said = split_outcome(body, *_labels_batch(seed))
        assert any("'loss'" in m and "lengths of the items of a list" in m for m in said), said


def literal(x, items):
    return {"loss": x.sigmoid().sum() / 7.0}  # (batch 0: 1 + 2 + 3 + 1 objects)


def gathered(x, items):
    """Rows gathered per item (each object's image row): the rows are the items, the row rules split it."""
    rows = torch.cat([torch.full((len(t),), i) for i, t in enumerate(items)])
    return {"loss": x[rows].sigmoid().sum() / max(sum(len(t) for t in items), 1)}


def passed_in(x, items, num):
    return {"loss": x.sigmoid().sum() / num}


def _share_batch(seed: int) -> tuple[list, list, list]:
    """``num`` passed in equal to the objects: no target dicts, so its share is by the loss's rows (DESIGN §1)."""
    args, kinds, labels = _labels_batch(seed)
    return [*args, float(sum(len(t) for t in args[1]))], [*kinds, Share([1.0] * len(labels))], labels


@pytest.mark.parametrize(("body", "batch"), [(literal, _labels_batch), (floored_sum, _even_batch), (inline_sum, _even_batch),
                                             (gathered, _labels_batch), (passed_in, _share_batch)])
def test_near_misses_still_split_as_the_oracle(body, batch) -> None:
    check_labelled(body, batch, SEEDS, splits=True)
