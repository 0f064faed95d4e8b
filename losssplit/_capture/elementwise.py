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
    keep_rows,
    lose_aliases,
    lost_track,
    norm_dim,
    only_wide_dim,
    op_name,
    rule,
    tensors,
    unweighted_of,
    unweighted_operand,
)
from .ratio import Ratio, RatioKind, add_ratios, row_sums


@rule(
    Tensor.clone, Tensor.contiguous, Tensor.detach, Tensor.to, Tensor.float, Tensor.double,
    Tensor.half, Tensor.bfloat16, Tensor.cpu, Tensor.cuda,
    Tensor.type_as, Tensor.requires_grad_, torch.clone, torch.detach, Tensor.view_as,
    Tensor.reshape_as,
    Tensor.data.__get__,  # type: ignore[attr-defined]
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
    Tensor.abs, torch.abs, Tensor.exp, torch.exp, Tensor.log, torch.log, Tensor.log1p, torch.log1p,
    Tensor.sigmoid,
    torch.sigmoid, Tensor.sqrt, torch.sqrt, Tensor.rsqrt, torch.rsqrt, Tensor.square, torch.square,
    Tensor.tanh,
    torch.tanh, Tensor.relu, torch.relu, Tensor.clamp_max, torch.clamp_max, Tensor.reciprocal,
    torch.reciprocal,
    Tensor.floor, torch.floor, Tensor.ceil, torch.ceil, Tensor.round, torch.round,
    Tensor.nan_to_num,
    torch.nan_to_num, Tensor.sin, torch.sin, Tensor.cos, torch.cos, Tensor.atan, torch.atan,
    Tensor.exp2, Tensor.expm1,
    torch.expm1, Tensor.log2, torch.log2, Tensor.log10, torch.log10, Tensor.pow, Tensor.__pow__,
    torch.pow, F.relu, Tensor.acos, torch.acos, Tensor.asin, torch.asin, Tensor.tan, torch.tan,
    Tensor.sinh, torch.sinh, Tensor.cosh, torch.cosh, Tensor.atanh, torch.atanh,
    F.softplus, F.logsigmoid, F.silu, F.gelu, F.elu, F.leaky_relu,
    Tensor.float_power, Tensor.erf, torch.erf,
)
def unary(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Element-wise ops of one tensor (``exp``, ``sigmoid``, ``pow(x, 2)``...)."""
    _unary(frame, func, args, kwargs, out, "")


@rule(Tensor.neg, torch.neg, torch.negative)
def negation(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``-x``: also of a reduced loss (its ratio changes sign)."""
    _unary(frame, func, args, kwargs, out, "neg")


@rule(Tensor.clamp, torch.clamp, Tensor.clamp_min, torch.clamp_min, Tensor.clip, torch.clip)
def clamp(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``clamp``: also ``mask.sum().clamp(min=1)``, a normaliser clamped per group as well."""
    _unary(frame, func, args, kwargs, out, "clamp")


@rule(
    Tensor.isfinite, torch.isfinite, Tensor.isnan, torch.isnan, Tensor.isinf, torch.isinf,
    Tensor.logical_not,
    torch.logical_not, Tensor.__invert__, Tensor.bool, Tensor.long, Tensor.int, Tensor.sign,
    torch.sign,
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
        if kind == "clamp" and _is_number(low) and high is None and _clampable(track):
            # ``mask.sum().clamp(min=1)``: clamped per group as well. Of a sum of predictions
            # (``quality.sum().clamp(min=eps)``) only as a normaliser: a returned clamped loss
            # is no ratio, so it is not marked a prediction (no companion of its own)
            frame.set(out, Track(ratio=track.ratio.scaled(normaliser_op=("min", float(low)))))
            return
        if kind == "neg":
            frame.set(out, Track(from_prediction=True, ratio=track.ratio.scaled(-1.0)))
            return
        value = image_value_track(frame, track)
        if value is None:
            frame.lose(out, op_name(func), track)
            return
        track = value  # one image's reduced value, in further arithmetic: that image's tensor
    new = combine(frame, op_name(func), [(track, identity_map(src.dim()))], out.shape)
    if new is not None and track.unweighted is not None and new.lost_at is None:
        new.unweighted = func(track.unweighted, *args[1:], **kwargs)
    if new is not None:
        if kind == "data":
            new.from_prediction = False
        frame.set(out, new)


@rule(Tensor.add, torch.add)
def add(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``a + b``: also sums of reduced losses and ``normaliser + eps``."""
    _binary(frame, func, args, kwargs, out, "add")


@rule(Tensor.mul, torch.mul, torch.multiply)
def mul(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``a * b``: a per-row factor times a prediction is set aside as 1."""
    _binary(frame, func, args, kwargs, out, "mul")


@rule(Tensor.div, Tensor.true_divide, torch.div, torch.divide, torch.true_divide)
def div(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``a / b``: a per-row divisor is set aside as 1; a reduced loss over a normaliser."""
    _binary(frame, func, args, kwargs, out, "div")


@rule(
    Tensor.eq, Tensor.ne, Tensor.lt, Tensor.le, Tensor.gt, Tensor.ge, Tensor.__eq__, torch.eq,
    torch.ne, torch.lt, torch.le, torch.gt,
    torch.ge, Tensor.__and__, Tensor.__or__, Tensor.__xor__, Tensor.logical_and, Tensor.logical_or,
    torch.logical_and,
    torch.logical_or,
)
def comparison(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Comparisons and logic: same layout, but data (a mask), not a loss."""
    _binary(frame, func, args, kwargs, out, "data")


@rule(Tensor.sub, torch.sub, torch.subtract)
def sub(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``a - b``: also a reduced loss minus a constant or minus another summed loss."""
    _binary(frame, func, args, kwargs, out, "sub")


@rule(torch.rsub, Tensor.__rsub__)
def rsub(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``c - x`` (``1 - dice.mean()``): of a reduced loss, its value negated plus ``c`` per group."""
    _binary(frame, func, args, kwargs, out, "rsub")


@rule(
    Tensor.__rtruediv__, Tensor.__rpow__,
    Tensor.maximum, torch.maximum, Tensor.minimum, torch.minimum, Tensor.atan2, torch.atan2,
    Tensor.xlogy,
    torch.xlogy, Tensor.__floordiv__, Tensor.fmod, Tensor.remainder,
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
    if tb is None and kind == "div" and ta is not None and ta.ratio is not None and frame.untracked_sums:
        tb = _late_normaliser(frame, b)
    if (
        tb is None
        and ta is not None
        and ta.unweighted is None
        and ta.ratio is None
        and ta.lost_at is None
        and (not isinstance(b, Tensor) or b.dim() == 0)
        and out.dim() == a.dim()
    ):  # tensor op scalar: same layout
        same = Track(ta.rows, ta.image, None, ta.from_prediction and kind != "data")
        if kind in ("mul", "div") and ta.image is not None and _is_image_weight(frame, ta.image, b):
            same.unweighted = a.detach()  # one image's values times (or over) its weight: weight 1
        frame.set(out, same)
        return
    op = op_name(func)
    if (ta is not None and ta.ratio is not None) or (tb is not None and tb.ratio is not None):
        lost = next((t.lost_at for t in (ta, tb) if t is not None and t.lost_at is not None), None)
        if lost is not None:
            frame.lose(out, lost, pred=is_prediction(a, ta) or is_prediction(b, tb))
            return
        if kind in ("mul", "div"):
            _weight_statistic(frame, op, b if ta is not None and ta.ratio is not None else a, tb if ta is not None and ta.ratio is not None else ta)
        try:
            alpha = kwargs.get("alpha", 1)
            reduced = _ratio_arithmetic(frame, kind, a, ta, b, tb) if _is_number(alpha) and alpha == 1 else None
        except ValueError:  # an offset that this arithmetic cannot carry exactly
            reduced = None
        if reduced is not None:
            frame.set(out, reduced)
            return
        # One image's reduced value in other arithmetic (``gts - gt.cumsum(0)`` in a per-image
        # loop) is a value of that image; any other reduced value ends attribution (data too).
        va = image_value_track(frame, ta) if ta is not None and ta.ratio is not None else ta
        vb = image_value_track(frame, tb) if tb is not None and tb.ratio is not None else tb
        if (ta is not None and va is None) or (tb is not None and vb is None):
            frame.lose(out, op, pred=is_prediction(a, ta) or is_prediction(b, tb))
            return
        ta, tb = va, vb
    new = broadcast_tracks(frame, op, ((a, ta), (b, tb)), out)
    if new is None:
        return
    if new.lost_at is None:
        if kind == "data":
            new.from_prediction = False
        elif not new.from_prediction:  # an untracked prediction (``src - tgt`` of matched rows passed in)
            new.from_prediction = any(t is None and is_prediction(x, None) for x, t in ((a, ta), (b, tb)))
        sa = unweighted_operand(frame, a, ta, new.rows, out.shape, op, kind in ("mul", "div"))
        sb = unweighted_operand(frame, b, tb, new.rows, out.shape, op, kind in ("mul", "div"))
        if sa is not a or sb is not b:
            new.unweighted = func(sa, sb, *args[2:], **kwargs)
    frame.set(out, new)


def _late_normaliser(frame: Frame, z: Any) -> Track | None:
    """``z = w.sum()`` of a tensor that carried no images when summed: a row-sum normaliser if
    ``w`` has since met the rows it multiplies (by itself or as the vector a factor views);
    otherwise a count of unknown rows, so the loss it divides is declined (lost), not guessed."""
    entry = frame.untracked_sums.get(id(z))
    if entry is None or entry[0] is not z:
        return None
    src = entry[1]
    track = frame.get(src)
    if track is not None and track.lost_at is None and track.ratio is None and len(track.rows) == 1:
        ((d, rows),) = track.rows.items()
        values = unweighted_of(src, track)
    elif track is None and src.is_contiguous() and (src.data_ptr(), src.numel()) in frame.factors:
        factor, rows, unweighted = frame.factors[(src.data_ptr(), src.numel())]
        d, values = only_wide_dim(src), (src if unweighted is None else unweighted.reshape(src.shape)).detach()
    else:
        return lost_track("a division by the sum of a tensor whose rows are unknown", False)
    values = values if values.is_floating_point() else values.float()
    return Track(ratio=Ratio.of(values, rows, d, RatioKind.SUM))


def image_value_track(frame: Frame, track: Track) -> Track | None:
    """A reduced value whose rows are all one image, as a tensor of that image holding its value
    with the weight field set to 1; None for any other reduced value."""
    r = track.ratio
    if r is None or r.rows.numel() != 1 or r.kind is RatioKind.SUM_OVER_OPAQUE or r.offset:
        return None
    image = frame.image_index(r.host_image, r.rows.device) if r.host_image is not None else r.rows.reshape(())
    return Track(image=image, unweighted=r.image_value(), from_prediction=track.from_prediction)


def _weight_statistic(frame: Frame, op: str, c: Any, track: Track | None) -> None:
    """Decline the call where a reduced loss is scaled by the sum or the mean of the batch's
    weights (``e.mean() * w.mean()``, ``l.sum() / sum(t["loss_weight"] for t in targets)``): on a
    group alone, weights 1, that number is the group's image count, or 1. A number equal to an
    image's own weight is left to the weight matching; weights all 1 leave nothing to tell; a
    whole Python number is a literal or a count, one of the arguments' numbers an outside
    normaliser (as the README reads them)."""
    if track is not None or frame.weights_on(torch.device("cpu")) is None:
        return
    if isinstance(c, bool) or not isinstance(c, (int, float, Tensor)) or (isinstance(c, Tensor) and c.numel() != 1):
        return
    if isinstance(c, Tensor) and id(c) in frame.untracked_sums:
        return  # ``(l * w).sum() / w.sum()``: a row-sum normaliser (``_late_normaliser``)
    if isinstance(c, (int, float)) and (float(c).is_integer() or frame.from_arguments(float(c))):
        return  # a literal (``/ 3``, ``* 2``), a count or an outside normaliser: read as such (README)
    weights = [frame.host_weight(b) for b in range(frame.num_images)]
    if all(w == 1 for w in weights):
        return
    stats = (sum(weights), sum(weights) / len(weights))  # type: ignore[arg-type]
    message = f"a reduced loss is scaled at {op} by a statistic of the images' weights (their sum or mean)"
    if isinstance(c, Tensor):
        v = c.detach().reshape(()).to(torch.float64)
        near = [(v - z).abs() <= 1e-6 * abs(z) for z in stats if all(z != w for w in weights)]
        if near:
            frame.doubt(torch.stack(near).any(), message)
    elif any(abs(c - z) <= 1e-6 * abs(z) and all(z != w for w in weights) for z in stats):
        frame.doubt(torch.ones((), dtype=torch.bool), message)


def _is_image_weight(frame: Frame, image: Tensor, c: Any) -> bool:
    """Whether the Python number ``c`` multiplying image ``image``'s values is its weight."""
    if not isinstance(c, (int, float)) or isinstance(c, bool) or c == 1:
        return False
    b = frame.image_ids.get(id(image))
    w = frame.host_weight(b) if b is not None else None
    if w is None:
        return False
    frame.scalar_weights[0 if c == w else 1] += 1
    return c == w


def _scalar_of(x: Any, track: Track | None) -> float | Tensor | None:
    """``x`` as a constant factor (with the weight field set to 1): a Python number, or a
    one-element tensor without images. A statistic of the batch (``m.sum()``, ``m.mean()`` of
    data) is not one: on a group alone it is recomputed from the group's rows."""
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return x
    if track is not None and (track.ratio is not None or track.lost_at is not None):
        return None
    if isinstance(x, Tensor) and x.numel() == 1 and (track is None or not track.from_prediction):
        if track is not None and track.unweighted is not None:
            return track.unweighted.reshape(())
        return x.detach().reshape(())
    return None


def _ratio_arithmetic(
    frame: Frame, kind: str, a: Any, ta: Track | None, b: Any, tb: Track | None
) -> Track | None:
    """Arithmetic on scalar losses: times or divided by a constant (``* Q``, ``/ num_boxes``),
    divided by a row-sum normaliser, ``normaliser + eps``, and sums of summed or per-image losses."""
    if ta is not None and ta.ratio is not None and not ta.from_prediction and ta.ratio.kind is RatioKind.SUM:
        if kind == "add" and isinstance(b, (int, float)) and not isinstance(b, bool):
            if b == 0:  # ``0 + mask.sum()``, the start of a running total
                return Track(ratio=ta.ratio)
            return Track(ratio=ta.ratio.scaled(normaliser_op=("add", float(b))))  # ``mask.sum() + 1e-4``
        if kind in ("mul", "div") and _is_number(b) and b != 0:  # ``2 * mask.sum()``, ``w.sum() * 4``
            scaled = ta.ratio.normaliser_times(b if kind == "mul" else 1 / b)
            return None if scaled is None else Track(ratio=scaled)
        if kind == "add" and tb is not None and tb.ratio is not None and not tb.from_prediction:
            total = add_ratios(ta.ratio, tb.ratio)  # ``m1.sum() + m2.sum()``: one normaliser
            return None if total is None else Track(ratio=total)
        if kind not in ("div", "add") or tb is None or tb.ratio is None:
            return None  # a row-sum normaliser in other arithmetic: opaque
    if ta is not None and ta.ratio is not None:
        pred = ta.from_prediction
        if (
            kind == "div"
            and tb is not None
            and tb.ratio is not None
            and tb.ratio.kind is RatioKind.SUM
            and ta.ratio.kind is RatioKind.SUM
            and not ta.ratio.divisors
        ):
            return Track(from_prediction=pred, ratio=ta.ratio.scaled(by_rows=tb.ratio))
        if kind in ("add", "sub") and tb is not None and tb.ratio is not None:
            total = add_ratios(ta.ratio, tb.ratio if kind == "add" else tb.ratio.scaled(-1.0))
            return None if total is None else Track(from_prediction=pred or tb.from_prediction, ratio=total)
        other = _scalar_of(b, tb)
        if other is None:
            return None
        if kind == "div" and ta.ratio.kind is RatioKind.SUM and not ta.ratio.divisors:
            counted = frame.host_normaliser(b)
            if counted is not None:  # ``l.sum() / num_pos`` with ``num_pos = mask.sum().item()``
                return Track(from_prediction=pred, ratio=ta.ratio.scaled(by_rows=counted))
        if kind in ("mul", "div", "add", "sub", "rsub"):
            _host_number(frame, other)  # any other use of a number read on the host
        if kind == "mul":
            return Track(from_prediction=pred, ratio=_scaled_by(frame, ta.ratio, other))
        if kind == "div":
            if isinstance(other, (int, float)) and other != 0 and _constant_divisor(frame, ta.ratio, other):
                return Track(from_prediction=pred, ratio=ta.ratio.scaled(scale=1 / other))
            return Track(from_prediction=pred, ratio=ta.ratio.scaled(divisor=other))
        if kind in ("add", "sub", "rsub") and _is_number(other):
            # ``x + c``, ``x - c``, ``c - x``: the body on the group alone is its value plus c
            if kind == "rsub":
                return Track(from_prediction=pred, ratio=ta.ratio.scaled(-1.0).shifted(float(other)))
            return Track(from_prediction=pred, ratio=ta.ratio.shifted(float(other) if kind == "add" else -float(other)))
        return None
    if tb is not None and tb.ratio is not None and kind == "mul":
        other = _scalar_of(a, ta)
        if other is not None:
            _host_number(frame, other)
            return Track(from_prediction=tb.from_prediction, ratio=_scaled_by(frame, tb.ratio, other))
    return None


def _host_number(frame: Frame, x: Any) -> None:
    """A number read on the host from the images' values (other than as the count a sum is
    divided by) that reaches a reduced loss: its value is this batch's, so the call is declined."""
    op = frame.host_value(x)
    if op is not None:
        frame.doubt(torch.ones((), dtype=torch.bool), f"a number read on the host at {op} reaches a loss")


def _clampable(track: Track) -> bool:
    """Whether a reduced value can be clamped as a row-sum normaliser: data, or a plain sum."""
    r = track.ratio
    return r is not None and (
        not track.from_prediction
        or (r.kind is RatioKind.SUM and r.normaliser is None and not r.divisors and not r.offset and not r.num_offset)
    )


def _constant_divisor(frame: Frame, ratio: Ratio, z: float) -> bool:
    """Whether the Python number ``z`` dividing a sum is a constant of the body (``/ 4.0``,
    ``/ self.scale``), the same for every group: it is none of the call's arguments' numbers
    (an outside normaliser, whose group share is taken) and equals none of the local counts
    (rows or elements of the loss, target instances, images, non-ignored tokens: the body's own
    recount)."""
    if ratio.kind not in (RatioKind.SUM, RatioKind.SUM_OVER_OPAQUE) or frame.from_arguments(z):
        return False
    if z in (ratio.rows.numel(), ratio.numel) or type(z) is int and z == frame.num_images:  # images: as ``len(targets)`` gives
        return False
    instances = frame.instances()
    if isinstance(instances, list) and z == sum(instances):
        return False
    if ratio.den_values is not None:  # tokens counted per row: compared on the host, now
        return z != row_sums(ratio.den_values, ratio.row_dim).sum().item()
    return True


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _scaled_by(frame: Frame, ratio: Ratio, factor: float | Tensor) -> Ratio:
    """``loss * c``: ``c`` is a constant, or one image's weight (then 1) -- a weight tensor arrives
    here as its unweighted value, a Python number equal to the one image's weight is recognised."""
    if ratio.host_image is not None and isinstance(factor, (int, float)):
        image = frame.image_index(ratio.host_image, ratio.rows.device)
        if _is_image_weight(frame, image, factor):
            factor = 1.0
    return ratio.scaled(scale=factor)


@rule(torch.where, Tensor.where)
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


@rule(Tensor.masked_fill, torch.masked_fill)
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


@rule(Tensor.sum, torch.sum)
def sum_(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``sum``: over the rows of a prediction, a Ratio; of data over rows, a normaliser."""
    _reduce(frame, func, args, kwargs, out, RatioKind.SUM, True)


@rule(Tensor.nansum, torch.nansum)
def nansum(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``nansum``: as ``sum`` (NaN rows add 0 to the group's numerator too)."""
    _reduce(frame, func, args, kwargs, out, RatioKind.SUM, False)


@rule(Tensor.mean, torch.mean)
def mean(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``mean``: over the rows of a prediction, a Ratio of the group's elements."""
    _reduce(frame, func, args, kwargs, out, RatioKind.MEAN, True)


@rule(
    Tensor.amax, torch.amax, Tensor.amin, torch.amin, Tensor.argmax, torch.argmax, Tensor.argmin,
    torch.argmin, Tensor.norm,
    torch.norm, Tensor.logsumexp, torch.logsumexp, Tensor.all, torch.all, Tensor.any, torch.any,
    Tensor.prod,
    torch.prod, Tensor.std, torch.std, Tensor.var, torch.var, Tensor.count_nonzero,
    torch.count_nonzero,
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
        if kind is RatioKind.SUM and isinstance(src, Tensor) and src.dim() and isinstance(out, Tensor):
            if get_arg(args, kwargs, 1, "dim", None) is None:
                frame.untracked_sums[id(out)] = (out, src)
        return
    outs = tensors(out) if isinstance(out, tuple) else [out]
    op = op_name(func)
    if track.lost_at is not None or track.ratio is not None:
        for o in outs:
            if track.ratio is not None and neutral and o.numel() == 1:
                frame.set(o, track)
            else:
                frame.lose(o, track.lost_at or op, track)
        return
    ndim = src.dim()
    dims, keepdim = _reduce_dims(func, args, kwargs, ndim)
    reduced = set(range(ndim)) if dims is None else set(dims)
    row_dims = set(track.rows)
    if reduced & row_dims or (track.image is not None and reduced == set(range(ndim))):
        full = reduced == set(range(ndim))
        if kind is None or not full or len(row_dims) > 1 or not isinstance(out, Tensor):
            for o in outs:
                frame.lose(o, op if full or kind is None else f"{op} over a row dim", track)
            return
        # A full sum or mean over rows: a loss (or, of data such as a mask, a normaliser, or a
        # returned statistic), per row with the weight field set to 1.
        values = unweighted_of(src, track)
        if not values.is_floating_point():
            values = values.to(torch.float32)
        host_image = None
        if row_dims:
            (d,) = row_dims
            rows = track.rows[d]
        else:
            d = -1
            assert track.image is not None  # one image's tensor, by the condition above
            rows = track.image.reshape(1)
            host_image = frame.image_ids.get(id(track.image))
        ratio = Ratio.of(values, rows, d, kind, host_image=host_image)
        frame.set(out, Track(from_prediction=track.from_prediction, ratio=ratio.compact(frame.tokens)))
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


@rule(Tensor.max, torch.max, Tensor.min, torch.min)
def max_min(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``max``/``min``: element-wise of two tensors, or a reduction."""
    if len(args) > 1 and isinstance(args[1], Tensor) or isinstance(kwargs.get("other"), Tensor):
        _binary(frame, func, args, kwargs, out, "")
    else:
        _reduce(frame, func, args, kwargs, out, None, False)


@rule(F.softmax, F.log_softmax, Tensor.softmax, Tensor.log_softmax, torch.softmax, torch.log_softmax)
def softmax(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    src = args[0]
    track = frame.get(src)
    if track is None or not isinstance(out, Tensor):
        return
    dim = get_arg(args, kwargs, 1, "dim", None)
    op = op_name(func)
    if dim is None or norm_dim(int(dim), src.dim()) in track.rows or track.unweighted is not None:
        frame.lose(out, op, track)
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




_INPLACE_UNARY = (
    Tensor.log_, Tensor.exp_, Tensor.neg_, Tensor.abs_, Tensor.sqrt_, Tensor.rsqrt_, Tensor.pow_,
    Tensor.sigmoid_, Tensor.tanh_, Tensor.relu_,
    Tensor.clamp_, Tensor.clamp_min_, Tensor.clamp_max_, Tensor.clip_, Tensor.log1p_, Tensor.expm1_,
    Tensor.square_, Tensor.reciprocal_,
    Tensor.floor_, Tensor.ceil_, Tensor.round_, Tensor.nan_to_num_, Tensor.log2_, Tensor.log10_,
    Tensor.exp2_, torch.relu_,
)


@rule(*_INPLACE_UNARY)
def inplace_unary(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``l.log_()``, ``l.clamp_(min=eps)``, ``l.neg_()``...: same rows; remembered unweighted
    values get the op too, out of place (so no other tensor's values go stale). A reduced loss
    written in place: declined; ``mask.sum().clamp_(min=1)``: a normaliser clamped per group."""
    target = args[0]
    track = frame.get(target)
    if track is None or not isinstance(target, Tensor) or track.lost_at is not None:
        return
    if track.ratio is not None:
        low = get_arg(args, kwargs, 1, "min", None)
        clamp = getattr(func, "__name__", "") in ("clamp_", "clamp_min_", "clip_")
        high = get_arg(args, kwargs, 2, "max", None) if getattr(func, "__name__", "") != "clamp_min_" else None
        if not track.from_prediction and clamp and _is_number(low) and high is None:
            frame.set(target, Track(ratio=track.ratio.scaled(normaliser_op=("min", float(low)))))
        else:
            frame.lose(target, op_name(func), track)
        return
    if track.unweighted is not None:
        unweighted = func(track.unweighted.clone(), *args[1:], **kwargs)
        frame.set(target, Track(track.rows, track.image, unweighted, track.from_prediction))
    lose_aliases(frame, target, op_name(func))


@rule(Tensor.cumsum, torch.cumsum, Tensor.cumprod, torch.cumprod, Tensor.cummax, torch.cummax, Tensor.cummin, torch.cummin,
      Tensor.logcumsumexp, torch.logcumsumexp)
def cumulative(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``cumsum`` and friends along a dim that carries no images: every dim keeps its rows (a second
    output, the indices of ``cummax``, is data); along a row dim, images mix."""
    _along(frame, func, args, kwargs, out, get_arg(args, kwargs, 1, "dim", 0))


@rule(F.normalize)
def normalize(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``F.normalize(x, dim=d)``: each vector along ``d`` scaled by its own norm; rows kept unless
    ``d`` carries images."""
    _along(frame, func, args, kwargs, out, get_arg(args, kwargs, 2, "dim", 1))


def _along(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any, dim: Any) -> None:
    """An op along ``dim`` of one tensor that keeps its shape: rows kept unless ``dim`` carries
    images (a single row there is one image); the values replayed on unweighted values."""

    def mixes(src: Tensor, track: Track) -> bool:
        rows = track.rows.get(norm_dim(int(dim), max(src.dim(), 1)))
        return rows is not None and rows.shape[0] > 1

    keep_rows(frame, func, args, kwargs, out, mixes, "along")


_ONE_DIM_FFT = (torch.fft.fft, torch.fft.ifft, torch.fft.rfft, torch.fft.irfft)
_TWO_DIM_FFT = (torch.fft.fft2, torch.fft.ifft2, torch.fft.rfft2, torch.fft.irfft2)
_N_DIM_FFT = (torch.fft.fftn, torch.fft.ifftn, torch.fft.rfftn, torch.fft.irfftn)


_COMPLEX_PARTS = (Tensor.real.__get__, Tensor.imag.__get__, torch.real, torch.imag, torch.view_as_real)  # type: ignore[attr-defined]


@rule(*_ONE_DIM_FFT, *_TWO_DIM_FFT, *_N_DIM_FFT, *_COMPLEX_PARTS)
def spectral(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.fft.*`` over dims that carry no images (a frequency loss over ``[B, C, H, W]``): the
    other dims keep their rows; over a row dim (``fftn`` without ``dim=`` included), images mix.
    ``z.real``, ``z.imag``, ``torch.view_as_real(z)`` (a trailing dim of 2): same rows."""

    def mixes(src: Tensor, track: Track) -> bool:
        if func in _COMPLEX_PARTS:
            return False
        default: Any = -1 if func in _ONE_DIM_FFT else (-2, -1) if func in _TWO_DIM_FFT else None
        dims = dims_arg(get_arg(args, kwargs, 2, "dim", default), src.dim())
        return bool(set(range(src.dim()) if dims is None else dims) & set(track.rows))

    keep_rows(frame, func, args, kwargs, out, mixes, "along")


@rule(torch.cosine_similarity, torch.pairwise_distance)
def cosine_similarity(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``F.cosine_similarity(a, b, dim)`` / ``F.pairwise_distance(a, b)``: broadcast, then the
    vector dim reduced per position; the other dims keep their rows."""
    a, b = args[0], get_arg(args, kwargs, 1, "x2", None)
    if not isinstance(a, Tensor) or not isinstance(b, Tensor) or not isinstance(out, Tensor):
        return
    ta, tb = frame.get(a), frame.get(b)
    if ta is None and tb is None:
        return
    op = op_name(func)
    ndim = max(a.dim(), b.dim())
    if getattr(func, "__name__", "") == "pairwise_distance":
        d = ndim - 1
    else:
        d = norm_dim(int(get_arg(args, kwargs, 2, "dim", 1)), ndim)
    parts = []
    for x, t in ((a, ta), (b, tb)):
        shift = ndim - x.dim()
        dim_map: dict[int, int | None] = {}
        for k in range(x.dim()):
            e = k + shift
            dim_map[k] = None if e == d else (e if e < d else e - 1)
        parts.append((t, dim_map))
    new = combine(frame, op, parts, out.shape)
    if new is None:
        return
    if new.lost_at is not None:
        frame.lose(out, f"{op} along a dim that carries images", new)
        return
    if any(t is not None and t.unweighted is not None for t in (ta, tb)):
        new.unweighted = func(unweighted_of(a, ta), unweighted_of(b, tb), *args[2:], **kwargs)
    frame.set(out, new)

