"""torch's own functions under torch's names while losssplit is imported.

Libraries rebind torch's names to wrappers of their own (torch_geometric, at import, binds
``torch.index_select`` and ``torch.select`` to Python functions that call torch's). The capture's
tables name ops by their bindings when losssplit is imported (``@rule(torch.index_select)``), while
the mode receives the function that runs: torch's own where the wrapper calls it, the wrapper
itself only where torch dispatches by the name (a rebound ``Tensor`` method or
``torch.nn.functional`` function). So losssplit's modules are imported with torch's names bound
to torch's own functions, each library's binding put back right after: the tables hold torch's
ops only, a rule follows an op when torch's own op runs, and a wrapper the mode receives itself
has no rule (whatever it changes, it is not taken for torch's op).
"""

from __future__ import annotations

import contextlib
import functools
import os
import types
from collections.abc import Iterator
from typing import Any

import torch
import torch.nn.functional as F

_ROOT = os.path.dirname(torch.__file__) + os.sep
_FUNCTIONS = (types.FunctionType, types.BuiltinFunctionType, types.MethodDescriptorType, types.WrapperDescriptorType,
              types.MethodWrapperType, types.ClassMethodDescriptorType)
# the namespaces read, each with where torch keeps its own function of a public name when a library
# rebound the name without ``__wrapped__`` (in torch 2.13 every public name of ``torch`` found in
# ``_VariableFunctions`` is that function or ``torch.functional``'s). Other names so rebound get a
# stand-in: torch dispatches a ``Tensor`` method or a Python function of ``torch.nn.functional`` by its
# name, so the mode receives the wrapper itself there, never torch's own
_ORIGINS: tuple[tuple[Any, tuple[Any, ...]], ...] = (
    (torch, (torch.functional, torch._C._VariableFunctions)),
    (torch.Tensor, ()),
    (F, ()),
    (torch.special, ()),
    (torch.linalg, ()),
    (torch.fft, ()),
)


def torch_defined(obj: Any) -> bool:
    """Whether ``obj`` (a function or method) is defined by torch (not a wrapper from elsewhere)."""
    code = getattr(obj, "__code__", None)
    if code is not None:  # ``functools.wraps`` copies ``__module__``, never the code
        return bool(code.co_filename.startswith(_ROOT))
    # a builtin's module; a method's, or a property getter's (``Tensor.shape.__get__``), class's
    owner = getattr(getattr(obj, "__self__", None), "__objclass__", None) or getattr(obj, "__objclass__", None)
    module = getattr(obj, "__module__", None) or getattr(owner, "__module__", None) or ""
    return bool(module == "torch" or module.startswith("torch."))


def torch_own(obj: Any, name: str, origins: tuple[Any, ...] = ()) -> Any:
    """torch's own function behind ``obj`` bound at ``name``: the first torch-defined function
    ``__wrapped__`` leads to, else the one of that name in ``origins``; None where none is found."""
    seen = obj
    while seen is not None:
        if isinstance(seen, _FUNCTIONS) and torch_defined(seen):
            return seen
        seen = getattr(seen, "__wrapped__", None)
    for origin in origins:
        own = getattr(origin, name, None)
        if own is not None and isinstance(own, _FUNCTIONS) and torch_defined(own):
            return own
    return None


def _stand_in(wrapper: Any) -> Any:
    """A new function that calls ``wrapper``: bound while importing where torch's own function is
    not found, so that no table holds the wrapper (an op the mode receives is never taken for it)."""

    @functools.wraps(wrapper)
    def stand_in(*args: Any, **kwargs: Any) -> Any:
        return wrapper(*args, **kwargs)

    return stand_in


def rebound() -> list[tuple[Any, str, Any, Any]]:
    """``(namespace, name, binding, torch's own or a stand-in)`` for each public name of torch's
    namespaces bound to a function torch does not define."""
    found = []
    for namespace, origins in _ORIGINS:
        for name, obj in list(vars(namespace).items()):
            if name.startswith("_") or not isinstance(obj, _FUNCTIONS) or torch_defined(obj):
                continue
            own = torch_own(obj, name, origins)
            if own is None and not isinstance(obj, types.FunctionType) and getattr(obj, "__wrapped__", None) is None:
                continue  # a builtin of another package that torch itself binds (none in torch 2.13)
            found.append((namespace, name, obj, own if own is not None else _stand_in(obj)))
    return found


@contextlib.contextmanager
def torch_own_names() -> Iterator[None]:
    """torch's own functions under the names other libraries rebound, for the ``with`` block (the
    import of losssplit's modules); the libraries' bindings put back after it, where the block
    left them."""
    swapped = rebound()
    for namespace, name, _, own in swapped:
        setattr(namespace, name, own)
    try:
        yield
    finally:
        for namespace, name, binding, own in swapped:
            if vars(namespace).get(name) is own:
                setattr(namespace, name, binding)
