"""Where a value on the body's stack comes from: an abstract reading of a code object's bytecode.

Every value the code computes is read as the set of *tags* of what went into it: its roots (a
parameter ``arg:targets``, a literal ``lit:2``, a global ``global:math``, an attribute
``attr:shape``) and the operations on the way (``call:len``, ``op:*``, ``cmp:>``, ``sub``; ``cond``
where a conditional expression or ``or`` / ``and`` chose it, ``filter`` where a comprehension's
test chose its items). Locals are read flow-insensitively (a name is every value stored to it);
comprehensions and generator expressions are read into, with their iterable's tags for ``.0``.

The capture asks it one thing: what the operand of the instruction a frame is stopped at (its
``f_lasti``) was made of, so that a Python number of the batch that went through arithmetic no
rule proves (``round(n / 2)``, ``sorted([n, 3])[-1]``, ``n - 3``) is not read as a constant of the
call or as a count it equals by value.

CPython 3.11's layout: elsewhere nothing is read (``reading`` is None).
"""

from __future__ import annotations

import builtins
import dis
import inspect
import itertools
import sys
import types
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from ._bytecode import _per_code

Tags = frozenset[str]

_NONE: Tags = frozenset()
_UNKNOWN: Tags = frozenset({"?"})
_NUMBERS: Tags = frozenset({"P", "V", "W", "L", "H"})  # what makes a value a number (of the batch, of an image)
OF_THE_BATCH: Tags = frozenset({"V", "L", "H"})  # a number of the whole batch: its count, its lengths, a host read of it
_NULL: Tags = frozenset({"null"})  # what PUSH_NULL and ``LOAD_GLOBAL (NULL + f)`` put below a callable
_CHECKED = (3, 11)

_COND_JUMPS = frozenset({
    "POP_JUMP_FORWARD_IF_FALSE", "POP_JUMP_FORWARD_IF_TRUE", "POP_JUMP_BACKWARD_IF_FALSE", "POP_JUMP_BACKWARD_IF_TRUE",
    "POP_JUMP_FORWARD_IF_NONE", "POP_JUMP_FORWARD_IF_NOT_NONE", "POP_JUMP_BACKWARD_IF_NONE",
    "POP_JUMP_BACKWARD_IF_NOT_NONE"})
_OR_POP = frozenset({"JUMP_IF_TRUE_OR_POP", "JUMP_IF_FALSE_OR_POP"})
_JUMPS = frozenset({"JUMP_FORWARD", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT"})
_NO_EFFECT = frozenset({"RESUME", "NOP", "PRECALL", "KW_NAMES", "COPY_FREE_VARS", "MAKE_CELL", "CACHE",
                        "EXTENDED_ARG", "SETUP_ANNOTATIONS", "GET_YIELD_FROM_ITER"})


class _Reading:
    """The abstract stacks before each instruction of one code object, and its locals' tags."""

    def __init__(self, code: types.CodeType, first: dict[str, Tags]) -> None:
        self.code = code
        self.instructions = list(dis.get_instructions(code))
        self.at = {i.offset: k for k, i in enumerate(self.instructions)}
        self.locals: dict[str, Tags] = dict(first)
        self.stacks: dict[int, tuple[Tags, ...]] = {}
        self.ctls: dict[int, frozenset[tuple[int, bool]]] = {}
        self.tested: dict[int, Tags] = {}  # a conditional jump's offset -> its condition's tags
        self.edges: dict[int, set[int]] = {}  # an instruction's index -> its successors' (the graph the walk saw)
        self.stored: dict[str, set[int]] = {}  # a local -> the indices of its stores
        # an index -> the (conditional jump's offset, way) it is control dependent on, directly or through others
        self.depends: dict[int, frozenset[tuple[int, int]]] = {}
        self.produced: Tags = _NONE  # what the code appends, yields or returns
        self.failed = False
        self.firsts: dict[int, dict[str, Tags]] = {}  # a nested code's id -> the tags its reading started from
        self._nested = {id(c): c for c in code.co_consts if isinstance(c, types.CodeType)}
        self.defaults: dict[int, Tags] = {}  # a function defined here (its code's id) -> its defaults' tags
        self.holds: set[str] = set()  # its parameters and free names it calls (``count(t)``): read where bound (``bound``)
        for _ in range(8):
            before = dict(self.locals)
            self.stored = {}
            self._walk()
            if self.failed:
                break
            if not self.depends:
                self.depends = self._control_dependence()
            for name, stores in self.stored.items():
                # stored on some ways only: chosen by the tests that not every store depends on
                ways = [self.depends.get(k, frozenset()) for k in stores]
                some = {j for j, _ in frozenset().union(*ways) - frozenset.intersection(*ways)}
                if some:
                    self.locals[name] = self.locals[name] | _chosen(_union(
                        _plain(self.tested[j]) for j in some if j in self.tested))
            if self.failed or self.locals == before:
                break

    def _walk(self) -> None:
        self.stacks = {}
        self.ctls = {}
        empty: frozenset[tuple[int, bool]] = frozenset()
        pending: list[tuple[int, tuple[Tags, ...], frozenset[tuple[int, bool]]]] = [(0, (), empty)]
        seen = 0
        while pending:
            seen += 1
            if seen > 20000:
                self.failed = True
                return
            k, stack, ctl = pending.pop()
            while 0 <= k < len(self.instructions):
                i = self.instructions[k]
                old = self.stacks.get(i.offset)
                if old is not None:
                    old_ctl = self.ctls[i.offset]
                    ctl = ctl | old_ctl
                    merged = self._merge(old, stack, ctl)
                    ctl = frozenset(w for w in ctl if (w[0], not w[1]) not in ctl)  # both ways met: closed here
                    if merged is None:
                        self.failed = True
                        return
                    if merged == old and ctl == old_ctl:
                        break
                    stack = merged
                self.stacks[i.offset] = stack
                self.ctls[i.offset] = ctl
                if i.opname in ("STORE_FAST", "STORE_DEREF", "STORE_NAME"):
                    self.stored.setdefault(i.argval, set()).add(k)
                nexts = self._step(i, list(stack))
                if nexts is None:
                    self.failed = True
                    return
                self.edges.setdefault(k, set()).update(n for n, _ in nexts)
                if not nexts:
                    break
                if i.opname in _COND_JUMPS or i.opname in _OR_POP:
                    jumped = self.at[i.argval]
                    (k, stack), *others = nexts
                    pending.extend((n, st, ctl | {(i.offset, n == jumped)}) for n, st in others)
                    ctl = ctl | {(i.offset, k == jumped)}
                    continue
                (k, stack), *others = nexts
                pending.extend((n, st, ctl) for n, st in others)

    def _control_dependence(self) -> dict[int, frozenset[tuple[int, int]]]:
        """Each instruction's conditional jumps (offsets) whose test decides whether it runs: it runs on
        one way of the jump and does not post-dominate it (the instructions after an ``if`` / ``else``
        that both ways reach depend on none; after ``if c: return``, on ``c``)."""
        nodes = sorted(self.edges)
        exit_ = -1
        succ = {k: (self.edges[k] & set(nodes)) or {exit_} for k in nodes}
        pdom: dict[int, set[int]] = {k: set(nodes) | {exit_} for k in nodes}
        pdom[exit_] = {exit_}
        changed = True
        while changed:
            changed = False
            for k in reversed(nodes):
                new = {k} | set.intersection(*(pdom[n] for n in succ[k]))
                if new != pdom[k]:
                    pdom[k], changed = new, True
        out: dict[int, set[tuple[int, int]]] = {}
        for j in nodes:
            i = self.instructions[j]
            if i.opname not in _COND_JUMPS and i.opname not in _OR_POP or len(succ[j]) < 2:
                continue
            for n in succ[j]:
                # the nodes post-dominating this way but not the jump depend on it
                for x in pdom[n] - (pdom[j] - {j}):
                    if x != exit_:
                        out.setdefault(x, set()).add((i.offset, n))
        done: dict[int, frozenset[tuple[int, int]]] = {}

        def closure(x: int, seen: frozenset[int]) -> frozenset[tuple[int, int]]:
            if x in done:
                return done[x]
            found = set(out.get(x, ()))
            for j, _ in out.get(x, ()):
                k = self.at[j]
                if k not in seen:
                    found |= closure(k, seen | {x})
            done[x] = frozenset(found)
            return done[x]

        return {x: closure(x, frozenset()) for x in out}

    def _merge(self, a: tuple[Tags, ...], b: tuple[Tags, ...], ctl: frozenset[tuple[int, bool]]
               ) -> tuple[Tags, ...] | None:
        """Two stacks meeting at a jump target: a slot that differs was chosen by the tests whose two
        ways both lead here."""
        if len(a) != len(b):
            return None
        if a == b:
            return a
        both = {j for j, taken in ctl if (j, not taken) in ctl}
        chosen = _chosen(_union(_plain(self.tested.get(j, _NONE)) for j in both))
        return tuple(x if x == y else x | y | chosen for x, y in zip(a, b))

    def _repeated_display(self, k: int) -> int | None:
        """Which operand (0: left, 1: right) of the ``*`` at index ``k`` is a list or tuple display
        built right there (``[1.0] * n``, ``n * [0.5]``), None where neither is."""
        ins = self.instructions
        if k >= 1 and ins[k - 1].opname in _DISPLAYS:
            return 1
        if k >= 2 and ins[k - 2].opname in _DISPLAYS and ins[k - 1].opname in _ONE_LOAD:
            return 0
        return None

    def _step(self, i: dis.Instruction, s: list[Tags]) -> list[tuple[int, tuple[Tags, ...]]] | None:
        """The successors of ``i`` (instruction index, stack after), or None where ``i`` is not read."""
        op, arg = i.opname, i.arg or 0
        k = self.at[i.offset]
        fall = k + 1

        def pop(n: int = 1) -> list[Tags]:
            if n > len(s):
                raise IndexError
            out = s[len(s) - n:] if n else []
            del s[len(s) - n:]
            return out

        def target() -> int:
            return self.at[i.argval]

        try:
            if op in _NO_EFFECT:
                pass
            elif op == "LOAD_FAST" or op == "LOAD_FAST_CHECK":
                s.append(self.locals.get(i.argval, _NONE) or frozenset({f"local:{i.argval}"}))
            elif op == "LOAD_CONST":
                v = i.argval
                s.append(frozenset({f"code:{id(v)}"}) if isinstance(v, types.CodeType) else _literal(v))
            elif op == "LOAD_GLOBAL":
                if arg is not None and arg & 1:
                    s.append(_NULL)
                s.append(frozenset({f"global:{i.argval}", f"name:{i.argval}"}))
            elif op in ("LOAD_DEREF", "LOAD_CLASSDEREF"):
                free = i.argval in self.code.co_freevars and i.argval not in self.locals
                s.append(frozenset({f"free:{i.argval}"}) if free else self.locals.get(i.argval, _NONE))
            elif op in ("LOAD_CLOSURE", "LOAD_NAME"):
                s.append(self.locals.get(i.argval, _NONE) or frozenset({f"global:{i.argval}", f"name:{i.argval}"}))
            elif op == "LOAD_ATTR":
                (x,) = pop()
                s.append(_plain(x) - ({"P", "ocall"} if i.argval in _SIZES else {"P"}) | {f"attr:{i.argval}", f"name:{i.argval}"}
                         | ({"P"} if i.argval in _SIZES else _NONE))
            elif op == "LOAD_METHOD":
                (x,) = pop()
                before = self.instructions[k - 1] if k else None
                into = frozenset({f"into:{before.argval}"}) if f"name:{i.argval}" in _MUTATORS and before is not None \
                    and before.opname in _LOCAL_LOADS else _NONE  # (``l.append(n)``: the local ``l`` takes ``n``)
                s.append(frozenset({f"name:{i.argval}"}) | into)
                s.append(_plain(x))
            elif op == "PUSH_NULL":
                s.append(_NULL)
            elif op == "LOAD_ASSERTION_ERROR" or op == "LOAD_BUILD_CLASS":
                s.append(_NONE)
            elif op in ("STORE_FAST", "STORE_DEREF", "STORE_NAME"):
                (x,) = pop()
                if {"W", "P"} <= x and "V" not in x and self._running_total(k, i.argval):
                    x = x | {"V"}  # ``n = operator.add(n, len(u))`` in a loop over the images: a total of theirs
                # (a function defined here stays one: ``def count(): ..`` then ``count()``)
                self.locals[i.argval] = self.locals.get(i.argval, _NONE) | _plain(x) | {t for t in x if t.startswith("code:")}
            elif op in ("STORE_GLOBAL", "DELETE_FAST", "DELETE_DEREF", "DELETE_NAME", "DELETE_GLOBAL"):
                if op == "STORE_GLOBAL":
                    pop()
            elif op == "STORE_ATTR":
                pop(2)
            elif op == "DELETE_ATTR":
                pop()
            elif op == "STORE_SUBSCR":
                value, _, _ = pop(3)
                ins = self.instructions
                if k >= 2 and ins[k - 2].opname in _LOCAL_LOADS and ins[k - 1].opname in _ONE_LOAD:
                    self._mutated(ins[k - 2].argval, _plain(value))  # ``d["n"] = n``
            elif op == "DELETE_SUBSCR":
                pop(2)
            elif op == "POP_TOP":
                pop()
            elif op == "COPY":
                s.append(s[-arg])
            elif op == "SWAP":
                s[-1], s[-arg] = s[-arg], s[-1]
            elif op == "BINARY_OP":
                a, b = pop(2)
                display = self._repeated_display(k) if i.argrepr == "*" else None
                if display is not None:  # ``[1.0] * levels``: items the display's, as many as the number says
                    shown, times = (_plain(a), _plain(b)) if display == 0 else (_plain(b), _plain(a))
                    s.append(shown | times - {"P"} | {"built"})
                else:
                    s.append(_arithmetic(i.argrepr.rstrip("="), _plain(a), _plain(b)))
            elif op in ("UNARY_NEGATIVE", "UNARY_POSITIVE", "UNARY_INVERT"):
                (x,) = pop()
                s.append(_plain(x) | {f"op:{op}"})
            elif op == "UNARY_NOT":
                (x,) = pop()
                s.append(_plain(x) | {"cmp:not"})
            elif op in ("COMPARE_OP", "IS_OP", "CONTAINS_OP"):
                a, b = pop(2)
                a, b = _plain(a) - {"joined"}, _plain(b) - {"joined"}
                # (a test's outcome is no number of the batch: the branch rules decide it per group)
                s.append(a - _NUMBERS | b - _NUMBERS | {f"cmp:{i.argrepr or op}"} | _compared(a, b))
            elif op == "BINARY_SUBSCR":
                a, b = pop(2)
                raw, a, b = a, _plain(a), _plain(b)
                # ``targets[0]``: one image of an argument picked by position (not a loop's item's ``x[0]``,
                # nor ``outputs["layers"][0]``)
                picked = len(a) == 1 and _rooted(a) and _pure_literal(b) is not None
                held = frozenset(t for t in raw if t.startswith("code:"))  # (``{"count": lambda: ..}["count"]``)
                s.append((a | b - {"P"}) - {"joined"} | {"sub"} | ({"pick"} if picked else _NONE) | held)
            elif op == "BINARY_SLICE":
                a, b, c = pop(3)
                s.append((_plain(a) | _plain(b) | _plain(c)) - {"joined"} | {"sub"})
            elif op in ("BUILD_TUPLE", "BUILD_LIST", "BUILD_SET", "BUILD_STRING", "BUILD_SLICE"):
                items = pop(arg)
                listed = op in ("BUILD_TUPLE", "BUILD_LIST") and any(_pure_literal(x) is not None for x in items)
                s.append(_union(_plain(x) for x in items) | {"built"} | ({"name:<display-lit>"} if listed else _NONE))
            elif op == "BUILD_MAP":
                s.append(_union(pop(2 * arg)) | {"built"})
            elif op == "BUILD_CONST_KEY_MAP":
                s.append(_union(pop(arg + 1)) | {"built"})
            elif op in ("LIST_APPEND", "SET_ADD", "LIST_EXTEND", "SET_UPDATE", "DICT_UPDATE", "DICT_MERGE"):
                (x,) = pop()
                s[-arg] = s[-arg] | _plain(x)
                if op in ("LIST_APPEND", "SET_ADD"):
                    self.produced |= _plain(x)
            elif op == "MAP_ADD":
                a, b = pop(2)
                s[-arg] = s[-arg] | _plain(a) | _plain(b)
                self.produced |= _plain(b)
            elif op == "LIST_TO_TUPLE":
                pass
            elif op == "GET_LEN":
                s.append(_plain(s[-1]) | {"call:len"})
            elif op == "FORMAT_VALUE":
                (x, *_) = pop(2 if arg is not None and arg & 4 else 1)
                s.append(_formatted(_plain(x)))
            elif op == "UNPACK_SEQUENCE":
                (x,) = pop()
                s.extend([_plain(x) | {"sub"}] * arg)
            elif op == "UNPACK_EX":
                (x,) = pop()
                s.extend([_plain(x) | {"sub"}] * ((arg & 0xFF) + (arg >> 8) + 1))
            elif op == "GET_ITER":
                (x,) = pop()
                s.append(x)
            elif op == "FOR_ITER":
                out = list(s)
                s.append(_element(_plain(s[-1])))
                out.pop()
                return [(fall, tuple(s)), (target(), tuple(out))]
            elif op in _JUMPS:
                return [(target(), tuple(s))]
            elif op in _COND_JUMPS:
                (x,) = pop()
                self.tested[i.offset] = self.tested.get(i.offset, _NONE) | _plain(x)
                return [(fall, tuple(s)), (target(), tuple(s))]
            elif op in _OR_POP:
                kept = tuple(s)
                (x,) = pop()
                self.tested[i.offset] = self.tested.get(i.offset, _NONE) | _plain(x)
                return [(fall, tuple(s)), (target(), kept)]
            elif op == "RETURN_VALUE":
                (x,) = pop()
                self.produced |= _plain(x)
                return []
            elif op == "YIELD_VALUE":
                (x,) = pop()
                self.produced |= _plain(x)
                s.append(_NONE)
            elif op == "RETURN_GENERATOR":
                s.append(_NONE)
            elif op in ("RERAISE", "RAISE_VARARGS"):
                return []
            elif op == "MAKE_FUNCTION":
                (fn,) = pop()
                extras = pop(bin(arg & 0x0F).count("1"))
                defaults = _union(_plain(x) for x in extras[:bin(arg & 0x03).count("1")])
                if "V" in defaults:  # (``lambda n=count(t): n``: a parameter not passed holds its default's value;
                    # ``n=len(t)`` is the rules of lengths', read where it meets a loss)
                    for t in fn:
                        if t.startswith("code:"):
                            self.defaults[int(t[5:])] = defaults
                if arg & 0x08:
                    self._nonlocal_stores(fn)
                s.append(fn)
            elif op == "CALL":
                args = pop(arg)
                below, fn = pop(2)  # (NULL, callable) or (method, its receiver)
                kw = next((self.code.co_consts[w.arg or 0] for w in self.instructions[max(k - 2, 0):k]
                           if w.opname == "KW_NAMES"), ())
                s.append(self._called(fn, _NONE, args, kw) if below == _NULL else self._called(below, fn, args, kw))
                for t in below:  # ``d.setdefault("n", n)``, ``l.append(n)``, ``l.sort()``
                    if t.startswith("into:"):
                        self._mutated(t[5:], _union(_plain(a) for a in args) | (_sorting(fn) if "name:sort" in below else _NONE))
            elif op == "CALL_FUNCTION_EX":
                rest = pop(2 if arg & 1 else 1)
                below, fn = pop(2)
                s.append(self._called(fn, _NONE, rest) if below == _NULL else self._called(below, fn, rest))
            elif op == "BEFORE_WITH":
                (x,) = pop()
                s.extend([_NONE, _plain(x)])
            elif op in ("PUSH_EXC_INFO", "POP_EXCEPT", "CHECK_EXC_MATCH", "WITH_EXCEPT_START", "PREP_RERAISE_STAR"):
                return None
            elif op == "IMPORT_NAME":
                pop(2)
                s.append(frozenset({f"global:{i.argval}"}))
            elif op == "IMPORT_FROM":
                s.append(frozenset({f"global:{i.argval}"}))
            else:
                return None
        except IndexError:
            return None
        return [(fall, tuple(s))]

    def _called(self, fn: Tags, receiver: Tags, args: list[Tags], kw: tuple[str, ...] | None = None) -> Tags:
        """A call's result: its arguments', its receiver's, the called names, and what a
        comprehension or generator expression it runs produces from them (or a helper of the
        module, ``_helper``)."""
        names = {t[5:] for t in fn if t.startswith("name:")}
        if kw and _PLACEMENT & set(kw):  # (``device=targets[0].device``: where it lives, no value of it)
            args = args[:len(args) - len(kw)] + [_NONE if k in _PLACEMENT else a for k, a in zip(kw, args[len(args) - len(kw):])]
        out = (_plain(receiver) | _union(_plain(a) for a in args)) - {"P", "joined", "listed"}
        if f"call:{next(iter(names), '')}" in _JOINED and any("listed" in a for a in args):
            # (the very tensor a join of a comprehension's items returned, ``torch.cat([u["labels"] for u in t])``:
            # a call, a subscript or arithmetic on it is another; ``torch.cat([r, r[m]])`` of rows is the rows')
            out |= {"joined"}
        out |= {f"call:{n}" for n in names}
        if any("L" in _plain(a) for a in args):
            out |= {f"lcall:{n}" for n in names}  # (a call given ``len(targets)``: ``min(len(t), 3)``)
        number = _number_call(names, fn, _plain(receiver), [_plain(a) for a in args], args)
        if "H" in number or "call:len" in out and "global:len" in fn:
            # a host read, a length: what was done to the tensor or list before is no arithmetic on the number
            out = frozenset(t for t in out if t.startswith(("arg:", "free:")) or t in _KEPT_BY_READS)
        elif "P" not in number:
            # (``torch.arange(len(t))``: a tensor, no number of images; ``to_onehot(y, max(2, c))``: nor a choice)
            out = frozenset(t for t in out if t != "L" and not t.startswith("clit:"))
        out |= number
        if len(names) == 1 and (name := next(iter(names))) in _COMPUTING and (receiver | fn) & (
                {f"global:{m}" for m in _MATH} | {f"global:{name}"}):
            out |= {f"mcall:{name}"}  # ``math.sqrt(n)``, ``round(n)`` (not a tensor's ``.pow``, ``.sqrt``)
        if names == {"map"} and "global:map" in fn and len(args) >= 2:
            # ``map(len, xs)``: a comprehension of ``len`` of each item
            item = _element(_plain(args[1])) - {"comp", "listed"}
            out |= self._called(args[0], _NONE, [item]) | {"comp", "listed"}
        given_number = "V" in _union(_plain(a) for a in args)
        if given_number and not names and not any(t.startswith("code:") for t in fn):
            out |= {"V", "ucall"}  # ``getattr(math, "ceil")(n / 2)``: a callable computed here, not read
        # (``size_through_builtin``'s: not a tensor's ``.pow``, the one such builtin a tensor has as a method)
        out |= {f"scall:{n}" for n in names if n in _COMPUTING_BUILTINS
                and (n != "pow" or (receiver | fn) & ({f"global:{m}" for m in _MATH} | {"global:pow"}))}
        if given_number and len(names) == 1 and self._other_builtin(next(iter(names)), fn):
            out |= {"P", "V", "vcall:other", f"vcall:{next(iter(names))}"}  # ``divmod(n, 2)``, ``str(n)``, ``pow(n, 2)``
        if any("vstr" in _plain(a) for a in args) or "vstr" in receiver:
            out |= {"P", "V", "vstr"}  # ``int(f"{n}")``: parsed back from its text
        helper = _NONE
        if len(names) == 1 and (args or receiver):
            helper = self._helper(next(iter(names)), fn, _plain(receiver), [_plain(a) for a in args], kw)
            out |= helper
        elif not receiver and (holder := _holder(fn)) is not None:
            self.holds.add(holder)  # (``count(t)`` of a parameter or a free name ``count``: what it holds is read
            serial = next((int(t[5:]) for t in fn if t.startswith("held:")), None)  # where the code is bound)
            ref = None if serial is None else _SERIALS.get(serial)
            held = None if ref is None else ref()
            if held is not None:
                helper = self._target(holder, held, _NONE, False, None, [_plain(a) for a in args], kw)
            elif serial == _UNREFERABLE and _given_batch([_plain(a) for a in args]):
                helper = _unread(holder)
            out |= helper
        if names & (_SIZES | _READS):
            out -= {"ocall"}  # (``self.loss_fn(x, y).numel()``: a size of what it returned)
        elif not number and not helper and self._opaque(fn, _plain(receiver), args):
            out |= {"ocall"}
        for t in fn:
            if t.startswith("code:"):
                code = self._nested.get(int(t[5:]))
                if code is not None and code.co_name not in _COMPREHENSIONS:
                    out |= self._nested_function(code, args, kw)  # ``def count(): ..`` in the body
                    continue
                if code is None or not args and not receiver:
                    return out | _UNKNOWN
                first = {name: self.locals.get(name, frozenset({f"free:{name}"})) for name in code.co_freevars}
                first[".0"] = _element(_plain(args[0] if args else receiver))
                self.firsts[id(code)] = first
                self._note_nested(code)
                inner = reading(code, first)
                if inner is None:
                    return out | _UNKNOWN
                # (its items are no value the iterable's unread callable returned: ``len(x[0]) for x in
                # self.matcher(..)``; what its own body calls is in ``produced``)
                out = out - {"ocall"} | inner.produced | {"comp", "listed"}
                tested = _union(inner.tested.values())
                if tested - {"iter"}:
                    out |= tested - {"P"} | {"filter"} | ({"vfilter"} if "vcmp" in tested else _NONE)
        return out


    def _running_total(self, k: int, name: str) -> bool:
        """Whether the store at index ``k`` to the local ``name`` is of a value its statement computed from
        that local itself, in a loop (``n = f(n, x)`` under a ``for``)."""
        ins = self.instructions
        j = k - 1
        while j > 0 and ins[j].starts_line is None:
            j -= 1
        if not any(w.opname in ("LOAD_FAST", "LOAD_DEREF") and w.argval == name for w in ins[j:k]):
            return False
        return any(w.opname in _JUMPS and w.argval <= ins[k].offset < w.offset for w in ins[k + 1:])

    def _note_nested(self, code: types.CodeType) -> None:
        """A code defined in this one calls what this one's would (``note_callees``)."""
        held = _CALLEES.get(id(self.code))
        if held is not None and held[0] is self.code:
            note_callees(code, held[1], held[2])

    def _other_builtin(self, name: str, fn: Tags) -> bool:
        """Whether ``fn`` is a builtin (not shadowed by the module) that computes from a number given it
        (``_COMPUTING_BUILTINS``: ``divmod``, ``pow``, ``str``)."""
        if f"global:{name}" not in fn or name not in _COMPUTING_BUILTINS or not hasattr(builtins, name):
            return False
        held = _CALLEES.get(id(self.code))
        return held is None or held[0] is not self.code or name not in held[1]

    def _mutated(self, name: str, value: Tags) -> None:
        """The container the local ``name`` holds takes a number of the batch put in it without a store to
        the local (``d["n"] = n``, ``l.append(n)``, ``l.sort()``)."""
        held = self.locals.get(name, _NONE)
        if "V" in value | held and name in self.code.co_varnames + self.code.co_cellvars:
            self.locals[name] = held | value

    def _nonlocal_stores(self, fn: Tags) -> None:
        """The values a closure defined here stores to this code's locals (``nonlocal n; n = ..``)."""
        for t in fn:
            code = self._nested.get(int(t[5:])) if t.startswith("code:") else None
            if code is None or not any(i.opname == "STORE_DEREF" and i.argval in code.co_freevars
                                       for i in dis.get_instructions(code)):
                continue
            given = {name: frozenset({"const"}) for name in code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]}
            given.update({name: self.locals.get(name, frozenset({f"free:{name}"})) for name in code.co_freevars})
            self._note_nested(code)
            inner = reading(code, given)
            if inner is None:
                continue
            for name in code.co_freevars:
                if name in inner.stored:
                    self.locals[name] = self.locals.get(name, _NONE) | _plain(inner.locals.get(name, _NONE))

    def _opaque(self, fn: Tags, receiver: Tags, args: list[Tags]) -> bool:
        """Whether a call runs Python code not read here given values of the call (an argument's,
        a number of the batch): a callable the criterion holds (``self.counter.count(t)``,
        ``self.count_fn(t)``, ``self.table["count"](t)``) or a global holds (``TABLE["count"](t)``),
        outside the libraries whose functions the rules know."""
        held = receiver or _plain(fn)
        roots = {t for t in held if t.startswith(("arg:", "global:", "free:", "local:"))}
        if len(roots) != 1 or not _given_batch(args):
            return False
        (root,) = roots
        if root == "arg:self":
            return any(t.startswith("attr:") for t in held) or "sub" in held
        if not root.startswith("global:") or not ("sub" in held or receiver and "sub" in receiver):
            return False
        space = _CALLEES.get(id(self.code))
        value = None if space is None or space[0] is not self.code else space[1].get(root[7:])
        return value is not None and not _of_library(value)

    def _nested_function(self, code: types.CodeType, args: list[Tags], kw: tuple[str, ...] | None) -> Tags:
        """What a function defined in this code returns (as ``_helper`` reads one), its free names
        this code's locals, its parameters the call's arguments; unknown where the call does not fit."""
        given = None if kw is None else _given(code, None, [_plain(a) for a in args], kw,
                                              unpassed=self.defaults.get(id(code)))
        if given is None:
            return _UNKNOWN
        given.update({name: self.locals.get(name, frozenset({f"free:{name}"})) for name in code.co_freevars})
        self._note_nested(code)
        inner = reading(code, given)
        if inner is None:
            return _UNKNOWN
        return inner.produced if "P" in inner.produced and _NUMBERS & inner.produced else _NONE

    def _helper(self, name: str, fn: Tags, receiver: Tags, args: list[Tags], kw: tuple[str, ...] | None) -> Tags:
        """What a Python function of this code's module (``first_count(indices)``) or a method of its
        ``self``'s class (``self.first_count(indices)``) that it calls by name returns, as far as a number
        one image's values decide goes (``pick``, ``vext``, ``vread``, with ``P``): its own reading, with
        its parameters' tags the call's arguments' (all of them: read flow-insensitively). Where it
        returns a Python number it chose by a test of the call's numbers (``m if m > 8 else 8`` of a
        size; read with each parameter tagged as the call's argument, ``kw`` the names of the last ones,
        None where not told), that choice and its literals: a literal it may choose is no count it
        equals, and its test of a count of the batch is one no branch rule reads (``vtest``)."""
        held = _CALLEES.get(id(self.code))
        if held is None or held[0] is not self.code:
            return _NONE
        _, space, owner = held
        bound = True  # (whether ``receiver`` is the callee's first parameter)
        if f"global:{name}" in fn:
            target, bound = space.get(name), False
        elif receiver in _OWN and owner is not None:
            target = getattr(owner, name, None)
            if target is None:  # (an attribute of the instance: ``self.count_fn = count`` in ``__init__``)
                return frozenset({"ocall"}) if _given_batch(args) else _NONE
        elif len(held_by := receiver or fn - {f"attr:{name}", f"name:{name}"}) == 1 \
                and (holder := next(iter(held_by))).startswith("global:") and (receiver or f"attr:{name}" in fn):
            # ``othermod.count(t)``, ``Criterion.count(t)`` of a static or class method
            target, bound = _attribute_function(space.get(holder[7:]), name)
            receiver = receiver or frozenset({holder})  # (a class method's ``cls``)
            owner = space.get(holder[7:]) if isinstance(space.get(holder[7:]), type) else None
        else:
            return _NONE
        return self._target(name, target, receiver, bound, owner, args, kw)

    def _target(self, name: str, target: Any, receiver: Tags, bound: bool, owner: type | None, args: list[Tags],
                kw: tuple[str, ...] | None) -> Tags:
        """``_helper``'s reading of the callable ``target`` it found (its free names bound to what its closure
        holds, ``_bound_names``); ``bound``: whether ``receiver`` is its first parameter."""
        if not isinstance(target, types.FunctionType):
            return _unread_call(name, target, args)
        if id(target) in _HELPERS_READ or _of_library(target):
            return _NONE  # (a library's own Python code, ``statistics.median``: its call's rules read it)
        callee = target.__code__
        space = target.__globals__
        note_callees(callee, space, owner)
        _HELPERS_READ.add(id(target))  # (a function, not its code: each closure of one code is its own)
        try:
            inner = reading(callee)
            given = None if kw is None else _given(callee, receiver if bound else None, args, kw, _defaults(target))
            if given is not None and target.__closure__:
                given.update(_bound_names(callee.co_freevars, dict(zip(callee.co_freevars,
                                                                        (_cell(c) for c in target.__closure__))), "free"))
            passed = None if given is None or inner is None or "P" not in inner.produced and not inner.holds \
                else reading(callee, given)
        finally:
            _HELPERS_READ.discard(id(target))
        found = _NONE if inner is None else inner.produced & {"pick", "vext", "vread"}
        out = frozenset({"P"}) | found if found and "P" in inner.produced else _NONE  # type: ignore[union-attr]
        if passed is not None and "P" in passed.produced and _NUMBERS & passed.produced:
            # a number of the batch it computes from what it was given (``count(targets)``): read as the
            # same code inline would be, so arithmetic no rule proves on it is seen (``sorted([count(t), 5])``)
            out |= passed.produced
        elif passed is None and inner is not None and "P" in inner.produced and _NUMBERS & inner.produced:
            # (its parameters not told apart, ``count(*targets)``: each read as every argument)
            out |= {t for t in inner.produced if not t.startswith(("arg:", "free:"))} | _union(args)
        if passed is not None and "P" in passed.produced and _NUMBERS & _union(args) and "ncond" in passed.produced:
            # a number it chose by a test of numbers, among literals (the rest of its arithmetic is the count
            # rules', where its number meets a loss: a length of a list of layers it was given is none)
            out |= {t for t in passed.produced if t.startswith("lit:") or t in ("P", "cond", "ncond", "vcond")}
            if "V" in _union(args):
                out |= {"vtest"}  # (no branch rule reads a helper's tests of a count it was given)
        if callee.co_flags & inspect.CO_GENERATOR:
            out |= {"comp", "listed"} if out & _NUMBERS else _NONE  # (what a generator yields: its items, as a comprehension's)
        return out


def _attribute_function(holder: Any, name: str) -> tuple[Any, bool]:
    """The function ``holder.name`` calls, a module's or a class's (a static method's function,
    a class method's with the class as its first parameter: bound), and whether it is bound."""
    if not isinstance(holder, (types.ModuleType, type)):
        return None, False
    try:
        found = inspect.getattr_static(holder, name)
    except AttributeError:
        return None, False
    if isinstance(found, staticmethod):
        return found.__func__, False
    if isinstance(found, classmethod):
        return found.__func__, True
    return found, False


def _holder(fn: Tags) -> str | None:
    """The parameter or free name whose value a call calls where ``fn`` is that value as loaded (``count``
    of ``count(t)``; with what ``bound`` read it to hold), None else."""
    roots = [t for t in fn if not t.startswith("held:")]
    if len(roots) != 1 or not roots[0].startswith(("arg:", "free:")) or roots[0] == "arg:self":
        return None
    return roots[0].split(":", 1)[1]


def _cell(c: Any) -> Any:
    try:
        return c.cell_contents
    except ValueError:  # (an empty cell)
        return None


# A callable a parameter or a free name holds (``_bound_names``), read at its calls (``_Reading._target``): its id ->
# (a weak reference, its serial), the serial -> the reference. Weak: nothing the call gave is kept past it (a lambda's
# cells may hold its tensors); a serial, not an id, in the tags a reading is kept by: an id is another object's once
# this one is gone
_HELD: dict[int, tuple[weakref.ref, int]] = {}
_SERIALS: dict[int, weakref.ref] = {}
_NEXT_SERIAL = itertools.count()
_UNREFERABLE = -1  # (a callable object without weak references: read as code not read, ``_unread_call``)


def _serial(v: Any) -> int:
    """The serial ``v`` is held by (``_HELD``)."""
    held = _HELD.get(id(v))
    if held is not None and held[0]() is v:
        return held[1]
    try:
        ref = weakref.ref(v)
    except TypeError:
        return _UNREFERABLE
    if len(_HELD) > 512:
        _HELD.clear()
        _SERIALS.clear()
    n = next(_NEXT_SERIAL)
    _HELD[id(v)] = (ref, n)
    _SERIALS[n] = ref
    return n


def _bound_names(names: Iterable[str], values: dict[str, Any], root: str) -> dict[str, Tags]:
    """The tags of the parameters or free names ``names`` (``root``: ``arg`` or ``free``) that hold, in
    ``values``, Python code of no library a rule knows (a function, a partial, a callable object):
    ``held:SERIAL`` (``_serial``), beside their ``root:NAME``."""
    out = {}
    for name in names:
        v = values.get(name)
        if v is None or isinstance(v, (types.BuiltinFunctionType, type, types.ModuleType)) or not callable(v) \
                or _of_library(v):
            continue
        out[name] = frozenset({f"{root}:{name}", f"held:{_serial(v)}"})
    return out


def bound(code: types.CodeType, f: types.FrameType) -> dict[str, Tags] | None:
    """The tags ``code``'s reading starts from in the frame ``f`` running it: its parameters ``arg:NAME``,
    those and the free names it calls (``_Reading.holds``) bound to the callables they hold there
    (``_bound_names``); None where it calls none such, or none holds Python code (its plain reading)."""
    r = _argument_reading(code) if _CPYTHON else None
    if r is None or not r.holds:
        return None
    values = f.f_locals
    held = _bound_names(sorted(r.holds & set(code.co_freevars)), values, "free")
    held.update(_bound_names(sorted(r.holds - set(code.co_freevars)), values, "arg"))
    if not held:
        return None
    n = code.co_argcount + code.co_kwonlyargcount + bool(code.co_flags & 4) + bool(code.co_flags & 8)
    return {name: frozenset({f"arg:{name}"}) for name in code.co_varnames[:n]} | held


def holds(code: types.CodeType) -> bool:
    """Whether ``code`` calls a callable one of its parameters or free names holds (its reading depends on
    the frame: ``bound``). Kept per code once its helpers are known (asked for each code a resolution walks)."""
    hit = _HOLDS.get(id(code))
    if hit is not None and hit[0] is code:
        return hit[1]
    if not _CPYTHON or _CALLEES.get(id(code), (None,))[0] is not code:
        return False
    r = _argument_reading(code)
    if len(_HOLDS) > 512:
        _HOLDS.clear()
    _HOLDS[id(code)] = (code, r is not None and bool(r.holds))
    return _HOLDS[id(code)][1]


_HOLDS: dict[int, tuple[types.CodeType, bool]] = {}


def _given_batch(args: list[Tags]) -> bool:
    """Whether a call's arguments hold values of the call (its arguments', a number of the batch)."""
    return any(_rooted(_plain(a)) or _NUMBERS - {"P"} & a for a in args)


def _of_library(value: Any) -> bool:
    """Whether ``value`` (a module, a function, a partial's function, an object) is of a library whose
    functions the rules know (``_LIBRARIES``)."""
    if isinstance(value, (dict, list, tuple)):
        return False  # (a table of callables: what it holds is the code's)
    inner = getattr(value, "func", value)
    module = inner.__name__ if isinstance(inner, types.ModuleType) else (
        getattr(inner, "__module__", None) or getattr(type(inner), "__module__", None) or "")
    return module.split(".")[0] in _LIBRARIES


def _unread_call(name: str, target: Any, args: list[Tags]) -> Tags:
    """A number of the batch (``V``, ``ucall``) where ``target`` is Python code not read here given
    values of the call (``functools.partial(count)(targets)``, a callable object): whatever it returns
    may be computed from them (``max(count, 5)``), equal to a count by value only."""
    if target is None or isinstance(target, (types.BuiltinFunctionType, type)) or not _given_batch(args):
        return _NONE
    if _of_library(target):
        return _NONE
    return _unread(name)


def _unread(name: str) -> Tags:
    """What a call of ``name``, code not read given values of the call, returns: a number of the batch."""
    return frozenset({"V", "ucall", f"ucall:{name}"})


def _given(code: types.CodeType, receiver: Tags | None, args: list[Tags], kw: tuple[str, ...],
           defaults: dict[str, Any] | None = None, unpassed: Tags | None = None) -> dict[str, Tags] | None:
    """The tags of ``code``'s parameters at a call passing ``args`` (the last ``len(kw)`` by the names
    ``kw``) to it, and ``receiver`` to its ``self`` (None: a function); a parameter not passed, one
    whose default applies, holds none (a number ``defaults`` gives: that literal; ``unpassed``: the tags of
    the defaults a function defined in the code was made with). None where the call does not fit the
    parameters (``*args``)."""
    defaults = defaults or {}
    params = list(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
    if code.co_flags & 0x0C:
        return None
    if receiver is not None:
        if not params:
            return None
        given = {params[0]: receiver}
        params = params[1:]
    else:
        given = {}
    positional = args[:len(args) - len(kw)]
    if len(positional) > len(params):
        return None
    given.update(zip(params, positional))
    for name, tags in zip(kw, args[len(args) - len(kw):]):
        if name not in params:
            return None
        given[name] = tags
    for name in params:
        given.setdefault(name, _literal(defaults.get(name)) if name in defaults else unpassed or frozenset({"const"}))
    return given


def _defaults(f: types.FunctionType) -> dict[str, Any]:
    """The default values of ``f``'s parameters, by name."""
    code = f.__code__
    positional = code.co_varnames[:code.co_argcount]
    found = dict(zip(positional[len(positional) - len(f.__defaults__ or ()):], f.__defaults__ or ()))
    return found | (f.__kwdefaults__ or {})


def _literal(v: Any) -> Tags:
    """A constant's tags (``LOAD_CONST``'s)."""
    return frozenset({f"lit:{v!r}", "P"}) if isinstance(v, (int, float)) and not isinstance(v, bool) else frozenset({"const"})


# code id -> (code, its module's globals, its ``self``'s class): where ``_Reading._helper`` finds a callee
_CALLEES: dict[int, tuple[types.CodeType, dict[str, Any], type | None]] = {}
_HELPERS_READ: set[int] = set()  # the helper functions being read (a recursion is not read again)


def note_callees(code: types.CodeType, space: dict[str, Any], owner: type | None) -> None:
    """Note where the functions ``code`` calls by name are found: ``space``, its module's globals, and
    ``owner``, its ``self``'s class (None for a function)."""
    held = _CALLEES.get(id(code))
    if held is not None and held[0] is code:
        return
    if len(_CALLEES) > 512:
        _CALLEES.clear()
    _CALLEES[id(code)] = (code, space, owner)


def note_frame(f: types.FrameType) -> None:
    """``note_callees`` of the code ``f`` runs (its ``self``: a first parameter so named)."""
    code = f.f_code
    held = _CALLEES.get(id(code))
    if held is not None and held[0] is code:
        return
    me = f.f_locals.get("self") if code.co_argcount and code.co_varnames[0] == "self" else None
    note_callees(code, f.f_globals, None if me is None else type(me))


# attributes and methods that give a Python number of a tensor's layout (no value of the images)
_SIZES = frozenset({"shape", "ndim", "size", "numel", "dim", "nelement"})
# methods that read a tensor's values on the host
_READS = frozenset({"item", "tolist"})
_MATH = frozenset({"math", "np", "numpy", "statistics"})
# calls joining a comprehension's tensors into one (``len`` of it counts the items of every image)
_JOINED = frozenset({"call:cat", "call:concat", "call:concatenate", "call:stack", "call:hstack", "call:vstack"})
# tags a host read keeps of the tensor it reads (where it comes from, not what was computed)
_KEPT_BY_READS = frozenset({"iter", "comp", "filter", "pick"})
# Python arithmetic on a host read no rule of host reads follows (they match its value, floored or
# shifted by an epsilon): ``sorted([n, 2])[-1]``, ``round(n / 2)``, ``min(n, 8)``, ``n // 2``
_UNFOLLOWED_READ = frozenset({"call:sorted", "call:round", "call:abs", "call:min", "op://", "op:%", "op:**"})
# functions of ``_MATH`` that compute (not ``np.asarray``, ``np.int64``, ``math.prod``: a conversion, a product)
_COMPUTING = frozenset({"sqrt", "ceil", "floor", "log", "log2", "log10", "exp", "pow", "trunc", "isqrt", "round",
                        "power", "rint", "fabs", "abs", "absolute", "minimum", "clip"})
# Python arithmetic on a number of the batch whose result on a group alone no share of the batch's
# value gives (``n - 3``, ``round(n / 2)``, ``n // 2``, ``min(n, 3)``), and one image's number picked by
# position. (``vcond`` / ``vfilter``, a value or items chosen by a test of such a number, are only marked:
# the branch rules decide tests per group.)
FORBIDDEN = frozenset({"vcall:other", "vstr", "vcall:int", "vop:*V", "vop:-", "vop://", "vop:%", "vop:**", "vop:+lit", "vop:-lit",
                       "vcall:round", "vcall:abs", "vcall:sorted", "vcall:min", "vcall:math", "vmaxlit", "vsumlit",
                       "vchoice", "vtest", "pick", "ucall"})
_DISPLAYS = frozenset({"BUILD_LIST", "BUILD_TUPLE"})
_LOCAL_LOADS = frozenset({"LOAD_FAST", "LOAD_DEREF"})
_ONE_LOAD = frozenset({"LOAD_FAST", "LOAD_CONST", "LOAD_DEREF", "LOAD_GLOBAL", "LOAD_CLASSDEREF"})
# keyword arguments that say where a tensor lives or how it is typed, none of its values
_PLACEMENT = frozenset({"device", "dtype", "layout", "requires_grad", "pin_memory", "memory_format", "non_blocking"})
_OWN = (frozenset({"arg:self"}), frozenset({"arg:cls"}))
_COMPREHENSIONS = frozenset({"<genexpr>", "<listcomp>", "<setcomp>", "<dictcomp>"})
# builtins that compute from a number of the batch given them no rule reads (``divmod(n, 2)``, ``pow(n, 2)``,
# ``str(n)``); the others do no arithmetic on it (``slice``, ``range``) or are the rules' own (``max``, ``len``)
_COMPUTING_BUILTINS = frozenset({"divmod", "pow", "str", "repr", "format", "hex", "oct", "bin", "hash", "ord", "chr",
                                 "complex", "bytes", "bytearray", "ascii"})
# methods that put their arguments into the container they are called on (``sort`` reorders it)
_MUTATORS = frozenset(f"name:{m}" for m in ("append", "extend", "insert", "add", "update", "setdefault", "__setitem__",
                                             "appendleft", "sort", "put"))
# functions of ``_MATH`` that convert a number or add numbers (any other computes from it: ``np.maximum(n, 5)``)
_CONVERTING = frozenset({"int64", "int32", "int16", "int8", "uint8", "float64", "float32", "float16", "asarray", "array",
                         "int_", "float_", "fsum", "sum", "isfinite", "isnan", "isinf", "isclose"})
_OPERATORS = {"add": "+", "iadd": "+", "mul": "*", "imul": "*", "truediv": "/", "itruediv": "/", "sub": "-", "isub": "-",
              "floordiv": "//", "ifloordiv": "//", "mod": "%", "imod": "%", "pow": "**", "ipow": "**", "or_": "|",
              "and_": "&", "xor": "^", "lshift": "<<", "rshift": ">>"}
# modules whose functions give no number of the batch a rule here does not know (their own rules read them)
_LIBRARIES = frozenset({"torch", "numpy", "math", "builtins", "operator", "functools", "itertools", "statistics"})


def _rooted(x: Tags) -> bool:
    """Whether ``x`` comes from an argument of the call (other than ``self``) or an enclosing one."""
    return any(t.startswith(("arg:", "free:")) and t != "arg:self" for t in x)


def _formatted(x: Tags) -> Tags:
    """What formatting ``x`` as text gives (``f"{n}"``): no value, but a number of the batch's text (a
    size's, ``f"{x.shape[0] * 2}"``, as ``format`` of it: ``size_through_builtin``)."""
    if "V" in x:
        return x - {"P"} | {"vstr"}
    return x | {"call:format"} if x & SIZE_TAGS else frozenset({"const"})


def _sorting(x: Tags) -> Tags:
    """What sorting a list with ``x``'s tags in place adds to it (``l.sort()``: as ``sorted(l)``)."""
    return frozenset({"call:sorted"}) | ({"vcall:sorted"} if "V" in x else _NONE) \
        | {f"clit:sorted:{t[4:]}" for t in x if t.startswith("lit:")}


def _pure_literal(x: Tags) -> float | None:
    lits = [t for t in x if t.startswith("lit:")]
    if len(lits) != 1 or x - {"P", lits[0]}:
        return None
    try:
        return float(lits[0][4:])
    except ValueError:
        return None


def _arithmetic(op: str, a: Tags, b: Tags) -> Tags:
    """``a <op> b``: Python arithmetic where both may be Python numbers, marked where a number of
    the batch is in it (``vop:-``; ``vop:+lit`` for a literal added)."""
    if "P" not in a or "P" not in b:
        return (a | b) - {"P", "joined"} | {f"op:{op}"}
    if op == "*" and 0.0 in (_pure_literal(a), _pure_literal(b)):
        return frozenset({"P", "lit:0", f"op:{op}"})  # ``0.0 * n``: 0 on any call
    out = a | b | {f"op:{op}", "P"}
    if "L" in a or "L" in b:
        out |= {f"lop:{op}"}  # (arithmetic on ``len(targets)`` itself, not beside it: ``length_arithmetic``)
    if "V" in a or "V" in b:
        out |= {f"vop:{op}"}
        if op in ("+", "-") and any(_pure_literal(x) not in (None, 0.0) for x in (a, b)):
            out |= {f"vop:{op}lit"}  # (``n = 0`` then ``n += len(x)``: a running total, no shift)
        if op == "*" and "V" in a and "V" in b:
            out |= {"vop:*V"}  # ``len(t) * len(t)``
    return out


def _compared(a: Tags, b: Tags) -> Tags:
    """What ``a < b`` (any comparison) adds where both may be Python numbers: ``vcmp`` where one is a
    number of the batch computed by arithmetic no rule follows (a value it chooses may on a group alone
    be the other). A test of a count itself (``sum(len(u["labels"]) for u in t) > 4``, a filtered
    count) is read where it runs: the branch rules decide it per group."""
    if "P" not in a or "P" not in b:
        return _NONE
    # (nor a value an earlier test of such numbers chose, ``n = s if s > 2 else 2``, nor a multiple of
    # the largest per-image count: the branch rules decide the tests of the numbers themselves)
    unfollowed = any(declined_number(x) or "V" in x and "ncond" in x or extreme_arithmetic(x) for x in (a, b))
    return frozenset({"P", "vcmp"}) if unfollowed or "vlen" in a | b else frozenset({"P"})


def _chosen(tested: Tags) -> Tags:
    """What a value chosen by tests with ``tested``'s tags carries: ``vcond`` where a test compared
    numbers of the batch in Python."""
    # (the test's own arithmetic is not the chosen value's: the branch rules decide the test per group)
    # (nor a test of ``len(targets)`` or of a host read: the rules of lengths and host reads decide it per group)
    # (``ncond``: a test of Python numbers, ``n > 2``, ``n or 2``; not ``i != j`` of a loop's positions)
    return tested - {"P", "L", "H", "V"} - FORBIDDEN | {"cond"} | ({"ncond"} if "P" in tested else _NONE) \
        | ({"vcond", "V"} if "vcmp" in tested else _NONE)


def _element(x: Tags) -> Tags:
    """An item a loop or comprehension takes from ``x``: no number of the batch itself (an index of
    ``range(len(targets))`` is one image's), derived from one image's values (``iter``)."""
    return frozenset(t for t in x if t not in ("V", "P", "L", "H", "ocall") and not t.startswith("v")) | {"iter"}


def _batch(x: Tags) -> Tags:
    """``V`` for a number read (a length, a host read) of ``x``, a value of the call's arguments, where
    it is of the whole batch; ``W`` where of one image (derived from a loop's item, not gathered
    again by a comprehension): on a group alone that image's too."""
    if not _rooted(x):
        return _NONE
    return frozenset({"W"}) if "iter" in x and "comp" not in x else frozenset({"V"})


def _read_of(x: Tags) -> Tags:
    """``H`` for a host read (``.item()``, ``int(..)``) of a tensor ``x`` computed from the call's
    arguments over several images (not one loop item's): the rules of host reads follow its value
    through a floor, an ``+ eps``, a literal multiple; a fallback that meets it reads it as a
    constant."""
    return frozenset({"H"}) if "V" in _batch(x) else _NONE


def _counted_length(x: Tags) -> bool:
    """Whether ``len`` of a value with ``x``'s tags counts items of the batch the rules do not follow
    otherwise: a list a comprehension filtered (``len([u for u in t if ..])``), one image's field
    (``len(u["labels"])``, ``len(targets[0]["labels"])``); not a list the outputs hold
    (``len(outputs["layers"])``: layers, the same on a group alone), nor a tensor's rows (the rules of
    host reads and sizes follow those).
    ``len`` of an argument itself (``len(targets)``) is ``L``: arithmetic on it is read by the rules
    of ``_lengths``, which follow the group's count through it."""
    return "iter" in x and "comp" not in x or "filter" in x or "pick" in x


def _number_call(names: set[str], fn: Tags, receiver: Tags, args: list[Tags], raw: list[Tags]) -> Tags:
    """What a call that gives a Python number adds (``P``; ``V`` for a number of the batch's values
    or lengths, ``W`` for one image's, ``vcall:NAME`` for arithmetic on one of the batch), nothing for
    other calls. ``raw``: the arguments as loaded (a display marked ``name:<display-lit>``)."""
    if len(names) != 1:
        return _NONE
    (name,) = names
    if name in _OPERATORS and "global:operator" in receiver | fn and len(args) == 2:
        return _arithmetic(_OPERATORS[name], args[0], args[1])  # ``operator.add(n, m)``: ``n + m``
    builtin = f"global:{name}" in fn
    maths = bool((receiver | fn) & {f"global:{m}" for m in _MATH})
    # a sum, max or min over a comprehension of one image's numbers each: a number of the batch
    varying = any("V" in a or "W" in a and "comp" in a for a in args) or "V" in receiver
    if builtin and name == "len":
        if args and args[0] and all(t.startswith("arg:") for t in args[0]):
            return frozenset({"P", "L"})  # ``len(targets)``: its arithmetic is read by ``_lengths``
        if args and _rooted(args[0]) and "comp" in args[0] and "joined" in args[0] and "filter" not in args[0]:
            return frozenset({"P", "V", "vlen"})  # ``len(torch.cat([u["labels"] for u in t]))``: the targets' instances
        # ``clen``: of no value of the call's (``len(CLASSES)``, ``len(torch.ones(4, 3))``), nor a list the body built
        # (``blen``: ``losses.append(..)`` per image, its items unread here, its ``len`` read by no host read)
        built = bool(args and args[0] and not _rooted(args[0]) and "built" in args[0])
        const = bool(args and args[0] and not _rooted(args[0]) and (not built or "const" in args[0]))
        listed = built and not const and not any(t.startswith("call:") for t in args[0])
        return frozenset({"P"}) | (_batch(args[0]) if args and _counted_length(args[0]) else _NONE) \
            | ({"clen"} if const else _NONE) | ({"blen"} if listed else _NONE)
    if not builtin and name in _READS:
        return frozenset({"P"}) | _values_read(receiver) | _read_of(receiver)  # (followed by the rules of host reads)
    if not builtin and name in _SIZES:
        return frozenset({"P"})  # (a size of image rows is a ``RowCount``, followed where it meets the images)
    if builtin and name in ("float", "int", "bool"):
        if args and "P" not in args[0]:
            return frozenset({"P"}) | _values_read(args[0]) | _read_of(args[0])  # ``float(mask.sum())``: a host read
        if name == "int" and args and "V" in args[0] and any(t.startswith("vop:") for t in args[0]):
            return frozenset({"P", "V", "vcall:int"})  # ``int(n * 3)``: truncated
        return frozenset({"P"}) | ({"V"} if varying else _NONE)
    # the largest or smallest of numbers of a comprehension's items (``max(len(s) for s, _ in indices)``):
    # of the images', one image's
    chosen = frozenset({"vext"}) if builtin and name in ("max", "min") and len(args) == 1 and "comp" in args[0] \
        and "P" in args[0] else _NONE
    if builtin and name in ("max", "min", "sorted"):  # the literals it chooses among (``max(n, 4.0)``, ``sorted([n, 3])``)
        chosen |= {f"clit:{name}:{c}" for c in (_pure_literal(a) for a in args) if c is not None}
        if name == "sorted" and raw and "name:<display-lit>" in raw[0]:
            chosen |= {f"clit:sorted:{t[4:]}" for t in args[0] if t.startswith("lit:")}  # (``lit:`` of an int or float)
    if not varying:
        return frozenset({"P"}) | chosen if builtin and name in ("round", "abs", "sum", "max", "min", "sorted") or maths \
            else _NONE
    floors = [_pure_literal(a) for a in args]
    if builtin and name in ("max", "min") and len(args) == 1 and "listed" not in args[0]:
        # ``max([n, 5])``, ``max(l)`` of ``l.append(n); l.append(5)``: the literals it chooses among
        floors += [_pure_literal(frozenset({t, "P"})) for t in args[0] if t.startswith("lit:")]
    if builtin and name in ("max", "min") and sum("P" in a and _pure_literal(a) is None for a in args) > 1:
        chosen |= {"vchoice"}  # ``min(n, m)`` of two numbers of the batch: on a group alone the other may be chosen
    if builtin and name == "min" and not any(_pure_literal(a) is not None for a in args):
        return frozenset({"P", "V"}) | chosen  # the smallest of per-image numbers (``min(len(u) for u in t)``): the extremes' rules
    if builtin and name in ("round", "abs", "sorted", "min"):
        return frozenset({"P", "V", f"vcall:{name}"}) | chosen
    if builtin and name == "max":
        return frozenset({"P", "V", "vcall:max"} | ({"vmaxlit"} if any(c is not None and c > 1 for c in floors) else set())) \
            | chosen
    if builtin and name == "sum":
        listed = any("name:<display-lit>" in a for a in raw)
        return frozenset({"P", "V", "vcall:sum"} | ({"vsumlit"} if listed else set()))
    if maths and name not in _CONVERTING:  # (``math.ceil(n / 2)``, ``np.maximum(n, 5)``, ``statistics.median(..)``)
        return frozenset({"P", "V", "vcall:math", f"vcall:{name}"})
    if maths:
        return frozenset({"P", "V"})
    return _NONE


def _values_read(x: Tags) -> Tags:
    """``vread`` for a host read of ``x``, values of the call's argument tensors (``s.max().item()`` of a
    matcher's index tensor), not of a tensor made from a number of the batch (``torch.as_tensor(n)``)."""
    return frozenset({"vread"}) if _rooted(x) and not x & {"V", "W", "L"} else _NONE


def value_kept(tags: Iterable[Tags] | None) -> bool:
    """Whether the Python arithmetic in ``tags`` (each an argument's) keeps the value of a number it is
    done to (``w * 1.0``, ``w / 1``, ``w + 0.0``): on a weight of 1 it gives 1. Unread (None): as kept.
    A function of the body's or of a library called on it (``helper(w)`` returning ``1 - w``,
    ``divmod(w, 1.0)[1]``), code not read (``?``) or a number whose read no tag shows (appended in a
    loop: ``ws.append(1 - w)``) is no proof (red45: each silently wrong where ``1 - w`` equals the
    weights, 0.5)."""
    if tags is None:
        return True
    found = _union(tags)
    if "?" in found or "ucall" in found or "ocall" in found or "sub" not in found and not any(
            t.startswith("attr:") for t in found):
        return False
    if any(t.startswith("call:") and t[5:] not in _KEEPING_CALLS for t in found):
        return False
    ops = {t for t in found if t.startswith("op:")}
    literals = {_pure_literal(frozenset({t, "P"})) for t in found if t.startswith("lit:")}
    return not ops or ops <= {"op:*", "op:/"} and literals <= {1.0} or ops <= {"op:+", "op:-"} and literals <= {0.0}


# calls that give the number they are given (a float of a float), or lay numbers out unchanged
_KEEPING_CALLS = frozenset({"float", "list", "tuple", "array", "asarray", "tensor", "as_tensor"})


def literal_choice(tags: Tags | None, value: Any = None, reads: bool = False, counted: bool = False) -> str | None:
    """How a number of the batch in ``tags`` (a size of a tensor, ``x.shape[0]``; ``len(targets)``; a
    count over the images) was chosen by the builtin ``max`` or ``sorted`` against a number literal
    above 1 (``max(bs, 4.0)``: on a group alone the literal may be chosen), or by ``min`` or ``sorted``
    where the number ``value`` is the literal (``min(bs, 3)`` gave 3: a group alone may have fewer), or
    by ``min`` where ``value`` is above it (computed from the literal it chose: ``2 * int(min(bs, 0.5) * 2)``);
    None where neither is seen. (A float literal is compared by ``float``'s own comparison, which the
    hooks of a count of rows do not see; a host read's floors are the rules of host reads', of a divisor:
    ``reads`` takes a host read's choice too, a factor ``min(n, 9)`` no rule of host reads matches;
    ``counted``, a divisor read as a count it equals, the literal a host read's ``max`` chose.)"""
    if tags is None or not tags & (SIZE_TAGS | {"L", "V", "H"}):
        return None
    # ``/ max(n, 4.0)`` that chose the literal, read as a count it equals (fuzz seed 29): the rules of
    # host reads floor a read max returned; equal to no count, the literal is a constant (split so)
    literal_only = not reads and not tags & (SIZE_TAGS | {"L", "V"})
    if literal_only and not counted:
        return None
    for t in sorted(tags):
        if t.startswith("clit:"):
            _, name, c = t.split(":", 2)
            if literal_only:
                if name == "max" and float(c) > 1 and type(value) in (int, float) and float(value) == float(c):
                    return f"{name}(.., {c})"
            elif name in ("max", "sorted") and float(c) > 1 or name in ("min", "sorted") and type(value) in (
                    int, float) and (float(value) == float(c) or name == "min" and float(value) > float(c)):
                return f"{name}(.., {c})"
    return None


def literal_values(tags: Tags) -> set[float]:
    """The number literals among ``tags`` (``lit:4``)."""
    found = set()
    for t in tags:
        if t.startswith("lit:"):
            try:
                found.add(float(t[4:]))
            except ValueError:
                continue
    return found


def max_floors(tags: Tags | None) -> set[float]:
    """The number literals the builtin ``max`` floored a number of ``tags`` by (``max(n, 1)``)."""
    return set() if tags is None else {float(t.split(":", 2)[2]) for t in tags if t.startswith("clit:max:")}


def declined_number(tags: Tags | None, ignored: frozenset[str] = frozenset()) -> str | None:
    """The Python arithmetic that makes a number with ``tags`` no count or constant the capture can
    split by (``vop:-`` of ``n - 3``), None where none is seen (or only ``ignored`` tags)."""
    if tags is None or "V" not in tags and "ocall" not in tags:
        return None
    found = sorted(tags & (FORBIDDEN | {"ocall"}) - ignored
                   | {t for t in tags if t.startswith("vop:") and t[4:].removesuffix("lit") not in _FOLLOWED_OPS} - ignored)
    return found[0] if found else None


# Python arithmetic on a number of the batch that keeps a group's share of it where nothing else is done
# (``n + m`` of counts, ``2 * n``, ``n / world``); any other is declined (``n | 1``, ``n >> 1``, ``n @ m``)
_FOLLOWED_OPS = frozenset({"+", "*", "/", "*V"})


_SPELLED = {"vop:*V": "n * m of two numbers of the batch", "vcall:int": "int(n * c)", "vop:-": "n - m", "vop://": "n // m", "vop:%": "n % m", "vop:**": "n ** m", "vop:+lit": "n + a literal",
            "vop:-lit": "n - a literal", "vcall:round": "round(n)", "vcall:abs": "abs(n)", "vcall:sorted": "sorted([n, ..])",
            "vcall:min": "min(n, ..)", "vcall:math": "math.f(n)", "vmaxlit": "max(n, c) with c above 1",
            "vsumlit": "sum([n, c])", "vchoice": "max(n, m) or min(n, m) of two numbers of the batch",
            "vtest": "a number a helper returns after a Python test of a number of the batch given to it", "vcond": "a value chosen by comparing n in Python",
            "vfilter": "a comprehension filtered by comparing numbers in Python",
            "pick": "a number of one image picked by position (targets[0])",
            "ucall": "a number a function whose code is not read returns, given values of the batch",
            "vcall:other": "a builtin computing from n (``divmod(n, 2)``, ``pow(n, 2)``, ``str(n)``)",
            "vstr": "n written as text and read back (``int(f\"{n}\")``)",
            "ocall": "a value a callable the criterion or a global holds returns, given values of the batch "
                     "(its code is not read)"}


def unfollowed_read(tags: Tags | None) -> str | None:
    """The Python arithmetic on a number read on the host (``H``) that the rules of host reads do
    not follow, None where none is seen (or no host read)."""
    if tags is None or "H" not in tags:
        return None
    # (``max(n, len(t[0]["labels"]))``: another number of the batch, a helper's test, may be chosen on a group alone)
    found = sorted(tags & (_UNFOLLOWED_READ | {"vchoice", "vtest"}) | {t for t in tags if t.startswith("mcall:")})
    return found[0] if found else None


# Python arithmetic on ``len(targets)`` that meets a fallback: the rules of lengths did not follow it
# (``len(t) + 1``, ``len(t) * 3``, ``len(t) ** 2``, ``min(len(t), 3)``, ``sum([len(t), 1])``)
_LENGTH_ARITHMETIC = frozenset({"op:+", "op:-", "op:*", "op:/", "op://", "op:%", "op:**", "call:round", "call:sum", "call:min",
                                "call:sorted", "call:abs", "call:int"})


def length_arithmetic(tags: Tags | None, path: str) -> str | None:
    """The Python arithmetic on the number of images (``L``: ``len(targets)``) in ``tags`` at the
    ``path`` ("div", "mul") of a loss, None where there is none (``float(len(t))``, ``max(len(t), 1)``
    are the rules of lengths'; a divisor's cap ``min(len(t), 8)`` too, and a factor's ``x / len(t)``:
    a mean over the images, the rules of statistics')."""
    if tags is None or "L" not in tags and not any(t.startswith("lop:") for t in tags):  # (``as_tensor`` keeps no ``L``)
        return None
    on_length = {t[1:] for t in tags if t.startswith(("lop:", "lcall:"))}  # (``op:+``, ``call:sum`` done to it)
    found = sorted(on_length & (_LENGTH_ARITHMETIC - ({"call:min"} if path == "div" else {"op:/"}))
                   | {t for t in on_length if t.startswith("call:") and t[5:] in _COMPUTING})
    return found[0] if found else None


def extreme_arithmetic(tags: Tags | None) -> bool:
    """Whether ``tags`` show Python arithmetic (``2 * n``) on the largest or smallest of per-image
    numbers (``max(len(u["labels"]) for u in t)``) or on a count of the images a comprehension
    filtered: their rules follow the number itself, not a multiple or a shift of it (nor a size of a
    tensor laid out by it, ``x[:, :2 * n].shape[1]``: the size rules follow that)."""
    return tags is not None and "V" in tags and bool(tags & {"vext", "filter"}) and not tags & SIZE_TAGS and (
        "P" not in tags or any(t.startswith("vop:") for t in tags))  # (or made a tensor: ``torch.as_tensor(n)``)


def chosen_literal(tags: Tags | None, value: float) -> bool:
    """Whether ``tags`` show a value chosen by a Python test (``n if n > 2 else 2``) among whose
    literals is ``value``: it may be the literal, whatever count it equals."""
    if tags is None or "ncond" not in tags or tags & SIZE_TAGS and tags & _FACTORIES:
        return False  # (a size of a tensor a factory made, ``torch.zeros(n, 4).shape[0]``: the made sizes' rules)
    return value in literal_values(tags)


def chosen_size_computed(tags: Tags | None) -> bool:
    """Whether ``tags`` show Python arithmetic on a value a Python test chose between a size of a tensor and
    something else (``2 * n`` of ``n = bs if bs > 2 else 2``): where the number is plain, the size's hooks
    did not make it (the other arm did), so whatever count it equals it may be computed from a literal."""
    return tags is not None and "ncond" in tags and bool(tags & SIZE_TAGS) and not tags & _FACTORIES \
        and any(t.startswith("op:") for t in tags)


_FACTORIES = frozenset(f"call:{f}" for f in ("zeros", "ones", "empty", "full", "rand", "randn", "arange", "new_zeros",
                                               "new_ones", "new_empty", "new_full"))
SIZE_TAGS = frozenset({"attr:shape", "call:size", "call:numel", "call:nelement"})
# a tag of each: ``literal_choice``'s (a size, ``L``, ``V``), ``chosen_literal``'s (``ncond``), ``declined_number``'s (``V``)
CHOICE_TAGS = SIZE_TAGS | {"L", "V", "ncond"}


def size_through_math(tags: Tags | None) -> str | None:
    """The function of ``math`` (``math.sqrt(x.numel())``) or ``sorted`` a size of a tensor went
    through in ``tags``: a plain float the size's count does not follow; None where none is seen."""
    if tags is None or not tags & SIZE_TAGS:
        return None
    found = sorted(t for t in tags if t.startswith("mcall:") or t == "call:sorted")
    return found[0] if found else None


def size_through_builtin(tags: Tags | None) -> str | None:
    """The builtin computing from a number (``_COMPUTING_BUILTINS``: ``divmod(x.shape[0] * 2, 1)``,
    ``float(f"{bs}")``) a size of a tensor went through in ``tags``: the size's count has no hook
    there, so what it returns is a plain number no rule follows, whatever count it equals; None where
    none is seen."""
    if tags is None or not tags & SIZE_TAGS:
        return None
    found = sorted(t for t in tags if t.startswith("scall:") or t == "call:format")
    return found[0] if found else None


def size_made_plain(tags: Tags | None) -> str | None:
    """The conversion (``int``, ``float``) that made a size of a tensor a plain number where Python arithmetic
    is also done on it (``int(x.numel() * 3)``, ``sum([int(bs), 4.0])``, ``float(bs) * 2``): the count's
    hooks saw the conversion, not what was computed after it (nor its value, after it), so the result is no
    count the rules follow nor a constant of the call; None where none is seen."""
    if tags is None or not tags & SIZE_TAGS or not tags & _MADE_PLAIN:
        return None
    if not any(t.startswith("op:") for t in tags) and not tags & {"call:sum", "call:round", "call:abs"}:
        return None
    return sorted(tags & _MADE_PLAIN)[0]


def unseen_tests(code: types.CodeType) -> list[str]:
    """The tests in ``code`` (comparisons, truth tests of ``or`` / ``if``) of a number of the batch that
    no branch rule decides per group: a length of a tensor joined from every image's
    (``len(torch.cat([u["labels"] for u in t])) > 4``), a length of one image's field picked by
    position (``len(t[0]["labels"]) > 2``: on a group alone, another image's), each spelled once."""
    r = reading(code)
    if r is None:
        return []
    out = []
    for tags in r.tested.values():
        if "vlen" in tags:  # (a test's outcome carries no ``V``: see COMPARE_OP)
            out.append("a length of a tensor joined from every image's (``len(torch.cat([u[\"labels\"] for u in t]))``)")
        elif "pick" in tags and "vcmp" in tags:  # (not ``"masks" in targets[0]``: no number compared)
            out.append("a length of one image's field picked by position (``len(targets[0][\"labels\"])``)")
        elif "vcmp" in tags:
            out.append("a number of the batch put through Python arithmetic or a choice no rule follows "
                       "(``n * m``, ``round(n / 2)``, ``n`` of ``n = s if s > 2 else 2``)")
    return list(dict.fromkeys(out))


def plain_size_tests(code: types.CodeType) -> list[str]:
    """The tests in ``code`` of a size of a tensor made a plain number (``float(x.shape[0]) ** 2 > 1``,
    ``math.sqrt(bs) > 2``): no hook of a count of rows sees them; a branch on one where the call made
    such a count plain (``Frame.plain_counts``) is decided by no rule per group. Each spelled once."""
    r = reading(code)
    if r is None:
        return []
    out = [f"a size of a tensor made a plain number ({sorted(t.split(':', 1)[1] for t in tags if t in _MADE_PLAIN or t.startswith('mcall:'))[0]})"
           for tags in r.tested.values()
           if tags & SIZE_TAGS and "cmp:not" not in tags and (tags & _MADE_PLAIN or any(t.startswith("mcall:") for t in tags))]
    return list(dict.fromkeys(out))


_MADE_PLAIN = frozenset({"call:float", "call:int"})


def spelled(tag: str) -> str:
    """A warning's spelling of a ``FORBIDDEN`` tag."""
    return _SPELLED.get(tag, f"n {tag[4:]} m" if tag.startswith("vop:") else tag)


def _plain(x: Tags) -> Tags:
    """``x`` less the names a callable carries to its call (``name:len``)."""
    return frozenset(t for t in x if not t.startswith(("name:", "code:", "into:"))) if any(
        t.startswith(("name:", "code:", "into:")) for t in x) else x


def _union(xs: Iterable[Tags]) -> Tags:
    out: set[str] = set()
    for x in xs:
        out |= x
    return frozenset(out)


_READINGS: dict[tuple[int, tuple[tuple[str, Tags], ...]], tuple[types.CodeType, _Reading | None]] = {}


_CPYTHON = sys.implementation.name == "cpython" and sys.version_info[:2] == _CHECKED


def reading(code: types.CodeType, first: dict[str, Tags] | None = None,
            frame: types.FrameType | None = None) -> _Reading | None:
    """The reading of ``code`` with its parameters tagged ``arg:NAME`` (or ``first``'s tags: a
    comprehension's iterable and free names; ``frame``: as the frame running it binds them, ``bound``),
    None where its bytecode holds something not read here or this is not CPython 3.11. Kept per code
    object (and ``first``)."""
    if not _CPYTHON:
        return None
    if first is None:
        held = _CALLEES.get(id(code))
        if held is None or held[0] is not code:  # (where its helpers are found is not known yet: not kept, so
            return _read_arguments(code)  # a reading once it is tells what they return)
        plain = _argument_reading(code)
        if frame is None or plain is None or not plain.holds:
            return plain
        first = bound(code, frame)
        if first is None:
            return plain
    key = (id(code), tuple(sorted(first.items())))
    hit = _READINGS.get(key)
    if hit is not None and hit[0] is code:
        return hit[1]
    if len(_READINGS) > 512:
        _READINGS.clear()
    r = _Reading(code, first)
    _READINGS[key] = (code, None if r.failed else r)
    return _READINGS[key][1]


def _read_arguments(code: types.CodeType) -> _Reading | None:
    """``reading`` of ``code`` with each parameter tagged ``arg:NAME``."""
    n = code.co_argcount + code.co_kwonlyargcount + bool(code.co_flags & 4) + bool(code.co_flags & 8)
    r = _Reading(code, {name: frozenset({f"arg:{name}"}) for name in code.co_varnames[:n]})
    return None if r.failed else r


_argument_reading = _per_code(512)(_read_arguments)


def operand_tags(code: types.CodeType, lasti: int, depth: int, frame: types.FrameType | None = None) -> Tags | None:
    """The tags of the value ``depth`` slots below the top of the stack (0: the top) before the
    instruction at ``lasti`` (in ``frame``, where given: ``reading``), None where that cannot be read."""
    r = reading(code, frame=frame)
    if r is None:
        return None
    stack = r.stacks.get(lasti)
    if stack is None or depth >= len(stack):
        return None
    return stack[len(stack) - 1 - depth]


def resolved(tags: Tags, f: types.FrameType, back: Callable[[types.FrameType], tuple[types.FrameType, int] | None],
             depth: int = 0, root: list[types.FrameType] | None = None) -> Tags:
    """``tags`` of a value in the frame ``f`` with its parameters read in the frames that called it:
    ``arg:NAME`` of a helper the body called (``self.loss_boxes(.., num_boxes)``) becomes the tags
    of the argument at that call, ``free:NAME`` and ``.0`` of a comprehension those of its enclosing
    code. ``back(f)`` gives the calling frame and the offset of its CALL, None at the body (whose
    parameters stay ``arg:NAME``). ``root``, where given, gets the frame whose parameters the
    ``arg:NAME`` tags returned name (none where the tags are not read to the end)."""
    code = f.f_code
    local, free = set(), set()
    for t in tags:  # (a loop: no comprehensions per resolution)
        if t.startswith("arg:"):
            local.add(t[4:])
        elif t.startswith("free:"):
            free.add(t[5:])
    local.intersection_update(code.co_varnames)
    if depth > 4 or not local and not free or "?" in tags:
        if root is not None and depth <= 4 and "?" not in tags:
            root.append(f)
        return tags
    if code.co_name.startswith("<") and (".0" in local or free):
        outer = f.f_back
        while outer is not None and not any(c is code for c in outer.f_code.co_consts):
            outer = outer.f_back
        if outer is None:
            return tags | _UNKNOWN
        note_frame(outer)
        held = reading(outer.f_code, frame=outer)
        first = None if held is None else held.firsts.get(id(code))
        if first is None:
            return tags | _UNKNOWN
        inner = reading(code, first)
        if inner is None:
            return tags | _UNKNOWN
        keep = tags - {f"arg:{n}" for n in local if n == ".0"} - {f"free:{n}" for n in free}
        more = _union(first.get(n, _NONE) for n in free | ({".0"} & local))
        return resolved(keep | more, outer, back, depth + 1, root)
    called = None if not local else back(f)
    if called is None:
        if root is not None:
            root.append(f)
        return tags
    caller, offset = called
    note_frame(caller)
    r = reading(caller.f_code, frame=caller)
    if r is None:
        return tags | _UNKNOWN
    stack = r.stacks.get(offset)
    at = r.at.get(offset)
    if stack is None or at is None or r.instructions[at].opname != "CALL":
        return tags | _UNKNOWN
    argc = r.instructions[at].arg or 0
    names: tuple[str, ...] = ()
    for j in range(at - 1, max(at - 3, -1), -1):
        if r.instructions[j].opname == "KW_NAMES":
            # (3.11's dis gives KW_NAMES the index into co_consts as its argval, 3.12's the tuple)
            kw = caller.f_code.co_consts[r.instructions[j].arg or 0]
            if not isinstance(kw, tuple):
                return tags | _UNKNOWN
            names = kw
    if len(stack) < argc + 2:
        return tags | _UNKNOWN
    args = list(stack[len(stack) - argc:])
    below = stack[len(stack) - argc - 2]
    params = list(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
    positional = args[:argc - len(names)]
    if below != _NULL or params[:1] == ["self"]:
        params = params[1:]
    given = dict(zip(params, positional))
    given.update(zip(names, args[argc - len(names):]))
    if below != _NULL and code.co_varnames[:1] == ("self",):  # a method's receiver (``crit.loss(..)``)
        given["self"] = _plain(stack[len(stack) - argc - 1])
    keep = tags - {f"arg:{n}" for n in local}
    # (an item a loop took from what an unread callable returned is no number it returned:
    # ``for i, (src, _) in enumerate(indices)`` of ``indices = self.matcher(..)``)
    drop = frozenset({"ocall"}) if "iter" in tags else _NONE
    for n in local:
        if n not in given:
            return tags | _UNKNOWN
        keep |= given[n] - drop
    return resolved(keep, caller, back, depth + 1, root)
