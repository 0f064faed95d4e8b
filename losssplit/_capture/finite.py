"""Finiteness tests of a reduced loss (``if torch.isnan(loss):``, ``assert (l == l).item() == 1``,
``if not torch.isfinite(loss).all():``): a decision the body's code takes on the loss's value.

On a group alone the body tests the group's value, which may be NaN or infinite where the batch's is
not (``0 / 0`` over a group without valid pixels, a variance of one element, an image's NaN) or
finite where the batch's is not. Where the tested value is one the split computes per group -- a
ratio (``branch_value``) or an expression of ratios (``Track.formula``, a sum of ratios) -- the test
is noted (``Frame.noted_test``) and a branch on it is decided per group (``_split._turned``): a group
that alone would decide otherwise gets no companions, with one warning naming the test; the others
keep theirs. An ``assert`` is such a branch: a group on which it would fail alone has no value.
``math.isnan(loss.item())`` tested right away is one too (``read_tested``); ``torch.nan_to_num(loss)``
is the value where it is finite, with a branch on that (``nan_to_num_kept``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch

from .. import _formula
from ._bytecode import finiteness_of_result
from .formulas import MAX_RATIOS, leaves
from .mode import FINITE_READ, Branch, Frame, Tensor, Tested, branch_value, op_name
from .ratio import Ratio, version_of

# what each test gives of a value (``not*``: ``x == x`` is ``not isnan(x)``; ``~torch.isfinite(x)``)
TESTS: dict[str, Any] = {
    "isnan": torch.isnan, "isfinite": torch.isfinite, "isinf": torch.isinf,
    "notnan": lambda v: ~torch.isnan(v), "notfinite": lambda v: ~torch.isfinite(v), "notinf": lambda v: ~torch.isinf(v),
}
NEGATED = {"isnan": "notnan", "isfinite": "notfinite", "isinf": "notinf",
           "notnan": "isnan", "notfinite": "isfinite", "notinf": "isinf"}
_OF = {torch.isnan: "isnan", Tensor.isnan: "isnan", torch.isfinite: "isfinite", Tensor.isfinite: "isfinite",
       torch.isinf: "isinf", Tensor.isinf: "isinf"}
_NEGATIONS = frozenset({Tensor.logical_not, torch.logical_not, Tensor.__invert__})
_SAME = frozenset({Tensor.any, torch.any, Tensor.all, torch.all, Tensor.bool})


def tested_value(frame: Frame, x: Any) -> Ratio | Tested | None:
    """What a test of the one-element ``x`` tests, if the split computes it per group: its ratio,
    or its expression of ratios, each over the images' rows (not one image's, nor a piece taken by
    position: those groups' values are not the body's there)."""
    track = frame.get(x) if isinstance(x, Tensor) and x.numel() == 1 and x.is_floating_point() else None
    if track is None:
        return None
    if track.lost_at is None and track.formula is None and not track.parts:
        return track.ratio if branch_value(track.ratio) else None
    found = leaves(track)
    if found is None:
        return None
    expr, ratios = found
    if not ratios or len(ratios) > MAX_RATIOS or not all(
            branch_value(r) and r.host_image is None and r.row_dim >= 0 and not frame.by_position(r.rows) for r in ratios):
        return None
    return ratios[0] if expr == _formula.part(0) else Tested(expr, ratios)


def note_test(frame: Frame, func: Any, args: tuple, out: Any) -> None:
    """``torch.isnan(loss)`` (``isfinite``, ``isinf``) of a value the split computes per group; the
    negation (``~``, ``logical_not``) or ``any()`` / ``all()`` of such a one-element test."""
    if not args or not isinstance(out, Tensor) or out.numel() != 1 or out.dtype != torch.bool:
        return
    src = args[0]
    name = _OF.get(func)
    if name is not None:
        value = tested_value(frame, src)
        if value is not None:
            frame.noted_test(out, name, value, _limit(src), f"{op_name(func)} of a reduced loss")
        return
    if func not in _NEGATIONS and func not in _SAME or not isinstance(src, Tensor):
        return
    held = frame.tests.get(id(src))
    if held is None or held[0] is not src or held[1] != version_of(src) or held[3] not in NEGATED:
        return
    _, _, value, op, limit, where = held
    frame.noted_test(out, NEGATED[op] if func in _NEGATIONS else op, value, limit, where)


def note_self_comparison(frame: Frame, func: Any, a: Any, b: Any, out: Any) -> bool:
    """``loss == loss`` (``!=``): whether the value is (not) NaN, noted as ``note_test``'s. Whether it
    was one."""
    if a is not b or not isinstance(out, Tensor) or out.numel() != 1:
        return False
    op = getattr(func, "__name__", "").strip("_")
    if op not in ("eq", "ne"):
        return False
    value = tested_value(frame, a)
    if value is not None:
        frame.noted_test(out, "notnan" if op == "eq" else "isnan", value, _limit(a),
                         f"{op_name(func)} of a reduced loss with itself")
    return True


def nan_to_num_kept(frame: Frame, args: tuple, out: Any) -> bool:
    """``torch.nan_to_num(loss)`` of a value the split computes per group: the value itself on a group
    whose value is finite, as on the batch where it is finite. Followed as the value, with a branch
    on its finiteness whose batch outcome is read with the split's read: a group that alone is not
    finite, or is where the batch is not, gets no companions. Whether it was."""
    src = args[0] if args else None
    value = tested_value(frame, src) if isinstance(src, Tensor) else None
    if value is None or not isinstance(src, Tensor) or not isinstance(out, Tensor) or out.shape != src.shape:
        return False
    track = frame.get(src)
    assert track is not None
    frame.set(out, track)
    taken = torch.isfinite(src.detach()).reshape(())
    frame.branch(Branch(value, "isfinite", _limit(src), taken, "torch.nan_to_num of a reduced loss"))
    return True


def read_tested(frame: Frame, x: Tensor, out: float) -> bool:
    """``math.isnan(loss.item())`` (``isinf``, ``isfinite``) tested for truth right away, of a value
    the split computes per group: a branch on it (the number goes nowhere else). Whether it was."""
    value = tested_value(frame, x)
    name = finiteness_of_result() if value is not None else None
    if value is None or name is None:
        return False
    frame.branch(Branch(value, name, _limit(x), getattr(math, name)(out), f"math.{name} of a reduced loss read by Tensor.item"))
    return True


FINITE_READ.append(read_tested)


def _limit(x: Tensor) -> float:
    """Half the largest number of ``x``'s dtype (``Branch.than`` of a finiteness test): a group's
    value beyond it, computed in float64, may be infinite in that dtype on the group alone."""
    return torch.finfo(x.dtype).max / 2


_UNARY: dict[str, Callable[[Tensor], Tensor]] = {
    "neg": torch.neg, "abs": torch.abs, "exp": torch.exp, "exp2": torch.exp2, "expm1": torch.expm1, "log": torch.log,
    "log2": torch.log2, "log10": torch.log10, "log1p": torch.log1p, "sqrt": torch.sqrt, "rsqrt": torch.rsqrt,
    "square": torch.square, "reciprocal": torch.reciprocal, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "cosh": torch.cosh,
    "value": lambda v: v,
}
_BINARY: dict[str, Callable[[Tensor, Tensor], Tensor]] = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "pow": torch.pow,
           # ``clamp``'s bounds: NaN stays NaN, as torch's
           "max": lambda x, y: torch.where(x.isnan(), x, torch.maximum(x, y)),
           "min": lambda x, y: torch.where(x.isnan(), x, torch.minimum(x, y))}
assert set(_UNARY) == set(_formula.UNARY)


def evaluate(expr: _formula.Expr, parts: Sequence[torch.Tensor], limit: float) -> tuple[torch.Tensor, torch.Tensor]:
    """``expr`` of the groups' values of its ratios (``parts``, [groups] float64 each), in torch's
    arithmetic (``x / 0`` is infinite, as the body's); and where some step's finite value is beyond
    ``limit`` (half the largest number of the tested value's dtype): on a group alone, in that dtype,
    it may overflow where float64 does not, so its finiteness there is not known."""
    beyond = torch.zeros_like(parts[0], dtype=torch.bool)

    def run(e: _formula.Expr) -> torch.Tensor:
        nonlocal beyond
        if e[0] == "p":
            v = parts[e[1]]
        elif e[0] == "c":
            v = torch.full_like(parts[0], e[1])
        elif e[0] == "pow":
            v = torch.pow(run(e[1]), e[2])
        elif len(e) == 2:
            v = _UNARY[e[0]](run(e[1]))
        else:
            v = _BINARY[e[0]](run(e[1]), run(e[2]))
        beyond = beyond | (v.isfinite() & (v.abs() > limit))
        return v

    return run(expr), beyond
