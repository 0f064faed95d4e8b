"""The Lightning subclasses of the Lightning tests. Imported by their fixtures, not at collection:
importing Lightning takes seconds, and only the worker that runs those tests should pay them."""

from __future__ import annotations

import importlib
import json
import os
from typing import Any

import torch
from _criteria_for_integrations import Recorder, batches, ce_criterion
from torch.utils.data import DataLoader, TensorDataset

import losssplit
from losssplit.integrations.lightning import LossSplitCallback  # noqa: F401 (for the tests)

try:
    pl: Any = importlib.import_module("lightning.pytorch")
except ImportError:  # the older distribution name
    pl = importlib.import_module("pytorch_lightning")


class MemoryLogger(pl.loggers.Logger):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[int, dict]] = []

    @property
    def name(self) -> str:
        return "memory"

    @property
    def version(self) -> int:
        return 0

    def log_hyperparams(self, params, *args, **kwargs) -> None:
        pass

    def log_metrics(self, metrics, step=None) -> None:
        self.rows.append((step, dict(metrics)))


class Tiny(pl.LightningModule):
    """A linear classifier trained on ``steps`` batches of 4 from ``batches``; the decorated
    criterion's inputs are recorded for the references."""

    def __init__(self, steps: int, decorated: bool = True) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.net = torch.nn.Linear(4, 3)
        self.rec = Recorder()
        self.steps = steps
        self.decorated = decorated

    def training_step(self, batch, batch_idx):
        x, y, w = batch
        logits = self.net(x)
        self.rec.record(logits, y, w.tolist())
        if self.decorated:
            with losssplit.sources(w.tolist()):
                losses = ce_criterion(logits, y)
        else:
            losses = {"loss_ce": torch.nn.functional.cross_entropy(logits, y)}
        self.log("train_loss", losses["loss_ce"], on_step=True, on_epoch=False, batch_size=4)
        return losses["loss_ce"]

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.5)

    def train_dataloader(self):
        bs = batches(self.steps)
        data = TensorDataset(*(torch.cat([b[i] for b in bs]) for i in range(3)))
        return DataLoader(data, batch_size=4, shuffle=False)


class RankSkewed(Tiny):
    """Rank 1 only ever sees real rows; each rank writes its rows for the check."""

    def __init__(self, steps: int, outdir: str) -> None:
        super().__init__(steps)
        self.outdir = outdir

    def training_step(self, batch, batch_idx):
        x, y, w = batch
        if self.global_rank == 1:
            w = torch.ones_like(w)
        return super().training_step((x, y, w), batch_idx)

    def on_train_end(self):
        with open(os.path.join(self.outdir, f"rank{self.global_rank}.json"), "w") as f:
            json.dump(self.rec.calls, f)


class BatchRecorder(pl.Callback):
    """What ``measure(model, batch)`` gives on each training batch, taken before the step."""

    def __init__(self, measure) -> None:
        self.measure = measure
        self.calls: list[Any] = []

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
        self.calls.append(self.measure(pl_module.model, batch))
