"""Count host reads (each a device sync on GPU) made while a function runs.

Counts ``Tensor.item``/``tolist``/``__bool__``/``__int__``/``__float__``/``__index__``/``nonzero``/
``numpy`` calls (patched on ``torch.Tensor``, so reads inside losssplit count too) and
boolean-mask indexing seen by a torch function mode (the user's code; losssplit's bookkeeping
mirrors a mask only where the user's code already indexed with it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

_READS = ("item", "tolist", "__bool__", "__int__", "__float__", "__index__", "nonzero", "numpy")


class _MaskIndexing(TorchFunctionMode):
    def __init__(self, counts: dict[str, int]) -> None:
        super().__init__()
        self.counts = counts

    def __torch_function__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        if func is torch.Tensor.__getitem__:
            parts = args[1] if isinstance(args[1], tuple) else (args[1],)
            if any(isinstance(p, torch.Tensor) and p.dtype == torch.bool for p in parts):
                self.counts["n"] += 1
        return func(*args, **(kwargs or {}))


def count_host_reads(fn: Callable[[], Any]) -> tuple[int, Any]:
    """``(host reads, fn's result)``."""
    counts = {"n": 0}
    originals = {name: getattr(torch.Tensor, name) for name in _READS}

    def wrap(original: Any) -> Any:
        def counted(self: torch.Tensor, *args: Any, **kwargs: Any) -> Any:
            counts["n"] += 1
            return original(self, *args, **kwargs)

        return counted

    try:
        for name, original in originals.items():
            setattr(torch.Tensor, name, wrap(original))
        with _MaskIndexing(counts):
            result = fn()
    finally:
        for name, original in originals.items():
            setattr(torch.Tensor, name, original)
    return counts["n"], result
