"""A stock ``transformers.Trainer`` on a tiny causal LM: the model's own loss split per source in
one line, ``LossSplitCallback(source="dataset").attach(trainer)``, with no ``compute_loss``.

References are computed from scratch: the model run on each source's rows alone (for training,
at the same weights, from a forward hook; for evaluation, after training).
"""

from __future__ import annotations

import os
import sys

import pytest
import torch

transformers = pytest.importorskip("transformers")
pytest.importorskip("accelerate")

import losssplit  # noqa: E402
from losssplit.integrations.transformers import LossSplitCallback  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _criteria_for_integrations import TrainingForwards, assert_logged_token_means, tiny_llama  # noqa: E402

VOCAB, LENGTH, STEPS, LOG_EVERY, ACCUMULATE, BATCH = 32, 12, 6, 2, 2, 4
SOURCES = ("web", "code", "math")  # the first token of a row names its source (for the references)


def tiny_lm():
    return tiny_llama(VOCAB, LENGTH)


def rows(n, seed):
    """Three kinds of text: random tokens (web), a counting pattern (code), one repeated token
    (math); some rows end in padding whose labels are -100."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for i in range(n):
        k = int(torch.randint(0, 3, (1,), generator=g))
        if k == 0:
            ids = torch.randint(3, VOCAB, (LENGTH,), generator=g)
        elif k == 1:
            ids = (torch.arange(LENGTH) + int(torch.randint(0, VOCAB, (1,), generator=g))) % (VOCAB - 3) + 3
        else:
            ids = torch.full((LENGTH,), int(torch.randint(3, VOCAB, (1,), generator=g)))
        ids[0] = k
        labels = ids.clone()
        pad = int(torch.randint(0, 5, (1,), generator=g)) if i % 2 else 0
        if pad:
            labels[LENGTH - pad :] = -100
        out.append({"input_ids": ids.tolist(), "labels": labels.tolist(), "dataset": SOURCES[k]})
    return out


def as_dataset(items, kind):
    if kind == "list":
        return items
    datasets = pytest.importorskip("datasets")
    return datasets.Dataset.from_list(items)


def per_source(model, input_ids, labels):
    """``{source: (sum of token losses, tokens)}``: the model run on each source's rows alone."""
    out = {}
    with torch.no_grad():
        for k, name in enumerate(SOURCES):
            keep = input_ids[:, 0] == k
            count = int((labels[keep][:, 1:] != -100).sum())
            if count:
                loss = model(input_ids=input_ids[keep], labels=labels[keep]).loss
                out[name] = (loss.item() * count, count)
    return out


def train(tmp_path, *, kind="list", callback=True, record=False):
    model = tiny_lm()
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path), max_steps=STEPS, logging_steps=LOG_EVERY,
        gradient_accumulation_steps=ACCUMULATE, per_device_train_batch_size=BATCH,
        per_device_eval_batch_size=BATCH, learning_rate=1e-2, save_strategy="no",
        report_to="none", use_cpu=True, disable_tqdm=True,
    )
    trainer = transformers.Trainer(
        model=model, args=args, train_dataset=as_dataset(rows(STEPS * ACCUMULATE * BATCH, 1), kind),
        eval_dataset=as_dataset(rows(10, 2), kind),
    )
    if callback:
        LossSplitCallback(source="dataset").attach(trainer)
    recorder = (
        TrainingForwards(model, lambda m, kw: per_source(m, kw["input_ids"], kw["labels"])) if record else None
    )
    trainer.train()
    return model, trainer, recorder


@pytest.mark.parametrize("kind", ["list", "datasets"])
def test_stock_trainer_logs_exact_per_source_train_and_eval_losses(tmp_path, kind):
    model, trainer, recorder = train(tmp_path, kind=kind, record=True)
    assert len(recorder.calls) == STEPS * ACCUMULATE
    assert_logged_token_means(trainer.state.log_history, recorder.calls, LOG_EVERY * ACCUMULATE, SOURCES)

    metrics = trainer.evaluate()
    eval_rows = rows(10, 2)
    ids = torch.tensor([r["input_ids"] for r in eval_rows])
    labels = torch.tensor([r["labels"] for r in eval_rows])
    model.eval()
    want = {f"eval_loss_{name}": s / c for name, (s, c) in per_source(model, ids, labels).items()}
    got = {k: v for k, v in metrics.items() if k.startswith("eval_loss_")}
    assert got == pytest.approx(want, rel=1e-5)
    assert {k: trainer.state.log_history[-1][k] for k in want} == got  # in the logs too
    # a second evaluation reports the same whole-set values (nothing left over from the first)
    assert {k: v for k, v in trainer.evaluate().items() if k in want} == pytest.approx(got, rel=1e-6)


def test_training_is_bit_identical_with_and_without_the_callback(tmp_path):
    with_cb, trainer_a, _ = train(tmp_path / "a")
    without, trainer_b, _ = train(tmp_path / "b", callback=False)
    for a, b in zip(with_cb.parameters(), without.parameters(), strict=True):
        assert torch.equal(a, b)
    losses_a = [h["loss"] for h in trainer_a.state.log_history if "loss" in h]
    losses_b = [h["loss"] for h in trainer_b.state.log_history if "loss" in h]
    assert losses_a == losses_b
    assert any(k.startswith("loss_") for h in trainer_a.state.log_history for k in h)


def test_predict_is_not_counted_as_an_evaluation(tmp_path):
    model, trainer, _ = train(tmp_path)
    trainer.predict(rows(4, 3))
    callback = next(cb for cb in trainer.callback_handler.callbacks if isinstance(cb, LossSplitCallback))
    assert callback.eval_meter.compute() == {}


def test_evaluations_during_training_get_their_own_exact_values(tmp_path):
    model = tiny_lm()
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path), max_steps=4, logging_steps=2, eval_strategy="steps", eval_steps=2,
        per_device_train_batch_size=BATCH, per_device_eval_batch_size=3, learning_rate=1e-2,
        save_strategy="no", report_to="none", use_cpu=True, disable_tqdm=True,
    )
    trainer = transformers.Trainer(model=model, args=args, train_dataset=rows(16, 1), eval_dataset=rows(10, 2))
    LossSplitCallback(source="dataset").attach(trainer)
    trainer.train()
    evals = [h for h in trainer.state.log_history if "eval_loss" in h]
    trains = [h for h in trainer.state.log_history if "loss" in h]
    assert [h["step"] for h in evals] == [2, 4] and [h["step"] for h in trains] == [2, 4]
    assert not any(k.startswith("eval_") for h in trains for k in h)  # train logs: train values only
    ids = torch.tensor([r["input_ids"] for r in rows(10, 2)])
    labels = torch.tensor([r["labels"] for r in rows(10, 2)])
    model.eval()
    want = {f"eval_loss_{name}": s / c for name, (s, c) in per_source(model, ids, labels).items()}
    assert {k: v for k, v in evals[-1].items() if k.startswith("eval_loss_")} == pytest.approx(want, rel=1e-5)


def test_labels_that_do_not_match_the_rows_are_not_used(tmp_path, warnings_of):
    model, trainer, _ = train(tmp_path)
    ids = torch.tensor([r["input_ids"] for r in rows(4, 3)])
    model.eval()
    with torch.no_grad():
        out = model(input_ids=ids, labels=ids, losssplit_sources=["web", "code"])  # 2 labels, 4 rows
        plain = model(input_ids=ids, labels=ids)
    assert torch.equal(out.loss, plain.loss)
    assert any("2 source labels for a forward of 4 rows" in m for m in warnings_of())


def test_a_batch_with_the_column_on_some_examples_only_is_an_error(tmp_path):
    _, trainer, _ = train(tmp_path, callback=True)
    some = rows(2, 4)
    del some[1]["dataset"]
    with pytest.raises(losssplit.LossSplitError, match="1 of 2 examples in a batch have no 'dataset' field"):
        trainer.data_collator(some)
