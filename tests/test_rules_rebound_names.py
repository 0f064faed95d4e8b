"""Rules that read a module-level name bound twice (helper rebind46, session 46; the binding-once
test is ``tests/test_module_hygiene.py``).

``mode._JOINS`` (``torch.cat``, ``concat``, ``concatenate``, ``stack``, ``hstack``, ``vstack``) was
rebound 2,700 lines below by the padded-width rules to ``stack``, ``cat``, ``concat``: the position
and count rules written for all six (``_count_met``, ``_position_values``) read the three, so
``torch.concatenate`` / ``hstack`` / ``vstack`` of one-element fills of a loop position or a count,
times the per-image losses, kept the batch's positions on every group (silently WRONG on every count
batch, 7 of the 12 bodies below). The padded rules keep their three (``_PADDED_JOINS``).

``_lengths._SIZE_READS`` was bound twice too; the weight field put through arithmetic with a number
of a size (``_with_a_count``) read the second, wider set, ``x.ndim`` included: one set now. With
``x.dim()`` (a method call the number test did not accept as a plain number) it was silently WRONG
on a call of one image of weight 0.5 (``_bytecode._number_shaped`` takes ``.dim()`` now)."""

from __future__ import annotations

import pytest
import torch
from _helpers import (
    ROWS,
    TARGETS,
    count_outcomes,
    outcome_class,
    rule_batch,
    rule_errors,
    split_outcome,
)
from _red_team26_bodies import E

_JOINED = {"cat": torch.cat, "concatenate": torch.concatenate, "hstack": torch.hstack,
           "vstack": lambda parts: torch.vstack(parts).flatten()}


def _position_fills(join):
    def body(o, t):
        return {"loss": (E(o, t) * join([torch.full((1,), float(i)) for i, _ in enumerate(t)])).sum()}
    return body


def _count_fills(join):
    def body(o, t):
        return {"loss": (E(o, t) * join([torch.full((1,), 1.0 / len(t)) for _ in t])).sum()}
    return body


def _int_position_fills(join):
    def body(o, t):
        return {"loss": (E(o, t) * join([torch.full((1,), i) for i, _ in enumerate(t)])).sum()}
    return body


@pytest.mark.parametrize("fills", [_position_fills, _count_fills, _int_position_fills], ids=lambda f: f.__name__[1:])
@pytest.mark.parametrize("join", list(_JOINED))
def test_a_join_of_fills_of_a_position_or_a_count_as_a_factor_declines(join, fills):
    """Was WRONG for concatenate / hstack / vstack of the position fills, concatenate of the count
    fills; cat declined already."""
    seen, said = count_outcomes(fills(_JOINED[join]))
    assert "wrong" not in seen and "declined" in seen, (seen, said)
    assert any("'loss'" in m for m in said), said


@pytest.mark.parametrize("join", list(_JOINED))
def test_a_join_of_int_position_fills_as_an_index_splits(join):
    """Near miss: the joined positions pick each image's own loss (DETR's batch index)."""
    def body(o, t):
        return {"loss": E(o, t)[_JOINED[join]([torch.full((1,), i) for i, _ in enumerate(t)])].sum()}
    seen, said = count_outcomes(body)
    assert seen == ["exact"] * len(seen), said


@pytest.mark.parametrize("join", list(_JOINED))
def test_a_join_of_constant_fills_as_a_factor_splits(join):
    """Near miss: a join of fills of one literal, the same on each image, is the body's coefficient."""
    def body(o, t):
        return {"loss": (E(o, t) * _JOINED[join]([torch.full((1,), 2.0) for _ in t])).sum()}
    seen, said = count_outcomes(body)
    assert seen == ["exact"] * len(seen), said


ONE = [(0, [0.5]), (1, [1.0]), (2, [0.5])]  # one image, its weight 0.5 (1 in the oracle) or 1


def bounded_by_ndim_times_the_weight(o, t):
    return {"loss": rule_errors(o, t).clamp(max=0.3 * o["x"].ndim * t[0]["loss_weight"]).mean()}


def bounded_by_dim_times_the_weight(o, t):
    return {"loss": rule_errors(o, t).clamp(max=0.3 * o["x"].dim() * t[0]["loss_weight"]).mean()}


def raised_to_ndim_times_the_weight_in_a_local(o, t):
    e = rule_errors(o, t)
    w = t[0]["loss_weight"]
    return {"loss": (e + 0.1).pow(1 + e.ndim * w).mean()}


def sliced_by_dim_times_the_weight(o, t):
    e = rule_errors(o, t)
    return {"loss": e[..., :int(e.dim() * 2 * t[0]["loss_weight"])].mean()}


@pytest.mark.parametrize("body", [bounded_by_ndim_times_the_weight, bounded_by_dim_times_the_weight,
                                  raised_to_ndim_times_the_weight_in_a_local, sliced_by_dim_times_the_weight],
                         ids=lambda f: f.__name__)
def test_the_weight_times_a_number_of_dims_on_one_image_declines(body):
    """On a call of one image of weight 0.5 the number is 0.5 times the oracle's (its weight is 1 there):
    the weight field read by position through arithmetic with a tensor's number of dims declines
    (``.dim()`` was silently WRONG: 3 of 3 batches of weight 0.5); weight 1 is the call's own oracle."""
    for seed, weights in ONE:
        got, want, said = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        if weights == [1.0]:
            assert outcome_class(got, want) == "exact", (seed, said)
            continue
        assert got == {}, (seed, got, want)
        assert any("'loss'" in m for m in said), said


@pytest.mark.parametrize("seed, weights", ONE + [(0, [1.0, 0.5, 0.5, 1.0]), (1, [0.5, 1.0, 0.5])])
def test_a_bound_of_dims_alone_splits(seed, weights):
    """Near miss: ``0.3 * x.dim()`` without the weight is the same on every group."""
    def body(o, t):
        return {"loss": rule_errors(o, t).clamp(max=0.3 * o["x"].dim()).mean()}
    got, want, said = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
    assert outcome_class(got, want) == "exact" and not said, said
