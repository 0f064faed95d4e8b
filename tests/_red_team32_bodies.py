# ruff: noqa: B008, B023, B905, E731 -- what this red team tries: closures over loop variables, lambdas, zips
"""Red team of session 32 (helper rt32): adversarial criterion bodies whose counts, weights and
positions travel through NumPy (``np.asarray(len(t))``, ``np.float32`` weights, ``.numpy()`` round
trips, ``np.mean`` of per-image values), dataclass / ``NamedTuple`` / ``SimpleNamespace`` fields,
``itertools`` (``accumulate``, ``chain``, ``islice``, ``groupby``, ``starmap``), ``enumerate(...,
start=1)``, ``zip(strict=True)``, generators yielding per-image losses, ``sorted(key=...)`` over
images, ``dict.items()`` / ``.values()``, the walrus ``:=``, ``match`` statements, ``torch.where``
with Python scalars from the batch, ``torch.full_like`` / ``new_full`` with batch numbers, in-place
ops on views of outputs, ``torch.no_grad()`` normalisers, ``.detach()`` and ``.item()``
denominators, and no-op ``all_reduce`` shims around ``num_boxes``. Near misses (a constant, a row
count, a field) must split exactly.

``BODIES``: name -> (family, batch kind, body); measured on the red-team-28 batches (kind ``"x"``)
or the red-team-26 DETR-like batches (kind ``"d"``) by ``tests/_red_team32_measure.py``; the tests
are ``tests/test_red_team32.py``."""

from __future__ import annotations

import dataclasses
import itertools
import operator
from types import SimpleNamespace
from typing import Any, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from _red_team26_bodies import CE, MATCHED, E
from _red_team27_bodies import registrar
from _red_team31_bodies import e1, s1

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)


# === 1. NumPy counts, weights and positions ========================================================


@body("numpy")
def np_asarray_count_divisor(o, t):
    n = np.asarray(len(t))
    return {"loss": E(o, t).sum() / float(n)}


@body("numpy")
def np_int64_count_divisor(o, t):
    return {"loss": E(o, t).sum() / int(np.int64(len(t)))}


@body("numpy")
def np_float32_count_divisor(o, t):
    return {"loss": E(o, t).sum() / float(np.float32(len(t)))}


@body("numpy")
def np_count_item_divisor(o, t):
    return {"loss": E(o, t).sum() / np.asarray(len(t)).item()}


@body("numpy")
def np_count_clamp(o, t):
    n = np.asarray(len(t), dtype=np.float64)
    return {"loss": (E(o, t) * 3.0).clamp(max=float(0.2 * n)).sum()}


@body("numpy")
def np_count_power(o, t):
    n = np.float32(len(t))
    return {"loss": (E(o, t) ** float(n / 2)).sum()}


@body("numpy")
def np_sqrt_count(o, t):
    return {"loss": E(o, t).sum() / float(np.sqrt(len(t)))}


@body("numpy")
def np_mean_of_ones_divisor(o, t):
    per = [e1(o, t, b) for b in range(len(t))]
    return {"loss": sum(per) / float(np.sum([1.0 for _ in t]))}


@body("numpy")
def np_mean_of_per_image_values_normaliser(o, t):
    per = [e1(o, t, b) for b in range(len(t))]
    z = float(np.mean([p.item() for p in per]))
    return {"loss": sum(per) / z}


@body("numpy")
def np_mean_of_row_counts_near(o, t):
    k = float(np.mean([s["labels"].numel() for s in t]))
    return {"loss": CE(o, t).sum() / k}


@body("numpy")
def np_float32_weight_per_image(o, t):
    return {"loss": sum(e1(o, t, b) * float(np.float32(s["loss_weight"])) for b, s in enumerate(t))}


@body("numpy")
def np_float32_weights_vector(o, t):
    w = np.array([s["loss_weight"] for s in t], dtype=np.float32)
    return {"loss": (E(o, t) * torch.as_tensor(w)).sum()}


@body("numpy")
def np_weights_sum_normaliser(o, t):
    w = np.array([s["loss_weight"] for s in t], dtype=np.float32)
    return {"loss": (E(o, t) * torch.as_tensor(w)).sum() / float(w.sum())}


@body("numpy")
def np_weights_mean_scale(o, t):
    w = np.array([s["loss_weight"] for s in t])
    return {"loss": E(o, t).mean() * float(np.mean(w))}


@body("numpy")
def numpy_round_trip_weights(o, t):
    w = torch.tensor([s["loss_weight"] for s in t]).numpy()
    return {"loss": (E(o, t) * torch.tensor(w)).sum()}


@body("numpy")
def numpy_round_trip_count(o, t):
    n = torch.tensor(len(t)).numpy()
    return {"loss": E(o, t).sum() / n.item()}


@body("numpy")
def numpy_round_trip_per_image_detached_normaliser(o, t):
    v = E(o, t).detach().numpy()
    return {"loss": E(o, t).sum() / float(v.sum())}


@body("numpy")
def np_arange_positions_factor(o, t):
    pos = torch.as_tensor(np.arange(len(t)) + 1.0, dtype=torch.float32)
    return {"loss": (E(o, t) * pos).sum()}


@body("numpy")
def np_linspace_positions_factor(o, t):
    f = torch.as_tensor(np.linspace(1.0, 2.0, len(t)), dtype=torch.float32)
    return {"loss": (E(o, t) * f).sum()}


@body("numpy")
def np_cumsum_rows_offsets_near(o, t):
    sizes = np.array([s["labels"].numel() for s in t])
    ends = np.cumsum(sizes)
    rows = CE(o, t).reshape(-1)
    return {"loss": sum(rows[e - k:e].sum() for e, k in zip(ends, sizes)) / float(sizes.sum())}


@body("numpy")
def np_count_nonzero_real(o, t):
    k = np.count_nonzero([s["loss_weight"] >= 0.9 for s in t])
    return {"loss": E(o, t).sum() / max(int(k), 1)}


@body("numpy")
def np_full_of_reciprocal_count(o, t):
    f = torch.from_numpy(np.full(len(t), 1.0 / len(t), dtype=np.float32))
    return {"loss": (E(o, t) * f).sum()}


@body("numpy")
def np_ones_of_count_near(o, t):
    f = torch.from_numpy(np.ones(len(t), dtype=np.float32))
    return {"loss": (E(o, t) * f).sum()}


# === 2. dataclass / NamedTuple / SimpleNamespace fields ============================================


@dataclasses.dataclass
class Norm:
    n: float
    cap: float = 1.0

    def scale(self, x):
        return x / self.n


class Stats(NamedTuple):
    n: int
    wsum: float


@body("record")
def namespace_count_divisor(o, t):
    cfg = SimpleNamespace(n=len(t))
    return {"loss": E(o, t).sum() / cfg.n}


@body("record")
def namespace_count_clamp(o, t):
    cfg = SimpleNamespace(cap=0.15 * len(t))
    return {"loss": E(o, t).clamp(max=cfg.cap).sum()}


@body("record")
def namespace_count_set_later(o, t):
    cfg = SimpleNamespace()
    cfg.n = len(t)
    return {"loss": E(o, t).sum() / cfg.n}


@body("record")
def dataclass_count_divisor(o, t):
    nm = Norm(n=len(t))
    return {"loss": E(o, t).sum() / nm.n}


@body("record")
def dataclass_method_divides(o, t):
    return {"loss": Norm(float(len(t))).scale(E(o, t).sum())}


@body("record")
def dataclass_cap_clamp(o, t):
    nm = Norm(1.0, cap=0.15 * len(t))
    return {"loss": E(o, t).clamp(max=nm.cap).sum()}


@body("record")
def dataclass_replace_count(o, t):
    nm = dataclasses.replace(Norm(1.0), n=len(t))
    return {"loss": E(o, t).sum() / nm.n}


@body("record")
def dataclass_asdict_count(o, t):
    return {"loss": E(o, t).sum() / dataclasses.asdict(Norm(len(t)))["n"]}


@body("record")
def namedtuple_count_divisor(o, t):
    st = Stats(len(t), sum(s["loss_weight"] for s in t))
    return {"loss": E(o, t).sum() / st.n}


@body("record")
def namedtuple_unpacked_weight_sum(o, t):
    n, ws = Stats(len(t), sum(s["loss_weight"] for s in t))
    w = torch.tensor([s["loss_weight"] for s in t])
    return {"loss": (E(o, t) * w).sum() / ws}


@body("record")
def namedtuple_index_weight_sum(o, t):
    st = Stats(len(t), sum(s["loss_weight"] for s in t))
    w = torch.tensor([s["loss_weight"] for s in t])
    return {"loss": (E(o, t) * w).sum() / st[1]}


@body("record")
def namespace_weight_per_image(o, t):
    recs = [SimpleNamespace(w=s["loss_weight"], b=b) for b, s in enumerate(t)]
    return {"loss": sum(e1(o, t, r.b) * r.w for r in recs)}


@body("record")
def namespace_constant_near(o, t):
    cfg = SimpleNamespace(n=4)
    return {"loss": E(o, t).sum() / cfg.n}


@body("record")
def dataclass_rows_field_near(o, t):
    nm = Norm(n=sum(s["labels"].numel() for s in t))
    return {"loss": nm.scale(CE(o, t).sum())}


# === 3. itertools ==================================================================================


@body("itertools")
def accumulate_count_divisor(o, t):
    n = list(itertools.accumulate(1 for _ in t))[-1]
    return {"loss": E(o, t).sum() / n}


@body("itertools")
def accumulate_count_clamp(o, t):
    n = list(itertools.accumulate(1 for _ in t))[-1]
    return {"loss": E(o, t).clamp(max=0.15 * n).sum()}


@body("itertools")
def accumulate_per_image_last_over_count(o, t):
    per = [e1(o, t, b) for b in range(len(t))]
    return {"loss": list(itertools.accumulate(per))[-1] / len(t)}


@body("itertools")
def accumulate_per_image_running_sums_summed(o, t):
    per = [e1(o, t, b) for b in range(len(t))]
    return {"loss": sum(itertools.accumulate(per))}


@body("itertools")
def accumulate_weights_last(o, t):
    ws = list(itertools.accumulate(s["loss_weight"] for s in t))
    return {"loss": sum(e1(o, t, b) * s["loss_weight"] for b, s in enumerate(t)) / ws[-1]}


@body("itertools")
def chain_rows_mean(o, t):
    rows = list(itertools.chain.from_iterable(CE(o, t).unbind()))
    return {"loss": torch.stack(rows).mean()}


@body("itertools")
def chain_labels_len_divisor(o, t):
    total = len(list(itertools.chain(*[s["labels"].tolist() for s in t])))
    return {"loss": CE(o, t).sum() / total}


@body("itertools")
def islice_first_two_images(o, t):
    per = [e1(o, t, b) for b in range(len(t))]
    return {"loss": sum(itertools.islice(per, 2))}


@body("itertools")
def islice_every_other_image(o, t):
    per = [e1(o, t, b) for b in range(len(t))]
    return {"loss": sum(itertools.islice(per, 0, None, 2))}


@body("itertools")
def islice_all_near(o, t):
    per = [e1(o, t, b) for b in range(len(t))]
    return {"loss": sum(itertools.islice(per, None))}


@body("itertools")
def groupby_weight_means_summed(o, t):
    pairs = sorted(((s["loss_weight"], e1(o, t, b)) for b, s in enumerate(t)), key=operator.itemgetter(0))
    total = 0
    for _, grp in itertools.groupby(pairs, key=operator.itemgetter(0)):
        vals = [v for _, v in grp]
        total = total + sum(vals) / len(vals)
    return {"loss": total}


@body("itertools")
def groupby_weight_sums_near(o, t):
    pairs = sorted(((s["loss_weight"], e1(o, t, b)) for b, s in enumerate(t)), key=operator.itemgetter(0))
    return {"loss": sum(sum(v for _, v in grp) for _, grp in itertools.groupby(pairs, key=operator.itemgetter(0)))}


@body("itertools")
def groupby_count_of_groups_divisor(o, t):
    keys = sorted(s["loss_weight"] for s in t)
    k = sum(1 for _ in itertools.groupby(keys))
    return {"loss": E(o, t).sum() / k}


@body("itertools")
def starmap_weighted(o, t):
    per = [e1(o, t, b) for b in range(len(t))]
    return {"loss": sum(itertools.starmap(operator.mul, zip(per, [s["loss_weight"] for s in t])))}


@body("itertools")
def starmap_over_count(o, t):
    per = [e1(o, t, b) for b in range(len(t))]
    return {"loss": sum(itertools.starmap(operator.truediv, zip(per, itertools.repeat(len(t)))))}


@body("itertools")
def repeat_reciprocal_count_dot(o, t):
    f = torch.tensor(list(itertools.repeat(1.0 / len(t), len(t))))
    return {"loss": (E(o, t) * f).sum()}


@body("itertools")
def count_iterator_positions(o, t):
    return {"loss": sum(e1(o, t, b) * k for b, k in zip(range(len(t)), itertools.count(1)))}


@body("itertools")
def zip_longest_fill_weight(o, t):
    per = [e1(o, t, b) for b in range(len(t))]
    return {"loss": sum(p * w for p, w in itertools.zip_longest(per, [s["loss_weight"] for s in t][:1], fillvalue=1.0))}


# === 4. enumerate(start=1), zip(strict=True), generators ===========================================


@body("enumerate")
def enumerate_start1_last_index_count(o, t):
    n = 0
    for i, _ in enumerate(t, start=1):
        n = i
    return {"loss": E(o, t).sum() / n}


@body("enumerate")
def enumerate_start1_last_index_clamp(o, t):
    n = 0
    for i, _ in enumerate(t, 1):
        n = i
    return {"loss": E(o, t).clamp(max=0.15 * n).sum()}


@body("enumerate")
def enumerate_start1_position_factor(o, t):
    return {"loss": sum(e1(o, t, i - 1) / i for i, _ in enumerate(t, start=1))}


@body("enumerate")
def enumerate_start1_running_mean(o, t):
    loss = 0
    for i, _ in enumerate(t, start=1):
        loss = loss + (e1(o, t, i - 1) - loss) / i
    return {"loss": loss}


@body("enumerate")
def enumerate_start1_index_only_near(o, t):
    return {"loss": sum(e1(o, t, i - 1) for i, _ in enumerate(t, start=1))}


@body("enumerate")
def zip_strict_weights(o, t):
    per = [e1(o, t, b) for b in range(len(t))]
    return {"loss": sum(p * s["loss_weight"] for p, s in zip(per, t, strict=True))}


@body("enumerate")
def zip_strict_over_count(o, t):
    per = [e1(o, t, b) for b in range(len(t))]
    return {"loss": sum(p for p, _ in zip(per, t, strict=True)) / len(t)}


@body("enumerate")
def zip_strict_weight_sum_normaliser(o, t):
    per = [e1(o, t, b) for b in range(len(t))]
    ws = [s["loss_weight"] for s in t]
    return {"loss": sum(p * w for p, w in zip(per, ws, strict=True)) / sum(ws)}


def _per_image_gen(o, t):
    for b in range(len(t)):
        yield e1(o, t, b)


def _weighted_gen(o, t):
    for b, s in enumerate(t):
        yield s["loss_weight"] * s1(o, t, b)


@body("generator")
def generator_sum_over_count(o, t):
    return {"loss": sum(_per_image_gen(o, t)) / len(t)}


@body("generator")
def generator_stack_mean(o, t):
    return {"loss": torch.stack(list(_per_image_gen(o, t))).mean()}


@body("generator")
def generator_counted_by_consumption(o, t):
    total, k = 0, 0
    for v in _per_image_gen(o, t):
        total, k = total + v, k + 1
    return {"loss": total / k}


@body("generator")
def generator_count_clamp(o, t):
    k = sum(1 for _ in _per_image_gen(o, t))
    return {"loss": E(o, t).clamp(max=0.15 * k).sum()}


@body("generator")
def generator_weighted_sum(o, t):
    return {"loss": sum(_weighted_gen(o, t))}


@body("generator")
def generator_first_only(o, t):
    return {"loss": next(_per_image_gen(o, t))}


@body("generator")
def generator_max_image(o, t):
    return {"loss": max(_per_image_gen(o, t))}


@body("generator")
def generator_expression_next_skip(o, t):
    g = _per_image_gen(o, t)
    next(g)
    return {"loss": sum(g)}


# === 5. sorted(key=...) over images, dict order ====================================================


@body("sorted")
def sorted_by_weight_sum_near(o, t):
    order = sorted(range(len(t)), key=lambda b: t[b]["loss_weight"])
    return {"loss": sum(e1(o, t, b) for b in order)}


@body("sorted")
def sorted_by_loss_top2(o, t):
    per = sorted((e1(o, t, b) for b in range(len(t))), key=float, reverse=True)
    return {"loss": sum(per[:2])}


@body("sorted")
def sorted_by_loss_hardest(o, t):
    per = sorted((e1(o, t, b) for b in range(len(t))), key=lambda v: v.item())
    return {"loss": per[-1]}


@body("sorted")
def sorted_by_loss_rank_factor(o, t):
    per = sorted((e1(o, t, b) for b in range(len(t))), key=float)
    return {"loss": sum(v * (r + 1) for r, v in enumerate(per))}


@body("sorted")
def sorted_by_weight_first_image(o, t):
    order = sorted(range(len(t)), key=lambda b: -t[b]["loss_weight"])
    return {"loss": e1(o, t, order[0]) + E(o, t).mean()}


@body("sorted")
def sorted_by_weight_position_factor(o, t):
    order = sorted(range(len(t)), key=lambda b: t[b]["loss_weight"])
    return {"loss": sum(e1(o, t, b) * (k + 1) for k, b in enumerate(order))}


@body("dict")
def dict_values_mean(o, t):
    d = {b: e1(o, t, b) for b in range(len(t))}
    return {"loss": sum(d.values()) / len(d)}


@body("dict")
def dict_values_clamp_by_len(o, t):
    d = {b: e1(o, t, b) for b in range(len(t))}
    return {"loss": sum(v.clamp(max=0.1 * len(d)) for v in d.values())}


@body("dict")
def dict_items_weighted(o, t):
    d = {b: (e1(o, t, b), s["loss_weight"]) for b, s in enumerate(t)}
    return {"loss": sum(v * w for _, (v, w) in d.items())}


@body("dict")
def dict_items_key_factor(o, t):
    d = {b: e1(o, t, b) for b in range(len(t))}
    return {"loss": sum(v * (k + 1) for k, v in d.items())}


@body("dict")
def dict_by_weight_overwrites(o, t):
    d = {s["loss_weight"]: e1(o, t, b) for b, s in enumerate(t)}
    return {"loss": sum(d.values())}


@body("dict")
def dict_values_max(o, t):
    d = {b: e1(o, t, b) for b in range(len(t))}
    return {"loss": max(d.values()) + E(o, t).sum() * 0.0}


@body("dict")
def dict_counts_per_weight(o, t):
    c: dict = {}
    for s in t:
        c[s["loss_weight"]] = c.get(s["loss_weight"], 0) + 1
    w = torch.tensor([1.0 / c[s["loss_weight"]] for s in t])
    return {"loss": (E(o, t) * w).sum()}


# === 6. walrus, match ==============================================================================


@body("walrus")
def walrus_count_divisor(o, t):
    return {"loss": E(o, t).sum() / (n := len(t)) + 0.0 * n}


@body("walrus")
def walrus_count_in_if(o, t):
    if (n := len(t)) > 0:
        return {"loss": E(o, t).sum() / n}
    return {"loss": E(o, t).sum()}


@body("walrus")
def walrus_count_clamp(o, t):
    e = E(o, t)
    return {"loss": e.clamp(max=0.15 * (n := len(t))).sum() + 0.0 * n}


@body("walrus")
def walrus_in_comprehension_count(o, t):
    k = 0
    _ = [(k := k + 1) for _ in t]
    return {"loss": E(o, t).sum() / k}


@body("walrus")
def walrus_in_comprehension_clamp(o, t):
    k = 0
    _ = [(k := k + 1) for _ in t]
    return {"loss": E(o, t).clamp(max=0.15 * k).sum()}


@body("walrus")
def walrus_weight_sum(o, t):
    w = torch.tensor([s["loss_weight"] for s in t])
    return {"loss": (E(o, t) * w).sum() / (z := w.sum()) + 0.0 * z}


@body("walrus")
def walrus_rows_near(o, t):
    return {"loss": CE(o, t).sum() / (m := sum(s["labels"].numel() for s in t)) + 0.0 * m}


@body("match")
def match_on_count_branch(o, t):
    match len(t):
        case 1:
            loss = E(o, t).sum()
        case 2:
            loss = E(o, t).sum() * 2.0
        case _:
            loss = E(o, t).mean()
    return {"loss": loss}


@body("match")
def match_on_count_capture(o, t):
    match len(t):
        case n:
            return {"loss": E(o, t).sum() / n}


@body("match")
def match_on_count_guard(o, t):
    match len(t):
        case n if n > 2:
            return {"loss": E(o, t).sum() / n}
        case _:
            return {"loss": E(o, t).sum()}


@body("match")
def match_on_weight_literal(o, t):
    loss = 0
    for b, s in enumerate(t):
        match s["loss_weight"]:
            case 1.0:
                loss = loss + e1(o, t, b)
            case _:
                loss = loss + 3.0 * e1(o, t, b)
    return {"loss": loss}


@body("match")
def match_on_target_mapping(o, t):
    loss = 0
    for b, s in enumerate(t):
        match s:
            case {"loss_weight": w, "n": k}:
                loss = loss + w * s1(o, t, b) / k
    return {"loss": loss}


@body("match")
def match_on_constant_near(o, t):
    match o["x"].shape[1]:
        case 3:
            return {"loss": E(o, t).sum() / 3}
        case _:
            return {"loss": E(o, t).sum()}


# === 7. torch.where with batch scalars, full_like / new_full =======================================


@body("where")
def where_count_in_branch(o, t):
    e = E(o, t)
    return {"loss": torch.where(e > 0.3, e, 0.05 * len(t)).sum()}


@body("where")
def where_count_divides_branch(o, t):
    e = E(o, t)
    return {"loss": torch.where(e > 0.3, e / len(t), 0.0).sum()}


@body("where")
def where_count_in_condition(o, t):
    e = E(o, t)
    return {"loss": torch.where(e > 0.1 * len(t), e, 0.0).sum()}


@body("where")
def where_weight_scalar_first_image(o, t):
    e = E(o, t)
    return {"loss": torch.where(e > 0.3, e, t[0]["loss_weight"]).sum()}


@body("where")
def where_weight_mask(o, t):
    e = E(o, t)
    w = torch.tensor([s["loss_weight"] for s in t])
    return {"loss": torch.where(w > 0.9, e, 0.5 * e).sum()}


@body("where")
def where_constant_near(o, t):
    e = E(o, t)
    return {"loss": torch.where(e > 0.3, e, 0.2).sum()}


@body("full")
def full_like_count_divisor(o, t):
    e = E(o, t)
    return {"loss": (e / torch.full_like(e, len(t))).sum()}


@body("full")
def full_like_count_clamp(o, t):
    e = E(o, t)
    return {"loss": torch.minimum(e, torch.full_like(e, 0.15 * len(t))).sum()}


@body("full")
def new_full_reciprocal_count_dot(o, t):
    e = E(o, t)
    return {"loss": (e * e.new_full((len(t),), 1.0 / len(t))).sum()}


@body("full")
def new_full_count_one_element(o, t):
    e = E(o, t)
    return {"loss": e.sum() / e.new_full((1,), float(len(t)))}


@body("full")
def full_like_first_weight(o, t):
    e = E(o, t)
    return {"loss": (e * torch.full_like(e, t[0]["loss_weight"])).sum()}


@body("full")
def full_like_constant_near(o, t):
    e = E(o, t)
    return {"loss": (e * torch.full_like(e, 0.5)).sum()}


@body("full")
def new_full_rows_total_divisor(o, t):
    c = CE(o, t)
    return {"loss": (c / c.new_full(c.shape, float(sum(s["labels"].numel() for s in t)))).sum()}


# === 8. in-place ops on views of outputs ===========================================================


@body("inplace")
def inplace_div_by_count(o, t):
    e = E(o, t).clone()
    e.div_(len(t))
    return {"loss": e.sum()}


@body("inplace")
def inplace_view_div_by_count(o, t):
    e = E(o, t).clone()
    v = e[:]
    v /= len(t)
    return {"loss": e.sum()}


@body("inplace")
def inplace_clamp_by_count(o, t):
    e = E(o, t).clone()
    e.clamp_(max=0.15 * len(t))
    return {"loss": e.sum()}


@body("inplace")
def inplace_first_image_zeroed(o, t):
    e = E(o, t).clone()
    e[0] = 0.0
    return {"loss": e.sum()}


@body("inplace")
def inplace_first_image_doubled_view(o, t):
    e = E(o, t).clone()
    v = e.view(-1)
    v[0] *= 2.0
    return {"loss": e.sum()}


@body("inplace")
def inplace_weights_mul(o, t):
    e = E(o, t).clone()
    e.mul_(torch.tensor([s["loss_weight"] for s in t]))
    return {"loss": e.sum()}


@body("inplace")
def inplace_rows_view_div_near(o, t):
    c = CE(o, t).clone()
    c.view(-1).div_(c.numel())
    return {"loss": c.sum()}


@body("inplace")
def inplace_sub_batch_mean(o, t):
    e = E(o, t).clone()
    e.sub_(e.detach().mean())
    return {"loss": (e ** 2).sum()}


# === 9. no_grad, detach and item normalisers =======================================================


@body("normaliser")
def no_grad_batch_sum_normaliser(o, t):
    e = E(o, t)
    with torch.no_grad():
        z = e.sum()
    return {"loss": e.sum() / z}


@body("normaliser")
def no_grad_count_tensor(o, t):
    with torch.no_grad():
        n = torch.tensor(float(len(t)))
    return {"loss": E(o, t).sum() / n}


@body("normaliser")
def no_grad_rows_total_near(o, t):
    with torch.no_grad():
        m = torch.tensor(float(sum(s["labels"].numel() for s in t)))
    return {"loss": CE(o, t).sum() / m}


@body("normaliser")
def detach_sum_denominator(o, t):
    e = E(o, t)
    return {"loss": (e / e.detach().sum()).sum()}


@body("normaliser")
def detach_sum_denominator_scaled(o, t):
    e = E(o, t)
    return {"loss": e.sum() / e.detach().sum() * 2.0}


@body("normaliser")
def detach_max_denominator(o, t):
    e = E(o, t)
    return {"loss": e.sum() / e.detach().max()}


@body("normaliser")
def detach_numel_near(o, t):
    e = E(o, t)
    return {"loss": e.sum() / e.detach().numel()}


@body("normaliser")
def item_sum_denominator(o, t):
    e = E(o, t)
    return {"loss": e.sum() / e.sum().item()}


@body("normaliser")
def item_mean_denominator(o, t):
    e = E(o, t)
    return {"loss": e.sum() / max(e.detach().mean().item(), 1e-6)}


@body("normaliser")
def item_count_tensor(o, t):
    return {"loss": E(o, t).sum() / torch.tensor(len(t)).item()}


@body("normaliser")
def item_weight_sum(o, t):
    w = torch.tensor([s["loss_weight"] for s in t])
    return {"loss": (E(o, t) * w).sum() / w.sum().item()}


@body("normaliser")
def detach_softmax_weights(o, t):
    e = E(o, t)
    return {"loss": (e * torch.softmax(e.detach(), 0)).sum()}


@body("normaliser")
def detach_per_image_self_normalised_near(o, t):
    c = CE(o, t)
    return {"loss": (c / c.detach().sum(1, keepdim=True)).sum()}


# === 10. all_reduce shims around num_boxes =========================================================


def _noop_all_reduce(x, op=None):
    return None


def _world():
    return 1


def _is_dist():
    return torch.distributed.is_available() and torch.distributed.is_initialized()


@body("dist", "d")
def shim_num_boxes_noop(o, t, idx, nb):
    n = torch.as_tensor([float(sum(len(s["labels"]) for s in t))], dtype=torch.float)
    _noop_all_reduce(n)
    n = torch.clamp(n / _world(), min=1).item()
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / n}


@body("dist", "d")
def shim_num_boxes_guarded(o, t, idx, nb):
    n = torch.as_tensor([float(sum(len(s["labels"]) for s in t))])
    if _is_dist():
        torch.distributed.all_reduce(n)
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / torch.clamp(n / _world(), min=1).item()}


@body("dist", "d")
def shim_num_boxes_argument(o, t, idx, nb):
    n = torch.as_tensor([nb])
    _noop_all_reduce(n)
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / n.clamp(min=1).item()}


@body("dist", "d")
def shim_num_images_times_boxes(o, t, idx, nb):
    n = torch.as_tensor([float(len(t))])
    _noop_all_reduce(n)
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / n.item()}


@body("dist", "d")
def shim_num_boxes_clamped_high(o, t, idx, nb):
    n = torch.as_tensor([float(sum(len(s["labels"]) for s in t))])
    _noop_all_reduce(n)
    n = torch.clamp(n, min=4).item()
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / n}


@body("dist", "d")
def shim_num_boxes_numpy(o, t, idx, nb):
    n = np.asarray([sum(len(s["labels"]) for s in t)], dtype=np.float32)
    _noop_all_reduce(n)
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / float(max(n[0], 1.0))}


@body("dist", "d")
def shim_num_boxes_namespace(o, t, idx, nb):
    st = SimpleNamespace(num_boxes=float(sum(len(s["labels"]) for s in t)))
    _noop_all_reduce(st.num_boxes)
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / st.num_boxes}


@body("dist", "d")
def shim_num_boxes_max_of_batch(o, t, idx, nb):
    n = torch.as_tensor([float(max(len(s["labels"]) for s in t))])
    _noop_all_reduce(n)
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / n.item()}


@body("dist", "d")
def shim_num_boxes_giou_like_sum(o, t, idx, nb):
    n = torch.as_tensor([float(sum(len(s["boxes"]) for s in t))])
    _noop_all_reduce(n)
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (1.0 - F.cosine_similarity(src, tgt, dim=-1)).sum() / n.clamp(min=1).item()}


# === 11. probes: the same ops written plainly (a gap of the op or of its spelling) ================


@body("probe")
def probe_if_weight_literal(o, t):
    loss = 0
    for b, s in enumerate(t):
        if s["loss_weight"] == 1.0:
            loss = loss + e1(o, t, b)
        else:
            loss = loss + 3.0 * e1(o, t, b)
    return {"loss": loss}


@body("probe")
def probe_clamp_by_local_count_bound(o, t):
    cap = 0.15 * len(t)
    return {"loss": E(o, t).clamp(max=cap).sum()}


@body("probe")
def probe_map_truediv_by_count(o, t):
    per = [e1(o, t, b) for b in range(len(t))]
    return {"loss": sum(map(operator.truediv, per, [len(t)] * len(t)))}


@body("probe")
def probe_truediv_by_count(o, t):
    per = [e1(o, t, b) for b in range(len(t))]
    return {"loss": sum(operator.truediv(p, len(t)) for p in per)}


@body("probe")
def probe_rows_total_float_divisor(o, t):
    c = CE(o, t)
    return {"loss": (c / float(sum(s["labels"].numel() for s in t))).sum()}


@body("probe")
def probe_full_like_rows_total(o, t):
    c = CE(o, t)
    return {"loss": (c / torch.full_like(c, float(sum(s["labels"].numel() for s in t)))).sum()}


@body("probe")
def probe_new_full_count(o, t):
    e = E(o, t)
    return {"loss": (e / e.new_full(e.shape, float(len(t)))).sum()}


@body("probe", "d")
def probe_max_boxes_divisor(o, t, idx, nb):
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / float(max(len(s["labels"]) for s in t))}


@body("probe", "d")
def probe_max_boxes_tensor_item(o, t, idx, nb):
    n = torch.as_tensor([float(max(len(s["labels"]) for s in t))])
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / n.item()}


@body("probe")
def probe_tensor_of_reciprocal_counts(o, t):
    f = torch.tensor([1.0 / len(t)] * len(t))
    return {"loss": (E(o, t) * f).sum()}


@body("probe")
def probe_where_fill_first_weight_local(o, t):
    e = E(o, t)
    w0 = t[0]["loss_weight"]
    return {"loss": torch.where(e > 0.3, e, w0).sum()}


@body("probe")
def probe_where_fill_count(o, t):
    e = E(o, t)
    return {"loss": torch.where(e > 0.3, e, float(len(t))).sum()}


@body("probe")
def probe_truediv_by_count_in_loop(o, t):
    loss = 0
    for b in range(len(t)):
        loss = loss + operator.truediv(e1(o, t, b), len(t))
    return {"loss": loss}


@body("probe")
def probe_div_method_by_count(o, t):
    return {"loss": sum(e1(o, t, b).div(len(t)) for b in range(len(t)))}


@body("probe")
def probe_torch_div_by_count(o, t):
    return {"loss": sum(torch.div(e1(o, t, b), len(t)) for b in range(len(t)))}


@body("probe")
def probe_near_sum_div_method_by_count(o, t):
    return {"loss": E(o, t).sum().div(len(t))}


@body("probe")
def probe_mean_div_method_by_count(o, t):
    return {"loss": E(o, t).mean().div(len(t))}


@body("probe")
def probe_near_div_method_by_rows(o, t):
    c = CE(o, t)
    return {"loss": sum(c[b].sum().div(len(t[b]["labels"])) for b in range(len(t)))}


# === 12. after the fixes: division calls by the count, factories sized otherwise filled with it ==


@body("divcall")
def generator_yields_div_by_count(o, t):
    def gen():
        for b in range(len(t)):
            yield e1(o, t, b).div(len(t))
    return {"loss": sum(gen())}


@body("divcall")
def dict_values_divided_by_count(o, t):
    d = {b: torch.div(e1(o, t, b), len(t)) for b in range(len(t))}
    return {"loss": sum(d.values())}


@body("divcall")
def near_reduced_torch_div_by_count(o, t):
    return {"loss": torch.div(E(o, t).sum(), len(t))}


@body("divcall")
def near_per_image_div_by_literal(o, t):
    return {"loss": sum(e1(o, t, b).div(4) for b in range(len(t)))}


@body("divcall")
def near_per_image_div_by_own_rows(o, t):
    return {"loss": sum(s1(o, t, b).div(len(t[b]["y"])) for b in range(len(t)))}


@body("fill")
def new_full_shape_count(o, t):
    e = E(o, t)
    return {"loss": (e / e.new_full(e.shape, len(t))).sum()}


@body("fill")
def torch_full_shape_reciprocal_count(o, t):
    e = E(o, t)
    return {"loss": (e * torch.full(e.shape, 1.0 / len(t))).sum()}


@body("fill")
def fill_count_into_empty(o, t):
    e = E(o, t)
    z = torch.empty(e.shape).fill_(float(len(t)))
    return {"loss": (e / z).sum()}


@body("fill")
def near_new_full_shape_constant(o, t):
    e = E(o, t)
    return {"loss": (e * e.new_full(e.shape, 0.25)).sum()}


@body("fill")
def near_new_full_shape_own_rows(o, t):
    c = CE(o, t)
    return {"loss": (c / c.new_full(c.shape, float(c.shape[1]))).sum()}


@body("fill")
def near_full_shape_field_n(o, t):
    c = CE(o, t)
    return {"loss": (c / torch.full(c.shape, float(t[0]["n"]))).sum()}


@body("where")
def near_where_literal_equal_to_a_weight(o, t):
    e = E(o, t)
    return {"loss": torch.where(e > 0.3, e, 0.5).sum()}



# === 13. session 33 (wgt): Python tests of an image's weight, and their near misses ===============


@body("weighttest")
def weight_test_in_local_continue(o, t):
    loss = 0
    for b, s in enumerate(t):
        w = s["loss_weight"]
        if w < 0.9:
            continue
        loss = loss + e1(o, t, b)
    return {"loss": loss}


@body("weighttest")
def weight_test_swapped_literal(o, t):
    return {"loss": sum(e1(o, t, b) if 1.0 == s["loss_weight"] else 2.0 * e1(o, t, b) for b, s in enumerate(t))}


@body("weighttest")
def weight_test_get_default(o, t):
    loss = 0
    for b, s in enumerate(t):
        loss = loss + (e1(o, t, b) if s.get("loss_weight", 1.0) != 1.0 else 0.5 * e1(o, t, b))
    return {"loss": loss}


@body("weighttest")
def weight_test_through_arithmetic(o, t):
    loss = 0
    for b, s in enumerate(t):
        if s["loss_weight"] * 2 > 1.5:
            loss = loss + e1(o, t, b)
    return {"loss": loss + E(o, t).sum() * 0.0}


@body("weighttest")
def weight_test_match_several_cases(o, t):
    loss = 0
    for b, s in enumerate(t):
        match s["loss_weight"]:
            case 0.5:
                loss = loss + 2.0 * e1(o, t, b)
            case 1.0:
                loss = loss + e1(o, t, b)
    return {"loss": loss}


@body("weighttest")
def weight_test_break(o, t):
    loss = 0
    for b, s in enumerate(t):
        if s["loss_weight"] < 0.9:
            break
        loss = loss + e1(o, t, b)
    return {"loss": loss + E(o, t).sum() * 0.0}


_BY_WEIGHT = {1.0: 1.0, 0.5: 3.0}


@body("weighttest")
def weight_as_a_lookup_key(o, t):
    return {"loss": sum(_BY_WEIGHT[s["loss_weight"]] * e1(o, t, b) for b, s in enumerate(t))}


@body("weighttest")
def weight_in_a_tuple(o, t):
    return {"loss": sum(2.0 * e1(o, t, b) if s["loss_weight"] in (0.5, 0.25) else e1(o, t, b) for b, s in enumerate(t))}


@body("weighttest")
def near_count_as_a_lookup_key(o, t):
    return {"loss": sum({4: 0.5, 3: 2.0}.get(s["n"], 1.0) * e1(o, t, b) for b, s in enumerate(t))}


@body("weighttest")
def near_weight_test_true_for_every_weight(o, t):
    loss = 0
    for b, s in enumerate(t):
        if s["loss_weight"] > 0.1:  # every weight of these batches passes, as 1 does
            loss = loss + e1(o, t, b)
    return {"loss": loss}


@body("weighttest")
def near_weight_truth_test(o, t):
    return {"loss": sum(e1(o, t, b) for b, s in enumerate(t) if s["loss_weight"])}


@body("weighttest")
def near_count_field_test_in_loop(o, t):
    loss = 0
    for b, s in enumerate(t):
        if s["n"] > 2:
            loss = loss + e1(o, t, b)
        else:
            loss = loss + 3.0 * e1(o, t, b)
    return {"loss": loss}


@body("weighttest")
def near_position_constant_test_in_loop(o, t):
    loss = 0
    for b, _ in enumerate(t):
        k = 1.0
        if k == 1.0:
            loss = loss + e1(o, t, b)
        else:
            loss = loss + 3.0 * e1(o, t, b)
    return {"loss": loss}


@body("weighttest")
def near_own_labels_test_in_loop(o, t):
    loss = 0
    for b, s in enumerate(t):
        if len(s["labels"]) > 0:
            loss = loss + e1(o, t, b)
    return {"loss": loss}


@body("weighttest")
def near_weight_scaling_in_loop(o, t):
    return {"loss": sum(s["loss_weight"] * e1(o, t, b) for b, s in enumerate(t))}


# === 14. session 33 (wgt): the batch's largest box count as a divisor, and its near misses ======


@body("bounded", "d")
def max_boxes_local_divisor(o, t, idx, nb):
    m = max(len(s["labels"]) for s in t)
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / m}


@body("bounded", "d")
def min_boxes_divisor(o, t, idx, nb):
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / float(min(len(s["boxes"]) for s in t))}


@body("bounded", "d")
def min_boxes_local_divisor(o, t, idx, nb):
    m = min(len(s["boxes"]) for s in t)
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / m}


@body("bounded", "d")
def near_max_boxes_then_len_divisor(o, t, idx, nb):
    _ = max(len(s["labels"]) for s in t)
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / len(t)}


@body("bounded", "d")
def near_max_boxes_then_literal_divisor(o, t, idx, nb):
    _ = max(len(s["labels"]) for s in t)
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / 3.0}


@body("bounded", "d")
def near_sum_boxes_float_divisor(o, t, idx, nb):
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / float(sum(len(s["labels"]) for s in t))}


@body("bounded", "d")
def near_max_boxes_tested_only(o, t, idx, nb):
    src, tgt = MATCHED(o, t, idx)
    loss = (src - tgt).abs().sum() / float(sum(len(s["labels"]) for s in t))
    return {"loss": loss if max(len(s["labels"]) for s in t) < 10 else 2 * loss}


@body("bounded", "d")
def min_boxes_tensor_item(o, t, idx, nb):
    n = torch.as_tensor([float(min(len(s["boxes"]) for s in t))])
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / n.item()}


# === 15. session 33 (wgt): a count held in a local record's field, and its near misses ===========


@body("record")
def namespace_count_threshold(o, t):
    cfg = SimpleNamespace(thr=0.1 * len(t))
    e = E(o, t)
    return {"loss": (e * (e > cfg.thr)).sum()}


@body("record")
def dataclass_positional_count_pow(o, t):
    nm = Norm(0.5 * len(t))
    return {"loss": (E(o, t) ** nm.n).sum()}


@body("record")
def namespace_cap_set_later_clamp(o, t):
    cfg = SimpleNamespace()
    cfg.cap = 0.15 * len(t)
    return {"loss": E(o, t).clamp(max=cfg.cap).sum()}


@body("record")
def near_namespace_constant_clamp(o, t):
    cfg = SimpleNamespace(cap=0.45)
    return {"loss": E(o, t).clamp(max=cfg.cap).sum()}


@body("record")
def near_dataclass_count_elsewhere_constant_cap(o, t):
    nm = Norm(float(len(t)), cap=0.45)
    return {"loss": E(o, t).clamp(max=nm.cap).sum()}


@body("record")
def near_namespace_own_field_clamp(o, t):
    loss = 0
    for b, s in enumerate(t):
        cfg = SimpleNamespace(cap=0.1 * s["n"])
        loss = loss + e1(o, t, b).clamp(max=cfg.cap)
    return {"loss": loss}


# === 16. session 33 (wgt): one number per image repeated from the count, and its near misses =====


@body("repeat")
def repeat_count_divides(o, t):
    f = torch.tensor(list(itertools.repeat(float(len(t)), len(t))))
    return {"loss": (E(o, t) / f).sum()}


@body("repeat")
def np_full_of_count_float64(o, t):
    f = torch.from_numpy(np.full(len(t), 1.0 / len(t)))
    return {"loss": (E(o, t) * f.float()).sum()}


@body("repeat")
def near_repeat_constant_dot(o, t):
    f = torch.tensor(list(itertools.repeat(0.3, len(t))))
    return {"loss": (E(o, t) * f).sum()}


@body("repeat")
def near_np_full_constant(o, t):
    f = torch.from_numpy(np.full(len(t), 0.3, dtype=np.float32))
    return {"loss": (E(o, t) * f).sum()}


@body("repeat")
def near_repeat_one_dot(o, t):
    f = torch.tensor(list(itertools.repeat(1.0, len(t))))
    return {"loss": (E(o, t) * f).sum()}


# === 17. session 33 (wgt): a division run by C code by a count, and its near misses ==============


@body("cdiv")
def map_truediv_by_float_count(o, t):
    per = [e1(o, t, b) for b in range(len(t))]
    return {"loss": sum(map(operator.truediv, per, [float(len(t))] * len(t)))}


@body("cdiv")
def near_map_truediv_by_constant(o, t):
    per = [e1(o, t, b) for b in range(len(t))]
    return {"loss": sum(map(operator.truediv, per, [7.0] * len(t)))}


@body("cdiv")
def near_map_mul_by_constant(o, t):
    per = [e1(o, t, b) for b in range(len(t))]
    return {"loss": sum(map(operator.mul, per, [0.7] * len(t)))}


@body("bounded", "d")
def near_floored_box_total_local_divisor(o, t, idx, nb):
    n = max(sum(len(s["labels"]) for s in t), 1)  # a floor of the total, no largest box count
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs().sum() / n}
