"""The MMEngine model and runner of the MMEngine tests. Imported by their fixture, not at
collection: importing MMEngine's runner takes seconds, and only the worker that runs those tests
should pay them."""

from __future__ import annotations

import uuid

import torch
from _criteria_for_integrations import DetrLikeCriterion, Recorder, batches
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import DataLoader

from losssplit.integrations.mmengine import LossSplitHook  # noqa: F401 (for the tests)

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


def run(tmp_path, hooks):
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
