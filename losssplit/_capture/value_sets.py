"""The values found by ``unique`` of the images' data, tested as a set.

``u = torch.unique(target)`` holds the distinct values of every image's elements, sorted: its
positions are no image's and its length is the batch's. On a group alone ``unique`` finds a subset
of them, the values of the group's elements. Validation code tests them element-wise and asks
whether some (every) value passes (torchmetrics' binary checks: ``torch.any((u != 0) & (u != 1))``):
an element-wise test of ``u`` passes at some value exactly where it passes at some element of the
images whose value that is, so the question is ``any`` / ``all`` of the same test over the images'
elements, decided per group from the group's own elements (``Frame.noted_test``). Every other use of
``u`` (its length, a sum over it, its values in arithmetic with the images' rows) stays lost as
positions picked by values that mix images.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from . import mode
from .mode import Frame, Track, flat_args, get_arg, mixed_pick, op_name, rule, unweighted_of
from .ratio import Ratio, RatioKind, version_of

_TESTS = frozenset({
    Tensor.eq, torch.eq, Tensor.__eq__, Tensor.ne, torch.ne, Tensor.__ne__, Tensor.lt, torch.lt, Tensor.__lt__,
    Tensor.le, torch.le, Tensor.__le__, Tensor.gt, torch.gt, Tensor.__gt__, Tensor.ge, torch.ge, Tensor.__ge__,
    Tensor.__and__, Tensor.__rand__, Tensor.__or__, Tensor.__ror__, Tensor.__xor__, Tensor.__rxor__,
    Tensor.__invert__, Tensor.logical_and, torch.logical_and, Tensor.logical_or, torch.logical_or,
    Tensor.logical_xor, torch.logical_xor, Tensor.logical_not, torch.logical_not, Tensor.bitwise_and,
    torch.bitwise_and, Tensor.bitwise_or, torch.bitwise_or, Tensor.bitwise_not, torch.bitwise_not,
    Tensor.isnan, torch.isnan, Tensor.isinf, torch.isinf, Tensor.isfinite, torch.isfinite, Tensor.abs, torch.abs,
    Tensor.__neg__, Tensor.neg, torch.neg, Tensor.__add__, Tensor.__radd__, Tensor.__sub__, Tensor.__rsub__,
    Tensor.__mul__, Tensor.__rmul__, Tensor.bool, Tensor.long, Tensor.int, Tensor.float,
})
"""Element-wise ops that a value found by ``unique`` meets with numbers (or with values found by
the same ``unique``): position by position, a function of that value alone."""

_WHETHER = {Tensor.any: True, torch.any: True, Tensor.all: False, torch.all: False}


@rule(Tensor.unique, torch.unique, Tensor.unique_consecutive, torch.unique_consecutive)
def unique(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``unique`` of data with rows of images: the values found, their inverse indices and
    their counts are the batch's (on a group alone, the group's classes at other positions), so
    what is computed from them loses its images. Of one image's data (a per-image loop) they are
    that image's own and stay untracked constants, as fresh data. Their sizes (``len(y.unique())``,
    the classes present) are the batch's too: marked as positions picked by mixed values, so that
    a division by one declines (rt25: was a constant divisor, the batch's number on every group;
    rt26: ``unique_consecutive`` likewise). The values alone of ``torch.unique`` over the whole
    tensor of one dim of image rows are also noted as a set (``frame.value_sets``, see the module)."""
    src = args[0] if args else kwargs.get("input")
    track = frame.get(src)
    if track is not None and (track.rows or track.lost_at is not None or track.ratio is not None):
        frame.lose(out, mixed_pick(track.lost_at or f"{op_name(func)} of several images' data"), track)
        if isinstance(out, Tensor) and func in (Tensor.unique, torch.unique) and isinstance(src, Tensor):
            _note_set(frame, src, track, out, get_arg(args, kwargs, 4, "dim", None))


def _note_set(frame: Frame, src: Tensor, track: Track, out: Tensor, dim: Any) -> None:
    """Note ``out``, the values ``unique`` found in ``src`` (no dim given), as a set of the values
    of ``src``'s elements: each element's unweighted value and image (one dim of rows, none taken
    by position, the whole tensor of the images' values)."""
    if dim is not None or track.lost_at is not None or track.reduced or len(track.rows) != 1 or track.image is not None:
        return
    ((d, rows),) = track.rows.items()
    if frame.by_position(rows) or rows.dim() != 1 or rows.numel() != src.shape[d]:
        return
    shape = [1] * src.dim()
    shape[d] = -1
    images = rows.reshape(shape).expand(src.shape).reshape(-1)
    # a copy: ``src`` written in place after ``unique`` keeps the values found as they were
    values = unweighted_of(src, track).reshape(-1).clone()
    frame.value_sets[id(out)] = (out, version_of(out) or 0, id(out), values, images)


def _of_set(frame: Frame, x: Any) -> tuple[Tensor, int, int, Tensor, Tensor] | None:
    held = frame.value_sets.get(id(x)) if isinstance(x, Tensor) else None
    return held if held is not None and held[0] is x and (version_of(x) or 0) == held[1] else None


def value_set_use(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> bool:
    """An op meeting values ``unique`` found (``frame.value_sets``): an element-wise test of them
    with numbers, or with values the same ``unique`` found, is noted as a set too, its values on
    the images' elements computed by the same op (``f(u)`` at the position of an element's value
    is ``f`` of that element's value); ``any()`` / ``all()`` of such a set over every value is a
    test of some / every element of the images, decided per group (``Frame.noted_test``). Its
    outputs stay lost (True: nothing else follows the op). Anything else is left to the rules, which
    find the values lost (False)."""
    sets = [s for s in (_of_set(frame, x) for x in flat_args(args, kwargs)) if s is not None]
    if not sets or not isinstance(out, Tensor) or any(x is out for x in flat_args(args, kwargs)):
        return False
    base = sets[0][2]
    like = frame.get(sets[0][0])
    if func in _WHETHER:
        if len(args) != 1 or kwargs or out.numel() != 1:
            return False
        _, _, _, values, images = sets[0]
        some = _WHETHER[func]
        counted = (values != 0 if some else values == 0).to(torch.float32)
        frame.lose(out, like.lost_at if like is not None and like.lost_at else op_name(func), like)
        frame.noted_test(out, "gt" if some else "eq", Ratio.of(counted, images, 0, RatioKind.SUM), 0.0,
                         f"{op_name(func)} of the values torch.unique found in the images' data")
        return True
    if func not in _TESTS or any(s[2] != base for s in sets) or out.shape != sets[0][0].shape:
        return False
    replayed: list[Any] = []
    for x in (*args, *kwargs.values()):
        held = _of_set(frame, x)
        if held is not None:
            replayed.append(held[3])
        elif isinstance(x, Tensor):
            if x.dim() or frame.get(x) is not None:  # positions of ``u`` met by a tensor's: not a set's test
                return False
            replayed.append(x)
        elif isinstance(x, (bool, int, float)) or x is None:
            replayed.append(x)
        else:
            return False
    names = list(kwargs)
    positional = replayed[: len(args)]
    with torch._C.DisableTorchFunction():
        values = func(*positional, **dict(zip(names, replayed[len(args):])))
    if not isinstance(values, Tensor) or values.shape != sets[0][3].shape:
        return False
    frame.lose(out, like.lost_at if like is not None and like.lost_at else op_name(func), like)
    frame.value_sets[id(out)] = (out, version_of(out) or 0, base, values, sets[0][4])
    return True


mode.VALUE_SET_RULE.append(value_set_use)
