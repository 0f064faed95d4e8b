# ruff: noqa: B009, B023, E731 -- what this red team tries: getattr by a name, closures over loop variables, lambdas
"""Red team of session 34 (helper red34): adversarial bodies against the rules merged in session 33
(``_inputs._module_lists``: list attributes of the call's modules recorded at its start and compared
item by item with ``is``; ``_bytecode.chosen_divisor`` and the count-position stores into tensors of
no images; the weight-field scans of helpers, key functions and ``getattr``; ``Frame.int_fills`` and
the joins of position fills; one-row pieces of ``chunk``; ``fixed_list_argument``'s lists of fixed
length). Near misses (``near_*``) must split exactly; every other body must split exactly or
decline naming the key.

``BODIES``: name -> (family, batch kind, body); measured on the red-team-28 batches by
``tests/_red_team28_measure.py``; the tests are ``tests/test_red_team34.py``."""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from _red_team26_bodies import CE, LAB, E, Y
from _red_team27_bodies import registrar
from _red_team31_bodies import e1
from torch import nn

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)
NCLS = 5


def H(o, t, h):
    """Head ``h``'s loss over the whole batch (0-d)."""
    return (o["x"] * (1.0 + 0.25 * h) - Y(t)).abs().mean()


# === 1. lists recorded at the call's start, refilled in place with equal small ints ===============


@body("lists")
class OrderRefilledInPlace(nn.Module):
    """A cached list of image positions refilled each call (equal small ints: the same objects)."""

    def __init__(self):
        super().__init__()
        self.order = [0, 1, 2]

    def forward(self, o, t):
        self.order[:] = range(len(t))
        e = E(o, t)
        return {"loss": sum(e[i] for i in self.order) / len(self.order)}


@body("lists")
class OrderRefilledDivisorOnly(nn.Module):
    def __init__(self):
        super().__init__()
        self.order = [0, 1, 2]

    def forward(self, o, t):
        self.order[:] = range(len(t))
        return {"loss": E(o, t).sum() / len(self.order)}


@body("lists")
class OnesRefilledLoop(nn.Module):
    """One scale per image, refilled with ones (the same object each) each call."""

    def __init__(self):
        super().__init__()
        self.scales = [1, 1, 1]

    def forward(self, o, t):
        self.scales[:] = [1] * len(t)
        loss = 0
        for s in self.scales:
            loss = loss + H(o, t, s)
        return {"loss": loss}


class _Slots(nn.Module):
    def __init__(self):
        super().__init__()
        self.slots = [0, 1, 2]


@body("lists")
class NestedModuleListRefilled(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = _Slots()

    def forward(self, o, t):
        self.inner.slots[:] = range(len(t))
        return {"loss": E(o, t).sum() / len(self.inner.slots)}


@body("lists")
class HeldModuleListRefilledByHelper(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = _Slots()

    def _reset(self, n):
        self.inner.slots[:] = range(n)

    def forward(self, o, t):
        self._reset(len(t))
        loss = 0
        for _ in self.inner.slots:
            loss = loss + E(o, t).mean()
        return {"loss": loss}


@body("lists")
class OrderClearedExtended(nn.Module):
    def __init__(self):
        super().__init__()
        self.order = [0, 1, 2]

    def forward(self, o, t):
        self.order.clear()
        self.order.extend(range(len(t)))
        return {"loss": E(o, t).sum() / len(self.order)}


@body("lists")
class TableRefilledCount(nn.Module):
    def __init__(self):
        super().__init__()
        self.cfg = {"n": 3}

    def forward(self, o, t):
        self.cfg["n"] = len(t)
        return {"loss": E(o, t).sum() / self.cfg["n"]}


class _Refillable(nn.Module):
    def __init__(self):
        super().__init__()
        self.slots = [0, 1, 2]

    def refill(self, n):
        self.slots[:] = range(n)


@body("lists")
class HeldModuleRefillsItsOwnList(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = _Refillable()

    def forward(self, o, t):
        self.inner.refill(len(t))
        return {"loss": E(o, t).sum() / len(self.inner.slots)}


@body("lists")
class PickRepeatedFirst(nn.Module):
    """An index list refilled with the first position, one per image."""

    def __init__(self):
        super().__init__()
        self.pick = [0, 0, 0]

    def forward(self, o, t):
        self.pick[:] = [0] * len(t)
        return {"loss": E(o, t)[self.pick].sum()}


_GLOBAL_SLOTS = _Slots()


@body("lists")
def global_module_list_refilled(o, t):
    _GLOBAL_SLOTS.slots[:] = range(len(t))
    return {"loss": E(o, t).sum() / len(_GLOBAL_SLOTS.slots)}


@body("lists")
def global_module_list_refilled_loop(o, t):
    _GLOBAL_SLOTS.slots[:] = range(len(t))
    return {"loss": torch.stack([H(o, t, 1) for _ in _GLOBAL_SLOTS.slots]).sum()}


@body("near")
class near_OrderNotRefilled(nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = [0, 1, 2]

    def forward(self, o, t):
        return {"loss": sum(H(o, t, h) for h in self.heads) / len(self.heads)}


@body("near")
class near_OtherListRefilled(nn.Module):  # a list refilled from the count that no loop nor divisor reads
    def __init__(self):
        super().__init__()
        self.heads = [0, 1, 2]
        self.seen = [0, 1, 2]

    def forward(self, o, t):
        self.seen[:] = range(len(t))
        return {"loss": sum(H(o, t, h) for h in self.heads) / len(self.heads)}


@body("near")
class near_FloatScalesResetElsewhere(nn.Module):  # a list of floats a method resets: new objects, told apart
    def __init__(self):
        super().__init__()
        self.scales = [1.0, 0.5]

    def reset(self):
        self.scales[:] = [1.0, 0.5]

    def forward(self, o, t):
        return {"loss": sum(s * H(o, t, 1) for s in self.scales) / len(self.scales)}


@body("lists")
class NamesRefilledInPlace(nn.Module):  # interned strings put back: the same objects, as many as the images
    def __init__(self):
        super().__init__()
        self.names = ["a", "a", "a"]

    def forward(self, o, t):
        self.names[:] = ["a"] * len(t)
        return {"loss": E(o, t).sum() / len(self.names)}


@body("lists")
class NamesClearedThenExtended(nn.Module):
    def __init__(self):
        super().__init__()
        self.names = ["a", "a", "a"]

    def forward(self, o, t):
        self.names.clear()
        self.names.extend("a" for _ in t)
        return {"loss": E(o, t).sum() / len(self.names)}


@body("near")
class near_TermNamesAppendedThenTrimmed(nn.Module):  # RT-DETR's term names: an append after the read, a trim after
    def __init__(self):
        super().__init__()
        self.terms = ["a", "b"]

    def forward(self, o, t):
        loss = sum(H(o, t, h) for h, _ in enumerate(self.terms)) / len(self.terms)
        self.terms.append("b")  # (a term the next call's loop would read)
        self._trim()
        return {"loss": loss}

    def _trim(self):
        del self.terms[2:]


# === 2. a literal divisor a test chose; count positions stored into tensors of no images ==========


@body("chosen")
def chosen_by_if_statement(o, t):
    if len(t) > 1:
        k = 4.0
    else:
        k = 1.0
    return {"loss": E(o, t).sum() / k}


@body("chosen")
def chosen_by_tuple_index(o, t):
    k = (1.0, 4.0)[len(t) > 1]
    return {"loss": E(o, t).sum() / k}


@body("chosen")
def chosen_by_and_or(o, t):
    k = len(t) > 1 and 4.0 or 1.0
    return {"loss": E(o, t).sum() / k}


@body("chosen")
def chosen_by_default_then_override(o, t):
    k = 4.0
    if len(t) == 1:
        k = 1.0
    return {"loss": E(o, t).sum() / k}


@body("chosen")
def chosen_then_copied(o, t):
    k = 4.0 if len(t) > 1 else 1.0
    d = k
    return {"loss": E(o, t).sum() / d}


@body("chosen")
def chosen_by_torch_div(o, t):
    k = 4.0 if len(t) > 1 else 1.0
    return {"loss": torch.div(E(o, t).sum(), k)}


@body("chosen")
def chosen_by_reciprocal_mul(o, t):
    k = 4.0 if len(t) > 1 else 1.0
    return {"loss": E(o, t).sum() * (1.0 / k)}


@body("chosen")
def chosen_by_dict_of_counts(o, t):
    k = {1: 1.0, 2: 2.0}.get(len(t), 4.0)
    return {"loss": E(o, t).sum() / k}


@body("chosen")
def chosen_by_max_floor(o, t):  # 2.0 on a group of one image: the floor, not the count
    k = max(float(len(t)), 2.0)
    return {"loss": E(o, t).sum() / k}


@body("chosen")
def chosen_by_min_literal(o, t):
    k = min(4.0, 2.0 * len(t))
    return {"loss": E(o, t).sum() / k}


FLAG = True


@body("near")
def near_chosen_by_module_flag(o, t):
    k = 4.0 if FLAG else 1.0
    return {"loss": E(o, t).sum() / k}


@body("near")
def near_count_doubled_under_a_flag(o, t):  # a count scaled under a flag that is off: still the count
    n = float(len(t))
    if not FLAG:
        n = n * 2
    return {"loss": E(o, t).sum() / n}


@body("store")
def class_weight_store_at_count_minus_one(o, t):
    w = torch.ones(NCLS)
    w[len(t) - 1] = 3.0
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), weight=w)}


@body("store")
def class_weight_store_up_to_count(o, t):
    w = torch.ones(NCLS)
    w[:len(t)] = 3.0
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), weight=w)}


@body("store")
def class_weight_index_fill_count(o, t):
    w = torch.ones(NCLS)
    w.index_fill_(0, torch.tensor([len(t) - 1]), 3.0)
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), weight=w)}


@body("store")
def class_weight_narrow_fill_count(o, t):
    w = torch.ones(NCLS)
    w.narrow(0, 0, len(t)).fill_(3.0)
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), weight=w)}


@body("store")
def class_weight_view_mul_from_count(o, t):
    w = torch.ones(NCLS)
    w[len(t) - 1:].mul_(3.0)
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), weight=w)}


@body("store")
def class_weight_arange_store_count(o, t):
    w = torch.ones(NCLS)
    w[torch.arange(len(t))] = 3.0
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), weight=w)}


@body("store")
def class_weight_where_below_count(o, t):
    w = torch.where(torch.arange(NCLS) < len(t), 3.0, 1.0)
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), weight=w)}


@body("store")
def class_weight_store_count_through_local(o, t):
    w = torch.ones(NCLS)
    n = len(t)
    w[n - 1] = 3.0
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), weight=w)}


@body("near")
def near_class_weight_store_at_classes_minus_one(o, t):
    w = torch.ones(NCLS)
    w[NCLS - 1] = 3.0
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), weight=w)}


# === 3. the weight field read or tested where the scans may not look ==============================


@body("weight")
def weight_test_in_nested_function(o, t):
    def full(s):
        return s["loss_weight"] == 1.0
    return {"loss": sum(e1(o, t, b) if full(s) else 3.0 * e1(o, t, b) for b, s in enumerate(t))}


@body("weight")
def weight_test_in_lambda(o, t):
    is_real = lambda s: s["loss_weight"] >= 0.9
    return {"loss": sum(e1(o, t, b) if is_real(s) else 3.0 * e1(o, t, b) for b, s in enumerate(t))}


_WEIGHT = operator.itemgetter("loss_weight")


@body("weight")
def weight_itemgetter_test(o, t):
    return {"loss": sum(e1(o, t, b) if _WEIGHT(s) == 1.0 else 3.0 * e1(o, t, b) for b, s in enumerate(t))}


@body("weight")
def weight_itemgetter_local_test(o, t):
    get = operator.itemgetter("loss_weight")
    return {"loss": sum(e1(o, t, b) if get(s) < 0.9 else 3.0 * e1(o, t, b) for b, s in enumerate(t))}


@body("weight")
def weight_dict_items_test(o, t):
    loss = 0
    for b, s in enumerate(t):
        scale = 1.0
        for k, v in s.items():
            if k == "loss_weight" and v < 0.9:
                scale = 3.0
        loss = loss + scale * e1(o, t, b)
    return {"loss": loss}


class _Rec:
    def __init__(self, s):
        for k, v in s.items():
            setattr(self, k, v)


@body("weight")
def weight_getattr_variable_name(o, t):
    name = "loss_weight"
    recs = [_Rec(s) for s in t]
    return {"loss": sum(e1(o, t, b) if getattr(r, name) == 1.0 else 3.0 * e1(o, t, b) for b, r in enumerate(recs))}


@body("weight")
def weight_tensor_where_scale(o, t):
    w = torch.tensor([s["loss_weight"] for s in t])
    scale = torch.where(w == 1.0, 1.0, 3.0)
    return {"loss": (E(o, t) * scale).sum()}


@body("weight")
def weight_tensor_where_lt(o, t):
    w = torch.tensor([s["loss_weight"] for s in t])
    return {"loss": torch.where(w < 0.9, 3.0 * E(o, t), E(o, t)).sum()}


@body("weight")
def weight_tensor_item_in_loop(o, t):
    w = torch.tensor([s["loss_weight"] for s in t])
    loss = 0
    for b in range(len(t)):
        loss = loss + (e1(o, t, b) if w[b].item() >= 0.9 else 3.0 * e1(o, t, b))
    return {"loss": loss}


@body("weight")
def weight_tolist_test(o, t):
    ws = torch.tensor([s["loss_weight"] for s in t]).tolist()
    return {"loss": sum(e1(o, t, b) if ws[b] == 1.0 else 3.0 * e1(o, t, b) for b in range(len(t)))}


@body("weight")
def weight_numpy_where_scale(o, t):
    w = np.array([s["loss_weight"] for s in t])
    scale = torch.as_tensor(np.where(w < 0.9, 3.0, 1.0), dtype=torch.float32)
    return {"loss": (E(o, t) * scale).sum()}


@body("weight")
def weight_filter_real_mean(o, t):
    real = [b for b, s in enumerate(t) if s["loss_weight"] >= 0.9]
    e = E(o, t)
    return {"loss": e.sum() + (e[real].sum() if real else 0.0)}


@body("weight")
def weight_int_gate(o, t):
    return {"loss": sum(e1(o, t, b) * (1 + 2 * (1 - int(s["loss_weight"]))) for b, s in enumerate(t))}


@body("weight")
def weight_round_gate(o, t):
    return {"loss": sum(e1(o, t, b) * (3 - 2 * round(s["loss_weight"])) for b, s in enumerate(t))}


@body("weight")
def weight_floor_gate(o, t):
    return {"loss": sum(e1(o, t, b) * (3 - 2 * math.floor(s["loss_weight"])) for b, s in enumerate(t))}


@body("near")
def near_weight_float_factor(o, t):  # ``float(w)`` keeps the value: a weight factor, 1 on the oracle's images
    return {"loss": sum(e1(o, t, b) * float(s["loss_weight"]) for b, s in enumerate(t))}


@body("weight")
def weight_map_itemgetter_tensor(o, t):
    w = torch.tensor(list(map(operator.itemgetter("loss_weight"), t)))
    return {"loss": (E(o, t) * torch.where(w >= 0.9, 1.0, 3.0)).sum()}


@body("near")
def near_weight_tensor_times_loss(o, t):  # the weight as a factor: 1 on the oracle's images
    w = torch.tensor([s["loss_weight"] for s in t])
    return {"loss": (E(o, t) * w).sum()}


@body("near")
def near_itemgetter_of_other_field(o, t):
    get = operator.itemgetter("n")
    return {"loss": sum(e1(o, t, b) if get(s) == 3 else 3.0 * e1(o, t, b) for b, s in enumerate(t))}


# === 5. position fills, one-row pieces, fixed-length lists =========================================


@body("fills")
def position_fills_stacked_as_factor(o, t):
    pos = torch.stack([torch.full((), i) for i in range(len(t))])
    return {"loss": (E(o, t) * (1 + pos)).sum()}


@body("fills")
def position_fill_in_place_joined_as_factor(o, t):
    pos = torch.cat([torch.zeros(1, dtype=torch.long).fill_(i) for i in range(len(t))])
    return {"loss": (E(o, t) * (1 + pos)).sum()}


@body("fills")
def position_fills_floated_then_joined(o, t):
    pos = torch.cat([torch.full((1,), i).float() for i in range(len(t))])
    return {"loss": (E(o, t) * (1.0 + pos)).sum()}


@body("fills")
def position_fills_float_joined(o, t):
    pos = torch.cat([torch.full((1,), float(i)) for i in range(len(t))])
    return {"loss": (E(o, t) * (1.0 + pos)).sum()}


@body("fills")
def position_fills_full_like_joined(o, t):
    e = E(o, t)
    pos = torch.cat([torch.full_like(e[:1], i) for i in range(len(t))])
    return {"loss": (e * (1.0 + pos)).sum()}


@body("fills")
def position_new_full_joined_as_factor(o, t):
    e = E(o, t)
    pos = torch.cat([e.new_full((1,), i, dtype=torch.long) for i in range(len(t))])
    return {"loss": (e * (1 + pos)).sum()}


@body("near")
def near_position_fills_stacked_as_index(o, t):
    bi = torch.stack([torch.full((), i) for i in range(len(t))])
    return {"loss": E(o, t)[bi].sum()}


@body("near")
def near_position_fill_in_place_joined_as_index(o, t):
    bi = torch.cat([torch.zeros(1, dtype=torch.long).fill_(i) for i in range(len(t))])
    return {"loss": E(o, t)[bi].sum()}


@body("near")
def near_constant_fills_floated_joined_as_factor(o, t):  # fills of a constant, not of the position
    c = torch.cat([torch.full((1,), 2).float() for _ in range(len(t))])
    return {"loss": (E(o, t) * c).sum()}


@body("fills")
def image_weights_first_filled_through_view(o, t):  # (a view's fill_ still reaches the number-write rule)
    w = torch.ones(len(t))
    w[:1].fill_(2.0)
    return {"loss": (E(o, t) * w).sum()}


@body("chunk")
def chunk_means_mean(o, t):
    return {"loss": torch.stack([p.mean() for p in E(o, t).chunk(3)]).mean()}


@body("chunk")
def chunk_first_piece(o, t):
    return {"loss": E(o, t).chunk(3)[0].sum()}


@body("chunk")
def chunk_last_piece_mean(o, t):
    return {"loss": E(o, t).chunk(3)[-1].mean()}


@body("chunk")
def split_one_row_pieces_weighted(o, t):
    return {"loss": sum((1 + k) * p.sum() for k, p in enumerate(E(o, t).split(1)))}


@body("chunk")
def tensor_split_three_means(o, t):
    return {"loss": sum(p.mean() for p in torch.tensor_split(E(o, t), 3) if p.numel())}


@body("near")
def near_chunk_sums_sum(o, t):  # a sum of the pieces' sums: the images' sum
    return {"loss": sum(p.sum() for p in E(o, t).chunk(3))}


@body("stack")
def stack_fixed_heads_then_image(o, t):
    return {"loss": torch.stack([H(o, t, 0), H(o, t, 1), e1(o, t, len(t) - 1)]).mean()}


@body("stack")
def stack_heads_up_to_count(o, t):
    return {"loss": torch.stack([H(o, t, h) for h in range(min(len(t), 3))]).mean()}


@body("stack")
def stack_heads_skipped_by_count(o, t):
    losses = []
    for h in range(3):
        if h < len(t):
            losses.append(H(o, t, h))
    return {"loss": torch.stack(losses).mean()}


@body("stack")
def stack_heads_sliced_by_count(o, t):
    losses = [H(o, t, h) for h in range(3)]
    return {"loss": torch.stack(losses[:len(t)]).mean()}


@body("stack")
def stack_heads_list_times_count(o, t):
    losses = [H(o, t, 0)] * len(t) + [H(o, t, 1)]
    return {"loss": torch.stack(losses).mean()}


@body("stack")
def stack_heads_appended_in_while(o, t):
    losses, h = [], 0
    while h < len(t):
        losses.append(H(o, t, h % 3))
        h += 1
    return {"loss": torch.stack(losses).mean()}


@body("stack")
def stack_heads_extended(o, t):
    losses = [H(o, t, 0)]
    losses.extend(H(o, t, h) for h in range(1, len(t)))
    return {"loss": torch.stack(losses).mean()}


@body("stack")
def stack_heads_then_ce(o, t):
    losses = [H(o, t, h) for h in range(2)]
    losses.append(CE(o, t).mean())
    return {"loss": torch.stack(losses).mean()}


@body("near")
def near_stack_fixed_heads(o, t):
    losses = []
    for h in range(3):
        losses.append(H(o, t, h))
    return {"loss": torch.stack(losses).mean()}
