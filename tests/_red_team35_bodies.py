# ruff: noqa: B006, B007, B008, B023, B905, E731 -- what this red team tries: lambdas, closures, zips, defaults
"""Red team of session 35 (helper rt35): adversarial bodies against the rules session 34 added:
r2ln's ``argumentless_call`` (a divisor a function reading no argument computes is a constant: the
list it counts refilled through an alias or by another module's object, a global number set to a
multiple of the count), r3fc's ``_listed_value`` (``len`` of a local a count function computes from
its parameter: ``t.copy()``, ``[*t]``, ``map``, ``zip``, ``reversed``, a set or dict comprehension),
r2cs's ``_spelled_lengths`` (the count spelled otherwise: a loop counter, the last ``enumerate``
position plus one, ``sum`` of a generator, ``x.size()[0]``, ``numel`` arithmetic), dflt's
``_held_count`` (a count held in a dict, a namespace, a dataclass, a ``functools.partial``, a
module's state dict), recip's ``factor_unread`` (numpy and tensor weights of ``1 / n`` zipped),
r2dv's ``counted_argument`` (a count-sized k of ``topk`` / ``narrow`` and of ops beside them:
``split``, ``chunk``, ``F.pad``, a slice) and r2wr's ``counted_write`` (``scatter_``, ``index_add_``,
out-of-place ``scatter`` / ``index_fill``, a mask of the count). Near misses (``near_*``) must split
exactly; every other body must split exactly or decline naming the key.

``BODIES``: name -> (family, batch kind, body), measured by ``tests/_red_team28_measure.py``; the
tests are ``tests/test_red_team35.py``."""

from __future__ import annotations

import collections
import copy
import dataclasses
import functools
import itertools
import math
import operator
import types
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from _red_team26_bodies import CE, E
from _red_team27_bodies import registrar
from _red_team31_bodies import e1
from _red_team35_other import Scales, Settings, Tracker

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)


def _per(o, t):
    return [e1(o, t, b) for b in range(len(t))]


# === 1. r2ln: ``argumentless_call``, a divisor of a function of no argument ========================

ACTIVE = ["car", "person", "bike"]  # refilled through an alias by the body
TRACKED = ["car", "person", "bike"]  # refilled by another module's object
TRACKER = Tracker(TRACKED)
SETTINGS = Settings()
CLASSES = ("car", "person", "bike")
VIEWS = 2  # a number the body sets


def active_count(t):
    return len(ACTIVE)


def tracked_count(t):
    return len(TRACKED)


def views_count(t):
    return VIEWS


def settings_views(t):
    return Settings.views


def classes_count(t):
    return len(CLASSES)


@body("argless")
def sum_over_count_of_a_list_refilled_through_an_alias(o, t):
    names = ACTIVE
    names[:] = [str(int(s["n"])) for s in t]
    return {"loss": E(o, t).sum() / active_count(t)}


@body("argless")
def sum_over_count_of_a_list_cleared_and_extended_through_an_alias(o, t):
    names = ACTIVE
    names.clear()
    names.extend(str(int(s["n"])) for s in t)
    return {"loss": E(o, t).sum() / active_count(t)}


@body("argless")
def sum_over_count_of_a_list_another_modules_object_refills(o, t):
    TRACKER.update(t)
    return {"loss": E(o, t).sum() / tracked_count(t)}


@body("argless")
def sum_over_a_global_number_set_to_twice_the_count(o, t):
    global VIEWS
    VIEWS = 2 * len(t)
    return {"loss": E(o, t).sum() / views_count(t)}


@body("argless")
def sum_over_a_class_attribute_another_module_sets(o, t):
    SETTINGS.set_views(t)
    return {"loss": E(o, t).sum() / settings_views(t)}


SCALES = Scales()


def scales_views(t):
    return Scales.views


def scales_kinds(t):
    return Scales.kinds


def scales_pairs(t):
    return Scales.pairs


@body("near")
def near_sum_over_a_class_attribute_another_module_sets_to_a_constant(o, t):
    SCALES.set_views(t)
    return {"loss": E(o, t).sum() / scales_views(t)}


@body("near")
def near_sum_over_a_class_attribute_another_module_sets_from_the_classes(o, t):
    SCALES.set_kinds(t)
    return {"loss": E(o, t).sum() / scales_kinds(t)}


@body("near")
def near_sum_over_a_class_attribute_read_only(o, t):
    return {"loss": E(o, t).sum() / scales_kinds(t)}


@body("argless")
def sum_over_a_class_attribute_equal_to_a_count(o, t):
    return {"loss": E(o, t).sum() / scales_pairs(t)}


@body("argless")
def sum_over_count_function_minus_one_of_refilled_list(o, t):
    names = ACTIVE
    names[:] = [str(int(s["n"])) for s in t] + ["background"]
    return {"loss": E(o, t).sum() / (active_count(t) - 1)}


@body("near")
def near_sum_over_count_of_a_tuple_of_classes(o, t):
    return {"loss": E(o, t).sum() / classes_count(t)}


@body("near")
def near_sum_over_count_of_a_list_read_through_an_alias(o, t):
    names = ACTIVE  # read only (the list holds what another body left: refilled before each run below)
    assert len(names) > 0
    return {"loss": E(o, t).sum() / (classes_count(t) + 1)}


# === 2. r3fc: ``_listed_value``, ``len`` of a local a count function computes from its parameter ===


def cap_of_copy(t):
    items = t.copy()
    return 0.1 * len(items)


def cap_of_star(t):
    items = [*t]
    return 0.1 * len(items)


def cap_of_map(t):
    ys = list(map(lambda s: s["y"], t))
    return 0.1 * len(ys)


def cap_of_zip(t):
    pairs = list(zip(t, range(100)))
    return 0.1 * len(pairs)


def cap_of_reversed(t):
    items = list(reversed(t))
    return 0.1 * len(items)


def cap_of_dict_of_enumerate(t):
    by_index = dict(enumerate(t))
    return 0.1 * len(by_index)


def cap_of_copy_module(t):
    items = copy.copy(t)
    return 0.1 * len(items)


def cap_of_concatenation(t):
    items = t + []
    return 0.1 * len(items)


def cap_of_set_comprehension(t):
    ids = {id(s) for s in t}
    return 0.1 * len(ids)


def cap_of_dict_comprehension(t):
    by_index = {i: s for i, s in enumerate(t)}
    return 0.1 * len(by_index)


def cap_of_stacked_targets(t):
    ys = torch.stack([s["y"] for s in t])
    return 0.1 * len(ys)


def cap_of_copied_classes(t):
    names = list(CLASSES).copy()
    return 0.1 * len(names)


@body("listed")
def clamp_by_count_function_of_copy(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=cap_of_copy(t)).sum()}


@body("listed")
def clamp_by_count_function_of_star(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=cap_of_star(t)).sum()}


@body("listed")
def clamp_by_count_function_of_map(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=cap_of_map(t)).sum()}


@body("listed")
def clamp_by_count_function_of_zip(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=cap_of_zip(t)).sum()}


@body("listed")
def clamp_by_count_function_of_reversed(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=cap_of_reversed(t)).sum()}


@body("listed")
def clamp_by_count_function_of_dict_of_enumerate(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=cap_of_dict_of_enumerate(t)).sum()}


@body("listed")
def clamp_by_count_function_of_copy_module(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=cap_of_copy_module(t)).sum()}


@body("listed")
def clamp_by_count_function_of_concatenation(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=cap_of_concatenation(t)).sum()}


@body("listed")
def clamp_by_count_function_of_set_comprehension(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=cap_of_set_comprehension(t)).sum()}


@body("listed")
def clamp_by_count_function_of_dict_comprehension(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=cap_of_dict_comprehension(t)).sum()}


@body("listed")
def clamp_by_count_function_of_stacked_targets(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=cap_of_stacked_targets(t)).sum()}


@body("near")
def near_clamp_by_count_function_of_copied_classes(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=cap_of_copied_classes(t)).sum()}


class ClampByACountFunctionAttribute(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.cap_fn = cap_of_reversed

    def forward(self, o, t):
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap_fn(t)).sum()}


body("listed")(ClampByACountFunctionAttribute)


class NearClampByACountFunctionAttributeOfTheClasses(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.cap_fn = cap_of_copied_classes

    def forward(self, o, t):
        return {"loss": (E(o, t) * 3.0).clamp(max=self.cap_fn(t)).sum()}


body("near")(NearClampByACountFunctionAttributeOfTheClasses)


# === 3. r2cs: ``_spelled_lengths``, the count spelled other than ``len`` ===========================


@body("spelled")
def clamp_by_a_loop_counter(o, t):
    n = 0
    for _ in t:
        n += 1
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * n).sum()}


@body("spelled")
def clamp_by_the_last_enumerate_position(o, t):
    i = -1
    for i, _ in enumerate(t):
        pass
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * (i + 1)).sum()}


@body("spelled")
def clamp_by_sum_of_a_generator(o, t):
    n = sum(1 for _ in t)
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * n).sum()}


@body("spelled")
def clamp_by_sum_of_map_of_ones(o, t):
    n = sum(map(lambda _: 1, t))
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * n).sum()}


@body("spelled")
def clamp_by_size_call_indexed(o, t):
    n = o["x"].size()[0]
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * n).sum()}


@body("spelled")
def clamp_by_a_negative_shape_dim(o, t):
    n = o["x"].shape[-3]
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * n).sum()}


@body("spelled")
def clamp_by_numel_over_an_image(o, t):
    n = o["x"].numel() // 12
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * n).sum()}


@body("spelled")
def clamp_by_len_of_unbind(o, t):
    n = len(o["x"].unbind())
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * n).sum()}


@body("spelled")
def clamp_by_a_listed_shape(o, t):
    n = list(o["x"].shape)[0]
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * n).sum()}


@body("spelled")
def clamp_by_numel_of_the_per_image_loss(o, t):
    e = E(o, t)
    return {"loss": (e * 3.0).clamp(max=0.1 * e.numel()).sum()}


@body("spelled")
def clamp_by_a_bound_dunder_len(o, t):
    count = t.__len__
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * count()).sum()}


@body("spelled")
def clamp_by_math_prod_of_a_shape_slice(o, t):
    n = math.prod(o["x"].shape[:1])
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * n).sum()}


@body("spelled")
def clamp_by_sqrt_of_count(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=0.3 * math.sqrt(len(t))).sum()}


@body("spelled")
def clamp_by_numpy_sqrt_of_count(o, t):
    cap = 0.3 * np.sqrt(len(t))
    return {"loss": (E(o, t) * 3.0).clamp(max=cap).sum()}


@body("spelled")
def sum_over_sqrt_of_count(o, t):
    return {"loss": E(o, t).sum() / math.sqrt(len(t))}


@body("spelled")
def sum_over_a_tensor_of_the_count(o, t):
    return {"loss": E(o, t).sum() / torch.tensor(len(t), dtype=torch.float32)}


@body("near")
def near_clamp_by_a_loop_counter_of_one_images_labels(o, t):
    e = E(o, t) * 3.0
    out = []
    for b, s in enumerate(t):
        k = 0
        for _ in s["labels"]:
            k += 1
        out.append(e[b].clamp(max=0.1 * k))
    return {"loss": torch.stack(out).sum()}


@body("near")
def near_clamp_by_a_size_call_of_a_row_dim(o, t):
    n = o["x"].size()[1]
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * n).sum()}


# === 4. dflt: ``_held_count``, a count held in a container ==========================================


@dataclasses.dataclass
class Stats:
    n: int
    cap: float = 0.3


Counted = collections.namedtuple("Counted", ["n", "cap"])


@body("held")
def clamp_by_a_dict_of_the_count(o, t):
    stats = {"n": len(t)}
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * stats["n"]).sum()}


@body("held")
def clamp_by_a_namespace_of_the_count(o, t):
    cfg = types.SimpleNamespace(n=len(t))
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * cfg.n).sum()}


@body("held")
def clamp_by_a_dataclass_of_the_count(o, t):
    st = Stats(n=len(t))
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * st.n).sum()}


@body("held")
def clamp_by_a_namedtuple_of_the_count(o, t):
    st = Counted(len(t), 0.1 * len(t))
    return {"loss": (E(o, t) * 3.0).clamp(max=st.cap).sum()}


@body("held")
def clamp_by_a_partial_of_the_count(o, t):
    clip = functools.partial(torch.clamp, max=0.1 * len(t))
    return {"loss": clip(E(o, t) * 3.0).sum()}


@body("held")
def clamp_by_a_local_list_item(o, t):
    holder = [0.0]
    holder[0] = 0.1 * len(t)
    return {"loss": (E(o, t) * 3.0).clamp(max=holder[0]).sum()}


@body("held")
def clamp_by_a_helper_reading_a_dict_of_the_count(o, t):
    def clip(e, stats):
        return e.clamp(max=0.1 * stats["n"])
    return {"loss": clip(E(o, t) * 3.0, {"n": len(t)}).sum()}


class CapInAStateDict(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.state = {}

    def forward(self, o, t):
        self.state["cap"] = 0.1 * len(t)
        return {"loss": (E(o, t) * 3.0).clamp(max=self.state["cap"]).sum()}


class CapInAStatsObject(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.stats = Stats(n=0)

    def forward(self, o, t):
        self.stats.n = len(t)
        return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * self.stats.n).sum()}


body("held")(CapInAStateDict)
body("held")(CapInAStatsObject)


@body("near")
def near_clamp_by_a_dataclass_default(o, t):
    st = Stats(n=len(t))
    return {"loss": (E(o, t) * 3.0).clamp(max=st.cap).sum()}


@body("near")
def near_clamp_by_a_dict_of_a_literal_beside_the_count(o, t):
    stats = {"n": len(t), "cap": 0.3}
    return {"loss": (E(o, t) * 3.0).clamp(max=stats["cap"]).sum()}


class NearCapInAStateDictOfAConstant(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.state = {}

    def forward(self, o, t):
        self.state["cap"] = 0.3
        return {"loss": (E(o, t) * 3.0).clamp(max=self.state["cap"]).sum()}


class NearCapInAStateDictOfTheClasses(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.state = {}
        self.classes = ["car", "person", "bike"]

    def forward(self, o, t):
        self.state["cap"] = 0.1 * len(self.classes)
        return {"loss": (E(o, t) * 3.0).clamp(max=self.state["cap"]).sum()}


class NearCapInAStatsObjectBesideTheCount(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.stats = Stats(n=0)

    def forward(self, o, t):
        self.stats.n = len(t)
        return {"loss": (E(o, t) * 3.0).clamp(max=self.stats.cap).sum()}


body("near")(NearCapInAStateDictOfAConstant)
body("near")(NearCapInAStateDictOfTheClasses)
body("near")(NearCapInAStatsObjectBesideTheCount)


@body("near")
def near_clamp_by_a_local_list_item_of_the_classes(o, t):
    holder = [0.0]
    holder[0] = 0.1 * len(CLASSES)
    return {"loss": (E(o, t) * 3.0).clamp(max=holder[0]).sum()}


@body("near")
def near_clamp_by_a_helper_reading_a_literal_beside_the_count(o, t):
    def clip(e, stats):
        return e.clamp(max=stats["cap"])
    return {"loss": clip(E(o, t) * 3.0, {"n": len(t), "cap": 0.3}).sum()}


# === 5. recip: ``factor_unread``, a weight of ``1 / n`` no code shows ===============================


@body("unread")
def zip_numpy_reciprocal_weights(o, t):
    n = len(t)
    return {"loss": sum(w * e for w, e in zip(np.ones(n) / n, _per(o, t)))}


@body("unread")
def zip_numpy_full_reciprocal(o, t):
    return {"loss": sum(e * w for e, w in zip(_per(o, t), np.full(len(t), 1.0 / len(t))))}


@body("unread")
def zip_list_comprehension_reciprocal(o, t):
    n = len(t)
    return {"loss": sum(w * e for w, e in zip([1.0 / n for _ in t], _per(o, t)))}


@body("unread")
def zip_cycle_reciprocal(o, t):
    return {"loss": sum(w * e for w, e in zip(itertools.cycle([1.0 / len(t)]), _per(o, t)))}


@body("unread")
def map_truediv_repeated_count(o, t):
    return {"loss": sum(map(operator.truediv, _per(o, t), itertools.repeat(float(len(t)))))}


@body("unread")
def zip_tensor_reciprocal_weights(o, t):
    n = len(t)
    return {"loss": sum(w * e for w, e in zip(torch.full((n,), 1.0 / n), _per(o, t)))}


@body("unread")
def dict_fromkeys_reciprocal(o, t):
    w = dict.fromkeys(range(len(t)), 1.0 / len(t))
    return {"loss": sum(w[b] * e1(o, t, b) for b in range(len(t)))}


@body("unread")
def accumulate_reciprocal_in_a_loop_over_numpy(o, t):
    loss = 0.0
    for w, e in zip(np.linspace(1.0 / len(t), 1.0 / len(t), len(t)), _per(o, t)):
        loss = loss + e * float(w)
    return {"loss": loss}


@body("near")
def near_zip_numpy_constant_weights(o, t):
    return {"loss": sum(w * e for w, e in zip(np.full(len(t), 0.3), _per(o, t)))}


# === 6. r2dv: ``counted_argument``, an int argument computed from the count ==========================


@body("karg")
def topk_rows_by_the_count(o, t):
    return {"loss": CE(o, t).topk(min(len(t), 3), -1).values.sum()}


@body("karg")
def topk_rows_by_a_keyword_count(o, t):
    return {"loss": CE(o, t).topk(k=min(len(t), 3), dim=1).values.sum()}


@body("karg")
def topk_rows_by_a_ratio_of_the_count(o, t):
    k = min(3, math.ceil(0.7 * len(t)))
    return {"loss": torch.topk(CE(o, t), k, dim=1).values.sum()}


@body("karg")
def kthvalue_rows_by_half_the_count(o, t):
    return {"loss": CE(o, t).kthvalue(min(len(t), 3), 1).values.sum()}


@body("karg")
def narrow_rows_by_the_count(o, t):
    return {"loss": CE(o, t).narrow(1, 0, min(len(t), 3)).sum()}


@body("karg")
def slice_rows_by_the_count(o, t):
    return {"loss": CE(o, t)[:, :min(len(t), 3)].sum()}


@body("karg")
def split_rows_by_the_count(o, t):
    return {"loss": CE(o, t).split(min(len(t), 2), 1)[0].sum()}


@body("karg")
def chunk_rows_by_the_count(o, t):
    return {"loss": CE(o, t).chunk(min(len(t), 3), 1)[0].sum()}


@body("karg")
def pad_rows_by_the_count(o, t):
    return {"loss": F.pad(CE(o, t), (0, len(t))).mean(1).sum()}


@body("karg")
def sorted_rows_sliced_by_the_count(o, t):
    return {"loss": CE(o, t).sort(1, descending=True).values[:, :min(len(t), 3)].sum()}


@body("karg")
def index_select_rows_by_an_arange_of_the_count(o, t):
    return {"loss": CE(o, t).index_select(1, torch.arange(min(len(t), 3))).sum()}


@body("karg")
def roll_rows_by_the_count(o, t):
    return {"loss": (CE(o, t).roll(len(t), 1) * torch.tensor([1.0, 2.0, 3.0])).sum()}


@body("karg")
def topk_through_a_helper_parameter(o, t):
    def hardest(v, k):
        return v.topk(k, 1).values
    return {"loss": hardest(CE(o, t), min(len(t), 3)).sum()}


@body("near")
def near_topk_rows_by_a_literal(o, t):
    return {"loss": CE(o, t).topk(2, -1).values.sum()}


@body("near")
def near_topk_rows_by_a_row_count(o, t):
    ce = CE(o, t)
    return {"loss": ce.topk(ce.shape[1] - 1, -1).values.sum()}


@body("karg")
def torch_split_rows_by_the_count(o, t):
    return {"loss": torch.split(CE(o, t), min(len(t), 2), dim=1)[0].sum()}


@body("near")
def near_split_rows_by_a_literal(o, t):
    return {"loss": CE(o, t).split(2, 1)[0].sum()}


@body("near")
def near_chunk_rows_by_the_row_count(o, t):
    ce = CE(o, t)
    return {"loss": ce.chunk(ce.shape[1], 1)[0].sum()}


@body("near")
def near_pad_rows_by_a_literal(o, t):
    return {"loss": F.pad(CE(o, t), (0, 2)).mean(1).sum()}


@body("near")
def near_roll_rows_by_a_literal(o, t):
    return {"loss": (CE(o, t).roll(1, 1) * torch.tensor([1.0, 2.0, 3.0])).sum()}


# === 7. r2wr: ``counted_write``, writes at positions of the count ===================================


def _w():
    return torch.ones(3)


@body("write")
def scatter_in_place_at_the_count(o, t):
    w = _w()
    w.scatter_(0, torch.tensor([min(len(t), 3) - 1]), 3.0)
    return {"loss": (CE(o, t) * w).sum()}


@body("write")
def index_add_in_place_at_the_count(o, t):
    w = _w()
    w.index_add_(0, torch.tensor([min(len(t), 3) - 1]), torch.tensor([2.0]))
    return {"loss": (CE(o, t) * w).sum()}


@body("write")
def scatter_out_of_place_at_the_count(o, t):
    w = _w().scatter(0, torch.tensor([min(len(t), 3) - 1]), 3.0)
    return {"loss": (CE(o, t) * w).sum()}


@body("write")
def index_fill_out_of_place_at_the_count(o, t):
    w = _w().index_fill(0, torch.tensor([min(len(t), 3) - 1]), 3.0)
    return {"loss": (CE(o, t) * w).sum()}


@body("write")
def mask_of_an_arange_below_the_count(o, t):
    w = torch.where(torch.arange(3) < len(t), 3.0, 1.0)
    return {"loss": (CE(o, t) * w).sum()}


@body("write")
def one_hot_of_the_count(o, t):
    w = F.one_hot(torch.tensor(min(len(t), 3) - 1), 3) + 1.0
    return {"loss": (CE(o, t) * w).sum()}


@body("write")
def narrow_view_filled_at_the_count(o, t):
    w = _w()
    w.narrow(0, min(len(t), 3) - 1, 1).fill_(3.0)
    return {"loss": (CE(o, t) * w).sum()}


@body("write")
def put_in_place_at_the_count(o, t):
    w = _w()
    w.put_(torch.tensor([min(len(t), 3) - 1]), torch.tensor([3.0]))
    return {"loss": (CE(o, t) * w).sum()}


@body("write")
def setitem_at_a_slice_of_the_count(o, t):
    w = _w()
    w[:len(t)] = 3.0
    return {"loss": (CE(o, t) * w).sum()}


@body("write")
def table_row_read_at_the_count(o, t):
    scales = torch.tensor([1.0, 0.7, 0.5, 0.4, 0.3, 0.25])
    return {"loss": E(o, t).sum() * scales[len(t) - 1]}


@body("near")
def near_scatter_in_place_at_a_literal(o, t):
    w = _w()
    w.scatter_(0, torch.tensor([2]), 3.0)
    return {"loss": (CE(o, t) * w).sum()}


@body("near")
def near_scatter_out_of_place_at_a_literal(o, t):
    w = _w().scatter(0, torch.tensor([2]), 3.0)
    return {"loss": (CE(o, t) * w).sum()}


@body("near")
def near_index_fill_out_of_place_at_a_literal(o, t):
    w = _w().index_fill(0, torch.tensor([1]), 3.0)
    return {"loss": (CE(o, t) * w).sum()}


@body("near")
def near_index_add_in_place_at_a_row_count(o, t):
    ce = CE(o, t)
    w = _w()
    w.index_add_(0, torch.tensor([ce.shape[1] - 1]), torch.tensor([2.0]))
    return {"loss": (ce * w).sum()}


@body("near")
def near_scatter_per_image_labels_in_a_loop(o, t):
    ce = CE(o, t)
    total = 0
    for b, s in enumerate(t):
        w = torch.ones(5).scatter_(0, s["labels"], 2.0)
        total = total + (ce[b] * w[:3]).sum()
    return {"loss": total}


@body("near")
def near_one_hot_of_a_literal(o, t):
    w = F.one_hot(torch.tensor(2), 3) + 1.0
    return {"loss": (CE(o, t) * w).sum()}


@body("near")
def near_one_hot_of_the_row_count(o, t):
    ce = CE(o, t)
    w = F.one_hot(torch.tensor(ce.shape[1] - 1), 3) + 1.0
    return {"loss": (ce * w).sum()}


@body("near")
def near_put_in_place_at_a_literal(o, t):
    w = _w()
    w.put_(torch.tensor([1]), torch.tensor([3.0]))
    return {"loss": (CE(o, t) * w).sum()}


@body("near")
def near_put_in_place_at_the_row_count(o, t):
    ce = CE(o, t)
    w = _w()
    w.put_(torch.tensor([ce.shape[1] - 1]), torch.tensor([3.0]))
    return {"loss": (ce * w).sum()}


# --- near misses of sections 1 and 2 ---------------------------------------------------------------

LABELS = ["car", "person", "bike"]  # a list only the module holds: its length is a constant


def labels_count(t):
    return len(LABELS)


def cap_of_zipped_classes(t):
    pairs = list(zip(CLASSES, range(100)))
    return 0.1 * len(pairs)


def cap_of_index_of_classes(t):
    by_name = {c: i for i, c in enumerate(LABELS)}
    return 0.1 * len(by_name)


@body("near")
def near_sum_over_count_of_a_list_only_the_module_holds(o, t):
    return {"loss": E(o, t).sum() / labels_count(t)}


@body("near")
def near_clamp_by_count_function_of_zipped_classes(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=cap_of_zipped_classes(t)).sum()}


@body("near")
def near_clamp_by_count_function_of_an_index_of_classes(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=cap_of_index_of_classes(t)).sum()}


# === 8. r2yo: ``Frame.position_columns``, a table's image column read otherwise ======================
# (measured on ``tests/test_position_fills.py``'s batches by ``tests/test_red_team35.py``)

def _image_table(targets):
    return torch.cat([torch.cat([torch.full((len(t), 1), float(i)), t], 1) for i, t in enumerate(targets)])


def _cells(p, table, b):
    return p[b, (table[:, 3] * 8).long(), (table[:, 2] * 8).long()]


def _error(p, table):
    return (_cells(p, table, table[:, 0].long())[:, 1] - table[:, 2]).abs()


POSITION_BODIES: dict[str, Any] = {}


def position_body(f):
    POSITION_BODIES[f.__name__] = f
    return f


@position_body
def scaled_by_the_image_column_transposed(p, targets):
    table = _image_table(targets)
    return {"loss": (_error(p, table) * (1 + table.T[0])).sum()}


@position_body
def scaled_by_the_image_column_unbound(p, targets):
    table = _image_table(targets)
    return {"loss": (_error(p, table) * (1 + table.unbind(1)[0])).sum()}


@position_body
def scaled_by_the_image_column_split_off(p, targets):
    table = _image_table(targets)
    image, _ = table.split([1, 5], 1)
    return {"loss": (_error(p, table) * (1 + image.squeeze(1))).sum()}


@position_body
def scaled_by_the_image_column_picked_by_a_list(p, targets):
    table = _image_table(targets)
    return {"loss": (_error(p, table) * (1 + table[:, [0]].squeeze(1))).sum()}


@position_body
def scaled_by_the_image_column_index_selected(p, targets):
    table = _image_table(targets)
    return {"loss": (_error(p, table) * (1 + table.index_select(1, torch.tensor([0])).squeeze(1))).sum()}


@position_body
def scaled_by_the_image_column_selected(p, targets):
    table = _image_table(targets)
    return {"loss": (_error(p, table) * (1 + table.select(1, 0))).sum()}


@position_body
def scaled_by_the_image_column_cast(p, targets):
    table = _image_table(targets)
    return {"loss": (_error(p, table) * (1 + table[:, 0].double()).float()).sum()}


@position_body
def scaled_by_the_image_column_of_a_clone(p, targets):
    table = _image_table(targets).clone()
    return {"loss": (_error(p, table) * (1 + table[:, 0])).sum()}


@position_body
def weighted_by_a_table_read_at_the_image_column(p, targets):
    table = _image_table(targets)
    decay = torch.tensor([1.0, 0.8, 0.6, 0.4, 0.2])
    return {"loss": (_error(p, table) * decay[table[:, 0].long()]).sum()}


@position_body
def scaled_by_the_image_column_of_a_stacked_table(p, targets):
    table = torch.cat([torch.stack([torch.full((len(t),), float(i)), *t.unbind(1)], 1) for i, t in enumerate(targets)])
    return {"loss": (_error(p, table) * (1 + table[:, 0])).sum()}


@position_body
def near_indexed_by_the_image_column_transposed(p, targets):
    table = _image_table(targets)
    return {"loss": (_cells(p, table, table.T[0].long())[:, 1] - table[:, 2]).abs().mean()}


@position_body
def near_indexed_by_the_image_column_unbound(p, targets):
    table = _image_table(targets)
    return {"loss": (_cells(p, table, table.unbind(1)[0].long())[:, 1] - table[:, 2]).abs().mean()}


@position_body
def near_scaled_by_the_targets_width(p, targets):
    table = _image_table(targets)
    return {"loss": (_error(p, table) * (1 + table.T[4])).sum()}
