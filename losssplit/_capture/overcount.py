"""Values of the images divided by a count of image rows before any reduction.

``e / n`` of per-element values, ``n`` the batch's count of some image rows (``len(e)`` of those
very values; SAM 2's ``num_objects = torch.tensor(float(target.shape[0])).clamp(min=1).item()``),
is on a group alone ``e / n_S``: no value of the images' own, so the quotient is lost. But a sum
of it, reached through ops that scale with their one such operand (views, picks, a product with
other values, a sum of two quotients over the same count, partial sums and means over dims
without images), is that sum times ``n`` over the group's count, as the body computes it on the
group alone; and a pick by the ``argmin`` of such values is the group's own pick. Each quotient
is held with the track it would have undivided (``Frame.over_counts``, checked by identity and
version); any other op sees a lost tensor and ends attribution.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import torch

from . import mode
from .mode import FlooredFloat, FlooredInt, Frame, Tensor, Track, flat_args, get_arg, op_name
from .ratio import Ratio, RatioKind, version_of

OVER_COUNT = "of values divided by a count of image rows before their sum (on a group alone, by the group's count)"


@dataclasses.dataclass(frozen=True, slots=True)
class OverCount:
    """What a quotient is over: the images of the rows counted, the batch's number, its floor."""

    rows: Tensor
    z: float
    floor: float = 0.0

    def same(self, other: OverCount) -> bool:
        return self.rows is other.rows and self.z == other.z and self.floor == other.floor


def note_quotient(frame: Frame, quotient: Tensor, before: Track, over: OverCount) -> None:
    """``quotient``, already marked lost, is ``before``'s values over ``over`` (see the module)."""
    held = frame.get(quotient)
    if held is not None:
        frame.over_counts[id(quotient)] = (quotient, version_of(quotient), held, (before, over))


def _quotient(frame: Frame, x: Any) -> tuple[Track, OverCount, str] | None:
    """(the track undivided, what it is over, where it was lost) of the quotient ``x``, if it is one."""
    entry = frame.over_counts.get(id(x))
    if entry is None or entry[0] is not x or entry[1] is None or version_of(x) != entry[1] or frame.get(x) is not entry[2]:
        return None
    before, over = entry[3]
    return before, over, entry[2].lost_at or OVER_COUNT


def divided_by_floored_count(frame: Frame, a: Any, ta: Track | None, b: Any, out: Any) -> bool:
    """``e / num_objects`` with ``num_objects`` a count of image rows floored on the host
    (``FlooredFloat.counts``) and ``e`` per-element values of the predictions not yet reduced:
    lost, held as a quotient. True when so."""
    if type(b) not in (FlooredFloat, FlooredInt) or b.counts is None or ta is None or not _unreduced(ta, out):
        return False
    z = float(b)
    # the number itself: ``max(raw, floor)`` of the rows' count, no factor (``* groups``) since
    if b.factor != 1 or b.inner != 1 or b.raw != b.counts.numel() or z != max(b.raw, b.floor) or z <= 0:
        return False
    _hold(frame, ta, out, OverCount(b.counts, z, max(b.floor, 0.0)))
    return True


def divided_by_row_count(frame: Frame, a: Any, ta: Track | None, b: Any, out: Any) -> bool:
    """``e / bs`` with ``bs`` a size of a dim of image rows read in the body (``x.shape[0]``, a
    ``RowCount``) and ``e`` per-element values of the predictions not yet reduced (structured KD's
    ``(d ** 2 / (w * h) ** 2 / b).sum()``): lost, held as a quotient. True when so."""
    rows = frame.row_count(b)
    if rows is None or ta is None or not _unreduced(ta, out) or int(b) <= 0 or rows.numel() != int(b):
        return False
    _hold(frame, ta, out, OverCount(rows, float(b)))
    return True


def _unreduced(ta: Track, out: Any) -> bool:
    """Whether ``ta`` is per-element values of the predictions, not yet reduced nor lost."""
    return (isinstance(out, Tensor) and out.is_floating_point() and ta.lost_at is None
            and ta.ratio is None and not ta.parts and not ta.elements and not ta.element_formulas and ta.formula is None and ta.from_prediction
            and bool(ta.rows or ta.image is not None))


def _hold(frame: Frame, ta: Track, out: Tensor, over: OverCount) -> None:
    """``out``, ``ta``'s values over ``over``: lost, held with the track they would have undivided."""
    frame.lose(out, f"Tensor.div {OVER_COUNT}", ta)
    unweighted = ta.unweighted / over.z if ta.unweighted is not None else None
    before = Track(rows=ta.rows, image=ta.image, unweighted=unweighted, from_prediction=ta.from_prediction)
    note_quotient(frame, out, before, over)


# rules (by module and name) whose output scales with their one quotient operand (args[0])
_VIEWS = {("shape", "unsqueeze"), ("shape", "squeeze"), ("shape", "view"), ("shape", "expand"), ("shape", "permute"),
          ("shape", "transpose"), ("indexing", "getitem"), ("indexing", "index_select"),
          ("elementwise", "negation"), ("elementwise", "passthrough"), ("elementwise", "sum_"), ("elementwise", "mean")}
_ARGEXTREMES = {torch.argmin, torch.Tensor.argmin, torch.argmax, torch.Tensor.argmax}


def _kind(frame: Frame, func: Any, rule: Any, args: tuple, kwargs: dict,
          held: dict[int, tuple[Track, OverCount, str]]) -> OverCount | None:
    """What the op's output is over where it scales with its quotient operands as the body's
    values do (None: it does not, or not provably)."""
    key = (rule.__module__.rsplit(".", 1)[-1], rule.__name__)
    first = held.get(id(args[0])) if args else None
    second = held.get(id(args[1])) if len(args) > 1 else None
    others = [x for x in flat_args(args[1:], kwargs) if id(x) in held]
    if key in _VIEWS or key == ("elementwise", "reduction") and func in _ARGEXTREMES:
        if first is None or others:
            return None
        if key[1] == "reduction" and get_arg(args, kwargs, 1, "dim", None) is None:
            return None
        return first[1]
    if key[0] != "elementwise" or kwargs or len(args) != 2:
        return None
    if key[1] == "mul" and (first is None) != (second is None):
        return (first or second)[1]  # type: ignore[index]
    if key[1] == "div" and first is not None and second is None:
        b = args[1]
        return None if type(b) in (FlooredFloat, FlooredInt) and b.counts is not None else first[1]
    if key[1] in ("add", "sub") and first is not None and second is not None and first[1].same(second[1]):
        return first[1]
    return None


def over_count_op(frame: Frame, func: Any, rule: Any, args: tuple, kwargs: dict, out: Any) -> bool:
    """Follow an op with a quotient among its operands (see the module); True when it was run
    here (else the rule runs as usual and, the quotient being lost, ends attribution)."""
    held = {id(x): q for x in flat_args(args, kwargs) if isinstance(x, Tensor) and (q := _quotient(frame, x)) is not None}
    if not held or rule is None or not isinstance(out, Tensor) or any(out is x for x in flat_args(args, kwargs)):
        return False
    over = _kind(frame, func, rule, args, kwargs, held)
    if over is None:
        return False
    saved = {key: frame.tracks[key] for key in held}
    try:
        for x in flat_args(args, kwargs):
            if id(x) in held:
                frame.set(x, held[id(x)][0])
        rule(frame, func, args, kwargs, out)
    finally:
        frame.tracks.update(saved)
    made = frame.get(out)
    if made is None or made.lost_at is not None:
        return True  # the rule ended it on the undivided values too
    lost = next(iter(held.values()))[2]  # where the quotient was lost: the op that divided
    if func in _ARGEXTREMES:
        _no_near_tie(frame, func, args, kwargs, op_name(func))
        return True  # indices: no values over the count
    if made.ratio is not None and not made.parts and not made.elements and not made.element_formulas and made.formula is None:
        if rule.__name__ == "sum_" and made.ratio.kind is RatioKind.SUM and _summed(frame, made, over, out):
            return True
    elif not made.parts and not made.elements and not made.element_formulas and made.formula is None and out.is_floating_point():
        frame.lose(out, lost, made)
        note_quotient(frame, out, made, over)
        return True
    frame.lose(out, lost, made)
    return True


def _summed(frame: Frame, made: Track, over: OverCount, out: Tensor) -> bool:
    """The full sum of a quotient: the sum of the values times ``z`` over each group's count of
    the rows counted, floored as the body floored it. Whether it is one."""
    assert made.ratio is not None
    rows = over.rows.reshape(-1)
    count = Ratio.of(torch.ones(rows.numel(), device=rows.device), rows, 0, RatioKind.SUM)
    if over.floor > 0:
        count = count.replace(normaliser_ops=(("min", over.floor),))
    try:
        ratio = made.ratio.scaled(over.z).scaled(by_rows=count)
    except ValueError:
        return False
    frame.set(out, Track(from_prediction=made.from_prediction, ratio=ratio))
    return True


# the smallest gap, relative to the largest value, between the best two values an argmin or argmax
# picks from: the group's values are the batch's times n / n_S, rounded otherwise
_TIE = 1e-4


_ARGMAX = (torch.argmax, torch.Tensor.argmax)  # bound once: a library may rebind torch's names later


def _no_near_tie(frame: Frame, func: Any, args: tuple, kwargs: dict, op: str) -> None:
    """Decline the call where the best two of some row are within rounding of each other: on a
    group alone the body's values, over another count, may pick the other."""
    values = args[0].detach()
    dim = get_arg(args, kwargs, 1, "dim", None)
    if values.dim() == 0 or values.shape[dim] < 2:
        return
    best = values.topk(2, dim=dim, largest=func in _ARGMAX).values
    gap = (best.select(dim, 0) - best.select(dim, 1)).abs()
    scale = values.abs().amax(dim=dim)
    frame.doubt((~(gap > _TIE * scale)).any(), f"{op} {OVER_COUNT}: two values within rounding of each other")


mode.OVER_COUNT_RULE.append(over_count_op)
