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
    skipped, and another thread's warnings are shown as usual. One ``_show`` is installed while any
    thread is inside (counted under a lock): two threads' swaps crossing left a silencer of the first
    thread's warnings installed for good."""
    depth = getattr(_SILENCED, "depth", 0)
    _SILENCED.depth = depth + 1
    with _SWAP_LOCK:
        if _SWAP[0] == 0:
            _SWAP[1] = warnings._showwarnmsg  # type: ignore[attr-defined]
            warnings._showwarnmsg = _show  # type: ignore[attr-defined]
        _SWAP[0] += 1
    try:
        yield
    finally:
        _SILENCED.depth = depth
        with _SWAP_LOCK:
            _SWAP[0] -= 1
            if _SWAP[0] == 0 and warnings._showwarnmsg is _show:  # type: ignore[attr-defined]
                warnings._showwarnmsg = _SWAP[1]  # type: ignore[attr-defined]


def _show(message: Any) -> None:
    if not getattr(_SILENCED, "depth", 0):
        _SWAP[1](message)


_SILENCED = threading.local()  # depth: how many ``warnings_silenced`` this thread is inside
_SWAP_LOCK = threading.Lock()
_SWAP: list[Any] = [0, None]  # threads' entries inside ``warnings_silenced``, the ``_showwarnmsg`` replaced


@functools.cache
def mps_available() -> bool:
    """``torch.backends.mps.is_available()``, asked once: it does not change while the process runs."""
    return bool(torch.backends.mps.is_available())


_KEYS = getattr(torch._C, "_TorchDispatchModeKey", None)  # (fake, proxy, functional: tracing's)
_INFRA = tuple(_KEYS.__members__.values()) if _KEYS is not None else ()
# (torch's private stack API: where a build lacks a piece of it, the user's modes are left as they are)
_STACK_API = all(hasattr(torch._C, f) for f in ("_len_torch_dispatch_stack", "_get_dispatch_mode", "_get_dispatch_stack_at",
                                                "_pop_torch_dispatch_stack", "_push_on_torch_dispatch_stack")) \
    and hasattr(torch._ops, "_len_torch_dispatch_stack_pre_dispatch") and _KEYS is not None


def users_dispatch_modes() -> tuple[Any, ...]:
    """The torch dispatch modes around the call, bottom first, where the library's own ops may run with
    them off (a ``FlopCounterMode`` would count them as the user's): none of tracing's (fake tensors,
    proxies, functionalization: an op of the library's must run under them to run at all) and none
    in pre-dispatch, nor a mode asking to see them (``losssplit_sees_own_ops``: the library's sync
    counter); ``()`` otherwise, and where there are none (one C call: the common case)."""
    held = torch._C._len_torch_dispatch_stack() if _STACK_API else 0
    if not held or any(torch._C._get_dispatch_mode(k) is not None for k in _INFRA) \
            or torch._ops._len_torch_dispatch_stack_pre_dispatch():
        return ()
    modes = tuple(torch._C._get_dispatch_stack_at(i) for i in range(held))
    return () if any(getattr(type(m), "losssplit_sees_own_ops", False) for m in modes) else modes


def modes_off(modes: tuple[Any, ...]) -> list[Any]:
    """Pop ``modes`` (``users_dispatch_modes``) where they are the whole stack now; what was popped,
    top first, for ``modes_on`` (nothing where the stack is another: inside an op of theirs)."""
    if torch._C._len_torch_dispatch_stack() != len(modes) or torch._C._get_dispatch_stack_at(len(modes) - 1) \
            is not modes[-1]:
        return []
    return [torch._C._pop_torch_dispatch_stack(None) for _ in modes]


def modes_on(popped: list[Any]) -> None:
    """Push back what ``modes_off`` popped, in the order they were."""
    for mode in reversed(popped):
        torch._C._push_on_torch_dispatch_stack(mode)


class _ModesOff:
    """``own_ops`` where there are modes to pop."""

    def __init__(self, modes: tuple[Any, ...]) -> None:
        self.modes = modes
        self.popped: list[Any] = []

    def __enter__(self) -> None:
        self.popped = modes_off(self.modes)

    def __exit__(self, *exc: object) -> None:
        modes_on(self.popped)


_NO_MODES = contextlib.nullcontext()


def own_ops(modes: tuple[Any, ...]) -> contextlib.AbstractContextManager[None]:
    """The library's own ops inside run without the user's dispatch ``modes``; put back also where they
    raise. (No generator made per call where there are none: the common case.)"""
    return _ModesOff(modes) if modes else _NO_MODES
