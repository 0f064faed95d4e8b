"""detectron2: ``LossSplitHook`` puts exact window values into ``EventStorage``.

Install: detectron2 from its repository (it is not on PyPI).

How the training loss stays untouched. ``SimpleTrainer.run_step`` (and ``AMPTrainer``) computes
``losses = sum(loss_dict.values())`` and logs ``total_loss`` as the sum of every dict value,
checking it for NaN/Inf. The hook opens ``meter.collect()`` in ``before_step`` and closes it in
``after_backward`` (falling back to ``after_step`` for trainers that never call it), so every
decorated call inside ``run_step`` reports its companions to the meter and returns a dict with the
training losses only: the summed loss, its gradients, the logged ``total_loss`` and the
``FloatingPointError`` check see exactly what they would see undecorated.

How values are logged. Every ``period`` iterations (and at the last one) the hook calls
``SplitMeter.compute_records()`` on every rank (one ``all_reduce``), resets the meter and calls
``storage.put_scalars(..., smoothing_hint=False)`` at the current iteration. With
``smoothing_hint=False`` ``JSONWriter`` and ``TensorboardXWriter`` write the value as put, and
``CommonMetricPrinter``'s median over the last ``window_size`` iterations sees a single sample when
``period`` equals that window (20 by default, as ``PeriodicWriter``'s period): the logged number is
``sum num / sum den`` over the window and all GPUs, never a median of per-iteration values or a
mean of per-rank values. Values are put in ``after_backward``, i.e. before any ``after_step`` hook,
so ``PeriodicWriter`` writes them at the same iteration wherever this hook is registered.
"""

from __future__ import annotations

from typing import Any

from detectron2.engine import HookBase
from detectron2.utils.events import get_event_storage

from ..aggregate import SplitMeter
from ._common import Collecting, check_name_format, new_meter, window_values

__all__ = ["LossSplitHook"]


class LossSplitHook(HookBase):
    """Log exact companion values of decorated criteria to detectron2's ``EventStorage``.

    Args:
        period: log every ``period`` iterations; keep it equal to ``PeriodicWriter``'s period
            and the writers' ``window_size`` (both 20 in ``DefaultTrainer``).
        name_format: storage key per companion, from ``{name}`` (the dict key the decorator
            would have added, e.g. ``loss_bbox_real``), ``{key}`` and ``{group}``;
            ``"{key}/{group}"`` groups them in TensorBoard.
        meter: the ``SplitMeter`` to use (default: a new one), e.g. to read it elsewhere.

    Example:
        >>> from losssplit.integrations.detectron2 import LossSplitHook  # doctest: +SKIP
        >>> trainer = DefaultTrainer(cfg)  # doctest: +SKIP
        >>> trainer.register_hooks([LossSplitHook(period=cfg.TEST.get("LOG_PERIOD", 20))])  # doctest: +SKIP
        >>> trainer.train()  # doctest: +SKIP
    """

    def __init__(
        self, period: int = 20, *, name_format: str = "{name}", meter: SplitMeter | None = None
    ) -> None:
        if not isinstance(period, int) or period < 1:
            raise ValueError(f"LossSplitHook(period=...): expected an int >= 1, got {period!r}")
        self.period = period
        self.name_format = check_name_format(name_format, "LossSplitHook")
        self.meter = new_meter(meter)
        self._collecting = Collecting(self.meter)
        self._done_iter: int | None = None

    def before_train(self) -> None:
        self._collecting.close()
        self.meter.reset()
        self._done_iter = None

    def before_step(self) -> None:
        self._collecting.open()

    def after_backward(self) -> None:
        self._collecting.close()
        self._log_if_due()

    def after_step(self) -> None:
        self._collecting.close()
        self._log_if_due()

    def after_train(self) -> None:
        self._collecting.close()

    def _log_if_due(self) -> None:
        trainer: Any = self.trainer
        it = int(trainer.iter)
        if self._done_iter == it:
            return
        self._done_iter = it
        if (it + 1) % self.period != 0 and it != trainer.max_iter - 1:
            return
        values = window_values(self.meter, self.name_format)  # collective: every rank
        if values:
            get_event_storage().put_scalars(smoothing_hint=False, cur_iter=it, **values)
