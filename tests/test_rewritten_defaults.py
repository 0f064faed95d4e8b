"""A helper's default read as the call's constant only where no code may set it anew: a body that
rewrites ``fn.__defaults__`` (or ``__kwdefaults__``) with the images' count makes the helper's
``range(k)`` one over the images (pg37: was read as the constant it held when defined, the
batch's columns for every group: silently wrong since 72a05af). Kept in a module of its own: a
module naming a function's defaults anywhere proves none of its defaults. Compared with the oracle."""

from __future__ import annotations

import pytest
import torch
from _helpers import ROWS, TARGETS, rule_batch, split_outcome, wrong_companions

BATCHES = [(0, [1.0, 0.5, 0.5, 1.0]), (1, [0.5, 1.0, 0.5]), (2, [1.0, 0.5]), (4, [0.5, 1.0, 1.0, 1.0])]


def _errors(o, t):
    return (o["x"] - torch.stack([u["y"] for u in t])).abs()


def _decayed(e, k=3):
    total = 0.0
    for i in range(k):
        total = total + 0.5 ** i * e[..., i].mean()
    return total


def _decayed_kw(e, *, k=3):
    total = 0.0
    for i in range(k):
        total = total + 0.5 ** i * e[..., i].mean()
    return total


def defaults_rewritten(o, t):
    _decayed.__defaults__ = (len(t),)
    return {"loss": _decayed(_errors(o, t))}


def kwdefaults_rewritten(o, t):
    _decayed_kw.__kwdefaults__["k"] = len(t)
    return {"loss": _decayed_kw(_errors(o, t))}


@pytest.mark.parametrize("body", [defaults_rewritten, kwdefaults_rewritten])
def test_a_default_the_body_rewrites_declines(body):
    for seed, weights in BATCHES:
        got, want, said = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        assert not wrong_companions(got, want), (seed, said)
        assert not got and any("loss" in m for m in said), (seed, got)
