"""Red team, session 47 (red47a): adversarial bodies against this session's rules, each against the oracle.

s63 (b70d3b6, rows over a floored or offset row sum): the floor and the offset in either order, a
``clamp(max=)``, floors of the batch (``len(x)``, a read, a tensor), ``torch.maximum`` / ``where``
floors, a subset picked by another image. gap47b (a409bf6..8b17257, a data sum over a host-read row
sum, reads through ``int``/``float``, mixed reads declining the keys they reach): the read of another
mask, of one image, of a table equal by value, reused, put through arithmetic, carried by a list, a
dict, a global or a helper, thresholds of the batch carried past ``_reach``. s64 (c261781, ad3a55e):
``k * len(z)`` of tensors whose rows are not the images', pairs in different orders, ``torch.bilinear``
with a mixed weight or bias or the images on another dim.

Silently wrong on fe445d2, now declined (``test_were_wrong_now_decline``): a sum over every image
divided by ONE image's row sum, floored (``l.sum() / m[0].sum().clamp(min=1)``, ``/ max(float(m[0].sum()),
1.0)`` through gap47b's read rule, ``unbind``): a group without image 0 took the floor where on its
own its first image's count divides (``Ratio.over_other_image``); a mask of positions
(``torch.arange(len(x)) == 0``) joined to an image mask by ``&`` / ``logical_and``: followed as the
images' own mask (``positional_operand`` on boolean results). Still WRONG, pinned strict xfail: the
same divisor picked by a constant index tensor (``index_select``, ``m[[0]]``), and ``torch.where`` on a
condition of positions.

Figures (134 bodies, batches of LIBRARY_SOURCES): on fe445d2 18 WRONG (5 through a409bf6's read rule,
13 older); now 3 WRONG (pinned), 25 exact, 103 declined with a warning on the batches of several
groups, 1 with image 0's group only, no warning (``index_select`` unfloored: the others count 0), 2 declined only on the
batch whose image count equals the rows (``bilinear(x, x.transpose(0, 1))``)."""

from __future__ import annotations

import math

import pytest
import torch
from _helpers import labelled_outcomes, split_outcome, wrong_companions
from _survey import LIBRARY_SOURCES, built
from test_rules_data_over_reads import (
    _batch,  # the rule's own batches: values, an ignore map, a rare map
)

SEEDS = range(len(LIBRARY_SOURCES))
_BI = built(4701, lambda: torch.nn.Bilinear(4, 4, 2))
G: dict = {}  # a module global a body stores its read in


def _outcomes(body) -> list[str]:
    return labelled_outcomes(body, _batch, SEEDS)


def err(x):
    return x.pow(2)


def pos_of(x):
    return (x.detach() > 0.3).float()


def _count(m):
    return max(float(m.sum()), 1.0)


# --- split exactly ----------------------------------------------------------------------------
def clamp_then_eps(x, ign, rare):
    p = rare.float()
    return {"loss": (err(x) * (p / (p.sum().clamp(min=1) + 0.5))).sum()}

def eps_then_clamp(x, ign, rare):
    p = rare.float()
    return {"loss": (err(x) * (p / (p.sum() + 0.5).clamp(min=1))).sum()}

def clamp_max(x, ign, rare):
    p = pos_of(x)
    return {"loss": (err(x) * (p / p.sum().clamp(max=5))).sum()}

def clamp_min_max(x, ign, rare):
    p = pos_of(x)
    return {"loss": (err(x) * (p / p.sum().clamp(min=1, max=8))).sum()}

def scale_then_floor(x, ign, rare):
    p = rare.float()
    return {"loss": (err(x) * (p / (p.sum() * 2).clamp(min=1))).sum()}

def clamp_min_then_mul(x, ign, rare):
    p = rare.float()
    return {"loss": (err(x) * (p / (p.sum().clamp(min=1) * 3))).sum()}

def floor_mean(x, ign, rare):
    p = rare.float()
    return {"loss": (err(x) * (p / p.mean().clamp(min=0.05))).sum()}

def floor_per_image_ok(x, ign, rare):
    p = rare.float()
    return {"loss": (err(x) * (p / p.sum((1, 2), keepdim=True).clamp(min=1))).sum()}

def clamp_min_negative_eps(x, ign, rare):
    p = rare.float()
    return {"loss": (err(x) * (p / (p.sum() - 0.5).clamp(min=0.25))).sum()}

def floor_weighted_loss_mean(x, ign, rare):
    p = rare.float()
    w = p / p.sum().clamp(min=1)
    return {"loss": (err(x) * w).mean()}

def floor_other_field_sum(x, ign, rare):
    p = rare.float()
    v = (ign != 255).float()
    return {"loss": (err(x) * (p / (v.sum()-20).clamp(min=1))).sum()}

def floor_nan_to_num(x, ign, rare):
    p = rare.float()
    return {"loss": (err(x) * (p / p.sum()).nan_to_num(0.0)).sum()}

def abs_floor(x, ign, rare):
    p = pos_of(x) - 0.5
    return {"loss": (err(x) * (p / p.sum().abs().clamp(min=1))).sum()}

def read_other_mask(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": ((v > 0) & (ign != 255)).sum() / max(float(rare.sum()), 1.0)}

def read_equal_by_value_table(x, ign, rare):
    v = x.detach()
    n = float((ign != 255).sum())
    tab = torch.ones(int(n))
    return {"loss": x.sum(), "r": (v > 0).sum() / float(tab.sum())}

def read_reused_across_keys(x, ign, rare):
    v = x.detach()
    n = max(float((ign != 255).sum()), 1.0)
    return {"loss": x.pow(2).sum() / n, "r": (v > 0).sum() / n, "s": v.abs().sum() / n}

def read_via_list(x, ign, rare):
    v = x.detach()
    ns = [max(float((ign != 255).sum()), 1.0)]
    return {"loss": x.sum(), "r": (v > 0).sum() / ns[0]}

def read_via_dict(x, ign, rare):
    v = x.detach()
    d = {"n": float((ign != 255).sum())}
    return {"loss": x.sum(), "r": (v > 0).sum() / d["n"]}

def read_via_global(x, ign, rare):
    v = x.detach()
    G["n"] = float((ign != 255).sum())
    return {"loss": x.sum(), "r": (v > 0).sum() / G["n"]}

def read_in_helper(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": (v > 0).sum() / _count(ign != 255)}

def read_item_max(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": (v > 0).sum() / max((ign != 255).sum().item(), 1)}

def len_of_cat(x, ign, rare):
    v = x.detach()
    z = torch.cat([v, v])
    return {"loss": x.pow(2).sum(), "acc": ((v > 0).sum() + (v > 1).sum()) / (2 * len(z))}

def len_of_flat(x, ign, rare):
    v = x.detach()
    z = v.flatten(0, 1)
    return {"loss": x.pow(2).sum(), "acc": ((v > 0).sum() + (v > 1).sum()) / (2 * len(z))}

def len_times_shape0(x, ign, rare):
    v = x.detach()
    return {"loss": x.pow(2).sum(), "acc": (v > 0).sum() / (v.shape[0] * 2)}

def bilinear_ok(x, ign, rare):
    return {"loss": _BI(x, x.flip(1)).pow(2).sum()}


# --- silently wrong on fe445d2: decline -------------------------------------------------------
def read_image0(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": (v > 0).sum() / max(float((ign[0] != 255).sum()), 1.0)}

def read_image0_item(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": (v > 0).sum() / max((ign[0] != 255).sum().item(), 1)}

def read_of_index_select(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": (v > 0).sum() / max(float((ign.index_select(0, torch.tensor([0])) != 255).sum()), 1.0)}

def read_of_unbind(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": (v > 0).sum() / max(float((ign.unbind(0)[0] != 255).sum()), 1.0)}

def read_of_masked_by_rows(x, ign, rare):
    v = x.detach()
    m = (ign != 255) & (torch.arange(len(x)) == 0).view(-1, 1, 1)
    return {"loss": x.sum(), "r": (v > 0).sum() / max(float(m.sum()), 1.0)}

def tensor_image0(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": (v > 0).sum() / (ign[0] != 255).sum().clamp(min=1)}

def tensor_image0_loss_clamped(x, ign, rare):
    return {"loss": x.pow(2).sum() / (ign[0] != 255).sum().clamp(min=1)}

def loss_over_read_image0(x, ign, rare):
    return {"loss": x.pow(2).sum() / max(float((ign[0] != 255).sum()), 1.0)}

def loss_over_read_image0_int(x, ign, rare):
    n = int((ign[0] != 255).sum())
    return {"loss": x.pow(2).sum() / max(n, 1)}

def loss_over_image0_max(x, ign, rare):
    return {"loss": x.pow(2).sum() / torch.clamp((ign[0] != 255).sum(), min=1)}

def tensor_index_list(x, ign, rare):
    return {"loss": x.pow(2).sum() / (ign[[0]] != 255).sum().clamp(min=1)}

def tensor_masked_by_arange(x, ign, rare):
    m = (ign != 255) & (torch.arange(len(x)) == 0).view(-1, 1, 1)
    return {"loss": x.pow(2).sum() / m.sum().clamp(min=1)}

def tensor_masked_by_arange_rows(x, ign, rare):
    m = ((ign != 255) & (torch.arange(len(x)) == 0).view(-1, 1, 1)).float()
    return {"loss": (x.pow(2) * m).sum()}

def arange_and_mask_loss(x, ign, rare):
    m = (ign != 255) & (torch.arange(len(x)) == 0).view(-1, 1, 1)
    return {"loss": (x.pow(2) * m).sum()}

def arange_mask_and_data(x, ign, rare):
    m = (torch.arange(len(x)) == 0).view(-1, 1, 1) & (ign != 255)
    return {"loss": (x.pow(2) * m).sum()}

def arange_mask_logical_and(x, ign, rare):
    m = torch.logical_and(ign != 255, (torch.arange(len(x)) == 0).view(-1, 1, 1))
    return {"loss": (x.pow(2) * m).sum()}

def arange_mask_where(x, ign, rare):
    m = (torch.arange(len(x)) == 0).view(-1, 1, 1)
    return {"loss": torch.where(m, x.pow(2), torch.zeros_like(x)).sum()}

def arange_lt_mask(x, ign, rare):
    m = (torch.arange(len(x)) < 2).view(-1, 1, 1) & (ign != 255)
    return {"loss": (x.pow(2) * m).sum()}


# --- near misses: decline ---------------------------------------------------------------------
def floor_batch_len(x, ign, rare):
    p = rare.float()
    return {"loss": (err(x) * (p / p.sum().clamp(min=len(x)))).sum()}

def floor_batch_len_valid(x, ign, rare):
    p = pos_of(x)
    return {"loss": (err(x) * (p / p.sum().clamp(min=float(len(x)) * 4))).sum()}

def floor_read_mean(x, ign, rare):
    p = pos_of(x)
    return {"loss": (err(x) * (p / p.sum().clamp(min=float(x.detach().abs().sum())))).sum()}

def tensor_floor(x, ign, rare):
    p = pos_of(x)
    return {"loss": (err(x) * (p / torch.maximum(p.sum(), x.detach().abs().sum() / 2))).sum()}

def tensor_floor_clamp(x, ign, rare):
    p = pos_of(x)
    return {"loss": (err(x) * (p / p.sum().clamp(min=x.detach().abs().sum() / 2))).sum()}

def maximum_other_image(x, ign, rare):
    p = pos_of(x)
    return {"loss": (err(x) * (p / torch.maximum(p.sum(), p[0].sum()*4))).sum()}

def maximum_const_tensor(x, ign, rare):
    p = rare.float()
    return {"loss": (err(x) * (p / torch.maximum(p.sum(), torch.tensor(1.0)))).sum()}

def where_pos(x, ign, rare):
    p = rare.float()
    s = p.sum()
    return {"loss": (err(x) * (p / torch.where(s > 0, s, torch.ones_like(s)))).sum()}

def where_pos_scalar(x, ign, rare):
    p = rare.float()
    s = p.sum()
    return {"loss": (err(x) * (p / torch.where(s > 0, s, 1.0))).sum()}

def subset_by_image0(x, ign, rare):
    p = pos_of(x)
    sel = x.detach()[0, :, 0] > 0
    return {"loss": (err(x) * (p / p[:, sel].sum().clamp(min=1))).sum()}

def floor_then_sqrt(x, ign, rare):
    p = pos_of(x)
    return {"loss": (err(x) * (p / p.sum().clamp(min=1).sqrt())).sum()}

def floor_squared(x, ign, rare):
    p = pos_of(x)
    return {"loss": (err(x) * (p / p.sum().clamp(min=1) ** 2)).sum()}

def floored_difference(x, ign, rare):
    p = pos_of(x)
    q = rare.float()
    return {"loss": (err(x) * (p / (p.sum() - q.sum()).clamp(min=1))).sum()}

def floor_over_dims(x, ign, rare):
    p = rare.float()
    return {"loss": (err(x) * (p / p.sum((0, 1), keepdim=True).clamp(min=1))).sum()}

def flip_rows_over_floor(x, ign, rare):
    p = rare.float()
    return {"loss": (err(x).flip(0) * (p / p.sum().clamp(min=1))).sum()}

def read_subset_by_image0(x, ign, rare):
    v = x.detach()
    sel = v[0, :, 0] > 0
    return {"loss": x.sum(), "r": (v > 0).sum() / max(float((ign[:, sel] != 255).sum()), 1.0)}

def read_plus_one(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": (v > 0).sum() / (float((ign != 255).sum()) + 1)}

def read_times_two(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": (v > 0).sum() / (2 * float((ign != 255).sum()))}

def read_sqrt(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": (v > 0).sum() / math.sqrt(float((ign != 255).sum()))}

def read_difference(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": (v > 0).sum() / (float((ign != 255).sum()) - float(rare.sum()))}

def read_in_helper_of_image0(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": (v > 0).sum() / _count(ign[0] != 255)}

def read_numerator_times_len(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": (v > 0).sum() * len(x) / max(float((ign != 255).sum()), 1.0)}

def read_mean_ratio(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": (v > 0).float().mean() / max(float((ign != 255).sum()), 1.0)}

def read_round(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": (v > 0).sum() / round(float((ign != 255).sum()) / 4)}

def read_int_div(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": (v > 0).sum() / (int((ign != 255).sum()) // 2)}

def topk_int_read(x, ign, rare):
    k = int((ign != 255).sum())
    return {"loss": x.pow(2).sum(), "top": x.flatten().topk(k // 2).values.sum()}

def topk_read_per_image(x, ign, rare):
    k = int(rare.sum()) + 1
    return {"loss": x.pow(2).sum(), "top": x.flatten(1).topk(k, dim=1).values.sum()}

def topk_read_image0(x, ign, rare):
    k = int((ign[0] != 255).sum())
    return {"loss": x.pow(2).sum(), "top": x.flatten(1).topk(k, dim=1).values.sum()}

def topk_float_ratio(x, ign, rare):
    k = int(0.5 * float((ign != 255).sum()) / len(x))
    return {"loss": x.pow(2).sum(), "top": x.flatten(1).topk(max(k, 1), dim=1).values.sum()}

def read_int_into_slice(x, ign, rare):
    k = int(rare.sum())
    return {"loss": x.pow(2).sum(), "s": x.flatten(1)[:, :k + 1].sum()}

def read_into_narrow(x, ign, rare):
    k = int(rare.sum())
    return {"loss": x.pow(2).sum(), "s": x.flatten(1).narrow(1, 0, k + 1).sum()}

def read_into_clamp(x, ign, rare):
    k = float(rare.sum())
    return {"loss": x.pow(2).sum(), "s": x.clamp(max=k).sum()}

def read_into_full(x, ign, rare):
    k = float((ign != 255).sum())
    return {"loss": (x.pow(2) * torch.full_like(x, k)).sum()}

def read_pow(x, ign, rare):
    k = float(rare.sum())
    return {"loss": x.pow(2).sum(), "s": x.abs().pow(k).sum()}

def mixed_thresh_via_list(x, ign, rare):
    v = x.detach()
    th = [float(v.flatten().sort().values[len(v.flatten()) // 2])]
    return {"loss": x.pow(2).sum(), "hard": (x.pow(2) * (v > th[0])).sum()}

def mixed_thresh_via_helper(x, ign, rare):
    v = x.detach()
    th = float(v.flatten().sort().values[len(v.flatten()) // 2])

    def sel(t):
        return t > th

    return {"loss": x.pow(2).sum(), "hard": (x.pow(2) * sel(v)).sum()}

def mixed_thresh_setattr(x, ign, rare):
    v = x.detach()
    G["th"] = float(v.flatten().sort().values[len(v.flatten()) // 2])
    return {"loss": x.pow(2).sum(), "hard": (x.pow(2) * (v > G["th"])).sum()}

def mixed_thresh_subscript_write(x, ign, rare):
    v = x.detach()
    th = float(v.median())
    m = torch.zeros_like(v)
    m[v > th] = 1
    return {"loss": x.pow(2).sum(), "hard": (x.pow(2) * m).sum()}

def mixed_thresh_clone(x, ign, rare):
    v = x.detach()
    th = float(v.median())
    t2 = th
    return {"loss": x.pow(2).sum(), "hard": (x.pow(2) * (v > t2)).sum(), "other": x.abs().sum()}

def mixed_thresh_loop(x, ign, rare):
    v = x.detach()
    th = float(v.median())
    out = {"loss": x.pow(2).sum()}
    for k in ("a", "b"):
        out[k] = (x.pow(2) * (v > th)).sum() if k == "b" else x.abs().sum()
    return out

def mixed_thresh_inplace_key(x, ign, rare):
    v = x.detach()
    th = float(v.median())
    out = {"loss": x.pow(2).sum(), "hard": x.abs().sum()}
    if th > 0:
        out["hard"] = out["hard"] * 2
    return out

def mixed_thresh_control_flow(x, ign, rare):
    v = x.detach()
    th = float(v.median())
    s = x.abs().sum()
    if th > 0:
        s = s * 2
    return {"loss": x.pow(2).sum(), "hard": s}

def mixed_thresh_via_tuple(x, ign, rare):
    v = x.detach()
    _, th = 1, float(v.median())
    return {"loss": x.pow(2).sum(), "hard": (x.pow(2) * (v > th)).sum()}

def mixed_thresh_fstring_walrus(x, ign, rare):
    v = x.detach()
    return {"loss": x.pow(2).sum(), "hard": (x.pow(2) * (v > (th := float(v.median())))).sum()}  # noqa: F841

def mixed_thresh_closure_lambda(x, ign, rare):
    v = x.detach()
    th = float(v.median())
    def f(t):
        return (t > th).float()

    return {"loss": x.pow(2).sum(), "hard": (x.pow(2) * f(v)).sum()}

def mixed_thresh_min_max(x, ign, rare):
    v = x.detach()
    th = max(float(v.median()), -5.0)
    return {"loss": x.pow(2).sum(), "hard": (x.pow(2) * (v > th)).sum()}

def mixed_read_augassign(x, ign, rare):
    v = x.detach()
    s = 1.0
    s += float(v.median())
    return {"loss": x.pow(2).sum(), "hard": x.abs().sum() * s}

def mixed_read_into_tensor_scalar(x, ign, rare):
    v = x.detach()
    th = torch.tensor(float(v.median()))
    return {"loss": x.pow(2).sum(), "hard": (x.pow(2) * (v > th)).sum()}

def mixed_read_numpy(x, ign, rare):
    v = x.detach()
    th = v.median().numpy()
    return {"loss": x.pow(2).sum(), "hard": (x.pow(2) * (v > float(th))).sum()}

def mixed_read_tolist(x, ign, rare):
    v = x.detach()
    th = v.flatten().sort().values.tolist()[len(v.flatten()) // 2]
    return {"loss": x.pow(2).sum(), "hard": (x.pow(2) * (v > th)).sum()}

def len_of_transposed(x, ign, rare):
    v = x.detach()
    z = v.transpose(0, 1)
    return {"loss": x.pow(2).sum(), "acc": ((v > 0).sum() + (v > 1).sum()) / (2 * len(z))}

def len_of_selected_by_image0(x, ign, rare):
    v = x.detach()
    z = v[v[:, 0, 0] >= v[0, 0, 0]]
    return {"loss": x.pow(2).sum(), "acc": ((v > 0).sum() + (v > 1).sum()) / (2 * len(z))}

def len_of_unique(x, ign, rare):
    v = x.detach()
    z = torch.unique(ign.flatten())
    return {"loss": x.pow(2).sum(), "acc": ((v > 0).sum() + (v > 1).sum()) / (2 * len(z))}

def len_of_nonzero(x, ign, rare):
    v = x.detach()
    z = rare.nonzero()
    return {"loss": x.pow(2).sum(), "acc": ((v > 0).sum() + (v > 1).sum()) / (2 * max(len(z), 1))}

def len_of_first_image_rows(x, ign, rare):
    v = x.detach()
    z = v[0]
    return {"loss": x.pow(2).sum(), "acc": ((v > 0).sum() + (v > 1).sum()) / (2 * len(z))}

def len_of_rows_diff_orders(x, ign, rare):
    v = x.detach()
    a = v > 0
    bb = v.flip(0) > 1
    return {"loss": x.pow(2).sum(), "acc": ((a & bb).sum()) / (2 * len(v))}

def len_flip_sum(x, ign, rare):
    v = x.detach()
    a = v > 0
    bb = v.flip(0) > 1
    return {"loss": x.pow(2).sum(), "acc": (a.sum() + bb.sum()) / (2 * len(v))}

def len_times_len(x, ign, rare):
    v = x.detach()
    return {"loss": x.pow(2).sum(), "acc": (v > 0).sum() / (len(v) * len(v))}

def len_plus_const(x, ign, rare):
    v = x.detach()
    return {"loss": x.pow(2).sum(), "acc": (v > 0).sum() / (2 * len(v) + 1)}

def len_times_shape1(x, ign, rare):
    v = x.detach()
    return {"loss": x.pow(2).sum(), "acc": (v > 0).sum() / (len(v) * v.shape[1])}

def len_of_list_of_images(x, ign, rare):
    v = x.detach()
    z = [r for r in v if True]
    return {"loss": x.pow(2).sum(), "acc": (v > 0).sum() / (2 * len(z))}

def len_of_rows_kept_by_mask(x, ign, rare):
    v = x.detach()
    z = v[(v[:, 0, 0] > 0)]
    return {"loss": x.pow(2).sum(), "acc": (v > 0).sum() / (2 * max(len(z), 1))}

def bilinear_flip_images(x, ign, rare):
    return {"loss": _BI(x, x.flip(0)).pow(2).sum()}

def bilinear_batch_weight(x, ign, rare):
    W = x.mean(0)[:2].unsqueeze(-1).expand(2, 4, 4)
    return {"loss": torch.bilinear(x, x, W).pow(2).sum()}

def bilinear_batch_bias(x, ign, rare):
    W = torch.ones(2, 4, 4)
    bias = x.detach().sum() * torch.ones(2)
    return {"loss": torch.bilinear(x, x, W, bias).pow(2).sum()}

def bilinear_expanded_summary(x, ign, rare):
    s = x.mean((0, 1), keepdim=True).expand_as(x)
    return {"loss": _BI(x, s).pow(2).sum()}

def bilinear_rolled(x, ign, rare):
    return {"loss": _BI(x, x.roll(1, 0)).pow(2).sum()}

def bilinear_flat_mixed(x, ign, rare):
    f = x.flatten(0, 1)
    return {"loss": _BI(f, f.flip(0)).pow(2).sum()}

def read_image0_nofloor(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": (v > 0).sum() / float((ign[0] != 255).sum())}

def read_image0_slice(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": (v > 0).sum() / max(float((ign[:1] != 255).sum()), 1.0)}

def read_last_image(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": (v > 0).sum() / max(float((ign[-1] != 255).sum()), 1.0)}

def read_images_after_first(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": (v > 0).sum() / max(float((ign[1:] != 255).sum()), 1.0)}

def read_image0_num_image0(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": (v[0] > 0).sum() / max(float((ign[0] != 255).sum()), 1.0)}

def read_rows_chosen_by_image0(x, ign, rare):
    v = x.detach()
    keep = v[:, 0, 0] >= v[0, 0, 0]
    return {"loss": x.sum(), "r": (v > 0).sum() / max(float((ign[keep] != 255).sum()), 1.0)}

def read_of_narrow(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": (v > 0).sum() / max(float((ign.narrow(0, 0, 1) != 255).sum()), 1.0)}

def read_of_select(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": (v > 0).sum() / max(float((ign.select(0, 0) != 255).sum()), 1.0)}

def tensor_image0_noclamp(x, ign, rare):
    v = x.detach()
    return {"loss": x.sum(), "r": (v > 0).sum() / (ign[0] != 255).sum()}

def tensor_image0_loss(x, ign, rare):
    return {"loss": x.pow(2).sum() / (ign[0] != 255).sum()}

def tensor_image0_rows(x, ign, rare):
    m = (ign != 255).float()
    return {"loss": (x.pow(2) * m / m[0].sum()).sum()}

def tensor_image0_rows_clamped(x, ign, rare):
    m = (ign != 255).float()
    return {"loss": (x.pow(2) * m / m[0].sum().clamp(min=1)).sum()}

def loss_over_read_image0_nofloor(x, ign, rare):
    return {"loss": x.pow(2).sum() / float((ign[0] != 255).sum())}

def loss_over_rare_image0_floored(x, ign, rare):
    return {"loss": x.pow(2).sum() / rare[0].sum().clamp(min=1)}

def index_select_loss(x, ign, rare):
    return {"loss": x.index_select(0, torch.tensor([0])).pow(2).sum()}

def arange_mask_loss(x, ign, rare):
    return {"loss": (x.pow(2) * (torch.arange(len(x)) == 0).view(-1, 1, 1)).sum()}

def arange_mask_mul_data(x, ign, rare):
    m = (torch.arange(len(x)) == 0).view(-1, 1, 1).float() * (ign != 255).float()
    return {"loss": (x.pow(2) * m).sum()}

def arange_mask_expand(x, ign, rare):
    m = (torch.arange(len(x)) == 0).view(-1, 1, 1).expand_as(x)
    return {"loss": (x.pow(2) * m).sum()}

def tensor_slice_two(x, ign, rare):
    return {"loss": x.pow(2).sum() / (ign[:2] != 255).sum().clamp(min=1)}

def tensor_split_piece(x, ign, rare):
    return {"loss": x.pow(2).sum() / (ign.split(2)[0] != 255).sum().clamp(min=1)}

def tensor_index_select_unclamped(x, ign, rare):
    return {"loss": x.pow(2).sum() / (ign.index_select(0, torch.tensor([0])) != 255).sum()}


# --- the images on another dim where the rows' count equals the images' -----------------------
def bilinear_transposed(x, ign, rare):
    y = x.transpose(0, 1) if x.shape[0] == 3 else x
    return {"loss": _BI(x, y).pow(2).sum()}

def bilinear_reshape_mix(x, ign, rare):
    y = x.reshape(3, -1, 4) if x.shape[0] == 3 else x
    return {"loss": _BI(x, y).pow(2).sum()}


EXACT = [clamp_then_eps, eps_then_clamp, clamp_max, clamp_min_max, scale_then_floor, clamp_min_then_mul, floor_mean, floor_per_image_ok, clamp_min_negative_eps, floor_weighted_loss_mean, floor_other_field_sum, floor_nan_to_num, abs_floor, read_other_mask, read_equal_by_value_table, read_reused_across_keys, read_via_list, read_via_dict, read_in_helper, read_item_max, len_of_cat, len_of_flat, len_times_shape0, bilinear_ok]
WERE_WRONG = [read_image0, read_image0_item, read_of_unbind, read_of_masked_by_rows, tensor_image0, tensor_image0_loss_clamped, loss_over_read_image0, loss_over_read_image0_int, loss_over_image0_max, tensor_masked_by_arange, tensor_masked_by_arange_rows, arange_and_mask_loss, arange_mask_and_data, arange_mask_logical_and, arange_lt_mask]
DECLINE = [floor_batch_len, floor_batch_len_valid, floor_read_mean, tensor_floor, tensor_floor_clamp, maximum_other_image, maximum_const_tensor, where_pos, where_pos_scalar, subset_by_image0, floor_then_sqrt, floor_squared, floored_difference, floor_over_dims, flip_rows_over_floor, read_subset_by_image0, read_plus_one, read_times_two, read_sqrt, read_difference, read_in_helper_of_image0, read_numerator_times_len, read_mean_ratio, read_round, read_int_div, topk_int_read, topk_read_per_image, topk_read_image0, topk_float_ratio, read_int_into_slice, read_into_narrow, read_into_clamp, read_into_full, read_pow, mixed_thresh_via_list, mixed_thresh_via_helper, mixed_thresh_setattr, mixed_thresh_subscript_write, mixed_thresh_clone, mixed_thresh_loop, mixed_thresh_inplace_key, mixed_thresh_control_flow, mixed_thresh_via_tuple, mixed_thresh_fstring_walrus, mixed_thresh_closure_lambda, mixed_thresh_min_max, mixed_read_augassign, mixed_read_into_tensor_scalar, mixed_read_numpy, mixed_read_tolist, len_of_transposed, len_of_selected_by_image0, len_of_unique, len_of_nonzero, len_of_first_image_rows, len_of_rows_diff_orders, len_flip_sum, len_times_len, len_plus_const, len_times_shape1, len_of_list_of_images, len_of_rows_kept_by_mask, bilinear_flip_images, bilinear_batch_weight, bilinear_batch_bias, bilinear_expanded_summary, bilinear_rolled, bilinear_flat_mixed, read_image0_nofloor, read_image0_slice, read_last_image, read_images_after_first, read_image0_num_image0, read_rows_chosen_by_image0, read_of_narrow, read_of_select, tensor_image0_noclamp, tensor_image0_loss, tensor_image0_rows, tensor_image0_rows_clamped, loss_over_read_image0_nofloor, loss_over_rare_image0_floored, index_select_loss, arange_mask_loss, arange_mask_mul_data, arange_mask_expand, tensor_slice_two, tensor_split_piece]


@pytest.mark.parametrize("body", EXACT, ids=lambda b: b.__name__)
def test_splits_as_the_oracle(body) -> None:
    assert _outcomes(body) == ["exact"] * len(SEEDS)


# (session 47 review: a divisor whose code shows no host read -- a global dict's item -- is no read's row sum,
# though equal to one: it declines)
@pytest.mark.parametrize("body", [*WERE_WRONG, *DECLINE, read_via_global], ids=lambda b: b.__name__)
def test_declines_on_several_groups(body) -> None:
    """Batches 0 and 1 hold several groups: no companion, a warning; never a wrong one."""
    assert _outcomes(body)[:2] == ["declined", "declined"]


@pytest.mark.parametrize("body", WERE_WRONG, ids=lambda b: b.__name__)
def test_were_wrong_now_decline(body) -> None:
    """A group without image 0 (or a positional pick's image): the floor or the mask of image 0 on the
    batch, on the group alone its own first image's
    each was a companion different from the oracle."""
    args, kinds, labels = _batch(0)
    got, want, said = split_outcome(body, args, kinds, labels)
    key = "r" if "r_books" in want else "loss"  # (its other keys split)
    assert f"{key}_books" in want and not any(k.startswith(f"{key}_") for k in got), (got, want)
    assert any(f"'{key}'" in m for m in said), said


@pytest.mark.parametrize("body", [bilinear_transposed, bilinear_reshape_mix], ids=lambda b: b.__name__)
def test_bilinear_images_on_another_dim(body) -> None:
    """Batch 1: three images of three rows, the second input the first's images across rows."""
    assert _outcomes(body) == ["exact", "declined", "exact", "exact"]


@pytest.mark.xfail(strict=True, reason="known WRONG (red47a): a sum over every image divided by image 0's row sum "
                   "picked by a constant index tensor (``m.index_select(0, torch.tensor([0]))``, ``m[[0]]``), floored: "
                   "no host_image marks it one image's, so a group without image 0 takes the floor 1 where on its own "
                   "its first image's count divides (a row count of one row picked by value must stay the group's)")
@pytest.mark.parametrize("body", [read_of_index_select, tensor_index_list], ids=lambda b: b.__name__)
def test_one_image_picked_by_a_constant_index_as_the_divisor(body) -> None:
    args, kinds, labels = _batch(0)
    got, want, _ = split_outcome(body, args, kinds, labels)
    assert not wrong_companions(got, want), (got, want)


@pytest.mark.xfail(strict=True, reason="known WRONG (red47a): ``torch.where(torch.arange(len(x)) == 0, l, 0)``, a "
                   "condition of the images' positions: the picks are those of image 0 on the batch, of each group's first "
                   "image on its own (declining it in ``where`` also declined rt37's even literal patterns: left)")
def test_where_on_a_condition_of_positions() -> None:
    args, kinds, labels = _batch(0)
    got, want, _ = split_outcome(arange_mask_where, args, kinds, labels)
    assert not wrong_companions(got, want), (got, want)


def test_one_image_divisor_by_a_constant_index_unfloored_gives_no_companion() -> None:
    """``l.sum() / m.index_select(0, torch.tensor([0])).sum()``: image 0's group exact (its first image),
    the groups without image 0 count 0 there: no companion (no warning either: noted, left)."""
    for seed in (0, 1):
        args, kinds, labels = _batch(seed)
        got, want, _ = split_outcome(tensor_index_select_unclamped, args, kinds, labels)
        assert not wrong_companions(got, want) and len(got) == 1 < len(want), (got, want)
