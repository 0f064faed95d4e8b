"""``x.shape[:2].numel()`` (a ``torch.Size`` slice's product) over a dim that carries images is a
count of ``x``'s rows, as ``math.prod(x.shape[:2])`` and ``x.shape[0] * x.shape[1]`` already were:
the count-reading path decides it, not the side-size one (survey 59's ViLD: its distillation L1
summed over [B, Q, D] divided by ``region.shape[:2].numel()``; before, read as "the size of a dim
without images of a tensor the body made" and declined on every batch). As for those spellings, a
product equal by value to several counts of the batch that give different shares still declines
(``its normaliser 9 equals the 3 x rows / 3 x images``). Against the oracle on the rule batches,
with near misses whose widths are padded to the longest image's (on a group alone, to the group's
longest) on the count batches, and the ambiguity declining there.
"""

from __future__ import annotations

import math

import pytest
import torch
from _helpers import (
    RULE_BATCHES,
    check_count_declines,
    count_outcomes,
    outcome_class,
    rule_batch,
    rule_outcome,
)
from torch.nn.utils.rnn import pad_sequence


def _errors(o, t):
    return (o["x"] - torch.stack([u["y"] for u in t])).abs()


def leading_numel(o, t):
    e = _errors(o, t)
    return {"loss": e.sum() / e.shape[:2].numel()}


def all_but_last_numel(o, t):
    e = _errors(o, t)
    return {"loss": e.sum() / e.shape[:-1].numel()}


def argument_numel(o, t):
    """The prediction as passed measured."""
    return {"loss": _errors(o, t).sum() / o["x"].shape[:2].numel()}


def prod_and_numel(o, t):
    """Both spellings in one body, their ratio logged."""
    e = _errors(o, t)
    return {"loss": e.sum() / e.shape[:2].numel(), "other": e.sum() / math.prod(e.shape[:2])}


def padded_numel(o, t):
    """Near miss: each image's label rows padded to the batch's longest (``pad_sequence``)."""
    p = pad_sequence([o["x"][i, : len(u["labels"])] for i, u in enumerate(t)], batch_first=True)
    return {"loss": (p - 0.5).abs().sum() / p.shape[:2].numel()}


def written_padded_numel(o, t):
    """Near miss: a buffer of the batch's longest label count, each image's rows written in a loop."""
    longest = max(len(u["labels"]) for u in t)
    buf = o["x"].new_zeros(len(t), longest, o["x"].shape[-1])
    for i, u in enumerate(t):
        buf[i, : len(u["labels"])] = o["x"][i, : len(u["labels"])]
    return {"loss": buf.sum() / buf.shape[:2].numel()}


@pytest.mark.parametrize("body", [leading_numel, all_but_last_numel, argument_numel, prod_and_numel])
def test_a_numel_over_the_images_dim_splits(body):
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert outcome_class(got, want) == "exact", (seed, said)


def test_a_count_equal_to_several_declines_as_math_prod_does():
    """On the count batches 9 is 3 images' rows and 3 times the labels of seed 1: both spellings
    decline there alike and are exact elsewhere."""
    seen, said = count_outcomes(prod_and_numel)
    assert "wrong" not in seen and "declined" in seen and "exact" in seen, (seen, said)
    assert any("'loss': its normaliser" in m for m in said) and any("'other': its normaliser" in m for m in said), said


@pytest.mark.parametrize("body", [padded_numel, written_padded_numel])
def test_a_numel_of_a_padded_width_declines(body):
    check_count_declines(body)
