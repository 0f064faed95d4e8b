"""Context-local state: labels from the loop, where companions go, and the on/off switch."""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from typing import Any

import torch

Sink = Callable[..., None]  # (companions: Sequence[Companion], *, batch: int) -> None
Labels = Sequence[Any] | torch.Tensor

_labels: ContextVar[Labels | TokenLabels | None] = ContextVar("losssplit_labels", default=None)
_sink: ContextVar[Sink | None] = ContextVar("losssplit_sink", default=None)
_enabled = True


# ``os.environ.get`` costs microseconds (a mapping method, key encoding); the dict behind it is
# what ``os.environ`` and ``putenv`` through it update, so a plain lookup there reads the same.
_ENV_DATA: Any = getattr(os.environ, "_data", None)
_ENV_KEY: Any = getattr(os.environ, "encodekey", lambda key: key)("LOSSSPLIT_DISABLE")
_ENV_ON = (None, b"", b"0") if isinstance(_ENV_KEY, bytes) else (None, "", "0")


def enabled() -> bool:
    """Whether decorated calls split at all (API switch and ``LOSSSPLIT_DISABLE``, read per call)."""
    if not _enabled:
        return False
    if type(_ENV_DATA) is dict:
        return _ENV_DATA.get(_ENV_KEY) in _ENV_ON
    return os.environ.get("LOSSSPLIT_DISABLE", "") in ("", "0")


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


@dataclasses.dataclass(frozen=True)
class TokenLabels:
    """One source id per token: ``ids`` ``[B, T]`` (int), ``names`` id -> group name (or None:
    groups named by the id). Its length is the number of sequences (rows), as for per-row labels."""

    ids: torch.Tensor
    names: Mapping[int, str] | None

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    @property
    def length(self) -> int:
        """T, the tokens per row."""
        return int(self.ids.shape[1])


@contextlib.contextmanager
def sources(labels: Labels, names: Sequence[str] | Mapping[int, str] | None = None) -> Iterator[None]:
    """Give decorated calls inside the block source labels: one per image (row of the batch), or
    one per token.

    For criteria whose arguments carry no source (language-model or classification batches):
    every tensor argument whose first dimension equals the number of rows is taken as batch-first.

    **Per token** (packed rows: several documents, from several sources, in one row): ``labels``
    is a ``[B, T]`` integer tensor of source ids, ``names`` maps an id to its group name (a list
    or tuple indexed by id, or a mapping); without ``names`` groups are named by the id. Ids below
    0 mark tokens of no source (padding), counted in no group. A loss element then belongs to the
    token at its position ``t`` of row ``b`` of the predictions (the input position: with HF's
    shifted labels, the loss at ``t`` predicts token ``t + 1``), and ``{key}_{group}`` is the loss
    over that group's tokens alone (e.g. token cross entropy over its non-ignored tokens). A key
    whose elements' positions cannot be known exactly (a loss over ``logits[:, :-1]``, whose
    positions per row differ from the labels' ``T``; per-row values only) is not split, with one
    warning.

    Args:
        labels: a list, tuple or 1-d tensor with one label per image: numbers (split by
            threshold into ``real`` / ``synthetic``) or strings / ints (one group per label); or
            a ``[B, T]`` integer tensor with one source id per token.
        names: group name per source id (a list or tuple indexed by id, or a mapping id -> name),
            for int ids per token or per image.

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
        >>> @losssplit.split_by_source
        ... def lm_loss(logits, y):
        ...     return {"loss": F.cross_entropy(logits.flatten(0, 1), y.flatten())}
        >>> ids = torch.tensor([[0, 0, 1, 1, 1, 2]])   # one packed row, three sources
        >>> with losssplit.sources(ids, names=["web", "code", "math"]):
        ...     out = lm_loss(torch.zeros(1, 6, 4), torch.zeros(1, 6, dtype=torch.long))
        >>> sorted(out)
        ['loss', 'loss_code', 'loss_math', 'loss_web']
    """
    mapping = _names(names)
    value: Labels | TokenLabels
    if isinstance(labels, torch.Tensor):
        if labels.dim() == 2:
            if labels.is_floating_point() or labels.dtype == torch.bool or labels.is_complex():
                raise TypeError(
                    f"losssplit.sources(labels): expected integer source ids per token (a [B, T] int "
                    f"tensor), got a tensor of dtype {labels.dtype}"
                )
            value = TokenLabels(labels.detach(), mapping)
        elif labels.dim() != 1:
            raise ValueError(
                f"losssplit.sources(labels): expected one label per image (a 1-d tensor) or one per "
                f"token (a [B, T] tensor), got a tensor of shape {tuple(labels.shape)}"
            )
        else:
            value = _named(labels, mapping)
    elif isinstance(labels, (str, bytes)) or not isinstance(labels, Sequence):
        raise TypeError(
            f"losssplit.sources(labels): expected a list, tuple or 1-d tensor of labels, or a [B, T] "
            f"tensor of source ids per token, got {type(labels).__name__}"
        )
    else:
        value = _named(labels, mapping)
    token = _labels.set(value)
    try:
        yield
    finally:
        _labels.reset(token)


def _names(names: Any) -> dict[int, str] | None:
    if names is None:
        return None
    if isinstance(names, Mapping):
        items = list(names.items())
    elif isinstance(names, (list, tuple)):
        items = list(enumerate(names))
    else:
        raise TypeError(
            f"losssplit.sources(names=...): expected a list or tuple of group names (indexed by "
            f"source id) or a mapping id -> name, got {type(names).__name__}"
        )
    for i, name in items:
        if isinstance(i, bool) or not isinstance(i, int) or not isinstance(name, str) or not name:
            raise TypeError(
                f"losssplit.sources(names=...): expected int source ids mapped to non-empty "
                f"str names, got {i!r}: {name!r}"
            )
    return dict(items)


def _named(labels: Sequence[Any] | torch.Tensor, names: dict[int, str] | None) -> Labels:
    """Per-image int ids as their names (``names=`` with one label per image)."""
    if names is None:
        return labels
    values = labels.tolist() if isinstance(labels, torch.Tensor) else [
        v.item() if isinstance(v, torch.Tensor) and v.numel() == 1 else v for v in labels
    ]
    missing = [v for v in values if isinstance(v, bool) or not isinstance(v, int) or v not in names]
    if missing:
        raise ValueError(
            f"losssplit.sources(labels, names=...): expected int source ids that names= maps, "
            f"got {missing[0]!r} (names for ids {sorted(names)})"
        )
    return [names[int(v)] for v in values]


def current_labels() -> Labels | TokenLabels | None:
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
