"""MMEngine: ``LossSplitHook`` puts exact window values into the runner's ``MessageHub``.

Install: ``pip install mmengine``.

``BaseModel.parse_losses`` sums every value whose key contains ``loss``. The hook opens
``meter.collect()`` in ``before_train_iter`` and closes it in ``after_train_iter``, so decorated
calls inside ``train_step`` report to the meter and the loss dict holds training losses only:
``parse_losses`` never sees a companion.

At the iterations where ``LoggerHook`` logs (every ``interval`` inner iterations and at the end of
an epoch; the interval is read from the runner's ``LoggerHook``), the hook computes
``sum num / sum den`` over the window and all ranks (one ``all_reduce``, on every rank) and stores
each value as ``train/<name>`` in the message hub, as a one-entry ``HistoryBuffer``. Its
``priority`` (``NORMAL``) runs it before ``LoggerHook`` (``BELOW_NORMAL``), so the same log line,
``scalars.json`` and every visualizer backend get the value. The one-entry buffer is deliberate:
``LogProcessor`` averages every ``*loss*`` key over its last ``window_size`` *entries*
(``HistoryBuffer.mean``), which over per-window values would be a mean of means; with a single
entry the mean, ``current`` and any other statistic are the exact window value. A companion absent
from the window (no rows of its group on any rank) is removed from the hub rather than shown stale.
"""

from __future__ import annotations

from typing import Any

from mmengine.hooks import Hook, LoggerHook
from mmengine.logging import HistoryBuffer
from mmengine.registry import HOOKS

from ..aggregate import SplitMeter
from ._common import Collecting, check_name_format, new_meter, window_values

__all__ = ["LossSplitHook"]


@HOOKS.register_module()
class LossSplitHook(Hook):
    """Log exact companion values of decorated criteria through MMEngine's ``LoggerHook``.

    Args:
        interval: log every ``interval`` inner iterations; default: the runner's
            ``LoggerHook`` interval (10 if it has none).
        name_format: logged name per companion, from ``{name}`` (e.g. ``loss_ce_real``),
            ``{key}`` and ``{group}``.
        meter: the ``SplitMeter`` to use (default: a new one).

    Example:
        >>> # in a config: custom_hooks = [dict(type="LossSplitHook")]
        >>> import losssplit.integrations.mmengine  # doctest: +SKIP
        >>> from losssplit.integrations.mmengine import LossSplitHook  # doctest: +SKIP
        >>> runner = Runner(model, ..., custom_hooks=[LossSplitHook()])  # doctest: +SKIP
    """

    priority = "NORMAL"

    def __init__(
        self, interval: int | None = None, *, name_format: str = "{name}",
        meter: SplitMeter | None = None,
    ) -> None:
        if interval is not None and (not isinstance(interval, int) or interval < 1):
            raise ValueError(f"LossSplitHook(interval=...): expected an int >= 1, got {interval!r}")
        self.interval = interval
        self.name_format = check_name_format(name_format, "LossSplitHook")
        self.meter = new_meter(meter)
        self._collecting = Collecting(self.meter)
        self._logged: set[str] = set()

    def before_train(self, runner: Any) -> None:
        self._collecting.close()
        self.meter.reset()
        if self.interval is None:
            loggers = [h for h in runner.hooks if isinstance(h, LoggerHook)]
            self.interval = int(loggers[0].interval) if loggers else 10

    def before_train_iter(self, runner: Any, batch_idx: int, data_batch: Any = None) -> None:
        self._collecting.open()

    def after_train_iter(
        self, runner: Any, batch_idx: int, data_batch: Any = None, outputs: Any = None
    ) -> None:
        self._collecting.close()
        interval = self.interval or 10
        if not (
            self.every_n_inner_iters(batch_idx, interval)
            or self.end_of_epoch(runner.train_dataloader, batch_idx)
        ):
            return
        values = window_values(self.meter, self.name_format)  # collective: every rank
        scalars = runner.message_hub.log_scalars
        for name in self._logged - values.keys():
            scalars.pop(f"train/{name}", None)
        for name, value in values.items():
            scalars[f"train/{name}"] = HistoryBuffer([value], [1])
        self._logged = set(values)

    def after_train(self, runner: Any) -> None:
        self._collecting.close()
