# ruff: noqa: B006, B008, B023, E731 -- what this red team tries: mutable and computed defaults, lambdas
"""Red team of session 33, round 2 (helper pb): adversarial bodies against the rules merged this
session by helpers cnt (one image's value over a number computed from the whole batch,
``_bytecode.batch_number``; nested defaults; ``self.x`` stored in forward; joins of position fills)
and old (``_counted_while``, ``literal_number_call``, lambdas closing over a count, ``np.prod`` through
``int``, one-line size helpers in clamp bounds, ``counted_subscript`` of stores). Near misses
(``near_*``) must split exactly; every other body must split exactly or decline naming the key.

``BODIES``: name -> (family, batch kind, body); measured on the red-team-28 batches by
``tests/_red_team32_measure.py``'s machinery; the tests are ``tests/test_red_team33_pb.py``."""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from _red_team26_bodies import CE, LAB, E
from _red_team27_bodies import registrar
from _red_team31_bodies import e1

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)


# === 1. cnt: one image's value over a number computed from the batch ===============================


@body("cnt")
def first_two_images_over_max_count_no_loop(o, t):
    e = E(o, t)
    return {"loss": (e[0] + e[1]) / max(len(t), 3)}


@body("cnt")
def unbind_pick_over_max_count(o, t):
    parts = E(o, t).unbind(0)
    return {"loss": sum(parts[b] / max(len(t), 3) for b in range(len(t)))}


@body("cnt")
def unbound_images_over_max_count(o, t):
    return {"loss": sum(v / max(len(t), 3) for v in E(o, t).unbind(0))}


@body("cnt")
def per_image_over_divmod_half(o, t):
    q, _ = divmod(len(t), 2)
    return {"loss": torch.stack([e1(o, t, b) / (q + 1) for b in range(len(t))]).sum()}


@body("cnt")
def per_image_over_round_half(o, t):
    k = round(len(t) * 0.5 + 1)
    return {"loss": torch.stack([e1(o, t, b) / k for b in range(len(t))]).sum()}


@body("cnt")
def per_image_over_ceil_half(o, t):
    k = math.ceil(len(t) / 2)
    return {"loss": torch.stack([e1(o, t, b) / k for b in range(len(t))]).sum()}


@body("cnt")
def per_image_over_abs_distance(o, t):
    k = abs(len(t) - 7)  # 5, 4, 3, 2 on 2, 3, 4, 5 images: equals the count on none
    return {"loss": torch.stack([e1(o, t, b) / k for b in range(len(t))]).sum()}


@body("cnt")
def per_image_over_abs_distance_from_6(o, t):
    k = abs(len(t) - 6)  # 3 on 3 images (1r2s), 4 on 2, 2 on 4
    return {"loss": torch.stack([e1(o, t, b) / k for b in range(len(t))]).sum()}


@body("cnt")
def per_image_over_int_of_str(o, t):
    k = int(str(len(t)))
    return {"loss": torch.stack([e1(o, t, b) / k for b in range(len(t))]).sum()}


@body("cnt")
def per_image_over_operator_index(o, t):
    k = operator.index(len(t))
    return {"loss": torch.stack([e1(o, t, b) / k for b in range(len(t))]).sum()}


@body("cnt")
def per_image_over_generator_count(o, t):
    k = sum(1 for _ in t)
    return {"loss": torch.stack([e1(o, t, b) / k for b in range(len(t))]).sum()}


@body("cnt")
def per_image_over_set_of_range(o, t):
    k = len(set(range(len(t))))
    return {"loss": torch.stack([e1(o, t, b) / k for b in range(len(t))]).sum()}


@body("cnt")
def per_image_over_max_of_generator_count(o, t):
    k = max(sum(1 for _ in t), 3)
    return {"loss": torch.stack([e1(o, t, b) / k for b in range(len(t))]).sum()}


@body("cnt")
def per_image_over_max_of_operator_index(o, t):
    k = max(operator.index(len(t)), 3)
    return {"loss": torch.stack([e1(o, t, b) / k for b in range(len(t))]).sum()}


@body("cnt")
def per_image_over_max_in_default_list(o, t):
    acc = []
    acc.append(max(len(t), 3))

    def norm(v, d=acc):
        return v / d[0]
    return {"loss": torch.stack([norm(e1(o, t, b)) for b in range(len(t))]).sum()}


@body("cnt")
def clamp_by_default_list_filled_later(o, t):
    cap = [0.0]

    def clip(v, c=cap):
        return v.clamp(max=c[0])
    cap[0] = 0.1 * len(t)
    return {"loss": clip(E(o, t) * 3.0).sum()}


@body("cnt")
def width_in_default_list(o, t):
    def norm(v, w=[o["x"].shape[0]]):
        return v / w[0]
    return {"loss": norm(E(o, t)).sum()}


class CapUnderIf(torch.nn.Module):
    def forward(self, o, t):
        if len(t) > 0:
            self.cap = 0.1 * len(t)
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


class CapInTraining(torch.nn.Module):
    def forward(self, o, t):
        if self.training:
            self.cap = 0.1 * len(t)
        else:
            self.cap = 0.3
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


class CapByHelperMethod(torch.nn.Module):
    def _setup(self, t):
        self.cap = 0.1 * len(t)

    def forward(self, o, t):
        self._setup(t)
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


class CapBySetattr(torch.nn.Module):
    def forward(self, o, t):
        setattr(self, "cap", 0.1 * len(t))  # noqa: B010 - the spelling is what it tries
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


class CapInDict(torch.nn.Module):
    def forward(self, o, t):
        self.__dict__["cap"] = 0.1 * len(t)
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


class NearCapConstantUnderIf(torch.nn.Module):
    def forward(self, o, t):
        if len(t) > 0:
            self.cap = 0.3
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


class NearCapFirstCallOnly(torch.nn.Module):
    def forward(self, o, t):
        if not hasattr(self, "cap"):
            self.cap = 0.1 * len(t)  # the first call's (the oracle's instance is warmed on a batch as large)
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


class NearCapUnsetOnly(torch.nn.Module):
    cap = None

    def forward(self, o, t):
        if self.cap is None:
            self.cap = 0.1 * len(t)
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap).sum()}


class NearCapSetattrConstant(torch.nn.Module):
    def forward(self, o, t):
        setattr(self, "cap", 0.3)  # noqa: B010 - the spelling is what it tries
        self.__dict__["floor"] = 0.01 * 3
        return {"loss": (E(o, t) * 3.0).clamp(min=self.floor, max=self.cap).sum()}


for _cls in (CapUnderIf, CapInTraining, CapByHelperMethod, CapBySetattr, CapInDict):
    body("cnt")(_cls)
for _cls in (NearCapConstantUnderIf, NearCapFirstCallOnly, NearCapUnsetOnly, NearCapSetattrConstant):
    body("near")(_cls)


@body("cnt")
def position_tensor_fills_joined(o, t):
    w = torch.cat([torch.tensor([float(i)]) for i in range(len(t))])
    return {"loss": (E(o, t) * w).sum()}


@body("cnt")
def position_ones_times_index_joined(o, t):
    w = torch.cat([torch.ones(1) * i for i in range(len(t))])
    return {"loss": (E(o, t) * w).sum()}


@body("cnt")
def position_fills_stacked_reversed(o, t):
    w = torch.stack([torch.full((), float(len(t) - i)) for i in range(len(t))])
    return {"loss": (E(o, t) * w).sum()}


# --- near misses of section 1 -------------------------------------------------------------------------


@body("near")
def near_per_image_over_literal_3(o, t):
    return {"loss": torch.stack([e1(o, t, b) / 3 for b in range(len(t))]).sum()}


@body("near")
def near_per_image_over_len_of_literal(o, t):
    k = len("abc")
    return {"loss": torch.stack([e1(o, t, b) / k for b in range(len(t))]).sum()}


@body("near")
def near_per_image_over_own_rows_max(o, t):
    return {"loss": torch.stack([e1(o, t, b) / max(len(t[b]["labels"]), 2) for b in range(len(t))]).sum()}


@body("near")
def near_batch_sum_over_generator_count(o, t):
    return {"loss": E(o, t).sum() / sum(1 for _ in t)}


@body("near")
def near_literal_default_list(o, t):
    def norm(v, d=[3]):
        return v / d[0]
    return {"loss": torch.stack([norm(e1(o, t, b)) for b in range(len(t))]).sum()}


# === 2. old: while loops, number types on literals, lambdas, np.prod, size helpers, stores ==========


@body("old")
def while_to_a_literal_rebound_to_count(o, t):
    lim = 3
    lim = len(t)
    c = 0
    while c < lim:
        c += 1
    return {"loss": E(o, t).sum() / c}


@body("old")
def while_to_a_literal_stepped_by_count(o, t):
    c = 0
    while c < 3:
        c += len(t)
    return {"loss": E(o, t).sum() / c}


@body("old")
def while_to_a_literal_started_at_count(o, t):
    c = len(t)
    while c < 6:
        c += 1
    return {"loss": E(o, t).sum() / c}


@body("old")
def while_to_a_literal_counting_down_from_count(o, t):
    c = len(t)
    k = 0
    while c > 0:
        c -= 1
        k += 1
    return {"loss": E(o, t).sum() / k}


@body("old")
def while_to_a_literal_doubling(o, t):
    c = 1
    while c < 3:
        c *= 2
    c += len(t) - 2
    return {"loss": E(o, t).sum() / c}


@body("old")
def while_to_count_stepped_by_count(o, t):
    c = 0
    while c < len(t):
        c += len(t)
    return {"loss": E(o, t).sum() / c}


@body("old")
def np_int64_of_count_divisor(o, t):
    return {"loss": E(o, t).sum() / np.int64(len(t))}


@body("old")
def float_literal_or_one_on_count(o, t):
    k = float(4) if len(t) > 3 else 1.0
    return {"loss": E(o, t).sum() / k}


@body("old")
def float_of_count_if_count(o, t):
    k = float(len(t)) if len(t) else 1.0
    return {"loss": E(o, t).sum() / k}


@body("old")
def float_of_starred_count(o, t):
    return {"loss": E(o, t).sum() / float(*[len(t)])}


@body("old")
def lambda_made_by_helper_over_count(o, t):
    def make(k):
        return lambda v: v / k
    f = make(len(t))
    return {"loss": f(E(o, t).sum())}


@body("old")
def lambda_made_by_helper_over_max_count(o, t):
    def make(k):
        return lambda v: v / k
    f = make(max(len(t), 3))
    return {"loss": sum(f(e1(o, t, b)) for b in range(len(t)))}


@body("old")
def lambda_over_max_count_per_image(o, t):
    m = max(len(t), 3)
    f = lambda v: v / m
    return {"loss": sum(f(e1(o, t, b)) for b in range(len(t)))}


@body("old")
def lambda_clamp_over_count(o, t):
    n = len(t)
    f = lambda v: v.clamp(max=0.1 * n)
    return {"loss": f(E(o, t) * 3.0).sum()}


@body("old")
def np_prod_rows_over_count(o, t):
    k = int(np.prod(o["x"].shape)) // len(t)  # 12 per image: a constant computed from two counts
    return {"loss": (o["x"] - torch.stack([s["y"] for s in t])).abs().sum() / k}


@body("old")
def math_prod_of_images_dim(o, t):
    return {"loss": E(o, t).sum() / math.prod(o["x"].shape[:1])}


@body("old")
def np_prod_of_count_list(o, t):
    return {"loss": E(o, t).sum() / int(np.prod([len(t), 1]))}


def _rows_two_lines(v):
    r = v.shape[0]
    return r


def _size0(v):
    return v.size(0)


def _len(v):
    return len(v)


def _width_two_lines(v):
    w = v.shape[-1]
    return w


@body("old")
def clamp_by_two_line_rows_helper(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * _rows_two_lines(o["x"])).sum()}


@body("old")
def clamp_by_size0_helper(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * _size0(o["x"])).sum()}


@body("old")
def clamp_by_len_helper(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * _len(t)).sum()}


@body("old")
def clamp_by_len_helper_of_tensor(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * _len(o["x"])).sum()}


@body("old")
def clamp_by_len_helper_through_local(o, t):  # (q2, round 3: WRONG, pinned; declines since session 34)
    n = _len(t)
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * n).sum()}


@body("old")
def clamp_by_len_helper_of_one_image(o, t):  # (q2, round 3: declines as ``len(o["x"][0])`` written there does, a GAP)
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * _len(o["x"][0])).sum()}


@body("near")
def near_clamp_by_two_line_width_helper(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * _width_two_lines(o["x"])).sum()}


def _size2(v):
    return v.size(2)


@body("near")
def near_clamp_by_size_helper_of_width(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * _size2(o["x"])).sum()}  # 4 wide (4 images on 2r2s)


@body("near")
def near_clamp_by_size0_helper_of_one_image(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * _size0(o["x"][0])).sum()}



LAB_CLASSES = 5


@body("old")
def class_weight_store_at_negative_count(o, t):
    w = torch.ones(LAB_CLASSES)
    w[-len(t)] = 3.0
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), weight=w)}


@body("old")
def class_weight_store_from_half_count(o, t):
    w = torch.ones(LAB_CLASSES)
    w[len(t) // 2:] = 3.0
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), weight=w)}


@body("near")
def near_class_weight_store_from_half_classes(o, t):  # (q2, round 3: near misses of the two above)
    w = torch.ones(LAB_CLASSES)
    w[LAB_CLASSES // 2:] = 3.0
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), weight=w)}


@body("near")
def near_class_weight_store_at_logits_width(o, t):
    w = torch.ones(LAB_CLASSES)
    w[o["logits"].shape[-1] - 2] = 3.0  # the classes' dim of the logits: no count of images
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), weight=w)}


@body("old")
def rows_buffer_store_at_negative_count(o, t):
    buf = CE(o, t).clone()
    buf[:, -len(t) + 1] = 0.0  # column 3 - n + 1 of 3 (n <= 4 images)
    return {"loss": buf.sum()}


@body("old")
def rows_buffer_store_from_half_count(o, t):
    buf = CE(o, t).clone()
    buf[:, len(t) // 2:] = 0.0
    return {"loss": buf.sum()}


@body("old")
def rows_buffer_store_at_count_minus_two_in_place_mul(o, t):
    buf = CE(o, t).clone()
    buf[:, len(t) - 2] *= 2.0
    return {"loss": buf.sum()}


@body("old")
def rows_buffer_rows_value_at_count_minus_two(o, t):
    buf = CE(o, t).clone()
    buf[:, len(t) - 2] = buf[:, 0].clone()
    return {"loss": buf.sum()}


@body("old")
def rows_buffer_scalar_at_count_minus_two(o, t):
    buf = CE(o, t).clone()
    buf[:, len(t) - 2] = 0.0
    return {"loss": buf.sum()}


@body("old")
def rows_buffer_rows_added_at_count_minus_two(o, t):
    buf = CE(o, t).clone()
    buf[:, len(t) - 2] += buf[:, 0].clone()
    return {"loss": buf.sum()}


@body("near")
def near_rows_buffer_in_place_at_literal(o, t):
    buf = CE(o, t).clone()
    buf[:, 1] *= 2.0
    return {"loss": buf.sum()}


@body("old")
def rows_buffer_in_place_at_first_images_rows(o, t):
    buf = CE(o, t).clone()
    buf[:, len(t[0]["labels"]) - 2] *= 2.0  # the first image's rows: on a group alone, the group's first image's
    return {"loss": buf.sum()}


@body("near")
def near_rows_buffer_store_at_literal(o, t):
    buf = CE(o, t).clone()
    buf[:, -1] = 0.0
    return {"loss": buf.sum()}


@body("near")
def near_class_weight_store_at_literal(o, t):
    w = torch.ones(LAB_CLASSES)
    w[-2] = 3.0
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), weight=w)}


@body("near")
def near_while_to_literal(o, t):
    c = 0
    while c < 3:
        c += 1
    return {"loss": E(o, t).sum() / c}


@body("near")
def near_float_literal_if_count(o, t):
    k = float(4) if len(t) else 1.0
    return {"loss": E(o, t).sum() / k}


@body("near")
def near_np_int64_literal(o, t):
    return {"loss": E(o, t).sum() / np.int64(4)}


@body("near")
def near_float_literal_plain_if_count(o, t):
    k = 4.0 if len(t) else 1.0
    return {"loss": E(o, t).sum() / k}


@body("near")
def near_float_literal_if_not_none(o, t):
    k = 4.0 if o is not None else 1.0
    return {"loss": E(o, t).sum() / k}
