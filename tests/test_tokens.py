"""Sources per token (packed rows): companions against an oracle computed document by document.

Each packed row holds documents from several sources; the oracle runs the undecorated body on
each document alone (its own [1, n] rows) and adds, per source, the documents' token-loss sums
and their non-ignored token counts: the companion must be ``sum / count`` of its source.
"""

from __future__ import annotations

import logging

import pytest
import torch
import torch.nn.functional as F

import losssplit
from losssplit import split_by_source
from losssplit._capture import ratio as ratio_module

V, T, NAMES = 11, 16, ("web", "code", "math")
# (row, start, length, source id) of each document; row 1 ends in 4 padding tokens (id -1)
DOCS = [(0, 0, 5, 0), (0, 5, 7, 1), (0, 12, 4, 2), (1, 0, 6, 2), (1, 6, 6, 0)]


def batch(seed: int = 0):
    """Logits [2, T, V] (requiring grad), inputs, HF-style labels (first label of each document
    and padding -100) and aligned targets (a few ignored), and the [2, T] source ids."""
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(2, T, V, generator=g).requires_grad_()
    inputs = torch.randint(0, V, (2, T), generator=g)
    labels = torch.full((2, T), -100)
    targets = torch.randint(0, V, (2, T), generator=g)
    targets[0, 3] = targets[1, 8] = -100
    ids = torch.full((2, T), -1)
    for row, start, n, src in DOCS:
        labels[row, start + 1 : start + n] = inputs[row, start + 1 : start + n]
        ids[row, start : start + n] = src
    targets[1, 12:] = -100  # padding
    return logits, inputs, labels, targets, ids


def oracle(body, logits, labels, count, docs=DOCS):
    """{source: sum / count} with each document's body run alone; ``count(labels_doc)`` is the
    tokens its mean divides by (the body's mean times that is its sum)."""
    acc = {n: [0.0, 0] for n in NAMES}
    with torch.no_grad():
        for row, start, n, src in docs:
            doc_logits = logits[row : row + 1, start : start + n]
            doc_labels = labels[row : row + 1, start : start + n]
            c = int(count(doc_labels))
            if c:
                acc[NAMES[src]][0] += body(doc_logits, doc_labels).item() * c
                acc[NAMES[src]][1] += c
    return {f"loss_{n}": s / c for n, (s, c) in acc.items() if c}


def split(body, logits, labels, ids, **kw):
    """The keyword arguments ``kw`` are arguments of the decorated call (as the model's loss
    function gets ``num_items_in_batch``): numbers from outside it."""
    decorated = split_by_source(lambda lg, lb, **more: {"loss": body(lg, lb, **more)})
    with losssplit.sources(ids, names=list(NAMES)):
        out = decorated(logits, labels, **kw)
    assert torch.equal(out["loss"], body(logits, labels, **kw))  # training value unchanged
    return {k: v.item() for k, v in out.items() if k != "loss"}


def flat_mean(logits, labels):
    return F.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=-100)


def class_dim_mean(logits, labels):  # [B, V, T]: no flatten, per-token values [B, T]
    return F.cross_entropy(logits.transpose(1, 2), labels, ignore_index=-100)


def none_then_masked_mean(logits, labels):
    loss = F.cross_entropy(logits.transpose(1, 2), labels, ignore_index=-100, reduction="none")  # [B, T]
    return loss.sum() / (labels != -100).sum()


def hf_causal(logits, labels, num_items_in_batch=None):
    from transformers.loss.loss_utils import ForCausalLMLoss

    return ForCausalLMLoss(logits, labels, V, num_items_in_batch=num_items_in_batch)


def valid(labels):
    return (labels != -100).sum()


def shifted_valid(labels):
    return (labels[:, 1:] != -100).sum()


@pytest.mark.parametrize("body", [flat_mean, class_dim_mean, none_then_masked_mean])
def test_aligned_targets_split_per_token_like_each_document_alone(body):
    logits, _, _, targets, ids = batch()
    got = split(body, logits, targets, ids)
    want = oracle(body, logits, targets, valid)
    assert set(got) == set(want) == {f"loss_{n}" for n in NAMES}
    assert got == pytest.approx(want, rel=1e-6)


def test_hf_shifted_labels_split_per_token_like_each_document_alone():
    """HF's ForCausalLMLoss pads the labels by one and shifts them: the loss at position t (of the
    logits) predicts token t + 1 and belongs to token t's source; each document's first label is
    -100 (as DataCollatorWithFlattening makes it), so no prediction crosses a boundary."""
    pytest.importorskip("transformers")
    logits, _, labels, _, ids = batch()
    got = split(hf_causal, logits, labels, ids)
    assert got == pytest.approx(oracle(hf_causal, logits, labels, shifted_valid), rel=1e-6)


@pytest.mark.parametrize("body", [flat_mean, hf_causal])
def test_one_packed_row_splits_per_token(body):
    """A batch of one packed row (as DataCollatorWithFlattening makes): ``[1, T, V]`` viewed as
    ``[T, V]`` drops the row dim; its elements are still tokens of that row."""
    if body is hf_causal:
        pytest.importorskip("transformers")
    logits, _, labels, _, ids = batch()
    row0 = [d for d in DOCS if d[0] == 0]
    got = split(body, logits[:1], labels[:1], ids[:1])
    assert got == pytest.approx(oracle(body, logits, labels, shifted_valid if body is hf_causal else valid, row0), rel=1e-6)
    assert len(got) == 3


def test_hf_sum_over_num_items_in_batch_gives_the_token_mean_per_source():
    """``sum / num_items_in_batch`` (gradient accumulation): each source's sum over its own tokens."""
    pytest.importorskip("transformers")
    logits, _, labels, _, ids = batch()
    total = int(shifted_valid(labels)) * 3  # counts the tokens of three micro-batches
    got = split(hf_causal, logits, labels, ids, num_items_in_batch=total)
    assert got == pytest.approx(oracle(hf_causal, logits, labels, shifted_valid), rel=1e-6)


def test_one_source_everywhere_gives_the_main_value():
    logits, _, _, targets, _ = batch()
    ids = torch.zeros(2, T, dtype=torch.long)
    decorated = split_by_source(lambda lg, lb: {"loss": flat_mean(lg, lb)})
    with losssplit.sources(ids, names=["all"]):
        out = decorated(logits, targets)
    assert out["loss_all"].item() == pytest.approx(out["loss"].item(), rel=1e-6)


def test_ids_without_names_are_groups_named_by_the_id():
    logits, _, _, targets, ids = batch()
    decorated = split_by_source(lambda lg, lb: {"loss": flat_mean(lg, lb)})
    with losssplit.sources(ids):
        out = decorated(logits, targets)
    want = oracle(flat_mean, logits, targets, valid)
    assert {k: v.item() for k, v in out.items() if k != "loss"} == pytest.approx(
        {f"loss_{NAMES.index(k[5:])}": v for k, v in want.items()}, rel=1e-6
    )


def test_large_losses_keep_per_token_values_when_compacted(monkeypatch):
    monkeypatch.setattr(ratio_module, "HOLD_WEAKLY_FROM", 1)  # every loss is "large"
    logits, _, _, targets, ids = batch()

    def bce_mean(lg, lb):  # [B, T, V] reduced whole: compacted to [B, T], not [B]
        return F.binary_cross_entropy_with_logits(lg, F.one_hot(lb.clamp_min(0), V).float())

    # a document's BCE mean is over its n * V elements; its CE mean over its non-ignored tokens
    assert split(bce_mean, logits, targets, ids) == pytest.approx(
        oracle(bce_mean, logits, targets, lambda lb: lb.numel() * V), rel=1e-6
    )
    assert split(class_dim_mean, logits, targets, ids) == pytest.approx(
        oracle(class_dim_mean, logits, targets, valid), rel=1e-6
    )


def test_gradients_bit_identical_with_per_token_sources():
    logits, _, labels, _, ids = batch()
    plain = logits.detach().clone().requires_grad_()
    decorated = split_by_source(lambda lg, lb: {"loss": flat_mean(lg, lb)})
    with losssplit.sources(ids, names=list(NAMES)):
        decorated(logits, labels)["loss"].backward()
    flat_mean(plain, labels).backward()
    assert torch.equal(logits.grad, plain.grad)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (lambda lg, lb: F.cross_entropy(lg[:, :-1].flatten(0, 1), lb[:, 1:].flatten()), "span 15 positions"),
        (lambda lg, lb: F.cross_entropy(lg.flip(1).flatten(0, 1), lb.flatten()), "reordered or mixed at Tensor.flip"),
        (lambda lg, lb: F.cross_entropy(lg[:, torch.arange(T - 1, -1, -1)].flatten(0, 1), lb.flatten()), "reordered"),
        (lambda lg, lb: F.cross_entropy(lg.gather(1, torch.arange(T).roll(1).view(1, T, 1).expand(2, T, V)).flatten(0, 1), lb.flatten()), "reordered"),
        (lambda lg, lb: F.cross_entropy(torch.cat([lg[:, 8:], lg[:, :8]], 1).flatten(0, 1), lb.flatten()), "reordered"),
        (lambda lg, lb: F.cross_entropy(lg.transpose(1, 2), lb.clamp_min(0), reduction="none").mean(1).mean(), "per-row values"),
    ],
    ids=["sliced", "flip", "index-perm", "gather-roll", "cat-rotate", "per-row-mean"],
)
def test_positions_that_cannot_be_known_are_declined_with_a_warning(body, reason, caplog):
    logits, _, _, targets, ids = batch()
    decorated = split_by_source(lambda lg, lb: {"loss": body(lg, lb)})
    with caplog.at_level(logging.WARNING, logger="losssplit"), losssplit.sources(ids, names=list(NAMES)):
        out = decorated(logits, targets.clamp_min(0))
    assert list(out) == ["loss"]
    assert reason in caplog.text


def test_bad_per_token_labels_are_reported():
    with pytest.raises(TypeError, match=r"losssplit.sources\(labels\): expected integer source ids per token"):
        with losssplit.sources(torch.zeros(2, T)):
            pass
    with pytest.raises(ValueError, match=r"losssplit.sources\(labels\): expected one label per image .* got a tensor of shape \(2, 3, 4\)"):
        with losssplit.sources(torch.zeros(2, 3, 4, dtype=torch.long)):
            pass
    with pytest.raises(TypeError, match=r"losssplit.sources\(names=...\): expected a list or tuple"):
        with losssplit.sources(torch.zeros(2, T, dtype=torch.long), names="web"):
            pass
    logits, _, _, targets, ids = batch()
    decorated = split_by_source(lambda lg, lb: {"loss": flat_mean(lg, lb)})
    with pytest.raises(losssplit.LossSplitError, match="source id 2 .* has no name"):
        with losssplit.sources(ids, names=["web", "code"]):
            decorated(logits, targets)


def test_names_map_per_image_int_ids_too():
    decorated = split_by_source(lambda x, y: {"loss": F.cross_entropy(x, y)})
    with losssplit.sources(torch.tensor([1, 0, 1]), names={0: "web", 1: "code"}):
        out = decorated(torch.zeros(3, 4), torch.tensor([0, 1, 2]))
    assert sorted(out) == ["loss", "loss_code", "loss_web"]
    with pytest.raises(ValueError, match=r"expected int source ids that names= maps, got 5"):
        with losssplit.sources([5], names=["web"]):
            pass


@pytest.mark.parametrize("masked", [False, True], ids=["flattened", "masked"])
def test_many_token_rows_split_as_few_do(masked):
    """Many token rows: flattened ``[B, T]`` rows are summed per sequence first; rows selected by a
    mask (no runs) beyond 65,536 are added into images a column at a time (no [rows, 3] float64
    copy). Either way a token mean per source of 320 sequences of 256 tokens (81,920 rows, 69,120
    of them not ignored) equals the mean over that source's own tokens."""
    g = torch.Generator().manual_seed(3)
    logits = torch.randn(320, 256, 5, generator=g).requires_grad_()
    labels = torch.randint(0, 5, (320, 256), generator=g)
    labels[:, :40] = -100
    names = ["web" if i % 3 else "code" for i in range(320)]

    def body(lg, lb):
        if masked:
            keep = lb.flatten() != -100
            return {"loss": F.cross_entropy(lg.flatten(0, 1)[keep], lb.flatten()[keep])}
        return {"loss": F.cross_entropy(lg.flatten(0, 1), lb.flatten())}

    with losssplit.sources(names):
        out = split_by_source(body)(logits, labels)
    nll = F.cross_entropy(logits.detach().flatten(0, 1), labels.flatten(), reduction="none").view(320, 256)
    valid = labels != -100
    for name in ("web", "code"):
        rows = torch.tensor([n == name for n in names])
        want = (nll[rows] * valid[rows]).sum().double() / valid[rows].sum()
        assert out[f"loss_{name}"].item() == pytest.approx(want.item(), rel=1e-6)
