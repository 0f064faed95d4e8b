"""The literal arguments of an op, proved constants where the body also computes numbers from a
count of its images (survey 54's supervised SimCSE: ``[0.0] * (n + i)`` over ``range(n)`` with
``n = anchor.size(0)`` made 0 to 7 numbers of the batch, and ``dim=1`` equals one by value): a
literal of ``torch.linalg.vector_norm`` (its builtin named ``linalg_vector_norm``), of a method of
the result of arithmetic (``(a - b).norm(dim=1)``), and a default that a torch function written in
Python hands on itself (``F.normalize``'s ``p=2.0``) are constants of the call, and the key splits.
Near misses: the same arguments computed from the count decline with a warning naming the key."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import ROWS, outcome_class, split_outcome
from _survey import LIBRARY_SOURCES, gen


def _outcomes(body):
    """"wrong", "exact" or "declined" of key ``v`` on each batch of ``LIBRARY_SOURCES``, and the
    warnings."""
    seen, said = [], []
    for seed, labels in enumerate(LIBRARY_SOURCES):
        g = gen(seed + 5401)
        b = len(labels)
        args = [torch.randn(b, 6, generator=g).requires_grad_(), torch.randn(b, 6, generator=g)]
        got, want, warned = split_outcome(body, args, [ROWS, ROWS], labels)
        got = {k: v for k, v in got.items() if k.startswith("v_")}
        want = {k: v for k, v in want.items() if k.startswith("v_")}
        seen.append(outcome_class(got, want))
        said += warned
    return seen, said


def _with_counted(value):
    """A body that builds SimCSE's hard-negative weight rows from the batch's size and returns
    ``value(a, b)`` as ``v``."""

    def body(anchor, positive):
        n = anchor.size(0)
        weights = torch.tensor([[0.0] * (n + i) + [1.0] + [0.0] * (n - i - 1) for i in range(n)])
        return {"v": value(anchor, positive), "w": weights.sum() * anchor.mean()}

    return body


LITERALS = {
    "vector_norm_keyword": lambda a, b: torch.linalg.vector_norm(a - b, dim=1).mean(),
    "vector_norm_positional": lambda a, b: torch.linalg.vector_norm(a - b, 2, 1).mean(),
    "norm_of_a_difference": lambda a, b: (a - b).norm(dim=1).pow(2).mean(),
    "norm_p_of_a_difference": lambda a, b: (a * 2 - b).norm(p=2, dim=1).mean(),
    "normalize_default_p": lambda a, b: (F.normalize(a, dim=1) * b).sum(1).mean(),
    "simcse_alignment": lambda a, b: (F.normalize(a.detach(), dim=1) - F.normalize(b, dim=1)).norm(dim=1).pow(2).mean(),
}


@pytest.mark.parametrize("name", LITERALS)
def test_literals_and_forwarded_defaults_of_an_op_are_constants_beside_counted_numbers(name):
    seen, said = _outcomes(_with_counted(LITERALS[name]))
    assert seen == ["exact"] * 4, (seen, said)


def _counted_argument(value):
    """Near miss: the op's argument computed from the batch's size (``k = n - 3``, 1 on four images)."""

    def body(anchor, positive):
        n = anchor.size(0)
        k = n - 3 if n > 3 else 1
        return {"v": value(anchor, positive, k), "w": anchor.mean()}

    return body


COUNTED = {
    "vector_norm_ord": lambda a, b, k: torch.linalg.vector_norm(a - b, k + 1, 1).mean(),
    "norm_p_of_a_difference": lambda a, b, k: (a - b).norm(p=k + 1, dim=1).mean(),
    "normalize_p": lambda a, b, k: (F.normalize(a, p=k + 1, dim=1) * b).sum(1).mean(),
}


@pytest.mark.parametrize("name", COUNTED)
def test_the_same_arguments_computed_from_the_count_decline(name):
    seen, said = _outcomes(_counted_argument(COUNTED[name]))
    assert seen[0] == "declined" and "wrong" not in seen, seen
    assert any("'v'" in m for m in said), said
