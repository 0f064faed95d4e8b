"""Count, per decorated call, the operations losssplit itself performs that would synchronise a
CUDA device with the host (issue #15: at most one per call), on any device, the CPU included.

Seen at two levels, neither of which changes what losssplit sees (its rules read the body's
frames and bytecode and find torch's functions by identity: nothing is patched):
- a torch dispatch mode (below autograd, and not turned off by ``DisableTorchFunction``, under which
  losssplit does its own work): ``aten::_local_scalar_dense`` (``item``, ``bool`` / ``int`` /
  ``float`` / ``index`` of a tensor, ``if t:``), ``equal``, ``nonzero`` (``torch.where(c)``,
  ``argwhere``), indexing or writing through a boolean mask (``index`` / ``index_put_``),
  ``masked_select``, ``_unique`` / ``_unique2`` / ``unique_dim`` / ``unique_consecutive``,
  ``repeat_interleave`` of tensor repeats without ``output_size``, ``bincount``, a copy to the CPU;
- a profile function's C calls, for the reads that dispatch nothing on the CPU: ``tolist``,
  ``numpy``, ``cpu``.
Each is attributed to the first Python frame outside torch and this module: losssplit's counts;
the body's (and the capture mode running the body's own op) does not. A CPU tensor losssplit made
itself would not sync on a GPU either (a blocking copy to the device would; ``to_device`` copies
without waiting), so where a read is of such a tensor the count is above the device's.
"""

from __future__ import annotations

import collections
import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode

_TORCH = os.path.dirname(torch.__file__) + os.sep
_HERE = os.path.abspath(__file__)
_LIBRARY = os.path.join(os.path.dirname(os.path.dirname(_HERE)), "losssplit") + os.sep

_ALWAYS = frozenset(("_local_scalar_dense", "equal", "nonzero", "nonzero_static", "argwhere", "masked_select",
                     "_unique", "_unique2", "unique_dim", "unique_consecutive", "bincount", "nonzero_numpy"))
_HOST_CALLS = frozenset(("tolist", "numpy", "cpu"))


@dataclass
class Call:
    """One decorated call: the library's syncing ops, (op, ``file:line function``) -> count."""

    library: collections.Counter = field(default_factory=collections.Counter)

    @property
    def count(self) -> int:
        return sum(self.library.values())


@dataclass
class Tally:
    calls: list[Call] = field(default_factory=list)
    open: list[Call] = field(default_factory=list)


_CPU_ONLY = frozenset(("_argument_numbers", "_nan_images"))
"""losssplit's functions that read CPU tensors only (on a device they read nothing at once); so do
those whose name starts with ``cpu_`` (tensors made in host memory from Python numbers, or
``mode.cpu_values``, which refuses any other device)."""


def _site(f: Any) -> str | None:
    """``file:line function`` of the first frame from ``f`` outside torch and this module where it
    is losssplit's own; None where it is the body's, the capture mode running the body's op, or a
    read of ``_CPU_ONLY``."""
    while f is not None and (f.f_code.co_filename.startswith(_TORCH) or f.f_code.co_filename == _HERE):
        f = f.f_back
    if f is None or not f.f_code.co_filename.startswith(_LIBRARY) or f.f_code.co_name == "_run" \
            or f.f_code.co_name in _CPU_ONLY or f.f_code.co_name.startswith("cpu_"):
        return None
    return f"{os.path.relpath(f.f_code.co_filename, os.path.dirname(_LIBRARY))}:{f.f_lineno} {f.f_code.co_name}"


def _syncs(name: str, args: tuple, kwargs: dict) -> bool:
    """Whether the aten op ``name`` (its overload packet's name) waits on the device."""
    if name in _ALWAYS:
        return True
    if name in ("index", "index_put", "index_put_", "_index_put_impl_"):
        indices = args[1] if len(args) > 1 else kwargs.get("indices", ())
        return any(i is not None and i.dtype in (torch.bool, torch.uint8) for i in indices)
    if name == "repeat_interleave":
        return isinstance(args[0], torch.Tensor) and kwargs.get("output_size") is None and \
            (len(args) < 3 or args[2] is None) if len(args) == 1 or isinstance(args[1], torch.Tensor) else False
    if name in ("_to_copy", "copy_"):
        src = args[1] if name == "copy_" else args[0]
        dst = args[0].device if name == "copy_" else kwargs.get("device")
        return dst is not None and torch.device(dst).type == "cpu" and src.device.type != "cpu"
    return False


class _Ops(TorchDispatchMode):
    losssplit_sees_own_ops = True  # (the library hides its own ops from the user's dispatch modes: not from this one)

    def __init__(self, tally: Tally) -> None:
        super().__init__()
        self.tally = tally

    def __torch_dispatch__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        kwargs = kwargs or {}
        if self.tally.open and _syncs(func.overloadpacket.__name__, args, kwargs):
            site = _site(sys._getframe(1))
            if site is not None:
                self.tally.open[-1].library[(func.overloadpacket.__name__, site)] += 1
        return func(*args, **kwargs)


class _Calls:
    """The profile function: opens and closes a ``Call`` around each decorated call's
    ``_Splitter._split_call``, and counts losssplit's C calls of ``_HOST_CALLS`` on tensors."""

    def __init__(self, tally: Tally) -> None:
        from losssplit._decorator import _Splitter

        self.tally = tally
        self.split_call = _Splitter._split_call.__code__

    def __call__(self, frame: Any, event: str, arg: Any) -> None:
        if event == "c_call":
            if self.tally.open and getattr(arg, "__name__", None) in _HOST_CALLS and \
                    isinstance(getattr(arg, "__self__", None), torch.Tensor):
                site = _site(frame)
                if site is not None:
                    self.tally.open[-1].library[(arg.__name__, site)] += 1
        elif frame.f_code is self.split_call:
            if event == "call":
                self.tally.open.append(Call())
            elif event == "return":
                self.tally.calls.append(self.tally.open.pop())


@contextlib.contextmanager
def library_syncs() -> Iterator[Tally]:
    """While it is entered (on this thread): every decorated call's syncing ops, in ``Tally.calls``."""
    tally = Tally()
    previous = sys.getprofile()
    sys.setprofile(_Calls(tally))
    try:
        with _Ops(tally):
            yield tally
    finally:
        sys.setprofile(previous)


def count_library_syncs(fn: Callable[[], Any]) -> tuple[list[Call], Any]:
    """(each decorated call's ``Call``, ``fn``'s result)."""
    with library_syncs() as tally:
        result = fn()
    return tally.calls, result


def pytest_runtest_call(item: Any) -> Iterator[None]:
    """As a pytest plugin (``-p library_syncs``, ``LIBRARY_SYNCS_OUT=file``): each test's decorated
    calls, one JSON line per test with a call of more than one library sync."""
    import json

    with library_syncs() as tally:
        yield
    over = [c for c in tally.calls if c.count > 1]
    if over and os.environ.get("LIBRARY_SYNCS_OUT"):
        sites = collections.Counter()
        for c in over:
            sites.update({f"{op} at {site}": n for (op, site), n in c.library.items()})
        with open(os.environ["LIBRARY_SYNCS_OUT"], "a") as out:
            out.write(json.dumps({"test": item.nodeid, "calls": len(tally.calls), "over": len(over),
                                  "most": max(c.count for c in over), "sites": dict(sites)}) + "\n")


pytest_runtest_call.hookwrapper = True  # type: ignore[attr-defined]


if __name__ == "__main__":  # the seed criterion's calls, each op the library syncs at
    sys.path[:0] = [os.path.join(os.path.dirname(os.path.dirname(_HERE)), "examples")]
    from seed_criterion import RelationCriterion, make_batch

    from losssplit import split_by_source

    class Decorated(RelationCriterion):
        get_relation_loss = split_by_source(RelationCriterion.get_relation_loss)

    batch = make_batch()
    calls, _ = count_library_syncs(lambda: Decorated().get_relation_loss(*batch))
    for call in calls:
        print(f"library syncs {call.count}")
        for (op, site), n in call.library.most_common():
            print(f"  {n} x {op} at {site}")
