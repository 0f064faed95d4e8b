"""Every reader of the instruction a user frame is executing goes through ``_bytecode._lasti``.

Through a Python wrapper another package installed in place of a torch function (torch_geometric's
``torch.index_select``), the user frame's ``f_lasti`` sits on the CALL's last inline cache, where
nothing is read: a count, a bound or a fill passed there was missed (silently wrong, session 33).
``_lasti(f)`` returns the CALL's offset there. The merge of session 33 had to mend six new readers
that read ``f.f_lasti`` directly; this test names the only functions allowed to."""

import ast
import pathlib

import losssplit

# the wrapper machinery itself, and the mode's own guards, which compare a frame's position with
# offsets they recorded from ``f_lasti`` in that same frame
ALLOWED = {"_wrapper_call", "_lasti_through_wrappers", "_delegating", "check_guards", "_conditional_step"}


class _Readers(ast.NodeVisitor):
    """The names of the functions of one module that read ``.f_lasti``."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.names: set[str] = set()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == "f_lasti":
            self.names.add(self.stack[-1] if self.stack else "<module>")
        self.generic_visit(node)


def _readers_of_f_lasti() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(pathlib.Path(losssplit.__file__).parent.rglob("*.py")):
        readers = _Readers()
        readers.visit(ast.parse(path.read_text()))
        for name in readers.names:
            found.setdefault(name, set()).add(path.name)
    return found


def test_only_the_wrapper_machinery_reads_f_lasti_directly():
    readers = _readers_of_f_lasti()
    assert set(readers) <= ALLOWED, {k: v for k, v in readers.items() if k not in ALLOWED}


def test_the_check_sees_a_direct_reader():
    """The scan finds the attribute where it is read (else the test above could never fail)."""
    readers = _readers_of_f_lasti()
    assert "_lasti_through_wrappers" in readers and "_wrapper_call" in readers
