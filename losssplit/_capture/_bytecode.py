"""Whether the subscript (or division) being executed has an operand written as a literal in the
body's code.

After values of the images were read on the host, a slice bound may be a number computed from
them (``n = mask.sum().item(); out[..., :n]``): a number has no identity, so the capture cannot
tell it from a literal (``out[..., :4]``) by its value. The code can: the Python frame that
executes the subscript is stopped at it (``f_lasti``), and walking back from that instruction over
the ones that built its index operand shows whether only constants went in. Anything else -- a
name, a call, an opcode not known here, a jump into the middle, a frame not found, a Python
version whose layout was not checked -- is no proof.

Standard library only (``dis``); no torch, so the analysis can be checked on other interpreters.
"""

from __future__ import annotations

import builtins
import contextvars
import dis
import functools
import inspect
import itertools
import math
import numbers
import operator
import sys
import threading
import types
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple, TypeGuard, TypeVar

import torch

_F = TypeVar("_F", bound=Callable[..., Any])
_R = TypeVar("_R")


_MISSING = object()


def _per_code(maxsize: int) -> Callable[[_F], _F]:
    """``functools.lru_cache`` for a function of a code object and hashable positional arguments, keyed on
    the code object by identity (it is held, so its id stays its own): ``hash(code)`` hashes its
    constants, nested code objects included, on every ask (the seed's body holds its
    comprehensions' code). At ``maxsize`` code objects the table starts over."""

    def wrap(fn: _F) -> _F:
        table: dict[int, tuple[types.CodeType, dict[Any, Any]]] = {}

        @functools.wraps(fn)
        def cached(code: types.CodeType, *rest: Any) -> Any:
            # positional arguments only: a wrapper taking ``**kw`` gets a new dict on every call
            try:  # (the hit, nearly every ask: two subscripts, no method call)
                hit = table[id(code)]
                if hit[0] is code:
                    return hit[1][rest]
            except KeyError:
                pass
            entry = table.get(id(code))
            if entry is None or entry[0] is not code:
                if len(table) >= maxsize:
                    table.clear()
                entry = table[id(code)] = (code, {})
            found = entry[1].get(rest, _MISSING)
            if found is _MISSING:
                found = entry[1][rest] = fn(code, *rest)
            return found

        cached.cache_clear = table.clear  # type: ignore[attr-defined]
        cached.table = table  # type: ignore[attr-defined]  # (read in place by the hottest askers)
        return cached  # type: ignore[return-value]

    return wrap

# Python versions whose subscript layout was checked (``dis`` of ``x[..., :4]``, ``x[:4]``,
# ``x[..., :4] = v``, ``x[:4] = v``, and ``f_lasti`` on the subscript during the call it makes).
# 3.14 folds slices into LOAD_CONST and subscripts with BINARY_OP: not checked, no proof there.
# Divisions (``a / 4.0``: LOAD_CONST right before BINARY_OP, ``f_lasti`` on it) were checked on
# 3.11; 3.12 and 3.13 keep that layout. 3.14 loads small ints with LOAD_SMALL_INT: not checked.
_CHECKED = {(3, 11), (3, 12), (3, 13)}
_VERSION = sys.version_info[:2]  # (read by every check of a layout: no slice of ``sys.version_info`` per ask)

# subscript opcode -> how many stack values at its top make the index (the container is below):
# BINARY_SLICE / STORE_SLICE (3.12+) take start and stop and call with ``slice(start, stop)``.
_SUBSCRIPTS = {"BINARY_SUBSCR": 1, "STORE_SUBSCR": 1, "BINARY_SLICE": 2, "STORE_SLICE": 2}

# ``a / b`` and ``a /= b``: BINARY_OP's argument (3.11 to 3.13)
_DIVISIONS = frozenset({11, 24})
# ``a * b`` and ``a *= b``
_PRODUCTS = frozenset({5, 18})
# ``a ** b`` and ``a **= b``
_POWERS = frozenset({8, 21})
# ``a + b``, ``a - b``, ``a += b``, ``a -= b``
_SHIFTS = frozenset({0, 10, 13, 23})

# Python versions whose layout of ``name = max(x, 1)`` followed by ``... / name`` was checked
# (LOAD_GLOBAL max, two loads, PRECALL, CALL 2, STORE_FAST; exception handlers start with
# PUSH_EXC_INFO and are not marked as jump targets)
_FLOOR_CHECKED = {(3, 11)}

_INTERNAL = ("losssplit", "torch")

# The interpreters whose bytecode every reading of the body's code was written and checked against.
# Elsewhere a reading that finds no test, count or floor would let a group take the batch's
# decision (on CPython 3.12 the suite found such silently wrong companions), so calls pass through.
PYTHONS_CHECKED = frozenset({("cpython", 3, 11)})


def python_checked() -> bool:
    """Whether this interpreter is one of ``PYTHONS_CHECKED``."""
    return (sys.implementation.name, *_VERSION) in PYTHONS_CHECKED


_UNPROVEN = object()


def literal_index(index: Any) -> bool:
    """Whether ``index`` (the index a ``Tensor.__getitem__`` / ``__setitem__`` received) is the
    literal index operand of the subscript the caller's code is executing: the first Python frame
    up the stack outside the losssplit and torch packages is stopped at a subscript whose index was
    built from constants only, and that index equals ``index``. On Python 3.11 a bound may also be
    configuration loaded by name (``x[:, :NUM_CLASSES]``, ``x[:, :self.num_classes]``, a parameter
    of the decorated body), see ``_configured``: an int set before the call, not computed from a
    value the call read."""
    f = _caller()
    if f is None:
        return False
    literal, named = _literal_kind(f.f_code, _lasti(f))
    if not named:  # constants only: the index operand itself where the code loads it whole (``x[..., 2]``)
        return literal is not _UNPROVEN and (index is literal or _same(literal, index))
    literal = _resolved(literal, f)
    return literal is not _UNPROVEN and _constant(literal) and _same(literal, index)


def own_length_bound(x: Any, body: Callable[[], BodyCall | None]) -> bool:
    """Whether the subscript the caller's code is executing is ``x[:n]`` with ``n`` a local the code
    last stored, in straight-line code right before without storing ``x`` in between, as
    ``int(len(x) * k)`` or ``int(k * len(x))`` (a trimmed loss's ``keep = int(len(res) * (1 -
    trim))``), or that bound written in the subscript (``x[:int(len(x) * k)]``), ``k`` a constant of the call (``_constant_of_call``) and ``x`` the very tensor cut: the
    bound is computed from that tensor's own size, whatever numbers were read before, the same on
    any group with its image. False otherwise, or on a Python whose layout was not checked."""
    f = _caller() if _VERSION in _FLOOR_CHECKED else None
    if f is None or any(_builtin(f, n) is not getattr(builtins, n) for n in ("int", "len")):
        return False
    found = _own_length_bound_at(f.f_code, _lasti(f))
    if found is None or f.f_locals.get(found[0], _UNPROVEN) is not x:
        return False
    k: Any = _constant_of_call(f, found[1], found[2], body, own=None)
    return type(k) in (int, float)


@_per_code(1024)
def _own_length_bound_at(code: types.CodeType, lasti: int) -> tuple[str, int, int] | None:
    """(``x``, the span of ``k``) of ``x[:n]`` at ``lasti`` with ``n = int(len(x) * k)`` (see
    ``own_length_bound``); None otherwise."""
    instructions, at = _located(code, lasti)
    if at is None or at < 4 or instructions[at].opname != "BINARY_SUBSCR" or instructions[at - 1].opname != "BUILD_SLICE" \
            or instructions[at - 1].arg != 2:
        return None
    bound = _operand_start(instructions, at - 1)
    if bound is None or bound < 2:
        return None
    load, none = instructions[bound - 2 : bound]
    if load.opname != "LOAD_FAST" or none.opname != "LOAD_CONST" or none.argval is not None:
        return None
    x = load.argval
    if bound == at - 2 and instructions[bound].opname == "LOAD_FAST":  # ``x[:n]``, ``n`` stored before
        n = instructions[bound].argval
        store = next((k for k in range(bound - 3, -1, -1) if instructions[k].opname in ("STORE_FAST", "DELETE_FAST")
                      and instructions[k].argval in (x, n)), None)
        if store is None or instructions[store].argval != n or instructions[store].opname != "STORE_FAST" \
                or any(i.is_jump_target or i.opname.startswith(_LEAVES) for i in instructions[store + 1 : at + 1]):
            return None
        first = _operand_start(instructions, store)
        if first is None:
            return None
    else:  # ``x[:int(len(x) * k)]`` written in the subscript
        store, first = at - 1, bound
        if any(i.is_jump_target for i in instructions[bound - 1 : at + 1]):
            return None
    span = instructions[first:store]
    # ``int(<product>)``: LOAD_GLOBAL int, the product, PRECALL 1, CALL 1
    if len(span) < 4 or span[0].opname != "LOAD_GLOBAL" or span[0].argval != "int" or not (span[0].arg or 0) & 1 \
            or span[-2].opname != "PRECALL" or span[-2].arg != 1 or span[-1].opname != "CALL" or span[-1].arg != 1:
        return None
    product = store - 2  # the product's BINARY_OP
    if instructions[product - 1].opname != "BINARY_OP" or instructions[product - 1].argrepr != "*":
        return None
    operands = _split_operands(instructions[first + 1 : product - 1], 2)
    if operands is None:
        return None
    at_first = first + 1
    spans = ((at_first, at_first + len(operands[0])), (at_first + len(operands[0]), product - 1))
    for j in (0, 1):
        length = operands[j]
        if [i.opname for i in length] == ["LOAD_GLOBAL", "LOAD_FAST", "PRECALL", "CALL"] and length[0].argval == "len" \
                and (length[0].arg or 0) & 1 and length[1].argval == x and length[3].arg == 1:
            return x, *spans[1 - j]
    return None


def configured_list_index(index: Any, lists: FixedLists) -> bool:
    """Whether the list of ints ``index`` that a ``Tensor.__getitem__`` received is the index
    operand of the subscript the caller's code is executing, an attribute of ``self`` or a module
    global loaded by name (``loss[self.classes]``, pytorch_optimizer's ``DiceLoss``) that no code
    the call may run stores (``_configured``), held by an object of the call when it began and
    holding the same items now (``_unchanged``: grown through an alias, ``c = self.classes;
    c.append(k)``, no name shows it): the same positions on a group alone."""
    if type(index) is not list or not all(type(v) is int for v in index) or not _unchanged(index, lists, False):
        return False
    f = _caller()
    if f is None:
        return False
    literal, named = _literal_kind(f.f_code, _lasti(f))
    return named and type(literal) is _Named and literal.kind in ("attr", "global") and _configured(literal, f) is index


def shape_bound_index() -> bool:
    """Whether the subscript store the caller's code is executing (``big[:, :N - 1] = x``) has an
    index built only of literals, arithmetic (``+ - * //``, a negation) and sizes of a later dim
    read as such (``x.shape[1]``, ``x.size(2)``: ``_later_dim_size``), also through locals stored
    once from such (torch-struct's chart, ``N = x.shape[1] + 1``): numbers the body computes the
    same on a group alone. False for any other load (a ``len``, a parameter, a number read on the
    host, a global) or where the code cannot be read."""
    f = _caller()
    return f is not None and _shape_bound_at(f.f_code, _lasti(f))


@_per_code(1024)
def _shape_bound_at(code: types.CodeType, lasti: int) -> bool:
    instructions, at = _located(code, lasti)
    if at is None or instructions[at].opname != "STORE_SUBSCR" or instructions[at].is_jump_target:
        return False
    start = _operand_start(instructions, at)  # the index, pushed last
    return start is not None and _shape_span(code, instructions, start, at, frozenset())


_SHAPE_ARITHMETIC = frozenset({"+", "-", "*", "//"})


def _shape_span(code: types.CodeType, instructions: list[dis.Instruction], start: int, end: int,
                seen: frozenset[str]) -> bool:
    k = start
    while k < end:
        i = instructions[k]
        if i.opname in ("LOAD_FAST", "LOAD_DEREF") and k + 3 < end and _later_dim_size(instructions, k + 1):
            if instructions[k + 1].argval == "shape":  # ``x.shape[1]``
                k += 4
                continue
            if k + 4 < end and instructions[k + 4].opname == "CALL" and instructions[k + 4].arg == 1:  # ``x.size(1)``
                k += 5
                continue
            return False
        if i.opname == "LOAD_FAST" and i.argval not in seen and i.argval not in _parameters(code):
            stores = _stores(instructions, i.argval)
            value = _unpacked_value(instructions, stores[0]) if len(stores) == 1 and stores[0] < k else None
            if value is None or not _shape_span(code, instructions, *value, seen | {i.argval}):
                return False
        elif not (i.opname in ("LOAD_CONST", "BUILD_SLICE", "BUILD_TUPLE", "UNARY_NEGATIVE")
                  or i.opname == "BINARY_OP" and i.argrepr in _SHAPE_ARITHMETIC):
            return False
        k += 1
    return True


@_per_code(1024)
def _literal_kind(code: types.CodeType, lasti: int) -> tuple[Any, bool]:
    """(``_literal_at``'s index, whether it loads names): an index of constants alone is
    ``_resolved`` to itself, so only one that loads names is resolved on each ask; ``_UNPROVEN``
    where it is not built of ``_constant`` parts."""
    literal = _literal_at(code, lasti)
    if literal is _UNPROVEN or _loads_names(literal):
        return literal, literal is not _UNPROVEN
    return (literal if _constant(literal) else _UNPROVEN), False


def _loads_names(index: Any) -> bool:
    if type(index) is _Named:
        return True
    if type(index) is tuple:
        return any(_loads_names(p) for p in index)
    return type(index) is slice and any(_loads_names(b) for b in (index.start, index.stop, index.step))


class _Named(NamedTuple):
    """A load by name in an index operand, its value read when the subscript runs: ``kind``
    ``"global"`` (a module global), ``"param"`` (a parameter never rebound) or ``"attr"`` (an
    attribute of the parameter ``self``, never rebound); ``name`` the name, (``self``, attribute)
    for ``"attr"``."""

    kind: str
    name: Any


def _resolved(index: Any, f: types.FrameType) -> Any:
    """``index`` as ``_literal_at`` gives it, each ``_Named`` load replaced by its int value in
    ``f`` (see ``_configured``); ``_UNPROVEN`` where one is not such an int."""
    if type(index) is _Named:
        value = _configured(index, f)
        return value if type(value) is int else _UNPROVEN
    if type(index) is tuple:
        parts = tuple(_resolved(p, f) for p in index)
        return _UNPROVEN if any(p is _UNPROVEN for p in parts) else parts
    if type(index) is slice:
        bounds = [_resolved(b, f) for b in (index.start, index.stop, index.step)]
        return _UNPROVEN if any(b is _UNPROVEN for b in bounds) else slice(*bounds)
    return index


def _configured(load: _Named, f: types.FrameType) -> Any:
    """The value of ``load`` in ``f``: a module global of ``f``'s module; a parameter of the
    decorated body's own code (the argument or default the call received, set before anything
    was read in it; a helper's parameters may hold numbers the body read); an attribute of
    ``self`` held in its ``__dict__`` or its class's (no descriptor run). ``_UNPROVEN`` else."""
    if load.kind == "param":
        body = _package(f.f_back) == "losssplit"
        return _locals(f).get(load.name, _UNPROVEN) if body else _UNPROVEN
    return configured_value(load, f.f_globals, _locals(f), f.f_code)


def configured_value(load: _Named, names: dict[str, Any], local: dict[str, Any], code: types.CodeType) -> Any:
    """``_configured`` of a global (``names`` the module's) or an attribute of a local in ``local``
    (the running ``code``'s)."""
    if load.kind == "global":  # not a name the code or its module's assigns (``global``), nor another's (``mod.K = n``)
        written = (f"GLOBAL:{load.name}", f"ATTR:{load.name}")
        if any(_writes(_stored_names(c), written) for c in (code, *_module_codes(names))):
            return _UNPROVEN
        return names.get(load.name, _UNPROVEN)
    if load.kind != "attr":
        return _UNPROVEN
    owner, attr = load.name
    obj = local.get(owner, _UNPROVEN)
    if _attribute_written(code, names, obj, attr):
        return _UNPROVEN
    try:
        held = object.__getattribute__(obj, "__dict__")
    except AttributeError:
        held = {}
    if type(held) is dict and attr in held:
        return held[attr]
    for cls in type(obj).__mro__:
        if attr in cls.__dict__:
            return cls.__dict__[attr]
    return _UNPROVEN


def _attribute_written(code: types.CodeType, names: dict[str, Any], obj: Any, attr: str) -> bool:
    """Whether ``code`` (or code nested in it), a method other than ``__init__`` of ``obj``'s class
    or its bases (of ``obj`` itself, a class), or a function among its module's globals ``names``
    (``_module_codes``: ``prepare(self, targets)``) stores or deletes an attribute named ``attr``
    (``self.k = n`` after a read): it may then hold a number read from the batch. Torch's and
    losssplit's classes aside (``Module.train`` sets ``training`` between calls, not in one)."""
    name = (f"ATTR:{attr}",)
    if _writes(_stored_names(code), name):
        return True
    methods = _methods(obj if isinstance(obj, type) else type(obj))
    return any(_writes(_stored_names(c), name) for c in (*_codes_of(methods), *_module_codes(names, classes=False)))


def _methods(cls: type) -> list[Any]:
    """What ``cls`` and its bases define other than ``__init__`` (torch's and losssplit's classes
    aside): the methods that may set an attribute of its objects during a call."""
    return [v for c in cls.__mro__ if c is not object and not _internal(c.__module__)
            for k, v in vars(c).items() if k != "__init__"]


def _module_codes(names: dict[str, Any], classes: bool = True) -> list[types.CodeType]:
    """The code of the functions and classes among the globals ``names`` (the module's own and
    those it imports), and of those of the modules among them that are neither torch's nor
    losssplit's nor installed (``import helpers``): what a helper the code calls may run. Where
    it assigns a name (``_stored_names``), a value read by that name may be the batch's. Not
    ``classes``: functions only (a class's methods set attributes of its own objects)."""
    kinds = (types.FunctionType, type) if classes else types.FunctionType
    found: list[Any] = []
    for v in list(names.values()):
        if isinstance(v, types.ModuleType):
            if not _internal(v.__name__) and not _installed(v):
                found.extend(w for w in list(vars(v).values())
                             if isinstance(w, kinds) and not _internal(getattr(w, "__module__", None)))
        elif isinstance(v, kinds) and not _internal(module := getattr(v, "__module__", None)) \
                and not _installed_name(module):
            found.append(v)
    return _codes_of(found)


_INSTALLED_NAMES: dict[str, bool] = {}


def _installed_name(name: Any) -> bool:
    """Whether the module named ``name`` is installed (``_installed``): a function it defines and the
    code imports by name (``from collections import namedtuple``, whose ``exec`` fills its own
    namespace) sets globals of its own module, never of the module importing it."""
    known = _INSTALLED_NAMES.get(name) if type(name) is str else None
    if known is None:
        module = sys.modules.get(name) if type(name) is str else None
        known = module is not None and _installed(module)
        if type(name) is str and len(_INSTALLED_NAMES) < 4096:
            _INSTALLED_NAMES[name] = known
    return known


def _installed(module: types.ModuleType) -> bool:
    """Whether ``module`` is built in, or its file is under Python's prefixes (the standard
    library, site-packages): no code of the project's."""
    path = getattr(module, "__file__", None)
    return path is None or str(path).startswith((sys.prefix, sys.base_prefix, sys.exec_prefix))


def divisor_source(z: Any) -> str | None:
    """Where the Python number ``z`` dividing a loss comes from in the division the caller's code
    is executing (the first Python frame up the stack outside the losssplit and torch packages,
    stopped at ``a / b`` or ``a /= b``): ``"literal"`` when ``b`` is a constant loaded right before
    it, equal to ``z`` (type included: ``l.sum() / 4.0``); ``"configured"`` when ``b`` is an
    attribute or a module global loaded right before it (``/ self.scale``, ``/ SCALE``); ``"other"``
    for anything else (a local name, an expression, ``torch.div(l, 4)``). None on a Python version
    whose layout was not checked (nothing can be told there)."""
    if _VERSION not in _CHECKED:
        return None
    f = _caller()
    if f is None:
        return "other"
    source, literal = _divisor_at(f.f_code, _lasti(f))
    if source == "literal" and not _written_literal(literal, z, f):
        return "other"
    return source


def installed_caller() -> bool:
    """Whether the first Python frame outside losssplit and torch is code of an installed package
    (site-packages, the standard library) rather than the project's."""
    f = _caller(checked=False)
    if f is None:
        return False
    path = f.f_code.co_filename
    return path.startswith((sys.prefix, sys.base_prefix, sys.exec_prefix))


def in_grad_mode_helper() -> bool:
    """Whether the op runs inside a function the body called that a grad-mode decorator wraps
    (``@torch.no_grad()`` on a matcher's ``forward``): torch's ``decorate_context`` frame lies
    between the op and the decorated criterion's call (above it, the caller's evaluation loop)."""
    f: types.FrameType | None = sys._getframe(1)
    while f is not None:
        name = f.f_globals.get("__name__", "")
        if name == "losssplit._decorator":
            return False
        if name == "torch.utils._contextlib" and f.f_code.co_name == "decorate_context":
            return True
        f = f.f_back
    return False


def configured_set() -> bool:
    """Whether the divisor of the ``/`` (``/=``) the caller's code is executing is an attribute or
    a global loaded right before it (``/ self.last_bs``) that the code, a function of its module or
    a method of ``self``'s class other than ``__init__`` sets (``self.last_bs = len(targets)``): it
    may hold a count of this batch or of an earlier one, which its value cannot tell (red team,
    session 26: a previous call's image count read as this call's)."""
    found = _executed(_CHECKED)
    if found is None:
        return False
    f, instructions, at = found
    if at is None or at == 0 or instructions[at].opname != "BINARY_OP" or instructions[at].arg not in _DIVISIONS:
        return False
    before = instructions[at - 1]
    if before.opname not in ("LOAD_ATTR", "LOAD_GLOBAL"):
        return False
    named = {f"{_LOADS[before.opname]}:{before.argval}"}
    return _writes(_written_names(f.f_code), named) or _set_elsewhere(f, named)


def configured_item_set() -> bool:
    """Whether the divisor of the ``/`` (``/=``) the caller's code is executing is an item of a
    dict attribute read right before it (``/ self.table["k"]``) that the code, a function of its
    module or a method of ``self``'s class other than ``__init__`` sets or sets an item of: as for
    ``configured_set``, a count of this batch or of an earlier one."""
    found = _executed(_CHECKED)
    if found is None:
        return False
    f, instructions, at = found
    if at is None or at < 4 or instructions[at].opname != "BINARY_OP" or instructions[at].arg not in _DIVISIONS:
        return False
    head, attr, key, item = instructions[at - 4 : at]
    if head.opname not in ("LOAD_FAST", "LOAD_DEREF") or head.argval != "self" or attr.opname != "LOAD_ATTR" \
            or key.opname not in ("LOAD_CONST", "LOAD_FAST") or item.opname != "BINARY_SUBSCR":
        return False
    named = {f"ATTR:{attr.argval}"}
    return _writes(_set_names(f.f_code), named) or _set_elsewhere(f, named)


def written_operand(kind: str, c: float, counts: frozenset[int]) -> bool:
    """Whether the number ``c`` is written in the body's code at the op (a literal, an attribute,
    a global; as a divisor also ``len`` of a container the code fixes, ``fixed_length``): the same
    on a group's run. A local name may hold the batch's count or a weight."""
    if kind == "rdiv":
        return literal_dividend(c)
    source = divisor_source(c) if kind == "div" else offset_source(c, product=kind == "mul")
    return source in ("literal", "configured") or kind == "div" and fixed_length(c, counts)


def literal_factor(c: Any) -> bool:
    """Whether the Python number ``c`` is the right operand of the multiplication (``a * 0.5``,
    ``a *= 0.5``) the caller's code is executing, written there as a constant equal to ``c`` (type
    included): a coefficient of the body, whatever image's weight it equals."""
    f = _caller()
    if f is None:
        return False
    source, literal = _divisor_at(f.f_code, _lasti(f), _PRODUCTS)
    return source == "literal" and _written_literal(literal, c, f)


def literal_exponent(c: Any, passed: int, configured: bool = False) -> bool:
    """Whether the Python number ``c`` is the exponent of the power the caller's code is
    executing, written there as a constant (type included): ``x ** 2`` (a LOAD_CONST right before
    the ``**``), with ``configured`` also ``x ** self.gamma`` (an attribute or a global loaded
    right before it), ``x.pow(2)``, ``torch.pow(x, 2)`` (``passed``: the arguments the op
    received)."""
    f = _caller()
    if f is None:
        return False
    source, literal = _divisor_at(f.f_code, _lasti(f), _POWERS)
    if source == "configured":
        return configured
    if source == "literal":
        return _written_literal(literal, c, f)
    return literal_size(c, 1, "exponent", passed)


def straight_line_operator(counts: Collection[int] = (), lists: FixedLists | None = None) -> bool:
    """Whether the caller's code is executing a binary operator (``a + b``, ``a * b``) that runs
    once per call of the decorated body: no loop of that code, nor of any code between it and
    the body (a helper called in a loop), runs it again (a backward jump from after it to it or
    before it: ``for``, ``while``, a comprehension), and no code between them is entered twice
    (recursion). A value added there is added once per call, whatever the images. False for
    anything else (a call such as ``sum(...)`` of a generator, a frame not found, a Python whose
    layout was not checked). A loop the code fixes runs it as often on a group (``fixed_repeats``;
    ``counts``: the batch's counts; ``lists``: the call's lists of fixed length)."""
    f = _caller()
    if f is None:
        return False
    instructions, at = _located(f.f_code, _lasti(f))
    if at is None or instructions[at].opname != "BINARY_OP":
        return False
    return fixed_repeats(counts, f, lists)


# recorded before the body runs: id -> (an argument's list of per-layer outputs, or a list or dict
# attribute of an object the call holds; its items then; whether it is an argument's per-layer list)
FixedLists = dict[int, tuple[Any, tuple[Any, ...], bool]]


def fixed_repeats(counts: Collection[int], f: types.FrameType | None = None, lists: FixedLists | None = None) -> bool:
    """Whether the op the caller's code is executing (``f``'s, where given) runs as many times
    per call of the decorated body whatever the images: neither its code nor any code between it
    and the body (a helper) is entered twice or may call itself (recursion, ``_recursive``), and
    every loop that runs it is a ``for``
    over an iterable the code fixes (``_fixed_loops``), left only when it is exhausted. False for
    anything else (a ``while``, a comprehension, a loop over an argument, a frame not found).
    ``counts``: the batch's counts (images, lengths of image rows); a loop over numbers that the
    code does not write as literals (an attribute, a global) as many as one of them is no proof:
    the body may have set them from the batch (``self.ws = [t["w"] for t in targets]``). ``lists``
    (``_fixed_iterable``): an argument's lists of per-layer outputs and the list attributes of the
    call's objects, each with its items before the body ran (without it, neither is a proof)."""
    f = f if f is not None else _caller()
    seen: set[types.CodeType] = set()
    while f is not None:
        package = _package(f)
        if package == "losssplit":
            return True  # the decorator's wrapper: the body's call
        if package not in _INTERNAL:
            if f.f_code in seen or _recursive(f) or _in_loop(f.f_code, _lasti(f)) and not _fixed_loops(f, counts, lists):
                return False
            seen.add(f.f_code)
        f = f.f_back
    return False


def counted_loop() -> bool:
    """Whether a ``for`` loop around the op the caller's code is executing (in that code or in a
    code between it and the body: a helper called in a loop) runs over an iterable the code computes
    from a count of the images, not over the images themselves: ``range((len(t) + 1) // 2)``,
    ``range(self.k)`` of ``self.k = len(t) - 1``, ``range(len(self.dims))`` of ``self.dims =
    [4, 3, 2][:len(t) - 1]``, ``random.sample(dims, self.k)``, ``range(CFG["n"])`` of ``CFG["n"] =
    len(t) // 2``, read through the locals, attributes and global items it loads, where that count
    is ``len()`` of a parameter itself (``len(outputs["iters"])`` may count iterations), or
    a global helper's value computed from ``len`` of a parameter it is given (``range(_half(t))``:
    ``_counts_its_argument``). On a group alone it runs another number of
    times, so a sum of whole-batch terms there has another number of terms. False where nothing
    can be told (another Python)."""
    return _up_to_the_body(lambda f: _counted_loops(f.f_code, _lasti(f)) or any(
        _counts_its_argument(f.f_globals.get(name)) for name in _loop_helpers(f.f_code, _lasti(f))))


def _up_to_the_body(found: Callable[[types.FrameType], bool]) -> bool:
    """Whether ``found`` holds of a frame from the caller's up to the decorated body's (frames of
    torch's own packages skipped); False on an unchecked Python."""
    if _VERSION not in _COUNT_CHECKED:
        return False
    f = _caller()
    while f is not None:
        package = _package(f)
        if package == "losssplit":
            return False
        if package not in _INTERNAL and found(f):
            return True
        f = f.f_back
    return False


def strided_loop() -> bool:
    """Whether a ``for`` loop around the op the caller's code is executing (in that code or in a
    code between it and the body) runs over ``range`` of three arguments, a start or stop reading
    ``len`` of a parameter (or a local stored from one) and a step no literal 1 or -1
    (``range(0, len(t), 2)``): it visits every other image, so on a group alone it runs another
    number of times (lp3's pin; the per-image sums' rules keep one image's terms there). False where
    nothing can be told (another Python)."""
    return _up_to_the_body(lambda f: _strided_loops(f.f_code, _lasti(f)))


def partial_loop(left: bool = False) -> bool:
    """Whether a ``for`` loop around the op the caller's code is executing (in that code or in a
    code between it and the body) runs over the images but visits only some of them, so that on a
    group alone it runs another number of times, over other images: its iterable slices them
    (``t[1:]``, ``zip(t, t[1:])``, ``enumerate(t[::2])``, there or in a local stored so), or a jump
    leaves it early (``if len(u["labels"]) >= 3: break``, a ``return``), where the test may read
    the images. False where nothing can be told (another Python). ``left``: only a loop a jump
    leaves early."""
    return _up_to_the_body(lambda f: _partial_loops(f.f_code, _lasti(f), left))


@_per_code(1024)
def _partial_loops(code: types.CodeType, lasti: int, left: bool) -> bool:
    """``partial_loop`` of the instruction at ``lasti`` of ``code``."""
    instructions = _instructions(code)
    reader: _BatchReader | None = None
    for first, last, start in _loops_around(code, lasti):
        reader = reader or _batch_reader(code)
        if not reader.images(start, first - 1, frozenset()):
            continue
        exit_offset = instructions[first].argval  # (that of an EXTENDED_ARG ``dis`` does not list, maybe)
        if not left and _sliced_images(instructions, reader, start, first - 1, frozenset()) or any(
                i.opname == "RETURN_VALUE" or (i.opcode in dis.hasjrel or i.opcode in dis.hasjabs)
                and type(i.argval) is int and i.argval >= exit_offset for i in instructions[first + 1 : last]):
            return True
    return False


def partly_counted() -> bool:
    """Whether an operand of the op the caller's code is executing (the divisor of ``l.sum() /
    max(1, num_pos * 2)``) reads a number the body added up in a loop over some of the images
    only (``for u in t[::2]: num_pos += len(u["labels"])``, a loop left by ``break``;
    ``partial_loop``), itself or through locals stored from it: on a group alone it adds up other
    images' numbers, whatever count of the batch it equals. False where nothing can be told."""
    if _VERSION not in _COUNT_CHECKED:
        return False
    f = _caller()
    if f is None:
        return False
    reader = _batch_reader(f.f_code, None, frozenset(), frozenset(), frozenset(), _constant_bounds(f), _scopes(f))
    return any(reader.reads_running(start, end, frozenset(), partial=True) for start, end in _operands(f.f_code, _lasti(f)))


def _sliced_images(instructions: list[dis.Instruction], reader: _BatchReader, start: int, end: int,
                   seen: frozenset[str]) -> bool:
    """Whether the span ``start:end`` cuts a parameter of the images by a slice (``t[1:]``,
    ``t[::2]``), there or in a store of a local it loads."""
    for k in range(start, end):
        i = instructions[k]
        if i.opname != "LOAD_FAST" or i.argval in _OWNERS:
            continue
        if i.argval in reader.params:
            used = _consumer(instructions, k)
            if used is not None and used[1] == 0 and instructions[used[0]].opname == "BINARY_SUBSCR" \
                    and instructions[used[0] - 1].opname == "BUILD_SLICE":
                return True
        elif i.argval not in seen and any(
                (value := _unpacked_value(instructions, j)) is not None
                and _sliced_images(instructions, reader, *value, seen | {i.argval})
                for j in _stores(instructions, i.argval) if j < start):
            return True
    return False


@_per_code(1024)
def _strided_loops(code: types.CodeType, lasti: int) -> bool:
    """``strided_loop`` of the instruction at ``lasti`` of ``code``."""
    instructions, at = _located_frame(code, lasti)
    if at is None or "FOR_ITER" not in {i.opname for i in instructions}:
        return False
    params = _parameters(code)
    for first, last in _widest_loops(instructions).items():
        if not first <= at < last or instructions[first].opname != "FOR_ITER" or first < 3 \
                or instructions[first - 1].opname != "GET_ITER" or instructions[first - 2].opname != "CALL":
            continue
        found = _call_spans(code, first - 2)
        if found is None or found[1] or len(found[0]) != 3 or found[0][0][0] < 1:
            continue
        callee = instructions[found[0][0][0] - 1]
        step = instructions[found[0][2][0]:found[0][2][1]]
        if callee.opname != "LOAD_GLOBAL" or callee.argval != "range" \
                or len(step) == 1 and step[0].opname == "LOAD_CONST" and step[0].argval in (1, -1):
            continue
        bounds = range(found[0][0][0], found[0][1][1])
        if any(instructions[k].opname == "LOAD_GLOBAL" and instructions[k].argval == "len"
               and instructions[k + 1].opname == "LOAD_FAST" and instructions[k + 1].argval in params
               or instructions[k].opname == "LOAD_FAST" and instructions[k].argval not in params
               and _stored_from_a_count(instructions, instructions[k].argval, params, 1) for k in bounds):
            return True
    return False


@_per_code(1024)
def _loop_helpers(code: types.CodeType, lasti: int) -> tuple[str, ...]:
    """Names of the globals that the iterable of a ``for`` loop around the instruction at
    ``lasti`` calls with one argument, a parameter (``range(_half(t))``), there or in a store of a
    local it loads (``n = _half(t)``)."""
    instructions, at = _located_frame(code, lasti)
    if at is None or "FOR_ITER" not in {i.opname for i in instructions}:
        return ()
    params = set(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
    names: list[str] = []
    for first, last in _widest_loops(instructions).items():
        if not first <= at < last or instructions[first].opname != "FOR_ITER" or first < 2 \
                or instructions[first - 1].opname != "GET_ITER" \
                or (start := _operand_start(instructions, first - 1)) is None:
            continue
        spans = [(start, first - 1)]
        spans += [(a, j) for k in range(start, first - 1) if instructions[k].opname == "LOAD_FAST"
                  for j in _stores(instructions, instructions[k].argval) if j < first
                  and (a := _operand_start(instructions, j)) is not None]
        names += [i.argval for a, b in spans for k, i in enumerate(instructions[a:b - 2], a)
                  if i.opname == "LOAD_GLOBAL" and instructions[k + 1].opname == "LOAD_FAST"
                  and instructions[k + 1].argval in params and instructions[k + 2].opname == "PRECALL"
                  and instructions[k + 2].arg == 1]
    return tuple(names)


def _counts_its_argument(fn: Any) -> bool:
    """Whether ``fn`` is a function of one parameter whose code computes a value from ``len`` of it
    (``def _half(t): return (len(t) + 1) // 2``), but only returns it as it is (``_returns_len``):
    a loop over ``range(fn(targets))`` is one over a count of the images, not over them."""
    if not isinstance(fn, types.FunctionType) or fn.__code__.co_argcount != 1 or "len" in fn.__globals__ \
            or _returns_len(fn):
        return False
    ins = _instructions(fn.__code__)
    return any(i.opname == "LOAD_GLOBAL" and i.argval == "len" and ins[k + 1].opname == "LOAD_FAST"
               and ins[k + 1].argval == fn.__code__.co_varnames[0] and ins[k + 2].opname == "PRECALL"
               for k, i in enumerate(ins[:-2]))


def _loops_around(code: types.CodeType, lasti: int) -> Iterator[tuple[int, int, int]]:
    """(FOR_ITER's index, the closing jump's, the iterable's start) of each ``for`` loop of
    ``code`` around the instruction at ``lasti`` whose iterable is read (its end: FOR_ITER - 1)."""
    instructions, at = _located_frame(code, lasti)
    if at is None or "FOR_ITER" not in {i.opname for i in instructions}:
        return
    for first, last in _widest_loops(instructions).items():
        if not first <= at < last or instructions[first].opname != "FOR_ITER" or first < 2 \
                or instructions[first - 1].opname != "GET_ITER":
            continue
        start = _operand_start(instructions, first - 1)
        if start is not None:
            yield first, last, start


@_per_code(1024)
def _counted_loops(code: types.CodeType, lasti: int) -> bool:
    instructions = _instructions(code)
    reader: _BatchReader | None = None
    for first, _, start in _loops_around(code, lasti):
        reader = reader or _batch_reader(code)
        if not _over_images(instructions, reader, start, first - 1) \
                and _count_derived(instructions, reader, start, first - 1, frozenset(), first):
            return True
    return False


def _over_images(instructions: list[dis.Instruction], reader: _BatchReader, start: int, end: int) -> bool:
    """Whether the iterable ``start:end`` runs over the images themselves (``targets``,
    ``range(len(targets))``, ``range(n)`` of ``n = len(targets)``): it reads them (``reader.images``)
    with no arithmetic, there or in a store of a local it loads (``(len(t) + 1) // 2`` is a count),
    but one making an item per image (``_item_per_image``)."""
    if not reader.images(start, end, frozenset()):
        return False
    spans = [(start, end)]
    for k in range(start, end):
        if instructions[k].opname == "LOAD_FAST":
            spans += [(a, j) for j in _stores(instructions, instructions[k].argval)
                      if (a := _operand_start(instructions, j)) is not None]
    return not any(i.opname == "BINARY_OP" and not _item_per_image(instructions, k, reader.params)
                   or i.opname == "PRECALL" and _range_from_elsewhere(instructions, k)
                   for a, b in spans for k, i in enumerate(instructions[a:b], a))


def _range_from_elsewhere(instructions: list[dis.Instruction], k: int) -> bool:
    """Whether the call that the ``PRECALL`` at ``k`` makes is a ``range`` of a start and a stop
    whose start is no literal 0: ``range(1, len(t))`` has one item fewer than the images, none on
    a group of one image. A step (``range(1, len(t), 2)``, two strided loops covering every image)
    is left to the per-image sums' rules, a reversed range to ``_item_per_image``."""
    if instructions[k].arg != 2:
        return False
    stop = _operand_start(instructions, k)
    start = _operand_start(instructions, stop) if stop is not None else None
    if start is None or start < 1:
        return True
    callee = instructions[start - 1]
    return callee.opname == "LOAD_GLOBAL" and callee.argval == "range" \
        and [(i.opname, i.argval) for i in instructions[start:stop]] != [("LOAD_CONST", 0)]


def _item_per_image(instructions: list[dis.Instruction], k: int, params: Collection[str]) -> bool:
    """Whether the ``BINARY_OP`` at ``k`` makes one item per image, as many as a group alone has:
    ``[c] * len(p)`` of a parameter ``p`` (``zip([0.2] * len(t), range(len(t)))``) or the start of
    ``range(len(p) - 1, -1, -1)``."""
    def len_of_param(j: int) -> bool:
        return j >= 0 and [(i.opname, i.argval) for i in instructions[j:j + 4:2]] == [("LOAD_GLOBAL", "len"),
                                                                                      ("PRECALL", 1)] \
            and instructions[j + 1].opname == "LOAD_FAST" and instructions[j + 1].argval in params
    if instructions[k].argrepr == "*":
        return k >= 5 and len_of_param(k - 4) and instructions[k - 5].opname == "BUILD_LIST" and instructions[k - 5].arg == 1
    return instructions[k].argrepr == "-" and len_of_param(k - 5) and k >= 6 and instructions[k - 6].argval == "range" \
        and [(i.opname, i.argval) for i in instructions[k - 1:k + 5] if i.opname != "BINARY_OP"] == [
            ("LOAD_CONST", 1), ("LOAD_CONST", -1), ("LOAD_CONST", -1), ("PRECALL", 3), ("CALL", 3)]


def _count_derived(instructions: list[dis.Instruction], reader: _BatchReader, start: int, end: int,
                  seen: frozenset[str], before: int) -> bool:
    """Whether ``start:end`` computes a value from a count of the images (``reader.number``), as it
    is or through a local, an attribute or a global's item it loads that the code stores such a
    value in before ``before``."""
    if reader.number(start, end, frozenset(), positions=False) and any(
            i.opname == "LOAD_GLOBAL" and i.argval == "len" and instructions[k + 1].opname == "LOAD_FAST"
            and instructions[k + 1].argval in reader.params and instructions[k + 2].opname == "PRECALL"
            for k, i in enumerate(instructions[start:end - 2], start)):
        return True  # ``len(targets)`` itself: ``len(outputs["iters"])`` may count the iterations
    for k in range(start, end):
        i = instructions[k]
        spans: list[tuple[int, int]] = []
        if i.opname == "LOAD_FAST" and i.argval not in seen:
            for j in _stores(instructions, i.argval):
                value = _operand_start(instructions, j) if j < before else None
                if value is not None:
                    spans.append((value, j))
            seen = seen | {i.argval}
        elif i.opname == "LOAD_ATTR" and k > start and instructions[k - 1].opname == "LOAD_FAST" \
                and f"{instructions[k - 1].argval}.{i.argval}" not in seen:
            spans += [(a, b) for j, a, b, _ in _attribute_stores(instructions, instructions[k - 1].argval, i.argval)
                      if j < before]
            seen = seen | {f"{instructions[k - 1].argval}.{i.argval}"}
        elif i.opname == "LOAD_GLOBAL" and i.argval not in seen:
            for j, store in enumerate(instructions[:before]):  # ``CFG["n"] = len(t) // 2``
                if store.opname == "STORE_SUBSCR" and j >= 2 and instructions[j - 2].opname == "LOAD_GLOBAL" \
                        and instructions[j - 2].argval == i.argval \
                        and (value := _operand_start(instructions, j - 2)) is not None:
                    spans.append((value, j - 2))
            seen = seen | {i.argval}
        if any(_count_derived(instructions, reader, a, b, seen, before) for a, b in spans):
            return True
    return False


def carried_operand(counts: Collection[int], lists: FixedLists | None = None, subtrahend: bool = False) -> bool:
    """Whether the op the caller's code is executing computes on a value carried from one run of
    its code to the next where that code runs a number of times a group alone may change: a loop
    around it, not one the code fixes (``_fixed_loops``), carries the value from iteration to
    iteration (``total = total * 0.5 + e``, ``acc[0] * 0.5``, ``total.mul_(0.9)``, ``prev =
    total`` then ``prev * 0.5``), or a helper called again and again keeps it between its calls
    (a ``nonlocal``, an attribute it sets, a container argument it changes: ``self.total =
    self.total * 0.5 + e``), in the op's own code or in a call leading to it (``decay(total)``);
    the value is more than a plain number (the ``0.0`` a running total starts from carries no
    image). On the batch such a value holds earlier images' terms (on two images the op runs once
    on a tensor, so no repeat shows); on a group alone, other images' or none. ``counts`` and
    ``lists`` as for ``fixed_repeats``. ``subtrahend``: of the op itself, only its last operand
    counts (the one ``total - l_b`` negates)."""
    f, innermost = _caller(), True  # (only there does the op take a call's result: outer frames are in the call)
    while f is not None:
        package = _package(f)
        if package == "losssplit":
            return False  # the decorator's wrapper: the body's call
        if package not in _INTERNAL:
            outer = f.f_back
            while outer is not None and _package(outer) in _INTERNAL and _package(outer) != "losssplit":
                outer = outer.f_back
            helper = outer is not None and _package(outer) != "losssplit"  # not the body: may be called again
            if outer is not None and helper and f.f_back is outer and _called_back(outer):  # ``functools.reduce(lambda a, e: a * 0.5 + e, xs)``
                loaded = _expression_loads(f.f_code, _lasti(f), subtrahend) & set(f.f_code.co_varnames[:f.f_code.co_argcount])
                if any(type(_locals(f).get(n)) not in _PLAIN_VALUES for n in loaded):
                    return True
            if helper and innermost and _calls_itself(f.f_code, _lasti(f), subtrahend) and _recursive(f):
                return True  # ``f(terms[:-1]) * 0.5 + terms[-1]``: what the deeper calls returned, as deep as the data
            for region, names in _carried_regions(f.f_code, _lasti(f), subtrahend, helper):
                held = _locals(f)
                if all(type(held.get(n, f.f_globals.get(n))) in _PLAIN_VALUES for n in names):
                    continue
                if region is None and not fixed_repeats(counts, f, lists) \
                        or region is not None and not _fixed_loops(f, counts, lists, only=(region,)):
                    return True
            subtrahend = innermost = False
        f = f.f_back
    return False


_PLAIN_VALUES = (int, float, bool, type(None), str)
_COMPREHENSIONS = frozenset({"<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>"})
_UNPACKING = ("STORE_FAST", "STORE_DEREF", "UNPACK_SEQUENCE", "UNPACK_EX", "COPY", "SWAP")
# what a store of an object made elsewhere ends with (a name, an attribute, an item, a loop's item)
_ALIASING = ("LOAD_FAST", "LOAD_DEREF", "LOAD_GLOBAL", "LOAD_ATTR", "LOAD_NAME", "BINARY_SUBSCR", "FOR_ITER")
_LOCAL_LOADS = ("LOAD_FAST", "LOAD_DEREF", "LOAD_CLOSURE", "LOAD_GLOBAL")


@_per_code(1024)
def _carried_regions(code: types.CodeType, lasti: int, last_operand: bool,
                     helper: bool) -> tuple[tuple[tuple[int, int] | None, frozenset[str]], ...]:
    """The loops (``_loops`` spans) around the instruction at ``lasti`` whose iterations carry a
    value into the expression computing that instruction's result (``carried_operand``), or into
    its last operand only, each with the names it loads that carry it; for a ``helper``, also
    None with the names that carry a value from an earlier call."""
    if not code.co_flags & 1:  # 1: CO_OPTIMIZED (locals are fast)
        return ()
    instructions, at = _located_frame(code, lasti)
    if at is None:
        return ()
    regions: list[tuple[int, int] | None] = [(a, b) for a, b in _widest_loops(instructions).items() if a <= at < b]
    if helper and code.co_name not in _COMPREHENSIONS:  # (a comprehension keeps nothing between its runs)
        regions.append(None)
    inside = _expression(code, lasti, last_operand) if regions else None
    if inside is None:
        return ()
    found = []
    for region in regions:
        carries = _Carries(code, instructions, region)
        names = frozenset(instructions[k].argval for k in inside
                          if instructions[k].opname in _LOCAL_LOADS and carries.load(k))
        if names:
            found.append((region, names))
    return tuple(found)


def _expression(code: types.CodeType, lasti: int, last_operand: bool) -> Sequence[int] | None:
    """The indexes of the instructions of the expression whose result the instruction at
    ``lasti`` computes (of its last operand only), its own jumps included; None where not read."""
    instructions, at = _located_frame(code, lasti)
    if at is None:
        return None
    spans = _operands(code, lasti) if last_operand else ()
    if spans:
        return range(*spans[0])
    where = getattr(instructions[at], "positions", None)
    if not _positioned(where):
        return None
    return [k for k in range(at) if _within(getattr(instructions[k], "positions", None), where)]


@_per_code(1024)
def _expression_loads(code: types.CodeType, lasti: int, last_operand: bool) -> frozenset[str]:
    """The names of the locals the expression at ``lasti`` loads (``_expression``)."""
    instructions = _instructions(code)
    return frozenset(instructions[k].argval for k in _expression(code, lasti, last_operand) or ()
                     if instructions[k].opname in ("LOAD_FAST", "LOAD_DEREF"))


@_per_code(1024)
def _calls_itself(code: types.CodeType, lasti: int, last_operand: bool) -> bool:
    """Whether the expression at ``lasti`` (``_expression``) loads the function's own name (a call
    of itself: ``f(terms[:-1]) * 0.5``, ``self.walk(x) * 0.5``)."""
    instructions = _instructions(code)
    return any(instructions[k].opname in ("LOAD_GLOBAL", "LOAD_DEREF", "LOAD_METHOD", "LOAD_ATTR")
               and instructions[k].argval == code.co_name for k in _expression(code, lasti, last_operand) or ())


def _called_back(f: types.FrameType) -> bool:
    """Whether the CALL ``f`` is executing calls a builtin function or a type of C code (``list``,
    ``functools.reduce``, ``itertools.accumulate``, ``map``): a Python function it runs is called
    back, perhaps with what its previous call returned. The callee is read where it is loaded by a
    name, a global module's attribute or a local after PUSH_NULL; False elsewhere (an object whose
    ``__call__`` is Python code, a class: called directly)."""
    instructions, at = _located_frame(f.f_code, _lasti(f))
    if at is not None and instructions[at].opname == "PRECALL":
        at += 1  # a call of a builtin specialised into its PRECALL reports that offset
    spans = _argument_spans(instructions, at) if at is not None and instructions[at].opname == "CALL" else None
    if at is None or spans is None:
        return False
    k = (spans[-1][0] if spans else _arguments_end(instructions, at)) - 1
    load = instructions[k] if k >= 1 else None
    if load is None:
        return False
    if load.opname == "LOAD_GLOBAL":
        found = f.f_globals.get(load.argval, f.f_builtins.get(load.argval))
    elif load.opname in ("LOAD_FAST", "LOAD_DEREF") and instructions[k - 1].opname == "PUSH_NULL":
        found = _locals(f).get(load.argval)
    elif load.opname in ("LOAD_METHOD", "LOAD_ATTR") and instructions[k - 1].opname == "LOAD_GLOBAL":
        owner = f.f_globals.get(instructions[k - 1].argval)
        found = inspect.getattr_static(owner, load.argval, None) if isinstance(owner, types.ModuleType) else None
    else:
        return False
    if isinstance(found, (types.BuiltinFunctionType, types.BuiltinMethodType)):
        return True
    return isinstance(found, type) and not any(isinstance(inspect.getattr_static(found, name, None), (
        types.FunctionType, staticmethod, classmethod)) for name in ("__init__", "__new__"))  # a type of C code


def _keywords_parameter(code: types.CodeType) -> str | None:
    """The name of ``code``'s ``**kwargs`` parameter, None where it has none."""
    if not code.co_flags & inspect.CO_VARKEYWORDS:
        return None
    return code.co_varnames[code.co_argcount + code.co_kwonlyargcount + bool(code.co_flags & inspect.CO_VARARGS)]


class _Carries:
    """Which loads of one code read a value carried into the current run of a region: one
    iteration of a loop (``first``, ``last``), or (None) one call of the whole code."""

    def __init__(self, code: types.CodeType, instructions: list[dis.Instruction], region: tuple[int, int] | None):
        self.code, self.instructions = code, instructions
        self.first, self.last = region if region is not None else (-1, len(instructions) - 1)
        self.loop = region is not None
        self.widest = _widest_loops(instructions)
        self.head = next((k for k in range(self.first, self.last) if instructions[k].opname != "EXTENDED_ARG"), -1) \
            if self.loop else -1  # the loop's FOR_ITER (its first index may be an EXTENDED_ARG)
        self.stores: dict[str, list[int]] = {}
        self.changed: set[tuple[str, str | None]] = set()
        self.globals: set[str] = set()
        self.keys: dict[tuple[str, str | None], set[str | None]] = {}  # the keys of items changed
        self._write()
        self.known: dict[int, bool] = {}

    def _write(self) -> None:
        """Every store, in-place change (``acc[0] = v``, ``self.total = v``, ``losses.append(v)``,
        ``t.mul_(c)``) and global store of the region, with the keys of the items changed. Where
        an object's code is not read, every local loaded right before counts as changed."""
        instructions = self.instructions
        for k in range(max(self.first, 0), self.last + 1):
            i = instructions[k]
            if i.opname in ("STORE_FAST", "STORE_DEREF", "DELETE_FAST", "DELETE_DEREF"):
                self.stores.setdefault(i.argval, []).append(k)
                continue
            if i.opname in ("STORE_GLOBAL", "DELETE_GLOBAL"):
                self.globals.add(i.argval)
                continue
            if i.opname == "CALL":  # ``setattr(h, name, v)``: its first argument changed
                self._set_by_call(k)
                continue
            end: int | None = k
            if i.opname in ("STORE_SUBSCR", "DELETE_SUBSCR"):
                if [j.opname for j in instructions[k - 2:k]] == ["SWAP", "SWAP"]:  # ``loss[i] *= c``
                    end = next((j for j in range(k - 1, max(self.first, 0), -1) if instructions[j].opname ==
                                "BINARY_SUBSCR" and [c.opname for c in instructions[j - 2:j]] == ["COPY", "COPY"]), None)
                    end = end - 2 if end is not None else None
                end = _operand_start(instructions, end) if end is not None else None  # the key's start
            elif not (i.opname in ("STORE_ATTR", "DELETE_ATTR") or i.opname == "LOAD_METHOD" and (
                    i.argval in _CHANGING or i.argval.endswith("_") and not i.argval.endswith("__"))):
                continue
            root = _operand_start(instructions, end, target_first=True) if end is not None else None
            if root is None or end is None:
                self.changed.update((j.argval, None) for j in instructions[max(self.first, 0, k - 6):k]
                                    if j.opname in ("LOAD_FAST", "LOAD_DEREF"))
                continue
            held = instructions[root]
            if held.opname == "LOAD_GLOBAL":  # ``_RUNNING["t"] = v``, ``Running.total = v``: module state (not
                if root + 1 == end and (i.opname != "LOAD_METHOD" or i.argval in _CHANGING):  # ``F.relu_(x)``)
                    self.globals.add(held.argval)
                continue
            if held.opname not in ("LOAD_FAST", "LOAD_DEREF"):
                continue
            if i.opname in ("STORE_ATTR", "DELETE_ATTR"):
                changed = (held.argval, i.argval if root + 1 == k else None)  # ``self.total = v``: that attribute
            else:
                changed = (held.argval, instructions[root + 1].argval if root + 2 == end
                           and instructions[root + 1].opname == "LOAD_ATTR" else None)  # ``self.acc[0] = v``
            self._change(changed)
            key = instructions[end] if i.opname.endswith("SUBSCR") and instructions[end + 1].opname in (
                "STORE_SUBSCR", "DELETE_SUBSCR", "COPY") else None
            self.keys.setdefault(changed, set()).add(key.argval if key is not None and key.opname == "LOAD_FAST"
                                                     else None)

    def _change(self, changed: tuple[str, str | None]) -> None:
        """(local, attribute or None) counts as changed, and so does every other name of the
        local's object (``ref = acc``: ``_aliases_of``)."""
        self.changed.add(changed)
        self.changed.update((other, None) for other in _aliases_of(self.code, changed[0]))

    def _set_by_call(self, k: int) -> None:
        """The first argument of ``setattr`` / ``delattr`` called at ``k`` counts as changed."""
        instructions = self.instructions
        spans = _argument_spans(instructions, k)
        if not spans:
            return
        callee = spans[-1][0] - 1
        if callee < 0 or instructions[callee].opname != "LOAD_GLOBAL" or instructions[callee].argval not in (
                "setattr", "delattr"):
            return
        held = instructions[spans[-1][0]]
        if held.opname == "LOAD_GLOBAL":
            self.globals.add(held.argval)
        elif held.opname in ("LOAD_FAST", "LOAD_DEREF"):
            self._change((held.argval, None))

    def _own_item(self, k: int, changed: tuple[str, str | None]) -> bool:
        """Whether the load at ``k`` reads one item by the loop's position (``loss[i]`` in ``for i
        in range(n)`` or ``for i, _ in enumerate(xs)``), and the loop changes only items at that
        position: each iteration's own item, which earlier iterations did not change."""
        instructions = self.instructions
        at = k + (2 if changed[1] is not None else 1)
        if not self.loop or at + 1 >= len(instructions) or instructions[at].opname != "LOAD_FAST":
            return False
        index = instructions[at].argval
        following = [j.opname for j in instructions[at + 1:at + 4]]
        if self.keys.get(changed) != {index} or following[0] != "BINARY_SUBSCR" and following != ["COPY", "COPY",
                                                                                                  "BINARY_SUBSCR"]:
            return False
        head = self.head
        target = instructions[head + 1:head + 3]
        if [s for s in self.stores.get(index, ())] != [head + 1 + (target[0].opname == "UNPACK_SEQUENCE")]:
            return False
        start = _operand_start(instructions, head - 1, target_first=True) \
            if instructions[head - 1].opname == "GET_ITER" else None
        called = instructions[start] if start is not None else None
        wanted = "enumerate" if target[0].opname == "UNPACK_SEQUENCE" else "range"
        return called is not None and called.opname == "LOAD_GLOBAL" and called.argval == wanted \
            and instructions[head - 2].opname == "CALL"

    def load(self, k: int) -> bool:
        """Whether the load at ``k`` may read a value carried into this run of the region."""
        known = self.known.get(k)
        if known is None:
            known = self.known[k] = self._load(k)
        return known

    def _load(self, k: int) -> bool:
        i = self.instructions[k]
        name = i.argval
        if i.opname == "LOAD_GLOBAL":
            return name in self.globals
        after = self.instructions[k + 1] if k + 1 < len(self.instructions) else None
        attr = after.argval if after is not None and after.opname in ("LOAD_ATTR", "LOAD_METHOD") else None
        changed = next((c for c in ((name, None), (name, attr)) if c in self.changed), None)
        if changed is not None and self._own_item(k, changed):
            changed = None
        stores = [s for s in self.stores.get(name, ()) if s < k]
        ahead = [s for s in stores if _dominates(self.instructions, self.widest, self.first, s, k)]
        if not ahead and changed is None and self.loop and stores and self._stored_on_every_path(stores, k):
            # ``if sym: d = cdist(..) else: d = (a - b) ** 2`` (PoseCNN's ShapeMatch, survey 55): no one store
            # runs first in every iteration, but one of them does on every path from the loop's head
            return any(self._value(s) for s in stores)
        if not ahead:  # no store of this run before it: a loop's earlier iteration, a helper's earlier call
            if not self.loop and name not in self.stores and name == _keywords_parameter(self.code):
                return False  # ``**kwargs`` is a new dict at every call: changed there, nothing carried
            return changed is not None or self.loop and name in self.stores \
                or not self.loop and name in self.code.co_freevars and name in self.stores
        latest = max(ahead)
        if changed is not None and self.instructions[self._value_end(latest)].opname.startswith(_ALIASING):
            return True  # changed in place through a name for an object made elsewhere (``acc = self.acc``)
        return any(self._value(s) for s in stores if s >= latest)

    def _stored_on_every_path(self, stores: list[int], k: int) -> bool:
        """Whether every path of one iteration from the loop's head to the load at ``k`` runs one
        of ``stores`` first (its jumps followed; a path leaving the loop ends there)."""
        instructions, offsets = self.instructions, _positions(self.code)
        if any(instructions[n].opname == "PUSH_EXC_INFO" for n in range(max(self.first, 0), self.last + 1)):
            return False  # a handler in the loop: entered by no jump that shows
        blocked, seen, todo = set(stores), {self.head}, [self.head + 1]
        while todo:
            n = todo.pop()
            if n == k:
                return False
            if n in seen or n in blocked or not self.first <= n <= self.last:
                continue
            seen.add(n)
            i = instructions[n]
            if i.opname not in _NO_FALL_THROUGH:
                todo.append(n + 1)
            if i.opcode in _JUMPS and isinstance(i.argval, int) and i.argval in offsets:
                todo.append(offsets[i.argval])
        return True

    def _value_end(self, s: int) -> int:
        """The index of the last instruction of the value the store at ``s`` stores (of the
        values, for a store of several targets)."""
        v = s - 1
        while v > self.first and self.instructions[v].opname in _UNPACKING:
            v -= 1
        return v

    def _value(self, s: int) -> bool:
        """Whether the value the store at ``s`` stores may be carried into this run."""
        instructions = self.instructions
        v = self._value_end(s)
        if v == self.head:
            return False  # the loop's own item
        if instructions[v].opname == "FOR_ITER":  # an inner loop's item: what its iterable carries
            v -= 1
        if v <= self.first:
            return True
        ends = [v]
        if any(instructions[j].opname in _UNPACKING[2:] for j in range(v + 1, s)):
            # ``a, b = total, 0``: each value a target may get, back to the statement before
            while ends[-1] - 1 > self.first and not instructions[ends[-1] - 1].opname.startswith(("STORE_", "POP_TOP")) \
                    and not instructions[ends[-1]].is_jump_target:
                ends.append(ends[-1] - 1)
        spans = [getattr(instructions[e], "positions", None) for e in ends]
        if not all(_positioned(where) for where in spans):
            return True
        return any(instructions[j].opname in _LOCAL_LOADS and self.load(j) for j in range(self.first + 1, v + 1)
                   if any(_within(getattr(instructions[j], "positions", None), where) for where in spans))


@_per_code(1024)
def _aliases_of(code: types.CodeType, name: str) -> frozenset[str]:
    """The locals ``code`` stores from ``name`` or ``name`` from, as a bare load (``ref = acc``,
    ``alias = d``), followed both ways: one object under several names, changed through one."""
    instructions = _instructions(code)
    pairs = [(instructions[k - 1].argval, i.argval) for k, i in enumerate(instructions)
             if k and i.opname in ("STORE_FAST", "STORE_DEREF") and instructions[k - 1].opname in ("LOAD_FAST", "LOAD_DEREF")]
    found, grown = {name}, True
    while grown:
        grown = False
        for a, b in pairs:
            if (a in found) != (b in found):
                found |= {a, b}
                grown = True
    return frozenset(found - {name})


def _positioned(where: Any) -> bool:
    """Whether ``where`` (``dis.Positions``, or None) gives the whole source span."""
    return where is not None and None not in (where.lineno, where.end_lineno, where.col_offset, where.end_col_offset)


def _within(inner: Any, outer: Any) -> bool:
    """Whether the source span ``inner`` (``dis.Positions``, or None) lies in ``outer``."""
    return _positioned(inner) and (inner.lineno, inner.col_offset) >= (outer.lineno, outer.col_offset) \
        and (inner.end_lineno, inner.end_col_offset) <= (outer.end_lineno, outer.end_col_offset)


def _widest_loops(instructions: list[dis.Instruction]) -> dict[int, int]:
    """Each loop's first index -> its closing jump's index: a ``continue`` (or the end of an
    ``if`` branch) jumps back too, closing a span of its loop's; the loop is the widest."""
    spans: dict[int, int] = {}
    for first, last in _loops(instructions):
        spans[first] = max(last, spans.get(first, last))
    return spans


def _dominates(instructions: list[dis.Instruction], spans: dict[int, int], first: int, s: int, k: int) -> bool:
    """Whether the store at ``s`` runs before the load at ``k`` in every iteration of the loop
    whose head is at ``first`` that reaches ``k``: it comes before it, outside any inner loop
    that does not also hold ``k``, and no jump from before it lands between the two. ``spans``:
    ``_widest_loops`` of the instructions."""
    if not first < s < k:
        return False
    if any(f2 <= s <= l2 and not f2 <= k <= l2 for f2, l2 in spans.items() if first < f2):
        return False
    return not any(j.opcode in _JUMPS and isinstance(j.argval, int) and first <= n < s
                   and instructions[s].offset < j.argval <= instructions[k].offset for n, j in enumerate(instructions))


def _recursive(f: types.FrameType) -> bool:
    """Whether ``f``'s code may call itself: it loads its own name (``product(n - 1)``,
    ``self.walk(...)``), or a function it names (a global, a method of ``self``'s class, the
    parent class's method it calls through ``super()``) loads it. ``super().forward(...)`` in
    ``forward`` calls the parent class's ``forward``, not its own: that method's code is checked
    instead. A recursion that returned before the op (``product(n - 1) * rmse``: as deep as the
    images) leaves no frame on the stack to see. Longer cycles are not followed."""
    code = f.f_code
    names, parents = _loaded_names(code), _super_names(code)
    if parents and f.f_builtins.get("super") is not super or "super" in f.f_globals:
        names, parents = names | parents, frozenset()  # ``super`` is not the builtin: a load as any other
    if code.co_name in names and not _others_attribute(f):
        return True
    owner = type(_locals(f).get("self")) if code.co_argcount and code.co_varnames[0] == "self" else None
    found = [_parent_method(f, name) for name in parents]
    if any(called is None or called.__code__ is code for called in found):
        return True  # a parent's attribute not read without running code: it may be anything
    for name in names:
        found += [f.f_globals.get(name), inspect.getattr_static(owner, name, None) if owner is not None else None]
    for called in found:
        called = getattr(called, "__code__", None)
        if isinstance(called, types.CodeType) and called is not code \
                and code.co_name in _loaded_names(called) | _super_names(called):
            return True
    return False


def _others_attribute(f: types.FrameType) -> bool:
    """Whether every load of ``f``'s own name in its code is an attribute of another object that
    ``self``'s attributes hold, whose attribute of that name is no function of this code
    (Matryoshka's ``original_forward = self.model.forward`` in its ``forward``: the encoder's,
    read without running code)."""
    code = f.f_code
    if not code.co_argcount or code.co_varnames[0] != "self" or "LOCAL:self" in _written_names(code):
        return False
    owner = _locals(f).get("self", _UNPROVEN)
    instructions = _instructions(code)
    for k, i in enumerate(instructions):
        if i.argval != code.co_name or i.opname not in ("LOAD_GLOBAL", "LOAD_NAME", "LOAD_FAST", "LOAD_DEREF",
                                                        "LOAD_CLASSDEREF", "LOAD_ATTR", "LOAD_METHOD"):
            continue
        if i.opname not in ("LOAD_ATTR", "LOAD_METHOD") or _from_super(instructions, k):
            return False
        first = k - 1
        while first > 0 and instructions[first].opname == "LOAD_ATTR" and not instructions[first].is_jump_target:
            first -= 1
        load = instructions[first]
        if first == k - 1 or load.opname != "LOAD_FAST" or load.argval != "self":
            return False  # ``self.forward``, ``other.forward``: maybe this code
        if _writes(_written_names(code), {f"ATTR:{a.argval}" for a in instructions[first + 1:k]}):
            return False  # (``self.peer = self`` first)
        value = owner
        for attr in instructions[first + 1:k]:
            held = inspect.getattr_static(value, str(attr.argval), _UNPROVEN)
            if held is _UNPROVEN and _is_module(value):  # a layer registered on a module
                held = vars(value).get("_modules", {}).get(attr.argval, _UNPROVEN)
            value = held
            if value is _UNPROVEN:
                return False
        found = inspect.getattr_static(value, code.co_name, _UNPROVEN)
        if isinstance(found, (types.MethodType, staticmethod, classmethod)):
            found = found.__func__
        if value is owner or found is _UNPROVEN or getattr(found, "__code__", None) is code \
                or not isinstance(found, types.FunctionType) and hasattr(type(found), "__get__"):
            return False  # (a descriptor may return anything)
    return True


def _parent_method(f: types.FrameType, name: str) -> types.FunctionType | None:
    """The function ``super().name`` loads in ``f`` (a method of a class after the one defining
    ``f``'s code in the MRO of its first argument's class, found in a class ``__dict__``); None
    where it is not a plain function found so."""
    code = f.f_code
    cls = _locals(f).get("__class__")
    obj = _locals(f).get(code.co_varnames[0], _UNPROVEN) if code.co_argcount else _UNPROVEN
    if not isinstance(cls, type) or not isinstance(obj, cls):
        return None
    mro = type(obj).__mro__
    for klass in mro[mro.index(cls) + 1:]:
        if name in vars(klass):
            found = vars(klass)[name]
            return found if isinstance(found, types.FunctionType) else None
    return None


@_per_code(256)
def _loaded_names(code: types.CodeType) -> frozenset[str]:
    """The names ``code`` loads (globals, locals, cells, attributes, methods), but an attribute
    loaded only from ``super()`` (``_super_names``)."""
    instructions = _instructions(code)
    return frozenset(str(i.argval) for k, i in enumerate(instructions) if i.opname in (
        "LOAD_GLOBAL", "LOAD_NAME", "LOAD_FAST", "LOAD_DEREF", "LOAD_CLASSDEREF", "LOAD_ATTR", "LOAD_METHOD")
        and not _from_super(instructions, k))


@_per_code(256)
def _super_names(code: types.CodeType) -> frozenset[str]:
    """The attributes ``code`` loads from a call of ``super()`` without arguments, right after it
    (``super().forward``; 3.11's LOAD_GLOBAL, PRECALL 0, CALL 0)."""
    instructions = _instructions(code)
    return frozenset(str(instructions[k].argval) for k in range(len(instructions)) if _from_super(instructions, k))


def _from_super(instructions: list[dis.Instruction], k: int) -> bool:
    i = instructions[k]
    if i.opname not in ("LOAD_ATTR", "LOAD_METHOD") or k < 3 or i.is_jump_target:
        return False
    load, precall, call = instructions[k - 3 : k]
    return (load.opname == "LOAD_GLOBAL" and load.argval == "super" and precall.opname == "PRECALL"
            and precall.arg == 0 and call.opname == "CALL" and call.arg == 0
            and not precall.is_jump_target and not call.is_jump_target)


# ``range``'s, ``zip``'s... results have as many items as their arguments say
_FIXED_CALLS = {"range": range, "zip": zip, "enumerate": enumerate, "reversed": reversed, "len": len}


def _fixed_loops(f: types.FrameType, counts: Collection[int], lists: FixedLists | None,
                 only: Collection[tuple[int, int]] | None = None, at: int | None = None) -> bool:
    """Whether every loop of ``f``'s code that runs the instruction at ``f.f_lasti`` is a ``for``
    over an iterable of a fixed length that the code writes (``for k in range(2)``, ``for layer in
    self.layers``, ``for w, f in zip(WEIGHTS, self.feats)``) and has no exit but its end (no
    ``break``, no ``return``): on a group alone it runs as many times. Python 3.11 only.
    ``only``: the loops (``_loops`` spans) to check, where not all; ``at``: the index of another
    instruction of that code than the one it is executing."""
    if _VERSION not in _LOG_CHECKED:
        return False
    instructions, here = _located_frame(f.f_code, _lasti(f))
    at = here if at is None else at
    if at is None:
        return False
    for first, last in _widest_loops(instructions).items():  # (a branch ending in ``continue`` closes a span)
        if not first <= at < last or only is not None and all(a != first for a, _ in only):
            continue
        loop = instructions[first]
        if loop.opname != "FOR_ITER" or first < 2 or instructions[first - 1].opname != "GET_ITER":
            return False
        end = instructions[last].offset
        if any(i.opname in ("RETURN_VALUE", "YIELD_VALUE") or i.opcode in _JUMPS and isinstance(i.argval, int)
               and i.argval > end for i in instructions[first + 1:last + 1]):
            return False
        if _skipped(f, instructions, first, at, lists):
            return False
        start = _operand_start(instructions, first - 1, target_first=True)
        iterable = _fixed_iterable(f, instructions[start:first - 1], counts, lists) if start is not None else _UNPROVEN
        if iterable is not True and not _fixed_value(iterable):
            return False
    return True


def fixed_list_argument(value: Any, counts: Collection[int], lists: FixedLists) -> bool:
    """Whether the list ``value``, the first argument of the call the caller's code is executing
    (``torch.stack(losses)``), has a length the code fixes, so that on a group alone the body
    builds as many items: a display of its items (``[a, b]``, no ``*``); a comprehension with no
    test, one loop over an iterable the code fixes (``[f(h) for h in range(3)]``,
    ``_fixed_iterable``); or a local the code makes so once (``losses = []``) and then only
    appends to, one item a call, where every loop around each append is one the code fixes and no test
    on the way may skip it (``_fixed_loops``, ``_skipped``), and reads only by ``len``, an item at
    a constant index, or this call (MultiLoss' ``results``). False for anything else (a loop over
    the targets, a list of a helper's, a filtered comprehension). Python 3.11."""
    found = _executed_call(_COUNT_CHECKED)
    if found is None:
        return False
    f, instructions, at = found
    spans = _call_spans(f.f_code, at)
    if spans is None or not spans[0]:
        return False
    first, end = spans[0][0]
    span = instructions[first:end]
    if not span:
        return False
    if span[-1].opname in ("BUILD_LIST", "BUILD_TUPLE"):  # a display: its items are written there (a ``*`` extends instead)
        return True
    if len(span) == 1 and span[0].opname == "LOAD_FAST":
        return _appended_local(f, instructions, span[0].argval, first, at, value, counts, lists)
    return _fixed_comprehension(f, span, counts, lists)


def _fixed_comprehension(f: types.FrameType, span: list[dis.Instruction], counts: Collection[int],
                         lists: FixedLists) -> bool:
    """Whether ``span`` is a list comprehension with one loop and no test, over an iterable the
    code fixes (``fixed_list_argument``)."""
    made = next((k for k, i in enumerate(span) if i.opname == "MAKE_FUNCTION"), None)
    if made is None or made == 0 or len(span) < made + 5 or span[-3].opname != "GET_ITER" \
            or span[-2].opname != "PRECALL" or span[-1].opname != "CALL" or (span[-1].arg or 0) != 0:
        return False
    code = span[made - 1].argval
    if not isinstance(code, types.CodeType) or code.co_name != "<listcomp>":
        return False
    inner = _instructions(code)
    loops = [i for i in inner if i.opname == "FOR_ITER"]
    if len(loops) != 1 or any("IF" in i.opname and i.opcode in _JUMPS for i in inner) or len(_loops(inner)) != 1:
        return False
    iterable = _fixed_iterable(f, span[made + 1:-3], counts, lists)
    return iterable is True or _fixed_value(iterable)


def _appended_local(f: types.FrameType, instructions: list[dis.Instruction], name: str, loaded: int, call: int,
                    value: Any, counts: Collection[int], lists: FixedLists) -> bool:
    """Whether the local ``name`` holding the list ``value`` (loaded at ``loaded`` as the first
    argument of the CALL at ``call``) is made once by a display or a comprehension of a fixed
    length and then only appended to in loops the code fixes (``fixed_list_argument``)."""
    code = f.f_code
    if _locals(f).get(name) is not value or name in code.co_cellvars or name in code.co_freevars \
            or name in code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]:
        return False
    # past this call, in no loop around it, the code changes nothing the call reads (``return results``)
    end = len(instructions) if any(a <= call < b for a, b in _loops(instructions)) else call
    made = 0
    for k in _stores(instructions, name):
        if k > end:
            continue
        start = _operand_start(instructions, k, target_first=True)  # (``else: results = []``)
        if start is None or instructions[k].opname != "STORE_FAST":
            return False
        if instructions[k - 1].opname == "BUILD_LIST" or _fixed_comprehension(f, instructions[start:k], counts, lists):
            made += 1  # ``[]``, ``[a, b]``, ``[f(h) for h in range(3)]``
        elif not (k - start == 3 and _item_read(instructions, start, name)):
            return False  # another list stored there (an item ``results[0]`` is none)
    if made != 1:
        return False
    for k, i in enumerate(instructions[:end]):
        if i.opname != "LOAD_FAST" or i.argval != name or k == loaded or _item_read(instructions, k, name):
            continue
        if 0 < k < len(instructions) - 2 and instructions[k - 1].opname == "LOAD_GLOBAL" \
                and instructions[k - 1].argval in _READING_BUILTINS and instructions[k + 1].opname == "PRECALL" \
                and instructions[k + 2].opname == "CALL" or instructions[k + 1].opname == "GET_ITER":
            continue  # ``len(losses)``, ``sum(losses)``, ``for l in losses``: read, not resized
        if k > 1 and instructions[k - 1].opname in ("LOAD_ATTR", "LOAD_METHOD") and instructions[k - 1].argval in ("stack", "cat") \
                and instructions[k - 2].opname == "LOAD_GLOBAL" and f.f_globals.get(instructions[k - 2].argval) \
                is sys.modules.get("torch"):
            continue  # ``torch.stack(losses)`` again (another key's reduction of it)
        appended = _appended_call(instructions, k)
        if appended is None or _skipped(f, instructions, 0, appended, lists) \
                or not _fixed_loops(f, counts, lists, at=appended):
            return False  # aliased, passed on, extended: anything but an append of one item
    return all(f.f_builtins.get(n) is _READING_BUILTINS[n] and n not in f.f_globals for n in _READING_BUILTINS)


_READING_BUILTINS = {"len": len, "sum": sum, "zip": zip, "enumerate": enumerate}


def _built_list(f: types.FrameType, load: dis.Instruction, counts: Collection[int], lists: FixedLists) -> Any:
    """``range(len(v))`` of the list ``v`` the local ``load`` reads, where the code fixes its length
    as ``fixed_list_argument`` proves it (``losses = [f(h) for h in range(3)]`` then ``sum(losses) /
    len(losses)``); ``_UNPROVEN`` else."""
    value = _locals(f).get(load.argval, _UNPROVEN)
    instructions, here = _located_frame(f.f_code, _lasti(f))
    at = _positions(f.f_code).get(load.offset)
    if type(value) is not list or here is None or at is None or instructions[at] is not load:
        return _UNPROVEN
    return range(len(value)) if _appended_local(f, instructions, load.argval, at, here, value, counts, lists) else _UNPROVEN


def _item_read(instructions: list[dis.Instruction], k: int, name: str) -> bool:
    """Whether ``name`` loaded at ``k`` is read for an item at a constant index (``results[0]``)."""
    return k + 2 < len(instructions) and instructions[k].argval == name \
        and instructions[k + 1].opname == "LOAD_CONST" and instructions[k + 2].opname == "BINARY_SUBSCR"


def _appended_call(instructions: list[dis.Instruction], loaded: int) -> int | None:
    """The index of the CALL of ``x.append(v)`` whose ``x`` is loaded at ``loaded``; None for
    anything else."""
    if loaded + 1 >= len(instructions) or instructions[loaded + 1].opname != "LOAD_METHOD" \
            or instructions[loaded + 1].argval != "append":
        return None
    for k in range(loaded + 2, len(instructions)):
        if instructions[k].opname == "CALL" and (instructions[k].arg or 0) == 1:
            spans = _argument_spans(instructions, k)
            if spans and spans[0][0] == loaded + 2:
                return k
        if instructions[k].opname in ("STORE_FAST", "POP_TOP", "RETURN_VALUE") and k > loaded + 2:
            return None
    return None


def _skipped(f: types.FrameType, instructions: list[dis.Instruction], first: int, at: int,
             lists: FixedLists | None = None) -> bool:
    """Whether the loop whose ``FOR_ITER`` is at ``first`` may skip the instruction at ``at`` in
    some iterations on a group alone and not on the batch: a jump after the loop's head and before
    ``at`` goes past ``at`` or back to the head (``if k >= len(targets): continue``, ``at`` in a
    branch), and a condition tested there reads more than the loops' own variables, constants and
    globals or attributes of ``self`` nothing but ``__init__`` or the module's top level sets
    (``term == "ddf"``, ``isinstance(layer, nn.ReLU)``, ``self.use_aux`` decide alike on a group
    alone). Red team, session 16: a formula summed in
    ``for k in range(4)`` past such a ``continue`` took the batch's number of terms."""
    head, op = instructions[first].offset, instructions[at].offset
    span = instructions[first + 1:at]
    if not any(i.opcode in _JUMPS and i.opname != "FOR_ITER" and isinstance(i.argval, int)
               and (i.argval > op or i.argval <= head) for i in span):  # (an inner loop's exit)
        return False
    variables = _loop_variables(instructions)
    for k in range(first + 1, at):
        if "IF" not in instructions[k].opname or instructions[k].opcode not in _JUMPS:
            continue
        start = _operand_start(instructions, k)
        if not _fixed_test(f, instructions[start:k] if start is not None and start > first else [], variables, lists):
            return True
    return False


def _fixed_test(f: types.FrameType, test: list[dis.Instruction], variables: Collection[str],
                lists: FixedLists | None) -> bool:
    """Whether the condition ``test`` reads nothing but the locals ``variables``, constants, pure
    builtins and globals or attributes of ``self`` nothing but ``__init__`` or the module's top
    level sets: it decides alike on a group alone (``_skipped``)."""
    named = {f"{_LOADS[i.opname]}:{i.argval}" for i in test if i.opname in ("LOAD_ATTR", "LOAD_GLOBAL")}
    return bool(test) and not (_calls_state(f, test) or _containers_changed(f, test, lists) or _writes(
        _written_names(f.f_code), named) or _set_elsewhere(f, named)) and all(
        i.opname in _FIXED_TESTS or i.opname == "LOAD_FAST" and i.argval in variables
        or i.opname == "LOAD_FAST" and i.argval == "self" == f.f_code.co_varnames[0] and f.f_code.co_argcount
        and "LOCAL:self" not in _written_names(f.f_code) for i in test)


def _stored_local(f: types.FrameType, at: int, counts: Collection[int], lists: FixedLists | None) -> Any:
    """The value of the local the instruction at ``at`` loads where the code fixes it: a range or
    a tuple of plain items (immutable: nothing resizes it), every store of that name an iterable
    the code fixes (``_fixed_iterable``) read from no other local, or a fresh sample of it
    (``random.sample(dims, self.k)``: a list, so not the value held), and every test before ``at``
    deciding alike on a group alone (``_fixed_test``, no exception handler before it), so the same
    store made it (Matryoshka's ``dim_indices = range(len(self.matryoshka_dims))``, replaced under
    ``self.n_dims_per_step > 0``). ``_UNPROVEN`` for anything else (a range of the targets' count,
    a store a test of the batch picks, one in an ``except`` that the images may reach)."""
    code = f.f_code
    instructions = _instructions(code)
    name = str(instructions[at].argval)
    value = _locals(f).get(name, _UNPROVEN)
    parameters = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount
                                  + bool(code.co_flags & inspect.CO_VARARGS) + bool(code.co_flags & inspect.CO_VARKEYWORDS)]
    if type(value) not in (range, tuple) or not _fixed_value(value) or name in parameters \
            or name in code.co_cellvars or name in code.co_freevars:
        return _UNPROVEN
    stores = _stores(instructions, name)
    if not stores or max(stores) > at or any(i.opname == "PUSH_EXC_INFO" for i in instructions[:at]):
        return _UNPROVEN  # (a handler may store it where the images raise, or run after the loop's head)
    for k in stores:
        start = _operand_start(instructions, k, target_first=True)
        if instructions[k].opname != "STORE_FAST" or start is None \
                or instructions[k - 1].opname not in ("CALL", "LOAD_CONST", "LOAD_ATTR", "LOAD_GLOBAL"):
            return _UNPROVEN  # (a loop's target, an unpacked item, ``with .. as``)
        span = instructions[start:k]
        if _sampled(f, span, name, counts, lists):
            continue
        if any(i.opname in ("LOAD_FAST", "LOAD_DEREF") and i.argval != "self" for i in span):
            return _UNPROVEN
        stored = _fixed_iterable(f, span, counts, lists)
        if stored is not True and not _fixed_value(stored):
            return _UNPROVEN
    for k in range(at):
        if "IF" in instructions[k].opname and instructions[k].opcode in _JUMPS:
            start = _operand_start(instructions, k)
            if start is None or not _fixed_test(f, instructions[start:k], (name,), lists):
                return _UNPROVEN
    return value


def _sampled(f: types.FrameType, span: list[dis.Instruction], name: str, counts: Collection[int],
             lists: FixedLists | None) -> bool:
    """Whether ``span`` is ``random.sample(name, k)`` (the ``random`` module's) with ``k`` an int
    the code fixes."""
    if len(span) < 6 or [i.opname for i in span[:3]] not in (["LOAD_GLOBAL", "LOAD_METHOD", "LOAD_FAST"],
                                                              ["LOAD_GLOBAL", "LOAD_ATTR", "LOAD_FAST"]) \
            or span[1].opname == "LOAD_ATTR" and not (span[0].arg or 0) & 1 \
            or span[-2].opname != "PRECALL" or span[-1].opname != "CALL" or span[-1].arg != 2 \
            or span[1].argval != "sample" or span[2].argval != name:
        return False
    if f.f_globals.get(span[0].argval) is not sys.modules.get("random") \
            or _writes(_written_names(f.f_code), (f"GLOBAL:{span[0].argval}",)):
        return False
    k = span[3:-2]
    return not any(i.opname in ("LOAD_FAST", "LOAD_DEREF") and i.argval != "self" for i in k) \
        and type(_fixed_iterable(f, k, counts, lists)) is int


def _containers_changed(f: types.FrameType, test: list[dis.Instruction], lists: FixedLists | None) -> bool:
    """Whether a container attribute of ``self`` the test ``test`` reads (``len(self.used)``,
    ``k in self.used``) may hold other items than when the call began: a list or dict not recorded
    then with the same items, or any other mutable container (red team, session 17: ``used =
    self.used; used.append(1)`` per image, which no name the code writes shows)."""
    owner = _locals(f).get("self")
    for k, i in enumerate(test[1:], 1):
        if i.opname != "LOAD_ATTR" or test[k - 1].opname != "LOAD_FAST" or test[k - 1].argval != "self":
            continue
        value = inspect.getattr_static(owner, i.argval, None)
        if type(value) in (list, dict) and not _unchanged(value, lists, False) or isinstance(value, (set, bytearray)) \
                or type(value) not in (list, dict) and hasattr(value, "append"):
            return True
    return False


# builtins a test of a loop's variables may call: their result is a function of their arguments
_PURE_CALLS = frozenset({"isinstance", "issubclass", "len", "hasattr", "callable", "type", "int", "float", "str",
                         "bool", "abs", "min", "max", "round"})


def _calls_state(f: types.FrameType, test: list[dis.Instruction]) -> bool:
    """Whether the test ``test`` calls a function other than the builtins ``_PURE_CALLS`` or a method
    of anything but a loop's item (``if k >= limit(): continue``, ``getattr(self, "n")``, ``self.skip(k)``):
    what it returns may be set from the batch where no name the test loads shows it (red team,
    session 17)."""
    for k, i in enumerate(test):
        if i.opname == "LOAD_GLOBAL" and (i.arg or 0) & 1 and (
                i.argval not in _PURE_CALLS or i.argval in f.f_globals or f.f_builtins.get(i.argval) is None):
            return True
        if i.opname == "LOAD_METHOD" and (k == 0 or test[k - 1].opname != "LOAD_FAST" or test[k - 1].argval == "self"):
            return True
    return False


# what a test of a loop's own variable against constants is made of (``term == "ddf"``)
_FIXED_TESTS = frozenset({"LOAD_CONST", "COMPARE_OP", "IS_OP", "CONTAINS_OP", "UNARY_NOT", "LOAD_GLOBAL", "LOAD_ATTR",
                          "LOAD_METHOD", "PRECALL", "CALL", "PUSH_NULL", "KW_NAMES"})


def _loop_variables(instructions: list[dis.Instruction]) -> frozenset[str]:
    """The locals a ``for`` stores its items in (``for k, (a, b) in ...``: k, a, b) and nothing
    else stores."""
    targets: set[int] = set()
    for k, i in enumerate(instructions):
        if i.opname != "FOR_ITER":
            continue
        j, pending = k + 1, 1
        while pending and j < len(instructions):
            if instructions[j].opname == "UNPACK_SEQUENCE":
                pending += (instructions[j].arg or 0) - 1
            elif instructions[j].opname == "STORE_FAST":
                targets.add(j)
                pending -= 1
            else:
                break
            j += 1
    names = {instructions[j].argval for j in targets}
    names -= {i.argval for k, i in enumerate(instructions) if i.opname in ("STORE_FAST", "DELETE_FAST") and k not in targets}
    return frozenset(names)


def fixed_length(c: Any, counts: Collection[int], lists: FixedLists | None = None) -> bool:
    """Whether the int ``c`` dividing a value is, in the ``/`` (``/=``) the caller's code is
    executing, the builtin ``len`` of a container whose length the code fixes (``_fixed_iterable``:
    ``len(self.stft_losses)`` of an ``nn.ModuleList`` or of a tuple of plain numbers; a list only
    with ``lists``, ``Frame.fixed_lists``: one held at the call's start, unchanged), equal to
    ``c``: the same number on a group alone. ``counts``: the batch's counts. Python 3.11 only."""
    if type(c) is not int or _VERSION not in _LOG_CHECKED:
        return False
    f = _caller()
    if f is None:
        return False
    instructions, at = _located(f.f_code, _lasti(f))
    if at is None or instructions[at].opname != "BINARY_OP" or instructions[at].arg not in _DIVISIONS \
            or instructions[at].is_jump_target:
        return False
    start = _operand_start(instructions, at)
    if start is None or instructions[start].opname != "LOAD_GLOBAL" or instructions[start].argval != "len":
        return False
    value = _fixed_iterable(f, instructions[start:at], counts, lists)
    return type(value) is int and value == c


def _tensor_items(f: types.FrameType, span: list[dis.Instruction], n: int) -> bool:
    """Whether ``span`` pushes ``n`` tensors, each a local (or a closure's) picked by constant keys
    from dicts, lists and tuples (``outputs["aux"][0]["x"]``): a display of them has ``n`` items on
    any group's run, and the tracks of their values tell what they carry. A number in a display
    (``(len(t) // 2,)``) is a count of the batch a loop variable would hand on: not read here."""
    items = _split_operands(span, n)
    if items is None or not items:
        return False
    held = _locals(f)
    for item in items:
        head = item[0]
        value: Any = _UNPROVEN
        if head.opname in ("LOAD_FAST", "LOAD_DEREF"):
            value = held.get(head.argval, _UNPROVEN)
        rest = item[1:]
        while len(rest) >= 2 and rest[0].opname == "LOAD_CONST" and rest[1].opname == "BINARY_SUBSCR" \
                and type(value) in (dict, list, tuple):
            try:
                value = value[rest[0].argval]
            except (KeyError, IndexError, TypeError):
                return False
            rest = rest[2:]
        if rest or not isinstance(value, torch.Tensor):
            return False
    return True


def _fixed_iterable(f: types.FrameType, span: list[dis.Instruction], counts: Collection[int],
                    lists: FixedLists | None = None) -> Any:
    """The value ``span`` (straight-line code pushing one value) computes where it is one whose
    length the code fixes: a literal tuple; a module global or an attribute of ``self`` that is a
    ``range``, a tuple of plain numbers, strings or modules, or a module (``nn.ModuleList``); an
    int of those kinds, or ``len`` of such a value, as an argument of ``range``; ``range``,
    ``zip``, ``enumerate``, ``reversed`` (the builtins) of such. With ``lists`` (as a ``range`` of
    its length): an attribute of ``self`` that is a list of such plain items (``self.losses``)
    held by an object of the call at its start, its items unchanged; a parameter's item by
    constant keys (``outputs["aux_outputs"]``) that is one of the call's argument lists of
    per-layer outputs, its items unchanged. True for a call of them (its result is not
    computed); ``_UNPROVEN`` for anything else."""
    if not span:
        return _UNPROVEN
    head = span[0]
    if span[-1].opname == "CALL" and len(span) >= 3 and span[-2].opname == "PRECALL" \
            and head.opname == "LOAD_GLOBAL" and (head.arg or 0) & 1:
        name = head.argval
        if name in f.f_globals or f.f_builtins.get(name) is not _FIXED_CALLS.get(name):
            return _UNPROVEN
        args = _split_operands(span[1:-2], span[-1].arg or 0)
        if args is None or not args:
            return _UNPROVEN
        values = [_fixed_iterable(f, a, counts, lists) for a in args]
        if name == "range":
            return True if all(type(v) is int for v in values) else _UNPROVEN
        if name == "len":  # ``range(len(self.layers))``
            if len(values) != 1 or values[0] is True or not _fixed_value(values[0]):
                return _UNPROVEN
            try:
                return len(values[0])
            except TypeError:
                return _UNPROVEN
        return True if all(v is True or _fixed_value(v) for v in values) and (name == "zip" or len(values) == 1) \
            else _UNPROVEN
    if head.opname == "LOAD_CONST" and len(span) == 1:
        return head.argval if type(head.argval) in (int, tuple) else _UNPROVEN
    if span[-1].opname in ("BUILD_TUPLE", "BUILD_LIST") and _tensor_items(f, span[:-1], span[-1].arg or 0):
        return range(span[-1].arg or 0)  # a display of tensors (``for p in (student, pooled)``), no ``*``
    if head.opname == "LOAD_FAST" and len(span) == 1:
        displayed = _displayed_lists(f.f_code).get(head.argval)
        if displayed is not None:
            length, called = displayed
            shadowed = any(n in f.f_globals or f.f_builtins.get(n) is not _FIXED_CALLS[n] for n in called)
            return _UNPROVEN if shadowed else range(length)
    if head.opname == "LOAD_FAST" and len(span) == 1 and lists is not None:
        listed = _built_list(f, head, counts, lists)
        if listed is not _UNPROVEN:
            return listed
        held = _locals(f).get(head.argval)
        if type(held) is list and _unchanged(held, lists, True) and _only_iterated(f, head.argval):
            return range(len(held))  # a list of levels, each of every image (``level_lists``)
    if head.opname == "LOAD_FAST" and len(span) == 1 and type(_locals(f).get(head.argval)) in (range, tuple):
        at = _positions(f.f_code).get(head.offset)
        stored = _stored_local(f, at, counts, lists) if at is not None else _UNPROVEN
        if stored is not _UNPROVEN:
            return stored
    written = _written_names(f.f_code)  # a global or attribute the code itself sets may hold the batch's
    code = f.f_code
    if head.opname == "LOAD_FAST" and len(span) == 1 and f"LOCAL:{head.argval}" not in written \
            and head.argval not in _OWNERS and head.argval in code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]:
        # a parameter the code never rebinds holding a tuple of plain numbers (``weights=(1.0, 0.5)``):
        # the call on a group alone gets the same tuple; as many as a count of the batch, no proof
        value = _locals(f).get(head.argval, _UNPROVEN)
        plain = type(value) is tuple and all(type(v) in (int, float, str) for v in value)
        return value if plain and len(value) not in counts else _UNPROVEN
    if head.opname == "LOAD_GLOBAL" and not (head.arg or 0) & 1 and not _writes(written, (f"GLOBAL:{head.argval}",)):
        value = f.f_globals.get(head.argval, _UNPROVEN)
    elif head.opname in ("LOAD_FAST", "LOAD_DEREF") and head.argval == "self" and f.f_code.co_argcount \
            and f.f_code.co_varnames[0] == "self" and "LOCAL:self" not in written:  # a cell where a comprehension reads it
        value = _locals(f).get("self", _UNPROVEN)
    elif head.opname == "LOAD_FAST" and lists is not None and f"LOCAL:{head.argval}" not in written and len(span) > 1 \
            and span[1].opname == "LOAD_CONST" and not _changes_items(f.f_code):
        return _argument_list(_locals(f).get(head.argval, _UNPROVEN), span[1:], lists)
    else:
        return _UNPROVEN
    owners = []
    for i in span[1:]:
        if i.opname != "LOAD_ATTR" or value is _UNPROVEN or _writes(written, (f"ATTR:{i.argval}",)):
            return _UNPROVEN
        owners.append(value)
        found = inspect.getattr_static(value, i.argval, _UNPROVEN)
        if found is _UNPROVEN and _is_module(value):  # a layer registered on a module
            found = vars(value).get("_modules", {}).get(i.argval, _UNPROVEN)
        value = found
    named = {f"{_LOADS[i.opname]}:{i.argval}" for i in span if i.opname in ("LOAD_ATTR", "LOAD_GLOBAL")}
    if type(value) is list:  # an attribute at the call's start, not set from the batch since (``append``)
        if not (_unchanged(value, lists, False) and _fixed_value(tuple(value))) \
                or any(type(v) in _SHARED_VALUES for v in value) \
                and _refilled(f, named, owners, all(type(v) is str for v in value)):
            return _UNPROVEN
        return range(len(value))
    if named & _resized_names(f.f_code) or _set_elsewhere(f, named):
        return _UNPROVEN
    if type(value) is int or type(value) is tuple:  # numbers the body may have set: not as many as a count
        return _UNPROVEN if value in counts or type(value) is tuple and len(value) in counts else value
    if _is_module(value) and not _layers_unchanged(value, lists):
        return _UNPROVEN
    return value if _fixed_value(value) else _UNPROVEN


@_per_code(256)
def _displayed_lists(code: types.CodeType) -> dict[str, tuple[int, frozenset[str]]]:
    """The locals of ``code`` (no parameter, no cell) stored once, by a list or tuple display of
    its items (``disps = [d0, d1]``, no ``*`` unpacking, not where branches meet), and read only to
    be iterated (``for d in disps``) or passed to the builtins ``zip``, ``enumerate``,
    ``reversed``, ``len``: name -> (its length, those builtins' names, to be checked unshadowed).
    Nothing resizes such a list, so a loop over it runs as often on a group alone (SfMLearner's
    scales, survey 31)."""
    instructions = _instructions(code)
    parameters = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount
                                   + bool(code.co_flags & inspect.CO_VARARGS) + bool(code.co_flags & inspect.CO_VARKEYWORDS)]
    stores: dict[str, list[int]] = {}
    for k, i in enumerate(instructions):
        if i.opname in ("STORE_FAST", "DELETE_FAST"):
            stores.setdefault(i.argval, []).append(k)
    found = {}
    for name, at in stores.items():
        k = at[0]
        if len(at) != 1 or name in parameters or name in code.co_cellvars or not k \
                or instructions[k].opname != "STORE_FAST" or instructions[k].is_jump_target \
                or instructions[k - 1].opname not in ("BUILD_LIST", "BUILD_TUPLE"):
            continue
        called: set[str] = set()
        for j, i in enumerate(instructions):
            if i.opname == "LOAD_FAST" and i.argval == name:
                use = _iterated_or_passed(instructions, j)
                if use is None:
                    break
                called.update(use)
        else:
            found[name] = (instructions[k - 1].arg or 0, frozenset(called))
    return found


def _iterated_or_passed(instructions: list[dis.Instruction], j: int) -> tuple[str, ...] | None:
    """How the load at ``j`` uses its value where that cannot change it: iterated (``()``), or an
    argument among plain loads of a call of a ``_FIXED_CALLS`` name (that name); None otherwise."""
    if j + 1 < len(instructions) and instructions[j + 1].opname == "GET_ITER":
        return ()
    start = j
    while start > 0 and instructions[start - 1].opname in ("LOAD_FAST", "LOAD_CONST"):
        start -= 1
    head = instructions[start - 1] if start else None
    end = j + 1
    while end < len(instructions) and instructions[end].opname in ("LOAD_FAST", "LOAD_CONST", "KW_NAMES"):
        end += 1
    if head is None or head.opname != "LOAD_GLOBAL" or not (head.arg or 0) & 1 or head.argval not in _FIXED_CALLS \
            or end >= len(instructions) or instructions[end].opname != "PRECALL" \
            or any(i.is_jump_target for i in instructions[start - 1:end + 1]):
        return None
    return (head.argval,)


def _layers_unchanged(module: Any, lists: FixedLists | None) -> bool:
    """Whether a module's own layers (``self.heads``) are those it held when the call began, where
    they were recorded then (``_inputs._list_attributes``): grown through an alias (``heads =
    self.heads; heads.append(m)``), ``nn.ModuleList.append(self.heads, m)`` or ``_modules[k] = m``,
    which no name the code writes shows (red team, session 17), it runs as often as the batch's."""
    held = vars(module).get("_modules")
    known = lists.get(id(held)) if lists is not None and type(held) is dict else None
    return known is None or _unchanged(held, lists, False)


def configured_item(c: Any, lists: FixedLists) -> bool:
    """Whether the Python number ``c`` is the right operand of the binary operator the caller's
    code is executing, read as ``self.name[key]`` (``l_dict[k] * self.weight_dict[k]``) from a dict
    attribute recorded in ``lists`` before the body ran and holding the same items: a number set
    before the call, not from its images (``c`` itself is that item). An int also where no method
    but ``__init__`` nor function of the module sets an item of that attribute (``_set_elsewhere``).
    Python 3.11."""
    f = _caller()
    if f is None or _VERSION not in _LOG_CHECKED:
        return False
    instructions, at = _located(f.f_code, _lasti(f))
    if at is None or instructions[at].opname != "BINARY_OP" or instructions[at].is_jump_target:
        return False
    start = _operand_start(instructions, at)
    span = instructions[start:at] if start is not None else []
    if len(span) != 4 or [i.opname for i in span[1:]] != ["LOAD_ATTR", span[2].opname, "BINARY_SUBSCR"] \
            or span[2].opname not in ("LOAD_FAST", "LOAD_CONST"):
        return False
    written = _written_names(f.f_code)
    head = span[0]
    if head.opname not in ("LOAD_FAST", "LOAD_DEREF") or head.argval != "self" or "LOCAL:self" in written \
            or _writes(written, (f"ATTR:{span[1].argval}",)):
        return False
    table = inspect.getattr_static(_locals(f).get("self"), span[1].argval, None)
    if type(table) is not dict or not _unchanged(table, lists, False):
        return False
    if type(c) is int and _set_elsewhere(f, {f"ATTR:{span[1].argval}"}):
        return False  # a small int written again is the same object: only the code can tell (red team, session 16)
    key = span[2].argval if span[2].opname == "LOAD_CONST" else _locals(f).get(span[2].argval, _UNPROVEN)
    try:
        return table.get(key, _UNPROVEN) is c
    except TypeError:  # an unhashable key
        return False


def level_lists(of_every_image: Callable[[Any], bool], counts: Collection[int], lengths: Collection[int]
                ) -> list[list[Any]]:
    """The lists the locals of the code running the op being captured hold (``embeddings``,
    ``teacher_embeddings`` of sentence-transformers' loop over text columns) each of whose items is
    a distinct tensor of every image (``of_every_image``), as many as an argument's list of
    per-column items, each of every image (``lengths``: ``sentence_features``, one dict per column),
    and as many as no count of the batch (``counts``), that no code of that frame rebinds or
    resizes, read only to be iterated or passed to the builtins ``zip``, ``enumerate``, ``len``
    (``_only_iterated``): one item per column of the batch, made from those columns, so as many on
    a group alone (a list as long as a count, as long as no argument's columns, or one the code
    resizes, is not read so). The caller records them as the call's per-level lists
    (``Frame.fixed_lists``)."""
    f = _caller()
    if f is None or _VERSION not in _FLOOR_CHECKED:
        return []
    found = []
    for name, value in _locals(f).items():
        if type(value) is list and value and len(value) in lengths and len(value) not in counts \
                and all(of_every_image(v) for v in value) and len({id(v) for v in value}) == len(value) \
                and _only_iterated(f, name):
            found.append(value)
    return found


def _only_iterated(f: types.FrameType, name: str) -> bool:
    """Whether ``f``'s code never stores, deletes or rebinds the local ``name`` but where it binds
    a parameter, and reads it only right into ``GET_ITER`` (``for x in v``) or as an argument of a
    call of the builtins ``zip``, ``enumerate``, ``len`` (unshadowed): nothing it calls may resize it."""
    code = f.f_code
    if name in code.co_cellvars or name in code.co_freevars or f"LOCAL:{name}" in _written_names(code):
        return False
    instructions = _instructions(code)
    for k, i in enumerate(instructions):
        if i.opname not in ("LOAD_FAST", "LOAD_CLOSURE") or i.argval != name:
            continue
        if k + 1 < len(instructions) and instructions[k + 1].opname == "GET_ITER":
            continue
        call = next((j for j in range(k + 1, min(k + 8, len(instructions))) if instructions[j].opname == "CALL"), None)
        if call is None or any(x.opname not in ("LOAD_FAST", "PRECALL") for x in instructions[k + 1:call]):
            return False
        spans = _argument_spans(instructions, call) or []
        head = instructions[spans[-1][0] - 1] if spans and spans[-1][0] > 0 else None  # (``NULL + zip``)
        if head is None or head.opname != "LOAD_GLOBAL" or not (head.arg or 0) & 1 \
                or head.argval not in ("zip", "enumerate", "len") or head.argval in f.f_globals \
                or f.f_builtins.get(head.argval) is not _FIXED_CALLS[head.argval] \
                or not any(a <= k < b for a, b in spans):
            return False
    return True


def _argument_list(value: Any, span: list[dis.Instruction], lists: FixedLists) -> Any:
    """``value[k1][k2]...`` (``span``: a ``LOAD_CONST`` then ``BINARY_SUBSCR`` per key, of dicts)
    as a ``range`` of its length where it is one of ``lists`` with its items unchanged;
    ``_UNPROVEN`` otherwise."""
    if len(span) % 2:
        return _UNPROVEN
    for key, op in zip(span[::2], span[1::2], strict=True):
        if key.opname != "LOAD_CONST" or op.opname != "BINARY_SUBSCR" or type(value) is not dict:
            return _UNPROVEN
        value = value.get(key.argval, _UNPROVEN)
    return range(len(value)) if _unchanged(value, lists, True) else _UNPROVEN


def _unchanged(value: Any, lists: FixedLists | None, per_layer: bool) -> bool:
    """Whether ``value`` is recorded in ``lists`` (as an argument's per-layer list, or not) and
    holds the same items (the same objects) as then."""
    known = lists.get(id(value)) if lists is not None else None
    if known is None or known[0] is not value or known[2] is not per_layer:
        return False
    return _same_items(list(value.items()) if type(value) is dict else value, known[1])


def _same_items(value: Any, items: tuple[Any, ...]) -> bool:
    return len(value) == len(items) and all(a is b or type(a) is tuple and type(b) is tuple and _same_items(a, b)
                                            for a, b in zip(value, items, strict=False))


@_per_code(256)
def _changes_items(code: types.CodeType) -> bool:
    """Whether ``code`` sets or deletes an item of anything (``d[k] = v``): a dict read by key may
    then hold another value than when a loop began."""
    return any(i.opname in ("STORE_SUBSCR", "DELETE_SUBSCR") for i in _instructions(code))


# methods that change a container's length in place (``self.heads.append(m)``)
_RESIZING = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "add_module", "register_module", "update",
                       "setdefault", "popitem"})
# methods that change their object in place, besides those that resize a container
_CHANGING = _RESIZING | {"__setitem__", "__delitem__", "sort", "reverse"}


@_per_code(256)
def _written_names(code: types.CodeType) -> frozenset[str]:
    """The globals, attributes and locals (cells included) ``code`` stores or deletes, each as
    ``GLOBAL:name``, ``ATTR:name`` or ``LOCAL:name`` (a local ``losses = {}`` is no ``self.losses``);
    also those it may write by name (``_dynamic_writes``)."""
    instructions = _instructions(code)
    return frozenset(f"{_STORES[i.opname.partition('_')[2]]}:{i.argval}" for i in instructions
                     if i.opname.partition("_")[0] in ("STORE", "DELETE") and i.opname.partition("_")[2] in _STORES
                     ) | _dynamic_writes(code, instructions)


# what writes attributes or globals by name: ``setattr(self, "n", len(t))``, ``self.__dict__["n"] = ...``,
# ``vars(self).update(...)``, ``globals()["N"] = ...``
_SET_BY_NAME = frozenset({"setattr", "delattr"})
_ANY_ATTRIBUTE = frozenset({"vars", "exec", "eval"})
_ANY_GLOBAL = frozenset({"globals", "exec", "eval"})


def _dynamic_writes(code: types.CodeType, instructions: list[dis.Instruction]) -> frozenset[str]:
    """The names code may write without a store instruction naming them (red team, session 17: a
    loop over ``self.terms`` after ``setattr(self, "terms", ...)`` in a helper took the batch's
    iterations on every group): ``ATTR:n`` for ``setattr(obj, "n", v)``, ``obj.__setattr__("n", v)``
    and ``object.__setattr__(obj, "n", v)`` (a frozen dataclass's ``__init__``); ``ATTR:*`` /
    ``GLOBAL:*`` (any, see ``_writes``) for a name not written in the call (on an object not
    loaded as a global: ``setattr(torch.Tensor, name, f)`` in a benchmark helper is no write of
    the criterion's state), an object's
    ``__dict__``, ``vars()``, ``globals()``, ``exec`` or ``eval``. A ``__setattr__`` or
    ``__delattr__`` passing its own name on writes what the store that runs it names."""
    found = set()
    forwarding = code.co_name in ("__setattr__", "__delattr__")
    for k, i in enumerate(instructions):
        if i.opname == "LOAD_GLOBAL" and i.argval in _SET_BY_NAME or i.opname in ("LOAD_ATTR", "LOAD_METHOD") \
                and i.argval in ("__setattr__", "__delattr__") and not forwarding:
            name = _name_argument(instructions, k + 1, first=i.opname == "LOAD_METHOD")
            if name is not None:
                found.add(f"ATTR:{name}")
            elif not (i.opname == "LOAD_GLOBAL" and k + 1 < len(instructions) and instructions[k + 1].opname == "LOAD_GLOBAL"):
                found.add("ATTR:*")  # (``setattr(torch.Tensor, name, f)`` patches a module's object, not the call's)
        elif i.opname == "LOAD_GLOBAL" and i.argval in _ANY_ATTRIBUTE or i.opname in ("LOAD_ATTR", "LOAD_METHOD") \
                and i.argval == "__dict__":
            found.add("ATTR:*")
        if i.opname == "LOAD_GLOBAL" and i.argval in _ANY_GLOBAL:
            found.add("GLOBAL:*")
    return frozenset(found)


def _name_argument(instructions: list[dis.Instruction], k: int, first: bool) -> str | None:
    """The string literal naming the attribute in the call whose arguments start at index ``k``:
    the first argument (with ``first``, a bound ``obj.__setattr__("n", v)``, where it is a
    literal) or the second (``setattr(obj, "n", v)``, ``object.__setattr__(obj, "n", v)``)."""
    if first and k < len(instructions) and instructions[k].opname == "LOAD_CONST" and type(instructions[k].argval) is str:
        return instructions[k].argval
    depth = 0
    for j in range(k, len(instructions)):  # the first argument: straight-line code pushing one value
        i = instructions[j]
        if i.is_jump_target or i.opcode in _JUMPS:
            return None
        try:
            depth += dis.stack_effect(i.opcode, i.arg if i.opcode >= dis.HAVE_ARGUMENT else None, jump=False)
        except ValueError:
            return None
        if depth == 1:
            after = instructions[j + 1] if j + 1 < len(instructions) else None
            return after.argval if after is not None and after.opname == "LOAD_CONST" and type(after.argval) is str \
                else None
        if depth <= 0:
            return None
    return None


def _writes(written: Collection[str], named: Iterable[str]) -> bool:
    """Whether names ``written`` (``_written_names``, ``_set_names``) hold any of ``named`` (``ATTR:n``),
    the wildcards ``ATTR:*`` / ``GLOBAL:*`` included."""
    return any(n in written or f"{n.partition(':')[0]}:*" in written for n in named)


@_per_code(256)
def _resized_names(code: types.CodeType) -> frozenset[str]:
    """What ``code`` resizes in place (``self.heads.append(m)``), named as ``_written_names`` does:
    a list recorded before the call is checked for that at each op (``_unchanged``), a module or
    another container is not."""
    instructions = _instructions(code)
    return frozenset(f"{_LOADS[i.opname]}:{i.argval}" for i, after in zip(instructions, instructions[1:])
                     if i.opname in _LOADS and after.opname in ("LOAD_METHOD", "LOAD_ATTR") and after.argval in _RESIZING)


def _set_elsewhere(f: types.FrameType, named: set[str], found: Callable[[types.CodeType], frozenset[str]] | None = None) -> bool:
    """Whether a global or attribute of ``named`` (as ``_written_names`` names them) may be set or
    resized from the batch by other code the call may run before the loop: a function of ``f``'s
    module, or a method other than ``__init__`` of the class of ``f``'s ``self`` (``self._setup(t)``
    setting ``self.terms = ("a",) * (len(t) + 1)``, ``self.heads.append(m)`` per image); on a group
    alone it holds the group's."""
    if not named:
        return False
    codes = _module_codes(f.f_globals, classes=False)
    code = f.f_code
    if code.co_argcount and code.co_varnames[0] == "self" or "self" in code.co_freevars:  # (a comprehension's)
        codes += _codes_of(_methods(type(_locals(f).get("self"))))
    return any(_writes((found or _set_names)(c), named) for c in codes)


# values that computing them again may give as the same object (small ints, interned strings): a
# list of them refilled in place holds what it held, ``is`` for ``is``
_SHARED_VALUES = frozenset({int, bool, str, type(None)})


def _refilled(f: types.FrameType, named: set[str], owners: list[Any], names: bool) -> bool:
    """Whether a list attribute read through ``named`` may have been refilled in place during the
    call (``self.order[:] = range(len(t))``, ``.clear()`` then ``.extend(..)``) by ``f``'s code, a
    function of its module, a method of ``self``'s class or of an object on the way
    (``self.inner.reset(n)``): equal small ints are the same objects, so the items recorded at the
    call's start prove nothing then (red team 34). A list of strings (``names``: the terms a
    criterion computes, ``self.losses``) counts only a refill (``_refilling_names``), not an append
    under a test or a trim after the loop (RT-DETR's shape: ``tests/test_rules_fixed_loops.py``)."""
    found = _refilling_names if names and _VERSION == (3, 11) else _set_names
    if _writes(found(f.f_code), named) or _set_elsewhere(f, named, found):
        return True
    return any(_writes(found(c), named) for o in owners if not isinstance(o, types.ModuleType)
               for c in _codes_of(_methods(type(o))))


# methods that may put back the items a list held (``x.clear()`` then ``x.extend(..)``): not
# ``append``, which only grows it, nor a delete, which only shrinks it
_REFILLING = frozenset({"clear", "extend", "insert", "__setitem__"})


@_per_code(1024)
def _refilling_names(code: types.CodeType) -> frozenset[str]:
    """What ``code`` or the code nested in it may refill in place (``x[:] = v``, an item set, a
    ``_REFILLING`` method), named as ``_written_names`` does, besides what it stores (3.11's
    bytecode: ``x[:] = v`` is a ``STORE_SUBSCR`` there)."""
    instructions = _instructions(code)
    found = _written_names(code) | _item_set_names(code, ("STORE_SUBSCR",)) | {
        f"{_LOADS[i.opname]}:{i.argval}" for i, after in zip(instructions, instructions[1:])
        if i.opname in _LOADS and after.opname in ("LOAD_METHOD", "LOAD_ATTR") and after.argval in _REFILLING}
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            found |= _refilling_names(c)
    return found


@_per_code(1024)
def _set_names(code: types.CodeType) -> frozenset[str]:
    """``_written_names`` and ``_resized_names`` of ``code`` and of the code nested in it."""
    found = _written_names(code) | _resized_names(code) | _item_set_names(code)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            found |= _set_names(c)
    return found


@_per_code(1024)
def _item_set_names(code: types.CodeType, ops: tuple[str, ...] = ("STORE_SUBSCR", "DELETE_SUBSCR")) -> frozenset[str]:
    """The globals and attributes ``code`` sets or deletes an item of (``self.weight_dict[k] = n``,
    ``del TABLE[k]``), named as ``_written_names`` does: a small int written there is the object it
    replaced (``len(targets)`` over two images where the dict held 2), which no check of the items'
    identities sees."""
    instructions = _instructions(code)
    found = set()
    for k, i in enumerate(instructions):
        if i.opname not in ops:
            continue
        key = _operand_start(instructions, k)
        start = _operand_start(instructions, key) if key is not None else None
        if key is None or start is None or start >= key:
            continue
        last = instructions[key - 1]  # the container's last load: ``self.weight_dict``, ``TABLE``
        if last.opname in _LOADS and (last.opname != "LOAD_GLOBAL" or key - start == 1):
            found.add(f"{_LOADS[last.opname]}:{last.argval}")
    return frozenset(found)


_STORES = {"GLOBAL": "GLOBAL", "ATTR": "ATTR", "FAST": "LOCAL", "DEREF": "LOCAL"}
_LOADS = {"LOAD_GLOBAL": "GLOBAL", "LOAD_ATTR": "ATTR", "LOAD_FAST": "LOCAL", "LOAD_DEREF": "LOCAL"}


def _fixed_value(value: Any) -> bool:
    """Whether ``value`` has a length the code fixes: a ``range``, a tuple of plain numbers,
    strings, ``None`` or modules (layers, not data), or a torch module (iterated: its children)."""
    if isinstance(value, range):
        return True
    if type(value) is tuple:
        return all(v is None or type(v) in (int, float, str, bool) or _is_module(v) for v in value)
    return _is_module(value)


def _is_module(value: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.nn.Module)


def _split_operands(span: list[dis.Instruction], n: int, target_first: bool = False) -> list[list[dis.Instruction]] | None:
    """``span``, the code pushing ``n`` values, cut into the code of each (None where it is not
    straight-line code of one value after another; ``target_first``: each may start at a jump
    target, the caller having checked that only ``span[0]`` is one)."""
    out: list[list[dis.Instruction]] = []
    end = len(span)
    for _ in range(n):
        start = _operand_start(span, end, target_first)
        if start is None:
            return None
        out.append(span[start:end])
        end = start
    return out[::-1] if end == 0 else None


def call_site() -> tuple[types.CodeType, int] | None:
    """(code, instruction offset) of the op the caller's code is executing; None where no frame
    is found."""
    f = _caller(checked=False)  # a position needs no reading of the bytecode
    return None if f is None else (f.f_code, _lasti(f))


def user_sites(limit: int = 16) -> tuple[tuple[types.CodeType, int], ...]:
    """(code, offset) of the op's caller and of each user frame calling it in turn, innermost first, up
    to the first frame of losssplit or torch (the decorator's): where a helper ran the op, the position
    in each code that called it."""
    sites: list[tuple[types.CodeType, int]] = []
    f = _caller(checked=False)
    while f is not None and len(sites) < limit and _walk_out(f) is f:
        sites.append((f.f_code, _lasti(f)))
        f = f.f_back
    return tuple(sites)


@_per_code(1024)
def _in_loop(code: types.CodeType, lasti: int) -> bool:
    """Whether a jump after the instruction at ``lasti`` goes back to it or before it (every
    jump kind: ``POP_JUMP_BACKWARD_IF_TRUE`` closes a ``while`` loop on 3.11)."""
    instructions, at = _located_frame(code, lasti)
    if at is None:
        return True
    return any(first <= at < last for first, last in _loops(instructions))


@_per_code(1024)
def looped_site(code: types.CodeType, lasti: int) -> bool:
    """Whether the op at ``lasti`` of ``code`` runs in a loop or a comprehension of that code's own
    (``_in_loop``); False where nothing can be told (a rule that this answer lets follow must see it)."""
    if code.co_name in _COMPREHENSIONS:
        return True
    instructions, at = _located_frame(code, lasti)
    return at is not None and any(first <= at < last for first, last in _loops(instructions))


def every_image_looped(n: int) -> bool | None:
    """Whether the op the caller's code is executing runs in a ``for`` loop of that code, or of a
    code that called it (a comprehension's maker, a helper's caller, up to the decorated body),
    proven to visit each of the ``n`` images: its iterable a list, tuple, range or tensor of ``n``
    items, or ``range`` / ``zip`` / ``enumerate`` / ``reversed`` / ``list`` / ``tuple`` / ``sorted`` of
    such, with no test of the loop's position on the way (``if i < 2``). A slice (``r[1:]``,
    ``r[::2]``), ``islice``, a helper's list, a ``while`` or any other loop is not proven: a constant
    applied there is the image's position's. None where it runs in no loop at all."""
    looped = False
    for f in _body_frames():
        instructions = _instructions(f.f_code)
        for first, last in _enclosing_loops(f.f_code, _lasti(f)):
            looped = True
            if instructions[first].opname == "FOR_ITER" and _iterable_covers(f, instructions, first, n) \
                    and not _position_tested(f, instructions, first, last):
                return True
    return False if looped else None


def _body_frames() -> Iterator[types.FrameType]:
    """The frame running the op, then each frame that called it, up to the decorated body (the
    first of losssplit's frames ends them), ``_FOLLOWED_CALLS`` at most."""
    f = _caller(checked=False)
    for _ in range(_FOLLOWED_CALLS):
        if f is None or _package(f) == "losssplit":
            return
        yield f
        f = f.f_back


@_per_code(1024)
def _enclosing_loops(code: types.CodeType, lasti: int) -> tuple[tuple[int, int], ...]:
    """(first index, closing jump index) of each loop of ``code`` around the op at ``lasti``."""
    instructions, at = _located_frame(code, lasti)
    if at is None:
        return ()
    return tuple((first, last) for first, last in _loops(instructions) if first <= at < last)


_COVERING_CALLS = frozenset({zip, enumerate, reversed, list, tuple, sorted})


def _iterable_covers(f: types.FrameType, instructions: list[dis.Instruction], first: int, n: int) -> bool:
    """Whether the iterable of the ``for`` loop whose FOR_ITER is at ``first`` has ``n`` items, one
    per image (its expression read in ``f`` without running anything but ``len`` and ``range``)."""
    before = instructions[first - 1] if first else None
    if before is not None and before.opname == "LOAD_FAST" and before.argval == ".0":
        return _iterator_covers(_locals(f).get(".0"), n)  # a comprehension's: its iterator
    if before is None or before.opname != "GET_ITER":
        return False
    start = _operand_start(instructions, first - 1)
    if start is None:
        return False
    stack: list[tuple[str, Any]] = []
    names = _locals(f)
    for i in instructions[start:first - 1]:
        if i.opname in ("LOAD_FAST", "LOAD_DEREF", "LOAD_CLOSURE"):
            if i.argval not in names:
                return False
            stack.append(("value", names[i.argval]))
        elif i.opname == "LOAD_GLOBAL":
            if (i.arg or 0) & 1:
                stack.append(("null", None))
            value = f.f_globals.get(i.argval, getattr(builtins, i.argval, _MISSING))
            stack.append(("value", value))
        elif i.opname == "PUSH_NULL":
            stack.append(("null", None))
        elif i.opname == "LOAD_CONST" and type(i.argval) is str:
            stack.append(("key", i.argval))
        elif i.opname == "BINARY_SUBSCR" and len(stack) >= 2 and stack[-1][0] == "key" and stack[-2][0] == "value" \
                and type(stack[-2][1]) is dict:  # ``o["x"]``: a field of a plain dict
            key = stack.pop()[1]
            stack.append(("value", stack.pop()[1].get(key, _MISSING)))
        elif i.opname == "PRECALL":
            continue
        elif i.opname == "CALL" and len(stack) >= (i.arg or 0) + 2:
            args = stack[len(stack) - (i.arg or 0):]
            del stack[len(stack) - (i.arg or 0):]
            (kind, callee), (null, _) = stack.pop(), stack.pop()
            if kind != "value" or null != "null":
                return False
            if callee in _COVERING_CALLS and args:
                stack.append(("all", all(_covers(a, n) for a in args)))
            elif callee is len and len(args) == 1 and args[0][0] == "value" and _length(args[0][1]) is not None:
                stack.append(("value", _length(args[0][1])))
            elif callee is range and 1 <= len(args) <= 3 and all(a[0] == "value" and type(a[1]) is int for a in args):
                stack.append(("value", range(*(a[1] for a in args))))
            else:
                return False
        else:
            return False
    return len(stack) == 1 and _covers(stack[0], n)


def _covers(item: tuple[str, Any], n: int) -> bool:
    return item[1] is True if item[0] == "all" else item[0] == "value" and _length(item[1]) == n


def _length(value: Any) -> int | None:
    """``len(value)`` of a list, tuple, range, dict or tensor of one dimension or more; None for
    anything else (its ``len`` may run code)."""
    if type(value) in (list, tuple, range, dict):
        return len(value)
    if isinstance(value, torch.Tensor) and value.dim() > 0:
        return int(value.shape[0])
    return None


def _iterator_covers(it: Any, n: int) -> bool:
    """Whether the iterator ``it`` (a comprehension's) runs over a list, tuple, range or tensor of
    ``n`` items, directly or through ``zip`` / ``enumerate`` / ``reversed`` (read from its
    ``__reduce__``: no item is taken)."""
    kind = type(it).__name__
    try:
        if kind in ("list_iterator", "tuple_iterator", "range_iterator", "list_reverseiterator"):
            return _length(it.__reduce__()[1][0]) == n
        if kind == "zip":  # (as long as its shortest: one of ``n`` items beside longer lists, such as offsets)
            parts = it.__reduce__()[1]
            return any(_iterator_covers(x, n) for x in parts) and all(_iterator_covers(x, n) or (
                type(x).__name__ in ("list_iterator", "tuple_iterator") and (_length(x.__reduce__()[1][0]) or 0) > n)
                for x in parts)
        if kind in ("enumerate", "reversed"):
            return _iterator_covers(it.__reduce__()[1][0], n) if kind == "enumerate" \
                else _length(it.__reduce__()[1][0]) == n
    except Exception:  # noqa: BLE001 - an iterator that cannot tell is not proven
        return False
    return False


_TEST_OPERANDS = frozenset({"LOAD_FAST", "LOAD_CONST", "COMPARE_OP", "BINARY_OP", "IS_OP", "CONTAINS_OP", "UNARY_NOT"})


def _position_tested(f: types.FrameType, instructions: list[dis.Instruction], first: int, last: int) -> bool:
    """Whether a conditional jump of the loop from ``first`` to ``last`` tests a plain expression of
    an int the loop's target holds (``for i, x in enumerate(r): if i < 2``; ``... if b % 2``): some
    images' positions skip what others' run."""
    targets = _unpacked_targets(instructions, first)  # (every depth: ``for i, (x, k) in``; was one level)
    for j in range(first + 1, last + 1):
        if "_IF_" not in instructions[j].opname:
            continue
        k = j
        while k > first + 1 and instructions[k - 1].opname in _TEST_OPERANDS:
            k -= 1
        if any(i.opname == "LOAD_FAST" and i.argval in targets and type(_locals(f).get(i.argval)) is int
               for i in instructions[k:j]):
            return True
    return False


_JUMPS = frozenset(dis.hasjrel) | frozenset(dis.hasjabs)


def literal_dividend(c: Any) -> bool:
    """Whether the Python number ``c`` is the left operand of the division the caller's code is
    executing (``1 / mse``), written there as a lone constant equal to it (type included)."""
    f = _caller()
    if f is None or _VERSION not in _FLOOR_CHECKED:
        return False
    instructions, at = _located(f.f_code, _lasti(f))
    spans = _operand_spans(f.f_code, _lasti(f))
    if at is None or spans is None or instructions[at].arg not in _DIVISIONS:
        return False
    (start, end), _ = spans
    left = instructions[start:end]
    return len(left) == 1 and left[0].opname == "LOAD_CONST" and type(left[0].argval) is type(c) and left[0].argval == c


def body_parameter(c: Any) -> bool:
    """Whether the float ``c`` is, at the binary operator the decorated body's own code is
    executing, one whole operand loaded from a parameter that this code never rebinds
    (``reg_weight * loss`` with ``reg_weight=5.0``): its object is the argument or default the
    call received, made before any value of the call was read on the host, whatever read it
    equals. Floats only (small ints are shared objects); not in a helper the body calls (its
    parameters may hold numbers the body read); Python 3.11 only (operand layout checked)."""
    if type(c) is not float or _VERSION not in _FLOOR_CHECKED:
        return False
    f = _caller()
    if f is None or _package(f.f_back) != "losssplit":
        return False
    names = _parameter_operands(f.f_code, _lasti(f))
    return any(_locals(f).get(n) is c for n in names)


class BodyCall(NamedTuple):
    """How the decorated body was called: ``caller`` the id of the frame that called it (the
    wrapper's, alive for the whole call), ``code`` its code, ``unpassed`` its parameters the
    call did not pass, each with its default object."""

    caller: int
    code: types.CodeType
    unpassed: dict[str, Any]


def body_call(caller: int, wrapped: Any, args: tuple, kwargs: dict) -> BodyCall | None:
    """The ``BodyCall`` of ``wrapped(*args, **kwargs)`` called from the frame ``caller``; None
    where its code or binding cannot be read (a C function, arguments that do not bind)."""
    fn = getattr(wrapped, "__func__", wrapped)
    if not isinstance(fn, types.FunctionType):
        return None
    try:
        bound = _signature(wrapped, fn).bind(*args, **kwargs)
    except (TypeError, ValueError):
        return None
    return BodyCall(caller, fn.__code__, {n: v for n, v in _defaults(fn).items() if n not in bound.arguments})


_SIGNATURES: dict[int, tuple[types.CodeType, tuple[Any, ...], inspect.Signature]] = {}


def _signature(wrapped: Any, fn: types.FunctionType) -> inspect.Signature:
    """``inspect.signature(wrapped, follow_wrapped=False)`` for binding, read once per code object
    of a plain function or a method of one: binding reads the parameters' names, kinds and which
    have a default, which the code object and the numbers of defaults fix. The defaults and
    annotations are not kept (a default may be a tensor, which must not outlive the call)."""
    if type(wrapped) not in (types.FunctionType, types.MethodType) or any(
            k in fn.__dict__ for k in ("__signature__", "_partialmethod")):
        return inspect.signature(wrapped, follow_wrapped=False)
    code = fn.__code__
    shape = (type(wrapped), len(fn.__defaults__ or ()), tuple(fn.__kwdefaults__ or ()))
    held = _SIGNATURES.get(id(code))
    if held is not None and held[0] is code and held[1] == shape:
        return held[2]
    found = inspect.signature(wrapped, follow_wrapped=False)
    found = found.replace(parameters=[
        p.replace(default=None if p.default is not p.empty else p.empty, annotation=p.empty)
        for p in found.parameters.values()], return_annotation=inspect.Signature.empty)
    if len(_SIGNATURES) >= 256:
        _SIGNATURES.clear()
    _SIGNATURES[id(code)] = (code, shape, found)
    return found


def _defaults(fn: types.FunctionType) -> dict[str, Any]:
    """``fn``'s parameters that have a default, each with its default object."""
    code = fn.__code__
    positional = code.co_varnames[: code.co_argcount]
    given = fn.__defaults__ or ()
    found = dict(zip(positional[len(positional) - len(given):], given))
    found.update(fn.__kwdefaults__ or {})
    return found


def constant_number(c: Any, func: Any, args: tuple, kwargs: dict, body: Callable[[], BodyCall | None]) -> bool:
    """Whether the number object ``c`` that the op ``func(*args, **kwargs)`` received is, in the
    caller's code executing that op, an operand or argument that the code proves a constant of
    the call equal to it (``_constant_of_call``; a field of the call's own argument aside: a
    number passed in may be a normaliser from outside, whose share a group takes). ``body``
    gives how the decorated body was called (which parameters hold their defaults). Every
    argument where the op received ``c`` must be so (``torch.where(m, t["w"], alpha)`` is no
    proof). Equal float literals of one module are one object, an image's weight field's
    included: where the code proves a constant, the object is that constant, not the weight.
    False for anything else (a subscript, a value passed by code that is not followed, a Python
    whose layout was not checked)."""
    if type(c) not in (int, float) or _VERSION not in _FLOOR_CHECKED:
        return False
    f = _caller()
    read = _number_operands(f.f_code, _lasti(f)) if f is not None else None
    if read is None:
        return False
    assert f is not None
    if read[0] == "binary":  # the op got both operands, ``c`` and a tensor
        if kwargs or len(args) != 2 or (args[0] is c) + (args[1] is c) != 1:
            return False
        right, left = read[1], read[2]
        if right is not None and _constant_equal(f, right, c, body):
            return True  # the right operand is ``c``; the left need not be read (it may start a loop's exit)
        return left is not None and _constant_equal(f, left, c, body)
    callee, spans, names, may, receiver = read[1:]
    if not _names_op(callee, func):
        return False  # an op the call's code does not name: its arguments are not the call's
    positional = len(spans) - len(names)
    if type(func) is types.FunctionType:  # written in Python: it may forward positionals as keywords
        if _forwarded_default(c, func, args, kwargs, names):
            return True
        found = _forwarded_at(c, func, args, kwargs, positional, names, _method_shift(func, receiver, f))
        return bool(found) and all(may[i] and _constant_equal(f, spans[i], c, body) for i in found or ())
    shift = len(args) - positional  # a method call pushes its tensor before the callee
    if shift not in (0, 1) or shift and args[0] is c or not set(names) <= set(kwargs) or any(
            kwargs[k] is c for k in set(kwargs) - set(names)):
        return False
    at_c = []
    for i, a in enumerate(args):  # (loops: no comprehensions per ask)
        if a is c:
            at_c.append(i - shift)
    for k, v in kwargs.items():
        if v is c:
            at_c.append(positional + names.index(k))
    if not at_c:
        return False
    for i in at_c:  # (loops: no generators per ask)
        if not may[i]:
            return False
    for i in at_c:
        if not _constant_equal(f, spans[i], c, body):
            return False
    return True


def _names_op(callee: str | None, func: Any) -> bool:
    """Whether the name the code calls is the op's: its ``__name__``, or that name without the
    namespace prefix of torch's builtins (``torch.linalg.vector_norm`` is ``linalg_vector_norm``,
    ``torch.special.xlogy`` is ``special_xlogy``)."""
    name = getattr(func, "__name__", None)
    return callee is not None and name is not None and (callee == name or (
        type(func) is types.BuiltinFunctionType and any(name == prefix + callee for prefix in _BUILTIN_PREFIXES)))


_BUILTIN_PREFIXES = ("linalg_", "special_", "fft_")


def _forwarded_default(c: Any, func: types.FunctionType, args: tuple, kwargs: dict, names: tuple[str, ...]) -> bool:
    """Whether the torch function ``func``, written in Python, received ``c`` only as keyword
    arguments the caller did not write, each holding the very default object of ``func``'s
    signature (``F.normalize(x, dim=1)`` hands its ``p=2.0`` on): a constant of torch."""
    defaults = func.__kwdefaults__ or {}
    params = _parameter_names(func)
    if params is None or any(a is c for a in args):
        return False
    if func.__defaults__:
        positional = params[: func.__code__.co_argcount]
        defaults = {**dict(zip(positional[len(positional) - len(func.__defaults__):], func.__defaults__)), **defaults}
    at = [k for k, v in kwargs.items() if v is c]
    return bool(at) and all(k not in names and k in defaults and defaults[k] is c for k in at)


def _forwarded_at(c: Any, func: types.FunctionType, args: tuple, kwargs: dict, positional: int,
                  names: tuple[str, ...], shift: int | None) -> list[int] | None:
    """The indices of the caller's argument spans that pushed each argument where the torch
    function ``func``, written in Python, received ``c``, read through its signature: such a
    function hands its own arguments to ``__torch_function__`` as it chooses (``torch.stft``
    passes ``hop_length`` by keyword whatever the caller wrote; ``Tensor.split`` its ``dim``),
    so the received layout is not the caller's. ``shift``: ``_method_shift``. None where an
    argument holding ``c`` is no argument the caller wrote (a default ``func`` forwards) or the
    signature or the shift cannot be read so."""
    params = _parameter_names(func)
    if params is None or shift is None or not set(names) <= set(params):
        return None
    given = [params[i] for i, a in enumerate(args[: len(params)]) if a is c] + [k for k, v in kwargs.items() if v is c]
    if len(args) > len(params) or any(k not in params for k in kwargs):
        return None
    at = []
    for name in given:
        if name in names:
            at.append(positional + names.index(name))
            continue
        i = params.index(name) - shift
        if not 0 <= i < positional:
            return None
        at.append(i)
    return at


@functools.lru_cache(256)
def _parameter_names(func: types.FunctionType) -> tuple[str, ...] | None:
    """The names of ``func``'s parameters in order; None where it takes ``*args`` or ``**kwargs``."""
    code = func.__code__
    if code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS):
        return None
    return code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]


@_per_code(1024)
def _number_operands(code: types.CodeType, lasti: int) -> tuple[Any, ...] | None:
    """Where the op at ``lasti`` of ``code`` received the numbers ``constant_number`` reads, read
    once per code position: ``("binary", right, left)``, the operand spans of a BINARY_OP or a
    COMPARE_OP (None
    for one that cannot push a constant, ``_span_form``); ``("call", callee, spans, names, may)``,
    a CALL's callee name, argument spans, keyword names, whether each span may push a constant and
    the name its callee is an attribute of (``_receiver``).
    None where no operand can be read or none may push a constant. A CALL of a torch function
    written in Python (``F.normalize``) runs a frame above this one: ``lasti`` may be on the
    CALL's inline caches (``_located_frame``); the callee's name is checked by the caller."""
    instructions, at = _located_frame(code, lasti)
    if at is None or instructions[at].is_jump_target:
        return None
    op = instructions[at]
    if op.opname in ("BINARY_OP", "COMPARE_OP"):  # ``union == 0``: a comparison's operands as an operator's
        right = _operand_start(instructions, at)
        if right is None:
            return None
        # (the left may start at a jump target, the first load after a branch: ``10.0 * torch.log10(r)`` after
        # ``if ..: r = .. else: r = ..``; the right starts at none, so the left is reached only from its own start)
        left = _operand_start(instructions, right, target_first=True)
        operands = [(first, stop) if first is not None and _span_form(code, first, stop) is not None else None
                    for first, stop in ((right, at), (left, right))]
        return ("binary", *operands) if operands != [None, None] else None
    found = _call_spans(code, at) if op.opname == "CALL" else None
    if found is None:
        return None
    spans, names = found
    may = tuple(_span_form(code, first, stop) is not None for first, stop in spans)
    return ("call", _callee(code, op.offset), spans, names, may, _receiver(code, op.offset)) if any(may) else None


def _constant_equal(f: types.FrameType, span: tuple[int, int], c: Any, body: Callable[[], BodyCall | None]) -> bool:
    value = _constant_of_call(f, span[0], span[1], body, own=None)
    return type(value) is type(c) and value == c


@_per_code(1024)
def _call_spans(code: types.CodeType, at: int) -> tuple[tuple[tuple[int, int], ...], tuple[str, ...]] | None:
    """(the argument spans of the CALL at index ``at`` of ``code``'s instructions, first to last;
    its keyword names): read once per call site."""
    instructions = _instructions(code)
    spans = _argument_spans(instructions, at)
    found = _keyword_names(instructions, at, code)
    if spans is None or found is None or len(found[0]) > len(spans):
        return None
    return tuple(spans[::-1]), found[0]


def _call_here(code: types.CodeType, lasti: int
               ) -> tuple[list[dis.Instruction], tuple[tuple[tuple[int, int], ...], tuple[str, ...]] | None]:
    """(``code``'s instructions, ``_call_spans`` of the CALL at byte offset ``lasti``; None where
    another op, or none found, is there)."""
    instructions, at = _located(code, lasti)
    return instructions, _call_spans(code, at) if at is not None and instructions[at].opname == "CALL" else None


def _keyword_names(instructions: list[dis.Instruction], at: int, code: types.CodeType) -> tuple[tuple[str, ...], int] | None:
    """(the keyword names of the CALL at ``at``, the index right before its PRECALL / KW_NAMES);
    None where the KW_NAMES constant is no tuple."""
    k, names = at - 1, ()
    if k >= 0 and instructions[k].opname == "PRECALL":
        k -= 1
    if k >= 0 and instructions[k].opname == "KW_NAMES":
        names = code.co_consts[instructions[k].arg or 0]
        if not isinstance(names, tuple):
            return None
        k -= 1
    return names, k


def _constant_of_call(f: types.FrameType, first: int, stop: int, body: Callable[[], BodyCall | None] | None,
                      own: FixedLists | None, depth: int = 0, seq: bool = False) -> Any:
    """The int or float the span ``first:stop`` of ``f``'s code pushes, where the code proves it a
    constant of the call: the same number on any group's images alone, whatever count it equals.
    Else ``_UNPROVEN``. The spans read so:

    - a literal;
    - a global no function or class of its module assigns, an attribute of ``self`` / ``cls`` no
      method but ``__init__`` (nor the code) assigns (``configured_value``);
    - a parameter never rebound (nor a closure's) holding its default the call did not pass
      (the decorated body's: as ``body`` tells; ``None``: not known) or what the calling code
      passes for it, read so in turn (``_parameter_value``);
    - a local whose every store is such a span, each equal to what it holds, or whose one store
      chooses between two of them on configuration (``_local_value``);
    - a field picked by constant keys from a parameter that a function up the stack built as a
      dict display of such spans; with ``own`` (the argument dicts' items recorded when the call
      began), also from the decorated call's own argument where it still holds them
      (``_constant_field``);
    - Python arithmetic of those (``+ - * / // % **``, unary ``-``), and the builtin ``float`` or
      ``int`` of one of them (``float(N_MAX * BATCH)``).

    With ``seq``, also a list or tuple of floats a parameter holds, read as a parameter is
    (``constant_list``).
    """
    form = _span_form(f.f_code, first, stop) if depth <= _FOLLOWED_CALLS else None
    if form is None:
        return _UNPROVEN
    kind, what = form
    value: Any = _UNPROVEN
    if kind == "literal":
        value = what
    elif kind == "global" or kind == "attr":
        value = configured_value(_Named(kind, what), f.f_globals, _locals(f), f.f_code)
    elif kind == "parameter":
        value = _parameter_value(f, what, body, own, depth, seq)
    elif kind == "local":
        value = _local_value(f, what, body, own, depth)
    elif kind == "negative":
        value = _constant_of_call(f, first, stop - 1, body, own, depth)
        value = _UNPROVEN if value is _UNPROVEN else -value
    elif kind == "arithmetic":
        value = _constant_arithmetic(f, first, stop, what, body, own, depth)
    elif kind == "cast":  # the builtin itself (a module may rebind the name)
        inner = _constant_of_call(f, first + 1, stop - 2, body, own, depth)
        cast = _CASTS[what]
        value = cast(inner) if inner is not _UNPROVEN and _global_item(f.f_globals, what) is cast else _UNPROVEN
    elif kind == "dim":
        value = _shared_size(f, *what)
    elif kind == "extreme":
        values = [_constant_of_call(f, a, b, body, own, depth) for a, b in what[1]]
        value = _UNPROVEN if any(v is _UNPROVEN for v in values) or _global_item(f.f_globals, what[0]) \
            is not _EXTREMES[what[0]] else _EXTREMES[what[0]](values)
    else:
        value = _constant_field(f, what[0], what[1], body, own, depth)
    # a list only as a parameter holds it, whose path to the call's constants is read with its items
    return value if type(value) in (int, float) or seq and kind == "parameter" and _float_sequence(value) else _UNPROVEN


def _owner_cell(code: types.CodeType, name: str) -> bool:
    """Whether ``self`` / ``cls`` is ``code``'s first parameter held in a cell because a function
    nested in it reads it (VectorQuantize's ``forward``: ``LOAD_DEREF self``), and neither that code
    nor code nested in it rebinds it (``nonlocal self``): the object the call was given."""
    return (bool(code.co_argcount) and code.co_varnames[0] == name and name in code.co_cellvars
            and f"LOCAL:{name}" not in _stored_names(code))


@_per_code(1024)
def _span_form(code: types.CodeType, first: int, stop: int) -> tuple[str, Any] | None:
    """Which form of ``_constant_of_call`` the span ``first:stop`` of ``code``'s instructions has,
    with what its instructions say of it, or None where it has none (it cannot push a constant of
    the call): read once per span, the values it loads read per call."""
    instructions = _instructions(code)
    span = instructions[first:stop]
    if stop <= first or any(i.is_jump_target for i in span[1:]):
        return None
    load, last = span[0], span[-1]
    if len(span) == 1 and load.opname == "LOAD_CONST":
        return ("literal", load.argval) if type(load.argval) in (int, float) else None
    if len(span) == 1 and load.opname == "LOAD_GLOBAL" and not (load.arg or 0) & 1:
        return "global", load.argval
    if len(span) == 1 and load.opname == "LOAD_FAST":
        return "parameter" if load.argval in _parameters(code) else "local", load.argval
    if len(span) == 2 and load.argval in _OWNERS and last.opname == "LOAD_ATTR" and (
            load.opname == "LOAD_FAST" or load.opname == "LOAD_DEREF" and _owner_cell(code, load.argval)):
        return "attr", (load.argval, last.argval)
    if last.opname == "UNARY_NEGATIVE":
        return ("negative", None) if _span_form(code, first, stop - 1) is not None else None
    if (load.opname == "LOAD_GLOBAL" and (load.arg or 0) & 1 and load.argval in _CASTS and len(span) >= 4
            and last.opname == "CALL" and last.arg == 1 and span[-2].opname == "PRECALL"
            and _span_form(code, first + 1, stop - 2) is not None):
        return "cast", load.argval  # ``float(N_MAX * BATCH)``: the builtin of one constant span
    if last.opname == "BINARY_OP" and last.argrepr in _CONSTANT_ARITHMETIC:
        right = _operand_start(instructions, stop - 1)
        if right is None or right <= first or _span_form(code, first, right) is None \
                or _span_form(code, right, stop - 1) is None:
            return None
        return "arithmetic", right
    if load.opname == "LOAD_GLOBAL" and (load.arg or 0) & 1 and load.argval in _EXTREMES and last.opname == "CALL" \
            and (last.arg or 0) >= 2:
        found = _call_spans(code, stop - 1)  # ``max(0, n - max_t + 1)``: the builtin of constant spans
        if found is None or found[1] or found[0][0][0] != first + 1 or any(
                _span_form(code, a, b) is None for a, b in found[0]):
            return None
        return "extreme", (load.argval, found[0])
    if len(span) >= 4 and last.opname == "BINARY_SUBSCR" and span[-2].opname == "LOAD_CONST" \
            and type(span[-2].argval) is int and span[-3].opname == "LOAD_ATTR" and span[-3].argval == "shape":
        # ``ANCHORS[level].shape[0]``, or ``a.shape[0]`` of a local ``a = ANCHORS[level]``
        table = _table_item(instructions, first, stop - 3)
        if table is None and stop - 3 == first + 1 and load.opname == "LOAD_FAST" and load.argval not in _parameters(code):
            tables = {_table_item(instructions, *store) if len(store) == 2 else None
                      for store in _local_stores(code, load.argval)}
            table = tables.pop() if len(tables) == 1 else None
            return None if table is None else ("dim", (span[-2].argval, table, load.argval))
        return None if table is None else ("dim", (span[-2].argval, table, None))
    pairs = span[1:]
    if load.opname == "LOAD_FAST" and len(span) >= 3 and len(span) % 2 == 1 and all(
            k.opname == "LOAD_CONST" and type(k.argval) in _CONSTANT_KEYS and s.opname == "BINARY_SUBSCR"
            for k, s in zip(pairs[0::2], pairs[1::2])):
        return "field", (load.argval, tuple(k.argval for k in pairs[0::2]))
    return None


def _table_item(instructions: list[dis.Instruction], first: int, stop: int) -> str | None:
    """The global ``G`` where the span ``first:stop`` is ``G[i]``, ``i`` any straight-line span."""
    if stop - first < 3 or instructions[stop - 1].opname != "BINARY_SUBSCR" or instructions[first].opname != "LOAD_GLOBAL" \
            or (instructions[first].arg or 0) & 1 or _operand_start(instructions, stop - 1) != first + 1:
        return None
    return instructions[first].argval


def _shared_size(f: types.FrameType, dim: int, table: str, local: str | None) -> Any:
    """The size of dim ``dim`` that every item of ``table``, a global tuple or list of tensors no
    code assigns, has (``ANCHORS[level].shape[0]``, YOLOv5's anchors per level: whichever item an
    index picks, on any group's run the same size); with ``local``, where that local holds one of
    the items (every store of it picks one). ``_UNPROVEN`` where the items' sizes differ."""
    items = configured_value(_Named("global", table), f.f_globals, _locals(f), f.f_code)
    if type(items) not in (tuple, list) or not items \
            or local is not None and not any(x is _locals(f).get(local) for x in items):
        return _UNPROVEN
    sizes = {x.shape[dim] if type(x) is torch.Tensor and -x.dim() <= dim < x.dim() else None for x in items}
    size = sizes.pop() if len(sizes) == 1 else None
    return size if type(size) is int else _UNPROVEN


# builtins of several numbers whose value ``_constant_of_call`` computes from constant arguments
_EXTREMES: dict[str, Any] = {"max": max, "min": min}
# builtins of one number whose value ``_constant_of_call`` computes from a constant argument
_CASTS: dict[str, Any] = {"float": float, "int": int}
# Python arithmetic of constant numbers ``_constant_arithmetic`` computes (3.11's BINARY_OP argrepr)
_CONSTANT_ARITHMETIC = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b,
                        "//": lambda a, b: a // b, "%": lambda a, b: a % b, "**": lambda a, b: a ** b}


def _constant_arithmetic(f: types.FrameType, first: int, stop: int, right: int,
                         body: Callable[[], BodyCall | None] | None, own: FixedLists | None, depth: int) -> Any:
    """The value of the binary operator ending the span ``first:stop`` of ``f``'s code (its right
    operand from ``right``), its two operands read by ``_constant_of_call``; ``_UNPROVEN`` where
    one is not, or where it cannot be computed (an exponent too large to try, a division by 0)."""
    instructions = _instructions(f.f_code)
    a = _constant_of_call(f, first, right, body, own, depth)
    b = _constant_of_call(f, right, stop - 1, body, own, depth) if a is not _UNPROVEN else _UNPROVEN
    op = instructions[stop - 1].argrepr
    if b is _UNPROVEN or op == "**" and abs(b) > 64:
        return _UNPROVEN
    try:
        return _CONSTANT_ARITHMETIC[op](a, b)
    except (ArithmeticError, ValueError):
        return _UNPROVEN


def looped(beyond_caller: bool = False, proven: bool = False) -> bool:
    """Whether the code the caller is executing runs, up to the decorated body, in a loop (a
    backward jump spans the instruction), a comprehension, or a function called other than by a
    Python call of it (``map``, ``multi_apply``: may be called per image). False where every frame
    from the caller to the decorated body is straight-line code called directly (a test there of
    one image's values picked it by position: ``if (e[0] > c).any():``). True where nothing can be
    told (an unchecked Python, a frame of another package in between). ``beyond_caller``: the
    caller's own loops do not count (a solver's iteration loop, ``outliving_effect``). ``proven``:
    False where nothing can be told (a loop must be seen: where being in one lets a rule follow)."""
    unknown = not proven
    f = _caller()
    lasti = _lasti(f) if f is not None else -1
    for k in range(_FOLLOWED_CALLS):
        if f is None:
            return unknown
        if f.f_code.co_name in _COMPREHENSIONS or _in_loop(f.f_code, lasti) and not (beyond_caller and k == 0):
            return True
        how, back = _called_by(f)
        if how == "body":
            return False
        if back is None:
            return unknown
        lasti = _lasti(back)
        instructions, at = _located_frame(back.f_code, lasti)
        if at is None or instructions[at].opname != "CALL":
            return unknown
        called = _called_function(back, instructions, at)
        if called is None or called[0].__code__ is not f.f_code:
            return unknown  # through another callable: it may call ``f`` once per image
        f = back
    return unknown


@_per_code(256)
def _literal_locals(code: types.CodeType) -> dict[str, Any]:
    """The locals of ``code`` whose every store is one and the same number literal (``d = 6``,
    ``_local_stores``), each with it (review13)."""
    instructions, found = _instructions(code), {}
    for name in code.co_varnames:
        stores = _local_stores(code, name)
        loads = [instructions[s[0]] for s in stores if len(s) == 2 and s[1] - s[0] == 1]
        if stores and len(loads) == len(stores) and all(i.opname == "LOAD_CONST" for i in loads) \
                and len({(type(i.argval), i.argval) for i in loads}) == 1 and type(loads[0].argval) in (int, float):
            found[name] = loads[0].argval
    return found


_FOLLOWED_CALLS = 8  # helpers followed up from the op before giving up


def key_read() -> bool:
    """Whether the caller's code runs as the function a CALL passing ``key=`` calls through its
    callee (``sorted(.., key=lambda p: p[0].item())``, ``l.sort(key=..)``, ``min(.., key=..)``):
    a number read there orders values of several images, a decision across them. False where
    that CALL calls the function itself, or nothing can be told (Python 3.11)."""
    f = _caller()
    back = f.f_back if f is not None else None
    if f is None or back is None or _package(back) in _INTERNAL or not back.f_code.co_flags & 1:
        return False
    instructions, at = _located_frame(back.f_code, _lasti(back))
    if at is not None and instructions[at].opname == "PRECALL" and at + 1 < len(instructions):
        at += 1  # a builtin's specialised PRECALL makes the call itself
    if at is None or at < 2 or instructions[at].opname != "CALL" or instructions[at - 2].opname != "KW_NAMES":
        return False
    names = back.f_code.co_consts[instructions[at - 2].arg or 0]
    if not isinstance(names, tuple) or "key" not in names:
        return False
    called = _called_function(back, instructions, at)
    return called is None or called[0].__code__ is not f.f_code


def _called_by(f: types.FrameType) -> tuple[str, types.FrameType | None]:
    """Who called ``f``: ``("body", wrapper's frame)`` where ``f`` is the decorated body, called
    by the wrapper; ``("code", frame)`` a function's code outside losssplit and torch; ``("other",
    None)`` anything else (no frame, a package's or a module's code)."""
    back = f.f_back
    if back is None:
        return "other", None
    package = _package(back)
    if package == "losssplit":
        return "body", back
    if package in _INTERNAL or not back.f_code.co_flags & 1:  # 1: CO_OPTIMIZED (a function's code)
        return "other", None
    return "code", back


def _parameter_value(f: types.FrameType, name: str, body: Callable[[], BodyCall | None] | None, own: FixedLists | None,
                     depth: int, seq: bool = False) -> Any:
    """The number ``f``'s parameter ``name`` holds where it is a constant of the call (see
    ``_constant_of_call``): never rebound in its code (or only in a branch the call rules out,
    ``_rebound_only_where_ruled_out``) and no closure's, it holds its default the call did not
    override, or what the calling code's argument for it pushes, read so in turn."""
    code, held = f.f_code, _locals(f).get(name, _UNPROVEN)
    if type(held) not in (int, float) and not (seq and _float_sequence(held) and not _items_written(code, name)) \
            or not (_plain_parameter(code, name) or name in code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
                    and _rebound_only_where_ruled_out(f, name, body)):
        return _UNPROVEN
    how, back = _called_by(f)
    if how == "body":
        call = body() if body is not None else None
        unpassed = (call is not None and back is not None and call.caller == id(back) and call.code is code
                    and call.unpassed.get(name, _UNPROVEN) is held)
        return held if unpassed else _UNPROVEN
    found = _argument_for(f, back, name)
    if found is None:
        return _partial_keyword(f, back, name, held, body, own, depth, seq)
    if isinstance(found, types.FunctionType):  # not passed: the default, made when the function was defined
        default = ("<locals>" not in found.__qualname__ or _literal_default(back, found, name)) \
            and _defaults(found).get(name, _UNPROVEN) is held
        # unless code may set it anew (``fn.__defaults__ = (len(targets),)``): then it may be the batch's
        if not default or back is not None and any(
                _names_defaults(c) for c in (back.f_code, *_module_codes(found.__globals__))):
            return _UNPROVEN
        return held
    assert back is not None
    value = _constant_of_call(back, *found, body, own, depth + 1, seq)
    return held if type(value) is type(held) and value == held else _UNPROVEN


@_per_code(1024)
def _names_defaults(code: types.CodeType) -> bool:
    """Whether ``code`` or code nested in it may set a function's defaults (``fn.__defaults__ =
    ..``, ``fn.__kwdefaults__["k"] = ..``, ``setattr(fn, "__defaults__", ..)``): all but a read of
    one item (``fn.__defaults__[0]``)."""
    names = ("__defaults__", "__kwdefaults__")
    if any(n in names for n in code.co_consts if type(n) is str):
        return True
    if any(n in names for n in code.co_names):
        ins = _instructions(code)
        if any(i.argval in names and (i.opname != "LOAD_ATTR" or k + 2 >= len(ins) or ins[k + 1].opname != "LOAD_CONST"
                                      or ins[k + 2].opname != "BINARY_SUBSCR")
               for k, i in enumerate(ins) if i.opname in ("LOAD_ATTR", "STORE_ATTR", "DELETE_ATTR", "LOAD_METHOD")):
            return True
    return any(_names_defaults(c) for c in code.co_consts if isinstance(c, types.CodeType))


def _partial_keyword(f: types.FrameType, back: types.FrameType | None, name: str, held: Any,
                     body: Callable[[], BodyCall | None] | None, own: FixedLists | None, depth: int,
                     seq: bool = False) -> Any:
    """``held`` where ``back`` called ``f``'s function through a ``functools.partial`` that binds
    ``f``'s parameter ``name`` as a keyword the call does not pass again (``metric_fn(*stats)``
    with ``metric_fn = partial(_dice, eps=eps)``), and the partial's keyword is a constant of the
    call: the partial a configured attribute (``self.loss_fn``, made before the call), or made by
    ``partial(.., name=<span>)`` in a frame up the stack whose span is a constant of the call
    (``_partial_origin``). ``_UNPROVEN`` else."""
    if seq and type(held) is list and back is not None \
            and (_items_written_in(back.f_code)[0] or "keywords" in _attributes_read(back.f_code)):
        return _UNPROVEN  # the code calling the partial may change its list in place
    origin = _partial_binding(f, back, name, held, depth)
    if origin == "configured":
        return held
    if not isinstance(origin, tuple):
        return _UNPROVEN
    g, first, stop = origin
    value = _constant_of_call(g, first, stop, body, own, depth + 1, seq)
    return held if type(value) is type(held) and value == held else _UNPROVEN


def _partial_binding(f: types.FrameType, back: types.FrameType | None, name: str, held: Any, depth: int
                     ) -> str | tuple[types.FrameType, int, int] | None:
    """Where the ``functools.partial`` through which ``back`` called ``f``'s function bound ``f``'s
    parameter ``name`` to ``held`` as a keyword the call does not pass again: ``"configured"`` (an
    attribute made before the call), or (the frame, the span of the keyword's argument in its
    ``partial(..)`` call: ``_partial_origin``); None where not so."""
    if back is None or depth > _FOLLOWED_CALLS:
        return None
    instructions, at = _located_frame(back.f_code, _lasti(back))
    if at is None or instructions[at].is_jump_target:
        return None
    call = instructions[at]
    if call.opname == "CALL":
        found = _call_spans(back.f_code, at)
        if found is None or name in found[1]:
            return None  # passed again by keyword: the call's own argument
        start: int | None = found[0][0][0] if found[0] else _arguments_end(instructions, at)
    elif call.opname == "CALL_FUNCTION_EX" and not (call.arg or 0) & 1:  # ``fn(*args)``, no keywords
        start = _operand_start(instructions, at)
    else:
        return None
    callee = _callee_span(instructions, start) if start is not None else None
    if callee is None:
        return None
    fn = _pushed_object(back, *callee)
    if not isinstance(fn, functools.partial) or getattr(fn.func, "__code__", None) is not f.f_code \
            or fn.keywords.get(name, _UNPROVEN) is not held:
        return None
    origin = _partial_origin(back, *callee, fn, depth)
    if origin == "configured":
        return origin
    if not isinstance(origin, tuple) or name not in origin[2]:
        return None
    g, spans, names = origin
    first, stop = spans[len(spans) - len(names) + names.index(name)]
    return g, first, stop


def _float_sequence(value: Any) -> bool:
    """Whether ``value`` is a list or tuple of 1 to 64 floats (class weights)."""
    return type(value) in (list, tuple) and 0 < len(value) <= 64 and all(type(v) is float for v in value)


@_per_code(256)
def _items_written_in(code: types.CodeType) -> tuple[bool, frozenset[str]]:
    """(whether ``code`` sets or deletes an item of anything, the locals it reads an attribute or
    method of or stores under another name): what may change a list it holds in place."""
    instructions = _instructions(code)
    touched = frozenset(i.argval for i, nxt in zip(instructions, instructions[1:])
                        if i.opname == "LOAD_FAST" and (nxt.opname in ("LOAD_ATTR", "LOAD_METHOD")
                                                        or nxt.opname.startswith("STORE_")))
    return _changes_items(code), touched


@_per_code(256)
def _attributes_read(code: types.CodeType) -> frozenset[str]:
    """The attribute and method names ``code`` reads (``fn.keywords``)."""
    return frozenset(i.argval for i in _instructions(code) if i.opname in ("LOAD_ATTR", "LOAD_METHOD"))


def _items_written(code: types.CodeType, name: str) -> bool:
    """Whether ``code`` may change the list its local ``name`` holds in place: it sets an item of
    anything, reads an attribute or a method of ``name`` (``append``, ``sort``), or stores it
    under another name (whose methods it may call)."""
    writes, touched = _items_written_in(code)
    return writes or name in touched


def constant_list(c: Any, func: Any, args: tuple, kwargs: dict, body: Callable[[], BodyCall | None]) -> bool:
    """Whether the list or tuple of floats ``c`` that the op ``func(*args, **kwargs)`` (a builtin
    such as ``torch.tensor``) received is, in the caller's code, a parameter never rebound nor
    changed in place there whose value is a constant of the call as ``_parameter_value`` reads
    it: passed down from a ``functools.partial`` keyword of a configured attribute (catalyst's
    ``IoULoss(mode="weighted", weights=[..])``), a default, or a parameter so read in turn, each
    function on the way changing no item; or a display of such constants (``[kl_min]``). False for
    anything else (a list the code builds otherwise)."""
    if not _float_sequence(c) or _VERSION not in _FLOOR_CHECKED:
        return False
    f = _caller()
    if f is None or type(func) is types.FunctionType or kwargs:
        return False
    read = _number_operands(f.f_code, _lasti(f))
    if read is None:  # no span that may push a number: a display of them (``[kl_min]``)?
        instructions, at = _located_frame(f.f_code, _lasti(f))
        found = _call_spans(f.f_code, at) if at is not None and instructions[at].opname == "CALL" else None
        if found is None or found[1] or len(found[0]) != 1 or len(args) != 1 or args[0] is not c \
                or _callee(f.f_code, instructions[at].offset) != getattr(func, "__name__", None):  # type: ignore[index]
            return False
        return _constant_display(f, *found[0][0], c, body)
    if read[0] == "binary":
        return False
    callee, spans, names, may, _ = read[1:]
    shift = len(args) - (len(spans) - len(names))
    if callee != getattr(func, "__name__", None) or names or shift != 0 or not args or args[0] is not c \
            or any(a is c for a in args[1:]):
        return False
    value = _constant_of_call(f, spans[0][0], spans[0][1], body, own=None, seq=True)
    return may[0] and value is c


def _constant_display(f: types.FrameType, first: int, stop: int, c: Any, body: Callable[[], BodyCall | None]) -> bool:
    """Whether the span ``first:stop`` of ``f``'s code is a list or tuple display each of whose
    items is a constant of the call (``_constant_of_call``) equal to ``c``'s item there, type
    included (``torch.tensor([kl_min])`` of a parameter holding its default), or a literal tuple."""
    instructions = _instructions(f.f_code)
    last = instructions[stop - 1]
    if stop - first == 1 and last.opname == "LOAD_CONST" and type(last.argval) is tuple:  # ``(0.3,)``: a literal
        return len(last.argval) == len(c) and all(type(v) is type(x) and v == x for v, x in zip(last.argval, c))
    if last.opname not in ("BUILD_LIST", "BUILD_TUPLE") or last.arg != len(c) or not c:
        return False
    end, values = stop - 1, []
    for _ in range(len(c)):
        start = _operand_start(instructions, end)
        if start is None or start < first:
            return False
        values.append(_constant_of_call(f, start, end, body, own=None))
        end = start
    return end == first and all(type(v) is type(x) and v == x for v, x in zip(reversed(values), c, strict=True))


def _callee_span(instructions: list[dis.Instruction], start: int) -> tuple[int, int] | None:
    """The span of the callee loaded right before index ``start`` (a call's first argument): a
    local after PUSH_NULL, or ``self.attr`` / ``cls.attr`` loaded as a method or attribute."""
    k = start - 1
    if k < 1 or any(i.is_jump_target for i in instructions[k: start + 1]):
        return None
    load = instructions[k]
    if load.opname == "LOAD_FAST" and instructions[k - 1].opname == "PUSH_NULL":
        return k, k + 1
    owner = instructions[k - 1]
    if load.opname in ("LOAD_METHOD", "LOAD_ATTR") and owner.opname == "LOAD_FAST" and owner.argval in _OWNERS \
            and not owner.is_jump_target:
        return k - 1, k + 1
    return None


def _pushed_object(g: types.FrameType, first: int, stop: int) -> Any:
    """The object the span (a local, or an attribute of ``self`` / ``cls`` that no code but
    ``__init__`` writes: ``configured_value``) of ``g``'s code pushes; ``_UNPROVEN`` else."""
    instructions = _instructions(g.f_code)
    load = instructions[first]
    if stop - first == 1 and load.opname == "LOAD_FAST":
        return _locals(g).get(load.argval, _UNPROVEN)
    if stop - first == 2 and load.opname == "LOAD_FAST" and load.argval in _OWNERS:
        return configured_value(_Named("attr", (load.argval, instructions[first + 1].argval)), g.f_globals, _locals(g),
                                g.f_code)
    return _UNPROVEN


def _bound_arguments(f: types.FrameType) -> tuple[types.FrameType, tuple[tuple[int, int], ...]] | None:
    """(the frame, the spans of the arguments) of the ``functools.partial(..)`` call that made the
    partial the CALL ``f``'s code is executing calls, where that partial binds a function not
    written in Python (a torch op: its arguments reach the op from there, ``_partial_origin``); a
    Python function's are read where it runs (``_partial_binding``). None else."""
    callee = _partial_callee(f.f_code, _lasti(f))
    fn = _pushed_object(f, *callee) if callee is not None else None
    if not isinstance(fn, functools.partial) or hasattr(fn.func, "__code__") or callee is None:
        return None
    origin = _partial_origin(f, *callee, fn, 0)
    return (origin[0], origin[1][1:]) if isinstance(origin, tuple) else None


@_per_code(1024)
def _partial_callee(code: types.CodeType, lasti: int) -> tuple[int, int] | None:
    """The span of the callee of the CALL at ``lasti`` where it is a local stored once by a call of
    ``partial`` (``functools.partial(..)``, ``partial(..)``), read from the code alone; else None."""
    instructions, at = _located_frame(code, lasti)
    found = _call_spans(code, at) if at is not None and instructions[at].opname == "CALL" else None
    if found is None or at is None:
        return None
    start = found[0][0][0] if found[0] else _arguments_end(instructions, at)
    callee = _callee_span(instructions, start) if start is not None else None
    if callee is None or callee[1] - callee[0] != 1:
        return None
    stores = _stores(instructions, instructions[callee[0]].argval)
    made = _call_spans(code, stores[0] - 1) if len(stores) == 1 and instructions[stores[0] - 1].opname == "CALL" else None
    k = made[0][0][0] - 1 if made and made[0] else -1
    return callee if k >= 0 and instructions[k].argval == "partial" else None


def _partial_origin(g: types.FrameType, first: int, stop: int, fn: functools.partial, depth: int
                    ) -> str | tuple[types.FrameType, tuple[tuple[int, int], ...], tuple[str, ...]] | None:
    """Where the partial ``fn`` that the span of ``g``'s code pushes was made: ``"configured"``
    for an attribute (made before the call), or (the frame, the argument spans, the keyword
    names) of the one ``partial(..)`` call stored into the local the span loads, followed through
    parameters to the code that passes them; None where not found so."""
    if depth > _FOLLOWED_CALLS or _pushed_object(g, first, stop) is not fn:
        return None
    instructions = _instructions(g.f_code)
    load = instructions[first]
    if stop - first == 2:
        return "configured"
    name = load.argval
    if name in g.f_code.co_cellvars or name in g.f_code.co_freevars:
        return None
    if name in _parameters(g.f_code):
        how, back = _called_by(g)
        passed = _argument_for(g, back, name) if how == "code" and _plain_parameter(g.f_code, name) else None
        if not isinstance(passed, tuple) or back is None:
            return None
        return _partial_origin(back, passed[0], passed[1], fn, depth + 1)
    stores = _stores(instructions, name)
    if len(stores) != 1 or instructions[stores[0]].opname != "STORE_FAST" or stores[0] < 1:
        return None
    at = stores[0] - 1
    if instructions[at].opname != "CALL" or any(i.is_jump_target for i in instructions[at: stores[0] + 1]):
        return None
    spans = _call_spans(g.f_code, at)
    if spans is None or not spans[0]:
        return None
    k = spans[0][0][0] - 1
    callee = instructions[k] if k >= 0 else None
    if callee is not None and callee.opname == "LOAD_ATTR" and callee.argval == "partial" and k >= 1 \
            and not callee.is_jump_target:  # ``functools.partial(..)``
        k, callee = k - 1, instructions[k - 1]
        made = getattr(g.f_globals.get(callee.argval), "partial", None) if callee.opname == "LOAD_GLOBAL" else None
    else:
        made = g.f_globals.get(callee.argval) if callee is not None and callee.opname == "LOAD_GLOBAL" else None
    if callee is None or not (callee.arg or 0) & 1 or made is not functools.partial:
        return None
    return g, spans[0], spans[1]


def _plain_parameter(code: types.CodeType, name: str) -> bool:
    """Whether ``name`` is a parameter of ``code`` its code never rebinds, nor a closure holding it
    (``[i / bins for i in range(bins)]`` makes ``bins`` a cell; ``nonlocal bins`` may store it)."""
    return (name in code.co_varnames[: code.co_argcount + code.co_kwonlyargcount] and name not in _rebound(code)
            and (name not in code.co_cellvars or _held_parameter(code, name)))


_NONE_JUMPS = {"POP_JUMP_FORWARD_IF_NONE": True, "POP_JUMP_FORWARD_IF_NOT_NONE": False,
               "POP_JUMP_IF_NONE": True, "POP_JUMP_IF_NOT_NONE": False}  # jumps where the value is None
_NO_FALL_THROUGH = frozenset({"JUMP_FORWARD", "JUMP_BACKWARD", "RETURN_VALUE", "RAISE_VARARGS", "RERAISE"})


def _rebound_only_where_ruled_out(f: types.FrameType, name: str, body: Callable[[], BodyCall | None] | None) -> bool:
    """Whether every store of ``f``'s parameter ``name`` lies in a branch of a test that this call
    does not take, the test in no loop and the branch entered only through the test's own jump or
    fall-through: ``p is None`` / ``p is not None`` of ``p`` a parameter of ``f`` the call did not
    pass (its default None) or passed as a literal None, never stored before the test (POT's ``if
    projections is None: .. else: n_projections = projections.shape[1]``); ``isinstance(p, C)``
    (``not`` too) of ``p`` ``name`` itself or a parameter never rebound, ``C`` globals' classes
    (kornia 0.9.2's PSNR: ``if isinstance(max_val, torch.Tensor): max_val = max_val.to(..)`` on a
    float). The store then never runs: ``name`` holds what the call passed, as a parameter never
    rebound does (``_parameter_value`` checks that the value it proves is the one ``name`` holds
    now, of its type: the one the tests of ``name`` itself were read on). False where anything else
    may store it."""
    code = f.f_code
    if name in code.co_cellvars or name in code.co_freevars:
        return False
    instructions = _instructions(code)
    stores = _stores(instructions, name)
    return bool(stores) and all(_ruled_out_store(f, instructions, k, name, body) for k in stores)


_TEST_JUMPS = {"POP_JUMP_FORWARD_IF_FALSE": False, "POP_JUMP_FORWARD_IF_TRUE": True,
               "POP_JUMP_IF_FALSE": False, "POP_JUMP_IF_TRUE": True}  # jumps where the test is true


def _ruled_out_store(f: types.FrameType, instructions: list[dis.Instruction], store: int, name: str,
                     body: Callable[[], BodyCall | None] | None) -> bool:
    """Whether the store at index ``store`` is in a branch the call does not take
    (``_rebound_only_where_ruled_out``)."""
    loops = _loops(instructions)
    for k in range(store - 1, 0, -1):
        jump, load = instructions[k], instructions[k - 1]
        if not isinstance(jump.argval, int) or jump.argval <= jump.offset:
            continue
        jumps_if_none = _NONE_JUMPS.get(jump.opname)
        if jumps_if_none is not None and load.opname == "LOAD_FAST":
            taken, test = jumps_if_none, k - 1  # (where ``p`` is None: ``_held_none`` below)
        elif (on_true := _TEST_JUMPS.get(jump.opname)) is not None \
                and (held := _instance_test(f, instructions, k, name)) is not None:
            taken, test = held[0] == on_true, held[1]
        else:
            continue
        target = _positions(f.f_code).get(jump.argval)
        if target is None:
            return False
        # the branch not taken: up to the jump's target where the jump is taken, else past it
        first, last = (k + 1, target) if taken else (target, len(instructions))
        if not first <= store < last:
            continue
        if not taken and instructions[target - 1].opname not in _NO_FALL_THROUGH:
            return False  # the branch taken falls into the other one
        return _entered_only_by(instructions, k, first, store) and not any(a <= test < b for a, b in loops) \
            and (jumps_if_none is None or _held_none(f, instructions, load.argval, k - 1, body))
    return False


def _instance_test(f: types.FrameType, instructions: list[dis.Instruction], jump: int, name: str
                   ) -> tuple[bool, int] | None:
    """(whether ``isinstance(p, C)`` is true on this call, the index of its first instruction)
    where the conditional ``jump`` follows that test in straight-line code: the builtin
    ``isinstance``, ``p`` ``name`` (``_rebound_only_where_ruled_out``: the value it holds now) or a
    parameter of ``f`` never rebound, ``C`` a class (or a tuple display of classes) loaded from a
    global, attributes of one (``torch.Tensor``). None for any other test."""
    call = jump - 1
    if call < 1 or instructions[call].opname != "CALL" or instructions[call].arg != 2:
        return None
    spans = _argument_spans(instructions, call)
    if spans is None or len(spans) != 2:
        return None
    (kinds, end), (start, _) = spans  # (last first)
    callee = instructions[start - 1] if start else None
    if callee is None or callee.opname != "LOAD_GLOBAL" or callee.argval != "isinstance" \
            or _global_item(f.f_globals, "isinstance") is not isinstance \
            or any(i.is_jump_target for i in instructions[start:jump + 1]):
        return None
    held = instructions[start]
    code = f.f_code
    if kinds != start + 1 or held.opname != "LOAD_FAST" or held.argval != name and not _plain_parameter(code, held.argval):
        return None
    classes = []
    k = kinds
    while k < end and instructions[k].opname == "LOAD_GLOBAL":
        value = _global_item(f.f_globals, instructions[k].argval)
        k += 1
        while k < end and instructions[k].opname == "LOAD_ATTR":
            value = getattr(value, instructions[k].argval, _MISSING)
            k += 1
        classes.append(value)
    displayed = k == end - 1 and instructions[k].opname == "BUILD_TUPLE" and instructions[k].arg == len(classes)
    value = _locals(f).get(held.argval, _MISSING)
    if not (k == end and len(classes) == 1 or displayed) or not all(isinstance(c, type) for c in classes) \
            or value is _MISSING:
        return None
    return isinstance(value, tuple(classes)), start - 1


def _entered_only_by(instructions: list[dis.Instruction], jump: int, first: int, store: int) -> bool:
    """Whether the instructions ``first`` to ``store`` are reached only from the test's ``jump``
    (its target or its fall-through): every jump target among them a target of jumps from among
    them alone (an exception handler's, no jump shows: declined)."""
    sources: dict[int, list[int]] = {}
    for k, i in enumerate(instructions):
        if i.opcode in _JUMPS and isinstance(i.argval, int):
            sources.setdefault(i.argval, []).append(k)
    for k in range(first, store + 1):
        i = instructions[k]
        if not i.is_jump_target:
            continue
        came = sources.get(i.offset, [])
        if not came or any(not (first <= s <= store) and not (s == jump and k == first) for s in came):
            return False
    return True


def _held_none(f: types.FrameType, instructions: list[dis.Instruction], p: str, at: int,
               body: Callable[[], BodyCall | None] | None) -> bool:
    """Whether ``f``'s parameter ``p`` holds None where it is loaded at ``at``: no store of it
    before, and the call passed a literal None for it or did not pass it, its default None."""
    code = f.f_code
    if p not in _parameters(code) or p in code.co_cellvars or any(k < at for k in _stores(instructions, p)):
        return False
    how, back = _called_by(f)
    if how == "body":
        call = body() if body is not None else None
        return (call is not None and back is not None and call.caller == id(back) and call.code is code
                and p in call.unpassed and call.unpassed[p] is None)
    found = _argument_for(f, back, p)
    if isinstance(found, types.FunctionType):
        return _defaults(found).get(p, _UNPROVEN) is None and back is not None and not any(
            _names_defaults(c) for c in (back.f_code, *_module_codes(found.__globals__)))
    if found is None or back is None:
        return False
    passed = _instructions(back.f_code)[found[0]:found[1]]
    return len(passed) == 1 and passed[0].opname == "LOAD_CONST" and passed[0].argval is None


def _argument_for(f: types.FrameType, back: types.FrameType | None, name: str
                  ) -> tuple[int, int] | types.FunctionType | None:
    """Where ``back``, the code that called ``f`` (``_called_by``), passes ``f``'s parameter
    ``name``: the span of its argument in ``back``'s code, or the function called where the call
    did not pass it (its default then); None where the call cannot be read (not a CALL of ``f``'s
    function found without running code, a jump into it)."""
    if back is None:
        return None
    code = f.f_code
    instructions, at = _located_frame(back.f_code, _lasti(back))
    if at is None or instructions[at].opname != "CALL" or instructions[at].is_jump_target:
        return None
    found = _call_spans(back.f_code, at)
    called = _called_function(back, instructions, at)
    if found is None or called is None or called[0].__code__ is not code:
        return None
    fn, shift = called
    spans, names = found
    positional = len(spans) - len(names)
    if name in names:
        return spans[positional + names.index(name)]
    p = code.co_varnames.index(name)
    if p < shift:
        return None
    if p < code.co_argcount and p - shift < positional:
        return spans[p - shift]
    return fn


def _counted_parameter(f: types.FrameType, name: str, numbers: tuple[type, ...], depth: int = 0,
                       positions: bool = True) -> bool:
    """Whether ``f``'s parameter ``name`` holds a plain number its caller computed from the batch
    (``helper(e, T=len(targets))``, ``helper(e, n)`` with ``n = len(targets) * 2``; see
    ``counted_number``), followed up the helpers' calls to the decorated body, whose own
    parameters are the call's arguments (no count of the group). False where nothing can be told
    (a parameter rebound in its code, a call that cannot be read), as ``counted_number``. Without
    ``positions``, a position of a loop over the batch is none (see ``_BatchReader.number``)."""
    code = f.f_code
    if type(_locals(f).get(name)) not in numbers or depth > _FOLLOWED_CALLS or not _plain_parameter(code, name):
        return False
    how, back = _called_by(f)
    found = _argument_for(f, back, name) if how == "code" else None
    if how == "code" and back is not None and found is None:
        bound = _partial_binding(f, back, name, _locals(f).get(name), depth)
        if bound is not None:  # ``metric_fn(*stats)`` of ``metric_fn = partial(_trevsky, beta=beta)``
            return isinstance(bound, tuple) and _counted_span(*bound, numbers, depth + 1, positions)
        # a call not read (``functools.partial(helper, T=len(t) + 1)(e)``, ``helper(e, **kw)``): counted
        # where the calling code computes any number from the batch (red team, session 16: were read
        # as constants), or where an argument the parameter may be bound to is counted
        reader = _batch_reader(back.f_code)
        return reader.number(0, len(reader.instructions), frozenset(), added_up=False, positions=positions) or any(
            _counted_span(back, *span, numbers, depth + 1, positions) for span in _unread_argument_spans(f, back, name))
    if _made_in_call(found):
        return _counted_defaults(back, found.__code__, numbers, depth)  # ``lambda e, T=len(t) + 1: ...``
    if found is None or isinstance(found, types.FunctionType):  # not read, or not passed (its default)
        return False
    assert back is not None
    return _counted_span(back, *found, numbers, depth + 1, positions)


def _unread_argument_spans(f: types.FrameType, back: types.FrameType, name: str) -> tuple[tuple[int, int], ...]:
    """The spans of ``back``'s CALL (the one running ``f``) that may hold ``f``'s parameter ``name``
    where the callee is not found without running code (``self.prop.power(e, n - 2)`` of a
    property, ``self.inner.ops.power(...)``, ``self.partial_prop(e, n - 1)``): the keyword argument of
    that name, else the positional ones at its position or before it (a ``self`` or a partial's
    arguments bound first); the whole unpacked arguments of a CALL_FUNCTION_EX (``power(*(e, n - 1))``)."""
    instructions, at = _located_frame(back.f_code, _lasti(back))
    if at is not None and instructions[at].opname == "CALL_FUNCTION_EX":  # ``power(*(e, n - 1))``: every argument
        start = _operand_start(instructions, at)
        if start is not None and (instructions[at].arg or 0) & 1:
            start = _operand_start(instructions, start)
        # not where it passes on the caller's own ``*args`` / ``**kwargs`` (POT's ``sinkhorn_knopp(a, b, M, reg,
        # **kwargs)``): every other argument is then read as one the count may reach (survey 33 declined)
        code = back.f_code
        extra = code.co_varnames[code.co_argcount + code.co_kwonlyargcount:][
            :bool(code.co_flags & inspect.CO_VARARGS) + bool(code.co_flags & inspect.CO_VARKEYWORDS)]
        if start is None or any(i.opname == "LOAD_FAST" and i.argval in extra for i in instructions[start:at]):
            return ()
        return ((start, at),)
    found = _call_spans(back.f_code, at) if at is not None and instructions[at].opname == "CALL" else None
    if found is None:
        return ()
    spans, names = found
    positional = len(spans) - len(names)
    if name in names:
        return (spans[positional + names.index(name)],)
    code = f.f_code
    p = code.co_varnames.index(name)
    if p >= code.co_argcount:
        return ()
    # a bound ``self``, or a ``functools.partial`` (a property may return one) binding leading
    # arguments, shifts the call's own: one before the parameter's position where its first parameter
    # may hold a ``self``, any plain number before it else (``self.partial_prop(e, n - 1)``)
    bound = code.co_argcount and _binds_itself(_locals(f).get(code.co_varnames[0], _UNPROVEN), code)
    held, globals_ = _locals(back), back.f_globals
    return tuple(spans[p - s] for s in range(p + 1) if p - s < positional and (
        s == 0 or s == 1 and bound or _plain_number(instructions, *spans[p - s], held, (int, float), globals_)))


def _binds_itself(first: Any, code: types.CodeType) -> bool:
    """Whether ``first`` may be the object a method of ``code`` was bound to: its class (or itself,
    a class) holds a function or class method of that code (read from the classes' dicts, running
    no descriptor)."""
    for k in (first.__mro__ if isinstance(first, type) else ()) + type(first).__mro__:
        for v in vars(k).values():
            v = v.__func__ if isinstance(v, classmethod) else v
            if isinstance(v, types.FunctionType) and v.__code__ is code:
                return True
    return False


def _counted_defaults(f: types.FrameType | None, code: types.CodeType, numbers: tuple[type, ...], depth: int) -> bool:
    """Whether a function of ``code``, made during the call (its qualified name has ``<locals>``),
    got defaults computed from the batch: where ``f`` or a frame up to the decorated body makes it
    (``MAKE_FUNCTION`` right after loading ``code``), whether the spans of its defaults compute such
    a number (``_counted_span``: ``lambda e, T=len(targets) + 1: ...``; ``fft_size=fft_size`` of a
    loop over a parameter's tuple is none). True where no such frame is found (nothing can be told
    of where the defaults came from, and the call made them)."""
    made = _made_defaults(f, code)
    return made is None or made[1] is None or _counted_span(made[0], made[1], made[2], numbers, depth + 1)


def _made_defaults(f: types.FrameType | None, code: types.CodeType, positional: bool = False
                   ) -> tuple[types.FrameType, int | None, int] | None:
    """(the frame, start, end) of the span that computes the defaults (kwdefaults, annotations and
    closure too) of a function of ``code`` where ``f`` or a frame up to the decorated body makes it
    (``MAKE_FUNCTION`` right after loading ``code``); start None where that span cannot be read;
    None where no such frame is found. With ``positional``, the span of the positional defaults
    only (start None where it has none)."""
    for _ in range(_FOLLOWED_CALLS):
        if f is None or _package(f) == "losssplit":
            return None
        instructions = _instructions(f.f_code)
        for k, i in enumerate(instructions[:-1]):
            after = instructions[k + 1]
            if i.opname != "LOAD_CONST" or i.argval is not code or after.opname != "MAKE_FUNCTION":
                continue
            flags = (after.arg or 0) & 0x0F  # defaults, kwdefaults, annotations, closure: pushed in that order
            starts: list[int | None] = [k]
            for _ in range(bin(flags).count("1")):
                starts.append(_operand_start(instructions, starts[-1]) if starts[-1] is not None else None)
            if not positional:
                return f, starts[-1], k
            end = starts[-2] if flags & 1 else None  # (no defaults: ``starts`` is ``[k]``)
            return (f, starts[-1], end) if end is not None else (f, None, k)
        f = f.f_back
    return None


def _literal_default(back: types.FrameType | None, found: types.FunctionType, name: str) -> bool:
    """Whether the function ``found``, made during the call, got its positional defaults, ``name``'s
    among them, as one literal tuple where it was made (``def norm(x, w=4)``): a constant of the
    code, whatever count it equals."""
    made = _made_defaults(back, found.__code__, positional=True)
    if made is None or made[1] is None or made[2] - made[1] != 1:
        return False
    load = _instructions(made[0].f_code)[made[1]]
    params = found.__code__.co_varnames[: found.__code__.co_argcount]
    return (load.opname == "LOAD_CONST" and type(load.argval) is tuple and name in params
            and params.index(name) >= len(params) - len(load.argval))


def _counted_span(f: types.FrameType, start: int, end: int, numbers: tuple[type, ...], depth: int,
                  positions: bool = True, added_up: bool = False, own: frozenset[tuple[Any, int]] = frozenset()) -> bool:
    """Whether the span ``start:end`` of ``f``'s code computes a number from the batch, there
    (``_BatchReader.number``; not a running count, which may add up reads of each image's values
    the capture follows itself) or through a parameter of ``f`` its caller computed so. ``own``: the
    ``len`` calls read as one image's own size (``_BatchReader``'s ``skipped``)."""
    # (a lambda's or a nested function's free variables read in the frames that made it: ``lambda d:
    # d["x"][:, :len(t)]`` of the body's ``t``)
    if _batch_reader(f.f_code, None, frozenset(), frozenset(), frozenset(), frozenset(), _scopes(f), frozenset(),
                     frozenset(), own).number(start, end, frozenset(), added_up=added_up, positions=positions):
        # (read again, only here, with the ``range`` bounds the caller passed as no count: ``for j in
        # range(ty - 1, -1, -1)`` of a helper called per image with ``int(y_len[i])`` runs alike on a group alone)
        bounds = _uncounted_bounds(f, depth)
        if not bounds or _batch_reader(f.f_code, None, frozenset(), frozenset(), frozenset(), bounds, _scopes(f),
                                       frozenset(), frozenset(), own).number(start, end, frozenset(), added_up=added_up,
                                                                             positions=positions):
            return True
    return any(_counted_parameter(f, name, numbers, depth, positions) for name in _loaded_parameters(f.f_code, start, end))


def _uncounted_bounds(f: types.FrameType, depth: int) -> frozenset[str]:
    """``f``'s parameters bounding a ``range`` (``_range_parameters``) that hold a constant of the
    call (``_constant_bounds``) or an int its caller's argument, read there, computes from no count
    of the batch (``_counted_span``: an image's own value read by its position, ``int(y_len[i])``,
    is none) and from no position of a loop over the images (``_positional_span``: ``T - i % 2``).
    Not where the call is not read or the parameter not passed (its default is
    ``_constant_bounds``' to prove)."""
    names = _range_parameters(f.f_code)
    if not names or depth > _FOLLOWED_CALLS:
        return frozenset()
    constants = _constant_bounds(f)
    rest = [n for n in names - constants if type(_locals(f).get(n)) is int and _held_parameter(f.f_code, n)]
    if not rest:
        return constants
    how, back = _called_by(f)
    if how != "code" or back is None:
        return constants
    passed = [(n, _argument_for(f, back, n)) for n in rest]
    # (a proof of no count, not the want of one: ``cfg["w"]`` of ``cfg = {"w": len(t)}``, ``int(str(len(t)))``
    # read as no count were taken so; red45)
    return constants | frozenset(n for n, span in passed if isinstance(span, tuple)
                                 and _uncounted_span(back, *span, depth + 1)
                                 and not _positional_span(back, *span, depth + 1, None))


_UNCOUNTED_CALLS = frozenset({"int", "float", "min", "max", "abs", "round"})
_RUN_COMPREHENSIONS = frozenset({"<listcomp>", "<setcomp>", "<dictcomp>"})  # (a generator runs where it is consumed)


def _uncounted_span(f: types.FrameType, start: int, end: int, depth: int) -> bool:
    """Whether the span ``start:end`` of ``f``'s code is proven to push, on a group alone, the same
    number for the same image: a constant of the call (``_constant_of_call``), one image's own value
    (``_own_value``: ``x_len[i]``, ``len(s["labels"])``), a parameter of ``f`` never rebound that its
    caller passed so (from no position of a loop over the images), or ``int`` / ``float`` / ``min`` /
    ``max`` / ``abs`` / ``round`` of such spans or arithmetic of them. False for anything else."""
    if depth > _FOLLOWED_CALLS or end <= start:
        return False
    capture = CAPTURE.get()
    body = capture.read_body_call_once if capture is not None else None
    if _constant_of_call(f, start, end, body, None, depth) is not _UNPROVEN:
        return True
    ins = _instructions(f.f_code)
    if any(i.is_jump_target for i in ins[start + 1:end]):
        return False
    last = ins[end - 1]
    if last.opname == "UNARY_NEGATIVE":
        return _uncounted_span(f, start, end - 1, depth)
    if last.opname == "BINARY_OP":
        right = _operand_start(ins, end - 1)
        return right is not None and start < right and _uncounted_span(f, start, right, depth) \
            and _uncounted_span(f, right, end - 1, depth)
    if last.opname == "CALL" and ins[start].opname == "LOAD_GLOBAL" and (ins[start].arg or 0) & 1:
        spans = _argument_spans(ins, end - 1)
        name = ins[start].argval
        if not spans or spans[-1][0] != start + 1 or _global_item(f.f_globals, name) is not getattr(builtins, name, None):
            return False
        if name == "len":
            return len(spans) == 1 and _own_value(f, *spans[0])
        return name in _UNCOUNTED_CALLS and all(_uncounted_span(f, a, b, depth) for a, b in spans)
    if last.opname == "BINARY_SUBSCR":
        return _own_value(f, start, end)
    if end - start == 1 and last.opname == "LOAD_DEREF" and last.argval in f.f_code.co_freevars \
            and f.f_code.co_name in _RUN_COMPREHENSIONS and f.f_back is not None:
        return _uncounted_parameter(f.f_back, last.argval, depth)  # (``[_path(3, cols) for _ in t]``)
    return end - start == 1 and last.opname in ("LOAD_FAST", "LOAD_DEREF") and _uncounted_parameter(f, last.argval, depth)


def _uncounted_parameter(f: types.FrameType, name: str, depth: int) -> bool:
    """Whether ``name`` is a parameter of ``f`` never rebound that its caller passed as a span
    ``_uncounted_span`` proves, from no position of a loop over the images."""
    if name not in _parameters(f.f_code) or not _held_parameter(f.f_code, name):
        return False
    how, back = _called_by(f)
    span = _argument_for(f, back, name) if how == "code" else None
    return isinstance(span, tuple) and back is not None and _uncounted_span(back, *span, depth + 1) \
        and not _positional_span(back, *span, depth + 1, None)


def _own_value(f: types.FrameType, start: int, end: int) -> bool:
    """Whether the span ``start:end`` of ``f``'s code reads one image's own value (or, given to
    ``len``, its own size): ``s`` or ``s["labels"]`` of ``s`` an item of a loop over an argument of
    the decorated call laid out by image (``for s in targets``), or ``x[i]``, ``x[i]["labels"]`` of
    such an argument ``x`` at ``i`` a position of a loop over its images (``range(len(x))``). On a
    group alone the image holds its own."""
    ins = _instructions(f.f_code)
    span = ins[start:end]
    if not span or span[0].opname not in ("LOAD_FAST", "LOAD_DEREF") or any(i.is_jump_target for i in span[1:]):
        return False
    picked = len(span) >= 3 and span[1].opname == "LOAD_FAST" and span[2].opname == "BINARY_SUBSCR"
    keys = span[3:] if picked else span[1:]
    if len(keys) % 2 or not all(a.opname == "LOAD_CONST" and b.opname == "BINARY_SUBSCR" for a, b in zip(keys[::2], keys[1::2])):
        return False
    if not picked:
        return _image_loop(f, span[0].argval, start) == "items"
    return _image_loop(f, span[1].argval, start) == "positions" and _call_argument(f, _locals(f).get(span[0].argval))


def _image_loop(f: types.FrameType, name: str, at: int) -> str | None:
    """``"items"`` where the local ``name`` of ``f``'s code, read at index ``at``, is the one target of a
    ``for`` loop (or comprehension) over an argument of the decorated call laid out by image (``for s
    in targets``), ``"positions"`` where of one over ``range(len(x))`` of such an argument; None else."""
    ins = _instructions(f.f_code)
    stores = _stores(ins, name, cells=True)
    if len(stores) != 1 or stores[0] < 2 or ins[stores[0]].opname != "STORE_FAST" \
            or ins[stores[0] - 1].opname != "FOR_ITER" or not stores[0] < at < _offset_index(ins).get(ins[stores[0] - 1].argval, len(ins)):
        return None
    g, it = f, stores[0] - 2
    if ins[it].opname == "LOAD_FAST" and ins[it].argval == ".0" and f.f_code.co_name in _RUN_COMPREHENSIONS:
        outer = f.f_back  # (the iterator a comprehension is given: made where it is called, and run there)
        if outer is None:
            return None
        g = outer
        ins, call = _located_frame(g.f_code, _lasti(g))
        if call is None or call < 2 or ins[call].opname != "CALL" or ins[call - 2].opname != "GET_ITER":
            return None
        it = call - 2
    elif ins[it].opname != "GET_ITER":
        return None
    first = _operand_start(ins, it)
    loop = ins[first:it] if first is not None else []
    if len(loop) == 1 and loop[0].opname in ("LOAD_FAST", "LOAD_DEREF"):
        return "items" if _call_argument(g, _locals(g).get(loop[0].argval)) else None
    if [i.opname for i in loop] == ["LOAD_GLOBAL", "LOAD_GLOBAL", loop[2].opname, "PRECALL", "CALL", "PRECALL", "CALL"] \
            and loop[2].opname in ("LOAD_FAST", "LOAD_DEREF") and (loop[0].argval, loop[1].argval) == ("range", "len") \
            and _global_item(g.f_globals, "range") is range and _global_item(g.f_globals, "len") is len:
        return "positions" if _call_argument(g, _locals(g).get(loop[2].argval)) else None
    return None


def _call_argument(f: types.FrameType, value: Any) -> bool:
    """Whether ``value`` is an argument of the decorated call, never rebound there, laid out by image
    (a list of one item per image, a tensor of one row per image): the body's frame found up from ``f``."""
    capture = CAPTURE.get()
    count = getattr(capture, "num_images", None)
    if value is None or type(count) is not int or not (
            isinstance(value, (list, tuple)) and len(value) == count
            or isinstance(value, torch.Tensor) and value.dim() and value.shape[0] == count):
        return False
    g: types.FrameType | None = f
    for _ in range(_FOLLOWED_CALLS):
        if g is None:
            return False
        how, _back = _called_by(g)
        if how == "body":
            return any(_locals(g).get(p, _UNPROVEN) is value and _held_parameter(g.f_code, p)
                       and not _changed_in_place(g.f_code, p) for p in _parameters(g.f_code))
        g = g.f_back
    return False


@_per_code(256)
def _changed_in_place(code: types.CodeType, name: str) -> bool:
    """Whether ``code`` or code nested in it may change what its local ``name`` holds in place: it sets
    or deletes an item of anything, stores ``name`` under another name, or calls a method of it that
    changes it (``reverse``, ``add_``: a trailing underscore is torch's in-place form)."""
    ins = _instructions(code)
    if _changes_items(code) or any(
            i.opname in ("LOAD_FAST", "LOAD_DEREF") and i.argval == name and (nxt.opname.startswith("STORE_") or nxt.opname in (
                "LOAD_ATTR", "LOAD_METHOD") and (nxt.argval in _CHANGING or nxt.argval.endswith("_") and not nxt.argval.startswith("__")))
            for i, nxt in zip(ins, ins[1:])):
        return True
    return any(_changed_in_place(c, name) for c in code.co_consts if isinstance(c, types.CodeType))


def _loaded_parameters(code: types.CodeType, start: int, end: int) -> tuple[str, ...]:
    """The parameters of ``code`` (not ``self`` or ``cls``) the span ``start:end`` loads, in order."""
    params = set(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]) - _OWNERS
    return tuple(i.argval for i in _instructions(code)[start:end] if i.opname == "LOAD_FAST" and i.argval in params)


def _called_function(f: types.FrameType, instructions: list[dis.Instruction], at: int
                     ) -> tuple[types.FunctionType, int] | None:
    """(the Python function the CALL at ``at`` of ``f``'s code calls, how many arguments binding
    pushes before the call's own: 1 for a method's ``self``) where its callee is loaded as
    ``NULL + name`` by LOAD_GLOBAL, as a local after PUSH_NULL, or as a method of a local or a
    global (looked up without running any descriptor); None for anything else."""
    spans = _argument_spans(instructions, at)
    if spans is None:
        return None
    k = (spans[-1][0] if spans else _arguments_end(instructions, at)) - 1  # the callee's load, before the first argument
    if k < 0 or any(i.is_jump_target for i in instructions[k + 1: at + 1]):
        return None
    load = instructions[k]  # (the first load of the callee may start a statement after a jump)
    if load.opname == "LOAD_GLOBAL" and (load.arg or 0) & 1:
        found = f.f_globals.get(load.argval, f.f_builtins.get(load.argval, _UNPROVEN))
        return _plain_function(found, 0)
    if load.is_jump_target:
        return None
    if load.opname == "LOAD_ATTR" and k > 0 and instructions[k - 1].opname == "LOAD_GLOBAL" \
            and (instructions[k - 1].arg or 0) & 1 and not instructions[k - 1].is_jump_target:
        # ``ot.sliced_wasserstein_distance(x, y, n_projections=20)``: 3.11 loads a module's function
        # called with keywords as ``NULL + ot`` then its attribute (no LOAD_METHOD)
        module = f.f_globals.get(instructions[k - 1].argval, _UNPROVEN)
        return _method_of(module, load.argval) if isinstance(module, types.ModuleType) else None
    if load.opname in ("LOAD_FAST", "LOAD_DEREF") and k > 0 and instructions[k - 1].opname == "PUSH_NULL":
        return _plain_function(_locals(f).get(load.argval, _UNPROVEN), 0)
    if load.opname == "BINARY_SUBSCR" and k > 1 and instructions[k - 1].opname == "LOAD_CONST":
        return _plain_function(_item_of(f, instructions, k - 2, instructions[k - 1].argval), 0)  # ``FNS["h"](o, t)``
    if load.opname == "MAKE_FUNCTION" and not load.arg and k > 1 and instructions[k - 1].opname == "LOAD_CONST" \
            and isinstance(instructions[k - 1].argval, types.CodeType) and instructions[k - 2].opname == "PUSH_NULL":
        # ``(lambda a, b: h(a, b))(o, t)``: made there and called once (no defaults, no closure)
        return types.FunctionType(instructions[k - 1].argval, f.f_globals), 0
    if load.opname != "LOAD_METHOD" or k < 1:
        return None
    owner = instructions[k - 1]
    if owner.opname in ("LOAD_FAST", "LOAD_DEREF"):
        obj = _locals(f).get(owner.argval, _UNPROVEN)
    elif owner.opname == "LOAD_GLOBAL" and not (owner.arg or 0) & 1:
        obj = f.f_globals.get(owner.argval, _UNPROVEN)
    elif (owner.opname == "LOAD_ATTR" and k > 1 and not owner.is_jump_target
          and instructions[k - 2].opname in ("LOAD_FAST", "LOAD_DEREF")):  # ``self.semiring.prod(x)`` (torch-struct)
        obj = _own_attribute(_locals(f).get(instructions[k - 2].argval, _UNPROVEN), owner.argval)
    else:
        return None
    return _method_of(obj, load.argval) if obj is not _UNPROVEN else None


def _item_of(f: types.FrameType, instructions: list[dis.Instruction], k: int, key: Any) -> Any:
    """``container[key]`` of the dict, list or tuple the instruction at ``k`` loads as a callee's
    (``NULL + name`` by LOAD_GLOBAL, a local after PUSH_NULL, an attribute of one: ``_plain_attribute``),
    looked up without running any code; ``_UNPROVEN`` for anything else."""
    load = instructions[k]
    if load.opname == "LOAD_ATTR" and k > 0 and not load.is_jump_target:  # ``Holder.fns["h"](o, t)``
        container = _plain_attribute(_callee_base(f, instructions, k - 1), load.argval)
    else:
        container = _callee_base(f, instructions, k)
    if type(container) is dict and type(key) in (str, int) or type(container) in (list, tuple) and type(key) is int:
        try:
            return container[key]
        except (KeyError, IndexError):
            return _UNPROVEN
    return _UNPROVEN


def _callee_base(f: types.FrameType, instructions: list[dis.Instruction], k: int) -> Any:
    """What the instruction at ``k`` loads first for a callee (``NULL + name`` by LOAD_GLOBAL, a
    local after PUSH_NULL); ``_UNPROVEN`` for anything else."""
    load = instructions[k]
    if load.opname == "LOAD_GLOBAL" and (load.arg or 0) & 1:
        return f.f_globals.get(load.argval, _UNPROVEN)
    if load.opname in ("LOAD_FAST", "LOAD_DEREF") and k > 0 and instructions[k - 1].opname == "PUSH_NULL":
        return _locals(f).get(load.argval, _UNPROVEN)
    return _UNPROVEN


def _plain_attribute(obj: Any, name: str) -> Any:
    """``obj.name`` of a module, a class or an instance, where lookup finds it without running code
    (a module's global, a class's own attribute that is no descriptor, ``_own_attribute``);
    ``_UNPROVEN`` otherwise."""
    if isinstance(obj, types.ModuleType):
        return vars(obj).get(name, _UNPROVEN)
    if isinstance(obj, type):
        meta = type(obj)
        if meta.__getattribute__ is not type.__getattribute__ or any(name in vars(m) for m in getattr(meta, "__mro__", ())):
            return _UNPROVEN
        found = next((c.__dict__[name] for c in obj.__mro__ if name in c.__dict__), _UNPROVEN)
        return _UNPROVEN if hasattr(type(found), "__get__") else found
    return _own_attribute(obj, name)


def _own_attribute(obj: Any, name: str) -> Any:
    """``obj.name`` where it is an attribute of the instance's own ``__dict__`` that lookup finds
    without running code (no ``__getattribute__`` of its class, no data descriptor of that name);
    ``_UNPROVEN`` otherwise."""
    if obj is _UNPROVEN or isinstance(obj, (type, types.ModuleType)) \
            or type(obj).__getattribute__ is not object.__getattribute__:
        return _UNPROVEN
    attr = next((k.__dict__[name] for k in type(obj).__mro__ if name in k.__dict__), None)
    if hasattr(type(attr), "__set__") or hasattr(type(attr), "__delete__"):
        return _UNPROVEN
    try:
        held = object.__getattribute__(obj, "__dict__")
    except AttributeError:
        return _UNPROVEN
    return held[name] if type(held) is dict and name in held else _UNPROVEN


def _plain_function(v: Any, shift: int) -> tuple[types.FunctionType, int] | None:
    if isinstance(v, types.FunctionType):
        return v, shift
    if isinstance(v, types.MethodType) and isinstance(v.__func__, types.FunctionType):
        return v.__func__, shift + 1
    return None


def _method_of(obj: Any, name: str) -> tuple[types.FunctionType, int] | None:
    """The function ``obj.name`` calls, as attribute lookup finds it (a module's function, an
    instance's own attribute, a function, static or class method of its class), without running
    a descriptor; None where lookup may run code (a property, a ``__getattribute__``)."""
    if isinstance(obj, types.ModuleType):
        return _plain_function(vars(obj).get(name), 0)
    cls = type(obj)
    if isinstance(obj, type) and cls.__getattribute__ is type.__getattribute__ and not any(
            name in vars(m) for m in cls.__mro__):  # ``Crit.term(e, w=0.5)``: a class's own function (review13)
        found = next((k.__dict__[name] for k in obj.__mro__ if name in k.__dict__), None)
        if isinstance(found, staticmethod):
            return _plain_function(found.__func__, 0)
        if isinstance(found, classmethod):
            return _plain_function(found.__func__, 1)
        return (found, 0) if isinstance(found, types.FunctionType) else None
    if cls.__getattribute__ is not object.__getattribute__:
        return None
    attr = next((k.__dict__[name] for k in cls.__mro__ if name in k.__dict__), _UNPROVEN)
    if hasattr(type(attr), "__set__") or hasattr(type(attr), "__delete__"):
        return None  # a data descriptor comes before the instance's own attributes
    try:
        held = object.__getattribute__(obj, "__dict__")
    except AttributeError:
        held = {}
    if type(held) is dict and name in held:
        return _plain_function(held[name], 0)
    if isinstance(attr, types.FunctionType):
        return attr, 1
    if isinstance(attr, staticmethod):
        return _plain_function(attr.__func__, 0)
    if isinstance(attr, classmethod):
        return _plain_function(attr.__func__, 1)
    return None


@_per_code(256)
def _rebound(code: types.CodeType) -> frozenset[str]:
    """The local names ``code`` stores or deletes."""
    return frozenset(i.argval for i in _instructions(code) if i.opname in ("STORE_FAST", "DELETE_FAST"))


def rebound_parameter_divisor(body: Callable[[], BodyCall | None]) -> bool:
    """Whether the divisor of the ``a / b`` the caller's code is executing is a lone parameter of
    that code which the code stores anew somewhere (``n_terms = basis.shape[0]`` in a branch, a
    loop, after a test of the batch), and the call gave it a constant (a literal, its default; or
    what it gave cannot be read): it holds that constant unless a store ran, which its value cannot
    tell; equal to a count by value it is no proof of one (was read as a multiple of the images: a
    literal 8 on 4 and on 2 images). A number the caller computed (``num_pos``) is read by value as
    before. False for any other divisor, a parameter no store rebinds (``_parameter_value`` reads
    those) or an unchecked Python."""
    f = _caller() if _VERSION in _CHECKED else None
    span = None if f is None else _lone_divisor(f)
    if f is None or span is None or len(span) != 1 or span[0].opname not in ("LOAD_FAST", "LOAD_DEREF"):
        return False
    code, name = f.f_code, span[0].argval
    if name not in code.co_varnames[: code.co_argcount + code.co_kwonlyargcount] or not _stores(
            _instructions(code), name, cells=True):
        return False
    how, back = _called_by(f)
    if how == "body":
        call = body()
        return call is None or call.code is not code or name in call.unpassed
    found = _argument_for(f, back, name) if how == "code" else None
    if found is None or isinstance(found, types.FunctionType) or back is None:
        return True  # (its default, or a call not read)
    return _constant_of_call(back, *found, body, None, 1) is not _UNPROVEN


@_per_code(1024)
def _parameter_operands(code: types.CodeType, lasti: int) -> tuple[str, ...]:
    """The parameters of ``code`` that an operand of the binary operator at ``lasti`` loads as a
    lone ``LOAD_FAST`` and that ``code`` never stores or deletes (see ``body_parameter``)."""
    instructions, at = _located(code, lasti)
    if at is None or instructions[at].opname != "BINARY_OP" or instructions[at].is_jump_target:
        return ()
    start = _operand_start(instructions, at)
    left = _operand_start(instructions, start) if start is not None else None
    if start is None or left is None:
        return ()
    parameters = set(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    rebound = _rebound(code)
    found = []
    for first, stop in ((start, at), (left, start)):
        load = instructions[first]
        if stop - first == 1 and load.opname == "LOAD_FAST" and load.argval in parameters - rebound:
            found.append(load.argval)
    return tuple(found)


def offset_source(c: Any, product: bool = False) -> str | None:
    """Where the Python number ``c`` added to or subtracted from a loss comes from in the sum or
    difference the caller's code is executing (``a + c``, ``a - c``, ``c - a``, ``a -= c``,
    ``a.add(c)``, ``torch.sub(a, c)``): ``"literal"`` when ``c`` is a constant loaded as one
    whole operand (type included: ``l.sum() - 1``, ``1 - dice.mean()``; a left operand is read
    on the Python whose stack effects were checked only); ``"configured"`` when it is an
    attribute or a module global (``- self.margin``); ``"other"`` for anything else (a local
    name, ``len(targets)``, an expression). With ``product``, the same of a factor (``a * c``,
    ``c * a``, ``a.mul(c)``). None on a Python version whose layout was not checked."""
    if _VERSION not in _CHECKED:
        return None
    f = _caller()
    if f is None:
        return "other"
    source, literal = _offset_at(f.f_code, _lasti(f), product)
    if source == "literal" and not (type(literal) is type(c) and literal == c):
        return "other"
    return source


@_per_code(1024)
def _offset_at(code: types.CodeType, lasti: int, product: bool = False) -> tuple[str, Any]:
    """(``"literal"``, the value) when one operand of the sum or difference at byte offset
    ``lasti`` of ``code`` is a lone LOAD_CONST of an int or a float, (``"configured"``, None) for
    an attribute or a global loaded as one, else (``"other"``, None); see ``offset_source``."""
    instructions, at = _located(code, lasti)
    if at is None or at == 0 or instructions[at].is_jump_target:
        return "other", None
    op = instructions[at]
    if op.opname == "CALL":  # ``l.sub(1)``, ``torch.add(l, 1)``
        return _call_divisor(instructions, at, _PRODUCT_NAMES if product else _SHIFT_NAMES)
    if op.opname != "BINARY_OP" or op.arg not in (_PRODUCTS if product else _SHIFTS):
        return "other", None
    operands = [(at - 1, at)]  # the right operand's last instruction
    if _VERSION in _FLOOR_CHECKED:  # both whole operands: where the right one starts
        start = _operand_start(instructions, at)
        left = _operand_start(instructions, start) if start is not None else None
        if start is not None and left is not None:
            operands = [(start, at), (left, start)]
    for first, stop in operands:
        last = instructions[stop - 1]
        if stop - first == 1 and last.opname == "LOAD_CONST" and type(last.argval) in (int, float):
            return "literal", last.argval
    # an attribute is configuration only where the other operand is none (it is the loss then)
    configured = [_configured_load(instructions, stop - 1) for _, stop in operands]
    if configured.count(True) == 1:
        return "configured", None
    return "other", None


def table_operand(c: Any) -> bool:
    """Whether the Python number ``c`` is a whole operand of the binary operator the caller's
    code is executing written as an element of a module-global tuple (``l * BALANCE[lvl]``, by a
    local or a constant index) that no function or class of its module assigns (see
    ``_configured``): a table of coefficients set before the call, whatever read it equals. The
    element is ``c`` itself. Python 3.11 only (operand layout checked)."""
    if _VERSION not in _FLOOR_CHECKED:
        return False
    f = _caller()
    if f is None:
        return False
    for name, local, index in _table_operands(f.f_code, _lasti(f)):
        table = _configured(_Named("global", name), f)
        i = _locals(f).get(index, _UNPROVEN) if local else index
        if type(table) is tuple and type(i) is int and -len(table) <= i < len(table) and table[i] is c:
            return True
    return False


def module_constant_operand() -> bool:
    """Whether an operand of the binary operator the caller's code is executing is an expression
    of module globals that no function or class of its module assigns, with constants, slices and
    arithmetic only (``PRIORS[:, 2:]``, ``0.1 * PRIORS[:, 2:]``): a tensor held before the call
    (SSD's priors), which holds no weight of the call's images whatever values it has. Python 3.11
    only (operand layout checked)."""
    if _VERSION not in _FLOOR_CHECKED:
        return False
    f = _caller()
    if f is None:
        return False
    return any(all(_configured(_Named("global", name), f) is not _UNPROVEN for name in names)
               for names in _constant_operands(f.f_code, _lasti(f)))


# what an expression of module constants may hold (no call, no local, no attribute)
_CONSTANT_EXPRESSION = frozenset({"LOAD_GLOBAL", "LOAD_CONST", "BUILD_SLICE", "BUILD_TUPLE", "BINARY_SUBSCR",
                                  "BINARY_OP", "UNARY_NEGATIVE"})


@_per_code(1024)
def _constant_operands(code: types.CodeType, lasti: int) -> tuple[tuple[str, ...], ...]:
    """The global names of each whole operand of the binary operator at ``lasti`` that is an
    expression of globals and constants only (``_CONSTANT_EXPRESSION``, no jump into it)."""
    instructions, at = _located(code, lasti)
    found = []
    for first, stop in _binary_operand_spans(instructions, at):
        span = instructions[first:stop]
        names = tuple(i.argval for i in span if i.opname == "LOAD_GLOBAL")
        if (names and all(i.opname in _CONSTANT_EXPRESSION for i in span)
                and not any((i.arg or 0) & 1 for i in span if i.opname == "LOAD_GLOBAL")
                and not any(i.is_jump_target for i in instructions[first + 1 : stop + 1])):
            found.append(names)
    return tuple(found)


def _binary_operand_spans(instructions: list[dis.Instruction], at: int | None) -> list[tuple[int, int]]:
    """(first index, end) of each whole operand of the binary operator at ``at``, the right one
    first; none where ``at`` is no ``BINARY_OP`` or a jump lands on it."""
    if at is None or instructions[at].opname != "BINARY_OP" or instructions[at].is_jump_target:
        return []
    start = _operand_start(instructions, at)
    left = _operand_start(instructions, start) if start is not None else None
    return [(first, stop) for first, stop in ((start, at), (left, start)) if first is not None and stop is not None]


@_per_code(1024)
def _table_operands(code: types.CodeType, lasti: int) -> tuple[tuple[str, bool, Any], ...]:
    """(global name, whether the index is a local, the local's name or the constant) of each
    whole operand ``NAME[i]`` of the binary operator at ``lasti``: LOAD_GLOBAL, LOAD_FAST or
    LOAD_CONST of an int, BINARY_SUBSCR, no jump into them."""
    instructions, at = _located(code, lasti)
    found = []
    for first, stop in _binary_operand_spans(instructions, at):
        if stop - first != 3:
            continue
        table, index, subscript = instructions[first:stop]
        if (table.opname != "LOAD_GLOBAL" or (table.arg or 0) & 1 or subscript.opname != "BINARY_SUBSCR"
                or any(i.is_jump_target for i in instructions[first + 1 : stop + 1])):
            continue
        if index.opname == "LOAD_FAST":
            found.append((table.argval, True, index.argval))
        elif index.opname == "LOAD_CONST" and type(index.argval) is int:
            found.append((table.argval, False, index.argval))
    return tuple(found)


def loop_operand() -> bool | None:
    """Whether an operand of the sum or difference the caller's code is executing is a local name
    that a ``for`` loop of the same code assigns (``l.sum() - b`` in ``for b in range(n)``, also
    unpacked: ``for b, t in enumerate(targets)``) or a parameter of that code: the number may be
    a loop position. None where
    that cannot be told (a Python whose layout was not checked, a frame not found, an operand
    that is a name of an enclosing function)."""
    if _VERSION not in _CHECKED:
        return None
    f = _caller()
    return None if f is None else _loop_operand_at(f.f_code, _lasti(f))


@_per_code(1024)
def _loop_operand_at(code: types.CodeType, lasti: int) -> bool | None:
    """See ``loop_operand``: the operands of the BINARY_OP at ``lasti`` (the right one's last
    instruction, and on Pythons whose stack effects were checked the left one) against the
    parameters and the names stored right after a FOR_ITER (through UNPACK_SEQUENCE)."""
    instructions, at = _located(code, lasti)
    if at is None or at == 0 or instructions[at].opname != "BINARY_OP" or instructions[at].arg not in _SHIFTS:
        return None
    operands = [instructions[at - 1]]
    if _VERSION in _FLOOR_CHECKED:
        start = _operand_start(instructions, at)
        left = _operand_start(instructions, start) if start is not None else None
        if start is not None and left is not None and start - left == 1:
            operands.append(instructions[left])
    loads = [i for i in operands if i.opname in ("LOAD_FAST", "LOAD_DEREF", "LOAD_CLOSURE")]
    if any(i.argval in code.co_freevars for i in loads):
        return None  # a name of an enclosing function: its loops are in another code
    # a parameter may be a position too (a per-image helper called as ``term(e, b)`` in a loop)
    stored = set(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    for k, i in enumerate(instructions):
        if i.opname != "FOR_ITER":
            continue
        n, j = 1, k + 1
        if j < len(instructions) and instructions[j].opname == "UNPACK_SEQUENCE":
            n, j = instructions[j].arg or 0, j + 1
        for store in instructions[j : j + n]:
            if store.opname in ("STORE_FAST", "STORE_DEREF"):
                stored.add(store.argval)
    return any(i.argval in stored for i in loads)


def local_length(divisor: bool = False) -> bool:
    """Whether an operand of the sum or difference the caller's code is executing is ``len(x)`` of
    a local name (no parameter, no loop variable), or a local that the code only ever assigns
    that (``num_tags = len(person_tags)``, a list the body built): a count of the body's own
    objects, not of the images it was given (``len(targets)`` is the length of a parameter).
    ``divisor``: of the division instead, its divisor only (``num_pos / num_images`` with
    ``num_images = len(gt_labels)``; not a local equal to it, ``k = 4``)."""
    if _VERSION not in _FLOOR_CHECKED:
        return False
    f = _caller()
    return f is not None and _local_length_at(f.f_code, _lasti(f), divisor)


@_per_code(1024)
def _local_length_at(code: types.CodeType, lasti: int, divisor: bool = False) -> bool:
    """See ``local_length``; a store is read as ``len(x)`` only as LOAD_GLOBAL len, LOAD_FAST x,
    PRECALL 1, CALL 1, STORE_FAST (3.11)."""
    instructions, at = _located(code, lasti)
    if at is None or at < 1 or instructions[at].opname != "BINARY_OP" or instructions[at].arg not in (
            _DIVISIONS if divisor else _SHIFTS):
        return False
    params = set(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    loops = {instructions[k + 1].argval for k, i in enumerate(instructions[:-1]) if i.opname == "FOR_ITER"}

    def local(name: Any) -> bool:
        return name not in params and name not in loops and name not in code.co_cellvars

    operands = [instructions[at - 1]]
    start = _operand_start(instructions, at)
    left = _operand_start(instructions, start) if start is not None and not divisor else None
    if start is not None and left is not None and start - left == 1:
        operands.append(instructions[left])
    # ``- len(means)`` written at the op: the operand is the call itself
    if start is not None and at - start == 4 and _length_of_local(instructions, at, local):
        return True
    if start is not None and left is not None and start - left == 4 and _length_of_local(instructions, start, local):
        return True
    for operand in operands:
        name = operand.argval
        if operand.opname != "LOAD_FAST" or not local(name):
            continue
        stores = [k for k, i in enumerate(instructions) if i.opname in ("STORE_FAST", "DELETE_FAST") and i.argval == name]
        if stores and all(_stores_local_length(instructions, k, local) for k in stores):
            return True
    return False


def count_multiple_shift() -> int:
    """``k`` where the ``+`` / ``-`` the caller's code is executing has an operand written as ``k``
    times one length: ``len(x)``, ``x.size(0)`` or ``x.shape[0]`` of a name, that times an int
    literal ``k`` (else 1), or a local the code stores only once, so (``b = len(q)``, then
    ``torch.arange(b) + b``, ``2 * b + p``); 0 where none is. A number the code computes otherwise
    (``b - 3``, ``2 * b - 3``, a literal equal to the count) is none: on a group alone it is no
    such multiple of the group's count. Python 3.11."""
    if _VERSION not in _FLOOR_CHECKED:
        return 0
    f = _caller()
    return 0 if f is None else _count_multiple_shift_at(f.f_code, _lasti(f))


@_per_code(1024)
def _count_multiple_shift_at(code: types.CodeType, lasti: int) -> int:
    """See ``count_multiple_shift``."""
    instructions, at = _located(code, lasti)
    if at is None or at < 2 or instructions[at].opname != "BINARY_OP" or instructions[at].arg not in _SHIFTS \
            or instructions[at].is_jump_target:
        return 0
    right = _operand_start(instructions, at)
    left = _operand_start(instructions, right) if right is not None else None
    for start, end in ((right, at), (left, right)):
        k = _length_multiple(instructions, start, end, True) if start is not None and end is not None else 0
        if k:
            return k
    return 0


def _length_multiple(instructions: list[dis.Instruction], start: int, end: int, stored: bool) -> int:
    """``k`` where ``instructions[start:end]`` is a length of a name (``len(x)``, ``x.size(0)``,
    ``x.shape[0]``: 1), that times an int literal ``k``, or (``stored``) a local stored once as
    such; else 0."""
    span = instructions[start:end]
    if any(i.is_jump_target for i in span[1:]):
        return 0
    if len(span) > 2 and span[-1].opname == "BINARY_OP" and span[-1].arg == 5:  # ``2 * n``, ``n * 2``
        for c, rest in ((span[0], (start + 1, end - 1)), (span[-2], (start, end - 2))):
            if c.opname == "LOAD_CONST" and type(c.argval) is int:
                k = _length_multiple(instructions, *rest, stored)
                if k:
                    return k * c.argval
        return 0
    names = [i.opname for i in span]
    if names == ["LOAD_GLOBAL", "LOAD_FAST", "PRECALL", "CALL"]:
        return int(span[0].argval == "len" and span[2].arg == 1 and span[3].arg == 1)
    if names == ["LOAD_FAST", "LOAD_METHOD", "LOAD_CONST", "PRECALL", "CALL"]:
        return int(span[1].argval == "size" and span[2].argval == 0 and span[4].arg == 1)
    if names == ["LOAD_FAST", "LOAD_ATTR", "LOAD_CONST", "BINARY_SUBSCR"]:
        return int(span[1].argval == "shape" and span[2].argval == 0)
    if stored and names == ["LOAD_FAST"]:
        stores = _stores(instructions, span[0].argval, cells=True)
        value = _stored_value(instructions, stores[0]) if len(stores) == 1 and stores[0] < start else None
        return 0 if value is None else _length_multiple(instructions, *value, False)
    return 0


def _caller_with_len(checked: set[tuple[int, int]]) -> types.FrameType | None:
    """The caller's frame, where this Python is in ``checked`` and ``len`` there is the builtin."""
    if _VERSION not in checked:
        return None
    f = _caller()
    return None if f is None or _builtin(f, "len") is not builtins.len else f


def piece_picked() -> bool:
    """Whether the caller's code indexes the sequence the op running returns at once by an int
    literal (``x.chunk(3)[1]``, ``x.split(2)[-1]``; Python 3.11): one piece kept by its position,
    the others dropped. False where nothing can be told."""
    f = _caller()
    return f is not None and _picked_at_once(f.f_code, _lasti(f))


@_per_code(1024)
def _picked_at_once(code: types.CodeType, lasti: int) -> bool:
    instructions, at = _located_frame(code, lasti)  # ``Tensor.split`` is a Python function: its caller's lasti may be on a cache
    if at is None or instructions[at].opname != "CALL" or at + 2 >= len(instructions):
        return False
    key, item = instructions[at + 1], instructions[at + 2]
    return key.opname == "LOAD_CONST" and type(key.argval) is int and item.opname == "BINARY_SUBSCR"


def slice_lengths() -> tuple[Any, Any] | None:
    """``(start, stop)`` of the slice ``x[a:b]`` the caller's code is executing (a two-bound
    ``BUILD_SLICE`` right before the ``BINARY_SUBSCR``, no step, no other index; Python 3.11): for
    a bound written ``len(p)`` of a parameter ``p`` the code never stores, or as a local (no
    parameter, no loop variable) every store of which is that very call (``n = len(targets)``),
    the object ``p`` holds; else None for that bound (a literal, any other expression, ``len(p) +
    1``). None where the index is no such slice, or nothing can be told."""
    f = _caller_with_len(_TEST_CHECKED)
    if f is None:
        return None
    names = _slice_length_names(f.f_code, _lasti(f))
    return None if names is None else (_locals(f).get(names[0], None) if names[0] else None,
                                       _locals(f).get(names[1], None) if names[1] else None)


@_per_code(1024)
def _slice_length_names(code: types.CodeType, lasti: int) -> tuple[str | None, str | None] | None:
    """See ``slice_lengths``: per bound, the name of the parameter it is the length of."""
    instructions, at = _located(code, lasti)
    if at is None or at < 2 or instructions[at].opname != "BINARY_SUBSCR":
        return None
    built = instructions[at - 1]
    found = _two_operands(instructions, at - 1) if built.opname == "BUILD_SLICE" and built.arg == 2 else None
    if found is None:
        return None
    start, stop = found
    params = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    loops = {instructions[k + 1].argval for k, i in enumerate(instructions[:-1]) if i.opname == "FOR_ITER"}

    def param(name: Any) -> bool:  # a parameter that holds what the call was given
        return name in params and name not in code.co_cellvars and not _stores(instructions, name)

    def length_of(begin: int, end: int) -> str | None:
        if end - begin == 4 and _length_of_local(instructions, end, param):  # ``x[:len(targets)]``
            return str(instructions[end - 3].argval)
        load = instructions[begin]
        if end - begin != 1 or load.opname != "LOAD_FAST" or load.argval in params or load.argval in loops \
                or load.argval in code.co_cellvars:
            return None
        stores = _stores(instructions, load.argval)
        if not stores or not all(_stores_local_length(instructions, k, param) for k in stores):
            return None
        of = {instructions[k - 3].argval for k in stores}
        return str(of.pop()) if len(of) == 1 else None

    return length_of(start, stop), length_of(stop, at - 1)


def _stores_local_length(instructions: list[dis.Instruction], k: int, local: Any) -> bool:
    """Whether the STORE_FAST at index ``k`` stores ``len(x)`` of a local ``x``."""
    return instructions[k].opname == "STORE_FAST" and _length_of_local(instructions, k, local)


def _length_of_local(instructions: list[dis.Instruction], k: int, local: Any) -> bool:
    """Whether the four instructions before index ``k`` are ``len(x)`` of a local ``x``."""
    if k < 4:
        return False
    callee, x, precall, call = instructions[k - 4 : k]
    return (callee.opname == "LOAD_GLOBAL" and callee.argval == "len" and x.opname == "LOAD_FAST"
            and local(x.argval) and precall.opname == "PRECALL" and precall.arg == 1
            and call.opname == "CALL" and call.arg == 1
            and not any(i.is_jump_target for i in instructions[k - 3 : k + 1]))


def divisor_floor(only_divides: bool = False) -> float | None:
    """The floor ``c`` of the division the caller's code is executing (``a / d`` or ``a /= d``)
    where ``d`` is the builtin ``max`` of an expression and an int or float constant (``/ max(n,
    1)``), or a local last assigned that call in straight-line code right before (``n = max(n,
    1)``): on a group alone the body divides by at least ``c``. None otherwise (no proof): an
    expression or a call after the ``max``, a floor that is a name (a count, a weight), another
    path into the code between the assignment and the division, a ``max`` that is not the
    builtin, an unchecked Python. With ``only_divides``, what ``max`` returned must meet nothing
    but divisions: the call written at the division, or a local whose only store is that call
    and that the code loads only as the divisor of a division (``tss = max(ts.sum(), 1)``, then
    ``/ tss``, also in an ``if`` block: whatever path reaches the division, it divides by what
    that ``max`` returned)."""
    if _VERSION not in _FLOOR_CHECKED:
        return None
    f = _caller()
    if f is None or f.f_globals.get("max", f.f_builtins.get("max")) is not builtins.max:
        return None
    if only_divides:
        return _floor_of_divisor_local(f.f_code, _lasti(f)) or _floor_written_at(f.f_code, _lasti(f))
    return _floor_at(f.f_code, _lasti(f))


def _floor_written_at(code: types.CodeType, lasti: int) -> float | None:
    """``c`` where the division at byte offset ``lasti`` of ``code`` divides by ``max(x, c)``
    written there."""
    instructions, at = _located(code, lasti)
    return _floor_at(code, lasti) if at is not None and at >= 1 and instructions[at - 1].opname == "CALL" else None


@_per_code(1024)
def _floor_of_divisor_local(code: types.CodeType, lasti: int) -> float | None:
    """``c`` where the division at byte offset ``lasti`` of ``code`` divides by a local whose only
    store is ``max(x, c)`` (or ``max(c, x)``) and whose every load is the right operand of a
    division (see ``divisor_floor``); None otherwise."""
    instructions, at = _located(code, lasti)
    if at is None or at < 1:
        return None
    op, right = instructions[at], instructions[at - 1]
    if op.opname != "BINARY_OP" or op.arg not in _DIVISIONS or right.opname != "LOAD_FAST":
        return None
    name = right.argval
    if name in _parameters(code) or name in code.co_cellvars or name in code.co_freevars:
        return None
    stores = _stores(instructions, name)
    if len(stores) != 1 or instructions[stores[0]].opname != "STORE_FAST" or stores[0] < 1 \
            or instructions[stores[0] - 1].opname != "CALL" or instructions[stores[0]].is_jump_target:
        return None
    loads = [k for k, i in enumerate(instructions) if i.argval == name and i.opname.startswith("LOAD_")]
    if any(instructions[k].opname != "LOAD_FAST" or k + 1 >= len(instructions)
           or instructions[k + 1].opname != "BINARY_OP" or instructions[k + 1].arg not in _DIVISIONS
           or instructions[k + 1].is_jump_target for k in loads):
        return None
    return _max_call(instructions, stores[0] - 1)


# instructions that leave the straight line (the division after them is reached another way)
_LEAVES = ("JUMP", "RETURN", "RAISE", "RERAISE", "PUSH_EXC_INFO", "FOR_ITER", "SEND", "YIELD", "POP_JUMP")


@_per_code(1024)
def _floor_at(code: types.CodeType, lasti: int) -> float | None:
    """``c`` where the division at byte offset ``lasti`` of ``code`` divides by ``max(x, c)`` or
    ``max(c, x)``, written there or stored in the local it loads, whose last store is reached only
    by falling through to the division (see ``divisor_floor``); None otherwise."""
    instructions, at = _located(code, lasti)
    if at is None or at < 1:
        return None
    op, right = instructions[at], instructions[at - 1]
    if op.opname != "BINARY_OP" or op.arg not in _DIVISIONS or op.is_jump_target or right.is_jump_target:
        return None
    if right.opname == "CALL":
        return _max_call(instructions, at - 1)
    if right.opname != "LOAD_FAST":
        return None
    k = at - 1
    while True:
        k -= 1
        if k < 0:
            return None
        i = instructions[k]
        if i.opname in ("STORE_FAST", "DELETE_FAST") and i.argval == right.argval:
            break
        if i.is_jump_target or i.opname.startswith(_LEAVES):
            return None
    if i.opname != "STORE_FAST" or k < 1 or instructions[k - 1].opname != "CALL":
        return None
    return _max_call(instructions, k - 1)


def summed_in_loop() -> bool:
    """Whether the division the caller's code is executing divides by a local (``/ n``, ``/
    max(n, c)``, ``/ avg`` with ``avg = max(float(n), 1.0)``) that this code -- or a function of
    its module it was assigned from the result of (``n = counted(targets)``, returning a local)
    -- only sets to a literal 0 before a ``for`` loop, adds one read to (``n += count``: a
    local set by ``int(x)`` / ``float(x)`` / ``x.item()`` earlier in the same iteration, or such
    a read written there) once in every
    iteration of that loop -- no jump in the loop skips the addition (``if b > 0:``,
    ``continue``, ``break``), no inner loop or ``try`` repeats or leaves it -- and floors with
    ``max(n, c)`` outside the loop (YOLOX's ``num_fg += num_fg_img``); or sets once to ``sum(x
    for t in it)`` of such reads without a filter. On Python 3.11 only (layouts checked); False
    otherwise."""
    if _VERSION not in _FLOOR_CHECKED:
        return False
    f = _caller()
    if f is None or any(_builtin(f, n) is not getattr(builtins, n) for n in ("max", "min", "sum", "float", "int")):
        return False
    return any(_proven(f, name) for name in _divisor_locals(f.f_code, _lasti(f)))


def least_summed_in_loop() -> tuple[tuple[Any, str], tuple[Any, str]] | None:
    """Where the division the caller's code is executing divides by a local that this code sets
    as ``summed_in_loop`` describes, each iteration adding a local set earlier in it by the builtin
    ``min`` of two sizes of locals (ULD's ``n = min(len(s), len(t))``, then ``count += n``): those
    two locals' values now (the last iteration's) and each size's kind, ``"len"`` or ``"numel"``.
    None otherwise, or on a Python whose layout was not checked."""
    if _VERSION not in _FLOOR_CHECKED:
        return None
    f = _caller()
    if f is None or any(_builtin(f, n) is not getattr(builtins, n) for n in ("max", "min", "sum", "float", "int", "len")):
        return None
    for name in _divisor_locals(f.f_code, _lasti(f)):
        operands = _least_operands(f.f_code, name) if _accumulated(f.f_code, name, False, True) is True else None
        if operands is not None:
            (a, kind_a), (b, kind_b) = operands
            held = _locals(f)
            return (held.get(a), kind_a), (held.get(b), kind_b)
    return None


def _least_of_reads(instructions: list[dis.Instruction], start: int, end: int) -> bool:
    """Whether ``instructions[start:end]`` is ``min(a, b)`` of the builtin, each operand a size of
    a local (``_local_size``), nothing after it."""
    return _least_spans(instructions, start, end) is not None


def _least_spans(instructions: list[dis.Instruction], start: int, end: int
                 ) -> tuple[tuple[str, str], tuple[str, str]] | None:
    span = instructions[start:end]
    if len(span) < 4 or span[-1].opname != "CALL" or span[-1].arg != 2 or span[-2].opname != "PRECALL" \
            or span[0].opname != "LOAD_GLOBAL" or span[0].argval != "min" or not (span[0].arg or 0) & 1:
        return None
    second = _operand_start(instructions, end - 2)
    if second is None or not start + 1 < second:
        return None
    a, b = _local_size(instructions[start + 1:second]), _local_size(instructions[second:end - 2])
    return (a, b) if a is not None and b is not None else None


def _local_size(span: list[dis.Instruction]) -> tuple[str, str] | None:
    """(the local, ``"len"`` or ``"numel"``) where ``span`` is ``len(x)`` or ``x.numel()`` of a local."""
    names = [i.opname for i in span]
    if names == ["LOAD_GLOBAL", "LOAD_FAST", "PRECALL", "CALL"] and span[0].argval == "len" and (span[0].arg or 0) & 1 \
            and span[3].arg == 1:
        return str(span[1].argval), "len"
    if names == ["LOAD_FAST", "LOAD_METHOD", "PRECALL", "CALL"] and span[1].argval == "numel" and span[3].arg == 0:
        return str(span[0].argval), "numel"
    return None


@_per_code(256)
def _least_operands(code: types.CodeType, name: str) -> tuple[tuple[str, str], tuple[str, str]] | None:
    """The two sized locals of ``min`` setting the local added to ``name`` (``least_summed_in_loop``)."""
    instructions = _instructions(code)
    added = [k for k in _stores(instructions, name) if _adds_to(instructions, k, name) is not None]
    value = instructions[added[0] - 2] if len(added) == 1 else None
    sets = _stores(instructions, value.argval) if value is not None and value.opname == "LOAD_FAST" else []
    set_at = _operand_start(instructions, sets[0]) if len(sets) == 1 else None
    return _least_spans(instructions, set_at, sets[0]) if set_at is not None else None


# ``BINARY_OP``'s argument -> the expression's name of the operator, for ``tensor_of_running_sums``
_SUM_OPS = {0: "add", 10: "sub", 5: "mul", 11: "div"}


def tensor_of_running_sums() -> tuple[tuple[Any, ...], dict[str, tuple[Any, float | None, str | None]]] | None:
    """At ``torch.tensor(e)`` the caller's code is executing (one positional argument, keywords
    ``dtype`` and ``device`` only, outside any loop): ``e`` as an expression tree where it is Python
    arithmetic (``+ - * /``, the builtins ``max(x, c)`` with a literal ``c`` and ``float(x)``) of
    literals and of locals that this code sets only as ``summed_in_loop`` describes -- a literal 0
    before a loop, one read or size added in every iteration, or ``n = sum(read for t in it)``, at
    most one floor ``n = max(n, c)`` after it that no jump skips -- every store of each before the
    call, no test of them anywhere (YOLOX's logged ``torch.tensor(num_fg / max(num_gts, 1))``).
    The tree's leaves are ``("local", name)`` and ``("c", x)``, its nodes ``(op, a, b)`` with
    ``op`` one of ``add``, ``sub``, ``mul``, ``div``, ``max``; with it, each local's (value now, the
    floor its store after the loop applies or None, ``"size"`` or ``"read"`` where the addition
    tells what it adds). None otherwise, or on a Python whose layout was not checked."""
    found = _executed_call(_FLOOR_CHECKED)
    if found is None:
        return None
    f, instructions, at = found
    if any(first <= at <= last for first, last in _loops(instructions)) \
            or any(_builtin(f, n) is not getattr(builtins, n) for n in ("max", "float", "int", "len")):
        return None
    spans = _call_spans(f.f_code, at)
    if spans is None or len(spans[0]) - len(spans[1]) != 1 or not set(spans[1]) <= {"dtype", "device"}:
        return None
    first, end = spans[0][0]
    names: dict[str, tuple[Any, float | None, str | None]] = {}
    tree = _sum_tree(f, instructions, first, end, at, names)
    if tree is None or not names:
        return None
    loads = [k for k, i in enumerate(instructions) if i.opname == "LOAD_FAST" and i.argval in names]
    if _tests_of(instructions, loads, _literal_locals(f.f_code)):
        return None  # ``if num_fg > 5:``: on a group alone its own sum decides
    return tree, names


def tensor_of_one_read() -> tuple[str, float | None, Any] | None:
    """At ``torch.tensor(n)`` the caller's code is executing (one positional argument, keywords
    ``dtype`` and ``device`` only, outside any loop): (the local ``n``, the floor ``c`` or None, its
    value now) where ``n`` is no parameter and its one store, before the call and skipped by no
    jump, is ``max(r, c)`` (``max(c, r)``) or ``r``, ``r`` a read on the host written there
    (``float(x)``, ``int(x)``, ``x.item()``), and no test loads ``n`` (EFL's logged ``torch.tensor(
    num_pos)`` with ``num_pos = max(float(pos.sum()), 1.0)``, survey 55). None otherwise, or on a
    Python whose layout was not checked."""
    found = _executed_call(_FLOOR_CHECKED)
    if found is None:
        return None
    f, instructions, at = found
    code = f.f_code
    if any(first <= at <= last for first, last in _loops(instructions)) \
            or any(_builtin(f, n) is not getattr(builtins, n) for n in ("max", "float", "int")):
        return None
    spans = _call_spans(code, at)
    if spans is None or len(spans[0]) - len(spans[1]) != 1 or not set(spans[1]) <= {"dtype", "device"}:
        return None
    first, end = spans[0][0]
    if end - first != 1 or instructions[first].opname != "LOAD_FAST":
        return None
    name = str(instructions[first].argval)
    if name in code.co_cellvars or name in code.co_freevars or name in _parameters(code):
        return None
    stores = _stores(instructions, name)
    if len(stores) != 1 or stores[0] >= at or instructions[stores[0]].opname != "STORE_FAST" or any(
            i.opcode in _JUMPS and isinstance(i.argval, int) and i.offset < instructions[stores[0]].offset < i.argval
            for i in instructions[:stores[0]]):
        return None
    k = stores[0]
    start = _operand_start(instructions, k)
    if start is None:
        return None
    inner, floor = (start, k), None
    c = _max_call(instructions, k - 1) if instructions[k - 1].opname == "CALL" else None
    if c is not None:
        two = _two_operands(instructions, k - 2)
        if two is None:
            return None
        lone = two[1] + 1 == k - 2 and instructions[two[1]].opname == "LOAD_CONST"  # the constant second
        inner, floor = ((two[0], two[1]) if lone else (two[1], k - 2)), c
    if _item_kind(instructions[inner[0]:inner[1]]) != "read":
        return None
    loads = [j for j, i in enumerate(instructions) if i.opname == "LOAD_FAST" and i.argval == name]
    if _tests_of(instructions, loads, _literal_locals(code)):
        return None
    return name, floor, _locals(f).get(name, _UNPROVEN)


def _sum_tree(f: types.FrameType, instructions: list[dis.Instruction], start: int, end: int, call: int,
              names: dict[str, tuple[Any, float | None, str | None]]) -> tuple[Any, ...] | None:
    """``tensor_of_running_sums``' tree of the code ``instructions[start:end]``, its locals added
    to ``names``; None where any part is not of that form."""
    span = instructions[start:end]
    if not span or any(i.is_jump_target for i in span):
        return None
    if len(span) == 1:
        i = span[0]
        if i.opname == "LOAD_CONST" and type(i.argval) in (int, float) and math.isfinite(i.argval):
            return ("c", float(i.argval))
        if i.opname != "LOAD_FAST":
            return None
        held = _running_local(f, instructions, str(i.argval), call)
        if held is None:
            return None
        names[str(i.argval)] = held
        return ("local", str(i.argval))
    last = span[-1]
    if last.opname == "BINARY_OP" and last.arg in _SUM_OPS:
        two = _two_operands(instructions, end - 1)
        if two is None or two[0] != start:
            return None
        left = _sum_tree(f, instructions, two[0], two[1], call, names)
        right = _sum_tree(f, instructions, two[1], end - 1, call, names) if left is not None else None
        return None if right is None else (_SUM_OPS[last.arg], left, right)
    if last.opname != "CALL" or end - start < 4 or instructions[end - 2].opname != "PRECALL":
        return None
    callee = span[0]
    if callee.opname != "LOAD_GLOBAL" or not (callee.arg or 0) & 1:
        return None
    if callee.argval == "float" and last.arg == 1:  # ``float(n)``: the same number
        return _sum_tree(f, instructions, start + 1, end - 2, call, names)
    c = _max_call(instructions, end - 1) if callee.argval == "max" else None
    two = _two_operands(instructions, end - 2) if c is not None else None
    if c is None or two is None or two[0] != start + 1:
        return None
    # the operand that is no lone literal (``_max_call`` found exactly one such)
    lone = two[1] + 1 == end - 2 and instructions[two[1]].opname == "LOAD_CONST"
    inner = _sum_tree(f, instructions, *((two[0], two[1]) if lone else (two[1], end - 2)), call, names)
    return None if inner is None else ("max", inner, ("c", c))


def _running_local(f: types.FrameType, instructions: list[dis.Instruction], name: str,
                   call: int) -> tuple[Any, float | None, str | None] | None:
    """(value, floor, what it adds: ``_added_kind``) of the local ``name`` for ``_sum_tree``: set by
    this code alone as ``summed_in_loop`` describes (``_accumulated``), every store before ``call``,
    any store but the first 0 and the addition a floor ``name = max(name, c)``; None otherwise."""
    code = f.f_code
    if name in code.co_cellvars or name in code.co_freevars \
            or name in code.co_varnames[:code.co_argcount + code.co_kwonlyargcount] or _accumulated(code, name) is not True:
        return None
    stores = _stores(instructions, name)
    if not stores or max(stores) >= call:
        return None
    floors, kinds = [], set()
    for k in stores:
        if _zero_store(instructions, k):
            continue
        if _adds_to(instructions, k, name) is not None:
            kinds.add(_added_kind(instructions, k))
            continue
        if _summed_generator(code, instructions, k):  # ``n = sum(len(t["boxes"]) for t in targets)``
            body = _instructions(instructions[k - 8].argval)
            yielded = next(j for j, i in enumerate(body) if i.opname == "YIELD_VALUE")
            first = _operand_start(body, yielded)
            kinds.add(_item_kind(body[first:yielded]) if first is not None else None)
            continue
        c = _max_call(instructions, k - 1) if instructions[k - 1].opname == "CALL" else None
        two = _two_operands(instructions, k - 2) if c is not None else None
        if c is None or two is None or any(  # a floor some jump may skip (``if len(targets) > 2:``)
                i.opcode in _JUMPS and isinstance(i.argval, int) and i.offset < instructions[k].offset < i.argval
                for i in instructions[:k]):
            return None
        loads = [i for i in instructions[two[0]:k - 2] if i.opname != "LOAD_CONST"]
        if len(loads) != 1 or loads[0].opname != "LOAD_FAST" or loads[0].argval != name:
            return None  # (``avg = max(float(n), 1.0)``, ``n = max(m, 1)``: not this form)
        floors.append(c)
    if len(floors) > 1:
        return None
    value = _locals(f).get(name, _UNPROVEN)
    if type(value) not in (int, float):
        return None
    return value, (floors[0] if floors else None), (kinds.pop() if len(kinds) == 1 else None)


def _added_kind(instructions: list[dis.Instruction], k: int) -> str | None:
    """What the addition stored at ``k`` (``n += x``, ``_adds_to``) adds: ``"size"`` for ``len(x)``
    or ``x.numel()``, ``"read"`` for ``int(x)``, ``float(x)``, ``x.item()``; through a local set
    once earlier (``n += num_fg_img``); None where that is not told."""
    right = _operand_start(instructions, k - 1)
    span = instructions[right:k - 1] if right is not None else []
    if len(span) == 1 and span[0].opname == "LOAD_FAST":
        sets = _stores(instructions, str(span[0].argval))
        start = _operand_start(instructions, sets[0]) if len(sets) == 1 else None
        span = instructions[start:sets[0]] if start is not None else []
    return _item_kind(span)


def _item_kind(span: list[dis.Instruction]) -> str | None:
    """``_added_kind`` of the code ``span`` pushing the item added."""
    if len(span) < 3:
        return None
    if span[0].opname == "LOAD_GLOBAL" and span[0].argval == "len" or span[-3].opname == "LOAD_METHOD" \
            and span[-3].argval == "numel":
        return "size"
    if span[0].opname == "LOAD_GLOBAL" and span[0].argval in ("int", "float") or span[-3].opname == "LOAD_METHOD" \
            and span[-3].argval == "item":
        return "read"
    return None


def summed_multiple(body: Callable[[], BodyCall | None] | None = None) -> float | None:
    """``k`` where the division the caller's code is executing divides by ``k * n`` or ``n * k``,
    also floored by the builtin ``max`` with a literal written there (``max(1, n * k)``), ``k`` a
    positive int or float literal or, given ``body``, a constant of the call (``_constant_of_call``:
    FreeAnchor's ``topk`` at its default) and ``n`` a local this code sets as ``summed_in_loop``
    describes (MiDaS' trimmed loss, ``/ (2 * M)`` with ``M += len(r)`` over the images): on a group
    alone ``k`` times the group's sum (floored as the code floors it). None otherwise, or on a
    Python whose layout was not checked."""
    if _VERSION not in _FLOOR_CHECKED:
        return None
    f = _caller()
    if f is None or any(_builtin(f, n) is not getattr(builtins, n) for n in ("max", "min", "sum", "float", "int", "len")):
        return None
    found = _multiplied_local(f.f_code, _lasti(f))
    if found is None or not _proven(f, found[0]):
        return None
    if not isinstance(found[1], tuple):
        return found[1]
    # the span of a name: a constant of the call, or no proof
    k: Any = _constant_of_call(f, *found[1], body, own=None) if body is not None else _UNPROVEN
    return float(k) if type(k) in (int, float) and k > 0 and not math.isinf(k) else None


@_per_code(1024)
def _multiplied_local(code: types.CodeType, lasti: int) -> tuple[str, float | tuple[int, int]] | None:
    """For ``summed_multiple``: (``n``, ``k``) of a divisor written ``k * n`` or ``n * k`` (or
    floored, ``max(c, k * n)``), ``k`` a literal's value or the span of the name loaded for it
    (read per call), else None."""
    instructions, at = _located(code, lasti)
    if at is None or instructions[at].opname != "BINARY_OP" or instructions[at].arg not in _DIVISIONS:
        return None
    right = _operand_start(instructions, at)
    if right is not None and instructions[at - 1].opname == "CALL" and _max_call(instructions, at - 1) is not None:
        # ``max(1, n * k)``: the product is the argument that is no literal
        first, second = _two_operands(instructions, at - 2) or (None, None)
        if first is None or second is None:
            return None
        product = (first, second) if instructions[second - 1].opname == "BINARY_OP" else (second, at - 2)
        right, end = product
    else:
        end = at
    if right is None:
        return None
    span = instructions[right:end]
    ops = [i.opname for i in span]
    if len(span) != 3 or span[2].opname != "BINARY_OP" or span[2].arg not in _PRODUCTS \
            or any(i.is_jump_target for i in span):
        return None
    names = [(j, i) for j, i in enumerate(span[:2]) if i.opname == "LOAD_FAST"]
    k: float | tuple[int, int]
    if ops[:2] in (["LOAD_CONST", "LOAD_FAST"], ["LOAD_FAST", "LOAD_CONST"]):
        const, local = (span[0], span[1]) if ops[0] == "LOAD_CONST" else (span[1], span[0])
        if type(const.argval) not in (int, float) or not const.argval > 0 or math.isinf(const.argval):
            return None
        k = float(const.argval)
    elif len(names) == 2:  # ``n * topk``: the local summed in a loop times a name (proven a constant per call)
        summed = [(j, i) for j, i in names if _accumulated(code, str(i.argval)) is True]
        if len(summed) != 1:
            return None
        local = summed[0][1]
        other = 1 - summed[0][0]
        k = (right + other, right + other + 1)
    else:
        return None
    loads = [j for j, i in enumerate(instructions) if i.opname == "LOAD_FAST" and i.argval == local.argval]
    if _tests_of(instructions, loads, _literal_locals(code)):  # ``if M > 70:``: on a group alone its sum decides
        return None
    return str(local.argval), k


def summed_item_floor() -> float | None:
    """The floor ``c`` of each item where the division the caller's code is executing divides by
    a local this code sets as ``summed_in_loop`` describes but adding reads floored one by one:
    ``n = sum(max(t["pos_inds"].numel(), 1) for t in targets)`` over a parameter (CSL's
    ``num_total_pos``), or ``n = 0`` then ``n += max(len(gt), 1)`` in every iteration of a
    ``for`` loop. On a group alone it is the sum of the group's items floored at ``c``. None
    otherwise, or on a Python whose layout was not checked."""
    if _VERSION not in _FLOOR_CHECKED:
        return None
    f = _caller()
    if f is None or any(_builtin(f, n) is not getattr(builtins, n) for n in ("max", "min", "sum", "float", "int", "len")):
        return None
    found = {_accumulated(f.f_code, name, True) for name in _divisor_locals(f.f_code, _lasti(f))
             if not name.startswith(_CALLED)} - {False}
    c = found.pop() if len(found) == 1 else None
    return c if type(c) is float else None


def summed_argument_sizes() -> str | None:
    """``"argument"`` where the division the caller's code is executing divides by a local this
    code stores once, outside any loop, as ``sum(len(x) for t in p)`` (one size of each item,
    ``len`` or ``numel``, no filter, no arithmetic) over a parameter ``p`` it never stores, maybe
    floored after it (YOLACT's ``total_num_pos = sum(len(t["pos"]) for t in targets)``): on a group
    alone the sum of the group's items' sizes, whatever numbers the body read on the host elsewhere
    (the code makes it of sizes alone). ``"slice"`` where the generator runs over a slice of such a
    parameter (``for t in targets[:2]``): on a group alone other items. None otherwise, or on a
    Python whose layout was not checked."""
    if _VERSION not in _FLOOR_CHECKED:
        return None
    f = _caller()
    if f is None or _builtin(f, "max") is not builtins.max or _builtin(f, "sum") is not builtins.sum \
            or _builtin(f, "len") is not builtins.len:
        return None
    found = set()
    for name in _divisor_locals(f.f_code, _lasti(f)):  # (a loop: no comprehension per division)
        found.add(_summed_sizes_local(f.f_code, name))
    found.discard(None)
    return found.pop() if len(found) == 1 else None


@_per_code(1024)
def _summed_sizes_local(code: types.CodeType, name: str) -> str | None:
    """``summed_argument_sizes``' reading of the local ``name`` of ``code``."""
    instructions = _instructions(code)
    stores = _stores(instructions, name)
    summed = [(k, over) for k in stores for over in (_sizes_generator(code, instructions, k),) if over]
    if len(summed) != 1 or name in code.co_cellvars or name in _parameters(code):
        return None
    k, over = summed[0]
    if _in_loop(code, instructions[k].offset) \
            or not all(j == k or j > k and _after_sum(instructions, j, name) for j in stores):
        return None
    return over


def _sizes_generator(code: types.CodeType, instructions: list[dis.Instruction], k: int) -> str | None:
    """What the store at ``k`` sums, where it stores ``sum(<size> for t in it)`` (a generator yielding
    ``len(x)`` or ``x.numel()``, no filter, no arithmetic): ``"argument"`` for ``it`` a parameter of
    ``code`` it never stores, ``"slice"`` for a slice of one (``targets[:2]``); None otherwise."""
    tail = [i.opname for i in instructions[k - 5 : k]] if k >= 5 else []
    if tail != ["GET_ITER", "PRECALL", "CALL", "PRECALL", "CALL"] or instructions[k - 3].arg != 0 \
            or instructions[k - 1].arg != 1:
        return None
    start = _operand_start(instructions, k - 5)
    if start is None or start < 3:
        return None
    callee, made, make = instructions[start - 3], instructions[start - 2].argval, instructions[start - 1]
    if callee.opname != "LOAD_GLOBAL" or callee.argval != "sum" or not (callee.arg or 0) & 1 \
            or not isinstance(made, types.CodeType) or made.co_name != "<genexpr>" \
            or make.opname != "MAKE_FUNCTION" or make.arg != 0:
        return None
    body = _instructions(made)
    names = [i.opname for i in body]
    yielded = [j for j, i in enumerate(body) if i.opname == "YIELD_VALUE"]
    first = _operand_start(body, yielded[0]) if len(yielded) == 1 else None
    if first is None or _item_kind(body[first : yielded[0]]) != "size" or "BINARY_OP" in names \
            or [i.opname for i in body if i.opcode in _JUMPS] != ["FOR_ITER", "JUMP_BACKWARD"] or _exception_entries(made):
        return None
    it = instructions[start : k - 5]
    if it[0].opname != "LOAD_FAST" or it[0].argval not in code.co_varnames[: code.co_argcount + code.co_kwonlyargcount] \
            or _stores(instructions, it[0].argval, True):
        return None
    if len(it) == 1:
        return "argument"
    sliced = it[-2].opname == "BUILD_SLICE" and it[-1].opname == "BINARY_SUBSCR" \
        and all(i.opname == "LOAD_CONST" for i in it[1:-2])
    return "slice" if sliced else None


def _proven(f: types.FrameType, name: str) -> bool:
    """Whether ``f``'s code sets the local ``name`` as ``summed_in_loop`` describes, or a
    function of its module does (``_CALLED``), one level down."""
    found = name[len(_CALLED) :] if name.startswith(_CALLED) else _accumulated(f.f_code, name)
    if isinstance(found, str):  # ``n = counted(targets)``: that function returns the sum
        helper = f.f_globals.get(found)
        code = getattr(helper, "__code__", None)
        if not isinstance(code, types.CodeType) or getattr(helper, "__globals__", None) is not f.f_globals:
            return False
        returned = _returned_local(code)
        found = returned is not None and _accumulated(code, returned) is True
    return found is True


def computed_divisor(products: bool, inline: bool = True) -> bool:
    """Whether the divisor of the division the caller's code is executing is (with ``inline``),
    or loads a local holding a number or a one-element tensor (``/ d``, ``/ max(d, 1)``, ``/
    float(d)``) that the code assigns -- directly or through other such locals -- from, Python
    arithmetic other than an addition on something the body computed (``n // 2``, ``30 - n``,
    ``int(n * 0.5)``, ``d = n // 2``, ``n = len(pos) * 2 - 1``, ``d = torch.tensor(n - 10.0)``;
    with ``products`` also ``d = n * 0.5``): on a group alone the body computes it from the
    group's numbers, so its value equal to a count of the batch or to a read is a coincidence
    (review12); so is a local assigned where two paths meet (``d = n if n > 15 else 15``: the
    decision is the batch's). An addition stays (``n += num_pos`` in a loop, ``n + 1e-6``), and so do a
    subtraction from a ``numel()`` (``labels.numel() - ignored``: the group's elements not summed)
    and arithmetic of literals and configuration (``T - 1``). False on an unchecked Python (as
    before)."""
    found = _executed(_FLOOR_CHECKED)
    if found is None:
        return False
    f, instructions, at = found
    if at is None or instructions[at].opname != "BINARY_OP" or instructions[at].arg not in _DIVISIONS:
        return False
    right = _operand_start(instructions, at)
    if right is None:
        return inline
    if inline and _arithmetic_span(tuple(instructions[right:at]), products):
        return True
    todo, seen = list(_divisor_locals(f.f_code, _lasti(f))), set()
    while todo:
        name = todo.pop()
        value = _locals(f).get(name)
        if name in seen or name.startswith(_CALLED) or not (
                type(value) in (int, float) or isinstance(value, (int, float)) and not isinstance(value, bool)
                or getattr(value, "numel", lambda: 0)() == 1):
            continue
        seen.add(name)
        flagged, loaded = _stored_arithmetic(f.f_code, name, products)
        if flagged:
            return True
        todo.extend(loaded)
    return False


def _arithmetic_span(span: tuple[dis.Instruction, ...], products: bool) -> bool:
    """Whether ``span`` computes a number from a local or a call's result with an operator
    ``computed_divisor`` names."""
    if not any(i.opname in ("LOAD_FAST", "LOAD_DEREF", "CALL") for i in span):
        return False
    rounded = products or any(i.opname == "LOAD_GLOBAL" and i.argval in ("int", "round") for i in span)
    counted = any(i.opname in ("LOAD_METHOD", "LOAD_ATTR") and i.argval in ("numel", "size") for i in span)
    return any(i.opname == "BINARY_OP" and i.arg not in (0, 13) and (i.arg not in _PRODUCTS or rounded)
               and not (counted and i.arg in (10, 23)) for i in span)


def _decided(instructions: list[dis.Instruction], k: int) -> bool:
    """Whether the statement whose value the store at ``k`` stores, where two paths meet, compares
    (``n if n > 15 else 15``) or takes the truth of a value (``n or 1``); a choice by a flag
    (``n * 1.0 if copy else n``) is none."""
    j = k - 1
    while j > 0 and not instructions[j - 1].opname.startswith(("STORE_", "POP_TOP", "RETURN")):
        j -= 1
    return any(i.opname == "COMPARE_OP" or i.opname.startswith("JUMP_IF_") for i in instructions[j:k])


@_per_code(1024)
def _stored_arithmetic(code: types.CodeType, name: str, products: bool) -> tuple[bool, tuple[str, ...]]:
    """(whether a store of the local ``name`` in ``code`` computes it as ``_arithmetic_span``
    says, the other locals its stores load)."""
    instructions = _instructions(code)
    loaded: list[str] = []
    for k in _stores(instructions, name):
        if instructions[k].is_jump_target and instructions[k].opname == "STORE_FAST" and _decided(instructions, k):
            return True, ()  # ``d = n if n > 15 else 15``, ``d = n or 1``: a decision Python took on a number
        start = _operand_start(instructions, k)
        if start is None:
            continue
        span = tuple(instructions[start:k])
        if _arithmetic_span(span, products):
            return True, ()
        loaded.extend(str(i.argval) for i in span if i.opname in ("LOAD_FAST", "LOAD_DEREF") and i.argval != name)
    return False, tuple(loaded)


@_per_code(1024)
def _divisor_locals(code: types.CodeType, lasti: int) -> tuple[str, ...]:
    """The locals the divisor of the division at ``lasti`` loads (see ``_floored_locals``)."""
    instructions, at = _located(code, lasti)
    if at is None or instructions[at].opname != "BINARY_OP" or instructions[at].arg not in _DIVISIONS:
        return ()
    right = _operand_start(instructions, at)
    return _floored_locals(instructions, right, at) if right is not None else ()


@_per_code(1024)
def _returned_local(code: types.CodeType) -> str | None:
    """The local every ``return`` of ``code`` returns (``return n``), else None."""
    instructions = _instructions(code)
    returns = [k for k, i in enumerate(instructions) if i.opname == "RETURN_VALUE"]
    loads = {instructions[k - 1].argval if k and instructions[k - 1].opname == "LOAD_FAST" else None for k in returns}
    return loads.pop() if len(loads) == 1 and None not in loads else None


@_per_code(1024)
def _accumulated(code: types.CodeType, name: str, floored: bool = False, least: bool = False) -> bool | str | float:
    """Whether ``code`` sets the local ``name`` only as ``summed_in_loop`` describes; or the name
    of the module-level function whose result is its only value (``n = counted(t)``), to check.
    With ``floored`` (``summed_item_floor``), each item added must be a read floored at a
    constant (``max(len(gt), 1)``): that floor, else False. With ``least``
    (``least_summed_in_loop``), each item added must be a local set by ``min`` of two reads, no
    floor, no helper."""
    instructions = _instructions(code)
    stores = _stores(instructions, name)
    if least and (floored or len(stores) < 2):
        return False
    if len(stores) == 1 and _floor_store(instructions, stores[0], None):  # ``avg = max(float(n), 1.0)``
        first = _operand_start(instructions, stores[0], target_first=True)
        for inner in _floored_locals(instructions, first, stores[0]) if first is not None else ():
            if inner.startswith(_CALLED):  # ``n = max(counted(t), 1)``
                return inner[len(_CALLED) :] if not floored else False
            if inner != name and all(k < stores[0] for k in _stores(instructions, inner)):
                found = _accumulated(code, inner, floored)
                if found:
                    return found
        return False
    called = [k for k in stores if _global_call(instructions, k) is not None]
    if least and called:
        return False
    if called:  # ``n = counted(t)``, then maybe floored
        ok = len(called) == 1 and all(k == called[0] or k > called[0] and _after_sum(instructions, k, name) for k in stores)
        return (_global_call(instructions, called[0]) or False) if ok and not floored else False
    # ``n = sum(int(..) for t in targets)``
    summed = [] if least else [(k, item) for k in stores for item in (_summed_generator(code, instructions, k, floored),)
                               if item]
    if summed:
        return summed[0][1] if len(summed) == 1 and all(
            k == summed[0][0] or k > summed[0][0] and _after_sum(instructions, k, name) for k in stores) else False
    added = [(k, start) for k in stores for start in (_adds_to(instructions, k, name, floored),) if start is not None]
    if len(added) != 1:
        return False
    ((add, start),) = added
    loop = _loop_of(instructions, add)
    if loop is None:
        return False
    head, end = loop
    if floored and not _over_parameter(code, instructions, head):
        return False
    value = instructions[add - 2]
    item: bool | float | None = _floored_read(instructions, start + 1, add - 1) if floored else not least
    if value.opname == "LOAD_FAST":  # ``n += num_fg_img``: set by a call earlier in the same iteration
        sets = _stores(instructions, value.argval)
        set_at = _operand_start(instructions, sets[0]) if len(sets) == 1 else None
        read = _least_of_reads if least else _is_read
        item = None if set_at is None else _floored_read(instructions, set_at, sets[0]) if floored \
            else read(instructions, set_at, sets[0])
        if set_at is None or not head < sets[0] < start or not item:
            return False  # ``n += prev``: a value kept from another iteration; ``n = f(x)``
        start = set_at
    if not item or not _unconditional(code, instructions, head, start, add):
        return False
    loops = _loops(instructions)
    for k in stores:  # the others: a 0 before the loop, a floor after it, in no loop around the addition
        if k == add:
            continue
        if any(first <= min(k, add) and max(k, add) < last for first, last in loops):
            return False  # ``for t in targets: n = 0; for ..: n += c``: reset in an outer loop
        if not (_zero_store(instructions, k) and k < head or k > end and _after_sum(instructions, k, name)):
            return False
    return item if any(k < head and _zero_store(instructions, k) for k in stores) else False


def _loops(instructions: list[dis.Instruction]) -> list[tuple[int, int]]:
    """(first index, closing jump's index) of every loop: the span of each backward jump (its
    target may be an EXTENDED_ARG, which ``dis`` does not list: the next instruction)."""
    spans = []
    for j, i in enumerate(instructions):
        if i.opcode in _JUMPS and isinstance(i.argval, int) and i.argval <= i.offset:
            spans.append((next(h for h, x in enumerate(instructions) if x.offset >= i.argval), j))
    return spans


def _global_call(instructions: list[dis.Instruction], k: int) -> str | None:
    """The global name of the function the store at ``k`` stores the result of, called with
    plain locals or constants (``n = counted(targets)``), else None."""
    if k < 3 or instructions[k].opname != "STORE_FAST" or instructions[k - 1].opname != "CALL":
        return None
    first = _operand_start(instructions, k)
    return _called_global(instructions[first:k]) if first is not None else None


def _called_global(span: list[dis.Instruction]) -> str | None:
    """The global name of the function ``span`` calls with plain locals or constants, else None."""
    if len(span) < 3 or span[-1].opname != "CALL" or span[-2].opname != "PRECALL":
        return None
    callee = span[0]
    if callee.opname != "LOAD_GLOBAL" or not (callee.arg or 0) & 1 or callee.argval in ("max", "min", "sum", "float", "int"):
        return None
    if any(i.opname not in ("LOAD_FAST", "LOAD_CONST") for i in span[1:-2]):
        return None
    return str(callee.argval)


_CALLED = "()"  # before a global's name, where a divisor is that function's result (no local's name starts so)


def _stores(instructions: list[dis.Instruction], name: str, cells: bool = False) -> list[int]:
    """Indices of the instructions that store or delete the local ``name`` (with ``cells``, also
    one a nested function reads: ``n`` of ``[... for i in range(n)]``)."""
    entry = _STORE_INDEX.get(id(instructions))
    if entry is None or entry[0] is not instructions:
        entry = _store_index(instructions)
    return list((entry[2] if cells else entry[1]).get(name, ()))


_CELL_STORES = ("STORE_FAST", "DELETE_FAST", "STORE_DEREF", "DELETE_DEREF")

# id of an instruction list (held in its entry, so its id stays its own) -> the list, then the
# indices of each name's stores and deletes: fast locals only, and with the cells. Asked ~6 times a
# call on the seed's body, each a scan of all its instructions before.
_STORE_INDEX: dict[int, tuple[list[dis.Instruction], dict[str, list[int]], dict[str, list[int]]]] = {}


def _store_index(instructions: list[dis.Instruction]) -> tuple[list[dis.Instruction], dict[str, list[int]],
                                                                 dict[str, list[int]]]:
    fast: dict[str, list[int]] = {}
    cells: dict[str, list[int]] = {}
    for k, i in enumerate(instructions):
        if i.opname in _CELL_STORES:
            cells.setdefault(i.argval, []).append(k)
            if i.opname in ("STORE_FAST", "DELETE_FAST"):
                fast.setdefault(i.argval, []).append(k)
    if len(_STORE_INDEX) >= 1024:
        _STORE_INDEX.clear()
    entry = _STORE_INDEX[id(instructions)] = (instructions, fast, cells)
    return entry


def _floored_locals(instructions: list[dis.Instruction], start: int, end: int) -> tuple[str, ...]:
    """The locals a divisor operand ``instructions[start:end]`` may hold its count in: ``n``,
    ``float(n)`` / ``int(n)``, a module function's result (``_CALLED``), or either argument of
    the builtin ``max`` / ``min`` of two of those (the floor is ``divisor_floor``'s business)."""
    span = instructions[start:end]
    if len(span) == 1 and span[0].opname == "LOAD_FAST":
        return (str(span[0].argval),)
    called = _called_global(span)
    if called is not None:  # ``max(counted(t), 1)``: that function returns the sum
        return (_CALLED + called,)
    if [i.opname for i in span] == ["LOAD_GLOBAL", "LOAD_FAST", "PRECALL", "CALL"] and span[0].argval in ("float", "int") \
            and (span[0].arg or 0) & 1 and span[2].arg == 1:
        return (str(span[1].argval),)
    call = end - 1
    if span[-1].opname != "CALL" or span[-1].arg != 2 or instructions[call - 1].opname != "PRECALL" \
            or not (span[0].opname == "LOAD_GLOBAL" and span[0].argval in ("max", "min") and (span[0].arg or 0) & 1):
        return ()
    second = _operand_start(instructions, call - 1)
    first = _operand_start(instructions, second) if second is not None else None
    if first != start + 1 or second is None or any(i.opname == "KW_NAMES" for i in instructions[first:call]):
        return ()
    return _floored_locals(instructions, first, second) + _floored_locals(instructions, second, call - 1)


def _summed_generator(code: types.CodeType, instructions: list[dis.Instruction], k: int,
                      floored: bool = False) -> bool | float:
    """Whether the store at ``k`` stores ``sum(x for t in it)`` with no filter, no arithmetic
    and one read per item in the generator (``sum(int(t["fg"].sum()) for t in targets)``). With
    ``floored``: ``x`` a read floored at a constant (``max(t["pos_inds"].numel(), 1)``) over a
    parameter of ``code`` it never stores, that floor (else False)."""
    call = [i.opname for i in instructions[k - 9 : k]] if k >= 9 else []
    if call != ["LOAD_GLOBAL", "LOAD_CONST", "MAKE_FUNCTION", "LOAD_FAST", "GET_ITER", "PRECALL", "CALL", "PRECALL", "CALL"]:
        return False
    callee, made = instructions[k - 9], instructions[k - 8].argval
    if callee.argval != "sum" or not (callee.arg or 0) & 1 or not isinstance(made, types.CodeType):
        return False
    if instructions[k - 7].arg != 0 or instructions[k - 4].arg != 0 or instructions[k - 2].arg != 1:
        return False
    if floored and not _over_parameter(code, instructions, k - 5):
        return False
    body = _instructions(made)
    yielded = [j for j, i in enumerate(body) if i.opname == "YIELD_VALUE"]
    first = _operand_start(body, yielded[0]) if len(yielded) == 1 else None
    item = None if first is None else _floored_read(body, first, yielded[0]) if floored else _is_read(body, first, yielded[0])
    if not item:
        return False
    names = [i.opname for i in body]
    jumps = [i.opname for i in body if i.opcode in _JUMPS]
    entries = _exception_entries(made)
    return item if (made.co_name == "<genexpr>" and jumps == ["FOR_ITER", "JUMP_BACKWARD"]
                    and names.count("YIELD_VALUE") == 1 and "BINARY_OP" not in names and entries == []) else False


def _over_parameter(code: types.CodeType, instructions: list[dis.Instruction], k: int) -> bool:
    """Whether the loop whose GET_ITER is at ``k`` (or right before the FOR_ITER at ``k``) iterates
    a parameter of ``code`` as passed: a lone load of it, never stored (``for t in targets``)."""
    k = k - 1 if instructions[k].opname == "FOR_ITER" else k
    if k < 1 or instructions[k].opname != "GET_ITER" or instructions[k - 1].opname != "LOAD_FAST":
        return False
    name = instructions[k - 1].argval
    return name in code.co_varnames[:code.co_argcount + code.co_kwonlyargcount] and not _stores(instructions, name, True)


def _floored_read(instructions: list[dis.Instruction], start: int, end: int) -> float | None:
    """``c`` where ``instructions[start:end]`` is ``max(x, c)`` or ``max(c, x)``, ``c`` a whole
    number >= 1 and ``x`` a read (``_is_read``: ``len(gt)``, ``pos.numel()``); None otherwise."""
    if end - start < 6 or instructions[end - 1].opname != "CALL":
        return None
    c = _max_call(instructions, end - 1)
    found = _two_operands(instructions, end - 2) if c is not None and c >= 1 and c.is_integer() else None
    if found is None or found[0] != start + 1:
        return None
    first, second = found
    read = (first, second) if end - 2 - second == 1 and instructions[second].opname == "LOAD_CONST" else (second, end - 2)
    return c if _is_read(instructions, *read) else None


def _adds_to(instructions: list[dis.Instruction], k: int, name: str, floored: bool = False) -> int | None:
    """Where the statement starts when the store at ``k`` is ``name += x`` (or ``name = name +
    x``), ``x`` a lone local or a read (``int(fg.sum())``, see ``_is_read``; with ``floored``, a
    read floored at a constant, ``_floored_read``)."""
    if instructions[k].opname != "STORE_FAST" or k < 3:
        return None
    op = instructions[k - 1]
    if op.opname != "BINARY_OP" or op.arg not in (0, 13) or op.is_jump_target or instructions[k].is_jump_target:
        return None
    right = _operand_start(instructions, k - 1)
    left = _operand_start(instructions, right) if right is not None else None
    if right is None or left is None or right - left != 1:
        return None
    first = instructions[left]
    if first.opname != "LOAD_FAST" or first.argval != name:
        return None
    value = instructions[right : k - 1]
    if any(i.is_jump_target for i in value):
        return None
    if len(value) == 1:
        return left if value[0].opname == "LOAD_FAST" and value[0].argval != name else None
    read = _floored_read(instructions, right, k - 1) if floored else _is_read(instructions, right, k - 1)
    lone = read and not any(i.opname == "LOAD_FAST" and i.argval == name for i in value)
    return left if lone else None


def _is_read(instructions: list[dis.Instruction], start: int, end: int) -> bool:
    """Whether ``instructions[start:end]`` is a read of a number on the host and nothing after
    it: ``int(x)`` / ``float(x)`` of one expression, or ``x.item()``; also a size of one tensor,
    ``len(x)`` or ``x.numel()``; no arithmetic in ``x``."""
    span = instructions[start:end]
    if len(span) < 3 or span[-1].opname != "CALL" or span[-2].opname != "PRECALL" \
            or any(i.opname == "BINARY_OP" or i.is_jump_target for i in span):
        return False
    if span[-3].opname == "LOAD_METHOD" and span[-3].argval in ("item", "numel") and span[-1].arg == 0:
        return True
    callee = span[0]
    return (callee.opname == "LOAD_GLOBAL" and callee.argval in ("int", "float", "len") and bool((callee.arg or 0) & 1)
            and span[-1].arg == 1 and _operand_start(instructions, end - 2) == start + 1)


def _loop_of(instructions: list[dis.Instruction], k: int) -> tuple[int, int] | None:
    """(index of the FOR_ITER, index of its closing jump) of the innermost ``for`` loop around
    index ``k``, where that loop is the innermost loop of any kind around it; None otherwise."""
    around = [(first, last) for first, last in _loops(instructions) if first <= k < last]
    if not around:
        return None
    head, last = max(around)  # the innermost: the latest start
    return (head, last) if instructions[head].opname == "FOR_ITER" and head < k else None


def _unconditional(code: types.CodeType, instructions: list[dis.Instruction], head: int, start: int, add: int) -> bool:
    """Whether every iteration of the loop at ``head`` that reaches index ``start`` first runs the
    instructions from ``start`` to ``add`` once: no jump between the loop's head and ``add`` lands
    after ``start`` or outside the loop body before it (``continue``, ``break``, ``if``), no jump
    enters that span, and no ``try`` / ``with`` covers any of it. A ``try`` / ``with`` before
    ``start`` whose handler code lies there too (``with torch.no_grad():`` in mmdet's per-image
    assigners) may only re-raise or reach the addition, its jumps checked as the others: so the
    addition still runs once."""
    lo, hi, first = instructions[head].offset, instructions[add].offset, instructions[start].offset
    for i in instructions[head + 1 : add + 1]:
        if i.opcode in _JUMPS and isinstance(i.argval, int) and not lo < i.argval <= first:
            return False
    if any(i.is_jump_target for i in instructions[start + 1 : add + 1]):
        return False
    entries = _exception_entries(code)
    return entries is not None and not any(
        e.start <= hi and e.end > first or e.start <= hi and e.end > lo and not lo < e.target < first for e in entries)


def _zero_store(instructions: list[dis.Instruction], k: int) -> bool:
    """Whether the store at ``k`` stores a literal 0 (``n = 0``, ``n, m = 0.0, 0.0``, ``n, masks =
    0.0, []``)."""
    first = k
    while first > 0 and instructions[first - 1].opname == "STORE_FAST":
        first -= 1
    last = k
    while last + 1 < len(instructions) and instructions[last + 1].opname == "STORE_FAST":
        last += 1
    run, place = last - first + 1, k - first
    if first < 1:
        return False
    before = instructions[first - 1]
    if before.opname == "UNPACK_SEQUENCE":  # of a constant tuple: the first store takes item 0
        values = instructions[first - 2].argval if first > 1 and instructions[first - 2].opname == "LOAD_CONST" else None
        if type(values) is not tuple or len(values) != before.arg or run != before.arg:
            return False
        value = values[place]
        return type(value) in (int, float) and value == 0
    swapped = before.opname == "SWAP" and before.arg == run  # ``a, b, c = x, y, z``: a takes x
    end = first - 1 if swapped else first
    pushed: list[tuple[int, int]] = []
    for _ in range(run):
        begin = _operand_start(instructions, end)
        if begin is None:
            return False
        pushed.insert(0, (begin, end))
        end = begin
    begin, end = pushed[place] if swapped else pushed[run - 1 - place]  # unswapped: the last pushed first
    value = instructions[begin]
    return end - begin == 1 and value.opname == "LOAD_CONST" and type(value.argval) in (int, float) and value.argval == 0


def _floor_store(instructions: list[dis.Instruction], k: int, name: str | None) -> bool:
    """Whether the store at ``k`` is ``max(name, c)`` (or ``max(c, name)``, ``float(name)``...; any
    local for ``name`` None)."""
    if k < 1 or instructions[k].opname != "STORE_FAST" or instructions[k - 1].opname != "CALL":
        return False
    first = _operand_start(instructions, k, target_first=True)  # (a statement right after a loop starts at its exit)
    found = _floored_locals(instructions, first, k) if first is not None else ()
    return bool(found) and (name is None or name in found)


def _after_sum(instructions: list[dis.Instruction], k: int, name: str) -> bool:
    return _floor_store(instructions, k, name) or _eps_store(instructions, k, name)


def _eps_store(instructions: list[dis.Instruction], k: int, name: str) -> bool:
    """Whether the store at ``k`` is ``name = x + c``, ``x`` as for ``_floor_store`` (``max(n, 1)
    + 1e-4``: a number the division's value check matches up to such an eps)."""
    if k < 3 or instructions[k].opname != "STORE_FAST" or instructions[k - 1].opname != "BINARY_OP" \
            or instructions[k - 1].arg != 0 or instructions[k - 2].opname != "LOAD_CONST":
        return False
    first = _operand_start(instructions, k - 2)
    found = _floored_locals(instructions, first, k - 2) if first is not None else ()
    return name in found


def _max_call(instructions: list[dis.Instruction], call: int) -> float | None:
    """``c`` where the CALL at index ``call`` is ``max(x, c)`` or ``max(c, x)`` (LOAD_GLOBAL max,
    the two arguments, PRECALL 2, CALL 2) with ``c`` an int or float constant and ``x`` any
    straight-line expression; None otherwise."""
    if instructions[call].arg != 2 or call < 4:
        return None
    precall = instructions[call - 1]
    found = _two_operands(instructions, call - 1) if precall.opname == "PRECALL" and precall.arg == 2 else None
    if found is None or found[0] < 1:
        return None
    first, second = found
    if any(i.opname == "KW_NAMES" for i in instructions[first:call]):  # ``max(x, key=...)``, ``default=``
        return None
    callee = instructions[first - 1]
    if callee.opname != "LOAD_GLOBAL" or callee.argval != "max" or not (callee.arg or 0) & 1:
        return None
    # the constant is one whole argument (one LOAD_CONST), the other is not
    consts = [k for k, stop in ((first, second), (second, call - 1)) if stop - k == 1 and instructions[k].opname == "LOAD_CONST"]
    if len(consts) != 1:
        return None
    c = instructions[consts[0]].argval
    return float(c) if type(c) in (int, float) else None


def _two_operands(instructions: list[dis.Instruction], k: int) -> tuple[int, int] | None:
    """Where the two operands the instruction at ``k`` takes start (first, second), in straight-line
    code: it and the next instruction no jump target; None otherwise."""
    if instructions[k].is_jump_target or instructions[k + 1].is_jump_target:
        return None
    second = _operand_start(instructions, k)
    first = _operand_start(instructions, second) if second is not None else None
    return None if first is None or second is None else (first, second)


def _operand_start(instructions: list[dis.Instruction], end: int, target_first: bool = False) -> int | None:
    """The index where the straight-line code that pushes the one value right below ``end``
    starts (its instructions net one value pushed); None at a jump, a jump target or the start.
    ``target_first``: its first instruction may be a jump target (``x /= n`` right after a loop,
    whose exit lands on the load of ``x``)."""
    key = (id(instructions), end, target_first)
    known = _OPERAND_STARTS.get(key)
    if known is not None and known[0] is instructions:  # the list is held there: its id is its own
        return known[1]
    if len(_OPERAND_STARTS) >= 4096:
        _OPERAND_STARTS.clear()
    found = _OPERAND_STARTS[key] = (instructions, _scanned_operand_start(instructions, end, target_first))
    return found[1]


# ``_operand_start`` per instruction list (a code object's, from ``_instructions``, or a span of
# one: lists are never changed), index and flag: the ops of a call site ask again on every call
_OPERAND_STARTS: dict[tuple[int, int, bool], tuple[list[dis.Instruction], int | None]] = {}


def _scanned_operand_start(instructions: list[dis.Instruction], end: int, target_first: bool) -> int | None:
    net, k = 0, end
    while net < 1:
        k -= 1
        if k < 0:
            return None
        i = instructions[k]
        if i.opname.startswith(_LEAVES) or i.is_jump_target and not target_first:
            return None
        try:
            net += dis.stack_effect(i.opcode, i.arg if i.opcode >= dis.HAVE_ARGUMENT else None, jump=False)
        except ValueError:
            return None
        if i.is_jump_target and net != 1:
            return None
    return k if net == 1 else None


def literal_argument(value: Any, keyword: str) -> bool:
    """Whether the call the caller's code is executing gets ``value`` as its last argument, a
    constant loaded right before the call (type included), positional or as ``keyword=``
    (``torch.clamp(x, min=1)``, ``x.clamp_min(1)``)."""
    found = _call_in_caller()
    if found is None or not found[0]:
        return False
    arguments, names = found
    literal, name = arguments[-1], names[-1] if names else None
    return literal is not _UNPROVEN and type(literal) is type(value) and literal == value and name in (None, keyword)


def literal_size(value: Any, index: int, keyword: str, passed: int) -> bool:
    """Whether the call the caller's code is executing passes ``value`` as a constant loaded
    right before it (type included), as ``keyword=`` or as its argument ``index`` among the
    ``passed`` arguments the op received (``x.topk(5, dim=1)`` and ``torch.topk(x, 5)``: a
    method call pushes one argument fewer than the op receives, its tensor)."""
    found = _call_in_caller()
    if found is None:
        return False
    arguments, names = found
    at = _argument_at(len(arguments), names, index, keyword, passed)
    literal = arguments[at] if at is not None else _UNPROVEN
    return literal is not _UNPROVEN and type(literal) is type(value) and literal == value


def _argument_at(written: int, names: tuple[str, ...], index: int, keyword: str, passed: int) -> int | None:
    """Which of the ``written`` arguments of a call (keyword ``names`` last) the op's argument
    ``keyword=`` or ``index`` among the ``passed`` it received is (a method call pushes one
    argument fewer than the op receives, its tensor); None where none."""
    if keyword in names:
        return written - len(names) + names.index(keyword)
    shift = passed - written
    return index - shift if shift in (0, 1) and 0 <= index - shift < written - len(names) else None


def closed_argument(index: int, keyword: str, passed: int) -> bool:
    """Whether the argument the call the caller's code is executing passes as ``keyword=`` or at
    ``index`` (as ``literal_size`` counts it) is computed from literals alone
    (``torch.tensor(torch.tensor([1] * 3).shape[0])``): the same on any group's images alone."""
    found = _executed_argument(index, keyword, passed)
    return found is not None and _closed(found[1], found[0].f_globals)


def _executed_argument(index: int, keyword: str, passed: int) -> tuple[types.FrameType, list[dis.Instruction]] | None:
    """The caller's frame and the instructions computing the argument the call its code is executing
    passes as ``keyword=`` or at ``index`` (as ``literal_size`` counts it); None where not read."""
    found = _executed_argument_span(index, keyword, passed)
    return None if found is None else (found[0], found[1][found[2] : found[3]])


def _executed_argument_span(index: int, keyword: str, passed: int
                            ) -> tuple[types.FrameType, list[dis.Instruction], int, int] | None:
    """``_executed_argument``'s frame, the code's instructions and the argument's span in them."""
    f = _caller()
    if f is None or _VERSION not in _FLOOR_CHECKED:
        return None
    instructions, found = _call_here(f.f_code, _lasti(f))
    if found is None:
        return None
    spans, names = found
    at = _argument_at(len(spans), names, index, keyword, passed)
    return None if at is None else (f, instructions, *spans[at])


def constant_argument(index: int, keyword: str, passed: int, body: Callable[[], BodyCall | None]) -> bool:
    """Whether the argument the call the caller's code is executing passes as ``keyword=`` or at
    ``index`` (as ``literal_size`` counts it) is an int the code proves a constant of the call
    (``_constant_of_call``: a parameter at its default the call did not pass, a module constant,
    arithmetic of those; CLAM's ``a.topk(k)`` per slide): the same on any group's run, whatever
    numbers were read on the host before."""
    found = _executed_argument_span(index, keyword, passed)
    return found is not None and type(_constant_of_call(found[0], found[2], found[3], body, own=None)) is int


def literal_index_parts(store: bool = True) -> frozenset[int]:
    """The positions of the parts of the tuple index of the subscript store (without ``store``: the
    subscript) the caller's code is executing that it writes as constants there (``z[i, :, 2:6] = v``,
    ``x[i, :-1]``: 1 and 2, 1; not ``i``): the same on any group's run, whatever numbers the call read
    before. Empty where not read."""
    f = _caller()
    if f is None or _VERSION not in _FLOOR_CHECKED:
        return frozenset()
    instructions, at = _located(f.f_code, _lasti(f))
    if at is None or instructions[at].opname != ("STORE_SUBSCR" if store else "BINARY_SUBSCR"):
        return frozenset()
    spans = _tuple_index_spans(instructions, at)
    return frozenset() if spans is None else frozenset(
        k for k, (start, stop) in enumerate(spans)
        if all(i.opname in ("LOAD_CONST", "BUILD_SLICE") for i in instructions[start:stop]))


def unpositioned_store(sites: Mapping[tuple[Any, int], tuple[Any, tuple[int, ...]]] | None = None,
                       targets: Any = None, content: Callable[[Any], Any] | None = None) -> tuple[bool, bool, bool]:
    """Whether the index, and whether the value, of the subscript store the caller's code is executing
    are computed from no position in a loop over the images (``m[c] = True``, ``sem[lab] = v`` of a
    label read on the host: yes; ``m[c] = i + 1.0``, ``m[i % 2] = 1.0`` of ``enumerate(targets)``: no,
    on a group alone the image has another position), and whether the value is a lone constant of the
    code (``m[c] = 1``: no number the call read). (False, False, False) where not read."""
    found = _executing_op("STORE_SUBSCR")
    if found is None:
        return False, False, False
    f, instructions, at = found
    key = _operand_start(instructions, at)
    container = _operand_start(instructions, key) if key is not None else None
    value = _operand_start(instructions, container) if container is not None else None
    if key is None or container is None or value is None:
        return False, False, False
    literal = container - value == 1 and instructions[value].opname == "LOAD_CONST"
    return (not _positional_index_span(f, key, at, sites, targets, content=content),
            literal or not _positional_index_span(f, value, container, sites, targets, content=content), literal)


def _tuple_index_spans(instructions: list[dis.Instruction], at: int) -> list[tuple[int, int]] | None:
    """The spans, in order, of the parts of the tuple index built right before the subscript at
    ``at`` (``x[i, :, j]``); None where the index is no tuple display or a part is not read."""
    built = instructions[at - 1] if at else None
    if built is None or built.opname != "BUILD_TUPLE":
        return None
    end, spans = at - 1, []
    for _ in range(built.arg or 0):
        start = _operand_start(instructions, end)
        if start is None:
            return None
        spans.append((start, end))
        end = start
    spans.reverse()
    return spans


# what code computing a size from the cut tensor's own length and constants may do
_OWN_SIZE_OPS = frozenset({"LOAD_CONST", "LOAD_FAST", "LOAD_GLOBAL", "PRECALL", "CALL", "PUSH_NULL", "BINARY_OP"})


def own_size_argument(index: int, keyword: str, passed: int, x: Any) -> bool:
    """Whether the argument the call the caller's code is executing passes as ``keyword=`` or at
    ``index`` (as ``literal_size`` counts it) is computed from the very tensor ``x`` the op cuts
    and the call's own ints (``x.topk(min(topk, len(x)))``, RTMDet's dynamic k): the builtins
    ``len``, ``min`` and ``max``, int literals, locals holding ``x`` itself, int parameters the code
    never stores (the same on a group's run), arithmetic. Then no number read on the host before
    sets it: the same on any group with that image."""
    found = _executed_argument(index, keyword, passed)
    if found is None:
        return False
    f, span = found
    code, held = f.f_code, _locals(f)
    params = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    seen = False
    if any(i.is_jump_target for i in span[1:]):
        return False
    for i in span:
        if i.opname not in _OWN_SIZE_OPS or i.opname == "LOAD_CONST" and type(i.argval) is not int:
            return False
        if i.opname == "LOAD_GLOBAL" and (i.argval not in ("len", "min", "max") or i.argval in f.f_globals
                                          or _builtin(f, i.argval) is not getattr(builtins, i.argval)):
            return False
        if i.opname == "LOAD_FAST":
            value = held.get(i.argval, _UNPROVEN)
            if value is x:
                seen = True
            elif not (i.argval in params and type(value) is int and not _stores(_instructions(code), i.argval)):
                return False
    return seen


def per_item_sections(index: int, keyword: str, passed: int) -> Any:
    """Whether the argument the call the caller's code is executing passes as ``keyword=`` or at
    ``index`` (as ``literal_size`` counts it) is a local the code stores once, outside any loop, as
    a list comprehension over a parameter it never stores, calls a method of or writes into, each element
    computed from that item alone: its own sizes (``len``, ``.shape``, ``.numel()``, keys and
    attributes of it), int literals, arithmetic (Align-DETR's ``per_image = [len(j) // 2 for _, j
    in indices]``), the local never changed after (only iterated, unpacked into a list, or passed
    to a builtin or a tensor method): the parameter's value, whose items on a group alone (where it
    is a list of one item per image) make the group's items' own numbers, in order. None otherwise,
    or on a Python whose layout was not checked."""
    f = _caller()
    if f is None or _VERSION not in _FLOOR_CHECKED or _builtin(f, "len") is not len:
        return None
    instructions, at = _located_frame(f.f_code, _lasti(f))  # (``Tensor.split`` is a Python function of torch's)
    call = _call_spans(f.f_code, at) if at is not None and instructions[at].opname == "CALL" else None
    k = _argument_at(len(call[0]), call[1], index, keyword, passed) if call is not None else None
    span = instructions[call[0][k][0] : call[0][k][1]] if call is not None and k is not None else []
    if len(span) != 1 or span[0].opname != "LOAD_FAST":
        return None
    over = _per_item_local(f.f_code, str(span[0].argval))
    return None if over is None else _locals(f).get(over)


# what a comprehension's element computed from its item alone may do
_OWN_ITEM_OPS = frozenset({"LOAD_FAST", "LOAD_CONST", "BINARY_SUBSCR", "LOAD_ATTR", "LOAD_METHOD", "PRECALL", "CALL",
                       "BINARY_OP", "PUSH_NULL"})
# the builtins a list of numbers may be passed to without being changed
_LIST_READERS = frozenset({"len", "sum", "max", "min", "zip", "enumerate", "list", "tuple", "sorted"})


@_per_code(1024)
def _per_item_local(code: types.CodeType, name: str) -> str | None:
    """``per_item_sections``' reading of the local ``name`` of ``code``: the parameter iterated."""
    instructions = _instructions(code)
    stores = _stores(instructions, name, True)
    params = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    if len(stores) != 1 or name in params or name in code.co_cellvars or _in_loop(code, instructions[stores[0]].offset):
        return None
    k = stores[0]
    made = [i.opname for i in instructions[k - 6 : k]] if k >= 6 else []
    if made != ["LOAD_CONST", "MAKE_FUNCTION", "LOAD_FAST", "GET_ITER", "PRECALL", "CALL"] \
            or instructions[k - 5].arg != 0 or instructions[k - 2].arg != 0 or instructions[k - 1].arg != 0:
        return None
    comp, over = instructions[k - 6].argval, str(instructions[k - 4].argval)
    if not isinstance(comp, types.CodeType) or comp.co_name != "<listcomp>" or over not in params \
            or _stores(instructions, over, True) or not _unchanged_loads(code, instructions, name) \
            or any(i.opname == "LOAD_FAST" and i.argval == over and (instructions[j + 1].opname in ("LOAD_METHOD", "LOAD_ATTR")
                   or any(o.opname in ("STORE_SUBSCR", "DELETE_SUBSCR") for o in instructions[j + 2 : j + 3]))
                   for j, i in enumerate(instructions)):
        return None
    return over if _element_of_item(comp) else None


def _unchanged_loads(code: types.CodeType, instructions: list[dis.Instruction], name: str) -> bool:
    """Whether every load of the local ``name`` is iterated, unpacked into a list display, or an
    argument of a call to a reading builtin or a tensor method."""
    for j, i in enumerate(instructions):
        if i.opname != "LOAD_FAST" or i.argval != name:
            continue
        after = instructions[j + 1].opname if j + 1 < len(instructions) else ""
        if after in ("GET_ITER", "LIST_EXTEND"):
            continue
        call = next((c for c in range(j + 1, len(instructions)) if instructions[c].opname == "CALL"), None)
        if call is None:
            return False
        spans = _call_spans(code, call)
        if spans is None or not any(first <= j < stop and stop - first == 1 for first, stop in spans[0]):
            return False
        callee = _callee(code, instructions[call].offset)
        first = min(first for first, _ in spans[0]) if spans[0] else call
        load = instructions[first - 1] if first else None
        reading = load is not None and load.opname == "LOAD_GLOBAL" and load.argval in _LIST_READERS \
            or load is not None and callee is not None and hasattr(torch.Tensor, callee) and (load.opname == "LOAD_METHOD"
               or load.opname == "LOAD_ATTR" and _receiver(code, instructions[call].offset) == ("LOAD_GLOBAL", "torch"))
        if not reading:
            return False
    return True


def _element_of_item(comp: types.CodeType) -> bool:
    """Whether the list comprehension ``comp`` appends, for each item, a value computed from that
    item's own locals, its sizes, int and str literals alone: no filter, no other name."""
    body = _instructions(comp)
    jumps = [i.opname for i in body if i.opcode in _JUMPS]
    if jumps != ["FOR_ITER", "JUMP_BACKWARD"] or _exception_entries(comp) or comp.co_freevars:
        return False
    at = next((j for j, i in enumerate(body) if i.opname == "FOR_ITER"), None)
    appended = [j for j, i in enumerate(body) if i.opname == "LIST_APPEND"]
    if at is None or len(appended) != 1:
        return False
    j = at + 1
    if body[j].opname == "UNPACK_SEQUENCE":
        j += 1
    own = set()
    while body[j].opname == "STORE_FAST":
        own.add(body[j].argval)
        j += 1
    for i in body[j : appended[0]]:
        if i.opname == "LOAD_GLOBAL":
            if i.argval != "len":
                return False
        elif i.opname not in _OWN_ITEM_OPS or i.opname == "LOAD_FAST" and i.argval not in own \
                or i.opname == "LOAD_CONST" and type(i.argval) not in (int, str) \
                or i.opname in ("LOAD_ATTR", "LOAD_METHOD") and i.argval not in ("shape", "numel", "size"):
            return False
    return True


def counted_argument(index: int, keyword: str, passed: int, own: frozenset[tuple[Any, int]] = frozenset()) -> bool:
    """Whether the argument the call the caller's code is executing passes as ``keyword=`` or at
    ``index`` (as ``literal_size`` counts it) computes a number from how many images the call got
    (``_counted_span``, ``_spelt_count``: ``e.topk(len(targets) - 1, -1)``, ``n = len(t)`` then
    ``e.narrow(2, 0, n)``), or from a position in a loop over the images (``_positional_span``:
    ``x[b].topk(b + 1)``): on a group alone, the group's. Its other arguments are not read (a
    literal ``k`` of ``x[b].topk(2)`` in a loop over the images is no count). ``own``: as
    ``counted_index``'s (``x.topk(min(k, len(x)))`` of the loop's image ``x``: no number of the batch)."""
    found = _executed(_COUNT_CHECKED)
    if found is None:
        return False
    f = found[0]
    instructions, at = _located_call(f.f_code, _lasti(f))  # (a specialised PRECALL runs a builtin's call)
    if at is None:  # (a Python op of torch's the code called, ``Tensor.split``, ``F.pad``: at its CALL's caches)
        instructions, at = _located_frame(f.f_code, _lasti(f))
    call = _call_spans(f.f_code, at) if at is not None and instructions[at].opname == "CALL" else None
    if call is None:
        return False
    spans, names = call
    at = _argument_at(len(spans), names, index, keyword, passed)
    if at is None:
        return False
    start, end = spans[at]
    return _counted_span(f, start, end, (int, float), 0, positions=False, own=own) \
        or _spelt_count(f, instructions, start, end, own) or _positional_span(f, start, end, 0, None)


def counted_index(own: frozenset[tuple[Any, int]] = frozenset()) -> bool:
    """Whether the index operand of the subscript the caller's code is executing computes a number
    from how many images, or items of several images, the call got (``_BatchReader.number``:
    ``r[:int(len(flat) * 0.1)]`` with ``flat`` the whole batch's values, ``r[:keep]`` of ``keep =
    int(len(t) * 2.5)``; not a position of a loop over the images, ``e[: i + 1]``), also through a
    parameter its caller so computes: cutting a dim without images, on a group alone another
    bound. ``own``: (code, offset) of the ``len`` calls whose last call read a size of the cut
    image's own tensor (``p = len(gt_sorted)``, ``jaccard[1:p]`` in a per-image helper): no
    number of the batch."""
    found = _executed_op("BINARY_SUBSCR")
    if found is None:
        return False
    f, instructions, at = found
    start = _operand_start(instructions, at)
    if start is None:
        return False
    reader = _batch_reader(f.f_code, None, frozenset(), frozenset(), frozenset(), frozenset(), _scopes(f),
                           frozenset(), frozenset(), own)
    return reader.number(start, at, frozenset(), positions=False) \
        or any(_counted_parameter(f, name, (int, float), 0, False) for name in _loaded_parameters(f.f_code, start, at)) \
        or _spelt_count(f, instructions, start, at, own)


# what code computing a value from literals alone may do: build, compute, subscript, read attributes, call
_CLOSED_OPS = frozenset({"LOAD_CONST", "BUILD_LIST", "BUILD_TUPLE", "LIST_EXTEND", "BINARY_OP", "BINARY_SUBSCR",
                         "UNARY_NEGATIVE", "LOAD_ATTR", "LOAD_METHOD", "PRECALL", "CALL", "PUSH_NULL", "KW_NAMES",
                         "LOAD_GLOBAL"})


def _closed(span: list[dis.Instruction], names: dict[str, Any]) -> bool:
    """Whether the straight-line ``span`` loads nothing but literals, modules and builtins (no
    local, cell or other global: nothing a batch holds), and makes no function."""
    if not span or any(i.is_jump_target for i in span[1:]):
        return False
    for i in span:
        if i.opname not in _CLOSED_OPS:
            return False
        if i.opname == "LOAD_GLOBAL" and not isinstance(names.get(i.argval), types.ModuleType) \
                and (i.argval in names or not hasattr(builtins, i.argval)):
            return False
    return True


_VIEW_NAMES = frozenset({"view", "reshape"})


def literal_view_sizes(count: int) -> tuple[Any, ...] | None:
    """The ``count`` sizes of the ``view`` / ``reshape`` call the caller's code is executing, each
    as written where a constant alone pushes it (else ``UNPROVEN``): its last ``count`` positional
    arguments, or one tuple constant (``x.view((4, -1))``, ``torch.reshape(x, (4, -1))``, also as
    ``shape=``), or a local every assignment of which is that one constant (``k = 4; x.view(k,
    -1)``). None where the callee is not loaded by one of those names right before its
    arguments (an op run inside another call) or nothing can be told."""
    f = _caller()
    if f is None or _VERSION not in _FLOOR_CHECKED:
        return None
    found = _call_arguments(f.f_code, _lasti(f), True)  # (held: positional, as ``_per_code`` takes)
    if found is None or not found[0] or _callee(f.f_code, _lasti(f)) not in _VIEW_NAMES:
        return None
    arguments, names = found
    last = arguments[-1]
    if type(last) is tuple and len(last) == count:
        return last
    return tuple(arguments[-count:]) if not names and len(arguments) >= count else None


def configured_view_sizes(count: int) -> tuple[Any, ...] | None:
    """As ``literal_view_sizes``, each size also as the int value of a load by name of
    configuration (``x.view(-1, K)``, ``x.view(-1, self.k)``, a parameter of the decorated body;
    see ``_configured``) that alone pushes it: set before the call, the same on every group's
    run. Positional sizes only; ``UNPROVEN`` for any other."""
    f = _caller()
    if f is None or _VERSION not in _FLOOR_CHECKED or _callee(f.f_code, _lasti(f)) not in _VIEW_NAMES:
        return None
    instructions, at = _located(f.f_code, _lasti(f))
    found = _call_spans(f.f_code, at) if at is not None else None
    if found is None or found[1] or len(found[0]) < count:
        return None
    last = _constant_span(instructions[found[0][-1][0] : found[0][-1][1]])
    if type(last) is tuple and len(last) == count:  # ``torch.reshape(x, (-1, 2))``
        return last
    sizes = []
    for first, stop in found[0][-count:]:
        span = instructions[first:stop]
        named = None
        if len(span) == 1 and span[0].opname == "LOAD_CONST":
            sizes.append(span[0].argval)
            continue
        if len(span) in (1, 2) and not any(i.is_jump_target for i in span):
            attr = span[1] if len(span) == 2 and span[1].opname == "LOAD_ATTR" else None
            named = _named_load(f.f_code, span, 0, attr) if len(span) == 1 or attr is not None else None
        value = _configured(named, f) if named is not None else _UNPROVEN
        sizes.append(value if type(value) is int else _UNPROVEN)
    return tuple(sizes)


@_per_code(1024)
def _callee(code: types.CodeType, lasti: int) -> str | None:
    """The name of the attribute or method loaded right before the arguments of the CALL at
    ``lasti`` (``x.view`` / ``torch.reshape``), else None."""
    instructions, at = _callee_load(code, lasti)
    if at is None:
        return None
    name = instructions[at].argval
    return name if type(name) is str else None


@_per_code(1024)
def _receiver(code: types.CodeType, lasti: int) -> tuple[str, str] | None:
    """(opname, name) of the one instruction that loads what the callee of the CALL at ``lasti`` is
    an attribute of, where it loads it by name (``x`` in ``x.stft(...)``, ``Tensor`` in
    ``torch.Tensor.stft(x, ...)``), else None."""
    instructions, at = _callee_load(code, lasti)
    if at is None or at < 1:
        return None
    load = instructions[at - 1]
    if load.opname == "BINARY_OP" and instructions[at].opname == "LOAD_METHOD":
        return "BINARY_OP", ""  # ``(a - b).norm(dim=1)``: a method of the result of arithmetic, never a class
    if load.opname not in ("LOAD_FAST", "LOAD_GLOBAL", "LOAD_NAME", "LOAD_ATTR") or type(load.argval) is not str:
        return None
    return load.opname, load.argval


def _method_shift(func: types.FunctionType, receiver: tuple[str, str] | None, f: types.FrameType) -> int | None:
    """How many of ``func``'s first parameters the caller's argument spans leave out: 1 for a
    method of ``Tensor`` called on a tensor (``x.stft(...)``: ``self`` before the callee), 0 for
    a function or a method called on the class (``torch.Tensor.stft(x, ...)``); None where the
    object the method was loaded from is not known (a call's result, an attribute)."""
    if not func.__qualname__.startswith("Tensor."):
        return 0
    if receiver is None:
        return None
    op, name = receiver
    if op == "BINARY_OP":  # arithmetic gives a tensor (or a number), never the class ``Tensor``
        return 1
    if op == "LOAD_FAST":
        obj = _locals(f).get(name, _UNPROVEN)
    elif op == "LOAD_ATTR":
        obj = torch.Tensor if name == "Tensor" else _UNPROVEN
    else:
        obj = f.f_globals.get(name, vars(builtins).get(name, _UNPROVEN))
    return 1 if isinstance(obj, torch.Tensor) else 0 if obj is torch.Tensor else None


def _arguments_end(instructions: list[dis.Instruction], k: int) -> int:
    """The index right after the last argument of the CALL at ``k`` (before its PRECALL and KW_NAMES)."""
    end = k
    while end > 0 and instructions[end - 1].opname in ("PRECALL", "KW_NAMES"):
        end -= 1
    return end


def _arguments_start(instructions: list[dis.Instruction], k: int) -> int | None:
    """The index of the first instruction of the first argument of the CALL at ``k`` (of the
    callable's load where it has none); None where its arguments are not straight-line code."""
    spans = _argument_spans(instructions, k)
    return None if spans is None else spans[-1][0] if spans else _arguments_end(instructions, k)


def _callee_load(code: types.CodeType, lasti: int) -> tuple[list[dis.Instruction], int | None]:
    """(the instructions of ``code``, the index of the LOAD_METHOD / LOAD_ATTR that loads the callee
    of the CALL at ``lasti``, or None)."""
    instructions, at = _located(code, lasti)
    if at is None or instructions[at].opname != "CALL":
        return instructions, None
    end = _arguments_start(instructions, at)
    if end is None or end < 1 or instructions[end - 1].opname not in ("LOAD_METHOD", "LOAD_ATTR"):
        return instructions, None
    return instructions, end - 1


def _call_in_caller() -> tuple[tuple[Any, ...], tuple[str, ...]] | None:
    if _VERSION not in _FLOOR_CHECKED:
        return None
    f = _caller()
    return None if f is None else _call_arguments(f.f_code, _lasti(f))


@_per_code(1024)
def _call_arguments(code: types.CodeType, lasti: int, held: bool = False) -> tuple[tuple[Any, ...], tuple[str, ...]] | None:
    """The arguments of the CALL at ``lasti`` as written, each the constant of a LOAD_CONST that
    alone pushes it (with ``held``, also of a LOAD_FAST of a local only ever assigned that
    constant), else ``_UNPROVEN`` (so are the ones before an argument whose code is not
    straight-line), and its keyword names; None where the layout is not the checked one (PRECALL,
    at most one KW_NAMES)."""
    instructions, at = _located(code, lasti)
    if at is None or instructions[at].opname != "CALL" or instructions[at].is_jump_target:
        return None
    found = _keyword_names(instructions, at, code)
    if found is None:
        return None
    names, k = found
    if any(i.is_jump_target for i in instructions[k + 1 : at]):
        return None
    arguments: list[Any] = []
    end: int | None = k + 1
    for _ in range(instructions[at].arg or 0):
        start = _operand_start(instructions, end) if end is not None else None
        span = instructions[start:end] if start is not None else []
        constant = _constant_span(span)
        if held and constant is _UNPROVEN and len(span) == 1 and span[0].opname == "LOAD_FAST":
            constant = _constant_local(instructions, span[0].argval)
        arguments.append(constant)
        end = start
    return tuple(reversed(arguments)), names


def len_site() -> tuple[int, types.CodeType, int] | None:
    """(the caller's frame's id, its code, the offset of the CALL it is executing)."""
    found = _executed(_FLOOR_CHECKED)
    if found is None:
        return None
    f, instructions, at = found
    at = _the_call(instructions, at)
    return None if at is None else (id(f), f.f_code, instructions[at].offset)


def _the_call(instructions: list[dis.Instruction], at: int | None) -> int | None:
    """The index of the CALL a frame at ``at`` is executing: a builtin's call specialised in 3.11
    runs in its PRECALL (``len``, ``torch.ones``), whose frame reports that offset."""
    if at is not None and instructions[at].opname == "PRECALL" and at + 1 < len(instructions) \
            and instructions[at + 1].opname == "CALL":
        return at + 1
    return at if at is not None and instructions[at].opname == "CALL" else None


def length_argument() -> tuple[int, types.CodeType, int] | None:
    """Where the call the caller's code is executing has one argument, no keyword, and that
    argument is the builtin ``len(...)`` of one expression written right there
    (``torch.ones(len(t["boxes"]))``: the size is the length just read, nothing computed from
    it): the ``len_site`` of that ``len`` call; else None."""
    f = _caller_with_len(_FLOOR_CHECKED)
    if f is None:
        return None
    at = _length_argument_at(f.f_code, _lasti(f))
    return None if at is None else (id(f), f.f_code, at)


@_per_code(1024)
def _length_argument_at(code: types.CodeType, lasti: int) -> int | None:
    """See ``length_argument``: CALL 1 after PRECALL 1, its one argument's code a LOAD_GLOBAL of
    ``len`` (with its NULL), one value, PRECALL 1, CALL 1, in straight-line code (3.11): the offset
    of that inner CALL."""
    instructions, at = _located(code, lasti)
    at = _the_call(instructions, at)
    if at is None or at < 5:
        return None
    if [(i.opname, i.arg) for i in instructions[at - 3 : at + 1]] != [("PRECALL", 1), ("CALL", 1), ("PRECALL", 1), ("CALL", 1)]:
        return None
    start = _operand_start(instructions, at - 1)
    if start is None or any(i.is_jump_target for i in instructions[start : at + 1]):
        return None
    callee = instructions[start]
    if not (callee.opname == "LOAD_GLOBAL" and callee.argval == "len" and (callee.arg or 0) & 1
            and _operand_start(instructions, at - 3) == start + 1):
        return None
    return instructions[at - 2].offset


def repeated_list() -> bool:
    """Whether the data argument (the first) of the call the caller's code is executing is a list
    display of some number that is no constant, repeated (``torch.tensor([1.0 / n] * n)``), there or
    in the one assignment of the local it loads."""
    f = _caller()
    if f is None or _VERSION not in _FLOOR_CHECKED:
        return False
    return _repeated_list_at(f.f_code, _lasti(f))


@_per_code(1024)
def _repeated_list_at(code: types.CodeType, lasti: int) -> bool:
    instructions, found = _call_here(code, lasti)
    return found is not None and bool(found[0]) and any(
        _constant_span(instructions[a:b]) is _UNPROVEN for (a, b), _ in _repeated_sides(instructions, *found[0][0]))


def _repeated_sides(instructions: list[dis.Instruction], start: int, end: int
                    ) -> tuple[tuple[tuple[int, int], tuple[int, int]], ...]:
    """Where the span ``start:end`` (or the one assignment of the local it loads) is a product
    ``[...] * n`` of a list display: (the display's span, the other operand's) for each operand
    that is one; () for anything else."""
    if end == start + 1 and instructions[start].opname == "LOAD_FAST":
        stores = _stores(instructions, instructions[start].argval)
        first = _operand_start(instructions, stores[0]) if len(stores) == 1 else None
        if first is None:
            return ()
        start, end = first, stores[0]
    k = end - 1
    if instructions[k].opname != "BINARY_OP" or instructions[k].arg not in _PRODUCTS:
        return ()
    right = _operand_start(instructions, k)
    left = _operand_start(instructions, right) if right is not None else None
    if left is None or right is None or left != start:
        return ()
    return tuple((one, other) for one, other in (((left, right), (right, k)), ((right, k), (left, right)))
                 if instructions[one[1] - 1].opname == "BUILD_LIST")


def counted_repeats() -> bool:
    """Whether the first argument of the call the caller's code is executing is a list display
    repeated by a number computed from how many images the call got (``torch.stack([x] *
    len(targets))``: as many copies as images, on a group alone as many as the group's), there or
    in the one assignment of the local it loads. Python 3.11."""
    found = _executed(_COUNT_CHECKED)
    if found is None:
        return False
    f, ins, at = found
    if at is not None and ins[at].opname == "PRECALL":  # (specialised for a builtin, it runs the call itself)
        at += 1
    spans = _call_spans(f.f_code, at) if at is not None and at < len(ins) and ins[at].opname == "CALL" else None
    return spans is not None and bool(spans[0]) and any(
        _counted_span(f, c, d, (int,), 0, positions=False) for _, (c, d) in _repeated_sides(ins, *spans[0][0]))


def fill_of_its_size() -> bool:
    """Whether the call the caller's code is executing is written ``f((n,), c / n)``: two
    positional arguments, the size a one-item tuple of a local ``n`` and the fill a number literal
    divided by that very local (POT's uniform marginal ``torch.full((n,), 1.0 / n)``): the fill is
    computed from the tensor's own size, no weight."""
    f = _caller()
    if f is None or _VERSION not in _FLOOR_CHECKED:
        return False
    return _fill_of_its_size_at(f.f_code, _lasti(f))


@_per_code(1024)
def _fill_of_its_size_at(code: types.CodeType, lasti: int) -> bool:
    instructions, found = _call_here(code, lasti)
    if found is None or found[1] or len(found[0]) != 2:
        return False
    (a, b), (c, d) = found[0]
    size, fill = instructions[a:b], instructions[c:d]
    return [i.opname for i in size] == ["LOAD_FAST", "BUILD_TUPLE"] and size[1].arg == 1 \
        and [i.opname for i in fill] == ["LOAD_CONST", "LOAD_FAST", "BINARY_OP"] and fill[2].argrepr == "/" \
        and type(fill[0].argval) in (int, float) and fill[1].argval == size[0].argval \
        and not any(i.is_jump_target for i in instructions[a:d])


def per_target_field(targets: Any) -> Any:
    """The key ``k`` where the data argument (the first) of the call the caller's code is
    executing is written right there as ``[t[k] for t in targets]``: a list comprehension over a
    parameter of that code it never stores, holding ``targets`` now, that appends one item per
    target, the target's field ``k`` (a constant), with no filter, no second loop and nothing else
    read. None otherwise."""
    f = _caller()
    if f is None or _VERSION not in _COUNT_CHECKED:
        return None
    found = _per_target_field_at(f.f_code, _lasti(f))
    if found is None or _locals(f).get(found[0], _MISSING) is not targets:
        return None
    return found[1]


# a comprehension ``[t[k] for t in .0]``, as 3.11 compiles it (k: the one LOAD_CONST)
_FIELD_COMPREHENSION = ("RESUME", "BUILD_LIST", "LOAD_FAST", "FOR_ITER", "STORE_FAST", "LOAD_FAST", "LOAD_CONST",
                        "BINARY_SUBSCR", "LIST_APPEND", "JUMP_BACKWARD", "RETURN_VALUE")


@_per_code(1024)
def _per_target_field_at(code: types.CodeType, lasti: int) -> tuple[str, Any] | None:
    """(the parameter iterated, the key) for ``per_target_field``, read once per call site."""
    instructions, found = _call_here(code, lasti)
    if found is None or not found[0]:
        return None
    (start, end), names = found[0][0], found[1]
    if len(names) == len(found[0]) and names[0] != "data":  # every argument by keyword: the first is ``data``
        return None
    span = instructions[start:end]
    if [i.opname for i in span] != ["LOAD_CONST", "MAKE_FUNCTION", "LOAD_FAST", "GET_ITER", "PRECALL", "CALL"] \
            or span[1].arg or span[5].arg or not isinstance(span[0].argval, types.CodeType):
        return None
    name = span[2].argval
    params = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    if name not in params or f"LOCAL:{name}" in _stored_names(code):
        return None
    inner = _instructions(span[0].argval)
    if span[0].argval.co_name != "<listcomp>" or tuple(i.opname for i in inner) != _FIELD_COMPREHENSION:
        return None
    element = inner[4].argval
    if inner[1].arg or inner[2].argval != ".0" or inner[5].argval != element or inner[8].arg != 2 \
            or type(inner[6].argval) not in (str, int) or inner[9].argval != inner[3].offset:
        return None
    return name, inner[6].argval


def _constant_local(instructions: list[dis.Instruction], name: str) -> Any:
    """The constant every assignment of the local ``name`` stores (``k = 4``), else ``_UNPROVEN``
    (a parameter, a value computed, several constants)."""
    stores = _stores(instructions, name)
    values = {(type(instructions[j - 1].argval), instructions[j - 1].argval) if j and instructions[j - 1].opname == "LOAD_CONST"
              and instructions[j].opname == "STORE_FAST" else None for j in stores}
    if len(values) != 1 or None in values:
        return _UNPROVEN
    ((_, value),) = values  # type: ignore[misc]
    return value


def _constant_span(span: list[dis.Instruction]) -> Any:
    """The value a straight-line span pushes when only constants make it: one LOAD_CONST, or a
    list of them (``[4, -1]``: their LOAD_CONSTs and BUILD_LIST, or BUILD_LIST 0, one tuple
    constant, LIST_EXTEND 1) given as a tuple; else ``_UNPROVEN``."""
    if len(span) == 1 and span[0].opname == "LOAD_CONST":
        return span[0].argval
    if not span or span[-1].opname not in ("BUILD_LIST", "LIST_EXTEND"):
        return _UNPROVEN
    if [i.opname for i in span] == ["BUILD_LIST", "LOAD_CONST", "LIST_EXTEND"] and span[0].arg == 0 and span[2].arg == 1:
        return span[1].argval if type(span[1].argval) is tuple else _UNPROVEN
    items = span[:-1]
    if span[-1].opname == "BUILD_LIST" and span[-1].arg == len(items) and all(i.opname == "LOAD_CONST" for i in items):
        return tuple(i.argval for i in items)
    return _UNPROVEN


def code_constant(c: Any) -> bool:
    """Whether the object ``c`` is, by identity, a constant of the code running the op being
    captured or of code nested in it (``eps = 0.5``, ``a, b, eps = 2.0, 20.0, 0.5``: equal literals
    of one module are one object, maybe the very float a target dict holds). True where the code
    cannot be read (an unchecked Python: nothing tells the object apart there)."""
    f = _caller()
    return f is None or _holds_constant(f.f_code, c)


def caller_constant(c: Any, field: str | None = None) -> bool:
    """``code_constant`` of the code running the op or of any code that called it, up to the
    decorated body (a helper's caller, a comprehension's maker): ``ws = [0.5] + [1.0] * (n - 1)``
    zipped with the images' terms, a literal by position that the op reads from a list. With
    ``field`` (``c`` is that field's very object in a target dict: equal literals of one module are
    one object), False where one of those codes names the field (``t["loss_weight"]``): the
    object may have been read from there."""
    codes = [f.f_code for f in _body_frames()]
    if field is not None and any(_names(code, field) for code in codes):
        return False
    return any(_holds_constant(code, c) for code in codes)


def body_names(name: str) -> bool:
    """Whether the code running the op, or a code that called it up to the decorated body, names
    ``name`` (a string constant, also of the codes it makes: ``t["loss_weight"]`` in a comprehension)."""
    return any(_names(f.f_code, name) for f in _body_frames())


@_per_code(1024)
def _names(code: types.CodeType, name: str) -> bool:
    return any(v == name if type(v) is str else type(v) is tuple and name in v
               or isinstance(v, types.CodeType) and _names(v, name) for v in code.co_consts)


def _holds_constant(code: types.CodeType, c: Any, equal: bool = False) -> bool:
    """Whether ``code`` (or a code it makes) holds the constant ``c`` (with ``equal``, a float equal to it)."""
    return any(_holds_object(v, c, equal) or isinstance(v, types.CodeType) and _holds_constant(v, c, equal)
               for v in code.co_consts)


def _holds_object(v: Any, c: Any, equal: bool = False) -> bool:
    return v is c or equal and type(v) is float and v == c \
        or type(v) in (tuple, frozenset) and any(_holds_object(w, c, equal) for w in v)


def caller_frame() -> types.FrameType | None:
    """The frame of the body's code running the op being captured (``_caller``)."""
    return _caller()


# The capture (``mode.Frame``) whose body runs in this context (None outside a body, and in a
# decorated call made inside it until its own body runs): while an op of that body is captured,
# ``Frame.op_caller`` is the frame that called the op (``CaptureMode.__torch_function__``), where
# ``_caller``'s walk up starts instead of at the asking rule: the frames between are losssplit's
# (the mode's and its rules'), so the first frame outside losssplit and torch is the same.
CAPTURE: contextvars.ContextVar[Any] = contextvars.ContextVar("losssplit_capture", default=None)


def _caller(checked: bool = True) -> types.FrameType | None:
    """The first Python frame outside losssplit and torch (None on versions whose bytecode
    layout was not checked, unless ``checked`` is False)."""
    if checked and _VERSION not in _CHECKED:
        return None
    capture = CAPTURE.get()
    start = capture.op_caller if capture is not None else None
    if start is None:
        return _walk_out(sys._getframe(2))
    # Rules ask several times per op: the frames above the op's caller stand still while it runs
    # (each at the call it is making), so one walk answers for the op unless a module was imported
    # since (``_patched_torch_codes``). Dropped when the op ends, so no frame is held longer.
    walked = capture.op_walk
    if walked is not None and walked[0] is start and walked[1] == len(sys.modules):
        return walked[2]
    found = _walk_out(start)
    capture.op_walk = (start, len(sys.modules), found)
    return found


def _locals(f: types.FrameType) -> dict[str, Any]:
    """``f.f_locals``, read once per frame while an op is captured (``Frame.op_locals``, dropped when
    the op ends): the frames up from the op's caller stand still while it runs, and on 3.11 each
    read of ``f_locals`` copies every local of the frame into its dict again (the same dict)."""
    capture = CAPTURE.get()
    if capture is None or capture.op_caller is None:
        return f.f_locals
    held = capture.op_locals
    if held is None:
        held = capture.op_locals = {}
    else:
        found = held.get(id(f))
        if found is not None and found[0] is f:
            return found[1]
    values = f.f_locals
    held[id(f)] = (f, values)
    return values


def _walk_out(f: types.FrameType | None) -> types.FrameType | None:
    """``f`` or the first frame up from it outside losssplit and torch (None for none)."""
    inside = _INSIDE
    try:  # the frames of modules already known as losssplit's or torch's: a subscript and a set lookup each
        while f is not None and f.f_globals["__name__"] in inside:
            f = f.f_back
    except (KeyError, TypeError):
        pass  # (no name, or an unhashable one: read as below)
    known = _INTERNAL_MODULES
    while f is not None:
        name = f.f_globals.get("__name__", "")
        internal = known.get(name) if type(name) is str else None  # ``_internal``'s map, read here: a hot loop
        if not (internal if internal is not None else _internal(name)):
            code = f.f_code  # (``_delegating``'s set test first, written out: most frames run no wrapper)
            patched = _PATCHED[1] if _PATCHED[0] == len(sys.modules) else _patched_torch_codes()
            if id(code) not in patched or not _delegating(f):
                if patched:
                    _note_wrapper_call(f)
                return None if _made_from_text(code) else f
        f = f.f_back
    return f


def _outside(f: types.FrameType) -> bool:
    """``_walk_out(f) is f``, told by ``f`` alone where no torch-replacing wrapper was found (the
    walk goes on up from a frame of losssplit's or torch's, the body's caller among them)."""
    patched = _PATCHED[1] if _PATCHED[0] == len(sys.modules) else _patched_torch_codes()
    if patched:
        return _walk_out(f) is f  # (its wrapper calls noted as the walk notes them)
    name = f.f_globals.get("__name__", "")
    internal = _INTERNAL_MODULES.get(name) if type(name) is str else None
    return not (internal if internal is not None else _internal(name)) and not _made_from_text(f.f_code)


def _note_wrapper_call(f: types.FrameType) -> None:
    """``_WrapperCall.at`` for ``f``, the frame ``_walk_out`` found, once a torch-replacing wrapper
    was found (``_patched_torch_codes``): where the frame it called runs one, calling on."""
    below: types.FrameType | None = sys._getframe(2)  # (``_walk_out``'s caller, below ``f``: up from there to the frame ``f`` called)
    while below is not None and below.f_back is not f:
        below = below.f_back
    _WRAPPER_CALL.at = _wrapper_call(f) if below is not None and _delegating(below) else None


class _WrapperCall(threading.local):
    at: tuple[int, int, int] | None = None
    """(id, ``f_lasti`` of the frame ``_walk_out`` found last in this thread where it calls a
    torch-replacing wrapper, the offset of that CALL); None where it found another frame."""


_WRAPPER_CALL = _WrapperCall()


def _wrapper_call(f: types.FrameType) -> tuple[int, int, int] | None:
    """``_WrapperCall.at`` for ``f``, calling a torch-replacing wrapper (None where ``f_lasti`` is read
    as it is, or where no CALL is found before it)."""
    lasti = f.f_lasti
    instructions, at = _located(f.f_code, lasti)
    if at is not None:
        return None
    at = _positions(f.f_code).get(lasti - 2 * _CALL_CACHES)
    return None if at is None or instructions[at].opname != "CALL" else (id(f), lasti, lasti - 2 * _CALL_CACHES)


def _lasti_through_wrappers(f: types.FrameType) -> int:
    """The byte offset of the instruction ``f`` is executing, as the readers take it (``_lasti``):
    ``f_lasti``, but for the frame ``_caller`` found calling a Python function another package
    installed in place of torch's (``_delegating``), the offset of that CALL (its ``f_lasti`` is on
    the CALL's last inline cache, where nothing is read: a count, a bound, a fill passed there were
    missed, silently wrong). An op run inside any other Python function the frame called (torch's
    own ``F.cross_entropy``) is still not that CALL's."""
    at = _WRAPPER_CALL.at
    return at[2] if at is not None and at[0] == id(f) and at[1] == f.f_lasti else f.f_lasti


# ``_lasti_through_wrappers`` once a torch-replacing wrapper was found (``_patched_torch_codes``);
# until then, a C getter: every reader calls it, on every op (a Python call there cost 0.2 M
# instructions a call of the seed's criterion)
_lasti: Callable[[types.FrameType], int] = operator.attrgetter("f_lasti")


def _delegating(f: types.FrameType) -> bool:
    """Whether ``f`` runs a Python function another package installed in torch's namespaces in
    place of torch's own (``_patched_torch_codes``) and is calling on: the op is the one its caller
    called (the wrapper's own arithmetic, ``orig(x) * 2``, stays the wrapper's)."""
    if id(f.f_code) not in _patched_torch_codes():
        return False
    instructions, at = _located_frame(f.f_code, f.f_lasti)
    return at is not None and instructions[at].opname in ("CALL", "PRECALL", "CALL_FUNCTION_EX")


_PATCHED: tuple[int, frozenset[int], tuple[types.CodeType, ...]] = (-1, frozenset(), ())
# packages whose functions in torch's namespaces replace none of torch's: its own, losssplit's and
# the standard library's (``torch._overload`` is ``typing.overload``: found, every walk paid for wrappers)
_NO_WRAPPERS = frozenset({"torch", "losssplit", *sys.stdlib_module_names})


def _patched_torch_codes() -> frozenset[int]:
    """The code of Python functions another package installed in torch's namespaces in place of
    torch's own (torch_geometric's ``torch.index_select = _new_index_select``): a frame running one
    is torch's op called by the user's code, whose instruction is the one to read (was the
    wrapper's: nothing read there, a count cutting a later dim kept). Scanned again when modules
    were imported since, keeping those found before (ids: hashing a code object hashes its constants)."""
    global _PATCHED, _lasti
    if _PATCHED[0] == len(sys.modules):
        return _PATCHED[1]
    import torch.nn.functional as functional

    found = set(_PATCHED[2])  # (kept: a wrapper another one replaced still runs under it, as its original)
    for space in (torch, torch.Tensor, functional):
        for v in vars(space).values():
            if type(v) is types.FunctionType and str(v.__module__).partition(".")[0] not in _NO_WRAPPERS:
                found.add(v.__code__)
    _PATCHED = (len(sys.modules), frozenset(id(c) for c in found), tuple(found))  # (the codes held: ids stay theirs)
    if found:
        _lasti = _lasti_through_wrappers
    return _PATCHED[1]


def _caller_read(reader: Callable[[types.CodeType, int], _R | None]) -> tuple[types.FrameType, _R] | None:
    """The caller's frame (``_caller``) and what ``reader`` reads of its code at the instruction
    it is executing; None where there is no such frame or the reader finds nothing."""
    f = _caller()
    found = None if f is None else reader(f.f_code, _lasti(f))
    return None if f is None or found is None else (f, found)


def _made_from_text(code: types.CodeType) -> bool:
    """Whether ``code`` is the top-level code of ``eval`` / ``exec`` run while the body ran
    (``eval("any(e > c)")``): its value flows back into the code that called ``eval`` through no
    instruction read here, so nothing can be told of it (found by s35w: ``if eval("any(e > C)"):``
    was read as a bare ``any`` and silently wrong). Functions are read whatever their file name:
    a criterion typed at a REPL, in a doctest or a notebook, or one a harness ``exec``-defines from
    its source (``<string>``) is read like one in a file, and so is a helper ``exec`` made."""
    return code.co_name == "<module>"


_INTERNAL_MODULES: dict[str, bool] = {}
_INSIDE: set[str] = set()  # those of its names (plain str) that are losssplit's or torch's, for ``_caller``


def _package(f: types.FrameType | None) -> str:
    """The top-level package of the module whose code ``f`` runs ("" for no frame)."""
    return "" if f is None else str(f.f_globals.get("__name__", "")).partition(".")[0]


def torch_code() -> bool:
    """Whether the op being captured was called by torch's own Python code (an argument check of
    a torch function, ``torch.distributions``' validation ``torch._is_all_true(valid)``): the
    first frame outside losssplit is torch's."""
    return _package(_outside_losssplit()) == "torch"


def _outside_losssplit() -> types.FrameType | None:
    """The first frame, from the caller up, whose code is not losssplit's (None for none)."""
    f: types.FrameType | None = sys._getframe(1)
    while f is not None and _package(f) == "losssplit":
        f = f.f_back
    return f


def torch_check() -> bool:
    """Whether the truth test being captured is a check in torch's own Python code that raises
    when it fails (``torch.distributions``' validation ``if not torch._is_all_true(valid): raise``,
    ``torch._assert``): the first frame outside losssplit is torch's, stopped at a truth test one
    of whose two ways goes straight to a ``raise``. A torch helper that hands the truth back
    (``torch.sym_not(y.max() > c)``) is no such check (review16: was exempted, the batch's decision)."""
    f = _outside_losssplit()
    return f is not None and _package(f) == "torch" and _VERSION in _TEST_CHECKED \
        and _raises_at(f.f_code, _lasti(f))


# Functions of other libraries whose every truth test on tensor values only picks a fast path that
# computes the same values either way (module, function name): on a group alone the body may take the
# other way, to the same values of each image. transformers' SDPA mask skips: with no padding in
# the 2D mask (``padding_mask.all()``, ``fast_all``) no 4D mask is built and SDPA runs without one
# (``is_causal`` where the mask would be the causal pattern); an image whose padding mask is all
# True has, in the batch's mask, rows all True (or the causal pattern), and SDPA is per batch row.
# Their callers disable the skip where another pattern (sliding window, chunks, packing, a custom
# mask function) would be added.
_VALUE_NEUTRAL_TESTS = frozenset({
    ("transformers.masking_utils", "_ignore_causal_mask_sdpa"),
    ("transformers.masking_utils", "_ignore_bidirectional_mask_sdpa"),
})
_VALUE_NEUTRAL_MODULES = frozenset(module for module, _ in _VALUE_NEUTRAL_TESTS)


def value_neutral_test() -> bool:
    """Whether the truth test being captured is in a function of ``_VALUE_NEUTRAL_TESTS``."""
    if _VALUE_NEUTRAL_MODULES.isdisjoint(sys.modules):  # (each truth read pays a dict lookup or two, #15)
        return False
    f = _caller()
    return f is not None and (str(f.f_globals.get("__name__", "")), f.f_code.co_name) in _VALUE_NEUTRAL_TESTS


@_per_code(256)
def _raises_at(code: types.CodeType, lasti: int) -> bool:
    instructions, at = _located(code, lasti)
    if at is not None and instructions[at].opname == "UNARY_NOT" and at + 1 < len(instructions):
        at += 1
    if at is None or not instructions[at].opname.startswith("POP_JUMP_FORWARD_IF_"):
        return False
    target = next((k for k, i in enumerate(instructions) if i.offset == instructions[at].argval), None)
    return any(_raises_from(instructions, k) for k in (at + 1, target) if k is not None)


def _raises_from(instructions: list[dis.Instruction], k: int) -> bool:
    """Whether the code from instruction ``k`` on runs straight to a ``raise`` (no jump, store,
    return nor jump target before it)."""
    for n, i in enumerate(instructions[k:]):
        if i.opname == "RAISE_VARARGS":
            return True
        if (n and i.is_jump_target) or "JUMP" in i.opname or i.opname.startswith(("STORE_", "RETURN", "YIELD", "FOR_ITER")):
            return False
    return False


def _internal(name: Any) -> bool:
    """Whether the module ``name`` is losssplit's or torch's (known by name after the first ask)."""
    known = _INTERNAL_MODULES.get(name) if type(name) is str else None
    if known is None:
        known = str(name).partition(".")[0] in _INTERNAL
        if type(name) is str and len(_INTERNAL_MODULES) < 4096:
            _INTERNAL_MODULES[name] = known
            if known:
                _INSIDE.add(name)
    return known


def length_divided(z: Any) -> Any:
    """The object ``x`` when the division the caller's code is executing is ``a / len(x)`` (the
    builtin ``len`` of a local name, called right before the division) and ``z`` is that length;
    ``_UNPROVEN`` otherwise (another layout, an unchecked Python version, a jump into the middle)."""
    if type(z) is not int:
        return _UNPROVEN
    f = _caller()
    if f is None:
        return _UNPROVEN
    name = _length_at(f.f_code, _lasti(f))
    if name is None or f.f_globals.get("len", f.f_builtins.get("len")) is not len:
        return _UNPROVEN
    x = _locals(f).get(name, _UNPROVEN)
    return x if x is not _UNPROVEN and _sized(x) == z else _UNPROVEN


def divisor_length(z: Any) -> Any:
    """The object ``x`` when the divisor of the division the caller's code is executing is the
    builtin ``len(x)`` of a local ``x`` bound once outside loops, as an int or through the builtin
    ``float`` / ``int`` (``a / float(len(x))``), written at the division or held in a local stored
    once outside loops by such code (``n = float(len(t))``, then ``a / n``), and ``z`` is that
    length: a number whose provenance is that length, whatever else it equals. ``_UNPROVEN``
    otherwise (a count the code adds up, ``terms += 1``, another layout, an unchecked Python)."""
    if type(z) not in (int, float) or _VERSION not in _CHECKED:
        return _UNPROVEN
    f = _caller()
    if f is None:
        return _UNPROVEN
    found = _converted_length_at(f.f_code, _lasti(f), _scopes(f))
    if found is None:
        return _UNPROVEN
    name, conversion, held = found
    g = _owner_frame(f, held) if held is not None else f  # (a free variable ``n``: the enclosing frame's ``len(t)``)
    if g is None or _builtin(g, "len") is not builtins.len:
        return _UNPROVEN
    if type(z) is not (int if conversion is None else _builtin(g, conversion)) or conversion not in (None, "float", "int"):
        return _UNPROVEN
    x = _locals(g).get(name, _UNPROVEN)
    return x if x is not _UNPROVEN and _sized(x) == z else _UNPROVEN


def reciprocal_length(factor: Any) -> tuple[float, Any] | None:
    """``(c, x)`` where an operand of the ``*`` the caller's code is executing is ``c / len(x)``
    (a number literal ``c`` over a divisor ``divisor_length`` reads: ``len(x)``, ``float(len(x))``
    or a local stored once from one, ``n = len(t)``), written there or held in a local of that
    code stored once outside loops (``scale = 1.0 / n``), ``factor`` being that value: Python's
    ``float / int`` runs unseen, so ``l.sum() * (1.0 / n)`` is read from the code as ``l.sum() / n``
    times ``c``. None otherwise."""
    if type(factor) is not float or _VERSION not in _CHECKED:
        return None
    f = _caller()
    if f is None:
        return None
    scopes = _scopes(f)
    for c, at, free, key in _reciprocal_operands(f.f_code, _lasti(f)):
        d, d_scopes = f, scopes
        if free is not None and key is None:
            owner, held_value = _default_maker(f, free)
            if owner is None or held_value is None:
                continue
            d, (c, at), d_scopes = owner, held_value, _scopes(owner)
        elif free is not None and key is not None:  # ``w = 1.0 / len(t)`` stored by the code making this one
            owner = _owner_frame(f, free)
            held_value = _held_reciprocal(owner.f_code, free, True, key) if owner is not None and owner is not f else None
            if owner is None or held_value is None:
                continue
            d, (c, at), d_scopes = owner, held_value, _scopes(owner)
        found = _converted_length_at(d.f_code, at, d_scopes) or _helper_length_at(d, at, d_scopes)
        if found is None:
            continue
        name, conversion, held = found
        g = _owner_frame(d, held) if held is not None else d
        if g is None or _builtin(g, "len") is not builtins.len or conversion not in (None, "float", "int"):
            continue
        if conversion is not None and _builtin(g, conversion) is not getattr(builtins, conversion):
            continue
        x = _locals(g).get(name, _UNPROVEN)
        n = _sized(x) if x is not _UNPROVEN else None
        if n and c / (float(n) if conversion == "float" else n) == factor:
            return c, x
    return None


def reciprocal_of_count() -> bool:
    """Whether an operand of the ``*`` the caller's code is executing is ``c / <expr>`` (a number
    literal ``c``; written there or held in a local, whatever its stores) whose ``<expr>`` the
    body computes from the batch (``_BatchReader.number``: ``len(t) - 1``, ``n + 1``, the length
    of a filtered list of the targets, of a field of the outputs) where ``reciprocal_length``
    proves nothing: on a group alone the body computes it from the group's. False where nothing
    can be told (another layout, an unchecked Python version)."""
    if _VERSION not in _CHECKED:
        return False
    f = _caller()
    if f is None:
        return False
    divisors = _reciprocal_divisors(f.f_code, _lasti(f))
    if not divisors:
        return False
    reader = _batch_reader(f.f_code, None, frozenset(), frozenset(), frozenset(), _constant_bounds(f), _scopes(f))
    instructions = _instructions(f.f_code)
    return _reading(f, lambda: any(reader.number(start, end, frozenset(), added_up=False)
                                   and not _length_of_display(instructions, start, end) for start, end in divisors))


def _length_of_display(instructions: list[dis.Instruction], start: int, end: int) -> bool:
    """Whether the span is ``len(x)`` of a local stored once, from a list or tuple display (``scales
    = [x, x * 0.5]``): as many items on any group."""
    span = [i for i in instructions[start:end] if i.opname not in ("PUSH_NULL", "PRECALL", "CACHE")]
    if len(span) != 3 or span[0].opname != "LOAD_GLOBAL" or span[0].argval != "len" or span[1].opname != "LOAD_FAST" \
            or span[2].opname != "CALL":
        return False
    stores = _stores(instructions, span[1].argval, cells=True)
    return len(stores) == 1 and stores[0] > 0 and instructions[stores[0] - 1].opname in ("BUILD_LIST", "BUILD_TUPLE")


@_per_code(1024)
def _reciprocal_divisors(code: types.CodeType, lasti: int) -> tuple[tuple[int, int], ...]:
    """The spans of ``<expr>`` of each operand of the ``*`` at ``lasti`` whose code is ``c /
    <expr>``, inline or a value stored in the local it loads (every store, in loops too)."""
    instructions, spans = _product_spans(code, lasti)
    found: list[tuple[int, int]] = []
    for start, end in spans:
        values = [(start, end)]
        span = instructions[start:end]
        if len(span) == 1 and span[0].opname in ("LOAD_FAST", "LOAD_DEREF"):
            values = [v for j in _stores(instructions, span[0].argval, cells=True)
                      if (v := _stored_value(instructions, j)) is not None]
        found.extend((first + 1, last - 1) for first, last in values if _literal_over(instructions, first, last))
    return tuple(found)


def _literal_over(instructions: list[dis.Instruction], start: int, end: int) -> bool:
    """Whether the span computes ``c / <expr>``, ``c`` a number literal."""
    first, last = instructions[start], instructions[end - 1]
    return (end - start >= 3 and first.opname == "LOAD_CONST" and type(first.argval) in (int, float)
            and last.opname == "BINARY_OP" and last.arg in _DIVISIONS and _operand_start(instructions, end - 1) == start + 1)


def _product_spans(code: types.CodeType, lasti: int) -> tuple[list[dis.Instruction], tuple[tuple[int, int], ...]]:
    """``code``'s instructions and the (left, right) operand spans of the ``*`` at ``lasti``; no
    spans where it is no product."""
    spans = _operand_spans(code, lasti)
    instructions, at = _located(code, lasti)
    if spans is None and at is not None and instructions[at].opname == "CALL":
        return instructions, _method_product(instructions, at)
    if spans is None or at is None or instructions[at].arg not in _PRODUCTS:
        return instructions, ()
    return instructions, spans


def _method_product(instructions: list[dis.Instruction], at: int) -> tuple[tuple[int, int], ...]:
    """The (receiver, argument) spans of ``x.mul(w)`` (``multiply``, ``__mul__``) whose CALL is at ``at``,
    one positional argument in straight-line code; none otherwise."""
    spans = _argument_spans(instructions, at) if instructions[at].arg == 1 else None
    if not spans or instructions[at - 1].opname != "PRECALL" or instructions[at].is_jump_target:
        return ()
    method = spans[0][0] - 1
    if method < 1 or instructions[method].opname != "LOAD_METHOD" \
            or instructions[method].argval not in ("mul", "multiply", "__mul__", "__rmul__"):
        return ()
    receiver = _operand_start(instructions, method)
    return () if receiver is None else ((receiver, method), spans[0])


@_per_code(1024)
def _reciprocal_operands(code: types.CodeType, lasti: int) -> tuple[tuple[float, int, str | None, tuple[Any, ...] | None], ...]:
    """``(c, offset of the division, None, ())`` of each operand of the ``*`` at ``lasti`` whose code is
    ``c / <divisor>`` with ``c`` a number literal, inline or the value of a local (no parameter, no
    cell) stored once outside loops (see ``reciprocal_length``); ``(0.0, -1, name, key)`` of an operand
    loading a free variable ``name`` it does not store, ``key`` ``(k,)`` where it is read at a literal
    index ``name[k]`` (its maker's code holds the value: ``_held_reciprocal`` of it there); ``(0.0, -1,
    name, None)`` of a parameter ``name`` it does not store (its default: ``_default_maker``)."""
    instructions, spans = _product_spans(code, lasti)
    found: list[tuple[float, int, str | None, tuple[Any, ...] | None]] = []
    for start, end in spans:
        span = instructions[start:end]
        key: tuple[Any, ...] = ()
        if len(span) == 3 and span[1].opname == "LOAD_CONST" and type(span[1].argval) in (int, str) \
                and span[2].opname == "BINARY_SUBSCR":  # ``w[0]``, ``w['w']``
            key, span = (span[1].argval,), span[:1]
        if len(span) == 1 and span[0].opname == "LOAD_DEREF" and span[0].argval in code.co_freevars \
                and not _stores(instructions, span[0].argval, cells=True):
            found.append((0.0, -1, span[0].argval, key))
            continue
        if len(span) == 1 and span[0].opname == "LOAD_FAST" and not key and span[0].argval in _parameters(code) \
                and not _stores(instructions, span[0].argval):
            found.append((0.0, -1, span[0].argval, None))  # (``lambda v, w=1.0 / len(t)``: the maker's code holds it)
            continue
        if len(span) == 1 and span[0].opname == "LOAD_FAST":
            held = _held_reciprocal(code, span[0].argval, False, key)
            if held is not None:
                found.append((*held, None, ()))
            continue
        if not key and _literal_over(instructions, start, end) and not any(i.is_jump_target for i in span):
            found.append((float(span[0].argval), span[-1].offset, None, ()))
    return tuple(found)


@_per_code(1024)
def _held_reciprocal(code: types.CodeType, name: str, cell: bool, key: tuple[Any, ...] = ()) -> tuple[float, int] | None:
    """``(c, offset of the division)`` where the local (``cell``: the cell) ``name`` of ``code``, no
    parameter, is stored once outside loops from ``c / <divisor>``, ``c`` a number literal: stored
    plainly, first of two unpacked (``w, _ = c / n, 0``), or (``key`` ``(k,)``: read as ``name[k]``)
    the element ``k`` of a list, tuple or dict literal (``[c / n]``, ``{'w': c / n}``)."""
    instructions = _instructions(code)
    stores = _stores(instructions, name, cells=True)
    if len(stores) != 1 or name in _parameters(code) or (name in code.co_cellvars) is not cell \
            or _in_loop(code, instructions[stores[0]].offset):
        return None
    j = stores[0]
    value = _unpacked_first(instructions, j) if not key else None
    value = value or _stored_value(instructions, j)
    if value is not None and key:
        value = _literal_element(instructions, *value, key[0])
    if value is None:
        return None
    start, end = value
    span = instructions[start:end]
    if _literal_over(instructions, start, end) and not any(i.is_jump_target for i in span):
        return float(span[0].argval), span[-1].offset
    return None


def _default_maker(f: types.FrameType, name: str) -> tuple[types.FrameType | None, tuple[float, int] | None]:
    """(the frame, at most 3 up from ``f``, whose code makes ``f``'s function, ``c / <divisor>`` of the
    default of its parameter ``name`` there: ``_default_reciprocal``), else (None, None)."""
    g = f.f_back
    for _ in range(3):
        if g is None:
            break
        held = _default_reciprocal(g.f_code, f.f_code, name)
        if held is not None:
            return g, held
        g = g.f_back
    return None, None


@_per_code(1024)
def _default_reciprocal(code: types.CodeType, made: types.CodeType, name: str) -> tuple[float, int] | None:
    """``(c, offset of the division)`` where ``code`` makes the function of ``made`` once, outside loops,
    with positional defaults built there whose default of ``name`` is ``c / <divisor>``, ``c`` a number literal."""
    instructions = _instructions(code)
    made_at = [k for k, i in enumerate(instructions) if i.opname == "LOAD_CONST" and i.argval is made]
    if len(made_at) != 1 or made_at[0] + 1 >= len(instructions):
        return None
    k = made_at[0]
    make = instructions[k + 1]
    if make.opname != "MAKE_FUNCTION" or make.arg not in (1, 9) or _in_loop(code, make.offset):
        return None
    if make.arg == 9:  # (the closure's tuple sits between the defaults and the code)
        closure = _operand_start(instructions, k)
        if closure is None:
            return None
        k = closure
    start = _operand_start(instructions, k)
    params = made.co_varnames[:made.co_argcount]
    if start is None or instructions[k - 1].opname != "BUILD_TUPLE" or name not in params:
        return None
    element = _literal_element(instructions, start, k, params.index(name) - (len(params) - (instructions[k - 1].arg or 0)))
    if element is None or not _literal_over(instructions, *element) \
            or any(i.is_jump_target for i in instructions[element[0]:element[1]]):
        return None
    return float(instructions[element[0]].argval), instructions[element[1] - 1].offset


def _unpacked_first(instructions: list[dis.Instruction], j: int) -> tuple[int, int] | None:
    """The span of the first value of ``a, b = x, y`` whose store of ``a`` is at ``j`` (3.11: the two
    values, ``SWAP 2``, the two stores), else None."""
    if j < 2 or j + 1 >= len(instructions) or instructions[j - 1].opname != "SWAP" or instructions[j - 1].arg != 2 \
            or instructions[j + 1].opname not in ("STORE_FAST", "STORE_DEREF") or instructions[j - 1].is_jump_target:
        return None
    second = _operand_start(instructions, j - 1)
    first = _operand_start(instructions, second) if second is not None else None
    return None if first is None or second is None else (first, second)


def _literal_element(instructions: list[dis.Instruction], start: int, end: int, k: Any) -> tuple[int, int] | None:
    """The span of the element at the literal index ``k`` of the list, tuple or dict literal
    ``start:end`` (straight-line; a dict's keys number or string literals, none twice), else None."""
    built = instructions[end - 1]
    if built.opname not in ("BUILD_LIST", "BUILD_TUPLE", "BUILD_MAP") or not built.arg:
        return None
    spans, at = [], end - 1
    for _ in range(built.arg * (2 if built.opname == "BUILD_MAP" else 1)):
        first = _operand_start(instructions, at)
        if first is None or first < start:
            return None
        spans.append((first, at))
        at = first
    if at != start:
        return None
    spans.reverse()
    if built.opname != "BUILD_MAP":
        return spans[k] if type(k) is int and -len(spans) <= k < len(spans) else None
    keys = [instructions[a].argval if b == a + 1 and instructions[a].opname == "LOAD_CONST" else None for a, b in spans[::2]]
    if any(type(x) not in (int, str) for x in keys) or len(set(keys)) != len(keys) or k not in keys:
        return None
    return spans[2 * keys.index(k) + 1]


def _helper_length_at(f: types.FrameType, lasti: int, scopes: tuple[types.CodeType, ...]) -> tuple[str, None, str | None] | None:
    """As ``_converted_length_at``, of a divisor ``_len(x)`` calling a global function of the code's
    module that only returns ``len`` of its parameter (``_returns_len``; read with the globals of
    the frame storing the divisor, so not kept per code)."""
    found = _divisor_value(f.f_code, lasti, scopes)
    if found is None:
        return None
    span, held = [i for i in found[2] if i.opname != "PRECALL"], found[3]
    own = span[1].opname == "LOAD_FAST" or span[1].opname == "LOAD_DEREF" and span[1].argval in found[0].co_cellvars \
        if len(span) == 3 else False  # (``_len(t)`` of a cell ``t``: a generator of the code reads it too)
    if len(span) != 3 or span[0].opname != "LOAD_GLOBAL" or not (span[0].arg or 0) & 1 or not own \
            or span[2].opname != "CALL" or span[2].arg != 1 or any(i.is_jump_target for i in span):
        return None
    g = _owner_frame(f, held) if held is not None else f
    return (span[1].argval, None, held) if g is not None and _returns_len(g.f_globals.get(span[0].argval)) else None


@_per_code(1024)
def _converted_length_at(code: types.CodeType, lasti: int, scopes: tuple[types.CodeType, ...] = ()
                         ) -> tuple[str, str | None, str | None] | None:
    """(the local ``len`` is called on, the global converting it or None, the free variable the
    division loads where the enclosing code stores it, else None) of the divisor ``len(x)`` /
    ``float(len(x))`` of the division at ``lasti`` (see ``divisor_length``; ``scopes``: ``_scopes``)."""
    found = _divisor_value(code, lasti, scopes)
    if found is None:
        return None
    code, instructions, span, held = found
    conversion = None
    if span and span[0].opname == "LOAD_GLOBAL" and span[0].argval in ("float", "int") and (span[0].arg or 0) & 1 \
            and _call_end(span, 0) == len(span) - 1:
        conversion, span = span[0].argval, [i for i in span[1:-1]]
        while span and span[-1].opname == "PRECALL":
            span.pop()
    if any(i.is_jump_target for i in span):
        return None
    x = _length_operand(code, instructions, span)
    return (x, conversion, held) if type(x) is str else None


def _divisor_value(code: types.CodeType, lasti: int, scopes: tuple[types.CodeType, ...] = ()
                   ) -> tuple[types.CodeType, list[dis.Instruction], list[dis.Instruction], str | None] | None:
    """(the code computing the divisor, its instructions, that code, the free variable loaded at
    the division or None) of the division at ``lasti``: written there, or stored once outside loops
    in a local it loads (``n = float(len(t))``, then ``a / n``), also by the code making this one
    where the local is a free variable here (``[e / n for ..]``, ``lambda e: e / n``; ``scopes``:
    ``_scopes``); None where it is no division or the local is a parameter, a cell or stored again."""
    divisor = _divisor_span(code, lasti)
    if divisor is None:
        return None
    instructions, start, end = divisor
    span = instructions[start:end]
    held = None
    if len(span) == 1 and span[0].opname in _FREE_LOADS and span[0].argval in code.co_freevars:
        owner = _owner_code(code, scopes, span[0].argval)
        if owner is None:
            return None
        held, code, instructions = span[0].argval, owner[0], _instructions(owner[0])
    if held is not None or len(span) == 1 and span[0].opname in ("LOAD_FAST", "LOAD_DEREF"):  # a local holding it
        name = held or span[0].argval
        stores = _stores(instructions, name, cells=True)
        if len(stores) != 1 or name in _parameters(code) or name in code.co_cellvars and held is None \
                or _in_loop(code, instructions[stores[0]].offset):
            return None
        value = _stored_value(instructions, stores[0])
        if value is None:
            return None
        span = instructions[value[0] : value[1]]
    return code, instructions, span, held


def length_and_sizes_divisor() -> bool:
    """Whether the divisor of the division the caller's code is executing -- written there, or a
    local stored once outside loops by such code -- combines by Python arithmetic (``+``, ``-``,
    ``*``) a builtin ``len(...)`` with a size the code reads otherwise (``.numel()``, the builtin
    ``sum(...)``): ``sum(p.numel() for p in pos) * len(t)``, ``pos[0].numel() * len(pos)``. Made
    of two counts, on a group alone of the group's, it is no count of the batch whatever it
    equals by value (found by the red team, session 16: read as the instances)."""
    f = _caller() if _VERSION in _CHECKED else None
    return f is not None and _length_and_sizes_at(f.f_code, _lasti(f)) and all(
        _builtin(f, n) is getattr(builtins, n) for n in ("len", "sum"))


@_per_code(1024)
def _length_and_sizes_at(code: types.CodeType, lasti: int) -> bool:
    found = _divisor_value(code, lasti)
    if found is None:
        return False
    span = found[2]
    loads = {(i.opname, i.argval) for i in span}
    return (("LOAD_GLOBAL", "len") in loads and any(i.opname == "BINARY_OP" and i.arg in _COMBINING for i in span)
            and (("LOAD_GLOBAL", "sum") in loads or ("LOAD_METHOD", "numel") in loads or ("LOAD_ATTR", "numel") in loads))


_COMBINING = frozenset({0, 5, 10, 13, 18, 23})  # +, *, -, +=, *=, -=


def inputless_call_divisor() -> bool:
    """Whether the divisor of the division the caller's code is executing (``a / b``, ``a /= b``,
    ``a.div(b)``, ``torch.div(a, b)``) is the value of a call given nothing of the body's values:
    its code loads no parameter or cell, only constants, globals and their attributes, functions
    made there without a closure and locals every store of which is such code (``(lambda: 4)()``,
    ``operator.itemgetter(0)([4, 1])``, ``get_four()``; ``four = lambda: 4``, then ``n = four()``),
    and each of those locals and globals holds, now, a plain number or string, a function without
    a closure, a builtin, a class, a module or an ``operator`` getter (no container the body may
    have filled: ``losses = []``, then ``len(losses)``). Nothing of the call's images goes in, so
    nothing ties the number it returns to a count of them, whatever count it equals by value
    (``count(targets)`` is given the targets). False where nothing can be told."""
    if _VERSION not in _COUNT_CHECKED:
        return False
    read = _caller_read(_inputless_divisor)
    if read is None:
        return _unread_arguments_call()
    f, (local_names, global_names) = read
    held, globals_ = _locals(f), f.f_globals
    return (all(_inert(held.get(n, _MISSING)) for n in local_names)
            and all(_inert(_global_item(globals_, n, held)) for n in global_names))


def _unread_arguments_call() -> bool:
    """Whether the divisor of the division the caller's code is executing is a call of a function
    held in a local or a global (``over(n)``, ``over`` a lambda passed in) that reads none of its
    arguments: without a closure, its code returning a value made of literals and globals holding
    plain numbers alone (``lambda n: 4``, ``lambda n: WIDTH``). What it is given, a count
    included, does not reach the number it returns (found by s35w: ``lambda n: 4`` of a count of
    4 images was read as that count)."""
    read = _caller_read(_called_divisor)
    if read is None:
        return False
    f, (kind, name) = read
    fn = _locals(f).get(name, _MISSING) if kind == "local" else _global_item(f.f_globals, name)
    if type(fn) is not types.FunctionType or fn.__closure__ is not None or not _argument_free(fn.__code__):
        return False
    return all(type(_global_item(fn.__globals__, n)) in (int, float) for n in fn.__code__.co_names)


@_per_code(1024)
def _called_divisor(code: types.CodeType, lasti: int) -> tuple[str, str] | None:
    """(``"local"`` or ``"global"``, the name) of the function the divisor ``f(...)`` of the
    division at ``lasti`` calls, positional arguments only; else None."""
    instructions, at = _located(code, lasti)
    if at is None or instructions[at].opname != "BINARY_OP" or instructions[at].arg not in _DIVISIONS \
            or instructions[at].is_jump_target:
        return None
    start = _operand_start(instructions, at)  # (the dividend may start at a loop's exit)
    if start is None:
        return None
    span = [i for i in instructions[start:at] if i.opname not in ("PRECALL", "PUSH_NULL")]
    if not span or span[-1].opname != "CALL" or any(i.is_jump_target or i.opname == "KW_NAMES" for i in span):
        return None
    head = span[0]
    if head.opname == "LOAD_FAST":
        return "local", head.argval
    if head.opname == "LOAD_GLOBAL" and (head.arg or 0) & 1:
        return "global", head.argval
    return None


_ARGUMENT_FREE_OPS = frozenset({"RESUME", "NOP", "LOAD_CONST", "LOAD_GLOBAL", "BINARY_OP", "UNARY_NEGATIVE",
                                "RETURN_VALUE"})


@_per_code(256)
def _argument_free(code: types.CodeType) -> bool:
    """Whether ``code`` (a function's) loads no local, cell or attribute: its result is made of
    its literals and globals only, whatever its arguments."""
    return not code.co_cellvars and not code.co_freevars and all(
        i.opname in _ARGUMENT_FREE_OPS and not (i.opname == "LOAD_GLOBAL" and (i.arg or 0) & 1)
        for i in _instructions(code))


class _LocalKey(str):
    """The name of the local whose value now picks a global container's item (``FNS[i]()``)."""


def _global_item(globals_: dict[str, Any], name: str | tuple[str, Any], held: Any = None) -> Any:
    """The value of a global ``name``, or of ``(name, key)`` its item ``globals_[name][key]`` now
    (``FNS[0]()``: the function picked is what runs, whatever else the container holds); a key
    that is a ``_LocalKey`` is the value that local of ``held`` holds now."""
    if type(name) is str:
        return globals_.get(name, getattr(builtins, name, _MISSING))
    container = globals_.get(name[0], _MISSING)
    key = name[1]
    if type(key) is _LocalKey:
        key = held.get(key, _MISSING) if held is not None else _MISSING
        if type(key) not in (int, str):
            return _MISSING
    if type(container) not in (list, tuple, dict):
        return _MISSING
    try:
        return container[key]
    except (IndexError, KeyError, TypeError):
        return _MISSING


_INERT = (int, float, complex, bool, str, bytes, type(None), types.BuiltinFunctionType, types.ModuleType, type,
          operator.itemgetter, operator.attrgetter)


def _inert(x: Any) -> bool:
    """Whether ``x`` can hold nothing the body filled in: see ``inputless_call_divisor``."""
    if type(x) is types.FunctionType:
        return x.__closure__ is None
    return isinstance(x, _INERT)


@_per_code(1024)
def _inputless_divisor(code: types.CodeType, lasti: int) -> tuple[tuple[str, ...], tuple[str | tuple[str, Any], ...]] | None:
    """The locals and globals the divisor's code loads where ``inputless_call_divisor``'s reading of
    the code holds (their values are checked then); else None."""
    instructions, at = _located(code, lasti)
    if at is None:
        return None
    if instructions[at].opname == "BINARY_OP":
        spans = _operand_spans(code, lasti)
        divisor = spans[1] if spans is not None and instructions[at].arg in _DIVISIONS else None
    else:
        operands = _operands(code, lasti) if instructions[at].opname == "CALL" else ()
        divisor = operands[0] if operands and instructions[at - 1].opname != "KW_NAMES" else None
    if divisor is None:
        return None
    local_names: set[str] = set()
    global_names: set[str | tuple[str, Any]] = set()
    if _inputless(instructions, *divisor, local_names, global_names) is not True:
        return None
    return tuple(sorted(local_names)), tuple(global_names)


def side_size_divisor() -> tuple[Any, int, bool] | None:
    """``(x, k, same)`` where the divisor of the ``/`` (``/=``) the caller's code is executing
    is exactly ``x.shape[k]`` or ``x.size(k)``, ``k`` an int literal (or one from the end:
    ``e.shape[-1]``) and ``x`` a local or a
    field of one picked by str literals (``outputs["c"].shape[1]``), written at the division, in a
    local stored once from it (``nq = outputs["c"].shape[1]``) or returned by a function that is
    given ``x`` (``z_of(outputs)``, ``z_of = lambda o: o["c"].shape[1]``); ``same``: ``x`` is the
    tensor measured -- written at the division, a local stored once in code without loops, or of
    a parameter of the decorated body itself that the body never stores, nor sets any item in
    (``x`` as passed); ``x`` is ``CUT_TENSOR`` where an index cut that field (``o["x"][:,
    :2].shape[1]``: held nowhere). None otherwise (another form, a helper's frame reading its own
    locals, an unchecked Python)."""
    if _VERSION not in _COUNT_CHECKED:
        return None
    read = _caller_read(_side_size_at)
    if read is None:
        return None
    f, (name, keys, k, call, inline) = read
    if call is not None:  # ``z_of(outputs)``: the function called, found without running code, returns the size
        called = _called_function(f, _instructions(f.f_code), call)
        returned = _returned_side_size(called[0].__code__) if called is not None and called[1] == 0 else None
        if returned is None:
            return None
        keys, k = keys + returned[0], returned[1]
    return _measured(f, name, keys, k, inline, call is None)


def _measured(f: types.FrameType, name: str, keys: tuple[str, ...], k: int, inline: bool, plain: bool = True
              ) -> tuple[Any, int, bool] | None:
    """``side_size_divisor``'s ``(x, k, same)`` of the size ``name[keys].shape[k]`` read in the
    frame ``f`` (``plain``: read in the frame's own code, not by a function it calls)."""
    if keys and type(keys[-1]) is _Cut:
        return CUT_TENSOR, k, False
    x = _locals(f).get(name, _MISSING)
    try:
        for key in keys:
            x = x[key]
    except Exception:  # noqa: BLE001 - not a container read as the code reads it: no proof
        return None
    if k < 0:  # ``e.shape[-1]``: the dim counted from the end of the tensor measured
        k += x.dim() if isinstance(x, torch.Tensor) else 0
        if k < 0:
            return None
    code = f.f_code
    instructions = _instructions(code)
    parameter = name in code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    argument = parameter and not _stores(instructions, name) and _package(f.f_back) == "losssplit"
    # ``y = torch.stack(...)``, ``z = y.shape[1]``: a local the code stores once, in code without
    # loops, holds at the division the tensor the size was read from
    stores = _stores(instructions, name, cells=True)
    kept = plain and not keys and not parameter and len(stores) == 1 and (not _loops(instructions) or (
        name not in code.co_cellvars and not _in_loop(code, instructions[stores[0]].offset)))
    return x, k, inline or kept or argument and not _items_written_in(code)[0]


def side_size_factors() -> tuple[list[tuple[Any, int, bool]], float] | None:
    """``side_size_divisor``'s ``(x, k, same)`` of each size, and the number the code computes from
    them now, where the divisor of the ``/`` the caller's code is executing is arithmetic of such
    sizes and number literals, at least one size and one operator (``/ (x.shape[1] * x.shape[2])``,
    ``x.size(-1) * x.size(-2)``, ``x.shape[1] * 4``, ``x.shape[1] + x.shape[2] + 5``, inside
    ``float(...)`` or ``int(...)`` too; the builtin ``max`` / ``min`` of two such; ``x.shape[1:].numel()``,
    ``math.prod(x.shape[1:])``: the sizes of those dims), written at the division or in a local stored once from it
    (was read as the count of rows it equalled: 3 rows times 4 columns, 12 rows of 4 images). None
    otherwise."""
    if _VERSION not in _COUNT_CHECKED:
        return None
    read = _caller_read(_side_size_arithmetic_at)
    if read is None:
        return None
    f, (tokens, inline) = read
    inline = inline and ("kept",) not in tokens
    found: list[tuple[Any, int, bool]] = []
    stack: list[float] = []
    try:
        for t in tokens:
            if t[0] == "kept":
                continue
            if t[0] in ("size", "dims"):
                m = _measured(f, t[1], t[2], t[3] if t[0] == "size" else 0, inline)
                if m is None or not isinstance(m[0], torch.Tensor) or t[0] == "size" and m[0].dim() <= m[1]:
                    return None
                if t[0] == "dims" and t[5] is not None and f.f_globals.get(t[5]) is not math:
                    return None  # ``math.prod`` of a module ``math`` bound to the math module only
                ks = [m[1]] if t[0] == "size" else list(range(m[0].dim()))[t[3] : t[4]]
                found += [(m[0], k, m[2]) for k in ks]
                stack.append(math.prod(m[0].shape[k] for k in ks))
            elif t[0] == "const":
                stack.append(t[1])
            elif t[0] == "cast":
                stack.append(t[1](stack.pop()))
            elif t[1] in _BOUNDS:  # ``max(x.shape[1], 1)``: the builtin itself only
                if _builtin(f, t[1]) is not _BOUNDS[t[1]]:
                    return None
                right = stack.pop()
                stack.append(_BOUNDS[t[1]](stack.pop(), right))
            else:
                right = stack.pop()
                stack.append(_ARITHMETIC[t[1]](stack.pop(), right))
    except (ArithmeticError, ValueError):
        return None
    return found, stack[-1]


_ARITHMETIC: dict[int, Callable[[Any, Any], Any]] = {
    0: operator.add, 10: operator.sub, 5: operator.mul, 11: operator.truediv, 2: operator.floordiv}
_BOUNDS: dict[str, Callable[[Any, Any], Any]] = {"max": max, "min": min}


@_per_code(1024)
def _side_size_arithmetic_at(code: types.CodeType, lasti: int) -> tuple[tuple[tuple[Any, ...], ...], bool] | None:
    """For ``side_size_factors``: (the divisor's postfix tokens, inline) read from its code at
    ``lasti``, or from the one store of the local it loads."""
    instructions, at = _located(code, lasti)
    if at is None or instructions[at].opname != "BINARY_OP" or instructions[at].arg not in _DIVISIONS \
            or instructions[at].is_jump_target:
        return None
    right = _operand_start(instructions, at)
    span = instructions[right:at] if right is not None else []
    if not span or any(i.is_jump_target for i in span):
        return None
    found = _size_arithmetic(span, code)
    if found is not None:
        return found, True
    if len(span) == 1 and span[0].opname == "LOAD_FAST" and not _plain_parameter(code, span[0].argval):
        stores = _stores(instructions, span[0].argval)  # ``n = x.shape[1] * x.shape[2]``
        value = _stored_value(instructions, stores[0]) if len(stores) == 1 else None
        stored = instructions[value[0] : value[1]] if value is not None else []
        found = _size_arithmetic(stored, code) if stored and not any(i.is_jump_target for i in stored) else None
        return (found, False) if found is not None else None
    return None


_SHAPE_SLICE = ["LOAD_ATTR", "LOAD_CONST", "LOAD_CONST", "BUILD_SLICE", "BINARY_SUBSCR"]


def _shape_slice(span: list[dis.Instruction]) -> tuple[str, tuple[str, ...], int | None, int | None] | None:
    """(local, str keys, start, stop) where ``span`` is exactly ``x[...].shape[start:stop]``, the
    bounds int literals or omitted."""
    if len(span) < 6 or [i.opname for i in span[-5:]] != _SHAPE_SLICE or span[-5].argval != "shape" or span[-2].arg != 2:
        return None
    start, stop = span[-4].argval, span[-3].argval
    head = _keyed_local(span[:-5])
    if head is None or any(b is not None and type(b) is not int for b in (start, stop)):
        return None
    return head[0], head[1], start, stop


def _size_arithmetic(span: list[dis.Instruction], code: types.CodeType) -> tuple[tuple[Any, ...], ...] | None:
    """``span`` of ``code`` as postfix tokens (``("size", local, keys, k)``, ``("dims", local, keys, start, stop,
    module)``, ``("const", v)``, ``("cast", float)``, ``("op", BINARY_OP arg or "max" / "min")``)
    where it is exactly arithmetic (``+ - * / //``, ``max``, ``min``) of sizes (``_side_size_form``),
    products of a slice of a shape (``.numel()``, ``math.prod``) and int or float literals, at least
    one size and one operator; None otherwise. A local stored once with such a value, outside loops
    and no cell, reads as that value (``c = x.size(1)``, then ``c // 3``: mmpose's UDP ``num_joints``;
    the sizes are measured again at the division, on the tensor the local holds then)."""
    tokens = _arithmetic_tokens(span, code)
    if tokens is None or not any(t[0] in ("size", "dims") for t in tokens) or not any(t[0] in ("op", "dims") for t in tokens):
        return None
    return tokens


def _sized_local(code: types.CodeType, name: str) -> list[dis.Instruction] | None:
    """The code of the value of the local ``name`` of ``code`` where it is stored once, outside
    loops, from straight-line code (no parameter, no cell); None otherwise."""
    instructions = _instructions(code)
    stores = _stores(instructions, name, cells=True)
    if len(stores) != 1 or name in _parameters(code) or name in code.co_cellvars or name in code.co_freevars \
            or _in_loop(code, instructions[stores[0]].offset):
        return None
    value = _stored_value(instructions, stores[0])
    stored = instructions[value[0] : value[1]] if value is not None else []
    return stored if stored and not any(i.is_jump_target for i in stored) else None


def _arithmetic_tokens(span: list[dis.Instruction], code: types.CodeType,
                       depth: int = 0) -> tuple[tuple[Any, ...], ...] | None:
    if not span:
        return None
    if len(span) == 1 and span[0].opname == "LOAD_FAST" and depth < 3:
        stored = _sized_local(code, span[0].argval)
        inner = _arithmetic_tokens(stored, code, depth + 1) if stored else None
        # (``("kept",)``: a size read where the local was stored, not at the division: see ``_measured``)
        return (*inner, ("kept",)) if inner is not None and any(t[0] in ("size", "dims") for t in inner) else None
    cast = {"float": float, "int": int}.get(span[0].argval) if span[0].opname == "LOAD_GLOBAL" else None
    if cast is not None and len(span) > 3 and (span[0].arg or 0) & 1 \
            and [(i.opname, i.arg) for i in span[-2:]] == [("PRECALL", 1), ("CALL", 1)]:
        inner = _arithmetic_tokens(span[1:-2], code, depth)
        return None if inner is None else (*inner, ("cast", cast))
    if len(span) == 1 and span[0].opname == "LOAD_CONST" and type(span[0].argval) in (int, float):
        return (("const", span[0].argval),)
    one = _side_size_form(span)
    if one is not None:
        return (("size", *one),)
    calls = [(i.opname, i.arg) for i in span[-2:]]
    if span[0].opname == "LOAD_GLOBAL" and span[0].argval in _BOUNDS and (span[0].arg or 0) & 1 \
            and calls == [("PRECALL", 2), ("CALL", 2)]:  # ``max(a, b)``
        middle = _operand_start(span, len(span) - 2)
        first = _arithmetic_tokens(span[1:middle], code, depth) if middle and middle > 1 else None
        second = _arithmetic_tokens(span[middle:-2], code, depth) if first is not None else None
        return None if second is None else (*first, *second, ("op", span[0].argval))  # type: ignore[misc]
    dims = _shape_slice(span[:-3]) if len(span) > 3 and [(i.opname, i.argval) for i in span[-3:-2]] == [
        ("LOAD_METHOD", "numel")] and calls == [("PRECALL", 0), ("CALL", 0)] else None
    if dims is not None:  # ``x.shape[1:].numel()``
        return (("dims", *dims, None),)
    dims = _shape_slice(span[2:-2]) if len(span) > 4 and span[0].opname == "LOAD_GLOBAL" and span[0].argval == "math" \
        and (span[0].arg or 0) & 1 and (span[1].opname, span[1].argval) == ("LOAD_ATTR", "prod") \
        and calls == [("PRECALL", 1), ("CALL", 1)] else None
    if dims is not None:  # ``math.prod(x.shape[1:])``
        return (("dims", *dims, "math"),)
    if len(span) < 3 or span[-1].opname != "BINARY_OP" or span[-1].arg not in _ARITHMETIC:
        return None
    middle = _operand_start(span, len(span) - 1)
    left = _arithmetic_tokens(span[:middle], code, depth) if middle else None
    right = _arithmetic_tokens(span[middle:-1], code, depth) if left is not None else None
    return None if right is None else (*left, *right, ("op", span[-1].arg))  # type: ignore[misc]


@_per_code(1024)
def _side_size_at(code: types.CodeType, lasti: int) -> tuple[str, tuple[str, ...], int, int | None, bool] | None:
    """For ``side_size_divisor``: (local, str keys, k, None, inline) read from the divisor's code
    (inline), or from the one store of the local it loads; (local, str keys, 0, the CALL's index,
    False) where it calls a function of one argument, that local or a field of it; else None."""
    instructions, at = _located(code, lasti)
    if at is None or instructions[at].opname != "BINARY_OP" or instructions[at].arg not in _DIVISIONS \
            or instructions[at].is_jump_target:
        return None
    right = _operand_start(instructions, at)  # the divisor's code alone: whatever the dividend's
    if right is None:  # (``(l if c else 2 * l) * 2.0 / n``: an arm of a conditional, read as no operand)
        return None
    span = instructions[right:at]
    if any(i.is_jump_target for i in span):
        return None
    found = _side_size_form(span) or _called_side_size(span)
    if found is not None:
        return found + (None, True)
    if len(span) == 1 and span[0].opname == "LOAD_FAST" and not _plain_parameter(code, span[0].argval):
        stores = _stores(instructions, span[0].argval)  # ``nq = outputs["c"].shape[1]``
        value = _stored_value(instructions, stores[0]) if len(stores) == 1 else None
        stored = instructions[value[0] : value[1]] if value is not None else []
        found = _side_size_form(stored) or _called_side_size(stored) if not any(i.is_jump_target for i in stored) else None
        return found + (None, False) if found is not None else None
    ops = [i.opname for i in span]
    first = 2 if ops[:2] in (["PUSH_NULL", "LOAD_FAST"], ["PUSH_NULL", "LOAD_DEREF"]) else 1 if ops[:1] == [
        "LOAD_GLOBAL"] and (span[0].arg or 0) & 1 else None
    if first is None or ops[-2:] != ["PRECALL", "CALL"] or span[-1].arg != 1:
        return None
    argument = _keyed_local(span[first:-2])
    return argument + (0, at - 1, False) if argument is not None else None


def _keyed_local(span: list[dis.Instruction]) -> tuple[str, tuple[str, ...]] | None:
    """(local, str keys) where ``span`` is exactly a LOAD_FAST and str-literal subscripts of it."""
    if not span or span[0].opname != "LOAD_FAST" or len(span) % 2 == 0:
        return None
    keys = tuple(span[j].argval for j in range(1, len(span), 2))
    if any(type(key) is not str for key in keys) or any(
            span[j].opname != "LOAD_CONST" or span[j + 1].opname != "BINARY_SUBSCR" for j in range(1, len(span), 2)):
        return None
    return span[0].argval, keys


class _Cut(str):
    """The last key of a side size's keys (``_side_size_form``) where an index cuts the field
    (``o["x"][:, :2].shape[1]``, ``d["x"][:, :k]``): the tensor measured is held nowhere."""


CUT_TENSOR = object()  # ``side_size_divisor``'s tensor where an index cut it (``_Cut``)


def _cut_keyed_local(span: list[dis.Instruction]) -> tuple[str, tuple[str, ...]] | None:
    """``_keyed_local`` of ``span``, or of it less a last subscript (``o["x"][:, :2]``, ``d["x"][:,
    :k]``: an index pushing one value, no call nor jump in it), its keys then ending in a ``_Cut``."""
    head = _keyed_local(span)
    if head is not None or len(span) < 3 or span[-1].opname != "BINARY_SUBSCR":
        return head
    for j in range(len(span) - 2, 0, -2):
        head = _keyed_local(span[:j])
        index = span[j:-1]
        if head is not None and all(i.opname in _INDEX_OPS and not i.is_jump_target for i in index) \
                and sum(dis.stack_effect(i.opcode, i.arg) for i in index) == 1:
            return head[0], (*head[1], _Cut())
    return None


_INDEX_OPS = frozenset({"LOAD_CONST", "LOAD_FAST", "LOAD_DEREF", "BUILD_SLICE", "BUILD_TUPLE", "BINARY_OP", "UNARY_NEGATIVE"})


def _side_size_form(span: list[dis.Instruction]) -> tuple[str, tuple[str, ...], int] | None:
    """(local, str keys, k) where ``span`` is ``x[...].shape[k]`` or ``x[...].size(k)``, ``x`` a
    LOAD_FAST, the keys str literals (a ``_Cut`` last where an index cuts the field), ``k``
    an int literal other than 0 (``-1``: counted from the end); also inside ``float(...)``."""
    if len(span) > 3 and span[0].opname == "LOAD_GLOBAL" and span[0].argval == "float" and (span[0].arg or 0) & 1 \
            and [(i.opname, i.arg) for i in span[-2:]] == [("PRECALL", 1), ("CALL", 1)]:
        span = span[1:-2]  # ``float(o["c"].shape[1])`` (was read as the count it equals)
    for tail in (3, 4):
        head = _cut_keyed_local(span[:-tail]) if len(span) > tail else None
        k = _size_tail(span, tail) if head is not None else None
        if head is not None and k is not None:
            return head[0], head[1], k
    return None


def _called_side_size(span: list[dis.Instruction]) -> tuple[str, tuple[str, ...], int] | None:
    """``_side_size_form``'s ``("", (_Cut(),), k)`` where ``span`` is ``f(..).shape[k]`` or
    ``f(..).size(k)``, ``k`` an int literal other than 0: the size of a tensor a call returned
    (``LAB(t).shape[1]`` of targets a helper stacked), held nowhere at the division."""
    for tail in (3, 4):
        k = _size_tail(span, tail) if len(span) > tail + 1 and span[-tail - 1].opname == "CALL" else None
        if k:
            return "", (_Cut(),), k
    return None


def _size_tail(span: list[dis.Instruction], tail: int) -> int | None:
    """``k`` where the last ``tail`` instructions of ``span`` read ``.shape[k]`` (3: LOAD_ATTR,
    LOAD_CONST, BINARY_SUBSCR) or ``.size(k)`` (4: with PRECALL, CALL), ``k`` an int literal."""
    rest = [(i.opname, i.argval) for i in span[-tail:]]
    k = rest[1][1]
    if type(k) is not int or rest[1][0] != "LOAD_CONST":
        return None
    if rest == [("LOAD_ATTR", "shape"), ("LOAD_CONST", k), ("BINARY_SUBSCR", None)] or rest[0] == (
            "LOAD_METHOD", "size") and [op for op, _ in rest[2:]] == ["PRECALL", "CALL"] and span[-1].arg == 1:
        return k
    return None


@_per_code(256)
def _returned_side_size(code: types.CodeType) -> tuple[tuple[str, ...], int] | None:
    """(str keys, k) where ``code``, of one positional parameter it never rebinds, only returns
    ``x[...].shape[k]`` (``_side_size_form``) of that parameter (``lambda o: o["c"].shape[1]``)."""
    ins = [i for i in _instructions(code) if i.opname not in ("RESUME", "COPY_FREE_VARS", "NOP")]
    if code.co_argcount != 1 or not ins or ins[-1].opname != "RETURN_VALUE" or any(i.is_jump_target for i in ins):
        return None
    found = _side_size_form(ins[:-1])
    if found is None or found[0] != code.co_varnames[0] or not _plain_parameter(code, found[0]):
        return None
    return found[1], found[2]


# what code giving a call nothing of the body's values may hold: constants, globals, their
# attributes and items, containers, calls, functions made without a closure (no LOAD_CLOSURE)
_INPUTLESS_OPS = frozenset({"PUSH_NULL", "LOAD_CONST", "LOAD_GLOBAL", "LOAD_ATTR", "LOAD_METHOD", "BUILD_LIST",
                            "BUILD_TUPLE", "BUILD_MAP", "BUILD_CONST_KEY_MAP", "LIST_EXTEND", "KW_NAMES", "PRECALL",
                            "CALL", "MAKE_FUNCTION", "BINARY_SUBSCR", "BINARY_OP", "UNARY_NEGATIVE"})


def _inputless(instructions: list[dis.Instruction], start: int, end: int, local_names: set[str],
               global_names: set[str | tuple[str, Any]]) -> bool | None:
    """For ``_inputless_divisor``: None where the code ``start:end`` loads a parameter, a cell, a
    local stored otherwise than from such code, or holds any other opcode or a jump target; else
    whether it (or a local's stored code) calls anything. Adds the locals and globals it loads (a
    global indexed right away by a literal as ``(name, key)``: its item is checked, not the
    container)."""
    called = False
    for k in range(start, end):
        i = instructions[k]
        if i.is_jump_target:
            return None
        if i.opname == "LOAD_FAST" and i.argval not in local_names:
            local_names.add(i.argval)
            values = [_stored_value(instructions, j) for j in _stores(instructions, i.argval)]
            if not values or any(v is None for v in values):
                return None  # a parameter, or stored by a loop, an unpacking, a deletion
            for v in values:
                assert v is not None
                inner = _inputless(instructions, *v, local_names, global_names)
                if inner is None:
                    return None
                called = called or inner
        elif i.opname not in _INPUTLESS_OPS:
            return None
        if i.opname == "LOAD_GLOBAL":
            picked = k + 2 < end and instructions[k + 1].opname == "LOAD_CONST" \
                and instructions[k + 2].opname == "BINARY_SUBSCR" and type(instructions[k + 1].argval) in (int, str)
            by_local = k + 2 < end and instructions[k + 1].opname == "LOAD_FAST" \
                and instructions[k + 2].opname == "BINARY_SUBSCR"  # ``FNS[i]()``, ``i``'s stores checked as loaded
            global_names.add((i.argval, instructions[k + 1].argval) if picked else
                             (i.argval, _LocalKey(instructions[k + 1].argval)) if by_local else i.argval)
        called = called or i.opname == "CALL"
    return called


def _sized(x: Any) -> int | None:
    try:
        return len(x)
    except TypeError:
        return None


# division calls whose last positional argument is the divisor (red team 32: ``v.div(len(t))`` of
# one image's value was a constant divisor, the batch's count on every group)
_LENGTH_DIVIDE_CALLS = frozenset({"div", "divide", "true_divide", "truediv", "__truediv__"})


def _located_call(code: types.CodeType, lasti: int) -> tuple[list[dis.Instruction], int | None]:
    """``_located``, from a PRECALL to its CALL: a builtin's specialised PRECALL makes the call
    itself (``operator.truediv``)."""
    instructions, at = _located(code, lasti)
    if at is not None and instructions[at].opname == "PRECALL" and at + 1 < len(instructions):
        at += 1
    return instructions, at


def division_unseen() -> bool:
    """Whether the division the capture sees is run by C code the caller's code called (``sum(map(
    operator.truediv, per, ns))``, ``itertools.starmap``): its code is executing no ``/`` and no call
    of a division method or function there, so no operand of the division can be read in it. False
    where nothing can be told (an unchecked Python)."""
    f = _caller() if _VERSION in _CHECKED else None
    return f is not None and _op_unseen_at(f.f_code, _lasti(f), True)


@_per_code(1024)
def _op_unseen_at(code: types.CodeType, lasti: int, division: bool) -> bool:
    """Whether the instruction at ``lasti`` is no ``/`` and no call of a division method or function
    (without ``division``: no ``*`` and no call of a product's)."""
    instructions, at = _located_call(code, lasti)
    if at is None:
        return False
    op = instructions[at]
    if op.opname == "BINARY_OP":
        return op.arg not in (_DIVISIONS if division else _PRODUCTS)
    return op.opname == "CALL" and _callee(code, op.offset) not in (_LENGTH_DIVIDE_CALLS if division else _PRODUCT_NAMES)


def factor_unread(factor: Any, division: bool = False) -> bool:
    """Whether the caller's code shows no operand the float ``factor`` of the product (with
    ``division``, the divisor of the division) the capture sees could be read from: C code the code
    called runs it (``sum(map(functools.partial(operator.mul, 1.0 / n), per))``: no ``*`` and no
    call of a product method or function executing; ``division_unseen``), or ``factor`` is the very
    object a local a ``for`` binds holds (``w * e for w, e in zip([1 / n] * n, per)``, ``e.mul(w)``:
    an item of an iterable the code built; Python 3.11, whose stores were checked) or an operand
    picks by that local from a container (``w[b]``, ``float(w[b])`` of ``w = dict.fromkeys(range(n),
    1 / n)``), or a NumPy scalar of its value either is (``np.ones(n) / n``; torch made ``factor`` of
    it) and no literal of the body's code is that value. False where nothing can be told."""
    f = _caller() if _VERSION in _CHECKED else None
    if f is None:
        return False
    code, lasti = f.f_code, _lasti(f)
    if _op_unseen_at(code, lasti, division):
        return True
    names = _loop_locals(code) if _VERSION in _FLOOR_CHECKED else ()
    if not names:
        return False
    held = _locals(f)
    items = [held.get(name, _UNPROVEN) for name in names]
    instructions = _instructions(code)
    for start, end in _operands(code, lasti):  # ``w[b] * e`` of ``w = dict.fromkeys(range(n), 1 / n)``: picked by the loop
        load = instructions[start]
        if end - start == 6 and load.opname == "LOAD_GLOBAL" and load.argval == "float" and (load.arg or 0) & 1 \
                and instructions[end - 1].opname == "CALL" and instructions[end - 1].arg == 1:
            start, end = start + 1, end - 2  # ``float(w[b])``: compared by value as NumPy's
        if end - start == 3 and instructions[end - 1].opname == "BINARY_SUBSCR" \
                and instructions[start].opname in ("LOAD_FAST", "LOAD_DEREF") \
                and instructions[start + 1].opname == "LOAD_FAST" and instructions[start + 1].argval in names:
            items.append(_picked(held.get(instructions[start].argval), held.get(instructions[start + 1].argval)))
    if any(v is factor for v in items):
        return True
    # a NumPy scalar equal to it (its object is NumPy's): unread, unless a literal of the body's code is that value
    return any(_numpy_of(v, factor) for v in items) and not any(
        _holds_constant(g.f_code, factor, True) for g in _body_frames())


def _picked(held_in: Any, key: Any) -> Any:
    """``held_in[key]`` of a dict, list, tuple or 1-d NumPy array ``held_in`` and an int ``key`` it
    holds (no code of the user's runs); else ``_UNPROVEN``."""
    if type(key) is not int:
        return _UNPROVEN
    if isinstance(held_in, dict) and type(held_in) is dict:
        return held_in.get(key, _UNPROVEN)
    if isinstance(held_in, (list, tuple)) and type(held_in) in (list, tuple) \
            or type(held_in).__module__ == "numpy" and getattr(held_in, "ndim", None) == 1:
        return held_in[key] if -len(held_in) <= key < len(held_in) else _UNPROVEN
    return _UNPROVEN


def _numpy_of(value: Any, factor: float) -> bool:
    """Whether ``value`` is a NumPy scalar of the float ``factor``'s value (an item of ``np.ones(n) /
    n`` a ``for`` binds: torch reads it as that float)."""
    return type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0 and float(value) == factor


@_per_code(1024)
def _loop_locals(code: types.CodeType) -> frozenset[str]:
    return _loop_variables(_instructions(code))


@_per_code(1024)
def _length_at(code: types.CodeType, lasti: int) -> str | None:
    """The local name ``x`` when the right operand of the division at byte offset ``lasti`` is
    ``len(x)``: LOAD_GLOBAL ``len``, LOAD_FAST / LOAD_DEREF ``x``, (PRECALL,) CALL 1, then the
    division (a ``/``, or a call of a division method or function, ``_LENGTH_DIVIDE_CALLS``, whose
    last argument it is), with no jump target among them; else None."""
    instructions, at = _located_call(code, lasti)
    if at is None:
        return None
    op = instructions[at]
    if op.opname == "CALL":  # ``v.div(len(t))``, ``torch.div(v, len(t))``, ``operator.truediv(v, len(t))``
        if _callee(code, op.offset) not in _LENGTH_DIVIDE_CALLS:
            return None
    elif op.opname != "BINARY_OP" or op.arg not in _DIVISIONS:
        return None
    window = [i for i in instructions[max(0, at - 5) : at] if i.opname != "PRECALL"][-3:]
    if len(window) != 3 or any(i.is_jump_target for i in window[1:]) or instructions[at].is_jump_target:
        return None
    load_len, load_x, call = window
    if load_len.opname != "LOAD_GLOBAL" or load_len.argval != "len" or call.opname != "CALL" or call.arg != 1:
        return None
    return load_x.argval if load_x.opname in ("LOAD_FAST", "LOAD_DEREF") else None


# loads of a value that is configuration, not computed in the body: ``self.scale``, ``SCALE``
_CONFIGURED = {"LOAD_ATTR", "LOAD_GLOBAL", "LOAD_NAME"}


@_per_code(1024)
def _divisor_at(code: types.CodeType, lasti: int, ops: frozenset[int] = _DIVISIONS) -> tuple[str, Any]:
    """(``"literal"``, the value) when the right operand of the division (or, with ``ops``, the
    other binary op) at byte offset ``lasti`` of ``code`` is a LOAD_CONST of an int or a float
    right before it, (``"configured"``, None) for an attribute or a global loaded right before it,
    else (``"other"``, None); not at a jump target."""
    instructions, at = _located(code, lasti)
    if at is None or at == 0:
        return "other", None
    op, before = instructions[at], instructions[at - 1]
    if op.opname == "CALL" and not op.is_jump_target and ops is _DIVISIONS:  # ``l.div(4)``, ``torch.div(l, 4)``
        return _call_divisor(instructions, at)
    if op.opname != "BINARY_OP" or op.arg not in ops:
        return "other", None
    if op.is_jump_target:  # ``l / (3 if FLAG else 5)``: literals chosen by a switch of configuration
        chosen = _chosen_literal(code, instructions, at)
        return ("literal", chosen) if chosen is not None else ("other", None)
    if before.opname == "LOAD_CONST" and type(before.argval) in (int, float):
        return "literal", before.argval
    if _configured_load(instructions, at - 1):
        return "configured", None
    return "other", None


def _configured_load(instructions: list[dis.Instruction], k: int) -> bool:
    """Whether the instruction at ``k`` loads configuration (``_CONFIGURED``: ``self.scale``,
    ``SCALE``), not an attribute of a class the code builds (``Cfg.scale`` of ``class Cfg: scale =
    1.0 / n`` in the body: computed in the call)."""
    i = instructions[k]
    return i.opname in _CONFIGURED and not (
        i.opname == "LOAD_ATTR" and k and instructions[k - 1].opname in ("LOAD_FAST", "LOAD_DEREF")
        and _built_class(instructions, instructions[k - 1].argval) is not None)


class _Chosen(NamedTuple):
    """The right operand of a binary op written as a conditional expression of two number literals
    whose test is one load of configuration (``3 if FLAG else 5``, ``self.k if`` aside): ``switch``
    the load (see ``_named_load``), ``arms`` the two literals."""

    switch: _Named
    arms: tuple[Any, Any]


def _chosen_literal(code: types.CodeType, instructions: list[dis.Instruction], at: int) -> _Chosen | None:
    """``_Chosen`` when the operand right before the op at ``at`` is ``a if s else b`` on Python
    3.11: a load of configuration ``s`` (a global, a parameter, ``self.x``; ``_named_load``), a
    conditional jump on it to ``b``'s LOAD_CONST, ``a``'s LOAD_CONST and a JUMP_FORWARD to the op,
    ``a`` and ``b`` int or float constants; no other path into it. None else (a comparison, a call,
    ``not s`` or a value computed in the body as the test)."""
    if at < 5:
        return None
    test, jump, first, over, second = instructions[at - 5 : at]
    attr = None
    if test.opname == "LOAD_ATTR" and at >= 6:
        attr, test = test, instructions[at - 6]
    k = at - 5 if attr is None else at - 6
    switch = _named_load(code, instructions, k, attr)
    if (switch is None or not jump.opname.startswith("POP_JUMP_FORWARD_IF_") or jump.opname.endswith("NONE")
            or jump.argval != second.offset or over.opname != "JUMP_FORWARD" or over.argval != instructions[at].offset):
        return None
    if any(i.opname != "LOAD_CONST" or type(i.argval) not in (int, float) for i in (first, second)):
        return None
    entries = [i for i in instructions if i.opname.startswith(("JUMP", "POP_JUMP")) and i.argval == instructions[at].offset]
    if entries != [over] or any(i.is_jump_target for i in (test, jump, first, over)) or attr is not None and attr.is_jump_target:
        return None
    return _Chosen(switch, (first.argval, second.argval))


def _written_literal(literal: Any, c: Any, f: types.FrameType) -> bool:
    """Whether ``c`` is the literal ``_divisor_at`` found (type included), or, for a ``_Chosen``
    one, one of its arms while its switch is configuration that nothing of the body writes
    (``_configured``: the same on a group's run, so the same arm)."""
    if type(literal) is not _Chosen:
        return type(literal) is type(c) and literal == c
    if _configured(literal.switch, f) is _UNPROVEN:
        return False
    return any(type(a) is type(c) and a == c for a in literal.arms)


_DIVIDE_NAMES = frozenset({"div", "div_", "divide", "divide_", "true_divide", "true_divide_"})
_SHIFT_NAMES = frozenset({"add", "add_", "sub", "sub_", "subtract", "subtract_"})
_PRODUCT_NAMES = frozenset({"mul", "mul_", "multiply", "multiply_"})


def _call_divisor(instructions: list[dis.Instruction], at: int, names: frozenset[str] = _DIVIDE_NAMES) -> tuple[str, Any]:
    """(``"literal"``, the value) for a call of a division method or function whose last
    positional argument is a constant loaded right before the call (3.11's PRECALL skipped) and
    whose callee is loaded by name ``div`` / ``divide`` / ``true_divide`` before its arguments;
    else (``"other"``, None). Keyword arguments (``rounding_mode=``) are no proof."""
    k = at - 1
    if k >= 0 and instructions[k].opname == "PRECALL":
        k -= 1
    if k < 1 or instructions[k].opname != "LOAD_CONST" or type(instructions[k].argval) not in (int, float):
        return "other", None
    if any(i.opname == "KW_NAMES" or i.is_jump_target for i in instructions[k:at + 1]):
        return "other", None
    callee = next((i for i in reversed(instructions[max(0, k - 12):k]) if i.opname in ("LOAD_METHOD", "LOAD_ATTR")), None)
    if callee is None or callee.argval not in names:
        return "other", None
    return "literal", instructions[k].argval


@_per_code(1024)
def _literal_at(code: types.CodeType, lasti: int, fields: bool = False) -> Any:
    """The index operand of the subscript at byte offset ``lasti`` of ``code`` when only
    constants build it (LOAD_CONST, BUILD_SLICE, BUILD_TUPLE in a straight line), on Python 3.11
    also loads by name of configuration (``_named_load``, left as ``_Named``), with ``fields``
    also a local's item by a literal key (``t["persons"]``, left as ``_Field``), else
    ``_UNPROVEN``. Cached: a loop pays once per subscript."""
    instructions, at = _located(code, lasti)
    if at is None:
        return _UNPROVEN
    operands = _SUBSCRIPTS.get(instructions[at].opname)
    if operands is None:
        return _UNPROVEN
    # walk back until the instructions seen produce exactly the operands the subscript takes
    need, start = operands, at
    while need > 0:
        start -= 1
        if start < 0:
            return _UNPROVEN
        i = instructions[start]
        if i.opname == "LOAD_CONST" or _named_load(code, instructions, start) is not None:
            need -= 1
        elif i.opname == "LOAD_ATTR" and start > 0 and _named_load(code, instructions, start - 1, i) is not None:
            start -= 1
            need -= 1
        elif i.opname in ("BUILD_SLICE", "BUILD_TUPLE") and isinstance(i.arg, int):
            need += i.arg - 1
        elif fields and _field_load(instructions, start - 2) is not None:
            start -= 2
            need -= 1
        else:
            return _UNPROVEN
    window = instructions[start:at]
    if any(i.is_jump_target for i in window[1:]) or instructions[at].is_jump_target:
        return _UNPROVEN  # another path may reach the middle with other values on the stack
    stack: list[Any] = []
    skip = 0
    for k, i in enumerate(window):
        if skip:
            skip -= 1
            continue
        field = _field_load(window, k) if fields else None
        if field is not None:
            stack.append(field)
            skip = 2
            continue
        if i.opname == "LOAD_ATTR":
            continue  # taken with the load before it
        named = _named_load(code, window, k, window[k + 1] if k + 1 < len(window) and window[k + 1].opname == "LOAD_ATTR" else None)
        if named is not None:
            stack.append(named)
            continue
        if i.opname == "LOAD_CONST":
            if not _constant(i.argval):
                return _UNPROVEN
            stack.append(i.argval)
            continue
        n = i.arg or 0
        if len(stack) < n or i.opname == "BUILD_SLICE" and n not in (2, 3):
            return _UNPROVEN
        built = stack[len(stack) - n :]
        del stack[len(stack) - n :]
        stack.append(slice(*built) if i.opname == "BUILD_SLICE" else tuple(built))
    if len(stack) != operands:
        return _UNPROVEN
    return stack[0] if operands == 1 else slice(*stack)


class _Field(NamedTuple):
    """An item of a local by a literal key in an index operand (``t["persons"]``), read when the
    subscript runs."""

    local: str
    key: Any


def _field_load(instructions: list[dis.Instruction], k: int) -> _Field | None:
    """``LOAD_FAST x; LOAD_CONST key; BINARY_SUBSCR`` at ``instructions[k:k + 3]`` (a str key), as
    a ``_Field``; None for anything else."""
    if k < 0 or k + 3 > len(instructions):
        return None
    load, key, subscript = instructions[k : k + 3]
    if (load.opname != "LOAD_FAST" or key.opname != "LOAD_CONST" or type(key.argval) is not str
            or subscript.opname != "BINARY_SUBSCR" or key.is_jump_target or subscript.is_jump_target):
        return None
    return _Field(str(load.argval), key.argval)


def own_field_index(index: Any, owner: Any, weight_field: str | None) -> bool:
    """Whether ``index`` (a ``Tensor.__getitem__``'s) is the index operand of the subscript the
    caller's code is executing, built from constants, configuration (as ``literal_index``) and
    int items of the very dict ``owner`` by literal keys (``feats[:t["persons"]]`` with ``t`` the
    target dict of the image whose rows are cut): on a group alone that image's dict holds the same
    number. Not the weight field (1 there), nor where the code sets items (``targets[b + 1]["n"] =
    len(kept)``: the dict may hold a number of another image)."""
    f = _caller()
    if f is None or not isinstance(owner, dict) or _changes_items(f.f_code):
        return False
    literal = _literal_at(f.f_code, _lasti(f), True)

    def resolved(v: Any) -> Any:
        if type(v) is _Field:
            held = _locals(f).get(v.local)
            value = held.get(v.key) if held is owner and v.key != weight_field else None
            return value if type(value) is int else _UNPROVEN
        if type(v) is tuple:
            parts = tuple(resolved(p) for p in v)
            return _UNPROVEN if any(p is _UNPROVEN for p in parts) else parts
        if type(v) is slice:
            bounds = [resolved(b) for b in (v.start, v.stop, v.step)]
            return _UNPROVEN if any(b is _UNPROVEN for b in bounds) else slice(*bounds)
        return _resolved(v, f)

    index_there = resolved(literal)
    return index_there is not _UNPROVEN and _constant(index_there) and _same(index_there, index)


def _codes_of(objects: list[Any]) -> list[types.CodeType]:
    """The code objects of the functions among ``objects`` (unwrapping ``staticmethod``,
    ``classmethod``, ``property``), and of the functions of the classes among them."""
    codes: list[types.CodeType] = []
    for v in objects:
        if isinstance(v, type):
            codes.extend(_codes_of([w for w in vars(v).values() if not isinstance(w, type)]))
            continue
        if isinstance(v, (staticmethod, classmethod)):
            v = v.__func__
        for g in (v.fget, v.fset, v.fdel) if isinstance(v, property) else (v,):
            code = getattr(g, "__code__", None)
            if isinstance(code, types.CodeType):
                codes.append(code)
    return codes


@_per_code(1024)
def _stored_names(code: types.CodeType) -> frozenset[str]:
    """``_written_names`` of ``code`` and of the code nested in it (functions, comprehensions)."""
    found = set(_written_names(code))
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            found |= _stored_names(c)
    return frozenset(found)


def _named_load(
    code: types.CodeType, instructions: list[dis.Instruction], k: int, attr: dis.Instruction | None = None
) -> _Named | None:
    """The load by name of configuration at ``instructions[k]`` (with ``attr``, the LOAD_ATTR
    right after it), on Python 3.11 only (its layout was checked): LOAD_GLOBAL of a name that
    ``code`` never stores; LOAD_FAST of a parameter ``code`` never rebinds; ``self.name`` of the
    first parameter, named ``self``, never rebound. None for anything else."""
    if _VERSION not in _FLOOR_CHECKED:
        return None
    i = instructions[k]
    if i.opname == "LOAD_GLOBAL" and attr is None and not (i.arg or 0) & 1:
        return None if _writes(_stored_names(code), (f"GLOBAL:{i.argval}",)) else _Named("global", i.argval)
    if i.opname != "LOAD_FAST":
        return None
    parameters = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    rebound = {j.argval for j in _instructions(code) if j.opname in ("STORE_FAST", "DELETE_FAST")}
    if i.argval not in parameters or i.argval in rebound:
        return None
    if attr is None:
        return _Named("param", i.argval)
    return _Named("attr", (i.argval, attr.argval)) if i.argval == "self" == parameters[0] else None


def _constant(v: Any) -> bool:
    """Whether ``v`` is an index made of ints, None, Ellipsis, slices and tuples of them."""
    if v is None or v is Ellipsis or type(v) is int:
        return True
    if type(v) is slice:
        return all(x is None or type(x) is int for x in (v.start, v.stop, v.step))
    if type(v) is tuple:
        return all(_constant(x) for x in v)
    return False


def _same(a: Any, b: Any) -> bool:
    """Structural equality of two indices, types included (never ``==`` on a tensor)."""
    if type(a) is not type(b):
        return False
    if type(a) is tuple:
        if len(a) != len(b):
            return False
        for x, y in zip(a, b):  # (a loop: no generator's frame on every subscript)
            if x is not y and not _same(x, y):
                return False
        return True
    if type(a) is slice:
        return (a.start is b.start or _same(a.start, b.start)) and (a.stop is b.stop or _same(a.stop, b.stop)) \
            and (a.step is b.step or _same(a.step, b.step))  # (a bound is often the same object: None, a small int)
    return a is b or type(a) is int and a == b


class Length(NamedTuple):
    """A builtin ``len`` call in a number operand: what it was called on (``UNPROVEN`` for an
    argument other than locals subscripted by constants) and the values of the locals its
    argument loads."""

    obj: Any
    loaded: tuple[Any, ...]


UNPROVEN = _UNPROVEN
# builtins a Python number operand may call around lengths (``max(1, len(t) - 1)``, ``float(n)``)
_NUMBER_BUILTINS = {"len", "max", "min", "float", "int", "abs", "round"}
# plain values a number operand may load (not tensors: the loss is the other operand)
_PLAIN = (int, float, bool, list, tuple, dict, str, type(None))


def operand_lengths() -> tuple[str, tuple[Length, ...]] | None:
    """The ``len`` calls in the Python number operand of the binary ``*`` or ``/`` (in place too)
    the caller's code is executing, and the operand's form: ``"len"`` (exactly ``len(x)``),
    ``"float"`` (``float(len(x))``), ``"floor"`` (``max(len(x), c)`` or ``max(c, len(x))`` with
    a number literal ``c <= 1``, ``len(x)`` or ``float(len(x))``: on at least one image, the
    count), ``"cap"`` (``min(len(x), c)`` alike, any number literal ``c``: the count where it
    equals it, on fewer images too), else ``"expr"``. The number
    operand is the one made only of constants, plain locals (no tensor), arithmetic and calls of
    the builtins ``len``, ``max``, ``min``, ``float``, ``int``, ``abs``, ``round``.
    None where no such operand holds a ``len`` call, or nothing can be told (another layout, an
    unchecked Python, a builtin rebound)."""
    f = _caller()
    if f is None:
        return None
    spans = _operand_spans(f.f_code, _lasti(f))
    if spans is None:
        return None
    instructions = _instructions(f.f_code)
    for start, end in reversed(spans):  # the right operand first: ``loss * len(t)``
        found = _number_operand(instructions, start, end, f)
        if found is not None:
            return found
    return None


def stored_shifted_lengths() -> tuple[Length, ...]:
    """The ``len`` calls in the value of a local that is the Python number operand of the ``*`` or
    ``/`` the caller's code is executing, where that local is stored once, straight from an
    expression adding or subtracting something to a length (``n = len(t) + 2``, ``n = 12 +
    len(t)``, then ``l.sum() / n``): written inline the operand is read by ``operand_lengths``;
    held by a local it was read as a plain number (cov38a's pin). Empty where there is none."""
    f = _caller()
    if f is None:
        return ()
    spans = _operand_spans(f.f_code, _lasti(f))
    if spans is None:
        return ()
    instructions = _instructions(f.f_code)
    for start, end in spans:
        if end - start != 1 or instructions[start].opname != "LOAD_FAST":
            continue
        name = instructions[start].argval
        stores = _stores(instructions, name, cells=True)
        value = _stored_value(instructions, stores[0]) if len(stores) == 1 and stores[0] < start else None
        if value is None or not any(i.opname == "BINARY_OP" and i.arg in _SHIFTS for i in instructions[value[0]:value[1]]):
            continue
        found = _number_operand(instructions, value[0], value[1], f)
        if found is not None:
            return found[1]
    return ()


def size_reciprocal() -> tuple[float, Any] | None:
    """``(c, x)`` where one operand of the ``*`` the caller's code is executing is exactly ``c /
    x.numel()``: a number literal ``c`` over the elements of the local ``x`` (Libra R-CNN's
    accuracy ``correct.sum() * (100.0 / labels.numel())``; Python's ``float / int`` runs unseen,
    so the product is read from the code). None for any other operand."""
    f = _caller()
    if f is None:
        return None
    instructions, at = _located(f.f_code, _lasti(f))
    if at is None or instructions[at].opname != "BINARY_OP" or instructions[at].arg not in _PRODUCTS:
        return None
    spans = [(at - 6, at)]  # the right operand ends right before the product; the left, if it parses
    found = _operand_spans(f.f_code, _lasti(f))
    if found is not None:
        spans.append(found[0])
    for start, end in spans:
        ops = [(i.opname, i.argval, i.arg) for i in instructions[max(start, 0) : end]]
        if (len(ops) == 6 and ops[0][0] == "LOAD_CONST" and type(ops[0][1]) in (int, float)
                and ops[1][0] == "LOAD_FAST" and ops[2][:2] == ("LOAD_METHOD", "numel")
                and ops[3][0] == "PRECALL" and ops[4][0] == "CALL" and ops[4][2] == 0
                and ops[5][0] == "BINARY_OP" and ops[5][2] in _DIVISIONS and ops[1][1] in _locals(f)
                and not any(i.is_jump_target for i in instructions[start + 1 : end + 1])):
            return float(ops[0][1]), _locals(f)[ops[1][1]]
    return None


class Sized(NamedTuple):
    """An operand of the binary op the caller's code is executing that the body computed in
    Python from a size of image rows read in this call (see ``sized_operand``)."""

    reciprocal: tuple[float, int] | None
    """``(c, offset)`` where the operand is exactly ``c / <tensor>.numel()`` (or ``.size(d)``),
    inline or held by a local stored once so, with ``c`` a number literal and ``offset`` the
    size read's instruction; else None."""


def sized_operand(sites: Collection[tuple[types.CodeType, int, tuple[int, ...]]], marked: Callable[[Any], bool]
                  ) -> Sized | None:
    """Whether a number operand of the binary op the caller's code is executing is a plain number
    computed in Python from a size of image rows: one of the reads at ``sites`` ((code, offset,
    dims): a read that gave such a size, ``dims`` empty where its result is the size itself,
    else the dims of the ``torch.Size`` that are such sizes, picked by a literal subscript right
    after it) is in the operand's own code (``loss * (0.5 * x.shape[0])``), or in the assignment
    of a number local the operand loads, or of one that assignment loads (``scale = 100.0 /
    labels.numel()``, then ``loss * scale``); or such a local holds a number ``marked`` says is a
    size (``bs, n = x.shape``, then ``s = 1.0 / bs``). Python's ``float`` arithmetic runs first on
    a size (``100.0 / n``) and makes a plain float no mark survives; the code shows what it was
    computed from. A number operand: a local holding a number, or code whose loads of tensors
    are all size reads (``x.shape``, ``x.numel()``) and that ends in no other call. None where
    nothing is proven."""
    f = _caller()
    if f is None:
        return None
    code = f.f_code
    reads = {o: dims for c, o, dims in sites if c is code}
    instructions, at = _located(code, _lasti(f))
    if not (reads or code.co_freevars) or at is None:
        return None
    if instructions[at].opname == "BINARY_OP":
        right = _operand_start(instructions, at, target_first=True)
        left = _operand_start(instructions, right, target_first=True) if right is not None else None
        operands = [(left, right), (right, at)]
    else:  # ``hits.mul_(100.0 / n)`` (DETR's ``accuracy``): a one-argument arithmetic method's argument
        found = _call_here(code, _lasti(f))[1]
        if found is None or len(found[0]) != 1 or found[1] or _called_name(instructions, at) not in _ARITHMETIC_CALLS:
            return None
        operands = [found[0][0]]
    for start, end in operands:
        if start is None or end is None or not _number_code(instructions, start, end, _locals(f)):
            continue
        if reads and _holds_read(instructions, start, end, reads, _locals(f), marked, set()):
            return Sized(_reciprocal(instructions, start, end, reads))
        if _free_sized(f, instructions, start, end, sites, marked):
            return Sized(None)
    return None


def _free_sized(f: types.FrameType, instructions: list[dis.Instruction], start: int, end: int,
                sites: Collection[tuple[types.CodeType, int, tuple[int, ...]]], marked: Callable[[Any], bool]) -> bool:
    """Whether the number operand ``start:end`` of ``f``'s code (a comprehension's, a generator's,
    a lambda's, a nested function's) loads a free variable holding a number computed from a size
    of image rows: one ``marked`` says is one, or one the code that holds it (``_owner_frame``)
    stores from one of its size reads at ``sites`` (``num = n * h * w`` of ``n, _, h, w =
    x.size()``, then ``sum(l.sum() / (-log(2) * num) for l in ls)``; found by survey 49: read
    for a constant, the batch's count divided every group's sum)."""
    for k in range(start, end):
        i = instructions[k]
        if i.opname != "LOAD_DEREF" or i.argval not in f.f_code.co_freevars or _index(instructions, k):
            continue
        value = _locals(f).get(i.argval)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        if marked(value):
            return True
        g = _owner_frame(f, i.argval)
        if g is None or g is f:
            continue
        if _stored_from_size(g, i.argval, sites, marked):
            return True
    return False


def _stored_from_size(g: types.FrameType, name: str, sites: Collection[tuple[types.CodeType, int, tuple[int, ...]]],
                      marked: Callable[[Any], bool]) -> bool:
    """Whether ``g``'s code stores ``name`` (a local or a cell) from number code that makes one of
    its size reads at ``sites`` or loads a number ``marked`` says is a size."""
    outer = _instructions(g.f_code)
    reads = {o: dims for c, o, dims in sites if c is g.f_code}

    def hit(k: int, end: int) -> bool:
        return _size_hit(outer, reads, k, end)

    for j in _stores(outer, name, cells=True):
        stored = _stored_value(outer, j)
        if stored is not None and _number_shaped(outer, *stored) and _computed_from(
                outer, *stored, hit, _locals(g), marked, set(), cells=True):
            return True
    return False


def sized_argument(sites: Collection[tuple[types.CodeType, int, tuple[int, ...]]], marked: Callable[[Any], bool]) -> bool:
    """Whether a plain-number operand of the call, binary operator or comparison the caller's code
    is executing is computed in Python from a size of image rows (``sized_operand``'s ``sites``
    and ``marked``): a bound or an exponent of a batch size (``e.clamp(max=0.15 * x.shape[0])``,
    ``e ** (0.5 * bs)`` of ``bs = x.size(0)``, also ``bs`` read as a free variable). On a group
    alone the body computes it from the group's rows; no rule rescales a bound. An operand whose
    loads of tensors and containers all end in a size read (``_size_code``) only: a tensor
    operand cut by the size (``x[:bs]``) is none."""
    f = _caller()
    if f is None:
        return False
    code = f.f_code
    reads = {o: dims for c, o, dims in sites if c is code}
    instructions = _instructions(code)

    def hit(k: int, end: int) -> bool:
        # ``0.05 * _rows(x)``: a helper returning a size of its parameter this call read as image rows
        # (another call of it read so declines this one too: never a bound taken for a constant)
        returned = _size_helper(f.f_globals, instructions[k])
        return _size_hit(instructions, reads, k, end) or returned is not None and any(
            c is returned[0] and o == returned[1] and (not dims or returned[2] in dims) for c, o, dims in sites)

    return any(_size_code(instructions, start, end, _locals(f), f.f_globals)
               and _computed_from(instructions, start, end, hit, _locals(f), marked, set(), cells=True)
               for start, end in _operands(code, _lasti(f)))


def _size_helper(globals_: dict[str, Any], load: dis.Instruction) -> tuple[types.CodeType, int, int] | None:
    """(its code, the shape read's offset, the dim) where ``load`` loads a global function of one
    parameter that only returns ``p.shape[d]`` or ``p.size(d)`` of it (``def _rows(v): return
    v.shape[0]``; ``_returned_size``'s, not ``len``: no size read of a list is recorded)."""
    if load.opname != "LOAD_GLOBAL":
        return None
    fn = globals_.get(load.argval)
    if not isinstance(fn, types.FunctionType):
        return None
    returned = _returned_size(fn.__code__)
    return None if returned is None or returned[0] in ("len", "call") else (fn.__code__, returned[2], returned[1])


# calls of one helper returning a count by another followed (``_returns_len``, ``_count_function``)
_FORWARDS = 3


def _returns_len(fn: Any, depth: int = _FORWARDS) -> bool:
    """Whether ``fn`` is a function of one parameter whose code only returns ``len`` of it (the
    builtin: its module names no other ``len``), or only returns what a global function of its
    module that does so returns given it (``def h(t): n = _len(t); return n``; ``depth`` such
    calls followed)."""
    if not isinstance(fn, types.FunctionType):
        return False
    returned = _returned_size(fn.__code__)
    if returned is not None:
        return returned[0] == "len" and "len" not in fn.__globals__
    return depth > 0 and _returns_len(_forwarded_to(fn), depth - 1)


def _forwarded_to(fn: types.FunctionType) -> Any:
    """The global function of ``fn``'s module that ``fn``, of one parameter, only returns the result
    of given its parameter (``_returned_size``'s layout with another global than ``len``), else None."""
    returned = _returned_size(fn.__code__)
    return fn.__globals__.get(returned[1]) if returned is not None and returned[0] == "call" else None


@_per_code(256)
def _returned_size(code: types.CodeType) -> tuple[str, Any, int] | None:
    """(kind, dim, offset) where ``code`` is of a function of one parameter, no keyword-only,
    whose body only returns a size of it, directly or through one local (``r = v.shape[0];
    return r``): ``len(v)`` ("len", 0, the call's offset), ``v.shape[d]`` ("shape", d, the shape
    read's offset) or ``v.size(d)`` ("size", d, the call's offset: the size read there); or what
    another global function returns given it, ``g(v)`` ("call", its name, the call's offset)."""
    ins = [i for i in _instructions(code) if i.opname not in ("RESUME", "NOP")]
    if code.co_argcount != 1 or code.co_kwonlyargcount or len(ins) not in (5, 6, 7) or any(i.is_jump_target for i in ins):
        return None
    ops = [(i.opname, i.argval) for i in ins]
    if len(ops) == 7 and ops[4][0] == "STORE_FAST" and ops[5] == ("LOAD_FAST", ops[4][1]):  # ``r = v.shape[0]; return r``
        ops = ops[:4] + ops[6:]
    if ops[-1][0] != "RETURN_VALUE":
        return None
    if ops[0][0] == "LOAD_GLOBAL" and ops[1:4] == [("LOAD_FAST", code.co_varnames[0]), ("PRECALL", 1), ("CALL", 1)] \
            and len(ops) == 5 and (ins[0].arg or 0) & 1:
        return ("len", 0, ins[3].offset) if ops[0][1] == "len" else ("call", ops[0][1], ins[3].offset)
    if ops[0] != ("LOAD_FAST", code.co_varnames[0]) or ops[2][0] != "LOAD_CONST" or type(ops[2][1]) is not int:
        return None
    if len(ops) == 5 and ops[1] == ("LOAD_ATTR", "shape") and ops[3][0] == "BINARY_SUBSCR":
        return "shape", ops[2][1], ins[1].offset
    if len(ops) == 6 and ops[1] in (("LOAD_METHOD", "size"), ("LOAD_ATTR", "size")) and ops[3] == ("PRECALL", 1) \
            and ops[4] == ("CALL", 1):  # ``return v.size(0)``: the size read at the call
        return "size", ops[2][1], ins[4].offset
    return None


def _size_code(instructions: list[dis.Instruction], start: int, end: int, values: dict[str, Any],
               globals_: dict[str, Any]) -> bool:
    """Whether ``start:end`` computes a plain number: its loads of locals hold numbers or reach a
    size read through literal subscripts (``o["x"].shape[0]``), its globals are number builtins,
    ``math`` / numpy or numbers, its attributes and methods size reads."""
    for k in range(start, end):
        i = instructions[k]
        if i.opname in ("LOAD_FAST", "LOAD_DEREF"):
            v = values.get(i.argval)
            if isinstance(v, (int, float)):
                continue
            j = k + 1
            while j + 1 < end and instructions[j].opname == "LOAD_CONST" and instructions[j + 1].opname == "BINARY_SUBSCR":
                v = _literal_item(v, instructions[j].argval)
                j += 2
            if type(v) in (int, float) and j > k + 1:  # a number picked by literal keys (``t[0]["loss_weight"]``)
                continue
            if not (j < end and instructions[j].opname in ("LOAD_ATTR", "LOAD_METHOD") and instructions[j].argval in _SIZE_NAMES
                    or j < end and instructions[j].opname == "PRECALL" and instructions[j].arg == 1
                    and _size_helper(globals_, instructions[k - 1]) is not None):  # ``_rows(o["x"])``
                return False
        elif i.opname == "LOAD_GLOBAL":
            if not (i.argval in _COUNTING or i.argval in _NUMERIC_NAMES or type(globals_.get(i.argval)) in (int, float)
                    or _size_helper(globals_, i) is not None):
                return False
        elif i.opname in ("LOAD_ATTR", "LOAD_METHOD"):
            if not (i.argval in _SIZE_NAMES or instructions[k - 1].opname == "LOAD_GLOBAL"
                    and instructions[k - 1].argval in _NUMERIC_NAMES):
                return False
    return True


def _literal_item(value: Any, key: Any) -> Any:
    """``value[key]`` of a plain dict, list or tuple by a literal key; None where there is none."""
    if type(value) is dict and type(key) is str or type(value) in (list, tuple) and type(key) is int \
            and -len(value) <= key < len(value):
        return value.get(key) if type(value) is dict else value[key]
    return None


def _size_hit(instructions: list[dis.Instruction], reads: dict[int, tuple[int, ...]], k: int, end: int) -> bool:
    """Whether the instruction at ``k`` is one of the size ``reads`` (see ``_holds_read``): the
    size of a read dim picked by a literal (``x.shape[0]``, also through a slice of literal
    bounds: ``x.shape[:1][0]``)."""
    dims = reads.get(instructions[k].offset)
    if dims is None or not dims:
        return dims is not None
    dim = _picked_dim(instructions[k + 1 : end])
    return dim is not None and dim in dims


def _picked_dim(span: list[dis.Instruction]) -> int | None:
    """The dim of a shape that ``span``, right after the shape is pushed, picks by a literal:
    ``[d]``, or ``[a:b][i]`` of literal bounds and a literal ``i``, none negative; else None."""
    ops = [(i.opname, i.argval) for i in span[:6]]
    if len(ops) >= 2 and ops[0][0] == "LOAD_CONST" and type(ops[0][1]) is int and ops[1][0] == "BINARY_SUBSCR":
        return ops[0][1]
    if len(ops) < 6 or [o for o, _ in ops] != ["LOAD_CONST", "LOAD_CONST", "BUILD_SLICE", "BINARY_SUBSCR", "LOAD_CONST",
                                               "BINARY_SUBSCR"] or span[2].arg != 2:
        return None
    low, high, item = ops[0][1], ops[1][1], ops[4][1]
    if not (low is None or type(low) is int and low >= 0) or not (high is None or type(high) is int and high >= 0) \
            or type(item) is not int or item < 0:
        return None
    dim = (low or 0) + item
    return dim if high is None or dim < high else None


_SIZE_NAMES = frozenset({"shape", "size", "numel", "nelement"})


def _number_code(instructions: list[dis.Instruction], start: int, end: int, values: dict[str, Any]) -> bool:
    """Whether the operand ``start:end`` computes a number: see ``sized_operand``."""
    last = instructions[end - 1]
    at = None
    if last.opname == "CALL":
        at = _callee_at(instructions, start, end)
        callee = None if at is None else instructions[at]
        owner = instructions[at - 1] if at is not None and at > start else None
        if callee is None or not (callee.opname == "LOAD_METHOD" and callee.argval in _SIZE_NAMES
                                  or callee.opname == "LOAD_GLOBAL" and callee.argval in _COUNTING
                                  or callee.opname in ("LOAD_FAST", "LOAD_DEREF") and _made_in_call(values.get(callee.argval))
                                  or callee.opname in ("LOAD_METHOD", "LOAD_ATTR") and owner is not None
                                  and owner.opname == "LOAD_GLOBAL" and owner.argval in _NUMERIC_NAMES):
            return False  # (``math.sqrt(x.shape[0])``, ``np.prod(x.shape[:-1])``: numbers of sizes too)
    for k in range(start, end):
        i = instructions[k]
        if i.opname in ("LOAD_FAST", "LOAD_DEREF") and k != at:
            v = values.get(i.argval)
            if not isinstance(v, _PLAIN) and not (
                    k + 1 < end and instructions[k + 1].opname in ("LOAD_ATTR", "LOAD_METHOD")
                    and instructions[k + 1].argval in _SIZE_NAMES):
                return False
    # a container's field is loaded as a number is (``t["w"] * bs``), so its methods tell: ``(p["x"] -
    # t["x"]).sum() / n`` is a tensor's code, whose size read says nothing of a number beside it
    return not any(i.opname == "LOAD_METHOD" and i.argval not in _SIZE_NAMES and i.argval not in ("item", "tolist")
                   and not (instructions[k - 1].opname == "LOAD_GLOBAL" and instructions[k - 1].argval in _NUMERIC_NAMES)
                   for k, i in enumerate(instructions[start:end], start))


def _holds_read(instructions: list[dis.Instruction], start: int, end: int, reads: dict[int, tuple[int, ...]],
                values: dict[str, Any], marked: Callable[[Any], bool], seen: set[str]) -> bool:
    """Whether the code ``start:end`` makes one of the size ``reads``, or loads a number local
    that ``marked`` says is a size or whose assignment is such code (``seen``: locals followed)."""

    return _computed_from(instructions, start, end, lambda k, e: _size_hit(instructions, reads, k, e), values, marked, seen)


def _computed_from(instructions: list[dis.Instruction], start: int, end: int, hit: Callable[[int, int], bool],
                   values: dict[str, Any], marked: Callable[[Any], bool], seen: set[str], cells: bool = False,
                   sizes: bool = True) -> bool:
    """Whether the number code ``start:end`` has an instruction ``hit`` says is its source (its
    index, the span's end), or loads a number local that ``marked`` says is one or whose
    assignment is such code (``seen``: locals followed; loop counters and positions aside). With
    ``cells``, also a free variable ``marked`` says is one. Without ``sizes``, an assignment may
    call a global function (``n = _len(t)``; ``_number_shaped``) or a method of ``self``
    (``cap = self._cap_of(t)``)."""
    for k in range(start, end):
        i = instructions[k]
        if hit(k, end):
            return True
        if cells and i.opname == "LOAD_DEREF" and not _index(instructions, k) and marked(values.get(i.argval)):
            return True
        v = values.get(i.argval) if i.opname == "LOAD_FAST" else None
        if i.opname != "LOAD_FAST" or i.argval in seen or not isinstance(v, (int, float)) or isinstance(v, bool):
            continue
        if _index(instructions, k):  # ``t[b]["w"]`` of ``for b in range(bs)``: a position picks a value
            continue
        if marked(v):
            return True
        seen.add(i.argval)
        for j in _stores(instructions, i.argval):
            if instructions[j - 1].opname == "FOR_ITER":  # a loop's counter: a position, no number computed
                continue
            value = _stored_value(instructions, j)  # (not a tensor's: ``total = 0``, then ``total + l / bs``)
            if value is not None and (_number_shaped(instructions, *value, sizes=sizes) or not sizes
                                      and _own_method_call(instructions, *value)) \
                    and _computed_from(instructions, *value, hit, values, marked, seen, sizes=sizes):
                return True
    return False


def _own_method_call(instructions: list[dis.Instruction], start: int, end: int) -> bool:
    """Whether ``start:end`` is a call of a method of ``self`` (``cls``): ``self._cap_of(t)``."""
    return (end - start >= 4 and instructions[end - 1].opname == "CALL" and instructions[start].opname == "LOAD_FAST"
            and instructions[start].argval in _OWNERS and instructions[start + 1].opname == "LOAD_METHOD"
            and _callee_at(instructions, start, end) == start + 1)


def shape_operand() -> bool:
    """Whether an operand of the op the caller's code is executing reads a tensor's ``shape`` or
    ``size()``, itself or in the assignments of the locals it loads (``w = o["x"].shape[-1]``,
    then ``e / w``): a size, whatever count it equals (``numel()`` of a tensor made of a count is
    none here)."""
    f = _caller()
    if f is None:
        return False

    def reads(f: types.FrameType, start: int, end: int, depth: int) -> bool:
        instructions = _instructions(f.f_code)
        params = f.f_code.co_varnames[: f.f_code.co_argcount + f.f_code.co_kwonlyargcount]
        for k in range(start, end):
            i = instructions[k]
            if i.opname in ("LOAD_ATTR", "LOAD_METHOD") and i.argval in ("shape", "size"):
                return True
            if depth and i.opname == "LOAD_FAST":
                stores = _stores(instructions, i.argval)
                for j in stores:
                    value = _stored_value(instructions, j)
                    if value is not None and reads(f, *value, depth - 1):
                        return True
                # a parameter of a function made in the call, read at its defaults (``def norm(x,
                # w=o["x"].shape[-1])``): passed or not, a size is no proof of a count
                made = None if stores or i.argval not in params else _made_defaults(f.f_back, f.f_code)
                if made is not None and made[1] is not None and reads(made[0], made[1], made[2], depth - 1):
                    return True
        return False

    return any(reads(f, start, end, 2) for start, end in _operands(f.f_code, _lasti(f)))


def operand_locals() -> tuple[Any, ...] | None:
    """The values of the locals and free variables the operands of the call, binary operator or
    comparison the caller's code is executing load (``w`` of ``2.0 * w[b]`` read in a
    comprehension); () where nothing is read; None where the operands are literals only."""
    f = _caller()
    if f is None:
        return ()
    names = _operand_names(f.f_code, _lasti(f))
    if names is None:
        return None
    held = _locals(f)
    return tuple(held[name] for name in names if name in held)


@_per_code(1024)
def _operand_names(code: types.CodeType, lasti: int) -> tuple[str, ...] | None:
    """The locals and free variables the operands of the op at ``lasti`` load, in order; None where
    the operands load nothing but literals (``clamp(min=1e-6)``, ``e ** 2.0``)."""
    instructions = _instructions(code)
    loads = [i for start, end in _operands(code, lasti) for i in instructions[start:end] if i.opname.startswith("LOAD_")
             and i.opname != "LOAD_CONST"]
    return tuple(i.argval for i in loads if i.opname in ("LOAD_FAST", "LOAD_DEREF")) if loads else None


def operand_fields() -> frozenset[Any]:
    """The constants that the number operand of the binary op the caller's code is executing
    subscripts with, in its code or in the assignments of the number locals it loads (``s =
    t["scale"].item(); l * (s * 1.0)``: ``{"scale"}``); empty where none or nothing is read."""
    f = _caller()
    if f is None:
        return frozenset()
    instructions, at = _located(f.f_code, _lasti(f))
    if at is None or instructions[at].opname != "BINARY_OP":
        return frozenset()
    right = _operand_start(instructions, at, target_first=True)
    left = _operand_start(instructions, right, target_first=True) if right is not None else None
    found: set[Any] = set()

    def hit(k: int, end: int) -> bool:
        i = instructions[k]
        if i.opname == "LOAD_CONST" and k + 1 < end and instructions[k + 1].opname == "BINARY_SUBSCR":
            found.add(i.argval)
        elif i.opname == "LOAD_CONST" and isinstance(i.argval, types.CodeType):  # ``sum(t["w"] for t in ts)``
            found.update(_subscripts(i.argval))
        return False

    for start, end in ((left, right), (right, at)):
        if start is not None and end is not None and _number_code(instructions, start, end, _locals(f)):
            _computed_from(instructions, start, end, hit, _locals(f), lambda v: False, set())
            for k in range(start, end):
                if instructions[k].opname in _FREE_LOADS or instructions[k].opname == "LOAD_FAST" and k \
                        and instructions[k - 1].opname == "PUSH_NULL":
                    found.update(_closed_fields(f, instructions[k].argval, 0))
    return frozenset(found)


def _built_class(instructions: list[dis.Instruction], name: str) -> types.CodeType | None:
    """The body code of the class the local ``name`` holds where the code builds it, once (a
    ``class`` statement in a function: ``LOAD_BUILD_CLASS``, that code, the call); else None."""
    stores = _stores(instructions, name, cells=True)
    first = _assignment_start(instructions, stores[0]) if len(stores) == 1 else None
    if first is None or not any(i.opname == "LOAD_BUILD_CLASS" for i in instructions[first : stores[0]]):
        return None
    return next((i.argval for i in instructions[first : stores[0]]
                 if i.opname == "LOAD_CONST" and isinstance(i.argval, types.CodeType)), None)


def _made_in_call(value: Any) -> TypeGuard[types.FunctionType]:
    """Whether ``value`` is a function made by code running in the call (a ``def`` or a lambda of
    the body or a helper: its qualified name has ``<locals>``)."""
    return isinstance(value, types.FunctionType) and "<locals>" in value.__qualname__


def _closed_fields(f: types.FrameType, name: str, depth: int) -> frozenset[Any]:
    """The constants subscripted (``_subscripts_of``) by the code computing what ``f``'s code loads as
    ``name`` where another code computes it: a free variable's number, stored by the enclosing code
    (``lambda e: e.sum() / wsum``), or a function made in the call (``wsum()`` of ``def wsum():
    return sum(w)``): its code and what it closes over, read so in turn."""
    g = _owner_frame(f, name)
    if g is None or depth > 2:
        return frozenset()
    value = _locals(g).get(name)
    found: set[Any] = set()
    if _made_in_call(value):
        found |= _subscripts(value.__code__)
        for free in value.__code__.co_freevars:
            if free in g.f_code.co_cellvars:
                found |= _closed_fields(g, free, depth + 1)
    elif isinstance(value, (int, float, list, tuple)):
        outer = _instructions(g.f_code)
        for j in _stores(outer, name, cells=True):
            stored = _stored_value(outer, j)
            if stored is not None:
                found |= _subscripts_of(g.f_code, outer[stored[0] : stored[1]])
    return frozenset(found)


@_per_code(256)
def _subscripts(code: types.CodeType) -> frozenset[Any]:
    """The constants ``code`` (a generator's, a comprehension's, a lambda's) or code nested in it
    subscripts with (a LOAD_CONST right before a BINARY_SUBSCR)."""
    return _subscripts_of(code, _instructions(code))


def _subscripts_of(code: types.CodeType, instructions: list[dis.Instruction]) -> frozenset[Any]:
    """``_subscripts`` of the part ``instructions`` of ``code``'s, the code it loads included."""
    found = {i.argval for i, after in zip(instructions, instructions[1:])
             if i.opname == "LOAD_CONST" and after.opname == "BINARY_SUBSCR"}
    for i in instructions:
        if i.opname == "LOAD_CONST" and isinstance(i.argval, types.CodeType):
            found |= _subscripts(i.argval)
    return frozenset(found)


def field_argument(func: Any, keyword: str, field: str) -> bool:
    """Whether the argument ``keyword=`` of the call of ``func`` the caller's code is executing is
    a number computed from the field ``field`` of a dict (``delta=s["loss_weight"] * 1.0``; also
    through number locals assigned so, ``w = t["loss_weight"]; delta=2 * w``): a subscript by that
    constant in its code. False where the call or the argument is not found so."""
    f = _caller()
    if f is None or _VERSION not in _FLOOR_CHECKED:
        return False
    instructions, at = _located_frame(f.f_code, _lasti(f))  # a call of a Python function (``F.huber_loss``)
    if at is None or instructions[at].opname != "CALL" \
            or _callee(f.f_code, instructions[at].offset) != getattr(func, "__name__", None):
        return False
    found = _call_spans(f.f_code, at)
    if found is None or keyword not in found[1]:
        return False
    spans, names = found
    start, end = spans[len(spans) - len(names) + names.index(keyword)]

    def hit(k: int, end: int) -> bool:
        i = instructions[k]
        return (i.opname == "LOAD_CONST" and i.argval == field and k + 1 < end
                and instructions[k + 1].opname == "BINARY_SUBSCR")

    return _computed_from(instructions, start, end, hit, _locals(f), lambda v: False, set())


def _stored_value(instructions: list[dis.Instruction], j: int) -> tuple[int, int] | None:
    """The span of the value the STORE_FAST (STORE_DEREF: a cell) at ``j`` stores: its straight-line
    operand, else the statement's code on its line (a value made with jumps: ``a if c else b``)."""
    if instructions[j].opname not in ("STORE_FAST", "STORE_DEREF"):
        return None
    start = _operand_start(instructions, j, target_first=True)
    if start is None:
        start = _assignment_start(instructions, j)
    return None if start is None or start >= j else (start, j)


def _reciprocal(instructions: list[dis.Instruction], start: int, end: int, reads: dict[int, tuple[int, ...]]
                ) -> tuple[float, int] | None:
    """``(c, offset)`` where the operand ``start:end`` is ``c / <...>.numel()`` (``.size(d)``) with
    the size read at ``offset``, or a local stored once with that value; else None."""
    span = instructions[start:end]
    if len(span) == 1 and span[0].opname == "LOAD_FAST":
        stores = _stores(instructions, span[0].argval)
        value = _stored_value(instructions, stores[0]) if len(stores) == 1 else None
        return None if value is None else _reciprocal(instructions, *value, reads)
    if len(span) < 3 or span[0].opname != "LOAD_CONST" or type(span[0].argval) not in (int, float):
        return None
    if span[-1].opname != "BINARY_OP" or span[-1].arg not in _DIVISIONS:
        return None
    read = span[-2]
    if len(span) == 3 and read.opname == "LOAD_FAST":  # ``100.0 / batch_size`` of ``batch_size = target.size(0)``
        stores = _stores(instructions, read.argval)
        value = _stored_value(instructions, stores[0]) if len(stores) == 1 else None
        if value is None or value[1] - value[0] < 2 or instructions[value[1] - 1].opname != "CALL":
            return None
        read = instructions[value[1] - 1]
    elif read.opname != "CALL" or _operand_start(instructions, end - 1) != start + 1:
        return None
    if reads.get(read.offset) != ():
        return None
    return float(span[0].argval), read.offset

def _instructions(code: types.CodeType) -> list[dis.Instruction]:
    """``code``'s instructions without EXTENDED_ARG (and CACHE), decoded once per code object; on
    3.12 laid out as 3.11 lays them (``_as_311``, ``_joined``)."""
    hit = _LAID_OUT.get(id(code))  # (``_laid_out``'s table read in place: asked some 80 times a seed call)
    if hit is not None and hit[0] is code:
        found = hit[1].get(())
        if found is not None:
            return found[0]
    return _laid_out(code)[0]


@_per_code(256)
def _laid_out(code: types.CodeType) -> tuple[list[dis.Instruction], dict[int, int]]:
    """``_instructions`` of ``code``, and the offsets of the instructions ``_joined`` left out,
    each to the offset of the instruction read in its place."""
    found = [i for i in dis.get_instructions(code) if i.opname not in ("EXTENDED_ARG", "CACHE")]
    if _VERSION == (3, 12):
        return _joined(_as_311(found))
    return _spelled_lengths(found) if _VERSION == (3, 11) else (found, {})


# The count's spellings read as ``len(x)`` (``_spelled_lengths``): a call of ``module.name`` (or of
# ``name`` imported) -> the positional arguments after ``x`` it takes, each a constant
_LENGTH_CALLS = {("functools", "reduce"): (0,), ("", "reduce"): (0,), ("operator", "length_hint"): (),
                 ("", "length_hint"): (), ("np", "size"): (0,), ("numpy", "size"): (0,)}


def _spelled_lengths(instructions: list[dis.Instruction]) -> tuple[list[dis.Instruction], dict[int, int]]:
    """``instructions`` (3.11) with the number of items of ``x`` spelled other than ``len(x)`` laid out as
    ``len(x)`` (LOAD_GLOBAL ``NULL + len``, ``x``, PRECALL 1, CALL 1), so that every reading of the count
    reads them: ``x.__len__()``, ``operator.length_hint(x)``, ``np.size(x, 0)``, ``np.shape(x)[0]``,
    ``functools.reduce(lambda a, _: a + 1, x, 0)``, ``sum([1 for _ in x])`` / ``sum(1 for _ in x)``
    (each the same number as ``len(x)``); and the offsets of the instructions left out, each to the
    offset of the CALL read in their place (a frame running the comprehension or the lambda reports its
    own). Straight-line code only: a jump target inside the spelling leaves it as it is."""
    out, moved, k, n = list(instructions), dict[int, int](), 0, 0
    while k < len(out):
        bound = _bound_length(out, k) if out[k].opname == "CALL" and out[k].arg == 0 else None
        if bound is not None:  # ``count()`` of ``count = x.__len__``: same offsets, so nothing moved
            head = out[k - 3]._replace(opname="LOAD_GLOBAL", opcode=dis.opmap["LOAD_GLOBAL"], arg=1, argval="len",
                                       argrepr="NULL + len")
            x = bound._replace(offset=out[k - 2].offset, starts_line=out[k - 2].starts_line, is_jump_target=False)
            out[k - 3 : k + 1] = [head, x, out[k - 1]._replace(arg=1, argval=1, argrepr=""),
                                  out[k]._replace(arg=1, argval=1, argrepr="")]
            n += 1
        elif out[k].opname == "CALL" and k >= 1 and out[k - 1].opname == "PRECALL":
            found = _length_spelling(out, k)
            if found is not None:
                first, last, argument = found
                region = out[first : last + 1]
                if not any(i.is_jump_target for i in region[1:]):
                    call = out[k]
                    head = region[0]._replace(opname="LOAD_GLOBAL", opcode=dis.opmap["LOAD_GLOBAL"], arg=1, argval="len",
                                              argrepr="NULL + len")
                    if argument[0] == first:  # ``x.__len__()``: x is loaded first
                        head = head._replace(offset=_half_before(head.offset), starts_line=None, is_jump_target=False)
                    laid = [head, *out[argument[0] : argument[1]],
                            out[k - 1]._replace(arg=1, argval=1, argrepr=""), call._replace(arg=1, argval=1, argrepr="")]
                    kept = {i.offset for i in laid}
                    moved.update((i.offset, call.offset) for i in region if i.offset not in kept and i.offset % 2 == 0)
                    out[first : last + 1] = laid
                    k = first + len(laid)
                    n += 1
                    continue
        k += 1
    return (out, moved) if n else (instructions, {})


def _bound_length(instructions: list[dis.Instruction], k: int) -> dis.Instruction | None:
    """The load of ``x`` where the CALL at ``k`` is ``count()`` of a
    local stored once, by ``count = x.__len__``, ``x`` a local no code stores (a parameter: the same
    object at the call); else None."""
    if k < 3 or instructions[k - 3].opname != "PUSH_NULL" or instructions[k - 2].opname != "LOAD_FAST" \
            or instructions[k - 1].opname != "PRECALL" or any(i.is_jump_target for i in instructions[k - 2 : k + 1]):
        return None
    name = instructions[k - 2].argval
    stores = [j for j, i in enumerate(instructions) if i.opname in _CELL_STORES and i.argval == name]
    if len(stores) != 1 or stores[0] < 2 or instructions[stores[0]].opname != "STORE_FAST":
        return None
    load, attr = instructions[stores[0] - 2 : stores[0]]
    if attr.opname != "LOAD_ATTR" or attr.argval != "__len__" or load.opname != "LOAD_FAST" or attr.is_jump_target \
            or instructions[stores[0]].is_jump_target:
        return None
    return None if any(i.opname in _CELL_STORES and i.argval == load.argval for i in instructions) else load


def _length_spelling(instructions: list[dis.Instruction], k: int) -> tuple[int, int, tuple[int, int]] | None:
    """(first, last, the span of ``x``) of a spelling of ``len(x)`` (``_spelled_lengths``) whose CALL is at ``k``."""
    spans = _spelled_spans(instructions, k)
    if spans is None:
        return None
    args, callee = spans
    if not args:  # ``x.__len__()``
        load = instructions[k - 2]
        if load.opname != "LOAD_METHOD" or load.argval != "__len__":
            return None
        start = _scanned_operand_start(instructions, k - 2, False)
        return None if start is None else (start, k, (start, k - 2))
    name = instructions[callee[1] - 1].argval if callee[1] - callee[0] == 1 else None
    if callee[1] - callee[0] == 2 and instructions[callee[0]].opname == "LOAD_GLOBAL" \
            and instructions[callee[0] + 1].opname == "LOAD_ATTR":
        path = (instructions[callee[0]].argval, instructions[callee[0] + 1].argval)
    elif name is not None and instructions[callee[0]].opname == "LOAD_GLOBAL":
        path = ("", name)
    else:
        return None
    if path in (("np", "shape"), ("numpy", "shape")) and len(args) == 1 and k + 2 < len(instructions) \
            and _constant_instruction(instructions[k + 1], 0) and instructions[k + 2].opname == "BINARY_SUBSCR":
        return callee[0], k + 2, args[0]  # ``np.shape(x)[0]``
    if path == ("", "sum") and len(args) == 1:
        iterable = _counted_iterable(instructions, args[0]) or _mapped_ones(instructions, args[0])
        return None if iterable is None else (callee[0], k, iterable)
    rest = _LENGTH_CALLS.get(path)
    if path[1] == "reduce" and rest is not None and len(args) == 3:
        made = instructions[args[0][0] : args[0][1]]
        if not (len(made) == 2 and made[0].opname == "LOAD_CONST" and made[1].opname == "MAKE_FUNCTION"
                and made[1].arg == 0 and _adds_one(made[0].argval)):
            return None
        args = args[1:]
    if rest is None or len(args) != 1 + len(rest) \
            or not all(b - a == 1 and _constant_instruction(instructions[a], c) for (a, b), c in zip(args[1:], rest)):
        return None
    return callee[0], k, args[0]


def _spelled_spans(instructions: list[dis.Instruction], k: int) -> tuple[list[tuple[int, int]], tuple[int, int]] | None:
    """(the spans of the positional arguments of the CALL at ``k``, first first; the span of its callee's
    load: LOAD_GLOBAL ``NULL + name`` or LOAD_GLOBAL ``NULL + module`` and LOAD_ATTR, or a method's)."""
    if instructions[k].is_jump_target or instructions[k - 1].is_jump_target:
        return None
    end, spans = k - 1, []
    for _ in range(instructions[k].arg or 0):
        start = _scanned_operand_start(instructions, end, False)
        if start is None:
            return None
        spans.append((start, end))
        end = start
    if end >= 1 and instructions[end - 1].opname == "LOAD_ATTR" and end >= 2 \
            and instructions[end - 2].opname == "LOAD_GLOBAL" and (instructions[end - 2].arg or 0) & 1:
        return spans[::-1], (end - 2, end)
    if end >= 1 and instructions[end - 1].opname == "LOAD_GLOBAL" and (instructions[end - 1].arg or 0) & 1:
        return spans[::-1], (end - 1, end)
    return (spans[::-1], (end - 1, end)) if not spans and end >= 1 else None


def _constant_instruction(i: dis.Instruction, value: int) -> bool:
    return i.opname == "LOAD_CONST" and type(i.argval) is int and i.argval == value


def _adds_one(code: Any) -> bool:
    """Whether ``code`` is that of ``lambda a, _: a + 1`` (any names)."""
    if not isinstance(code, types.CodeType) or code.co_argcount != 2 or code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS):
        return False
    ins = [i for i in dis.get_instructions(code) if i.opname not in ("RESUME", "EXTENDED_ARG", "CACHE")]
    return [i.opname for i in ins] == ["LOAD_FAST", "LOAD_CONST", "BINARY_OP", "RETURN_VALUE"] \
        and ins[0].argval == code.co_varnames[0] and _constant_instruction(ins[1], 1) and ins[2].arg in (0, 13)


def _counted_iterable(instructions: list[dis.Instruction], span: tuple[int, int]) -> tuple[int, int] | None:
    """The span of ``x`` where ``span`` makes ``[1 for _ in x]`` or ``(1 for _ in x)`` (one plain target)."""
    made = instructions[span[0] : span[1]]
    if len(made) < 6 or made[0].opname != "LOAD_CONST" or made[1].opname != "MAKE_FUNCTION" or made[1].arg != 0 \
            or [(i.opname, i.arg) for i in made[-3:]] != [("GET_ITER", None), ("PRECALL", 0), ("CALL", 0)]:
        return None
    code = made[0].argval
    if not isinstance(code, types.CodeType) or code.co_name not in ("<listcomp>", "<genexpr>"):
        return None
    ins = [i for i in dis.get_instructions(code) if i.opname not in ("RESUME", "EXTENDED_ARG", "CACHE")]
    body = [i.opname for i in ins]
    listed = ["BUILD_LIST", "LOAD_FAST", "FOR_ITER", "STORE_FAST", "LOAD_CONST", "LIST_APPEND", "JUMP_BACKWARD",
              "RETURN_VALUE"]
    yielded = ["RETURN_GENERATOR", "POP_TOP", "LOAD_FAST", "FOR_ITER", "STORE_FAST", "LOAD_CONST", "YIELD_VALUE",
               "POP_TOP", "JUMP_BACKWARD", "LOAD_CONST", "RETURN_VALUE"]
    if body == listed:
        one = ins[4]
    elif body == yielded:
        one = ins[5]
    else:
        return None
    return (span[0] + 2, span[1] - 3) if _constant_instruction(one, 1) else None


def _mapped_ones(instructions: list[dis.Instruction], span: tuple[int, int]) -> tuple[int, int] | None:
    """The span of ``x`` where ``span`` makes ``map(lambda _: 1, x)`` (a lambda of one plain parameter
    returning the int 1)."""
    made = instructions[span[0] : span[1]]
    if len(made) < 6 or made[0].opname != "LOAD_GLOBAL" or made[0].argval != "map" or not (made[0].arg or 0) & 1 \
            or made[1].opname != "LOAD_CONST" or made[2].opname != "MAKE_FUNCTION" or made[2].arg != 0 \
            or [(i.opname, i.arg) for i in made[-2:]] != [("PRECALL", 2), ("CALL", 2)] \
            or _scanned_operand_start(instructions, span[1] - 2, False) != span[0] + 3:
        return None
    code = made[1].argval
    if not isinstance(code, types.CodeType) or code.co_argcount != 1 or code.co_kwonlyargcount \
            or code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS):
        return None
    ins = [i for i in dis.get_instructions(code) if i.opname not in ("RESUME", "EXTENDED_ARG", "CACHE")]
    one = [i.opname for i in ins] == ["LOAD_CONST", "RETURN_VALUE"] and _constant_instruction(ins[0], 1)
    return (span[0] + 3, span[1] - 2) if one else None


# CALL_INTRINSIC_1's argument (3.12) -> the 3.11 opcode it replaced
_INTRINSICS = {5: "UNARY_POSITIVE", 6: "LIST_TO_TUPLE"}
_STOPITERATION_ERROR = 3  # CALL_INTRINSIC_1's argument in the handler 3.12 wraps a generator's body in


def _exception_entries(code: types.CodeType) -> list[Any] | None:
    """``code``'s exception table (None where ``dis`` gives none); on 3.12 without the entry of
    the handler that turns a StopIteration a generator's body raises into a RuntimeError (3.11
    did that outside the bytecode): no ``try`` of the code's."""
    entries = getattr(dis.Bytecode(code), "exception_entries", None)
    if entries is None or _VERSION != (3, 12):
        return entries
    starts = {i.offset: i for i in dis.get_instructions(code)}
    return [e for e in entries if not (starts.get(e.target) is not None and starts[e.target].opname == "CALL_INTRINSIC_1"
                                       and starts[e.target].arg == _STOPITERATION_ERROR)]


def _as_311(instructions: list[dis.Instruction]) -> list[dis.Instruction]:
    """3.12's ``instructions`` in 3.11's layout, so the readings written against 3.11 read them:
    a PRECALL before each CALL, LOAD_METHOD for a LOAD_ATTR that loads a method, POP_JUMP_IF_*
    named with its direction, LOAD_CONST + RETURN_VALUE for RETURN_CONST, BUILD_SLICE + the
    subscript for BINARY_SLICE / STORE_SLICE, JUMP_IF_*_OR_POP for COPY 1 + POP_JUMP_IF_* +
    POP_TOP, no END_FOR (FOR_ITER leaves to the instruction after it), COMPARE_OP's argument
    the index into ``dis.cmp_op``, KW_NAMES's argval its index, and the intrinsics 3.11 had as
    opcodes. Each real instruction keeps its offset (``f_lasti``) and its opcode and raw argument
    (``dis.stack_effect``); an added one takes an odd offset next to it, never a frame's, with
    NOP's opcode where 3.12 has none (the stack effect of the pair is the 3.12 instruction's);
    ``_looped`` and ``_joined`` place theirs half an offset before the next one."""
    out: list[dis.Instruction] = []
    ends = {i.offset: instructions[k + 1].offset for k, i in enumerate(instructions[:-1]) if i.opname == "END_FOR"}
    targets = set(ends.values())
    moved: dict[int, int] = {}
    nop = dis.opmap["NOP"]
    k = 0
    while k < len(instructions):
        i = instructions[k]
        op = i.opname
        if i.offset in targets:
            i = i._replace(is_jump_target=True)
        if op == "END_FOR" and i.offset in ends:
            k += 1
            continue
        if op == "CALL_INTRINSIC_1" and i.arg == _STOPITERATION_ERROR and k + 2 == len(instructions) \
                and instructions[k + 1].opname == "RERAISE":
            break  # a generator's handler (``_exception_entries``), last in its code
        if op == "FOR_ITER" and i.argval in ends:
            i = i._replace(argval=ends[i.argval], argrepr=f"to {ends[i.argval]}")
        elif op == "CALL":  # a jump to the call lands on its PRECALL (``f(a if c else b)``)
            out.append(i._replace(opname="PRECALL", opcode=nop, offset=i.offset - 1, starts_line=None))
            moved[i.offset] = i.offset - 1
            i = i._replace(is_jump_target=False)
        elif op == "LOAD_ATTR" and i.arg is not None and i.arg & 1:
            i = i._replace(opname="LOAD_METHOD")
        elif op.startswith("POP_JUMP_IF_"):
            if op in ("POP_JUMP_IF_FALSE", "POP_JUMP_IF_TRUE") and k >= 1 and k + 1 < len(instructions) \
                    and out and out[-1].opname == "COPY" and out[-1].arg == 1 and not i.is_jump_target \
                    and instructions[k + 1].opname == "POP_TOP" and not instructions[k + 1].is_jump_target:
                copy = out.pop()
                out.append(i._replace(opname=f"JUMP_IF_{op[12:]}_OR_POP", offset=copy.offset,
                                      starts_line=copy.starts_line, is_jump_target=copy.is_jump_target))
                k += 2
                continue
            way = "FORWARD" if i.argval > i.offset else "BACKWARD"
            i = i._replace(opname=f"POP_JUMP_{way}_IF_{op[12:]}")
        elif op == "RETURN_CONST":
            out.append(i._replace(opname="LOAD_CONST", opcode=dis.opmap["LOAD_CONST"]))
            i = i._replace(opname="RETURN_VALUE", opcode=dis.opmap["RETURN_VALUE"], arg=None, argval=None, argrepr="",
                           offset=i.offset + 1, starts_line=None, is_jump_target=False)
        elif op in ("BINARY_SLICE", "STORE_SLICE"):
            out.append(i._replace(opname="BUILD_SLICE", opcode=dis.opmap["BUILD_SLICE"], arg=2, argval=2, argrepr="",
                                  offset=i.offset - 1, starts_line=None, is_jump_target=False))
            i = i._replace(opname="BINARY_SUBSCR" if op == "BINARY_SLICE" else "STORE_SUBSCR",
                           opcode=dis.opmap["BINARY_SUBSCR" if op == "BINARY_SLICE" else "STORE_SUBSCR"],
                           is_jump_target=i.is_jump_target)
        elif op == "LOAD_FAST_CHECK":
            i = i._replace(opname="LOAD_FAST")
        elif op == "COMPARE_OP" and i.arg is not None:
            i = i._replace(arg=i.arg >> 4)
        elif op == "KW_NAMES":
            i = i._replace(argval=i.arg, argrepr="")
        elif op == "CALL_INTRINSIC_1" and i.arg in _INTRINSICS:
            i = i._replace(opname=_INTRINSICS[i.arg])
        elif op == "LOAD_SUPER_ATTR" and i.arg is not None and len(out) >= 3 and _zero_argument_super(out[-3:]):
            # ``super().name``: 3.11 calls ``super()`` (LOAD_GLOBAL NULL + super, PRECALL 0, CALL 0)
            # and loads from what it returns
            load, cls, obj = out[-3:]
            out[-3:] = [load._replace(arg=(load.arg or 0) | 1, argrepr="NULL + super"),
                        cls._replace(opname="PRECALL", opcode=nop, arg=0, argval=0, argrepr=""),
                        obj._replace(opname="CALL", opcode=dis.opmap["CALL"], arg=0, argval=0, argrepr="")]
            i = i._replace(opname="LOAD_METHOD" if i.arg & 1 else "LOAD_ATTR", opcode=dis.opmap["LOAD_ATTR"],
                           arg=(i.arg >> 2) << 1 | i.arg & 1)
        out.append(i)
        k += 1
    return _looped([i._replace(argval=moved[i.argval], argrepr=f"to {moved[i.argval]}")
                    if i.opcode in _JUMPS and i.argval in moved else i for i in out])


_LEAVING = frozenset({"RAISE_VARARGS", "RETURN_VALUE", "RERAISE"})
_NEGATED = {"FALSE": "TRUE", "TRUE": "FALSE", "NONE": "NOT_NONE", "NOT_NONE": "NONE"}


def _looped(instructions: list[dis.Instruction]) -> list[dis.Instruction]:
    """``instructions`` with 3.12's conditional jump over a JUMP_BACKWARD (3.12 jumps backward
    only unconditionally) as 3.11 lays it out: at the bottom of a ``while`` loop a
    POP_JUMP_BACKWARD_IF_* to its body; at an ``if`` closing a ``for`` loop's body (``if c: x``,
    3.12: ``if not c: continue``) a POP_JUMP_FORWARD_IF_* to the loop's closing JUMP_BACKWARD,
    where that body has no other jump back to the loop's head (a ``continue`` is kept)."""
    out = list(instructions)
    k = 0
    while k + 2 < len(out):
        test, back, after = out[k], out[k + 1], out[k + 2]
        if not (test.opname.startswith("POP_JUMP_FORWARD_IF_") and back.opname == "JUMP_BACKWARD"
                and test.argval == after.offset and not back.is_jump_target):
            k += 1
            continue
        negated = f"POP_JUMP_{{}}_IF_{_NEGATED[test.opname[20:]]}"
        head = next((j for j, i in enumerate(out) if i.offset == back.argval), None)
        others = [j for j, i in enumerate(out) if i.opcode in _JUMPS and i.argval == after.offset and j != k]
        if head is not None and out[head].opname != "FOR_ITER":  # a ``while`` loop's test at its bottom
            out[k : k + 2] = [test._replace(opname=negated.format("BACKWARD"), argval=back.argval,
                                            argrepr=f"to {back.argval}")]
            out[k + 1] = after._replace(is_jump_target=bool(others))
            continue
        closing = [j for j in range(k + 2, len(out)) if out[j].opname == "JUMP_BACKWARD" and out[j].argval == back.argval]
        end = next((j for j in range(k + 2, len(out)) if out[head or 0].opname == "FOR_ITER"
                    and out[j].offset >= out[head or 0].argval), len(out))
        inside = [j for j in closing if j < end]
        if head is not None and not inside and k + 3 < end < len(out) and out[end - 1].opname in _LEAVING \
                and not any(i.opcode in _JUMPS and not out[k + 2].offset <= i.argval < out[end].offset
                            for i in out[k + 2 : end]):
            # the body leaves (``assert``, ``raise``, ``return``): 3.11 closes the loop after it
            closed = back._replace(offset=_half_before(out[end].offset), is_jump_target=True, starts_line=None)
            out[k : end] = [test._replace(opname=negated.format("FORWARD"), argval=closed.offset,
                                          argrepr=f"to {closed.offset}"),
                            after._replace(is_jump_target=bool(others)), *out[k + 3 : end], closed]
            k += 1
            continue
        if head is None or len(inside) != 1 or any(
                i.opcode in _JUMPS and not out[k + 2].offset <= i.argval <= out[inside[0]].offset
                for i in out[k + 2 : inside[0]]):
            k += 1
            continue
        last = out[inside[0]]
        out[inside[0]] = last._replace(is_jump_target=True)
        out[k : k + 3] = [test._replace(opname=negated.format("FORWARD"), argval=last.offset, argrepr=f"to {last.offset}"),
                          after._replace(is_jump_target=bool(others))]
        k += 1
    return out


def _zero_argument_super(loads: list[dis.Instruction]) -> bool:
    """Whether ``loads`` are what 3.12 loads for ``super()`` without arguments."""
    load, cls, obj = loads
    return (load.opname == "LOAD_GLOBAL" and load.argval == "super" and not (load.arg or 0) & 1
            and cls.opname == "LOAD_DEREF" and cls.argval == "__class__" and obj.opname == "LOAD_FAST"
            and not cls.is_jump_target and not obj.is_jump_target)


def _joined(instructions: list[dis.Instruction]) -> tuple[list[dis.Instruction], dict[int, int]]:
    """``instructions`` where 3.12 copied the end of a function into the arm of a branch before it
    (``return {"loss": x * (2.0 if n > 4 else 1.0)}``: ``BINARY_OP, BUILD_MAP, RETURN_VALUE`` twice)
    with the copy replaced by a JUMP_FORWARD to the first instruction of the same run at the end,
    as 3.11 lays it out; and the offsets of the copy's instructions, each to the offset of the same
    instruction in that run (a frame running the copy reports its own). A copy keeps the source
    positions of what it copies: instructions of the arm's own are never taken for the copy."""
    out, copied = list(instructions), dict[int, int]()
    k = len(out) - 2
    while k >= 0:
        if out[k].opname != "RETURN_VALUE" or not out[k + 1].is_jump_target:
            k -= 1
            continue
        t = next((j for j in range(k + 1, len(out)) if out[j].opname == "RETURN_VALUE"), None)
        m = 0
        while t is not None and m <= k and t - m > k + 1 and _same_op(out[k - m], out[t - m]) \
                and out[k - m].opcode not in _JUMPS and not (m and out[k - m + 1].is_jump_target):
            m += 1
        if t is None or m == 0 or out[k - m + 1].is_jump_target:
            k -= 1
            continue
        first, join = out[k - m + 1], out[t - m + 1]
        # half an offset before the copy: no other instruction's (added ones take odd offsets)
        jump = first._replace(opname="JUMP_FORWARD", opcode=dis.opmap["JUMP_FORWARD"], arg=0, argval=join.offset,
                              argrepr=f"to {join.offset}", offset=_half_before(first.offset), is_jump_target=False)
        out[t - m + 1] = join._replace(is_jump_target=True)
        copied.update((i.offset, c.offset) for i, c in zip(out[k - m + 1 : k + 1], out[t - m + 1 : t + 1])
                      if i.offset % 2 == 0)  # a frame's offsets only
        out[k - m + 1 : k + 1] = [jump]
        k -= m
    return out, copied


def _half_before(offset: int) -> Any:
    """The offset of an instruction ``_looped`` or ``_joined`` places right before the one at
    ``offset``: between two real ones and an added one's odd offset, never a frame's."""
    return offset - 0.5


def _same_op(a: dis.Instruction, b: dis.Instruction) -> bool:
    """Whether ``a`` and ``b`` are copies of one instruction (a copy keeps its source positions)."""
    return (a.opname, a.arg, a.argval, getattr(a, "positions", a)) == (b.opname, b.arg, b.argval, getattr(b, "positions", b))


@_per_code(256)
def _positions(code: types.CodeType) -> dict[int, int]:
    instructions, copied = _laid_out(code)
    found = {i.offset: k for k, i in enumerate(instructions)}
    found.update((a, found[b]) for a, b in copied.items())
    return found


_LAID_OUT: dict[int, tuple[types.CodeType, dict[Any, Any]]] = _laid_out.table  # type: ignore[attr-defined]
_POSITIONS: dict[int, tuple[types.CodeType, dict[Any, Any]]] = _positions.table  # type: ignore[attr-defined]


def _located(code: types.CodeType, lasti: int) -> tuple[list[dis.Instruction], int | None]:
    """``code``'s instructions and the index of the one at byte offset ``lasti`` (None: not found)."""
    hit = _POSITIONS.get(id(code))  # (``_positions``' table read in place: asked on most ops)
    if hit is not None and hit[0] is code:
        found = hit[1].get(())
        if found is not None:
            return _instructions(code), found.get(lasti)
    return _instructions(code), _positions(code).get(lasti)


def _located_frame(code: types.CodeType, lasti: int) -> tuple[list[dis.Instruction], int | None]:
    """``_located``, also where ``lasti`` is on the last of a CALL's inline caches: a frame calling
    a Python function (or a type) through a specialised CALL reports that offset. For a frame
    below the one running (where is the CALL it is executing?); the innermost frame's own op is
    read with ``_located`` (an op run inside a Python function it called is not that CALL's)."""
    instructions, at = _located(code, lasti)
    if at is None:
        at = _positions(code).get(lasti - 2 * _CALL_CACHES)
        if at is not None and instructions[at].opname != "CALL":
            at = None
    elif instructions[at].opname == "PRECALL" and at + 1 < len(instructions) and instructions[at + 1].opname == "CALL":
        at += 1  # specialised, a builtin class (``float(x)``) or a method descriptor runs in PRECALL
    return instructions, at


@_per_code(1024)
def _operand_spans(code: types.CodeType, lasti: int) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """(left, right) index ranges of the operands of the ``*`` / ``/`` BINARY_OP at ``lasti``."""
    instructions, at = _located(code, lasti)
    if at is None or instructions[at].opname != "BINARY_OP" or instructions[at].arg not in _DIVISIONS | _PRODUCTS:
        return None
    if instructions[at].is_jump_target:
        return None
    right = _operand_start(instructions, at)
    left = _operand_start(instructions, right) if right is not None else None
    if left is None and right is not None:
        left = _statement_operand(instructions, right, at)
    if right is None or left is None:
        return None
    return (left, right), (right, at)


def _statement_operand(instructions: list[dis.Instruction], right: int, at: int) -> int | None:
    """The start of the left operand of the binary op at ``at`` (its right operand starting at
    ``right``) where its first instruction is a jump target that begins the op's own source text:
    the exit of a ``with``, ``if`` or loop block landing on ``loss / n``'s load of ``loss`` (every
    path into it runs the whole operand; was read as no operand, and ``n = negs.shape[1]`` then
    taken for a count of the examples it equalled: survey 51). An arm of a conditional expression,
    also a jump target, begins elsewhere in the text (``(x if c else y) * 2 / n``: ``y``)."""
    k = _operand_start(instructions, right, target_first=True)
    if k is None or not instructions[k].is_jump_target:
        return None
    first, op = getattr(instructions[k], "positions", None), getattr(instructions[at], "positions", None)
    if first is None or op is None or first.lineno is None or first.col_offset is None:
        return None
    return k if (first.lineno, first.col_offset) == (op.lineno, op.col_offset) else None


def length_arithmetic(batch_wide: Callable[[Any], bool]) -> bool:
    """Whether an operand of the ``*`` / ``/`` the caller's code is executing is a number its code
    computes from number literals and lengths alone (``d = 1.0 / len(scales)``, ``4.0 /
    (len(feats[0]) - 1 + 1)``), through locals (no parameter) every assignment of which is such a
    number (``+=`` included), each length one of an object ``batch_wide`` accepts (a list of
    tensors that each hold every image: no selection of images by their values), read without
    running code from locals assigned once or parameters, subscripted by constants: that number
    reads no value of the images, so, whatever it equals, it is no statistic of their weights.
    Python 3.11."""
    if _VERSION not in _FLOOR_CHECKED:
        return False
    f = _caller()
    spans = _operand_spans(f.f_code, _lasti(f)) if f is not None else None
    if f is None or spans is None:
        return False
    instructions = _instructions(f.f_code)
    return any(_length_arithmetic(f, instructions, start, end, frozenset(), batch_wide) for start, end in spans)


def _length_arithmetic(f: types.FrameType, instructions: list[dis.Instruction], start: int, end: int,
                       visiting: frozenset[str], batch_wide: Callable[[Any], bool]) -> bool:
    """Whether ``instructions[start:end]`` compute a number from number literals, arithmetic,
    lengths (see ``length_arithmetic``) and locals ``_length_local`` accepts (``visiting``: those
    being checked, taken as proven: each of their assignments is)."""
    k = start
    while k < end:
        i = instructions[k]
        if i.opname == "LOAD_GLOBAL" and i.argval == "len" and (i.arg or 0) & 1 and _builtin(f, "len") is builtins.len:
            close = _call_end(instructions[k:end], 0)
            arg = instructions[k + 1 : k + close] if close is not None else []
            once = all(len(_stores(instructions, a.argval)) <= (0 if a.argval in f.f_code.co_varnames[
                : f.f_code.co_argcount + f.f_code.co_kwonlyargcount] else 1) for a in arg if a.opname == "LOAD_FAST")
            if close is None or not once or not batch_wide(_length_of(arg, f).obj):
                return False
            k += close + 1
            continue
        if i.opname == "LOAD_FAST":
            if i.argval not in visiting and not _length_local(f, instructions, i.argval, visiting | {i.argval}, batch_wide):
                return False
        elif not (i.opname == "LOAD_CONST" and type(i.argval) in (int, float)
                  or i.opname in ("BINARY_OP", "UNARY_NEGATIVE", "NOP")):
            return False
        k += 1
    return start < end


def _length_local(f: types.FrameType, instructions: list[dis.Instruction], name: str, visiting: frozenset[str],
                  batch_wide: Callable[[Any], bool]) -> bool:
    """Whether the local ``name`` (no parameter, no closure's) is assigned only numbers
    ``_length_arithmetic`` accepts."""
    code = f.f_code
    if name in code.co_varnames[: code.co_argcount + code.co_kwonlyargcount] or name in code.co_cellvars:
        return False
    stores = [k for k, i in enumerate(instructions) if i.argval == name and i.opname in ("STORE_FAST", "DELETE_FAST")]
    for k in stores:
        start = _operand_start(instructions, k, target_first=True) if instructions[k].opname == "STORE_FAST" else None
        if start is None or not _length_arithmetic(f, instructions, start, k, visiting, batch_wide):
            return False
    return bool(stores)


def _number_operand(
    instructions: list[dis.Instruction], start: int, end: int, f: types.FrameType
) -> tuple[str, tuple[Length, ...]] | None:
    span = instructions[start:end]
    lengths: list[Length] = []
    k = 0
    while k < len(span):
        i = span[k]
        if i.opname == "LOAD_GLOBAL" and f.f_globals.get(i.argval) is math and k + 1 < len(span) \
                and span[k + 1].opname in ("LOAD_METHOD", "LOAD_ATTR") and callable(getattr(math, span[k + 1].argval, None)):
            k += 2  # ``math.sqrt(len(t))``: a number computed from the length
            continue
        if i.opname == "LOAD_GLOBAL" and not (i.arg or 0) & 1 and type(f.f_globals.get(i.argval)) in (int, float):
            k += 1  # ``len(t) + HALF``: a module's number, a constant of the expression (pin41: was read as none)
            continue
        if i.opname in ("LOAD_FAST", "LOAD_DEREF") and (after := _picked_number(span, k, f)) is not None:
            k = after  # ``len(t) + t[0]["loss_weight"]``: a plain number of the targets, no length
            continue
        if i.opname == "LOAD_GLOBAL":
            if i.argval not in _NUMBER_BUILTINS or _builtin(f, i.argval) is not getattr(builtins, i.argval):
                return None
            if i.argval == "len":
                close = _call_end(span, k)
                if close is None:
                    return None
                lengths.append(_length_of(span[k + 1 : close], f))
                k = close + 1
                continue
        elif i.opname in ("LOAD_FAST", "LOAD_DEREF", "LOAD_CLOSURE"):
            if type(_locals(f).get(i.argval)) not in _PLAIN:
                return None
        elif i.opname == "LOAD_CONST":
            if type(i.argval) not in _PLAIN:
                return None
        elif i.opname not in ("BINARY_OP", "PRECALL", "CALL", "PUSH_NULL", "UNARY_NEGATIVE"):
            return None  # a subscript (``t[(b + 1) % len(t)]["w"]``: a length as an index), an attribute
        k += 1
    if not lengths:
        return None
    return _form(span), tuple(lengths)


def _picked_number(span: list[dis.Instruction], k: int, f: types.FrameType) -> int | None:
    """The index after ``x[c]..[d]``, a local subscripted by constants from ``k`` (``t[0]["loss_weight"]``),
    where the builtin lists, tuples and dicts it reads hold a plain number there; None else."""
    value = _locals(f).get(span[k].argval, _UNPROVEN)
    j = k + 1
    while j + 1 < len(span) and span[j].opname == "LOAD_CONST" and span[j + 1].opname == "BINARY_SUBSCR" \
            and type(value) in (list, tuple, dict) and type(span[j].argval) in (int, str):
        try:
            value = value[span[j].argval]
        except (KeyError, IndexError, TypeError):
            return None
        j += 2
    return j if j > k + 1 and type(value) in (int, float) else None


def _builtin(f: types.FrameType, name: str) -> Any:
    return f.f_globals.get(name, f.f_builtins.get(name))


def _call_end(span: list[dis.Instruction], k: int) -> int | None:
    """The index of the CALL that ends the call whose callee LOAD_GLOBAL is at ``k``."""
    depth = 0
    for j in range(k, len(span)):
        i = span[j]
        try:
            depth += dis.stack_effect(i.opcode, i.arg if i.opcode >= dis.HAVE_ARGUMENT else None, jump=False)
        except ValueError:
            return None
        if i.opname == "CALL" and depth == 1:
            return j
        if depth <= 0:
            return None
    return None


def _length_of(arg: list[dis.Instruction], f: types.FrameType) -> Length:
    """What ``len`` is called on, read without running code: locals subscripted by constants
    (``t``, ``t[0]["labels"]``) in builtin lists, tuples and dicts; else ``UNPROVEN``."""
    arg = [i for i in arg if i.opname != "PRECALL"]
    loaded = tuple(_locals(f).get(i.argval) for i in arg if i.opname in ("LOAD_FAST", "LOAD_DEREF"))
    stack: list[Any] = []
    for i in arg:
        if i.opname in ("LOAD_FAST", "LOAD_DEREF") and i.argval in _locals(f):
            stack.append(_locals(f)[i.argval])
        elif i.opname == "LOAD_CONST" and type(i.argval) in (int, str):
            stack.append(i.argval)
        elif i.opname == "BINARY_SUBSCR" and len(stack) >= 2 and type(stack[-2]) in (list, tuple, dict):
            key = stack.pop()
            container = stack.pop()
            try:
                stack.append(container[key])
            except (KeyError, IndexError, TypeError):
                return Length(_UNPROVEN, loaded)
        else:
            return Length(_UNPROVEN, loaded)
    return Length(stack[0] if len(stack) == 1 else _UNPROVEN, loaded)


def _form(span: list[dis.Instruction]) -> str:
    """``"len"``, ``"float"``, ``"floor"``, ``"cap"`` or ``"expr"``: see ``operand_lengths``."""
    names = [i.opname for i in span if i.opname not in ("PRECALL", "PUSH_NULL")]
    loads = [i for i in span if i.opname not in ("PRECALL", "PUSH_NULL")]
    if len(loads) == 3 and loads[0].argval == "len" and names[1] in ("LOAD_FAST", "LOAD_DEREF"):
        return "len"
    if len(loads) == 5 and loads[0].argval == "float" and loads[1].argval == "len" and names[4] == "CALL":
        return "float"
    if len(loads) in (6, 8) and loads[0].argval in ("max", "min") and loads[-1].opname == "CALL" and loads[-1].arg == 2:
        for count, const in ((loads[1:-2], loads[-2]), (loads[2:-1], loads[1])):
            if const.opname != "LOAD_CONST" or type(const.argval) not in (int, float) or _form(count) not in ("len", "float"):
                continue
            if loads[0].argval == "max" and const.argval <= 1:
                return "floor"  # (``max(float(len(t)), 1.0)``, lp3)
            if loads[0].argval == "min":
                return "cap"
    return "expr"


class Arithmetic(NamedTuple):
    """A Python number divisor written as arithmetic other than a product (``num_ins + 1``,
    ``len(x) - 1``): the numbers it reads that the body computed (its plain-number locals, its
    ``len`` calls), and ``(n, c)`` where it is exactly ``n + c`` with ``n`` a local int and ``c``
    a non-negative literal (else None)."""

    numbers: tuple[float, ...]
    shift: tuple[int, float] | None
    unproven: bool = False
    """Whether it calls ``len`` on something not read without running code (``len(m.nonzero())``):
    a length of unknown value, maybe a count of the batch."""
    maximum: bool = False
    """Whether it calls the builtin ``max`` (``max(n, c)``, ``c`` no literal at most 1)."""
    plus_size: tuple[int, int, Any] | None = None
    """``(n, m, x)`` where it is exactly ``n + m`` (or ``m + n``) of two locals, ``n`` an int
    assigned once by ``len(x)`` of a local ``x`` assigned once (``x`` the object it holds) and ``m``
    an int of a subclass (the capture's mark of a size it reads: PolarMask's ``num_pos +
    num_imgs``, ``num_pos = len(pos_inds)``, ``num_imgs = cls_scores.size(0)``); else None."""
    sized: bool = False
    """Whether it reads no number but sizes (``12 + x.shape[1]``): of dims the code does not name,
    where the result is a plain number (no size of image rows made it), maybe a count."""


def divisor_arithmetic(stored: bool = False) -> Arithmetic | None:
    """The divisor of the ``a / b`` the caller's code is executing, where ``b`` is Python arithmetic
    with an operator other than ``*`` (``n + 1``, ``n - 1``, ``n // 2``), or a call of the builtin
    ``min`` or of ``max`` other than a floor of at most 1 (``min(n, 3)``, ``max(n, 2)``), over at
    least one number the body computed (a plain-number local, a ``len`` call), or literals chosen
    by a switch that is no proven configuration (``3 if s else 5``, ``s`` a global some function
    of the module writes; ``_chosen_literal``, its arms the numbers, unproven): on a group alone
    the body computes it from what the group counts, so its value equal to a count of the batch
    is no proof of which one. None for any other divisor (a lone name, a literal, ``len(x)``,
    ``float(len(x))``, ``max(n, 1)``, a product: read as before), another layout or an unchecked
    Python. With ``stored``, only a lone local ``b`` held by such a sum or difference
    (``_stored_shift``: ``n = 12 + len(x)``, then ``/ n``), read as the expression written there."""
    f = _caller()
    if f is None:
        return None
    chosen = None if stored else _divisor_at(f.f_code, _lasti(f))[1]
    if type(chosen) is _Chosen:  # ``3 if s else 5``: a literal where ``s`` is configuration, else the batch's pick
        return None if _configured(chosen.switch, f) is not _UNPROVEN else Arithmetic(chosen.arms, None, True)
    span = _lone_divisor(f) if stored else _divisor_instructions(f)
    if span is not None and stored:
        span = _stored_shift(f, span)
    if span is None:
        return None
    rounded = any(i.opname == "LOAD_GLOBAL" and i.argval in ("int", "round") for i in span)  # ``int(n * 0.5)``
    if any(i.is_jump_target for i in span) or not (
            any(i.opname == "BINARY_OP" and (i.arg not in _PRODUCTS or rounded) for i in span) or _bounded(span, f)
            and not (_VERSION in _FLOOR_CHECKED and (_floor_at(f.f_code, _lasti(f)) or 2.0) <= 1)):
        return None
    numbers: list[float] = []
    unproven = sized = False
    k = 0
    while k < len(span):
        i = span[k]
        if i.opname == "LOAD_GLOBAL" and i.argval == "len" and _builtin(f, "len") is len:
            close = _call_end(span, k)
            if close is None:
                return None
            size = _sized(_length_of(span[k + 1 : close], f).obj)
            if size is not None:
                numbers.append(size)
            unproven = unproven or size is None
            k = close + 1
            continue
        if i.opname in ("LOAD_FAST", "LOAD_DEREF"):
            v = _locals(f).get(i.argval)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                numbers.append(v)
        sized = sized or i.opname in ("LOAD_ATTR", "LOAD_METHOD") and i.argval in ("shape", "size")
        k += 1
    if not numbers and not unproven and not sized:
        return None  # literals and configuration only: a constant of the body
    shift = None
    if len(span) == 3:  # ``n + c``: LOAD_FAST n, LOAD_CONST c, BINARY_OP +
        load, const, plus = span
        value = _locals(f).get(load.argval) if load.opname in ("LOAD_FAST", "LOAD_DEREF") else None
        if (type(value) is int and const.opname == "LOAD_CONST" and type(const.argval) in (int, float)
                and const.argval >= 0 and plus.arg == 0 and load.opname == "LOAD_FAST"
                and _builtin(f, "len") is len and _stored_from_len(f.f_code, load.argval)):
            shift = (value, float(const.argval))
    maximum = any(i.opname == "LOAD_GLOBAL" and i.argval == "max" for i in span)
    return Arithmetic(tuple(numbers), shift, unproven, maximum, _plus_size(span, f), sized and not numbers and not unproven)


def _stored_shift(f: types.FrameType, span: list[dis.Instruction]) -> list[dis.Instruction] | None:
    """The value of the lone local ``span`` loads, where ``f``'s code stores it once, before, in no
    loop, straight from Python arithmetic adding or subtracting (``n = 12 + len(x)``, ``n = len(x) *
    2 - 1``), each local that value reads stored at most once (so still what it held there); None
    for any other operand. Held so, the sum is the one written at the division (cov38a, session 37:
    ``n = 12 + len(x)`` of a tensor of the images was read by value as 4 x the 4 images)."""
    if len(span) == 4 and span[0].opname == "LOAD_GLOBAL" and span[0].argval in ("float", "int") and _builtin(
            f, span[0].argval) is getattr(builtins, span[0].argval):  # ``float(n)``: the sum made a float
        held = _stored_shift(f, span[1:2])
        return None if held is None else [span[0], *held, *span[2:]]
    if len(span) != 1 or span[0].opname != "LOAD_FAST" or span[0].argval in f.f_code.co_cellvars:
        return None
    instructions = _instructions(f.f_code)
    stores = _stores(instructions, span[0].argval, cells=True)
    at = _index_of(instructions, span[0])  # (by its offset; the scan where it is not found so)
    if at is None or instructions[at] is not span[0]:
        at = next((k for k, i in enumerate(instructions) if i is span[0]), None)
    value = _stored_value(instructions, stores[0]) if len(stores) == 1 and at is not None and stores[0] < at else None
    if value is None or any(first <= stores[0] < last for first, last in _loops(instructions)):
        return None
    held = instructions[value[0]:value[1]]
    if not any(i.opname == "BINARY_OP" and i.arg in _SHIFTS for i in held) or any(
            i.opname in ("LOAD_FAST", "LOAD_DEREF") and len(_stores(instructions, i.argval, cells=True)) > 1 for i in held):
        return None
    literals = _literal_locals(f.f_code)
    if all(i.opname in ("LOAD_CONST", "BINARY_OP") or i.opname == "LOAD_FAST" and i.argval in literals for i in held):
        return None  # ``n = 12``, ``m = n + 3``: literals, a constant of the code (as before)
    return held


def _plus_size(span: list[dis.Instruction], f: types.FrameType) -> tuple[int, int, Any] | None:
    """See ``Arithmetic.plus_size``."""
    if len(span) != 3 or span[2].opname != "BINARY_OP" or span[2].arg != 0 or _builtin(f, "len") is not len:
        return None
    if any(i.opname != "LOAD_FAST" for i in span[:2]):
        return None
    (a, b) = ((i.argval, _locals(f).get(i.argval)) for i in span[:2])
    instructions = _instructions(f.f_code)
    for (name, n), (_, m) in ((a, b), (b, a)):
        if type(n) is not int or not isinstance(m, int) or type(m) in (int, bool):
            continue
        stores = _stores(instructions, name)
        if len(stores) != 1 or name in f.f_code.co_cellvars or not _length_of_local(instructions, stores[0], bool):
            continue
        x = instructions[stores[0] - 3].argval  # ``len(x)``: LOAD_GLOBAL len, LOAD_FAST x, PRECALL, CALL
        if len(_stores(instructions, x)) == 1 and x not in f.f_code.co_cellvars and x in _locals(f):
            return n, m, _locals(f)[x]
    return None


def _bounded(span: list[dis.Instruction], f: types.FrameType) -> bool:
    """Whether ``span`` calls the builtin ``min`` or ``max``, or ends with an item of what the
    builtin ``sorted`` returns (``sorted([n, 2.0])[-1]``: a ``max`` spelled by its order, red team 36b)."""
    picked = bool(span) and span[-1].opname == "BINARY_SUBSCR"
    return any(i.opname == "LOAD_GLOBAL" and (i.argval in ("min", "max") or picked and i.argval == "sorted")
               and _builtin(f, i.argval) is getattr(builtins, i.argval) for i in span)


def constant_times_length(body: Callable[[], BodyCall | None]) -> tuple[Any, Any] | None:
    """``(k, x)`` where the divisor of the ``a / b`` the caller's code is executing is ``k *
    len(x)`` (or ``len(x) * k``): written there, or a local assigned once, in no loop, right by
    that product (``normalizer = batch_size_per_image * num_images``), ``k`` a constant of the
    call (``_constant_of_call``: a literal, a parameter at its default...) and the length a
    ``len(x)`` call, or a local assigned once by one, of a local ``x`` bound once. On a group
    alone the body divides by ``k`` times the group's length of ``x``. ``k`` None where the other
    factor is no such constant (``n * n``, ``m * n`` with ``m = y.shape[0]`` or a parameter:
    maybe a count of the group too). None for any other divisor or an unchecked Python."""
    f = _caller() if _VERSION in _FLOOR_CHECKED else None
    found = _times_length_at(f.f_code, _lasti(f)) if f is not None else None
    if f is None or found is None:
        return None
    span, x = found
    if x not in _locals(f) or _builtin(f, "len") is not len:
        return None
    # (a global or ``self.k`` too: ``ce / (len(targets) * NQ)``, read as ``_constant_of_call`` reads constants)
    c = _UNPROVEN if span is None else _constant_of_call(f, *span, body, own=None)
    if c is _UNPROVEN:
        width = _parameter_width(f.f_code, *span) if span is not None else None
        if width is not None:  # ``len(p) * q.shape[1]``: the frame tells whether dim 1 of ``q`` is fixed
            return ParameterWidth(_locals(f)[width[0]], width[1]), _locals(f)[x]
        return None, _locals(f)[x]  # red team, session 17: ``m * n`` with ``m = y.shape[0]`` was read by value
    return c, _locals(f)[x]


class ParameterWidth(NamedTuple):
    """The factor ``q.shape[dim]`` of ``k * len(x)``, ``q`` what a parameter never rebound holds: a
    constant of the call only where ``q`` is an argument of the call whose images run along another
    dim (``Frame.constant_times_length`` tells)."""

    tensor: Any
    dim: int


def _parameter_width(code: types.CodeType, first: int, stop: int) -> tuple[str, int] | None:
    """``(name, dim)`` where the span ``first:stop`` is ``name.shape[dim]``, ``name`` a parameter of
    ``code`` that no code of it rebinds; else None."""
    span = _instructions(code)[first:stop]
    if len(span) != 4 or any(i.is_jump_target for i in span[1:]):
        return None
    load, attr, index, subscript = span
    if load.opname != "LOAD_FAST" or load.argval not in _parameters(code) \
            or f"LOCAL:{load.argval}" in _stored_names(code) or attr.opname != "LOAD_ATTR" or attr.argval != "shape" \
            or index.opname != "LOAD_CONST" or type(index.argval) is not int or subscript.opname != "BINARY_SUBSCR":
        return None
    return load.argval, index.argval


def argument_times_constant(body: Callable[[], BodyCall | None],
                            own: FixedLists | None = None) -> tuple[Any, Any] | None:
    """``(p, k)`` where the divisor of the ``a / b`` the decorated body's own code is executing is
    ``p * k`` (or ``k * p``): written there, or a local assigned once, in no loop, right by that
    product (RT-DETR's ``norm = num_boxes * dn_num_group``), ``p`` a parameter of the body it never
    rebinds, passed by the call (the very object the caller gave: an outside number), and ``k`` a
    constant of the call (``_constant_of_call``; with ``own``, the call's argument dicts' items as
    the call began, also a field of such a dict the call was given and still holds: DINO's
    ``num_boxes * dn_meta["num_dn_group"]``, the oracle's group gets that very dict). On a group
    alone the body divides by ``k`` times what the caller gives it there. ``k`` None where the other
    factor is no such constant (``num_boxes * num_boxes``, ``num_boxes * len(targets)``, a field
    the call wrote from its targets: on a group alone maybe the group's). A helper's division by
    its parameter is read at the product its caller passes for it, up to the body. None for any
    other divisor or an unchecked Python."""
    f = _caller() if _VERSION in _FLOOR_CHECKED else None
    found = _times_parameter_at(f.f_code, _lasti(f)) if f is not None else None
    depth = 0
    while f is not None and isinstance(found, str) and depth < _FOLLOWED_CALLS:
        # a helper's parameter (``_focal(logits, onehot, norm)``, ``/ num_boxes`` there): the product
        # its caller passes for it
        how, back = _called_by(f)
        span = _argument_for(f, back, found) if how == "code" else None
        if back is None or not isinstance(span, tuple):
            return None
        f, found, depth = back, _times_parameter_in(back.f_code, *span), depth + 1
    if f is None or not isinstance(found, tuple) or _called_by(f)[0] != "body":
        return None
    name, first, stop = found
    call = body()
    p = f.f_locals.get(name, _UNPROVEN)
    if call is None or call.code is not f.f_code or name in call.unpassed or type(p) not in (int, float):
        return None
    k = _constant_of_call(f, first, stop, body, own=own)
    return p, (None if k is _UNPROVEN else k)


@_per_code(1024)
def _times_parameter_at(code: types.CodeType, lasti: int) -> tuple[str, int, int] | str | None:
    """(the parameter, the span of the other factor) of the divisor ``p * k`` of the division at
    ``lasti`` (see ``argument_times_constant``); the name of a parameter never rebound where the
    divisor is that parameter alone (what the caller passes for it is read)."""
    divisor = _divisor_span(code, lasti)
    if divisor is None:
        return None
    instructions, start, end = divisor
    if end - start == 1 and instructions[start].opname == "LOAD_FAST" and _plain_parameter(code, instructions[start].argval):
        return instructions[start].argval
    return _times_parameter_in(code, start, end)


@_per_code(1024)
def _times_parameter_in(code: types.CodeType, first: int, stop: int) -> tuple[str, int, int] | None:
    """``_times_parameter_at``'s product where the span ``first:stop`` of ``code`` computes it: written
    there, or a local it loads, stored once outside a loop (``_stored_once``)."""
    divisor = _stored_once(code, _instructions(code), first, stop, target_first=True)
    if divisor is None:
        return None
    instructions, start, end = divisor
    product = end - 1
    if instructions[product].opname != "BINARY_OP" or instructions[product].argrepr != "*" \
            or any(i.is_jump_target for i in instructions[start + 1 : end + 1]):
        return None
    operands = _split_operands(instructions[start:product], 2, target_first=True)
    if operands is None:
        return None
    spans = ((start, start + len(operands[0])), (start + len(operands[0]), product))
    for k in (0, 1):
        span = operands[k]
        if len(span) == 1 and span[0].opname == "LOAD_FAST" and _plain_parameter(code, span[0].argval):
            return span[0].argval, *spans[1 - k]
    return None


def sizes_product() -> tuple[Any, int, int] | None:
    """``(x, i, j)`` where the divisor of the ``a / b`` the caller's code is executing is written
    there as the product of two sizes of one local tensor, ``x.shape[i] * x.shape[j]`` (or
    ``x.size(i) * x.size(j)``), ``i`` and ``j`` literals (LLaDA's ``ids.shape[0] * ids.shape[1]``);
    ``x`` the object the local holds at the division (no store runs between the reads and it).
    None for any other divisor or an unchecked Python."""
    f = _caller() if _VERSION in _FLOOR_CHECKED else None
    found = _sizes_product_at(f.f_code, _lasti(f)) if f is not None else None
    if f is None or found is None or found[0] not in _locals(f):
        return None
    return _locals(f)[found[0]], found[1], found[2]


@_per_code(1024)
def _sizes_product_at(code: types.CodeType, lasti: int) -> tuple[str, int, int] | None:
    """(the local, its two dims) of the divisor ``x.shape[i] * x.shape[j]`` of the division at
    ``lasti`` (see ``sizes_product``)."""
    divisor = _divisor_span(code, lasti)
    operands = _product_operands(divisor[0], divisor[1], divisor[2] - 1) if divisor is not None else None
    if operands is None:
        return None
    sizes = [_size_read(span) for span in operands]
    first, second = sizes
    if first is None or second is None or first[0] != second[0]:
        return None
    return first[0], first[1], second[1]


def shape_product() -> tuple[Any, types.CodeType, int, slice] | None:
    """``(x, code, offset, s)`` where the divisor of the ``a / b`` the caller's code is executing is
    ``np.prod(x.shape[s])`` or ``math.prod(x.shape[s])``, ``s`` a slice of literal bounds and ``x`` a
    parameter the code never stores (torch-efficient-distloss's ``n_rays = np.prod(w.shape[:-1])``)
    or its field picked by str literals (``np.prod(o["x"].shape[1:2])``: the tensor held there now),
    the product maybe made an ``int`` (``int(np.prod(w.shape[1:]))``), written there or held by a
    local stored once outside a loop; ``offset`` the shape read's. None for any other divisor or an
    unchecked Python."""
    f = _caller() if _VERSION in _FLOOR_CHECKED else None
    found = _shape_product_at(f.f_code, _lasti(f)) if f is not None else None
    if f is None or found is None or found[0] not in _locals(f):
        return None
    name, keys, offset, picked, module, wrapped = found
    if getattr(f.f_globals.get(module), "__name__", None) not in ("numpy", "math") or wrapped and _builtin(f, "int") is not int:
        return None
    x = _locals(f)[name]
    for key in keys:
        if type(x) is not dict:  # (a container read as the code reads it, nothing run)
            return None
        x = x.get(key, _MISSING)
    return x, f.f_code, offset, picked


def literal_number_call() -> bool:
    """Whether the divisor of the ``a / b`` the caller's code is executing is a number type of the
    builtins or NumPy called on literals only (``np.int64(4)``, ``float(8)``), written there or held
    by a local stored once outside a loop: a constant of the code, whatever count of the batch it
    equals by value."""
    f = _caller() if _VERSION in _FLOOR_CHECKED else None
    found = _number_call_at(f.f_code, _lasti(f)) if f is not None else None
    if f is None or found is None:
        return False
    callee = _builtin(f, found[0])
    if found[1] is not None:
        callee = getattr(callee, found[1], None) if getattr(callee, "__name__", None) == "numpy" else None
    return isinstance(callee, type) and issubclass(callee, numbers.Number) and callee.__module__ in ("builtins", "numpy")


def chosen_divisor(count: float | None = None) -> bool:
    """Whether the divisor of the ``a / b`` the caller's code is executing is a conditional
    expression of number literals (``k = 4.0 if len(t) else 1.0``, ``float(4) if .. else 1.0``),
    written there or held by a local stored once: which arm a group's run takes its test tells, so
    it is no constant of the code, nor a count whatever count it equals by value (red team 33 pb:
    read as the count on 4 images). A test of configuration alone (``3 if FLAG else 5`` written at
    the division) is ``divisor_source``'s literal. With ``count`` (a float divisor equal to the
    number of images), also where a number literal equal to it is written in the divisor or in a
    line storing the local it reads, as the value stored, in a tuple or as a bound of ``min`` / ``max``
    (``if len(t) > 1: k = 4.0``, ``(1.0, 4.0)[len(t) > 1]``, ``max(float(len(t)), 2.0)``; red team
    34): the literal, not the count, may be what it holds."""
    f = _caller() if _VERSION in _CHECKED else None
    if f is None:
        return False
    lasti = _lasti(f)
    return _chosen_divisor_at(f.f_code, lasti) or type(count) is float and _literal_made_at(f.f_code, lasti, count) \
        or type(count) in (int, float) and (_floored_at(f.f_code, lasti) or _floored_by_a_parameter(f, lasti))


# the names of torch's division functions and methods (``torch.div(a, k)``, ``a.true_divide(k)``)
_DIVISION_CALLS = frozenset({"div", "divide", "true_divide", "__truediv__"})


def literal_divisor(value: float) -> bool:
    """Whether a number literal equal to ``value`` is written in the divisor of the division the
    caller's code is executing or in a line storing the local it reads (``k = min(4.0, 2.0 *
    len(t))``: which of its values the divisor holds, the literal or the count's, the batch picks)."""
    f = _caller() if _VERSION in _CHECKED else None
    return f is not None and _literal_made_at(f.f_code, _lasti(f), value)


@_per_code(1024)
def _literal_made_at(code: types.CodeType, lasti: int, value: float) -> bool:
    found = _divisor_lines(code, lasti)
    if found is None:
        return False
    instructions, spans, stores = found
    # a literal stored as the whole value (``if ..: k = 4.0``), one of a tuple of literals (``(1.0, 4.0)[len(t) > 1]``)
    # or a bound of ``min`` / ``max`` (``max(float(len(t)), 2.0)``: 2.0 on a group of one image); not a factor of
    # the count (``n = n * 2`` under a test)
    return any(_number_equal(instructions[k - 1], value) for k in stores if k) \
        or any(i.opname == "LOAD_CONST" and type(i.argval) is tuple and any(type(v) in (int, float) and v == value for v in i.argval)
               for a, b in spans for i in instructions[a:b]) \
        or any(any(_number_equal(i, value) for i in instructions[a:b])
               and any(i.opname == "LOAD_GLOBAL" and i.argval in ("min", "max") for i in instructions[a:b]) for a, b in spans)


def _floored_by_a_parameter(f: types.FrameType, lasti: int) -> bool:
    """Whether a parameter of the code, holding a number above 1, is given to ``max`` in the divisor
    of the division at ``lasti`` or in a line storing the local it reads (``k = max(float(len(t)),
    floor)`` of ``floor=2.0``: red team 36b, read as the count where it equalled it)."""
    names = _floor_parameters(f.f_code, lasti)
    if not names:
        return False
    held = _locals(f)
    return any(isinstance(v := held.get(name), (int, float)) and type(v) is not bool and v > 1 for name in names)


@_per_code(1024)
def _floor_parameters(code: types.CodeType, lasti: int) -> tuple[str, ...]:
    found = _divisor_lines(code, lasti)
    if found is None:
        return ()
    instructions, spans, _ = found
    params = _parameters(code)
    return tuple(instructions[k].argval for a, b in spans for k in range(a, b)
                 if instructions[k].opname == "LOAD_FAST" and instructions[k].argval in params
                 and _max_argument(instructions, k))


@_per_code(1024)
def _floored_at(code: types.CodeType, lasti: int) -> bool:
    """Whether a number literal above 1 is given to ``max`` in the divisor of the division at ``lasti``
    or in a line storing the local it reads (``_max_floor``)."""
    found = _divisor_lines(code, lasti)
    return found is not None and any(_max_floor(found[0], k) for a, b in found[1] for k in range(a, b))


def _divisor_lines(code: types.CodeType, lasti: int
                   ) -> tuple[list[dis.Instruction], list[tuple[int, int]], list[int]] | None:
    """(instructions, spans, stores): the spans of the divisor of the division at ``lasti`` and of each
    line storing the local it reads (from the line's start to the store), and those stores."""
    divisor = _divisor_span(code, lasti, calls=True)
    if divisor is None:
        return None
    instructions, start, end = divisor
    spans = [(start, end)]
    name = instructions[start].argval if end - start == 1 and instructions[start].opname == "LOAD_FAST" else None
    stores = _stores(instructions, name) if name is not None and name not in _parameters(code) else []
    for k in stores:  # each line storing it, from the line's start
        first = next((j for j in range(k, -1, -1) if instructions[j].starts_line is not None), 0)
        spans.append((first, k))
    return instructions, spans, stores


def _max_floor(instructions: list[dis.Instruction], k: int) -> bool:
    """Whether instruction ``k`` loads a number literal above 1 given to ``max`` (``max(float(len(t)),
    2.0)``): the count of a group of fewer images is floored to it, whatever the batch's count
    (session 35; a floor of 1, DETR's ``max(float(num_boxes), 1.0)``, leaves any group's count)."""
    i = instructions[k]
    return i.opname == "LOAD_CONST" and type(i.argval) in (int, float) and i.argval > 1 and _max_argument(instructions, k)


def _max_argument(instructions: list[dis.Instruction], k: int) -> bool:
    """Whether instruction ``k`` loads an argument itself of a call of the builtin ``max``."""
    found = _consumer(instructions, k)  # (an argument itself: ``max(2.0 * len(t), 1.0)`` scales by 2.0)
    if found is None or instructions[found[0]].opname != "CALL":
        return False
    spans = _argument_spans(instructions, found[0])  # (last first: the first's start follows the callee)
    if not spans:
        return False
    return (k, k + 1) in spans and spans[-1][0] > 0 and _global_max(instructions[spans[-1][0] - 1])


def _global_max(i: dis.Instruction) -> bool:
    return i.opname == "LOAD_GLOBAL" and i.argval == "max" and bool((i.arg or 0) & 1)


def _number_equal(i: dis.Instruction, value: float) -> bool:
    return i.opname == "LOAD_CONST" and type(i.argval) in (int, float) and i.argval == value


@_per_code(1024)
def _chosen_divisor_at(code: types.CodeType, lasti: int) -> bool:
    divisor = _divisor_span(code, lasti, calls=True)
    if divisor is None:
        return False
    instructions, start, end = divisor
    if end - start == 1 and instructions[start].opname == "LOAD_FAST":
        stores = _stores(instructions, instructions[start].argval)
        if len(stores) != 1 or instructions[start].argval in _parameters(code):
            return False
        end = stores[0]
    if end < 3 or not instructions[end - 1].is_jump_target or instructions[end - 2].opname != "JUMP_FORWARD" \
            or instructions[end - 2].argval != instructions[end].offset:
        return False
    jump = next((k for k in range(end - 3, -1, -1) if instructions[k].opname.startswith("POP_JUMP_FORWARD_IF_")
                 and instructions[k].argval == instructions[end - 1].offset), None)
    return jump is not None and all(_literal_arm(instructions[a:b]) for a, b in ((jump + 1, end - 2), (end - 1, end)))


def _literal_arm(arm: list[dis.Instruction]) -> bool:
    """Whether ``arm`` loads a number literal or calls ``int`` / ``float`` on one."""
    ops = [(i.opname, i.argval) for i in arm if i.opname != "PRECALL"]
    if len(ops) == 3 and ops[0] in (("LOAD_GLOBAL", "int"), ("LOAD_GLOBAL", "float")) and ops[2][0] == "CALL":
        ops = ops[1:2]
    return len(ops) == 1 and ops[0][0] == "LOAD_CONST" and type(ops[0][1]) in (int, float)


@_per_code(1024)
def _number_call_at(code: types.CodeType, lasti: int) -> tuple[str, str | None] | None:
    """(the global called, the attribute of it called or None) where the divisor of the division at
    ``lasti`` calls it on literal numbers or strings only (see ``literal_number_call``)."""
    divisor = _divisor_code(code, lasti)
    if divisor is None:
        return None
    instructions, start, end = divisor
    span = [i for i in instructions[start:end] if i.opname != "PRECALL"]
    if len(span) < 3 or span[0].opname != "LOAD_GLOBAL" or span[-1].opname != "CALL" or any(i.is_jump_target for i in span):
        return None
    args, attr = span[1:-1], None
    if args[0].opname in ("LOAD_ATTR", "LOAD_METHOD"):
        args, attr = args[1:], args[0].argval
    if not args or len(args) != span[-1].arg or any(
            i.opname != "LOAD_CONST" or type(i.argval) not in (int, float, str) for i in args):
        return None
    return span[0].argval, attr


def argumentless_call() -> bool | None:
    """Where the divisor of the ``a / b`` the caller's code is executing is a call of a Python
    function, a global of its module, given arguments, whose code reads none of them, or arithmetic
    of such calls and number literals (written there or held by a local stored once, ``_divisor_code``;
    ``_argumentless_globals``; or of one only returning what such a function returns given its
    parameter, ``_forwarded_to``): True where each computes its result from literals, the number
    builtins and globals of its module no code sets (``def k(t): return 3``, ``return len(CLASSES)``
    of a list of plain items: a constant of the code, whatever count of the batch it equals by
    value), False where one reads other globals (a function, a number: code outside may set it per
    batch, ``module.N = len(batch)``, or a list the body refills); None for another divisor (or a Python whose layout was not checked)."""
    f = _caller() if _VERSION in _FLOOR_CHECKED else None
    names = _called_terms_at(f.f_code, _lasti(f)) if f is not None else None
    if f is None or not names:
        return None
    fixed = True
    for name in names:
        fn, read = f.f_globals.get(name), None
        for _ in range(_FORWARDS + 1):  # (``def h(t): return classes_count(t)``: what it returns)
            if not isinstance(fn, types.FunctionType) or (read := _argumentless_globals(fn.__code__)) is not None:
                break
            fn = _forwarded_to(fn)
        if not isinstance(fn, types.FunctionType) or read is None:
            return None
        fixed = fixed and all(_unset_global(f, fn.__globals__, n) for n in read)
    return fixed


def argumentless_set() -> bool:
    """Where the divisor of the ``a / b`` the caller's code is executing is ``argumentless_call``'s
    (a function reading no argument, ``/ settings_views(t)``), whether it reads an attribute of a
    global (``return Settings.views``) that a function the caller's code calls given the batch, before
    the division, stores a number computed from its parameters into (``SETTINGS.set_views(t)`` of
    ``Settings.views = 1.5 * len(targets)``, in another module): on a group alone, the group's
    number (rt35). Python 3.11."""
    f = _caller() if _VERSION in _COUNT_CHECKED else None
    names = _called_terms_at(f.f_code, _lasti(f)) if f is not None else None
    if f is None or not names:
        return False
    read = set()
    for name in names:
        fn = f.f_globals.get(name)
        if isinstance(fn, types.FunctionType):
            read |= {(id(fn.__globals__.get(g, _UNPROVEN)), a) for g, a in _global_attributes(fn.__code__)}
    if not read:
        return False
    ins = _instructions(f.f_code)
    at = _located_frame(f.f_code, _lasti(f))[1]
    reader = None
    for k, i in enumerate(ins[:at]):
        if i.opname != "CALL" or (called := _called_function(f, ins, k)) is None:
            continue
        callee = called[0]
        stores = [(start, end) for g, a, start, end in _global_attribute_stores(callee.__code__)
                  if (id(callee.__globals__.get(g, _UNPROVEN)), a) in read]
        if not stores:
            continue
        inner = _batch_reader(callee.__code__)
        if not any(inner.number(start, end, frozenset(), positions=False) for start, end in stores):
            continue
        reader = reader or _batch_reader(f.f_code, None, frozenset(), frozenset(), frozenset(), _constant_bounds(f), _scopes(f))
        if _batch_arguments(reader, _argument_spans(ins, k) or ()):
            return True
    return False


@_per_code(256)
def _global_attributes(code: types.CodeType) -> tuple[tuple[str, str], ...]:
    """(global, attribute) of each ``G.a`` the code reads."""
    ins = _instructions(code)
    return tuple((i.argval, ins[k + 1].argval) for k, i in enumerate(ins[:-1])
                 if i.opname == "LOAD_GLOBAL" and not (i.arg or 0) & 1 and ins[k + 1].opname == "LOAD_ATTR")


@_per_code(256)
def _global_attribute_stores(code: types.CodeType) -> tuple[tuple[str, str, int, int], ...]:
    """(global, attribute, the value's span) of each ``G.a = value`` of the code."""
    ins = _instructions(code)
    found = []
    for j, i in enumerate(ins):
        if i.opname == "STORE_ATTR" and j and ins[j - 1].opname == "LOAD_GLOBAL" and not (ins[j - 1].arg or 0) & 1:
            start = _operand_start(ins, j - 1)
            if start is not None:
                found.append((ins[j - 1].argval, i.argval, start, j - 1))
    return tuple(found)


# references to a list only the module's globals hold, as ``_unset_global`` counts them: the
# module's dict, its local ``value`` and ``sys.getrefcount``'s argument
_UNALIASED_REFS = 3


def _unset_global(f: types.FrameType, globals_: dict[str, Any], name: str) -> bool:
    """Whether the global ``name`` read by a function of the module of ``globals_`` is a number
    builtin, or a string or a list (tuple) of plain numbers and strings that no code of that module
    or of ``f``'s (``_set_elsewhere``) sets, resizes or sets an item of, and that nothing else holds
    (a list held elsewhere may be refilled through it): the same on a group alone. A number is none (a loop outside may set it per batch: ``module.N = len(batch)``)."""
    if name not in globals_:
        return name in _COUNTING
    value = globals_[name]
    plain = (int, float, str, bool)
    if not (type(value) is str or type(value) in (list, tuple) and all(type(v) in plain for v in value)):
        return False
    if type(value) is list and sys.getrefcount(value) > _UNALIASED_REFS:
        return False  # (held elsewhere too, ``names = CLASSES`` or another module's object: refilled through it, rt35)
    named = {f"GLOBAL:{name}"}
    return not (_writes(_set_names(f.f_code), named) or _set_elsewhere(f, named)
                or any(_writes(_set_names(c), named) for c in _module_codes(globals_)))


@_per_code(1024)
def _called_terms_at(code: types.CodeType, lasti: int) -> tuple[str, ...] | None:
    """The names of the globals the divisor of the division at ``lasti`` calls where it is such a
    call (``/ k(t)``) or arithmetic of them and number literals (``/ (k(t) - 1)``), else None."""
    divisor = _divisor_code(code, lasti)
    if divisor is None:
        return None
    instructions, start, end = divisor
    if any(i.is_jump_target for i in instructions[start:end]):
        return None
    return _called_terms(instructions, start, end, 4)


def _called_terms(instructions: list[dis.Instruction], start: int, end: int, depth: int) -> tuple[str, ...] | None:
    last, head = instructions[end - 1], instructions[start]
    if end - start == 1 and last.opname == "LOAD_CONST" and type(last.argval) in (int, float):
        return ()
    if last.opname == "BINARY_OP" and depth:
        right = _operand_start(instructions, end - 1)
        if right is None or right <= start:
            return None
        left_terms = _called_terms(instructions, start, right, depth - 1)
        right_terms = _called_terms(instructions, right, end - 1, depth - 1)
        return None if left_terms is None or right_terms is None else left_terms + right_terms
    if (end - start >= 3 and last.opname == "CALL" and last.arg and head.opname == "LOAD_GLOBAL" and (head.arg or 0) & 1
            and _callee_at(instructions, start, end) == start):  # (one given nothing: ``inputless_call_divisor``'s)
        return (head.argval,)
    return None


# what a function's code reading none of its arguments may run (``_argumentless_globals``)
# (LOAD_ATTR: ``return Settings.views``, an attribute of a global, which is no constant: hc1, session 35)
_ARGUMENTLESS_OPS = frozenset({"RESUME", "NOP", "LOAD_CONST", "LOAD_GLOBAL", "PUSH_NULL", "PRECALL", "CALL", "BINARY_OP",
                               "UNARY_NEGATIVE", "STORE_FAST", "LOAD_FAST", "RETURN_VALUE", "LOAD_ATTR"})


@_per_code(256)
def _argumentless_globals(code: types.CodeType) -> tuple[str, ...] | None:
    """The globals ``code`` loads where it is straight-line code of literals, globals, calls and
    arithmetic that loads none of its parameters nor cells (``return len(CLASSES)``); else None."""
    if code.co_flags & _SUSPENDING or code.co_freevars or code.co_cellvars:
        return None
    params = set(_parameters(code))
    ins = _instructions(code)
    if any(i.opname not in _ARGUMENTLESS_OPS or i.is_jump_target or i.opname == "LOAD_FAST" and i.argval in params
           for i in ins):
        return None
    return tuple(i.argval for i in ins if i.opname == "LOAD_GLOBAL")


@_per_code(1024)
def _shape_product_at(code: types.CodeType, lasti: int) -> tuple[str, tuple[str, ...], int, slice, str, bool] | None:
    """(the local, the str keys picking its field, the shape read's offset, the slice, the module's
    global, whether ``int(...)`` wraps it) of the divisor ``np.prod(x.shape[a:b])`` of the division at
    ``lasti`` (see ``shape_product``)."""
    divisor = _divisor_code(code, lasti)
    if divisor is None:
        return None
    instructions, start, end = divisor
    written = _divisor_span(code, lasti)
    inline = written is not None and end == written[2]  # (else a local's store: its code ran before)
    span = [i for i in instructions[start:end] if i.opname != "PRECALL"]
    wrapped = len(span) > 2 and (span[0].opname, span[0].argval) == ("LOAD_GLOBAL", "int") \
        and span[-1].opname == "CALL" and span[-1].arg == 1
    if wrapped:
        span = span[1:-1]
    keys: list[str] = []
    while len(span) > 9 and span[3].opname == "LOAD_CONST" and type(span[3].argval) is str \
            and span[4].opname == "BINARY_SUBSCR":  # ``o["x"]``
        keys.append(span[3].argval)
        span = span[:3] + span[5:]
    if len(span) != 9:
        return None
    module, prod, x, shape, low, high, built, subscript, call = span
    if not (module.opname == "LOAD_GLOBAL" and prod.opname in ("LOAD_METHOD", "LOAD_ATTR") and prod.argval == "prod"
            and x.opname == "LOAD_FAST" and (x.argval in _parameters(code) and not _stores(instructions, x.argval)
                                             or keys and inline)  # (the field the product reads: held there now)
            and (shape.opname, shape.argval) == ("LOAD_ATTR", "shape")
            and all(i.opname == "LOAD_CONST" and (i.argval is None or type(i.argval) is int) for i in (low, high))
            and built.opname == "BUILD_SLICE" and built.arg == 2 and subscript.opname == "BINARY_SUBSCR"
            and call.opname == "CALL" and call.arg == 1):
        return None
    return x.argval, tuple(keys), shape.offset, slice(low.argval, high.argval), module.argval, wrapped


def _size_read(span: list[dis.Instruction]) -> tuple[str, int] | None:
    """(the local, the literal dim) where ``span`` pushes ``x.shape[d]`` or ``x.size(d)``."""
    ops = [(i.opname, i.argval) for i in span if i.opname != "PRECALL"]
    if len(ops) != 4 or ops[0][0] != "LOAD_FAST" or ops[2][0] != "LOAD_CONST" or type(ops[2][1]) is not int:
        return None
    if ops[1] == ("LOAD_ATTR", "shape") and ops[3][0] == "BINARY_SUBSCR" or ops[1] == ("LOAD_METHOD", "size") \
            and ops[3][0] == "CALL":
        return ops[0][1], ops[2][1]
    return None


def _divisor_span(code: types.CodeType, lasti: int, calls: bool = False) -> tuple[list[dis.Instruction], int, int] | None:
    """(``code``'s instructions, the start of the divisor's code, the division's index) of the
    ``a / b`` at ``lasti``; None where it is no division. With ``calls``, also of a call of a
    division function or method without keywords (``torch.div(a, b)``, ``a.div(b)``,
    ``torch.true_divide(a, b)``): its last argument, the index right after it."""
    spans = _operand_spans(code, lasti)
    if spans is None and calls:
        instructions, at = _located_call(code, lasti)
        call = _call_spans(code, at) if at is not None and instructions[at].opname == "CALL" else None
        if call is None or call[1] or not call[0] or instructions[call[0][0][0] - 1].argval not in _DIVISION_CALLS:
            return None
        return instructions, call[0][-1][0], call[0][-1][1]
    if spans is None:
        return None
    instructions = _instructions(code)
    start, end = spans[1]
    if instructions[end].arg not in _DIVISIONS:
        return None
    return instructions, start, end


def _product_operands(instructions: list[dis.Instruction], start: int, end: int) -> list[list[dis.Instruction]] | None:
    """The code of each operand of the product whose BINARY_OP is at ``end``, straight-line code
    from ``start``; None where there is no such product."""
    if instructions[end].opname != "BINARY_OP" or instructions[end].arg not in _PRODUCTS:
        return None
    operands = _split_operands(instructions[start:end], 2)
    if operands is None or any(i.is_jump_target for i in instructions[start : end + 1]):
        return None
    return operands


def _divisor_code(code: types.CodeType, lasti: int, target_first: bool = False
                  ) -> tuple[list[dis.Instruction], int, int] | None:
    """(``code``'s instructions, start, end) of the code computing the divisor of the ``a / b`` at
    ``lasti``: written there, or the value of the local it loads where that local is stored once,
    outside a loop (no parameter, no cell); None otherwise. ``target_first``: the store's code may
    start at a jump target (``norm = n * k`` right after a loop)."""
    divisor = _divisor_span(code, lasti)
    return None if divisor is None else _stored_once(code, *divisor, target_first=target_first)


def _stored_once(code: types.CodeType, instructions: list[dis.Instruction], start: int, end: int,
                 target_first: bool = False) -> tuple[list[dis.Instruction], int, int] | None:
    """(``instructions``, start, end) of the code computing the value the span ``start:end`` pushes:
    that span, or the value of the local it loads where that local is stored once, outside a loop
    (no parameter, no cell); None otherwise (see ``_divisor_code``)."""
    if end - start == 1 and instructions[start].opname == "LOAD_FAST":  # a local holding the divisor
        name = instructions[start].argval
        stores = _stores(instructions, name)
        if (len(stores) != 1 or name in _parameters(code) or name in code.co_cellvars or stores[0] < 3
                or instructions[stores[0]].opname != "STORE_FAST" or _in_loop(code, instructions[stores[0]].offset)):
            return None
        end = stores[0]
        first = _operand_start(instructions, end, target_first)
        if first is None:
            return None
        start = first
    return instructions, start, end


@_per_code(1024)
def _times_length_at(code: types.CodeType, lasti: int) -> tuple[tuple[int, int] | None, str] | None:
    """(the span of the other factor, or None where it cannot push a constant of the call
    (``_span_form``) or is a length too; the local ``len`` is called on) of the divisor ``k *
    len(x)`` of the division at ``lasti`` (see ``constant_times_length``)."""
    divisor = _divisor_code(code, lasti)
    if divisor is None:
        return None
    instructions, start, end = divisor
    end -= 1  # the product's BINARY_OP, right before the division (or the store)
    operands = _product_operands(instructions, start, end)
    if operands is None:
        return None
    lengths = [_length_operand(code, instructions, span) for span in operands]
    for k in (0, 1):
        x, other = lengths[k], operands[1 - k]
        if x is None or x is _UNPROVEN:
            continue
        first = start + (0 if k else len(operands[0]))
        if lengths[1 - k] is not None or _span_form(code, first, first + len(other)) is None \
                and _parameter_width(code, first, first + len(other)) is None:
            return None, x  # ``n * n``, ``len(y) * len(t)``, ``y.shape[0] * n``: no constant
        return (first, first + len(other)), x
    nested = _nested_length(code, instructions, start, operands)
    return None if nested is None else (None, nested)  # ``k * len(x) * 2``: no two-factor product


def _nested_length(code: types.CodeType, instructions: list[dis.Instruction], start: int,
                   operands: list[list[dis.Instruction]], depth: int = 0) -> Any:
    """The local ``len`` is called on where a factor of the product ``operands`` (from ``start``)
    is itself a product holding ``len(x)`` (``per_image * len(first) * 2``); else None."""
    at = start
    for span in operands:
        inner = _product_operands(instructions, at, at + len(span) - 1) if depth < 4 and len(span) > 2 else None
        if inner is not None:
            for sub in inner:
                x = _length_operand(code, instructions, sub)
                if x is not None and x is not _UNPROVEN:
                    return x
            found = _nested_length(code, instructions, at, inner, depth + 1)
            if found is not None:
                return found
        at += len(span)
    return None


def _length_operand(code: types.CodeType, instructions: list[dis.Instruction], span: list[dis.Instruction]) -> Any:
    """The local ``x`` where ``span`` pushes ``len(x)`` (a call, or a local assigned once by one)
    of a local bound once in no loop (so the very object it holds at the division); ``_UNPROVEN``
    for a length of anything else; None for no length."""
    if len(span) == 1 and span[0].opname == "LOAD_FAST" and _stored_from_len(code, span[0].argval):
        j = _stores(instructions, span[0].argval)[0]
        call = next((k for k in range(j) if instructions[k].opname == "LOAD_GLOBAL" and instructions[k].argval == "len"
                     and _call_end(instructions[k:j], 0) == j - 1 - k), None)
        if call is None or _in_loop(code, instructions[j].offset):
            return _UNPROVEN
        arg = [i for i in instructions[call + 1 : j - 1] if i.opname != "PRECALL"]
    elif span and span[0].opname == "LOAD_GLOBAL" and span[0].argval == "len" and _call_end(span, 0) == len(span) - 1:
        arg = [i for i in span[1:-1] if i.opname != "PRECALL"]
    else:
        return None
    if len(arg) != 1 or arg[0].opname not in ("LOAD_FAST", "LOAD_DEREF") or arg[0].argval in code.co_freevars:
        return _UNPROVEN
    held = _stores(instructions, arg[0].argval, cells=True)
    if (any(_in_loop(code, instructions[k].offset) for k in held) or len(held) > 1
            or held and arg[0].argval in _parameters(code) or _rebound_cell(code, arg[0].argval)):
        return _UNPROVEN
    return arg[0].argval


def _rebound_cell(code: types.CodeType, name: str) -> bool:
    """Whether ``name`` is a cell of ``code`` that a nested code stores or deletes (``nonlocal``): what
    it holds at a load is not what ``code`` stored. (A cell only read by nested code, ``t`` of
    ``[f(o, t, b) for b in ..]``, holds what ``code`` stored or was passed.)"""
    return bool(_nested_stores(code, name))


def _added_up_nested(code: types.CodeType, name: str) -> bool:
    """Whether code nested in ``code`` stores its cell ``name`` from itself (``nonlocal k; k += 1``)."""
    for c, j in _nested_stores(code, name):
        ins = _instructions(c)
        first = _assignment_start(ins, j)
        if first is not None and any(i.opname == "LOAD_DEREF" and i.argval == name for i in ins[first:j]):
            return True
    return False


@_per_code(256)
def _nested_stores(code: types.CodeType, name: str) -> tuple[tuple[types.CodeType, int], ...]:
    """(the code, the index) of each store or delete of ``code``'s cell ``name`` by code nested in it."""
    found: list[tuple[types.CodeType, int]] = []

    def visit(c: types.CodeType) -> None:
        for k in c.co_consts:
            if isinstance(k, types.CodeType) and name in k.co_freevars:
                found.extend((k, j) for j, i in enumerate(_instructions(k))
                             if i.opname in ("STORE_DEREF", "DELETE_DEREF") and i.argval == name)
                visit(k)

    if name in code.co_cellvars:
        visit(code)
    return tuple(found)


@_per_code(256)
def _stored_from_len(code: types.CodeType, name: str) -> bool:
    """Whether the local ``name`` is assigned once in ``code``, by the result of a ``len(...)``
    call (``n = len(x)``): an int equal to a length by value only (``c = 3``) is no length."""
    instructions = _instructions(code)
    stores = [j for j, i in enumerate(instructions) if i.opname in ("STORE_FAST", "DELETE_FAST") and i.argval == name]
    if len(stores) != 1 or stores[0] == 0 or name in code.co_cellvars:
        return False
    end = stores[0] - 1
    return any(i.opname == "LOAD_GLOBAL" and i.argval == "len" and _call_end(instructions[k:end + 1], 0) == end - k
               for k, i in enumerate(instructions[:end]))


# Python versions whose layout of ``x.item()`` (LOAD_METHOD, PRECALL 0, CALL 0, ``f_lasti`` on the
# CALL during the read), of ``torch.tensor(n)`` (LOAD_GLOBAL, LOAD_METHOD, PRECALL, CALL) and of the
# stack effects below was checked for ``log_only_read``
_LOG_CHECKED = {(3, 11)}

# opcode name -> (values popped, values pushed), as a function of the argument, for the
# instructions a read's number may pass or meet on its way (3.11); any other ends the proof
_POPS_PUSHES: dict[str, Callable[[int], tuple[int, int]]] = {
    **dict.fromkeys(("NOP", "RESUME", "PRECALL", "KW_NAMES", "DELETE_FAST"), lambda _: (0, 0)),
    **dict.fromkeys(("LOAD_FAST", "LOAD_CONST", "LOAD_DEREF", "LOAD_CLOSURE", "PUSH_NULL"), lambda _: (0, 1)),
    "LOAD_GLOBAL": lambda a: (0, 1 + (a & 1)),
    "LOAD_ATTR": lambda _: (1, 1),
    "LOAD_METHOD": lambda _: (1, 2),
    **dict.fromkeys(("BINARY_OP", "BINARY_SUBSCR", "COMPARE_OP", "IS_OP", "CONTAINS_OP"), lambda _: (2, 1)),
    **dict.fromkeys(("UNARY_NEGATIVE", "UNARY_POSITIVE", "UNARY_INVERT", "UNARY_NOT"), lambda _: (1, 1)),
    **dict.fromkeys(("BUILD_TUPLE", "BUILD_LIST", "BUILD_SET", "BUILD_STRING", "BUILD_SLICE"), lambda a: (a, 1)),
    "BUILD_MAP": lambda a: (2 * a, 1),
    "BUILD_CONST_KEY_MAP": lambda a: (a + 1, 1),
    "FORMAT_VALUE": lambda a: (2 if a & 4 else 1, 1),
    "CALL": lambda a: (a + 2, 1),
    **dict.fromkeys(("POP_TOP", "STORE_FAST", "STORE_GLOBAL", "STORE_DEREF", "RETURN_VALUE", "LIST_APPEND",
                     "SET_ADD"), lambda _: (1, 0)),
    "STORE_ATTR": lambda _: (2, 0),
    "STORE_SUBSCR": lambda _: (3, 0),
}
# the arithmetic the number's own methods run (its class keeps the mark, see ``mode.LoggedFloat``)
_KEPT = frozenset({"BINARY_OP", "UNARY_NEGATIVE", "UNARY_POSITIVE", "UNARY_INVERT"})
# names through which code reads a frame's locals
_INTROSPECTION = frozenset({"locals", "vars", "eval", "exec", "_getframe", "currentframe", "f_locals"})


def log_only_read(makers: Collection[Any], logged: tuple[type, ...]) -> bool:
    """Whether the number the ``x.item()`` the caller's code is executing returns can reach
    nothing but Python arithmetic with plain numbers and ``makers`` (the torch functions that make
    a tensor of a number, ``torch.tensor``): it is stored only in plain local names of that code
    (none a closure's, no ``locals()`` in it), and every load of them and every result computed
    from them is dropped, stored the same way, an operand of ``-x`` or of an operator whose other
    operand is a literal int or float, or a local name (stored once, before the read and outside
    loops, or a parameter never stored) that holds such a number (or one of ``logged``) now, or
    an argument of a call of a
    module global (or its attribute) that is one of ``makers`` now and that the code does not
    rebind (``torch.tensor(num_pos / num_images)``). Where this holds, whatever is done with the
    number runs through its own methods (``logged`` keeps the mark through arithmetic) or reaches
    a torch function, both of which the capture sees. A call of anything else (a helper,
    ``math.sqrt``, ``list.append``, ``float``), a comparison, a branch, a format, an attribute, a
    subscript, a container, a ``return``, a jump within the expression is no proof: that code may
    keep or convert the number unseen. An operand ``len(x)`` (the builtin: an exact int, computed
    before the number is there when it is the left one) is as a literal. A load of a local holding
    the number that runs only past a jump on a value the call's configuration holds off
    (``denom = total if normalize_length else batch_size``, ``normalize_length`` a parameter the
    code never stores, given False; ``_lengths.held_off``) is never made: it is no use, where the
    proof fails without setting it aside. Python 3.11 only."""
    f = _caller() if _VERSION in _LOG_CHECKED else None
    if f is None:
        return False
    from . import _lengths  # imports this module

    for prune in (False, True):
        flows = _log_flows(f.f_code, _lasti(f), prune)
        if flows is not None and _log_flows_hold(f, flows, makers, logged) and all(
                _lengths.held_off(f, p) for p in flows.pruned):
            return True
    return False


def _log_flows_hold(f: types.FrameType, flows: _LogFlows, makers: Collection[Any], logged: tuple[type, ...]) -> bool:
    """Whether what ``flows`` leaves to the running frame ``f`` holds there: the locals it meets
    hold plain numbers (or ``logged`` ones), the callables it is passed to are ``makers``, and
    ``len`` is the builtin where the number meets a ``len(x)``."""
    held = _locals(f) if flows.numbers else {}
    if any(type(held.get(name)) not in (int, float) and not isinstance(held.get(name), logged) for name in flows.numbers):
        return False
    if flows.lengths and f.f_globals.get("len", f.f_builtins.get("len")) is not builtins.len:
        return False
    for name in flows.callees:
        callee = f.f_globals.get(name[0], _UNPROVEN)
        if callee is _UNPROVEN:
            callee = f.f_builtins.get(name[0], _UNPROVEN)
        if len(name) == 2:
            callee = vars(callee).get(name[1], _UNPROVEN) if isinstance(callee, types.ModuleType) else _UNPROVEN
        if not any(callee is m for m in makers):
            return False
    return True


class _LogFlows(NamedTuple):
    callees: tuple[tuple[str, ...], ...]
    """The callables the number is passed to: a global's name and the attribute called on it."""
    numbers: tuple[str, ...]
    """The local names it meets in arithmetic, each stored once, before it, outside loops."""
    lengths: bool
    """Whether it meets a ``len(x)`` in arithmetic."""
    pruned: tuple[int, ...]
    """Loads of a local holding it set aside, each past a conditional jump (``_lengths.held_off``)."""


@_per_code(256)
def _log_flows(code: types.CodeType, lasti: int, prune: bool) -> _LogFlows | None:
    """What remains to check when the call runs (``_LogFlows``) of the number pushed by the
    ``.item()`` call at ``lasti``, when every use of it is one ``log_only_read`` allows; None
    otherwise. ``prune``: loads of a local holding it past a conditional jump (``_lengths._guard``)
    are set aside, not followed."""
    from . import _lengths  # imports this module

    located = _item_call(code, lasti)
    if located is None:
        return None
    instructions, at, cells = located
    rebound = {i.argval for i in instructions if i.opname in ("STORE_GLOBAL", "DELETE_GLOBAL")}
    stored: set[str] = set()
    callees: set[tuple[str, ...]] = set()
    numbers: set[str] = set()
    pruned: set[int] = set()
    lengths = False

    def visit(k: int, operand: int) -> list[int] | None:
        nonlocal lengths
        i = instructions[k]
        if i.opname == "POP_TOP":
            return []
        if i.opname == "STORE_FAST" and i.argval not in cells:
            if i.argval in stored:
                return []
            stored.add(i.argval)
            loads = _loads(instructions, i.argval)
            if prune:
                pruned.update(p for p in loads if _lengths._guard(code, p) is not None)
            return [p for p in loads if p not in pruned]
        if i.opname in _KEPT:
            if i.opname == "BINARY_OP":
                other = _other_operand(instructions, k, operand)
                if other is None and _len_call_operand(instructions, k, operand):
                    lengths = True
                    return [k]
                if other is None:
                    return None
                if other.opname == "LOAD_FAST":
                    stores = [x for x in instructions if x.opname == "STORE_FAST" and x.argval == other.argval]
                    parameter = other.argval in code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
                    if len(stores) != (0 if parameter else 1) or stores and (
                            stores[0].offset > lasti or _in_loop(code, stores[0].offset)):
                        return None
                    numbers.add(other.argval)
            return [k]
        if i.opname == "CALL" and operand >= 2:
            name = _global_callee(instructions, k)
            if name is None or name[0] in rebound:
                return None
            callees.add(name)
            return []
        return None

    if not _follow(instructions, at, visit):
        return None
    return _LogFlows(tuple(sorted(callees)), tuple(sorted(numbers)), lengths, tuple(sorted(pruned)))


def _item_call(code: types.CodeType, lasti: int, converted: bool = False) -> tuple[list[dis.Instruction], int, set[str]] | None:
    """(the instructions, the index of the ``.item()`` call at ``lasti``, the names of cells) of
    code whose locals are plain (optimized, no introspection); None otherwise. ``converted``: a
    call ``float(x)`` / ``int(x)`` of a global name too (``read_reach`` checks it is the builtin)."""
    instructions, at = _located_call(code, lasti) if converted else _located(code, lasti)
    if at is None or at < 2 or not code.co_flags & 1 or _INTROSPECTION & set(code.co_names):  # 1: CO_OPTIMIZED
        return None
    if converted and instructions[at].opname == "CALL" and instructions[at].arg == 1 \
            and _global_callee(instructions, at) in (("float",), ("int",)):
        return instructions, at, set(code.co_cellvars) | set(code.co_freevars)
    method, precall, call = instructions[at - 2 : at + 1]
    if (method.opname, method.argval, precall.opname, precall.arg, call.opname, call.arg) != (
        "LOAD_METHOD", "item", "PRECALL", 0, "CALL", 0,
    ) or precall.is_jump_target or call.is_jump_target:
        return None
    return instructions, at, set(code.co_cellvars) | set(code.co_freevars)


def _uses(instructions: list[dis.Instruction], pending: list[int]) -> Iterator[tuple[int, tuple[int, int] | None]]:
    """(p, ``_consumer`` of the value pushed at ``p``) for each index in ``pending``, once each;
    the caller may add to ``pending`` as it goes."""
    seen: set[int] = set()
    while pending:
        p = pending.pop()
        if p not in seen:
            seen.add(p)
            yield p, _consumer(instructions, p)


def _consumer(instructions: list[dis.Instruction], p: int, effects: dict[str, Callable[[int], tuple[int, int]]] | None = None,
              depth: int = 0) -> tuple[int, int] | None:
    """(index of the instruction that pops the value the one at ``p`` pushed, which of the values
    it pops that is, first pushed first), following straight-line code only. ``effects``: the
    instructions stepped over (``_POPS_PUSHES``); ``depth``: the value that many below the top."""
    if effects is not None or depth:
        return _scanned_consumer(instructions, p, effects if effects is not None else _POPS_PUSHES, depth)
    key = (id(instructions), p)
    known = _CONSUMERS.get(key)
    if known is not None and known[0] is instructions:  # (as ``_OPERAND_STARTS``: the list is held there)
        return known[1]
    if len(_CONSUMERS) >= 4096:
        _CONSUMERS.clear()
    found = _CONSUMERS[key] = (instructions, _scanned_consumer(instructions, p, _POPS_PUSHES, 0))
    return found[1]


# ``_consumer`` with the plain effects per instruction list and index (lists are never changed)
_CONSUMERS: dict[tuple[int, int], tuple[list[dis.Instruction], tuple[int, int] | None]] = {}


def _scanned_consumer(instructions: list[dis.Instruction], p: int, table: dict[str, Callable[[int], tuple[int, int]]],
                      depth: int) -> tuple[int, int] | None:
    above = depth
    for k in range(p + 1, len(instructions)):
        i = instructions[k]
        effect = table.get(i.opname)
        if i.is_jump_target or effect is None:
            return None
        pops, pushes = effect(i.arg or 0)
        if pops > above:
            return k, pops - 1 - above
        above += pushes - pops
    return None


def _other_span(instructions: list[dis.Instruction], k: int, operand: int) -> list[dis.Instruction]:
    """The instructions of the other operand of the BINARY_OP at ``k`` (``operand``: which one
    the number is); none where they are not straight-line code."""
    right = _operand_start(instructions, k)
    start = right if operand == 0 else _operand_start(instructions, right) if right is not None else None
    end = k if operand == 0 else right
    return instructions[start:end] if start is not None and end is not None else []


def _other_operand(instructions: list[dis.Instruction], k: int, operand: int) -> dis.Instruction | None:
    """The other operand of the BINARY_OP at ``k`` (``operand``: which one the number is), where
    it is one instruction: a LOAD_CONST of an int or float, or a LOAD_FAST."""
    span = _other_span(instructions, k, operand)
    if len(span) != 1:
        return None
    i = span[0]
    if i.opname == "LOAD_FAST" or i.opname == "LOAD_CONST" and type(i.argval) in (int, float):
        return i
    return None


def _len_call_operand(instructions: list[dis.Instruction], k: int, operand: int) -> bool:
    """Whether the other operand of the BINARY_OP at ``k`` is ``len(x)`` of a local ``x`` (3.11:
    LOAD_GLOBAL with its NULL, LOAD_FAST, PRECALL 1, CALL 1)."""
    span = _other_span(instructions, k, operand)
    return [(i.opname, i.arg) for i in span[2:]] == [("PRECALL", 1), ("CALL", 1)] and span[0].opname == "LOAD_GLOBAL" \
        and span[0].argval == "len" and bool((span[0].arg or 0) & 1) and span[1].opname == "LOAD_FAST"


def _method_call(instructions: list[dis.Instruction], k: int) -> bool:
    """Whether the CALL at ``k`` calls a method loaded by LOAD_METHOD from a value pushed right
    before it (``x.topk(n)``; 3.11's layout), not a global function."""
    end = _arguments_start(instructions, k)
    return end is not None and end >= 2 and instructions[end - 1].opname == "LOAD_METHOD" \
        and not instructions[end - 1].is_jump_target and instructions[end - 2].opname != "LOAD_GLOBAL"


def _global_callee(instructions: list[dis.Instruction], k: int, entered: bool = False) -> tuple[str, ...] | None:
    """``(g, a)`` for the CALL at ``k`` of ``g.a(...)``, ``(g,)`` for ``g(...)``, ``g`` a global
    name (3.11: LOAD_GLOBAL then LOAD_METHOD, LOAD_GLOBAL with its NULL then LOAD_ATTR, or
    LOAD_GLOBAL with its NULL alone); None otherwise. With ``entered``, a lone LOAD_GLOBAL with
    its NULL may be a jump target (``max(...)`` right after a ``with`` block): a path that jumps
    there runs it, so the callee is the same."""
    end = _arguments_start(instructions, k)
    if end is None or end < 1:
        return None
    last = instructions[end - 1]
    if last.opname == "LOAD_GLOBAL" and (last.arg or 0) & 1 and (entered or not last.is_jump_target):
        return (last.argval,)
    if last.is_jump_target:
        return None
    if end < 2 or last.opname not in ("LOAD_METHOD", "LOAD_ATTR") or instructions[end - 2].is_jump_target:
        return None
    first = instructions[end - 2]  # its NULL, pushed before the module, where LOAD_ATTR pushes one value
    if first.opname != "LOAD_GLOBAL" or bool((first.arg or 0) & 1) != (last.opname == "LOAD_ATTR"):
        return None
    return (first.argval, last.argval)

# Python versions whose layout of a call's, a binary operator's and a comparison's operands, of
# ``len(x)``, of comprehensions (a code object made a function, called on an iterator) and of
# ``for`` loops, and of the positions of an assignment's instructions (the store on the target's
# first line, the value's instructions on it or after) was checked for ``counted_number``
_COUNT_CHECKED = {(3, 11)}
_CALL_CACHES = 4 if _VERSION == (3, 11) else 3  # inline cache entries after a CALL (3.11; 3.12)
# names configuration is read from (``len(self.levels)``), not the body's data
_OWNERS = frozenset({"self", "cls"})
# builtins whose result from numbers or containers is a plain number
_COUNTING = frozenset({"len", "max", "min", "float", "int", "abs", "round", "sum"})
_FILLS = frozenset({"append", "extend", "insert"})


def counted_number(zero: bool = True, running: bool = False, numbers: tuple[type, ...] = (int, float),
                   helpers: bool = False, sized: bool = False) -> bool:
    """Whether the call, binary operator or comparison the caller's code is executing has an
    operand that is a plain Python number (a literal, a local holding an int or float, a call of
    a number builtin, arithmetic of those) that the body computed from how many images, or items
    of several images, the call got: a ``len`` of an argument (``len(targets)``, also of its
    field picked by a literal, ``len(t[0]["labels"])``), of a list built from one
    (``[s for s in targets if ...]``, filled in a loop over the images) or of a comprehension
    over one (``sum(len(s["labels"]) for s in targets)``), a position in a loop over the images
    (``for b in range(len(t))``), or a number added up over that loop (``n += len(s["labels"])``),
    in the operand itself or in what the body stored in the locals it reads. On a group alone the
    body computes it from the group's images (``e ** len(targets)``, ``e.clamp(max=len(t) * 0.1)``,
    ``F.smooth_l1_loss(p, y, beta=n / 10)`` with ``n = len(targets)``), where a literal
    (``gamma=2.0``), an attribute, a global or one image's own count (``len(t["labels"])`` of the
    loop's image) is the same. False where nothing can be told (another layout, an unchecked
    Python version). Without ``zero``, an operand that is 0 now is none (a running total's start
    ``total = 0``: a term no image's value depends on, left to the rules). With ``running``, only
    an operand that reads a local added up in a loop right over an argument (``num_pos +=
    len(gt)``, then ``max(1, num_pos * k)``; see ``_BatchReader.running_local``), in the
    decorated body's own code (with ``helpers``, in a helper's code too, its loop right over one
    of its parameters: what it adds up is no proof of a count of the images). ``numbers``: the types of a local's value that are plain numbers
    (the capture's marked ones, such as a floored count read on the host, are the body's too).
    With ``sized``, the call's first argument (a factory's size) is none."""
    if _VERSION not in _COUNT_CHECKED:
        return False
    f = _caller()
    if f is None:
        return False
    scopes = _scopes(f)
    # a comprehension the decorated body runs is no helper: its free variables are the body's locals
    helper = _package(f.f_back) != "losssplit" and not (
        f.f_code.co_name in _COMPREHENSIONS and f.f_back is not None and scopes[:1] == (f.f_back.f_code,)
        and _package(f.f_back.f_back) == "losssplit")
    if running and helper and not helpers:
        return False  # a helper's parameters need not be the call's arguments
    constants = _constant_bounds(f)
    candidates = _count_candidates(f.f_code, _lasti(f), helper, constants, scopes)
    if sized and candidates:
        size = _operands(f.f_code, _lasti(f))[-1:]
        candidates = tuple(c for c in candidates if (c[0], c[1]) not in size)
    if not candidates and not running and _len_helper_count(f, constants, scopes):
        return True  # ``clamp(max=0.1 * _len(t))`` of ``def _len(v): return len(v)``: the count itself
    if not candidates and not running:
        bound = _bound_arguments(f)  # ``clamp_to(e)`` of ``clamp_to = partial(torch.clamp, max=0.15 * len(t))``
        return bound is not None and any(
            _plain_number(_instructions(bound[0].f_code), start, end, _locals(bound[0]), numbers, bound[0].f_globals)
            and _counted_span(bound[0], start, end, numbers, 0) for start, end in bound[1]) \
            or helper and _held_count(f, _operands(f.f_code, _lasti(f))[int(sized):], numbers) \
            or _stored_count(f, sized, numbers)
    if not candidates:
        return False
    instructions = _instructions(f.f_code)
    held = _locals(f)
    reader = _batch_reader(f.f_code, None, frozenset(), frozenset(), frozenset(), constants, scopes) if running else None
    return any(_plain_number(instructions, start, end, held, numbers, f.f_globals) and (zero or _value(instructions, start, end, held) != 0)
               and (reader is None or reader.reads_running(start, end, frozenset(), sized=helper))
               and (params is None or any(_counted_parameter(f, name, numbers, 0) for name in params))
               for start, end, params in candidates) \
        or not running and (helper and _held_count(f, _operands(f.f_code, _lasti(f))[int(sized):], numbers)
                            or _stored_count(f, sized, numbers))


def counted_item() -> bool:
    """Whether an argument of the call the caller's code is executing is a list or tuple display
    one of whose items computes a number from how many images the call got (``_counted_span``:
    ``torch.tensor([0.1, 1 / (len(t) + 1)])``): on a group alone, the group's. ``counted_number``
    reads the call's operands whole, not a display's items. Python 3.11."""
    if _VERSION not in _COUNT_CHECKED:
        return False
    f = _caller()
    if f is None:
        return False
    ins = _instructions(f.f_code)
    for start, end in _operands(f.f_code, _lasti(f)):
        if ins[end - 1].opname not in ("BUILD_LIST", "BUILD_TUPLE"):
            continue
        stop = end - 1
        for _ in range(ins[end - 1].arg or 0):
            first = _operand_start(ins, stop)
            if first is None or first < start:
                break
            if _counted_span(f, first, stop, (int, float), 0):
                return True
            stop = first
    return False


def counted_call() -> bool:
    """Whether an operand of the op the caller's code is executing is a plain number computed from a
    call of a function whose code computes a count from its parameters (``_returns_count``: ``e.sum()
    * cap_of(t)`` of ``def cap_of(t): return 0.1 * len(t)``, also through a local or as a method of
    ``self``) given the batch: on a group alone the group's number. One only returning ``len`` of its
    parameter is left to the readers of ``len`` itself (``_len_helper_count``). Python 3.11."""
    if _VERSION not in _COUNT_CHECKED:
        return False
    f = _caller()
    return f is not None and _len_helper_count(f, None, None, computed=True)


def _loads_free_variable(f: types.FrameType, spans: Any) -> bool:
    """Whether an operand of the op ``f``'s code is executing (or one of ``spans``) loads a free
    variable: only then is ``f_locals`` read for it (on 3.11 it keeps a snapshot of the frame's
    locals, which holds tensors the body drops until the frame's next snapshot)."""
    instructions = _instructions(f.f_code)
    return any(instructions[k].opname == "LOAD_DEREF" and instructions[k].argval in f.f_code.co_freevars
               for start, end in (_operands(f.f_code, _lasti(f)) if spans is None else spans) for k in range(start, end))


def _counting(fn: Any, computed: bool) -> bool:
    """Whether ``fn`` is a count function (``_count_function``), with ``computed`` one that is no ``_returns_len``."""
    return _count_function(fn) and not (computed and _returns_len(fn))


def _len_helper_count(f: types.FrameType, constants: frozenset[str] | None, scopes: tuple[types.CodeType, ...] | None,
                      computed: bool = False, spans: tuple[tuple[int, int], ...] | None = None) -> bool:
    """Whether an operand of the op ``f``'s code is executing is a plain number computed from a
    call of a function returning a count of its arguments (``_count_function``: ``def _len(v):
    return len(v)``, ``def cap_of(t): return 0.1 * len(t)``; a global or a method of ``self``) given
    the batch's images or items (for ``_len``, ``_BatchReader.collection``) or a number computed
    from them: right there (``clamp(max=0.1 * _len(t))``, ``clamp(max=self._cap_of(t))``) or in the
    assignment of a number local the operand loads (``n = _len(t)``, then ``clamp(max=0.1 * n)``;
    ``_computed_from``, as a size helper's read). With ``computed``, only a function that is no
    ``_returns_len``. ``constants``, ``scopes``: as ``_BatchReader``'s (None: read from ``f`` when needed).
    A free variable the operand loads (``0.1 * n`` in a nested function) is followed to its cell's
    stores in the enclosing frame (``n = _len(t)`` there; ``spans``: those stores' values, else the
    op's operands)."""

    # (asked at most bounds and factors of the seed's ops: it calls no such function; ``f_locals`` builds a dict)
    owner = None
    for name in _called_globals(f.f_code):  # (a loop: no generator per ask)
        if _counting(f.f_globals.get(name), computed):
            break
    else:
        owner = _locals(f).get("self") if _method_calls(f.f_code, "self") else None
        if owner is not None and not _counting_methods(f.f_code, type(owner), computed) and not (
                type(held := getattr(owner, "__dict__", None)) is dict and any(
                    holder is None and name in held and _counting(_instance_function(owner, name), computed)
                    for _, name, holder in _method_calls(f.f_code, "self"))):
            owner = None  # (a count function the instance holds: ``self.cap_fn = cap_of``, then ``self.cap_fn(t)``, rt35)
        if owner is None and not (f.f_code.co_freevars and _loads_free_variable(f, spans)):
            return False
    owner = owner if owner is not None else _locals(f).get("self")
    instructions = _instructions(f.f_code)
    reader: list[_BatchReader] = []

    def hit(k: int, end: int) -> bool:
        i = instructions[k]
        if i.opname == "LOAD_DEREF" and i.argval in f.f_code.co_freevars:
            return _cell_count(f, i.argval, computed)
        if i.opname == "LOAD_GLOBAL" and (i.arg or 0) & 1:
            fn, first = f.f_globals.get(i.argval), k + 1
        elif i.opname == "LOAD_FAST" and i.argval == "self" and owner is not None and k + 1 < end \
                and instructions[k + 1].opname == "LOAD_METHOD":
            fn, first = _self_function(owner, instructions[k + 1].argval), k + 2
        else:
            return False
        if not _counting(fn, computed):
            return False
        close = _call_end(instructions[k:end], 0)
        if close is None:
            return False
        if not reader:
            reader.append(_batch_reader(f.f_code, None, frozenset(), frozenset(), frozenset(),
                                        _constant_bounds(f) if constants is None else constants,
                                        _scopes(f) if scopes is None else scopes))
        if _returns_len(fn):
            return reader[0].collection(first, k + close, frozenset())
        return _batch_arguments(reader[0], _argument_spans(instructions, k + close) or ())

    return any(_plain_number(instructions, start, end, _locals(f), (int, float), f.f_globals)
               and _computed_from(instructions, start, end, hit, _locals(f), _never, set(), sizes=False)
               for start, end in (_operands(f.f_code, _lasti(f)) if spans is None else spans))


def _self_function(owner: Any, name: str) -> Any:
    """What ``self.name(..)`` of ``owner`` calls: its class's attribute (unbound), else a plain
    function the instance holds (``_instance_function``)."""
    fn = inspect.getattr_static(type(owner), name, None)
    return fn if isinstance(fn, types.FunctionType) else _instance_function(owner, name) or fn


def _instance_function(owner: Any, name: str) -> types.FunctionType | None:
    """The plain function ``owner.name`` is, held in the instance's own attributes (called without
    ``self``), as attribute lookup finds it without running code (``_method_of``); None else."""
    found = _method_of(owner, name)
    return found[0] if found is not None and found[1] == 0 and isinstance(found[0], types.FunctionType) else None


def _cell_count(f: types.FrameType, name: str, computed: bool) -> bool:
    """Whether the free variable ``name`` of ``f``'s code is a cell the enclosing frame making its
    code (``_owner_frame``) stores a number computed from a count function's call in
    (``_len_helper_count``: ``n = _len(t)``, then ``def clip(e): return e.clamp(max=0.1 * n)``)."""
    g = _owner_frame(f, name)
    if g is None or g is f:
        return False
    instructions = _instructions(g.f_code)
    values = tuple(value for j in _stores(instructions, name, cells=True)
                   if (value := _stored_value(instructions, j)) is not None and _number_shaped(instructions, *value, sizes=False))
    return bool(values) and _len_helper_count(g, None, None, computed, values)


@_per_code(256)
def _counting_methods(code: types.CodeType, cls: type, computed: bool) -> bool:
    """Whether ``code`` calls a method of ``self``, an instance of ``cls``, that is a ``_count_function``
    (with ``computed``, no ``_returns_len``); read once per class (a method set on the instance is none)."""
    return any(holder is None and _count_function(fn := inspect.getattr_static(cls, name, None))
               and not (computed and _returns_len(fn)) for _, name, holder in _method_calls(code, "self"))


def _count_function(fn: Any, depth: int = _FORWARDS) -> bool:
    """Whether ``fn`` is a Python function that returns a count of its parameters: only ``len`` of
    its one parameter (``_returns_len``), a number its code computes from them (``_returns_count``),
    or only what such a global function returns given its one parameter (``_forwarded_to``)."""
    return isinstance(fn, types.FunctionType) and (_returns_len(fn) or _returns_count(fn.__code__) or depth > 0
                                                    and _count_function(_forwarded_to(fn), depth - 1))


@_per_code(256)
def _returns_count(code: types.CodeType) -> bool:
    """Whether a value ``code`` returns is a plain number (``_number_shaped``: not ``torch.tensor(len(t))``)
    computed from its parameters as from the batch (``_BatchReader.number``, no position: ``return 0.1
    * len(t)``, ``return max(n, 1)`` of ``n`` added up over ``t``), where its code takes ``len`` of a
    parameter itself or of a list it builds (``_listed``; a length of a tensor it computes is read
    where it is taken). A generator's or
    a coroutine's code returns none."""
    if code.co_flags & (inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR):
        return False
    ins = _instructions(code)
    if not any(i.opname == "LOAD_GLOBAL" and i.argval == "len" and (close := _call_end(ins, k)) is not None
               and (spans := _argument_spans(ins, close)) is not None and len(spans) == 1
               and _listed_value(code, ins, *spans[0], _COPY_DEPTH) for k, i in enumerate(ins)):
        return False  # (``len(src)`` of a tensor it computes: read where it is taken, ``return score, len(src)``)
    inner = _batch_reader(code, None, frozenset(), frozenset(), frozenset(), frozenset(), ())
    return any(i.opname == "RETURN_VALUE" and (first := _operand_start(ins, j)) is not None
               and _number_shaped(ins, first, j) and inner.number(first, j, frozenset(), positions=False)
               for j, i in enumerate(ins))


# builtins whose call makes a list of what its arguments hold (``list(t)``, ``list(filter(None, t))``,
# ``sorted(t, key=..)``): its length is counted as theirs (a filter's or a set's is no less a count of them)
_COPIES = frozenset({"list", "tuple", "sorted", "filter", "reversed", "set", "frozenset", "map", "zip", "dict",
                     "enumerate"})
# (``copy.copy(t)``, ``torch.stack([s["y"] for s in t])``, ``t.copy()``: as long as what they are given, rt35)
_ATTRIBUTE_COPIES = frozenset({"copy", "deepcopy", "stack", "cat", "array", "asarray"})
_COPY_DEPTH = 3


def _listed(code: types.CodeType, ins: list[dis.Instruction], name: str, depth: int = _COPY_DEPTH) -> bool:
    """Whether the local ``name`` of ``code`` is a parameter, or a local every store of which is a
    ``_listed_value``: no tensor it computes, whose ``len`` the capture reads where it is taken."""
    if name in code.co_varnames[: code.co_argcount]:
        return True
    stores = _stores(ins, name)
    return bool(stores) and all((value := _stored_value(ins, j)) is not None and _listed_value(code, ins, *value, depth)
                                for j in stores)


def _listed_value(code: types.CodeType, ins: list[dis.Instruction], start: int, end: int, depth: int) -> bool:
    """Whether ``ins[start:end]`` is a list display or comprehension (``[s["labels"] for s in t]``), a
    ``_listed`` local, a slice of one (``t[1:]``) or a ``_COPIES`` call given one (``list(t)``)."""
    first, last = ins[start], ins[end - 1]
    if last.opname in ("BUILD_LIST", "BUILD_TUPLE", "LIST_EXTEND") or first.opname == "LOAD_CONST" and isinstance(
            first.argval, types.CodeType) and first.argval.co_name in ("<listcomp>", "<setcomp>", "<dictcomp>"):
        return True
    if end - start == 1:
        return first.opname == "LOAD_FAST" and (first.argval in code.co_varnames[: code.co_argcount]
                                                or depth > 0 and _listed(code, ins, first.argval, depth - 1))
    if depth <= 0:
        return False
    if last.opname == "BINARY_SUBSCR" and ins[end - 2].opname == "BUILD_SLICE":
        sliced = _operand_start(ins, end - 1)
        return sliced is not None and start < sliced and _listed_value(code, ins, start, sliced, depth - 1)
    if last.opname == "CALL" and _call_end(ins, start) == end - 1 and (
            first.opname == "LOAD_GLOBAL" and first.argval in _COPIES or first.opname == "LOAD_GLOBAL"
            and ins[start + 1].opname in ("LOAD_METHOD", "LOAD_ATTR") and ins[start + 1].argval in _ATTRIBUTE_COPIES):
        spans = _argument_spans(ins, end - 1)
        return spans is not None and any(_listed_value(code, ins, a, b, depth - 1) for a, b in spans)
    if last.opname == "CALL" and last.arg == 0 and end - start >= 4 and ins[end - 3].opname == "LOAD_METHOD" \
            and ins[end - 3].argval == "copy":  # (``t.copy()``)
        return _listed_value(code, ins, start, end - 3, depth - 1)
    if last.opname == "BINARY_OP" and last.argrepr in ("+", "+="):  # (``t + []``)
        right = _operand_start(ins, end - 1)
        return right is not None and start < right and (_listed_value(code, ins, start, right, depth - 1)
                                                        or _listed_value(code, ins, right, end - 1, depth - 1))
    return False


def _never(_: Any) -> bool:
    return False


@_per_code(256)
def _called_globals(code: types.CodeType) -> tuple[str, ...]:
    """The names of the globals ``code`` loads to call, builtins that count (``_COUNTING``) aside."""
    return tuple({i.argval for i in _instructions(code)
                  if i.opname == "LOAD_GLOBAL" and (i.arg or 0) & 1 and i.argval not in _COUNTING})


def counted_attribute() -> bool:
    """Whether an operand of the op the caller's code is executing is an attribute (``Cfg.scale``)
    holding a number the code computes from the batch (``_BatchReader.number``, a position of a
    loop over the images aside): stored in a class body the code runs (``class Cfg: scale = 1.0 /
    n``) or by ``Cfg.scale = 2.0 / len(t)``. Other spellings of such a number are the other
    rules' (they name a test of the length, a running count, a position)."""
    return _batch_operand(attributes=True)


def batch_number(skipped: frozenset[tuple[Any, int]] = frozenset()) -> bool:
    """Whether an operand of the op the caller's code is executing is a plain number (not 0) the
    code computes from the batch as a whole (``_BatchReader.number``): a count of the images or of
    a list filled from them (``max(len(t), 3)``, ``len(kept)``), a total over them (``sum(s["labels"].numel()
    for s in t)``), a running count, or an attribute stored from one; a position of a loop over the
    images and one image's own sizes (``len(t[b]["labels"])``, ``len(ids)`` of its instances) aside,
    and the ``len`` calls at ``skipped`` ((code, offset) of each CALL: lengths of a dim without images,
    ``Frame.side_length_sites``)."""
    return _batch_operand(attributes=False, skipped=skipped)


def stored_batch_number() -> bool:
    """``batch_number`` of the value the subscript store the caller's code is executing writes
    (``shifted[:, 0] = len(t) % 5``; 0 now too: on a group alone it is the group's)."""
    return _batch_operand(attributes=False, stored=True)


# the globals of the frame whose op a reading of the batch's numbers is for (``_batch_operand``,
# ``_held_count``): there a call of a global helper only returning ``len`` of its parameter
# (``_returns_len``: ``k = max(_len(t), 3)``) reads as ``len`` itself
_READ_GLOBALS: list[dict[str, Any]] = []


def _reading(f: types.FrameType, read: Callable[..., bool], *args: Any) -> bool:
    """``read(*args)`` with ``f``'s globals the ``_READ_GLOBALS`` of the reading."""
    _READ_GLOBALS.append(f.f_globals)
    try:
        return read(*args)
    finally:
        _READ_GLOBALS.pop()


def _batch_operand(attributes: bool, stored: bool = False, skipped: frozenset[tuple[Any, int]] = frozenset()) -> bool:
    if _VERSION not in _COUNT_CHECKED:
        return False
    f = _caller()
    if f is None:
        return False
    spans = _batch_spans(f.f_code, _lasti(f), attributes, stored)
    if not spans:  # (asked at every bound of the seed's ops: most load no attribute)
        return False
    return _reading(f, _batch_operand_read, f, spans, attributes, stored, skipped)


def _batch_operand_read(f: types.FrameType, spans: tuple[tuple[int, int], ...], attributes: bool, stored: bool,
                        skipped: frozenset[tuple[Any, int]]) -> bool:
    instructions = _instructions(f.f_code)
    held = _locals(f)
    operands, spans = spans, tuple((start, end) for start, end in spans
                                   if (_plain_number(instructions, start, end, held, (int, float), f.f_globals)
                                       or attributes and _owner_number(instructions, start, end, held))
                                   and (stored or _value(instructions, start, end, held) != 0))
    if not spans:  # (asked at ops of the seed's: most get no such number, the reader is not made)
        return not attributes and _held_count(f, operands)  # ``v / d[0]`` of a default list filled with a count
    reader = _batch_reader(f.f_code, None, frozenset(), frozenset(), frozenset(), _constant_bounds(f), _scopes(f),
                           frozenset(), frozenset(), skipped)
    at = _located(f.f_code, _lasti(f))[1]

    def counted(start: int, end: int) -> bool:
        if reader.number(start, end, frozenset(), positions=False):
            return True
        # a helper's or a lambda's parameter its caller passed such a number, or its default computed so
        # (``norm(e1, max(len(t), 3))``, ``lambda v, k=max(len(t), 3): v / k``)
        if not attributes and _package(f.f_back) != "losssplit" and any(
                _counted_parameter(f, name, (int, float), positions=False) for name in _loaded_parameters(f.f_code, start, end)):
            return True
        # an attribute the code stored such a number in (``Cfg.scale = 2.0 / len(t)``, then ``* Cfg.scale``;
        # ``self.cap = 0.3 / len(t)`` stored on every call, before the op, then ``clamp(max=self.cap)``)
        for k in range(start, end - 1):
            owner, attr = instructions[k], instructions[k + 1]
            if owner.opname != "LOAD_FAST" or attr.opname != "LOAD_ATTR":
                continue
            cls = type(held.get(owner.argval))
            for j, first, end, before in _attribute_stores(instructions, owner.argval, attr.argval):
                if (owner.argval not in _OWNERS or at is not None and j < at and (
                        _straight(instructions, j) or _unguarded(instructions, before, attr.argval))) \
                        and (reader.number(first, end, frozenset(), positions=False) or owner.argval in _OWNERS
                             and _method_returned(cls, f.f_code, f.f_globals, reader, owner.argval, first, end)):
                    return True
            if owner.argval in _OWNERS and at is not None and _method_stored(
                    cls, f.f_code, f.f_globals, reader, owner.argval, attr.argval, at):
                return True
        return False

    return any(counted(start, end) for start, end in spans) or not attributes and _held_count(f, operands)


@_per_code(1024)
def _batch_spans(code: types.CodeType, lasti: int, attributes: bool, stored: bool) -> tuple[tuple[int, int], ...]:
    """The spans ``_batch_operand`` reads at ``lasti``: the stored value's or the operands (with
    ``attributes``, those loading an attribute last)."""
    spans = _stored_value_span(code, lasti) if stored else _operands(code, lasti)
    if attributes:
        instructions = _instructions(code)
        spans = tuple((start, end) for start, end in spans if instructions[end - 1].opname == "LOAD_ATTR")
    return spans


def _method_stored(cls: type, code: types.CodeType, globals_: dict[str, Any], reader: _BatchReader, owner: str,
                   name: str, at: int, depth: int = 2) -> bool:
    """Whether ``code``, before the op at ``at``, calls a method of ``owner`` (``self._setup(t)``,
    ``super()._setup(t)``, ``Base._setup(self, t)``: ``_called_methods``; ``cls``: ``owner``'s class),
    on every call or under a test of anything but the attribute (``_unguarded``), passing it the
    batch's items or a number computed from them (``reader``: ``code``'s), whose own code stores
    ``owner.name`` (as ``_batch_operand`` reads a store in the body's code) from a number computed
    from the batch or from its parameters, or (``depth``) calls another such method: on a group
    alone the method stores the group's (the first call's kept by a guard on the attribute is the
    same)."""
    instructions = _instructions(code)
    for call, fn, arguments in _called_methods(cls, code, globals_, owner, 0, at):
        if not (_straight(instructions, call) or _unguarded(instructions, call, name)):
            continue
        own = fn.__code__
        ins = _instructions(own)
        inner = _batch_reader(own, None, frozenset(), frozenset(), frozenset(), frozenset(), ())
        if not any((_straight(ins, j) or _unguarded(ins, before, name)) and _from_count_or_parameters(own, inner, first, end)
                   for j, first, end, before in _attribute_stores(ins, own.co_varnames[0], name)) \
                and not (depth > 1 and _method_stored(cls, own, fn.__globals__, inner, own.co_varnames[0], name, len(ins),
                                                      depth - 1)):
            continue
        if _batch_arguments(reader, arguments):
            return True
    return False


def _method_returned(cls: type, code: types.CodeType, globals_: dict[str, Any], reader: _BatchReader, owner: str,
                     start: int, end: int) -> bool:
    """Whether ``start:end`` of ``code`` calls a method of ``owner`` (``_called_methods``) passing it
    the batch's items or a number computed from them, whose own code returns a number computed from
    the batch or from its parameters (``self.cap = self._cap_of(t)`` of ``return 0.1 * len(t)``)."""
    for _, fn, arguments in _called_methods(cls, code, globals_, owner, start, end):
        own = fn.__code__
        ins = _instructions(own)
        inner = _batch_reader(own, None, frozenset(), frozenset(), frozenset(), frozenset(), ())
        if any(i.opname == "RETURN_VALUE" and (first := _operand_start(ins, j)) is not None
               and _from_count_or_parameters(own, inner, first, j) for j, i in enumerate(ins)) \
                and _batch_arguments(reader, arguments):
            return True
    return False


def _from_count_or_parameters(code: types.CodeType, reader: _BatchReader, start: int, end: int) -> bool:
    return reader.number(start, end, frozenset(), positions=False) or bool(_loaded_parameters(code, start, end))


def _batch_arguments(reader: _BatchReader, arguments: Sequence[tuple[int, int]]) -> bool:
    return any(reader.collection(a, b, frozenset()) or reader.number(a, b, frozenset(), positions=False) for a, b in arguments)


def _called_methods(cls: type, code: types.CodeType, globals_: dict[str, Any], owner: str, start: int, end: int
                    ) -> Iterator[tuple[int, types.FunctionType, list[tuple[int, int]]]]:
    """(the CALL's index, the Python function, the spans of the arguments it is given after
    ``owner``) of each call in ``start:end`` of ``code`` of a method of ``owner``, an instance of
    ``cls``: ``owner.m(..)``, ``super().m(..)`` (looked up after the class defining ``code``) or
    ``Base.m(owner, ..)`` of a global base class (looked up without running any descriptor)."""
    for call, name, holder in _method_calls(code, owner):
        if not start <= call < end:
            continue
        arguments = list(_argument_spans(_instructions(code), call) or ())
        if holder is None:
            fn = inspect.getattr_static(cls, name, None)
        elif holder:
            base = globals_.get(holder)
            fn = inspect.getattr_static(base, name, None) if isinstance(base, type) and issubclass(cls, base) else None
            arguments = arguments[:-1]  # (``owner`` itself, the first)
        else:
            mro = cls.__mro__
            defining = next((k for k, c in enumerate(mro) if any(getattr(v, "__code__", None) is code
                                                                  for v in vars(c).values())), None)
            fn = next((c.__dict__[name] for c in mro[defining + 1:] if name in c.__dict__), None) \
                if defining is not None else None
        if isinstance(fn, types.FunctionType) and fn.__code__.co_argcount:
            yield call, fn, arguments


@_per_code(256)
def _method_calls(code: types.CodeType, owner: str) -> tuple[tuple[int, str, str | None], ...]:
    """(the CALL's index, the method's name, how it is looked up) of each call of a method of
    ``owner`` in ``code``: ``owner.m(..)`` (None), ``super().m(..)`` ("") and ``Base.m(owner, ..)``
    (the global's name)."""
    instructions = _instructions(code)
    found: list[tuple[int, str, str | None]] = []
    for k, i in enumerate(instructions):
        if i.opname != "CALL":
            continue
        spans = _argument_spans(instructions, k)
        if spans is None:
            continue
        callee = (spans[-1][0] if spans else _arguments_end(instructions, k)) - 1
        if callee < 1 or instructions[callee].opname != "LOAD_METHOD":
            continue
        before = instructions[callee - 1]
        if (before.opname, before.argval) == ("LOAD_FAST", owner):
            found.append((k, instructions[callee].argval, None))
        elif before.opname == "LOAD_GLOBAL" and not (before.arg or 0) & 1 and spans \
                and spans[-1][1] - spans[-1][0] == 1 and (instructions[spans[-1][0]].opname, instructions[spans[-1][0]].argval) \
                == ("LOAD_FAST", owner):
            found.append((k, instructions[callee].argval, before.argval))
        elif before.opname == "CALL" and before.arg == 0 and callee >= 3 and instructions[callee - 2].opname == "PRECALL" \
                and (instructions[callee - 3].opname, instructions[callee - 3].argval) == ("LOAD_GLOBAL", "super"):
            found.append((k, instructions[callee].argval, ""))
    return tuple(found)


def _owner_number(instructions: list[dis.Instruction], start: int, end: int, held: dict[str, Any]) -> bool:
    """Whether the operand ``start:end`` is ``self.x`` (``cls.x``) holding a plain number in the
    instance's own attributes."""
    if end - start != 2 or instructions[start].opname != "LOAD_FAST" or instructions[start].argval not in _OWNERS \
            or instructions[start + 1].opname != "LOAD_ATTR":
        return False
    own = getattr(held.get(instructions[start].argval), "__dict__", None)
    return isinstance(own, dict) and type(own.get(instructions[start + 1].argval)) in (int, float)


def _attribute_stores(instructions: list[dis.Instruction], owner: str, name: str) -> list[tuple[int, int, int, int]]:
    """(the store's index, the stored value's span, where the code before it ends) of each store of
    ``owner.name``: ``owner.name = v``, ``setattr(owner, "name", v)``, ``owner.__dict__["name"] = v``."""
    found = []
    for j in range(3, len(instructions)):
        store, prev = instructions[j], instructions[j - 1]
        if store.opname == "STORE_ATTR" and store.argval == name and (prev.opname, prev.argval) == ("LOAD_FAST", owner):
            first = _operand_start(instructions, j - 1)
            if first is not None:
                found.append((j, first, j - 1, j))
        elif store.opname == "STORE_SUBSCR" and [(i.opname, i.argval) for i in instructions[j - 3 : j]] == [
                ("LOAD_FAST", owner), ("LOAD_ATTR", "__dict__"), ("LOAD_CONST", name)]:
            first = _operand_start(instructions, j - 3)
            if first is not None:
                found.append((j, first, j - 3, first))
        elif store.opname == "CALL" and store.arg == 3 and prev.opname == "PRECALL" and j >= 5:
            first = _operand_start(instructions, j - 1)
            head = instructions[first - 3 : first] if first is not None and first >= 3 else []
            if first is not None and [(i.opname, i.argval) for i in head] == [
                    ("LOAD_GLOBAL", "setattr"), ("LOAD_FAST", owner), ("LOAD_CONST", name)]:
                found.append((j, first, j - 1, first - 3))
    return found


def _unguarded(instructions: list[dis.Instruction], j: int, name: str) -> bool:
    """Whether the code before the store at ``j`` reads the attribute ``name`` nowhere, by name or
    through ``hasattr`` / ``getattr``: a store under a test of anything else (``if len(t) > 0:``, ``if
    self.training:``) may run on this call, one guarded by the attribute (``if not hasattr(self,
    "cap")``, ``if self.cap is None``) keeps the first call's number."""
    return not any(i.opname in ("LOAD_ATTR", "LOAD_METHOD") and i.argval == name or i.opname == "LOAD_CONST" and i.argval == name
                   or i.opname == "LOAD_GLOBAL" and i.argval in ("hasattr", "getattr") for i in instructions[:j])


def _straight(instructions: list[dis.Instruction], j: int) -> bool:
    """Whether the code runs the instruction at ``j`` on every call: no jump, and none lands, before it."""
    return not any(i.is_jump_target or "JUMP" in i.opname or i.opname == "FOR_ITER" for i in instructions[: j + 1])


def _held_count(f: types.FrameType, spans: Collection[tuple[int, int]], numbers: tuple[type, ...] = (int, float)) -> bool:
    """Whether one of the operand ``spans`` of the op ``f``'s code (a nested function's, a lambda's,
    a helper's: not the decorated body's) is executing reads a number out of a parameter or a free
    variable that the call may have written a number from the batch into: a mutable container (a
    default list ``d=acc``, a closure's ``cap``) read by item or attribute (``d[0]``, ``c.cap``) that
    a frame up to the decorated body holds and fills, in its code, with such a number
    (``acc.append(max(len(t), 3))``, ``cap[0] = 0.1 * len(t)`` after the ``def``) or whose default
    display computes one, or a number a function no longer running closed over (``make(k)``
    returning ``lambda v: v / k``) where a frame up to the body calls that maker with such a
    number or with the batch (``make(max(len(t), 3))``). The readers of the body's code read its own
    locals; these are the values a call writes where no reader of one code sees both ends."""
    if _package(f.f_back) == "losssplit":
        return False  # the decorated body: its parameters are the call's arguments, its free variables its closure
    code = f.f_code
    found = [(start, end, loads) for start, end in spans if (loads := _holder_loads(code, start, end))]
    if not found:  # (asked at the seed's helpers' ops: most operands read no parameter's item nor a free variable)
        return False
    return _reading(f, _held_count_read, f, found, numbers)


def _stored_count(f: types.FrameType, sized: bool, numbers: tuple[type, ...]) -> bool:
    """Whether an operand of the op ``f``'s code is executing (not the first, ``sized``) reads, by
    attributes and literal items of a local, a parameter or a free variable, a place ``f``'s code
    stores a number from the batch into (``self.state["cap"] = 0.1 * len(t)``, ``self.stats.n =
    len(t)``, ``holder[0] = 0.1 * len(t)``, then ``clamp(max=self.state["cap"])``), or, of a
    parameter, an item of a display its caller passed holding one (``clip(e, {"n": len(t)})``, then
    ``stats["n"]``): on a group alone the call stores the group's number (rt35). A constant stored,
    or a count of anything else, is none."""
    code = f.f_code
    read = _stored_reads(code, _lasti(f), sized)
    if not read:  # (the seed's ops: one cached ask)
        return False
    stored = _stored_paths(code)
    for root, steps in read:
        if any(_counted_span(f, start, end, numbers, 0) for start, end in stored.get((root, steps), ())):
            return True
        if (root, steps) not in stored:  # a parameter's item: of what its caller passed
            how, back = _called_by(f)
            found = _argument_for(f, back, root) if how == "code" else None
            if back is not None and isinstance(found, tuple):
                item = _display_item(_instructions(back.f_code), found[0], found[1], steps[0][1])
                if item is not None and _counted_span(back, item[0], item[1], numbers, 1):
                    return True
    return False


@_per_code(1024)
def _stored_reads(code: types.CodeType, lasti: int, sized: bool) -> tuple[_Path, ...]:
    """The places the operands of the op at ``lasti`` (but the first, ``sized``) read that ``code``
    stores into (``_stored_paths``), or a parameter's literal item (``stats["n"]``)."""
    stored = _stored_paths(code)
    return tuple(path for start, end in _operands(code, lasti)[int(sized):] for path in _read_paths(code, start, end)
                 if path in stored or len(path[1]) == 1 and path[1][0][0] == "i" and path[0] not in _OWNERS
                 and _plain_parameter(code, path[0]))


_Path = tuple[str, tuple[tuple[str, Any], ...]]  # a root name, then ("a", attribute) / ("i", literal item) steps


def _path_steps(instructions: list[dis.Instruction], k: int, end: int) -> tuple[tuple[tuple[str, Any], ...], int]:
    """The attribute and literal-item steps right after the load at ``k`` (up to ``end``), and where they end."""
    steps: list[tuple[str, Any]] = []
    k += 1
    while k < end:
        i = instructions[k]
        if i.opname == "LOAD_ATTR":
            steps.append(("a", i.argval))
            k += 1
        elif i.opname == "LOAD_CONST" and type(i.argval) in (int, str) and k + 1 < end \
                and instructions[k + 1].opname == "BINARY_SUBSCR":
            steps.append(("i", i.argval))
            k += 2
        else:
            break
    return tuple(steps), k


@_per_code(1024)
def _read_paths(code: types.CodeType, start: int, end: int) -> tuple[_Path, ...]:
    """The places the span reads whole by attributes and literal items of a local, a parameter or a
    free variable (``self.state["cap"]``, ``holder[0]``, ``self.stats.n``)."""
    instructions = _instructions(code)
    found = []
    for k in range(start, end):
        if instructions[k].opname in ("LOAD_FAST", "LOAD_DEREF"):
            steps, after = _path_steps(instructions, k, end)
            if steps:
                found.append((instructions[k].argval, steps))
    return tuple(found)


@_per_code(1024)
def _stored_paths(code: types.CodeType) -> dict[_Path, tuple[tuple[int, int], ...]]:
    """Place -> the spans of the values ``code`` stores there (``self.state["cap"] = v``,
    ``self.stats.n = v``, ``holder[0] = v``): a target of attributes and literal items of a local,
    a parameter or a free variable."""
    instructions = _instructions(code)
    found: dict[_Path, list[tuple[int, int]]] = {}
    for j, i in enumerate(instructions):
        if i.opname == "STORE_ATTR":
            last, end = ("a", i.argval), j
        elif i.opname == "STORE_SUBSCR" and j and instructions[j - 1].opname == "LOAD_CONST" \
                and type(instructions[j - 1].argval) in (int, str):
            last, end = ("i", instructions[j - 1].argval), j - 1
        else:
            continue
        for k in range(end - 1, -1, -1):  # the target's root: the load its steps follow right up to ``end``
            if instructions[k].opname in ("LOAD_FAST", "LOAD_DEREF"):
                steps, after = _path_steps(instructions, k, end)
                value = _operand_start(instructions, k) if after == end else None
                # (not under a test of the place: ``if not hasattr(self, "cap"):`` keeps the first call's number)
                if value is not None and (_straight(instructions, j) or type(last[1]) is str and _unguarded(instructions, j, last[1])):
                    found.setdefault((instructions[k].argval, (*steps, last)), []).append((value, k))
                break
            if instructions[k].opname not in ("LOAD_ATTR", "LOAD_CONST", "BINARY_SUBSCR"):
                break
    return {path: tuple(spans) for path, spans in found.items()}


def _display_item(instructions: list[dis.Instruction], start: int, end: int, key: Any) -> tuple[int, int] | None:
    """The span of the item ``key`` of the dict, list or tuple display spanning ``start:end``
    (``{"n": len(t)}``), None where it is no display holding it."""
    last = instructions[end - 1]
    if last.opname == "BUILD_CONST_KEY_MAP" and end - 2 > start and instructions[end - 2].opname == "LOAD_CONST":
        keys, k, pairs = tuple(instructions[end - 2].argval), end - 2, False
    elif last.opname in ("BUILD_LIST", "BUILD_TUPLE"):
        keys, k, pairs = tuple(range(last.arg or 0)), end - 1, False
    elif last.opname == "BUILD_MAP":
        keys, k, pairs = (), end - 1, True
    else:
        return None
    pieces = _split_operands(instructions[start:k], 2 * (last.arg or 0) if pairs else len(keys))
    if pieces is None:
        return None
    spans = [(start + sum(len(p) for p in pieces[:d]), start + sum(len(p) for p in pieces[: d + 1])) for d in range(len(pieces))]
    if pairs:
        keys = tuple(instructions[a].argval if b - a == 1 and instructions[a].opname == "LOAD_CONST" else _UNPROVEN
                     for a, b in spans[::2])
        spans = spans[1::2]
    return spans[keys.index(key)] if key in keys and keys.count(key) == 1 else None


def _held_count_read(f: types.FrameType, found: list[tuple[int, int, Any]], numbers: tuple[type, ...]) -> bool:
    code = f.f_code
    instructions = _instructions(code)
    held = _locals(f)
    for start, end, loads in found:
        if not (_plain_number(instructions, start, end, held, numbers, f.f_globals)
                or _item_number(instructions, start, end, held, numbers)):
            continue  # (``losses["x"]`` of a tensor beside the op's number is no number read out)
        for k, picked in loads:
            name = instructions[k].argval
            value = held.get(name, _UNPROVEN)
            if type(value) in numbers:
                if instructions[k].opname == "LOAD_DEREF" and _counted_maker(f, name):
                    return True
            elif picked and (type(value) in (list, dict, set) or type(value) is types.SimpleNamespace) \
                    and _filled_with_count(f, name, value, numbers):
                return True  # (read by item or attribute: ``len(note)`` of ``note = [str(len(t))]`` is the display's)
    return False


@_per_code(1024)
def _holder_loads(code: types.CodeType, start: int, end: int) -> tuple[tuple[int, bool], ...]:
    """(index, whether its value is picked by item or attribute: ``d[0]``, ``c.cap``) of each of the
    span's loads that ``_held_count`` reads: a free variable's, a parameter's so picked."""
    instructions = _instructions(code)
    params = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    found = []
    for k in range(start, end):
        i = instructions[k]
        free = i.opname == "LOAD_DEREF" and i.argval in code.co_freevars
        if free or i.opname == "LOAD_FAST" and i.argval in params:
            used = _consumer(instructions, k)
            picked = used is not None and used[1] == 0 and instructions[used[0]].opname == "BINARY_SUBSCR" \
                or k + 1 < end and instructions[k + 1].opname == "LOAD_ATTR"
            if free or picked:
                found.append((k, picked))
    return tuple(found)


def _item_number(instructions: list[dis.Instruction], start: int, end: int, held: dict[str, Any],
                 numbers: tuple[type, ...]) -> bool:
    """Whether the span is a number read, without running code, out of a local's list, tuple or dict by
    literal items or out of a ``SimpleNamespace`` by attributes (``d[0]``, ``c["n"]``, ``c.cap``), or
    arithmetic of such numbers and literals (``0.1 * d[0]``)."""
    last = instructions[end - 1]
    if last.opname == "BINARY_OP":
        right = _operand_start(instructions, end - 1)
        return right is not None and start < right and all(
            _item_number(instructions, a, b, held, numbers) for a, b in ((start, right), (right, end - 1)))
    if last.opname == "UNARY_NEGATIVE":
        return end - start > 1 and _item_number(instructions, start, end - 1, held, numbers)
    if last.opname == "LOAD_CONST":
        return end - start == 1 and type(last.argval) in numbers
    first = instructions[start]
    if first.opname not in ("LOAD_FAST", "LOAD_DEREF"):
        return False
    value = held.get(first.argval, _UNPROVEN)
    k = start + 1
    while k < end:
        i = instructions[k]
        if i.opname == "LOAD_ATTR" and type(value) is types.SimpleNamespace:
            value, k = vars(value).get(i.argval, _UNPROVEN), k + 1
        elif i.opname == "LOAD_CONST" and k + 1 < end and instructions[k + 1].opname == "BINARY_SUBSCR" \
                and type(value) in (list, tuple, dict) and type(i.argval) in (int, str):
            try:
                value = value[i.argval]
            except (IndexError, KeyError, TypeError):
                return False
            k += 2
        else:
            return False
    return type(value) in numbers


def _filled_with_count(f: types.FrameType, name: str, value: Any, numbers: tuple[type, ...]) -> bool:
    """Whether a frame from ``f`` up to the decorated body holds the container ``value`` (``f``'s
    ``name``) in a local and its code makes or fills it with a number from the batch
    (``_written_spans``), or ``value`` is the default of ``f``'s parameter ``name`` and the display
    of the defaults where the function was made computes one (``def norm(v, d=[len(t)])``)."""
    code = f.f_code
    if name in code.co_varnames[: code.co_argcount]:
        made = _made_defaults(f.f_back, code, positional=True)
        if made is not None and made[1] is not None and _counted_span(made[0], made[1], made[2], numbers, 0):
            return True
    g: types.FrameType | None = f.f_back
    for _ in range(_FOLLOWED_CALLS):
        if g is None or _package(g) == "losssplit":
            return False
        for held, v in _locals(g).items():
            if v is value and (any(_counted_span(g, start, end, numbers, 0) for start, end in _written_spans(g.f_code, held))
                               or _filled_by_callee(g, held)):
                return True
        g = g.f_back
    return False


def _filled_by_callee(g: types.FrameType, name: str) -> bool:
    """Whether ``g``'s code passes its local ``name`` to a Python function (``fill(acc, t)``) whose
    code writes into that parameter a number it computes from its own arguments (``a.append(max(len(tt),
    3))``: read as the batch's, as a helper's are)."""
    ins = _instructions(g.f_code)
    for at, call in enumerate(ins):
        if call.opname != "CALL":
            continue
        spans = _argument_spans(ins, at)
        passed = [p for p, (start, end) in enumerate(reversed(spans or ())) if end - start == 1
                  and ins[start].opname in ("LOAD_FAST", "LOAD_DEREF") and ins[start].argval == name]
        callee = _called_function(g, ins, at) if passed else None
        if callee is None:
            continue
        code, shift = callee[0].__code__, callee[1]
        reader = _batch_reader(code)
        if any(p + shift < code.co_argcount and any(reader.number(start, end, frozenset(), added_up=False)
                                                    for start, end in _written_spans(code, code.co_varnames[p + shift]))
               for p in passed):
            return True
    return False


@_per_code(256)
def _written_spans(code: types.CodeType, name: str) -> tuple[tuple[int, int], ...]:
    """The spans of what ``code`` writes into the container its local ``name`` holds: its stores'
    values (``acc = [..]``), a method's arguments (``acc.append(..)``, ``cfg.update(..)``), the value
    an item or attribute store writes (``cap[0] = ..``, ``cfg.cap = ..``; the whole statement of an
    augmented one, ``cap[0] += ..``)."""
    ins = _instructions(code)
    spans = []
    for j in _stores(ins, name, cells=True):
        first = _assignment_start(ins, j)
        if first is not None:
            spans.append((first, j))
    loads = [k for k, i in enumerate(ins) if i.opname in ("LOAD_FAST", "LOAD_DEREF") and i.argval == name]
    for k in loads:
        if k + 1 < len(ins) and ins[k + 1].opname == "LOAD_METHOD":
            call = _call_end(ins, k)
            if call is not None:
                spans.append((k + 2, call))
    for j, store in enumerate(ins):
        if store.opname == "STORE_ATTR" and j and ins[j - 1].opname in ("LOAD_FAST", "LOAD_DEREF") and ins[j - 1].argval == name:
            first = _operand_start(ins, j - 1)
            if first is not None:
                spans.append((first, j - 1))
            continue
        if store.opname != "STORE_SUBSCR":
            continue
        if ins[j - 1].opname == "SWAP":  # ``cap[0] += 0.1 * len(t)``: its layout (COPY, SWAP) is not read
            first = _assignment_start(ins, j)
            if first is not None and any(first <= k < j for k in loads):
                spans.append((first, j))
            continue
        index = _operand_start(ins, j)
        container = _operand_start(ins, index) if index is not None else None
        value = _operand_start(ins, container) if container is not None else None
        if value is not None and container is not None and index == container + 1 and ins[container].argval == name:
            spans.append((value, container))
    return tuple(spans)


def _counted_maker(f: types.FrameType, name: str) -> bool:
    """Whether ``f``'s free variable ``name`` is a cell of a function no longer running (the frame
    holding it is not found: ``make(k)`` returned ``lambda v: v / k``) that a frame up to the
    decorated body calls with a number from the batch or with the batch itself."""
    if _owner_frame(f, name) is not None:
        return False  # a running frame holds the cell: the readers of its code read where it is stored
    g: types.FrameType | None = f.f_back
    for _ in range(_FOLLOWED_CALLS):
        if g is None or _package(g) == "losssplit":
            return False
        ins = _instructions(g.f_code)
        for at, call in enumerate(ins):
            if call.opname != "CALL":
                continue
            callee = _called_function(g, ins, at)
            if callee is None or not _holds_constant(callee[0].__code__, f.f_code):
                continue
            reader = _batch_reader(g.f_code, None, frozenset(), frozenset(), frozenset(), frozenset(), _scopes(g))
            if any(_counted_span(g, start, end, (int, float), 0) or reader.collection(start, end, frozenset())
                   for start, end in _argument_spans(ins, at) or ()):
                return True
        g = g.f_back
    return False


@_per_code(1024)
def _stored_value_span(code: types.CodeType, lasti: int) -> tuple[tuple[int, int], ...]:
    """The span of the value the STORE_SUBSCR at ``lasti`` writes (pushed before the container and
    the index); () for another op or where it cannot be read."""
    instructions, at = _located(code, lasti)
    if at is None or instructions[at].opname != "STORE_SUBSCR" or instructions[at].is_jump_target:
        return ()
    index = _operand_start(instructions, at)
    container = _operand_start(instructions, index) if index is not None else None
    value = _operand_start(instructions, container) if container is not None else None
    return ((value, container),) if value is not None and container is not None else ()


@_per_code(1024)
def _count_candidates(code: types.CodeType, lasti: int, helper: bool, constants: frozenset[str] = frozenset(),
                      scopes: tuple[types.CodeType, ...] = ()
                      ) -> tuple[tuple[int, int, tuple[str, ...] | None], ...]:
    """The operands of the op at ``lasti`` that ``counted_number`` may find computed from the
    batch, each (start, end, params), in ``_operands``' order: ``params`` None where its code alone
    computes such a number (``_counted_operands``; in a helper's code also ``_BatchReader.number``
    without running counts), else the helper's parameters it loads, in order: computed so where
    the helper's caller passed such a number for one (``_counted_parameter``). ``constants``, ``scopes``:
    as ``_BatchReader``'s. What depends on the code alone, read once per code position (the seed's
    helpers met it on every call)."""
    spans = _counted_operands(code, lasti, constants, scopes)
    if not spans and not helper:
        return ()
    found: list[tuple[int, int, tuple[str, ...] | None]] = []
    for start, end in _operands(code, lasti):
        if (start, end) in spans:
            found.append((start, end, None))
        elif helper:
            if _batch_reader(code, None, frozenset(), frozenset(), frozenset(), constants, scopes).number(
                    start, end, frozenset(), added_up=False):
                found.append((start, end, None))
                continue
            loads = _loaded_parameters(code, start, end)
            if loads:
                found.append((start, end, loads))
    return tuple(found)


def counted_subscript(parts: Collection[int], callees: Collection[str] = ("getitem", "__getitem__"),
                      positions: Collection[int] = (), loop_positions: bool = False) -> bool:
    """Whether the index of the subscript the caller's code is executing computes a number from
    how many images, or items of several images, the call got (``x[:, :len(targets) - 1]``, a
    helper's ``x[:, :n]`` of ``n = len(targets)`` passed to it; ``_counted_span``): on a group
    alone, from the group's. Where the index is a tuple built there, only its ``parts`` (their
    positions) are read (``x[:len(t), 1:]`` cuts no later dim by the count). A position of a loop
    the reader takes for one over the batch is none here (``for c in range(x.shape[-1]): x[..., c]``
    of the columns). ``callees``: the names of the calls whose last argument is such an index
    (``index_select``: ``x.index_select(1, torch.arange(len(targets) - 1))``). ``positions``: the
    parts that are tensors of positions, read only as laid out by the count (``_counted_positions``:
    a matcher's gathered positions are each image's values, no count). ``loop_positions``: a
    position of a loop over the batch counts too (``buf[j] = 1.0`` for ``j`` over ``range(len(t))``:
    on a group alone fewer positions are written). Python 3.11."""
    found = _executed(_COUNT_CHECKED)
    if found is None:
        return False
    f, ins, at = found
    if not parts and not _loads_position_maker(f.f_code):
        return False
    index: tuple[int, int] | None = None
    if at is not None and ins[at].opname == "STORE_SUBSCR" and [(i.opname, i.arg) for i in ins[at - 2 : at]] == [
            ("SWAP", 3), ("SWAP", 2)]:  # ``buf[:, len(t) - 2] *= 2.0``: the index, pushed once, copied for the read
        read = next((j for j in range(at - 3, 2, -1) if ins[j].opname == "BINARY_SUBSCR"
                     and [(i.opname, i.arg) for i in ins[j - 2 : j]] == [("COPY", 2), ("COPY", 2)]), None)
        first = _operand_start(ins, read - 2) if read is not None else None
        index = (first, read - 2) if first is not None and read is not None else None
    elif at is not None and ins[at].opname in ("BINARY_SUBSCR", "STORE_SUBSCR"):  # (``buf[:, len(t) - 2] = v`` too)
        first = _operand_start(ins, at)
        index = (first, at) if first is not None else None
    elif at is not None and ins[at].opname in ("CALL", "PRECALL"):  # ``operator.getitem(x, idx)``, ``x.__getitem__(idx)``
        # (a PRECALL specialised for a builtin runs the call itself), its last argument
        at += ins[at].opname == "PRECALL"
        arguments = _argument_spans(ins, at) if at < len(ins) and ins[at].opname == "CALL" else None
        called = ins[arguments[-1][0] - 1].argval if arguments else None  # the callee's load, before the first argument
        index = arguments[0] if arguments and called in callees else None
    if index is None:
        return False
    first, end = index
    spans, laid = ([index], []) if parts else ([], [index])
    built = ins[end - 1]
    if built.opname == "BUILD_TUPLE" and built.arg and end - 1 > first:
        pieces = _split_operands(ins[first : end - 1], built.arg)  # each part's code, in order
        if pieces is not None:
            starts = [first + sum(len(p) for p in pieces[:d]) for d in range(len(pieces))]
            spans = [(starts[d], starts[d] + len(pieces[d])) for d in parts if 0 <= d < len(pieces)]
            laid = [(starts[d], starts[d] + len(pieces[d])) for d in positions if 0 <= d < len(pieces)
                    and _loads_position_maker(f.f_code)]
    # (a running count too: ``n += 1`` per image, or the images' items added up, cuts otherwise on a group alone)
    return any(_counted_span(f, start, end, (int, float), 0, positions=loop_positions, added_up=True)
               or _spelt_count(f, ins, start, end) for start, end in spans) \
        or any(_counted_positions(f, ins, start, end, 0) for start, end in laid)


def counted_write(view: bool) -> bool:
    """Whether the in-place method call the caller's code is executing computes an argument from
    how many images the call got (``w.index_fill_(0, torch.tensor([len(t) - 1]), 3.0)``, a mask
    ``torch.arange(C) < len(t)``) or, ``view``, the view it writes through (``w.narrow(0, 0,
    len(t)).fill_(3.0)``, ``w[len(t) - 1:].mul_(3.0)``, a local stored from one): on a group alone,
    the group's positions. Python 3.11."""
    found = _executed(_COUNT_CHECKED)
    f, ins, at = found if found is not None else (None, [], None)
    if f is None or at is None:
        return False
    at += ins[at].opname == "PRECALL"
    arguments = _argument_spans(ins, at) if at < len(ins) and ins[at].opname == "CALL" else None
    if arguments is None:
        return False
    spans = list(arguments)
    k = (arguments[-1][0] if arguments else _arguments_end(ins, at)) - 1  # the method's load, after its object
    if view and k > 0 and ins[k].opname == "LOAD_METHOD":
        spans += _view_index_spans(ins, _operand_start(ins, k), k, 0)
    return any(_counted_span(f, start, end, (int, float), 0, positions=False, added_up=True)
               or _spelt_count(f, ins, start, end) or _counted_positions(f, ins, start, end, 0) for start, end in spans)


def counted_store() -> bool:
    """Whether the subscript store the caller's code is executing writes a value it computes from
    how many images the call got (``w[m] = float(len(t))``, ``w[:, 0] = torch.tensor(len(t) / 2)``):
    on a group alone, the group's number. Python 3.11."""
    found = _executed(_COUNT_CHECKED)
    f, ins, at = found if found is not None else (None, [], None)
    if f is None or at is None or ins[at].opname != "STORE_SUBSCR":
        return False
    index = _operand_start(ins, at)  # ``value; target; index; STORE_SUBSCR``
    target = _operand_start(ins, index) if index is not None else None
    value = _operand_start(ins, target) if target is not None else None
    if value is None or target is None:
        return False
    value, end = _tuple_element(ins, target) or (value, target)
    return _counted_span(f, value, end, (int, float), 0, positions=False, added_up=True) \
        or _spelt_count(f, ins, value, end)


_NAME_STORES = frozenset({"STORE_SUBSCR", "STORE_FAST", "STORE_ATTR", "STORE_NAME", "STORE_GLOBAL", "STORE_DEREF"})


def _tuple_element(ins: list[dis.Instruction], target: int) -> tuple[int, int] | None:
    """The span of the element the store whose target starts at ``target`` takes in a tuple assignment
    (``b[i, :n], m[i, :n] = t["boxes"], 1.0``: 3.11 rotates two or three values with ``SWAP``, unpacks more
    from ``BUILD_TUPLE``), not the stores before it; None where it is no such store."""
    stores, k = 0, target - 1
    while k > 0 and ins[k].opname not in ("SWAP", "UNPACK_SEQUENCE"):
        if ins[k].is_jump_target or ins[k].opname.startswith(_LEAVES):
            return None
        stores += ins[k].opname in _NAME_STORES
        k -= 1
    n, end = ins[k].arg, k
    if ins[k].opname == "SWAP" and (n not in (2, 3) or ins[k - 1].opname in ("SWAP", "BINARY_OP")):
        return None  # (``x[i] += v`` rotates its operands too)
    if ins[k].opname == "UNPACK_SEQUENCE":
        if ins[k - 1].opname != "BUILD_TUPLE" or ins[k - 1].arg != n:
            return None
        end = k - 1
    if n is None or stores >= n or ins[k].opname not in ("SWAP", "UNPACK_SEQUENCE"):
        return None
    spans = []
    for _ in range(n):
        start = _operand_start(ins, end)
        if start is None:
            return None
        spans.append((start, end))
        end = start
    return spans[n - 1 - stores]


def _view_index_spans(ins: list[dis.Instruction], start: int | None, end: int, depth: int) -> list[tuple[int, int]]:
    """The spans of the index of the subscript, or the arguments of the call, that ends the span
    ``start:end`` making a view (``w[len(t) - 1:]``, ``w.narrow(0, 0, len(t))``), or of the one a local
    (no parameter) it loads was stored from."""
    if start is None or end <= start:
        return []
    last = ins[end - 1]
    if last.opname == "BINARY_SUBSCR":
        index = _operand_start(ins, end - 1)
        return [(index, end - 1)] if index is not None else []
    if last.opname == "CALL":
        return _argument_spans(ins, end - 1) or []
    if end - start == 1 and last.opname == "LOAD_FAST" and depth < 2:
        return [span for j in _stores(ins, last.argval) if not _loop_target(ins, j)
                for span in _view_index_spans(ins, _assignment_start(ins, j), j, depth + 1)]
    return []


# torch's makers of a tensor of positions from numbers (``torch.arange(len(targets) - 1)``)
_POSITION_MAKERS = frozenset({"arange", "tensor", "as_tensor", "LongTensor", "IntTensor", "linspace"})


@_per_code(1024)
def _loads_position_maker(code: types.CodeType) -> bool:
    """Whether ``code`` names one of ``_POSITION_MAKERS`` (the seed's gathers by a matcher's
    positions are read no further: every call met them)."""
    return not _POSITION_MAKERS.isdisjoint(code.co_names)


def _counted_positions(f: types.FrameType, ins: list[dis.Instruction], start: int, end: int, depth: int) -> bool:
    """Whether the span ``start:end`` of ``f``'s code makes a tensor of positions by how many images
    the call got: a call of one of ``_POSITION_MAKERS`` given such a number (``_counted_span``
    without the images' items added up, ``_spelt_count``), or a local (not a parameter) stored
    from one. Positions from anything else (a matcher's, ``argmax``, ``nonzero``, a ``cat`` of each
    image's) are values of the images, which the capture splits itself."""
    if end - start == 1 and ins[start].opname == "LOAD_FAST" and depth < 2:
        name = ins[start].argval
        if name in f.f_code.co_varnames[: f.f_code.co_argcount + f.f_code.co_kwonlyargcount]:
            return False
        for j in _stores(ins, name):
            first = _assignment_start(ins, j)
            if first is not None and first < j and _counted_positions(f, ins, first, j, depth + 1):
                return True
        return False
    at = end - 1
    if at <= start or ins[at].opname != "CALL":
        return False
    arguments = _argument_spans(ins, at)
    if not arguments or arguments[-1][0] - 1 < start or ins[arguments[-1][0] - 1].argval not in _POSITION_MAKERS:
        return False
    return any(_counted_span(f, a, b, (int, float), 0, positions=False) or _spelt_count(f, ins, a, b)
               for a, b in arguments)


def _spelt_count(f: types.FrameType, ins: list[dis.Instruction], start: int, end: int,
                 skipped: frozenset[tuple[Any, int]] = frozenset()) -> bool:
    """Whether the index span ``start:end`` of ``f``'s code reads how many images the call got in
    a spelling ``_BatchReader.number`` leaves (it reads plain numbers only): ``targets.__len__()``,
    ``w.numel()`` of a local stored from a number of the batch (a comprehension over the images), a global helper given the batch
    that returns a number of its parameters (``_count(targets)`` of ``return len(t)``), a local
    holding such a number as a tensor (``n = torch.tensor(len(targets))``, ``torch.arange(n)``).
    ``skipped``: as ``_BatchReader``'s."""
    reader = _batch_reader(f.f_code, None, frozenset(), frozenset(), frozenset(), frozenset(), (), frozenset(),
                           frozenset(), skipped) if skipped else _batch_reader(f.f_code)
    params = set(f.f_code.co_varnames[: f.f_code.co_argcount + f.f_code.co_kwonlyargcount])
    for k in range(start, end):
        i = ins[k]
        if i.opname == "LOAD_METHOD" and i.argval in ("__len__", "numel") and k > start \
                and ins[k - 1].opname in ("LOAD_FAST", "LOAD_DEREF") and ins[k - 1].argval in params \
                and reader.collection(k - 1, k, frozenset()):
            return True
        if i.opname == "LOAD_FAST" and i.argval not in params and i.argval not in _OWNERS:
            # (a tensor's store too: what it holds is the batch's number; one of a comprehension only by
            # its numel: ``x[:, labels]`` of ``labels = torch.cat([s["labels"] for s in t])`` picks classes)
            counted = k + 1 < end and ins[k + 1].opname == "LOAD_METHOD" and ins[k + 1].argval == "numel"
            for j in _stores(ins, i.argval):
                if _loop_target(ins, j):
                    continue  # a loop's position: the positional checks read those (a column loop is no count)
                first = _assignment_start(ins, j)
                if first is not None and first < j and reader.number(first, j, frozenset(), added_up=False, positions=False) \
                        and (counted or not _makes_code(ins, first, j)):
                    return True
        if i.opname == "LOAD_GLOBAL" and (i.arg or 0) & 1 and i.argval != "len":
            close = _call_end(ins[k:end], 0)
            called = _plain_function(f.f_globals.get(i.argval), 0)
            if close is None or called is None or not reader.collection(k + 1, k + close, frozenset()):
                continue
            inner = _batch_reader(called[0].__code__)
            body = inner.instructions
            if any(r.opname == "RETURN_VALUE" and (first := _operand_start(body, j)) is not None
                   and inner.number(first, j, frozenset(), added_up=False) and not _makes_code(body, first, j)
                   for j, r in enumerate(body)):
                return True
    return False


def loop_position_operand(value: Any) -> bool:
    """Whether ``value`` is what an operand of the op the caller's code is executing loads from a
    lone local that only ``for`` loops store (``torch.full((n,), i)`` of ``for i, t in
    enumerate(targets)``): an image's position or a loop's item, no number computed from a count."""
    f = _caller()
    if f is None:
        return False
    ins, held = _instructions(f.f_code), _locals(f)
    for start, end in _operands(f.f_code, _lasti(f)):
        i = ins[start]
        if end - start == 1 and i.opname == "LOAD_FAST" and held.get(i.argval) is value:
            stores = _stores(ins, i.argval)
            if stores and all(_loop_target(ins, j) for j in stores):
                return True
    return False


def loop_power_operand(c: Any) -> bool:
    """Whether the int ``c`` is a whole operand of the binary operator the caller's code is
    executing written there as a literal int raised to a loop's counter (``2 ** lvl`` of ``for lvl,
    (a, b) in enumerate(..)`` or of ``for lvl in range(3)``, ``range`` of literals): the weight of
    that iteration, as ``2.0 ** lvl`` is, whatever count of the batch it equals by value. A counter
    of a loop over the images (``enumerate(targets)``) is a position there, which the position
    rules read (``positional_number``) as they do the float's. Python 3.11 only."""
    if type(c) is not int or _VERSION not in _FLOOR_CHECKED:
        return False
    f = _caller()
    if f is None:
        return False
    instructions, held = _instructions(f.f_code), _locals(f)
    for start, end in _operands(f.f_code, _lasti(f)):
        span = instructions[start:end]
        if len(span) != 3 or span[0].opname != "LOAD_CONST" or type(span[0].argval) is not int \
                or span[1].opname != "LOAD_FAST" or span[2].opname != "BINARY_OP" or span[2].arg != _POWER:
            continue
        base, name = span[0].argval, span[1].argval
        exponent = held.get(name)
        if type(exponent) is int and 0 <= exponent < 64 and base ** exponent == c \
                and _loop_counter(f, instructions, name):
            return True
    return False


_POWER = 8  # BINARY_OP's ``**``


def _loop_counter(f: types.FrameType, ins: list[dis.Instruction], name: str) -> bool:
    """Whether every store of the local ``name`` (no parameter, no cell) is a ``for`` loop's counter:
    the first target of ``for name, .. in enumerate(..)`` or the target of ``for name in range(..)``
    of literal ints (the builtins, not shadowed)."""
    code = f.f_code
    if name in code.co_varnames[:code.co_argcount + code.co_kwonlyargcount] or name in code.co_cellvars \
            or name in code.co_freevars:
        return False
    stores = _stores(ins, name)
    if not stores:
        return False
    for j in stores:
        counted = j >= 2 and ins[j - 1].opname == "UNPACK_SEQUENCE" and ins[j - 1].arg == 2 \
            and ins[j - 2].opname == "FOR_ITER"
        loop = j - 2 if counted else j - 1
        if ins[j].opname != "STORE_FAST" or loop < 1 or ins[loop].opname != "FOR_ITER" \
                or ins[loop - 1].opname != "GET_ITER":
            return False
        start = _operand_start(ins, loop - 1, target_first=True)
        span = ins[start:loop - 1] if start is not None else []
        if len(span) < 4 or span[0].opname != "LOAD_GLOBAL" or not (span[0].arg or 0) & 1 \
                or span[-2].opname != "PRECALL" or span[-1].opname != "CALL":
            return False
        called = span[0].argval
        if called != ("enumerate" if counted else "range") or called in f.f_globals \
                or f.f_builtins.get(called) is not _FIXED_CALLS[called]:
            return False
        if not counted and not all(i.opname == "LOAD_CONST" and type(i.argval) is int for i in span[1:-2]):
            return False
    return True


def _loop_target(ins: list[dis.Instruction], j: int) -> bool:
    """Whether the store at ``j`` takes (a part of) a ``for`` loop's item."""
    k = j - 1
    while k >= 0 and ins[k].opname in ("UNPACK_SEQUENCE", "STORE_FAST", "STORE_DEREF"):
        k -= 1
    return k >= 0 and ins[k].opname == "FOR_ITER"


def _makes_code(ins: list[dis.Instruction], start: int, end: int) -> bool:
    """Whether the span makes a comprehension or a function (a tensor of each image's values, no count)."""
    return any(x.opname == "LOAD_CONST" and isinstance(x.argval, types.CodeType) for x in ins[start:end])


def numeric_call_operand() -> bool:
    """Whether a plain-number operand of the op the caller's code is executing (``_plain_number``)
    calls a function of ``math`` or numpy (``math.sqrt(n)``, ``np.log(n)``, ``sqrt(n)`` imported
    by name), itself or in the statements storing a number local it reads (``s =
    math.sqrt(len(t))``, then ``* s``): a number the capture sees only as a float. False where
    nothing can be told."""
    if _VERSION not in _COUNT_CHECKED:
        return False
    f = _caller()
    if f is None:
        return False
    instructions, held = _instructions(f.f_code), _locals(f)
    spans = [(f, *s) for s in _operands(f.f_code, _lasti(f)) if _plain_number(instructions, *s, held, globals_=f.f_globals)]
    seen: set[tuple[int, str]] = set()
    while spans:
        g, start, end = spans.pop()
        instructions, held = _instructions(g.f_code), _locals(g)
        for k in range(start, end):
            i = instructions[k]
            if i.opname == "LOAD_GLOBAL" and (
                    _numeric_function(g.f_globals.get(i.argval))
                    or getattr(g.f_globals.get(i.argval), "__name__", None) in _NUMERIC_MODULES):
                return True
            # a number local, or a free variable's in the enclosing code: how the code computed it
            # (a tensor's locals hold data)
            owner = _owner_frame(g, i.argval) if i.opname in ("LOAD_FAST", "LOAD_DEREF") else None
            value = held.get(i.argval) if owner is not None and (id(owner), i.argval) not in seen else None
            vector = _numpy_vector(value)
            if owner is not None and (isinstance(value, (int, float)) or _numpy_number(value) or vector):
                seen.add((id(owner), i.argval))
                stored = _instructions(owner.f_code)
                for j in _stores(stored, i.argval, cells=True):
                    first = _assignment_start(stored, j)
                    if first is not None and first < j and not (vector and _numpy_copy(stored, first, owner.f_globals)):
                        spans.append((owner, first, j))
    return False


def _numpy_copy(instructions: list[dis.Instruction], first: int, globals_: dict[str, Any]) -> bool:
    """Whether the statement at ``first`` stores ``np.asarray(..)`` / ``np.array(..)``: an array of the
    values given (``np.asarray([num_boxes])``, as a list of them: read by value, no math function's)."""
    return first + 1 < len(instructions) and instructions[first].opname == "LOAD_GLOBAL" \
        and getattr(globals_.get(instructions[first].argval), "__name__", None) == "numpy" \
        and instructions[first + 1].opname in ("LOAD_METHOD", "LOAD_ATTR") and instructions[first + 1].argval in ("array", "asarray")


def running_items() -> bool:
    """Whether every running count an operand of the op the caller's code is executing reads adds
    up, in each iteration, a number of that iteration's own items (``_BatchReader.items_only``)."""
    if _VERSION not in _COUNT_CHECKED:
        return False
    f = _caller()
    if f is None:
        return False
    spans = _counted_operands(f.f_code, _lasti(f))
    reader = _batch_reader(f.f_code)
    return bool(spans) and all(reader.items_only(start, end) for start, end in spans)


def running_position() -> bool:
    """Whether an operand of the op the caller's code is executing reads a local added up in a
    loop from a loop position (``n = n + i`` over ``enumerate(targets)``; ``_BatchReader.adds_position``)."""
    if _VERSION not in _COUNT_CHECKED:
        return False
    f = _caller()
    if f is None:
        return False
    scopes = _scopes(f)
    instructions = _instructions(f.f_code)
    reader = _batch_reader(f.f_code, None, frozenset(), frozenset(), frozenset(), frozenset(), scopes)
    for start, end in _counted_operands(f.f_code, _lasti(f), frozenset(), scopes):
        for i in instructions[start:end]:
            owner = reader.free(i.argval) if i.opname in _FREE_LOADS else reader if i.opname in reader.locals else None
            if owner is not None and owner.adds_position(i.argval):
                return True
    return False


def unpacked_size_divisor(sites: Mapping[tuple[Any, int], tuple[Any, tuple[int, ...]]]) -> bool:
    """Whether the divisor of the ``/`` the decorated body's own code is executing is Python
    arithmetic (``+ - *``) of int literals and locals each stored once by unpacking the size of
    an argument's tensor as passed (``b, _, h, w = a.size()`` or ``.shape``, ``a`` a parameter never
    rebound, a field of one by string literals, or a local stored once as such) at a dim that held
    no image rows at that read (``sites``: ``Frame.size_sites``, where a read's size held some):
    on a group alone the argument keeps those dims, so the divisor is the same, whatever count of
    the batch it equals (``(h - 1) * w``). False for anything else (a tensor the body made, such
    as one padded to the batch's longest; a helper's code). Python 3.11."""
    names = _size_arithmetic_divisor(sites, sited=False)
    f = _caller()
    return names is not None and f is not None and all(_unpacked_size(names[0], name, sites, f.f_globals)
                                                       for name in names[1:])


def _size_arithmetic_divisor(sites: Mapping[tuple[Any, int], tuple[Any, tuple[int, ...]]], sited: bool = True
                             ) -> tuple[Any, ...] | None:
    """(code, its locals) where the divisor of the ``/`` the decorated body's own code is executing
    is Python arithmetic (``+ - *``) of int literals and locals (one at least), else None (also
    where no size held image rows, ``sites`` empty, with ``sited``)."""
    f = _caller()
    if f is None or sited and not sites or _package(f.f_back) != "losssplit" or _VERSION not in _COUNT_CHECKED:
        return None
    instructions, at = _located(f.f_code, _lasti(f))
    if at is None or instructions[at].opname != "BINARY_OP" or instructions[at].argrepr not in ("/", "/="):
        return None
    right = _operand_start(instructions, at)
    span = instructions[right:at] if right is not None else []
    names: list[str] = []
    for i in span:
        if i.opname == "LOAD_FAST":
            names.append(i.argval)
        elif not (i.opname == "LOAD_CONST" and type(i.argval) is int
                  or i.opname == "BINARY_OP" and i.argrepr in ("+", "-", "*")):
            return None
    return (f.f_code, *names) if names else None


def unpacked_divisor_sizes(sites: Mapping[tuple[Any, int], tuple[Any, tuple[int, ...]]]
                           ) -> list[tuple[tuple[Any, int], tuple[int, ...]]]:
    """((code, the size read's offset), the dims read) of each size unpacked (``_unpacked_size_read``, not
    a literal of ``.view``) that the divisor of the ``/`` the decorated body's own code is executing is
    Python arithmetic of (``_size_arithmetic_divisor``); empty for any other divisor."""
    found = _size_arithmetic_divisor(sites)
    reads = [_unpacked_size_read(found[0], name) for name in found[1:]] if found else []
    return [((found[0], read[0]), read[2]) for read in reads if read is not None and not read[3]] if found else []


def made_size_divisor(sites: Mapping[tuple[Any, int], tuple[Any, tuple[int, ...]]]) -> bool:
    """Whether the divisor of the ``/`` the decorated body's own code is executing is Python
    arithmetic (``_size_arithmetic_divisor``) of sizes unpacked (``_unpacked_size_read``) only at
    dims that held no image rows, of reads where another dim held some (``_, r, w = (x - y).shape``,
    then ``/ (r * w)``), not all of an argument as passed nor given as literals
    (``unpacked_size_divisor``): the body's tensor may have other sizes there on a group alone
    (made with a count, cut by the batch's data), and no count of the images is among them."""
    found = _size_arithmetic_divisor(sites)
    if not found:
        return False
    for name in found[1:]:
        read = _unpacked_size_read(found[0], name)
        held = sites.get((found[0], read[0])) if read is not None else None
        if read is None or held is None or not held[1] or any(d in held[1] for d in read[2]):
            return False
    return True


def count_times_constants(sites: Mapping[tuple[Any, int], tuple[Any, tuple[int, ...]]],
                          is_count: Callable[[Any], bool], z: float) -> Any:
    """The count where the divisor ``z`` of the ``/`` the caller's code is executing is a product
    of one count (a number ``is_count`` says is a size of image rows) and numbers that are the same
    on a group alone -- number literals, ``math`` functions and constants of literals, negations,
    and locals unpacked once from the size of an argument's tensor as passed at a dim that held no
    image rows (``_unpacked_size``) -- written there, or in locals stored once as such a product in
    straight-line code (also free variables of a generator's, a comprehension's or a lambda's code,
    stored by the code holding them): CompressAI's ``num_pixels = N * H * W`` of ``N, _, H, W =
    x.size()``, then ``sum(log(l).sum() / (-math.log(2) * num_pixels) for l in ...)``. On a group
    alone the body divides by the group's count times the same numbers. The product is computed
    again from what the code shows and must give ``z`` (and each local its value). None otherwise
    (a sum, a difference, a power, a count twice, a size of a tensor the body made, a branch).
    Python 3.11."""
    f = _caller()
    if f is None or _VERSION not in _COUNT_CHECKED:
        return None
    instructions, at = _located(f.f_code, _lasti(f))
    if at is None or instructions[at].opname != "BINARY_OP" or instructions[at].argrepr not in ("/", "/="):
        return None
    right = _operand_start(instructions, at)
    counts: list[Any] = []
    value = None if right is None else _product_of(f, instructions, right, at, sites, is_count, counts, _FOLLOWED_CALLS)
    return counts[0] if value is not None and len(counts) == 1 and _same_number(value, z) else None


_MATH_CONSTANT_CALLS = frozenset({"log", "log2", "log10", "sqrt", "exp"})


def _same_number(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)


def _product_of(f: types.FrameType, ins: list[dis.Instruction], start: int, end: int,
                sites: Mapping[tuple[Any, int], tuple[Any, tuple[int, ...]]], is_count: Callable[[Any], bool],
                counts: list[Any], depth: int) -> float | None:
    """The value of ``f``'s code ``start:end`` computed again where it is a product as
    ``count_times_constants`` says (its counts appended to ``counts``), else None."""
    stack: list[float] = []
    k = start
    while k < end:
        i = ins[k]
        if i.is_jump_target and k > start:
            return None
        if i.opname == "LOAD_CONST" and type(i.argval) in (int, float):
            stack.append(i.argval)
        elif i.opname == "UNARY_NEGATIVE" and stack:
            stack.append(-stack.pop())
        elif i.opname == "BINARY_OP" and i.argrepr == "*" and len(stack) >= 2:
            b = stack.pop()
            stack.append(stack.pop() * b)
        elif i.opname == "LOAD_GLOBAL" and f.f_globals.get(i.argval) is math and k + 1 < end:
            attr = ins[k + 1]
            if attr.opname == "LOAD_ATTR" and attr.argval in ("pi", "e") and (k + 2 == end or ins[k + 2].opname != "PRECALL"):
                stack.append(getattr(math, attr.argval))
                k += 2
                continue
            n = 0
            while k + 2 + n < end and ins[k + 2 + n].opname == "LOAD_CONST" and type(ins[k + 2 + n].argval) in (int, float):
                n += 1
            call = ins[k + 2 + n: k + 4 + n]
            if not (attr.opname in ("LOAD_METHOD", "LOAD_ATTR") and attr.argval in _MATH_CONSTANT_CALLS and n
                    and [c.opname for c in call] == ["PRECALL", "CALL"] and call[1].arg == n):
                return None
            try:
                stack.append(getattr(math, attr.argval)(*(c.argval for c in ins[k + 2: k + 2 + n])))
            except (ValueError, OverflowError):
                return None
            k += 4 + n
            continue
        elif i.opname in ("LOAD_FAST", "LOAD_DEREF") and not _index(ins, k):
            value = _locals(f).get(i.argval)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not _plain_factor(
                    f, ins, k, sites, is_count, counts, depth):
                return None
            stack.append(value)
        else:
            return None
        k += 1
    return float(stack[0]) if len(stack) == 1 else None


def _plain_factor(f: types.FrameType, ins: list[dis.Instruction], k: int,
                  sites: Mapping[tuple[Any, int], tuple[Any, tuple[int, ...]]], is_count: Callable[[Any], bool],
                  counts: list[Any], depth: int) -> bool:
    """Whether the number the load at ``k`` of ``f``'s code pushes is a count (appended to
    ``counts``), a size unpacked from an argument at a dim without images, or a local stored once,
    in straight-line code, as a product (``_product_of``) giving its value."""
    i = ins[k]
    value = _locals(f).get(i.argval)
    if is_count(value):
        counts.append(value)
        return True
    if i.opname == "LOAD_FAST" and _unpacked_size(f.f_code, i.argval, sites, f.f_globals):
        return True
    g = f if i.opname == "LOAD_FAST" or i.argval in f.f_code.co_cellvars else _owner_frame(f, i.argval)
    if g is None or _locals(g).get(i.argval) is not value or depth <= 0 or i.argval in _parameters(g.f_code):
        return False
    outer = _instructions(g.f_code)
    stores = _stores(outer, i.argval, cells=True)
    stored = _stored_value(outer, stores[0]) if len(stores) == 1 and not outer[stores[0]].is_jump_target else None
    if stored is None:
        return False
    made = _product_of(g, outer, *stored, sites, is_count, counts, depth - 1)
    return made is not None and isinstance(value, (int, float)) and _same_number(made, value)


def _unpacked_size(code: types.CodeType, name: str, sites: Mapping[tuple[Any, int], tuple[Any, tuple[int, ...]]],
                   names: dict[str, Any]) -> bool:
    """Whether the local ``name`` is stored once as a target of ``... = a.size()`` / ``a.shape``
    (or a slice of it by int literals: ``r, w = a.shape[-2:]``) unpacked, ``a`` an argument as passed
    (``unpacked_size_divisor``), at a dim that held no image rows at that read; or as the size
    ``.view`` / ``.reshape`` was given as an int literal (``b, r, w = a.view(-1, 3, 2).shape``: 3
    and 2 on any group, red team 36b); or of a tensor made of literals alone (``_made_of_literals``,
    ``names``: the code's globals)."""
    read = _unpacked_size_read(code, name)
    if read is None:
        return False
    site, load, dims, literal = read
    if literal or _made_of_literals(code, load, names):
        return True
    held = sites.get((code, site))
    if held is None or not held[1] or any(d in held[1] for d in dims):
        return False
    return _argument_as_passed(code, _instructions(code), load)


def _made_of_literals(code: types.CodeType, end: int, names: dict[str, Any]) -> bool:
    """Whether the code right before ``end`` makes a tensor of literals, modules and builtins alone
    (``torch.zeros(5, 3).shape``, ``_closed``), or loads a local stored once by such a statement
    (``z = torch.zeros(5, 3)``): its sizes are the same on any group."""
    ins = _instructions(code)
    made = _operand_start(ins, end) if end > 0 else None
    if made is not None and made < end - 1 and _closed(ins[made:end], names):
        return True
    if end < 1 or ins[end - 1].opname != "LOAD_FAST" or ins[end - 1].argval in _parameters(code) \
            or ins[end - 1].argval in code.co_cellvars:
        return False
    stores = _stores(ins, ins[end - 1].argval)
    start = _assignment_start(ins, stores[0]) if len(stores) == 1 and ins[stores[0]].opname == "STORE_FAST" else None
    return start is not None and stores[0] < end and _closed(ins[start:stores[0]], names)


def _unpacked_size_read(code: types.CodeType, name: str) -> tuple[int, int, tuple[int, ...], bool] | None:
    """(the size read's offset, the index where the tensor's load ends, the dim of ``name`` -- as
    counted from the start and from the end where both are known --, whether ``.view`` / ``.reshape``
    was given that size as a positive int literal) where the local ``name`` is stored once as a
    target of ``... = x.size()`` / ``x.shape`` unpacked, or of ``x.shape[a:b]`` by int literals, or
    as a target but the starred one of ``*_, r, w = x.shape``."""
    if name in _parameters(code) or name in code.co_cellvars:
        return None
    ins = _instructions(code)
    stores = _stores(ins, name)
    if len(stores) != 1 or ins[stores[0]].opname != "STORE_FAST":
        return None
    j = stores[0]
    u = next((k for k in range(j - 1, -1, -1) if ins[k].opname != "STORE_FAST"), None)
    if u is not None and ins[u].opname == "UNPACK_EX":  # ``*_, r, w = x.shape``: a dim from the start or the end
        before, after = (ins[u].arg or 0) & 0xFF, (ins[u].arg or 0) >> 8
        place, size = j - u - 1, before + 1 + after
        if place == before or place >= size or u < 1 or ins[u - 1].opname != "LOAD_ATTR" or ins[u - 1].argval != "shape":
            return None  # (the starred list; ``x.size()`` unpacked so is left to the other readers)
        return ins[u - 1].offset, u - 1, (place if place < before else place - size,), False
    if u is None or ins[u].opname != "UNPACK_SEQUENCE" or j - u > (ins[u].arg or 0):
        return None
    place, size = j - u - 1, ins[u].arg or 0
    if u >= 5 and [i.opname for i in ins[u - 5:u]] == ["LOAD_ATTR", "LOAD_CONST", "LOAD_CONST", "BUILD_SLICE",
                                                     "BINARY_SUBSCR"] \
            and ins[u - 5].argval == "shape" and ins[u - 2].arg == 2 and not any(i.is_jump_target for i in ins[u - 4:u]):
        first = ins[u - 4].argval  # ``x.shape[-2:]``: the targets are the dims from ``first`` on
        if not (first is None or type(first) is int) or type(ins[u - 3].argval) not in (int, type(None)):
            return None
        return ins[u - 5].offset, u - 5, ((first or 0) + place,), False
    if u >= 1 and ins[u - 1].opname == "LOAD_ATTR" and ins[u - 1].argval == "shape":
        return ins[u - 1].offset, u - 1, (place, place - size), _literal_view_size(ins, u - 1, place, size)
    if u >= 3 and [i.opname for i in ins[u - 3:u]] == ["LOAD_METHOD", "PRECALL", "CALL"] \
            and ins[u - 3].argval == "size" and ins[u - 1].arg == 0:
        return ins[u - 1].offset, u - 3, (place, place - size), _literal_view_size(ins, u - 3, place, size)
    if u >= 7 and [i.opname for i in ins[u - 7:u]] == ["LOAD_METHOD", "PRECALL", "CALL", "LOAD_CONST", "LOAD_CONST",
                                                     "BUILD_SLICE", "BINARY_SUBSCR"] \
            and ins[u - 7].argval == "size" and ins[u - 5].arg == 0 and ins[u - 2].arg == 2 \
            and not any(i.is_jump_target for i in ins[u - 4:u]):
        first = ins[u - 4].argval  # ``x.size()[-2:]``
        if not (first is None or type(first) is int) or type(ins[u - 3].argval) not in (int, type(None)):
            return None
        return ins[u - 5].offset, u - 7, ((first or 0) + place,), False
    return None


def _literal_view_size(ins: list[dis.Instruction], read: int, place: int, size: int) -> bool:
    """Whether the size read at index ``read`` is of ``x.view(..)`` / ``x.reshape(..)`` called right
    before with ``size`` int literals (straight-line), the one at ``place`` positive."""
    call = read - 1
    if call < size + 2 or ins[call].opname != "CALL" or ins[call].arg != size or ins[call - 1].opname != "PRECALL":
        return False
    given = ins[call - 1 - size:call - 1]
    method = ins[call - 2 - size]
    return method.opname == "LOAD_METHOD" and method.argval in ("view", "reshape") \
        and all(i.opname == "LOAD_CONST" and type(i.argval) is int and not i.is_jump_target for i in given) \
        and not any(i.is_jump_target for i in ins[call - 1:read + 1]) and given[place].argval > 0


def counted_size_divisor(sites: Mapping[tuple[Any, int], tuple[Any, tuple[int, ...]]]) -> bool:
    """Whether the divisor of the ``/`` the decorated body's own code is executing is Python
    arithmetic of sizes unpacked (``_unpacked_size_read``) from a local tensor the body made in a
    statement that reads ``len`` of a parameter (``z = torch.cat([x] + [x[:, :1]] * (len(t) - 1),
    1)``, then ``_, r, w = z.shape``), at a read where no size held image rows the capture
    follows: the size grows with the images, and on a group alone is another. Where no size of
    that read held image rows, also a tensor made in a statement running a comprehension over a
    parameter (``n, = torch.cat([u["labels"] for u in t] + [torch.zeros(2)]).shape``)."""
    found = _size_arithmetic_divisor(sites, sited=False)
    if not found:
        return False
    code, ins = found[0], _instructions(found[0])
    params = _parameters(code)
    for name in found[1:]:
        read = _unpacked_size_read(code, name)
        held = sites.get((code, read[0])) if read is not None else None
        if read is None or read[3] or held is not None and any(d in held[1] for d in read[2]) or read[1] < 1 \
                or ins[read[1] - 1].opname != "LOAD_FAST" or ins[read[1] - 1].argval in params:
            continue
        made = ins[read[1] - 1].argval
        if _stored_from_a_count(ins, made, params, 3) or held is None and _stored_over_a_parameter(ins, made, params):
            return True
    return False


def _stored_over_a_parameter(ins: list[dis.Instruction], name: str, params: tuple[str, ...]) -> bool:
    """Whether the local ``name``, stored once, is stored by a statement running a comprehension
    whose iterable loads a parameter (``[u["labels"] for u in t]``)."""
    stores = _stores(ins, name)
    start = _assignment_start(ins, stores[0]) if len(stores) == 1 else None
    if start is None:
        return False
    for k in range(start, stores[0]):
        i = ins[k]
        if i.opname == "LOAD_CONST" and isinstance(i.argval, types.CodeType) and i.argval.co_name in _COMPREHENSIONS:
            span = _iterable_after(ins, k, stores[0])
            if span is not None and any(j.opname == "LOAD_FAST" and j.argval in params for j in ins[span[0]:span[1]]):
                return True
    return False


def _stored_from_a_count(ins: list[dis.Instruction], name: str, params: tuple[str, ...],
                         depth: int) -> bool:
    """Whether the local ``name``, stored once, is stored by a statement reading ``len`` of a
    parameter or (up to ``depth`` locals deep) a local so stored (``k = len(t) - 1``, then
    ``z = torch.cat([x] + [x[:, :1]] * k, 1)``: red team 36b)."""
    stores = _stores(ins, name)
    start = _assignment_start(ins, stores[0]) if len(stores) == 1 else None
    if start is None:
        return False
    span = range(start, stores[0])
    return any(ins[k].opname == "LOAD_GLOBAL" and ins[k].argval == "len" and ins[k + 1].opname == "LOAD_FAST"
               and ins[k + 1].argval in params for k in span) \
        or depth > 0 and any(ins[k].opname == "LOAD_FAST" and ins[k].argval not in params and ins[k].argval != name
                             and _stored_from_a_count(ins, ins[k].argval, params, depth - 1) for k in span)


def _argument_as_passed(code: types.CodeType, ins: list[dis.Instruction], end: int, alias: bool = True) -> bool:
    """Whether the instructions right before ``end`` load a parameter never rebound, then pick
    fields by string literals; with ``alias``, also a local stored once by a whole statement so."""
    k = end
    while k >= 3 and ins[k - 1].opname == "BINARY_SUBSCR" and ins[k - 2].opname == "LOAD_CONST" \
            and type(ins[k - 2].argval) is str:
        k -= 2
    if k < 2 or ins[k - 1].opname != "LOAD_FAST" or ins[k - 1].is_jump_target:
        return False
    name = ins[k - 1].argval
    if _plain_parameter(code, name):
        return True
    if not alias or name in code.co_cellvars or name in _parameters(code):
        return False
    stores = _stores(ins, name)
    if len(stores) != 1 or ins[stores[0]].opname != "STORE_FAST" or not _argument_as_passed(code, ins, stores[0], False):
        return False
    first = stores[0] - 1  # the statement is the chain alone: ``a = outputs["curves"]``
    while ins[first].opname in ("BINARY_SUBSCR", "LOAD_CONST"):
        first -= 1
    return _assignment_start(ins, stores[0]) == first


def _size_offsets(code: types.CodeType, sites: Mapping[tuple[Any, int], tuple[Any, tuple[int, ...]]] | None
           ) -> frozenset[tuple[int, Any]]:
    """``_BatchReader.sized`` of ``code`` from the capture's size sites (``Frame.size_sites``)."""
    if not sites:
        return frozenset()
    return frozenset((offset, d) for (c, offset), (_, dims) in sites.items() if c is code for d in dims or (None,))


def positional_number(sites: Mapping[tuple[Any, int], tuple[Any, tuple[int, ...]]] | None = None, targets: Any = None,
                      nested: bool = False, levels: FixedLists | None = None) -> bool:
    """Whether a plain-number operand of the op the caller's code is executing (``_plain_number``)
    is computed from a position in a loop over the images (``_BatchReader.positional``): ``e *
    0.5 ** i`` over ``enumerate(targets)``, ``e * 0.5 ** (len(terms) - 1 - i)`` in ``sum(... for
    i, e in enumerate(terms))``. On a group alone the image has another position, so the body
    gives its term another factor. ``sites``: where the call read sizes of image rows
    (``Frame.size_sites``: ``for b in range(x.shape[0])`` runs over the images). False where
    nothing can be told. With ``nested``, only a position of a comprehension's loop, or one passed
    to a helper (the loop positions of the decorated body's and a helper's own code are
    ``counted_number``'s). ``levels``: the call's ``Frame.fixed_lists`` (a loop over a parameter
    holding one, each item of every image, runs over its levels: ``_level_parameters``)."""
    found = _caller_positional(sites, targets, nested, levels)
    if found is None:
        return False
    f, spans = found
    passed = _valued_parameter_operands(f.f_code, _lasti(f))
    if not spans and not passed:
        return False
    instructions, held = _instructions(f.f_code), _locals(f)
    tables = _free_tables(f)

    def number(start: int, end: int) -> bool:  # (``sum(losses)`` is shaped as one, of tensors; ``len(terms)`` is one)
        return (_plain_number(instructions, start, end, held, globals_=f.f_globals)
                or _table_number(instructions, start, end, held, f.f_globals, tables)) and not any(
            instructions[k].opname in ("LOAD_FAST", "LOAD_DEREF") and _holds_tensors(held.get(instructions[k].argval))
            and not _len_argument(instructions, k) for k in range(start, end))

    for start, end in spans:  # (loops: no generators per ask)
        if number(start, end):
            return True
    for start, end, names in passed:
        if number(start, end) and any(_positional_parameter(f, name, 0, sites) for name in names):
            return True
    return False


def positional_tensor(c: Any, sites: Mapping[tuple[Any, int], tuple[Any, tuple[int, ...]]] | None = None, targets: Any = None,
                      levels: FixedLists | None = None) -> bool:
    """Whether the operand ``c``, a 0-dim tensor of no images, of the op the caller's code is
    executing is a local the code computes from a position in a loop over the images, as
    ``positional_number`` reads it: an item of a constant tensor zipped with the images (``for t,
    w in zip(targets, DECAY_T)``), whose items the capture never sees made. False where nothing
    can be told."""
    found = _caller_positional(sites, targets, levels=levels)
    if found is None or not found[1]:
        return False
    f, spans = found
    instructions, held = _instructions(f.f_code), _locals(f)
    return any(end - start == 1 and instructions[start].opname in ("LOAD_FAST", "LOAD_DEREF")
               and held.get(instructions[start].argval) is c for start, end in spans)


def _table_number(instructions: list[dis.Instruction], start: int, end: int, held: dict[str, Any],
                  globals_: dict[str, Any], tables: frozenset[str] = frozenset()) -> bool:
    """Whether the operand ``start:end`` picks an item of a table of the code's own by a plain
    number (``W[i]``, ``self.decay[n - 1 - i]``; ``_constant_table``) or draws one from an
    iterator over one (``next(it)``, ``it = iter(W)``)."""
    first = instructions[start]
    if first.opname == "LOAD_GLOBAL" and first.argval == "next" and (first.arg or 0) & 1 and end - start >= 4 \
            and instructions[end - 1].opname == "CALL" and _operand_start(instructions, end) == start:
        return _constant_table(instructions, instructions[start + 1 : start + 2], tables=tables)
    if end - start < 3 or instructions[end - 1].opname != "BINARY_SUBSCR":
        return False
    index = _operand_start(instructions, end - 1)
    return (index is not None and start < index and _plain_number(instructions, index, end - 1, held, globals_=globals_)
            and _constant_table(instructions, instructions[start:index], tables=tables))


def _len_argument(instructions: list[dis.Instruction], k: int) -> bool:
    """Whether the value loaded at ``k`` is the argument of a ``len`` call."""
    found = _consumer(instructions, k)
    start = _arguments_start(instructions, found[0]) if found is not None and instructions[found[0]].opname == "CALL" else None
    callee = instructions[start - 1] if start else None
    return callee is not None and callee.opname == "LOAD_GLOBAL" and callee.argval == "len"


def _holds_tensors(value: Any) -> bool:
    """Whether ``value`` is a tensor or a list or tuple holding one."""
    if isinstance(value, (list, tuple)):
        return any(_holds_tensors(v) for v in value[:64])
    return type(value).__module__.startswith("torch") and hasattr(value, "dim")


@_per_code(1024)
def _valued_parameter_operands(code: types.CodeType, lasti: int) -> tuple[tuple[int, int, tuple[str, ...]], ...]:
    """The operands of the op at ``lasti`` that read a parameter of ``code`` as a value
    (``_number_valued``), each with those parameters."""
    found = []
    for start, end in _operands(code, lasti):
        names = _valued_parameters(code, start, end)
        if names:
            found.append((start, end, names))
    return tuple(found)


def _valued_parameters(code: types.CodeType, start: int, end: int) -> tuple[str, ...]:
    """The parameters of ``code`` the span ``start:end`` reads as values (``_number_valued``)."""
    instructions = _instructions(code)
    params = set(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]) - _OWNERS
    return tuple(instructions[k].argval for k in range(start, end) if instructions[k].opname == "LOAD_FAST"
                 and instructions[k].argval in params and _number_valued(instructions, k, end))


def _positional_parameter(f: types.FrameType, name: str, depth: int,
                          sites: Mapping[tuple[Any, int], tuple[Any, tuple[int, ...]]] | None) -> bool:
    """Whether the code calling ``f`` passed its parameter ``name`` a value computed from a
    position in a loop over the images (``decay(e, i)`` over ``enumerate(targets)``: ``e * 0.5
    ** i`` in ``decay``), followed up the helpers' calls to the decorated body."""
    if depth > _FOLLOWED_CALLS or not _plain_parameter(f.f_code, name):
        return False
    how, back = _called_by(f)
    found = _argument_for(f, back, name) if how == "code" else None
    if how == "code" and back is not None and found is None:
        bound = _partial_binding(f, back, name, _locals(f).get(name), depth)
        if isinstance(bound, tuple):  # ``fn(e)`` of ``fn = partial(decay, w=0.5 ** i)``: read where it was made
            g, start, end = bound
            return _positional_span(g, start, end, depth, sites)
    if found is None or isinstance(found, types.FunctionType) or back is None:
        return False  # not read, or not passed (its default)
    return _positional_span(back, *found, depth, sites)


def _positional_span(f: types.FrameType, start: int, end: int, depth: int,
                     sites: Mapping[tuple[Any, int], tuple[Any, tuple[int, ...]]] | None) -> bool:
    """Whether the span ``start:end`` of ``f``'s code computes a value from a position in a loop
    over the images (``_BatchReader.positional``), there or through a parameter of ``f``."""
    at = _located_frame(f.f_code, _lasti(f))[1]
    if _batch_reader(f.f_code, _outer_positions(f, sites), _size_offsets(f.f_code, sites),
                     _free_tables(f)).positional(start, end, at=at):
        return True
    return any(_positional_parameter(f, n, depth + 1, sites) for n in _valued_parameters(f.f_code, start, end))


def positional_argument(sites: Mapping[tuple[Any, int], tuple[Any, tuple[int, ...]]] | None = None, targets: Any = None) -> bool:
    """Whether an argument of the call the caller's code is executing is computed from a
    position in a loop over the images (``_BatchReader.positional``: ``torch.tensor([0.5 ** (n -
    1 - i) for i in range(n)])``, a list filled so in a loop). False where nothing can be told."""
    found = _caller_positional(sites, targets)
    return found is not None and bool(found[1])


def _caller_positional(sites: Mapping[tuple[Any, int], tuple[Any, tuple[int, ...]]] | None, targets: Any = None,
                       nested: bool = False, levels: FixedLists | None = None
                       ) -> tuple[types.FrameType, tuple[tuple[int, int], ...]] | None:
    """The caller's frame and the operands of the op it is executing that its code computes from a
    position in a loop over the images (``_positional_operands``); None where nothing can be told
    (with ``nested``, also where the caller is the decorated body's own code, and no operands but
    in a comprehension's). ``targets``: the call's list of per-image targets (``_picked_lists``)."""
    if _VERSION not in _COUNT_CHECKED:
        return None
    f = _caller()
    if f is None:
        return None
    if nested and f.f_code.co_name not in _COMPREHENSIONS:
        return None if _package(f.f_back) == "losssplit" else (f, ())
    return f, _positional_operands(f.f_code, _lasti(f), _outer_positions(f, sites), _size_offsets(f.f_code, sites),
                                   _free_tables(f), _picked_lists(f, targets), _level_parameters(f, levels))


def position_called(sites: Mapping[tuple[Any, int], tuple[Any, tuple[int, ...]]] | None = None, targets: Any = None) -> bool:
    """Whether an operand of the op the caller's code is executing reads a position of a loop over
    the images other than as an index: itself (``torch.full((n,), i)`` of the first image, whose 0
    no other rule takes) or given to a call (``torch.full((n, 1), fill(i))``, ``conv(i)``), what that
    computes from it not read (``_number_valued``), so it may follow it. A function loaded by name that
    reads none of its parameters (``def fill(i): return 2.0``) computes none. (``f_locals``: only
    for such a call of a fill in a loop over the images.) Python 3.11."""
    f = _caller()
    if f is None or _VERSION not in _COUNT_CHECKED:
        return False
    code = f.f_code
    reader = _batch_reader(code, _outer_positions(f, sites), _size_offsets(code, sites), _free_tables(f),
                           _picked_lists(f, targets))
    ins, at = reader.instructions, _located_frame(code, _lasti(f))[1]
    for start, end in _operands(code, _lasti(f)):
        for k in range(start, end):
            i = ins[k]
            if i.opname not in ("LOAD_FAST", "LOAD_DEREF") or i.argval in reader.params \
                    or not reader._positional_local(i.argval, frozenset({i.argval}), at):
                continue
            found = _consumer(ins, k)
            if found is not None and found[0] < end and ins[found[0]].opname == "BINARY_SUBSCR" and found[1] == 1:
                continue  # ``t[i]``: an item picked by it
            if found is None or found[0] >= end or ins[found[0]].opname != "CALL":
                return True  # the position itself, or arithmetic on it
            first = _arguments_start(ins, found[0])
            callee = ins[first - 1] if first else None
            fn = None if callee is None else f.f_globals.get(callee.argval) if callee.opname == "LOAD_GLOBAL" \
                else _locals(f).get(callee.argval) if callee.opname in ("LOAD_FAST", "LOAD_DEREF") else None
            if not (isinstance(fn, types.FunctionType) and _reads_no_parameter(fn.__code__)):
                return True
    return False


def _reads_no_parameter(code: types.CodeType) -> bool:
    """Whether ``code`` loads none of its parameters (and takes no ``*args`` / ``**kwargs``)."""
    if code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS):
        return False
    params = frozenset(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    return not any(i.opname in ("LOAD_FAST", "LOAD_DEREF", "LOAD_CLOSURE") and i.argval in params
                   for i in _instructions(code))


def _level_parameters(f: types.FrameType, levels: FixedLists | None) -> frozenset[str]:
    """The parameters of ``f``'s code holding one of the call's lists each of whose items is of
    every image (``Frame.fixed_lists``: PWC-Net's flows per level), its items unchanged: a loop
    over one runs over its levels, as many on a group alone."""
    if not levels:
        return frozenset()
    code, held = f.f_code, _locals(f)
    params = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    found = []
    for name in params:
        value = held.get(name)
        entry = levels.get(id(value)) if type(value) in (list, tuple) else None
        if entry is not None and entry[0] is value and entry[2] and len(value) == len(entry[1]) \
                and all(a is b for a, b in zip(value, entry[1])):
            found.append(name)
    return frozenset(found)


def _picked_lists(f: types.FrameType, targets: Any) -> frozenset[str]:
    """The parameters of ``f``'s code holding ``targets``, the call's list of per-image targets."""
    if targets is None:
        return frozenset()
    code = f.f_code
    params = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    held = _locals(f)
    return frozenset(n for n in params if held.get(n) is targets)


def iteration_count() -> bool:
    """Whether the divisor of the division the caller's code is executing (``a / n``, ``a /= n``)
    is a local that only counts the iterations of loops over constants of the call: stored a
    literal int outside any loop, added a literal int (``n += 1``) in loops without a test, each
    over a literal tuple or list or a ``range`` of literals and of parameters the call proves
    constant (``_constant_bounds``). On a group alone those loops run as often: ``n`` is no count
    of the images, whatever count it equals by value. False where nothing can be told."""
    found = _divisor_local()
    return found is not None and _counts_iterations(found[0].f_code, found[1], _constant_bounds(found[0]))


def counter_left_early() -> bool:
    """Whether the divisor of the division the caller's code is executing is a local loaded right
    before it whose only store is the target of ``for k in range(...):`` and the division runs after
    that loop, which a jump may leave early (``if k == 3: break``, then ``/ k``, red team 36b): the
    int it holds there is the one the test stopped at, whatever count of the batch it equals, and
    the test may read the batch. False where nothing can be told."""
    found = _divisor_local()
    if found is None:
        return False
    f, name = found
    ranged = _range_target_of(f.f_code, name)
    at = _located_frame(f.f_code, _lasti(f))[1] if ranged is not None else None
    return ranged is not None and at is not None and at >= ranged[2] and _left_early(f.f_code, ranged[1], ranged[2])


def _divisor_local() -> tuple[types.FrameType, str] | None:
    """(the frame, the local's name) where the division the caller's code is executing (``a /
    n``, ``a /= n``) divides by a local loaded right before it; None else."""
    found = _executing_op("BINARY_OP")
    if found is None or found[2] < 1 or found[1][found[2]].argrepr not in ("/", "/="):
        return None
    f, instructions, at = found
    load = instructions[at - 1]
    if load.opname != "LOAD_FAST" or load.is_jump_target:
        return None
    return f, load.argval


@_per_code(1024)
def _counts_iterations(code: types.CodeType, name: str, constants: frozenset[str]) -> bool:
    """``iteration_count`` of the local ``name`` of ``code``, read from the code."""
    if name in code.co_varnames[: code.co_argcount + code.co_kwonlyargcount] or name in code.co_cellvars:
        return False
    return _counter_of_constant_loops(code, name, constants, frozenset())


def _counter_of_constant_loops(code: types.CodeType, name: str, constants: frozenset[str], tested: frozenset[str]) -> bool:
    """``_counts_iterations`` of ``name``; ``tested``: the locals whose ``while`` tests are being
    read (a counter tested by another one's loop)."""
    ins = _instructions(code)
    stores, loops = _stores(ins, name), _loops(ins)
    if not stores:
        return False
    whiles = {(head, last): tests for head, last in loops
              if (tests := _counted_while(ins, head, last)) is not None
              and (tests == name or tests not in tested and _counter_of_constant_loops(code, tests, constants,
                                                                                       tested | {name}))}
    heads = {head for head, _ in whiles}  # (a ``while``'s body starts at its jump's target)
    for j in stores:
        enclosing = [(head, last) for head, last in loops if head <= j < last]
        if not enclosing:
            if not _literal_int_store(ins, j) or whiles and any(i.opcode in _JUMPS for i in ins[:j]):
                return False  # (a start a test picks sets how often a ``while`` runs: ``if len(t) > 2: n = 1``)
            continue
        value = ins[j - 3 : j]
        if len(value) != 3 or any(i.is_jump_target and g not in heads for g, i in enumerate(value, j - 3)) or (
                value[0].opname, value[0].argval, value[1].opname, value[2].opname) != ("LOAD_FAST", name, "LOAD_CONST",
                                                                                        "BINARY_OP") \
                or type(value[1].argval) is not int or value[2].argrepr not in ("+", "+="):
            return False
        for head, last in enclosing:
            if (head, last) in whiles:
                continue
            if ins[head].opname != "FOR_ITER" or not _constant_iterable(ins, head, constants) or any(
                    i.opcode in _JUMPS and i.opname != "JUMP_BACKWARD"
                    and not (i.opname == "FOR_ITER" and _constant_iterable(ins, g, constants))
                    for g, i in enumerate(ins[head + 1 : last], head + 1)):
                # a test may skip the count (``if ..: continue``), ``break``, a nested ``for``'s exit
                # over the images; a nested loop over constants runs as often on a group alone
                return False
    return True


def _counted_while(ins: list[dis.Instruction], head: int, last: int) -> str | None:
    """The local a ``while`` loop spanning ``head:last`` tests against a literal int (``while c <
    3``), where nothing in its body jumps (no test, ``break``, nested loop) and it is no loop
    nested in another: its iterations depend on that local's values alone. None otherwise."""
    test = ins[last - 3 : last]
    if ins[last].opname != "POP_JUMP_BACKWARD_IF_TRUE" or len(test) != 3 or test[2].opname != "COMPARE_OP" \
            or any(i.opcode in _JUMPS for i in ins[head:last]) or head < 4:
        return None
    local = [i for i in test[:2] if i.opname == "LOAD_FAST"]
    literal = [i for i in test[:2] if i.opname == "LOAD_CONST" and type(i.argval) is int]
    if len(local) != 1 or len(literal) != 1:
        return None
    return str(local[0].argval)


def unproven_loop_counter() -> bool:
    """Whether the divisor of the division the caller's code is executing is a local that some
    loop over a literal tuple or list or a ``range`` of literals counts (``n += 1``) but that
    ``iteration_count`` cannot prove a constant: counted past a test or a ``break`` of the loop
    (``if (e > c).any(): n += 1``), over such a literal cut by a count (``[0, 1, 2][:len(t)]``),
    or also stored otherwise (``n = len(t)`` first, ``n += len(t)`` after). On a group alone it
    may count otherwise; it equals a count of the batch, or not, by value only. False where
    nothing can be told."""
    found = _divisor_local()
    return found is not None and _counts_literal_loop(found[0].f_code, found[1]) and not _counts_iterations(
        found[0].f_code, found[1], _constant_bounds(found[0]))


@_per_code(1024)
def _counts_literal_loop(code: types.CodeType, name: str) -> bool:
    """Whether ``code`` adds a literal int to its local ``name`` (``n += 1``) in a loop whose
    iterable's code starts with a literal or ``range`` of literals (``range(3)``, ``[0, 1,
    2][:len(t)]``)."""
    if name in code.co_varnames[: code.co_argcount + code.co_kwonlyargcount] or name in code.co_cellvars:
        return False
    ins = _instructions(code)
    loops = _loops(ins)
    for j in _stores(ins, name):
        value = ins[j - 3 : j]
        if len(value) != 3 or (value[0].opname, value[0].argval, value[1].opname, value[2].opname) != (
                "LOAD_FAST", name, "LOAD_CONST", "BINARY_OP") or type(value[1].argval) is not int:
            continue
        for head, last in loops:
            if head < j < last and ins[head].opname == "FOR_ITER" and _literal_led(ins, head):
                return True
    return False


def _literal_led(ins: list[dis.Instruction], head: int) -> bool:
    """Whether the iterable of the ``for`` loop at ``head`` starts with a literal container or a
    ``range`` call whose arguments are literals."""
    if head < 1 or ins[head - 1].opname != "GET_ITER":
        return False
    start = _operand_start(ins, head - 1)
    if start is None or start >= head - 1:
        return False
    first = ins[start]
    if first.opname in ("LOAD_CONST", "BUILD_LIST", "BUILD_TUPLE"):
        return True
    if first.opname != "LOAD_GLOBAL" or first.argval != "range":
        return False
    k = start + 1
    while k < head - 1 and ins[k].opname in ("LOAD_CONST", "BINARY_OP", "UNARY_NEGATIVE"):
        k += 1
    return k > start + 1 and ins[k].opname == "PRECALL"


def own_counter() -> bool:
    """Whether the divisor of the division the caller's code is executing (``a / n``, ``a /= n``)
    is a local the code itself counts: stored only literal ints (``n = 0``) and itself plus a
    literal int (``n += 1``), each add in ``for`` loops over sizes (``range(x.shape[0])``,
    ``range(len(x))``, ``range(x.size(0))``) or over a container's items (``crops[i]``), the
    builtin ``range`` and ``len`` (Metric3D's crops counted per image). No number passed in, whatever
    one it equals by value; a ``range`` of a number (``range(int(t["n"]))``) is no such loop. False
    where nothing can be told (another Python, a ``while``, any other store)."""
    found = _divisor_local()
    if found is None:
        return False
    f, name = found
    return (_builtin(f, "range") is builtins.range and _builtin(f, "len") is builtins.len
            and _own_counter(f.f_code, name))


@_per_code(1024)
def _own_counter(code: types.CodeType, name: str) -> bool:
    """``own_counter`` of the local ``name`` of ``code``, read from the code."""
    params = code.co_argcount + code.co_kwonlyargcount + bool(code.co_flags & inspect.CO_VARARGS) \
        + bool(code.co_flags & inspect.CO_VARKEYWORDS)
    if name in code.co_varnames[:params] or name in code.co_cellvars or name in code.co_freevars:
        return False
    ins = _instructions(code)
    stores, loops = _stores(ins, name), _loops(ins)
    if not stores:
        return False
    for j in stores:
        if ins[j].opname != "STORE_FAST" or ins[j].is_jump_target:
            return False
        value = ins[j - 3 : j]
        added = len(value) == 3 and (value[0].opname, value[0].argval, value[1].opname, value[2].opname) == (
            "LOAD_FAST", name, "LOAD_CONST", "BINARY_OP") and type(value[1].argval) is int \
            and value[2].argrepr in ("+", "+=") and not value[1].is_jump_target and not value[2].is_jump_target
        if not added:
            if not _literal_int_store(ins, j):
                return False
            continue
        if any(ins[head].opname != "FOR_ITER" or not _sized_iterable(ins, head, code.co_varnames[:params])
               for head, last in loops if head <= j < last):
            return False
    return True


def _sized_iterable(ins: list[dis.Instruction], head: int, params: Collection[str]) -> bool:
    """Whether the ``for`` loop at ``head`` runs over a ``range`` of sizes and literal ints
    (``x.shape[0]``, ``len(x)``, ``x.size(0)``) or over a parameter's items, subscripted by
    literal ints and loop variables (``crops[i]``), each ``x`` a parameter of the code: as often
    as a structure of the call holds items, never a number it holds (``[0] * num`` made of one)."""
    if head < 1 or ins[head - 1].opname != "GET_ITER":
        return False
    start = _operand_start(ins, head - 1)
    if start is None or start >= head - 1:
        return False
    span = ins[start : head - 1]
    looped = {str(ins[j].argval) for j in range(1, len(ins)) if ins[j - 1].opname == "FOR_ITER"
              and ins[j].opname == "STORE_FAST"}
    if span[0].opname != "LOAD_GLOBAL" or span[0].argval != "range":
        return span[0].opname == "LOAD_FAST" and span[0].argval in params and all(
            i.opname == "BINARY_SUBSCR" or i.opname == "LOAD_FAST" and (i.argval in params or i.argval in looped)
            or i.opname == "LOAD_CONST" and type(i.argval) is int for i in span[1:])
    for k, i in enumerate(span[1:], 1):
        if i.opname in ("LOAD_FAST", "LOAD_DEREF"):
            if i.argval not in params:
                return False
            after, before = span[k + 1] if k + 1 < len(span) else None, span[k - 1]
            sized = after is not None and (after.opname, after.argval) in (("LOAD_ATTR", "shape"), ("LOAD_METHOD", "size"))
            if not sized and not (before.opname == "LOAD_GLOBAL" and before.argval == "len"
                                  and after is not None and after.opname == "PRECALL"):
                return False
        elif not (i.opname in ("BINARY_SUBSCR", "BINARY_OP", "PRECALL", "CALL")
                  or i.opname == "LOAD_CONST" and type(i.argval) is int
                  or (i.opname, i.argval) in (("LOAD_ATTR", "shape"), ("LOAD_METHOD", "size"), ("LOAD_GLOBAL", "len"))):
            return False
    return True


def _literal_int_store(ins: list[dis.Instruction], j: int) -> bool:
    """Whether the store at ``j`` stores a literal int (``n = 0``, ``total, n = 0.0, 0``)."""
    p = j
    while p > 0 and ins[p - 1].opname == "STORE_FAST":
        p -= 1
    if p == j and ins[j - 1].opname == "LOAD_CONST":
        return type(ins[j - 1].argval) is int
    if p < 2 or ins[p - 1].opname != "UNPACK_SEQUENCE" or ins[p - 2].opname != "LOAD_CONST":
        return False
    items = ins[p - 2].argval
    k = j - p
    return type(items) is tuple and len(items) == ins[p - 1].arg and k < len(items) and type(items[k]) is int


def _constant_iterable(ins: list[dis.Instruction], head: int, constants: frozenset[str]) -> bool:
    """Whether the ``for`` loop at ``head`` runs over a literal tuple or list, or a ``range`` of
    literals and of ``constants`` (parameters the call proves constant)."""
    if head < 1 or ins[head - 1].opname != "GET_ITER":
        return False
    start = _operand_start(ins, head - 1)
    if start is None:
        return False
    span = ins[start : head - 1]
    if all(i.opname in ("LOAD_CONST", "BUILD_LIST", "BUILD_TUPLE", "LIST_EXTEND") for i in span):
        return True
    return bool(span) and span[0].opname == "LOAD_GLOBAL" and span[0].argval == "range" and all(
        i.opname in ("LOAD_CONST", "BINARY_OP", "UNARY_NEGATIVE", "PRECALL", "CALL")
        or i.opname == "LOAD_FAST" and i.argval in constants for i in span[1:])


def _executing_op(opname: str) -> tuple[types.FrameType, list[dis.Instruction], int] | None:
    """(the frame, its instructions, the op's index) of the ``opname`` instruction the caller's
    code (a function's, Python 3.11) is executing, not a jump target; None else."""
    if _VERSION not in _COUNT_CHECKED:
        return None
    f = _caller()
    if f is None or not f.f_code.co_flags & 1:
        return None
    instructions, at = _located_frame(f.f_code, _lasti(f))
    if at is None or instructions[at].opname != opname or instructions[at].is_jump_target:
        return None
    return f, instructions, at


def _executing_subscript() -> tuple[types.FrameType, list[dis.Instruction], int | None, int] | None:
    """(the frame, its instructions, the start of the index, the BINARY_SUBSCR's index) of the
    subscript the caller's code is executing; None else."""
    found = _executing_op("BINARY_SUBSCR")
    if found is None:
        return None
    f, instructions, at = found
    return f, instructions, _operand_start(instructions, at), at


def carried_subscript() -> bool:
    """Whether the index of the subscript the caller's code is executing, in a ``for`` loop, reads a
    local that the loop stores only later in its body: a number kept from an earlier iteration
    (``x_i[prev]``, then ``prev = n - 1`` of image ``i``'s read), on a group alone another image's
    (``carried_size``'s reading of a subscript). False where nothing is seen."""
    found = _executing_subscript()
    if found is None or _VERSION not in _TEST_CHECKED:
        return False
    f, _, start, at = found
    return start is not None and _carried_span(f.f_code, start, at)


@_per_code(1024)
def _carried_span(code: types.CodeType, start: int, at: int) -> bool:
    instructions = _instructions(code)
    loop = _loop_of(instructions, at)
    if loop is None or start < loop[0]:
        return False
    later = {i.argval for i in instructions[at + 1 : loop[1]] if i.opname == "STORE_FAST"}
    return any(i.opname == "LOAD_FAST" and i.argval in later for i in instructions[start:at])


def positional_cut(sites: Mapping[tuple[Any, int], tuple[Any, tuple[int, ...]]] | None = None,
                   targets: Any = None, content: Callable[[Any], Any] | None = None, sizes: bool = False) -> bool:
    """Whether the index of the subscript the caller's code is executing is computed from a
    position in a loop over the images (``_BatchReader.positional``: ``e[..., i]`` over ``range(
    len(targets))``, also in a helper given the count, ``for i in range(bins)``), there or through
    a parameter its caller passed so (``_positional_parameter``: ``sum(col(e, i) for i in
    range(len(targets)))``): a dim that is not one of images cut at the image's position, which on
    a group alone is another. ``content``: what a value holds (``Frame.loop_content``), to read
    which loop a position is of (``_loops_read``); with ``sizes``, a loop's item read for its size
    is none (``_sized_items``: slice bounds of one image's values, ``y[:len(b)]``). False where
    nothing can be told."""
    found = _executing_subscript()
    if found is None:
        return False
    f, instructions, start, at = found
    return start is not None and _positional_index_span(f, start, at, sites, targets, content=content, sizes=sizes)


def positional_index_part(sites: Mapping[tuple[Any, int], tuple[Any, tuple[int, ...]]] | None = None,
                          targets: Any = None, store: bool = False, content: Callable[[Any], Any] | None = None) -> bool:
    """Whether the subscript the caller's code is executing (``BINARY_SUBSCR``, or with ``store``
    the assignment's ``STORE_SUBSCR``) has a tuple index whose parts after the first are computed
    from a position in a loop over the images (``z[i, :, i % 2 * 4:i % 2 * 4 + 4] = y[i]``,
    ``x[i, :, 2 * i]``: ``positional_cut``'s reading of those parts): in an image's row, a place that
    on a group alone is another. The first part (the row) is not read. False where nothing can be
    told."""
    found = _executing_op("STORE_SUBSCR" if store else "BINARY_SUBSCR")
    if found is None:
        return False
    f, instructions, at = found
    spans = _tuple_index_spans(instructions, at)
    return spans is not None and len(spans) >= 2 and _positional_index_span(f, spans[1][0], at - 1, sites, targets,
                                                                            content=content)


def positional_piece(sites: Mapping[tuple[Any, int], tuple[Any, tuple[int, ...]]] | None = None,
                     targets: Any = None) -> bool:
    """Whether the pieces the op the caller's code is calling returns (``cols = e.unbind(-1)``),
    stored in a local, are picked from it by a position in a loop over the images (``cols[i]``
    over ``range(len(targets))``: ``positional_cut``'s reading). False where nothing can be told."""
    found = _executing_op("CALL")
    if found is None:
        return False
    f, ins, at = found
    if at + 1 >= len(ins):
        return False
    if ins[at + 1].opname != "STORE_FAST":  # picked straight off the call (``e.unbind(-1)[i]``)
        k = next((k for k in range(at + 1, len(ins)) if ins[k].opname == "BINARY_SUBSCR"
                  and _operand_start(ins, k) == at + 1), None)
        return k is not None and _positional_index_span(f, at + 1, k, sites, targets)
    name = ins[at + 1].argval
    for k, i in enumerate(ins):
        if i.opname == "BINARY_SUBSCR" and [(j.opname, j.argval) for j in _other_span(ins, k, 1)] == [("LOAD_FAST", name)]:
            start = _operand_start(ins, k)
            if start is not None and _positional_index_span(f, start, k, sites, targets, name):
                return True
    return False


def _positional_index_span(f: types.FrameType, start: int, at: int, sites: Mapping[tuple[Any, int], tuple[Any, tuple[int, ...]]] | None,
                     targets: Any, pieces: str | None = None, content: Callable[[Any], Any] | None = None,
                     sizes: bool = False) -> bool:
    """Whether the index ``start:at`` of the subscript at ``at`` in ``f``'s code is computed from
    a position in a loop over the images (``positional_cut``); a loop over as many as the local
    ``pieces`` holds is none, nor one ``_loops_read`` reads, now, over one image's items."""
    constants = _constant_bounds(f)
    images, others = _loops_read(f, content)
    outer = _outer_positions(f, sites) or _proven_outer(f, images)
    reader = _batch_reader(f.f_code, outer, _size_offsets(f.f_code, sites), _free_tables(f),
                           _picked_lists(f, targets), constants | _constant_numbers(f), _NO_SCOPES, images, frozenset(),
                           frozenset(), others)
    # a helper's ``range(bins)`` of a ``bins`` not proven the call's constant: the caller's count
    # (``len(targets)``) may bound it, which ``positional`` reads as no images
    unproven = _range_parameters(f.f_code) - constants | _range_free_variables(f.f_code) - _literal_cells(f)
    heads = reader.index_loops(start, at)
    looped = not heads or not all(head in others or reader.other_dims(*span) or pieces is not None and any(
        i.opname == "LOAD_FAST" and i.argval == pieces for i in reader.instructions[span[0]:span[1]])
        for head, span in ((h, reader.unlisted(*reader._iterable(h))) for h in heads))  # (``range(len(cols))``: as many as pieces)
    sized = _sized_items(f, reader, start, at, content) if sizes else frozenset()
    return looped and (reader.positional(start, at, sized, at=at) or bool(unproven) and reader.ranged(start, at, unproven)) \
        or any(_positional_parameter(f, name, 0, sites) for name in _valued_parameters(f.f_code, start, at))


def _sized_items(f: types.FrameType, reader: _BatchReader, start: int, end: int,
                 content: Callable[[Any], Any] | None) -> frozenset[str]:
    """The locals the span ``start:end`` of ``f``'s code loads only for a size (``len(b)``,
    ``b.shape[0]``, ``b.size(0)``), each stored only as a loop's item and holding, now, a tensor of
    one dim or more and not several images' rows (``content``), drawn from an iterable of the call's
    arguments and of lists the code fills with values no position computes (``_listed_items``): the
    size of the image's item, no position (EEND's ``y[:len(b)]`` over ``zip(ys, best)``, ``best = []``
    a list the position reader reads as a table of the code's own)."""
    if content is None:
        return frozenset()
    ins, names = reader.instructions, _locals(f)
    uses: dict[str, bool] = {}
    for k in range(start, end):
        i = ins[k]
        if i.opname == "LOAD_FAST":
            after = [(j.opname, j.argval if j.opname in ("LOAD_ATTR", "LOAD_METHOD", "LOAD_GLOBAL") else j.arg)
                     for j in ins[k - 1:k + 3]]
            uses[i.argval] = uses.get(i.argval, True) and k > 0 and (
                after[0] == ("LOAD_GLOBAL", "len") and after[2:] == [("PRECALL", 1), ("CALL", 1)]
                or after[2:3] in ([("LOAD_ATTR", "shape")], [("LOAD_METHOD", "size")]))
    return frozenset(n for n, only in uses.items() if only and isinstance(names.get(n), torch.Tensor)
                     and names[n].dim() > 0 and type(content(names[n])) is not frozenset
                     and _stores(ins, n) and all(_listed_items(f, reader, j) for j in _stores(ins, n)))


def _listed_items(f: types.FrameType, reader: _BatchReader, j: int) -> bool:
    """Whether the store at ``j`` of ``f``'s code (``reader``'s) is a loop's item, over an iterable
    (a comprehension's: in the code making it) that calls only the builtins that iterate
    (``_ITERATING``) on the code's parameters, their fields by literal keys, and locals each only
    ever stored as an empty list and filled with values no position computes (``ws.append(x[:1])``,
    not ``ms.append(torch.zeros(i + 1))``: ``_BatchReader.filled_positions``)."""
    loop = reader._element(j)
    if loop is None:
        return False
    if reader._over_outer(loop[0]) or reader.instructions[loop[0] - 1].opname == "LOAD_FAST" \
            and reader.instructions[loop[0] - 1].argval == ".0":
        back = _enclosing_frame(f)
        if back is None:
            return False
        reader = _batch_reader(back.f_code)
        made = next((k for k, i in enumerate(reader.instructions) if i.opname == "LOAD_CONST" and i.argval is f.f_code), None)
        span = _iterable_after(reader.instructions, made, len(reader.instructions)) if made is not None else None
        if span is None:
            return False
    else:
        span = reader._iterable(loop[0])
    ins = reader.instructions
    for k in range(*span):
        i = ins[k]
        if i.opname in ("PRECALL", "CALL", "BINARY_SUBSCR") or i.opname == "LOAD_CONST" and type(i.argval) in (str, int) \
                or i.opname == "LOAD_GLOBAL" and i.argval in _ITERATING and i.argval not in f.f_globals \
                or i.opname == "LOAD_FAST" and i.argval in reader.params:
            continue
        if i.opname != "LOAD_FAST" or reader.filled_positions(i.argval) or not all(
                [(x.opname, x.arg) for x in ins[g - 1:g]] == [("BUILD_LIST", 0)] for g in _stores(ins, i.argval)):
            return False
    return True


def positional_index(sites: Mapping[tuple[Any, int], tuple[Any, tuple[int, ...]]] | None = None, targets: Any = None,
                     made: bool = False, whole: Callable[[Any], Any] | None = None) -> bool:
    """Whether the subscript the caller's code is executing picks an item of a table of the code's
    own (``_constant_table``: ``self.decay[i]``, ``DECAY_T[i]``) by a position in a loop over the
    images (``_BatchReader.positional``). ``made``: whether it is a slice, of any tensor (a
    helper's, ``weights()[:len(targets)]``), whose bound the code computes from how many images
    the call got (``_BatchReader.images``). ``whole``: which images a value holds (``_image_loops``'s
    ``content``). False where nothing can be told."""
    found = _executing_subscript()
    if found is None:
        return False
    f, instructions, start, at = found
    tables = _free_tables(f)
    sliced = instructions[at - 1].opname == "BUILD_SLICE"
    if start is None or (not sliced if made else not _constant_table(instructions, _other_span(instructions, at, 1),
                                                                     tables=tables)):
        return False  # (``torch.tensor(weights)[b]`` made in the call from the images' numbers: each its own)
    reader = _batch_reader(f.f_code, _outer_positions(f, sites), _size_offsets(f.f_code, sites), tables,
                           _picked_lists(f, targets), frozenset(), _NO_SCOPES, _image_loops(f, whole))
    if made:
        return reader.images(start, at, frozenset())
    return reader._table_cut(at) if sliced else reader.positional(start, at, at=at)


_ITERATING = frozenset({"enumerate", "zip", "range", "len", "list", "tuple", "reversed"})
_NO_LOOPS: tuple[frozenset[int], frozenset[int]] = (frozenset(), frozenset())


def _loops_read(f: types.FrameType, content: Callable[[Any], Any] | None) -> tuple[frozenset[int], frozenset[int]]:
    """(the loops over the images, the loops over one image's items): the FOR_ITER indices of the
    ``for`` loops of ``f``'s code around the op it is executing whose iterable ``_iterated_values``
    reads from what its names hold now (none stored in the loop). ``content`` (``Frame.loop_content``)
    says what a value holds: one image's values (True) or several images' rows (the dims). A
    loop over such rows (``enumerate(outputs["x"])``, ``zip(x, ..)``) runs over the images: its
    position is a row's place in the batch. One whose iterable reads nothing but one image's values
    (``enumerate(k.tolist())`` of an image's top-k counts, ``range(len(t["boxes"]))``,
    ``range(cost.shape[1])``) runs over that image's items: its position is the same on a group
    alone (RTMDet's ``cost[:, j]`` over each image's boxes, read as the images' loop)."""
    if content is None:
        return _NO_LOOPS
    ins = _instructions(f.f_code)
    images, others = set(), set()
    for first, last in _enclosing_loops(f.f_code, _lasti(f)):
        if ins[first].opname != "FOR_ITER" or first < 2:
            continue
        if ins[first - 1].opname == "LOAD_FAST" and ins[first - 1].argval == ".0":
            read = _made_over(f)  # a comprehension's loop: over what the code making it passes
        elif ins[first - 1].opname != "GET_ITER":
            continue
        else:
            begin = _operand_start(ins, first - 1)
            read = _iterated_values(f, ins, begin, first - 1) if begin is not None else None
            if read and any(first <= j <= last for i in ins[begin:first - 1] if i.opname == "LOAD_FAST"
                            for j in _stores(ins, i.argval)):
                continue
        if not read:
            continue
        held = [(content(v), along) for v, along in read]
        if all(h is True for h, _ in held):
            others.add(first)
        elif any(type(h) is frozenset and along in h for h, along in held):
            images.add(first)
    return frozenset(images), frozenset(others)


def _static_attribute(owner: Any, name: str) -> Any:
    """``owner.name`` where it is a plain list, tuple, dict or tensor found without running code
    (``inspect.getattr_static``: no property nor ``__getattr__``); None else."""
    value = inspect.getattr_static(owner, name, None)
    return value if type(value) in (list, tuple, dict) or isinstance(value, torch.Tensor) else None


def _made_over(f: types.FrameType) -> list[tuple[Any, int | None]] | None:
    """``_iterated_values`` of the iterable the code making the comprehension running in ``f``
    passes it (``sum(y[:, :len(w)] for y, w in zip(x, W))``); None where not read."""
    span = _maker_iterable(f)
    return None if span is None else _iterated_values(span[0], _instructions(span[0].f_code), *span[1:])


def _proven_outer(f: types.FrameType, images: frozenset[int]) -> str | None:
    """``_outer_positions`` of a comprehension whose loop over ``.0`` ``_loops_read`` proved, now, to
    run over the images (``images``) where the code making it alone does not tell (``zip(outputs["x"],
    W)``); None else."""
    ins = _instructions(f.f_code)
    if not any(k > 0 and ins[k - 1].opname == "LOAD_FAST" and ins[k - 1].argval == ".0" for k in images):
        return None
    span = _maker_iterable(f)
    return None if span is None else _batch_reader(span[0].f_code).iterated_positions(*span[1:], over_images=True)


def _maker_iterable(f: types.FrameType) -> tuple[types.FrameType, int, int] | None:
    """(the frame making the comprehension running in ``f``, the span of the iterable it passes it)."""
    back = _enclosing_frame(f) if f.f_code.co_name in _COMPREHENSIONS else None
    if back is None:
        return None
    ins = _instructions(back.f_code)
    made = next((k for k, i in enumerate(ins) if i.opname == "LOAD_CONST" and i.argval is f.f_code), None)
    span = _iterable_after(ins, made, len(ins)) if made is not None else None
    return None if span is None else (back, *span)


def _iterated_values(f: types.FrameType, ins: list[dis.Instruction], begin: int, end: int) -> list[tuple[Any, int | None]] | None:
    """The values now of the names the iterable ``ins[begin:end]`` loads (a local, through string or
    int keys of plain dicts, lists and tuples: ``t["boxes"]``), each with the dim whose items or size
    it takes (0: the value itself, ``len``, ``tolist()``, ``unbind()``; ``d``: ``.shape[d]``,
    ``.size(d)``); None where the iterable does anything but that and call the builtins that iterate
    or count (``enumerate``, ``zip``, ``range``, ``len``, ``list``, ``tuple``, ``reversed``)."""
    names = _locals(f)
    found: list[tuple[Any, int | None]] = []
    k = begin
    while k < end:
        i = ins[k]
        if i.opname in ("PRECALL", "CALL") or i.opname == "LOAD_GLOBAL" and i.argval in _ITERATING \
                and i.argval not in f.f_globals:
            k += 1
            continue
        if i.opname == "LOAD_GLOBAL" and not (i.arg or 0) & 1 and i.argval in f.f_globals:
            value, k = f.f_globals[i.argval], k + 1  # a module's table zipped with the rows (``zip(x, W)``)
        elif i.opname != "LOAD_FAST" or i.argval not in names:
            return None
        else:
            value, k = names[i.argval], k + 1
        while k < end and ins[k].opname == "LOAD_ATTR" and ins[k].argval != "shape":  # ``self.table``: read
            value, k = _static_attribute(value, ins[k].argval), k + 1  # statically (no property runs)
        while k + 1 < end and ins[k].opname == "LOAD_CONST" and ins[k + 1].opname == "BINARY_SUBSCR":
            key = ins[k].argval
            if not (type(value) is dict and type(key) is str and key in value
                    or type(value) in (list, tuple) and type(key) is int and -len(value) <= key < len(value)):
                return None
            value, k = value[key], k + 2
        along: int | None = 0
        step = [(j.opname, type(j.argval) if j.opname == "LOAD_CONST" else j.argval if j.opname in ("LOAD_ATTR", "LOAD_METHOD")
                 else None, j.arg if j.opname in ("PRECALL", "CALL") else None) for j in ins[k:min(k + 4, end)]]
        if step[:3] == [("LOAD_ATTR", "shape", None), ("LOAD_CONST", int, None), ("BINARY_SUBSCR", None, None)]:
            along, k = ins[k + 1].argval, k + 3
        elif step[:4] == [("LOAD_METHOD", "size", None), ("LOAD_CONST", int, None), ("PRECALL", None, 1), ("CALL", None, 1)]:
            along, k = ins[k + 1].argval, k + 4
        elif step[:3] in ([("LOAD_METHOD", "tolist", None), ("PRECALL", None, 0), ("CALL", None, 0)],
                          [("LOAD_METHOD", "unbind", None), ("PRECALL", None, 0), ("CALL", None, 0)]):
            k += 3
        if isinstance(value, torch.Tensor) and along is not None and along < 0:
            along += value.dim()
        found.append((value, along))
    return found


def _image_loops(f: types.FrameType, content: Callable[[Any], Any] | None) -> frozenset[int]:
    """The FOR_ITER indices of the loops of ``f``'s code around the op it is executing that run over
    ``enumerate(x)`` or ``enumerate(zip(x, y, ..))`` where one of the lists ``x``, ``y`` holds, now,
    one item per image in the images' order (``content`` says each item's image; ``content(None)``:
    the count of the images): a list the body made (``list(pred.unbind(0))``) that the code alone
    does not tell, whose positions are the images'. (A list of levels of the whole batch cannot be
    told, now, from one the body made as long as a count of the batch: no loop is proven one.)"""
    if content is None:
        return frozenset()
    instructions = _instructions(f.f_code)
    found = set()
    count = content(None)
    for first, _ in _enclosing_loops(f.f_code, _lasti(f)):
        if instructions[first].opname != "FOR_ITER" or first < 2 or instructions[first - 1].opname != "GET_ITER":
            continue
        begin = _operand_start(instructions, first - 1)
        lists = _enumerated_locals(f, instructions[begin:first - 1]) if begin is not None else None
        if lists and any(type(v) in (list, tuple) and [content(t) for t in v] == list(range(count)) for v in lists):
            found.add(first)
        elif count > 1 and any(isinstance(content(_locals(f).get(name)), int) for name in _unpacked_targets(instructions, first)):
            # an item now one image's values (``enumerate(zip(list(x.unbind(0)), ..))`` written inline: no
            # list a local holds): its position is an image's (it was read as a constant's, silently wrong)
            found.add(first)
    return frozenset(found)


def _unpacked_targets(instructions: list[dis.Instruction], first: int) -> list[str]:
    """The names the ``for`` loop whose FOR_ITER is at ``first`` stores each item in, through any
    depth of unpacking (``for i, (p, t) in ..``: ``i``, ``p``, ``t``)."""
    names, need, k = [], 1, first + 1
    while need > 0 and k < len(instructions):
        i = instructions[k]
        if i.opname == "UNPACK_SEQUENCE":
            need += (i.arg or 1) - 1
        elif i.opname in ("STORE_FAST", "STORE_DEREF"):
            names.append(i.argval)
            need -= 1
        else:
            break
        k += 1
    return names


def _enumerated_locals(f: types.FrameType, code: list[dis.Instruction]) -> list[Any] | None:
    """The values of the locals ``x``, ``y`` of the iterable ``enumerate(x)`` or ``enumerate(zip(x,
    y, ..))`` the instructions ``code`` compute; None for any other iterable."""
    names = [i.opname for i in code]
    loads = [i for i in code if i.opname == "LOAD_FAST"]
    globals_ = [i.argval for i in code if i.opname == "LOAD_GLOBAL"]
    if not loads or any(n not in ("LOAD_GLOBAL", "LOAD_FAST", "PRECALL", "CALL") for n in names) \
            or globals_ not in (["enumerate"], ["enumerate", "zip"]) or any(g in f.f_globals for g in globals_) \
            or code[0].opname != "LOAD_GLOBAL" or names.count("CALL") != len(globals_):
        return None
    if any(i.argval not in _locals(f) for i in loads):
        return None
    return [_locals(f)[i.argval] for i in loads]


def counted_sizes(tupled: bool, skip: int = 0, unread: bool = False) -> frozenset[int]:
    """The dims whose sizes the factory call the caller's code is executing computes from the
    images (``_BatchReader.images``: ``torch.full((len(targets),), 0.5)``, ``torch.ones(n,
    4)`` with ``n = len(targets)``): its arguments (a method's receiver is none) after the first
    ``skip``, the first one a tuple of sizes where ``tupled``. ``unread``: not a size the span
    reads of a later dim of a tensor (``_later_dim_size``). Empty where not read."""
    if _VERSION not in _COUNT_CHECKED:
        return frozenset()
    f = _caller()
    if f is None:
        return frozenset()
    found = _counted_sizes(f.f_code, _lasti(f), tupled, skip, unread)
    # (a comprehension's, a lambda's or a nested function's: ``lambda x: x.expand(len(t), -1)``, red team 44)
    if f.f_code.co_freevars and (back := _enclosing_frame(f)) is not None:
        found |= _counted_free_sizes(f.f_code, _lasti(f), tupled, skip, unread, back.f_code)
    return found


def literal_sizes(tupled: bool) -> frozenset[int]:
    """The dims whose sizes the factory call the caller's code is executing writes there as int
    literals (``torch.zeros(3, 4)``, ``torch.full((3, 4), 0.0)``): numbers of the code, whatever
    count of a batch they equal. Empty where not read."""
    if _VERSION not in _COUNT_CHECKED:
        return frozenset()
    f = _caller()
    return frozenset() if f is None else _literal_sizes(f.f_code, _lasti(f), tupled)


def fixed_sizes(tupled: bool) -> frozenset[int]:
    """The dims whose sizes the factory call the caller's code is executing proves constants of the
    call (``_constant_of_call``: literals, module constants, defaults) or reads there as the size of
    a tensor's dim after the first (``torch.full((B, dec.shape[1]), -1)``): not computed from the
    images' lengths (``max(len(t["labels"]) for t in targets)``, the batch's largest, on a group
    alone the group's). Empty where not read."""
    if _VERSION not in _COUNT_CHECKED:
        return frozenset()
    f = _caller()
    if f is None:
        return frozenset()
    return _size_spans(f.f_code, _lasti(f), tupled, 0, False, lambda ins, start, end: (
        end - start == 4 and ins[start].opname in ("LOAD_FAST", "LOAD_DEREF") and _later_dim_size(ins, start + 1))
        or _constant_of_call(f, start, end, None, None) is not _UNPROVEN)


Largest = tuple[types.CodeType, Any]  # a comprehension's code, the list it iterates


def largest_size(tupled: bool) -> tuple[int, Largest] | None:
    """(dim, ``_largest_of``) where exactly one size given to the factory call the caller's code is executing
    is the builtin ``max`` of a comprehension over a list (``torch.zeros(b, m, 4)`` with ``m =
    max(len(t["labels"]) for t in targets)``); None for any other layout."""
    if _VERSION not in _COUNT_CHECKED:
        return None
    f = _caller()
    if f is None:
        return None
    found: list[Largest] = []

    def largest(ins: list[dis.Instruction], start: int, end: int) -> bool:
        made = _largest_of(f, ins, start, end)
        found.extend([made] if made is not None else [])
        return made is not None

    dims = _size_spans(f.f_code, _lasti(f), tupled, 0, False, largest)
    return (next(iter(dims)), found[0]) if len(dims) == 1 and len(found) == 1 else None


def same_code(a: types.CodeType, b: types.CodeType) -> bool:
    """Whether two code objects compute the same from the same arguments: one, or the same instructions, constants
    and names (a comprehension written twice, ``max(len(t["k"]) for t in targets)`` in a helper and in the body)."""
    return a is b or (a.co_code == b.co_code and a.co_consts == b.co_consts and a.co_names == b.co_names
                       and a.co_varnames == b.co_varnames and a.co_freevars == b.co_freevars == ())


def largest_argument(position: int) -> Largest | None:
    """``_largest_of`` the positional argument ``position`` of the call the caller's code is executing
    (``F.one_hot(idx, m)``); None for any other."""
    f = _caller() if _VERSION in _COUNT_CHECKED else None
    spans = () if f is None else _operands(f.f_code, _lasti(f))[::-1]
    if f is None or position >= len(spans):
        return None
    return _largest_of(f, _instructions(f.f_code), *spans[position])


def parameter_argument(position: int) -> bool:
    """Whether the positional argument ``position`` of the call the caller's code is executing is one of that
    code's parameters, read as it is (``F.one_hot(y, num_classes)`` in a helper): what it holds is its caller's."""
    f = _caller() if _VERSION in _COUNT_CHECKED else None
    spans = () if f is None else _operands(f.f_code, _lasti(f))[::-1]
    if f is None or position >= len(spans) or spans[position][1] - spans[position][0] != 1:
        return False
    i = _instructions(f.f_code)[spans[position][0]]
    code = f.f_code
    return i.opname == "LOAD_FAST" and i.argval in code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]


def _largest_of(f: types.FrameType, ins: list[dis.Instruction], start: int, end: int) -> Largest | None:
    """(the comprehension's code, the list it iterates) where the span computes the builtin ``max`` of a
    comprehension without free variables over a parameter of ``f``'s code that no statement stores, and
    nothing else, there or in a local stored once with it: ``max(len(t["labels"]) for t in targets)``. A
    number computed after (``max(..) + 1``), ``min``, a floor (``max(.., 1)``), a local stored twice,
    ``targets[1:]``: None."""
    if end - start == 1 and ins[start].opname == "LOAD_FAST":
        stores = _stores(ins, ins[start].argval, cells=True)
        value = _stored_value(ins, stores[0]) if len(stores) == 1 and ins[stores[0]].opname == "STORE_FAST" else None
        if value is None:
            return None
        start, end = value
    span = ins[start:end]
    if len(span) < 6 or span[0].opname != "LOAD_GLOBAL" or span[0].argval != "max" \
            or _builtin(f, "max") is not builtins.max or not _comprehension_made(span, 1) \
            or span[-1].opname != "CALL" or span[-1].arg != 1:
        return None
    rest = span[3:-1]  # (the iterable, ``GET_ITER``, the comprehension's call)
    if [i.opname for i in rest[:2]] != ["LOAD_FAST", "GET_ITER"] or [i.arg for i in rest if i.opname == "CALL"] != [0] \
            or any(i.opname not in ("PRECALL", "CALL") for i in rest[2:]) or span[1].argval.co_freevars:
        return None
    name = rest[0].argval
    code = f.f_code
    if name not in code.co_varnames[:code.co_argcount + code.co_kwonlyargcount] or _stores(ins, name, cells=True):
        return None
    return span[1].argval, f.f_locals.get(name)


@_per_code(1024)
def _literal_sizes(code: types.CodeType, lasti: int, tupled: bool) -> frozenset[int]:
    spans = _operands(code, lasti)
    ins = _instructions(code)
    if tupled and spans and spans[-1][1] - spans[-1][0] == 1 and ins[spans[-1][0]].opname == "LOAD_CONST":
        sizes = ins[spans[-1][0]].argval  # ``torch.zeros((3, 4))``: one constant tuple
        return frozenset(range(len(sizes))) if type(sizes) is tuple and all(type(n) is int for n in sizes) else frozenset()
    return _size_spans(code, lasti, tupled, 0, False, lambda instructions, start, end: end - start == 1 and (
        _int_literal(instructions, start) or instructions[start].opname == "LOAD_FAST" and _literal_local(code, instructions[start].argval)))


def _int_literal(instructions: list[dis.Instruction], k: int) -> bool:
    return k >= 0 and instructions[k].opname == "LOAD_CONST" and type(instructions[k].argval) is int


def _literal_local(code: types.CodeType, name: str) -> bool:
    """Whether every store of the local ``name`` of ``code`` (no parameter, no cell) stores an int
    literal right before it (``n = 3``)."""
    instructions = _instructions(code)
    stores = _stores(instructions, name, cells=True)
    return (name not in code.co_varnames[: code.co_argcount + code.co_kwonlyargcount] and name not in code.co_cellvars
            and bool(stores) and all(instructions[j].opname == "STORE_FAST" and _int_literal(instructions, j - 1)
                                     and not instructions[j].is_jump_target for j in stores))


@_per_code(1024)
def _counted_free_sizes(code: types.CodeType, lasti: int, tupled: bool, skip: int, unread: bool,
                        outer: types.CodeType) -> frozenset[int]:
    """``_counted_sizes`` of a comprehension's or closure's code, where a size is computed from a free
    variable the code making it holds the images in (``sum(x[i].mean() * torch.ones(len(t)) for i in ...)``:
    ``t`` a parameter as passed, or a local stored from the images)."""
    reader = _batch_reader(outer)
    ins = _instructions(outer)

    def holds_images(name: str, item: bool) -> bool:
        if name in reader.params and not item:
            return True
        # an item of a display holding a count is that count (``k = [len(t)]``, ``k[0]``; red team 44)
        return any(value is not None and (not item or ins[value[1] - 1].opname in _ITEM_DISPLAYS)
                   and reader.images(*value, frozenset({name})) for j in _stores(ins, name, cells=True)
                   for value in (_unpacked_value(ins, j) if reader._element(j) is None else None,))

    return _size_spans(code, lasti, tupled, skip, unread, lambda inner, start, end: any(
        inner[k].opname == "LOAD_DEREF" and inner[k].argval in code.co_freevars and not any(
            a.opname in ("LOAD_ATTR", "LOAD_METHOD") for a in inner[k + 1 : k + 2])
        and holds_images(inner[k].argval, inner[k + 1].opname == "BINARY_SUBSCR"
                         or k + 2 < end and inner[k + 2].opname == "BINARY_SUBSCR")
        for k in range(start, end)))


_ITEM_DISPLAYS = frozenset({"BUILD_LIST", "BUILD_TUPLE", "BUILD_MAP", "BUILD_CONST_KEY_MAP"})


_SIZE_READS = frozenset({"shape", "size"})


@_per_code(256)
def formats_a_count(code: types.CodeType, names: frozenset[str]) -> bool:
    """Whether ``code`` formats into a string (an f-string's ``FORMAT_VALUE``) a number computed
    from ``len()`` of one of the parameters ``names`` (the per-image targets), directly or through
    the locals holding it: ``f"loss_{len(targets)}"``, ``n = len(targets); f"loss_{n}"``. Python 3.11."""
    if _VERSION not in _COUNT_CHECKED or not code.co_flags & 1:
        return False
    ins = _instructions(code)

    def counts(start: int, end: int, seen: frozenset[str]) -> bool:
        for k in range(start, end):
            i = ins[k]
            if i.opname == "LOAD_GLOBAL" and i.argval == "len" and k + 1 < end and ins[k + 1].opname in ("LOAD_FAST", "LOAD_DEREF") \
                    and ins[k + 1].argval in names and k + 2 < end and ins[k + 2].opname == "PRECALL":
                return True
            if i.opname in ("LOAD_FAST", "LOAD_DEREF") and i.argval not in names and i.argval not in seen:
                for j in _stores(ins, i.argval, cells=True):
                    value = _unpacked_value(ins, j)
                    if value is not None and counts(*value, seen | {i.argval}):
                        return True
        return False

    for k, i in enumerate(ins):
        if i.opname != "FORMAT_VALUE":
            continue
        end = _operand_start(ins, k) if (i.arg or 0) & 0x04 else k  # (a format spec above the value)
        start = _operand_start(ins, end) if end is not None else None
        if start is not None and end is not None and counts(start, end, frozenset()):
            return True
    return False


@_per_code(1024)
def _counted_sizes(code: types.CodeType, lasti: int, tupled: bool, skip: int = 0, unread: bool = False) -> frozenset[int]:
    reader = _batch_reader(code)
    return _size_spans(code, lasti, tupled, skip, unread,
                       lambda instructions, start, end: reader.images(start, end, frozenset()))


def _size_spans(code: types.CodeType, lasti: int, tupled: bool, skip: int, unread: bool,
                counts: Callable[[list[dis.Instruction], int, int], bool]) -> frozenset[int]:
    """The dims of the sizes given to the call at ``lasti`` (as for ``counted_sizes``) whose span
    ``counts`` says is computed from the images."""
    spans = _operands(code, lasti)[::-1][skip:]
    instructions = _instructions(code)

    def images(start: int, end: int) -> bool:
        return counts(instructions, start, end)

    if tupled:
        if not spans:
            return frozenset()
        start, end = spans[0]
        last = instructions[end - 1]
        if last.opname not in ("BUILD_TUPLE", "BUILD_LIST"):  # a tuple held elsewhere: each dim may be it
            return frozenset(range(64)) if images(start, end) else frozenset()
        parts: list[tuple[int, int]] = []
        stop: int | None = end - 1
        for _ in range(last.arg or 0):
            first = _operand_start(instructions, stop) if stop is not None else None
            if first is None or stop is None or first < start:
                return frozenset(range(64)) if images(start, end) else frozenset()
            parts.append((first, stop))
            stop = first
        spans = tuple(parts[::-1])
    return frozenset(d for d, (start, end) in enumerate(spans) if images(start, end) and not (
        unread and any(_later_dim_size(instructions, k) for k in range(start, end - 2))))


def _later_dim_size(ins: list[dis.Instruction], k: int) -> bool:
    """Whether ``k`` starts a read of the size of a tensor's dim given as a literal after the first
    (``feat.size(2)``, ``x.shape[1]``): a class, channel or time count; the images' own dim, where
    it held image rows, reads as a ``RowCount``."""
    i, dim = ins[k], ins[k + 1]
    if i.opname not in ("LOAD_ATTR", "LOAD_METHOD") or i.argval not in _SIZE_READS or dim.opname != "LOAD_CONST" \
            or type(dim.argval) is not int or dim.argval < 1:
        return False
    return ins[k + 2].opname == ("BINARY_SUBSCR" if i.argval == "shape" else "PRECALL")


@_per_code(1024)
def _positional_operands(code: types.CodeType, lasti: int, outer: str | None, sized: frozenset[tuple[int, Any]],
                         tables: frozenset[str] = frozenset(), lists: frozenset[str] = frozenset(),
                         levels: frozenset[str] = frozenset()) -> tuple[tuple[int, int], ...]:
    """The operands of the op at ``lasti`` that ``positional_number`` may find computed from a
    position, read from the code and the sizes it read (``outer``, ``sized``, ``tables``, ``lists``,
    ``levels``: as for ``_BatchReader``)."""
    reader = _batch_reader(code, outer, sized, tables, lists, frozenset(), (), frozenset(), levels)  # (the cache: by position)
    at = _located_frame(code, lasti)[1]
    return tuple(s for s in _operands(code, lasti) if reader.positional(*s, at=at))


def _outer_positions(f: types.FrameType, sites: Mapping[tuple[Any, int], tuple[Any, tuple[int, ...]]] | None = None
                     ) -> str | None:
    """Of a comprehension's frame: what its iterable yields in the code making it, where that
    runs over the images (``_BatchReader.iterated_positions``); else None."""
    code = f.f_code
    if code.co_name not in _COMPREHENSIONS:
        return None
    back = _enclosing_frame(f)
    if back is None:
        return None
    return _comprehension_iterable(back.f_code, id(code), _size_offsets(back.f_code, sites)) or None


def _enclosing_frame(f: types.FrameType) -> types.FrameType | None:
    """The frame of the code making ``f``'s (a comprehension, a nested function): the first
    calling frame's (a generator is run by the code consuming it, often the one making it) whose
    constants hold ``f``'s code."""
    back = f.f_back
    for _ in range(4):
        if back is None:
            return None
        if back.f_code.co_flags & 1 and any(c is f.f_code for c in back.f_code.co_consts):
            return back
        back = back.f_back
    return None


def _free_tables(f: types.FrameType) -> frozenset[str]:
    """The free variables of ``f``'s code the code making it stores only tables of its own in
    (``w = [0.9, 0.6]``, ``it = iter(DECAY)``, then ``w[i]`` or ``next(it)`` in a comprehension:
    ``_constant_table``)."""
    if not f.f_code.co_freevars:
        return frozenset()
    back = _enclosing_frame(f)
    return frozenset() if back is None else _tables_of(back.f_code, f.f_code, frozenset())


@_per_code(256)
def _tables_of(outer: types.CodeType, inner: types.CodeType, tables: frozenset[str]) -> frozenset[str]:
    """``_free_tables`` of ``inner``'s code, made by ``outer``'s (whose own free ``tables``)."""
    ins = _instructions(outer)
    return frozenset(n for n in inner.co_freevars if n in tables or _local_table(ins, n, 0, tables))


@_per_code(256)
def _comprehension_iterable(outer: types.CodeType, inner: int, sized: frozenset[tuple[int, Any]]) -> str | None:
    """What ``outer`` makes the comprehension whose code has the id ``inner`` over: its
    ``iterated_positions`` where it runs over the images, else ""; None where it does not make it."""
    if not outer.co_flags & 1 or not any(id(c) == inner for c in outer.co_consts):
        return None
    ins = _instructions(outer)
    reader = _batch_reader(outer, None, sized)
    for k, i in enumerate(ins):
        if i.opname == "LOAD_CONST" and id(i.argval) == inner:
            span = _iterable_after(ins, k, len(ins))
            if span is not None and span[0] > k:
                return reader.iterated_positions(*span) or ""
    return ""


def _unpacked_value(instructions: list[dis.Instruction], j: int) -> tuple[int, int] | None:
    """The span of the value the store at ``j`` stores: of a tuple assignment (``a, b = x, y``:
    the values pushed, then stored last first), its own value; else the statement's code."""
    stores = ("STORE_FAST", "STORE_DEREF")
    p = j
    while p > 0 and instructions[p - 1].opname in stores:
        p -= 1
    several = p < j or j + 1 < len(instructions) and instructions[j + 1].opname in stores
    if several and p > 0 and instructions[p - 1].opname not in ("UNPACK_SEQUENCE", "UNPACK_EX", "COPY", "SWAP"):
        end, span = p, None
        for _ in range(j - p + 1):
            start = _operand_start(instructions, end)
            if start is None:
                span = None
                break
            span, end = (start, end), start
        if span is not None:
            return span
    first = _assignment_start(instructions, j)
    return None if first is None or first >= j else (first, j)


def _range_argument(instructions: list[dis.Instruction], k: int) -> bool:
    """Whether the value loaded at ``k`` is, through arithmetic only, an argument of ``range``."""
    p = k
    while True:
        found = _consumer(instructions, p)
        if found is None:
            return False
        c = found[0]
        if instructions[c].opname in _KEPT:
            p = c
            continue
        start = _arguments_start(instructions, c) if instructions[c].opname == "CALL" else None
        callee = instructions[start - 1] if start else None
        return callee is not None and callee.opname == "LOAD_GLOBAL" and callee.argval == "range"


def _iterable_after(instructions: list[dis.Instruction], k: int, end: int) -> tuple[int, int] | None:
    """The span of the iterable passed to the comprehension whose code is loaded at ``k`` (before
    ``end``); None where not read."""
    g = next((g for g in range(k + 1, end) if instructions[g].opname == "GET_ITER"), None)
    first = _operand_start(instructions, g) if g is not None else None
    return None if first is None or g is None else (first, g)


@_per_code(1024)
def _counted_operands(code: types.CodeType, lasti: int, constants: frozenset[str] = frozenset(),
                      scopes: tuple[types.CodeType, ...] = ()) -> tuple[tuple[int, int], ...]:
    """The (start, end) index ranges of the operands of the CALL, BINARY_OP or COMPARE_OP at
    ``lasti`` whose code computes a number from the batch (see ``counted_number``; ``constants``,
    ``scopes``: as ``_BatchReader``'s)."""
    reader = _batch_reader(code, None, frozenset(), frozenset(), frozenset(), constants, scopes)
    return tuple(s for s in _operands(code, lasti) if reader.number(s[0], s[1], frozenset()))


@_per_code(1024)
def _operands(code: types.CodeType, lasti: int) -> tuple[tuple[int, int], ...]:
    """The (start, end) index ranges of the operands of the CALL, BINARY_OP or COMPARE_OP at
    ``lasti``, last first (none where the layout is not read)."""
    instructions, at = _located_frame(code, lasti)
    if at is None:
        return ()
    if instructions[at].is_jump_target or not code.co_flags & 1:  # 1: CO_OPTIMIZED (locals are fast)
        return ()
    op = instructions[at]
    end: int | None = at
    if op.opname in ("BINARY_OP", "COMPARE_OP"):
        count = 2
    elif op.opname == "CALL":
        count = op.arg or 0
        end = _arguments_end(instructions, at)
    else:
        return ()
    spans: list[tuple[int, int]] = []
    for _ in range(count):
        start = _operand_start(instructions, end) if end is not None else None
        if start is None or end is None:
            break
        spans.append((start, end))
        end = start
    return tuple(spans)


def _unreversed(ins: list[dis.Instruction], start: int, end: int) -> tuple[int, int]:
    """The span of the one argument where ``start:end`` calls ``reversed`` (``reversed(range(n))``
    yields the same positions, last first: rt25, was no loop over positions); else the span."""
    if end - start > 3 and ins[start].opname == "LOAD_GLOBAL" and ins[start].argval == "reversed" \
            and ins[end - 1].opname == "CALL" and ins[end - 1].arg == 1 and ins[end - 2].opname == "PRECALL":
        first = _operand_start(ins, end - 2)
        if first == start + 1:
            return first, end - 2
    return start, end


_FREE_LOADS = ("LOAD_DEREF", "LOAD_CLASSDEREF")  # a free variable's loads (a cell of the code's own: LOAD_DEREF too)


class _Traces(threading.local):
    def __init__(self) -> None:
        self.stack: list[tuple[frozenset[str], dict[str, bool]]] = []


class _BatchReader:
    """What the body's code computes from the batch as a whole, read from one code object."""

    def __init__(self, code: types.CodeType, outer: str | None = None, sized: frozenset[tuple[int, Any]] = frozenset(),
                 tables: frozenset[str] = frozenset(), lists: frozenset[str] = frozenset(),
                 constants: frozenset[str] = frozenset(), scopes: tuple[types.CodeType, ...] = (),
                 images: frozenset[int] = frozenset(), levels: frozenset[str] = frozenset(),
                 skipped: frozenset[tuple[Any, int]] = frozenset(), others: frozenset[int] = frozenset()) -> None:
        self.code = code
        # the FOR_ITER indices of the loops proven, in this call, to run over one image's items
        # (``_loops_read``): their positions are no images'
        self.other_loops = others
        # (code, offset) of ``len`` calls read as no number of the batch (``batch_number``'s)
        self.skipped = skipped
        # the parameters holding a list of the call each of whose items is of every image
        # (``_level_parameters``): a loop over one runs over its levels, not over the images
        self.levels = levels
        # the parameters bounding a ``range`` that the call proves constants (``_constant_bounds``:
        # ``num_classes=self.num_classes``): a loop over that range runs alike on a group alone
        self.constants = constants
        # the codes whose frames made this one's, innermost first (``_scopes``): where its free
        # variables are stored (``n`` of ``[e.clamp(max=n * 2.0) for ..]``, of ``lambda x: x / n``)
        self.scopes = scopes
        # the FOR_ITER indices of the loops proven, in this call, to run over the images one by one
        # (``_image_loops``): their positions are the images'
        self.image_loops = images
        # of a comprehension: its free variables the code making it stores tables in (``_free_tables``)
        self.tables = tables
        # the parameters holding the call's list of per-image targets (``_picked_lists``): a loop
        # whose counter picks one of its items (``targets[b]``) runs over the images, whatever its
        # bound (``range(x.shape[1])`` of a time-major argument, whose image dim the code alone
        # does not tell)
        self.lists = lists
        # (offset, dim) of the reads of a size of image rows in this code during the call, for
        # ``images``: a ``.shape`` read whose ``dim`` held one, a ``.size(d)`` read of one (dim None)
        self.sized = sized
        # of a comprehension: what its iterable ``.0`` is in the code making it, where that yields
        # positions over the images (``iterated_positions``: "range", "enumerate"; "items": a list
        # of such positions), else None
        self.outer = outer
        self.instructions = _instructions(code)
        # the loads of this code's own names (a cell a nested comprehension reads: ``LOAD_DEREF n``;
        # not a free variable, the enclosing code's)
        self.locals = frozenset({"LOAD_FAST", "LOAD_DEREF"}) if code.co_cellvars else frozenset({"LOAD_FAST"})
        count = code.co_argcount + code.co_kwonlyargcount + bool(code.co_flags & 4) + bool(code.co_flags & 8)
        self.params = frozenset(code.co_varnames[:count]) - _OWNERS
        # every ``for`` loop: (FOR_ITER's index, closing jump's index, whether it runs over the
        # batch), in order (an iterable filled in an earlier loop is known by then)
        self.loops: list[tuple[int, int, bool]] = []
        # what ``_number_local`` / ``_collection_local`` answered (see ``_known_answer``); None
        # while ``loops`` is being filled (an answer then reads the loops found so far)
        self._answers: dict[tuple[str, str, bool], list[tuple[dict[str, bool], bool]]] | None = None
        self._threads = _Traces()  # the readings under way, each thread's own (readers are shared)
        self._numbers: dict[tuple[int, int, frozenset[str], bool, bool], bool] = {}
        # the global functions the code and the codes making it (its free variables' readers) call
        # (``_n(t)``), and those of them that read as ``len`` with the reading's globals (``_READ_GLOBALS``):
        # what was kept is read again where a module rebinds one
        self._helpers = tuple({i.argval for c in (code, *scopes) for i in _instructions(c)
                               if i.opname == "LOAD_GLOBAL" and (i.arg or 0) & 1 and i.argval != "len"})
        self._as_len = self._read_as_len()
        self._fill_loops()

    def _fill_loops(self) -> None:
        loops: list[tuple[int, int, bool]] = []
        self._answers, self.loops = None, loops
        for head, last in sorted(_loops(self.instructions)):
            if self.instructions[head].opname == "FOR_ITER":
                loops.append((head, last, self._over_outer(head)
                              or self.collection(*self._iterable(head), frozenset(), whole=True)))
        self._numbers, self._answers = {}, {}

    def _read_as_len(self) -> tuple[str, ...]:
        if not self._helpers or not _READ_GLOBALS:
            return ()
        g = _READ_GLOBALS[-1]
        return tuple(n for n in self._helpers if _returns_len(g.get(n)))

    def _current(self) -> None:
        """Forget what was kept where a global function of the code reads otherwise as ``len`` now
        (``_n = _counted`` after calls with ``_n = _three``: kept, the batch's numbers read stale)."""
        if self._helpers and (now := self._read_as_len()) != self._as_len:
            self._as_len = now
            self._fill_loops()

    @property
    def _traces(self) -> list[tuple[frozenset[str], dict[str, bool]]]:
        """The readings of ``_known_answer`` under way in this thread, innermost last: each
        ``seen`` it was asked with and the names it asked about (whether each is in it)."""
        return self._threads.stack

    def _unseen(self, name: str, seen: frozenset[str]) -> bool:
        """``name not in seen``, noted for each answer being read (``_known_answer``)."""
        for entry, consulted in self._traces:
            consulted[name] = name in entry
        return name not in seen

    def _known_answer(self, kind: str, name: str, seen: frozenset[str], added_up: bool,
                      read: Callable[[], bool]) -> bool:
        """``read()``, the answer of ``_number_local`` (``kind``) or ``_collection_local`` for
        ``name`` and ``seen``, kept: the answer is a function of the code (this reader's) and of
        which names it asked ``seen`` about, and whether each is in it (the names on the path below
        are added by the reading itself, the same way each time), so it is given again for any
        ``seen`` that answers those asks alike. Locals read along many paths (a long body read
        whole, geomloss' ``SamplesLoss.forward``) were read again on every path: exponential."""
        if self._answers is None:
            return read()
        if not self._traces:
            self._current()
        answers = self._answers
        key = (kind, name, added_up)
        kept = answers.get(key)
        for consulted, answer in kept or ():
            if all((n in seen) is inside for n, inside in consulted.items()):
                for entry, outer in self._traces:  # what the kept answer asked, asked of the outer ones too
                    for n in consulted:
                        outer[n] = n in entry
                return answer
        consulted = {}
        self._traces.append((seen, consulted))
        try:
            answer = read()
        finally:
            self._traces.pop()
        for entry, outer in self._traces:
            for n in consulted:
                outer[n] = n in entry
        if kept is None:
            kept = answers[key] = []
        if len(kept) < 16:
            kept.append((consulted, answer))
        return answer

    def free(self, name: str) -> _BatchReader | None:
        """The reader of the code that stores ``name`` where it is a free variable of this code (``n``
        of ``[e.clamp(max=n * 2.0) for ..]``, of ``lambda x: x / n``, of a nested function: a cell
        of an enclosing code, ``scopes``); None where it is none or that code is not known."""
        owner = _owner_code(self.code, self.scopes, name) if name in self.code.co_freevars else None
        return None if owner is None else _batch_reader(owner[0], None, frozenset(), frozenset(), frozenset(), frozenset(), owner[1])

    def _iterable(self, head: int) -> tuple[int, int]:
        """The span of the iterable of the ``for`` loop whose FOR_ITER is at ``head``."""
        k = head - 1
        if k < 0 or self.instructions[k].opname != "GET_ITER":
            return head, head
        start = _operand_start(self.instructions, k)
        return (start, k) if start is not None else (head, head)

    def number(self, start: int, end: int, seen: frozenset[str], added_up: bool = True, positions: bool = True) -> bool:
        """Whether the span computes a number from the batch: a ``len`` of a batch collection, a
        comprehension over one, a local stored from such a number, (``positions``) a position of a
        loop over the batch, or (``added_up``) a running count. (Asked from outside a reading, kept
        whole: a function of the code and the arguments.)"""
        if self._traces or self._answers is None:
            return self._number(start, end, seen, added_up, positions)
        self._current()
        key = (start, end, seen, added_up, positions)
        answer = self._numbers.get(key)
        if answer is None:
            answer = self._numbers[key] = self._number(start, end, seen, added_up, positions)
        return answer

    def _number(self, start: int, end: int, seen: frozenset[str], added_up: bool, positions: bool = True) -> bool:
        ins = self.instructions
        k = start
        while k < end:
            i = ins[k]
            if i.opname == "LOAD_GLOBAL" and (i.argval == "len" or _READ_GLOBALS and (i.arg or 0) & 1
                                              and _returns_len(_READ_GLOBALS[-1].get(i.argval))):
                close = _call_end(ins[k:end], 0)
                if close is not None and (self._fixed_display(k + 1, k + close)
                                          or self.skipped and (self.code, ins[k + close].offset) in self.skipped):
                    k += close + 1  # ``len(note)`` of ``note = [str(len(t))]``: the display's length
                    continue
                if close is not None and not _index(ins, k + close) and self.collection(k + 1, k + close, seen):
                    return True
            elif self._comprehension(k, end, seen):
                return True
            elif i.opname == "LOAD_FAST" and k + 1 < end and ins[k + 1].opname == "LOAD_ATTR" and i.argval not in self.params \
                    and self._unseen(i.argval, seen) and (made := self._made_number(i.argval, ins[k + 1].argval, seen
                                                                                    | {i.argval}, added_up, positions)) is not None:
                if made:  # ``cfg.cap`` of ``cfg = SimpleNamespace(cap=0.15 * len(t))`` made here (rt32)
                    return True
                k += 2  # (its other arguments are no value of ``cap``)
                continue
            elif i.opname == "LOAD_FAST" and k + 2 < end and ins[k + 1].opname == "LOAD_CONST" and type(ins[k + 1].argval) is str \
                    and ins[k + 2].opname == "BINARY_SUBSCR" and i.argval not in self.params and self._unseen(i.argval, seen) \
                    and (spans := self._dict_item(i.argval, ins[k + 1].argval)) is not None:
                if any(self.number(a, b, seen | {i.argval}, added_up, positions) for a, b in spans):
                    return True  # ``cfg["cap"]`` of ``cfg = {"cap": 0.15 * len(t)}`` made here
                k += 3
                continue
            elif i.opname in self.locals and i.argval not in _OWNERS and (i.argval not in self.params
                                                                          or self._rebound_parameter(i.argval)) \
                    and self._unseen(i.argval, seen) and not _index(ins, k) \
                    and self._number_local(i.argval, seen | {i.argval}, added_up, positions):
                return True  # (a parameter the code stores anew: ``n = min(len(targets), 4)``, read as a local)
            elif i.opname in _FREE_LOADS and (outer := self.free(i.argval)) is not None and not _index(ins, k) \
                    and i.argval not in outer.params | _OWNERS and outer._number_local(i.argval, frozenset({i.argval}), added_up,
                                                                                  positions):
                return True
            elif i.opname in self.locals and k and ins[k - 1].opname == "PUSH_NULL" and self._returns_number(i.argval):
                return True  # ``count()`` of ``def count(): return len(t)`` made here
            elif i.opname in self.locals and k + 1 < end and ins[k + 1].opname == "LOAD_ATTR" \
                    and self._class_number(i.argval, ins[k + 1].argval):
                return True  # ``Cfg.scale`` of ``class Cfg: scale = 1.0 / n`` made here
            k += 1
        return False

    def _made_number(self, name: str, attr: str, seen: frozenset[str], added_up: bool, positions: bool) -> bool | None:
        """Whether the local ``name`` holds an object this code makes once by a call given a number
        from the batch (``number``) as the keyword ``attr`` (``SimpleNamespace(cap=0.15 * len(t))``)
        or, where no keyword is ``attr``, as a positional argument (a dataclass's field by its
        position): ``name.attr`` may hold that number. None where ``name`` is not so made."""
        ins = self.instructions
        stores = _stores(ins, name)
        if len(stores) != 1 or stores[0] < 1 or ins[stores[0] - 1].opname != "CALL" or _built_class(ins, name) is not None:
            return None  # (``class Cfg: ..`` made here: ``_class_number``)
        call = stores[0] - 1
        spans = _argument_spans(ins, call)
        if spans is None:
            return None
        names = next((self.code.co_consts[j.arg] for j in ins[_arguments_end(ins, call):call]
                      if j.opname == "KW_NAMES" and j.arg is not None), ())
        keywords = dict(zip(reversed(names), spans))  # (the keywords are the last arguments)
        picked = [keywords[attr]] if attr in keywords else spans[len(names):]
        for j in range(1, len(ins)):  # set later: ``cfg.cap = 0.15 * len(t)``
            if ins[j].opname == "STORE_ATTR" and ins[j].argval == attr and ins[j - 1].opname == "LOAD_FAST" \
                    and ins[j - 1].argval == name and (first := _operand_start(ins, j - 1)) is not None:
                picked.append((first, j - 1))
        return any(self.number(a, b, seen, added_up, positions) for a, b in picked)

    def _dict_item(self, name: str, key: str) -> list[tuple[int, int]] | None:
        """The spans of the values the local ``name``, a dict this code makes once by a display
        (``{"cap": 0.15 * len(t)}``), gets at ``key`` (by the display or set later: ``cfg["cap"] = ..``);
        None where ``name`` is not so made."""
        ins = self.instructions
        stores = _stores(ins, name)
        if len(stores) != 1 or stores[0] < 2 or ins[stores[0] - 1].opname not in ("BUILD_MAP", "BUILD_CONST_KEY_MAP"):
            return None
        made, n = stores[0] - 1, ins[stores[0] - 1].arg or 0
        end, spans, keys = made, [], None
        if ins[made].opname == "BUILD_CONST_KEY_MAP":
            end, keys = made - 1, ins[made - 1].argval
            if ins[end].opname != "LOAD_CONST" or not isinstance(keys, tuple):
                return None
        for j in range(n - 1, -1, -1):
            start = _operand_start(ins, end)
            if start is None:
                return None
            if keys is None:  # ``BUILD_MAP``: key, value pairs
                if start < 1 or ins[start - 1].opname != "LOAD_CONST":
                    return None
                if ins[start - 1].argval == key:
                    spans.append((start, end))
                end = start - 1
            else:
                if keys[j] == key:
                    spans.append((start, end))
                end = start
        for j in range(2, len(ins)):  # set later
            if ins[j].opname == "STORE_SUBSCR" and ins[j - 1].opname == "LOAD_CONST" and ins[j - 1].argval == key \
                    and ins[j - 2].opname == "LOAD_FAST" and ins[j - 2].argval == name \
                    and (first := _operand_start(ins, j - 2)) is not None:
                spans.append((first, j - 2))
        return spans

    def _fixed_display(self, start: int, end: int) -> bool:
        """Whether the span loads a local (or a free variable) stored only from a list or tuple
        display (``note = [str(len(t))]``) and never filled or written in this code: its length
        is the display's, whatever its items are computed from."""
        ins = self.instructions
        while end > start and ins[end - 1].opname == "PRECALL":
            end -= 1
        if end - start != 1:
            return False
        name = ins[start].argval
        reader = self if ins[start].opname in self.locals else self.free(name) if ins[start].opname in _FREE_LOADS else None
        if reader is None:
            return False
        code = reader.instructions
        stores = _stores(code, name, cells=True)
        return bool(stores) and all(
            code[j].opname in ("STORE_FAST", "STORE_DEREF") and code[j - 1].opname in ("BUILD_LIST", "BUILD_TUPLE")
            and code[j - 1].arg for j in stores) and not any(
            i.argval == name and (code[k + 1].opname in ("LOAD_METHOD", "LOAD_ATTR")
                                  or k + 2 < len(code) and code[k + 2].opname in ("STORE_SUBSCR", "DELETE_SUBSCR"))
            for k, i in enumerate(code[:-1]) if i.opname in ("LOAD_FAST", "LOAD_DEREF"))

    def _class_number(self, name: str, attr: str) -> bool:
        """Whether the local ``name`` holds a class whose body this code runs (once) and that body
        stores in ``attr`` a number from the batch (``number``, its free variables read here)."""
        made = _built_class(self.instructions, name)
        if made is None:
            return False
        inner = _batch_reader(made, None, frozenset(), frozenset(), frozenset(), frozenset(), _Scopes((self.code, *self.scopes)))
        body = inner.instructions
        return any(x.opname == "STORE_NAME" and x.argval == attr and (start := _operand_start(body, j)) is not None
                   and inner.number(start, j, frozenset(), added_up=False) for j, x in enumerate(body))

    def _returns_number(self, name: str) -> bool:
        """Whether the local ``name`` holds a function this code makes (a ``def`` or a lambda, once)
        that returns a number from the batch (``number`` of what it returns, its free variables read
        in this code)."""
        ins = self.instructions
        stores = _stores(ins, name, cells=True)
        if len(stores) != 1 or stores[0] < 2 or ins[stores[0] - 1].opname != "MAKE_FUNCTION":
            return False
        made = ins[stores[0] - 2]
        if made.opname != "LOAD_CONST" or not isinstance(made.argval, types.CodeType):
            return False
        inner = _batch_reader(made.argval, None, frozenset(), frozenset(), frozenset(), frozenset(),
                              _Scopes((self.code, *self.scopes)))
        body = inner.instructions
        return any(r.opname == "RETURN_VALUE" and (start := _operand_start(body, j)) is not None
                   and inner.number(start, j, frozenset(), added_up=False) for j, r in enumerate(body))

    def _number_local(self, name: str, seen: frozenset[str], added_up: bool = True, positions: bool = True) -> bool:
        return self._known_answer("number" if positions else "count", name, seen, added_up,
                                  lambda: self._read_number_local(name, seen, added_up, positions))

    def _rebound_parameter(self, name: str) -> bool:
        """Whether the parameter ``name`` is stored anew, from values other than itself, by the code or
        by code nested in it (``nonlocal``): its value there is no longer the caller's (``_counted_parameter``
        reads only a plain one). Not where a store reads it (``x = x.masked_fill(m, -100)``): reading a
        long body's chains of such stores as locals went past the recursion limit (x-transformers'
        wrapper, survey 33), so ``n = n * 2`` of a passed count stays unread, as before s58."""
        if _held_parameter(self.code, name):
            return False
        ins = self.instructions
        for j in _stores(ins, name, cells=True):
            first = _assignment_start(ins, j)
            if first is None or any(i.opname in self.locals and i.argval == name for i in ins[first:j]):
                return False
        return True

    def _read_number_local(self, name: str, seen: frozenset[str], added_up: bool, positions: bool = True) -> bool:
        ins = self.instructions
        if added_up and _added_up_nested(self.code, name):
            return True  # ``nonlocal k; k += 1`` in a function the code makes: a count of its calls (or what it adds up)
        if _nested_stores(self.code, name):
            return True  # ``nonlocal n; n = len(targets)`` in a function the code makes: not read there
        for j in _stores(ins, name, cells=True):
            first = _assignment_start(ins, j)
            if first is None or not _maybe_number(ins, first, j):
                continue
            loop = self._element(j)
            if loop is not None:  # a loop's target: a position over the batch (``range(len(t))``, ``enumerate``)
                if loop[2] and positions and self._position(loop[0], j):
                    return True
                continue
            if self.number(first, j, seen, added_up, positions) or added_up and self._running(name, j, first):
                return True
        return False

    def reads_running(self, start: int, end: int, seen: frozenset[str], sized: bool = False, partial: bool = False) -> bool:
        """Whether the span reads a running local (``running_local``), itself or through locals
        stored from one (``avg = max(num_total_pos, 1)``, then ``/ avg``). ``partial``: only one
        added up in a loop over some of the images (``running_local``'s)."""
        for i in self.instructions[start:end]:
            outer = self.free(i.argval) if i.opname in _FREE_LOADS else None
            if outer is not None:  # a running count the enclosing code adds up (``lambda x: x / max(num, 1)``)
                if outer._reads_running_local(i.argval, frozenset({i.argval}), sized, partial):
                    return True
            elif i.opname in self.locals and i.argval not in seen \
                    and self._reads_running_local(i.argval, seen | {i.argval}, sized, partial):
                return True
        return False

    def _reads_running_local(self, name: str, seen: frozenset[str], sized: bool, partial: bool) -> bool:
        ins = self.instructions
        if self.running_local(name, sized, partial):
            return True
        for j in _stores(ins, name, cells=True):
            first = _assignment_start(ins, j)
            if first is not None and first < j and ins[j - 1].opname != "FOR_ITER" and _maybe_number(ins, first, j) \
                    and self.reads_running(first, j, seen, sized, partial):
                return True
        return False

    def running_local(self, name: str, sized: bool = False, partial: bool = False) -> bool:
        """Whether a store of the local ``name`` reads it and runs in a loop right over an
        argument (``for t in targets``, ``enumerate(targets)``, not over a field of one or a
        local: ``outputs["crops"]`` holds no images), ``name`` stored before that loop. With
        ``sized``, a store that adds more than literals (``n += len(q)``, not ``n += 1``: a
        helper's loop over a list of crops counts the crops, the same on any group). With
        ``partial``, only a loop over some of the images (``_partial_loops``: ``t[::2]``, left by
        ``break``): on a group alone it adds up other images' numbers."""
        ins = self.instructions
        stores = _stores(ins, name, cells=True)  # (a cell: ``num`` a nested function or comprehension reads)
        for j in stores:
            first = _assignment_start(ins, j)
            if first is None or not any(i.opname in self.locals and i.argval == name for i in ins[first:j]):
                continue
            if sized and all(i.opname in ("LOAD_CONST", "BINARY_OP") or i.opname in self.locals and i.argval == name
                             for i in ins[first:j]):
                continue
            for head, last, _ in self.loops:
                start, end = self._iterable(head)
                if head < j < last and any(s < head for s in stores) and self._over_argument(start, end) \
                        and (not partial or _partial_loops(self.code, ins[j].offset, False)):
                    return True
        return False

    def items_only(self, start: int, end: int, seen: frozenset[str] = frozenset()) -> bool:
        """Whether every running count the span reads (through locals stored from one: ``avg =
        max(num_pos + 0.1 * num_neg, 1)``) adds in each iteration a number made of that
        iteration's own items only: each store of it that reads it loads no local but itself, the
        targets of its loop (``num_neg += Q - len(src)``) and locals set in that loop from them;
        not an argument or a local set elsewhere (``len(indices[0])``: an image picked by position,
        another one on a group alone)."""
        ins = self.instructions
        for i in ins[start:end]:
            if i.opname != "LOAD_FAST" or i.argval in seen:
                continue
            name = i.argval
            for j in _stores(ins, name):
                first = _assignment_start(ins, j)
                if first is None:
                    return False
                if any(x.opname == "LOAD_FAST" and x.argval == name for x in ins[first:j]):
                    loop = next((lp for lp in reversed(self.loops) if lp[0] < j < lp[1]), None)
                    if loop is None or not self._of_targets(first, j, loop, frozenset({name})):
                        return False
                elif first < j and ins[j - 1].opname != "FOR_ITER" and not self.items_only(first, j, seen | {name}):
                    return False
        return True

    def _of_targets(self, start: int, end: int, loop: tuple[int, int, bool], allowed: frozenset[str]) -> bool:
        """Whether the span loads no local but ``allowed``, the targets of ``loop`` and locals
        every store of which is in that loop and made of those alone."""
        ins = self.instructions
        head, last, _ = loop
        k = head + 1
        targets = set()
        while k < last and ins[k].opname in ("STORE_FAST", "UNPACK_SEQUENCE"):
            if ins[k].opname == "STORE_FAST":
                targets.add(ins[k].argval)
            k += 1
        for i in ins[start:end]:
            if i.opname != "LOAD_FAST" or i.argval in allowed or i.argval in targets:
                continue
            if i.argval in self.params:
                return False
            stores = _stores(ins, i.argval)
            if not stores or not all(head < j < last for j in stores):
                return False
            for j in stores:
                first = _assignment_start(ins, j)
                if first is None or not self._of_targets(first, j, loop, allowed | {i.argval}):
                    return False
        return True

    def index_loops(self, start: int, end: int) -> list[int]:
        """The FOR_ITER indices of the loops whose targets the span loads."""
        ins = self.instructions
        return [loop[0] for k in range(start, end) if ins[k].opname == "LOAD_FAST" and ins[k].argval not in self.params
                for j in _stores(ins, ins[k].argval) if (loop := self._element(j)) is not None]

    def other_dims(self, start: int, end: int) -> bool:
        """Whether the span reads sizes of tensors' dims given as literals (``x.shape[1]``,
        ``x.size(-3)``, ``s[1]`` of ``s = x.shape``), each of a dim that held no image rows in this
        call (``sized``): a loop over that range runs over channels, joints or levels."""
        ins = self.instructions
        found = False
        for k in range(start, end - 2):
            i, dim, op = ins[k], ins[k + 1], ins[k + 2]
            if dim.opname != "LOAD_CONST" or type(dim.argval) is not int:
                continue
            site: tuple[int, int | None]
            if i.opname == "LOAD_ATTR" and i.argval == "shape" and op.opname == "BINARY_SUBSCR":
                site = (i.offset, dim.argval)
            elif i.opname == "LOAD_METHOD" and i.argval == "size" and op.opname == "PRECALL" and k + 3 < end:
                site = (ins[k + 3].offset, None)
            elif i.opname == "LOAD_FAST" and op.opname == "BINARY_SUBSCR":
                stores = _stores(ins, i.argval)
                if len(stores) != 1 or stores[0] < 1 or ins[stores[0] - 1].opname != "LOAD_ATTR" \
                        or ins[stores[0] - 1].argval != "shape":
                    continue
                site = (ins[stores[0] - 1].offset, dim.argval)
            else:
                continue
            if site in self.sized:
                return False
            found = True
        return found

    def ranged(self, start: int, end: int, bounds: frozenset[str]) -> bool:
        """Whether the span reads, as it is or through arithmetic, the target of a loop over a
        ``range`` that one of the parameters ``bounds`` bounds (``e[..., i]`` in ``for i in
        range(bins)``)."""
        ins = self.instructions
        for k in range(start, end):
            if ins[k].opname != "LOAD_FAST" or ins[k].argval in self.params:
                continue
            for j in _stores(ins, ins[k].argval):
                loop = self._element(j)
                if loop is None or loop[0] in self.other_loops or self._item_paths(*self._iterable(loop[0])) is not _WHOLE:
                    continue
                first, stop = self._iterable(loop[0])
                if any(i.opname in ("LOAD_FAST", "LOAD_DEREF") and i.argval in bounds and _range_argument(ins, g)
                       for g, i in enumerate(ins[first:stop], first)):
                    return True
        return False

    def _over_argument(self, start: int, end: int) -> bool:
        ins = self.instructions
        # (a constant of the call, an int, is one in any arithmetic too: ``range(0, min(tx, j + 1))``)
        return any(i.opname in self.locals and i.argval in self.params and i.argval not in self.constants
                   and (ins[k + 1].opname, ins[k + 2].opname) != ("LOAD_CONST", "BINARY_SUBSCR")
                   for k, i in enumerate(ins[start:end], start))

    def adds_position(self, name: str) -> bool:
        """Whether a store of the local ``name`` that reads it also reads a loop position (``n = n
        + i`` over ``enumerate(targets)``): what it adds up is no count of the images' items."""
        ins = self.instructions
        for j in _stores(ins, name, cells=True):
            first = _assignment_start(ins, j)
            if first is None or not any(i.opname in self.locals and i.argval == name for i in ins[first:j]):
                continue
            for i in ins[first:j]:
                if i.opname in self.locals and i.argval != name:
                    for k in _stores(ins, i.argval, cells=True):
                        loop = self._element(k)
                        if loop is not None and self._position(loop[0], k):
                            return True
        return False

    def _running(self, name: str, j: int, first: int) -> bool:
        """Whether the store at ``j`` adds up over a loop over the batch (``n += len(s["labels"])``,
        ``n = n + x``): it reads ``name`` and ``name`` is stored before that loop, outside it."""
        ins = self.instructions
        if not any(i.opname in self.locals and i.argval == name for i in ins[first:j]):
            return False
        return any(batch and head < j < last and any(s < head for s in _stores(ins, name, cells=True))
                   for head, last, batch in self.loops)

    def _element(self, j: int) -> tuple[int, int, bool] | None:
        """The loop whose target (or a name it unpacks to) the store at ``j`` is."""
        ins = self.instructions
        k = j - 1
        while k >= 0 and ins[k].opname in ("STORE_FAST", "STORE_DEREF", "UNPACK_SEQUENCE"):
            k -= 1
        if k < 0 or ins[k].opname != "FOR_ITER":
            return None
        return next((loop for loop in self.loops if loop[0] == k), None)

    def _position(self, head: int, j: int) -> bool:
        """Whether the loop target stored at ``j`` is a number, a position, or an item of a table
        of the code's own at the loop's position: the loop runs over ``range(...)``, the target is
        the position ``enumerate(...)`` unpacks first, or a part of the item that ``_item_paths``
        reads as such (``w`` of ``for t, w in zip(targets, DECAY)``, of ``for (i, w), t in
        zip(enumerate(DECAY), targets)``)."""
        if self._over_outer(head):
            name = self.outer or ""  # a comprehension's loop over what the code making it passes
            if name in ("range", "items"):  # (``items``: a comprehension over positions, ``[0.5 ** j for j in ks]``)
                return True
            paths = _decoded_paths(name)
        else:
            paths = self._item_paths(*self._iterable(head), over_images=head in self.image_loops)
        path = _store_path(self.instructions, head, j)
        return path is not None and any(path[:len(p)] == p for p in paths)

    def unlisted(self, start: int, end: int, depth: int = 0) -> tuple[int, int]:
        """The span of the iterable ``start:end`` yields its items in turn of: that of ``reversed``
        (``_unreversed``), ``list`` or ``tuple``'s one argument, a local's one store (``idx =
        list(range(len(targets)))``, then ``for i in idx``); else the span."""
        ins = self.instructions
        start, end = _unreversed(ins, start, end)
        if depth > 4:
            return start, end
        if end - start == 1 and ins[start].opname in ("LOAD_FAST", "LOAD_DEREF") and ins[start].argval not in self.params:
            stores = _stores(ins, ins[start].argval, cells=True)
            value = _unpacked_value(ins, stores[0]) if len(stores) == 1 else None
            return self.unlisted(*value, depth + 1) if value is not None else (start, end)
        if end - start > 3 and ins[start].opname == "LOAD_GLOBAL" and ins[start].argval in ("list", "tuple") \
                and ins[end - 1].opname == "CALL" and ins[end - 1].arg == 1 and ins[end - 2].opname == "PRECALL" \
                and _operand_start(ins, end - 2) == start + 1:
            return self.unlisted(start + 1, end - 2, depth + 1)
        return start, end

    def _item_paths(self, start: int, end: int, over_images: bool = False) -> frozenset[tuple[int, ...]]:
        """The parts of the items of the iterable ``start:end`` (as unpacked: ``(1, 0)`` is the
        first name of the second one) that are a position or an item of a table of the code's own
        (``_constant_table``) taken in turn: all of ``range(...)``, the first of ``enumerate(...)``
        and the parts of what it enumerates, and of ``zip(...)`` over the images those of each of
        its arguments (all of a table); through a copy (``list(range(n))``) and a local stored
        once from such (``idx = list(range(len(targets)))``, then ``for i in idx``). ``over_images``: the
        iterable is proven, now, to run over the images (``_loops_read``: ``zip(outputs["x"], W)``)."""
        ins = self.instructions
        start, end = self.unlisted(start, end)
        callee = ins[start] if start < end else None
        if callee is None or ins[end - 1].opname != "CALL" or callee.opname != "LOAD_GLOBAL" or not (callee.arg or 0) & 1:
            return _NO_PATHS
        if callee.argval == "range":
            return _WHOLE
        spans = _argument_spans(ins, end - 1)
        if not spans:
            return _NO_PATHS
        spans = spans[::-1]
        if callee.argval == "enumerate":
            return frozenset({(0,), *((1, *p) for p in self._parts(*spans[0]))})
        if callee.argval == "zip" and (over_images or self.images(start, end, frozenset())):
            return frozenset((k, *p) for k, (a, b) in enumerate(spans) for p in self._parts(a, b))
        return _NO_PATHS

    def _parts(self, start: int, end: int) -> frozenset[tuple[int, ...]]:
        """``_item_paths`` of an iterable another one takes its items from in turn."""
        if _constant_table(self.instructions, self.instructions[start:end], tables=self.tables):
            return _WHOLE
        if end - start == 1 and self.instructions[start].opname in self.locals and self.positional(start, end):
            return _WHOLE  # a list of numbers computed from positions (``ws = [1.0 / (i + 1) for i in range(n)]``)
        return self._item_paths(start, end)

    def _over_outer(self, head: int) -> bool:
        """Whether the loop at ``head`` is a comprehension's over its iterable ``.0``, known to
        yield positions over the batch (``outer``)."""
        before = self.instructions[head - 1] if head else None
        return self.outer is not None and before is not None and before.opname == "LOAD_FAST" and before.argval == ".0"

    def positional(self, start: int, end: int, seen: frozenset[str] = frozenset(), at: int | None = None) -> bool:
        """Whether the span computes a value from a position in a loop over the images (``0.5 **
        i`` over ``enumerate(targets)``, ``n - 1 - i`` over ``range(len(targets))``; the images
        as ``images`` reads them): itself, in a local stored from one or filled with such values
        in a loop, or in a comprehension over such positions that reads them (``[0.5 ** i for i
        in range(n)]``). On a group alone an image has another position. A position that picks
        an item (``e[i]``, ``t[n - 1 - i]``) or is passed to a function other than a number
        builtin or ``math``'s (``count(fg, b)``, which may pick with it) is not read as a value
        (``_number_valued``). ``at``: the instruction using the value; a position counts only
        where that runs inside its loop (after it, ``n = i`` holds the count: ``acc / n``)."""
        ins = self.instructions
        k = start
        while k < end:
            i = ins[k]
            if i.opname in ("LOAD_FAST", "LOAD_DEREF") and i.argval not in seen and i.argval not in self.params \
                    and _number_valued(ins, k, end, self.tables):
                if self._positional_local(i.argval, seen | {i.argval}, at):
                    return True
            elif i.opname == "LOAD_CONST" and isinstance(i.argval, types.CodeType) and i.argval.co_name in _COMPREHENSIONS:
                span = _iterable_after(ins, k, end)
                if span is not None:
                    kind = "items" if self.positional(*span, seen, at) else self.iterated_positions(*span)
                    if kind is not None and _batch_reader(i.argval, kind, frozenset(),
                                                          _tables_of(self.code, i.argval, self.tables)).reads_positions():
                        return True
                    k = span[1]  # what it iterates is no value of it (``[x[b] for b in chosen]``)
            elif i.opname == "BINARY_SUBSCR" and self._table_cut(k) or i.opname == "LOAD_GLOBAL" and self._drawn(k, at):
                return True
            k += 1
        return False

    def _drawn(self, k: int, at: int | None) -> bool:
        """Whether ``next`` loaded at ``k`` draws an item from an iterator over a table of the
        code's own made before a loop over the images (``it = iter(DECAY)``, then ``next(it)`` in
        the loop, or in a comprehension over the images): the item at the image's position."""
        ins = self.instructions
        i = ins[k]
        if i.argval != "next" or not (i.arg or 0) & 1 or k + 3 >= len(ins) \
                or ins[k + 1].opname not in ("LOAD_FAST", "LOAD_DEREF") \
                or not (ins[k + 2].opname == "PRECALL" or ins[k + 2].opname == "LOAD_CONST" and ins[k + 3].opname == "PRECALL") \
                or not _constant_table(ins, [ins[k + 1]], tables=self.tables):
            return False
        stores = _stores(ins, ins[k + 1].argval, cells=True)
        return any(head < k < last and (at is None or head < at <= last) and not any(head < j < last for j in stores)
                   and (self._over_outer(head) or self.images(*self._iterable(head), frozenset()))
                   for head, last, _ in self.loops)

    def _table_cut(self, k: int) -> bool:
        """Whether the subscript at ``k`` cuts a table of the code's own (``_constant_table``) to a
        count of the images (``W[:len(targets)]``): its items by the images' positions."""
        ins = self.instructions
        index = _operand_start(ins, k)
        return (index is not None and ins[k - 1].opname == "BUILD_SLICE"
                and _constant_table(ins, _other_span(ins, k, 1), tables=self.tables) and self.images(index, k, frozenset()))

    def _positional_local(self, name: str, seen: frozenset[str], at: int | None) -> bool:
        ins = self.instructions
        stores = _stores(ins, name, cells=True)
        for j in stores:
            loop = self._element(j)
            if loop is not None:  # a loop's target: a position where the loop runs over the images
                head, last, _ = loop
                if head not in self.other_loops and (at is None or head < at <= last) and self._position(head, j) \
                        and (head in self.image_loops or self._over_outer(head)
                             or self.images(*self._iterable(head), frozenset())
                             or self._picks_an_image(head, last, ins[j].argval)):
                    return True
                continue
            value = _unpacked_value(ins, j)
            if value is not None and self.positional(*value, seen, at):
                return True
        return self.filled_positions(name, seen)

    def filled_positions(self, name: str, seen: frozenset[str] = frozenset()) -> bool:
        """Whether the code fills the local ``name`` with values computed from a position in a loop
        over the images (``ws.append(0.5 ** i)``: ``positional``)."""
        ins = self.instructions
        for k in range(len(ins) - 2):
            if ins[k].opname in ("LOAD_FAST", "LOAD_DEREF") and ins[k].argval == name \
                    and ins[k + 1].opname == "LOAD_METHOD" and ins[k + 1].argval in _FILLS:
                call = next((c for c in range(k + 2, len(ins)) if ins[c].opname == "CALL"), None)
                if call is not None and self.positional(k + 2, call, seen | {name}, call):
                    return True
        return False

    def _picks_an_image(self, head: int, last: int, name: str) -> bool:
        """Whether the loop from ``head`` to ``last`` picks an item of the per-image targets
        (``lists``) by its target ``name`` (``targets[b]``)."""
        ins = self.instructions
        return bool(self.lists) and any(
            ins[k].opname in self.locals and ins[k].argval in self.lists and ins[k + 1].opname in self.locals
            and ins[k + 1].argval == name and ins[k + 2].opname == "BINARY_SUBSCR" for k in range(head, last - 2))

    def reads_positions(self) -> bool:
        """Whether this code (a comprehension's) reads, other than as an index, a position of a
        loop over the images (``positional``)."""
        return self.positional(0, len(self.instructions))

    def iterated_positions(self, start: int, end: int, over_images: bool = False) -> str | None:
        """What the iterable ``start:end`` over the images yields (``range(len(targets))``,
        ``enumerate(terms)`` of a list of the images' terms, ``zip(targets, DECAY)``; ``images``):
        "range" where its items are positions, else "at:" and the parts of its items that are
        positions or a table's items in turn (``_item_paths``; maybe none); None where it runs
        over no images."""
        start, end = _unreversed(self.instructions, start, end)
        if not over_images and not self.images(start, end, frozenset()):
            return None
        paths = self._item_paths(start, end, over_images)
        if paths == _WHOLE:
            return "range"
        return "at:" + ";".join(".".join(map(str, p)) for p in sorted(paths))

    def images(self, start: int, end: int, seen: frozenset[str]) -> bool:
        """Whether the span reads the images themselves, strictly (unlike ``collection``): a
        parameter as passed (not an item, a field or a size of it: ``outputs["flows"]`` holds
        levels, ``x.shape[0]`` may count heads), in a call (``zip(targets, ..)``, ``len(targets)``),
        a local stored from one or a comprehension over one (``[e(t) for t in targets]``)."""
        ins = self.instructions
        for k in range(start, end):
            i = ins[k]
            outer = self.free(i.argval) if i.opname in _FREE_LOADS else None
            if (i.opname in self.locals and i.argval in self.params) or outer is not None and i.argval in outer.params:
                after = ins[k + 1 : k + 3]
                if _range_argument(ins, k) or i.opname in self.locals and (i.argval in self.levels or i.argval in self.constants):
                    continue  # ``range(bins)``: a number given to the call; ``enumerate(flows)`` of levels; a constant of the call
                if not any(a.opname in ("LOAD_ATTR", "LOAD_METHOD", "BINARY_SUBSCR") for a in after[:1]) \
                        and not (len(after) == 2 and after[1].opname == "BINARY_SUBSCR"):
                    return True
            elif i.opname in self.locals and i.argval not in seen and i.argval not in _OWNERS:
                if self._images_local(i.argval, seen | {i.argval}):
                    return True
            elif outer is not None and i.argval not in _OWNERS and outer._images_local(i.argval, frozenset({i.argval})):
                return True
            elif i.opname == "LOAD_CONST" and isinstance(i.argval, types.CodeType) and i.argval.co_name in _COMPREHENSIONS:
                span = _iterable_after(ins, k, end)
                if span is not None and self.images(*span, seen):
                    return True
            elif self.sized and self._size_of_rows(k, end):
                return True
        return False

    def _images_local(self, name: str, seen: frozenset[str]) -> bool:
        """Whether a store of the local ``name`` (not a loop's element) reads the images (``images``),
        or it is a list made before a loop over them and filled in it (``for k in range(x.shape[0]):
        px.append(..)``: an item per image, whatever each holds)."""
        ins = self.instructions
        for j in _stores(ins, name, cells=True):
            value = _unpacked_value(ins, j) if self._element(j) is None else None
            if value is not None and self.images(*value, seen):
                return True
        stores = _stores(ins, name, cells=True)
        return any(ins[k].opname in self.locals and ins[k].argval == name and ins[k + 1].opname == "LOAD_METHOD"
                   and ins[k + 1].argval in _FILLS and any(
                       head < k < last and not any(head < j < last for j in stores)  # (not made anew per image)
                       and self.images(*self._iterable(head), seen) for head, last, _ in self.loops)
                   for k in range(len(ins) - 1))

    def _size_of_rows(self, k: int, end: int) -> bool:
        """Whether the instruction at ``k`` reads a size of image rows (``sized``): ``x.shape[0]``,
        ``x.size(0)`` where that dim held the images' rows in this call."""
        ins = self.instructions
        i = ins[k]
        if i.opname == "LOAD_ATTR" and i.argval == "shape" and k + 2 < end and ins[k + 1].opname == "LOAD_CONST" \
                and ins[k + 2].opname == "BINARY_SUBSCR":
            return (i.offset, ins[k + 1].argval) in self.sized
        return i.opname == "CALL" and (i.offset, None) in self.sized

    def _comprehension(self, k: int, end: int, seen: frozenset[str]) -> bool:
        """Whether a comprehension's code is loaded at ``k`` and it iterates over the batch."""
        i = self.instructions[k]
        if i.opname != "LOAD_CONST" or not isinstance(i.argval, types.CodeType) or i.argval.co_name not in _COMPREHENSIONS:
            return False
        for g in range(k + 1, end):
            if self.instructions[g].opname == "GET_ITER":
                start = _operand_start(self.instructions, g)
                return start is None or self.collection(start, g, seen)
        return True

    def collection(self, start: int, end: int, seen: frozenset[str], whole: bool = False) -> bool:
        """Whether the span is (or counts) the batch's images or items of several images: an
        argument (not one image picked by a name, ``t[b]``), a ``len`` or comprehension of one, a
        local stored from one or filled in a loop over the batch it is made before. ``whole``
        (a loop's iterable): an argument itself, not a field of it (``outputs["flow"]``: levels)."""
        ins = self.instructions
        while end > start and ins[end - 1].opname == "PRECALL":
            end -= 1
        if end > start and ins[end - 1].opname == "LOAD_ATTR" and ins[end - 1].argval == "shape" or end - start > 2 and (
                ins[end - 1].opname, ins[end - 1].arg, ins[end - 3].opname, ins[end - 3].argval) == ("CALL", 0, "LOAD_METHOD", "size"):
            return False  # ``len(x.shape)``, ``len(x.size())``: the number of dims
        for k in range(start, end):
            i = ins[k]
            # a parameter a nested comprehension or function reads is a cell (``LOAD_DEREF t`` in
            # ``[f(o, t, b) for b in range(len(t))]``): the same argument
            outer = self.free(i.argval) if i.opname in _FREE_LOADS else None
            if (i.opname in self.locals and i.argval in self.params) or outer is not None and i.argval in outer.params:
                if i.opname in self.locals and i.argval in self.constants:
                    continue  # ``range(num_classes - 1)``, ``range(min(tx, j + 1))``: the caller's constant int, no images counted
                if self._along_other_dim(k, end):
                    continue  # ``range(out["layers"].shape[1])``: layers, no images
                after = ins[k + 1 : k + 3]
                picked = len(after) == 2 and after[1].opname == "BINARY_SUBSCR"
                if not (picked and (whole or after[0].opname in ("LOAD_FAST", "LOAD_DEREF"))) \
                        and not (outer is not None and self._element_of_field(k + 1, end)):
                    return True  # ``t[b]``: the loop's image
            elif i.opname == "LOAD_FAST" and i.argval not in _OWNERS and self._unseen(i.argval, seen):
                if self._collection_local(i.argval, seen | {i.argval}):
                    return True
            elif outer is not None and i.argval not in _OWNERS and outer._collection_local(i.argval, frozenset({i.argval})):
                return True
            elif self._comprehension(k, end, seen) or i.opname == "LOAD_GLOBAL" and i.argval == "len" and self.number(k, end, seen):
                return True
        return False

    def _element_of_field(self, k: int, end: int) -> bool:
        """Whether, from ``k`` (after an argument a comprehension or a nested function reads from the
        enclosing code), the code picks fields by string literals, then one item by a target of this
        code's own loop (``outputs["label_maps"][i]`` over ``enumerate(zip(targets, ..))``): one
        image's item, as ``t[b]``."""
        ins = self.instructions
        while k + 1 < end and ins[k].opname == "LOAD_CONST" and type(ins[k].argval) is str \
                and ins[k + 1].opname == "BINARY_SUBSCR":
            k += 2
        if k + 1 >= end or ins[k].opname != "LOAD_FAST" or ins[k + 1].opname != "BINARY_SUBSCR":
            return False
        stores = _stores(ins, ins[k].argval)
        return bool(stores) and all(self._element(j) is not None for j in stores)

    def _along_other_dim(self, k: int, end: int) -> bool:
        """Whether the argument loaded at ``k`` (as passed or a field of it, not a tensor the body
        made: padded to the longest, its dims follow the images) is read, before ``end``, for the
        size of a dim after the first (``out["layers"].shape[1]``, ``x.size(2)``, the sizes ``x.shape[2:]``): a plain int
        there is no size of image rows (the capture reads one as a ``RowCount``, a dim after the
        first of a time-major argument too), so on a group alone it is the same."""
        ins = self.instructions
        head = k + 1
        while head < end and (ins[head].opname == "LOAD_CONST" and type(ins[head].argval) is str
                              or ins[head].opname == "BINARY_SUBSCR"
                              or ins[head].opname == "LOAD_ATTR" and ins[head].argval != "shape"):
            head += 1  # ``["teacher"]``, ``.layers``
        after = ins[head : head + 5]
        if len(after) < 3 or after[1].opname != "LOAD_CONST" or type(after[1].argval) is not int or after[1].argval < 1:
            return False
        if after[0].opname == "LOAD_ATTR" and after[0].argval == "shape":
            # (``x.shape[2:]``, ``x.shape[1:3]``: the sizes of dims from a positive literal one on, never the first)
            return after[2].opname == "BINARY_SUBSCR" or len(after) == 5 and after[2].opname == "LOAD_CONST" \
                and (after[2].argval is None or type(after[2].argval) is int) \
                and (after[3].opname, after[3].arg, after[4].opname) == ("BUILD_SLICE", 2, "BINARY_SUBSCR")
        return (after[0].opname == "LOAD_METHOD" and after[0].argval == "size" and len(after) >= 4
                and after[2].opname == "PRECALL" and after[3].opname == "CALL" and after[3].arg == 1)

    def _collection_local(self, name: str, seen: frozenset[str]) -> bool:
        return self._known_answer("collection", name, seen, False, lambda: self._read_collection_local(name, seen))

    def _read_collection_local(self, name: str, seen: frozenset[str]) -> bool:
        ins = self.instructions
        stores = _stores(ins, name, cells=True)
        for j in stores:
            if self._element(j) is not None:
                continue  # a loop's element: one image's (or one item's)
            first = _assignment_start(ins, j)
            if first is not None and self.collection(first, j, seen):
                return True
        fills = [k for k in range(len(ins) - 1) if ins[k].opname in self.locals and ins[k].argval == name
                 and ins[k + 1].opname == "LOAD_METHOD" and ins[k + 1].argval in _FILLS]
        return any(batch and head < k < last and not any(head < s < last for s in stores) and any(s < head for s in stores)
                   for k in fills for head, last, batch in self.loops)


def _number_valued(instructions: list[dis.Instruction], p: int, end: int, tables: frozenset[str] = frozenset()) -> bool:
    """Whether the value pushed at ``p`` reaches what the straight-line code up to ``end`` computes
    as a number itself: through arithmetic, comparisons and calls of number builtins or of ``math``
    / numpy functions (``float(i)``, ``math.pow(0.5, i)``), not as a subscript's index nor as an
    argument of another call (a helper: what it computes from it is not read here) but a list's
    fill (``ws.append(0.5 ** i)``)."""
    while True:
        found = _consumer(instructions, p)
        if found is None or found[0] >= end:
            return True  # stored, returned, appended, the span's value: the value itself
        k, operand = found
        name = instructions[k].opname
        if name == "BINARY_SUBSCR":
            if operand == 1 and _constant_table(instructions, _other_span(instructions, k, 1), tables=tables):
                p = k  # ``W[i]``, ``self.decay[i]``: a number of the code's own table, picked by the position
                continue
            return operand != 1
        if name in ("BUILD_TUPLE", "BUILD_SLICE"):  # ``x[b, :n]``: an index still, where subscripted
            p = k
            continue
        if name == "CALL":
            start = _arguments_start(instructions, k)
            callee = instructions[start - 1] if start else None
            owner = instructions[start - 2] if start and start > 1 else None
            if callee is not None and callee.opname == "LOAD_METHOD" and callee.argval in _FILLS:
                return True
            if not (callee is not None and (callee.opname == "LOAD_GLOBAL" and callee.argval in _COUNTING
                                            or callee.opname in ("LOAD_METHOD", "LOAD_ATTR") and owner is not None
                                            and owner.opname == "LOAD_GLOBAL" and owner.argval in _NUMERIC_NAMES)):
                return False
        elif name not in _KEPT and name != "COMPARE_OP":
            return True
        p = k


def _constant_table(instructions: list[dis.Instruction], span: list[dis.Instruction], depth: int = 0,
                    tables: frozenset[str] = frozenset()) -> bool:
    """Whether ``span`` loads a table of the code's own, the same on every call: a global or a
    module's attribute (``W``, ``cfg.WEIGHTS``), an attribute of ``self`` / ``cls``, a literal
    tuple, list or dict, a slice of one (``W[::-1]``), a copy, a tensor, an iterator or another
    sequence of its items in turn made of one (``list(W)``, ``torch.tensor(W)``, ``iter(W)``,
    ``reversed(W)``, ``enumerate(W)``, ``itertools.cycle(W)``), or a local only ever stored from
    one of those (``tables``: the free variables the code making a comprehension stores so)."""
    if not span or any(i.is_jump_target for i in span):
        return False
    first, rest = span[0], span[1:]
    if first.opname == "LOAD_CONST" and not rest:
        return isinstance(first.argval, tuple)
    if first.opname == "LOAD_GLOBAL" and not (first.arg or 0) & 1 \
            or first.opname == "LOAD_FAST" and first.argval in _OWNERS:
        if all(i.opname == "LOAD_ATTR" for i in rest):
            return True
    if first.opname == "BUILD_LIST" and (len(rest) == 2 and rest[0].opname == "LOAD_CONST" and isinstance(
            rest[0].argval, tuple) and rest[1].opname == "LIST_EXTEND" or first.arg == 0 and not rest):
        return True  # ``[1.0, 0.5, 0.25]``: built from a constant tuple
    if span[-1].opname in ("BUILD_LIST", "BUILD_TUPLE", "BUILD_CONST_KEY_MAP", "BUILD_MAP") \
            and all(i.opname == "LOAD_CONST" for i in span[:-1]):
        return True  # ``[0.9, 0.6]``, ``{0: 0.9, 1: 0.6}``
    if first.opname in ("LOAD_FAST", "LOAD_DEREF") and not rest:
        return first.opname == "LOAD_DEREF" and first.argval in tables or depth < 3 and _local_table(
            instructions, first.argval, depth, tables)
    if depth < 3 and span[-1].opname in ("CALL", "BINARY_SUBSCR"):
        end = _index_of(instructions, span[-1])
        return end is not None and _made_table(instructions, end - len(span) + 1, end, depth, tables)
    return False


def _index_of(instructions: list[dis.Instruction], i: dis.Instruction) -> int | None:
    """The index of the instruction ``i`` (by its offset) in ``instructions``."""
    return _offset_index(instructions).get(i.offset)


def _offset_index(instructions: list[dis.Instruction]) -> dict[int, int]:
    key = id(instructions)
    known = _OFFSET_INDEX.get(key)
    if known is not None and known[0] is instructions:
        return known[1]
    if len(_OFFSET_INDEX) >= 1024:
        _OFFSET_INDEX.clear()
    found = _OFFSET_INDEX[key] = (instructions, {i.offset: k for k, i in enumerate(instructions)})
    return found[1]


_OFFSET_INDEX: dict[int, tuple[list[dis.Instruction], dict[int, int]]] = {}
# calls whose result gives the items of their first argument, a table, in an order of their own
_TABLE_BUILTINS = frozenset({"list", "tuple", "iter", "reversed", "sorted", "enumerate"})
# methods of a table whose result holds its items in turn
_TABLE_METHODS = frozenset({"to", "cuda", "cpu", "float", "double", "half", "clone", "detach", "tolist", "flip",
                            "type_as", "contiguous", "copy", "numpy"})
_TABLE_FUNCTIONS = {"itertools": frozenset({"cycle", "islice", "accumulate"}),
                    "torch": frozenset({"tensor", "as_tensor"}), "np": frozenset({"array", "asarray"}),
                    "numpy": frozenset({"array", "asarray"})}


def _local_table(instructions: list[dis.Instruction], name: str, depth: int, tables: frozenset[str]) -> bool:
    """Whether the local (or cell) ``name`` is only ever stored from a table (``_constant_table``)."""
    stores = _stores(instructions, name, cells=True)
    if not stores or any(instructions[j].opname not in ("STORE_FAST", "STORE_DEREF") for j in stores):
        return False
    for j in stores:
        start = _operand_start(instructions, j)
        if start is None or not _constant_table(instructions, instructions[start:j], depth + 1, tables):
            return False
    return True


def _made_table(instructions: list[dis.Instruction], start: int, end: int, depth: int, tables: frozenset[str]) -> bool:
    """Whether the call or subscript at ``end`` (its span from ``start``) makes a table of a table's
    items: a slice of one, a call of ``_TABLE_BUILTINS`` / ``_TABLE_FUNCTIONS`` given one first, or
    of one's ``_TABLE_METHODS``."""
    last = instructions[end]
    if last.opname == "BINARY_SUBSCR":
        index = _operand_start(instructions, end)
        return (index is not None and start < index and instructions[end - 1].opname == "BUILD_SLICE"
                and _constant_table(instructions, instructions[start:index], depth + 1, tables))
    spans = _argument_spans(instructions, end)
    if spans is None:
        return False
    a = spans[-1][0] if spans else _arguments_end(instructions, end)
    callee = instructions[start:a]
    if len(callee) > 1 and callee[-1].opname in ("LOAD_METHOD", "LOAD_ATTR") and callee[-1].argval in _TABLE_METHODS:
        owner = callee[:-1]  # ``DECAY_T.to(x.device)`` (3.11 loads a global owner with the NULL: ``NULL + DECAY_T``)
        return (owner[0].opname == "LOAD_GLOBAL" and all(i.opname == "LOAD_ATTR" for i in owner[1:])
                or _constant_table(instructions, owner, depth + 1, tables))
    if not spans:
        return False
    b = spans[-1][1]
    if len(callee) == 1:
        named = callee[0].opname == "LOAD_GLOBAL" and callee[0].argval in _TABLE_BUILTINS
    else:
        named = (len(callee) == 2 and callee[0].opname == "LOAD_GLOBAL"
                 and callee[1].opname in ("LOAD_ATTR", "LOAD_METHOD")
                 and callee[1].argval in _TABLE_FUNCTIONS.get(callee[0].argval, ()))
    return named and _constant_table(instructions, instructions[a:b], depth + 1, tables)


_NO_PATHS: frozenset[tuple[int, ...]] = frozenset()
_WHOLE: frozenset[tuple[int, ...]] = frozenset({()})


def _decoded_paths(outer: str) -> frozenset[tuple[int, ...]]:
    """The parts ``_BatchReader.iterated_positions`` writes after "at:"."""
    if not outer.startswith("at:") or outer == "at:":
        return _NO_PATHS
    return frozenset(tuple(int(n) for n in p.split(".") if n) for p in outer[3:].split(";"))


def _store_path(instructions: list[dis.Instruction], head: int, j: int) -> tuple[int, ...] | None:
    """Which part of the item of the loop whose FOR_ITER is at ``head`` the store at ``j`` stores,
    as unpacked (``()``: the item itself; ``(1, 0)``: the first name of its second part)."""
    found: tuple[int, ...] | None = None

    def walk(k: int, path: tuple[int, ...]) -> int:
        nonlocal found
        if k >= len(instructions):
            return k
        i = instructions[k]
        if i.opname == "UNPACK_SEQUENCE":
            k += 1
            for n in range(i.arg or 0):
                k = walk(k, (*path, n))
            return k
        if k == j:
            found = path
        return k + 1

    walk(head + 1, ())
    return found


@_per_code(256)
def _batch_reader(code: types.CodeType, outer: str | None = None, sized: frozenset[tuple[int, Any]] = frozenset(),
                  tables: frozenset[str] = frozenset(), lists: frozenset[str] = frozenset(),
                  constants: frozenset[str] = frozenset(), scopes: tuple[types.CodeType, ...] = (),
                  images: frozenset[int] = frozenset(), levels: frozenset[str] = frozenset(),
                  skipped: frozenset[tuple[Any, int]] = frozenset(), others: frozenset[int] = frozenset()) -> _BatchReader:
    return _BatchReader(code, outer, sized, tables, lists, constants, scopes, images, levels, skipped, others)



@_per_code(1024)
def _range_parameters(code: types.CodeType) -> frozenset[str]:
    """The parameters ``code`` passes to ``range`` (``_range_bound``)."""
    if "range" not in code.co_names:
        return frozenset()
    ins = _instructions(code)
    params = frozenset(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    # (a parameter a comprehension reads too is a cell: ``LOAD_DEREF``)
    return frozenset(i.argval for k, i in enumerate(ins) if (i.opname == "LOAD_FAST" or i.opname == "LOAD_DEREF"
                     and i.argval in code.co_cellvars) and i.argval in params and _range_argument(ins, k))


@_per_code(1024)
def _range_free_variables(code: types.CodeType) -> frozenset[str]:
    """The free variables ``code`` passes to ``range``: a nested function's ``range(n)`` of its
    maker's ``n = len(targets)`` (nothing tells it a constant of the call)."""
    if "range" not in code.co_names or not code.co_freevars:
        return frozenset()
    ins = _instructions(code)
    return frozenset(i.argval for k, i in enumerate(ins)
                     if i.opname == "LOAD_DEREF" and i.argval in code.co_freevars and _range_argument(ins, k))


def _literal_cells(f: types.FrameType) -> frozenset[str]:
    """The free variables of ``f``'s code that the calling frame, where it made ``f``'s function,
    stores only as literal ints (``n = 3``), nothing else storing them: the same on a group alone."""
    back = f.f_back
    if back is None or f.f_code not in back.f_code.co_consts or any(
            i.opname == "STORE_DEREF" for i in _instructions(f.f_code)):
        return frozenset()
    ins = _instructions(back.f_code)
    found = set()
    for name in set(f.f_code.co_freevars) & set(back.f_code.co_cellvars):
        stores = [k for k, i in enumerate(ins) if i.opname in ("STORE_DEREF", "DELETE_DEREF") and i.argval == name]
        if stores and all(ins[k].opname == "STORE_DEREF" and k > 0 and ins[k - 1].opname == "LOAD_CONST"
                          and type(ins[k - 1].argval) is int and not ins[k].is_jump_target for k in stores):
            found.add(name)
    return frozenset(found)


def _constant_bounds(f: types.FrameType) -> frozenset[str]:
    """``f``'s parameters bounding a ``range`` (``_range_parameters``) that hold a constant of the
    call (``_parameter_value``: ``corn_loss(.., num_classes=self.num_classes)``, a literal, a
    default), the same on any group alone. A helper's parameter is otherwise read as the batch (a
    count the caller passed, ``len(targets)``, makes its range one over the images)."""
    names = _range_parameters(f.f_code)
    if not names:
        return names
    capture = CAPTURE.get()  # the decorated body's own parameter: constant where it holds a default not passed
    body = capture.read_body_call_once if capture is not None else None
    return frozenset(n for n in names if _held_parameter(f.f_code, n) and _parameter_value(f, n, body, None, 0)
                     is not _UNPROVEN)


def _held_parameter(code: types.CodeType, name: str) -> bool:
    """Whether ``code``'s parameter ``name`` keeps the value it was passed: no store of it there, nor
    in code nested in it (a parameter a comprehension reads is a cell; ``nonlocal n`` may rebind it)."""
    return name not in _rebound(code) and not _nested_stores(code, name) \
        and all(i.opname != "STORE_DEREF" or i.argval != name for i in _instructions(code))



def _constant_numbers(f: types.FrameType) -> frozenset[str]:
    """``f``'s parameters holding an int or float that is a constant of the call (``_parameter_value``:
    RTMDet's ``topk=4`` at its default in ``min(topk, len(ious))``): the same on any group alone, so no
    count of the images whatever it equals."""
    code, held = f.f_code, _locals(f)
    names = [n for n in code.co_varnames[: code.co_argcount + code.co_kwonlyargcount] if type(held.get(n)) in (int, float)]
    if not names:
        return frozenset()
    capture = CAPTURE.get()
    body = capture.read_body_call_once if capture is not None else None
    return frozenset(n for n in names if _parameter_value(f, n, body, None, 0) is not _UNPROVEN)


def _owner_code(code: types.CodeType, scopes: tuple[types.CodeType, ...], name: str
                ) -> tuple[types.CodeType, tuple[types.CodeType, ...]] | None:
    """(the code storing ``name``, the scopes around it) where ``code`` loads ``name``: ``code``
    itself, or where ``name`` is a free variable of it, the first of ``scopes`` (``_scopes``) that
    does not read it from its own enclosing code. None where that code is not known."""
    while name in code.co_freevars:
        if not scopes:
            return None
        code, scopes = scopes[0], _Scopes(scopes[1:])
    return code, scopes


def _owner_frame(f: types.FrameType, name: str) -> types.FrameType | None:
    """The frame whose code stores ``name`` that ``f``'s code loads: ``f``, or where ``name`` is a
    free variable there, the enclosing frame making its code (``_enclosing_frame``) that holds it
    as a local or a cell of its own. None where not found."""
    g: types.FrameType | None = f
    for _ in range(_FOLLOWED_CALLS):
        if g is None or name not in g.f_code.co_freevars:
            return g
        g = _enclosing_frame(g)
    return None


def _scopes(f: types.FrameType) -> tuple[types.CodeType, ...]:
    """The codes of the frames that made ``f``'s code and those that made theirs (``_enclosing_frame``),
    innermost first, as far as each has free variables: where a name it loads by ``LOAD_DEREF``
    and does not store is stored (a comprehension's, a lambda's, a nested function's). Empty where
    ``f``'s code has none (or nothing can be told)."""
    found: list[types.CodeType] = []
    g: types.FrameType | None = f
    while g is not None and g.f_code.co_freevars and len(found) < _FOLLOWED_CALLS:
        g = _enclosing_frame(g)
        if g is not None:
            found.append(g.f_code)
    return _Scopes(found) if found else _NO_SCOPES


class _Scopes(tuple):
    """Code objects (``_scopes``), hashed and compared by identity: a key of the ``_per_code`` caches
    (``hash(code)`` hashes its constants, nested code included, on every ask)."""

    def __hash__(self) -> int:
        return hash(tuple(map(id, self)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, tuple) and len(self) == len(other) and all(a is b for a, b in zip(self, other))

    def __ne__(self, other: object) -> bool:
        return not self == other


_NO_SCOPES = _Scopes()


def _index(instructions: list[dis.Instruction], p: int) -> bool:
    """Whether the value pushed at ``p`` reaches, through arithmetic only, the index of a
    subscript (``e[b]``, ``t[b - 1]``): a position picks a value, its number is no value itself."""
    while True:
        found = _consumer(instructions, p)
        if found is None:
            return False
        k, operand = found
        name = instructions[k].opname
        if name == "BINARY_SUBSCR":
            return operand == 1
        if name not in _KEPT:
            return False
        p = k


def _maybe_number(instructions: list[dis.Instruction], first: int, j: int) -> bool:
    """Whether the assignment whose store is at ``j`` (its statement starting at ``first``) may
    store a plain Python number: not where its value is a method's or torch's result
    (``total = total + e[b].mean() / len(t)`` holds a tensor, whatever else ``total`` held)."""
    if j <= first or instructions[j - 1].opname in ("FOR_ITER", "UNPACK_SEQUENCE", "STORE_FAST"):
        return True
    start = _operand_start(instructions, j)
    return start is None or start < first or _number_shaped(instructions, start, j)


def _number_shaped(instructions: list[dis.Instruction], start: int, end: int, sizes: bool = False) -> bool:
    """Whether the straight-line operand ``start:end`` may be a plain number, read from its code
    alone: a call only of a number builtin (``len``, ``float``, ``max``...), of a global function
    (``sqrt(n)``; not with ``sizes``), of a function of the ``math`` or numpy global or of
    ``.item()`` / ``.tolist()``, and arithmetic of such operands (a call of anything else,
    ``F.l1_loss(..)``, ``e[b].mean()``, is taken for a tensor's)."""
    last = instructions[end - 1]
    if last.opname in ("BINARY_OP", "COMPARE_OP"):
        right = _operand_start(instructions, end - 1)
        return (right is None or right <= start or _number_shaped(instructions, start, right, sizes)
                and _number_shaped(instructions, right, end - 1, sizes))
    if last.opname in _KEPT:
        return _number_shaped(instructions, start, end - 1, sizes)
    if last.opname != "CALL":
        return True
    at = _callee_at(instructions, start, end)
    if at is None:
        return True
    callee = instructions[at]
    if callee.opname == "LOAD_GLOBAL":  # a number builtin, or a function imported by name (``sqrt(n)``)
        return callee.argval in _COUNTING or not sizes and (callee.arg or 0) & 1 == 1
    if callee.opname in ("LOAD_METHOD", "LOAD_ATTR") and at - 1 >= start:
        owner = instructions[at - 1]
        return (callee.argval in ("item", "tolist") or owner.opname == "LOAD_GLOBAL" and (
                    owner.argval in _NUMERIC_NAMES or (owner.argval, callee.argval) == ("operator", "index"))
                or sizes and (callee.argval in _SIZE_NAMES or callee.argval == "dim"))  # (``operator.index(len(t))``: the int itself, as ``int(..)``)
    return False


_NUMERIC_NAMES = frozenset({"math", "np", "numpy"})  # the names these modules are imported as


def _callee_at(instructions: list[dis.Instruction], start: int, end: int) -> int | None:
    """The index of the instruction that loads the function the CALL at ``end - 1`` calls, within
    ``start:end``; None where not found there."""
    callee_end: int | None = end - 1
    while callee_end is not None and callee_end > start and instructions[callee_end - 1].opname in ("PRECALL", "KW_NAMES"):
        callee_end -= 1
    for _ in range(instructions[end - 1].arg or 0):
        callee_end = _operand_start(instructions, callee_end) if callee_end is not None else None
    return None if callee_end is None or callee_end <= start else callee_end - 1


def _assignment_start(instructions: list[dis.Instruction], j: int) -> int | None:
    """The index of the first instruction of the statement whose store is at ``j``: the ones
    right before it on its target's line or after (a ``for`` target: its iterable too)."""
    line = _line(instructions[j])
    if line is None:
        return None
    k = j
    while k > 0:
        before = _line(instructions[k - 1])
        if before is None or before < line:
            break
        k -= 1
    return k


def _line(i: dis.Instruction) -> int | None:
    positions = getattr(i, "positions", None)  # 3.11+
    return None if positions is None else positions.lineno


def _plain_number(instructions: list[dis.Instruction], start: int, end: int, held: dict[str, Any],
                  numbers: tuple[type, ...] = (int, float), globals_: dict[str, Any] | None = None) -> bool:
    """Whether the operand ``start:end`` is a plain Python number now: a literal int or float, a
    local holding one of ``numbers`` (not a ``RowCount``: the capture follows those itself), a
    call of a number builtin (``len``, ``float``, ``max``...) or of a function of ``math`` or
    numpy (``math.sqrt(n)``, ``np.log(n)``, ``sqrt(n)`` imported from math: read in ``globals_``),
    or ``-x`` or arithmetic of such operands."""
    if end <= start:
        return False
    last = instructions[end - 1]
    op = last.opname  # (a tuple field: no specialised load, read once)
    if op == "LOAD_CONST":
        return end - start == 1 and type(last.argval) in (int, float)
    if op in ("LOAD_FAST", "LOAD_DEREF"):
        value = held.get(last.argval)
        return end - start == 1 and (type(value) in numbers or _numpy_number(value))
    if op == "LOAD_ATTR" and end - start == 2 and instructions[start].opname in ("LOAD_FAST", "LOAD_DEREF"):
        owner = held.get(instructions[start].argval)  # ``Cfg.scale`` of a class made in the call
        if type(owner) is types.SimpleNamespace or hasattr(type(owner), "__dataclass_fields__") and not isinstance(owner, type) \
                or isinstance(owner, tuple) and hasattr(type(owner), "_fields"):  # (a NamedTuple's)
            return type(getattr(owner, last.argval, None)) in numbers  # ``cfg.cap``: a record's field (rt32)
        return (isinstance(owner, type) and "<locals>" in owner.__qualname__
                and type(owner.__dict__.get(last.argval)) in numbers)
    if op == "BINARY_SUBSCR" and (end - start) % 2 and end - start >= 3 and instructions[start].opname in ("LOAD_FAST", "LOAD_DEREF") \
            and type(held.get(instructions[start].argval)) in (dict, list, tuple) \
            and all(i.opname == "LOAD_CONST" and j.opname == "BINARY_SUBSCR" for i, j in zip(
                instructions[start + 1:end:2], instructions[start + 2:end:2])):  # ``cfg["cap"]``, ``t[0]["loss_weight"]``
        owner = held.get(instructions[start].argval)
        for i in instructions[start + 1:end:2]:
            owner = _literal_item(owner, i.argval)
        if type(owner) in numbers:
            return True
    if op == "LOAD_GLOBAL" and end - start == 1 and not (last.arg or 0) & 1 and globals_ is not None:
        return type(globals_.get(last.argval)) in numbers  # a module's number (``_HALF``)
    if op == "BINARY_SUBSCR" and end - start == 3 and instructions[start].opname in ("LOAD_FAST", "LOAD_DEREF") \
            and instructions[start + 1].opname == "LOAD_CONST" and type(instructions[start + 1].argval) is int:
        return _numpy_vector(held.get(instructions[start].argval))  # ``ws[1]`` of ``ws = np.linspace(0, 1, n + 1)``
    if op == "UNARY_NEGATIVE":
        return _plain_number(instructions, start, end - 1, held, numbers, globals_)
    if op == "BINARY_OP":
        right = _operand_start(instructions, end - 1)
        return (right is not None and right > start and _plain_number(instructions, right, end - 1, held, numbers, globals_)
                and _plain_number(instructions, start, right, held, numbers, globals_))
    if op == "CALL":
        callee = instructions[start]
        if callee.opname == "PUSH_NULL" and end - start == 4 and instructions[start + 1].opname in ("LOAD_FAST", "LOAD_DEREF"):
            return _made_in_call(held.get(instructions[start + 1].argval))  # ``count()``, no argument
        if callee.opname == "LOAD_FAST" and callee.argval in _OWNERS and callee.argval in held \
                and _callee_at(instructions, start, end) == start + 1 and instructions[start + 1].opname == "LOAD_METHOD":
            return _count_function(_self_function(held[callee.argval], instructions[start + 1].argval))
        if callee.opname != "LOAD_GLOBAL":
            return False
        if (callee.arg or 0) & 1 == 1 and callee.argval in _COUNTING:
            return True
        if globals_ is None:
            return False
        if (callee.arg or 0) & 1 == 1 and _count_function(globals_.get(callee.argval)):
            return True  # ``_len(t)`` of ``def _len(v): return len(v)``, ``cap_of(t)`` of ``return 0.1 * len(t)``
        at = _callee_at(instructions, start, end)
        if at == start:  # ``sqrt(n)``, ``from math import sqrt``
            return _numeric_function(globals_.get(callee.argval))
        if at is not None and at > start + 1 and instructions[at].opname == "LOAD_METHOD" and last.arg == 0 \
                and instructions[at].argval in _NUMPY_REDUCTIONS:  # ``np.ones(n).sum()``: a NumPy scalar
            return _plain_number(instructions, start, at, held, numbers, globals_)
        return (at == start + 1 and instructions[at].opname in ("LOAD_METHOD", "LOAD_ATTR")
                and getattr(globals_.get(callee.argval), "__name__", None) in _NUMERIC_MODULES
                and _numeric_function(getattr(globals_.get(callee.argval), instructions[at].argval, None)))
    return False


_NUMERIC_MODULES = frozenset({"math", "numpy"})
_NUMPY_REDUCTIONS = frozenset({"sum", "mean", "prod", "max", "min"})  # of an array a NumPy function made, no axis: a scalar


def _numpy_vector(value: Any) -> bool:
    """Whether ``value`` is a 1-d NumPy array of real numbers (an item of it is a NumPy scalar)."""
    return type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 1 and value.dtype.kind in "fiu"


def _numpy_number(value: Any) -> bool:
    """Whether ``value`` is a NumPy real scalar (``np.float32(1.0) / n``: no ``float`` subclass as ``np.float64`` is)."""
    return type(value).__module__ == "numpy" and isinstance(value, numbers.Real)


def _numeric_function(fn: Any) -> bool:
    """Whether ``fn`` is a function of ``math`` or numpy (a number of numbers in, a number out)."""
    module = getattr(fn, "__module__", None) or getattr(type(fn), "__module__", None)
    return callable(fn) and isinstance(module, str) and module.split(".")[0] in _NUMERIC_MODULES


def _value(instructions: list[dis.Instruction], start: int, end: int, held: dict[str, Any]) -> Any:
    """The value of a one-instruction operand (a literal, a local), else ``_UNPROVEN``."""
    if end - start != 1:
        return _UNPROVEN
    i = instructions[start]
    return i.argval if i.opname == "LOAD_CONST" else held.get(i.argval, _UNPROVEN)


# where a number read from a returned loss may end without reaching any value of the call: dropped,
# stored into a container's item or an attribute (``stats["last"] = loss.item()``), formatted
_SET_ASIDE = frozenset({"POP_TOP", "STORE_SUBSCR", "STORE_ATTR", "FORMAT_VALUE", "BUILD_STRING"})
# what a number passes through on its way there: its result is followed in turn
_PASSED = frozenset({"BINARY_OP", "UNARY_NEGATIVE", "UNARY_POSITIVE", "COMPARE_OP", "CALL", "BUILD_TUPLE",
                     "BUILD_LIST", "BUILD_MAP", "BUILD_CONST_KEY_MAP"})


def read_set_aside() -> bool | None:
    """Whether the number the host read the caller's code is executing returns (``v = loss.item()``,
    ``float(loss)``) reaches only places that keep it apart from the call's values: it, and every
    result computed from it (arithmetic, a call it is passed to, a container it is put in), is
    dropped (``logger.info(...)``, ``meter.update(v)``), stored into a container's item or an
    attribute, or formatted. Where it meets anything else -- a branch, a ``return``, a loop, a local
    name of a closure -- a number computed from it may reach a loss unseen (``e.sum() *
    math.exp(v)``): False. None where nothing can be told (another layout, an unchecked Python)."""
    f = _caller() if _VERSION in _LOG_CHECKED else None
    if f is None:
        return None
    return _set_aside_at(f.f_code, _lasti(f))


@_per_code(256)
def _set_aside_at(code: types.CodeType, lasti: int) -> bool | None:
    instructions, at = _located_frame(code, lasti)  # ``float(loss)``: maybe on the CALL's inline caches
    if at is None or instructions[at].opname != "CALL":
        return None
    if not code.co_flags & 1 or _INTROSPECTION & set(code.co_names):  # 1: CO_OPTIMIZED
        return False
    cells = set(code.co_cellvars) | set(code.co_freevars)

    def visit(k: int, operand: int) -> list[int] | None:
        i = instructions[k]
        if i.opname in _SET_ASIDE:
            return []
        if i.opname == "STORE_FAST" and i.argval not in cells:
            return _loads(instructions, i.argval)
        return [k] if i.opname in _PASSED else None

    return _follow(instructions, at, visit)


def read_compared() -> bool:
    """Whether the number the host read the caller's code is executing returns, or a number
    computed from it in straight-line code, is passed to the builtin ``min``, ``max`` or ``sorted``
    (``self.best = min(self.best, loss.item())``): which number is kept is a decision on it that no
    op shows (rt28: kept the batch's decision on every group). False where nothing can be told."""
    f = _caller() if _VERSION in _LOG_CHECKED else None
    return f is not None and _compared_at(f.f_code, _lasti(f))


@_per_code(256)
def _compared_at(code: types.CodeType, lasti: int) -> bool:
    instructions, at = _located_frame(code, lasti)
    if at is None or instructions[at].opname != "CALL":
        return False
    pending = [at]
    for made, found in _uses(instructions, pending):
        if found is None:
            continue
        k = found[0]
        i = instructions[k]
        if i.opname == "CALL" and _global_callee(instructions, k) in _CHOOSING:
            # against literals only (``max(reg.item(), 0.01)``: a floored read, see ``GroupFloat``) it is
            # followed; against anything else (an attribute kept from earlier calls) it is not
            spans = _argument_spans(instructions, k)
            if spans is None or any(not start <= made < end and any(
                    x.opname not in ("LOAD_CONST", "UNARY_NEGATIVE") for x in instructions[start:end])
                    for start, end in spans):
                return True
        elif i.opname == "STORE_FAST":
            pending += _loads(instructions, i.argval)
        elif i.opname in _PASSED:
            pending.append(k)
    return False


# builtins whose result is one of their arguments chosen by comparing them
_CHOOSING = frozenset({("min",), ("max",), ("sorted",)})


def _loads(instructions: list[dis.Instruction], name: str) -> list[int]:
    """Indices of the instructions that load the local ``name``."""
    return [j for j, x in enumerate(instructions) if x.opname == "LOAD_FAST" and x.argval == name]


def _follow(instructions: list[dis.Instruction], at: int, visit: Callable[[int, int], list[int] | None]) -> bool:
    """Follows the value pushed at ``at`` through straight-line code: ``visit`` gets each value's
    consumer (its index, which of the values it pops), and gives the indices whose pushed values
    to follow next (none: an end it allows) or None (no proof). False where a consumer is not
    found or ``visit`` gave None."""
    pending = [at]
    for _, found in _uses(instructions, pending):
        following = None if found is None else visit(*found)
        if following is None:
            return False
        pending += following
    return True


# opcodes of an operand next to a read's number (``mode.GroupFloat``) that may hold a tensor: its
# value, if a Python number there, is no proven constant (checked when the op runs)
_OPERAND_OPS = frozenset({"LOAD_CONST", "LOAD_FAST", "LOAD_GLOBAL", "LOAD_ATTR", "LOAD_METHOD", "PRECALL", "CALL", "COMPARE_OP",
                          "KW_NAMES", "BINARY_OP", "BINARY_SUBSCR", "UNARY_NEGATIVE", "UNARY_POSITIVE", "PUSH_NULL"})
# opcodes of an operand that is a constant of the call: literals, parameters and their items, arithmetic
_CONSTANT_OPS = frozenset({"LOAD_CONST", "LOAD_FAST", "BINARY_OP", "BINARY_SUBSCR", "UNARY_NEGATIVE", "UNARY_POSITIVE"})
# containers the number may be put in (followed as the number is, to a ``return``: after the call the
# number is plain)
_CONTAINERS = frozenset({"BUILD_MAP", "BUILD_CONST_KEY_MAP", "BUILD_TUPLE", "BUILD_LIST"})
# BINARY_OP arguments whose result has an int's value whether the operands are ints or floats of the
# same values: + - * / // % ** and their in-place forms
_FLOAT_LIKE = frozenset({0, 13, 10, 23, 5, 18, 11, 24, 2, 15, 6, 19, 8, 21})


def _returned_dict(instructions: list[dis.Instruction], k: int) -> bool:
    """Whether the instruction at ``k`` builds a dict that is returned right away."""
    found = _consumer(instructions, k) if instructions[k].opname in ("BUILD_MAP", "BUILD_CONST_KEY_MAP") else None
    return found is not None and instructions[found[0]].opname == "RETURN_VALUE"
_NUMBER_ATTRIBUTES = frozenset(dir(float)) | frozenset(dir(int))
_PASSING = ("max", "min")
_NUMBER_CONVERTERS = (("int",), ("float",))  # builtins giving an unmarked number's value as another type
_CONVERTING = frozenset({"numpy", "item", "tolist", "__float__", "__int__", "__index__", "__array__"})  # host numbers  # builtins returning one of their arguments; their comparisons are the number's own


class GroupFlows(NamedTuple):
    """What ``group_read`` checks when the read runs, and where the number meets constants."""

    names: tuple[str, ...]
    """Local names loaded next to the number: their values now must be no NumPy object."""
    globals: tuple[str, ...]
    callees: tuple[tuple[str, ...], ...]
    returns: bool
    """Whether the number may be returned (then the code must be the decorated body itself)."""
    constant_sites: frozenset[int]
    """Offsets of the operators, comparisons and ``max`` / ``min`` calls where every other operand
    is made of literals, parameters the code never stores (and their items) and locals stored
    only from literals or from the number's own flow: a plain number met there is a constant of
    the call (``constant_operand``)."""
    sites: frozenset[int] = frozenset()
    """Offsets of the operators and calls the number (or one computed from it) is an operand of."""
    tensor_sites: frozenset[int] = frozenset()
    """Those of them whose result is taken for a tensor's (a torch function's; an operator beside
    a method no number has, ``l.sum()``) and not followed further (``read_reach``)."""


def group_read(sites: dict[types.CodeType, frozenset[int]], plain: Callable[[Any], bool], integer: bool = False,
               as_float: bool = False) -> bool:
    """Whether every use the caller's code makes of the number the ``x.item()`` it is executing
    returns (and of what Python arithmetic computes from it) is seen by the number's own methods
    or by a torch function: it is stored in plain local names (none a closure's, no ``locals()``),
    an operand of an operator or a comparison whose other operand is made of constants, local
    names, subscripts, attributes and calls (whose loaded names hold, now, values ``plain``
    accepts, and whose globals are neither builtins nor NumPy or ``math`` objects: a number of
    another type than Python's could get the operator first, ``len`` counts images), an argument
    of ``max`` / ``min`` with such other arguments, an argument of a torch function, returned (also in a
    container made for it), or the object of an attribute no Python
    number has (``.detach()``: a tensor then). A call of anything else (``math.sqrt``, a helper,
    ``float``) is no proof: that code may convert the number unseen. An ``integer`` number (an
    int tensor's) meets, as the right operand or in ``max`` / ``min``, only int literals and
    locals stored from them or from its own flow: ``0.5 * n`` is float's own method, unseen.
    ``as_float``: an int tensor's number handed to the body as a float (``mode.GroupFloat.exact``)
    meets no bitwise operator and no call but ``max`` / ``min`` (a torch function's arguments are
    parsed before the capture sees them), and leaves the code only as a value of the dict it returns.
    ``sites``: the call's own table of where its proven reads' numbers meet constants (this call's:
    kept across calls, a site proven by a read that ran in an earlier call only -- another branch,
    another batch -- would vouch for an operand no read of this call was checked against).
    Python 3.11 only."""
    f = _caller() if _VERSION in _LOG_CHECKED else None
    flows = _group_flows(f.f_code, _lasti(f), integer and not as_float, as_float) if f is not None else None
    if f is None or flows is None or not _flows_hold(f, flows, plain):
        return False
    sites[f.f_code] = sites.get(f.f_code, frozenset()) | flows.constant_sites
    return True


def read_reach(plain: Callable[[Any], bool]) -> tuple[types.CodeType, frozenset[int], frozenset[int]] | None:
    """For the ``x.item()``, ``float(x)`` or ``int(x)`` the caller's code is executing, whose number
    the body gets unmarked: (the code, ``GroupFlows.sites``, ``GroupFlows.tensor_sites``) where the
    code shows every use of the number and of the numbers Python computes from it, as ``group_read``
    takes them, except that none is compared, returned or put in a container (no mark sees those
    uses, nor a branch it steers): each ends at an operator or a torch function the capture sees.
    None otherwise, or on a Python whose layout was not checked."""
    f = _caller() if _VERSION in _LOG_CHECKED else None
    flows = _group_flows(f.f_code, _lasti(f), False, False, True) if f is not None else None
    if f is None or flows is None or not _flows_hold(f, flows, plain):
        return None
    instructions, at = _located_call(f.f_code, _lasti(f))
    name = _global_callee(instructions, at) if at is not None and instructions[at].opname == "CALL" else None
    if name is not None and _builtin(f, name[0]) is not getattr(builtins, name[0], None):
        return None  # ``float`` rebound by the module
    return f.f_code, flows.sites, flows.tensor_sites


def executing_site(codes: dict[types.CodeType, frozenset[int]]) -> tuple[types.CodeType, int] | None:
    """(the caller's code, the offset of the instruction it is executing) where that offset is in
    ``codes``'s set for the code; None otherwise."""
    f = _caller()
    if f is None:
        return None
    at = codes.get(f.f_code)
    if at is None:
        return None
    instructions, k = _located_call(f.f_code, _lasti(f))
    offset = instructions[k].offset if k is not None else _lasti(f)
    return (f.f_code, offset) if offset in at else None


def _flows_hold(f: types.FrameType, flows: GroupFlows, plain: Callable[[Any], bool]) -> bool:
    """Whether what ``_group_flows`` found to check at run time holds in frame ``f`` now."""
    back = f.f_back
    if flows.returns and _package(back) not in ("losssplit", "wrapt"):
        return False  # returned by a helper to code that is not followed
    held = _locals(f) if flows.names else {}
    if any(name in held and not plain(held[name]) for name in flows.names):
        return False
    for name in flows.globals:
        value = f.f_globals.get(name, _UNPROVEN)
        if value is _UNPROVEN or _numeric_module(value):
            return False
    for called in flows.callees:
        callee = f.f_globals.get(called[0], f.f_builtins.get(called[0], _UNPROVEN))
        if len(called) == 2:
            callee = vars(callee).get(called[1], _UNPROVEN) if isinstance(callee, types.ModuleType) else _UNPROVEN
        passing = len(called) == 1 and (called[0] in _PASSING or called in _NUMBER_CONVERTERS) \
            and callee is getattr(builtins, called[0])
        if not passing and str(getattr(callee, "__module__", "") or "").partition(".")[0] != "torch":
            return False
    return True


def constant_operand(sites: dict[types.CodeType, frozenset[int]]) -> bool:
    """Whether the operator (or ``max`` / ``min`` call) the caller's code is executing is one where
    ``group_read`` proved the other operand a constant of the call (``sites``: the call's, as there)."""
    f = _caller()
    return f is not None and _lasti(f) in sites.get(f.f_code, frozenset())


def _numeric_module(value: Any) -> bool:
    """Whether ``value`` is NumPy's or ``math``'s (a module, or a function or type of theirs)."""
    name = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", "")
    return str(name or "").partition(".")[0] in ("numpy", "math")


@_per_code(256)
def _group_flows(code: types.CodeType, lasti: int, integer: bool = False, as_float: bool = False,
                 unmarked: bool = False) -> GroupFlows | None:
    """What ``group_read`` checks at run time, where every use of the number pushed by the
    ``.item()`` call at ``lasti`` is one it allows; None otherwise. ``unmarked``: as ``read_reach``
    takes them, of an ``.item()``, ``float(x)`` or ``int(x)``."""
    located = _item_call(code, lasti, unmarked)
    if located is None:
        return None
    instructions, at, cells = located
    reach: set[int] = set()
    tensor_sites: set[int] = set()
    parameters = set(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    pending: list[int] = [at]
    flow_stores: set[int] = set()
    returns = False
    names: set[str] = set()
    globals_: set[str] = set()
    callees: set[tuple[str, ...]] = set()
    sites: list[tuple[int, list[tuple[int, int]]]] = []  # (offset, the other operands' spans)
    int_spans: list[tuple[int, int]] = []  # operands an int number meets first: checked after the walk

    def operand(start: int | None, end: int) -> bool:  # a span next to the number: see ``group_read``
        if start is None or start >= end:
            return False
        for j, i in enumerate(instructions[start:end], start):
            if _index_key(instructions, j, end):
                continue  # ``w[m][:, None]``: the key of a subscript inside the span, never its value
            if i.opname not in _OPERAND_OPS or i.is_jump_target and i is not instructions[start]:
                return False
            if i.opname == "LOAD_CONST" and type(i.argval) not in (int, float, str):
                return False
            if i.opname in ("LOAD_ATTR", "LOAD_METHOD") and i.argval in _CONVERTING:
                return False
            if i.opname == "LOAD_FAST":
                if i.argval in cells:
                    return False
                names.add(i.argval)
            elif i.opname == "LOAD_GLOBAL":
                globals_.add(i.argval)
        return True

    for p, found in _uses(instructions, pending):
        if found is None:
            return None
        k, which = found
        i = instructions[k]
        if unmarked and (i.opname in ("RETURN_VALUE", "STORE_SUBSCR", "COMPARE_OP") or i.opname in _CONTAINERS):
            return None  # (no mark sees a comparison, nor a number given back)
        if as_float and (i.opname in ("RETURN_VALUE", "STORE_SUBSCR") or i.opname in _CONTAINERS and not _returned_dict(instructions, k)):
            return None  # (only a value of the returned dict is given back as the int it was)
        if as_float and i.opname in _CONTAINERS:
            returns = True
            continue
        if i.opname in ("POP_TOP", "RETURN_VALUE") or i.opname == "STORE_SUBSCR" and which == 1:
            returns = returns or i.opname == "RETURN_VALUE"
            continue  # (a container the number is in, written into)
        if i.opname in _CONTAINERS:
            pending.append(k)
            continue
        if i.opname == "STORE_FAST" and i.argval not in cells:
            if k not in flow_stores:
                flow_stores.add(k)
                pending += _loads(instructions, i.argval)
            continue
        if i.opname in ("LOAD_ATTR", "LOAD_METHOD"):
            if i.argval in _NUMBER_ATTRIBUTES:
                return None
            continue  # an attribute no number has: the value is a tensor (or the body fails without losssplit)
        if i.opname in ("UNARY_NEGATIVE", "UNARY_POSITIVE"):
            pending.append(k)
            continue
        if i.opname in ("BINARY_OP", "COMPARE_OP"):
            if as_float and i.opname == "BINARY_OP" and i.arg not in _FLOAT_LIKE:
                return None  # ``n & 1``: no operator of a float
            right = _operand_start(instructions, k)
            left = _operand_start(instructions, right, target_first=True) if right is not None else None
            span = (left, right) if which == 1 else (right, k)
            if span[0] is None or span[1] is None or not operand(span[0], span[1]):
                return None
            if integer and which == 1:
                int_spans.append(span)  # type: ignore[arg-type]
            sites.append((k, [span]))  # type: ignore[list-item]
            reach.add(i.offset)
            if i.opname == "BINARY_OP" and not _method_result(instructions, span[0], span[1]):
                pending.append(k)  # (with a tensor's method result: a tensor, whose uses the capture sees)
            elif i.opname == "BINARY_OP":
                tensor_sites.add(i.offset)
            continue
        if i.opname == "CALL" and which >= 2:
            name = _global_callee(instructions, k)
            if as_float and (name is None or len(name) != 1 or name[0] not in _PASSING):
                return None  # a torch function's argument parsing would see a float where it had an int
            spans = _argument_spans(instructions, k)
            if name is None and unmarked and spans is not None and _method_call(instructions, k):
                # ``flat.topk(k)``: an argument of a method of a value; a torch op must run at the site
                # (``tensor_sites``, checked at run time), else the read stays unaccounted for
                reach.add(i.offset)
                tensor_sites.add(i.offset)
                continue
            if name is None or spans is None:
                return None
            if name in _NUMBER_CONVERTERS:
                if not unmarked or len(spans) != 1:
                    return None  # a marked number's mark ends there (the builtin gives a plain one): its tests unseen
                callees.add(name)  # ``int(ratio * n)``: the same number's value, its uses followed on as the read's
                pending.append(k)
                continue
            callees.add(name)
            reach.add(i.offset)
            if len(name) == 1 and name[0] in _PASSING:  # torch functions are checked when run
                others = [(s, e) for s, e in spans if not s <= p < e]
                if not all(operand(s, e) for s, e in others):
                    return None
                if integer:
                    int_spans += others
                sites.append((k, others))
                pending.append(k)
            else:
                tensor_sites.add(i.offset)
            continue
        return None
    stores: dict[str, list[int]] = {}
    for k, x in enumerate(instructions):
        if x.opname == "STORE_FAST":
            stores.setdefault(x.argval, []).append(k)

    def constant_name(name: str) -> bool:
        ks = stores.get(name, [])
        if not ks:
            return name in parameters
        return all(k in flow_stores or k > 0 and instructions[k - 1].opname == "LOAD_CONST"
                   and type(instructions[k - 1].argval) in (int, float) for k in ks)

    def int_operand(start: int, end: int) -> bool:  # an int literal, a local only ever one or of the flow,
        if end - start > 1:  # or a method's result that no number has (``l.mean()``: a tensor's)
            return _method_result(instructions, start, end)
        i = instructions[start]
        if i.opname == "LOAD_CONST":
            return type(i.argval) is int
        ks = stores.get(i.argval, [])
        return i.opname == "LOAD_FAST" and bool(ks) and all(
            k in flow_stores or k > 0 and instructions[k - 1].opname == "LOAD_CONST" and type(instructions[k - 1].argval) is int
            for k in ks)

    if not all(int_operand(s, e) for s, e in int_spans):
        return None

    def constant(start: int, end: int) -> bool:
        return all(i.opname in _CONSTANT_OPS and (i.opname != "LOAD_FAST" or constant_name(i.argval))
                   for i in instructions[start:end])

    constant_sites = frozenset(instructions[k].offset for k, spans in sites if all(constant(s, e) for s, e in spans))
    return GroupFlows(tuple(sorted(names)), tuple(sorted(globals_)), tuple(sorted(callees)), returns, constant_sites,
                      frozenset(reach), frozenset(tensor_sites))


def _index_key(instructions: list[dis.Instruction], j: int, end: int) -> bool:
    """Whether the instruction at ``j`` pushes (a part of) the key of a subscript that ends before
    ``end``: a constant of a slice's kind (None, ``...``, a slice, a tuple of those and ints) or a
    ``BUILD_SLICE`` / ``BUILD_TUPLE``, whose value, through slices and tuples only, is the key a
    ``BINARY_SUBSCR`` pops (``x[:, None]``, ``x[..., 0]``): an index, no operand of the number."""
    i = instructions[j]
    if i.opname == "LOAD_CONST":
        if not _key_constant(i.argval):
            return False
    elif i.opname not in ("BUILD_SLICE", "BUILD_TUPLE") or i.is_jump_target:
        return False
    found = _consumer(instructions, j)
    while found is not None and found[0] < end:
        k, which = found
        op = instructions[k].opname
        if op == "BINARY_SUBSCR":
            return which == 1
        if op not in ("BUILD_SLICE", "BUILD_TUPLE") or instructions[k].is_jump_target:
            return False
        found = _consumer(instructions, k)
    return False


def _key_constant(value: Any) -> bool:
    if value is None or value is Ellipsis or type(value) in (int, slice):
        return True
    return type(value) is tuple and all(_key_constant(v) for v in value)


def _method_result(instructions: list[dis.Instruction], start: int, end: int) -> bool:
    """Whether the span ``start:end`` is a call of a method no Python number has (``l.mean()``,
    ``F.cross_entropy(..).sum()``): a tensor's, in a loss's code."""
    if end - start < 3 or instructions[end - 1].opname != "CALL":
        return False
    spans = _argument_spans(instructions, end - 1)
    call = end - 1
    while call > start and instructions[call - 1].opname in ("PRECALL", "KW_NAMES"):
        call -= 1
    method = (spans[-1][0] if spans else call) if spans is not None else None
    head = instructions[method - 1] if method is not None and method > start else None
    return (head is not None and head.opname == "LOAD_METHOD" and head.argval not in _NUMBER_ATTRIBUTES
            and head.argval not in _CONVERTING and head.argval not in _NUMBER_METHODS)


# tensor methods that return Python numbers (or sizes), not tensors
_NUMBER_METHODS = frozenset({"numel", "nelement", "dim", "ndimension", "element_size", "size", "stride", "count",
                             "index", "get_device", "data_ptr", "storage_offset", "__len__"})


def _argument_spans(instructions: list[dis.Instruction], k: int) -> list[tuple[int, int]] | None:
    """(start, end) of each argument of the CALL at ``k``, last first; None where one is not found."""
    end: int | None = _arguments_end(instructions, k)
    spans = []
    for _ in range(instructions[k].arg or 0):
        start = _operand_start(instructions, end) if end is not None else None
        if start is None or end is None:
            return None
        spans.append((start, end))
        end = start
    return spans


# ``COMPARE_OP``'s operator -> its name as torch spells the comparison, and with the operands swapped
_COMPARISONS = {"<": "lt", "<=": "le", "==": "eq", "!=": "ne", ">": "gt", ">=": "ge"}
# Python versions whose layout of ``if len(x) > 0:`` / ``if len(x):`` was checked (LOAD_GLOBAL
# ``NULL + len``, the argument, PRECALL 1, CALL 1, then LOAD_CONST and COMPARE_OP, or a
# POP_JUMP_*_IF_TRUE / _FALSE)
_TEST_CHECKED = {(3, 11)}


def compared() -> bool:
    """Whether the caller's code is executing a comparison operator written in it (``bs >= 3``,
    ``x.shape == y.shape``), not a call whose code compares (``max(bs, 1)``, a torch function's
    checks), or a membership test (``bs in (1, 2)``: a tuple or list compares with each item).
    True where nothing can be told (an unchecked Python): such a comparison is then taken as the
    body's own, which declines more, never less."""
    return _executing(_COMPARING)


_COMPARING = frozenset({"COMPARE_OP", "CONTAINS_OP"})


def looked_up() -> bool:
    """Whether the caller's code hashes a value at a membership test or a subscript written in it
    (``bs in {1, 2}``, ``table[bs]``) or a dict lookup method it calls (``table.get(bs)``): a
    decision on the value that makes no comparison (a set or dict compares only where hashes
    match). Not another call (a cache keyed by a shape: einops' recipes). True where nothing can
    be told."""
    found = _executed(_TEST_CHECKED)
    if found is None:
        return True
    _, instructions, at = found
    if at is None or instructions[at].opname in ("CONTAINS_OP", "BINARY_SUBSCR"):
        return at is not None
    if instructions[at].opname != "CALL":
        return False
    start: int | None = at
    while start and instructions[start - 1].opname in ("PRECALL", "KW_NAMES"):
        start -= 1
    for _ in range(instructions[at].arg or 0):
        start = _operand_start(instructions, start) if start is not None else None
    callee = instructions[start - 1] if start else None
    return callee is not None and callee.opname in ("LOAD_METHOD", "LOAD_ATTR") and callee.argval in _LOOKUPS


_LOOKUPS = frozenset({"get", "pop", "setdefault", "__getitem__", "__contains__"})


def _executing(opnames: frozenset[str]) -> bool:
    """Whether the caller's code is at one of ``opnames`` (True where nothing can be told)."""
    found = _executed(_TEST_CHECKED)
    if found is None:
        return True
    _, instructions, at = found
    return at is not None and instructions[at].opname in opnames


def _executed(checked: set[tuple[int, int]]) -> tuple[types.FrameType, list[dis.Instruction], int | None] | None:
    """(the caller's frame, its code's instructions, the index of the one it is executing or
    None where it is not found); None on a Python version not in ``checked`` or without a caller."""
    if _VERSION not in checked:
        return None
    f = _caller()
    if f is None:
        return None
    instructions, at = _located(f.f_code, _lasti(f))
    return f, instructions, at


def _executed_call(checked: set[tuple[int, int]]) -> tuple[types.FrameType, list[dis.Instruction], int] | None:
    """``_executed``'s where the caller's code is executing a CALL (past its PRECALL): the index
    of that CALL; None otherwise."""
    found = _executed(checked)
    if found is None:
        return None
    f, instructions, at = found
    if at is not None and instructions[at].opname == "PRECALL":
        at += 1
    if at is None or at >= len(instructions) or instructions[at].opname != "CALL":
        return None
    return f, instructions, at


def executed_number_tags(root: list[types.FrameType] | None = None) -> frozenset[str] | None:
    """The provenance tags (``_provenance``) of the number operand of the binary operator the caller's
    code is executing: a division's divisor (``e.sum() / n``, ``e.sum().div(n)``), a product's operand
    that may be a Python number where only one may (``n * e.mean()``), with a helper's parameters and a
    comprehension's free names read where they were given; None where it cannot be read. ``root``: see
    ``_provenance.resolved``."""
    roots: tuple[list[types.FrameType], list[types.FrameType]] = ([], [])
    found = executed_operand_tags(roots)
    if found is None:
        return None
    left, right, division = found
    if division:  # (of a call: its last argument, ``torch.div(e.sum(), n)``)
        side = 1
    elif ("P" in right) == ("P" in left):
        return None  # (a product of two tensors, or of two numbers: which one the op got is not told)
    else:
        side = 1 if "P" in right else 0
    if root is not None:
        root += roots[side]
    return right if side else left


def executed_operand_tags(roots: tuple[list[types.FrameType], list[types.FrameType]] | None = None
                          ) -> tuple[frozenset[str], frozenset[str], bool] | None:
    """The provenance tags of the left and right operands of the binary operator the caller's code is
    executing (``a * b``; also a one-argument method call ``a.div(b)`` or a two-argument function call
    ``torch.mul(a, b)`` without keywords), resolved as ``executed_number_tags`` says (``roots``: where
    given, each side's ``root``), and whether it is a division (a call's: ``div`` in its name); None
    where unread. Read once per op (``Frame.op_tags``, kept as ``_caller`` keeps its walk): the frames
    it reads stand still while the op runs, and a division's rules ask it several times."""
    capture = CAPTURE.get()
    start = capture.op_caller if capture is not None else None
    held = capture.op_tags if start is not None else None
    if held is None or held[0] is not start or held[1] != len(sys.modules):
        sides: tuple[list[types.FrameType], list[types.FrameType]] = ([], [])
        held = (start, len(sys.modules), (_operand_tags(sides), *sides))
        if start is not None:
            capture.op_tags = held
    found, left_root, right_root = held[2]
    if roots is not None:
        roots[0].extend(left_root)
        roots[1].extend(right_root)
    return found


def _operand_tags(roots: tuple[list[types.FrameType], list[types.FrameType]]
                  ) -> tuple[frozenset[str], frozenset[str], bool] | None:
    """``executed_operand_tags`` read afresh."""
    found = _executed(_COUNT_CHECKED)
    if found is None:
        return None
    f, instructions, at = found
    if at is not None and instructions[at].opname == "PRECALL":
        at += 1
    if at is None or at >= len(instructions):
        return None
    i = instructions[at]
    if i.opname == "CALL":
        if i.arg not in (1, 2) or instructions[at - 2].opname == "KW_NAMES" or _called_name(instructions, at) not in _ARITHMETIC_CALLS:
            return None
    elif i.opname != "BINARY_OP":
        return None
    offset = i.offset
    _provenance.note_frame(f)
    right = _provenance.operand_tags(f.f_code, offset, 0, f)
    left = _provenance.operand_tags(f.f_code, offset, 1, f)
    if right is None or left is None:
        return None
    division = i.arg in _DIVISIONS if i.opname == "BINARY_OP" else "div" in str(_called_name(instructions, at))
    return (_provenance.resolved(left, f, _calling, root=roots[0]),
            _provenance.resolved(right, f, _calling, root=roots[1]), division)


_ARITHMETIC_CALLS = frozenset({"div", "mul", "true_divide", "divide", "multiply", "div_", "mul_"})


def executed_argument_tags(pick: Callable[[int], Collection[int]] | None = None) -> list[frozenset[str]] | None:
    """The provenance tags of each argument (keywords last, as passed) of the call the caller's code
    is executing (``torch.full((n, 1), float(s))``), in order, resolved as ``executed_number_tags``
    says; None where unread. ``pick``: given the number of arguments, the positions to resolve (the
    others are read but not resolved through the callers: their tags are left empty)."""
    found = _executed_call(_COUNT_CHECKED)
    if found is None:
        return None
    f, instructions, at = found
    _provenance.note_frame(f)
    argc = instructions[at].arg or 0
    wanted = range(argc) if pick is None else pick(argc)
    offset = instructions[at].offset
    chain = _resolution_chain(f, offset)
    # (the whole answer: a function of the chain's codes and offsets and of the code's reading, whose
    # stacks give each argument's unresolved tags, compared by identity as ``_RESOLVED`` compares them)
    reading = _provenance.reading(f.f_code, frame=f) if chain is not None else None
    if chain is not None:
        whole = _RESOLVED_CALLS.get((chain[0], wanted))
        if whole is not None and whole[1] is reading and all(map(operator.is_, whole[0], chain[1])):
            return None if whole[2] is None else list(whole[2])
    out = _argument_tags(f, offset, argc, wanted, chain)
    if chain is not None and not _bound_chain(chain[1]):
        if len(_RESOLVED_CALLS) >= 1024:
            _RESOLVED_CALLS.clear()
        _RESOLVED_CALLS[(chain[0], wanted)] = (chain[1], reading, None if out is None else tuple(out))
    return out


def _argument_tags(f: types.FrameType, offset: int, argc: int, wanted: Collection[int],
                   chain: tuple[tuple[int, ...], tuple[types.CodeType, ...]] | None) -> list[frozenset[str]] | None:
    """``executed_argument_tags``' answer, read afresh (each resolution through ``_RESOLVED``)."""
    out: list[frozenset[str]] = []
    for depth in range(argc):
        tags = _provenance.operand_tags(f.f_code, offset, depth, f)
        if tags is None:
            return None
        if argc - 1 - depth not in wanted:
            out.append(frozenset())
            continue
        if chain is None:
            out.append(_provenance.resolved(tags, f, _calling))
            continue
        ids, codes = chain
        held = _RESOLVED.get((ids, depth))
        if held is not None and held[1] is tags and all(map(operator.is_, held[0], codes)):
            out.append(held[2])
            continue
        got = _provenance.resolved(tags, f, _calling)
        if len(_RESOLVED) >= 1024:
            _RESOLVED.clear()
        if not _bound_chain(codes):
            _RESOLVED[(ids, depth)] = (codes, tags, got)
        out.append(got)
    return out[::-1]


# ``executed_argument_tags``' resolutions through the callers: (the chain, the argument's depth) ->
# (the chain, the unresolved tags, the resolved ones). A resolution reads only the code objects and
# CALL offsets of the frames it walks back through (``_provenance.resolved``: at most 5 callers),
# so the same chain resolves alike on every call (a loop's ``full_like(src, i)``, 16 a call of the
# seed criterion, was 2.7 M instructions)
_RESOLVED: dict[tuple[tuple[int, ...], int], tuple[tuple[types.CodeType, ...], frozenset[str], frozenset[str]]] = {}
# ``executed_argument_tags``' whole answers: (the chain, the positions resolved) -> (the chain's codes,
# the reading of the first, the tags or None); a hit skips each argument's tags and ``_RESOLVED`` compare
_RESOLVED_CALLS: dict[tuple[tuple[int, ...], Collection[int]],
                      tuple[tuple[types.CodeType, ...], Any, tuple[frozenset[str], ...] | None]] = {}
_CHAIN_FRAMES = 7


def _bound_chain(codes: tuple[types.CodeType, ...]) -> bool:
    """Whether a code of a resolution chain calls a callable a parameter or a free name holds: its reading
    is the frame's (``_provenance.bound``), so the resolution is not kept (asked where one would be)."""
    return any(_provenance.holds(c) for c in codes)


def _resolution_chain(f: types.FrameType, offset: int) -> tuple[tuple[int, ...], tuple[types.CodeType, ...]] | None:
    """(the ids of the codes and the executed offsets, the codes) of ``f`` (at ``offset``) and of its
    callers up to the body, as many as a resolution may walk; None where one of them is a
    comprehension or a lambda whose caller is not the code that holds it (its enclosing code is
    looked for up the frames, ``_provenance.resolved``). Ids, not codes, are hashed (a
    code's hash reads its bytecode and constants); the codes are compared by identity on a hit."""
    codes = [f.f_code]
    key = [id(f.f_code), offset]
    caller = f.f_back
    # (as ``_calling`` walks: up to the body, whose caller is losssplit's)
    while caller is not None and len(codes) < _CHAIN_FRAMES and _outside(caller):
        codes.append(caller.f_code)
        key += [id(caller.f_code), _lasti(caller)]
        caller = caller.f_back
    # a comprehension's enclosing code is looked for up the frames: cached only where it is the next one
    for k, c in enumerate(codes):  # (a loop: no generator per fill)
        if c.co_name.startswith("<") and (k + 1 == len(codes) or not any(map(operator.is_, codes[k + 1].co_consts,
                                                                               itertools.repeat(c)))):
            return None
    return tuple(key), tuple(codes)


def _called_name(instructions: list[dis.Instruction], k: int) -> str | None:
    """The name the callable of the CALL at ``k`` is loaded by (``div`` of ``x.div(n)`` or of
    ``torch.div(x, n)``), None where it is no attribute or global load."""
    start = _arguments_start(instructions, k)
    if start is None or start < 1:
        return None
    callee = instructions[start - 1]
    return str(callee.argval) if callee.opname in ("LOAD_METHOD", "LOAD_ATTR", "LOAD_GLOBAL") else None


def _calling(f: types.FrameType) -> tuple[types.FrameType, int] | None:
    """The frame that called ``f`` and the offset of the CALL it is executing, None where that frame
    is losssplit's or torch's (``f`` is the body) or its CALL is not found."""
    caller = f.f_back
    if caller is None or not _outside(caller):
        return None
    instructions, at = _located_frame(caller.f_code, _lasti(caller))
    if at is None:
        return None
    return caller, instructions[at].offset


def _binary_operands(checked: set[tuple[int, int]], opname: str
                     ) -> tuple[types.FrameType, list[dis.Instruction], tuple[int, int], tuple[int, int]] | None:
    """(the caller's frame, its instructions, the left operand's span, the right one's) where its
    code is executing the binary ``opname`` (``BINARY_OP``, ``COMPARE_OP``); None else."""
    found = _executed(checked)
    if found is None:
        return None
    f, instructions, at = found
    spans = _operand_pair(instructions, at, opname)
    return None if spans is None else (f, instructions, *spans)


def _operand_pair(instructions: list[dis.Instruction], at: int | None, opname: str
                  ) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The left and right operands' spans of the binary ``opname`` at index ``at`` (no jump
    target); None else."""
    if at is None or instructions[at].opname != opname or instructions[at].is_jump_target:
        return None
    right = _operand_start(instructions, at)
    left = _operand_start(instructions, right) if right is not None else None
    if left is None or right is None:
        return None
    return (left, right), (right, at)


def literal_list_pick() -> bool:
    """Whether the caller's code is executing a binary operator (``v[-1] + v[0]``, ``total +=
    v[1]``) one of whose operands is an item of a local picked by an int literal: a Python list of
    per-image values indexed by position, no torch op, so on a group alone another image's value
    (``_counting``'s ``picked_by_position``). Python 3.11."""
    found = _binary_operands(_TEST_CHECKED, "BINARY_OP")
    if found is None:
        return False
    _, instructions, *spans = found
    return any(end - start == 3 and instructions[start].opname in ("LOAD_FAST", "LOAD_DEREF")
               and instructions[start + 1].opname == "LOAD_CONST" and type(instructions[start + 1].argval) is int
               and instructions[start + 2].opname == "BINARY_SUBSCR" for start, end in spans)


def compared_with_literal(value: Any) -> bool:
    """Whether the caller's code is executing a comparison operator one of whose operands is a
    literal equal to ``value`` (type included): ``x == -1``, the same number on any call."""
    found = _binary_operands(_TEST_CHECKED, "COMPARE_OP")
    if found is None:
        return False
    _, instructions, *spans = found
    return any(end - start == 1 and instructions[start].opname == "LOAD_CONST"
               and type(instructions[start].argval) is type(value) and instructions[start].argval == value
               for start, end in spans)


def literal_operand(left: bool) -> float | None:
    """The number literal that is the ``left`` (else right) operand of the binary operator the
    caller's code is executing (``bs * 2``, ``2.0 * bs``, ``n /= 4``): the same on any call,
    whatever images it got. None where that operand is anything else. Python 3.11."""
    found = _binary_operands(_COUNT_CHECKED, "BINARY_OP")
    if found is None:
        return None
    _, instructions, a, b = found
    start, end = a if left else b
    i = instructions[start]
    if end - start != 1 or i.opname != "LOAD_CONST" or type(i.argval) not in (int, float):
        return None
    return float(i.argval) if math.isfinite(i.argval) else None


def _executed_op(opname: str) -> tuple[types.FrameType, list[dis.Instruction], int] | None:
    """``_executed(_COUNT_CHECKED)`` where the caller's code is executing an ``opname`` instruction; None else."""
    found = _executed(_COUNT_CHECKED)
    if found is None or found[2] is None or found[1][found[2]].opname != opname:
        return None
    return found[0], found[1], found[2]


def batch_number_operand(left: bool) -> bool:
    """Whether the ``left`` (else right) operand of the binary operator the caller's code is executing
    is, as its code reads (``_provenance``), a Python number of the batch (a count over the images'
    items, ``len(targets)``, a host read: ``bs * len(torch.cat(labels))``): a count times it is on a group
    alone the group's count times the group's number, no share of either. False where nothing is read."""
    found = _executed_op("BINARY_OP")
    if found is None:
        return False
    f, instructions, at = found
    _provenance.note_frame(f)
    tags = _provenance.operand_tags(f.f_code, instructions[at].offset, 1 if left else 0, f)
    return tags is not None and bool(_provenance.resolved(tags, f, _calling) & _provenance.OF_THE_BATCH)


# ``BINARY_OP``'s operators whose result is never negative where neither operand is
_KEEPING_SIGN = frozenset({"+", "*", "/", "//", "%", "**", "+=", "*=", "/=", "//=", "%=", "**="})


def nonnegative_operand(left: bool, shape: Callable[[Any], bool]) -> bool:
    """Whether the caller's code is executing a binary operator (``a * b``, ``r *= i``) whose
    ``left`` (else right) operand its code proves never negative on any call, whatever images it
    got (``_nonnegative``; ``shape`` tells a parameter's value a tensor's shape read in the call):
    ``prod(x.shape)`` multiplies a count of image rows by sizes only. False where nothing can be
    told."""
    found = _binary_operands(_COUNT_CHECKED, "BINARY_OP")
    if found is None:
        return False
    f, _, a, b = found
    sizes = _nonnegative_span(f.f_code, *(a if left else b))
    if sizes is None:
        return False
    held = _locals(f)
    return all(shape(held.get(name)) for name in sizes)


@_per_code(1024)
def _nonnegative_span(code: types.CodeType, start: int, end: int) -> frozenset[str] | None:
    return _nonnegative(code, _instructions(code), start, end, frozenset())


def _nonnegative(code: types.CodeType, instructions: list[dis.Instruction], start: int, end: int,
                 assumed: frozenset[str]) -> frozenset[str] | None:
    """The parameters of ``code`` that must hold a ``torch.Size`` for the span ``start:end`` to
    push a number never negative on any call; None where its code does not prove that. Proven: a
    finite literal int or float >= 0 (``1e999 * 0`` is NaN); ``+``, ``*``, ``/``, ``//``, ``%``, ``**`` of such; a local (no
    parameter, no closure's) whose every store stores such, itself ``assumed`` so within them
    (``r = 1`` then ``r *= i``); the target of ``for i in p``, ``p`` a parameter the code never
    rebinds (an item of a tensor's shape, checked where it runs: a size)."""
    if end <= start:
        return None
    last = instructions[end - 1]
    if end - start == 1:
        if last.opname == "LOAD_CONST":
            return frozenset() if type(last.argval) in (int, float) and 0 <= last.argval < math.inf else None
        return _nonnegative_local(code, instructions, last.argval, assumed) if last.opname == "LOAD_FAST" else None
    if last.opname != "BINARY_OP" or last.argrepr not in _KEEPING_SIGN:
        return None
    right = _operand_start(instructions, end - 1)
    if right is None or right <= start:
        return None
    a = _nonnegative(code, instructions, start, right, assumed)
    b = _nonnegative(code, instructions, right, end - 1, assumed) if a is not None else None
    return None if a is None or b is None else a | b


def _nonnegative_local(code: types.CodeType, instructions: list[dis.Instruction], name: str,
                       assumed: frozenset[str]) -> frozenset[str] | None:
    """``_nonnegative`` of the local ``name`` of ``code`` (see there)."""
    if name in assumed:
        return frozenset()
    params = _parameters(code)
    if name in params or name in code.co_cellvars or name in code.co_freevars:
        return None
    stores = _stores(instructions, name)
    need: frozenset[str] = frozenset()
    for j in stores:
        if instructions[j].opname != "STORE_FAST":
            return None
        if j >= 3 and instructions[j - 1].opname == "FOR_ITER" and instructions[j - 2].opname == "GET_ITER":
            over = instructions[j - 3]
            if (over.opname != "LOAD_FAST" or over.argval not in params or _stores(instructions, over.argval)
                    or _operand_start(instructions, j - 2) != j - 3):
                return None
            need |= {over.argval}
            continue
        begin = None if instructions[j].is_jump_target else _operand_start(instructions, j, target_first=True)
        found = _nonnegative(code, instructions, begin, j, assumed | {name}) if begin is not None else None
        if found is None:
            return None
        need |= found
    return need if stores else None


def length_test() -> tuple[str, float] | None:
    """(comparison, literal) where the caller's code is executing the builtin ``len`` of one
    argument whose result is only compared with a number literal (``len(gt) > 0``: ``("gt",
    0)``, ``0 < len(gt)``: not proven) or only tested for truth (``if len(gt):``, ``not
    len(gt)``: ``("ne", 0)``); None for anything else (another use of the length, a rebound
    ``len``, a layout not checked)."""
    if _VERSION not in _TEST_CHECKED:
        return None
    f = _caller()
    if f is None or f.f_globals.get("len", f.f_builtins.get("len")) is not len:
        return None
    return _length_test_at(f.f_code, _lasti(f))


@_per_code(1024)
def _length_test_at(code: types.CodeType, lasti: int) -> tuple[str, float] | None:
    instructions, at = _located(code, lasti)
    if at is not None and instructions[at].opname == "PRECALL" and at + 1 < len(instructions):
        at += 1  # specialised, ``len`` runs in PRECALL (``PRECALL_NO_KW_LEN``)
    if at is None or instructions[at].opname != "CALL" or instructions[at].arg != 1 or at + 1 >= len(instructions):
        return None
    end = at - 1 if instructions[at - 1].opname == "PRECALL" else at
    start = _operand_start(instructions, end)
    if start is None or start == 0 or any(i.is_jump_target for i in instructions[start : at + 2]):
        return None
    callee = instructions[start - 1]
    if callee.opname != "LOAD_GLOBAL" or callee.argval != "len" or not callee.arg or not callee.arg & 1:
        return None
    after = instructions[at + 1]
    if after.opname.startswith("POP_JUMP") and after.opname.endswith(("IF_TRUE", "IF_FALSE")):
        return ("ne", 0.0)
    if after.opname == "UNARY_NOT":
        return ("ne", 0.0)
    if at + 2 >= len(instructions) or after.opname != "LOAD_CONST" or type(after.argval) not in (int, float):
        return None
    compare = instructions[at + 2]
    if compare.opname != "COMPARE_OP" or compare.argval not in _COMPARISONS or compare.is_jump_target:
        return None
    return (_COMPARISONS[compare.argval], float(after.argval))


# instructions that test a value for truth in the code (``if x:``, ``x if c else y``, ``not x``, ``a and b``)
_TRUTH_TESTS = frozenset({"POP_JUMP_FORWARD_IF_FALSE", "POP_JUMP_FORWARD_IF_TRUE", "POP_JUMP_BACKWARD_IF_FALSE",
                          "POP_JUMP_BACKWARD_IF_TRUE", "JUMP_IF_FALSE_OR_POP", "JUMP_IF_TRUE_OR_POP", "UNARY_NOT"})


@_per_code(1024)
def called_only_in(code: types.CodeType, first: int, last: int, helper: types.CodeType) -> bool:
    """Whether ``code`` loads the name of the function ``helper`` runs (``_posterior_error(d, p)``)
    between the offsets ``first`` and ``last`` (a loop's) and nowhere else: its ops then ran in that
    loop (not in ``scale(losses)`` after it). A helper it does not call by name (a lambda, a helper's
    helper) is not proven so."""
    loads = [i.offset for i in _instructions(code)
             if i.opname in _NAME_LOADS and i.argval == helper.co_name and helper.co_name.isidentifier()]
    return bool(loads) and all(first <= at <= last for at in loads)


_NAME_LOADS = frozenset({"LOAD_GLOBAL", "LOAD_NAME", "LOAD_DEREF", "LOAD_FAST", "LOAD_ATTR", "LOAD_METHOD",
                         "LOAD_CLOSURE"})


def own_arm_loop() -> tuple[list[Any], tuple[types.CodeType, int, int]] | None:
    """Where the builtin ``len`` the caller's code is executing, tested (``length_test``), is in a
    ``for`` loop (innermost, none nested in it, no ``try`` / ``with``) whose every branch is such a
    test of a local's length (``if len(pts) == 0:``), whose loop variable is only an index of a
    local tensor (``dens[i]``: no arithmetic, no comparison, no list of numbers picked by it) and
    where no local is read before this iteration stores it (nothing carried from term to term): the
    tensors the loop variable indexes (the caller checks their rows are the images') and the loop's
    (code, first offset, last offset), each
    iteration's arms then decided by what it picked, not by its position (survey 61's Bayesian loss,
    ``Frame.own_arms``). None otherwise, or on a Python whose layout was not checked."""
    if _VERSION not in _TEST_CHECKED:
        return None
    f = _caller()
    if f is None:
        return None
    instructions, at = _located(f.f_code, _lasti(f))
    loop = _loop_of(instructions, at) if at is not None else None
    if loop is None:
        return None
    head, last = loop
    held = _locals(f)
    if instructions[head + 1].opname != "STORE_FAST" or not _arms_by_lengths(instructions, head, last, held) \
            or _carried_locals(instructions, head, last):
        return None
    var, indexed = instructions[head + 1].argval, []
    for k in range(head + 2, last):
        i = instructions[k]
        if i.opname == "LOAD_FAST" and i.argval == var:
            if instructions[k + 1].opname != "BINARY_SUBSCR" or instructions[k - 1].opname != "LOAD_FAST":
                return None
            indexed.append(held.get(instructions[k - 1].argval))
    if not indexed or not all(isinstance(x, torch.Tensor) for x in indexed):
        return None
    return indexed, (f.f_code, instructions[head].offset, instructions[last].offset)


def _arms_by_lengths(instructions: list[dis.Instruction], head: int, last: int, held: dict[str, Any]) -> bool:
    """Whether the loop ``head``..``last`` holds no nested loop, no exception handling and no
    branch other than a forward one right after ``len(x)`` of a local holding a tensor (``held``:
    the locals now; not a list the loop fills, ``if len(losses) == 0:``), alone or compared with a
    number literal."""
    lengths = (["LOAD_GLOBAL", "LOAD_FAST", "PRECALL", "CALL"], ["LOAD_GLOBAL", "LOAD_FAST", "PRECALL", "CALL",
                                                                  "LOAD_CONST", "COMPARE_OP"])
    for k in range(head + 1, last):
        i = instructions[k]
        if i.opname in ("FOR_ITER", "PUSH_EXC_INFO", "BEFORE_WITH", "CHECK_EXC_MATCH", "SEND", "YIELD_VALUE") \
                or i.opname.startswith("POP_JUMP_BACKWARD"):
            return False
        if i.opname.startswith("POP_JUMP_FORWARD_IF") or i.opname.startswith("JUMP_IF_"):
            if not i.opname.endswith(("IF_TRUE", "IF_FALSE")) or not any(
                    [x.opname for x in instructions[k - len(p):k]] == p and instructions[k - len(p)].argval == "len"
                    and isinstance(held.get(instructions[k - len(p) + 1].argval), torch.Tensor)
                    and (len(p) == 4 or type(instructions[k - 2].argval) in (int, float)) for p in lengths):
                return False
    return True


def _carried_locals(instructions: list[dis.Instruction], head: int, last: int) -> bool:
    """Whether a local the loop ``head``..``last`` stores is read in it where no store of this
    iteration before the read surely ran (a store inside an arm the read is not in)."""
    arms = [(k, next((j for j in range(k, last) if instructions[j].offset >= i.argval), last))
            for k, i in enumerate(instructions[head:last], head) if i.opname.startswith(("POP_JUMP_FORWARD_IF", "JUMP_IF_"))]
    stores: dict[str, list[int]] = {}
    for k in range(head + 1, last):
        if instructions[k].opname in ("STORE_FAST", "DELETE_FAST"):
            stores.setdefault(instructions[k].argval, []).append(k)
    for k in range(head + 2, last):
        i = instructions[k]
        if i.opname == "LOAD_FAST" and i.argval in stores and not any(
                s < k and all(a < k <= b for a, b in arms if a < s <= b) for s in stores[i.argval]):
            return True
    return False


def combined_truth() -> bool:
    """Whether the caller's code is in a call of the builtin ``any`` or ``all``, or of ``bool``
    whose result it does not test right away (``all(s["pos"].any() for s in targets)``,
    ``[bool(s["pos"].any()) for s in targets]``): the truths of several images' values combined
    or kept in Python, where a decision on them is no longer seen (review12). False where
    nothing can be told."""
    found = _truth_builtin_called()
    if found is None:
        return False
    name, instructions, at = found
    return name != "bool" or at + 1 >= len(instructions) or instructions[at + 1].opname not in _TRUTH_TESTS


def truth_through_call() -> bool:
    """Whether the truth being read is asked by a function the caller's code is calling, not the
    builtin ``any`` / ``all`` / ``bool`` read as such (``f = any; f(e > c)``): what that function
    does with the truths (stop at the first, keep them) is not told. False where nothing can be."""
    return _executing_call() is not None and _truth_builtin_called() is None


def text_made_caller() -> bool:
    """Whether the first frame outside losssplit and torch runs code compiled from a string
    (``eval("any(e > c)")``, ``_made_from_text``): what it decides is not read."""
    if _VERSION not in _CHECKED:
        return False
    capture = CAPTURE.get()
    start = capture.op_caller if capture is not None else None
    f: types.FrameType | None = start if start is not None else sys._getframe(1)
    while f is not None and _internal(str(f.f_globals.get("__name__", ""))):
        f = f.f_back
    return f is not None and _made_from_text(f.f_code)


def iterating_builtin() -> str | None:
    """``"any"`` / ``"all"`` where the caller's code is executing a call of that builtin, so that
    a tensor Python iterates there (``Tensor.__iter__``'s ``unbind``) is the builtin's argument
    itself (``any(torch.isinf(nll))``), every element read in order; None otherwise (a generator,
    ``list(x)`` or a slice of one between them iterate elsewhere)."""
    found = _truth_builtin_called()
    return found[0] if found is not None and found[0] != "bool" else None


def iterated_extreme() -> str | None:
    """``"max"`` / ``"min"`` where the caller's code is executing a call of that builtin with one
    positional argument and no keyword (``max(lengths)``, torch-struct), so that a tensor Python
    iterates there is that argument, its elements compared with each other by the builtin alone;
    None otherwise (a key, a default, several arguments, a generator between them)."""
    found = _executing_call()
    if found is None:
        return None
    f, instructions, at = found
    if instructions[at].arg != 1 or instructions[at - 1].opname == "KW_NAMES":
        return None
    callee = _global_callee(instructions, at, entered=True)
    if callee is None or len(callee) != 1 or callee[0] not in ("max", "min") \
            or _builtin(f, callee[0]) is not getattr(builtins, callee[0]):
        return None
    return callee[0]


def _truth_builtin_called() -> tuple[str, list[dis.Instruction], int] | None:
    """(``"any"``, ``"all"`` or ``"bool"``, the caller's instructions, the index of the CALL) where
    the caller's code is executing a call of that builtin (Python 3.11); None otherwise."""
    found = _executed(_TEST_CHECKED)
    if found is None:
        return None
    f, instructions, at = found
    if at is None:
        return None
    if instructions[at].opname == "PRECALL" and at + 1 < len(instructions):
        at += 1  # specialised, the builtin runs in PRECALL (``PRECALL_BUILTIN_CLASS``)
    if instructions[at].opname != "CALL":
        return None
    callee = _global_callee(instructions, at)
    if callee is None or len(callee) != 1 or callee[0] not in ("any", "all", "bool") \
            or _builtin(f, callee[0]) is not getattr(builtins, callee[0]):
        return None
    return callee[0], instructions, at


def compared_lengths() -> list[Any]:
    """The objects whose builtin ``len()`` is an operand of the comparison the caller's code is
    executing (``COMPARE_OP``), written there (``x.shape[0] != len(event)``) or held by a local
    whose one store is that call, in straight-line code before the comparison without a call
    between (torchsurv's ``n = len(self.event)``, then ``log_params.shape[0] != n``): ``len(p)``
    or ``len(p.a.b)`` of a parameter ``p`` the code never stores, nor any of those attributes
    (read from the instance's ``__dict__``, no property run). Empty where none is, or nothing can
    be told (Python 3.11)."""
    f = _caller_with_len(_TEST_CHECKED)
    if f is None:
        return []
    found = _compared_length_paths(f.f_code, _lasti(f))
    out = []
    for name, attrs in found:
        obj = _locals(f).get(name, _MISSING)
        for a in attrs:
            held = getattr(obj, "__dict__", None)
            obj = held.get(a, _MISSING) if type(held) is dict else _MISSING
        if obj is not _MISSING:
            out.append(obj)
    return out


@_per_code(1024)
def _compared_length_paths(code: types.CodeType, lasti: int) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """See ``compared_lengths``: per operand so found, the parameter and the attributes read."""
    instructions, at = _located(code, lasti)
    spans = _operand_pair(instructions, at, "COMPARE_OP")
    if spans is None:
        return ()
    params = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    stored_attrs = {i.argval for i in instructions if i.opname in ("STORE_ATTR", "DELETE_ATTR")}

    def length_of(end: int, start: int | None = None) -> tuple[str, tuple[str, ...]] | None:
        # ``len(p.a)`` ending right before ``end`` (and starting at ``start``)
        if end < 4 or instructions[end - 1].opname != "CALL" or instructions[end - 1].arg != 1 \
                or instructions[end - 2].opname != "PRECALL" or instructions[end - 2].arg != 1:
            return None
        k = end - 3
        attrs: list[str] = []
        while k >= 0 and instructions[k].opname == "LOAD_ATTR":
            attrs.append(str(instructions[k].argval))
            k -= 1
        if k < 1 or instructions[k].opname != "LOAD_FAST" or instructions[k - 1].opname != "LOAD_GLOBAL" \
                or instructions[k - 1].argval != "len" or not (instructions[k - 1].arg or 0) & 1 \
                or start is not None and start != k - 1:
            return None
        name = instructions[k].argval
        if name not in params or name in code.co_cellvars or _stores(instructions, name) \
                or stored_attrs.intersection(attrs) or any(i.is_jump_target for i in instructions[k : end]):
            return None
        return str(name), tuple(reversed(attrs))

    out = []
    left = spans[0][0]
    for start, end in spans:
        found = length_of(end, start)
        if found is None and end - start == 1 and instructions[start].opname == "LOAD_FAST":
            name = instructions[start].argval
            stores = _stores(instructions, name)
            # stored right before the comparison: no call between that could rebind what was measured
            if len(stores) == 1 and instructions[stores[0]].opname == "STORE_FAST" and name not in params \
                    and name not in code.co_cellvars and stores[0] < left and not any(
                        i.opname == "CALL" or i.is_jump_target for i in instructions[stores[0] + 1 : left + 1]):
                found = length_of(stores[0])
        if found is not None:
            out.append(found)
    return tuple(out)


def builtin_choice() -> str | None:
    """Whether the caller's code may be in a call of the builtin ``max`` or ``min`` (``max(t.sum(),
    1)``), whose comparisons of a tensor decide which value it returns: ``"max"`` / ``"min"``, or
    ``"?"`` where the callee cannot be told (a call right after a ``with`` block, a jump target;
    an unchecked Python); None at any other instruction and at a call of anything else (a torch
    function's checks)."""
    found = _executed(_TEST_CHECKED)
    if found is None:
        return "?"
    f, instructions, at = found
    if at is None:
        return "?"
    if instructions[at].opname == "PRECALL" and at + 1 < len(instructions):
        at += 1
    if instructions[at].opname != "CALL":
        return None
    callee = _global_callee(instructions, at, entered=True)
    if callee is None:
        return "?"
    name = callee[0]
    return name if len(callee) == 1 and name in ("max", "min") and _builtin(f, name) is getattr(builtins, name) else None


def outliving_effect(counts: Collection[int] = ()) -> str | None:
    """What the code the caller is executing does, in a ``for`` loop, only where the branch it is
    about to take goes one way, that outlives the iteration: a ``break``, a ``return``, or a
    constant stored in a local read outside the loop (``if (e[b] > c).any(): flag = True``); None
    where nothing of the kind is seen (or nothing can be told); "" where the loop is no loop over
    the images: ``for ii in range(n)`` with ``n`` a plain int (a literal, or a local holding one)
    equal to none of ``counts``, whose variable the body only formats or takes modulo a literal
    (POT's Sinkhorn iterations: ``if ii % 10 == 0``, ``"at iteration %d" % ii``)."""
    found = _executed(_TEST_CHECKED)
    if found is None or found[2] is None:
        return None
    effect = _outliving_at(found[0].f_code, found[2])
    if effect is None:
        return None
    iterations = _iteration_loop(found[0].f_code, found[2])
    if iterations is not None:
        n = iterations[1] if iterations[0] else _locals(found[0]).get(iterations[1])
        if type(n) is int and n not in counts:
            return ""
    return effect


@_per_code(1024)
def _iteration_loop(code: types.CodeType, at: int) -> tuple[bool, Any] | None:
    """(True, the literal) or (False, the local's name) of ``range(..)``'s one argument, where the
    innermost loop around instruction ``at`` is ``for v in range(n)`` and its body reads ``v`` only
    as ``v % c`` with ``c`` a literal, ``"..." % v``, or an argument of ``str.format``; None else."""
    instructions = _instructions(code)
    loop = _loop_of(instructions, at)
    if loop is None:
        return None
    head, last = loop
    before = [i for i in instructions[max(0, head - 8) : head] if i.opname not in ("EXTENDED_ARG", "PRECALL", "CACHE")]
    if len(before) < 4 or [i.opname for i in before[-2:]] != ["CALL", "GET_ITER"] or before[-2].arg != 1:
        return None
    arg, callee = before[-3], before[-4]
    if callee.opname != "LOAD_GLOBAL" or callee.argval != "range" or arg.opname not in ("LOAD_CONST", "LOAD_FAST"):
        return None
    store = instructions[head + 1]
    if store.opname != "STORE_FAST":
        return None
    var = store.argval
    for k in range(head + 2, last + 1):
        i = instructions[k]
        if i.argval != var or i.opname not in ("LOAD_FAST", "STORE_FAST", "DELETE_FAST"):
            continue
        prev, nxt = instructions[k - 1], instructions[k + 1]
        modulo = (i.opname == "LOAD_FAST" and nxt.opname == "LOAD_CONST" and type(nxt.argval) is int
                  and instructions[k + 2].opname == "BINARY_OP" and instructions[k + 2].argrepr == "%")
        formatted = (i.opname == "LOAD_FAST" and prev.opname == "LOAD_CONST" and type(prev.argval) is str
                     and nxt.opname == "BINARY_OP" and nxt.argrepr == "%")
        method = i.opname == "LOAD_FAST" and prev.opname in ("LOAD_METHOD", "LOAD_ATTR") and prev.argval == "format"
        if not (modulo or formatted or method):
            return None
    return (arg.opname == "LOAD_CONST", arg.argval)


@_per_code(1024)
def _outliving_at(code: types.CodeType, at: int) -> str | None:
    instructions = _instructions(code)
    jump = next((k for k in range(at, min(at + 4, len(instructions)))  # the test's jump, right after it
                 if instructions[k].opname.startswith("POP_JUMP_FORWARD")), None)
    if jump is None or any(i.is_jump_target for i in instructions[at + 1 : jump + 1]):
        return None
    loop = _loop_of(instructions, jump)
    if loop is None:
        return None
    head, last = loop
    target = next((k for k, i in enumerate(instructions) if i.offset == instructions[jump].argval), None)
    if target is None or target > last:
        return None
    for k in range(jump + 1, target):
        i = instructions[k]
        if i.opname == "RETURN_VALUE":
            return "a return"
        if i.opname.startswith("JUMP_FORWARD") and i.argval > instructions[last].offset:
            return "a break"
        if (i.opname == "STORE_FAST" and instructions[k - 1].opname == "LOAD_CONST"
                and any(j.opname == "LOAD_FAST" and j.argval == i.argval and not head <= n <= last
                        for n, j in enumerate(instructions))):
            return f"{i.argval!r} set"
    return None


def carried_size(name: str) -> bool:
    """Whether the arguments of the call of ``name`` (``topk``) the caller's code is executing,
    in a ``for`` loop, read a local that the loop stores only later in its body: a number kept
    from an earlier iteration (``ce.topk(prev)``, then ``prev = n``), on a group alone another
    image's. False where nothing is seen (or can be told)."""
    found = _executed(_TEST_CHECKED)
    if found is None or found[2] is None:
        return False
    return _carried_at(found[0].f_code, found[2], name)


@_per_code(1024)
def _carried_at(code: types.CodeType, at: int, name: str) -> bool:
    instructions = _instructions(code)
    loop = _loop_of(instructions, at) if instructions[at].opname == "CALL" else None
    callee = next((k for k in range(at - 1, -1, -1) if instructions[k].opname in ("LOAD_METHOD", "LOAD_ATTR")
                   and instructions[k].argval == name), None)
    if loop is None or callee is None or callee < loop[0]:
        return False
    later = {i.argval for i in instructions[at + 1 : loop[1]] if i.opname == "STORE_FAST"}
    return any(i.opname == "LOAD_FAST" and i.argval in later for i in instructions[callee + 1 : at])


def truth_tested() -> bool:
    """Whether the caller's code is testing a value for truth at an instruction written in it
    (a branch, ``not``, ``and`` / ``or``), not in a call whose code does (``max(n, 1)``, a torch
    function's checks). True where nothing can be told (an unchecked Python)."""
    return _executing(_TRUTH_TESTS)


def result_truth_tested() -> bool:
    """Whether the caller's code tests the result of the call it is executing for truth right
    away (``if mask.any().item():``, ``not int(flag)``: the call's next instruction is a truth
    test), so that the number it returns steers a branch and goes nowhere else. False where
    nothing can be told."""
    found = _executing_call()
    if found is None:
        return False
    _, instructions, at = found
    if at + 3 < len(instructions) and _compared_with_truth_literal(instructions[at + 1 : at + 3]):
        at += 2  # ``assert (l == l).item() == 1``: the comparison with a literal, a function of the truth
    return (at + 1 < len(instructions)
            and instructions[at + 1].opname in _TRUTH_TESTS - _TRUTH_KEPT and not instructions[at + 1].is_jump_target)


def _executing_call(any_op: bool = False) -> tuple[types.FrameType, list[dis.Instruction], int] | None:
    """(the caller's frame, its instructions, the index of the CALL it is executing); None where it
    is executing no call (``any_op``: the index of whatever it executes), or where nothing can be told."""
    found = _executed(_TEST_CHECKED)
    if found is None or found[2] is None:
        return None
    f, instructions, at = found[0], found[1], found[2]
    if instructions[at].opname == "PRECALL" and at + 1 < len(instructions):
        at += 1  # specialised, a builtin or a method descriptor runs in PRECALL
    return (f, instructions, at) if any_op or instructions[at].opname == "CALL" else None


_FINITENESS = {math.isnan: "isnan", math.isinf: "isinf", math.isfinite: "isfinite"}


def read_decided() -> bool:
    """Whether the caller's code sends the result of the call it is executing (a number read on the
    host), straight or through a local stored from it, to a comparison, a truth test or a function
    of ``math`` (``if w.item() < 0.9:``, ``math.isclose(w.item(), 1.0)``): a decision or a number
    Python makes of it, which no op shows."""
    found = _executing_call()
    if found is None:
        return False
    f, instructions, at = found
    pushes = [at]
    if at + 1 < len(instructions) and instructions[at + 1].opname == "STORE_FAST":  # ``w = x.item()``
        name = instructions[at + 1].argval
        pushes = [k for k, i in enumerate(instructions) if i.opname == "LOAD_FAST" and i.argval == name]
    for p in pushes:
        if p + 1 < len(instructions) and instructions[p + 1].opname in _TRUTH_TESTS:
            return True
        used = _consumer(instructions, p)
        if used is None:
            continue
        k, slot = used
        if instructions[k].opname == "COMPARE_OP" or instructions[k].opname == "CALL" and slot >= 2 \
                and getattr(_called_object(f, instructions, k), "__module__", None) == "math":
            return True
    return False


def read_branched() -> bool:
    """Whether the caller's code compares or tests for truth the number the host read (or the
    operator) it is executing returns (``int(pos.sum())``, ``x.sum().item()``, ``m // 4``), or any
    number computed from it: through locals (a closure's too, in the functions made in the code),
    operators, containers and the result of any call it is passed to (``if math.floor(m / 4) >=
    2:``, ``if test(m):``, ``a if m > 8 else b``, a loop over ``range(m)``). ``max`` / ``min`` are followed, not counted
    (their floors have rules of their own). A branch the capture does not see: on a group alone
    the body may take the other arm. False where nothing can be told."""
    found = _executing_call(any_op=True)
    return found is not None and _branched(found[0].f_code, [found[2]], 0, found[0])


def _branched(code: types.CodeType, starts: list[int], depth: int, f: types.FrameType | None = None,
              globals_: dict[str, Any] | None = None) -> bool:
    """``read_branched`` of the values pushed at ``starts`` in ``code`` (``depth``: of nested code;
    ``f``: the frame running ``code``, else ``globals_``, its globals, where a function it calls is
    looked up: one that compares or tests the parameter the number is passed to, ``def f(m): return
    m if m > 8 else 8``, branches on it too)."""
    instructions = _instructions(code)
    stored: set[str] = set()
    pending = list(starts)
    for p, used in _uses(instructions, pending):
        if p + 1 < len(instructions) and (instructions[p + 1].opname in _TRUTH_TESTS or instructions[p + 1].opname == "GET_ITER"):
            return True  # (``for _ in range(n // 4):``: how often the loop runs is the number's test)
        if used is None:
            continue
        k, _ = used
        i = instructions[k]
        if i.opname in ("COMPARE_OP", "CONTAINS_OP") or i.opname in _TRUTH_TESTS:
            return True
        if i.opname in ("STORE_FAST", "STORE_DEREF") and i.argval not in stored:
            stored.add(i.argval)
            load = "LOAD_FAST" if i.opname == "STORE_FAST" else "LOAD_DEREF"
            pending += [j for j, x in enumerate(instructions) if x.opname == load and x.argval == i.argval]
            if i.opname == "STORE_DEREF" and _branched_inside(code, i.argval, depth):
                return True
        elif i.opname in _PASSED or i.opname in ("UNARY_NEGATIVE", "UNARY_POSITIVE", "UNARY_INVERT"):
            if i.opname == "CALL" and depth < 3 and _branched_in_callee(code, instructions, k, used[1], depth, f, globals_):
                return True
            pending.append(k)
    return False


def _branched_in_callee(caller: types.CodeType, instructions: list[dis.Instruction], k: int, which: int, depth: int,
                        f: types.FrameType | None, globals_: dict[str, Any] | None) -> bool:
    """Whether the Python function the CALL at ``k`` calls (a global, a global's attribute or, in
    ``f``'s own code, a local or a local's attribute: ``self.floor(m)``) compares or tests the
    parameter its argument ``which`` (``_consumer``'s count: 2 the first) is bound to."""
    start = _arguments_start(instructions, k)
    if start is None or start < 1 or which < 2:
        return False
    held = f.f_globals if f is not None else globals_
    callee, receiver = instructions[start - 1], instructions[start - 2] if start >= 2 else None
    function: Any = None
    shift = 0
    if callee.opname == "LOAD_GLOBAL" and held is not None:
        function = held.get(callee.argval, getattr(builtins, str(callee.argval), None))
    elif callee.opname == "LOAD_FAST" and f is not None:
        function = _locals(f).get(callee.argval)
    elif callee.opname in ("LOAD_ATTR", "LOAD_METHOD") and receiver is not None and receiver.opname in ("LOAD_GLOBAL", "LOAD_FAST"):
        owner = (held or {}).get(receiver.argval) if receiver.opname == "LOAD_GLOBAL" else (
            _locals(f).get(receiver.argval) if f is not None else None)
        if owner is not None:
            try:
                function = inspect.getattr_static(owner, str(callee.argval))
            except AttributeError:
                function = None
            if isinstance(function, (staticmethod, classmethod)):
                function = function.__func__ if isinstance(function, staticmethod) else None
            elif isinstance(function, types.FunctionType) and not isinstance(owner, (type, types.ModuleType)):
                shift = 1  # a method of an instance: ``self`` is its first parameter
    if not isinstance(function, types.FunctionType) or str(function.__globals__.get("__name__", "")).partition(".")[0] in ("losssplit", "torch"):
        return False
    code = function.__code__
    names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    given = instructions[k].arg or 0
    named = _keyword_names(instructions, k, caller)
    if named is None:
        return False
    keywords = named[0]
    position = which - 2
    if position >= given - len(keywords):
        name = keywords[position - (given - len(keywords))] if position - (given - len(keywords)) < len(keywords) else None
    else:
        name = names[position + shift] if position + shift < code.co_argcount else None
    if name is None:  # (into ``*args``: any parameter)
        return code.co_flags & inspect.CO_VARARGS != 0
    loads = [j for j, x in enumerate(_instructions(code)) if x.opname in ("LOAD_FAST", "LOAD_DEREF") and x.argval == name]
    return _branched(code, loads, depth + 1, None, function.__globals__)


def _branched_inside(code: types.CodeType, name: str, depth: int) -> bool:
    """Whether a function made in ``code`` (a comprehension, a lambda) compares or tests the
    closure's ``name`` (``_branched``); True where nested too deep to tell."""
    for c in code.co_consts:
        if isinstance(c, types.CodeType) and name in c.co_freevars:
            if depth >= 3:
                return True
            loads = [j for j, x in enumerate(_instructions(c)) if x.opname == "LOAD_DEREF" and x.argval == name]
            if _branched(c, loads, depth + 1):
                return True
    return False


def _called_object(f: types.FrameType, instructions: list[dis.Instruction], k: int) -> Any:
    """The function the CALL at ``k`` calls where the code loads it as a global (``isclose(...)``) or
    a global's attribute (``math.isclose(...)``); None otherwise."""
    start = _arguments_start(instructions, k)
    if start is None or start < 1:
        return None
    callee = instructions[start - 1]
    if callee.opname == "LOAD_GLOBAL":
        return f.f_globals.get(callee.argval, getattr(builtins, str(callee.argval), None))
    if callee.opname in ("LOAD_ATTR", "LOAD_METHOD") and start >= 2 and instructions[start - 2].opname == "LOAD_GLOBAL":
        return getattr(f.f_globals.get(instructions[start - 2].argval), str(callee.argval), None)
    return None


def finiteness_of_result() -> str | None:
    """``"isnan"`` (``"isinf"``, ``"isfinite"``) where the caller's code passes the result of the
    call it is executing straight to ``math.isnan`` (``isinf``, ``isfinite``) as its one argument
    and tests that for truth right away (``if math.isnan(loss.item()):``): the number goes nowhere
    else. None otherwise, or where nothing can be told."""
    found = _executing_call()
    if found is None or found[2] + 3 >= len(found[1]):
        return None
    f, instructions, at = found
    precall, call, test = instructions[at + 1 : at + 4]
    if (precall.opname != "PRECALL" or precall.arg != 1 or call.opname != "CALL" or call.arg != 1
            or test.opname not in _TRUTH_TESTS - _TRUTH_KEPT or any(i.is_jump_target for i in (precall, call, test))):
        return None
    start = _operand_start(instructions, at + 1)
    if start is None or start < 1:
        return None
    callee = instructions[start - 1]
    if callee.opname == "LOAD_GLOBAL" and callee.arg is not None and callee.arg & 1:  # ``isnan(x)``, NULL pushed
        func = f.f_globals.get(callee.argval, getattr(builtins, str(callee.argval), None))
    elif (callee.opname == "LOAD_ATTR" and start >= 2 and instructions[start - 2].opname == "LOAD_GLOBAL"
          and (instructions[start - 2].arg or 0) & 1 and not callee.is_jump_target):  # ``math.isnan(x)``
        func = getattr(f.f_globals.get(instructions[start - 2].argval), str(callee.argval), None)
    else:
        return None
    return next((name for known, name in _FINITENESS.items() if known is func), None)


def result_bound_tested() -> bool:
    """Whether the caller's code compares the number the call it is executing returns with a
    numeric literal and branches on that right away (``assert w.min().item() >= 0 and ...``: the
    call's next instructions are the literal, an ordering ``COMPARE_OP`` and a jump, none a jump
    target), so that the number goes nowhere else. False where nothing can be told."""
    found = _executing_call()
    if found is None or found[2] + 3 >= len(found[1]):
        return False
    load, compare, test = found[1][found[2] + 1: found[2] + 4]
    return (load.opname == "LOAD_CONST" and type(load.argval) in (int, float) and compare.opname == "COMPARE_OP"
            and compare.argval in ("<", "<=", ">", ">=") and test.opname in _TRUTH_TESTS - _TRUTH_KEPT
            and not any(i.is_jump_target for i in (load, compare, test)))


def _compared_with_truth_literal(pair: list[dis.Instruction]) -> bool:
    """Whether ``pair`` compares the value before it with a literal ``True``, ``False``, 1 or 0
    (``== 1``, ``!= 0``, ``is True``), neither a jump target."""
    load, compare = pair
    return (load.opname == "LOAD_CONST" and type(load.argval) in (bool, int) and load.argval in (0, 1)
            and (compare.opname == "COMPARE_OP" and compare.argval in ("==", "!=") or compare.opname == "IS_OP")
            and not load.is_jump_target and not compare.is_jump_target)


# truth tests whose outcome the code keeps as a value (``flag = not x``, ``[not x for ...]``, ``y = a
# and b``; ``if not x:`` and ``if a and b:`` jump instead, on 3.11)
_TRUTH_KEPT = frozenset({"UNARY_NOT", "JUMP_IF_FALSE_OR_POP", "JUMP_IF_TRUE_OR_POP"})


def truth_kept() -> bool:
    """Whether the caller's code is testing a value for truth to keep the outcome as a value
    (``flags.append(not s["pos"].any())``), not to branch on it. False where nothing can be told."""
    found = _executed(_TEST_CHECKED)
    return found is not None and found[2] is not None and found[1][found[2]].opname in _TRUTH_KEPT


# each comparison with its operands swapped (``a < b`` is ``b > a``)
SWAPPED = {"lt": "gt", "le": "ge", "gt": "lt", "ge": "le", "eq": "eq", "ne": "ne"}


def divisor_tests() -> tuple[tuple[str, float], ...]:
    """The tests ``code`` makes of the local the division the caller's code is executing divides
    by (``k = sum(...)``, then ``if k > 8:`` or ``l.sum() / k if k > 8 else ...``): each load of
    it compared with a number literal or tested for truth, as ``_tests_of`` reads them."""
    f = _caller()
    if f is None or _VERSION not in _TEST_CHECKED:
        return ()
    return _divisor_tests_at(f.f_code, _lasti(f))


@_per_code(1024)
def _divisor_tests_at(code: types.CodeType, lasti: int) -> tuple[tuple[str, float], ...]:
    names = [n for n in _divisor_locals(code, lasti) if not n.startswith(_CALLED)]
    instructions = _instructions(code)
    return _tests_of(instructions, [k for k, i in enumerate(instructions) if i.opname == "LOAD_FAST" and i.argval in names],
                     _literal_locals(code))


def _tests_of(instructions: list[dis.Instruction], pushed: list[int],
              literals: dict[str, Any] | None = None, named: bool = False) -> tuple[tuple[str, Any], ...]:
    """The comparisons with a number literal and truth tests of the values the instructions at
    ``pushed`` push (a length: ``_lengths``). ``literals``: the code's locals only ever stored from
    one literal (``_literal_locals``), compared as that literal (``least = 2; len(t) > least``:
    before review14 such a test was not seen, every group taking the batch's decision). ``named``:
    a module global or an attribute of a local compared is given as its ``_Named`` load."""
    tests: list[tuple[str, Any]] = []
    for p in pushed:
        after = instructions[p + 1] if p + 1 < len(instructions) else None
        if after is not None and (after.opname == "UNARY_NOT" or after.opname.startswith("POP_JUMP")
                                  and after.opname.endswith(("IF_TRUE", "IF_FALSE"))):
            tests.append(("ne", 0.0))
            continue
        found = _consumer(instructions, p)
        if found is not None and instructions[found[0]].opname == "CONTAINS_OP":
            # ``len(t) in (1, 2)``: equal to each item of a literal of numbers; else not known per group
            right = _operand_start(instructions, found[0]) if found[1] == 0 else None
            items = instructions[right] if right == found[0] - 1 else None
            values = items.argval if items is not None and items.opname == "LOAD_CONST" else None
            if isinstance(values, (tuple, frozenset)) and all(type(v) in (int, float) for v in values):
                tests += [("eq", float(v)) for v in values]
            elif named:
                tests.append(("eq", _Named("membership", "the items of a container (``in``)")))
            continue
        if found is not None and instructions[found[0]].opname == "BINARY_SUBSCR" and found[1] == 1 and named:
            tests.append(("eq", _Named("key", "the keys of what it subscripts (``table[len(t)]``)")))
            continue
        if found is None or instructions[found[0]].opname != "COMPARE_OP" or instructions[found[0]].argval not in _COMPARISONS:
            continue
        k, operand = found
        other = _other_operand(instructions, k, operand)
        than = None if other is None else other.argval if other.opname == "LOAD_CONST" else (
            (literals or {}).get(other.argval) if other.opname == "LOAD_FAST" else None)
        if isinstance(than, (int, float)) and type(than) is not bool:
            than = float(than)
        elif named and other is None:
            than = _named_operand(instructions, k, operand)
        else:
            continue
        if than is not None:
            op = _COMPARISONS[instructions[k].argval]
            tests.append((op if operand == 0 else SWAPPED[op], than))
    return tuple(dict.fromkeys(tests))


def _named_operand(instructions: list[dis.Instruction], k: int, operand: int) -> _Named | None:
    """The other operand of the comparison at ``k`` (see ``_other_operand``) where it is a module
    global (``LEAST``) or an attribute of a local (``self.k``), as a ``_Named``; None otherwise."""
    span = _other_span(instructions, k, operand)
    if len(span) == 1 and span[0].opname == "LOAD_GLOBAL" and not (span[0].arg or 0) & 1:
        return _Named("global", span[0].argval)
    if len(span) == 2 and span[0].opname == "LOAD_FAST" and span[1].opname == "LOAD_ATTR":
        return _Named("attr", (span[0].argval, span[1].argval))
    return None


def constant_product_operand(value: Any, right: bool, lists: FixedLists | None = None) -> bool:
    """Whether the operand (``right``: the right one) of the ``*`` the caller's code is executing
    is a constant of the call equal to ``value`` (``_constant_of_call``, a field of the call's own
    argument included: ``outputs["meta"]["groups"]``), the number of groups a count is multiplied
    by (``g = self.groups if self.training else 1``). On a group alone the same number, whatever
    count it equals. Python 3.11 only (operand layout checked)."""
    if _VERSION not in _FLOOR_CHECKED or type(value) not in (int, float):
        return False
    f = _caller()
    spans = _operand_spans(f.f_code, _lasti(f)) if f is not None else None
    if f is None or spans is None or _instructions(f.f_code)[spans[1][1]].arg not in _PRODUCTS:
        return False
    start, end = spans[1] if right else spans[0]
    found = _constant_of_call(f, start, end, None, own=lists)
    return found is not _UNPROVEN and found == value


def constant_multiple(lists: FixedLists | None = None) -> float | None:
    """The factor ``k`` where the number the call the caller's code is executing takes as its
    first argument (``torch.as_tensor([n])``, ``torch.tensor(n)``) is a local whose last
    assignment, in straight-line code right before the call, is that local times a constant of
    the call (``n = n * group_detr``, as ``constant_product_operand`` reads it): ``k`` times the
    number it held. None where that is not shown. Python 3.11 only."""
    f = _caller() if _VERSION in _FLOOR_CHECKED else None
    found = _multiple_at(f.f_code, _lasti(f)) if f is not None else None
    k: Any = _constant_of_call(f, *found, None, own=lists) if f is not None and found is not None else _UNPROVEN
    return float(k) if type(k) in (int, float) and k > 0 else None


@_per_code(1024)
def _multiple_at(code: types.CodeType, lasti: int) -> tuple[int, int] | None:
    """The span of the factor ``c`` of ``x = x * c`` (or ``c * x``, ``x *= c``) stored right before
    the CALL at ``lasti`` whose first argument is ``x`` or ``[x]`` (see ``constant_multiple``)."""
    instructions, at = _located(code, lasti)
    if at is None or instructions[at].opname != "CALL" or instructions[at].is_jump_target:
        return None
    spans = _call_spans(code, at)
    if spans is None or not spans[0] or any(i.is_jump_target for i in instructions[spans[0][0][0] : at + 1]):
        return None
    first = instructions[spans[0][0][0] : spans[0][0][1]]
    if not (len(first) in (1, 2) and first[0].opname == "LOAD_FAST"
            and (len(first) == 1 or first[1].opname == "BUILD_LIST" and first[1].arg == 1)):
        return None
    name, j = first[0].argval, spans[0][0][0] - 1
    # the callee's loads right before the argument, then the store: ``x = x * c`` ends there
    while j >= 0 and instructions[j].opname in ("LOAD_GLOBAL", "LOAD_ATTR", "LOAD_METHOD", "PUSH_NULL", "LOAD_FAST") \
            and not (instructions[j].opname == "LOAD_FAST" and instructions[j].argval == name):
        if instructions[j].is_jump_target:
            return None
        j -= 1
    if j < 3 or instructions[j].opname != "STORE_FAST" or instructions[j].argval != name or _in_loop(code, instructions[j].offset):
        return None
    product = instructions[j - 1]
    if product.opname != "BINARY_OP" or product.arg not in _PRODUCTS or product.is_jump_target:
        return None
    right = _operand_start(instructions, j - 1)
    left = _operand_start(instructions, right) if right is not None else None
    if right is None or left is None:
        return None
    for x, c in (((left, right), (right, j - 1)), ((right, j - 1), (left, right))):
        span = instructions[x[0] : x[1]]
        if len(span) == 1 and span[0].opname == "LOAD_FAST" and span[0].argval == name:
            return c
    return None


_CONSTANT_KEYS = (str, int)
# what may stand between a local's load and the call it is an argument of: loads and displays only
_PASSING_ON = frozenset({"LOAD_FAST", "LOAD_CONST", "LOAD_GLOBAL", "LOAD_DEREF", "BUILD_MAP", "BUILD_CONST_KEY_MAP",
                         "BUILD_TUPLE", "BUILD_LIST", "DICT_UPDATE", "DICT_MERGE", "LIST_EXTEND", "KW_NAMES", "PRECALL",
                         "PUSH_NULL"})


def _parameters(code: types.CodeType) -> tuple[str, ...]:
    return code.co_varnames[: code.co_argcount + code.co_kwonlyargcount + bool(code.co_flags & 4) + bool(code.co_flags & 8)]


def _local_value(f: types.FrameType, name: str, body: Callable[[], BodyCall | None] | None, own: FixedLists | None,
                 depth: int) -> Any:
    """The number the local ``name`` of ``f`` holds where every store of it pushes a constant of
    the call (``_constant_of_call``) equal to it (``d = 6``, ``g = self.groups``; in a loop too:
    the same number each time), or where its one store chooses between two such constants on
    attributes no code writes (``_local_stores``); ``_UNPROVEN`` else."""
    held = _locals(f).get(name, _UNPROVEN)
    if type(held) not in (int, float):
        return _UNPROVEN
    looped_over = _loop_target_of(f.f_code, name)
    if looped_over is not None and _builtin(f, "enumerate") is enumerate:  # ``for side in SIDES:``: an item of a constant tuple, the same on any group
        items = configured_value(_Named("global", looped_over), f.f_globals, _locals(f), f.f_code)
        return held if type(items) is tuple and any(type(v) is type(held) and v == held for v in items) else _UNPROVEN
    ranged = _range_target_of(f.f_code, name)
    if ranged is not None:
        return _range_counter(f, held, ranged, body, own, depth)
    unpacked = _unpacked_size_of(f.f_code, name)
    if unpacked is not None:
        return held if _argument_size(_locals(f).get(unpacked[0]), unpacked[1]) == held else _UNPROVEN
    stores = _local_stores(f.f_code, name)
    if not stores:
        return _UNPROVEN
    for store in stores:
        if len(store) == 3:  # ``self.groups if self.training else 1``: either branch is the call's constant
            owners, attrs, branches = store
            objects = [_locals(f).get(o) for o in owners] or [None]
            if any(_attribute_written(f.f_code, f.f_globals, obj, a) for obj in objects for a in attrs):
                return _UNPROVEN  # a choice on the batch (``2 if len(targets) > 1 else 1``) is the group's there
            values = [_constant_of_call(f, a, b, body, own, depth + 1) for a, b in branches]
            if any(v is _UNPROVEN for v in values) or not any(type(v) is type(held) and v == held for v in values):
                return _UNPROVEN
            continue
        value = _constant_of_call(f, store[0], store[1], body, own, depth + 1)
        if type(value) is not type(held) or value != held:
            return _UNPROVEN
    return held


def _range_counter(f: types.FrameType, held: Any, ranged: tuple[tuple[tuple[int, int], ...], int, int],
                   body: Callable[[], BodyCall | None] | None, own: FixedLists | None, depth: int) -> Any:
    """``held``, the int the counter of ``for k in range(a, b, c):`` holds, where the op being
    executed runs in that loop's body and ``a``, ``b``, ``c`` are constants of the call
    (``_constant_of_call``): on a group alone the loop visits the same ints, and at this iteration
    the counter is the same, whatever count of the batch it equals (Taylor CE's ``(1 - p) ** k /
    k``). After the loop (a ``break`` may leave another int there) or over other bounds:
    ``_UNPROVEN``."""
    spans, first, last = ranged
    if type(held) is not int or _builtin(f, "range") is not range:
        return _UNPROVEN
    at = _located_frame(f.f_code, _lasti(f))[1]
    # after a loop it cannot leave early, the range's last int (``for k in range(1, 4): ..``, then ``/ k``: red team 36b)
    after = at is not None and at >= last and not _left_early(f.f_code, first, last)
    if at is None or not (first < at < last or after):
        return _UNPROVEN
    bounds = [_constant_of_call(f, a, b, body, own, depth + 1) for a, b in spans]
    if any(type(v) is not int for v in bounds) or len(bounds) == 3 and bounds[2] == 0:
        return _UNPROVEN
    visited = range(*bounds)
    return held if (held == visited[-1] if after and visited else not after and held in visited) else _UNPROVEN


@_per_code(256)
def _left_early(code: types.CodeType, first: int, last: int) -> bool:
    """Whether an instruction of the loop between the indices ``first`` (its FOR_ITER) and ``last``
    (its exit) jumps to the exit or past it (a ``break``)."""
    instructions = _instructions(code)
    if last >= len(instructions):
        return True
    exit_offset = instructions[last].offset
    return any((i.opcode in dis.hasjrel or i.opcode in dis.hasjabs) and type(i.argval) is int
               and i.argval >= exit_offset for i in instructions[first + 1:last])


@_per_code(1024)
def _range_target_of(code: types.CodeType, name: str) -> tuple[tuple[tuple[int, int], ...], int, int] | None:
    """(the argument spans of ``range``, the index of the FOR_ITER, that of its exit) where the
    only store of the local ``name`` of ``code`` is the target of ``for name in range(...):``
    with positional arguments; None otherwise (another store, a closure's local, a parameter)."""
    if name in _parameters(code) or name in code.co_cellvars or name in code.co_freevars:
        return None
    instructions = _instructions(code)
    stores = _stores(instructions, name)
    j = stores[0] if len(stores) == 1 else 0
    if j < 5 or instructions[j].opname != "STORE_FAST" or [i.opname for i in instructions[j - 3:j]] != [
            "CALL", "GET_ITER", "FOR_ITER"]:
        return None
    found = _call_spans(code, j - 3)
    if found is None or found[1] or not 1 <= len(found[0]) <= 3:
        return None
    callee = instructions[found[0][0][0] - 1]
    if callee.opname != "LOAD_GLOBAL" or callee.argval != "range" or not (callee.arg or 0) & 1:
        return None
    exit_at = _positions(code).get(instructions[j - 1].argval)
    return (found[0], j - 1, exit_at) if exit_at is not None else None


@_per_code(1024)
def _unpacked_size_of(code: types.CodeType, name: str) -> tuple[str, int] | None:
    """``(p, k)`` where the only store of the local ``name`` of ``code`` takes item ``k`` > 0 of
    ``a, b, c = p.shape``, ``p`` a local stored after only as ``p = p.float()``; None otherwise."""
    if name in _parameters(code) or name in code.co_cellvars or name in code.co_freevars:
        return None
    instructions = _instructions(code)
    stores = _stores(instructions, name)
    if len(stores) != 1 or instructions[stores[0]].opname != "STORE_FAST":
        return None
    j = k = stores[0]
    while k > 0 and instructions[k - 1].opname == "STORE_FAST" and not instructions[k].is_jump_target:
        k -= 1
    if k < 3 or instructions[k - 1].opname != "UNPACK_SEQUENCE" or instructions[k - 2].opname != "LOAD_ATTR" \
            or instructions[k - 2].argval != "shape" or instructions[k - 3].opname != "LOAD_FAST" or j == k \
            or j - k >= (instructions[k - 1].arg or 0) or instructions[k - 1].is_jump_target \
            or instructions[k - 3].argval in code.co_cellvars:
        return None
    held = instructions[k - 3].argval
    for at in _stores(instructions, held):  # only ``p = p.float()`` after: the same shape, maybe the same tensor
        if at < k or instructions[at].opname != "STORE_FAST" or [(i.opname, i.argval) for i in instructions[at - 4:at]] != [
                ("LOAD_FAST", held), ("LOAD_METHOD", instructions[at - 3].argval), ("PRECALL", 0), ("CALL", 0)] \
                or instructions[at - 3].argval not in _SHAPE_KEEPING:
            return None
    return held, j - k


# methods of no argument whose tensor has the shape of their own (``float()`` of a float tensor: itself)
_SHAPE_KEEPING = frozenset({"float", "double", "half", "contiguous", "detach", "clone"})


def _argument_size(x: Any, dim: int) -> int | None:
    """The size of dim ``dim`` > 0 of ``x``, one of the decorated call's own argument tensors whose
    images lie along dim 0 only (TDT's ``batch_size, max_t, max_u, _ = token_logits.shape``): on a
    group alone the group's rows of the same tensor, every other dim as long. None for anything
    else (a tensor the body made, padded to its images' longest, may be shorter on a group)."""
    capture = CAPTURE.get()
    if capture is None or type(x) is not torch.Tensor or id(x) not in capture.arguments or not 0 < dim < x.dim():
        return None
    track = capture.get(x)
    return x.shape[dim] if track is not None and track.image is None and set(track.rows) == {0} else None


@_per_code(1024)
def _loop_target_of(code: types.CodeType, name: str) -> str | None:
    """``G`` where the only store of the local ``name`` of ``code`` is the target of ``for name in
    G:`` or the item of ``for i, name in enumerate(G):``, ``G`` a module global loaded as one
    (``configured_value`` proves it unassigned; the caller that it is a tuple); None otherwise
    (another store, a delete, another iterable, a closure's local, a parameter)."""
    if name in _parameters(code) or name in code.co_cellvars or name in code.co_freevars:
        return None
    instructions = _instructions(code)
    stores = _stores(instructions, name)
    if len(stores) != 1 or instructions[stores[0]].opname != "STORE_FAST" or stores[0] < 4:
        return None
    j = stores[0]
    head = [i.opname for i in instructions[j - 3 : j]]
    if head[1:] == ["GET_ITER", "FOR_ITER"]:  # ``for name in G:``
        loaded = instructions[j - 3]
        return loaded.argval if loaded.opname == "LOAD_GLOBAL" and not (loaded.arg or 0) & 1 else None
    if j < 8 or [i.opname for i in instructions[j - 8 : j]] != [
            "LOAD_GLOBAL", "LOAD_GLOBAL", "PRECALL", "CALL", "GET_ITER", "FOR_ITER", "UNPACK_SEQUENCE", "STORE_FAST"]:
        return None
    callee, loaded, unpack = instructions[j - 8], instructions[j - 7], instructions[j - 2]
    if (callee.argval != "enumerate" or not (callee.arg or 0) & 1 or (loaded.arg or 0) & 1 or unpack.arg != 2
            or instructions[j - 5].arg != 1 or instructions[j - 1].argval == name):
        return None
    return loaded.argval


@_per_code(1024)
def _local_stores(code: types.CodeType, name: str) -> tuple[tuple[Any, ...], ...]:
    """How each store of the local ``name`` of ``code`` computes what it stores: ``(start, end)``,
    the straight-line span right before it; or, for its only store, ``(owners, attributes,
    (a span, b span))`` for ``a if test else b``, the test made of literals, comparisons and
    attributes of ``self`` / ``cls`` (``owners`` the locals they are read from). Empty where one
    store is neither (a delete, unpacking, a loop target, a span that reads the local itself),
    and for a parameter or a closure's local."""
    if name in _parameters(code) or name in code.co_cellvars or name in code.co_freevars:
        return ()
    instructions = _instructions(code)
    stores = _stores(instructions, name)
    found: list[tuple[Any, ...]] = []
    for j in stores:
        if instructions[j].opname != "STORE_FAST":
            return ()
        if instructions[j].is_jump_target:
            choice = _choice(instructions, j) if len(stores) == 1 else None
            if choice is None:
                return ()
            found.append(choice)
            continue
        span = _stored_span(instructions, j)
        if span is None or any(i.opname == "LOAD_FAST" and i.argval == name for i in instructions[span[0]:span[1]]):
            return ()
        found.append(span)
    return tuple(found)


# instructions no value a run of stores takes from a tuple display is pushed by
_NO_DISPLAY_ITEM = ("STORE_", "UNPACK_", "COPY", "SWAP", "DUP_", "DELETE_")


def _stored_span(instructions: list[dis.Instruction], j: int) -> tuple[int, int] | None:
    """The span pushing the value the store at ``j`` takes. The store at ``j`` the ``p``-th of a run
    of ``STORE_FAST`` (``na, nt = a, b``: Python 3.11 stores ``nt`` first, its SWAP folded into the
    order) takes the ``p``-th value from the top, pushed by the ``p``-th straight-line span below
    the run (None where one is not such a span: ``a, b = x`` unpacks, ``a = b = x`` copies)."""
    run = j
    while run > 0 and instructions[run - 1].opname == "STORE_FAST" and not instructions[run].is_jump_target:
        run -= 1
    end = run
    for _ in range(j - run + 1):
        start = _operand_start(instructions, end, target_first=end == j)
        if start is None or any(i.opname.startswith(_NO_DISPLAY_ITEM) for i in instructions[start:end]):
            return None  # (a SWAP left in, ``x, self.y = a, b``: the span below it is not what is stored)
        span, end = (start, end), start
    return span


def _choice(instructions: list[dis.Instruction], j: int) -> tuple[Any, ...] | None:
    """``(owners, attributes, (a span, b span))`` where the store at ``j`` stores ``a if test else
    b`` (see ``_local_stores``); None for anything else."""
    other = _operand_start(instructions, j, target_first=True)  # ``b``, a jump target
    if other is None or other < 2 or instructions[other - 1].opname != "JUMP_FORWARD" \
            or instructions[other - 1].argval != instructions[j].offset:
        return None
    first = _operand_start(instructions, other - 1)
    if first is None or first < 1:
        return None
    test = instructions[first - 1]
    if not test.opname.startswith("POP_JUMP_FORWARD_IF_") or test.argval != instructions[other].offset:
        return None
    cond = _assignment_start(instructions, j)
    if cond is None or cond >= first - 1 or not all(
            i.opname in ("LOAD_CONST", "COMPARE_OP", "UNARY_NOT", "LOAD_ATTR") or i.opname == "LOAD_FAST" and i.argval in _OWNERS
            for i in instructions[cond : first - 1]):
        return None
    read = instructions[cond : first - 1]
    owners = tuple({i.argval for i in read if i.opname == "LOAD_FAST"})
    attrs = tuple({i.argval for i in read if i.opname == "LOAD_ATTR"})
    return owners, attrs, ((first, other - 1), (other, j))


def _constant_field(f: types.FrameType, name: str, keys: tuple[Any, ...], body: Callable[[], BodyCall | None] | None,
                    own: FixedLists | None, depth: int) -> Any:
    """``p["a"]["b"]``: a parameter ``name`` of ``f`` (never rebound) subscripted by the constant
    ``keys`` (``_span_form``). Its value
    where the call was given it (``f`` is the decorated body), or where the dict holding it is a
    local of a function up the stack, up to the decorated body, that built it once as a dict
    display whose entry is a constant span and changes none of it; and no code from ``f`` up to
    there, nor any function of their modules, stores that key in a subscript. The call's own
    argument only with ``own`` (see ``_constant_of_call``). ``_UNPROVEN`` else."""
    code = f.f_code
    if name not in _parameters(code) or _stores(_instructions(code), name):
        return _UNPROVEN
    container: Any = _locals(f).get(name, _UNPROVEN)
    try:
        for key in keys[:-1]:
            container = container[key] if type(container) is dict else _UNPROVEN
        value = container[keys[-1]] if type(container) is dict else _UNPROVEN
    except (KeyError, TypeError):
        return _UNPROVEN
    if value is _UNPROVEN:
        return _UNPROVEN
    key = keys[-1]
    g: types.FrameType | None = f
    while g is not None:
        if _internal(g.f_globals.get("__name__", "")):
            g = g.f_back
            continue
        if _module_stores_key(g, key):
            return _UNPROVEN
        top = _package(g.f_back) == "losssplit"
        if g is f and top:
            # the call's own argument, the same on a group alone, unless code the capture did not see
            # (another module's helper) wrote the field since the call began
            return value if own is not None and _held_at_start(container, key, value, own) else _UNPROVEN
        if g is not f:
            for local, held in list(_locals(g).items()):
                shown = _displayed(g, local, key, body, own, depth) if held is container else _UNPROVEN
                if type(shown) is type(value) and shown == value:
                    return value
        if top:
            return _UNPROVEN
        g = g.f_back
    return _UNPROVEN


def _held_at_start(container: Any, key: Any, value: Any, lists: FixedLists | None) -> bool:
    """Whether the dict ``container`` of the call's arguments held ``value`` (the object) at
    ``key`` when the call began (``lists``, recorded then). A small int written there again is the
    same object (found by the red team, session 16: ``meta["groups"] = len(targets)`` in a helper of
    another module, read as the number the call was given)."""
    known = lists.get(id(container)) if lists is not None else None
    if known is None or known[0] is not container:
        return False
    return any(k == key and v is value for k, v in known[1])


def _module_stores_key(g: types.FrameType, key: Any) -> bool:
    """Whether the code ``g`` runs, any function or class of its module's (``_module_codes``: a
    helper that ran and returned, ``prepare(outputs)``), or any Python function its code calls
    (found without running code: another module's helper, ``HELPERS["rewrite"](o["meta"], t)``),
    stores or deletes a subscript by the constant ``key``."""
    return any(_stores_key(code, key) for code in (g.f_code, *_module_codes(g.f_globals))) or any(
        _stores_key(code, key) for code in _called_codes(g))


def _called_codes(g: types.FrameType) -> Iterator[types.CodeType]:
    """The codes of the Python functions the CALLs of ``g``'s code call, where ``_called_function``
    finds them from ``g``'s names now."""
    instructions = _instructions(g.f_code)
    for k, i in enumerate(instructions):
        called = _called_function(g, instructions, k) if i.opname == "CALL" else None
        if called is not None:
            yield called[0].__code__


@_per_code(1024)
def _stores_key(code: types.CodeType, key: Any) -> bool:
    """Whether ``code``, or code nested in it, stores or deletes a subscript by the constant ``key``
    (``d["k"] = x``)."""
    instructions = _instructions(code)
    return any(a.opname == "LOAD_CONST" and a.argval == key and b.opname in ("STORE_SUBSCR", "DELETE_SUBSCR")
               for a, b in zip(instructions, instructions[1:])) or any(
        _stores_key(c, key) for c in code.co_consts if isinstance(c, types.CodeType))


def _displayed(g: types.FrameType, local: str, key: Any, body: Callable[[], BodyCall | None] | None, own: FixedLists | None,
               depth: int) -> Any:
    """The value of entry ``key`` of the dict display the local ``local`` of ``g`` is assigned
    once (in no loop), where that entry is a constant span and the code loads ``local`` once,
    into the arguments of the call it is executing, with no other call in between (``crit({**o,
    "meta": meta})``: nothing it ran could change the dict); ``_UNPROVEN`` else."""
    code = g.f_code
    instructions, at = _located_frame(code, _lasti(g))
    stores = _stores(instructions, local)
    loads = [k for k, i in enumerate(instructions) if i.opname in ("LOAD_FAST", "LOAD_CLOSURE", "LOAD_DEREF")
             and i.argval == local]
    if (local in _parameters(code) or len(stores) != 1 or instructions[stores[0]].opname != "STORE_FAST"
            or _in_loop(code, instructions[stores[0]].offset) or at is None or instructions[at].opname != "CALL"
            or len(loads) != 1 or not stores[0] < loads[0] < at
            or any(i.opname not in _PASSING_ON for i in instructions[loads[0] + 1 : at])):
        return _UNPROVEN
    j = stores[0]
    build = instructions[j - 1] if j else None
    if build is None or build.opname != "BUILD_CONST_KEY_MAP" or j < 2 or instructions[j - 2].opname != "LOAD_CONST":
        return _UNPROVEN
    names = instructions[j - 2].argval
    if type(names) is not tuple or key not in names or len(names) != build.arg:
        return _UNPROVEN
    end: int | None = j - 2
    spans: list[tuple[int, int]] = []
    for _ in names:
        start = _operand_start(instructions, end) if end is not None else None
        if start is None or end is None:
            return _UNPROVEN
        spans.append((start, end))
        end = start
    start, end = spans[::-1][names.index(key)]
    return _constant_of_call(g, start, end, body, own, depth + 1)


class Conditional(NamedTuple):
    """``x = E if test else c`` in the caller's code, at its truth test: where the test picks
    ``c``, the body skips ``E``'s instructions and ``x`` holds the number ``c`` (``mode.Arm``)."""

    frame: types.FrameType
    constant: int | float
    sites: dict[int, int]
    """Offset an op of ``E`` may report (``f_lasti``: a call's PRECALL, CALL or last inline cache)
    -> the offset of the instruction running it; each of these must run one (calls, subscripts,
    operators)."""
    last: int
    """Offset of ``E``'s last instruction: the op run there makes ``E``."""
    end: int
    """Offset of the jump that ends ``E``: any op of the frame at or past it is none of ``E``'s."""


# instructions of ``E`` that only load (names, attributes, constants) or run an op on the values loaded
_ARM_LOADS = frozenset({"LOAD_FAST", "LOAD_CONST", "LOAD_DEREF", "LOAD_ATTR", "LOAD_METHOD", "LOAD_GLOBAL",
                        "PUSH_NULL", "PRECALL", "KW_NAMES", "NOP", "BUILD_TUPLE", "BUILD_SLICE"})
_ARM_OPS = frozenset({"CALL", "BINARY_SUBSCR", "BINARY_OP", "UNARY_NEGATIVE", "UNARY_INVERT", "UNARY_POSITIVE"})
# BINARY_OP arguments of ``a + b``, ``a - b``, ``a * b``, ``a / b``: a number there gives what a 0-dim
# tensor of its value gives, with a tensor as the other operand
_NUMBER_LIKE = frozenset({0, 10, 5, 11})


def conditional_constant() -> Conditional | None:
    """The conditional expression whose test the caller's code is executing, where its other
    value is a number literal and the result is stored in a local read only as an operand of
    ``+ - * /`` (each read's other operand checked a tensor where it runs: ``mode.Arm``); None
    anywhere else, and on a Python version whose layout was not checked."""
    found = _executed(_TEST_CHECKED)
    if found is None or found[2] is None:
        return None
    f = found[0]
    shape = _conditional_at(f.f_code, _lasti(f))
    return None if shape is None else Conditional(f, *shape)


@_per_code(256)
def _conditional_at(code: types.CodeType, lasti: int) -> tuple[int | float, dict[int, int], int, int] | None:
    """3.11: ``POP_JUMP_FORWARD_IF_FALSE else``, ``E``, ``JUMP_FORWARD join``, ``else: LOAD_CONST c``,
    ``join: STORE_FAST x``; ``E`` loads and ops only, ``x`` stored there alone and each of its
    reads popped by a BINARY_OP ``+ - * /``."""
    instructions, at = _located(code, lasti)
    if at is None or instructions[at].opname != "POP_JUMP_FORWARD_IF_FALSE":
        return None
    if not code.co_flags & 1 or _INTROSPECTION & set(code.co_names):  # 1: CO_OPTIMIZED
        return None
    other = _positions(code).get(instructions[at].argval)
    if other is None or other < at + 3 or other + 1 >= len(instructions):
        return None
    const, jump, store = instructions[other], instructions[other - 1], instructions[other + 1]
    if (const.opname != "LOAD_CONST" or type(const.argval) not in (int, float) or jump.opname != "JUMP_FORWARD"
            or jump.argval != store.offset or store.opname != "STORE_FAST"):
        return None
    arm = instructions[at + 1 : other - 1]
    if any(i.is_jump_target or i.opname not in _ARM_LOADS | _ARM_OPS for i in arm) or arm[-1].opname not in _ARM_OPS:
        return None
    if any(i.opname == "BINARY_OP" and i.arg not in _NUMBER_LIKE | _POWERS - {21} for i in arm):
        return None  # no in-place operator in ``E``
    name = store.argval
    if _stores(instructions, name) != [other + 1]:
        return None
    for k, i in enumerate(instructions):
        if i.opname == "LOAD_FAST" and i.argval == name:
            use = _consumer(instructions, k)
            if use is None or instructions[use[0]].opname != "BINARY_OP" or instructions[use[0]].arg not in _NUMBER_LIKE:
                return None
    sites = {}
    for k, i in enumerate(arm):
        if i.opname in _ARM_OPS:
            sites[i.offset] = i.offset
            if i.opname == "CALL":
                sites[i.offset + 2 * _CALL_CACHES] = i.offset
                if k and arm[k - 1].opname == "PRECALL":
                    sites[arm[k - 1].offset] = i.offset
    return const.argval, sites, arm[-1].offset, jump.offset


class ConstantArms(NamedTuple):
    """``if test: <block> else: x = c`` (either order) in the caller's code, at its test, where the
    batch runs the block and the other arm only stores constants (``x = 0.0``, ``x =
    torch.tensor(0.0)``, ``x = torch.FloatTensor(1).fill_(0.)``): a group that alone takes the
    other arm skips the block and holds ``c`` in ``x`` (``mode.Arm``)."""

    frame: types.FrameType
    sites: dict[int, int]
    """As ``Conditional.sites``: the block's calls, each of which must run one op from this frame."""
    made: dict[int, tuple[str, tuple]]
    """Offset of the instruction making the value the block stores last in ``x`` -> (``x``, its
    constant: ``("number", c)`` or ``("tensor", c, dtype or None for the default, shape)``)."""
    end: int
    """Offset of the jump that ends the block: any op of the frame at or past it is none of its."""
    reads: tuple[str, ...]
    """The locals the block reads before storing them: each must hold plain data at the test."""
    chains: tuple[tuple[str, ...], ...]
    """The dotted global names the block loads (``F.mse_loss``, ``torch.nn.functional``): each must
    resolve to a torch module or function at the test, or a function of the body's own that
    ``_reach`` proves free of effects."""
    helpers: frozenset[types.CodeType]
    """The code of those functions: an op may run in one the block called (``in_helper``)."""


# the tensors a constant arm may make: a literal's value, its dtype (None: the default dtype)
_CONSTANT_FACTORIES = {"tensor": None, "scalar_tensor": None, "zeros": None, "ones": None,
                       "FloatTensor": torch.float32, "DoubleTensor": torch.float64}
_POP_JUMPS_FORWARD = {"POP_JUMP_FORWARD_IF_FALSE": True, "POP_JUMP_FORWARD_IF_TRUE": False}


def constant_arms(truth: bool) -> ConstantArms | None:
    """The ``if``/``else`` whose test (a comparison written right before its jump, or the jump's
    own truth test) the caller's code is executing and found ``truth``, where the arm that truth
    runs only loads, calls torch and stores locals (``_constant_arms_at``) and the other stores
    constants; its plain data and torch names checked as they are now. None anywhere else."""
    found = _executed(_TEST_CHECKED)
    if found is None or found[2] is None:
        return None
    f, instructions, at = found[0], found[1], found[2]
    if instructions[at].opname in ("PRECALL", "CALL") and at + 3 < len(instructions):  # ``len(gt) > 0`` at ``len``
        at += instructions[at].opname == "PRECALL"
        if instructions[at + 1].opname == "LOAD_CONST" and instructions[at + 2].opname == "COMPARE_OP":
            at += 2
    if instructions[at].opname in ("COMPARE_OP", "CALL") and at + 1 < len(instructions):
        at += 1
    fall = _POP_JUMPS_FORWARD.get(instructions[at].opname)
    if fall is None:
        return None
    shape = _constant_arms_at(f.f_code, at, fall == truth)
    if shape is None:
        return None
    sites, made, end, reads, chains = shape
    held = f.f_locals
    if not all(_plain_data(held.get(name, _MISSING), 2) for name in reads):
        return None
    helpers = set()
    for chain in chains:
        if _torch_name(f.f_globals, chain):
            continue
        code = _effect_free_code(f.f_globals.get(chain[0], _MISSING)) if len(chain) == 1 else None
        if code is None:
            return None
        helpers.add(code)
    if any(spec[0] == "tensor" and f.f_globals.get(spec[4]) is not torch for _, spec in made.values()):
        return None  # (``torch`` of ``torch.tensor(0.0)`` rebound in the module)
    return ConstantArms(f, sites, {k: (n, spec[:4]) for k, (n, spec) in made.items()}, end, reads, chains,
                        frozenset(helpers))


def _effect_free_code(value: Any) -> types.CodeType | None:
    """The code of ``value`` where it is a plain function of the user's (no closure, no defaults
    of its own to write) that ``_reach`` proves writes nothing but its locals."""
    from . import _reach  # (``_reach`` reads this module)

    if type(value) is not types.FunctionType or value.__closure__ or (value.__module__ or "").startswith("torch"):
        return None
    code = value.__code__
    return code if _reach._effect_free(code, value.__globals__, 1)[0] else None


def in_helper(f: types.FrameType, arms: ConstantArms) -> bool:
    """Whether the frame ``f`` runs a function of ``arms.helpers`` (or a comprehension of one) the
    block's frame called directly."""
    while f is not None and f is not arms.frame:
        back = f.f_back
        if not (f.f_code in arms.helpers and back is arms.frame
                or f.f_code.co_name in _COMPREHENSIONS and back is not None and back.f_code in arms.helpers):
            return False
        f = back
    return f is arms.frame


def _plain_data(value: Any, depth: int) -> bool:
    """A tensor, a number, a string or None, or a plain list, tuple or dict of those (``depth``
    levels): nothing of the user's code for a subscript or a property read to run."""
    t = type(value)
    if t in (int, float, bool, str, type(None), torch.Tensor, torch.nn.Parameter):
        return True  # (no subclass of a tensor: its methods are the user's)
    if t in (list, tuple, dict) and depth > 0:
        return all(_plain_data(v, depth - 1) for v in (value.values() if t is dict else value))
    return False


def _torch_name(globals_: dict, chain: tuple[str, ...]) -> bool:
    """Whether ``a.b.c`` of the module's globals is a torch module, or a torch function reached
    through torch modules (not a type: a module's constructor; not one that sets state)."""
    value = globals_.get(chain[0], _MISSING)
    for name in chain[1:]:
        if not _torch_module(value):
            return False
        value = getattr(value, name, _MISSING)
    if _torch_module(value):
        return True
    module = getattr(value, "__module__", None) or ""
    owner = getattr(value, "__self__", None)
    if isinstance(value, types.FunctionType) and not value.__code__.co_filename.startswith(_TORCH_DIR):
        return False  # (a ``__module__`` is only a name: the user's function named as torch's)
    return (callable(value) and not isinstance(value, type) and not module.startswith("torch.distributed")
            and (module.partition(".")[0] == "torch" or _torch_module(owner)))


@_per_code(256)
def _constant_arms_at(code: types.CodeType, at: int, fall: bool) -> tuple | None:
    """3.11: the jump at index ``at``; ``fall``: the batch runs the arm it falls through to (else
    the one it jumps to). ``if``'s arm ends with ``JUMP_FORWARD join``, ``else``'s runs to the
    join; neither holds a jump or a jump target. The constant arm is ``c; STORE_FAST x`` pairs
    (``_constant_spec``); the block (``_arm_block``) stores each such ``x`` once, last by an op,
    and other locals read nowhere else; each ``x`` is stored only there, read only after the
    join, each read popped by ``+ - * /``, or a value of the dict the code returns there (a tensor
    constant: or a method called on it); not in a
    loop, nor in code whose frame is read or whose locals a nested function holds."""
    instructions = _instructions(code)
    jump = instructions[at]
    if not code.co_flags & 1 or code.co_flags & _SUSPENDING or _INTROSPECTION & set(code.co_names):
        return None
    if code.co_cellvars or code.co_freevars or any(a <= at < b for a, b in _loops(instructions)):
        return None
    target = _positions(code).get(jump.argval)
    if target is None or target < at + 3 or instructions[target - 1].opname != "JUMP_FORWARD":
        return None
    join = _positions(code).get(instructions[target - 1].argval)
    if join is None or join <= target:
        return None
    first, second = instructions[at + 1 : target - 1], instructions[target:join]
    if any(i.is_jump_target for i in first) or any(i.is_jump_target for i in second[1:]):
        return None
    block, other = (first, second) if fall else (second, first)
    constants = _constant_specs(other)
    if not constants:
        return None
    found = _arm_block(code, block)
    if found is None:
        return None
    sites, stored, reads, chains = found
    if any(name not in stored for name in constants):
        return None
    inside = {i.offset for i in block} | {i.offset for i in other}
    made = {}
    for k, i in enumerate(instructions):
        name = i.argval
        if i.opname not in ("LOAD_FAST", "STORE_FAST", "DELETE_FAST") or name not in stored:
            continue
        if name not in constants:
            if i.offset not in inside:
                return None  # a local the block binds, read (or bound) elsewhere: live past the join
            continue
        if i.opname != "LOAD_FAST":
            if i.offset not in inside:
                return None
            continue
        use = _consumer(instructions, k)
        if i.offset in inside or use is None:
            return None
        u = instructions[use[0]]
        returned = (u.opname == "BUILD_CONST_KEY_MAP" and use[1] < (u.arg or 0) and use[0] + 1 < len(instructions)
                    and instructions[use[0] + 1].opname == "RETURN_VALUE")  # (a value of the dict returned)
        if not (u.opname == "BINARY_OP" and u.arg in _NUMBER_LIKE or returned
                or u.opname == "LOAD_METHOD" and constants[name][0] == "tensor"):
            return None
    for name in constants:
        if len(_stores(instructions, name)) != 2:
            return None
        made[stored[name]] = (name, constants[name])
    return sites, made, block[-1].offset + 2, tuple(sorted(reads)), tuple(sorted(chains))


def _constant_specs(arm: list[dis.Instruction]) -> dict[str, tuple] | None:
    """``x = c`` statements, each ``c`` a number literal or a tensor of one made by a torch factory
    (``torch.tensor(0.0)``, ``torch.zeros(())``, ``torch.zeros(1)``, ``torch.FloatTensor(1).fill_(0.)``):
    name -> ``("number", c)`` or ``("tensor", c, dtype, shape, the global named torch)``."""
    specs: dict[str, tuple] = {}
    start = 0
    for k, i in enumerate(arm):
        if i.opname != "STORE_FAST":
            continue
        spec = _constant_spec(arm[start:k])
        if spec is None or i.argval in specs:
            return None
        specs[i.argval] = spec
        start = k + 1
    return specs if start == len(arm) and specs else None


def _constant_spec(seg: list[dis.Instruction]) -> tuple | None:
    ops = [i.opname for i in seg if i.opname != "PRECALL"]
    seg = [i for i in seg if i.opname != "PRECALL"]
    number = (int, float)
    if ops == ["LOAD_CONST"] and type(seg[0].argval) in number:
        return ("number", seg[0].argval)
    fill = None
    if ops[-3:] == ["LOAD_METHOD", "LOAD_CONST", "CALL"] and seg[-3].argval in ("fill_", "zero_"):
        fill = seg[-2].argval if seg[-3].argval == "fill_" else 0
        if type(fill) not in number or seg[-1].arg != 1:
            return None
        ops, seg = ops[:-3], seg[:-3]
    if ops not in (["LOAD_GLOBAL", "LOAD_ATTR", "LOAD_CONST", "CALL"], ["LOAD_GLOBAL", "LOAD_METHOD", "LOAD_CONST", "CALL"]):
        return None
    factory, arg = seg[1].argval, seg[2].argval
    if factory not in _CONSTANT_FACTORIES or seg[3].arg != 1:
        return None
    shape: tuple[int, ...] | None
    if factory in ("tensor", "scalar_tensor"):
        shape, value = (), arg
        if type(arg) is not float:
            return None  # (an int literal makes an int64 tensor)
    else:
        shape = () if arg == () else (1,) if arg in (1, (1,)) else None
        value = 0 if factory == "zeros" else 1 if factory == "ones" else None
        if shape is None:
            return None
    value = fill if fill is not None else value
    if value is None or type(value) not in number:
        return None  # (``torch.FloatTensor(1)`` unfilled)
    return ("tensor", float(value), _CONSTANT_FACTORIES[factory], shape, seg[0].argval)


def _arm_block(code: types.CodeType, block: list[dis.Instruction]) -> tuple | None:
    """The block of a constant arm's ``if``: loads, torch calls, tensor methods and properties,
    arithmetic, subscripts, local stores; its calls' sites, the last store of each local (-> the
    offset of the instruction making the value), the locals read before stored, the dotted
    global names loaded. None where anything else runs."""
    stack: list[tuple] = []
    sites: dict[int, int] = {}
    stored: dict[str, int] = {}
    reads: set[str] = set()
    chains: set[tuple[str, ...]] = set()
    last: dis.Instruction | None = None

    def pop(n: int = 1) -> list[tuple]:
        if len(stack) < n:
            raise ValueError
        out = stack[len(stack) - n:]
        del stack[len(stack) - n:]
        return out

    try:
        for k, i in enumerate(block):
            op = i.opname
            if op in ("NOP", "PRECALL"):
                continue
            if op == "LOAD_GLOBAL":
                if (i.arg or 0) & 1:
                    stack.append(("null",))
                stack.append(("global", (i.argval,)))
            elif op in ("LOAD_ATTR", "LOAD_METHOD"):
                (base,) = pop()
                if base[0] == "global":
                    if i.argval.startswith("_") or i.argval.endswith("_") or i.argval.startswith(_SETTER_NAMES):
                        return None
                    if op == "LOAD_METHOD":
                        stack.append(("null",))
                    stack.append(("global", (*base[1], i.argval)))
                elif base[0] != "value":
                    return None
                elif op == "LOAD_ATTR":
                    if i.argval not in _TENSOR_PROPERTIES:
                        return None
                    stack.append(("value",))
                else:
                    if not _pure_method(i.argval):
                        return None
                    stack.extend([("method",), ("value",)])
            elif op == "LOAD_FAST":
                if i.argval not in stored:
                    reads.add(i.argval)
                stack.append(("value",))
            elif op == "LOAD_CONST":
                stack.append(("value",))
            elif op in ("BUILD_TUPLE", "BUILD_LIST", "BUILD_SLICE"):
                if any(v[0] != "value" for v in pop(i.arg or 0)):
                    return None
                stack.append(("value",))
            elif op == "KW_NAMES":
                if {"out", "inplace"} & set(code.co_consts[i.arg or 0]):
                    return None
            elif op == "CALL":
                args = pop((i.arg or 0) + 2)
                if any(v[0] != "value" for v in args[2:]):
                    return None
                if args[0] == ("null",) and args[1][0] == "global":
                    chains.add(args[1][1])
                elif args[0] != ("method",):
                    return None
                sites[i.offset] = sites[i.offset + 2 * _CALL_CACHES] = i.offset
                if k and block[k - 1].opname == "PRECALL":
                    sites[block[k - 1].offset] = i.offset
                stack.append(("value",))
            elif op in ("BINARY_OP", "BINARY_SUBSCR", "COMPARE_OP"):
                if op == "BINARY_OP" and i.arg not in _NUMBER_LIKE | _POWERS - {21}:
                    return None  # (no in-place operator)
                if any(v[0] != "value" for v in pop(2)):
                    return None
                stack.append(("value",))
            elif op in ("UNARY_NEGATIVE", "UNARY_POSITIVE", "UNARY_INVERT"):
                if pop()[0][0] != "value":
                    return None
                stack.append(("value",))
            elif op == "STORE_FAST":
                if pop()[0][0] != "value" or last is None or last.opname not in _ARM_OPS:
                    return None
                stored[i.argval] = sites[last.offset] = last.offset  # (an operator there too: it must run an op)
            else:
                return None
            last = i
    except ValueError:
        return None
    if stack or not stored:
        return None
    for chain in chains:  # (each loaded name's prefixes are modules: ``torch.nn`` of ``torch.nn.functional.x``)
        chains = chains | {chain[:n] for n in range(1, len(chain))}
    return sites, stored, reads, chains


_SETTER_NAMES = ("set_", "manual_seed", "seed", "save", "load", "use_")
_TORCH_DIR = torch.__file__.rpartition("/")[0] + "/"


class GuardedBlock(NamedTuple):
    """An ``if test:`` block without ``else`` (see ``guarded_block``)."""

    join: int
    """The byte offset where the block's code joins the path that skips it."""
    live: tuple[str, ...]
    """The locals the block stores that the code loads at or after the join."""
    values: tuple[str, ...]
    """The globals the block loads as values or receivers (each must be a tensor or torch's)."""
    callees: tuple[str, ...]
    """The globals whose attributes the block calls (each must be a torch module)."""


# ops a guarded block may run: loads, arithmetic, calls, local stores (no jump, no other store)
_BLOCK_OPS = frozenset({"LOAD_FAST", "LOAD_CONST", "LOAD_GLOBAL", "LOAD_ATTR", "LOAD_METHOD", "PRECALL", "CALL",
                        "KW_NAMES", "BINARY_OP", "COMPARE_OP", "BINARY_SUBSCR", "BUILD_TUPLE", "BUILD_SLICE",
                        "BUILD_LIST", "STORE_FAST", "POP_TOP", "UNARY_NEGATIVE", "UNARY_INVERT", "NOP"})
# torch factories whose result is a new tensor: an in-place method on it writes nothing else
_FRESH = frozenset({"zeros_like", "ones_like", "full_like", "zeros", "ones", "full"})
# Tensor attributes a guarded block may read
_TENSOR_PROPERTIES = frozenset({"shape", "T", "mT", "dtype", "device", "ndim"})
# methods of Python's containers (``list.sort``, ``dict.update``): never taken for a tensor's
_CONTAINER_METHODS = frozenset(n for c in (list, dict, set, bytearray) for n in dir(c))
# Tensor methods with effects beyond their result
_EFFECTS = frozenset({"backward", "register_hook", "retain_grad", "register_post_accumulate_grad_hook", "record_stream",
                      "storage", "untyped_storage", "numpy", "pin_memory", "share_memory", "apply", "map", "resize",
                      "set", "cuda", "to_sparse"})


_SUSPENDING = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR
_FRAME_READERS = frozenset({"locals", "vars", "eval", "exec"})


def _pure_method(name: str) -> bool:
    return (not name.startswith("_") and not name.endswith("_") and name not in _EFFECTS
            and name not in _CONTAINER_METHODS and callable(getattr(torch.Tensor, name, None)))


def guarded_block() -> tuple[types.FrameType, GuardedBlock] | None:
    """The caller's frame and the block it is about to run, where it is testing for truth the
    test of ``if test:`` whose block (no ``else``, in no loop) only loads, computes with torch
    functions and tensor methods that write nothing (an in-place method only on a tensor a torch
    factory just made: ``torch.zeros_like(m).scatter_(...)``) and stores locals: on a group whose
    images the block leaves unchanged, the body alone skipping it computes the same (YOLOv8's
    ``if fg_mask.max() > 1:`` of the task-aligned assigner). None otherwise (Python 3.11 only)."""
    if _VERSION not in _TEST_CHECKED:
        return None
    f = _caller()
    if f is None or _in_loop(f.f_code, _lasti(f)) or f.f_code.co_name in _COMPREHENSIONS:
        return None
    block = _block_at(f.f_code, _lasti(f))
    if block is None:
        return None
    if not all(_torch_module(f.f_globals.get(name, _UNPROVEN)) for name in block.callees):
        return None
    for name in block.values:
        value = f.f_globals.get(name, _UNPROVEN)
        if not (isinstance(value, torch.Tensor) or _torch_module(value)):
            return None
    return f, block


class SkippedRest(NamedTuple):
    """The rest of a ``for`` loop's body that ``if test: continue`` skips (see ``skipped_rest``)."""

    first: int
    """The byte offset where the rest begins (the path that does not ``continue``)."""
    end: int
    """The byte offset of the jump that closes the iteration."""
    terms: tuple[int, ...]
    """The byte offset of the CALL of each term: ``.sum()`` or ``len()`` added to an accumulator."""
    globals: tuple[str, ...]
    """The globals the rest loads (each must be a tensor or torch's, ``len`` the builtin)."""


_ACCUMULATING = frozenset({"+", "-", "+=", "-="})


def skipped_rest() -> tuple[types.FrameType, SkippedRest] | None:
    """The caller's frame and the rest of the iteration it is about to run, where it is testing
    for truth the test of ``if test: continue`` in a ``for`` loop, and that rest (no jump in it)
    only computes with torch functions, tensor methods that write nothing and the builtin ``len``,
    and stores locals each of which is either read nowhere but after its store in the rest, or
    an accumulator ``acc = acc + term`` (``-``, ``+=``, ``-=``; ``acc`` read nowhere else in the
    rest) whose term ends in a ``.sum()`` or ``len()`` call. A group without rows in any term
    leaves every accumulator as it was (``+ 0.0``, ``+ 0``): skipping the rest alone, it computes
    the same (CORN's ``if subset.sum() < 1: continue``). None otherwise (Python 3.11 only)."""
    if _VERSION not in _TEST_CHECKED:
        return None
    f = _caller()
    if f is None or f.f_code.co_name in _COMPREHENSIONS:
        return None
    rest = _rest_at(f.f_code, _lasti(f))
    if rest is None:
        return None
    for name in rest.globals:
        value = _builtin(f, name)
        if not (isinstance(value, torch.Tensor) or _torch_module(value) or name == "len" and value is builtins.len):
            return None
    return f, rest


def executing_offset(f: types.FrameType) -> int | None:
    """The byte offset of the instruction ``f`` executes (a CALL, where a specialised call runs in
    its PRECALL or through a wrapper); None where not found."""
    instructions, at = _located_frame(f.f_code, _lasti(f))
    return None if at is None else instructions[at].offset


@_per_code(1024)
def _rest_at(code: types.CodeType, lasti: int) -> SkippedRest | None:
    instructions, at = _located_frame(code, lasti)
    if at is not None and at + 3 < len(instructions) and instructions[at].opname == "CALL" \
            and instructions[at + 1].opname == "LOAD_CONST" and instructions[at + 2].opname == "COMPARE_OP":
        at += 3  # ``if len(x) < 1: continue``: the length read in the test
    if at is None or at + 2 >= len(instructions) or instructions[at].opname != "POP_JUMP_FORWARD_IF_FALSE":
        return None
    go = instructions[at + 1]  # ``continue``: back to the loop's FOR_ITER
    if go.opname != "JUMP_BACKWARD" or instructions[at + 2].offset != instructions[at].argval:
        return None
    head = next((k for k, i in enumerate(instructions) if i.offset == go.argval), None)
    if head is None or instructions[head].opname != "FOR_ITER" or code.co_cellvars or code.co_freevars \
            or code.co_flags & _SUSPENDING:
        return None
    end = next((k for k in range(at + 2, len(instructions)) if instructions[k].opname in _JUMP_NAMES), None)
    if end is None or instructions[end].opname != "JUMP_BACKWARD" or instructions[end].argval != go.argval:
        return None
    if any(i.opname == "LOAD_GLOBAL" and i.argval in _FRAME_READERS for i in instructions):
        return None
    block = instructions[at + 2 : end]
    if any(i.opname not in _BLOCK_OPS or i.is_jump_target for i in block[1:]) or block[0].opname not in _BLOCK_OPS:
        return None
    terms, names = [], set()
    for k in range(at + 2, end):
        i, before = instructions[k], instructions[k - 1]
        if i.opname == "LOAD_GLOBAL" and (i.arg or 0) & 1 and i.argval != "len" \
                and instructions[k + 1].opname != "LOAD_ATTR":
            return None  # a callee other than ``torch.x(...)`` or ``len``
        if i.opname == "LOAD_GLOBAL":
            names.add(i.argval)
        if i.opname == "LOAD_ATTR" and before.opname == "LOAD_GLOBAL" and (before.arg or 0) & 1 \
                and (i.argval.startswith(("_", "set_", "manual_seed", "seed", "save", "load", "use_"))
                     or i.argval.endswith("_")):
            return None
        if i.opname == "LOAD_ATTR" and before.opname != "LOAD_GLOBAL" and i.argval not in _TENSOR_PROPERTIES:
            return None
        if i.opname == "LOAD_METHOD" and not _pure_method(i.argval):
            return None
        if i.opname == "KW_NAMES" and "out" in code.co_consts[i.arg or 0]:
            return None
        if i.opname == "BINARY_OP" and i.argrepr.endswith("=") and not (
                instructions[k + 1].opname == "STORE_FAST" and i.argrepr in _ACCUMULATING):
            return None
        if i.opname == "STORE_FAST":
            term = _accumulated_term(instructions, at + 2, k)
            if term is None and not _temporary(instructions, at + 2, end, k):
                return None
            if term is not None:
                terms.append(term)
    return SkippedRest(instructions[at + 2].offset, instructions[end].offset, tuple(terms), tuple(sorted(names)))


_JUMP_NAMES = frozenset(dis.opname[op] for op in _JUMPS)


def _temporary(instructions: list[dis.Instruction], first: int, end: int, k: int) -> bool:
    """Whether the local stored at ``k`` is read nowhere but in ``first:end`` after a store of it there."""
    name = instructions[k].argval
    stored = False
    for j, i in enumerate(instructions):
        if i.argval != name or i.opname not in ("LOAD_FAST", "STORE_FAST", "DELETE_FAST"):
            continue
        if i.opname == "LOAD_FAST" and not (first <= j < end and stored):
            return False
        stored = stored or (i.opname == "STORE_FAST" and first <= j < end)
    return True


def _accumulated_term(instructions: list[dis.Instruction], first: int, k: int) -> int | None:
    """The byte offset of the term's CALL where the store at ``k`` is ``acc = acc + term`` (see
    ``skipped_rest``), ``acc`` loaded once in the rest, right before the term; else None."""
    name, op = instructions[k].argval, instructions[k - 1]
    if op.opname != "BINARY_OP" or op.argrepr not in _ACCUMULATING:
        return None
    loads = [j for j in range(first, k) if instructions[j].opname == "LOAD_FAST" and instructions[j].argval == name]
    span = instructions[loads[0] + 1 : k - 1] if len(loads) == 1 else []
    if len(span) == 1 and span[0].opname == "LOAD_FAST":  # ``loss = -torch.sum(..)``, then ``acc += loss``
        stores = [j for j in range(first, loads[0]) if instructions[j].opname == "STORE_FAST"
                  and instructions[j].argval == span[0].argval]
        value = _stored_value(instructions, stores[0]) if len(stores) == 1 else None
        span = instructions[value[0]:value[1]] if value is not None and value[0] >= first else []
    if span and span[-1].opname == "UNARY_NEGATIVE":  # ``- 0.0`` added: the same value
        span = span[:-1]
    if len(span) < 3 or span[-1].opname != "CALL":
        return None
    depths, depth = [], 0
    for i in span:
        depth += dis.stack_effect(i.opcode, i.arg if i.opcode >= dis.HAVE_ARGUMENT else None, jump=False)
        depths.append(depth)
    if depths[-1] != 1 or min(depths) < 1:
        return None  # not one value computed on top of ``acc``
    if span[-3].opname == "LOAD_METHOD" and span[-3].argval == "sum" and span[-2].opname == "PRECALL" \
            and span[-1].arg == 0:
        return span[-1].offset  # ``<value>.sum()``
    if span[0].opname == "LOAD_GLOBAL" and (span[0].arg or 0) & 1 and span[-1].arg == 1 and min(depths[:-1]) >= 2 \
            and (span[0].argval == "len" or span[1].opname == "LOAD_ATTR" and span[1].argval == "sum"):
        return span[-1].offset  # ``len(<value>)``, ``torch.sum(<value>)``: the callee stays under the value
    return None


def stores_since(code: types.CodeType, offset: int, lasti: int) -> bool:
    """Whether the instructions of ``code`` from byte offset ``offset`` up to ``lasti`` store or
    delete anything (a local copied after a block's join, before the op at ``lasti``)."""
    instructions, at = _located(code, lasti)
    if at is None:
        return True
    return any(i.opname.startswith(("STORE_", "DELETE_")) for i in instructions[: at + 1] if i.offset >= offset)


def _torch_module(x: Any) -> bool:
    return isinstance(x, types.ModuleType) and x.__name__.partition(".")[0] == "torch"


@_per_code(1024)
def _block_at(code: types.CodeType, lasti: int) -> GuardedBlock | None:
    instructions, at = _located(code, lasti)
    if at is None or instructions[at].opname != "POP_JUMP_FORWARD_IF_FALSE":
        return None
    join = next((k for k in range(at + 1, len(instructions)) if instructions[k].offset == instructions[at].argval), None)
    if join is None or join == at + 1 or code.co_cellvars or code.co_freevars or code.co_flags & _SUSPENDING:
        return None
    if any(i.opname == "LOAD_GLOBAL" and i.argval in _FRAME_READERS for i in instructions):
        return None  # ``locals()`` after the join would read what the block bound
    block = instructions[at + 1 : join]
    if any(i.opname not in _BLOCK_OPS or i.is_jump_target for i in block):
        return None
    values, callees = set(), set()
    for k in range(at + 1, join):
        i = instructions[k]
        before = instructions[k - 1]
        if i.opname == "BINARY_OP" and i.argrepr.endswith("="):  # ``x += 1``: in place
            return None
        if i.opname == "LOAD_GLOBAL":
            if (i.arg or 0) & 1:  # a callee: ``torch.where(...)``, never a global function
                if instructions[k + 1].opname != "LOAD_ATTR":
                    return None
                callees.add(i.argval)
            else:
                values.add(i.argval)
        elif i.opname == "LOAD_ATTR":
            if before.opname == "LOAD_GLOBAL" and (before.arg or 0) & 1:
                if i.argval.startswith(("_", "set_", "manual_seed", "seed", "save", "load", "use_")) or i.argval.endswith("_"):
                    return None
            elif not (before.opname == "LOAD_GLOBAL" or i.argval in _TENSOR_PROPERTIES):
                return None
        elif i.opname == "LOAD_METHOD" and not _pure_method(i.argval):
            fresh = before.opname == "CALL" and _global_callee(instructions, k - 1) in {("torch", n) for n in _FRESH}
            if not (fresh and i.argval.endswith("_") and not i.argval.startswith("_") and _pure_method(i.argval[:-1])):
                return None
        elif i.opname == "KW_NAMES" and "out" in code.co_consts[i.arg or 0]:
            return None
    stored = {i.argval for i in block if i.opname == "STORE_FAST"}
    later = {i.argval for i in instructions[join:] if i.opname in ("LOAD_FAST", "DELETE_FAST", "STORE_FAST")}
    return GuardedBlock(instructions[join].offset, tuple(sorted(stored & later)), tuple(sorted(values)),
                        tuple(sorted(callees)))


# builtins whose value over an iterable of one number per image is, on a group alone, the group's
_STATISTICS = frozenset({"max", "min", "sum", "sorted"})


def statistic_operand() -> tuple[str, Any, bool] | None:
    """``(name, iterable, listed)`` when a whole operand of the ``*`` the caller's code is executing
    is a builtin statistic (``max``, ``min``, ``sum``, ``sorted(..)[k]``) of one iterable the body
    built: ``listed`` True where the operand is ``max(s)`` of the local ``s`` the body stores
    (``iterable`` its value), False where it is ``max(f(t) for t in x)`` of a comprehension over
    the local ``x`` (``iterable`` that value), directly or through one local stored once from it
    (``m = max(s)``). None otherwise (a parameter, a local aliasing an attribute, a builtin
    shadowed, another Python)."""
    if _VERSION not in _FLOOR_CHECKED:
        return None
    f = _caller()
    if f is None:
        return None
    for name, local, listed in _statistic_at(f.f_code, _lasti(f)):
        if _builtin(f, name) is not getattr(builtins, name):
            continue
        value = _locals(f).get(local, _UNPROVEN)
        if value is not _UNPROVEN:
            return name, value, listed
    return None


@_per_code(1024)
def _statistic_at(code: types.CodeType, lasti: int) -> tuple[tuple[str, str, bool], ...]:
    instructions, spans = _product_spans(code, lasti)
    found = []
    for first, stop in spans:
        span = [i for i in instructions[first:stop] if i.opname != "PRECALL"]
        if len(span) == 1 and span[0].opname == "LOAD_FAST":  # ``m = max(s)`` earlier, stored once
            stores = _stores(instructions, span[0].argval)
            value = _stored_value(instructions, stores[0]) if len(stores) == 1 and stores[0] < first else None
            if value is None:
                continue
            span = [i for i in instructions[value[0]:value[1]] if i.opname != "PRECALL"]
        hit = _statistic_span(code, instructions, span)
        if hit is not None:
            found.append(hit)
    return tuple(found)


def _statistic_span(code: types.CodeType, instructions: list[dis.Instruction], span: list[dis.Instruction]
                    ) -> tuple[str, str, bool] | None:
    if len(span) > 2 and span[-1].opname == "BINARY_SUBSCR" and span[-2].opname == "LOAD_CONST" \
            and type(span[-2].argval) is int:
        span = span[:-2]  # ``sorted(s)[-1]``
        if not span or span[0].argval != "sorted":
            return None
    if len(span) < 3 or span[0].opname != "LOAD_GLOBAL" or span[0].argval not in _STATISTICS \
            or span[-1].opname != "CALL" or span[-1].arg != 1 or any(i.is_jump_target for i in span):
        return None
    argument = span[1:-1]
    if len(argument) == 1 and argument[0].opname == "LOAD_FAST":
        local = argument[0].argval
        if local in code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]:
            return None
        stores = _stores(instructions, local)
        made = [_stored_value(instructions, j) for j in stores]
        if not stores or any(v is None or _plain_value(instructions[v[0]:v[1]]) for v in made):
            return None  # (``s = self.layer_weights``, ``[self.a, self.b]``: configuration under another name)
        return span[0].argval, local, True
    # ``max([.. for t in x])``, ``max(.. for t in x)``: LOAD_CONST code, MAKE_FUNCTION, LOAD_FAST x, GET_ITER, CALL 0
    if [i.opname for i in argument] == ["LOAD_CONST", "MAKE_FUNCTION", "LOAD_FAST", "GET_ITER", "CALL"] \
            and isinstance(argument[0].argval, types.CodeType) and argument[-1].arg == 0:
        return span[0].argval, argument[2].argval, False
    return None


_PLAIN_LOADS = frozenset({"LOAD_FAST", "LOAD_DEREF", "LOAD_ATTR", "LOAD_GLOBAL", "LOAD_CONST", "LOAD_NAME", "LOAD_METHOD"})
_DISPLAYS = frozenset({"BUILD_LIST", "BUILD_TUPLE", "LIST_EXTEND"})


def _plain_value(span: list[dis.Instruction]) -> bool:
    """Whether a stored value is loads only, or a list or tuple display of them (not ``[]`` filled
    later by ``append``)."""
    return any(i.opname in _PLAIN_LOADS for i in span) and all(i.opname in _PLAIN_LOADS or i.opname in _DISPLAYS
                                                                for i in span)


_SWAPPED_COMPARISONS = {"lt": "gt", "le": "ge", "gt": "lt", "ge": "le", "eq": "eq", "ne": "ne"}


def size_test() -> tuple[str, Any, Any] | None:
    """How the size the caller's code is reading right now (``x.numel()``, ``len(x)``) is used, where
    it is only tested: ``(op, "literal", c)`` for ``x.numel() >= c`` / ``c <= x.numel()`` (as
    ``size op c``), ``(op, "literal", 0)`` with ``ne`` for a truth test (``if x.numel():``, ``not``),
    ``(op, "size", y)`` for ``y.numel() op x.numel()`` / ``len(y) op len(x)``, ``y`` the value of the
    local whose size the left operand reads (the comparison read as ``size(y) op size(x)``). None
    for anything else (another use, the left operand of two sizes: told at the right one)."""
    if _VERSION not in _TEST_CHECKED:
        return None
    f = _caller()
    if f is None:
        return None
    found = _size_test_at(f.f_code, _lasti(f))
    if found is None:
        return None
    op, kind, value = found
    if kind == "size":
        if value[1] and _builtin(f, "len") is not len:
            return None
        y = _locals(f).get(value[0], _UNPROVEN)
        return None if y is _UNPROVEN else (op, kind, y)
    return found


@_per_code(1024)
def _size_test_at(code: types.CodeType, lasti: int) -> tuple[str, str, Any] | None:
    instructions, at = _located(code, lasti)
    if at is not None and instructions[at].opname == "PRECALL" and at + 1 < len(instructions):
        at += 1  # (``len`` specialised runs in PRECALL)
    if at is None or instructions[at].opname != "CALL" or at + 1 >= len(instructions):
        return None
    start = _operand_start(instructions, at + 1)
    if start is None or _size_local(instructions[start : at + 1]) is None:
        return None
    after = instructions[at + 1]
    if after.is_jump_target:
        return None
    if after.opname.startswith("POP_JUMP") and after.opname.endswith(("IF_TRUE", "IF_FALSE")) or after.opname == "UNARY_NOT":
        return ("ne", "literal", 0)
    if after.opname == "LOAD_CONST" and type(after.argval) is int and at + 2 < len(instructions):
        compare = instructions[at + 2]
        if compare.opname == "COMPARE_OP" and compare.argval in _COMPARISONS and not compare.is_jump_target:
            return (_COMPARISONS[compare.argval], "literal", after.argval)
        return None
    if after.opname != "COMPARE_OP" or after.argval not in _COMPARISONS:
        return None
    left = _operand_start(instructions, start)
    if left is None:
        return None
    span = instructions[left:start]
    op = _COMPARISONS[after.argval]
    if len(span) == 1 and span[0].opname == "LOAD_CONST" and type(span[0].argval) is int:
        return (_SWAPPED_COMPARISONS[op], "literal", span[0].argval)
    local = _size_local(span)
    return None if local is None else (op, "size", local)


def _size_local(span: list[dis.Instruction]) -> tuple[str, bool] | None:
    """``(name, by len)`` where ``span`` is ``name.numel()`` or ``len(name)`` of a local, else None."""
    ops = [i for i in span if i.opname != "PRECALL"]
    if [i.opname for i in ops] == ["LOAD_FAST", "LOAD_METHOD", "CALL"] and ops[1].argval == "numel" and ops[2].arg == 0:
        return ops[0].argval, False
    if [i.opname for i in ops] == ["LOAD_GLOBAL", "LOAD_FAST", "CALL"] and ops[0].argval == "len" and ops[2].arg == 1:
        return ops[1].argval, True
    return None


def stored_size_tests() -> tuple[Any, str, tuple[tuple[str, str | int], ...]] | None:
    """Where the size the caller's code is reading right now (``a.numel()``, ``len(a)``) is stored
    in a local first (``na, nb = a.numel(), b.numel()``, ``na = len(a)``): (that local, the
    comparisons of it the code writes, each ``(op, other)`` read as ``local op other``: another
    local, ``if nb >= na``, or an int literal, ``if na > 2``; a truth test is ``("ne", 0)``), after the code object that names it. None where the size is not so
    stored or the code cannot be read."""
    if _VERSION not in _TEST_CHECKED:
        return None
    read = _caller_read(_stored_size_tests_at)
    return None if read is None else (read[0].f_code, *read[1])


# pops and pushes of the loads a statement storing several values runs before its stores
_STACK_LOADS = {"LOAD_FAST": (0, 1), "LOAD_CONST": (0, 1), "LOAD_DEREF": (0, 1), "PUSH_NULL": (0, 1),
                "LOAD_METHOD": (1, 2), "LOAD_ATTR": (1, 1), "PRECALL": (0, 0), "KW_NAMES": (0, 0)}


@_per_code(1024)
def _stored_size_tests_at(code: types.CodeType, lasti: int) -> tuple[str, tuple[tuple[str, str | int], ...]] | None:
    instructions, at = _located(code, lasti)
    if at is not None and instructions[at].opname == "PRECALL" and at + 1 < len(instructions):
        at += 1  # (``len`` specialised runs in PRECALL)
    if at is None or instructions[at].opname != "CALL":
        return None
    depth, name = 0, None  # values pushed above the size's
    for i in instructions[at + 1 :]:
        if i.is_jump_target:
            return None
        if i.opname == "STORE_FAST":
            if not depth:
                name = i.argval
                break
            depth -= 1
            continue
        if i.opname == "SWAP" and type(i.arg) is int:
            depth = i.arg - 1 if depth == 0 else 0 if depth == i.arg - 1 else depth
            continue
        if i.opname == "LOAD_GLOBAL":
            pops, pushes = 0, 1 + ((i.arg or 0) & 1)
        elif i.opname == "CALL" and type(i.arg) is int:
            pops, pushes = i.arg + 2, 1
        elif i.opname in _STACK_LOADS:
            pops, pushes = _STACK_LOADS[i.opname]
        else:
            return None
        if pops > depth:
            return None
        depth += pushes - pops
    if name is None:
        return None
    tests: list[tuple[str, str | int]] = []
    for k in range(len(instructions) - 1):
        a, b = instructions[k : k + 2]
        if a.opname == "LOAD_FAST" and a.argval == name and (b.opname == "UNARY_NOT" or b.opname.startswith("POP_JUMP")
                                                              and b.opname.endswith(("IF_TRUE", "IF_FALSE"))):
            tests.append(("ne", 0))  # ``if na:``
        c = instructions[k + 2] if k + 2 < len(instructions) else None
        if c is None or c.opname != "COMPARE_OP" or c.argval not in _COMPARISONS:
            continue
        op = _COMPARISONS[c.argval]
        for mine, theirs, how in ((a, b, op), (b, a, _SWAPPED_COMPARISONS[op])):
            if mine.opname != "LOAD_FAST" or mine.argval != name:
                continue
            if theirs.opname == "LOAD_FAST" and theirs.argval != name:
                tests.append((how, theirs.argval))
            elif theirs.opname == "LOAD_CONST" and type(theirs.argval) is int:
                tests.append((how, theirs.argval))  # ``if na > 2:``
    return name, tuple(tests)


def local_bound(name: str) -> bool:
    """Whether the caller's code has bound its local ``name`` by now."""
    f = _caller()
    return f is not None and name in _locals(f)


def _divisor_instructions(f: types.FrameType) -> list[dis.Instruction] | None:
    """The instructions of the divisor ``b`` of the ``a / b`` (``a /= b``) ``f`` is executing."""
    instructions, at = _located(f.f_code, _lasti(f))
    spans = _operand_spans(f.f_code, _lasti(f))
    if at is None or spans is None or instructions[at].arg not in _DIVISIONS:
        return None
    start, end = spans[1]
    return instructions[start:end]


def _lone_divisor(f: types.FrameType) -> list[dis.Instruction] | None:
    """The instructions of the divisor ``b`` of the ``a / b`` ``f`` is executing, read alone (``a``
    may start at a jump's target: ``if ..: n = ..``, then ``return l.sum() / n``)."""
    instructions, at = _located(f.f_code, _lasti(f))
    if (at is None or instructions[at].opname != "BINARY_OP" or instructions[at].arg not in _DIVISIONS
            or instructions[at].is_jump_target):
        return None
    start = _operand_start(instructions, at)
    return None if start is None else instructions[start:at]


def divisor_bounds_a_comprehension(direct: bool = False) -> bool:
    """Whether the divisor of the ``a / b`` the caller's code is executing calls the builtin ``max``
    or ``min`` of values a generator or comprehension computes there (``max(len(s["boxes"]) for s
    in t)``): the largest (smallest) of per-image numbers, whatever count it equals by value. With
    ``direct``, only of the comprehension itself (not ``max(sum(..), 1)``, a floor), written there
    or in a local stored once. False for any other divisor, another layout or an unchecked Python."""
    f = _caller() if _VERSION in _CHECKED else None
    span = None if f is None else _divisor_instructions(f)
    if span is None or f is None:
        return False
    if not direct:
        return _bounded(span, f) and any(
            i.opname == "MAKE_FUNCTION" or i.opname.startswith(("BUILD_LIST", "LIST_APPEND")) for i in span)
    instructions = _instructions(f.f_code)
    spans = [span]
    for i in span:  # (a local stored once with it: ``m = min(len(s["boxes"]) for s in t)``, ``/ m``)
        stores = _stores(instructions, i.argval) if i.opname == "LOAD_FAST" else []
        value = _stored_value(instructions, stores[0]) if len(stores) == 1 else None
        spans += [instructions[value[0]:value[1]]] if value is not None else []
    return any(_bounds_comprehension(s, f) for s in spans)


def _bounds_comprehension(span: list[dis.Instruction], f: types.FrameType) -> bool:
    """Whether ``span`` calls the builtin ``min``, ``max`` or ``sorted`` right on a comprehension it
    makes (also on ``map(len, ..)`` of one), NumPy's or torch's ``max`` / ``min`` on one (``np.max([..])``)
    or on a tensor made of one (``torch.tensor([..]).max()``): an order statistic of per-image numbers."""
    for j, i in enumerate(span[:-1]):
        reducer = i.opname == "LOAD_GLOBAL" and i.argval in ("min", "max", "sorted") \
            and _builtin(f, i.argval) is getattr(builtins, i.argval)
        if reducer or i.opname in ("LOAD_ATTR", "LOAD_METHOD") and i.argval in _ORDER_REDUCTIONS:
            k = j + 1
            if reducer and k + 1 < len(span) and [s.argval for s in span[k:k + 2]] == ["map", "len"] \
                    and all(s.opname == "LOAD_GLOBAL" and _builtin(f, s.argval) is getattr(builtins, s.argval)
                            for s in span[k:k + 2]):
                k += 2  # ``min(map(len, (s["boxes"] for s in t)))``
            while k < len(span) and span[k].opname in ("LOAD_CLOSURE", "BUILD_TUPLE"):
                k += 1
            if k + 1 < len(span) and _comprehension_made(span, k):
                return True
            if i.opname == "LOAD_METHOD" and _tensor_of_comprehension(span, j):
                return True
    return False


_ORDER_REDUCTIONS = frozenset({"max", "min", "amax", "amin"})


def _comprehension_made(span: list[dis.Instruction], k: int) -> bool:
    return span[k].opname == "LOAD_CONST" and isinstance(span[k].argval, types.CodeType) \
        and span[k].argval.co_name in ("<listcomp>", "<genexpr>") and span[k + 1].opname == "MAKE_FUNCTION"


def _tensor_of_comprehension(span: list[dis.Instruction], j: int) -> bool:
    """Whether the method loaded at ``j`` is one of what one call makes of a comprehension made
    right before it (``torch.tensor([len(s["labels"]) for s in t]).max()``)."""
    calls = 0
    for k in range(j - 1, 0, -1):
        name = span[k].opname
        if name == "MAKE_FUNCTION":
            return calls == 2 and _comprehension_made(span, k - 1)
        if name == "CALL":
            calls += 1
        elif name not in ("LOAD_FAST", "LOAD_DEREF", "GET_ITER", "PRECALL", "CACHE"):
            return False
    return False


_TENSOR_CHAIN = frozenset({"sum", "mean", "amax", "amin", "detach", "float", "clamp", "clamp_min"})


def _floored_literal(f: types.FrameType, instructions: list[dis.Instruction], span: list[dis.Instruction], z: Any) -> bool:
    """Whether the divisor ``span`` (or a local stored once with it) is the builtin ``max`` / ``min`` of a number
    literal equal to ``z`` and methods of a tensor local reducing it (``tss = max(ts.sum(), 1)`` that returned 1,
    YOLOv8's ``target_scores_sum``): the number is that literal whatever sizes the tensor was made with; which
    operand the builtin returned is a comparison of the tensor the capture reads (a branch each group decides)."""
    if len(span) == 1 and span[0].opname == "LOAD_FAST":
        stores = _stores(instructions, span[0].argval)
        value = _stored_value(instructions, stores[0]) if len(stores) == 1 else None
        if value is None:
            return False
        span = instructions[value[0]:value[1]]
    ops = [i for i in span if i.opname not in ("PRECALL", "PUSH_NULL")]
    if len(ops) < 4 or ops[0].opname != "LOAD_GLOBAL" or ops[0].argval not in ("max", "min") \
            or _builtin(f, ops[0].argval) is not getattr(builtins, ops[0].argval) or ops[-1].opname != "CALL" \
            or ops[-1].arg != 2:
        return False
    middle = ops[1:-1]
    literal = 0 if middle[0].opname == "LOAD_CONST" else len(middle) - 1
    c, chain = middle[literal], middle[1:] if literal == 0 else middle[:-1]
    if c.opname != "LOAD_CONST" or type(c.argval) is not type(z) or c.argval != z or type(z) is bool \
            or chain[0].opname != "LOAD_FAST" or not isinstance(_locals(f).get(chain[0].argval), torch.Tensor) \
            or len(chain) < 3 or len(chain) % 2 != 1:
        return False
    return all(m.opname in ("LOAD_METHOD", "LOAD_ATTR") and m.argval in _TENSOR_CHAIN and call.opname == "CALL"
               and call.arg == 0 for m, call in zip(chain[1::2], chain[2::2]))


def sizes_computed_divisor(z: Any = None) -> bool:
    """Whether the divisor of the ``a / b`` the caller's code is executing is computed, there or in
    locals of its code (every store of each followed), from a generator or comprehension that reads
    sizes (``len(..)``, ``.numel()``, ``.shape``, ``.size(..)``) of its items and does more with
    them than ``sum`` / ``max`` / ``min`` / ``sorted`` of each read alone, times or over number literals
    and floored or capped by literals (``_plain_sized_items``): ``sum(len(u["labels"]) + 3 for u in
    t)``, ``len(u["labels"]) * k`` with ``k`` a number of the enclosing code (the first image's
    count, the batch's largest, the last image's, the batch's total), a filter; or where such a
    sum is an item of a list or tuple of several (``sorted([float(n), 3.0])[-1]``, a max by
    ``sorted``). On a group alone the number is computed from the group's images, so whatever
    count of the batch it equals by value, its share cannot be told. False for anything else, for ``z``
    the literal of a floor of a tensor (``_floored_literal``), or where nothing can be told (Python 3.11 to 3.13)."""
    f = _caller() if _VERSION in _CHECKED else None
    span = None if f is None else _divisor_instructions(f)
    if span is None or f is None:
        return False
    instructions = _instructions(f.f_code)
    return _sizes_computed(f, instructions, span) and not (z is not None and _floored_literal(f, instructions, span, z))


def _sizes_computed(f: types.FrameType, instructions: list[dis.Instruction], span: list[dis.Instruction]) -> bool:
    """``sizes_computed_divisor`` of the divisor ``span`` of ``f``'s code."""
    spans, sized, several = [span], False, False
    seen: set[str] = set()
    while spans:
        current = spans.pop()
        for j, i in enumerate(current):
            if i.opname in ("LOAD_FAST", "LOAD_DEREF") and i.argval not in seen and (
                    i.opname == "LOAD_FAST" or i.argval in f.f_code.co_cellvars) and len(seen) < 32:
                seen.add(i.argval)
                for k in _stores(instructions, i.argval, cells=True):
                    value = _stored_value(instructions, k)
                    spans += [instructions[value[0]:value[1]]] if value is not None else []
            elif i.opname == "MAKE_FUNCTION" and j and isinstance(code := current[j - 1].argval, types.CodeType) \
                    and current[j - 1].opname == "LOAD_CONST" and code.co_name in ("<genexpr>", "<listcomp>"):
                reads = _reads_sizes(code)
                if reads and not _plain_sized_items(code, f):
                    return True
                sized = sized or reads
            elif i.opname in ("BUILD_LIST", "BUILD_TUPLE") and (i.arg or 0) > 1 and current[j - 1].opname != "LOAD_CLOSURE":
                several = True
            elif i.opname == "LOAD_GLOBAL" and i.argval == "sorted" and _builtin(f, "sorted") is sorted:
                several = True
    return sized and several


def _reads_sizes(code: types.CodeType) -> bool:
    """Whether the generator or comprehension ``code`` computes its items calling ``len`` or reading
    ``.numel()``, ``.shape``, ``.size(..)`` (a filter's reads aside: ``[s for s in t if len(s)]``
    keeps the images themselves)."""
    ins = _instructions(code)
    end = next((k for k, i in enumerate(ins) if i.opname in ("YIELD_VALUE", "LIST_APPEND")), len(ins))
    start = max((k + 1 for k, i in enumerate(ins[:end]) if "JUMP" in i.opname and "IF" in i.opname
                 or i.opname == "FOR_ITER"), default=0)
    return any(i.opname == "LOAD_GLOBAL" and i.argval == "len" or i.opname in ("LOAD_ATTR", "LOAD_METHOD")
               and i.argval in ("numel", "shape", "size") for i in ins[start:end])


_PLAIN_ITEM_BUILTINS = frozenset({"len", "float", "int", "max", "min"})
_LOOP_OPS = frozenset({"COPY_FREE_VARS", "RETURN_GENERATOR", "POP_TOP", "RESUME", "FOR_ITER", "YIELD_VALUE",
                       "JUMP_BACKWARD", "RETURN_VALUE", "BUILD_LIST", "LIST_APPEND", "SWAP", "STORE_FAST",
                       "UNPACK_SEQUENCE", "LOAD_FAST", "LOAD_CONST", "BINARY_SUBSCR", "LOAD_ATTR", "LOAD_METHOD",
                       "PRECALL", "CALL", "KW_NAMES", "PUSH_NULL"})


def _plain_sized_items(code: types.CodeType, f: types.FrameType) -> bool:
    """Whether the generator or comprehension ``code`` computes each item from its iteration's
    objects alone: loads of its own locals, constants, subscripts, attributes, calls of ``len``,
    ``float``, ``int``, ``max``, ``min`` or of a module's functions, ``*`` and ``/`` by a number
    literal, no filter; a free variable only as an attribute's owner or a key (``self.key``)."""
    ins = _instructions(code)
    for k, i in enumerate(ins):
        following = ins[k + 1] if k + 1 < len(ins) else None
        if i.opname in _LOOP_OPS:
            continue
        if i.opname == "LOAD_GLOBAL":
            value = f.f_globals.get(i.argval, f.f_builtins.get(i.argval))
            if i.argval in _PLAIN_ITEM_BUILTINS and value is getattr(builtins, i.argval) \
                    or isinstance(value, types.ModuleType):
                continue
            return False
        if i.opname == "LOAD_DEREF" and following is not None and following.opname in (
                "LOAD_ATTR", "LOAD_METHOD", "BINARY_SUBSCR"):
            continue
        if i.opname == "BINARY_OP" and i.argrepr in ("*", "/"):
            spans = _operand_spans(code, i.offset)
            if spans is not None and any(b - a == 1 and ins[a].opname == "LOAD_CONST" and type(ins[a].argval) in (int, float)
                                         for a, b in spans):
                continue
        return False
    return True


def passed_number_computed(body: Callable[[], BodyCall | None], own: FixedLists | None = None) -> bool:
    """Whether the divisor of the ``a / b`` the decorated body's own code is executing is computed
    there, or in locals of its code (every store of each followed), from a number the call passed
    to one of its parameters (an outside normaliser, whose share a group takes) by more than
    loading it: rebound (``num_boxes = max(num_boxes, 5.0)``), floored, clamped, made a tensor
    (``torch.as_tensor(num_boxes * 2).clamp(min=6)``) -- not the parameter itself, never rebound,
    and not one ``_constant_of_call`` proves a constant (its default, a literal its caller passes).
    On a group alone the body computes it from the group's share, so the share of the batch's
    result is no answer. False for anything else, a helper's code or an unchecked Python. ``own``:
    as ``argument_times_constant``'s."""
    f = _caller() if _VERSION in _FLOOR_CHECKED else None
    if f is None or _called_by(f)[0] != "body":
        return False
    spans = _operand_spans(f.f_code, _lasti(f))
    instructions, at = _located(f.f_code, _lasti(f))
    if spans is None or at is None or instructions[at].arg not in _DIVISIONS:
        return False
    times = argument_times_constant(body, own)
    if times is not None and times[1] is not None:  # ``num_boxes * dn_num_group``: its own rule
        return False
    return _reads_passed_number(f, *spans[1], body, at)


def body_parameter_values(names: Iterable[str]) -> dict[str, Any]:
    """The Python numbers (not bools) and one-element tensors the decorated body's parameters
    ``names`` hold now, read from the body's frame above the op that runs; empty where no body
    frame is found."""
    f = _caller()
    while f is not None and _called_by(f)[0] != "body":
        f = f.f_back
    if f is None:
        return {}
    values = _locals(f)
    parameters = set(f.f_code.co_varnames[: f.f_code.co_argcount + f.f_code.co_kwonlyargcount])
    return {n: values[n] for n in names if n in parameters and (type(values.get(n)) in (int, float) or isinstance(
        values.get(n), torch.Tensor) and values[n].numel() == 1)}


def made_of_passed_number(body: Callable[[], BodyCall | None]) -> bool:
    """``passed_number_computed`` of the arguments of the call the decorated body's own code is
    executing (``torch.as_tensor(num_boxes * 2)``): a tensor made of such a number is no constant."""
    found = _executing_call()
    if found is None or _called_by(found[0])[0] != "body":
        return False
    f, instructions, at = found
    start = _arguments_start(instructions, at)
    return start is not None and _reads_passed_number(f, start, at, body)


def _reads_passed_number(f: types.FrameType, start: int, end: int, body: Callable[[], BodyCall | None],
                         at: int = -1) -> bool:
    """Whether the span ``start:end`` of ``f``'s code (the decorated body's) computes in Python
    (``_computed_on``), straight or through locals (every store), on a parameter holding a number
    the call passed: rebound, or not proven a constant by ``_constant_of_call``. ``at``: the
    division whose divisor the span is (its own operand is no computation)."""
    code = f.f_code
    instructions = _instructions(code)
    if end - start == 1 and instructions[start].opname == "LOAD_FAST" and _plain_parameter(code, instructions[start].argval):
        return False
    if _parameter_plus_eps(f, instructions[start:end]):
        return False
    parameters = set(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    pending = [(start, end)]
    seen: set[str] = set()
    while pending:
        first, stop = pending.pop()
        for j in range(first, stop):
            i = instructions[j]
            if i.opname != "LOAD_FAST":
                continue
            value = _locals(f).get(i.argval)
            if i.argval in parameters and type(value) in (int, float) and _computed_on(f, instructions, j, at) and (
                    not _plain_parameter(code, i.argval) or _constant_of_call(f, j, j + 1, body, own=None) is _UNPROVEN):
                return True
            if i.argval not in seen and len(seen) < 32:
                seen.add(i.argval)
                for k in _stores(instructions, i.argval):
                    stored = _stored_value(instructions, k)
                    if stored is not None:
                        pending.append(stored)
    return False


def _computed_on(f: types.FrameType, instructions: list[dis.Instruction], j: int, at: int) -> bool:
    """Whether the value pushed at ``j`` meets Python arithmetic (an operator other than the
    division at ``at``, a builtin such as ``max``, a Python function), through ``float`` / ``int``
    and lists or tuples of it; not a torch function it is passed to (``torch.as_tensor([n])``:
    the rules of the tensor decide) nor anything else."""
    used = _consumer(instructions, j)
    if used is None:
        return False
    k = used[0]
    i = instructions[k]
    if i.opname == "BINARY_OP":
        return k != at
    if i.opname in ("UNARY_NEGATIVE", "UNARY_POSITIVE"):
        return True
    if i.opname in ("BUILD_LIST", "BUILD_TUPLE"):
        return _computed_on(f, instructions, k, at)
    if i.opname != "CALL":
        return False
    called = _called_object(f, instructions, k)
    if called is float or called is int:
        return _computed_on(f, instructions, k, at)
    if isinstance(called, types.BuiltinFunctionType) and getattr(builtins, called.__name__, None) is called:
        return True  # ``max(num_boxes, 5.0)``
    # ``math.sqrt(num_boxes)``, ``np.log(num_boxes)``: a function of any module but torch's (a class converts)
    return callable(called) and not isinstance(called, type) and not str(getattr(called, "__module__", None)).startswith("torch")


def _parameter_plus_eps(f: types.FrameType, span: list[dis.Instruction]) -> bool:
    """Whether ``span`` is ``p + eps`` (``eps + p``): a parameter never rebound plus a number literal
    no larger than ``Frame.from_arguments`` allows (the outside normaliser itself, as read by value)."""
    if len(span) != 3 or span[2].opname != "BINARY_OP" or span[2].argrepr != "+":
        return False
    loads = [i for i in span[:2] if i.opname == "LOAD_FAST"]
    literals = [i for i in span[:2] if i.opname == "LOAD_CONST" and type(i.argval) in (int, float)]
    if len(loads) != 1 or len(literals) != 1 or not _plain_parameter(f.f_code, loads[0].argval):
        return False
    value: Any = _locals(f).get(loads[0].argval)
    return type(value) in (int, float) and abs(literals[0].argval) <= 1e-6 * max(1.0, abs(value))


def read_times_literal() -> float | None:
    """``k`` where the division the caller's code is executing divides by ``k * n`` or ``n * k``
    written there (no floor around it), ``k`` a positive number literal and ``n`` a local every
    store of which is a number read on the host right there (``n = int(m.sum())``, ``n =
    m.sum().item()``, ``float(..)``) and that the code never tests (``_multiplied_local``): on a group
    alone ``k`` times the group's read. None otherwise, or on a Python whose layout was not checked."""
    executed = _executed(_FLOOR_CHECKED)
    if executed is None:
        return None
    f, instructions, at = executed
    found = _multiplied_local(f.f_code, _lasti(f))
    if found is None or at is None or instructions[at - 1].opname != "BINARY_OP" or isinstance(found[1], tuple):
        return None
    stores = _stores(instructions, found[0], cells=True)
    return found[1] if stores and all(_stores_read(f, instructions, k) for k in stores) else None


def _stores_read(f: types.FrameType, instructions: list[dis.Instruction], k: int) -> bool:
    """Whether the STORE_FAST at ``k`` stores the result of ``int(..)`` / ``float(..)`` (the builtins)
    or ``.item()`` called right before it."""
    if instructions[k].opname != "STORE_FAST" or k < 3 or instructions[k - 1].opname != "CALL":
        return False
    start = _arguments_start(instructions, k - 1)
    if start is None or start < 1:
        return False
    callee = instructions[start - 1]
    if callee.opname == "LOAD_METHOD" and callee.argval == "item" and instructions[k - 1].arg == 0:
        return True
    return callee.opname == "LOAD_GLOBAL" and callee.argval in ("int", "float") and instructions[k - 1].arg == 1 \
        and _builtin(f, str(callee.argval)) is getattr(builtins, str(callee.argval))


# (imported last, bound once: ``_provenance`` imports this module, and a relative import run in a
# function resolves through importlib's Python on each call; its readers run on every fill and division)
from . import _provenance  # noqa: E402
