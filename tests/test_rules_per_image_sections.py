"""Rows split at sections the body computes per image (Align-DETR's ``prior.split(per_image)`` with
``per_image = [len(j) // 2 for _, j in indices]``), against the oracle (``shape._per_image_sections``).

A split of the images' rows by a list of numbers that matches the rows by value only may cut elsewhere on a
group alone (the list reversed, matching a batch of palindromic counts). The code shows a list that cannot:
a local stored once, outside any loop, as a list comprehension over a parameter of one item per image (the
matcher's indices, the targets), each element computed from its item alone (sizes, int literals,
arithmetic), the local never changed after (``_bytecode.per_item_sections``). On a group alone it holds the
group's items' numbers in order; a deferred check declines the call where the rows cut are not, in image
order, that many rows of each image. Near misses decline: the list reversed after the comprehension, a
comprehension over the indices reversed, the list reversed in place, the rows flipped before the cut, each
image's rows twice cut at twice each count (the deferred check)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import split_outcome, wrong_companions
from test_rules_index_numbers import batch as index_batch

# (loss_weight per image, matches per image): 2 to 5 images, a group absent in the last; the counts of the
# second batch a palindrome whose first group's reversal cuts elsewhere
BATCHES = [([1.0, 0.5, 1.0, 0.5], [1, 3, 2, 2]), ([1.0, 1.0, 0.5], [1, 2, 1]), ([0.5, 1.0], [2, 1]),
           ([1.0, 1.0, 0.5, 0.5, 0.5], [2, 2, 1, 3, 1]), ([1.0, 1.0, 1.0], [3, 1, 2])]
# an image without matches: its section 0, its piece empty
EMPTY = [([1.0, 0.5, 1.0, 0.5], [2, 0, 3, 1])]


def batch(k: int) -> tuple[list, list]:
    return index_batch(k, BATCHES, 4100)


def _l1_rows(o, t, idx):
    """Each image's matched rows, joined in image order."""
    return torch.cat([F.l1_loss(o["pred_boxes"][i, s], u["boxes"][j], reduction="none").sum(1)
                      for i, (u, (s, j)) in enumerate(zip(t, idx))])


def per_image_means_of_split_rows(o, t, idx, num_boxes):
    l1 = _l1_rows(o, t, idx)
    sizes = [len(j) for _, j in idx]
    return {"loss_bbox": torch.stack([p.mean() for p in l1.split(sizes)]).mean()}


def rank_weights_per_piece_joined_again(o, t, idx, num_boxes):
    """Align-DETR's shape: each piece ranked on its own, the pieces' weights joined again."""
    l1 = _l1_rows(o, t, idx)
    per_image = [2 * len(s) // 2 for s, _ in idx]
    rank = torch.cat([p.detach().argsort(descending=True).argsort().float() for p in l1.split(per_image)])
    return {"loss_bbox": (l1 * torch.exp(-rank / 1.5)).sum() / num_boxes}


def softmax_per_image_by_torch_split(o, t, idx, num_boxes):
    l1 = _l1_rows(o, t, idx)
    sizes = [u["boxes"].shape[0] for u in t]
    w = torch.cat([p.softmax(0) for p in torch.split(l1.detach(), sizes)])
    return {"loss_bbox": (l1 * w).sum() / num_boxes}


EXACT = [per_image_means_of_split_rows, rank_weights_per_piece_joined_again, softmax_per_image_by_torch_split]


def sizes_reversed_after(o, t, idx, num_boxes):
    l1 = _l1_rows(o, t, idx)
    sizes = [len(j) for _, j in idx][::-1]
    return {"loss_bbox": torch.stack([p.mean() for p in l1.split(sizes)]).mean()}


def sizes_of_reversed_indices(o, t, idx, num_boxes):
    l1 = _l1_rows(o, t, idx)
    sizes = [len(j) for _, j in reversed(idx)]
    return {"loss_bbox": torch.stack([p.mean() for p in l1.split(sizes)]).mean()}


def sizes_reversed_in_place(o, t, idx, num_boxes):
    l1 = _l1_rows(o, t, idx)
    sizes = [len(j) for _, j in idx]
    sizes.reverse()
    return {"loss_bbox": torch.stack([p.mean() for p in l1.split(sizes)]).mean()}


def rows_flipped_before_the_cut(o, t, idx, num_boxes):
    l1 = _l1_rows(o, t, idx)
    sizes = [len(j) for _, j in idx]
    return {"loss_bbox": torch.stack([p.mean() for p in l1.flip(0).split(sizes)]).mean()}


def twice_the_rows_at_twice_the_counts(o, t, idx, num_boxes):
    l1 = _l1_rows(o, t, idx)
    sizes = [2 * len(j) for _, j in idx]
    return {"loss_bbox": torch.stack([p.mean() for p in torch.cat([l1, l1]).split(sizes)]).mean()}


# the palindromic batch (1): each body's list matches the rows by value there, on the first group alone not
DECLINE = [sizes_reversed_after, sizes_of_reversed_indices, sizes_reversed_in_place, rows_flipped_before_the_cut,
           twice_the_rows_at_twice_the_counts]


def outcomes(body):
    return [split_outcome(body, *batch(k)) for k in range(len(BATCHES))]


@pytest.mark.parametrize("body", EXACT, ids=lambda f: f.__name__)
def test_rows_split_at_each_images_own_numbers_split_exactly(body):
    for k, (got, want, said) in enumerate(outcomes(body)):
        assert set(got) == set(want) and not said, (k, said)
        assert not wrong_companions(got, want), k


@pytest.mark.parametrize("body", DECLINE, ids=lambda f: f.__name__)
def test_sections_matching_by_value_only_decline(body):
    for k in (0, 1):
        got, want, said = split_outcome(body, *batch(k))
        assert not wrong_companions(got, want)
        assert not got and said, said
    print(said)


@pytest.mark.parametrize("body", [rank_weights_per_piece_joined_again, softmax_per_image_by_torch_split],
                         ids=lambda f: f.__name__)
def test_an_image_without_rows_gets_an_empty_piece(body):
    got, want, said = split_outcome(body, *index_batch(0, EMPTY, 4200))
    assert set(got) == set(want) and not said, said
    assert not wrong_companions(got, want)
