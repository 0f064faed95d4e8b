"""A divisor ``len(targets) * K`` whose constant is a module global or a configured attribute (issue #13, B1).

Survey 13's per-image nearest-query assigner divides its class CE by ``len(targets) * NQ``, ``NQ`` a
module constant: on a group alone the body divides by the group's images times ``NQ``. The rule of
``_bytecode.constant_times_length`` (rt39: ``/ (len(t) * accum_steps)``) read the other factor only as a
literal or a local, so the global declined as "a number computed from len(targets)". It now reads the
factor as ``_constant_of_call`` reads constants: a global no code of its module assigns, ``self.k``
assigned only by ``__init__``, arithmetic of those.

Near misses that decline: a global a function of the module assigns (``global``), an attribute a method
other than ``__init__`` assigns, the count times a size of the batch's rows or of the first image's
labels (on a group alone the group's), and the count times an argument.
"""

from __future__ import annotations

import pytest
from _helpers import check_count_exact, count_outcomes

NQ = 3
SCALE = 2.5
MOVED = 3


def _sq(outputs):
    return (outputs["x"] ** 2).sum()


def over_count_times_global(outputs, targets):
    return {"loss": _sq(outputs) / (len(targets) * NQ)}


def over_global_times_count(outputs, targets):
    return {"loss": _sq(outputs) / (NQ * len(targets))}


def over_count_times_global_arithmetic(outputs, targets):
    return {"loss": _sq(outputs) / (len(targets) * (NQ * SCALE))}


def over_local_product_of_global(outputs, targets):
    norm = len(targets) * NQ
    return {"loss": _sq(outputs) / norm}


class Criterion:
    def __init__(self, queries: int = 3) -> None:
        self.queries = queries

    def forward(self, outputs, targets):
        return {"loss": _sq(outputs) / (len(targets) * self.queries)}


class Retuned(Criterion):
    def retune(self, q: int) -> None:
        self.queries = q


def _move(n: int) -> None:
    global MOVED
    MOVED = n


def over_count_times_assigned_global(outputs, targets):
    return {"loss": _sq(outputs) / (len(targets) * MOVED)}


def over_count_times_row_size(outputs, targets):
    return {"loss": _sq(outputs) / (len(targets) * outputs["x"].shape[0])}


def over_count_times_first_labels(outputs, targets):
    per = len(targets[0]["labels"])
    return {"loss": _sq(outputs) / (len(targets) * per)}


def over_count_times_images_by_value(outputs, targets):
    n = float(outputs["x"].shape[0])
    return {"loss": _sq(outputs) / (len(targets) * n)}


@pytest.mark.parametrize("body", [over_count_times_global, over_global_times_count,
                                  over_count_times_global_arithmetic, over_local_product_of_global,
                                  Criterion().forward])
def test_count_times_a_constant_of_the_call_splits_as_the_oracle(body):
    check_count_exact(body)


@pytest.mark.parametrize("body", [over_count_times_assigned_global, Retuned().forward, over_count_times_row_size,
                                  over_count_times_first_labels, over_count_times_images_by_value])
def test_count_times_a_factor_not_proven_constant_declines(body):
    seen, said = count_outcomes(body)
    assert "wrong" not in seen and set(seen) == {"declined"}, (seen, said)
    assert any("'loss'" in m for m in said), said

