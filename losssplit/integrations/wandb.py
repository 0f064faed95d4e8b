"""Weights & Biases: exact window values with ``run.log`` (works offline, ``WANDB_MODE=offline``)."""

from __future__ import annotations

import importlib
from typing import Any

from ..aggregate import SplitMeter
from ._common import check_name_format, window_values

__all__ = ["log_to_wandb"]


def log_to_wandb(
    meter: SplitMeter, step: int | None = None, *, run: Any = None,
    name_format: str = "{key}/{group}", commit: bool | None = None, reset: bool = True,
) -> dict[str, float]:
    """Log the meter's exact values (``sum num / sum den``) to a W&B run.

    A collective under ``torch.distributed``: call it on every rank; ranks without a run
    (``wandb.run is None`` and no ``run`` given) compute and reset without logging.

    Args:
        meter: the meter that collected the window.
        step: W&B step to log at (``None``: W&B's own step counter).
        run: the ``wandb`` run (default: ``wandb.run``).
        name_format: key per companion from ``{name}``, ``{key}``, ``{group}``; the default
            ``"{key}/{group}"`` groups ``loss_ce/real`` with ``loss_ce/synthetic`` in one panel.
        commit: passed to ``run.log``.
        reset: start a new window afterwards.

    Returns:
        The ``{key: value}`` logged.

    Example:
        >>> import os, tempfile, wandb  # doctest: +SKIP
        >>> os.environ["WANDB_MODE"] = "offline"  # doctest: +SKIP
        >>> run = wandb.init(project="demo", dir=tempfile.mkdtemp())  # doctest: +SKIP
        >>> log_to_wandb(meter, step=100, run=run)  # doctest: +SKIP
        {'loss_ce/real': 0.75}
    """
    fmt = check_name_format(name_format, "log_to_wandb")
    values = window_values(meter, fmt, reset=reset)
    if run is None:
        run = importlib.import_module("wandb").run
    if run is not None and values:
        run.log(values, step=step, commit=commit)
    return values
