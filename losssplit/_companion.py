"""Companion values: detached 0-dim tensors that remember their exact ``(num, den)``."""

from __future__ import annotations

import string
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

import torch

from ._capture.mode import host_tensor

# On the storage of the float32 buffer whose elements are one call's companions: (records, ids of
# the companions, stamp). One attribute there, not one per companion: an attribute dict per
# companion (and the record in it) made three objects per companion for the cycle collector, and
# at 1,000 groups its collections cost more than the rest of the split. The storage's Python
# object, attribute included, lives as long as any tensor over that memory (torch keeps a
# storage's object while the storage is alive).
_TABLE_ATTR = "_losssplit_companions"
#: On a returned loss inside ``SplitMeter.collect()``: the companions its call reported for it.
REPORTED_ATTR = "_losssplit_reported"


class Companion(NamedTuple):
    """One companion of one call: ``name`` (the dict key) is ``key`` split for ``group``.

    Its value is ``num / den``. A loss that adds ratios with different denominators
    (``1 - dice + 1 - jaccard``) has ``parts``, one ``(num, den)`` per ratio: its value is their
    sum (``num`` holds it, ``den`` is 1), and a window aggregates each part apart. A function of
    ratios (``exp(nll.sum() / n.sum())``) has ``formula``, its text form (``exp(p0)``, see
    ``losssplit._formula``): its value is the formula of its parts' ratios instead of their sum.
    """

    name: str
    key: str
    group: str
    num: float
    den: float
    parts: tuple[tuple[float, float], ...] = ()
    formula: str = ""


def window_record(name: str, key: str, group: str, parts: tuple[tuple[float, float], ...], formula: str) -> Companion:
    """A group's parts in a call where it has no value (a part 0 / 0: an empty mean, a precision
    of nothing predicted): no companion of the call, but the window's sums need its other parts
    (its recall's false negatives). Told apart by its ``den`` of 0, which no companion has."""
    return Companion(name, key, group, 0.0, 0.0, parts, formula)


def unknown_record(record: Companion) -> Companion:
    """What a call whose group declined ``record`` (another branch of the body's code on the group
    alone) adds to a window: ``(nan, 0)`` per part, so the window has no value for it either (its
    value would leave that call's images out)."""
    nan = float("nan")
    if record.parts:
        return record._replace(num=0.0, den=0.0, parts=((nan, 0.0),) * len(record.parts))
    return record._replace(num=nan, den=0.0)


#: Name suffix of ``declined_record``: ``"\x1f"`` (a window's part separator) and a word no part has.
DECLINED = "\x1fdeclined"


def declined_record(key: str) -> Companion:
    """What a call that declined ``key`` for every group (attribution lost, a failed check, a host
    read) adds to a window: one ``(nan, 0)`` for the key, no group, so the window has no value for
    any group of the key (its value would leave that call's images out)."""
    return Companion(key + DECLINED, key, "", float("nan"), 0.0)


#: On a returned loss outside ``SplitMeter.collect()``: its call's ``window_record``s, for ``update``.
WINDOW_ATTR = "_losssplit_window"


class Companions:
    """One call's companions as columns, a record made when one is asked for: with thousands of
    groups, a record each would be thousands more objects for the cycle collector."""

    #: keys without companions only because no group has rows in them in this call (no decline)
    rowless: frozenset[str] = frozenset()

    def __init__(self, records: Iterable[Companion] = ()) -> None:
        self.names: list[str] = []
        self.keys: list[str] = []
        self.groups: list[str] = []
        self.nums: list[float] = []
        self.dens: list[float] = []
        self.parts: dict[int, tuple[tuple[float, float], ...]] = {}  # index -> parts, where it has them
        self.formulas: dict[int, str] = {}  # index -> formula, where it has one
        # records of groups that have no value in this call but whose parts count in a window
        # (``window_record``): the meter adds them, the returned dict does not hold them
        self.window: list[Companion] = []
        # groups left out of this part only for a 0 / 0 (an empty mean): their part is (0, 0)
        self.empty: set[str] = set()
        # groups of a part left out for ``x / 0`` or a value not finite: their (num, den), for a window
        self.held: list[Companion] = []
        columns = list(zip(*records))
        if columns:
            self.names, self.keys, self.groups, self.nums, self.dens = (list(c) for c in columns[:5])
            self.parts = {i: parts for i, parts in enumerate(columns[5]) if parts}
            self.formulas = {i: formula for i, formula in enumerate(columns[6]) if formula}

    def add(
        self, key: str, groups: Sequence[str], names: Sequence[str], nums: Sequence[float], dens: Sequence[float]
    ) -> None:
        """Companions of ``key``, one per group (columns of equal length)."""
        self.names += names
        self.keys += [key] * len(names)
        self.groups += groups
        self.nums += nums
        self.dens += dens

    def append(self, record: Companion) -> None:
        if record.parts:
            self.parts[len(self.names)] = record.parts
        if record.formula:
            self.formulas[len(self.names)] = record.formula
        self.add(record.key, [record.group], [record.name], [record.num], [record.den])

    def extend(self, other: Companions) -> None:
        at = len(self.names)
        self.parts.update({at + i: parts for i, parts in other.parts.items()})
        self.formulas.update({at + i: formula for i, formula in other.formulas.items()})
        self.window += other.window
        self.names += other.names
        self.keys += other.keys
        self.groups += other.groups
        self.nums += other.nums
        self.dens += other.dens

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, i: int) -> Companion:
        return Companion(self.names[i], self.keys[i], self.groups[i], self.nums[i], self.dens[i], self.parts.get(i, ()),
                         self.formulas.get(i, ""))

    def __iter__(self) -> Iterator[Companion]:
        return map(self.__getitem__, range(len(self.names)))


def make_companion(record: Companion, like: torch.Tensor) -> torch.Tensor:
    """A detached scalar ``num / den`` on ``like``'s device, carrying its record."""
    return make_companions([record], like.device)[0]


def make_companions(
    records: Companions | list[Companion], device: torch.device, stamp: tuple[int, int] | None = None
) -> list[torch.Tensor]:
    """Detached float32 scalars ``num / den`` on ``device`` (one copy for all), with their records
    and, when given, the ``stamp`` ``(decorator id, call serial)`` that tells later calls of the
    same decorator that they are stale (see :func:`stamp_of`)."""
    if torch.is_inference_mode_enabled():  # companions are plain tensors, usable with autograd later
        with torch.inference_mode(False):
            return make_companions(records, device, stamp)
    table = records if isinstance(records, Companions) else Companions(records)
    # through typed buffers (torch.tensor of a list costs ~0.2 us per element); the float64
    # quotient rounded to float32, as Python's num / den would be; memory of torch's own, so the
    # values behave as any tensor's (share_memory_, resize)
    values = (host_tensor(table.nums, torch.float64) / host_tensor(table.dens, torch.float64)).float()
    if device.type != "cpu":
        values = values.to(device, non_blocking=True)
    # the cheapest way found to make many tensors; below autograd they are plain tensors over the
    # buffer's memory, without the view records autograd keeps for each (a fifth of their cost)
    with torch._C._AutoDispatchBelowADInplaceOrView():
        out = list(values.unbind())
    setattr(values.untyped_storage(), _TABLE_ATTR, (table, list(map(id, out)), stamp))
    return out


def _entry(value: Any) -> tuple[Companion, tuple[int, int] | None] | None:
    """(record, stamp) of a companion: one of the tensors its call made over the buffer (by
    identity: another tensor over the buffer, ``value.view(())``, is none)."""
    if type(value) is not torch.Tensor:  # companions are plain tensors; a subclass is none
        return None
    try:
        table = getattr(value.untyped_storage(), _TABLE_ATTR, None)
    except (RuntimeError, NotImplementedError):  # no storage (sparse, nested): no companion
        return None
    if table is None:
        return None
    records, ids, stamp = table
    at = value.storage_offset()
    if not 0 <= at < len(ids) or ids[at] != id(value):
        return None
    return records[at], stamp


def stamp_of(value: Any) -> tuple[int, int] | None:
    """``(decorator id, call serial)`` of a companion attached to a returned dict, else None."""
    entry = _entry(value)
    return None if entry is None else entry[1]


def is_companion(value: Any) -> bool:
    return _entry(value) is not None


def companion_of(value: Any) -> Companion | None:
    """The record behind a companion value in a returned dict, or ``None`` for anything else.

    Example:
        >>> import torch
        >>> from losssplit import companion_of
        >>> companion_of(torch.tensor(1.0)) is None
        True
    """
    entry = _entry(value)
    return None if entry is None else entry[0]


def format_fields(fmt: Any, option: str, allowed: set[str], required: set[str]) -> str:
    """Validate a companion-name format; ``option`` is how the user wrote it, for the message."""
    if not isinstance(fmt, str):
        raise TypeError(f"{option}: expected a str, got {type(fmt).__name__}")
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(fmt) if f is not None}
    except ValueError as exc:
        raise ValueError(f"{option}: expected a format string, got {fmt!r}") from exc
    wanted = " and ".join(f"{{{f}}}" for f in sorted(required)) or "at least one field"
    try:  # conversions and format specs (``{key!x}``, ``{key:d}``) fail here, not at each call
        fmt.format(**dict.fromkeys(allowed, "x"))
        plain = True
    except (ValueError, KeyError, IndexError, AttributeError, TypeError):
        plain = False
    if not plain or not fields or not fields <= allowed or not required <= fields:
        raise ValueError(
            f"{option}: expected {wanted}, fields among "
            f"{', '.join('{' + f + '}' for f in sorted(allowed))}; got {fmt!r}"
        )
    return fmt
