"""LossSplitHook with detectron2's SimpleTrainer, EventStorage and writers.

detectron2 is not on PyPI: these tests run where it is importable and skip elsewhere.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import sys

import pytest
import torch

pytest.importorskip("detectron2.engine")

from detectron2.engine import PeriodicWriter, SimpleTrainer  # noqa: E402
from detectron2.utils.events import CommonMetricPrinter, JSONWriter  # noqa: E402

import losssplit  # noqa: E402
from losssplit.integrations.detectron2 import LossSplitHook  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _criteria_for_integrations import (  # noqa: E402
    DetrLikeCriterion,
    Recorder,
    assert_close,
    batches,
    reference,
    windows,
)

ITERS, PERIOD = 8, 2


class TinyDetector(torch.nn.Module):
    """detectron2-style: takes a list of per-image dicts, returns a dict of losses."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.net = torch.nn.Linear(4, 3)
        self.criterion = DetrLikeCriterion()
        self.rec = Recorder()

    def forward(self, data):
        logits = self.net(torch.stack([d["image"] for d in data]))
        targets = [{"labels": d["label"], "loss_weight": d["loss_weight"]} for d in data]
        self.rec.record(logits, torch.cat([t["labels"] for t in targets]),
                        [t["loss_weight"] for t in targets])
        return self.criterion(logits, targets)


def _loader():
    data = [
        [{"image": x[i], "label": y[i : i + 1], "loss_weight": float(w[i])} for i in range(len(y))]
        for x, y, w in batches(ITERS)
    ]
    return itertools.cycle(data)


def _train(tmp_path, hook_first=True, hook=True):
    model = TinyDetector()
    trainer = SimpleTrainer(model, _loader(), torch.optim.SGD(model.parameters(), lr=0.5))
    writer = PeriodicWriter(
        [JSONWriter(str(tmp_path / "metrics.json"), window_size=PERIOD),
         CommonMetricPrinter(ITERS, window_size=PERIOD)],
        period=PERIOD,
    )
    hooks = [LossSplitHook(period=PERIOD), writer] if hook else [writer]
    trainer.register_hooks(hooks if hook_first else hooks[::-1])
    trainer.train(0, ITERS)
    rows = [json.loads(line) for line in open(tmp_path / "metrics.json")]
    return model, rows


@pytest.mark.parametrize("hook_first", [True, False], ids=["before-writer", "after-writer"])
def test_metrics_json_holds_exact_window_values(tmp_path, caplog, hook_first):
    with caplog.at_level(logging.INFO):
        model, rows = _train(tmp_path, hook_first=hook_first)
    logged = [r for r in rows if "loss_ce_real" in r]
    wins = windows(model.rec.calls, PERIOD)
    assert [r["iteration"] for r in logged] == [PERIOD * (i + 1) - 1 for i in range(len(wins))]
    for row, win in zip(logged, wins, strict=True):
        assert_close({k: v for k, v in row.items() if k.startswith("loss_ce_")}, reference(win))
        # total_loss is the training loss only (companions never entered the summed dict):
        # the median over the window (2 iterations: the mean of the two) of each step's loss_ce
        per_step = [sum(losses) / len(losses) for losses, _ in win]
        assert row["total_loss"] == pytest.approx(sum(per_step) / len(per_step), rel=1e-5)
    # CommonMetricPrinter's median over the window sees exactly one sample: the exact value
    printed = [m for m in caplog.messages if "loss_ce_real" in m]
    assert len(printed) == len(wins)
    for line, win in zip(printed, wins, strict=True):
        value = float(re.search(r"loss_ce_real: ([0-9.e+-]+)", line).group(1))
        assert value == pytest.approx(reference(win)["loss_ce_real"], rel=1e-3)


def test_training_bit_identical(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with_hook, _ = _train(tmp_path / "a")
    losssplit.set_enabled(False)
    try:
        plain, rows = _train(tmp_path / "b", hook=False)
    finally:
        losssplit.set_enabled(True)
    assert not any("loss_ce_real" in r for r in rows)
    for a, b in zip(with_hook.parameters(), plain.parameters(), strict=True):
        assert torch.equal(a, b)
