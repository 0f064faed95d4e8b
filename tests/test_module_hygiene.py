"""Every module of ``losssplit`` binds each top-level name once (helper rebind46, session 46).

A second binding of a module-level name silently changes every use in a function (they read the
last one) while module-level uses above it read the first: session 45's second ``_ADDS``,
``mode._JOINS`` (six joins, rebound to three: the position and count rules missed
``torch.concatenate`` / ``hstack`` / ``vstack``, silently WRONG) and ``_lengths._SIZE_READS``.
Bindings: assignments (annotated too), ``def``, ``class`` and imports. Alternatives are one binding:
the branches of an ``if`` (``if TYPE_CHECKING: .. else: ..``), a ``try`` body and its ``except``
fallbacks (``except ImportError: _pl = ..``); ``typing.overload`` stubs are no binding."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "losssplit"


def _targets(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, (ast.Tuple, ast.List)):
        return [n for e in node.elts for n in _targets(e)]
    return _targets(node.value) if isinstance(node, ast.Starred) else []


def _overload(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "overload" or isinstance(d, ast.Attribute) and d.attr == "overload"
               for d in node.decorator_list)


def _alternatives(*bodies: list[ast.stmt]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for body in bodies:
        counts |= bindings(body)  # (the most of either: one runs)
    return counts


def bindings(body: list[ast.stmt]) -> Counter[str]:
    """How many times the statements ``body`` bind each name, one after another."""
    counts: Counter[str] = Counter()
    for node in body:
        if isinstance(node, ast.Assign):
            counts.update(n for t in node.targets for n in _targets(t))
        elif isinstance(node, ast.AnnAssign):
            counts.update(_targets(node.target))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            counts.update([] if _overload(node) else [node.name])
        elif isinstance(node, ast.ClassDef):
            counts.update([node.name])
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            counts.update(a.asname or a.name.split(".")[0] for a in node.names if a.name != "*")
        elif isinstance(node, ast.If):
            counts.update(_alternatives(node.body, node.orelse))
        elif isinstance(node, ast.Try):
            counts.update(_alternatives(node.body, *(h.body for h in node.handlers)))
            counts.update(bindings(node.orelse) + bindings(node.finalbody))
        elif isinstance(node, (ast.For, ast.While, ast.With)):
            counts.update(bindings(node.body))
    return counts


def rebound(source: str) -> dict[str, int]:
    """The top-level names ``source`` binds more than once, and how many times."""
    return {name: n for name, n in bindings(ast.parse(source).body).items() if n > 1}


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_module_binds_each_top_level_name_once(path):
    assert rebound(path.read_text()) == {}


def test_the_modules_are_found():
    assert len(MODULES) > 20 and PACKAGE / "_capture" / "mode.py" in MODULES


@pytest.mark.parametrize("source, names", [
    ("A = 1\ndef f():\n    return A\nA = 2\n", {"A": 2}),
    ("import os\nfrom x import y as os\n", {"os": 2}),
    ("class C: ...\ndef C(): ...\n", {"C": 2}),
    ("x: int = 1\nx, y = 2, 3\n", {"x": 2}),
    ("try:\n    import a as m\nexcept ImportError:\n    m = None\nm = 3\n", {"m": 2}),
    ("if T:\n    A = 1\nelse:\n    A = 2\n", {}),
    ("try:\n    import a as m\nexcept ImportError:\n    import b as m\n", {}),
    ("@overload\ndef f(a: int) -> int: ...\n@typing.overload\ndef f(a: str) -> str: ...\ndef f(a): ...\n", {}),
    ("def f():\n    A = 1\n    A = 2\n", {}),  # (a function's locals: not the module's)
])
def test_rebound_names_are_found(source, names):
    assert rebound(source) == names
