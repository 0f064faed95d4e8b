"""On CPython 3.12 the body's instructions are read in 3.11's layout (``_bytecode._as_311``,
``_joined``): the listings below are what 3.11 lays out for these bodies, jump targets marked.
Comprehensions (PEP 709 inlines them on 3.12) are not laid out as 3.11's yet: none here. On any
other interpreter there is nothing to compare."""

import dis
import sys
import types

import pytest
from _bytecode_samples import Child, calls_and_methods, copied_arm, loops

from losssplit._capture import _bytecode

pytestmark = pytest.mark.skipif(sys.version_info[:2] != (3, 12), reason="the layout read on CPython 3.12")

# what 3.11 lays out (``_bytecode._instructions`` on 3.11; ``>>``: a jump target)
LAID_OUT_311 = [('calls_and_methods',
  ['RESUME', 'LOAD_GLOBAL', 'LOAD_GLOBAL', 'LOAD_FAST', 'PRECALL', 'CALL', 'LOAD_CONST', 'PRECALL', 'CALL',
   'STORE_FAST', 'LOAD_FAST', 'LOAD_CONST', 'BINARY_SUBSCR', 'LOAD_CONST', 'LOAD_CONST', 'LOAD_CONST', 'BUILD_SLICE',
   'BUILD_TUPLE', 'BINARY_SUBSCR', 'LOAD_METHOD', 'LOAD_CONST', 'KW_NAMES', 'PRECALL', 'CALL', 'LOAD_CONST',
   'BINARY_OP', 'STORE_FAST', 'LOAD_CONST', 'LOAD_FAST', 'LOAD_CONST', 'BINARY_SUBSCR', 'LOAD_CONST', 'LOAD_CONST',
   'BUILD_SLICE', 'STORE_SUBSCR', 'LOAD_GLOBAL', 'LOAD_FAST', 'PRECALL', 'CALL', 'LOAD_CONST', 'COMPARE_OP',
   'POP_JUMP_FORWARD_IF_FALSE', 'LOAD_FAST', 'LOAD_CONST', 'COMPARE_OP', 'POP_JUMP_FORWARD_IF_FALSE', 'LOAD_CONST',
   'RETURN_VALUE', '>>LOAD_FAST', 'UNARY_POSITIVE', 'STORE_FAST', 'LOAD_FAST', 'LOAD_FAST', 'LOAD_CONST',
   'COMPARE_OP', 'POP_JUMP_FORWARD_IF_FALSE', 'LOAD_CONST', 'JUMP_FORWARD', '>>LOAD_CONST', '>>BINARY_OP',
   'LOAD_FAST', 'BINARY_OP', 'LOAD_FAST', 'JUMP_IF_TRUE_OR_POP', 'LOAD_CONST', '>>LOAD_CONST', 'BUILD_CONST_KEY_MAP',
   'RETURN_VALUE']),
 ('loops',
  ['RESUME', 'LOAD_CONST', 'STORE_FAST', 'LOAD_FAST', 'GET_ITER', '>>FOR_ITER', 'STORE_FAST', 'LOAD_FAST',
   'POP_JUMP_FORWARD_IF_NOT_NONE', 'JUMP_BACKWARD', '>>LOAD_GLOBAL', 'LOAD_FAST', 'PRECALL', 'CALL', 'LOAD_CONST',
   'COMPARE_OP', 'POP_JUMP_FORWARD_IF_FALSE', 'LOAD_FAST', 'LOAD_GLOBAL', 'LOAD_FAST', 'PRECALL', 'CALL', 'BINARY_OP',
   'STORE_FAST', '>>JUMP_BACKWARD', '>>LOAD_FAST', 'GET_ITER', '>>FOR_ITER', 'STORE_FAST', 'LOAD_GLOBAL', 'LOAD_FAST',
   'PRECALL', 'CALL', 'LOAD_CONST', 'COMPARE_OP', 'POP_JUMP_FORWARD_IF_TRUE', 'LOAD_ASSERTION_ERROR', 'LOAD_FAST',
   'PRECALL', 'CALL', 'RAISE_VARARGS', '>>JUMP_BACKWARD', '>>LOAD_FAST', 'LOAD_CONST', 'COMPARE_OP',
   'POP_JUMP_FORWARD_IF_FALSE', '>>LOAD_FAST', 'LOAD_CONST', 'BINARY_OP', 'STORE_FAST', 'LOAD_FAST', 'LOAD_CONST',
   'COMPARE_OP', 'POP_JUMP_BACKWARD_IF_TRUE', '>>LOAD_FAST', 'LOAD_GLOBAL', 'LOAD_CONST', 'MAKE_FUNCTION',
   'LOAD_FAST', 'GET_ITER', 'PRECALL', 'CALL', 'PRECALL', 'CALL', 'BUILD_TUPLE', 'RETURN_VALUE']),
 ('<genexpr>',
  ['RETURN_GENERATOR', 'POP_TOP', 'RESUME', 'LOAD_FAST', '>>FOR_ITER', 'STORE_FAST', 'LOAD_GLOBAL', 'LOAD_FAST',
   'PRECALL', 'CALL', 'YIELD_VALUE', 'RESUME', 'POP_TOP', 'JUMP_BACKWARD', '>>LOAD_CONST', 'RETURN_VALUE']),
 ('forward',
  ['COPY_FREE_VARS', 'RESUME', 'LOAD_GLOBAL', 'PRECALL', 'CALL', 'LOAD_METHOD', 'LOAD_FAST', 'PRECALL', 'CALL',
   'LOAD_CONST', 'BINARY_OP', 'RETURN_VALUE']),
 ('copied_arm',
  ['RESUME', 'LOAD_CONST', 'LOAD_FAST', 'LOAD_FAST', 'LOAD_CONST', 'COMPARE_OP', 'POP_JUMP_FORWARD_IF_FALSE',
   'LOAD_CONST', 'JUMP_FORWARD', '>>LOAD_CONST', '>>BINARY_OP', 'BUILD_MAP', 'RETURN_VALUE'])]


def _listings() -> list[tuple[str, list[str]]]:
    found = []
    for f in (calls_and_methods, loops, Child.forward, copied_arm):
        for c in (f.__code__, *[k for k in f.__code__.co_consts if isinstance(k, types.CodeType)]):
            found.append((c.co_name, [(">>" if i.is_jump_target else "") + i.opname for i in _bytecode._instructions(c)]))
    return found


def test_the_312_layout_is_read_as_311_lays_it_out():
    assert _listings() == LAID_OUT_311


def test_a_frame_running_a_copied_arm_is_found_on_the_instruction_read_in_its_place():
    code = copied_arm.__code__
    ops = [i for i in dis.get_instructions(code) if i.opname == "BINARY_OP" and i.argrepr == "*"]
    assert len(ops) == 2  # 3.12 copies ``*``, BUILD_MAP and the return into the arm of ``2.0``
    instructions, at = _bytecode._located(code, ops[0].offset)
    assert at is not None and instructions[at].opname == "BINARY_OP" and instructions[at].offset == ops[1].offset
    assert instructions[at].is_jump_target
