"""Which number fields of several images' targets a Python number scaling a loss is computed
from, read from the body's code (``l * (max(t["scale"] for t in targets) + 1)``, ``s += t["scale"]``
in a loop over the targets, then ``l / s``).

On a group alone the body computes such a number from the group's targets. Its value on the batch
may equal no statistic the capture could compare it with (``/ (1 + sum(...))``, ``max(...) ** 2``),
so where the number comes from is read from the code: the operand of the op, the statements storing
the locals it reads, and the comprehensions it runs over the list of per-image targets, down to a
field read of one of the list's items (``t["scale"]``, ``t["meta"]["scale"]``, ``t.get(k)``,
``t[self.key]``). Only the list the groups are read from counts (the frame's per-image targets,
known by identity), through the helpers given the list or one of its items (followed to what they
return), ``map`` and attributes the code sets; a field read by position (``targets[0]["scale"]``)
is ``Frame._picked_field``'s.
"""

from __future__ import annotations

import builtins
import dis
import functools
import operator
import sys
import types
from collections.abc import Mapping, Sequence
from typing import Any

from torch import Tensor

from . import _bytecode
from ._bytecode import (
    _COMPREHENSIONS,
    _COUNT_CHECKED,
    _assignment_start,
    _callee_at,
    _caller,
    _consumer,
    _instructions,
    _line,
    _located,
    _located_frame,
    _method_of,
    _number_shaped,
    _operand_start,
    _operands,
    _per_code,
    _stores,
)

_LOADS = ("LOAD_FAST", "LOAD_DEREF")
_FILLS = frozenset({"append", "extend", "insert", "add", "update", "appendleft"})
_NOT_READ = object()
_UNREAD = object()  # a callable given the list whose code the reader cannot read
_UNKNOWN = (("unread", None),)  # a path standing for every number field of the items
_DEPTH = 3  # helpers followed from the body
_NOT_FOLLOWED = ("torch", "losssplit", "numpy", "builtins", "math")


def read_fields(targets: Sequence[Any], c: Any, own: bool = False, tensors: bool = False) -> tuple[tuple[Any, ...], ...]:
    """The field paths (``("meta", "scale")`` for ``t["meta"]["scale"]``) of the items of
    ``targets`` whose values the operand ``c`` of the op the caller's code is executing is computed
    from, each a Python number on every item that has it; () where none is, or the code cannot be
    read. The operand is the one holding ``c`` where an operand is one load of it, else any whole
    operand that is no load of a tensor. With ``own``, a local holding one item (``t`` of ``for t,
    x in zip(targets, xs)``, by identity) is read as one too. ``tensors``: where the operand is a
    local holding the tensor ``c``, follow it to what stored it (a factor made of the weights, ``w =
    torch.tensor([t["w"] ** 2 for t in ts])``); a tensor local read inside is still the capture's."""
    if sys.version_info[:2] not in _COUNT_CHECKED:
        return ()
    f = _caller()
    if f is None:
        return ()
    held = _bytecode._locals(f)
    ids: set[int] = set()
    lists = frozenset(n for n, v in held.items() if _image_list(v, targets, ids))
    items: frozenset[str] = frozenset()
    if own:
        ids = ids or {id(t) for t in targets}
        items = frozenset(n for n, v in held.items() if id(v) in ids)
    if not lists and not items:
        return ()
    code = f.f_code
    instructions = _instructions(code)
    spans = _operands(code, _bytecode._lasti(f))
    reader = _Reader(code, instructions, lists, held, f.f_globals, items=items)
    chosen = []
    if not spans and own:  # the op right after a conditional expression (its operand: ``l * (1.0 if t["w"] >= 0.9 else 0.3)``)
        spans = _chosen_literals(instructions, _located_frame(code, _bytecode._lasti(f))[1])
    for start, end in spans:
        value = reader.evaluated(start, end)  # a literal, a local, an attribute of one (``crit.loss_weight``)
        if value is c or type(value) in (int, float) and type(c) is float and value == c:
            chosen = [(start, end)]
            test = _condition(instructions, start) if own and end - start == 1 else None
            if test is not None:  # ``1.0 if t["w"] >= 0.9 else 0.3``: a literal the test of an image's field picks
                # (a test of several images' fields is the branch rules', decided per group)
                chosen.append(test)
            break
        if value is not _NOT_READ:
            continue
        if isinstance(c, Tensor):
            end = _unviewed(instructions, start, end)
        if _made_tensor(instructions, start, end) if isinstance(c, Tensor) else not reader.tensor_shaped(start, end) and (
                not own or _number_shaped(instructions, start, end, sizes=True)):  # (not ``_e(x, t) * t["w"]``, a loss)
            chosen.append((start, end))
        elif tensors and isinstance(c, Tensor) and all(i.opname in _ARITHMETIC for i in instructions[start:end]):
            chosen.append((start, end))  # ``l * (1 + w)``: arithmetic of tensor locals, each followed below
    paths: set[tuple[Any, ...]] = set()
    for start, end in chosen:
        loads = [i.argval for i in instructions[start:end] if i.opname in _LOADS]
        if tensors and isinstance(c, Tensor) and loads and all(i.opname in _ARITHMETIC for i in instructions[start:end]):
            for name in loads:
                paths |= reader._local(name, frozenset({name}), held_tensor=True)
        else:
            paths |= reader.span(start, end, frozenset())
    if _UNKNOWN in paths:
        paths.discard(_UNKNOWN)
        paths |= {(("item", k),) for t in targets[:1] if isinstance(t, Mapping) for k in t}
    return tuple(p for p in sorted(paths, key=repr) if _number_field(targets, p))


_ARITHMETIC = frozenset({"LOAD_FAST", "LOAD_DEREF", "LOAD_CONST", "BINARY_OP", "UNARY_NEGATIVE"})


def _condition(instructions: list[dis.Instruction], k: int) -> tuple[int, int] | None:
    """The span of the test of the conditional expression one of whose values is the load at
    ``k`` (``a if test else b``), None where it is none."""
    here, before = instructions[k], instructions[k - 1].opname if k else ""
    if not before.startswith("POP_JUMP") and before != "JUMP_FORWARD":
        return None
    for j in range(max(0, k - 40), k):
        i = instructions[j]
        if i.opname.startswith("POP_JUMP") and "IF_" in i.opname and (
                j == k - 1 or i.argval == here.offset and instructions[k - 1].opname == "JUMP_FORWARD"):
            first = _operand_start(instructions, j)
            return None if first is None else (first, j)
    return None


def _chosen_literals(instructions: list[dis.Instruction], at: int | None) -> tuple[tuple[int, int], ...]:
    """The spans of the literals of a conditional expression whose value is the operand right
    before the op at ``at`` (``l * (2 if first else 1)``: the else arm, then the one that jumps
    to the op), each with a test ``_condition`` reads; () where it is none."""
    if at is None or at < 2 or instructions[at - 1].opname != "LOAD_CONST" \
            or instructions[at - 2].opname != "JUMP_FORWARD" or _condition(instructions, at - 1) is None:
        return ()
    if instructions[at - 2].argval != instructions[at].offset:
        return ()  # (``if c: k = 2`` / ``else: k = 1``: a statement's block, its jump past the else block)
    if at >= 3 and instructions[at - 3].opname == "LOAD_CONST" and _condition(instructions, at - 3) is not None:
        return ((at - 1, at), (at - 3, at - 2))
    return ((at - 1, at),)


def literal_at(site: tuple[Any, int], c: Any) -> bool:
    """Whether the number ``c`` is an operand of the op at ``site`` (code, offset) written there as a
    literal (``per[0] * 2``, ``l.mul(2)``): the same number on any call, no count of the images."""
    if sys.version_info[:2] not in _COUNT_CHECKED:
        return False
    instructions, _ = _located_frame(*site)
    return any(end - start == 1 and instructions[start].opname == "LOAD_CONST"
               and type(v := instructions[start].argval) is type(c) and v == c for start, end in _operands(*site))


def chosen_literal(site: tuple[Any, int], c: Any) -> bool:
    """Whether the number ``c`` at the op at ``site`` (code, offset) is a literal of a conditional
    expression written right before it (``2 if first else 1``), or by such an expression stored in
    a local operand every other store of which is a literal (``k = 2 if first else 1``): state
    picked it, not a count the code computed. (Literals stored by an ``if`` statement alone are
    not read: its test may be the image's own field.)"""
    if sys.version_info[:2] not in _COUNT_CHECKED:
        return False
    code = site[0]
    instructions, at = _located_frame(*site)
    if any(type(v := instructions[start].argval) is type(c) and v == c for start, _ in _chosen_literals(instructions, at)):
        return True
    for start, end in _operands(*site):
        if end - start != 1 or instructions[start].opname != "LOAD_FAST":
            continue
        name = instructions[start].argval
        literals = []
        for k, i in enumerate(instructions):
            if i.opname == "STORE_FAST" and i.argval == name or i.opname == "DELETE_FAST" and i.argval == name:
                chosen = _chosen_literals(instructions, k) if i.opname == "STORE_FAST" else ()
                if chosen:
                    literals += [instructions[j].argval for j, _ in chosen]
                elif not (k and instructions[k - 1].opname == "LOAD_CONST" and i.opname == "STORE_FAST"):
                    literals = []
                    break
        if name not in code.co_varnames[:code.co_argcount + code.co_kwonlyargcount] \
                and any(type(v) is type(c) and v == c for v in literals):
            return True
    return False


_FACTORIES = frozenset({"tensor", "as_tensor", "asarray", "from_numpy", "full", "full_like", "new_tensor", "new_full",
                        "scalar_tensor"})


# what a key or a view's arguments are made of where they are constants of the code (``[:, None]``, ``view(-1, 1)``)
_CONSTANT_KEYS = frozenset({"LOAD_CONST", "BUILD_SLICE", "BUILD_TUPLE", "UNARY_NEGATIVE"})
# methods giving a view or a copy of a tensor's values, in another shape or type
_VIEWS = frozenset({"unsqueeze", "view", "reshape", "expand", "flatten", "float", "double", "half", "t", "squeeze",
                    "contiguous", "clone", "detach"})


def _unviewed(instructions: list[dis.Instruction], start: int, end: int) -> int:
    """The end of the operand ``start:end`` less the views of it taken by constants of the code
    (``w[:, None]``, ``torch.tensor([..]).unsqueeze(1)``): the values are the viewed tensor's."""
    while end - start > 1:
        last = instructions[end - 1]
        if last.opname == "BINARY_SUBSCR":
            key = _operand_start(instructions, end - 1)
            if key is None or key <= start or any(i.opname not in _CONSTANT_KEYS for i in instructions[key : end - 1]):
                return end
            end = key
            continue
        method = end - 2
        while method > start and instructions[method].opname in _CONSTANT_KEYS | {"PRECALL"}:
            method -= 1
        if last.opname != "CALL" or method <= start or instructions[method].opname != "LOAD_METHOD" \
                or instructions[method].argval not in _VIEWS:
            return end
        end = method
    return end


def _made_tensor(instructions: list[dis.Instruction], start: int, end: int) -> bool:
    """Whether the operand ``start:end`` is a call of a torch function or tensor method making a
    tensor of a number (``torch.tensor(max(...) + 1)``, ``torch.full_like(e, s)``): where the
    operand ``c`` is a tensor, the one it may be (the other is the loss)."""
    last = instructions[end - 1]
    if last.opname != "CALL":
        return False
    callee = next((i for i in reversed(instructions[start : end - 1]) if i.opname in ("LOAD_ATTR", "LOAD_METHOD")
                   and i.argval in _FACTORIES), None)
    return callee is not None and _operand_start(instructions, end) == start


def _image_list(v: Any, targets: Sequence[Any], ids: set[int]) -> bool:
    """Whether ``v`` is the list of per-image targets, or a list or tuple of two or more of its
    items (``targets[1:]``, a filtered copy). ``ids``: the items' ids, filled at the first ask."""
    if v is targets:
        return True
    if type(v) not in (list, tuple) or len(v) < 2:
        return False
    if not ids:
        ids.update(map(id, targets))
    return ids.issuperset(map(id, v))


def _number_field(targets: Sequence[Any], path: tuple[Any, ...]) -> bool:
    """Whether ``path`` reads a Python number (a bool counts: ``max(flags) + 1.5``) on every item
    of ``targets`` that has it, and on one at least (``t.get(k, 1.0)``: a field one image has still
    makes the batch's number differ from a group's)."""
    found = 0
    for t in targets:
        v = t
        for how, key in path:
            if how == "attr":
                v = _attribute(v, key)
            elif isinstance(v, Mapping):
                v = v.get(key, _NOT_READ)
            else:
                v = _NOT_READ
            if v is _NOT_READ:
                break
        if v is _NOT_READ:
            continue
        if type(v) not in (int, float, bool):
            return False
        found += 1
    return found >= 1


def _of_torch(v: Any) -> bool:
    """Whether ``v`` is torch or a module or function of it (``torch``, ``F``, ``torch.stack``)."""
    name = v.__name__ if isinstance(v, types.ModuleType) else getattr(v, "__module__", None)
    return isinstance(name, str) and name.partition(".")[0] == "torch"


def _attribute(v: Any, name: str) -> Any:
    """``v.name`` where lookup finds it without running code (``_bytecode._plain_attribute``): a
    property of the user's read here would run a second time on the decorated call (red45: a
    property counting its reads changed the training loss)."""
    found = _bytecode._plain_attribute(v, name)
    return _NOT_READ if found is _bytecode._UNPROVEN else found


# What follows reads the code alone (its instructions and local names), kept per code object.

@_per_code(256)
def _loop_items(code: types.CodeType, lists: frozenset[str]) -> frozenset[str]:
    """The names a ``for`` loop of ``code`` over one of the ``lists`` stores its items in (``for t
    in targets``, ``for b, t in enumerate(targets)``: every name unpacked)."""
    ins = _instructions(code)
    names: set[str] = set()
    for head, i in enumerate(ins):
        if i.opname != "FOR_ITER" or head == 0:
            continue
        if ins[head - 1].opname == "GET_ITER":
            start, end = _operand_start(ins, head - 1), head - 1
        else:  # a comprehension's loop over its iterator ``.0``
            start, end = head - 1, head
        if start is None or not _over_list(code, lists, start, end):
            continue
        k = head + 1
        while k < len(ins) and ins[k].opname in ("STORE_FAST", "STORE_DEREF", "UNPACK_SEQUENCE"):
            if ins[k].opname != "UNPACK_SEQUENCE":
                names.add(ins[k].argval)
            k += 1
    return frozenset(names)


@_per_code(256)
def _over_list(code: types.CodeType, lists: frozenset[str], start: int, end: int,
               seen: frozenset[str] = frozenset()) -> bool:
    """Whether the span of ``code`` loads one of the ``lists`` other than to pick one item by a
    literal position (``targets[0]``), itself or through a local a statement made from it
    (``pairs = list(zip(targets, xs))``)."""
    ins = _instructions(code)
    for k in range(start, end):
        i = ins[k]
        if i.opname in _LOADS and i.argval in lists:
            after = ins[k + 1 : k + 3]
            if not (len(after) == 2 and after[0].opname == "LOAD_CONST" and type(after[0].argval) is int
                    and after[1].opname == "BINARY_SUBSCR"):
                return True
        elif i.opname == "LOAD_FAST" and i.argval not in seen and i.argval != ".0":
            for j in _stores(ins, i.argval):
                first = _assignment_start(ins, j)
                if first is not None and first < j and ins[j - 1].opname not in ("FOR_ITER", "UNPACK_SEQUENCE") \
                        and _over_list(code, lists, first, j, seen | {i.argval}):
                    return True
    return False


@_per_code(256)
def _local_spans(code: types.CodeType, name: str) -> tuple[tuple[int, int], ...]:
    """The spans of ``code`` the local ``name`` is made of: each statement storing it (for an item
    of a loop, what the loop runs over: what the list was made of), then the arguments of each
    call filling it (``xs.append(...)``, to the end of the statement)."""
    ins = _instructions(code)
    spans = []
    for j in _stores(ins, name):
        k = j - 1
        while k >= 0 and ins[k].opname in ("STORE_FAST", "UNPACK_SEQUENCE"):
            k -= 1
        if k >= 1 and ins[k].opname == "FOR_ITER" and ins[k - 1].opname == "GET_ITER":
            first = _operand_start(ins, k - 1)
            if first is not None:
                spans.append((first, k - 1))
            continue
        first = _assignment_start(ins, j)
        if first is not None and first < j:
            spans.append((first, j))
    for k in range(len(ins) - 1):
        if ins[k].opname in _LOADS and ins[k].argval == name and ins[k + 1].opname == "LOAD_METHOD" \
                and ins[k + 1].argval in _FILLS:
            line = _line(ins[k])
            end = k + 2
            while end < len(ins) and _line(ins[end]) == line and ins[end].opname != "POP_TOP":
                end += 1
            spans.append((k + 2, end))
    return tuple(spans)


@_per_code(256)
def _global_stores(code: types.CodeType, name: str) -> tuple[tuple[int, int], ...]:
    """The spans of the statements of ``code`` storing the global ``name`` or an item of it
    (``_LIST[0] += t["scale"]``): each from its line's first instruction to the store."""
    ins = _instructions(code)
    spans = []
    for j, i in enumerate(ins):
        if i.opname == "STORE_GLOBAL" and i.argval == name or i.opname == "STORE_SUBSCR" and any(
                ins[g].opname == "LOAD_GLOBAL" and ins[g].argval == name for g in range(max(0, j - 12), j)):
            line = _line(i)
            first = j
            while first > 0 and _line(ins[first - 1]) == line and ins[first - 1].opname not in (
                    "POP_TOP", "STORE_FAST", "STORE_SUBSCR", "STORE_GLOBAL", "STORE_ATTR"):
                first -= 1
            spans.append((first, j))
    return tuple(spans)


def _unwrapped(value: Any, bound: dict[str, Any]) -> Any:
    """The Python function a call of ``value`` runs and how many leading arguments it is given
    before the call's own (a bound method's ``self``, a partial's arguments, whose named values
    go to ``bound``); None for a builtin, a class, torch's, a value not known; ``_UNREAD`` for a
    callable the reader cannot see into."""
    shift = 0
    for _ in range(4):
        if isinstance(value, types.FunctionType):
            return value, shift
        if isinstance(value, functools.partial):
            code = getattr(value.func, "__code__", None)
            if isinstance(value.func, types.FunctionType) and isinstance(code, types.CodeType):
                bound.update(zip(code.co_varnames[shift : shift + len(value.args)], value.args))
            bound.update(value.keywords)
            shift += len(value.args)
            value = value.func
        elif isinstance(value, types.MethodType):
            shift += 1
            value = value.__func__
        elif value is _NOT_READ:
            return None  # (a helper's parameter: its value is not held when its code is read)
        elif isinstance(value, (type, types.BuiltinFunctionType, types.BuiltinMethodType)) or _of_torch(value) \
                or type(value).__module__.partition(".")[0] in _NOT_FOLLOWED + ("operator", "_operator"):
            return None  # (an ``itemgetter`` is ``_mapped``'s, a numpy ufunc computes no field of its own)
        elif callable(value) and isinstance(call := next((vars(k)["__call__"] for k in type(value).__mro__
                                                          if "__call__" in vars(k)), None), types.FunctionType):
            shift += 1  # (an ``nn.Module``'s is torch's: not followed)
            value = call
        else:
            return _UNREAD if callable(value) else None
    return None


@_per_code(256)
def _attribute_stores(code: types.CodeType, name: str, attr: str) -> tuple[tuple[int, int], ...]:
    """The value spans of the statements of ``code`` storing ``name.attr`` (``self.s = max(...) + 1``)."""
    ins = _instructions(code)
    spans = []
    for j in range(1, len(ins)):
        if ins[j].opname == "STORE_ATTR" and ins[j].argval == attr and ins[j - 1].opname in _LOADS \
                and ins[j - 1].argval == name:
            first = _operand_start(ins, j - 1)
            if first is not None:
                spans.append((first, j - 1))
    return tuple(spans)


@_per_code(256)
def _call_layout(code: types.CodeType, start: int, at: int, lists: frozenset[str], items: frozenset[str]
                 ) -> tuple[int, tuple[str, ...], tuple[tuple[int, int], ...], tuple[int, ...], tuple[int, ...]] | None:
    """Of the CALL at ``at`` in a span of ``code`` from ``start``: where its callee's span ends,
    its keyword names, its arguments' spans in order, and which of them are one load of one of the
    ``lists`` and of the ``items``; None where an argument starts before ``start``."""
    ins = _instructions(code)
    end = at
    while end > start and ins[end - 1].opname == "PRECALL":
        end -= 1
    keywords: tuple[str, ...] = ()
    if end > start and ins[end - 1].opname == "KW_NAMES":
        end -= 1
        keywords = tuple(code.co_consts[ins[end].arg or 0])
    spans = []
    for _ in range(ins[at].arg or 0):
        first = _operand_start(ins, end)
        if first is None or first < start:
            return None
        spans.append((first, end))
        end = first
    spans.reverse()
    given = tuple(n for n, (a, b) in enumerate(spans) if b - a == 1 and ins[a].opname in _LOADS and ins[a].argval in lists)
    held = tuple(n for n, (a, b) in enumerate(spans) if b - a == 1 and ins[a].opname in _LOADS and ins[a].argval in items)
    return end, keywords, tuple(spans), given, held


class _Probe:
    """What an ``operator.itemgetter`` or ``attrgetter`` reads of an item: each key path it takes."""

    def __init__(self, path: tuple[Any, ...], found: set[tuple[Any, ...]]) -> None:
        self._path, self._found = path, found

    def _step(self, how: str, key: Any) -> _Probe:
        path = (*self._path, (how, key))
        self._found.add(path)
        return _Probe(path, self._found)

    def __getitem__(self, key: Any) -> _Probe:
        return self._step("item", key)

    def __getattr__(self, name: str) -> _Probe:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._step("attr", name)


def _probed(getter: Any) -> set[tuple[Any, ...]]:
    """The field paths an ``operator.itemgetter`` / ``attrgetter`` reads of its item."""
    found: set[tuple[Any, ...]] = set()
    getter(_Probe((), found))
    return found


class _Reader:
    """The field reads of the list's items one code object's spans are computed from."""

    def __init__(self, code: types.CodeType, instructions: list[dis.Instruction], lists: frozenset[str],
                 held: Mapping[str, Any], globals_: Mapping[str, Any], depth: int = 0,
                 items: frozenset[str] = frozenset()) -> None:
        self.code = code
        self.ins = instructions
        self.lists = lists
        self.held = held
        self.globals = globals_
        self.depth = depth
        self.items = _loop_items(code, lists) | items

    def span(self, start: int, end: int, seen: frozenset[str]) -> set[tuple[Any, ...]]:
        """The field paths of items the span reads, itself, through the locals it loads (what
        stored or filled them) and through the comprehensions over the lists it runs."""
        ins = self.ins
        found: set[tuple[Any, ...]] = set()
        for k in range(start, end):
            i = ins[k]
            op, arg = i.opname, i.argval  # (tuple fields: no specialised load, read once each)
            if op in _LOADS and arg in self.items:
                path = self._path(k)
                if path:
                    found.add(path)
            elif op in _LOADS and arg in self.lists:
                used = _consumer(ins, k)  # ``targets[b]``: an item picked by a computed position
                if used is not None and ins[used[0]].opname == "BINARY_SUBSCR" and used[1] == 0 and not (
                        used[0] == k + 2 and ins[k + 1].opname == "LOAD_CONST"):
                    path = self._path(used[0])
                    if path:
                        found.add(path)
                elif used is not None and used[0] == k + 2 and ins[k + 1].opname == "LOAD_CONST" \
                        and not self._read(used[0])[0]:
                    # ``{"first": t[0]}``, ``return t[0]``: an item picked by position (``_lengths._picked``
                    # reads only a field read right there) goes where its fields are not read: any of them
                    found.add(_UNKNOWN)
            elif op in _LOADS and arg not in seen and arg not in self.lists:
                found |= self._local(arg, seen | {arg})
                if k + 1 < end and ins[k + 1].opname == "LOAD_ATTR":
                    found |= self._attribute(arg, ins[k + 1].argval, seen | {arg})
            elif op == "LOAD_CONST" and isinstance(arg, types.CodeType) and arg.co_name in _COMPREHENSIONS:
                g = next((g for g in range(k + 1, len(ins)) if ins[g].opname == "GET_ITER"), None)
                first = _operand_start(ins, g) if g is not None else None
                if g is not None and first is not None and first > k and _over_list(self.code, self.lists, first, g):
                    found |= _Reader(arg, _instructions(arg), frozenset({".0"}), self.held,
                                     self.globals, self.depth).span(0, len(_instructions(arg)), frozenset())
            elif op == "CALL" and self.depth < _DEPTH:
                found |= self._helper(start, k)
            elif op == "LOAD_GLOBAL" and not (i.arg or 0) & 1 and "global " + arg not in seen:
                value = self.globals.get(arg, _NOT_READ)
                if type(value) in (dict, list, float, int):
                    found |= self._global(arg, value, seen | {"global " + arg})
        return found

    def _helper(self, start: int, at: int) -> set[tuple[Any, ...]]:
        """What the function the CALL at ``at`` calls returns, read from its code, where one of the
        lists is a positional argument (``_largest(targets) + 1``): a global function or a method
        of a local (``self._largest(targets)``) the frame holds now."""
        ins = self.ins
        layout = _call_layout(self.code, start, at, self.lists, self.items)
        if layout is None:
            return set()
        end, keywords, spans, given, items = layout
        if not spans and end - 2 >= start and ins[end - 1].opname in _LOADS and ins[end - 2].opname == "PUSH_NULL":
            return self._closure(self.held.get(ins[end - 1].argval))
        if not given and not items or end - 1 < start:
            return set()
        positional = len(spans) - len(keywords)
        callee = ins[end - 1]
        found: tuple[types.FunctionType, int] | None = None
        if callee.opname == "LOAD_GLOBAL" and callee.argval == "map" and self.globals.get("map", map) is map:
            return self._mapped(spans[0]) if given and given[0] > 0 else set()
        head = end - 1
        while head > start and ins[head].opname in ("LOAD_ATTR", "LOAD_METHOD"):
            head -= 1
        if self._global_value(head, end) is functools.reduce:  # ``reduce(lambda a, t: a + t["s"], targets, 0.0)``
            return self._mapped(spans[0], 1) if given and given[0] == 1 else set()
        bound: dict[str, Any] = {}
        found = self._called(start, end, bound)
        if found is _UNREAD:
            return {_UNKNOWN}  # given the list, computing what the reader cannot read: any of its fields
        if found is None and items and len(spans) == 1 and callee.opname in _LOADS:
            getter = self.held.get(callee.argval)  # ``get = itemgetter("scale")``, then ``get(t)``
            return _probed(getter) if type(getter) in (operator.itemgetter, operator.attrgetter) else set()
        if found is None:
            return set()
        fn, shift = found
        code = fn.__code__
        module = str(fn.__globals__.get("__name__", "")).partition(".")[0]
        if module in _NOT_FOLLOWED:
            return set()
        if code.co_flags & 0x0C or shift + positional > code.co_argcount:
            return {_UNKNOWN}  # (0x0C: ``*args``, ``**kwargs``)
        def names(of: tuple[int, ...]) -> frozenset[str]:
            return frozenset(code.co_varnames[shift + n] if n < positional else keywords[n - positional] for n in of)

        return _Reader(code, _instructions(code), names(given), bound, fn.__globals__, self.depth + 1, names(items)).returned()

    def _global(self, name: str, value: Any, seen: frozenset[str]) -> set[tuple[Any, ...]]:
        """What the statements storing the global ``name`` (``global s; s = ...``) or an item of the
        mutable container it holds (``_LIST[0] += t["scale"]``) read: in this code, and in the
        functions it calls given one of the lists (``_stash(targets)`` filling ``_STASH["s"]``; any
        of the list's fields where such a callee cannot be read; rt25: a number of the targets' fields
        kept in module state was a constant)."""
        found: set[tuple[Any, ...]] = set()
        for first, end in _global_stores(self.code, name):
            found |= self.span(first, end, seen)
        ins = self.ins
        for at, i in enumerate(ins):
            if i.opname != "CALL" or self.depth >= _DEPTH or at >= len(ins):
                continue
            callee = self._callee(at)
            if callee is _UNREAD:
                found.add(_UNKNOWN)
            elif callee is not None:
                fn, lists, items, bound = callee
                if fn.__globals__.get(name, _NOT_READ) is value:
                    sub = _Reader(fn.__code__, _instructions(fn.__code__), lists, bound, fn.__globals__, self.depth + 1, items)
                    found |= sub._global(name, value, seen)
        return found

    def _callee(self, at: int) -> Any:
        """The function the CALL at ``at`` calls where one of the lists or items is a positional
        argument, with the names its code gives them and the values a partial binds; None where no
        list is given or the callee is no Python function (a builtin, torch's); ``_UNREAD`` where it
        is one the reader cannot read."""
        layout = _call_layout(self.code, 0, at, self.lists, self.items)
        if layout is None:
            return None
        end, _, spans, lists, items = layout
        if not lists and not items or end < 1:
            return None
        bound: dict[str, Any] = {}
        found = self._called(0, end, bound)
        if found is None or found is _UNREAD:
            return found
        fn, shift = found
        code = fn.__code__
        if str(fn.__globals__.get("__name__", "")).partition(".")[0] in _NOT_FOLLOWED:
            return None
        if code.co_flags & 0x0C or shift + len(spans) > code.co_argcount:
            return _UNREAD
        return (fn, frozenset(code.co_varnames[shift + n] for n in lists),
                frozenset(code.co_varnames[shift + n] for n in items), bound)

    def _called(self, start: int, end: int, bound: dict[str, Any]) -> Any:
        """``_unwrapped`` of the callee the code loads right before ``end`` (its arguments' start),
        not before ``start``: a global, a method of a local, or what the code loads after a NULL
        (``f(targets)``, ``self.fns["s"](targets)``)."""
        ins = self.ins
        callee = ins[end - 1]
        if callee.opname == "LOAD_GLOBAL" and (callee.arg or 0) & 1:
            return _unwrapped(self.globals.get(callee.argval, getattr(builtins, callee.argval, _NOT_READ)), bound)
        if callee.opname == "LOAD_METHOD" and end - 2 >= start and ins[end - 2].opname in _LOADS:
            owner = self.held.get(ins[end - 2].argval, _NOT_READ)
            return _method_of(owner, callee.argval) if owner is not _NOT_READ else None
        first = _operand_start(ins, end)
        if first is None or first < start + 1 or ins[first - 1].opname != "PUSH_NULL":
            return None
        return _unwrapped(self.evaluated(first, end), bound)

    def _closure(self, fn: Any) -> set[tuple[Any, ...]]:
        """What a function the code defines and calls without arguments returns or yields, where it
        reads one of the lists as a free variable (``def scales(): for t in targets: yield
        t["scale"]``, then ``sum(scales())``; rt25: was not followed)."""
        if not isinstance(fn, types.FunctionType) or fn.__code__.co_flags & 0x0C:
            return set()
        free = frozenset(fn.__code__.co_freevars) & self.lists
        if not free:
            return set()
        code = fn.__code__
        return _Reader(code, _instructions(code), free, {}, fn.__globals__, self.depth + 1).returned()

    def _local(self, name: str, seen: frozenset[str], held_tensor: bool = False) -> set[tuple[Any, ...]]:
        """What the statements storing (or filling: ``xs.append(...)``) the local ``name`` read;
        nothing for a local that holds a tensor now (what made it is the capture's)."""
        found: set[tuple[Any, ...]] = set()
        if not held_tensor and isinstance(self.held.get(name), Tensor):
            return found
        for first, end in _local_spans(self.code, name):
            found |= self.span(first, end, seen)
        return found

    def _attribute(self, name: str, attr: str, seen: frozenset[str]) -> set[tuple[Any, ...]]:
        """What the statements of this code storing ``name.attr`` (``self.s = max(...) + 1``) read."""
        found: set[tuple[Any, ...]] = set()
        for first, end in _attribute_stores(self.code, name, attr):
            found |= self.span(first, end, seen)
        return found

    def _path(self, k: int) -> tuple[Any, ...]:
        """The field path read from the item the load at ``k`` pushes: keys of subscripts,
        ``.get`` calls and attributes, in order, each key a literal or a value the frame or the
        module holds now (``t[SCALE_KEY]``, ``t[self.key]``); () where it reads none, or where what
        it reads is given to torch (``torch.arange(t["n"])``: a tensor the capture follows)."""
        path, p = self._read(k)
        used = _consumer(self.ins, p) if path else None
        if used is not None and self.ins[used[0]].opname == "CALL":
            start = _operand_start(self.ins, used[0] + 1)
            at = _callee_at(self.ins, start, used[0] + 1) if start is not None else None
            if start is None or at is None or self._torch_callee(start, at):
                return ()
        return path

    def _torch_callee(self, start: int, at: int) -> bool:
        """Whether the callee loaded at ``at`` (its call's span starting at ``start``) is torch's
        function or a tensor's method."""
        callee = self.ins[at]
        if callee.opname in ("LOAD_METHOD", "LOAD_ATTR"):
            owner = self.evaluated(start, at)
            first = self.ins[start]
            if owner is _NOT_READ and at == start + 1 and first.opname == "LOAD_GLOBAL":
                # ``statistics.mean(...)``: a module's function loaded with a NULL (rt25: read as a tensor's method)
                owner = self.globals.get(first.argval, getattr(builtins, first.argval, _NOT_READ))
            return owner is _NOT_READ or isinstance(owner, Tensor) or _of_torch(owner)
        return callee.opname == "LOAD_GLOBAL" and _of_torch(self.globals.get(callee.argval))

    def _read(self, k: int) -> tuple[tuple[Any, ...], int]:
        """``_path`` of the load at ``k``, and the index of the instruction pushing what it reads."""
        ins = self.ins
        path: list[tuple[str, Any]] = []
        p = k
        while p + 1 < len(ins):
            nxt = ins[p + 1]
            if nxt.opname == "LOAD_ATTR":
                path.append(("attr", nxt.argval))
                p += 1
                continue
            if nxt.opname == "LOAD_METHOD" and nxt.argval == "get" and p + 2 < len(ins):
                key = self._key(p + 2, p + 3)
                call = next((c for c in range(p + 3, min(p + 7, len(ins))) if ins[c].opname == "CALL"), None)
                if key is _NOT_READ or call is None:
                    break
                path.append(("item", key))
                p = call
                continue
            used = _consumer(ins, p)
            if used is None or ins[used[0]].opname != "BINARY_SUBSCR" or used[1] != 0:
                break
            key = self._key(p + 1, used[0])
            if key is _NOT_READ:
                break
            path.append(("item", key))
            p = used[0]
        return tuple(path), p

    def _mapped(self, span: tuple[int, int], item: int = 0) -> set[tuple[Any, ...]]:
        """What the function ``map`` applies to the items of a list reads of its argument ``item``,
        the item (``map(lambda t: t["scale"], targets)``, a global function or a local one, an
        ``operator.itemgetter`` / ``attrgetter``); ``functools.reduce``'s function reads its second."""
        ins = self.ins
        first, end = span
        fn: Any = None
        if ins[end - 1].opname == "MAKE_FUNCTION" and ins[end - 2].opname == "LOAD_CONST":
            fn = ins[end - 2].argval
        elif end - first == 1 and ins[first].opname in _LOADS + ("LOAD_GLOBAL",):
            fn = (self.globals if ins[first].opname == "LOAD_GLOBAL" else self.held).get(ins[first].argval)
        elif ins[end - 1].opname == "CALL":  # ``operator.itemgetter("scale")`` written at the call
            at = _callee_at(ins, first, end)
            if at is not None and self._global_value(first, at + 1) in (operator.itemgetter, operator.attrgetter):
                keys = [self._key(k, k + 1) for k in range(at + 1, end - 2)]
                if keys and end - 3 - at == ins[end - 1].arg and _NOT_READ not in keys and ins[end - 2].opname == "PRECALL":
                    try:
                        fn = self._global_value(first, at + 1)(*keys)
                    except TypeError:  # ``attrgetter(0)``: raises at the call too
                        return set()
        if type(fn) in (operator.itemgetter, operator.attrgetter):
            return _probed(fn) if item == 0 else set()
        code = fn.__code__ if isinstance(fn, types.FunctionType) else fn
        if not isinstance(code, types.CodeType) or code.co_argcount != item + 1 or code.co_flags & 0x0C:
            return set()
        globals_ = fn.__globals__ if isinstance(fn, types.FunctionType) else self.globals
        reader = _Reader(code, _instructions(code), frozenset(), {}, globals_, self.depth + 1,
                         items=frozenset(code.co_varnames[item : item + 1]))
        return reader.returned()

    def _global_value(self, start: int, end: int) -> Any:
        """The value of a span that loads a global (with or without a NULL for a call) and
        attributes of it (``functools.reduce``, ``operator.itemgetter``); ``_NOT_READ`` otherwise."""
        ins = self.ins
        if end <= start or ins[start].opname != "LOAD_GLOBAL":
            return _NOT_READ
        value = self.globals.get(ins[start].argval, getattr(builtins, ins[start].argval, _NOT_READ))
        for i in ins[start + 1 : end]:
            if i.opname not in ("LOAD_ATTR", "LOAD_METHOD") or value is _NOT_READ:
                return _NOT_READ
            value = _attribute(value, i.argval)
        return value

    def returned(self) -> set[tuple[Any, ...]]:
        """The field paths what the code returns reads, but for what is a tensor's expression
        (``tensor_shaped``; each item of a returned tuple or list on its own)."""
        ins = self.ins
        paths: set[tuple[Any, ...]] = set()
        for r, i in enumerate(ins):
            first = _operand_start(ins, r, target_first=True) if i.opname in ("RETURN_VALUE", "YIELD_VALUE") else None
            if first is None:
                continue
            spans = [(first, r)]
            if ins[r - 1].opname in ("BUILD_TUPLE", "BUILD_LIST"):
                spans, end = [], r - 1
                for _ in range(ins[r - 1].arg or 0):
                    start = _operand_start(ins, end, target_first=True)
                    if start is None or start < first:
                        spans = [(first, r)]
                        break
                    spans.append((start, end))
                    end = start
            for start, end in spans:
                if not self.tensor_shaped(start, end):
                    paths |= self.span(start, end, frozenset())
        return paths

    def tensor_shaped(self, start: int, end: int) -> bool:
        """Whether the span is, by its code and the values it names now, a tensor: a local holding
        one, a torch function's or a tensor's method's result (a method of an expression other
        than ``.item()``: a loss's), or arithmetic with such an operand."""
        ins = self.ins
        last = ins[end - 1]
        if last.opname == "BINARY_OP":
            right = _operand_start(ins, end - 1)
            return right is not None and right > start and (self.tensor_shaped(start, right)
                                                             or self.tensor_shaped(right, end - 1))
        if last.opname in ("UNARY_NEGATIVE", "UNARY_POSITIVE"):
            return self.tensor_shaped(start, end - 1)
        value = self.evaluated(start, end)
        if value is not _NOT_READ:
            return isinstance(value, Tensor)
        at = _callee_at(ins, start, end) if last.opname == "CALL" else None
        if at is None:
            return False
        return ins[at].argval not in ("item", "tolist", "get") and self._torch_callee(start, at)

    def _key(self, start: int, end: int) -> Any:
        """The str or int a key span evaluates to (``evaluated``); ``_NOT_READ`` for anything else."""
        value = self.evaluated(start, end)
        return value if type(value) in (str, int) else _NOT_READ

    def evaluated(self, start: int, end: int) -> Any:
        """The value of a span that is a literal, or a global, a local or a closure's value (and
        attributes or literal items of it) as they are now; ``_NOT_READ`` for anything else."""
        ins = self.ins
        if end <= start:
            return _NOT_READ
        first = ins[start]
        if first.opname == "LOAD_CONST":
            value = first.argval
        elif first.opname == "LOAD_GLOBAL" and not (first.arg or 0) & 1:
            value = self.globals.get(first.argval, getattr(builtins, first.argval, _NOT_READ))
        elif first.opname in _LOADS:
            value = self.held.get(first.argval, _NOT_READ)
        else:
            return _NOT_READ
        k = start + 1
        while k < end and value is not _NOT_READ:
            i = ins[k]
            if i.opname == "LOAD_ATTR":
                value = _attribute(value, i.argval)
            elif i.opname == "LOAD_CONST" and k + 1 < end and ins[k + 1].opname == "BINARY_SUBSCR" \
                    and type(value) in (list, tuple, dict) and type(i.argval) in (str, int):
                try:  # ``t[KEYS[0]]``: a key of a container the module holds
                    value = value[i.argval]
                except (LookupError, TypeError):
                    value = _NOT_READ
                k += 1
            else:
                return _NOT_READ
            k += 1
        return value


_SEVERAL_OPS = {"subscript": "BINARY_SUBSCR", "arithmetic": "BINARY_OP", "call": "CALL", "arguments": "CALL"}


def several_images_number(targets: Sequence[Any], kind: str) -> bool:
    """``several_or_own`` without "own"."""
    return several_or_own(targets, kind, False) is True


def several_or_own(targets: Sequence[Any], kind: str, or_own: bool = True) -> bool | str:
    """Whether the index of the subscript (``kind`` "subscript"), the operand that is no tensor of
    the arithmetic ("arithmetic"), the first argument of the call ("call": ``torch.arange(max_gt, ...)``)
    or any of its arguments ("arguments": ``torch.arange(0, max_gt)``, ``torch.full((max_gt,), 1)``)
    the caller's code is executing is computed from sizes or fields of several items of
    ``targets`` (``2 * max(len(t["labels"]) for t in targets)``: DINO's denoising layout; a sum
    over a loop, ``n += len(t["labels"])``; a helper given the list): on a group alone, from the
    group's. Not a read of one item, the loop's own (``x[b, : len(t["labels"])]``), nor a literal,
    a global, an attribute or a shape of a tensor (``half = Q // 2``). With ``or_own``, "own" where
    it is not but is computed from reads of the items at all (one image's own count), read with the
    same frame reading. Python 3.11."""
    if sys.version_info[:2] not in _COUNT_CHECKED:
        return False
    f = _caller()
    if f is None:
        return False
    code = f.f_code
    ins, at = _located(code, _bytecode._lasti(f))
    if at is None or ins[at].opname != _SEVERAL_OPS[kind]:
        return False
    subscript = kind == "subscript"
    if subscript:
        first = _operand_start(ins, at)
        spans = [(first, at)] if first is not None else []
    elif kind == "call":
        spans = list(_operands(code, _bytecode._lasti(f)))[-1:]  # the first argument (last first)
    elif kind == "arguments":
        spans = list(_operands(code, _bytecode._lasti(f)))
    else:
        right = _operand_start(ins, at)
        left = _operand_start(ins, right) if right is not None else None
        spans = [(left, right), (right, at)] if left is not None and right is not None else []
    inner = _reader(f, targets)
    if _several_spans(f, targets, kind, spans, inner):
        return True
    return or_own and inner is not None and _own_spans(f, targets, spans, inner) and "own"


def _own_spans(f: types.FrameType, targets: Sequence[Any], spans: list[tuple[int, int]], inner: _Several) -> bool:
    """Whether a span of the code ``f`` runs is computed from reads of the items of ``targets``
    (``inner`` its reader), one image's own count included (``several_images_number``'s "own")."""
    code = f.f_code
    plain = _Reader(code, inner.ins, inner.lists, inner.held, inner.globals)
    plain.items = frozenset()  # (a loop's item is followed to what the loop runs over)
    if any(plain.span(start, end, frozenset()) for start, end in spans):
        return True
    if code.co_name not in _COMPREHENSIONS or f.f_back is None or not any(_reads_item(code, *s) for s in spans):
        return False
    outer = _reader(f.f_back, targets)  # ``[x[:, torch.arange(n)] for n in num_gts]``: what the loop runs over
    iterable = _iterable_of(outer, code) if outer is not None else None
    return outer is not None and iterable is not None and outer.yields_own(*iterable)


def _several_spans(f: types.FrameType, targets: Sequence[Any], kind: str, spans: list[tuple[int, int]],
                   inner: _Several | None) -> bool:
    """Whether a span of the code ``f`` runs is computed from sizes or fields of several items of
    ``targets`` (``inner`` its reader; ``several_images_number``)."""
    code = f.f_code
    ins = _instructions(code)
    far: _Several | None = None
    for start, end in spans:
        if inner is None or kind == "arithmetic" and inner.tensor_shaped(start, end):
            continue
        if inner.span(start, end, frozenset()):
            return True
        frees = {i.argval for i in ins[start:end] if i.opname == "LOAD_DEREF" and i.argval in code.co_freevars}
        if frees and code.co_name in _COMPREHENSIONS and f.f_back is not None:
            far = far or _reader(f.f_back, targets)  # ``[x[b, pad + torch.arange(n)] for ...]``: ``pad`` the enclosing code's
            if far is not None and any(far._local(name, frozenset({name})) for name in frees):
                return True
        if code.co_name in _COMPREHENSIONS and f.f_back is not None and _reads_item(code, start, end):
            far = far or _reader(f.f_back, targets)  # ``sum(x[:, k].mean() for k in range(max_gt))``
            iterable = _iterable_of(far, code) if far is not None else None
            if far is not None and iterable is not None and not far.yields_own(*iterable) and far.span(*iterable, frozenset()):
                return True
    return False


@_per_code(256)
def _reads_item(code: types.CodeType, start: int, end: int) -> bool:
    """Whether the span of a comprehension's code loads a name its loop stores (an item of ``.0``)."""
    ins = _instructions(code)
    items: set[str] = set()
    for g, i in enumerate(ins):
        if i.opname == "FOR_ITER" and g + 1 < len(ins):
            unpacked = ins[g + 1].opname == "UNPACK_SEQUENCE"
            stores = ins[g + 2 : g + 2 + (ins[g + 1].arg or 0)] if unpacked else ins[g + 1 : g + 2]
            items |= {s.argval for s in stores if s.opname == "STORE_FAST"}
    return any(i.opname == "LOAD_FAST" and i.argval in items for i in ins[start:end])


def _iterable_of(reader: _Several, code: types.CodeType) -> tuple[int, int] | None:
    """The span of the enclosing code ``reader`` reads that gives the comprehension ``code`` its
    iterable; None where not found."""
    found = _comprehension_iterables(reader.code).get(id(code))
    return found[1] if found is not None and found[0] is code else None


@_per_code(256)
def _comprehension_iterables(outer: types.CodeType) -> dict[int, tuple[types.CodeType, tuple[int, int] | None]]:
    """``_iterable_of`` for each code object ``outer`` loads as a constant, by its id (code alone:
    kept per code object, ``_Several`` reads ``_instructions`` of its code)."""
    ins = _instructions(outer)
    found: dict[int, tuple[types.CodeType, tuple[int, int] | None]] = {}
    for k, i in enumerate(ins):
        code = i.argval
        if i.opname != "LOAD_CONST" or not isinstance(code, types.CodeType) or id(code) in found:
            continue  # (the first load of each)
        g = next((g for g in range(k + 1, len(ins)) if ins[g].opname == "GET_ITER"), None)
        first = _operand_start(ins, g) if g is not None else None
        found[id(code)] = (code, (first, g) if first is not None and g is not None and first > k else None)
    return found


def _reader(f: types.FrameType, targets: Sequence[Any]) -> _Several | None:
    """``_Several`` of the code ``f`` runs; None where the code is not read."""
    if not f.f_code.co_flags & 1:
        return None
    held = _bytecode._locals(f)
    ids: set[int] = set()
    lists = frozenset(n for n, v in held.items() if _image_list(v, targets, ids))
    code = f.f_code
    return _Several(code, _instructions(code), lists, held, f.f_globals)


class _Several(_Reader):
    """``_Reader`` of the code running the op, where a read of one item (the loop's over the list, or
    one picked by position) is that image's own: only what comprehensions, ``map`` and helpers read
    of the list, and sums a loop carries over its iterations, are of several images."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.items = frozenset()

    def _path(self, k: int) -> tuple[Any, ...]:
        return ()

    def _local(self, name: str, seen: frozenset[str], held_tensor: bool = False) -> set[tuple[Any, ...]]:
        if isinstance(self.held.get(name), Tensor):
            return set()
        found: set[tuple[Any, ...]] = set()
        spans = tuple(s for s in _local_spans(self.code, name) if s not in self._own_items(name))
        if name in self.code.co_cellvars:  # (a local a comprehension reads is a cell)
            spans += tuple((first, j) for j in _stores(self.ins, name, cells=True)
                           if self.ins[j].opname == "STORE_DEREF" and (first := _assignment_start(self.ins, j)) is not None)
        for first, end in spans:
            if self._host_read(end):
                continue
            carried = any(i.opname in _LOADS and i.argval == name for i in self.ins[first:end])
            reader = _Reader(self.code, self.ins, self.lists, self.held, self.globals, self.depth) if carried else self
            found |= reader.span(first, end, seen)
        return found

    def span(self, start: int, end: int, seen: frozenset[str]) -> set[tuple[Any, ...]]:
        """As ``_Reader.span``, and the locals a comprehension made in the span closes over
        (``[max_gt for t in targets]``: what it reads of them is the enclosing code's)."""
        found = super().span(start, end, seen)
        for i in self.ins[start:end]:
            if i.opname == "LOAD_CLOSURE" and i.argval not in seen and i.argval not in self.lists:
                found |= self._local(i.argval, seen | {i.argval})
        return found

    def _own_items(self, name: str) -> set[tuple[int, int]]:
        """The spans of the iterables of the loops storing ``name`` as their item that yield one
        image's value per item (``for i, num_gt in enumerate(num_gts)``, ``num_gts = [len(t["labels"])
        for t in targets]``: RT-DETR's ``torch.arange(num_gt)``, survey 20): the list of the images, or
        a list comprehension over it that reads nothing but its item, in ``enumerate`` / ``zip``. An
        item of ``range(max_gt)`` is no image's own."""
        ins = self.ins
        own: set[tuple[int, int]] = set()
        for j in _stores(ins, name):
            k = j - 1
            while k >= 0 and ins[k].opname in ("STORE_FAST", "UNPACK_SEQUENCE"):
                k -= 1
            if k < 1 or ins[k].opname != "FOR_ITER" or ins[k - 1].opname != "GET_ITER":
                continue
            first = _operand_start(ins, k - 1)
            if first is not None and self.yields_own(first, k - 1):
                own.add((first, k - 1))
        return own

    def yields_own(self, start: int, end: int) -> bool:
        """Whether the span, a loop's iterable, yields one image's value per item (``_own_items``)."""
        names = []
        for i in self.ins[start:end]:
            if i.opname == "LOAD_GLOBAL" and i.argval in ("enumerate", "zip"):
                continue
            if i.opname in _LOADS:
                names.append(i.argval)
            elif i.opname not in ("PRECALL", "CALL", "PUSH_NULL"):
                return False
        return bool(names) and all(n in self.lists or self._images_comprehension(n) for n in names)

    def _images_comprehension(self, name: str) -> bool:
        """Whether every store of the local ``name`` is a list comprehension over the list of the
        images that reads nothing but its item (and globals), without a filter or a branch, and
        nothing fills it."""
        ins = self.ins
        stores = _stores(ins, name)
        if not stores or any(ins[k].opname in _LOADS and ins[k].argval == name and ins[k + 1].opname == "LOAD_METHOD"
                             and ins[k + 1].argval in _FILLS for k in range(len(ins) - 1)):
            return False
        for j in stores:
            made = ins[j - 6 : j] if j >= 6 else []
            if [i.opname for i in made][:2] + [i.opname for i in made][3:] != ["LOAD_CONST", "MAKE_FUNCTION", "GET_ITER",
                                                                              "PRECALL", "CALL"] \
                    or made[2].opname not in _LOADS:
                return False
            code = made[0].argval
            if not isinstance(code, types.CodeType) or code.co_name != "<listcomp>" or code.co_freevars \
                    or made[2].argval not in self.lists \
                    or any(isinstance(c, types.CodeType) for c in code.co_consts) \
                    or any("JUMP" in i.opname and i.opname != "JUMP_BACKWARD" for i in _instructions(code)):
                return False  # (a filter, ``if len(t["labels"])``, puts another image's count at a position)
        return True

    def _host_read(self, end: int) -> bool:
        """Whether the value stored at ``end`` is a tensor's value read on the host (``n = ....sum().item()``):
        a number of the images' values, not of their sizes, which the rules for host reads govern."""
        last = self.ins[end - 1] if end > 0 else None
        if last is None or last.opname != "CALL":
            return False
        at = end - 2
        while at >= 0 and self.ins[at].opname in ("PRECALL", "KW_NAMES"):
            at -= 1
        return at >= 0 and self.ins[at].opname in ("LOAD_METHOD", "LOAD_ATTR") and self.ins[at].argval in ("item", "tolist")
