"""One example's rows cut by a slice whose bound is a 0-dim tensor of that example alone (EEND's
``for p, y, n in zip(logits, labels, lengths): p[:n]``, ``n`` the recording's own length, iterated
from a tensor of lengths): the size comes from that example's value, whatever host reads of other
examples came before, as on a group alone (a Python number has no identity, a tensor does). Before
survey 51 the second example's cut, after the first example's length was read by ``int(n)``,
declined the whole call. A bound of another example's length, or of the batch's longest, keeps
declining."""

import pytest
import torch
import torch.nn.functional as F
from _helpers import Along, split_outcome, wrong_companions

LABELS = [["a", "b", "a", "b"], ["b", "b", "a"], ["a", "a", "b", "a"]]


def batch(seed: int) -> tuple[list, list, list]:
    g = torch.Generator().manual_seed(seed)
    b = len(LABELS[seed])
    lengths = torch.tensor([2 + (i + seed) % 4 for i in range(b)])
    return [torch.randn(b, 5, 2, generator=g).requires_grad_(), torch.rand(b, 5, 2, generator=g), lengths], \
        [Along(0)] * 3, LABELS[seed]


def own_lengths(x, y, lengths):
    """Each example's valid frames by its own length, a mean each, the mean over examples; the
    frames counted by ``int(n)`` (a host read per example)."""
    losses, frames = [], 0
    for p, t, n in zip(x, y, lengths):
        losses.append(F.mse_loss(p[:n], t[:n]))
        frames += int(n)
    return {"loss": torch.stack(losses).mean()}


def own_lengths_from_one(x, y, lengths):
    """``p[1:n]``: an int start beside the example's own length (a Python int has no identity:
    still declined after another example's read; a known GAP, never wrong)."""
    losses = []
    for p, t, n in zip(x, y, lengths):
        losses.append((p[1:n] - t[1:n]).abs().sum() + 0 * int(n))
    return {"loss": sum(losses) / len(losses)}


def first_examples_length(x, y, lengths):
    """Every example cut to the first example's length: on a group alone another example's."""
    losses = []
    for p, t, n in zip(x, y, lengths):
        losses.append(F.mse_loss(p[:lengths[0]], t[:lengths[0]]) + 0 * int(n))
    return {"loss": torch.stack(losses).mean()}


def longest_length(x, y, lengths):
    """Every example cut to the batch's longest length (a 0-dim tensor of every example)."""
    longest = lengths.max()
    losses = []
    for p, t, n in zip(x, y, lengths):
        losses.append(F.mse_loss(p[:longest], t[:longest]) + 0 * int(n))
    return {"loss": torch.stack(losses).mean()}


def test_a_cut_by_the_examples_own_length_tensor_splits():
    """(declined the call before s51: the second example's cut after the first's ``int(n)``)"""
    for seed in range(len(LABELS)):
        got, want, said = split_outcome(own_lengths, *batch(seed))
        assert set(got) == set(want), (seed, said)
        assert not wrong_companions(got, want), seed


@pytest.mark.parametrize("body", [first_examples_length, longest_length, own_lengths_from_one])
def test_a_cut_by_other_examples_lengths_or_an_int_declines(body):
    for seed in range(len(LABELS)):
        got, want, said = split_outcome(body, *batch(seed))
        assert not wrong_companions(got, want), (seed, got, want)
        assert not got and any("slice bounds" in m for m in said), (seed, got, said)
