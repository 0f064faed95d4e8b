# ruff: noqa: B008, B023, B905, E731 -- what this red team tries: closures over loop variables, lambdas, zips
"""Red team of session 33 (helper pc): adversarial bodies against the rules merged in session 33 by
red (``torch.stack(losses).mean()`` of whole-batch values in a list of fixed length, the ``nan_to``
formula op, ``loss[self.classes]`` picks), s42 (a per-image loop writing another image's values, image-row
buffers of ``new_zeros``, list indexes, conv / pool by keyword, ``isneginf`` / ``isposinf``) and hf
(value-neutral truth tests, a number at each row's own position). Near misses must split exactly.

``BODIES``: name -> (family, batch kind, body); measured on the red-team-28 batches (kind ``"x"``) by
``tests/_red_team26_measure.py``'s ``run_one``; the tests are ``tests/test_red_team33_pc.py``."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from _red_team26_bodies import LAB, Y
from _red_team27_bodies import registrar

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)


def H(o, t, h):
    """Head ``h``'s loss over the whole batch (0-d)."""
    return (o["x"] * (1.0 + 0.25 * h) - Y(t)).abs().mean()


# === 1. red: stacked values of a list of fixed length ==============================================


@body("stack")
def near_stack_three_heads(o, t):
    return {"loss": torch.stack([H(o, t, h) for h in range(3)]).mean()}


@body("stack")
def stack_item_one_image(o, t):  # fixed length, but one item is image 0's value
    return {"loss": torch.stack([H(o, t, 0), (o["x"][0] - t[0]["y"]).abs().mean(), H(o, t, 2)]).mean()}


@body("stack")
def stack_item_last_image(o, t):
    return {"loss": torch.stack([H(o, t, h) for h in range(2)] + [(o["x"][-1] - t[-1]["y"]).abs().sum()]).sum()}


@body("stack")
def stack_head_skipped_by_numel(o, t):  # a head skipped where the batch has no label 4: fixed loop, appends vary
    losses = []
    lab = LAB(t)
    for h in range(3):
        sel = o["x"][lab[..., None].expand_as(o["x"]) == h + 2]
        if sel.numel():
            losses.append(sel.abs().mean())
        else:
            losses.append(H(o, t, h))
    return {"loss": torch.stack(losses).mean()}


@body("stack")
def stack_item_masked_by_group_data(o, t):  # an item reduced over a mask of the data: a whole-batch value still
    y = Y(t)
    m = y > 0.5
    return {"loss": torch.stack([H(o, t, 0), (o["x"] - y).abs()[m].mean()]).mean()}


@body("stack")
def stack_dim1_mean1(o, t):  # per image values stacked along dim 1 of heads: [B, 3]
    e = (o["x"] - Y(t)).abs()
    return {"loss": torch.stack([e.mean((1, 2)) * (1 + h) for h in range(3)], 1).mean(1).mean()}


@body("stack")
def stack_dim1_of_scalars(o, t):
    return {"loss": torch.stack([H(o, t, h).view(1) for h in range(3)], 1).mean(1).sum()}


@body("stack")
def cat_views(o, t):
    return {"loss": torch.cat([H(o, t, h).view(1) for h in range(3)]).mean()}


@body("stack")
def cat_reshape_sum(o, t):
    return {"loss": torch.cat([H(o, t, h).reshape(1) for h in range(2)]).sum()}


@body("stack")
def sum_over_literal_three(o, t):
    losses = [H(o, t, h) for h in range(3)]
    return {"loss": sum(losses) / 3}


@body("stack")
def heads_weighted_half(o, t):  # a head weight 0.5 equals an image's weight
    losses = []
    for w, h in zip((0.5, 1.0), (0, 1)):
        losses.append(H(o, t, h) * w)
    return {"loss": torch.stack(losses).sum()}


class ZipWeights(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = [0.5, 0.5]
        self.heads = torch.nn.ModuleList([torch.nn.Identity(), torch.nn.Softplus()])

    def forward(self, o, t):
        losses = []
        for w, h in zip(self.weights, self.heads):
            losses.append(w * (h(o["x"]) - Y(t)).abs().mean())
        return {"loss": torch.stack(losses).sum()}


body("stack")(ZipWeights)


class ZipWeightsOne(ZipWeights):  # near miss: weights no image has
    def __init__(self):
        super().__init__()
        self.weights = [2.0, 3.0]


body("stack")(ZipWeightsOne)


@body("stack")
def head_weight_first_image(o, t):  # a head weighted by image 0's weight
    losses = [H(o, t, h) * t[0]["loss_weight"] for h in range(2)]
    return {"loss": torch.stack(losses).mean()}


@body("stack")
def stack_of_per_image_sums(o, t):  # items are [B] vectors of the whole batch
    e = (o["x"] - Y(t)).abs()
    return {"loss": torch.stack([e.sum((1, 2)), e.mean((1, 2))]).mean()}


@body("stack")
def stack_count_item(o, t):  # an item a count of the batch
    return {"loss": torch.stack([H(o, t, 0), H(o, t, 1) * len(t)]).mean()}


@body("stack")
def stack_sum_reduced_per_item_by_count(o, t):
    return {"loss": torch.stack([(o["x"] - Y(t)).abs().sum() / len(t) for _ in range(2)]).mean()}


# --- nan_to ---


def _f1(o, t):
    p = o["x"].sigmoid()
    y = (Y(t) > 0.6).float()
    tp = (p * y).sum((0, 1))
    fp = (p * (1 - y)).sum((0, 1))
    fn = ((1 - p) * y).sum((0, 1))
    return tp, fp, fn


@body("nan")
def near_nan_where(o, t):
    tp, fp, fn = _f1(o, t)
    prec = tp / (tp + fp)
    f1 = 2 * prec * tp / (prec * tp + tp + fn)
    f1 = torch.where(torch.isnan(f1), torch.zeros_like(f1), f1)
    return {"loss": 1 - f1.mean()}


@body("nan")
def nan_to_num_f1(o, t):
    tp, fp, fn = _f1(o, t)
    f1 = 2 * tp / (2 * tp + fp + fn)
    return {"loss": 1 - torch.nan_to_num(f1).mean()}


@body("nan")
def nan_to_num_kw_f1(o, t):
    tp, fp, fn = _f1(o, t)
    f1 = 2 * tp / (2 * tp + fp + fn)
    return {"loss": 1 - torch.nan_to_num(f1, nan=0.0).mean()}


@body("nan")
def nan_where_other_tensor(o, t):  # isnan of a different tensor: the denominator
    tp, fp, fn = _f1(o, t)
    d = 2 * tp + fp + fn
    f1 = 2 * tp / d
    f1 = torch.where(torch.isnan(tp / (tp + fp)), 0, f1)
    return {"loss": 1 - f1.mean()}


@body("nan")
def nan_where_of_label_count(o, t):  # a class never present: nan on groups without it
    lab = LAB(t)
    onehot = F.one_hot(lab, 5).float()
    p = o["logits"].softmax(-1)
    tp = (p * onehot).sum((0, 1))
    f1 = 2 * tp / (p.sum((0, 1)) * 0 + onehot.sum((0, 1)) * 2)
    f1 = torch.where(torch.isnan(f1), 0, f1)
    return {"loss": 1 - f1.mean()}


@body("nan")
def nan_where_fill_one(o, t):
    tp, fp, fn = _f1(o, t)
    f1 = 2 * tp / (2 * tp + fp + fn)
    f1 = torch.where(torch.isnan(f1), 1.0, f1)
    return {"loss": 1 - f1.mean()}


# --- per-class picks ---


def _per_class(o, t):
    """A soft Dice loss per class over the whole batch: [5]."""
    onehot = F.one_hot(LAB(t), 5).float()
    p = o["logits"].softmax(-1)
    return 1 - (2 * (p * onehot).sum((0, 1)) + 1) / ((p + onehot).sum((0, 1)) + 1)


class ClassPick(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.classes = [1, 3]

    def forward(self, o, t):
        loss = _per_class(o, t)
        return {"loss": loss[self.classes].mean()}


body("pick")(ClassPick)


class ClassPickFromData(torch.nn.Module):  # classes set from the batch in forward
    def __init__(self):
        super().__init__()
        self.classes = [1, 3]

    def forward(self, o, t):
        self.classes = sorted({int(c) for s in t for c in s["labels"]})[:2]
        loss = _per_class(o, t)
        return {"loss": loss[self.classes].mean()}


body("pick")(ClassPickFromData)


@body("pick")
def pick_tail_slice(o, t):
    loss = _per_class(o, t)
    return {"loss": loss[1:].mean()}


@body("pick")
def pick_slice_by_count(o, t):
    loss = _per_class(o, t)
    return {"loss": loss[len(t) - 1:].mean()}


@body("pick")
def pick_by_first_label(o, t):
    loss = _per_class(o, t)
    return {"loss": loss[[int(t[0]["labels"][0]), 4]].mean()}


# === 2. s42 ==========================================================================================


@body("s42")
def row_of_next_image(o, t):
    e = (o["x"] - Y(t)).abs().mean(2)
    n = len(t)
    out = torch.zeros_like(e)
    for i in range(n):
        out[i] = e[(i + 1) % n]
    return {"loss": out.sum()}


@body("s42")
def row_of_first_image(o, t):
    e = (o["x"] - Y(t)).abs().mean(2)
    out = torch.zeros_like(e)
    for i in range(len(t)):
        out[i] = e[0]
    return {"loss": out.sum()}


@body("s42")
def near_row_of_own_image(o, t):
    e = (o["x"] - Y(t)).abs().mean(2)
    out = torch.zeros_like(e)
    for i in range(len(t)):
        out[i] = e[i]
    return {"loss": out.sum()}


@body("s42")
def new_zeros_first_write_row0(o, t):  # PIT buffer: first write one image's values at position 0 of dim 0
    e = (o["x"] - Y(t)).abs().mean(2)
    buf = e.new_zeros(len(t), 3)
    buf[0] = e[1 % len(t)]
    return {"loss": buf.sum()}


@body("s42")
def new_zeros_first_write_col(o, t):  # column writes: [:, j] = a per-image vector (PIT): near miss exact
    e = (o["x"] - Y(t)).abs()
    buf = e.new_zeros(len(t), 2)
    for j in range(2):
        buf[:, j] = e[..., j].mean((1, 2)) if False else e[:, :, j].mean(1)
    return {"loss": buf.min(1).values.mean()}


@body("s42")
def new_zeros_col_reversed(o, t):  # column writes of reversed images' values
    e = (o["x"] - Y(t)).abs()
    buf = e.new_zeros(len(t), 2)
    for j in range(2):
        buf[:, j] = e[:, :, j].mean(1).flip(0)
    return {"loss": (buf[:, 0] * torch.arange(len(t), dtype=e.dtype)).sum()}


@body("s42")
def as_strided_windows(o, t):
    e = (o["x"] - Y(t)).abs().reshape(len(t), -1)
    w = e.as_strided((len(t), 5, 4), (e.stride(0), 2, 1))
    return {"loss": w.mean()}


@body("s42")
def as_strided_across_images(o, t):  # windows that straddle two images' rows
    e = (o["x"] - Y(t)).abs().reshape(-1).contiguous()
    w = e.as_strided((len(t) - 1, 12), (12, 1), 6)
    return {"loss": w.sum()}


@body("s42")
def list_index_slice(o, t):
    e = (o["x"] - Y(t)).abs()
    return {"loss": e[[slice(1, None), slice(None), 0]].mean()}


@body("s42")
def list_index_slice_rows(o, t):
    e = (o["x"] - Y(t)).abs()
    return {"loss": e[[slice(None), slice(1, None), 0]].mean()}


@body("s42")
def conv_input_kw(o, t):
    e = (o["x"] - Y(t))
    w = torch.ones(2, 3, 2) * 0.5
    return {"loss": F.conv1d(input=e, weight=w).abs().mean()}


@body("s42")
def pool_input_kw(o, t):
    e = (o["x"] - Y(t)).abs()
    return {"loss": F.avg_pool1d(input=e, kernel_size=2).mean()}


@body("s42")
def conv_input_kw_batch_mixing(o, t):  # conv over the batch dim moved into channels
    e = (o["x"] - Y(t)).abs().permute(1, 0, 2)
    w = torch.ones(1, len(t), 2) * 0.5
    return {"loss": F.conv1d(input=e, weight=w).mean()}


@body("s42")
def isneginf_mask(o, t):
    e = (o["x"] - Y(t)).abs().log()
    e = e.masked_fill(torch.isneginf(e) | torch.isposinf(e), 0.0)
    return {"loss": e.mean()}


@body("s42")
def isposinf_any(o, t):
    e = (o["x"] - Y(t)).abs()
    r = 1.0 / (e - e.min())
    return {"loss": e.mean() * (2.0 if torch.isposinf(r).any() else 1.0)}


# === 3. hf ==========================================================================================


def _mask(o, pos, first=None):
    b = o["x"].shape[0]
    m = torch.zeros(b, 3)
    first = torch.arange(b) if first is None else first
    m[first, pos] = 1
    return m.flip([-1]).cumsum(-1).flip([-1])


def _pos(t):
    return LAB(t)[:, 0] % 3


def _masked(o, t, m):
    e = (o["x"] - Y(t)).abs().mean(2)
    return {"loss": (e * m).sum() / m.sum()}


@body("hf")
def near_own_positions_plain_index(o, t):
    return _masked(o, t, _mask(o, _pos(t)))


@body("hf")
def own_positions_flipped_rows(o, t):
    return _masked(o, t, _mask(o, _pos(t), torch.arange(len(t)).flip(0)))


@body("hf")
def own_positions_randperm(o, t):
    g = torch.Generator().manual_seed(0)
    return _masked(o, t, _mask(o, _pos(t), torch.randperm(len(t), generator=g)))


@body("hf")
def own_positions_from_predictions(o, t):
    pos = o["logits"][:, 0, :3].argmax(-1)
    return _masked(o, t, _mask(o, pos))


@body("hf")
def own_positions_second_write(o, t):
    b = len(t)
    m = torch.zeros(b, 3)
    m[torch.arange(b), _pos(t)] = 1
    m[0, 0] = 1
    return _masked(o, t, m)


@body("hf")
def own_positions_second_write_shifted(o, t):
    b = len(t)
    m = torch.zeros(b, 3)
    m[torch.arange(b), _pos(t)] = 1
    m[torch.arange(b).roll(1), _pos(t)] = 1
    return _masked(o, t, m)


@body("hf")
def own_positions_index_put(o, t):
    b = len(t)
    m = torch.zeros(b, 3)
    m.index_put_((torch.arange(b).flip(0), _pos(t)), torch.tensor(1.0))
    return _masked(o, t, m)


@body("hf")
def near_own_positions_index_put(o, t):
    b = len(t)
    m = torch.zeros(b, 3)
    m.index_put_((torch.arange(b), _pos(t)), torch.tensor(1.0))
    return _masked(o, t, m)


@body("hf")
def own_positions_scatter(o, t):
    b = len(t)
    m = torch.zeros(b, 3).scatter_(1, _pos(t)[:, None], 1.0)
    return _masked(o, t, m)


@body("hf")
def own_positions_scatter_rolled(o, t):
    b = len(t)
    m = torch.zeros(b, 3).scatter_(1, _pos(t).roll(1)[:, None], 1.0)
    return _masked(o, t, m)


@body("hf")
def own_positions_of_other_image(o, t):  # image r's mask at image r+1's position
    return _masked(o, t, _mask(o, _pos(t).roll(1)))


@body("hf")
def own_positions_count_position(o, t):
    return _masked(o, t, _mask(o, torch.full((len(t),), len(t) % 3)))


@body("hf")
def truth_all_mask_skip(o, t):  # an SDPA-like skip: a mask test decides a branch
    m = (Y(t) > 0.2)
    e = (o["x"] - Y(t)).abs()
    if m.all():
        return {"loss": e.mean()}
    return {"loss": e[m].mean() * 2}


class ZipWeightsComputed(ZipWeights):  # head weights computed (no literal): 0.5 each, equal to images' weights
    def __init__(self):
        super().__init__()
        self.weights = [torch.tensor(1.0).item() / 2 for _ in range(2)]


body("stack")(ZipWeightsComputed)


class SumWeightsComputed(ZipWeightsComputed):  # the same heads summed in Python (the known limit before the rule)
    def forward(self, o, t):
        losses = []
        for w, h in zip(self.weights, self.heads):
            losses.append(w * (h(o["x"]) - Y(t)).abs().mean())
        return {"loss": sum(losses)}


body("stack")(SumWeightsComputed)


class ScaledHeadComputed(ZipWeightsComputed):  # one head scaled, no stack
    def forward(self, o, t):
        return {"loss": self.weights[0] * (o["x"] - Y(t)).abs().mean()}


body("stack")(ScaledHeadComputed)


class ZipWeightsPerImage(ZipWeightsComputed):  # each head's factor meets the per-image rows, then the mean
    def forward(self, o, t):
        losses = []
        for w, h in zip(self.weights, self.heads):
            losses.append((w * (h(o["x"]) - Y(t)).abs().mean((1, 2))).mean())
        return {"loss": torch.stack(losses).sum()}


body("stack")(ZipWeightsPerImage)


class SumWeightsPerImage(ZipWeightsComputed):
    def forward(self, o, t):
        losses = []
        for w, h in zip(self.weights, self.heads):
            losses.append((w * (h(o["x"]) - Y(t)).abs().mean((1, 2))).mean())
        return {"loss": sum(losses)}


body("stack")(SumWeightsPerImage)


class ZipWeightsLiteralPerImage(ZipWeightsPerImage):  # near miss: literals of the code
    def __init__(self):
        super().__init__()
        self.weights = [0.5, 0.5]


body("stack")(ZipWeightsLiteralPerImage)


# === 4. second wave ===================================================================================


def e1(o, t, b):
    return (o["x"][b] - t[b]["y"]).abs().mean()


@body("stack")
def stack_item_replaced_by_one_image(o, t):  # a fixed display whose item is replaced by one image's value
    losses = [H(o, t, 0), H(o, t, 1)]
    losses[1] = e1(o, t, 0)
    return {"loss": torch.stack(losses).mean()}


@body("stack")
def stack_break_on_data(o, t):  # a fixed loop left early where the data says so
    losses = []
    for h in range(3):
        v = H(o, t, h)
        if v > 0.32:
            break
        losses.append(v)
    losses.append(H(o, t, 3))
    return {"loss": torch.stack(losses).mean()}


@body("stack")
def stack_continue_on_data(o, t):
    losses = [H(o, t, 3)]
    for h in range(3):
        v = H(o, t, h)
        if v > 0.32:
            continue
        losses.append(v)
    return {"loss": torch.stack(losses).mean()}


@body("stack")
def stack_range_min_count(o, t):  # a comprehension over range(min(len(t), 3)): the length a count on small batches
    return {"loss": torch.stack([H(o, t, h) for h in range(min(len(t), 3))]).mean()}


@body("stack")
def stack_range_of_count_test(o, t):
    return {"loss": torch.stack([H(o, t, h) for h in range(3 if len(t) > 2 else 2)]).mean()}


@body("stack")
def stack_sliced_by_count(o, t):
    return {"loss": torch.stack([H(o, t, h) for h in range(3)][:len(t)]).mean()}


@body("stack")
def stack_pop_on_data(o, t):
    losses = [H(o, t, h) for h in range(3)]
    if H(o, t, 0) > 0.32:
        losses.pop()
    return {"loss": torch.stack(losses).mean()}


@body("stack")
def stack_del_on_count(o, t):
    losses = [H(o, t, h) for h in range(3)]
    if len(t) > 3:
        del losses[0]
    return {"loss": torch.stack(losses).sum()}


@body("stack")
def stack_max(o, t):
    return {"loss": torch.stack([H(o, t, h) for h in range(3)]).max()}


@body("stack")
def stack_pick_first(o, t):
    return {"loss": torch.stack([H(o, t, h) for h in range(3)])[1] * 2}


@body("stack")
def stack_weighted_by_vector(o, t):  # a per-head weight vector whose entries equal the images' weights
    return {"loss": (torch.stack([H(o, t, h) for h in range(2)]) * torch.tensor([0.5, 1.0])).sum()}


@body("stack")
def stack_then_logsumexp(o, t):
    return {"loss": torch.stack([H(o, t, h) for h in range(3)]).logsumexp(0)}


@body("stack")
def stack_items_inplace_after(o, t):  # an item changed in place after the append by one image's value
    losses = [H(o, t, h) * 1.0 for h in range(2)]
    losses[0].add_(e1(o, t, 0))
    return {"loss": torch.stack(losses).mean()}


@body("stack")
def sum_over_literal_with_image(o, t):
    losses = [H(o, t, 0), e1(o, t, 0), H(o, t, 2)]
    return {"loss": sum(losses) / 3}


# --- nan_to, second wave ---


@body("nan")
def nan_where_per_image(o, t):  # nan_to of per-image ratios: one image's nan replaced
    e = (o["x"] - Y(t)).abs()
    m = (Y(t) > 0.9).float()
    r = (e * m).sum((1, 2)) / m.sum((1, 2))
    r = torch.where(torch.isnan(r), 0, r)
    return {"loss": r.mean() + e.mean()}


@body("nan")
def nan_where_after_batch_sum(o, t):  # isnan of a batch-reduced value decides all elements
    tp, fp, fn = _f1(o, t)
    f1 = 2 * tp / (2 * tp + fp + fn)
    f1 = torch.where(torch.isnan(f1.sum()), 0, f1)
    return {"loss": 1 - f1.mean()}


# --- picks, second wave ---


@body("pick")
def pick_neg_count_slice(o, t):
    return {"loss": _per_class(o, t)[-len(t):].mean()}


@body("pick")
def pick_list_of_range_count(o, t):
    return {"loss": _per_class(o, t)[list(range(len(t)))].mean()}


class ClassPickGrown(torch.nn.Module):  # the classes list grown in forward where the data has a label 4
    def __init__(self):
        super().__init__()
        self.classes = [1, 3]

    def forward(self, o, t):
        classes = list(self.classes)
        if (LAB(t) == 4).any():
            classes.append(4)
        return {"loss": _per_class(o, t)[classes].mean()}


body("pick")(ClassPickGrown)


class ClassPickTensor(torch.nn.Module):  # near miss: a tensor attribute
    def __init__(self):
        super().__init__()
        self.classes = torch.tensor([0, 2])

    def forward(self, o, t):
        return {"loss": _per_class(o, t)[self.classes].mean()}


body("pick")(ClassPickTensor)


@body("pick")
def pick_by_label_of_batch(o, t):  # the class the batch's most frequent label
    return {"loss": _per_class(o, t)[LAB(t).flatten().mode().values].mean()}


# --- s42, second wave ---


@body("s42")
def row_of_mirror_image(o, t):
    e = (o["x"] - Y(t)).abs().mean(2)
    n = len(t)
    out = torch.zeros_like(e)
    for i in range(n):
        out[i] = e[n - 1 - i]
    return {"loss": (out * torch.arange(1, n + 1)[:, None]).sum()}


@body("s42")
def row_of_previous_image(o, t):
    e = (o["x"] - Y(t)).abs().mean(2)
    out = torch.zeros_like(e)
    for i in range(len(t)):
        out[i] = e[i - 1]
    return {"loss": out[0].sum() * 2 + out.sum()}


@body("s42")
def row_of_batch_mean(o, t):
    e = (o["x"] - Y(t)).abs().mean(2)
    out = torch.zeros_like(e)
    for i in range(len(t)):
        out[i] = e.mean(0)
    return {"loss": out.sum()}


@body("s42")
def row_own_plus_first(o, t):
    e = (o["x"] - Y(t)).abs().mean(2)
    out = torch.zeros_like(e)
    for i in range(len(t)):
        out[i] = e[i] + e[0]
    return {"loss": out.sum()}


@body("s42")
def row_own_times_count(o, t):
    e = (o["x"] - Y(t)).abs().mean(2)
    out = torch.zeros_like(e)
    for i in range(len(t)):
        out[i] = e[i] * len(t)
    return {"loss": out.mean()}


@body("s42")
def pit_col_centered(o, t):  # a column of per-image values minus the batch's mean
    e = (o["x"] - Y(t)).abs()
    buf = e.new_zeros(len(t), 2)
    for j in range(2):
        v = e[:, :, j].mean(1)
        buf[:, j] = v - v.mean()
    return {"loss": buf.pow(2).mean()}


@body("s42")
def pit_col_cumsum(o, t):
    e = (o["x"] - Y(t)).abs()
    buf = e.new_zeros(len(t), 2)
    for j in range(2):
        buf[:, j] = e[:, :, j].mean(1).cumsum(0)
    return {"loss": buf.mean()}


@body("s42")
def pit_col_scalar(o, t):
    e = (o["x"] - Y(t)).abs()
    buf = e.new_zeros(len(t), 2)
    for j in range(2):
        buf[:, j] = e[:, :, j].mean()
    return {"loss": buf.min(1).values.mean()}


@body("s42")
def pit_first_write_one_image_at_row0(o, t):  # one image's predicted values at position 0 of dim 0 (PIT)
    e = (o["x"] - Y(t)).abs().mean(2)
    buf = e.new_zeros(len(t), 3)
    buf[0] = e[0]
    for i in range(1, len(t)):
        buf[i] = e[i]
    return {"loss": buf.sum()}


@body("s42")
def pit_first_write_other_image_then_own(o, t):
    e = (o["x"] - Y(t)).abs().mean(2)
    buf = e.new_zeros(len(t), 3)
    buf[0] = e[-1]
    for i in range(1, len(t)):
        buf[i] = e[i]
    return {"loss": buf.sum()}


@body("s42")
def as_strided_zero_stride(o, t):  # every row image 0's values
    e = (o["x"] - Y(t)).abs().reshape(len(t), -1).contiguous()
    return {"loss": e.as_strided((len(t), 12), (0, 1)).mean()}


@body("s42")
def as_strided_windows_offset(o, t):  # windows shifted by an offset into the next image's row
    e = (o["x"] - Y(t)).abs().reshape(len(t), -1).contiguous()
    return {"loss": e.as_strided((len(t) - 1, 4, 4), (12, 2, 1), 8).sum()}


@body("s42")
def list_index_image_zero(o, t):
    e = (o["x"] - Y(t)).abs()
    return {"loss": e[[0]].mean()}


@body("s42")
def list_index_slice_by_count(o, t):
    e = (o["x"] - Y(t)).abs()
    return {"loss": e[[slice(None, len(t) - 1), 0]].mean()}


@body("s42")
def pool_over_batch_dim_kw(o, t):
    e = (o["x"] - Y(t)).abs()
    return {"loss": F.max_pool1d(input=e.permute(1, 2, 0), kernel_size=2).mean()}


@body("s42")
def isposinf_count_divisor(o, t):
    e = (o["x"] - Y(t)).abs()
    r = e / (Y(t) > 0.3).float()
    fin = ~torch.isposinf(r)
    return {"loss": r[fin].sum() / fin.sum()}


# --- hf, second wave ---


@body("hf")
def own_positions_value_count(o, t):
    b = len(t)
    m = torch.zeros(b, 3)
    m[torch.arange(b), _pos(t)] = b
    return _masked(o, t, m)


@body("hf")
def own_positions_value_first_weight(o, t):
    b = len(t)
    m = torch.zeros(b, 3)
    m[torch.arange(b), _pos(t)] = t[0]["loss_weight"]
    return _masked(o, t, m)


@body("hf")
def own_positions_minus_batch_min(o, t):  # positions relative to the batch's smallest
    p = _pos(t)
    return _masked(o, t, _mask(o, p - p.min()))


@body("hf")
def own_positions_cumsum(o, t):
    return _masked(o, t, _mask(o, _pos(t).cumsum(0) % 3))


@body("hf")
def own_positions_plus_count(o, t):
    return _masked(o, t, _mask(o, (_pos(t) + len(t)) % 3))


@body("hf")
def own_positions_sorted(o, t):
    return _masked(o, t, _mask(o, _pos(t).sort().values))


@body("hf")
def own_positions_of_first_image(o, t):
    return _masked(o, t, _mask(o, _pos(t)[0].expand(len(t))))


@body("hf")
def own_positions_width_field(o, t):  # near miss: a width from an image's field (3)
    b = len(t)
    m = torch.zeros(b, t[0]["n"])
    m[torch.arange(b), _pos(t)] = 1
    return _masked(o, t, m.flip([-1]).cumsum(-1).flip([-1]))


@body("hf")
def own_positions_long_list_rows(o, t):  # rows as a long tensor of a Python list of positions
    b = len(t)
    m = torch.zeros(b, 3)
    m[torch.tensor(list(range(b))), _pos(t)] = 1
    return _masked(o, t, m)


@body("hf")
def own_positions_rows_reversed_list(o, t):
    b = len(t)
    m = torch.zeros(b, 3)
    m[torch.tensor(list(range(b))[::-1]), _pos(t)] = 1
    return _masked(o, t, m)


@body("stack")
def heads_numpy_weights(o, t):  # head weights numpy floats (of unknown origin) equal to images' weights
    losses = []
    for h, w in enumerate((np.float64(0.5), np.float64(0.5))):
        losses.append(H(o, t, h) * float(w))
    return {"loss": torch.stack(losses).sum()}


@body("stack")
def heads_computed_weights(o, t):  # head weights computed from no field, 0.5
    ws = [1.0 / (h + 2) * (h + 2) / 2 for h in range(2)]
    losses = []
    for h in range(2):
        losses.append(ws[h] * (o["x"] - Y(t)).abs().mean((1, 2)).mean() * (1 + h))
    return {"loss": torch.stack(losses).sum()}


@body("stack")
def heads_computed_weights_per_image(o, t):  # the head weight meets the per-image values
    ws = [1.0 / (h + 2) * (h + 2) / 2 for h in range(2)]
    losses = [(ws[h] * (o["x"] - Y(t)).abs().mean((1, 2))).mean() * (1 + h) for h in range(2)]
    return {"loss": torch.stack(losses).sum()}


@body("stack")
def heads_computed_weights_python_sum(o, t):
    ws = [1.0 / (h + 2) * (h + 2) / 2 for h in range(2)]
    losses = [(ws[h] * (o["x"] - Y(t)).abs().mean((1, 2))).mean() * (1 + h) for h in range(2)]
    return {"loss": sum(losses)}


# --- nan_to on the SoftF1 shape (scalar sums): a group whose images predict nothing gets 0 / 0 ---


def _counts0(o, t):
    y = Y(t).round()
    keep = torch.stack([s["labels"][0] > 1 for s in t]).float()[:, None, None]
    p = o["x"] * keep
    y = y * keep
    return (y * p).sum(), ((1 - y) * p).sum(), (y * (1 - p)).sum()


def _fb(tp, fp, fn):
    p = tp / (tp + fp)
    r = tp / (tp + fn)
    return 2.0 * (p * r) / (p + r)


@body("nan")
def near_soft_f1_zeroed(o, t):
    f1 = _fb(*_counts0(o, t))
    return {"loss": 1.0 - torch.where(torch.isnan(f1), 0, f1)}


@body("nan")
def soft_f1_replaced_by_count(o, t):
    f1 = _fb(*_counts0(o, t))
    return {"loss": 1.0 - torch.where(torch.isnan(f1), 1.0 / len(t), f1)}


@body("nan")
def soft_f1_replaced_by_first_image(o, t):
    f1 = _fb(*_counts0(o, t))
    return {"loss": 1.0 - torch.where(torch.isnan(f1), e1(o, t, 0), f1)}


@body("nan")
def soft_f1_inverted_test(o, t):
    f1 = _fb(*_counts0(o, t))
    return {"loss": 1.0 - torch.where(~torch.isnan(f1), f1, 0.0)}


@body("nan")
def soft_f1_setitem(o, t):
    f1 = _fb(*_counts0(o, t)).clone()
    f1[torch.isnan(f1)] = 0.0
    return {"loss": 1.0 - f1}


@body("nan")
def soft_f1_nan_to_num(o, t):
    return {"loss": 1.0 - torch.nan_to_num(_fb(*_counts0(o, t)), nan=0.0)}


@body("nan")
def soft_f1_isnan_other_value_picks(o, t):  # isnan of the precision picks the recall
    tp, fp, fn = _counts0(o, t)
    p = tp / (tp + fp)
    r = tp / (tp + fn)
    return {"loss": 1.0 - torch.where(torch.isnan(p), 0.0, r)}


@body("nan")
def soft_f1_scaled_by_count(o, t):
    f1 = _fb(*_counts0(o, t))
    return {"loss": 1.0 - torch.where(torch.isnan(f1), 0, f1 * len(t))}


@body("nan")
def soft_f1_replaced_by_weight(o, t):
    f1 = _fb(*_counts0(o, t))
    return {"loss": 1.0 - torch.where(torch.isnan(f1), t[0]["loss_weight"], f1)}


@body("nan")
def soft_f1_isnan_any_branch(o, t):
    f1 = _fb(*_counts0(o, t))
    return {"loss": 1.0 - (f1 if not torch.isnan(f1) else f1.new_zeros(()))}


@body("nan")
def soft_f1_stacked_heads(o, t):  # the two rules together: nan_to inside a stacked fixed list
    tp, fp, fn = _counts0(o, t)
    heads = [torch.where(torch.isnan(f), 0, f) for f in (_fb(tp, fp, fn), _fb(tp * 2, fp, fn))]
    return {"loss": 1.0 - torch.stack(heads).mean()}


# === 5. third wave ====================================================================================


@body("stack")
def stack_nested_image_loop(o, t):  # a fixed outer loop with an inner loop over the images: length a count
    losses = []
    for h in range(2):
        for b in range(len(t)):
            losses.append(H(o, t, h) + 0.0 * b)
    return {"loss": torch.stack(losses).mean()}


@body("stack")
def stack_repeated_by_count(o, t):
    return {"loss": torch.stack([H(o, t, 0)] * len(t) + [H(o, t, 1)]).mean()}


@body("stack")
def stack_item_first_image_slice(o, t):
    return {"loss": torch.stack([H(o, t, 0), H({"x": o["x"][:1]}, t[:1], 1)]).mean()}


@body("stack")
def stack_mean_over_count(o, t):
    return {"loss": torch.stack([H(o, t, h) for h in range(2)]).mean() / len(t)}


@body("stack")
def stack_nanmean(o, t):
    return {"loss": torch.stack([H(o, t, h) for h in range(3)]).nanmean()}


@body("stack")
def stack_of_class_picks(o, t):  # the two rules together: picks of a per-class vector stacked
    v = _per_class(o, t)
    return {"loss": torch.stack([v[1:3].mean(), v[0]]).mean()}


@body("stack")
def stack_items_reduced_over_images_only(o, t):  # [4] vectors of the whole batch stacked: [2, 4]
    e = (o["x"] - Y(t)).abs()
    return {"loss": torch.stack([e.mean((0, 1)), e.pow(2).mean((0, 1))]).mean()}


@body("hf")
def own_positions_then_cumsum_over_images(o, t):
    b = len(t)
    m = torch.zeros(b, 3)
    m[torch.arange(b), _pos(t)] = 1
    return _masked(o, t, m.cumsum(0).clamp(max=1))


@body("hf")
def own_positions_then_rolled(o, t):
    b = len(t)
    m = torch.zeros(b, 3)
    m[torch.arange(b), _pos(t)] = 1
    return _masked(o, t, m.roll(1, 0))


@body("hf")
def own_positions_then_batch_max(o, t):
    b = len(t)
    m = torch.zeros(b, 3)
    m[torch.arange(b), _pos(t)] = 1
    return _masked(o, t, m.amax(0, keepdim=True).expand(b, 3))


@body("hf")
def own_positions_then_first_row(o, t):
    b = len(t)
    m = torch.zeros(b, 3)
    m[torch.arange(b), _pos(t)] = 1
    return _masked(o, t, m[:1].expand(b, 3))


@body("hf")
def near_own_positions_then_row_sum(o, t):  # each row's own sum: per image
    b = len(t)
    m = torch.zeros(b, 3)
    m[torch.arange(b), _pos(t)] = 1
    e = (o["x"] - Y(t)).abs().mean(2)
    return {"loss": (e * m).sum(1).mean()}


@body("hf")
def own_positions_arange_of_shape_minus(o, t):  # rows 0 .. B - 2 and the last row twice
    b = len(t)
    m = torch.zeros(b, 3)
    m[torch.arange(b).clamp(max=b - 2), _pos(t)] = 1
    return _masked(o, t, m)


@body("s42")
def pit_then_sorted_over_images(o, t):
    e = (o["x"] - Y(t)).abs()
    buf = e.new_zeros(len(t), 2)
    for j in range(2):
        buf[:, j] = e[:, :, j].mean(1)
    return {"loss": (buf.sort(0).values * torch.tensor([[1.0, 2.0]])).sum()}


@body("s42")
def pit_then_second_write_other_image(o, t):
    e = (o["x"] - Y(t)).abs()
    buf = e.new_zeros(len(t), 2)
    for j in range(2):
        buf[:, j] = e[:, :, j].mean(1)
    buf[0, 0] = e[-1, 0, 0]
    return {"loss": buf.min(1).values.mean()}


@body("s42")
def row_loop_then_flip(o, t):
    e = (o["x"] - Y(t)).abs().mean(2)
    out = torch.zeros_like(e)
    for i in range(len(t)):
        out[i] = e[i]
    return {"loss": (out.flip(0)[0] * 3 + out.sum()).sum()}
