# ruff: noqa: B905, E731 -- what these bodies try: zips, lambdas
"""Bodies of ``tests/test_unread_factors.py`` (helper recip, session 34): a Python float equal to a
count of the call or its reciprocal multiplying (dividing) one image's values where no code shows
it -- an item of an iterable the code built (``zip([1 / n] * n, per)``, ``itertools.repeat``; by
``*``, ``mul``, ``*=``, ``/``), or a product run by C code (``map`` of ``operator.mul`` or of a
``functools.partial`` of it, ``itertools.starmap``) -- and joins (``torch.cat``, ``torch.stack``)
of the images' positions written as int fills or by arithmetic (``torch.ones(1) * i``,
``torch.zeros(1) + i``). Near misses (a constant, a literal equal to a count's reciprocal, DETR's
batch index, positions as an index, an image's own field, heads' weights zipped with losses of
several images) must split exactly; an image's own count zipped (``near_zip_own_*``) splits where
it equals no count of the batch.

``BODIES``: name -> (family, batch kind, body), measured by ``tests/_red_team28_measure.py``."""

from __future__ import annotations

import functools
import itertools
import operator
from typing import Any

import torch
from _red_team26_bodies import MATCHED, E
from _red_team27_bodies import registrar
from _red_team31_bodies import e1

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)


def _per(o, t):
    return [e1(o, t, b) for b in range(len(t))]


# === 1. a count's reciprocal (or the count) no code shows: must decline =============================


@body("recip")
def zip_reciprocal_list_genexpr(o, t):
    return {"loss": sum(w * e for w, e in zip([1.0 / len(t)] * len(t), E(o, t)))}


@body("recip")
def zip_reciprocal_list_for_loop(o, t):
    n = len(t)
    loss = 0.0
    for w, b in zip([1 / n] * n, range(n)):
        loss = loss + e1(o, t, b) * w
    return {"loss": loss}


@body("recip")
def enumerate_zip_reciprocal_nested_unpack(o, t):
    n = len(t)
    loss = 0.0
    for _, (w, e) in enumerate(zip([1 / n] * n, E(o, t))):
        loss = loss + w * e
    return {"loss": loss}


@body("recip")
def zip_itertools_repeat_reciprocal(o, t):
    n = len(t)
    return {"loss": sum(w * e for w, e in zip(itertools.repeat(1 / n), E(o, t)))}


@body("recip")
def zip_reciprocal_rows_of_image(o, t):
    n = len(t)
    return {"loss": sum((w * (o["x"][b] - t[b]["y"]).abs()).mean() for w, b in zip([1 / n] * n, range(n)))}


@body("recip")
def map_mul_reciprocal_list(o, t):
    n = len(t)
    return {"loss": sum(map(operator.mul, [1 / n] * n, _per(o, t)))}


@body("recip")
def map_partial_mul_count(o, t):
    return {"loss": sum(map(functools.partial(operator.mul, float(len(t))), _per(o, t)))}


@body("recip")
def starmap_mul_reciprocal(o, t):
    n = len(t)
    return {"loss": sum(itertools.starmap(operator.mul, zip([1 / n] * n, _per(o, t))))}


@body("recip")
def map_partial_rmul_reciprocal(o, t):
    return {"loss": sum(map(functools.partial(operator.mul, 1.0 / len(t)), E(o, t)))}


# --- near misses: must split exactly ------------------------------------------------------------------


@body("near")
def near_zip_constant_list(o, t):
    return {"loss": sum(w * e for w, e in zip([0.3] * len(t), E(o, t)))}


@body("near")
def near_zip_literal_equal_to_a_reciprocal(o, t):
    return {"loss": sum(w * e for w, e in zip([1 / 3] * len(t), E(o, t)))}  # 1/3: a literal (3 images too)


@body("near")
def near_map_partial_constant(o, t):
    return {"loss": sum(map(functools.partial(operator.mul, 0.3), _per(o, t)))}


@body("near")
def near_map_partial_literal_quarter(o, t):
    return {"loss": sum(map(functools.partial(operator.mul, 0.25), _per(o, t)))}  # 1/4 on 4 images too


@body("near")
def near_zip_own_label_counts(o, t):
    return {"loss": sum(w * e for w, e in zip([float(len(s["labels"])) for s in t], E(o, t)))}


@body("near")
def near_zip_own_field(o, t):
    return {"loss": sum(w * e for w, e in zip([float(s["n"]) for s in t], E(o, t)))}


@body("near")
def near_local_constant_in_genexpr(o, t):
    s = 0.25  # 1/4 on 4 images too
    return {"loss": sum(s * e for e in E(o, t))}


@body("near")
def near_zip_constant_list_for_loop(o, t):
    loss = 0.0
    for w, b in zip([0.2] * len(t), range(len(t))):
        loss = loss + e1(o, t, b) * w
    return {"loss": loss}


# === 2. the images' positions joined: must decline ====================================================


@body("pos")
def int_position_fills_stacked(o, t):
    w = torch.stack([torch.full((), i) for i in range(len(t))])
    return {"loss": (E(o, t) * w).sum()}


@body("pos")
def int_position_fills_stacked_flattened(o, t):
    w = torch.stack([torch.full((1,), i) for i, _ in enumerate(t)]).flatten()
    return {"loss": (E(o, t) * w).sum()}


@body("pos")
def int_position_new_full_stacked(o, t):
    w = torch.stack([o["x"].new_full((), i, dtype=torch.long) for i in range(len(t))])
    return {"loss": (E(o, t) * w).sum()}


@body("pos")
def ones_times_index_stacked(o, t):
    w = torch.stack([torch.ones(()) * i for i in range(len(t))])
    return {"loss": (E(o, t) * w).sum()}


@body("pos")
def ones_times_index_stacked_flattened(o, t):
    w = torch.stack([torch.ones(1) * i for i in range(len(t))]).flatten()
    return {"loss": (E(o, t) * w).sum()}


@body("pos")
def index_times_ones_joined(o, t):
    w = torch.cat([i * torch.ones(1) for i in range(len(t))])
    return {"loss": (E(o, t) * w).sum()}


@body("pos")
def long_ones_times_index_joined(o, t):
    w = torch.cat([torch.ones(1, dtype=torch.long) * i for i in range(len(t))])
    return {"loss": (E(o, t) * w).sum()}


@body("pos")
def new_ones_times_index_joined(o, t):
    w = torch.cat([o["x"].new_ones(1) * (i + 1) for i in range(len(t))])
    return {"loss": (E(o, t) * w).sum()}


@body("pos")
def ones_times_index_joined_in_a_loop(o, t):
    parts = []
    for i in range(len(t)):
        parts.append(torch.ones(1) * i)
    return {"loss": (E(o, t) * torch.cat(parts)).sum()}


@body("pos")
def zeros_plus_index_joined(o, t):
    w = torch.cat([torch.zeros(1) + i for i in range(len(t))])
    return {"loss": (E(o, t) * w).sum()}


# --- near misses: must split exactly ------------------------------------------------------------------


@body("near")
def near_ones_times_constant_stacked(o, t):
    w = torch.stack([torch.ones(()) * 2.0 for _ in range(len(t))])
    return {"loss": (E(o, t) * w).sum()}


@body("near")
def near_ones_times_constant_joined(o, t):
    w = torch.cat([torch.ones(1) * 3 for _ in t])
    return {"loss": (E(o, t) * w).sum()}


@body("near")
def near_int_position_fills_stacked_as_index(o, t):
    pos = torch.stack([torch.full((), i) for i in range(len(t))])
    return {"loss": E(o, t)[pos].sum()}


@body("near", "d")
def near_detr_batch_index_joined(o, t, idx, nb):
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / nb}


@body("near", "d")
def near_detr_batch_index_full_like_joined(o, t, idx, nb):
    bi = torch.cat([torch.full_like(s, i) for i, (s, _) in enumerate(idx)])
    si = torch.cat([s for s, _ in idx])
    tgt = torch.cat([x["boxes"][j] for x, (_, j) in zip(t, idx)])
    return {"loss": (o["pred_boxes"][bi, si] - tgt).abs().sum() / nb}


@body("near")
def near_ones_times_own_field_joined(o, t):
    w = torch.cat([torch.ones(1) * s["n"] for s in t])
    return {"loss": (E(o, t) * w).sum()}


@body("near")
def near_ones_times_index_stacked_as_index(o, t):
    pos = torch.stack([torch.ones((), dtype=torch.long) * i for i in range(len(t))])
    return {"loss": E(o, t)[pos].sum()}


@body("recip")
def zip_reciprocal_list_method_mul(o, t):
    n = len(t)
    return {"loss": sum(e.mul(w) for w, e in zip([1 / n] * n, E(o, t)))}


@body("recip")
def zip_reciprocal_list_torch_mul(o, t):
    n = len(t)
    return {"loss": sum(torch.mul(e, w) for w, e in zip([1 / n] * n, E(o, t)))}


@body("recip")
def zip_reciprocal_list_operator_mul(o, t):
    n = len(t)
    return {"loss": sum(operator.mul(w, e) for w, e in zip([1 / n] * n, E(o, t)))}


@body("recip")
def zip_reciprocal_list_in_place(o, t):
    n = len(t)
    loss = 0.0
    for w, e in zip([1 / n] * n, E(o, t)):
        e = e.clone()
        e *= w
        loss = loss + e
    return {"loss": loss}


@body("recip")
def zip_count_list_divides(o, t):
    n = len(t)
    return {"loss": sum(e / w for w, e in zip([float(n)] * n, E(o, t)))}


@body("near")
def near_zip_constant_list_divides(o, t):
    return {"loss": sum(e / w for w, e in zip([4.0] * len(t), E(o, t)))}  # 4.0: a literal (4 images too)


@body("near")
def near_zip_head_weights_of_batch_losses(o, t):
    ws = [torch.tensor(1.0).item() / 2 for _ in range(2)]  # computed 0.5 (1 / n on 2 images): heads' weights
    y = torch.stack([s["y"] for s in t])
    return {"loss": sum(w * (x - y).abs().mean() for w, x in zip(ws, (o["x"], o["x"] * 0.3)))}
