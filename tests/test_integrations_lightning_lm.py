"""examples/lightning_lm.py's LightningModule with LossSplitCallback: sources from the batch, per-source
validation losses logged exactly once per validation epoch, training windows exact as well.

References come from scratch: the model run on each source's rows alone, cross entropy summed
over the source's tokens and divided by their number.
"""

from __future__ import annotations

import importlib

import pytest
import torch
import torch.nn.functional as F
from _criteria_for_integrations import token_means
from conftest import needs_lightning
from lm_mixture_demo import SOURCES, load_sources
from torch.utils.data import DataLoader

pytestmark = needs_lightning

LENGTH, BATCH = 16, 5


@pytest.fixture(scope="module")
def example():
    """examples/lightning_lm.py (it imports Lightning)."""
    return importlib.import_module("lightning_lm")


def per_source(model, batch):
    out = {}
    with torch.no_grad():
        for name in SOURCES:
            rows = [i for i, s in enumerate(batch["source"]) if s == name]
            if rows:
                logits = model(batch["input_ids"][rows])
                ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch["targets"][rows].reshape(-1),
                                     reduction="sum")
                out[name] = (ce.item(), batch["targets"][rows].numel())
    return out


@pytest.fixture(scope="module")
def data(example):
    return example.make_datasets(load_sources(20_000), LENGTH, train_rows=8, val_rows=7, seed=0)


def fit(lit, example, data, callbacks, epochs=2):
    train, val = data
    torch.manual_seed(0)
    module, logger = example.MixtureLM(dim=16, layers=1, heads=2, length=LENGTH), lit.MemoryLogger()
    trainer = lit.pl.Trainer(
        max_epochs=epochs, accelerator="cpu", devices=1, log_every_n_steps=2, logger=logger,
        callbacks=callbacks, enable_checkpointing=False, enable_progress_bar=False,
        enable_model_summary=False, num_sanity_val_steps=2,
    )
    trainer.fit(module, DataLoader(train, batch_size=BATCH), DataLoader(val, batch_size=BATCH))
    return module, logger


def test_validation_losses_per_source_are_exact(lit, example, data):
    recorder = lit.BatchRecorder(per_source)  # per-source (sum, count) of each training batch
    module, logger = fit(lit, example, data, [lit.LossSplitCallback(), recorder])
    val_rows = [m for _, m in logger.rows if any(k.startswith("val_loss_") for k in m)]
    assert len(val_rows) == 2  # one per epoch; the sanity check's batches are not logged
    # the last validation ran on the final weights: recompute it per source from scratch
    val = data[1]
    batch = {
        "input_ids": torch.stack([r[0] for r in val.rows]),
        "targets": torch.stack([r[1] for r in val.rows]),
        "source": [r[2] for r in val.rows],
    }
    want = {f"val_loss_{k}": v for k, v in token_means([per_source(module.model, batch)]).items()}
    got = {k: v for k, v in val_rows[-1].items() if k.startswith("val_loss_")}
    assert set(got) == {f"val_loss_{s}" for s in SOURCES}
    assert got == pytest.approx(want, rel=1e-5)
    # weighed by their tokens, they add up to Lightning's own val_loss (rows of equal length, no
    # ignored targets: its batch-size-weighted mean of batch means is the token mean here)
    tokens = {s: sum(1 for r in val.rows if r[2] == s) * LENGTH for s in SOURCES}
    exact = sum(got[f"val_loss_{s}"] * tokens[s] for s in SOURCES) / sum(tokens.values())
    assert exact == pytest.approx(val_rows[-1]["val_loss"], rel=1e-5)

    # training windows: two optimizer steps per log, exact over both batches
    train_rows = [m for _, m in logger.rows if any(k.startswith("loss_") for k in m)]
    steps_per_epoch = -(-len(data[0]) // BATCH)
    assert len(recorder.calls) == 2 * steps_per_epoch
    first = {k: v for k, v in train_rows[0].items() if k.startswith("loss_")}
    assert first == pytest.approx({f"loss_{k}": v for k, v in token_means(recorder.calls[:2]).items()}, rel=1e-5)


def test_training_is_unchanged_by_the_callback(lit, example, data):
    with_cb, _ = fit(lit, example, data, [lit.LossSplitCallback()], epochs=1)
    without, _ = fit(lit, example, data, [], epochs=1)
    for a, b in zip(with_cb.parameters(), without.parameters(), strict=True):
        assert torch.equal(a, b)


def test_the_example_runs_and_reports_every_source(tmp_path, example):
    metrics = example.main(["--epochs", "1", "--train-rows", "6", "--val-rows", "3", "--max-chars", "20000",
                    "--output-dir", str(tmp_path)])
    assert set(metrics) == {"val_loss", *(f"val_loss_{s}" for s in SOURCES)}
    # 3 held-out rows of 64 bytes per source: the per-source token means average to the whole mean
    assert sum(metrics[f"val_loss_{s}"] for s in SOURCES) / 3 == pytest.approx(metrics["val_loss"], rel=1e-5)
