"""LossSplitCallback with a real Lightning Trainer on CPU: exact window values are logged."""

from __future__ import annotations

import os
import sys

import torch
from conftest import needs_lightning

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _criteria_for_integrations import (  # noqa: E402
    assert_close,
    mean_of_means,
    reference,
    windows,
)

pytestmark = needs_lightning

STEPS, EVERY = 8, 2


def _fit(lit, callbacks, decorated=True):
    model, logger = lit.Tiny(STEPS, decorated), lit.MemoryLogger()
    trainer = lit.pl.Trainer(
        max_steps=STEPS, max_epochs=1, log_every_n_steps=EVERY, accelerator="cpu", devices=1,
        logger=logger, callbacks=callbacks, enable_checkpointing=False,
        enable_progress_bar=False, enable_model_summary=False, num_sanity_val_steps=0,
    )
    trainer.fit(model)
    return model, logger


def test_logged_values_are_exact_window_values(lit):
    model, logger = _fit(lit, [lit.LossSplitCallback()])
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
    plain, _ = _fit(lit, [], decorated=False)
    for a, b in zip(model.parameters(), plain.parameters(), strict=True):
        assert torch.equal(a, b)


def test_name_format_groups_tags(lit):
    model, logger = _fit(lit, [lit.LossSplitCallback(name_format="{key}/{group}")])
    keys = {k for _, m in logger.rows for k in m}
    assert {"loss_ce/real", "loss_ce/synthetic"} <= keys
    assert not any(k.startswith("loss_ce_") for k in keys)


def test_ddp_two_cpu_ranks_log_exact_global_values(tmp_path, lit):
    """Two gloo ranks, uneven groups: no hang, rank 0 logs the value of all ranks' rows."""
    import json

    model, logger = lit.RankSkewed(STEPS, str(tmp_path)), lit.MemoryLogger()
    trainer = lit.pl.Trainer(
        max_steps=4, max_epochs=1, log_every_n_steps=EVERY, accelerator="cpu", devices=2,
        strategy="ddp_fork", logger=logger, callbacks=[lit.LossSplitCallback()],
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
