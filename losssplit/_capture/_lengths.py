"""Where the code of a call tests the number of per-image targets, following the list of targets
(and numbers holding its length) out of the decorated body: into the functions and methods it
is passed to, the closures and comprehensions that read it, and back out of a helper that returns
its length.

``len(targets)`` is a plain ``int``: no torch call sees it compared, only the code does. On a
group alone the number of targets is the group's images, so a test of it is a branch whose
decision each group takes for itself (``Frame.targets_length_tests``). A test the scan cannot
reach is a companion that silently takes the batch's decision, so a call whose callee cannot be
told (``self.fns[k](targets)`` of a value computed at run time) is reported, not skipped.
"""

from __future__ import annotations

import builtins
import dis
import functools
import inspect
import math
import operator
import statistics
import sys
import types
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import torch

from . import _bytecode
from ._bytecode import (
    _POPS_PUSHES,
    _instructions,
    _literal_locals,
    _per_code,
    _stores,
    _tests_of,
)

_DEPTH = 8  # calls followed from the body; deeper, the callee counts as not told
_NOT_FOLLOWED = ("torch", "losssplit", "numpy", "builtins", "functools", "typing", "collections", "abc", "copy")


class _Unknown:
    __slots__ = ()


_UNKNOWN = _Unknown()
_NULL = _Unknown()  # the NULL a call's callable is pushed with


class Env(NamedTuple):
    """What the code of a function sees: its module's globals, its closure cells' values and the
    locals known before it runs (``self`` of a method)."""

    code: types.CodeType
    globals: dict[str, Any]
    cells: dict[str, Any]
    local: dict[str, Any]


@dataclass
class Found:
    """Tests of the length (``("gt", 2.0)``, a ``_Named`` value read in ``env``), and the calls
    receiving the list or its length whose callee could not be told."""

    tests: list[tuple[str, Any, Env]] = field(default_factory=list)
    untold: list[str] = field(default_factory=list)
    sized: list[tuple[str, Any, Any, types.CodeType, Env, str]] = field(default_factory=list)
    """Tests of a builtin's reduction of a comprehension over the list that reads only the items'
    sizes (``sum(len(t["labels"]) for t in targets) > 4``, also a running count of them as the
    ``sum`` of one): (op, than, the builtin, the comprehension's code, the env, what it is), each
    group's value computed by ``reduced`` on its items."""
    picked: list[tuple[int, Any, bool]] = field(default_factory=list)
    """Fields of one target read by its position (``targets[0]["scale"]``): (position, key, whether
    the value read is compared: ``targets[-1]["loss_weight"] > 0.7``)."""
    bounded: list[tuple[Any, types.CodeType]] = field(default_factory=list)
    """The builtin ``max`` / ``min`` of a comprehension over the list reading only sizes (``max(len(s["labels"])
    for s in targets)``): (the builtin, the comprehension's code), its value computed by ``reduced``."""
    field_tests: list[tuple[str, str | None, Any, str]] = field(default_factory=list)
    """Python tests of a field of a dict read by a constant key in the code read (``if s["loss_weight"]
    == 1.0:`` in a loop over the targets, ``match s["loss_weight"]: case 1.0:``): (key, op, than,
    where), as ``_field_tests``."""


class _Scan(NamedTuple):
    tests: tuple[tuple[str, Any, int], ...]  # (op, than, index of the instruction pushing what is tested)
    passes: tuple[tuple[int, int | str, bool | str | None], ...]  # (CALL index, argument, the length: True, a
    # number computed from it: None, the list: False, a value iterated from it: _IT)
    nested: tuple[tuple[types.CodeType, frozenset[str], frozenset[str]], ...]
    returns: int  # 0, or the code returns the length (_EXACT) or a number computed from it (_DERIVED)
    results: tuple[tuple[int, bool | str | None], ...]  # (CALL index, the length: True, a number computed from
    # it: False, a tensor made from it: None, a value iterated from the list: _IT): calls of a builtin on it
    copies: tuple[int, ...]  # CALLs whose first argument is the list (``list(targets)``, ``sorted(targets)``)
    escapes: tuple[int, ...]  # where the list is put in a container or an attribute
    reducible: tuple[tuple[int, types.CodeType], ...]  # (CALL index, code): a call of a global on one
    # comprehension over the list whose code reads only sizes (``sum(len(t["labels"]) for t in targets)``)
    sized: tuple[tuple[str, Any, int, int], ...]  # (op, than, index tested, its reducible CALL): tests of
    # what such a call returns, when it is the builtin ``_REDUCERS``
    picked: tuple[tuple[int, Any, int, bool], ...]  # (position, key, index of the list's load, compared):
    # ``targets[0]["scale"]``


_EXACT, _DERIVED, _LIST, _TENSOR, _ITER, _ENUMERATED, _SIZES = 1, 2, 3, 4, 5, 6, 7
# in a scan, besides the length (True), a number computed from it (False) and a tensor made from it
# (None): a value computed by iterating the list (``_IT``: ``sum(1 for _ in t)``, ``zip(t, ...)``,
# ``t[1:]``, what code not read returns from the list), the position of an iteration whose count is
# the list's (``_IX``: ``i`` of ``enumerate(t)``, of ``range(len(t))``)
_IT, _IX = "iter", "index"
_CP = "compounded"  # a local a loop over the list steps by a number literal other than a count's ``+= 1``
_SZ = "sz"  # ``f"sz{k}"``: what the reducible CALL at ``k`` returns (``_SIZES``), a number of each group's own
_REDUCERS = (builtins.sum, builtins.max, builtins.min, builtins.any, builtins.all, builtins.len)
# functions of Python code that compute a number from a list of numbers and nothing else, run per group
# by ``reduced`` as the builtins are (``statistics.mean(w) < 0.9``); ``sorted`` where an item of it is tested
_PURE_REDUCERS = (builtins.sorted, statistics.mean, statistics.fmean, statistics.median, statistics.median_low,
                  statistics.median_high, statistics.geometric_mean, statistics.harmonic_mean, math.fsum, math.prod)
# builtins whose result tells nothing of the list's items or number (``isinstance(targets, list)``)
_NOT_ITERATING = (builtins.len, builtins.isinstance, builtins.issubclass, builtins.type, builtins.id, builtins.hash,
                  builtins.callable, builtins.hasattr, builtins.print)
_SAME_LENGTH = (builtins.list, builtins.tuple, builtins.sorted)  # a copy of the list: as long as it
# the same by identity, as ids (the objects are held above, so their ids stay theirs): a set test in C, no
# ``__eq__`` of the user's callable run
_SAME_LENGTH_IDS = frozenset(map(id, _SAME_LENGTH))
_UNREAD_OF_LIST = frozenset(map(id, _NOT_ITERATING + _SAME_LENGTH))
_UNREAD_OF_ITEM = frozenset(map(id, _NOT_ITERATING[1:]))
# builtins whose result is a number computed from their argument's (``float(len(t))``, ``max(n, 1)``)
_NUMERIC = frozenset({builtins.int, builtins.float, builtins.abs, builtins.round, builtins.max, builtins.min,
                      builtins.pow, builtins.bool})
_NUMERIC_IDS = frozenset(map(id, _NUMERIC))  # (by identity, as ``_SAME_LENGTH_IDS``)
_DISPLAYS = frozenset({"BUILD_LIST", "BUILD_TUPLE", "BUILD_SET"})
_OPAQUE = _bytecode._Named("computed", "a number computed from the length")
_ITERATED = _bytecode._Named("computed", "a value computed by iterating the targets")
_POSITION = _bytecode._Named("computed", "the position of an iteration over the targets")
_COMPOUNDED = _bytecode._Named("computed", "a number stepped by a literal once per iteration over the targets")


def length_tests(fn: types.FunctionType, bound: dict[str, Any], lists: frozenset[str]) -> Found:
    """The tests of the length of the list held by the parameters ``lists`` of ``fn`` (called with
    its parameters ``bound`` to these values), in ``fn``'s code and the code it passes the list
    or its length to."""
    found = Found()
    if sys.version_info[:2] in _bytecode._TEST_CHECKED:  # the layout of calls and comparisons read
        _visit(_env_of(fn, bound), lists, frozenset(), frozenset(), found, set(), 0)
    return found


def _same_length(called: Any) -> bool:
    """Whether ``called`` is a builtin making a copy of the list (``_SAME_LENGTH``)."""
    return id(called) in _SAME_LENGTH_IDS


def _visit(env: Env, lists: frozenset[str], counts: frozenset[str], derived: frozenset[str], found: Found,
           seen: set[tuple[Any, ...]], depth: int,
           guessed: bool = False, iterated: frozenset[str] = frozenset()) -> int:
    """Adds ``env.code``'s tests to ``found``; whether the code returns the length (see ``_Scan``).
    ``guessed``: ``lists`` may hold parameters that are not the list (``f(*xs, targets)``, every
    positional one taken): their tests count, what they are passed to or stored in does not."""
    untold = found.untold if not guessed else []
    # the values bound are part of the key: ``scale(t, 0)`` and ``scale(t, 5)`` test otherwise
    key = (id(env.code), lists, counts, derived, iterated, guessed, tuple(sorted((n, id(v)) for n, v in env.local.items())))
    if key in seen:
        return 0
    seen.add(key)
    if env.globals.get("len", builtins.len) is not builtins.len:
        return 0
    returned: dict[int, int] = {}
    calls: dict[int, tuple[Any, list[tuple[Env, int]] | None]] = {}
    caught = frozenset(n for n in _clause_globals(env.code) if n not in builtins.__dict__ and isinstance(
        g := env.globals.get(n), type) and issubclass(IndexError, g))  # ``except IE:``, ``IE = IndexError``
    copied: dict[int, Any] = {}  # ``_callable`` of each copy's CALL, read once per visit (the values stand still)
    while True:
        scan = _scanned(env.code, lists, counts, derived, tuple(sorted(returned.items())), iterated, caught)
        reducible = dict(scan.reducible)
        for k in scan.copies:
            if k not in copied:
                copied[k] = _callable(env, k)
        more: dict[int, int] = {k: _LIST for k in scan.copies if _same_length(copied[k])}
        for k, exact in scan.results:
            called = _call(env, k, calls)[0]
            if id(called) in _NUMERIC_IDS:  # ``float(n)`` is ``n``; ``max(n, 1)`` another number
                more[k] = _EXACT if exact and called in (int, float) and _instructions(env.code)[k].arg == 1 else _DERIVED
            elif callable(called) and _functions(called, env, 0) == [] and not _skipped(env, _call_start(env.code, k)):
                # code not read (not ``partner(b, n)`` of a ``partner`` None: never run): what it returns may be
                # anything computed from the length (``math.ceil(n / 2)``, ``str(n)``, ``operator.gt(n, 2)``); a
                # tensor or an array made from it (``torch.arange(n)``) indexes without a decision, and what
                # torch computes from such a tensor holds data, not the length
                if not _array_module(called):
                    more[k] = _DERIVED
                elif exact is not None:
                    more[k] = _TENSOR
        for k, argument, is_count in scan.passes:
            if _skipped(env, _call_start(env.code, k)):
                continue
            called, callees = _call(env, k, calls)
            if is_count == _IT and k in reducible and (callees == [] and any(called is r for r in _REDUCERS)
                                                       or any(called is r for r in _PURE_REDUCERS)):
                more[k] = _SIZES  # ``sum(len(t["labels"]) for t in targets)``: computed per group (``reduced``)
                if not guessed and (called is builtins.max or called is builtins.min):
                    found.bounded.append((called, reducible[k]))
                continue
            kind = _unread_result(called, is_count is False) if callees == [] and (is_count is False or is_count == _IT) \
                and k not in more else 0
            if kind:  # ``sum(map(f, targets))``, ``np.array(targets)``, ``len(list(iter(targets)))``
                more[k] = kind
            if callees is None or depth >= _DEPTH:
                if is_count is False:  # a count passed on (``x.view(n, -1)``, a tensor's method) is not tracked
                    untold.append(_describe(env.code, k))
                continue
            for callee, shift in callees:
                callee = _bound(env, k, callee, shift)
                name = _parameter(callee.code, argument, shift)
                if name is None:
                    if is_count is False:
                        untold.append(_describe(env.code, k))
                    continue
                names, none = frozenset(name if isinstance(name, tuple) else (name,)), frozenset[str]()
                given = _visit(callee, names if is_count is False else none, names if is_count is True else none,
                               names if is_count is None else none, found, seen, depth + 1, guessed or argument == "*",
                               names if is_count == _IT else none)
                if given:
                    more[k] = max(more.get(k, 0), given)
        if all(returned.get(k) == v for k, v in more.items()):
            break
        returned.update(more)
    untold += [_describe(env.code, k) for k in scan.escapes]
    for op, c, p in scan.tests:
        if not _skipped(env, _test_start(env.code, p)):
            value = env.local.get(c.name) if isinstance(c, _bytecode._Named) and c.kind == "param" else None
            found.tests.append((op, float(value) if isinstance(value, (int, float)) and type(value) is not bool else c, env))
    for op, c, p, k in scan.sized:
        if guessed:  # the list may be another parameter: its items are not known
            found.tests.append((op, _ITERATED, env))
        elif not _skipped(env, _test_start(env.code, p)):
            value = env.local.get(c.name) if isinstance(c, _bytecode._Named) and c.kind == "param" else None
            than = float(value) if isinstance(value, (int, float)) and type(value) is not bool else c
            if _instructions(env.code)[k].opname == "FOR_ITER":  # a running count (``_running_count``)
                found.sized.append((op, than, builtins.sum, reducible[k], env, "a running count of the targets' sizes"))
            else:
                reducer = _call(env, k, calls)[0]
                name = f"{getattr(reducer, '__name__', 'a reduction')}()"
                at = _picked_item(_instructions(env.code), k)
                if at is not None:  # ``sorted(w)[0]``
                    reducer, name = functools.partial(_item_at, reducer, at), f"{name}[{at}]"
                found.sized.append((op, than, reducer, reducible[k], env, f"{name} of a comprehension over the targets"))
    for c, key, p, compared in scan.picked:
        if not guessed and not _skipped(env, _test_start(env.code, p)):
            found.picked.append((c, key, compared))
    for field_key, test_op, than, p in (*_field_tests(env.code), *_helper_field_tests(env)):
        if (named := _name_key(env, field_key)) is not None and not _skipped(env, _test_start(env.code, p)):
            found.field_tests.append((named, test_op, than, _describe(env.code, p)))
    for code, inner_lists, inner_counts in scan.nested:
        stored = _constant_stores(env.code)  # (``name = "loss_weight"`` of the body, read in its generator)
        cells = {**{n: stored[n] for n in code.co_freevars if n in stored}, **env.cells,
                 **{n: env.local[n] for n in code.co_freevars if n in env.local}}
        _visit(Env(code, env.globals, cells, {}), inner_lists, inner_counts & counts, inner_counts - counts,
               found, seen, depth + 1, guessed)
    return scan.returns


@_per_code(512)
def _scanned(code: types.CodeType, lists: frozenset[str], counts: frozenset[str], derived: frozenset[str],
             returned: tuple[tuple[int, int], ...], iterated: frozenset[str] = frozenset(),
             caught: frozenset[str] = frozenset()) -> _Scan:
    """``code``'s own reading of the list (its names ``lists``) and its length: the names
    ``counts`` hold it, the names ``derived`` a number computed from it, the CALLs ``returned``
    return either (``_EXACT``, ``_DERIVED``). A test of the length itself is read as
    ``_bytecode._tests_of`` reads it; any test of a number computed from it, or of the length
    with an operand the code does not show, is ``_OPAQUE`` (no group's decision is known).
    The names ``iterated`` and the CALLs ``returned`` as ``_ITER`` hold a value computed by
    iterating the list (``_IT``): a test of it, or of the position of a loop over the list
    (``_IX``), or of a local such a loop steps by a constant (``n += 1``), is as opaque. ``caught``:
    the module's global names for IndexError or a class it derives from."""
    instructions = _instructions(code)
    loads = ("LOAD_FAST", "LOAD_DEREF")
    given = lists
    lists = lists | {instructions[s].argval for k, v in returned if v == _LIST  # ``ts, n = list(targets), 0`` too
                     and (s := _stored_at(instructions, k)) is not None and _stored_once(instructions, instructions[s].argval)}
    lists = lists | _aliases(instructions, lists)
    exact = {k for k, v in returned if v == _EXACT}
    computed = {k for k, v in returned if v == _DERIVED}
    tensors = {k for k, v in returned if v == _TENSOR}
    enumerated = {k for k, v in returned if v == _ENUMERATED}
    for k, i in enumerate(instructions):
        if (i.opname == "CALL" and i.arg == 1 and k >= 3 and instructions[k - 1].opname == "PRECALL"
                and instructions[k - 2].opname in loads and instructions[k - 2].argval in lists
                and instructions[k - 3].opname == "LOAD_GLOBAL" and instructions[k - 3].argval == "len"
                and (instructions[k - 3].arg or 0) & 1):
            exact.add(k)
        elif (i.opname == "CALL" and i.arg == 0 and k >= 3 and instructions[k - 1].opname == "PRECALL"
              and instructions[k - 2].opname == "LOAD_METHOD" and instructions[k - 2].argval == "__len__"
              and instructions[k - 3].opname in loads and instructions[k - 3].argval in lists):
            exact.add(k)  # ``targets.__len__()``
    held: dict[str, bool | str | None] = {n: not _stores(instructions, n) for n in counts}
    held.update(dict.fromkeys(derived, False))
    held.update(dict.fromkeys(iterated, _IT))
    tests: list[tuple[str, Any, int]] = [*_while_loops(code, lists), *_caught_indexing(code, lists, caught)]
    passes: list[tuple[int, int | str, bool | str | None]] = []
    results: list[tuple[int, bool | str | None]] = []
    returns = 0
    # (index, True: the length, False: a number computed from it, None: a tensor or array, _IT, _IX)
    todo: list[tuple[int, bool | str | None]] = [(k, None) for k in tensors]
    todo += [(k, True) for k in exact] + [(k, False) for k in computed]
    todo += [(k, _IT) for k, v in returned if v in (_ITER, _ENUMERATED)]
    todo += [(k, f"{_SZ}{k}") for k, v in returned if v == _SIZES]
    reducible: list[tuple[int, types.CodeType]] = []
    sized: list[tuple[str, Any, int, int]] = []
    for p in [k for k, i in enumerate(instructions) if i.opname in loads and i.argval in lists]:
        after = instructions[p + 1] if p + 1 < len(instructions) else None
        consumer = _fed(instructions, p)
        if after is not None and after.opname == "GET_ITER":  # ``for t in targets``, ``[... for t in targets]``
            made, names = _iterating(instructions, p + 1, 0)
            todo += [(made, _IT)] if made is not None else []
            held.update(names)
            # its items are the group's on a group alone where the name holds the list all along
            kept = _stored(code).get(instructions[p].argval, 0) == (0 if instructions[p].argval in given else 1)
            reducible += _reducible(code, p + 1) if made is not None and kept else ()
            running = _running_count(code, p + 1) if made is None and kept else None
            if running is not None:  # ``n = 0; for t in targets: n += len(t["labels"])``: as a ``sum`` of it
                reducible.append((p + 2, running[1]))
                held[running[0]] = f"{_SZ}{p + 2}"
            elif made is None:  # stepped otherwise (in a branch, from 1, with more in the loop): tests opaque
                held.update(dict.fromkeys(_stepped(code, p + 1), f"{_SZ}{p + 2}"))
        elif after is not None and after.opname == "UNPACK_EX":  # ``first, *rest = targets``
            held.update(dict.fromkeys(_starred(instructions, p + 1), _IT))
        elif consumer is not None and consumer[1] == 0 and instructions[consumer[0]].opname == "BINARY_SUBSCR" \
                and instructions[consumer[0] - 1].opname == "BUILD_SLICE":
            todo.append((consumer[0], _IT))  # ``targets[1:]``
    done: set[int] = set()
    literals = _literal_locals(code)
    while todo or held:
        if held:
            for name, is_exact in list(held.items()):
                todo += [(k, is_exact) for k, i in enumerate(instructions) if i.opname in loads and i.argval == name]
            held.clear()
            continue
        p, is_exact = todo.pop()
        if p in done:
            continue
        done.add(p)
        if is_exact == _CP:  # any read of it but its own step: no group's value is known (a factor too)
            tests += [] if _constant_step(instructions, p) else [("eq", _COMPOUNDED, p)]
            continue
        after = instructions[p + 1] if p + 1 < len(instructions) else None
        store = _stored_at(instructions, p)
        if store is not None:  # ``n = len(t)``, ``n, w = len(t), 1.0``, ``(n := len(t)) > 2``
            name = instructions[store].argval
            once = _stored_once(instructions, name)
            held[name] = (is_exact if once or not is_exact.startswith(_SZ) else _IT) if isinstance(is_exact, str) \
                else is_exact and once
            if after is not None and after.opname == "COPY":
                todo.append((store, is_exact))  # the walrus's value, tested on
            continue
        if after is not None and after.opname == "COPY" and after.arg == 1:  # ``match len(t):``, its cases
            tests.append(("eq", _ITERATED if is_exact == _IT else _OPAQUE, p))  # testing copies of it
            continue
        if after is not None and after.opname == "GET_ITER" and is_exact is not True and is_exact != _IX:
            # ``range(len(t))``, ``enumerate(t)``: the loop's position; a comprehension: what it makes
            made, names = _iterating(instructions, p + 1, 2 if p in enumerated else 0 if is_exact == _IT else 1)
            todo += [(made, _IT)] if made is not None else []
            if made is None and is_exact == _IT:  # ``for x, s in zip(outputs, targets): n += len(s["labels"])``
                held.update(dict.fromkeys(_numbers_stepped(code, instructions, p + 1), _IT))
            held.update(names)
            continue
        if isinstance(is_exact, str) and is_exact.startswith(_SZ):
            own = _tests_of(instructions, [p], literals, named=True)
            if not own and _picked_item(instructions, p) is not None:  # ``sorted(w)[0] < 0.9``: the item tested
                own = _tests_of(instructions, [p + 2], literals, named=True)
            if own and int(is_exact[len(_SZ):]) not in dict(reducible):  # a running count not read (``_stepped``)
                tests.append(("eq", _ITERATED, p))
                continue
            if own:  # ``n > 4``, ``if n:`` of ``n = sum(len(t["labels"]) for t in targets)``: decided per group
                sized += [(op, c, p, int(is_exact[len(_SZ):])) for op, c in own]
                continue
            head = instructions[int(is_exact[len(_SZ):])]
            if head.opname == "FOR_ITER" and head.offset < instructions[p].offset < head.argval:
                continue  # a running count's own step in its loop
            is_exact = _IT  # anything else it reaches (a divisor: the mode's, per group): as any value iterated
        if isinstance(is_exact, str):
            returns = max(returns, _iterated_use(code, instructions, p, is_exact, tests, passes, todo))
            continue
        own = _tests_of(instructions, [p], literals, named=True) if is_exact else ()
        if own:
            tests += [(op, c, p) for op, c in own]
            continue
        if after is not None and (after.opname == "UNARY_NOT" or after.opname.startswith("POP_JUMP")):
            tests.append(("ne", _OPAQUE, p))
            continue
        consumer = _fed(instructions, p)
        if consumer is None:
            continue
        k, slot = consumer
        op = instructions[k].opname
        other = _bytecode._other_operand(instructions, k, slot) if op == "COMPARE_OP" and is_exact else None
        if other is not None and other.opname == "LOAD_FAST" and instructions[k].argval in _bytecode._COMPARISONS:
            compared = _bytecode._COMPARISONS[instructions[k].argval]  # with a parameter: its value in the call
            tests.append((compared if slot == 0 else _bytecode.SWAPPED[compared], _bytecode._Named("param", other.argval), p))
        elif op in ("COMPARE_OP", "CONTAINS_OP", "IS_OP") or op == "BINARY_SUBSCR" and slot == 1 and is_exact is not None:
            tests.append(("eq", _OPAQUE, p))
        elif op in _ARITHMETIC:
            todo.append((k, False if is_exact is not None else None))
        elif is_exact is not None and (op in _DISPLAYS and _chosen_from(code, instructions, k)
                                       or op == "BINARY_SUBSCR" and slot == 0 and is_exact is False):
            todo.append((k, False))  # ``sorted([len(t), 2])[-1]``: the display, and its item, computed from it
        elif is_exact is None and (op == "LOAD_ATTR" or op == "BINARY_SUBSCR" and slot == 0):
            todo.append((k, None))  # what a tensor computed from the length holds (``.shape[0]``)
        elif is_exact is None and op == "LOAD_METHOD" and (method := _fed(instructions, k)) is not None \
                and instructions[method[0]].opname == "CALL":
            todo.append((method[0], None))  # what its methods return (``.item()``, ``.numel()``)
        elif op == "RETURN_VALUE":
            returns = max(returns, _EXACT if is_exact else _DERIVED)
        elif op == "CALL" and slot == 2 and is_exact is not None and _calls_method(code, k, "get"):
            tests.append(("eq", _OPAQUE, p))  # ``table.get(len(t), 1.0)``: a lookup by it
        elif op == "CALL" and slot >= 2:
            argument = _argument(code, instructions, k, slot - 2)
            if argument is not None:
                passes.append((k, argument, is_exact or None))
            results.append((k, is_exact))
    copies: list[int] = []
    escapes: list[int] = []
    for p in [k for k, i in enumerate(instructions) if i.opname in loads and i.argval in lists]:
        consumer = _fed(instructions, p)
        if consumer is None:
            continue
        op = instructions[consumer[0]].opname
        if op == "CALL" and consumer[1] >= 2:
            argument = _argument(code, instructions, consumer[0], consumer[1] - 2)
            if argument is not None:
                passes.append((consumer[0], argument, False))
            if consumer[1] == 2:  # the first argument
                copies.append(consumer[0])
        elif op in ("BUILD_TUPLE", "BUILD_LIST") and (called := _unpacked_into(instructions, consumer[0])) is not None:
            passes.append((called, consumer[1], False))  # ``self.get_loss(loss, outputs, targets, **kwargs)``
        elif op == "LIST_APPEND" and (called := _appended_into(instructions, consumer[0])) is not None:
            passes.append((called, "*", False))  # ``f(*xs, targets)``: at a position not known
        elif op in _STORED_IN or op == "STORE_SUBSCR" and consumer[1] == 0:
            escapes.append(consumer[0])
    cells = set(lists) | set(counts) | set(derived) | {instructions[p + 1].argval for p in done
                                                       if instructions[p + 1].opname == "STORE_DEREF"}
    nested = tuple(
        (c, frozenset(n for n in c.co_freevars if n in lists), frozenset(n for n in c.co_freevars if n in cells - lists))
        for c in code.co_consts if isinstance(c, types.CodeType) and cells.intersection(c.co_freevars))
    return _Scan(tuple(dict.fromkeys(tests)), tuple(dict.fromkeys(passes)), nested, returns, tuple(results),
                 tuple(copies), tuple(escapes), tuple(reducible), tuple(dict.fromkeys(sized)),
                 _picked(code, given | _aliases(instructions, given)))



def _chosen_from(code: types.CodeType, instructions: list[dis.Instruction], k: int) -> bool:
    """Whether the display the instruction at ``k`` builds is read as numbers (stored, indexed, given to a
    builtin: ``max((n, 2))``, ``sorted([n, 2])[-1]``), not given as a shape to a function of a module
    (``torch.full((n * 4,), 0.3)``: the size rules read what it makes)."""
    fed = _fed(instructions, k)
    if fed is None or instructions[fed[0]].opname != "CALL":
        return True
    span = _callable_span(code, fed[0])
    return span is not None and span[1] - span[0] == 1 and instructions[span[0]].opname == "LOAD_GLOBAL" \
        and instructions[span[0]].argval in builtins.__dict__

_BACKWARD = frozenset({"JUMP_BACKWARD", "POP_JUMP_BACKWARD_IF_TRUE", "POP_JUMP_BACKWARD_IF_FALSE",
                       "POP_JUMP_BACKWARD_IF_NONE", "POP_JUMP_BACKWARD_IF_NOT_NONE"})


_LOOPED = _bytecode._Named("computed", "the number of times a while loop reading the targets runs")


@_per_code(512)
def _while_loops(code: types.CodeType, lists: frozenset[str]) -> tuple[tuple[str, Any, int], ...]:
    """A test per ``while`` loop (a jump back to anything but a FOR_ITER) that loads the list or a
    local ``_related`` to it, at its first load (``while ts: ts.pop(); n += 1``, ``while len(ts) >
    0``): how many times it runs may be the list's number, changing as the loop changes the list;
    what it computes, Python numbers too (``w = w * 1.5``), is not known per group."""
    instructions = _instructions(code)
    at = _bytecode._positions(code)
    lists = _related(code, lists)
    tests: list[tuple[str, Any, int]] = []
    for j, i in enumerate(instructions):
        start = at.get(i.argval) if i.opname in _BACKWARD else None
        if start is None or start > j or instructions[start].opname == "FOR_ITER":
            continue
        p = next((p for p in range(start, j + 1) if instructions[p].opname in ("LOAD_FAST", "LOAD_DEREF")
                  and instructions[p].argval in lists), None)
        tests += [("eq", _LOOPED, p)] if p is not None else []
    return tuple(tests)


@_per_code(512)
def _related(code: types.CodeType, lists: frozenset[str]) -> frozenset[str]:
    """``lists`` and the locals a line that loads one of them stores (``ts, xs = list(targets),
    []``, ``ts = ts[1:]``, ``n = len(targets)``), and so on: what may hold the list, a copy or a
    part of it, or a value read from it, however the line is laid out."""
    lines: list[list[dis.Instruction]] = []
    for i in _instructions(code):
        if i.starts_line is not None or not lines:
            lines.append([])
        lines[-1].append(i)
    related, grown = set(lists), True
    while grown:
        grown = False
        for line in lines:
            if any(i.opname in ("LOAD_FAST", "LOAD_DEREF") and i.argval in related for i in line):
                stored = {i.argval for i in line if i.opname in ("STORE_FAST", "STORE_DEREF")} - related
                related |= stored
                grown = grown or bool(stored)
    return frozenset(related)


@_per_code(512)
def _picked(code: types.CodeType, lists: frozenset[str]) -> tuple[tuple[int, Any, int, bool], ...]:
    """(position, key, index of the load, whether the value read is compared, itself or through
    arithmetic, or made a new number with a constant) of each field of one target read by its
    position: ``targets[0]["scale"]``, ``targets[-1].get("scale", 1.0)``, ``next(iter(targets))``'s,
    or through a local stored once from one. On a group alone ``targets[0]`` is the group's first image."""
    instructions = _instructions(code)
    picked: list[tuple[int, Any, int, bool]] = []
    for p, i in enumerate(instructions[:-2]):
        if i.opname not in ("LOAD_FAST", "LOAD_DEREF") or i.argval not in lists:
            continue
        position, subscript = instructions[p + 1], instructions[p + 2]
        at, item = (position.argval, p + 2) if position.opname == "LOAD_CONST" and type(position.argval) is int \
            and subscript.opname == "BINARY_SUBSCR" else (0, _first_item(instructions, p))
        if item is None:
            continue
        store = instructions[item + 1] if item + 1 < len(instructions) else None
        items = [item]
        if store is not None and store.opname == "STORE_FAST" and _stored_once(instructions, store.argval):
            items = [k for k, j in enumerate(instructions) if j.opname == "LOAD_FAST" and j.argval == store.argval]
        for k in items:
            key = _field_read(instructions, k)
            start = k if k != item else p - 2 if at == 0 and item != p + 2 else p
            if key is not _UNKNOWN:
                read = k + 2  # the value read: the subscript's, or ``.get(key[, default])``'s call
                if instructions[k + 1].opname == "LOAD_METHOD":
                    read = next((j for j in range(k + 3, min(k + 7, len(instructions)))
                                 if instructions[j].opname == "CALL"), k + 2)
                picked.append((at, key, p, _compared(instructions, read) or _with_constant(instructions, start, read)
                               or _with_a_count(instructions, read)))
    return tuple(picked)


_TRUTH = frozenset({"POP_JUMP_FORWARD_IF_TRUE", "POP_JUMP_FORWARD_IF_FALSE", "POP_JUMP_BACKWARD_IF_TRUE",
                    "POP_JUMP_BACKWARD_IF_FALSE", "JUMP_IF_TRUE_OR_POP", "JUMP_IF_FALSE_OR_POP", "UNARY_NOT"})


_NAME_LOADS = ("LOAD_FAST", "LOAD_DEREF")


class _NameKey(str):
    """The key of ``getattr(w, name)`` where ``name`` is a local or a cell of the code: the name,
    whose string ``_name_key`` reads where the code (or the one that made it) holds one."""


def _name_key(env: Env, key: str) -> str | None:
    """``key``, or where it is a ``_NameKey`` the string its local or cell holds: a value of the
    env's, or the one literal its code stores in it (``name = "loss_weight"``); None where unknown."""
    if type(key) is not _NameKey:
        return key
    value = env.cells.get(key, env.local.get(key, _constant_stores(env.code).get(key)))
    return value if type(value) is str else None


@_per_code(512)
def _constant_stores(code: types.CodeType) -> dict[str, Any]:
    """The locals and cells ``code`` stores once, each from a literal loaded right before it."""
    instructions = _instructions(code)
    return {i.argval: instructions[k - 1].argval for k, i in enumerate(instructions)
            if k and i.opname in ("STORE_FAST", "STORE_DEREF") and instructions[k - 1].opname == "LOAD_CONST"
            and _stored_once(instructions, i.argval)}


@_per_code(512)
def _field_tests(code: types.CodeType) -> tuple[tuple[str, str | None, Any, int], ...]:
    """(key, op, than, index of the value tested) of each field of a dict read by a constant key
    (``s["loss_weight"]``, ``s.get(key, d)``, or a local stored once from such a read) that a
    Python comparison or truth test decides on: ``if s["loss_weight"] == 1.0:``, ``match
    s["loss_weight"]: case 1.0:``, ``c[s["loss_weight"]]``. ``op`` (``"truth"`` for a truth test,
    ``"key"`` for a lookup by the value: a dict's key, ``in``) and ``than`` (a literal) where the
    value read is compared as it is; None where through arithmetic, a ``match`` of several cases,
    or with another value."""
    instructions = _instructions(code)
    tested: list[tuple[str, str | None, Any, int]] = []
    for k, i in enumerate(instructions):
        if i.opname in _NAME_LOADS and k + 2 < len(instructions):
            key, start, read = _field_read(instructions, k), k, k + 2
            if type(key) in (str, _NameKey) and instructions[k + 1].opname == "LOAD_METHOD":
                read = next((j for j in range(k + 3, min(k + 7, len(instructions))) if instructions[j].opname == "CALL"), -1)
        elif i.opname == "CALL" and i.arg in (2, 3) and k >= 2 and instructions[k - 1].opname == "PRECALL" \
                and (name_at := _getattr_name(code, instructions, k)) is not None \
                and (begin := _call_start(code, k)) is not None \
                and instructions[begin].opname == "LOAD_GLOBAL" and instructions[begin].argval == "getattr":
            # ``getattr(w, "loss_weight")``, of a call's result too (``getattr(_Rec(s), ..)``), with a default
            # (``getattr(w, "loss_weight", 1.0)``: the field where set): as ``w["loss_weight"]``
            # (``getattr(w, name)`` of a local or cell name: its string, where it holds one)
            key, start, read = name_at.argval if name_at.opname == "LOAD_CONST" else _NameKey(name_at.argval), begin, k
        else:
            continue
        if type(key) not in (str, _NameKey) or read < 0:
            continue
        values, used = [(start, read)], _bytecode._consumer(instructions, read)
        if used is not None and instructions[used[0]].opname == "STORE_FAST" \
                and _stored_once(instructions, name := instructions[used[0]].argval):  # ``w = s["loss_weight"]``
            values = [(j, j) for j, load in enumerate(instructions) if load.opname == "LOAD_FAST" and load.argval == name]
        for start, v in values:
            test = _value_test(instructions, start, v)
            if test is not None:
                tested.append((key, *test, v))
    return tuple(tested)


def _getattr_name(code: types.CodeType, instructions: list[dis.Instruction], k: int) -> dis.Instruction | None:
    """The instruction loading the name of ``getattr(w, name)`` or ``getattr(w, name, default)`` (a literal
    or a local: one instruction) whose CALL is at ``k``."""
    if instructions[k].arg == 2:
        at: int | None = k - 2
    else:
        spans = _bytecode._argument_spans(instructions, k)
        at = spans[1][0] if spans and len(spans) == 3 and spans[1][1] - spans[1][0] == 1 else None
    return instructions[at] if at is not None and instructions[at].opname in ("LOAD_CONST", *_NAME_LOADS) else None


def _helper_field_tests(env: Env) -> tuple[tuple[str, str | None, Any, int], ...]:
    """``_field_tests`` of a module function the code calls by its global name, one level (``_is_full(s)``
    of ``def _is_full(s): return s["loss_weight"] == 1.0``, at the CALL), and the test of a call of one
    returning a field read by a constant key (``_weight_of(s) == 1.0``); a function returning one given
    as a ``key`` (``sorted(range(n), key=lambda b: t[b]["loss_weight"])``): a decision on it, not read."""
    calls = _global_calls(env.code)
    helpers = tuple(_helper_of(env.globals.get(name)) for _, name in calls)
    # read from the code alone: kept per code object and its helpers' code (asked at every call's start)
    held = _HELPER_TESTS.get(id(env.code))
    if held is not None and held[0] is env.code and held[1] == helpers:
        return held[2]
    instructions = _instructions(env.code)
    tested: list[tuple[str, str | None, Any, int]] = []
    for (k, _), helper in zip(calls, helpers):
        if type(helper) is types.CodeType:
            tested += [(key, op, than, k) for key, op, than, _ in _field_tests(helper) if type(key) is str]
            returned = _returned_field(helper)
        elif type(helper) is str:  # ``WEIGHT(s) == 1.0`` of ``WEIGHT = operator.itemgetter("loss_weight")``
            returned = helper
        else:
            continue
        start = _call_start(env.code, k)
        if returned is not None and start is not None and (test := _value_test(instructions, start, k)) is not None:
            tested.append((returned, *test, k))
    for k, code in _key_functions(env.code):
        if (returned := _returned_field(code)) is not None:
            tested.append((returned, None, None, k))
    for k, code in _nested_functions(env.code):  # ``def full(s): return s["loss_weight"] == 1.0`` in the body
        tested += [(key, op, than, k) for key, op, than, _ in _field_tests(code)]
    for k, key, code, at, start in _local_getter_tests(env.code):  # ``get = operator.itemgetter("loss_weight")``
        if (test := _value_test(_instructions(code), start, at)) is not None:
            tested.append((key, *test, k))
    if len(_HELPER_TESTS) >= 512:
        _HELPER_TESTS.clear()
    _HELPER_TESTS[id(env.code)] = (env.code, helpers, tuple(tested))
    return tuple(tested)


# id of a code -> (the code, ``_helper_of`` each global it calls, its ``_helper_field_tests``)
_HELPER_TESTS: dict[int, tuple[types.CodeType, tuple[types.CodeType | str | None, ...],
                                 tuple[tuple[str, str | None, Any, int], ...]]] = {}
_helper_field_tests.cache_clear = _HELPER_TESTS.clear  # type: ignore[attr-defined]  # (as ``_per_code``'s)


def _helper_of(fn: Any) -> types.CodeType | str | None:
    """What the weight scan reads of a global the body calls: a function's code, the key of an
    ``operator.itemgetter`` of one str key, or None."""
    if type(fn) is types.FunctionType:
        return fn.__code__
    return _getter_key(fn) if type(fn) is operator.itemgetter else None


def _getter_key(fn: Any) -> str | None:
    """The one str key an ``operator.itemgetter`` reads, or None."""
    try:
        keys = fn.__reduce__()[1]
    except Exception:  # noqa: BLE001 - an itemgetter that does not reduce: none read
        return None
    return keys[0] if type(keys) is tuple and len(keys) == 1 and type(keys[0]) is str else None


@_per_code(512)
def _nested_functions(code: types.CodeType) -> tuple[tuple[int, types.CodeType], ...]:
    """(index of its MAKE_FUNCTION, code) of each function, lambda or comprehension the code
    defines, and of those they define: the scan visits a comprehension only where it reads the
    list or its count, and a weight tested there decides whatever else it reads (``e[b]``)."""
    instructions = _instructions(code)
    found: list[tuple[int, types.CodeType]] = []
    for k, i in enumerate(instructions):
        made = instructions[k - 1].argval if k and i.opname == "MAKE_FUNCTION" else None
        if isinstance(made, types.CodeType):
            found += [(k, made)] + [(k, c) for _, c in _nested_functions(made)]
    return tuple(found)


@_per_code(512)
def _local_getter_tests(code: types.CodeType) -> tuple[tuple[int, str, types.CodeType, int, int], ...]:
    """(index of its making, key, code, index of the CALL, its start) of each call of a local
    ``operator.itemgetter`` of one str key the code stores (``get = operator.itemgetter("w")``),
    in the code or in the code nested in it (``get(s) < 0.9`` in a generator expression)."""
    instructions = _instructions(code)
    getters: dict[str, tuple[int, str]] = {}
    for k, i in enumerate(instructions[:-4]):
        if i.opname == "LOAD_GLOBAL" and i.argval == "operator" and instructions[k + 1].opname in ("LOAD_ATTR", "LOAD_METHOD") \
                and instructions[k + 1].argval == "itemgetter" and instructions[k + 2].opname == "LOAD_CONST" \
                and type(instructions[k + 2].argval) is str and instructions[k + 3].opname == "PRECALL" \
                and k + 5 < len(instructions) and instructions[k + 4].opname == "CALL" and instructions[k + 4].arg == 1 \
                and instructions[k + 5].opname in ("STORE_FAST", "STORE_DEREF"):
            getters[instructions[k + 5].argval] = (k, instructions[k + 2].argval)
    if not getters:
        return ()
    found: list[tuple[int, str, types.CodeType, int, int]] = []
    codes = [code]
    while codes:
        c = codes.pop()
        codes += [n for n in c.co_consts if isinstance(n, types.CodeType)]
        ins = _instructions(c)
        for at, i in enumerate(ins):
            start = _call_start(c, at) if i.opname == "CALL" else None
            if start is not None and ins[start].opname == "PUSH_NULL":
                start += 1
            if start is not None and ins[start].opname in ("LOAD_FAST", "LOAD_DEREF") and ins[start].argval in getters:
                made, key = getters[ins[start].argval]
                found.append((made, key, c, at, start))
    return tuple(found)


@_per_code(512)
def _global_calls(code: types.CodeType) -> tuple[tuple[int, str], ...]:
    """(index, name) of each CALL of a callable loaded by a global name (``helper(s)``)."""
    instructions = _instructions(code)
    return tuple((k, instructions[start].argval) for k, i in enumerate(instructions) if i.opname == "CALL"
                 and (start := _call_start(code, k)) is not None and instructions[start].opname == "LOAD_GLOBAL")


@_per_code(512)
def _key_functions(code: types.CodeType) -> tuple[tuple[int, types.CodeType], ...]:
    """(index, code) of each function made in ``code`` and passed as the keyword argument ``key`` of a call
    picking an image by the order it makes (``min``, ``max``, ``sorted(..)[0]``, ``order[0]``)."""
    instructions = _instructions(code)
    found: list[tuple[int, types.CodeType]] = []
    for k, i in enumerate(instructions[:-3]):  # (the last keyword argument: MAKE_FUNCTION, KW_NAMES, PRECALL, CALL)
        if i.opname == "MAKE_FUNCTION" and k > 0 and isinstance(made := instructions[k - 1].argval, types.CodeType) \
                and instructions[k + 1].opname == "KW_NAMES" and code.co_consts[instructions[k + 1].arg or 0][-1:] == ("key",) \
                and instructions[k + 2].opname == "PRECALL" and instructions[k + 3].opname == "CALL":
            start, used = _call_start(code, k + 3), _bytecode._consumer(instructions, k + 3)
            picker = start is not None and instructions[start].opname == "LOAD_GLOBAL" \
                and instructions[start].argval in ("min", "max")
            if picker or used is not None and _indexed(instructions, used):  # an image picked by the order
                found.append((k + 3, made))  # (a sum over all of them in that order splits)
    return tuple(found)


def _indexed(instructions: list[dis.Instruction], used: tuple[int, int]) -> bool:
    """Whether the value ``used`` pops is indexed (``sorted(..)[0]``), or stored once in a local indexed."""
    c, slot = used
    if instructions[c].opname == "BINARY_SUBSCR":
        return slot == 0
    if instructions[c].opname != "STORE_FAST" or not _stored_once(instructions, name := instructions[c].argval):
        return False
    return any(j.opname == "LOAD_FAST" and j.argval == name and (u := _bytecode._consumer(instructions, k)) is not None
               and instructions[u[0]].opname == "BINARY_SUBSCR" and u[1] == 0 for k, j in enumerate(instructions))


@_per_code(512)
def _returned_field(code: types.CodeType) -> str | None:
    """The constant key of a field the code returns as it reads it (``return s["loss_weight"]``)."""
    instructions = _instructions(code)
    for k, i in enumerate(instructions[2:], 2):
        if i.opname == "RETURN_VALUE" and instructions[k - 1].opname == "BINARY_SUBSCR" \
                and instructions[k - 2].opname == "LOAD_CONST" and type(instructions[k - 2].argval) is str:
            return instructions[k - 2].argval
    return None


def _value_test(instructions: list[dis.Instruction], start: int, v: int) -> tuple[str | None, Any] | None:
    """(op, than) of the test of the value pushed at ``v`` (by the code from ``start``): a comparison
    with a number literal (``than``; ``op`` as if the value were first), a truth test (``"truth"``),
    a lookup by it (``"key"``), (None, None) for any other comparison it reaches; None where it
    reaches none."""
    if v + 1 < len(instructions) and instructions[v + 1].opname == "COPY":  # ``match w: case 0.5: .. case 1.0: ..``
        return None, None
    used = _bytecode._consumer(instructions, v)
    if used is None:
        return None
    c, name = used[0], instructions[used[0]].opname
    if name in _TRUTH:
        return "truth", None
    if name == "CONTAINS_OP" or name == "BINARY_SUBSCR" and used[1] == 1 or name == "STORE_SUBSCR" and used[1] == 2 \
            or name == "CALL" and used[1] == 2 and _looked_up_in(instructions, c):  # ``c[w]``, ``c.get(w, 0)``, ``w in d``
        return "key", None
    if name == "CALL" and _rounding_call(instructions, c, start):  # ``int(w)``, ``round(w)``: a step of the value
        return None, None
    if name == "CALL" and used[1] <= 2 and (called := _comparing_call(instructions, c)):
        # ``operator.gt(w, 0.7)`` as ``w > 0.7``; ``math.isclose(w, 1.0)``, ``np.isclose(w, 1.0)``: any weight not 1
        op, j = called.strip("_"), c - 1 - (instructions[c - 1].opname == "PRECALL")
        if op in _SWAPPED and j != v and instructions[j].opname == "LOAD_CONST" and type(instructions[j].argval) in (int, float):
            return op, instructions[j].argval
        return None, None
    if name == "COMPARE_OP" and instructions[c].argval in _bytecode._COMPARISONS:
        op = _bytecode._COMPARISONS[instructions[c].argval]
        last = instructions[c - 1]
        if c - 1 != v and last.opname == "LOAD_CONST" and type(last.argval) in (int, float):
            return op, last.argval
        first = _bytecode._operand_start(instructions, start) if c - 1 == v else None
        if first == start - 1 and instructions[first].opname == "LOAD_CONST" and type(instructions[first].argval) in (int, float):
            return _SWAPPED[op], instructions[first].argval
    if _compared(instructions, v):
        return None, None
    return None


def _looked_up_in(instructions: list[dis.Instruction], c: int) -> bool:
    """Whether the CALL at ``c`` calls a dict's lookup method (``c.get(w, 0)``) on its first argument."""
    first = _bytecode._arguments_start(instructions, c)
    return first is not None and first > 0 and instructions[first - 1].opname == "LOAD_METHOD" \
        and instructions[first - 1].argval in ("get", "setdefault", "pop", "__contains__", "__getitem__")


_COMPARING = {"operator": frozenset({"eq", "ne", "lt", "le", "gt", "ge", "__eq__", "__ne__", "__lt__", "__le__", "__gt__",
                                     "__ge__", "not_", "truth"}),
              "math": frozenset({"isclose"}),
              "np": frozenset({"isclose", "allclose", "equal", "not_equal", "less", "less_equal", "greater", "greater_equal"})}


def _comparing_call(instructions: list[dis.Instruction], c: int) -> str | None:
    """The name of the comparison of ``operator``, ``math`` or NumPy the CALL at ``c`` calls by its
    module's global name (``operator.eq(w, 1.0)``, ``np.isclose(w, 1.0)``: a Python decision on its
    arguments), or None."""
    first = _bytecode._arguments_start(instructions, c)
    if first is None or first < 2 or instructions[first - 1].opname not in ("LOAD_METHOD", "LOAD_ATTR") \
            or instructions[first - 2].opname != "LOAD_GLOBAL":
        return None
    module = "np" if instructions[first - 2].argval == "numpy" else instructions[first - 2].argval
    name = instructions[first - 1].argval
    return name if name in _COMPARING.get(module, ()) else None


_ROUNDING = {"int": None, "round": None, "math": frozenset({"floor", "ceil", "trunc"})}


def _rounding_call(instructions: list[dis.Instruction], c: int, start: int) -> bool:
    """Whether the CALL at ``c`` rounds its first argument, the value computed from ``start`` (the
    builtins ``int``, ``round``, ``math.floor`` / ``ceil`` / ``trunc``: ``3 - 2 * int(w)`` is 1 on a
    weight of 1 and 3 on 0.5, a decision on the value no comparison shows; red team 34)."""
    first = _bytecode._arguments_start(instructions, c)
    if first != start or first < 1:
        return False
    callee = instructions[first - 1]
    if callee.opname == "LOAD_GLOBAL":
        return callee.argval in _ROUNDING and _ROUNDING[callee.argval] is None
    return callee.opname in ("LOAD_METHOD", "LOAD_ATTR") and first >= 2 and instructions[first - 2].opname == "LOAD_GLOBAL" \
        and callee.argval in (_ROUNDING.get(instructions[first - 2].argval) or ())


_SWAPPED = {"lt": "gt", "le": "ge", "eq": "eq", "ne": "ne", "gt": "lt", "ge": "le"}


def _with_constant(instructions: list[dis.Instruction], start: int, read: int) -> bool:
    """Whether the value pushed at ``read`` (by the expression from ``start``) goes straight to
    arithmetic with a constant or to a ``math`` function (``targets[0]["w"] ** 2``, ``2 * w``, ``-w``, ``math.exp(w)``,
    ``math.isclose(w, 1.0)``): a new number or a decision, which the mode cannot tell from the constants of the code."""
    used = _bytecode._consumer(instructions, read)
    if used is None:
        return False
    k = used[0]
    if instructions[k].opname == "UNARY_NEGATIVE":
        return True
    if instructions[k].opname == "CALL" and used[1] >= 2:  # (``math.exp(targets[0]["w"])``, ``math.isclose(w, 1.0)``)
        first = _bytecode._arguments_start(instructions, k)
        return first is not None and first > 1 and instructions[first - 1].opname in ("LOAD_METHOD", "LOAD_ATTR") \
            and instructions[first - 2].opname == "LOAD_GLOBAL" and instructions[first - 2].argval == "math"
    return instructions[k].opname == "BINARY_OP" and (
        k - 1 != read and instructions[k - 1].opname == "LOAD_CONST"  # ``w ** 2``
        or k - 1 == read and start > 0 and instructions[start - 1].opname == "LOAD_CONST")  # ``2 * w``


# attributes and methods that read sizes (``.get`` of a target too): what a number beside the weight field
# is read of (``x.ndim * w`` included), and all a comprehension ``_reads_sizes`` accepts may call
_SIZE_READS = frozenset({"numel", "nelement", "size", "dim", "ndim", "shape", "get"})


def _with_a_count(instructions: list[dis.Instruction], read: int, depth: int = 0) -> bool:
    """Whether the value pushed at ``read`` goes, itself or through a local stored once from it, to
    Python arithmetic with a number read of a size or a length (``0.3 * x.shape[0] * w``, ``len(t) +
    w``, ``int(bs * 4 * w)``): a new number (no factor the weight rules read), which on a call of one
    image holds the image's weight where, on its group alone, the body computes it from 1."""
    used = _bytecode._consumer(instructions, read)
    if used is None or depth > 2:
        return False
    k = used[0]
    store = instructions[k]
    if store.opname == "STORE_FAST" and _stored_once(instructions, store.argval):
        return any(_with_a_count(instructions, j, depth + 1) for j, i in enumerate(instructions)
                   if i.opname == "LOAD_FAST" and i.argval == store.argval)
    spans = _bytecode._operand_pair(instructions, k, "BINARY_OP")
    if spans is None:
        return False
    start, end = spans[0] if spans[1][0] <= read < spans[1][1] else spans[1]
    return any(i.opname in ("LOAD_ATTR", "LOAD_METHOD") and i.argval in _SIZE_READS
               or i.opname == "LOAD_GLOBAL" and i.argval == "len" for i in instructions[start:end]) \
        and _bytecode._number_shaped(instructions, start, end, sizes=True)


def _first_item(instructions: list[dis.Instruction], p: int) -> int | None:
    """The index of the CALL pushing ``next(iter(targets))`` (the first target, by position) of
    the list loaded at ``p``, or None."""
    calls = [k for k in range(p + 1, min(p + 5, len(instructions))) if instructions[k].opname == "CALL"][:2]
    names = [j.argval for j in instructions[max(p - 2, 0):p] if j.opname == "LOAD_GLOBAL"]
    if len(calls) != 2 or names != ["next", "iter"] or any(instructions[k].arg != 1 for k in calls) \
            or any(j.opname not in ("PRECALL", "CALL") for j in instructions[p + 1:calls[1]]):
        return None
    return calls[1]


def _compared(instructions: list[dis.Instruction], p: int) -> bool:
    """Whether the value pushed at ``p`` reaches a comparison through arithmetic only."""
    while True:
        used = _bytecode._consumer(instructions, p)
        if used is None:
            return False
        name = instructions[used[0]].opname
        if name == "COMPARE_OP":
            return True
        if name not in _bytecode._KEPT:
            return False
        p = used[0]


def _field_read(instructions: list[dis.Instruction], k: int) -> Any:
    """The constant key the dict the instruction at ``k`` pushes is read at (``[key]``, ``.get(key
    ...)``); ``_UNKNOWN`` otherwise."""
    if k + 2 >= len(instructions):
        return _UNKNOWN
    first, second = instructions[k + 1], instructions[k + 2]
    if first.opname == "LOAD_CONST" and second.opname == "BINARY_SUBSCR":
        return first.argval
    if first.opname == "LOAD_METHOD" and first.argval == "get" and second.opname == "LOAD_CONST":
        return second.argval
    return _UNKNOWN


def plain(value: Any) -> bool:
    """Whether ``value`` is a value of the host with no identity the mode follows: a number, a
    string, None, or a list or tuple of such."""
    if value is None or type(value) in (int, float, bool, str):
        return True
    return type(value) in (list, tuple) and all(plain(v) for v in value)


_INDEXED = _bytecode._Named("computed", "an item of the targets read where an IndexError is caught")
# builtins given the list that raise no IndexError from its number
_NOT_INDEXING = frozenset({"len", "list", "tuple", "sorted", "iter", "enumerate", "zip", "isinstance", "print", "id"})


@_per_code(512)
def _clause_globals(code: types.CodeType) -> frozenset[str]:
    """The globals ``code`` loads in an ``except`` clause (the loads right before a
    CHECK_EXC_MATCH): the only names ``_catches_index_error`` asks ``caught`` about."""
    instructions = _instructions(code)
    names: set[str] = set()
    for j, i in enumerate(instructions):
        if i.opname != "CHECK_EXC_MATCH":
            continue
        k = j - 1
        while k >= 0 and instructions[k].opname in _CLAUSE_LOADS:
            if instructions[k].opname == "LOAD_GLOBAL":
                names.add(instructions[k].argval)
            k -= 1
    return frozenset(names)


@_per_code(512)
def _caught_indexing(code: types.CodeType, lists: frozenset[str],
                     caught: frozenset[str] = frozenset()) -> tuple[tuple[str, Any, int], ...]:
    """Tests of the length made by reading an item of the list inside a ``try`` whose handler may
    catch IndexError (``try: targets[2] ... except IndexError:``): ``targets[c]`` is ``len > c``
    (``> -c - 1`` of ``c < 0``); any other index, ``.pop()``, or the list given to a call (which
    may index it) is a test whose decision per group is not known (``_INDEXED``)."""
    instructions = _instructions(code)
    at = _bytecode._positions(code)
    entries = list(getattr(dis.Bytecode(code), "exception_entries", ()))

    def catching(target: int, seen: set[int]) -> bool:
        """Whether the handler at ``target`` may catch an IndexError, or a handler an exception its
        own code raises again reaches (a ``finally`` or ``with`` inside an outer ``try``)."""
        h = at.get(target)
        if h is None or target in seen:
            return False
        seen.add(target)
        if _catches_index_error(instructions, h, at, caught):
            return True
        end = _handler_end(instructions, h)
        return any(catching(e.target, seen) for e in entries if e.start < end and e.end > target)

    guarded = [(e.start, e.end) for e in entries if not e.lasti and catching(e.target, set())]
    tests: list[tuple[str, Any, int]] = []
    for p, i in enumerate(instructions):
        if i.opname not in ("LOAD_FAST", "LOAD_DEREF") or i.argval not in lists \
                or not any(a <= i.offset < b for a, b in guarded) or (consumer := _fed(instructions, p)) is None:
            continue
        k, slot = consumer
        op, index = instructions[k].opname, instructions[k - 1]
        if op == "BINARY_SUBSCR" and slot == 0 and index.opname != "BUILD_SLICE":
            if k == p + 2 and index.opname == "LOAD_CONST" and type(index.argval) is int:
                tests.append(("gt", float(index.argval if index.argval >= 0 else -index.argval - 1), p))
            else:
                tests.append(("eq", _INDEXED, p))
        elif op == "LOAD_METHOD" and instructions[k].argval == "pop" or op == "CALL" and slot >= 2 and not (
                (span := _callable_span(code, k)) is not None and span[1] - span[0] == 1
                and instructions[span[0]].opname == "LOAD_GLOBAL" and instructions[span[0]].argval in _NOT_INDEXING):
            tests.append(("eq", _INDEXED, p))
    return tuple(tests)


def _handler_end(instructions: list[dis.Instruction], h: int) -> int:
    """The offset right after the handler code starting at index ``h`` (up to its RERAISE, or to
    the end of the code)."""
    for i in instructions[h:]:
        if i.opname == "RERAISE":
            return i.offset + 2
    return instructions[-1].offset + 2


def _catches_index_error(instructions: list[dis.Instruction], h: int, at: dict[int, int],
                         caught: frozenset[str] = frozenset()) -> bool:
    """Whether the handler at ``h`` (its PUSH_EXC_INFO) may catch an IndexError: a bare
    ``except``, a clause naming a builtin class IndexError is a subclass of (``LookupError``,
    ``Exception``, ``builtins.IndexError``), or classes held by a local. A class of the code's own
    or of a module (``except Fail:``, ``except torch.cuda.OutOfMemoryError:``) is none of those
    bases; a ``finally`` and a ``with``'s exit handler catch nothing."""
    if instructions[h].opname != "PUSH_EXC_INFO":
        return False
    j = h + 1
    while j < len(instructions):
        if instructions[j].opname == "POP_TOP":  # ``except:``
            return True
        clause = j
        while j < len(instructions) and instructions[j].opname in _CLAUSE_LOADS:
            j += 1
        if j >= len(instructions) or instructions[j].opname != "CHECK_EXC_MATCH" or j == clause:
            return False  # no clause: the end of the handlers (RERAISE), a ``finally``'s code, a ``with``'s exit
        loads = instructions[clause:j]
        for k, i in enumerate(loads):
            base = getattr(builtins, i.argval, None) if i.opname in ("LOAD_GLOBAL", "LOAD_NAME", "LOAD_ATTR") else None
            if isinstance(base, type) and issubclass(IndexError, base) or i.opname == "LOAD_GLOBAL" and i.argval in caught \
                    or i.opname in ("LOAD_FAST", "LOAD_DEREF") and (k + 1 == len(loads) or loads[k + 1].opname != "LOAD_ATTR"):
                return True
        if j + 1 >= len(instructions) or instructions[j + 1].opname != "POP_JUMP_FORWARD_IF_FALSE":
            return True
        j = at.get(instructions[j + 1].argval, len(instructions))
    return False


_CLAUSE_LOADS = frozenset({"LOAD_GLOBAL", "LOAD_NAME", "LOAD_ATTR", "LOAD_FAST", "LOAD_DEREF", "BUILD_TUPLE"})


_ARITHMETIC = frozenset({"BINARY_OP", "UNARY_NEGATIVE", "UNARY_POSITIVE", "UNARY_INVERT", "FORMAT_VALUE",
                         "BUILD_STRING"})  # ``f"k{len(t)}"`` is computed from it too


def _calls_method(code: types.CodeType, k: int, name: str) -> bool:
    """Whether the CALL at ``k`` calls a method ``name`` of what it is loaded from."""
    span = _callable_span(code, k)
    last = _instructions(code)[span[1] - 1] if span is not None else None
    return last is not None and last.opname == "LOAD_METHOD" and last.argval == name


def _stored_at(instructions: list[dis.Instruction], p: int) -> int | None:
    """The STORE of a local that stores the value the instruction at ``p`` pushes, right after it
    (``n = len(t)``), after a COPY of it (``(n := len(t)) > 2``) or in a tuple assignment of
    values pushed by one load each (``n, w = len(t), 1.0``: stored last to first)."""
    stores = ("STORE_FAST", "STORE_DEREF")
    after = instructions[p + 1] if p + 1 < len(instructions) else None
    if after is not None and after.opname == "COPY" and after.arg == 1 and p + 2 < len(instructions) \
            and instructions[p + 2].opname in stores:
        return p + 2
    m = 0
    while p + 1 + m < len(instructions) and instructions[p + 1 + m].opname in ("LOAD_CONST", "LOAD_FAST"):
        m += 1
    at = p + 1 + 2 * m
    if at < len(instructions) and all(i.opname in stores for i in instructions[p + 1 + m : at + 1]):
        return at
    return None


def _iterated_use(code: types.CodeType, instructions: list[dis.Instruction], p: int, kind: str,
                  tests: list[tuple[str, Any, int]], passes: list[tuple[int, int | str, bool | str | None]],
                  todo: list[tuple[int, bool | str | None]]) -> int:
    """What ``_scanned`` reads of the value ``kind`` (``_IT``, ``_IX``) the instruction at ``p``
    pushes: its tests (opaque: no group's value is known), where it goes on; ``_ITER`` where the
    code returns it. The position of a loop indexes without a decision (``outputs[b]``)."""
    after = instructions[p + 1] if p + 1 < len(instructions) else None
    than = _ITERATED if kind == _IT else _POSITION
    if after is not None and (after.opname == "UNARY_NOT" or after.opname.startswith("POP_JUMP")):
        if not after.opname.endswith("NONE"):  # ``if avg_factor is not None``: the same on any group
            tests.append(("ne", than, p))
        return 0
    consumer = _fed(instructions, p)
    if consumer is None:
        return 0
    k, slot = consumer
    op = instructions[k].opname
    if op == "BINARY_SUBSCR" and slot == 1 and kind == _IT:  # (a lookup by it; a tensor index a rule may follow)
        tests.append(("eq", _bytecode._Named("indexed", instructions[k].offset), p))
    elif op in ("COMPARE_OP", "CONTAINS_OP"):
        tests.append(("eq", than, p))
    elif op in _ARITHMETIC:
        todo.append((k, kind))
    elif kind != _IT:
        return 0
    elif op == "RETURN_VALUE":
        return _ITER
    elif op == "LOAD_ATTR" or op == "BINARY_SUBSCR" and instructions[k - 1].opname == "BUILD_SLICE" \
            or op == "CALL" and slot < 2:
        todo.append((k, _IT))  # ``ns.t``, ``rest[1:]``, ``getattr(t, "__len__")()``; not an item (``masks[0]``)
    elif op == "LOAD_METHOD" and (method := _fed(instructions, k)) is not None and instructions[method[0]].opname == "CALL":
        todo.append((method[0], _IT))
    elif op == "CALL":
        argument = _argument(code, instructions, k, slot - 2)
        if argument is not None:
            passes.append((k, argument, _IT))
    return 0


# (operator, literal) of a step that counts (``n += 1``) or leaves the value (``* 1``, ``+ 0``)
_COUNT_OR_NOTHING = frozenset({(op + eq, c) for eq in ("", "=") for op, c in (
    ("+", 1), ("-", 1), ("+", 0), ("-", 0), ("*", 1), ("/", 1), ("//", 1), ("**", 1))})


def _constant_step(instructions: list[dis.Instruction], j: int) -> bool:
    """Whether the local the instruction at ``j`` loads is stepped there by a number literal and
    stored back (``w = w * 1.5``, ``n += 1``)."""
    return j + 3 < len(instructions) and instructions[j].opname == "LOAD_FAST" \
        and instructions[j + 1].opname == "LOAD_CONST" and type(instructions[j + 1].argval) in (int, float) \
        and instructions[j + 2].opname == "BINARY_OP" and instructions[j + 3].opname == "STORE_FAST" \
        and instructions[j + 3].argval == instructions[j].argval


def _iterating(instructions: list[dis.Instruction], g: int, position: int) -> tuple[int | None, dict[str, Any]]:
    """Of the GET_ITER at ``g`` of a value whose count of items is the list's: the CALL of the
    comprehension it feeds (what that makes is iterated from the list), else None; and the locals
    the loop it starts makes a count of its iterations: those its body steps by a constant
    (``n += 1``: False, a number computed from the length; ``w *= 1.5``, ``n += 2``: ``_CP``), and
    its variable (``position`` 1) or the first of a pair (2, ``i`` of ``enumerate``): ``_IX``."""
    if g + 2 < len(instructions) and instructions[g + 1].opname == "PRECALL" and instructions[g + 2].opname == "CALL" \
            and instructions[g + 2].arg == 0:
        return (g + 2 if _opaque_comprehension(instructions, g) else None), {}
    if g + 2 >= len(instructions) or instructions[g + 1].opname != "FOR_ITER":
        return None, {}
    f = g + 1
    end = next((j for j in range(f + 1, len(instructions)) if instructions[j].offset == instructions[f].argval),
               len(instructions))
    steps = [j for j in range(f + 1, end - 3) if _constant_step(instructions, j)]
    names: dict[str, Any] = dict.fromkeys((instructions[j].argval for j in steps), False)
    for name in names:  # stored in the loop only by literal steps, one neither a count's nor doing nothing
        mine = [j for j in steps if instructions[j].argval == name]
        if sum(i.opname == "STORE_FAST" and i.argval == name for i in instructions[f + 1 : end]) == len(mine) and any(
                (instructions[j + 2].argrepr, instructions[j + 1].argval) not in _COUNT_OR_NOTHING for j in mine):
            names[name] = _CP
    first = instructions[f + 1]
    if position == 1 and first.opname == "STORE_FAST":
        names[first.argval] = _IX
    elif position == 2 and first.opname == "UNPACK_SEQUENCE" and first.arg == 2 and instructions[f + 2].opname == "STORE_FAST":
        names[instructions[f + 2].argval] = _IX
    return None, names


_COMPREHENSIONS = frozenset({"<genexpr>", "<listcomp>", "<setcomp>", "<dictcomp>"})


def _opaque_comprehension(instructions: list[dis.Instruction], g: int) -> bool:
    """Whether the comprehension the GET_ITER at ``g`` feeds (the nearest one made before it)
    makes Python values the mode does not see: its code calls nothing (``1 for _ in t``,
    ``t["loss_weight"] < 0.9``, ``[t for t in ts if ...]``, ``[t["boxes"] for t in ts]``), or
    reads only the items' sizes (``len(t["labels"])``, ``t["labels"].numel()``, ``len(t[key])``:
    ``_reads_sizes``, host numbers no op reads). One that reads its items' data through calls
    (``(t["y"] > 1).sum().item()``) makes numbers the mode follows per image (host reads)."""
    made = next((i.argval for i in reversed(instructions[:g]) if i.opname == "LOAD_CONST"
                 and isinstance(i.argval, types.CodeType) and i.argval.co_name in _COMPREHENSIONS), None)
    return made is not None and (_reads_sizes(made) or not any(
        i.opname in ("CALL", "CALL_FUNCTION_EX", "LOAD_METHOD", "LOAD_ATTR") for i in _instructions(made)))


_STEPS = {"+": "+", "-": "-", "*": "*", "//": "//"}


@_per_code(512)
def _running_count(code: types.CodeType, g: int) -> tuple[str, types.CodeType] | None:
    """(the local, a comprehension's code) where the loop the GET_ITER at ``g`` of a load of the
    list starts does nothing but step a local stored once before from ``0`` by an expression of
    the loop's variable (``n = 0; for t in targets: n += len(t["labels"])``): the comprehension
    of that expression over the list, whose ``sum`` is the count, where it reads sizes only
    (``_sizes_only``, as ``_reducible``'s); None otherwise."""
    instructions = _instructions(code)
    if g + 6 >= len(instructions) or instructions[g + 1].opname != "FOR_ITER" or instructions[g + 2].opname != "STORE_FAST":
        return None
    var, f = instructions[g + 2].argval, g + 1
    end = next((j for j in range(f + 1, len(instructions)) if instructions[j].offset == instructions[f].argval), None)
    if end is None or instructions[end - 1].opname != "JUMP_BACKWARD" or instructions[g + 3].opname != "LOAD_FAST":
        return None
    name, step, stored = instructions[g + 3].argval, instructions[end - 3], instructions[end - 2]
    stores = _stored(code)
    if step.opname != "BINARY_OP" or step.argrepr != "+=" or stored.opname != "STORE_FAST" or stored.argval != name \
            or name == var or stores.get(name) != 2 or stores.get(var) != 1:
        return None
    if not any(type(v) is int and v == 0 for v in _numbers_stored_before(instructions, name, g)):
        return None
    span = instructions[g + 4:end - 3]
    expression = _spelled(span, var) if len(span) > 1 else None  # ``n += 1``: the images' count (``_iterating``)
    if expression is None:
        return None
    made = next(c for c in compile(f"({expression} for {var} in _)", "<running count>", "eval").co_consts
                if isinstance(c, types.CodeType))
    return (name, made) if _sizes_only(made) else None


def _numbers_stepped(code: types.CodeType, instructions: list[dis.Instruction], g: int) -> tuple[str, ...]:
    """``_stepped``'s locals of the loop at ``g`` that hold a number before it (``n = 0``, a literal
    int or float stored before the loop): running counts, not lists or tensors added up."""
    return tuple(name for name in _stepped(code, g) if _numbers_stored_before(instructions, name, g))


def _numbers_stored_before(instructions: list[dis.Instruction], name: str, g: int) -> list[int | float]:
    """The int or float literals stored into the local ``name`` (``LOAD_CONST``, ``STORE_FAST``)
    before the instruction at ``g``."""
    return [i.argval for j, i in enumerate(instructions[: g - 1]) if i.opname == "LOAD_CONST"
            and type(i.argval) in (int, float) and instructions[j + 1].opname == "STORE_FAST"
            and instructions[j + 1].argval == name]


@_per_code(512)
def _stepped(code: types.CodeType, g: int) -> tuple[str, ...]:
    """The locals the loop the GET_ITER at ``g`` starts steps in place by anything but a literal
    (``n += len(t["labels"])`` under a test, or with ``n`` not from ``0``): running counts whose
    value on a group alone is not computed (``_running_count`` reads the plain ones)."""
    instructions = _instructions(code)
    if g + 1 >= len(instructions) or instructions[g + 1].opname != "FOR_ITER":
        return ()
    f = g + 1
    end = next((j for j in range(f + 1, len(instructions)) if instructions[j].offset == instructions[f].argval),
               len(instructions))
    names: list[str] = []
    for j in range(f + 1, end):
        consumer = _fed(instructions, j) if instructions[j].opname == "LOAD_FAST" else None
        if consumer is not None and consumer[1] == 0 and instructions[consumer[0]].opname == "BINARY_OP" \
                and instructions[consumer[0]].argrepr.endswith("=") and consumer[0] + 1 < len(instructions) \
                and instructions[consumer[0] + 1].opname == "STORE_FAST" \
                and instructions[consumer[0] + 1].argval == instructions[j].argval \
                and not (consumer[0] == j + 2 and instructions[j + 1].opname == "LOAD_CONST"):
            names.append(instructions[j].argval)
    return tuple(dict.fromkeys(names))


def _spelled(span: list[dis.Instruction], var: str) -> str | None:
    """The Python expression the straight-line ``span`` computes from the local ``var``, where it
    only loads it, literals and ``len``, subscripts, reads attributes, calls and does arithmetic;
    None otherwise."""
    stack: list[str] = []
    try:
        for i in span:
            if i.opname in ("PRECALL", "PUSH_NULL"):
                continue
            if i.opname == "LOAD_FAST" and i.argval == var or i.opname == "LOAD_GLOBAL" and i.argval == "len":
                stack.append(i.argval)
            elif i.opname == "LOAD_CONST" and type(i.argval) in (int, float, str, bool, type(None)):
                stack.append(repr(i.argval))
            elif i.opname == "BINARY_SUBSCR":
                b, a = stack.pop(), stack.pop()
                stack.append(f"{a}[{b}]")
            elif i.opname in ("LOAD_ATTR", "LOAD_METHOD") and isinstance(i.argval, str) and i.argval.isidentifier():
                stack.append(f"{stack.pop()}.{i.argval}")
            elif i.opname == "CALL":
                arguments = [stack.pop() for _ in range(i.arg or 0)][::-1]
                stack.append(f"{stack.pop()}({', '.join(arguments)})")
            elif i.opname == "BINARY_OP" and i.argrepr in _STEPS:
                b, a = stack.pop(), stack.pop()
                stack.append(f"({a} {_STEPS[i.argrepr]} {b})")
            else:
                return None
    except IndexError:
        return None
    return stack[0] if len(stack) == 1 else None


def _reducible(code: types.CodeType, g: int) -> tuple[tuple[int, types.CodeType], ...]:
    """(the CALL, the comprehension's code) of each call the comprehension the GET_ITER at ``g`` of
    a load of the list feeds as the one argument (``sum(len(t["labels"]) for t in targets)``),
    itself or through a local stored once from it (``w = [t["w"] for t in targets]``, then
    ``statistics.mean(w)``), where its code reads only the items' sizes (``_sizes_only``)."""
    instructions = _instructions(code)
    made = instructions[g - 3] if g >= 3 else None
    if made is None or made.opname != "LOAD_CONST" or not isinstance(made.argval, types.CodeType) \
            or instructions[g - 2].opname != "MAKE_FUNCTION" or instructions[g - 2].arg \
            or not _sizes_only(made.argval):
        return ()
    pushed = [g + 2]
    if g + 3 < len(instructions) and instructions[g + 3].opname == "STORE_FAST" \
            and _stored_once(instructions, instructions[g + 3].argval):
        name = instructions[g + 3].argval
        pushed = [k for k, i in enumerate(instructions) if i.opname == "LOAD_FAST" and i.argval == name]
    found = []
    for p in pushed:
        consumer = _fed(instructions, p)
        if consumer is not None and consumer[1] == 2 and instructions[consumer[0]].opname == "CALL" \
                and instructions[consumer[0]].arg == 1:
            found.append((consumer[0], made.argval))
    return tuple(found)


# what the code of a comprehension ``reduced`` evaluates may do: iterate, subscript, read sizes, compute and compare
_PURE = frozenset({"RESUME", "RETURN_GENERATOR", "POP_TOP", "LOAD_FAST", "STORE_FAST", "FOR_ITER", "JUMP_BACKWARD",
                   "JUMP_FORWARD", "LOAD_CONST", "BINARY_SUBSCR", "LOAD_GLOBAL", "LOAD_METHOD", "LOAD_ATTR", "PRECALL",
                   "CALL", "COMPARE_OP", "CONTAINS_OP", "IS_OP", "BINARY_OP", "UNARY_NOT", "UNARY_NEGATIVE",
                   "YIELD_VALUE", "RETURN_VALUE", "BUILD_LIST", "LIST_APPEND", "POP_JUMP_FORWARD_IF_FALSE",
                   "POP_JUMP_FORWARD_IF_TRUE", "POP_JUMP_BACKWARD_IF_FALSE", "POP_JUMP_BACKWARD_IF_TRUE",
                   "POP_JUMP_FORWARD_IF_NONE", "POP_JUMP_FORWARD_IF_NOT_NONE", "POP_JUMP_BACKWARD_IF_NONE",
                   "POP_JUMP_BACKWARD_IF_NOT_NONE", "JUMP_IF_FALSE_OR_POP",
                   "JUMP_IF_TRUE_OR_POP", "NOP", "PUSH_NULL", "COPY", "SWAP", "CACHE"})


def _picked_item(instructions: list[dis.Instruction], k: int) -> int | None:
    """The literal position the value the CALL at ``k`` pushes is subscripted by right away, where
    that call is ``sorted`` (``sorted(w)[0]``: its least item); None otherwise."""
    if k + 2 < len(instructions) and instructions[k + 1].opname == "LOAD_CONST" and type(instructions[k + 1].argval) is int \
            and instructions[k + 2].opname == "BINARY_SUBSCR" and not instructions[k + 1].is_jump_target:
        return instructions[k + 1].argval
    return None


def _item_at(reducer: Any, at: int, values: Any) -> Any:
    return reducer(values)[at] if reducer is builtins.sorted else _UNKNOWN


@_per_code(512)
def _reads_sizes(code: types.CodeType) -> bool:
    """Whether the code of a comprehension calls nothing but ``len`` and the methods that read
    sizes (``.numel()``, ``.size(0)``): what it makes is host numbers, no host read of data."""
    instructions = _instructions(code)
    callables = [i for i in instructions if i.opname in ("LOAD_GLOBAL", "LOAD_METHOD")]
    return code.co_name in _COMPREHENSIONS and sum(i.opname == "CALL" for i in instructions) == len(callables) and all(
        i.opname != "CALL_FUNCTION_EX" and not isinstance(i.argval, types.CodeType) for i in instructions) and all(
        i.argval == "len" if i.opname == "LOAD_GLOBAL" else i.argval in _SIZE_READS for i in callables)


@_per_code(512)
def _sizes_only(code: types.CodeType) -> bool:
    """Whether the code of a comprehension does nothing but iterate its items, subscript them,
    read sizes (``len``, ``.numel()``, ``.shape``, ``.size()``, ``.get``) and compute and compare
    numbers: no closure, no other global, no other method, no comprehension inside."""
    return (_reads_sizes(code) and not code.co_freevars and not code.co_cellvars
            and all(i.opname in _PURE and (i.opname != "LOAD_ATTR" or i.argval in _SIZE_READS) for i in _instructions(code)))


class _Sizes:
    """A tensor (or another sized value) of a target as ``reduced`` shows it: its sizes only;
    anything else raises (a comparison, a truth test, arithmetic), so nothing reads its data."""

    __slots__ = ("_of",)
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, of: Any) -> None:
        self._of = of

    def __len__(self) -> int:
        return len(self._of)

    def numel(self) -> int:
        return int(self._of.numel())

    nelement = numel

    def dim(self) -> int:
        return int(self._of.dim())

    @property
    def ndim(self) -> int:
        return int(self._of.dim())

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(int(n) for n in self._of.shape)

    def size(self, dim: int | None = None) -> Any:
        return self.shape if dim is None else self.shape[dim]

    def _refused(self, *_: Any) -> Any:
        raise TypeError("only the sizes of a target's tensor are read")

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __bool__ = _refused


def _shown(value: Any, weight: str | None) -> Any:
    """What ``reduced`` shows of a target's value: numbers, strings and None as they are, dicts and
    lists of such, a tensor's sizes (``_Sizes``); the weight field ``weight`` of a dict as 1."""
    if value is None or type(value) in (int, float, bool, str):
        return value
    if type(value) is dict:
        return {k: 1.0 if k == weight and type(v) in (int, float) else _shown(v, weight) for k, v in value.items()}
    if type(value) in (list, tuple):
        return tuple(_shown(v, weight) for v in value)
    if isinstance(value, torch.Tensor):
        return _Sizes(value)
    return _Sizes(None)  # no size of it is read


def reduced(reducer: Any, code: types.CodeType, items: list[Any], weight: str | None) -> Any:
    """``reducer`` of what the comprehension ``code`` makes of ``items`` (a group's targets, their
    weight field ``weight`` set to 1), read from their sizes only (``_Sizes``); ``_UNKNOWN`` where
    it raises (on those items alone the body would) or is not a plain number."""
    fn = types.FunctionType(code, {"__builtins__": {"len": builtins.len}}, code.co_name)
    try:
        value = reducer(fn(iter([_shown(t, weight) for t in items])))
    except Exception:  # noqa: BLE001 - the group's decision is not known
        return _UNKNOWN
    return value if type(value) in (int, float, bool) else _UNKNOWN


def _starred(instructions: list[dis.Instruction], u: int) -> list[str]:
    """The local the UNPACK_EX at ``u`` stores its starred list in (``_, *rest = targets``)."""
    before = (instructions[u].arg or 0) & 0xFF
    stores = instructions[u + 1 : u + 2 + before]
    return [stores[-1].argval] if len(stores) == before + 1 and all(i.opname == "STORE_FAST" for i in stores) else []


def _unread_result(called: Any, of_list: bool) -> int:
    """What ``called``, code not read (a builtin, functools, itertools, numpy), returns from the
    list (``of_list``) or a value iterated from it: ``_TENSOR`` for numpy (its shape holds the
    number), nothing (0) for torch (the mode follows its tensors) nor for a builtin that reads
    neither items nor number (``isinstance``; a copy of the list is ``_LIST``), ``_ENUMERATED``
    for ``enumerate``, else ``_ITER``."""
    if not callable(called):
        return 0
    if id(called) in (_UNREAD_OF_LIST if of_list else _UNREAD_OF_ITEM):  # (by identity)
        return 0
    if _array_module(called):
        return _TENSOR if getattr(called, "__module__", "").partition(".")[0] == "numpy" else 0
    return _ENUMERATED if called is builtins.enumerate else _ITER


# what puts the list where the code may read it later, out of this scan's sight (``self.t = targets``)
_STORED_IN = frozenset({"BUILD_TUPLE", "BUILD_LIST", "BUILD_SET", "BUILD_MAP", "BUILD_CONST_KEY_MAP", "STORE_ATTR",
                        "STORE_GLOBAL", "LIST_APPEND", "SET_ADD", "MAP_ADD", "LIST_EXTEND", "YIELD_VALUE"})


def _unpacked_into(instructions: list[dis.Instruction], k: int) -> int | None:
    """The CALL_FUNCTION_EX the tuple or list the instruction at ``k`` builds is the positional
    arguments of (``f(a, t, **kw)``, ``f(*[a, t])``); None otherwise."""
    fed = _fed(instructions, k)
    return fed[0] if fed is not None and fed[1] == 2 and instructions[fed[0]].opname == "CALL_FUNCTION_EX" else None


def _appended_into(instructions: list[dis.Instruction], k: int) -> int | None:
    """The CALL_FUNCTION_EX whose positional arguments the LIST_APPEND at ``k`` appends to."""
    fed = _fed(instructions, k, (instructions[k].arg or 1) - 1)
    while fed is not None and instructions[fed[0]].opname == "LIST_TO_TUPLE":
        fed = _fed(instructions, fed[0])
    return fed[0] if fed is not None and fed[1] == 2 and instructions[fed[0]].opname == "CALL_FUNCTION_EX" else None


def _fed(instructions: list[dis.Instruction], p: int, depth: int = 0) -> tuple[int, int] | None:
    """``_bytecode._consumer`` that also steps over what a call's arguments may hold (a lambda
    made, ``**kwargs`` merged), of the value ``depth`` values below the top after ``p``."""
    return _bytecode._consumer(instructions, p, _EFFECTS, depth)


def _test_start(code: types.CodeType, p: int) -> int | None:
    """The first instruction of the test of the value the instruction at ``p`` pushes: of the
    comparison that consumes it, or of the value itself where it is tested for truth."""
    instructions = _instructions(code)
    consumer = _fed(instructions, p)
    if consumer is not None and instructions[consumer[0]].opname in ("COMPARE_OP", "CONTAINS_OP", "IS_OP"):
        return _span_start(instructions, consumer[0], 2)
    return _span_start(instructions, p + 1, 1)


def _call_start(code: types.CodeType, k: int) -> int | None:
    span = _callable_span(code, k)
    return span[0] if span is not None else None


def _skipped(env: Env, start: int | None) -> bool:
    """Whether the code at ``start`` runs only past a jump on a value the call's configuration
    holds false (``if self.grow and len(t) > 2``, ``if flag: helper(targets)`` with ``flag`` a
    parameter given False): the test there is never made."""
    guard = _guard(env.code, start) if start is not None else None
    if guard is None:
        return False
    begin, jump = guard
    instructions = _instructions(env.code)
    value = _configured(env, instructions[begin:jump])
    if value is _UNKNOWN:
        return False
    name = instructions[jump].opname
    if name.endswith("NONE"):
        return (value is None) != name.endswith("NOT_NONE")
    return type(value) in (bool, int, type(None)) and bool(value) == name.endswith(("IF_TRUE", "TRUE_OR_POP"))


def held_off(f: types.FrameType, start: int) -> bool:
    """Whether the instruction at ``start`` of the running frame ``f``'s code runs only past a
    jump on a value the call's configuration holds false (``_skipped``): a parameter the code
    never stores (no cell), a global or an attribute of such a parameter that no code stores."""
    code = f.f_code
    stored, cells = _stored(code), {*code.co_cellvars, *code.co_freevars}
    parameters = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    local = {n: v for n, v in f.f_locals.items() if n in parameters and n not in stored and n not in cells}
    return _skipped(Env(code, f.f_globals, {}, local), start)


@_per_code(512)
def _guard(code: types.CodeType, start: int) -> tuple[int, int] | None:
    """(start of the condition, index of the conditional jump) that ends the block before the
    one holding ``start``, where that block is entered only from that jump's falling through."""
    instructions = _instructions(code)
    j = start - 1
    while j >= 0 and not instructions[j + 1].is_jump_target and "JUMP" not in instructions[j].opname \
            and instructions[j].opname not in ("RETURN_VALUE", "RAISE_VARARGS", "RERAISE", "FOR_ITER"):
        j -= 1
    if j < 1 or instructions[j + 1].is_jump_target:
        return None
    if not instructions[j].opname.startswith(("POP_JUMP_FORWARD_IF_", "POP_JUMP_BACKWARD_IF_", "JUMP_IF_")):
        return None
    begin = _span_start(instructions, j, 1)
    return (begin, j) if begin is not None else None


def _configured(env: Env, span: list[dis.Instruction]) -> Any:
    """The value of a parameter the code never rebinds, a global or an attribute of such a
    parameter that no code stores (``_bytecode.configured_value``), loaded by ``span``."""
    if len(span) == 1 and span[0].opname in ("LOAD_FAST", "LOAD_DEREF"):
        return env.local.get(span[0].argval, env.cells.get(span[0].argval, _UNKNOWN))
    if len(span) == 1 and span[0].opname == "LOAD_GLOBAL" and not (span[0].arg or 0) & 1:
        load = _bytecode._Named("global", span[0].argval)
    elif len(span) == 2 and span[0].opname in ("LOAD_FAST", "LOAD_DEREF") and span[1].opname == "LOAD_ATTR":
        load = _bytecode._Named("attr", (span[0].argval, span[1].argval))
    else:
        return _UNKNOWN
    value = _bytecode.configured_value(load, env.globals, env.local, env.code)
    return _UNKNOWN if value is _bytecode._UNPROVEN else value


def _aliases(instructions: list[dis.Instruction], lists: frozenset[str]) -> frozenset[str]:
    """Locals stored once from a load of the list (``t = targets``)."""
    return frozenset(
        after.argval for i, after in zip(instructions, instructions[1:])
        if i.opname in ("LOAD_FAST", "LOAD_DEREF") and i.argval in lists
        and after.opname in ("STORE_FAST", "STORE_DEREF") and _stored_once(instructions, after.argval))


def _stored_once(instructions: list[dis.Instruction], name: str) -> bool:
    return len(_stores(instructions, name)) + sum(i.opname == "STORE_DEREF" and i.argval == name
                                                  for i in instructions) == 1


@_per_code(512)
def _stored(code: types.CodeType) -> dict[str, int]:
    """How many times ``code`` stores or deletes each of its locals and cells."""
    counts: dict[str, int] = {}
    for i in _instructions(code):
        if i.opname in ("STORE_FAST", "DELETE_FAST", "STORE_DEREF", "DELETE_DEREF"):
            counts[i.argval] = counts.get(i.argval, 0) + 1
    return counts


def _argument(code: types.CodeType, instructions: list[dis.Instruction], k: int, position: int) -> int | str | None:
    """The argument of the CALL at ``k`` its ``position`` th value is: its index among the
    positional ones, or its keyword's name."""
    n = instructions[k].arg or 0
    names: tuple[str, ...] = ()
    if k >= 2 and instructions[k - 1].opname == "PRECALL" and instructions[k - 2].opname == "KW_NAMES":
        names = code.co_consts[instructions[k - 2].arg or 0]
    first_keyword = n - len(names)
    return position if position < first_keyword else names[position - first_keyword]


def _describe(code: types.CodeType, k: int) -> str:
    line = None
    for i in _instructions(code)[k::-1]:
        if i.starts_line is not None:
            line = i.starts_line
            break
    return f"{code.co_name} (line {line})"


def _parameter(code: types.CodeType, argument: int | str, shift: int) -> str | tuple[str, ...] | None:
    """The parameter of ``code`` that receives ``argument`` (``shift`` positional values bound
    before the call's own); None where ``*args`` / ``**kwargs`` take it. ``"*"``, a position not
    known: every positional parameter past ``shift`` (``*args`` among them: None)."""
    positional = code.co_argcount
    if argument == "*":
        return None if code.co_flags & inspect.CO_VARARGS else code.co_varnames[shift:positional]
    if isinstance(argument, int):
        index = argument + shift
        return code.co_varnames[index] if index < positional else None
    named = code.co_varnames[code.co_posonlyargcount : positional + code.co_kwonlyargcount]
    return argument if argument in named else None


def _env_of(fn: types.FunctionType, bound: dict[str, Any]) -> Env:
    """``fn``'s ``Env``, its parameters that its code never rebinds known from ``bound``."""
    code = fn.__code__
    cells: dict[str, Any] = {}
    for name, cell in zip(code.co_freevars, fn.__closure__ or ()):
        try:
            cells[name] = cell.cell_contents
        except ValueError:  # an empty cell
            pass
    stored = _stored(code)
    local = {n: v for n, v in {**_defaults(fn), **bound}.items() if n not in stored}
    return Env(code, fn.__globals__, cells, local)


def _defaults(fn: types.FunctionType) -> dict[str, Any]:
    code = fn.__code__
    values = fn.__defaults__ or ()
    positional = code.co_varnames[code.co_argcount - len(values) : code.co_argcount]
    return {**dict(zip(positional, values)), **(fn.__kwdefaults__ or {})}


def _bound(env: Env, k: int, callee: Env, shift: int) -> Env:
    """``callee`` with the values of the arguments of the CALL at ``k`` of ``env.code`` that
    ``_evaluated`` reads (a method, a module, a constant passed on) bound to its parameters
    that its code reads as configuration (``_read_as_configuration``)."""
    instructions = _instructions(env.code)
    wanted = _read_as_configuration(callee.code)
    local = dict(callee.local)  # its defaults, and ``self`` of a method
    for position, (start, end) in enumerate(_argument_spans(env.code, k)):
        argument = _argument(env.code, instructions, k, position)
        name = _parameter(callee.code, argument, shift) if argument is not None else None
        if not isinstance(name, str):
            continue
        local.pop(name, None)
        if name not in wanted or start < 0:
            continue
        got = _evaluated(env, instructions[start:end], 0)
        value = got[0] if got is not None and len(got) == 1 else _UNKNOWN
        if value is not _UNKNOWN and value is not _NULL and name not in _stored(callee.code):
            local[name] = value
    return callee._replace(local=local)


@_per_code(512)
def _argument_spans(code: types.CodeType, k: int) -> tuple[tuple[int, int], ...]:
    """(start, end) of each argument of the CALL at ``k``; start -1 where not straight-line code."""
    instructions = _instructions(code)
    if instructions[k].opname != "CALL":
        return ()
    end: int | None = _bytecode._arguments_end(instructions, k)
    spans: list[tuple[int, int]] = []
    for _ in range(instructions[k].arg or 0):
        start = _bytecode._operand_start(instructions, end) if end is not None else None
        spans.insert(0, (start, end) if start is not None and end is not None else (-1, -1))
        end = start
    return tuple(spans)


@_per_code(512)
def _read_as_configuration(code: types.CodeType) -> frozenset[str]:
    """The locals ``code`` loads where their values decide what is called or tested: in what a
    call calls, in a condition, compared, or held by a closure (``co_cellvars``)."""
    instructions = _instructions(code)
    spans = [_callable_span(code, k) for k, i in enumerate(instructions) if i.opname == "CALL"]
    spans += [_guard(code, k + 1) for k, i in enumerate(instructions) if "JUMP_IF" in i.opname or "JUMP_FORWARD_IF" in i.opname
              or "JUMP_BACKWARD_IF" in i.opname]
    names = {i.argval for span in spans if span is not None for i in instructions[span[0] : span[1]]
             if i.opname in ("LOAD_FAST", "LOAD_DEREF")}
    for k, i in enumerate(instructions):
        consumer = _fed(instructions, k) if i.opname == "LOAD_FAST" else None
        if consumer is not None and instructions[consumer[0]].opname == "COMPARE_OP":
            names.add(i.argval)
    return frozenset(names | set(code.co_cellvars))


def _callees(env: Env, k: int) -> list[tuple[Env, int]] | None:
    """The functions the CALL at ``k`` of ``env.code`` may run, each with the number of positional
    values bound before the call's own (a method's ``self``); [] for builtins and torch's own code;
    None where the callee cannot be told."""
    return _functions(_callable(env, k), env, 0)


def _call(env: Env, k: int, calls: dict[int, tuple[Any, list[tuple[Env, int]] | None]]) -> tuple[Any, Any]:
    """``_callable`` and ``_callees`` of the CALL at ``k``, read once per ``_visit`` (``calls``)."""
    if k not in calls:
        called = _callable(env, k)
        calls[k] = called, _functions(called, env, 0)
    return calls[k]


def _callable(env: Env, k: int) -> Any:
    """What the CALL at ``k`` of ``env.code`` calls, as ``_evaluated`` reads it."""
    span = _callable_span(env.code, k)
    if span is None:
        return _UNKNOWN
    values = _evaluated(env, _instructions(env.code)[span[0] : span[1]], 0)
    callables: list[Any] = []
    for v in values if values is not None else ():  # (a loop: no comprehension per call read)
        if v is not _NULL:
            callables.append(v)
    return callables[0] if values is not None and len(values) == 2 and len(callables) == 1 else _UNKNOWN


@_per_code(512)
def _callable_span(code: types.CodeType, k: int) -> tuple[int, int] | None:
    """(start, end) of the instructions that push what the CALL at ``k`` calls."""
    instructions = _instructions(code)
    if instructions[k].opname == "CALL_FUNCTION_EX":
        end = _span_start(instructions, k, 1 + ((instructions[k].arg or 0) & 1))
    else:
        end = _bytecode._arguments_start(instructions, k)
    start = _span_start(instructions, end, 2) if end is not None else None
    return (start, end) if start is not None and end is not None else None


_EFFECTS = {**_POPS_PUSHES, "MAKE_FUNCTION": lambda a: (1 + bin(a & 0xF).count("1"), 1),
            **dict.fromkeys(("DICT_MERGE", "DICT_UPDATE", "LIST_EXTEND"), lambda _: (1, 0)),
            "LIST_TO_TUPLE": lambda _: (1, 1), "CALL_FUNCTION_EX": lambda a: (3 + (a & 1), 1)}


def _span_start(instructions: list[dis.Instruction], end: int, need: int) -> int | None:
    """The start of the straight-line code right before ``end`` that pushes ``need`` values."""
    j = end
    while need > 0:
        j -= 1
        if j < 0:
            return None
        effect = _EFFECTS.get(instructions[j].opname)
        if effect is None or j < end - 1 and instructions[j + 1].is_jump_target:
            return None
        pops, pushes = effect(instructions[j].arg or 0)
        need += pops - pushes
    return j if need == 0 else None


class _Candidates(NamedTuple):
    values: tuple[Any, ...]


class _Super(NamedTuple):
    cls: type
    obj: Any


def _evaluated(env: Env, span: list[dis.Instruction], depth: int) -> list[Any] | None:
    """The values the instructions ``span`` push, read without running any of the body's code:
    globals, closure cells, ``self``, locals stored once from such values (functions the code
    defines, dicts of methods), attributes found in instance and class dicts, items of
    containers; ``_UNKNOWN`` for a value computed otherwise (a property, a call's result). None
    where the instructions are not such loads."""
    stack: list[Any] = []
    for i in span:
        op, arg = i.opname, i.arg or 0
        if op == "PUSH_NULL":
            stack.append(_NULL)
        elif op in ("PRECALL", "KW_NAMES", "NOP"):
            pass
        elif op == "LOAD_GLOBAL":
            stack += [_NULL] if arg & 1 else []
            stack.append(env.globals[i.argval] if i.argval in env.globals else vars(builtins).get(i.argval, _UNKNOWN))
        elif op == "LOAD_FAST":
            stack.append(env.local[i.argval] if i.argval in env.local else _local_value(env, i.argval, depth))
        elif op in ("LOAD_DEREF", "LOAD_CLOSURE"):
            stack.append(env.cells.get(i.argval, env.local.get(i.argval, _UNKNOWN)))
        elif op == "LOAD_CONST":
            stack.append(i.argval)
        elif op in ("LOAD_ATTR", "LOAD_METHOD"):
            got = _attribute(stack.pop(), i.argval)
            stack += [got, _NULL] if op == "LOAD_METHOD" else [got]
        elif op == "BINARY_SUBSCR":
            key, container = stack.pop(), stack.pop()
            stack.append(_item(container, key))
        elif op in ("BUILD_TUPLE", "BUILD_LIST", "BUILD_MAP", "BUILD_CONST_KEY_MAP"):
            n = arg * 2 if op == "BUILD_MAP" else arg + 1 if op == "BUILD_CONST_KEY_MAP" else arg
            items, stack = stack[len(stack) - n :], stack[: len(stack) - n]
            if op == "BUILD_MAP":
                items = [dict(zip(items[::2], items[1::2]))] if all(type(x) is str for x in items[::2]) else [_UNKNOWN]
            elif op == "BUILD_CONST_KEY_MAP":
                items = [dict(zip(items[-1], items[:-1]))] if type(items[-1]) is tuple else [_UNKNOWN]
            stack.append(items[0] if op.endswith("MAP") else tuple(items))
        elif op == "MAKE_FUNCTION":
            code = stack.pop()
            closure = stack.pop() if arg & 8 else ()
            del stack[len(stack) - bin(arg & 7).count("1") :]
            if not isinstance(code, types.CodeType) or type(closure) is not tuple:
                return None
            stack.append(Env(code, env.globals, dict(zip(code.co_freevars, closure)), {}))
        elif op == "CALL" and arg == 0 and len(stack) >= 2 and stack[-1] is builtins.super and stack[-2] is _NULL:
            stack[-2:] = [_zero_argument_super(env)]
        else:
            return None
    return stack


def _local_value(env: Env, name: str, depth: int) -> Any:
    """The value the local ``name`` of ``env.code`` is stored once from, where ``_evaluated``
    reads it (``def helper(t): ...``, ``fns = {"a": self.a}``); else ``_UNKNOWN``."""
    span = _local_span(env.code, name) if depth < 4 else None
    if span is None:
        return _UNKNOWN
    values = _evaluated(env, _instructions(env.code)[span[0] : span[1]], depth + 1)
    return values[0] if values is not None and len(values) == 1 else _UNKNOWN


_LOADS = frozenset({"PUSH_NULL", "PRECALL", "KW_NAMES", "NOP", "LOAD_GLOBAL", "LOAD_FAST", "LOAD_DEREF", "LOAD_CLOSURE",
                    "LOAD_CONST", "LOAD_ATTR", "LOAD_METHOD", "BINARY_SUBSCR", "BUILD_TUPLE", "BUILD_LIST",
                    "BUILD_MAP", "BUILD_CONST_KEY_MAP", "MAKE_FUNCTION", "CALL"})


@_per_code(512)
def _local_span(code: types.CodeType, name: str) -> tuple[int, int] | None:
    """(start, end) of the instructions whose value the local ``name`` is stored once from,
    where they are loads ``_evaluated`` reads; None otherwise (a call's result, two stores)."""
    instructions = _instructions(code)
    stores = _stores(instructions, name)
    start = _span_start(instructions, stores[0], 1) if len(stores) == 1 and _stored(code).get(name) == 1 else None
    if start is None or any(i.opname not in _LOADS for i in instructions[start : stores[0]]):
        return None
    return start, stores[0]


def _zero_argument_super(env: Env) -> Any:
    cls, obj = env.cells.get("__class__"), env.local.get(env.code.co_varnames[0]) if env.code.co_argcount else None
    return _Super(cls, obj) if isinstance(cls, type) and obj is not None else _UNKNOWN


def _item(container: Any, key: Any) -> Any:
    if type(container) not in (dict, list, tuple):
        return _UNKNOWN
    if isinstance(key, (str, int)) and not isinstance(key, bool):
        try:
            return container[key]
        except (KeyError, IndexError):
            return _UNKNOWN
    return _Candidates(tuple(container.values() if type(container) is dict else container))


def _attribute(obj: Any, name: str) -> Any:
    """``obj.name`` as the instance and class dicts hold it, without running a descriptor other
    than a function's, a static or a class method's (a property may compute anything)."""
    if obj is None or obj is _UNKNOWN or isinstance(obj, (_Candidates, Env)):
        return _UNKNOWN
    if isinstance(obj, _Super):
        mro = type(obj.obj).__mro__
        later = mro[mro.index(obj.cls) + 1 :] if obj.cls in mro else ()
        return _from_classes(later, name, obj.obj)
    if isinstance(obj, types.ModuleType):
        return vars(obj).get(name, _UNKNOWN)
    if isinstance(obj, type):
        return _from_classes(obj.__mro__, name, None)
    try:
        held = object.__getattribute__(obj, "__dict__")
    except AttributeError:
        held = {}
    on_class = _from_classes(type(obj).__mro__, name, obj)
    if type(held) is dict and name in held and not _data_descriptor(type(obj), name):
        return held[name]
    if on_class is _UNKNOWN and isinstance(obj, torch.nn.Module):
        return obj._modules.get(name, _UNKNOWN)
    return on_class


def _data_descriptor(cls: type, name: str) -> bool:
    for c in cls.__mro__:
        if name in c.__dict__:
            return hasattr(type(c.__dict__[name]), "__set__")
    return False


def _from_classes(classes: tuple[type, ...], name: str, obj: Any) -> Any:
    for c in classes:
        if name in c.__dict__:
            attr = c.__dict__[name]
            if isinstance(attr, staticmethod):
                return attr.__func__
            if isinstance(attr, classmethod):
                return types.MethodType(attr.__func__, obj if isinstance(obj, type) else type(obj) if obj is not None
                                        else c)
            if isinstance(attr, types.FunctionType):
                return types.MethodType(attr, obj) if obj is not None else attr
            if hasattr(type(attr), "__get__"):  # a property or another descriptor: it computes the value
                return _UNKNOWN
            return attr
    return _UNKNOWN


def _functions(value: Any, env: Env, shift: int) -> list[tuple[Env, int]] | None:
    """The Python functions calling ``value`` runs first, each with its ``Env`` and the
    positional values bound before the call's own; None where that cannot be told."""
    if isinstance(value, Env):
        return [(value, shift)]
    if isinstance(value, _Candidates):
        out: list[tuple[Env, int]] = []
        for v in value.values:
            each = _functions(v, env, shift)
            if each is None:
                return None
            out += each
        return out
    wrapped = getattr(value, "__dict__", {}).get("__wrapped__") if isinstance(value, types.FunctionType) else None
    if wrapped is not None:  # a decorator's wrapper (``@torch.no_grad()``, ``functools.wraps``): what it runs
        return _functions(wrapped, env, shift)
    if isinstance(value, types.FunctionType):
        return [] if _not_followed(value) else [(_env_of(value, {}), shift)]
    if isinstance(value, types.MethodType):
        func = value.__func__
        inner = getattr(func, "__dict__", {}).get("__wrapped__")
        if inner is not None:
            return _functions(types.MethodType(inner, value.__self__), env, shift)
        if not isinstance(func, types.FunctionType):
            return _functions(func, env, shift + 1)
        return [] if _not_followed(func) else [(_env_of(func, _first(func, value.__self__)), shift + 1)]
    if isinstance(value, functools.partial):  # its arguments bound as the call binds them
        inner = _functions(value.func, env, shift)
        if inner is None:
            return None
        out = []
        for callee, at in inner:
            names = callee.code.co_varnames[at : callee.code.co_argcount]
            given = {**dict(zip(names, value.args)), **value.keywords}
            stored = _stored(callee.code)
            local = {**callee.local, **{n: v for n, v in given.items() if n not in stored}}
            out.append((callee._replace(local=local), at + len(value.args)))
        return out
    if isinstance(value, (types.BuiltinFunctionType, types.BuiltinMethodType, types.WrapperDescriptorType,
                          types.MethodWrapperType, types.MethodDescriptorType)):
        return []
    if value is _UNKNOWN or isinstance(value, _Super):
        return None
    if not callable(value):  # the call raises: no code of the body's runs
        return []
    if isinstance(value, type):
        init = _from_classes(value.__mro__, "__init__", None)
        return [(_env_of(init, {}), shift + 1)] if isinstance(init, types.FunctionType) and not _not_followed(init) else []
    if isinstance(value, torch.nn.Module):
        forward = _from_classes(type(value).__mro__, "forward", value)
        return _functions(forward, env, shift) if forward is not _UNKNOWN else None
    call = _from_classes(type(value).__mro__, "__call__", value)
    return _functions(call, env, shift) if call is not _UNKNOWN else None


def _array_module(value: Any) -> bool:
    module = getattr(value, "__module__", None)
    return isinstance(module, str) and module.partition(".")[0] in ("torch", "numpy")


def _first(fn: types.FunctionType, value: Any) -> dict[str, Any]:
    code = fn.__code__
    return {code.co_varnames[0]: value} if code.co_argcount else {}


def _not_followed(fn: types.FunctionType) -> bool:
    module = fn.__globals__.get("__name__", "")
    return not isinstance(module, str) or module.partition(".")[0] in _NOT_FOLLOWED
