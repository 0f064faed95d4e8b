"""Readings of the body's code kept across calls (issue #15, session 34: the every-call cost) must
follow what the code calls now: ``_lengths._helper_field_tests`` is kept per code object and the
code of each global function it calls, so a helper rebound between calls (a test of the image's
weight in place of one reading no field) is read again."""

from __future__ import annotations

import pytest
from _helpers import rule_batch, rule_outcome, wrong_companions
from _red_team31_bodies import e1

BATCHES = [(0, [1.0, 0.5, 0.5, 1.0]), (1, [0.5, 1.0, 0.5]), (2, [1.0, 0.5])]


def _no_field(s):
    return True


def _is_full(s):
    return s["loss_weight"] == 1.0


_pick = _no_field  # rebound by the tests


def picked_by_helper(o, t):
    return {"loss": sum(e1(o, t, b) if _pick(s) else 3.0 * e1(o, t, b) for b, s in enumerate(t))}


def _outcomes() -> list[tuple[dict, dict, list[str]]]:
    return [rule_outcome(picked_by_helper, rule_batch(seed, weights)) for seed, weights in BATCHES]


def _assert_exact(outcomes: list[tuple[dict, dict, list[str]]]) -> None:
    for got, want, said in outcomes:
        assert got and not said and not wrong_companions(got, want), (got, want, said)


def _assert_declined(outcomes: list[tuple[dict, dict, list[str]]]) -> None:
    for got, _want, said in outcomes:
        assert got == {} and any("'loss'" in m and "weight" in m for m in said), (got, said)


@pytest.mark.parametrize("order", ["plain first", "weight test first"])
def test_a_helper_rebound_between_calls_is_read_again(monkeypatch: pytest.MonkeyPatch, order: str) -> None:
    """The same body's code, its global helper rebound: a weight test declines (on a group alone every
    weight is 1, so the body takes the other arm), a helper reading no field splits exactly, in
    either order (a reading kept by the body's code alone would keep the first helper's)."""
    first, second = (_no_field, _is_full) if order == "plain first" else (_is_full, _no_field)
    monkeypatch.setitem(globals(), "_pick", first)
    outcomes = _outcomes()
    _assert_exact(outcomes) if first is _no_field else _assert_declined(outcomes)
    monkeypatch.setitem(globals(), "_pick", second)
    outcomes = _outcomes()
    _assert_exact(outcomes) if second is _no_field else _assert_declined(outcomes)


def test_a_helper_whose_code_is_replaced_is_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same function object, its ``__code__`` replaced between calls (a reload): read again."""
    def helper(s):
        return True

    monkeypatch.setitem(globals(), "_pick", helper)
    _assert_exact(_outcomes())
    monkeypatch.setattr(helper, "__code__", _is_full.__code__)
    _assert_declined(_outcomes())
