"""A detectron2-compatible ``metrics.json``: one JSON object per logged iteration, per line."""

from __future__ import annotations

import json
import math
import os
from typing import Any

from ..aggregate import SplitMeter
from ._common import check_name_format, is_main_process, window_values

__all__ = ["append_metrics_json"]


def append_metrics_json(
    meter: SplitMeter, path: str | os.PathLike[str], step: int, *,
    name_format: str = "{name}", extra: dict[str, Any] | None = None, reset: bool = True,
) -> dict[str, float]:
    """Append ``{"iteration": step, <companion>: value, ...}`` as one line to ``path``.

    The same format as detectron2's ``JSONWriter`` (keys sorted, one object per line), so tools
    that read detectron2's ``metrics.json`` (``jq``, pandas ``read_json(lines=True)``) read it.
    A collective under ``torch.distributed``: call it on every rank; only rank 0 writes. Nothing
    is written for a window without companions.

    Args:
        meter: the meter that collected the window.
        path: the JSON-lines file (created if missing; appended to otherwise).
        step: the iteration number of the line (its ``"iteration"`` field).
        name_format: key per companion from ``{name}`` (default, e.g. ``loss_ce_real``),
            ``{key}``, ``{group}``.
        extra: other finite scalars to put on the same line (e.g. ``{"total_loss": 1.2}``).
        reset: start a new window afterwards.

    Returns:
        The companion values written.

    Example:
        >>> import json, os, tempfile, torch
        >>> import losssplit
        >>> criterion = losssplit.split_by_source(lambda pred: {"loss_ce": pred.abs().mean()})
        >>> meter = losssplit.SplitMeter()
        >>> with meter.collect(), losssplit.sources(["real", "real", "sim"]):
        ...     _ = criterion(torch.tensor([[0.5], [1.0], [4.0]], requires_grad=True))
        >>> path = os.path.join(tempfile.mkdtemp(), "metrics.json")
        >>> append_metrics_json(meter, path, step=19)
        {'loss_ce_real': 0.75, 'loss_ce_sim': 4.0}
        >>> [json.loads(line) for line in open(path)]
        [{'iteration': 19, 'loss_ce_real': 0.75, 'loss_ce_sim': 4.0}]
    """
    fmt = check_name_format(name_format, "append_metrics_json")
    values = window_values(meter, fmt, reset=reset)
    if values and is_main_process():
        line: dict[str, Any] = {
            k: float(v) for k, v in (extra or {}).items() if math.isfinite(float(v))
        }
        line.update(values)
        line["iteration"] = int(step)
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, sort_keys=True) + "\n")
    return values
