"""Rows scaled by a one-element value that each group alone computes from its own rows.

LoFTR's ``inv / inv.mean()``, PISA's ``w *= num_pos / w.sum()``: on a group alone the body divides
the group's rows by the group's mean (times the group's count over the group's sum), not the
batch's. Where that value is a reduced value the split computes per group -- a ratio, an expression
of ratios, or a count of rows over a ratio -- its value on each group is computed at the op (one
vector over the groups, on the device, no read), and each row's values with the weight field set
to 1 (``Track.unweighted``) take their own group's value: the values the body computes for those
rows on their group alone. Nothing else about the row track changes, so the rules that follow
per-image weights follow these values the same way.

Declined (left to the rules that lose attribution): groups not known on the host, a value that is
no such ratio (a maximum, a median, a number read on the host, a sum of a tensor that carried no
images: ``Frame.untracked_sums``), a ratio written in place since, one of a piece taken by position.
"""

from __future__ import annotations

from typing import Any

import torch

from .. import _formula
from .finite import evaluate
from .formulas import MAX_RATIOS, leaves
from .mode import Frame, Tensor, Track, lost_track, op_name, unweighted_of
from .ratio import Ratio, RatioKind, normaliser_applied, row_sums, version_of

_KINDS = frozenset({RatioKind.SUM, RatioKind.MEAN, RatioKind.ROW_MEAN, RatioKind.WEIGHTED_MEAN})


def group_index(frame: Frame, device: torch.device) -> tuple[Tensor, int] | None:
    """Each image's group (``Frame.host_groups``; one past the last for an image in none) as a
    long tensor on ``device``, and how many slots a vector over those groups has; made once per
    device and call. None where the groups are not known on the host."""
    held = frame.group_index.get(device)
    if held is None:
        groups = frame.host_groups()
        if not groups:
            return None
        held = frame.group_index[device] = (torch.tensor(groups, dtype=torch.long, device=device), max(groups) + 1)
    return held


def _ratio_values(frame: Frame, r: Ratio, index: Tensor, slots: int) -> Tensor | None:
    """``r``'s value on each group alone ([slots], float64), where the split computes it so from
    its rows: a sum, a mean, a mean over rows or a weighted mean of rows that carry images, with
    no normaliser, divisor, count, host factor, test or gate, not written since it was reduced,
    not a piece taken by position nor one image's value in a loop. None otherwise."""
    if (r.kind not in _KINDS or r.row_dim < 0 or r.host_image is not None or r.gate is not None or r.test is not None
            or r.normaliser is not None or r.divisors or r.group_factors or r.row_counts
            or r.batch_terms or r.part_images is not None or r.modified() or frame.by_position(r.rows)):
        return None
    if r.normaliser_ops and (r.kind is not RatioKind.SUM or r.offset or any(op == "host" for op, _ in r.normaliser_ops)):
        return None  # (a sum's ``+ eps`` / ``.clamp(min=c)`` are applied below, in the body's order)
    per_row = row_sums(r.values, r.row_dim)
    rows = r.rows.reshape(-1)
    if rows.numel() != per_row.numel():
        return None
    at = index.to(rows.device)[rows]
    num = torch.zeros(slots, dtype=torch.float64, device=rows.device).index_add_(
        0, at, r.numerators(per_row).to(torch.float64)) + r.num_offset
    if r.kind is RatioKind.SUM:
        num = normaliser_applied(num, r.normaliser_ops)  # ``pos.sum().clamp(min=1)``: each group's sum floored
        return num + r.offset if r.offset else num
    den = torch.zeros_like(num).index_add_(0, at, r.den_per_row(per_row).to(torch.float64))
    return num / den + r.offset


def count_values(rows: Tensor, index: Tensor, slots: int) -> Tensor:
    """How many of ``rows`` (the image of each index of a dim) each group has ([slots], float64)."""
    at = index.to(rows.device)[rows.reshape(-1)]
    return torch.zeros(slots, dtype=torch.float64, device=rows.device).index_add_(
        0, at, torch.ones(at.shape, dtype=torch.float64, device=rows.device))


def values_of(frame: Frame, x: Any) -> Tensor | None:
    """The value of the one-element tensor ``x`` on each group alone ([slots], float64; indexed
    by ``_group_index``), where the split computes it per group: noted at the op that made it
    (``note``), a ratio or an expression of ratios; None otherwise."""
    if not isinstance(x, Tensor) or x.numel() != 1 or not x.is_floating_point():
        return None
    noted = frame.group_scalars.get(id(x))
    if noted is not None:
        if noted[0] is x and noted[1] == version_of(x):
            return noted[2]
        return None
    track = frame.get(x)
    if track is None or track.elements or track.element_formulas:
        return None
    r = track.ratio
    if r is not None and track.lost_at is None and (r.rows.numel() == 1 or r.host_image is not None):
        return None  # one image's value: ``image_value_track`` follows it as that image's
    found = leaves(track)
    if found is None and r is not None and track.lost_at is None and r.kind is RatioKind.SUM and r.normaliser_ops:
        found = _formula.part(0), (r,)  # ``pos.sum().clamp(min=1)`` (no value a formula adds up): floored per group
    if found is None:
        return None
    expr, ratios = found
    if not ratios or len(ratios) > MAX_RATIOS:
        return None
    grouped = group_index(frame, ratios[0].values.device)
    if grouped is None:
        return None
    index, slots = grouped
    parts = []
    for q in ratios:
        v = _ratio_values(frame, q, index, slots)
        if v is None:
            return None
        parts.append(v.to(ratios[0].values.device))
    value, beyond = evaluate(expr, parts, torch.finfo(x.dtype).max / 2)
    # a group whose value may overflow in the tensor's dtype alone has none here (its companions are
    # then not finite, and omitted)
    return torch.where(beyond, torch.full_like(value, float("nan")), value)


def note(frame: Frame, out: Tensor, values: Tensor) -> None:
    """``out``'s value on each group alone is ``values`` (made by its op, ``over_count``)."""
    frame.group_scalars[id(out)] = (out, version_of(out), values)


def over_count(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``num_pos / w.sum()`` (``Tensor.__rtruediv__``) with ``num_pos`` a size of image rows
    (``RowCount``) or the very float ``float()`` of one returned (``Frame.count_floats``): on a
    group alone the group's count of those rows over the group's value of the ratio. Noted for a
    row factor (``scaled_rows``); the track is left as the other rules made it."""
    if func is not Tensor.__rtruediv__ or kwargs or len(args) != 2 or not isinstance(out, Tensor) or out.numel() != 1:
        return
    t, n = args
    rows = frame.row_count(n)
    if rows is None and type(n) is float:
        held = frame.count_floats.get(id(n))
        rows = frame.row_counts[held[1]] if held is not None and held[0] is n else None
    if rows is not None and frame.by_position(rows):
        return
    constant = rows is None and type(n) in (int, float) and frame.constant_number(n)  # ``3.0 / w.sum()``
    if rows is None and not constant:
        return
    den = values_of(frame, t)
    if den is None:
        return
    grouped = group_index(frame, den.device)
    assert grouped is not None  # ``values_of`` made it
    num = count_values(rows, *grouped).to(den.device) if rows is not None else torch.full_like(den, float(n))
    note(frame, out, num / den)


def _row_factor(frame: Frame, track: Track, values: Tensor, shape: torch.Size, dtype: torch.dtype) -> Tensor | None:
    """Each element's group value, broadcastable to ``shape``: along the one dim whose indices
    carry images, or the one image's; None for a track whose images are other."""
    grouped = group_index(frame, values.device)
    if grouped is None:
        return None
    index = grouped[0]
    if len(track.rows) == 1 and track.image is None:
        ((d, rows),) = track.rows.items()
        if d >= len(shape) or rows.numel() != shape[d]:
            return None
        view = [1] * len(shape)
        view[d] = rows.numel()
        return values[index.to(rows.device)[rows.reshape(-1)]].reshape(view).to(dtype)
    if not track.rows and track.image is not None:
        return values[index.to(track.image.device)[track.image.reshape(())]].to(dtype)
    return None


def _plain_rows(track: Track | None) -> bool:
    return (track is not None and track.lost_at is None and track.ratio is None and not track.parts
            and not track.elements and not track.element_formulas and track.formula is None and (bool(track.rows) or track.image is not None))


def scaled_rows(frame: Frame, kind: str, a: Any, ta: Track | None, b: Any, tb: Track | None, out: Any,
                kwargs: dict) -> bool:
    """``rows * s``, ``s * rows``, ``rows / s`` with ``s`` a one-element value of ``values_of``:
    the rows' track with values, the weight field set to 1, times (over) each row's group value.
    True where ``out``'s track was set."""
    if kwargs or kind not in ("mul", "div") or not isinstance(out, Tensor):
        return False
    if _plain_rows(ta) and isinstance(b, Tensor) and b.numel() == 1:
        x, tx, s = a, ta, b
    elif kind == "mul" and _plain_rows(tb) and isinstance(a, Tensor) and a.numel() == 1:
        x, tx, s = b, tb, a
    else:
        return False
    assert tx is not None
    if not isinstance(x, Tensor) or out.shape != x.shape or tx.unweighted is not None and tx.unweighted.shape != x.shape:
        return False
    values = values_of(frame, s)
    factor = None if values is None else _row_factor(frame, tx, values, out.shape, out.dtype)
    if factor is None:
        return False
    unit = unweighted_of(x, tx)
    made = unit * factor if kind == "mul" else unit / factor
    frame.set(out, Track(dict(tx.rows), tx.image, made, tx.from_prediction or _predicted(frame, s)))
    return True


def scaled_in_place(frame: Frame, func: Any, args: tuple, kwargs: dict) -> bool:
    """``w *= s`` / ``w /= s`` (``mul_``, ``div_``) of a row track by ``s`` of ``values_of``: as
    ``scaled_rows``; the values before the op, where no unweighted copy holds them, are rebuilt
    from those after it (``w / s``: a rounding's difference). True where the target's track was set."""
    if kwargs or len(args) != 2 or func not in (Tensor.mul_, Tensor.div_):
        return False
    target, s = args
    track = frame.get(target) if isinstance(target, Tensor) else None
    if not _plain_rows(track) or not isinstance(s, Tensor) or s.numel() != 1:
        return False
    assert track is not None
    if track.unweighted is not None and track.unweighted.shape != target.shape:
        return False
    values = values_of(frame, s)
    factor = None if values is None else _row_factor(frame, track, values, target.shape, target.dtype)
    if factor is None:
        return False
    batch = s.detach().reshape(()).to(target.dtype)
    if track.unweighted is not None:
        unit = track.unweighted
    elif func is Tensor.mul_:
        unit = target.detach() / batch
    else:
        unit = target.detach() * batch
    # a batch value of 0 or not finite leaves no values before the op to rebuild: as NaN, no companion
    unit = torch.where(torch.isfinite(batch) & (batch != 0), unit, torch.full_like(unit, float("nan")))
    made = unit * factor if func is Tensor.mul_ else unit / factor
    for other, was in frame.sharing(target):  # its views hold the batch's values now, not these
        frame.set(other, lost_track(f"{op_name(func)} through another tensor over its memory", was.from_prediction))
    frame.set(target, Track(dict(track.rows), track.image, made, track.from_prediction or _predicted(frame, s)))
    return True


def _predicted(frame: Frame, s: Tensor) -> bool:
    held = frame.get(s)
    return held is not None and held.from_prediction
