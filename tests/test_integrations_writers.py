"""TensorBoard, W&B (offline) and metrics.json writers, read back and checked against scratch."""

from __future__ import annotations

import glob
import json
import os
import struct
import sys

import pytest
import torch

import losssplit
from losssplit.aggregate import SplitMeter
from losssplit.integrations.metrics_json import append_metrics_json

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

STEPS, EVERY = 8, 4


def _loop(log):
    """A plain training loop: companions go to the meter, ``log(meter, step)`` every EVERY."""
    torch.manual_seed(0)
    net = torch.nn.Linear(4, 3)
    opt = torch.optim.SGD(net.parameters(), lr=0.5)
    meter, rec = SplitMeter(), Recorder()
    for step, (x, y, w) in enumerate(batches(STEPS), start=1):
        logits = net(x)
        rec.record(logits, y, w.tolist())
        with meter.collect(), losssplit.sources(w.tolist()):
            losses = ce_criterion(logits, y)
        assert list(losses) == ["loss_ce"]
        opt.zero_grad()
        sum(losses.values()).backward()
        opt.step()
        if step % EVERY == 0:
            log(meter, step)
    wins = windows(rec.calls, EVERY)
    # these windows are ones where averaging per-step companions would be visibly wrong
    assert any(abs(mean_of_means(w)[k] - reference(w)[k]) > 1e-3 for w in wins for k in reference(w))
    return wins


def test_tensorboard_tags_grouped_per_loss(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from torch.utils.tensorboard import SummaryWriter

    from losssplit.integrations.tensorboard import log_to_tensorboard

    writer = SummaryWriter(str(tmp_path))
    wins = _loop(lambda meter, step: log_to_tensorboard(meter, writer, step))
    writer.close()
    acc = EventAccumulator(str(tmp_path))
    acc.Reload()
    assert sorted(acc.Tags()["scalars"]) == ["loss_ce/real", "loss_ce/synthetic"]
    for tag in acc.Tags()["scalars"]:
        events = acc.Scalars(tag)
        assert [e.step for e in events] == [EVERY * (i + 1) for i in range(len(wins))]
        for event, win in zip(events, wins, strict=True):
            key, group = tag.split("/")
            # TensorBoard stores float32
            assert event.value == pytest.approx(reference(win)[f"{key}_{group}"], rel=1e-5)


def _wandb_history(run_file: str) -> list[dict]:
    """History rows of an offline ``.wandb`` file (LevelDB-style log of protobuf records)."""
    from wandb.proto import wandb_internal_pb2

    data = open(run_file, "rb").read()
    assert data[:4] == b":W&B"
    pos, block, payload, rows = 7, 32768, b"", []
    while pos + 7 <= len(data):
        left = block - pos % block
        if left < 7:
            pos += left
            continue
        _, length, kind = struct.unpack("<IHB", data[pos : pos + 7])
        chunk = data[pos + 7 : pos + 7 + length]
        pos += 7 + length
        if kind == 0 and length == 0:
            continue
        payload = chunk if kind in (1, 2) else payload + chunk  # FULL/FIRST start anew
        if kind in (1, 4):  # FULL or LAST: a complete record
            record = wandb_internal_pb2.Record()
            record.ParseFromString(payload)
            if record.WhichOneof("record_type") == "history":
                rows.append({
                    item.key or "/".join(item.nested_key): json.loads(item.value_json)
                    for item in record.history.item
                })
    return rows


def test_wandb_offline_run_files(tmp_path, monkeypatch):
    wandb = pytest.importorskip("wandb")
    from losssplit.integrations.wandb import log_to_wandb

    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")
    run = wandb.init(project="losssplit-test", dir=str(tmp_path), mode="offline")
    try:
        wins = _loop(lambda meter, step: log_to_wandb(meter, step, run=run))
    finally:
        run.finish()
        # finish() hands the last records to the wandb-core service, which writes the .wandb
        # file on its own; teardown() returns once that process has exited, its file closed
        wandb.teardown()
    (run_file,) = glob.glob(str(tmp_path / "wandb" / "offline-run-*" / "run-*.wandb"))
    rows = [r for r in _wandb_history(run_file) if "loss_ce/real" in r]
    assert [r["_step"] for r in rows] == [EVERY * (i + 1) for i in range(len(wins))]
    for row, win in zip(rows, wins, strict=True):
        got = {k.replace("/", "_"): v for k, v in row.items() if k.startswith("loss_ce/")}
        assert_close(got, reference(win))


def test_metrics_json_lines(tmp_path):
    path = tmp_path / "metrics.json"
    wins = _loop(lambda meter, step: append_metrics_json(meter, path, step - 1,
                                                         extra={"lr": 0.5, "bad": float("nan")}))
    rows = [json.loads(line) for line in open(path)]
    assert [r["iteration"] for r in rows] == [EVERY * (i + 1) - 1 for i in range(len(wins))]
    for row, win in zip(rows, wins, strict=True):
        assert row["lr"] == 0.5 and "bad" not in row
        assert_close({k: v for k, v in row.items() if k.startswith("loss_ce_")}, reference(win))



def test_writers_take_meter_first_then_destination_then_step():
    import inspect

    from losssplit.integrations.tensorboard import log_to_tensorboard
    from losssplit.integrations.wandb import log_to_wandb

    class Writer:
        def __init__(self):
            self.scalars = []

        def add_scalar(self, tag, value, global_step):
            self.scalars.append((tag, value, global_step))

    for fn in (log_to_tensorboard, log_to_wandb, append_metrics_json):
        names = list(inspect.signature(fn).parameters)
        assert names[0] == "meter" and "step" in names, (fn.__name__, names)
    meter, writer = SplitMeter(), Writer()
    meter.add([losssplit.Companion("loss_ce_real", "loss_ce", "real", 3.0, 4.0)])
    assert log_to_tensorboard(meter, writer, 7) == {"loss_ce/real": 0.75}
    assert writer.scalars == [("loss_ce/real", 0.75, 7)]


def test_writers_reject_bad_formats(tmp_path):
    with pytest.raises(ValueError, match="name_format"):
        append_metrics_json(SplitMeter(), tmp_path / "m.json", 0, name_format="{nope}")
    with pytest.raises(ValueError, match="name_format"):
        append_metrics_json(SplitMeter(), tmp_path / "m.json", 0, name_format="constant")
