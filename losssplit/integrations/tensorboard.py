"""TensorBoard: exact window values as scalars tagged ``loss_x/real`` (grouped per loss)."""

from __future__ import annotations

from typing import Any

from ..aggregate import SplitMeter
from ._common import check_name_format, window_values

__all__ = ["log_to_tensorboard"]


def log_to_tensorboard(
    meter: SplitMeter, writer: Any, step: int, *, tag_format: str = "{key}/{group}",
    reset: bool = True,
) -> dict[str, float]:
    """Write the meter's exact values (``sum num / sum den``) with ``writer.add_scalar``.

    A collective under ``torch.distributed``: call it on every rank, passing ``writer=None``
    on ranks that do not write.

    Args:
        meter: the meter that collected the window.
        writer: a ``torch.utils.tensorboard.SummaryWriter`` (or anything with ``add_scalar``),
            or ``None`` to compute (and reset) without writing.
        step: the global step to write at.
        tag_format: tag per companion from ``{name}``, ``{key}``, ``{group}``; the default
            ``"{key}/{group}"`` puts ``loss_ce/real`` and ``loss_ce/synthetic`` in one section.
        reset: start a new window afterwards.

    Returns:
        The ``{tag: value}`` written.

    Example:
        >>> import tempfile, torch
        >>> from torch.utils.tensorboard import SummaryWriter
        >>> import losssplit
        >>> criterion = losssplit.split_by_source(lambda pred: {"loss_ce": pred.abs().mean()})
        >>> meter = losssplit.SplitMeter()
        >>> with meter.collect(), losssplit.sources(["real", "real", "sim"]):
        ...     _ = criterion(torch.tensor([[0.5], [1.0], [4.0]], requires_grad=True))
        >>> with tempfile.TemporaryDirectory() as logdir:
        ...     writer = SummaryWriter(logdir)
        ...     log_to_tensorboard(meter, writer, step=10)
        ...     writer.close()
        {'loss_ce/real': 0.75, 'loss_ce/sim': 4.0}
    """
    fmt = check_name_format(tag_format, "log_to_tensorboard")
    values = window_values(meter, fmt, reset=reset)
    if writer is not None:
        for tag, value in values.items():
            writer.add_scalar(tag, value, global_step=step)
    return values
