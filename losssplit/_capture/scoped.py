"""Deferred checks scoped to the values they doubt (``Frame.doubt(..., scoped=True)``).

A check made by an op's rule about that op's own result (``torch.where`` picking a batch-wide
default, rows of different images paired, positions picked unevenly) is about the values the op
wrote: where it fires, only the returned keys computed from them are wrong. Each such check owns a
bit; the memory the op wrote carries it, and every later op that reads memory carrying bits writes
them into whatever memory it writes (its results, and any argument whose version it bumped). A key
is declined for a fired check when its returned tensor's memory carries that check's bit.

Conservative by construction: memory, not tensors, carries the bits (a view, ``.data``, a buffer
written in place all share it); a value of such memory leaving as anything but a tensor (a host
read, a size, a Python bool) makes the check call-wide (``escalate``), since Python numbers are
not followed; an exotic tensor whose memory cannot be named makes every scoped check call-wide.
"""

from __future__ import annotations

from typing import Any

from torch import Tensor


def _key(t: Tensor) -> int | None:
    """The address where ``t``'s memory begins (its views', ``.data``'s and ``detach()``'s too)."""
    try:
        return t.untyped_storage().data_ptr()
    except Exception:  # noqa: BLE001 - sparse, nested, functional tensors: no memory to name
        return None


def _flat(value: Any, out: list[Tensor]) -> bool:
    """Append ``value``'s tensors (nested tuples, lists, dict values) to ``out``; whether it holds
    anything else but None (a number, a size, a bool)."""
    if isinstance(value, Tensor):
        out.append(value)
        return False
    if isinstance(value, dict):
        value = list(value.values())
    elif not isinstance(value, (tuple, list)):
        return value is not None
    other = False
    for v in value:
        if isinstance(v, Tensor):
            out.append(v)
        elif v is not None:
            other = _flat(v, out) or other
    return other


def tensors(value: Any) -> list[Tensor]:
    """Every tensor in ``value`` (nested tuples, lists, dict values)."""
    if isinstance(value, Tensor):
        return [value]
    out: list[Tensor] = []
    _flat(value, out)
    return out


def bits_of(frame: Any, value: Any) -> int:
    """The scoped checks whose doubted memory ``value``'s tensors share; every scoped check where
    some tensor's memory cannot be named."""
    bits = 0
    doubted = frame.doubted
    for t in tensors(value):
        k = _key(t)
        if k is None:
            return frame.scoped_all
        held = doubted.get(k)
        if held is not None:
            bits |= held[0]
    return bits


def mark(frame: Any, value: Any, bits: int) -> None:
    """Let the memory of ``value``'s tensors carry ``bits`` (a tensor of it held to the call's end, so
    that no other memory takes the same address meanwhile)."""
    for t in tensors(value):
        k = _key(t)
        if k is None:
            frame.escalated |= bits
            continue
        held = frame.doubted.get(k)
        frame.doubted[k] = (bits | held[0] if held is not None else bits, t)


def before(frame: Any, args: tuple, kwargs: dict | None) -> tuple[int, list[tuple[Tensor, int]]] | None:
    """Before an op: the bits its arguments' memory carries and their tensors with their version
    counters; None where they carry none (asked of every op once a scoped check is made: the bits
    are looked up first, the tensors gathered only where some are found)."""
    try:
        bits = _bits_in(frame.doubted, args) | (_bits_in(frame.doubted, kwargs) if kwargs else 0)
    except Exception:  # noqa: BLE001 - memory that cannot be named may be any check's
        bits = frame.scoped_all
    if not bits:
        return None
    held: list[Tensor] = []
    _flat((*args, *kwargs.values()) if kwargs else args, held)
    out = []
    for t in held:
        try:
            out.append((t, t._version))
        except RuntimeError:  # an inference tensor keeps no version: read as written
            out.append((t, -1))
    return bits, out


def _bits_in(doubted: dict[int, tuple[int, Any]], values: Any) -> int:
    """The bits the memory of the tensors in ``values`` (nested tuples, lists, dict values) carries."""
    bits = 0
    for a in values.values() if isinstance(values, dict) else values:
        if isinstance(a, Tensor):
            found = doubted.get(a.untyped_storage().data_ptr())
            if found is not None:
                bits |= found[0]
        elif isinstance(a, (tuple, list, dict)):
            bits |= _bits_in(doubted, a)
    return bits


def carry(frame: Any, held: tuple[int, list[tuple[Tensor, int]]], out: Any) -> None:
    """After an op whose arguments carried ``held`` (``before``): their bits go to its results and
    to every argument it wrote; a result that is no tensor (a host read, a size, a bool) makes those
    checks call-wide."""
    bits, versions = held
    made: list[Tensor] = []
    if _flat(out, made):
        frame.escalated |= bits
    mark(frame, made, bits)
    for t, v in versions:
        try:
            written = v < 0 or t._version != v
        except RuntimeError:
            written = True
        if written:
            mark(frame, t, bits)
