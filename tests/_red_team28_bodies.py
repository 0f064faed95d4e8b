"""Red team of session 30 (helper rt28): adversarial criterion bodies in families earlier red teams
tried little -- state across calls spelt otherwise (EMA tensors as plain attributes, ``.data``
writes, Python lists as queues, call-count schedules), module-level helpers reading a first
image's field (a call site whose numbers change from batch to batch), targets that are not lists
of dicts (batched tensors with a weights list, tuples, namedtuples of batched tensors), views and
in-place writes (``view(...)[...] *= w``, ``masked_fill_`` on views, ``out=``, ``.data``,
``no_grad`` blocks), dtype mixes (bf16 / float16 / float64, ``nan_to_num``, ``nanmean``,
``finfo`` clamps), normalisations by batch statistics, hard mining across the batch, and returns
with several keys sharing intermediates, Python floats, sums of keys and nested dicts.

``BODIES``: name -> (family, batch kind, body or criterion class); ``CONVERTS``: name -> the
targets' conversion of a body of kind ``"xo"``. Measured by ``tests/_red_team26_measure.py``'s
``run_one`` on ``BATCHES`` (the red-team-26 batches and three more: five images, a group absent,
one image of one group); the tests are ``tests/test_red_team28.py``."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import torch
import torch.nn.functional as F
from _red_team26_bodies import CE, LAB, NCLS, E, Y
from _red_team27_bodies import registrar
from torch import nn

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)


def W(t):
    """The images' weights as a [B] tensor (the seed's spelling)."""
    return torch.tensor([s["loss_weight"] for s in t])


# === 1. state across calls ========================================================================
# Each class is measured after one warm call on another batch.


@body("state")
class EmaAttrTensorDetachedMean:
    def __init__(self):
        self.ema = torch.tensor(1.0)

    def forward(self, o, t):
        v = E(o, t)
        self.ema = 0.9 * self.ema + 0.1 * v.mean().detach()
        return {"loss": (v / self.ema).mean()}


@body("state")
class EmaAttrTensorUsedThenUpdated:
    def __init__(self):
        self.ema = torch.tensor(1.0)

    def forward(self, o, t):
        v = E(o, t)
        out = (v / self.ema).mean()
        self.ema = 0.9 * self.ema + 0.1 * v.mean().detach()
        return {"loss": out}


@body("state")
class EmaDataWriteBeforeUse(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("ema", torch.tensor(1.0))

    def forward(self, o, t):
        v = E(o, t)
        self.ema.data = 0.9 * self.ema.data + 0.1 * v.detach().mean()
        return {"loss": v.mean() / self.ema}


@body("state")
class EmaLerpOfSumBeforeUse(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("ema", torch.tensor(1.0))

    def forward(self, o, t):
        v = E(o, t)
        with torch.no_grad():
            torch.lerp(self.ema, v.sum(), 0.1, out=self.ema)
        return {"loss": v.sum() / self.ema}


@body("state")
class EmaPerImageMaxBeforeUse(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("ema", torch.tensor(1.0))

    def forward(self, o, t):
        v = E(o, t)
        self.ema.copy_(torch.maximum(self.ema * 0.9, v.detach().max()))
        return {"loss": (v / self.ema).mean()}


@body("state")
class EmaStdNormalisedAfterUpdate(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("mu", torch.tensor(0.0))

    def forward(self, o, t):
        v = E(o, t)
        self.mu.mul_(0.5).add_(v.detach().mean(), alpha=0.5)
        return {"loss": (v - self.mu).abs().mean()}


@body("state")
class EmaFloatFromItemAfterUpdate:
    def __init__(self):
        self.ema = 1.0

    def forward(self, o, t):
        v = CE(o, t)
        self.ema = 0.8 * self.ema + 0.2 * v.mean().item()
        return {"loss": v.mean() / max(self.ema, 1e-3)}


@body("state")
class EmaFloatUsedBeforeUpdate:
    def __init__(self):
        self.ema = 1.0

    def forward(self, o, t):
        v = CE(o, t)
        out = v.mean() / self.ema
        self.ema = 0.8 * self.ema + 0.2 * v.mean().item()
        return {"loss": out}


@body("state")
class StepCounterWarmupLinear:
    def __init__(self):
        self.calls = 0

    def forward(self, o, t):
        self.calls += 1
        return {"loss": E(o, t).mean() * min(1.0, self.calls / 4)}


@body("state")
class StepCounterTemperatureSwitch:
    def __init__(self):
        self.calls = 0

    def forward(self, o, t):
        self.calls += 1
        tau = 2.0 if self.calls < 2 else 0.5
        return {"loss": F.cross_entropy(o["logits"].transpose(1, 2) / tau, LAB(t))}


@body("state")
class StepCounterTensorCosineRamp(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("step", torch.tensor(0.0))

    def forward(self, o, t):
        self.step += 1
        ramp = 0.5 * (1 - torch.cos(math.pi * torch.clamp(self.step / 5, max=1.0)))
        return {"loss": E(o, t).mean() * ramp, "ramp": ramp.detach()}


@body("state")
class WarmupBySamplesSeen:
    def __init__(self):
        self.seen = 0

    def forward(self, o, t):
        self.seen += len(t)
        return {"loss": E(o, t).sum() / len(t) * min(1.0, self.seen / 8)}


@body("state")
class MocoQueueListNegatives:
    def __init__(self):
        self.queue: list = []

    def forward(self, o, t):
        q = F.normalize(o["emb"], dim=1)
        k = F.normalize(Y(t).flatten(1)[:, :6], dim=1)
        pos = (q * k).sum(1, keepdim=True)
        negs = torch.cat(self.queue) if self.queue else torch.zeros(1, 6)
        logits = torch.cat([pos, q @ negs.T], 1) / 0.2
        self.queue.append(k.detach())
        self.queue = self.queue[-3:]
        return {"loss": F.cross_entropy(logits, torch.zeros(len(t), dtype=torch.long))}


@body("state")
class MocoQueueBufferNegativesEnqueueAfter(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("queue", F.normalize(torch.arange(48.0).reshape(8, 6).sin(), dim=1))
        self.ptr = 0

    def forward(self, o, t):
        q = F.normalize(o["emb"], dim=1)
        k = F.normalize(Y(t).flatten(1)[:, :6], dim=1)
        logits = torch.cat([(q * k).sum(1, keepdim=True), q @ self.queue.clone().T], 1) / 0.2
        loss = F.cross_entropy(logits, torch.zeros(len(t), dtype=torch.long))
        with torch.no_grad():
            n = len(t)
            idx = (torch.arange(n) + self.ptr) % 8
            self.queue[idx] = k
            self.ptr = (self.ptr + n) % 8
        return {"loss": loss}


@body("state")
class MocoQueueBufferEnqueueBeforeUse(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("queue", F.normalize(torch.arange(48.0).reshape(8, 6).cos(), dim=1))

    def forward(self, o, t):
        q = F.normalize(o["emb"], dim=1)
        k = F.normalize(Y(t).flatten(1)[:, :6], dim=1)
        with torch.no_grad():
            self.queue = torch.cat([k, self.queue])[:8]
        logits = torch.cat([(q * k).sum(1, keepdim=True), q @ self.queue.T], 1) / 0.2
        return {"loss": F.cross_entropy(logits, torch.zeros(len(t), dtype=torch.long))}


@body("state")
class PreviousBatchEmbeddingsAsNegatives:
    def __init__(self):
        self.prev = None

    def forward(self, o, t):
        q = F.normalize(o["emb"], dim=1)
        neg = self.prev if self.prev is not None else torch.ones(1, 6) / 6 ** 0.5
        self.prev = q.detach()
        return {"loss": torch.logsumexp(q @ neg.T, 1).mean()}


@body("state")
class RunningMeanCentredPerImage(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.zeros(6))

    def forward(self, o, t):
        e = o["emb"]
        out = ((e - self.mean) ** 2).mean()
        self.mean.mul_(0.9).add_(0.1 * e.detach().mean(0))
        return {"loss": out}


@body("state")
class RunningMeanCentredAfterUpdate(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.zeros(6))

    def forward(self, o, t):
        e = o["emb"]
        self.mean.mul_(0.9).add_(0.1 * e.detach().mean(0))
        return {"loss": ((e - self.mean) ** 2).mean()}


@body("state")
class CallParityAlternatesTerms:
    def __init__(self):
        self.calls = 0

    def forward(self, o, t):
        self.calls += 1
        return {"loss": E(o, t).mean() if self.calls % 2 else CE(o, t).mean()}


@body("state")
class LossScaleAttrFromFirstCall:
    def __init__(self):
        self.scale = None

    def forward(self, o, t):
        v = E(o, t).mean()
        if self.scale is None:
            self.scale = v.item()
        return {"loss": v / self.scale}


@body("state")
class BestLossSoFarGap:
    def __init__(self):
        self.best = float("inf")

    def forward(self, o, t):
        v = CE(o, t).mean()
        self.best = min(self.best, v.item())
        return {"loss": v, "gap": v.detach() - self.best}


# === 2. helpers at module level: a call site whose numbers change from batch to batch =============


def _times_item(v, s):
    return v * s.item()


def _times_float(v, s):
    return v * float(s)


def _times_tensor(v, s):
    return v * s


def _over_item(v, s):
    return v / (s.item() + 1.0)


def with_scale(t):
    """Each image's own tensor field ``s`` (from its data: stable when the image is alone)."""
    return [{**s, "s": s["y"][0, 0].detach() * 2 + 0.5} for s in t]


@body("helper_site", "xo", with_scale)
def helper_item_of_first_image_field(o, t):
    return {"loss": _times_item(E(o, t).mean(), t[0]["s"])}


@body("helper_site", "xo", with_scale)
def helper_float_of_first_image_field(o, t):
    return {"loss": _times_float(E(o, t).mean(), t[0]["s"])}


@body("helper_site", "xo", with_scale)
def helper_tensor_of_first_image_field(o, t):
    return {"loss": _times_tensor(E(o, t).mean(), t[0]["s"])}


@body("helper_site", "xo", with_scale)
def helper_over_item_of_first_image_field(o, t):
    return {"loss": _over_item(E(o, t).sum(), t[0]["s"])}


@body("helper_site", "xo", with_scale)
def helper_item_of_last_image_field(o, t):
    return {"loss": _times_item(CE(o, t).mean(), t[-1]["s"])}


@body("helper_site", "xo", with_scale)
def helper_item_of_own_image_field(o, t):
    return {"loss": torch.stack([_times_item(e, s["s"]) for e, s in zip(E(o, t), t)]).mean()}


@body("helper_site", "xo", with_scale)
def helper_item_of_own_field_times_weight(o, t):
    return {"loss": torch.stack([_times_item(e, s["s"]) * s["loss_weight"] for e, s in zip(E(o, t), t)]).mean()}


@body("helper_site")
def helper_item_of_first_weight(o, t):
    return {"loss": _times_item(E(o, t).mean(), torch.tensor(t[0]["loss_weight"]))}


@body("helper_site")
def helper_float_of_first_weight_local(o, t):
    w = t[0]["loss_weight"]
    return {"loss": _times_float(E(o, t).mean(), w)}


@body("helper_site")
def helper_item_of_batch_max_weight(o, t):
    return {"loss": _times_item(E(o, t).mean(), W(t).max())}


@body("helper_site")
def helper_item_of_first_label(o, t):
    return {"loss": _over_item(E(o, t).sum(), t[0]["labels"][0])}


@body("helper_site")
def helper_item_of_first_loss(o, t):
    e = E(o, t)
    return {"loss": _over_item(e.sum(), e[0].detach())}


@body("helper_site")
def helper_item_of_own_loss(o, t):
    e = E(o, t)
    return {"loss": torch.stack([_over_item(v, v.detach()) for v in e]).sum()}


@body("helper_site")
def helper_item_of_batch_size_tensor(o, t):
    return {"loss": _over_item(E(o, t).sum(), torch.tensor(float(len(t) - 1)))}


@body("helper_site", "xo", with_scale)
def helper_item_of_first_field_via_default(o, t, pick=0):
    return {"loss": _times_item(E(o, t).mean(), t[pick]["s"])}


@body("helper_site", "xo", with_scale)
def helper_item_of_mean_field(o, t):
    return {"loss": _times_item(E(o, t).mean(), torch.stack([s["s"] for s in t]).mean())}


# === 3. targets that are not lists of dicts ======================================================


def batched_with_weight_list(t):
    return (Y(t), LAB(t), [s["loss_weight"] for s in t])


def batched_dict_weight_list(t):
    return {"y": Y(t), "labels": LAB(t), "loss_weight": [s["loss_weight"] for s in t]}


class Batch(NamedTuple):
    y: torch.Tensor
    labels: torch.Tensor
    loss_weight: torch.Tensor


def batched_namedtuple(t):
    return Batch(Y(t), LAB(t), torch.tensor([s["loss_weight"] for s in t]))


def list_of_tuples_weight_last(t):
    return [(s["y"], s["labels"], s["loss_weight"]) for s in t]


def tuple_of_lists(t):
    return ([s["y"] for s in t], [s["labels"] for s in t], [s["loss_weight"] for s in t])


def dict_of_lists(t):
    return {k: [s[k] for s in t] for k in ("y", "labels", "loss_weight")}


@body("targets", "xo", batched_with_weight_list)
def tensor_targets_plain(o, t):
    y, _, _ = t
    return {"loss": (o["x"] - y).abs().mean()}


@body("targets", "xo", batched_with_weight_list)
def tensor_targets_weights_list_times_mean(o, t):
    y, _, w = t
    return {"loss": ((o["x"] - y).abs().mean((1, 2)) * torch.tensor(w)).mean()}


@body("targets", "xo", batched_with_weight_list)
def tensor_targets_weights_list_normalised(o, t):
    y, _, w = t
    w = torch.tensor(w)
    return {"loss": ((o["x"] - y).abs().mean((1, 2)) * w).sum() / w.sum()}


@body("targets", "xo", batched_with_weight_list)
def tensor_targets_weights_list_loop(o, t):
    y, _, w = t
    e = (o["x"] - y).abs().mean((1, 2))
    return {"loss": sum(e[i] * w[i] for i in range(len(w))) / len(w)}


@body("targets", "xo", batched_with_weight_list)
def tensor_targets_ce_weight_per_row(o, t):
    _, lab, w = t
    ce = F.cross_entropy(o["logits"].transpose(1, 2), lab, reduction="none")
    return {"loss": (ce * torch.tensor(w)[:, None]).mean()}


@body("targets", "xo", batched_dict_weight_list)
def batched_dict_weight_as_python_list(o, t):
    e = (o["x"] - t["y"]).abs().mean((1, 2))
    return {"loss": (e * e.new_tensor(t["loss_weight"])).mean()}


@body("targets", "xo", batched_dict_weight_list)
def batched_dict_ignores_weight_list(o, t):
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), t["labels"])}


@body("targets", "xo", batched_namedtuple)
def namedtuple_batched_weighted(o, t):
    e = (o["x"] - t.y).abs().mean((1, 2))
    return {"loss": (e * t.loss_weight).mean()}


@body("targets", "xo", batched_namedtuple)
def namedtuple_batched_index_access(o, t):
    e = (o["x"] - t[0]).abs().mean((1, 2))
    return {"loss": (e * t[2]).sum() / len(t[2])}


@body("targets", "xo", batched_namedtuple)
def namedtuple_batched_plain_ce(o, t):
    return {"loss": F.cross_entropy(o["logits"].flatten(0, 1), t.labels.flatten())}


@body("targets", "xo", list_of_tuples_weight_last)
def list_of_tuples_weighted(o, t):
    return {"loss": torch.stack([(x - y).abs().mean() * w for x, (y, _, w) in zip(o["x"], t)]).mean()}


@body("targets", "xo", list_of_tuples_weight_last)
def list_of_tuples_unweighted(o, t):
    return {"loss": torch.stack([(x - y).abs().mean() for x, (y, _, _) in zip(o["x"], t)]).mean()}


@body("targets", "xo", tuple_of_lists)
def tuple_of_lists_weighted(o, t):
    ys, _, ws = t
    return {"loss": sum((x - y).abs().mean() * w for x, y, w in zip(o["x"], ys, ws)) / len(ys)}


@body("targets", "xo", tuple_of_lists)
def tuple_of_lists_stacked(o, t):
    ys, labs, ws = t
    e = (o["x"] - torch.stack(ys)).abs().mean((1, 2))
    return {"loss": (e * torch.tensor(ws)).mean(), "ce": F.cross_entropy(o["logits"].transpose(1, 2), torch.stack(labs))}


@body("targets", "xo", dict_of_lists)
def dict_of_lists_weighted(o, t):
    e = (o["x"] - torch.stack(t["y"])).abs().mean((1, 2))
    return {"loss": (e * torch.tensor(t["loss_weight"])).mean()}


@body("targets", "xo", dict_of_lists)
def dict_of_lists_unweighted_sum_over_len(o, t):
    e = (o["x"] - torch.stack(t["y"])).abs().sum((1, 2))
    return {"loss": e.sum() / len(t["y"])}


# === 4. views and in-place writes ================================================================


@body("views")
def view_index_mul_by_weight(o, t):
    d = (o["x"] - Y(t)).abs()
    d.view(len(t), -1)[:, :] *= W(t)[:, None]
    return {"loss": d.mean()}


@body("views")
def view_flat_slice_mul_by_weight(o, t):
    d = (o["x"] - Y(t)).abs().clone()
    d.view(-1)[:] *= W(t).repeat_interleave(12)
    return {"loss": d.mean()}


@body("views")
def view_first_row_doubled(o, t):
    d = (o["x"] - Y(t)).abs()
    d.view(len(t), 3, 4)[:, 0] *= 2.0
    return {"loss": d.mean()}


@body("views")
def view_first_image_doubled(o, t):
    d = (o["x"] - Y(t)).abs()
    d.view(-1, 12)[0] *= 2.0
    return {"loss": d.mean()}


@body("views")
def masked_fill_on_transposed_view(o, t):
    ce = CE(o, t)
    ce.t().masked_fill_(LAB(t).t() == 0, 0.0)
    return {"loss": ce.mean()}


@body("views")
def masked_fill_on_view_by_batch_mean(o, t):
    d = (o["x"] - Y(t)).abs()
    v = d.view(len(t), -1)
    v.masked_fill_(v < v.detach().mean(), 0.0)
    return {"loss": d.mean()}


@body("views")
def masked_fill_on_view_by_own_mean(o, t):
    d = (o["x"] - Y(t)).abs()
    v = d.view(len(t), -1)
    v.masked_fill_(v < v.detach().mean(1, keepdim=True), 0.0)
    return {"loss": d.mean()}


@body("views")
def out_argument_abs(o, t):
    buf = torch.empty(len(t), 3, 4)
    torch.sub(o["x"].detach(), Y(t), out=buf)
    return {"loss": (o["x"] - Y(t)).abs().mean(), "raw": torch.abs(buf, out=buf).mean()}


@body("views")
def out_argument_mean_of_per_image(o, t):
    e = torch.empty(len(t))
    torch.mean((o["x"] - Y(t)).abs().detach(), (1, 2), out=e)
    return {"loss": E(o, t).mean(), "metric": e.mean()}


@body("views")
def data_write_scales_loss_by_weight(o, t):
    e = E(o, t)
    e.data = e.data * W(t)
    return {"loss": e.mean()}


@body("views")
def data_write_normalises_by_batch_sum(o, t):
    e = E(o, t)
    e.data /= e.data.sum()
    return {"loss": e.sum()}


@body("views")
def data_write_clamps_own(o, t):
    e = E(o, t)
    e.data.clamp_(max=0.3)
    return {"loss": e.mean()}


@body("views")
def no_grad_block_scales_rows_by_batch_max(o, t):
    d = (o["x"] - Y(t)).abs()
    with torch.no_grad():
        m = d.max()
    return {"loss": (d / m).mean()}


@body("views")
def no_grad_block_in_place_on_loss(o, t):
    e = E(o, t)
    loss = e * 1.0
    with torch.no_grad():
        loss.mul_(W(t))
    return {"loss": loss.mean()}


@body("views")
def no_grad_block_in_place_by_batch_mean(o, t):
    e = E(o, t)
    loss = e + 0.0
    with torch.no_grad():
        loss.sub_(e.mean())
    return {"loss": loss.abs().mean()}


@body("views")
def no_grad_block_per_image_weights(o, t):
    e = E(o, t)
    with torch.no_grad():
        w = e / e.mean()
    return {"loss": (e * w).mean()}


@body("views")
def detach_clone_shift_by_own(o, t):
    e = E(o, t)
    c = e.detach().clone()
    c -= 0.1
    return {"loss": (e - c).mean() + e.mean()}


@body("views")
def detach_clone_sorted_in_place(o, t):
    e = E(o, t)
    c = e.detach().clone()
    c, _ = c.sort()
    return {"loss": (e * c).mean()}


@body("views")
def detach_clone_zero_first(o, t):
    e = E(o, t)
    c = e.detach().clone()
    c[0] = 0.0
    return {"loss": (e + c).mean()}


@body("views")
def index_add_rows_into_images(o, t):
    ce = CE(o, t).flatten()
    per = torch.zeros(len(t)).index_add_(0, torch.arange(len(t)).repeat_interleave(3), ce)
    return {"loss": per.mean() / 3}


@body("views")
def scatter_add_rows_into_images(o, t):
    ce = CE(o, t).flatten()
    per = torch.zeros(len(t)).scatter_add(0, torch.arange(len(t)).repeat_interleave(3), ce)
    return {"loss": (per * W(t)).mean()}


@body("views")
def unsqueeze_expand_then_in_place_add(o, t):
    e = E(o, t)
    m = e.detach().unsqueeze(1).expand(-1, 3).clone()
    m += CE(o, t)
    return {"loss": m.mean()}


@body("views")
def resize_as_then_fill(o, t):
    e = E(o, t)
    z = torch.empty(0).resize_as_(e.detach()).fill_(1.0)
    return {"loss": (e * z).mean()}


@body("views")
def copy_into_slice_of_preallocated(o, t):
    b = len(t)
    buf = torch.zeros(b, 2)
    buf[:, 0] = E(o, t)
    buf[:, 1] = CE(o, t).mean(1)
    return {"loss": buf.sum(1).mean()}


@body("views")
def copy_into_preallocated_then_batch_normalised(o, t):
    b = len(t)
    buf = torch.zeros(b)
    buf.copy_(E(o, t))
    return {"loss": buf.sum() / buf.detach().sum()}


@body("views")
def diagonal_view_written(o, t):
    b = len(t)
    m = torch.zeros(b, b)
    m.diagonal().copy_(E(o, t))
    return {"loss": m.sum() / b}


@body("views")
def diagonal_view_written_then_row_softmax(o, t):
    b = len(t)
    m = torch.zeros(b, b)
    m.diagonal().copy_(E(o, t))
    return {"loss": (m.softmax(1) * m).sum()}


# === 5. dtypes, where with scalars, nan handling, finfo clamps ==================================


@body("dtype")
def float64_per_image_then_float(o, t):
    return {"loss": E(o, t).double().mean().float()}


@body("dtype")
def float64_sum_over_count(o, t):
    return {"loss": (o["x"].double() - Y(t).double()).abs().sum() / (len(t) * 12)}


@body("dtype")
def float16_rows_mean(o, t):
    return {"loss": (o["x"].half() - Y(t).half()).abs().float().mean()}


@body("dtype")
def bf16_weighted_mean(o, t):
    e = E(o, t).bfloat16()
    return {"loss": (e * W(t).bfloat16()).float().mean()}


@body("autocast")
def autocast_bf16_linear_rows(o, t):
    with torch.autocast("cpu", dtype=torch.bfloat16):
        z = o["x"] @ torch.ones(4, 4)
    return {"loss": (z.float() - Y(t)).abs().mean()}


@body("autocast")
def autocast_bf16_ce_weighted(o, t):
    with torch.autocast("cpu", dtype=torch.bfloat16):
        ce = F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), reduction="none")
    return {"loss": (ce.float() * W(t)[:, None]).mean()}


@body("dtype")
def where_scalar_branches_on_rows(o, t):
    d = (o["x"] - Y(t)).abs()
    return {"loss": torch.where(d > 0.2, d, 0.0).mean()}


@body("dtype")
def where_scalar_both_branches(o, t):
    d = (o["x"] - Y(t)).abs()
    return {"loss": (d * torch.where(d > 0.2, 2.0, 0.5)).mean()}


@body("dtype")
def where_scalar_by_batch_mean(o, t):
    d = (o["x"] - Y(t)).abs()
    return {"loss": (d * torch.where(d > d.mean(), 2.0, 0.5)).mean()}


@body("dtype")
def nan_to_num_of_ratio(o, t):
    d = (o["x"] - Y(t)).abs()
    return {"loss": torch.nan_to_num(d / (Y(t) - 0.5).abs(), posinf=10.0).clamp(max=10).mean()}


@body("dtype")
def nanmean_with_masked_rows(o, t):
    ce = CE(o, t)
    ce = torch.where(LAB(t) == 0, float("nan"), ce)
    return {"loss": ce.nanmean()}


@body("dtype")
def nanmean_per_image_then_mean(o, t):
    ce = CE(o, t)
    ce = torch.where(LAB(t) == 0, float("nan"), ce)
    return {"loss": torch.nan_to_num(ce.nanmean(1)).mean()}


@body("dtype")
def nansum_over_valid_count(o, t):
    ce = torch.where(LAB(t) == 0, float("nan"), CE(o, t))
    return {"loss": ce.nansum() / (~ce.isnan()).sum().clamp(min=1)}


@body("dtype")
def finfo_eps_clamp_log(o, t):
    p = o["logits"].softmax(-1).gather(-1, LAB(t)[..., None]).squeeze(-1)
    return {"loss": -p.clamp(min=torch.finfo(p.dtype).eps).log().mean()}


@body("dtype")
def finfo_tiny_divisor(o, t):
    e = E(o, t)
    return {"loss": e.sum() / max(len(t), torch.finfo(torch.float32).tiny)}


@body("dtype")
def clamp_min_by_batch_max(o, t):
    e = E(o, t)
    return {"loss": torch.clamp_min(e, 0.5 * e.detach().max()).mean()}


@body("dtype")
def clamp_min_by_batch_quantile(o, t):
    e = E(o, t)
    return {"loss": torch.clamp_min(e, torch.quantile(e.detach(), 0.5)).mean()}


@body("dtype")
def clamp_min_by_own_row_max(o, t):
    d = (o["x"] - Y(t)).abs()
    return {"loss": torch.clamp_min(d, 0.5 * d.detach().amax((1, 2), keepdim=True)).mean()}


@body("dtype")
def clamp_max_by_percentile_of_rows(o, t):
    d = (o["x"] - Y(t)).abs().flatten()
    return {"loss": d.clamp(max=d.detach().kthvalue(max(1, int(0.9 * d.numel()))).values).mean()}


@body("dtype")
def where_per_image_isfinite(o, t):
    e = E(o, t)
    return {"loss": torch.where(torch.isfinite(e), e, torch.zeros_like(e)).mean()}


@body("dtype")
def int_labels_float_cast_weighted(o, t):
    lab = LAB(t).float()
    return {"loss": ((o["logits"].mean(-1) - lab).abs() * W(t)[:, None]).mean()}


# === 6. normalisation by batch statistics (the images mix: decline or exact) =====================


@body("batch_stats")
def over_detached_batch_max(o, t):
    e = E(o, t)
    return {"loss": (e / e.detach().max()).mean()}


@body("batch_stats")
def over_detached_batch_sum(o, t):
    e = E(o, t)
    return {"loss": (e / e.sum().detach()).sum()}


@body("batch_stats")
def over_batch_sum_with_grad(o, t):
    e = E(o, t)
    return {"loss": (e / e.sum()).pow(2).sum()}


@body("batch_stats")
def softmax_over_images_weights(o, t):
    e = E(o, t)
    return {"loss": (e.detach().softmax(0) * e).sum()}


@body("batch_stats")
def softmax_over_images_with_grad(o, t):
    e = E(o, t)
    return {"loss": (e.softmax(0) * e).sum()}


@body("batch_stats")
def softmax_over_rows_of_all_images(o, t):
    ce = CE(o, t).flatten()
    return {"loss": (ce.detach().softmax(0) * ce).sum()}


@body("batch_stats")
def zscore_over_batch(o, t):
    e = E(o, t)
    return {"loss": ((e - e.mean()) / (e.std(unbiased=False) + 1e-3)).pow(2).mean()}


@body("batch_stats")
def over_batch_norm2(o, t):
    e = E(o, t)
    return {"loss": e.sum() / e.detach().norm()}


@body("batch_stats")
def over_batch_weight_sum_float(o, t):
    e = E(o, t)
    w = [s["loss_weight"] for s in t]
    return {"loss": sum(v * wi for v, wi in zip(e, w)) / sum(w)}


@body("batch_stats")
def rank_weights_over_images(o, t):
    e = E(o, t)
    r = e.detach().argsort().argsort().float() + 1
    return {"loss": (e * r / r.sum()).sum()}


@body("batch_stats")
def hard_mining_topk_all_rows(o, t):
    ce = CE(o, t).flatten()
    return {"loss": ce.topk(max(1, ce.numel() // 3)).values.mean()}


@body("batch_stats")
def hard_mining_topk_fixed_k_rows(o, t):
    ce = CE(o, t).flatten()
    return {"loss": ce.topk(2).values.mean()}


@body("batch_stats")
def hard_mining_topk_per_image_then_all(o, t):
    ce = CE(o, t)
    return {"loss": ce.topk(2, dim=1).values.mean()}


@body("batch_stats")
def hard_mining_mask_above_batch_median(o, t):
    ce = CE(o, t)
    keep = ce.detach() >= ce.detach().median()
    return {"loss": (ce * keep).sum() / keep.sum()}


@body("batch_stats")
def hard_mining_images_over_mean(o, t):
    e = E(o, t)
    keep = (e.detach() >= e.detach().mean()).float()
    return {"loss": (e * keep).sum() / keep.sum()}


@body("batch_stats")
def label_smoothing_from_batch_histogram(o, t):
    lab = LAB(t).flatten()
    hist = torch.bincount(lab, minlength=NCLS).float()
    prior = hist / hist.sum()
    target = 0.9 * F.one_hot(lab, NCLS) + 0.1 * prior
    return {"loss": -(target * o["logits"].flatten(0, 1).log_softmax(-1)).sum(-1).mean()}


@body("batch_stats")
def class_weights_from_batch_histogram(o, t):
    lab = LAB(t).flatten()
    hist = torch.bincount(lab, minlength=NCLS).float().clamp(min=1)
    return {"loss": F.cross_entropy(o["logits"].flatten(0, 1), lab, weight=1.0 / hist)}


@body("batch_stats")
def label_smoothing_from_fixed_prior(o, t):
    lab = LAB(t).flatten()
    prior = torch.full((NCLS,), 1.0 / NCLS)
    target = 0.9 * F.one_hot(lab, NCLS) + 0.1 * prior
    return {"loss": -(target * o["logits"].flatten(0, 1).log_softmax(-1)).sum(-1).mean()}


@body("batch_stats")
def label_smoothing_from_own_image_histogram(o, t):
    lab = LAB(t)
    hist = F.one_hot(lab, NCLS).float().mean(1, keepdim=True)
    target = 0.9 * F.one_hot(lab, NCLS) + 0.1 * hist
    return {"loss": -(target * o["logits"].log_softmax(-1)).sum(-1).mean()}


@body("batch_stats")
def batch_mean_logits_prior_correction(o, t):
    z = o["logits"] - o["logits"].detach().mean((0, 1))
    return {"loss": F.cross_entropy(z.transpose(1, 2), LAB(t))}


@body("batch_stats")
def per_image_logit_centering(o, t):
    z = o["logits"] - o["logits"].detach().mean(1, keepdim=True)
    return {"loss": F.cross_entropy(z.transpose(1, 2), LAB(t))}


@body("batch_stats")
def gradnorm_like_ratio_of_terms(o, t):
    a, b = E(o, t).mean(), CE(o, t).mean()
    return {"loss": a + b * (a.detach() / b.detach())}


@body("batch_stats")
def uncertainty_ratio_per_image(o, t):
    a, b = E(o, t), CE(o, t).mean(1)
    return {"loss": (a + b * (a.detach() / b.detach())).mean()}


@body("batch_stats")
def normalise_by_max_weight(o, t):
    w = W(t)
    return {"loss": (E(o, t) * w / w.max()).mean()}


@body("batch_stats")
def normalise_by_weight_mean(o, t):
    w = W(t)
    return {"loss": (E(o, t) * (w / w.mean())).mean()}


@body("batch_stats")
def contrastive_in_batch_negatives(o, t):
    q = F.normalize(o["emb"], dim=1)
    k = F.normalize(Y(t).flatten(1)[:, :6], dim=1)
    return {"loss": F.cross_entropy(q @ k.T / 0.1, torch.arange(len(t)))}


@body("batch_stats")
def triplet_hardest_negative_in_batch(o, t):
    e = o["emb"]
    d = torch.cdist(e, e) + torch.eye(len(t)) * 1e3
    pos = (e - Y(t).flatten(1)[:, :6]).norm(dim=1)
    return {"loss": F.relu(pos - d.min(1).values + 1.0).mean()}


# === 7. returns: several keys, floats, sums of keys, nested =====================================


@body("returns")
def keys_share_per_image_intermediate(o, t):
    e = E(o, t)
    w = W(t)
    l1 = (e * w).mean()
    l2 = (e.pow(2) * w).mean()
    return {"loss": l1 + l2, "l1": l1.detach(), "l2": l2.detach()}


@body("returns")
def keys_share_then_one_batch_normalised(o, t):
    e = E(o, t)
    return {"loss": e.mean(), "rel": (e / e.sum()).max().detach()}


@body("returns")
def key_sum_of_other_keys(o, t):
    out = {"l1": E(o, t).mean(), "ce": CE(o, t).mean()}
    out["loss"] = out["l1"] + 0.5 * out["ce"]
    return out


@body("returns")
def key_sum_of_keys_via_values(o, t):
    out = {"l1": E(o, t).mean(), "ce": CE(o, t).mean()}
    out["loss"] = sum(out.values())
    return out


@body("returns")
def key_sum_of_weighted_keys(o, t):
    w = W(t)
    out = {"l1": (E(o, t) * w).mean(), "ce": (CE(o, t).mean(1) * w).mean()}
    out["total"] = sum(out.values())
    return out


@body("returns")
def key_as_python_float(o, t):
    e = E(o, t)
    return {"loss": e.mean(), "l1_float": e.mean().item()}


@body("returns")
def key_as_python_float_weighted(o, t):
    e = E(o, t) * W(t)
    return {"loss": e.mean(), "wl1_float": float(e.mean().detach())}


@body("returns")
def key_as_python_int_count(o, t):
    return {"loss": E(o, t).mean(), "n": len(t)}


@body("returns")
def nested_dict_of_terms(o, t):
    return {"loss": E(o, t).mean() + CE(o, t).mean(), "parts": {"l1": E(o, t).mean(), "ce": CE(o, t).mean()}}


@body("returns")
def nested_dict_weighted_terms(o, t):
    w = W(t)
    l1, ce = (E(o, t) * w).mean(), (CE(o, t).mean(1) * w).mean()
    return {"loss": l1 + ce, "parts": {"l1": l1, "ce": ce}}


@body("returns")
def key_reused_same_tensor_twice(o, t):
    v = E(o, t).mean()
    return {"loss": v, "l1": v}


@body("returns")
def key_detached_clone_of_loss(o, t):
    v = E(o, t).mean()
    return {"loss": v, "l1": v.detach().clone()}


@body("returns")
def key_scaled_copy_of_loss(o, t):
    v = E(o, t).mean()
    return {"loss": v * 2, "half": v}


@body("returns")
def key_from_in_place_updated_tensor(o, t):
    v = E(o, t).mean()
    shown = v.detach().clone()
    l2 = v + CE(o, t).mean()
    shown += 1.0
    return {"loss": l2, "shown": shown}


@body("returns")
def key_ratio_of_two_keys(o, t):
    a, b = E(o, t).mean(), CE(o, t).mean()
    return {"loss": a + b, "ratio": (a / b).detach()}


@body("returns")
def key_accuracy_mean_of_bools(o, t):
    acc = (o["logits"].argmax(-1) == LAB(t)).float().mean()
    return {"loss": CE(o, t).mean(), "acc": acc}


@body("returns")
def key_accuracy_weighted(o, t):
    acc = ((o["logits"].argmax(-1) == LAB(t)).float().mean(1) * W(t)).sum() / W(t).sum()
    return {"loss": CE(o, t).mean(), "acc": acc}


@body("returns")
def key_weight_sum_tensor(o, t):
    return {"loss": E(o, t).mean(), "wsum": W(t).sum()}


@body("returns")
def key_last_of_loop_shared(o, t):
    total = 0.0
    for e in E(o, t):
        total = total + e
        last = e
    return {"loss": total / len(t), "last": last.detach()}


@body("returns")
def key_max_image_loss(o, t):
    e = E(o, t)
    return {"loss": e.mean(), "worst": e.max().detach()}


@body("returns")
def key_stacked_then_indexed(o, t):
    s = torch.stack([E(o, t).mean(), CE(o, t).mean()])
    return {"loss": s.sum(), "l1": s[0], "ce": s[1]}


@body("returns")
def key_unbound_from_stack(o, t):
    l1, ce = torch.stack([E(o, t).mean(), CE(o, t).mean()]).unbind()
    return {"loss": l1 + ce, "l1": l1, "ce": ce}


@body("returns")
def key_weighted_stack_dot(o, t):
    s = torch.stack([E(o, t).mean(), CE(o, t).mean()])
    return {"loss": s @ torch.tensor([1.0, 0.5])}


# === 8. weights spelt in more ways ==============================================================


@body("weights")
def weight_via_getattr_get(o, t):
    return {"loss": (E(o, t) * torch.tensor([s.get("loss_weight", 1.0) for s in t])).mean()}


@body("weights")
def weight_via_stack_of_as_tensor(o, t):
    return {"loss": (E(o, t) * torch.stack([torch.as_tensor(s["loss_weight"]) for s in t])).mean()}


@body("weights")
def weight_squared(o, t):
    return {"loss": (E(o, t) * W(t) ** 2).mean()}


@body("weights")
def weight_sqrt(o, t):
    return {"loss": (E(o, t) * W(t).sqrt()).mean()}


@body("weights")
def weight_as_exponent(o, t):
    return {"loss": (E(o, t) ** W(t)).mean()}


@body("weights")
def weight_plus_offset(o, t):
    return {"loss": (E(o, t) * (W(t) + 0.5)).mean()}


@body("weights")
def weight_one_minus(o, t):
    return {"loss": (E(o, t) * (1.0 - W(t) + 0.5)).mean()}


@body("weights")
def weight_in_log(o, t):
    return {"loss": (E(o, t) - W(t).log()).mean()}


@body("weights")
def weight_divides(o, t):
    return {"loss": (E(o, t) / W(t)).mean()}


@body("weights")
def weight_normalised_softmax(o, t):
    return {"loss": (E(o, t) * W(t).softmax(0)).sum()}


@body("weights")
def weight_via_numpy_array(o, t):
    import numpy as np

    w = np.array([s["loss_weight"] for s in t], dtype=np.float32)
    return {"loss": (E(o, t) * torch.from_numpy(w)).mean()}


@body("weights")
def weight_per_row_via_repeat(o, t):
    w = W(t).repeat_interleave(3).view(len(t), 3)
    return {"loss": (CE(o, t) * w).sum() / w.sum()}


@body("weights")
def weight_per_row_via_expand(o, t):
    w = W(t)[:, None].expand(-1, 3)
    return {"loss": (CE(o, t) * w).sum() / (3 * len(t))}


@body("weights")
def weight_max_with_floor(o, t):
    return {"loss": (E(o, t) * W(t).clamp(min=0.75)).mean()}


@body("weights")
def weight_rounded(o, t):
    return {"loss": (E(o, t) * W(t).round()).mean()}


@body("weights")
def weight_compared_as_mask(o, t):
    return {"loss": (E(o, t) * (W(t) > 0.7)).mean()}


@body("weights")
def weight_on_ce_reduction_none_in_F(o, t):
    ce = F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), reduction="none")
    return {"loss": torch.einsum("bn,b->", ce, W(t)) / ce.numel()}


@body("weights")
def weight_via_bmm(o, t):
    e = E(o, t)
    return {"loss": torch.mm(e[None], W(t)[:, None]).squeeze() / len(t)}


@body("weights")
def weight_via_dot(o, t):
    return {"loss": torch.dot(E(o, t), W(t)) / len(t)}


@body("weights")
def weight_via_lerp(o, t):
    e = E(o, t)
    return {"loss": torch.lerp(torch.zeros_like(e), e, W(t)).mean()}


@body("weights")
def weight_via_addcmul(o, t):
    e = E(o, t)
    return {"loss": torch.addcmul(torch.zeros_like(e), e, W(t)).mean()}


@body("weights")
def weight_python_loop_accumulate_in_place(o, t):
    total = torch.zeros(())
    for e, s in zip(E(o, t), t):
        total += e * s["loss_weight"]
    return {"loss": total / len(t)}


@body("weights")
def weight_python_loop_max_normaliser(o, t):
    total = 0.0
    for e, s in zip(E(o, t), t):
        total = total + e * s["loss_weight"]
    return {"loss": total / max(s["loss_weight"] for s in t)}


@body("weights")
def weight_list_index_by_position(o, t):
    w = [s["loss_weight"] for s in t]
    e = E(o, t)
    return {"loss": sum(e[i] * w[i] for i in range(len(t))) / len(t)}


@body("weights")
def weight_reversed_pairing(o, t):
    w = [s["loss_weight"] for s in t][::-1]
    return {"loss": sum(v * wi for v, wi in zip(E(o, t), w)) / len(t)}


@body("weights")
def weight_sorted_pairing(o, t):
    w = sorted(s["loss_weight"] for s in t)
    return {"loss": sum(v * wi for v, wi in zip(E(o, t), w)) / len(t)}


# === 9. near misses of the findings ==============================================================


@body("near_miss")
def first_weight_times_mean_direct(o, t):
    return {"loss": E(o, t).mean() * t[0]["loss_weight"]}


@body("near_miss")
def first_weight_float_times_mean_direct(o, t):
    return {"loss": E(o, t).mean() * float(t[0]["loss_weight"])}


@body("near_miss")
def first_weight_item_times_mean_direct(o, t):
    return {"loss": E(o, t).mean() * torch.tensor(t[0]["loss_weight"]).item()}


@body("near_miss")
def first_weight_tensor_times_mean_direct(o, t):
    return {"loss": E(o, t).mean() * torch.tensor(t[0]["loss_weight"])}


@body("near_miss")
def maximum_by_batch_max(o, t):
    e = E(o, t)
    return {"loss": torch.maximum(e, 0.5 * e.detach().max()).mean()}


@body("near_miss")
def clamp_min_by_constant_tensor(o, t):
    return {"loss": torch.clamp_min(E(o, t), torch.tensor(0.1)).mean()}


@body("near_miss")
def clamp_by_own_rows_min_max(o, t):
    d = (o["x"] - Y(t)).abs()
    return {"loss": d.clamp(min=d.detach().amin((1, 2), keepdim=True) * 2,
                            max=d.detach().amax((1, 2), keepdim=True) * 0.8).mean()}


@body("near_miss")
def clamp_max_by_batch_mean_tensor(o, t):
    e = E(o, t)
    return {"loss": e.clamp(max=e.detach().mean()).mean()}


@body("near_miss")
def weight_in_exp(o, t):
    return {"loss": (E(o, t) * torch.exp(W(t) - 1.0)).mean()}


@body("near_miss")
def weight_added_as_offset(o, t):
    return {"loss": (E(o, t) + W(t)).mean()}


@body("near_miss")
def weight_sum_added_as_offset(o, t):
    return {"loss": (E(o, t) + W(t).sum()).mean()}


@body("near_miss")
def weight_compared_to_loss(o, t):
    e = E(o, t)
    return {"loss": torch.where(e < W(t), e, 2 * e).mean()}


@body("near_miss")
def nansum_per_image_rows_over_images(o, t):
    ce = torch.where(LAB(t) == 1, float("nan"), CE(o, t))
    return {"loss": ce.nansum() / len(t)}


@body("near_miss")
def nansum_along_columns_then_mean(o, t):
    d = (o["x"] - Y(t)).abs()
    d = torch.where(Y(t) > 0.8, float("nan"), d)
    return {"loss": d.nansum(-1).mean()}


@body("near_miss")
def nansum_over_batch_nansum_normaliser(o, t):
    ce = torch.where(LAB(t) == 0, float("nan"), CE(o, t))
    return {"loss": ce.nansum() / ce.detach().nansum().clamp(min=1e-3)}


@body("near_miss")
def min_of_two_own_terms_item(o, t):
    a, b = E(o, t).mean(), CE(o, t).mean()
    return {"loss": a if min(a.item(), b.item()) == a.item() else b}


@body("near_miss")
def max_of_count_read_normaliser(o, t):
    m = (LAB(t) > 1).float()
    return {"loss": (CE(o, t) * m).sum() / max(m.sum().item(), 1.0)}


@body("near_miss")
def min_loss_read_logged_only(o, t):
    v = CE(o, t).mean()
    best = min(1e9, v.item())
    print_ = [best]  # kept aside, never reaches a loss
    del print_
    return {"loss": v}


@body("near_miss")
def data_set_from_constant_values(o, t):
    e = E(o, t)
    s = torch.zeros(())
    s.data = torch.ones(()) * 2.0
    return {"loss": e.mean() * s}


@body("near_miss")
def first_weight_times_rows_then_mean(o, t):
    return {"loss": (E(o, t) * t[0]["loss_weight"]).mean()}


@body("near_miss")
def own_weight_item_in_loop(o, t):
    return {"loss": sum(e * torch.tensor(s["loss_weight"]).item() for e, s in zip(E(o, t), t)) / len(t)}


@body("near_miss")
def scaled_weight_tensor_item_times_mean(o, t):
    return {"loss": E(o, t).mean() * (torch.tensor(t[0]["loss_weight"]) * 2).item()}


@body("near_miss")
def weight_first_of_tensor_item_times_mean(o, t):
    return {"loss": E(o, t).mean() * W(t)[0].item()}


@body("near_miss")
def over_max_of_loss_sum_read_and_floor(o, t):
    e = E(o, t)
    return {"loss": e.sum() / max(e.detach().sum().item(), 0.2)}


@body("near_miss")
def over_loss_sum_read(o, t):
    e = E(o, t)
    return {"loss": e.sum() / (e.detach().sum().item() + 0.2)}


@body("near_miss")
def over_min_of_loss_mean_read_and_cap(o, t):
    e = E(o, t)
    return {"loss": e.mean() / min(e.detach().mean().item(), 0.2)}


@body("near_miss")
def over_max_of_loss_sum_read_and_small_floor(o, t):
    e = E(o, t)
    return {"loss": e.sum() / max(e.detach().sum().item(), 1e-3)}


@body("near_miss")
class BestLossViaLocal:
    def __init__(self):
        self.best = float("inf")

    def forward(self, o, t):
        v = CE(o, t).mean()
        best = self.best
        self.best = best = min(best, v.item())
        return {"loss": v, "gap": v.detach() - best}


@body("near_miss")
class WorstLossAttributeMax:
    def __init__(self):
        self.worst = 0.0

    def forward(self, o, t):
        v = E(o, t).mean()
        self.worst = max(v.item(), self.worst)
        return {"loss": v / self.worst}


@body("near_miss")
def scaled_weight_tensor_times_mean(o, t):
    return {"loss": E(o, t).mean() * (torch.tensor(t[0]["loss_weight"]) * 2)}


@body("near_miss")
def scaled_weight_tensor_times_rows(o, t):
    return {"loss": (E(o, t) * (torch.tensor(t[0]["loss_weight"]) * 2)).mean()}


@body("near_miss")
def unit_scaled_weight_tensor_item_times_mean(o, t):
    return {"loss": E(o, t).mean() * (torch.tensor(t[0]["loss_weight"]) * 1).item()}


@body("near_miss")
def own_scaled_weight_tensor_in_loop(o, t):
    return {"loss": sum(e * (torch.tensor(s["loss_weight"]) * 2) for e, s in zip(E(o, t), t)) / len(t)}


@body("near_miss")
def own_scaled_weight_item_in_loop(o, t):
    return {"loss": sum(e * (torch.tensor(s["loss_weight"]) / 2).item() for e, s in zip(E(o, t), t)) / len(t)}


@body("near_miss")
def exp_of_first_weight_tensor_times_mean(o, t):
    return {"loss": E(o, t).mean() * torch.exp(torch.tensor(t[0]["loss_weight"]))}


@body("near_miss")
def exp_of_own_weight_tensor_in_loop(o, t):
    return {"loss": sum(e * torch.exp(torch.tensor(s["loss_weight"]) - 1) for e, s in zip(E(o, t), t)) / len(t)}
