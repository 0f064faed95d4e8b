"""The rule survey 45 (first contact) asked for, against the oracle on several batches, with its near
misses: pieces cut by position (``x.chunk(ceil(B / 2))``), each transformed row by row and joined
back in order, then cut again at the same boundaries -- pytorch-tabnet's ghost batch norm in eval
mode, applied layer after layer. The join is the rows again and its cut one by position; another
cut or order of the pieces, or a statistic per piece, still declines."""

from __future__ import annotations

import math

import torch
from test_first_contact38 import _declines, _splits


def _ghost(x, k):
    """A ghost batch norm in eval mode: the pieces normalised row by row, joined back in order."""
    return torch.cat([p * 0.5 + 0.1 for p in x.chunk(k)])


def ghost_layers_row_by_row(pred, target):
    k = math.ceil(pred.shape[0] / 2)
    h = _ghost(torch.tanh(_ghost(pred, k)), k)
    return {"loss": ((h - target) ** 2).mean()}


def ghost_layers_then_sum_of_pieces(pred, target):
    k = math.ceil(pred.shape[0] / 2)
    h = _ghost(_ghost(pred, k), k)
    return {"loss": sum(((p - t) ** 2).sum() for p, t in zip(h.chunk(k), target.chunk(k))) / pred.numel()}


def test_ghost_layers_split_exactly():
    _splits(ghost_layers_row_by_row, 3)
    _splits(ghost_layers_then_sum_of_pieces, 3)


# -- near misses: a mean per piece, the pieces reordered, a batch statistic per piece -----------------

def recut_then_mean_per_piece(pred, target):
    k = math.ceil(pred.shape[0] / 2)
    h = _ghost(pred, k)
    return {"loss": torch.stack([((p - t) ** 2).mean() for p, t in zip(h.chunk(k), target.chunk(k))]).mean()}


def reversed_pieces_recut(pred, target):
    k = math.ceil(pred.shape[0] / 2)
    h = torch.cat(list(reversed(pred.chunk(k))))
    return {"loss": torch.stack([(p ** 2).mean() for p in h.chunk(k)]).mean()}


def ghost_batch_statistics(pred, target):
    k = math.ceil(pred.shape[0] / 2)
    h = torch.cat([p - p.mean(0) for p in pred.chunk(k)])
    h = torch.cat([p - p.mean(0) for p in h.chunk(k)])
    return {"loss": ((h - target) ** 2).mean()}


def test_other_cuts_of_the_join_decline():
    for body in (recut_then_mean_per_piece, reversed_pieces_recut, ghost_batch_statistics):
        _declines(body, "loss", 3)


def other_transform_per_piece_recut(pred, target):
    k = math.ceil(pred.shape[0] / 2)
    h = torch.cat([p * (i + 1) for i, p in enumerate(pred.chunk(k))])
    return {"loss": ((_ghost(h, k) - target) ** 2).mean()}


def test_a_transform_by_piece_number_declines():
    """Each piece scaled by its number: on a group alone its rows are in other pieces."""
    _declines(other_transform_per_piece_recut, "loss", 3)
