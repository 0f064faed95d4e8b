"""Criteria that return a loss tensor (a model's own loss): companions go to the active sink.

Expected values are computed by hand: per-token cross entropy as ``logsumexp(z) - z[y]`` in
float64, summed over a group's non-ignored tokens and divided by their count.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

import losssplit
from losssplit import SplitMeter, split_by_source

V = 7
IGNORE = -100


def token_ce(logits, labels):
    """Per-token cross entropy of a ``[B, T, V]`` / ``[B, T]`` pair, 0 where ignored (float64)."""
    z = logits.detach().double()
    safe = labels.clamp_min(0)
    ce = torch.logsumexp(z, -1) - z.gather(-1, safe[..., None])[..., 0]
    return torch.where(labels == IGNORE, 0.0, ce), labels != IGNORE


def group_means(batches, sources, shift=False):
    """``{loss_<group>: sum over the group's tokens / their count}`` over every batch at once."""
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for (logits, labels), names in zip(batches, sources, strict=True):
        if shift:  # token t predicts label t + 1
            logits, labels = logits[:, :-1], labels[:, 1:]
        ce, keep = token_ce(logits, labels)
        for b, name in enumerate(names):
            sums[name] = sums.get(name, 0.0) + ce[b].sum().item()
            counts[name] = counts.get(name, 0) + int(keep[b].sum())
    return {f"loss_{g}": sums[g] / counts[g] for g in sums if counts[g]}


def batch(seed, rows=4, length=6):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(rows, length, V, generator=g, requires_grad=True)
    labels = torch.randint(0, V, (rows, length), generator=g)
    labels[0, 2:] = IGNORE  # padding: rows with different numbers of tokens
    labels[rows - 1, 4:] = IGNORE
    return logits, labels


def lm_mean(logits, labels):
    """The mean over non-ignored tokens, as a hand-written LM criterion does it."""
    return F.cross_entropy(logits.reshape(-1, V), labels.reshape(-1), ignore_index=IGNORE)


def lm_sum_over(logits, labels, num_items_in_batch):
    """``sum / num_items_in_batch``: gradient accumulation's token normalisation."""
    loss = F.cross_entropy(logits.reshape(-1, V), labels.reshape(-1), ignore_index=IGNORE, reduction="sum")
    return loss / num_items_in_batch


def test_tensor_comes_back_unchanged_and_companions_go_to_the_meter():
    logits, labels = batch(0)
    names = ["web", "code", "web", "math"]
    decorated = split_by_source(lm_mean)
    meter = SplitMeter()
    with meter.collect(), losssplit.sources(names):
        loss = decorated(logits, labels)
    plain = lm_mean(logits, labels)
    assert isinstance(loss, torch.Tensor) and torch.equal(loss, plain)
    assert losssplit.companion_of(loss) is None and not hasattr(loss, "_losssplit_call")
    assert meter.compute() == pytest.approx(group_means([(logits, labels)], [names]), rel=1e-6)
    # the gradient of the returned tensor is the undecorated one, bit for bit
    (g1,) = torch.autograd.grad(loss, logits)
    (g2,) = torch.autograd.grad(plain, logits)
    assert torch.equal(g1, g2)


def test_returned_tensor_is_the_bodys_own_object():
    seen = []

    @split_by_source(name="loss_lm")
    def criterion(logits, labels):
        out = lm_mean(logits, labels)
        seen.append(out)
        return out

    logits, labels = batch(1)
    meter = SplitMeter()
    with meter.collect(), losssplit.sources(["a", "b", "a", "b"]):
        loss = criterion(logits, labels)
    assert loss is seen[0]
    assert sorted(meter.compute()) == ["loss_lm_a", "loss_lm_b"]  # named by ``name=``


def test_hf_causal_lm_loss_is_split_per_source():
    loss_utils = pytest.importorskip("transformers.loss.loss_utils")
    logits, labels = batch(2)
    names = ["x", "y", "y", "x"]
    decorated = split_by_source(loss_utils.ForCausalLMLoss)
    meter = SplitMeter()
    with meter.collect(), losssplit.sources(names):
        loss = decorated(logits, labels, V)
    assert torch.equal(loss, loss_utils.ForCausalLMLoss(logits, labels, V))
    assert meter.compute() == pytest.approx(group_means([(logits, labels)], [names], shift=True), rel=1e-6)


def test_gradient_accumulation_gives_the_exact_token_mean_of_the_step():
    # Two micro-batches of one optimizer step; num_items_in_batch counts the non-ignored tokens
    # of both (as HF Trainer computes it), so each call's loss is a part of the step's mean.
    micro = [batch(3), batch(4, rows=3, length=5)]
    names = [["web", "web", "code", "web"], ["code", "code", "web"]]
    z = torch.tensor(sum(int((labels != IGNORE).sum()) for _, labels in micro))
    decorated = split_by_source(lm_sum_over)
    meter = SplitMeter()
    records = []
    total = 0.0
    for (logits, labels), src in zip(micro, names, strict=True):
        step_meter = SplitMeter()
        with step_meter.collect(), losssplit.sources(src):
            loss = decorated(logits, labels, z)
        assert torch.equal(loss, lm_sum_over(logits, labels, z))
        total += loss.item()
        records.append({r.name: (r.num, r.den) for r in step_meter.compute_records()})
        with meter.collect(), losssplit.sources(src):
            decorated(logits, labels, z)
    # each call's companion: the group's token sum over the group's own tokens (its part of Z)
    for (logits, labels), src, rec in zip(micro, names, records, strict=True):
        ce, keep = token_ce(logits, labels)
        for group in set(src):
            rows = [b for b, s in enumerate(src) if s == group]
            assert rec[f"loss_{group}"] == pytest.approx((ce[rows].sum().item(), float(keep[rows].sum())), rel=1e-6)
    # over the step: the exact token mean per group, and the groups' means weigh up to the
    # step's loss (the sum of the micro-batch losses) by their token counts
    want = group_means(micro, names)
    assert meter.compute() == pytest.approx(want, rel=1e-6)
    counts = {g: sum(int(((lab != IGNORE)[[b for b, s in enumerate(src) if s == g]]).sum())
                     for (_, lab), src in zip(micro, names, strict=True)) for g in ("web", "code")}
    assert sum(want[f"loss_{g}"] * counts[g] for g in counts) / int(z) == pytest.approx(total, rel=1e-5)


def test_normaliser_equal_to_the_local_count_is_the_bodys_own_mean():
    logits, labels = batch(5)
    names = ["a", "b", "b", "a"]
    z = (labels != IGNORE).sum()
    meter = SplitMeter()
    with meter.collect(), losssplit.sources(names):
        loss = split_by_source(lm_sum_over)(logits, labels, z)
    assert torch.equal(loss, lm_mean(logits, labels))
    assert meter.compute() == pytest.approx(group_means([(logits, labels)], [names]), rel=1e-6)


def test_without_a_sink_the_tensor_passes_with_one_warning(warnings_of):
    logits, labels = batch(6)
    decorated = split_by_source(lm_mean)
    with losssplit.sources(["a", "b", "a", "b"]):
        first = decorated(logits, labels)
        decorated(logits, labels)
    assert torch.equal(first, lm_mean(logits, labels))
    got = [m for m in warnings_of() if "returned a tensor" in m]
    assert len(got) == 1 and "'loss_<group>'" in got[0] and "collect()" in got[0]


def test_name_must_be_a_non_empty_string():
    with pytest.raises(TypeError, match=r"split_by_source\(name=...\)"):
        split_by_source(lm_mean, name="")
    with pytest.raises(TypeError, match=r"split_by_source\(name=...\)"):
        split_by_source(lm_mean, name=3)  # type: ignore[arg-type]
