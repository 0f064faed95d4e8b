"""LossSplitHook with a real MMEngine Runner (tiny model, CPU)."""

from __future__ import annotations

import glob
import importlib
import importlib.util
import json
import os
import sys

import pytest
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _criteria_for_integrations import assert_close, reference, windows  # noqa: E402

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("mmengine") is None, reason="needs MMEngine"),
    pytest.mark.xdist_group("mmengine"),  # one worker imports MMEngine
]


@pytest.fixture(scope="module")
def mm():
    """tests/_mmengine_classes.py: the model, the runner and LossSplitHook (imports MMEngine)."""
    return importlib.import_module("_mmengine_classes")


@pytest.mark.parametrize("given", ["instance", "config"])
def test_scalars_json_holds_exact_window_values(tmp_path, mm, given):
    model = mm.run(tmp_path, [mm.LossSplitHook() if given == "instance" else dict(type="LossSplitHook")])
    (path,) = glob.glob(str(tmp_path / "**" / "vis_data" / "scalars.json"), recursive=True)
    rows = [json.loads(line) for line in open(path)]
    logged = [r for r in rows if "loss_ce_real" in r]
    wins = windows(model.rec.calls, mm.EVERY)
    assert len(logged) == len(wins) == mm.ITERS // mm.EVERY
    for row, win in zip(logged, wins, strict=True):
        assert_close({k: v for k, v in row.items() if k.startswith("loss_ce_")}, reference(win))
        # parse_losses summed only the training loss: ``loss`` equals ``loss_ce``
        assert row["loss"] == pytest.approx(row["loss_ce"], rel=1e-6)


def test_training_identical_with_hook_and_without_companions(tmp_path, mm):
    import losssplit

    with_hook = mm.run(tmp_path / "a", [mm.LossSplitHook()])
    losssplit.set_enabled(False)
    try:
        undecorated = mm.run(tmp_path / "b", [])
    finally:
        losssplit.set_enabled(True)
    for a, b in zip(with_hook.parameters(), undecorated.parameters(), strict=True):
        assert torch.equal(a, b)
