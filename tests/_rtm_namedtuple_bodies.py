"""Bodies of red team rtm (session 35, task B): a module that imports ``namedtuple`` by name, whose
code (``exec`` into its own namespace) writes no global of this module. A divisor that a function
of no argument computes from a constant list of this module is a constant; a list that a function
of this module refills is not (``tests/test_red_team35m.py``)."""

from __future__ import annotations

from collections import namedtuple

import torch

Pair = namedtuple("Pair", ["a", "b"])
CLASSES = ["car", "person", "bike"]  # never written: its length is a constant
ACTIVE = ["a", "b", "c"]  # refilled per batch by ``_activate``


def _err(o, t):
    return (o["x"] - torch.stack([s["y"] for s in t])).abs().mean((1, 2))


def classes_count(t):
    return len(CLASSES)


def active_count(t):
    return len(ACTIVE)


def _activate(t):
    ACTIVE[:] = [str(b) for b in range(len(t))]


def sum_over_classes_count(o, t):
    return {"loss": _err(o, t).sum() / classes_count(t)}


def sum_over_refilled_count(o, t):
    _activate(t)
    return {"loss": _err(o, t).sum() / active_count(t)}
