"""A mask made per image from the length of one of its own tensors (``torch.ones(len(t["boxes"]))``,
red team 26's ``padded_fixed_width_by_f_pad``, issue #13): the factory's size is the ``len``
written at the call, whose site is the one that read that image's tensor, so the tensor is that
image's constants (the same on a group alone); padded to a fixed width and stacked it has the
images' rows, and its sum is each group's count. A size computed from the length, another list's
length read after an image's, a keyword: no image (as before)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import ROWS, RULE_BATCHES, TARGETS, rule_batch, split_outcome, wrong_companions

CLASSES = ["a", "b", "c"]  # as many as each image's labels: equal by value to its length


def _per_row(o, t):
    """Each image's per-row mean error [B, 3]."""
    return (o["x"] - torch.stack([u["y"] for u in t])).abs().mean(2)


def stacked_mask(o, t):
    m = torch.stack([torch.ones(len(u["labels"])) for u in t])
    return {"loss": (_per_row(o, t) * m).sum() / m.sum()}


def padded_to_a_fixed_width(o, t):
    m = torch.stack([F.pad(torch.ones(len(u["labels"])), (0, 5 - len(u["labels"]))) for u in t])
    e = F.pad(_per_row(o, t), (0, 2))
    return {"loss": (e * m).sum() / m.sum(), "loss_mean_rows": (e * m).sum(1).mean()}


def zeros_plus_one(o, t):
    m = torch.stack([torch.zeros(len(u["labels"])) for u in t]) + 1
    return {"loss": (_per_row(o, t) * m).sum() / m.sum()}


def in_a_loop(o, t):
    total = 0
    for b, u in enumerate(t):
        m = torch.ones(len(u["labels"]))
        total = total + (_per_row(o, t)[b] * m).sum() / m.sum()
    return {"loss": total / len(t)}


def another_list_after_an_image(o, t):
    """``len(CLASSES)`` right after an image's length was read, equal to it by value: no image's
    mask (a constant per-class factor of every image; were it the last image's, its product with the
    others' rows would decline)."""
    _ = len(t[-1]["labels"])
    w = torch.ones(len(CLASSES)) * 0.5
    return {"loss": (_per_row(o, t) * w).sum() / len(t)}


def computed_from_the_length(o, t):
    m = torch.stack([torch.ones(len(u["labels"]) + 1)[1:] for u in t])
    return {"loss": (_per_row(o, t) * m).sum() / m.sum()}


EXACT = [stacked_mask, padded_to_a_fixed_width, zeros_plus_one, in_a_loop, another_list_after_an_image]


def _outcomes(body, labelled=False):
    """On every rule batch, grouped by the weights or (``labelled``) into one group per image but
    the first and last together."""
    for seed, weights in RULE_BATCHES:
        labels = ["a", *"bcd"[: len(weights) - 2], "a"] if labelled else None
        yield split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS], labels)


@pytest.mark.parametrize("body", EXACT, ids=lambda f: f.__name__)
def test_a_mask_sized_by_an_images_own_length_splits_exactly(body):
    for got, want, said in _outcomes(body):
        assert got and set(got) == set(want) and not wrong_companions(got, want), (got, want, said)
    for got, want, said in _outcomes(body, labelled=True):
        assert got and set(got) == set(want) and not wrong_companions(got, want), (got, want, said)


def test_a_size_computed_from_the_length_gets_no_image():
    """As before the change: the mask carries no images, so the division by its sum declines."""
    for got, _want, said in _outcomes(computed_from_the_length):
        assert not got and any("rows are unknown" in m for m in said), said
