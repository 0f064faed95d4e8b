"""LossSplitHook with a real MMEngine Runner (tiny model, CPU)."""

from __future__ import annotations

import glob
import json
import os
import sys
import uuid

import pytest
import torch
from torch.utils.data import DataLoader

pytest.importorskip("mmengine")

from mmengine.model import BaseModel  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from losssplit.integrations.mmengine import LossSplitHook  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _criteria_for_integrations import (  # noqa: E402
    DetrLikeCriterion,
    Recorder,
    assert_close,
    batches,
    reference,
    windows,
)

ITERS, EVERY = 8, 2


class TinyModel(BaseModel):
    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.net = torch.nn.Linear(4, 3)
        self.criterion = DetrLikeCriterion()
        self.rec = Recorder()

    def forward(self, inputs, data_samples=None, mode="tensor"):
        logits = self.net(inputs)
        if mode != "loss":
            return logits
        y = torch.cat([t["labels"] for t in data_samples])
        self.rec.record(logits, y, [t["loss_weight"] for t in data_samples])
        return self.criterion(logits, data_samples)  # {"loss_ce": ...} (+ companions?)


def _collate(items):
    return {"inputs": torch.stack([i["inputs"] for i in items]),
            "data_samples": [i["data_samples"] for i in items]}


def _loader():
    items = []
    for x, y, w in batches(ITERS):
        for i in range(len(y)):
            items.append({"inputs": x[i], "data_samples": {"labels": y[i : i + 1],
                                                           "loss_weight": float(w[i])}})
    return DataLoader(items, batch_size=4, shuffle=False, collate_fn=_collate)


def _run(tmp_path, hooks):
    model = TinyModel()
    runner = Runner(
        model=model, work_dir=str(tmp_path), experiment_name=f"ls{uuid.uuid4().hex}",
        train_dataloader=_loader(),
        train_cfg=dict(by_epoch=False, max_iters=ITERS, val_interval=10**6),
        optim_wrapper=dict(optimizer=dict(type="SGD", lr=0.5)),
        default_hooks=dict(logger=dict(type="LoggerHook", interval=EVERY), checkpoint=None),
        custom_hooks=hooks,
        visualizer=dict(type="Visualizer", vis_backends=[dict(type="LocalVisBackend")],
                        name=f"vis{uuid.uuid4().hex}"),
        log_processor=dict(by_epoch=False),  # default window_size=10 over *loss* keys
    )
    runner.train()
    return model


@pytest.mark.parametrize("hook", [LossSplitHook, lambda: dict(type="LossSplitHook")],
                         ids=["instance", "config"])
def test_scalars_json_holds_exact_window_values(tmp_path, hook):
    model = _run(tmp_path, [hook()])
    (path,) = glob.glob(str(tmp_path / "**" / "vis_data" / "scalars.json"), recursive=True)
    rows = [json.loads(line) for line in open(path)]
    logged = [r for r in rows if "loss_ce_real" in r]
    wins = windows(model.rec.calls, EVERY)
    assert len(logged) == len(wins) == ITERS // EVERY
    for row, win in zip(logged, wins, strict=True):
        assert_close({k: v for k, v in row.items() if k.startswith("loss_ce_")}, reference(win))
        # parse_losses summed only the training loss: ``loss`` equals ``loss_ce``
        assert row["loss"] == pytest.approx(row["loss_ce"], rel=1e-6)


def test_training_identical_with_hook_and_without_companions(tmp_path):
    import losssplit

    with_hook = _run(tmp_path / "a", [LossSplitHook()])
    losssplit.set_enabled(False)
    try:
        undecorated = _run(tmp_path / "b", [])
    finally:
        losssplit.set_enabled(True)
    for a, b in zip(with_hook.parameters(), undecorated.parameters(), strict=True):
        assert torch.equal(a, b)
