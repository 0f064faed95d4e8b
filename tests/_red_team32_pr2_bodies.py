# ruff: noqa: B023, E731 -- what this red team tries: loop variables, lambdas
"""Red team of session 32 (helper pr2): adversarial bodies aimed at the rules merged in session 32
(``1946ad9..20117c6``): ``torch.lerp`` / ``torch.where`` with the images' weights as an operand or a
mixed weight tensor, a row buffer written at a literal position of every row, ``torch.cat`` of a
legacy empty 1-D input, a fill by a loop position or a counter, clamp bounds held in attributes,
and ``torch.where`` picking an image's weight object. Near misses must split exactly.

``BODIES``: name -> (family, batch kind, body); measured on the red-team-28 batches (kind ``"x"``)
by ``tests/_red_team28_measure.py``'s ``measure``; the tests are ``tests/test_red_team32_pr2.py``."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from _red_team26_bodies import CE, LAB, E
from _red_team27_bodies import registrar
from _red_team31_bodies import e1

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)


def W(t):
    return torch.tensor([s["loss_weight"] for s in t])


# === 1. lerp and where with the weights ==========================================================


@body("lerp")
def lerp_weights_as_end(o, t):
    w = W(t)
    return {"loss": (E(o, t) * torch.lerp(torch.ones_like(w), w, 1.0)).sum()}


@body("lerp")
def lerp_weights_as_start(o, t):
    w = W(t)
    return {"loss": (E(o, t) * torch.lerp(w, torch.ones_like(w), 0.0)).sum()}


@body("lerp")
def lerp_weights_as_weight(o, t):
    e = E(o, t)
    return {"loss": torch.lerp(e, 2.0 * e, W(t)).sum()}


@body("lerp")
def lerp_mixed_weights_as_factor(o, t):
    w = torch.lerp(torch.full((len(t),), 1.0), W(t), 0.5)
    return {"loss": (E(o, t) * w).sum()}


@body("lerp")
def lerp_weights_mixed_by_mul_add(o, t):
    w = W(t) * 0.5 + 0.5
    return {"loss": torch.lerp(E(o, t), torch.zeros(len(t)), 1.0 - w).sum()}


@body("lerp")
def lerp_stacked_weight_tensors(o, t):
    w = torch.stack([torch.as_tensor(s["loss_weight"]) for s in t])
    e = E(o, t)
    return {"loss": torch.lerp(e, e * w, 1.0).sum()}


@body("lerp")
def lerp_constant_near_miss(o, t):
    e = E(o, t)
    return {"loss": torch.lerp(e, e * 3.0, 0.25).mean()}


@body("where")
def where_mask_by_weight(o, t):
    e = E(o, t)
    return {"loss": torch.where(W(t) > 0.7, e, torch.zeros_like(e)).sum()}


@body("where")
def where_weight_value(o, t):
    e = E(o, t)
    return {"loss": torch.where(e > 0.2, e, W(t)).sum()}


@body("where")
def where_weight_first(o, t):
    e = E(o, t)
    w = W(t)
    return {"loss": (torch.where(w < 1.0, w, torch.ones_like(w)) * e).sum()}


# === 2. fills by a loop position or a counter =====================================================


@body("fill")
def fill_like_position_factor(o, t):
    total = 0.0
    for i, _ in enumerate(t):
        v = e1(o, t, i)
        total = total + v * torch.full_like(v, float(i))
    return {"loss": total}


@body("fill")
def full_position_factor(o, t):
    total = 0.0
    for i, _ in enumerate(t):
        total = total + (e1(o, t, i) * torch.full((1,), i)).sum()
    return {"loss": total}


@body("fill")
def full_counter_factor(o, t):
    total, k = 0.0, 0
    for i in range(len(t)):
        total = total + (e1(o, t, i) * torch.full((1,), float(k))).sum()
        k += 1
    return {"loss": total}


@body("fill")
def full_position_plus_one_divisor(o, t):
    total = 0.0
    for i, _ in enumerate(t):
        total = total + (e1(o, t, i) / torch.full((), i + 1.0))
    return {"loss": total}


@body("fill")
def full_position_from_the_end(o, t):
    total = 0.0
    for i, _ in enumerate(t):
        total = total + (e1(o, t, i) * torch.full((1,), float(len(t) - i))).sum()
    return {"loss": total}


@body("fill")
def full_position_stacked_then_weighted(o, t):
    pos = torch.cat([torch.full((1,), float(i)) for i, _ in enumerate(t)])
    return {"loss": (E(o, t) * pos).sum()}


@body("fill")
def full_position_as_index_near_miss(o, t):
    total = 0.0
    for i, _ in enumerate(t):
        rows = o["x"][torch.full((3,), i), torch.arange(3)]
        total = total + (rows - t[i]["y"]).abs().mean()
    return {"loss": total}


@body("fill")
def full_position_batch_index_near_miss(o, t):
    bi = torch.cat([torch.full((3,), i) for i, _ in enumerate(t)])
    x = o["x"].reshape(-1, 4)
    y = torch.cat([s["y"] for s in t])
    per = (x - y).abs().mean(1)
    return {"loss": torch.zeros(len(t)).index_add(0, bi, per).sum()}


@body("fill")
def full_position_parity_mask(o, t):
    total = 0.0
    for i, _ in enumerate(t):
        total = total + e1(o, t, i) * torch.full((), float(i % 2))
    return {"loss": total}


# === 3. row buffers and cat ========================================================================


@body("rows")
def shifted_labels_start_token_near_miss(o, t):
    lab = LAB(t)
    shifted = lab.new_zeros(lab.shape)
    shifted[:, 1:] = lab[:, :-1].clone()
    shifted[:, 0] = 2
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), shifted)}


@body("rows")
def shifted_labels_count_token(o, t):
    lab = LAB(t)
    shifted = lab.new_zeros(lab.shape)
    shifted[:, 1:] = lab[:, :-1].clone()
    shifted[:, 0] = len(t) % 5
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), shifted)}


@body("rows")
def row_buffer_first_image_written(o, t):
    lab = LAB(t)
    shifted = lab.clone()
    shifted[0, :] = 2
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), shifted)}


@body("rows")
def row_buffer_weight_written(o, t):
    buf = torch.ones(len(t), 2)
    buf[:, 0] = t[0]["loss_weight"]
    return {"loss": (E(o, t) * buf[:, 0]).sum()}


@body("rows")
def row_buffer_batch_sum_written(o, t):
    e = E(o, t)
    buf = torch.zeros(len(t), 2)
    buf[:, 0] = e.detach().sum()
    return {"loss": (e * buf[:, 0]).mean()}


@body("rows")
def row_buffer_literal_factor_near_miss(o, t):
    buf = torch.ones(len(t), 2)
    buf[:, 1] = 3.0
    return {"loss": (E(o, t) * buf[:, 1]).mean()}


@body("cat")
def cat_empty_then_values_near_miss(o, t):
    return {"loss": torch.cat([torch.tensor([]), E(o, t)]).mean()}


@body("cat")
def cat_empty_values_and_a_zero(o, t):
    return {"loss": torch.cat([torch.empty(0), E(o, t), torch.zeros(1)]).mean()}


@body("cat")
def cat_empty_and_count(o, t):
    e = E(o, t)
    return {"loss": torch.cat([torch.zeros(0), e, e.new_tensor([float(len(t))])]).sum()}


@body("cat")
def cat_empty_and_weights(o, t):
    v = torch.cat([torch.tensor([]), E(o, t) * W(t)])
    return {"loss": v.sum()}


# === 4. clamp bounds held in attributes ===========================================================


class CapFromCount(torch.nn.Module):
    def forward(self, o, t):
        self.cap = 0.3 / len(t)
        return {"loss": E(o, t).clamp(max=self.cap).sum()}


class CapConstantInForward(torch.nn.Module):
    def forward(self, o, t):
        self.cap = 0.15
        return {"loss": E(o, t).clamp(max=self.cap).sum()}


class CapFromBatchMean(torch.nn.Module):
    def forward(self, o, t):
        e = E(o, t)
        self.cap = float(e.detach().mean())
        return {"loss": e.clamp(max=self.cap).sum()}


class CapSetOnce(torch.nn.Module):
    """A bound set by the first call from its image count, kept after."""

    def forward(self, o, t):
        if not hasattr(self, "cap"):
            self.cap = 0.5 / len(t)
        return {"loss": E(o, t).clamp(max=self.cap).sum()}


class CapFromWeights(torch.nn.Module):
    def forward(self, o, t):
        self.cap = 0.2 * max(s["loss_weight"] for s in t)
        return {"loss": E(o, t).clamp(max=self.cap).sum()}


for _cls in (CapFromCount, CapConstantInForward, CapFromBatchMean, CapSetOnce, CapFromWeights):
    body("clamp")(_cls)


# === 5. torch.where picking a weight ===============================================================


@body("picked")
def where_tensor_of_first_weight(o, t):
    e = E(o, t)
    return {"loss": torch.where(e > 0.2, e, torch.tensor(t[0]["loss_weight"])).sum()}


@body("picked")
def where_last_weight(o, t):
    e = E(o, t)
    return {"loss": torch.where(e > 0.2, e, t[-1]["loss_weight"]).sum()}


@body("picked")
def where_float_of_first_weight(o, t):
    e = E(o, t)
    return {"loss": torch.where(e > 0.2, e, float(t[0]["loss_weight"])).sum()}


@body("picked")
def where_max_weight(o, t):
    e = E(o, t)
    return {"loss": torch.where(e > 0.2, e, max(s["loss_weight"] for s in t)).sum()}


@body("picked")
def where_first_weight_as_factor(o, t):
    e = E(o, t)
    return {"loss": (e * torch.where(e > 0.2, 1.0, t[0]["loss_weight"])).sum()}


@body("picked")
def where_field_near_miss(o, t):
    e = E(o, t)
    return {"loss": torch.where(e > 0.2, e, float(t[0]["n"])).sum()}


@body("picked")
def where_ce_first_weight(o, t):
    c = CE(o, t)
    return {"loss": torch.where(c > 1.0, c, c * t[0]["loss_weight"]).mean()}


@body("picked")
def where_tensor_of_literal_near_miss(o, t):
    e = E(o, t)
    return {"loss": torch.where(e > 0.2, e, torch.tensor(0.5)).sum()}
