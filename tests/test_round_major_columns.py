"""Image rows viewed as columns, with one label per row from ``losssplit.sources``: GRPO over
round-major completions (row ``k · P + p``: prompt ``p``'s ``k``-th completion), ``r.view(G, -1)``
puts each prompt's rewards down a column, standardised along dim 0. On a group alone its rows, in
the batch's order, viewed so are exactly the batch's columns that hold them, in order, where every
column's images are of one group (and weight), the last size ``-1`` and the others constants.
Exact there; a column straddling two sources declines, its warning naming the key and the op; other
cuts of the rows (a size from the rows, ``view(-1, P)`` with ``P`` fixed, prompt-major order paired
with round-major rows) decline or split as the oracle."""

from __future__ import annotations

import pytest
import torch
from _helpers import (
    TARGETS,
    Along,
    companions,
    logged_warnings,
    oracle_companions,
    split_and_compare,
    split_outcome,
    wrong_companions,
)

G = 3
P_FIXED = 2


def _args(n: int, seed: int) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(n, 4, generator=g).requires_grad_(), torch.randn(n, 4, generator=g)]


def grpo_rounds(pred, ref):
    """Round-major GRPO's shape: each completion's reward, ``view(G, -1)``, standardised down each
    column (a prompt), back to the rows, times each row's own term."""
    r = (pred - ref).pow(2).mean(1).detach()
    rv = r.view(G, -1)
    adv = ((rv - rv.mean(0, keepdim=True)) / (rv.std(0, keepdim=True) + 1e-4)).reshape(-1, 1)
    return {"loss": (pred.tanh() * adv).mean(), "col_mean": rv.mean(0).pow(2).mean()}


def rounds_by_two(pred, ref):
    """The same cut with another constant: ``view(2, -1)`` of ``2 · P'`` rows, columns of 2."""
    r = (pred - ref).pow(2).mean(1)
    rv = r.view(2, -1)
    return {"loss": (rv - rv.mean(0, keepdim=True)).pow(2).mean()}


def two_rounds_kept(pred, ref):
    """The first two rounds (a pick along the rounds), joined and averaged."""
    r = (pred - ref).pow(2).mean(1)
    return {"loss": r.view(G, -1)[:2].reshape(-1).exp().mean()}


def rows_counted(pred, ref):
    """Near miss: the rounds' count read from the rows (``shape[0] // 3``): on a group alone its
    own rows' count, the columns cut elsewhere."""
    r = (pred - ref).pow(2).mean(1)
    rv = r.view(r.shape[0] // 3, -1)
    return {"loss": (rv - rv.mean(0, keepdim=True)).pow(2).mean()}


def prompts_fixed(pred, ref):
    """Near miss: ``view(-1, P)`` with the prompts' count fixed: blocks of consecutive rows (a
    round each), of several sources where prompts are."""
    r = (pred - ref).pow(2).mean(1)
    rv = r.view(-1, P_FIXED)
    return {"loss": (rv - rv.mean(0, keepdim=True)).pow(2).mean()}


def prompt_major_paired(pred, ref):
    """Near miss: the columns turned prompt-major (``.t().reshape(-1)``) then paired with the
    round-major rows: on a group alone other rows pair."""
    r = (pred - ref).pow(2).mean(1)
    adv = r.view(G, -1).t().reshape(-1).detach()
    return {"loss": (pred.sum(1) * adv).mean()}


def across_columns(pred, ref):
    """Each round's mean over its prompts (along the columns, the images' dim)."""
    r = (pred - ref).pow(2).mean(1)
    rv = r.view(G, -1)
    return {"loss": (rv - rv.mean(1, keepdim=True)).pow(2).mean()}


def outcome(body, labels, seed=0, rounds=G):
    return split_outcome(body, _args(len(labels) * rounds, seed), [Along(0), Along(0)], labels * rounds)


def check_exact(body, labels, seed=0, rounds=G):
    got, want, said = outcome(body, labels, seed, rounds)
    assert not said, said
    assert set(got) == set(want) and want, (got, want)
    assert not wrong_companions(got, want), wrong_companions(got, want)


PROMPTS = [["a", "b", "a", "c"], ["b", "b", "a"], ["a", "a", "a"], ["c"], ["a", "b"], ["b", "c", "a"]]


@pytest.mark.parametrize("prompts", PROMPTS)
def test_columns_of_one_source_are_exact(prompts):
    for seed in range(3):
        check_exact(grpo_rounds, prompts, seed)


@pytest.mark.parametrize("prompts", [["a", "b", "a"], ["b", "a"], ["a"]])
def test_another_constant_and_a_pick_of_rounds_are_exact(prompts):
    check_exact(rounds_by_two, prompts, rounds=4)
    check_exact(two_rounds_kept, prompts)


def one_round(pred, ref):
    """``view(1, -1)``: every row a column of its own."""
    r = (pred - ref).pow(2).mean(1)
    rv = r.view(1, -1)
    return {"loss": (pred.tanh() * (rv - rv.mean(0, keepdim=True)).reshape(-1, 1)).mean() + rv.mean()}


def test_one_round_and_as_many_rounds_as_prompts():
    check_exact(one_round, ["a", "b", "a"], rounds=1)
    check_exact(grpo_rounds, ["a", "b", "c"])  # G == P


def labelled(rows):
    """Labels given row by row (``outcome`` repeats a prompt list ``G`` times)."""
    return split_outcome(grpo_rounds, _args(len(rows), 0), [Along(0), Along(0)], rows)


@pytest.mark.parametrize("rows", [
    ["a", "b", "b", "a", "a", "b"],  # column 0 is a, b, a (each group's rows a whole number of rounds)
    ["a", "b", "b", "a", "b", "a"],
    ["a", "a", "a", "a", "a", "b", "b", "b", "a"],  # two columns straddle in the last rounds
])
def test_a_column_straddling_two_sources_declines(rows):
    got, want, said = labelled(rows)
    assert not got, got
    assert said and all("Tensor.view" in m for m in said[:1]), said
    assert any("'loss'" in m or "no companions for this call" in m for m in said), said


@pytest.mark.parametrize("body, rounds", [(rows_counted, 3), (prompts_fixed, 4)])
@pytest.mark.parametrize("prompts", [["a", "b", "a", "b"], ["b", "a"]])
def test_sizes_that_cut_a_group_elsewhere_decline(body, rounds, prompts):
    got, want, said = outcome(body, prompts, rounds=rounds)
    assert not got and want, got
    assert any("Tensor.view" in m for m in said), said


@pytest.mark.parametrize("prompts", [["a", "b", "a", "c"], ["b", "a"]])
def test_prompt_major_paired_with_round_major_rows_declines(prompts):
    got, want, said = outcome(prompt_major_paired, prompts)
    assert not got and want, got
    assert said, said


@pytest.mark.parametrize("prompts", [["a", "b", "a", "c"], ["b", "b", "a"], ["a", "a", "a"]])
def test_a_mean_along_the_columns_is_exact_or_declines(prompts):
    got, want, said = outcome(across_columns, prompts)
    assert not wrong_companions(got, want), wrong_companions(got, want)
    assert got or said


def weighted(pred, targets):
    r = pred.pow(2).mean(1)
    rv = r.view(2, -1)
    return {"loss": (rv - rv.mean(0, keepdim=True)).pow(2).mean()}


@pytest.mark.parametrize("weights, message", [
    ([1.0, 0.5, 1.0, 0.5], None),
    ([1.0, 0.5, 0.5, 1.0], "Tensor.view (a dim split into rows of several images)"),
])
def test_columns_by_target_groups(weights, message):
    g = torch.Generator().manual_seed(1)
    pred = torch.randn(4, 3, generator=g).requires_grad_()
    got, want, said = split_outcome(weighted, [pred, [{"loss_weight": w} for w in weights]], [Along(0), TARGETS])
    assert not wrong_companions(got, want), wrong_companions(got, want)
    if message is None:
        assert set(got) == set(want) and want and not said, (got, want, said)
    else:
        assert not got and any(message in m for m in said), said


def _on_device(rows, seed=0):
    """(companions, oracle companions, warnings) of ``grpo_rounds`` with the sources a float tensor
    (grouped on the device, not known on the host: the columns checked with the call's one read)."""
    args = _args(len(rows), seed)
    with logged_warnings() as said:
        out = split_and_compare(grpo_rounds, args, torch.tensor(rows))
    want = oracle_companions(grpo_rounds, args, [Along(0), Along(0)], rows,
                             group_of=lambda v: "real" if v >= 0.9 else "synthetic")
    return companions(out), want, said


@pytest.mark.parametrize("rows", [[1.0, 0.5] * 3, [0.5, 0.5, 1.0] * 3, [1.0] * 6])
def test_columns_of_one_source_checked_on_the_device_are_exact(rows):
    for seed in range(2):
        got, want, said = _on_device(rows, seed)
        assert not said and want and set(got) == set(want), (got, want, said)
        assert not wrong_companions(got, want), wrong_companions(got, want)


@pytest.mark.parametrize("rows", [[1.0, 0.5, 0.5, 1.0, 1.0, 0.5], [1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 1.0]])
def test_a_column_straddling_two_sources_on_the_device_declines_the_call(rows):
    got, want, said = _on_device(rows)
    assert want and got == {}, (got, said)
    assert any("a dim split at Tensor.view holds rows of images of different sources in one column" in m
               and "no companions for this call" in m for m in said), said


@pytest.mark.parametrize("weights, exact", [([1.0, 0.5, 1.0, 0.5], True), ([1.0, 0.5, 0.5, 1.0], False)])
def test_a_column_of_two_weights_declines(weights, exact):
    """Sources from the loop, weights per image: a column of one source but two weights declines
    (one weight per column is what the weight field set to 1 replaces)."""
    g = torch.Generator().manual_seed(2)
    pred = torch.randn(4, 3, generator=g).requires_grad_()
    got, want, said = split_outcome(weighted, [pred, [{"loss_weight": w} for w in weights]], [Along(0), TARGETS],
                                    ["a", "b", "a", "b"])
    assert not wrong_companions(got, want), wrong_companions(got, want)
    if exact:
        assert set(got) == set(want) and want and not said, (got, want, said)
    else:
        assert not got and any("'loss'" in m and "Tensor.view" in m for m in said), said
