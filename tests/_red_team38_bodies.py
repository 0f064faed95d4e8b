# ruff: noqa: B023, E731 -- what this red team tries: realistic criteria written tersely, closures over loops
"""Red team of session 37 (helper rt38): adversarial but realistic criterion bodies against the STRUCTURE
of criteria rather than single op rules: criterion classes holding ``nn.Module`` sub-losses
(``nn.CrossEntropyLoss(weight=, label_smoothing=, ignore_index=)``, ``nn.SmoothL1Loss(beta)``),
``functools.partial`` losses, losses held in dicts / lists of modules, ``self.weight_dict`` multiplies,
auxiliary losses in loops over decoder layers with ``f"loss_{i}"`` keys, DETR-like ``get_loss``
dispatch; state across calls (step counters, schedules of ``self.step``, EMA buffers of batch
statistics, per-class running frequencies, DINO centres, history lists); random draws in the body (own
generators and the global one: ``randperm`` negatives, dropout, ``rand`` masks, Gumbel noise, Python's
``random``); side effects beside host reads (a module-level log); ``torch.autocast``, ``torch.utils.checkpoint``, custom ``autograd.Function`` losses,
``torch.func.vmap`` / ``functional_call``, ``no_grad`` / ``inference_mode`` metrics, detached
normalisers and predictions without grad; targets in unusual containers (a dataclass holding the weight
in a nested dict, a dict of lists, YOLO-like stacked rows with a ``batch_idx`` column, padded targets
with a ``num_objects`` tensor, NumPy arrays, lists of tuples, a tuple of lists); and returns (non-tensor
entries, nested metric dicts, tuples, aliased keys, keys written twice, a key spelt as a companion's
name, in-place updates of a returned tensor after the dict is made, ``OrderedDict`` / ``defaultdict``
returns, ``update`` / ``|=`` / ``pop``).

Bodies named ``near_*`` are the per-image shape of the same criterion: they must split exactly. Every
other body must split exactly or decline naming the key. ``BODIES``: name -> (family, batch kind,
body or criterion class); ``CONVERTS``: name -> the targets' conversion of a body of kind ``"xo"``.
Family ``"random"`` bodies are classes measured with the global generators seeded before every call
(``tests/_red_team38_measure.py``). The tests are ``tests/test_red_team38.py``."""

from __future__ import annotations

import dataclasses
import functools
import math
import random
from collections import OrderedDict, defaultdict
from typing import Any, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from _red_team26_bodies import CE, LAB, MATCHED, E, Y
from _red_team27_bodies import registrar
from torch import nn
from torch.utils.checkpoint import checkpoint

from losssplit import split_by_source

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)

CLASS_W = torch.tensor([0.2, 1.0, 3.0, 0.7, 1.3])


def _w(t):
    return torch.tensor([float(s["loss_weight"]) for s in t])


def _aux(o, n=3):
    """Stand-ins for decoder layers' outputs: each layer's x and logits, batch-first."""
    return [{"x": o["x"] * (1.0 + 0.1 * i), "logits": o["logits"].roll(i, -1)} for i in range(n)]


def _lab_ignored(t):
    lab = LAB(t)
    return torch.where(lab == 0, -100, lab)


# === 1. criterion classes holding sub-losses ======================================================


@body("module")
class CrossEntropyModuleAllOptions(nn.Module):
    def __init__(self):
        super().__init__()
        self.ce = nn.CrossEntropyLoss(weight=CLASS_W, label_smoothing=0.1, ignore_index=-100)

    def forward(self, o, t):
        return {"loss_ce": self.ce(o["logits"].flatten(0, 1), _lab_ignored(t).flatten())}


@body("module")
class CrossEntropyModuleNoneTimesImageWeight(nn.Module):  # the seed's relation CE, as a module
    def __init__(self):
        super().__init__()
        self.ce = nn.CrossEntropyLoss(weight=CLASS_W, reduction="none", ignore_index=-100)

    def forward(self, o, t):
        ce = self.ce(o["logits"].transpose(1, 2), _lab_ignored(t))  # [B, 3]
        w = torch.stack([torch.full((3,), float(s["loss_weight"])) for s in t])
        return {"loss_relation": (ce * w).mean()}


@body("module")
class CrossEntropyModuleSmoothingOverValidCount(nn.Module):
    def __init__(self):
        super().__init__()
        self.ce = nn.CrossEntropyLoss(label_smoothing=0.2, reduction="sum", ignore_index=-100)

    def forward(self, o, t):
        lab = _lab_ignored(t)
        return {"loss_ce": self.ce(o["logits"].flatten(0, 1), lab.flatten()) / (lab != -100).sum().clamp(min=1)}


@body("module")
class SmoothL1ModuleSumOverRows(nn.Module):
    def __init__(self):
        super().__init__()
        self.reg = nn.SmoothL1Loss(beta=0.05, reduction="sum")

    def forward(self, o, t):
        y = Y(t)
        return {"loss_reg": self.reg(o["x"], y) / y.shape[0] / y.shape[1]}


@body("module")
class SmoothL1ModuleNoneWeighted(nn.Module):
    def __init__(self):
        super().__init__()
        self.reg = nn.SmoothL1Loss(beta=0.1, reduction="none")

    def forward(self, o, t):
        per = self.reg(o["x"], Y(t)).mean((1, 2))
        w = _w(t)
        return {"loss_reg": (per * w).sum() / w.sum()}


@body("module")
class PartialSmoothL1Attribute(nn.Module):
    def __init__(self):
        super().__init__()
        self.reg = functools.partial(F.smooth_l1_loss, beta=0.1)

    def forward(self, o, t):
        return {"loss_reg": self.reg(o["x"], Y(t))}


@body("module")
class PartialCrossEntropyNoneWeighted(nn.Module):
    def __init__(self):
        super().__init__()
        self.ce = functools.partial(F.cross_entropy, label_smoothing=0.1, reduction="none")

    def forward(self, o, t):
        ce = self.ce(o["logits"].transpose(1, 2), LAB(t)).mean(1)
        return {"loss_ce": (ce * _w(t)).mean()}


@body("module")
class PartialWithClassWeightsSum(nn.Module):
    def __init__(self):
        super().__init__()
        self.ce = functools.partial(F.cross_entropy, weight=CLASS_W, reduction="sum")

    def forward(self, o, t):
        lab = LAB(t)
        return {"loss_ce": self.ce(o["logits"].flatten(0, 1), lab.flatten()) / CLASS_W[lab].sum()}


@body("module")
class PlainDictOfModulesWeightDict(nn.Module):
    def __init__(self):
        super().__init__()
        self.losses = {"loss_l1": nn.L1Loss(), "loss_mse": nn.MSELoss(), "loss_huber": nn.HuberLoss(delta=0.1)}
        self.weight_dict = {"loss_l1": 5.0, "loss_mse": 2.0, "loss_huber": 1.0}

    def forward(self, o, t):
        y = Y(t)
        out = {k: fn(o["x"], y) for k, fn in self.losses.items()}
        return {k: v * self.weight_dict[k] for k, v in out.items()}


@body("module")
class ModuleDictWeightDictTotal(nn.Module):
    def __init__(self):
        super().__init__()
        self.losses = nn.ModuleDict({"ce": nn.CrossEntropyLoss(label_smoothing=0.05), "l1": nn.L1Loss()})
        self.weight_dict = {"loss_ce": 1.0, "loss_l1": 5.0}

    def forward(self, o, t):
        out = {"loss_ce": self.losses["ce"](o["logits"].flatten(0, 1), LAB(t).flatten()),
               "loss_l1": self.losses["l1"](o["x"], Y(t))}
        out["loss"] = sum(self.weight_dict[k] * out[k] for k in self.weight_dict)
        return out


@body("module")
class ListOfNamedWeightedTerms(nn.Module):
    def __init__(self):
        super().__init__()
        self.terms = [("loss_l1", nn.L1Loss(reduction="none"), 2.0), ("loss_l2", nn.MSELoss(reduction="none"), 0.5)]

    def forward(self, o, t):
        y, w = Y(t), _w(t)
        out = {}
        for name, fn, lam in self.terms:
            out[name] = lam * (fn(o["x"], y).mean((1, 2)) * w).sum() / len(t)
        return out


@body("module")
class AuxLayersFStringKeys(nn.Module):
    def __init__(self):
        super().__init__()
        self.ce = nn.CrossEntropyLoss(weight=CLASS_W)
        self.l1 = nn.L1Loss()

    def forward(self, o, t):
        y, lab = Y(t), LAB(t).flatten()
        out = {}
        for i, layer in enumerate(_aux(o)):
            out[f"loss_ce_{i}"] = self.ce(layer["logits"].flatten(0, 1), lab)
            out[f"loss_bbox_{i}"] = self.l1(layer["x"], y)
        return out


@body("module")
class AuxLayersDictUpdateWithSuffix(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight_dict = {"loss_ce": 2.0, "loss_bbox": 5.0}

    def single(self, layer, t):
        w = _w(t)
        ce = F.cross_entropy(layer["logits"].transpose(1, 2), LAB(t), reduction="none").mean(1)
        return {"loss_ce": (ce * w).mean(), "loss_bbox": ((layer["x"] - Y(t)).abs().mean((1, 2)) * w).mean()}

    def forward(self, o, t):
        losses = {}
        for i, layer in enumerate(_aux(o)):
            part = self.single(layer, t)
            losses.update({f"{k}_{i}": v * self.weight_dict[k] for k, v in part.items()})
        return losses


@body("module")
class AuxLayersSummedIntoOneKey(nn.Module):
    def forward(self, o, t):
        w = _w(t)
        total = 0.0
        for layer in _aux(o, 4):
            total = total + ((layer["x"] - Y(t)).abs().mean((1, 2)) * w).sum() / w.sum()
        return {"loss_bbox": total / 4}


@body("module")
class AuxLayersMeanOfStackedTerms(nn.Module):
    def forward(self, o, t):
        terms = [F.cross_entropy(a["logits"].flatten(0, 1), LAB(t).flatten()) for a in _aux(o)]
        return {"loss_ce": torch.stack(terms).mean(), **{f"loss_ce_{i}": v for i, v in enumerate(terms)}}


@body("module")
class AuxLayersDecayingWeights(nn.Module):
    def __init__(self):
        super().__init__()
        self.decay = 0.5

    def forward(self, o, t):
        out = {}
        layers = _aux(o)
        for i, layer in enumerate(layers):
            lam = self.decay ** (len(layers) - 1 - i)
            out[f"loss_{i}"] = lam * F.smooth_l1_loss(layer["x"], Y(t), beta=0.05)
        return out


@body("module")
class GetLossDispatchByName(nn.Module):
    def __init__(self):
        super().__init__()
        self.losses = ["labels", "boxes"]

    def loss_labels(self, o, t):
        return {"loss_ce": F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), CLASS_W)}

    def loss_boxes(self, o, t):
        return {"loss_bbox": (o["x"] - Y(t)).abs().sum() / (len(t) * 3)}

    def forward(self, o, t):
        out = {}
        for name in self.losses:
            out.update(getattr(self, f"loss_{name}")(o, t))
        return out


@body("module")
class GetLossDispatchByMap(nn.Module):
    def loss_labels(self, o, t):
        ce = CE(o, t)
        return {"loss_ce": (ce.mean(1) * _w(t)).mean()}

    def loss_reg(self, o, t):
        return {"loss_reg": F.mse_loss(o["x"], Y(t))}

    def forward(self, o, t):
        loss_map = {"labels": self.loss_labels, "reg": self.loss_reg}
        out = {}
        for k in ("labels", "reg"):
            out.update(loss_map[k](o, t))
        return out


@body("module")
class SubCriterionHoldingWeightDict(nn.Module):
    """A criterion made of another criterion, the outer one multiplying its keys."""

    def __init__(self):
        super().__init__()
        self.inner = GetLossDispatchByName()
        self.weight_dict = {"loss_ce": 1.0, "loss_bbox": 5.0}

    def forward(self, o, t):
        inner = self.inner(o, t)
        return {k: v * self.weight_dict[k] for k, v in inner.items() if k in self.weight_dict}


@body("module")
class NnLinearHeadInCriterion(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Linear(6, 5)
        with torch.no_grad():
            self.head.weight.copy_(torch.linspace(-1, 1, 30).reshape(5, 6))
            self.head.bias.zero_()
        self.ce = nn.CrossEntropyLoss(label_smoothing=0.1)

    def forward(self, o, t):
        return {"loss_cls": self.ce(self.head(o["emb"]), LAB(t)[:, 0])}


@body("module")
class SequentialProjectorThenCosine(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 4))
        with torch.no_grad():
            for p in self.proj.parameters():
                p.copy_(torch.linspace(-0.5, 0.5, p.numel()).reshape(p.shape))

    def forward(self, o, t):
        return {"loss_cos": (1 - F.cosine_similarity(self.proj(o["x"]), Y(t), dim=-1)).mean()}


@body("module")
class BCEWithLogitsModulePosWeight(nn.Module):
    def __init__(self):
        super().__init__()
        self.bce = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([1.0, 2.0, 0.5, 1.5, 3.0]), reduction="none")

    def forward(self, o, t):
        onehot = F.one_hot(LAB(t), 5).float()
        per = self.bce(o["logits"], onehot).mean((1, 2))
        return {"loss_bce": (per * _w(t)).sum() / len(t)}


@body("module")
class KLDivModuleBatchmeanDistill(nn.Module):
    def __init__(self):
        super().__init__()
        self.kl = nn.KLDivLoss(reduction="batchmean")
        self.tau = 2.0

    def forward(self, o, t):
        s = F.log_softmax(o["logits"].flatten(0, 1) / self.tau, -1)
        q = F.softmax(Y(t)[..., :1].expand(-1, -1, 5).flatten(0, 1) * torch.arange(5.0) / self.tau, -1)
        return {"loss_kd": self.kl(s, q) * self.tau ** 2}


@body("module")
class FocalFromModuleAttributes(nn.Module):
    def __init__(self):
        super().__init__()
        self.alpha, self.gamma = 0.25, 2.0

    def forward(self, o, t):
        onehot = F.one_hot(LAB(t), 5).float()
        p = o["logits"].sigmoid()
        ce = F.binary_cross_entropy_with_logits(o["logits"], onehot, reduction="none")
        pt = p * onehot + (1 - p) * (1 - onehot)
        a = self.alpha * onehot + (1 - self.alpha) * (1 - onehot)
        return {"loss_focal": (a * ce * (1 - pt) ** self.gamma).mean(1).sum() / (len(t) * 3)}


# === 2. DETR-like criteria on matched boxes (kind "d": o, t, indices, num_boxes) =================


def _boxes_aux(o, n=2):
    return [{"pred_boxes": o["pred_boxes"] * (1.0 - 0.05 * i)} for i in range(n)]


@body("detr", "d")
class DetrCriterionWeightDictAux(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight_dict = {"loss_bbox": 5.0, "loss_mse": 2.0}

    def get_loss(self, name, o, t, idx, nb):
        src, tgt = MATCHED(o, t, idx)
        if name == "bbox":
            return {"loss_bbox": F.l1_loss(src, tgt, reduction="none").sum() / nb}
        return {"loss_mse": F.mse_loss(src, tgt, reduction="sum") / nb}

    def forward(self, o, t, idx, nb):
        losses = {}
        for name in ("bbox", "mse"):
            losses.update(self.get_loss(name, o, t, idx, nb))
        for i, aux in enumerate(_boxes_aux(o)):
            for name in ("bbox", "mse"):
                losses.update({f"{k}_{i}": v for k, v in self.get_loss(name, aux, t, idx, nb).items()})
        return {k: v * self.weight_dict[k.rsplit("_", 1)[0] if k[-1].isdigit() else k] for k, v in losses.items()}


@body("detr", "d")
class DetrSeedRelationWeighted(nn.Module):
    """The seed's pattern: per matched row weights from each image's loss_weight, a mean over rows."""

    def forward(self, o, t, idx, nb):
        src, tgt = MATCHED(o, t, idx)
        w = torch.cat([torch.full((len(j),), float(s["loss_weight"])) for s, (_, j) in zip(t, idx)])
        return {"loss_bbox_relation": (F.l1_loss(src, tgt, reduction="none").sum(-1) * w).mean()}


@body("detr", "d")
class DetrNumBoxesClampedInForward(nn.Module):
    def forward(self, o, t, idx, nb):
        num = torch.as_tensor([float(sum(len(s["labels"]) for s in t))]).clamp(min=1).item()
        src, tgt = MATCHED(o, t, idx)
        return {"loss_bbox": F.l1_loss(src, tgt, reduction="sum") / num}


@body("detr", "d")
class DetrTgtBoxesCatThenWeightsCat(nn.Module):
    def forward(self, o, t, idx, nb):
        src, tgt = MATCHED(o, t, idx)
        w = torch.cat([s["loss_weight"] * torch.ones(len(j)) for s, (_, j) in zip(t, idx)])
        per = F.smooth_l1_loss(src, tgt, beta=0.05, reduction="none").sum(-1)
        return {"loss_bbox": (per * w).sum() / nb, "loss_bbox_unweighted": per.sum() / nb}


# === 3. state across calls =========================================================================


@body("state")
class StepCounterWarmupFactor(nn.Module):
    def __init__(self):
        super().__init__()
        self.step = 0

    def forward(self, o, t):
        self.step += 1
        return {"loss": min(1.0, self.step / 10) * (E(o, t) * _w(t)).mean()}


@body("state")
class StepScheduleSwitchesTerm(nn.Module):
    def __init__(self):
        super().__init__()
        self.step = 0

    def forward(self, o, t):
        self.step += 1
        alpha = 0.25 if self.step < 2 else 0.75
        return {"loss": alpha * CE(o, t).mean() + (1 - alpha) * E(o, t).mean()}


@body("state")
class StepCounterTensorBufferCosine(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("step", torch.zeros((), dtype=torch.long))

    def forward(self, o, t):
        self.step += 1
        lam = 0.5 * (1 + torch.cos(math.pi * self.step.float() / 20))
        return {"loss": lam * E(o, t).mean()}


@body("state")
class ImagesSeenCounterScales(nn.Module):
    def __init__(self):
        super().__init__()
        self.seen = 0

    def forward(self, o, t):
        self.seen += len(t)
        return {"loss": E(o, t).mean() * self.seen ** -0.5}


@body("state")
class ImagesSeenCountedInLoop(nn.Module):
    def __init__(self):
        super().__init__()
        self.seen = 0

    def forward(self, o, t):
        out = 0.0
        for i, s in enumerate(t):
            self.seen += 1
            out = out + (o["x"][i] - s["y"]).abs().mean()
        return {"loss": out / len(t), "images_seen": self.seen}


@body("state")
class EmaOfBatchLossNormalisesAfterUpdate(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("ema", torch.tensor(0.3))

    def forward(self, o, t):
        loss = (E(o, t) * _w(t)).mean()
        self.ema.mul_(0.9).add_(0.1 * loss.detach())
        return {"loss": loss / self.ema}


@body("state")
class EmaOfClassFrequencyAsClassWeights(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("freq", torch.full((5,), 0.2))

    def forward(self, o, t):
        lab = LAB(t).flatten()
        self.freq.mul_(0.9).add_(0.1 * torch.bincount(lab, minlength=5).float() / lab.numel())
        cw = 1.0 / (self.freq + 0.05)
        return {"loss": F.cross_entropy(o["logits"].flatten(0, 1), lab, weight=cw / cw.sum() * 5)}


@body("state")
class EmaOfClassFrequencyUsedBeforeUpdate(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("freq", torch.full((5,), 0.2))

    def forward(self, o, t):
        lab = LAB(t).flatten()
        cw = 1.0 / (self.freq + 0.05)
        loss = F.cross_entropy(o["logits"].flatten(0, 1), lab, weight=cw)
        self.freq.mul_(0.9).add_(0.1 * torch.bincount(lab, minlength=5).float() / lab.numel())
        return {"loss": loss}


@body("state")
class DinoCenterUpdatedAfterUse(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("center", torch.zeros(6))
        self.tau_s, self.tau_t = 0.1, 0.04

    def forward(self, o, t):
        teacher = _key(t)
        q = F.softmax((teacher - self.center) / self.tau_t, -1)
        loss = -(q * F.log_softmax(o["emb"] / self.tau_s, -1)).sum(-1).mean()
        self.center.mul_(0.9).add_(0.1 * teacher.mean(0))
        return {"loss_dino": loss}


@body("state")
class DinoCenterUpdatedBeforeUse(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("center", torch.zeros(6))

    def forward(self, o, t):
        teacher = _key(t)
        self.center.mul_(0.9).add_(0.1 * teacher.mean(0))
        q = F.softmax((teacher - self.center) / 0.04, -1)
        return {"loss_dino": -(q * F.log_softmax(o["emb"] / 0.1, -1)).sum(-1).mean()}


@body("state")
class HistoryListMeanNormaliser(nn.Module):
    def __init__(self):
        super().__init__()
        self.history: list[float] = []

    def forward(self, o, t):
        loss = E(o, t).mean()
        self.history.append(float(loss.detach()))
        return {"loss": loss / (sum(self.history) / len(self.history))}


@body("state")
class LastLossKeptAsTensor(nn.Module):
    def __init__(self):
        super().__init__()
        self.last = torch.tensor(1.0)

    def forward(self, o, t):
        loss = (E(o, t) * _w(t)).mean()
        ratio = loss / self.last.clamp(min=1e-3)
        self.last = loss.detach()
        return {"loss": loss, "loss_ratio": ratio.detach()}


@body("state")
class PerClassRunningSumIndexAdd(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("seen", torch.ones(5))

    def forward(self, o, t):
        lab = LAB(t).flatten()
        ce = F.cross_entropy(o["logits"].flatten(0, 1), lab, reduction="none")
        self.seen.index_add_(0, lab, torch.ones_like(lab, dtype=torch.float))
        w = (self.seen.sum() / self.seen)[lab]
        return {"loss": (ce * w).sum() / w.sum()}


@body("state")
class NearStateCounterOnlyLogged(nn.Module):
    def __init__(self):
        super().__init__()
        self.calls = 0

    def forward(self, o, t):
        self.calls += 1
        return {"loss": (E(o, t) * _w(t)).mean(), "calls": self.calls}


@body("near")
class NearEmaUsedBeforeUpdateConstantThisCall(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = torch.tensor(1.0)

    def forward(self, o, t):
        loss = (E(o, t) * _w(t)).mean()
        out = {"loss": loss * self.scale}
        self.scale = self.scale * 0.99
        return out


# === 4. randomness in the body (classes; the global generators are seeded before every call) ========


def _key(t):
    return Y(t).flatten(1)[:, :6]


@body("random")
class RandpermNegativesOwnGenerator(nn.Module):
    def __init__(self):
        super().__init__()
        self._g = torch.Generator().manual_seed(3)

    def forward(self, o, t):
        perm = torch.randperm(len(t), generator=self._g)
        pos = (o["emb"] - _key(t)).pow(2).sum(1)
        neg = (o["emb"] - _key(t)[perm]).pow(2).sum(1)
        return {"loss": F.relu(pos - neg + 1.0).mean()}


@body("random")
class RandpermNegativesGlobal(nn.Module):
    def forward(self, o, t):
        perm = torch.randperm(len(t))
        pos = (o["emb"] - _key(t)).pow(2).sum(1)
        return {"loss": F.relu(pos - (o["emb"] - _key(t)[perm]).pow(2).sum(1) + 1.0).mean()}


@body("random")
class DropoutOnPerRowErrors(nn.Module):
    def forward(self, o, t):
        e = (o["x"] - Y(t)).abs().mean(-1)
        return {"loss": F.dropout(e, 0.3, training=True).mean()}


@body("random")
class DropoutModuleInTraining(nn.Module):
    def __init__(self):
        super().__init__()
        self.drop = nn.Dropout(0.5)

    def forward(self, o, t):
        return {"loss": (self.drop(o["emb"]) - _key(t)).pow(2).mean()}


@body("random")
class NearDropoutModuleInEval(nn.Module):
    def __init__(self):
        super().__init__()
        self.drop = nn.Dropout(0.5)
        self.drop.eval()

    def forward(self, o, t):
        return {"loss": (self.drop(o["emb"]) - _key(t)).pow(2).mean()}


@body("random")
class RandLikeMaskOfRows(nn.Module):
    def forward(self, o, t):
        e = (o["x"] - Y(t)).abs().mean(-1)
        keep = torch.rand_like(e) < 0.7
        return {"loss": (e * keep).sum() / keep.sum().clamp(min=1)}


@body("random")
class RandMaskOfClassesFixedSize(nn.Module):
    def forward(self, o, t):
        keep = torch.rand(5) < 0.6
        onehot = F.one_hot(LAB(t), 5).float()
        bce = F.binary_cross_entropy_with_logits(o["logits"], onehot, reduction="none")
        return {"loss": (bce * keep).sum() / (keep.sum().clamp(min=1) * len(t) * 3)}


@body("random")
class RandintNegativeRowPerImage(nn.Module):
    def forward(self, o, t):
        j = torch.randint(0, 3, (len(t),))
        y = Y(t)
        neg = y[torch.arange(len(t)), j]
        pos = (o["x"][:, 0] - y[:, 0]).abs().sum(-1)
        return {"loss": F.relu(pos - (o["x"][:, 0] - neg).abs().sum(-1) + 0.5).mean()}


@body("random")
class GumbelNoiseOnLogits(nn.Module):
    def forward(self, o, t):
        u = torch.rand_like(o["logits"]).clamp(1e-6, 1 - 1e-6)
        noisy = o["logits"] - torch.log(-torch.log(u))
        return {"loss": F.cross_entropy(noisy.flatten(0, 1), LAB(t).flatten())}


@body("random")
class PythonRandomGateOfTerm(nn.Module):
    def forward(self, o, t):
        loss = E(o, t).mean()
        if random.random() < 0.5:
            loss = loss + 0.1 * CE(o, t).mean()
        return {"loss": loss}


@body("random")
class BernoulliLabelNoise(nn.Module):
    def forward(self, o, t):
        onehot = F.one_hot(LAB(t), 5).float()
        flip = torch.bernoulli(torch.full_like(onehot, 0.1))
        noisy = (onehot - flip).abs()
        return {"loss": F.binary_cross_entropy_with_logits(o["logits"], noisy)}


@body("random")
class MultinomialNegativesOwnGenerator(nn.Module):
    def __init__(self):
        super().__init__()
        self._g = torch.Generator().manual_seed(7)

    def forward(self, o, t):
        p = o["logits"].detach().softmax(-1).flatten(0, 1)  # [B*3, 5]
        neg = torch.multinomial(p, 1, generator=self._g).view(len(t), 3)
        lp = o["logits"].log_softmax(-1)
        return {"loss": -(lp.gather(-1, LAB(t)[..., None]) - lp.gather(-1, neg[..., None])).mean()}


@body("random")
class RandomProjectionFixedSize(nn.Module):
    def forward(self, o, t):
        proj = torch.randn(6, 4)
        return {"loss": (o["emb"] @ proj - _key(t) @ proj).pow(2).mean()}


@body("random")
class NearSeededGeneratorFreshEachCall(nn.Module):
    def forward(self, o, t):
        g = torch.Generator().manual_seed(0)
        keep = torch.rand(5, generator=g) < 0.6
        onehot = F.one_hot(LAB(t), 5).float()
        bce = F.binary_cross_entropy_with_logits(o["logits"], onehot, reduction="none")
        return {"loss": (bce * keep).mean()}


# === 5. autocast, checkpoint, autograd.Function, vmap / functional_call, no_grad ==================


def _rowwise_l1(x, y):
    return (x - y).abs().mean(-1)


@body("checkpoint")
def checkpointed_per_row_l1(o, t):
    per = checkpoint(_rowwise_l1, o["x"], Y(t), use_reentrant=False)
    return {"loss": (per.mean(1) * _w(t)).mean()}


@body("checkpoint")
def checkpointed_reentrant_ce(o, t):
    ce = checkpoint(lambda lg, lb: F.cross_entropy(lg.transpose(1, 2), lb, reduction="none"),
                    o["logits"], LAB(t), use_reentrant=True)
    return {"loss": ce.mean()}


@body("checkpoint")
def checkpointed_whole_reduction(o, t):
    return {"loss": checkpoint(lambda x, y: (x - y).abs().sum() / x.shape[0], o["x"], Y(t), use_reentrant=False)}


@body("autocast")
def autocast_bf16_ce_with_weights(o, t):
    with torch.autocast("cpu", dtype=torch.bfloat16):
        logits = o["logits"] @ torch.eye(5)
        ce = F.cross_entropy(logits.float().transpose(1, 2), LAB(t), reduction="none")
    return {"loss": (ce.mean(1) * _w(t)).mean()}


@body("autocast")
def autocast_region_then_float_mean(o, t):
    with torch.autocast("cpu", dtype=torch.bfloat16):
        d = torch.matmul(o["x"], torch.eye(4)) - Y(t)
    return {"loss": d.float().abs().mean()}


@body("autocast")
def autocast_disabled_inner_region(o, t):
    with torch.autocast("cpu", dtype=torch.bfloat16):
        h = o["emb"] @ torch.eye(6)
        with torch.autocast("cpu", enabled=False):
            loss = F.mse_loss(h.float(), _key(t))
    return {"loss": loss}


class _FocalFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, logits, onehot):
        p = logits.sigmoid()
        ctx.save_for_backward(p, onehot)
        return -(onehot * (1 - p) ** 2 * p.clamp_min(1e-6).log() + (1 - onehot) * p ** 2 * (1 - p).clamp_min(1e-6).log())

    @staticmethod
    def backward(ctx, g):
        p, onehot = ctx.saved_tensors
        return g * (p - onehot), None


@body("function")
def custom_function_focal_per_element(o, t):
    per = _FocalFn.apply(o["logits"], F.one_hot(LAB(t), 5).float())
    return {"loss": per.sum() / (len(t) * 3)}


@body("function")
def custom_function_focal_weighted(o, t):
    per = _FocalFn.apply(o["logits"], F.one_hot(LAB(t), 5).float()).sum((1, 2))
    w = _w(t)
    return {"loss": (per * w).sum() / w.sum()}


@body("function")
def custom_function_reduces_over_images(o, t):
    e = E(o, t)
    return {"loss": _Reduce.apply(e)}


class _Reduce(torch.autograd.Function):
    @staticmethod
    def forward(ctx, e):
        ctx.n = e.shape[0]
        return e.mean()

    @staticmethod
    def backward(ctx, g):
        return g.expand(ctx.n) / ctx.n


@body("vmap")
def vmap_per_sample_with_weights(o, t):
    per = torch.func.vmap(lambda x, y: F.smooth_l1_loss(x, y, beta=0.1))(o["x"], Y(t))
    return {"loss": (per * _w(t)).sum() / len(t)}


_HEAD = nn.Linear(6, 5)
with torch.no_grad():
    _HEAD.weight.copy_(torch.linspace(-1, 1, 30).reshape(5, 6))
    _HEAD.bias.zero_()
_HEAD_PARAMS = {k: v.detach() for k, v in _HEAD.named_parameters()}


@body("vmap")
def functional_call_head_ce(o, t):
    logits = torch.func.functional_call(_HEAD, _HEAD_PARAMS, (o["emb"],))
    return {"loss": F.cross_entropy(logits, LAB(t)[:, 0], label_smoothing=0.1)}


@body("vmap")
def vmap_functional_call_per_sample(o, t):
    def one(e, lab):
        return F.cross_entropy(torch.func.functional_call(_HEAD, _HEAD_PARAMS, (e[None],)), lab[None])
    per = torch.func.vmap(one)(o["emb"], LAB(t)[:, 0])
    return {"loss": (per * _w(t)).mean()}


@body("nograd")
def no_grad_accuracy_metric_key(o, t):
    with torch.no_grad():
        acc = (o["logits"].argmax(-1) == LAB(t)).float().mean()
    return {"loss_ce": CE(o, t).mean(), "acc": acc}


@body("nograd")
def inference_mode_metric_key(o, t):
    with torch.inference_mode():
        err = (o["x"] - Y(t)).abs().mean()
    return {"loss": (E(o, t) * _w(t)).mean(), "l1_metric": err}


@body("nograd")
def detached_normaliser_of_valid_rows(o, t):
    lab = _lab_ignored(t)
    ce = F.cross_entropy(o["logits"].transpose(1, 2), lab, reduction="none", ignore_index=-100)
    n = (lab != -100).sum().detach().clamp(min=1)
    return {"loss": ce.sum() / n}


@body("nograd")
def detached_per_image_normaliser(o, t):
    e = (o["x"] - Y(t)).abs().sum((1, 2))
    return {"loss": (e / e.detach().clamp(min=1e-3)).mean()}


@body("nograd")
def predictions_without_grad_metric_only(o, t):
    x = o["x"].detach()
    return {"loss": (E(o, t) * _w(t)).mean(), "err_nograd": (x - Y(t)).abs().mean()}


@body("nograd")
def predictions_requires_grad_false_only_key(o, t):
    x = o["x"].detach().requires_grad_(False)
    return {"loss_l1": ((x - Y(t)).abs().mean((1, 2)) * _w(t)).mean()}


@body("nograd")
def enable_grad_inside_no_grad(o, t):
    with torch.no_grad():
        w = _w(t)
        with torch.enable_grad():
            loss = (E(o, t) * w).sum() / w.sum()
    return {"loss": loss}


# === 6. targets in unusual containers (kind "xo": the conversion of the per-image dicts) ===========


@dataclasses.dataclass
class Sample:
    y: torch.Tensor
    labels: torch.Tensor
    meta: dict


def as_samples_meta(t):
    return [Sample(s["y"], s["labels"], {"loss_weight": s["loss_weight"], "id": i}) for i, s in enumerate(t)]


@body("containers", "xo", as_samples_meta)
def dataclass_weight_in_nested_meta(o, t):
    y = torch.stack([s.y for s in t])
    w = torch.tensor([s.meta["loss_weight"] for s in t])
    return {"loss": ((o["x"] - y).abs().mean((1, 2)) * w).mean()}


@body("containers", "xo", as_samples_meta)
def near_dataclass_meta_unweighted(o, t):
    y = torch.stack([s.y for s in t])
    return {"loss": (o["x"] - y).abs().mean()}


def as_dict_of_lists(t):
    return {"y": [s["y"] for s in t], "labels": [s["labels"] for s in t], "loss_weight": [s["loss_weight"] for s in t]}


@body("containers", "xo", as_dict_of_lists)
def dict_of_lists_weighted(o, t):
    per = torch.stack([(o["x"][i] - y).abs().mean() for i, y in enumerate(t["y"])])
    return {"loss": (per * torch.tensor(t["loss_weight"])).sum() / len(t["y"])}


@body("containers", "xo", as_dict_of_lists)
def dict_of_lists_zip_weights(o, t):
    total = sum(w * F.cross_entropy(o["logits"][i], lab) for i, (lab, w) in enumerate(zip(t["labels"], t["loss_weight"])))
    return {"loss": total / len(t["labels"])}


@body("containers", "xo", as_dict_of_lists)
def near_dict_of_lists_plain(o, t):
    return {"loss": (o["x"] - torch.stack(t["y"])).abs().mean()}


def as_yolo_rows(t):
    """Stacked target rows with a ``batch_idx`` column (Ultralytics-like), weights per image."""
    return {"batch_idx": torch.cat([torch.full((len(s["labels"]),), i) for i, s in enumerate(t)]),
            "row": torch.cat([torch.arange(len(s["labels"])) for s in t]),
            "cls": torch.cat([s["labels"] for s in t]), "y": torch.cat([s["y"] for s in t]),
            "loss_weight": torch.tensor([float(s["loss_weight"]) for s in t])}


@body("containers", "xo", as_yolo_rows)
def yolo_rows_gathered_by_batch_idx(o, t):
    pred = o["x"][t["batch_idx"], t["row"]]
    return {"loss_box": (pred - t["y"]).abs().sum(-1).mean()}


@body("containers", "xo", as_yolo_rows)
def yolo_rows_weighted_by_batch_idx(o, t):
    pred = o["x"][t["batch_idx"], t["row"]]
    w = t["loss_weight"][t["batch_idx"]]
    return {"loss_box": ((pred - t["y"]).abs().sum(-1) * w).sum() / w.sum()}


@body("containers", "xo", as_yolo_rows)
def yolo_rows_scattered_into_dense_targets(o, t):
    b = int(t["batch_idx"].max()) + 1
    dense = torch.zeros(b, 3, 5)
    dense[t["batch_idx"], t["row"], t["cls"]] = 1.0
    return {"loss_cls": F.binary_cross_entropy_with_logits(o["logits"], dense, reduction="sum") / max(len(t["cls"]), 1)}


@body("containers", "xo", as_yolo_rows)
def yolo_rows_batch_size_from_weights(o, t):
    b = len(t["loss_weight"])
    dense = torch.zeros(b, 3, 5)
    dense[t["batch_idx"], t["row"], t["cls"]] = 1.0
    bce = F.binary_cross_entropy_with_logits(o["logits"], dense, reduction="none").mean((1, 2))
    return {"loss_cls": (bce * t["loss_weight"]).sum() / b}


def as_padded_num_objects(t):
    """Padded targets: each image keeps its first ``1 + labels[0] % 3`` rows; ``num_objects`` says how many."""
    k = [1 + int(s["labels"][0]) % 3 for s in t]
    y = torch.stack([torch.cat([s["y"][:n], torch.zeros(3 - n, 4)]) for s, n in zip(t, k)])
    return {"y": y, "num_objects": torch.tensor(k), "loss_weight": torch.tensor([float(s["loss_weight"]) for s in t])}


@body("containers", "xo", as_padded_num_objects)
def padded_num_objects_masked_mean(o, t):
    m = torch.arange(3)[None] < t["num_objects"][:, None]
    return {"loss": ((o["x"] - t["y"]).abs().sum(-1) * m).sum() / m.sum()}


@body("containers", "xo", as_padded_num_objects)
def padded_num_objects_weighted(o, t):
    m = (torch.arange(3)[None] < t["num_objects"][:, None]).float()
    per = ((o["x"] - t["y"]).abs().sum(-1) * m).sum(1) / m.sum(1)
    return {"loss": (per * t["loss_weight"]).mean()}


@body("containers", "xo", as_padded_num_objects)
def padded_num_objects_over_total_objects(o, t):
    m = torch.arange(3)[None] < t["num_objects"][:, None]
    return {"loss": (o["x"] - t["y"]).abs().sum(-1)[m].sum() / t["num_objects"].sum()}


def as_numpy(t):
    return [{"y": s["y"].numpy(), "labels": s["labels"].numpy(), "loss_weight": np.float32(s["loss_weight"])} for s in t]


@body("containers", "xo", as_numpy)
def numpy_targets_from_numpy(o, t):
    y = torch.from_numpy(np.stack([s["y"] for s in t]))
    return {"loss": (o["x"] - y).abs().mean()}


@body("containers", "xo", as_numpy)
def numpy_targets_weight_array(o, t):
    y = torch.as_tensor(np.stack([s["y"] for s in t]))
    w = torch.as_tensor(np.array([s["loss_weight"] for s in t]))
    return {"loss": ((o["x"] - y).abs().mean((1, 2)) * w).mean()}


@body("containers", "xo", as_numpy)
def numpy_labels_ce(o, t):
    lab = torch.from_numpy(np.stack([s["labels"] for s in t])).long()
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), lab)}


def as_tuples(t):
    return [(s["y"], s["labels"], s["loss_weight"]) for s in t]


@body("containers", "xo", as_tuples)
def list_of_tuples_weighted(o, t):
    total = 0.0
    for i, (y, _, w) in enumerate(t):
        total = total + w * (o["x"][i] - y).abs().mean()
    return {"loss": total / len(t)}


@body("containers", "xo", as_tuples)
def list_of_tuples_plain(o, t):
    return {"loss": (o["x"] - torch.stack([y for y, _, _ in t])).abs().mean()}


def as_tuple_of_lists(t):
    return ([s["y"] for s in t], [s["labels"] for s in t], [s["loss_weight"] for s in t])


@body("containers", "xo", as_tuple_of_lists)
def tuple_of_lists_weighted(o, t):
    ys, labs, ws = t
    per = torch.stack([(o["x"][i] - y).abs().mean() for i, y in enumerate(ys)])
    return {"loss": (per * torch.tensor(ws)).sum() / torch.tensor(ws).sum()}


class Batch(NamedTuple):
    y: torch.Tensor
    labels: torch.Tensor
    loss_weight: torch.Tensor


def as_batch_namedtuple(t):
    """Batched tensors in a ``NamedTuple`` with the weight field."""
    return Batch(torch.stack([s["y"] for s in t]), torch.stack([s["labels"] for s in t]),
                 torch.tensor([float(s["loss_weight"]) for s in t]))


@body("containers", "xo", as_batch_namedtuple)
def namedtuple_batch_weight_field(o, t):
    return {"loss": ((o["x"] - t.y).abs().mean((1, 2)) * t.loss_weight).sum() / len(t.loss_weight)}


class Scored(NamedTuple):
    y: torch.Tensor
    quality: torch.Tensor


def as_scored_namedtuple(t):
    """A per-image quality score of the data, no weight field: the body's arithmetic, kept by the oracle."""
    return Scored(torch.stack([s["y"] for s in t]), torch.stack([0.5 + s["labels"][0] / 10 for s in t]))


@body("containers", "xo", as_scored_namedtuple)
def near_namedtuple_batch_quality_field(o, t):
    return {"loss": ((o["x"] - t.y).abs().mean((1, 2)) * t.quality).sum() / t.quality.sum()}


def as_nested_per_image(t):
    return [{"ann": {"y": s["y"], "labels": s["labels"]}, "loss_weight": s["loss_weight"]} for s in t]


@body("containers", "xo", as_nested_per_image)
def nested_annotation_dicts(o, t):
    y = torch.stack([s["ann"]["y"] for s in t])
    w = torch.tensor([s["loss_weight"] for s in t])
    return {"loss": ((o["x"] - y).abs().mean((1, 2)) * w).mean()}


def as_weights_dict_by_image_id(t):
    return {"anns": [{"y": s["y"], "image_id": i} for i, s in enumerate(t)],
            "weights": {i: s["loss_weight"] for i, s in enumerate(t)}}


@body("containers", "xo", as_weights_dict_by_image_id)
def weights_looked_up_by_image_id(o, t):
    total = 0.0
    for i, a in enumerate(t["anns"]):
        total = total + t["weights"][a["image_id"]] * (o["x"][i] - a["y"]).abs().mean()
    return {"loss": total / len(t["anns"])}


# === 7. returned values ============================================================================


@body("returns")
def non_tensor_entries_and_nested_metrics(o, t):
    loss = (E(o, t) * _w(t)).mean()
    return {"loss": loss, "num_images": len(t), "tag": "rt38", "metrics": {"l1": E(o, t).mean().detach(), "n": 3}}


@body("returns")
def aliased_key(o, t):
    out = {"loss_bbox": (E(o, t) * _w(t)).mean()}
    out["loss_bbox_copy"] = out["loss_bbox"]
    return out


@body("returns")
def key_written_twice(o, t):
    out = {"loss_ce": CE(o, t).mean()}
    out["loss_ce"] = out["loss_ce"] * 2 + (E(o, t) * _w(t)).mean()
    return out


@body("clash")
def key_spelt_as_a_companion(o, t):
    e = E(o, t)
    real = torch.tensor([float(s["loss_weight"]) >= 0.9 for s in t])
    return {"loss": e.mean(), "loss_real": (e * real).sum() / real.sum().clamp(min=1)}


@body("clash")
def key_spelt_as_synthetic_companion_constant(o, t):
    return {"loss": (E(o, t) * _w(t)).mean(), "loss_synthetic": torch.tensor(0.0)}


@body("returns")
def in_place_update_after_dict(o, t):
    loss = (E(o, t) * _w(t)).mean()
    out = {"loss": loss}
    loss.mul_(2.0)
    return out


@body("returns")
def in_place_add_of_other_term_after_dict(o, t):
    loss = E(o, t).mean()
    out = {"loss": loss, "loss_ce": CE(o, t).mean()}
    out["loss"] += 0.1 * out["loss_ce"]
    return out


@body("returns")
def in_place_div_by_count_after_dict(o, t):
    s = (o["x"] - Y(t)).abs().sum()
    out = {"loss": s}
    s.div_(len(t))
    return out


@body("returns")
def ordered_dict_return(o, t):
    out = OrderedDict()
    out["loss_ce"] = CE(o, t).mean()
    out["loss_l1"] = (E(o, t) * _w(t)).mean()
    return out


@body("returns")
def defaultdict_accumulated_over_images(o, t):
    out: defaultdict = defaultdict(float)
    for i, s in enumerate(t):
        out["loss_l1"] += s["loss_weight"] * (o["x"][i] - s["y"]).abs().mean() / len(t)
    return out


@body("returns")
def update_and_or_merge(o, t):
    out = {"loss_ce": CE(o, t).mean()}
    out.update(loss_l1=E(o, t).mean())
    out |= {"loss_mse": F.mse_loss(o["x"], Y(t))}
    return out


@body("returns")
def popped_temporary_key(o, t):
    out = {"tmp": E(o, t), "loss_l1": E(o, t).mean()}
    out["loss"] = (out.pop("tmp") * _w(t)).mean()
    return out


@body("returns")
def total_of_loss_keys(o, t):
    out = {"loss_ce": CE(o, t).mean(), "loss_l1": (E(o, t) * _w(t)).mean(), "acc": torch.tensor(0.5)}
    out["loss"] = sum(v for k, v in out.items() if k.startswith("loss"))
    return out


@body("returns")
def spread_into_new_dict(o, t):
    base = {"loss_ce": CE(o, t).mean(), "loss_l1": E(o, t).mean()}
    return {**base, "loss_total": sum(base.values())}


@body("returns")
def tuple_dict_and_extra(o, t):
    return {"loss": (E(o, t) * _w(t)).mean()}, {"n": len(t)}


@body("returns")
def one_element_shaped_tensor(o, t):
    return {"loss": (E(o, t) * _w(t)).mean().reshape(1)}


@body("returns")
def same_tensor_under_two_keys_then_one_scaled(o, t):
    loss = (E(o, t) * _w(t)).mean()
    out = {"loss_a": loss, "loss_b": loss}
    out["loss_b"] = out["loss_b"] * 3
    return out


@body("returns")
def keys_from_sorted_set_of_names(o, t):
    parts = {"l1": E(o, t), "ce": CE(o, t).mean(1)}
    return {f"loss_{k}": parts[k].mean() for k in sorted(set(parts))}


@body("returns")
def metric_of_the_image_count(o, t):
    return {"loss": (E(o, t) * _w(t)).mean(), "batch": torch.tensor(float(len(t)))}


@body("returns")
def returned_in_place_after_clone_in_dict(o, t):
    loss = (E(o, t) * _w(t)).mean()
    out = {"loss": loss.clone()}
    loss.zero_()
    return out


@body("returns")
def returned_view_then_base_written(o, t):
    per = E(o, t).clone()
    out = {"loss_first": per[0], "loss": per.mean()}
    per[0] = 0.0
    return out


@body("returns")
def dict_built_from_zip_of_names(o, t):
    names = ["loss_ce", "loss_l1"]
    vals = [CE(o, t).mean(), (E(o, t) * _w(t)).mean()]
    return dict(zip(names, vals, strict=True))


@body("returns")
def setdefault_then_add(o, t):
    out: dict = {}
    for i, s in enumerate(t):
        out.setdefault("loss", torch.zeros(()))
        out["loss"] = out["loss"] + (o["x"][i] - s["y"]).abs().mean()
    out["loss"] = out["loss"] / len(t)
    return out


# === 8. near misses of the structures above ========================================================


@body("near")
def near_partial_l1_module_level(o, t):
    return {"loss": _PARTIAL_L1(o["x"], Y(t))}


_PARTIAL_L1 = functools.partial(F.l1_loss, reduction="mean")


@body("near")
class NearAuxLayersPlainMeans(nn.Module):
    def forward(self, o, t):
        return {f"loss_{i}": (a["x"] - Y(t)).abs().mean() for i, a in enumerate(_aux(o))}


@body("near")
class NearWeightDictOfPlainMeans(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight_dict = {"loss_ce": 2.0, "loss_l1": 5.0}

    def forward(self, o, t):
        out = {"loss_ce": CE(o, t).mean(), "loss_l1": E(o, t).mean()}
        return {k: self.weight_dict[k] * v for k, v in out.items()}


@body("near")
def near_checkpoint_of_a_mean(o, t):
    return {"loss": checkpoint(lambda x, y: (x - y).abs().mean(), o["x"], Y(t), use_reentrant=False)}


@body("random")
class RandMaskOfImagesRows(nn.Module):
    def forward(self, o, t):
        e = (o["x"] - Y(t)).abs().mean(-1)
        keep = torch.rand(len(t), 3) < 0.7
        return {"loss": (e * keep).sum() / keep.sum().clamp(min=1)}


@body("random")
class RandnNoiseOfTheShape(nn.Module):
    def forward(self, o, t):
        y = Y(t)
        noisy = y + 0.1 * torch.randn(y.shape)
        return {"loss": F.mse_loss(o["x"], noisy)}


@body("random")
class RandpermSubsetOfImages(nn.Module):
    def forward(self, o, t):
        keep = torch.randperm(len(t))[: max(1, len(t) // 2)]
        return {"loss": E(o, t)[keep].mean()}


# === 9. criteria made of criteria: inheritance, nested decorated helpers, dispatch by name ==========


class _BaseSetCriterion(nn.Module):
    def __init__(self):
        super().__init__()
        self.eos_coef = 0.1

    def forward(self, o, t):
        cw = torch.ones(5)
        cw[-1] = self.eos_coef
        return {"loss_ce": F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), cw)}


@body("compose")
class InheritedForwardPlusTerm(_BaseSetCriterion):
    def forward(self, o, t):
        out = super().forward(o, t)
        out["loss_bbox"] = (E(o, t) * _w(t)).sum() / _w(t).sum()
        return out


@body("nested")
class NestedDecoratedGetLoss(nn.Module):
    """The seed's layout: the term's method decorated too, its dict merged into forward's."""

    @split_by_source
    def get_relation_loss(self, o, t):
        ce = F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), CLASS_W, reduction="none")
        return {"loss_relation": (ce * _w(t)[:, None]).mean()}

    def forward(self, o, t):
        out = {"loss_bbox": E(o, t).mean()}
        out.update(self.get_relation_loss(o, t))
        return out


@body("clash")
class NestedDecoratedThenWeightDictGet(nn.Module):
    """forward multiplies every key of a decorated helper's dict (its companions too) by ``weight_dict.get``."""

    def __init__(self):
        super().__init__()
        self.weight_dict = {"loss_relation": 2.0}

    @split_by_source
    def get_relation_loss(self, o, t):
        return {"loss_relation": (CE(o, t).mean(1) * _w(t)).mean()}

    def forward(self, o, t):
        inner = self.get_relation_loss(o, t)
        return {k: v * self.weight_dict.get(k, 1.0) for k, v in inner.items()}


@body("compose")
class NestedDecoratedFilteredByWeightDict(nn.Module):
    """detectron2's way: only the keys in ``weight_dict`` are kept and multiplied."""

    def __init__(self):
        super().__init__()
        self.weight_dict = {"loss_relation": 2.0, "loss_bbox": 5.0}

    @split_by_source
    def get_relation_loss(self, o, t):
        return {"loss_relation": (CE(o, t).mean(1) * _w(t)).mean()}

    def forward(self, o, t):
        losses = {"loss_bbox": (E(o, t) * _w(t)).mean(), **self.get_relation_loss(o, t)}
        return {k: losses[k] * self.weight_dict[k] for k in losses.keys() if k in self.weight_dict}


@body("compose")
class LambdasInADict(nn.Module):
    def __init__(self):
        super().__init__()
        self.fns = {"loss_l1": lambda a, b: (a - b).abs().mean(), "loss_l2": lambda a, b: (a - b).pow(2).mean()}

    def forward(self, o, t):
        y = Y(t)
        return {k: fn(o["x"], y) for k, fn in self.fns.items()}


@body("compose")
class GetattrOfFunctionalByName(nn.Module):
    def __init__(self):
        super().__init__()
        self.loss_name, self.kwargs = "smooth_l1_loss", {"beta": 0.05, "reduction": "none"}

    def forward(self, o, t):
        per = getattr(F, self.loss_name)(o["x"], Y(t), **self.kwargs).mean((1, 2))
        return {"loss": (per * _w(t)).sum() / len(t)}


@body("compose")
class NoGradMatcherThenLoss(nn.Module):
    """A matcher under ``torch.no_grad()`` (each image's rows assigned by argmin of its own costs)."""

    @torch.no_grad()
    def match(self, o, t):
        cost = torch.cdist(o["x"], Y(t), p=1)  # [B, 3, 3], per image
        return cost.argmin(-1)

    def forward(self, o, t):
        j = self.match(o, t)
        y = torch.gather(Y(t), 1, j[..., None].expand(-1, -1, 4))
        per = (o["x"] - y).abs().sum(-1).mean(1)
        return {"loss_bbox": (per * _w(t)).sum() / _w(t).sum()}


@body("compose")
class StartsFromFloatZeroTotal(nn.Module):
    def forward(self, o, t):
        losses = {"loss_ce": 0.0, "loss_l1": (E(o, t) * _w(t)).mean()}
        if o["logits"].shape[-1] > 10:  # never: the key stays a float
            losses["loss_ce"] = CE(o, t).mean()
        losses["loss"] = sum(losses.values())
        return losses


@body("compose")
class AuxListSlicedLastIsMain(nn.Module):
    def forward(self, o, t):
        layers = _aux(o, 4)
        out = {"loss_bbox": (layers[-1]["x"] - Y(t)).abs().mean()}
        for i, a in enumerate(layers[:-1]):
            out[f"loss_bbox_{i}"] = ((a["x"] - Y(t)).abs().mean((1, 2)) * _w(t)).mean()
        return out


@body("returns")
def list_of_per_layer_values(o, t):
    return {"loss": E(o, t).mean(), "loss_layers": [a["x"].sub(Y(t)).abs().mean() for a in _aux(o)]}


class LossDict(dict):
    """A dict subclass with a total, as some trainers return."""

    @property
    def total(self):
        return sum(self.values())


@body("returns")
def dict_subclass_return(o, t):
    return LossDict(loss_ce=CE(o, t).mean(), loss_l1=(E(o, t) * _w(t)).mean())


@body("near")
class NearInheritedForwardOnly(_BaseSetCriterion):
    pass


# === 10. side effects beside a choice the groups decide on their own ================================

LOG: list[float] = []  # a module-level log a criterion appends to (checked by the tests: once per call)


@body("state")
class StepCounterBesideACountBranch(nn.Module):
    def __init__(self):
        super().__init__()
        self.step = 0

    def forward(self, o, t):
        self.step += 1
        loss = CE(o, t).mean()
        if (LAB(t) == 0).sum().item() > 2:
            loss = loss * 0.5
        return {"loss": loss * min(1.0, self.step / 4)}


@body("state")
class LogAppendBesideAnItemBranch(nn.Module):
    def forward(self, o, t):
        loss = (E(o, t) * _w(t)).mean()
        hard = E(o, t).max().item() > 0.2
        LOG.append(float(loss.detach()))
        return {"loss": loss * 2 if hard else loss}


@body("state")
class QueueOfPastEmbeddingsNegatives(nn.Module):
    """MoCo-like: negatives from a queue of earlier calls' keys, enqueued after use."""

    def __init__(self):
        super().__init__()
        self.register_buffer("queue", torch.linspace(-1, 1, 8 * 6).reshape(8, 6))

    def forward(self, o, t):
        q, k = F.normalize(o["emb"], dim=1), F.normalize(_key(t), dim=1)
        pos = (q * k).sum(1, keepdim=True)
        neg = q @ self.queue.T
        logits = torch.cat([pos, neg], 1) / 0.2
        loss = F.cross_entropy(logits, torch.zeros(len(t), dtype=torch.long))
        self.queue = torch.cat([k.detach(), self.queue])[:8]
        return {"loss_moco": loss}


# === 11. the same containers without a weight field (labels from ``losssplit.sources``) =============


def as_yolo_rows_unweighted(t):
    rows = as_yolo_rows(t)
    del rows["loss_weight"]
    return rows


@body("containers", "xo", as_yolo_rows_unweighted)
def yolo_plain_gathered_by_batch_idx(o, t):
    pred = o["x"][t["batch_idx"], t["row"]]
    return {"loss_box": (pred - t["y"]).abs().sum(-1).mean()}


@body("containers", "xo", as_yolo_rows_unweighted)
def yolo_plain_dense_targets_from_max_batch_idx(o, t):
    dense = torch.zeros(int(t["batch_idx"].max()) + 1, 3, 5)
    dense[t["batch_idx"], t["row"], t["cls"]] = 1.0
    return {"loss_cls": F.binary_cross_entropy_with_logits(o["logits"], dense, reduction="sum") / max(len(t["cls"]), 1)}


@body("containers", "xo", as_yolo_rows_unweighted)
def yolo_plain_dense_targets_of_the_outputs_size(o, t):
    dense = torch.zeros_like(o["logits"])
    dense[t["batch_idx"], t["row"], t["cls"]] = 1.0
    return {"loss_cls": F.binary_cross_entropy_with_logits(o["logits"], dense)}


@body("containers", "xo", as_yolo_rows_unweighted)
def yolo_plain_per_image_mean_by_bincount(o, t):
    b = o["x"].shape[0]
    per_row = (o["x"][t["batch_idx"], t["row"]] - t["y"]).abs().sum(-1)
    n = torch.bincount(t["batch_idx"], minlength=b).clamp(min=1)
    per_image = torch.zeros(b).index_add(0, t["batch_idx"], per_row) / n
    return {"loss_box": per_image.mean()}


@body("containers", "xo", as_yolo_rows_unweighted)
def yolo_plain_mask_of_one_image_rows_in_loop(o, t):
    total = 0.0
    for i in range(o["x"].shape[0]):
        m = t["batch_idx"] == i
        total = total + (o["x"][i, t["row"][m]] - t["y"][m]).abs().mean()
    return {"loss_box": total / o["x"].shape[0]}


def as_padded_unweighted(t):
    rows = as_padded_num_objects(t)
    del rows["loss_weight"]
    return rows


@body("containers", "xo", as_padded_unweighted)
def padded_plain_num_objects_masked_mean(o, t):
    m = torch.arange(3)[None] < t["num_objects"][:, None]
    return {"loss": ((o["x"] - t["y"]).abs().sum(-1) * m).sum() / m.sum()}


@body("containers", "xo", as_padded_unweighted)
def padded_plain_over_num_objects_sum(o, t):
    m = torch.arange(3)[None] < t["num_objects"][:, None]
    return {"loss": (o["x"] - t["y"]).abs().sum(-1)[m].sum() / t["num_objects"].sum().clamp(min=1)}


@body("containers", "xo", as_padded_unweighted)
def padded_plain_per_image_mean_then_mean(o, t):
    m = (torch.arange(3)[None] < t["num_objects"][:, None]).float()
    return {"loss": (((o["x"] - t["y"]).abs().sum(-1) * m).sum(1) / t["num_objects"]).mean()}


def as_dict_of_lists_unweighted(t):
    return {"y": [s["y"] for s in t], "labels": [s["labels"] for s in t]}


@body("containers", "xo", as_dict_of_lists_unweighted)
def dict_of_lists_plain_per_image_ce(o, t):
    ce = [F.cross_entropy(o["logits"][i], lab) for i, lab in enumerate(t["labels"])]
    return {"loss": sum(ce) / len(ce)}


# === 12. metrics returned beside the losses ==========================================================


@body("returns")
def count_of_positives_as_an_int_tensor(o, t):
    return {"loss": (E(o, t) * _w(t)).mean(), "num_pos": (LAB(t) > 2).sum()}


@body("returns")
def count_of_positives_as_a_float_tensor(o, t):
    return {"loss": (E(o, t) * _w(t)).mean(), "num_pos": (LAB(t) > 2).sum().float()}


@body("returns")
def accuracy_with_grad_enabled(o, t):
    return {"loss_ce": CE(o, t).mean(), "acc": (o["logits"].argmax(-1) == LAB(t)).float().mean() * 100}


@body("returns")
def clone_under_two_keys_then_in_place(o, t):
    a = (E(o, t) * _w(t)).mean().clone()
    out = {"loss_a": a, "loss_b": a}
    a.add_(1.0)
    return out


@body("compose")
class PartialOfABoundMethodWithWeight(nn.Module):
    def __init__(self):
        super().__init__()
        self.beta = 0.05
        self.reg = functools.partial(self._reg, beta=self.beta)

    def _reg(self, x, y, beta):
        per = F.smooth_l1_loss(x, y, beta=beta, reduction="none").mean((1, 2))
        return per

    def forward(self, o, t):
        return {"loss_reg": (self.reg(o["x"], Y(t)) * _w(t)).sum() / len(t)}


@body("compose")
class ValidFlagSkipsImages(nn.Module):
    def forward(self, o, t):
        per = [(o["x"][i] - s["y"]).abs().mean() for i, s in enumerate(t) if int(s["labels"][0]) != 0]
        if not per:
            return {"loss": o["x"].sum() * 0.0}
        return {"loss": torch.stack(per).mean()}
