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
"""

from __future__ import annotations

from typing import Any

from transformers import DefaultFlowCallback, TrainerCallback

from ..aggregate import SplitMeter
from ._common import Collecting, check_name_format, new_meter, window_values

__all__ = ["LossSplitCallback"]


class LossSplitCallback(TrainerCallback):
    """Add exact companion values of decorated criteria to the ``Trainer``'s logs.

    Args:
        name_format: logged name per companion, from ``{name}`` (e.g. ``loss_ce_real``),
            ``{key}`` and ``{group}``; ``"{key}/{group}"`` groups them in TensorBoard.
        meter: the ``SplitMeter`` to use (default: a new one).

    Example:
        >>> from losssplit.integrations.transformers import LossSplitCallback
        >>> trainer = Trainer(model=model, args=args, train_dataset=ds)  # doctest: +SKIP
        >>> LossSplitCallback().attach(trainer)  # doctest: +SKIP
        >>> trainer.train()  # doctest: +SKIP
    """

    def __init__(self, *, name_format: str = "{name}", meter: SplitMeter | None = None) -> None:
        self.name_format = check_name_format(name_format, "LossSplitCallback")
        self.meter = new_meter(meter)
        self._collecting = Collecting(self.meter)
        self._pending: dict[str, float] | None = None
        self._pending_step = -1

    def attach(self, trainer: Any) -> LossSplitCallback:
        """Register with ``trainer`` before its reporting callbacks; returns ``self``."""
        callbacks = trainer.callback_handler.callbacks
        if self in callbacks:
            callbacks.remove(self)
        at = next(
            (i + 1 for i, cb in enumerate(callbacks) if isinstance(cb, DefaultFlowCallback)), 0
        )
        callbacks.insert(at, self)
        return self

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

    def _take_window(self, state: Any, control: Any) -> None:
        if not control.should_log or self._pending_step == state.global_step:
            return
        self._pending_step = state.global_step
        self._pending = window_values(self.meter, self.name_format)  # collective: every rank
