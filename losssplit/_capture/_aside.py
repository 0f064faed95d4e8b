"""The library's own work kept aside from what the user sees of the call: the warnings of an op it
runs a second time, and the user's torch dispatch modes (a flop counter, a logger) around its own
ops. Each restores what it changed, also where the work inside raises."""

from __future__ import annotations

import contextlib
import functools
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import torch


@contextlib.contextmanager
def warnings_silenced() -> Iterator[None]:
    """No warning of this thread is shown inside (an op run again already warned when the body ran it).
    Not ``warnings.catch_warnings``: entering it marks the filters changed, which empties every
    module's registry of warnings shown, so a warning the user saw once would be shown again on every
    later call. The filters still decide (``error`` raises, ``once`` is noted); only the showing is
    skipped, and another thread's warnings are shown as usual."""
    shown = warnings._showwarnmsg  # type: ignore[attr-defined]
    here = threading.get_ident()

    def show(message: Any) -> None:
        if threading.get_ident() != here:
            shown(message)

    warnings._showwarnmsg = show  # type: ignore[attr-defined]
    try:
        yield
    finally:
        warnings._showwarnmsg = shown  # type: ignore[attr-defined]


@functools.cache
def mps_available() -> bool:
    """``torch.backends.mps.is_available()``, asked once: it does not change while the process runs."""
    return bool(torch.backends.mps.is_available())
