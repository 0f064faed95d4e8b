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
import dis
import functools
import sys
import types
from typing import Any, NamedTuple

# Python versions whose subscript layout was checked (``dis`` of ``x[..., :4]``, ``x[:4]``,
# ``x[..., :4] = v``, ``x[:4] = v``, and ``f_lasti`` on the subscript during the call it makes).
# 3.14 folds slices into LOAD_CONST and subscripts with BINARY_OP: not checked, no proof there.
# Divisions (``a / 4.0``: LOAD_CONST right before BINARY_OP, ``f_lasti`` on it) were checked on
# 3.11; 3.12 and 3.13 keep that layout. 3.14 loads small ints with LOAD_SMALL_INT: not checked.
_CHECKED = {(3, 11), (3, 12), (3, 13)}

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
_UNPROVEN = object()


def literal_index(index: Any) -> bool:
    """Whether ``index`` (the index a ``Tensor.__getitem__`` / ``__setitem__`` received) is the
    literal index operand of the subscript the caller's code is executing: the first Python frame
    up the stack outside the losssplit and torch packages is stopped at a subscript whose index was
    built from constants only, and that index equals ``index``."""
    f = _caller()
    if f is None:
        return False
    literal = _literal_at(f.f_code, f.f_lasti)
    return literal is not _UNPROVEN and _same(literal, index)


def divisor_source(z: Any) -> str | None:
    """Where the Python number ``z`` dividing a loss comes from in the division the caller's code
    is executing (the first Python frame up the stack outside the losssplit and torch packages,
    stopped at ``a / b`` or ``a /= b``): ``"literal"`` when ``b`` is a constant loaded right before
    it, equal to ``z`` (type included: ``l.sum() / 4.0``); ``"configured"`` when ``b`` is an
    attribute or a module global loaded right before it (``/ self.scale``, ``/ SCALE``); ``"other"``
    for anything else (a local name, an expression, ``torch.div(l, 4)``). None on a Python version
    whose layout was not checked (nothing can be told there)."""
    if sys.version_info[:2] not in _CHECKED:
        return None
    f = _caller()
    if f is None:
        return "other"
    source, literal = _divisor_at(f.f_code, f.f_lasti)
    if source == "literal" and not (type(literal) is type(z) and literal == z):
        return "other"
    return source


def literal_factor(c: Any) -> bool:
    """Whether the Python number ``c`` is the right operand of the multiplication (``a * 0.5``,
    ``a *= 0.5``) the caller's code is executing, written there as a constant equal to ``c`` (type
    included): a coefficient of the body, whatever image's weight it equals."""
    f = _caller()
    if f is None:
        return False
    source, literal = _divisor_at(f.f_code, f.f_lasti, _PRODUCTS)
    return source == "literal" and type(literal) is type(c) and literal == c


def literal_exponent(c: Any, passed: int, configured: bool = False) -> bool:
    """Whether the Python number ``c`` is the exponent of the power the caller's code is
    executing, written there as a constant (type included): ``x ** 2`` (a LOAD_CONST right before
    the ``**``), with ``configured`` also ``x ** self.gamma`` (an attribute or a global loaded
    right before it), ``x.pow(2)``, ``torch.pow(x, 2)`` (``passed``: the arguments the op
    received)."""
    f = _caller()
    if f is None:
        return False
    source, literal = _divisor_at(f.f_code, f.f_lasti, _POWERS)
    if source == "configured":
        return configured
    if source == "literal":
        return type(literal) is type(c) and literal == c
    return literal_size(c, 1, "exponent", passed)


def straight_line_operator() -> bool:
    """Whether the caller's code is executing a binary operator (``a + b``, ``a * b``) that runs
    once per call of the decorated body: no loop of that code, nor of any code between it and
    the body (a helper called in a loop), runs it again (a backward jump from after it to it or
    before it: ``for``, ``while``, a comprehension), and no code between them is entered twice
    (recursion). A value added there is added once per call, whatever the images. False for
    anything else (a call such as ``sum(...)`` of a generator, a frame not found, a Python whose
    layout was not checked)."""
    f = _caller()
    if f is None:
        return False
    instructions, at = _located(f.f_code, f.f_lasti)
    if at is None or instructions[at].opname != "BINARY_OP":
        return False
    seen: set[types.CodeType] = set()
    while f is not None:
        package = str(f.f_globals.get("__name__", "")).partition(".")[0]
        if package == "losssplit":
            return True  # the decorator's wrapper: the body's call
        if package not in _INTERNAL:
            if f.f_code in seen or _in_loop(f.f_code, f.f_lasti):
                return False
            seen.add(f.f_code)
        f = f.f_back
    return False


def call_site() -> tuple[types.CodeType, int] | None:
    """(code, instruction offset) of the op the caller's code is executing; None where no frame
    is found."""
    f = _caller(checked=False)  # a position needs no reading of the bytecode
    return None if f is None else (f.f_code, f.f_lasti)


@functools.lru_cache(maxsize=1024)
def _in_loop(code: types.CodeType, lasti: int) -> bool:
    """Whether a jump after the instruction at ``lasti`` goes back to it or before it (every
    jump kind: ``POP_JUMP_BACKWARD_IF_TRUE`` closes a ``while`` loop on 3.11)."""
    instructions, at = _located(code, lasti)
    if at is None:
        return True
    return any(i.opcode in _JUMPS and isinstance(i.argval, int) and i.argval <= lasti for i in instructions[at + 1 :])


_JUMPS = frozenset(dis.hasjrel) | frozenset(dis.hasjabs)


def literal_dividend(c: Any) -> bool:
    """Whether the Python number ``c`` is the left operand of the division the caller's code is
    executing (``1 / mse``), written there as a lone constant equal to it (type included)."""
    f = _caller()
    if f is None or sys.version_info[:2] not in _FLOOR_CHECKED:
        return False
    instructions, at = _located(f.f_code, f.f_lasti)
    spans = _operand_spans(f.f_code, f.f_lasti)
    if at is None or spans is None or instructions[at].arg not in _DIVISIONS:
        return False
    (start, end), _ = spans
    left = instructions[start:end]
    return len(left) == 1 and left[0].opname == "LOAD_CONST" and type(left[0].argval) is type(c) and left[0].argval == c


def parameter_value(c: Any) -> bool:
    """Whether the object ``c`` is the value of a parameter of the caller's code (``delta_v=0.5``:
    a default, configuration; equal float literals of one module are one object, so it may be an
    image's weight object too). False where the caller is not found."""
    f = _caller()
    if f is None:
        return False
    code = f.f_code
    names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    return any(f.f_locals.get(n) is c for n in names)


def offset_source(c: Any, product: bool = False) -> str | None:
    """Where the Python number ``c`` added to or subtracted from a loss comes from in the sum or
    difference the caller's code is executing (``a + c``, ``a - c``, ``c - a``, ``a -= c``,
    ``a.add(c)``, ``torch.sub(a, c)``): ``"literal"`` when ``c`` is a constant loaded as one
    whole operand (type included: ``l.sum() - 1``, ``1 - dice.mean()``; a left operand is read
    on the Python whose stack effects were checked only); ``"configured"`` when it is an
    attribute or a module global (``- self.margin``); ``"other"`` for anything else (a local
    name, ``len(targets)``, an expression). With ``product``, the same of a factor (``a * c``,
    ``c * a``, ``a.mul(c)``). None on a Python version whose layout was not checked."""
    if sys.version_info[:2] not in _CHECKED:
        return None
    f = _caller()
    if f is None:
        return "other"
    source, literal = _offset_at(f.f_code, f.f_lasti, product)
    if source == "literal" and not (type(literal) is type(c) and literal == c):
        return "other"
    return source


@functools.lru_cache(maxsize=1024)
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
    if sys.version_info[:2] in _FLOOR_CHECKED:  # both whole operands: where the right one starts
        start = _operand_start(instructions, at)
        left = _operand_start(instructions, start) if start is not None else None
        if start is not None and left is not None:
            operands = [(start, at), (left, start)]
    for first, stop in operands:
        last = instructions[stop - 1]
        if stop - first == 1 and last.opname == "LOAD_CONST" and type(last.argval) in (int, float):
            return "literal", last.argval
    # an attribute is configuration only where the other operand is none (it is the loss then)
    configured = [instructions[stop - 1].opname in _CONFIGURED for _, stop in operands]
    if configured.count(True) == 1:
        return "configured", None
    return "other", None


def loop_operand() -> bool | None:
    """Whether an operand of the sum or difference the caller's code is executing is a local name
    that a ``for`` loop of the same code assigns (``l.sum() - b`` in ``for b in range(n)``, also
    unpacked: ``for b, t in enumerate(targets)``) or a parameter of that code: the number may be
    a loop position. None where
    that cannot be told (a Python whose layout was not checked, a frame not found, an operand
    that is a name of an enclosing function)."""
    if sys.version_info[:2] not in _CHECKED:
        return None
    f = _caller()
    return None if f is None else _loop_operand_at(f.f_code, f.f_lasti)


@functools.lru_cache(maxsize=1024)
def _loop_operand_at(code: types.CodeType, lasti: int) -> bool | None:
    """See ``loop_operand``: the operands of the BINARY_OP at ``lasti`` (the right one's last
    instruction, and on Pythons whose stack effects were checked the left one) against the
    parameters and the names stored right after a FOR_ITER (through UNPACK_SEQUENCE)."""
    instructions, at = _located(code, lasti)
    if at is None or at == 0 or instructions[at].opname != "BINARY_OP" or instructions[at].arg not in _SHIFTS:
        return None
    operands = [instructions[at - 1]]
    if sys.version_info[:2] in _FLOOR_CHECKED:
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


def local_length() -> bool:
    """Whether an operand of the sum or difference the caller's code is executing is ``len(x)`` of
    a local name (no parameter, no loop variable), or a local that the code only ever assigns
    that (``num_tags = len(person_tags)``, a list the body built): a count of the body's own
    objects, not of the images it was given (``len(targets)`` is the length of a parameter)."""
    if sys.version_info[:2] not in _FLOOR_CHECKED:
        return False
    f = _caller()
    return f is not None and _local_length_at(f.f_code, f.f_lasti)


@functools.lru_cache(maxsize=1024)
def _local_length_at(code: types.CodeType, lasti: int) -> bool:
    """See ``local_length``; a store is read as ``len(x)`` only as LOAD_GLOBAL len, LOAD_FAST x,
    PRECALL 1, CALL 1, STORE_FAST (3.11)."""
    instructions, at = _located(code, lasti)
    if at is None or at < 1 or instructions[at].opname != "BINARY_OP" or instructions[at].arg not in _SHIFTS:
        return False
    params = set(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    loops = {instructions[k + 1].argval for k, i in enumerate(instructions[:-1]) if i.opname == "FOR_ITER"}

    def local(name: Any) -> bool:
        return name not in params and name not in loops and name not in code.co_cellvars

    operands = [instructions[at - 1]]
    start = _operand_start(instructions, at)
    left = _operand_start(instructions, start) if start is not None else None
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


def divisor_floor() -> float | None:
    """The floor ``c`` of the division the caller's code is executing (``a / d`` or ``a /= d``)
    where ``d`` is the builtin ``max`` of an expression and an int or float constant (``/ max(n,
    1)``), or a local last assigned that call in straight-line code right before (``n = max(n,
    1)``): on a group alone the body divides by at least ``c``. None otherwise (no proof): an
    expression or a call after the ``max``, a floor that is a name (a count, a weight), another
    path into the code between the assignment and the division, a ``max`` that is not the
    builtin, an unchecked Python."""
    if sys.version_info[:2] not in _FLOOR_CHECKED:
        return None
    f = _caller()
    if f is None or f.f_globals.get("max", f.f_builtins.get("max")) is not builtins.max:
        return None
    return _floor_at(f.f_code, f.f_lasti)


# instructions that leave the straight line (the division after them is reached another way)
_LEAVES = ("JUMP", "RETURN", "RAISE", "RERAISE", "PUSH_EXC_INFO", "FOR_ITER", "SEND", "YIELD", "POP_JUMP")


@functools.lru_cache(maxsize=1024)
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


def _max_call(instructions: list[dis.Instruction], call: int) -> float | None:
    """``c`` where the CALL at index ``call`` is ``max(x, c)`` or ``max(c, x)`` (LOAD_GLOBAL max,
    the two arguments, PRECALL 2, CALL 2) with ``c`` an int or float constant and ``x`` any
    straight-line expression; None otherwise."""
    if instructions[call].arg != 2 or call < 4:
        return None
    precall = instructions[call - 1]
    if precall.opname != "PRECALL" or precall.arg != 2 or precall.is_jump_target or instructions[call].is_jump_target:
        return None
    second = _operand_start(instructions, call - 1)
    first = _operand_start(instructions, second) if second is not None else None
    if second is None or first is None or first < 1:
        return None
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


def _operand_start(instructions: list[dis.Instruction], end: int) -> int | None:
    """The index where the straight-line code that pushes the one value right below ``end``
    starts (its instructions net one value pushed); None at a jump, a jump target or the start."""
    net, k = 0, end
    while net < 1:
        k -= 1
        if k < 0:
            return None
        i = instructions[k]
        if i.is_jump_target or i.opname.startswith(_LEAVES):
            return None
        try:
            net += dis.stack_effect(i.opcode, i.arg if i.opcode >= dis.HAVE_ARGUMENT else None, jump=False)
        except ValueError:
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
    if keyword in names:
        literal = arguments[len(arguments) - len(names) + names.index(keyword)]
    else:
        shift = passed - len(arguments)
        if shift not in (0, 1) or not 0 <= index - shift < len(arguments) - len(names):
            return False
        literal = arguments[index - shift]
    return literal is not _UNPROVEN and type(literal) is type(value) and literal == value


def _call_in_caller() -> tuple[tuple[Any, ...], tuple[str, ...]] | None:
    if sys.version_info[:2] not in _FLOOR_CHECKED:
        return None
    f = _caller()
    return None if f is None else _call_arguments(f.f_code, f.f_lasti)


@functools.lru_cache(maxsize=1024)
def _call_arguments(code: types.CodeType, lasti: int) -> tuple[tuple[Any, ...], tuple[str, ...]] | None:
    """The arguments of the CALL at ``lasti`` as written, each the constant of a LOAD_CONST that
    alone pushes it, else ``_UNPROVEN`` (so are the ones before an argument whose code is not
    straight-line), and its keyword names; None where the layout is not the checked one (PRECALL,
    at most one KW_NAMES)."""
    instructions, at = _located(code, lasti)
    if at is None or instructions[at].opname != "CALL" or instructions[at].is_jump_target:
        return None
    k, names = at - 1, ()
    if k >= 0 and instructions[k].opname == "PRECALL":
        k -= 1
    if k >= 0 and instructions[k].opname == "KW_NAMES":
        names = code.co_consts[instructions[k].arg or 0]
        if not isinstance(names, tuple):
            return None
        k -= 1
    if any(i.is_jump_target for i in instructions[k + 1 : at]):
        return None
    arguments: list[Any] = []
    end: int | None = k + 1
    for _ in range(instructions[at].arg or 0):
        start = _operand_start(instructions, end) if end is not None else None
        span = instructions[start:end] if start is not None else []
        arguments.append(span[0].argval if len(span) == 1 and span[0].opname == "LOAD_CONST" else _UNPROVEN)
        end = start
    return tuple(reversed(arguments)), names


def _caller(checked: bool = True) -> types.FrameType | None:
    """The first Python frame outside losssplit and torch (None on versions whose bytecode
    layout was not checked, unless ``checked`` is False)."""
    if checked and sys.version_info[:2] not in _CHECKED:
        return None
    f: types.FrameType | None = sys._getframe(2)
    while f is not None and _internal(f.f_globals.get("__name__", "")):
        f = f.f_back
    return f


_INTERNAL_MODULES: dict[str, bool] = {}


def _internal(name: Any) -> bool:
    """Whether the module ``name`` is losssplit's or torch's (known by name after the first ask)."""
    known = _INTERNAL_MODULES.get(name) if type(name) is str else None
    if known is None:
        known = str(name).partition(".")[0] in _INTERNAL
        if type(name) is str and len(_INTERNAL_MODULES) < 4096:
            _INTERNAL_MODULES[name] = known
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
    name = _length_at(f.f_code, f.f_lasti)
    if name is None or f.f_globals.get("len", f.f_builtins.get("len")) is not len:
        return _UNPROVEN
    x = f.f_locals.get(name, _UNPROVEN)
    return x if x is not _UNPROVEN and _sized(x) == z else _UNPROVEN


def _sized(x: Any) -> int | None:
    try:
        return len(x)
    except TypeError:
        return None


@functools.lru_cache(maxsize=1024)
def _length_at(code: types.CodeType, lasti: int) -> str | None:
    """The local name ``x`` when the right operand of the division at byte offset ``lasti`` is
    ``len(x)``: LOAD_GLOBAL ``len``, LOAD_FAST / LOAD_DEREF ``x``, (PRECALL,) CALL 1, then the
    division, with no jump target among them; else None."""
    instructions, at = _located(code, lasti)
    if at is None or instructions[at].opname != "BINARY_OP" or instructions[at].arg not in _DIVISIONS:
        return None
    window = [i for i in instructions[max(0, at - 4) : at] if i.opname != "PRECALL"][-3:]
    if len(window) != 3 or any(i.is_jump_target for i in window[1:]) or instructions[at].is_jump_target:
        return None
    load_len, load_x, call = window
    if load_len.opname != "LOAD_GLOBAL" or load_len.argval != "len" or call.opname != "CALL" or call.arg != 1:
        return None
    return load_x.argval if load_x.opname in ("LOAD_FAST", "LOAD_DEREF") else None


# loads of a value that is configuration, not computed in the body: ``self.scale``, ``SCALE``
_CONFIGURED = {"LOAD_ATTR", "LOAD_GLOBAL", "LOAD_NAME"}


@functools.lru_cache(maxsize=1024)
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
    if op.opname != "BINARY_OP" or op.arg not in ops or op.is_jump_target:
        return "other", None
    if before.opname == "LOAD_CONST" and type(before.argval) in (int, float):
        return "literal", before.argval
    if before.opname in _CONFIGURED:
        return "configured", None
    return "other", None


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


@functools.lru_cache(maxsize=1024)
def _literal_at(code: types.CodeType, lasti: int) -> Any:
    """The index operand of the subscript at byte offset ``lasti`` of ``code`` when only
    constants build it (LOAD_CONST, BUILD_SLICE, BUILD_TUPLE in a straight line), else
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
        if i.opname == "LOAD_CONST":
            need -= 1
        elif i.opname in ("BUILD_SLICE", "BUILD_TUPLE") and isinstance(i.arg, int):
            need += i.arg - 1
        else:
            return _UNPROVEN
    window = instructions[start:at]
    if any(i.is_jump_target for i in window[1:]) or instructions[at].is_jump_target:
        return _UNPROVEN  # another path may reach the middle with other values on the stack
    stack: list[Any] = []
    for i in window:
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
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if type(a) is slice:
        return _same(a.start, b.start) and _same(a.stop, b.stop) and _same(a.step, b.step)
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
    an int constant ``c <= 1``: on at least one image, ``len(x)``), else ``"expr"``. The number
    operand is the one made only of constants, plain locals (no tensor), arithmetic and calls of
    the builtins ``len``, ``max``, ``min``, ``float``, ``int``, ``abs``, ``round``.
    None where no such operand holds a ``len`` call, or nothing can be told (another layout, an
    unchecked Python, a builtin rebound)."""
    f = _caller()
    if f is None:
        return None
    spans = _operand_spans(f.f_code, f.f_lasti)
    if spans is None:
        return None
    instructions = _instructions(f.f_code)
    for start, end in reversed(spans):  # the right operand first: ``loss * len(t)``
        found = _number_operand(instructions, start, end, f)
        if found is not None:
            return found
    return None


@functools.lru_cache(maxsize=256)
def _instructions(code: types.CodeType) -> list[dis.Instruction]:
    """``code``'s instructions without EXTENDED_ARG (and CACHE), decoded once per code object."""
    return [i for i in dis.get_instructions(code) if i.opname not in ("EXTENDED_ARG", "CACHE")]


@functools.lru_cache(maxsize=256)
def _positions(code: types.CodeType) -> dict[int, int]:
    return {i.offset: k for k, i in enumerate(_instructions(code))}


def _located(code: types.CodeType, lasti: int) -> tuple[list[dis.Instruction], int | None]:
    """``code``'s instructions and the index of the one at byte offset ``lasti`` (None: not found)."""
    return _instructions(code), _positions(code).get(lasti)


@functools.lru_cache(maxsize=1024)
def _operand_spans(code: types.CodeType, lasti: int) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """(left, right) index ranges of the operands of the ``*`` / ``/`` BINARY_OP at ``lasti``."""
    instructions, at = _located(code, lasti)
    if at is None or instructions[at].opname != "BINARY_OP" or instructions[at].arg not in _DIVISIONS | _PRODUCTS:
        return None
    if instructions[at].is_jump_target:
        return None
    right = _operand_start(instructions, at)
    left = _operand_start(instructions, right) if right is not None else None
    if right is None or left is None:
        return None
    return (left, right), (right, at)


def _number_operand(
    instructions: list[dis.Instruction], start: int, end: int, f: types.FrameType
) -> tuple[str, tuple[Length, ...]] | None:
    span = instructions[start:end]
    lengths: list[Length] = []
    k = 0
    while k < len(span):
        i = span[k]
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
            if type(f.f_locals.get(i.argval)) not in _PLAIN:
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
    loaded = tuple(f.f_locals.get(i.argval) for i in arg if i.opname in ("LOAD_FAST", "LOAD_DEREF"))
    stack: list[Any] = []
    for i in arg:
        if i.opname in ("LOAD_FAST", "LOAD_DEREF") and i.argval in f.f_locals:
            stack.append(f.f_locals[i.argval])
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
    """``"len"``, ``"float"``, ``"floor"`` or ``"expr"``: see ``operand_lengths``."""
    names = [i.opname for i in span if i.opname not in ("PRECALL", "PUSH_NULL")]
    loads = [i for i in span if i.opname not in ("PRECALL", "PUSH_NULL")]
    if len(loads) == 3 and loads[0].argval == "len" and names[1] in ("LOAD_FAST", "LOAD_DEREF"):
        return "len"
    if len(loads) == 5 and loads[0].argval == "float" and loads[1].argval == "len" and names[4] == "CALL":
        return "float"
    if len(loads) == 6 and loads[0].argval == "max" and loads[5].opname == "CALL" and loads[5].arg == 2:
        inner = [n for n in names[1:5]]
        const = loads[1] if names[1] == "LOAD_CONST" else loads[4] if names[4] == "LOAD_CONST" else None
        if (const is not None and type(const.argval) is int and const.argval <= 1
                and inner.count("LOAD_GLOBAL") == 1 and "CALL" in inner):
            return "floor"
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


def divisor_arithmetic() -> Arithmetic | None:
    """The divisor of the ``a / b`` the caller's code is executing, where ``b`` is Python arithmetic
    with an operator other than ``*`` (``n + 1``, ``n - 1``, ``n // 2``), or a call of the builtin
    ``min`` or of ``max`` other than a floor of at most 1 (``min(n, 3)``, ``max(n, 2)``), over at
    least one number the body computed (a plain-number local, a ``len`` call): on a group alone
    the body computes it from what the group counts, so its value equal to a count of the batch
    is no proof of which one. None for any other divisor (a lone name, a literal, ``len(x)``,
    ``float(len(x))``, ``max(n, 1)``, a product: read as before), another layout or an unchecked
    Python."""
    f = _caller()
    if f is None:
        return None
    instructions, at = _located(f.f_code, f.f_lasti)
    spans = _operand_spans(f.f_code, f.f_lasti)
    if at is None or spans is None or instructions[at].arg not in _DIVISIONS:
        return None
    start, end = spans[1]
    span = instructions[start:end]
    if any(i.is_jump_target for i in span) or not (
            any(i.opname == "BINARY_OP" and i.arg not in _PRODUCTS for i in span) or _bounded(span, f)
            and not (sys.version_info[:2] in _FLOOR_CHECKED and (_floor_at(f.f_code, f.f_lasti) or 2.0) <= 1)):
        return None
    numbers: list[float] = []
    unproven = False
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
            v = f.f_locals.get(i.argval)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                numbers.append(v)
        k += 1
    if not numbers and not unproven:
        return None  # literals and configuration only: a constant of the body
    shift = None
    if len(span) == 3:  # ``n + c``: LOAD_FAST n, LOAD_CONST c, BINARY_OP +
        load, const, plus = span
        value = f.f_locals.get(load.argval) if load.opname in ("LOAD_FAST", "LOAD_DEREF") else None
        if (type(value) is int and const.opname == "LOAD_CONST" and type(const.argval) in (int, float)
                and const.argval >= 0 and plus.arg == 0 and load.opname == "LOAD_FAST"
                and _builtin(f, "len") is len and _stored_from_len(f.f_code, load.argval)):
            shift = (value, float(const.argval))
    return Arithmetic(tuple(numbers), shift, unproven)


def _bounded(span: list[dis.Instruction], f: types.FrameType) -> bool:
    """Whether ``span`` calls the builtin ``min`` or ``max``."""
    return any(i.opname == "LOAD_GLOBAL" and i.argval in ("min", "max") and _builtin(f, i.argval) is getattr(builtins, i.argval)
               for i in span)


@functools.lru_cache(maxsize=256)
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
