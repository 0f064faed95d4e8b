"""LossSplitCallback with a real Lightning Trainer on CPU: exact window values are logged."""

from __future__ import annotations

import os
import sys

import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

pl = pytest.importorskip("lightning.pytorch")

import losssplit  # noqa: E402
from losssplit.integrations.lightning import LossSplitCallback  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _criteria_for_integrations import (  # noqa: E402
    Recorder,
    assert_close,
    batches,
    ce_criterion,
    mean_of_means,
    reference,
    windows,
)
from _lightning_logger import MemoryLogger  # noqa: E402

STEPS, EVERY = 8, 2


class Tiny(pl.LightningModule):
    def __init__(self, decorated: bool = True) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.net = torch.nn.Linear(4, 3)
        self.rec = Recorder()
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
        bs = batches(STEPS)
        data = TensorDataset(*(torch.cat([b[i] for b in bs]) for i in range(3)))
        return DataLoader(data, batch_size=4, shuffle=False)


def _fit(callbacks, decorated=True):
    model, logger = Tiny(decorated), MemoryLogger()
    trainer = pl.Trainer(
        max_steps=STEPS, max_epochs=1, log_every_n_steps=EVERY, accelerator="cpu", devices=1,
        logger=logger, callbacks=callbacks, enable_checkpointing=False,
        enable_progress_bar=False, enable_model_summary=False, num_sanity_val_steps=0,
    )
    trainer.fit(model)
    return model, logger


def test_logged_values_are_exact_window_values():
    model, logger = _fit([LossSplitCallback()])
    logged = [m for _, m in logger.rows if any(k.startswith("loss_ce_") for k in m)]
    wins = windows(model.rec.calls, EVERY)
    assert len(logged) == len(wins) == STEPS // EVERY
    for metrics, win in zip(logged, wins, strict=True):
        got = {k: v for k, v in metrics.items() if k.startswith("loss_ce_")}
        assert_close(got, reference(win))
    # the windows are ones where a per-step mean of companions would be wrong
    assert any(
        abs(mean_of_means(w)[k] - reference(w)[k]) > 1e-3 for w in wins for k in reference(w)
    )
    # companions never reached the step output: training identical to the undecorated run
    plain, _ = _fit([], decorated=False)
    for a, b in zip(model.parameters(), plain.parameters(), strict=True):
        assert torch.equal(a, b)


def test_name_format_groups_tags():
    model, logger = _fit([LossSplitCallback(name_format="{key}/{group}")])
    keys = {k for _, m in logger.rows for k in m}
    assert {"loss_ce/real", "loss_ce/synthetic"} <= keys
    assert not any(k.startswith("loss_ce_") for k in keys)


class RankSkewed(Tiny):
    """Rank 1 only ever sees real rows; each rank writes its rows for the check."""

    def __init__(self, outdir: str) -> None:
        super().__init__()
        self.outdir = outdir

    def training_step(self, batch, batch_idx):
        x, y, w = batch
        if self.global_rank == 1:
            w = torch.ones_like(w)
        return super().training_step((x, y, w), batch_idx)

    def on_train_end(self):
        import json

        with open(os.path.join(self.outdir, f"rank{self.global_rank}.json"), "w") as f:
            json.dump(self.rec.calls, f)


def test_ddp_two_cpu_ranks_log_exact_global_values(tmp_path):
    """Two gloo ranks, uneven groups: no hang, rank 0 logs the value of all ranks' rows."""
    import json

    model, logger = RankSkewed(str(tmp_path)), MemoryLogger()
    trainer = pl.Trainer(
        max_steps=4, max_epochs=1, log_every_n_steps=EVERY, accelerator="cpu", devices=2,
        strategy="ddp_fork", logger=logger, callbacks=[LossSplitCallback()],
        enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
        use_distributed_sampler=True,
    )
    trainer.fit(model)
    calls = [json.load(open(tmp_path / f"rank{r}.json")) for r in range(2)]
    assert all(w == 1.0 for _, ws in calls[1] for w in ws)  # rank 1: real only
    # ddp_fork trains in child processes; Lightning hands rank 0's callback_metrics back to
    # the parent: the last logged window, over both ranks' rows
    last = {k: float(v) for k, v in trainer.callback_metrics.items() if k.startswith("loss_ce_")}
    window = [c for r in range(2) for c in calls[r][-EVERY:]]
    assert_close(last, reference(window))
