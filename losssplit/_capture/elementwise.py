"""Element-wise rules: unary and binary ops, ``where``, ``masked_fill``, reductions, softmax.

Binary ops keep rows aligned from the right (broadcasting); a per-row factor multiplying a
prediction is set aside (the track's ``unweighted`` values take it as 1). Reductions over the rows
of a prediction make a ``Ratio``; a full sum of data over rows makes a row-sum normaliser.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from .mode import (
    Frame,
    Tensor,
    Track,
    broadcast_map,
    broadcast_tracks,
    combine,
    dims_arg,
    get_arg,
    identity_map,
    is_prediction,
    lost_track,
    norm_dim,
    note_factor,
    op_name,
    per_row,
    rule,
    tensors,
    unweighted_of,
    view_key,
)
from .ratio import Ratio, RatioKind, add_ratios

T = torch.Tensor

@rule(
    T.clone, T.contiguous, T.detach, T.to, T.float, T.double, T.half, T.bfloat16, T.cpu, T.cuda,
    T.type_as, T.requires_grad_, torch.clone, torch.detach, T.view_as, T.reshape_as,
    T.data.__get__,  # type: ignore[attr-defined]
)
def passthrough(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Same values, same layout (``clone``, ``to``, ``float``, ``contiguous``, ``detach``)."""
    src = args[0]
    track = frame.get(src)
    if track is None or not isinstance(out, Tensor) or out is src:
        return
    if track.ratio is not None or track.lost_at is not None:
        frame.set(out, track)
        return
    raw = track.unweighted
    if raw is not None and out.dtype != raw.dtype and out.dtype.is_floating_point:
        raw = raw.to(out.dtype) if raw.dtype != torch.float32 or out.dtype == torch.float64 else raw
    frame.set(out, Track(rows=track.rows, image=track.image, unweighted=raw, from_prediction=track.from_prediction))


@rule(
    T.abs, torch.abs, T.exp, torch.exp, T.log, torch.log, T.log1p, torch.log1p, T.sigmoid,
    torch.sigmoid, T.sqrt, torch.sqrt, T.rsqrt, torch.rsqrt, T.square, torch.square, T.tanh,
    torch.tanh, T.relu, torch.relu, T.clamp_max, torch.clamp_max, T.reciprocal, torch.reciprocal,
    T.floor, torch.floor, T.ceil, torch.ceil, T.round, torch.round, T.nan_to_num,
    torch.nan_to_num, T.sin, torch.sin, T.cos, torch.cos, T.atan, torch.atan, T.exp2, T.expm1,
    torch.expm1, T.log2, torch.log2, T.log10, torch.log10, T.pow, T.__pow__, torch.pow, F.relu,
    F.sigmoid, F.softplus, F.logsigmoid, F.silu, F.gelu, F.elu, F.leaky_relu, F.tanh,
    T.float_power, T.erf, torch.erf,
)
def unary(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Element-wise ops of one tensor (``exp``, ``sigmoid``, ``pow(x, 2)``...)."""
    _unary(frame, func, args, kwargs, out, "")


@rule(T.neg, torch.neg, torch.negative)
def negation(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``-x``: also of a reduced loss (its ratio changes sign)."""
    _unary(frame, func, args, kwargs, out, "neg")


@rule(T.clamp, torch.clamp, T.clamp_min, torch.clamp_min, T.clip, torch.clip)
def clamp(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``clamp``: also ``mask.sum().clamp(min=1)``, a normaliser clamped per group as well."""
    _unary(frame, func, args, kwargs, out, "clamp")


@rule(
    T.isfinite, torch.isfinite, T.isnan, torch.isnan, T.isinf, torch.isinf, T.logical_not,
    torch.logical_not, T.__invert__, T.bool, T.long, T.int, T.sign, torch.sign,
)
def predicate(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Tests and casts to integers: same layout, but data (a mask), not a loss."""
    _unary(frame, func, args, kwargs, out, "data")


def _unary(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any, kind: str) -> None:
    src = args[0]
    track = frame.get(src)
    if track is None or not isinstance(out, Tensor):
        return
    if track.ratio is not None:
        low = get_arg(args, kwargs, 1, "min", None)
        high = get_arg(args, kwargs, 2, "max", None)
        if not track.from_prediction and kind == "clamp" and isinstance(low, (int, float)) and high is None:
            frame.set(out, Track(ratio=track.ratio.scaled(normaliser_op=("min", float(low)))))
            return  # ``mask.sum().clamp(min=1)``: clamped per group as well
        if kind == "neg":
            frame.set(out, Track(from_prediction=True, ratio=track.ratio.scaled(-1.0)))
        elif track.from_prediction:
            frame.lose(out, op_name(func))
        return
    new = combine(frame, op_name(func), [(track, identity_map(src.dim()))], out.shape)
    if new is not None and track.unweighted is not None and new.lost_at is None:
        new.unweighted = func(track.unweighted, *args[1:], **kwargs)
    if new is not None:
        if kind == "data":
            new.from_prediction = False
        frame.set(out, new)


def _scalar_of(x: Any, track: Track | None) -> float | Tensor | None:
    """``x`` as a constant factor: a python number, or a one-element tensor without images."""
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return x
    if isinstance(x, Tensor) and x.numel() == 1 and (track is None or not track.from_prediction):
        return x.detach().reshape(())
    return None


@rule(T.add, torch.add)
def add(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``a + b``: also sums of reduced losses and ``normaliser + eps``."""
    _binary(frame, func, args, kwargs, out, "add")


@rule(T.mul, torch.mul, torch.multiply)
def mul(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``a * b``: a per-row factor times a prediction is set aside as 1."""
    _binary(frame, func, args, kwargs, out, "mul")


@rule(T.div, T.true_divide, torch.div, torch.divide, torch.true_divide)
def div(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``a / b``: a per-row divisor is set aside as 1; a reduced loss over a normaliser."""
    _binary(frame, func, args, kwargs, out, "div")


@rule(
    T.eq, T.ne, T.lt, T.le, T.gt, T.ge, T.__eq__, torch.eq, torch.ne, torch.lt, torch.le, torch.gt,
    torch.ge, T.__and__, T.__or__, T.__xor__, T.logical_and, T.logical_or, torch.logical_and,
    torch.logical_or,
)
def comparison(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Comparisons and logic: same layout, but data (a mask), not a loss."""
    _binary(frame, func, args, kwargs, out, "data")


@rule(
    T.sub, torch.sub, torch.subtract, torch.rsub, T.__rsub__, T.__rtruediv__, T.__rpow__,
    T.maximum, torch.maximum, T.minimum, torch.minimum, T.atan2, torch.atan2, T.xlogy,
    torch.xlogy, T.__floordiv__, T.fmod, T.remainder,
)
def binary(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Other broadcasting element-wise ops of two operands."""
    _binary(frame, func, args, kwargs, out, "")


def _binary(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any, kind: str) -> None:
    if not isinstance(out, Tensor) or len(args) < 2:
        return
    a, b = args[0], args[1]
    ta, tb = frame.get(a), frame.get(b)
    if ta is None and tb is None:
        return
    if (
        tb is None
        and ta is not None
        and ta.unweighted is None
        and ta.ratio is None
        and ta.lost_at is None
        and (not isinstance(b, Tensor) or b.dim() == 0)
        and out.dim() == a.dim()
    ):  # tensor op scalar: same layout
        frame.set(out, Track(ta.rows, ta.image, None, ta.from_prediction and kind != "data"))
        return
    op = op_name(func)
    if (ta is not None and ta.ratio is not None) or (tb is not None and tb.ratio is not None):
        new_ratio = _ratio_arithmetic(kind, a, ta, b, tb, op)
        if new_ratio is not None:
            frame.set(out, new_ratio)
        elif is_prediction(a, ta) or is_prediction(b, tb):
            frame.lose(out, op)
        return  # a normaliser in other arithmetic becomes an opaque value
    new = broadcast_tracks(frame, op, ((a, ta), (b, tb)), out)
    if new is None:
        return
    if new.lost_at is None:
        if kind == "data":
            new.from_prediction = False
        elif not new.from_prediction:  # an untracked prediction (``src - tgt`` of matched rows passed in)
            new.from_prediction = any(t is None and is_prediction(x, None) for x, t in ((a, ta), (b, tb)))
        factor = _factor_side(kind, a, ta, b, tb, new, out)
        if factor is not None:
            loss_side, weight = factor
            raw = unweighted_of(loss_side, frame.get(loss_side))
            new.unweighted = raw * (weight.detach() != 0)
            note_factor(frame, weight, new, out.dim())
        elif (ta is not None and ta.unweighted is not None) or (tb is not None and tb.unweighted is not None):
            ra = unweighted_of(a, ta) if isinstance(a, Tensor) else a
            rb = unweighted_of(b, tb) if isinstance(b, Tensor) else b
            new.unweighted = func(ra, rb, *args[2:], **kwargs)
    frame.set(out, new)


def _factor_side(
    kind: str, a: Any, ta: Track | None, b: Any, tb: Track | None, new: Track, out: Tensor
) -> tuple[Tensor, Tensor] | None:
    """(loss, weight) when ``a * w`` / ``a / w`` multiplies a prediction by a per-row factor."""
    if kind not in ("mul", "div") or not new.from_prediction or not new.rows:
        return None
    candidates = [(a, ta, b, tb)] if kind == "div" else [(a, ta, b, tb), (b, tb, a, ta)]
    for loss, tl, w, tw in candidates:
        if not isinstance(loss, Tensor) or not isinstance(w, Tensor) or w.dim() == 0:
            continue
        if not is_prediction(loss, tl) or is_prediction(w, tw):
            continue
        if per_row(w, new.rows, out.shape):
            return loss, w
    return None


def _ratio_arithmetic(
    kind: str, a: Any, ta: Track | None, b: Any, tb: Track | None, op: str
) -> Track | None:
    """Arithmetic on scalar losses: times or divided by a constant (``* Q``, ``/ num_boxes``),
    divided by a row-sum normaliser, ``normaliser + eps``, and sums of summed or per-image losses."""
    if ta is not None and ta.ratio is not None and not ta.from_prediction:  # a row-sum normaliser
        if kind == "add" and isinstance(b, (int, float)) and not isinstance(b, bool):
            return Track(ratio=ta.ratio.scaled(normaliser_op=("add", float(b))))  # ``mask.sum() + 1e-4``
        return None
    if ta is not None and ta.ratio is not None:
        if (
            kind == "div"
            and tb is not None
            and tb.ratio is not None
            and not tb.from_prediction
            and ta.ratio.kind is RatioKind.SUM
            and not ta.ratio.divisors
        ):
            return Track(from_prediction=True, ratio=ta.ratio.scaled(by_rows=tb.ratio))
        if kind == "add" and tb is not None and tb.ratio is not None and tb.from_prediction:
            total = add_ratios(a, ta.ratio, b, tb.ratio)
            return None if total is None else Track(from_prediction=True, ratio=total)
        other = _scalar_of(b, tb)
        if other is None:
            return None
        if kind == "mul":
            return Track(from_prediction=True, ratio=_scaled_by(ta.ratio, other, tb))
        if kind == "div":
            return Track(from_prediction=True, ratio=ta.ratio.scaled(divisor=other))
        if kind == "add" and isinstance(other, (int, float)) and other == 0:  # ``sum(losses)`` starts at 0
            return Track(from_prediction=True, ratio=ta.ratio)
        return None
    if tb is not None and tb.ratio is not None and kind == "mul":
        other = _scalar_of(a, ta)
        if other is not None:
            return Track(from_prediction=True, ratio=_scaled_by(tb.ratio, other, ta))
    return None


def _scaled_by(ratio: Ratio, factor: float | Tensor, track: Track | None) -> Ratio:
    """``loss * c``; a ``c`` that belongs to one image (its ``loss_weight`` tensor) is that image's
    factor, not a constant: the value no longer stands for the image in a per-image loop."""
    out = ratio.scaled(scale=factor)
    if track is not None and (track.image is not None or track.rows):
        out.plain = False
    return out


@rule(torch.where, T.where)
def where(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    if not isinstance(out, Tensor) or len(args) < 3:
        return
    tracks = [frame.get(x) for x in args[:3]]
    if all(t is None for t in tracks):
        return
    op = op_name(func)
    parts = [(t, broadcast_map(x.dim(), out.dim())) for x, t in zip(args[:3], tracks) if isinstance(x, Tensor)]
    new = combine(frame, op, parts, out.shape)
    if new is not None and new.lost_at is None and any(t is not None and t.unweighted is not None for t in tracks):
        new = lost_track(op)
    if new is not None:
        frame.set(out, new)


@rule(T.masked_fill, torch.masked_fill)
def masked_fill(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    if not isinstance(out, Tensor):
        return
    src, mask = args[0], get_arg(args, kwargs, 1, "mask", None)
    ts, tm = frame.get(src), frame.get(mask)
    if ts is None and tm is None:
        return
    op = op_name(func)
    parts = [(ts, identity_map(src.dim()))]
    if isinstance(mask, Tensor):
        parts.append((tm, broadcast_map(mask.dim(), out.dim())))
    new = combine(frame, op, parts, out.shape)
    if new is not None and new.lost_at is None and ts is not None and ts.unweighted is not None:
        new.unweighted = func(ts.unweighted, *args[1:], **kwargs)
    if new is not None:
        frame.set(out, new)


def _reduce_dims(func: Any, args: tuple, kwargs: dict, ndim: int) -> tuple[list[int] | None, bool]:
    dims = get_arg(args, kwargs, 1, "dim", None)
    if dims is None and "axis" in kwargs:
        dims = kwargs["axis"]
    keepdim = bool(get_arg(args, kwargs, 2, "keepdim", False))
    return dims_arg(dims, ndim), keepdim


@rule(T.sum, torch.sum)
def sum_(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``sum``: over the rows of a prediction, a Ratio; of data over rows, a normaliser."""
    _reduce(frame, func, args, kwargs, out, RatioKind.SUM, True)


@rule(T.nansum, torch.nansum)
def nansum(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``nansum``: as ``sum`` (NaN rows add 0 to the group's numerator too)."""
    _reduce(frame, func, args, kwargs, out, RatioKind.SUM, False)


@rule(T.mean, torch.mean)
def mean(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``mean``: over the rows of a prediction, a Ratio of the group's elements."""
    _reduce(frame, func, args, kwargs, out, RatioKind.MEAN, True)


@rule(
    T.amax, torch.amax, T.amin, torch.amin, T.argmax, torch.argmax, T.argmin, torch.argmin, T.norm,
    torch.norm, T.logsumexp, torch.logsumexp, T.all, torch.all, T.any, torch.any, T.prod,
    torch.prod, T.std, torch.std, T.var, torch.var, T.count_nonzero, torch.count_nonzero,
)
def reduction(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Other reductions: followed over dims that carry no images; over rows, attribution ends."""
    _reduce(frame, func, args, kwargs, out, None, False)


def _reduce(
    frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any, kind: RatioKind | None, neutral: bool
) -> None:
    """Over rows of a prediction -> a Ratio; over others -> rows. ``neutral``: the op leaves a
    one-element tensor as it is (``loss.sum()`` of a reduced loss)."""
    src = args[0]
    track = frame.get(src)
    if track is None or not isinstance(src, Tensor):
        return
    outs = tensors(out) if isinstance(out, tuple) else [out]
    op = op_name(func)
    if track.lost_at is not None or track.ratio is not None:
        if track.from_prediction:
            for o in outs:
                if track.ratio is not None and neutral and o.numel() == 1:
                    frame.set(o, track)
                else:
                    frame.lose(o, track.lost_at or op)
        return
    ndim = src.dim()
    dims, keepdim = _reduce_dims(func, args, kwargs, ndim)
    reduced = set(range(ndim)) if dims is None else set(dims)
    row_dims = set(track.rows)
    if reduced & row_dims or (track.image is not None and reduced == set(range(ndim))):
        full = reduced == set(range(ndim))
        if not track.from_prediction and kind is RatioKind.SUM and full and len(row_dims) <= 1 and isinstance(out, Tensor):
            frame.set(out, Track(ratio=_row_sum_normaliser(frame, src, track)))
            return
        if (
            kind is None
            or not full
            or not track.from_prediction
            or len(row_dims) > 1
            or not isinstance(out, Tensor)
        ):
            if track.from_prediction:
                for o in outs:
                    frame.lose(o, op if full or kind is None else f"{op} over a row dim")
            return
        values = unweighted_of(src, track)
        if row_dims:
            (d,) = row_dims
            rows = track.rows[d]
        else:
            d = -1
            assert track.image is not None
            rows = track.image.reshape(1)
        ratio = Ratio.of(values, rows, d, kind).compact()
        ratio.plain = track.unweighted is None
        frame.set(out, Track(from_prediction=True, ratio=ratio))
        return
    dim_map: dict[int, int | None] = {}
    e = 0
    for dd in range(ndim):
        if dd in reduced and not keepdim:
            dim_map[dd] = None
            continue
        dim_map[dd] = e
        e += 1
    for o in outs:
        if not isinstance(o, Tensor):
            continue
        new = combine(frame, op, [(track, dim_map)], o.shape)
        if new is None:
            continue
        if o is not outs[0]:  # argmax / indices of max: data, not loss
            new.from_prediction = False
        elif track.unweighted is not None and new.lost_at is None:
            raw = func(track.unweighted, *args[1:], **kwargs)
            new.unweighted = raw[0] if isinstance(raw, tuple) else raw
        frame.set(o, new)


@rule(T.max, torch.max, T.min, torch.min)
def max_min(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``max``/``min``: element-wise of two tensors, or a reduction."""
    if len(args) > 1 and isinstance(args[1], Tensor) or isinstance(kwargs.get("other"), Tensor):
        _binary(frame, func, args, kwargs, out, "")
    else:
        _reduce(frame, func, args, kwargs, out, None, False)


def _row_sum_normaliser(frame: Frame, src: Tensor, track: Track) -> Ratio:
    """``mask.sum()`` / ``w.sum()`` over rows: a normaliser that follows the group's rows.

    Summed per-row factors (``(l * w).sum() / w.sum()``) count as 1 per non-zero row, like the
    factor itself; masks and counts count as they are.
    """
    values = src.detach()
    values = values.to(torch.float32) if not values.is_floating_point() else values
    if track.rows:
        ((d, rows),) = track.rows.items()
    else:
        d, rows = -1, track.image.reshape(1)  # type: ignore[union-attr]
    ratio = Ratio.of(values, rows, d, RatioKind.SUM)
    ratio.normaliser_view = view_key(src)  # whether it is a factor is decided when the call returns
    frame.held.append(src)  # alive until then, so no later tensor can take its address
    return ratio


@rule(F.softmax, F.log_softmax, T.softmax, T.log_softmax, torch.softmax, torch.log_softmax)
def softmax(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    src = args[0]
    track = frame.get(src)
    if track is None or not isinstance(out, Tensor):
        return
    dim = get_arg(args, kwargs, 1, "dim", None)
    op = op_name(func)
    if dim is None or norm_dim(int(dim), src.dim()) in track.rows or track.unweighted is not None:
        if track.from_prediction:
            frame.lose(out, op)
        return
    new = combine(frame, op, [(track, identity_map(src.dim()))], out.shape)
    if new is not None:
        frame.set(out, new)


@rule(
    torch.zeros_like, torch.ones_like, torch.full_like, torch.empty_like, torch.rand_like,
    torch.randn_like,
)
def like(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``zeros_like``/``full_like``...: same layout, fresh data (no prediction)."""
    track = frame.get(args[0])
    if track is None or not isinstance(out, Tensor) or track.lost_at is not None or track.ratio is not None:
        return
    frame.set(out, Track(rows=track.rows, image=track.image))


