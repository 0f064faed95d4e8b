"""The capture's core: a private torch function mode, the per-tensor ``Track`` and the rule table.

The mode runs every op unchanged and, for ops with a rule in ``RULES``, records on the output a
``Track``: for each dimension that indexes images' rows, the image of every index along it
(``rows``), or the one image a whole tensor belongs to (``image``); the values the tensor would
hold with per-row factors taken as 1 (``unweighted``); whether it derives from predictions
(``from_prediction``); and, for a loss reduced to a scalar, a lazy ``Ratio``. An op without a rule
that consumes a tracked prediction marks its output lost (``lost_at`` names the op): attribution
is dropped, never guessed. All bookkeeping works on detached tensors and is hidden from other
torch function modes.

Rules live in one module per family (``elementwise``, ``shape``, ``indexing``, ``losses``), each
registered with ``@rule(*funcs)`` right above its definition.
"""

from __future__ import annotations

import array
import collections
import dataclasses
import functools
import importlib
import math
import operator
import os
import struct
import sys
import types
import weakref
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

import torch
from torch.overrides import TorchFunctionMode

from . import _bytecode, _lengths, _provenance, _reach
from . import ratio as _ratio
from . import scoped as _scoped
from ._aside import modes_off, modes_on, mps_available, warnings_silenced
from ._bytecode import summed_in_loop
from .ratio import Ratio, RatioKind, count_multiple, data_value, version_of

Tensor = torch.Tensor
# types of no tensor, tested before ``isinstance(x, Tensor)`` where ``x`` is mostly none (an index's
# slices): for any object but a tensor that runs the tensor metaclass's ``__instancecheck__``
NOT_TENSORS = frozenset({int, float, bool, complex, str, slice, type(None), type(Ellipsis), tuple, list, dict})
Rows = dict[int, Tensor]  # dim -> LongTensor, the image of every index along that dim


@dataclasses.dataclass(slots=True)
class Track:
    """What the capture knows about one tensor produced or seen during the call."""

    rows: Rows = dataclasses.field(default_factory=dict)
    """dim -> the image of every index along that dim."""
    image: Tensor | None = None
    """The one image (0-dim index) the whole tensor belongs to."""
    unweighted: Tensor | None = None
    """The tensor's values with per-row factors taken as 1, where they differ from its own."""
    from_prediction: bool = False
    lost_at: str | None = None
    """The op where attribution was lost (the tensor derives from predictions)."""
    ratio: Ratio | None = None
    """For a loss reduced to a scalar (or a row-sum normaliser): how it splits by group."""
    parts: tuple[Ratio, ...] = ()
    """For a sum of reduced losses that is no single ratio (``1 - dice + 1 - jaccard``): the
    ratios it adds up, each split by group on its own. Such a track is also lost (at the op that
    added them), so that every op but the arithmetic that keeps the parts ends attribution."""
    elements: tuple[Ratio, ...] = ()
    """For a vector of sums over the rows that keeps one other dim (``inter = (p * y).sum((0, 2))``,
    per class): the ratio of each element. Lost as ``parts`` are; element-wise arithmetic keeps
    them, and a full sum or mean makes them parts."""
    formula: tuple[tuple[Any, ...], tuple[Ratio, ...]] | None = None
    """For a scalar function of reduced losses that is no ratio (``exp(nll.sum() / n.sum())``,
    ``sqrt(mse.mean())``, ``a.mean() * b.mean()``): (the expression, see ``losssplit._formula``;
    the ratios it reads, each split by group on its own). Lost as ``parts`` are, and kept apart
    from them: only the rules that know expressions read it."""
    sites: frozenset[tuple[Any, int]] = frozenset()
    """For an expression: the code positions (code, instruction) of the ops that made it. An op
    met again at one of them applies itself again (``s = s.sqrt()`` in a loop over images)."""
    element_formulas: tuple[tuple[tuple[Any, ...], tuple[Ratio, ...]], ...] = ()
    """For a vector each of whose elements is an expression of ratios (``log(cosh(1 - dice))`` of a
    per-class batch dice, ``r * spec + (1 - r) * sens`` of two per-class ratios): (expression, its
    ratios) per element. Lost as ``elements`` are; a sum or mean of the vector is one expression."""

    @property
    def reduced(self) -> bool:
        """Whether it holds a reduced value: a ratio, parts, per-element ratios or expressions, or
        an expression."""
        return self.ratio is not None or bool(self.parts or self.elements or self.element_formulas) \
            or self.formula is not None


def one_image(track: Track) -> int:
    """The one image all of a tensor's values are of, its weight field untouched; -1 for any other
    track (several images, reduced or lost values, values remembering a weight)."""
    if track.lost_at is not None or track.reduced or track.unweighted is not None:
        return -1
    if track.image is not None and not track.rows:
        return int(track.image)
    found = {int(v) for r in track.rows.values() for v in r.unique()} if track.rows and track.image is None else set()
    return found.pop() if len(found) == 1 else -1


def hosted_image(frame: Frame, track: Track) -> int | Tensor:
    """``one_image(track)`` without a host read: the int where the host knows the images of its
    row maps or its image (``Frame.row_images``), else on the device the values ``one_image``
    takes the set of (each unknown map's least and greatest with the known images, or the image),
    read only where ``hosted_images`` is asked."""
    if track.lost_at is not None or track.reduced or track.unweighted is not None:
        return -1
    if track.image is not None and not track.rows:
        known = frame.image_ids.get(id(track.image))
        return known if known is not None else track.image.detach().reshape(1).to(torch.long, copy=True)
    if not track.rows or track.image is not None:
        return -1
    found: set[int] = set()
    unknown = []
    for r in track.rows.values():
        images = frame.row_images(r)
        if images is not None:
            found |= images
        elif r.numel():
            unknown.append(torch.aminmax(r.detach().reshape(-1)))
    if len(found) > 1:
        return -1
    if not unknown:
        return found.pop() if found else -1
    ends = [torch.stack([lo, hi]).long() for lo, hi in unknown]
    return torch.cat([*ends, *([host_tensor(sorted(found), torch.long, ends[0].device)] if found else [])])


def hosted_images(hosted: list[int | Tensor]) -> list[int]:
    """``hosted_image``'s answers as ints, reading the device values of those that have them."""
    out = []
    for h in hosted:
        if isinstance(h, Tensor):
            values = set(h.tolist())
            out.append(values.pop() if len(values) == 1 else -1)
        else:
            out.append(h)
    return out


class _Plain:
    """Copies and pickles of a number the capture marks are the plain number it is."""

    def _plain(self) -> Any:
        return int.__int__(self) if isinstance(self, int) else float.__float__(self)  # type: ignore[arg-type]

    def __reduce__(self) -> tuple[type, tuple[Any]]:
        value = self._plain()
        return (type(value), (value,))

    def __copy__(self) -> Any:
        return self._plain()

    def __deepcopy__(self, memo: dict) -> Any:
        return self._plain()


class RowCount(_Plain, int):
    """An int read as the size of a dim whose indices carry images (``x.shape[0]``, ``x.size(0)``
    of such a tensor; ``len(x)`` cannot be one, ``len`` makes a plain int). To the body it is the
    int it is; to the capture of the call that read it, a count that on a group's images alone is
    the group's count of those indices (``loss * bs``). Copies and pickles are plain ints; it
    refers to no tensor (the frame keeps the rows, weakly referred to). Python arithmetic on it
    gives a ``CountedInt`` / ``CountedFloat``."""

    _frame: weakref.ReferenceType
    _index: int


class CountedInt(_Plain, int):
    """An int computed in Python from a ``RowCount`` (``bs * 2``, ``bs - 1``, ``-bs``): on a group
    alone it is computed from the group's count, so the capture declines it where it meets the
    images' values. Copies and pickles are plain ints. ``_squared``: a product or power of counts
    (``bs * bs``, ``bs ** 2``), no count of the batch times a constant whatever it equals.
    ``_shifted``: a count plus or minus a plain number (``bs + 12``, ``bs - 1``), on a group alone
    no share of the batch's whatever multiple of a count it equals."""

    _frame: weakref.ReferenceType
    _squared: bool = False
    _shifted: bool = False
    _nonnegative: bool = False
    """Computed so that it is never negative on a group alone either (``_stays_nonnegative``)."""
    _linear: tuple[int, float] | None = None
    """(the ``RowCount``'s index, ``k``) where it is ``k`` times that count, ``k`` number literals
    of the code (``bs * 2``, ``2 * bs / 3``): on a group alone, ``k`` times the group's count."""
    _product: bool = False
    """A count times or over plain numbers only (``bs * q``): no sum, difference, rounding or
    choice, which on a group alone no share of the batch's value gives (``bs + 2``)."""


class CountedFloat(_Plain, float):
    """A float computed in Python from a ``RowCount`` (``bs / 2``, ``bs * 0.5``): see ``CountedInt``.
    ``1 / bs`` keeps its ``RowCount`` (``_over``): a loss times it is the loss over the count."""

    _frame: weakref.ReferenceType
    _over: RowCount | None = None
    _squared: bool = False
    _shifted: bool = False
    _nonnegative: bool = False
    _linear: tuple[int, float] | None = None
    _product: bool = False


def _counted_number(source: Any, value: Any) -> Any:
    """``value``, computed in Python from ``source`` (a ``RowCount`` or a number computed from
    one), as a ``CountedInt`` / ``CountedFloat`` of the same call, its value noted in the frame."""
    frame = source._frame()
    if frame is None or type(value) not in (int, float):
        return value
    frame.counted_values.add(float(value))
    out = (CountedInt if type(value) is int else CountedFloat)(value)
    out._frame = source._frame
    return out


_PACKAGE = __name__.split(".", 1)[0] + "."


def _by_the_capture() -> bool:
    """Whether the arithmetic under way is the capture's own (a group's share ``z * c_s / c``, a
    multiple ``round(z / count)`` of a divisor ``2 * bs``): its results are no numbers of the body,
    so they are neither marked nor noted (a noted 2 declined the body's literal ``x.sum(2)``)."""
    f = sys._getframe(3)  # (above the method, its ``_unseen`` wrapper)
    return f.f_globals.get("__name__", "").startswith(_PACKAGE)


def _unseen(method: Callable[..., Any], name: str | None = None) -> Callable[..., Any]:
    """A marked number's method, run with torch functions off: called from the body while the
    capture is on, its reads of the call's tensors (``numel``, ``torch.ones`` of a doubt) are no ops
    of the body, for the capture nor for the user's tensor subclasses and modes. (A tensor operand
    makes the method return ``NotImplemented``: the tensor's own method runs after it, as the body's.)"""
    def run(*args: Any) -> Any:
        with torch._C.DisableTorchFunction():
            try:
                return method(*args)
            except Exception as exc:  # noqa: BLE001 - a bug here must never reach the body's arithmetic
                return _unmarked(run.__name__, args, exc)

    run.__name__ = name or method.__name__  # the plain numbers' method of that name answers where this one fails
    return run


def _unmarked(name: str, args: tuple, exc: Exception) -> Any:
    """What the method ``name`` of plain numbers gives on ``args`` (each marked number as the plain
    number the body has without losssplit), where the marked number's method raised ``exc``: its
    call declines (one warning). The plain method's own error (``bs / 0``) is raised as it would be."""
    plain = [(a._plain() if isinstance(a, _Plain) else a) for a in map(given_int, args)]
    value = getattr(plain[0], name)(*plain[1:])
    held = getattr(args[0], "_frame", None)
    frame = held() if held is not None else None
    if frame is not None and frame.error is None:
        frame.error, frame.error_op = exc, f"a number's {name}"
    return value


def _derived(name: str, base: type) -> Callable[..., Any]:
    def method(self: Any, *other: Any) -> Any:
        value = getattr(base, name)(self, *other)
        if _by_the_capture():
            return value
        if name in ("__truediv__", "__floordiv__") and type(self) is RowCount and type(other[0]) is RowCount:
            held: Any = self._frame()  # ``x.numel() / x.size(0)``: elements per row, a constant
            same = other[0]._frame() is held
            if held is not None and same:
                counts: list[Tensor] = held.row_counts
                mine, theirs = counts[self._index], counts[other[0]._index]
                origin = held.origin.get(id(mine))
                if mine is theirs or origin is not None and origin[0] is theirs:
                    held.row_constants.add(float(value))
                    return value
        if value is NotImplemented and other and type(other[0]) is float:  # ``bs * 0.5``
            value = getattr(float, name)(float(self), *other)
        out = _counted_number(self, value)
        if type(out) in (CountedInt, CountedFloat) and (getattr(self, "_squared", False) or name in _PRODUCT_OF_COUNTS and (
                type(other[0]) in (RowCount, CountedInt, CountedFloat) or name in _POWERS and other[0] != 1)):
            out._squared = True  # ``bs * bs``, ``bs ** 2``: on a group alone not the group's count times a constant
        if type(out) in (CountedInt, CountedFloat) and (getattr(self, "_shifted", False) or name in _SHIFTS and (
                type(other[0]) not in (RowCount, CountedInt, CountedFloat) and other[0] != 0)):
            out._shifted = True  # ``bs + 12``: on a group alone 12 plus the group's count, no share of 12 + bs
        if name == "__rtruediv__" and type(self) is RowCount and type(out) is CountedFloat and type(other[0]) in (
                int, float) and other[0] == 1:
            out._over = self  # ``batch_scale = 1 / bs`` (D-FINE's)
        if type(out) in (CountedInt, CountedFloat) and value < math.inf and _stays_nonnegative(name, self, other):
            out._nonnegative = True
        if type(out) in (CountedInt, CountedFloat):
            out._linear = _linear_of(name, self, other)
            out._product = (name in _LINEAR or name == "__pos__") and (type(self) is RowCount or self._product) and not getattr(
                self, "_chosen", False) and (
                name == "__pos__" or out._linear is not None or _plain_factor(self, other[0], _LINEAR[name]))
        return out

    method.__name__ = name
    return method


_LINEAR = {"__mul__": False, "__rmul__": True, "__truediv__": False}
"""The operators that keep a count linear, with whether the literal is their left operand."""


def _linear_of(name: str, count: Any, other: tuple) -> tuple[int, float] | None:
    """``CountedInt._linear`` of ``count``'s operator ``name`` with ``other``: a count's linear form
    scaled by a number literal of the code executing it, or kept by ``+count``; None else (a sum,
    a product of counts, a number that is no literal: ``bs * len(targets)``)."""
    linear = _linear_form(count)
    if linear is None or name not in _LINEAR and name != "__pos__" or getattr(count, "_chosen", False):
        return None
    if name == "__pos__":
        return linear
    o = other[0] if len(other) == 1 else None
    if type(o) not in (int, float) or not o or _bytecode.literal_operand(_LINEAR[name]) != o:
        return None
    return linear[0], linear[1] / o if name == "__truediv__" else linear[1] * o


def _counts_in(value: Any, depth: int = 0) -> Iterator[Any]:
    """The counts of image rows (``RowCount``, ``CountedInt``, ``CountedFloat``) in ``value``, in
    lists, tuples and sizes (two levels) and slices."""
    if type(value) in (RowCount, CountedInt, CountedFloat):
        yield value
    elif type(value) is slice:
        for v in (value.start, value.stop, value.step):
            yield from _counts_in(v, depth)
    elif depth < 2 and type(value) in (list, tuple, torch.Size):
        for v in value:
            yield from _counts_in(v, depth + 1)


def _linear_form(count: Any) -> tuple[int, float] | None:
    """(the ``RowCount``'s index, ``k``) of ``count``: a ``RowCount`` is 1 times itself; else
    ``CountedInt._linear``."""
    return (count._index, 1.0) if type(count) is RowCount else getattr(count, "_linear", None)


def _plain_factor(count: Any, o: Any, left: bool) -> bool:
    """Whether ``o``, a factor of ``count`` that is no literal (the ``left`` operand, else the right),
    is a plain number equal to no size the body read of one image's own tensor (``bs *
    len(t[0]["labels"])``: on a group alone another image's, or none) and, as the code reads, no number
    of the batch (``bs * len(torch.cat(labels))``: on a group alone the group's, red team 47)."""
    frame = count._frame()
    return type(o) in (int, float) and frame is not None and not any(
        b is not None and (n == o or n is None and first == o) for b, n, first in frame.image_sizes) \
        and not _bytecode.batch_number_operand(left)


def nonnegative_count(x: Any) -> bool:
    """Whether ``x`` is a ``RowCount`` or a number computed from counts that is never negative on
    a group alone either (a size of image rows times sizes: ``prod(x.shape)``)."""
    return type(x) is RowCount or type(x) in (CountedInt, CountedFloat) and x._nonnegative


_SHAPES_HELD = 256
"""How many sizes read ``Frame.shapes`` holds (past that, a size is not proven one read)."""

# the operators that keep a number never negative where the other operand is so too (of the
# reflected ones, those whose count is no divisor: on a group of no rows that would raise)
_KEEPING_SIGN = frozenset({"__add__", "__radd__", "__mul__", "__rmul__", "__truediv__", "__floordiv__", "__mod__",
                           "__pow__", "__rpow__"})


def _stays_nonnegative(name: str, count: Any, other: tuple) -> bool:
    """Whether ``count``'s operator ``name`` with ``other`` gives a number never negative on any
    group alone: ``abs``; rounding or ``+`` of such a count; ``_KEEPING_SIGN`` of such a count and
    another, or a plain number its code proves never negative on any call (a literal, an item of a
    ``torch.Size``: ``_bytecode.nonnegative_operand``), not merely now (``len(targets) - 2``)."""
    if name == "__abs__":
        return True
    if not nonnegative_count(count):
        return False
    if name in ("__pos__", "__round__", "__ceil__", "__floor__", "__trunc__"):
        return True
    if name not in _KEEPING_SIGN or len(other) != 1:
        return False
    o = other[0]
    if type(o) in (RowCount, CountedInt, CountedFloat):
        return nonnegative_count(o)
    frame = count._frame()
    return (type(o) in (int, float) and 0 <= o < math.inf and frame is not None
            and _bytecode.nonnegative_operand(name.startswith("__r"), frame.shape_read))


def _noted(name: str, base: type) -> Callable[..., Any]:
    def method(self: Any) -> Any:  # ``float(bs)``, ``int(bs)``: must return the exact type
        value = getattr(base, name)(self)
        frame = self._frame()
        if frame is not None and not _by_the_capture():
            frame.counted_values.add(float(value))
            frame.plain_counts.add(float(value))
            if name == "__float__" and type(self) is RowCount:  # ``torch.tensor(float(bs))``: this very float
                frame.count_floats[id(value)] = (value, self._index)
        return value

    method.__name__ = name
    return method


_ARITHMETIC = ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__",
               "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__pow__", "__rpow__", "__neg__", "__pos__",
               "__abs__", "__round__", "__ceil__", "__floor__", "__trunc__")
_POWERS = frozenset({"__pow__", "__rpow__"})
_SHIFTS = frozenset({"__add__", "__radd__", "__sub__", "__rsub__"})
_PRODUCT_OF_COUNTS = _POWERS | {"__mul__", "__rmul__", "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__"}
_COMPARED = {"__lt__": "lt", "__le__": "le", "__eq__": "eq", "__ne__": "ne", "__gt__": "gt", "__ge__": "ge"}


def _compared(name: str, base: type) -> Callable[..., Any]:
    def method(self: Any, other: Any) -> Any:  # ``if e.shape[0] >= 3:``: on a group alone, the group's count
        value = getattr(base, name)(self, other)
        if value is NotImplemented and type(other) is float:  # ``bs > 0.5``
            value = getattr(float, name)(float(int.__int__(self)), other) if isinstance(self, int) else value
        if type(value) is not bool or _by_the_capture():
            return value
        frame = self._frame()
        if frame is not None and frame.error is None:
            try:
                with torch._C.DisableTorchFunction():
                    frame.count_compared(self, _COMPARED[name], other, value)
            except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                frame.error, frame.error_op = exc, f"a size of image rows compared ({name})"
        return value

    method.__name__ = name
    return method


def _tested(base: Any) -> Callable[..., Any]:
    def method(self: Any) -> bool:  # ``if pos.numel():``: on a group alone, whether the group's count is 0
        value = base.__bool__(self)
        if _by_the_capture():
            return value
        frame = self._frame()
        if frame is not None and frame.error is None:
            try:
                with torch._C.DisableTorchFunction():
                    frame.count_compared(self, "ne", 0, value, _bytecode.truth_tested())
            except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                frame.error, frame.error_op = exc, "a size of image rows tested for truth"
        return value

    method.__name__ = "__bool__"
    return method


def _hashed(base: Any) -> Callable[..., Any]:
    def method(self: Any) -> int:  # ``bs in {1, 2}``, ``table[bs]``: a set or dict compares only equal hashes
        value = base.__hash__(self)
        if _by_the_capture():
            return value
        frame = self._frame()
        if frame is not None and frame.error is None and _bytecode.looked_up():
            n = int.__int__(self) if isinstance(self, int) else float.__float__(self)
            frame.branch(Branch(None, "eq", 0.0, False, f"a size of image rows looked up in a set or dict ({n:g})"))
        return value

    method.__name__ = "__hash__"
    return method


for _cls, _base in ((RowCount, int), (CountedInt, int), (CountedFloat, float)):
    for _name in _ARITHMETIC:
        setattr(_cls, _name, _unseen(_derived(_name, _base)))
    for _name in ("__float__", "__int__"):
        setattr(_cls, _name, _unseen(_noted(_name, _base)))
    for _name in _COMPARED:
        setattr(_cls, _name, _unseen(_compared(_name, _base)))
    _cls.__bool__ = _unseen(_tested(_base))  # type: ignore[method-assign]
    _cls.__hash__ = _unseen(_hashed(_base))  # type: ignore[method-assign]


class FlooredFloat(_Plain, float):
    """A number read on the host from a one-element tensor of no images that the body clamped
    from below by a literal of its code (``torch.clamp(torch.as_tensor([n]), min=1).item()``),
    possibly times plain numbers (``* groups``). ``raw`` is the tensor's value before the clamp,
    ``floor`` the literal, ``factor`` the product of those numbers: the number is ``factor *
    max(raw, floor)``. ``inner``: a constant of the call the code shows ``raw`` to be a number
    times (``n = n * groups`` before ``torch.as_tensor([n])``, ``_bytecode.constant_multiple``), 1
    else; ``proven``: whether the code shows each number in ``factor`` a constant of the call
    (``_bytecode.constant_product_operand``). Any other arithmetic gives a plain number. Copies
    and pickles are plain."""

    raw: float
    floor: float
    factor: float
    inner: float
    proven: bool
    lists: Any
    counts: Tensor | None = None
    """The images of the rows whose count ``raw`` is, where the tensor clamped was made from the
    very float ``float(bs)`` of a ``RowCount`` (``torch.tensor(float(target.shape[0]))``), else None."""
    unproven: bool = False
    """Made of a number whose provenance is not read (``Frame.note_floored_provenance``)."""
    literal: bool = False
    """Read from a literal of the code clamped (``torch.tensor(24).clamp(min=1)``): a constant of the call,
    whatever count it equals."""


class FlooredInt(_Plain, int):
    """``FlooredFloat`` of an int tensor's value."""

    raw: float
    floor: float
    factor: float
    inner: float
    proven: bool
    lists: Any
    counts: Tensor | None = None
    unproven: bool = False
    literal: bool = False


def floored_number(value: Any, raw: float, floor: float, factor: float = 1.0, inner: float = 1.0,
                   proven: bool = True, lists: Any = None, counts: Tensor | None = None) -> Any:
    """``value`` as a ``FlooredFloat`` / ``FlooredInt`` (a plain number where it is neither);
    ``lists``: the call's ``Frame.fixed_lists``, where a factor of the call's arguments is checked."""
    if type(value) not in (int, float):
        return value
    out = (FlooredInt if type(value) is int else FlooredFloat)(value)
    out.raw, out.floor, out.factor, out.inner, out.proven, out.lists = raw, floor, factor, inner, proven, lists
    if counts is not None:
        out.counts = counts
    return out


def _scaled_floor(name: str, base: type) -> Callable[..., Any]:
    def method(self: Any, other: Any) -> Any:  # ``num_boxes * groups``: still the floored count, times groups
        value = getattr(base, name)(self, other)
        if value is NotImplemented and type(other) is float:
            value = getattr(float, name)(float(self), other)
        if type(other) not in (int, float) or value is NotImplemented:
            return value
        proven = self.proven and not _by_the_capture() and _bytecode.constant_product_operand(
            other, name == "__mul__", self.lists)
        out = floored_number(value, self.raw, self.floor, self.factor * other, self.inner, proven, self.lists)
        if self.unproven:
            out.unproven = True
        return out

    method.__name__ = name
    return method


class LoggedFloat(_Plain, float):
    """A number ``.item()`` read from the images' values where the body's code proves that it can
    reach nothing but Python arithmetic and ``torch.tensor`` (``log_only_read``: kept for logging,
    ``torch.tensor(num_pos / num_images)``). Arithmetic with plain numbers keeps the mark, so the
    capture sees the number wherever it reaches a torch function; arithmetic with anything else
    (whose own method may keep or convert it unseen) declines the call. Copies and pickles are plain.
    ``_expr``: (the expression, its ratios; see ``losssplit._formula``) where the number is, on a
    group alone, the group's value of it: a plain sum of the images' data read, with proven
    constants and lengths of image rows (``_logged_arithmetic``); None otherwise."""

    _frame: weakref.ReferenceType
    _expr: tuple[Any, tuple[Ratio, ...]] | None = None


class LoggedInt(_Plain, int):
    """``LoggedFloat`` of an int tensor's value."""

    _frame: weakref.ReferenceType
    _expr: tuple[Any, tuple[Ratio, ...]] | None = None


_LOGGED = (LoggedFloat, LoggedInt)


def _logged_number(frame: Frame, value: Any, expr: tuple[Any, tuple[Ratio, ...]] | None = None) -> Any:
    out = (LoggedInt if type(value) is int else LoggedFloat)(value)
    out._frame = weakref.ref(frame)
    out._expr = expr
    frame.logged = True
    return out


# dtypes a tensor made of a logged number holds it in as the group's value would be (not half precision)
_EXACT_DTYPES = frozenset({torch.float32, torch.float64, torch.int64, torch.int32})


def _logged_source(track: Track) -> tuple[Any, tuple[Ratio, ...]] | None:
    """A plain sum a number read for logging is read from (``pos_mask.sum().item()``), as an
    expression of its ratio; None for anything else (a normalised, gated or tested value)."""
    r = track.ratio
    if r is None or track.lost_at is not None or track.formula is not None or track.parts or r.kind is not RatioKind.SUM \
            or r.divisors or r.normaliser is not None or r.offset or r.gate is not None or r.test is not None or r.modified():
        return None
    return ("p", 0), (r,)


def _logged_arithmetic(frame: Frame, name: str, mine: tuple[Any, tuple[Ratio, ...]] | None, other: tuple) -> Any:
    """The expression of ``mine (name) other`` (``_kept_mark``), where ``mine`` is one: with another
    logged number that has one, a number the code writes at the op (``written_operand``), or, as a divisor,
    a length of image rows the body read (``num_pos / num_images`` with ``num_images =
    len(gt_labels)``: on a group alone the group's count of those rows); None otherwise."""
    if mine is None:
        return None
    if not other:
        return (("neg", mine[0]), mine[1]) if name == "__neg__" else mine if name == "__pos__" else None
    kind, o = _GROUP_BINARY.get(name), other[0]
    theirs: tuple[Any, tuple[Ratio, ...]] | None = None
    if kind is None or kind == "pow":
        return None
    if isinstance(o, _LOGGED):
        theirs = o._expr if o._frame() is frame else None
    elif name == "__truediv__" and type(o) is int and o in frame.lengths and _bytecode.local_length(divisor=True):
        floor = _bytecode.divisor_floor()
        if floor is not None and floor > 1:  # ``max(len(x), 3)``: on a group alone, at least 3
            return None
        first, *others = frame.lengths[o]
        for rows in others:
            frame.agree(first, rows, "a number read for logging over a length of rows (``len(x)``)")
        ones = torch.ones(first.numel(), device=first.device)
        theirs = ("p", 0), (Ratio.of(ones, first.reshape(-1), 0, RatioKind.SUM),)
    elif type(o) in (int, float) and math.isfinite(o) and not frame.counted_number(o) and _bytecode.written_operand(
            "rdiv" if name == "__rtruediv__" else kind, o, frozenset({frame.num_images, *frame.lengths})):
        theirs = ("c", float(o)), ()  # a literal, an attribute, a global at the op
    if theirs is None:
        return None
    a, b, ratios, _ = _joined((*mine, ()), (*theirs, ()))
    return ((kind, b, a) if name.startswith("__r") else (kind, a, b)), ratios


def _kept_mark(name: str, base: type) -> Callable[..., Any]:
    def method(self: Any, *other: Any) -> Any:
        value = getattr(base, name)(self, *other)
        if value is NotImplemented and other and type(other[0]) is float:  # ``num_pos + 0.5``: not float's own
            value = getattr(float, name)(float(int.__int__(self)), *other)
        if _by_the_capture():
            return value
        frame = self._frame()
        if frame is None:
            return value
        if type(value) in (int, float):
            return _logged_number(frame, value, _logged_arithmetic(frame, name, self._expr, other))
        if value is not NotImplemented or not isinstance(other[0], (*_LOGGED, Tensor)):
            # a complex power, or an operand whose own method gets the number: not seen further
            frame.logged_reaches(f"{type(other[0]).__name__ if other else 'its'} {name}")
        return value  # a tensor's or another logged number's reflected method runs next

    method.__name__ = name
    return method


for _logged_cls, _base in ((LoggedFloat, float), (LoggedInt, int)):
    for _name in (*_ARITHMETIC[: _ARITHMETIC.index("__round__")], "__lshift__", "__rlshift__", "__rshift__", "__rrshift__", "__and__", "__rand__",
                  "__or__", "__ror__", "__xor__", "__rxor__", "__invert__", "__matmul__", "__rmatmul__"):
        if hasattr(_base, _name):
            setattr(_logged_cls, _name, _unseen(_kept_mark(_name, _base)))


for _floored_cls, _base in ((FlooredFloat, float), (FlooredInt, int)):
    for _name in ("__mul__", "__rmul__"):
        setattr(_floored_cls, _name, _unseen(_scaled_floor(_name, _base)))


@dataclasses.dataclass(slots=True, eq=False)
class GroupRead:
    """One ``.item()`` read returned as a ``GroupFloat`` / ``GroupInt``, and what became of it."""

    read: HostRead
    used: bool = False
    """A loss was scaled by a number computed from it (``GroupFloat`` rules): its per-group
    values decide the companions, so its comparisons and escapes are checked."""
    escaped: str | None = None
    """The first use the capture could not follow (a conversion, a torch function without a rule
    for it, arithmetic with a number that is no proven constant)."""
    checks: list[tuple[Any, str, bool, tuple[Ratio, ...]]] = dataclasses.field(default_factory=list)
    """Comparisons made of it: (the expression compared with 0, the op, the batch's result, the
    ratios the expression reads)."""
    floors: dict[int, float] = dataclasses.field(default_factory=dict)
    """Index in ``checks`` -> ``c`` of those the builtin ``max(n, c)`` made of the number itself
    (``c`` a positive constant), where it returned the number on the batch."""
    floored_at: float | None = None
    """``c`` where the number divided a plain sum as its row-sum normaliser with ``max(n, c)``
    proven at the division (``elementwise.group_scaled``): each group's sum floored at ``c``."""
    other_use: bool = False
    """A use of the number other than that floored division (a factor, a count over a count)."""


class GroupFloat(_Plain, float):
    """A number ``.item()`` read from a reduced value of the images that, on a group's images
    alone, has the group's own value (a row sum ``(tgt != pad).sum()``, a loss ``reg_loss``; a
    formula of such), where the body's code proves each of its uses is seen by its own methods or
    by a torch function (``_bytecode.group_read``). To the body it is the batch's number; to the
    capture an expression of ratios (``Frame.group_numbers``, by ``_index``) that the split
    evaluates per group. Python arithmetic with proven constants and other such numbers of the
    call keeps the mark; a comparison gives the batch's result and is checked per group (a group
    whose result differs declines the call); anything else is recorded as an escape. Copies,
    pickles, and the number after the call are plain."""

    _frame: weakref.ReferenceType
    _index: int
    exact = False
    """An int tensor's number handed to the body as a float, where its code uses it only as a
    float of the same value (``_bytecode.group_read``'s ``as_float``): ``0.1 * max(num_pos, 1)``
    is then this number's own method, not float's. Torch functions get it (and ints computed
    from it with ints) as the int, and so does the returned dict (``Frame.give_back_ints``)."""


class GroupInt(_Plain, int):
    """``GroupFloat`` of an int tensor's value."""

    _frame: weakref.ReferenceType
    _index: int
    exact = False


_GROUPED = (GroupFloat, GroupInt)


class ExtremeFloat(_Plain, float):
    """A number ``.item()`` read from the largest or smallest value over every element of a tensor
    of image rows (``Frame.extremes``: ``y.max().item()``). To the body it is the batch's number (a
    padding length, ``counts.max().item()``, stays one); compared with a number (``if
    y.max().item() > c:``) the decision is taken per group from each row's extreme, as ``y.max() >
    c`` is; any other comparison declines the call. Arithmetic gives plain numbers, whose later
    comparisons are not seen. Copies and pickles are plain."""

    _frame: weakref.ReferenceType
    _held: tuple[Tensor, int | None, str, Tensor, Tensor]


class ExtremeInt(_Plain, int):
    """``ExtremeFloat`` of an int tensor's value."""

    _frame: weakref.ReferenceType
    _held: tuple[Tensor, int | None, str, Tensor, Tensor]


def extreme_test(frame: Frame, held: tuple[Tensor, int | None, str, Tensor, Tensor], op: str, c: float,
                 where: str) -> tuple[str, Ratio]:
    """``op(m, c)`` of an extreme ``m`` (``Frame.extremes``) as a test of a count of rows over the
    images: ``("gt", r)`` where it holds when some row passes, ``("eq", r)`` where when none does."""
    _, _, kind, per_row, rows = held
    if kind == "max":  # max > c: some row above c; max <= c: none (>= / < alike)
        some, hit = op in ("gt", "ge"), per_row > c if op in ("gt", "le") else per_row >= c
    else:  # min < c: some row below c; min >= c: none
        some, hit = op in ("lt", "le"), per_row < c if op in ("lt", "ge") else per_row <= c
    # a NaN makes max() NaN, unlike the rows' tests: such a call declines
    frame.doubt(per_row.isnan().any(), f"{where} with a NaN among them")
    return "gt" if some else "eq", Ratio.of(hit.to(torch.float32), rows, 0, RatioKind.SUM)


def counted_threshold() -> bool:
    """Whether the number a tracked value is compared with is, in the body's code, computed from
    how many images (or items of several images) the call got (``_bytecode.counted_number``): the
    batch's decision on it is no group's, which computes its own number."""
    return _bytecode.counted_number(zero=False, numbers=(int, float, FlooredFloat, FlooredInt))


def _extreme_compared(name: str, base: type) -> Callable[..., Any]:
    def method(self: Any, other: Any) -> Any:
        value = getattr(base, name)(self, other)
        if value is NotImplemented and type(other) is float:
            value = getattr(float, name)(float(int.__int__(self)), other)
        if type(value) is not bool or _by_the_capture():
            return value
        frame = self._frame()
        if frame is None or frame.error is not None:
            return value
        op = _COMPARED[name]
        kind = self._held[2]
        try:
            with torch._C.DisableTorchFunction():
                if op in ("eq", "ne") or type(other) not in (int, float) or counted_threshold():
                    frame.doubt(torch.ones((), dtype=torch.bool), f"the {kind}imum of the images' data read on the host "
                                f"and compared ({name}): on a group alone the body may decide otherwise")
                else:
                    where = f"the {kind}imum of the images' data read on the host compared ({self:g} {_SYMBOLS[op]} {other:g})"
                    test, ratio = extreme_test(frame, self._held, op, float(other), where)
                    frame.branch(Branch(ratio, test, 0.0, value, where))
        except Exception as exc:  # noqa: BLE001 - a bug here must never break training
            frame.error, frame.error_op = exc, f"a number read from the images' data compared ({name})"
        return value

    method.__name__ = name
    return method


for _extreme_cls, _base in ((ExtremeFloat, float), (ExtremeInt, int)):
    for _name in _COMPARED:
        setattr(_extreme_cls, _name, _unseen(_extreme_compared(_name, _base)))
    _extreme_cls.__hash__ = _base.__hash__  # type: ignore[method-assign]


def _mixed_float_read(frame: Frame, func: Any, x: Tensor, out: float, op: str) -> Any:
    """A float read on the host from the images' data mixed across images (``float(time.max())``,
    ``ids.min().item()``): no size, a value of the batch (a grid's end, a ``histc`` range, a clamp
    bound, a shift), on a group alone the group's (rev36b: was the batch's on every group). By
    ``.item()`` of an extreme, an ``ExtremeFloat`` (its comparisons decided per group, any other use
    declines the call); else the call is declined."""
    if func is Tensor.item:
        marked = _extreme_number(frame, x, out)
        if marked is not None:
            frame.extreme_floats = True
            return marked
    frame.doubt(torch.ones((), dtype=torch.bool), f"a float read on the host at {op} from the images' data mixed "
                "across images: a value of the batch, on a group alone the group's")
    return None


def _extreme_used(name: str, base: type) -> Callable[..., Any]:
    def method(self: Any, *other: Any) -> Any:  # ``m * 1.1``, ``-m``: a value of the batch, no comparison
        value = getattr(base, name)(self, *other)
        frame = self._frame()
        if frame is not None and value is not NotImplemented and not _by_the_capture():
            frame.doubt(torch.ones((), dtype=torch.bool), f"the {self._held[2]}imum of the images' data read on the "
                        f"host used in Python arithmetic ({name}): a value of the batch, on a group alone the group's")
        return value

    method.__name__ = name
    return method


for _name in _ARITHMETIC[: _ARITHMETIC.index("__round__")]:
    setattr(ExtremeFloat, _name, _unseen(_extreme_used(_name, float)))


def _extreme_number(frame: Frame, x: Tensor, out: Any) -> Any:
    """``out``, read by ``.item()`` from ``x``, as an ``ExtremeFloat`` / ``ExtremeInt`` where ``x``
    is a current extreme of the call (``Frame.extremes``); None otherwise."""
    held = frame.extremes.get(id(x))
    if held is None or held[0] is not x or version_of(x) != held[1] or type(out) not in (int, float):
        return None
    marked = (ExtremeInt if type(out) is int else ExtremeFloat)(out)
    marked._frame, marked._held = weakref.ref(frame), held
    return marked


def group_entry(x: Any, frame: Frame | None = None) -> tuple[Any, tuple[Ratio, ...], tuple[GroupRead, ...]] | None:
    """(expression, ratios, reads) of ``x`` where it is a ``GroupFloat`` / ``GroupInt`` of a live
    call (of ``frame`` where given); None otherwise (a plain number)."""
    if type(x) not in _GROUPED:
        return None
    held = x._frame()
    if held is None or frame is not None and held is not frame or x._index >= len(held.group_numbers):
        return None
    return held.group_numbers[x._index]


def group_number(frame: Frame, value: Any, expr: Any, ratios: tuple[Ratio, ...], reads: tuple[GroupRead, ...],
                 exact: bool = False) -> Any:
    """``value`` marked as the expression ``expr`` of ``ratios`` (see ``GroupFloat``); ``exact``:
    an int given as a float (``GroupFloat.exact``)."""
    if type(value) not in (int, float):
        return value
    out: GroupFloat | GroupInt
    if type(value) is int and not exact:
        out = GroupInt(value)
    else:
        out = GroupFloat(value)
        if exact:
            out.exact = frame.exact_numbers = True
    out._frame, out._index = weakref.ref(frame), len(frame.group_numbers)
    frame.group_numbers.append((expr, ratios, reads))
    return out


def exact_ints(frame: Frame, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """``args`` and ``kwargs`` with each ``GroupFloat.exact`` of the call as the int it is (a
    ``GroupInt`` of the same expression): torch functions get what they get without losssplit."""
    return _given_ints(frame, args, kwargs, True)


def _given_ints(frame: Frame, args: tuple, kwargs: dict, marked: bool) -> tuple[tuple, dict]:
    """``exact_ints``'s walk; with ``marked`` False (where ``exact_ints`` failed: the call declines)
    each as the plain int. Lists and tuples are walked at any depth, rebuilt only where an element
    changed."""

    def exact(v: Any) -> Any:
        kind = type(v)
        if kind is GroupFloat:
            if not v.exact or v._frame() is not frame:
                return v
            if not marked:
                return int(float.__float__(v))
            out = GroupInt(int(float.__float__(v)))
            out._frame, out._index = v._frame, v._index
            return out
        if kind is list or kind is tuple:
            items = [exact(e) for e in v]
            return kind(items) if any(a is not b for a, b in zip(items, v)) else v
        return v

    return tuple(exact(a) for a in args), {k: exact(v) for k, v in kwargs.items()} if kwargs else kwargs


def given_int(v: Any, frame: Frame | None = None) -> Any:
    """The int the body has without losssplit where ``v`` is a ``GroupFloat.exact`` (of ``frame``
    where given); ``v`` otherwise."""
    return int(float.__float__(v)) if type(v) is GroupFloat and v.exact and (frame is None or v._frame() is frame) else v


def _escape(frame: Frame | None, reads: tuple[GroupRead, ...], what: str) -> None:
    for r in reads:
        if r.escaped is None:
            r.escaped = what
    if frame is not None:
        frame.unfollow(reads)


def _joined(a: tuple[Any, tuple[Ratio, ...], tuple[GroupRead, ...]], b: tuple[Any, tuple[Ratio, ...], tuple[GroupRead, ...]]
            ) -> tuple[Any, Any, tuple[Ratio, ...], tuple[GroupRead, ...]]:
    """The expressions of two marked numbers over one list of ratios (each ratio once)."""
    from .. import _formula

    ratios = list(a[1])
    moved: dict[int, int] = {}
    for j, r in enumerate(b[1]):
        at = next((i for i, q in enumerate(ratios) if q is r), None)
        if at is None:
            at = len(ratios)
            ratios.append(r)
        moved[j] = at
    return a[0], _formula.renumbered(b[0], moved), tuple(ratios), a[2] + tuple(r for r in b[2] if r not in a[2])


_GROUP_BINARY = {"__add__": "add", "__radd__": "add", "__sub__": "sub", "__rsub__": "sub", "__mul__": "mul",
                 "__rmul__": "mul", "__truediv__": "div", "__rtruediv__": "div", "__pow__": "pow", "__rpow__": "pow"}
_GROUP_COMPARE = {"__lt__": "lt", "__le__": "le", "__gt__": "gt", "__ge__": "ge", "__eq__": "eq", "__ne__": "ne"}


def _group_constant(frame: Frame, c: Any) -> bool:
    """Whether the plain number ``c`` meeting a marked number is a constant of the call: the code
    proves it one at this op (``_bytecode.constant_operand``), and it is no count of this call's
    images or rows nor a number of the call's arguments (unless the op's operand is a literal)."""
    if type(c) not in (int, float) or frame.counted_number(c) or not _bytecode.constant_operand(frame.group_sites):
        return False
    literal = _bytecode.offset_source(c) == "literal" or _bytecode.divisor_source(c) == "literal" \
        or _bytecode.offset_source(c, product=True) == "literal"
    if type(c) is int and c not in (0, 1) and (c == frame.num_images or c in frame.lengths):
        return literal
    # ``num_boxes * k``: a number passed in may be a normaliser from outside, whose share a group takes
    return literal or not frame.from_arguments(c)


def _group_operands(frame: Frame, entry: tuple[Any, tuple[Ratio, ...], tuple[GroupRead, ...]], o: Any
                    ) -> tuple[Any, Any, tuple[Ratio, ...], tuple[GroupRead, ...]] | None:
    """(the marked number's expression, the other operand's, the ratios both read, the reads)
    where ``o`` is another marked number of the call or a proven constant; None otherwise."""
    theirs = group_entry(o, frame)
    if theirs is not None:
        return _joined(entry, theirs)
    if not _group_constant(frame, o):
        return None
    return entry[0], ("c", float(o)), entry[1], entry[2]


def _group_arithmetic(name: str, base: type) -> Callable[..., Any]:
    def method(self: Any, *other: Any) -> Any:
        if self.exact:  # what the int the body had computes (``n // 2`` is an int there)
            whole = int(float.__float__(self))
            value = getattr(int, name)(whole, *other) if hasattr(int, name) else NotImplemented
            if value is NotImplemented and other and type(other[0]) is float:
                value = getattr(float, name)(float(whole), *other)
        else:
            value = getattr(base, name)(self, *other)
        if value is NotImplemented and other and type(other[0]) is float and base is int:
            value = getattr(float, name)(float(int.__int__(self)), *other)
        if _by_the_capture():
            return value
        entry = group_entry(self)
        if entry is None:
            return value
        frame: Frame = self._frame()
        o: Any = other[0] if other else None
        if value is NotImplemented or type(value) not in (int, float):
            if not isinstance(o, Tensor):  # a tensor's own method runs next, seen by the capture
                _escape(frame, entry[2], f"{type(o).__name__} {name}")
            return value
        expr: Any
        if not other:
            expr, ratios, reads = ((name.strip("_"), entry[0]) if name in ("__neg__", "__abs__") else entry[0]), entry[1], entry[2]
        else:
            kind = _GROUP_BINARY.get(name)
            both = _group_operands(frame, entry, o) if kind is not None else None
            if both is None:
                _escape(frame, entry[2], f"{type(o).__name__} {name}")
                if frame.num_images > 1 and _bytecode.read_branched():  # ``if m // 4 >= 2:``: a plain number compared
                    frame.doubt(torch.ones((), dtype=torch.bool), f"a number read on the host from a value of several "
                                f"images, its {name} (a plain number) compared or tested in Python: on a group alone "
                                "the body may take the other branch")
                return value
            mine, their, ratios, reads = both
            expr = (kind, their, mine) if name.startswith("__r") else (kind, mine, their)
            if kind == "pow" and (their[0] != "c" or name == "__rpow__"):
                _escape(frame, entry[2], f"{type(o).__name__} {name}")
                return value
            if kind == "pow":
                expr = ("pow", mine, their[1])
        exact = self.exact and type(value) is int
        return group_number(frame, float(value) if exact else value, expr, ratios, reads, exact)

    method.__name__ = name
    return method


def _group_comparison(name: str, base: type) -> Callable[..., Any]:
    def method(self: Any, other: Any) -> Any:
        result = getattr(base, name)(self, other)
        if result is NotImplemented and type(other) is float and base is int:
            result = getattr(float, name)(float(int.__int__(self)), other)
        if _by_the_capture() or type(result) is not bool:
            return result
        entry = group_entry(self)
        if entry is None:
            return result
        frame: Frame = self._frame()
        both = _group_operands(frame, entry, other)
        if both is None:
            _escape(frame, entry[2], f"a comparison ({name}) with {type(other).__name__}")
            return result
        mine, their, ratios, reads = both
        # ``max(n, 1)`` that returned ``n``: a group alone below 1 takes 1, which a division floored there
        # gives it too (``GroupRead.floored_at``); any other use checks it as a plain comparison
        floor = (their[1] if name in ("__lt__", "__gt__") and their[0] == "c" and their[1] > 0
                 and result == (name == "__gt__") and _bytecode.builtin_choice() == "max" else None)
        for r in reads:
            if floor is not None:
                r.floors[len(r.checks)] = floor
            r.checks.append((("sub", mine, their), _GROUP_COMPARE[name], result, ratios))
        return result

    method.__name__ = name
    return method


def _group_exit(name: str, base: type) -> Callable[..., Any]:
    def method(self: Any, *other: Any) -> Any:  # ``float(n)``, ``int(n)``, ``round(n)``: a plain number, unseen
        value = getattr(base, name)(self, *other)
        if not _by_the_capture():
            entry = group_entry(self)
            if entry is not None:
                _escape(self._frame(), entry[2], f"{name.strip('_')}()")
        return value

    method.__name__ = name
    return method


def _group_truth(self: Any) -> bool:
    result = bool(float(int.__int__(self) if isinstance(self, int) else float.__float__(self)))
    entry = group_entry(self) if not _by_the_capture() else None
    if entry is not None:
        for r in entry[2]:
            r.checks.append((entry[0], "ne", result, entry[1]))
    return result


for _grouped_cls, _base in ((GroupFloat, float), (GroupInt, int)):
    for _name in (*_GROUP_BINARY, "__neg__", "__pos__", "__abs__", "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__",
                  "__divmod__", "__rdivmod__", "__lshift__", "__rlshift__", "__rshift__", "__rrshift__", "__and__",
                  "__rand__", "__or__", "__ror__", "__xor__", "__rxor__", "__invert__"):
        if hasattr(_base, _name):
            setattr(_grouped_cls, _name, _unseen(_group_arithmetic(_name, _base)))
    for _name in _GROUP_COMPARE:
        setattr(_grouped_cls, _name, _unseen(_group_comparison(_name, _base)))
    for _name in ("__float__", "__int__", "__index__", "__round__", "__trunc__", "__floor__", "__ceil__", "__complex__"):
        if hasattr(_base, _name):
            setattr(_grouped_cls, _name, _unseen(_group_exit(_name, _base)))
    _grouped_cls.__bool__ = _unseen(_group_truth, "__bool__")  # type: ignore[method-assign]
    _grouped_cls.__hash__ = _base.__hash__  # type: ignore[method-assign]


def tracked_pair(frame: Frame, a: Any, b: Any, out: Any) -> tuple[Track | None, Track | None] | None:
    """The tracks of the two tensor operands ``a``, ``b`` of an op with a tensor output; None where
    one of the three is no tensor or neither operand carries images (nothing to follow)."""
    if not isinstance(out, Tensor) or not isinstance(a, Tensor) or not isinstance(b, Tensor):
        return None
    ta, tb = frame.get(a), frame.get(b)
    return None if ta is None and tb is None else (ta, tb)


def with_sites(track: Track, sites: frozenset[tuple[Any, int]]) -> Track:
    """``dataclasses.replace(track, sites=sites)`` written out (every field in order): ``replace``
    walks the dataclass's fields in Python (~60 lines; run per constant a loss is scaled by)."""
    return Track(track.rows, track.image, track.unweighted, track.from_prediction, track.lost_at, track.ratio,
                 track.parts, track.elements, track.formula, sites, track.element_formulas)


def lost_track(op: str, pred: bool = True) -> Track:
    """The track of a tensor (a prediction unless ``pred`` is False) whose attribution was lost
    at ``op``."""
    return Track(from_prediction=pred, lost_at=op)


Rule = Callable[["Frame", Any, tuple[Any, ...], dict[str, Any], Any], None]
RULES: dict[Any, Rule] = {}


# ops whose rule runs them (``losses.cross_entropy_parts``): func -> runner(frame, args, kwargs),
# which returns the op's result, computed by the very ops the op itself makes, keeping an
# intermediate in ``frame.ran`` for the rule; or None when it leaves the op to run as called
RUNNERS: dict[Any, Callable[[Frame, tuple, dict], Any]] = {}


def rule(*funcs: Any) -> Callable[[Rule], Rule]:
    """Register the decorated rule for each of ``funcs`` (loud when one already has a rule).

    A rule gets ``(frame, func, args, kwargs, out)`` after the op ran and records tracks on its
    outputs. Inputs without a track are data that carries no images (constants, untagged tensors).
    """

    def register(fn: Rule) -> Rule:
        for f in funcs:
            if f in RULES:
                raise RuntimeError(f"losssplit: {f!r} already has the rule {RULES[f].__name__}")
            RULES[f] = fn
        return fn

    return register


class _Ref(weakref.ref[Tensor]):
    __slots__ = ("key",)
    key: int


class ClampedCount(NamedTuple):
    """A ``Frame.floored`` entry: a one-element tensor of no images clamped from below by a literal."""

    tensor: Tensor  # the clamped tensor (held, so its id stays its own)
    floor: float  # the literal
    clamped: Tensor  # the tensor clamped, detached
    number: int | None  # the Python int that tensor held (``Frame.int_number``), or None
    factor: float  # its factor (``Frame.int_factor``)
    versions: tuple[int | None, int | None]  # the two tensors' versions then


class Frame:
    """State of one decorated call: tracks by tensor id, deferred row-agreement checks.

    A track holds its tensor so that no later tensor can take its address during the call; a
    large tensor (or a view of one) is held weakly instead, so that a temporary the body drops is
    freed when it would be without losssplit (holding it raises the call's peak memory), and its
    track goes with it. Weak references cost garbage-collector work, hence only for large ones.
    """

    def __init__(self, num_images: int) -> None:
        self.num_images = num_images
        self.tracks: dict[int, tuple[Tensor | _Ref, Track]] = {}
        self.arguments: set[int] = set()  # ids of the call's tagged argument tensors (made outside it)
        self.per_image_targets: Any = None  # the list of per-image target dicts (its ``len`` is the images)
        # those dicts as given (shallow copies; None for another mapping): what a field held before the body ran
        self.given_targets: tuple[dict | None, ...] = ()
        self.weight_field: str | None = None  # the field of those dicts that is the weight
        # deferred checks: (flag, message, bit); bit 0 for a check of the whole call, else the bit of a
        # check scoped to the memory it doubts (``scoped``): address of its memory -> (bits, a tensor of it held)
        self.checks: list[tuple[Tensor, str, int]] = []
        self.doubted: dict[int, tuple[int, Any]] = {}
        self.scoped_all = 0  # every scoped check's bit
        self.escalated = 0  # scoped checks made call-wide (their memory read as numbers, or unnamed)
        self.scoping = 0  # scoped checks made by the rule running now (``Frame.set`` marks what it tracks)
        self.exposed: list[tuple[Any, tuple, Tensor, str]] = []  # see ``expose``
        # the op that handed several images' values to NumPy (``e.detach().numpy()``), and the
        # tensors made of NumPy arrays since: see ``numpy_number``
        self.numpy_images: str | None = None
        self.numpy_made: dict[int, Tensor] = {}
        # outputs of custom autograd functions that returned an input as it is (``Tensor.view_as`` of
        # itself: POT's value solved on the host), followed at the next op (``autograd.function_output``);
        # the image of each tracked tensor handed to NumPy since the last one (-1: several or unknown),
        # and where the host reads since then start
        self.as_is: list[Tensor] = []
        self.hosted: list[int | Tensor] = []  # (``hosted_image``'s answers)
        self.hosted_reads = 0
        self.evaluating = False  # the call began with grad disabled (set by ``CaptureMode``)
        self.agreed: dict[tuple[int, int], tuple[Tensor, Tensor, int, Tensor]] = {}
        self.pairs_seen: dict[tuple[int, int], tuple[Tensor, Tensor, int]] = {}
        self.compared: dict[tuple[int, ...], tuple[Tensor, Tensor, bool]] = {}  # see ``same_rows``
        self.mask_picks: dict[int, tuple[Tensor, Tensor, int | None]] = {}  # see ``picked_images``
        self.identity: dict[torch.device, Tensor] = {}
        self.counting: dict[torch.device, tuple[Tensor, Tensor | None, list[int] | None]] = {}  # see ``_counting``
        self.picked_by_position = False  # an image picked by an int outside any loop (``x[1]``): see ``_counting``
        self.ranked: set[int] = set()  # images whose values a sort / min / max key read: see ``_counting``
        self.images: dict[torch.device, tuple[Tensor, ...]] = {}
        self.image_ids: dict[int, int] = {}  # id of an ``image_index()`` tensor -> its index
        self.expanded: dict[tuple[int, tuple[int, ...], int], tuple[Tensor, Tensor]] = {}
        self.origin: dict[int, tuple[Tensor, tuple[int, ...], int]] = {}
        # sources per token: T of the ``[B, T]`` labels, and the first op that may have reordered
        # positions along a dim of that size (per-token companions are then declined)
        self.tokens: int | None = None
        self.moved_positions: str | None = None
        self.error: BaseException | None = None
        self.error_op = ""
        # counts target instances per image when asked (only a normaliser from outside needs it)
        self.count_instances: Callable[[], list[int] | str | None] | None = None
        self._instances: tuple[list[int] | str | None] | None = None
        self._weights: list[Any] | None = None  # the weight field per image (number or tensor)
        self._weight_numbers: list[Any] | None = None  # the same where every one is a number
        self._weight_tensor: dict[Any, Tensor] = {}  # device, or (device, dtype)
        self._host_weights: list[float] | None = None
        self._images_of_weight: dict[int, frozenset[int]] | None = None  # see ``weight_images``
        # float objects of the per-image targets' fields other than the weight field: id -> (the
        # float, the images whose fields hold it), read when asked (``data_images``)
        self.read_field_floats: Callable[[], dict[int, tuple[float, frozenset[int]]]] | None = None
        self._field_floats: dict[int, tuple[float, frozenset[int]]] | None = None
        # Python-number factors compared with their image's weight: (matched a weight != 1, missed)
        self.scalar_weights = [0, 0]
        # full sums of tensors that carried no images yet (``z = w.sum()`` before ``l * w``):
        # id of the sum -> (the sum, the summed tensor, its version then), both held so the ids stay unique
        self.untracked_sums: dict[int, tuple[Tensor, Tensor, int | None]] = {}
        # one-element values computed from such sums (``w.sum().clamp(min=1)``, ``+ eps``, ``1 / z``, a
        # running total of them) or other reductions of such a tensor to one element (``w.mean()``,
        # ``w.sum(1).sum(0)``): id -> (the value, held as above; how: see ``untracked_value``)
        self.untracked_derived: dict[int, tuple[Tensor, str]] = {}
        # vectors summed over the image dim of tensors that carried no images (``w.sum((0, 1))`` of a
        # per-image weight [B, K, P]): id -> the vector, held so the ids stay unique
        self.untracked_row_sums: dict[int, Tensor] = {}
        # tensors without images whose entries mix entries of several images (``s / s.sum()``,
        # ``s.softmax(0)``, ``s.sum()`` of a per-image ``s``): id -> (the tensor, held as above; the dims
        # it is mixed along counted from the last, a reduced one as if kept; the op that mixed it)
        self.batch_mixed: dict[int, tuple[Tensor, frozenset[int], str]] = {}
        # entries of such a vector picked by a tensor of positions: id -> (the picked, the positions, the op)
        self.mixed_picks: dict[int, tuple[Tensor, Tensor, str]] = {}
        # Python floats, one per image and not all equal, made into a tensor (``torch.tensor(s)``)
        self.tensor_lists: list[tuple[float, ...]] = []
        # tensors made of the images' weight objects (``torch.tensor([t["loss_weight"] for t in
        # targets])``) and what untracked ops made of them (``w[idx] * w``): id -> the tensor
        # and their values with the weight field set to 1 (None: an op that may mix the images)
        self.weight_made: dict[int, tuple[Tensor, Tensor | None]] = {}
        # floats read on the host from a one-element tensor filled with an image's weight object
        # (``torch.tensor(t[0]["loss_weight"]).item()``): id -> (the float, its images), as that object
        self.weight_reads: dict[int, tuple[float, frozenset[int]]] = {}
        # one-element pieces of a per-image vector without images and values computed from the pieces
        # of one image: id -> (the value, the vector's id, the pieces' offsets) (``mixed._pieces``)
        self.mixed_pieces: dict[int, tuple[Tensor, int, frozenset[int]]] = {}
        # Python numbers read from such values (``s.sum().item()``): id -> (the number, how: see
        # ``untracked_value``); per-image vectors without images read as lists (``s.tolist()``)
        self.untracked_numbers: dict[int, tuple[Any, str]] = {}
        self.image_lists: list[list[Any]] = []
        # per-row factors that carried no images, by (first element's address, elements):
        # (the factor, its rows, its unweighted values); held, so the addresses stay unique
        self.factors: dict[tuple[int, int], tuple[Tensor, Tensor, Tensor | None]] = {}
        # values of tracked tensors read on the host (``num_pos = mask.sum().item()``): the number,
        # the ratio it is the value of (None: not a row sum), the op; consumed when a loss is
        # divided by it (see ``host_normaliser``); one never consumed declines the call
        self.host_reads: list[HostRead] = []
        # reads whose every use the code shows to end at an operator or torch function (``ReadReach``),
        # and those ops' offsets per code
        self.reaches: list[ReadReach] = []
        self.reach_sites: dict[types.CodeType, frozenset[int]] = {}
        self.reaching = False  # the op being run is at such a site, with a read not accounted for before
        # sizes set by Python numbers (top-k ``k``, slice bounds) after host reads: the image the
        # reads since the last read of another image are of (``SEVERAL`` for good once a read
        # spans images, ``NO_READ`` before any), and where those reads start in ``host_reads``
        self.read_image = NO_READ
        self.segment = 0
        # some read was taken as one image's size, or read data followed for sizes only: numbers
        # reaching losses are checked (``loose_number``)
        self.sized_reads = False
        # some read was taken as a position of its image's values (``positioned``): a Python int
        # picking a position of another image's values may be its number
        self.positioned_reads = False
        # integer tensors the body made after host reads of one image (a factory of Python numbers, then ops
        # of those only): by id, the tensor, that image, and whether a number kept from an earlier iteration
        # of a loop or a loop's position went in (``indexing._made_positions``)
        self.made_positions: dict[int, tuple[Tensor, int, bool]] = {}
        # ``mask.nonzero()`` of a mask over rows: id of the indices -> (them, the mask's row sum),
        # so that ``len(pos)`` is known as the count of that mask
        self.counted: dict[int, tuple[Tensor, Ratio]] = {}
        # such indices' sizes stored in locals (``na = a.numel()``): (code, local) -> (the mask's row
        # sum, the size), see ``_stored_sizes_tested``
        self.stored_sizes: dict[tuple[Any, str], tuple[Ratio, int]] = {}
        # numbers read for logging only (``LoggedFloat``) were handed out; tensors ``torch.tensor``
        # made of them: id -> the tensor (held, so the ids stay unique)
        self.logged = False
        self.logged_tensors: dict[int, Tensor] = {}
        # tensors made from the weight field's own float object (``torch.full((D,), t["loss_weight"])``,
        # ``v * t["loss_weight"]``): id -> (the tensor, the images whose weight that object is, its
        # values with that weight set to 1); held, so the ids stay unique
        self.weight_filled: dict[int, tuple[Tensor, frozenset[int], Tensor | None]] = {}  # None: ones
        # ops where a reduced loss of several images was scaled by an image's weight object: declined
        # where the body's code reads the weight of a target picked by position (``_picked_field``)
        self.weight_scaled: list[str] = []
        # small buffers made by ``torch.zeros`` (running totals: ``lbox = torch.zeros(1)``): id ->
        # (the buffer, its version when made), held so the ids stay unique
        self.zero_buffers: dict[int, tuple[Tensor, int | None]] = {}
        # tensors of any size made zero by construction (``torch.zeros``, ``zeros_like``,
        # ``new_zeros``): id -> (the tensor, its version when made); not one zero by value on this
        # batch only (``torch.ones(s) * (len(t) % 2)``), which a group alone makes otherwise
        self.made_zeros: dict[int, tuple[Tensor, int | None]] = {}
        # one-element copies of module state made in the call (``state_copy``): id -> (the copy, its version)
        self.state_copies: dict[int, tuple[Tensor, int | None]] = {}
        # the values of a sort of images' data along the images (lost): id -> (them, their version, the
        # image of each), for ``indexing.pack_padded``
        self.sorted_rows: dict[int, tuple[Tensor, int | None, Tensor]] = {}
        # what is computed from such sorted values alone: a cast ("key"), the counts per value (``histc``,
        # ``bincount``: "counts"), their ``cumsum`` ("ends"); id -> (the tensor, its version, what it is, the
        # sorted values, their images), for ``indexing.grouped_mm``
        self.sorted_derived: dict[int, tuple[Tensor, int | None, str, Tensor, Tensor]] = {}
        # segment ids: the ``cumsum`` along the images' flattened rows of non-negative data (packed
        # documents' resets), or it plus an int: id -> (the ids, their version, the image of each
        # element, whether every image's first element starts a segment and none is negative)
        self.segment_ids: dict[int, tuple[Tensor, int | None, Tensor, Tensor]] = {}
        # Python numbers applied to one image's reduced loss, per code position of the op: (code,
        # offset) -> image -> [(the number, whether it is that image's own data or weight)]
        self.site_numbers: dict[tuple[Any, int], dict[int, list[tuple[float, bool]]]] = {}
        # the field paths the number there is computed from (``read_fields``), and the sites declined
        self.field_sites: dict[tuple[Any, int], frozenset[tuple[Any, ...]]] = {}
        self.varied_sites: set[tuple[Any, int]] = set()
        # code positions of constants applied to reduced losses, each with whether a loop proven to
        # visit every image runs it (``every_image_looped``: not one over a slice of the images'
        # list; None: no loop)
        self.loop_sites: dict[tuple[Any, int], bool | None] = {}
        # one-element tensors made from a Python number (``torch.tensor(n)``, ``x.new_full((), n)``):
        # id -> (the tensor, its version when made, the number), held so the ids stay unique
        self.filled_numbers: dict[int, tuple[Tensor, int | None, int | float]] = {}
        # tensors of several elements filled by ``torch.full`` / ``new_full`` with a float that is no
        # image's weight object (``torch.full((n,), 1.0 / n)``): data, whatever weight its value equals
        self.number_filled: dict[int, tuple[Tensor, int | None, bool]] = {}  # (.., whether of its own size)
        # those of them made from a literal of the body's code (``torch.tensor(36)``): the same on a
        # group alone, whatever count of this batch the number equals
        self.literal_filled: set[int] = set()
        # the ids of the tensors the call's ops returned: any other one-element tensor but the
        # arguments' is module state or a global (``self.temperature``, a buffer), the same on a group's run
        self.made_ids: set[int] = set()
        # those made in the call from a number the body computed from a count of the images
        # (``torch.tensor(float(len(t)))``, ``float(x.shape[0])``), by id (read where ``filled_number`` holds)
        self.counted_filled: set[int] = set()
        # those of them made from a Python int, or from such by int arithmetic with ints
        # (``torch.clamp(torch.as_tensor(n) / world_size, min=1)``): id -> (it, its version, the int)
        self.int_numbers: dict[int, tuple[Tensor, int | None, int]] = {}
        # per-element values divided by a reduced sum (``l / s``, ``l /= s``): id of the quotient ->
        # (it, the values before the division, the divisor; their versions then; a copy of it made
        # in place), so that its full
        # sum is ``l.sum() / s`` (``divided_sum``); held, so the ids stay unique
        self.divided: dict[int, tuple[tuple[Tensor, Tensor, Tensor], tuple[int | None, ...], Tensor | None]] = {}
        # storages of tensors tracked as reduced values (a ratio, parts, an expression, a vector of
        # ratios): an in-place write into one of them through another tensor (a view, ``.data``,
        # ``.detach()``, ``out=``) changes the value its ratios were taken from
        self.reduced_storages: set[int] = set()
        # small 1-d buffers made by ``torch.zeros`` / ``torch.empty`` (``new_*``): id -> (the
        # buffer, its version when made); held, so the ids stay unique
        self.slot_buffers: dict[int, tuple[Tensor, int | None]] = {}
        # of those, the ones whose length the code wrote as a literal (``torch.zeros(3)``): ids
        self.literal_slots: set[int] = set()
        # such a buffer written reduced losses by position (``loss[0] = box``): id
        # -> (the buffer, the track of the reduced loss at each position written, its version after
        # the last write the buffer's rules followed, the track they gave it)
        self.loss_buffers: dict[int, tuple[Tensor, dict[int, Track], int, Track]] = {}
        # tensors of the call's arguments that are data (labels), by id: a mask compared from them
        # with a number (``target.eq(pad)``) marks padding, as ``ignore_index`` does
        self.data_inputs: set[int] = set()
        # shapes of predictions passed in with a multiple of the images' rows (``[NCROP * B, K]``):
        # read as no image's (crop-major and image-major rows have the same size), named in warnings
        self.multiple_rows: list[tuple[int, ...]] = []
        # such masks by one value, ``==`` / ``!=`` (their negations, casts), by id -> (the mask,
        # whether it is true where a label counts: ``!=``); held, so the ids stay unique
        self.label_masks: dict[int, tuple[Tensor, bool]] = {}
        # tensors computed from a test of the labels' values (any test, any op since), by id -> (the
        # tensor, for a loss the op where such a value other than ``labels != c`` first entered it,
        # else ""): a loss so masked counts no tokens an outside normaliser is a share of
        self.of_labels: dict[int, tuple[Tensor, str]] = {}
        # integer copies of those labels made in the call (``F.pad``, ``.contiguous()``), by id; held
        self.label_copies: dict[int, tuple[Tensor, int | None]] = {}  # (it, its version then)
        self.label_pads: dict[int, tuple[Tensor, Any]] = {}  # those padded: id -> (it, the pad value)
        self.label_counts: dict[int, tuple[Tensor, Tensor]] = {}  # id of such a mask -> (it, ~it as 0/1)
        # losses with padding written to 0 (``nll.masked_fill_(pad, 0.0)``): id -> (the loss, 1
        # where a label counts, else 0, the loss's version after the write); see ``elementwise.zeroed``
        self.zeroed: dict[int, tuple[Tensor, Tensor, int]] = {}
        # a class-weighted ``F.cross_entropy(..., weight=w, reduction='none')`` and its plain sum:
        # id -> (it, its version then, its labels and weights); see ``elementwise.class_weight_sum``
        self.class_weighted: dict[int, tuple[Tensor, int | None, Any]] = {}
        # the numbers among the call's arguments (an outside normaliser is one), read when asked
        self.read_argument_numbers: Callable[[], tuple[list[float], Callable[[], list[float]]]] | None = None
        # how the decorated body was called (``_bytecode.body_call``), read when asked
        self.read_body_call: Callable[[], _bytecode.BodyCall | None] | None = None
        self._body_call: tuple[_bytecode.BodyCall | None] | None = None
        # the op whose rule is running: (func, args, kwargs)
        self.op: tuple[Any, tuple, dict] | None = None
        # the frame that called the op being captured, while it is (``_bytecode._caller``)
        self.op_caller: types.FrameType | None = None
        # the switch of torch functions the capture's handler runs under, off for the body's op alone
        # (``CaptureMode``), where ``foreign``: an outer mode, or a tensor subclass whose ``__torch_function__``
        # is the user's among the arguments or an op's (``_FOREIGN``), would see the capture's own ops
        self.hidden: Any = None
        self.foreign = False
        # the name of the user's own mode below the capture's (not torch's, as ``torch.device``'s): it may
        # change any op's values, so each op is compared as a ``_FOREIGN`` subclass's (``_foreign_op``)
        self.outer_mode: str | None = None
        self.last_code: types.CodeType | None = None  # the last op caller's code (``_watch_switches``)
        # ``_bytecode._caller``'s answer for that frame while its op runs: (op_caller, len(sys.modules), answer)
        self.op_walk: tuple[types.FrameType, int, types.FrameType | None] | None = None
        # ``f_locals`` of the frames read while that op runs, by id (``_bytecode._locals``): the frames up
        # from the op's caller stand still until it returns, and on 3.11 each read of ``f_locals``
        # copies every local into the frame's dict again
        self.op_locals: dict[int, tuple[types.FrameType, dict[str, Any]]] | None = None
        # ``_bytecode.executed_operand_tags``'s answer while that op runs, as ``op_walk``'s (asked by several rules of a
        # division or a product: ``_ratio_arithmetic``'s checks of ``/ num_boxes``)
        self.op_tags: tuple[types.FrameType, int, Any] | None = None
        # what a ``RUNNERS`` entry kept of the op it ran, for that op's rule (cleared after it)
        self.ran: Any = None
        # every tensor of the call's arguments (nested in dicts, lists, tuples), read when asked
        self.read_argument_tensors: Callable[[], list[Tensor]] | None = None
        # the call's top-level list and tuple arguments of one item per image (EEND's per-recording
        # labels ``ts``), read when asked
        self.read_image_lists: Callable[[], list[Sequence[Any]]] | None = None
        # id of each top-level list argument as long as the images -> its items at the call's start
        # (a list the body changes in place, ``items.reverse()``, is no longer one item per image)
        self.image_list_items: dict[int, tuple[Any, ...]] = {}
        # ids of those lists the body used item by item with their images' values (``paired``), and
        # the last ``len()`` read of such an item: (the list, its image, the length)
        self.paired_lists: set[int] = set()
        self.item_length: tuple[Sequence[Any], int, int] | None = None
        # integer tensors of the images' items of list arguments (the matcher's ``indices[b]``): the
        # list reader they were read with, and id -> (the tensor, its image) (``index_item``)
        self._index_items: tuple[Any, dict[int, tuple[Tensor, int]]] | None = None
        # ``len(x)`` of one image's own tensor just read: (its image, the length, where it was called)
        self.image_len: tuple[Tensor, int, tuple[int, Any, int] | None] | None = None
        # (code, offset) of each ``len`` call whose last ``len(x)`` was of one image's own tensor
        # -> that image's tensor (``Track.image``): a slice bound from it is that image's size
        self.own_len_sites: dict[tuple[Any, int], Tensor] = {}
        self._argument_numbers: list[float] | None = None
        self._argument_tensors: Callable[[], list[float]] | None = None
        # positions written along a dim that carries images (``x[0] = 0``): (id of the tensor,
        # dim) -> (the tensor, the positions, the deferred check's flag: not every position)
        self.positions_written: dict[tuple[int, int], tuple[Tensor, set[int], Tensor]] = {}
        # integer tensors whose row ``i`` had ``i * block`` added in place (``idx[i] += i * T``):
        # id -> (the tensor, its row map, position -> the number added, its version since)
        self.row_offsets: dict[int, tuple[Tensor, Tensor, dict[int, int], int | None]] = {}
        # the images of the indices along a dim whose size the body read (``RowCount._index``)
        self.row_counts: list[Tensor] = []
        # where the body's code read them: (code, instruction offset) -> (those images, None where
        # one read gave several; the dims of a ``torch.Size`` read that are such sizes, () for a
        # size itself), for a plain number Python computed from one (``_bytecode.sized_operand``)
        self.size_sites: dict[tuple[Any, int], tuple[Tensor | None, tuple[int, ...]]] = {}
        # sites of ``x.shape`` / ``x.size()`` of a tensor needing no grad (an argument the caller builds) whose dims
        # without images have once or twice its images' count (``same`` [B, B], ``mask`` [B, 2B]) -> those dims
        # (from the start and from the end): on a group alone a caller building it per batch gives the group's
        self.caller_sized: dict[tuple[Any, int], frozenset[int]] = {}
        # the ``torch.Size`` s read that hold such sizes (the first ``_SHAPES_HELD``): see ``shape_read``
        self.shapes: list[torch.Size] = []
        # values of sizes of image rows over their own rows (``x.numel() / x.size(0)``: a constant
        # per row), by value: a number computed from them is no group's count
        self.row_constants: set[float] = set()
        # tensors made with such sizes (``torch.zeros(pred.shape[:4])``): id -> (the tensor, dim ->
        # the images of its indices); held, so the ids stay unique
        self.sized_by: dict[int, tuple[Tensor, Rows]] = {}
        # (code, instruction) of a factory's call -> ``_laid_out_by_several_images``'s answer there,
        # this call (a comprehension over the images runs the same call once per image)
        self.laid_out: dict[tuple[Any, int], bool | str] = {}
        # id of an index tensor -> (it, its version, ``image_counts``' missing flag of it): the same
        # ``batch_idx`` picks several tensors (``_constant_positions``)
        self.missing_of: dict[int, tuple[Tensor, int | None, Tensor | None]] = {}
        # positions such a factory laid out by one image's own count (``torch.arange(n)`` in a loop
        # over the images' counts): id -> the tensor (held, so the ids stay unique)
        self.own_positions: dict[int, Tensor] = {}
        # one image's 0-dim values (``l_b ** (4 / 3)``): id -> (the tensor, the ops that made it from
        # the image's reduced value, each (code position, Python numbers it took)); see ``_image_chain``
        self.image_chains: dict[int, tuple[Tensor, frozenset[tuple[Any, ...]]]] = {}
        # each op of ``image_chains`` (its code position and numbers) -> the user frames' positions at each time it ran
        self.made_stacks: dict[tuple[Any, ...], set[tuple[tuple[Any, int], ...]]] = {}
        # image -> the chains of its 0-dim values added in Python as one-image sums, in order
        # (``elementwise._image_terms``)
        self.term_chains: dict[int, list[frozenset[tuple[Any, ...]]]] = {}
        self.term_reference: int | None = None  # the image whose chains the others' are compared with
        # (image, whether taken, the loop's (code, first, last offset)) of each length test of one image's own tensor in a loop whose arms only
        # such tests decide (``_bytecode.own_arm_loop``), in order: the arms each image's terms took
        self.own_arms: list[tuple[int, bool, tuple[types.CodeType, int, int]]] = []
        # sums of such values only (the terms' chains noted), by id (held, so the ids stay unique)
        self.chained_sums: dict[int, Tensor] = {}
        # tensors ``pad_sequence`` made of whole images' tensors, one row each: id -> (the tensor,
        # its padded dim, each row's own length, its version then). Padded to the batch's longest,
        # on a group alone to the group's: only uses that read no padded position nor the width
        # are followed (``PADDED_RULE``)
        self.padded: dict[int, tuple[Tensor, int, Tensor, int]] = {}
        # the values ``torch.unique`` found in the images' data, and element-wise tests of them, as
        # sets (``value_sets``): id -> (the tensor, its version then, the id of the values found
        # first, its values on the images' elements flattened, each element's image)
        self.value_sets: dict[int, tuple[Tensor, int, int, Tensor, Tensor]] = {}
        # tensors ``cat`` / ``stack`` joined along dim 0 from the call's argument tensors only
        # (``torch.stack([t["y"] for t in targets])``), by id: their other dims are the arguments',
        # the same on a group alone (``elementwise._side_size``)
        self.argument_joins: dict[int, Tensor] = {}
        # tensors made with a size of image rows along dim 0 written per image at their positions
        # (``ys[i, :n] = t["tokens"]`` in a loop): id -> (the tensor, position -> the image written
        # there, its version after that write); see ``ROW_BUFFER_RULE``
        self.image_rows_written: dict[int, tuple[Tensor, dict[int, int], int]] = {}
        # tensors computed from those by ops that do not follow the rows' dim (``m.unsqueeze(0)``,
        # ``m.sum(1)``), carrying no images' rows: id -> (the tensor, the op); a size or value
        # read of them declines the call (on a group alone it is the group's)
        self.sized_derived: dict[int, tuple[Tensor, str]] = {}
        # tensors whose values follow the positions or the count of image rows (``_POSITIONAL``
        # factories given such a count, and what is computed from them without images): id -> (the
        # tensor, the factory); declined where they scale or shift image rows (``positional_operand``)
        self.positional: dict[int, tuple[Tensor, str]] = {}
        self.shifted_out: Tensor | None = None  # the result of the op ``_shifted_positions`` noted last
        # ``owner == k`` of a join of int fills of the images' positions and an int (``indexing.owner_pick``):
        # id of the mask -> (the mask, its version, the positions, their version, k)
        self.owner_masks: dict[int, tuple[Tensor, Any, Tensor, Any, int]] = {}
        # buffers of a row per image written per image into a prefix of a dim, ``buf[i, :n] = t["k"]``
        # (``indexing.per_image_write``): id -> (the buffer, the dim, row -> the prefix's length);
        # ``padded_use`` lets them be read only by a gather along that dim within each row's prefix
        self.padded_widths: dict[int, tuple[Tensor, int, dict[int, int]]] = {}
        # tensors computed from those position by position along the padded dim (``inside * mask_gt``):
        # the same, their padding the same function of the buffers' on a group alone (``padded_use``)
        # (with their version then: a write through a view, not followed, makes one lost)
        self.padded_derived: dict[int, tuple[Tensor, int, dict[int, int], int | None]] = {}
        # the positions an ``argmax`` (``argmin``, ``max``'s indices) over such a padded dim reached within each row's
        # prefix (checked): id -> (them, each row's prefix, their version); ``F.one_hot`` of them (``_padded_one_hot``)
        self.padded_positions: dict[int, tuple[Tensor, dict[int, int], int | None]] = {}
        # one image's row of those (``gt_boxes[i]``) and tensors computed from it position by position along its
        # padded dim (``_iou_matrix(gt_boxes[i], pred[i])``): id -> (it, that dim, the image's row, its prefix's
        # length, its version, the comprehension whose ``max`` sized the buffer picked); written back whole at that row of a buffer of the same width, the buffer is padded
        # along it (``indexing._padded_prefix``); other reads as ``padded_use``'s
        self.padded_rows: dict[int, tuple[Tensor, int, int, int, int | None, types.CodeType | None]] = {}
        # those padded along dim 1 with dims 0 and 1 merged (``gt_labels.flatten()``, ``gt_boxes.view(-1, 4)``): id ->
        # (it, the padded tensor, row -> its prefix's length, its version); read only at ``_flat_offsets``' indices
        self.padded_flats: dict[int, tuple[Tensor, Tensor, dict[int, int], int | None]] = {}
        # the steps of YOLOv8's flattened index ``p + torch.arange(b)[:, None] * m`` (``m`` the padded width, the
        # body's largest count): id -> (it, ``m`` or None (the images' ``arange`` viewed), ``p`` or None, its version,
        # ``p``'s version)
        self.flat_offsets: dict[int, tuple[Tensor, int | None, Tensor | None, int | None, int | None]] = {}
        # (code, offset) of the subscripts ``_flat_pick`` followed outside any loop: their index computed from ``m``
        # is no lookup a group decides otherwise (``_lengths``' "indexed" tests, ``targets_length_tests``)
        self.group_indexed: set[tuple[types.CodeType, int]] = set()
        # factories' tensors of a row per image: id -> (the tensor, the dims sized the same on a group's run)
        self.fixed_dims: dict[int, tuple[Tensor, frozenset[int]]] = {}
        # ``[n, n]`` tables of pairs of images times ``torch.eye(n)`` (``elementwise.diagonal_product``):
        # id -> (the table, its version); summed along a dim, each image's own entry
        self.diagonal_tables: dict[int, tuple[Tensor, Any]] = {}
        # ``torch.eye(n)``, ``torch.arange(n)``, ``F.one_hot(torch.arange(n), n)`` as made (``_note_identity``):
        # id -> (the tensor, its version)
        self.identity_made: dict[int, tuple[Tensor, Any]] = {}
        # graphs collated into one (``node_ids``): id -> node ids; image -> the offset added to its ids;
        # blocks laid out for targets of no images, pending confirmation
        self.node_ids: dict[int, Any] = {}
        self.node_blocks: dict[int, Tensor] = {}
        self.node_pending: list[Any] = []
        self.counted_widths: dict[int, tuple[Tensor, frozenset[int]]] = {}  # (``_note_sized``)
        self.int_fills: dict[int, Tensor] = {}  # int fills of a comprehension's image position
        self.data_fills: dict[int, tuple[Tensor, frozenset[int]]] = {}  # fills of one image's data number: its images
        # tensors of such positions, whole (None) or in some columns of a table joined from them and
        # the targets (YOLOv5's image column): id -> (the tensor, its positional columns or None)
        self.position_columns: dict[int, tuple[Tensor, frozenset[int] | None]] = {}
        # the same of fills of another number in a loop over the images (``torch.full((n, 1), 0.0)``
        # beside each image's targets): as the index of the images it names one image for every row
        self.literal_columns: dict[int, tuple[Tensor, frozenset[int] | None]] = {}
        # a transposed table of ``position_columns`` (``table.T``): id -> (the tensor, its positional rows)
        self.position_rows: dict[int, tuple[Tensor, frozenset[int]]] = {}
        # the ops ``_position_values`` reads: joins only once there is an int fill to join
        self.position_funcs = _POSITION_VALUES
        self.unowned: set[int] = set()  # those made of Python numbers of no image (``positional_operand``)
        self.outside_read: dict[int, Tensor] = {}  # vectors made outside torch's functions, read once (``_outside_vector``)
        self.truth_read = False  # the body tested a tensor for truth (``3.0 if t["y"].max() > 0.86 else 1.0``)
        # untracked tensors made by ``FACTORIES`` with a plain int the body computed from a length
        # of its data as the size of some dims (``torch.full((len(targets),), 0.5)``): id -> (the
        # tensor, those dims); a scan along one (``cumprod(0)``) makes values of positions
        self.count_dims: dict[int, tuple[Tensor, frozenset[int]]] = {}
        # of factories given such a count by value, the dims whose sizes the code wrote there as int
        # literals (``torch.zeros(3, 4)``: its ``shape[0]`` a constant, on a batch of 3 images too)
        self.literal_dims: dict[int, tuple[Tensor, frozenset[int]]] = {}
        # of those, or one-element tensors of a Python number the body computed from a length of its
        # data (``torch.tensor(float(len(t)))``): id -> (the tensor, whether its values are computed
        # from the count, not only its size: ``_count_valued``)
        self.count_made: dict[int, tuple[Tensor, bool]] = {}
        # one-element tensors of a Python number equal to a size the body read of some images' own
        # tensors only (``torch.tensor(float(t[0]["boxes"].shape[0]))``): id -> (the tensor, the
        # number), checked again where they meet a value of several images (``_picked_tensor_met``)
        self.picked_made: dict[int, tuple[Tensor, float]] = {}
        # phases (``torch.angle``) of several images' values within rounding of its branch cut: id ->
        # (the tensor, the message); declined where an op other than a periodic one reads them
        # (``cut_phase_read``)
        self.cut_phases: dict[int, tuple[Tensor, str, tuple[Tensor, ...]]] = {}  # id -> (phases, why, what they are the angles of)
        # complex values summed or averaged over image rows, whose ratio holds their real part only:
        # id -> (the reduced value, the values reduced, their row dim); declined where an op other than
        # a cast to a real dtype or ``.real`` reads one whose rows' imaginary sums are not 0 (``complex_sum_read``)
        self.complex_sums: dict[int, tuple[Tensor, Tensor, int]] = {}
        # masks made by comparing an untracked float tensor with a number (``lw < 0.9``): id -> (the
        # mask, the tensor compared, the mask where that tensor is 1); checked where one meets values
        # of the images (``weight_test_used``: the images' weights tested, on a group alone 1)
        self.number_tests: dict[int, tuple[Tensor, Tensor, Tensor]] = {}
        # a weight field's float object multiplied or divided several images' rows (``weight_object``)
        self.rows_times_weight = False
        # ``len(x)`` of tensors whose dim 0 carries images: the length -> the images of those rows
        # (one map per tensor read; held, so the ids stay unique)
        self.lengths: dict[int, list[Tensor]] = {}
        self.other_lengths: set[int] = set()  # ``len(x)`` of tensors whose dim 0 carries no images
        # per length, whether the latest ``len(x)`` read of that value was of image rows (``len(x.T)`` after
        # ``len(x)`` of as many: a number equal to both is not proven the images' count)
        self.latest_lengths: dict[int, bool] = {}
        # sizes equal to the number of images of dims without images of a tensor whose images lie
        # on another dim (a declared time-major ``[T, B, C]`` with ``T == B``: ``len(x)``, ``x.shape[0]``)
        self.side_sizes: set[int] = set()
        # whether the body read a size equal to the number of images off a dim known to carry none
        # (``F.one_hot(y, C).shape[-1]``, ``bincount(y, minlength=C).numel()`` with ``C == B``)
        self.images_by_value = False
        # (code, offset) of the ``len`` calls read here: whether each read only lengths of a dim without
        # images of a tensor whose images lie along another dim (``len(x)`` of a declared ``[T, B, C]``:
        # ``T``, the same on a group alone, though the code reads it as a count of the batch)
        self.side_length_sites: dict[tuple[Any, int], bool] = {}
        self.mixed_sizes: set[int] = set()  # sizes of tensors of positions picked by values that mix images
        # small untracked tensors made of blocks of identical rows along dim 0 (``torch.zeros(n, 2)``,
        # one row expanded, a ``cat`` of them): id -> (the tensor, its version when made, each
        # block's row count); held, so the ids stay unique
        self.row_blocks: dict[int, tuple[Tensor, int | None, tuple[int, ...]]] = {}
        # index tensors that picked rows of a dim that is the images in order (``pred[img, pos]``):
        # id -> (the tensor (held), its version then); and fresh ``torch.zeros`` with a row per
        # image: id -> (it, version)
        self.image_indices: dict[int, tuple[Tensor, int | None]] = {}
        self.image_buffers: dict[int, tuple[Tensor, int | None]] = {}
        # ids of those ``image_buffers`` sized by a count of the images read in the call
        # (``torch.zeros(len(x))``, ``x.shape[0]``)
        self.counted_buffers: set[int] = set()
        # fresh tensors of one constant the body made with a row per image, sized by a count of the
        # images (``torch.zeros(B, A)``, ``torch.full((B, A), C)``, ``ones_like`` of one): id -> (it,
        # its version then, whether a write of one image's own made it that image's rows since:
        # ``indexing.per_image_write``)
        self.image_fills: dict[int, tuple[Tensor, int | None, bool]] = {}
        # fresh tensors of one constant the body made sized by no count of the images (``torch.zeros(A)``
        # in a loop over the images), which a write of one image's own may make that image's tensor: id -> (it,
        # its version then, that image once a write made it so: ``indexing.one_image_write``)
        self.fresh_fills: dict[int, tuple[Tensor, int | None, int | None]] = {}
        # those of them with one later dim sized by a count of the batch (``mask_gt = torch.zeros(B, max n)``):
        # id -> (it, that dim, the code of the comprehension over the targets whose ``max`` sized it or None), which
        # every write of one image's must cut to a prefix (``Frame.padded_widths``)
        self.padded_fills: dict[int, tuple[Tensor, int, types.CodeType | None]] = {}
        # tensors the body made that took the images' rows from values written row for row into
        # them (``mtx[:, i, j] = v``): id -> (it, its version after the last such write)
        self.row_buffers: dict[int, tuple[Tensor, int | None]] = {}
        # tensors the body made written so far only with numbers of the body at the same part of
        # every row (``r[:, 0, 0] = 0.0``): id -> (it, its version after the last such write)
        self.number_rows: dict[int, tuple[Tensor, int | None]] = {}
        # values of numbers computed in Python from a ``RowCount`` (``bs - 1``, ``float(bs)``): by
        # value, as a number carries no identity once it leaves ``CountedInt`` (``0.5 * bs``
        # is a plain float: ``float.__mul__`` runs first, and is not seen)
        self.counted_values: set[float] = set()
        # tensors made of sizes some of which are ``RowCount`` s (``torch.tensor(target.size())``),
        # lost: id -> (it, its version, the positions of those counts); ``indexing.getitem`` picks
        # the others as constants
        self.size_tensors: dict[int, tuple[Tensor, int | None, frozenset[int]]] = {}
        # one-element float tensors made of constants of the body, or computed from such by the
        # functions an expression carries (``torch.log(torch.tensor(1.0))``): id -> (it, its version,
        # the expression of no ratios, see ``losssplit._formula``); ``formulas.constant_result``
        self.constant_tensors: dict[int, tuple[Tensor, int | None, tuple[Any, ...]]] = {}
        # float vectors made by ``torch.tensor`` of a list of floats the code proves a constant of
        # the call (``_bytecode.constant_list``: class weights a ``functools.partial`` binds), and
        # their copies: id -> (it, its version, its values)
        self.constant_vectors: dict[int, tuple[Tensor, int | None, tuple[float, ...]]] = {}
        # one-element float tensors passed as top-level arguments without a grad history and holding
        # no images (an EMA of the discriminator's outputs), and values computed from them with
        # numbers the code writes: id -> (it, its version); ``formulas.argument_scalar_result``
        self.argument_scalars: dict[int, tuple[Tensor, int | None]] = {}
        # whether the body read a size of one image's tensor (``pos_inds.numel()`` in a loop over
        # the images): a plain number it then divides a loss by may be computed from such sizes
        self.image_size_read = False
        # those sizes in the order read: (the image, the int read, None for a size that is no int;
        # the tensor's first-dim size, None for a 0-dim one)
        self.image_sizes: list[tuple[int | None, int | None, int | None]] = []
        # the same of the images' index tensors of list arguments (``item_size``)
        self.index_sizes: list[tuple[int | None, int | None, int | None]] = []
        # numbers a loss was divided by that sizes of single images' tensors may make up and that
        # are none of its counts (``SIZES_DIVISOR``): every key divided by such a value declines
        self.sized_divisors: set[float] = set()
        # int tensors whose values the host knows by count (``full_like(src, b)`` of an int, joined
        # by ``cat``): id -> (the tensor, its version then, value -> how many); ``rows_counted``
        # the rows per image read on the host, by id (with the rows and version): each read once
        self.value_counts: dict[int, tuple[Tensor, int | None, dict[int, int]]] = {}
        # the same of 1-D int tensors whose values the host knows in order, row maps ``cat`` joined of
        # whole images included: id -> (the tensor, its version then, runs of (value, how many) in order)
        self.value_runs: dict[int, tuple[Tensor, int | None, tuple[tuple[int, int], ...]]] = {}
        self.rows_counted: dict[int, tuple[Tensor, int | None, list[float]]] = {}
        # before the body runs (``_bytecode.FixedLists``): id -> (an argument's list of per-layer
        # outputs, or a list or dict attribute of an object the call holds (held); its items then;
        # whether it is the former)
        self.fixed_lists: dict[int, tuple[Any, tuple[Any, ...], bool]] = {}
        # rows of pieces taken by position along a dim of image rows (``split``, ``chunk``): on a
        # group alone a piece holds other images, so its size is no count of these; held by id
        self.positional_rows: dict[int, Tensor] = {}
        # deferred checks read after every other (``doubt``'s), so that a message naming the op
        # that used a piece taken by position wins over that of the cut itself (``Tensor.chunk``)
        self.late_checks: list[tuple[Tensor, str]] = []
        # pieces by position kept all (``for p in x.chunk(3)``): id of a piece's rows -> (those
        # rows, 1 where some row falls in another-numbered piece on its group alone, the message,
        # 1 where two rows of a group share a piece on the batch and not alone or the other way,
        # the cut's number of pieces); the flag is the cut's own (one object for its pieces); read
        # where a returned value holds such a piece (``elementwise.piece_keys``)
        self.piece_checks: dict[int, tuple[Tensor, Tensor, str, Tensor, int]] = {}
        # ids of the returned ratios that are such pieces' own means, every piece of their cut in a
        # sum: a group without rows in one adds nothing for it (alone, it has fewer pieces)
        self.piece_means: set[int] = set()
        # row maps that ``torch.cat`` joined along a dim of image rows (``torch.cat(crops)``,
        # crop-major): id -> (the joined map, the maps of its parts in order, nested joins flat);
        # held, so the ids stay unique
        self.joined_rows: dict[int, tuple[Tensor, tuple[Tensor, ...]]] = {}
        # one-element tensors of no images clamped from below by a literal (``clamp(min=1)``):
        # id -> ``ClampedCount``
        self.floored: dict[int, ClampedCount] = {}
        # the floats ``float(bs)`` returned for a ``RowCount`` (held, so the ids stay unique): id ->
        # (the float, the ``RowCount``'s index in ``row_counts``); and the clamped tensors of
        # ``floored`` made from one of them (``torch.tensor(float(bs)).clamp(min=1)``): id -> (the
        # tensor, that index)
        self.count_floats: dict[int, tuple[float, int]] = {}
        # the values of the plain numbers ``float()`` / ``int()`` made of counts of image rows
        # (``float(x.size(0))``): arithmetic on them gives plain numbers the capture cannot trace back
        self.plain_counts: set[float] = set()
        # one-element values whose value on each group alone an op computed (``num_pos / w.sum()``,
        # ``group_scalars.over_count``): id -> (it, its version then, the values over the groups)
        self.group_scalars: dict[int, tuple[Tensor, int | None, Tensor]] = {}
        # each image's group as a tensor per device, and the slots of a vector over the groups
        self.group_index: dict[torch.device, tuple[Tensor, int]] = {}
        self.floored_rows: dict[int, tuple[Tensor, int]] = {}
        # clamped tensors (``floored``) made from a number of no proven provenance after a count was
        # made a plain number (``torch.tensor(float(bs) + 1)``), or written since made: id -> it
        self.floored_unproven: dict[int, Tensor] = {}
        # per-element values divided by a count of image rows before any reduction (RLE's ``loss /=
        # len(loss)``, SAM 2's ``/ num_objects``): id of the quotient -> (it, its version then, its lost
        # track, (the track it would have undivided, what it is over)); see ``overcount``
        self.over_counts: dict[int, tuple[Tensor, int | None, Track, tuple[Track, Any]]] = {}
        # one-element tensors made from a Python int the code shows to be a number times a constant
        # of the call (``n = n * groups``, then ``torch.as_tensor([n])``): id -> (the tensor, k)
        self.int_factors: dict[int, tuple[Tensor, float]] = {}
        # full 2-norms of tensors over their image rows (``u.norm(2)``): id -> (the norm, the track
        # of its square, a sum of squares over the rows); held, so the ids stay unique
        self.norms: dict[int, tuple[Tensor, Track]] = {}
        # ``torch.isnan(f1)`` of a reduced value that is an expression of ratios: id -> (the test,
        # the value); held, so the ids stay unique
        self.nan_tests: dict[int, tuple[Tensor, Tensor]] = {}
        # row maps whose every row is one image known on the host (one image's values stacked one
        # at a time): id -> (the map, the image); held, so the ids stay unique
        self.one_image_rows: dict[int, tuple[Tensor, int]] = {}
        # numbers read on the host that are followed per group (``GroupFloat``): by ``_index``, (the
        # expression, the ratios it reads, the reads it is computed from); and those reads
        self.group_numbers: list[tuple[Any, tuple[Ratio, ...], tuple[GroupRead, ...]]] = []
        self.group_reads: list[GroupRead] = []
        # reads that reached the op being run with a tensor already lost: escaped unless its output is lost too
        self.escape_unless_lost: list[tuple[GroupRead, ...]] = []
        self.group_sites: dict[types.CodeType, frozenset[int]] = {}  # code -> offsets (``_bytecode.group_read``)
        self.exact_numbers = False  # a ``GroupFloat.exact`` was handed out (torch functions get ints)
        # the user's torch dispatch modes around the call (``_aside.users_dispatch_modes``: the library's
        # own ops run without them) and those popped by the op being read, top first (back on for its run)
        self.dispatch_modes: tuple[Any, ...] = ()
        self.modes_popped: list[Any] | None = None
        # decisions the body's Python code took on values of the images (see ``Branch``), and the
        # one-element tensors that are such a test of a reduced value (``num_pos == 0``, ``m.any()``):
        # id -> (the tensor, its version then, the ratio, the comparison, the other operand, the op); held
        self.branches: list[Branch] = []
        self.body_code: types.CodeType | None = None  # the decorated function's (``Branch.reach``)
        self.plain_size_tests: list[str] = []  # the body's tests of a size made a plain number (``float(bs) > 2``)
        # the body's code formats a count of the images into a string (``f"loss_{len(targets)}"``):
        # a key named so is the batch's name, on a group alone another (``Frame.targets_length_tests``)
        self.count_formatted = False
        self.switches_seen: set[types.CodeType] = set()  # codes naming a switch of torch functions, doubted once
        # the batch's values of ``max`` / ``min`` of the targets' sizes the body's code computes (``max(len(s["labels"])
        # for s in t)``, ``_lengths.Found.bounded``): equal to a count by value, no count (on a group alone, the group's)
        self.bounded_sizes: dict[float, str] = {}  # -> what it is, for warnings
        self.arm: Arm | None = None  # a conditional expression's ``E`` being run (``Arm``)
        self.conditionals: dict[int, tuple[Tensor, Branch, bool]] = {}  # id(E) -> (E, its branch, of a tensor
        # ``c``), uses checked (``_conditional_use``)
        self.follow_next: Branch | None = None  # the op about to run computes from a tensor ``c``'s ``E``
        self.tests: dict[int, tuple[Tensor, int | None, Ratio | Tested, str, float | Tensor, str]] = {}
        # the elements Python iterates of a tensor that is the builtin ``any`` / ``all``'s argument: id ->
        # (the element, the decision on the whole tensor as a test of its rows, noted once per iteration)
        self.iterated_truths: dict[int, tuple[Tensor, Branch, list[bool]]] = {}
        # ``m = fg_mask.max()`` over every element of a tensor of image rows (lost): id of ``m`` ->
        # (``m``, its version, "max" or "min", each row's largest or smallest value, the rows' images)
        self.extremes: dict[int, tuple[Tensor, int | None, str, Tensor, Tensor]] = {}
        self.extreme_floats = False
        """An ``ExtremeFloat`` was handed to the body: a torch function given one declines the call."""
        self.floors: dict[int, tuple[Ratio, Branch]] = {}
        """id of a ratio floored by the builtin ``max`` -> (it, its branch): see ``floored_use``."""
        self.guards: list[Guard] = []
        """Blocks of ``if`` the batch entered, waiting for their join (``Guard``)."""
        self.skips: list[Skip] = []
        """Rests of iterations a ``continue`` the batch did not take skips, their terms being met (``Skip``)."""
        self.floored_counts: dict[int, Any] = {}
        """id of a ``RowCount`` the builtin ``max`` compared with a positive number (``max(pos.numel(),
        1)``): on a group counting 0 the body uses that number, so it is no factor of a loss."""
        # rows of several images viewed as blocks of consecutive rows (``scores.view(-1, K)``), each
        # block's rows one map row [blocks, rows per block]: on a group alone the same view gives
        # the group's blocks only where every block's images are of one group (checked with the
        # membership, ``_split.finish``); (the map, the warning)
        self.view_blocks: list[tuple[Tensor, str]] = []
        # slices of image rows at a count of image rows (``both[:len(targets)]``): (the rows the
        # slice keeps before the count, the rows counted); on a group alone the slice ends at the
        # group's count, the same cut where each group has as many rows in the one as in the other
        # (checked with the membership, ``_split.finish``)
        self.cuts: list[tuple[Tensor, Tensor]] = []
        # slices of one whole image's rows in a loop over every image (``iou[s:s + n]`` at host offsets,
        # ``indexing._image_slice``): id of the row map -> (the map, the (start, stop) sliced), checked to
        # tile the map's rows (``_split.finish``)
        self.image_slices: dict[int, tuple[Tensor, list[tuple[int, int]]]] = {}
        # rows of different images paired row by row by an element-wise op (``win - lose`` of the
        # halves of ``chunk(2)``): (the two maps, the warning); on a group alone the op pairs the
        # same rows where each pair's images are of one group (and weight) and both maps keep the
        # images' order (checked with the membership, ``_split.finish``)
        self.paired_rows: list[tuple[Tensor, Tensor, str, int]] = []
        # the block dims' row maps (each block's first image), by id -> (it, the map of the rows
        # viewed where they were one dim, rows per block): ``repeat_interleave`` by that many gives
        # those rows back; held
        self.view_block_rows: dict[int, tuple[Tensor, Tensor | None, int]] = {}
        # the column dims' row maps (each column's first image: ``_column_sizes``), by id -> (it,
        # the map of the rows viewed, rows per column): that dim last, joined back, gives those rows
        self.view_column_rows: dict[int, tuple[Tensor, Tensor, int]] = {}
        # the call's groups (the decorator's ``Grouping.assign``, or what it raised), made once when
        # first asked; each image's group when known on the host (``host_groups``), read when asked
        self.assigned: Any = None
        self.read_groups: Callable[[], list[int] | None] | None = None
        self._groups: tuple[list[int] | None] | None = None
        # whether the call is its own oracle (``own_oracle``): the decorator's reader, its answer
        self.read_whole: Callable[[], bool] | None = None
        self._whole: bool | None = None

    def host_groups(self) -> list[int] | None:
        """Each image's group as Python ints, where every image is in at most one group and that
        is known without a read (labels grouped in Python; ``groups`` one past the last for an
        image in none); None otherwise."""
        if self._groups is None:
            read = self.read_groups
            self._groups = (read() if read is not None else None,)
        return self._groups[0]

    def group_images(self) -> list[list[int]] | None:
        """The images of each group (``host_groups``), groups in the order they first appear; None
        where the groups are not known on the host."""
        groups = self.host_groups()
        if groups is None:
            return None
        members: dict[int, list[int]] = {}
        for b, g in enumerate(groups):
            members.setdefault(g, []).append(b)
        return list(members.values())

    def single_image_counts(self, values: Iterable[Any]) -> bool:
        """Whether the call has one image, whole in each of its groups (no sources per token), and
        the numbers among ``values`` (in lists, tuples, sizes and slices) that count image rows are
        each a ``RowCount`` or one times number literals (``_linear_form``: ``2 * bs``, ``bs / 4``),
        one at least: each is on that group alone what it is on the batch. Not a count plus a number
        (``bs + t[0]["loss_weight"]``: the weight is 1 on the group alone), nor a plain number equal
        to a count."""
        if self.num_images != 1 or self.tokens is not None:
            return False
        found = [n for v in values for n in _counts_in(v)]
        return bool(found) and all(_linear_form(n) is not None for n in found)

    def own_oracle(self) -> bool:
        """Whether the call is its own oracle: every image is in one group (known on the host)
        and every weight is the number 1 (or weights are not configured), so that the group alone
        is this very call (the decorator's ``_whole_batch``, asked once). A number equal by value
        to a count of the call is then the same on that group alone, whatever it was computed from
        (D-FINE's weighting exponent ``2 / (bins - 2)``, 1 as ``1 / B`` is on a batch of one
        image), and a key whose attribution was lost is its value as returned."""
        if self._whole is None:
            read = self.read_whole
            self._whole = bool(read()) if read is not None else False
        return self._whole

    def targets_length_tests(self, wrapped: Any, args: tuple, kwargs: dict) -> None:
        """The tests of ``len(targets)`` as branches (``_lengths.length_tests``: in the body's code
        and the code it passes the list or its length to): on a group alone the number of targets
        is the group's images (``if len(targets) > 2:``, ``helper(targets)`` doing the same)."""
        fn = getattr(wrapped, "__func__", wrapped)
        per_image = self.per_image_targets
        # on a call of one image of a weight other than 1, only its weight field made a new number
        # (``0.3 * bs * t[0]["loss_weight"]``: 1 on the group alone) is read (``_picked_field``)
        weights = self.weight_numbers()
        one = self.num_images == 1 and self.weight_field is not None and bool(weights) and weights != [1]
        if per_image is None or self.num_images < 2 and not one or not isinstance(fn, types.FunctionType):
            return
        code = fn.__code__
        shift = 1 if getattr(wrapped, "__self__", None) is not None else 0
        params = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
        names = {params[k + shift] for k, v in enumerate(args) if v is per_image and k + shift < code.co_argcount}
        names.update(n for n, v in kwargs.items() if v is per_image and n in params)
        if not names:
            return
        if not one:
            me = getattr(wrapped, "__self__", None)
            _provenance.note_callees(code, fn.__globals__, None if me is None else type(me))  # (its helpers read)
            self.count_formatted = _bytecode.formats_a_count(code, frozenset(names))
            for what in _provenance.unseen_tests(code):  # (a Python test no branch rule sees: on a group alone it may
                # go the other way)
                self.branches.append(Branch(None, "eq", 0.0, False, f"a Python test of {what}"))
            self.plain_size_tests = _provenance.plain_size_tests(code)  # (read where a count was made plain)
        bound = dict(zip(params, (wrapped.__self__, *args) if shift else args))
        bound.update((n, v) for n, v in kwargs.items() if n in params)
        found = _lengths.length_tests(fn, bound, frozenset(names))
        if one:
            for at, key, compared in dict.fromkeys(found.picked):
                if key == self.weight_field and (compared or self.weight_scaled):
                    self._picked_field(at, key, compared)
            return
        for where in dict.fromkeys(found.untold):
            self.branches.append(Branch(None, "eq", 0.0, False, f"the targets passed to a call in {where} whose "
                                        "function cannot be told (its tests of their number are not read)"))
        for op, c, env in found.tests:
            if isinstance(c, _bytecode._Named) and c.kind == "indexed":  # (a lookup by a number the group computes)
                if (env.code, c.name) not in self.group_indexed:
                    self.branches.append(Branch(None, op, 0.0, False, "a subscript at an index computed from a value "
                                                "computed by iterating the targets"))
                continue
            if not isinstance(c, float):  # ``len(targets) > LEAST``, ``> self.k``: its value now, where the code
                # proves it configured (no function stores it); else the decision is not known per group
                value = _bytecode.configured_value(c, env.globals, env.local, env.code)
                if type(value) not in (int, float):
                    name = c.name if isinstance(c.name, str) else ".".join(c.name)
                    self.branches.append(Branch(None, op, 0.0, False, f"len() of the targets compared with {name}, "
                                                "a number the code does not show configured"))
                    continue
                c = float(value)
            self.branches.append(Branch(self.arange(torch.device("cpu")), op, c, getattr(operator, op)(self.num_images, c),
                                        f"len() of the targets compared ({self.num_images} {_SYMBOLS[op]} {c:g})"))
        for op, c, reducer, comprehension, env, what in found.sized:
            self._sized_test(op, c, reducer, comprehension, env, f"{what} compared")
        for c, key, compared in dict.fromkeys(found.picked):
            self._picked_field(c, key, compared)
        for reducer, comprehension in dict.fromkeys(found.bounded):
            value = _lengths.reduced(reducer, comprehension, list(per_image), None)
            if value is not _lengths._UNKNOWN:
                ins = _bytecode._instructions(comprehension)
                keys = [repr(a.argval) for a, b in zip(ins, ins[1:]) if a.opname == "LOAD_CONST" and type(a.argval) is str
                        and b.opname == "BINARY_SUBSCR"]
                self.bounded_sizes[value] = (f"the {'largest' if reducer is max else 'smallest'} of the targets' "
                                             f"{', '.join(dict.fromkeys(keys)) or 'sizes'} the body computes "
                                             f"(``{reducer.__name__}()`` of a comprehension over them)")
        for field_key, test_op, than, where in dict.fromkeys(found.field_tests):
            if field_key == self.weight_field:
                self._weight_tested(field_key, test_op, than, where)

    def _picked_field(self, c: int, key: Any, compared: bool) -> None:
        """A field of one target read by its position (``targets[0]["scale"]``, ``_lengths.Found.picked``):
        on a group alone ``targets[0]`` is the group's first image. Where the batch's value is a
        plain host value (a Python number: no identity the mode follows), a group whose target at
        that position holds another (or has none) gets no companions, one warning; where the groups
        are not known on the host, every group. The weight field is the mode's (1 on a group) where
        the value read is not ``compared``; compared (``targets[-1]["loss_weight"] > 0.7``), or
        made a new number with a constant (``targets[0]["loss_weight"] ** 2``), it is Python's:
        each group's is of weight 1 there."""
        targets = list(self.per_image_targets)
        weight = key == self.weight_field

        def field(images: list[int], alone: bool = True) -> Any:  # ``_UNKNOWN`` where none is there
            try:
                value = targets[images[c]][key]
            except Exception:  # noqa: BLE001 - on these images the body reads no such field
                return _lengths._UNKNOWN
            return type(value)(1) if weight and alone and type(value) in (int, float) else value

        value = field(list(range(len(targets))), alone=False)
        if weight and not compared:
            if self.weight_scaled:  # ``l.mean() * t[0]["loss_weight"]``: 1 on a group alone
                self.doubt(torch.ones((), dtype=torch.bool), f"a reduced loss of the call's images is scaled at "
                           f"{self.weight_scaled[0]} by an image's {key!r} (targets[{c}][{key!r}] read by position), "
                           "which is 1 on a group alone")
            return
        if value is not _lengths._UNKNOWN and not _lengths.plain(value):
            return
        what = f"targets[{c}][{key!r}] read by position"
        grouped = self.group_images()
        if grouped is None:
            self.branches.append(Branch(None, "eq", 0.0, False, f"{what}, its value on each group not known"))
            return
        turned = [0.0] * self.num_images
        for images in grouped:
            other = field(images)
            if other is not value and (type(other) is not type(value) or other != value):
                for b in images:
                    turned[b] = 1.0
        if any(turned):  # each group whose own target there holds another value, as a count of its images
            counts = Ratio.of(host_tensor(turned, torch.float64), self.arange(torch.device("cpu")), 0, RatioKind.SUM)
            self.branches.append(Branch(counts, "gt", 0.0, False, f"{what} ({value!r} on the batch)"))

    def _weight_tested(self, key: str, op: str | None, than: Any, where: str) -> None:
        """A Python test of an image's weight field in the code read (``if s["loss_weight"] == 1.0:``
        in a loop over the targets, ``match``, a dict's key ``c[s["loss_weight"]]``;
        ``_lengths.Found.field_tests``): on a group alone every weight is 1. Where each image's
        weight decides the test (a comparison with a literal, a truth test; any test where every
        weight is 1) as 1 does, each group alone decides it as the batch did; else every group
        takes another path of the body's code somewhere (another image's, or past a ``break``):
        a branch turned for every group (no companions, one warning)."""
        weights: list[Any] = [s.get(key, _lengths._UNKNOWN) if isinstance(s, dict) else _lengths._UNKNOWN
                   for s in self.per_image_targets]
        if all(type(w) in (int, float) for w in weights):
            # (a test not read, or a lookup: decided as on weights 1 where every weight is 1)
            test = bool if op == "truth" else (lambda w: w) if op in (None, "key") else (lambda w: getattr(operator, op)(w, than))
            if all(test(w) == test(type(w)(1)) for w in weights):
                return
        elif any(isinstance(w, Tensor) for w in weights):  # a tensor's comparison is an op the mode sees
            return
        told = f"{_SYMBOLS[op]} {than!r}" if op in _SYMBOLS else "looked up as a key" if op == "key" else "tested"
        self.branches.append(Branch(None, "eq", 0.0, False, f"a Python test of an image's weight ({key!r} {told} "
                                    f"in {where}; 1 on a group alone)"))

    def _sized_test(self, op: str, c: Any, reducer: Any, comprehension: types.CodeType, env: Any, what: str) -> None:
        """A test of ``reducer`` of a comprehension over the targets reading their sizes only
        (``sum(len(t["labels"]) for t in targets) > 4``, ``_lengths.Found.sized``): each group's
        value is computed on the host from its own targets (weights 1); the groups that alone
        decide otherwise than the batch did are a branch turned (no companions, one warning).
        Where the groups are not known on the host, or a value cannot be computed, every group.
        ``what`` names the number tested (a running count of sizes: the ``sum`` of a comprehension)."""
        if not isinstance(c, float):
            value = _bytecode.configured_value(c, env.globals, env.local, env.code)
            if type(value) not in (int, float):
                self.branches.append(Branch(None, op, 0.0, False, f"{what} with a number the code does not show configured"))
                return
            c = float(value)
        targets, grouped = list(self.per_image_targets), self.group_images()
        batch = _lengths.reduced(reducer, comprehension, targets, None)
        if grouped is None or batch is _lengths._UNKNOWN:
            self.branches.append(Branch(None, op, c, False, f"{what} ({_SYMBOLS[op]} {c:g}), a value not known per group"))
            return
        taken = getattr(operator, op)(batch, c)
        turned = [0.0] * self.num_images
        for images in grouped:
            value = _lengths.reduced(reducer, comprehension, [targets[b] for b in images], self.weight_field)
            if value is _lengths._UNKNOWN or getattr(operator, op)(value, c) != taken:
                for b in images:
                    turned[b] = 1.0
        if any(turned):  # each group's value, compared, as a count of its images deciding otherwise
            cpu = torch.device("cpu")
            counts = Ratio.of(host_tensor(turned, torch.float64), self.arange(cpu), 0, RatioKind.SUM)
            self.branches.append(Branch(counts, "gt", 0.0, False, f"{what} ({batch:g} {_SYMBOLS[op]} {c:g})"))

    def give_back_ints(self, result: Any) -> None:
        """The values of the returned dict that are ``GroupFloat.exact`` numbers of this call, as
        the ints the body computed without losssplit. By dict's own methods: a dict subclass of the
        user's may override ``items`` or ``__setitem__`` (its code runs as often as undecorated)."""
        if isinstance(result, dict):
            for k, v in list(dict.items(result)):
                if (given := given_int(v, self)) is not v:
                    dict.__setitem__(result, k, given)

    def rows_image(self, rows: Tensor) -> int | None:
        """The image every index of the row map ``rows`` is, where that is known on the host."""
        hit = self.one_image_rows.get(id(rows))
        return hit[1] if hit is not None and hit[0] is rows else None

    def from_arguments(self, z: float) -> bool:
        """Whether the Python number ``z`` is one of the call's arguments' numbers (Python numbers
        and one-element tensors, also inside lists, tuples and dicts; the weight field's values
        aside), up to an ``+ eps`` added in the body; read once, on the first ask. Not the int
        divisor of the division whose rule runs where the code proves it a count of its own
        (``own_count``)."""
        return self.argument_number(z) is not None and not self.own_count(z)

    def own_count(self, z: Any) -> bool:
        """Whether ``z`` is the int divisor of the division whose rule runs, a local its code counts
        itself (``_bytecode.own_counter``: ``n += 1`` over each image's crops), whatever number of
        the arguments it equals."""
        op = self.op
        return (type(z) is int and op is not None and len(op[1]) == 2 and type(op[1][1]) is int and op[1][1] == z
                and _bytecode.own_counter())

    def constant_number(self, c: Any, op: tuple[Any, tuple, dict] | None = None) -> bool:
        """Whether the code executing the op whose rule runs (or ``op``, run just now) proves the
        number object ``c`` it received a constant: a literal there, or a parameter holding its
        default or a constant its caller passed (``_bytecode.constant_number``)."""
        op = self.op if op is None else op
        return op is not None and _bytecode.constant_number(c, *op, self._read_body_call)

    def constant_list(self, c: Any, func: Any, args: tuple, kwargs: dict) -> bool:
        """Whether the code making a tensor of the list of floats ``c`` proves it a constant of the
        call (``_bytecode.constant_list``)."""
        return _bytecode.constant_list(c, func, args, kwargs, self._read_body_call)

    def constant_vector(self, x: Any) -> tuple[float, ...] | None:
        """The values of ``x`` where it is a vector of ``constant_vectors`` unchanged since; None
        for any other tensor."""
        held = self.constant_vectors.get(id(x)) if self.constant_vectors else None
        if held is None or held[0] is not x or held[1] is None or version_of(x) != held[1]:
            return None
        return held[2]

    def constant_times_length(self) -> tuple[Any, Any] | None:
        """``(k, x)`` where the divisor of the division whose rule runs is ``k * len(x)``, ``k`` a
        constant of the call (``_bytecode.constant_times_length``), or a width of an argument that a
        group's run keeps (``_kept_width``)."""
        found = _bytecode.constant_times_length(self._read_body_call)
        if found is not None and isinstance(found[0], _bytecode.ParameterWidth):
            return self._kept_width(found[0]), found[1]
        return found

    def _kept_width(self, width: _bytecode.ParameterWidth) -> int | None:
        """``q.shape[d]`` where ``q`` is an argument tensor of the call whose images run along dim 0
        alone, each row an image's own, and ``d`` another dim: restricted to a group's images ``q``
        keeps that size (Moment-DETR's pairs per example, ``len(s) * pos.shape[1]``). None otherwise,
        also where the size equals the number of images (a ``[B, B]`` argument: maybe images too) or
        ``q`` is a tensor the body made (a width padded to the batch's longest)."""
        q, d = width
        if type(q) is not Tensor or self.read_argument_tensors is None \
                or not any(t is q for t in self.read_argument_tensors()):
            return None
        d = d + q.dim() if d < 0 else d
        held = self.get(q)
        if held is None or held.lost_at is not None or set(held.rows) != {0}:
            return None
        rows = held.rows[0]
        if not 0 < d < q.dim() or rows.numel() != q.shape[0] \
                or self.by_position(rows) or q.shape[d] == self.num_images:
            return None
        return int(q.shape[d])

    def argument_times_constant(self) -> tuple[Any, Any] | None:
        """``(p, k)`` where the divisor of the division whose rule runs is ``p * k``, ``p`` a number
        the call passed to the body's parameter and ``k`` a constant of the call, or None where
        the code does not prove the other factor one (``_bytecode.argument_times_constant``)."""
        return _bytecode.argument_times_constant(self._read_body_call, self.fixed_lists)

    def read_body_call_once(self) -> _bytecode.BodyCall | None:
        """How the decorated body was called (``_bytecode.BodyCall``), read once per call."""
        return self._read_body_call()

    def _read_body_call(self) -> _bytecode.BodyCall | None:
        if self._body_call is None:
            read = self.read_body_call
            self._body_call = (read() if read is not None else None,)
        return self._body_call[0]

    def argument_number(self, z: float) -> float | None:
        """The argument number ``z`` is (see ``from_arguments``), or None."""
        if self._argument_numbers is None:
            read = self.read_argument_numbers
            self._argument_numbers, self._argument_tensors = read() if read is not None else ([], None)
        found = None
        for v in self._argument_numbers:  # (a loop: no generator per ask)
            if abs(z - v) <= 1e-6 * max(1.0, abs(v)):
                found = v
                break
        if found is None and self._argument_tensors is not None:
            self._argument_numbers += self._argument_tensors()
            self._argument_tensors = None
            return self.argument_number(z)
        return found

    def host_normaliser(self, z: Any, floor: Callable[[], float | None] | None = None,
                        read: HostRead | None = None) -> Ratio | None:
        """The row sum whose host-read value the Python number ``z`` is (up to an ``+ eps``
        added in Python), or the count of the elements it did not sum (``numel() - v``), or the
        Python sum of one read per image (``positives += num_pos`` in a loop), marked consumed;
        None when ``z`` is no such value. ``floor`` (asked only on a match) proves a floor the
        body applied in Python (``max(num_pos, 1)``): each group's sum is floored the same.
        ``read``: the read the number is known to come from (a followed ``GroupInt``), taken
        before any other read of the same value (``valid.sum().item()`` read anew per loss)."""
        if not isinstance(z, (int, float)) or isinstance(z, bool):
            return None
        if read is not None and read.ratio is not None and _is_count(read.value) and read.value == z:
            read.consumed = True
            return _host_guarded(read.ratio, z, z, floor)
        if type(z) is float:  # the very float a read returned (``max(n, 1.0)`` keeps it): that read's sum
            own = next((read for read in self.host_reads if read.value is z), None)
            if own is not None and own.ratio is not None and _is_count(z):
                own.consumed = True
                return _host_guarded(own.ratio, z, z, floor)
        summed = self._summed_reads(z, floor)
        if summed is not None:
            return summed
        for complement in (False, True):
            for read in self.host_reads:
                r, v = read.ratio, read.value
                if r is None or not _is_count(v):
                    continue
                if complement:  # ``labels.numel() - ignored.sum().item()``: the elements not summed
                    if r.scales or r.normaliser_ops or not near_count(z, r.numel - v) or not _subtracted():
                        continue
                    v = r.numel - v
                if not near_count(z, v):
                    continue
                read.consumed = True
                if complement:  # each value stands for the same number of elements (row sums)
                    r = Ratio.of(r.numel / r.values.numel() - r.values, r.rows, r.row_dim, RatioKind.SUM)
                return _host_guarded(r, z, v, floor)
        return None

    def summed_reads_times(self, z: float, k: float, floor: Callable[[], float | None]) -> Ratio | None:
        """``z`` as ``k`` times the Python sum of one row-sum read per image, where the code proves
        the divisor ``k * n`` with ``n`` such a sum added once per image (``_bytecode.summed_multiple``:
        ``/ (2 * count)`` with ``count += int(m.sum())``): ``_summed_reads`` of ``z / k``, each value
        times ``k``, marked consumed."""
        return self._summed_reads(z, floor, k)

    def _summed_reads(self, z: float, floor: Callable[[], float | None] | None = None,
                      multiple: float = 1.0) -> Ratio | None:
        """``z`` as the Python sum of one row-sum read per image, the same one in each image's
        order of reads (``positives += int(pos.sum())`` in a loop over images): a row-sum
        normaliser with those values per image (the group's sum is its images' reads). None
        when no such reads sum to ``z``; when two sets of reads sum to it, or a read over several
        images equals it too, the call is declined (which numbers ``z`` adds up cannot be told).
        ``multiple``: the constant the code proves the sum multiplied by (``summed_reads_times``)."""
        sums = [family for family in self._read_families() if near_count(z / multiple, sum(read.value for read in family))]
        if not sums:
            return None
        batch = any(  # a count over several images equal to it too (one image's count is not taken)
            read.image is None and read.ratio is not None and _is_count(read.value) and near_count(z / multiple, read.value)
            for read in self.host_reads
        )
        if len(sums) > 1 or batch:
            self.doubt(
                torch.ones((), dtype=torch.bool),
                f"a loss is divided by {z:g}, which more than one set of numbers read on the host adds up to "
                "(which counts it sums cannot be told)",
            )
            return None
        (family,) = sums
        read_values = [read.value for read in family]
        # (a multiple: ``summed_multiple`` proved each image's number added once, as ``summed_in_loop`` does)
        if (0 in read_values or len(set(read_values)) < len(read_values)) and multiple == 1.0 and not summed_in_loop():
            self.doubt(  # ``if b > 0: n += c`` with image 0's count 0, ``n += prev`` of equal counts
                torch.ones((), dtype=torch.bool),
                f"a loss is divided by {z:g}, the sum of per-image numbers read on the host some of which are 0 or "
                "equal, and the code does not show that each image's number is added once (which images' "
                "numbers it sums cannot be told by value)",
            )
            return None
        tests = _bytecode.divisor_tests()
        if multiple != 1.0 and tests:  # a test of ``k * n``'s operand is not written here: no branch to take
            return None
        total = 0.0
        for read in family:
            read.consumed = True
            total += read.value
        device = family[0].ratio.rows.device if family[0].ratio is not None else torch.device("cpu")
        values = host_tensor([multiple * float(read.value) for read in family], torch.float64, device)
        counts = Ratio.of(values, self.arange(device), 0, RatioKind.SUM)
        for op, c in tests:  # ``if k > 8:`` of the summed number: on a group alone, its sum
            self.branches.append(Branch(counts, op, c, getattr(operator, op)(z, c),
                                        f"a Python sum of per-image numbers read on the host compared ({z:g} {_SYMBOLS[op]} {c:g})"))
        return _host_guarded(counts, z, multiple * total, floor)

    def image_size(self, track: Track, n: Any, x: Tensor) -> None:
        """The body read ``n``, a size of ``x``, one image's own tensor (``track``'s): see
        ``image_size_read``, ``summed_sizes`` and ``sized_as``."""
        self.image_size_read = True
        self.image_sizes.append((self.image_ids.get(id(track.image)), n if type(n) is int else None,
                                 int(x.shape[0]) if x.dim() else None))

    def lost_size(self, n: Any, x: Tensor) -> None:
        """The body read ``n``, the length of ``x``, a tensor of the images' values whose attribution
        was lost at a slice of the images (``for r in err[:2]: count += len(r[v])``): a size of
        images' tensors that on a group alone are others', of no image here (``size_families``:
        none), so a divisor computed from it is no constant (``image_size_read``)."""
        self.image_size_read = True
        self.image_sizes.append((None, n if type(n) is int else None, int(x.shape[0]) if x.dim() else None))

    def summed_sizes(self, z: float, device: torch.device, floor: Callable[[], float | None],
                     each: float | None = None, multiple: float = 1.0, least: bool = False) -> Ratio | None:
        """``num_pos += len(t["pos_labels"])`` in a loop over the images, then ``/ max(num_pos, 1)``
        (``z``, a running count the code proves): where the body read as many sizes of each
        image's own tensor, and the j-th of each image add up to ``z`` for one set of sizes only, a
        row-sum normaliser with those sizes per image (on a group alone, the sum of its images'),
        where the code shows each image's size is added once (``summed_in_loop``). ``each``: the
        floor the code proves each size is taken at (``sum(max(p.numel(), 1) for ..)``,
        ``_bytecode.summed_item_floor``), the sizes so floored. ``multiple``: the literal the code
        proves the sum multiplied by at the division (``_bytecode.summed_multiple``, ``/ (2 * M)``),
        the sizes so multiplied. ``least``: each image adds the lesser of two of its sizes
        (``least_families``, ``_bytecode.least_summed_in_loop``). None otherwise."""
        n = z / multiple
        if least:
            operands = _bytecode.least_summed_in_loop() if multiple == 1.0 and each is None else None
            found = self.least_families(n, operands) if operands is not None else None
        else:
            found = self.size_families(n, floor=int(each)) if each is not None else self.size_families(n)
        if found is None or len(found) != 1 or not least and each is None and multiple == 1.0 and not summed_in_loop():
            return None
        tests = _bytecode.divisor_tests()
        if multiple != 1.0 and tests:  # a test of ``k * n``'s operand is not written here: no branch to take
            return None
        sizes = list(found.pop())
        values = host_tensor([multiple * n for n in sizes], torch.float64, device)
        counts = Ratio.of(values, self.arange(device), 0, RatioKind.SUM)
        for op, c in tests:  # ``if num > 6:`` of the count: on a group alone, its sum (review14)
            self.branches.append(Branch(counts, op, c, getattr(operator, op)(z, c),
                                        f"a running count of the images' sizes compared ({z:g} {_SYMBOLS[op]} {c:g})"))
        return _host_guarded(counts, z, multiple * sum(sizes), floor)

    def size_families(self, z: float, shapes: bool = False, floor: int = 0) -> set[tuple[int, ...]] | None:
        """The sizes of the images' own tensors the body read, one per image (the j-th read of
        each image, a family per j), whose sum is ``z``; None where the images were not each read
        as many times (or a size read is of no image). With ``shapes``, a read of a whole shape
        (``p.shape``) counts as its first dim's (``p.shape[0]``): a size it may have taken. With
        ``floor``, each size is taken floored at it (``max(n, 1)``)."""
        per_image: list[list[int | None]] = [[] for _ in range(self.num_images)]
        for b, n, first in self.image_sizes:
            if b is None or not 0 <= b < self.num_images:
                return None
            per_image[b].append(first if n is None and shapes else n)
        if len({len(each) for each in per_image}) != 1:
            return None
        return {tuple(max(int(n), floor) for n in family if n is not None) for family in zip(*per_image)
                if None not in family and near_count(z, sum(max(n, floor) for n in family if n is not None))}

    def least_families(self, z: float, operands: tuple[tuple[Any, str], tuple[Any, str]]) -> set[tuple[int, ...]] | None:
        """Per image the lesser of its two size reads, where their sum is ``z`` (ULD's ``count +=
        min(len(s), len(t))``); None unless the sizes were read two by two, image by image in image
        order (a count pairing one image's size with another's reads them interleaved), the last two
        the sizes of ``operands`` (the locals ``min`` took, the last image's own tensors, each
        ``(value, "len" or "numel")``): the other images' pairs are those of the same code."""
        order = [b for b, _, _ in self.image_sizes]
        images = self.num_images
        if not images or order != [b for b in range(images) for _ in range(2)] or any(
                n is None for _, n, _ in self.image_sizes):
            return None
        last = [n for _, n, _ in self.image_sizes[-2:]]
        for (x, kind), n in zip(operands, last, strict=True):
            track = self.get(x) if isinstance(x, torch.Tensor) else None
            if track is None or track.image is None or self.image_ids.get(id(track.image)) != images - 1 \
                    or (len(x) if kind == "len" else x.numel()) != n:
                return None
        family = tuple(min(int(a), int(b)) for (_, a, _), (_, b, _) in zip(self.image_sizes[::2], self.image_sizes[1::2]))  # type: ignore[arg-type]
        return {family} if near_count(z, sum(family)) else set()

    def _read_families(self) -> list[list[HostRead]]:
        """The row-sum reads of one image each, as families of one read per image, the j-th read
        of each image, where every image has as many such reads and the j-th are by one op."""
        if self.num_images < 2:
            return []
        per_image: dict[int, list[HostRead]] = {}
        for read in self.host_reads:
            if read.image is not None and read.ratio is not None and _is_count(read.value):
                per_image.setdefault(read.image, []).append(read)
        if len(per_image) != self.num_images or len({len(reads) for reads in per_image.values()}) != 1:
            return []
        families = ([per_image[b][j] for b in range(self.num_images)] for j in range(len(per_image[0])))
        return [family for family in families if len({read.op for read in family}) == 1]

    def summed_value(self, x: Any) -> str | None:
        """The op of per-image reads whose Python sum the number ``x`` equals (``num_fg += n`` in a
        loop, see ``_summed_reads``), or None: such a sum other than the divisor of a summed loss
        (``l.mean() * num_fg``, ``l.sum() / num_fg + num_fg``) is the group's on a group alone."""
        if not self.host_reads or not _is_count(x):
            return None
        for family in self._read_families():
            if abs(x - sum(read.value for read in family)) <= 1e-3 + 1e-6 * abs(x):
                return family[0].op
        return None

    def running_sum(self, z: float, kind: str | None) -> tuple[float, ...] | None:
        """The per-image numbers whose Python sum the number ``z`` is, where the code proves ``z``
        a running sum of one read or size per image (``_bytecode.tensor_of_running_sums``): the
        one row-sum read of each image (``_read_families``) or the one size of each image's own
        tensor (``size_families``) adding up to ``z``, only those of ``kind`` (``"read"``, ``"size"``)
        where the code tells it; None where none, or several different ones, do, or a read over
        several images equals ``z`` (which numbers it adds up cannot be told)."""
        if not _is_count(z) or any(read.image is None and read.ratio is not None and read.value == z
                                   for read in self.host_reads):
            return None
        found = {tuple(float(read.value) for read in family) for family in self._read_families()
                 if kind != "size" and sum(read.value for read in family) == z}
        found |= {tuple(float(n) for n in sizes) for sizes in (self.size_families(z) or ()) if kind != "read"
                  and len(sizes) == self.num_images and sum(sizes) == z}
        return found.pop() if len(found) == 1 else None

    def count_read(self, t: Any, n: Any, op: str) -> None:
        """``len(pos)``, ``pos.numel()``, ``pos.shape[0]`` (``op``) of a mask's ``nonzero()`` indices
        ``t``: a read of that mask's row sum, matched only where a loss is divided by it."""
        hit = self.counted.get(id(t))
        if hit is not None and hit[0] is t:
            self.add_read(HostRead(n, hit[1], hit[1], op, consumed=True, image=hit[1].host_image))

    def add_read(self, read: HostRead) -> None:
        """Record a host read; a read of another image than the last one's starts a new segment.
        A read of data followed for the sizes it sets only leaves its number loose in Python, as
        a read taken as a size does (``loose_number``)."""
        if read.sizes_only:
            self.sized_reads = True
        if read.followed:  # (no slice or position can take a followed read's number unseen)
            pass
        elif read.image is None:
            self.read_image = SEVERAL
        elif self.read_image != SEVERAL and read.image != self.read_image:
            self.read_image = read.image
            self.segment = len(self.host_reads)
        self.host_reads.append(read)

    def unfollow(self, reads: tuple[GroupRead, ...]) -> None:
        """A followed read's number (or one computed from it) left what the capture sees (an
        escape, a torch function whose output is lost): from now on a size may be that number
        (unless of the image whose reads come last, of several images)."""
        for r in reads:
            if r.read.followed:
                r.read.followed = False
                if self.read_image == NO_READ or r.read.image != self.read_image:
                    self.read_image = SEVERAL

    def note_blocks(self, out: Any, blocks: tuple[int, ...]) -> None:
        """``out``, made by the op being followed, is ``blocks`` of identical rows along dim 0."""
        if isinstance(out, Tensor) and out.dim() and out.numel() <= _BLOCK_ELEMENTS and sum(blocks) == out.shape[0]:
            self.row_blocks[id(out)] = (out, version_of(out), blocks)

    def blocks_of(self, x: Any) -> tuple[int, ...] | None:
        """The row counts of the blocks of identical rows ``x`` is made of (see ``note_blocks``),
        unless written since; None for any other tensor."""
        held = self.row_blocks.get(id(x)) if self.row_blocks and isinstance(x, Tensor) else None
        if held is None or held[0] is not x or held[1] is None or version_of(x) != held[1]:
            return None
        return held[2]

    def aligned_blocks(self, rows: Tensor, blocks: tuple[int, ...], op: str) -> None:
        """An untracked operand made of ``blocks`` of identical rows meets rows of the images
        (``rows``, dim 0) at ``op``: YOLO's neighbour offsets ``cat([zeros(len(t), 2),
        c.expand(int(left.sum()), 2)])`` against ``cat([t, t[left]])``. Where a block may be
        sized by a number read on the host, on a group alone each block has the group's value of
        the number that sized it, so each block's size must be a count the capture knows per
        image -- a plain row sum read on the host, a length of rows -- that equals, image by
        image, that image's rows the block meets (checked on the device with the call's one
        read). A number has no identity: every read and length of that value must be such a
        count; a block no count of its size explains declines. Those reads are accounted for."""
        if not any(read.value in blocks for read in self.host_reads if _is_count(read.value)):
            return  # no read may have sized a block: the sizes are the body's (as before any read)
        message = (f"{op} of rows of images with a tensor made of blocks of rows, one sized by a number read on "
                   "the host that does not count those images' rows block by block")
        start, matched = 0, []
        for n in blocks:
            have = self.rows_per_image(rows[start : start + n])
            start += n
            counts = self._counts_of(n, rows.device)
            if counts is None:
                self.doubt(torch.ones((), dtype=torch.bool), message)
                return
            for reads, c in counts:
                self.doubt((c != have).any(), message)
                matched.extend(reads)
        for read in matched:
            read.consumed = self.sized_reads = True

    def _counts_of(self, n: int, device: torch.device) -> list[tuple[list[HostRead], Tensor]] | None:
        """The per-image counts ``[B]`` that a number ``n`` may be (with the reads behind each):
        every host read of that value (a plain row sum), every length of image rows of that
        value; None where one of them is no such count, or none is. (A length of one image's
        tensor or of a constant is no count of the images' rows: a block it sized keeps its size
        on a group alone, where the rows it meets are fewer, and the body's shapes disagree there.)"""
        found: list[tuple[list[HostRead], Tensor]] = []
        for read in self.host_reads:
            if not _is_count(read.value) or read.value != n:
                continue
            r = read.ratio
            if r is None:
                return None
            sums = _ratio.row_sums(r.values, r.row_dim).to(device, torch.float32)
            per = torch.zeros(self.num_images, dtype=torch.float32, device=device)
            found.append(([read], per.index_add_(0, r.rows.reshape(-1).to(device), sums)))
        for rows in self.lengths.get(n, []):
            found.append(([], self.rows_per_image(rows.to(device))))
        return found or None

    def rows_per_image(self, rows: Tensor) -> Tensor:
        """How many of ``rows`` (the image of each) each image has, ``[B]``; ``index_add``, not
        ``bincount``, which reads the largest value on the host to size its result."""
        rows = rows.reshape(-1)
        ones = torch.ones(rows.numel(), dtype=torch.float32, device=rows.device)
        return torch.zeros(self.num_images, dtype=torch.float32, device=rows.device).index_add_(0, rows, ones)

    def rows_per_image_host(self, rows: Tensor) -> list[float]:
        """``rows_per_image`` as Python floats: counted on the host where its values are known by
        count there (``note_values``, unchanged since), else read once per rows tensor and version
        in a call (a host read)."""
        counts = self.known_rows_per_image(rows)
        if counts is not None:
            return counts
        version = version_of(rows)
        held = self.rows_counted.get(id(rows))
        if held is None or held[0] is not rows or version is None or held[1] != version:
            held = self.rows_counted[id(rows)] = (rows, version, self.rows_per_image(rows).tolist())
        return list(held[2])

    def known_rows_per_image(self, rows: Tensor) -> list[float] | None:
        """``rows_per_image`` where the host knows it (``counted_rows``), else None: no read."""
        known = self.counted_rows(rows)
        if known is None or not all(0 <= v < self.num_images for v in known):
            return None
        counts = [0.0] * self.num_images
        for v, n in known.items():
            counts[v] += n
        return counts

    def rows_other_than(self, rows: Tensor, k: int) -> Tensor:
        """1 where some image has other than ``k`` of ``rows`` (its images): on the host where it
        knows them, else on the device (``index_add``; ``bincount`` reads its size on the host)."""
        counts = self.known_rows_per_image(rows)
        if counts is None:
            return (self.rows_per_image(rows) != k).any()
        return torch.tensor(any(c != k for c in counts))  # (on the host, as other flags it decides)

    def counted_rows(self, r: Tensor) -> dict[int, int] | None:
        """How many times the row map ``r`` holds each value, where the host knows it without a
        read: the call's image index, a tensor known by count (``note_values``, unchanged since),
        or a map ``expand_rows`` made of one (each value as many times more as it repeats each
        row); None otherwise."""
        times = 1
        for _ in range(8):
            if r is self.identity.get(r.device):
                return dict.fromkeys(range(r.numel()), times)
            known = self.value_counts.get(id(r))
            if known is not None and known[0] is r and known[1] is not None and known[1] == version_of(r):
                return {v: n * times for v, n in known[2].items()}
            held = self.origin.get(id(r)) if self.origin else None
            if held is None:
                return None
            r, total = held[0], math.prod(held[1])
            if not total or not r.numel():
                return {}
            if total % r.numel():
                return None
            times *= total // r.numel()
        return None

    def row_images(self, r: Tensor) -> set[int] | None:
        """The images the row map ``r`` holds where the host knows them without a read (``counted_rows``)."""
        known = self.counted_rows(r)
        return None if known is None else {v for v, n in known.items() if n}

    def forget_values(self, x: Tensor) -> None:
        """Drop what the host keeps of the values of tensors over ``x``'s memory (``note_values``,
        ``rows_counted``): ``x.data`` or NumPy write there without bumping their versions."""
        try:
            at = x.untyped_storage().data_ptr()
        except (RuntimeError, NotImplementedError):
            self.value_counts.clear()
            self.rows_counted.clear()
            self.value_runs.clear()
            return
        for kept in (self.value_counts, self.rows_counted, self.value_runs):
            for k in [k for k, held in kept.items() if held[0].untyped_storage().data_ptr() == at]:
                del kept[k]

    def note_values(self, out: Any, counts: dict[int, int]) -> None:
        """``out`` (an int tensor the body made) holds ``counts[v]`` times each value ``v``."""
        self.value_counts[id(out)] = (out, version_of(out), counts)
        if len(counts) == 1 and isinstance(out, Tensor) and out.dim() == 1:  # (one value: in order too)
            self.note_runs(out, list(counts.items()))

    def note_runs(self, out: Tensor, runs: list[tuple[int, int]]) -> None:
        """The 1-D ``out`` holds, in order, each run's value as many times as it says."""
        merged: list[tuple[int, int]] = []
        for v, n in runs:
            if n and merged and merged[-1][0] == v:
                merged[-1] = (v, merged[-1][1] + n)
            elif n:
                merged.append((v, n))
        self.value_runs[id(out)] = (out, version_of(out), tuple(merged))

    def known_runs(self, r: Tensor) -> tuple[tuple[int, int], ...] | None:
        """The values of the 1-D ``r`` in order, as runs (``note_runs``), where the host noted them and
        ``r`` is unchanged since; None otherwise."""
        known = self.value_runs.get(id(r))
        if known is None or known[0] is not r or known[1] is None or known[1] != version_of(r):
            return None
        return known[2]

    def same_known(self, a: Tensor, b: Tensor) -> bool:
        """Whether the host knows, without a read, that ``a`` and ``b`` hold the same values in order
        (``known_runs``, or the call's image index: not spelled out, its length the images')."""
        if not self.value_runs:
            return False
        runs, other = self.known_runs(a), b
        if runs is None:
            runs, other = self.known_runs(b), a
            if runs is None:
                return False
        if other is self.identity.get(other.device):
            return len(runs) == self.num_images and all(v == i and n == 1 for i, (v, n) in enumerate(runs))
        return runs == self.known_runs(other)

    def joined_values(self, seq: Sequence[Any], out: Any) -> None:
        """``torch.cat`` / ``stack`` of int tensors each known by count (``note_values``): so is the
        result (``cat`` of 1-D ones known in order: in order too)."""
        total: dict[int, int] = {}
        runs: list[tuple[int, int]] | None = []
        for x in seq:
            known = self.value_counts.get(id(x))
            if known is None or known[0] is not x or known[1] is None or known[1] != version_of(x):
                return
            for v, n in known[2].items():
                total[v] = total.get(v, 0) + n
            ordered = self.known_runs(x) if runs is not None and isinstance(x, Tensor) and x.dim() == 1 else None
            runs = None if ordered is None or runs is None else runs + list(ordered)
        if isinstance(out, Tensor) and out.numel() == sum(total.values()):
            self.note_values(out, total)
            if runs is not None and out.dim() == 1 and out.numel() == sum(n for _, n in runs):
                self.note_runs(out, runs)

    def sized(self, op: str, track: Track, literal: Callable[[], bool] | None = None, picked: int | None = None,
              carried: Callable[[], bool] | None = None) -> None:
        """``op`` on a tensor with ``track`` takes a size from a Python number (top-k ``k``, slice
        bounds), which may have been computed from numbers read on the host. A number has no
        identity, so the order of the reads decides: on one image's tensor, after reads of that
        image only since the last read of another image (and no read over several images ever),
        the number can only come from that image's values, as on the group alone -- those reads
        are then accounted for. Otherwise the call is declined, unless ``literal`` (asked only
        then) proves the size a literal of the body's code, the same on every group's run.
        ``picked``: the one image whose values the op cuts, where the index picks it (``x[b, :n]``).
        ``carried``: the code gives the size from a number kept from an earlier iteration of its
        loop (``_bytecode.carried_size``): not this image's reads, whatever their order."""
        at = self.read_image
        if at == NO_READ:
            return
        image = picked if picked is not None else (self.image_id(track.image) if not track.rows else None)
        if at == SEVERAL:
            message = f"{op} after a value not of one image was read on the host (its size may be that value)"
        elif image is None:
            message = f"{op} on rows of several images after values of the images were read on the host (its size may come from them)"
        elif image != at:
            message = f"{op} on image {image}'s rows after values of image {at} were read on the host (its size may come from them)"
        elif carried is not None and carried():
            message = f"{op} on image {image}'s rows by a number kept from an earlier iteration of the loop (another image's)"
        else:
            if literal is not None and literal():  # ``xyxy[:, :2]``: no read set this size, none is loose
                return
            for read in self.host_reads[self.segment :]:
                if not read.consumed and not read.followed:  # a read that would have declined the call: now loose
                    read.consumed = self.sized_reads = True
            return
        if literal is not None and literal():
            return
        keys = self.read_keys() if at == SEVERAL else None
        if keys is None:
            self.doubt(torch.ones((), dtype=torch.bool), message)
        else:  # the size may be a read's number only in the keys that number can change: those decline
            self.branch(Branch(None, "ne", 0.0, True, message, reach=keys))

    def read_keys(self) -> frozenset[str] | None:
        """The keys the numbers read on the host so far may change (``HostRead.keys``), where every
        read not followed has them proven; None otherwise."""
        keys: frozenset[str] = frozenset()
        for read in self.host_reads:
            if not read.followed:
                if read.keys is None:
                    return None
                keys |= read.keys
        return keys

    def sized_by_length(self, op: str, image: int | None, literal: Callable[[], bool]) -> None:
        """``op`` cuts one image's values (``image``) by a Python number, after the body read sizes
        of single images' tensors (``image_sizes``, no host read: ``len(t[0]["y"][m])``): where the
        last size read is of another image, the number may be that size, and on a group alone that
        image is another one (gap16: was trusted). Declined unless ``literal`` proves the bound the
        code's own (a literal, a size of the rows themselves)."""
        last = self.image_sizes[-1][0] if self.image_sizes else None
        if image is None or last is None or last == image or literal():
            return
        self.doubt(torch.ones((), dtype=torch.bool), f"{op} on image {image}'s rows after a size of image {last}'s "
                   "tensor was read (its bound may be that size; on a group alone that image is another)")

    def positioned(self, op: str, image: int, literal: Callable[[], bool], others: bool = True,
                   carried: Callable[[], bool] | None = None) -> None:
        """``op`` picks a position of one image's values (``image``) by a Python int, not a dim of
        images (``s[n - 1]`` of an image's sorted scores, PSENet's OHEM threshold), which may have
        been computed from numbers read on the host. As ``sized`` orders them: after reads of that
        image only, the int can only come from its values, as on the group alone, so those reads
        are accounted for (their numbers loose since). Once reads were so accounted for, or while
        reads of another image are not, an int picking a position of another image's values may be
        one of their numbers: declined, unless ``literal`` proves it the code's own (review13: a
        count read once from ``targets[-1]`` picked every image's position, the last image's reads
        then accounted for by its own). Without ``others`` (a tensor of positions, which may also be
        the code's own), only the accounting: another image's reads stay loose. ``carried``: the
        code gives the position from a number kept from an earlier iteration of its loop."""
        at = self.read_image
        if at == NO_READ:
            return
        if image == at:
            if carried is not None and carried():
                self.doubt(torch.ones((), dtype=torch.bool), f"{op} at a position of image {image}'s values kept "
                           "from an earlier iteration of the loop (another image's number)")
            elif not literal():
                for read in self.host_reads[self.segment :]:
                    if not read.consumed and not read.followed:
                        read.consumed = self.sized_reads = self.positioned_reads = True
            return
        if others and (self.positioned_reads or any(not r.consumed and not r.followed for r in self.host_reads[self.segment :])) \
                and not literal():
            self.doubt(torch.ones((), dtype=torch.bool),
                       f"{op} at a position of image {image}'s values after numbers read on the host from another "
                       "image's values were taken as positions of its values (this one may be one of them)")

    def loose_number(self, x: Any, track: Track, op: str) -> None:
        """After reads were taken as one image's sizes (``sized``), or of data (``sizes_only``),
        their numbers are loose in Python: a Python number ``x`` scaling, shifting or dividing a
        reduced loss with ``track`` at ``op`` that is not the current image's (several images,
        another image) may be computed from them, so the call is declined (a number that divides
        a sum as the counts it adds up is matched before)."""
        if not _is_count(x):
            return
        r = track.ratio
        image = r.host_image if r is not None else self.image_ids.get(id(track.image)) if track.image is not None and not track.rows else None
        if image is not None and image == self.read_image:
            return
        self.sized_reads = False  # one warning is enough
        self.doubt(
            torch.ones((), dtype=torch.bool),
            f"a Python number reaches a loss of several images (or of another image) at {op} after numbers "
            "read on the host set one image's sizes (it may be computed from them)",
        )

    def host_value(self, x: Any, image: int | None = None) -> str | None:
        """The op that read ``x`` on the host from the images' values (``x`` equal to that value,
        up to an ``+ eps``), or None: such a number scaling a loss changes with the group. On
        ``image``'s own loss after reads of that image only (as ``sized`` orders them), None:
        the number is that image's, as on the group alone."""
        if not self.host_reads or not _is_count(x) or image is not None and image == self.read_image:
            return None
        for read in self.host_reads:
            v = read.value
            if not read.sizes_only and _is_count(v) and abs(x - v) <= 1e-3 + 1e-6 * abs(v):
                return read.op
        return None

    def made_of_parameters(self, c: Tensor, limit: int = 256, whole: bool = False) -> bool:
        """Whether the autograd history of ``c`` (at most ``limit`` nodes) reaches no tensor of the
        call's arguments but one-element ones, only leaves such as the model's parameters (a learned
        ``s``, ``exp(-s)``, a norm of an embedding table): no image's data, the same on a group's
        run. Without a history (no grad, ``.detach()``) nothing can be told: False. ``whole``: also
        no operand without a history (``s * n``, ``s.exp() + 1``: a number or tensor of the call,
        maybe a count, that autograd does not show)."""
        if not c.requires_grad:
            return False
        tensors = self.read_argument_tensors() if self.read_argument_tensors is not None else []
        banned = {id(t) for t in tensors if t.numel() > 1}
        nodes = {id(t.grad_fn) for t in tensors if t.numel() > 1 and t.grad_fn is not None}
        if c.grad_fn is None:
            return id(c) not in banned
        seen, todo = set(), [c.grad_fn]
        while todo:
            node = todo.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if len(seen) > limit or id(node) in nodes or id(getattr(node, "variable", None)) in banned:
                return False
            if whole and any(n is None for n, _ in node.next_functions):
                return False
            todo.extend(n for n, _ in node.next_functions if n is not None)
        return True

    def logged_reaches(self, op: str) -> None:
        """A number read for logging only (or a tensor made of one) reached ``op``: the proof that
        it steers nothing does not cover that, so the call is declined."""
        with torch._C.DisableTorchFunction():
            self.doubt(torch.ones((), dtype=torch.bool), f"a number read on the host for logging (.item()) reaches {op}")

    def logged_arguments(self, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
        """``func`` got a number read for logging only, or a tensor made of one: a tensor made of
        it by ``torch.tensor`` / ``torch.as_tensor`` is one too (a returned key gets no companion,
        its warning names the op); any other op declines the call."""
        held = self.logged_tensors
        hit = [a for a in flat_args(args, kwargs) if isinstance(a, _LOGGED) or isinstance(a, Tensor) and held.get(id(a)) is a]
        if not hit:
            return
        if func in _TENSOR_MAKERS and isinstance(out, Tensor) and not any(isinstance(a, Tensor) for a in hit):
            held[id(out)] = out
            data = get_arg(args, kwargs, 0, "data", None)
            if (isinstance(data, _LOGGED) and data._expr is not None and out.numel() == 1 and out.dtype in _EXACT_DTYPES
                    and data._frame() is self):  # ``torch.tensor(num_pos / num_images)``: on a group alone the group's
                self.set(out, Track(from_prediction=True, formula=data._expr,
                                    lost_at=f"{op_name(func)} of a number read on the host for logging (.item())"))
                return
            self.lose(out, f"{op_name(func)} of a number read on the host for logging (.item())")
        else:
            self.logged_reaches(op_name(func))

    def unconsumed_reads(self, returned: set[int]) -> list[HostRead]:
        """The host reads of the images' values that no loss was divided by (``returned``: ids of
        the returned keys' ratios, whose reads only log them), nor reached only outputs made
        unknown (``ReadReach``)."""
        reached = {id(r.read) for r in self.reaches if r.blocked is None and r.tensor_sites <= r.seen}
        return [read for read in self.host_reads
                if not read.consumed and (read.source is None or id(read.source) not in returned) and id(read) not in reached]

    def instances(self) -> list[int] | str | None:
        """Target instances per image (detection targets; without target dicts, the rows of each
        image's item of the list arguments of one tensor per image, ``item_lengths``),
        ``"ambiguous"`` when the target fields disagree, None without such targets; counted once,
        on the first ask."""
        if self.count_instances is None:
            return self.item_lengths()  # not kept: a list may be found paired with the images later
        if self._instances is None:
            self._instances = (self.count_instances(),)
        return self._instances[0]

    def field_total(self, z: float) -> str | None:
        """The field of the per-image target dicts whose Python ints, or the lengths of whose
        Python lists, add up to ``z`` over the images (``n += t["num_boxes"]``, ``sum(len(t["names"])
        for t in targets)``): on a group alone the body adds up the group's. None where none does."""
        targets = self.per_image_targets
        if not isinstance(targets, (list, tuple)) or len(targets) < 2 or not isinstance(targets[0], dict):
            return None
        for key in targets[0]:
            total = 0
            for t in targets:
                v = t.get(key) if isinstance(t, dict) else None
                if type(v) is int:
                    total += v
                elif type(v) is list:
                    total += len(v)
                else:
                    break
            else:
                if total == z:
                    return str(key)
        return None

    def item_lengths(self) -> list[int] | None:
        """Without per-image target dicts: the rows of each image's item of the call's list
        arguments of one tensor per image (EEND's per-recording labels ``ts``: a sum divided by
        ``sum(t.shape[0] for t in ts)`` is, on a group alone, over the group's frames); None
        where there is no such list, or two disagree. Only a list the body used item by item with
        its images' values (``paired``): a list of as many items as there are images by
        coincidence (an anchor tensor per feature level) counts no image's rows (review13)."""
        if self.per_image_targets is not None or self.read_image_lists is None or not self.paired_lists:
            return None
        found = {tuple(int(t.shape[0]) for t in items) for items in self.read_image_lists()
                 if id(items) in self.paired_lists and all(isinstance(t, Tensor) and t.dim() >= 1 for t in items)}
        return list(found.pop()) if len(found) == 1 else None

    def sized_as(self, counts: list[int]) -> bool:
        """Whether every image whose tensors' sizes the body read had one of ``counts[b]`` rows (a
        count it added up from them is then that count)."""
        rows: dict[int, set[int]] = {}  # image -> the first-dim sizes of its tensors read
        for b, _, size in self.image_sizes:
            if b is not None and size is not None:
                rows.setdefault(b, set()).add(size)
        return all(counts[b] in sizes for b, sizes in rows.items() if b < len(counts))

    def image_item(self, x: Any) -> tuple[Sequence[Any], int] | None:
        """(the list, the image) where ``x`` is an image's item of a list argument of one item per
        image (see ``item_lengths``), else None."""
        if self.per_image_targets is not None or self.read_image_lists is None:
            return None
        for items in self.read_image_lists():
            for b, item in enumerate(items):
                if item is x:
                    return items, b
        return None

    def index_item(self, x: Tensor) -> int | None:
        """The image ``b`` where ``x`` is an integer tensor of ``items[b]`` (itself or in a tuple or
        list) of a list argument of one item per image (the matcher's ``indices[b] = (src, tgt)``);
        None for any other tensor. Its size read by position (``len(indices[0][0])``) is one image's,
        on a group alone another's (``item_size``)."""
        read = self.read_image_lists
        if read is None:
            return None
        if self._index_items is None or self._index_items[0] is not read:
            found: dict[int, tuple[Tensor, int]] = {}
            for items in read():
                for b, item in enumerate(items):
                    for v in item if type(item) in (tuple, list) else (item,):
                        if isinstance(v, Tensor) and not v.is_floating_point() and not v.is_complex() \
                                and v.dtype is not torch.bool:
                            found.setdefault(id(v), (v, b))
            self._index_items = (read, found)
        held = self._index_items[1].get(id(x))
        return held[1] if held is not None and held[0] is x else None

    def item_size(self, b: int, n: Any, x: Tensor) -> None:
        """The body read ``n``, a size of ``x``, image ``b``'s index tensor (``index_item``): kept apart
        from ``image_sizes`` and ``image_size_read`` (whose sums and reads the count rules take: MOTR's
        ``num_samples += len(q)`` over every frame), for the picked-size checks only."""
        self.index_sizes.append((b, n if type(n) is int else None, int(x.shape[0]) if x.dim() else None))

    def paired(self, items: Sequence[Any]) -> None:
        """The body used the list ``items`` item by item with the values of the item's image
        (``len(label)`` as a bound or a factor of that image's values, EEND's ``pred[:len(label)]``)."""
        self.paired_lists.add(id(items))

    def set_weights(self, weights: list[Any]) -> None:
        """The weight field's per-image values (numbers, one-element tensors or None)."""
        ok = all(
            isinstance(w, (int, float)) and not isinstance(w, bool) or isinstance(w, Tensor) and w.numel() == 1
            for w in weights
        )
        self._weights = weights if ok and weights else None
        self._weight_numbers = None if self._weights is None or any(isinstance(w, Tensor) for w in weights) else weights
        self._images_of_weight = None

    def weight_objects(self) -> frozenset[int]:
        """The ids of the weight field's per-image values (none where they are not kept)."""
        return frozenset(id(w) for w in self._weights or ())

    def weight_numbers(self) -> list[float] | None:
        """Per-image weights where every one is a Python number (known without a read), else None."""
        return self._weight_numbers

    def int_weights(self) -> bool:
        """Whether some image's weight is a Python int or an integer tensor (their sum is an int)."""
        return self._weights is not None and any(
            type(w) is int or isinstance(w, Tensor) and not w.is_floating_point() for w in self._weights)

    def weights_on(self, device: torch.device, dtype: torch.dtype = torch.float64) -> Tensor | None:
        """Per-image weights as a float64 tensor on ``device`` (no host read), converted to
        ``dtype`` (kept per call), or None."""
        if self._weights is None:
            return None
        if dtype != torch.float64:
            converted = self._weight_tensor.get((device, dtype))
            if converted is None:
                base = self.weights_on(device)
                assert base is not None
                converted = self._weight_tensor[(device, dtype)] = base.to(dtype)
            return converted
        out = self._weight_tensor.get(device)
        if out is None:
            if all(not isinstance(w, Tensor) for w in self._weights):
                out = host_tensor([float(w) for w in self._weights], torch.float64, device)
            else:
                out = torch.stack(
                    [w.detach().reshape(()).to(device, torch.float64) if isinstance(w, Tensor)
                     else to_device(torch.tensor(float(w), dtype=torch.float64), device) for w in self._weights]
                )
            self._weight_tensor[device] = out
        return out

    def weight_object(self, x: Any) -> bool:
        """Whether ``x`` is the very float object of an image's weight field (no other test: a
        literal of the body's module equal to a weight may be that object too)."""
        return type(x) is float and self._weights is not None and any(w is x for w in self._weights)

    def loop_counts(self) -> set[int]:
        """The counts of the call a loop over the images may run for (images, lengths and sizes of
        image rows, of one image's tensors)."""
        return {self.num_images, *self.lengths, *self.other_lengths, *self.mixed_sizes,
                *(n for _, n, _ in self.image_sizes if n is not None)}

    def weight_images(self, fill: Any) -> frozenset[int]:
        """The images whose weight field is the very float object ``fill`` (a number has no
        identity, but the object read from a target dict is that dict's: ``full(.., t["w"])``).
        Ints are shared by Python (small ones are cached): they do not count. An object that is
        also another field's value (``{"loss_weight": 0.5, "scale": 0.5}``: equal literals of
        one code object are one object) may be either field: unless 1, the call is declined."""
        images = self.weight_owners(fill)
        if images and fill != 1 and self.constant_number(fill):  # ``x.pow(alpha)``, ``alpha=0.5``: the
            return frozenset()  # code's constant, the same object as an equal weight literal of its module
        if images and fill != 1 and self._field_images(fill):
            self.doubt(torch.ones((), dtype=torch.bool), AMBIGUOUS_WEIGHT)
        return images

    def weight_owners(self, fill: Any) -> frozenset[int]:
        """The images whose weight field is the very float object ``fill`` (``weight_images``
        without its checks: only asked, where no rule takes the number for a weight)."""
        if type(fill) is not float or self._weights is None:
            return frozenset()
        by_id = self._images_of_weight
        if by_id is None:  # asked once per image in a loop of fills: the images by object, made once
            found: dict[int, set[int]] = {}
            for b, w in enumerate(self._weights):  # the list holds each object, so ids are unique
                found.setdefault(id(w), set()).add(b)
            by_id = self._images_of_weight = {k: frozenset(v) for k, v in found.items()}
        read = self.weight_reads.get(id(fill)) if self.weight_reads else None
        return read[1] if read is not None and read[0] is fill else by_id.get(id(fill), frozenset())

    def body_constant(self, c: Any) -> bool:
        """Whether the plain float ``c``, made into a one-element tensor (``torch.tensor(1.0)``,
        torchmetrics' ``tensor(float(data_range))``), is read as a constant of the body by value:
        equal to no count of the call or its reciprocal (images, lengths and sizes of image rows,
        of one image's tensors), to no image's weight but 1, to no image's data, to no number of
        the call's arguments (a normaliser from outside) and to no value a host read returned."""
        if type(c) is not float or c != c or c in (float("inf"), float("-inf")) or self.counted_number(c):
            return False
        # (of one image, a count is the group's: the one group is the batch)
        counts = {self.num_images, *self.lengths, *self.other_lengths, *self.mixed_sizes,
                  *(n for _, n, _ in self.image_sizes if n is not None)}
        if self.num_images > 1 and any(c == n or c * n == 1 for n in counts) or self.data_images(c) \
                or self.argument_number(c) is not None:
            return False
        if c != 1 and self.weight_images(c):
            return False
        held = self.untracked_numbers.get(id(c))  # (``s.sum().item()`` of a per-image ``s``: ``mixed.mixed_read``)
        return (held is None or held[0] is not c) and not any(_holds(read.value, c) for read in self.host_reads)

    def outside_constant(self, x: Any) -> bool:
        """Whether ``x`` is a one-element tensor no op of this call made and none of its arguments
        holds, with no autograd history: module state or a global (``self.temperature``, a
        registered buffer, a parameter), which a group's run reads unchanged."""
        # (a view is no state: the rules see views of the call's tensors made out of its sight)
        if type(x) is not Tensor and not isinstance(x, torch.nn.Parameter) or x.numel() != 1 or x.grad_fn is not None \
                or x._base is not None or id(x) in self.made_ids or self.read_argument_tensors is None:
            return False
        if self.op is None or not any(a is x for a in (*self.op[1], *self.op[2].values())):
            return False  # the op's own operand only, not a copy a rule made
        return not any(t is x for t in self.read_argument_tensors())

    def argument_scalar(self, x: Any) -> bool:
        """Whether the one-element tensor ``x`` is one of ``argument_scalars``, unchanged since."""
        held = self.argument_scalars.get(id(x)) if self.argument_scalars else None
        return held is not None and held[0] is x and held[1] is not None and version_of(x) == held[1]

    def constant_expr(self, x: Any) -> tuple[Any, ...] | None:
        """The expression of no ratios the one-element tensor ``x`` holds (``constant_tensors``),
        where unchanged since; None for any other tensor."""
        held = self.constant_tensors.get(id(x)) if self.constant_tensors else None
        if held is None or held[0] is not x or held[1] is None or version_of(x) != held[1]:
            return None
        return held[2]

    def data_images(self, x: Any) -> frozenset[int]:
        """The images whose data the very float object ``x`` is: the value of one of their target
        fields other than the weight field (``t["scale"]``, also in a list or dict there), or
        the number a host read of one image's own values other than its weight field returned
        (``t["scale"].item()``, ``.tolist()``). Whatever its value, such a number is not a
        weight (one also the weight field's object is: see ``weight_images``). Empty for
        anything else, ints included (Python shares small ones)."""
        if type(x) is not float:
            return frozenset()
        images = set(self._field_images(x))
        for read in self.host_reads:
            if read.data and read.image is not None and _holds(read.value, x):
                images.add(read.image)
        return frozenset(images)

    def _field_images(self, x: float) -> frozenset[int]:
        if self._field_floats is None:
            read = self.read_field_floats
            self._field_floats = read() if read is not None else {}
        hit = self._field_floats.get(id(x))
        return hit[1] if hit is not None and hit[0] is x else frozenset()

    def forget_made(self, t: Tensor) -> None:
        """``t.data``, ``t.numpy()``: writes through them miss the version of the tensors over
        ``t``'s memory, so no constant of the call (``constant_tensors``), zeros made so
        (``made_zeros``) nor argument scalar (``argument_scalars``: ``kept.data.copy_(l.mean())``)
        is read there any longer (``torch.ones_like(v).data.mul_(len(t))``)."""
        if self.constant_tensors or self.made_zeros or self.argument_scalars:
            ptr = t.untyped_storage().data_ptr()
            for held in (self.constant_tensors, self.made_zeros, self.argument_scalars):
                for k in [k for k, v in held.items() if v[0].untyped_storage().data_ptr() == ptr]:
                    del held[k]

    def made_zero(self, x: Any, writes: int) -> bool:
        """Whether ``x`` was made zero by construction in this call (``made_zeros``) and written
        ``writes`` times since (its version)."""
        held = self.made_zeros.get(id(x)) if self.made_zeros else None
        return held is not None and held[0] is x and held[1] is not None and version_of(x) == held[1] + writes

    def note_zeros(self, out: Any) -> None:
        """``out``, made by the op being followed, holds zeros (``torch.zeros(1)``,
        ``torch.tensor(0.)``, ``x.new_zeros(())``, ``zeros_like``, a copy of such a buffer): a
        small one may start a running total (``zeros_total``)."""
        if isinstance(out, Tensor) and out.numel() <= 16:
            self.zero_buffers[id(out)] = (out, version_of(out))

    def note_filled(self, out: Any, number: Any) -> None:
        """``out``, made by the op being followed, is one element filled with the Python number
        ``number`` (``torch.tensor(len(targets))``, ``x.new_tensor([n])``): a loss's arithmetic
        with it reads that number, as with the number itself (``filled_number``)."""
        if type(number) in (list, tuple) and len(number) == 1:
            number = number[0]
        if type(number) in (int, float) and isinstance(out, Tensor) and out.numel() == 1:
            self.filled_numbers[id(out)] = (out, version_of(out), number)
            self.note_int(out, number)

    def note_int(self, out: Tensor, number: Any) -> None:
        """``out`` (one element) holds the Python int ``number`` (see ``int_number``)."""
        if type(number) is int:
            self.int_numbers[id(out)] = (out, version_of(out), number)

    def int_number(self, x: Any) -> int | None:
        """The Python int the one-element tensor ``x`` was made from in this call (``note_filled``),
        maybe through int arithmetic with ints that kept it whole, and still holds; None for any
        other tensor. (A write its version misses is checked where ``filled_number`` reads it.)"""
        held = self.int_numbers.get(id(x)) if self.int_numbers and isinstance(x, Tensor) else None
        return None if held is None or held[0] is not x or held[1] is None or version_of(x) != held[1] else held[2]

    def floored_count(self, x: Any) -> Any:
        """The one-element tensor ``x`` as the number it holds, where the body clamped from below
        by a literal a tensor made from a Python int of the call (``torch.clamp(torch.as_tensor(n)
        / world_size, min=1)`` used as a tensor, unread): a ``FlooredFloat`` of that int, known on
        the host as a ``.item()`` of it would give it. None for any other tensor."""
        held = self.floored.get(id(x)) if self.floored and isinstance(x, Tensor) else None
        if held is None or held.tensor is not x or held.number is None:
            return None
        value = self.int_number(x)
        if value is None or value != max(held.number, held.floor):
            return None
        out = floored_number(float(value), float(held.number), held.floor, inner=held.factor, lists=self.fixed_lists)
        if self.literal_number(x, "clamp") is not None:
            out.literal = True
        return out

    def floored_raw(self, x: Tensor, func: Any, value: Any) -> float:
        """The value the body clamped into ``x`` (a ``floored`` tensor, read on the host as
        ``value`` by ``func``), known there without a device read (the call's one sync is the
        split's) where neither tensor was written since: ``value`` itself above the floor (the clamp
        kept it: same dtype, no truncation), else the Python int it was made from where its dtype
        holds it exactly. Read from the device otherwise (a count at or below its floor made there)."""
        held = self.floored[id(x)]
        clamped = held.clamped
        if None not in held.versions and (version_of(x), version_of(clamped)) == held.versions:
            if type(value) in (int, float) and value > held.floor and x.dtype == clamped.dtype \
                    and (func is not Tensor.__int__ or not x.dtype.is_floating_point):
                return float(value)
            if held.number is not None and abs(held.number) <= 2**24 and clamped.dtype in _EXACT_DTYPES \
                    and value == max(held.number, held.floor):
                return float(held.number)
        return float(clamped.reshape(()).item())

    def floored_of_rows(self, x: Tensor) -> Tensor | None:
        """The images of the rows a ``RowCount`` counts, where the clamped tensor ``x`` (``floored``)
        was made from the float ``float(bs)`` returned for it and still holds it; None else."""
        held = self.floored_rows.get(id(x)) if self.floored_rows else None
        if held is None or held[0] is not x:
            return None
        return self.row_counts[held[1]]

    def note_floored_rows(self, out: Tensor, src: Tensor) -> None:
        """``out`` clamps ``src``, a one-element float tensor made in this call from the very float
        ``float(bs)`` of a ``RowCount`` and not written since (``torch.tensor(float(bs)).clamp(min=1)``)."""
        held = self.filled_numbers.get(id(src)) if self.count_floats else None
        if held is None or held[0] is not src or held[1] is None or version_of(src) != held[1]:
            return
        count = self.count_floats.get(id(held[2]))
        if count is not None and count[0] is held[2] and src.dtype in (torch.float32, torch.float64):
            self.floored_rows[id(out)] = (out, count[1])

    def note_floored_provenance(self, out: Tensor, src: Tensor) -> None:
        """``out`` clamps ``src``, a one-element tensor made in this call from a Python number: where
        the body made a count a plain number in this call (``float(bs)``), a number that is neither
        that very float, a count's number, a constant the code proves nor an int (read elsewhere), or
        a tensor written since it was made (``n += 1``), has no provenance: it may be computed from
        the count (``float(bs) + 1``), the group's on a group alone (``floored_unproven``)."""
        held = self.filled_numbers.get(id(src)) if self.plain_counts else None
        if held is None or held[0] is not src or id(out) in self.floored_rows:
            return
        written = held[1] is None or version_of(src) != held[1]
        count = self.count_floats.get(id(held[2]))
        if written or not (count is not None and count[0] is held[2] or id(src) in self.literal_filled
                           or id(src) in self.counted_filled or type(held[2]) is int):
            self.floored_unproven[id(out)] = out

    def int_factor(self, x: Any) -> float:
        """``k`` where the one-element tensor ``x`` holds a Python int the code shows to be a number
        times the constant ``k`` of the call (``int_factors``), 1 else."""
        held = self.int_factors.get(id(x)) if self.int_factors and isinstance(x, Tensor) else None
        return held[1] if held is not None and held[0] is x and self.int_number(x) is not None else 1.0

    def counted_tensor(self, x: Any, op: str) -> bool:
        """Whether ``x`` is a tensor made in this call from a number the code computes from how
        many images the call got, still holding it (``torch.tensor([len(t) - 1])``): on a group
        alone, the group's number (rt35)."""
        return self.num_images > 1 and isinstance(x, Tensor) and id(x) in self.counted_filled \
            and self.filled_number(x, op) is not None

    def literal_number(self, x: Any, op: str) -> int | float | None:
        """``filled_number`` of ``x`` where it was made from a literal of the body's code."""
        return self.filled_number(x, op) if id(x) in self.literal_filled else None

    def filled_number(self, x: Any, op: str) -> int | float | None:
        """The Python number the one-element tensor ``x`` was made from in this call and still
        holds (see ``note_filled``); a write its version misses is checked on the device."""
        held = self.filled_numbers.get(id(x)) if self.filled_numbers and isinstance(x, Tensor) else None
        if held is None or held[0] is not x or held[1] is None or version_of(x) != held[1]:
            return None
        self.doubt((x.detach() != held[2]).any(), f"{op} of a tensor made from a number, written outside its version")
        return held[2]

    def zeros_total(self, x: Any, writes: int, value: Tensor | float, op: str) -> bool:
        """Whether ``x`` is a one-element ``torch.zeros`` of this call written ``writes`` times
        since (its version): the start of a running total (``lbox = torch.zeros(1)``), which holds
        ``value`` (a 0-dim tensor or a number) where it was still zero. A write the version misses
        (``x.data.fill_(5)``, through numpy) is checked on the device with the call's one read."""
        held = self.zero_buffers.get(id(x)) if isinstance(x, Tensor) and x.numel() == 1 else None
        if held is None or held[0] is not x or held[1] is None or version_of(x) != held[1] + writes:
            return False
        self.doubt((x.detach() != value).any(), f"{op} of a torch.zeros written outside its version")
        return True

    def note_state_copy(self, out: Tensor) -> None:
        """``out``, one element, is a copy made by the op being followed of module state (a
        metric's state reset from its default, torchmetrics' ``default.detach().clone()``)."""
        self.state_copies[id(out)] = (out, version_of(out))

    def state_copy(self, x: Any) -> bool:
        """Whether ``x`` is a copy of module state made in this call (``note_state_copy``), unwritten since."""
        held = self.state_copies.get(id(x)) if self.state_copies and isinstance(x, Tensor) else None
        return held is not None and held[0] is x and held[1] is not None and version_of(x) == held[1]

    def zero_state(self, x: Any) -> bool:
        """Whether ``x`` is a copy of module state (``state_copy``) in host memory that holds zero:
        a metric's running total reset from its default (``self.losses = self.losses + l.sum()``),
        which a group's run starts from too. (Read here, where reading costs no device sync; a
        total kept across calls, not zero, stays unfollowed.)"""
        return self.state_copy(x) and x.device.type == "cpu" and bool(cpu_values(x.detach().eq(0).all()))

    def weight_is_one(self, images: frozenset[int]) -> bool:
        """Whether the weight object of ``images`` (a float: see ``weight_images``) is 1."""
        return self._weights is not None and all(self._weights[b] == 1 for b in images)

    def host_weight(self, b: int) -> float | None:
        """Image ``b``'s weight as a Python number (tensor weights are read once, when asked)."""
        if self._weights is None:
            return None
        if self._host_weights is None:
            self._host_weights = [float(w) for w in self._weights]
        return self._host_weights[b]

    def sharing(self, t: Tensor, keep: Callable[[Track], bool] | None = None,
                within: bool = False) -> list[tuple[Tensor, Track]]:
        """The tracked tensors other than ``t`` over ``t``'s memory (views of it, what it views,
        ``.data`` / ``.detach()`` aliases), with their tracks; ``keep`` (asked first, it is cheaper
        than reading a storage) filters by track. ``within``: also those whose memory holds
        ``t``'s at an offset (an alias made outside torch's ops, whose storage is its own).
        A list: the caller may set tracks as it goes."""
        storage = t.untyped_storage()
        ptr = storage.data_ptr()
        found = []
        for held, track in list(self.tracks.values()):
            x = held() if type(held) is _Ref else held
            if x is None or x is t or not isinstance(x, Tensor) or (keep is not None and not keep(track)):
                continue
            other = x.untyped_storage()
            start = other.data_ptr()
            if start == ptr or within and start <= ptr < start + other.nbytes():
                found.append((x, track))
        return found

    def get(self, value: Any) -> Track | None:
        entry = self.tracks.get(id(value))
        if entry is None:
            return None
        held = entry[0]
        return entry[1] if held is value or (type(held) is _Ref and held() is value) else None

    def set(self, value: Tensor, track: Track) -> None:
        key = id(value)
        if self.scoping:
            _scoped.mark(self, value, self.scoping)
        if track.ratio is not None or track.parts or track.elements or track.element_formulas \
                or track.formula is not None:  # (``track.reduced`` written out: every track set)
            self.reduced_storages.add(value.untyped_storage().data_ptr())
        base = value._base  # None unless a view
        try:  # ``nbytes``, without a call (every track set)
            size = (value if base is None else base).nbytes
        except Exception:  # noqa: BLE001 - an exotic tensor is simply held, as small ones are
            size = 0
        if size < _ratio.HOLD_WEAKLY_FROM:
            self.tracks[key] = (value, track)
            return
        ref = _Ref(value, self._forget)  # the frame is kept by the ref until close()
        ref.key = key
        self.tracks[key] = (ref, track)

    def lose(self, out: Any, op: str, like: Track | None = None, pred: bool = True) -> None:
        """Mark ``out`` (a tensor, or each tensor of a sequence) as derived from images with
        attribution lost at ``op``: a prediction (``pred``, or as the input track ``like`` is),
        or data whose rows were mixed (a prediction combined with it is lost too)."""
        if like is not None:
            pred = like.from_prediction
        for o in out if isinstance(out, (tuple, list)) else (out,):
            if isinstance(o, Tensor):
                self.set(o, lost_track(op, pred))

    def _forget(self, ref: _Ref) -> None:
        entry = self.tracks.get(ref.key)
        if entry is not None and entry[0] is ref:
            self.tracks.pop(ref.key, None)  # the tensor may die on another thread than the call's

    def close(self) -> None:
        """Drop every track (and with them the weakref callbacks that refer to this frame)."""
        self.tracks.clear()
        self.doubted.clear()
        self.compared.clear()
        self.mask_picks.clear()
        self.reduced_storages.clear()
        self.exposed.clear()
        self.numpy_made.clear()
        self.read_argument_numbers = None
        self._argument_tensors = None
        self.read_argument_tensors = None
        self.read_image_lists = self.item_length = self.image_len = self._index_items = None
        self.image_list_items.clear()
        self.own_len_sites.clear()
        self.paired_lists.clear()
        self.read_body_call = self._body_call = self.op = self.op_caller = self.op_walk = self.op_locals = None
        self.op_tags = None
        self.host_reads.clear()
        self.reaches.clear()
        self.reach_sites.clear()
        self.reaching = False
        self.logged_tensors.clear()
        self.read_image = NO_READ
        self.made_positions.clear()
        self.counted.clear()
        self.stored_sizes.clear()
        self.class_weighted.clear()
        self.factors.clear()
        self.site_numbers.clear()
        self.field_sites.clear()
        self.varied_sites.clear()
        self.loop_sites.clear()
        self.weight_filled.clear()
        self.weight_scaled.clear()
        self.state_copies.clear()
        self.sorted_rows.clear()
        self.sorted_derived.clear()
        self.segment_ids.clear()
        self.filled_numbers.clear()
        self.number_filled.clear()
        self.literal_filled.clear()
        self.made_ids.clear()
        self.counted_filled.clear()
        self.int_numbers.clear()
        self.int_factors.clear()
        self.read_field_floats = self._field_floats = None
        self.positions_written.clear()
        self.row_offsets.clear()
        self.row_counts.clear()
        self.size_sites.clear()
        self.caller_sized.clear()
        self.shapes.clear()
        self.row_constants.clear()
        self.sized_by.clear()
        self.laid_out.clear()
        self.missing_of.clear()
        self.own_positions.clear()
        self.image_chains.clear()
        self.made_stacks.clear()
        self.term_chains.clear()
        self.term_reference = None
        self.own_arms.clear()
        self.chained_sums.clear()
        self.padded.clear()
        self.value_sets.clear()
        self.argument_joins.clear()
        self.image_rows_written.clear()
        self.sized_derived.clear()
        self.untracked_sums.clear()
        self.untracked_row_sums.clear()
        self.untracked_derived.clear()
        self.batch_mixed.clear()
        self.mixed_picks.clear()
        self.tensor_lists.clear()
        self.weight_made.clear()
        self.weight_reads.clear()
        self.mixed_pieces.clear()
        self.untracked_numbers.clear()
        self.image_lists.clear()
        self.positional.clear()
        self.shifted_out = None
        self.owner_masks.clear()
        self.padded_widths.clear()
        self.padded_derived.clear()
        self.padded_positions.clear()
        self.padded_rows.clear()
        self.padded_flats.clear()
        self.flat_offsets.clear()
        self.group_indexed.clear()
        self.fixed_dims.clear()
        self.diagonal_tables.clear()
        self.identity_made.clear()
        self.node_ids.clear()
        self.node_blocks.clear()
        self.node_pending.clear()
        self.counted_widths.clear()
        self.int_fills.clear()
        self.data_fills.clear()
        self.position_columns.clear()
        self.literal_columns.clear()
        self.position_rows.clear()
        self.position_funcs = _POSITION_VALUES
        self.unowned.clear()
        self.outside_read.clear()
        self.truth_read = False
        self.count_dims.clear()
        self.literal_dims.clear()
        self.count_made.clear()
        self.picked_made.clear()
        self.cut_phases.clear()
        self.complex_sums.clear()
        self.number_tests.clear()
        self.lengths.clear()
        self.other_lengths.clear()
        self.latest_lengths.clear()
        self.side_sizes.clear()
        self.images_by_value = False
        self.side_length_sites.clear()
        self.mixed_sizes.clear()
        self.row_blocks.clear()
        self.image_indices.clear()
        self.image_buffers.clear()
        self.counted_buffers.clear()
        self.image_fills.clear()
        self.padded_fills.clear()
        self.row_buffers.clear()
        self.number_rows.clear()
        self.counted_values.clear()
        self.image_size_read = False
        self.image_sizes.clear()
        self.index_sizes.clear()
        self.sized_divisors.clear()
        self.value_counts.clear()
        self.value_runs.clear()
        self.rows_counted.clear()
        self.fixed_lists.clear()
        self.positional_rows.clear()
        self.late_checks.clear()
        self.piece_checks.clear()
        self.piece_means.clear()
        self.joined_rows.clear()
        self.norms.clear()
        self.nan_tests.clear()
        self.one_image_rows.clear()
        self.group_numbers.clear()
        self.group_reads.clear()
        self.escape_unless_lost.clear()
        self.group_sites.clear()
        self.branches.clear()
        self.plain_size_tests = []
        self.bounded_sizes.clear()
        self.arm = None
        self.conditionals.clear()
        self.tests.clear()
        self.iterated_truths.clear()
        self.extremes.clear()
        self.extreme_floats = False
        self.floors.clear()
        self.guards.clear()
        self.skips.clear()
        self.floored_counts.clear()
        self.count_floats.clear()
        self.plain_counts.clear()
        self.group_scalars.clear()
        self.group_index.clear()
        self.floored_rows.clear()
        self.floored_unproven.clear()
        self.over_counts.clear()
        self.view_blocks.clear()
        self.cuts.clear()
        self.image_slices.clear()
        self.paired_rows.clear()
        self.view_block_rows.clear()
        self.view_column_rows.clear()
        self.assigned = self.read_groups = self._groups = self.read_whole = self._whole = None

    def by_position(self, rows: Tensor) -> bool:
        """Whether ``rows`` are those of a piece taken by position (``x.split(2)[1]``,
        ``positional_rows``): on a group alone that piece holds other images."""
        return self.positional_rows.get(id(rows)) is rows

    def side_size(self, track: Track | None, n: Any, dim: Any) -> None:
        """Note ``n``, the size of ``dim`` of a tensor of ``track``, where it equals the number of
        images, or the size of dim 0 (``len(x)``: ``T``, of which a multiple may be one of the images' count),
        while the images lie along another dim only, not dim 0 (``side_sizes``; the sizes of
        a batch-first tensor's other dims are read by the code, ``_bytecode._along_other_dim``)."""
        if (track is not None and track.rows and 0 not in track.rows and dim not in track.rows and type(n) is int
                and self.num_images > 1 and (n == self.num_images or dim == 0 and n > 0)):
            self.side_sizes.add(n)

    def count_of(self, n: int, rows: Tensor) -> RowCount:
        """``n``, the size of a dim whose indices have the images ``rows``, as a ``RowCount``."""
        out = RowCount(n)
        out._frame, out._index = weakref.ref(self), len(self.row_counts)
        self.row_counts.append(rows)
        return out

    def note_size_site(self, out: Any, x: Any = None) -> None:
        """Where the body read ``out``, a size of ``x`` that is or holds ``RowCount`` s (``size_sites``,
        ``caller_sized``)."""
        if type(out) is RowCount:
            dims: tuple[int, ...] = ()
            rows = self.row_count(out)
        elif isinstance(out, torch.Size):
            held = [d for d, n in enumerate(out) if type(n) is RowCount]
            if not held:
                return
            dims = (*held, *(d - len(out) for d in held))
            rows = self.row_count(out[held[0]]) if len(held) == 1 else None
            if len(self.shapes) < _SHAPES_HELD:
                self.shapes.append(out)
        else:
            return
        site = _bytecode.call_site()
        if site is not None:
            self.size_sites[site] = (rows if site not in self.size_sites else None, dims)
            if len(dims) == 2 and isinstance(x, Tensor) and not x.requires_grad and int(out[dims[0]]) > 1:
                n = int(out[dims[0]])  # a width equal to the count or a multiple (``[B, 3B]``, pin39: was read as a
                # constant) may be the caller's per batch; a fixed one (``[B, 80]`` on 16 images) declines with it
                found = [d for d, m in enumerate(out) if d != dims[0] and int(m) == n or count_multiple(int(m), n)]
                if found:
                    self.caller_sized[site] = frozenset({*found, *(d - len(out) for d in found)})

    def shape_read(self, size: Any) -> bool:
        """Whether ``size`` is a ``torch.Size`` holding a ``RowCount`` of this call that is a run of
        dims of one this call read (``x.shape``, ``x.shape[:2]``; the very objects, as slicing
        keeps them): its items are sizes, never negative on a group alone. A size built by hand
        (``torch.Size([bs, len(targets) - 2])``) is not one, unless it holds the read one's objects."""
        if type(size) is not torch.Size or not any(type(n) is RowCount and n._frame() is self for n in size):
            return False
        k = len(size)
        return any(all(a is b for a, b in zip(shape[start:start + k], size))
                   for shape in self.shapes for start in range(len(shape) - k + 1))

    def count_compared(self, n: Any, op: str, other: Any, taken: bool, tested: bool | None = None) -> None:
        """The body compared ``n`` (a ``RowCount`` or a number computed from one) with ``other``
        and got ``taken``: where its code wrote the comparison (not ``max(bs, 1)``, whose value
        is followed as a count; ``tested``: a truth test, ``if pos.numel():``, was written), a
        decision each group alone takes on its own count. A number computed from the count (``bs
        - 1 > 0``) cannot be recomputed per group: declined."""
        if not (_bytecode.compared() if tested is None else tested):
            linear = _linear_form(n)
            choice = _bytecode.builtin_choice()
            plain = type(other) in (int, float)
            value = n._plain()
            if choice == "min" and plain and other <= value:  # ``min(bs, 3)`` gives 3, a group alone maybe fewer
                self.doubt(torch.ones((), dtype=torch.bool), f"a size of image rows capped by the builtin min "
                           f"({value:g} and {other!r}): on a group alone the count may be the smaller")
            if not (linear is not None and plain and (0 < other <= linear[1] and choice == "max" or other > value
                                                      and choice == "min")):
                n._chosen = True  # ``max(2 * bs, 4)``: on a group alone the other may be chosen
            if type(n) is RowCount and plain and other > 0 and choice == "max":
                self.floored_counts[id(n)] = n  # ``max(pos.numel(), 1)``: divided, a group at 0 has no companion
            return
        where = f"a size of image rows compared ({n._plain():g} {_SYMBOLS[op]} {other!r})"
        rows, than = self.row_count(n), self.row_count(other)
        if rows is not None and than is None and type(other) is int:
            than = self.length_compared(other)  # ``n = len(event)``, then ``log_params.shape[0] != n``
        if (rows is None and nonnegative_count(n) and n._frame() is self and type(other) in (int, float)
                and (other < 0 or other == 0 and op in ("lt", "ge")) and _bytecode.compared_with_literal(other)):
            return  # ``prod(shape) == -1``: never negative, on any group alone it is decided as here
        if (rows is not None and than is None and type(other) in (int, float) and other
                and _bytecode.counted_number(zero=False)):  # ``sel.numel() > 4 * len(targets)``: on a group alone
            # another number (review16: was compared with the batch's)
            self.branch(Branch(None, op, 0.0, taken, f"{where}, a number computed from how many images the call got"))
            return
        if rows is not None and (than is not None or type(other) in (int, float, bool)):
            b = Branch(rows, op, than if than is not None else float(other), taken, where)
            self.branch(b)
            self._conditional(b, taken)
        elif rows is not None or self.counted_number(n, by_value=False):  # no group's value known: every one may differ
            self.branch(Branch(None, op, 0.0, taken, f"{where}, a number computed from it in Python"))

    def branch(self, b: Branch) -> None:
        """Note the decision ``b``. A value of one image (a per-image loop's) is checked on that
        image's groups only: on a group without it, the body alone never tests it. That holds where
        the test runs in a loop (or a function called in one); outside any, the image was picked by
        position (``e[0]``, ``targets[-1]``), and on a group alone the body tests another image
        there: ``positional`` (review13: the groups without it took the batch's decision)."""
        r = b.of
        if any(isinstance(v, Ratio) and self.by_position(v.rows) for v in (r, b.than)):
            # ``if (y.chunk(2)[0] > c).sum() > 0:``: on a group alone the piece holds other images (review15)
            self.doubt(torch.ones((), dtype=torch.bool), f"{b.where} of a piece taken by position: on a group "
                       "alone the piece holds other images")
            return
        if isinstance(r, Ratio) and (r.host_image is not None or r.row_dim < 0) and self.num_images > 1:
            if not _bytecode.looped():
                b.positional = True
            elif (effect := _bytecode.outliving_effect(self.loop_counts())) == "":  # a solver's iteration loop
                if not _bytecode.looped(beyond_caller=True):  # around no loop over the images: picked by position
                    b.positional = True
            elif effect is not None:  # review13: a flag set for one image
                # reached every group with the batch's value; a ``break`` or ``return`` skips the next images
                self.doubt(torch.ones((), dtype=torch.bool), f"{b.where} of one image in a loop over the images, "
                           f"with {effect} there that outlives the iteration: on a group alone the other images differ")
                return
        if isinstance(r, Ratio) and r.host_image is not None and not b.positional and r.version is not None \
                and r.values.numel() <= _BLOCK_ELEMENTS and not r.modified():  # (written before the test: unknown)
            # the values one image's test read, as they were: its loop may write them next (FGD's ``if
            # m[i].sum(): m[i] /= m[i].sum()``), which left the group's value unknown (``Ratio.modified``)
            with _HIDDEN():
                values = r.values.detach().clone()
            b.of = r.replace(values=values, version=version_of(values))
        if b.reach is None:
            b.reach = self.reach_now()
        self.branches.append(b)

    def reach_now(self) -> frozenset[str] | None:
        """The returned keys the decision (or the value) the body's code is taking now may change
        (``_reach.reach``); None where not proven."""
        if self.body_code is None:
            return None
        try:
            return _reach.reach(self.body_code)
        except Exception as exc:  # noqa: BLE001 - a bug here must never break training
            self.error, self.error_op = exc, "the keys a branch may change"
            return None

    def noted_test(self, t: Tensor, op: str, ratio: Ratio | Tested, than: float | Tensor, where: str) -> None:
        """The one-element ``t`` is ``op(value of ratio, than)`` (see ``tests``)."""
        self.tests[id(t)] = (t, version_of(t), ratio, op, than, where)

    def branched(self, t: Tensor, track: Track | None, taken: bool, read: str = "Tensor.__bool__") -> bool:
        """``bool(t)`` gave ``taken``: a decision per group where the body's code tests it for
        truth (``if``, ``not``, ``and``) or the builtin ``max`` / ``min`` compares it
        (``max(t.sum(), 1)`` returns the sum or 1: on a group alone it may return the other), and
        ``t`` is a noted test or a reduced value (``if num_pos:``) whose group values the split
        computes. Whether it was. ``read`` other than ``Tensor.__bool__``: the host read of a
        one-element bool tensor whose result the code tests right away (``if mask.any().item():``)."""
        tested = _bytecode.truth_tested() if read == "Tensor.__bool__" else _bytecode.result_truth_tested()
        choice = "" if tested else _bytecode.builtin_choice() if read == "Tensor.__bool__" else None
        if choice is None:
            return False
        test = self.tests.get(id(t))
        if test is not None and test[0] is t and version_of(t) == test[1]:
            _, _, ratio, op, than, where = test
            floor = choice == "max" and op in ("lt", "gt") and isinstance(than, float) and than > 0 and isinstance(ratio, Ratio)
            b = Branch(ratio, op, than, taken, f"{read} of {where}", floor)
            self.branch(b)
            if tested and taken:
                self.guard(b)
            elif tested and read == "Tensor.__bool__":
                self.skip(b)
            if floor:
                assert isinstance(ratio, Ratio)
                before = self.floors.get(id(ratio))
                if before is not None and before[0] is ratio:  # a value floored twice: which floor divides is not told
                    before[1].clamped = None
                elif (op == "lt") != taken and isinstance(than, float):  # ``max(t, c)`` asked ``c > t``, ``max(c, t)``
                    b.clamped = than  # ``t > c``: it returned ``t``
                self.floors[id(ratio)] = (ratio, b)
            elif tested and read == "Tensor.__bool__":
                self._conditional(b, taken)
            return True
        if track is not None and track.lost_at is None and t.numel() == 1 and branch_value(track.ratio):
            assert track.ratio is not None
            b = Branch(track.ratio, "ne", 0.0, taken, f"{read} of a reduced value")
            self.branch(b)
            if tested and read == "Tensor.__bool__":
                self._conditional(b, taken)
            if taken and tested:
                self.guard(b)
            elif tested and read == "Tensor.__bool__":
                self.skip(b)
            return True
        return False

    def _conditional(self, b: Branch, truth: bool = True) -> None:
        """Follow ``E`` where the test ``b`` just noted (found ``truth``) picks it in ``x = E if test
        else c``, or picks the block of an ``if``/``else`` whose other arm stores constants."""
        if self.arm is not None or not self.branches or self.branches[-1] is not b or b.positional:
            return
        if isinstance(b.of, Ratio) and (b.of.host_image is not None or b.of.row_dim < 0):
            return  # one image's value: its groups' decisions only (``_split._turned``), kept apart
        at: _bytecode.Conditional | _bytecode.ConstantArms | None = _bytecode.conditional_constant() if truth else None
        at = at if at is not None else _bytecode.constant_arms(truth)
        if at is not None:
            self.arm = Arm(b, at)

    def guard(self, b: Branch) -> None:
        """The batch entered the block of the ``if`` whose test ``b`` is: where the block only
        computes with torch and stores locals (``_bytecode.guarded_block``), note the values it
        may change (``Guard``); ``check_guards`` compares them at the join."""
        if not self.branches or self.branches[-1] is not b:
            return  # declined at once (``branch``)
        found = _bytecode.guarded_block()
        if found is None:
            return
        f, block = found
        held = f.f_locals
        before = {name: held.get(name, _MISSING_LOCAL) for name in block.live}
        if not all(isinstance(v, Tensor) and self.get(v) is not None for v in before.values()):
            return  # a local read after the join that the block binds first, or a value with no rows known
        tensors = [v for v in held.values() if isinstance(v, Tensor)]
        tensors += [f.f_globals[name] for name in block.values if isinstance(f.f_globals.get(name), Tensor)]
        self.guards.append(Guard(b, f, block.join, before, [(t, version_of(t)) for t in tensors]))

    def skip(self, b: Branch) -> None:
        """The batch did not take ``if test: continue`` whose test ``b`` is: where the rest of the
        iteration only adds terms to accumulators (``_bytecode.skipped_rest``), note its terms'
        row maps as they are met (``Skip``, ``note_term``)."""
        if not self.branches or self.branches[-1] is not b:
            return
        found = _bytecode.skipped_rest()
        if found is None or not found[1].terms:
            return
        self.skips = [s for s in self.skips if s.frame is not found[0]]  # an earlier iteration's: met no more
        self.skips.append(Skip(b, *found))

    def note_term(self, func: Any, args: tuple) -> None:
        """An op of a frame with a ``Skip``: at a term's CALL, ``sum`` or ``Tensor.__len__`` of a value with a row map notes that map; when every term is met, ``Branch.neutral``."""
        f = _bytecode.caller_frame()
        for s in self.skips:
            if s.frame is not f:
                continue
            offset = _bytecode.executing_offset(f)
            if offset not in s.rest.terms or func not in _TERM_OPS or s.spoilt:
                continue
            track = self.get(args[0]) if args and isinstance(args[0], Tensor) else None
            rows = track.rows.get(0) if track is not None and track.lost_at is None else None
            if rows is None or offset in s.met or rows.dim() != 1:
                s.spoilt, s.branch.neutral = True, None
                continue
            s.met[offset] = rows
            if len(s.met) == len(s.rest.terms):
                s.branch.neutral = tuple(s.met[o] for o in s.rest.terms)

    def check_guards(self) -> None:
        """Each noted block whose frame has reached its join (an op of that frame, or of a function
        it called, runs at or past it): ``Guard.compare``. A guard whose frame is gone stays
        unverified (its branch is an ordinary one)."""
        stack: set[int] = set()
        f = _bytecode.caller_frame()
        if f is None:
            return
        while f is not None and len(stack) < 64:
            stack.add(id(f))
            f = f.f_back
        for g in list(self.guards):
            if id(g.frame) not in stack:
                self.guards.remove(g)
            elif g.frame.f_lasti >= g.join:
                self.guards.remove(g)
                if not _bytecode.stores_since(g.frame.f_code, g.join, g.frame.f_lasti):  # the locals as at the join
                    g.branch.unchanged = g.compare(self)

    def counted_number(self, x: Any, by_value: bool = True) -> bool:
        """Whether ``x`` is a number computed in Python from a ``RowCount`` of this call (or, with
        ``by_value``, equals the value of one: ``float(bs)``, ``int(bs - 1)`` leave the subclass;
        not where the code executing the op proves ``x`` a constant: ``0.5 * w``, ``1 - iou``,
        ``T ** 2`` with ``T`` a parameter at its default, ``l * self.weight_dict[k]`` of a dict
        held before the call, whatever count they equal)."""
        if type(x) in (CountedInt, CountedFloat):
            return x._frame() is self
        if not by_value or not self.counted_values:
            return False
        if type(x) in (FlooredFloat, FlooredInt):  # ``torch.tensor(float(bs)).clamp(min=1).item()``: its raw value
            return x.raw in self.counted_values or float(x) in self.counted_values
        if type(x) not in (int, float) or float(x) not in self.counted_values or self.own_oracle():
            return False
        try:
            return not (self.constant_number(x) or _bytecode.configured_item(x, self.fixed_lists))
        except Exception as exc:  # noqa: BLE001 - a bug here must never break training
            self.error, self.error_op = exc, "a number read as a constant"
            return True

    def reciprocal_count(self, x: Any) -> RowCount | None:
        """The ``RowCount`` of this call that ``x`` is one over (``1 / bs``), if it is."""
        if type(x) is CountedFloat and x._over is not None and x._frame() is self:
            return x._over
        return None

    def images_held(self, x: Any) -> Any:
        """The image's index where ``x`` is one image's values, else None (``x`` None: the count
        of the images). For ``_bytecode._image_loops``."""
        if x is None:
            return self.num_images
        track = self.get(x) if isinstance(x, Tensor) else None
        if track is None or track.lost_at is not None or track.rows:
            return None
        return int(track.image) if track.image is not None and track.image.dim() == 0 else None

    def loop_content(self, x: Any) -> bool | frozenset[int] | None:
        """What ``x`` holds, for ``_bytecode._loops_read``: True where it is one image's values (as
        ``images_held``, its index not read: no host read), the dims holding several images' rows
        where it is a tensor holding them; None else."""
        track = self.get(x) if isinstance(x, Tensor) else None
        if track is None or track.lost_at is not None:
            return None
        if track.rows:
            return frozenset(track.rows)
        return True if track.image is not None and track.image.dim() == 0 else None

    def size_number(self, x: Any) -> bool:
        """Whether ``x`` is a ``RowCount`` of this call or a number computed from one."""
        return type(x) in (RowCount, CountedInt, CountedFloat) and x._frame() is self

    def length_compared(self, n: int) -> Tensor | None:
        """The rows of a tensor whose ``len()`` the body read as ``n`` and compares (the code
        proves the operand is that call's result: ``_bytecode.compared_lengths``): on a group alone,
        ``n`` is the group's count of them. None where no such tensor is."""
        held = self.lengths.get(n)
        if not held:
            return None
        for y in _bytecode.compared_lengths():
            track = self.get(y) if isinstance(y, Tensor) else None
            rows = track.rows.get(0) if track is not None and track.lost_at is None else None
            if (rows is not None and y.shape[0] == n and rows.numel() == n and any(r is rows for r in held)
                    and not self.by_position(rows)):
                return rows
        return None

    def row_count(self, x: Any) -> Tensor | None:
        """The rows whose size ``x`` is, if it is a ``RowCount`` read in this call."""
        if type(x) is RowCount and x._frame() is self:
            return self.row_counts[x._index]
        return None

    def counts_images(self, n: Any, device: torch.device) -> bool:
        """Whether the size ``n`` is a count of the images read in the call: ``x.shape[0]`` of a tensor
        with a row per image, or ``len()`` of one (on a group alone, the group's count)."""
        rows = self.row_count(n)
        images = self.arange(device)
        if rows is not None:
            return rows.device == device and self.same_rows(rows, images)
        return type(n) is int and any(r.device == device and self.same_rows(r, images) for r in self.lengths.get(n, ()))

    def arange(self, device: torch.device) -> Tensor:
        rows = self.identity.get(device)
        if rows is None:
            rows = self.identity[device] = torch.arange(self.num_images, device=device)
        return rows

    def image_id(self, image: Tensor | None) -> int | None:
        """The index of ``image`` (a 0-dim image tensor of a track) where the host knows it: an
        ``image_index()`` tensor's, or 0 on a call of one image (whatever tensor holds it)."""
        if image is None:
            return None
        known = self.image_ids.get(id(image))
        return 0 if known is None and self.num_images == 1 else known

    def image_index(self, b: int, device: torch.device) -> Tensor:
        """Image ``b``'s index as a 0-dim tensor (one op per device per call)."""
        per = self.images.get(device)
        if per is None:
            per = self.images[device] = self.arange(device).unbind(0)
            for i, t in enumerate(per):
                self.image_ids[id(t)] = i
        return per[b]

    def positions_moved(self, op: str, size: int) -> None:
        """With sources per token: ``op`` picked or joined entries along a dim of ``size`` that
        does not carry images; if that is T, positions may no longer be tokens."""
        if self.tokens is not None and size == self.tokens and self.moved_positions is None:
            self.moved_positions = op

    def positions_mixed(self, op: str, src: Tensor, track: Track, dims: Any) -> None:
        """With sources per token: ``op`` combined the entries of ``src`` (tracked by ``track``)
        along ``dims`` into values that keep other dims (a partial reduction, a cumulative sum, a
        softmax, a contraction); along a dim of size T that carries no images, one element's value
        then holds other tokens' (other documents' in a packed row)."""
        if self.tokens is None or self.moved_positions is not None:
            return
        for d in dims:
            d = norm_dim(int(d), max(src.dim(), 1))
            if d not in track.rows and src.dim() and src.shape[d] == self.tokens:
                self.moved_positions = op
                return

    def expose(self, t: Tensor, op: str) -> None:
        """``op`` hands ``t``'s memory to code the capture does not see (``l.detach().numpy()``):
        where a reduced value lives there, its values now are compared with those at the end of
        the call (``exposed_checks``), so that a write there (``.numpy().fill(3)``) declines while
        a read for logging does not. So too for the values of the images a loss will be reduced
        from (``e.detach().numpy()[0] = 0``) and a running total's zero start (review adv18: their
        writes there were summed as they are)."""
        self.forget_made(t)
        ptr = t.untyped_storage().data_ptr()
        held = ptr in self.reduced_storages and t.numel() <= 4096 or any(
            z.untyped_storage().data_ptr() == ptr for z, _ in (*self.zero_buffers.values(), *self.slot_buffers.values()))
        if held or self.get(t) is not None and t.numel() <= _EXPOSED_VALUES:  # held weakly: their memory can go
            where = (ptr, t.dtype, t.size(), t.stride(), t.storage_offset())
            self.exposed.append((t if held else weakref.ref(t), where, t.detach().clone(), op))

    def exposed_read(self, args: tuple) -> None:
        """An op read memory ``expose`` handed out: it must hold what it held then, also where it
        is put back before the end of the call (``a[...] = 3; y = l * 2; a[...] = old``)."""
        for x in args:
            if isinstance(x, Tensor):
                ptr = x.untyped_storage().data_ptr()
                for _, (at, dtype, size, stride, offset), before, op in self.exposed:
                    if at == ptr and x.dtype == dtype:
                        now = torch.as_strided(x.detach(), size, stride, offset)
                        self.doubt(_changed(now, before).any(), f"{op} through another tensor over a loss's memory, written since")

    def exposed_checks(self) -> None:
        """The deferred checks of ``expose``: the memory still holds what it held then (NaN as NaN)."""
        for t, _, before, op in self.exposed:
            t = t if isinstance(t, Tensor) else t()
            if t is not None:
                self.doubt(_changed(t.detach(), before).any(), f"{op} through another tensor over a loss's memory, written since")
        self.exposed.clear()

    def doubt(self, flag: Tensor, message: str, scoped: bool = False) -> None:
        """Defer a check: if ``flag`` (a 0-dim bool tensor) is true, the call gets no companions
        and ``message`` is the warning (read with the call's one host read). ``scoped``: a check by
        an op's rule about the values that op writes: only the keys computed from them are declined
        (``scoped`` module); outside a rule, call-wide."""
        self.checks.append((flag, message, self.scope_bit() if scoped else 0))

    def doubt_values(self, flag: Tensor, message: str, values: Any) -> None:
        """``doubt`` scoped to ``values`` (their memory carries the check's bit): a check made beside a
        rule, after the op wrote them."""
        bit = 1 << self.scoped_all.bit_length()
        self.scoped_all |= bit
        self.checks.append((flag, message, bit))
        _scoped.mark(self, values, bit)

    def scope_bit(self) -> int:
        """A new scoped check's bit, carried by what the running rule tracks and its op writes; 0
        (call-wide) outside a rule."""
        if self.op is None:
            return 0
        bit = 1 << self.scoped_all.bit_length()
        self.scoped_all |= bit
        self.scoping |= bit
        return bit

    def picks(self, rows: Tensor, mask: Tensor) -> None:
        """Note that ``rows`` is the dim-0 position of each position ``mask`` picks, in order
        (``mask.nonzero()[:, 0]``): a mask over image rows picking rows that are the images'."""
        self.mask_picks[id(rows)] = (rows, mask, version_of(mask))

    def picked_images(self, rows: Tensor) -> Tensor | None:
        """The mask (unchanged since) whose picks' dim-0 positions ``rows`` is (``picks``), or None."""
        held = self.mask_picks.get(id(rows))
        if held is None or held[0] is not rows or version_of(held[1]) != held[2] or held[2] is None:
            return None
        return held[1]

    def same_rows(self, a: Tensor, b: Tensor) -> bool:
        """``torch.equal(a, b)`` of two row maps (or index tensors) the rules must decide on now: the
        same tensor is equal without a read, and a pair compared before is not read again (each
        read is a device sync). Both are held, which keeps their ids unique; one written in place
        since (an index the body changes) is compared again."""
        if a is b:
            return True
        va, vb = version_of(a), version_of(b)
        if va is None or vb is None:
            return bool(torch.equal(a, b))
        pair = (id(a), va, id(b), vb)
        held = self.compared.get(pair)
        if held is None:
            held = self.compared[pair] = (a, b, bool(torch.equal(a, b)))
        return held[2]

    def agree(self, a: Tensor, b: Tensor, op: str, scoped: bool = False) -> None:
        """Defer the check that two row maps name the same images (no host sync now); ``scoped``:
        the rows an op's rule pairs in the values that op writes (``doubt``)."""
        if a is b or self.same_known(a, b):
            return
        pair = (id(a), id(b))
        held = self.agreed.get(pair)
        if held is None or held[2] and not self._scoped_again(held[2], scoped):
            flag = held[3] if held is not None else torch.ones((), dtype=torch.bool, device=a.device) \
                if a.shape != b.shape else (a != b.to(a.device)).any()
            self.doubt(flag, f"rows of different images were paired at {op}", scoped)
            # holding both keeps their ids unique during the call; the check's bit (0: the call's) and flag
            self.agreed[pair] = (a, b, self.checks[-1][2], flag)

    def _scoped_again(self, bit: int, scoped: bool) -> bool:
        """Whether a pair of row maps checked scoped (``bit``) and met again by a scoped check of the
        running rule is covered by that check (the bit carried by what this op writes too)."""
        if not scoped or self.op is None:
            return False
        self.scoping |= bit
        return True

    def pair(self, a: Tensor, b: Tensor, op: str, scoped: bool = False) -> None:
        """``agree`` for the rows an element-wise op pairs: with one label per image, rows of
        different images may pair where the groups make the same pairs (``paired_rows``)."""
        if self.tokens is not None or a.shape != b.shape or a.dim() != 1:
            self.agree(a, b, op, scoped)
            return
        if self.same_known(a, b):  # the same rows: each pair one image's
            return
        pair = (id(a), id(b))
        held = self.agreed.get(pair)
        if held is not None:
            if held[2] and not self._scoped_again(held[2], scoped):
                self.agree(a, b, op, scoped)
            return
        seen = self.pairs_seen.get(pair)
        if seen is not None and (not seen[2] or self._scoped_again(seen[2], scoped)):
            return
        bit = self.scope_bit() if scoped else 0
        # apart from ``agreed``: a later ``agree`` of the two still checks the images
        self.pairs_seen[pair] = (a, b, bit)
        self.paired_rows.append((a, b.to(a.device), f"rows of different images were paired at {op}", bit))


# -- helpers shared by the rule families ---------------------------------------------------------

_TYPECODES = {torch.long: "q", torch.float64: "d", torch.float32: "f"}
_FLOAT_CODES = {torch.float64: "d", torch.float32: "f"}


def image_counts(frame: Frame, images: Tensor) -> tuple[Tensor, Tensor | None]:
    """How many entries of the 1-d ``images`` name each image of the call, and whether an image
    whose targets have instances has none (None where instances are not known): the checks of
    per-image values picked by position (a list that skips or repeats images)."""
    row, wanted, _ = _counting(frame, images.device)
    counts = (images.reshape(-1, 1) == row).sum(0)
    return counts, None if wanted is None else (counts < wanted).any()  # none where the image has instances


def missing_image(frame: Frame, ids: Collection[int]) -> bool | None:
    """``image_counts``' second answer for images known on the host as ``ids``, read on the host
    (no op): whether an image whose targets have instances is not among them; None where
    instances are not known (the same answers, from the same per-call count of instances)."""
    wanted = _counting(frame, torch.device("cpu"))[2]
    return None if wanted is None else any(w and b not in ids for b, w in enumerate(wanted))


def _counting(frame: Frame, device: torch.device) -> tuple[Tensor, Tensor | None, list[int] | None]:
    """Once per call and device: the images as a row, and 1 where an image has instances (on
    ``device``, and as Python ints; None where instances are not known)."""
    known = frame.counting.get(device)
    if known is None:
        instances = frame.instances()
        wanted = None
        if isinstance(instances, list) and len(instances) == frame.num_images:
            wanted = [1 if c > 0 else 0 for c in instances]
        elif instances is None and frame.picked_by_position:
            # no targets tell which images may be skipped (sources): the body picked an image by position
            # outside any loop, so a per-image value missing an image is taken as picked so (on a group
            # alone ``x[1]`` is another image)
            wanted = [1] * frame.num_images
        if frame.ranked and wanted is not None:  # (``_ranked``) every image the key read, with instances or not
            wanted = [1 if b in frame.ranked else w for b, w in enumerate(wanted)]
        elif frame.ranked:
            wanted = [1 if b in frame.ranked else 0 for b in range(frame.num_images)]
        known = frame.counting[device] = (frame.arange(device).reshape(1, -1),
                                          None if wanted is None else host_tensor(wanted, torch.long, device), wanted)
    return known


def cpu_values(t: Tensor) -> Any:
    """``t.tolist()`` of a tensor in host memory (a scalar for a 0-dim one): no device sync, which
    ``benchmarks/library_syncs.py`` counts for no read of a ``cpu_`` function. Refuses any other device."""
    if t.device.type != "cpu":
        raise ValueError(f"cpu_values of a tensor on {t.device}")
    return t.tolist()


def cpu_item(t: Tensor) -> Any:
    """``t.item()`` of a one-element tensor in host memory (``cpu_values``)."""
    if t.device.type != "cpu":
        raise ValueError(f"cpu_item of a tensor on {t.device}")
    return t.item()


def host_tensor(values: Sequence[float], dtype: torch.dtype, device: torch.device | None = None) -> Tensor:
    """A 1-d tensor of Python numbers (long, float64 or float32), through a typed buffer:
    ``torch.tensor`` of a list costs about 0.2 us per element, this a few us in all. On the CPU,
    or copied to ``device`` without waiting (see ``to_device``)."""
    if not values:
        out = torch.empty(0, dtype=dtype)
    elif (code := _TYPECODES[dtype]) == "f":  # struct refuses a float beyond float32's range, which array rounds to inf
        out = torch.frombuffer(array.array(code, values), dtype=dtype)
    else:  # struct converts each number directly, array.array through an argument parser (~3x the time)
        buffer = bytearray(8 * len(values))
        struct.pack_into(f"{len(values)}{code}", buffer, 0, *values)
        out = torch.frombuffer(buffer, dtype=dtype)
    return out if device is None else to_device(out, device)


def to_device(t: Tensor, device: torch.device | Tensor) -> Tensor:
    """``t`` on ``device`` (or ``device``'s device and dtype, given a tensor). A CPU tensor goes to an
    accelerator without a host sync: from pageable memory the copy is staged at once, so the
    source may go, and the host need not wait (a blocking copy is a sync per call on CUDA)."""
    if not t.is_cpu:  # (``t.device.type != "cpu"`` without making a device object)
        return t.to(device)
    if isinstance(device, Tensor):
        return t.to(device.device, device.dtype, non_blocking=True)
    return t.to(device, non_blocking=True)



def tensors(obj: Any) -> list[Tensor]:
    if isinstance(obj, Tensor):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [t for t in obj if isinstance(t, Tensor)]
    return []


_NAMES: dict[Any, str] = {}


def late_module(name: str) -> types.ModuleType:
    """The module ``losssplit._capture.<name>``, one that imports this module (so it is not imported
    at the top). A relative import statement in a function resolves its name through Python code
    (``ModuleSpec.parent``) each time it runs, some microseconds: rules asked on every op read the
    module from ``sys.modules`` instead, imported there once."""
    module = sys.modules.get(f"{__package__}.{name}")
    return module if module is not None else importlib.import_module(f".{name}", __package__)


def op_name(func: Any) -> str:
    try:
        return _NAMES[func]
    except (KeyError, TypeError):
        pass
    name = _describe(func)
    if _lasting(func):
        try:
            _NAMES[func] = name
        except TypeError:
            pass
    return name


def _lasting(func: Any) -> bool:
    """Whether a table keyed by functions may keep ``func``: not one defined in a function, nor one bound
    to an object (``handle_torch_function(self.f, ...)``): either may be made per call and hold the
    call's tensors. A C type's attribute getter or setter (``Tensor.shape.__get__``) is kept: bound to a
    descriptor of a type, equal only to one bound to that same descriptor."""
    return "<locals>" not in getattr(func, "__qualname__", "<locals>") \
        and isinstance(getattr(func, "__self__", None), _LASTING_OWNERS)


_LASTING_OWNERS = (type, types.ModuleType, type(None), types.GetSetDescriptorType, types.MemberDescriptorType)


def _describe(func: Any) -> str:
    name = getattr(func, "__name__", None) or repr(func)
    if name == "__get__":
        name = repr(func)
    owner = getattr(func, "__module__", None)
    if owner and owner.startswith("torch.nn.functional"):
        return f"F.{name}"
    if owner is None or "Tensor" in repr(func):
        return f"Tensor.{name}"
    return f"torch.{name}"


def norm_dim(d: int, ndim: int) -> int:
    return d + ndim if d < 0 else d


def dims_arg(dims: Any, ndim: int) -> list[int] | None:
    if dims is None:
        return None
    if isinstance(dims, int):
        dims = [dims]
    return sorted({norm_dim(int(d), max(ndim, 1)) for d in dims})


def get_arg(args: Sequence[Any], kwargs: dict[str, Any], pos: int, name: str, default: Any) -> Any:
    if len(args) > pos:
        return args[pos]
    return kwargs.get(name, default)


def unweighted_of(t: Tensor, track: Track | None) -> Tensor:
    """The unweighted values of ``t`` (detached)."""
    if track is not None and track.unweighted is not None:
        return track.unweighted
    return t.detach()


def is_prediction(t: Any, track: Track | None) -> bool:
    if track is not None:
        return track.from_prediction
    return isinstance(t, Tensor) and t.requires_grad


def item_rows(frame: Frame, rows: Tensor) -> int:
    """``k`` where the row map ``rows`` is that of items each viewed as ``k`` consecutive rows
    (``2 <= k <= 8``: ``[M, 4 * n] -> [4 * M, n]``, DEIMv2's ``loss_fgl`` over the corners of its
    union of matches; ``expand_rows``), else 0."""
    held = frame.origin.get(id(rows)) if frame.origin else None
    if held is None or held[2] != 0 or len(held[1]) != 2 or not 2 <= held[1][1] <= 8:
        return 0
    return held[1][1]


def expand_rows(frame: Frame, rows: Tensor, sizes: Sequence[int], pos: int) -> Tensor:
    """Rows of the dim made by flattening ``sizes`` where only ``sizes[pos]`` carries images."""
    key = (id(rows), tuple(sizes), pos)
    hit = frame.expanded.get(key)
    if hit is not None:
        return hit[0]
    shape = [1] * len(sizes)
    shape[pos] = rows.shape[0]
    out = rows.view(shape).expand(*sizes).reshape(-1)
    frame.expanded[key] = (out, rows)  # holding ``rows`` keeps its id (part of the key) unique
    frame.origin[id(out)] = (rows, tuple(sizes), pos)
    return out


def merge_rows(frame: Frame, out_rows: Rows, dim: int, rows: Tensor, op: str) -> None:
    have = out_rows.get(dim)
    if have is None:
        out_rows[dim] = rows
    else:
        frame.agree(have, rows, op, scoped=True)


def combine(
    frame: Frame,
    op: str,
    parts: Sequence[tuple[Track | None, dict[int, int | None]]],
    out_shape: Sequence[int],
) -> Track | None:
    """Merge the tracks of inputs into the output's, mapping each input dim to an output dim."""
    rows: Rows = {}
    img: Tensor | None = None
    pred = False
    any_track = False
    for track, dim_map in parts:
        if track is None:
            continue
        any_track = True
        pred = pred or track.from_prediction
        if track.lost_at is not None:
            return lost_track(track.lost_at, pred or any(t is not None and t.from_prediction for t, _ in parts))
        if track.ratio is not None:
            return lost_track(op, track.from_prediction)
        for d, r in track.rows.items():
            e = dim_map.get(d)
            if e is None:
                if r.shape[0] == 1:  # a single row (M == 1) reduced away: its image remains
                    img = merge_image(frame, img, r.reshape(()), op)
                    continue
                return lost_track(op, track.from_prediction)
            if r.shape[0] != out_shape[e]:
                r = r.expand(out_shape[e])
            merge_rows(frame, rows, e, r, op)
        if track.image is not None:
            img = merge_image(frame, img, track.image, op)
    return merged(frame, op, rows, img, pred) if any_track else None


def broadcast_tracks(
    frame: Frame, op: str, operands: Sequence[tuple[Any, Track | None]], out: Tensor
) -> Track | None:
    """``combine`` for broadcasting element-wise ops (the hot path): dims align from the right."""
    rows: Rows = {}
    img: Tensor | None = None
    pred = False
    any_track = False
    ndim = out.dim()
    shape = out.shape
    for x, track in operands:
        if track is None or not isinstance(x, Tensor):
            continue
        any_track = True
        if track.lost_at is not None:
            return lost_track(track.lost_at, any(t is not None and t.from_prediction for _, t in operands))
        pred = pred or track.from_prediction
        shift = ndim - x.dim()
        for d, r in track.rows.items():
            e = d + shift
            n = shape[e]
            if r.shape[0] != n:
                r = r.expand(n)
            have = rows.get(e)
            if have is None:
                rows[e] = r
            elif have is not r:
                frame.pair(have, r, op, scoped=True)
        if track.image is not None:
            img = merge_image(frame, img, track.image, op)
    return merged(frame, op, rows, img, pred) if any_track else None


def merged(frame: Frame, op: str, rows: Rows, img: Tensor | None, pred: bool) -> Track:
    """The merged track; a whole-image input next to row-tracked ones must name the same image. Its
    rows are then that image's (else the call is declined): known on the host where the image is."""
    if img is not None and rows:
        host = frame.image_ids.get(id(img))
        for r in rows.values():
            frame.agree(r, img.expand_as(r), op)
            if host is not None and frame.rows_image(r) is None:
                frame.one_image_rows[id(r)] = (r, host)
        img = None
    return Track(rows, img, None, pred)


def merge_image(frame: Frame, have: Tensor | None, img: Tensor, op: str) -> Tensor:
    if have is None:
        return img
    frame.agree(have.reshape(1), img.reshape(1), op)
    return have


def broadcast_map(ndim_in: int, ndim_out: int) -> dict[int, int | None]:
    shift = ndim_out - ndim_in
    return {d: d + shift for d in range(ndim_in)}


def identity_map(ndim: int) -> dict[int, int | None]:
    return dict(zip(range(ndim), range(ndim)))


def note_factor(frame: Frame, weight: Tensor, unweighted: Tensor | None, out_rows: Rows, out_ndim: int) -> None:
    """Remember an untracked per-row factor: it gets the rows it multiplied (and its values with
    the weight set to 1, where it is the weight), so that ``w.sum()`` is a normaliser over the
    same rows. A factor written as a view of a vector (``w[:, None]``) is remembered as ``w`` too."""
    shift = out_ndim - weight.dim()
    rows = {
        d - shift: r for d, r in out_rows.items() if d >= shift and weight.shape[d - shift] == r.shape[0]
    }
    if len(rows) != 1:
        return
    ((d, r),) = rows.items()
    frame.set(weight, Track(rows={d: r}, unweighted=unweighted))
    # The vector it views (inference tensors keep no ``_base``: found by its elements then).
    frame.factors[(weight.data_ptr(), weight.numel())] = (weight, r, unweighted)
    base = weight._base
    if base is not None and base.numel() == weight.numel() and frame.get(base) is None:
        base_unweighted = None if unweighted is None else unweighted.reshape(base.shape)
        frame.set(base, Track(rows={only_wide_dim(base): r}, unweighted=base_unweighted))


def unweighted_operand(
    frame: Frame,
    x: Any,
    track: Track | None,
    rows: Rows,
    shape: Sequence[int],
    op: str,
    factor: bool,
    image: Tensor | None = None,
) -> Any:
    """``x`` as it is with the weight field set to 1: its unweighted values when tracked; for an
    untracked per-row factor (built from Python numbers, so without identity), 1 where it equals
    its image's weight, with a deferred check that it is the weight everywhere or nowhere; 1 for
    a tensor filled with the weight object of ``image`` (the one image the result belongs to).
    ``factor``: ``x`` multiplies (or divides) the values of a tensor with row maps ``rows`` and
    shape ``shape``."""
    if not isinstance(x, Tensor):
        return x
    if track is not None:
        return track.unweighted if track.unweighted is not None else x
    if factor and rows and type(x) is Tensor and x.dim() == 1:
        _outside_vector(frame, x, op)
    if factor and frame.positional:
        positional_operand(frame, x, rows, shape, op)
    if not factor and frame.weight_made:  # ``e ** w``, ``e - w.log()``: the weights' function on weights 1
        held = frame.weight_made.get(id(x))
        if held is not None and held[0] is x and held[1] is not None:
            return held[1]
        if held is not None and held[0] is x and not all(w == 1 for w in frame.weight_numbers() or (0,)):
            frame.doubt(torch.ones((), dtype=torch.bool), f"a value at {op} is computed from a tensor of the images' "
                        f"{frame.weight_field!r} by an op that may mix the images (on a group alone, from 1)")
    filled = frame.weight_filled.get(id(x)) if factor else None
    if filled is not None and filled[0] is x:
        ones = filled[2] if filled[2] is not None else torch.ones_like(x)
        if image is not None:
            return weight_of_image(frame, x, image, filled[1], ones)
        if rows:  # one image's weight on the values of every image (``l * full_like(l, t[0]["w"])``)
            frame.doubt((x != ones).any(), OTHER_IMAGE_WEIGHT)
            return x
    if not factor or x.requires_grad:
        return x
    if image is not None and not rows:  # one image's values: in a per-image loop, or a batch of one
        return unweighted_on_image(frame, x, image, op)
    if x.dim() == 0 or not rows:
        return x
    if not per_row(x, rows, shape):
        held = frame.weight_made.get(id(x)) if frame.weight_made else None
        if held is not None and held[0] is x and held[1] is not None:
            return held[1]  # the weights laid over the elements (``w[:, None, None].expand_as(e)``): on weights 1
        _spread_weight(frame, x, rows, shape, op)
        return x
    shift = len(shape) - x.dim()
    wide = [d for d, n in enumerate(x.shape) if n != 1] or [d - shift for d in rows if d >= shift][:1]
    if len(wide) != 1 or wide[0] + shift not in rows:
        return x
    return unweighted_along(frame, x, wide[0], rows, shape, op)


def _spread_weight(frame: Frame, x: Tensor, rows: Rows, shape: Sequence[int], op: str) -> None:
    """An untracked factor (no grad) that varies along one dim of image rows and along others:
    data, kept as it is (a focal ``alpha_t``). Where every element holds its image's weight and some
    weight is not 1, ``torch.tensor([t["loss_weight"] for t in targets])[:, None].expand_as(l)``,
    ``.repeat``, it is the weights spread over the elements, which as data was kept in the
    companions (red team, session 18): the call declines. (The weights at some elements beside
    other values stay a known limit, README: a check there declined focal ``alpha_t`` factors.)"""
    shift = len(shape) - x.dim()
    dims = [d for d in range(x.dim()) if d + shift in rows and x.shape[d] == shape[d + shift] and x.shape[d] != 1]
    numbers = frame.weight_numbers()
    if len(dims) != 1 or not x.numel() or numbers is not None and all(w == 1 for w in numbers):
        return
    weights = frame.weights_on(x.device, x.dtype if x.is_floating_point() else torch.float64)
    if weights is None:
        return
    (d,) = dims
    of_rows = weights.take(rows[d + shift])
    along = [1] * x.dim()
    along[d] = x.shape[d]
    values = x if x.is_floating_point() else x.double()
    frame.doubt((values == of_rows.view(along)).all() & (of_rows != 1).any(), f"a factor at {op} holds each "
                "image's weight on every element (the weights spread over the elements, or data: cannot be told apart)")


def _filled_data(frame: Frame, x: Tensor, w: Tensor, op: str) -> Tensor:
    """``x``, a tensor filled with a Python number of no weight object, as data on one image of
    weight ``w``; declined where the body computed that number from the weight field and the weight
    is not 1 (``torch.full((n,), w / n)``, ``torch.tensor(w * 0.5)`` of ``w = t["loss_weight"] *
    1.0``: on the image's group alone it is computed from 1; was kept in the companion)."""
    numbers = frame.weight_numbers()
    if (numbers is None or any(v != 1 for v in numbers)) and _weight_derived(frame, x):
        frame.doubt(w != 1, f"a factor at {op} of one image's values is filled with a number computed from its "
                    f"{frame.weight_field!r} (on its group alone computed from 1)")
    return x


def unweighted_on_image(frame: Frame, x: Tensor, image: Tensor, op: str) -> Tensor:
    """An untracked factor ``x`` (no grad, without identity: ``w[b]`` of a vector of the images'
    weights, ``torch.tensor([t["loss_weight"]])`` on a batch of one) on the values of the one image
    ``image``: 1 where every element is that image's weight, as a per-row factor is (see
    ``unweighted_along``); declined where some elements are and others not (unless the weight is
    0, the value of masks). A tensor made from a Python number other than a weight object
    (``torch.tensor(0.5)``) is left to the number's rules."""
    weights = frame.weights_on(x.device, x.dtype) if x.is_floating_point() and x.numel() else None
    filled = frame.filled_numbers.get(id(x)) if frame.filled_numbers else None
    if weights is None:
        return x
    if filled is not None and filled[0] is x and not frame.weight_images(filled[2]):
        return _filled_data(frame, x, weights.take(image.reshape(1).to(x.device)).reshape(()), op)
    if _bytecode.module_constant_operand():  # ``/ PRIORS[:, 2:]``: held before the call, no weight
        return x
    w = weights.take(image.reshape(1).to(x.device)).reshape(())
    data = frame.number_filled.get(id(x)) if frame.number_filled else None
    if data is not None and data[0] is x and data[1] is not None and version_of(x) == data[1]:
        if data[2]:  # ``full((n,), 1.0 / n)`` (POT's marginals): of the tensor's own size, data
            return x
        # ``full((n,), t["w"] * 1.0)``: a float of no weight object, data or a weight computed in Python;
        # equal to the image's weight, they cannot be told apart
        frame.doubt((x == w).all() & (w != 1), f"a factor at {op} filled with a number equal to the image's weight "
                    "(weight or data cannot be told apart)")
        return _filled_data(frame, x, w, op)
    equal = x == w
    every, some = torch.aminmax(equal.reshape(-1))
    frame.doubt(
        (some > every) & (w != 1) & (w != 0),
        f"a factor at {op} of one image's values equals that image's weight at some positions and not at others "
        "(weight or data cannot be told apart)",
    )
    unit = torch.where(every, torch.ones_like(x), x)
    b = frame.image_ids.get(id(image), 0 if frame.num_images == 1 else None)
    if filled is not None and filled[0] is x and b in frame.weight_images(filled[2]):
        frame.set(x, Track(image=image, unweighted=unit))  # made from its weight object: ``w.sum()`` normalises
    return unit


def unweighted_along(frame: Frame, x: Tensor, d: int, rows: Rows, shape: Sequence[int], op: str) -> Tensor:
    """An untracked factor ``x`` (no grad) of values with row maps ``rows`` and shape ``shape``
    (``x`` broadcast to it from the right), whose dim ``d`` runs along those rows: 1 where it equals
    its image's weight, with deferred checks that it is the weight everywhere or nowhere in each
    image and no statistic of the weights (see ``unweighted_operand``)."""
    shift = len(shape) - x.dim()
    weights = frame.weights_on(x.device, x.dtype)
    if weights is None:
        note_factor(frame, x, None, rows, len(shape))
        return x
    of_rows = weights.take(rows[d + shift])  # a row map is 1-d: ``weights[rows]``, fewer steps
    if x.dim() > 1:
        shape_1 = [1] * x.dim()
        shape_1[d] = x.shape[d]
        of_rows = of_rows.view(shape_1)
    equal = x == of_rows  # ``x`` requires no grad (see above): no detach needed
    shadow = x.masked_fill(equal, 1)
    if x.numel() == 0:  # no rows (a batch without matches): nothing to scale, nothing to check
        note_factor(frame, x, shadow, rows, len(shape))
        return shadow
    # Both checks below read whether every row / some row equals its weight; weights known as
    # Python numbers (no read) tell when a check cannot fire: all 1 (neither), all equal (no
    # scaling to detect), none 1 (every equal row is one of a weight != 1).
    numbers = frame.weight_numbers()
    if numbers is not None and all(w == 1 for w in numbers):
        note_factor(frame, x, shadow, rows, len(shape))
        return shadow
    every, some = torch.aminmax(equal)  # (``every`` is ``equal.all()``, ``~every`` its ``(~equal).any()``)
    # some row equal (to a weight != 1) and not every row: ``a > b`` of bools is ``a & ~b``
    if numbers is not None and x.dtype in _FLOAT_CODES and all(w != 1 for w in array.array(_FLOAT_CODES[x.dtype], numbers)):
        some_not_one = some  # none 1 once rounded to ``x``'s dtype (``of_rows`` is)
    else:
        some_not_one = (equal & (of_rows != 1)).any()
    frame.doubt(
        some_not_one > every,
        f"a per-row factor at {op} equals its image's weight on some rows and not on others "
        "(weight or data cannot be told apart)",
    )
    held = frame.weight_made.get(id(x)) if numbers is not None and frame.weight_made and x.is_floating_point() else None
    if held is not None and held[0] is x and held[1] is not None:  # ``w[idx] * w``, ``w.sqrt()``: its values on
        note_factor(frame, x, held[1], rows, len(shape))  # weights 1 (``_made_of_weights``)
        return held[1]
    unequal_doubted = True
    if numbers is not None and _weight_derived(frame, x):
        frame.doubt(~every, f"a per-row factor at {op} is computed from the images' {frame.weight_field!r} "
                    "but is not the weights (``w ** 2``, ``w >= 0.9``): on a group alone it is computed from 1")
    elif held is not None and held[0] is x:
        frame.doubt(~every, f"a per-row factor at {op} is computed by torch ops from a tensor of the images' "
                    f"{frame.weight_field!r} but is not the weights (``w / w.sum()``, ``w.softmax(0)``): on a group "
                    "alone it is computed from 1")
    else:
        unequal_doubted = False
    # The check below fires only where no row equals its weight (``> some``), where the doubt just made on
    # ``~equal`` fires too, earlier in the call's checks (the one warned): it could not change the outcome
    if unequal_doubted or numbers is not None and all(w == numbers[0] for w in numbers):
        note_factor(frame, x, shadow, rows, len(shape))
        return shadow
    # ``w / w.sum()``, ``w / w.mean()``: the weights scaled by a statistic of the batch's weights,
    # which on a group alone (weights 1) is another number
    ws = of_rows if x.dim() == 1 else of_rows.expand_as(x).reshape(-1)
    xs = x if x.dim() == 1 else x.reshape(-1)
    if not xs.is_floating_point():  # integer or bool factors
        xs, ws = xs.double(), ws.double()
    w_high, k = ws.max(0)  # against the largest weight's row (its first, as ``argmax``)
    scaled = xs * w_high
    inf = float("inf")
    spread = torch.linalg.vector_norm(scaled - ws * xs.take(k), inf)  # max |.|, exact
    frame.doubt(
        (spread <= 1e-5 * torch.linalg.vector_norm(scaled, inf)) & ((w_high != ws.amin()) > some),
        f"a per-row factor at {op} is proportional to the images' weights (the weights scaled by a "
        "number; on a group alone, weights 1, that number differs)",
    )
    note_factor(frame, x, shadow, rows, len(shape))
    return shadow


# ops whose values on a tensor of ones are those with every weight 1, whatever the images: element by
# element, or a layout of the elements, other images' included (ones everywhere: no reduction, scan or
# normalisation over the images)
_SHADOWED = frozenset({
    Tensor.flip, torch.flip, Tensor.roll, torch.roll, Tensor.permute, torch.permute, Tensor.transpose, torch.transpose,
    Tensor.t, Tensor.repeat, Tensor.gather, torch.gather, Tensor.abs, torch.abs, Tensor.__abs__,
    Tensor.__getitem__, Tensor.index_select, torch.index_select, Tensor.expand, Tensor.expand_as, Tensor.view,
    Tensor.reshape, torch.reshape, Tensor.unsqueeze, torch.unsqueeze, Tensor.squeeze, torch.squeeze, Tensor.float,
    Tensor.double, Tensor.to, Tensor.clone, torch.clone, Tensor.detach, Tensor.contiguous,
    Tensor.__mul__, Tensor.__rmul__, Tensor.mul, torch.mul, Tensor.__add__, Tensor.__radd__, Tensor.add, torch.add,
    Tensor.__sub__, Tensor.__rsub__, Tensor.sub, torch.sub, Tensor.__truediv__, Tensor.__rtruediv__, Tensor.div,
    torch.div, Tensor.__pow__, Tensor.__rpow__, Tensor.pow, torch.pow, Tensor.__neg__, Tensor.neg, torch.neg,
    Tensor.sqrt, torch.sqrt, Tensor.exp, torch.exp, Tensor.log, torch.log, Tensor.clamp, torch.clamp,
    Tensor.__lt__, Tensor.__le__, Tensor.__gt__, Tensor.__ge__, Tensor.__eq__, Tensor.__ne__, Tensor.lt, Tensor.le,
    Tensor.gt, Tensor.ge, torch.lt, torch.le, torch.gt, torch.ge, torch.ones_like, torch.zeros_like, torch.full_like,
})


def _made_of_weights(frame: Frame, func: Any, args: tuple, kwargs: dict | None, out: Any) -> None:
    """Note ``out``, made by an op of no images' rows from a tensor of the images' weights
    (``Frame.weight_made``), with its values on weights 1: the op replayed on the ones where it
    is one of ``_SHADOWED``, else None (``w.sum()``: on a group alone, another count)."""
    name = op_name(func)
    if args and type(args[0]) is Tensor and (func is Tensor.__setitem__ or name.endswith("_") and not name.endswith("__")):
        held = frame.weight_made.get(id(args[0]))
        if held is not None and held[0] is args[0]:  # written in place: its values on weights 1 not followed
            frame.weight_made[id(args[0])] = (args[0], None)
        return
    if type(out) in (tuple, list) and func in _PIECES:  # ``any(w < 0.9)``, ``max(w)``: Python iterates its ``unbind``
        held = frame.weight_made.get(id(args[0])) if type(args[0]) is Tensor else None
        pieces = func(held[1], *args[1:], **(kwargs or {})) if held is not None and held[1] is not None else None
        for k, o in enumerate(out):
            if type(o) is Tensor and frame.get(o) is None:
                frame.weight_made[id(o)] = (o, pieces[k] if pieces is not None and pieces[k].shape == o.shape else None)
        return
    if isinstance(out, tuple) and type(out) is not tuple:  # ``w.sort().values``, ``w.max(0).values`` (a
        # structseq; wmix: kept as data, another image's weight on each row): its values replayed on weights 1
        shadows = _shadows(frame, args)
        replay = func(*shadows, **(kwargs or {})) if all(v is not None for v in shadows) else None
        for k, o in enumerate(out):
            if type(o) is Tensor and o.is_floating_point() and frame.get(o) is None and id(o) not in frame.weight_made:
                v = replay[k] if isinstance(replay, tuple) and len(replay) == len(out) else None
                frame.weight_made[id(o)] = (o, v if type(v) is Tensor and v.shape == o.shape else None)
        return
    if func in _TRUTHS and type(out) is bool:  # ``torch.equal(w, torch.ones_like(w))``: on weights 1, on every group
        shadows = _shadows(frame, args)
        same = all(v is not None for v in shadows) and bool(func(*shadows, **(kwargs or {}))) == out
        frame.doubt(torch.tensor(not same), f"{op_name(func)} of values computed from the images' "
                    f"{frame.weight_field!r}: on a group alone every weight is 1 and the body may decide otherwise")
        return
    if type(out) is not Tensor or frame.get(out) is not None:
        return
    inplace = args and out is args[0]
    if id(out) in frame.weight_made and not inplace:
        return
    shadows = _shadows(frame, args)
    known = (func in _SHADOWED or func in _UNIFORM_REDUCTIONS and _uniform(shadows[0])) \
        and not (kwargs and "out" in kwargs) and all(v is not None for v in shadows)
    shadow = func(*shadows, **(kwargs or {})) if known else None
    frame.weight_made[id(out)] = (out, shadow if type(shadow) is Tensor and shadow.shape == out.shape else None)


def _shadows(frame: Frame, args: tuple) -> list[Any]:
    """The op's arguments with the weight field set to 1, where known (None: not known)."""
    shadows = []
    for a in args:
        held = frame.weight_made.get(id(a)) if type(a) is Tensor else None
        filled = frame.weight_filled.get(id(a)) if type(a) is Tensor and held is None else None
        if held is not None and held[0] is a:
            shadows.append(held[1])
        elif filled is not None and filled[0] is a and frame.get(a) is None:  # ``torch.exp(torch.tensor(t[0]["w"]))``
            shadows.append(filled[2] if filled[2] is not None else torch.ones_like(a))
        elif isinstance(a, Tensor) and frame.get(a) is not None:
            shadows.append(unweighted_of(a, frame.get(a)))  # (``w[:, None].expand_as(e)``: ``e``'s shape)
        else:
            shadows.append(a)
    return shadows


# reductions whose value on values all equal is that value, whatever the number of images: replayed on
# a tensor of the weights whose values on weights 1 are all equal (``w.min()``, ``(w < 0.9).any()``)
_UNIFORM_REDUCTIONS = frozenset({
    Tensor.min, torch.min, Tensor.max, torch.max, Tensor.amin, torch.amin, Tensor.amax, torch.amax, Tensor.any,
    torch.any, Tensor.all, torch.all, Tensor.mean, torch.mean, Tensor.median, torch.median,
})


def _uniform(x: Any) -> bool:
    """Whether ``x`` is a tensor of one or more elements all equal (read on the host)."""
    return type(x) is Tensor and x.numel() > 0 and bool((x == x.reshape(-1)[0]).all())


def weights_read(frame: Frame, func: Any, x: Tensor, out: Any) -> None:
    """A host read of ``x``, a tensor without images computed from a tensor of the images'
    weights (``Frame.weight_made``): ``if (w < 0.9).any():``, ``w.min().item()``; or (``func`` the
    op's name) a reduced loss scaled by it (``e.mean() * w.max()``). On a group
    alone every weight is 1: the number read is its value on weights 1 where that is known and
    the same for every group (element-wise ops, a reduction of equal values); the call declines
    where it differs from the batch's number, or is not known (``w.sum()``: the group's count)."""
    held = frame.weight_made.get(id(x))
    if held is None or held[0] is not x or type(func) is not str and func not in _TRUTH_READS and func is not Tensor.__bool__:
        return  # (a size read: ``len(w)``)
    op = func if type(func) is str else op_name(func)
    why = (f"{op} of values computed from the images' {frame.weight_field!r}: on a group alone every weight is 1 and "
           "the body may read another value (decide otherwise)")
    if held[1] is None:
        frame.doubt(torch.ones((), dtype=torch.bool), why)
    elif func is Tensor.__bool__:
        frame.doubt(torch.tensor(bool(held[1]) != out), why)
    else:
        frame.doubt((held[1] != x).any(), why)


def _filled_through(frame: Frame, func: Any, args: tuple, kwargs: dict | None, out: Tensor) -> None:
    """Note ``out``, made by one of ``_SHADOWED`` of no images' values from tensors filled with
    images' weight objects (``torch.exp(torch.tensor(t[0]["loss_weight"]))``, ``... * 2``), in
    ``Frame.weight_filled`` with its values on weights 1: the op replayed on theirs (rt28 and
    s24gap: a host read or a factor of it was kept as a constant)."""
    held = frame.weight_filled.get(id(out))
    if frame.get(out) is not None or held is not None and held[0] is out or kwargs and "out" in kwargs:
        return
    images: frozenset[int] = frozenset()
    values = []
    for a in args:
        filled = frame.weight_filled.get(id(a)) if type(a) is Tensor else None
        if filled is not None and filled[0] is a:
            images |= filled[1]
            values.append(filled[2] if filled[2] is not None else torch.ones_like(a))
        elif isinstance(a, Tensor) and (frame.get(a) is not None or a.requires_grad):
            return
        else:
            values.append(a)
    shadow = func(*values, **(kwargs or {}))
    if type(shadow) is Tensor and shadow.shape == out.shape:
        frame.weight_filled[id(out)] = (out, images, shadow)


# ops where a tensor of the weights (``Frame.weight_made``) meets the images' rows and the rules keep
# the result as data: a pick by a mask of the rows, a test against a threshold of the weights
_WEIGHTS_MEET = frozenset({
    Tensor.masked_select, torch.masked_select, Tensor.__lt__, Tensor.__le__, Tensor.__gt__, Tensor.__ge__,
    Tensor.lt, Tensor.le, Tensor.gt, Tensor.ge, torch.lt, torch.le, torch.gt, torch.ge,
})


def _weights_meet_rows(frame: Frame, func: Any, args: tuple, kwargs: dict | None, out: Tensor) -> None:
    """``w_e.masked_select(e < 0.3)``, ``e.lt(w_e * 0.5)``, ``w_e`` a tensor of the weights laid
    over the elements (untracked: data to the rules): the result's values with the weight field set
    to 1 are the op replayed on ``w_e``'s (``_made_of_weights``) and the other operands' own (was
    kept as data, silently wrong: found by the pyro merge, session 18). Where ``w_e``'s are not
    known (an op that may mix the images made it), ``out`` is lost."""
    track = frame.get(out)
    if track is None or track.lost_at is not None:
        return
    replaced, hit = [], False
    for a in args:
        held = frame.weight_made.get(id(a)) if type(a) is Tensor and frame.get(a) is None else None
        if held is not None and held[0] is a:
            if held[1] is None:
                frame.lose(out, f"{op_name(func)} of values computed from a tensor of the images' weights by an op "
                           "that may mix the images (on a group alone, from 1)", track)
                return
            replaced.append(held[1])
            hit = True
        else:
            replaced.append(unweighted_of(a, frame.get(a)) if isinstance(a, Tensor) else a)
    if hit:
        track.unweighted = func(*replaced, **(kwargs or {}))


def _weight_derived(frame: Frame, x: Tensor) -> bool:
    """Whether the body's code computes the operand ``x`` of the op it runs from the weight field
    of the images' targets (``batch_fields.read_fields``, through the locals holding it; rt25: a
    factor ``torch.tensor([t["w"] ** 2 ...])`` or a mask of the weights made in Python was data)."""
    targets, field = frame.per_image_targets, frame.weight_field
    return targets is not None and field is not None and (("item", field),) in late_module("batch_fields").read_fields(
        targets, x, tensors=True)


def weight_in_arguments(
    frame: Frame, op: str, arguments: Sequence[tuple[str, Any, dict[int, int | None] | None]], rows: Rows
) -> str | None:
    """Where the weight field reaches a loss as an argument its rule does not count as 1 (a margin,
    an eps, a target, a var, class weights that a sum does not cancel): on a group alone it is 1,
    so values computed with it are not the oracle's. ``arguments``: (name, value, map of its dims
    to the loss's element dims or None), those the rule counts as 1 left out; ``rows``: the loss's
    row maps. Returns the reason to decline where the host can tell: a Python number that is an
    image's weight object, or a tensor filled with one, unless that weight is 1. An untracked
    tensor whose values along an image's row are all that image's weight (built from the numbers,
    without identity: ``torch.tensor([s["w"] for s in targets])[:, None].expand(..)``) declines
    the call on the device (read with the call's one host read)."""
    for name, v, dim_map in arguments:
        if type(v) is float:  # identity first: ints are shared by Python and never count
            if frame.weight_images(v):
                if v != 1:
                    return f"{op} with {name}= an image's weight field (1 on a group alone)"
                continue
            if frame.weight_field is not None and any(w != 1 for w in frame.weight_numbers() or ()) \
                    and frame.op is not None and _bytecode.field_argument(frame.op[0], name, frame.weight_field):
                return f"{op} with {name}= a number computed from an image's weight field (on a group alone from 1)"
            continue
        if not isinstance(v, Tensor):
            continue
        filled = frame.weight_filled.get(id(v)) if frame.weight_filled else None
        if filled is not None and filled[0] is v:
            if not frame.weight_is_one(filled[1]):
                return f"{op} with {name}= filled with an image's weight field (1 on a group alone)"
            continue
        if dim_map and rows and v.is_floating_point() and not v.requires_grad and frame.get(v) is None:
            _weight_rows(frame, v, dim_map, rows, f"{name}= of {op}")
    return None


def _weight_rows(frame: Frame, v: Tensor, dim_map: dict[int, int | None], rows: Rows, where: str) -> None:
    """Defer the check that ``v`` is not the images' weights along a dim that ``dim_map`` sends to
    a row dim of ``rows``: declined where every row holds its image's weight at every position
    and some weight is not 1, or where one row does and that weight is neither 1 nor 0 (a row of
    zeros, a target without objects, is common data next to a weight of 0)."""
    weights = frame.weights_on(v.device)
    if weights is None or v.numel() == 0:
        return
    for e, d in dim_map.items():
        r = rows.get(d) if d is not None else None
        if r is None or v.shape[e] != r.shape[0]:
            continue
        of_rows = weights[r.to(v.device)].to(v.dtype)
        shape = [1] * v.dim()
        shape[e] = -1
        equal = v == of_rows.view(shape)
        others = [k for k in range(v.dim()) if k != e]
        if others:
            equal = equal.all(dim=others)
        not_one = of_rows != 1
        frame.doubt(
            (equal.all() & not_one.any()) | (equal & not_one & (of_rows != 0)).any(),
            f"{where} equals an image's weight along that image's rows (the weight field as an argument "
            "of a loss, 1 on a group alone, or data: they cannot be told apart)",
        )


def weight_of_image(frame: Frame, x: Tensor, image: Tensor, images: frozenset[int], unweighted: Tensor) -> Tensor:
    """``x``, made from the weight object of ``images``, as it is with the weight field set to 1
    where it belongs to ``image``: ``unweighted`` if ``image`` is one of them (decided on the
    device when the index of ``image`` is not known on the host). Another image's weight object
    on ``image``'s values (``full_like(l[b], t[b + 1]["loss_weight"])``) is 1 on a group alone if
    it is that field, a coefficient if the number is shared with the body: unless it is 1, the
    call is declined."""
    b = frame.image_ids.get(id(image))
    if b is not None:
        if b in images:
            return unweighted
        frame.doubt((x != unweighted).any(), OTHER_IMAGE_WEIGHT)
        return x
    among = host_tensor(sorted(images), torch.long, image.device)
    own = (image.reshape(-1)[:1] == among).any()
    frame.doubt(~own & (x != unweighted).any(), OTHER_IMAGE_WEIGHT)
    return torch.where(own, unweighted, x)


OTHER_IMAGE_WEIGHT = (
    "one image's weight field (its own number, or a tensor filled with it) multiplies another "
    "image's values (weight or coefficient cannot be told apart)"
)
WEIGHT_VALUED_ARITHMETIC = ("{op} of new Python numbers each equal to its image's weight, computed by Python arithmetic "
                            "that may not keep a weight of 1 (``1 - w``: on a group alone computed from 1; weight or data "
                            "cannot be told apart)")
ONE_VALUED_WEIGHT = ("{op} of Python numbers each equal to its image's weight, one value on this batch (one image, or "
                     "every weight equal), that the code does not make from the weight objects (weight or constant "
                     "cannot be told apart)")


def keep_rows(
    frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any, mixes: Callable[[Tensor, Track], bool], where: str
) -> None:
    """``func`` of one tensor that keeps its dims (``out``: a tensor, or values then indices): the
    output keeps the input's rows, its values replayed on the unweighted values. Declined where
    the op mixes the positions of a dim that carries images (``mixes(src, track)``; the warning
    says ``{op} {where} a dim that carries images``)."""
    src = args[0]
    track = frame.get(src)
    outs = tensors(out) if isinstance(out, tuple) else [out]
    if track is None or not outs or not isinstance(outs[0], Tensor) or not isinstance(src, Tensor):
        return
    op = op_name(func)
    if track.lost_at is not None or track.ratio is not None:
        frame.lose(out, track.lost_at or op, track)
        return
    if mixes(src, track):
        frame.lose(out, f"{op} {where} a dim that carries images", track)
        return
    new = Track(rows=dict(track.rows), image=track.image, from_prediction=track.from_prediction)
    if track.unweighted is not None:
        raw = func(track.unweighted, *args[1:], **kwargs)
        new.unweighted = raw[0] if isinstance(raw, tuple) else raw
    frame.set(outs[0], new)
    for o in outs[1:]:  # indices: data
        frame.set(o, Track(rows=dict(track.rows), image=track.image))


def lose_aliases(frame: Frame, target: Tensor, op: str) -> None:
    """After an in-place write into ``target``: other tracked tensors sharing its memory (views of
    it, or what it views) whose remembered unweighted values did not get the write are lost at
    ``op`` (their values changed, their unweighted values would be stale)."""
    for t, track in frame.sharing(target, lambda track: track.unweighted is not None):
        frame.set(t, lost_track(op, track.from_prediction))


def written_at(frame: Frame, target: Tensor, d: int, positions: Any, op: str = "Tensor.__setitem__") -> None:
    """A write into ``target`` at ``positions`` of its dim ``d``, which carries images: on a
    group's images alone those positions are other images, so unless the call writes every
    position (a per-image loop), it gets no companions (deferred: the positions add up)."""
    key = (id(target), d)
    entry = frame.positions_written.get(key)
    if entry is None or entry[0] is not target:
        flag = torch.ones((), dtype=torch.bool)
        entry = frame.positions_written[key] = (target, set(), flag)
        frame.doubt(flag, f"{op} wrote at some positions of a dim that carries images "
                          "(on a group's images alone they are other images)")
    entry[1].update(positions)
    entry[2].fill_(len(entry[1]) < target.shape[d])


_OFFSETS_AT_MOST = 1 << 22


def _offsets(t: Tensor) -> Tensor:
    """The storage offset of each element of ``t`` (from its sizes and strides alone), in host memory."""
    at = torch.full(t.shape, int(t.storage_offset()), dtype=torch.long, device="cpu")
    for d, (n, s) in enumerate(zip(t.shape, t.stride(), strict=True)):
        at += (torch.arange(n, dtype=torch.long, device="cpu") * s).view([n] + [1] * (t.dim() - d - 1))
    return at


def written_through_view(frame: Frame, target: Any, op: str, known: bool = True) -> None:
    """After an in-place op on ``target``, a view (``e[0].mul_(2)``, ``e[:1].clamp_(..)``,
    ``e.view(-1)[:12].zero_()``): other tracked tensors over the same memory changed where the view
    covers them. Where it covers some positions of a dim that carries images, that is a write at
    those positions (``written_at``); where the positions of one image written depend on its
    position, the view's values are no longer followed (lost, or scaled by a weight the other
    tensor does not remember unweighted), the positions cannot be told, or the op has no rule
    (``known=False``), the other tensor is lost."""
    if not isinstance(target, Tensor) or not target._is_view():
        return
    mine = frame.get(target)
    # values scaled by a weight the other tensor does not remember unweighted, or changed in a way
    # no rule followed
    changed = mine is not None and (mine.unweighted is not None or mine.lost_at is not None)
    written: Tensor | None = None
    for t, track in frame.sharing(target, lambda track: track.lost_at is None and bool(track.rows or track.image is not None)):
        if not known or changed and track.unweighted is None:
            frame.set(t, lost_track(f"{op} through a view", track.from_prediction))
            continue
        if not track.rows:
            continue
        if (t.numel() > _OFFSETS_AT_MOST or target.numel() > _OFFSETS_AT_MOST
                or t.element_size() != target.element_size()):
            frame.set(t, lost_track(f"{op} through a view", track.from_prediction))
            continue
        if written is None:
            written = cpu_offsets(target)
        for d, positions in cpu_cover(t, written, list(track.rows)):
            if positions is None:  # ``e.diagonal(0, 1)``
                frame.set(t, lost_track(f"{op} through a view, at other elements of each image", track.from_prediction))
                break
            if positions and len(positions) < t.shape[d]:  # (none: another piece of the memory, ``x.chunk(B)[1]``)
                written_at(frame, t, d, positions, op)


# Computed in host memory from sizes and strides alone (``_offsets``): no device sync, which
# ``benchmarks/library_syncs.py`` counts for no op of a ``cpu_`` function.

def cpu_offsets(t: Tensor) -> Tensor:
    """The distinct storage offsets of ``t``'s elements."""
    return _offsets(t).flatten().unique()


def cpu_cover(t: Tensor, written: Tensor, dims: list[int]) -> list[tuple[int, list[int] | None]]:
    """Per dim of ``dims`` in order, the positions along it at which some element of ``t`` lies at
    one of the storage offsets ``written`` ([] for none); None, and no later dim, where the
    covered elements at one such position are other than at the first (``e.diagonal(0, 1)``)."""
    hit = torch.isin(_offsets(t), written)
    out: list[tuple[int, list[int] | None]] = []
    for d in dims:
        positions = hit.movedim(d, 0).reshape(t.shape[d], -1).any(1).nonzero().flatten()
        if not positions.numel():
            out.append((d, []))
            continue
        each = hit.index_select(d, positions)
        if not torch.equal(each, each.narrow(d, 0, 1).expand_as(each)):
            out.append((d, None))
            break
        out.append((d, positions.tolist()))
    return out


def cpu_view_rows(view: Tensor, base: Tensor) -> list[int]:
    """The distinct positions along dim 0 of the contiguous ``base`` that ``view``'s elements lie at."""
    return ((_offsets(view) - int(base.storage_offset())) // base.stride(0)).unique().tolist()


def written_reduced(frame: Frame, target: Tensor, op: str) -> None:
    """After ``op`` wrote into ``target`` in place: other tracked tensors over the same memory
    that are reduced values (a 0-dim loss seen through ``l.view(1)``, ``l.data``, ``l.detach()``)
    no longer hold the value their ratios were taken from; they are lost at ``op``, and so is a
    buffer of losses (``loss[0] = box``, also before every position is written) unless its rule
    followed this very write through a view of it (``loss[0] *= 7.5``; ``loss.data`` keeps a
    version of its own). The target's own rule decides for the target."""
    if target.untyped_storage().data_ptr() not in frame.reduced_storages:
        return
    for t, track in frame.sharing(target):
        buffer = frame.loss_buffers.get(id(t))
        if buffer is None or buffer[0] is not t:
            if not track.reduced:
                continue
        elif target._base is t and buffer[2] == version_of(t) and buffer[3] is track:
            continue
        frame.set(t, lost_track(f"{op} through another tensor over its memory", track.from_prediction))


def storage_uses(t: Tensor) -> int:
    """How many tensors (and storage handles) hold ``t``'s memory, counting ``t`` and the handle
    made to ask; more than any tensor has where the count cannot be had."""
    uses = getattr(torch._C, "_storage_Use_Count", None)
    return uses(t.untyped_storage()._cdata) if uses is not None else 3


def written_lost(frame: Frame, target: Tensor, op: str) -> None:
    """After ``op`` wrote into ``target`` in place and its rule lost it (values divided by a batch
    sum, shifted by a batch mean, scaled by the weights, an op without a rule): other tracked
    tensors over the same memory (``v = q.view(-1)`` made before ``q /= s``) hold the written
    values too, which their tracks, read at their reduction, would attribute as before (review
    adv19: ``v.sum()`` was the sum of the values divided by the batch's sum, read per row)."""
    track = frame.get(target)
    if track is None or track.lost_at is None or storage_uses(target) <= 2:
        return
    for t, other in frame.sharing(target, lambda other: other.lost_at is None):
        frame.set(t, lost_track(f"{op} through another tensor over its memory", other.from_prediction or track.from_prediction))


def written_foreign(frame: Frame, target: Tensor, op: str) -> None:
    """After ``op`` wrote in place into an untracked tensor whose memory torch did not allocate
    (``torch.utils.dlpack.from_dlpack(to_dlpack(e))``, ``torch.from_numpy(e.detach().numpy())``:
    the export is a call the capture does not see): the tracked tensors over that memory hold the
    written values, which their tracks do not know, so they are lost."""
    if frame.get(target) is not None or target.untyped_storage().resizable():
        return
    for t, other in frame.sharing(target, lambda other: other.lost_at is None, within=True):
        frame.set(t, lost_track(f"{op} through a tensor over its memory made outside torch's ops (DLPack, NumPy)",
                                other.from_prediction))


def only_wide_dim(t: Tensor) -> int:
    wide = [d for d, n in enumerate(t.shape) if n != 1]
    return wide[0] if len(wide) == 1 else 0


def per_row(w: Tensor, rows: Rows, shape: Sequence[int]) -> bool:
    """Whether ``w``, broadcast to ``shape``, varies along one image-row dim only."""
    if w.dim() == 0 or w.dim() > len(shape):
        return False
    shift = len(shape) - w.dim()
    wide = [shift + d for d, n in enumerate(w.shape) if n != 1]
    if len(wide) == 1:
        return wide[0] in rows and shape[wide[0]] == w.shape[wide[0] - shift]
    return not wide and bool(rows) and shape[min(rows)] == 1


def _subtracted() -> bool:
    """Whether the divisor the caller's code is executing may be a subtraction, as its code reads
    (``_provenance``: ``op:-`` among its tags; unread: as before): a number of the elements a read
    did not sum equal by value to one Python added up otherwise (``n += first`` of image 0's read
    before the loop) is no such count."""
    tags = _bytecode.executed_number_tags()
    return tags is None or "op:-" in tags


@dataclasses.dataclass(slots=True)
class HostRead:
    """A Python number read from a tensor that carries images (``.item()``, ``float()``...)."""

    value: Any
    ratio: Ratio | None
    """The row sum the number is the value of (a plain ``sum`` over rows), else None."""
    source: Ratio | None
    """The read tensor's ratio (a read of a returned loss only logs it)."""
    op: str
    consumed: bool = False
    image: int | None = None
    """The one image whose values were read (known on the host); None: several, or unknown."""
    sizes_only: bool = False
    """A read of data (target values) followed only for the sizes it may set (``Frame.sized``)."""
    data: bool = False
    """A read of one image's own values other than its weight field (``t["scale"].item()``): the
    number it returned is that image's data, never its weight (``Frame.data_images``)."""
    followed: bool = False
    """Its number is a ``GroupFloat`` / ``GroupInt`` whose every use is seen: no size, position or
    other number the capture does not follow can come from it (``Frame.sized`` passes it over)."""
    keys: frozenset[str] | None = None
    """A read of several images: the returned keys its number may change, where the body's code
    proves them (``_reach``); a size taken after it then declines those keys only (``Frame.sized``)."""


@dataclasses.dataclass(slots=True, eq=False)
class ReadReach:
    """A host read whose number the body gets unmarked (``float(n.sum())``), where its code shows
    each use of the number, and of the numbers Python computes from it, to end at an operator or a
    torch function the capture sees (``_bytecode.read_reach``): there a rule that takes it as a count
    accounts for it, else the op's output is lost -- only the keys computed from it are declined, as
    for a value whose images mix. An op there of another kind (a size, a fill) leaves the read
    unaccounted for, as is a site whose result is taken for a tensor that ran no torch op."""

    read: HostRead
    code: types.CodeType
    sites: frozenset[int]
    tensor_sites: frozenset[int]
    seen: set[int] = dataclasses.field(default_factory=set)
    """The tensor sites a torch op ran at since the read."""
    blocked: str | None = None
    """The first op at a site that neither took the number as a count nor could lose its output."""


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Tested:
    """A one-element value that is an expression of ratios (``Track.formula``, a sum of ratios:
    ``10 * sqrt(var(g) + 0.15 * mean(g) ** 2)``) tested by the body (``torch.isnan(loss)``,
    ``finite``): on a group alone, the expression of the group's ratios."""

    expr: tuple[Any, ...]
    ratios: tuple[Ratio, ...]


@dataclasses.dataclass(slots=True)
class Branch:
    """A decision the body's Python code took on values of the images (``if len(gt) > 0:``, ``if
    mask.any():``, ``if num_pos == 0``, ``e.shape[0] >= 3``): ``op(value, than)``, ``value`` being
    the value of ``of`` (a ratio: a row sum, a mean; or a row map: the count of its indices),
    ``than`` a number, a 0-dim tensor without images, or another such value. On a group alone
    both are the group's; the batch's outcome was ``taken``. ``where`` names it in warnings."""

    of: Ratio | Tensor | Tested | None
    """None: a number computed in Python from a count, whose group values are not known."""
    op: str
    than: float | Tensor | Ratio
    taken: bool | Tensor
    """A 0-dim bool tensor where the body took no Python decision to read it from (``finite``:
    ``torch.nan_to_num`` of a reduced loss, the batch's finiteness read with the split's read)."""
    where: str
    floor: bool = False
    """The builtin ``max`` of the value and a positive number (``max(pos.sum(), 1)``): a group
    whose value is 0 has no rows in what the value counts, and no companion over it; it is taken
    as deciding as the batch (its other keys are kept)."""
    clamped: float | None = None
    """``c`` of ``max(value, c)`` that returned the value (a tensor) on the batch, while every use
    of what it returned so far divided with ``c`` proven as the floor in the body's code and the
    normaliser clamped there (``tss = max(ts.sum(), 1)``, ``l.sum() / tss``: per group
    ``max(ts_S, 1)``, YOLOv8's ``target_scores_sum``): no group's decision changes a value then.
    None otherwise, or once any other use is met (``floored_use``)."""
    unchanged: Tensor | None = None
    """[images] bool: the images whose values the block of this ``if`` (entered by the batch) left
    as they were (``Guard``); a group of only those skips the block alone to the same values."""
    positional: bool = False
    """The value is one image's, tested outside any loop of the code that runs it (``if (e[0] >
    c).any():``): an image picked by position, on a group alone another image (``Frame.branch``)."""
    constant: tuple[tuple[Ratio, float], ...] | None = None
    """``x = E if test else c`` taken to ``E`` (or an ``if``/``else`` whose other arm stores
    constants): (``E``'s ratio, ``c``) per local. A group that alone decides the test otherwise and
    has no rows in any ``E`` holds each ``c`` there, all else as in the batch (``Arm``): its part
    ``E`` of a key is ``c`` (``_split``), no reason to decline the group."""
    reach: frozenset[str] | None = None
    """The returned keys the decision may change (``_reach.reach``, proven from the code where the
    body took it); None: every key. A group that alone decides otherwise keeps the others."""
    neutral: tuple[Tensor, ...] | None = None
    """``if test: continue`` the batch did not take, the rest of the iteration only adding terms
    to accumulators (``Skip``): the row map of what each term sums or counts. A group with no row
    in any leaves every accumulator as it was there (``+ 0.0``, ``+ 0``): alone, skipping the rest
    computes the same."""


@dataclasses.dataclass(slots=True)
class Arm:
    """``x = E if test else c`` (``_bytecode.conditional_constant``) whose test ``branch`` the batch
    took to ``E``. A group that alone decides it otherwise skips ``E`` and holds the number ``c``
    in ``x``; the rest of its call is the batch's where ``E``'s ops write nothing, read nothing on
    the host and draw no random numbers (each of ``E``'s op instructions runs one op, from this
    frame: no Python function of its own), ``E`` is one 0-dim floating value of a mean, and each
    use of ``x`` is ``+ - * /`` with another tensor of its dtype and device (then ``c`` there gives
    what a 0-dim tensor of ``c`` gives). Then ``Branch.constant`` holds ``E``'s ratio and ``c``."""

    branch: Branch
    at: _bytecode.Conditional | _bytecode.ConstantArms
    seen: set[int] = dataclasses.field(default_factory=set)
    made: dict[int, Any] = dataclasses.field(default_factory=dict)
    """Of ``ConstantArms``: offset -> the value the op there made (each local's ``E``)."""


# ``x + y``, ``x - y``, ``x * y``, ``x / y`` and their reflected forms, as a BINARY_OP runs them
_NUMBER_LIKE_OPS = frozenset({Tensor.add, Tensor.sub, Tensor.mul, Tensor.div, Tensor.__add__, Tensor.__radd__,
                              Tensor.__sub__, Tensor.__rsub__, Tensor.__mul__, Tensor.__rmul__, Tensor.__truediv__,
                              Tensor.__rtruediv__})
# ops that draw random numbers (by name): skipped on a group alone, they would shift the later draws
_DRAW_NAMES = ("rand", "bernoulli", "multinomial", "normal", "poisson", "dropout", "exponential", "geometric",
               "cauchy", "uniform", "gumbel", "fractional")


_PLAIN_TENSORS = (Tensor, torch.nn.Parameter)


def _conditional_step(frame: Frame, func: Any, args: tuple, kwargs: dict | None, nested: bool = False) -> bool:
    """Check the op about to run against a followed ``E`` (``Frame.arm``) and the uses of one made
    (``Frame.conditionals``); True where it makes ``E`` (its track is read after it ran). ``nested``:
    an op run inside another op (its checks only: the outer op is the one at the site)."""
    if frame.conditionals and not nested:
        _conditional_use(frame, func, args, kwargs)
    arm = frame.arm
    if arm is None:
        return False
    f = _bytecode.caller_frame()
    at = arm.at
    helper = f is not None and f is not at.frame and isinstance(at, _bytecode.ConstantArms) and _bytecode.in_helper(f, at)
    if f is not at.frame and not helper or at.frame.f_lasti >= at.end:
        frame.arm = None  # a Python function of its own in ``E``, or ``E`` left without its last op
        return False
    name = op_name(func).lower()
    if (func in HOST_READS or func in _TRUTHS or func in _EXPOSING or _WRITES[func]
            or func is Tensor.__setitem__
            or (kwargs and kwargs.get("out") is not None) or any(d in name for d in _DRAW_NAMES)
            or any(isinstance(v, torch.Generator) or isinstance(v, Tensor) and type(v) not in _PLAIN_TENSORS
                   for v in flat_args(args, kwargs or _NO_KWARGS))):
        frame.arm = None  # (a subclass of a tensor: its ``__torch_function__`` is the user's, effects unseen)
        return False
    op = at.sites.get(at.frame.f_lasti)
    if op is None or nested or helper:
        if op is not None and helper:
            arm.seen.add(op)  # (a function proven free of effects that the block's call runs)
        return False
    arm.seen.add(op)
    return op == at.last if isinstance(at, _bytecode.Conditional) else op in at.made


def _conditional_use(frame: Frame, func: Any, args: tuple, kwargs: dict | None) -> None:
    """An op taking a followed ``E`` (or, of a tensor constant, a value computed from it): on a group
    alone it meets ``c`` there. A number ``c``: only ``+ - * /`` with a tensor of ``E``'s dtype and
    device give what ``E`` would; a tensor ``c`` (maybe ``[1]``-shaped, on the CPU): only those
    with a tensor of its dtype and device or a Python number, and ``squeeze()``, whose results are
    followed in turn (their shape or device may differ on the group alone)."""
    flat = flat_args(args, kwargs or _NO_KWARGS)
    for x in flat:
        held = frame.conditionals.get(id(x)) if type(x) is Tensor or isinstance(x, Tensor) else None
        if held is None or held[0] is not x:
            continue
        branch, tensor = held[1], held[2]
        other = args[1] if len(args) == 2 and args[0] is x else args[0] if len(args) == 2 and args[1] is x else None
        number_like = func in _NUMBER_LIKE_OPS and not kwargs and len(flat) == 2 and other is not None
        if tensor:
            fits = number_like and (type(other) in (int, float) or isinstance(other, Tensor) and other.dtype == x.dtype
                                    and other.device == x.device) or func is Tensor.squeeze and len(flat) == 1
        else:
            fits = (number_like and isinstance(other, Tensor) and other is not x and other.dtype == x.dtype
                    and other.device == x.device)
        if fits and tensor:
            frame.follow_next = branch
            continue
        if not fits:
            branch.constant = None  # on a group alone the number ``c`` meets this op: not followed
            del frame.conditionals[id(x)]


def _conditional_made(frame: Frame, out: Any) -> None:
    """``out`` is ``E`` (``Arm``): note its ratio and ``c`` on the branch where every op of ``E`` ran
    (of an ``if``/``else``, once each local's ``E`` is made)."""
    arm = frame.arm
    if arm is None:
        return
    at = arm.at
    if isinstance(at, _bytecode.ConstantArms):
        f = _bytecode.caller_frame()
        op = at.sites.get(_bytecode._lasti(f)) if f is at.frame else None
        if op not in at.made:
            frame.arm = None
            return
        arm.made[op] = out
        if len(arm.made) < len(at.made):
            return
        values = [(arm.made[k], *at.made[k]) for k in at.made]
    else:
        values = [(out, "", ("number", at.constant))]
    frame.arm = None
    if arm.seen != set(at.sites.values()):
        return
    found, follow = [], []
    held = [v for v in at.frame.f_locals.values() if isinstance(v, Tensor)]
    for e, _, spec in values:
        if type(e) is not Tensor and not isinstance(e, Tensor):
            return
        track = frame.get(e)
        if (e.dim() or not e.is_floating_point() or track is None or track.lost_at is not None
                or track.ratio is None or track.ratio.kind is not RatioKind.MEAN):
            return
        if any(t is not e and (other := frame.get(t)) is not None and other.ratio is not None
               and other.ratio.values is track.ratio.values for t in held):
            return  # (red45: ``m = p.mean()`` before, ``x = m * 1.0`` in the block: ``m`` is no ``E``, its keys no ``c``)
        if spec[0] == "tensor":
            dtype = spec[2] or torch.get_default_dtype()
            if dtype != e.dtype or spec[3] and e.device.type != "cpu":
                return  # (another dtype promotes otherwise; a ``[1]`` tensor on the CPU meets one elsewhere)
        found.append((track.ratio, float(spec[1])))
        follow.append((e, spec[0] == "tensor"))
    arm.branch.constant = tuple(found)
    for e, tensor in follow:
        frame.conditionals[id(e)] = (e, arm.branch, tensor)


_MISSING_LOCAL = object()


_TERM_OPS = frozenset({Tensor.sum, torch.sum, Tensor.__len__})  # what a term of ``Skip`` runs


@dataclasses.dataclass(eq=False)
class Skip:
    """The rest of an iteration that ``if test: continue`` skips, the batch having run it
    (``_bytecode.skipped_rest``): each term's row map as its op meets it (``Frame.note_term``)."""

    branch: Branch
    frame: types.FrameType
    rest: _bytecode.SkippedRest
    met: dict[int, Tensor] = dataclasses.field(default_factory=dict)
    """Byte offset of a term's CALL -> the row map of the value it sums or counts."""
    spoilt: bool = False
    """A term met twice, or its value without a row map: no group is taken as left alone."""


@dataclasses.dataclass(eq=False)
class Guard:
    """The block of an ``if`` the batch entered (``Frame.guard``): on a group whose images it
    leaves unchanged, the body alone skips it and computes the same. Exact where the block writes
    nothing but locals (``_bytecode.guarded_block``), no tensor the frame held changed in place,
    and each local read after the join holds, on each image's rows, what it held before."""

    branch: Branch
    frame: types.FrameType
    join: int
    before: dict[str, Tensor]
    """The locals the code reads after the join, as they were when the block began."""
    versions: list[tuple[Tensor, int | None]]
    """Every tensor the frame held, and the globals the block loads, with its version then."""

    def compare(self, frame: Frame) -> Tensor | None:
        """[images] bool, the images whose rows of every such local are as before (on the
        device); None where that cannot be told (a write in place, a local no longer a tensor of
        the same shape with the same rows)."""
        if any(version_of(t) != v for t, v in self.versions):
            return None
        held, same = self.frame.f_locals, torch.ones(frame.num_images, dtype=torch.bool)
        with _HIDDEN():
            for name, old in self.before.items():
                new = held.get(name, _MISSING_LOCAL)
                if new is old:
                    continue
                to, tn = frame.get(old), frame.get(new) if isinstance(new, Tensor) else None
                rows = to.rows.get(0) if to is not None and to.lost_at is None else None
                other = tn.rows.get(0) if tn is not None and tn.lost_at is None else None
                if (rows is None or other is None or not isinstance(new, Tensor) or new.shape != old.shape
                        or new.dtype != old.dtype or new.device != old.device or rows.shape != other.shape
                        or rows.numel() != old.shape[0]):
                    return None
                # the rows' images must be the same map (on the device: no host read here)
                changed = (new != old).reshape(rows.numel(), -1).any(1) | (rows != other).any()
                rows = rows.to(changed.device)
                hit = torch.zeros(frame.num_images, dtype=torch.int32, device=changed.device)
                same = same.to(changed.device) & (hit.index_add_(0, rows, changed.to(torch.int32)) == 0)
        return same


_SYMBOLS = {"lt": "<", "le": "<=", "eq": "==", "ne": "!=", "gt": ">", "ge": ">="}

# where a floored value divides (its position in the call): a group counting 0 there gets a
# non-finite companion, omitted, as ``Branch.floor`` assumes
_DIVIDED_AT = {Tensor.div: 1, Tensor.__truediv__: 1, Tensor.true_divide: 1, torch.div: 1, torch.true_divide: 1,
               Tensor.__rtruediv__: 0}
_KEEPING = frozenset({Tensor.float, Tensor.double, Tensor.to, Tensor.detach, Tensor.clone, Tensor.type_as})


def floored_use(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """A value the builtin ``max`` floored (``Branch.floor``), met in any op but as a divisor or a
    copy: on a group counting 0 the body uses the floor there, the split the group's 0 (``l.mean()
    * max(n, 1)`` gave 0 for such a group, silently wrong, found by review14). Its branch is then
    an ordinary one: a group that alone returns the floor gets no companions."""
    divided = _DIVIDED_AT.get(func)
    for i, x in enumerate(flat_args(args, kwargs)):
        track = frame.get(x) if isinstance(x, Tensor) else None
        held = frame.floors.get(id(track.ratio)) if track is not None and track.ratio is not None else None
        if held is None or track is None or held[0] is not track.ratio:
            continue
        if i == divided and not kwargs:
            if held[1].clamped is not None and not _clamped_quotient(frame, out, held[0], held[1].clamped):
                held[1].clamped = None  # a division that did not floor the group's value
            continue
        kept = frame.get(out) if func in _KEEPING and i == 0 and isinstance(out, Tensor) else None
        if kept is not None and kept.ratio is not None and kept.lost_at is None:
            frame.floors.setdefault(id(kept.ratio), (kept.ratio, held[1]))
            continue
        held[1].floor = False
        held[1].clamped = None


def _clamped_quotient(frame: Frame, out: Any, divisor: Ratio, c: float) -> bool:
    """Whether the division's result ``out`` is over ``divisor`` clamped at ``c`` (the rule found
    the floor proven in the code: ``Branch.clamped``)."""
    track = frame.get(out) if isinstance(out, Tensor) else None
    r = track.ratio if track is not None and track.lost_at is None else None
    return (r is not None and r.kind is RatioKind.SUM_OVER_ROW_SUM and r.normaliser is not None
            and r.normaliser.values is divisor.values and r.normaliser_ops[-1:] == (("min", c),))
_BRANCH_KINDS = frozenset({RatioKind.SUM, RatioKind.MEAN, RatioKind.ROW_MEAN, RatioKind.WEIGHTED_MEAN,
                           RatioKind.SUM_OVER_ROW_SUM})


def branch_value(r: Ratio | None) -> bool:
    """Whether the split computes ``r``'s value per group on the device (no normaliser from
    outside, no test or gate, values not written since)."""
    return r is not None and r.kind in _BRANCH_KINDS and r.gate is None and r.test is None and not r.modified()


_BLOCK_ELEMENTS = 1 << 16  # the largest tensor of blocks of rows remembered (offsets, not logits)
NO_READ, SEVERAL = -1, -2  # ``Frame.read_image`` before any host read, and after one over several images


def _host_guarded(r: Ratio, z: float, v: float, floor: Callable[[], float | None] | None) -> Ratio:
    """The row-sum normaliser ``r`` read on the host as ``v``, dividing a loss as ``z`` (``v`` plus
    an ``eps`` added in Python). A floor proven in the body's code (``max(v, c)``) applies to each
    group's sum; an unproven one cannot be seen, so a group whose sum is below 1 gets none."""
    c = floor() if floor is not None else None
    if c is None or c <= 0 or z < c:
        guarded = r.scaled(normaliser_op=("host", 1.0))
        return guarded.scaled(normaliser_op=("add", float(z - v))) if z != v else guarded
    added = r.scaled(normaliser_op=("add", float(z - v))) if z != v else r
    return added.scaled(normaliser_op=("min", c))


AMBIGUOUS_WEIGHT = ("an image's weight field is the very float object of another of its fields (equal literals "
                    "are one object): which of them scales a loss cannot be told")


def _holds(value: Any, x: float, depth: int = 2) -> bool:
    """Whether ``value`` (a host read's result: a number, or ``tolist()``'s nested lists, short
    ones only) is or holds the very object ``x``."""
    if value is x:
        return True
    return depth > 0 and type(value) is list and len(value) <= 64 and any(_holds(v, x, depth - 1) for v in value)


def _is_count(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def near_count(z: float, v: float) -> bool:
    """Whether ``z`` is the count ``v``: equal, or up to an ``+ eps`` added in Python (a larger
    difference, ``max(n, 2.0)``, is not a count)."""
    return abs(z - v) <= 1e-6 * max(1.0, abs(v)) or 0 < z - v <= 1e-3


# torch functions that make a tensor of a Python number (``torch.tensor(num_pos / num_images)``)
_TENSOR_MAKERS = (torch.tensor, torch.as_tensor)
# ops a function's body tests ``func`` against, bound once: a library may rebind torch's names later
_NUMEL, _SCALAR_TENSOR, _EQUAL, _ONE_HOT = torch.numel, torch.scalar_tensor, torch.equal, torch.nn.functional.one_hot

# Reads that turn a tensor's values into Python numbers the capture can no longer follow.
HOST_READS = {Tensor.item, Tensor.tolist, Tensor.__float__, Tensor.__int__, Tensor.__index__, Tensor.__bool__, Tensor.numel, torch.numel,
              Tensor.__len__}


def _read_by_position(frame: Frame, x: Tensor, op: str) -> None:
    """``torch.tensor(targets[0]["y"].tolist())``: one image's own tensor read on the host outside
    any loop over the images (picked by position), its values then plain numbers no image owns: on
    a group alone that position holds another image (red team, session 17: a mask against them kept
    image 0's on every group). Declined, unless it is a field every image holds with the same values."""
    track = frame.get(x)
    if frame.num_images < 2 or track is None or track.rows or track.image is None or track.lost_at is not None:
        return
    b = frame.image_ids.get(id(track.image))
    targets = frame.per_image_targets
    if b is None or _bytecode.looped():
        return
    own = targets[b] if isinstance(targets, (list, tuple)) and 0 <= b < len(targets) else None
    key = next((k for k, v in own.items() if v is x), None) if isinstance(own, dict) else None
    if key is not None and all(isinstance(t, dict) and isinstance(t.get(key), Tensor) and t[key].shape == x.shape
                               and bool(torch.equal(t[key], x)) for t in targets):
        return  # (``targets[0]["size"].tolist()`` of images all of one size: the same on any group)
    frame.doubt(torch.ones((), dtype=torch.bool), f"{op} of one image's values picked by position (outside any loop "
                "over the images): on a group alone that position holds another image, and the numbers read carry none")


def _counted_hit(frame: Frame, x: Any) -> tuple[Tensor, Ratio] | None:
    """The ``Frame.counted`` entry of a mask's ``nonzero()`` indices ``x`` (or of its base)."""
    for t in (x, getattr(x, "_base", None)):
        hit = frame.counted.get(id(t)) if t is not None else None
        if hit is not None and hit[0] is t:
            return hit
    return None


def _stored_sizes_tested(frame: Frame, hit: tuple[Tensor, Ratio], n: Any, read: str) -> None:
    """``na, nb = a.numel(), b.numel()``, then ``if nb >= na:`` (``len`` too): two masks' indices'
    sizes stored in locals the code compares. Each such local is noted when stored
    (``Frame.stored_sizes``); the second of a compared pair decides per group, as the inline
    ``b.numel() >= a.numel()`` (``_size_tested``; was the batch's decision on every group). A
    local compared with one not so noted but already bound (a size of no mask, a number): declined.
    One compared with an int literal or tested for truth (``if na > 2:``) decides per group too."""
    found = _bytecode.stored_size_tests() if type(n) is int else None
    if found is None:
        return
    code, name, tests = found
    frame.stored_sizes[(code, name)] = (hit[1], n)
    for op, other in tests:
        if isinstance(other, int):  # ``na = a.numel(); if na > 2:``
            frame.branch(Branch(hit[1], op, float(other), getattr(operator, op)(n, other),
                                f"{read} of a mask's indices stored and compared ({name} {_SYMBOLS[op]} {other}: {n})"))
            continue
        partner = frame.stored_sizes.get((code, other))
        if partner is not None:
            frame.branch(Branch(hit[1], op, partner[0], getattr(operator, op)(n, partner[1]),
                                f"{read} of two masks' indices stored and compared ({name} {_SYMBOLS[op]} {other}: "
                                f"{n} {_SYMBOLS[op]} {partner[1]})"))
        elif _bytecode.local_bound(other):
            frame.doubt(torch.ones((), dtype=torch.bool), f"{read} of a mask's indices stored in {name} and compared "
                        f"with {other}, no such size (its value on each group not known)")


def _size_tested(frame: Frame, x: Tensor, n: int, read: str, literal: bool) -> None:
    """``if pos.numel() > 3:``, ``if b.numel() >= a.numel():`` (``len`` too), ``pos`` a mask's
    ``nonzero()`` indices: a decision each group alone takes on its own counts (the mask's row
    sums), as ``len(pos) > 3`` is (was the batch's decision on every group, found while testing
    ``index_copy_``). ``literal``: a comparison with a literal or a truth test too (``len``'s are
    ``length_test``'s). Two sizes of which one is no such count: no decision a group can redo."""
    hit = _counted_hit(frame, x)
    test = _bytecode.size_test() if hit is not None and type(n) is int else None
    if test is None:
        if hit is not None:
            _stored_sizes_tested(frame, hit, n, read)
        return
    assert hit is not None
    op, kind, other = test
    if kind == "literal" and literal:
        frame.branch(Branch(hit[1], op, float(other), getattr(operator, op)(n, other),
                            f"{read} of a mask's indices compared ({n} {_SYMBOLS[op]} {other})"))
    elif kind == "size" and isinstance(other, Tensor) and other.dim() == 1:
        first = _counted_hit(frame, other)
        m = int(other.shape[0])
        if first is None:
            frame.doubt(torch.ones((), dtype=torch.bool), f"{read} of a mask's indices compared with a size of another "
                        "tensor (its value on each group not known)")
            return
        frame.branch(Branch(first[1], op, hit[1], getattr(operator, op)(m, n),
                            f"{read} of two masks' indices compared ({m} {_SYMBOLS[op]} {n})"))


LEFT_EARLY_TEST = ("len() of one image's tensor compared in a loop over the images that a jump may leave early (``for u "
                   "in t: if len(u['labels']) > 2: break``): on a group alone the loop stops at another image, or none")


def host_read(frame: Frame, func: Any, x: Any, out: Any) -> Any:
    """Record a host read of a tracked tensor. A value that already mixes images (attribution
    lost, from predictions) may steer the body (a batch-wide threshold in ``max(t, c)``): the
    call is declined. A branch on data (``if mask.any()``) reads no value of the images. A number
    read by ``.item()`` where the body's code proves it reaches only arithmetic and
    ``torch.tensor`` (``log_only_read``) is no read: returned marked (``LoggedFloat``), else None."""
    track = frame.get(x)
    if func is Tensor.numel or func is _NUMEL or func is Tensor.__len__:
        _size_of_mixed_pick(frame, track, out)
    if func is Tensor.numel or func is _NUMEL:  # a size (``_counted_sizes``), but of a mask's 1-d indices
        if x.dim() == 1:
            frame.count_read(x, out, "numel")
            _size_tested(frame, x, out, "numel()", literal=True)
        return
    if func is Tensor.__len__:  # a length is a shape, not a value, except that of a mask's indices
        if track is not None and 0 in track.rows and frame.tokens is None:
            frame.lengths.setdefault(out, []).append(track.rows[0])  # ``len(ps)``: a plain int, a count of rows
            frame.latest_lengths[out] = True
            if frame.side_length_sites:
                _side_length(frame, False)
            test = _bytecode.length_test() if type(out) is int else None
            if test is not None and not frame.by_position(track.rows[0]):
                op, c = test  # ``if len(gt) > 0:``: on a group alone, the group's count of those rows
                b = Branch(track.rows[0], op, c, getattr(operator, op)(out, c),
                           f"len() of image rows compared ({out} {_SYMBOLS[op]} {c:g})")
                frame.branch(b)
                frame._conditional(b, bool(b.taken))
                if not b.taken:  # ``if len(x) < 1: continue`` not taken
                    frame.skip(b)
        else:  # a length of no image rows: an int of that value is no count of rows
            frame.other_lengths.add(out)
            frame.latest_lengths[out] = False
            frame.side_size(track, out, 0)
            side = track is not None and bool(track.rows) and frame.tokens is None
            if side or frame.side_length_sites:
                _side_length(frame, side)
            hit = frame.counted.get(id(x))
            one = track is not None and not track.rows and track.image is not None and frame.num_images > 1
            test = _bytecode.length_test() if (one or hit is not None and hit[0] is x) and type(out) is int else None
            if test is not None and hit is not None and hit[0] is x:  # ``if len(mask.nonzero()) > 3:``: on a
                op, c = test  # group alone, the group's count (review13)
                frame.branch(Branch(hit[1], op, c, getattr(operator, op)(out, c),
                                    f"len() of a mask's indices compared ({out} {_SYMBOLS[op]} {c:g})"))
            elif test is not None and one and _bytecode.partial_loop(left=True):
                frame.doubt(torch.ones((), dtype=torch.bool), LEFT_EARLY_TEST)  # ``if len(u["labels"]) > 2: break``
            elif test is not None and one and track is not None and (image := frame.image_ids.get(id(track.image))) is not None \
                    and (arm_loop := _bytecode.own_arm_loop()) is not None \
                    and all((held := frame.get(t)) is not None and 0 in held.rows for t in arm_loop[0]):
                frame.own_arms.append((image, getattr(operator, test[0])(out, test[1]), arm_loop[1]))
            elif test is not None and not _bytecode.looped():  # ``if len(t[0]["labels"]) > 1:`` outside any
                op, c = test  # loop: one image picked by position (review13)
                frame.branch(Branch(None, op, c, getattr(operator, op)(out, c),
                                    f"len() of one image's tensor compared ({out} {_SYMBOLS[op]} {c:g})", positional=True))
            elif test is None and hit is not None and hit[0] is x:
                _stored_sizes_tested(frame, hit, out, "len()")
        for t in (x, getattr(x, "_base", None)):
            frame.count_read(t, out, "len")
        if type(out) is int and frame.counted:
            _size_tested(frame, x, out, "len()", literal=False)
        return
    if func is Tensor.item and type(out) is float and FINITE_READ and FINITE_READ[0](frame, x, out):
        return None  # ``if math.isnan(loss.item()):``: decided per group, the number goes nowhere else
    truth = func is Tensor.__bool__
    if truth:
        frame.truth_read = True
        if _bytecode.value_neutral_test():  # an SDPA mask skip: either way, the same values
            return None
    if func in _TRUTH_READS and x.dtype is torch.bool and x.numel() == 1 and (track is not None or id(x) in frame.tests):
        # ``mask.any().item()``, ``int(y.max() > c)``: the truth of the images' values as a number, a
        # branch where the code tests it right away; kept or combined in Python (``any(... .item() for
        # s in targets)``, ``flag |= ...``), on a group alone it is the group's (review16: was the batch's)
        out = _read_truth(out)
        if frame.branched(x, track, out, op_name(func)):
            return None
        if not _bytecode.result_truth_tested() and not _bytecode.torch_code():
            frame.doubt(torch.ones((), dtype=torch.bool), f"{op_name(func)} of a test of the images' values kept as a "
                        "Python number: on a group alone it is the group's")
            return None
        truth = True
    elif (truth and track is not None and not track.rows and track.image is not None and frame.num_images > 1
          and _bytecode.truth_kept()):  # ``[not s["pos"].any() for s in targets]``: one image's truth kept
        frame.doubt(torch.ones((), dtype=torch.bool), "Tensor.__bool__ of one image's values kept in Python (not, and, "
                    "or): on a group alone the other images' are missing")  # (review16: was decided per image)
        return None
    elif truth and type(out) is bool and frame.branched(x, track, out):
        return None
    if track is None:
        if func in (Tensor.item, Tensor.__float__) and type(out) is float and (frame.weight_filled or frame.weight_made):
            _weight_read(frame, x, out, op_name(func))
        if frame.weight_made and type(x) is Tensor:
            weights_read(frame, func, x, out)
        return None
    if truth and _bytecode.text_made_caller():
        frame.doubt(torch.ones((), dtype=torch.bool), f"{op_name(func)} of the images' values in code compiled from "
                    "a string (eval, exec): what it decides is not read")
        return None
    if func in _TRUTH_READS and frame.num_images > 1:
        _ranked(frame, track)
    if func is Tensor.__bool__ and _bytecode.combined_truth():  # ``all(s["pos"].any() for s in targets)``
        iterated = frame.iterated_truths.get(id(x))
        if iterated is not None and iterated[0] is x:  # ``any(torch.isinf(nll))``: decided per group
            if not iterated[2]:
                iterated[2].append(True)
                frame.branch(iterated[1])
            return None
        frame.doubt(torch.ones((), dtype=torch.bool), "Tensor.__bool__ of the images' values combined in Python "
                    "(any(), all(), bool() kept): on a group alone the other images' are missing")
        return None
    if (func is Tensor.item and track.from_prediction and track.ratio is not None and track.ratio.host_image is None
            and frame.num_images > 1 and _bytecode.read_compared()):
        frame.doubt(torch.ones((), dtype=torch.bool), "Tensor.item of a loss of several images compared in Python (min, "
                    "max, sorted): which number is kept is the batch's decision, on a group alone the group's")
        return None
    if func is Tensor.item and type(out) in (int, float) and _bytecode.log_only_read(_TENSOR_MAKERS, _LOGGED):
        return _logged_number(frame, out, _logged_source(track))
    op = op_name(func)
    if func is Tensor.item and type(out) in (int, float) and frame.tokens is None:
        grouped = _group_read(frame, track, out, op)
        if grouped is not None:
            return grouped
    if track.lost_at is not None:
        if track.from_prediction and func is Tensor.item and _bytecode.result_bound_tested():
            # ``assert w.min().item() >= 0``: the comparison alone reads it, decided per group
            marked = _extreme_number(frame, x, out)
            if marked is not None:
                return marked
        if track.from_prediction:
            where = f"a value mixing images (lost at {track.lost_at}) was read on the host at {op}"
            if func in _NUMBER_READS and type(out) in (int, float) and frame.num_images > 1 \
                    and frame.reach_now() is not None:  # (OHEM's threshold of the batch's sorted probabilities)
                # on a group alone the number is the group's: the keys it may change, proven, decline
                frame.branch(Branch(None, "ne", 0.0, True, where))
                return None
            frame.doubt(torch.ones((), dtype=torch.bool), where)
        elif not truth:  # data whose rows were mixed: a size it sets is the batch's
            frame.add_read(HostRead(out, None, None, op, consumed=True, sizes_only=True))
            if type(out) is float and frame.num_images > 1 and _bytecode.read_set_aside() is not True:
                return _mixed_float_read(frame, func, x, out, f"{op} (lost at {track.lost_at})")
            if func is Tensor.item:  # ``if y.max().item() > c:``: decided per group (was the batch's decision)
                return _extreme_number(frame, x, out)
        elif not _bytecode.torch_check():  # ``if y.amax((1, 2)).max() > c:``: the batch's decision, on a
            # group alone the group's (a check in torch's own code, validation that raises, is none)
            frame.doubt(torch.ones((), dtype=torch.bool), f"a Python branch on the images' data mixed across images "
                        f"(lost at {track.lost_at}) at {op}: on a group alone the body may decide otherwise")
        return
    if truth:  # a branch on data reads no value of the images
        if (not track.rows and track.image is not None and frame.num_images > 1 and _bytecode.truth_through_call()
                and not _bytecode.torch_check()):  # ``f = any; f(e > c)``: stops at the first image's truth, as may others
            frame.doubt(torch.ones((), dtype=torch.bool), f"{op} of one image's data asked by a function the code calls "
                        "(not any, all or bool read as such): how it combines the images' truths is not told")
        elif (not track.rows and track.image is not None and frame.num_images > 1 and not _bytecode.looped()
                and not _bytecode.torch_check()):  # ``if y[0].max() > c:`` outside any loop: an image picked by
            # position, on a group alone another image (review15: was the batch's decision on every group)
            frame.doubt(torch.ones((), dtype=torch.bool), f"a Python branch on one image's data picked by position "
                        f"at {op}: on a group alone the body tests another image")
        return
    r = track.ratio
    if r is None and not track.rows:
        # one image's own scalar: its weight field is matched as a number; other data only sets sizes
        if track.unweighted is None and track.image is not None:
            image = frame.image_id(track.image)
            frame.add_read(HostRead(out, None, None, op, consumed=True, image=image, sizes_only=True, data=True))
        elif (type(out) is float and out != 1 and track.unweighted is not None and track.image is not None
              and track.unweighted.numel() == 1 and float(track.unweighted.reshape(())) == 1):
            # ``w[0].item()`` of the images' weights stacked (or met with the rows): that image's weight,
            # as a read of a tensor filled with it (``_weight_read``; wmix: was kept on a mean of several)
            image = frame.image_ids.get(id(track.image))
            if image is not None:
                frame.weight_reads[id(out)] = (out, frozenset({image}))
        return
    if (func in _NUMBER_READS and type(out) in (int, float) and frame.num_images > 1 and r is not None
            and r.host_image is None and _bytecode.read_branched()):  # ``if int(pos.sum()) > 8:``, ``if m // 4 >= 2:``
        where = f"a value of several images read on the host at {op_name(func)}"
        if frame.reach_now() is None:
            frame.doubt(torch.ones((), dtype=torch.bool), f"{where} is compared or tested in Python (after a conversion, "
                        "arithmetic or a call): on a group alone the body may take the other branch")
        else:  # every group may decide otherwise: the keys the number can change (``_reach``), proven, decline
            frame.branch(Branch(None, "ne", 0.0, True, f"{where}, compared or tested in Python"))
        return
    plain = r is not None and r.kind is RatioKind.SUM and not r.divisors and r.normaliser is None and not r.offset
    # a read of a returned loss only logs it, unless the body's code may compute with the number
    # (``e.sum() * math.exp(loss.item())``: the batch's number on every group)
    source = r if r is None or _bytecode.read_set_aside() is not False else None
    read = HostRead(out, r if plain else None, source, op, image=r.host_image if r is not None else None)
    if read.image is None:
        read.keys = frame.reach_now()
    frame.add_read(read)
    if func in _NUMBER_READS and type(out) in (int, float):
        reach = _bytecode.read_reach(_not_numpy)
        if reach is not None:
            frame.reaches.append(ReadReach(read, *reach))
            frame.reach_sites[reach[0]] = frame.reach_sites.get(reach[0], frozenset()) | reach[1]


def _weight_read(frame: Frame, x: Tensor, out: float, op: str) -> None:
    """``out``, read from ``x``, a one-element tensor filled with images' weight object and nothing
    else (``torch.tensor(t[0]["loss_weight"]).item()``): that object's images (``weight_owners``;
    rt28: a reduced loss of several images times it kept the first image's weight on every group)."""
    filled = frame.weight_filled.get(id(x)) if frame.weight_filled else None
    if filled is not None and filled[0] is x and x.numel() == 1:
        unit = 1.0 if filled[2] is None else float(filled[2].reshape(()))
        if unit == 1:
            frame.weight_reads[id(out)] = (out, frozenset(filled[1]))
            _weight_read_decided(frame, out, op)
        elif unit != out:  # ``(torch.tensor(t[0]["loss_weight"]) * 2).item()``
            frame.doubt(torch.ones((), dtype=torch.bool), f"a number read on the host from a tensor computed from an "
                        f"image's {frame.weight_field!r} ({out:g}; {unit:g} with the weights 1)")
        return
    held = frame.weight_made.get(id(x)) if frame.weight_made else None
    if held is None or held[0] is not x or held[1] is None or x.numel() != 1:
        return  # (``w.sum().item()``: an op that may mix the images, left to the rules of sums)
    unit = float(held[1].reshape(()))
    if unit == 1 and frame.weight_numbers() is not None:  # ``w[0].item()``: an image's weight, as its object
        images = frozenset(b for b, w in enumerate(frame.weight_numbers() or ()) if w == out)
        if images:
            frame.weight_reads[id(out)] = (out, images)
            _weight_read_decided(frame, out, op)
            return
    if unit != out:  # ``(w[0] * 2).item()``: on a group alone computed from 1, a number no rule follows
        frame.doubt(torch.ones((), dtype=torch.bool), f"a number read on the host from a tensor computed from the "
                    f"images' {frame.weight_field!r} ({out:g}; {unit:g} with the weights 1)")


def _weight_read_decided(frame: Frame, out: float, op: str) -> None:
    """Decline the call where ``out``, an image's weight read on the host, not 1, goes to a Python
    comparison or ``math`` (``_bytecode.read_decided``): on a group alone that weight is 1, and
    Python may decide otherwise (``math.isclose(w.item(), 1.0)``, ``if w.item() < 0.9:``)."""
    if out != 1 and _bytecode.read_decided():
        frame.doubt(torch.ones((), dtype=torch.bool), f"a number read on the host ({op}) from a tensor of an "
                    f"image's {frame.weight_field!r} ({out:g}) is compared or given to math in Python: on a group "
                    "alone that weight is 1")


FINITE_READ: list[Callable[[Frame, Tensor, float], bool]] = []
"""``finite.read_tested``: whether a ``.item()`` read of a reduced loss went straight to ``math.isnan``
(``isinf``, ``isfinite``) tested for truth, noted as a branch (registered there: it needs the rules)."""
# host reads of a one-element bool tensor that give its truth as a Python number
_TRUTH_READS = frozenset({Tensor.item, Tensor.tolist, Tensor.__int__, Tensor.__float__, Tensor.__index__})
# host reads of a one-element tensor that give its value as a Python number
_NUMBER_READS = frozenset({Tensor.item, Tensor.__int__, Tensor.__float__, Tensor.__index__})


def _ranked(frame: Frame, track: Track) -> None:
    """Note the image of one image's value read as a number by a sort / min / max key
    (``sorted(zip(e, t), key=lambda p: p[0].item())[0]``): the order, and so an image picked from it
    by position, is decided across images, and on a group alone the group's lowest is picked. A
    returned value holding per-image terms must then hold each image the key read once
    (``positional_key``); the whole sorted list summed does (was silently wrong, s34r)."""
    r = track.ratio
    one = r.host_image if r is not None else None
    if one is None and (r is not None or track.rows or track.image is None or track.image.numel() != 1):
        return
    if not _bytecode.key_read():
        return
    image = one if one is not None else frame.image_ids.get(id(track.image))
    if image is None and track.image is not None:
        image = int(track.image)  # (an image's index unbound from a row map: read on the host, as the key read)
    if image is not None:
        frame.ranked.add(image)
        frame.counting.clear()  # asked before: without the pick


def _read_truth(out: Any) -> bool:
    """The truth of the number a ``_TRUTH_READS`` read returned (``tolist`` of a one-element
    tensor: nested one-item lists)."""
    while type(out) is list and len(out) == 1:
        out = out[0]
    return bool(out)


def _group_read(frame: Frame, track: Track, out: Any, op: str) -> Any:
    """The number ``.item()`` read from a reduced value (a ratio, a sum of ratios, an expression
    of them) as a ``GroupFloat`` / ``GroupInt``, where the body's code proves its uses seen
    (``_bytecode.group_read``); None otherwise. The read is recorded as any other: it declines
    the call unless a loss is divided by it as a count, or scaled by it as a marked number."""
    from .. import _formula

    if track.formula is not None:
        expr, ratios = track.formula
    elif track.parts:
        expr, ratios = _formula.total(len(track.parts)), track.parts
    elif track.ratio is not None and track.lost_at is None:
        expr, ratios = _formula.part(0), (track.ratio,)
    else:
        return None
    if any(r.kind is RatioKind.SUM_OVER_OPAQUE or r.gate is not None or r.test is not None or r.modified() for r in ratios):
        return None
    one = track.ratio if track.formula is None and not track.parts else None
    if one is not None and one.host_image is not None and frame.num_images > 1 and one.kind is RatioKind.SUM \
            and not one.divisors and one.normaliser is None and not one.offset:
        return None  # one image's row sum of several: the per-image rules follow it by value (added up, floored:
        # ``_summed_reads``; marked, its floor ``max(n, 1)`` would be a comparison a group without rows declines)
    exact = False
    if not _bytecode.group_read(frame.group_sites, _not_numpy, type(out) is int):
        # an int the code uses as a float of its value only (``0.1 * max(num_pos, 1)``): given as one
        exact = type(out) is int and abs(out) < 2**53 and _bytecode.group_read(frame.group_sites, _not_numpy, True, as_float=True)
        if not exact:
            return None
    r = track.ratio if track.formula is None and not track.parts else None
    plain = r is not None and r.kind is RatioKind.SUM and not r.divisors and r.normaliser is None and not r.offset
    read = HostRead(out, r if plain else None, r, op, image=r.host_image if r is not None else None, followed=True)
    frame.add_read(read)
    grouped = GroupRead(read)
    frame.group_reads.append(grouped)
    return group_number(frame, float(out) if exact else out, expr, tuple(ratios), (grouped,), exact)


def _reached_before(frame: Frame) -> tuple[int, list[tuple[ReadReach, bool]]] | None:
    """At the op about to run, where the caller's code executes a site of reads (``ReadReach``):
    (the site's offset, each such read with whether it was accounted for before), the reads set
    unconsumed, so that ``_reached_after`` sees whether this op's rule took the number."""
    try:
        at = _bytecode.executing_site(frame.reach_sites)
    except Exception as exc:  # noqa: BLE001 - a bug here must never break training
        frame.error, frame.error_op = exc, "a site of a number read on the host"
        return None
    if at is None:
        return None
    code, offset = at
    held = [(r, r.read.consumed) for r in frame.reaches if r.code is code and offset in r.sites]
    for r, _ in held:
        r.read.consumed = False
    frame.reaching = bool(held)
    return offset, held


def _reached_after(frame: Frame, reached: tuple[int, list[tuple[ReadReach, bool]]], func: Any, args: tuple,
                   kwargs: dict, out: Any) -> None:
    """After the op at a site of reads (``_reached_before``): a read its rule took as a count stays
    accounted for; else the op's output, a new tensor of arithmetic between tensors of the images and
    the number, is lost (on a group alone the number is the group's), or the read is blocked."""
    offset, held = reached
    frame.reaching = False
    fresh = type(out) is Tensor and out._base is None and not any(out is a for a in flat_args(args, kwargs))
    imaged = any(isinstance(a, Tensor) and frame.get(a) is not None for a in flat_args(args, kwargs))
    for r, before in held:
        taken = r.read.consumed
        r.read.consumed = before or taken
        if offset in r.tensor_sites:
            r.seen.add(offset)
        if taken:
            continue
        if func in _NUMBER_ARITHMETIC and fresh and imaged and not (kwargs and kwargs.get("out") is not None):
            frame.lose(out, f"{op_name(func)} with a number read on the host at {r.read.op}")
        elif not before and r.read.image is None and offset in r.tensor_sites and imaged \
                and _fresh_outputs(out, args, kwargs) and not any(d in op_name(func) for d in _DRAW_NAMES):
            # ``x.topk(k)`` of a ``k`` read from several images (one image's own count, or one an earlier
            # op took, is the rules'): new tensors sized or valued by the batch's number (no draw, which
            # would shift later ones), lost as a mixing value's
            for o in out if isinstance(out, tuple) else (out,):
                if (was := frame.get(o)) is None or was.lost_at is None:  # (the rule's own reason kept)
                    frame.lose(o, f"{op_name(func)} with a number read on the host at {r.read.op}")
        elif r.blocked is None:
            r.blocked = op_name(func)


def _fresh_outputs(out: Any, args: tuple, kwargs: dict) -> bool:
    """Whether ``out`` is a new tensor (or a tuple of them) sharing no storage with an argument
    (no view, no in-place result, no ``out=``)."""
    if kwargs and kwargs.get("out") is not None:
        return False
    outs = out if isinstance(out, tuple) else (out,)
    given = [a for a in flat_args(args, kwargs) if isinstance(a, Tensor)]
    return bool(outs) and all(type(o) is Tensor and o._base is None and not any(o is a or o._base is a for a in given)
                              for o in outs)


# out-of-place arithmetic whose operand a number is (its output a new tensor of the operands' values)
_NUMBER_ARITHMETIC = frozenset({
    Tensor.__add__, Tensor.__radd__, Tensor.__sub__, Tensor.__rsub__, Tensor.__mul__, Tensor.__rmul__,
    Tensor.__truediv__, Tensor.__rtruediv__, Tensor.__pow__, Tensor.__rpow__, Tensor.add, Tensor.sub, Tensor.mul,
    Tensor.div, Tensor.true_divide, torch.add, torch.sub, torch.mul, torch.div, torch.true_divide, torch.multiply,
    torch.divide, torch.subtract,
})


def _not_numpy(value: Any, depth: int = 1) -> bool:
    """Whether ``value`` (a local next to a marked number) is no NumPy object (nor holds one)."""
    if type(value).__module__.partition(".")[0] == "numpy":
        return False
    if depth and type(value) is dict:
        return all(_not_numpy(v, 0) for v in list(value.values())[:64])
    if depth and type(value) in (list, tuple):
        return all(_not_numpy(v, 0) for v in value[:64])
    return True


def _side_length(frame: Frame, side: bool) -> None:
    """Note at the ``len`` call being executed whether it read a length of a dim without images
    (``side``) of a tensor whose images lie along another (``Frame.side_length_sites``)."""
    site = _bytecode.len_site()
    if site is not None:
        key = (site[1], site[2])
        frame.side_length_sites[key] = side and frame.side_length_sites.get(key, True)


_LENGTH_READS = frozenset({Tensor.__len__, Tensor.tolist, Tensor.__iter__})
_PIECES = frozenset({Tensor.unbind, torch.unbind, Tensor.split, torch.split, Tensor.chunk, torch.chunk,
                     Tensor.tensor_split, torch.tensor_split, Tensor.split_with_sizes, Tensor.unsafe_split})
SIZE_READS = {Tensor.shape.__get__, Tensor.size, Tensor.numel, torch.numel}  # type: ignore[attr-defined]  # ``len(x)``: a plain int


def _counted_sizes(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> Any:
    """``out``, a size of ``args[0]`` (``x.shape``, ``x.size(d)``, ``x.numel()``), with each size
    of a dim whose indices carry images as a ``RowCount`` of those images, and the elements of a
    tensor with one such dim as a ``RowCount`` of its elements' images (not with sources per
    token: a token's rows are no image's count)."""
    x = args[0]
    track = frame.get(x)
    _size_of_mixed_pick(frame, track, out)
    if isinstance(out, torch.Size):
        for d, size in enumerate(out):
            frame.side_size(track, size, d)
    elif func is Tensor.size and type(out) is int and type(get_arg(args, kwargs, 1, "dim", None)) is int:
        frame.side_size(track, out, get_arg(args, kwargs, 1, "dim", None) % max(x.dim(), 1))
    rows = track.rows if track is not None else None
    if frame.num_images > 1 and track is not None and not frame.images_by_value:
        _image_count_by_value(frame, track, x, func, args, kwargs, out)
    if not rows and track is not None and track.image is not None:
        frame.image_size(track, out, x)
    elif track is None and isinstance(x, Tensor) and (b := frame.index_item(x)) is not None:
        frame.item_size(b, out, x)  # ``indices[0][0].numel()``
    elif (not rows and track is not None and track.lost_at is not None and SOME_POSITIONS in track.lost_at
          and func in (Tensor.numel, torch.numel)):
        frame.lost_size(out, x)
    if not rows:
        sized = frame.sized_by.get(id(x))
        rows = sized[1] if sized is not None and sized[0] is x else None
    if not rows:
        hit = frame.counted.get(id(x))  # ``mask.nonzero()``: row k is the mask's element ``x[k]``
        if hit is not None and hit[0] is x and x.dim() == 2:
            with torch._C.DisableTorchFunction():
                rows = {0: hit[1].rows[x[:, hit[1].row_dim]]}
        elif func is not Tensor.numel and func is not _NUMEL:
            n = (out[0] if out else None) if isinstance(out, torch.Size) else out  # ``nonzero(as_tuple=True)``: as ``len``
            if type(n) is int and (isinstance(out, torch.Size) or get_arg(args, kwargs, 1, "dim", 0) in (0, -x.dim())):
                frame.count_read(x, n, "size")
    if not rows or frame.tokens is not None:
        return out
    if isinstance(out, torch.Size):
        if not any(d in rows and rows[d].numel() == n for d, n in enumerate(out)):
            return out
        return torch.Size([_size_of(frame, n, rows[d]) if d in rows and rows[d].numel() == n else n for d, n in enumerate(out)])
    if func is Tensor.numel or func is _NUMEL:  # with one dim of image rows: the group's elements
        if len(rows) != 1 or type(out) is not int:
            return out
        ((d, each),) = rows.items()
        if each.numel() != x.shape[d]:
            return out
        return frame.count_of(out, expand_rows(frame, each, list(x.shape), d) if x.dim() > 1 else each)
    if type(out) is int:
        d = norm_dim(int(get_arg(args, kwargs, 1, "dim", 0)), x.dim())
        r = rows.get(d)
        if r is not None and r.numel() == out:
            return _size_of(frame, out, r)
    return out


def _image_count_by_value(frame: Frame, track: Track, x: Tensor, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Note (``Frame.images_by_value``) a size read equal to the number of images where it is no
    count of them: a dim without images of a tensor whose images lie on others, or any size of a
    tensor of values attribution lost (``bincount(y, minlength=C)``: its length a constant, or the
    largest label's)."""
    b = frame.num_images
    if frame.padded and id(x) in frame.padded:
        return  # (``pad_sequence``'s width: declined by its own rule, ``shape.padded_use``)
    read: list[tuple[int | None, Any]]
    if isinstance(out, torch.Size):
        read = list(enumerate(out))
    elif func is Tensor.size and type(out) is int:
        read = [(norm_dim(int(get_arg(args, kwargs, 1, "dim", 0)), max(x.dim(), 1)), out)]
    elif type(out) is int:
        read = [(None, out)]
    else:
        return
    if track.rows:
        found = any(type(n) is int and n == b and d is not None and d not in track.rows for d, n in read)
        # (an argument as passed, or joined from arguments, keeps those sizes on a group alone: ``x.shape``
        # unpacked reads every dim, its images' count as a ``RowCount``)
        frame.images_by_value = found and not (frame.argument_joins.get(id(x)) is x or frame.read_argument_tensors
                                               is not None and any(t is x for t in frame.read_argument_tensors()))
    elif track.lost_at is not None:
        frame.images_by_value = any(type(n) is int and n == b for _, n in read)


def _size_of(frame: Frame, n: int, rows: Tensor) -> int:
    """The size ``n`` of a dim whose indices have the images ``rows``: a ``RowCount``, or for a
    piece taken by position (``x.split(2)[1]``) a number that declines where it meets the images'
    values (on a group alone the piece holds other images)."""
    if frame.by_position(rows):
        frame.counted_values.add(float(n))
        out = CountedInt(n)
        out._frame = weakref.ref(frame)
        return out
    return frame.count_of(n, rows)


FACTORIES = {torch.zeros, torch.ones, torch.empty, torch.full, torch.rand, torch.randn, Tensor.new_zeros,
             Tensor.new_ones, Tensor.new_empty, Tensor.new_full}
_DRAWS = {torch.rand, torch.randn}  # factories whose values, not only their shape, follow the size
# a lost value's op names this where its size is the number of positions a mask (or its indices)
# of values that mix images picked: on a group alone another number
MIXED_PICK = "positions picked by values that mix images"
SOME_POSITIONS = "of some positions of a dim that carries images"  # ``e[1:]``, ``e[:2]``: lost at a slice of the images


def mixed_pick(lost: str) -> str:
    """``lost`` (the op where attribution was lost) marked as picking positions by mixed values."""
    return lost if MIXED_PICK in lost else f"{lost}: {MIXED_PICK}"


def _size_of_mixed_pick(frame: Frame, track: Track | None, out: Any) -> None:
    """``len(e[mask])``, ``e[mask].numel()``, ``.shape[0]`` with ``mask`` from values that mix
    images (``e > e.mean()``): sizes the rules cannot split, plain numbers where they later divide
    (wrong4: were read as constants of the body); noted for ``elementwise``'s division."""
    if track is not None and track.lost_at is not None and MIXED_PICK in track.lost_at:
        frame.mixed_sizes.update(n for n in (out if isinstance(out, torch.Size) else (out,)) if type(n) is int)


BY_VALUE_ONLY = ", equal to one by value"  # a lost value's op ends so where its number only equals a count



# ops that fill or make a tensor from values: where a ``RowCount`` is a value (``torch.full((), bs)``,
# ``torch.tensor([bs])``), not a size: position of the first value argument
_VALUE_ARGS = {torch.full: 1, Tensor.new_full: 2, torch.full_like: 1, Tensor.fill_: 1, Tensor.masked_fill: 2,
               Tensor.masked_fill_: 2, torch.masked_fill: 2, torch.tensor: 0, torch.as_tensor: 0,
               torch.scalar_tensor: 0, Tensor.new_tensor: 1}
# of those, the ones given a size (or a tensor to fill) besides the value
_SHAPED_FILLS = frozenset({torch.full, Tensor.new_full, Tensor.fill_})
_CONSTANT_COLUMNS = frozenset({torch.zeros, torch.ones, Tensor.new_zeros, Tensor.new_ones})
# of those, the ones whose data are often literals of the body (``torch.tensor(2.0)``): a number
# there is counted by its type only, not by its value
_DATA_ARGS = {torch.tensor, torch.as_tensor, torch.scalar_tensor, Tensor.new_tensor}
_VALUE_RULES = ("elementwise", "losses")  # rule families whose number arguments are values
_BINARY_RULES = ("add", "mul", "div", "comparison", "sub", "rsub", "binary")  # follow counts themselves
_ARITHMETIC_RULES = ("add", "mul", "div", "sub", "rsub", "binary")


_VALUE_RULE: dict[Any, bool] = {}


def _value_rule(rule: Any) -> bool:
    """Whether ``rule``'s number arguments are values (see ``_VALUE_RULES``), cached per rule."""
    known = _VALUE_RULE.get(rule)
    if known is None:
        known = _VALUE_RULE[rule] = (
            rule.__module__.rsplit(".", 1)[-1] in _VALUE_RULES and rule.__name__ not in _BINARY_RULES
        )
    return known


def count_data(frame: Frame, func: Any, args: tuple, kwargs: dict) -> Any:
    """The data argument of a new tensor (``torch.tensor``, ``x.new_tensor``) where it is a
    ``RowCount`` of this call itself (``torch.tensor(target.numel())``), or a flat sequence of ints
    some of which are (``torch.tensor(target.size())``); None otherwise (a number computed from a
    count, a count inside a nested list). The op's rule (``shape.full``) follows it."""
    if func not in _DATA_ARGS:
        return None
    data = get_arg(args, kwargs, 1 if func is Tensor.new_tensor else 0, "s" if func is _SCALAR_TENSOR else "data", None)
    if frame.row_count(data) is not None:
        return data
    if type(data) in (torch.Size, tuple, list) and all(type(n) in (int, RowCount) for n in data) and any(
            frame.row_count(n) is not None for n in data):
        return data
    return None


def _number_value_provenance(frame: Frame, func: Any, args: tuple, kwargs: dict) -> str | None:
    """Why a number that makes the values of ``func``'s new tensor (a fill, data) on the group alone
    is no value of this call that the count rules follow, as the code that computed it reads
    (``_provenance``): a size through a function of ``math`` (``torch.full((n, 1), math.sqrt(bs))``:
    the float leaves the count's value behind), chosen against a literal (``torch.as_tensor(max(bs,
    4.0))``, ``n if n > 8 else 8`` that gave the literal) or put through arithmetic no rule follows
    (``torch.as_tensor(abs(n - 4.0))``); None where none is seen, or where the value is no Python
    number (a list of indices is no number chosen, whatever literal it holds)."""
    at = _VALUE_ARGS[func]
    value = args[at] if len(args) > at else next((v for k, v in kwargs.items() if k not in ("size", "dtype", "device")),
                                                  None)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None

    given = _bytecode.executed_argument_tags(functools.partial(_value_positions, at, len(args), len(kwargs)))
    shift = len(args) + len(kwargs) - len(given or ())  # 1: a method's receiver (``x.new_full(size, v)``)
    if not given or shift not in (0, 1) or at < shift:
        return None
    # the value's own (a keyword's: every keyword's)
    tags = given[at - shift:at - shift + 1] if len(args) > at else given[len(args) - shift:]
    elementwise = late_module("elementwise")
    if frame.plain_counts and any(_provenance.size_through_math(x) for x in tags):
        return elementwise.SIZE_THROUGH_MATH
    if frame.plain_counts and (op := next(filter(None, map(_provenance.size_made_plain, tags)), None)) is not None:
        return f"{elementwise.SIZE_MADE_PLAIN} (``{op.split(':', 1)[1]}``)"
    # (``torch.as_tensor(math.sqrt(len(t)))``, ``len(t) / 2``: the count rules follow the length itself, or capped;
    # after host reads or lengths of rows, ``_length_value`` reads it)
    op = None if frame.host_reads or frame.lengths else next(
        (o for o in (_provenance.length_arithmetic(x, "div") for x in tags if x is None or not x & {"H", "V", "W"})
         if o is not None), None)  # (a host read or an image's number in it: their rules')
    if op is not None:
        return f"{elementwise.LENGTH_ARITHMETIC} (``{op.split(':', 1)[1]}``)"
    # (one image's number picked by position: the rules of picked sizes read it where it meets a loss)
    return elementwise.chosen_number_reason(tags, value, float(value), frozenset({"pick"}))


def _value_positions(at: int, given: int, keywords: int, argc: int) -> range:
    """The position of a new tensor's value (argument ``at`` of ``given`` positional ones and ``keywords``
    keywords) among the ``argc`` arguments its call passes (``shift`` in ``_number_value_provenance``)."""
    first = at - (given + keywords - argc) if given > at else argc - keywords
    return range(first, first + 1) if given > at else range(first, argc)


def _counted_value(frame: Frame, func: Any, rule: Any, args: tuple, kwargs: dict) -> bool:
    """Whether a ``RowCount``, or a number computed from one, is a value argument of ``func``:
    a fill value, the data of a new tensor (also inside a list), or any number argument of an
    element-wise op or a loss (``clamp(max=bs)``, ``torch.where(m, l, bs)``, ``beta=bs``) other
    than the arithmetic that follows counts. Not the count itself as a new tensor's data
    (``count_data``: its rule follows it)."""
    if count_data(frame, func, args, kwargs) is not None:
        return False
    at = _VALUE_ARGS.get(func)
    if at is not None:
        values = flat_args(args[at:], {k: v for k, v in kwargs.items() if k not in ("size", "dtype", "device")})
    elif rule is not None and _value_rule(rule):
        # (``F.softmax`` passes torch's own ``_stacklevel=3`` down: no value, whatever count it equals)
        values = flat_args(args, {k: v for k, v in kwargs.items() if k != "_stacklevel"} if "_stacklevel" in kwargs
                           else kwargs)
    else:
        return False
    by_value = func not in _DATA_ARGS
    frame.op = (func, args, kwargs)  # the op whose code ``counted_number`` reads for constants
    try:
        return any(frame.row_count(v) is not None or frame.counted_number(v, by_value) for v in values)
    finally:
        frame.op = None


BY_POSITION_NUMBER = ("of a Python number computed from an image's position in a loop over the images (``0.5 ** i`` "
                      "over ``enumerate(targets)``): on a group alone the image has another position")
BY_LENGTH_NUMBER = ("with a Python number the body computed from a length of its data (``len(targets)``, a count over "
                    "the images' items) as an exponent, a bound, a threshold or a term: on a group alone it is "
                    "computed from the group's")
BY_SIZE_NUMBER = ("with a Python number the body computed from a size of image rows (``x.shape[0]``, ``x.size(0)``) "
                  "as an exponent, a bound, a threshold or a term: on a group alone it is computed from the group's")
BY_WEIGHT_NUMBER = ("with a Python number the body computed from the images' weight field (``clamp(max=2.0 * w[b])``) "
                    "as an exponent, a bound, a threshold or a term: on a group alone each weight is 1")


def _weighted_number(frame: Frame, args: tuple, kwargs: dict) -> bool:
    """Whether a plain number argument of the op is computed, as the code reads, from the images'
    weight field (``batch_fields.read_fields``) where some weight is not 1: a weight scaling a
    value is read by the rules of weights, one in a bound or an exponent by none."""
    weights, targets = frame.weight_numbers(), frame.per_image_targets
    if not weights or all(w == 1 for w in weights) or targets is None or frame.weight_field is None:
        return False
    read_fields = late_module("batch_fields").read_fields

    # (not 0.0: a running total's start, ``total = total + l_b * t["loss_weight"]``, stored from a weight)
    numbers = [v for v in (*args, *kwargs.values()) if type(v) is float and v != 0]
    loaded = _bytecode.operand_locals() if numbers else None
    if loaded is None:  # (literals only: ``clamp(min=1e-6)``)
        return False
    weight = (("item", frame.weight_field),)
    if any(weight in read_fields(targets, v) for v in numbers):
        return True
    # a list of the weights themselves (``w = [s["loss_weight"] for s in t]``) read as a free variable,
    # whose stores ``read_fields`` does not follow
    key = frame.weight_field
    return any(type(v) in (list, tuple) and len(v) == len(targets) and all(
        isinstance(s, Mapping) and key in s and x is s[key] for x, s in zip(v, targets)) for v in loaded)


# rules of ops whose number arguments are values of the body (see ``_value_rule``) or compared
# with, added to or a power of the values (``e > 0.1 * n``, ``l + n * 0.1``, ``n ** e``); a product
# or a quotient (``l.sum() / num_boxes``) is left to the rules that read divisors
_LENGTH_RULES = frozenset({"comparison", "add", "sub", "rsub", "binary"})
_POSITION_RULES = _LENGTH_RULES | {"mul", "div", "unary", "clamp"}


def per_element(track: Track) -> bool:
    """Values not reduced yet (no ratio, parts, expression or elements): scaled element-wise by a
    number, ``(e * (len(t) * 0.1)).mean()``, they keep it through their reduction."""
    return track.ratio is None and not track.parts and track.formula is None and not track.elements and not track.element_formulas


_LENGTH_RULE: dict[Any, int] = {}


def _length_rule(rule: Any) -> int:
    """Whether ``rule``'s number arguments may be numbers computed from a length (see
    ``_length_number``): 0 never, 1 always, 2 on values not reduced yet; cached per rule (the
    rules of most ops, indexing and shapes, need no look at the op's track)."""
    known = _LENGTH_RULE.get(rule)
    if known is None:
        name = rule.__name__
        known = _LENGTH_RULE[rule] = 1 if _value_rule(rule) or name in _LENGTH_RULES else 2 if name in ("mul", "div") else 0
    return known


def _length_number(frame: Frame, rule: Any, args: tuple, kwargs: dict, out: Any) -> str | None:
    """Why a plain Python number argument of an op on tracked values, whose result the rule
    followed, makes the result no image's own: in the body's code it is computed from a length of
    the body's data (``_bytecode.counted_number``: ``BY_LENGTH_NUMBER``) or from a position in a
    loop over the images (``_bytecode.positional_number``: ``BY_POSITION_NUMBER``). None else."""
    kind = _LENGTH_RULE.get(rule, -1)
    if kind < 0:
        kind = _length_rule(rule)
    # the plain number first: most ops on tracked values get none (each test here runs per op)
    if not kind or not _plain_number_in((*args, *kwargs.values()) if kwargs else args):
        return None
    track = frame.get(out) if isinstance(out, Tensor) else None
    if track is None or track.lost_at is not None or kind == 2 and not per_element(track):
        return None
    for v in flat_args(args, kwargs):  # (a loop: no generator per op)
        if isinstance(v, Tensor) and frame.get(v) is not None:
            break
    else:
        return None
    if _bytecode.counted_number(zero=rule.__name__ not in ("add", "sub", "rsub"), numbers=_PLAIN_NUMBERS) \
            or kind == 1 and _bytecode.counted_attribute():  # (``clamp(max=self.cap)``, ``self.cap = 0.3 / len(t)``)
        return BY_LENGTH_NUMBER
    # a bound, an exponent or a term from a size of image rows (``clamp(max=0.15 * x.shape[0])``:
    # ``float.__mul__`` ran first, no ``CountedFloat`` marks it); products and quotients are the
    # binary rules' (``l.sum() / bs`` splits by the group's count)
    if kind == 1 and frame.size_sites and _bytecode.sized_argument(
            [(code, offset, dims) for (code, offset), (_, dims) in frame.size_sites.items()], frame.size_number):
        return BY_SIZE_NUMBER
    if kind == 1 and rule.__name__ not in ("add", "sub", "rsub") and _weighted_number(frame, args, kwargs):  # (running totals)
        return BY_WEIGHT_NUMBER
    # a position of a comprehension or a helper's loop over the images (``(per[i] * 0.7 ** i).sum()
    # for i in range(len(t))``): ``counted_number`` reads the loop counters of the executing code only.
    # Arithmetic, powers and bounds only: a fill (``torch.full_like(src, i)`` of DETR's batch index)
    # is read by the rules of positions
    if rule.__name__ not in _POSITION_RULES:
        return None
    return BY_POSITION_NUMBER if _bytecode.positional_number(frame.size_sites, frame.per_image_targets, nested=True) \
        else None


_ADDS = frozenset({Tensor.__add__, Tensor.__radd__, Tensor.__iadd__, Tensor.add, torch.add, Tensor.add_})


def _image_chain(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Tensor) -> None:
    """Note the op that made ``out``, one image's 0-dim value, from values of that image: its
    code position and the Python numbers it took (a 0-dim tensor of no images by value where it is
    on the host, else as one of its own), beside the ops that made its operands. A Python sum of
    such values is one of one-image losses only where every image's terms were made alike
    (``elementwise._image_terms``): ``0.9 * r[0] + sum(r[1:])`` scales the first image's term alone,
    on a group alone the group's first."""
    track = frame.get(out)
    if track is None or track.image is None or track.rows or track.lost_at is not None or track.ratio is not None:
        return
    made: set[tuple[Any, ...]] = set()
    numbers: list[Any] = []
    for x in flat_args(args, kwargs):
        if isinstance(x, Tensor):
            held = frame.image_chains.get(id(x))
            if held is not None and held[0] is x:
                made |= held[1]
            elif frame.get(x) is None:
                numbers.append(cpu_item(x) if x.numel() == 1 and x.device.type == "cpu" else object())
        elif type(x) in (int, float, bool):
            numbers.append(x)
    if not (func in _ADDS and not kwargs and numbers and all(n == 0 for n in numbers)):  # (``torch.zeros(()) + l_b``)
        op = (_bytecode.call_site(), tuple(numbers))
        made.add(op)
        frame.made_stacks.setdefault(op, set()).add(_bytecode.user_sites())
    frame.image_chains[id(out)] = (out, frozenset(made))


def _running_sums_tensor(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Tensor) -> None:
    """``torch.tensor(num_fg / max(num_gts, 1))`` (YOLOX's logged foreground ratio): a one-element
    tensor of Python arithmetic the code proves made of literals and running sums of one number
    read or sized per image (``_bytecode.tensor_of_running_sums``), each such sum's numbers found
    per image (``Frame.running_sum``). On a group alone the body adds up the group's numbers, so
    the tensor is that expression of the group's sums, each a row-sum ratio over the images, its
    floors as the code writes them. Left as it was (no track) where anything is not so."""
    from .. import _formula

    data = get_arg(args, kwargs, 0, "data", None)
    if type(data) not in (int, float) or out.numel() != 1 or out.dtype not in _EXACT_DTYPES:
        return
    found = _bytecode.tensor_of_running_sums() if frame.num_images > 1 else None
    if found is None:
        _one_read_tensor(frame, func, data, out)
        return
    tree, names = found
    index: dict[str, int] = {}
    ratios: list[Ratio] = []
    values: list[float] = []
    for name, (value, floor, kind) in names.items():
        numbers = frame.running_sum(value, kind)
        if numbers is None:
            return
        index[name] = len(ratios)
        ratios.append(Ratio.of(host_tensor(list(numbers), torch.float64, out.device), frame.arange(out.device), 0,
                               RatioKind.SUM))
        if floor is not None and value <= floor:
            return  # at its floor the value may be no sum: which numbers it adds up cannot be told
        values.append(float(value))

    def expression(node: tuple[Any, ...]) -> tuple[Any, ...]:
        if node[0] == "local":
            floor = names[node[1]][1]
            return ("p", index[node[1]]) if floor is None else ("max", ("p", index[node[1]]), ("c", floor))
        if node[0] == "c":
            return node
        return (node[0], expression(node[1]), expression(node[2]))

    expr = expression(tree)
    if _formula.evaluate(expr, values) != data:  # the code read otherwise than it ran
        return
    frame.set(out, Track(from_prediction=True, formula=(expr, tuple(ratios)),
                         lost_at=f"{op_name(func)} of Python sums of one number per image"))


def _one_read_tensor(frame: Frame, func: Any, data: float, out: Tensor) -> None:
    """``torch.tensor(num_pos)`` with ``num_pos = max(float(pos.sum()), 1.0)`` (EFL's logged count,
    survey 55): a one-element tensor of a local the code proves one read on the host, maybe floored
    (``_bytecode.tensor_of_one_read``), whose number is the very object a plain row-sum read of data
    returned (an int: the one such read of that value). On a group alone the body reads the group's
    sum, floored as written: that expression of the read's ratio. Left as it was where not so, or at
    its floor (the number may be the floor's, no read)."""
    from .. import _formula

    found = _bytecode.tensor_of_one_read()
    if found is None or found[2] is not data or (found[1] is not None and data <= found[1]):
        return
    reads = [read for read in frame.host_reads if read.ratio is not None and _is_count(read.value)
             and (read.value is data if type(data) is float else read.value == data)]
    ratio = reads[0].ratio if len(reads) == 1 else None
    if ratio is None or not data_value(ratio):
        return
    expr: tuple[Any, ...] = ("p", 0) if found[1] is None else ("max", ("p", 0), ("c", found[1]))
    if _formula.evaluate(expr, [float(reads[0].value)]) != data:
        return
    reads[0].consumed = True
    frame.set(out, Track(from_prediction=True, formula=(expr, (ratio,)),
                         lost_at=f"{op_name(func)} of a number read on the host"))


def _length_value(frame: Frame, func: Any, rule: Any, args: tuple, kwargs: dict, out: Any) -> bool:
    """Whether an op on no tracked tensor makes a tensor from a plain Python number that the
    body's code computed from a length of its data (``torch.tensor(1.0 / max(len(pos), 1))``,
    ``x.new_full((n,), 1.0 / n)``, ``torch.ones(n) / max(n, 1)``; ``_bytecode.counted_number``):
    a constant to the rules where it later meets the images' values, but on a group alone the
    body computes it from the group's (review12: was silently wrong). Asked only after host
    reads or lengths of image rows."""
    if not isinstance(out, Tensor) or frame.get(out) is not None:
        return False
    if frame.filled_numbers and _count_tensor_arithmetic(frame, rule, args, kwargs, out):
        return True
    at = _VALUE_ARGS.get(func)
    if at is not None:
        values = flat_args(args[at:], {k: v for k, v in kwargs.items() if k not in ("size", "dtype", "device")})
    elif rule is not None and rule.__name__ in _BINARY_RULES:
        values = flat_args(args, kwargs)
    else:
        return False
    numbers = [v for v in values if type(v) in (int, float)]
    if not numbers or any(isinstance(v, Tensor) and frame.get(v) is not None for v in values):
        return False
    if at is None and _shifted_positions(frame, rule, values, numbers, out):
        return False
    if out.numel() == 1 and at is not None and len(numbers) == 1 and _is_count(numbers[0]) and (
            numbers[0] in frame.lengths or any(read.value == numbers[0] for read in frame.host_reads)):
        return False  # ``torch.tensor(len(pos))``: a one-element tensor of the count, read as the count
    return _bytecode.counted_number(zero=False)


def _shifted_positions(frame: Frame, rule: Any, values: list[Any], numbers: list[Any], out: Tensor) -> bool:
    """``torch.arange(b) + b``: integer positions laid out by a count of image rows
    (``Frame.positional``) shifted by a whole multiple of that count, written so
    (``_bytecode.count_multiple_shift``: ``b``, ``2 * b``, ``len(q)``; the hard negatives' columns
    of ``cat([pos, neg])``, ColBERT's pairwise loss). Positions still, on a group alone laid out by
    its count as the block they point into: noted so (an index's rules check the images they pick;
    as values met with image rows they decline, ``positional_operand``; any other op of them loses
    its output, ``_derive_positional``). True where so. A shift equal to such a multiple by value
    only (``b - 3``, ``2 * b - 3`` or ``3`` on 3 images, red45: silently wrong) is none: on a group
    alone it points into another block, or none."""
    if rule.__name__ not in ("add", "sub") or out.dtype is not torch.long or len(numbers) != 1 \
            or type(numbers[0]) is not int:
        return False
    held = next((frame.positional.get(id(v)) for v in values if isinstance(v, Tensor)), None)
    if held is None or held[0] is not values[0] or out.shape != held[0].shape or out.dim() != 1 \
            or not out.shape[0] or not numbers[0] or numbers[0] % out.shape[0]:
        return False
    k = _bytecode.count_multiple_shift()
    length = numbers[0] // k if k and not numbers[0] % k else 0  # (the length the code read)
    if not length or length % out.shape[0] or not (length in frame.lengths or _bytecode.counted_number(zero=False)):
        return False
    frame.positional[id(out)] = (out, held[1] if held[1].endswith(SHIFTED_BY_COUNT) else held[1] + SHIFTED_BY_COUNT)
    frame.shifted_out = out
    return True


SHIFTED_BY_COUNT = ", shifted by a whole multiple of that count"


BY_COUNT_VALUES = ("of values the body computed from a length of its data (``len(targets)``) along a dim of that "
                   "many entries: on a group alone they are computed from the group's count")
PICKED_SIZE = ("of a number equal to a size the body read of some images' own tensors only "
               "(``t[0][\"boxes\"].shape[0]``): it may be that size, on a group alone another image's")
_SPREADS = frozenset({Tensor.expand, Tensor.expand_as, Tensor.broadcast_to, torch.broadcast_to, Tensor.repeat})


_SUMS = frozenset({Tensor.sum, torch.sum})
# joins of tensors: one-element tensors of a number computed from the count joined are such values on several entries
_JOINS = frozenset({torch.cat, torch.concat, torch.concatenate, torch.stack, torch.hstack, torch.vstack})


def _count_met(frame: Frame, rule: Any, args: tuple, out: Tensor) -> bool:
    """Whether an arithmetic op the rules followed meets a one-element tensor of a number computed
    from a count of the images (``Frame.count_made``: ``torch.full((), 1.0 / len(t))``,
    ``torch.ones(()) * len(t)``, ``torch.ones(len(t)).sum()``) other than as the divisor of values
    already reduced (``l.sum() / torch.tensor(float(len(t)))``, the count the divisor rules read):
    to the rules it is a constant, but on a group alone the body computes it from the group's
    count (red team 27: silently wrong)."""
    if rule is None or rule.__name__ not in _ARITHMETIC_RULES:
        return False
    for i, v in enumerate(args):
        if not isinstance(v, Tensor) or v.numel() != 1:
            continue
        made = frame.count_made.get(id(v))
        if made is None or made[0] is not v or not made[1] or frame.get(v) is not None:
            continue
        if i == 1 and rule.__name__ == "div" and isinstance(args[0], Tensor):
            track = frame.get(args[0])
            if track is not None and not per_element(track):
                continue
        # the rule of numbers read from the targets' fields declined the call already, naming the field
        return not any(_FIELD_DOUBT in message for _, message, _ in frame.checks)
    return False


_FIELD_DOUBT = "by a number the code computes from the images'"  # elementwise.FIELD_NUMBER


def _count_valued(frame: Frame, func: Any, rule: Any, args: tuple, kwargs: dict, out: Tensor) -> bool:
    """Whether an op on no tracked tensor makes values computed from a count of the images along
    a dim of several entries (session 28: met the images' rows as constants, silently wrong; on
    a group alone the body computes ``1 / n_g``): a factory sized by the count (``Frame.count_dims``)
    filled with a number computed from it (``torch.full((B,), 1.0 / B)``), arithmetic of one with
    such a number (``torch.ones(B) / B``, ``(1 / B) * torch.ones(B)``; with another number it
    stays sized by the count: ``torch.ones(B) * 2 / B``), or a one-element tensor of such a number
    spread over several entries (``torch.tensor(float(B)).expand(B)``). The count's provenance is
    the body's code (``_bytecode.counted_number``), asked only at those ops: literals, globals
    and ``torch.ones(B)`` itself (values of 1) keep splitting. Also an arithmetic op meeting
    several entries of the images' values with a one-element tensor made of such a number
    (``rows * torch.tensor(1.0 / len(t))``; ``_count_tensor_on_rows``)."""
    track = frame.get(out)
    if track is not None:
        if rule is not None and frame.count_made and _value_rule(rule):
            # a bound or an exponent made of the count (``e.clamp(max=0.15 * torch.tensor(float(len(t))))``):
            # no rule rescales it per group
            return _count_tensor_on_rows(frame, args, kwargs, out)
        if rule is None or rule.__name__ not in _ARITHMETIC_RULES:
            return False
        if frame.picked_made and _picked_tensor_met(frame, args, kwargs):
            frame.lose(out, f"{op_name(func)} {PICKED_SIZE}", pred=False)
            return False
        return bool(frame.count_made and track.rows) and _count_tensor_on_rows(frame, args, kwargs, out)
    if frame.picked_made and out.numel() == 1:
        picked = _picked_operand(frame, args, kwargs)
        if picked is not None:  # ``torch.tensor(float(t[0]["boxes"].shape[0])).clamp(min=1)``: still that size (rt39)
            frame.picked_made[id(out)] = (out, picked)
    if func in _DATA_ARGS:
        data = get_arg(args, kwargs, 1 if func is Tensor.new_tensor else 0, "data", None)
        if type(data) in (list, tuple) and len(data) == 1:
            data = data[0]
        elif type(data) in (list, tuple) and frame.num_images > 1 and all(type(v) in (int, float) for v in data) \
                and _bytecode.counted_item():
            frame.lose(out, f"{op_name(func)} {BY_LENGTH_NUMBER}", pred=False)  # ``torch.tensor([0.1, 1 / len(t)])``
            return False
        if out.numel() == 1 and type(data) in (int, float) and data and frame.num_images > 1 \
                and (_bytecode.counted_number(zero=False) or frame.counted_number(data) and not _bytecode.literal_size(
                    data, 1 if func is Tensor.new_tensor else 0, "data", len(args) + len(kwargs))):
            frame.count_made[id(out)] = (out, True)
        if (frame.image_size_read or frame.index_sizes) and out.numel() == 1 and type(data) in (int, float) \
                and frame.num_images > 1:
            # (also of a count: ``float(len(t[0]["boxes"]))`` is read as one, and is a size of the first image only)
            from .elementwise import picked_size_number  # (it imports this module)

            if picked_size_number(frame, data, uneven=False):
                frame.picked_made[id(out)] = (out, data)
        return False
    if func in _SPREADS:
        held = frame.count_made.get(id(args[0])) if args else None
        return held is not None and held[0] is args[0] and held[1] and args[0].numel() == 1 < out.numel()
    if func in _JOINS and out.numel() > 1 and out.is_floating_point() and id(out) not in frame.position_columns:
        # ``torch.cat([torch.full((1,), float(i)) ..])`` (a table of such a column beside the targets: ``_joined_columns``)
        parts = args[0] if args and type(args[0]) in (list, tuple) else ()
        return any(type(p) is Tensor and p.numel() == 1 and (held := frame.count_made.get(id(p))) is not None
                   and held[0] is p and held[1] for p in parts)
    if frame.count_made and rule is not None and rule.__name__ in _COUNT_TENSOR_RULES and out.dtype is not torch.bool \
            and func not in _COUNT_FLOORS and _of_a_count_tensor(frame, args, kwargs, rule.__name__):
        return True
    at = _VALUE_ARGS.get(func)
    if at is not None:
        dims = frame.count_dims.get(id(out))
        sized_out = dims is not None and dims[0] is out
        if not sized_out and func in _SHAPED_FILLS and out.numel() > 1 and frame.num_images > 1:
            # ``e.new_full(e.shape, float(len(t)))``, ``torch.full(e.shape, n)``: sized otherwise, each entry
            # the number (red team 32: met the images' rows as a constant, the batch's count on every group)
            value = get_arg(args, kwargs, at, "fill_value" if func in (torch.full, Tensor.new_full) else "value", None)
            return type(value) in (int, float) and bool(value) and not frame.weight_owners(value) \
                and frame.int_fills.get(id(out)) is not out \
                and _bytecode.counted_number(zero=False, sized=func is not Tensor.fill_) \
                and not _bytecode.loop_position_operand(value)  # (the seed's weight fills; DINO's image positions)
        if not sized_out and (out.numel() != 1 or frame.num_images < 2):
            return False
        value = get_arg(args, kwargs, at, "fill_value" if func in (torch.full, Tensor.new_full) else "value", None)
        counted = type(value) in (int, float) and bool(value) and (_bytecode.counted_number(zero=False, sized=True) or (
            # (a float fill of a comprehension's image position: a factor; an int one is DETR's batch index)
            not sized_out and out.is_floating_point()
            and _bytecode.positional_number(frame.size_sites, frame.per_image_targets, nested=True)))
        if counted and not sized_out:  # ``torch.full((), 1.0 / len(t))``: one value computed from the count
            frame.count_made[id(out)] = (out, True)
            return False
        return counted
    if func in _SUMS and args and out.numel() == 1 and isinstance(args[0], Tensor):
        dims = frame.count_dims.get(id(args[0]))
        if dims is not None and dims[0] is args[0] and frame.get(args[0]) is None and frame.num_images > 1:
            frame.count_made[id(out)] = (out, True)  # ``torch.ones(len(t)).sum()``: the count itself
        return False
    if rule is None:
        return False
    if rule.__name__ == "unary" and args and isinstance(args[0], Tensor) and out.numel() == 1:
        made = frame.count_made.get(id(args[0]))
        if made is not None and made[0] is args[0] and made[1] and frame.get(args[0]) is None:
            frame.count_made[id(out)] = (out, True)  # ``n ** 2``, ``n.sqrt()``
        return False
    if rule.__name__ not in _ARITHMETIC_RULES:
        return False
    sized = None
    one_made = one = False
    for v in flat_args(args, kwargs):
        if isinstance(v, Tensor):
            if frame.get(v) is not None:
                return False
            dims = frame.count_dims.get(id(v))
            made = frame.count_made.get(id(v))
            if dims is not None and dims[0] is v or made is not None and made[0] is v and not made[1]:
                sized = v
            one = one or v.numel() == 1 and v.dtype.is_floating_point  # (not ``n - u_idx`` of index arithmetic)
            one_made = one_made or made is not None and made[0] is v and made[1] and v.numel() == 1
    if sized is None and out.numel() == 1 and frame.num_images > 1 and (
            one_made or one and _plain_number_in(args) and _bytecode.counted_number(zero=False)):
        frame.count_made[id(out)] = (out, True)  # ``n ** 2``, ``1 / n``, ``torch.ones(()) * len(t)``
        return False
    if sized is None or not _plain_number_in(args):
        return False
    if _bytecode.counted_number(zero=False):
        return True
    if out.shape == sized.shape:
        frame.count_made[id(out)] = (out, False)
    return False


def _count_tensor_on_rows(frame: Frame, args: tuple, kwargs: dict, out: Tensor) -> bool:
    """Whether an arithmetic op whose ``out`` holds the images' rows meets a
    one-element tensor the body made of a number computed from the count of the images
    (``Frame.count_made``, recorded where ``torch.tensor(1.0 / len(t))`` was made): each entry
    scaled by the batch's count, on a group alone by the group's (session 28's pin, read as a
    constant: silently wrong). Dividing a sum over the images (``e.sum() / count``, column sums
    ``e.sum(0) / count``: no rows) it is left to the normaliser rules."""
    for v in flat_args(args, kwargs):
        if type(v) is Tensor and v.numel() == 1 and frame.get(v) is None:
            made = frame.count_made.get(id(v))
            if made is not None and made[0] is v and made[1]:
                return True
    return False


_COUNT_TENSOR_RULES = frozenset({"unary", "add", "sub", "rsub", "binary", "div"})
# floors of a count (``torch.maximum(n, torch.ones(()))``): left to the floored-count rules
_COUNT_FLOORS = frozenset({torch.maximum, Tensor.maximum, torch.fmax, Tensor.fmax, torch.max, Tensor.max,
                           torch.minimum, Tensor.minimum, torch.fmin, Tensor.fmin, torch.min, Tensor.min})


def _of_a_count_tensor(frame: Frame, args: tuple, kwargs: dict, rule: str) -> bool:
    """Whether an op computing new values (a function, arithmetic) on no tracked tensor reads a
    one-element tensor made of a number computed from the count of the images (``Frame.count_made``):
    ``torch.exp(torch.tensor(float(len(t))))``, ``torch.sqrt(n)``, ``n + 1``, ``1 / n`` hold no
    number the later ops read as the count (``filled_numbers`` holds the tensor's own), and on a
    group alone the body computes them from the group's (session 28's pins: read as constants,
    silently wrong). Copies, views, floors (``clamp(min=1)``) and the count scaled (``n * 2``,
    ``n / 2``: read as a constant times the count) are left to the rules after them."""
    for k, v in enumerate(flat_args(args, kwargs)):
        if type(v) is Tensor and v.numel() == 1 and not (rule == "div" and k == 0):
            made = frame.count_made.get(id(v))
            if made is not None and made[0] is v and made[1]:
                return True
    return False


def _picked_operand(frame: Frame, args: tuple, kwargs: dict) -> float | None:
    """The size a ``Frame.picked_made`` tensor operand holds, where the op meets no tracked tensor
    (a clamp, a cast, arithmetic with numbers: the value computed from it is still computed from that
    size of some images only); else None."""
    picked = None
    for v in flat_args(args, kwargs):
        if type(v) is Tensor:
            if frame.get(v) is not None:
                return None
            held = frame.picked_made.get(id(v))
            if held is not None and held[0] is v:
                picked = held[1]
    return picked


def _picked_tensor_met(frame: Frame, args: tuple, kwargs: dict) -> bool:
    """Whether an arithmetic op meets a value of several images (not one image's loss) with a
    ``Frame.picked_made`` tensor whose number still equals a size read of some images only (a loop
    over the images reading each image's own count has read them all by the time a value of
    several images meets it): on a group alone the body reads another image's (red team 18's
    ``mean() * torch.tensor(float(t[0]["boxes"].shape[0]))``, read as a constant)."""
    from .elementwise import read_unevenly  # (it imports this module)

    several = picked = None
    for v in flat_args(args, kwargs):
        if type(v) is Tensor:
            track = frame.get(v)
            if track is not None and track.image is None and (track.ratio is None or track.ratio.host_image is None):
                several = v
            elif track is None and (held := frame.picked_made.get(id(v))) is not None and held[0] is v:
                picked = held[1]
    return several is not None and picked is not None and read_unevenly(frame, picked)


def _count_tensor_arithmetic(frame: Frame, rule: Any, args: tuple, kwargs: dict, out: Tensor) -> bool:
    """Whether an op on no tracked tensor computes a new value from a one-element tensor made
    from a count (``torch.tensor(len(pos)).clamp(min=1)``, ``torch.as_tensor(n) + 1``): a constant
    where it later meets the images' values, but on a group alone the group's count (wrong4: was
    read as a normaliser from outside the call). A copy keeps the count (``passthrough``); a test
    of it (``max(num_pos, 1.0)`` compares) makes no value."""
    if out.dtype is torch.bool or rule is not None and rule.__name__ == "passthrough":
        return False
    for v in flat_args(args, kwargs):
        if isinstance(v, Tensor) and frame.get(v) is None and v.numel() == 1:
            held = frame.filled_numbers.get(id(v))
            if held is not None and held[0] is v and _is_count(held[2]) and (
                    held[2] in frame.lengths or any(read.value == held[2] for read in frame.host_reads)):
                return True
    return False


def _plain_number_in(values: tuple) -> bool:
    """Whether a plain int or float is among ``values`` or inside a list or tuple among them (as
    ``flat_args`` flattens them), without making the flat list (most ops get none)."""
    for v in values:
        t = type(v)
        if t is Tensor:  # most arguments: no number, no sequence
            continue
        if t in _PLAIN_NUMBER_TYPES:
            return True
        if isinstance(v, (list, tuple)):
            for e in v:
                if type(e) in _PLAIN_NUMBER_TYPES:
                    return True
    return False


# a floored count read on the host (``torch.tensor(n).clamp(min=1).item()``) is a plain number of the body's
# code: where ``n`` is computed from a length, so is it
_PLAIN_NUMBERS = (int, float, FlooredFloat, FlooredInt)
# NumPy's scalars are numbers of the body's code too (``clamp(max=0.3 * np.sqrt(len(t)))``: an
# ``np.float64``, torch reads its value); torch has loaded numpy where it is installed
_NUMPY = sys.modules.get("numpy")
_NUMPY_SCALARS = () if _NUMPY is None else tuple(
    getattr(_NUMPY, name) for name in ("float64", "float32", "float16", "int64", "int32", "int16", "int8",
                                       "uint8", "uint16", "uint32", "uint64") if hasattr(_NUMPY, name))
_PLAIN_NUMBER_TYPES = frozenset((*_PLAIN_NUMBERS, *_NUMPY_SCALARS))  # ``type(v) in``: hashed, not compared with each


# ops whose int arguments size or bound what they take along a dim: (position, keyword) of each
# such argument, and of the dim (None: the index of ``__getitem__``, any dim for ``topk``'s k)
_SIZED_OPS: dict[Any, tuple[tuple[tuple[int, str], ...], tuple[int, str, int] | None]] = {
    Tensor.topk: (((1, "k"),), None), torch.topk: (((1, "k"),), None),
    Tensor.kthvalue: (((1, "k"),), None), torch.kthvalue: (((1, "k"),), None),
    Tensor.narrow: (((2, "start"), (3, "length")), (1, "dim", 0)),
    torch.narrow: (((2, "start"), (3, "length")), (1, "dim", 0)),
    Tensor.select: (((2, "index"),), (1, "dim", 0)), torch.select: (((2, "index"),), (1, "dim", 0)),
    Tensor.split: (((1, "split_size"),), (2, "dim", 0)), torch.split: (((1, "split_size_or_sections"),), (2, "dim", 0)),
    Tensor.tensor_split: (((1, "indices_or_sections"),), (2, "dim", 0)),
    Tensor.chunk: (((1, "chunks"),), (2, "dim", 0)), torch.chunk: (((1, "chunks"),), (2, "dim", 0)),
    Tensor.__getitem__: ((), None),
    # review adv17: shifts, pads, offsets and windows
    Tensor.roll: (((1, "shifts"),), None), torch.roll: (((1, "shifts"),), None),
    torch.nn.functional.pad: (((1, "pad"),), None),
    Tensor.diagonal: (((1, "offset"),), None), torch.diagonal: (((1, "offset"),), None),
    Tensor.unfold: (((2, "size"), (3, "step")), (1, "dimension", 0)),
}


_POOLED = ((1, "kernel_size"), (2, "stride"), (3, "padding"))
# ops whose int arguments size what they take and whose rules do not order them after host reads
# (``Frame.sized``): (position, keyword) of each such argument. A patch length ``TS // int(amp.argmax())``
# of an amplitude averaged over the batch cuts each group's rows as the batch's (s68: PS loss)
_HOST_SIZED: dict[Any, tuple[tuple[int, str], ...]] = {
    Tensor.unfold: ((2, "size"), (3, "step")),
    Tensor.split: ((1, "split_size"),), torch.split: ((1, "split_size_or_sections"),),
    Tensor.chunk: ((1, "chunks"),), torch.chunk: ((1, "chunks"),),
    Tensor.kthvalue: ((1, "k"),), torch.kthvalue: ((1, "k"),),
    Tensor.select: ((2, "index"),), torch.select: ((2, "index"),),
    Tensor.diagonal: ((1, "offset"),), torch.diagonal: ((1, "offset"),),
    Tensor.repeat_interleave: ((1, "repeats"),), torch.repeat_interleave: ((1, "repeats"),),
    torch.nn.functional.pad: ((1, "pad"),),
    torch.nn.functional.interpolate: ((1, "size"), (2, "scale_factor")),
    torch.nn.functional.unfold: ((1, "kernel_size"), (2, "dilation"), (3, "padding"), (4, "stride")),
    **dict.fromkeys((torch.nn.functional.avg_pool1d, torch.nn.functional.avg_pool2d, torch.nn.functional.avg_pool3d,
                     torch.nn.functional.max_pool1d, torch.nn.functional.max_pool2d, torch.nn.functional.max_pool3d),
                    _POOLED),
    **dict.fromkeys((torch.nn.functional.adaptive_avg_pool1d, torch.nn.functional.adaptive_avg_pool2d,
                     torch.nn.functional.adaptive_avg_pool3d, torch.nn.functional.adaptive_max_pool1d,
                     torch.nn.functional.adaptive_max_pool2d, torch.nn.functional.adaptive_max_pool3d),
                    ((1, "output_size"),)),
}


def _host_sized(frame: Frame, func: Any, args: tuple, kwargs: dict) -> None:
    """After a host read of a value over several images (``Frame.read_image`` ``SEVERAL``), an op of
    ``_HOST_SIZED`` on a tensor that carries images takes its sizes through ``Frame.sized``: declined
    unless each size the call passes is the code's own (a literal, a constant of the call, a size of
    the very tensor it cuts)."""
    src = args[0] if args else kwargs.get("input")
    track = frame.get(src) if isinstance(src, Tensor) else None
    if track is None:
        return
    passed = len(args) + len(kwargs)

    def own(k: int, name: str) -> bool:
        v = get_arg(args, kwargs, k, name, None)
        return v is None or isinstance(v, Tensor) or _bytecode.literal_size(v, k, name, passed) \
            or _bytecode.own_size_argument(k, name, passed, src) \
            or _bytecode.constant_argument(k, name, passed, frame.read_body_call_once)

    frame.sized(op_name(func), track, lambda: all(own(k, name) for k, name in _HOST_SIZED[func]))


def _counted_size(frame: Frame, func: Any, args: tuple, kwargs: dict) -> bool:
    """Whether a ``RowCount``, or a number computed from one, sizes or bounds what ``func`` takes
    along a dim of a tracked tensor that carries no images (``e.topk(bs - 1, dim=2)``,
    ``e[..., :bs]``, ``e.narrow(2, 0, bs)``): on a group alone the body takes another number of
    elements there. Along a row dim (``cat(..)[:len_chosen]``) the rules decide."""
    src = args[0] if args else None
    track = frame.get(src) if isinstance(src, Tensor) else None
    if track is None or not isinstance(src, Tensor):
        return False
    sizes, dim_at = _SIZED_OPS[func]
    if func is Tensor.__getitem__:
        return len(args) > 1 and any(d not in track.rows and _counted_bound(frame, p)
                                     for d, p in _index_dims(args[1], src.dim()))
    if dim_at is not None:
        dim = get_arg(args, kwargs, dim_at[0], dim_at[1], dim_at[2])
        if type(dim) is not int or norm_dim(dim, max(src.dim(), 1)) in track.rows:
            return False
    return any(_counted_bound(frame, get_arg(args, kwargs, k, name, None)) for k, name in sizes)


# ops of ``_SIZED_OPS`` whose int arguments the code may compute from the count of images in Python
_COUNT_SIZED = frozenset(_SIZED_OPS) - {Tensor.__getitem__}  # (``e.chunk(len(t), 1)``, ``F.pad(e, (0, len(t)))``: rt35)


def _count_sized(frame: Frame, func: Any, args: tuple, kwargs: dict) -> bool:
    """Whether the code computes an int argument of ``func`` that sizes what it takes along a dim
    of a tracked tensor that carries no images from how many images the call got
    (``e.topk(len(targets) - 1, -1)``, ``_bytecode.counted_argument``: that argument's code
    alone, not a literal ``k`` beside the loop's image ``x[b]``): on a group alone another k."""
    src = args[0] if args else None
    track = frame.get(src) if isinstance(src, Tensor) else None
    if track is None or not isinstance(src, Tensor):
        return False
    sizes, dim_at = _SIZED_OPS[func]
    if dim_at is not None:
        dim = get_arg(args, kwargs, dim_at[0], dim_at[1], dim_at[2])
        if type(dim) is not int or norm_dim(dim, max(src.dim(), 1)) in track.rows:
            return False
    # (``F.pad`` forwards ``mode=`` and ``value=`` whether the code wrote them or not)
    passed = len(args) + (0 if func is torch.nn.functional.pad else len(kwargs))
    # (``x.topk(min(k, len(x)))`` of one image's ``x``: its own size, the same on a group alone)
    own = frozenset(site for site, image in frame.own_len_sites.items()
                    if track.image is not None and not track.rows and image is track.image)
    return any(_ints(get_arg(args, kwargs, k, name, None)) and _bytecode.counted_argument(k, name, passed, own)
               for k, name in sizes)


def _ints(v: Any) -> bool:
    """Whether ``v`` is an int or a tuple (list) of ints (``F.pad``'s ``pad``)."""
    return type(v) is int or type(v) in (tuple, list) and bool(v) and all(type(x) is int for x in v)


def _counted_bound(frame: Frame, v: Any) -> bool:
    if isinstance(v, slice):
        return any(_counted_bound(frame, x) for x in (v.start, v.stop, v.step))
    if isinstance(v, (list, tuple)):
        return any(_counted_bound(frame, x) for x in v)
    return frame.row_count(v) is not None or frame.counted_number(v, by_value=False)


def _index_dims(index: Any, ndim: int) -> list[tuple[int, Any]]:
    """(dim, part) of each int or slice of a basic index (``e[..., :n]``, ``e[:, 0]``)."""
    parts = index if isinstance(index, tuple) else (index,)
    def width(p: Any) -> int:
        if p is None or p is Ellipsis:
            return 0
        return p.dim() if isinstance(p, Tensor) and p.dtype in (torch.bool, torch.uint8) else 1
    d, found = 0, []
    for p in parts:
        if p is Ellipsis:
            d += ndim - sum(width(q) for q in parts)
            continue
        if isinstance(p, (int, slice)):
            found.append((d, p))
        d += width(p)
    return found


def _note_sized(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """A tensor made with a ``RowCount`` size (``tobj = torch.zeros(pi.shape[:4])``): on a group
    alone that dim has the group's count of those rows, so its own size is one too."""
    if not isinstance(out, Tensor):
        return
    start = 1 if getattr(func, "__name__", "").startswith("new_") else 0
    size = args[start] if len(args) > start else kwargs.get("size", ())
    sizes = size if isinstance(size, (tuple, list)) else args[start:]
    rows = {}
    for d, n in enumerate(sizes):
        r = frame.row_count(n)
        if r is not None and d < out.dim() and r.numel() == out.shape[d]:
            rows[d] = r
        elif func in _DRAWS and frame.size_number(n):
            # every value drawn follows how many the batch drew: on a group alone other values
            frame.lose(out, f"{op_name(func)} sized by a size of image rows, or a number computed from one, along a "
                       "dim without images (on a group alone it draws other values)", pred=False)
            return
    if rows:
        frame.sized_by[id(out)] = (out, rows)
        widths = frozenset(d for d, n in enumerate(sizes) if d not in rows and d < out.dim()
                           and frame.counted_number(n, by_value=False))
        # ``len(attention) + 3``: a plain int; not a whole ``torch.Size`` (``torch.zeros(x.shape)``: x's own widths)
        if not widths and len(rows) < out.dim() and frame.lengths and type(size) is not torch.Size:
            widths = frozenset(d for d in _bytecode.counted_sizes(isinstance(size, (tuple, list)), unread=True)
                               if d not in rows and d < out.dim())
        if widths:  # (``torch.zeros(b, b + 3)``: a width computed in Python from the count of rows)
            frame.counted_widths[id(out)] = (out, widths)


# factories whose values, not only their shape, follow the sizes they are given (positions, draws):
# made with a count of image rows, each row's value is its position's in the batch, on a group
# alone another one (``Frame.positional``, ``positional_operand``)
_POSITIONAL = frozenset({torch.arange, torch.linspace, torch.logspace, torch.eye, torch.randperm, torch.randint,
                         torch.rand, torch.randn, torch.normal, torch.tril_indices, torch.triu_indices})
_RANDOM_INDICES = frozenset({torch.randperm, torch.randint})


# a 1-d mask tiled along its own dim (``pattern.repeat((n + 4) // 5)``): its values follow positions of the batch
_TILINGS = frozenset({Tensor.repeat, Tensor.tile, torch.tile})
_INDEX_WRITES = frozenset({Tensor.__setitem__, Tensor.index_put_})
WRITTEN_AT_POSITIONS = "written at positions of the batch (an index made with a count of image rows)"


def _tiled_to_count(frame: Frame, args: tuple, kwargs: dict | None) -> bool:
    """Whether ``args[0]``, a 1-d bool tensor of no images, is tiled along its dim by a count the
    body computed from a size of image rows (``torch.tensor([True, False, False, False,
    False]).repeat((n + 4) // 5)``, rt37): a mask of positions of the batch, on a group alone of
    the group's (``indexing._uneven_picks`` asks that it pick every image's rows alike). Values
    tiled so (``torch.arange(m).repeat(B)``: MASt3R's targets) are left to their own rules."""
    x = args[0] if args else None
    return type(x) is Tensor and x.dim() == 1 and x.dtype == torch.bool and frame.get(x) is None \
        and id(x) not in frame.positional \
        and _made_with_count(frame, args[1:], kwargs)


def _written_at_positions(frame: Frame, args: tuple) -> None:
    """``w = torch.ones(n); w[torch.arange(0, n, 5)] = 3.0`` (rt37): a number written into a tensor
    of no images at an index of positions of the batch (``Frame.positional``) makes the tensor's
    values follow those positions; noted as such (``positional_operand`` then asks every image's
    rows to hold the same values)."""
    target, index, value = args[0], args[1], args[2]
    if type(target) is not Tensor or target.dim() != 1 or frame.get(target) is not None \
            or not (type(value) in (int, float, bool) or type(value) is Tensor and value.dim() == 0
                    and frame.get(value) is None):
        return
    for i in index if type(index) in (tuple, list) else (index,):
        held = frame.positional.get(id(i)) if type(i) is Tensor else None
        if held is not None and held[0] is i:
            frame.positional[id(target)] = (target, f"{op_name(Tensor.__setitem__)} of a number {WRITTEN_AT_POSITIONS}")
            return


def _drawn_per_image(frame: Frame, func: Any, args: tuple, kwargs: dict | None) -> bool:
    """Whether ``randint`` / ``randperm`` draws indices with a count of image rows
    (``_made_with_count``) or along a first dim whose size equals the number of images by value
    (``torch.randint(0, 3, (len(t),))``: one pick per image, rt38; ``len(t)`` in a size tuple is not read
    by the count checks): on a group alone it draws others, so no index drawn is any group's. (A
    ``rand`` / ``randn`` of such a size stays positional: survey 20 draws one fixed point set per row.)"""
    if frame.num_images < 2:
        return False
    kwargs = kwargs or _NO_KWARGS
    size = (args[:1] or (kwargs.get("n"),)) if func is torch.randperm else kwargs.get("size", args[-1] if args else ())
    first = size[0] if isinstance(size, (tuple, list)) and size else size
    return type(first) is int and first == frame.num_images or _made_with_count(frame, args, kwargs)


def _written_at_a_slice(frame: Frame, args: tuple) -> None:
    """``m = torch.zeros(f.numel(), dtype=torch.bool); m[::5] = True`` (rev36b): a number written at a
    slice (not the whole) of a 1-d tensor of no images made with a size of image rows (``Frame.sized_by``)
    makes its values follow positions of the batch; noted as such (``indexing._uneven_picks`` then asks
    it to pick every image's rows alike: was silently other positions in each image)."""
    target, index, value = args
    sized = frame.sized_by.get(id(target)) if type(target) is Tensor else None
    if sized is None or sized[0] is not target or target.dim() != 1 or 0 not in sized[1] \
            or frame.get(target) is not None or index == slice(None) \
            or not (type(value) in (int, float, bool) or type(value) is Tensor and value.dim() == 0
                    and frame.get(value) is None):
        return
    frame.positional[id(target)] = (target, f"{op_name(Tensor.__setitem__)} of a number at a slice of a tensor "
                                    "made with a size of image rows")


def _made_with_count(frame: Frame, args: tuple, kwargs: dict | None, func: Any = None) -> bool:
    """Whether a ``_POSITIONAL`` factory is given a size of image rows, a number computed from
    one, a length of a tensor of image rows (by value: a constant equal to one declines too) or a
    plain int the body computed from a length of its data (``len(targets)``). Given the factory
    ``func``, not where the code proves every int it got a constant of the call (``torch.arange(na)``
    of ``na = ANCHORS[level].shape[0]``, a size every item of a global table shares), whatever
    count the bytecode reader takes it for."""
    numbers = [v for v in flat_args(args, kwargs or _NO_KWARGS) if isinstance(v, int) and type(v) is not bool]
    if any(frame.size_number(v) or v in frame.lengths for v in numbers):
        return True
    return any(type(v) is int for v in numbers) and _bytecode.counted_number(zero=False) and not (
        func is not None and all(_bytecode.constant_number(v, func, args, kwargs or _NO_KWARGS, frame._read_body_call)
                                 for v in numbers))


# factories whose positions or values a Python int given to them lays out (``_laid_out_by_several_images``)
_LAID_OUT = frozenset({torch.arange, torch.linspace, torch.logspace, torch.full, torch.eye})


def _holds_arg(held: dict, args: tuple) -> bool:
    """Whether a plain tensor of ``args`` is held in ``held`` (by id; its entries' tensors are alive,
    so no other object has their ids): the set test first, in C, since most ops hold none."""
    return not held.keys().isdisjoint(map(id, args)) and any(type(a) is Tensor and id(a) in held for a in args)


def _laid_out_by_several_images(frame: Frame, args: tuple, kwargs: dict | None) -> bool | str:
    """``torch.arange(max_gt, max_gt + n)``, ``torch.arange(max_gt)``, ``torch.full((max_gt,), 1)``,
    ``torch.linspace(0, 1, max_gt)``: positions or a count of values given by a Python int the code
    computes from sizes or fields of several images (``batch_fields.several_images_number``; DINO's
    denoising queries at the batch's largest box count, survey 32): on a group alone the group's.
    One image's own count (``torch.arange(num_gt)`` in a loop over a list of the images' counts,
    survey 20's RT-DETR) is not: "own" for it (``Frame.own_positions``)."""
    for v in flat_args(args, kwargs or _NO_KWARGS):  # (a loop: no generator per factory)
        if type(v) is int:
            break
    else:
        return False
    site = _bytecode.call_site()
    found = frame.laid_out.get(site) if site is not None else None
    if found is None:
        targets = frame.per_image_targets
        found = late_module("batch_fields").several_or_own(targets, "arguments")
        if site is not None:
            frame.laid_out[site] = found
    return found


_SCANS = frozenset({torch.cumsum, Tensor.cumsum, torch.cumprod, Tensor.cumprod, torch.cummax, Tensor.cummax,
                    torch.cummin, Tensor.cummin, torch.logcumsumexp, Tensor.logcumsumexp})
# ops whose values may follow positions in the batch without a ``_POSITIONAL`` factory: data the
# body computed from positions in a loop over the images, a scan along a dim sized by a count
_STACK = torch.stack
# a tensor of no images times (plus, minus) an int: ``torch.ones(1) * i``, ``torch.zeros(1) + i`` of the loop's position
_POSITION_PRODUCTS = frozenset({Tensor.__mul__, Tensor.__rmul__, Tensor.mul, torch.mul, Tensor.__add__, Tensor.__radd__,
                                Tensor.add, torch.add, Tensor.__sub__, Tensor.__rsub__, Tensor.sub, torch.sub})
_POSITION_VALUES = frozenset({*_DATA_ARGS, *FACTORIES, *_SCANS, _STACK, *_POSITION_PRODUCTS, Tensor.__getitem__,
                              Tensor.narrow, torch.narrow, Tensor.split, torch.split})
# once the call made an int fill of an image position: its joins and float copies too
_POSITION_VALUES_JOINED = _POSITION_VALUES | _JOINS | _KEEPING


def _position_values(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Tensor) -> None:
    """Note ``out`` in ``Frame.positional`` where its values follow the images' positions in the
    batch: data computed from a position in a loop over the images (``torch.tensor([0.5 ** (n -
    1 - i) for i in range(n)])``, ``_bytecode.positional_argument``), or a scan along a dim
    whose size is a count of the images (``torch.full((len(targets),), 0.5).cumprod(0)``: made
    with a count, ``Frame.count_dims``, or with a size of image rows, ``Frame.sized_by``). A
    factory given a count notes its dims for such a scan. On a group alone each is the group's."""
    try:
        if func is _GETITEM:  # ``self.decay[i]``: an item of a tensor of no images, picked by the position
            # (or ``DECAY_T[:e.shape[0]]``: cut to a count of the images)
            if len(args) == 2 and type(args[1]) in (int, slice) and frame.get(args[0]) is None and frame.get(out) is None \
                    and _bytecode.positional_index(frame.size_sites, frame.per_image_targets, whole=frame.images_held):
                frame.positional[id(out)] = (out, f"{op_name(func)} of a tensor of no images at an image's position")
            elif len(args) == 2 and type(args[1]) in (slice, tuple) and frame.get(out) is None:
                # (a slice only: asked for every subscript)
                _cut_values(frame, _cut_to_count(frame, args[0], args[1]), out, func)
        elif func in _NARROWS:
            if frame.get(args[0]) is None:
                _cut_values(frame, _narrowed_to_count(frame, func, args, kwargs), out, func)
        elif func in _DATA_ARGS:
            data = get_arg(args, kwargs, 1 if func is Tensor.new_tensor else 0, "data", None)
            if frame.get(out) is None and _weight_lookalike(frame, data):
                frame.doubt(torch.ones((), dtype=torch.bool), ONE_VALUED_WEIGHT.format(op=op_name(func)))
            elif frame.get(out) is None and _weight_valued(frame, data):
                if not _provenance.value_kept(_bytecode.executed_argument_tags()):
                    frame.doubt(torch.ones((), dtype=torch.bool), WEIGHT_VALUED_ARITHMETIC.format(op=op_name(func)))
                frame.weight_made[id(out)] = (out, torch.ones_like(out))
            elif frame.get(out) is None and type(data) in (list, tuple):
                _listed(frame, data)
                # (of one image too: the very weight object is the image's, 1 on its group alone; s54: a normaliser
                # ``(w * m).sum()`` of one image of weight 0.5 kept the weight, a silently wrong companion)
                if len(data) == frame.num_images >= 1 and all(b in frame.weight_owners(v) for b, v in enumerate(data)):
                    frame.weight_made[id(out)] = (out, torch.ones_like(out))
                elif len(data) == frame.num_images > 1 and out.dim() == 2:
                    _weights_in_rows(frame, data, out)
            if frame.get(out) is None and _bytecode.positional_argument(frame.size_sites, frame.per_image_targets):
                frame.positional[id(out)] = (out, f"{op_name(func)} of positions in a loop over the images")
            elif frame.get(out) is None and _unowned_numbers(frame, data):
                frame.positional[id(out)] = (out, f"{op_name(func)} of Python numbers, one per image, that differ from "
                                             "image to image and are no data of the images (a list written at a "
                                             "position, a scan, a table)")
                frame.unowned.add(id(out))
            elif frame.get(out) is None and id(out) not in frame.weight_made and _repeated_count_number(frame, data):
                # (the images' weights by value, made from the field: ``[u["w"] * 1.0 for u in t]``, the weight rules')
                frame.positional[id(out)] = (out, f"{op_name(func)} of {REPEATED_COUNT_NUMBER}")
        elif func in _JOINS:
            if func is _STACK and frame.filled_numbers:
                _stacked_weights(frame, args, kwargs, out)
            if frame.int_fills and id(out) not in frame.positional:  # (``torch.stack`` is a join too)
                _joined_int_fills(frame, func, args, kwargs, out)
            if frame.data_fills and frame.get(out) is None:
                _joined_data_fills(frame, func, args, out)
            if frame.literal_columns:
                parts = args[0] if args and type(args[0]) in (list, tuple) else ()
                _joined_columns(frame.literal_columns, func, args, kwargs, parts,
                                [_held(frame.literal_columns, p) for p in parts], out)
        elif func in FACTORIES or func is _FILL:
            if func is not _FILL:
                _note_count_dims(frame, func, args, kwargs, out)
                if out.dim() > 1 and out.shape[0] == frame.num_images > 1:
                    _note_fixed_dims(frame, func, args, out)
            floating = out.is_floating_point()
            if func in _SHAPED_FILLS and frame.num_images > 1 and frame.get(out) is None:
                value = get_arg(args, kwargs, *_FILL_VALUE[func], None)
                owners = frame.data_images(value)
                if owners:  # ``torch.full((len(j),), t["scale"])``: that image's number, what a join of them orders
                    frame.data_fills[id(out)] = (out, owners)
                if (type(value) is int and not floating or type(value) is float and floating and value.is_integer()
                        and not frame.weight_owners(value)) \
                        and _bytecode.positional_number(frame.size_sites, frame.per_image_targets, nested=True):
                    # (DETR's batch index: declined where a join of them is a factor; the first image's 0 too, so
                    # that a float join of fills alone is told from a table of a fill beside the targets)
                    frame.int_fills[id(out)] = out
                    frame.position_funcs = _POSITION_VALUES_JOINED
                    frame.position_columns[id(out)] = (out, None)  # (its arithmetic declines: ``_position_column_use``)
                elif type(value) is int and value and _bytecode.counted_number(zero=False, sized=True) \
                        and _bytecode.loop_position_operand(value):
                    # ``e * torch.full((n,), i)`` in the body's loop over the images: a factor by the position (s43:
                    # silently wrong); as an index, the batch's images as DETR's
                    frame.positional[id(out)] = (out, f"{op_name(func)} {POSITION_FILL}")
                elif type(value) in (int, float) and out.dim() and not frame.weight_owners(value) \
                        and _bytecode.every_image_looped(frame.num_images):  # (not the images' weight fills)
                    frame.position_funcs = _POSITION_VALUES_JOINED
                    if _bytecode.position_called(frame.size_sites, frame.per_image_targets):
                        # ``torch.full((n, 1), fill(i))``: a number a call computes from the image's position, as
                        # the position (a factor of it declines; as an index it names the images by value)
                        frame.int_fills[id(out)] = out
                        frame.position_columns[id(out)] = (out, None)
                    else:  # a literal's: as the index of the images it names one image for every row
                        frame.literal_columns[id(out)] = (out, None)
            elif func in _CONSTANT_COLUMNS and frame.num_images > 1 and out.dim() == 2 and out.shape[1] == 1 \
                    and frame.get(out) is None:
                # ``torch.zeros(n, 1)`` made once beside the joined targets: as the index of the images, image 0
                frame.literal_columns[id(out)] = (out, None)
                frame.position_funcs = _POSITION_VALUES_JOINED
        elif func in _POSITION_PRODUCTS:
            if frame.num_images > 1 and len(args) == 2 and type(args[1]) is int and type(args[0]) is Tensor \
                    and frame.get(args[0]) is None and frame.get(out) is None \
                    and _bytecode.positional_number(frame.size_sites, frame.per_image_targets, nested=True):
                frame.int_fills[id(out)] = out  # ``torch.ones(1) * i``: the position by arithmetic, not a fill
                frame.position_funcs = _POSITION_VALUES_JOINED
        elif func in _KEEPING and frame.int_fills and frame.int_fills.get(id(args[0])) is args[0]:
            frame.int_fills[id(out)] = out  # ``torch.full((1,), i).float()``: the fill's values, as a float
        elif frame.get(out) is None and args and isinstance(args[0], Tensor):
            x = args[0]
            dim = get_arg(args, kwargs, 1, "dim", None)
            if type(dim) is not int or not x.dim():
                return
            dim %= x.dim()
            held = frame.count_dims.get(id(x))
            sized = frame.sized_by.get(id(x))
            if held is not None and held[0] is x and dim in held[1] or sized is not None and sized[0] is x and dim in sized[1]:
                for item in (out,) if isinstance(out, Tensor) else out:
                    frame.positional[id(item)] = (item, f"{op_name(func)} along a dim sized by a count of the images")
    except Exception as exc:  # noqa: BLE001 - a bug here must never break training
        frame.error, frame.error_op = exc, op_name(func)


def _weight_valued(frame: Frame, data: Any) -> bool:
    """Whether ``data``, one new Python float per image (or a NumPy vector of them), holds each
    image's weight by value, some not 1, none another field's float (``data_images``): the
    weights without their objects (``torch.tensor([t["loss_weight"] * 1.0 for t in targets])``,
    ``np.array(...)``, a list a helper was given), 1 on a group alone (``Frame.weight_made``)."""
    n = frame.num_images
    if type(data).__module__ == "numpy" and getattr(data, "ndim", 0) == 1 and data.dtype.kind == "f":
        data = data.tolist()
    return (1 < n == len(data) if type(data) in (list, tuple) else False) and all(type(v) is float for v in data) \
        and all(v == frame.host_weight(b) for b, v in enumerate(data)) and any(v != 1 for v in data) \
        and not all(b in frame.weight_owners(v) for b, v in enumerate(data)) \
        and not any(frame.data_images(v) for v in data)


def _weight_lookalike(frame: Frame, data: Any) -> bool:
    """Whether ``data``, one Python float per image, equals the images' weights where they are one
    value other than 1 (one image, or every weight equal), so that its values cannot tell a weight
    from a constant: literals of the body's code (``[0.5] * n``; the very objects of equal weight
    literals of its module where the code names no weight field), or on one image floats that are
    not its weight object (``[t["w"] * 1.0]``, ``[alpha * 1.0]``: was kept, or read as the weight),
    on several images where no code up to the body names the weight field (``[alpha * 1.0 for ..]``).
    (Else on several images new floats equal to weights all one value are read as the weights:
    ``_weight_valued``; a weighted mean by them splits.)"""
    n, weights = frame.num_images, frame.weight_numbers()
    if type(data) not in (list, tuple) or not weights or len(data) != n or data[0] == 1 \
            or not all(type(v) is float and v == data[0] for v in (*data, *weights)):
        return False
    if all(b in frame.weight_owners(v) for b, v in enumerate(data)):
        return all(_bytecode.caller_constant(v, frame.weight_field) for v in data)
    return all(_bytecode.caller_constant(v) for v in data) or not frame.data_images(data[0]) and (
        n == 1 or frame.weight_field is not None and not _bytecode.body_names(frame.weight_field))


_JOINED_FILLS = "of int fills of the images' positions in a loop over the images"


def _joined_int_fills(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Tensor) -> None:
    """A join of int fills of the images' positions (or their float copies) is positional."""
    parts = args[0] if args and type(args[0]) in (list, tuple) else ()
    # (a float table of such a column beside the images' targets, YOLOv5's, is read whole: positional
    # only as an int table, else the targets' values would follow the positions too)
    fills = [type(p) is Tensor and frame.int_fills.get(id(p)) is p for p in parts]
    if frame.get(out) is None and any(fills) and (not out.is_floating_point() or all(fills)):
        frame.positional[id(out)] = (out, f"{op_name(func)} {_JOINED_FILLS}")
    elif any(fills) or frame.position_columns:
        _joined_columns(frame.position_columns, func, args, kwargs, parts, fills, out)


DATA_FILLS_REORDERED = ("of tensors each filled with one image's data number (``torch.full((n,), t['scale'])``) in "
                        "another order than the images' (``for t in reversed(targets)``): its rows hold other images' "
                        "numbers, and on a group alone the join holds the group's")


def _joined_data_fills(frame: Frame, func: Any, args: tuple, out: Tensor) -> None:
    """A join of fills of the images' data numbers (``Frame.data_fills``) out of the images' order
    is lost: to the rules such a tensor is a constant, whose rows then meet other images' values
    (found by dino40: was silently wrong). In the images' order it stays one (MPDIoU's sizes)."""
    parts = args[0] if args and type(args[0]) in (list, tuple) else ()
    held = [frame.data_fills.get(id(p)) if type(p) is Tensor else None for p in parts]
    marks = [h[1] for h, p in zip(held, parts, strict=True) if h is not None and h[0] is p]
    if len(marks) > 1 and any(min(a) > max(b) for a, b in zip(marks, marks[1:])):
        frame.lose(out, f"{op_name(func)} {DATA_FILLS_REORDERED}", pred=False)


def _held(columns: dict[int, tuple[Tensor, frozenset[int] | None]], t: Any) -> bool:
    """Whether ``t`` is, whole, a tensor of ``columns`` (``Frame.position_columns``, ``literal_columns``)."""
    h = columns.get(id(t)) if type(t) is Tensor else None
    return h is not None and h[0] is t and h[1] is None


def _joined_columns(held: dict[int, tuple[Tensor, frozenset[int] | None]], func: Any, args: tuple, kwargs: dict,
                    parts: Any, fills: list[bool], out: Tensor) -> None:
    """Note in ``held`` (``Frame.position_columns``) the columns of a table ``out`` that a join of
    2-dim parts takes from fills of the images' positions (``torch.cat([torch.full((n, 1), i), t],
    1)``) or from such columns of a table joined before (``torch.cat(tables)``): the targets'
    columns are their values, the others follow the positions (on a group alone, the group's)."""
    if func not in (torch.cat, torch.concat, torch.concatenate) or out.dim() != 2 \
            or any(type(p) is not Tensor or p.dim() != 2 for p in parts):
        return
    dim = get_arg(args, kwargs, 1, "dim", 0)
    if type(dim) is not int:
        return
    marks: list[frozenset[int]] = []
    for p, f in zip(parts, fills):
        h = held.get(id(p))
        m = h[1] if h is not None and h[0] is p else None if f else frozenset()
        marks.append(frozenset(range(p.shape[1])) if m is None else m)
    columns: set[int] = set()
    if dim % 2:  # side by side: each part's columns after those before it
        at = 0
        for p, m in zip(parts, marks):
            columns.update(at + k for k in m)
            at += p.shape[1]
    else:  # one under another: a column positional in any part is (a factor of it declines)
        columns = columns.union(*marks)
    if columns:
        held[id(out)] = (out, frozenset(columns))


_COLUMN_KEEPING = _KEEPING | {Tensor.long, Tensor.int, Tensor.contiguous}
# ops that lay a position's values out otherwise (a table's columns only where its shape stays)
_COLUMN_LAYOUTS = frozenset({Tensor.view, Tensor.reshape, torch.reshape, Tensor.flatten, torch.flatten, Tensor.squeeze,
                             torch.squeeze, Tensor.unsqueeze, torch.unsqueeze, Tensor.expand, Tensor.repeat})
_COLUMN_ARITHMETIC = frozenset({*_ARITHMETIC_RULES, "unary", "clamp", "comparison"})
_COLUMN_SHIFTS = frozenset({"add", "sub", "rsub"})
POSITION_COLUMN = ("of an image's position in a loop over the images (a fill of it, a table's column joined from "
                   "such fills, or a value read at it: on a group alone the image has another position)")
# ops that read a tensor at an index (``decay[b]``)
_POSITION_READS = frozenset({Tensor.__getitem__, Tensor.index_select, torch.index_select, Tensor.take, torch.take})
_TRANSPOSES = frozenset({Tensor.t, torch.t, Tensor.T.__get__, Tensor.mT.__get__,  # type: ignore[attr-defined]
                         Tensor.transpose, torch.transpose, Tensor.swapaxes, torch.swapaxes, Tensor.swapdims,
                         torch.swapdims, Tensor.permute, torch.permute, Tensor.movedim, torch.movedim})
_UNBINDS = frozenset({Tensor.unbind, torch.unbind})
# ops whose every value may take in positions of a table's column (a reduction, a product of matrices)
_POSITION_MIXES = frozenset({
    Tensor.sum, torch.sum, Tensor.nansum, torch.nansum, Tensor.mean, torch.mean, Tensor.nanmean, torch.nanmean,
    Tensor.prod, torch.prod, Tensor.amax, torch.amax, Tensor.amin, torch.amin, Tensor.max, torch.max, Tensor.min,
    torch.min, Tensor.median, torch.median, Tensor.norm, torch.norm, Tensor.logsumexp, torch.logsumexp, Tensor.std,
    torch.std, Tensor.var, torch.var, Tensor.cumsum, torch.cumsum, Tensor.cumprod, torch.cumprod, Tensor.matmul,
    torch.matmul, Tensor.__matmul__, Tensor.__rmatmul__, Tensor.mm, torch.mm, Tensor.mv, torch.mv, torch.einsum,
    torch.nn.functional.linear})
_PARTS = frozenset({Tensor.split, torch.split, Tensor.chunk, torch.chunk, Tensor.tensor_split, torch.tensor_split,
                    Tensor.split_with_sizes, torch.split_with_sizes, Tensor.unsafe_split})
_ALONG = frozenset({Tensor.select, torch.select, Tensor.index_select, torch.index_select, Tensor.narrow, torch.narrow})
# ops that move a table's values across its columns (not followed: any value of the out may be a position)
_COLUMN_SCRAMBLES = frozenset({Tensor.flip, torch.flip, Tensor.fliplr, torch.fliplr, Tensor.roll, torch.roll,
                               Tensor.rot90, torch.rot90, Tensor.gather, torch.gather, torch.take_along_dim,
                               Tensor.take_along_dim})

# ops that may lay a table's columns along one dim (``reshape(-1)``): where the last dim changes, any value may be a position
_COLUMN_MERGES = frozenset({Tensor.reshape, torch.reshape, Tensor.view, Tensor.flatten, torch.flatten, Tensor.ravel,
                            torch.ravel, Tensor.unflatten, torch.unflatten, Tensor.view_as, Tensor.reshape_as})


def _position_column_use(frame: Frame, func: Any, rule: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Follow ``Frame.position_columns`` through an op: a column picked from a table
    (``table[:, 0]``), a copy or cast (``.long()``: as an index of the images it names them as
    DETR's batch index does, its values checked against its rows' images where it picks), a
    table's rows, a position shifted by a number (``b - 1``) or a table's element-wise op with
    values of no images (``table * gain``). Arithmetic that meets the images' values (``e * (1 +
    table[:, 0])``), scales a position or compares it with a number other than a loop's position
    over the images (``table[:, 0] == 0``) is lost: it follows the position, another on a group alone."""
    if func in _POSITION_MIXES and any(_marked(frame, v) for v in args):
        # (``table[:, :2].sum(1)``, ``table @ w``; with the images' values, ``torch.max(e, b)``, ``e @ table``: lost)
        if any(type(w) is Tensor and frame.get(w) is not None and not _marked(frame, w) for w in args):
            frame.lose(out, f"{op_name(func)} {POSITION_COLUMN}", pred=False)
            return
        for item in out if isinstance(out, tuple) else (out,):
            if type(item) is Tensor:
                frame.position_columns[id(item)] = (item, None)
        return
    if type(out) is not Tensor:
        if type(out) in (tuple, list):
            _column_moved(frame, func, args, kwargs, out)
        return
    if func in _COLUMN_MERGES and args and _marked(frame, args[0]) and (out.dim() < 2 or out.shape[-1] != args[0].shape[-1]):
        frame.position_columns[id(out)] = (out, None)  # (``table.reshape(-1)[::table.shape[1]]``, red team 36b)
        return
    if _column_followed(frame.position_columns, func, args, out) or _column_moved(frame, func, args, kwargs, out):
        return
    if func in _COLUMN_SCRAMBLES and args and _marked(frame, args[0]):  # (``table.flip(1)[:, -1]``)
        frame.position_columns[id(out)] = (out, None)
        return
    if func in _POSITION_READS and frame.get(args[0]) is None and id(args[0]) not in frame.position_columns \
            and any(_held(frame.position_columns, i) for i in _index_tensors(func, args, kwargs)):
        # ``decay[table[:, 0].long()]``: a tensor of no images read at the positions, each image's value by its position
        frame.position_columns[id(out)] = (out, None)
        return
    if rule is None or rule.__name__ not in _COLUMN_ARITHMETIC:
        return
    found = [(v, got[1]) for v in args if type(v) is Tensor and (got := frame.position_columns.get(id(v))) is not None
             and got[0] is v]
    if not found:
        return
    v, columns = found[0]
    others = [w for w in args if w is not v]
    if any(type(w) is Tensor and frame.get(w) is not None and id(w) not in frame.position_columns for w in others):
        lost = True  # (the images' values)
    elif rule.__name__ == "comparison":
        lost = any(type(w) in (int, float) for w in others) and not (
            _bytecode.counted_number() or _bytecode.positional_number(frame.size_sites, frame.per_image_targets))
    else:
        lost = columns is None and rule.__name__ not in _COLUMN_SHIFTS
    if lost:
        frame.lose(out, f"{op_name(func)} {POSITION_COLUMN}", pred=False)
    elif rule.__name__ != "comparison" and out.shape == v.shape:
        frame.position_columns[id(out)] = (out, columns)


def _index_tensors(func: Any, args: tuple, kwargs: dict) -> list[Any]:
    """The tensors ``func`` (of ``_POSITION_READS``) reads its first argument at."""
    if func is Tensor.__getitem__:
        return list(args[1]) if len(args) == 2 and type(args[1]) is tuple else list(args[1:2])
    return [get_arg(args, kwargs, 2 if func in (Tensor.index_select, torch.index_select) else 1, "index", None)]


def _swapped(func: Any, args: tuple, kwargs: dict) -> bool | None:
    """Whether a ``_TRANSPOSES`` op swaps the dims of a 2-dim table; None where its dims are no ints."""
    if func in (Tensor.t, torch.t, Tensor.T.__get__, Tensor.mT.__get__):  # type: ignore[attr-defined]
        return True
    given = [*args[1:], *kwargs.values()]
    if func in (Tensor.permute, torch.permute):
        dims = given[0] if len(given) == 1 and type(given[0]) in (tuple, list) else given
        return [d % 2 for d in dims] == [1, 0] if len(dims) == 2 and all(type(d) is int for d in dims) else None
    if len(given) != 2 or any(type(d) is not int for d in given):
        return None
    return given[0] % 2 != given[1] % 2


def _column_moved(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> bool:
    """Follow ``Frame.position_columns`` through the other ops that pick or move a table's columns:
    a transpose (``table.T``: its rows, ``Frame.position_rows``), a transposed table's row
    (``table.T[0]``), ``unbind``, ``split`` / ``chunk`` / ``tensor_split`` (each part), ``select``,
    ``narrow`` and ``index_select`` (by an index tensor of values unread: each column it keeps, as
    ``table[:, idx]``); whether it did."""
    x = args[0] if args and type(args[0]) is Tensor else None
    held = frame.position_columns.get(id(x)) if x is not None else None
    rows = frame.position_rows.get(id(x)) if x is not None and held is None else None
    if held is not None and held[0] is x:
        d, marks = 1, held[1]
    elif rows is not None and rows[0] is x:
        d, marks = 0, rows[1]
        if func is not Tensor.__getitem__ and _column_followed(frame.position_rows, func, args, out):  # type: ignore[arg-type]
            return True
    else:
        return False
    items = out if type(out) in (tuple, list) else (out,)
    if marks is None:  # the positions whole: so is each part, each row
        if func in _TRANSPOSES or func in _UNBINDS or func in _PARTS or func in _ALONG:
            for item in items:
                if type(item) is Tensor:
                    frame.position_columns[id(item)] = (item, None)
            return True
        return False
    if x.dim() != 2:
        return False
    n = x.shape[d]
    picked: frozenset[int] | None
    if func in _TRANSPOSES:
        swapped = _swapped(func, args, kwargs)
        if swapped is None or type(out) is not Tensor or out.dim() != 2:
            return False
        if swapped == (d == 1):
            frame.position_rows[id(out)] = (out, marks)
        else:
            frame.position_columns[id(out)] = (out, marks)
        return True
    if func is Tensor.__getitem__ and d == 0:  # a transposed table's rows
        index = args[1] if len(args) == 2 else None
        first = index[0] if type(index) is tuple and index else index
        if type(first) is int and -n <= first < n and first % n in marks:  # (any pick of it is positions too)
            frame.position_columns[id(out)] = (out, None)
        return True
    if func in _UNBINDS:
        along = get_arg(args, kwargs, 1, "dim", 0)
        if type(along) is int and along % 2 == d:
            for k, item in enumerate(items):
                if k in marks and type(item) is Tensor:
                    frame.position_columns[id(item)] = (item, None)
        return True
    if func in _PARTS:
        along = get_arg(args, kwargs, 2, "dim", 0)
        if type(along) is not int:
            return False
        at = 0
        for item in items:
            size = item.shape[d] if type(item) is Tensor and item.dim() == 2 else 0
            kept = marks if along % 2 != d else frozenset(j - at for j in marks if at <= j < at + size)
            at += size
            if type(item) is Tensor and kept:
                _note_marks(frame, item, d, None if along % 2 == d and len(kept) == size else kept)
        return True
    if func in _ALONG and type(out) is Tensor:
        along = get_arg(args, kwargs, 1, "dim", None)
        if type(along) is not int:
            return False
        if along % 2 != d:  # some rows (a row of a table: another pick)
            if out.dim() == 2:
                _note_marks(frame, out, d, marks)
            return True
        if func in (Tensor.select, torch.select):
            k = get_arg(args, kwargs, 2, "index", None)
            picked = None if type(k) is int and -n <= k < n and k % n in marks else frozenset()
        elif func in (Tensor.narrow, torch.narrow):
            start, length = get_arg(args, kwargs, 2, "start", None), get_arg(args, kwargs, 3, "length", None)
            if type(start) is not int or type(length) is not int:
                return False
            span = range(n)[start % n:start % n + length] if n else range(0)
            picked = frozenset(j for j, c in enumerate(span) if c in marks)
            picked = None if picked and len(picked) == len(span) else picked
        else:  # (an index tensor's values are not read: each column it keeps may be a position)
            picked = frozenset(range(out.shape[d])) if out.dim() == 2 and out.shape[d] > 1 else None
        if picked is None or picked:
            _note_marks(frame, out, d, picked)
        return True
    return False


def _marked(frame: Frame, t: Any) -> bool:
    """Whether ``t`` is a tensor of ``Frame.position_columns`` or ``position_rows``."""
    if type(t) is not Tensor:
        return False
    held = frame.position_columns.get(id(t)) or frame.position_rows.get(id(t))
    return held is not None and held[0] is t


def _note_marks(frame: Frame, t: Tensor, d: int, marks: frozenset[int] | None) -> None:
    """Note ``t`` positional in ``marks`` along dim ``d`` (1: columns, 0: a transposed table's rows), or whole."""
    if d == 0 and marks is not None:
        frame.position_rows[id(t)] = (t, marks)
    else:
        frame.position_columns[id(t)] = (t, marks)


def _column_followed(columns: dict[int, tuple[Tensor, frozenset[int] | None]], func: Any, args: tuple, out: Tensor) -> bool:
    """Note in ``columns`` (``Frame.position_columns``) ``out`` of an op that picks some of the
    columns of a tensor of it or keeps its values (a copy, a cast, a layout); whether it did."""
    x = args[0] if args and type(args[0]) is Tensor else None
    held = columns.get(id(x)) if x is not None else None
    if held is None or held[0] is not x:
        return False
    if func is Tensor.__getitem__ and len(args) == 2:
        picked = held[1] if held[1] is None else _picked_columns(x, args[1], held[1], out)
        if picked is None or picked:
            columns[id(out)] = (out, picked)
        return True
    if (func in _COLUMN_KEEPING or func in _COLUMN_LAYOUTS) and (held[1] is None or out.shape == x.shape):
        columns[id(out)] = (out, held[1])
        return True
    return False


def _picked_columns(table: Tensor, index: Any, columns: frozenset[int], out: Tensor) -> frozenset[int] | None:
    """The positional columns of ``table[index]``, a 2-dim table whose ``columns`` are: None where
    the pick is one of them (``table[:, 0]``), empty where it keeps none or is another pick."""
    parts = index if type(index) is tuple else (index,)
    n = table.shape[1]
    if len(parts) == 1 and type(parts[0]) in (slice, Tensor) and out.dim() == 2 and out.shape[1] == n:
        return columns  # some rows
    if len(parts) != 2 or type(parts[0]) not in (slice, Tensor) and parts[0] is not Ellipsis:
        return frozenset()
    k = parts[1]
    if type(k) is int and -n <= k < n:
        return None if k % n in columns else frozenset()
    if type(k) is Tensor:  # (its values are not read: each column it keeps may be a position)
        return frozenset(range(out.shape[1])) if out.dim() == 2 and out.shape[1] > 1 else None
    if type(k) in (slice, list):
        given = range(n)[k] if type(k) is slice else k
        if any(type(c) is not int or not -n <= c < n for c in given):
            return frozenset()
        kept = [c % n for c in given]
        picked = frozenset(j for j, c in enumerate(kept) if c in columns)
        return None if picked and len(picked) == len(kept) else picked  # (``table[:, :1]``: positions only)
    return frozenset()


# where a fill takes its value: (position, keyword)
_FILL_VALUE = {torch.full: (1, "fill_value"), Tensor.new_full: (2, "fill_value"), Tensor.fill_: (1, "value")}


def _stacked_weights(frame: Frame, args: tuple, kwargs: dict, out: Tensor) -> None:
    """``torch.stack([torch.tensor(t["loss_weight"] * 1.0) for t in targets])``: one-element
    tensors made from the images' weights by value (``_weight_valued``), a tensor of the weights."""
    items = get_arg(args, kwargs, 0, "tensors", None)
    if type(items) not in (list, tuple) or len(items) != frame.num_images or frame.get(out) is not None:
        return
    held = [frame.filled_numbers.get(id(x)) for x in items]
    numbers = [h[2] for h, x in zip(held, items) if h is not None and h[0] is x and version_of(x) == h[1]]
    if len(numbers) == len(items) and _weight_valued(frame, numbers):
        frame.weight_made[id(out)] = (out, torch.ones_like(out))


def _weights_in_rows(frame: Frame, data: list | tuple, out: Tensor) -> None:
    """``torch.tensor([[t["loss_weight"], 0.3] for t in targets])``: a row per image holding its
    weight object at some positions (the same in every row) and plain numbers at the others, noted
    in ``Frame.weight_made`` with 1 at those positions (on a group alone, each weight is 1)."""
    at = None
    for b, row in enumerate(data):
        if type(row) not in (list, tuple) or len(row) != out.shape[1]:
            return
        mine = tuple(k for k, v in enumerate(row) if type(v) is float and b in frame.weight_owners(v))
        if at is None:
            at = mine
        if mine != at or any(type(v) not in (int, float) for v in row):
            return
    if at:
        unit = out.clone()
        unit[:, list(at)] = 1
        frame.weight_made[id(out)] = (out, unit)


def _field_made(frame: Frame, x: Tensor) -> bool:
    """Whether the body's code makes the tensor ``x`` at the op from a field of the targets other
    than the weight (``torch.tensor([t["scale"] ** 2 for t in targets])``: each image's data)."""
    from .batch_fields import read_fields  # (it imports this module)

    targets = frame.per_image_targets
    weight = (("item", frame.weight_field),)
    return targets is not None and any(path != weight for path in read_fields(targets, x, tensors=True))


def _listed(frame: Frame, data: list | tuple) -> None:
    """Note ``data``, Python floats, one per image and not all equal, made into a tensor, in
    ``Frame.tensor_lists``: an entry picked from it (``max(s)``) is one image's number
    (``elementwise._binary``)."""
    if len(data) == frame.num_images > 1 and all(type(v) is float for v in data) and any(v != data[0] for v in data) \
            and not all(v == frame.host_weight(b) for b, v in enumerate(data)):  # (the weights: the weight rules')
        frame.tensor_lists.append(tuple(data))


def _cut_to_count(frame: Frame, x: Any, index: Any, call: bool = False) -> bool | Tensor:
    """``table[:len(targets)]`` of a tensor of no images made in the call (a helper's class
    weights, ``w.repeat(n)[:n]``), also along another dim (``w[:n, 0]``, ``w[0, :n]``): its first
    items by position, one per image; on a group alone the group's count of them. A cut as long as
    the tensor is one too where its items differ (red45: ``w[:len(t)]`` of 4 items on 4 images,
    silently wrong: on a group alone its first 2): for it, whether they differ, on the device (no
    read here: the caller's ``doubt_values``). The count is a size of image rows, a length of
    the data, or a number the code computed from one (``_made_with_count``)."""
    if type(x) is not Tensor or not x.dim() or frame.get(x) is not None:
        return False
    dim, cut, at = 0, None, 0
    for k, part in enumerate(index if type(index) is tuple else (index,)):
        if part is None:
            continue
        if type(part) is slice:
            if part.stop is not None:
                if cut is not None or part.start not in (None, 0) or part.step not in (None, 1) or not isinstance(part.stop, int):
                    return False
                cut, at = (dim, part.stop), k
            elif part.start is not None or part.step is not None:
                return False
        elif type(part) is not int:
            return False  # (an index tensor, an Ellipsis: not read here)
        dim += 1
    if cut is None or cut[0] >= x.dim() or not 0 < cut[1] <= x.shape[cut[0]]:
        return False
    if type(index) is tuple and not call:  # (the cut's own code read: ``w[:len(t), 0]``; an image's own ``k`` is none)
        counted = _bytecode.counted_subscript((at,))
    else:
        counted = _made_with_count(frame, (cut[1],), None) \
            or _bytecode.positional_index(frame.size_sites, frame.per_image_targets, made=True)
    if not counted or cut[1] < x.shape[cut[0]]:
        return bool(counted)
    return (x != x.select(cut[0], 0).unsqueeze(cut[0])).any()


def _cut_values(frame: Frame, cut: bool | Tensor, outs: Any, func: Any) -> None:
    """Note ``outs`` of ``func`` cut to a count (``_cut_to_count``) positional; where the cut is the
    whole tensor, decline the keys computed from them if its items differ (read with the call's one
    read: no sync here)."""
    if cut is False:
        return
    message = f"{op_name(func)} of a tensor of no images cut to a count of the images"
    for item in outs if isinstance(outs, (tuple, list)) else (outs,):
        if isinstance(item, Tensor) and frame.get(item) is None:
            if isinstance(cut, Tensor):
                frame.doubt_values(cut, f"{message} (its whole length on this batch, its items differ)", item)
            else:
                frame.positional[id(item)] = (item, message)


# ``x.narrow(0, 0, n)``, ``x.split(n)``: the first items of a dim (or every run of that many) by position
_SPLITS = frozenset({Tensor.split, torch.split})
_NARROWS = frozenset({Tensor.narrow, torch.narrow, *_SPLITS})


def _narrowed_to_count(frame: Frame, func: Any, args: tuple, kwargs: dict) -> bool | Tensor:
    """Whether ``func`` cuts a tensor of no images into runs of a count of the images (``w.narrow(0,
    0, len(t))``, ``w.split(len(t))[0]``): as ``_cut_to_count``'s slice, on a group alone other runs."""
    if func in (Tensor.narrow, torch.narrow):
        dim, start, length = (list(args[1:4]) + [None] * 3)[:3]
        if type(dim) is not int or start != 0:
            return False
        return _cut_to_count(frame, args[0], (slice(None),) * (dim % max(args[0].dim(), 1)) + (slice(0, length),), True)
    size = get_arg(args, kwargs, 1, "split_size_or_sections", None)
    if size is None:
        size = kwargs.get("split_size")
    dim = get_arg(args, kwargs, 2, "dim", 0)
    return type(size) is int and type(dim) is int and args[0].dim() > 0 and size < args[0].shape[dim] \
        and _cut_to_count(frame, args[0], (slice(None),) * (dim % args[0].dim()) + (slice(0, size),), True)


def _unowned_numbers(frame: Frame, data: Any) -> bool:
    """Whether ``data``, a list or tuple of Python floats (or a float array), one per image, made
    into a tensor, holds numbers that differ from image to image and are not each image's own: a
    float of its target fields or of a host read of its values (``data_images``), its weight (an
    object or a value: the weight rules'), nor possibly chosen by a decision on the images' values
    (``truth_read``, ``branches``: ``[3.0 if t["y"].max() > 0.86 else 1.0 for t in targets]``) or
    computed from sizes of their tensors the body read (``image_size_read``: ``[float(len(t["boxes"]))
    ** 0.5 for t in targets]``). Where it meets image rows, code that reads a field of the targets
    other than the weight makes it data (``positional_operand``: ``[t["area"] / 100 for t in
    targets]``). What else makes such numbers (``w = [1.0] * n; w[-1] = 0.25``,
    ``itertools.accumulate``) may follow the images' positions: on a group alone, others."""
    n = frame.num_images
    if type(data).__module__ == "numpy" and getattr(data, "ndim", 0) == 1 and data.dtype.kind == "f":
        data = data.tolist()  # (``torch.tensor(np.geomspace(1, 0.25, n))``: new floats, no image's)
    if type(data) not in (list, tuple) or n < 2 or len(data) != n or not all(type(v) is float for v in data) \
            or all(v == data[0] for v in data):
        return False
    if frame.truth_read or frame.branches or frame.image_size_read \
            or any(v != 1 and b in frame.weight_owners(v) and not _bytecode.caller_constant(v, frame.weight_field)
                   for b, v in enumerate(data)):
        return False  # (an image's weight object, not 1, at its position: the weight rules tell the others)
    # a literal of the body's code equal to the image's weight (``[0.5] + [1.0] * (n - 1)``) is the code's
    return not all(b in frame.data_images(v) or v == frame.host_weight(b) and not _bytecode.caller_constant(
        v, frame.weight_field if frame.weight_owners(v) else None) for b, v in enumerate(data))


REPEATED_COUNT_NUMBER = ("one number per image, the same for each, equal to a count of the call or its reciprocal "
                         "(``itertools.repeat(1.0 / len(t), len(t))``, ``np.full(len(t), 1.0 / len(t))``): on a group "
                         "alone the group's count")


def _repeated_count_number(frame: Frame, data: Any) -> bool:
    """Whether ``data``, a list or tuple of Python floats, one per image, repeats one number that is
    no constant of the body (``Frame.body_constant``: it equals a count of the call or its
    reciprocal, a number of the call's arguments or of a host read), nor 1 or an image's weight
    object (rt32: ``torch.tensor(list(itertools.repeat(1.0 / n, n)))`` was a constant per row;
    ``[1.0 / n] * n`` is read in the code, ``_bytecode.repeated_list``)."""
    if type(data) not in (list, tuple) or frame.num_images < 2 or len(data) != frame.num_images:
        return False
    c = data[0]
    if type(c) is not float or c == 1 or not all(type(v) is float and v == c for v in data) \
            or any(frame.weight_owners(v) for v in data) or _bytecode.caller_constant(c):
        return False  # (``torch.tensor([2.0] * n)``: a literal of the code, the same per row on any group)
    # (``np.full(n, 1.0 / n, dtype=np.float32)``: the count's reciprocal rounded to float32)
    return not frame.body_constant(c) or any(
        math.isclose(c * n, 1.0, rel_tol=1e-6) or math.isclose(c, n, rel_tol=1e-6) for n in frame.loop_counts() if n)


_OUTSIDE_MADE = "a vector made outside torch's functions"


def _outside_vector(frame: Frame, x: Tensor, op: str) -> None:
    """Read as ``_unowned_numbers`` does ``x``, a float vector of one item per image without images,
    where no torch function made it: its storage is not resizable, NumPy's (``torch.from_numpy(
    np.geomspace(1.0, 0.25, n))``: no torch function, the mode never sees it made; red team,
    session 25). Asked where it multiplies image rows, is converted (``.float()``) or read by any op
    on the host, once per vector. Noted as ``Frame.positional`` (``positional_operand``); the images' weights by value
    (``_weight_valued``) as ``Frame.weight_made``. Called hidden from torch."""
    n = frame.num_images
    if frame.exposed or n < 2 or x.dim() != 1 or x.shape[0] != n or frame.outside_read.get(id(x)) is x \
            or frame.get(x) is not None:
        return  # (a tensor of the call went to NumPy: the vector may hold the images' own values read there)
    frame.outside_read[id(x)] = x  # (a vector of n items: held to the end of the call)
    if not x.is_floating_point() or x.requires_grad or x.untyped_storage().resizable() or id(x) in frame.positional:
        return
    values = x.tolist()
    if _weight_valued(frame, values):  # ``torch.from_numpy(np.array([t["loss_weight"] for t in targets]))``
        frame.weight_made[id(x)] = (x, torch.ones_like(x))
    elif _unowned_numbers(frame, values):
        frame.positional[id(x)] = (x, f"{_OUTSIDE_MADE} (``torch.from_numpy``), given to {op}: Python numbers, one "
                                   "per image, that differ from image to image and are no data of the images")
        frame.unowned.add(id(x))
    elif _repeated_count_number(frame, values):
        frame.positional[id(x)] = (x, f"{_OUTSIDE_MADE} (``torch.from_numpy``), given to {op}: {REPEATED_COUNT_NUMBER}")


def _outside_asked(frame: Frame, func: Any, x: Tensor) -> None:
    """``_outside_vector`` of the op's first argument ``x`` where it is converted, or is a vector of
    one item per image on the host that any op reads (``w.max()``, ``max(w)``, ``w.tolist()``)."""
    if func not in _CONVERSIONS and (frame.outside_read.get(id(x)) is x or frame.get(x) is not None):
        return  # (cheap checks first, in Python alone)
    try:
        with _HIDDEN():  # (no op of ours, not even ``x.is_cpu``, reaches the user's outer modes)
            if func in _CONVERSIONS or x.is_cpu and x.dim() == 1 and x.shape[0] == frame.num_images:
                _outside_vector(frame, x, op_name(func))
    except Exception as exc:  # noqa: BLE001 - a bug here must never break training
        frame.error, frame.error_op = exc, op_name(func)


_NUMBER_WRITES = frozenset({Tensor.zero_, Tensor.fill_, Tensor.mul_, Tensor.div_, Tensor.add_, Tensor.sub_})


def _written_through_a_view(frame: Frame, func: Any, args: tuple, kwargs: dict) -> None:
    """``w[0].zero_()``, ``w[:1].fill_(2.0)``, ``w[0].mul_(0.5)``: a Python number written into
    some rows of ``w`` through a view of them, as ``w[0] = 0.0`` writes it (``_written_number``)."""
    view, base = args[0], args[0]._base
    value: Any = 0.0 if func is Tensor.zero_ else args[1] if len(args) > 1 else kwargs.get("value", kwargs.get("other"))
    n = frame.num_images
    if type(value) not in (int, float) or type(base) is not Tensor or base.dim() < 1 or base.shape[0] != n \
            or not base.is_contiguous() or base.stride(0) < 1 or view.numel() > _OFFSETS_AT_MOST \
            or frame.get(base) is not None or base.requires_grad:
        return
    try:
        with _HIDDEN():
            rows = cpu_view_rows(view, base)
    except Exception as exc:  # noqa: BLE001 - a bug here must never break training
        frame.error, frame.error_op = exc, op_name(func)
        return
    if type(value) is float and frame.weight_owners(value):  # (``w[b].mul_(t["loss_weight"])``: no rule follows it)
        frame.doubt(torch.ones((), dtype=torch.bool), f"{op_name(func)} through a view wrote an image's weight field "
                    "into rows of a tensor of no images (weight or data cannot be told apart)")
    elif rows and rows == list(range(rows[0], rows[-1] + 1)) and 0 <= rows[0] and rows[-1] < n:
        _written_number(frame, base, slice(rows[0], rows[-1] + 1), float(value), f"{op_name(func)} through a view")


def _written_number(frame: Frame, x: Any, index: Any, value: float, op: str = "Tensor.__setitem__") -> None:
    """``w[0] = 2.0`` into ``x``, a tensor of no images, one item or row per image (a vector, or a
    class table repeated over the rows, ``w[None].repeat(B, 1)``): a number written at a position
    is no image's own data unless it is that image's (``_unowned_numbers``); on a group alone
    another image holds that position. Noted as ``Frame.positional``."""
    n = frame.num_images
    if type(x) is not Tensor or x.dim() < 1 or n < 2 or x.shape[0] != n or frame.get(x) is not None \
            or x.requires_grad:
        return
    whole = index
    if type(index) is tuple:  # (``w[0, 1] = 0.0``: a cell of the first row; not ``t[b, best, gj] = 1.0``, cells
        # the image's data picks in a loop over the images)
        if x.dim() < 2 or not index or not all(type(i) in (int, slice) for i in index):
            return
        index = index[0]
    if type(index) is slice:
        positions = range(n)[index]
        if len(positions) in (0, n):
            return  # (every row written alike, or none)
    elif type(index) is int and -n <= index < n:
        positions = range(index % n, index % n + 1)
    else:
        return
    from .batch_fields import read_fields  # (it imports this module)

    try:
        if all(b in frame.data_images(value) for b in positions):
            return
        # a weight's object written in a loop (``w[b] = t["loss_weight"]``): the weight rules'. Not at a row of
        # another image (``m[(i + 1) % B] = 0.5``, 0.5 image i's), nor outside a loop (``w[-1] = 0.5``, the last
        # image's weight object): the position picks it; nor a 1.0 written in part of a row (``m[i, :n] = 1.0``, a
        # padded mask, its literal the very object of some weights 1: the same on weights 1, and a mask of the
        # batch's width)
        owners = frame.weight_owners(value)
        if owners and (type(index) is not int or all(b in owners for b in positions) and (
                type(whole) is int or value != 1.0)) and _bytecode.looped(proven=True):
            return
        targets = frame.per_image_targets
        weight = (("item", frame.weight_field),)
        if targets is None or not any(path != weight for path in read_fields(targets, value, own=True)):
            frame.positional[id(x)] = (x, f"{op} of a Python number at a position of a vector, one item per image, "
                                       "that is no data of the image there")
            frame.unowned.discard(id(x))
    except Exception as exc:  # noqa: BLE001 - a bug here must never break training
        frame.error, frame.error_op = exc, op


def _note_fixed_dims(frame: Frame, func: Any, args: tuple, out: Tensor) -> None:
    """``Frame.fixed_dims`` of a factory's ``out`` of a row per image: the dims the code sizes by
    literals or by a size of another tensor's later dim (``_bytecode.fixed_sizes``; a ``*_like``
    factory: every dim), the same on a group's run."""
    name = getattr(func, "__name__", "")
    start = 1 if name.startswith("new_") else 0
    tupled = len(args) > start and isinstance(args[start], (tuple, list, torch.Size))
    dims = frozenset(range(out.dim())) if name.endswith("_like") else _bytecode.fixed_sizes(tupled)
    frame.fixed_dims[id(out)] = (out, dims)


def _note_count_dims(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Tensor) -> None:
    """``Frame.count_dims`` of a factory's ``out`` where a size equals a count of the batch and
    the body's code computes it from a length of its data (``_bytecode.counted_sizes``)."""
    start = 1 if getattr(func, "__name__", "").startswith("new_") else 0
    size = args[start] if len(args) > start else kwargs.get("size", ())
    tupled = isinstance(size, (tuple, list, torch.Size))
    sizes = size if tupled else args[start:start + out.dim()]
    counts = {frame.num_images, *frame.lengths}
    if frame.get(out) is not None:
        return
    for n in sizes:  # (a loop: no generator per factory)
        if type(n) is int and n in counts:
            break
    else:
        return
    literal = _bytecode.literal_sizes(tupled)
    if literal:
        frame.literal_dims[id(out)] = (out, literal)
    dims = frozenset(d for d in _bytecode.counted_sizes(tupled) if d < out.dim())
    if dims:
        frame.count_dims[id(out)] = (out, dims)


POSITION_FILL = "of an image's position in a loop over the images"  # a fill's (``_position_values``)


def positional_operand(frame: Frame, x: Tensor, rows: Rows, shape: Sequence[int], op: str) -> None:
    """Decline ``x``, an untracked operand of values of image rows (broadcast to ``shape``), where
    it was computed from a ``_POSITIONAL`` factory given a count of image rows
    (``Frame.positional``): its values follow the rows' positions or count in the batch, on a
    group alone the group's (review 16, red team session 17: were followed as constants)."""
    derived = frame.positional.get(id(x))
    if derived is None or derived[0] is not x or id(x) in frame.unowned and _field_made(frame, x):
        return
    if not rows and derived[1].endswith(POSITION_FILL):  # one image's values times ``torch.full((3,), i)`` (s43)
        raise Unsupported(f"an operand computed by {derived[1]}: its values follow the image's position in the batch, "
                          "on a group alone another")
    shift = len(shape) - x.dim()
    along = [d - shift for d in rows if d >= shift and x.shape[d - shift] != 1]
    if along and not (id(x) in frame.unowned and _repeated_along(x, along)):
        raise Unsupported(f"an operand computed by {derived[1]}: its values follow the rows' positions or count in the batch, on a group alone the group's")


_IDENTITIES = frozenset({torch.eye, torch.arange, torch.nn.functional.one_hot})


def _note_identity(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Tensor) -> None:
    """Note ``out`` in ``Frame.identity_made`` where it is ``torch.eye(n)``, ``torch.arange(n)`` (or
    ``arange(0, n)``) or ``F.one_hot`` of such an arange with ``n`` classes: the identity, by how it
    was made (``diagonal_picked``)."""
    if func is torch.eye:
        n = args[0] if args else kwargs.get("n")
        ok = out.dim() == 2 and (args[1] if len(args) > 1 else kwargs.get("m", n)) in (None, n)
    elif func is torch.arange:
        ok = out.dim() == 1 and not {"start", "step"} & kwargs.keys() and (
            len(args) == 1 or len(args) == 2 and type(args[0]) is int and args[0] == 0)
    else:
        x = args[0] if args else kwargs.get("tensor")
        held = frame.identity_made.get(id(x)) if isinstance(x, Tensor) else None
        classes = args[1] if len(args) > 1 else kwargs.get("num_classes", -1)
        ok = held is not None and held[0] is x and x.dim() == 1 and classes == x.shape[0] and out.dim() == 2
    if ok:
        frame.identity_made[id(out)] = (out, version_of(out))


def diagonal_picked(frame: Frame, src: Tensor, track: Track, pick: Tensor, op: str, picked: Tensor, n: int) -> bool:
    """Whether ``pick`` (``torch.arange(n)``, ``torch.eye(n)`` or ``F.one_hot(torch.arange(n), n)`` as
    made, ``Frame.identity_made``, or a view of one, with ``n`` a count of the images' rows:
    ``Frame.positional``) picks the diagonal of ``src``, an ``[n, n]`` table of pairs of the same
    images (``a @ b.T``); ``picked``: its values, checked on the device to be those of the diagonal
    (``torch.arange(n)`` as an index, ``torch.eye(n)`` as a mask or a factor). On a group alone the count is the
    group's, so it picks the group's own diagonal. The two dims' images agree (checked likewise)."""
    made = next((t for t in (pick, pick._base) if isinstance(t, Tensor) and (held := frame.identity_made.get(id(t)))
                 is not None and held[0] is t and held[1] == version_of(t)), None)
    held = frame.positional.get(id(made)) if made is not None else None
    if held is None or held[0] is not made:
        return False
    if src.dim() != 2 or set(track.rows) != {0, 1} or src.shape[0] != src.shape[1] or src.shape[0] != n:
        return False
    want = torch.arange(n, device=picked.device) if picked.dim() == 1 else torch.eye(n, dtype=picked.dtype, device=picked.device)
    frame.doubt((picked != want).any(), f"{op} picks other entries of a table of pairs of images than its diagonal")
    frame.agree(track.rows[0], track.rows[1], op)
    return True


def _repeated_along(x: Tensor, dims: Sequence[int]) -> bool:
    """Whether ``x`` holds the same values at every position of each of ``dims``: a table of
    Python numbers (``Frame.unowned``: no count in them) copied along the rows (``w[None].repeat(B,
    1)``, balanced-loss' class weights over a batch as many as its classes) is the table broadcast
    from size 1 there, which meets no row's position. (Values computed from a count, ``arange(n) *
    0 + n``, are not asked: the same at every row, they are the batch's count.)"""
    with _HIDDEN():
        return all(torch.equal(x, x.narrow(d, 0, 1).expand_as(x)) for d in dims)


def counted_broadcast(frame: Frame, x: Tensor, others: Sequence[Tensor], rows: Rows, shape: Sequence[int], op: str) -> None:
    """Decline ``x``, an untracked operand made by a factory with a count of the images as the size
    of a dim (``torch.ones(B, B)``: ``Frame.sized_by``, ``Frame.count_dims``; any dim of a
    ``Frame.positional`` one, ``torch.arange(B)[None]``), where such a dim meets image rows of
    ``others`` (the tracked operands) broadcast along it (``l[:, None] * torch.ones(B, B)``): each
    row then has the batch's count of entries there, on a group alone the group's. Along the rows'
    own dim (``l * torch.ones(B)``) it is the rows' size, the group's on a group alone. ``rows``
    empty: one image's value (``x[i].mean() * torch.ones(len(t))`` in a loop over the images)."""
    sized = frame.sized_by.get(id(x))
    held = frame.count_dims.get(id(x))
    made = frame.positional.get(id(x))
    dims = {*(sized[1] if sized is not None and sized[0] is x else ()), *(held[1] if held is not None and held[0] is x else ()),
            *(range(x.dim()) if made is not None and made[0] is x else ())}
    shift = len(shape) - x.dim()
    for d in dims:
        e = d + shift
        if d < x.dim() and x.shape[d] != 1 and e not in rows and all(
                e < len(shape) - t.dim() or t.shape[e - len(shape) + t.dim()] == 1 for t in others):
            raise Unsupported(f"an operand made with a count of the images as the size of its dim {d}, where image rows "
                              "broadcast: each row has the batch's count of entries there, on a group alone the group's")


_EXPOSED_VALUES = 1 << 16  # elements of the images' values copied when handed out (logits are not)


def _changed(now: Tensor, before: Tensor) -> Tensor:
    """Where ``now`` differs from ``before`` (NaN as NaN)."""
    return (now != before) & ~(now.isnan() & before.isnan()) if now.is_floating_point() else now != before


_TENSOR_NEW = Tensor.new


def _sizes_only(args: tuple) -> bool:
    """Whether ``x.new(*args[1:])`` is given sizes (ints, or one ``torch.Size`` / tuple of them), the
    legacy constructor's fresh memory, not data to copy or a tensor to share."""
    sizes = args[1] if len(args) == 2 and type(args[1]) in (torch.Size, tuple) else args[1:]
    return len(args) >= 2 and all(isinstance(n, int) and not isinstance(n, bool) for n in sizes)


class Unsupported(Exception):
    """Raised by a rule for a call form it declines (the reason names what was seen)."""


# Ops whose tensor outputs carry nothing to attribute (fresh data, bookkeeping): no warning.
KNOWN_IGNORED = {
    Tensor.new_zeros, Tensor.new_ones, Tensor.new_empty, Tensor.new_tensor, torch.tensor, torch.as_tensor,
    torch.zeros, torch.ones, torch.empty, torch.arange, torch.randperm, torch.rand,
    torch.randn, torch.randint, torch.linspace,
    Tensor.numpy, Tensor.tolist, Tensor.item, Tensor.retain_grad, Tensor.register_hook, Tensor.backward,
}


_NO_KWARGS: dict[str, Any] = {}  # shared by calls without keyword arguments; rules only read it
_HIDDEN = torch._C.DisableTorchFunction
_MODES_BELOW = torch._C._len_torch_function_stack
# copies keeping a vector's values where its dtype stays (``Frame.constant_vectors``)
_VECTOR_COPIES = frozenset({Tensor.to, Tensor.clone, torch.clone, Tensor.detach, Tensor.contiguous, Tensor.cpu,
                            Tensor.cuda, Tensor.type_as})


_OWN_LENGTH_FACTORIES = frozenset({torch.ones, torch.zeros})

# ops that lay a mask out anew without changing what it tests (``(lw < 0.9)[:, None, None]``, ``.expand_as(e)``)
_MASK_LAYOUTS = frozenset({
    Tensor.expand, Tensor.expand_as, Tensor.broadcast_to, torch.broadcast_to, Tensor.view, Tensor.view_as,
    Tensor.reshape, Tensor.reshape_as, torch.reshape, Tensor.flatten, torch.flatten, Tensor.unsqueeze,
    torch.unsqueeze, Tensor.squeeze, torch.squeeze, Tensor.__getitem__, Tensor.repeat, Tensor.repeat_interleave,
    torch.repeat_interleave, Tensor.permute, torch.permute, Tensor.transpose, torch.transpose, Tensor.t, torch.t,
    Tensor.movedim, torch.movedim, Tensor.contiguous, Tensor.clone, torch.clone,
})
# ops that negate such a mask: the same tensor tested, the mask on weights 1 negated too
_MASK_NEGATIONS = frozenset({Tensor.__invert__, Tensor.logical_not, torch.logical_not, Tensor.bitwise_not,
                             torch.bitwise_not})


def _laid_out_number_test(frame: Frame, func: Any, args: tuple, kwargs: dict | None, out: Tensor) -> None:
    """A mask of a number test (``Frame.number_tests``) laid out anew: the tested tensor and its mask
    on weights 1 laid out alike, so that where it meets the images' values it is checked as the
    mask itself is (was dropped, so the batch's positions were kept on every group)."""
    held = frame.number_tests.get(id(args[0]))
    if held is None or held[0] is not args[0] or frame.get(out) is not None:
        return
    rest = args[1:]
    tested = held[1] if func in _MASK_NEGATIONS else func(held[1], *rest, **(kwargs or {}))
    unit = func(held[2], *rest, **(kwargs or {}))
    if type(tested) is Tensor and type(unit) is Tensor and tested.shape == unit.shape == out.shape:
        frame.number_tests[id(out)] = (out, tested, unit)


_POSITION_FACTORIES = {torch.arange: "arange", torch.linspace: "linspace", torch.tensor: "tensor",
                       torch.as_tensor: "as_tensor", torch.full: "full"}


def _made_after_reads(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Tensor) -> None:
    """The op's output, of no image, made after host reads of one image (``Frame.read_image``) by a
    factory of Python numbers or from tensors so made only: recorded in ``Frame.made_positions``
    with that image, and whether the code gave the factory (or an op of such tensors) a number kept
    from an earlier iteration of its loop, a loop's position or the number of images (a tensor of
    other positions on a group alone)."""
    made = frame.made_positions
    image, kept, inputs, numbers = frame.read_image, False, False, False
    for a in (*args, *kwargs.values()):  # (a loop: no generator per op after a read)
        if type(a) is Tensor:
            held = made.get(id(a))
            if held is None or held[0] is not a:
                return
            inputs, kept = True, kept or held[2] or held[1] != image
        elif type(a) in (int, float, slice, tuple, list):
            numbers = True
    if inputs and numbers and not kept:  # (``keep.clamp(max=len(x) - 1)``, ``keep[: i + 1]``)
        sites, targets = frame.size_sites, frame.per_image_targets
        kept = _bytecode.positional_argument(sites, targets) or _bytecode.counted_number(zero=False) or (
            func is Tensor.__getitem__ and (_bytecode.positional_cut(sites, targets) or _bytecode.carried_subscript()))
    if not inputs:
        name = _POSITION_FACTORIES.get(func)
        if name is None:
            return
        # (``torch.arange(min(n, len(x)))``: a number of the images, the group's on a group alone)
        kept = _bytecode.positional_argument(frame.size_sites, frame.per_image_targets) or _bytecode.carried_size(name) \
            or _bytecode.counted_number(zero=False)
    made[id(out)] = (out, image, kept)


def _own_length_factory(frame: Frame, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.ones(len(t["boxes"]))`` -- a factory sized by the length just read of one image's
    own tensor, written at the call (the bytecode shows the ``len`` call, and its site is the one
    that read that tensor's length): constants of that image (a per-image mask, padded and
    stacked), the same tensor on a group alone. Any other size, keyword or layout: no images."""
    image, n, site = frame.image_len or (None, None, None)
    frame.image_len = None
    if image is None or site is None or kwargs or len(args) != 1 or type(args[0]) is not int or args[0] != n \
            or type(out) is not Tensor or frame.get(out) is not None:
        return
    if _bytecode.length_argument() == site:
        frame.set(out, Track(image=image))


_FUNCTORCH = torch._C._functorch


def _vmapped(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> bool:
    """An op inside ``torch.func.vmap`` (its tensors are batched wrappers of the tensors passed
    in, the mapped dim hidden): each slot's output comes from that slot's inputs alone, so where
    every tracked input is batched along exactly its dim of images, the output's batched dim
    takes those rows (a per-image loss, whatever the function computes within its slot; the
    physical output of the last op is what ``vmap`` returns where the dims line up). A tracked
    tensor used whole in every slot (``in_dims=None``, a closure), a slot dim that is not the
    images' (``in_dims=1``), a nested transform, weighted or reduced inputs: the outputs are lost.
    True where the op had batched tensors (no other rule runs on them)."""
    if not any(isinstance(a, Tensor) and _FUNCTORCH.is_batchedtensor(a) for a in flat_args(args, kwargs)):
        return False
    op = f"torch.vmap ({op_name(func)})"
    rows: Tensor | None = None
    pred = False
    problem = inherited = None
    inputs: list[Tensor] = []
    for a in flat_args(args, kwargs):
        if not isinstance(a, Tensor):
            continue
        batched = _FUNCTORCH.is_batchedtensor(a)
        phys = _FUNCTORCH.get_unwrapped(a) if batched else a
        inputs.append(phys)
        if batched and _FUNCTORCH.is_functorch_wrapped_tensor(phys):
            problem = "inside a nested transform"
            continue
        track = frame.get(phys)
        if track is None:
            if batched and phys.is_floating_point() and frame.weights_on(phys.device) is not None:
                problem = "beside an untracked tensor mapped along the images (their weights, set to 1 on a group alone?)"
            continue
        pred = pred or track.from_prediction
        if not batched:
            problem = "of a tensor of the images used whole in every slot"
            continue
        d = _FUNCTORCH.maybe_get_bdim(a)
        if track.lost_at is not None:
            inherited = inherited or track.lost_at  # lost before or in an earlier op of a slot: named as it was
        elif track.reduced or track.image is not None:
            problem = "of a reduced value or one image's tensor"
        elif track.unweighted is not None:
            problem = "of weighted values"
        elif set(track.rows) != {d}:
            problem = "mapped along a dim other than the images' alone"
        elif rows is None:
            rows = track.rows[d]
        else:
            frame.agree(rows, track.rows[d], op)
    for o in out if isinstance(out, (tuple, list)) else (out,):
        if not isinstance(o, Tensor) or not _FUNCTORCH.is_batchedtensor(o):
            continue
        phys = _FUNCTORCH.get_unwrapped(o)
        if problem is None and any(phys is x for x in inputs):
            problem = "writing into its input"
        if problem is not None or inherited is not None:
            while _FUNCTORCH.is_batchedtensor(phys):  # a nested transform's: the tensor it returns at last
                phys = _FUNCTORCH.get_unwrapped(phys)
            frame.lose(phys, f"{op} {problem}" if problem is not None else str(inherited), pred=pred)
        elif rows is not None:
            frame.set(phys, Track(rows={_FUNCTORCH.maybe_get_bdim(o): rows}, from_prediction=pred))
    return True


# What switches the capture off for the ops under it (``with torch._C.DisableTorchFunction():``, the
# mode stack popped): a write there moves no version counter the rules compare (``.data``) or one no
# seen op explains, so the capture's values are no longer the body's.
_SWITCHES = (*(f for n in ("DisableTorchFunction", "_pop_torch_function_stack", "_set_torch_function_state",
                            "_set_skip_next_torch_function", "_skip_one_hop_torch_function")
               if (f := getattr(torch._C, n, None)) is not None),
             torch.overrides._pop_mode, torch.overrides._pop_mode_temporarily)
_SWITCH_NAMES = frozenset(getattr(f, "__name__", "") for f in _SWITCHES)
# torch's own code pops modes to call them, losssplit's hides its own ops (a decorated call inside the body): neither
# is the body's
_OWN_DIRS = (os.path.dirname(torch.__file__) + os.sep, os.path.dirname(os.path.dirname(__file__)) + os.sep)
_PLAIN = frozenset({int, float, bool, str, bytes, tuple, list, dict, set, frozenset, types.BuiltinFunctionType})
_CALLABLES = (types.FunctionType, staticmethod, classmethod, types.MethodType)
_SWITCHING: dict[types.CodeType, str | None] = {}  # code -> the switch it names (None: none), read once per code


def _switch_named(caller: types.FrameType) -> str | None:
    """The torch function switch that ``caller``'s code, or a function it may call without an op the
    capture sees (a global's, its ``self``'s method, a closure's, a nested one: three calls deep),
    names by attribute or by a global bound to it; None where none does."""
    code = caller.f_code
    local = caller.f_locals
    me = local.get("self") if code.co_argcount and code.co_varnames[0] == "self" else None
    owner = type(me) if me is not None else None
    seen: set[types.CodeType] = set()
    found = _names_switch(code, caller.f_globals, owner, 3, seen)
    for name in code.co_freevars:
        if found is None and type(fn := local.get(name)) is types.FunctionType:
            found = _names_switch(fn.__code__, fn.__globals__, owner, 2, seen)
    return found


def _names_switch(code: types.CodeType, glob: dict[str, Any], owner: type | None, depth: int,
                  seen: set[types.CodeType]) -> str | None:
    if code in seen or code.co_filename.startswith(_OWN_DIRS):
        return None
    seen.add(code)
    callees: list[Any] = [c for c in code.co_consts if type(c) is types.CodeType]
    # where a name read as an attribute is found: ``self``'s class, a module, a class or an object's class the
    # code names (``helpers.sneak(x)``, ``HELPER.sneak(x)``), read without running a descriptor or ``__getattr__``
    # (names come in the order the code first reads them: ``helpers``, ``WRITER``, then ``add``)
    spaces: list[Mapping[str, Any]] = [k.__dict__ for k in owner.__mro__] if owner is not None else []
    for name in code.co_names:
        if name in _SWITCH_NAMES:
            return name
        value = glob.get(name)
        if value is None:
            value = next((space[name] for space in spaces if name in space), None)
        if value is None or type(value) in _PLAIN:
            continue
        if any(value is f for f in _SWITCHES):
            return getattr(value, "__name__", name)
        if type(value) is types.ModuleType:
            spaces.append(value.__dict__)
        elif type(value) not in _CALLABLES and len(spaces) < 64:
            spaces += [k.__dict__ for k in (value if isinstance(value, type) else type(value)).__mro__[:-1]]
        if type(value) in (staticmethod, classmethod, types.MethodType):
            value = value.__func__
        if type(value) is types.FunctionType:
            callees.append(value)
    for callee in callees if depth else ():
        if type(callee) is types.CodeType:  # (a nested function or a lambda: the same globals)
            found = _names_switch(callee, glob, owner, depth, seen)
        else:
            found = _names_switch(callee.__code__, callee.__globals__, owner, depth - 1, seen)
            for cell in callee.__closure__ or ():
                if found is None and type(fn := getattr(cell, "cell_contents", None)) is types.FunctionType:
                    found = _names_switch(fn.__code__, fn.__globals__, owner, depth - 1, seen)
        if found is not None:
            return found
    return None


def _watch_switches(frame: Frame, caller: types.FrameType) -> None:
    """Decline the call where the code calling an op names a switch of torch functions: what runs
    under it (an in-place write, a write through ``.data``) is hidden from every rule."""
    code = caller.f_code
    found = _SWITCHING.get(code, code)
    if found is code:
        found = _SWITCHING[code] = _switch_named(caller)
    if found is not None and code not in frame.switches_seen:
        frame.switches_seen.add(code)
        with _HIDDEN():
            frame.doubt(torch.ones((), dtype=torch.bool), f"{code.co_name} (line {code.co_firstlineno}) names "
                        f"torch's {found}: ops run under it are hidden from the capture (a write there, through "
                        "'.data' too, may put other images' values into any key)")


class _OpFacts:
    """What ``CaptureMode._run`` asks of an op's function alone, read once per function: each a
    membership of a fixed table (``_INDEXED``, ``_WRITES``, ...), so an op reads an attribute where
    it hashed ``func`` into that table, and the index and ``Tensor.new`` rewrites (``pre``) are
    skipped as one. Tables that tests patch or modules fill (``RULES``, ``RUNNERS``, ``MIXING``,
    ``KNOWN_IGNORED``, ``HOST_READS``) are read live, not here."""

    __slots__ = ("indexed", "tensor_new", "view_as", "count_sized", "value_args", "made_or_written", "splits",
                 "conversions", "shadowed", "tensor_makers", "setitem", "weight_views", "size_keeping", "pieces", "owner_tests", "pre")

    def __init__(self, func: Any) -> None:
        self.indexed = func in _INDEXED
        self.tensor_new = func is _TENSOR_NEW
        self.view_as = func is _VIEW_AS
        self.count_sized = func in _COUNT_SIZED
        self.value_args = func in _VALUE_ARGS
        self.made_or_written = func in _MADE_OR_WRITTEN
        self.splits = func in _SPLITS
        self.conversions = func in _CONVERSIONS
        self.shadowed = func in _SHADOWED
        self.tensor_makers = func in _TENSOR_MAKERS
        self.setitem = func is _SETITEM
        self.weight_views = func in _WEIGHT_VIEWS
        self.size_keeping = func in _SIZE_KEEPING
        self.pieces = func in _PIECES
        self.owner_tests = func in _OWNER_TESTS
        self.pre = self.indexed or self.tensor_new  # (the forms rewritten before the rules)


_FACTS: dict[Any, _OpFacts] = {}


def _op_facts(func: Any) -> _OpFacts:
    """``_FACTS[func]``, made on the first ask (the table starts over at 1,024 functions). A function
    not ``_lasting`` is not kept."""
    facts = _OpFacts(func)
    if _lasting(func):
        if len(_FACTS) >= 1024:
            _FACTS.clear()
        _FACTS[func] = facts
    return facts


class _Foreign(dict[tuple, bool]):
    """Whether one of the tensor types of an op has a ``__torch_function__`` of the user's own (not
    ``Tensor``'s, which only converts the results to the subclass): read as ``_FOREIGN[types]``, once
    per tuple of types."""

    def __missing__(self, types: tuple) -> bool:
        if len(self) >= 256:
            self.clear()
        owns = [getattr(getattr(t, "__torch_function__", None), "__func__", None) for t in types]
        found = self[types] = any(f is not None and f is not _TENSOR_TF and f is not _DISABLED_TF for f in owns)
        return found


_TENSOR_TF = Tensor.__torch_function__.__func__  # type: ignore[attr-defined]
_DISABLED_TF = torch._C._disabled_torch_function_impl
_FOREIGN = _Foreign()
# ops of a foreign tensor run again to compare would act twice
_ACTING = frozenset({"backward", "register_hook", "retain_grad", "__setitem__", "__set__",
                     "register_post_accumulate_grad_hook"})
# ops of a foreign tensor not run again, their results not followed: a run again would fire the
# user's hooks on the graph twice (``torch.autograd.grad(..., retain_graph=True)``)
_HOOKED = frozenset({"grad"})


def _holds_foreign(value: Any) -> bool:
    """Whether ``value`` (the call's arguments) holds a tensor of a ``_FOREIGN`` type: in dicts,
    lists, tuples (their subclasses' items as stored) and objects' own attributes, five levels. No
    code of the user's runs: no method, property or ``__getattr__`` of theirs is called (a user
    Mapping's items are read where its instance dict holds them); what it hides is found at its
    first op (``CaptureMode.__torch_function__``)."""
    level = [value]
    for _ in range(5):
        below: list[Any] = []
        for v in level:
            t = type(v)
            if t is Tensor or type(t) is type and t in _ATOMS:  # (a metaclass of the user's may hash a class)
                continue
            if issubclass(t, dict):
                below += dict.values(v)
            elif issubclass(t, (list, tuple)):
                below += list.__iter__(v) if issubclass(t, list) else tuple.__iter__(v)
            elif issubclass(t, Tensor):
                if _FOREIGN[(t,)]:
                    return True
            elif (held := instance_dict(v, t)) is not None:
                below += dict.values(held)
        level = below[:4096]
    return False


def instance_dict(v: Any, t: type) -> dict | None:
    """``v.__dict__`` by the slot Python gives its class, None where it has none: a ``__dict__`` of
    the user's (a property), ``__getattribute__`` or ``__getattr__`` never runs. A class written in C
    (``types.SimpleNamespace``) gives it as a member, a Python class as a getset: both read memory only."""
    slot = _class_attribute(t, "__dict__")
    held = slot.__get__(v, t) if type(slot) in _DICT_SLOTS else None
    return held if type(held) is dict else None


def stored_values(v: Any) -> list[Any] | None:
    """The values the container ``v`` holds, as stored, with no method, property or ``__getattr__``
    of the user's run: a dict's, list's or tuple's (their subclasses' too); a Mapping of the user's
    (``mapping_like``; not a module) by its instance dict's values; None for anything else."""
    t = type(v)
    if t is dict:  # (most containers read: the builtin ones, their own methods first)
        return list(dict.values(v))
    if t is list or t is tuple:
        return list(v)
    if type(t) is type and t in _ATOMS:  # (most values read: numbers, strings)
        return None
    if issubclass(t, dict):
        return list(dict.values(v))
    if issubclass(t, (list, tuple)):
        return list(list.__iter__(v) if issubclass(t, list) else tuple.__iter__(v))
    held = instance_dict(v, t) if mapping_like(t) and not issubclass(t, torch.nn.Module) else None
    return list(dict.values(held)) if held is not None else None


def mapping_like(t: type) -> bool:
    """Whether objects of the class ``t`` are dicts or Mappings (their classes have ``items`` and
    ``keys``), read in the classes' own dicts (no ``__getattr__`` of the user's runs)."""
    if t is dict:
        return True
    if t is list or t is tuple or type(t) is type and t in _ATOMS:  # (most values read: no class-dict walk)
        return False
    return issubclass(t, dict) or _class_attribute(t, "items") is not _ABSENT and _class_attribute(t, "keys") is not _ABSENT


def stored_attribute(v: Any, name: str, default: Any = None) -> Any:
    """``v``'s attribute ``name`` as stored, with no property, ``__getattribute__`` or ``__getattr__``
    of the user's run: a slot's (``__slots__``, a named tuple's field), its instance dict's, a plain
    value of its class (a named tuple's ``_fields``); ``UNREAD`` where a property or another
    descriptor of its class would compute it; ``default`` otherwise."""
    t = type(v)
    found = _class_attribute(t, name)
    if type(found) in _SLOTS:
        try:
            return found.__get__(v, t)
        except AttributeError:  # (an empty slot)
            return default
    if found is not _ABSENT and _class_attribute(type(found), "__set__") is not _ABSENT:  # a property: not run
        return UNREAD
    held = instance_dict(v, t)
    if held is not None and name in held:
        return held[name]
    if found is _ABSENT:
        return default
    return found if _class_attribute(type(found), "__get__") is _ABSENT else UNREAD


def _class_attribute(t: type, name: str) -> Any:
    """The attribute ``name`` of the class ``t`` as its classes' dicts hold it; ``_ABSENT`` where none does."""
    for k in _MRO.__get__(t):  # (not ``t.__mro__``: a metaclass of the user's may answer it)
        held = _CLASS_DICT.__get__(k)
        if name in held:
            return held[name]
    return _ABSENT


_MRO, _CLASS_DICT = type.__dict__["__mro__"], type.__dict__["__dict__"]
_ABSENT = object()
UNREAD = object()
"""What ``stored_attribute`` gives for an attribute that code of the user's would compute."""
_SLOTS = (types.MemberDescriptorType, type(collections.namedtuple("_Pair", "a").__dict__["a"]))  # (``__slots__``; a named tuple's field)
_DICT_SLOTS = (type(_CLASS_DICT), types.MemberDescriptorType)  # (what ``class C: pass`` and ``SimpleNamespace`` get for ``__dict__``)


_ATOMS = frozenset({int, float, str, bool, type(None), torch.Size, torch.dtype, torch.device})


def _same_result(a: Any, b: Any) -> bool:
    """Whether two results of an op are the same: tensors of one shape, dtype and device and equal
    values (NaN where NaN), sequences item by item, anything else equal and of one type."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        if not (isinstance(a, Tensor) and isinstance(b, Tensor) and a.shape == b.shape and a.dtype == b.dtype
                and a.device == b.device):
            return False
        if not (a.is_floating_point() or a.is_complex()):
            return bool(torch.equal(a, b))
        return bool(torch.eq(a, b).logical_or_(a.isnan() & b.isnan()).all())
    if type(a) in (tuple, list) or isinstance(a, tuple):
        return type(b) is type(a) and len(a) == len(b) and all(_same_result(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and (a is b or a == b)


def _differs(a: Any, b: Any) -> bool | Tensor:
    """``not _same_result(a, b)`` without a host read: a 0-dim bool tensor where tensors' values decide."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        if not (isinstance(a, Tensor) and isinstance(b, Tensor) and a.shape == b.shape and a.dtype == b.dtype
                and a.device == b.device):
            return True
        if a.numel() == 0:
            return False
        same = torch.eq(a, b)
        if a.is_floating_point() or a.is_complex():
            same = same.logical_or_(a.isnan() & b.isnan())
        return same.logical_not_().any()
    if type(a) in (tuple, list) or isinstance(a, tuple):
        if not (type(b) is type(a) and len(a) == len(b)):
            return True
        flags = [_differs(x, y) for x, y in zip(a, b)]
        if any(f is True for f in flags):
            return True
        held = [f for f in flags if isinstance(f, Tensor)]
        return torch.stack([f.to(held[0].device) for f in held]).any() if held else False
    return not (type(a) is type(b) and (a is b or a == b))


def _foreign_op(frame: Frame, func: Any, args: tuple, kwargs: dict | None, out: Any, types: Any,
                versions: list[tuple[Tensor, int | None]]) -> bool:
    """An op of a tensor subclass whose ``__torch_function__`` is the user's (``_FOREIGN``), or any op
    under the user's own mode (``Frame.outer_mode``: it may make ``mean`` a sum): its result is followed where it is what the op gives plain tensors (run again with torch functions
    off, without grad, the generators' states kept: a tv_tensor unwrapping its results). A result
    that differs (a random draw's too): what it made is lost. An op that wrote into a tensor it was
    given (``versions``: taken before it ran; ``.data``, views; running statistics or ``inplace=`` passed),
    or acts (``backward``),
    or that gave no tensor: the user's code decided what the rules do not read, so the call is
    declined. True where so (no rule runs)."""
    name = op_name(func)
    sub = next((t.__name__ for t in types if _FOREIGN[(t,)]), None)
    kind = f"of a {sub} (a tensor subclass whose __torch_function__ is the user's)" if sub else \
        f"under the user's torch function mode {frame.outer_mode}"
    if getattr(func, "__name__", "") in _ACTING or kwargs and kwargs.get("out") is not None \
            or any(v != version_of(a) for a, v in versions) \
            or not _reach._writes_no_argument(func, len(args), tuple(kwargs or ())):  # (running stats: no version moves)
        frame.doubt(torch.ones((), dtype=torch.bool), f"{name} {kind} wrote into a tensor or acted: what it "
                    "did is not followed")
        return True
    outs = [o for o in (out if isinstance(out, (tuple, list)) else (out,)) if isinstance(o, Tensor)]
    unseen = _users_code_reached(func, args, kwargs, versions)
    if getattr(func, "__name__", "") in _HOOKED:
        frame.lose(outs, f"{name} {kind}, not run again (it runs the user's hooks)")
        return True
    if unseen is not None:  # (run again, the user's code would see it twice)
        why = f"{name} {kind}, not run again to compare ({unseen})"
        if not outs:
            frame.doubt(torch.ones((), dtype=torch.bool), f"{why}: a value of the body no rule follows")
        frame.lose(outs, why)
        return True
    kept = _kept_generators(args, kwargs)
    try:
        with torch.no_grad(), warnings_silenced():
            plain = func(*args, **kwargs) if kwargs else func(*args)
    finally:
        for set_state, state in kept:
            set_state(state)
    if sub is None:  # (every op under the mode: no host read each, the call's one read decides)
        differs = _differs(out, plain)
        if differs is not False:
            frame.doubt(torch.ones((), dtype=torch.bool) if differs is True else differs,
                        f"{name} {kind} gave other values than the op")
        return False
    if _same_result(out, plain):
        return False
    why = f"{name} {kind} gave other values than the op"
    if not outs:
        frame.doubt(torch.ones((), dtype=torch.bool), f"{why}: a value of the body no rule follows")
    frame.lose(outs, why)
    return True


_TORCH_DIR = os.path.dirname(torch.__file__) + os.sep
_DISABLED_DISPATCH = Tensor.__torch_dispatch__


def _users_code_reached(func: Any, args: tuple, kwargs: dict | None, versions: list[tuple[Tensor, int | None]]
                        ) -> str | None:
    """Why ``func`` run again to compare (``_foreign_op``) might run code of the user's a second time
    (a counter, a log, a write no version shows), None where it runs torch's alone: a function of
    the user's (``handle_torch_function``), a callable given to it, a tensor argument whose class has
    its own ``__torch_dispatch__``, the user's dispatch mode, an op in place (``requires_grad_``)."""
    name = getattr(func, "__name__", "")
    if name.endswith("_") and not name.endswith("__"):
        return "it acts in place"
    code = getattr(func, "__code__", None)
    if code is not None:
        if type(func) is not types.FunctionType or not code.co_filename.startswith(_TORCH_DIR):
            return "a function of the user's"
    else:
        # (a getter ``Tensor.grad.__get__``: its descriptor's class, not ``getset_descriptor``)
        owner = getattr(getattr(func, "__self__", None), "__objclass__", None) or getattr(func, "__objclass__", None)
        module = getattr(owner, "__module__", None) if owner is not None else getattr(func, "__module__", None)
        if not isinstance(module, str) or module != "torch" and not module.startswith("torch."):
            return "a function of the user's"
    if any(callable(v) and not isinstance(v, (Tensor, type)) for v in (*args, *(kwargs or _NO_KWARGS).values())):
        return "it is given a function"
    if torch._C._len_torch_dispatch_stack() or any(type(a).__torch_dispatch__ is not _DISABLED_DISPATCH
                                                    for a, _ in versions):
        return "a torch dispatch of the user's sees it"
    return None


def _kept_generators(args: tuple, kwargs: dict | None) -> list[tuple[Callable[[Any], Any], Any]]:
    """(setter, state) of every generator an op run again may draw from: the CPU's, every initialised
    accelerator's (a factory's ``device=``, no tensor argument, draws from its device's), the ``generator=``
    the body gave (a draw of the run again moved it: the body's next draws differed)."""
    kept: list[tuple[Callable[[Any], Any], Any]] = [(torch.set_rng_state, torch.get_rng_state())]
    for device in (torch.cuda, getattr(torch, "xpu", None)):
        if device is not None and device.is_initialized():
            kept.append((device.set_rng_state_all, device.get_rng_state_all()))
    if mps_available():
        kept.append((torch.mps.set_rng_state, torch.mps.get_rng_state()))
    kept += [(g.set_state, g.get_state()) for g in (*args, *(kwargs or _NO_KWARGS).values())
             if isinstance(g, torch.Generator)]
    return kept


def _users_mode() -> str | None:
    """The class name of the first torch function mode below the capture's that is not torch's own."""
    for i in range(_MODES_BELOW()):
        kind = type(torch._C._get_function_stack_at(i))
        if not kind.__module__.startswith("torch."):
            return kind.__name__
    return None


class CaptureMode(TorchFunctionMode):
    """Runs every op unchanged; records tracks for the rules in ``RULES``."""

    def __init__(self, frame: Frame, inputs: Any = ()) -> None:
        super().__init__()
        self.frame = frame
        frame.evaluating = not torch.is_grad_enabled()
        frame.foreign = _MODES_BELOW() > 0 or _holds_foreign(inputs)
        frame.outer_mode = _users_mode()

    def __torch_function__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        # Nothing of ours runs the user's code: their tensor subclasses' and outer modes'
        # ``__torch_function__`` see the body's ops alone, each once, in the state it called them in
        # (``_run``); every other op here runs with torch functions off (a counter, an RNG draw or a
        # write in one of theirs would differ from the undecorated call's)
        frame = self.frame
        outer, outer_hidden, outer_popped = frame.op_caller, frame.hidden, frame.modes_popped
        frame.modes_popped = modes_off(frame.dispatch_modes) if frame.dispatch_modes else None
        hidden = None
        if frame.foreign or types and _FOREIGN[types]:
            frame.foreign = True
            hidden = _HIDDEN()  # (one per op: an op inside an op has its own)
            hidden.__enter__()
        frame.hidden = hidden
        try:
            caller = frame.op_caller = sys._getframe(1)  # (one frame object per op; a walk from a rule makes one per frame)
            if caller.f_code is not frame.last_code:  # (a code read once: None where it names no switch)
                frame.last_code = code = caller.f_code
                if _SWITCHING.get(code, code) is not None and frame.error is None:
                    try:
                        _watch_switches(frame, caller)
                    except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                        frame.error, frame.error_op = exc, op_name(func)
            if frame.arm is None and not frame.conditionals:
                return self._run(func, args, kwargs, types)
            frame.follow_next = None
            try:
                with _HIDDEN():
                    makes = _conditional_step(frame, func, args, kwargs, outer is not None)
            except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                frame.error, frame.error_op, frame.arm, makes = exc, op_name(func), None, False
            follow, frame.follow_next = frame.follow_next, None
            out = self._run(func, args, kwargs, types)
            if follow is not None and follow.constant is not None:  # computed from a tensor ``c`` on a group alone
                if type(out) is Tensor or isinstance(out, Tensor):
                    frame.conditionals[id(out)] = (out, follow, True)
                else:
                    follow.constant = None
            if makes:
                try:
                    with _HIDDEN():
                        _conditional_made(frame, out)
                except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                    frame.error, frame.error_op = exc, op_name(func)
            return out
        finally:
            # (a frame held no longer than its op; an op inside an op, and the op around it after it, read afresh)
            frame.op_caller, frame.op_walk, frame.op_locals, frame.op_tags = outer, None, None, None
            hidden, frame.hidden = frame.hidden, outer_hidden
            if hidden is not None:
                hidden.__exit__(None, None, None)
            popped, frame.modes_popped = frame.modes_popped, outer_popped
            if popped:
                modes_on(popped)

    def _run(self, func: Any, args: tuple, kwargs: dict | None, types: Any = ()) -> Any:
        frame = self.frame
        if frame.guards and frame.error is None:
            try:
                frame.check_guards()  # before the op: it may write a local the block set
            except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                frame.error, frame.error_op = exc, "a block of an if compared at its join"
        if frame.skips and frame.error is None:
            try:
                frame.note_term(func, args)
            except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                frame.error, frame.error_op = exc, "a term of an iteration's rest"
        if frame.as_is and frame.error is None:
            try:
                with _HIDDEN():
                    FUNCTION_RULE[0](frame)
            except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                frame.error, frame.error_op = exc, "a custom autograd function's output"
        if frame.exact_numbers:
            try:
                args, kwargs = exact_ints(frame, args, kwargs or {})
            except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                frame.error, frame.error_op = exc, op_name(func)
                args, kwargs = _given_ints(frame, args, kwargs or {}, False)
        if frame.extreme_floats and frame.error is None:
            try:
                _extreme_argument(frame, func, args, kwargs or _NO_KWARGS)
            except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                frame.error, frame.error_op = exc, op_name(func)
        try:
            before = _scoped.before(frame, args, kwargs) if frame.doubted else None
        except Exception as exc:  # noqa: BLE001 - a bug here must never break training
            frame.error, frame.error_op, before = exc, op_name(func), None
        runner = RUNNERS.get(func)
        versions: list[tuple[Tensor, int | None]] = []
        out = None
        popped = frame.modes_popped
        if popped:  # (the body's op is the user's dispatch modes' to see: back on while it runs)
            modes_on(popped)
        try:
            if runner is not None and frame.tracks and frame.error is None:
                try:  # (the op's own error, if it was one, comes again from the op run as called)
                    out = runner(frame, args, kwargs or _NO_KWARGS)
                except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                    frame.error, frame.error_op, frame.ran = exc, op_name(func), None
            if out is not None:
                kwargs = kwargs or _NO_KWARGS
            elif (hidden := frame.hidden) is None:
                out = func(*args, **kwargs) if kwargs else func(*args)
                kwargs = kwargs or _NO_KWARGS
            else:
                versions = [(a, version_of(a)) for a in flat_args(args, kwargs or _NO_KWARGS)
                            if isinstance(a, Tensor)] if frame.outer_mode or types and _FOREIGN[types] else []
                hidden.__exit__(None, None, None)  # (the state the body called the op in, as it saved it)
                try:
                    out = func(*args, **kwargs) if kwargs else func(*args)
                finally:
                    hidden.__enter__()
                kwargs = kwargs or _NO_KWARGS
        finally:
            if popped:
                popped[:] = modes_off(frame.dispatch_modes)
        if frame.hidden is None and type(out) is not Tensor and isinstance(out, Tensor) and _FOREIGN[(type(out),)]:
            frame.foreign = True  # (``x.as_subclass(S)``: made here, seen in no op before)
            frame.hidden = _HIDDEN()
            frame.hidden.__enter__()
        try:
            return self._after_op(frame, func, args, kwargs, types, out, versions, before)
        except Exception as exc:  # noqa: BLE001 - a bug here must never break training
            frame.error, frame.error_op, frame.op, frame.ran = exc, op_name(func), None, None
            return out

    def _after_op(self, frame: Frame, func: Any, args: tuple, kwargs: dict, types: Any, out: Any,
                  versions: list[tuple[Tensor, int | None]], before: Any) -> Any:
        """What the capture reads of an op that ran (``out``): any exception of its escapes to ``_run``,
        which keeps the op's result and declines the call (one warning), as every library bug."""
        if before:
            try:
                _scoped.carry(frame, before, out)
            except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                frame.error, frame.error_op = exc, op_name(func)
        facts = _FACTS.get(func) or _op_facts(func)
        if not facts.pre:
            pass
        elif facts.indexed and type(args[1]) is list and _sequence_as_tuple(args[1]):  # (ran: it has an index)
            args = (args[0], tuple(args[1]), *args[2:])  # as torch read it: the rules see one form
        elif facts.tensor_new and _sizes_only(args):  # ``x.new(n).fill_(1)``: fresh memory as ``x.new_empty(n)``
            func, args = Tensor.new_empty, (args[0], tuple(args[1]) if len(args) == 2 and not isinstance(args[1], int)
                                            else tuple(args[1:]))
            facts = _FACTS.get(func) or _op_facts(func)
        is_tensor = type(out) is Tensor  # (``out`` is the op's from here on: asked at most rules below)
        if is_tensor:
            frame.made_ids.add(id(out))
        elif type(out) in (tuple, list) or isinstance(out, tuple):
            frame.made_ids.update(id(x) for x in out if isinstance(x, Tensor))
        if frame.hidden is not None and frame.error is None and (frame.outer_mode or types and _FOREIGN[types]) \
                and frame.tracks:
            try:
                if _foreign_op(frame, func, args, kwargs, out, types, versions):
                    frame.ran = None
                    return out
            except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                frame.error, frame.error_op = exc, op_name(func)
        if frame.exposed and frame.error is None:
            try:
                with _HIDDEN():
                    frame.exposed_read(args)
            except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                frame.error, frame.error_op = exc, op_name(func)
        if facts.view_as and len(args) == 2 and args[0] is args[1] and FUNCTION_RULE and is_tensor:
            frame.as_is.append(out)  # (in ``Function.apply``, an input returned as it is; nothing else calls it so)
        if frame.numpy_images is not None and func in _FROM_NUMPY and args and isinstance(out, Tensor) \
                and _numpy_value(args[0]):
            frame.numpy_made[id(out)] = out  # ``torch.from_numpy(w)`` of an array computed there
        if frame.logged and frame.error is None:
            try:
                with _HIDDEN():
                    frame.logged_arguments(func, args, kwargs, out)
            except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                frame.error, frame.error_op = exc, op_name(func)
        if frame.error is not None or not frame.tracks:
            frame.ran = None
            return out
        if _FUNCTORCH.peek_interpreter_stack() is not None:
            try:
                with _HIDDEN():
                    inside = _vmapped(frame, func, args, kwargs, out)
            except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                frame.error, frame.error_op, inside = exc, op_name(func), True
            if inside:
                frame.ran = None
                return out
        if frame.padded or frame.value_sets:  # (the loop's tuples made only where one is noted)
            for noted, first in ((frame.padded, PADDED_RULE), (frame.value_sets, VALUE_SET_RULE)):
                if not noted or not first:  # (a tensor ``pad_sequence`` padded, values ``unique`` found)
                    continue
                try:
                    with _HIDDEN():
                        followed = first[0](frame, func, args, kwargs, out)
                except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                    frame.error, frame.error_op, followed = exc, op_name(func), True
                if followed:
                    frame.ran = None
                    return out
        if (
            not is_tensor
            and not isinstance(out, Tensor)
            and not (isinstance(out, (tuple, list)) and out and isinstance(out[0], Tensor))
            and func is not _SETITEM
        ):
            if frame.sized_derived and args and (func in HOST_READS or func in SIZE_READS):
                derived = frame.sized_derived.get(id(args[0]))
                if derived is not None and derived[0] is args[0]:
                    read = "Tensor.shape" if func not in HOST_READS and func is not Tensor.size else op_name(func)
                    frame.doubt(torch.ones((), dtype=torch.bool), f"{read} of a tensor computed by {derived[1]} "
                                "from one made with a size of image rows: on a group alone its size or value is the "
                                "group's, which is not followed")
            if frame.sized_by and args and func in _LENGTH_READS:
                sized = frame.sized_by.get(id(args[0]))
                held = frame.get(args[0]) if sized is not None else None
                # (a row per image since, ``indexing.per_image_write``: its length a count of those rows, followed)
                if sized is not None and sized[0] is args[0] and 0 in sized[1] and (held is None or 0 not in held.rows):
                    # ``len(m)``, ``len(m.tolist())`` of ``m = torch.ones(B, N)``: Python makes a plain int of the
                    # batch's count, the group's on a group alone (red team, session 17)
                    frame.doubt(torch.ones((), dtype=torch.bool), f"{op_name(func)} of a tensor made with a size of "
                                "image rows: its length is the batch's count, on a group alone the group's, a plain int "
                                "that is not followed")
            if func in HOST_READS and args:
                if frame.num_images > 1 and frame.error is None and type(args[0]) is Tensor:
                    _outside_asked(frame, func, args[0])  # (``w.tolist()``)
                try:
                    with torch._C.DisableTorchFunction():
                        logged = host_read(frame, func, args[0], out)
                        if logged is not None:
                            return logged
                        if func is Tensor.tolist:
                            _read_by_position(frame, args[0], "Tensor.tolist")
                        if MIXED_READ and frame.num_images > 1 and (frame.batch_mixed or func is Tensor.tolist):
                            MIXED_READ[0](frame, func, args[0], out)
                        floored = frame.floored.get(id(args[0]))
                        if floored is not None and floored.tensor is args[0] and func in (Tensor.item, Tensor.__float__, Tensor.__int__):
                            number = floored_number(out, frame.floored_raw(args[0], func, out), floored.floor, inner=floored.factor,
                                                    lists=frame.fixed_lists, counts=frame.floored_of_rows(args[0]))
                            if frame.floored_unproven.get(id(args[0])) is args[0]:
                                number.unproven = True
                            if frame.literal_number(args[0], op_name(func)) is not None:
                                number.literal = True
                            return number
                except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                    frame.error, frame.error_op = exc, op_name(func)
            if func in _EXPOSING and args and isinstance(args[0], Tensor):
                try:
                    with _HIDDEN():
                        frame.expose(args[0], op_name(func))
                        if frame.value_counts or frame.rows_counted:
                            frame.forget_values(args[0])
                        if func is Tensor.numpy:
                            _read_by_position(frame, args[0], "Tensor.numpy")
                        if _marked(frame, args[0]):  # (``torch.from_numpy(table.numpy()[:, 0].copy())``, red team 36b)
                            frame.doubt(torch.ones((), dtype=torch.bool), f"{op_name(func)} of a table of the images' "
                                        "positions: its values leave the capture as numbers no image owns, other "
                                        "positions on a group alone")
                        mixed = frame.get(args[0])
                        if mixed is not None:
                            frame.hosted.append(hosted_image(frame, mixed))
                        if mixed is not None and mixed.rows and mixed.lost_at is None and frame.num_images > 1 \
                                and (torch.is_grad_enabled() or frame.evaluating and not _bytecode.in_grad_mode_helper()) \
                                and not _bytecode.installed_caller():
                            # (a matcher's cost handed to scipy runs under no_grad, or in a library; in a
                            # call begun under no_grad, an evaluation, a matcher decorated by it)
                            frame.numpy_images = frame.numpy_images or op_name(func)
                        if (mixed is not None and mixed.lost_at is not None and mixed.from_prediction
                                and not mixed.lost_at.endswith(BY_VALUE_ONLY)):
                            # code the capture does not see decides on it (a matcher's cost handed to scipy).
                            # Not where a number only equals a count by value (``alpha * p``, alpha 0.25 and
                            # bs 4): left to the keys it reaches, as before
                            frame.doubt(torch.ones((), dtype=torch.bool), f"a value mixing images (lost at "
                                        f"{mixed.lost_at}) was read on the host at {op_name(func)}")
                except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                    frame.error, frame.error_op = exc, op_name(func)
            if func in _TRUTHS and frame.weight_made and any(type(x) is Tensor and id(x) in frame.weight_made for x in args):
                try:
                    with _HIDDEN():
                        _made_of_weights(frame, func, args, kwargs, out)
                except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                    frame.error, frame.error_op = exc, op_name(func)
            if func in _TRUTHS and any(isinstance(x, Tensor) and frame.get(x) is not None for x in args) \
                    and not _equal_branch(frame, func, args, kwargs, out):
                frame.doubt(torch.ones((), dtype=torch.bool), f"{op_name(func)} of the images' values gave a Python bool "
                            "(no Tensor.__bool__ the capture sees): a decision on it is the batch's, on a group alone the group's")
            if type(func) is type(_DATA_SET) and func == _DATA_SET and args:  # ``l.data = x``: other values
                if frame.get(args[0]) is not None:
                    frame.lose(args[0], "Tensor.data set", frame.get(args[0]))
                elif len(args) > 1 and isinstance(args[1], Tensor) and frame.get(args[1]) is not None:
                    # ``self.ema.data = 0.9 * self.ema + 0.1 * l.mean()``: an untracked tensor (module
                    # state) now holds the images' values (rt28: was read as a constant after)
                    frame.lose(args[0], "Tensor.data set to values of the images", frame.get(args[1]))
            if func is Tensor.__len__ and args:  # ``len(pos_inds)``: a plain int, a size of one image's tensor
                try:
                    held = frame.get(args[0])
                    if held is not None and not held.rows and held.image is not None:
                        frame.image_size(held, out, args[0])
                        site = _bytecode.len_site()
                        frame.image_len = (held.image, out, site) if type(out) is int else None
                        if site is not None:
                            frame.own_len_sites[site[1:]] = held.image
                    else:
                        if held is not None and held.lost_at is not None and SOME_POSITIONS in held.lost_at:
                            frame.lost_size(out, args[0])
                        elif held is None and (b := frame.index_item(args[0])) is not None:
                            frame.item_size(b, out, args[0])
                        frame.image_len = None
                        if frame.own_len_sites and (site := _bytecode.len_site()) is not None:
                            frame.own_len_sites.pop(site[1:], None)
                    item = frame.image_item(args[0]) if held is None and type(out) is int else None
                    frame.item_length = (*item, out) if item is not None else None
                except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                    frame.error, frame.error_op = exc, op_name(func)
            if (frame.padded_widths or frame.padded_derived) and args:  # (``buf.shape[1]``: the batch's largest length)
                padded_use(frame, func, args, kwargs, out)
            if func in SIZE_READS and args:
                try:
                    out = _counted_sizes(frame, func, args, kwargs, out)
                    frame.note_size_site(out, args[0])
                    return out
                except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                    frame.error, frame.error_op = exc, op_name(func)
            return out
        rule = RULES.get(func)
        if frame.cut_phases and cut_phase_read(frame, func, args, kwargs, out):
            frame.ran = None
            return out
        if frame.complex_sums and complex_sum_read(frame, func, args, kwargs, out):
            frame.ran = None
            return out
        if facts.count_sized and _count_sized(frame, func, args, kwargs):
            pred = any(isinstance(x, Tensor) and is_prediction(x, frame.get(x)) for x in flat_args(args, kwargs))
            frame.lose(out, f"{op_name(func)} sized by a number the code computes from the batch as a whole "
                       "(``len(targets) - 1``, a count over every image's labels) or from a position of a loop over "
                       "the images (``x[b].topk(b + 1)``), along a dim without images (on a group alone the group's)",
                       pred=pred)
            frame.ran = None
            return out
        if frame.read_image == SEVERAL and func in _HOST_SIZED:
            _host_sized(frame, func, args, kwargs)
        why = _number_value_provenance(frame, func, args, kwargs) if facts.value_args else None
        if why is not None:
            pred = any(isinstance(x, Tensor) and is_prediction(x, frame.get(x)) for x in flat_args(args, kwargs))
            frame.lose(out, f"{op_name(func)} of {why}", pred=pred)
            frame.ran = None
            return out
        if frame.row_counts or frame.counted_values:
            if frame.row_counts and func in _SIZED_OPS and _counted_size(frame, func, args, kwargs) \
                    and not frame.single_image_counts((*args, *kwargs.values())):
                pred = any(isinstance(x, Tensor) and is_prediction(x, frame.get(x)) for x in flat_args(args, kwargs))
                frame.lose(out, f"{op_name(func)} sized by a size of image rows, or a number computed from one, along a "
                           "dim without images (on a group alone it is the group's count)", pred=pred)
                frame.ran = None
                return out
            if _counted_value(frame, func, rule, args, kwargs) and not frame.single_image_counts((*args, *kwargs.values())):
                pred = any(isinstance(x, Tensor) and is_prediction(x, frame.get(x)) for x in flat_args(args, kwargs))
                frame.lose(out, f"{op_name(func)} of a size of image rows, or of a number computed from one, as a value "
                           "(on a group alone it is the group's count)", pred=pred)
                frame.ran = None
                return out
            if frame.row_counts and func in FACTORIES:
                _note_sized(frame, func, args, kwargs, out)
        if kwargs and kwargs.get("out") is not None:
            rule = None  # a rule would replay the op into the user's buffer: follow nothing here
        if frame.group_numbers and frame.error is None:
            try:
                with _HIDDEN():
                    grouped = _grouped_arguments(frame, func, args, kwargs, out)
            except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                frame.error, frame.error_op = exc, op_name(func)
                frame.ran = None
                return out
            if grouped is True:
                rule = _followed
            elif isinstance(grouped, tuple):
                args, kwargs = grouped  # the rules see the plain numbers, as without the mark
        if facts.made_or_written:  # (the checks of factories and writes below: most ops are neither)
            laid = func in _LAID_OUT and frame.num_images > 1 and frame.per_image_targets is not None \
                and _laid_out_by_several_images(frame, args, kwargs)
            if laid == "own" and is_tensor:
                frame.own_positions[id(out)] = out
            elif laid:
                frame.doubt(torch.ones((), dtype=torch.bool), f"{op_name(func)} of a number computed from sizes or fields "
                            "of several images (positions laid out by them: on a group alone, the group's)")
            if func in _IDENTITIES and is_tensor and frame.error is None:
                _note_identity(frame, func, args, kwargs, out)
            if func in _RANDOM_INDICES and is_tensor and out.dim() and _drawn_per_image(frame, func, args, kwargs):
                frame.lose(out, f"{op_name(func)} with a size of image rows, a length of the data or the number of "
                           "images (on a group alone it draws other values)", pred=False)
            elif func in _POSITIONAL and is_tensor and out.dim() and _made_with_count(frame, args, kwargs, func):
                frame.positional[id(out)] = (out, f"{op_name(func)} with a size of image rows or a length of the data")
                if func is torch.arange and frame.padded_widths:
                    _flat_offset(frame, func, args, kwargs, out)
            elif func in _TILINGS and is_tensor and _tiled_to_count(frame, args, kwargs):
                frame.positional[id(out)] = (out, f"{op_name(func)} of a tensor of no images tiled by a count of image rows")
            elif (is_tensor or func in _SPLITS) and (func in frame.position_funcs or func is _FILL and getattr(
                    args[0], "_base", 0) is None) and frame.error is None:
                _position_values(frame, func, args, kwargs, out)
            elif func is _SETITEM and len(args) == 3 and type(args[1]) in (int, tuple, slice) \
                    and type(args[2]) is float and frame.error is None:
                _written_number(frame, *args)
            elif func in _NUMBER_WRITES and args and type(args[0]) is Tensor and args[0]._base is not None \
                    and frame.error is None:
                _written_through_a_view(frame, func, args, kwargs)
            if func in _INDEX_WRITES and frame.positional and len(args) >= 3 and frame.error is None:
                _written_at_positions(frame, args)
            if func is _SETITEM and frame.sized_by and len(args) == 3 and type(args[1]) is slice and frame.error is None:
                _written_at_a_slice(frame, args)
            if frame.image_len is not None and func in _OWN_LENGTH_FACTORIES:
                try:
                    with _HIDDEN():
                        _own_length_factory(frame, args, kwargs, out)
                except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                    frame.error, frame.error_op = exc, op_name(func)
        elif (is_tensor or facts.splits) and func in frame.position_funcs and frame.error is None:  # (as above)
            _position_values(frame, func, args, kwargs, out)
        if frame.num_images > 1 and frame.error is None and args and type(x := args[0]) is Tensor and (
                facts.conversions or _MODES_BELOW()  # (an outer mode: asked hidden)
                or x.dim() == 1 and x.shape[0] == frame.num_images and x.is_cpu):
            _outside_asked(frame, func, x)
        if is_tensor and frame.error is None and (frame.made_positions or frame.read_image >= 0 and func in _POSITION_FACTORIES):
            try:
                _made_after_reads(frame, func, args, kwargs or {}, out)
            except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                frame.error, frame.error_op = exc, op_name(func)
        if rule is None and func in KNOWN_IGNORED:
            return out
        reached = _reached_before(frame) if frame.reaches and frame.error is None else None
        try:
            # Side computations use detached tensors only, so no grad-mode switch is needed here.
            with _HIDDEN():
                frame.op = (func, args, kwargs)
                if func in NODE_FUNCS and (frame.node_ids or func in NODE_MAKERS) \
                        and NODE_RULE[0](frame, func, args, kwargs, out):
                    pass  # node ids of graphs collated into one (``node_ids``) followed there
                elif rule is not None and frame.over_counts and OVER_COUNT_RULE[0](frame, func, rule, args, kwargs, out):
                    pass  # a quotient over a count of image rows (``overcount``) followed there
                elif rule is not None:
                    rule(frame, func, args, kwargs, out)
                else:
                    _unknown(frame, func, args, kwargs, out)
        except Unsupported as exc:
            frame.lose(out, f"{op_name(func)} ({exc})")
        except Exception as exc:  # noqa: BLE001 - a bug here must never break training
            frame.error = exc
            frame.error_op = op_name(func)
        frame.op = frame.ran = None
        if frame.scoping:  # the values a scoped check of the rule doubts: what the op wrote
            _scoped.mark(frame, [out, args[0] if args and _writes_first(func) else None,
                                 kwargs.get("out") if kwargs else None], frame.scoping)
            frame.scoping = 0
        if reached is not None:
            _reached_after(frame, reached, func, args, kwargs, out)
        if frame.escape_unless_lost:  # the rule ran: a number only ever scaling lost values steers no companion
            done = is_tensor and (t := frame.get(out)) is not None and t.lost_at is not None
            for reads in frame.escape_unless_lost:
                if not done:
                    _escape(frame, reads, op_name(func))
                else:  # (a size of the lost output may be the number)
                    frame.unfollow(reads)
            frame.escape_unless_lost.clear()
        if frame.weight_filled and frame.error is None and is_tensor and facts.shadowed \
                and _holds_arg(frame.weight_filled, args):
            try:
                with _HIDDEN():
                    _filled_through(frame, func, args, kwargs, out)
            except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                frame.error, frame.error_op = exc, op_name(func)
        if (frame.weight_made and _holds_arg(frame.weight_made, args)
                or frame.weight_filled and func not in _WEIGHT_VIEWS
                and _holds_arg(frame.weight_filled, args)) and frame.error is None:
            try:
                with _HIDDEN():
                    if is_tensor and func in _WEIGHTS_MEET:
                        _weights_meet_rows(frame, func, args, kwargs, out)
                    _made_of_weights(frame, func, args, kwargs, out)
            except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                frame.error, frame.error_op = exc, op_name(func)
        if (frame.untracked_sums or frame.untracked_derived) and frame.error is None and is_tensor \
                and out.numel() == 1:
            try:
                derive_untracked(frame, func, args, kwargs, out)
            except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                frame.error, frame.error_op = exc, op_name(func)
        if (frame.batch_mixed or func in MIXING) and MIXED_RULE and frame.error is None and frame.num_images > 1:
            try:
                with _HIDDEN():
                    MIXED_RULE[0](frame, func, args, kwargs, out)
            except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                frame.error, frame.error_op = exc, op_name(func)
        if is_tensor and ((frame.constant_tensors or frame.argument_scalars) and out.numel() == 1
                          or frame.constant_vectors) and CONSTANT_RULE \
                and frame.error is None:
            try:
                with _HIDDEN():
                    CONSTANT_RULE[0](frame, func, args, kwargs, out)
            except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                frame.error, frame.error_op = exc, op_name(func)
        if frame.number_tests and is_tensor and (func in _MASK_LAYOUTS or func in _MASK_NEGATIONS) and args \
                and type(args[0]) is Tensor \
                and out is not args[0] and frame.error is None:
            try:
                with _HIDDEN():
                    _laid_out_number_test(frame, func, args, kwargs, out)
            except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                frame.error, frame.error_op = exc, op_name(func)
        if frame.constant_vectors and is_tensor and func in _VECTOR_COPIES and args and out is not args[0]:
            values = frame.constant_vector(args[0])
            if values is not None and out.dtype == args[0].dtype and out.shape == args[0].shape and frame.get(out) is None:
                frame.constant_vectors[id(out)] = (out, version_of(out), values)  # ``torch.tensor(w).to(device)``
        if frame.floors:
            floored_use(frame, func, args, kwargs, out)
        if facts.tensor_makers and (frame.host_reads or frame.image_sizes) \
                and frame.error is None and type(out) is Tensor and frame.get(out) is None:
            try:
                with _HIDDEN():
                    _running_sums_tensor(frame, func, args, kwargs, out)
            except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                frame.error, frame.error_op = exc, op_name(func)
        why = _length_number(frame, rule, args, kwargs, out) if rule is not None and _LENGTH_RULE.get(rule, 1) \
            and frame.error is None else None
        if why is not None:
            frame.lose(out, f"{op_name(func)} {why}",
                       pred=any(isinstance(x, Tensor) and is_prediction(x, frame.get(x)) for x in flat_args(args, kwargs)))
        elif frame.error is None and (frame.host_reads or frame.lengths) and _length_value(frame, func, rule, args, kwargs, out):
            frame.lose(out, f"{op_name(func)} {BY_LENGTH_NUMBER}", pred=False)
        if is_tensor and frame.error is None:
            if frame.chained_sums and args and out is args[0] and func not in _ADDS and frame.chained_sums.get(id(out)) is out:
                del frame.chained_sums[id(out)]  # ``total *= 0.9`` in place: no sum of alike terms now
            entry = frame.tracks.get(id(out))  # (``Frame.get`` written out: asked on every op)
            held = None if entry is None else entry[1] if entry[0] is out else frame.get(out)
            if held is not None and held.image is not None and not held.rows and held.lost_at is None and held.ratio is None:
                try:
                    with _HIDDEN():  # (no op of ours reaches the user's outer modes)
                        if out.dim() == 0:
                            _image_chain(frame, func, args, kwargs, out)
                except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                    frame.error, frame.error_op = exc, op_name(func)
        valued = met = False
        if is_tensor and frame.error is None and ((some := bool(
                frame.count_dims or frame.count_made or frame.picked_made or facts.value_args))  # (``_DATA_ARGS`` among them)
                or frame.num_images > 1 and rule is not None and rule.__name__ in _ARITHMETIC_RULES):
            with _HIDDEN():  # (no op of ours reaches the user's outer modes: ``out.numel()``)
                valued = (some or out.numel() == 1) and _count_valued(frame, func, rule, args, kwargs, out)
                met = not valued and bool(frame.count_made) and _count_met(frame, rule, args, out)
        if frame.position_columns and frame.error is None:
            _position_column_use(frame, func, rule, args, kwargs, out)
        if frame.literal_columns and type(out) is Tensor and frame.error is None \
                and not _column_followed(frame.literal_columns, func, args, out) and rule is not None \
                and rule.__name__ in _COLUMN_SHIFTS and len(args) == 2 and type(args[1]) in (int, float) \
                and _held(frame.literal_columns, args[0]):
            frame.literal_columns[id(out)] = (out, None)  # (``b - 2``: still one image for every row)
        if valued:
            frame.lose(out, f"{op_name(func)} {BY_COUNT_VALUES}", pred=False)
        elif met:
            track = frame.get(out)
            if track is not None and track.lost_at is None:
                frame.lose(out, f"{op_name(func)} {BY_COUNT_VALUES}", like=track)
        # the tensor the op wrote into in place (``q /= s``, ``q[0] = x``, ``out=q``), or None
        target = into = kwargs.get("out") if kwargs else None
        if into is None and args and (out is args[0] and _WRITES[func] or facts.setitem):
            target = args[0]
        if target is not None:  # (most ops write into nothing: the write checks skipped as one)
            if into is None and frame.num_images > 1 and _ACCUMULATES[func] and type(target) is Tensor \
                    and frame.error is None:
                try:
                    with _HIDDEN():
                        _accumulated_per_image(frame, func, target, args, kwargs)
                except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                    frame.error, frame.error_op = exc, op_name(func)
            if frame.literal_columns and type(target) is Tensor:
                # (a literal's column written in place holds other numbers: ``col[s:e] = i``; a fill's own write stays)
                if target._base is not None:
                    frame.literal_columns.pop(id(target._base), None)
                if func is not _FILL:
                    frame.literal_columns.pop(id(target), None)
            if frame.tracks and isinstance(target, Tensor):
                try:
                    with _HIDDEN():
                        written_lost(frame, target, op_name(func))
                        written_foreign(frame, target, op_name(func))
                except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                    frame.error, frame.error_op = exc, op_name(func)
        if facts.setitem and frame.sized_by and ROW_BUFFER_RULE and frame.error is None:
            try:
                with _HIDDEN():
                    ROW_BUFFER_RULE[0](frame, args)
            except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                frame.error, frame.error_op = exc, op_name(func)
        if frame.reduced_storages or frame.of_labels or frame.zeroed:
            try:
                # most ops write into no input: the write check is skipped for them
                if frame.reduced_storages and (into is not None or facts.setitem or _WRITES[func]):
                    with _HIDDEN():
                        written = target
                        if written is None and _WRITES[func]:  # ``nn.init.constant_(tensor=...)``, ``_foreach_mul_([..])``
                            written = args[0] if args and isinstance(args[0], (list, tuple)) else kwargs.get("tensor")
                        for w in written if isinstance(written, (list, tuple)) else (written,):
                            if isinstance(w, Tensor):
                                written_reduced(frame, w, op_name(func))
                if frame.of_labels or frame.zeroed:
                    with _HIDDEN():
                        follow_labels(frame, func, args, kwargs, out)
            except Exception as exc:  # noqa: BLE001 - a bug here must never break training
                frame.error, frame.error_op = exc, op_name(func)
        if (frame.padded_widths or frame.padded_derived) and (args or kwargs):
            padded_use(frame, func, args, kwargs, out)
        if frame.positional and args:
            _derive_positional(frame, func, args, kwargs, out)
            if facts.owner_tests and len(args) == 2 and type(args[1]) is int and isinstance(out, Tensor):
                _note_owner_mask(frame, args[0], args[1], out)
        if frame.sized_by and args and isinstance(out, Tensor):
            if facts.size_keeping:
                _keep_sized(frame, func, args, kwargs, out)
            _derive_sized(frame, func, args, kwargs, out)
        elif frame.sized_by and args and isinstance(out, (tuple, list)):  # ``m.max(1)``, ``m.unbind()``, ``m.chunk(2)``
            for item in out:
                if isinstance(item, Tensor):
                    _derive_sized(frame, func, args, kwargs, item)
            if facts.pieces and isinstance(args[0], Tensor) and (
                    id(args[0]) in frame.sized_by or id(args[0]) in frame.sized_derived) \
                    and not _fixed_pieces(frame, func, args, kwargs):
                frame.doubt(torch.ones((), dtype=torch.bool), f"{op_name(func)} of a tensor made with a size of image "
                            "rows: how many pieces it gives is the batch's, on a group alone the group's")
        if frame.weight_filled and facts.weight_views and args and isinstance(out, Tensor):
            filled = frame.weight_filled.get(id(args[0]))
            if filled is not None and filled[0] is args[0] and filled[2] is None and frame.get(out) is None:
                # ``torch.tensor(t["loss_weight"]).view(1, 1)``: still filled with that weight
                frame.weight_filled[id(out)] = (out, filled[1], None)
        return out


_DIVIDES = frozenset({Tensor.__truediv__, Tensor.__itruediv__, Tensor.div, Tensor.div_, torch.div, Tensor.true_divide,
                      torch.true_divide})
_INVERTS = frozenset({Tensor.__rtruediv__, Tensor.reciprocal, Tensor.reciprocal_, torch.reciprocal})


def _extreme_argument(frame: Frame, func: Any, args: tuple, kwargs: dict) -> None:
    """Decline the call where ``func`` is given an ``ExtremeFloat`` (``linspace(0, time.max().item(),
    4)``, ``x.clamp(max=m)``, ``x > m``): the batch's value, on a group alone the group's."""
    if any(type(v) is ExtremeFloat for v in flat_args(args, kwargs)):
        frame.doubt(torch.ones((), dtype=torch.bool), f"{op_name(func)} given the maximum or minimum of the images' "
                    "data read on the host: a value of the batch, on a group alone the group's")


def untracked_value(frame: Frame, x: Any) -> str | None:
    """How ``x`` is made from a tensor that carried no images: ``"sum"``, its full sum
    (``Frame.untracked_sums``); ``"summed"``, a value computed from such sums by arithmetic that
    keeps a count a count (``w.sum().clamp(min=1)``, ``+ eps``, a running total, ``w.sum(1).sum(0)``);
    ``"inverse"``, a reciprocal of one (``1 / w.sum()``, ``1 / w.mean()``); ``"statistic"``, the
    mean of such a tensor or a value computed from one (``w.mean().clamp(min=eps)``). None: none of
    those (a maximum or a product of sizes stays a constant, as before)."""
    if not isinstance(x, Tensor):
        held = frame.untracked_numbers.get(id(x)) if type(x) is float else None
        return held[1] if held is not None and held[0] is x else None  # (``mixed.mixed_read``)
    entry = frame.untracked_sums.get(id(x))
    if entry is not None and entry[0] is x:
        return "sum"
    derived = frame.untracked_derived.get(id(x))
    return derived[1] if derived is not None and derived[0] is x else None


def derive_untracked(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Tensor) -> None:
    """Note ``out`` (one element, no images) computed from a full sum of a tensor that carried no
    images, or from a value so noted: ``_late_normaliser`` knows the sum itself as the row sum it
    is, but ``z.clamp(min=1)``, ``z + eps``, ``1 / z`` or a loop's running total of such sums is
    another number, which a loss divided (or multiplied) by it must not read as a constant from
    outside the call: on a group alone it is the group's (red team, session 24)."""
    if frame.get(out) is not None:
        return
    written = _WRITES[func] and bool(args) and args[0] is out
    if not written and untracked_value(frame, out) is not None:
        return  # the sum itself (``w.sum()``), or an op that returned its input (``z.float()``)
    seen = [(i, how) for i, x in enumerate(flat_args(args, kwargs)) if (how := untracked_value(frame, x)) is not None]
    if not seen:
        return
    hows = {how for _, how in seen}
    if "inverse" in hows or func in _INVERTS or func in _DIVIDES and any(i == 1 for i, _ in seen):
        how = "inverse"  # (``1 / w.mean()`` too: a divisor as a factor)
    else:
        how = "statistic" if "statistic" in hows else "summed"
    if written:
        frame.untracked_sums.pop(id(out), None)  # ``z += 1e-6``: no longer the sum
    frame.untracked_derived[id(out)] = (out, how)


# torch's functions making a tensor of a NumPy array
_FROM_NUMPY = frozenset({torch.from_numpy, torch.as_tensor, torch.tensor, torch.asarray})


def _numpy_value(value: Any) -> bool:
    """Whether ``value`` is NumPy's (an array, a NumPy scalar)."""
    return type(value).__module__.partition(".")[0] == "numpy"


def numpy_number(frame: Frame, value: Any, kind: str) -> bool:
    """Whether ``value``, an operand of ``kind`` arithmetic with a tracked tensor, may have been
    computed by NumPy from several images' values handed to it in this call (``frame.numpy_images``):
    a tensor made of a NumPy array since, a NumPy number, or a Python float the code does not write
    at the op (a literal, an attribute, a global). NumPy's results are not followed: on a group
    alone it computes them from the group's values (red team, session 26: ``e.mean() /
    float(np.mean(e.detach().numpy()))``, ``e * torch.from_numpy(np.clip(v / v.mean(), ...))`` kept
    the batch's number on every group)."""
    if frame.numpy_images is None:
        return False
    if isinstance(value, Tensor):  # (``torch.from_numpy`` is no torch function: its storage is NumPy's, not resizable)
        return frame.numpy_made.get(id(value)) is value or not value.untyped_storage().resizable()
    if _numpy_value(value):
        return True
    # a whole number is left to the rules of counts (``/ num_boxes`` after a matcher's cost went to
    # scipy: passed in, or ``clamp(n, min=1).item()`` of a tensor made of a count)
    return isinstance(value, float) and not value.is_integer() and not frame.from_arguments(value) \
        and not any(read.value == value for read in frame.host_reads) \
        and not _bytecode.written_operand(kind, value, frozenset())


# ops handing a tensor's memory to code the capture does not see (a NumPy array, a storage),
# which may write it: checked at the end of the call (``Frame.expose``)
_EXPOSING = frozenset({Tensor.numpy, Tensor.__array__, Tensor.untyped_storage, Tensor.storage, Tensor.__dlpack__})


def _equal_branch(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> bool:
    """``torch.equal(a, b)`` of two tensors of one shape whose rows along one dim are the images'
    (D-FINE's ``if torch.equal(student, teacher):``): a branch decided per group, on a group alone
    whether its rows are equal -- its count of unequal elements is 0. Whether it was noted so
    (anything else: ``allclose``, rows along several dims or lost, declines the call)."""
    if func not in (_EQUAL, Tensor.equal) or kwargs or len(args) != 2 or type(out) is not bool:
        return False
    a, b = args
    if not isinstance(a, Tensor) or not isinstance(b, Tensor) or a.shape != b.shape or not a.numel():
        return False
    held = [t for t in (frame.get(a), frame.get(b)) if t is not None]
    if held and all(t.lost_at is None and not t.rows and t.image is not None for t in held):
        return _one_image_equal(frame, func, held, a, b, out)
    if any(t.lost_at is not None or len(t.rows) != 1 for t in held):
        return False
    ((d, each),) = held[0].rows.items()
    if any(frame.by_position(r) for t in held for r in t.rows.values()):
        return False  # ``y.chunk(2)[0]``: a piece taken by position holds other images on a group alone
    with _HIDDEN():
        if each.dim() != 1 or each.numel() != a.shape[d] or any(
                t.rows.get(d) is None or (t.rows[d] is not each and not torch.equal(t.rows[d], each)) for t in held[1:]):
            return False
        # each side with the weight field set to 1 where a weight multiplied it (review16)
        sides = [_unweighted(frame, x) for x in (a, b)]
        unequal = (sides[0] != sides[1]).movedim(d, 0).reshape(a.shape[d], -1).sum(1, dtype=torch.float64)
    frame.branch(Branch(Ratio.of(unequal, each, 0, RatioKind.SUM), "eq", 0.0, out, f"{op_name(func)} of the images' values"))
    return True


def _one_image_equal(frame: Frame, func: Any, held: list[Track], a: Tensor, b: Tensor, out: bool) -> bool:
    """``torch.equal(a, b)`` where each tracked side is one image's whole tensor, the same image
    (a batch of one image viewed without its image dim, ``x.reshape(-1, n)``): a test of that
    image's count of unequal elements, as ``(a != b).any()`` of such a tensor is (one image's value
    outside a loop over the images is checked as one picked by position, ``Frame.branch``)."""
    image, *others = [t.image for t in held]
    assert image is not None  # by the caller's condition
    if frame.num_images > 1 and not _bytecode.result_truth_tested():
        # ``eq = [torch.equal(x[i], y[i]) for i in ...]`` then ``if eq[0]:``: a bool kept past the
        # iteration is tested where it is picked by position (review16: silently the batch's image 0)
        return False
    with _HIDDEN():
        known = frame.image_ids.get(id(image))  # (an image index of the call's: compared on the host)
        if any(o is None or o is not image and not (
                frame.image_ids.get(id(o)) == known if known is not None and id(o) in frame.image_ids
                else torch.equal(o, image)) for o in others):
            return False
        sides = [_unweighted(frame, x) for x in (a, b)]
        unequal = (sides[0] != sides[1]).to(torch.float32)
    frame.branch(Branch(Ratio.of(unequal, image.reshape(1), -1, RatioKind.SUM), "eq", 0.0, out,
                        f"{op_name(func)} of one image's values"))
    return True


def _unweighted(frame: Frame, x: Tensor) -> Tensor:
    """``x``'s values as on a group alone, the weight field set to 1 (``Track.unweighted``)."""
    track = frame.get(x)
    held = track.unweighted if track is not None else None
    return held if held is not None and held.shape == x.shape else x.detach()


# ops that compare values and give a Python bool without ``Tensor.__bool__`` (review13), or hand a
# tensor's truth or value back as a Python number inside their own dispatch (``torch.sym_not``, review16)
_TRUTHS = frozenset({torch.equal, Tensor.equal, torch.allclose, Tensor.allclose, torch.is_nonzero, Tensor.is_nonzero,
                     Tensor.__contains__, *(getattr(torch, n) for n in ("sym_not", "sym_int", "sym_float") if hasattr(torch, n))})
_DATA_SET = Tensor.data.__set__  # type: ignore[attr-defined]  # a fresh method-wrapper on each access: compared by ==
# in-place ops that leave their input's values as they are (no write into its memory; a view's
# shape changed in place)
_KEEP_VALUES = frozenset({"requires_grad_", "detach_", "retain_grad", "share_memory_", "set_", "squeeze_", "unsqueeze_",
                          "t_", "transpose_", "swapdims_", "swapaxes_", "as_strided_", "rename_"})


# the rule of torch functions a ``GroupFloat`` meets (``elementwise.group_scaled``): True where it
# recorded the output's track (a reduced loss times or over the number)
GROUP_RULE: list[Callable[[Frame, Any, tuple, dict, Any], bool]] = []
# the rule of ops mixing the entries of a tensor without images along the images' dim, of ops on
# such values and of their host reads (``mixed.mixed_op`` / ``mixed_read``); MIXING: the ops that
# may start such a value (reductions, scans, softmax, sums of pieces)
MIXED_RULE: list[Callable[[Frame, Any, tuple, dict, Any], None]] = []
MIXED_READ: list[Callable[[Frame, Any, Any, Any], None]] = []
MIXING: set[Any] = set()
# the rule of ops on one-element tensors of constants of the body (``formulas.constant_result``)
CONSTANT_RULE: list[Callable[[Frame, Any, tuple, dict, Any], None]] = []
# the rule of ops meeting values over a count of image rows (``overcount.over_count_op``): True
# where it followed the op (``Frame.over_counts`` is only filled once that module is imported)
OVER_COUNT_RULE: list[Callable[[Frame, Any, Rule, tuple, dict, Any], bool]] = []
# an in-place write without a rule at positions computed from the number of images (``indexing.counted_write_lost``)
COUNTED_WRITE: list[Callable[[Frame, Tensor, str], None]] = []
# the rule of node ids of graphs collated into one (``node_ids.node_step``): True where it followed the op
NODE_RULE: list[Callable[[Frame, Any, tuple, dict, Any], bool]] = []
NODE_FUNCS: set[Any] = set()  # the ops it sees (filled by ``node_ids``), and those of them that make node ids
NODE_MAKERS: set[Any] = set()
# the rule of outputs of custom autograd functions returned as they are (``autograd.function_output``)
FUNCTION_RULE: list[Callable[[Frame], None]] = []
_VIEW_AS = Tensor.view_as
# bound once: a class attribute of ``Tensor`` is no specialised load in Python 3.11 (a type lookup each
# time), and ``_run`` asks these on every op
_SETITEM, _GETITEM, _FILL = Tensor.__setitem__, Tensor.__getitem__, Tensor.fill_
# the ops whose checks in ``CaptureMode._run`` are asked only of them (factories, writes): the rest skip them
_MADE_OR_WRITTEN = frozenset({*_LAID_OUT, *_IDENTITIES, *_RANDOM_INDICES, *_POSITIONAL, *_TILINGS, _SETITEM, _FILL,
                              *_NUMBER_WRITES, *_INDEX_WRITES, *_OWN_LENGTH_FACTORIES})
# the rule of ops meeting a tensor ``pad_sequence`` padded (``shape.padded_use``): True where it
# declined the op's use of it (nothing else follows that op)
PADDED_RULE: list[Callable[[Frame, Any, tuple, dict, Any], bool]] = []
# the rule of ops meeting values ``torch.unique`` found (``value_sets.value_set_use``): True where
# it followed the op (nothing else follows it)
VALUE_SET_RULE: list[Callable[[Frame, Any, tuple, dict, Any], bool]] = []
# the rule of writes of one image's values into a tensor made with a size of image rows
# (``indexing.row_buffer_write``)
ROW_BUFFER_RULE: list[Callable[[Frame, tuple], None]] = []


def _followed(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """The rule of a call ``GROUP_RULE`` already followed."""


def _grouped_arguments(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> bool | tuple[tuple, dict] | None:
    """For a torch function that got ``GroupFloat`` numbers: True where ``GROUP_RULE`` followed
    it; else the arguments with those numbers plain, as the rules know numbers (a use of this
    call's is recorded as an escape of their reads). None where it got none."""
    marked = [x for x in flat_args(args, kwargs) if type(x) in _GROUPED]
    if not marked:
        return None
    found = [x for x in marked if group_entry(x, frame) is not None]  # others: of an earlier call, plain
    if found and GROUP_RULE and GROUP_RULE[0](frame, func, args, kwargs, out):
        return True
    lost = isinstance(out, Tensor) and any(
        (t := frame.get(x)) is not None and t.lost_at is not None for x in flat_args(args, kwargs) if isinstance(x, Tensor))
    for x in found:
        entry = group_entry(x, frame)
        assert entry is not None
        if lost:  # ``batch_loss / max(pos.sum().item(), 1)`` of a loss whose images mix: its key is declined anyway
            frame.escape_unless_lost.append(entry[2])
        else:
            _escape(frame, entry[2], op_name(func))

    def plain(v: Any) -> Any:
        if type(v) in _GROUPED:
            return v._plain()
        if type(v) in (list, tuple):
            return type(v)(plain(e) for e in v)
        return v

    return tuple(plain(a) for a in args), {k: plain(v) for k, v in kwargs.items()} if kwargs else kwargs


_INPLACE_DUNDERS = frozenset(f"__i{op}__" for op in (
    "add", "sub", "mul", "matmul", "truediv", "floordiv", "div", "mod", "pow", "lshift", "rshift", "and", "xor", "or"))
"""Augmented assignments (``x += y``); ``__invert__``, ``__int__``, ``__index__``, ``__iter__`` write nothing."""


class _Writes(dict[Any, bool]):
    """Whether a function writes into its first argument: an in-place op (``mul_``, ``__imul__``).
    Others may return their input itself without writing (``x.to(x.dtype)``, ``.contiguous()``,
    ``.float()`` of a float tensor). Read as ``_WRITES[func]`` on every op: a dict read, computed
    once per function."""

    def __missing__(self, func: Any) -> bool:
        if len(self) >= 1024:
            self.clear()
        name = getattr(func, "__name__", "")
        schema = getattr(func, "_schema", None) if isinstance(func, torch._ops.OpOverload) else None
        if schema is not None:  # ``torch.ops.aten.add_.Tensor`` (named ``add_.Tensor``): its schema says
            first = schema.arguments[0].alias_info if schema.arguments else None
            found = self[func] = first is not None and first.is_write
            return found
        found = self[func] = name in _INPLACE_DUNDERS or (
            name.endswith("_") and not name.endswith("__") and name not in _KEEP_VALUES)
        return found


_WRITES = _Writes()


class _Accumulates(dict[Any, bool]):
    """Whether a function adds (multiplies, ...) into its first argument in place: ``x += 1``,
    ``x.mul_(0.5)``, ``index_add_``; not a write of values that replace (``copy_``, ``fill_``,
    ``x[i] = v``). Read as ``_ACCUMULATES[func]`` on every op that writes, computed once per function."""

    def __missing__(self, func: Any) -> bool:
        if len(self) >= 1024:
            self.clear()
        name = getattr(func, "__name__", "").partition(".")[0]
        found = self[func] = name in _INPLACE_DUNDERS or _WRITES[func] and name.removesuffix("_") in _ACCUMULATING
        return found


_ACCUMULATING = frozenset({"add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide",
                           "pow", "addcmul", "addcdiv", "lerp", "index_add", "scatter_add", "scatter_reduce",
                           "index_reduce", "exp", "log", "sqrt", "square", "cumsum", "cumprod", "addmm", "addmv",
                           "baddbmm", "addbmm", "addr", "neg", "reciprocal", "fmod", "remainder", "mvlgamma"})
_ACCUMULATES = _Accumulates()
_IN_PLACE_ADDS = frozenset({Tensor.__iadd__, Tensor.add_, Tensor.__isub__, Tensor.sub_})
ACCUMULATED = "in a loop over the images into a tensor of no image's values: one term per image, on a group alone " \
    "the group's number of terms"


def _accumulated_per_image(frame: Frame, func: Any, target: Tensor, args: tuple, kwargs: dict | None) -> None:
    """Lose ``target`` (and the tensor it is a view of) where ``func`` added into it in place in a loop
    proven to visit every image, ``target`` holding no image's values (``path[0] += 1.0`` per image,
    ``scale.mul_(0.5)`` per image): its values count the images, and no rule follows such a count."""
    base = target._base if target._base is not None else target
    if base is target and target.dim() == 0 and func in _IN_PLACE_ADDS and len(args) == 2 and not kwargs:
        return  # (``n += 1``, ``n += len(s["boxes"])``: a count of the loop's, which the count rules follow;
        # not ``n.add_(1, alpha=2)``, which they read as ``n += 1``)
    if frame.get(target) is not None or frame.get(base) is not None:
        return  # (the images' values, a buffer a rule follows, or one lost already, by its own op)
    if _bytecode.every_image_looped(frame.num_images):
        frame.lose([target, base] if base is not target else target, f"{op_name(func)} {ACCUMULATED}", pred=False)


_SHAPE_GIVEN = (Tensor.view, Tensor.view_as, Tensor.reshape, Tensor.reshape_as, torch.reshape)  # kept where the shape is

_CONVERSIONS = frozenset({
    Tensor.to, Tensor.type_as, Tensor.type, Tensor.float, Tensor.double, Tensor.clone, torch.clone, Tensor.contiguous,
    Tensor.detach,
})

"""Copies and conversions: the same values, shape and images (``_SIZE_KEEPING``, ``_WEIGHT_VIEWS``)."""

_INDEXED = frozenset({Tensor.__getitem__, Tensor.__setitem__})


def _sequence_as_tuple(index: list) -> bool:
    """Whether torch reads the list ``index`` as a tuple of indices (``x[[slice(1, None), ...]]``,
    deprecated, as monai's finite differences still write it): under 32 items, one of them a slice,
    ``None``, ``...``, a tensor or a sequence; else it is one advanced index of the ints."""
    return len(index) < 32 and any(p is None or p is Ellipsis or isinstance(p, (slice, Tensor, list, tuple))
                                   for p in index)


_LEADING_KEPT = frozenset({torch.nn.functional.one_hot, Tensor.__getitem__, Tensor.unsqueeze, torch.unsqueeze})
"""Ops whose output keeps each dim of its input at the same position, of the same size, where
``_keep_sized`` shows it: a one-hot adds a dim last, basic slicing cuts dims in place, an
unsqueeze past the last dim adds one last."""

_SIZE_KEEPING = frozenset({
    *_CONVERSIONS, Tensor.half, Tensor.bfloat16, Tensor.long, Tensor.int, Tensor.bool,
    Tensor.__mul__, Tensor.__rmul__, Tensor.mul, torch.mul,
    Tensor.__truediv__, Tensor.__rtruediv__, Tensor.div, torch.div, Tensor.__add__, Tensor.__radd__, Tensor.add,
    torch.add, Tensor.__sub__, Tensor.__rsub__, Tensor.sub, torch.sub, Tensor.__neg__, Tensor.neg, torch.neg,
    *_SHAPE_GIVEN, *_LEADING_KEPT,
})
"""Ops whose output, of a tensor made with a size of image rows and Python numbers (or, for a
conversion, a tensor giving only its dtype and device), keeps that tensor's sizes (``_keep_sized``)."""


def _keep_sized(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Tensor) -> None:
    """``torch.ones(B, N).type_as(x) / N`` (geomloss' uniform masses): still made with the size
    ``B`` of image rows along dim 0, as ``torch.ones(B, N)`` was (``Frame.sized_by``). Only where
    the other operands are Python numbers (or, for ``type_as`` / ``to``, the tensor naming the
    dtype, for a view or reshape to its own shape the tensor naming it): a tensor operand could
    broadcast differently on a group alone. Of ``_LEADING_KEPT``, where the dims that carried the
    rows stay in place, uncut (``_leading_kept``): ``F.one_hot(classes, C + 1)[..., :C]`` of
    ``classes = torch.full(logits.shape[:2], C)``, so that ``onehot.shape[:2]`` is followed as
    ``classes.shape`` is."""
    x = args[0]
    sized = frame.sized_by.get(id(x)) if isinstance(x, Tensor) else None
    if sized is None or sized[0] is not x:
        return
    if func in _LEADING_KEPT:
        if not _leading_kept(func, args, kwargs, x, out, sized[1]):
            return
    elif out.shape != x.shape or func not in (Tensor.type_as, Tensor.to, *_SHAPE_GIVEN) and any(
            isinstance(v, Tensor) for v in [*args[1:], *kwargs.values()]):
        return
    elif func in _SHAPE_GIVEN and not _shape_names_rows(frame, args, kwargs, x, sized[1]):
        return
    frame.sized_by[id(out)] = (out, sized[1])


def _shape_names_rows(frame: Frame, args: tuple, kwargs: dict, x: Tensor, rows: Rows) -> bool:
    """Whether the shape a view or reshape of ``x`` is given (its own by value) names its dims
    ``rows`` by a size of image rows or ``-1`` (no other dim then sized so), or is a tensor the
    capture knows made with those rows: ``m.reshape(m.shape[1], -1)`` of ``[3, 3]`` is ``m``'s
    shape on three images, ``[3, 1]`` on one (red team, session 17)."""
    given = [*args[1:], *kwargs.values()]
    if len(given) == 1 and isinstance(given[0], Tensor):  # ``view_as`` / ``reshape_as``
        other = frame.sized_by.get(id(given[0]))
        return given[0] is x or other is not None and other[0] is given[0] and other[1].keys() == rows.keys()
    shape = given[0] if len(given) == 1 and isinstance(given[0], (tuple, list)) else given
    if len(shape) != x.dim() or not all(isinstance(n, int) for n in shape):
        return False
    counted = [frame.size_number(n) for n in shape]
    return all(counted[d] or shape[d] == -1 and sum(counted) == 0 for d in rows)


def _leading_kept(func: Any, args: tuple, kwargs: dict, x: Tensor, out: Tensor, rows: Rows) -> bool:
    """Whether ``out`` of the ``_LEADING_KEPT`` op keeps ``x``'s dims ``rows`` in place, uncut:
    only basic slicing (slices and ``...``, each dim kept in place, those dims whole), a one-hot,
    an unsqueeze past the last dim."""
    if out.dim() < x.dim():
        return False
    if func is Tensor.__getitem__:
        index = args[1] if len(args) > 1 else None
        parts = index if type(index) is tuple else (index,)
        if not all(type(i) is slice or i is Ellipsis for i in parts) or sum(i is Ellipsis for i in parts) > 1 \
                or out.dim() != x.dim():
            return False
        if Ellipsis in parts:
            at = parts.index(Ellipsis)
            parts = (*parts[:at], *[slice(None)] * (x.dim() - len(parts) + 1), *parts[at + 1:])
        if any(d < len(parts) and parts[d] != slice(None) for d in rows):
            return False
    elif func is not _ONE_HOT:
        dim = get_arg(args, kwargs, 1, "dim", 0)
        if type(dim) is not int or dim not in (-1, x.dim()):
            return False
    return all(out.shape[d] == x.shape[d] for d in rows)


def _derive_sized(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Tensor) -> None:
    """Record ``out`` in ``Frame.sized_derived`` where it carries no images' rows and is computed
    from a tensor made with a size of image rows (or from one so computed) otherwise than
    ``_keep_sized`` follows: ``m.unsqueeze(0).shape[1]`` or ``m.sum(1).sum().item()`` is the batch's
    count, the group's on a group alone."""
    kept = frame.sized_by.get(id(out))
    if kept is not None and kept[0] is out or frame.get(out) is not None:
        return
    for x in flat_args(args, kwargs):
        if not isinstance(x, Tensor):
            continue
        sized = frame.sized_by.get(id(x))
        derived = frame.sized_derived.get(id(x))
        if sized is not None and sized[0] is x or derived is not None and derived[0] is x:
            frame.sized_derived[id(out)] = (out, derived[1] if derived is not None and derived[0] is x else op_name(func))
            return


# ops whose other tensor arguments only pick or place values of the one at this position: positions
# used as an index (``w[batch]`` of ``batch = arange(B).repeat_interleave(n)``) give the picked values
_PICKS_FROM = {Tensor.__getitem__: 0, Tensor.index_put_: 0, torch.index_select: 0, Tensor.index_select: 0, torch.gather: 0,
               Tensor.gather: 0, torch.take: 0, Tensor.take: 0, torch.take_along_dim: 0, Tensor.take_along_dim: 0,
               torch.nn.functional.embedding: 1}


# ops that only lay a tensor's values out again, copied along new or size-1 dims (``_repeated_along``)
_COPIED_ALONG = frozenset({Tensor.unsqueeze, torch.unsqueeze, Tensor.repeat, Tensor.expand, Tensor.expand_as})


def _new_dims(func: Any, args: tuple) -> bool:
    """``w[None]``, ``w[None, :]``: a subscript that only adds size-1 dims."""
    if func is not Tensor.__getitem__ or len(args) != 2:
        return False
    index = args[1] if type(args[1]) is tuple else (args[1],)
    return any(i is None for i in index) and all(i is None or i == slice(None) for i in index)


_GATHERS = frozenset({torch.gather, Tensor.gather})
PADDED_WIDTH = ("a tensor of a row per image written per image into a prefix of a dim padded to the batch's largest "
                "length (on a group alone the group's): read otherwise than gathered within each row's prefix")


def _pair(a: Any, b: Any) -> frozenset:
    """A function both as ``torch.f`` and ``Tensor.f``."""
    return frozenset({a, b})


# ops computing each output position from the operands' at that position (broadcast): along a padded dim the
# padding's values are a function of the operands' padding alone, the same up to the group's width
_POSITIONWISE = frozenset({
    *_CONVERSIONS, Tensor.bool, Tensor.long, Tensor.int, Tensor.half, torch.zeros_like, torch.ones_like, torch.full_like,
    *(getattr(Tensor, f"__{op}__") for op in (
        "add", "radd", "sub", "rsub", "mul", "rmul", "truediv", "rtruediv", "pow", "rpow", "neg", "abs", "gt", "lt",
        "ge", "le", "eq", "ne", "and", "rand", "or", "ror", "invert", "iadd", "isub", "imul", "itruediv")),
    *(f for op in ("add", "sub", "mul", "div", "true_divide", "pow", "neg", "abs", "exp", "log", "sqrt", "sigmoid",
                   "clamp", "clamp_min", "clamp_max", "clip", "minimum", "maximum", "gt", "lt", "ge", "le", "eq", "ne",
                   "logical_and", "logical_or", "logical_not", "atan", "square", "reciprocal", "where", "log1p")
      for f in _pair(getattr(torch, op), getattr(Tensor, op, None)) if f is not None),
})
# reductions and ops along one dim (its position in the arguments, its default: None for every dim): over another
# dim than the padded one they keep it position by position
_ALONG_DIM: dict[Any, tuple[int, Any]] = {
    **{f: (1, None) for op in ("sum", "mean", "prod", "all", "any", "argmax", "argmin", "max", "min", "amax", "amin")
       for f in _pair(getattr(torch, op), getattr(Tensor, op))},
    **{f: (1, -1) for op in ("softmax", "log_softmax", "cumsum", "sort") for f in _pair(getattr(torch, op), getattr(Tensor, op))},
    **{f: (2, -1) for f in _pair(torch.topk, Tensor.topk)},
}
_KEEPING_DIMS = frozenset({*_pair(torch.softmax, Tensor.softmax), *_pair(torch.log_softmax, Tensor.log_softmax),
                           *_pair(torch.cumsum, Tensor.cumsum), *_pair(torch.sort, Tensor.sort), *_pair(torch.topk, Tensor.topk)})
# reductions over the padded dim itself exact where its padding provably changes nothing (checked on the values):
# a sum whose padding is 0; a max (min), its value or position, first reached within each row's prefix
_OVER_PADDING = {
    **{f: "sum" for f in _pair(torch.sum, Tensor.sum)},
    **{f: "max" for op in ("max", "amax", "argmax") for f in _pair(getattr(torch, op), getattr(Tensor, op))},
    **{f: "min" for op in ("min", "amin", "argmin") for f in _pair(getattr(torch, op), getattr(Tensor, op))},
}


def _padded_held(frame: Frame, x: Any) -> tuple[Tensor, int, dict[int, int]] | None:
    """(``x``, its padded dim, row -> its prefix's length) of a buffer or a tensor derived from one."""
    if not isinstance(x, Tensor):
        return None
    held = frame.padded_widths.get(id(x))
    if held is not None and held[0] is x:
        return held
    derived = frame.padded_derived.get(id(x))
    return derived[:3] if derived is not None and derived[0] is x else None


def _moved_since(x: Tensor, noted: int | None, out: Any) -> bool:
    """Whether ``x``, at version ``noted`` when noted, was written since by an op not followed (but
    ``out``, the op's in place on it: ``zeros_like(w).scatter_(..)``)."""
    version = version_of(x)
    return noted != version and not (out is x and noted is not None and version == noted + 1)


def _stale(frame: Frame, x: Tensor, out: Any = None) -> bool:
    """Whether ``x``, noted in ``Frame.padded_derived``, was written since by an op not followed."""
    derived = frame.padded_derived.get(id(x))
    return derived is not None and derived[0] is x and _moved_since(x, derived[3], out)


def _subscript_dim(ndim: int, index: Any, dim: int, rows: bool = True) -> int | None:
    """Where ``x[index]`` (``x`` of ``ndim`` dims) puts ``x``'s ``dim`` (``x[..., None, :2]``, ``m[:, None]``): None
    where the index picks along it or (``rows``: dim 0 the images') along dim 0 or adds a dim before dim 0, or
    reads positions by a tensor."""
    parts = list(index) if type(index) is tuple else [index]
    if sum(p is Ellipsis for p in parts) > 1 or any(not (p is None or p is Ellipsis or type(p) in (int, slice))
                                                    for p in parts):
        return None
    if Ellipsis in parts:
        k = parts.index(Ellipsis)
        parts[k:k + 1] = [slice(None)] * (ndim - sum(p is not None for p in parts if p is not Ellipsis))
    at, out_at, mapped = 0, 0, None
    for p in parts:
        if p is None:
            if at == 0 and rows:
                return None
            out_at += 1
            continue
        if (at == dim or rows and at == 0) and p != slice(None):
            return None
        if at == dim:
            mapped = out_at
        at += 1
        out_at += type(p) is slice
    return dim - at + out_at if mapped is None else mapped


def _moved_dim(func: Any, args: tuple, kwargs: dict, x: Tensor, dim: int, out: Tensor, rows: bool = True) -> int | None:
    """Where a view of ``x`` (dims added, swapped or dropped, none of them dim 0 where ``rows``) puts its ``dim``."""
    if func is _GETITEM and len(args) == 2:
        return _subscript_dim(x.dim(), args[1], dim, rows)
    if func in (Tensor.unsqueeze, torch.unsqueeze):
        k = get_arg(args, kwargs, 1, "dim", None)
        return None if type(k) is not int or rows and k % out.dim() == 0 else dim + (k % out.dim() <= dim)
    if func in (Tensor.expand, Tensor.expand_as, Tensor.broadcast_to, torch.broadcast_to) or func in _SHAPE_GIVEN:
        return dim if out.shape == x.shape or func not in _SHAPE_GIVEN and out.dim() == x.dim() \
            and out.shape[dim] == x.shape[dim] else None
    if func in (Tensor.transpose, torch.transpose, Tensor.swapaxes, torch.swapaxes):
        a, b = (get_arg(args, kwargs, k, n, None) for k, n in ((1, "dim0"), (2, "dim1")))
        if type(a) is not int or type(b) is not int or rows and 0 in (a % x.dim(), b % x.dim()):
            return None
        return {a % x.dim(): b % x.dim(), b % x.dim(): a % x.dim()}.get(dim, dim)
    if func in (Tensor.permute, torch.permute):
        order = [*args[1:]] if len(args) > 2 or len(args) == 2 and type(args[1]) is int else \
            list(get_arg(args, kwargs, 1, "dims", ()))
        order = [k % x.dim() for k in order if type(k) is int]
        return order.index(dim) if len(order) == x.dim() and (order[0] == 0 or not rows) and dim in order else None
    return None


def _aligned(frame: Frame, args: tuple, kwargs: dict, out: Tensor, at: int, stops: dict[int, int]) -> bool:
    """Every operand of a position-wise op sized along ``out``'s dim ``at`` is padded along it (an
    operand of another width there, ``torch.linspace(0, 1, m)``, may differ on a group alone); ``stops``
    gains their prefixes."""
    for y in flat_args(args, kwargs):
        if not isinstance(y, Tensor) or y.dim() == 0:
            continue
        k = at - (out.dim() - y.dim())
        if k < 0 or y.shape[k] == 1:
            continue
        held = _padded_held(frame, y)
        if held is None or held[1] != k or y.dim() != out.dim() or _stale(frame, y, out):
            return False
        for row, n in held[2].items():
            stops[row] = max(stops.get(row, 0), n)
    return True


def _fixed_pieces(frame: Frame, func: Any, args: tuple, kwargs: dict) -> bool:
    """``boxes.unbind(-1)`` of a tensor made with a size of image rows: along a dim no count of the call
    sizes (not its rows', not a padded width, no ``count_dims``' dim), as many pieces on a group alone."""
    x, k = args[0], get_arg(args, kwargs, 1, "dim", 0)
    sized = frame.sized_by.get(id(x))
    if func not in (Tensor.unbind, torch.unbind) or type(k) is not int or sized is None or sized[0] is not x:
        return False
    k %= x.dim()
    counted = frame.count_dims.get(id(x))
    padded = _padded_held(frame, x)
    return k not in sized[1] and (padded is None or padded[1] != k) and (
        counted is None or counted[0] is not x or k not in counted[1])


_EXTREMA = frozenset({torch.max, Tensor.max, torch.min, Tensor.min})  # (``torch.max(a, b)``: position-wise)
_ARG_EXTREMA = frozenset({torch.argmax, Tensor.argmax, torch.argmin, Tensor.argmin})
_PADDED_JOINS = frozenset({torch.stack, torch.cat, torch.concat})  # (their dim argument: ``_joined_dim``)


def _joined_dim(frame: Frame, func: Any, args: tuple, kwargs: dict, x: Tensor, dim: int,
                stops: dict[int, int]) -> int | None:
    """Where ``torch.stack`` / ``torch.cat`` along another dim than the rows and the padded one puts the
    padded dim of tensors all padded along it (``corners``' ``stack([cx - w / 2, ...], -1)``)."""
    k = get_arg(args, kwargs, 1, "dim", 0)
    stacked = func is torch.stack
    if type(k) is not int or not all(isinstance(t, Tensor) and t.dim() == x.dim() for t in args[0]):
        return None
    k %= x.dim() + stacked
    if k == 0 or not stacked and k == dim:
        return None
    for t in args[0]:
        held = _padded_held(frame, t)
        if held is None or held[1] != dim or _stale(frame, t):
            return None
        for row, n in held[2].items():
            stops[row] = max(stops.get(row, 0), n)
    return dim + (stacked and k <= dim)


_SCATTERS = frozenset({Tensor.scatter, Tensor.scatter_, torch.scatter})


def _scattered(frame: Frame, args: tuple, kwargs: dict, x: Tensor, dim: int, stops: dict[int, int]) -> int | None:
    """``mask.scatter_(-1, top, 1.0)`` along another dim than the padded one, its index (and source) padded
    along the same: each position of the padded dim written from the index's (source's) at that position."""
    along = get_arg(args, kwargs, 1, "dim", None)
    if type(along) is not int or along % x.dim() in (0, dim):
        return None
    written = (get_arg(args, kwargs, 2, "index", None), get_arg(args, kwargs, 3, "src", None))
    return dim if _aligned(frame, written, {}, x, dim, stops) else None


def _padding_mask(x: Tensor, dim: int, stops: dict[int, int]) -> Tensor:
    """True at the positions of ``x`` past each row's prefix along ``dim``."""
    limits = torch.tensor([stops.get(b, 0) for b in range(x.shape[0])], device=x.device)
    shape = [1] * x.dim()
    shape[dim] = x.shape[dim]
    at = torch.arange(x.shape[dim], device=x.device).view(shape)
    return at >= limits.view(-1, *[1] * (x.dim() - 1))


def _doubt_padding(frame: Frame, func: Any, x: Tensor, dim: int, padding: Tensor, kind: str) -> None:
    """Defer the check that a reduction of ``kind`` (``_OVER_PADDING``) over the padded ``dim`` of ``x`` is the same
    without its padding (True in ``padding``): a sum's padding 0, a max (min) first reached within the prefix."""
    if kind == "sum":
        flag = (x.detach().ne(0) & padding).any()
    else:
        values = x.detach() if x.dtype != torch.bool else x.detach().to(torch.uint8)
        first = values.argmax(dim, keepdim=True) if kind == "max" else values.argmin(dim, keepdim=True)
        flag = padding.expand_as(values).gather(dim, first).any()
    frame.doubt(flag, f"{op_name(func)} over {PADDED_WIDTH}: its padding would change it")


def _reduced_dims(func: Any, args: tuple, kwargs: dict, x: Tensor) -> tuple[list[int], bool] | None:
    """The dims an op along dims of ``x`` reduces (or works along) and whether it keeps them; None if unclear."""
    pos, default = _ALONG_DIM[func]
    along = get_arg(args, kwargs, pos, "dim", default)
    if along is None or along == ():
        return list(range(x.dim())), False
    dims = along if isinstance(along, (tuple, list)) else (along,)
    if not dims or any(type(k) is not int for k in dims):
        return None
    keep = func in _KEEPING_DIMS or bool(get_arg(args, kwargs, pos + 1, "keepdim", False))
    return sorted({k % x.dim() for k in dims}), keep


def _follow_padded(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any, x: Tensor,
                   dim: int, stops: dict[int, int]) -> bool:
    """Follow an op on the padded ``x`` exactly where its padding provably changes nothing on a group alone:
    position-wise ops and views (their outputs noted padded too), ops along other dims, reductions over the
    padded dim checked on the values (deferred); False for any other."""
    outs = [o for o in (out if isinstance(out, (tuple, list)) else (out,)) if isinstance(o, Tensor)]
    if not outs or x.dim() == 0:
        return False
    at: int | None = None
    merged = dict(stops)
    if func in _POSITIONWISE or func in _EXTREMA and len(args) > 1 and isinstance(args[1], Tensor):
        at = dim if out is not None and isinstance(out, Tensor) and out.dim() == x.dim() \
            and out.shape[0] == x.shape[0] and _aligned(frame, args, kwargs, out, dim, merged) else None
    elif func in _ALONG_DIM and args and args[0] is x:
        reduced = _reduced_dims(func, args, kwargs, x)
        if reduced is None or 0 in reduced[0] and dim not in reduced[0]:
            return False
        if dim in reduced[0]:
            kind = _OVER_PADDING.get(func)
            if kind is None or len(reduced[0]) > 1 and kind != "sum":
                return False
            _doubt_padding(frame, func, x, dim, _padding_mask(x, dim, stops), kind)
            positions = outs[-1] if (func in _ARG_EXTREMA or func in _EXTREMA and len(outs) == 2) \
                and len(reduced[0]) == 1 and not reduced[1] else None
            if positions is not None:
                frame.padded_positions[id(positions)] = (positions, dict(stops), version_of(positions))
            return True
        at = dim if reduced[1] else dim - sum(k < dim for k in reduced[0])
    elif func in _PADDED_JOINS and args and isinstance(args[0], (list, tuple)) and any(t is x for t in args[0]):
        at = _joined_dim(frame, func, args, kwargs, x, dim, merged)
    elif func in (Tensor.unbind, torch.unbind) and args and args[0] is x:
        k = get_arg(args, kwargs, 1, "dim", 0)
        at = None if type(k) is not int or k % x.dim() in (0, dim) else dim - (k % x.dim() < dim)
    elif args and args[0] is x:
        at = _moved_dim(func, args, kwargs, x, dim, outs[0])
    elif func in _GATHERS and get_arg(args, kwargs, 2, "index", None) is x and _padded_held(frame, args[0]) is None:
        at = dim  # (the gathered values of each position of the index: ``p.gather(2, labels[:, None])``)
    if func in _SCATTERS and args and args[0] is x and at is None:
        at = _scattered(frame, args, kwargs, x, dim, merged)
    if at is None:
        return False
    for o in outs:
        if o.dim() > at and o.shape[0] == x.shape[0] and o.shape[at] == x.shape[dim]:
            frame.padded_derived[id(o)] = (o, at, merged, version_of(o))
    return True


def _row_pick(x: Tensor, index: Any, dim: int) -> tuple[int, int] | None:
    """``gt_boxes[i]``, ``w[i, :, None]`` of ``x`` padded along ``dim``: (the row ``i``, where the pick puts ``dim``)
    of an int pick of one row along dim 0 keeping ``dim`` whole; None for any other subscript."""
    parts = index if type(index) is tuple else (index,)
    if not parts or type(parts[0]) is not int or not -x.shape[0] <= parts[0] < x.shape[0]:
        return None
    at = _subscript_dim(x.dim() - 1, parts[1:], dim - 1, rows=False)
    return None if at is None else (parts[0] % x.shape[0], at)


def _follow_padded_row(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any, x: Tensor,
                       held: tuple[Tensor, int, int, int, int | None, types.CodeType | None]) -> bool:
    """Follow an op on one image's row of a padded tensor (``Frame.padded_rows``) where its padding provably
    changes nothing on a group alone: position-wise ops whose operands as wide along the padded dim are the same
    image's rows padded along it (``_iou_matrix(gt[i], pred[i])``: ``pred[i]`` broadcast along it), views and ops
    along other dims (their outputs noted padded too), a reduction over it checked on the values (deferred);
    False for any other (a mean over it, another image's row, a tensor of the width not padded)."""
    _, dim, row, stop, _, code = held
    outs = [o for o in (out if isinstance(out, (tuple, list)) else (out,)) if isinstance(o, Tensor)]
    if not outs:
        return False
    if func in _POSITIONWISE or func in _EXTREMA and len(args) > 1 and isinstance(args[1], Tensor):
        at: int | None = dim + outs[0].dim() - x.dim()
        if len(outs) > 1 or at is None or at < dim or outs[0].shape[at] != x.shape[dim]:
            return False
        for y in flat_args(args, kwargs):
            k = at - (outs[0].dim() - y.dim()) if isinstance(y, Tensor) else -1
            if k < 0 or y.shape[k] == 1:
                continue
            other = frame.padded_rows.get(id(y))
            if other is None or other[0] is not y or other[1] != k or other[2] != row or _moved_since(y, other[4], out):
                return False
            stop, code = max(stop, other[3]), code if other[5] is code else None
    elif func in _ALONG_DIM and args and args[0] is x:
        reduced = _reduced_dims(func, args, kwargs, x)
        if reduced is None:
            return False
        if dim in reduced[0]:
            kind = _OVER_PADDING.get(func)
            if kind is None or len(reduced[0]) > 1 and kind != "sum":
                return False
            shape = [1] * x.dim()
            shape[dim] = x.shape[dim]
            _doubt_padding(frame, func, x, dim, torch.arange(x.shape[dim], device=x.device).view(shape) >= stop, kind)
            return True
        at = dim if reduced[1] else dim - sum(k < dim for k in reduced[0])
    elif func in (Tensor.unbind, torch.unbind) and args and args[0] is x:
        k = get_arg(args, kwargs, 1, "dim", 0)
        at = None if type(k) is not int or k % x.dim() == dim else dim - (k % x.dim() < dim)
    elif args and args[0] is x:
        at = _moved_dim(func, args, kwargs, x, dim, outs[0], rows=False)
    else:
        return False
    if at is None:
        return False
    for o in outs:
        if o.dim() > at and o.shape[at] == x.shape[dim]:
            frame.padded_rows[id(o)] = (o, at, row, stop, version_of(o), code)
    return True


def _padded_row_use(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any, x: Any) -> bool:
    """``padded_use`` of one image's padded row (``Frame.padded_rows``): followed by ``_follow_padded_row``, or
    written back whole at its row of a buffer of the same width (``indexing._padded_prefix`` notes the buffer
    padded along that dim); every other output lost, every other read declines. False: ``x`` is no such row."""
    held = frame.padded_rows.get(id(x)) if isinstance(x, Tensor) else None
    if held is None or held[0] is not x:
        return False
    if func is _SETITEM and args[0] is not x:
        widths = frame.padded_widths.get(id(args[0]))
        parts = args[1] if type(args[1]) is tuple else (args[1],)
        if widths is None or widths[0] is not args[0] or widths[1] != held[1] + 1 or not parts \
                or widths[2].get(parts[0] % args[0].shape[0] if type(parts[0]) is int else -1) != held[3]:
            frame.lose(args[0], f"{op_name(func)} of one image's row of {PADDED_WIDTH}", pred=False)
        return True
    if func is not _SETITEM and not _moved_since(x, held[4], out) \
            and _follow_padded_row(frame, func, args, kwargs, out, x, held):
        return True
    _padded_lost(frame, func, args, out, x, "one image's row of ")
    return True


def _padded_lost(frame: Frame, func: Any, args: tuple, out: Any, x: Tensor, what: str = "") -> None:
    """An op on a padded tensor not followed: its outputs lost, a write into it lost, a read of it declined."""
    if func is _SETITEM:
        frame.lose(args[0], f"{op_name(func)} of {what}{PADDED_WIDTH}", pred=False)
    elif isinstance(out, Tensor) or isinstance(out, (tuple, list)) and any(isinstance(o, Tensor) for o in out):
        frame.lose(out, f"{op_name(func)} of {what}{PADDED_WIDTH}", frame.get(x))
    else:
        read = "Tensor.shape" if func in SIZE_READS and func not in HOST_READS and func is not Tensor.size else op_name(func)
        frame.doubt(torch.ones((), dtype=torch.bool), f"{read} of {what}{PADDED_WIDTH}")


_FLATTENS = frozenset({Tensor.flatten, torch.flatten, Tensor.view, Tensor.reshape, torch.reshape})
_OFFSET_VIEWS = frozenset({_GETITEM, Tensor.unsqueeze, torch.unsqueeze, Tensor.view, Tensor.reshape, torch.reshape})
_OFFSET_MULS = frozenset({Tensor.__mul__, Tensor.__rmul__, Tensor.mul, torch.mul})
_OFFSET_ADDS = frozenset({Tensor.__add__, Tensor.__radd__, Tensor.add, torch.add})
_OFFSET_STEPS = frozenset({*_OFFSET_VIEWS, *_OFFSET_MULS, *_OFFSET_ADDS})


def _flat_offset(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Note in ``Frame.flat_offsets`` a step of ``p + torch.arange(b)[:, None] * m``: ``torch.arange`` of a count of
    the images (``Frame.counts_images``: on a group alone the group's positions), viewed as ``[B, 1, ..]``, times
    ``m``, the body's largest count (``_largest_width``: the group's width on a group alone), plus an integer tensor
    ``p`` of the same ``[B, ..]`` shape: each row ``r``'s positions moved into block ``r`` of the flattened width."""
    if not isinstance(out, Tensor) or out.dim() == 0 or out.shape[0] != frame.num_images or kwargs and (
            func is not torch.arange or set(kwargs) - {"dtype", "device"}):
        return
    if func is torch.arange:
        if len(args) == 1 and out.dim() == 1 and not out.is_floating_point() and frame.counts_images(args[0], out.device):
            frame.flat_offsets[id(out)] = (out, None, None, version_of(out), None)
        return
    noted = _noted_offsets(frame, args)
    if noted is None or out.numel() != frame.num_images and func not in _OFFSET_ADDS:
        return
    k, (_, width, p, _, _) = noted
    other = args[1 - k] if len(args) > 1 else None
    if func in _OFFSET_VIEWS:
        if k == 0 and width is None and (func is not _GETITEM or _new_dims(func, args)) and out.numel() == out.shape[0]:
            frame.flat_offsets[id(out)] = (out, None, None, version_of(out), None)
    elif func in _OFFSET_MULS:
        if out.shape == args[k].shape and image_blocks(frame, args):
            frame.flat_offsets[id(out)] = (out, other, None, version_of(out), None)
    elif width is not None and p is None and isinstance(other, Tensor) and other.dim() == out.dim() == args[k].dim() \
            and other.shape == out.shape and not other.is_floating_point() and other.dtype != torch.bool:
        frame.flat_offsets[id(out)] = (out, width, other, version_of(out), version_of(other))


def _noted_offsets(frame: Frame, args: tuple) -> tuple[int, tuple] | None:
    """(its position, its note) of the one operand of ``args`` noted in ``Frame.flat_offsets``, as noted."""
    noted = [(k, held) for k, a in enumerate(args[:2]) if isinstance(a, Tensor) and (held := frame.flat_offsets.get(id(a)))
             is not None and held[0] is a and held[3] == version_of(a)]
    return noted[0] if len(noted) == 1 else None


def image_blocks(frame: Frame, args: tuple) -> bool:
    """Whether a product's operands are the images' ``arange`` viewed (``Frame.flat_offsets``) and an int that is
    the body's largest count (``_largest_width``, an operand of the call or of ``*``): the starts of the images'
    blocks of a flattened padded width, the group's on a group alone (``elementwise._binary`` asks: such a
    layout by several images' sizes is this one)."""
    noted = _noted_offsets(frame, args) if frame.flat_offsets else None
    if noted is None or noted[1][1] is not None or len(args) != 2:
        return False
    other = args[1 - noted[0]]
    return type(other) is int and other > 0 and any(_largest_width(frame, k, other) is not None for k in (0, 1))


def _flat_pick(frame: Frame, index: Any, out: Any, held: tuple[Tensor, Tensor, dict[int, int], int | None]) -> bool:
    """``gt_labels.flatten()[p + arange(b)[:, None] * m]`` (``Frame.padded_flats``, ``Frame.flat_offsets``): each row
    ``r``'s positions ``p`` picked in block ``r`` of the flattened width ``m``, as ``gt_labels.gather(1, p)``, on a group
    alone the group's rows in blocks of its width. Followed where ``p``'s values lie within each row's prefix
    (checked, deferred) and ``p``'s rows, if any, are the padded tensor's (checked): ``out``'s rows are its images."""
    flat, src, stops, _ = held
    noted = frame.flat_offsets.get(id(index)) if isinstance(index, Tensor) else None
    if noted is None or noted[0] is not index or noted[2] is None or noted[1] != src.shape[1] \
            or noted[3] != version_of(index) or noted[4] != version_of(noted[2]) or not isinstance(out, Tensor) \
            or index.shape[0] != src.shape[0] or out.shape != (*index.shape, *src.shape[2:]):
        return False
    p = noted[2]
    tracks = (frame.get(src), frame.get(p))
    for t in tracks:
        if t is not None and (t.image is not None or set(t.rows) - {0} or t.unweighted is not None or t.lost_at is not None
                              or t.ratio is not None or t.parts or t.elements or t.formula or t.element_formulas):
            return False
    ts, tp = tracks
    if ts is None or 0 not in ts.rows:
        return False
    op = "Tensor.__getitem__ of a flattened view of a padded tensor at positions moved into each row's block"
    if tp is not None and 0 in tp.rows:
        frame.agree(tp.rows[0], ts.rows[0], op)
    limits = torch.tensor([stops.get(b, 0) for b in range(src.shape[0])], device=p.device).view(-1, *[1] * (p.dim() - 1))
    frame.doubt(((p < 0) | (p >= limits)).any(), f"{op}: a position past its row's prefix ({PADDED_WIDTH})")
    frame.set(out, Track(rows={0: ts.rows[0]}, from_prediction=ts.from_prediction or tp is not None and tp.from_prediction))
    site = _bytecode.call_site()
    if site is not None and not _bytecode._in_loop(*site):  # (its index computed from ``m``: the group's blocks)
        frame.group_indexed.add(site)
    return True


def _padded_flat_use(frame: Frame, func: Any, args: tuple, out: Any, x: Any) -> bool:
    """``padded_use`` of a flattened padded tensor (``Frame.padded_flats``): read at ``_flat_pick``'s indices, or
    lost. False: ``x`` is no such view."""
    held = frame.padded_flats.get(id(x)) if isinstance(x, Tensor) else None
    if held is None or held[0] is not x:
        return False
    if not (func is _GETITEM and args[0] is x and not _moved_since(x, held[3], None) and not _stale(frame, held[1])
            and _flat_pick(frame, args[1], out, held)):
        _padded_lost(frame, func, args, out, x, "a flattened view of ")
    return True


def padded_use(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """An op on a buffer of ``Frame.padded_widths`` (``buf[i, :n] = t["k"]``, ``buf`` sized ``[B, max n]``)
    or a tensor computed from one position by position (``Frame.padded_derived``): its padding past each
    row's prefix is there on a group alone up to the group's largest length only, so a mean, a size, a
    flattened pick or a gather past a row's prefix would read it otherwise. The writes
    (``indexing.per_image_write`` decides them), a gather along the padded dim at indices of each row within
    its prefix (checked, deferred), the ops ``_follow_padded`` follows (position-wise, along other dims, a
    sum of a padding of 0, a max reached within the prefixes: checked, deferred) read the rows' own values;
    every other output is lost, every other read declines the call."""
    if func is Tensor.expand and args and _padded_held(frame, args[0]) is None:
        expanded_to_width(frame, args, out)  # (of a padded row: followed or lost below)
    if func in _OFFSET_STEPS:
        _flat_offset(frame, func, args, kwargs, out)
    for x in flat_args(args, kwargs):
        held = _padded_held(frame, x)
        if held is None:
            if frame.padded_rows and _padded_row_use(frame, func, args, kwargs, out, x) or \
                    frame.padded_flats and _padded_flat_use(frame, func, args, out, x):
                return
            continue
        assert isinstance(x, Tensor)
        if func is _SETITEM and args[0] is x and frame.padded_widths.get(id(x)) is held:
            continue
        _, dim, stops = held
        index = get_arg(args, kwargs, 2, "index", None)
        along = get_arg(args, kwargs, 1, "dim", None)
        if func in _GATHERS and args and args[0] is x and type(along) is int and along % x.dim() == dim \
                and isinstance(index, Tensor) and index.dim() == x.dim() and index.shape[0] == x.shape[0]:
            limits = torch.tensor([stops.get(b, 0) for b in range(x.shape[0])], device=index.device)
            frame.doubt((index >= limits.view(-1, *[1] * (index.dim() - 1))).any(), f"{op_name(func)} reads {PADDED_WIDTH}")
            continue
        if func is not _SETITEM and not _stale(frame, x, out) and _follow_padded(frame, func, args, kwargs, out, x, dim, stops):
            return
        picked = _row_pick(x, args[1], dim) if func is _GETITEM and args[0] is x and isinstance(out, Tensor) \
            and not _stale(frame, x, out) else None
        if picked is not None:  # (its track the rules': image ``i``'s values)
            wide = frame.padded_fills.get(id(x))  # (of a buffer: the ``max`` its width is, on a group alone the group's)
            frame.padded_rows[id(out)] = (out, picked[1], picked[0], stops.get(picked[0], 0), version_of(out),
                                          wide[2] if wide is not None and wide[0] is x and wide[1] == dim else None)
            return
        if func in _FLATTENS and args[0] is x and dim == 1 and isinstance(out, Tensor) and out.dim() == x.dim() - 1 \
                and out.shape[0] == x.shape[0] * x.shape[1] and out.shape[1:] == x.shape[2:] and not _stale(frame, x, out):
            frame.padded_flats[id(out)] = (out, x, dict(stops), version_of(out))
            return
        _padded_lost(frame, func, args, out, x)
        return


def _largest_width(frame: Frame, position: int, width: int) -> types.CodeType | None:
    """The comprehension's code where the positional argument ``position`` of the call being executed is the body's
    builtin ``max`` of a comprehension over the targets (``_bytecode.largest_argument``) and ``width`` its value:
    on a group alone the group's largest count."""
    largest = _bytecode.largest_argument(position) if frame.per_image_targets is not None else None
    if largest is None or largest[1] is not frame.per_image_targets or _lengths.reduced(
            max, largest[0], list(frame.per_image_targets), frame.weight_field) != width:
        return None
    return largest[0]


def expanded_to_width(frame: Frame, args: tuple, out: Any) -> bool:
    """``(fg[:, None] > 1).expand(-1, m, -1)``: one size-1 dim but the rows' expanded to ``m``, the body's largest
    count (``_largest_width``): padded along it with no prefix (its values there the row's own, as many as the group's
    largest count on a group alone), noted in ``Frame.padded_derived``; whether it is (``shape.expand`` asks first:
    such a spread is no count of the images)."""
    x = args[0]
    if not isinstance(x, Tensor) or not isinstance(out, Tensor) or out.dim() != x.dim() or len(args) != x.dim() + 1 \
            or x.shape[0] != frame.num_images or id(x) in frame.padded_rows:
        return False
    noted = frame.padded_derived.get(id(out))
    if noted is not None and noted[0] is out:
        return True
    grown = grown_to_largest(frame, x, out)
    if grown is None:
        return False
    frame.padded_derived[id(out)] = (out, grown, {}, version_of(out))
    return True


def grown_to_largest(frame: Frame, x: Tensor, out: Tensor) -> int | None:
    """The one size-1 dim of ``x`` that ``x.expand(..)`` grew in ``out``, where its size is the body's largest count
    (``_largest_width``): as many entries as the group's largest count on a group alone."""
    grown = [k for k in range(1, x.dim()) if x.shape[k] == 1 and out.shape[k] != 1] if out.dim() == x.dim() else []
    return grown[0] if len(grown) == 1 and _largest_width(frame, grown[0], out.shape[grown[0]]) is not None else None


def padded_one_hot(frame: Frame, positions: Any, out: Tensor) -> bool:
    """``F.one_hot(w.argmax(1), m)`` (YOLOv8's assigner): positions reached within each row's prefix of a padded
    dim (``Frame.padded_positions``), one-hot over ``m``, the body's builtin ``max`` of a comprehension over the
    targets (``_bytecode.largest_argument``), each row's prefix at most its image's own value: on a group alone
    ``m`` is the group's largest, the ones in the same prefix; ``out`` is padded along its last dim, its
    padding 0 (noted in ``Frame.padded_derived``: whether it was). A class count of another number
    (``max(..) + 1``, ``len(targets)``) is no width."""
    held = frame.padded_positions.get(id(positions)) if isinstance(positions, Tensor) else None
    if held is None or held[0] is not positions or held[2] != version_of(positions) or out.dim() < 2:
        return False
    largest = _largest_width(frame, 1, out.shape[-1])
    if largest is None:
        return False
    targets = list(frame.per_image_targets)
    own = [_lengths.reduced(max, largest, targets[row:row + 1], frame.weight_field) for row in held[1]]
    if any(type(v) is not int or v < n for v, n in zip(own, held[1].values())):
        return False
    frame.padded_derived[id(out)] = (out, out.dim() - 1, dict(held[1]), version_of(out))
    return True


_OWNER_TESTS = frozenset({Tensor.__eq__, Tensor.eq, torch.eq})


def _note_owner_mask(frame: Frame, positions: Any, k: int, out: Tensor) -> None:
    """``batch_idx == i``, ``batch_idx`` a join of int fills of the images' positions made in a loop
    over the images (YOLO's ``torch.cat([torch.full((n,), i) ...])``): ``indexing.owner_pick`` reads it."""
    held = frame.positional.get(id(positions)) if isinstance(positions, Tensor) else None
    if held is not None and held[0] is positions and held[1].endswith(_JOINED_FILLS) and positions.dim() == 1 \
            and not positions.is_floating_point() and out.shape == positions.shape:
        frame.owner_masks[id(out)] = (out, version_of(out), positions, version_of(positions), k)


def _derive_positional(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Record the untracked tensors of ``out`` in ``Frame.positional`` where an operand is there:
    ``torch.arange(B).float() / B`` still holds positions."""
    shifted, frame.shifted_out = frame.shifted_out, None
    at = _PICKS_FROM.get(func)
    if at is not None and func is not Tensor.index_put_ and isinstance(out, Tensor) and frame.get(out) is None \
            and len(args) > at and isinstance(args[at], Tensor) and frame.get(args[at]) is None and id(args[at]) not in frame.positional \
            and id(args[at]) not in frame.weight_made:  # (the images' weights picked by their positions: the weights')
        _picked_at_positions(frame, func, args, kwargs, at, out)
    for x in flat_args(args, kwargs) if at is None else args[at:at + 1]:
        held = frame.positional.get(id(x)) if isinstance(x, Tensor) else None
        if held is not None and held[0] is x:
            if at is not None and held[1].startswith(_OUTSIDE_MADE):
                return  # (maybe made before the call: a class vector as wide as the images, picked by the labels)
            if held[1].endswith(SHIFTED_BY_COUNT) and func not in _CONVERSIONS:
                _shifted_derived(frame, func, out, shifted)
                return
            for item in out if isinstance(out, (tuple, list)) else (out,):
                if isinstance(item, Tensor) and frame.get(item) is None:
                    noted = frame.positional.get(id(item))
                    if noted is not None and noted[0] is item and noted[1].endswith(SHIFTED_BY_COUNT):
                        continue  # (``_shifted_positions`` noted it)
                    frame.positional[id(item)] = (item, held[1])
                    if (func in _CONVERSIONS or func in _COPIED_ALONG or _new_dims(func, args)) and id(x) in frame.unowned:
                        frame.unowned.add(id(item))  # (``torch.from_numpy(a).float()``, ``w[None].repeat(B, 1)``: the same numbers)
            return


def _picked_at_positions(frame: Frame, func: Any, args: tuple, kwargs: dict, at: int, out: Tensor) -> None:
    """``w[torch.arange(len(t))]``, ``w.index_select(0, torch.arange(n))``: items of a tensor of no
    images picked at positions laid out by a count of the images (``Frame.positional``): one per
    image by its position, as ``w[:n]`` (``_cut_to_count``); on a group alone the group's first
    (red45: followed as a constant, silently wrong)."""
    for k, x in enumerate(flat_args(args, kwargs)):
        held = frame.positional.get(id(x)) if k != at and isinstance(x, Tensor) else None
        if held is not None and held[0] is x and not x.is_floating_point():
            frame.positional[id(out)] = (out, f"{op_name(func)} of a tensor of no images at positions laid out by a "
                                         "count of the images")
            return


def _shifted_derived(frame: Frame, func: Any, out: Any, shifted: Tensor | None) -> None:
    """Lose what an op other than a further shift by a multiple of the count (noted already) or a
    copy computes from positions shifted so (``(torch.arange(b) + b) % 3``, ``- 3``): on 3 images
    the picks may be each row's own image, on a group alone they are others (red45)."""
    for item in out if isinstance(out, (tuple, list)) else (out,):
        if isinstance(item, Tensor) and frame.get(item) is None and item is not shifted:
            frame.positional.pop(id(item), None)  # (in place, ``i -= 3``: no positions now)
            frame.lose(item, f"{op_name(func)} of positions shifted by a count of the images (on a group alone "
                       "they are other positions)", pred=False)


_WEIGHT_VIEWS = frozenset({
    Tensor.view, Tensor.view_as, Tensor.reshape, Tensor.reshape_as, torch.reshape, Tensor.unsqueeze, torch.unsqueeze,
    Tensor.squeeze, torch.squeeze, Tensor.flatten, torch.flatten, Tensor.broadcast_to, torch.broadcast_to,
    Tensor.expand, Tensor.expand_as, *_CONVERSIONS,
})
"""Ops whose output, of a tensor filled with an image's weight object, is filled with it too."""

def follow_labels(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Carry ``of_labels`` from inputs to outputs: data stays data of the labels; a loss is marked
    at the op where it meets such data other than a test true where a label counts (``z * (y !=
    -100)``, ``z[y != -100]`` keep the counted tokens; ``z * (y == 3)``, ``* ((y != -100) * 2)``,
    ``z[(y != -100) & m]`` do not) or a test that fills where a label does not count (the rules of
    ``masked_fill`` and ``where`` mark a fill that is no zeroing), and keeps the mark of a marked
    loss it is made from."""
    op = ""
    seen = counted = False
    for x in flat_args(args, kwargs):
        hit = frame.of_labels.get(id(x)) if isinstance(x, Tensor) else None
        if hit is None or hit[0] is not x:
            zeroed = frame.zeroed.get(id(x)) if frame.zeroed and isinstance(x, Tensor) else None
            counted = counted or zeroed is not None and zeroed[0] is x
            continue
        seen = True
        keeps = test_keeps(frame, x)
        if hit[1]:
            op = op or hit[1]
        elif keeps is None or not keeps and func not in _FILLS:
            op = op or op_name(func)  # (where a test fills, its rule tells whether it zeroes the others)
    if not seen and not counted:
        return
    for o in out if isinstance(out, (tuple, list)) else (out,):
        if not isinstance(o, Tensor):
            continue
        t = frame.get(o)
        hit = frame.of_labels.get(id(o))
        if hit is not None and hit[0] is o and hit[1]:
            continue  # marked already (by the op's rule, or before an in-place op)
        if counted and t is not None and _counts_lost(frame, o, t):
            # of a loss zeroed where labels do not count, a value whose rule did not carry the counts
            # (``.sum(1)``, ``[:, :3]``, ``.t()``, a write since): its rows' share is no token share
            frame.of_labels[id(o)] = (o, op or op_name(func))
            continue
        if not seen:
            continue
        if t is None or not (t.from_prediction or t.ratio is not None or t.parts or t.formula is not None):
            frame.of_labels[id(o)] = (o, "")
        elif op:
            frame.of_labels[id(o)] = (o, op)


def _counts_lost(frame: Frame, o: Tensor, t: Track) -> bool:
    """Whether ``o`` (tracked by ``t``), made from a loss zeroed at labels, is a loss that does not
    count those tokens: neither zeroed itself (its counts current) nor a sum that carries them."""
    if not (t.from_prediction or t.ratio is not None) or t.ratio is not None and t.ratio.den_values is not None:
        return False
    zeroed = frame.zeroed.get(id(o))
    return zeroed is None or zeroed[0] is not o or version_of(o) != zeroed[2]


def test_keeps(frame: Frame, mask: Any) -> bool | None:
    """Whether ``mask`` (a bool mask, or the mask it is a view of; or a cast of one) is a test of
    the values of labels passed in by one value that is true where a label counts (``labels !=
    -100``: True), or where it does not (``labels == -100``: False); None for anything else."""
    if not isinstance(mask, Tensor):
        return None
    for m in (mask, mask._base) if mask.dtype == torch.bool else (mask,):
        hit = frame.label_masks.get(id(m)) if m is not None else None
        if hit is not None and hit[0] is m:
            return hit[1]
    return None


_FILLS = frozenset({Tensor.masked_fill, Tensor.masked_fill_, torch.masked_fill, torch.where, Tensor.where})


def labels_op(frame: Frame, value: Any) -> str:
    """The op where a value of the labels other than a test of which count entered loss ``value``
    (see ``follow_labels``), or ""."""
    hit = frame.of_labels.get(id(value))
    return hit[1] if hit is not None and hit[0] is value else ""


def _unknown(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """An op without a rule: a prediction's output is lost. So is data of several images (rows,
    a ratio, or data already mixed): ``bincount`` of the batch's labels, a ``roll`` of the targets
    may mix images, and untracked it would read as a constant of the body. Data of one image
    stays that image's."""
    if args and out is args[0] and isinstance(out, Tensor) and out._is_view():  # in place, through a view
        written_through_view(frame, out, op_name(func), known=False)
    data: Track | None = None
    image: Tensor | None = None
    for x in flat_args(args, kwargs):
        t = frame.get(x)
        if t is None:
            continue
        if t.from_prediction:
            frame.lose(out, op_name(func))
            return
        if t.rows or t.ratio is not None or t.lost_at is not None:
            data = data or t
        elif t.image is not None:
            image = merge_image(frame, image, t.image, op_name(func))
    if data is not None:
        frame.lose(out, data.lost_at or op_name(func), pred=False)
    elif image is None and frame.counted_filled and any(frame.counted_tensor(x, op_name(func)) for x in flat_args(args, kwargs)):
        frame.lose(out, f"{op_name(func)} of a tensor made from a number computed from the number of images", pred=False)
    elif image is None and frame.num_images > 1 and args and out is args[0] and isinstance(out, Tensor) \
            and _bytecode.counted_write(view=out._base is not None):  # ``w.put_(torch.tensor([len(t) - 1]), v)``
        COUNTED_WRITE[0](frame, out, op_name(func))
    elif image is not None:
        for o in out if isinstance(out, (tuple, list)) else (out,):
            if isinstance(o, Tensor):
                frame.set(o, Track(image=image))


# ops whose result is the same for a phase and that phase plus or minus 2 pi: its angle argument's position
_PERIODIC = {torch.polar: 1, torch.cos: 0, Tensor.cos: 0, torch.sin: 0, Tensor.sin: 0}


_CUT_ROUNDING = 2.0**12  # in units of the dtype's eps times the tensor's largest magnitude


def on_branch_cut(x: Tensor) -> bool:
    """Whether an element of ``x`` lies within rounding of ``torch.angle``'s discontinuity: a
    complex value with a negative real part and an imaginary part near 0, or near 0 itself; a real
    value near 0 (read on the host: one read, where a phase is read, ``mode.cut_phase_read``). Not where that part is exactly
    0: a real FFT's DC and Nyquist bins are real by construction (``rfft2``'s DC of each image),
    in a batch or alone; one whose exact value is real but that rounds to +-tiny is noted."""
    if not (x.is_floating_point() or x.is_complex()) or x.numel() == 0:
        return False
    with torch.no_grad():
        magnitude = x.abs()
        dtype = x.real.dtype if x.is_complex() else x.dtype
        tol = _CUT_ROUNDING * torch.finfo(dtype).eps * magnitude.nan_to_num(0.0, 0.0, 0.0).amax()
        if not x.is_complex():
            return bool(((magnitude <= tol) & (x != 0)).any())
        near = (magnitude <= tol) | (x.real < 0) & (x.imag.abs() <= tol)
        return bool((near & (x.imag != 0)).any())


def cut_phase_read(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> bool:
    """Whether ``func`` reads a phase of ``frame.cut_phases`` other than as the angle of a periodic
    op (``torch.polar(mag, phase)``, ``phase.cos()``) and the values it is the angle of lie within
    rounding of the branch cut (``on_branch_cut``: a host read, made once per phase):
    there its result is lost (True). A sum or difference of phases (``cos(s.angle() - y.angle())``,
    a phase-sensitive mask) is off by a multiple of 2 pi as each of them: noted as a phase in turn."""
    at = _PERIODIC.get(func)
    shifted: list[Tensor] = []
    why = ""
    for k, x in enumerate(flat_args(args, kwargs)):
        held = frame.cut_phases.get(id(x)) if isinstance(x, Tensor) else None
        if held is not None and held[0] is x and (at is None or k != at or kwargs):
            if func in _PHASE_SHIFTS and not kwargs and isinstance(out, Tensor) and not out.is_complex():
                shifted.extend(held[2])  # looked at where the result is read
                why = held[1]
                continue
            if not any(on_branch_cut(s) for s in held[2]):
                del frame.cut_phases[id(x)]  # no value near the cut: the phases are the group's alone too
                continue
            frame.lose(out, held[1], frame.get(x))
            return True
    if shifted:
        frame.cut_phases[id(out)] = (out, why, tuple(shifted))
    return False


# ops whose result is off by a multiple of 2 pi where an operand is (phases added, subtracted, negated)
_PHASE_SHIFTS = frozenset({torch.add, torch.sub, torch.neg, Tensor.add, Tensor.sub, Tensor.neg, Tensor.__add__,
                           Tensor.__radd__, Tensor.__sub__, Tensor.__rsub__, Tensor.__neg__})


# ops that read a complex value as its real part only (``Tensor.float``, ``.to(torch.float32)``, ``.real``)
_REAL_PARTS = frozenset({Tensor.float, Tensor.double, Tensor.half, Tensor.bfloat16, Tensor.to, Tensor.type,
                         Tensor.real.__get__, torch.real})  # type: ignore[attr-defined]


def imaginary_rows(values: Tensor, row_dim: int) -> bool:
    """Whether some row (along ``row_dim``; -1: the whole tensor, one image's) of the complex
    ``values`` sums to an imaginary part beyond rounding of its magnitudes' sum (a host read):
    the real FFT of a real signal summed over all its bins is real, each image's alone too; one
    bin, or an ``rfft``'s half spectrum, is not."""
    with torch.no_grad():
        v = values.reshape(1, -1) if row_dim < 0 else values.movedim(row_dim, 0).reshape(values.shape[row_dim], -1)
        imaginary = v.imag.sum(1).abs()
        magnitude = v.abs().sum(1).nan_to_num(0.0, 0.0, 0.0)
        tol = _CUT_ROUNDING * torch.finfo(v.real.dtype).eps * magnitude * max(1, v.shape[1]) ** 0.5
        return bool((imaginary > tol).any())


def complex_sum_read(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> bool:
    """Whether ``func`` reads a complex value of ``frame.complex_sums`` (a sum or mean over image
    rows, its ratio the real part's) other than as its real part (a cast to a real dtype,
    ``.real``: followed by the ratio as it is) while some row's imaginary sum is not 0
    (``imaginary_rows``, one host read per value): there its result is lost (True; was silently
    the real part's abs, square, product; found by helper wrong21)."""
    for x in flat_args(args, kwargs):
        held = frame.complex_sums.get(id(x)) if isinstance(x, Tensor) else None
        if held is None or held[0] is not x:
            continue
        if func in _REAL_PARTS and isinstance(out, Tensor) and not out.is_complex():
            track = frame.get(x)
            if func in (Tensor.real.__get__, torch.real) and track is not None:  # type: ignore[attr-defined]
                frame.set(out, track)
                return True
            continue
        if not imaginary_rows(held[1], held[2]):
            del frame.complex_sums[id(x)]  # every row real: the real part's ratio is the value's
            continue
        frame.lose(out, f"{op_name(func)} of a complex sum or mean over images' rows (its imaginary part is "
                   "not followed)", frame.get(x))
        return True
    return False


def _writes_first(func: Any) -> bool:
    """Whether ``func`` writes its first argument in place (``x.add_(y)``, ``x[i] = v``, ``x += y``)."""
    name = getattr(func, "__name__", "")
    return func is _SETITEM or name.endswith("_") and not name.endswith("__") or name.startswith("__i") \
        and name not in ("__index__", "__int__", "__invert__", "__iter__")


def flat_args(args: tuple, kwargs: dict) -> list[Any]:
    flat: list[Any] = []
    for a in (*args, *kwargs.values()) if kwargs else args:
        t = type(a)  # (the usual arguments told by their type first: isinstance of another type is slow)
        if t is list or t is tuple or t is not Tensor and t is not float and t is not int and isinstance(a, (list, tuple)):
            flat.extend(a)
        else:
            flat.append(a)
    return flat


