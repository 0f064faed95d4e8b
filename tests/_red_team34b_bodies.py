# ruff: noqa: B006, B008, B023, E731 -- what this red team tries: lambdas, closures, computed defaults
"""Red team of session 34, round 2 (helper r2rt): adversarial bodies against the rules merged in
round 1 of session 34: s44's table pre-filled with numbers of the body (``indexing._number_at_every_row``),
``Tensor.unfold`` along a dim without images and ``F.triplet_margin_with_distance_loss`` (vmap check);
gaps' stored loop locals and ``self.model.forward``; s43's ratios of a ``RowCount`` (``c * sqrt(d.sum()) / B``);
recip's unread count factors, dflt's ``_held_count`` and lenh's count helpers through other spellings
of the count. Near misses (``near_*``) must split exactly; every other body must split exactly or
decline naming the key.

``BODIES``: name -> (family, batch kind, body); measured on the red-team-28 batches; the tests are
``tests/test_red_team34b.py``."""

from __future__ import annotations

import functools
import math
import operator
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from _red_team26_bodies import E, Y
from _red_team27_bodies import registrar
from _red_team31_bodies import e1

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)


# === 1. s44: a table of a row per image pre-filled with numbers of the body ========================


def _table(o, t, n=3):
    return torch.zeros(o["x"].shape[0], n)


@body("table")
def table_literal_chosen_by_count(o, t):
    r = _table(o, t)
    r[:, 0] = 2.5 if len(t) > 2 else 0.5
    r[:, 1] = E(o, t)
    return {"loss": (r[:, 0] * r[:, 1]).sum()}


@body("table")
def table_number_from_shape(o, t):
    r = _table(o, t)
    r[:, 0] = o["x"].shape[0] / 10
    r[:, 1] = E(o, t)
    return {"loss": (r[:, 0] * r[:, 1]).sum()}


@body("table")
def table_number_tenth_of_count(o, t):
    r = _table(o, t)
    r[:, 0] = 0.1 * len(t) + 0.05
    r[:, 1] = E(o, t)
    return {"loss": (r[:, 0] * r[:, 1]).sum()}


@body("table")
def table_number_host_read_of_batch(o, t):
    r = _table(o, t)
    r[:, 0] = float(E(o, t).detach().mean()) * 2.0
    r[:, 1] = E(o, t)
    return {"loss": (r[:, 0] * r[:, 1]).sum()}


@body("table")
def table_shifted_rows(o, t):
    r = _table(o, t)
    r[:, 0] = 1.0
    e = E(o, t)
    r[1:, 1] = e[:-1]
    r[:1, 1] = e[-1:]
    return {"loss": (r[:, 0] + r[:, 1] * torch.arange(1.0, r.shape[0] + 1)).sum()}


@body("table")
def table_rolled_rows(o, t):
    r = _table(o, t)
    r[:, 0] = 1.0
    r[:, 1] = E(o, t).roll(1, 0) * torch.arange(1.0, len(t) + 1)
    return {"loss": r.sum()}


@body("table")
def table_flipped_rows(o, t):
    r = _table(o, t)
    r[:, 0] = 1.0
    r[:, 1] = E(o, t).flip(0)
    return {"loss": (r[:, 1] * torch.arange(1.0, len(t) + 1)).sum()}


@body("table")
def table_permuted_rows_by_index(o, t):
    r = _table(o, t)
    r[:, 0] = 1.0
    r[:, 1] = E(o, t)[torch.arange(len(t) - 1, -1, -1)]
    return {"loss": (r[:, 1] * torch.arange(1.0, len(t) + 1)).sum()}


@body("table")
def table_cumsum_rows(o, t):
    r = _table(o, t)
    r[:, 0] = 1.0
    r[:, 1] = E(o, t).cumsum(0)
    return {"loss": r[:, 1].sum()}


@body("table")
def table_sorted_rows(o, t):
    r = _table(o, t)
    r[:, 0] = 1.0
    r[:, 1] = E(o, t).sort().values
    return {"loss": (r[:, 1] * torch.arange(1.0, len(t) + 1)).sum()}


@body("table")
def table_batch_mean_expanded(o, t):
    r = _table(o, t)
    r[:, 0] = 1.0
    e = E(o, t)
    r[:, 1] = e.mean().expand(e.shape[0])
    return {"loss": (r[:, 1] * e).sum()}


@body("table")
def table_batch_mean_times_ones(o, t):
    r = _table(o, t)
    r[:, 0] = 1.0
    e = E(o, t)
    r[:, 1] = e.mean() * torch.ones(len(t))
    return {"loss": (r[:, 1] * e).sum()}


@body("table")
def table_batch_mean_zero_dim(o, t):
    r = _table(o, t)
    r[:, 0] = 1.0
    e = E(o, t)
    r[:, 1] = e.mean()
    return {"loss": (r[:, 1] * e).sum()}


@body("table")
def table_centred_rows(o, t):
    r = _table(o, t)
    r[:, 0] = 1.0
    e = E(o, t)
    r[:, 1] = e - e.mean()
    return {"loss": r[:, 1].pow(2).sum()}


@body("table")
def table_literal_after_values_chosen_by_count(o, t):
    r = _table(o, t)
    r[:, 0] = 0.0
    r[:, 1] = E(o, t)
    r[:, 2] = 3.5 if len(t) > 3 else 1.5
    return {"loss": (r[:, 1] * r[:, 2]).sum()}


@body("table")
def table_index_fill_count(o, t):
    r = torch.zeros(len(t), 3)
    r.index_fill_(1, torch.tensor([0]), 0.1 * len(t) + 0.05)
    r[:, 1] = E(o, t)
    return {"loss": (r[:, 0] * r[:, 1]).sum()}


@body("table")
def table_fill_view_count(o, t):
    r = torch.zeros(len(t), 3)
    r[:, 0].fill_(0.1 * len(t) + 0.05)
    r[:, 1] = E(o, t)
    return {"loss": (r[:, 0] * r[:, 1]).sum()}


@body("table")
def table_number_via_ellipsis(o, t):
    r = torch.zeros(len(t), 3)
    r[..., 0] = 2.5 if len(t) > 2 else 0.5
    r[..., 1] = E(o, t)
    return {"loss": (r[..., 0] * r[..., 1]).sum()}


@body("table")
def table_number_slice_rows_count(o, t):
    r = torch.zeros(len(t), 3)
    r[:, 0:1] = 0.5
    r[:, 1] = E(o, t)
    return {"loss": (r[:, 1] * r[:, 0]).sum() / len(t) + r[:, 0].sum()}


@body("table")
def table_number_then_row_mean_of_table(o, t):
    r = torch.zeros(len(t), 3)
    r[:, 0] = 1.0
    r[:, 1] = E(o, t)
    return {"loss": r.mean()}


@body("table")
def table_number_then_values_then_cross_row(o, t):
    r = torch.zeros(len(t), 3)
    r[:, 0] = 1.0
    r[:, 1] = E(o, t)
    r[:, 2] = E(o, t).max()
    return {"loss": (r[:, 2] * r[:, 1]).sum()}


@body("near")
def near_table_literal_start(o, t):
    r = _table(o, t)
    r[:, 0] = 0.5
    r[:, 1] = E(o, t)
    return {"loss": (r[:, 0] * r[:, 1]).sum()}


@body("near")
def near_table_inf_start(o, t):
    r = torch.full((len(t), 3), math.inf)
    r[:, 0] = 0.0
    r[:, 1] = E(o, t)
    return {"loss": (r[:, 1] + r[:, 0]).sum()}


# === 2. s44: unfold along dims without images; triplet with a distance function =====================


def _d(o, t):
    return o["x"] - Y(t)


@body("unfold")
def unfold_flat_windows_crossing_images(o, t):
    return {"loss": _d(o, t).reshape(-1).unfold(0, 8, 4).abs().mean(1).max()}


@body("unfold")
def unfold_flat_windows_sum_crossing_images(o, t):
    w = _d(o, t).reshape(-1).unfold(0, 8, 4)
    return {"loss": w.pow(2).sum(1).sqrt().sum() / len(t)}


@body("unfold")
def unfold_rows_after_flatten_crossing(o, t):
    w = _d(o, t).flatten(0, 1).unfold(0, 2, 1)  # [3B - 1, 4, 2]: windows of two rows, across images
    return {"loss": (w[..., 0] * w[..., 1]).abs().sum() / len(t)}


@body("unfold")
def unfold_transposed_rows_crossing(o, t):
    w = _d(o, t).reshape(-1, 4).T.unfold(1, 4, 2)  # [4, n, 4]
    return {"loss": w.abs().amax(-1).sum() / len(t)}


@body("unfold")
def unfold_view_as_rows_crossing(o, t):
    d = _d(o, t)
    w = d.view(d.shape[0] * 3, 4).unfold(0, 3, 2)
    return {"loss": w.abs().mean((1, 2)).sum()}


@body("near")
def near_unfold_flat_windows_per_image(o, t):
    return {"loss": _d(o, t).reshape(-1).unfold(0, 12, 12).abs().mean(1).sum()}


@body("near")
def near_unfold_along_width(o, t):
    return {"loss": _d(o, t).unfold(2, 2, 1).abs().amax(-1).mean((1, 2)).sum()}


def _triplet(o, t, dist):
    a = o["emb"]
    p = Y(t).flatten(1)[:, :6]
    n = Y(t).flatten(1)[:, 6:12]
    return F.triplet_margin_with_distance_loss(a, p, n, distance_function=dist, margin=1.0, reduction="sum")


@body("triplet")
def triplet_over_batch_max_norm(o, t):
    return {"loss": _triplet(o, t, lambda a, b: F.pairwise_distance(a, b) / a.norm(dim=-1).max())}


@body("triplet")
def triplet_closure_batch_max_norm(o, t):
    m = o["emb"].norm(dim=-1).max()
    return {"loss": _triplet(o, t, lambda a, b: F.pairwise_distance(a, b) / m)}


@body("triplet")
def triplet_closure_detached_batch_max(o, t):
    m = o["emb"].detach().norm(dim=-1).max()
    return {"loss": _triplet(o, t, lambda a, b: F.pairwise_distance(a, b) / m)}


@body("triplet")
def triplet_closure_host_batch_max(o, t):
    m = float(o["emb"].detach().norm(dim=-1).max())
    return {"loss": _triplet(o, t, lambda a, b: F.pairwise_distance(a, b) / m)}


@body("triplet")
def triplet_centred_by_batch_mean(o, t):
    return {"loss": _triplet(o, t, lambda a, b: ((a - a.mean(0)) - (b - b.mean(0))).norm(dim=-1))}


@body("triplet")
def triplet_closure_count(o, t):
    k = len(t)
    return {"loss": _triplet(o, t, lambda a, b: F.pairwise_distance(a, b) * (k + 1) / 4)}


@body("triplet")
def triplet_softmax_over_batch(o, t):
    return {"loss": _triplet(o, t, lambda a, b: F.pairwise_distance(a, b).softmax(0) * 3.0)}


@body("near")
def near_triplet_pairwise(o, t):
    return {"loss": _triplet(o, t, F.pairwise_distance)}


@body("near")
def near_triplet_own_norm(o, t):
    return {"loss": _triplet(o, t, lambda a, b: F.pairwise_distance(a, b) / a.norm(dim=-1).clamp(min=1e-3))}


# === 3. gaps: loops over a stored local; self.model.forward =========================================


class _Levels(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.model = torch.nn.Identity()
        self.dims, self.weights, self.per_step = [4, 3, 2], [1.0, 0.5, 0.25], -1


def _term(x, t, d):
    return (x[..., :d] - torch.stack([s["y"][..., :d] for s in t])).abs().mean()


@body("stored")
class StepsSetFromCountThisCall(_Levels):
    def forward(self, o, t):
        self.per_step = len(t) - 1
        dims = range(len(self.dims))
        if self.per_step > 0 and self.per_step < len(dims):
            dims = range(self.per_step)
        loss = 0.0
        for idx in dims:
            loss += self.weights[idx] * _term(self.model.forward(o["x"]), t, self.dims[idx])
        return {"loss": loss}


@body("stored")
class DimsSetFromCountThisCall(_Levels):
    def forward(self, o, t):
        self.dims = [4, 3, 2][:len(t) - 1]
        dims = range(len(self.dims))
        loss = 0.0
        for idx in dims:
            loss += self.weights[idx] * _term(self.model.forward(o["x"]), t, self.dims[idx])
        return {"loss": loss}


@body("stored")
class DimsTupleSetFromCountThisCall(_Levels):
    def forward(self, o, t):
        self.n = min(len(t), 3) - 1
        dims = tuple(range(self.n))
        loss = 0.0
        for idx in dims:
            loss = loss + self.weights[idx] * _term(self.model(o["x"]), t, self.dims[idx])
        return {"loss": loss}


_CONFIG: dict = {"n": 2}


@body("stored")
def dims_from_global_config_set_this_call(o, t):
    _CONFIG["n"] = (len(t) + 1) // 2
    dims = range(_CONFIG["n"])
    loss = 0.0
    for k in dims:
        loss += _term(o["x"], t, 4 - k)
    return {"loss": loss}


@body("stored")
class SampleSizeFromCountThisCall(_Levels):
    def forward(self, o, t):
        import random
        self.per_step = len(t) - 1
        dims = range(len(self.dims))
        if self.per_step > 0 and self.per_step < len(dims):
            state = random.getstate()
            random.seed(0)
            dims = sorted(random.sample(dims, self.per_step))
            random.setstate(state)
        loss = 0.0
        for idx in dims:
            loss += self.weights[idx] * _term(self.model.forward(o["x"]), t, self.dims[idx])
        return {"loss": loss}


@body("near")
class NearDimsConfigured(_Levels):
    def forward(self, o, t):
        dims = range(len(self.dims))
        loss = 0.0
        for idx in dims:
            loss += self.weights[idx] * _term(self.model.forward(o["x"]), t, self.dims[idx])
        return {"loss": loss}


class _Rec(torch.nn.Module):
    """``forward`` calling ``self.model.forward``: another object of the same class holding this one
    back (or itself), a recursion as deep as the images."""

    def forward(self, o, t, n=None):
        n = len(t) if n is None else n
        v = _term(o["x"], t, 4)
        return v if n <= 1 else self.model.forward(o, t, n - 1) * 0.5 + v


_P, _Q, _S = _Rec(), _Rec(), _Rec()
for _a, _b in ((_P, _Q), (_Q, _P), (_S, _S)):  # plain attributes, not registered children (a cycle)
    object.__setattr__(_a, "model", _b)


@body("stored")
def recursion_through_model_forward(o, t):
    return {"loss": _P(o, t)}


@body("stored")
def recursion_through_model_forward_direct(o, t):
    return {"loss": _P.forward(o, t)}


@body("stored")
def recursion_through_own_model(o, t):
    return {"loss": _S(o, t)}


# === 4. s43: ratios of a RowCount ===================================================================


def _sq(o, t):
    return (o["x"] - Y(t)).pow(2).mean((1, 2))


@body("rowcount")
def rowcount_sqrt_sum_over_count(o, t):
    return {"loss": 0.7 * torch.sqrt(_sq(o, t).sum()) / len(t)}


@body("rowcount")
def rowcount_sqrt_sum_over_count_plus_one(o, t):
    return {"loss": 0.7 * torch.sqrt(_sq(o, t).sum()) / (len(t) + 1)}


@body("rowcount")
def rowcount_sqrt_sum_over_count_squared(o, t):
    return {"loss": 0.7 * torch.sqrt(_sq(o, t).sum()) / len(t) ** 2}


@body("rowcount")
def rowcount_sqrt_sum_over_sqrt_count(o, t):
    return {"loss": 0.7 * torch.sqrt(_sq(o, t).sum()) / math.sqrt(len(t))}


@body("rowcount")
def rowcount_sqrt_sum_times_count(o, t):
    return {"loss": 0.7 * torch.sqrt(_sq(o, t).sum()) * len(t)}


@body("rowcount")
def rowcount_sqrt_of_sum_over_count(o, t):
    return {"loss": 0.7 * torch.sqrt(_sq(o, t).sum() / len(t))}


@body("rowcount")
def rowcount_sqrt_sum_squared_over_count(o, t):
    s = torch.sqrt(_sq(o, t).sum())
    return {"loss": s * s / len(t)}


@body("rowcount")
def rowcount_sqrt_sum_of_rows_over_count(o, t):
    d = (o["x"] - Y(t)).pow(2).mean(2)  # [B, 3]
    return {"loss": 0.7 * torch.sqrt(d.sum()) / len(t)}


@body("rowcount")
def rowcount_sqrt_sum_over_shape(o, t):
    d = _sq(o, t)
    return {"loss": 0.7 * torch.sqrt(d.sum() + 1e-8) / d.shape[0]}


@body("rowcount")
def rowcount_exp_sum_over_count(o, t):
    return {"loss": 0.7 * torch.exp(-_sq(o, t).sum()) / len(t)}


@body("rowcount")
def rowcount_two_sqrt_sums_over_count(o, t):
    d = _sq(o, t)
    return {"loss": (torch.sqrt(d.sum()) + torch.sqrt(E(o, t).sum())) / len(t)}


# === 5. the count through other spellings (recip, dflt, lenh) ======================================


def _reduce_count(v):
    return functools.reduce(lambda a, _: a + 1, v, 0)


def _cap_by_reduce(v):
    return 0.1 * functools.reduce(lambda a, _: a + 1, v, 0)


def _cap_by_listcomp(v):
    return 0.1 * sum([1 for _ in v])


def _cap_by_dunder(v):
    return 0.1 * v.__len__()


def _cap_by_np_size(v):
    return 0.1 * np.size(v, 0)


def _cap_by_length_hint(v):
    return 0.1 * operator.length_hint(v)


@body("spell")
def clamp_by_reduce_count_helper(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=_cap_by_reduce(t)).sum()}


@body("spell")
def clamp_by_listcomp_count_helper(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=_cap_by_listcomp(t)).sum()}


@body("spell")
def clamp_by_dunder_len_helper(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=_cap_by_dunder(t)).sum()}


@body("spell")
def clamp_by_np_size_helper(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=_cap_by_np_size(o["x"].detach())).sum()}


@body("spell")
def clamp_by_length_hint_helper(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=_cap_by_length_hint(t)).sum()}


@body("spell")
def clamp_by_reduce_count_inline(o, t):
    n = functools.reduce(lambda a, _: a + 1, t, 0)
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * n).sum()}


@body("spell")
def clamp_by_listcomp_count_inline(o, t):
    n = sum([1 for _ in t])
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * n).sum()}


@body("spell")
def clamp_by_dunder_len_inline(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * t.__len__()).sum()}


@body("spell")
def clamp_by_np_size_inline(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * np.size(o["x"].detach(), 0)).sum()}


@body("spell")
def per_image_over_max_reduce_count(o, t):
    k = max(_reduce_count(t), 3)
    return {"loss": torch.stack([e1(o, t, b) / k for b in range(len(t))]).sum()}


@body("spell")
def per_image_over_max_listcomp_count(o, t):
    k = max(sum([1 for _ in t]), 3)
    return {"loss": torch.stack([e1(o, t, b) / k for b in range(len(t))]).sum()}


@body("spell")
def per_image_over_max_dunder_len(o, t):
    k = max(t.__len__(), 3)
    return {"loss": torch.stack([e1(o, t, b) / k for b in range(len(t))]).sum()}


@body("spell")
def per_image_over_max_np_size(o, t):
    k = max(np.size(o["x"].detach(), 0), 3)
    return {"loss": torch.stack([e1(o, t, b) / k for b in range(len(t))]).sum()}


@body("spell")
def per_image_times_reciprocal_reduce_count(o, t):
    w = 1.0 / _reduce_count(t)
    return {"loss": sum(e1(o, t, b) * w for b in range(len(t)))}


@body("spell")
def per_image_times_reciprocal_reduce_count_in_loop(o, t):  # (r3fc)
    w = 1.0 / _reduce_count(t)
    total = 0.0
    for b in range(len(t)):
        total = total + e1(o, t, b) * w
    return {"loss": total}


@body("near")
def near_sum_times_reciprocal_reduce_count(o, t):  # (r3fc) ``l.sum() * (1.0 / _len(t))``: as ``/ len(t)``
    return {"loss": E(o, t).sum() * (1.0 / _reduce_count(t))}


@body("spell")
def per_image_times_reciprocal_len_in_generator(o, t):  # (r3fc) ``len`` itself: WRONG as well
    w = 1.0 / len(t)
    return {"loss": sum(e1(o, t, b) * w for b in range(len(t)))}


@body("spell")
def per_image_times_reciprocal_listcomp_count(o, t):
    w = 1.0 / sum([1 for _ in t])
    total = 0.0
    for b in range(len(t)):
        total = total + e1(o, t, b).mul(w)
    return {"loss": total}


@body("spell")
def default_list_filled_by_dunder_len(o, t):
    acc = []
    acc.append(max(t.__len__(), 3))

    def norm(v, d=acc):
        return v / d[0]
    return {"loss": torch.stack([norm(e1(o, t, b)) for b in range(len(t))]).sum()}


@body("spell")
def default_list_filled_by_reduce_count(o, t):
    acc = [0]
    acc[0] = max(_reduce_count(t), 3)

    def norm(v, d=acc):
        return v / d[0]
    return {"loss": torch.stack([norm(e1(o, t, b)) for b in range(len(t))]).sum()}


@body("spell")
class CapByReduceMethod(torch.nn.Module):
    def _setup(self, t):
        self.cap = 0.1 * functools.reduce(lambda a, _: a + 1, t, 0)

    def forward(self, o, t):
        self._setup(t)
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


@body("spell")
class CapByDunderLen(torch.nn.Module):
    def forward(self, o, t):
        self.cap = 0.1 * t.__len__()
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


@body("spell")
def per_image_mul_reciprocal_of_len(o, t):
    w = 1.0 / len(t)
    total = 0.0
    for b in range(len(t)):
        total = total + e1(o, t, b).mul(w)
    return {"loss": total}


@body("near")
def near_sum_mul_reciprocal_of_len(o, t):
    return {"loss": E(o, t).sum().mul(1.0 / len(t))}


_CLASSES = ["car", "person", "sign"]
_TABLE = np.zeros((4, 2))


@body("near")
def near_clamp_by_len_of_global_list(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * len(_CLASSES)).sum()}


@body("near")
def near_clamp_by_generator_count_of_global_list(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * sum(1 for c in _CLASSES)).sum()}


@body("near")
def near_clamp_by_listcomp_count_of_global_list(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * sum([1 for _ in _CLASSES])).sum()}


@body("near")
def near_clamp_by_dunder_len_of_global_list(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * _CLASSES.__len__()).sum()}


@body("near")
def near_clamp_by_np_size_of_a_table(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * np.size(_TABLE, 0)).sum()}


@body("near")
def near_clamp_by_np_size_of_a_width(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * np.size(o["x"].detach(), 2)).sum()}


@body("near")
def near_clamp_by_reduce_of_width(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=_cap_by_reduce(range(4))).sum()}


@body("near")
def near_triplet_closure_literal_scale(o, t):
    s = 1.7  # (a closed-over number equal to a count of the call, 2.0 on two images, declines)
    return {"loss": _triplet(o, t, lambda a, b: F.pairwise_distance(a, b) / s)}


@body("near")
def near_triplet_partial_of_pairwise(o, t):
    return {"loss": _triplet(o, t, functools.partial(F.pairwise_distance, p=1.0))}
