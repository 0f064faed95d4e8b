"""A one-element tensor of a local the code proves one read on the host, maybe floored (survey 55's
EFL logs ``torch.tensor(num_pos)`` with ``num_pos = max(float((labels < C).sum()), 1.0)``): on a group
alone the body reads the group's count and floors it as written, so the companion is that expression
of the read's row sum (was declined: a number read on the host). Against the oracle, with near misses
(the local changed after, a test of it, a product, another read of equal value) that never go wrong."""

from __future__ import annotations

import pytest
import torch
from _helpers import ROWS, TARGETS, count_outcomes, outcome_class, rule_batch, split_outcome


def _ones(t):
    """1 where a label is above 0: images of one instance have none (a group may have none)."""
    return torch.cat([s["labels"] for s in t]) >= 1


def floored_count(o, t):
    """EFL's form: the floored read logged as a tensor."""
    num = max(float(_ones(t).sum()), 1.0)
    return {"loss": o["x"].mean(), "num": torch.tensor(num)}


def floored_with_an_empty_group(o, t):
    """The floor at work: labels above 0 of images of three instances, none in one group of
    several batches (that group's companion is the floor 1, as the body gives it alone)."""
    num = max(float(torch.cat([(s["labels"] >= 1) & (len(s["labels"]) > 2) for s in t]).sum()), 1.0)
    return {"loss": o["x"].mean(), "num": torch.tensor(num)}


def plain_count(o, t):
    """The read unfloored, logged as an int tensor."""
    num = int((torch.stack([s["y"] for s in t]) > 0.5).sum())
    return {"loss": o["x"].mean(), "num": torch.tensor(num)}


def changed_after(o, t):
    """Near miss: the local gets one more after its read (two stores): not the read."""
    num = float(_ones(t).sum())
    num = num + 1.0
    return {"loss": o["x"].mean(), "num": torch.tensor(num)}


def local_under_test(o, t):
    """Near miss: the body tests the local (on a group alone its own count decides)."""
    num = float(_ones(t).sum())
    scale = 2.0 if num > 1 else 1.0
    return {"loss": o["x"].mean() * scale, "num": torch.tensor(num)}


def twice_the_count(o, t):
    """Near miss: a product of the read made into the tensor."""
    num = float(_ones(t).sum())
    return {"loss": o["x"].mean(), "num": torch.tensor(num * 2)}


def weighted_read(o, t):
    """Near miss: a read of the weights times the targets, logged (on one image of weight 0.5, alone
    its weight is 1): followed with the weights set to 1, or declined."""
    w = torch.tensor([s["loss_weight"] for s in t])
    num = float((w[:, None] * torch.stack([s["y"] for s in t]).flatten(1)).sum())
    return {"loss": o["x"].mean(), "num": torch.tensor(num)}


def test_a_weighted_read_never_wrong():
    seen, said = count_outcomes(weighted_read)
    assert "wrong" not in seen, (seen, said)
    for seed in (0, 1):
        got, want, said = split_outcome(weighted_read, list(rule_batch(seed, [0.5])), [ROWS, TARGETS])
        assert outcome_class(got, want) != "wrong", (got, want, said)


def test_a_read_on_one_image_splits():
    for seed in (0, 1):
        got, want, said = split_outcome(plain_count, list(rule_batch(seed, [0.5])), [ROWS, TARGETS])
        assert outcome_class(got, want) == "exact", (got, want, said)


def equal_reads(o, t):
    """Near miss: two reads of equal value (the same mask twice); the logged one is not told apart
    by its number, so the key is declined rather than matched by value."""
    a = int(_ones(t).sum())
    b = int(_ones(t).sum())
    return {"loss": o["x"].mean() + 0 * b, "num": torch.tensor(a)}


@pytest.mark.parametrize("body", [floored_count, plain_count])
def test_a_tensor_of_one_read_splits_exactly(body):
    seen, said = count_outcomes(body)
    assert seen == ["exact"] * len(seen), said


def test_a_floored_read_gives_the_floor_to_a_group_without_any():
    seen, said = count_outcomes(floored_with_an_empty_group)
    assert "wrong" not in seen and seen.count("exact") >= 4, (seen, said)


@pytest.mark.parametrize("body", [changed_after, local_under_test, twice_the_count, equal_reads])
def test_near_misses_never_wrong(body):
    seen, said = count_outcomes(body)
    assert "wrong" not in seen, (seen, said)
    assert "declined" in seen, (seen, said)
