"""A Lightning logger that keeps every logged row in memory, for the Lightning tests."""

from __future__ import annotations

import importlib
from typing import Any

try:
    pl: Any = importlib.import_module("lightning.pytorch")
except ImportError:  # the older distribution name
    pl = importlib.import_module("pytorch_lightning")


class MemoryLogger(pl.loggers.Logger):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[int, dict]] = []

    @property
    def name(self) -> str:
        return "memory"

    @property
    def version(self) -> int:
        return 0

    def log_hyperparams(self, params, *args, **kwargs) -> None:
        pass

    def log_metrics(self, metrics, step=None) -> None:
        self.rows.append((step, dict(metrics)))
