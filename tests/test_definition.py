"""Companions by definition (DESIGN.md §1, issue 12), body by body against the oracle.

``{key}_{group}`` is what the undecorated body returns for ``key`` on that group's images alone:
every argument restricted to them, the weight field (``weight=``, default ``loss_weight``) set to
1, nothing else changed (±1 labels, soft targets, masks, per-row divisors stay). An outside
normaliser Z becomes ``Z * C_S / C``. The oracle (``_helpers.oracle``) runs exactly that; each body
here is checked against it on seeded batches of every ``LAYOUTS`` entry: two groups by
``loss_weight`` (weights 1.0 / 0.5 / 0.0), three datasets, one group with every weight 1 (the
companion is then the main key), one group with mixed weights (an image of weight 0 counts fully).

Tests failing on today's code are strict xfails naming issue 12; the lead removes the marks.
"""

from __future__ import annotations

import contextlib
import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from _helpers import (
    PER_IMAGE,
    ROWS,
    TARGETS,
    WEIGHT,
    Along,
    Owned,
    Share,
    companions,
    focal_bce,
    group_name,
    matched_index,
    oracle_companions,
    split_and_compare,
)
from torch import nn

CLASSES = 3  # logits carry one more: the no-object class
QUERIES = 6
SCORES = 4  # per-image score rows (hinge, logistic, soft BCE)
TOKENS = 7  # never the number of images of a layout
VOCAB = 5
FEATURES = 6

# name: (loss_weight per image, dataset per image, source)
LAYOUTS = {
    "two_groups": ([1.0, 0.5, 0.0, 0.5, 1.0], ["r", "s", "s", "s", "r"], "loss_weight"),
    "three_datasets": ([0.5, 1.0, 0.0, 1.0, 0.5], ["a", "b", "c", "a", "c"], "dataset"),
    "one_group_unit": ([1.0, 1.0, 1.0], ["all", "all", "all"], "loss_weight"),
    "one_group_mixed": ([0.5, 0.0, 1.0], ["x", "x", "x"], "dataset"),
}
SEEDS = [0, 1]


@dataclass
class Batch:
    """One seeded batch: the layout's images, every field a body here may read."""

    weights: list[float]
    datasets: list[str]
    source: str
    outputs: dict[str, torch.Tensor] = field(default_factory=dict)
    targets: list[dict] = field(default_factory=list)
    indices: list[tuple[torch.Tensor, torch.Tensor]] = field(default_factory=list)

    @property
    def labels(self) -> list[Any]:
        return self.weights if self.source == "loss_weight" else self.datasets

    @property
    def num_boxes(self) -> float:
        return float(max(sum(len(t["labels"]) for t in self.targets), 1))

    @property
    def boxes_per_image(self) -> list[int]:
        return [len(t["labels"]) for t in self.targets]


def make_batch(layout: str, seed: int, counts: str = "random") -> Batch:
    """``counts``: target boxes per image — ``random`` (1-3), ``synthetic_3x`` (images of weight
    < 0.9 carry three times the boxes), ``synthetic_none`` (they carry none), ``over_queries`` (the
    first image has more targets than there are queries; only ``QUERIES`` of them are matched)."""
    weights, datasets, source = LAYOUTS[layout]
    g = torch.Generator().manual_seed(seed)
    b = len(weights)
    base = torch.randint(1, 4, (b,), generator=g).tolist()
    synthetic = [w < 0.9 for w in weights]
    if counts == "synthetic_3x":
        base = [3 * n if s else n for n, s in zip(base, synthetic)]
    elif counts == "synthetic_none":
        base = [0 if s else n for n, s in zip(base, synthetic)]
    elif counts == "over_queries":
        base[0] = QUERIES + 2
    batch = Batch(list(weights), list(datasets), source)
    batch.outputs = {
        "logits": torch.randn(b, QUERIES, CLASSES + 1, generator=g).requires_grad_(),
        "boxes": (torch.rand(b, QUERIES, 4, generator=g) * 0.5 + 0.25).requires_grad_(),
        "scores": torch.randn(b, SCORES, generator=g).requires_grad_(),
        "tokens": torch.randn(b, TOKENS, VOCAB, generator=g).requires_grad_(),
        "feats": torch.randn(b, FEATURES, generator=g).requires_grad_(),
    }
    for n, w, d in zip(base, weights, datasets):
        valid = (torch.rand(TOKENS, generator=g) < 0.7).float()
        valid[0] = 1.0  # every sequence has a valid token
        soft = torch.rand(SCORES, generator=g)
        soft[torch.rand(SCORES, generator=g) < 0.4] = 0.0
        signs = (torch.randint(0, 2, (SCORES,), generator=g) * 2 - 1).float()
        batch.targets.append({
            "labels": torch.randint(0, CLASSES, (n,), generator=g),
            "boxes": torch.rand(n, 4, generator=g) * 0.5 + 0.25,
            "signs": (torch.randint(0, 2, (n,), generator=g) * 2 - 1).float(),  # per matched row
            "y": signs,  # per score row, a tensor
            "y_list": signs.tolist(),  # the same, Python numbers
            "sign": float(torch.randint(0, 2, (1,), generator=g).item() * 2 - 1),  # one per image
            "soft": soft,
            "classes": torch.randint(0, VOCAB, (TOKENS,), generator=g),
            "valid": valid,
            "length": int(torch.randint(3, TOKENS + 1, (1,), generator=g).item()),
            "p": torch.rand(TOKENS, VOCAB, generator=g).softmax(-1),
            "q": torch.rand(VOCAB, generator=g).softmax(-1),
            "feat": torch.randn(FEATURES, generator=g),
            "pick": torch.randint(0, QUERIES, (3,), generator=g),
            "loss_weight": w,
            "dataset": d,
        })
        matched = min(n, QUERIES)
        batch.indices.append((torch.randperm(QUERIES, generator=g)[:matched], torch.randperm(n, generator=g)[:matched]))
    return batch


def check(body, args, kinds, batch: Batch, *, via_sources=False, weight: Any = "loss_weight",
          warnings_of=None, grad_mode=contextlib.nullcontext, **options) -> dict[str, torch.Tensor]:
    """Decorated == undecorated bit for bit (values, gradients); companions == the oracle. With
    ``warnings_of``, a key may instead be declined with a warning naming it (never a silent
    mismatch). Returns the decorated dict."""
    if weight != "loss_weight":
        options["weight"] = weight
    if not via_sources:
        options.setdefault("source", batch.source)
    labels = batch.labels
    out = split_and_compare(body, args, labels if via_sources else None, grad_mode=grad_mode, **options)
    want = oracle_companions(body, args, kinds, labels, group_of=group_name, weight=weight)
    got = companions(out)
    if warnings_of is not None:
        declined = {k for k in want if k not in got}
        messages = warnings_of()
        for k in declined:
            key = k.rsplit("_", 1)[0]
            assert any(repr(key) in m for m in messages), (k, messages)
        want = {k: v for k, v in want.items() if k not in declined}
    assert got == pytest.approx(want, rel=1e-5, abs=1e-6)
    return out


def xfail_if(condition: bool, reason: str):
    return [pytest.mark.xfail(strict=True, reason=f"issue 12: {reason}")] if condition else []


# ---------------------------------------------------------------------------------------------
# The bodies. ``idx = matched_index(indices)`` gathers matched rows, as DETR does.


def matched(targets, indices, name):
    return torch.cat([t[name][J] for t, (_, J) in zip(targets, indices)])


def hinge_stacked(outputs, targets):
    """±1 labels per score row, stacked from the targets: a hinge loss (targets, not weights)."""
    y = torch.stack([t["y"] for t in targets])
    return {"loss_hinge": F.relu(1 - y * outputs["scores"]).mean()}


def hinge_from_numbers(outputs, targets):
    """The same ±1 labels, built with torch.tensor from Python numbers."""
    y = torch.tensor([t["y_list"] for t in targets])
    return {"loss_hinge": F.relu(1 - y * outputs["scores"]).mean()}


def logistic_matched(outputs, targets, indices):
    """Logistic loss over matched rows, ±1 labels per matched target row."""
    s = outputs["logits"][matched_index(indices)][:, 0]
    return {"loss_logistic": F.softplus(-matched(targets, indices, "signs") * s).mean()}


def logistic_image_sign(outputs, targets):
    """Logistic loss, one ±1 label per image as a Python number: a per-image constant factor whose
    value is not the image's weight."""
    sign = torch.tensor([t["sign"] for t in targets])
    return {"loss_logistic": F.softplus(-sign[:, None] * outputs["scores"]).mean()}


def soft_bce(outputs, targets):
    """Hand-written BCE with soft (quality) targets, ``.sum() / num_pos`` and ``.mean()``; the
    quality-focal factor |t - sigmoid(x)|^2 varies within an image: part of the loss."""
    x = outputs["scores"]
    t = torch.stack([tg["soft"] for tg in targets])
    loss = -(t * F.logsigmoid(x) + (1 - t) * F.logsigmoid(-x))
    num_pos = (t > 0).sum().clamp(min=1)
    focal = loss * (t - x.sigmoid()).abs().pow(2)
    return {"loss_qfl": focal.sum() / num_pos, "loss_soft_bce": loss.mean()}


def token_losses(outputs, targets):
    labels = torch.stack([t["classes"] for t in targets])
    valid = torch.stack([t["valid"] for t in targets])
    return F.cross_entropy(outputs["tokens"].transpose(1, 2), labels, reduction="none"), valid


def per_sequence_mean(outputs, targets):
    """Each sequence's mean over its valid tokens, then the mean over sequences."""
    loss, valid = token_losses(outputs, targets)
    return {"loss_seq": ((loss * valid).sum(1) / valid.sum(1)).mean()}


def divided_by_lengths_argument(outputs, targets, lengths):
    """Each sequence's valid-token sum over a length passed in as a [B] tensor."""
    loss, valid = token_losses(outputs, targets)
    return {"loss_seq": ((loss * valid).sum(1) / lengths).mean()}


def divided_by_lengths_from_targets(outputs, targets):
    """The same, lengths taken from the targets as Python ints."""
    loss, valid = token_losses(outputs, targets)
    lengths = torch.tensor([t["length"] for t in targets], dtype=loss.dtype)
    return {"loss_seq": ((loss * valid).sum(1) / lengths).mean()}


def seed_weighted_ce(outputs, targets, indices):
    """The seed: per-row CE times each image's loss_weight repeated over its rows, mean."""
    idx = matched_index(indices)
    ce = F.cross_entropy(outputs["logits"][idx], matched(targets, indices, "labels"), reduction="none")
    w = torch.cat([torch.full((len(J),), float(t["loss_weight"])) for t, (_, J) in zip(targets, indices)])
    return {"loss_relation": (ce * w).mean()}


def loop_weighted(outputs, targets, indices):
    """Per-image L1 means in a loop, each times the image's loss_weight (a 0-dim tensor or a float)."""
    total = 0
    for b, (t, (src, J)) in enumerate(zip(targets, indices)):
        loss_b = F.l1_loss(outputs["boxes"][b, src], t["boxes"][J])
        total = total + loss_b * t["loss_weight"]
    return {"loss_bbox": total / len(targets)}


def gathered_weights(outputs, targets, indices):
    """A per-row weight gathered by batch_idx from a per-image tensor of loss_weights."""
    idx = matched_index(indices)
    w = torch.tensor([t["loss_weight"] for t in targets])[idx[0]]
    l1 = F.l1_loss(outputs["boxes"][idx], matched(targets, indices, "boxes"), reduction="none").sum(1)
    return {"loss_bbox": (l1 * w).mean()}


def weight_argument(pred, targets, w):
    """A per-image weight tensor passed in (``weight="w"``)."""
    per_image = F.mse_loss(pred, torch.stack([t["feat"] for t in targets]), reduction="none").mean(1)
    return {"loss_feat": (per_image * w).mean()}


def kl_time_major(logits, targets):
    """``batchmean`` over a time-major [T, B, V] tensor divides by T, a constant."""
    p = torch.stack([t["p"] for t in targets], 1)
    return {"loss_kd": F.kl_div(logits.log_softmax(-1), p, reduction="batchmean")}


def kl_transposed(outputs, targets):
    """Batch-first logits made time-major in the body."""
    p = torch.stack([t["p"] for t in targets], 1)
    logp = outputs["tokens"].transpose(0, 1).log_softmax(-1)
    return {"loss_kd": F.kl_div(logp, p, reduction="batchmean")}


def kl_batch_first(outputs, targets):
    """``batchmean`` over [B, V] divides by the images."""
    q = torch.stack([t["q"] for t in targets])
    return {"loss_kd": F.kl_div(outputs["feats"][:, :VOCAB].log_softmax(-1), q, reduction="batchmean")}


def onehot_classes(logits, targets, indices):
    classes = torch.full(logits.shape[:2], CLASSES, dtype=torch.int64)
    classes[matched_index(indices)] = torch.cat([t["labels"][J] for t, (_, J) in zip(targets, indices)])
    return F.one_hot(classes, CLASSES + 1)[..., :CLASSES].to(logits.dtype)


def focal_num_boxes(outputs, targets, indices, num_boxes):
    """Sigmoid focal loss over [B, Q, C], ``.mean(1).sum() / num_boxes``, num_boxes passed in."""
    logits = outputs["logits"][..., :CLASSES]
    return {"loss_focal": focal_bce(logits, onehot_classes(logits, targets, indices), num_boxes)}


def l1_num_boxes(outputs, targets, indices, num_boxes):
    """L1 over matched rows, ``.sum() / num_boxes``, num_boxes passed in."""
    src = outputs["boxes"][matched_index(indices)]
    return {"loss_bbox": F.l1_loss(src, matched(targets, indices, "boxes"), reduction="none").sum() / num_boxes}


def take_along(outputs, targets):
    """``take_along_dim`` along the query dim of a batch-first [B, Q] tensor."""
    picked = torch.take_along_dim(outputs["logits"][..., 0], torch.stack([t["pick"] for t in targets]), dim=1)
    return {"loss_pick": (picked - 1).pow(2).mean()}


def caller_gathered_rows(rows, targets, indices):
    """Matched rows [M, 4] gathered by the caller and passed in at top level."""
    return {"loss_bbox": F.l1_loss(rows, matched(targets, indices, "boxes"), reduction="none").sum(1).mean()}


# ---------------------------------------------------------------------------------------------
# 1-3, 4, 8: bodies against the oracle on every layout.


def _o_t(batch):  # (outputs, targets)
    return [batch.outputs, batch.targets], [ROWS, TARGETS]


def _o_t_i(batch):
    return [batch.outputs, batch.targets, batch.indices], [ROWS, TARGETS, PER_IMAGE]


def _tensor_weights(batch):
    for t in batch.targets:
        t["loss_weight"] = torch.tensor(t["loss_weight"])
    return _o_t_i(batch)


def _lengths(batch):
    lengths = torch.tensor([float(t["length"]) for t in batch.targets])
    return [batch.outputs, batch.targets, lengths], [ROWS, TARGETS, ROWS]


def _weight_argument(batch):
    w = torch.tensor(batch.weights)
    return [batch.outputs["feats"], batch.targets, w], [ROWS, TARGETS, WEIGHT]


def _time_major(batch):
    logits = torch.randn(TOKENS, len(batch.weights), VOCAB, generator=torch.Generator().manual_seed(7))
    return [logits.requires_grad_(), batch.targets], [Along(1), TARGETS]


# name: (body, arguments of a batch, weight option, failing today: predicate on the layout or None)
CASES = {
    "hinge_stacked": (hinge_stacked, _o_t, "loss_weight", None),
    "hinge_from_numbers": (hinge_from_numbers, _o_t, "loss_weight", None),
    "logistic_matched": (logistic_matched, _o_t_i, "loss_weight", None),
    "logistic_image_sign": (logistic_image_sign, _o_t, "loss_weight", None),
    "soft_bce": (soft_bce, _o_t, "loss_weight", None),
    "per_sequence_mean": (per_sequence_mean, _o_t, "loss_weight", None),
    "lengths_argument": (divided_by_lengths_argument, _lengths, "loss_weight", None),
    "lengths_from_targets": (divided_by_lengths_from_targets, _o_t, "loss_weight", None),
    "seed_weighted_ce": (seed_weighted_ce, _o_t_i, "loss_weight", None),
    "loop_weight_tensor": (loop_weighted, _tensor_weights, "loss_weight", None),
    "loop_weight_float": (loop_weighted, _o_t_i, "loss_weight", None),
    "gathered_weights": (gathered_weights, _o_t_i, "loss_weight", None),
    "weight_argument": (weight_argument, _weight_argument, "w", None),
    "weight_none_keeps_weights": (seed_weighted_ce, _o_t_i, None, None),
    "kl_time_major": (kl_time_major, _time_major, "loss_weight", None),
    "kl_transposed": (kl_transposed, _o_t, "loss_weight", None),
    "kl_batch_first": (kl_batch_first, _o_t, "loss_weight", None),
    "take_along_dim": (take_along, _o_t, "loss_weight", None),
}
FAILING_TODAY: dict[tuple[str, str], str] = {}  # (case, layout) -> why; "*": every layout


def _case_params():
    for name, layout, seed in itertools.product(CASES, LAYOUTS, SEEDS):
        reason = FAILING_TODAY.get((name, layout)) or FAILING_TODAY.get((name, "*"))
        yield pytest.param(name, layout, seed, id=f"{name}-{layout}-{seed}",
                           marks=xfail_if(reason is not None, reason or ""))


@pytest.mark.parametrize("name, layout, seed", list(_case_params()))
def test_body_equals_the_oracle(name, layout, seed):
    body, arguments, weight, _ = CASES[name]
    batch = make_batch(layout, seed)
    args, kinds = arguments(batch)
    out = check(body, args, kinds, batch, weight=weight)
    if layout == "one_group_unit":  # every image in one group, every weight 1: the main key
        for key in body(*args):
            assert out[f"{key}_real"].item() == pytest.approx(out[key].item(), rel=1e-5)


# ---------------------------------------------------------------------------------------------
# 5. Outside normalisers: num_boxes passed in is the total of target boxes; a group gets
# Z * boxes_S / boxes, boxes being the rows of the per-image target tensors (len(t["labels"])).


def _num_boxes_args(batch):
    return ([batch.outputs, batch.targets, batch.indices, batch.num_boxes],
            [ROWS, TARGETS, PER_IMAGE, Share(batch.boxes_per_image)])


@pytest.mark.parametrize("counts", ["random", "synthetic_3x", "synthetic_none", "over_queries"])
@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("body", [focal_num_boxes, l1_num_boxes], ids=["focal", "l1"])
def test_outside_normaliser_is_the_groups_share_of_boxes(body, layout, counts, request):
    batch = make_batch(layout, 0, counts)
    args, kinds = _num_boxes_args(batch)
    check(body, args, kinds, batch)


# ---------------------------------------------------------------------------------------------
# 6. Frozen modules inside the body: training values and gradients bit-identical, with grad and
# under no_grad; companions equal the oracle, or the key is declined with a warning naming it.

WIDTH = 8


@pytest.fixture(scope="module")
def frozen():
    """A teacher (TransformerEncoderLayer) and a small conv net, eval mode, no grad, own seed."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        teacher = nn.TransformerEncoderLayer(WIDTH, 2, dim_feedforward=16, dropout=0.0, batch_first=True)
        net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.AvgPool2d(2),
                            nn.Conv2d(4, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2))
    for module in (teacher, net):
        module.eval().requires_grad_(False)
    return teacher, net


def distill_from(teacher):
    def distill(student, x, targets):
        return {
            "loss_kd": F.kl_div(student.log_softmax(-1), teacher(x).softmax(-1), reduction="batchmean"),
            "loss_feat": F.mse_loss(student, teacher(x)),
        }

    return distill


def perceptual_through(net):
    def perceptual(pred_img, targets):
        target_img = torch.stack([t["img"] for t in targets])
        return {"loss_perc": F.mse_loss(net(pred_img), net(target_img))}

    return perceptual


def _module_args(kind, batch, seed):
    g = torch.Generator().manual_seed(100 + seed)
    b = len(batch.weights)
    if kind == "teacher":
        student = torch.randn(b, 3, WIDTH, generator=g).requires_grad_()
        return [student, torch.randn(b, 3, WIDTH, generator=g), batch.targets], [ROWS, ROWS, TARGETS]
    for t in batch.targets:
        t["img"] = torch.rand(3, 8, 8, generator=g)
    return [torch.rand(b, 3, 8, 8, generator=g).requires_grad_(), batch.targets], [ROWS, TARGETS]


@pytest.mark.parametrize("grad_mode", [contextlib.nullcontext, torch.no_grad], ids=["grad", "no_grad"])
@pytest.mark.parametrize("kind", [
    "teacher",
    "conv_net",
])
def test_frozen_modules_in_the_body(frozen, kind, grad_mode, warnings_of):
    """Over 10 seeded batches: bit-identical values and gradients, companions == oracle or declined."""
    teacher, net = frozen
    body = distill_from(teacher) if kind == "teacher" else perceptual_through(net)
    for seed in range(10):
        batch = make_batch(["two_groups", "three_datasets"][seed % 2], seed)
        args, kinds = _module_args(kind, batch, seed)
        check(body, args, kinds, batch, warnings_of=warnings_of, grad_mode=grad_mode)


# ---------------------------------------------------------------------------------------------
# 9. README Known limits: a top-level tensor whose first dimension is the number of images is read
# as one row per image. Matched rows [M, 4] gathered by the caller, M == B, are misread.


@pytest.mark.xfail(strict=True, reason="README Known limits (documented): a top-level [M, ...] tensor with "
                   "M == B is read as one row per image")
def test_caller_gathered_rows_with_as_many_rows_as_images():
    batch = make_batch("two_groups", 0)
    rows = [2, 0, 1, 1, 1]  # M == B == 5, image 1 has none, image 0 two
    for t, n in zip(batch.targets, rows):
        t["labels"], t["boxes"] = t["labels"][:n], t["boxes"][:n]
    batch.indices = [(src[:n], torch.arange(n)) for (src, _), n in zip(batch.indices, rows)]
    idx = matched_index(batch.indices)
    gathered = batch.outputs["boxes"].detach()[idx].requires_grad_()
    assert gathered.shape[0] == len(batch.weights)
    check(caller_gathered_rows, [gathered, batch.targets, batch.indices], [Owned(idx[0]), TARGETS, PER_IMAGE], batch)
