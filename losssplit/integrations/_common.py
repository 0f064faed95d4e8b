"""Helpers shared by the adapters (no framework imports here)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

import torch

from .._companion import Companion, format_fields
from ..aggregate import SplitMeter

_FIELDS = {"name", "key", "group"}


def check_name_format(fmt: str, owner: str) -> str:
    """Validate a ``name_format`` such as ``"{key}/{group}"`` at construction time."""
    return format_fields(fmt, f"{owner}(name_format=...)", _FIELDS, set())


def format_records(records: Iterable[Companion], fmt: str) -> dict[str, float]:
    """``{formatted name: num / den}``; records come from ``SplitMeter.compute_records``."""
    return {
        fmt.format(name=r.name, key=r.key, group=r.group): r.num / r.den for r in records
    }


def window_values(meter: SplitMeter, fmt: str, *, reset: bool = True) -> dict[str, float]:
    """The meter's exact values, named by ``fmt``; a collective under ``torch.distributed``."""
    values = format_records(meter.compute_records(), fmt)
    if reset:
        meter.reset()
    return values


def is_main_process() -> bool:
    dist = torch.distributed
    return not (dist.is_available() and dist.is_initialized()) or dist.get_rank() == 0


class Collecting:
    """Opens ``meter.collect()`` in one callback and closes it in another (same thread)."""

    def __init__(self, meter: SplitMeter) -> None:
        self.meter = meter
        self._stack: contextlib.ExitStack | None = None

    def open(self) -> None:
        self.close()  # a step that raised never reached its closing callback
        stack = contextlib.ExitStack()
        stack.enter_context(self.meter.collect())
        self._stack = stack

    def close(self) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            stack.close()

    @property
    def is_open(self) -> bool:
        return self._stack is not None


def new_meter(meter: Any) -> SplitMeter:
    if meter is None:
        return SplitMeter()
    if not isinstance(meter, SplitMeter):
        raise TypeError(f"meter=...: expected a losssplit.SplitMeter, got {type(meter).__name__}")
    return meter
