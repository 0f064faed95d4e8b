"""Red team of ``_lengths`` (session 20): bodies a user could write where the number of per-image
targets decides something, each checked against the oracle on 2-, 3- and 4-image batches with
different groupings. A body ``_lengths`` handles declines or splits exactly; one it does not is
a strict xfail naming what the scan does not follow (README, Known limits)."""

import builtins
import functools
import itertools
import math
import operator
import types
from math import sqrt

import numpy as np
import pytest
import torch
from _helpers import ROWS, TARGETS, split_outcome, wrong_companions

BATCHES = {"1r2s": [1.0, 0.5, 0.5], "1r1s": [1.0, 0.5], "1r3s": [1.0, 0.5, 0.5, 0.5], "2r2s": [1.0, 0.5, 1.0, 0.5],
           "3r1s": [1.0, 1.0, 1.0, 0.5]}


def _batch(weights):
    g = torch.Generator().manual_seed(3)
    x = torch.rand(len(weights), 3, 4, generator=g)
    targets = [{"y": x[b] + (0.1 if w == 1.0 else 0.9), "loss_weight": w} for b, w in enumerate(weights)]
    return [{"x": x.clone().requires_grad_()}, targets], [ROWS, TARGETS]


def _err(outputs, targets):
    return (outputs["x"] - torch.stack([t["y"] for t in targets])).abs().mean((1, 2)).mean()


def _wrong(body):
    """batch name -> wrong companions of ``body`` (empty where none)."""
    return {name: wrong for name, w in BATCHES.items() if (wrong := wrong_companions(*split_outcome(body, *_batch(w))[:2]))}


# --- handled before this session: declined or exact ---------------------------------------------

def _big_in_dict(batch):
    return 2.0 if len(batch["t"]) > 2 else 1.0


def via_dict(outputs, targets):
    return {"loss": _err(outputs, targets) * _big_in_dict({"t": targets})}


class _Config:
    def __init__(self, t):
        self.big = len(t) > 2


def in_init(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if _Config(targets).big else 1.0)}


class _Wrap:
    def __init__(self, t):
        self.t = t

    @property
    def big(self):
        return len(self.t) > 2


def in_property(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if _Wrap(targets).big else 1.0)}


def _scale(t):
    return 2.0 if len(t) > 2 else 1.0


def default_argument(outputs, targets, _h=_scale):
    return {"loss": _err(outputs, targets) * _h(targets)}


def truth(outputs, targets):
    w = 2.0 if targets else 1.0
    return {"loss": _err(outputs, targets) * (w if not targets else w * 1.5)}


def validated(outputs, targets):
    if len(targets) != outputs["x"].shape[0]:
        raise ValueError("one target per image")
    return {"loss": _err(outputs, targets)}


def map_len(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if max(map(len, [targets])) > 2 else 1.0)}


def bounded(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if max(len(targets), 1) > 2 else 1.0)}


def counted_down(outputs, targets):
    n = len(targets)
    w = 1.0
    while n > 0:
        w = w * 1.5
        n -= 1
    return {"loss": _err(outputs, targets) * w}


def counted_down_in_pairs(outputs, targets):
    n, w = len(targets), 1.0
    while n > 0:
        w, n = w * 1.5, n - 1
    return {"loss": _err(outputs, targets) * w}


def in_comprehension_filter(outputs, targets):
    w = [2.0 for _ in range(1) if len(targets) > 2] or [1.0]
    return {"loss": _err(outputs, targets) * w[0]}


def tensor_len(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if len(outputs["x"]) > 2 else 1.0)}


def stacked_rows(outputs, targets):
    y = torch.stack([t["y"] for t in targets])
    return {"loss": _err(outputs, targets) * (2.0 if y.shape[0] > 2 else 1.0)}


def doubled(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if 2 * len(targets) > 4 else 1.0)}


def picked_by_bounded(outputs, targets):
    return {"loss": _err(outputs, targets) * [1.0, 1.5, 2.0][min(len(targets), 2)]}


def tuple_copy(outputs, targets):
    ts = tuple(targets)
    return {"loss": _err(outputs, targets) * (2.0 if len(ts) > 2 else 1.0)}


def subclass_copy(outputs, targets):
    class Kept(list):
        pass
    return {"loss": _err(outputs, targets) * (2.0 if len(Kept(targets)) > 2 else 1.0)}


def bool_of_difference(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if bool(len(targets) - 2 > 0) else 1.0)}


# --- fixed in this session: the length passed to code the scan does not read; a test of what it
# returns (or of what a tensor made from it holds: ``.shape[0]``, ``.item()``) declines every group

def operator_gt(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if operator.gt(len(targets), 2) else 1.0)}


def math_ceil(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if math.ceil(len(targets) / 2) > 1 else 1.0)}


def as_string(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if str(len(targets)) in ("3", "4") else 1.0)}


def as_tensor(outputs, targets):
    n = torch.tensor(len(targets))
    return {"loss": _err(outputs, targets) * (2.0 if n > 2 else 1.0)}


def as_tensor_where(outputs, targets):
    n = torch.tensor(len(targets))
    return {"loss": _err(outputs, targets) * torch.where(n > 2, 2.0, 1.0)}


def numel_of_arange(outputs, targets):
    idx = torch.arange(len(targets))
    return {"loss": _err(outputs, targets) * (2.0 if idx.numel() > 2 else 1.0)}


def item_of_tensor(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if torch.tensor(len(targets)).item() > 2 else 1.0)}


def shape_of_zeros(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if torch.zeros(len(targets)).shape[0] > 2 else 1.0)}


def sum_of_ones(outputs, targets):
    n = torch.ones(len(targets)).sum()
    return {"loss": _err(outputs, targets) * (2.0 if n > 2 else 1.0)}


def len_of_arange(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if len(torch.arange(len(targets))) > 2 else 1.0)}


HANDLED = [via_dict, in_init, in_property, default_argument, truth, validated, map_len, bounded, counted_down,
           in_comprehension_filter, tensor_len, stacked_rows, doubled, picked_by_bounded, tuple_copy, subclass_copy,
           bool_of_difference]
FIXED = [operator_gt, math_ceil, as_string, as_tensor, as_tensor_where, numel_of_arange, item_of_tensor, shape_of_zeros,
         sum_of_ones, len_of_arange]


@pytest.mark.parametrize("body", HANDLED + FIXED, ids=lambda b: b.__name__)
def test_no_wrong_companion(body):
    assert not _wrong(body)


@pytest.mark.parametrize("body", FIXED, ids=lambda b: b.__name__)
def test_a_test_of_what_unread_code_returns_from_the_length_declines(body):
    """Before: the result was not followed, the batch's decision taken by every group (1r2s)."""
    got, want, said = split_outcome(body, *_batch(BATCHES["1r2s"]))
    assert not got, got
    # (session 47, fuzz47: arithmetic on the length now declines at the factor it computes, naming it)
    assert any("len() of the targets compared with" in s or "weights" in s
               or "a Python number computed from the number of images" in s for s in said), said


# near misses: the length passed to unread code whose result is not tested keeps the split
def arange_rows(outputs, targets):
    rows = torch.arange(len(targets))
    return {"loss": (outputs["x"][rows] - torch.stack([t["y"] for t in targets])).abs().mean()}


def viewed(outputs, targets):
    d = outputs["x"].view(len(targets), -1) - torch.stack([t["y"] for t in targets]).view(len(targets), -1)
    return {"loss": d.abs().mean()}


def ranged(outputs, targets):
    total = 0.0
    for b in range(len(targets)):
        total = total + (outputs["x"][b] - targets[b]["y"]).abs().mean()
    return {"loss": total / 4}


def logged(outputs, targets):
    note = [str(len(targets))]
    return {"loss": _err(outputs, targets) * (1.0 + 0.0 * len(note))}


def numpy_rows_index(outputs, targets):
    rows = torch.from_numpy(np.arange(len(targets)))
    return {"loss": (outputs["x"][rows] - torch.stack([t["y"] for t in targets])).abs().mean()}


def ones_per_image(outputs, targets):
    w = outputs["x"].new_ones(len(targets))
    return {"loss": ((outputs["x"] - torch.stack([t["y"] for t in targets])).abs().mean((1, 2)) * w).mean()}


def shape_passed_on(outputs, targets):
    y = torch.stack([t["y"] for t in targets]).reshape(torch.zeros(len(targets), 3, 4).shape)
    return {"loss": (outputs["x"] - y).abs().mean()}


def through_torch(outputs, targets):
    rows = torch.arange(len(targets))
    d = outputs["x"].index_select(0, rows) - torch.stack([t["y"] for t in targets])
    return {"loss": torch.nn.functional.l1_loss(d, torch.zeros_like(d)) * (2.0 if d.dim() > 2 else 1.0)}


@pytest.mark.parametrize("body", [arange_rows, viewed, ranged, logged, numpy_rows_index, ones_per_image,
                                  shape_passed_on, through_torch], ids=lambda b: b.__name__)
def test_the_length_given_to_unread_code_untested_keeps_the_split(body):
    for name, w in BATCHES.items():
        got, want, said = split_outcome(body, *_batch(w))
        assert set(got) == {"loss_real", "loss_synthetic"}, (name, said)
        assert not wrong_companions(got, want), (name, got, want)


# --- were silently wrong (strict xfails until session 21, see below) -----------------------------

def _big_ns(ns):
    return 2.0 if len(ns.t) > 2 else 1.0


def via_namespace(outputs, targets):
    return {"loss": _err(outputs, targets) * _big_ns(types.SimpleNamespace(t=targets))}


def generator_count(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if sum(1 for _ in targets) > 2 else 1.0)}


def list_of_iterator(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if len(list(iter(targets))) > 2 else 1.0)}


def enumerate_break(outputs, targets):
    w = 1.0
    for i, _ in enumerate(targets):
        if i >= 2:
            w = 2.0
            break
    return {"loss": _err(outputs, targets) * w}


def sliced(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if len(targets[1:]) > 1 else 1.0)}


def dunder_len(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if targets.__len__() > 2 else 1.0)}


def _count(ts):
    return 0 if not ts else 1 + _count(ts[1:])


def recursive(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if _count(targets) > 2 else 1.0)}


def reduced(outputs, targets):
    n = functools.reduce(lambda a, _: a + 1, targets, 0)
    return {"loss": _err(outputs, targets) * (2.0 if n > 2 else 1.0)}


def summed_map(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if sum(map(lambda t: 1, targets)) > 2 else 1.0)}


def numpy_rows(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if np.array(targets).shape[0] > 2 else 1.0)}


def fstring_key(outputs, targets):
    table = {"k1": 1.0, "k2": 1.0, "k3": 2.0, "k4": 2.0}
    return {"loss": _err(outputs, targets) * table[f"k{len(targets)}"]}


def loop_count(outputs, targets):
    n = 0
    for _ in targets:
        n += 1
    return {"loss": _err(outputs, targets) * (2.0 if n > 2 else 1.0)}


def dict_get(outputs, targets):
    return {"loss": _err(outputs, targets) * {3: 2.0, 4: 2.0}.get(len(targets), 1.0)}


def range_index(outputs, targets):
    w = 1.0
    for i in range(len(targets)):
        if i == 2:
            w = 2.0
    return {"loss": _err(outputs, targets) * w}


def any_of_range(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if any(i > 1 for i in range(len(targets))) else 1.0)}


def math_sqrt_factor(outputs, targets):
    return {"loss": _err(outputs, targets) * math.sqrt(len(targets))}


def walrus(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if (n := len(targets)) > 2 else 1.0 + 0 * n)}


def matched(outputs, targets):
    match len(targets):
        case 3 | 4:
            w = 2.0
        case _:
            w = 1.0
    return {"loss": _err(outputs, targets) * w}


def star_unpacked(outputs, targets):
    _, *rest = targets
    return {"loss": _err(outputs, targets) * (2.0 if len(rest) > 1 else 1.0)}


def getattr_len(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if getattr(targets, "__len__")() > 2 else 1.0)}  # noqa: B009


def count_of_a_group(outputs, targets):
    n = sum(t["loss_weight"] < 0.9 for t in targets)
    return {"loss": _err(outputs, targets) * (2.0 if n > 0 else 1.0)}


def filtered_length(outputs, targets):
    n = len([t for t in targets if t["loss_weight"] < 0.9])
    return {"loss": _err(outputs, targets) * (2.0 if n > 0 else 1.0)}


def islice_length(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if len(list(itertools.islice(targets, 3))) > 2 else 1.0)}


def zipped_length(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if len(list(zip(targets, range(10)))) > 2 else 1.0)}


def enumerated_length(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if len(list(enumerate(targets))) > 2 else 1.0)}


# fixed in session 21 (were strict xfails): what iterating the list computes (the list passed to code
# not read, a comprehension making Python values from it, a slice, a star-unpack, a loop's position or
# a local it steps by a constant), and the length stored through a walrus or a tuple, tested by a
# match, formatted or looked up with ``.get``: a test of it declines every group (no group's value
# is known)
ITERATED = [via_namespace, generator_count, list_of_iterator, enumerate_break, loop_count, reduced, summed_map,
            numpy_rows, islice_length, zipped_length, enumerated_length, count_of_a_group, filtered_length,
            star_unpacked, sliced, getattr_len, recursive, range_index, any_of_range]
SPELLED = [fstring_key, dict_get, walrus, matched, counted_down_in_pairs]


@pytest.mark.parametrize("body", ITERATED + SPELLED, ids=lambda b: b.__name__)
def test_a_test_of_what_iterating_the_list_computes_declines(body):
    """Before: silently the batch's decision for every group. Now no companion where a group's
    decision would differ or is not known, a warning naming the key and what was compared (the
    walrus's length: each group's own decision, ``(3 > 2)``)."""
    assert not _wrong(body)
    got, want, said = split_outcome(body, *_batch(BATCHES["1r2s"]))
    assert not got, got
    keyed = [s for s in said if "'loss'" in s]  # (session 38: a count filtered in a comprehension, then
    # compared, declines at the factor it chooses, naming it; the call's other keys keep their companions)
    assert keyed and all("len() of the targets compared" in s or "of a comprehension over the targets compared" in s
                         or "a Python number of the batch" in s and "by comparing" in s
                         or "a Python number computed from the number of images" in s for s in keyed), said


# near misses: iterating the targets to stack, sum per-image losses or count per-image rows keeps
# the exact split (the ubiquitous DETR pattern); a loop's position that only indexes; a count of
# iterations never tested
def summed_per_image(outputs, targets):
    total = 0.0
    for t, x in zip(targets, outputs["x"]):
        total = total + (x - t["y"]).abs().mean()
    return {"loss": total / 4}


def picked_by_position(outputs, targets):
    total = 0.0
    for i, t in enumerate(targets):
        total += (outputs["x"][i] - t["y"]).abs().mean()
    return {"loss": total / 4}


def rows_counted_per_image(outputs, targets):
    n = sum(len(t["y"]) for t in targets)  # DETR's num_boxes: the rows of each image's targets
    d = outputs["x"] - torch.stack([t["y"] for t in targets])
    return {"loss": d.abs().mean(2).sum() / max(n, 1)}


def skipped_per_image(outputs, targets):
    total = 0.0
    for t, x in zip(targets, outputs["x"]):
        if t["y"].numel() == 0:
            continue
        total = total + (x - t["y"]).abs().mean()
    return {"loss": total / 4}


def counted_not_tested(outputs, targets):
    n = 0
    for _ in targets:
        n += 1
    note = f"{n} images"
    return {"loss": _err(outputs, targets) * (1.0 + 0.0 * len(note))}


def weights_listed(outputs, targets):
    w = torch.tensor([t["loss_weight"] for t in targets])
    return {"loss": ((outputs["x"] - torch.stack([t["y"] for t in targets])).abs().mean((1, 2)) * w).mean()}


def walrus_of_a_tensor(outputs, targets):
    return {"loss": (d := _err(outputs, targets)) * (2.0 if d.dim() > 2 else 1.0)}


@pytest.mark.parametrize("body", [summed_per_image, picked_by_position, rows_counted_per_image, skipped_per_image,
                                  counted_not_tested, weights_listed, walrus_of_a_tensor], ids=lambda b: b.__name__)
def test_iterating_the_list_without_testing_a_count_keeps_the_split(body):
    for name, w in BATCHES.items():
        got, want, said = split_outcome(body, *_batch(w))
        assert set(got) == {"loss_real", "loss_synthetic"}, (name, said)
        assert not wrong_companions(got, want), (name, got, want)


def test_the_length_spelled_as_its_method_is_read_as_len():
    """``targets.__len__()`` (was: silently the batch's decision): read as ``len(targets)``."""
    got, want, said = split_outcome(dunder_len, *_batch(BATCHES["1r2s"]))
    assert not wrong_companions(got, want), (got, want)
    assert not got and any("len() of the targets compared (3 > 2)" in m for m in said), said


# --- fixed in session 22 (were strict xfails): a ``while`` loop that reads the list or a copy of it
# may run as many times as it holds, the number changing as the loop changes the list: what it
# computes is not known per group (Python numbers too), every group declines; an item read by position where an IndexError is caught is a test of
# the length (``targets[2]``: ``len > 2``, ``targets[-3]``: ``len > 2``, each group's own decision),
# any other read there (an index the code does not show, ``.pop()``, the list given to a call that
# may index it) declines every group

def while_popped(outputs, targets):
    ts, n = list(targets), 0
    while ts:
        ts.pop()
        n += 1
    return {"loss": _err(outputs, targets) * (2.0 if n > 2 else 1.0)}


def while_emptied_by_length(outputs, targets):
    ts = list(targets)
    w = 1.0
    while len(ts) > 0:
        ts.pop(0)
        w = w * 1.5
    return {"loss": _err(outputs, targets) * w}


def while_true_broken(outputs, targets):
    ts, n = sorted(targets, key=id), 0
    while True:
        if not ts:
            break
        ts = ts[1:]
        n = n + 1
    return {"loss": _err(outputs, targets) * (2.0 if n > 2 else 1.0)}


def popped_until_caught(outputs, targets):
    ts, n = list(targets), 0
    while True:
        try:
            ts.pop()
        except IndexError:
            break
        n += 1
    return {"loss": _err(outputs, targets) * (2.0 if n > 2 else 1.0)}


def try_index(outputs, targets):
    try:
        targets[2]
        w = 2.0
    except IndexError:
        w = 1.0
    return {"loss": _err(outputs, targets) * w}


def try_negative_index(outputs, targets):
    try:
        _ = targets[-3]["y"]
        w = 2.0
    except (KeyError, LookupError):
        w = 1.0
    return {"loss": _err(outputs, targets) * w}


def try_copy_index(outputs, targets):
    ts = tuple(targets)
    try:
        ts[2]
        w = 2.0
    except:  # noqa: E722
        w = 1.0
    return {"loss": _err(outputs, targets) * w}


def try_variable_index(outputs, targets, k=2):
    try:
        targets[k]
        w = 2.0
    except IndexError:
        w = 1.0
    return {"loss": _err(outputs, targets) * w}


def _third(ts):
    return ts[2]


def try_helper_lookup(outputs, targets):
    try:
        _third(targets)
        w = 2.0
    except builtins.LookupError:
        w = 1.0
    return {"loss": _err(outputs, targets) * w}


def try_helper(outputs, targets):
    try:
        _third(targets)
        w = 2.0
    except Exception:  # noqa: BLE001
        w = 1.0
    return {"loss": _err(outputs, targets) * w}


def while_popped_summing(outputs, targets):  # the mode would follow it; declined all the same
    ts, xs, total = list(targets), list(outputs["x"].unbind(0)), 0.0
    while ts:
        total = total + (xs.pop() - ts.pop()["y"]).abs().mean()
    return {"loss": total / 4}


WHILE_COUNTED = [while_popped, while_emptied_by_length, while_true_broken, popped_until_caught, while_popped_summing]
CAUGHT_BY_POSITION = [try_index, try_negative_index, try_copy_index]  # ``len > 2``, decided per group
CAUGHT_OTHERWISE = [try_variable_index, try_helper, try_helper_lookup]


@pytest.mark.parametrize("body", WHILE_COUNTED + CAUGHT_BY_POSITION + CAUGHT_OTHERWISE, ids=lambda b: b.__name__)
def test_a_while_loop_over_the_list_or_an_item_read_where_an_index_error_is_caught_tests_the_length(body):
    """Before: silently the batch's decision for every group (1r2s: 3 images, groups of 1 and 2)."""
    assert not _wrong(body)
    got, want, said = split_outcome(body, *_batch(BATCHES["1r2s"]))
    assert not got, got
    assert said and all("'loss'" in s and "len() of the targets compared" in s for s in said), said


@pytest.mark.parametrize("body", CAUGHT_BY_POSITION, ids=lambda b: b.__name__)
def test_an_item_read_by_position_where_an_index_error_is_caught_is_decided_per_group(body):
    """``targets[2]`` caught: ``len > 2``; a group of 3 of 4 images decides as the batch (kept),
    a group of 1 otherwise (declined); 2 images, groups of 1: both decide as the batch."""
    got, want, said = split_outcome(body, *_batch(BATCHES["3r1s"]))
    assert set(got) == {"loss_real"} and not wrong_companions(got, want), (got, want)
    assert any("group 'synthetic'" in s and "(4 > 2)" in s for s in said), said
    got, want, said = split_outcome(body, *_batch(BATCHES["1r1s"]))
    assert set(got) == {"loss_real", "loss_synthetic"} and not wrong_companions(got, want), (got, want, said)


@pytest.mark.parametrize("body", CAUGHT_OTHERWISE, ids=lambda b: b.__name__)
def test_another_read_of_the_list_where_an_index_error_is_caught_declines_every_group(body):
    got, want, said = split_outcome(body, *_batch(BATCHES["3r1s"]))
    assert not got and any("read where an IndexError is caught" in s for s in said), said


# near misses: a while loop that does not read the list, an item read outside any try or in a try catching only
# KeyError, a slice in a try: the exact split
def while_not_reading_the_list(outputs, targets):
    k, w = 0, 1.0
    while k < 3:
        w, k = w * 1.1, k + 1
    return {"loss": _err(outputs, targets) * (2.0 if k > 2 else w)}


def first_read_outside_a_try(outputs, targets):
    first = targets[0]
    return {"loss": _err(outputs, targets) * (2.0 if "y" in first else 1.0)}


def item_in_a_try_catching_key_error(outputs, targets):
    try:
        w = targets[0]["missing"]
    except KeyError:
        w = 1.0
    return {"loss": _err(outputs, targets) * w}


def sliced_in_a_try(outputs, targets):
    try:
        head = targets[:1]
    except IndexError:
        head = []
    return {"loss": _err(outputs, targets) * (1.0 + 0.0 * head[0]["loss_weight"])}


def len_in_a_try(outputs, targets):
    try:
        note = f"{len(targets)} images"
    except IndexError:
        note = ""
    return {"loss": _err(outputs, targets) * (1.0 + 0.0 * len(note))}


class _OwnError(Exception):
    pass


def call_in_a_try_catching_its_own_error(outputs, targets):
    try:
        d = _err(outputs, targets)
    except (_OwnError, torch.cuda.OutOfMemoryError):
        d = torch.zeros(())
    return {"loss": d}


def call_in_a_try_finally(outputs, targets):
    note = []
    try:
        d = _third_or_first(targets) and _err(outputs, targets)
    finally:
        note.append(1)
    return {"loss": d}


def _third_or_first(ts):
    return ts[-1] is not None


@pytest.mark.parametrize("body", [while_not_reading_the_list, first_read_outside_a_try,
                                  item_in_a_try_catching_key_error, sliced_in_a_try, len_in_a_try,
                                  call_in_a_try_catching_its_own_error, call_in_a_try_finally],
                         ids=lambda b: b.__name__)
def test_a_while_loop_or_a_try_not_testing_the_length_keeps_the_split(body):
    for name, w in BATCHES.items():
        got, want, said = split_outcome(body, *_batch(w))
        assert set(got) == {"loss_real", "loss_synthetic"}, (name, said)
        assert not wrong_companions(got, want), (name, got, want)


# fixed in session 22 (found then): a local a loop over the list steps by a literal other than a
# count's ``+= 1`` (``w = w * 1.5``, ``n += 2``) was a plain float to the mode, kept as a constant
# (the batch's on every group) where untested: any read of it but its own step declines every group
def for_compounded_factor(outputs, targets):
    w = 1.0
    for _ in targets:
        w = w * 1.5
    return {"loss": _err(outputs, targets) * w}


def for_stepped_by_two(outputs, targets):
    n = 0
    for _i, _ in enumerate(targets):
        n += 2
    return {"loss": _err(outputs, targets) * (1.0 + 0.1 * n)}


def for_range_halved(outputs, targets):
    w = 1.0
    for _ in range(len(targets)):
        w /= 2
    return {"loss": _err(outputs, targets) * w}


@pytest.mark.parametrize("body", [for_compounded_factor, for_stepped_by_two, for_range_halved],
                         ids=lambda b: b.__name__)
def test_a_number_stepped_by_a_literal_in_a_loop_over_the_list_declines(body):
    assert not _wrong(body)
    got, want, said = split_outcome(body, *_batch(BATCHES["1r2s"]))
    assert not got and any("stepped by a literal once per iteration over the targets" in s for s in said), said


# near misses: the same step in a loop not over the list, and a count's ``+= 1`` dividing (the mode
# reads it as the number of images): the exact split
def range_compounded_factor(outputs, targets):
    w = 1.0
    for _ in range(3):
        w = w * 1.5
    return {"loss": _err(outputs, targets) * w}


def counted_dividing(outputs, targets):
    total, n = 0.0, 0
    for t, x in zip(targets, outputs["x"]):
        total = total + (x - t["y"]).abs().mean()
        n += 1
    return {"loss": total / n}


@pytest.mark.parametrize("body", [range_compounded_factor, counted_dividing], ids=lambda b: b.__name__)
def test_a_constant_step_not_over_the_list_or_a_count_dividing_keeps_the_split(body):
    for name, w in BATCHES.items():
        got, want, said = split_outcome(body, *_batch(w))
        assert set(got) == {"loss_real", "loss_synthetic"}, (name, said)


# Session 22: a factor the code computes from the length through ``math`` / numpy functions or a
# local was a plain float to the mode (``math_sqrt_factor`` was a strict xfail): now declined.
def sqrt_of_a_local(outputs, targets):
    n = len(targets)
    return {"loss": _err(outputs, targets) * math.sqrt(n)}


def sqrt_stored(outputs, targets):
    s = math.sqrt(len(targets))
    return {"loss": _err(outputs, targets) * s}


def numpy_sqrt(outputs, targets):
    return {"loss": _err(outputs, targets) * np.sqrt(len(targets))}


def numpy_sqrt_stored(outputs, targets):
    s = np.sqrt(len(targets))
    return {"loss": _err(outputs, targets) * s}


def sqrt_imported_by_name(outputs, targets):
    return {"loss": _err(outputs, targets) * sqrt(len(targets))}


def sqrt_imported_and_stored(outputs, targets):
    s = sqrt(len(targets))
    return {"loss": _err(outputs, targets) * s}


def log_of_the_length_plus_one(outputs, targets):
    return {"loss": _err(outputs, targets) * (1 + math.log(len(targets)))}


def over_a_stored_sqrt(outputs, targets):
    s = math.sqrt(len(targets))
    return {"loss": _err(outputs, targets) / s}


def sum_over_the_sqrt_of_a_local(outputs, targets):
    n = len(targets)
    return {"loss": (outputs["x"] - torch.stack([t["y"] for t in targets])).abs().mean((1, 2)).sum() / math.sqrt(n)}


def over_a_numpy_sqrt(outputs, targets):
    return {"loss": _err(outputs, targets) / np.sqrt(len(targets))}


@pytest.mark.parametrize("body", [math_sqrt_factor, sqrt_of_a_local, sqrt_stored, numpy_sqrt, numpy_sqrt_stored,
                                  sqrt_imported_by_name, sqrt_imported_and_stored, log_of_the_length_plus_one,
                                  over_a_stored_sqrt, sum_over_the_sqrt_of_a_local, over_a_numpy_sqrt],
                         ids=lambda b: b.__name__)
def test_a_factor_computed_from_the_length_by_a_math_function_declines(body):
    for name, w in BATCHES.items():
        got, want, said = split_outcome(body, *_batch(w))
        assert not wrong_companions(got, want), (name, got, want)
        assert not got and any("'loss'" in m for m in said), (name, said)


DIM = 16


def sqrt_of_a_literal(outputs, targets):
    return {"loss": _err(outputs, targets) * math.sqrt(2.0)}


def sqrt_of_a_global(outputs, targets):
    return {"loss": _err(outputs, targets) * math.sqrt(DIM)}


def sqrt_of_the_feature_dim(outputs, targets):
    return {"loss": _err(outputs, targets) * math.sqrt(outputs["x"].shape[-1])}


def over_the_log_of_the_classes(outputs, targets):
    c = outputs["x"].shape[-1]
    return {"loss": _err(outputs, targets) / math.log(c)}


def numpy_sqrt_of_a_literal(outputs, targets):
    return {"loss": _err(outputs, targets) * np.sqrt(2.0)}


@pytest.mark.parametrize("body", [sqrt_of_a_literal, sqrt_of_a_global, sqrt_of_the_feature_dim,
                                  over_the_log_of_the_classes, numpy_sqrt_of_a_literal], ids=lambda b: b.__name__)
def test_a_math_function_of_no_count_keeps_the_split(body):
    for name, w in BATCHES.items():
        got, want, said = split_outcome(body, *_batch(w))
        assert set(got) == {"loss_real", "loss_synthetic"} and not said, (name, said)
        assert not wrong_companions(got, want), (name, got, want)


# The accumulator scaled in a loop over two images (``total = total * 0.5 + e``), pinned here as a
# strict xfail in session 22, declines since session 23: tests/test_loop_carried.py.
