"""Context-local state: labels from the loop, where companions go, and the on/off switch."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any

import torch

Sink = Callable[..., None]  # (companions: Sequence[Companion], *, batch: int) -> None
Labels = Sequence[Any] | torch.Tensor

_labels: ContextVar[Labels | None] = ContextVar("losssplit_labels", default=None)
_sink: ContextVar[Sink | None] = ContextVar("losssplit_sink", default=None)
_enabled = True


def enabled() -> bool:
    """Whether decorated calls split at all (API switch and ``LOSSSPLIT_DISABLE``, read per call)."""
    return _enabled and os.environ.get("LOSSSPLIT_DISABLE", "") in ("", "0")


def set_enabled(flag: bool) -> None:
    """Switch every ``split_by_source`` decorator on or off for the whole process.

    Switched off, a decorated call is a plain call of the wrapped function.

    Example:
        >>> import losssplit
        >>> losssplit.set_enabled(False)
        >>> losssplit.set_enabled(True)
    """
    global _enabled
    _enabled = bool(flag)


@contextlib.contextmanager
def sources(labels: Labels) -> Iterator[None]:
    """Give decorated calls inside the block one source label per image (row of the batch).

    For criteria whose arguments carry no source (language-model or classification batches):
    every tensor argument whose first dimension equals ``len(labels)`` is taken as batch-first.

    Args:
        labels: a list, tuple or 1-d tensor with one label per image: numbers (split by
            threshold into ``real`` / ``synthetic``) or strings / ints (one group per label).

    Example:
        >>> import torch, torch.nn.functional as F
        >>> import losssplit
        >>> @losssplit.split_by_source
        ... def criterion(logits, y):
        ...     return {"loss_ce": F.cross_entropy(logits, y)}
        >>> with losssplit.sources(["web", "code", "web"]):
        ...     out = criterion(torch.zeros(3, 4), torch.tensor([0, 1, 2]))
        >>> sorted(out)
        ['loss_ce', 'loss_ce_code', 'loss_ce_web']
    """
    if isinstance(labels, torch.Tensor):
        if labels.dim() != 1:
            raise ValueError(
                f"losssplit.sources(labels): expected one label per image (a 1-d tensor), "
                f"got a tensor of shape {tuple(labels.shape)}"
            )
    elif isinstance(labels, (str, bytes)) or not isinstance(labels, Sequence):
        raise TypeError(
            f"losssplit.sources(labels): expected a list, tuple or 1-d tensor of labels, "
            f"got {type(labels).__name__}"
        )
    token = _labels.set(labels)
    try:
        yield
    finally:
        _labels.reset(token)


def current_labels() -> Labels | None:
    return _labels.get()


@contextlib.contextmanager
def report_to(sink: Sink) -> Iterator[None]:
    """Decorated calls inside the block hand their companions to ``sink`` instead of the dict.

    ``sink`` is called once per decorated call with that call's companions (possibly none) and
    ``batch=``, the same number for calls on the same images (e.g. one call per decoder layer).
    """
    token = _sink.set(sink)
    try:
        yield
    finally:
        _sink.reset(token)


def current_sink() -> Sink | None:
    return _sink.get()
