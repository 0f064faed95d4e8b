# ruff: noqa: B023, E731 -- what this red team tries: realistic criteria written tersely, closures and lambdas
"""Red team of session 38 (helper rt39): adversarial but realistic criterion bodies in areas earlier red
teams attacked less: in-place ops on views of per-image tensors (slices, ``narrow``, ``select``, ``diagonal``,
flattened views, ``.data``), tensors kept across calls (running statistics, EMA buffers, running maxima, the
last batch's errors) updated from the batch before or after use, ``torch.where`` with mixed sources (batch
statistics, other images, weights, detached copies), ``index_put_`` / ``scatter`` / ``index_add_`` with
accumulation into per-image or per-class tables, ``masked_fill`` by a batch statistic, nested helpers,
closures with ``nonlocal`` counts, ``functools.partial`` / ``reduce`` / lambdas, dataclasses of targets and
of a batch, dicts of stacked tensors with a batch index column, losses scaled by detached batch statistics
(``loss / loss.detach().max()``, GradNorm-like balancing), normalisation by the batch's max, gradient
accumulation divisions, per-image weights from other target fields multiplied in, label smoothing from the
batch's class counts, distributed helpers at world size 1, bf16 / half inputs, ``no_grad`` blocks, and
``.data`` / ``detach_()`` tricks.

Bodies named ``near_*`` are the per-image shape of a neighbouring criterion: they must split exactly.
``BODIES``: name -> (family, batch kind, body or criterion class); ``CONVERTS``: name -> the targets'
conversion of a body of kind ``"xo"``. Measured by ``tests/_red_team28_measure.py`` on the red-team-28
batches; the tests are ``tests/test_red_team39.py``."""

from __future__ import annotations

import dataclasses
import functools
import operator
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from _red_team26_bodies import CE, LAB, MATCHED, NCLS, E, Y
from _red_team27_bodies import registrar
from torch import nn

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)


def _err(o, t):
    """Per-element errors ``|x - y|`` [B, 3, 4]."""
    return (o["x"] - Y(t)).abs()


def _w(t):
    return torch.tensor([float(s["loss_weight"]) for s in t])


# === 1. in-place ops on views of per-image tensors ================================================


@body("inplace")
def view_first_row_scaled_in_place(o, t):
    e = _err(o, t)
    e[:, 0].mul_(2.0)
    return {"loss": e.mean()}


@body("inplace")
def flat_view_prefix_zeroed(o, t):  # the first three values of the flattened batch: the first image's
    e = _err(o, t)
    e.view(-1)[:3] = 0
    return {"loss": e.mean()}


@body("inplace")
def first_image_zeroed_by_index(o, t):
    e = _err(o, t)
    e[0] = 0
    return {"loss": e.mean()}


@body("inplace")
def narrow_first_image_halved(o, t):
    e = _err(o, t)
    e.narrow(0, 0, 1).mul_(0.5)
    return {"loss": e.mean()}


@body("inplace")
def last_image_doubled_by_negative_index(o, t):
    e = _err(o, t)
    e[-1] *= 2
    return {"loss": e.sum() / e.numel()}


@body("inplace")
def near_select_row_add_other_row(o, t):
    e = _err(o, t)
    e.select(1, 0).add_(e.select(1, 2).detach())
    return {"loss": e.mean()}


@body("inplace")
def near_diagonal_view_scaled(o, t):
    e = _err(o, t)[:, :, :3]
    e.diagonal(dim1=1, dim2=2).mul_(3.0)
    return {"loss": e.mean()}


@body("inplace")
def near_every_second_column_zeroed(o, t):
    e = _err(o, t)
    e.view(e.shape[0], -1)[:, ::2].zero_()
    return {"loss": e.sum() / (e != 0).sum()}


@body("inplace")
def flat_masked_by_batch_mean_doubled(o, t):
    e = _err(o, t)
    flat = e.view(-1)
    flat[flat > flat.mean()] *= 2
    return {"loss": e.mean()}


@body("inplace")
def clamp_in_place_by_batch_mean(o, t):
    e = _err(o, t)
    e.clamp_(max=e.mean().item())
    return {"loss": e.mean()}


@body("inplace")
def clamp_in_place_by_detached_batch_mean_tensor(o, t):
    e = _err(o, t)
    return {"loss": e.clamp(max=e.detach().mean()).mean()}


@body("inplace")
def centered_in_place_over_images(o, t):
    e = _err(o, t)
    e.sub_(e.mean(0, keepdim=True).detach())
    return {"loss": e.pow(2).mean()}


@body("inplace")
def near_centered_in_place_per_image(o, t):
    e = _err(o, t)
    e.sub_(e.mean((1, 2), keepdim=True).detach())
    return {"loss": e.pow(2).mean()}


@body("inplace")
def view_of_transposed_rows_filled(o, t):
    e = _err(o, t)
    e.transpose(0, 1)[0].fill_(0.25)  # every image's first row
    return {"loss": e.mean()}


@body("inplace")
def transposed_view_first_image_filled(o, t):
    e = _err(o, t)
    e.transpose(0, 1)[:, 0].fill_(0.25)  # the first image's rows
    return {"loss": e.mean()}


@body("inplace")
def unflatten_view_in_place_weights(o, t):
    e = _err(o, t).flatten(1)
    e.view(-1, 3, 4).mul_(_w(t)[:, None, None])
    return {"loss": e.mean()}


@body("inplace")
def per_image_loop_in_place_weights(o, t):
    e = _err(o, t)
    for i, s in enumerate(t):
        e[i].mul_(s["loss_weight"])
    return {"loss": e.mean()}


@body("inplace")
def per_image_loop_in_place_rank_factor(o, t):  # the i-th image scaled by its position in the batch
    e = _err(o, t)
    for i in range(len(t)):
        e[i].mul_(1.0 + 0.5 * i)
    return {"loss": e.mean()}


@body("inplace")
def near_per_image_loop_in_place_label_factor(o, t):
    e = _err(o, t)
    for i, s in enumerate(t):
        e[i].mul_(1.0 + 0.1 * s["labels"].float().mean())
    return {"loss": e.mean()}


@body("inplace")
def slice_of_two_images_in_place(o, t):  # a view of the first two images
    e = _err(o, t)
    e[:2].mul_(0.5)
    return {"loss": e.mean()}


@body("inplace")
def near_narrow_along_rows_in_place(o, t):
    e = _err(o, t)
    e.narrow(1, 1, 1).mul_(0.5)
    return {"loss": e.mean()}


@body("inplace")
def copy_into_slice_of_rolled_images(o, t):
    e = _err(o, t)
    out = torch.empty_like(e)
    out.copy_(e.roll(1, 0))
    return {"loss": (out * e).mean()}


@body("inplace")
def index_copy_reversed_images(o, t):
    e = _err(o, t)
    b = e.shape[0]
    out = torch.zeros_like(e).index_copy_(0, torch.arange(b - 1, -1, -1), e)
    return {"loss": (out - e.detach().flip(0)).abs().mean() + e.mean()}


@body("inplace")
def near_index_copy_identity(o, t):
    e = _err(o, t)
    out = torch.zeros_like(e).index_copy_(0, torch.arange(e.shape[0]), e)
    return {"loss": out.mean()}


@body("inplace")
def data_clamp_in_place_of_batch_max(o, t):
    e = _err(o, t)
    e.data.clamp_(max=0.5 * e.data.max())
    return {"loss": e.mean()}


@body("inplace")
def data_mul_weights(o, t):  # weights applied through .data: the value weighted, the grad not
    e = _err(o, t)
    e.data.mul_(_w(t)[:, None, None])
    return {"loss": e.mean()}


@body("inplace")
def near_data_clamp_constant(o, t):
    e = _err(o, t)
    e.data.clamp_(max=0.4)
    return {"loss": e.mean()}


@body("inplace")
def detach_in_place_then_scaled(o, t):
    e = _err(o, t)
    z = e.sum((1, 2)).clone().detach_()
    return {"loss": (e.sum((1, 2)) / z.max()).mean()}


@body("inplace")
def near_detach_in_place_per_image(o, t):
    e = _err(o, t)
    z = e.sum((1, 2)).clone().detach_()
    return {"loss": (e.sum((1, 2)) / z).mean()}


# === 2. tensors kept across calls ==================================================================


@body("state")
class RunningMeanAttributeRebound(nn.Module):
    def __init__(self):
        super().__init__()
        self.running = torch.tensor(1.0)

    def forward(self, o, t):
        e = E(o, t)
        self.running = 0.9 * self.running + 0.1 * e.detach().mean()
        return {"loss": e.mean() / self.running}


@body("state")
class RunningMeanLerpBuffer(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("running", torch.tensor(1.0))

    def forward(self, o, t):
        e = E(o, t)
        self.running.lerp_(e.detach().mean(), 0.1)
        return {"loss": e.mean() / self.running}


@body("state")
class NearRunningMeanLerpAfterUse(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("running", torch.tensor(1.0))

    def forward(self, o, t):
        e = E(o, t)
        loss = e.mean() / self.running.clone()
        self.running.lerp_(e.detach().mean(), 0.1)
        return {"loss": loss}


@body("state")
class RunningMaxSeenSoFar(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("max_seen", torch.tensor(0.0))

    def forward(self, o, t):
        e = E(o, t)
        self.max_seen = torch.maximum(self.max_seen, e.detach().max())
        return {"loss": (e / self.max_seen).mean()}


@body("state")
class RunningFloatAverageOfItem(nn.Module):
    def __init__(self):
        super().__init__()
        self.avg = 1.0

    def forward(self, o, t):
        e = E(o, t)
        self.avg = 0.9 * self.avg + 0.1 * e.mean().item()
        return {"loss": e.mean() / self.avg}


@body("state")
class NearRunningFloatAverageBeforeUpdate(nn.Module):
    def __init__(self):
        super().__init__()
        self.avg = 1.0

    def forward(self, o, t):
        e = E(o, t)
        loss = e.mean() / self.avg
        self.avg = 0.9 * self.avg + 0.1 * e.mean().item()
        return {"loss": loss}


@body("state")
class BatchNormRunningStatsThenUsed(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("rm", torch.zeros(4))
        self.register_buffer("rv", torch.ones(4))

    def forward(self, o, t):
        x = o["x"].flatten(0, 1)
        F.batch_norm(x.detach(), self.rm, self.rv, training=True, momentum=0.1)
        z = (x - self.rm) / self.rv.sqrt()
        return {"loss": (z - Y(t).flatten(0, 1)).abs().mean()}


@body("state")
class CopyOfBatchStatIntoBuffer(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("scale", torch.ones(()))

    def forward(self, o, t):
        e = E(o, t)
        self.scale.copy_(e.detach().std(correction=0) + 1.0)
        return {"loss": e.mean() * self.scale}


@body("state")
class LastBatchErrorsKept(nn.Module):  # the previous call's per-image errors: another batch's
    def __init__(self):
        super().__init__()
        self.last = None

    def forward(self, o, t):
        e = E(o, t)
        ref = self.last.mean() if self.last is not None else e.detach().mean()
        self.last = e.detach()
        return {"loss": (e - ref).abs().mean()}


@body("state")
class PerClassEmaScatterBeforeUse(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("cls_err", torch.ones(NCLS))

    def forward(self, o, t):
        ce = CE(o, t)
        lab = LAB(t).flatten()
        means = torch.zeros(NCLS).scatter_reduce(0, lab, ce.detach().flatten(), "mean", include_self=False)
        seen = torch.bincount(lab, minlength=NCLS) > 0
        self.cls_err = torch.where(seen, 0.9 * self.cls_err + 0.1 * means, self.cls_err)
        return {"loss": (ce / self.cls_err[LAB(t)]).mean()}


@body("state")
class NearPerClassEmaAfterUse(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("cls_err", torch.ones(NCLS))

    def forward(self, o, t):
        ce = CE(o, t)
        loss = (ce / self.cls_err[LAB(t)]).mean()
        lab = LAB(t).flatten()
        means = torch.zeros(NCLS).scatter_reduce(0, lab, ce.detach().flatten(), "mean", include_self=False)
        seen = torch.bincount(lab, minlength=NCLS) > 0
        self.cls_err = torch.where(seen, 0.9 * self.cls_err + 0.1 * means, self.cls_err)
        return {"loss": loss}


@body("state")
class StepCountedByImagesDividing(nn.Module):  # a counter of images seen, updated before use
    def __init__(self):
        super().__init__()
        self.seen = 0

    def forward(self, o, t):
        self.seen += len(t)
        return {"loss": E(o, t).sum() / min(self.seen, 16)}


@body("state")
class MemoryBankOfEmbeddingsAppended(nn.Module):
    def __init__(self):
        super().__init__()
        self.bank = torch.randn(4, 6, generator=torch.Generator().manual_seed(3))

    def forward(self, o, t):
        z = F.normalize(o["emb"], dim=1)
        self.bank = torch.cat([self.bank, z.detach()])[-8:]
        logits = z @ self.bank.T
        return {"loss": logits.logsumexp(1).mean()}


@body("state")
class NearMemoryBankUsedBeforeAppend(nn.Module):
    def __init__(self):
        super().__init__()
        self.bank = torch.randn(4, 6, generator=torch.Generator().manual_seed(3))

    def forward(self, o, t):
        z = F.normalize(o["emb"], dim=1)
        logits = z @ self.bank.T
        self.bank = torch.cat([self.bank, z.detach()])[-8:]
        return {"loss": logits.logsumexp(1).mean()}


# === 3. torch.where with mixed sources ============================================================


@body("where")
def where_fill_with_batch_mean(o, t):
    e = E(o, t)
    return {"loss": torch.where(e > 0.3, e, e.mean()).mean()}


@body("where")
def where_fill_with_detached_batch_max(o, t):
    e = _err(o, t)
    return {"loss": torch.where(e > 0.2, e, e.detach().max()).mean()}


@body("where")
def near_where_fill_with_zeros_like(o, t):
    e = _err(o, t)
    return {"loss": torch.where(LAB(t)[..., None] > 2, e, torch.zeros_like(e)).mean()}


@body("where")
def where_weights_predicate_halves(o, t):  # the weights as a predicate: oracle weights 1 take e
    e = E(o, t)
    w = _w(t)
    return {"loss": torch.where(w >= 0.9, e, 0.5 * e).mean()}


@body("where")
def where_weights_predicate_selects_term(o, t):
    e, c = E(o, t), CE(o, t).mean(1)
    return {"loss": torch.where(_w(t) < 1.0, c, e).mean()}


@body("where")
def near_where_detached_other_branch(o, t):
    e = _err(o, t)
    return {"loss": torch.where(e > 0.3, e, e.detach()).mean()}


@body("where")
def where_other_images_flipped(o, t):
    e = E(o, t)
    return {"loss": torch.where(e > 0.3, e, e.flip(0)).mean()}


@body("where")
def where_condition_by_batch_median(o, t):
    e = _err(o, t)
    return {"loss": torch.where(e > e.median(), e, 0.0).mean()}


@body("where")
def near_where_condition_by_image_median(o, t):
    e = _err(o, t)
    med = e.flatten(1).median(1).values[:, None, None]
    return {"loss": torch.where(e > med, e, 0.0).mean()}


@body("where")
def where_scalar_tensor_of_targets(o, t):
    e = E(o, t)
    fill = torch.stack([s["labels"].float().mean() for s in t]).mean()  # a batch mean of the targets
    return {"loss": torch.where(e > 0.3, e, fill).mean()}


@body("where")
def near_where_per_image_fill_of_targets(o, t):
    e = E(o, t)
    fill = torch.stack([s["labels"].float().mean() for s in t])
    return {"loss": torch.where(e > 0.3, e, fill).mean()}


@body("where")
def where_nonzero_indices_then_gather(o, t):
    e = _err(o, t)
    b, r, c = torch.where(e > 0.3)
    return {"loss": e[b, r, c].sum() / max(len(t), 1)}


@body("where")
def where_broadcast_row_of_first_image(o, t):
    e = _err(o, t)
    return {"loss": torch.where(e > 0.3, e, e[0:1]).mean()}


@body("where")
def where_mixed_dtype_python_int(o, t):
    e = CE(o, t)
    return {"loss": torch.where(LAB(t) == 0, 0, e).sum() / (LAB(t) != 0).sum().clamp(min=1)}


# === 4. index_put_ / scatter with accumulation ====================================================


def _bidx(t):
    return torch.cat([torch.full((len(s["labels"]),), i) for i, s in enumerate(t)])


@body("scatter")
def near_index_put_accumulate_per_image(o, t):
    ce = CE(o, t).flatten()
    acc = torch.zeros(len(t)).index_put_((_bidx(t),), ce, accumulate=True)
    return {"loss": acc.mean()}


@body("scatter")
def index_put_accumulate_per_class_mean_of_means(o, t):
    ce = CE(o, t).flatten()
    lab = LAB(t).flatten()
    acc = torch.zeros(NCLS).index_put_((lab,), ce, accumulate=True)
    cnt = torch.zeros(NCLS).index_put_((lab,), torch.ones_like(ce), accumulate=True)
    return {"loss": (acc / cnt.clamp(min=1)).sum() / (cnt > 0).sum()}


@body("scatter")
def near_index_add_per_class_then_total(o, t):
    ce = CE(o, t).flatten()
    acc = torch.zeros(NCLS).index_add_(0, LAB(t).flatten(), ce)
    return {"loss": acc.sum() / ce.numel()}


@body("scatter")
def scatter_reduce_amax_per_class_summed(o, t):
    ce = CE(o, t).flatten()
    acc = torch.zeros(NCLS).scatter_reduce(0, LAB(t).flatten(), ce, "amax", include_self=False)
    return {"loss": acc.sum()}


@body("scatter")
def near_scatter_add_per_image_mean(o, t):
    ce = CE(o, t).flatten()
    bi = _bidx(t)
    acc = torch.zeros(len(t)).scatter_add(0, bi, ce) / torch.bincount(bi, minlength=len(t))
    return {"loss": acc.mean()}


@body("scatter")
def index_put_accumulate_into_fixed_slots(o, t):  # every image into slot i % 2: images mix
    e = E(o, t)
    slots = torch.arange(len(t)) % 2
    acc = torch.zeros(2).index_put_((slots,), e, accumulate=True)
    return {"loss": acc.pow(2).sum()}


@body("scatter")
def near_index_put_accumulate_fixed_slots_linear(o, t):
    e = E(o, t)
    slots = torch.arange(len(t)) % 2
    acc = torch.zeros(2).index_put_((slots,), e, accumulate=True)
    return {"loss": acc.sum() / len(t)}


@body("scatter")
def scatter_add_class_counts_as_weights(o, t):
    ce = CE(o, t)
    lab = LAB(t).flatten()
    counts = torch.zeros(NCLS).scatter_add_(0, lab, torch.ones(lab.numel()))
    cw = 1.0 / counts.clamp(min=1)
    return {"loss": (ce * cw[LAB(t)]).sum() / cw[LAB(t)].sum()}


@body("scatter")
def index_put_non_accumulate_duplicates(o, t):  # duplicate labels: the last write wins, across images
    ce = CE(o, t).flatten()
    table = torch.zeros(NCLS).index_put((LAB(t).flatten(),), ce)
    return {"loss": table.sum()}


@body("scatter")
def index_put_accumulate_weights_then_multiply(o, t):
    ce = CE(o, t)
    w_rows = torch.zeros(ce.shape).index_put_((torch.arange(len(t)),), _w(t)[:, None].expand(-1, 3), accumulate=True)
    return {"loss": (ce * w_rows).mean()}


@body("scatter")
def scatter_into_dense_one_hot_then_bce(o, t):
    lg = o["logits"]
    onehot = torch.zeros_like(lg).scatter_(2, LAB(t)[..., None], 1.0)
    return {"loss": F.binary_cross_entropy_with_logits(lg, onehot, reduction="sum") / lg.shape[0]}


@body("scatter")
def scatter_value_batch_mean_into_one_hot(o, t):
    lg = o["logits"]
    src = torch.ones(LAB(t)[..., None].shape) * lg.detach().sigmoid().mean()
    onehot = torch.zeros_like(lg).scatter_(2, LAB(t)[..., None], src)
    return {"loss": F.binary_cross_entropy_with_logits(lg, onehot)}


@body("scatter")
def near_scatter_value_own_score_into_one_hot(o, t):  # a quality target (VFL-like) from each row's score
    lg = o["logits"]
    score = lg.detach().sigmoid().gather(2, LAB(t)[..., None])
    onehot = torch.zeros_like(lg).scatter_(2, LAB(t)[..., None], score)
    return {"loss": F.binary_cross_entropy_with_logits(lg, onehot)}


@body("scatter")
def bincount_weights_argument_accumulates(o, t):
    ce = CE(o, t).flatten().detach()
    per_cls = torch.bincount(LAB(t).flatten(), weights=ce, minlength=NCLS)
    return {"loss": CE(o, t).mean() + per_cls.max()}


# === 5. masked_fill by a batch statistic ===========================================================


@body("mask")
def masked_fill_above_batch_mean(o, t):
    e = _err(o, t)
    return {"loss": e.masked_fill(e > e.mean(), 0).mean()}


@body("mask")
def near_masked_fill_above_image_mean(o, t):
    e = _err(o, t)
    return {"loss": e.masked_fill(e > e.mean((1, 2), keepdim=True), 0).mean()}


@body("mask")
def masked_fill_in_place_above_batch_quantile(o, t):
    e = _err(o, t).clone()
    e.masked_fill_(e > torch.quantile(e.detach(), 0.9), 0.0)
    return {"loss": e.mean()}


@body("mask")
def masked_fill_above_half_detached_max(o, t):
    e = _err(o, t)
    return {"loss": e.masked_fill(e > e.detach().max() * 0.5, 0).sum() / len(t)}


@body("mask")
def masked_fill_value_is_batch_mean(o, t):
    e = _err(o, t)
    return {"loss": e.masked_fill(LAB(t)[..., None] == 0, e.detach().mean()).mean()}


@body("mask")
def masked_fill_of_most_frequent_label(o, t):
    ce = CE(o, t)
    lab = LAB(t)
    common = torch.mode(lab.flatten()).values
    return {"loss": ce.masked_fill(lab == common, 0).mean()}


@body("mask")
def near_masked_fill_of_a_constant_label(o, t):
    ce = CE(o, t)
    return {"loss": ce.masked_fill(LAB(t) == 2, 0).mean()}


@body("mask")
def masked_fill_of_topk_of_batch(o, t):
    ce = CE(o, t).flatten()
    keep = torch.zeros_like(ce, dtype=torch.bool)
    keep[ce.topk(min(4, ce.numel())).indices] = True
    return {"loss": ce.masked_fill(~keep, 0).sum() / keep.sum()}


@body("mask")
def masked_fill_by_weights_mask(o, t):
    ce = CE(o, t)
    return {"loss": ce.masked_fill((_w(t) < 0.9)[:, None], 0).mean()}


@body("mask")
def masked_fill_by_image_count_position(o, t):  # drops images past the second: positions of the batch
    e = E(o, t)
    return {"loss": e.masked_fill(torch.arange(len(t)) >= 2, 0).mean()}


@body("mask")
def masked_fill_by_detached_zscore(o, t):
    e = E(o, t)
    z = (e.detach() - e.detach().mean()) / (e.detach().std(correction=0) + 1e-6)
    return {"loss": e.masked_fill(z.abs() > 1, 0).mean()}


# === 6. nested helpers, closures, partial, lambdas ==================================================


@body("closure")
def nested_helper_per_image(o, t):
    def per(i):
        return (o["x"][i] - t[i]["y"]).abs().mean() * t[i]["loss_weight"]
    return {"loss": torch.stack([per(i) for i in range(len(t))]).mean()}


@body("closure")
def nonlocal_count_of_rows(o, t):
    n = 0
    total = 0

    def add(v):
        nonlocal n, total
        n += v.numel()
        total = total + v.sum()
    for i in range(len(t)):
        add((o["x"][i] - t[i]["y"]).abs())
    return {"loss": total / n}


@body("closure")
def nonlocal_count_of_positive_labels(o, t):
    n = 0

    def count(s):
        nonlocal n
        n += int((s["labels"] > 1).sum())
    for s in t:
        count(s)
    return {"loss": CE(o, t).sum() / max(n, 1)}


@body("closure")
def lambda_normaliser_by_sum(o, t):
    norm = lambda z: z / z.sum()
    e = E(o, t)
    return {"loss": (norm(e.detach()) * e).sum()}


@body("closure")
def near_lambda_per_image_normaliser(o, t):
    norm = lambda z: z / z.sum(-1, keepdim=True)
    e = _err(o, t).flatten(1)
    return {"loss": (norm(e.detach()) * e).sum(1).mean()}


@body("closure")
def partial_smooth_l1_then_weighted(o, t):
    f = functools.partial(F.smooth_l1_loss, beta=0.5, reduction="none")
    return {"loss": (f(o["x"], Y(t)).mean((1, 2)) * _w(t)).sum() / _w(t).sum()}


@body("closure")
def reduce_add_over_images_over_len(o, t):
    per = [(o["x"][i] - s["y"]).abs().mean() for i, s in enumerate(t)]
    return {"loss": functools.reduce(operator.add, per) / len(t)}


@body("closure")
def reduce_max_over_images(o, t):
    per = [(o["x"][i] - s["y"]).abs().mean() for i, s in enumerate(t)]
    return {"loss": functools.reduce(torch.maximum, per)}


@body("closure")
def map_filter_keeps_images_by_labels(o, t):
    keep = list(filter(lambda i: int(t[i]["labels"].max()) > 1, range(len(t))))
    per = list(map(lambda i: (o["x"][i] - t[i]["y"]).abs().mean(), keep))
    return {"loss": sum(per) / max(len(per), 1)}


@body("closure")
def closure_over_batch_mean_factory(o, t):
    mu = E(o, t).detach().mean()

    def scaled(v):
        return v / mu
    return {"loss": scaled(E(o, t)).mean()}


@body("closure")
def closure_captures_first_target(o, t):
    ref = t[0]["y"]
    dist_to_ref = lambda i: (o["x"][i] - ref).abs().mean()
    return {"loss": torch.stack([dist_to_ref(i) for i in range(len(t))]).mean()}


@body("closure")
def default_argument_captures_len(o, t):
    def per(i, n=len(t)):  # noqa: B008 -- what the body tries: the count bound at definition
        return (o["x"][i] - t[i]["y"]).abs().sum() / n
    return {"loss": sum(per(i) for i in range(len(t)))}


@body("closure")
def sorted_by_key_lambda_then_first_half(o, t):
    order = sorted(range(len(t)), key=lambda i: float((o["x"][i] - t[i]["y"]).abs().mean().detach()))
    half = order[: max(1, len(order) // 2)]
    return {"loss": torch.stack([(o["x"][i] - t[i]["y"]).abs().mean() for i in half]).mean()}


@body("closure")
def near_generator_sum_over_len(o, t):
    return {"loss": sum((o["x"][i] - s["y"]).abs().mean() for i, s in enumerate(t)) / len(t)}


@body("closure")
def recursive_helper_pairwise_sum(o, t):
    per = [(o["x"][i] - s["y"]).abs().mean() for i, s in enumerate(t)]

    def tree(v):
        return v[0] if len(v) == 1 else tree(v[: len(v) // 2]) + tree(v[len(v) // 2:])
    return {"loss": tree(per) / len(per)}


# === 7. dataclasses and batches of stacked tensors =================================================


@dataclasses.dataclass(frozen=True)
class Box:
    y: torch.Tensor
    labels: torch.Tensor
    loss_weight: float
    quality: float = 1.0

    @property
    def weight(self):
        return self.loss_weight * self.quality


def as_boxes(t):
    return [Box(s["y"], s["labels"], s["loss_weight"], 0.5 + 0.25 * int(s["labels"][0] % 3)) for s in t]


@body("dataclass", "xo", as_boxes)
def dataclass_property_weight(o, t):
    e = torch.stack([(o["x"][i] - s.y).abs().mean() for i, s in enumerate(t)])
    w = torch.tensor([s.weight for s in t])
    return {"loss": (e * w).sum() / w.sum()}


@body("dataclass", "xo", as_boxes)
def dataclass_loss_weight_times_quality_fields(o, t):
    e = torch.stack([(o["x"][i] - s.y).abs().mean() for i, s in enumerate(t)])
    return {"loss": sum(e[i] * s.loss_weight * s.quality for i, s in enumerate(t)) / len(t)}


@body("dataclass", "xo", as_boxes)
def near_dataclass_quality_only(o, t):
    e = torch.stack([(o["x"][i] - s.y).abs().mean() for i, s in enumerate(t)])
    return {"loss": (e * torch.tensor([s.quality for s in t])).mean()}


@body("dataclass", "xo", as_boxes)
def dataclass_astuple_unpacked(o, t):
    rows = [dataclasses.astuple(s) for s in t]
    e = torch.stack([(o["x"][i] - y).abs().mean() * w for i, (y, _, w, _) in enumerate(rows)])
    return {"loss": e.mean()}


@body("dataclass", "xo", as_boxes)
def dataclass_replace_with_unit_quality(o, t):
    t = [dataclasses.replace(s, quality=1.0) for s in t]
    e = torch.stack([(o["x"][i] - s.y).abs().mean() for i, s in enumerate(t)])
    return {"loss": (e * torch.tensor([s.weight for s in t])).mean()}


@dataclasses.dataclass
class BatchTargets:
    y: torch.Tensor
    labels: torch.Tensor
    loss_weight: torch.Tensor
    batch_idx: torch.Tensor


def as_batch_dataclass(t):
    return BatchTargets(Y(t).flatten(0, 1), LAB(t).flatten(), torch.tensor([float(s["loss_weight"]) for s in t]),
                        torch.arange(len(t)).repeat_interleave(3))


@body("dataclass", "xo", as_batch_dataclass)
def batch_dataclass_weights_gathered_by_batch_idx(o, t):
    e = (o["x"].flatten(0, 1) - t.y).abs().mean(1)
    w = t.loss_weight[t.batch_idx]
    return {"loss": (e * w).sum() / w.sum()}


@body("dataclass", "xo", as_batch_dataclass)
def near_batch_dataclass_plain_mean(o, t):
    return {"loss": (o["x"].flatten(0, 1) - t.y).abs().mean()}


@body("dataclass", "xo", as_batch_dataclass)
def batch_dataclass_per_image_mean_by_bincount(o, t):
    e = (o["x"].flatten(0, 1) - t.y).abs().mean(1)
    per = torch.zeros(int(t.batch_idx.max()) + 1).index_add_(0, t.batch_idx, e) / torch.bincount(t.batch_idx)
    return {"loss": per.mean()}


def as_stacked_with_batch_col(t):
    lab = LAB(t).flatten()
    bi = torch.arange(len(t)).repeat_interleave(3)
    return {"rows": torch.stack([bi.float(), lab.float()], 1), "y": Y(t).flatten(0, 1),
            "loss_weight": torch.tensor([float(s["loss_weight"]) for s in t])}


@body("stacked", "xo", as_stacked_with_batch_col)
def stacked_rows_batch_col_weights(o, t):
    bi = t["rows"][:, 0].long()
    e = (o["x"].flatten(0, 1) - t["y"]).abs().mean(1)
    return {"loss": (e * t["loss_weight"][bi]).mean()}


@body("stacked", "xo", as_stacked_with_batch_col)
def near_stacked_rows_batch_col_plain(o, t):
    bi = t["rows"][:, 0].long()
    lab = t["rows"][:, 1].long()
    lg = o["logits"].flatten(0, 1)
    return {"loss": F.cross_entropy(lg, lab) + 0 * bi.sum()}


@body("stacked", "xo", as_stacked_with_batch_col)
def stacked_rows_batch_size_from_batch_col(o, t):
    bs = int(t["rows"][:, 0].max()) + 1
    e = (o["x"].flatten(0, 1) - t["y"]).abs()
    return {"loss": e.sum() / bs}


@body("stacked", "xo", as_stacked_with_batch_col)
def stacked_rows_mask_of_one_image(o, t):  # the rows of image 0 only, by the batch column
    bi = t["rows"][:, 0].long()
    e = (o["x"].flatten(0, 1) - t["y"]).abs().mean(1)
    return {"loss": e[bi == 0].mean()}


@body("stacked", "xd")
def batched_dict_weights_tensor_multiplied(o, t):
    e = (o["x"] - t["y"]).abs().mean((1, 2))
    return {"loss": (e * t["loss_weight"]).mean()}


@body("stacked", "xd")
def batched_dict_weights_normalised(o, t):
    e = (o["x"] - t["y"]).abs().mean((1, 2))
    w = t["loss_weight"] / t["loss_weight"].sum()
    return {"loss": (e * w).sum()}


@body("stacked", "xd")
def near_batched_dict_plain_ce(o, t):
    return {"loss": F.cross_entropy(o["logits"].flatten(0, 1), t["labels"].flatten())}


# === 8. losses scaled by detached batch statistics; normalisation by the batch's max ================


@body("detached")
def sum_over_detached_batch_max(o, t):
    per = E(o, t)
    return {"loss": per.sum() / per.detach().max()}


@body("detached")
def loss_over_its_detached_value_times_weighted(o, t):  # a weighted loss normalised by the unweighted one
    per = E(o, t)
    return {"loss": (per * _w(t)).mean() / per.detach().mean()}


@body("detached")
def gradnorm_like_balance(o, t):
    a, b = E(o, t).mean(), CE(o, t).mean()
    return {"loss": a + b * (a.detach() / b.detach())}


@body("detached")
def inverse_sqrt_of_detached_loss(o, t):
    loss = CE(o, t).mean()
    return {"loss": loss * loss.detach().clamp(min=1e-6).rsqrt()}


@body("detached")
def over_detached_batch_std(o, t):
    e = E(o, t)
    return {"loss": e.mean() / (e.detach().std(unbiased=False) + 1.0)}


@body("detached")
def per_image_over_batch_max_normalised(o, t):
    e = E(o, t)
    return {"loss": (e / e.max()).mean()}


@body("detached")
def over_abs_max_clamped(o, t):
    e = o["x"] - Y(t)
    return {"loss": (e / e.detach().abs().amax().clamp(min=1.0)).pow(2).mean()}


@body("detached")
def normalize_over_images(o, t):
    e = E(o, t)
    return {"loss": F.normalize(e, dim=0).sum()}


@body("detached")
def near_normalize_within_images(o, t):
    e = _err(o, t).flatten(1)
    return {"loss": F.normalize(e, dim=1).sum(1).mean()}


@body("detached")
def over_max_of_logits_of_batch(o, t):
    lg = o["logits"]
    return {"loss": F.cross_entropy((lg / lg.detach().abs().max()).flatten(0, 1), LAB(t).flatten())}


@body("detached")
def near_over_max_of_logits_per_row(o, t):
    lg = o["logits"]
    lg = lg / lg.detach().abs().amax(-1, keepdim=True)
    return {"loss": F.cross_entropy(lg.flatten(0, 1), LAB(t).flatten())}


@body("detached")
def focal_like_weights_of_batch_normalised(o, t):
    ce = CE(o, t)
    w = (1 - torch.exp(-ce.detach())) ** 2
    w = w / w.sum() * w.numel()
    return {"loss": (ce * w).mean()}


@body("detached")
def near_focal_like_weights_unnormalised(o, t):
    ce = CE(o, t)
    return {"loss": (ce * (1 - torch.exp(-ce.detach())) ** 2).mean()}


@body("detached")
def item_of_batch_max_divides(o, t):
    e = E(o, t)
    return {"loss": e.sum() / e.max().item()}


@body("detached")
def softmax_over_images_weights_no_grad(o, t):
    e = E(o, t)
    with torch.no_grad():
        w = torch.softmax(e, 0)
    return {"loss": (w * e).sum()}


@body("detached")
def near_softmax_within_images_weights_no_grad(o, t):
    e = _err(o, t).flatten(1)
    with torch.no_grad():
        w = torch.softmax(e, 1)
    return {"loss": (w * e).sum(1).mean()}


# === 9. gradient accumulation, world size 1 ========================================================


@body("accum")
class AccumStepsDivision(nn.Module):
    accum = 4

    def forward(self, o, t):
        return {"loss": E(o, t).mean() / self.accum}


@body("accum")
def global_batch_size_division(o, t):
    return {"loss": E(o, t).sum() / 16}


@body("accum")
def sum_times_len_over_global(o, t):
    return {"loss": E(o, t).mean() * len(t) / 16}


@body("accum")
def mean_over_len_twice(o, t):  # a bug a user writes: the mean divided again by the images
    return {"loss": E(o, t).mean() / len(t)}


@body("accum")
def mean_times_len(o, t):
    return {"loss": E(o, t).mean() * len(t)}


@body("accum")
def accum_of_micro_batches_by_halves(o, t):  # micro-batches of two images, each a mean, summed / count
    e = E(o, t)
    parts = e.split(2)
    return {"loss": sum(p.mean() for p in parts) / len(parts)}


@body("accum")
def near_accum_of_micro_batches_sum_over_len(o, t):
    e = E(o, t)
    return {"loss": sum(p.sum() for p in e.split(2)) / len(t)}


def _world():
    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1


def _reduce_mean(v):
    if dist.is_available() and dist.is_initialized():
        v = v.clone()
        dist.all_reduce(v)
        v = v / dist.get_world_size()
    return v


@body("dist")
def dist_num_boxes_pattern_in_body(o, t):
    num = torch.as_tensor([float(sum(len(s["labels"]) for s in t))])
    num = _reduce_mean(num)
    num = torch.clamp(num / _world(), min=1).item()
    return {"loss": CE(o, t).sum() / num}


@body("dist")
def dist_loss_times_world(o, t):
    return {"loss": E(o, t).mean() * _world()}


@body("dist")
def dist_reduce_mean_of_a_detached_normaliser(o, t):
    z = _reduce_mean(E(o, t).detach().sum())
    return {"loss": E(o, t).sum() / z.clamp(min=1e-6)}


@body("dist")
def dist_valid_count_reduced_then_item(o, t):
    lab = LAB(t)
    n = _reduce_mean((lab != 0).sum().float()).clamp(min=1).item()
    return {"loss": CE(o, t).masked_fill(lab == 0, 0).sum() / n}


@body("dist", "d")
def dist_detr_l1_num_boxes_argument(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="none").sum() / max(num_boxes / _world(), 1)}


@body("dist", "d")
def dist_detr_l1_num_boxes_recomputed_local(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    n = torch.clamp(_reduce_mean(torch.as_tensor(float(len(tgt)))), min=1)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="none").sum() / n}


# === 10. per-image weights from targets; label smoothing from the batch's class counts =============


def as_with_difficulty(t):  # a field of each image's own (its labels'), as a dataset writes it
    return [{**s, "difficulty": 1.0 + 0.5 * (s["labels"][0] % 2).float()} for s in t]


@body("weights", "xo", as_with_difficulty)
def difficulty_field_multiplied_in(o, t):
    d = torch.stack([s["difficulty"] for s in t])
    return {"loss": (E(o, t) * d).mean()}


@body("weights", "xo", as_with_difficulty)
def difficulty_times_loss_weight(o, t):
    d = torch.stack([s["difficulty"] * s["loss_weight"] for s in t])
    return {"loss": (E(o, t) * d).sum() / d.sum()}


@body("weights", "xo", as_with_difficulty)
def difficulty_normalised_over_batch(o, t):
    d = torch.stack([s["difficulty"] for s in t])
    return {"loss": (E(o, t) * d / d.sum()).sum()}


@body("weights")
def weights_per_row_expanded_then_weighted_mean(o, t):
    ce = CE(o, t)
    w = _w(t)[:, None].expand_as(ce)
    return {"loss": (ce * w).sum() / w.sum()}


@body("weights")
def weights_squared(o, t):
    return {"loss": (E(o, t) * _w(t) ** 2).mean()}


@body("weights")
def weights_normalised_to_mean_one(o, t):
    w = _w(t)
    return {"loss": (E(o, t) * (w / w.mean())).mean()}


@body("weights")
def weights_from_labels_count_times_weight(o, t):
    w = torch.tensor([s["loss_weight"] * len(s["labels"]) for s in t])
    return {"loss": (E(o, t) * w).sum() / w.sum()}


@body("weights")
def weight_python_float_accumulated(o, t):
    total, wsum = 0.0, 0.0
    for i, s in enumerate(t):
        total = total + (o["x"][i] - s["y"]).abs().mean() * s["loss_weight"]
        wsum += s["loss_weight"]
    return {"loss": total / wsum}


@body("weights")
def weight_as_exponent(o, t):  # not a multiplier: the oracle's weight 1 changes the value otherwise
    return {"loss": torch.stack([(o["x"][i] - s["y"]).abs().mean() ** s["loss_weight"] for i, s in enumerate(t)]).mean()}


@body("weights")
def weight_added_not_multiplied(o, t):
    return {"loss": (E(o, t) + _w(t)).mean()}


@body("weights")
def weight_clamped_minimum(o, t):
    w = _w(t).clamp(min=0.75)
    return {"loss": (E(o, t) * w).mean()}


@body("weights")
def weight_in_a_tensor_bool_gate(o, t):  # synthetic images count only their CE
    e, c = E(o, t), CE(o, t).mean(1)
    real = _w(t) >= 0.9
    return {"loss": (e * real + c).mean()}


@body("smooth")
def label_smoothing_from_batch_class_frequency(o, t):
    lab = LAB(t).flatten()
    freq = torch.bincount(lab, minlength=NCLS).float()
    prior = freq / freq.sum()
    logp = o["logits"].flatten(0, 1).log_softmax(-1)
    target = 0.9 * F.one_hot(lab, NCLS) + 0.1 * prior
    return {"loss": -(target * logp).sum(-1).mean()}


@body("smooth")
def near_label_smoothing_uniform_by_hand(o, t):
    lab = LAB(t).flatten()
    logp = o["logits"].flatten(0, 1).log_softmax(-1)
    target = 0.9 * F.one_hot(lab, NCLS) + 0.1 / NCLS
    return {"loss": -(target * logp).sum(-1).mean()}


@body("smooth")
def class_balanced_weights_from_batch_counts(o, t):
    lab = LAB(t).flatten()
    counts = torch.bincount(lab, minlength=NCLS).float()
    cw = (1 - 0.9) / (1 - 0.9 ** counts.clamp(min=1))
    cw = cw / cw.sum() * NCLS
    return {"loss": F.cross_entropy(o["logits"].flatten(0, 1), lab, weight=cw)}


@body("smooth")
def smoothing_eps_from_unique_class_count(o, t):
    lab = LAB(t).flatten()
    eps = 0.1 * len(torch.unique(lab)) / NCLS
    return {"loss": F.cross_entropy(o["logits"].flatten(0, 1), lab, label_smoothing=eps)}


@body("smooth")
def near_smoothing_eps_constant_module(o, t):
    return {"loss": nn.CrossEntropyLoss(label_smoothing=0.2)(o["logits"].flatten(0, 1), LAB(t).flatten())}


@body("smooth")
def smoothing_target_mixed_with_batch_mean_prediction(o, t):
    lg = o["logits"].flatten(0, 1)
    mean_p = lg.detach().softmax(-1).mean(0)
    target = 0.8 * F.one_hot(LAB(t).flatten(), NCLS) + 0.2 * mean_p
    return {"loss": -(target * lg.log_softmax(-1)).sum(-1).mean()}


# === 11. bf16 / half inputs (family "autocast": compared at rel 1e-2) =============================


@body("autocast")
def near_bf16_per_row_ce_mean(o, t):
    return {"loss": F.cross_entropy(o["logits"].bfloat16().flatten(0, 1), LAB(t).flatten()).float()}


@body("autocast")
def half_sum_over_half_max(o, t):
    e = E(o, t).half()
    return {"loss": e.sum() / e.max()}


@body("autocast")
def bf16_weighted_mean(o, t):
    e = E(o, t).bfloat16()
    w = _w(t).bfloat16()
    return {"loss": (e * w).sum() / w.sum()}


@body("autocast")
def near_half_mean_of_per_image(o, t):
    return {"loss": E(o, t).half().mean()}


@body("autocast")
def bf16_masked_fill_by_batch_mean(o, t):
    e = _err(o, t).bfloat16()
    return {"loss": e.masked_fill(e > e.mean(), 0).float().mean()}


# === 12. no_grad blocks ============================================================================


@body("nograd")
def no_grad_hard_mask_from_batch_mean(o, t):
    e = _err(o, t)
    with torch.no_grad():
        hard = e > e.mean()
    return {"loss": (e * hard).sum() / hard.sum().clamp(min=1)}


@body("nograd")
def near_no_grad_hard_mask_per_image(o, t):
    e = _err(o, t)
    with torch.no_grad():
        hard = e > e.mean((1, 2), keepdim=True)
    return {"loss": (e * hard).sum() / hard.sum().clamp(min=1)}


@body("nograd")
def no_grad_in_place_write_of_batch_stat(o, t):
    e = _err(o, t)
    w = torch.ones_like(e)
    with torch.no_grad():
        w[e > e.mean()] = 2.0
    return {"loss": (e * w).mean()}


@body("nograd")
def no_grad_normaliser_assigned_in_place_by_index(o, t):
    e = E(o, t)
    z = torch.zeros(1)
    with torch.no_grad():
        z[0] = e.sum()
    return {"loss": e.sum() / z[0]}


@body("nograd")
def no_grad_decorator_helper_weights(o, t):
    @torch.no_grad()
    def weights(e):
        return e / e.sum()
    e = E(o, t)
    return {"loss": (weights(e) * e).sum()}


@body("nograd")
def near_no_grad_decorator_helper_per_image(o, t):
    @torch.no_grad()
    def weights(e):
        return e / e.sum(1, keepdim=True)
    e = _err(o, t).flatten(1)
    return {"loss": (weights(e) * e).sum(1).mean()}


@body("nograd")
def set_grad_enabled_false_target_of_batch(o, t):
    x = o["x"]
    with torch.set_grad_enabled(False):
        target = x.mean(0, keepdim=True)
    return {"loss": (x - target).pow(2).mean()}


# === 13. .data / detach_ =============================================================================


@body("data")
def data_of_batch_mean_divides(o, t):
    e = E(o, t)
    return {"loss": e.sum() / e.mean().data}


@body("data")
def data_assigned_from_normalised_batch(o, t):
    e = E(o, t)
    d = e.clone()
    d.data = e.data / e.data.max()
    return {"loss": (d * e).mean()}


@body("data")
def data_written_in_place_by_index_of_images(o, t):
    e = E(o, t).clone()
    e.data[e.data.argmax()] = 0.0
    return {"loss": e.mean()}


@body("data")
def near_data_of_per_image_sum(o, t):
    e = _err(o, t)
    return {"loss": (e.sum((1, 2)) / e.sum((1, 2)).data).mean()}


@body("data")
def detach_in_place_of_batch_stat(o, t):
    e = E(o, t)
    m = e.max()
    m.detach_()
    return {"loss": (e / m).mean()}


@body("data")
def requires_grad_false_copy_of_batch_mean(o, t):
    e = E(o, t)
    m = e.detach().clone().requires_grad_(False).mean()
    return {"loss": (e - m).abs().mean()}


@body("data")
def data_clamp_by_ema_buffer_weights_images(o, t):
    e = E(o, t)
    e.data.clamp_(min=float(e.data.min()) * 1.5)
    return {"loss": e.mean()}


# === 14. odds: realistic twists on DETR bodies ======================================================


@body("detr", "d")
def detr_l1_over_matched_max(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    l1 = F.l1_loss(src, tgt, reduction="none").sum(1)
    return {"loss_bbox": l1.sum() / l1.detach().max().clamp(min=1e-6)}


@body("detr", "d")
def detr_l1_weights_by_batch_idx_in_place(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    l1 = F.l1_loss(src, tgt, reduction="none")
    bi = torch.cat([torch.full_like(s, b) for b, (s, _) in enumerate(idx)])
    w = torch.tensor([float(s["loss_weight"]) for s in t])
    l1.mul_(w[bi][:, None])
    return {"loss_bbox": l1.sum() / num_boxes}


@body("detr", "d")
def near_detr_l1_index_put_accumulate_per_image(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    l1 = F.l1_loss(src, tgt, reduction="none").sum(1)
    bi = torch.cat([torch.full_like(s, b) for b, (s, _) in enumerate(idx)])
    per = torch.zeros(len(t)).index_put_((bi,), l1, accumulate=True)
    return {"loss_bbox": per.sum() / num_boxes}


@body("detr", "d")
def detr_l1_where_unmatched_batch_mean(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    l1 = F.l1_loss(src, tgt, reduction="none").sum(1)
    return {"loss_bbox": torch.where(l1 > 0.5, l1, l1.detach().mean()).sum() / num_boxes}


@body("detr", "d")
def detr_l1_masked_fill_above_num_boxes_quantile(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    l1 = F.l1_loss(src, tgt, reduction="none").sum(1)
    return {"loss_bbox": l1.masked_fill(l1 > l1.detach().quantile(0.75), 0).sum() / num_boxes}


@body("detr", "d")
def detr_l1_in_place_into_dense_queries(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    bi = torch.cat([torch.full_like(s, b) for b, (s, _) in enumerate(idx)])
    qi = torch.cat([s for s, _ in idx])
    dense = torch.zeros(o["pred_boxes"].shape[:2])
    dense[bi, qi] = F.l1_loss(src, tgt, reduction="none").sum(1)
    return {"loss_bbox": dense.sum() / num_boxes}


@body("detr", "d")
def detr_l1_over_matched_count_of_first_image(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / max(len(idx[0][0]), 1)}


# === 15. found while fixing: in-place fills and clamps by batch values, running statistics of norms, ===
# === positions in place, sizes of one image's matches ===============================================


@body("inplace")
def masked_fill_in_place_value_batch_mean(o, t):
    e = _err(o, t).clone()
    e.masked_fill_(LAB(t)[..., None] == 0, e.detach().mean())
    return {"loss": e.mean()}


@body("inplace")
def near_masked_fill_batch_mean_never_filled(o, t):
    e = _err(o, t)
    return {"loss": e.masked_fill(LAB(t)[..., None] == 99, e.detach().mean()).mean()}


@body("inplace")
def near_masked_fill_constant_tensor_value(o, t):
    e = _err(o, t)
    return {"loss": e.masked_fill(LAB(t)[..., None] == 0, torch.tensor(0.25)).mean()}


@body("inplace")
def masked_fill_value_of_first_image(o, t):
    e = _err(o, t)
    return {"loss": e.masked_fill(LAB(t)[..., None] == 0, e[0].detach().mean()).mean()}


@body("inplace")
def index_fill_value_batch_mean(o, t):
    e = _err(o, t).clone()
    e.index_fill_(2, torch.tensor([0]), e.detach().mean())
    return {"loss": e.mean()}


@body("inplace")
def fill_view_value_batch_mean(o, t):
    e = _err(o, t).clone()
    e[:, 0].fill_(e.detach().mean())
    return {"loss": e.mean()}


@body("inplace")
def setitem_mask_value_batch_mean(o, t):
    e = _err(o, t).clone()
    e[LAB(t) == 0] = e.detach().mean()
    return {"loss": e.mean()}


@body("inplace")
def masked_scatter_of_flipped_images(o, t):
    e = _err(o, t)
    m = LAB(t)[..., None].expand_as(e) == 0
    return {"loss": e.masked_scatter(m, e.detach().flip(0)).mean()}


@body("inplace")
def index_put_value_batch_mean(o, t):
    e = _err(o, t).clone()
    e.index_put_((LAB(t) == 0,), e.detach().mean())
    return {"loss": e.mean()}


@body("inplace")
def copy_of_where_with_batch_mean(o, t):
    e = _err(o, t).clone()
    e.copy_(torch.where(LAB(t)[..., None] == 0, e.detach().mean(), e))
    return {"loss": e.mean()}


@body("inplace")
def clamp_in_place_tensor_bound_of_batch_max(o, t):
    e = _err(o, t)
    e.clamp_(max=0.5 * e.detach().max())
    return {"loss": e.mean()}


@body("inplace")
def data_clamp_in_place_by_detached_max(o, t):
    e = _err(o, t)
    e.data.clamp_(max=0.5 * e.detach().max())
    return {"loss": e.mean()}


@body("inplace")
def detach_view_clamped_in_place_by_max(o, t):
    e = _err(o, t)
    e.detach().clamp_(max=0.5 * e.detach().max())
    return {"loss": e.mean()}


@body("inplace")
def data_clamp_min_in_place_batch_mean(o, t):
    e = _err(o, t)
    e.data.clamp_(min=e.data.mean())
    return {"loss": e.mean()}


@body("inplace")
def data_sub_in_place_batch_mean(o, t):
    e = _err(o, t)
    e.data.sub_(e.data.mean())
    return {"loss": e.pow(2).mean()}


@body("inplace")
def data_div_in_place_batch_max(o, t):
    e = _err(o, t)
    e.data.div_(e.data.max())
    return {"loss": e.mean()}


@body("inplace")
def near_data_mul_in_place_number(o, t):
    e = _err(o, t)
    e.data.mul_(2.0)
    return {"loss": e.mean()}


@body("inplace")
def data_copy_in_place_flipped_images(o, t):
    e = _err(o, t)
    e.data.copy_(e.data.flip(0))
    return {"loss": e.mean()}


@body("inplace")
def clamp_out_into_data_by_batch_max(o, t):
    e = _err(o, t)
    torch.clamp(e.data, max=e.data.max() * 0.5, out=e.data)
    return {"loss": e.mean()}


@body("inplace")
def near_data_clamp_in_place_per_image_max(o, t):
    e = _err(o, t)
    e.data.clamp_(max=0.5 * e.data.amax((1, 2), keepdim=True))
    return {"loss": e.mean()}


@body("inplace")
def near_clamp_by_per_image_max(o, t):
    e = _err(o, t)
    return {"loss": e.clamp(max=0.5 * e.detach().amax((1, 2), keepdim=True)).mean()}


@body("inplace")
def pow_in_place_exponent_batch_mean(o, t):
    e = _err(o, t)
    e.pow_(e.detach().mean() + 1)
    return {"loss": e.mean()}


@body("inplace")
def clamp_in_place_of_reduced_loss_by_max(o, t):
    e = _err(o, t)
    loss = e.mean((1, 2)).mean()
    loss.clamp_(max=e.detach().max())
    return {"loss": loss}


@body("inplace")
def near_clamp_in_place_number(o, t):
    e = _err(o, t)
    e.clamp_(max=0.3)
    return {"loss": e.mean()}


@body("inplace")
def near_clamp_in_place_constant_tensor(o, t):
    e = _err(o, t)
    e.clamp_(max=torch.tensor(0.3))
    return {"loss": e.mean()}


@body("inplace")
def clamp_in_place_view_by_batch_max(o, t):
    e = _err(o, t)
    e[:, 0].clamp_(max=0.5 * e.detach().max())
    return {"loss": e.mean()}


@body("inplace")
def clamp_min_in_place_batch_mean(o, t):
    e = _err(o, t)
    e.clamp_min_(e.detach().mean())
    return {"loss": e.mean()}


@body("inplace")
def clamp_in_place_both_bounds_of_batch(o, t):
    e = _err(o, t)
    e.clamp_(min=e.detach().min() * 2, max=e.detach().max() * 0.5)
    return {"loss": e.mean()}


@body("inplace")
def near_clamp_in_place_per_image_max(o, t):
    e = _err(o, t)
    e.clamp_(max=0.5 * e.detach().amax((1, 2), keepdim=True))
    return {"loss": e.mean()}


@body("state")
class BatchNormModuleTrainThenRunningMean(nn.Module):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(4)

    def forward(self, o, t):
        x = o["x"].flatten(0, 1)
        self.bn(x.detach())
        return {"loss": ((x - self.bn.running_mean) - Y(t).flatten(0, 1)).abs().mean()}


@body("state")
class NearBatchNormRunningMeanUsedBeforeUpdate(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("rm", torch.zeros(4))
        self.register_buffer("rv", torch.ones(4))

    def forward(self, o, t):
        x = o["x"].flatten(0, 1)
        z = (x - self.rm.clone()) / self.rv.clone().sqrt()
        F.batch_norm(x.detach(), self.rm, self.rv, training=True, momentum=0.1)
        return {"loss": (z - Y(t).flatten(0, 1)).abs().mean()}


@body("state")
class InstanceNormRunningStatsThenUsed(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("rm", torch.zeros(3))
        self.register_buffer("rv", torch.ones(3))

    def forward(self, o, t):
        x = o["x"]
        F.instance_norm(x.detach(), self.rm, self.rv, use_input_stats=True)
        return {"loss": ((x - self.rm[:, None]) - Y(t)).abs().mean()}


@body("inplace")
def rank_factor_in_place_over_enumerate(o, t):
    e = _err(o, t)
    for i, _ in enumerate(t):
        e[i].mul_(1.0 + 0.5 * i)
    return {"loss": e.mean()}


@body("inplace")
def rank_factor_in_place_int(o, t):
    e = _err(o, t)
    for i in range(len(t)):
        e[i].mul_(i + 1)
    return {"loss": e.mean()}


@body("inplace")
def rank_factor_setitem(o, t):
    e = _err(o, t)
    for i in range(len(t)):
        e[i] = e[i] * (1.0 + 0.5 * i)
    return {"loss": e.mean()}


@body("inplace")
def rank_factor_imul(o, t):
    e = _err(o, t)
    for i in range(len(t)):
        e[i] *= 1.0 + 0.5 * i
    return {"loss": e.mean()}


@body("inplace")
def rank_factor_out_of_place_stacked(o, t):
    e = _err(o, t)
    return {"loss": torch.stack([e[i].mean() * (1.0 + 0.5 * i) for i in range(len(t))]).mean()}


@body("inplace")
def rank_offset_in_place_add(o, t):
    e = _err(o, t)
    for i in range(len(t)):
        e[i].add_(0.1 * i)
    return {"loss": e.mean()}


@body("inplace")
def near_constant_factor_in_place_loop(o, t):
    e = _err(o, t)
    for i in range(len(t)):
        e[i].mul_(1.5)
    return {"loss": e.mean()}


@body("inplace")
def rank_divisor_in_place(o, t):
    e = _err(o, t)
    for i in range(len(t)):
        e[i].div_(i + 1)
    return {"loss": e.mean()}


@body("inplace")
def reversed_rank_factor_in_place(o, t):
    e = _err(o, t)
    for i in range(len(t)):
        e[i].mul_(len(t) - i)
    return {"loss": e.mean()}


@body("inplace")
def rank_factor_in_place_of_image_mean(o, t):
    e = _err(o, t)
    terms = []
    for i in range(len(t)):
        term = e[i].mean()
        term.mul_(1.0 + 0.5 * i)
        terms.append(term)
    return {"loss": torch.stack(terms).mean()}


@body("inplace")
def decay_in_place_of_running_total(o, t):
    e = _err(o, t)
    total = 0
    for i in range(len(t)):
        total = total + e[i].mean()
        total *= 0.9
    return {"loss": total}


@body("inplace")
def near_label_factor_in_place_python(o, t):
    e = _err(o, t)
    for i, s in enumerate(t):
        e[i].mul_(1.5 if int(s["labels"][0]) > 2 else 1.0)
    return {"loss": e.mean()}


@body("inplace")
def near_constant_imul_in_loop(o, t):
    e = _err(o, t)
    for i in range(len(t)):
        e[i] *= 0.5
    return {"loss": e.mean()}


@body("detr", "d")
def detr_over_len_of_first_matches(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / len(idx[0][0])}


@body("detr", "d")
def detr_over_len_of_first_boxes(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / len(t[0]["boxes"])}


@body("detr", "d")
def detr_over_floored_len_of_first_boxes(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / max(len(t[0]["boxes"]), 1)}


@body("detr", "d")
def detr_over_numel_of_first_matches(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / max(idx[0][0].numel(), 1)}


@body("detr", "d")
def detr_over_len_of_last_target_matches(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / max(len(idx[-1][1]), 1)}


@body("detr", "d")
def detr_over_shape_of_first_matches(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / max(idx[0][0].shape[0], 1)}


@body("detr", "d")
def detr_over_len_of_first_matches_plus_one(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / (len(idx[0][0]) + 1)}


@body("detr", "d")
def detr_over_local_len_of_first_matches(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    n = max(len(idx[0][0]), 1)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / n}


@body("detr", "d")
def near_detr_over_len_of_all_matched(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / max(len(src), 1)}


@body("detr", "d")
def near_detr_over_sum_of_match_lengths(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / max(sum(len(s) for s, _ in idx), 1)}


@body("detr", "d")
def detr_over_local_len_of_first_boxes(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    n = max(len(t[0]["boxes"]), 1)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / n}


@body("detr", "d")
def near_detr_per_image_over_own_matches(o, t, idx, num_boxes):
    per = []
    for b, (s, j) in enumerate(idx):
        per.append(F.l1_loss(o["pred_boxes"][b, s], t[b]["boxes"][j], reduction="sum") / max(len(s), 1))
    return {"loss_bbox": torch.stack(per).mean()}


@body("detr", "d")
def detr_per_image_over_first_matches(o, t, idx, num_boxes):
    per = []
    for b, (s, j) in enumerate(idx):
        per.append(F.l1_loss(o["pred_boxes"][b, s], t[b]["boxes"][j], reduction="sum") / max(len(idx[0][0]), 1))
    return {"loss_bbox": torch.stack(per).mean()}


@body("detr", "d")
def detr_over_numel_of_first_labels(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / max(t[0]["labels"].numel(), 1)}


@body("detr", "d")
def detr_over_shape_of_first_boxes(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / max(t[0]["boxes"].shape[0], 1)}


@body("detr", "d")
def detr_over_size_of_last_boxes(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / t[-1]["boxes"].size(0)}


@body("detr", "d")
def detr_over_len_of_first_target_indices(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / len(idx[0][1])}


@body("detr", "d")
def near_detr_loop_count_of_matches(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    n = 0
    for s, _ in idx:
        n += len(s)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / max(n, 1)}


@body("detr", "d")
def near_detr_loop_numel_of_matches(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    n = 0
    for s, _ in idx:
        n += s.numel()
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / max(n, 1)}


@body("detr", "d")
def near_detr_len_of_cat_matches(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / max(len(torch.cat([s for s, _ in idx])), 1)}


@body("detr", "d")
def detr_per_image_over_own_numel(o, t, idx, num_boxes):
    per = [F.l1_loss(o["pred_boxes"][b, s], t[b]["boxes"][j], reduction="sum") / max(s.numel(), 1) for b, (s, j) in enumerate(idx)]
    return {"loss_bbox": sum(per) / len(per)}


@body("detr", "d")
def near_detr_skip_unmatched_images(o, t, idx, num_boxes):
    per = []
    for b, (s, j) in enumerate(idx):
        if len(s) == 0:
            continue
        per.append(F.l1_loss(o["pred_boxes"][b, s], t[b]["boxes"][j], reduction="sum"))
    return {"loss_bbox": torch.stack(per).sum() / num_boxes}


@body("detr", "d")
def detr_times_shape_of_first_matches(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") * idx[0][0].shape[0] / num_boxes}


@body("detr", "d")
def detr_times_shape_of_first_boxes(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") * t[0]["boxes"].shape[0] / num_boxes}


@body("detr", "d")
def detr_times_len_of_first_boxes(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") * len(t[0]["boxes"]) / num_boxes}


@body("detr", "d")
def detr_times_len_of_first_matches(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") * len(idx[0][0]) / num_boxes}


# === 16. more found while fixing: fills and in-place arithmetic by batch values, state buffers written =====
# === from the batch, values and sizes of the matcher's indices, gradient-accumulation products ===========


@body("inplace")
def setitem_add_per_image_duplicate_indices(o, t):
    ce = CE(o, t).flatten()
    bi = torch.arange(len(t)).repeat_interleave(3)
    acc = torch.zeros(len(t))
    acc[bi] += ce
    return {"loss": acc.mean()}


@body("inplace")
def index_reduce_mean_per_image(o, t):
    ce = CE(o, t).flatten()
    bi = torch.arange(len(t)).repeat_interleave(3)
    acc = torch.zeros(len(t)).index_reduce_(0, bi, ce, "mean", include_self=False)
    return {"loss": acc.mean()}


@body("inplace")
def scatter_reduce_mean_per_image(o, t):
    ce = CE(o, t).flatten()
    bi = torch.arange(len(t)).repeat_interleave(3)
    acc = torch.zeros(len(t)).scatter_reduce(0, bi, ce, "mean", include_self=False)
    return {"loss": acc.mean()}


@body("inplace")
class EmaOfWeightedLossDivides(nn.Module):
    def __init__(self):
        super().__init__()
        self.ema = None

    def forward(self, o, t):
        loss = (E(o, t) * _w(t)).mean()
        self.ema = loss.detach() if self.ema is None else 0.9 * self.ema + 0.1 * loss.detach()
        return {"loss": loss / self.ema}


@body("inplace")
def data_set_to_weighted_values(o, t):
    e = E(o, t).clone()
    e.data = e.data * _w(t)
    return {"loss": e.mean()}


@body("inplace")
def no_grad_setitem_by_batch_threshold(o, t):
    e = _err(o, t).clone()
    with torch.no_grad():
        thr = e.mean()
    e[e.detach() > thr] = 0
    return {"loss": e.mean()}


@body("inplace")
def where_full_like_float_of_mean(o, t):
    e = _err(o, t)
    return {"loss": torch.where(LAB(t)[..., None] == 0, torch.full_like(e, float(e.detach().mean())), e).mean()}


@body("inplace")
def near_data_weights_from_target_means(o, t):
    e = E(o, t)
    w = torch.stack([s["y"].mean() for s in t])
    return {"loss": (e * w).sum() / w.sum()}


@body("inplace")
def near_where_ignore_then_valid_count(o, t):
    ce = CE(o, t)
    lab = torch.where(LAB(t) == 0, -100, LAB(t))
    return {"loss": torch.where(lab == -100, 0, ce).sum() / (lab != -100).sum().clamp(min=1)}


@body("inplace")
def near_masked_fill_nan_then_nanmean_per_image(o, t):
    ce = CE(o, t)
    m = ce.masked_fill(LAB(t) == 0, float("nan")).nanmean(1)
    return {"loss": m.nan_to_num(0).mean()}


@body("inplace")
def accum_len_times_steps(o, t):
    return {"loss": E(o, t).sum() / (len(t) * 4)}


@body("inplace")
def where_cond_from_weights_broadcast_rows(o, t):
    ce = CE(o, t)
    return {"loss": torch.where(_w(t)[:, None] > 0, ce, 0).mean()}


@body("inplace")
def masked_fill_value_python_float_of_item(o, t):
    e = _err(o, t)
    return {"loss": e.masked_fill(LAB(t)[..., None] == 0, e.detach().mean().item()).mean()}


@body("inplace")
def lerp_towards_batch_mean(o, t):
    e = E(o, t)
    return {"loss": torch.lerp(e, e.detach().mean().expand_as(e), 0.5).mean()}


@body("inplace")
def addcmul_in_place_with_batch_stat(o, t):
    e = _err(o, t).clone()
    e.addcmul_(e.detach(), e.detach().mean().expand_as(e))
    return {"loss": e.mean()}


@body("inplace")
def add_in_place_alpha_batch_max(o, t):
    e = _err(o, t).clone()
    e.add_(torch.ones_like(e) * e.detach().max(), alpha=0.1)
    return {"loss": e.mean()}


@body("inplace")
def copy_in_place_view_batch_mean(o, t):
    e = _err(o, t).clone()
    e[:, 0].copy_(e.detach().mean().expand(e.shape[0], 4))
    return {"loss": e.mean()}


@body("inplace")
def index_fill_in_place_batch_max_columns(o, t):
    e = _err(o, t).clone()
    e.index_fill_(1, torch.tensor([0]), e.detach().max())
    return {"loss": e.mean()}


@body("inplace")
def clamp_max_in_place_batch_mean(o, t):
    e = _err(o, t).clone()
    e.clamp_max_(e.detach().mean())
    return {"loss": e.mean()}


@body("inplace")
def nan_to_num_in_place_posinf_of_batch(o, t):
    e = _err(o, t).clone()
    e.masked_fill_(LAB(t)[..., None] == 0, float("inf"))
    e.nan_to_num_(posinf=e.detach()[e.detach().isfinite()].max().item())
    return {"loss": e.mean()}


@body("state")
class HistoryBufferSetitemThenMean(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("hist", torch.ones(4))
        self.ptr = 0

    def forward(self, o, t):
        e = E(o, t)
        self.hist[self.ptr % 4] = e.detach().mean()
        self.ptr += 1
        return {"loss": e.mean() / self.hist.mean()}


@body("state")
class CountTensorStateThenDivide(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("count", torch.tensor(10.0))

    def forward(self, o, t):
        self.count += (LAB(t) > 1).sum()
        return {"loss": CE(o, t).sum() / self.count}


@body("state")
class CountTensorStateRebound(nn.Module):
    def __init__(self):
        super().__init__()
        self.count = torch.tensor(10.0)

    def forward(self, o, t):
        self.count = self.count + (LAB(t) > 1).sum()
        return {"loss": CE(o, t).sum() / self.count}


@body("state")
class HistoryListOfItems(nn.Module):
    def __init__(self):
        super().__init__()
        self.hist = [1.0]

    def forward(self, o, t):
        e = E(o, t)
        self.hist.append(float(e.detach().mean()))
        return {"loss": e.mean() / float(np.mean(self.hist[-4:]))}


@body("state")
class PutIntoStateBuffer(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("buf", torch.ones(3))

    def forward(self, o, t):
        e = E(o, t)
        self.buf.put_(torch.tensor([0]), e.detach().max().reshape(1))
        return {"loss": e.mean() / self.buf.sum()}


@body("state")
class IndexCopyIntoStateBuffer(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("buf", torch.ones(3))

    def forward(self, o, t):
        e = E(o, t)
        self.buf.index_copy_(0, torch.tensor([1]), e.detach().mean().reshape(1))
        return {"loss": e.mean() / self.buf.sum()}


@body("state")
class ClassCountsStateIndexAdd(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("counts", torch.ones(5))

    def forward(self, o, t):
        lab = LAB(t).flatten()
        self.counts.index_add_(0, lab, torch.ones(lab.numel()))
        cw = (1.0 / self.counts)
        return {"loss": F.cross_entropy(o["logits"].flatten(0, 1), lab, weight=cw / cw.sum() * 5)}


@body("state")
class ClassCountsStateBincountAdd(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("counts", torch.ones(5))

    def forward(self, o, t):
        lab = LAB(t).flatten()
        self.counts += torch.bincount(lab, minlength=5)
        return {"loss": F.cross_entropy(o["logits"].flatten(0, 1), lab, weight=1.0 / self.counts)}


@body("state")
class NearClassCountsStateUpdatedAfter(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("counts", torch.ones(5))

    def forward(self, o, t):
        lab = LAB(t).flatten()
        loss = F.cross_entropy(o["logits"].flatten(0, 1), lab, weight=1.0 / self.counts.clone())
        self.counts += torch.bincount(lab, minlength=5)
        return {"loss": loss}


@body("state")
class MomentumScaleViaNoGradInPlace(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("s", torch.tensor(1.0))

    def forward(self, o, t):
        e = E(o, t)
        with torch.no_grad():
            self.s.mul_(0.9).add_(e.mean(), alpha=0.1)
        return {"loss": e.mean() / self.s}


@body("state")
class StepCounterTensorFromLen(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("seen", torch.tensor(0))

    def forward(self, o, t):
        self.seen += len(t)
        return {"loss": E(o, t).sum() / self.seen.clamp(max=16)}


@body("state")
class MaxWeightSeen(nn.Module):
    def __init__(self):
        super().__init__()
        self.mx = 0.0

    def forward(self, o, t):
        self.mx = max(self.mx, max(s["loss_weight"] for s in t))
        return {"loss": (E(o, t) * _w(t)).mean() / self.mx}


@body("detr", "d")
def detr_over_max_matched_query_plus_one(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / (idx[0][0].max().item() + 1)}


@body("detr", "d")
def detr_over_len_of_tolist_of_first_matches(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / max(len(idx[0][0].tolist()), 1)}


@body("detr", "d")
def detr_over_sum_of_first_target_indices(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / (idx[0][1].sum().item() + 1)}


@body("detr", "d")
def detr_over_max_matches_per_image(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / max(len(s) for s, _ in idx)}


@body("detr", "d")
def detr_over_min_matches_per_image(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / max(min(len(s) for s, _ in idx), 1)}


@body("detr", "d")
def detr_over_first_label_value(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / (t[0]["labels"][0].item() + 1)}


@body("detr", "d")
def detr_times_first_matched_query(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    q = int(idx[0][0][0])
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") * (q + 1) / num_boxes}


@body("detr", "d")
def detr_over_num_boxes_minus_first_boxes(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / max(num_boxes - len(t[0]["boxes"]), 1)}


@body("detr", "d")
def detr_over_num_boxes_times_len(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / (num_boxes * len(t))}


@body("detr", "d")
def near_detr_num_boxes_clamped_tensor_item(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    n = torch.clamp(torch.as_tensor([num_boxes], dtype=torch.float), min=1).item()
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / n}


@body("detr", "d")
def detr_over_median_matches(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    lens = sorted(len(s) for s, _ in idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / lens[len(lens) // 2]}


@body("detr", "d")
def detr_over_tensor_of_first_match_count(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    n = torch.tensor(float(len(idx[0][0]))).clamp(min=1)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / n}


@body("detr", "d")
def detr_over_as_tensor_of_first_numel(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / torch.as_tensor(idx[0][0].numel()).clamp(min=1)}


@body("detr", "d")
def detr_over_tensor_of_first_boxes_len(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    n = torch.tensor(float(len(t[0]["boxes"]))).clamp(min=1)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / n}


@body("detr", "d")
def detr_over_tensor_of_first_boxes_shape(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    n = torch.tensor(float(t[0]["boxes"].shape[0])).clamp(min=1)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / n}


@body("detr", "d")
def detr_over_tensor_of_first_matches_shape(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    n = torch.tensor(float(idx[0][0].shape[0])).clamp(min=1)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / n}


@body("detr", "d")
def detr_over_as_tensor_of_first_labels_numel(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / torch.as_tensor(t[0]["labels"].numel()).clamp(min=1)}


@body("accum")
def accum_constant_times_len(o, t):
    return {"loss": E(o, t).sum() / (4 * len(t))}


@body("accum")
def near_accum_over_len_then_steps(o, t):
    return {"loss": E(o, t).sum() / len(t) / 4}


@body("accum")
def accum_len_times_local_steps(o, t):
    steps = 4
    return {"loss": E(o, t).sum() / (len(t) * steps)}


@body("accum")
def accum_len_times_float_steps(o, t):
    return {"loss": E(o, t).sum() / (len(t) * 4.0)}


@body("accum")
def near_accum_local_batch_size_times_steps(o, t):
    bs = len(t)
    return {"loss": E(o, t).sum() / (bs * 4)}


@body("accum")
def accum_mean_over_len_times_steps(o, t):
    return {"loss": E(o, t).mean() / (len(t) * 4)}


@body("accum")
def over_len_squared(o, t):
    return {"loss": E(o, t).sum() / (len(t) * len(t))}


@body("accum")
def over_len_times_first_weight(o, t):
    return {"loss": E(o, t).sum() / (len(t) * t[0]["loss_weight"])}


@body("accum")
def over_len_times_first_n_field(o, t):
    return {"loss": _err(o, t).sum() / (len(t) * t[0]["n"])}


@body("accum")
def over_len_times_rows_per_image(o, t):
    return {"loss": _err(o, t).sum() / (len(t) * o["x"].shape[1])}


@body("accum")
def over_len_times_first_labels_len(o, t):
    return {"loss": _err(o, t).sum() / (len(t) * len(t[0]["labels"]))}


@body("accum")
def mean_times_len_times_steps(o, t):
    return {"loss": E(o, t).mean() * (len(t) * 4)}


@body("accum")
def over_len_plus_one_times_steps(o, t):
    return {"loss": E(o, t).sum() / ((len(t) + 1) * 4)}
