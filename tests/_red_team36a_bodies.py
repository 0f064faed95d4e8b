"""Red team rt36a (session 35): adversarial bodies against the rules session 35 added (grp's paired
rows, s45's re-cut by position, s46's own-row ``searchsorted``, s47's several-``q`` ``quantile`` and
batched ``lstsq``). ``BODIES``: name -> (body, shape of each image's rows). Each body takes
``(pred, ref)``, both ``[B, *shape]``, one image per row; measured on ``BATCHES`` (labels through
``losssplit.sources``) by ``tests/test_red_team36a.py``."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

BATCHES = [  # pairs of one group (row i with row i + B/2), pairs across groups, odd counts, a group absent
    ["a", "b", "a", "b"], ["b", "b", "b", "b"], ["c", "c"], ["a", "b", "c", "a", "b", "c"],
    ["a", "a", "b", "b"], ["a", "b", "b"], ["a", "a", "b", "a", "b"], ["a", "c", "a", "a", "c", "a"],
]


def _err(pred, ref):
    return (pred - ref).pow(2).mean(1)


# -- grp's paired rows ----------------------------------------------------------------------------

def slice_offset_neighbours(pred, ref):
    e = _err(pred, ref)
    return {"loss": (e[:-1] - e[1:]).abs().mean()}


def slice_offset_by_half(pred, ref):
    e = _err(pred, ref)
    h = e.shape[0] // 2
    return {"loss": F.logsigmoid(e[:h] - e[h:2 * h]).mean()}


def halves_catted_swapped(pred, ref):
    e = _err(pred, ref)
    w, lo = e.chunk(2)
    return {"loss": (torch.cat([lo, w]) - e).abs().mean()}


def halves_catted_one_flipped(pred, ref):
    e = _err(pred, ref)
    w, lo = e.chunk(2)
    return {"loss": (torch.cat([lo.flip(0), w]) - e).abs().mean()}


def winner_rotated_by_cat(pred, ref):
    e = _err(pred, ref)
    w, lo = e.chunk(2)
    return {"loss": (torch.cat([w[1:], w[:1]]) - lo).abs().mean()}


def winners_broadcast_over_losers(pred, ref):
    e = _err(pred, ref)
    w, lo = e.chunk(2)  # odd batch: one more winner than losers, the last loser broadcast
    return {"loss": F.softplus(lo - w[: lo.shape[0]]).mean() if lo.shape[0] != w.shape[0] else F.softplus(lo - w).mean()}


def chunk_uneven_broadcast(pred, ref):
    e = _err(pred, ref)
    w, lo = e.split([e.shape[0] - 1, 1])  # every row against the last row
    return {"loss": (w - lo).abs().mean()}


def first_row_expanded(pred, ref):
    e = _err(pred, ref)
    return {"loss": (e - e[:1].expand_as(e)).abs().mean()}


def outer_difference(pred, ref):
    e = _err(pred, ref)
    w, lo = e.chunk(2)
    return {"loss": F.softplus(w[:, None] - lo[None, :]).mean()}


def index_select_even_odd(pred, ref):
    e = _err(pred, ref)
    n = e.shape[0] - e.shape[0] % 2
    ev = e.index_select(0, torch.arange(0, n, 2))
    od = e.index_select(0, torch.arange(1, n, 2))
    return {"loss": (ev - od).abs().mean()}


def index_select_skipping_first(pred, ref):
    e = _err(pred, ref)
    h = e.shape[0] // 2
    w = e.index_select(0, torch.arange(1, h))
    lo = e.index_select(0, torch.arange(h + 1, 2 * h))
    return {"loss": (w - lo).abs().sum() / e.shape[0]}


def strided_slices(pred, ref):
    e = _err(pred, ref)
    n = e.shape[0] - e.shape[0] % 2
    return {"loss": (e[0:n:2] - e[1:n:2]).abs().mean()}


def view_pairs_adjacent(pred, ref):
    e = _err(pred, ref)
    p = e[: e.shape[0] - e.shape[0] % 2].view(-1, 2)
    return {"loss": (p[:, 0] - p[:, 1]).abs().mean()}


def view_halves(pred, ref):
    e = _err(pred, ref)
    p = e[: e.shape[0] - e.shape[0] % 2].view(2, -1)
    return {"loss": (p[0] - p[1]).abs().mean()}


def masked_both_sides_alike(pred, ref):
    e = _err(pred, ref)
    w, lo = e.chunk(2)
    m = (w.detach() + lo.detach()) > 0.5
    return {"loss": (w[m] - lo[m]).abs().sum() / e.shape[0]}


def masked_sides_differently(pred, ref):
    e = _err(pred, ref)
    w, lo = e.chunk(2)
    m = (w.detach() + lo.detach()) > 0.5
    return {"loss": (w[m] - lo[m.roll(1, 0)]).abs().sum() / e.shape[0]}


def mask_drops_rows_of_one_side(pred, ref):
    e = _err(pred, ref)
    w, lo = e.chunk(2)
    k = w[w.detach() > 0.0]  # every winner kept: the same rows, through a mask
    return {"loss": F.softplus(lo - k).mean()}


def normaliser_from_the_other_side(pred, ref):
    e = _err(pred, ref)
    w, lo = e.chunk(2)
    return {"loss": (w - lo).abs().sum() / lo.detach().sum()}


def per_row_over_others_mean(pred, ref):
    e = _err(pred, ref)
    w, lo = e.chunk(2)
    return {"loss": ((w - lo) / lo.detach().mean()).abs().mean()}


def winners_minus_losers_mean(pred, ref):
    e = _err(pred, ref)
    w, lo = e.chunk(2)
    return {"loss": F.softplus(w - lo.mean()).mean()}


def where_of_the_halves(pred, ref):
    e = _err(pred, ref)
    w, lo = e.chunk(2)
    return {"loss": torch.where(w > lo, w - lo, lo * 0.1).mean()}


def maximum_of_the_halves(pred, ref):
    e = _err(pred, ref)
    w, lo = e.chunk(2)
    return {"loss": torch.maximum(w, lo).mean()}


def stacked_halves_diff(pred, ref):
    e = _err(pred, ref)
    return {"loss": torch.stack(e.chunk(2), 1).diff(dim=1).abs().mean()}


def unflattened_halves(pred, ref):
    e = _err(pred, ref)
    u = e.unflatten(0, (2, -1))
    return {"loss": (u[0] - u[1]).abs().mean()}


def prompts_tiled_not_interleaved(pred, ref):
    e = _err(pred, ref)
    r = (pred.detach() - ref).abs().sum(1).round().view(-1, 2)
    keep = (r.max(1).values > 0.5).float().repeat(2)  # tiled: row i against prompt i % P
    return {"loss": (e * keep).sum() / keep.sum().clamp(min=1)}


def prompts_expanded(pred, ref):
    e = _err(pred, ref)
    r = (pred.detach() - ref).abs().sum(1).round().view(-1, 2)
    keep = (r.max(1).values > 0.5).float()[:, None].expand(-1, 2).reshape(-1)
    return {"loss": (e * keep).sum() / keep.sum().clamp(min=1)}


def rows_sorted_by_value_against_own(pred, ref):
    e = _err(pred, ref)
    return {"loss": (e.sort().values - e).abs().mean()}


def halves_differences_cumsum(pred, ref):
    e = _err(pred, ref)
    w, lo = e.chunk(2)
    return {"loss": (w - lo).cumsum(0).abs().mean()}


# -- s45's re-cut by position, s46's own-row search, s47's quantile and lstsq ---------------------

def _ghost(x, k):
    return torch.cat([p * 0.5 + 0.1 for p in x.chunk(k)])


def recut_other_count(pred, ref):
    k = math.ceil(pred.shape[0] / 2)
    h = _ghost(pred, k)
    return {"loss": sum(((p - t) ** 2).sum() for p, t in zip(h.chunk(2), ref.chunk(2))) / pred.numel()}


def recut_then_per_piece_max(pred, ref):
    k = math.ceil(pred.shape[0] / 2)
    h = _ghost(pred, k)
    return {"loss": sum(((p - t) ** 2).max() for p, t in zip(h.chunk(k), ref.chunk(k)))}


def recut_fixed_piece_size(pred, ref):
    h = torch.cat([p * 0.5 for p in pred.split(2)])
    return {"loss": torch.stack([(p - t).pow(2).sum() for p, t in zip(h.split(2), ref.split(2))]).sum() / pred.numel()}


def searchsorted_grid_of_sorted_batch_rows(pred, ref):
    grid = torch.sort(ref.detach(), 0).values  # each column sorted over the images: row i isn't image i's
    pos = torch.searchsorted(grid.t().contiguous(), pred.detach().t().contiguous()).float().t()
    return {"loss": (pred * pos).mean()}


def searchsorted_own_row_of_cumsum_over_images(pred, ref):
    grid = torch.sort(ref.detach(), 1).values.cumsum(0)  # a cumulative sum over the images
    pos = torch.searchsorted(grid, pred.detach()).float()
    return {"loss": (pred * pos).mean()}


def searchsorted_own_row_grid_flipped(pred, ref):
    grid = torch.sort(ref.detach(), 1).values.flip(0)  # row i searched in image B-1-i's grid
    pos = torch.searchsorted(grid, pred.detach().contiguous()).float()
    return {"loss": (pred * pos).mean()}


def quantile_of_an_image_and_its_neighbour_by_cat(pred, ref):
    total = 0.0
    for i in range(len(pred)):
        j = (i + 1) % len(pred)
        lo, hi = torch.quantile(torch.cat([ref[i], ref[j]]), torch.tensor([0.1, 0.9]))
        total = total + ((pred[i] - lo) / (hi - lo)).pow(2).mean()
    return {"loss": total / len(pred)}


def quantile_of_the_image_minus_batch_mean(pred, ref):
    total = 0.0
    for i in range(len(pred)):
        lo, hi = torch.quantile(ref[i] - ref.mean(0), torch.tensor([0.1, 0.9]))
        total = total + ((pred[i] - lo) / (hi - lo)).pow(2).mean()
    return {"loss": total / len(pred)}


def quantile_q_from_the_count(pred, ref):
    total = 0.0
    for i in range(len(pred)):
        q = torch.tensor([0.1, 1.0 - 1.0 / (len(pred) + 1)])
        lo, hi = torch.quantile(ref[i], q)
        total = total + ((pred[i] - lo) / (hi - lo)).pow(2).mean()
    return {"loss": total / len(pred)}


def count_in_a_list_tensor_factor(pred, ref):
    q = torch.tensor([0.1, 1.0 / (len(pred) + 1)])  # a list display of a number of the count (not s47's)
    return {"loss": (pred * q[1]).mean()}


def quantile_of_a_row_over_the_images(pred, ref):
    lo, hi = torch.quantile(ref[:, 0], torch.tensor([0.1, 0.9]))  # column 0 of every image: the batch's
    return {"loss": ((pred - lo) / (hi - lo)).pow(2).mean()}


def lstsq_design_rolled(pred, ref):
    a = torch.stack([pred.detach(), torch.ones_like(pred)], -1).roll(1, 0)  # image i's target, image i-1's design
    sol = torch.linalg.lstsq(a, ref.unsqueeze(-1), driver="gels").solution
    return {"loss": (pred * sol[:, 0] + sol[:, 1] - ref).abs().mean()}


def lstsq_design_of_batch_mean(pred, ref):
    a = torch.stack([pred.detach().mean(0, keepdim=True).expand_as(pred), torch.ones_like(pred)], -1).contiguous()
    sol = torch.linalg.lstsq(a, ref.unsqueeze(-1), driver="gels").solution
    return {"loss": (pred * sol[:, 0] + sol[:, 1] - ref).abs().mean()}


def lstsq_solution_scaled_by_count(pred, ref):
    a = torch.stack([pred.detach(), torch.ones_like(pred)], -1)
    sol = torch.linalg.lstsq(a, ref.unsqueeze(-1), driver="gels").solution
    return {"loss": sol[:, 0].sum() / 4.0 + (pred * sol[:, 0]).abs().mean()}


def lstsq_images_stacked_along_rows(pred, ref):
    a = torch.stack([pred.detach(), torch.ones_like(pred)], -1).reshape(1, -1, 2)  # one system of every image
    sol = torch.linalg.lstsq(a, ref.reshape(1, -1, 1), driver="gels").solution
    return {"loss": (pred * sol[:, 0] + sol[:, 1] - ref).abs().mean()}


SHAPE = 3
BODIES = {name: fn for name, fn in list(globals().items())
          if callable(fn) and not name.startswith("_") and getattr(fn, "__module__", None) == __name__}


# -- rtm's window records: bodies ``(x, m)`` over ``WINDOW_CALLS`` (SplitMeter over the calls) --------

def _over(x, m):
    return x.abs().sum() / m.sum()


def window_key_plain_and_a_part(x, m):
    loss = _over(x, m)
    return {"loss": loss, "total": loss + x.abs().mean()}


def window_two_keys_one_of_them_scaled(x, m):
    loss = _over(x, m)
    return {"loss": loss, "half": loss * 0.5}


def window_three_keys_one_tensor(x, m):
    loss = _over(x, m)
    return {"loss": loss, "again": loss, "more": loss}


def window_zero_over_zero(x, m):
    return {"loss": (x.abs().squeeze(1) * m).sum() / m.sum()}


def window_over_zero_clamped(x, m):
    return {"loss": _over(x, m).clamp(max=10.0)}


def window_over_zero_nan_to_num(x, m):
    return {"loss": torch.nan_to_num(_over(x, m), posinf=10.0)}


def window_over_zero_minimum(x, m):
    return {"loss": torch.minimum(_over(x, m), x.abs().mean() * 5)}


def window_over_zero_times_mean(x, m):
    return {"loss": _over(x, m) * x.abs().mean()}


def window_over_zero_reciprocal(x, m):
    return {"loss": 1.0 / (1.0 + _over(x, m))}


def window_log_part_plus_mean(x, m):
    return {"loss": x.abs().mean() + x.log().mean()}


def window_over_zero_exp_neg(x, m):
    return {"loss": torch.exp(-_over(x, m))}


# call 1: group b's row masked out (m 0: x / 0 for b) and negative (log NaN); call 2 finite
WINDOW_CALLS = [(([[1.0], [-2.0]], [1.0, 0.0]), ["a", "b"]), (([[3.0], [4.0], [0.5]], [1.0, 1.0, 0.0]), ["a", "b", "a"])]
WINDOW_BODIES = {name: fn for name, fn in list(globals().items()) if name.startswith("window_")}
BODIES = {k: v for k, v in BODIES.items() if not k.startswith("window_")}
