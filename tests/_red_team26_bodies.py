"""Red team of session 26: adversarial criterion bodies in families earlier red teams did not try
(state kept on the criterion across calls, host numbers through numpy / Python floats, detached and
``no_grad`` pieces, in-place ops, views and aliasing, masks from other images, hidden sorting,
``torch.func.vmap``, ``autograd.Function`` losses, hooks, reorderings, dataclass and batched-dict
targets, padding, distributed stand-ins, several-element and integer returns, conditional keys,
autocast, ``einsum`` / ``bmm`` / ``logsumexp`` across images, embedding bags, buckets).

``BODIES``: name -> (family, batch kind, body or criterion class). The measurement is
``tests/_red_team26_measure.py``; the tests are ``tests/test_red_team26.py``."""

from __future__ import annotations

import dataclasses
import math
import statistics
from types import SimpleNamespace
from typing import Any, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from _helpers import PER_IMAGE, ROWS, TARGETS, Share
from torch.nn.utils.rnn import pad_sequence

# --- batches -------------------------------------------------------------------------------------

# name -> loss_weight per image: 2 to 4 images, groups of 1 to 3, orders mixed; "1r2s" has 3 rows
# per image and 3 images (a count equal to the image count by value)
XBATCHES = {"1r2s": [1.0, 0.5, 0.5], "1r1s": [1.0, 0.5], "2r2s": [1.0, 0.5, 1.0, 0.5], "3r1s": [1.0, 1.0, 1.0, 0.5],
            "2s2r": [0.5, 0.5, 1.0, 1.0]}
ROWS_PER_IMAGE, WIDTH, NCLS = 3, 4, 5


def xbatch(name: str, seed: int = 0) -> tuple[list, list]:
    """outputs x [B, 3, 4] (grad), logits [B, 3, 5] (grad), emb [B, 6] (grad); per image y [3, 4]
    (a synthetic image's y further away), labels [3], an int field n = 3 and its weight."""
    weights = XBATCHES[name]
    g = torch.Generator().manual_seed(11 * len(weights) + len(name) + seed)
    b = len(weights)
    x = torch.rand(b, ROWS_PER_IMAGE, WIDTH, generator=g)
    outputs = {"x": x.clone().requires_grad_(),
               "logits": torch.randn(b, ROWS_PER_IMAGE, NCLS, generator=g).requires_grad_(),
               "emb": torch.randn(b, 6, generator=g).requires_grad_()}
    targets = [{"y": x[i] + (0.1 if w >= 0.9 else 0.6) * torch.rand(ROWS_PER_IMAGE, WIDTH, generator=g),
                "labels": torch.randint(0, NCLS, (ROWS_PER_IMAGE,), generator=g), "n": ROWS_PER_IMAGE,
                "loss_weight": w} for i, w in enumerate(weights)]
    return [outputs, targets], [ROWS, TARGETS]


# name -> (loss_weight per image, boxes per image)
DBATCHES = {"1r2s": ([1.0, 0.5, 0.5], [2, 1, 3]), "1s1r": ([0.5, 1.0], [1, 2]), "2r2s": ([1.0, 0.5, 1.0, 0.5], [2, 2, 1, 3]),
            "equal": ([1.0, 1.0, 0.5, 0.5], [1, 2, 2, 1]), "2r2s_b": ([1.0, 0.5, 0.5, 1.0], [3, 1, 1, 3])}
Q = 5


def dbatch(name: str) -> tuple[list, list]:
    """DETR-like: pred_boxes [B, Q, 4] (grad); per image 1-3 boxes; matcher indices; num_boxes."""
    weights, counts = DBATCHES[name]
    g = torch.Generator().manual_seed(sum(counts) * 7 + len(counts))
    b = len(weights)
    outputs = {"pred_boxes": (torch.rand(b, Q, 4, generator=g) * 0.3 + 0.3).requires_grad_()}
    targets, indices = [], []
    for w, n in zip(weights, counts):
        targets.append({"boxes": torch.rand(n, 4, generator=g) * (0.3 if w >= 0.9 else 0.9),
                        "labels": torch.randint(0, 3, (n,), generator=g), "loss_weight": w})
        indices.append((torch.randperm(Q, generator=g)[:n], torch.randperm(n, generator=g)))
    return [outputs, targets, indices, float(sum(counts))], [ROWS, TARGETS, PER_IMAGE, Share(counts)]


BATCH_KINDS = {"x": (xbatch, XBATCHES), "d": (dbatch, DBATCHES)}

# --- shared pieces -------------------------------------------------------------------------------


def Y(t):
    return torch.stack([s["y"] for s in t])


def LAB(t):
    return torch.stack([s["labels"] for s in t])


def E(o, t):
    """Each image's mean |x - y|: [B]."""
    return (o["x"] - Y(t)).abs().mean((1, 2))


def CE(o, t):
    """Per-row CE [B, 3]."""
    return F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), reduction="none")


def MATCHED(o, t, idx):
    bi = torch.cat([torch.full_like(s, b) for b, (s, _) in enumerate(idx)])
    src = o["pred_boxes"][bi, torch.cat([s for s, _ in idx])]
    return src, torch.cat([x["boxes"][j] for x, (_, j) in zip(t, idx)])


BODIES: dict[str, tuple[str, str, Any]] = {}


def body(family: str, kind: str = "x"):
    def register(f):
        BODIES[f.__name__] = (family, kind, f)
        return f
    return register


# === 1. state kept on the criterion object across calls ===========================================
# Each class is measured after one warm call on another batch (decorated instance decorated).


class StateBase:
    def __init__(self):
        self.ema = 0.5
        self.step = 0
        self.seen = 0


@body("state")
class EmaUpdatedBeforeUse(StateBase):
    def forward(self, o, t):
        loss = E(o, t).mean()
        self.ema = 0.9 * self.ema + 0.1 * loss.item()
        return {"loss": loss / self.ema}


@body("state")
class EmaUsedBeforeUpdate(StateBase):
    def forward(self, o, t):
        loss = E(o, t).mean()
        out = {"loss": loss / self.ema}
        self.ema = 0.9 * self.ema + 0.1 * loss.item()
        return out


@body("state")
class EmaTensorInPlaceBeforeUse(StateBase):
    def __init__(self):
        super().__init__()
        self.ema_t = torch.tensor(0.5)

    def forward(self, o, t):
        loss = E(o, t).mean()
        self.ema_t.mul_(0.9).add_(0.1 * loss.detach())
        return {"loss": loss / self.ema_t}


@body("state")
class EmaTensorReassignedBeforeUse(StateBase):
    def __init__(self):
        super().__init__()
        self.ema_t = torch.tensor(0.5)

    def forward(self, o, t):
        loss = E(o, t).mean()
        self.ema_t = 0.9 * self.ema_t + 0.1 * loss.detach()
        return {"loss": loss / self.ema_t}


@body("state")
class EmaTensorUsedBeforeUpdate(StateBase):
    def __init__(self):
        super().__init__()
        self.ema_t = torch.tensor(0.5)

    def forward(self, o, t):
        loss = E(o, t).mean()
        out = loss / self.ema_t
        self.ema_t = 0.9 * self.ema_t + 0.1 * loss.detach()
        return {"loss": out}


@body("state")
class StepCounterWarmup(StateBase):
    def forward(self, o, t):
        self.step += 1
        return {"loss": E(o, t).mean() * min(1.0, self.step / 10)}


@body("state")
class SamplesSeenWarmup(StateBase):
    def forward(self, o, t):
        self.seen += len(t)
        return {"loss": E(o, t).mean() * min(1.0, self.seen / 20)}


@body("state")
class SamplesSeenTensorWarmup(StateBase):
    def forward(self, o, t):
        self.seen += o["x"].shape[0]
        return {"loss": E(o, t).mean() * (self.seen / 20)}


@body("state")
class ShareOfSamplesSeen(StateBase):
    def forward(self, o, t):
        self.seen += len(t)
        return {"loss": E(o, t).sum() / self.seen}


@body("state")
class PreviousBatchMeanSubtracted(StateBase):
    def __init__(self):
        super().__init__()
        self.prev = torch.tensor(0.0)

    def forward(self, o, t):
        out = ((o["x"] - self.prev) - Y(t)).abs().mean()
        self.prev = o["x"].detach().mean()
        return {"loss": out}


@body("state")
class CurrentBatchMeanCachedThenSubtracted(StateBase):
    def __init__(self):
        super().__init__()
        self.prev = torch.tensor(0.0)

    def forward(self, o, t):
        self.prev = o["x"].detach().mean()
        return {"loss": ((o["x"] - self.prev) - Y(t)).abs().mean()}


@body("state")
class RunningMaxOfLoss(StateBase):
    def __init__(self):
        super().__init__()
        self.top = 0.0

    def forward(self, o, t):
        loss = E(o, t).mean()
        self.top = max(self.top, loss.item())
        return {"loss": loss / self.top}


@body("state")
class LossHistoryMean(StateBase):
    def __init__(self):
        super().__init__()
        self.hist: list[float] = []

    def forward(self, o, t):
        loss = E(o, t).mean()
        self.hist.append(loss.item())
        return {"loss": loss / (sum(self.hist) / len(self.hist))}


@body("state")
class LossHistoryMeanBeforeAppend(StateBase):
    def __init__(self):
        super().__init__()
        self.hist: list[float] = [0.5]

    def forward(self, o, t):
        loss = E(o, t).mean()
        out = loss / (sum(self.hist) / len(self.hist))
        self.hist.append(loss.item())
        return {"loss": out}


@body("state")
class MemoryBankAfterPush(StateBase):
    def __init__(self):
        super().__init__()
        self.bank = torch.zeros(0, 6)

    def forward(self, o, t):
        e = F.normalize(o["emb"], dim=1)
        self.bank = torch.cat([self.bank, e.detach()])[-6:]
        logits = e @ self.bank.T / 0.5
        return {"loss": torch.logsumexp(logits, 1).mean()}


@body("state")
class MemoryBankBeforePush(StateBase):
    def __init__(self):
        super().__init__()
        self.bank = torch.ones(3, 6) / 6 ** 0.5

    def forward(self, o, t):
        e = F.normalize(o["emb"], dim=1)
        out = torch.logsumexp(e @ self.bank.T / 0.5, 1).mean()
        self.bank = torch.cat([self.bank, e.detach()])[-3:]
        return {"loss": out}


@body("state")
class FirstCallScale(StateBase):
    def __init__(self):
        super().__init__()
        self.scale = None

    def forward(self, o, t):
        loss = E(o, t).mean()
        if self.scale is None:
            self.scale = loss.detach()
        return {"loss": loss / self.scale}


@body("state")
class ClassEmaIndexPut(StateBase):
    def __init__(self):
        super().__init__()
        self.cls = torch.ones(NCLS)

    def forward(self, o, t):
        ce, y = CE(o, t), LAB(t)
        self.cls[y.flatten()] = ce.detach().flatten()
        return {"loss": (ce / self.cls[y]).mean()}


@body("state")
class ClassEmaReadBeforeWrite(StateBase):
    def __init__(self):
        super().__init__()
        self.cls = torch.linspace(0.5, 1.5, NCLS)

    def forward(self, o, t):
        ce, y = CE(o, t), LAB(t)
        out = (ce / self.cls[y]).mean()
        self.cls = 0.9 * self.cls + 0.1
        return {"loss": out}


@body("state")
class ScaleAttrFromThisLoss(StateBase):
    def forward(self, o, t):
        loss = E(o, t).mean()
        self.s = 1 / (loss.detach() + 1)
        return {"loss": loss * self.s}


@body("state")
class AdaptiveBalanceOfTwoTerms(StateBase):
    def forward(self, o, t):
        a, b = E(o, t).mean(), CE(o, t).mean()
        self.ratio = (a / b).item()
        return {"loss": a + self.ratio * b}


@body("state")
class LastLossStoredAndReturned(StateBase):
    def forward(self, o, t):
        self.last = E(o, t).mean()
        return {"loss": self.last, "last_ce": CE(o, t).mean()}


@body("state")
class CounterPicksTerm(StateBase):
    def forward(self, o, t):
        self.step += 1
        return {"loss": E(o, t).mean() if self.step % 2 else CE(o, t).mean()}


@body("state")
class CounterAsImageIndex(StateBase):
    def forward(self, o, t):
        self.step += 1
        i = self.step % len(t)
        return {"loss": E(o, t).mean() + E(o, t)[i]}


@body("state")
class PerImageCountersByPosition(StateBase):
    def __init__(self):
        super().__init__()
        self.hits = torch.zeros(8)

    def forward(self, o, t):
        e = E(o, t)
        self.hits[: len(t)] += 1
        return {"loss": (e / self.hits[: len(t)]).mean()}


@body("state")
class NormaliserFromPreviousBatchSize(StateBase):
    def __init__(self):
        super().__init__()
        self.prev_b = 4

    def forward(self, o, t):
        out = E(o, t).sum() / self.prev_b
        self.prev_b = len(t)
        return {"loss": out}


@body("state")
class CachedTargetsFromThisCall(StateBase):
    def forward(self, o, t):
        self.cache = Y(t).clone()
        return {"loss": (o["x"] - self.cache).abs().mean()}


@body("state")
class CachedTargetsMeanOverImages(StateBase):
    def forward(self, o, t):
        self.cache = Y(t).mean(0)
        return {"loss": (o["x"] - self.cache).abs().mean()}


# === 2. host numbers through numpy and Python floats ==============================================


@body("host")
def numpy_mean_normaliser(o, t):
    e = E(o, t)
    return {"loss": e.mean() / float(np.mean(e.detach().numpy()))}


@body("host")
def tolist_mean_normaliser(o, t):
    e = E(o, t)
    v = e.tolist()
    return {"loss": e.sum() / (sum(v) / len(v))}


@body("host")
def numpy_count_of_rows(o, t):
    n = int(np.sum([len(s["labels"]) for s in t]))
    return {"loss": CE(o, t).sum() / n}


@body("host")
def numpy_weights_array(o, t):
    w = np.array([s["loss_weight"] for s in t], dtype=np.float32)
    return {"loss": (E(o, t) * torch.from_numpy(w)).sum() / len(t)}


@body("host")
def numpy_weights_normalised(o, t):
    w = np.array([s["loss_weight"] for s in t], dtype=np.float32)
    return {"loss": (E(o, t) * torch.from_numpy(w)).sum() / float(w.sum())}


@body("host")
def fsum_metric_tensor(o, t):
    e = E(o, t)
    return {"loss": e.mean(), "err_total": torch.tensor(math.fsum(e.tolist()))}


@body("host")
def max_float_normaliser(o, t):
    e = E(o, t)
    return {"loss": e.mean() / float(e.max())}


@body("host")
def numpy_median_normaliser(o, t):
    e = E(o, t)
    return {"loss": e.mean() / float(np.median(e.detach().numpy()))}


@body("host")
def statistics_pstdev_normaliser(o, t):
    e = E(o, t)
    return {"loss": e.mean() / (statistics.pstdev(e.tolist()) + 1.0)}


@body("host")
def sorted_list_median(o, t):
    e = E(o, t)
    v = sorted(e.tolist())
    return {"loss": e.mean() * v[len(v) // 2]}


@body("host")
def numpy_argsort_hardest(o, t):
    e = E(o, t)
    order = np.argsort(-e.detach().numpy())
    return {"loss": e[torch.from_numpy(order[:2].copy())].mean()}


@body("host")
def numpy_percentile_tensor(o, t):
    e = E(o, t)
    return {"loss": e.mean(), "p90": torch.tensor(float(np.percentile(e.detach().numpy(), 90)))}


@body("host")
def python_float_key(o, t):
    e = E(o, t)
    return {"loss": e.mean(), "mean_err": float(e.mean())}


@body("host")
def list_of_python_floats_rebuilt(o, t):
    e = E(o, t)
    rebuilt = torch.tensor(e.tolist())
    return {"loss": e.mean() + 0 * rebuilt.sum(), "copy": rebuilt.mean()}


@body("host")
def numpy_loss_wrapped_back(o, t):
    e = E(o, t)
    v = e.detach().numpy()
    return {"loss": e.mean(), "np_loss": torch.as_tensor(v.mean())}


@body("host")
def numpy_per_image_clipped_weights(o, t):
    e = E(o, t)
    w = np.clip(e.detach().numpy() / e.detach().numpy().mean(), 0.5, 2.0)
    return {"loss": (e * torch.from_numpy(w)).mean()}


@body("host")
def item_sum_of_labels_normaliser(o, t):
    y = LAB(t)
    return {"loss": CE(o, t).sum() / (y.sum().item() + 1)}


@body("host")
def host_count_of_rows_via_tolist(o, t):
    n = len(LAB(t).flatten().tolist())
    return {"loss": CE(o, t).sum() / n}


@body("host")
def numpy_float64_sum(o, t):
    e = E(o, t)
    return {"loss": e.sum() / np.float64(len(t))}


@body("host")
def math_prod_of_errors(o, t):
    e = E(o, t)
    return {"loss": e.mean() * math.prod(1 + v for v in e.tolist())}


# === 3. no_grad / detach pieces mixing images =====================================================


@body("detach")
def over_detached_own_mean(o, t):
    e = E(o, t)
    with torch.no_grad():
        z = e.mean()
    return {"loss": e.mean() / z}


@body("detach")
def softmax_weights_no_grad(o, t):
    e = E(o, t)
    with torch.no_grad():
        w = torch.softmax(-e, 0)
    return {"loss": (e * w).sum()}


@body("detach")
def detached_share_weights(o, t):
    e = E(o, t)
    w = e.detach() / e.detach().sum()
    return {"loss": (e * w).sum()}


@body("detach")
def centred_by_detached_batch_mean(o, t):
    e = E(o, t)
    return {"loss": ((e - e.mean().detach()) ** 2).mean()}


@body("detach")
def over_detached_max(o, t):
    e = E(o, t)
    return {"loss": e.mean() / e.detach().max()}


@body("detach")
def no_grad_batch_mean_of_outputs(o, t):
    with torch.no_grad():
        m = o["x"].mean(0)
    return {"loss": ((o["x"] - m) - (Y(t) - m)).abs().mean() + (o["x"] - m).pow(2).mean()}


@body("detach")
def hard_mask_over_detached_median(o, t):
    e = E(o, t)
    hard = e.detach() >= e.detach().median()
    return {"loss": (e * hard).sum() / hard.sum()}


@body("detach")
def no_grad_count_of_rows(o, t):
    with torch.no_grad():
        n = torch.stack([torch.tensor(float(len(s["labels"]))) for s in t]).sum()
    return {"loss": CE(o, t).sum() / n}


@body("detach")
def detached_own_per_image(o, t):
    e = E(o, t)
    return {"loss": (e / e.detach()).mean()}


@body("detach")
def no_grad_std_over_batch(o, t):
    e = E(o, t)
    with torch.no_grad():
        s = e.std() + 1
    return {"loss": e.mean() / s}


@body("detach")
def detached_target_shift_by_batch(o, t):
    y = Y(t)
    y = y - y.mean().detach() + y.detach().mean()
    return {"loss": (o["x"] - y).abs().mean()}


@body("detach")
def no_grad_weights_from_outputs(o, t):
    with torch.no_grad():
        conf = o["logits"].softmax(-1).max(-1).values
        w = conf / conf.mean()
    return {"loss": (CE(o, t) * w).mean()}


@body("detach")
def no_grad_weights_within_image(o, t):
    with torch.no_grad():
        conf = o["logits"].softmax(-1).max(-1).values
        w = conf / conf.mean(1, keepdim=True)
    return {"loss": (CE(o, t) * w).mean()}


@body("detach")
def detach_data_attribute_mix(o, t):
    e = E(o, t)
    return {"loss": e.mean() * (e.data.sum() / e.data.sum())}


@body("detach")
def no_grad_topk_index(o, t):
    e = E(o, t)
    with torch.no_grad():
        idx = e.topk(1).indices
    return {"loss": e.mean() + e[idx].sum()}


# === 4. in-place ops on outputs or targets before use =============================================


@body("inplace")
def targets_stacked_clamped_in_place(o, t):
    y = Y(t)
    y.clamp_(0.2, 0.8)
    return {"loss": (o["x"] - y).abs().mean()}


@body("inplace")
def targets_stacked_shifted_by_batch_mean(o, t):
    y = Y(t)
    y.sub_(y.mean())
    return {"loss": (o["x"] - o["x"].detach().mean() - y).abs().mean()}


@body("inplace")
def outputs_copy_centred_in_place(o, t):
    x = o["x"] * 1
    x.sub_(x.mean(0, keepdim=True).detach())
    return {"loss": (x - Y(t)).abs().mean()}


@body("inplace")
def targets_minus_equal_batch_mean(o, t):
    y = Y(t)
    y -= y.mean(0)
    return {"loss": (o["x"] - y).abs().mean()}


@body("inplace")
def errors_doubled_above_batch_mean(o, t):
    e = E(o, t).clone()
    e[e > e.mean()] *= 2
    return {"loss": e.mean()}


@body("inplace")
def errors_divided_in_place_by_detached_sum(o, t):
    e = E(o, t).clone()
    e.div_(e.detach().sum())
    return {"loss": e.sum()}


@body("inplace")
def labels_max_zeroed_in_place(o, t):
    y = LAB(t).clone()
    y[y == y.max()] = 0
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), y)}


@body("inplace")
def first_error_zeroed(o, t):
    e = E(o, t).clone()
    e[0] = 0
    return {"loss": e.mean()}


@body("inplace")
def masked_fill_below_batch_mean(o, t):
    e = E(o, t).clone()
    e.masked_fill_(e < e.mean(), 0)
    return {"loss": e.mean()}


@body("inplace")
def outputs_column_zeroed_in_place(o, t):
    x = o["x"].clone()
    x[:, :, 0] = 0
    return {"loss": (x - Y(t)).abs().mean()}


@body("inplace")
def per_image_normalised_in_place(o, t):
    e = CE(o, t).clone()
    e /= e.detach().sum(1, keepdim=True)
    return {"loss": e.mean()}


@body("inplace")
def loss_accumulator_add_(o, t):
    total = torch.zeros(())
    for x, s in zip(o["x"], t):
        total.add_((x - s["y"]).abs().mean())
    return {"loss": total / len(t)}


@body("inplace")
def loss_accumulator_add_then_scaled_by_last(o, t):
    total = torch.zeros(())
    last = None
    for x, s in zip(o["x"], t):
        last = (x - s["y"]).abs().mean()
        total.add_(last)
    return {"loss": total / len(t) + last}


@body("inplace")
def zeros_like_filled_by_index_put(o, t):
    e = E(o, t)
    buf = torch.zeros(len(t))
    buf.index_put_((torch.arange(len(t)),), e)
    return {"loss": buf.mean()}


@body("inplace")
def buffer_filled_reversed(o, t):
    e = E(o, t)
    buf = torch.zeros(len(t))
    buf[torch.arange(len(t) - 1, -1, -1)] = e
    return {"loss": buf.mean()}


@body("inplace")
def outputs_sorted_in_place_copy(o, t):
    e = E(o, t).clone()
    e, _ = e.sort()
    return {"loss": e[-1] + e.mean()}


@body("inplace")
def clamp_by_batch_quantile_in_place(o, t):
    e = E(o, t).clone()
    e.clamp_(max=e.detach().quantile(0.5).item())
    return {"loss": e.mean()}


# === 5. views and aliasing ========================================================================


@body("views")
def as_strided_per_image(o, t):
    d = (o["x"] - Y(t)).abs()
    b = d.shape[0]
    return {"loss": d.as_strided((b, 12), (12, 1)).mean()}


@body("views")
def as_strided_crossing_images(o, t):
    d = (o["x"] - Y(t)).abs().contiguous()
    b = d.shape[0]
    return {"loss": d.as_strided((b, 12), (6, 1)).max(1).values.mean()}


@body("views")
def as_strided_first_row_each(o, t):
    d = (o["x"] - Y(t)).abs().contiguous()
    b = d.shape[0]
    return {"loss": d.as_strided((b, 4), (12, 1)).mean()}


@body("views")
def unfold_over_images(o, t):
    e = E(o, t)
    return {"loss": e.unfold(0, 2, 1).max(1).values.mean()}


@body("views")
def unfold_within_image(o, t):
    d = (o["x"] - Y(t)).abs()
    return {"loss": d.unfold(2, 2, 2).amax(-1).mean()}


@body("views")
def reshape_pairs_of_images(o, t):
    e = E(o, t)
    if e.shape[0] % 2:
        e = torch.cat([e, e[-1:]])
    return {"loss": e.reshape(-1, 2).max(1).values.mean()}


@body("views")
def roll_difference(o, t):
    e = E(o, t)
    return {"loss": e.mean() + (e - e.roll(1, 0)).abs().mean()}


@body("views")
def pairwise_ranking(o, t):
    e = E(o, t)
    return {"loss": F.relu(e[:, None] - e[None, :] + 0.1).mean()}


@body("views")
def flatten_across_images_then_max(o, t):
    d = (o["x"] - Y(t)).abs()
    return {"loss": d.transpose(0, 1).reshape(ROWS_PER_IMAGE, -1).max(1).values.mean()}


@body("views")
def flatten_across_images_then_mean(o, t):
    d = (o["x"] - Y(t)).abs()
    return {"loss": d.transpose(0, 1).reshape(ROWS_PER_IMAGE, -1).mean(1).mean()}


@body("views")
def alias_added_in_place(o, t):
    e = E(o, t).clone()
    a = e
    a += 1
    return {"loss": e.mean()}


@body("views")
def narrow_first_image(o, t):
    e = E(o, t)
    return {"loss": e.mean() + e.narrow(0, 0, 1).sum()}


@body("views")
def expand_then_clone_fill_diagonal(o, t):
    e = E(o, t)
    m = e.expand(len(t), len(t)).clone()
    m.fill_diagonal_(0)
    return {"loss": e.mean() + m.mean()}


@body("views")
def view_as_real_rows(o, t):
    d = (o["x"] - Y(t)).abs()
    return {"loss": d.view(-1, WIDTH).mean()}


@body("views")
def view_flat_slice_first_half(o, t):
    d = (o["x"] - Y(t)).abs().reshape(-1)
    return {"loss": d[: d.numel() // 2].mean()}


@body("views")
def diagonal_of_image_by_image(o, t):
    x = o["x"].flatten(1)
    y = Y(t).flatten(1)
    d = torch.cdist(x, y)
    return {"loss": d.diagonal().mean()}


@body("views")
def cdist_all_pairs(o, t):
    x = o["x"].flatten(1)
    y = Y(t).flatten(1)
    return {"loss": torch.cdist(x, y).mean()}


@body("views")
def chunk_by_two_images(o, t):
    e = E(o, t)
    parts = e.chunk(2)
    return {"loss": sum(p.max() for p in parts) / len(parts)}


@body("views")
def split_each_image(o, t):
    e = E(o, t)
    return {"loss": sum(p.sum() for p in e.split(1)) / len(t)}


@body("views")
def unbind_each_image(o, t):
    e = E(o, t)
    return {"loss": torch.stack(e.unbind(0)).mean()}


@body("views")
def movedim_then_mean(o, t):
    d = (o["x"] - Y(t)).abs()
    return {"loss": d.movedim(0, -1).mean()}


# === 6. torch.where / masked_fill with masks from other images ====================================


@body("masks")
def where_above_first_image(o, t):
    e = E(o, t)
    return {"loss": torch.where(e > e[0], e, torch.zeros_like(e)).mean()}


@body("masks")
def where_above_batch_mean(o, t):
    e = E(o, t)
    return {"loss": torch.where(e > e.mean(), e, 0.5 * e).mean()}


@body("masks")
def masked_fill_label_of_first_image(o, t):
    ce, y = CE(o, t), LAB(t)
    return {"loss": ce.masked_fill(y == y[0, 0], 0).mean()}


@body("masks")
def where_position_halves(o, t):
    e = E(o, t)
    b = len(t)
    return {"loss": torch.where(torch.arange(b) < b // 2, e, 2 * e).mean()}


@body("masks")
def mask_same_label_as_previous_image(o, t):
    ce, y = CE(o, t), LAB(t)
    return {"loss": (ce * (y != y.roll(1, 0))).mean()}


@body("masks")
def where_batch_label_sum(o, t):
    e = E(o, t)
    y = LAB(t)
    return {"loss": torch.where(y.sum() > 6, e, 2 * e).mean()}


@body("masks")
def where_own_labels(o, t):
    ce, y = CE(o, t), LAB(t)
    return {"loss": torch.where(y > 1, ce, 0.5 * ce).mean()}


@body("masks")
def masked_fill_own_rows_mask(o, t):
    ce, y = CE(o, t), LAB(t)
    return {"loss": ce.masked_fill(y == 0, 0).sum() / (y != 0).sum().clamp(min=1)}


@body("masks")
def mask_labels_present_in_batch(o, t):
    ce, y = CE(o, t), LAB(t)
    present = torch.bincount(y.flatten(), minlength=NCLS) > 1
    return {"loss": (ce * present[y]).mean()}


@body("masks")
def where_label_of_any_other_image(o, t):
    ce, y = CE(o, t), LAB(t)
    seen = torch.zeros(NCLS, dtype=torch.bool)
    seen[y[1:].flatten()] = True
    return {"loss": torch.where(seen[y], ce, 0.0).mean()}


@body("masks")
def where_weight_field_mask(o, t):
    e = E(o, t)
    w = torch.tensor([s["loss_weight"] for s in t])
    return {"loss": torch.where(w > 0.7, e, 0.3 * e).mean()}


@body("masks")
def mask_of_max_image(o, t):
    e = E(o, t)
    m = F.one_hot(e.argmax(), len(t)).bool()
    return {"loss": e.masked_fill(m, 0).mean()}


# === 7. sorting / ranking across the batch hidden in helpers =====================================


def _topk_mean(v, k):
    return v.sort(descending=True).values[:k].mean()


def _rank_weights(v):
    return v.argsort().argsort().float() / len(v)


@body("sorting")
def helper_topk_mean(o, t):
    return {"loss": _topk_mean(E(o, t), 2)}


@body("sorting")
def helper_rank_weights(o, t):
    e = E(o, t)
    return {"loss": (e * _rank_weights(e.detach())).mean()}


@body("sorting")
def kthvalue_smallest(o, t):
    return {"loss": torch.kthvalue(E(o, t), 1).values}


@body("sorting")
def median_of_batch(o, t):
    return {"loss": E(o, t).median()}


@body("sorting")
def quantile_of_batch(o, t):
    return {"loss": torch.quantile(E(o, t), 0.5)}


@body("sorting")
def msort_last(o, t):
    return {"loss": E(o, t).msort()[-1]}


@body("sorting")
def topk_one(o, t):
    return {"loss": torch.topk(E(o, t), 1).values.sum()}


@body("sorting")
def sorted_by_weight_pick_first(o, t):
    e = E(o, t)
    pairs = sorted(zip(e, t), key=lambda p: p[1]["loss_weight"])
    return {"loss": e.mean() + pairs[0][0]}


@body("sorting")
def sorted_by_weight_then_summed(o, t):
    e = E(o, t)
    pairs = sorted(zip(e, t), key=lambda p: p[1]["loss_weight"])
    return {"loss": sum(p[0] for p in pairs) / len(pairs)}


@body("sorting")
def searchsorted_ranks(o, t):
    e = E(o, t)
    s = e.detach().sort().values
    r = torch.searchsorted(s, e.detach()).float()
    return {"loss": (e * (1 + r)).mean()}


@body("sorting")
def cummax_over_images(o, t):
    return {"loss": E(o, t).cummax(0).values.mean()}


@body("sorting")
def cumsum_over_images(o, t):
    return {"loss": E(o, t).cumsum(0).mean()}


@body("sorting")
def sort_within_image_rows(o, t):
    ce = CE(o, t)
    return {"loss": ce.sort(1, descending=True).values[:, :2].mean()}


@body("sorting")
def ohem_by_row_topk_over_batch(o, t):
    ce = CE(o, t).flatten()
    return {"loss": ce.topk(ce.numel() // 2).values.mean()}


@body("sorting")
def sorted_python_list_of_losses(o, t):
    per = [(x - s["y"]).abs().mean() for x, s in zip(o["x"], t)]
    per.sort(key=lambda v: v.item())
    return {"loss": per[-1]}


@body("sorting")
def min_of_python_list(o, t):
    per = [(x - s["y"]).abs().mean() for x, s in zip(o["x"], t)]
    return {"loss": min(per)}


@body("sorting")
def argmin_image_loss(o, t):
    e = E(o, t)
    return {"loss": e[e.argmin()]}


# === 8. torch.func.vmap =========================================================================


@body("vmap")
def vmap_per_image_l1(o, t):
    per = torch.func.vmap(lambda x, y: (x - y).abs().mean())(o["x"], Y(t))
    return {"loss": per.mean()}


@body("vmap")
def vmap_cross_entropy(o, t):
    per = torch.vmap(lambda lg, y: F.cross_entropy(lg, y))(o["logits"], LAB(t))
    return {"loss": per.mean()}


@body("vmap")
def vmap_then_normalised_by_sum(o, t):
    per = torch.vmap(lambda x, y: (x - y).abs().mean())(o["x"], Y(t))
    return {"loss": (per * per.detach() / per.detach().sum()).sum()}


@body("vmap")
def vmap_in_dims_none(o, t):
    c = Y(t).mean(0)
    per = torch.vmap(lambda x, y: (x - y).abs().mean(), in_dims=(0, None))(o["x"], c)
    return {"loss": per.mean()}


@body("vmap")
def vmap_returns_sum_over_images(o, t):
    per = torch.vmap(lambda x, y: (x - y).abs().sum(), in_dims=1)(o["x"], Y(t))
    return {"loss": per.mean()}


# === 9. autograd.Function losses ================================================================


class _L1Mean(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return (a - b).abs().mean()

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * torch.sign(a - b) / a.numel(), None


class _PerImage(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return (a - b).abs().mean((1, 2))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g[:, None, None] * torch.sign(a - b) / (a.shape[1] * a.shape[2]), None


class _BatchShare(torch.autograd.Function):
    @staticmethod
    def forward(ctx, e):
        return e / e.sum()

    @staticmethod
    def backward(ctx, g):
        return g


class _GradReverse(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.view_as(x)

    @staticmethod
    def backward(ctx, g):
        return -g


class _ScaleBy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, s):
        return x * s

    @staticmethod
    def backward(ctx, g):
        return g, None


@body("function")
def function_mean_l1(o, t):
    return {"loss": _L1Mean.apply(o["x"], Y(t))}


@body("function")
def function_per_image_then_mean(o, t):
    return {"loss": _PerImage.apply(o["x"], Y(t)).mean()}


@body("function")
def function_batch_share(o, t):
    e = E(o, t)
    return {"loss": (_BatchShare.apply(e) * e).sum()}


@body("function")
def function_grad_reverse(o, t):
    return {"loss": (_GradReverse.apply(o["x"]) - Y(t)).abs().mean()}


@body("function")
def function_straight_through(o, t):
    x = o["x"]
    q = x + (x.round() - x).detach()
    return {"loss": (q - Y(t)).abs().mean()}


@body("function")
def function_scale_by_batch_mean(o, t):
    e = E(o, t)
    return {"loss": _ScaleBy.apply(e, 1 / e.detach().mean()).mean()}


@body("function")
def function_scale_by_literal(o, t):
    e = E(o, t)
    return {"loss": _ScaleBy.apply(e, 2.0).mean()}


# === 10. hooks ====================================================================================


@body("hooks")
def tensor_hook_doubles_grad(o, t):
    e = E(o, t)
    if e.requires_grad:
        e.register_hook(lambda g: g * 2)
    return {"loss": e.mean()}


@body("hooks")
def tensor_hook_records(o, t):
    e = E(o, t)
    seen = []
    if e.requires_grad:
        e.register_hook(lambda g: seen.append(g) or g)
    return {"loss": e.mean()}


@body("hooks")
def output_hook_zeroes_first_image(o, t):
    x = o["x"] * 1
    if x.requires_grad:
        x.register_hook(lambda g: torch.cat([torch.zeros_like(g[:1]), g[1:]]))
    return {"loss": (x - Y(t)).abs().mean()}


# === 11. dict / list comprehension reorderings ===================================================


@body("reorder")
def keys_sorted_in_comprehension(o, t):
    losses = {"loss_b": CE(o, t).mean(), "loss_a": E(o, t).mean()}
    return {k: v for k, v in sorted(losses.items())}


@body("reorder")
def per_image_list_reversed(o, t):
    per = [(x - s["y"]).abs().mean() for x, s in zip(o["x"], t)][::-1]
    return {"loss": torch.stack(per).mean()}


@body("reorder")
def dict_of_zip(o, t):
    keys = ["loss", "loss_ce"]
    return dict(zip(keys, [E(o, t).mean(), CE(o, t).mean()]))


@body("reorder")
def mean_of_per_class_means(o, t):
    e = E(o, t)
    by: dict[int, list] = {}
    for i, s in enumerate(t):
        by.setdefault(int(s["labels"][0]), []).append(e[i])
    return {"loss": sum(torch.stack(v).mean() for v in by.values()) / len(by)}


@body("reorder")
def targets_and_outputs_sorted_together(o, t):
    order = sorted(range(len(t)), key=lambda i: t[i]["loss_weight"])
    y = torch.stack([t[i]["y"] for i in order])
    return {"loss": (o["x"][order] - y).abs().mean()}


@body("reorder")
def targets_sorted_outputs_not(o, t):
    order = sorted(range(len(t)), key=lambda i: t[i]["loss_weight"])
    y = torch.stack([t[i]["y"] for i in order])
    return {"loss": (o["x"] - y).abs().mean()}


@body("reorder")
def targets_reversed_zip(o, t):
    return {"loss": torch.stack([(x - s["y"]).abs().mean() for x, s in zip(o["x"], reversed(t))]).mean()}


@body("reorder")
def permuted_by_argsort_of_labels(o, t):
    key = LAB(t)[:, 0]
    order = key.argsort(stable=True)
    return {"loss": (o["x"][order] - Y(t)[order]).abs().mean()}


@body("reorder")
def permuted_targets_only_by_labels(o, t):
    key = LAB(t)[:, 0]
    order = key.argsort(stable=True)
    return {"loss": (o["x"] - Y(t)[order]).abs().mean()}


@body("reorder")
def dict_comprehension_over_images(o, t):
    per = {i: (x - s["y"]).abs().mean() for i, (x, s) in enumerate(zip(o["x"], t))}
    return {"loss": sum(per.values()) / len(per)}


@body("reorder")
def dict_comprehension_keyed_by_weight(o, t):
    per = {s["loss_weight"]: (x - s["y"]).abs().mean() for x, s in zip(o["x"], t)}
    return {"loss": sum(per.values()) / len(per)}


@body("reorder")
def set_of_labels_count(o, t):
    classes = {int(v) for s in t for v in s["labels"]}
    return {"loss": CE(o, t).sum() / len(classes)}


@body("reorder")
def keys_added_in_loop_over_images(o, t):
    out = {"loss": E(o, t).mean()}
    for i in range(len(t)):
        out["loss"] = out["loss"] + 0.0 * i
    return out


# === 12. dataclass / namedtuple / namespace targets =============================================


@dataclasses.dataclass
class Target:
    y: torch.Tensor
    labels: torch.Tensor
    loss_weight: float


class TargetTuple(NamedTuple):
    y: torch.Tensor
    labels: torch.Tensor
    loss_weight: float


def as_dataclasses(t):
    return [Target(s["y"], s["labels"], s["loss_weight"]) for s in t]


def as_namedtuples(t):
    return [TargetTuple(s["y"], s["labels"], s["loss_weight"]) for s in t]


def as_namespaces(t):
    return [SimpleNamespace(y=s["y"], labels=s["labels"], loss_weight=s["loss_weight"]) for s in t]


# kind "xo": targets are objects (built by CONVERT[name]); labels given through losssplit.sources
OBJECT_TARGETS: dict[str, Any] = {}


def objects(convert):
    def register(f):
        BODIES[f.__name__] = ("objects", "xo", f)
        OBJECT_TARGETS[f.__name__] = convert
        return f
    return register


@objects(as_dataclasses)
def dataclass_plain(o, t):
    y = torch.stack([s.y for s in t])
    return {"loss": (o["x"] - y).abs().mean()}


@objects(as_dataclasses)
def dataclass_weighted(o, t):
    y = torch.stack([s.y for s in t])
    w = torch.tensor([s.loss_weight for s in t])
    return {"loss": ((o["x"] - y).abs().mean((1, 2)) * w).mean()}


@objects(as_dataclasses)
def dataclass_weighted_normalised(o, t):
    y = torch.stack([s.y for s in t])
    w = torch.tensor([s.loss_weight for s in t])
    return {"loss": ((o["x"] - y).abs().mean((1, 2)) * w).sum() / w.sum()}


@objects(as_dataclasses)
def dataclass_asdict(o, t):
    d = [dataclasses.asdict(s) for s in t]
    y = torch.stack([s["y"] for s in d])
    w = torch.tensor([s["loss_weight"] for s in d])
    return {"loss": ((o["x"] - y).abs().mean((1, 2)) * w).mean()}


@objects(as_namedtuples)
def namedtuple_weighted(o, t):
    y = torch.stack([s.y for s in t])
    w = torch.tensor([s[2] for s in t])
    return {"loss": ((o["x"] - y).abs().mean((1, 2)) * w).mean()}


@objects(as_namedtuples)
def namedtuple_ce_count(o, t):
    y = torch.stack([s.labels for s in t])
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), y, reduction="sum") / sum(len(s.labels) for s in t)}


@objects(as_namespaces)
def namespace_weighted(o, t):
    y = torch.stack([s.y for s in t])
    w = torch.tensor([s.loss_weight for s in t])
    return {"loss": ((o["x"] - y).abs().mean((1, 2)) * w).mean()}


@objects(as_namespaces)
def namespace_max_weight(o, t):
    y = torch.stack([s.y for s in t])
    return {"loss": (o["x"] - y).abs().mean() * max(s.loss_weight for s in t)}


# === 13. targets as a batched dict of tensors ====================================================
# kind "xd": targets {"y": [B, 3, 4], "labels": [B, 3], "loss_weight": [B]}; labels through sources


def batched_dict_plain(o, t):
    return {"loss": (o["x"] - t["y"]).abs().mean()}


def batched_dict_weighted(o, t):
    return {"loss": ((o["x"] - t["y"]).abs().mean((1, 2)) * t["loss_weight"]).mean()}


def batched_dict_weighted_normalised(o, t):
    w = t["loss_weight"]
    return {"loss": ((o["x"] - t["y"]).abs().mean((1, 2)) * w).sum() / w.sum()}


def batched_dict_ce_weighted(o, t):
    ce = F.cross_entropy(o["logits"].transpose(1, 2), t["labels"], reduction="none")
    return {"loss": (ce * t["loss_weight"][:, None]).mean()}


def batched_dict_weight_as_list(o, t):
    w = t["loss_weight"].tolist()
    e = (o["x"] - t["y"]).abs().mean((1, 2))
    return {"loss": sum(wi * ei for wi, ei in zip(w, e)) / len(w)}


def batched_dict_real_only(o, t):
    e = (o["x"] - t["y"]).abs().mean((1, 2))
    m = t["loss_weight"] >= 0.9
    return {"loss": (e * m).sum() / m.sum().clamp(min=1)}


for _f in (batched_dict_plain, batched_dict_weighted, batched_dict_weighted_normalised, batched_dict_ce_weighted,
           batched_dict_weight_as_list, batched_dict_real_only):
    BODIES[_f.__name__] = ("batched_dict", "xd", _f)


# === 14. padding-based batching ==================================================================


def _padded(o, t):
    y = pad_sequence([s["boxes"] for s in t], batch_first=True)
    m = pad_sequence([torch.ones(len(s["boxes"])) for s in t], batch_first=True)
    return o["pred_boxes"][:, : y.shape[1]], y, m


@body("padding", "d")
def padded_masked_mean(o, t, idx, nb):
    p, y, m = _padded(o, t)
    return {"loss": ((p - y).abs().sum(-1) * m).sum() / m.sum()}


@body("padding", "d")
def padded_over_num_boxes(o, t, idx, nb):
    p, y, m = _padded(o, t)
    return {"loss": ((p - y).abs().sum(-1) * m).sum() / nb}


@body("padding", "d")
def padded_plain_mean(o, t, idx, nb):
    p, y, m = _padded(o, t)
    return {"loss": ((p - y).abs().sum(-1) * m).mean()}


@body("padding", "d")
def padded_lengths_arange_mask(o, t, idx, nb):
    lengths = torch.tensor([len(s["boxes"]) for s in t])
    y = pad_sequence([s["boxes"] for s in t], batch_first=True)
    m = torch.arange(y.shape[1])[None] < lengths[:, None]
    return {"loss": ((o["pred_boxes"][:, : y.shape[1]] - y).abs().sum(-1) * m).sum() / lengths.sum()}


@body("padding", "d")
def padded_over_max_length(o, t, idx, nb):
    p, y, m = _padded(o, t)
    lmax = max(len(s["boxes"]) for s in t)
    return {"loss": ((p - y).abs().sum(-1) * m).sum() / (len(t) * lmax)}


@body("padding", "d")
def padded_fixed_width_by_f_pad(o, t, idx, nb):
    y = torch.stack([F.pad(s["boxes"], (0, 0, 0, Q - len(s["boxes"]))) for s in t])
    m = torch.stack([F.pad(torch.ones(len(s["boxes"])), (0, Q - len(s["boxes"]))) for s in t])
    return {"loss": ((o["pred_boxes"] - y).abs().sum(-1) * m).sum() / m.sum()}


@body("padding", "d")
def padded_per_sequence_mean(o, t, idx, nb):
    p, y, m = _padded(o, t)
    per = ((p - y).abs().sum(-1) * m).sum(1) / m.sum(1)
    return {"loss": per.mean()}


@body("padding", "d")
def padded_mask_by_padding_value(o, t, idx, nb):
    y = pad_sequence([s["boxes"] for s in t], batch_first=True, padding_value=-1.0)
    m = (y[..., 0] >= 0).float()
    return {"loss": ((o["pred_boxes"][:, : y.shape[1]] - y).abs().sum(-1) * m).sum() / m.sum()}


@body("padding", "d")
def padded_matched_gather(o, t, idx, nb):
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / nb}


# === 15. normalisers: dataset-like constants vs batch sizes =====================================

NUM_TRAIN = 1000
NOMINAL_BS = 4


@body("norm_const")
def over_dataset_size_global(o, t):
    return {"loss": E(o, t).sum() / NUM_TRAIN}


@body("norm_const")
def over_nominal_batch_global(o, t):
    return {"loss": E(o, t).sum() / NOMINAL_BS}


@body("norm_const")
def over_nominal_batch_default(o, t, bs=4):
    return {"loss": E(o, t).sum() / bs}


class NominalBatchAttr:
    def __init__(self, batch_size=4):
        self.batch_size = batch_size

    def forward(self, o, t):
        return {"loss": E(o, t).sum() / self.batch_size}


class DatasetLen:
    def __init__(self):
        self.loader = list(range(12))

    def forward(self, o, t):
        return {"loss": E(o, t).sum() / len(self.loader)}


class ScaledByImagesOverNominal:
    def __init__(self):
        self.batch_size = 4

    def forward(self, o, t):
        return {"loss": E(o, t).mean() * len(t) / self.batch_size}


for _c in (NominalBatchAttr, DatasetLen, ScaledByImagesOverNominal):
    BODIES[_c.__name__] = ("norm_const", "x", _c)


@body("norm_const")
def over_tensor_literal_four(o, t):
    return {"loss": E(o, t).sum() / o["x"].new_tensor(4.0)}


@body("norm_const")
def over_world_times_images(o, t):
    world = 1
    return {"loss": E(o, t).sum() / (world * len(t))}


@body("norm_const")
def over_rows_and_nominal(o, t):
    return {"loss": CE(o, t).sum() / (NOMINAL_BS * ROWS_PER_IMAGE)}


# === 16. distributed stand-ins ==================================================================


def all_reduce(x):
    return x


def get_world_size():
    return 1


def all_gather(x):
    return [x]


def all_reduce_in_place(x):
    x.mul_(1)
    return x


@body("dist", "d")
def num_boxes_all_reduced(o, t, idx, nb):
    n = torch.as_tensor([float(sum(len(s["labels"]) for s in t))])
    n = all_reduce(n)
    n = torch.clamp(n / get_world_size(), min=1).item()
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / n}


@body("dist", "d")
def num_boxes_all_reduced_in_place(o, t, idx, nb):
    n = torch.tensor(float(sum(len(s["labels"]) for s in t)))
    all_reduce_in_place(n)
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / n.clamp(min=1)}


@body("dist")
def gathered_contrastive(o, t):
    e = F.normalize(o["emb"], dim=1)
    allz = torch.cat(all_gather(e))
    logits = e @ allz.T / 0.5
    return {"loss": F.cross_entropy(logits, torch.arange(len(t)))}


@body("dist")
def gathered_mean_normaliser(o, t):
    e = E(o, t)
    g = torch.cat(all_gather(e.detach()))
    return {"loss": e.mean() / g.mean()}


@body("dist")
def is_initialized_branch(o, t):
    n = float(len(t))
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        n = n * 2
    return {"loss": E(o, t).sum() / n}


@body("dist")
def gathered_sizes_sum(o, t):
    sizes = all_gather(torch.tensor([len(t)]))
    return {"loss": E(o, t).sum() / torch.cat(sizes).sum()}


# === 17. several-element and integer returns, conditional keys ===================================


@body("returns")
def returns_per_image_vector(o, t):
    return {"loss": E(o, t).mean(), "per_image": E(o, t)}


@body("returns")
def returns_two_element_stack(o, t):
    return {"loss": E(o, t).mean(), "both": torch.stack([E(o, t).mean(), CE(o, t).mean()])}


@body("returns")
def returns_keepdim_one_element(o, t):
    return {"loss": E(o, t).mean(0, keepdim=True)}


@body("returns")
def returns_one_by_one(o, t):
    return {"loss": E(o, t).mean().reshape(1, 1)}


@body("returns")
def returns_float64_scalar(o, t):
    return {"loss": E(o, t).double().mean()}


@body("returns")
def returns_int_count(o, t):
    return {"loss": E(o, t).mean(), "num": torch.tensor(len(t))}


@body("returns")
def returns_int_correct(o, t):
    ce = CE(o, t)
    correct = (o["logits"].argmax(-1) == LAB(t)).sum()
    return {"loss": ce.mean(), "correct": correct}


@body("returns")
def returns_python_int(o, t):
    return {"loss": E(o, t).mean(), "n": len(t)}


@body("returns")
def returns_bool_any(o, t):
    return {"loss": E(o, t).mean(), "any_bad": (E(o, t) > 0.2).any()}


@body("returns")
def returns_accuracy_float(o, t):
    acc = (o["logits"].argmax(-1) == LAB(t)).float().mean()
    return {"loss": CE(o, t).mean(), "acc": acc}


@body("returns")
def returns_tuple_loss_and_dict(o, t):
    return {"loss": E(o, t).mean(), "aux": (CE(o, t).mean(), 1)}


@body("returns")
def returns_int_sum_of_labels(o, t):
    return {"loss": CE(o, t).mean(), "label_sum": LAB(t).sum()}


@body("keys")
def key_only_if_synthetic_present(o, t):
    out = {"loss": E(o, t).mean()}
    if any(s["loss_weight"] < 0.9 for s in t):
        out["loss_syn"] = CE(o, t).mean()
    return out


@body("keys")
def key_only_if_more_than_two_images(o, t):
    out = {"loss": E(o, t).mean()}
    if len(t) > 2:
        out["loss_extra"] = CE(o, t).mean()
    return out


@body("keys")
def key_only_if_hard(o, t):
    e = E(o, t)
    out = {"loss": e.mean()}
    if e.max() > 0.25:
        out["loss_hard"] = e.max()
    return out


@body("keys")
def key_named_by_image_count(o, t):
    return {f"loss_{len(t)}": E(o, t).mean()}


@body("keys")
def key_only_if_first_is_real(o, t):
    out = {"loss": E(o, t).mean()}
    if t[0]["loss_weight"] == 1.0:
        out["loss_first_real"] = CE(o, t).mean()
    return out


@body("keys")
def key_only_if_label_present(o, t):
    out = {"loss": E(o, t).mean()}
    y = LAB(t)
    if (y == 0).any():
        out["loss_zero"] = CE(o, t)[y == 0].mean()
    return out


@body("keys")
def key_set_by_loop_over_images(o, t):
    out = {}
    for i, (x, s) in enumerate(zip(o["x"], t)):
        out[f"loss_img{i}"] = (x - s["y"]).abs().mean()
    return out


@body("keys")
def key_dropped_when_all_real(o, t):
    out = {"loss": E(o, t).mean(), "loss_ce": CE(o, t).mean()}
    if all(s["loss_weight"] >= 0.9 for s in t):
        del out["loss_ce"]
    return out


# === 18. mixed precision ==========================================================================

W_PROJ = torch.linspace(-1, 1, WIDTH * WIDTH).reshape(WIDTH, WIDTH)


@body("autocast")
def autocast_bf16_matmul(o, t):
    with torch.autocast("cpu", dtype=torch.bfloat16):
        p = o["x"] @ W_PROJ
    return {"loss": (p.float() - Y(t)).abs().mean()}


@body("autocast")
def bf16_cast_round_trip(o, t):
    return {"loss": (o["x"].bfloat16() - Y(t).bfloat16()).abs().float().mean()}


@body("autocast")
def half_loss_cast(o, t):
    return {"loss": E(o, t).half().mean().float()}


@body("autocast")
def autocast_ce(o, t):
    with torch.autocast("cpu", dtype=torch.bfloat16):
        ce = F.cross_entropy(o["logits"].transpose(1, 2), LAB(t))
    return {"loss": ce.float()}


@body("autocast")
def double_sum_over_images(o, t):
    return {"loss": (E(o, t).double().sum() / len(t)).float()}


# === 19. einsum / bmm / logsumexp across images ==================================================


@body("contract")
def einsum_full_contraction(o, t):
    d = o["x"] - Y(t)
    return {"loss": torch.einsum("bij,bij->", d, d) / d.numel()}


@body("contract")
def einsum_pairwise_diag(o, t):
    x, y = o["x"].flatten(1), Y(t).flatten(1)
    s = torch.einsum("bi,ci->bc", x, y)
    return {"loss": s.diagonal().mean()}


@body("contract")
def einsum_pairwise_offdiag(o, t):
    x, y = o["x"].flatten(1), Y(t).flatten(1)
    s = torch.einsum("bi,ci->bc", x, y)
    return {"loss": s.mean()}


@body("contract")
def bmm_squared_norm(o, t):
    d = (o["x"] - Y(t)).flatten(1)
    b = d.shape[0]
    return {"loss": torch.bmm(d.view(b, 1, -1), d.view(b, -1, 1)).sum() / d.numel()}


@body("contract")
def logsumexp_over_images(o, t):
    return {"loss": torch.logsumexp(E(o, t) * 5, 0)}


@body("contract")
def logsumexp_over_rows_within_image(o, t):
    return {"loss": torch.logsumexp(CE(o, t), 1).mean()}


@body("contract")
def einsum_weighted_by_field(o, t):
    w = torch.tensor([s["loss_weight"] for s in t])
    return {"loss": torch.einsum("b,b->", E(o, t), w) / len(t)}


@body("contract")
def einsum_per_image_then_mean(o, t):
    d = o["x"] - Y(t)
    return {"loss": torch.einsum("bij,bij->b", d, d).mean()}


@body("contract")
def matmul_with_ones(o, t):
    e = E(o, t)
    return {"loss": e @ torch.ones(len(t)) / len(t)}


@body("contract")
def dot_of_errors(o, t):
    e = E(o, t)
    return {"loss": (e @ e) / len(t)}


@body("contract")
def outer_sum(o, t):
    e = E(o, t)
    return {"loss": torch.outer(e, e).sum()}


@body("contract")
def matmul_with_ones_matrix(o, t):
    e = E(o, t)
    return {"loss": (torch.ones(len(t), len(t)) @ e).mean()}


@body("contract")
def softmax_over_images_attention(o, t):
    e = E(o, t)
    a = torch.softmax(e, 0)
    return {"loss": (a * e).sum()}


@body("contract")
def einsum_trace(o, t):
    d = (o["x"] - Y(t)).abs().mean(2)  # [B, 3]
    m = torch.einsum("br,cr->bc", d, d)
    return {"loss": torch.einsum("bb->", m) / len(t)}


# === 20. embedding bags ==========================================================================

TABLE = torch.linspace(-1, 1, NCLS * WIDTH).reshape(NCLS, WIDTH)


@body("embedding")
def embedding_per_row(o, t):
    emb = F.embedding(LAB(t), TABLE)  # [B, 3, 4]
    return {"loss": (o["x"] - emb).abs().mean()}


@body("embedding")
def embedding_bag_per_image(o, t):
    flat = LAB(t).flatten()
    offsets = torch.arange(0, flat.numel(), ROWS_PER_IMAGE)
    bag = F.embedding_bag(flat, TABLE, offsets, mode="mean")  # [B, 4]
    return {"loss": (o["x"].mean(1) - bag).abs().mean()}


@body("embedding")
def embedding_bag_two_images_per_bag(o, t):
    flat = LAB(t).flatten()
    offsets = torch.arange(0, flat.numel(), 2 * ROWS_PER_IMAGE)
    bag = F.embedding_bag(flat, TABLE, offsets, mode="sum")
    return {"loss": E(o, t).mean() * bag.abs().mean()}


@body("embedding")
def embedding_bag_weighted_by_field(o, t):
    flat = LAB(t).flatten()
    offsets = torch.arange(0, flat.numel(), ROWS_PER_IMAGE)
    w = torch.tensor([s["loss_weight"] for s in t]).repeat_interleave(ROWS_PER_IMAGE)
    bag = F.embedding_bag(flat, TABLE, offsets, mode="sum", per_sample_weights=w)
    return {"loss": (o["x"].sum(1) - bag).abs().mean()}


@body("embedding")
def embedding_bag_one_bag(o, t):
    flat = LAB(t).flatten()
    bag = F.embedding_bag(flat[None], TABLE, mode="mean")
    return {"loss": E(o, t).mean() + (o["x"].mean((0, 1)) - bag[0]).abs().mean()}


@body("embedding")
def embedding_of_outputs_argmax(o, t):
    emb = F.embedding(o["logits"].argmax(-1), TABLE)
    return {"loss": (o["x"] - emb).abs().mean()}


# === 21. bucketize / histc / bincount of batch values ===========================================

BOUNDS = torch.tensor([0.1, 0.2, 0.3])
BUCKET_W = torch.tensor([0.5, 1.0, 1.5, 2.0])


@body("buckets")
def bucketize_fixed_bounds(o, t):
    e = E(o, t)
    return {"loss": (e * BUCKET_W[torch.bucketize(e.detach(), BOUNDS)]).mean()}


@body("buckets")
def histc_density_weights(o, t):
    e = E(o, t)
    h = torch.histc(e.detach(), 4, 0, 0.6)
    b = torch.bucketize(e.detach(), torch.linspace(0, 0.6, 5)[1:-1])
    return {"loss": (e / h[b].clamp(min=1)).mean()}


@body("buckets")
def bincount_class_balance(o, t):
    ce, y = CE(o, t), LAB(t)
    freq = torch.bincount(y.flatten(), minlength=NCLS).float()
    return {"loss": (ce / freq[y]).mean()}


@body("buckets")
def histc_of_labels_normaliser(o, t):
    ce, y = CE(o, t), LAB(t)
    h = torch.histc(y.float(), NCLS, 0, NCLS)
    return {"loss": ce.sum() / h.sum()}


@body("buckets")
def bucketize_by_batch_quantiles(o, t):
    e = E(o, t)
    q = e.detach().quantile(torch.tensor([0.5]))
    return {"loss": (e * BUCKET_W[torch.bucketize(e.detach(), q)]).mean()}


@body("buckets")
def bincount_classes_present(o, t):
    ce, y = CE(o, t), LAB(t)
    present = (torch.bincount(y.flatten(), minlength=NCLS) > 0).sum()
    return {"loss": ce.sum() / present}


@body("buckets")
def bincount_per_image_class_balance(o, t):
    ce, y = CE(o, t), LAB(t)
    per = torch.stack([torch.bincount(r, minlength=NCLS) for r in y]).float()
    w = 1 / per.gather(1, y)
    return {"loss": (ce * w).mean()}


@body("buckets")
def unique_consecutive_of_batch(o, t):
    ce, y = CE(o, t), LAB(t)
    return {"loss": ce.sum() / torch.unique_consecutive(y.flatten()).numel()}


# === near misses of the fixes (added with them) ================================================


@body("near")
def numpy_read_for_logging_only(o, t):
    e = E(o, t)
    logged = e.detach().numpy().mean()
    del logged
    return {"loss": e.mean() * 0.5 + e.sum() / NUM_TRAIN}


@body("near")
def numpy_argmin_per_image_picks_rows(o, t):
    d = (o["x"] - Y(t)).abs().mean(2)  # [B, 3]
    with torch.no_grad():
        best = torch.as_tensor(d.detach().numpy().argmin(1))
    return {"loss": d[torch.arange(len(t)), best].mean()}


@body("near")
def numpy_of_weights_only(o, t):
    w = np.array([s["loss_weight"] for s in t], dtype=np.float32)
    return {"loss": (E(o, t) * torch.from_numpy(w)).sum() / len(t) * 0.5}


class ListGrownPerImage:
    def __init__(self):
        self.seen: list[int] = []

    def forward(self, o, t):
        for _ in t:
            self.seen.append(1)
        return {"loss": E(o, t).sum() / len(self.seen)}


class StepCounterByFive:
    def __init__(self):
        self.step = 0

    def forward(self, o, t):
        self.step += 5
        return {"loss": E(o, t).sum() / 4 * min(1.0, self.step / 10)}


class TableReadOnly:
    def __init__(self):
        self.table = torch.linspace(0.5, 1.5, NCLS)

    def forward(self, o, t):
        ce, y = CE(o, t), LAB(t)
        return {"loss": (ce * self.table[y]).mean()}


class AttributeSetInInitOnly:
    def __init__(self):
        self.norm = 4

    def forward(self, o, t):
        return {"loss": E(o, t).sum() / self.norm}


for _c in (ListGrownPerImage, StepCounterByFive, TableReadOnly, AttributeSetInInitOnly):
    BODIES[_c.__name__] = ("near", "x", _c)


@body("near")
def presence_table_of_labels_written(o, t):
    ce, y = CE(o, t), LAB(t)
    present = torch.zeros(NCLS)
    present[y.flatten()] = 1.0
    return {"loss": (ce * present[y]).mean()}


@body("near")
def table_of_predictions_written_at_positions(o, t):
    e = E(o, t)
    buf = torch.zeros(len(t), 2)
    buf[torch.arange(len(t)), 0] = e
    return {"loss": buf[:, 0].mean()}


# === second round: the fixes' own edges ==========================================================

class CountInTensorAttribute:
    def __init__(self):
        self.seen = torch.zeros(())

    def forward(self, o, t):
        self.seen += len(t)
        return {"loss": E(o, t).sum() / self.seen}


class CountInDictAttribute:
    def __init__(self):
        self.stats = {"seen": 0}

    def forward(self, o, t):
        self.stats["seen"] += len(t)
        return {"loss": E(o, t).sum() / self.stats["seen"]}


class CountOfRowsKept:
    def __init__(self):
        self.rows = 0

    def forward(self, o, t):
        self.rows += sum(len(s["labels"]) for s in t)
        return {"loss": CE(o, t).sum() / self.rows}


def _make_closure_counter():
    seen = 0

    def body_(o, t):
        nonlocal seen
        seen += len(t)
        return {"loss": E(o, t).sum() / seen}
    return body_


class CountInClosure:
    def __init__(self):
        self.f = _make_closure_counter()

    def forward(self, o, t):
        return self.f(o, t)


for _c in (CountInTensorAttribute, CountInDictAttribute, CountOfRowsKept, CountInClosure):
    BODIES[_c.__name__] = ("edges", "x", _c)


@body("edges")
def tolist_then_numpy_mean(o, t):
    e = E(o, t)
    return {"loss": e.mean() / float(np.mean(e.detach().tolist()))}


@body("edges")
def numpy_scalar_made_a_tensor(o, t):
    e = E(o, t)
    return {"loss": e.mean() / torch.tensor(np.mean(e.detach().numpy()))}


@body("edges")
def numpy_asarray_mean(o, t):
    e = E(o, t)
    return {"loss": e.sum() / (1 + float(np.asarray(e.detach()).sum()))}


@body("edges")
def numpy_local_then_used(o, t):
    e = E(o, t)
    m = e.detach().numpy().max()
    scale = 1.0 / m
    return {"loss": e.mean() * scale}


@body("edges")
def numpy_values_added(o, t):
    e = E(o, t)
    return {"loss": e.mean() - float(e.detach().numpy().min())}


@body("edges")
def numpy_then_tensor_reduction_back(o, t):
    e = E(o, t)
    w = torch.as_tensor(e.detach().numpy() / e.detach().numpy().sum())
    return {"loss": (e * w).sum()}


class TableWrittenByMaskPositions:
    def __init__(self):
        self.cls = torch.ones(NCLS)

    def forward(self, o, t):
        ce, y = CE(o, t), LAB(t)
        self.cls.index_copy_(0, y[:, 0], ce[:, 0].detach())
        return {"loss": (ce / self.cls[y]).mean()}


class TableScatteredAtLabels:
    def __init__(self):
        self.cls = torch.ones(NCLS)

    def forward(self, o, t):
        ce, y = CE(o, t), LAB(t)
        self.cls = self.cls.scatter(0, y.flatten(), ce.detach().flatten())
        return {"loss": (ce / self.cls[y]).mean()}


for _c in (TableWrittenByMaskPositions, TableScatteredAtLabels):
    BODIES[_c.__name__] = ("edges", "x", _c)


def _counted_closure():
    seen = 0

    def counted_in_its_own_closure(o, t):
        nonlocal seen
        seen += len(t)
        return {"loss": E(o, t).sum() / seen}
    return counted_in_its_own_closure
