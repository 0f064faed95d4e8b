"""Counts read on the host (``.item()``) that divide losses, or are divided by a count (survey 54's
UniMatch): the number a followed read returned is that read's row sum, not another read's of equal
value; a read count over a row-sum count is the ratio of the two sums. Each against the oracle, with
near misses that still decline."""

from __future__ import annotations

import pytest
import torch
from _helpers import ROWS, split_outcome, wrong_companions
from _survey import LIBRARY_SOURCES, gen

SEEDS = range(len(LIBRARY_SOURCES))


def _batch(seed: int) -> tuple[list, list, list]:
    """Values [B, 3, 4] and two ignore maps (255 ignored) whose not-ignored counts have equal totals
    but differ image by image (the second is the first's images in another order)."""
    g = gen(seed + 5490)
    b = len(LIBRARY_SOURCES[seed])
    x = torch.randn(b, 3, 4, generator=g).requires_grad_()
    ign = torch.zeros(b, 3, 4, dtype=torch.long)
    ign[::2, :1] = 255
    ign[1::3, 2, 1:] = 255
    other = ign[torch.arange(b) ^ 1] if b % 2 == 0 else ign.flip(0)
    return [x, ign, other], [ROWS] * 3, LIBRARY_SOURCES[seed]


def _outcome(body, seed):
    args, kinds, labels = _batch(seed)
    return split_outcome(body, args, kinds, labels)


def _check(body, splits: bool) -> None:
    for seed in SEEDS:
        got, want, said = _outcome(body, seed)
        assert not wrong_companions(got, want), (seed, got, want)
        if splits or len(set(LIBRARY_SOURCES[seed])) == 1:
            assert set(got) == set(want), (seed, said)
        else:
            assert not got and said, (seed, got)


def each_loss_reads_the_count(x, ign, other):
    """UniMatch: ``/ valid.sum().item()`` written anew for each of three losses."""
    valid = ign != 255
    keep = (x.detach() > 0) & valid
    a = (x * keep).sum() / valid.sum().item()
    b = (x.pow(2) * keep).sum() / valid.sum().item()
    c = (x.abs() * valid).sum() / valid.sum().item()
    return {"loss": a + 0.5 * b + c, "loss_c": c.detach()}


def equal_totals_each_its_own(x, ign, other):
    """Two counts equal in total, image by image not: each divides its own sum."""
    valid, valid2 = ign != 255, other != 255
    return {"loss": (x * valid).sum() / valid.sum().item(), "loss2": (x * valid2).sum() / valid2.sum().item()}


def equal_totals_swapped(x, ign, other):
    """The same two counts, each dividing the other's sum: the read taken is the one whose number it is."""
    valid, valid2 = ign != 255, other != 255
    n, m = valid.sum().item(), valid2.sum().item()
    return {"loss": (x * valid2).sum() / n, "loss2": (x * valid).sum() / m}


def confident_ratio(x, ign, other):
    """UniMatch's logged ratio: the confident pixels' count read, over the not-ignored count."""
    valid = ign != 255
    keep = (x.detach() > 0) & valid
    return {"loss": (x * valid).sum() / valid.sum(), "ratio": keep.sum().item() / valid.sum()}


def read_sum_over_count(x, ign, other):
    """A sum of the values read, over a count: the group's sum over its count."""
    valid = ign != 255
    return {"mean": (x * valid).sum().item() / valid.sum(), "loss": x.mean()}


@pytest.mark.parametrize("body", [each_loss_reads_the_count, equal_totals_each_its_own, equal_totals_swapped,
                                  confident_ratio, read_sum_over_count])
def test_a_count_read_on_the_host_divides_or_is_divided_as_the_group_s(body):
    _check(body, splits=True)


def reread_as_a_threshold(x, ign, other):
    """Near miss: the count read again, the second number a threshold (not followed): declines."""
    valid = ign != 255
    n = valid.sum().item()
    m = valid.sum().item()
    return {"loss": (x * valid).sum() / n + (x * valid).sum() / n, "t": (x > m / 20).float().mean()}


def count_over_a_mean(x, ign, other):
    """Near miss: the read count over a mean (the group's mean's count is no sum): declines."""
    valid = ign != 255
    keep = (x.detach() > 0) & valid
    return {"ratio": keep.sum().item() / valid.float().mean()}


def count_plus_one_over_count(x, ign, other):
    """Near miss: a number computed from the read (``n + 1``) over a count: declines."""
    valid = ign != 255
    keep = (x.detach() > 0) & valid
    return {"ratio": (keep.sum().item() + 1) / valid.sum()}


def mixed_count_over_count(x, ign, other):
    """Near miss: a count of a mask that mixes the images (above the batch's mean) over a count."""
    valid = ign != 255
    keep = (x.detach() > x.detach().mean()) & valid
    return {"ratio": keep.sum().item() / valid.sum()}


def count_over_twice_a_count(x, ign, other):
    """Near miss: the read count over a count times 2 (no plain sum): that key declines."""
    valid = ign != 255
    keep = (x.detach() > 0) & valid
    return {"ratio": keep.sum().item() / (valid.sum() * 2)}


@pytest.mark.parametrize("body", [reread_as_a_threshold, count_over_a_mean, count_plus_one_over_count,
                                  mixed_count_over_count, count_over_twice_a_count])
def test_near_misses_decline(body):
    _check(body, splits=False)
