"""Lightning 2.x: ``LossSplitCallback`` logs exact window values with ``LightningModule.log``.

Install: ``pip install lightning`` (``pytorch_lightning`` works too when ``lightning`` is absent).

The callback opens ``meter.collect()`` in ``on_train_batch_start`` and closes it in
``on_train_batch_end``, so decorated calls inside ``training_step`` report to the meter and the
dict they return (and whatever the step returns) holds training losses only. On the batches where
Lightning sends step metrics to its loggers (every ``log_every_n_steps`` optimizer steps, outside
gradient accumulation) it computes ``sum num / sum den`` over the window and all ranks (one
``all_reduce``, on every rank) and logs it with ``on_step=True, on_epoch=False, sync_dist=False``:
the values are already reduced, every rank logs the same keys (Lightning hangs when keys differ
between ranks), and ``sync_dist``'s unweighted mean of per-rank values never touches them.

Validation: decorated calls inside ``validation_step`` report to a second meter, and at the end of
each validation epoch its exact value over the whole epoch (every batch, every dataloader, every
rank) is logged once with ``on_epoch=True`` as ``val_{name}`` (``val_name_format``), e.g.
``val_loss_web``. The sanity check's batches are computed but not logged.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from ..aggregate import SplitMeter
from ._common import Collecting, check_name_format, new_meter, window_values

try:
    _pl: Any = importlib.import_module("lightning.pytorch")
except ImportError:  # the older distribution name
    _pl = importlib.import_module("pytorch_lightning")

__all__ = ["LossSplitCallback"]


def _should_log(trainer: Any) -> bool:
    """Whether Lightning sends step metrics to its loggers after this batch."""
    fit_loop = trainer.fit_loop
    accumulating = getattr(fit_loop, "_should_accumulate", None)
    if callable(accumulating) and accumulating():
        return False
    connector = getattr(trainer, "_logger_connector", None)
    flag = getattr(connector, "should_update_logs", None)
    if isinstance(flag, bool):
        return flag
    every = int(trainer.log_every_n_steps)
    return every > 0 and (trainer.global_step % every == 0 or bool(trainer.should_stop))


class LossSplitCallback(_pl.Callback):
    """Log exact companion values of decorated criteria from a Lightning ``Trainer``.

    Args:
        name_format: logged name per companion, from ``{name}`` (e.g. ``loss_ce_real``),
            ``{key}`` and ``{group}``; ``"{key}/{group}"`` groups them in TensorBoard.
        prog_bar: also show them in the progress bar.
        meter: the ``SplitMeter`` to use (default: a new one).
        val_name_format: logged name of a validation companion, same fields as ``name_format``.

    Example:
        >>> import lightning as L  # doctest: +SKIP
        >>> from losssplit.integrations.lightning import LossSplitCallback
        >>> trainer = L.Trainer(callbacks=[LossSplitCallback()], log_every_n_steps=10)  # doctest: +SKIP
    """

    def __init__(
        self, *, name_format: str = "{name}", prog_bar: bool = False,
        meter: SplitMeter | None = None, val_name_format: str = "val_{name}",
    ) -> None:
        super().__init__()
        self.name_format = check_name_format(name_format, "LossSplitCallback")
        self.val_name_format = check_name_format(val_name_format, "LossSplitCallback")
        self.prog_bar = prog_bar
        self.meter = new_meter(meter)
        self._collecting = Collecting(self.meter)
        self.val_meter = SplitMeter()
        self._validating = Collecting(self.val_meter)

    def on_train_start(self, trainer: Any, pl_module: Any) -> None:
        self._collecting.close()
        self.meter.reset()

    def on_train_batch_start(self, trainer: Any, pl_module: Any, batch: Any, batch_idx: int) -> None:
        self._collecting.open()

    def on_train_batch_end(
        self, trainer: Any, pl_module: Any, outputs: Any, batch: Any, batch_idx: int
    ) -> None:
        if isinstance(outputs, Mapping):  # the step's own loss dict names renamed calls' companions
            self.meter.update(outputs)
        self._collecting.close()
        if not _should_log(trainer):
            return
        values = window_values(self.meter, self.name_format)  # collective: every rank
        if values:
            pl_module.log_dict(
                values, on_step=True, on_epoch=False, sync_dist=False,
                prog_bar=self.prog_bar, batch_size=1,
            )

    def on_train_end(self, trainer: Any, pl_module: Any) -> None:
        self._collecting.close()

    def on_validation_epoch_start(self, trainer: Any, pl_module: Any) -> None:
        self._validating.close()
        self.val_meter.reset()

    def on_validation_batch_start(
        self, trainer: Any, pl_module: Any, batch: Any, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        self._validating.open()

    def on_validation_batch_end(
        self, trainer: Any, pl_module: Any, outputs: Any, batch: Any, batch_idx: int,
        dataloader_idx: int = 0,
    ) -> None:
        self._validating.close()

    def on_validation_epoch_end(self, trainer: Any, pl_module: Any) -> None:
        self._validating.close()
        values = window_values(self.val_meter, self.val_name_format)  # collective: every rank
        if values and not trainer.sanity_checking:
            pl_module.log_dict(
                values, on_step=False, on_epoch=True, sync_dist=False, prog_bar=self.prog_bar,
                batch_size=1, add_dataloader_idx=False,
            )

    def on_exception(self, trainer: Any, pl_module: Any, exception: BaseException) -> None:
        self._collecting.close()
        self._validating.close()
