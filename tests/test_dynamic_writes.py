"""State a criterion reads as fixed (a loop's length, a skip test, a constant divisor) that code it
runs writes by name: ``setattr(self, "terms", ...)``, ``setattr(self, name, ...)``,
``self.__dict__["n"] = ...``, ``globals()["TERMS"] = ...``, or returns from a call in a loop's skip
test (``if k >= limit(): continue``). No store instruction names it, so the bytecode's search for
writes missed it and every group took the batch's value (red team, session 17: silently wrong).
Each body is compared with the oracle on the ``RULE_BATCHES``. A name written by a variable
(``setattr(owner, name, v)`` in ``_dynamic_writers``) may be any attribute: in this module, which
imports that helper, no attribute proves a fixed loop; the near misses (``setattr`` in ``__init__``,
tests of a loop's own items) are in tests/test_rules_fixed_loops.py, which does not."""

from __future__ import annotations

import _dynamic_writers
import pytest
import torch
from _helpers import ROWS, RULE_BATCHES, TARGETS, rule_batch, split_outcome, wrong_companions


def _product(x, targets):
    e = (x - torch.stack([t["y"] for t in targets])).abs()
    return e.mean() * e.pow(2).mean()


class _Terms(torch.nn.Module):
    """``for _ in self.terms`` after a helper of another module sets ``terms`` with ``setattr``."""

    def __init__(self):
        super().__init__()
        self.terms = ("a",)

    def forward(self, outputs, targets):
        _dynamic_writers.set_terms(self, targets)
        acc = torch.zeros(())
        for _ in self.terms:
            acc = acc + _product(outputs["x"], targets)
        return {"loss_terms": acc}


class _Named(torch.nn.Module):
    """``range(self.n)`` after ``setattr(self, name, ...)`` with the name in a variable."""

    def __init__(self):
        super().__init__()
        self.n = 1

    def forward(self, outputs, targets):
        _dynamic_writers.set_named(self, "n", targets)
        acc = torch.zeros(())
        for _ in range(self.n):
            acc = acc + _product(outputs["x"], targets)
        return {"loss_terms": acc}


class _SkippedByDict(torch.nn.Module):
    """``if k >= self.n: continue`` after ``self.__dict__["n"] = len(targets)``."""

    def __init__(self):
        super().__init__()
        self.n = 4

    def forward(self, outputs, targets):
        _dynamic_writers.set_in_dict(self, targets)
        acc = torch.zeros(())
        for k in range(4):
            if k >= self.n:
                continue
            acc = acc + _product(outputs["x"], targets)
        return {"loss_terms": acc}


class _SkippedByGetattr(torch.nn.Module):
    """``if k >= getattr(self, "n"): continue`` after a method sets ``self.n`` from the batch."""

    def __init__(self):
        super().__init__()
        self.n = 4

    def _count(self, targets):
        self.n = len(targets)

    def forward(self, outputs, targets):
        self._count(targets)
        acc = torch.zeros(())
        for k in range(4):
            if k >= getattr(self, "n"):  # noqa: B009 - the read by name under test
                continue
            acc = acc + _product(outputs["x"], targets)
        return {"loss_terms": acc}


_LIMIT = [4]


def _limit():
    return _LIMIT[0]


def _skipped_by_a_call(outputs, targets):
    """``if k >= _limit(): continue``: the helper returns what the body stored from the batch."""
    _LIMIT[0] = len(targets)
    acc = torch.zeros(())
    for k in range(4):
        if k >= _limit():
            continue
        acc = acc + _product(outputs["x"], targets)
    return {"loss_terms": acc}


def _over_a_global_set_through_globals(outputs, targets):
    _dynamic_writers.widen_terms(targets)
    acc = torch.zeros(())
    for _ in _dynamic_writers.TERMS:
        acc = acc + _product(outputs["x"], targets)
    return {"loss_terms": acc}


class _Scale(torch.nn.Module):
    """``/ self.scale`` after ``setattr(self, "scale", len(targets))``: no constant of the body."""

    def __init__(self):
        super().__init__()
        self.scale = 3

    def forward(self, outputs, targets):
        setattr(self, "scale", len(targets))  # noqa: B010 - the write by name under test
        e = (outputs["x"] - torch.stack([t["y"] for t in targets])).abs()
        return {"loss": e.sum() / self.scale}


def _outcome(body, seed, weights):
    return split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])


@pytest.mark.parametrize("make", [_Terms, _Named, _SkippedByDict, _SkippedByGetattr,
                                  lambda: _skipped_by_a_call, lambda: _over_a_global_set_through_globals],
                         ids=["setattr", "setattr_by_name", "__dict__", "getattr_in_test", "call_in_test", "globals"])
def test_state_written_by_name_proves_no_fixed_loop(make):
    """Were silently wrong (the batch's number of terms on every group): now declined, naming the key."""
    for seed, weights in RULE_BATCHES:
        got, want, said = _outcome(make(), seed, weights)
        assert not wrong_companions(got, want), (seed, got, want)
        assert want and not got, (seed, got)
        assert any("'loss_terms'" in m for m in said), (seed, said)


def test_an_attribute_set_with_setattr_is_no_constant_divisor():
    for seed, weights in RULE_BATCHES:
        got, want, said = _outcome(_Scale(), seed, weights)
        assert not wrong_companions(got, want), (seed, got, want, said)
