"""Hugging Face ``Trainer``: ``LossSplitCallback`` adds exact window values to ``logs``.

Install: ``pip install transformers`` (and ``accelerate``, which ``Trainer`` needs).

The callback opens ``meter.collect()`` in ``on_step_begin`` and closes it in ``on_step_end`` (one
optimizer step, all its gradient-accumulation micro-batches), so decorated calls inside
``compute_loss`` report to the meter and never reach the model outputs. When the Trainer is about
to log (``control.should_log``, set by ``DefaultFlowCallback``), the callback computes
``sum num / sum den`` since the previous log over all processes (one ``all_reduce``, on every
process) and adds it to the ``logs`` dict of the following ``on_log`` and to
``state.log_history``. Reporting callbacks (TensorBoard, W&B, ...) only see the companions when
this callback runs before them: add it with :meth:`LossSplitCallback.attach`, which places it right
after ``DefaultFlowCallback``; in ``Trainer(callbacks=[...])`` it runs after them.

With ``source=`` (a column of the dataset, e.g. ``"dataset"``), :meth:`attach` needs nothing else
from a stock ``Trainer`` and a Hugging Face model that computes its own loss: the column is kept
through ``remove_unused_columns``, the trainer's data collator is wrapped to take it out of each
example and pass it along as a plain list (strings never reach the default collator), a forward
pre-hook on the model takes that list out of the model's inputs and gives it to the decorated
calls of that forward, and ``model.loss_function`` is decorated (``name="loss"``), so the
companions ``loss_{source}`` of the model's own loss reach the logs. Forwards in eval mode report
to a second meter whose exact value over the whole evaluation (and every process) is added to
``trainer.evaluate()``'s metrics and logs as ``eval_loss_{source}`` (``{prefix}_...``). HF's own
``eval_loss`` is the mean of per-batch losses; ``eval_loss_{source}`` is the exact token mean.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

import torch
from transformers import DefaultFlowCallback, TrainerCallback

from .._context import TokenLabels, sources
from .._decorator import split_by_source
from .._errors import LossSplitError
from .._tokens import ids_from_positions
from ..aggregate import SplitMeter
from ._common import Collecting, check_name_format, new_meter, window_values

logger = logging.getLogger("losssplit")
_BATCH_KEY = "losssplit_sources"  # the per-example labels in a collated batch (a plain list)

__all__ = ["LossSplitCallback"]


class LossSplitCallback(TrainerCallback):
    """Add exact companion values of decorated criteria to the ``Trainer``'s logs.

    Args:
        source: the dataset column holding each example's source (e.g. ``"dataset"``); with it,
            :meth:`attach` splits the model's own loss (see the module docstring). Without it,
            only decorated criteria the user calls (in ``compute_loss`` or ``forward``) report.
        name_format: logged name per companion, from ``{name}`` (e.g. ``loss_ce_real``),
            ``{key}`` and ``{group}``; ``"{key}/{group}"`` groups them in TensorBoard.
        meter: the ``SplitMeter`` to use for training (default: a new one).

    Example:
        >>> from losssplit.integrations.transformers import LossSplitCallback
        >>> trainer = Trainer(model=model, args=args, train_dataset=ds)  # doctest: +SKIP
        >>> LossSplitCallback(source="dataset").attach(trainer)  # doctest: +SKIP
        >>> trainer.train()  # doctest: +SKIP
    """

    def __init__(
        self, *, source: str | None = None, name_format: str = "{name}", meter: SplitMeter | None = None
    ) -> None:
        if source is not None and (not isinstance(source, str) or not source):
            raise TypeError(f"LossSplitCallback(source=...): expected a column name (str), got {source!r}")
        self.source = source
        self.name_format = check_name_format(name_format, "LossSplitCallback")
        self.meter = new_meter(meter)
        self.eval_meter = SplitMeter()
        self._collecting = Collecting(self.meter)
        self._pending: dict[str, float] | None = None
        self._pending_step = -1
        self._local = threading.local()  # per thread: the open forwards' contexts (a stack)
        self._warned = False

    def attach(self, trainer: Any) -> LossSplitCallback:
        """Register with ``trainer`` before its reporting callbacks; returns ``self``."""
        callbacks = trainer.callback_handler.callbacks
        if self in callbacks:
            callbacks.remove(self)
        at = next(
            (i + 1 for i, cb in enumerate(callbacks) if isinstance(cb, DefaultFlowCallback)), 0
        )
        callbacks.insert(at, self)
        if self.source is not None:
            self._hook_into(trainer, self.source)
        return self

    def _hook_into(self, trainer: Any, column: str) -> None:
        """Carry the source column from the dataset to the model's own loss (idempotent)."""
        if trainer.args.remove_unused_columns:
            keep = getattr(trainer, "_set_signature_columns_if_needed", None)
            if not callable(keep):
                raise LossSplitError(
                    f"LossSplitCallback(source={column!r}): this transformers version keeps dataset "
                    "columns by the model's signature only; set remove_unused_columns=False"
                )
            keep()
            if column not in trainer._signature_columns:
                trainer._signature_columns.append(column)
        if not isinstance(trainer.data_collator, _SourceCollator):
            trainer.data_collator = _SourceCollator(trainer.data_collator, column)
        model = trainer.model
        if getattr(model, "_losssplit_hooked", None) is not self:
            model.register_forward_pre_hook(self._forward_begins, with_kwargs=True)
            model.register_forward_hook(self._forward_ends, always_call=True)
            model._losssplit_hooked = self
        loss_function = getattr(model, "loss_function", None)
        if callable(loss_function) and not hasattr(loss_function, "_self_splitter"):
            model.loss_function = split_by_source(loss_function, name="loss")

    def _forward_begins(self, module: Any, args: tuple, kwargs: dict[str, Any]) -> tuple[tuple, dict[str, Any]]:
        labels = kwargs.pop(_BATCH_KEY, None)
        stack = None
        rows = next((v.shape[0] for v in kwargs.values() if isinstance(v, torch.Tensor) and v.dim()), None)
        if labels is not None and rows is not None and rows != len(labels):
            if not self._warned:  # e.g. DataParallel, whose replicas get a part of the rows each
                self._warned = True
                logger.warning(
                    "losssplit: %d source labels for a forward of %d rows (%s); not split",
                    len(labels), rows, type(module).__name__,
                )
        elif labels is not None:
            stack = contextlib.ExitStack()
            if isinstance(labels, TokenLabels):
                stack.enter_context(sources(labels.ids, names=labels.names))
            else:
                stack.enter_context(sources(labels))
            stack.enter_context((self.meter if module.training else self.eval_meter).collect())
        self._open_forwards().append(stack)
        return args, kwargs

    def _forward_ends(self, module: Any, args: tuple, output: Any) -> None:
        forwards = self._open_forwards()
        stack = forwards.pop() if forwards else None
        if stack is not None:
            stack.close()

    def _open_forwards(self) -> list[contextlib.ExitStack | None]:
        forwards = getattr(self._local, "forwards", None)
        if forwards is None:
            forwards = self._local.forwards = []
        return forwards

    def __getstate__(self) -> dict[str, Any]:  # deep copies and pickles (the thread-local is not)
        state = self.__dict__.copy()
        state["_local"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._local = threading.local()

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._collecting.close()
        self.meter.reset()
        self._pending = None

    def on_step_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._collecting.open()

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._collecting.close()
        self._take_window(state, control)

    def on_epoch_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._take_window(state, control)

    def on_log(
        self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if logs is not None and self.source is not None:
            self._add_eval_values(state, logs)
        if logs is None or self._pending is None or "loss" not in logs:
            return
        if state.global_step != self._pending_step:
            return
        values, self._pending = self._pending, None
        logs.update(values)
        history = state.log_history
        if history and history[-1].get("step") == state.global_step and "loss" in history[-1]:
            history[-1].update(values)

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._collecting.close()

    def on_predict(self, args: Any, state: Any, control: Any, metrics: Any = None, **kwargs: Any) -> None:
        self.eval_meter.reset()  # ``predict()`` runs eval-mode forwards too; they are no evaluation

    def _add_eval_values(self, state: Any, logs: dict[str, Any]) -> None:
        """``evaluate()`` logs ``{prefix}_loss`` and ``{prefix}_runtime`` on every process: add the
        whole evaluation's exact values (a collective, so decided from the logs alone)."""
        prefixes = [k[: -len("_runtime")] for k in logs if k.endswith("_runtime") and k != "train_runtime"]
        prefixes = [p for p in prefixes if f"{p}_loss" in logs]
        if len(prefixes) != 1:
            return
        values = {f"{prefixes[0]}_{k}": v for k, v in window_values(self.eval_meter, self.name_format).items()}
        logs.update(values)
        history = state.log_history
        if values and history and f"{prefixes[0]}_loss" in history[-1]:
            history[-1].update(values)

    def _take_window(self, state: Any, control: Any) -> None:
        if not control.should_log or self._pending_step == state.global_step:
            return
        self._pending_step = state.global_step
        self._pending = window_values(self.meter, self.name_format)  # collective: every rank


class _SourceCollator:
    """Wraps a data collator: takes the source column out of each example (the examples
    themselves are not changed) and puts the labels in the batch as a plain list."""

    def __init__(self, collate: Callable[[list[Any]], Any], column: str) -> None:
        self.collate = collate
        self.column = column

    def __call__(self, features: list[Any]) -> Any:
        have = sum(isinstance(f, Mapping) and self.column in f for f in features)
        if not have:
            return self.collate(features)
        if have < len(features):
            raise LossSplitError(
                f"LossSplitCallback(source={self.column!r}): {len(features) - have} of {len(features)} "
                f"examples in a batch have no {self.column!r} field"
            )
        labels = [_plain(f[self.column]) for f in features]
        batch = self.collate([{k: v for k, v in f.items() if k != self.column} for f in features])
        if isinstance(batch, dict) or hasattr(batch, "data"):
            batch[_BATCH_KEY] = _per_token(batch, labels)
        return batch

    def __getattr__(self, name: str) -> Any:  # ``tokenizer`` etc. of the wrapped collator
        if name in ("collate", "column"):
            raise AttributeError(name)
        return getattr(self.collate, name)


def _per_token(batch: Any, labels: list[Any]) -> list[Any] | TokenLabels:
    """The examples' labels, or, where the collator packed them into fewer rows (such as
    ``DataCollatorWithFlattening``), one source id per token from the rows' ``position_ids``
    (restarting at 0 for each example, in order)."""
    ids = batch.get("input_ids")
    positions = batch.get("position_ids")
    if not isinstance(ids, torch.Tensor) or ids.dim() < 2 or ids.shape[0] == len(labels):
        return labels
    if not isinstance(positions, torch.Tensor) or positions.shape != ids.shape:
        raise LossSplitError(
            f"LossSplitCallback: the data collator packed {len(labels)} examples into {ids.shape[0]} rows "
            "without position_ids restarting at 0 per example; which token is whose cannot be told"
        )
    token_ids, names = ids_from_positions(positions, labels)
    return TokenLabels(token_ids, names)


def _plain(label: Any) -> Any:
    item = getattr(label, "item", None)
    return item() if callable(item) and getattr(label, "ndim", 1) == 0 else label
