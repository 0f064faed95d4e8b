"""Which returned keys a decision of the body's Python code may change (``Branch.reach``).

A group that alone would decide a branch otherwise than the batch runs the other arm. A key whose
value no arm of it can change is still the batch's computation on the group's images: its
companion stays exact. Proven from the bytecode (3.11) by a taint analysis of the frame that took
the decision and of each frame up to the body's: the decision's value (or the arms of the jump
that tests it) is tainted; taint follows values through the stack, locals and the keys of dicts
the frame builds itself (each by the instruction that builds it, weak updates); a jump or loop on
a tainted value taints everything its region pushes or stores. Anything an arm could change
outside what is followed -- a store into an attribute, a global, a shared container, an in-place
operator, a call not proven free of effects, a random draw, a return or raise inside a region,
a ``try``/``except`` -- leaves every key unproven (None). In a helper frame the decision reaches
the caller only through the value it returns (or yields).
"""

from __future__ import annotations

import bisect
import builtins
import dis
import inspect
import math
import sys
import types
from typing import Any

import torch

from . import _bytecode

_TAINTED_RETURN = "<returned>"  # a helper's verdict: its returned value may change
# calls that draw random numbers (skipped on one path, they shift every later draw)
_DRAW_STARTS = ("rand", "bernoulli", "multinomial", "poisson", "gumbel", "fractional", "shuffle", "sample", "seed",
                "manual_seed")
_DRAW_NAMES = frozenset({"normal", "uniform", "exponential", "geometric", "cauchy", "log_normal", "rrelu"})
# builtins that compute from their arguments only (``next``/``iter``, ``map``, ``print`` are not here)
_PURE_BUILTINS = frozenset(getattr(builtins, n) for n in (
    "len", "float", "int", "bool", "abs", "max", "min", "sum", "range", "zip", "enumerate", "isinstance", "tuple",
    "list", "sorted", "any", "all", "round", "reversed", "str", "divmod", "pow", "type", "hasattr", "dict", "set",
    "frozenset", "slice", "complex"))
# read-only methods of a dict the frame built (their result carries its keys' taint)
_DICT_READS = frozenset({"get", "keys", "values", "items", "copy", "__getitem__", "__contains__", "__len__"})
_NONE: frozenset[int] = frozenset()
_NO_ROOTS: frozenset[tuple] = frozenset()
_PASSED = "<passed>"  # a pseudo-local: the path went through the decision
_JUMPS_IF = frozenset({"POP_JUMP_FORWARD_IF_FALSE", "POP_JUMP_FORWARD_IF_TRUE", "POP_JUMP_FORWARD_IF_NONE",
                       "POP_JUMP_FORWARD_IF_NOT_NONE", "POP_JUMP_BACKWARD_IF_FALSE", "POP_JUMP_BACKWARD_IF_TRUE",
                       "POP_JUMP_BACKWARD_IF_NONE", "POP_JUMP_BACKWARD_IF_NOT_NONE"})
_OR_POP = frozenset({"JUMP_IF_FALSE_OR_POP", "JUMP_IF_TRUE_OR_POP"})
_GOTO = frozenset({"JUMP_FORWARD", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT"})
# (pops, pushes) of instructions that only compute from their operands
_PLAIN = {"NOP": (0, 0), "RESUME": (0, 0), "PRECALL": (0, 0), "KW_NAMES": (0, 0), "COPY_FREE_VARS": (0, 0),
          "MAKE_CELL": (0, 0), "POP_TOP": (1, 0), "UNARY_POSITIVE": (1, 1), "UNARY_NEGATIVE": (1, 1),
          "UNARY_NOT": (1, 1), "UNARY_INVERT": (1, 1), "GET_ITER": (1, 1), "COMPARE_OP": (2, 1), "IS_OP": (2, 1),
          "CONTAINS_OP": (2, 1), "LOAD_CLOSURE": (0, 1),
          "LOAD_ASSERTION_ERROR": (0, 1), "LIST_TO_TUPLE": (1, 1), "RETURN_GENERATOR": (0, 1), "YIELD_VALUE": (1, 1),
          "LOAD_NAME": (0, 1)}
_INPLACE = frozenset(k for k, (name, _) in enumerate(dis._nb_ops) if name.startswith("NB_INPLACE"))  # type: ignore[attr-defined]


class _Unproven(Exception):
    """The decision may change something the analysis does not follow."""


class _Value:
    """What the analysis knows of one stack slot or local: whether it may change (``tainted``),
    the dicts the frame built it may be (``sites``), a constant, how a callee was named, and
    ``roots``: the locals (or items of them by constant keys, ``("t", "boxes")``) it was computed
    from by tensor operations, which must hold tensors when the decision is taken for a method
    called on it to be a tensor's (empty: a constant or what a torch function made; None: maybe any
    object, ``acc = Meter()``, ``parts[i]``)."""

    __slots__ = ("tainted", "sites", "const", "callee", "roots")

    def __init__(self, tainted: bool = False, sites: frozenset[int] = _NONE, const: Any = _bytecode._MISSING,
                 callee: tuple | None = None, roots: frozenset[tuple] | None = None) -> None:
        self.tainted, self.sites, self.const, self.callee, self.roots = tainted, sites, const, callee, roots

    def merged(self, other: _Value) -> _Value:
        if self is other:
            return self
        same = self.const is other.const or (type(self.const) is type(other.const) and self.const == other.const)
        return _Value(self.tainted or other.tainted, self.sites | other.sites, self.const if same else _bytecode._MISSING,
                      self.callee if self.callee == other.callee else None, _union(self.roots, other.roots))

    def but(self, tainted: bool) -> _Value:
        return _Value(tainted, self.sites, self.const, self.callee, self.roots)

    def key(self) -> tuple:
        return (self.tainted, self.sites, id(self.const), self.callee, self.roots)


def _union(*roots: frozenset[tuple] | None) -> frozenset[tuple] | None:
    return None if any(r is None for r in roots) else frozenset().union(*roots)  # type: ignore[arg-type]


_CLEAN = _Value()
_NULL = _Value(callee=("null",))
_OBJECT = ("object",)  # an attribute, a closure's cell, ``self``: maybe no tensor
_OWNERS = {"self": _Value(callee=_OBJECT), "cls": _Value(callee=_OBJECT)}  # each told by identity (``_receiver``)
_FRESH = ("fresh",)  # a tensor a torch factory just made, on the stack: no other name holds it
_TORCH_MADE = ("torch made",)  # what another torch callable returned (``torch.no_grad()``)
_RETURN_FIELDS = frozenset({"values", "indices"})  # the tensors of ``torch.return_types`` (topk, sort, max, ...)
_FRESH_EFFECTS = frozenset({"set_", "resize_", "resize_as_", "share_memory_", "record_stream", "requires_grad_"})
_FACTORIES = frozenset({"tensor", "zeros", "ones", "full", "empty", "zeros_like", "ones_like", "full_like",
                        "empty_like", "arange", "linspace", "eye", "scalar_tensor"})


class _Dict:
    __slots__ = ("keys", "rest", "escaped")

    def __init__(self) -> None:
        self.keys: dict[Any, bool] = {}
        self.rest = False
        self.escaped = False


class _Frame:
    """One taint analysis of ``code`` with the decision at instruction ``source``."""

    def __init__(self, code: types.CodeType, source: int, jump: bool, globals_: dict, body: bool,
                 depth: int | None = None) -> None:
        """``depth`` None: the frame that took (or called into) the decision at ``source``; else a
        callee checked free of effects (``_effect_free``): every instruction under the decision."""
        self.code, self.source, self.jump, self.globals, self.body = code, source, jump, globals_, body
        self.ins = _listed(code)
        self.at = {i.offset: k for k, i in enumerate(self.ins)}
        self.heap: dict[int, _Dict] = {}
        self.whole = depth is not None
        self.depth = depth or 0
        self.controlled: set[int] = set(range(len(self.ins))) if self.whole else set()
        self.returned: _Value | None = None
        self.link: types.CodeType | None = None
        self.changed = False
        self.needs: set[tuple] = set()  # the locals a method is called on that must hold tensors (``roots``)
        self.result_roots: frozenset[tuple] | None = None  # of the call ``_pure`` just judged
        # where an exception may be caught in this frame (one an arm raises would skip what follows):
        # each instruction a ``try`` or ``with`` covers, and the ``BEFORE_WITH`` opening that ``with``
        self.guarded: dict[int, int | None] = {} if self.whole else self._guarded()
        self.torch_with: set[int] = set()  # the ``BEFORE_WITH``s of a torch context manager (``no_grad()``)

    def _guarded(self) -> dict[int, int | None]:
        ins = self.ins
        entries = dis._parse_exception_table(self.code)  # type: ignore[attr-defined]
        handlers = [self.at.get(e.target) for e in entries]
        withs = [h is not None and h + 1 < len(ins) and ins[h].opname == "PUSH_EXC_INFO"
                 and ins[h + 1].opname == "WITH_EXCEPT_START" for h in handlers]
        tries = any(h is not None and ins[h].opname == "PUSH_EXC_INFO" and not w for h, w in zip(handlers, withs))
        guarded: dict[int, int | None] = {}
        for e, w in zip(entries, withs):
            first = self.at.get(e.start)
            opener = first - 1 if w and not tries and first and ins[first - 1].opname == "BEFORE_WITH" else None
            for k, i in enumerate(ins):
                if e.start <= i.offset < e.end:
                    guarded[k] = opener if guarded.get(k, opener) == opener else None
        return guarded

    # -- the whole analysis: to a fixpoint of the heap and the regions --------------------------------------------

    def run(self) -> _Value:
        if any(i.opname in ("CHECK_EXC_MATCH", "CHECK_EG_MATCH", "SEND", "SETUP_ANNOTATIONS") for i in self.ins):
            raise _Unproven
        if any(i.opname in ("LOAD_GLOBAL", "LOAD_NAME") and i.argval in _bytecode._INTROSPECTION for i in self.ins):
            raise _Unproven
        for _ in range(8):
            self.changed = False
            self.returned = None
            self._flow()
            if not self.changed:
                return self.returned if self.returned is not None else _CLEAN
        raise _Unproven

    def _flow(self) -> None:
        states: dict[int, tuple[tuple[_Value, ...], dict[str, _Value]]] = {0: ((), {})}
        work = [0]
        while work:
            k = work.pop()
            stack, local = states[k]
            for nxt, state in self._step(k, list(stack), dict(local)):
                old = states.get(nxt)
                if old is None:
                    states[nxt] = (tuple(state[0]), state[1])
                    work.append(nxt)
                    continue
                merged = _merge(old, state)
                if merged is not old:
                    states[nxt] = merged
                    work.append(nxt)
            if len(states) > 4 * len(self.ins) + 64:
                raise _Unproven

    # -- one instruction -----------------------------------------------------------------------------------------

    def _index(self, offset: Any) -> int:
        k = self.at.get(offset)
        if k is None:
            raise _Unproven
        return k

    def _step(self, k: int, stack: list[_Value], local: dict[str, _Value]) -> list[tuple[int, tuple[list, dict]]]:
        i = self.ins[k]
        op = i.opname
        under = k in self.controlled
        if k in self.guarded and self.guarded[k] not in self.torch_with and (
                under or k == self.source or any(self._content(v) for v in stack)):
            raise _Unproven  # (``try: ... except:``, ``with suppress(...)`` around the arm; a torch one swallows none)
        if k == self.source:
            if self.link is not None and op != "CALL":
                # Python called the deciding frame for this instruction (a generator's next item, a
                # property, ``__missing__``): that object may keep what it made for later reads
                raise _Unproven
            local[_PASSED] = _CLEAN
            if self.jump:
                self._region(k)
        if op in _JUMPS_IF or op in _OR_POP:
            test = self._pop(stack)
            if (self._content(test) or under) and not self.whole:
                self._region(k)
            target = self._index(i.argval)
            if op in _OR_POP:
                return [(target, ([*stack, test], local)), (k + 1, (stack, local))]
            return [(target, (stack, local)), (k + 1, (list(stack), local))]
        if op in _GOTO:
            return [(self._index(i.argval), (stack, local))]
        if op == "FOR_ITER":
            it = stack[-1]
            if self._content(it) and not self.whole:
                self._region(k)
            out = [(self._index(i.argval), (stack[:-1], local))]
            item = self._made(it.tainted or self._content(it), under, it.roots)
            return [*out, (k + 1, ([*stack, item], local))]
        if op == "RETURN_VALUE":
            value = self._pop(stack)
            if under and not self.whole:
                raise _Unproven  # a return inside a region: what follows runs on one path only
            self.returned = value if self.returned is None else self.returned.merged(value)
            return []
        if op in ("RAISE_VARARGS", "RERAISE"):
            if under and not self.whole or any(self._content(v) for v in stack[len(stack) - (i.arg or 0):]):
                raise _Unproven
            return []
        if op == "YIELD_VALUE":
            value = self._pop(stack)
            seen = _Value(self._content(value) or under)
            self.returned = seen if self.returned is None else self.returned.merged(seen)
            stack.append(_CLEAN)
        else:
            self._compute(k, i, stack, local, under)
        if k == self.source and not self.jump:
            self._taint_top(stack)
        return [(k + 1, (stack, local))]

    def _region(self, a: int) -> None:
        """Every instruction the jump at ``a`` on a tainted value decides whether to run: an ``if``'s
        blocks (with its ``else``), a conditional expression's arms, a loop's body; their jumps must
        stay inside (no ``break``/``continue``/``return`` out of it)."""
        ins = self.ins
        j = ins[a]
        if j.opname == "FOR_ITER" or j.opname in _OR_POP or j.opname.startswith("POP_JUMP_FORWARD"):
            end = self._index(j.argval)
            prev = ins[end - 1] if end - 1 > a else None
            if prev is not None and prev.opname == "JUMP_FORWARD" and j.opname != "FOR_ITER":
                end = self._index(prev.argval)
            low, high = a + 1, end
        elif j.opname.startswith("POP_JUMP_BACKWARD"):  # the test at the bottom of a loop body
            head = self._index(j.argval)
            back = next((m for m in range(a + 1, len(ins)) if ins[m].opname == "JUMP_BACKWARD"
                         and self.at.get(ins[m].argval) == head), None)
            if back is None:
                raise _Unproven
            low, high = a + 1, back + 1  # (both paths go on to the loop's head)
        else:
            raise _Unproven
        for m in range(low, high):
            i = ins[m]
            if i.opname in _JUMPS_IF | _OR_POP | _GOTO or i.opname == "FOR_ITER":
                t = self._index(i.argval)
                if not (a <= t <= high or j.opname.startswith("POP_JUMP_BACKWARD") and t == self._index(j.argval)):
                    raise _Unproven
        fresh = set(range(low, high)) - self.controlled
        if fresh:
            self.controlled |= fresh
            self.changed = True

    def _taint_top(self, stack: list[_Value]) -> None:
        """The value the decision's instruction just pushed may change."""
        if not stack:
            raise _Unproven
        top = stack[-1]
        stack[-1] = _Value(True, top.sites, callee=top.callee, roots=top.roots)

    def _pop(self, stack: list[_Value]) -> _Value:
        if not stack:
            raise _Unproven
        return stack.pop()

    def _popn(self, stack: list[_Value], n: int) -> list[_Value]:
        if len(stack) < n:
            raise _Unproven
        out = stack[len(stack) - n:]
        del stack[len(stack) - n:]
        return out

    def _content(self, v: _Value) -> bool:
        """Whether ``v`` or anything a dict it may be holds may change."""
        return v.tainted or any(self._dict(s).rest or any(self._dict(s).keys.values()) for s in v.sites)

    def _dict(self, site: int) -> _Dict:
        d = self.heap.get(site)
        if d is None:
            d = self.heap[site] = _Dict()
        return d

    def _made(self, tainted: bool, under: bool, roots: frozenset[tuple] | None = None) -> _Value:
        return _Value(tainted or under, roots=roots)

    def _escape(self, *values: _Value) -> None:
        for v in values:
            for s in v.sites:
                d = self._dict(s)
                if not d.escaped:
                    d.escaped = self.changed = True

    def _write(self, site: int, key: Any, tainted: bool) -> None:
        d = self._dict(site)
        if not tainted:
            return
        if d.escaped:
            raise _Unproven  # another holder may read it
        if key is _bytecode._MISSING:
            if not d.rest:
                d.rest = self.changed = True
        elif not d.keys.get(key, False):
            d.keys[key] = self.changed = True

    def _compute(self, k: int, i: dis.Instruction, stack: list[_Value], local: dict[str, _Value], under: bool) -> None:
        op = i.opname
        if op in _PLAIN:
            pops, pushes = _PLAIN[op]
            taken = self._popn(stack, pops)
            self._escape(*taken)
            changed = under or any(self._content(v) for v in taken)
            stack.extend([self._made(changed, under, _union(*(v.roots for v in taken)) if taken else None)] * pushes)
        elif op == "LOAD_CONST":
            stack.append(_Value(under, const=i.argval, roots=_NO_ROOTS))
        elif op in ("LOAD_DEREF", "LOAD_CLASSDEREF"):
            stack.append(_Value(under, callee=_OBJECT))
        elif op == "LOAD_FAST":
            v = local.get(i.argval, _OWNERS.get(i.argval) or _Value(roots=frozenset({(i.argval,)})))
            stack.append(v.but(True) if under and not v.tainted else v)
        elif op == "STORE_FAST":
            v = self._pop(stack)
            # before the decision, the local holds at it what it holds now: its own root, read then
            roots = v.roots if self.whole or _PASSED in local else frozenset({(i.argval,)})
            v = _Value(v.tainted or under, v.sites, v.const, None if v.callee == _FRESH else v.callee, roots)
            local[i.argval] = v  # (a fresh tensor a name holds: another may too)
        elif op == "DELETE_FAST":
            local[i.argval] = _Value(under)
        elif op == "LOAD_GLOBAL":
            if (i.arg or 0) & 1:
                stack.append(_NULL)
            stack.append(_Value(under, callee=("global", i.argval)))
        elif op in ("LOAD_ATTR", "LOAD_METHOD"):
            base = self._pop(stack)
            self._escape(base)
            named = ("attr", base.callee, i.argval) if base.callee and base.callee[0] in ("global", "attr") else None
            tainted = under or self._content(base)
            if op == "LOAD_ATTR" and under and named is None and base.roots != _NO_ROOTS:
                # read on one path only: a property or ``__getattr__`` of the user's would run there alone (red45);
                # in a function checked whole, what its parameters hold is not read: a tensor's own attributes only
                if not self.whole:
                    self.needs.add((_ATTR_NEED, i.argval, *self._receiver(base)))
                elif i.argval not in _bytecode._TENSOR_PROPERTIES:
                    raise _Unproven
            if op == "LOAD_ATTR":
                # ``e.topk(k).values``: a field of torch's return type, a tensor computed as its base was
                field = named is None and base.roots is not None and i.argval in _RETURN_FIELDS
                stack.append(_Value(tainted, callee=None if field else named or _OBJECT,
                                    roots=base.roots if field else None))
            elif named is not None:
                stack.extend([_NULL, _Value(tainted, callee=named)])
            else:
                # a method of an object's attribute (``self.meter.log(x)``): not taken for a tensor's
                kind = "object method" if base.callee == _OBJECT else "fresh method" if base.callee == _FRESH else "method"
                stack.extend([_Value(tainted, base.sites, callee=(kind, i.argval)), base])
        elif op in ("STORE_ATTR", "STORE_GLOBAL", "STORE_DEREF", "STORE_NAME", "DELETE_ATTR", "DELETE_GLOBAL",
                    "DELETE_DEREF", "DELETE_NAME"):
            n = {"STORE_ATTR": 2, "DELETE_ATTR": 1, "STORE_GLOBAL": 1, "STORE_DEREF": 1, "STORE_NAME": 1}.get(op, 0)
            taken = self._popn(stack, n)
            self._escape(*taken)
            if under or any(self._content(v) for v in taken):
                raise _Unproven
        elif op in ("BINARY_SUBSCR", "DELETE_SUBSCR", "STORE_SUBSCR"):
            self._subscript(op, stack, under)
        elif op == "BINARY_OP":
            a, b = self._popn(stack, 2)
            self._escape(a, b)
            changed = under or self._content(a) or self._content(b)
            if i.arg in _INPLACE and changed:
                raise _Unproven  # ``x += y`` writes a tensor in place (any other name of it too)
            stack.append(self._made(changed, under, _union(a.roots, b.roots)))
        elif op in ("BUILD_TUPLE", "BUILD_LIST", "BUILD_SET", "BUILD_STRING", "BUILD_SLICE"):
            taken = self._popn(stack, i.arg or 0)
            consts = tuple(v.const for v in taken)
            const: Any = consts if op == "BUILD_TUPLE" and not any(c is _bytecode._MISSING for c in consts) \
                else _bytecode._MISSING
            stack.append(_Value(under or any(v.tainted for v in taken), frozenset().union(*(v.sites for v in taken)),
                                const))
        elif op in ("BUILD_MAP", "BUILD_CONST_KEY_MAP"):
            self._build_map(k, i, stack, under)
        elif op in ("LIST_APPEND", "SET_ADD", "MAP_ADD", "LIST_EXTEND", "SET_UPDATE", "DICT_UPDATE", "DICT_MERGE"):
            taken = self._popn(stack, 2 if op == "MAP_ADD" else 1)
            depth = i.arg or 0
            if len(stack) < depth:
                raise _Unproven
            into = stack[-depth]
            changed = under or any(self._content(v) for v in taken)
            for s in into.sites:
                self._write(s, _bytecode._MISSING, changed)
            for v in taken:  # (a dict's items copied: the copy carries them)
                for s in v.sites:
                    self._write(s, _bytecode._MISSING, False)
            stack[-depth] = _Value(into.tainted or changed or any(v.tainted for v in taken), into.sites)
        elif op == "UNPACK_SEQUENCE":
            v = self._pop(stack)
            stack.extend([self._made(self._content(v), under, v.roots)] * (i.arg or 0))
        elif op == "UNPACK_EX":
            v = self._pop(stack)
            stack.extend([self._made(self._content(v), under, v.roots)] * (((i.arg or 0) & 0xFF) + ((i.arg or 0) >> 8) + 1))
        elif op == "FORMAT_VALUE":
            taken = self._popn(stack, 2 if (i.arg or 0) & 4 else 1)
            stack.append(self._made(any(self._content(v) for v in taken), under, _NO_ROOTS))
        elif op == "COPY":
            if len(stack) < (i.arg or 0):
                raise _Unproven
            stack.append(stack[-(i.arg or 0)])
        elif op == "SWAP":
            n = i.arg or 0
            if len(stack) < n:
                raise _Unproven
            stack[-1], stack[-n] = stack[-n], stack[-1]
        elif op == "GET_LEN":
            stack.append(self._made(self._content(stack[-1]) if stack else True, under, _NO_ROOTS))
        elif op == "MAKE_FUNCTION":
            flags = i.arg or 0
            code = self._pop(stack)
            extra = bin(flags & 0xF).count("1")
            taken = self._popn(stack, extra)
            tainted = under or any(self._content(v) for v in taken)
            made = code.const if isinstance(code.const, types.CodeType) else None
            stack.append(_Value(tainted, callee=("code", made) if made is not None else None))
        elif op == "CALL":
            self._call(k, stack, under)
        elif op == "CALL_FUNCTION_EX":
            n = 3 + ((i.arg or 0) & 1)
            taken = self._popn(stack, n)
            self._escape(*taken)
            if under or any(self._content(v) for v in taken):
                raise _Unproven
            stack.append(_CLEAN)
        elif op in ("BEFORE_WITH", "IMPORT_NAME", "IMPORT_FROM"):
            if under:
                raise _Unproven
            pops, pushes = {"BEFORE_WITH": (1, 2), "IMPORT_NAME": (2, 1), "IMPORT_FROM": (1, 2)}[op]
            taken = self._popn(stack, pops)
            if any(self._content(v) for v in taken):
                raise _Unproven
            if op == "BEFORE_WITH" and taken[0].callee == _TORCH_MADE:
                self.torch_with.add(k)
            stack.extend([_CLEAN] * pushes)
        else:
            raise _Unproven

    def _subscript(self, op: str, stack: list[_Value], under: bool) -> None:
        if op == "STORE_SUBSCR":
            value, into, key = self._popn(stack, 3)
        else:
            into, key = self._popn(stack, 2)
            value = _CLEAN
        self._escape(value)
        changed = under or into.tainted or key.tainted
        if op == "BINARY_SUBSCR" and under and not self.whole and not into.sites and into.roots != _NO_ROOTS:
            # read on one path only: a ``__getitem__`` of the user's would run there alone (red45)
            self.needs.add((_CONTAINER_NEED, *self._receiver(into)))
        if op == "BINARY_SUBSCR":
            if into.sites:
                d = [self._dict(s) for s in into.sites]
                hit = any(x.rest or (x.keys.get(key.const, False) if key.const is not _bytecode._MISSING
                                     else any(x.keys.values())) for x in d)
                stack.append(self._made(changed or hit, under))
            else:
                roots = into.roots if into.roots is None or type(key.const) not in (str, int) else frozenset(
                    (*path, key.const) for path in into.roots)  # (an item of a dict or list: by its key)
                stack.append(self._made(changed or self._content(key), under, roots))
            return
        changed = changed or self._content(value)
        if not into.sites:
            if changed:
                raise _Unproven  # a write into a container or tensor the frame did not build as a dict
            return
        for s in into.sites:
            self._write(s, key.const if type(key.const) in (str, int) else _bytecode._MISSING, changed)

    def _build_map(self, k: int, i: dis.Instruction, stack: list[_Value], under: bool) -> None:
        n = i.arg or 0
        d = self._dict(k)
        if i.opname == "BUILD_CONST_KEY_MAP":
            keys = self._pop(stack)
            values = self._popn(stack, n)
            names = keys.const if isinstance(keys.const, tuple) and len(keys.const) == n else None
            pairs = [(names[j] if names is not None else _bytecode._MISSING, v) for j, v in enumerate(values)]
        else:
            flat = self._popn(stack, 2 * n)
            pairs = [(flat[2 * j].const if type(flat[2 * j].const) in (str, int) else _bytecode._MISSING, flat[2 * j + 1])
                     for j in range(n)]
        for name, v in pairs:
            self._escape(v)
            changed = under or self._content(v)
            if changed and name is not _bytecode._MISSING and not d.keys.get(name, False):
                d.keys[name] = self.changed = True
            elif changed and name is _bytecode._MISSING and not d.rest:
                d.rest = self.changed = True
        stack.append(_Value(under, frozenset({k})))

    def _call(self, k: int, stack: list[_Value], under: bool) -> None:
        argc = self.ins[k].arg or 0
        kw = self._kw_names(k)
        taken = self._popn(stack, argc + 2)
        first, second, args = taken[0], taken[1], taken[2:]
        if first is _NULL or first.callee == ("null",):
            callee, receiver = second, None
        else:
            callee, receiver = first, second
        if k == self.source and self.link is not None:
            if not self._calls_link(callee.callee):
                raise _Unproven  # (``xs.sort(key=f)``: a builtin writing what the inner frame returned elsewhere)
            if callee.callee is not None and callee.callee[0] in ("method", "object method"):
                # told by name only: the receiver's attribute must be that very function when the decision is
                # taken (red45: ``order.sort(key=sort)`` with a key function named ``sort`` passed as its call)
                self.needs.add((_METHOD_NEED, self.link, callee.callee[1], *self._receiver(receiver)))
        reads_dict = (receiver is not None and receiver.sites and callee.callee is not None
                      and callee.callee[0] == "method" and callee.callee[1] in _DICT_READS)
        if not reads_dict:
            self._escape(*args, *(() if receiver is None else (receiver,)))
        changed = under or callee.tainted or any(self._content(v) for v in args) or (
            receiver is not None and self._content(receiver))
        kind = callee.callee[0] if callee.callee is not None else None
        self.result_roots = None
        if changed and not (reads_dict or self._pure(callee.callee, kw, argc)):
            raise _Unproven
        value = _resolve(callee.callee, self.globals)
        if changed and not reads_dict and kind == "method":
            # taken for a tensor's method by its name: the receiver must be one (``rec.log(x)`` of a
            # logger, ``q.put(x)``, ``counter.subtract(c)`` write what another key may read)
            roots = None if receiver is None else receiver.roots
            if roots is None or roots and self.whole:
                raise _Unproven
            self.needs |= roots
        elif changed and not reads_dict and kind != "fresh method" and _pure_builtin(value):
            # a builtin runs its arguments' dunder methods (``str(obj)``, ``float``, ``len``, ``sorted``'s
            # ``key=``): each must hold plain data (``_plain_at``), a tensor, a number, a string
            roots = _union(*(a.roots for a in args))
            if roots is None or roots and self.whole:
                raise _Unproven
            self.needs |= {(_PLAIN_NEED, *path) for path in roots}
        if changed and not self.whole and (kind == "code" or _users(value)):
            # a function of the user's checked whole reads its parameters' items without their values known
            # there: each argument must hold plain data, no ``__getitem__`` of the user's (red45)
            for a in args:
                if a.roots != _NO_ROOTS and not a.sites:
                    self.needs.add((_CONTAINER_NEED, *self._receiver(a)))
        keep = reads_dict and receiver is not None and callee.callee is not None and callee.callee[1] != "get"
        sites = receiver.sites if keep and receiver is not None else _NONE
        made = _FRESH if callee.callee is not None and _factory(value) else None
        roots = self._result_roots(callee.callee, value, receiver, args, made)
        if made is None and (getattr(value, "__module__", None) or "").partition(".")[0] == "torch":
            made = _TORCH_MADE
        stack.append(_Value(changed, sites, callee=made, roots=roots))

    def _result_roots(self, callee: tuple | None, value: Any, receiver: _Value | None, args: list[_Value],
                      made: tuple | None) -> frozenset[tuple] | None:
        """``roots`` of what a call returns: a tensor method's, its receiver's; a torch function's
        or a helper's that returns what torch made, none; a pure builtin's, its arguments'."""
        if callee is None:
            return None
        if callee[0] == "method":  # (``buf.numpy()`` is an array sharing the tensor's memory: ``a.put(...)`` writes it)
            return None if receiver is None or callee[1].startswith("_") or callee[1] in _bytecode._EFFECTS else receiver.roots
        if callee[0] == "fresh method" and callee[1] == "as_subclass":
            return None  # (an instance of the user's class, whose methods may be the user's code)
        if callee[0] == "fresh method" or made is not None:
            return _NO_ROOTS
        if self.result_roots is not None:
            return self.result_roots
        if _pure_builtin(value):
            return _union(*(a.roots for a in args))
        module = getattr(value, "__module__", None) or ""
        return _NO_ROOTS if module.partition(".")[0] == "torch" and not isinstance(value, type) else None

    def _receiver(self, receiver: _Value | None) -> tuple:
        """The local (or its items) a method is called on: ``self``, ``cls`` or one path of ``roots``."""
        owner = next((name for name, v in _OWNERS.items() if v is receiver), None)
        if owner is not None:
            return (owner,)
        if receiver is None or receiver.roots is None or len(receiver.roots) != 1:
            raise _Unproven
        return next(iter(receiver.roots))

    def _calls_link(self, callee: tuple | None) -> bool:
        """Whether the CALL the decision's frame runs under is a call of that frame's function, or
        of a builtin that only computes from what it returns (``sum(x for ...)``)."""
        if callee is None:
            return False
        if callee[0] == "code":
            return callee[1] is self.link
        if callee[0] in ("method", "object method"):  # ``self._term(e)``: by the name the code calls
            return self.link is not None and callee[1] == self.link.co_name
        value = _resolve(callee, self.globals)
        return _pure_builtin(value) or getattr(value, "__code__", None) is self.link

    def _kw_names(self, k: int) -> tuple:
        for j in range(k - 1, max(k - 3, -1), -1):
            if self.ins[j].opname == "KW_NAMES":
                return self.code.co_consts[self.ins[j].arg or 0]
        return ()

    def _pure(self, callee: tuple | None, kw: tuple, argc: int) -> bool:
        """Whether a call of ``callee`` computes only its result from its arguments."""
        if callee is None or "out" in kw or "inplace" in kw:
            return False
        if callee[0] == "method":
            return _bytecode._pure_method(callee[1]) and not _draws(callee[1])
        if callee[0] == "fresh method":  # ``torch.FloatTensor(1).fill_(0.0)``: writes only the tensor just made
            name = callee[1]
            return (name.endswith("_") and not name.startswith("_") and callable(getattr(torch.Tensor, name, None))
                    and name not in _FRESH_EFFECTS and not _draws(name))
        if callee[0] == "code":
            return self._helper(callee[1], self.globals)
        value = _resolve(callee, self.globals)
        if _users(value):
            return self._helper(value.__code__, value.__globals__)
        return _pure_value(value, callee[-1], self.depth) and _writes_no_argument(value, argc, kw)

    def _helper(self, code: types.CodeType, globals_: dict) -> bool:
        """Whether the body's own function or comprehension of ``code`` is free of effects (and the
        ``roots`` of what it returns: none where torch made it)."""
        free, roots = _effect_free(code, globals_, self.depth + 1)
        self.result_roots = roots if roots == _NO_ROOTS else None
        return free


def _merge(old: tuple, new: tuple) -> tuple:
    (s1, l1), (s2, l2) = old, new
    if len(s1) != len(s2):
        raise _Unproven
    stack = tuple(a.merged(b) for a, b in zip(s1, s2))
    local = dict(l1)
    for name, v in l2.items():
        local[name] = v if name not in local else local[name].merged(v)
    same = all(a.key() == b.key() for a, b in zip(stack, s1)) and local.keys() == l1.keys() and all(
        local[n].key() == l1[n].key() for n in local)
    return old if same else (stack, local)


def _draws(name: str) -> bool:
    low = name.lower()
    return low.startswith(_DRAW_STARTS) or low in _DRAW_NAMES or "dropout" in low


def _resolve(callee: tuple | None, globals_: dict, record: bool = True) -> Any:
    if callee is None:
        return _bytecode._MISSING
    value = _bytecode._MISSING
    if callee[0] == "global":
        value = globals_.get(callee[1], getattr(builtins, callee[1], _bytecode._MISSING))
    elif callee[0] == "attr":
        base = _resolve(callee[1], globals_, False)
        if isinstance(base, types.ModuleType):
            value = getattr(base, callee[2], _bytecode._MISSING)
    if record and _RECORDING and callee[0] in ("global", "attr"):
        _RECORDING[-1].append((callee, globals_, value))
    return value


# the globals (and module attributes) each analysis running resolved: what its cached verdict holds for
_RECORDING: list[list[tuple]] = []


def _current(cached: Any, code: types.CodeType, *rest: Any) -> tuple:
    """``cached(code, *rest)``, whose last item is the names it resolved with their values then;
    analysed again where one is bound to another value now (a module global rebound between
    calls), and its names added to the analysis running."""
    found = cached(code, *rest)
    if any(_resolve(c, g, False) is not v for c, g, v in found[-1]):
        found = cached.__wrapped__(code, *rest)
        entry = cached.table.get(id(code))
        if entry is not None and entry[0] is code:
            entry[1][rest] = found
    if _RECORDING:
        _RECORDING[-1].extend(found[-1])
    return found


def _pure_builtin(value: Any) -> bool:
    """Whether ``value`` is one of ``_PURE_BUILTINS`` (an unhashable value is none)."""
    try:
        return value in _PURE_BUILTINS
    except TypeError:
        return False


def _users(value: Any) -> bool:
    """Whether ``value`` is a Python function whose code is not torch's (by its file: a ``__module__``
    is only a name, red45 set one to ``torch.nn.functional``)."""
    return isinstance(value, types.FunctionType) and not value.__code__.co_filename.startswith(_TORCH_DIR)


def _pure_value(value: Any, name: str, depth: int) -> bool:
    """Whether calling ``value`` (named ``name`` in the code) computes only its result."""
    module = getattr(value, "__module__", None) or ""
    if _users(value):
        return _effect_free(value.__code__, value.__globals__, depth + 1)[0]  # the body's own helpers, by their code
    if value is _bytecode._MISSING or name.startswith("_"):
        return False
    own = getattr(value, "__name__", None)  # an alias (``FILL = torch.fill_``) is known by its own name too
    names = (name, own) if isinstance(own, str) and own != name else (name,)
    if any(_draws(n) or n.endswith("_") or n.startswith(_SETTERS) for n in names):
        return False
    if _pure_builtin(value):
        return True
    if module.partition(".")[0] == "math" or getattr(math, name, None) is value:
        return True
    if isinstance(value, type) and _factory(value):
        return True  # (the legacy ``torch.FloatTensor(1)``)
    if not callable(value) or isinstance(value, (type, torch.nn.Module)):
        return False
    if module.startswith("torch.distributed"):
        return False  # (``torch.set_grad_enabled``, ``dist.all_reduce`` writes its argument)
    owner = getattr(value, "__self__", None)  # ``torch.tensor`` is a builtin of ``torch._C``
    return module.partition(".")[0] == "torch" or isinstance(owner, types.ModuleType) and owner.__name__.startswith("torch")


_SETTERS = ("set_", "save", "load", "use_", "manual_seed", "seed", "backward", "grad", "synchronize", "empty_cache")


def _factory(value: Any) -> bool:
    """Whether ``value`` makes a new tensor of its own (``torch.zeros``, ``torch.FloatTensor``)."""
    if isinstance(value, type):
        return (value.__module__ or "").startswith("torch") and (
            issubclass(value, torch.Tensor) or type(value).__module__.startswith("torch") and value.__name__.endswith("Tensor"))
    return getattr(value, "__name__", None) in _FACTORIES and _pure_value(value, value.__name__, 0)


def _writes_no_argument(value: Any, argc: int, kw: tuple) -> bool:
    """Whether a call with ``argc`` positional arguments and keywords ``kw`` leaves each parameter
    through which ``value`` writes at its default: ``inplace`` (``F.relu(x, True)``), ``out``
    (``F.normalize(x, 2.0, 1, 1e-12, buf)``), ``max_norm`` (the embedding renormalised in place), the
    running statistics batch norm updates in training
    (``F.batch_norm(x, rm, rv, training=True)``; a builtin's, by its aten schemas)."""
    try:
        names = list(inspect.signature(value).parameters)
    except (TypeError, ValueError):
        return not _aten_statistics(getattr(value, "__name__", None))
    return not any(n in kw or n in names[:argc] for n in _WRITTEN)


_STATISTICS = ("running_mean", "running_var")
_WRITTEN = ("inplace", "out", "max_norm", *_STATISTICS)  # (``F.embedding(i, w, None, 1.0)`` renormalises ``w``)


def _aten_statistics(name: Any) -> bool:
    """Whether an aten operator ``name`` takes running statistics (``torch.batch_norm``), which its
    schema does not mark as written."""
    try:
        schemas = torch._C._jit_get_schemas_for_operator(f"aten::{name}")
    except Exception:  # noqa: BLE001 - no such operator
        return False
    return any(a.name in _STATISTICS for s in schemas for a in s.arguments)


def _effect_free(code: types.CodeType, globals_: dict, depth: int) -> tuple[bool, frozenset[tuple] | None]:
    return _current(_effect_free_once, code, _Holder(globals_), depth)[:2]


@_bytecode._per_code(512)
def _effect_free_once(code: types.CodeType, held: _Holder, depth: int) -> tuple[bool, frozenset[tuple] | None, tuple]:
    """Whether a function or comprehension of ``code`` writes nothing but its own locals and calls
    only such functions (torch's, pure builtins, its own comprehensions): its analysis with every
    instruction under a tainted decision meets nothing it cannot follow; the ``roots`` of what it
    returns; the globals it resolved."""
    if depth > 3 or code.co_flags & (_GENERATOR | _COROUTINE) and code.co_name != "<genexpr>":
        return False, None, ()
    _RECORDING.append([])
    try:
        returned = _Frame(code, -1, False, held.g, False, depth).run()
        return True, returned.roots, tuple(_RECORDING[-1])
    except (_Unproven, RecursionError, ValueError, KeyError, IndexError, TypeError):
        return False, None, tuple(_RECORDING[-1])
    finally:
        _RECORDING.pop()


_GENERATOR, _COROUTINE = 0x20, 0x80 | 0x200




def _source(code: types.CodeType, lasti: int) -> tuple[int, bool] | None:
    """The index of the instruction at byte offset ``lasti`` (or holding it in its inline caches),
    and whether it is a conditional jump (its test is the decision) rather than a value."""
    ins = _listed(code)
    offsets = [i.offset for i in ins]
    k = bisect.bisect_right(offsets, lasti) - 1
    if k < 0:
        return None
    if ins[k].opname == "PRECALL" and k + 1 < len(ins) and ins[k + 1].opname == "CALL":
        k += 1
    return k, ins[k].opname in _JUMPS_IF or ins[k].opname in _OR_POP


@_bytecode._per_code(512)
def _listed(code: types.CodeType) -> list[dis.Instruction]:
    return [i for i in dis.get_instructions(code) if i.opname not in ("EXTENDED_ARG", "CACHE")]


def _analysed(code: types.CodeType, lasti: int, body: bool, globals_: _Holder,
              link: _Holder | None = None) -> bool | frozenset[str] | None:
    """For the body (``body``): the keys of its returned dict the decision at ``lasti`` may change
    (None: unproven). For a helper: whether the value it returns may change (None: unproven).
    ``link``: the code of the frame this one is calling at ``lasti``, where the decision was taken."""
    return _current(_proven, code, lasti, body, globals_, link)[0]


@_bytecode._per_code(512)
def _proven(code: types.CodeType, lasti: int, body: bool, globals_: _Holder,
            link: _Holder | None) -> tuple[bool | frozenset[str] | None, frozenset[tuple], tuple]:
    """``_analysed``'s verdict, the locals that must hold tensors when the decision is taken for it
    to hold (``_Frame.needs``), and the globals it resolved."""
    _RECORDING.append([])
    try:
        return (*_verdict(code, lasti, body, globals_, link), tuple(_RECORDING[-1]))
    finally:
        _RECORDING.pop()


def _verdict(code: types.CodeType, lasti: int, body: bool, globals_: _Holder,
             link: _Holder | None) -> tuple[bool | frozenset[str] | None, frozenset[tuple]]:
    found = _source(code, lasti)
    if found is None:
        return None, _NO_ROOTS
    try:
        analysis = _Frame(code, found[0], found[1], globals_.g, body)
        analysis.link = None if link is None else link.g
        value = analysis.run()
        needs = frozenset(analysis.needs)
        if not body:
            return analysis._content(value), needs
        if value.tainted or any(analysis._dict(s).rest for s in value.sites):
            return None, needs
        return frozenset(str(k) for s in value.sites for k, t in analysis._dict(s).keys.items() if t), needs
    except (_Unproven, RecursionError, ValueError, KeyError, IndexError, TypeError):
        return None, _NO_ROOTS


_PLAIN_NEED = object()  # marks a path of ``needs`` that must hold plain data (``_plain_at``), not a tensor
_METHOD_NEED = object()  # (it, the code, a method name, path): the method of what the path holds runs that code
_ATTR_NEED = object()  # (it, a name, path): that attribute of what the path holds is read without user code
_CONTAINER_NEED = object()  # (it, path): what the path holds is subscripted without user code
_PLAIN_TYPES = (int, float, bool, str, type(None), complex)


def _item_at(held: dict, path: tuple) -> Any:
    """What the local ``path[0]`` holds at its items ``path[1:]``, read through plain dicts, lists and
    tuples only (no ``__getitem__`` of the body's runs): the first tensor or other object met on the
    way (an item of a tensor is one), or ``_MISSING`` where an item is not there."""
    value: Any = held.get(path[0])
    for key in path[1:]:
        if type(value) not in (dict, list, tuple):
            return value
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return _bytecode._MISSING
    return value


def _plain_at(held: dict, path: tuple) -> bool:
    """Whether the local ``path[0]`` (its items by ``path[1:]``) holds a tensor, a number, a string or
    None, or a plain list, tuple or dict of those: no dunder of the user's code for a builtin to run."""
    value = _item_at(held, path)
    if type(value) in (dict, list, tuple):
        items = value.values() if type(value) is dict else value
        return all(isinstance(v, torch.Tensor) or type(v) in _PLAIN_TYPES for v in items)
    return isinstance(value, torch.Tensor) or type(value) in _PLAIN_TYPES


def _runs(held: dict, code: types.CodeType, name: str, path: tuple) -> bool:
    """Whether ``name`` of what the local ``path`` holds is, found without running code, a function
    (or a static or class method) of ``code``."""
    obj = _item_at(held, path)
    if type(obj).__getattribute__ is not object.__getattribute__ and not isinstance(obj, type):
        return False
    found = inspect.getattr_static(obj, name, None)
    found = getattr(found, "__func__", found)  # (a static or class method's function)
    return type(found) is types.FunctionType and found.__code__ is code


_PLAIN_TENSORS = (torch.Tensor, torch.nn.Parameter)
_PLAIN_ITEMS = (dict, list, tuple, *_PLAIN_TENSORS, *_PLAIN_TYPES)


def _attribute_read(held: dict, name: str, path: tuple) -> bool:
    """Whether ``name`` of what the local ``path`` holds is read without running the user's code: a
    plain tensor's, an attribute lookup finds without code (``_bytecode._plain_attribute``), a
    module's parameter, buffer or submodule."""
    obj = _item_at(held, path)
    if type(obj) in _PLAIN_TENSORS or _bytecode._plain_attribute(obj, name) is not _bytecode._UNPROVEN:
        return True
    if not isinstance(obj, torch.nn.Module) or type(obj).__getattribute__ is not object.__getattribute__ \
            or type(obj).__getattr__ is not torch.nn.Module.__getattr__ \
            or any(name in vars(k) for k in type(obj).__mro__):
        return False
    held_by = vars(obj)
    return any(name in held_by.get(table, ()) for table in ("_parameters", "_buffers", "_modules"))


def _subscripted(held: dict, path: tuple) -> bool:
    """Whether what the local ``path`` holds is a plain tensor, or a plain list, tuple or dict whose
    items are plain too (one level): no ``__getitem__`` of the user's for a subscript to run."""
    obj = _item_at(held, path)
    if type(obj) in _PLAIN_TENSORS or type(obj) in _PLAIN_TYPES:
        return True
    if type(obj) not in (dict, list, tuple):
        return False
    return all(type(v) in _PLAIN_ITEMS for v in (obj.values() if type(obj) is dict else obj))


def _tensor_at(held: dict, path: tuple) -> bool:
    """Whether the local ``path[0]`` (its item ``path[1]``, that one's ``path[2]``...) holds a plain
    tensor (a subclass's method may be the user's code)."""
    return type(_item_at(held, path)) in _PLAIN_TENSORS


class _Holder:
    """A frame's globals (or a code object), a cache key by identity (a dict is not hashable)."""

    __slots__ = ("g",)

    def __init__(self, g: Any) -> None:
        self.g = g

    def __hash__(self) -> int:
        return id(self.g)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Holder) and other.g is self.g


def reach(body: types.CodeType | None) -> frozenset[str] | None:
    """The returned keys of the body (whose code is ``body``) the decision being taken now may
    change: the key names, an empty set where it changes none, None where that is not proven."""
    if body is None or sys.version_info[:2] != (3, 11):
        return None
    f = _bytecode.caller_frame()
    chain = []
    while f is not None and f.f_code is not body and len(chain) < 8:
        chain.append(f)
        f = f.f_back
    if f is None or f.f_code is not body:
        return None
    if any(helper.f_code.co_filename.startswith(_OPAQUE) for helper in chain):
        return None  # a module's ``__call__``, losssplit's own wrapper: not read
    frames = [*chain, f]
    for n, frame in enumerate(frames):
        last = n == len(frames) - 1
        link = _Holder(frames[n - 1].f_code) if n else None
        verdict, needs, _ = _current(_proven, frame.f_code, _bytecode._lasti(frame), last, _Holder(frame.f_globals), link)
        if verdict is None:
            return None
        if needs and not all(_plain_at(frame.f_locals, path[1:]) if path[0] is _PLAIN_NEED
                             else _runs(frame.f_locals, path[1], path[2], path[3:]) if path[0] is _METHOD_NEED
                             else _attribute_read(frame.f_locals, path[1], path[2:]) if path[0] is _ATTR_NEED
                             else _subscripted(frame.f_locals, path[1:]) if path[0] is _CONTAINER_NEED
                             else _tensor_at(frame.f_locals, path) for path in needs):
            return None  # a method taken for a tensor's is called on another object, or a builtin on an object
        if not last:
            if verdict is False:
                return frozenset()  # the helper returns the same value: nothing of the body changes
            continue
        return verdict if isinstance(verdict, frozenset) else None
    return None


_TORCH_DIR = torch.__file__.rpartition("/")[0] + "/"
_OPAQUE = (torch.__file__.rpartition("/")[0], __file__.rpartition("/")[0].rpartition("/")[0])
