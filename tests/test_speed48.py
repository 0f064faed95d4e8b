"""Session 48 (issue #15): per-code caches and one walker where two did the same, results unchanged.

- ``_bytecode._arm_loop_at``: ``own_arm_loop``'s reading of the code alone, cached per (code,
  offset); the locals' values are read per call. An entry is never reused for another code or
  another offset: a conforming loop and a near miss of the same layout each get their own answer,
  asked in either order, and a ``len`` outside the loop gets none.
- ``mode._given_ints``: ``exact_ints`` and its fallback, one walk over lists at any depth.
"""

from __future__ import annotations

import dis

import pytest
import torch

from losssplit._capture import _bytecode, mode


def _conforming(dens, pts_all):
    out = []
    for i in range(3):
        pts = pts_all[i]
        if len(pts) == 0:
            out.append(dens[i].sum())
            continue
        out.append(dens[i].mean())
    return out


def _carried(dens, pts_all):  # (the same layout, but ``total`` is read before this iteration stores it)
    out = []
    for i in range(3):
        pts = pts_all[i]
        if len(pts) == 0:
            out.append(dens[i].sum())
            continue
        total = out[-1] if out else 0
        out.append(dens[i].mean() + total)
    return out


def _len_calls(fn) -> list[int]:
    """The offsets of the CALL of each ``len(...)`` in ``fn``'s code."""
    instructions = list(dis.get_instructions(fn.__code__))
    found = []
    for k, i in enumerate(instructions):
        if i.opname == "LOAD_GLOBAL" and i.argval == "len":
            found.append(next(j.offset for j in instructions[k:] if j.opname == "CALL"))
    return found


@pytest.mark.parametrize("first", [_conforming, _carried])
def test_arm_loop_reading_is_kept_per_code_and_offset(first):
    _bytecode._arm_loop_at.cache_clear()
    order = [first, _carried if first is _conforming else _conforming]
    got = {fn: _bytecode._arm_loop_at(fn.__code__, _len_calls(fn)[0]) for fn in order}
    assert got[_conforming] is not None and got[_conforming][:2] == (("pts",), ("pts_all", "dens", "dens"))
    assert got[_carried] is None
    # asked again (hits): the same answers, each its own code's
    assert _bytecode._arm_loop_at(_conforming.__code__, _len_calls(_conforming)[0]) == got[_conforming]
    assert _bytecode._arm_loop_at(_carried.__code__, _len_calls(_carried)[0]) is None


def test_arm_loop_reading_of_another_offset_is_its_own():
    def outside(dens, pts):
        if len(pts) == 0:  # (no loop around this ``len``)
            return dens.sum()
        for i in range(3):
            if len(pts) == 0:
                return dens[i].sum()
        return dens.mean()

    first, second = _len_calls(outside)
    _bytecode._arm_loop_at.cache_clear()
    assert _bytecode._arm_loop_at(outside.__code__, second) is not None  # (in the loop: ``dens[i]``)
    assert _bytecode._arm_loop_at(outside.__code__, first) is None
    assert _bytecode._arm_loop_at(outside.__code__, second) is not None


class _Frame:
    """The fields ``group_number`` writes (a capture's ``Frame`` holds more)."""

    def __init__(self) -> None:
        self.group_numbers: list = []
        self.exact_numbers = False


def _exact(frame: _Frame, value: float) -> mode.GroupFloat:
    return mode.group_number(frame, value, ("p", 0), (), (), exact=True)  # type: ignore[arg-type]


def test_exact_ints_at_any_depth_and_only_the_frames_own():
    frame, other = _Frame(), _Frame()
    n, m, theirs = _exact(frame, 3.0), _exact(frame, 5.0), _exact(other, 7.0)
    t = torch.ones(2)
    args, kwargs = mode.exact_ints(frame, (t, [n, (m, 1)], theirs, 2.5), {"size": [[n]]})  # type: ignore[arg-type]
    assert args[0] is t and args[3] == 2.5 and type(args[3]) is float
    assert type(args[1]) is list and type(args[1][1]) is tuple
    for got, want in ((args[1][0], 3), (args[1][1][0], 5), (kwargs["size"][0][0], 3)):
        assert type(got) is mode.GroupInt and int.__int__(got) == want and got._frame() is frame
    assert args[1][0]._index == n._index and args[1][1][0]._index == m._index
    assert type(args[2]) is mode.GroupFloat and args[2] is theirs  # (another call's number: as it was)
    untouched = (t, [1, (2.0,)])
    assert mode.exact_ints(frame, untouched, {})[0][1] is untouched[1]  # (nothing to change: not rebuilt)


def test_the_fallback_gives_plain_ints():
    frame = _Frame()
    n = _exact(frame, 4.0)
    args, kwargs = mode._given_ints(frame, ([n, [n]],), {"k": n}, False)  # type: ignore[arg-type]
    assert type(args[0][0]) is int and type(args[0][1][0]) is int and type(kwargs["k"]) is int
    assert args[0][0] == 4 and kwargs["k"] == 4
