"""Scalar functions of reduced losses that are no ratio: ``exp(-logp.sum() / mask.sum())``
(perplexity), ``sqrt(mse.mean())``, ``10 * sqrt(g2.mean() - 0.85 * g.mean() ** 2)`` (a pooled
scale-invariant log loss), ``a.mean() * b.mean()``, ``torch.var(g)`` / ``torch.std(g)`` of the
pooled values of several images.

The body applies a function to values that each split by group as a ratio. On the group alone it
applies the same function to the group's ratios, so the companion is the expression evaluated on
them: the track keeps the expression and its ratios (``Track.formula``), and the split evaluates
it per group. Constants in the expression are only those the body's code writes (a literal, an
attribute, a global: proven from the caller's bytecode); any other number may be the batch's
(a count, a weight) and ends attribution, as do two such values combined in a loop or in
``sum(...)`` (the number of terms may be the number of images).
"""

from __future__ import annotations

import math
from typing import Any

import torch

from .. import _formula
from ._bytecode import (
    call_site,
    carried_operand,
    configured_item,
    fixed_repeats,
    literal_exponent,
    literal_index,
    literal_size,
    positional_number,
    straight_line_operator,
    written_operand,
)
from .mode import CONSTANT_RULE, Frame, Tensor, Track, cpu_values, get_arg, op_name, unweighted_of
from .ratio import Ratio, RatioKind, data_value, version_of

MAX_RATIOS = 256  # ratios one expression may read (a record holds each)

FUNCTIONS: dict[Any, str] = {  # the functions of one value an expression carries (more spellings: ``aliases``)
    Tensor.exp: "exp", torch.exp: "exp", Tensor.exp2: "exp2", torch.exp2: "exp2", Tensor.expm1: "expm1", torch.expm1: "expm1",
    Tensor.log: "log", torch.log: "log", Tensor.log2: "log2", torch.log2: "log2", Tensor.log10: "log10",
    torch.log10: "log10", Tensor.log1p: "log1p", torch.log1p: "log1p", Tensor.sqrt: "sqrt", torch.sqrt: "sqrt",
    Tensor.rsqrt: "rsqrt", torch.rsqrt: "rsqrt", Tensor.square: "square", torch.square: "square",
    Tensor.reciprocal: "reciprocal", torch.reciprocal: "reciprocal", Tensor.sigmoid: "sigmoid",
    torch.sigmoid: "sigmoid", Tensor.tanh: "tanh", torch.tanh: "tanh", Tensor.abs: "abs", torch.abs: "abs",
    Tensor.neg: "neg", torch.neg: "neg", torch.negative: "neg", Tensor.cosh: "cosh", torch.cosh: "cosh",
}
_POWERS = frozenset({Tensor.pow, Tensor.__pow__, torch.pow, Tensor.float_power})
_KINDS = {"add": "add", "sub": "sub", "mul": "mul", "div": "div"}
# ``union == 0`` of a reduced value: on a group alone the group's own value is compared
_COMPARISONS = frozenset({"eq", "ne", "gt", "ge", "lt", "le"})

assert all(name in _formula.UNARY for name in FUNCTIONS.values())


def leaves(track: Track) -> tuple[_formula.Expr, tuple[Ratio, ...]] | None:
    """``track`` as an expression of ratios: its expression, the sum of its parts, its one ratio
    (a reduced loss, or a statistic of data that means as a value what it means as a loss: see
    ``ratio.data_value``); None where it is none of them (a normaliser changed as one, a test)."""
    if track.formula is not None:
        return track.formula
    if not track.from_prediction:  # a statistic of the images' data (``mask.mean() + 1e-6``)
        r = track.ratio
        if r is not None and r.test is not None and r.gate is None and track.lost_at is None:
            # ``onehot.sum((0, 2)) > 0`` per class: the indicator of the group's own sum passing it
            untested = r.replace(test=None)
            op, c = r.test
            return ((op, _formula.part(0), _formula.const(c)), (untested,)) if data_value(untested) else None
        if r is None or track.lost_at is not None or not data_value(r):
            return None
        return _formula.part(0), (r,)
    ratios = track.parts if track.parts else (track.ratio,) if track.ratio is not None and track.lost_at is None else ()
    if not ratios or any(not _plain(r) for r in ratios if r is not None):
        return None
    return _formula.total(len(ratios)), tuple(r for r in ratios if r is not None)


def _plain(r: Ratio) -> bool:
    return r.test is None and r.gate is None and not (r.kind is RatioKind.SUM and r.normaliser_ops)


def unary_formula(frame: Frame, func: Any, args: tuple, kwargs: dict, track: Track, out: Any) -> Track | None:
    """A function of one scalar value that is an expression of ratios; None for anything else."""
    src = args[0]
    if not isinstance(out, Tensor) or not isinstance(src, Tensor) or out.dim() or src.dim():
        return None
    found = leaves(track)
    if found is None:
        return None
    expr, ratios = found
    sites = _sites(frame, track)
    if sites is None:
        return None
    applied = _unary_expr(frame, func, args, kwargs, expr)
    return None if applied is None else _made(applied, ratios, func, sites)


def floored_by_constant(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> Track | None:
    """``torch.max(v, c)`` of a 0-dim expression of ratios ``v`` and a one-element vector ``c`` of a
    constant of the call (``torch.tensor([kl_min])`` of a default: SketchRNN's KL floor): ``v``
    clamped from below by ``c``, on a group alone the group's value so clamped. None otherwise."""
    if kwargs or len(args) != 2 or not all(isinstance(x, Tensor) for x in (*args, out)):
        return None
    v, c = args
    track = frame.get(v)
    held = frame.constant_vector(c) if frame.get(c) is None else None
    if track is None or v.dim() or out.numel() != 1 or held is None or len(held) != 1 or not math.isfinite(held[0]):
        return None
    found = leaves(track)
    sites = _sites(frame, track) if found is not None else None
    if found is None or sites is None:
        return None
    expr, ratios = found
    return _made(("max", expr, _formula.const(float(held[0]))), ratios, func, sites)


def _unary_expr(frame: Frame, func: Any, args: tuple, kwargs: dict, expr: _formula.Expr) -> _formula.Expr | None:
    """``func`` applied to ``expr``: a function ``FUNCTIONS`` names, a power by a literal exponent,
    a clamp at literal bounds; None for anything else."""
    if func in _POWERS:
        exponent = get_arg(args, kwargs, 1, "exponent", None)
        if type(exponent) not in (int, float) or not math.isfinite(exponent) \
                or not literal_exponent(exponent, len(args) + len(kwargs), configured=not _counted(frame, exponent)):
            return None
        return ("pow", expr, float(exponent))
    if func in _CLAMPS:
        bounds = _clamp_bounds(frame, func, args, kwargs)
        if bounds is None:
            return None
        for bound, c in bounds:  # ``kl.mean().clamp(min=0)``: on the group alone, its mean clamped
            expr = (bound, expr, _formula.const(c))
        return expr
    name = FUNCTIONS.get(func)
    if name is None or kwargs:
        return None
    return (name, expr)


def element_leaves(track: Track) -> list[tuple[_formula.Expr, tuple[Ratio, ...]]] | None:
    """Each element of a vector of row sums (``elements``) or of expressions (``element_formulas``)
    as an expression of ratios; None where one is neither."""
    if track.element_formulas:
        return list(track.element_formulas)
    if not track.elements:
        return None
    found = [leaves(Track(from_prediction=track.from_prediction, ratio=r)) for r in track.elements]
    return None if any(f is None for f in found) else [f for f in found if f is not None]


def element_unary(frame: Frame, func: Any, args: tuple, kwargs: dict, track: Track, out: Any) -> Track | None:
    """``func`` of each element of a vector whose elements are expressions of ratios (``cosh(1 -
    dice)`` per class): on a group alone, each the function of the group's ratios. None otherwise."""
    src = args[0]
    if not isinstance(out, Tensor) or not isinstance(src, Tensor) or out.dim() != 1 or out.shape != src.shape:
        return None
    per = element_leaves(track)
    sites = _sites(frame, track)
    if per is None or len(per) != out.shape[0] or sites is None:
        return None
    made = []
    for expr, ratios in per:
        applied = _unary_expr(frame, func, args, kwargs, expr)
        if applied is None:
            return None
        made.append((applied, ratios))
    return Track(from_prediction=True, lost_at=op_name(func), element_formulas=tuple(made), sites=sites)


class ConstantElement(float):
    """An element of a vector of ``Frame.constant_vectors`` as an operand of ``element_binary``."""


def element_binary(frame: Frame, kind: str, operands: list[list[tuple[Any, Track | None]]], func: Any,
                   kwargs: dict) -> Track | None:
    """``x (op) y`` element by element, ``operands`` each side's (value, track) per element (an
    element's expression or ratio, a scalar one repeated, a constant): each element as
    ``binary_formula`` makes it of scalars. None where an element is not so made."""
    made = []
    sites: frozenset[tuple[Any, int]] = frozenset()
    for (xa, sa), (xb, sb) in zip(*operands, strict=True):
        each = binary_formula(frame, kind, xa, sa, xb, sb, func, kwargs)
        if each is None or each.formula is None:
            return None
        made.append(each.formula)
        sites = sites | each.sites
    return Track(from_prediction=True, lost_at=op_name(func), element_formulas=tuple(made), sites=sites)


def element_total(track: Track, mean: bool, func: Any) -> Track | None:
    """The sum (``mean``: the mean) of a vector of element expressions: one expression adding them
    (over their count, a size of the vector the same on any group alone)."""
    exprs = list(track.element_formulas)
    if not exprs or sum(len(r) for _, r in exprs) > MAX_RATIOS:
        return None
    expr, ratios = exprs[0]
    for e, r in exprs[1:]:
        expr = ("add", expr, _formula.shifted(e, len(ratios)))
        ratios = ratios + r
    if mean and len(exprs) > 1:
        expr = ("div", expr, _formula.const(len(exprs)))
    return _made(expr, ratios, func, track.sites)


_NAN_TESTS = frozenset({Tensor.isnan, torch.isnan})


def note_nan_test(frame: Frame, func: Any, args: tuple, out: Any) -> None:
    """``torch.isnan(f1)`` of one reduced value that is an expression of ratios: noted for
    ``nan_replaced``."""
    src = args[0] if args else None
    if func in _NAN_TESTS and isinstance(out, Tensor) and isinstance(src, Tensor) and src.numel() == 1 == out.numel():
        track = frame.get(src)
        if track is not None and track.from_prediction and leaves(track) is not None:
            frame.nan_tests[id(out)] = (out, src)


def nan_replaced(frame: Frame, func: Any, args: tuple, out: Any) -> Track | None:
    """``torch.where(torch.isnan(f1), 0, f1)`` (pytorch_optimizer's ``SoftF1Loss``) of one reduced
    value ``f1`` that is an expression of ratios, the other operand zeros (``zeros_like(f1)``, a
    literal 0) or a number the call proves constant: on a group alone, the group's value where it
    is a number, else that constant (``nan_to``). None for anything else."""
    held = frame.nan_tests.get(id(args[0])) if frame.nan_tests and isinstance(out, Tensor) and out.numel() == 1 else None
    if held is None or held[0] is not args[0] or args[2] is not held[1]:
        return None
    value, other = held[1], args[1]
    if isinstance(other, Tensor):
        if other.numel() != 1 or frame.get(other) is not None:
            return None
        expr = frame.constant_expr(other)
        if expr is None and frame.zeros_total(other, 0, 0.0, op_name(func)):
            expr = _formula.const(0)
    elif type(other) in (int, float) and math.isfinite(other) and (other == 0 or frame.constant_number(other)):
        expr = _formula.const(other)
    else:
        expr = None
    track = frame.get(value)
    found = leaves(track) if track is not None else None
    sites = _sites(frame, track)
    if expr is None or found is None or sites is None:
        return None
    return _made(("nan_to", found[0], expr), found[1], func, sites)


_CLAMPS = frozenset({Tensor.clamp, torch.clamp, Tensor.clamp_min, torch.clamp_min, Tensor.clip, torch.clip})


def formula_by_row_count(frame: Frame, func: Any, kind: str, a: Any, ta: Track | None, b: Any, tb: Track | None
                         ) -> Track | None:
    """An expression of ratios times or over a ``RowCount`` (HistoGAN's ``sqrt(d.sum()) / bs``,
    ``exp(l.mean()) * bs``): on a group alone the body applies it to the group's count of those
    rows, the sum of ones over them, a ratio of the expression. None for anything else (the count
    dividing, ``bs / f``)."""
    if ta is not None and tb is None:
        track, rows = ta, frame.row_count(b)
    elif kind == "mul" and ta is None and tb is not None:
        track, rows = tb, frame.row_count(a)
    else:
        return None
    found = leaves(track)
    if rows is None or rows.dim() != 1 or found is None or len(found[1]) >= MAX_RATIOS:
        return None
    sites = _sites(frame, track)
    if sites is None:
        return None
    expr, ratios = found
    count = Ratio.of(torch.ones(rows.numel(), dtype=torch.float64, device=rows.device), rows, 0, RatioKind.SUM)
    return _made((kind, expr, _formula.part(len(ratios))), (*ratios, count), func, sites)


def _clamp_bounds(frame: Frame, func: Any, args: tuple, kwargs: dict) -> tuple[tuple[str, float], ...] | None:
    """``clamp``'s bounds as expression functions (``("max", low)``, ``("min", high)``), each a
    finite number literal the code passes (``clamp(min=0)``, ``clamp_min(0.0)``, ``clip(0, 1)``)
    or a number it proves a constant of the call (``clamp_min(self.eps)``, ``eps`` set only by
    ``__init__``): a number computed by the body may be the batch's (a count, a weight). None
    otherwise."""
    if set(kwargs) - {"min", "max"}:
        return None
    passed = len(args) + len(kwargs)
    low = get_arg(args, kwargs, 1, "min", None)
    high = get_arg(args, kwargs, 2, "max", None) if func not in (Tensor.clamp_min, torch.clamp_min) else None
    found = []
    for name, c, at, key in (("max", low, 1, "min"), ("min", high, 2, "max")):
        if c is None:
            continue
        if type(c) not in (int, float) or not math.isfinite(c) or not (
                literal_size(c, at, key, passed) or frame.constant_number(c)):
            return None
        found.append((name, float(c)))
    return tuple(found) if found and passed == 1 + len(found) else None


def _counted(frame: Frame, c: float) -> bool:
    """Whether ``c`` equals a count of the batch or its reciprocal: an attribute the body set
    from it (``self.g = float(len(targets))``) would be another number on a group alone."""
    counts = {frame.num_images, *frame.lengths} if frame.num_images > 1 else set()
    return any(c == n or c * n == 1 for n in counts)


def _sites(frame: Frame, *tracks: Track | None) -> frozenset[tuple[Any, int]] | None:
    """The code positions of the ops that made ``tracks``' expressions and of the op being
    executed (``with_site``)."""
    return with_site(frame, frozenset().union(*(t.sites for t in tracks if t is not None)))


def batch_counts(frame: Frame) -> frozenset[int]:
    """The counts of the batch a number set from it may equal: the images, lengths of image rows."""
    return frozenset({frame.num_images, *frame.lengths})


def with_site(frame: Frame, made: frozenset[tuple[Any, int]],
              subtrahend: bool = False) -> frozenset[tuple[Any, int]] | None:
    """``made``, the code positions of the ops that made a value, and that of the op being
    executed; None where that op is one of them (a loop or a helper applying it to its own
    result again: on a group alone it may run another number of times, unless every loop that
    runs it is one the code fixes, ``fixed_repeats``), where it applies to what a loop over the
    images carries from image to image (``carried_operand``: ``total = total * 0.5 + e`` on two
    images runs the op once, on image 0's term, which on image 0 alone it never scales) or is not
    found. ``subtrahend``: the op's constant is the sign of its last operand (``total - l_b``)."""
    site = call_site()
    counts = batch_counts(frame)
    if site is None or site in made and not fixed_repeats(counts, lists=frame.fixed_lists) \
            or carried_operand(counts, frame.fixed_lists, subtrahend):
        return None
    return made | {site}


def constant_operand(frame: Frame, kind: str, x: Any) -> bool:
    """Whether the number ``x``, an operand of the op ``kind`` the body's code is executing, is
    written there or proven a constant of the call: the same on a group's images alone."""
    return type(x) in (int, float) and math.isfinite(x) and (
        written_operand(kind, x, batch_counts(frame)) or configured_item(x, frame.fixed_lists)
        or frame.constant_number(x))


def binary_formula(frame: Frame, kind: str, a: Any, ta: Track | None, b: Any, tb: Track | None, func: Any,
                   kwargs: dict) -> Track | None:
    """``x (op) y`` of two scalar values, each an expression of ratios or a constant the body's
    code writes; None for anything else."""
    alpha = kwargs.get("alpha", 1)
    if kind == "" and func is Tensor.__rtruediv__:
        kind = "rdiv"  # ``1 / mse``: args are (mse, 1)
    if kind not in _KINDS and kind not in _COMPARISONS and kind not in ("rsub", "rdiv") or type(alpha) not in (int, float) or alpha != 1:
        return None
    operands = []
    for x, t in ((a, ta), (b, tb)):
        if t is not None:
            found = leaves(t) if not isinstance(x, Tensor) or x.dim() == 0 else None
            if found is None:
                return None
            operands.append(found)
        elif isinstance(x, Tensor) and (held := frame.constant_expr(x)) is not None:  # ``2 * log(torch.tensor(1.0))``
            operands.append((held, ()))
        elif type(x) is ConstantElement:  # an element of class weights the code proves constants of the call
            operands.append((_formula.const(float(x)), ()))
        elif type(x) in (int, float) and x == 0 and kind in ("add", "sub", "rsub"):
            operands.append((_formula.const(0), ()))  # ``total = 0`` then ``total + x``: any zero adds nothing
        elif constant_operand(frame, kind, x):  # ``lam * d.mean() ** 2`` with ``lam=0.85`` a default not passed
            if positional_number(frame.size_sites, frame.per_image_targets, levels=frame.fixed_lists):
                return None  # ``exp(l_b.mean()) * 0.5 ** b``: another factor on a group alone
            operands.append((_formula.const(x), ()))
        else:
            return None
    (ea, ra), (eb, rb) = operands
    if not (ra or rb) or len(ra) + len(rb) > MAX_RATIOS:
        return None
    if ra and rb and not straight_line_operator(batch_counts(frame), frame.fixed_lists):
        # ``total = total + exp(l.mean())`` in a loop over images (or in ``sum(...)``, a helper
        # called in a loop, a recursion): on a group alone the loop may run another number of
        # times, which no expression can tell
        return None
    sites = _sites(frame, ta, tb)  # ``s = s * 2.0`` in a loop
    if sites is None:
        return None
    if ea == _formula.const(0) and kind == "add":
        return _made(eb, rb, func, sites)
    if eb == _formula.const(0) and kind in ("add", "sub"):
        return _made(ea, ra, func, sites)
    eb = _formula.shifted(eb, len(ra))
    expr = ("sub", eb, ea) if kind == "rsub" else ("div", eb, ea) if kind == "rdiv" else (_KINDS.get(kind, kind), ea, eb)
    return _made(expr, ra + rb, func, sites)


# ops on one-element tensors of constants of the body whose result is one too (``constant_result``)
_CONSTANT_BINARY = {
    Tensor.__add__: "add", Tensor.__radd__: "add", Tensor.add: "add", torch.add: "add",
    Tensor.__sub__: "sub", Tensor.sub: "sub", torch.sub: "sub", Tensor.__rsub__: "rsub",
    Tensor.__mul__: "mul", Tensor.__rmul__: "mul", Tensor.mul: "mul", torch.mul: "mul",
    Tensor.__truediv__: "div", Tensor.div: "div", torch.div: "div", Tensor.__rtruediv__: "rdiv",
    Tensor.__rdiv__: "rdiv",
}
_CONSTANT_COPIES = frozenset({Tensor.float, Tensor.double, Tensor.to, Tensor.type_as, Tensor.clone, torch.clone,
                              Tensor.detach, Tensor.contiguous})


def constant_result(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Tensor) -> None:
    """``out``, one element of no images, made by ``func`` from one-element tensors of constants of
    the body (``Frame.constant_tensors``) and numbers the code writes: a function an expression
    carries (``torch.log(torch.tensor(10.0))``), a float copy, or arithmetic (``2 * c``,
    ``10 / c``): its expression recorded, for ``binary_formula`` to read as a constant (torchmetrics'
    PSNR: ``2 * log(data_range) - log(sse / n)``, times ``10 / log(tensor(base))``). Anything else
    records nothing: the tensor is then no constant an expression takes."""
    if not out.is_floating_point() or frame.get(out) is not None or not args:
        return
    if frame.constant_vectors and _constant_vector_result(frame, func, args, kwargs, out):
        return
    if out.numel() != 1:
        return
    if frame.argument_scalars and _argument_scalar_result(frame, func, args, kwargs, out):
        return
    expr: _formula.Expr | None = None
    name = FUNCTIONS.get(func)
    if (name is not None or func in _CONSTANT_COPIES) and not any(isinstance(v, Tensor) for v in (*args[1:], *kwargs.values())):
        expr = frame.constant_expr(args[0])
        if expr is not None and name is not None:
            expr = (name, expr)
    elif (func in _POWERS or func in _CLAMPS) and isinstance(args[0], Tensor) \
            and not any(isinstance(v, Tensor) for v in (*args[1:], *kwargs.values())):
        expr = frame.constant_expr(args[0])  # ``torch.tensor(2.0).pow(0.5)``, ``.clamp(min=1)``: at literal arguments
        expr = None if expr is None else _unary_expr(frame, func, args, kwargs, expr)
    kind = _CONSTANT_BINARY.get(func)
    if kind is not None and len(args) == 2 and not kwargs:
        a, b = (frame.constant_expr(x) if isinstance(x, Tensor) else
                _formula.const(x) if type(x) in (int, float) and math.isfinite(x) and written_operand(
                    kind, x, batch_counts(frame)) else None for x in args)
        if a is not None and b is not None:
            expr = ("sub", b, a) if kind == "rsub" else ("div", b, a) if kind == "rdiv" else (kind, a, b)
    if expr is not None:
        frame.constant_tensors[id(out)] = (out, version_of(out), expr)


def _argument_scalar_result(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Tensor) -> bool:
    """``decay * ema`` of a one-element argument ``ema`` (``Frame.argument_scalars``), a float copy of
    one, or arithmetic of one with another, a constant of the body or a number the code writes: one
    too (the group's call receives the argument whole). Whether one was recorded."""
    if out.requires_grad:
        return False
    kind = _CONSTANT_BINARY.get(func)
    if func in _CONSTANT_COPIES and len(args) == 1 and not any(isinstance(v, Tensor) for v in kwargs.values()):
        operands: tuple[Any, ...] = args
    elif kind is not None and len(args) == 2 and not kwargs:
        operands = args
    else:
        return False
    if not any(isinstance(x, Tensor) and frame.argument_scalar(x) for x in operands) or not all(
            frame.argument_scalar(x) or frame.constant_expr(x) is not None if isinstance(x, Tensor) else
            kind is not None and type(x) in (int, float) and math.isfinite(x) and (
                written_operand(kind, x, batch_counts(frame)) or frame.constant_number(x, (func, args, kwargs)))
            for x in operands):
        return False
    frame.argument_scalars[id(out)] = (out, version_of(out))
    return True


_VECTOR_SUMS = frozenset({Tensor.sum, torch.sum})


def _constant_vector_result(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Tensor) -> bool:
    """``w[0]`` (an int the code writes), ``w.sum()`` and ``w / w.sum()``, ``w * 0.5`` of ``w``, a vector of
    constants of the call in host memory (``Frame.constant_vectors``: ``torch.tensor([1.0, 0.5])`` of deep
    supervision's scale weights): an element or the sum one-element constants an expression takes, the
    arithmetic a vector of constants again. Whether one was recorded."""
    vector = frame.constant_vector(args[0]) if isinstance(args[0], Tensor) else None
    if vector is None and not (func in _CONSTANT_BINARY and len(args) == 2 and frame.constant_vector(args[1]) is not None):
        return False
    if out.device.type != "cpu" or out.dim() > 1:
        return False
    if out.dim() == 0 and vector is not None and (
            func is Tensor.__getitem__ and len(args) == 2 and type(args[1]) is int and literal_index(args[1])
            or func in _VECTOR_SUMS and len(args) == 1 and not kwargs):
        frame.constant_tensors[id(out)] = (out, version_of(out), _formula.const(cpu_values(out)))
        return True
    kind = _CONSTANT_BINARY.get(func)
    if kind is None or len(args) != 2 or kwargs or out.dim() != 1:
        return False
    for x in args:  # each operand a vector of constants of the same length, a one-element constant or a written number
        if not (isinstance(x, Tensor) and (frame.constant_vector(x) is not None and x.shape == out.shape
                                           or frame.constant_expr(x) is not None)
                or type(x) in (int, float) and math.isfinite(x) and written_operand(kind, x, batch_counts(frame))):
            return False
    frame.constant_vectors[id(out)] = (out, version_of(out), tuple(cpu_values(out)))
    return True


CONSTANT_RULE.append(constant_result)


_SCALAR_LOSSES = frozenset({torch.nn.functional.binary_cross_entropy, torch.nn.functional.l1_loss,
                            torch.nn.functional.mse_loss})


def scalar_loss(frame: Frame, func: Any, inp: Any, ti: Track | None, target: Any, tt: Track | None, reduction: str,
                extra: dict[str, Any], out: Any) -> Track | None:
    """``F.binary_cross_entropy(v, c)``, ``F.l1_loss(v, c)``, ``F.mse_loss(v, c)`` of a 0-dim
    expression of ratios ``v`` (a batch's precision, ``inter / p.sum()``) against a one-element
    constant of the call ``c`` (``torch.ones_like(v)``), no weight: the function of one value that
    the loss is there (BCE's logs clamped at -100 as torch's), on a group alone of the group's
    ratios (MonoScene's scene-class affinity). None otherwise."""
    if func not in _SCALAR_LOSSES or ti is None or tt is not None or not isinstance(inp, Tensor) or inp.dim() \
            or not isinstance(target, Tensor) or target.numel() != 1 or not isinstance(out, Tensor) or out.dim() \
            or reduction not in ("mean", "sum") or any(v is not None for v in extra.values()):
        return None
    found, c = leaves(ti), frame.constant_expr(target)
    sites = _sites(frame, ti) if found is not None and c is not None else None
    if found is None or c is None or sites is None:
        return None
    expr, ratios = found
    if func is not torch.nn.functional.binary_cross_entropy:
        diff = ("sub", expr, c)
        return _made(("abs", diff) if func is torch.nn.functional.l1_loss else ("square", diff), ratios, func, sites)
    floor = _formula.const(-100.0)
    pos = ("max", ("log", expr), floor)
    neg = ("max", ("log", ("sub", _formula.const(1.0), expr)), floor)
    if c == ("c", 1.0) or c == ("c", 0.0):
        return _made(("neg", pos if c[1] else neg), ratios, func, sites)
    return _made(("neg", ("add", ("mul", c, pos), ("mul", ("sub", _formula.const(1.0), c), neg))), ratios, func, sites)


def _made(expr: _formula.Expr, ratios: tuple[Ratio, ...], func: Any,
          sites: frozenset[tuple[Any, int]] = frozenset()) -> Track:
    return Track(from_prediction=True, lost_at=op_name(func), formula=(expr, ratios), sites=sites)


_MOMENTS = {Tensor.var: False, torch.var: False, Tensor.std: True, torch.std: True}


def pooled_moment(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> Track | None:
    """``torch.var(g)`` / ``torch.std(g)`` over every element of values whose one dim carries
    images (a pooled variance): on the group alone, the variance of the group's elements, which
    is ``(mean(g^2) - mean(g)^2) * n / (n - correction)`` of three ratios (``n`` the group's
    elements), in float64; its square root for ``std``. Uncentred: a window pools each ratio
    over its calls, which is the window's variance only where every call's values have the same
    centre (a call's own batch mean would differ from call to call). None for anything else (a
    reduction over some dims only, data, one image's values)."""
    src = args[0]
    track = frame.get(src)
    if (track is None or not isinstance(src, Tensor) or not isinstance(out, Tensor) or out.dim()
            or not track.from_prediction or track.lost_at is not None or track.ratio is not None
            or len(track.rows) != 1 or not src.is_floating_point()):
        return None
    correction = _correction(args, kwargs)
    if correction is None:
        return None
    (d,) = track.rows
    rows = track.rows[d]
    values = unweighted_of(src, track).double()
    image = frame.rows_image(rows)
    first = Ratio.of(values, rows, d, RatioKind.MEAN, host_image=image)
    second = Ratio.of(values * values, rows, d, RatioKind.MEAN, host_image=image)
    count = Ratio.of(torch.ones_like(values), rows, d, RatioKind.SUM, host_image=image)
    expr: _formula.Expr = ("sub", _formula.part(1), ("square", _formula.part(0)))
    if correction:
        expr = ("mul", expr, ("div", _formula.part(2), ("sub", _formula.part(2), _formula.const(correction))))
    if _MOMENTS[func]:
        expr = ("sqrt", expr)
    return _made(expr, (first, second, count), func)


def _correction(args: tuple, kwargs: dict) -> float | None:
    """The correction of a variance over every dim (``var(g)``, ``var(g, unbiased=False)``,
    ``var(g, correction=0)``); None where it reduces some dims only or keeps them."""
    if len(args) > 2 or len(args) == 2 and type(args[1]) is not bool:
        return None
    if set(kwargs) - {"unbiased", "correction", "dim", "keepdim"} or kwargs.get("dim") is not None \
            or kwargs.get("keepdim", False):
        return None
    unbiased = args[1] if len(args) == 2 else kwargs.get("unbiased", True)
    correction = kwargs.get("correction", 1 if unbiased else 0)
    return float(correction) if type(correction) in (int, float) else None
