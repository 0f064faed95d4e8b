"""The rule survey 46 (first contact) asked for, against the oracle on several batches, with its
near misses: ``torch.searchsorted`` of each row's values in its own row's grid (mip-NeRF 360's
proposal bound: ``searchsorted(edges [R, K], t [R, M])`` then ``gather`` of each ray's cumulative
weights) keeps the rows. A search in a grid that is not each row's own declines, and a search in
one image's grid (POT's sliced Wasserstein per example, survey 33) keeps the handling of an op
without a rule."""

from __future__ import annotations

import torch
from test_first_contact38 import _declines, _splits


def _edges(x):
    """Each row's sorted values [B, K + 1] (a monotone grid per row, from the prediction)."""
    return torch.sort(x.detach().flatten(1), -1).values


def interlevel_bound(x, y):
    """Each row's cumulative weights looked up at its own edges' positions (left and right)."""
    w = x.flatten(1).softmax(-1)
    grid, t = _edges(y), _edges(x)
    cw = torch.cat([torch.zeros_like(w[:, :1]), w.cumsum(-1)], -1)
    lo = (torch.searchsorted(grid, t[:, :-1].contiguous(), right=True) - 1).clamp(min=0)
    hi = torch.searchsorted(grid, t[:, 1:].contiguous()).clamp(max=w.shape[1])
    return {"loss_bound": (torch.gather(cw, 1, hi) - torch.gather(cw, 1, lo)).square().sum(-1).mean()}


def ranks_in_own_row(x, y):
    """``searchsorted(sorter=...)`` of each row's values in its own row, with ``side='right'`` and
    ``out_int32``: each element's rank in its row, a weight of its error."""
    flat = x.flatten(1)
    order = flat.detach().argsort(-1)
    rank = torch.searchsorted(flat.detach(), y.flatten(1), side="right", sorter=order, out_int32=True)
    return {"loss_rank": (flat.square() * rank.float()).mean()}


def test_each_rows_values_searched_in_its_own_rows_grid_split():
    """(Was lost at ``torch.searchsorted``, no rule: survey 46's mip-NeRF 360 interlevel loss.)"""
    _splits(interlevel_bound, 2, 3)
    _splits(ranks_in_own_row, 5)


def grid_of_the_next_row(x, y):
    """Each row searched in the next row's grid (``roll`` along the rows): another image's."""
    pos = torch.searchsorted(_edges(y).roll(1, 0), x.detach().flatten(1)).float()
    return {"loss_next": (x.flatten(1) * pos).mean()}


def grid_of_the_batch(x, y):
    """Every row searched in the grid of the whole batch's values (``[1, N]`` expanded)."""
    flat = torch.sort(y.flatten()).values[None].expand(x.shape[0], -1).contiguous()
    pos = torch.searchsorted(flat, x.detach().flatten(1)).float()
    return {"loss_batch": (x.flatten(1) * pos).mean()}


def grid_of_row_0(x, y):
    """Every row searched in the first image's grid (picked by position outside a loop)."""
    pos = torch.searchsorted(_edges(y)[0], x.detach().flatten(1)).float()
    return {"loss_first": (x.flatten(1) * pos).mean()}


def test_a_grid_not_each_rows_own_declines():
    _declines(grid_of_the_next_row, "loss_next", 5)
    _declines(grid_of_the_batch, "loss_batch", 5)
    _declines(grid_of_row_0, "loss_first", 5)


def per_example_in_its_own_grid(x, y):
    """In a loop over the examples, each one's data searched in its own 1-D grid (POT's sliced
    Wasserstein's quantile functions): each its own, as an op without a rule keeps it."""
    terms = [(x[i] * torch.searchsorted(torch.sort(y[i].flatten()).values, y[i].flatten() * 0.5).float().view_as(x[i]))
             .mean() for i in range(x.shape[0])]
    return {"loss_each": torch.stack(terms).mean()}


def test_a_search_in_one_examples_grid_in_a_loop_splits():
    _splits(per_example_in_its_own_grid, 5)
