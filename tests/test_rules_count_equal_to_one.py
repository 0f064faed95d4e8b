"""A loss divided by a number the body computes from sizes of single images' tensors that equals 1
on the batch (``n = len([u for u in t if len(u["labels"]) > 1])``, then ``/ max(n, 1e-3)``): on a
group alone it may be 0, so the body divides by its floor there (``1e-3``: 1000 times the sum). A
number above 1 read so declined (``SIZES_DIVISOR``); 1 was read as the constant 1 (the fuzzer's
``body_5_16``, seed 5: silently WRONG on 494a35c). Now 1 declines too unless the division's code
floors it at 1 or more (``max(n, 1)``: the group's 0 is 1 as well). Each body is compared with the
oracle (the body run on each group's images alone) on ``COUNT_BATCHES``."""

from __future__ import annotations

import pytest
import torch
from _helpers import COUNT_BATCHES, ROWS, TARGETS, count_batch, split_outcome, wrong_companions


def _errors(o, t):
    return (o["x"] - torch.stack([u["y"] for u in t])).abs()


def filtered_count_held_floored_below_one(o, t):
    n = len([u for u in t if len(u["labels"]) > 1])
    return {"loss": _errors(o, t).sum() / max(n, 1e-3)}


def filtered_count_written_floored_below_one(o, t):
    return {"loss": _errors(o, t).sum() / max(len([u for u in t if len(u["labels"]) > 1]), 1e-3)}


def filtered_count_unfloored(o, t):
    n = len([u for u in t if len(u["labels"]) > 1])
    return {"loss": _errors(o, t).sum() / n}


def _outcomes(body):
    out = []
    for seed, weights in COUNT_BATCHES:
        got, want, said = split_outcome(body, list(count_batch(seed, weights)), [ROWS, TARGETS])
        assert not wrong_companions(got, want), (seed, got, want)
        out.append((got, want, said))
    return out


@pytest.mark.parametrize("body", [filtered_count_held_floored_below_one, filtered_count_written_floored_below_one,
                                  filtered_count_unfloored], ids=lambda f: f.__name__)
def test_a_count_of_some_images_equal_to_one_is_never_wrong(body):
    got, want, said = _outcomes(body)[2]  # batch 2: one image with more than one label, in the synthetic group
    assert got == {} and any("sizes of single images" in m for m in said), said


def filtered_count_floored_at_one(o, t):
    n = len([u for u in t if len(u["labels"]) > 5])  # 0 on every batch: 1 on any group alone too
    return {"loss": _errors(o, t).sum() / max(n, 1)}


def one_held_by_a_local_after_sizes_read(o, t):
    sizes = [len(u["labels"]) for u in t]
    k = 1
    return {"loss": _errors(o, t).sum() / k, "loss_any": _errors(o, t).mean() * float(sum(sizes) > 0)}


@pytest.mark.parametrize("body", [filtered_count_floored_at_one, one_held_by_a_local_after_sizes_read],
                         ids=lambda f: f.__name__)
def test_a_one_floored_at_one_or_a_literal_splits(body):
    for got, want, said in _outcomes(body):
        assert got and set(got) == set(want), said
        assert got == pytest.approx(want, rel=1e-5, abs=1e-6)
