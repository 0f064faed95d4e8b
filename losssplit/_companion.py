"""Companion values: detached 0-dim tensors that remember their exact ``(num, den)``."""

from __future__ import annotations

import string
from typing import Any, NamedTuple

import torch

from ._capture.mode import host_tensor

_RECORD_ATTR = "_losssplit_record"
#: On a returned loss inside ``SplitMeter.collect()``: the companions its call reported for it.
REPORTED_ATTR = "_losssplit_reported"
STAMP_ATTR = "_losssplit_call"  # on an attached companion: (id of its decorator, the call's serial)


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
    if stamp is None:
        for value, record in zip(out, records):
            setattr(value, _RECORD_ATTR, record)
    else:
        for value, record in zip(out, records):
            setattr(value, _RECORD_ATTR, record)
            setattr(value, STAMP_ATTR, stamp)
    return out


def stamp_of(value: Any) -> tuple[int, int] | None:
    """``(decorator id, call serial)`` of a companion attached to a returned dict, else None."""
    return getattr(value, STAMP_ATTR, None) if isinstance(value, torch.Tensor) else None


def companion_of(value: Any) -> Companion | None:
    """The record behind a companion value in a returned dict, or ``None`` for anything else.

    Example:
        >>> import torch
        >>> from losssplit import companion_of
        >>> companion_of(torch.tensor(1.0)) is None
        True
    """
    return getattr(value, _RECORD_ATTR, None) if isinstance(value, torch.Tensor) else None


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
