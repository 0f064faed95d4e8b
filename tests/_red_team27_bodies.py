"""Red team of session 27: adversarial criterion bodies in families no earlier red team tried --
``nn.Module`` criteria with buffers and parameters, scripted helpers, ``functools.reduce`` /
``itertools.accumulate`` over per-image losses, ``zip(*targets)`` transposes, targets as lists of
lists, nested returns, per-image ``.item()`` conditions, ``torch.where`` on scalar conditions,
``index_put_(accumulate=True)``, ``torch.unique`` counts, cumulative ops along the images,
straight-through tricks, per-image label smoothing, batch class-balanced weights, OHEM over the
batch's rows, ``-100`` padding, packed sequences, and spellings of a count tensor beside the ones
README "Known limits" names.

``BODIES``: name -> (family, batch kind, body or criterion class); ``CONVERTS``: name -> the
targets' conversion of a body of kind ``"xo"``. Measured by ``tests/_red_team26_measure.py``
(``measure(name, BODIES, CONVERTS)``); the tests are ``tests/test_red_team27.py``."""

from __future__ import annotations

import functools
import itertools
import operator
from typing import Any

import torch
import torch.nn.functional as F
from _red_team26_bodies import CE, LAB, MATCHED, NCLS, E, Y
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}


def registrar(bodies: dict, converts: dict):
    """``body(family, kind="x", convert=None)``, a decorator registering a body in ``bodies`` (and
    its targets' conversion in ``converts``)."""
    def body(family: str, kind: str = "x", convert: Any = None):
        def register(f):
            bodies[f.__name__] = (family, kind, f)
            if convert is not None:
                converts[f.__name__] = convert
            return f
        return register
    return body


body = registrar(BODIES, CONVERTS)


def PER(o, t):
    """Each image's mean |x - y| as a Python list of 0-d tensors."""
    return list(E(o, t).unbind())


# === 1. nn.Module criteria: buffers, parameters, sub-modules ======================================


@body("module")
class BufferEmaInPlaceBeforeUse(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("ema", torch.tensor(0.5))

    def forward(self, o, t):
        loss = E(o, t).mean()
        self.ema.mul_(0.9).add_(0.1 * loss.detach())
        return {"loss": loss / self.ema}


@body("module")
class BufferEmaInPlaceAfterUse(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("ema", torch.tensor(0.5))

    def forward(self, o, t):
        loss = E(o, t).mean()
        out = loss / self.ema.clone()
        self.ema.mul_(0.9).add_(0.1 * loss.detach())
        return {"loss": out}


@body("module")
class BufferEmaCopyBeforeUse(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("ema", torch.tensor(0.5))

    def forward(self, o, t):
        loss = E(o, t).mean()
        with torch.no_grad():
            self.ema.copy_(0.9 * self.ema + 0.1 * loss)
        return {"loss": loss / self.ema.clamp(min=1e-3)}


@body("module")
class BufferEmaReassignedBeforeUse(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("ema", torch.tensor(0.5))

    def forward(self, o, t):
        loss = E(o, t).mean()
        self.ema = 0.9 * self.ema + 0.1 * loss.detach()
        return {"loss": loss / self.ema}


@body("module")
class BufferBatchesTracked(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, o, t):
        self.num_batches_tracked += 1
        warm = torch.clamp(self.num_batches_tracked.float() / 10, max=1.0)
        return {"loss": E(o, t).mean() * warm}


@body("module")
class BufferSamplesTracked(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("seen", torch.tensor(0.0))

    def forward(self, o, t):
        self.seen += o["x"].shape[0]
        return {"loss": E(o, t).sum() / self.seen}


@body("module")
class BufferRunningVarianceNormaliser(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("var", torch.tensor(1.0))

    def forward(self, o, t):
        e = E(o, t)
        self.var.lerp_(e.detach().var(), 0.1)
        return {"loss": e.mean() / self.var.sqrt()}


@body("module")
class BufferPerClassEma(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("cls", torch.ones(NCLS))

    def forward(self, o, t):
        ce = CE(o, t)
        lab = LAB(t)
        with torch.no_grad():
            self.cls.index_copy_(0, lab.flatten(), ce.flatten())
        return {"loss": (ce / self.cls[lab]).mean()}


@body("module")
class BufferReadOnly(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("w", torch.linspace(0.5, 1.5, NCLS))

    def forward(self, o, t):
        return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), weight=self.w)}


@body("module")
class LearnedUncertaintyWeighting(nn.Module):
    def __init__(self):
        super().__init__()
        self.log_var = nn.Parameter(torch.zeros(2))

    def forward(self, o, t):
        a, b = E(o, t).mean(), CE(o, t).mean()
        s = self.log_var
        return {"loss": a * torch.exp(-s[0]) + s[0] + b * torch.exp(-s[1]) + s[1]}


@body("module")
class LearnedTemperatureCE(nn.Module):
    def __init__(self):
        super().__init__()
        self.t = nn.Parameter(torch.tensor(1.5))

    def forward(self, o, t):
        return {"loss": F.cross_entropy((o["logits"] / self.t).transpose(1, 2), LAB(t))}


@body("module")
class SubModuleCrossEntropyLabelSmoothing(nn.Module):
    def __init__(self):
        super().__init__()
        self.ce = nn.CrossEntropyLoss(label_smoothing=0.1)

    def forward(self, o, t):
        return {"loss": self.ce(o["logits"].flatten(0, 1), LAB(t).flatten())}


@body("module")
class SubModuleWeightedCrossEntropyMean(nn.Module):
    def __init__(self):
        super().__init__()
        self.ce = nn.CrossEntropyLoss(weight=torch.tensor([0.2, 1.0, 3.0, 0.7, 1.3]))

    def forward(self, o, t):
        return {"loss": self.ce(o["logits"].flatten(0, 1), LAB(t).flatten())}


@body("module")
class SubModuleL1Sum(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.L1Loss(reduction="sum")

    def forward(self, o, t):
        return {"loss": self.l1(o["x"], Y(t)) / len(t)}


@body("module")
class SubModuleBatchNormTrain(nn.Module):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(4, affine=False)

    def forward(self, o, t):
        return {"loss": self.bn((o["x"] - Y(t)).flatten(0, 1)).abs().mean()}


@body("module")
class SubModuleBatchNormEval(nn.Module):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(4, affine=False).eval()

    def forward(self, o, t):
        return {"loss": self.bn((o["x"] - Y(t)).flatten(0, 1)).abs().mean()}


@body("module")
class SubModuleLinearHead(nn.Module):
    def __init__(self):
        super().__init__()
        g = torch.Generator().manual_seed(3)
        self.head = nn.Linear(4, NCLS)
        with torch.no_grad():
            self.head.weight.copy_(torch.randn(NCLS, 4, generator=g))
            self.head.bias.zero_()

    def forward(self, o, t):
        return {"loss": F.cross_entropy(self.head(o["x"]).transpose(1, 2), LAB(t))}


@body("module")
class ModuleListOfCriteria(nn.Module):
    def __init__(self):
        super().__init__()
        self.parts = nn.ModuleList([nn.L1Loss(), nn.MSELoss(), nn.SmoothL1Loss(beta=0.05)])

    def forward(self, o, t):
        y = Y(t)
        return {f"loss_{i}": c(o["x"], y) for i, c in enumerate(self.parts)}


@body("module")
class ModuleQueueOfEmbeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("queue", torch.zeros(8, 6))
        self.register_buffer("ptr", torch.tensor(0))

    def forward(self, o, t):
        q = F.normalize(o["emb"], dim=1)
        neg = q @ self.queue.clone().t()
        loss = torch.logsumexp(torch.cat([torch.zeros(len(q), 1), neg], 1), 1).mean()
        with torch.no_grad():
            n = q.shape[0]
            idx = (self.ptr + torch.arange(n)) % 8
            self.queue[idx] = q.detach()
            self.ptr.fill_((self.ptr + n) % 8)
        return {"loss": loss}


@body("module")
class ModuleQueueReadAfterPush(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("queue", torch.zeros(8, 6))
        self.register_buffer("ptr", torch.tensor(0))

    def forward(self, o, t):
        q = F.normalize(o["emb"], dim=1)
        with torch.no_grad():
            n = q.shape[0]
            idx = (self.ptr + torch.arange(n)) % 8
            self.queue[idx] = q.detach()
            self.ptr.fill_((self.ptr + n) % 8)
        neg = q @ self.queue.t()
        return {"loss": torch.logsumexp(neg, 1).mean()}


@body("module")
class ModuleTrainingFlagBranch(nn.Module):
    def forward(self, o, t):
        e = E(o, t)
        return {"loss": e.mean() if self.training else e.max()}


# === 2. scripted helpers ==========================================================================


@torch.jit.script
def _scripted_l1(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return (x - y).abs().mean()


@torch.jit.script
def _scripted_per_image(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return (x - y).abs().mean(dim=[1, 2])


@torch.jit.script
def _scripted_over_batch_mean(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    e = (x - y).abs().mean(dim=[1, 2])
    return (e / e.mean().detach()).mean()


@torch.jit.script
def _scripted_first_image(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return (x[0] - y[0]).abs().mean()


@body("scripted")
def scripted_l1(o, t):
    return {"loss": _scripted_l1(o["x"], Y(t))}


@body("scripted")
def scripted_per_image_then_mean(o, t):
    return {"loss": _scripted_per_image(o["x"], Y(t)).mean()}


@body("scripted")
def scripted_over_batch_mean(o, t):
    return {"loss": _scripted_over_batch_mean(o["x"], Y(t))}


@body("scripted")
def scripted_first_image(o, t):
    return {"loss": _scripted_first_image(o["x"], Y(t))}


@body("scripted")
def scripted_per_image_max(o, t):
    return {"loss": _scripted_per_image(o["x"], Y(t)).max()}


# === 3. functools.reduce / itertools.accumulate over per-image losses =============================


@body("reduce")
def reduce_add_over_count(o, t):
    return {"loss": functools.reduce(operator.add, PER(o, t)) / len(t)}


@body("reduce")
def reduce_add_lambda(o, t):
    return {"loss": functools.reduce(lambda a, b: a + b, PER(o, t), 0.0) / len(t)}


@body("reduce")
def reduce_max(o, t):
    return {"loss": functools.reduce(torch.maximum, PER(o, t))}


@body("reduce")
def reduce_ema_over_images(o, t):
    return {"loss": functools.reduce(lambda a, b: 0.8 * a + 0.2 * b, PER(o, t))}


@body("reduce")
def reduce_product(o, t):
    return {"loss": functools.reduce(operator.mul, [1 + p for p in PER(o, t)])}


@body("reduce")
def accumulate_last_over_count(o, t):
    return {"loss": list(itertools.accumulate(PER(o, t)))[-1] / len(t)}


@body("reduce")
def accumulate_mean_of_prefix_sums(o, t):
    acc = list(itertools.accumulate(PER(o, t)))
    return {"loss": sum(acc) / len(acc)}


@body("reduce")
def accumulate_max_last(o, t):
    return {"loss": list(itertools.accumulate(PER(o, t), torch.maximum))[-1]}


@body("reduce")
def sum_with_start_tensor(o, t):
    return {"loss": sum(PER(o, t), torch.tensor(0.0)) / len(t)}


@body("reduce")
def math_fsum_free_torch_stack_mean(o, t):
    return {"loss": torch.stack(PER(o, t)).mean()}


@body("reduce")
def starmap_pairs(o, t):
    per = itertools.starmap(lambda a, b: (a - b).abs().mean(), zip(o["x"], [s["y"] for s in t]))
    return {"loss": sum(per) / len(t)}


@body("reduce")
def pairwise_consecutive_images(o, t):
    per = PER(o, t)
    return {"loss": sum(abs(a - b) for a, b in itertools.pairwise(per)) + sum(per) / len(per)}


@body("reduce")
def islice_first_two(o, t):
    return {"loss": sum(itertools.islice(PER(o, t), 2)) / 2}


@body("reduce")
def chain_rows_of_images(o, t):
    rows = list(itertools.chain.from_iterable((o["x"][i] - s["y"]).abs().mean(1) for i, s in enumerate(t)))
    return {"loss": sum(rows) / len(rows)}


@body("reduce")
def map_builtin_then_sum(o, t):
    per = map(lambda p, s: F.l1_loss(p, s["y"], reduction="sum"), o["x"], t)
    return {"loss": sum(per) / (len(t) * 12)}


# === 4. zip(*...) transposes and list-of-list targets ============================================


@body("transpose")
def zip_star_of_pairs(o, t):
    ys, labs = zip(*[(s["y"], s["labels"]) for s in t])
    return {"loss": (o["x"] - torch.stack(ys)).abs().mean() + F.cross_entropy(o["logits"].transpose(1, 2), torch.stack(labs))}


@body("transpose")
def zip_star_of_dict_values(o, t):
    cols = list(zip(*[(s["y"], s["labels"], s["loss_weight"]) for s in t]))
    return {"loss": (o["x"] - torch.stack(cols[0])).abs().mean()}


@body("transpose")
def zip_star_weights_read(o, t):
    ys, ws = zip(*[(s["y"], s["loss_weight"]) for s in t])
    w = torch.tensor(ws)
    return {"loss": ((o["x"] - torch.stack(ys)).abs().mean((1, 2)) * w).sum() / w.sum()}


@body("transpose")
def zip_star_of_rows(o, t):
    # the rows' transpose: for each row position, that row of every image
    per_row = [torch.stack(r) for r in zip(*[s["y"] for s in t])]
    x_rows = o["x"].unbind(1)
    return {"loss": sum((x - y).abs().mean() for x, y in zip(x_rows, per_row)) / len(per_row)}


@body("transpose")
def zip_star_of_rows_first_only(o, t):
    first = torch.stack(next(iter(zip(*[s["y"] for s in t]))))
    return {"loss": (o["x"][:, 0] - first).abs().mean()}


def as_lists(t):
    return [[s["y"], s["labels"], s["loss_weight"]] for s in t]


def as_tuples_no_weight(t):
    return [(s["y"], s["labels"]) for s in t]


@body("lists", "xo", as_lists)
def list_targets_plain(o, t):
    return {"loss": (o["x"] - torch.stack([s[0] for s in t])).abs().mean()}


@body("lists", "xo", as_lists)
def list_targets_weighted(o, t):
    w = torch.tensor([s[2] for s in t])
    return {"loss": ((o["x"] - torch.stack([s[0] for s in t])).abs().mean((1, 2)) * w).mean()}


@body("lists", "xo", as_lists)
def list_targets_last_item_weight(o, t):
    w = torch.tensor([s[-1] for s in t])
    return {"loss": (CE(o, [{"labels": s[1]} for s in t]).mean(1) * w).sum() / w.sum()}


@body("lists", "xo", as_lists)
def list_targets_unpacked(o, t):
    loss = 0.0
    for x, (y, _lab, w) in zip(o["x"], t):
        loss = loss + w * (x - y).abs().mean()
    return {"loss": loss / len(t)}


@body("lists", "xo", as_tuples_no_weight)
def tuple_targets_unpacked(o, t):
    loss = 0.0
    for x, (y, _) in zip(o["x"], t):
        loss = loss + (x - y).abs().mean()
    return {"loss": loss / len(t)}


@body("lists", "xo", as_tuples_no_weight)
def tuple_targets_ce(o, t):
    lab = torch.stack([b for _, b in t])
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), lab)}


# === 5. returns: tuples, lists, nested dicts ======================================================


@body("returns")
def returns_nested_dict(o, t):
    return {"loss": E(o, t).mean(), "parts": {"l1": E(o, t).mean(), "ce": CE(o, t).mean()}}


@body("returns")
def returns_list_in_dict(o, t):
    return {"loss": E(o, t).mean(), "terms": [E(o, t).mean(), CE(o, t).mean()]}


@body("returns")
def returns_per_image_vector_key(o, t):
    return {"loss": E(o, t).mean(), "per_image": E(o, t).detach()}


@body("returns")
def returns_batch_mean_detached_ratio(o, t):
    e = E(o, t)
    return {"loss": e.mean(), "ratio": e.mean().detach() / e.max().detach()}


@body("returns")
def returns_count_of_images_as_tensor(o, t):
    return {"loss": E(o, t).mean(), "count": torch.tensor(float(len(t)))}


# === 6. Python conditions on per-image and batch .item() values ===================================


@body("conditions")
def per_image_item_condition(o, t):
    loss = 0.0
    for e in PER(o, t):
        loss = loss + (2 * e if e.item() > 0.25 else e)
    return {"loss": loss / len(t)}


@body("conditions")
def per_image_item_skip(o, t):
    kept = [e for e in PER(o, t) if e.item() < 0.3]
    return {"loss": sum(kept) / max(len(kept), 1)}


@body("conditions")
def batch_item_condition(o, t):
    e = E(o, t)
    return {"loss": e.mean() * (2.0 if e.mean().item() > 0.25 else 1.0)}


@body("conditions")
def batch_max_item_condition(o, t):
    e = E(o, t)
    return {"loss": e.mean() if e.max().item() < 0.3 else e.mean() / 2}


@body("conditions")
def per_image_label_condition(o, t):
    loss = 0.0
    for e, s in zip(PER(o, t), t):
        loss = loss + (e * 3 if int(s["labels"][0]) == 0 else e)
    return {"loss": loss / len(t)}


@body("conditions")
def first_image_condition(o, t):
    e = E(o, t)
    return {"loss": e.mean() * (2.0 if e[0].item() > 0.25 else 1.0)}


@body("conditions")
def per_image_bool_tensor_condition(o, t):
    loss = 0.0
    for e in PER(o, t):
        if e > 0.25:
            loss = loss + e
    return {"loss": loss / len(t)}


@body("conditions")
def any_image_over_threshold(o, t):
    e = E(o, t)
    return {"loss": e.mean() * 2 if bool((e > 0.3).any()) else e.mean()}


# === 7. torch.where with scalar conditions ========================================================


@body("where")
def where_per_image_elementwise(o, t):
    e = E(o, t)
    return {"loss": torch.where(e > 0.25, 2 * e, e).mean()}


@body("where")
def where_batch_scalar_condition(o, t):
    e = E(o, t)
    return {"loss": torch.where(e.mean() > 0.25, 2 * e, e).mean()}


@body("where")
def where_max_scalar_condition(o, t):
    e = E(o, t)
    return {"loss": torch.where(e.max() > 0.3, e.mean() / 2, e.mean())}


@body("where")
def where_per_image_scalar_in_loop(o, t):
    loss = 0.0
    for e in PER(o, t):
        loss = loss + torch.where(e > 0.25, e * 2, e)
    return {"loss": loss / len(t)}


@body("where")
def where_first_image_scalar(o, t):
    e = E(o, t)
    return {"loss": torch.where(e[0] > 0.25, e * 2, e).mean()}


@body("where")
def where_labels_count_scalar(o, t):
    e = E(o, t)
    return {"loss": torch.where((LAB(t) == 0).sum() > 2, e * 2, e).mean()}


@body("where")
def where_row_over_image_mean(o, t):
    d = (o["x"] - Y(t)).abs()
    return {"loss": torch.where(d > d.mean((1, 2), keepdim=True), d * 2, d).mean()}


# === 8. index_put_ / index_add with accumulate ===================================================


@body("index_put")
def index_put_accumulate_per_image(o, t):
    buf = torch.zeros(len(t))
    buf = buf.index_put((torch.arange(len(t)),), E(o, t), accumulate=True)
    return {"loss": buf.mean()}


@body("index_put")
def index_put_accumulate_rows_to_images(o, t):
    d = (o["x"] - Y(t)).abs().mean(2)
    img = torch.arange(len(t))[:, None].expand_as(d)
    buf = torch.zeros(len(t)).index_put_((img.flatten(),), d.flatten(), accumulate=True)
    return {"loss": buf.sum() / d.numel()}


@body("index_put")
def index_put_accumulate_by_class_then_sum(o, t):
    ce = CE(o, t)
    buf = torch.zeros(NCLS).index_put_((LAB(t).flatten(),), ce.flatten(), accumulate=True)
    return {"loss": buf.sum() / ce.numel()}


@body("index_put")
def index_put_accumulate_by_class_present_mean(o, t):
    ce = CE(o, t)
    lab = LAB(t).flatten()
    s = torch.zeros(NCLS).index_put_((lab,), ce.flatten(), accumulate=True)
    c = torch.zeros(NCLS).index_put_((lab,), torch.ones_like(ce.flatten()), accumulate=True)
    present = c > 0
    return {"loss": (s[present] / c[present]).mean()}


@body("index_put")
def index_put_accumulate_class_means_fixed(o, t):
    ce = CE(o, t)
    lab = LAB(t).flatten()
    s = torch.zeros(NCLS).index_put_((lab,), ce.flatten(), accumulate=True)
    return {"loss": s.mean()}


@body("index_put")
def index_put_no_accumulate_last_wins(o, t):
    ce = CE(o, t)
    buf = torch.zeros(NCLS).index_put_((LAB(t).flatten(),), ce.flatten())
    return {"loss": buf.sum()}


@body("index_put")
def index_put_all_images_to_slot_zero(o, t):
    buf = torch.zeros(2).index_put_((torch.zeros(len(t), dtype=torch.long),), E(o, t), accumulate=True)
    return {"loss": buf[0] / len(t)}


# === 9. torch.unique counts and class-balanced weights ===========================================


@body("unique")
def unique_counts_inverse_weights(o, t):
    ce = CE(o, t).flatten()
    _, inv, cnt = torch.unique(LAB(t).flatten(), return_inverse=True, return_counts=True)
    return {"loss": (ce / cnt[inv]).sum() / len(cnt)}


@body("unique")
def unique_count_of_classes_normaliser(o, t):
    ce = CE(o, t)
    return {"loss": ce.sum() / torch.unique(LAB(t)).numel()}


@body("unique")
def unique_per_image_counts(o, t):
    loss = 0.0
    for lg, s in zip(o["logits"], t):
        _, inv, cnt = torch.unique(s["labels"], return_inverse=True, return_counts=True)
        loss = loss + (F.cross_entropy(lg, s["labels"], reduction="none") / cnt[inv]).sum()
    return {"loss": loss / len(t)}


@body("unique")
def effective_number_batch_weights(o, t):
    beta = 0.9
    cnt = torch.bincount(LAB(t).flatten(), minlength=NCLS).float()
    w = (1 - beta) / (1 - beta ** cnt.clamp(min=1))
    w = w / w.sum() * NCLS
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), weight=w)}


@body("unique")
def effective_number_fixed_counts(o, t):
    beta = 0.9
    cnt = torch.tensor([10.0, 3.0, 7.0, 1.0, 5.0])
    w = (1 - beta) / (1 - beta ** cnt)
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), weight=w)}


@body("unique")
def inverse_frequency_batch_weights_reduction_none(o, t):
    lab = LAB(t)
    freq = torch.bincount(lab.flatten(), minlength=NCLS).float() / lab.numel()
    ce = CE(o, t)
    return {"loss": (ce / freq[lab].clamp(min=1e-3)).mean()}


@body("unique")
def unique_dim0_of_label_rows(o, t):
    rows = torch.unique(LAB(t), dim=0)
    return {"loss": CE(o, t).sum() / rows.shape[0]}


# === 10. cumulative ops along the images ==========================================================


@body("cumulative")
def cumprod_over_images_last(o, t):
    return {"loss": torch.cumprod(1 + E(o, t), 0)[-1]}


@body("cumulative")
def logcumsumexp_over_images(o, t):
    return {"loss": torch.logcumsumexp(E(o, t), 0).mean()}


@body("cumulative")
def cummin_over_images(o, t):
    return {"loss": torch.cummin(E(o, t), 0).values.mean()}


@body("cumulative")
def cumsum_within_image_rows(o, t):
    d = (o["x"] - Y(t)).abs()
    return {"loss": d.cumsum(1).mean()}


@body("cumulative")
def logcumsumexp_within_image(o, t):
    return {"loss": torch.logcumsumexp(CE(o, t), 1)[:, -1].mean()}


@body("cumulative")
def cumsum_flat_rows_over_images(o, t):
    return {"loss": CE(o, t).flatten().cumsum(0)[-1] / CE(o, t).numel()}


@body("cumulative")
def diff_along_images(o, t):
    return {"loss": torch.diff(E(o, t)).abs().mean()}


# === 11. straight-through and gradient-scale tricks ==============================================


@body("straight")
def straight_through_to_targets(o, t):
    x = o["x"]
    q = x + (Y(t) - x).detach()
    return {"loss": (q - Y(t)).abs().mean() + E(o, t).mean()}


@body("straight")
def straight_through_rounding(o, t):
    x = o["x"]
    q = x + (torch.round(x * 4) / 4 - x).detach()
    return {"loss": (q - Y(t)).abs().mean()}


@body("straight")
def grad_scale_by_batch_mean(o, t):
    e = E(o, t)
    s = e.mean().detach()
    return {"loss": (e * s - (e * s).detach() + e.detach()).mean()}


@body("straight")
def straight_through_to_batch_mean(o, t):
    e = E(o, t)
    return {"loss": (e + (e.mean() - e).detach()).mean()}


@body("straight")
def straight_through_argmax_onehot(o, t):
    p = o["logits"].softmax(-1)
    hard = F.one_hot(p.argmax(-1), NCLS).float()
    st = p + (hard - p).detach()
    return {"loss": (st * F.one_hot(LAB(t), NCLS)).sum(-1).neg().mean()}


@body("straight")
def grad_reversal_by_sub(o, t):
    e = E(o, t)
    return {"loss": (2 * e.detach() - e).mean()}


# === 12. label smoothing with a per-image epsilon ================================================


@body("smoothing")
def label_smoothing_per_image_from_field(o, t):
    loss = 0.0
    for lg, s in zip(o["logits"], t):
        loss = loss + F.cross_entropy(lg, s["labels"], label_smoothing=0.05 * s["n"] / 3)
    return {"loss": loss / len(t)}


@body("smoothing")
def label_smoothing_per_image_from_own_error(o, t):
    loss = 0.0
    for lg, x, s in zip(o["logits"], o["x"], t):
        eps = float((x - s["y"]).abs().mean().clamp(max=0.5))
        loss = loss + F.cross_entropy(lg, s["labels"], label_smoothing=eps)
    return {"loss": loss / len(t)}


@body("smoothing")
def label_smoothing_from_batch_error(o, t):
    eps = float(E(o, t).mean().clamp(max=0.5))
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), label_smoothing=eps)}


@body("smoothing")
def label_smoothing_from_image_count(o, t):
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), label_smoothing=0.05 * len(t))}


@body("smoothing")
def manual_smoothing_per_image_tensor(o, t):
    eps = E(o, t).detach().clamp(max=0.5)[:, None, None]
    soft = F.one_hot(LAB(t), NCLS).float() * (1 - eps) + eps / NCLS
    return {"loss": -(soft * o["logits"].log_softmax(-1)).sum(-1).mean()}


@body("smoothing")
def manual_smoothing_batch_tensor(o, t):
    eps = E(o, t).detach().mean().clamp(max=0.5)
    soft = F.one_hot(LAB(t), NCLS).float() * (1 - eps) + eps / NCLS
    return {"loss": -(soft * o["logits"].log_softmax(-1)).sum(-1).mean()}


# === 13. OHEM over all rows of the batch (must not split as the group's own) ======================


@body("ohem")
def ohem_flat_topk_half(o, t):
    ce = CE(o, t).flatten()
    return {"loss": ce.topk(ce.numel() // 2).values.mean()}


@body("ohem")
def ohem_flat_topk_fixed(o, t):
    return {"loss": CE(o, t).flatten().topk(4).values.mean()}


@body("ohem")
def ohem_sort_descending_slice(o, t):
    ce = CE(o, t).flatten()
    return {"loss": ce.sort(descending=True).values[: max(1, ce.numel() // 3)].mean()}


@body("ohem")
def ohem_threshold_by_kth(o, t):
    ce = CE(o, t).flatten()
    thr = ce.detach().kthvalue(max(1, ce.numel() // 2)).values
    keep = ce >= thr
    return {"loss": (ce * keep).sum() / keep.sum()}


@body("ohem")
def ohem_threshold_quantile(o, t):
    ce = CE(o, t)
    keep = ce.detach() > ce.detach().quantile(0.7)
    return {"loss": ce[keep].mean()}


@body("ohem")
def ohem_threshold_fixed(o, t):
    ce = CE(o, t)
    keep = ce.detach() > 1.5
    return {"loss": ce[keep].sum() / keep.sum().clamp(min=1)}


@body("ohem")
def ohem_argsort_index_select(o, t):
    ce = CE(o, t).flatten()
    idx = ce.detach().argsort(descending=True)[:5]
    return {"loss": ce.index_select(0, idx).mean()}


@body("ohem")
def ohem_per_image_topk(o, t):
    return {"loss": CE(o, t).topk(2, dim=1).values.mean()}


@body("ohem")
def ohem_images_topk(o, t):
    e = E(o, t)
    return {"loss": e.topk(max(1, len(t) // 2)).values.mean()}


@body("ohem")
def ohem_rows_topk_by_image_count(o, t):
    ce = CE(o, t).flatten()
    return {"loss": ce.topk(len(t)).values.mean()}


@body("ohem")
def ohem_with_min_kept_max(o, t):
    ce = CE(o, t).flatten()
    k = max(int((ce.detach() > 1.0).sum()), 3)
    return {"loss": ce.topk(min(k, ce.numel())).values.mean()}


# === 14. -100 padding across images, packed sequences ============================================


def _padded_labels(t, value=-100):
    return pad_sequence([s["labels"] for s in t], batch_first=True, padding_value=value)


@body("pad100", "d")
def pad100_ce_mean(o, t, idx, nb):
    lab = _padded_labels(t)
    lg = o["pred_boxes"][:, : lab.shape[1]] * 5
    return {"loss": F.cross_entropy(lg.transpose(1, 2), lab, ignore_index=-100)}


@body("pad100", "d")
def pad100_ce_sum_over_images(o, t, idx, nb):
    lab = _padded_labels(t)
    lg = o["pred_boxes"][:, : lab.shape[1]] * 5
    return {"loss": F.cross_entropy(lg.transpose(1, 2), lab, ignore_index=-100, reduction="sum") / len(t)}


@body("pad100", "d")
def pad100_ce_none_over_valid(o, t, idx, nb):
    lab = _padded_labels(t)
    lg = o["pred_boxes"][:, : lab.shape[1]] * 5
    ce = F.cross_entropy(lg.transpose(1, 2), lab, ignore_index=-100, reduction="none")
    return {"loss": ce.sum() / (lab != -100).sum()}


@body("pad100", "d")
def pad100_ce_none_plain_mean(o, t, idx, nb):
    lab = _padded_labels(t)
    lg = o["pred_boxes"][:, : lab.shape[1]] * 5
    ce = F.cross_entropy(lg.transpose(1, 2), lab, ignore_index=-100, reduction="none")
    return {"loss": ce.mean()}


@body("pad100", "d")
def pad100_ce_per_sequence_mean(o, t, idx, nb):
    lab = _padded_labels(t)
    lg = o["pred_boxes"][:, : lab.shape[1]] * 5
    ce = F.cross_entropy(lg.transpose(1, 2), lab, ignore_index=-100, reduction="none")
    return {"loss": (ce.sum(1) / (lab != -100).sum(1)).mean()}


@body("pad100", "d")
def pad100_fixed_width_ce(o, t, idx, nb):
    lab = torch.stack([F.pad(s["labels"], (0, 5 - len(s["labels"])), value=-100) for s in t])
    return {"loss": F.cross_entropy((o["pred_boxes"] * 5).transpose(1, 2), lab, ignore_index=-100)}


@body("pad100", "d")
def pad100_flattened_then_shifted(o, t, idx, nb):
    lab = _padded_labels(t).flatten()
    lg = (o["pred_boxes"][:, : _padded_labels(t).shape[1]] * 5).flatten(0, 1)
    return {"loss": F.cross_entropy(lg[:-1], lab[1:], ignore_index=-100)}


@body("pad100", "d")
def pad100_masked_l1(o, t, idx, nb):
    lab = _padded_labels(t)
    y = pad_sequence([s["boxes"] for s in t], batch_first=True)
    m = (lab != -100).float()[..., None]
    return {"loss": ((o["pred_boxes"][:, : y.shape[1]] - y).abs() * m).sum() / m.sum()}


@body("pad100", "d")
def pad100_count_of_pad_normaliser(o, t, idx, nb):
    lab = _padded_labels(t)
    y = pad_sequence([s["boxes"] for s in t], batch_first=True)
    m = (lab != -100).float()[..., None]
    return {"loss": ((o["pred_boxes"][:, : y.shape[1]] - y).abs() * m).sum() / lab.numel()}


def _packed(o, t):
    lengths = torch.tensor([len(s["boxes"]) for s in t])
    y = pad_sequence([s["boxes"] for s in t], batch_first=True)
    p = o["pred_boxes"][:, : y.shape[1]]
    pp = pack_padded_sequence(p, lengths, batch_first=True, enforce_sorted=False)
    py = pack_padded_sequence(y, lengths, batch_first=True, enforce_sorted=False)
    return pp, py


@body("packed", "d")
def packed_l1_mean(o, t, idx, nb):
    pp, py = _packed(o, t)
    return {"loss": (pp.data - py.data).abs().mean()}


@body("packed", "d")
def packed_l1_sum_over_num_boxes(o, t, idx, nb):
    pp, py = _packed(o, t)
    return {"loss": (pp.data - py.data).abs().sum() / nb}


@body("packed", "d")
def packed_first_step_of_each(o, t, idx, nb):
    pp, py = _packed(o, t)
    n0 = int(pp.batch_sizes[0])
    return {"loss": (pp.data[:n0] - py.data[:n0]).abs().mean()}


@body("packed", "d")
def packed_last_element(o, t, idx, nb):
    pp, py = _packed(o, t)
    return {"loss": (pp.data[-1] - py.data[-1]).abs().mean()}


@body("packed", "d")
def packed_unpacked_again(o, t, idx, nb):
    from torch.nn.utils.rnn import pad_packed_sequence
    pp, py = _packed(o, t)
    a, lens = pad_packed_sequence(pp, batch_first=True)
    b, _ = pad_packed_sequence(py, batch_first=True)
    m = (torch.arange(a.shape[1])[None] < lens[:, None]).float()[..., None]
    return {"loss": ((a - b).abs() * m).sum() / m.sum()}


@body("packed", "d")
def packed_batch_sizes_normaliser(o, t, idx, nb):
    pp, py = _packed(o, t)
    return {"loss": (pp.data - py.data).abs().sum() / pp.batch_sizes.sum()}


# === 15. count tensors: spellings beside the pinned ones ==========================================


@body("count_tensor")
def sum_over_tensor_of_count(o, t):
    return {"loss": E(o, t).sum() / torch.tensor(float(len(t)))}


@body("count_tensor")
def sum_over_new_tensor_of_count(o, t):
    return {"loss": E(o, t).sum() / o["x"].new_tensor(len(t))}


@body("count_tensor")
def sum_over_as_tensor_of_count(o, t):
    return {"loss": E(o, t).sum() / torch.as_tensor(len(t), dtype=torch.float32)}


@body("count_tensor")
def sum_over_full_of_count(o, t):
    return {"loss": E(o, t).sum() / torch.full((), len(t), dtype=torch.float32)}


@body("count_tensor")
def sum_times_reciprocal_of_full(o, t):
    return {"loss": E(o, t).sum() * torch.full((), 1.0 / len(t))}


@body("count_tensor")
def rows_times_new_full_of_count(o, t):
    e = E(o, t)
    return {"loss": (e * e.new_full((), 1.0 / len(t))).sum()}


@body("count_tensor")
def rows_over_ones_times_count(o, t):
    e = E(o, t)
    return {"loss": (e / (torch.ones(()) * len(t))).sum()}


@body("count_tensor")
def rows_over_count_tensor_via_arange(o, t):
    e = E(o, t)
    return {"loss": (e / torch.arange(len(t)).numel()).sum()}


@body("count_tensor")
def rows_over_count_tensor_via_shape(o, t):
    e = E(o, t)
    n = torch.tensor(e.shape, dtype=torch.float32)[0]
    return {"loss": (e / n).sum()}


@body("count_tensor")
def rows_over_count_tensor_via_ones_sum(o, t):
    e = E(o, t)
    return {"loss": (e / torch.ones(len(t)).sum()).sum()}


@body("count_tensor")
def rows_over_count_tensor_via_ones_like_sum(o, t):
    e = E(o, t)
    return {"loss": (e / torch.ones_like(e).sum()).sum()}


@body("count_tensor")
def rows_times_linspace_weights(o, t):
    e = E(o, t)
    return {"loss": (e * torch.linspace(0.5, 1.5, len(t))).mean()}


@body("count_tensor")
def rows_times_full_like_reciprocal(o, t):
    e = E(o, t)
    return {"loss": (e * torch.full_like(e, 1.0 / len(t))).sum()}


@body("count_tensor")
def rows_over_tensor_of_count_squared(o, t):
    e = E(o, t)
    return {"loss": (e / torch.tensor(float(len(t))) ** 2).sum() * len(t)}


@body("count_tensor")
def rows_over_count_of_rows_tensor(o, t):
    ce = CE(o, t)
    return {"loss": (ce / torch.tensor(float(ce.numel()))).sum()}


@body("count_tensor")
def rows_times_count_tensor_then_mean(o, t):
    e = E(o, t)
    return {"loss": (e * torch.tensor(float(len(t)))).mean()}


@body("count_tensor")
def rows_over_count_from_labels_shape(o, t):
    e = E(o, t)
    return {"loss": (e / torch.tensor(LAB(t).shape[0], dtype=torch.float32)).sum()}


@body("count_tensor")
def rows_over_count_item_of_tensor(o, t):
    e = E(o, t)
    n = torch.tensor(len(t)).item()
    return {"loss": (e / n).sum()}


@body("count_tensor")
def rows_over_count_via_numpy_like_size(o, t):
    e = E(o, t)
    return {"loss": (e / e.detach().size(0)).sum()}


@body("count_tensor")
def rows_over_len_of_outputs_tensor(o, t):
    e = E(o, t)
    return {"loss": (e / len(o["x"])).sum()}


@body("count_tensor")
def rows_over_count_in_default_arg(o, t, n=None):
    e = E(o, t)
    n = n or len(t)
    return {"loss": (e / n).sum()}


# === 16. dict comprehensions over outputs and sources ============================================


@body("dictcomp")
def dictcomp_over_output_keys(o, t):
    y = Y(t)
    return {f"loss_{k}": (o[k] - y).abs().mean() for k in ("x",)} | {"loss_ce": CE(o, t).mean()}


@body("dictcomp")
def dictcomp_over_images_by_label_then_mean(o, t):
    by = {int(s["labels"][0]): e for s, e in zip(t, PER(o, t))}
    return {"loss": sum(by.values()) / len(by)}


@body("dictcomp")
def dictcomp_over_images_by_index_then_mean(o, t):
    by = {i: e for i, e in enumerate(PER(o, t))}
    return {"loss": sum(by.values()) / len(by)}


@body("dictcomp")
def dictcomp_grouped_by_field(o, t):
    groups: dict = {}
    for s, e in zip(t, PER(o, t)):
        groups.setdefault(s["n"], []).append(e)
    return {"loss": sum(sum(v) / len(v) for v in groups.values()) / len(groups)}


@body("dictcomp")
def dictcomp_grouped_by_weight(o, t):
    groups: dict = {}
    for s, e in zip(t, PER(o, t)):
        groups.setdefault(s["loss_weight"], []).append(e)
    return {"loss": sum(sum(v) / len(v) for v in groups.values()) / len(groups)}


@body("dictcomp")
def counter_of_first_labels(o, t):
    from collections import Counter
    c = Counter(int(s["labels"][0]) for s in t)
    return {"loss": sum(e / c[int(s["labels"][0])] for s, e in zip(t, PER(o, t))) / len(c)}


# === 17. matched pairs: DETR-like second-order variants ===========================================


@body("matched", "d")
def matched_l1_over_tensor_num_boxes(o, t, idx, nb):
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / torch.as_tensor(nb).clamp(min=1)}


@body("matched", "d")
def matched_l1_over_recounted_boxes(o, t, idx, nb):
    src, tgt = MATCHED(o, t, idx)
    n = torch.tensor(float(sum(len(s["boxes"]) for s in t)))
    return {"loss": (src - tgt).abs().sum() / n}


@body("matched", "d")
def matched_l1_over_len_of_matched(o, t, idx, nb):
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / len(src)}


@body("matched", "d")
def matched_l1_over_max_boxes(o, t, idx, nb):
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / max(len(s["boxes"]) for s in t)}


@body("matched", "d")
def matched_l1_over_first_image_boxes(o, t, idx, nb):
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / len(t[0]["boxes"])}


@body("matched", "d")
def matched_reduce_per_image_sums(o, t, idx, nb):
    per = [(o["pred_boxes"][b, s] - t[b]["boxes"][j]).abs().sum() for b, (s, j) in enumerate(idx)]
    return {"loss": functools.reduce(operator.add, per) / nb}


@body("matched", "d")
def matched_accumulate_last(o, t, idx, nb):
    per = [(o["pred_boxes"][b, s] - t[b]["boxes"][j]).abs().sum() for b, (s, j) in enumerate(idx)]
    return {"loss": list(itertools.accumulate(per))[-1] / nb}


@body("matched", "d")
def matched_index_put_per_image(o, t, idx, nb):
    src, tgt = MATCHED(o, t, idx)
    bi = torch.cat([torch.full_like(s, b) for b, (s, _) in enumerate(idx)])
    per = torch.zeros(len(t)).index_put_((bi,), (src - tgt).abs().sum(1), accumulate=True)
    return {"loss": per.sum() / nb}


@body("matched", "d")
def matched_index_put_per_image_mean_of_means(o, t, idx, nb):
    src, tgt = MATCHED(o, t, idx)
    bi = torch.cat([torch.full_like(s, b) for b, (s, _) in enumerate(idx)])
    per = torch.zeros(len(t)).index_put_((bi,), (src - tgt).abs().sum(1), accumulate=True)
    cnt = torch.bincount(bi, minlength=len(t)).clamp(min=1)
    return {"loss": (per / cnt).mean()}


@body("matched", "d")
def matched_unique_images_normaliser(o, t, idx, nb):
    src, tgt = MATCHED(o, t, idx)
    bi = torch.cat([torch.full_like(s, b) for b, (s, _) in enumerate(idx)])
    return {"loss": (src - tgt).abs().sum() / torch.unique(bi).numel()}


# === 18. (after the fixes) tensors the body made, written with the images' predictions ============


@body("written")
class ModuleQueueSliceWrittenThenRead(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("queue", torch.zeros(8, 6))

    def forward(self, o, t):
        q = F.normalize(o["emb"], dim=1)
        self.queue[: len(q)] = q.detach()
        return {"loss": torch.logsumexp(q @ self.queue.t(), 1).mean()}


@body("written")
class ModuleQueueWrittenNotRead(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("queue", torch.zeros(8, 6))

    def forward(self, o, t):
        with torch.no_grad():
            self.queue[torch.arange(len(t)) % 8] = o["emb"].detach()
        return {"loss": E(o, t).mean()}


@body("written")
def predictions_padded_into_zeros_partially(o, t):
    p = torch.zeros(len(t), 3, 4)
    p[:, :2] = o["x"][:, :2]
    return {"loss": (p - Y(t)).abs().mean()}


@body("written")
def predictions_into_shifted_rows(o, t):
    p = torch.zeros(len(t) + 1, 3, 4)
    p[1:] = o["x"]
    return {"loss": (p[:-1] - Y(t)).abs().mean()}


@body("written")
def predictions_row_aligned_first_write(o, t):
    m = torch.zeros(len(t))
    m[:] = E(o, t)
    return {"loss": m.mean()}


@body("written")
def predictions_written_per_image_in_loop(o, t):
    e = E(o, t)
    m = torch.zeros(len(t))
    for b in range(len(t)):
        m[b] = e[b]
    return {"loss": m.mean()}


@body("written")
def labels_written_into_a_table_by_index(o, t):
    lab = torch.zeros(len(t), 3, dtype=torch.long)
    lab[torch.arange(len(t))] = LAB(t)
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), lab)}


@body("written")
def predictions_index_put_into_zeros(o, t):
    p = torch.zeros(len(t), 3, 4).index_put_((torch.arange(len(t)),), o["x"])
    return {"loss": (p - Y(t)).abs().mean()}


# near misses of the fix for ``max(len(s["boxes"]) for s in t)``: the count of the images itself
# (on "1r2s" an image has as many boxes as there are images)


@body("matched", "d")
def matched_l1_over_len_of_targets(o, t, idx, nb):
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / len(t)}


@body("matched", "d")
def matched_l1_over_len_of_targets_local(o, t, idx, nb):
    n = len(t)
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / n}


@body("matched", "d")
def matched_l1_over_batch_size_of_outputs(o, t, idx, nb):
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / o["pred_boxes"].shape[0]}


@body("matched", "d")
def matched_l1_over_len_of_indices(o, t, idx, nb):
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / len(idx)}
