"""A stock ``Trainer`` with ``DataCollatorWithFlattening`` (examples packed into one row, position
ids restarting per example): the model's own loss split per token by each example's source.

The reference runs the model on each document alone, at the weights of each training forward,
and adds per source the documents' token-loss sums and non-ignored token counts.
"""

from __future__ import annotations

import os
import sys

import pytest
import torch

transformers = pytest.importorskip("transformers")
pytest.importorskip("accelerate")

from losssplit.integrations.transformers import LossSplitCallback  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _criteria_for_integrations import TrainingForwards, assert_logged_token_means, tiny_llama  # noqa: E402

VOCAB, STEPS, LOG_EVERY, ACCUMULATE, BATCH = 32, 4, 2, 2, 4
SOURCES = ("web", "code", "math")  # the first token of a document names its source


def tiny_lm():
    return tiny_llama(VOCAB, 64, use_cache=False)  # with a cache, HF does not mask across packed documents


def documents(n, seed):
    """Documents of 3-12 tokens from three sources; some with ignored labels at the end."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for i in range(n):
        k = int(torch.randint(0, 3, (1,), generator=g))
        length = int(torch.randint(3, 13, (1,), generator=g))
        ids = torch.randint(3, VOCAB, (length,), generator=g)
        ids[0] = k
        labels = ids.clone()
        if i % 3 == 1:
            labels[-2:] = -100
        out.append({"input_ids": ids.tolist(), "labels": labels.tolist(), "dataset": SOURCES[k]})
    return out


def per_document(model, input_ids, labels, position_ids):
    """``{source: (sum of token losses, tokens)}``: each packed document run alone."""
    out: dict[str, tuple[float, int]] = {}
    starts = (position_ids[0] == 0).nonzero().flatten().tolist() + [input_ids.shape[1]]
    with torch.no_grad():
        for a, b in zip(starts, starts[1:]):
            ids, lab = input_ids[:, a:b], labels[:, a:b]
            count = int((lab[:, 1:] != -100).sum())
            if count:
                loss = model(input_ids=ids, labels=lab).loss.item()
                name = SOURCES[int(ids[0, 0])]
                s, c = out.get(name, (0.0, 0))
                out[name] = (s + loss * count, c + count)
    return out


def _packed_forward(model, kwargs):
    assert kwargs["input_ids"].shape[0] == 1  # packed into one row
    return per_document(model, kwargs["input_ids"], kwargs["labels"], kwargs["position_ids"])


def train(tmp_path, *, callback=True, record=False):
    model = tiny_lm()
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path), max_steps=STEPS, logging_steps=LOG_EVERY,
        gradient_accumulation_steps=ACCUMULATE, per_device_train_batch_size=BATCH,
        learning_rate=1e-2, save_strategy="no", report_to="none", use_cpu=True, disable_tqdm=True,
    )
    trainer = transformers.Trainer(
        model=model, args=args, train_dataset=documents(STEPS * ACCUMULATE * BATCH, 1),
        data_collator=transformers.DataCollatorWithFlattening(),
    )
    if callback:
        LossSplitCallback(source="dataset").attach(trainer)
    recorder = TrainingForwards(model, _packed_forward) if record else None
    trainer.train()
    return model, trainer, recorder


def test_packed_rows_log_exact_per_source_losses(tmp_path):
    _, trainer, recorder = train(tmp_path, record=True)
    assert len(recorder.calls) == STEPS * ACCUMULATE
    assert_logged_token_means(trainer.state.log_history, recorder.calls, LOG_EVERY * ACCUMULATE, SOURCES)


def test_packed_training_is_bit_identical_with_and_without_the_callback(tmp_path):
    with_cb, trainer_a, _ = train(tmp_path / "a")
    without, trainer_b, _ = train(tmp_path / "b", callback=False)
    for a, b in zip(with_cb.parameters(), without.parameters(), strict=True):
        assert torch.equal(a, b)
    assert [h["loss"] for h in trainer_a.state.log_history if "loss" in h] == [
        h["loss"] for h in trainer_b.state.log_history if "loss" in h
    ]
    assert any(k.startswith("loss_") for h in trainer_a.state.log_history for k in h)
