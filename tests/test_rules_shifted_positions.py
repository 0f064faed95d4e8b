"""Positions laid out by the batch's count and shifted by a whole multiple of it (``torch.arange(b) +
b``) index the second block of a ``cat`` along the images: ColBERT's pairwise loss over
``cat([pos, neg])`` picks each query's hard negative at column ``b + i`` (survey 57), as DPR's hard
negatives are. On a group alone the body lays them out by the group's count over the group's blocks,
so the pairs are the same; the index rules check on the device that each picked column is the row's
own image (before: the shift by a number computed from ``len()`` declined). Against the oracle, with
near misses: a shift off the blocks (``+ b - 1``), the blocks interleaved (``stack(.., 1)``), the
shifted positions used as values.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import ROWS, split_outcome, wrong_companions
from _survey import LIBRARY_SOURCES, gen, library_examples


def _batch(seed: int) -> tuple[list, list, list]:
    """Queries, positive and negative documents [B, 5] of ``LIBRARY_SOURCES[seed]``'s examples."""
    g = gen(seed + 5790)
    b = library_examples(seed)
    return [torch.randn(b, 5, generator=g).requires_grad_(), torch.randn(b, 5, generator=g),
            torch.randn(b, 5, generator=g)], [ROWS] * 3, LIBRARY_SOURCES[seed]


def _scores(q, docs):
    return F.normalize(q, dim=-1) @ F.normalize(docs, dim=-1).t()


def hard_negative_pairs(q, pos, neg):
    """Each query's positive at column ``i`` and hard negative at ``b + i`` of ``cat([pos, neg])``."""
    scores = _scores(q, torch.cat([pos, neg]))
    b = len(q)
    pair = torch.stack([scores[torch.arange(b), torch.arange(b)], scores[torch.arange(b), torch.arange(b) + b]], 1)
    return {"loss": F.cross_entropy(pair / 0.1, torch.zeros(b, dtype=torch.long))}


def third_block_added_on_the_left(q, pos, neg):
    """``2 * b + torch.arange(b)``: the third block's diagonal (a second negative)."""
    scores = _scores(q, torch.cat([pos, neg, pos + neg]))
    b = len(q)
    return {"loss": (scores[torch.arange(b), 2 * b + torch.arange(b)] - scores[torch.arange(b), torch.arange(b)]).mean()}


def off_the_blocks(q, pos, neg):
    """Near miss: ``arange(b) + b - 1`` pairs each query with the previous example's negative."""
    scores = _scores(q, torch.cat([pos, neg]))
    b = len(q)
    return {"loss": scores[torch.arange(b), torch.arange(b) + b - 1].mean()}


def interleaved(q, pos, neg):
    """Near miss: the documents interleaved per example (``stack(.., 1)``), so ``b + i`` is no example's own."""
    scores = _scores(q, torch.stack([pos, neg], 1).flatten(0, 1))
    b = len(q)
    return {"loss": scores[torch.arange(b), torch.arange(b) + b].mean()}


def shifted_as_values(q, pos, neg):
    """Near miss: the shifted positions as a factor of each example's value."""
    b = len(q)
    return {"loss": (q.mean(1) * (torch.arange(b) + b)).mean()}


def _outcomes(body):
    for seed in range(len(LIBRARY_SOURCES)):
        got, want, said = split_outcome(body, *_batch(seed))
        assert want and not wrong_companions(got, want), (seed, said)
        yield seed, got, want, said


@pytest.mark.parametrize("body", [hard_negative_pairs, third_block_added_on_the_left])
def test_positions_shifted_onto_a_block_of_the_images_split_as_the_oracle(body):
    for seed, got, want, said in _outcomes(body):
        assert set(got) == set(want), (seed, said)


@pytest.mark.parametrize("body", [off_the_blocks, interleaved, shifted_as_values])
def test_shifted_positions_off_the_images_or_as_values_decline(body):
    for seed, got, _, said in _outcomes(body):
        if seed in (0, 1):  # several groups (batches 2 and 3: one group, the batch's value is the group's)
            assert got == {} and said, (seed, got, said)
