"""Red team rt36a (session 35): adversarial bodies (``tests/_red_team36a_bodies.py``) against the rules
session 35 added: grp's paired rows (``Frame.pair``, ``_split._unlike_pairs``), rtm's window records
(``SplitMeter`` over calls with ``x / 0`` and NaN parts, a loss under several keys, a key both plain
and a part of another), s45's re-cut by position, s46's own-row ``searchsorted``, s47's several-``q``
``quantile`` and batched ``lstsq``. Each body against the oracle (the undecorated body on each group's
images alone, weight 1) on ``BATCHES`` (2 to 6 images, pairs of one group and across groups, odd
counts, a group absent; a group on which the body itself fails gives no companion); a window body
against the body on the concatenation of the window's rows of each group.

Measured on 29053d7 before any fix: 43 bodies, 1 exact (``lstsq_solution_scaled_by_count``), 39
declined, 3 silently WRONG; the 11 window bodies: 9 exact, 2 declined, none wrong. Of the WRONG:

- ``index_select_skipping_first`` (grp's rule): halves paired through ``index_select`` by
  ``arange(1, h)`` and ``arange(h + 1, 2 h)``: both maps keep the order and each pair is of one
  group, but on a group alone the pair skipped is the group's first, not the batch's. Fixed: images
  that neither map holds decline the call (``_unlike_pairs``), naming the op;
- ``quantile_q_from_the_count`` (s47's rule lets a tensor of several ``q`` through) and
  ``count_in_a_list_tensor_factor`` (WRONG on 7a20bd5 too): ``torch.tensor([0.1, 1 / (len(x) + 1)])``,
  a list display of a number computed from the count, was read as a constant (``counted_number``
  reads the call's plain-number operands, not the items of a list). Pinned on 9a8a567; declined
  since q1 (``_bytecode.counted_item`` reads a display's items: the tensor is lost, naming the op)."""

import math

import pytest
import torch
from _helpers import (
    Along,
    companions,
    group_name,
    images_by_group,
    logged_warnings,
    oracle,
    split_and_compare,
    wrong_companions,
)
from _red_team26_measure import pinned_params
from _red_team36a_bodies import BATCHES, BODIES, SHAPE, WINDOW_BODIES, WINDOW_CALLS

from losssplit import SplitMeter, sources, split_by_source

_KNOWN = "known WRONG (rt36a, session 35, not fixed): "
NOT_FIXED: dict[str, str] = {}  # name -> the strict xfail's reason (silently wrong, not fixed)
CLOSED = {  # pinned WRONG on 9a8a567, declined since q1: name -> what the decline names
    "quantile_q_from_the_count": "key 'loss': attribution to images was lost at torch.quantile",
    "count_in_a_list_tensor_factor": "key 'loss': attribution to images was lost at torch.tensor with a Python number "
                                     "the body computed from a length of its data",
}
WERE_WRONG = {  # WRONG on 29053d7, declined now: name -> what the decline names
    "index_select_skipping_first": "rows of different images were paired at Tensor.sub",
}
EXACT = {"lstsq_solution_scaled_by_count"}
ONE_GROUP = "each key's companion is its value as returned"  # the notice of a batch of one group, not a decline
WINDOW_EXACT = {name for name in WINDOW_BODIES if name not in ("window_over_zero_nan_to_num", "window_over_zero_minimum")}


def measure(name: str, body=None) -> tuple[str, dict]:
    """(``exact``, ``declined`` or ``WRONG``, per batch): exact where every batch gives every oracle
    companion and no warning; a batch on which the body itself fails is left out."""
    body, per = body or BODIES[name], {}
    for seed, labels in enumerate(BATCHES):
        g = torch.Generator().manual_seed(seed)
        args = [torch.randn(len(labels), SHAPE, generator=g).requires_grad_(), torch.randn(len(labels), SHAPE, generator=g)]
        try:
            body(*[a.detach() for a in args])
        except (RuntimeError, ValueError, IndexError):
            continue
        with logged_warnings() as said:
            got = companions(split_and_compare(body, args, labels))
        said = [m for m in said if ONE_GROUP not in m]
        want, failing = {}, set()
        for group, images in images_by_group(labels, group_name).items():
            try:
                values = oracle(body, args, [Along(0), Along(0)], images, "loss_weight")
            except (RuntimeError, ValueError, IndexError):
                failing.add(group)  # no oracle: no companion may be given
                continue
            want.update({f"{k}_{group}": v.item() for k, v in values.items() if v.numel() == 1 and math.isfinite(v.item())})
        wrong = wrong_companions(got, want) or {k: v for k, v in got.items() if k.rsplit("_", 1)[1] in failing}
        per[seed] = ("WRONG", wrong) if wrong else ("exact", None) if set(got) == set(want) and not said \
            else ("declined", said)
    classes = {c for c, _ in per.values()}
    return ("WRONG" if "WRONG" in classes else "exact" if classes == {"exact"} else "declined"), per


@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad=True to a scalar")
@pytest.mark.parametrize("name", pinned_params(BODIES, NOT_FIXED))
def test_every_body_splits_exactly_or_declines(name):
    """No body is wrong, crashes or changes the loss or its grads; each keeps its measured outcome
    (exact on every batch, or declined on some: a warning, or no companion of a key no image's rows
    reach, ``index_select`` of an empty ``arange``)"""
    got, per = measure(name)
    assert got == ("exact" if name in EXACT else "declined"), per


def test_the_tables_name_bodies_that_exist():
    assert EXACT | set(NOT_FIXED) | set(WERE_WRONG) | set(CLOSED) <= set(BODIES)
    assert not EXACT & (set(NOT_FIXED) | set(WERE_WRONG) | set(CLOSED)) and not set(NOT_FIXED) & set(WERE_WRONG)
    assert not NOT_FIXED and not set(CLOSED) & (set(NOT_FIXED) | set(WERE_WRONG))
    assert len(BODIES) == 43 and len(WINDOW_BODIES) == 11 and len(WINDOW_EXACT) == 9


@pytest.mark.parametrize("name", sorted(WERE_WRONG))
def test_the_decline_names_the_op(name):
    _, per = measure(name)
    said = [m for c, s in per.values() if c == "declined" for m in s]
    assert said and all(WERE_WRONG[name] in m and "no companions for this call" in m for m in said), said


@pytest.mark.parametrize("name", sorted(CLOSED))
def test_a_count_in_a_list_display_declines_naming_key_and_op(name):
    _, per = measure(name)
    said = [m for c, s in per.values() if c == "declined" for m in s]
    assert said and all(c != "WRONG" for c, _ in per.values()), per
    assert any(CLOSED[name] in m for m in said), said


def _tuple_display_factor(pred, ref):
    q = torch.tensor((0.1, 1.0 / (len(pred) + 1)))
    return {"loss": (pred * q[1]).mean()}


def _literal_list_factor(pred, ref):
    q = torch.tensor([0.1, 0.9])
    return {"loss": (pred * q[1]).mean()}


def _folded_list_factor(pred, ref):
    q = torch.tensor([0.1, 1 / 3])
    return {"loss": (pred * q[1]).mean()}


def _shape_list_factor(pred, ref):
    q = torch.tensor([0.1, 1.0 / (pred.shape[1] + 1)])  # the images' width, alike on every group
    return {"loss": (pred * q[1]).mean()}


def _literal_list_quantile(pred, ref):
    total = 0.0
    for i in range(len(pred)):
        lo, hi = torch.quantile(ref[i], torch.tensor([0.1, 0.9]))
        total = total + ((pred[i] - lo) / (hi - lo)).pow(2).mean()
    return {"loss": total / len(pred)}


@pytest.mark.parametrize("body, want", [(_tuple_display_factor, "declined"), (_literal_list_factor, "exact"),
                                        (_folded_list_factor, "exact"), (_shape_list_factor, "exact"),
                                        (_literal_list_quantile, "exact")])
def test_list_display_near_misses(body, want):
    got, per = measure(body.__name__, body)
    assert got == want, per


def _window(name: str, how: str) -> tuple[dict, dict, list[str]]:
    body, meter = WINDOW_BODIES[name], SplitMeter()
    criterion = split_by_source(body)
    with logged_warnings() as said:
        for (x, m), labels in WINDOW_CALLS:
            args = torch.tensor(x, requires_grad=True), torch.tensor(m)
            with sources(labels):
                if how == "update":
                    meter.update(criterion(*args))
                else:
                    with meter.collect():
                        criterion(*args)
        got = meter.compute()
    want = {}
    for group in ("a", "b"):
        rows = [(r, k) for (x, m), labels in WINDOW_CALLS for r, k, s in zip(x, m, labels) if s == group]
        for key, v in body(torch.tensor([r for r, _ in rows]), torch.tensor([k for _, k in rows])).items():
            want[f"{key}_{group}"] = v.item()
    return got, want, said


@pytest.mark.parametrize("how", ["update", "collect"])
@pytest.mark.parametrize("name", sorted(WINDOW_BODIES))
def test_a_window_value_is_the_windows_rows_or_missing_with_a_warning(name, how):
    got, want, said = _window(name, how)
    assert got == pytest.approx({k: v for k, v in want.items() if k in got}, rel=1e-6), (got, want)
    missing = {k for k, v in want.items() if math.isfinite(v) and k not in got}
    assert not missing if name in WINDOW_EXACT else missing and said, (missing, said)
