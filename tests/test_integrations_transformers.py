"""LossSplitCallback with a real transformers.Trainer (tiny BERT from a config, CPU)."""

from __future__ import annotations

import glob
import os
import sys

import pytest
import torch

transformers = pytest.importorskip("transformers")
pytest.importorskip("accelerate")

import losssplit  # noqa: E402
from losssplit.integrations.transformers import LossSplitCallback  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _criteria_for_integrations import (  # noqa: E402
    WEIGHTS,
    Recorder,
    assert_close,
    ce_criterion,
    reference,
    windows,
)

STEPS, EVERY, BATCH = 6, 2, 4


class TinyClassifier(torch.nn.Module):
    """A 1-layer BERT built from a config; its criterion is decorated."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        cfg = transformers.BertConfig(
            vocab_size=32, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
            intermediate_size=16, max_position_embeddings=16, hidden_dropout_prob=0.0,
            attention_probs_dropout_prob=0.0,
        )
        self.bert = transformers.BertModel(cfg)
        self.head = torch.nn.Linear(16, 3)
        self.rec = Recorder()

    def forward(self, input_ids, labels, loss_weight):
        logits = self.head(self.bert(input_ids=input_ids).last_hidden_state[:, 0])
        weights = loss_weight.tolist()
        self.rec.record(logits, labels, weights)
        with losssplit.sources(weights):
            losses = ce_criterion(logits, labels)
        return {"loss": losses["loss_ce"], "logits": logits}


def _dataset():
    g = torch.Generator().manual_seed(1)
    rows = []
    for step in range(STEPS):
        for i in range(BATCH):
            rows.append({
                "input_ids": torch.randint(0, 32, (8,), generator=g),
                "labels": int(torch.randint(0, 3, (1,), generator=g)),
                "loss_weight": WEIGHTS[step][i],
            })
    return rows


def _train(tmp_path, report_to):
    model = TinyClassifier()
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path), max_steps=STEPS, logging_steps=EVERY,
        per_device_train_batch_size=BATCH, learning_rate=1e-2, save_strategy="no",
        report_to=report_to, use_cpu=True, disable_tqdm=True, dataloader_num_workers=0,
        remove_unused_columns=False,
    )
    trainer = transformers.Trainer(model=model, args=args, train_dataset=_dataset())
    callback = LossSplitCallback().attach(trainer)
    trainer.train()
    return model, trainer, callback


def test_logs_hold_exact_window_values(tmp_path):
    model, trainer, _ = _train(tmp_path, report_to=["tensorboard"])
    logged = [h for h in trainer.state.log_history if "loss" in h]
    wins = windows(model.rec.calls, EVERY)  # forwards in training order, EVERY per log
    assert len(logged) == len(wins) == STEPS // EVERY
    for entry, win in zip(logged, wins, strict=True):
        got = {k: v for k, v in entry.items() if k.startswith("loss_ce_")}
        assert_close(got, reference(win))
    # TensorBoardCallback (a reporting callback) saw them: attach() put us before it
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    files = glob.glob(str(tmp_path / "**" / "events.out.tfevents.*"), recursive=True)
    assert files
    tags: dict[str, list[tuple[int, float]]] = {}
    for f in files:
        acc = EventAccumulator(f)
        acc.Reload()
        for tag in acc.Tags()["scalars"]:
            tags.setdefault(tag, []).extend((e.step, e.value) for e in acc.Scalars(tag))
    real = sorted(tags["train/loss_ce_real"])
    assert [s for s, _ in real] == [EVERY * (i + 1) for i in range(len(wins))]
    for (_, value), win in zip(real, wins, strict=True):
        assert value == pytest.approx(reference(win)["loss_ce_real"], rel=1e-5)


def test_training_is_unchanged_by_the_callback(tmp_path):
    model, _, _ = _train(tmp_path, report_to=[])
    plain = TinyClassifier()
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path / "plain"), max_steps=STEPS, logging_steps=EVERY,
        per_device_train_batch_size=BATCH, learning_rate=1e-2, save_strategy="no",
        report_to=[], use_cpu=True, disable_tqdm=True, remove_unused_columns=False,
    )
    transformers.Trainer(model=plain, args=args, train_dataset=_dataset()).train()
    for a, b in zip(model.parameters(), plain.parameters(), strict=True):
        assert torch.equal(a, b)


def test_the_readme_trainer_example_runs_and_logs_both_sources(tmp_path, monkeypatch, capsys):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Hugging Face Trainer, complete", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert "remove_unused_columns=False" in code and "compute_loss" in code
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the documented example itself
    logged = [h for h in namespace["trainer"].state.log_history if "loss_ce_real" in h]
    assert [h["step"] for h in logged] == [4, 8]
    for entry in logged:
        assert 0.0 < entry["loss_ce_real"] < 5.0 and 0.0 < entry["loss_ce_synthetic"] < 5.0
    assert "loss_ce_synthetic" in capsys.readouterr().out
