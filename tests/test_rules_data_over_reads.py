"""A sum of data divided by a Python number read on the host from a row sum (detectron2's logged
mask false-positive rate ``fp.sum() / max(float(neg.sum()), 1.0)``, survey 52): the ratio of the two
sums, as where the divisor is the tensor ``neg.sum()``; on a group alone each sum is the group's, the
floor applied to the group's count (``elementwise._data_over_read``). Declined before (the data sum
was scaled as a normaliser by the batch's number, which the read's rule then refused). Each body
against the oracle; near misses (a read put through arithmetic, a maximum read, a count of a value
that mixes the images) decline, none silently wrong; a length of the images equal by value to a read
is the length."""

from __future__ import annotations

import pytest
import torch
from _helpers import ROWS, outcome_class, split_outcome
from _survey import LIBRARY_SOURCES, gen

SEEDS = range(len(LIBRARY_SOURCES))


def _batch(seed: int) -> tuple[list, list, list]:
    """Values [B, 3, 4], an ignore map (255 ignored) and a rare map valid on the first image only
    (every other image's count 0: its group's floored)."""
    g = gen(seed + 4730)
    b = len(LIBRARY_SOURCES[seed])
    x = torch.randn(b, 3, 4, generator=g).requires_grad_()
    ign = torch.zeros(b, 3, 4, dtype=torch.long)
    ign[::2, :1] = 255
    ign[1::3, 2, 1:] = 255
    rare = torch.zeros(b, 3, 4, dtype=torch.bool)
    rare[0, 1, :3] = True
    return [x, ign, rare], [ROWS] * 3, LIBRARY_SOURCES[seed]


def _outcomes(body) -> list[str]:
    seen = []
    for seed in SEEDS:
        args, kinds, labels = _batch(seed)
        got, want, said = split_outcome(body, args, kinds, labels)
        seen.append(outcome_class(got, want))
        if seen[-1] == "declined":
            assert said, (body.__name__, seed)
    return seen


# --- split exactly --------------------------------------------------------------------------------
def false_positive_rate_floored(x, ign, rare):
    """detectron2's ``mask_rcnn_loss`` metric: positives on negatives over the floored negatives."""
    with torch.no_grad():
        neg = ign == 255
        fp = ((x > 0) & neg).sum() / max(float(neg.sum()), 1.0)
    return {"loss": x.pow(2).mean(), "fp": fp}


def count_over_float_read(x, ign, rare):
    valid = ign != 255
    return {"loss": x.abs().sum() / valid.sum(), "hits": (x.detach() > 0).sum() / float(valid.sum())}


def float_count_over_int_read_stored(x, ign, rare):
    valid = ign != 255
    n = int(valid.sum())
    hits = ((x.detach() > 0) & valid).float().sum()
    return {"loss": (x * valid).sum() / n, "precision": hits / n}


def over_a_count_floored_where_a_group_has_none(x, ign, rare):
    """Every group but the first image's counts 0 rare entries: its divisor is the floor 1."""
    return {"loss": x.pow(2).sum(), "rate": (x.detach() > 0).sum() / max(float(rare.sum()), 1.0)}


def read_count_with_an_epsilon_added(x, ign, rare):
    valid = ign != 255
    return {"loss": x.sum(), "hits": (x.detach() > 0).sum() / (valid.sum().item() + 1e-6)}


def loss_over_the_read_ratio(x, ign, rare):
    """The ratio itself divides a loss: ``l_S * n_S / h_S`` on a group alone."""
    valid = ign != 255
    rate = (x.detach() > 0).sum() / float(valid.sum())
    return {"loss": x.pow(2).sum() / rate}


def over_the_images_length_equal_to_a_read(x, ign, rare):
    """``/ float(len(x))`` where ``len(x)`` equals the rare count read beside it (3 on batch 1): the
    number of images, not that read (silently wrong in this rule's first version, which matched the
    read by value before the lengths were asked)."""
    v = x.detach()
    n = float(rare.sum())
    return {"loss": x.pow(2).sum(), "rate": (v > 0).sum() / max(n, 1.0), "per_image": (v > 0).sum() / float(len(x))}


SPLIT = [over_the_images_length_equal_to_a_read, false_positive_rate_floored, count_over_float_read, float_count_over_int_read_stored,
         over_a_count_floored_where_a_group_has_none, read_count_with_an_epsilon_added, loss_over_the_read_ratio]


@pytest.mark.parametrize("body", SPLIT, ids=lambda b: b.__name__)
def test_a_data_sum_over_a_read_count_splits_as_the_oracle(body) -> None:
    assert _outcomes(body) == ["exact"] * len(SEEDS)


# --- near misses: declined (or exact), never wrong --------------------------------------------------
def over_half_the_read(x, ign, rare):
    """``/ (n / 2)``: Python arithmetic on the read (on a group alone, of the group's)."""
    valid = ign != 255
    return {"loss": x.sum(), "hits": (x.detach() > 0).sum() / (float(valid.sum()) / 2)}


def over_a_floor_above_one(x, ign, rare):
    """``max(n, 4.0)``: a group counting fewer divides by 4."""
    return {"loss": x.sum(), "rate": (x.detach() > 0).sum() / max(float(rare.sum()), 4.0)}


def over_the_largest_images_count(x, ign, rare):
    """The read is one image's count, the largest: on a group alone, the group's largest."""
    valid = ign != 255
    return {"loss": x.sum(), "hits": (x.detach() > 0).sum() / float(valid.sum((1, 2)).max())}


def over_a_count_of_values_above_the_batch_mean(x, ign, rare):
    """The counted entries are picked by the batch's mean: the images mix."""
    v = x.detach()
    return {"loss": x.sum(), "hits": (v > 0).sum() / max(float((v > v.mean()).sum()), 1.0)}


NEAR = [over_half_the_read, over_a_floor_above_one, over_the_largest_images_count,
        over_a_count_of_values_above_the_batch_mean]


@pytest.mark.parametrize("body", NEAR, ids=lambda b: b.__name__)
def test_near_misses_decline_and_none_is_wrong(body) -> None:
    seen = _outcomes(body)
    assert "wrong" not in seen, seen
    assert "declined" in seen, seen


GLOBAL_EQUAL_TO_THE_READ = 37  # the valid count of batch 0: equal to the read by value only


def over_a_global_equal_to_a_read(x, ign, rare):
    n = float((ign != 255).sum())
    return {"loss": x.pow(2).sum() / n, "hits": (x.detach() > 0).sum() / GLOBAL_EQUAL_TO_THE_READ}


def over_a_default_equal_to_a_logged_read(x, ign, rare, k=37):
    n = int((ign != 255).sum())
    return {"loss": x.pow(2).sum() / n, "hits": (x.detach() > 0).sum() / k}


@pytest.mark.parametrize("body", [over_a_global_equal_to_a_read, over_a_default_equal_to_a_logged_read],
                         ids=lambda b: b.__name__)
def test_a_constant_equal_to_a_read_is_no_read(body) -> None:
    """Session 47 review: the divisor's code must show the host read; a global or a default equal to
    a read's value (37 on batch 0) was taken for that read's row sum (hits split by the valid count)."""
    args, kinds, labels = _batch(0)
    assert float((args[1] != 255).sum()) == GLOBAL_EQUAL_TO_THE_READ
    got, want, said = split_outcome(body, args, kinds, labels)
    assert outcome_class(got, want) != "wrong" and not any(k.startswith("hits") for k in got), (got, want)
    assert all(k in got for k in want if k.startswith("loss")), (got, said)
