# ruff: noqa: B008, B023 -- default arguments computed from the batch and closures over loop variables are what this red team tries
"""Red team of session 31 (helper cells): adversarial criterion bodies whose counts, weights,
positions, per-image loops and divisors are closed over -- read by comprehensions, lambdas, nested
functions, generator expressions, ``functools.reduce`` / ``functools.partial`` of closures, default
arguments and class bodies (cells: ``LOAD_DEREF``, ``LOAD_CLOSURE``, free variables of an enclosing
frame). Near misses (a constant, a row count or a field closed over) must split exactly.

``BODIES``: name -> (family, batch kind, body); measured by ``tests/_red_team28_measure.py``'s
batches (``tests/_red_team31_measure.py``); the tests are ``tests/test_red_team31.py``."""

from __future__ import annotations

import functools
import math
from typing import Any

import torch
import torch.nn.functional as F
from _red_team26_bodies import CE, E
from _red_team27_bodies import registrar

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)


def e1(o, t, b):
    """Image ``b``'s mean |x - y| (0-d)."""
    return (o["x"][b] - t[b]["y"]).abs().mean()


def s1(o, t, b):
    """Image ``b``'s summed |x - y| (0-d)."""
    return (o["x"][b] - t[b]["y"]).abs().sum()


# === 1. the number of images closed over ===========================================================


@body("count")
def clamp_by_count_in_comprehension(o, t):
    n = len(t)
    r = torch.stack([e1(o, t, b).clamp(max=n * 2.0) for b in range(len(t))])
    return {"loss": r.sum()}


@body("count")
def clamp_by_small_count_in_comprehension(o, t):
    n = len(t)
    r = torch.stack([s1(o, t, b).clamp(max=n * 0.5) for b in range(n)])
    return {"loss": r.sum()}


@body("count")
def clamp_min_by_count_in_comprehension(o, t):
    n = len(t)
    return {"loss": sum(e1(o, t, b).clamp(min=0.1 * n) for b in range(n))}


@body("count")
def divide_by_count_in_comprehension(o, t):
    n = len(t)
    return {"loss": torch.stack([e1(o, t, b) / n for b in range(n)]).sum()}


@body("count")
def divide_by_len_in_comprehension(o, t):
    return {"loss": torch.stack([e1(o, t, b) / len(t) for b in range(len(t))]).sum()}


@body("count")
def power_by_count_in_comprehension(o, t):
    n = len(t)
    return {"loss": torch.stack([e1(o, t, b) ** (n * 0.5) for b in range(n)]).sum()}


@body("count")
def power_by_len_in_comprehension(o, t):
    return {"loss": torch.stack([e1(o, t, b) ** (0.5 * len(t)) for b in range(len(t))]).sum()}


@body("count")
def count_times_in_comprehension(o, t):
    n = len(t)
    return {"loss": torch.stack([e1(o, t, b) * n for b in range(n)]).sum()}


@body("count")
def offset_by_count_in_comprehension(o, t):
    n = len(t)
    return {"loss": torch.stack([e1(o, t, b) + n for b in range(n)]).mean()}


@body("count")
def count_in_generator_sum(o, t):
    n = len(t)
    return {"loss": sum(e1(o, t, b) / n for b in range(n))}


@body("count")
def count_clamp_in_generator_sum(o, t):
    n = len(t)
    return {"loss": sum(s1(o, t, b).clamp(max=n * 0.75) for b in range(n))}


@body("count")
def count_in_lambda_mean(o, t):
    avg = lambda x: x.sum() / len(t)  # noqa: E731
    return {"loss": avg(E(o, t))}


@body("count")
def local_count_in_lambda_mean(o, t):
    n = len(t)
    avg = lambda x: x.sum() / n  # noqa: E731
    return {"loss": avg(E(o, t))}


@body("count")
def local_count_in_lambda_power(o, t):
    n = len(t)
    pw = lambda x: x ** (0.5 * n)  # noqa: E731
    return {"loss": pw(E(o, t)).sum()}


@body("count")
def local_count_in_lambda_clamp(o, t):
    n = len(t)
    cl = lambda x: x.clamp(max=0.2 * n)  # noqa: E731
    return {"loss": cl(E(o, t) * 3.0).sum()}


@body("count")
def count_in_nested_def_mean(o, t):
    n = len(t)

    def avg(x):
        return x.sum() / n
    return {"loss": avg(E(o, t))}


@body("count")
def count_in_nested_def_clamp(o, t):
    n = len(t)

    def capped(x):
        return x.clamp(max=0.15 * n)
    return {"loss": capped(E(o, t)).sum()}


@body("count")
def count_in_nested_def_power(o, t):
    n = len(t)

    def sharpen(x):
        return x ** (n / 2)
    return {"loss": sharpen(E(o, t)).sum()}


@body("count")
def len_in_nested_def(o, t):
    def avg(x):
        return x.sum() / len(t)
    return {"loss": avg(E(o, t))}


@body("count")
def len_in_nested_def_clamp(o, t):
    def capped(x):
        return x.clamp(max=0.15 * len(t))
    return {"loss": capped(E(o, t)).sum()}


@body("count")
def count_default_arg_mean(o, t):
    def avg(x, n=len(t)):
        return x.sum() / n
    return {"loss": avg(E(o, t))}


@body("count")
def count_default_arg_clamp(o, t):
    def capped(x, n=len(t)):
        return x.clamp(max=0.15 * n)
    return {"loss": capped(E(o, t)).sum()}


@body("count")
def count_default_arg_power(o, t):
    def sharpen(x, n=len(t)):
        return x ** (0.5 * n)
    return {"loss": sharpen(E(o, t)).sum()}


@body("count")
def count_kwdefault_lambda_clamp(o, t):
    cl = lambda x, *, k=len(t): x.clamp(max=0.15 * k)  # noqa: E731
    return {"loss": cl(E(o, t)).sum()}


@body("count")
def count_in_partial_of_closure(o, t):
    n = len(t)

    def scaled(x, k):
        return x.sum() / (k * n)
    f = functools.partial(scaled, k=1.0)
    return {"loss": f(E(o, t))}


@body("count")
def count_as_partial_argument(o, t):
    f = functools.partial(lambda x, k: x.sum() / k, k=len(t))
    return {"loss": f(E(o, t))}


@body("count")
def count_as_partial_clamp(o, t):
    f = functools.partial(torch.clamp, max=0.15 * len(t))
    return {"loss": f(E(o, t)).sum()}


@body("count")
def count_reduce_lambda_over_closure(o, t):
    n = len(t)
    return {"loss": functools.reduce(lambda a, b: a + e1(o, t, b) / n, range(n), 0.0)}


@body("count")
def count_reduce_lambda_clamp(o, t):
    n = len(t)
    return {"loss": functools.reduce(lambda a, b: a + s1(o, t, b).clamp(max=0.5 * n), range(n), 0.0)}


@body("count")
def count_in_class_body(o, t):
    n = len(t)

    class Cfg:
        scale = 1.0 / n
    return {"loss": E(o, t).sum() * Cfg.scale}


@body("count")
def count_in_class_body_clamp(o, t):
    n = len(t)

    class Cfg:
        cap = 0.15 * n
    return {"loss": E(o, t).clamp(max=Cfg.cap).sum()}


@body("count")
def count_in_nested_nested(o, t):
    n = len(t)

    def outer(x):
        def inner(y):
            return y.clamp(max=0.15 * n)
        return inner(x).sum()
    return {"loss": outer(E(o, t))}


@body("count")
def count_in_nested_comprehension(o, t):
    n = len(t)
    rows = [[(o["x"][b, r] - t[b]["y"][r]).abs().mean().clamp(max=0.1 * n) for r in range(3)] for b in range(n)]
    return {"loss": sum(sum(rr) for rr in rows)}


@body("count")
def count_in_dict_comprehension(o, t):
    n = len(t)
    per = {b: e1(o, t, b).clamp(max=n * 0.2) for b in range(n)}
    return {"loss": sum(per.values())}


@body("count")
def count_in_set_of_powers(o, t):
    n = len(t)
    return {"loss": torch.stack([e1(o, t, b) ** n for b in range(n)]).sum()}


@body("count")
def count_in_where_of_comprehension(o, t):
    n = len(t)
    return {"loss": torch.stack([torch.where(e1(o, t, b) > 0.1 * n, e1(o, t, b), 0.0 * e1(o, t, b))
                                 for b in range(n)]).sum()}


@body("count")
def count_in_map_lambda(o, t):
    n = len(t)
    return {"loss": sum(map(lambda b: e1(o, t, b).clamp(max=0.2 * n), range(n)))}


@body("count")
def count_enumerate_generator_divisor(o, t):
    n = len(t)
    return {"loss": sum(e / n for _, e in enumerate(E(o, t)))}


@body("count")
def count_cell_max_floor(o, t):
    n = len(t)
    return {"loss": torch.stack([e1(o, t, b) / max(n, 3) for b in range(n)]).sum()}


@body("count")
def count_cell_float(o, t):
    n = float(len(t))
    return {"loss": torch.stack([e1(o, t, b) / n for b in range(len(t))]).sum()}


@body("count")
def count_cell_sqrt(o, t):
    n = len(t)
    return {"loss": torch.stack([e1(o, t, b) / math.sqrt(n) for b in range(n)]).sum()}


@body("count")
def count_outside_over_cell(o, t):
    n = len(t)
    r = torch.stack([e1(o, t, b) for b in range(n)])
    return {"loss": r.sum() / n}


@body("count")
def count_outside_clamp_over_cell(o, t):
    n = len(t)
    r = torch.stack([e1(o, t, b) for b in range(n)])
    return {"loss": r.clamp(max=0.15 * n).sum()}


@body("count")
def count_outside_power_over_cell(o, t):
    n = len(t)
    r = torch.stack([e1(o, t, b) for b in range(n)])
    return {"loss": (r ** (0.5 * n)).sum()}


@body("count")
def count_outside_exp_over_cell(o, t):
    n = len(t)
    r = torch.stack([e1(o, t, b) for b in range(n)])
    return {"loss": (r * math.exp(-n)).sum()}


# === 2. the images' weights closed over ===========================================================


@body("weight")
def weights_in_comprehension(o, t):
    w = [s["loss_weight"] for s in t]
    return {"loss": torch.stack([e1(o, t, b) * w[b] for b in range(len(t))]).sum()}


@body("weight")
def weights_tensor_in_comprehension(o, t):
    w = torch.tensor([s["loss_weight"] for s in t])
    return {"loss": torch.stack([e1(o, t, b) * w[b] for b in range(len(t))]).mean()}


@body("weight")
def weights_in_lambda(o, t):
    w = torch.tensor([s["loss_weight"] for s in t])
    f = lambda e: (e * w).sum()  # noqa: E731
    return {"loss": f(E(o, t))}


@body("weight")
def weights_in_nested_def_weighted_mean(o, t):
    w = torch.tensor([s["loss_weight"] for s in t])

    def wmean(e):
        return (e * w).sum() / w.sum()
    return {"loss": wmean(E(o, t))}


@body("weight")
def weights_default_arg(o, t):
    def weighted(e, w=torch.tensor([s["loss_weight"] for s in t])):
        return (e * w).sum()
    return {"loss": weighted(E(o, t))}


@body("weight")
def weights_as_exponent_in_comprehension(o, t):
    w = [s["loss_weight"] for s in t]
    return {"loss": torch.stack([e1(o, t, b) ** w[b] for b in range(len(t))]).sum()}


@body("weight")
def weights_offset_in_comprehension(o, t):
    w = [s["loss_weight"] for s in t]
    return {"loss": torch.stack([e1(o, t, b) + w[b] for b in range(len(t))]).sum()}


@body("weight")
def weights_first_in_comprehension(o, t):
    w0 = t[0]["loss_weight"]
    return {"loss": torch.stack([e1(o, t, b) * w0 for b in range(len(t))]).sum()}


@body("weight")
def weights_first_in_lambda_mean(o, t):
    w0 = t[0]["loss_weight"]
    f = lambda e: e.mean() * w0  # noqa: E731
    return {"loss": f(E(o, t))}


@body("weight")
def weights_sum_in_lambda_normaliser(o, t):
    wsum = sum(s["loss_weight"] for s in t)
    f = lambda e: e.sum() / wsum  # noqa: E731
    return {"loss": f(E(o, t))}


@body("weight")
def weights_max_in_comprehension(o, t):
    wmax = max(s["loss_weight"] for s in t)
    return {"loss": torch.stack([e1(o, t, b) / wmax for b in range(len(t))]).sum()}


@body("weight")
def weights_in_reduce(o, t):
    return {"loss": functools.reduce(lambda a, b: a + e1(o, t, b) * t[b]["loss_weight"], range(len(t)), 0.0)}


@body("weight")
def weights_in_generator(o, t):
    return {"loss": sum(e1(o, t, b) * s["loss_weight"] for b, s in enumerate(t))}


@body("weight")
def weights_read_in_nested_per_image(o, t):
    def per(b):
        return e1(o, t, b) * t[b]["loss_weight"]
    return {"loss": torch.stack([per(b) for b in range(len(t))]).sum()}


@body("weight")
def weights_in_class_body(o, t):
    class Cfg:
        w = torch.tensor([s["loss_weight"] for s in t])
    return {"loss": (E(o, t) * Cfg.w).sum()}


@body("weight")
def weights_first_default_arg(o, t):
    def scale(x, w=t[0]["loss_weight"]):
        return x * w
    return {"loss": scale(E(o, t).mean())}


@body("weight")
def weights_clamp_bound_in_comprehension(o, t):
    w = [s["loss_weight"] for s in t]
    return {"loss": torch.stack([s1(o, t, b).clamp(max=2.0 * w[b]) for b in range(len(t))]).sum()}


@body("weight")
def weights_partial_multiplier(o, t):
    w = torch.tensor([s["loss_weight"] for s in t])
    f = functools.partial(torch.mul, other=w)
    return {"loss": f(E(o, t)).sum()}


# === 3. positions closed over ======================================================================


@body("position")
def position_factor_in_comprehension(o, t):
    return {"loss": torch.stack([e1(o, t, b) * (b + 1) for b in range(len(t))]).sum()}


@body("position")
def position_from_count_in_comprehension(o, t):
    n = len(t)
    return {"loss": torch.stack([e1(o, t, b) * (n - b) for b in range(n)]).sum()}


@body("position")
def position_in_lambda(o, t):
    f = lambda b: e1(o, t, b) / (b + 1)  # noqa: E731
    return {"loss": sum(f(b) for b in range(len(t)))}


@body("position")
def position_decay_in_nested(o, t):
    gamma = 0.9

    def per(b):
        return e1(o, t, b) * gamma ** b
    return {"loss": sum(per(b) for b in range(len(t)))}


@body("position")
def position_last_image_in_closure(o, t):
    last = len(t) - 1
    return {"loss": torch.stack([e1(o, t, b) * (2.0 if b == last else 1.0) for b in range(len(t))]).sum()}


@body("position")
def position_first_image_in_lambda(o, t):
    f = lambda b: e1(o, t, b) * (0.5 if b == 0 else 1.0)  # noqa: E731
    return {"loss": sum(map(f, range(len(t))))}


@body("position")
def position_arange_in_closure(o, t):
    pos = torch.arange(len(t)) + 1.0
    f = lambda e: (e * pos).sum()  # noqa: E731
    return {"loss": f(E(o, t))}


@body("position")
def position_linspace_default_arg(o, t):
    def f(e, p=torch.linspace(0.5, 1.0, len(t))):
        return (e * p).sum()
    return {"loss": f(E(o, t))}


@body("position")
def position_stack_times_arange_local_count(o, t):
    n = len(t)
    r = torch.stack([e1(o, t, b) for b in range(n)])
    return {"loss": (r * torch.arange(n)).sum()}


@body("position")
def position_stack_times_arange_in_lambda(o, t):
    r = torch.stack([e1(o, t, b) for b in range(len(t))])
    f = lambda x: (x * torch.arange(len(t))).sum()  # noqa: E731
    return {"loss": f(r)}


@body("position")
def position_enumerate_in_generator(o, t):
    return {"loss": sum(e * (i + 1) for i, e in enumerate(E(o, t)))}


@body("position")
def position_even_images_in_comprehension(o, t):
    return {"loss": torch.stack([e1(o, t, b) for b in range(0, len(t), 2)]).sum()}


@body("position")
def position_first_k_from_closure(o, t):
    k = 2
    return {"loss": torch.stack([e1(o, t, b) for b in range(min(k, len(t)))]).sum()}


@body("position")
def position_reversed_pairs(o, t):
    n = len(t)
    return {"loss": sum((o["x"][b] - t[n - 1 - b]["y"]).abs().mean() for b in range(n))}


# === 4. per-image loops in nested functions ========================================================


@body("loop")
def per_image_nested_def_sum(o, t):
    def per(b):
        return ((o["x"][b] - t[b]["y"]) ** 2).mean()
    return {"loss": sum(per(b) for b in range(len(t)))}


@body("loop")
def per_image_nested_def_mean(o, t):
    def per(b):
        return ((o["x"][b] - t[b]["y"]) ** 2).mean()
    return {"loss": torch.stack([per(b) for b in range(len(t))]).mean()}


@body("loop")
def per_image_nested_def_closure_mean_by_count(o, t):
    n = len(t)

    def per(b):
        return ((o["x"][b] - t[b]["y"]) ** 2).mean() / n
    return {"loss": sum(per(b) for b in range(n))}


@body("loop")
def per_image_lambda_over_zip(o, t):
    f = lambda x, s: (x - s["y"]).abs().mean()  # noqa: E731
    return {"loss": torch.stack([f(x, s) for x, s in zip(o["x"], t)]).mean()}


@body("loop")
def per_image_map_lambda_sum(o, t):
    return {"loss": sum(map(lambda b: e1(o, t, b), range(len(t)))) / len(t)}


@body("loop")
def per_image_reduce_sum_over_count(o, t):
    n = len(t)
    return {"loss": functools.reduce(lambda a, b: a + e1(o, t, b), range(n), 0.0) / n}


@body("loop")
def per_image_nested_for_loop_in_def(o, t):
    def total():
        acc = 0.0
        for b in range(len(t)):
            acc = acc + e1(o, t, b)
        return acc
    return {"loss": total() / len(t)}


@body("loop")
def per_image_closure_accumulates_list(o, t):
    parts = []

    def add(b):
        parts.append(e1(o, t, b))
    for b in range(len(t)):
        add(b)
    return {"loss": torch.stack(parts).sum() / len(parts)}


@body("loop")
def per_image_ce_in_nested(o, t):
    def ce(b):
        return F.cross_entropy(o["logits"][b], t[b]["labels"])
    return {"loss": torch.stack([ce(b) for b in range(len(t))]).mean()}


@body("loop")
def per_image_ce_weighted_in_nested(o, t):
    def ce(b):
        return F.cross_entropy(o["logits"][b], t[b]["labels"]) * t[b]["loss_weight"]
    return {"loss": torch.stack([ce(b) for b in range(len(t))]).sum() / len(t)}


@body("loop")
def per_image_generator_over_targets_mean(o, t):
    n = len(t)
    return {"loss": sum((x - s["y"]).abs().mean() for x, s in zip(o["x"], t)) / n}


@body("loop")
def per_image_sum_of_generator_divided_by_images(o, t):
    total = sum(s1(o, t, b) for b in range(len(t)))
    return {"loss": total / sum(1 for _ in t)}


@body("loop")
def per_image_count_in_generator_counted(o, t):
    n = sum(1 for _ in t)
    return {"loss": torch.stack([e1(o, t, b) for b in range(n)]).sum() / n}


@body("loop")
def per_image_count_cell_read_in_generator_clamp(o, t):
    n = sum(1 for _ in t)
    return {"loss": sum(s1(o, t, b).clamp(max=0.5 * n) for b in range(n))}


@body("loop")
def per_image_in_class_method(o, t):
    class Crit:
        @staticmethod
        def per(b):
            return e1(o, t, b)
    return {"loss": torch.stack([Crit.per(b) for b in range(len(t))]).mean()}


# === 5. divisors closed over =======================================================================


@body("divisor")
def divisor_rows_total_in_lambda(o, t):
    total = sum(s["labels"].numel() for s in t)
    f = lambda x: x.sum() / total  # noqa: E731
    return {"loss": f(CE(o, t))}


@body("divisor")
def divisor_rows_total_in_comprehension(o, t):
    total = sum(s["labels"].numel() for s in t)
    return {"loss": torch.stack([CE(o, t)[b].sum() / total for b in range(len(t))]).sum()}


@body("divisor")
def divisor_numel_closure_clamp(o, t):
    total = sum(s["labels"].numel() for s in t)
    return {"loss": torch.stack([CE(o, t)[b].sum().clamp(max=0.3 * total) for b in range(len(t))]).sum()}


@body("divisor")
def divisor_n_field_sum_in_nested(o, t):
    total = sum(s["n"] for s in t)

    def norm(x):
        return x.sum() / total
    return {"loss": norm(CE(o, t))}


@body("divisor")
def divisor_count_times_rows_in_default(o, t):
    def norm(x, d=len(t) * 3):
        return x.sum() / d
    return {"loss": norm(CE(o, t))}


@body("divisor")
def divisor_batch_shape_in_lambda(o, t):
    f = lambda x: x.sum() / o["x"].shape[0]  # noqa: E731
    return {"loss": f(E(o, t))}


@body("divisor")
def divisor_batch_shape_clamp_in_lambda(o, t):
    f = lambda x: x.clamp(max=0.15 * o["x"].shape[0])  # noqa: E731
    return {"loss": f(E(o, t)).sum()}


@body("divisor")
def divisor_batch_size_local_in_comprehension_clamp(o, t):
    bs = o["x"].shape[0]
    return {"loss": torch.stack([s1(o, t, b).clamp(max=0.5 * bs) for b in range(bs)]).sum()}


@body("divisor")
def divisor_batch_size_local_in_nested_power(o, t):
    bs = o["x"].size(0)

    def sharpen(x):
        return x ** (0.5 * bs)
    return {"loss": sharpen(E(o, t)).sum()}


@body("divisor")
def divisor_clamped_count_in_lambda(o, t):
    n = max(len(t), 1)
    f = lambda x: x.sum() / n  # noqa: E731
    return {"loss": f(E(o, t))}


@body("divisor")
def divisor_count_tensor_in_closure(o, t):
    n = torch.tensor(float(len(t)))
    f = lambda x: x.sum() / n  # noqa: E731
    return {"loss": f(E(o, t))}


@body("divisor")
def divisor_count_tensor_clamp_in_closure(o, t):
    n = torch.tensor(float(len(t)))
    f = lambda x: x.clamp(max=0.15 * n)  # noqa: E731
    return {"loss": f(E(o, t)).sum()}


# === 6. near misses: closed-over constants, row counts, fields ========================================


@body("near_miss")
def near_constant_in_comprehension_clamp(o, t):
    cap = 0.3
    return {"loss": torch.stack([e1(o, t, b).clamp(max=cap) for b in range(len(t))]).sum()}


@body("near_miss")
def near_constant_in_lambda_power(o, t):
    p = 1.5
    f = lambda x: x ** p  # noqa: E731
    return {"loss": f(E(o, t)).sum()}


@body("near_miss")
def near_rows_in_comprehension_divisor(o, t):
    rows = o["x"].shape[1]
    return {"loss": torch.stack([s1(o, t, b) / rows for b in range(len(t))]).sum()}


@body("near_miss")
def near_rows_in_lambda_clamp(o, t):
    rows = o["x"].shape[1]
    f = lambda x: x.clamp(max=0.1 * rows)  # noqa: E731
    return {"loss": f(E(o, t)).sum()}


@body("near_miss")
def near_width_default_arg(o, t):
    def norm(x, w=o["x"].shape[-1]):
        return x / w
    return {"loss": norm(E(o, t)).sum()}


@body("near_miss")
def near_field_n_in_comprehension(o, t):
    return {"loss": torch.stack([s1(o, t, b) / t[b]["n"] for b in range(len(t))]).sum()}


@body("near_miss")
def near_field_n_in_lambda_clamp(o, t):
    f = lambda b: s1(o, t, b).clamp(max=0.5 * t[b]["n"])  # noqa: E731
    return {"loss": sum(f(b) for b in range(len(t)))}


@body("near_miss")
def near_len_of_constant_list_in_closure(o, t):
    ks = ["a", "b", "c"]
    return {"loss": torch.stack([e1(o, t, b) / len(ks) for b in range(len(t))]).sum()}


@body("near_miss")
def near_len_of_rows_in_lambda(o, t):
    f = lambda b: s1(o, t, b) / len(t[b]["labels"])  # noqa: E731
    return {"loss": sum(f(b) for b in range(len(t)))}


@body("near_miss")
def near_plain_mean_in_lambda(o, t):
    f = lambda x: x.mean()  # noqa: E731
    return {"loss": f(E(o, t))}


@body("near_miss")
def near_plain_sum_in_nested(o, t):
    def total(x):
        return x.sum()
    return {"loss": total(E(o, t))}


@body("near_miss")
def near_count_only_as_range_in_comprehension(o, t):
    n = len(t)
    return {"loss": torch.stack([e1(o, t, b) for b in range(n)]).sum()}


@body("near_miss")
def near_count_only_as_range_in_generator(o, t):
    n = len(t)
    return {"loss": sum(s1(o, t, b) for b in range(n))}


@body("near_miss")
def near_count_mean_outside_comprehension(o, t):
    n = len(t)
    return {"loss": torch.stack([e1(o, t, b) for b in range(n)]).sum() / n}


@body("near_miss")
def near_cell_count_then_mean(o, t):
    n = len(t)
    r = torch.stack([e1(o, t, b) for b in range(n)])
    return {"loss": r.mean()}


@body("near_miss")
def near_ones_by_closed_count(o, t):
    n = len(t)
    r = torch.stack([e1(o, t, b) for b in range(n)])
    return {"loss": (r * torch.ones(n)).sum()}


@body("near_miss")
def near_weights_multiplied_in_nested(o, t):
    def per(b):
        return e1(o, t, b) * t[b]["loss_weight"]
    return {"loss": sum(per(b) for b in range(len(t)))}


@body("near_miss")
def near_constant_default_arg(o, t):
    def capped(x, m=0.2):
        return x.clamp(max=m)
    return {"loss": capped(E(o, t)).sum()}


@body("near_miss")
def near_constant_class_body(o, t):
    class Cfg:
        cap = 0.2
    return {"loss": E(o, t).clamp(max=Cfg.cap).sum()}


@body("near_miss")
def near_partial_of_constant(o, t):
    f = functools.partial(torch.clamp, max=0.2)
    return {"loss": f(E(o, t)).sum()}


@body("near_miss")
def near_reduce_of_sum(o, t):
    return {"loss": functools.reduce(lambda a, b: a + s1(o, t, b), range(len(t)), 0.0)}


@body("near_miss")
def near_own_max_in_comprehension_clamp(o, t):
    return {"loss": torch.stack([(o["x"][b] - t[b]["y"]).abs().clamp(max=(o["x"][b] - t[b]["y"]).abs().max().detach()
                                                                      * 0.5).mean() for b in range(len(t))]).sum()}


@body("near_miss")
def near_weighted_mean_in_closure(o, t):
    w = torch.tensor([s["loss_weight"] for s in t])
    f = lambda e: (e * w).sum() / len(t)  # noqa: E731
    return {"loss": f(E(o, t))}


# === 7. the rules reading running counts, floors, tests, sizes and positions, closed over ===========


@body("rules")
def running_count_divides_in_lambda(o, t):
    num = 0
    for s in t:
        num += len(s["labels"])
    f = lambda x: x.sum() / max(num, 1)  # noqa: E731
    return {"loss": f(CE(o, t))}


@body("rules")
def running_count_divides_in_comprehension(o, t):
    num = 0
    for s in t:
        num += len(s["labels"])
    return {"loss": torch.stack([CE(o, t)[b].sum() / num for b in range(len(t))]).sum()}


@body("rules")
def running_count_clamps_in_nested(o, t):
    num = 0
    for s in t:
        num += len(s["labels"])

    def capped(x):
        return x.clamp(max=0.1 * num)
    return {"loss": capped(CE(o, t)).sum()}


@body("rules")
def nonlocal_counter_divides(o, t):
    k = 0

    def add(b):
        nonlocal k
        k += 1
        return e1(o, t, b)
    total = sum(add(b) for b in range(len(t)))
    return {"loss": total / k}


@body("rules")
def nonlocal_counter_clamps(o, t):
    k = 0

    def add(b):
        nonlocal k
        k += 1
        return s1(o, t, b)
    parts = [add(b) for b in range(len(t))]
    return {"loss": torch.stack(parts).clamp(max=0.5 * k).sum()}


@body("rules")
def count_returned_by_nested_def(o, t):
    def count():
        return len(t)
    return {"loss": E(o, t).sum() / count()}


@body("rules")
def count_returned_by_nested_def_clamp(o, t):
    def count():
        return len(t)
    return {"loss": E(o, t).clamp(max=0.15 * count()).sum()}


@body("rules")
def length_test_in_lambda(o, t):
    g = lambda x: x * 2.0 if len(t) > 2 else x  # noqa: E731
    return {"loss": g(E(o, t)).sum()}


@body("rules")
def count_test_in_comprehension(o, t):
    n = len(t)
    return {"loss": torch.stack([e1(o, t, b) * (2.0 if n > 2 else 1.0) for b in range(n)]).sum()}


@body("rules")
def full_of_free_count_in_lambda(o, t):
    n = len(t)
    f = lambda e: (e * torch.full((n,), 0.5)).sum() + e.sum()  # noqa: E731
    return {"loss": f(E(o, t))}


@body("rules")
def arange_of_free_count_in_nested(o, t):
    n = len(t)

    def f(e):
        return (e * (torch.arange(n) + 1.0)).sum()
    return {"loss": f(E(o, t))}


@body("rules")
def decay_list_of_free_count_in_lambda(o, t):
    n = len(t)
    f = lambda e: (e * torch.tensor([0.5 ** i for i in range(n)])).sum()  # noqa: E731
    return {"loss": f(E(o, t))}


@body("rules")
def weight_picked_by_lambda(o, t):
    wf = lambda b: t[b]["loss_weight"]  # noqa: E731
    return {"loss": torch.stack([e1(o, t, b) * wf(b) for b in range(len(t))]).sum()}


@body("rules")
def weight_mean_closed_factor(o, t):
    w = [s["loss_weight"] for s in t]
    wm = sum(w) / len(w)
    return {"loss": torch.stack([e1(o, t, b) * wm for b in range(len(t))]).sum()}


@body("rules")
def weight_sum_in_nested_def(o, t):
    w = [s["loss_weight"] for s in t]

    def wsum():
        return sum(w)
    return {"loss": (E(o, t) * torch.tensor(w)).sum() / wsum()}


@body("rules")
def smooth_l1_beta_from_free_count(o, t):
    n = len(t)

    def per(b):
        return F.smooth_l1_loss(o["x"][b], t[b]["y"], beta=n / 10)
    return {"loss": sum(per(b) for b in range(n))}


@body("rules")
def free_count_float_divisor_in_lambda(o, t):
    n = len(t)
    f = lambda x: x.sum() / float(n)  # noqa: E731
    return {"loss": f(E(o, t))}


@body("rules")
def free_count_minus_one_divisor_in_lambda(o, t):
    n = len(t)
    f = lambda x: x.sum() / (n + 1)  # noqa: E731
    return {"loss": f(E(o, t))}


@body("rules")
def free_count_times_rows_divisor_in_lambda(o, t):
    n = len(t)
    f = lambda x: x.sum() / (n * 3)  # noqa: E731
    return {"loss": f(CE(o, t))}


@body("rules")
def free_count_floor_divisor_in_lambda(o, t):
    n = len(t)
    f = lambda x: x.sum() / max(n, 1)  # noqa: E731
    return {"loss": f(E(o, t))}


@body("rules")
def loop_closure_late_binding(o, t):
    fs = [lambda: e1(o, t, b) for b in range(len(t))]
    return {"loss": sum(f() for f in fs)}


@body("rules")
def loop_closure_default_bound(o, t):
    fs = [lambda b=b: e1(o, t, b) for b in range(len(t))]
    return {"loss": sum(f() for f in fs)}


@body("rules")
def loop_closure_position_default(o, t):
    fs = [lambda b=b: e1(o, t, b) * 0.5 ** b for b in range(len(t))]
    return {"loss": sum(f() for f in fs)}


@body("rules")
def loop_var_read_by_lambda_in_loop(o, t):
    acc = []
    for b in range(len(t)):
        f = lambda: e1(o, t, b) * (b + 1)  # noqa: E731
        acc.append(f())
    return {"loss": torch.stack(acc).sum()}


@body("rules")
def loop_var_read_by_lambda_plain(o, t):
    acc = []
    for b in range(len(t)):
        f = lambda: e1(o, t, b)  # noqa: E731
        acc.append(f())
    return {"loss": torch.stack(acc).sum()}


@body("rules")
def free_count_in_generator_count_filtered(o, t):
    n = sum(1 for s in t if s["n"] > 0)
    f = lambda x: x.clamp(max=0.15 * n)  # noqa: E731
    return {"loss": f(E(o, t)).sum()}


@body("rules")
def lambda_default_floor_divisor(o, t):
    f = lambda x, d=max(len(t), 1): x.sum() / d  # noqa: E731
    return {"loss": f(E(o, t))}


@body("rules")
def free_count_mse_over_count(o, t):
    n = len(t)
    f = lambda: F.mse_loss(o["x"], torch.stack([s["y"] for s in t]), reduction="sum") / n  # noqa: E731
    return {"loss": f()}


@body("rules")
def free_count_in_ce_weight_scale(o, t):
    n = len(t)
    return {"loss": torch.stack([F.cross_entropy(o["logits"][b], t[b]["labels"]) * (1.0 / n)
                                 for b in range(n)]).sum()}


@body("rules")
def free_targets_len_in_nested_helper_divisor(o, t):
    def norm(x):
        return x / len(t)
    return {"loss": norm(E(o, t).sum())}



# === 8. filled lists, positions added up, math of counts, host reads, closed over ========================


@body("rules")
def filled_cell_list_len_in_lambda(o, t):
    kept = []
    for s in t:
        kept.append(s)
    f = lambda x: x.clamp(max=0.15 * len(kept))  # noqa: E731
    return {"loss": f(E(o, t)).sum()}


@body("rules")
def filled_cell_list_len_divides_in_comprehension(o, t):
    kept = []
    for s in t:
        kept.append(s)
    return {"loss": torch.stack([e1(o, t, b) / len(kept) for b in range(len(t))]).sum()}


@body("rules")
def position_running_cell_in_lambda(o, t):
    n = 0
    for i, _ in enumerate(t):
        n = n + i
    f = lambda x: x.sum() / max(n, 1)  # noqa: E731
    return {"loss": f(E(o, t))}


@body("rules")
def sqrt_count_closed_over(o, t):
    n = len(t)
    f = lambda x: x.sum() / math.sqrt(n)  # noqa: E731
    return {"loss": f(E(o, t))}


@body("rules")
def host_read_closed_over(o, t):
    m = E(o, t).detach().max().item()
    f = lambda x: x.clamp(max=0.9 * m)  # noqa: E731
    return {"loss": f(E(o, t)).sum()}


@body("rules")
def host_read_closed_over_divisor(o, t):
    s = E(o, t).detach().sum().item()
    return {"loss": torch.stack([e1(o, t, b) / s for b in range(len(t))]).sum()}


@body("rules")
def count_tensor_closed_divides(o, t):
    n = torch.tensor(float(len(t)))
    return {"loss": torch.stack([e1(o, t, b) / n for b in range(len(t))]).sum()}


@body("rules")
def rows_total_closed_clamp_lambda(o, t):
    total = sum(len(s["labels"]) for s in t)
    f = lambda x: x.clamp(max=0.1 * total)  # noqa: E731
    return {"loss": f(CE(o, t)).sum()}


@body("rules")
def weight_in_lambda_default_per_image(o, t):
    fs = [lambda e, w=s["loss_weight"]: e * w for s in t]
    return {"loss": sum(f(e1(o, t, b)) for b, f in enumerate(fs))}


@body("rules")
def weight_first_closed_in_generator(o, t):
    w0 = t[0]["loss_weight"]
    return {"loss": sum(e1(o, t, b) * w0 for b in range(len(t)))}


@body("rules")
def rows_list_closed_in_nested_divisor(o, t):
    sizes = [len(s["labels"]) for s in t]

    def norm(x):
        return x.sum() / sum(sizes)
    return {"loss": norm(CE(o, t))}


@body("rules")
def count_as_keyword_only_argument_of_lambda(o, t):
    g = lambda x, *, n: x.clamp(max=0.15 * n)  # noqa: E731
    return {"loss": g(E(o, t), n=len(t)).sum()}


# --- probes (not closures): the same ops written in the body itself -----------------------------------
PROBES = {}


def _probe(f):
    PROBES[f.__name__] = ("probe", "x", f)
    return f


@_probe
def probe_clamp_by_batch_shape(o, t):
    return {"loss": E(o, t).clamp(max=0.15 * o["x"].shape[0]).sum()}


@_probe
def probe_clamp_by_bs_local(o, t):
    bs = o["x"].shape[0]
    return {"loss": torch.stack([s1(o, t, b) for b in range(bs)]).clamp(max=0.5 * bs).sum()}


@_probe
def probe_power_by_bs(o, t):
    bs = o["x"].size(0)
    return {"loss": (E(o, t) ** (0.5 * bs)).sum()}


@_probe
def probe_clamp_count_tensor(o, t):
    n = torch.tensor(float(len(t)))
    return {"loss": E(o, t).clamp(max=0.15 * n).sum()}


@_probe
def probe_width_divisor(o, t):
    w = o["x"].shape[-1]
    return {"loss": (E(o, t) / w).sum()}


@_probe
def probe_weight_sum_normaliser(o, t):
    wsum = sum(s["loss_weight"] for s in t)
    return {"loss": E(o, t).sum() / wsum}


@_probe
def probe_weight_clamp(o, t):
    w = [s["loss_weight"] for s in t]
    r = []
    for b in range(len(t)):
        r.append(s1(o, t, b).clamp(max=2.0 * w[b]))
    return {"loss": torch.stack(r).sum()}


@_probe
def probe_rows_total_one_image(o, t):
    total = sum(s["labels"].numel() for s in t)
    r = []
    for b in range(len(t)):
        r.append(CE(o, t)[b].sum() / total)
    return {"loss": torch.stack(r).sum()}


@_probe
def probe_one_image_over_count_local(o, t):
    n = len(t)
    r = []
    for b in range(n):
        r.append(e1(o, t, b) / n)
    return {"loss": torch.stack(r).sum()}





@_probe
def probe_one_image_over_max_count(o, t):
    n = len(t)
    r = []
    for b in range(n):
        r.append(e1(o, t, b) / max(n, 3))
    return {"loss": torch.stack(r).sum()}



@_probe
def probe_running_count_one_image(o, t):
    num = 0
    for s in t:
        num += len(s["labels"])
    r = []
    for b in range(len(t)):
        r.append(CE(o, t)[b].sum() / num)
    return {"loss": torch.stack(r).sum()}


@_probe
def probe_running_count_clamp(o, t):
    num = 0
    for s in t:
        num += len(s["labels"])
    return {"loss": CE(o, t).clamp(max=0.1 * num).sum()}


@_probe
def probe_reciprocal_count_factor_one_image(o, t):
    n = len(t)
    r = []
    for b in range(n):
        r.append(F.cross_entropy(o["logits"][b], t[b]["labels"]) * (1.0 / n))
    return {"loss": torch.stack(r).sum()}


@_probe
def probe_counter_in_loop_clamp(o, t):
    k = 0
    parts = []
    for b in range(len(t)):
        k += 1
        parts.append(s1(o, t, b))
    return {"loss": torch.stack(parts).clamp(max=0.5 * k).sum()}


@_probe
def probe_sum_times_reciprocal_local(o, t):
    n = len(t)
    scale = 1.0 / n
    return {"loss": E(o, t).sum() * scale}


@_probe
def probe_sum_times_reciprocal_of_local_count(o, t):
    n = len(t)
    return {"loss": E(o, t).sum() * (1.0 / n)}


@_probe
def probe_near_sum_times_constant_local(o, t):
    scale = 0.25
    return {"loss": E(o, t).sum() * scale}


@_probe
def probe_near_sum_times_reciprocal_of_rows(o, t):
    scale = 1.0 / o["x"].shape[1]
    return {"loss": E(o, t).sum() * scale}


@_probe
def probe_near_sum_times_reciprocal_of_constant_list(o, t):
    ks = ["a", "b"]
    scale = 1.0 / len(ks)
    return {"loss": E(o, t).sum() * scale}


@_probe
def probe_near_rows_times_reciprocal_of_own_rows(o, t):
    r = []
    for b in range(len(t)):
        m = len(t[b]["labels"])
        r.append(CE(o, t)[b].sum() * (1.0 / m))
    return {"loss": torch.stack(r).sum()}


@_probe
def probe_filled_list_len_divides_one_image(o, t):
    kept = []
    for s in t:
        kept.append(s)
    r = []
    for b in range(len(t)):
        r.append(e1(o, t, b) / len(kept))
    return {"loss": torch.stack(r).sum()}


BODIES.update(PROBES)
