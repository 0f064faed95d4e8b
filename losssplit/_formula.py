"""A scalar function of several ratios (``exp(-nll.sum() / mask.sum())``, ``sqrt(mse.mean())``,
``sqrt(var(g) + 0.15 * mean(g) ** 2)``): the expression the body applied to its reduced losses.

Each ratio is split by group on its own (its ``(num, den)``), so the group's value is the
expression of the group's ratios -- what the body computes on the group alone -- and a window of
calls evaluates it once on the window's sums. An expression is a tree of tuples: ``("p", i)`` the
i-th ratio, ``("c", x)`` a constant of the body, ``(name, e)`` a function of one value,
``("pow", e, x)``, and ``(op, e, f)`` for ``add``, ``sub``, ``mul``, ``div``, ``max``, ``min``
(``clamp``'s bounds), ``nan_to`` (``f`` where ``e`` is NaN), and the comparisons ``eq`` .. ``le`` (1 where it holds, else 0). Its text form (in names that travel between ranks) is ``exp(neg(p0))``,
``add(p0,mul(c0.15,p1))``.

Pure Python, no torch: the same arithmetic runs in the capture, the split and the meter.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

Expr = tuple[Any, ...]
Number = int | float


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


def _over_zero(x: float, y: float) -> float:
    """``x / 0`` as torch computes it: NaN for ``0 / 0`` (or NaN), else an infinity of the sign of
    ``x`` times that of the zero (``torch.where(torch.isnan(f1), 0, f1)`` then tells them apart)."""
    if x == 0 or x != x:
        return math.nan
    return math.copysign(math.inf, x) * math.copysign(1.0, y)


UNARY: dict[str, Callable[[float], float]] = {
    "neg": lambda x: -x,
    "abs": abs,
    "exp": math.exp,
    "exp2": lambda x: 2.0**x,
    "expm1": math.expm1,
    "log": math.log,
    "log2": math.log2,
    "log10": math.log10,
    "log1p": math.log1p,
    "sqrt": math.sqrt,
    "rsqrt": lambda x: 1 / math.sqrt(x),
    "square": lambda x: x * x,
    "reciprocal": lambda x: 1 / x,
    "sigmoid": _sigmoid,
    "tanh": math.tanh,
    "cosh": math.cosh,
    "value": lambda x: x,
}
"""Functions of one value an expression may apply, by name (as the torch op is named; ``value``,
named after no torch op, marks a key's value as returned: ``AS_RETURNED``)."""

AS_RETURNED = ("value", ("p", 0))
"""A key's value as returned, its one part ``(value, 1)`` (``_split.returned_values``): a window
averages its calls' values, and pools them with no record of another kind (the key's ratios on
other calls), which the meter omits with a warning."""

_BINARY: dict[str, Callable[[float, float], float]] = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / y if y else _over_zero(x, y),
    "pow": lambda x, y: x**y,
    "max": lambda x, y: x if x >= y or x != x else y,  # ``clamp(min=y)``: NaN stays NaN, as torch's
    "min": lambda x, y: x if x <= y or x != x else y,  # ``clamp(max=y)``
    # ``torch.where(torch.isnan(x), y, x)``: ``y`` where ``x`` is NaN
    "nan_to": lambda x, y: y if x != x else x,
    # a comparison is 1 where it holds, else 0 (NaN compares as torch's does: unequal to all)
    "eq": lambda x, y: float(x == y),
    "ne": lambda x, y: float(x != y),
    "gt": lambda x, y: float(x > y),
    "ge": lambda x, y: float(x >= y),
    "lt": lambda x, y: float(x < y),
    "le": lambda x, y: float(x <= y),
}


def part(i: int) -> Expr:
    return ("p", i)


def const(x: Number) -> Expr:
    return ("c", float(x))


def total(n: int) -> Expr:
    """The sum of ratios ``0 .. n-1`` (a loss that adds ratios)."""
    expr = part(0)
    for i in range(1, n):
        expr = ("add", expr, part(i))
    return expr


def shifted(expr: Expr, by: int) -> Expr:
    """``expr`` with every ratio index moved up by ``by`` (the right operand of a binary op)."""
    if expr[0] == "p":
        return ("p", expr[1] + by)
    if expr[0] == "c":
        return expr
    if expr[0] == "pow":
        return ("pow", shifted(expr[1], by), expr[2])
    return (expr[0],) + tuple(shifted(e, by) for e in expr[1:])


def renumbered(expr: Expr, moved: dict[int, int]) -> Expr:
    """``expr`` with ratio ``i`` read as ratio ``moved[i]`` (two expressions over one list)."""
    if expr[0] == "p":
        return ("p", moved[expr[1]])
    if expr[0] == "c":
        return expr
    if expr[0] == "pow":
        return ("pow", renumbered(expr[1], moved), expr[2])
    return (expr[0],) + tuple(renumbered(e, moved) for e in expr[1:])


def evaluate(expr: Expr, values: Sequence[float]) -> float:
    """The value of ``expr`` with ratio i equal to ``values[i]``; NaN where a function is not
    defined there (``log`` of 0 or less, ``sqrt`` of a negative, a division by 0), inf on overflow."""
    try:
        return _evaluate(expr, values)
    except OverflowError:
        return math.inf
    except (ValueError, ZeroDivisionError):
        return math.nan


def of_parts(pairs: Sequence[tuple[float, float]], expr: Expr | None) -> float:
    """The value of a companion made of ratios ``pairs`` ((num, den) each): their sum, where a part
    with den 0 (gated off for the group) adds nothing; or ``expr`` of them, NaN where a part has
    den 0."""
    if expr is None:
        return sum(num / den for num, den in pairs if den)
    if not all(den for _, den in pairs) and reads(expr, "nan_to"):
        return math.nan  # (the body's own x / 0 may be inf, which ``nan_to`` keeps: not told apart here)
    return evaluate(expr, [num / den if den else math.nan for num, den in pairs])


def reads(expr: Expr, op: str) -> bool:
    """Whether ``expr`` applies ``op`` anywhere."""
    return expr[0] == op or expr[0] not in ("p", "c") and any(
        isinstance(e, tuple) and reads(e, op) for e in expr[1:])


def _evaluate(expr: Expr, values: Sequence[float]) -> float:
    op = expr[0]
    if op == "p":
        return float(values[expr[1]])
    if op == "c":
        return float(expr[1])
    if op == "pow":
        result = _evaluate(expr[1], values) ** expr[2]
        if isinstance(result, complex):
            raise ValueError("a negative base to a fractional power")
        return float(result)
    if op in UNARY:
        return float(UNARY[op](_evaluate(expr[1], values)))
    return float(_BINARY[op](_evaluate(expr[1], values), _evaluate(expr[2], values)))


def text(expr: Expr) -> str:
    """The text form of ``expr`` (``exp(neg(p0))``); :func:`parse` reads it back exactly."""
    op = expr[0]
    if op == "p":
        return f"p{expr[1]}"
    if op == "c":
        return f"c{float(expr[1])!r}"
    if op == "pow":
        return f"pow({text(expr[1])},c{float(expr[2])!r})"
    return f"{op}({','.join(text(e) for e in expr[1:])})"


def parse(source: str) -> Expr:
    """The expression written by :func:`text`; ``ValueError`` for anything else."""
    expr, end = _parse(source, 0)
    if end != len(source):
        raise ValueError(f"unexpected text after an expression: {source!r}")
    return expr


def _parse(s: str, k: int) -> tuple[Expr, int]:
    after = s[k + 1 : k + 2]
    if s.startswith("p", k) and after.isdigit():
        end = _token_end(s, k + 1)
        return ("p", int(s[k + 1 : end])), end
    if s.startswith("c", k) and (after.isdigit() or after in ("-", "+", ".", "i", "n")):
        end = _token_end(s, k + 1)
        value = float(s[k + 1 : end])
        if not math.isfinite(value):
            raise ValueError(f"a constant that is not finite in {s!r}")
        return ("c", value), end
    open_at = s.find("(", k)
    name = s[k:open_at] if open_at > k else ""
    if name not in UNARY and name not in _BINARY:
        raise ValueError(f"unknown function {name!r} in {s!r}")
    args, k = [], open_at + 1
    while True:
        arg, k = _parse(s, k)
        args.append(arg)
        if k < len(s) and s[k] == ",":
            k += 1
            continue
        if k < len(s) and s[k] == ")":
            break
        raise ValueError(f"malformed expression {s!r}")
    if len(args) != (1 if name in UNARY else 2) or name == "pow" and args[1][0] != "c":
        raise ValueError(f"wrong arguments to {name!r} in {s!r}")
    if name == "pow":
        return ("pow", args[0], args[1][1]), k + 1
    return (name, *args), k + 1


def _token_end(s: str, k: int) -> int:
    end = k
    while end < len(s) and s[end] not in ",()":
        end += 1
    return end
