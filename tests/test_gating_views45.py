"""Survey 45's st-moe GAP traced (gap45a): the top-2 gating's own arithmetic splits exactly against the
oracle -- a one-hot mask of the experts, its first slot kept as a view (``mask_1 = mask[0]``, read by the
balance loss after the mask is written in place), the routing and the capacity applied in place
(``mask *= ..``, ``mask[n] *= ..``), the capacity a literal equal to the batch's count of sequences by
value. So the view (the survey's cause 3) declines only downstream of the routing's random draw. Near
misses that must decline: the routing by a draw inside the call (the group alone draws other numbers),
and a write through the mask that mixes sequences (the batch's mean)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from test_first_contact38 import _declines, _splits

EXPERTS, CAPACITY = 4, 4.0  # the capacity equals the 4 sequences of the first batch by value only


def _gates(h):
    """Per token the softmax over experts, its top-2 values and experts (k first)."""
    raw = (h @ torch.linspace(-1.0, 1.0, h.shape[-1] * EXPERTS).view(h.shape[-1], EXPERTS)).softmax(-1)
    g, idx = raw.topk(2, -1)
    return raw, g.permute(2, 0, 1), idx.permute(2, 0, 1)


def _gating(h, route):
    raw, g, idx = _gates(h)
    mask = F.one_hot(idx, EXPERTS).float()  # [k, B, T, E]
    mask_1 = mask[0]  # a view: it sees the writes below
    mask *= route(g).float()[..., None]
    for n in range(2):
        pos = mask.cumsum(-2)[n] * mask[n]
        mask[n] *= (pos < CAPACITY).float()
    balance = (mask_1.mean(-2) * raw.mean(-2)).mean() * float(EXPERTS ** 2)
    return {"loss_balance": balance, "loss_kept": (mask.sum(-1) * g).mean()}


def _routed_by_score(g):
    route = g > 0.3
    route[0, ...] = True
    return route


def gating_routed_by_score(h, y):
    return _gating(h, _routed_by_score)


def test_top2_gating_with_a_view_of_its_mask_splits_exactly():
    _splits(gating_routed_by_score, 6, 8)


# -- near misses ----------------------------------------------------------------------------------


def gating_routed_by_a_draw(h, y):
    """st-moe's policy: the second expert where a uniform draw falls below its score over 2, drawn
    inside the call from a seeded generator (the group alone draws the stream's first numbers, at
    other positions)."""
    gen = torch.Generator().manual_seed(7)
    return _gating(h, lambda g: torch.zeros_like(g).uniform_(0.0, 1.0, generator=gen) < g / 2.0)


def gating_mask_scaled_by_the_batch(h, y):
    """The mask scaled in place by the batch's mean score: the view sees values of every sequence."""
    raw, g, idx = _gates(h)
    mask = F.one_hot(idx, EXPERTS).float()
    mask_1 = mask[0]
    mask *= g.mean()
    return {"loss_balance": (mask_1.mean(-2) * raw.mean(-2)).mean()}


def test_a_draw_or_a_batch_statistic_written_through_the_mask_declines():
    _declines(gating_routed_by_a_draw, "loss_balance", 6, 8)
    _declines(gating_mask_scaled_by_the_batch, "loss_balance", 6, 8)
