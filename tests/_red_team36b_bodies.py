# ruff: noqa: B006, B007, B008, B009, B023, B905, C416, E731 -- what this red team tries: defaults, closures, getattr
"""Red team of session 36b (helper rt36b): adversarial bodies against the rules session 35 added:
g25's range counters over constant bounds (``_bytecode._range_counter``) and sizes unpacked from an
argument's shape as constant divisors (``unpacked_size_divisor``); lp3's ``_range_from_elsewhere``,
``counted_size_divisor`` and the inline ``max(float(len(t)), 1.0)`` / ``min(float(len(t)), 8.0)``
forms; pinB's ``_max_floor``, ``_held_reciprocal`` and 3-argument ``getattr`` weight reads; hc2's
NumPy scalars as plain numbers and ``factor_unread`` of NumPy items. Near misses (``near_*``) must
split exactly; every other body must split exactly or decline naming the key.

``BODIES``: name -> (family, batch kind, body), measured by ``tests/_red_team28_measure.py`` on the
red-team-28 batches (2 to 5 images, groups of different sizes, a group absent); the tests are
``tests/test_red_team36b.py``."""

from __future__ import annotations

import functools
import operator
import types
from typing import Any

import numpy as np
import torch
from _red_team26_bodies import E, Y
from _red_team27_bodies import registrar
from _red_team31_bodies import e1
from _red_team35_bodies import _cells, _error, _image_table

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)


def _p(o, t):
    return (o["x"] * Y(t)).sum(-1).sigmoid()  # [B, 3] in (0, 1)


# === 1. g25: range counters over constant bounds ===================================================

ORDER = 3  # a global bound the body sets


@body("range")
def range_bound_set_from_the_count_in_a_global(o, t):
    global ORDER
    ORDER = len(t)
    p, loss = _p(o, t), 0
    for k in range(1, ORDER + 1):
        loss = loss + (1 - p) ** k / k
    return {"loss": loss.mean()}


@body("range")
def range_bound_a_default_rebound_to_the_count(o, t, n=4):
    n = min(n, len(t))
    p, loss = _p(o, t), 0
    for k in range(1, n + 1):
        loss = loss + (1 - p) ** k / k
    return {"loss": loss.mean()}


@body("range")
def range_bound_of_the_outputs_rows(o, t):
    p, loss = _p(o, t), 0
    for k in range(1, o["x"].shape[0] + 1):
        loss = loss + (1 - p) ** k / k
    return {"loss": loss.mean()}


@body("range")
def range_bound_of_the_outputs_len(o, t):
    p, loss = _p(o, t), 0
    for k in range(1, len(o["x"]) + 1):
        loss = loss + (1 - p) ** k / k
    return {"loss": loss.mean()}


@body("range")
def range_counter_tested_against_the_count(o, t):
    p, loss = _p(o, t), 0
    for k in range(1, 6):
        if k == len(t):
            loss = loss + (1 - p) ** k / k
    return {"loss": loss.mean() + p.mean()}


@body("range")
def range_counter_indexing_the_images(o, t):
    e, loss = E(o, t), 0
    for k in range(2):
        loss = loss + e[k]
    return {"loss": loss}


@body("range")
def range_counter_as_the_divisor_after_a_count_loop(o, t):
    e = E(o, t)
    for k in range(1, 6):
        if k >= len(t):
            break
    return {"loss": e.sum() / k}


@body("range")
def range_counter_times_the_count(o, t):
    p, loss = _p(o, t), 0
    for k in range(1, 4):
        loss = loss + (1 - p).sum() / (k * len(t))
    return {"loss": loss}


@body("range")
def range_bound_a_closure_cell_of_the_count(o, t):
    n = len(t)

    def series(p):
        s = 0
        for k in range(1, n + 1):
            s = s + (1 - p) ** k / k
        return s
    return {"loss": series(_p(o, t)).mean()}


@body("near")
def near_range_bound_of_a_row_dim(o, t):
    p, loss = _p(o, t), 0
    for k in range(1, o["x"].shape[1] + 1):
        loss = loss + (1 - p) ** k / k
    return {"loss": loss.mean()}


@body("near")
def near_range_bound_of_one_images_labels(o, t):
    p, loss = _p(o, t), 0
    for k in range(1, len(t[0]["labels"]) + 1):
        loss = loss + (1 - p) ** k / k
    return {"loss": loss.mean()}


@body("near")
def near_range_counter_divisor_after_a_literal_loop(o, t):
    e = E(o, t)
    for k in range(1, 4):
        pass
    return {"loss": e.sum() / k}


@body("near")
def near_range_counter_divisor_after_a_loop_over_levels(o, t):
    e, loss = E(o, t), 0
    for k in range(1, 4):
        loss = loss + e.sum() / (2 ** k)
    return {"loss": loss / k}


@body("range")
def range_counter_divisor_after_a_loop_left_early(o, t):
    e, loss = E(o, t), 0
    for k in range(1, 6):
        loss = loss + e.sum() / k
        if k == 3:
            break
    return {"loss": loss / k}


@body("near")
def near_range_counter_divisor_after_a_loop_with_an_inner_break(o, t):
    e = E(o, t)
    for k in range(1, 4):
        for j in range(3):
            if j == 1:
                break  # leaves the inner loop only: the counter ends at the range's last int
    return {"loss": e.sum() / k}


@body("near")
def near_range_with_a_default_order_kept(o, t, n=4):
    p, loss = _p(o, t), 0
    for k in range(1, n + 1):
        loss = loss + (1 - p) ** k / k
    return {"loss": loss.mean()}


# === 2. g25: sizes unpacked from an argument's shape ===============================================


@body("unpack")
def unpacked_after_a_transpose(o, t):
    r, b, w = o["x"].transpose(0, 1).shape
    return {"loss": E(o, t).sum() / (b * w)}


@body("unpack")
def unpacked_after_a_transpose_stored(o, t):
    x = o["x"]
    x = x.transpose(0, 1)
    r, b, w = x.shape
    return {"loss": E(o, t).sum() / (b * w)}


@body("unpack")
def unpacked_from_a_reversed_shape(o, t):
    w, r, b = o["x"].shape[::-1]
    return {"loss": E(o, t).sum() / (r * b)}


@body("unpack")
def unpacked_with_a_starred_head(o, t):
    *lead, w = o["x"].shape
    return {"loss": E(o, t).sum() / (lead[0] * w)}


@body("unpack")
def unpacked_then_swapped(o, t):
    b, r, w = o["x"].shape
    r, b = b, r
    return {"loss": E(o, t).sum() / (r * w)}


@body("unpack")
def unpacked_after_a_view_moving_the_images(o, t):
    r, b, w = o["emb"].view(3, -1, 2).shape
    return {"loss": E(o, t).sum() / (b * w)}


@body("unpack")
def unpacked_after_a_flatten(o, t):
    n, w = o["x"].reshape(-1, o["x"].shape[-1]).shape
    return {"loss": E(o, t).sum() / n}


@body("unpack")
def unpacked_after_a_permute(o, t):
    r, w, b = o["x"].permute(1, 2, 0).shape
    return {"loss": E(o, t).sum() / (w * b)}


@body("unpack")
def unpacked_from_an_unsqueezed_argument(o, t):
    one, b, r, w = o["x"].unsqueeze(0).shape
    return {"loss": E(o, t).sum() / (b * w)}


@body("unpack")
def unpacked_from_the_shape_of_a_slice_of_the_shape(o, t):
    b, r = o["x"].shape[:2]
    return {"loss": E(o, t).sum() / (b * r)}


def _pair_targets(t):  # the caller builds a [B, B] same-image matrix beside the targets
    return {"y": Y(t), "same": torch.eye(len(t))}


def _pair_error(o, t):
    return (o["x"] - t["y"]).abs().mean((1, 2))


@body("unpack", "xo", _pair_targets)
def unpacked_from_a_caller_built_square_matrix(o, t):
    _, m = t["same"].shape
    return {"loss": _pair_error(o, t).sum() / m}


@body("unpack", "xo", _pair_targets)
def unpacked_from_a_caller_built_square_matrix_alias(o, t):
    same = t["same"]
    n, m = same.size()
    return {"loss": _pair_error(o, t).sum() / (2 * m)}


def _width_targets(t):  # the caller sets a mask's width from the batch size
    return {"y": Y(t), "mask": torch.ones(len(t), 2 * len(t))}


@body("unpack", "xo", _width_targets)
def unpacked_from_a_caller_built_mask_width(o, t):
    _, w = t["mask"].shape
    return {"loss": _pair_error(o, t).sum() / w}


def _table_targets(t):  # (pin38c) the caller sets a table of a fixed width, 11 columns per image
    return {"y": Y(t), "table": torch.ones(len(t), 11)}


@body("near", "xo", _table_targets)
def near_unpacked_width_of_a_caller_built_table(o, t):
    _, w = t["table"].shape
    return {"loss": _pair_error(o, t).sum() / w}


def _volume_targets(t):  # (pin38c) the caller builds a [B, B, 2] volume of pairs
    return {"y": Y(t), "pairs": torch.ones(len(t), len(t), 2)}


@body("unpack", "xo", _volume_targets)
def unpacked_from_a_caller_built_pair_volume(o, t):
    _, m, _ = t["pairs"].shape
    return {"loss": _pair_error(o, t).sum() / m}


def _triple_width_targets(t):  # (pin38c) the caller sets a mask's width at three times the batch size
    return {"y": Y(t), "mask": torch.ones(len(t), 3 * len(t))}


@body("unpack", "xo", _triple_width_targets)
def unpacked_from_a_caller_built_triple_width(o, t):
    _, w = t["mask"].shape
    return {"loss": _pair_error(o, t).sum() / w}


def _quadruple_width_targets(t):  # (pin39) four times the batch size, read through an alias and ``size()``
    return {"y": Y(t), "mask": torch.ones(len(t), 4 * len(t))}


@body("unpack", "xo", _quadruple_width_targets)
def unpacked_from_a_caller_built_quadruple_width_alias(o, t):
    mask = t["mask"]
    n, w = mask.size()
    return {"loss": _pair_error(o, t).sum() / w}


@body("unpack", "xo", _triple_width_targets)
def unpacked_from_a_caller_built_triple_width_doubled(o, t):
    _, w = t["mask"].shape
    return {"loss": _pair_error(o, t).sum() / (2 * w)}


def _prime_width_targets(t):  # (pin39) a fixed width no batch of 2 to 5 images divides: a constant
    return {"y": Y(t), "table": torch.ones(len(t), 7)}


@body("near", "xo", _prime_width_targets)
def near_unpacked_prime_width_of_a_caller_built_table(o, t):
    _, w = t["table"].shape
    return {"loss": _pair_error(o, t).sum() / (2 * w)}


@body("near")
def near_unpacked_after_a_permute_row_dims(o, t):
    r, w, b = o["x"].permute(1, 2, 0).shape
    return {"loss": E(o, t).sum() / (r * w)}


@body("near")
def near_unpacked_from_a_trailing_slice(o, t):
    r, w = o["x"].shape[-2:]
    return {"loss": E(o, t).sum() / (r * w)}


@body("near")
def near_unpacked_after_a_view_keeping_the_images(o, t):
    b, r, w = o["emb"].view(-1, 3, 2).shape
    return {"loss": E(o, t).sum() / (r * w)}


# (pin36, session 36: more spellings of sizes at dims without images; each WRONG before, but the near misses)


@body("near")
def near_unpacked_from_a_trailing_size_slice(o, t):
    r, w = o["x"].size()[-2:]
    return {"loss": E(o, t).sum() / (r * w)}


@body("near")
def near_unpacked_from_a_made_error_with_the_images(o, t):
    d = o["x"] - Y(t)
    b, r, w = d.shape
    return {"loss": d.abs().sum() / (b * r * w)}


@body("unpack")
def unpacked_after_a_view_of_the_count(o, t):
    b, r, w = o["emb"].view(len(t), 3, -1).shape
    return {"loss": E(o, t).sum() / (r * w)}


@body("unpack")
def unpacked_from_a_trailing_slice_of_a_join(o, t):
    r, w = torch.cat([o["x"], o["x"][:, :1]], 1).shape[-2:]
    return {"loss": E(o, t).sum() / (r * w)}


@body("unpack")
def unpacked_from_a_made_error(o, t):
    d = o["x"] - Y(t)
    b, r, w = d.shape
    return {"loss": d.abs().sum() / (r * w)}


@body("near")
def near_float_of_an_arguments_side_size(o, t):
    return {"loss": E(o, t).sum() / float(o["logits"].shape[-1])}  # 5 classes: 5 images on one batch


@body("unpack")
def float_of_a_made_tensors_side_size(o, t):
    z = o["logits"] * 2.0
    return {"loss": E(o, t).sum() / float(z.shape[-1])}


# === 3. lp3: ranges from elsewhere, counted sizes, inline floors and caps ==========================


@body("loop")
def loop_over_a_sliced_range(o, t):
    e, loss = E(o, t), 0
    for i in range(len(t))[1:]:
        loss = loss + e[i]
    return {"loss": loss}


@body("loop")
def loop_skipping_the_first_position(o, t):
    e, loss = E(o, t), 0
    for i in range(len(t)):
        if i == 0:
            continue
        loss = loss + e[i]
    return {"loss": loss}


@body("loop")
def loop_over_a_shifted_range(o, t):
    e, loss = E(o, t), 0
    for i in range(len(t) - 1):
        loss = loss + e[i + 1]
    return {"loss": loss}


@body("loop")
def loop_over_a_list_of_a_range_sliced(o, t):
    e, loss = E(o, t), 0
    for i in list(range(len(t)))[1:]:
        loss = loss + e[i]
    return {"loss": loss}


@body("loop")
def loop_over_a_range_from_one_unpacked(o, t):
    e, loss = E(o, t), 0
    start, stop = 1, len(t)
    for i in range(start, stop):
        loss = loss + e[i]
    return {"loss": loss}


@body("loop")
def sizes_of_copies_counted_in_an_earlier_statement(o, t):
    x = o["x"]
    k = len(t) - 1
    grown = torch.cat([x] + [x[:, :1]] * k, 1)
    _, r, w = grown.shape
    return {"loss": E(o, t).sum() / (r * w)}


@body("loop")
def sizes_of_a_repeat_counted_in_an_earlier_statement(o, t):
    n = len(t)
    grown = o["x"].repeat(1, n, 1)
    _, r, w = grown.shape
    return {"loss": E(o, t).sum() / r}


@body("loop")
def sizes_of_a_zeros_tensor_of_the_count(o, t):
    n = len(t)
    pad = torch.zeros(3, 2 * n)
    _, w = pad.shape
    return {"loss": E(o, t).sum() / w}


FLOOR = 2.0  # a global floor above a group's count


@body("floor")
def floor_reversed_arguments_inline(o, t):
    return {"loss": E(o, t).sum() / max(1.0, float(len(t)) - 1.0)}


@body("floor")
def floor_of_the_count_less_one_inline(o, t):
    return {"loss": E(o, t).sum() / max(float(len(t)) - 1.0, 1.0)}


@body("floor")
def floor_of_three_arguments(o, t):
    return {"loss": E(o, t).sum() / max(float(len(t)), 1.0, 2.0)}


@body("floor")
def floor_of_a_list(o, t):
    return {"loss": E(o, t).sum() / max([float(len(t)), 2.0])}


@body("floor")
def floor_a_global(o, t):
    return {"loss": E(o, t).sum() / max(float(len(t)), FLOOR)}


@body("floor")
def floor_a_default(o, t, floor=2.0):
    return {"loss": E(o, t).sum() / max(float(len(t)), floor)}


@body("floor")
def floor_stored_a_default(o, t, floor=2.0):
    k = max(float(len(t)), floor)
    return {"loss": E(o, t).sum() / k}


@body("near")
def near_floor_stored_a_default_of_one(o, t, floor=1.0):
    k = max(float(len(t)), floor)
    return {"loss": E(o, t).sum() / k}


@body("floor")
def floor_of_the_outputs_len(o, t):
    return {"loss": E(o, t).sum() / max(float(len(o["x"])), 2.0)}


@body("floor")
def cap_a_default(o, t, cap=2.0):
    return {"loss": E(o, t).sum() / min(float(len(t)), cap)}


@body("floor")
def cap_of_three_arguments(o, t):
    return {"loss": E(o, t).sum() / min(float(len(t)), 8.0, 2.0)}


@body("floor")
def floor_then_squared(o, t):
    return {"loss": E(o, t).sum() / max(float(len(t)), 1.0) ** 2}


@body("floor")
def floor_of_a_numpy_max(o, t):
    return {"loss": E(o, t).sum() / np.maximum(float(len(t)), 2.0)}


@body("floor")
def floor_of_a_sorted_pair(o, t):
    return {"loss": E(o, t).sum() / sorted([float(len(t)), 2.0])[-1]}


@body("near")
def near_length_of_a_sorted_list(o, t):
    return {"loss": E(o, t).sum() / len(sorted(range(len(t))))}


@body("near")
def near_floor_one_reversed_inline(o, t):
    return {"loss": E(o, t).sum() / max(1.0, float(len(t)))}


@body("near")
def near_cap_above_reversed_inline(o, t):
    return {"loss": E(o, t).sum() / min(8.0, float(len(t)))}


@body("near")
def near_floor_one_of_the_outputs_len(o, t):
    return {"loss": E(o, t).sum() / max(float(len(o["x"])), 1.0)}


# === 4. pinB: held reciprocals, 3-argument getattr weights =========================================


@body("recip")
def reciprocal_in_a_lambda_default(o, t):
    scale = lambda v, w=1.0 / len(t): v * w
    return {"loss": sum(scale(e1(o, t, b)) for b in range(len(t)))}


@body("recip")
def reciprocal_in_a_partial(o, t):
    scale = functools.partial(operator.mul, 1.0 / len(t))
    return {"loss": sum(scale(e1(o, t, b)) for b in range(len(t)))}


@body("recip")
def reciprocal_in_a_list(o, t):
    w = [1.0 / len(t)]
    return {"loss": sum(e1(o, t, b) * w[0] for b in range(len(t)))}


@body("recip")
def reciprocal_in_a_dict(o, t):
    w = {"w": 1.0 / len(t)}
    return {"loss": sum(e1(o, t, b) * w["w"] for b in range(len(t)))}


@body("recip")
def reciprocal_in_a_tuple_unpacked(o, t):
    w, _ = 1.0 / len(t), 0
    return {"loss": sum(e1(o, t, b) * w for b in range(len(t)))}


@body("near")
def near_literal_in_a_list(o, t):
    w = [0.5]
    return {"loss": sum(e1(o, t, b) * w[0] for b in range(len(t)))}


@body("near")
def near_literal_in_a_dict(o, t):
    w = {"w": 0.25}
    return {"loss": sum(e1(o, t, b) * w["w"] for b in range(len(t)))}


@body("near")
def near_literal_in_a_tuple_unpacked(o, t):
    w, _ = 0.5, 1.0 / len(t)
    return {"loss": sum(e1(o, t, b) * w for b in range(len(t)))}


@body("near")
def near_literal_beside_a_reciprocal_in_a_list(o, t):
    w = [1.0 / len(t), 0.5]
    return {"loss": sum(e1(o, t, b) * w[1] for b in range(len(t)))}


@body("near")
def near_lambda_default_of_the_count_passed_a_literal(o, t):
    scale = lambda v, w=1.0 / len(t): v * w
    return {"loss": sum(scale(e1(o, t, b), 0.3) for b in range(len(t)))}


@body("recip")
def reciprocal_in_a_loop_over_a_copy(o, t):
    w = 1.0 / len(t)
    e, loss = E(o, t), 0
    for v in e:
        loss = loss + v * w
    return {"loss": loss}


@body("near")
def near_reciprocal_of_a_literal_in_a_lambda_default(o, t):
    scale = lambda v, w=1.0 / 3: v * w
    return {"loss": sum(scale(e1(o, t, b)) for b in range(len(t)))}


def _ns(t):
    return [types.SimpleNamespace(**s) for s in t]


def _ns_error(o, t, b):
    return (o["x"][b] - t[b].y).abs().mean()


@body("weight", "xo", _ns)
def weight_vars_get_default_test(o, t):
    return {"loss": sum(_ns_error(o, t, b) if vars(s).get("loss_weight", 1.0) == 1.0 else 3.0 * _ns_error(o, t, b)
                        for b, s in enumerate(t))}


@body("weight", "xo", _ns)
def weight_dunder_dict_test(o, t):
    return {"loss": sum(_ns_error(o, t, b) if s.__dict__["loss_weight"] == 1.0 else 3.0 * _ns_error(o, t, b)
                        for b, s in enumerate(t))}


@body("weight", "xo", _ns)
def weight_attrgetter_test(o, t):
    read = operator.attrgetter("loss_weight")
    return {"loss": sum(_ns_error(o, t, b) if read(s) == 1.0 else 3.0 * _ns_error(o, t, b)
                        for b, s in enumerate(t))}


WEIGHT_NAME = "loss_weight"


@body("weight", "xo", _ns)
def weight_getattr_of_a_global_name_test(o, t):
    return {"loss": sum(_ns_error(o, t, b) if getattr(s, WEIGHT_NAME, 1.0) == 1.0 else 3.0 * _ns_error(o, t, b)
                        for b, s in enumerate(t))}


@body("weight")
def weight_dict_get_default_test(o, t):
    return {"loss": sum(e1(o, t, b) if s.get("loss_weight", 1.0) == 1.0 else 3.0 * e1(o, t, b)
                        for b, s in enumerate(t))}


@body("weight")
def weight_min_tested(o, t):
    scale = 3.0 if min(s["loss_weight"] for s in t) < 1.0 else 1.0
    return {"loss": E(o, t).sum() * scale}


@body("weight", "xo", _ns)
def weight_getattr_default_in_a_loop_test(o, t):
    loss = 0.0
    for b, s in enumerate(t):
        if getattr(s, "loss_weight", 1.0) < 1.0:
            loss = loss + 3.0 * _ns_error(o, t, b)
        else:
            loss = loss + _ns_error(o, t, b)
    return {"loss": loss}


@body("near", "xo", _ns)
def near_getattr_default_of_another_field(o, t):
    return {"loss": sum(_ns_error(o, t, b) * getattr(s, "scale", 1.0) for b, s in enumerate(t))}


# === 5. hc2: NumPy scalars and items ===============================================================


@body("numpy")
def clamp_by_a_numpy_float32_count(o, t):
    return {"loss": E(o, t).clamp(max=0.1 * np.float32(len(t))).sum()}


@body("numpy")
def clamp_by_a_numpy_ones_sum(o, t):
    return {"loss": E(o, t).clamp(max=0.1 * np.ones(len(t)).sum()).sum()}


@body("numpy")
def clamp_by_a_numpy_size(o, t):
    return {"loss": E(o, t).clamp(max=0.1 * np.size(np.zeros(len(t)))).sum()}


@body("numpy")
def clamp_by_a_numpy_log_of_count(o, t):
    return {"loss": E(o, t).clamp(max=0.3 * np.log1p(len(t))).sum()}


@body("numpy")
def weights_of_a_numpy_reciprocal_tolist(o, t):
    ws = (np.ones(len(t)) / len(t)).tolist()
    e, loss = E(o, t), 0
    for b, w in zip(range(len(t)), ws):
        loss = loss + e[b] * w
    return {"loss": loss}


@body("numpy")
def weights_of_a_numpy_repeat(o, t):
    ws = np.repeat(1.0 / len(t), len(t))
    e, loss = E(o, t), 0
    for b, w in zip(range(len(t)), ws):
        loss = loss + e[b] * w
    return {"loss": loss}


@body("numpy")
def weights_of_a_numpy_reciprocal_scalar(o, t):
    w = np.reciprocal(np.float64(len(t)))
    e, loss = E(o, t), 0
    for b in range(len(t)):
        loss = loss + e[b] * w
    return {"loss": loss}


@body("numpy")
def weights_of_a_numpy_divide(o, t):
    w = np.divide(1.0, len(t))
    return {"loss": sum(e1(o, t, b) * w for b in range(len(t)))}


@body("numpy")
def weights_of_a_numpy_float_over_the_count(o, t):
    w = np.float32(1.0) / len(t)
    return {"loss": sum(e1(o, t, b) * w for b in range(len(t)))}


@body("numpy")
def weights_of_a_numpy_linspace_item(o, t):
    ws = np.linspace(0.0, 1.0, len(t) + 1)
    return {"loss": sum(e1(o, t, b) * ws[1] for b in range(len(t)))}


@body("near")
def near_clamp_by_a_numpy_float32_literal(o, t):
    return {"loss": E(o, t).clamp(max=0.1 * np.float32(3)).sum()}


@body("near")
def near_clamp_by_a_numpy_ones_literal_sum(o, t):
    return {"loss": E(o, t).clamp(max=0.1 * np.ones(3).sum()).sum()}


@body("near")
def near_weights_of_a_numpy_float32_literal(o, t):
    w = np.float32(0.25)
    return {"loss": sum(e1(o, t, b) * w for b in range(len(t)))}


@body("near")
def near_weights_of_a_numpy_linspace_literal_item(o, t):
    ws = np.linspace(0.0, 1.0, 5)
    return {"loss": sum(e1(o, t, b) * ws[1] for b in range(len(t)))}


@body("near")
def near_weights_of_a_numpy_literal_tolist(o, t):
    ws = (np.ones(len(t)) / 4).tolist()
    e, loss = E(o, t), 0
    for b, w in zip(range(len(t)), ws):
        loss = loss + e[b] * w
    return {"loss": loss}


# === 6. pinA / pc: the image column of a table joined per image from fills of the loop's position ==
# (measured on ``tests/test_position_fills.py``'s batches by ``tests/test_red_team36b.py``; the table of red team 35)


POSITION_BODIES: dict[str, Any] = {}
def position_body(f):
    return POSITION_BODIES.setdefault(f.__name__, f)


@position_body
def scaled_by_the_image_column_flipped(p, targets):
    table = _image_table(targets)
    return {"loss": (_error(p, table) * (1 + table.flip(1)[:, -1])).sum()}


@position_body
def scaled_by_the_image_column_gathered(p, targets):
    table = _image_table(targets)
    col = torch.zeros(len(table), 1, dtype=torch.long)
    return {"loss": (_error(p, table) * (1 + table.gather(1, col).squeeze(1))).sum()}


@position_body
def scaled_by_the_image_column_rolled(p, targets):
    table = _image_table(targets)
    return {"loss": (_error(p, table) * (1 + table.roll(-1, 1)[:, -1])).sum()}


@position_body
def scaled_by_the_image_column_of_a_matmul_pick(p, targets):
    table = _image_table(targets)
    pick = torch.zeros(table.shape[1], 1)
    pick[0, 0] = 1.0
    return {"loss": (_error(p, table) * (1 + (table @ pick).squeeze(1))).sum()}


@position_body
def scaled_by_the_image_column_through_numpy(p, targets):
    table = _image_table(targets)
    col = torch.from_numpy(table.numpy()[:, 0].copy())
    return {"loss": (_error(p, table) * (1 + col)).sum()}


@position_body
def scaled_by_the_image_column_of_a_where(p, targets):
    table = _image_table(targets)
    return {"loss": (_error(p, table) * (1 + torch.where(table[:, 0] > 0, table[:, 0], 0.0))).sum()}


@position_body
def scaled_by_the_image_column_unflattened(p, targets):
    table = _image_table(targets)
    return {"loss": (_error(p, table) * (1 + table.reshape(-1)[:: table.shape[1]])).sum()}


@position_body
def near_indexed_by_the_image_column_flipped(p, targets):
    table = _image_table(targets)
    return {"loss": (_cells(p, table, table.flip(1)[:, -1].long())[:, 1] - table[:, 2]).abs().mean()}


@position_body
def near_indexed_by_the_image_column_unflattened(p, targets):  # (pin36)
    table = _image_table(targets)
    col = table.reshape(-1)[:: table.shape[1]].long()
    return {"loss": (_cells(p, table, col)[:, 1] - table[:, 2]).abs().mean()}
