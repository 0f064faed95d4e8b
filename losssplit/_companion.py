"""Companion values: detached 0-dim tensors that remember their exact ``(num, den)``."""

from __future__ import annotations

import string
from typing import Any, NamedTuple

import torch

from ._capture.mode import host_tensor

# On the float32 buffer whose views are one call's companions: (records, ids of the views, stamp).
# One attribute there, not one per companion: an attribute dict per companion (and the record in
# it) made three objects per companion for the cycle collector, and at 1,000 groups its
# collections cost more than the rest of the split. The buffer's Python object, attribute included,
# lives as long as any of its views (torch keeps a tensor's object while its tensor is shared).
_TABLE_ATTR = "_losssplit_companions"
#: On a returned loss inside ``SplitMeter.collect()``: the companions its call reported for it.
REPORTED_ATTR = "_losssplit_reported"


class Companion(NamedTuple):
    """One companion of one call: ``name`` (the dict key) is ``key`` split for ``group``.

    Its value is ``num / den``. A loss that adds ratios with different denominators
    (``1 - dice + 1 - jaccard``) has ``parts``, one ``(num, den)`` per ratio: its value is their
    sum (``num`` holds it, ``den`` is 1), and a window aggregates each part apart.
    """

    name: str
    key: str
    group: str
    num: float
    den: float
    parts: tuple[tuple[float, float], ...] = ()


def make_companion(record: Companion, like: torch.Tensor) -> torch.Tensor:
    """A detached scalar ``num / den`` on ``like``'s device, carrying its record."""
    return make_companions([record], like.device)[0]


def make_companions(
    records: list[Companion], device: torch.device, stamp: tuple[int, int] | None = None
) -> list[torch.Tensor]:
    """Detached float32 scalars ``num / den`` on ``device`` (one copy for all), with their records
    and, when given, the ``stamp`` ``(decorator id, call serial)`` that tells later calls of the
    same decorator that they are stale (see :func:`stamp_of`)."""
    # through a typed buffer (torch.tensor of a list costs ~0.2 us per element), then copied
    # into memory of torch's own, so the values behave as any tensor's (share_memory_, resize)
    values = host_tensor([r.num / r.den for r in records], torch.float32).clone()
    if device.type != "cpu":
        values = values.to(device, non_blocking=True)
    out = list(values.unbind())  # the cheapest way found to make many tensors: ~0.7 us each
    setattr(values, _TABLE_ATTR, (tuple(records), [id(v) for v in out], stamp))
    return out


def _entry(value: Any) -> tuple[Companion, tuple[int, int] | None] | None:
    """(record, stamp) of a companion: one of the views its call made of the buffer (by identity:
    another view of the buffer, ``value.view(())``, is none)."""
    base = value._base if isinstance(value, torch.Tensor) else None
    table = getattr(base, _TABLE_ATTR, None) if base is not None else None
    if base is None or table is None:
        return None
    records, ids, stamp = table
    at = value.storage_offset() - base.storage_offset()
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
