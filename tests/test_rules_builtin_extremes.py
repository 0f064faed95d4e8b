"""Python's builtin ``max`` / ``min`` over a tensor of one value per image (torch-struct's
``_check_potentials``: ``assert max(lengths) <= N`` and ``assert max(lengths) == N``). The builtin
iterates the tensor and compares its elements with each other: on main at 4ab73ea those comparisons
paired rows of different images (``Tensor.gt``) and the whole call declined. Now the elements'
comparisons are the builtin's own, and what it returns is the batch's extreme, which on a group
alone is the group's: compared with a number (``<``, ``<=``, ``>``, ``>=``; ``==`` / ``!=`` where no
row passes the number) the decision is taken per group, a group deciding otherwise than the batch
getting no companions. Near misses decline: the extreme used as a value, read on the host as a
bound, compared for equality with a number some row passes, a ``key=``, two tensors compared. Each
body is compared with the oracle (the body run on each group's images alone)."""

from __future__ import annotations

import pytest
import torch
from _helpers import split_outcome, wrong_companions
from test_rules_partial_row_writes import (  # batches of 2 to 4 images, their lengths
    BATCHES,
    _batch,
    _lengths,
)


def _loss(outputs: dict) -> torch.Tensor:
    return outputs["x"].exp().sum()


def asserted_as_torch_struct(outputs, targets):
    lengths = _lengths(targets)
    assert max(lengths) <= 6, "Length longer than edge scores"
    assert max(lengths) == 5, "One length must be at least N"
    return {"loss": _loss(outputs)}


def max_equal_branch(outputs, targets):
    if max(_lengths(targets)) == 5:
        return {"loss": _loss(outputs)}
    return {"loss": 2 * _loss(outputs)}


def min_below_branch(outputs, targets):
    if min(_lengths(targets)) < 4:
        return {"loss": _loss(outputs)}
    return {"loss": 2 * _loss(outputs)}


def max_at_most_branch(outputs, targets):
    if max(_lengths(targets)) <= 4:
        return {"loss": _loss(outputs)}
    return {"loss": 2 * _loss(outputs)}


def max_not_equal_branch(outputs, targets):
    lengths = _lengths(targets)
    if max(lengths) != 5:
        return {"loss": _loss(outputs)}
    return {"loss": 2 * _loss(outputs)}


def near_miss_max_as_a_value(outputs, targets):
    return {"loss": _loss(outputs) * max(_lengths(targets))}


def near_miss_max_equal_beyond(outputs, targets):
    if max(_lengths(targets)) == 4:  # some row is above 4: a group may hold it or not
        return {"loss": _loss(outputs)}
    return {"loss": 2 * _loss(outputs)}


def near_miss_max_read_as_a_bound(outputs, targets):
    n = int(max(_lengths(targets)))
    return {"loss": outputs["x"][:, : n - 2].exp().sum()}


def near_miss_max_with_a_key(outputs, targets):
    if max(_lengths(targets), key=lambda t: -t) == 3:
        return {"loss": _loss(outputs)}
    return {"loss": 2 * _loss(outputs)}


def near_miss_max_of_two_images(outputs, targets):
    lengths = _lengths(targets)
    if max(lengths[0], lengths[-1]) == 5:
        return {"loss": _loss(outputs)}
    return {"loss": 2 * _loss(outputs)}


# every key of the oracle split, on batches where each group has a length 5 (the oracle asserts it)
SPLITS = [asserted_as_torch_struct, max_equal_branch, max_at_most_branch]
SPLIT_BATCHES = [BATCHES[0], (4, [1.0, 0.5, 0.5], [5, 5, 3]), (5, [0.5, 1.0, 0.5, 1.0], [5, 4, 3, 5])]
# a group alone deciding otherwise gets no companion, the others split
PER_GROUP = [max_equal_branch, min_below_branch, max_at_most_branch, max_not_equal_branch]
DECLINES = [near_miss_max_as_a_value, near_miss_max_equal_beyond, near_miss_max_read_as_a_bound,
            near_miss_max_with_a_key, near_miss_max_of_two_images]


@pytest.mark.parametrize("body", SPLITS, ids=lambda b: b.__name__)
@pytest.mark.parametrize("batch", SPLIT_BATCHES, ids=lambda b: f"batch{b[0]}")
def test_the_builtin_extreme_compared_splits_as_the_oracle(body, batch) -> None:
    got, want, said = split_outcome(body, *_batch(*batch))
    assert not wrong_companions(got, want)
    assert want and got.keys() == want.keys(), said  # (on main the whole call declined)


@pytest.mark.parametrize("body", PER_GROUP, ids=lambda b: b.__name__)
@pytest.mark.parametrize("batch", BATCHES, ids=lambda b: f"batch{b[0]}")
def test_a_decision_on_the_builtin_extreme_is_taken_per_group(body, batch) -> None:
    got, want, said = split_outcome(body, *_batch(*batch))
    assert not wrong_companions(got, want)
    assert got, said  # (on main the whole call declined)
    assert got.keys() == want.keys() or any("would decide a branch" in s for s in said), said


@pytest.mark.parametrize("body", DECLINES, ids=lambda b: b.__name__)
@pytest.mark.parametrize("batch", BATCHES, ids=lambda b: f"batch{b[0]}")
def test_other_uses_of_the_builtin_extreme_decline(body, batch) -> None:
    got, want, said = split_outcome(body, *_batch(*batch))
    assert not wrong_companions(got, want)
    assert not got and said, (got, want)


def test_the_per_group_decisions_are_the_oracles() -> None:
    """On batch 1 (lengths 4 | 5, 3) the synthetic image alone has no length 5: its group decides
    ``max == 5`` otherwise than the batch, and only the real group splits."""
    got, want, said = split_outcome(max_equal_branch, *_batch(*BATCHES[1]))
    assert set(got) == {"loss_real"} and got["loss_real"] == pytest.approx(want["loss_real"], rel=1e-6), said
