# ruff: noqa: B006, B008, B023, E731 -- what these bodies try: mutable defaults, closures, lambdas made by helpers
"""Bodies that read a number out of a nested function's default or closure (a container the call
fills, a cell of a maker no longer running) where the call wrote a number from the batch into it
(``_bytecode._held_count``): each must split exactly or decline naming the key. ``near_*``: the same
shapes holding constants or configuration, which must split exactly.

``BODIES``: name -> (family, batch kind, body); measured on the red-team-28 batches
(``tests/_red_team28_measure.py``); the tests are ``tests/test_held_counts.py``."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import torch
from _red_team26_bodies import E
from _red_team27_bodies import registrar
from _red_team31_bodies import e1

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)
K = 3  # a configuration number of the module


def _make(k):
    return lambda v: v / k


def _make_clamp(c):
    return lambda v: v.clamp(max=c)


@body("held")
def dict_default_filled_later(o, t):
    cfg: dict = {}

    def norm(v, c=cfg):
        return v / c["n"]
    cfg["n"] = max(len(t), 3)
    return {"loss": torch.stack([norm(e1(o, t, b)) for b in range(len(t))]).sum()}


@body("held")
def closure_list_filled_later(o, t):
    cap = [0.0]
    clip = lambda v: v.clamp(max=cap[0])
    cap[0] = 0.1 * len(t)
    return {"loss": clip(E(o, t) * 3.0).sum()}


@body("held")
def default_list_display_of_count(o, t):
    def norm(v, d=[max(len(t), 3)]):
        return v / d[0]
    return {"loss": torch.stack([norm(e1(o, t, b)) for b in range(len(t))]).sum()}


@body("held")
def list_passed_to_helper(o, t):
    acc = []
    acc.append(max(len(t), 3))

    def norm(v, d):
        return v / d[0]
    return {"loss": torch.stack([norm(e1(o, t, b), acc) for b in range(len(t))]).sum()}


@body("held")
def default_list_augmented_later(o, t):
    cap = [0.0]

    def clip(v, c=cap):
        return v.clamp(max=c[0])
    cap[0] += 0.1 * len(t)
    return {"loss": clip(E(o, t) * 3.0).sum()}


@body("held")
def namespace_default_set_later(o, t):
    ns = SimpleNamespace(cap=0.0)

    def clip(v, c=ns):
        return v.clamp(max=c.cap)
    ns.cap = 0.1 * len(t)
    return {"loss": clip(E(o, t) * 3.0).sum()}


@body("held")
def default_list_extended(o, t):
    acc: list = []
    acc.extend([max(len(t), 3)])

    def norm(v, d=acc):
        return v / d[0]
    return {"loss": torch.stack([norm(e1(o, t, b)) for b in range(len(t))]).sum()}


@body("held")
def lambda_made_by_global_helper_over_max_count(o, t):
    f = _make(max(len(t), 3))
    return {"loss": sum(f(e1(o, t, b)) for b in range(len(t)))}


@body("held")
def lambda_made_by_helper_given_the_batch(o, t):
    def make(tt):
        m = max(len(tt), 3)
        return lambda v: v / m
    f = make(t)
    return {"loss": sum(f(e1(o, t, b)) for b in range(len(t)))}


@body("held")
def clamp_lambda_made_by_global_helper(o, t):
    f = _make_clamp(0.1 * len(t))
    return {"loss": f(E(o, t) * 3.0).sum()}


@body("held")
def body_list_read_in_comprehension(o, t):
    acc = []
    acc.append(max(len(t), 3))
    return {"loss": torch.stack([e1(o, t, b) / acc[0] for b in range(len(t))]).sum()}


@body("held")
def default_list_filled_by_helper(o, t):
    acc: list = []

    def fill(a, tt):
        a.append(max(len(tt), 3))
    fill(acc, t)

    def norm(v, d=acc):
        return v / d[0]
    return {"loss": torch.stack([norm(e1(o, t, b)) for b in range(len(t))]).sum()}


@body("held")
def dict_default_updated_later(o, t):
    cfg: dict = {}

    def norm(v, c=cfg):
        return v / c["n"]
    cfg.update(n=max(len(t), 3))
    return {"loss": torch.stack([norm(e1(o, t, b)) for b in range(len(t))]).sum()}


@body("held")
def lambda_made_two_levels_down(o, t):
    def outer(k):
        def mid():
            return lambda v: v / k
        return mid()
    f = outer(max(len(t), 3))
    return {"loss": sum(f(e1(o, t, b)) for b in range(len(t)))}


@body("held")
def default_list_scaled_in_divisor(o, t):
    acc = []
    acc.append(max(len(t), 3))

    def norm(v, d=acc):
        return v / (2 * d[0])
    return {"loss": torch.stack([norm(e1(o, t, b)) for b in range(len(t))]).sum()}


@body("held")
def default_list_in_max_divisor(o, t):
    acc = []
    acc.append(max(len(t), 3))

    def norm(v, d=acc):
        return v / max(d[0], 1)
    return {"loss": torch.stack([norm(e1(o, t, b)) for b in range(len(t))]).sum()}


@body("held")
def helper_parameter_passed_max_count(o, t):
    def norm(v, n):
        return v / n
    return {"loss": torch.stack([norm(e1(o, t, b), max(len(t), 3)) for b in range(len(t))]).sum()}


@body("held")
def helper_parameter_passed_the_count(o, t):  # (``e1(o, t, b) / len(t)`` in the body declines too)
    def norm(v, n):
        return v / n
    return {"loss": torch.stack([norm(e1(o, t, b), len(t)) for b in range(len(t))]).sum()}


@body("held")
def lambda_default_of_max_count(o, t):
    f = lambda v, k=max(len(t), 3): v / k
    return {"loss": sum(f(e1(o, t, b)) for b in range(len(t)))}


@body("held")
def lambda_default_bound_in_a_comprehension(o, t):
    fs = [(lambda v, k=k: v / k) for k in [max(len(t), 3)]]
    return {"loss": sum(fs[0](e1(o, t, b)) for b in range(len(t)))}


# near misses: the same shapes holding constants or configuration (split exactly)


@body("near")
def near_default_list_of_constants_local(o, t):
    acc = [3]

    def norm(v, d=acc):
        return v / d[0]
    return {"loss": torch.stack([norm(e1(o, t, b)) for b in range(len(t))]).sum()}


@body("near")
def near_default_list_filled_with_literal(o, t):
    acc = []
    acc.append(3)

    def norm(v, d=acc):
        return v / d[0]
    return {"loss": torch.stack([norm(e1(o, t, b)) for b in range(len(t))]).sum()}


@body("near")
def near_default_list_set_to_literal_later(o, t):
    cap = [0.0]

    def clip(v, c=cap):
        return v.clamp(max=c[0])
    cap[0] = 0.4
    return {"loss": clip(E(o, t) * 3.0).sum()}


@body("near")
def near_closure_list_of_constants(o, t):
    cap = [0.4]
    clip = lambda v: v.clamp(max=cap[0])
    return {"loss": clip(E(o, t) * 3.0).sum()}


@body("near")
def near_lambda_over_literal(o, t):
    f = lambda v: v / 3
    return {"loss": sum(f(e1(o, t, b)) for b in range(len(t)))}


@body("near")
def near_lambda_made_by_helper_over_literal(o, t):
    def make(k):
        return lambda v: v / k
    f = make(3)
    return {"loss": sum(f(e1(o, t, b)) for b in range(len(t)))}


@body("near")
def near_lambda_made_by_global_helper_over_config(o, t):
    f = _make(K)
    return {"loss": sum(f(e1(o, t, b)) for b in range(len(t)))}


@body("near")
def near_clamp_lambda_made_over_config(o, t):
    f = _make_clamp(0.1 * K)
    return {"loss": f(E(o, t) * 3.0).sum()}


@body("near")
class NearClosureOverConfigNumber(torch.nn.Module):
    k = 3

    def forward(self, o, t):
        def make(k):
            return lambda v: v / k
        f = make(self.k)
        return {"loss": sum(f(e1(o, t, b)) for b in range(len(t)))}


@body("near")
class NearDefaultListOfConfig(torch.nn.Module):
    cap = 0.4

    def forward(self, o, t):
        acc = [self.cap]

        def clip(v, c=acc):
            return v.clamp(max=c[0])
        return {"loss": clip(E(o, t) * 3.0).sum()}


@body("near")
def near_default_list_filled_by_helper_with_literal(o, t):
    acc: list = []

    def fill(a):
        a.append(3)
    fill(acc)

    def norm(v, d=acc):
        return v / d[0]
    return {"loss": torch.stack([norm(e1(o, t, b)) for b in range(len(t))]).sum()}


@body("near")
def near_mean_over_count_in_default_list(o, t):
    acc = [len(t)]

    def norm(v, d=acc):
        return v / d[0]
    return {"loss": norm(E(o, t).sum())}


@body("near")
def near_tensor_item_of_a_dict_written_beside_a_count(o, t):
    losses = {}
    losses["x"] = E(o, t)[: len(t)] * 3.0  # (the count slices all rows: no number of the batch is written)

    def clip(d):
        return torch.clamp(d["x"], max=0.5)
    return {"loss": clip(losses).sum()}


@body("near")
def near_len_of_a_display_closed_over(o, t):
    note = [str(len(t))]

    def norm(v):
        return v / len(note)  # (the display's length, whatever its item is computed from)
    return {"loss": torch.stack([norm(e1(o, t, b)) for b in range(len(t))]).sum()}


@body("near")
def near_helper_parameter_passed_a_literal(o, t):
    def norm(v, n):
        return v / n
    return {"loss": torch.stack([norm(e1(o, t, b), 3) for b in range(len(t))]).sum()}


@body("near")
def near_helper_parameter_passed_the_image_own_size(o, t):
    def norm(v, n):
        return v / n
    return {"loss": torch.stack([norm(e1(o, t, b), max(len(t[b]["labels"]), 2)) for b in range(len(t))]).sum()}


@body("near")
def near_lambda_default_literal(o, t):
    f = lambda v, k=3: v / k
    return {"loss": sum(f(e1(o, t, b)) for b in range(len(t)))}
