"""Rows of different images paired row by row by an element-wise op, with one label per row from
``losssplit.sources``: Diffusion-DPO's ``chunk(2)`` winners and losers (row i with row i + B/2),
DAPO's per-prompt filter ``repeat_interleave``d beside the completions' rows. Exact where every
pair's rows are of one group and both row maps keep the images' order (on a group alone its rows
pair the same way); otherwise the call declines, its warning naming the op."""

from __future__ import annotations

import pytest
import torch
from _helpers import TARGETS, Along, split_outcome, wrong_companions

PAIRED = "rows of different images were paired at"


def _pred(n: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 3, generator=g).requires_grad_()


def dpo(pred, ref):
    """Diffusion-DPO's shape: each row's error, the halves paired row by row."""
    err = (pred - ref).pow(2).mean(1)
    win, lose = err.chunk(2)
    inside = -5.0 * (win - lose)
    return {"loss_dpo": -torch.nn.functional.logsigmoid(inside).mean(), "acc": (inside > 0).float().mean()}


def outcome(body, n, labels, seed=0):
    g = torch.Generator().manual_seed(seed + 100)
    return split_outcome(body, [_pred(n, seed), torch.randn(n, 3, generator=g)], [Along(0), Along(0)], labels)


def check_exact(body, n, labels, seed=0):
    got, want, said = outcome(body, n, labels, seed)
    assert not said, said
    assert set(got) == set(want) and want, (got, want)
    assert not wrong_companions(got, want), wrong_companions(got, want)


def check_declines(body, n, labels, message=PAIRED):
    got, want, said = outcome(body, n, labels)
    assert not got and want, got
    assert any(message in m and "no companions for this call" in m for m in said), said


@pytest.mark.parametrize("pairs", [["a", "b", "a", "c"], ["b", "b", "a"], ["a", "a", "a"], ["c"], ["a", "b"]])
def test_chunked_pairs_of_one_source_are_exact(pairs):
    for seed in range(3):
        check_exact(dpo, 2 * len(pairs), pairs + pairs, seed)


@pytest.mark.parametrize("labels", [["a", "b", "b", "a"], ["a", "a", "b", "b", "b", "a"], ["a", "b", "a", "a", "b", "b"]])
def test_a_pair_across_two_sources_declines(labels):
    check_declines(dpo, len(labels), labels)


def rolled(pred, ref):
    """Row i against row i - 2: on a group alone the roll moves other rows (not the batch's pairs)."""
    err = (pred - ref).pow(2).mean(1)
    return {"loss": (err - err.roll(2, 0)).pow(2).mean()}


def flipped(pred, ref):
    err = (pred - ref).pow(2).mean(1)
    return {"loss": (err - err.flip(0)).abs().mean()}


def test_pairs_of_one_source_in_another_order_decline():
    # each pair of one source, but on 'a' alone the roll by 2 of its two rows pairs each with
    # itself (a WRONG companion, were it given); the flip likewise moves rows by position
    got, want, said = outcome(rolled, 4, ["a", "b", "a", "b"])
    assert not got and want["loss_a"] == 0.0, (got, want)
    assert any(PAIRED in m or "Tensor.roll" in m for m in said), said
    got, _, said = outcome(flipped, 4, ["a", "b", "b", "a"])
    assert not got and said, said


G = 2


def _kept(pred, r, g):
    """DAPO's shape over each prompt's rewards ``r`` [prompts, g]: the prompts whose rewards are
    not all below 1 kept (``repeat_interleave(g)``) beside the completions' rows, each completion's
    advantage within its prompt, a masked mean over the kept rows."""
    keep = (r.max(1).values > 0.5).float().repeat_interleave(g)
    adv = (r - r.mean(1, keepdim=True)).flatten()
    per_row = pred.pow(2).mean(1) * adv * keep
    return {"loss_f": per_row.sum() / keep.sum().clamp(min=1)}


def _reward(pred, ref):
    return (pred.detach() - ref).abs().sum(1).round()


def filtered1(pred, ref):
    return _kept(pred, _reward(pred, ref).view(-1, 1), 1)


def filtered(pred, ref):
    return _kept(pred, _reward(pred, ref).view(-1, G), G)


def filtered3(pred, ref):
    return _kept(pred, _reward(pred, ref).view(-1, 3), 3)


@pytest.mark.parametrize(("body", "g"), [(filtered1, 1), (filtered, 2), (filtered3, 3)])
def test_per_prompt_filter_beside_the_completions_is_exact(body, g):
    for prompts in (["a", "b", "a", "c"], ["b", "b", "a"], ["a", "a", "a"], ["c"]):
        for seed in range(2):
            check_exact(body, len(prompts) * g, [s for s in prompts for _ in range(g)], seed)


def test_a_block_across_two_sources_declines():
    # the prompts' blocks (a, b) and (b, a): on 'a' alone its rows 0 and 3 are one prompt
    got, want, said = outcome(filtered, 4, ["a", "b", "b", "a"])
    assert not got and want, got
    assert any("'loss_f'" in m and "Tensor.view" in m for m in said), said


def weighted(pred, targets):
    w = torch.tensor([t["loss_weight"] for t in targets])
    err = (pred.pow(2).mean(1) * w)
    win, lose = err.chunk(2)
    return {"loss_w": (win - lose).abs().mean()}


def test_pairs_of_different_weights_decline():
    # both 'real' (>= 0.9), weights 1 and 0.95: the weights differ within the pairs
    targets = [{"loss_weight": w} for w in (1.0, 0.5, 0.95, 0.5)]
    got, want, said = split_outcome(weighted, [_pred(4, 0), targets], [Along(0), TARGETS])
    assert not got and want, got
    assert any(PAIRED in m for m in said), said
    targets = [{"loss_weight": w} for w in (1.0, 0.5, 1.0, 0.5)]
    got, want, said = split_outcome(weighted, [_pred(4, 0), targets], [Along(0), TARGETS])
    assert not wrong_companions(got, want), (got, want, said)


def test_overlapping_groups_pair_where_each_pair_is_in_the_same_groups():
    # predicates: an image may be in several groups (each pair's images must be in the same ones)
    groups = {"web": lambda s: s == "web", "any": lambda s: True}
    for labels in (["web", "web", "books", "books", "web", "web"], ["books", "books", "web", "web"]):
        args = [_pred(len(labels), 0), torch.randn(len(labels), 3, generator=torch.Generator().manual_seed(7))]
        got, _, said = split_outcome(filtered, args, [Along(0), Along(0)], labels, groups=groups)
        web = [i for i, s in enumerate(labels) if s == "web"]
        assert got["loss_f_web"] == pytest.approx(filtered(*[a[web] for a in args])["loss_f"].item(), rel=1e-5), said
        assert got["loss_f_any"] == pytest.approx(filtered(*args)["loss_f"].item(), rel=1e-5), said


def by_value(pred, ref):
    err = (pred - ref).pow(2).mean(1)
    return {"loss": (err - err[err.detach().argsort()]).abs().mean()}


def test_rows_reordered_by_value_decline():
    # each row paired with one of its source (the sort keeps each source's rows in place), but the
    # sorted map is out of the images' order: declined, as any reorder is (one by position would
    # pair other rows on a group alone)
    pred = torch.tensor([2.0, 1.0, 4.0, 3.0]).sqrt()[:, None].expand(4, 3).clone().requires_grad_()
    got, want, said = split_outcome(by_value, [pred, torch.zeros(4, 3)], [Along(0), Along(0)], ["a", "a", "b", "b"])
    assert not got and want, got
    assert any(PAIRED in m for m in said), said
