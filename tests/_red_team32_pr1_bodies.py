"""Bodies of ``tests/test_red_team32_pr1.py`` (helper pr1, session 32): spellings and near misses
of the rules merged in session 32: sink's bound / exponent / term from a size of image rows or the
weight field, pinsb's loop counter and made-tensor side size, gap's ``np.prod`` / ``math.prod`` of
one row dim. Family ``"split"``: must split exactly or decline (either is honest); ``"near"``: a
near miss that must split exactly."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from _red_team26_bodies import E, Y
from _red_team27_bodies import registrar

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)


def _rows(v):
    return v.shape[0]


# --- sink: bounds, exponents, terms -----------------------------------------------------------------


@body("split")
def clamp_by_helper_size(o, t):
    return {"loss": E(o, t).clamp(min=0.05 * _rows(o["x"])).sum()}


@body("split")
def clamp_max_through_min_builtin(o, t):
    return {"loss": E(o, t).clamp(max=min(0.9, 0.04 * len(t))).sum()}


@body("split")
def clamp_min_through_max_builtin(o, t):
    return {"loss": E(o, t).clamp(min=max(0.0, 0.05 * o["x"].size(0) - 0.05)).sum()}


@body("split")
def torch_pow_by_count(o, t):
    return {"loss": torch.pow(E(o, t), 0.5 * len(t)).sum()}


@body("split")
def pow_by_sqrt_of_count(o, t):
    return {"loss": (E(o, t) ** math.sqrt(len(t))).sum()}


@body("split")
def clamp_by_numel(o, t):
    return {"loss": E(o, t).clamp(min=0.004 * o["x"].numel()).sum()}


@body("split")
def clamp_by_len_of_tensor(o, t):
    return {"loss": E(o, t).clamp(min=0.05 * len(o["x"])).sum()}


@body("split")
def torch_clamp_positional(o, t):
    return {"loss": torch.clamp(E(o, t), 0.05 * len(t), 1.0).sum()}


@body("split")
def smooth_l1_beta_by_count(o, t):
    return {"loss": F.smooth_l1_loss(o["x"], Y(t), beta=0.05 * len(t), reduction="sum")}


@body("split")
def huber_delta_by_shape(o, t):
    return {"loss": F.huber_loss(o["x"], Y(t), delta=0.05 * o["x"].shape[0], reduction="sum")}


@body("split")
def clamp_by_negative_dim(o, t):
    return {"loss": E(o, t).clamp(min=0.05 * o["x"].shape[-3]).sum()}


@body("split")
def clamp_by_unpacked_shape(o, t):
    n, *_ = o["x"].shape
    return {"loss": E(o, t).clamp(min=0.05 * n).sum()}


@body("split")
def clamp_by_shape_slice_item(o, t):
    return {"loss": E(o, t).clamp(min=0.05 * o["x"].shape[:1][0]).sum()}


@body("split")
def pow_by_rebound_parameter(o, t):
    o = o["x"]
    p = 0.5 * o.shape[0]
    return {"loss": ((o - Y(t)).abs().mean((1, 2)) ** p).sum()}


@body("split")
def term_from_count(o, t):
    return {"loss": (E(o, t) + 0.01 * len(t)).sum()}


@body("split")
def clamp_by_first_weight(o, t):
    return {"loss": E(o, t).clamp(min=0.1 * t[0]["loss_weight"]).sum()}


@body("split")
def pow_by_max_weight(o, t):
    w = max(s["loss_weight"] for s in t)
    return {"loss": (E(o, t) ** (1.0 + w)).sum()}


@body("near")
def near_clamp_by_unpacked_rows(o, t):
    _, r, _ = o["x"].shape  # 3 rows per image: a constant (3 images on batch 1r2s)
    return {"loss": E(o, t).clamp(min=0.05 * r).sum()}


@body("near")
def near_pow_by_width_through_helper(o, t):
    return {"loss": (E(o, t) ** (0.5 * _rows(o["x"][0]))).sum()}


# --- pinsb: loop counters and made tensors' side sizes ------------------------------------------------


@body("split")
def counter_in_while_loop_by_count(o, t):
    c, i = 0, 0
    while i < 4:
        if i < len(t):
            c += 1
        i += 1
    return {"loss": E(o, t).sum() / c}


@body("split")
def counter_over_literals_past_count(o, t):
    c = 0
    for v in (1, 2, 3, 4, 5):
        if v > len(t):
            break
        c += 1
    return {"loss": E(o, t).sum() / c}


@body("split")
def counter_over_literals_by_weight(o, t):
    c = 0
    for v in (0.5, 1.0):
        if any(s["loss_weight"] == v for s in t):
            c += 1
    return {"loss": E(o, t).sum() / c}


@body("near")
def near_counter_over_literals_plain(o, t):
    c = 0
    for _ in (1, 2, 3):
        c += 1
    return {"loss": E(o, t).sum() / c}


@body("near")
def near_while_counter_constant(o, t):
    c = 0
    while c < 3:
        c += 1
    return {"loss": E(o, t).sum() / c}


@body("split")
def stacked_last_dim_divisor(o, t):
    m = torch.stack([s["y"] for s in t], dim=-1)  # [3, 4, B]
    return {"loss": ((o["x"].permute(1, 2, 0) - m).abs().sum()) / m.shape[-1]}


@body("split")
def expanded_side_size_divisor(o, t):
    e = E(o, t).unsqueeze(0).expand(3, -1)  # [3, B]
    return {"loss": e.sum() / e.shape[1]}


@body("near")
def near_made_zeros_side_size(o, t):
    z = torch.zeros(3, 4)  # 3: a constant equal to the count on batch 1r2s
    return {"loss": (E(o, t).sum() + z.sum()) / z.shape[0]}


# --- gap: np.prod / math.prod of shape slices ---------------------------------------------------------


@body("split")
def np_prod_zero_one_3d(o, t):
    return {"loss": (o["x"] - Y(t)).abs().sum() / np.prod(o["x"].shape[0:1])}


@body("split")
def np_prod_all_but_two_3d(o, t):
    return {"loss": (o["x"] - Y(t)).abs().sum() / np.prod(o["x"].shape[:-2])}


@body("split")
def np_prod_negative_bounds(o, t):
    return {"loss": (o["x"] - Y(t)).abs().sum() / np.prod(o["x"].shape[-3:-2])}


@body("split")
def np_prod_none_start(o, t):
    return {"loss": (o["x"] - Y(t)).abs().sum() / np.prod(o["x"].shape[None:1])}


@body("split")
def math_prod_two_dims(o, t):
    return {"loss": (o["x"] - Y(t)).abs().sum() / math.prod(o["x"].shape[:2])}


@body("near")
def near_np_prod_rows_dim(o, t):
    return {"loss": (o["x"] - Y(t)).abs().sum() / np.prod(o["x"].shape[1:2])}  # 3: constant


@body("split")
def np_prod_through_helper(o, t):
    def n(v):
        return np.prod(v.shape[:1])
    return {"loss": (o["x"] - Y(t)).abs().sum() / n(o["x"])}


@body("split")
def np_prod_times_two(o, t):
    return {"loss": (o["x"] - Y(t)).abs().sum() / (2 * np.prod(o["x"].shape[:1]))}


@body("split")
def np_prod_of_list_shape(o, t):
    return {"loss": (o["x"] - Y(t)).abs().sum() / np.prod(list(o["x"].shape)[:1])}


@body("split")
def np_prod_of_size_call(o, t):
    return {"loss": (o["x"] - Y(t)).abs().sum() / np.prod(o["x"].size()[:1])}


@body("split")
def np_prod_of_rebound_cut(o, t):
    x = o["x"]
    x = x[:2]
    return {"loss": (x - Y(t)[:2]).abs().sum() / np.prod(x.shape[:1])}


@body("split")
def np_prod_over_padded_dim(o, t):
    p = torch.nn.utils.rnn.pad_sequence([s["y"][: 2 if s["loss_weight"] > 0.9 else 3] for s in t],
                                        batch_first=True)
    return {"loss": (o["x"][:, : p.shape[1]] - p).abs().sum() / np.prod(p.shape[1:2])}


@body("split")
def math_prod_of_one_dim_over_rows_dim_and_count(o, t):
    return {"loss": (o["x"] - Y(t)).abs().sum() / math.prod(o["x"].shape[1:2]) / math.prod(o["x"].shape[:1])}


@body("split")
def np_prod_of_stacked_dim(o, t):
    m = torch.stack([s["y"] for s in t], dim=1)  # [3, B, 4]
    return {"loss": (o["x"].transpose(0, 1) - m).abs().sum() / np.prod(m.shape[1:2])}


# --- more spellings ---------------------------------------------------------------------------------


@body("split")
def clamp_by_rebound_size_local(o, t):
    bs = o["x"].shape[0]
    bs = bs + 0
    return {"loss": E(o, t).clamp(min=0.05 * bs).sum()}


@body("split")
def clamp_min_function_by_count(o, t):
    return {"loss": torch.clamp_min(E(o, t), 0.05 * len(t)).sum()}


@body("split")
def leaky_slope_by_count(o, t):
    return {"loss": F.leaky_relu(E(o, t) - 0.3, negative_slope=0.1 * len(t)).sum()}


@body("split")
def clamp_by_generator_count(o, t):
    return {"loss": E(o, t).clamp(min=0.05 * sum(1 for _ in t)).sum()}


@body("split")
def clamp_by_sum_of_weights(o, t):
    return {"loss": E(o, t).clamp(min=0.1 * sum(s["loss_weight"] for s in t)).sum()}


@body("split")
def counter_over_range_literal_by_count(o, t):
    c = 0
    for _ in range(3):
        if c < len(t):
            c += 1
    return {"loss": E(o, t).sum() / c}


@body("split")
def np_prod_float_dtype(o, t):
    return {"loss": (o["x"] - Y(t)).abs().sum() / np.prod(o["x"].shape[:1], dtype=np.float64)}


@body("split")
def np_prod_of_one_dim_tensor_shape(o, t):
    e = E(o, t)
    return {"loss": e.sum() / np.prod(e.shape)}


@body("split")
def math_prod_split_numel(o, t):
    x = o["x"]
    return {"loss": (x - Y(t)).abs().sum() / (math.prod(x.shape[0:1]) * math.prod(x.shape[1:]))}


@body("split")
def tensor_of_shape_prod(o, t):
    return {"loss": (o["x"] - Y(t)).abs().sum() / torch.tensor(o["x"].shape[:1]).prod()}


# --- session 33 (old): the clamp bounds pinned above, closed, and their near misses --------------------


def _width(v):
    return v.shape[2]


@body("split")
def clamp_by_shape_slice_item_from_zero(o, t):
    return {"loss": E(o, t).clamp(min=0.05 * o["x"].shape[0:2][0]).sum()}


@body("near")
def near_clamp_by_shape_slice_item_of_rows_dim(o, t):
    return {"loss": E(o, t).clamp(min=0.05 * o["x"].shape[1:][0]).sum()}  # 3 rows per image (3 images on 1r2s)


@body("near")
def near_clamp_by_shape_slice_second_item(o, t):
    return {"loss": E(o, t).clamp(min=0.05 * o["x"].shape[:2][1]).sum()}


@body("near")
def near_clamp_by_helper_width(o, t):
    return {"loss": E(o, t).clamp(min=0.02 * _width(o["x"])).sum()}  # 4 wide (4 images on 2r2s)


@body("near")
def near_clamp_by_helper_rows_of_one_image(o, t):
    return {"loss": E(o, t).clamp(min=0.05 * _rows(o["x"][0])).sum()}


# --- session 33 (old): a ``while`` counter to a literal (pinned above, closed) and its near misses ------


@body("near")
def near_while_counter_tested_by_another(o, t):
    c, i = 0, 0
    while i < 3:
        c += 1
        i += 1
    return {"loss": E(o, t).sum() / c}


@body("near")
def near_while_counter_literal_first(o, t):
    c = 0
    while 3 > c:
        c += 1
    return {"loss": E(o, t).sum() / c}


@body("split")
def while_counter_to_the_count(o, t):
    c = 0
    while c < len(t):
        c += 1
    return {"loss": E(o, t).sum() / c}


@body("split")
def while_counter_from_a_start_the_count_picks(o, t):
    c, i = 0, 0
    if len(t) > 2:
        i = 1
    while i < 3:
        c += 1
        i += 1
    return {"loss": E(o, t).sum() / c}


@body("split")
def while_counter_broken_by_the_count(o, t):
    c = 0
    while c < 10:
        c += 1
        if c >= len(t):
            break
    return {"loss": E(o, t).sum() / c}


@body("split")
def while_counter_in_a_loop_over_the_images(o, t):
    c = 0
    for _ in t:
        i = 0
        while i < 1:
            i += 1
            c += 1
    return {"loss": E(o, t).sum() / c}


# --- session 33 (old): ``np.prod`` of an argument's field (pinned above, closed), ``int(..)`` of it,
# a number type called on literals --------------------------------------------------------------------


@body("near")
def near_int_of_np_prod_rows_dim(o, t):
    return {"loss": (o["x"] - Y(t)).abs().sum() / int(np.prod(o["x"].shape[1:2]))}  # 3: constant


@body("near")
def near_np_prod_rows_dim_kept_in_local(o, t):
    n = np.prod(o["x"].shape[1:])  # 12: constant
    return {"loss": (o["x"] - Y(t)).abs().sum() / n}


@body("near")
def near_numpy_literal_divisor(o, t):
    n = np.int64(3)
    return {"loss": E(o, t).sum() / n}


@body("split")
def np_prod_images_dim_of_field(o, t):
    return {"loss": (o["x"] - Y(t)).abs().sum() / np.prod(o["x"].shape[:1])}


@body("split")
def np_prod_images_dim_of_field_made_int(o, t):
    n = int(np.prod(o["x"].shape[0:1]))
    return {"loss": E(o, t).sum() / n}


@body("split")
def numpy_number_of_the_count(o, t):
    return {"loss": E(o, t).sum() / np.int64(len(t))}


@body("split")
def np_prod_of_a_field_written_by_the_body(o, t):
    o = dict(o)
    o["x"] = torch.cat([o["x"], o["x"]], 1)  # 6 rows per image, a copy (the caller's dict not written)
    return {"loss": (o["x"][:, :3] - Y(t)).abs().sum() / np.prod(o["x"].shape[1:2])}
