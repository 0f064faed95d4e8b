# ruff: noqa: B008, B023, B905, E731 -- what this red team tries: closures over loop variables, lambdas, zips
"""Red team of session 33 (helper pa): spellings the session-33 rules (helper wgt) may miss -- an
image's weight tested through a helper, ``getattr``, ``operator.eq``, ``math.isclose``,
``np.isclose``, ``float(w) > .7``, ``bool(w - 1)``, a tensor's ``.item()``, ``sorted`` / ``min`` /
``max`` keyed on it, a list index or a ``set``; the batch's largest / smallest box count through a
helper, ``sorted(..)[-1]``, ``functools.reduce``, ``np.max``, a tensor's ``.max().item()``; a count in a
``dict`` / ``NamedTuple`` field; a repeated count number (``[1/n]*n``, ``np.repeat``,
``torch.full((n,), 1/n).tolist()``); divisions run by C code (``functools.reduce(operator.truediv,
..)``, ``np.divide``). Near misses (a constant, an image's own sizes, tests every weight decides as 1
does) must split exactly.

``BODIES``: name -> (family, batch kind, body), measured by ``tests/_red_team32_measure.py``'s
machinery; the tests are ``tests/test_red_team33_pa.py``."""

from __future__ import annotations

import functools
import math
import operator
from typing import Any, NamedTuple

import numpy as np
import torch
from _red_team26_bodies import MATCHED, E
from _red_team27_bodies import registrar
from _red_team31_bodies import e1

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)


# === 1. an image's weight tested, spelled otherwise ================================================


def _weight_of(s):
    return s["loss_weight"]


def _is_full(s):
    return s["loss_weight"] == 1.0


class _W:
    def __init__(self, w):
        self.loss_weight = w


@body("weighttest")
def weight_through_helper(o, t):
    return {"loss": sum(e1(o, t, b) if _weight_of(s) == 1.0 else 3.0 * e1(o, t, b) for b, s in enumerate(t))}


@body("weighttest")
def weight_test_in_helper(o, t):
    return {"loss": sum(e1(o, t, b) if _is_full(s) else 3.0 * e1(o, t, b) for b, s in enumerate(t))}


@body("weighttest")
def weight_test_in_helper_by_position(o, t):
    loss = 0
    for b in range(len(t)):
        loss = loss + (e1(o, t, b) if _is_full(t[b]) else 3.0 * e1(o, t, b))
    return {"loss": loss}


@body("weighttest")
def weight_test_in_helper_for_each_image(o, t):
    loss, b = 0, 0
    for s in t:
        loss = loss + (e1(o, t, b) if _is_full(s) else 3.0 * e1(o, t, b))
        b += 1
    return {"loss": loss}


@body("weighttest")
def weight_getattr_test(o, t):
    ws = [_W(s["loss_weight"]) for s in t]
    return {"loss": sum(e1(o, t, b) if getattr(w, "loss_weight") == 1.0 else 3.0 * e1(o, t, b)  # noqa: B009
                        for b, w in enumerate(ws))}


@body("weighttest")
def weight_operator_eq(o, t):
    return {"loss": sum(e1(o, t, b) if operator.eq(s["loss_weight"], 1.0) else 3.0 * e1(o, t, b)
                        for b, s in enumerate(t))}


@body("weighttest")
def weight_math_isclose(o, t):
    return {"loss": sum(e1(o, t, b) if math.isclose(s["loss_weight"], 1.0) else 3.0 * e1(o, t, b)
                        for b, s in enumerate(t))}


@body("weighttest")
def weight_np_isclose(o, t):
    return {"loss": sum(e1(o, t, b) if np.isclose(s["loss_weight"], 1.0) else 3.0 * e1(o, t, b)
                        for b, s in enumerate(t))}


@body("weighttest")
def weight_float_gt(o, t):
    loss = 0
    for b, s in enumerate(t):
        if float(s["loss_weight"]) > .7:
            loss = loss + e1(o, t, b)
    return {"loss": loss + E(o, t).sum() * 0.0}


@body("weighttest")
def weight_bool_minus_one(o, t):
    loss = 0
    for b, s in enumerate(t):
        loss = loss + (3.0 * e1(o, t, b) if bool(s["loss_weight"] - 1) else e1(o, t, b))
    return {"loss": loss}


@body("weighttest")
def weight_tensor_item_test(o, t):
    w = torch.tensor([s["loss_weight"] for s in t])
    return {"loss": sum(e1(o, t, b) if w[b].item() == 1.0 else 3.0 * e1(o, t, b) for b in range(len(t)))}


@body("weighttest")
def weight_sorted_key_first(o, t):
    first = sorted(range(len(t)), key=lambda b: t[b]["loss_weight"])[0]
    return {"loss": E(o, t).sum() + e1(o, t, first)}


@body("weighttest")
def weight_min_picks_image(o, t):
    b = min(range(len(t)), key=lambda i: t[i]["loss_weight"])
    return {"loss": E(o, t).sum() + e1(o, t, b)}


@body("weighttest")
def weight_max_of_weights_scale(o, t):
    return {"loss": E(o, t).sum() * max(s["loss_weight"] for s in t)}


_FACTORS = [5.0, 1.0, 2.0]


@body("weighttest")
def weight_as_list_index(o, t):
    return {"loss": sum(_FACTORS[int(s["loss_weight"] * 2)] * e1(o, t, b) for b, s in enumerate(t))}


@body("weighttest")
def weight_in_set(o, t):
    return {"loss": sum(2.0 * e1(o, t, b) if s["loss_weight"] in {0.5, 0.25} else e1(o, t, b)
                        for b, s in enumerate(t))}


@body("weighttest")
def weights_set_size(o, t):
    return {"loss": E(o, t).sum() / len({s["loss_weight"] for s in t})}


@body("weighttest")
def near_weight_helper_scaling(o, t):
    return {"loss": sum(_weight_of(s) * e1(o, t, b) for b, s in enumerate(t))}


@body("weighttest")
def near_isclose_own_field(o, t):
    return {"loss": sum(e1(o, t, b) if math.isclose(s["n"], 4) else 3.0 * e1(o, t, b) for b, s in enumerate(t))}


@body("weighttest")
def near_float_weight_true_for_all(o, t):
    loss = 0
    for b, s in enumerate(t):
        if float(s["loss_weight"]) > 0.1:
            loss = loss + e1(o, t, b)
    return {"loss": loss}


@body("weighttest")
def near_literal_isclose(o, t):
    return {"loss": E(o, t).sum() * (2.0 if math.isclose(0.5, 0.5) else 1.0)}


# === 2. the batch's largest / smallest box count as a divisor, spelled otherwise ====================


def _most_boxes(t):
    return max(len(s["labels"]) for s in t)


def _l1(o, t, idx):
    src, tgt = MATCHED(o, t, idx)
    return (src - tgt).abs().sum()


@body("bounded", "d")
def max_boxes_list_comprehension(o, t, idx, nb):
    return {"loss": _l1(o, t, idx) / max([len(s["labels"]) for s in t])}


@body("bounded", "d")
def max_boxes_through_helper(o, t, idx, nb):
    return {"loss": _l1(o, t, idx) / _most_boxes(t)}


@body("bounded", "d")
def max_boxes_sorted_last(o, t, idx, nb):
    return {"loss": _l1(o, t, idx) / sorted(len(s["labels"]) for s in t)[-1]}


@body("bounded", "d")
def max_boxes_reduce(o, t, idx, nb):
    return {"loss": _l1(o, t, idx) / functools.reduce(max, [len(s["labels"]) for s in t])}


@body("bounded", "d")
def max_boxes_np_max(o, t, idx, nb):
    return {"loss": _l1(o, t, idx) / float(np.max([len(s["labels"]) for s in t]))}


@body("bounded", "d")
def max_boxes_tensor_max_item(o, t, idx, nb):
    return {"loss": _l1(o, t, idx) / torch.tensor([len(s["labels"]) for s in t]).max().item()}


@body("bounded", "d")
def min_boxes_map_len(o, t, idx, nb):
    return {"loss": _l1(o, t, idx) / min(map(len, (s["boxes"] for s in t)))}


@body("bounded", "d")
def near_sum_boxes_np_sum(o, t, idx, nb):
    return {"loss": _l1(o, t, idx) / float(np.sum([len(s["labels"]) for s in t]))}


@body("bounded", "d")
def near_max_literal_divisor(o, t, idx, nb):
    return {"loss": _l1(o, t, idx) / max([2, 3])}


# === 3. a count in a record's field as a bound or exponent ==========================================


class _Cfg(NamedTuple):
    cap: float
    p: float = 1.0


@body("record")
def dict_count_clamp(o, t):
    cfg = {"cap": 0.15 * len(t)}
    return {"loss": E(o, t).clamp(max=cfg["cap"]).sum()}


@body("record")
def namedtuple_count_clamp(o, t):
    cfg = _Cfg(0.15 * len(t))
    return {"loss": E(o, t).clamp(max=cfg.cap).sum()}


@body("record")
def namedtuple_count_pow(o, t):
    cfg = _Cfg(0.45, p=0.5 * len(t))
    return {"loss": (E(o, t) ** cfg.p).sum()}


@body("record")
def near_dict_constant_clamp(o, t):
    cfg = {"cap": 0.45}
    return {"loss": E(o, t).clamp(max=cfg["cap"]).sum()}


@body("record")
def near_namedtuple_constant_pow(o, t):
    cfg = _Cfg(0.45, p=1.5)
    return {"loss": (E(o, t) ** cfg.p).sum()}


# === 4. one number per image repeated from the count ================================================


@body("repeat")
def list_times_reciprocal_count(o, t):
    n = len(t)
    return {"loss": (E(o, t) * torch.tensor([1 / n] * n)).sum()}


@body("repeat")
def np_repeat_reciprocal_count(o, t):
    return {"loss": (E(o, t) * torch.from_numpy(np.repeat(1.0 / len(t), len(t))).float()).sum()}


@body("repeat")
def full_tolist_reciprocal_count(o, t):
    n = len(t)
    return {"loss": (E(o, t) * torch.tensor(torch.full((n,), 1 / n).tolist())).sum()}


@body("repeat")
def list_comprehension_reciprocal_count(o, t):
    n = len(t)
    return {"loss": (E(o, t) * torch.tensor([1.0 / n for _ in range(n)])).sum()}


@body("repeat")
def python_dot_reciprocal_count(o, t):
    n = len(t)
    return {"loss": sum(w * e for w, e in zip([1 / n] * n, E(o, t)))}


@body("repeat")
def near_list_times_constant(o, t):
    n = len(t)
    return {"loss": (E(o, t) * torch.tensor([0.25] * n)).sum()}


@body("repeat")
def near_np_repeat_one(o, t):
    return {"loss": (E(o, t) * torch.from_numpy(np.repeat(1.0, len(t))).float()).sum()}


# === 5. divisions run by C code ====================================================================


@body("cdiv")
def reduce_truediv_by_count(o, t):
    return {"loss": functools.reduce(operator.truediv, [E(o, t).sum(), len(t)])}


@body("cdiv")
def np_divide_item_by_count(o, t):
    per = [e1(o, t, b) for b in range(len(t))]
    return {"loss": sum(p * float(np.divide(1.0, len(t))) for p in per)}


@body("cdiv")
def map_itruediv_by_count(o, t):
    per = [e1(o, t, b) for b in range(len(t))]
    return {"loss": sum(map(operator.itruediv, per, [len(t)] * len(t)))}


@body("cdiv")
def map_partial_truediv(o, t):
    per = [e1(o, t, b) for b in range(len(t))]
    return {"loss": sum(map(functools.partial(operator.mul, 1.0 / len(t)), per))}


@body("cdiv")
def near_reduce_truediv_sum_by_count(o, t):
    return {"loss": functools.reduce(operator.truediv, [E(o, t).sum(), 4.0])}


@body("cdiv")
def near_np_divide_constant(o, t):
    per = [e1(o, t, b) for b in range(len(t))]
    return {"loss": sum(p * float(np.divide(1.0, 3.0)) for p in per)}


# === 6. after the fixes: near misses of the comparison calls and of the order statistics ============


@body("weighttest")
def weight_operator_gt_literal(o, t):
    loss = 0
    for b, s in enumerate(t):
        if operator.gt(s["loss_weight"], 0.7):
            loss = loss + e1(o, t, b)
    return {"loss": loss + E(o, t).sum() * 0.0}


@body("weighttest")
def near_operator_gt_true_for_every_weight(o, t):
    return {"loss": sum(e1(o, t, b) for b, s in enumerate(t) if operator.gt(s["loss_weight"], 0.1))}


@body("weighttest")
def near_operator_mul_weight(o, t):
    return {"loss": sum(operator.mul(s["loss_weight"], e1(o, t, b)) for b, s in enumerate(t))}


@body("bounded", "d")
def near_tensor_of_box_counts_sum_item(o, t, idx, nb):
    return {"loss": _l1(o, t, idx) / torch.tensor([len(s["labels"]) for s in t]).sum().item()}



@body("record")
def dict_count_set_later_clamp(o, t):
    cfg = {}
    cfg["cap"] = 0.15 * len(t)
    return {"loss": E(o, t).clamp(max=cfg["cap"]).sum()}


@body("record")
def dict_two_keys_count_pow(o, t):
    cfg = {"cap": 0.45, "p": 0.5 * len(t)}
    return {"loss": (E(o, t) ** cfg["p"]).sum()}


@body("record")
def near_dict_count_elsewhere_constant_cap(o, t):
    cfg = {"cap": 0.45, "n": float(len(t))}
    return {"loss": E(o, t).clamp(max=cfg["cap"]).sum()}


@body("record")
def near_namedtuple_count_elsewhere_constant_cap(o, t):
    cfg = _Cfg(0.45, p=float(len(t)))
    return {"loss": E(o, t).clamp(max=cfg.cap).sum()}


# === 7. torch's functions called by the body, measured plain and through Python wrappers ==========
# (``tests/test_red_team33_pa.py`` installs the wrappers: ``WRAPPED``)

WRAPPED = ("div", "clamp", "where", "full_like", "tensor", "minimum", "stack", "pow")


@body("wrap")
def wrap_div_by_count(o, t):
    return {"loss": sum(torch.div(e1(o, t, b), len(t)) for b in range(len(t)))}


@body("wrap")
def wrap_two_ops_in_one_line_count(o, t):
    return {"loss": torch.clamp(torch.div(E(o, t), len(t)), max=0.2).sum()}


@body("wrap")
def wrap_two_ops_in_one_line_count_bound(o, t):
    return {"loss": torch.clamp(torch.div(E(o, t), 2.0), max=0.05 * len(t)).sum()}


@body("wrap")
def wrap_tensor_then_div_one_line(o, t):
    return {"loss": torch.div(E(o, t), torch.tensor([float(len(t))] * len(t))).sum()}


@body("wrap")
def wrap_minimum_full_like_count(o, t):
    e = E(o, t)
    return {"loss": torch.minimum(e, torch.full_like(e, 0.15 * len(t))).sum()}


@body("wrap")
def wrap_where_count(o, t):
    e = E(o, t)
    return {"loss": torch.where(e > 0.3, e, float(len(t))).sum()}


@body("wrap")
def wrap_stack_pow_count(o, t):
    return {"loss": torch.pow(torch.stack([e1(o, t, b) for b in range(len(t))]), 0.5 * len(t)).sum()}


@body("wrap")
def near_wrap_two_ops_in_one_line_constants(o, t):
    return {"loss": torch.clamp(torch.div(E(o, t), 4.0), max=0.3).sum()}


@body("wrap")
def near_wrap_where_constant(o, t):
    e = E(o, t)
    return {"loss": torch.where(e > 0.3, e, 0.5).sum()}


@body("wrap")
def near_wrap_clamp_own_field(o, t):
    return {"loss": sum(torch.clamp(e1(o, t, b), max=0.1 * t[b]["n"]) for b in range(len(t)))}


@body("wrap")
def near_wrap_stack_pow_constant(o, t):
    return {"loss": torch.pow(torch.stack([e1(o, t, b) for b in range(len(t))]), 1.5).sum()}


@body("wrap")
def near_wrap_div_by_own_rows(o, t):
    return {"loss": sum(torch.div(e1(o, t, b), float(t[b]["y"].numel())) for b in range(len(t)))}


# === 8. after the fixes (helper q1): near misses of a weight read or tested in a helper, a key, getattr ====


def _is_big(s):
    return s["n"] > 3


def _count_of(s):
    return s["n"]


def _one(s):
    return 1.0


class _Sized:
    def __init__(self, n):
        self.n = n


@body("weighttest")
def near_helper_tests_own_field(o, t):
    return {"loss": sum(e1(o, t, b) if _is_big(s) else 3.0 * e1(o, t, b) for b, s in enumerate(t))}


@body("weighttest")
def near_helper_own_field_by_position(o, t):
    loss = 0
    for b in range(len(t)):
        loss = loss + (e1(o, t, b) if _count_of(t[b]) == 4 else 3.0 * e1(o, t, b))
    return {"loss": loss}


@body("weighttest")
def near_helper_constant_compared(o, t):
    return {"loss": sum(e1(o, t, b) if _one(s) == 1.0 else 3.0 * e1(o, t, b) for b, s in enumerate(t))}


@body("weighttest")
def near_getattr_own_field(o, t):
    ns = [_Sized(s["n"]) for s in t]
    return {"loss": sum(e1(o, t, b) if getattr(w, "n") == 4 else 3.0 * e1(o, t, b)  # noqa: B009
                        for b, w in enumerate(ns))}


@body("weighttest")
def near_weight_helper_scaling_by_position(o, t):
    return {"loss": sum(_weight_of(t[b]) * e1(o, t, b) for b in range(len(t)))}


@body("weighttest")
def weight_sorted_key_stored_then_first(o, t):
    order = sorted(range(len(t)), key=lambda b: t[b]["loss_weight"])
    return {"loss": E(o, t).sum() + e1(o, t, order[0])}


@body("weighttest")
def near_sorted_key_weight_every_image(o, t):
    order = sorted(range(len(t)), key=lambda b: t[b]["loss_weight"])
    return {"loss": sum(2.0 * e1(o, t, b) for b in order)}
