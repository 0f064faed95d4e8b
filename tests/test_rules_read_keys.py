"""A number read on the host from several images declines only the keys it can change (survey 60,
issue #13).

FCENet's OHEM (survey 60) reads the batch's positive count with ``int()``, tests it (``if n_pos > 0``)
and takes the hardest negatives by ``topk`` of a size computed from it: the compared read, and a
slice after it bounded by a global (``c[:, :2 * K + 1]``, a size the read might have set), declined
the whole call, the keys that never read it too (15 GAP). Where the body's code proves which returned
keys the number (and every value Python computes from it, and every branch it steers) can reach
(``_reach``, the taint analysis of session 44's branches), those keys decline for every group, the
others are the batch's computation on the group's images and split. A field of torch's return types
(``e.topk(k).values``) is a tensor computed as its base was, no object's attribute.

Near misses that must not split: the read steering a branch whose arm scales another key (that key
declines), an arm appending to a list the frame built (a write the analysis does not follow: the call
declines), and those of ``test_rules_host_read_reach`` (an in-place clamp, a draw, a method of a
Python list sized by the read decline the call)."""

from __future__ import annotations

import pytest
from _helpers import RULE_BATCHES, rule_batch, rule_outcome, rule_targets, wrong_companions

W = 3  # a global bound: no literal at the slice, a size a read might have set


def ohem_beside_a_sliced_key(o, t):
    """FCENet's OHEM: the positives and ``3 x`` as many hardest negatives (2 where none is positive)."""
    y = rule_targets(t)
    e = (o["x"] - y).abs()
    pos = y > 0.6
    n_pos = int(pos.sum())
    n_neg = min(int((~pos).sum()), 3 * n_pos) if n_pos > 0 else 2
    hard = e[~pos].topk(n_neg).values.sum()
    return {"loss_ohem": (e[pos].sum() + hard) / float(n_pos + n_neg), "loss": e[..., :W].mean()}


def _ohem(e, pos):
    n_pos = int(pos.sum())
    n_neg = min(int((~pos).sum()), 3 * n_pos) if n_pos else 2
    hard = e[~pos].topk(n_neg)
    return (e[pos].sum() + hard.values.sum()) / (n_pos + n_neg), hard.indices


def ohem_in_a_helper(o, t):
    """The OHEM in a helper returning the hard negatives' indices beside it, and two other keys."""
    y = rule_targets(t)
    e = (o["x"] - y).abs()
    loss, _ = _ohem(e, y > 0.6)
    return {"loss_ohem": loss, "loss": e[..., :W].mean(), "loss_sq": (e ** 2).sum() / e.numel()}


def read_scales_the_other_key(o, t):
    """Near miss: the read also steers a scale of the sliced key (a group alone, fewer positives,
    takes the other arm)."""
    y = rule_targets(t)
    e = (o["x"] - y).abs()
    pos = y > 0.5
    n = int(pos.sum())
    k = min(int((~pos).sum()), 3 * n) if n > 0 else 2
    scale = 2.0 if n > 14 else 1.0
    return {"loss_top": e.flatten().topk(k).values.mean(), "loss": e[..., :W].mean() * scale}


def arm_appends_to_a_list(o, t):
    """Near miss: the arm the read steers appends to a list another key's scale is counted from."""
    y = rule_targets(t)
    e = (o["x"] - y).abs()
    n = int((y > 0.5).sum())
    flags = []
    if n > 14:
        flags.append(1.0)
    return {"loss_top": e.flatten().topk(max(n, 1)).values.mean(), "loss": e[..., :W].mean() * (1 + len(flags))}


def _outcomes(body):
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, got, want)
        yield {k.rsplit("_", 1)[0] for k in got}, {k.rsplit("_", 1)[0] for k in want}, said


@pytest.mark.parametrize("body, reached", [(ohem_beside_a_sliced_key, {"loss_ohem"}),
                                           (ohem_in_a_helper, {"loss_ohem"})])
def test_a_compared_read_declines_only_the_keys_it_reaches(body, reached):
    for got, want, said in _outcomes(body):
        assert got == want - reached, said
        assert all(any(f"'{key}'" in m for m in said) for key in reached), said


def test_a_read_steering_another_keys_scale_declines_that_key_too():
    turned = 0
    for seed, weights in RULE_BATCHES:
        _, t = rule_batch(seed, weights)
        counts = {w: sum(int((s["y"] > 0.5).sum()) for s in t if s["loss_weight"] == w) for w in (1.0, 0.5)}
        turned += sum((c > 14) != (sum(counts.values()) > 14) for c in counts.values())
    assert turned  # a group alone takes the other arm somewhere: a kept 'loss' would be wrong
    for got, _, said in _outcomes(read_scales_the_other_key):
        assert got == set(), said


def test_an_arm_writing_a_list_declines_the_call():
    for got, _, said in _outcomes(arm_appends_to_a_list):
        assert got == set() and said


def rate_beside(o, t):
    """A logged rate over the square root of a count read by ``float()``, the count kept in a local
    tensor (no count rule takes it; over the count itself it is the ratio of two sums)."""
    y = rule_targets(t)
    cnt = ((o["x"] > 0.5) & (y <= 0.5)).sum()
    return {"loss": (o["x"] - y).abs().mean(), "fp": cnt / max(float((y <= 0.5).sum()), 1.0) ** 0.5}


def test_an_unaccounted_read_declines_its_keys_but_not_on_a_batch_of_one_group():
    for got, want, said in _outcomes(rate_beside):
        assert got == want - {"fp"}, said
    got, want, said = rule_outcome(rate_beside, rule_batch(3, [1.0, 1.0, 1.0]))  # the group is the batch
    assert "loss_real" in got and not wrong_companions(got, want), said  # ('fp' declines by a rule of sums there)
    assert not any("reach these keys" in m for m in said), said


def narrowed_top(o, t):
    y = rule_targets(t)
    e = (o["x"] - y).abs()
    k = max(int((y > 0.5).sum() * 0.25), 1)
    return {"loss": e.mean(), "loss_top": e.flatten().narrow(0, 0, k).mean()}


def test_a_reached_key_of_a_batch_of_one_group_is_its_value():
    """Every image in one group with every weight 1: each key's companion is its value as returned,
    the reached one too (survey 35's Rho-1 on its one example)."""
    for got, want, said in _outcomes(narrowed_top):
        assert got == want - {"loss_top"}, said
    got, want, said = rule_outcome(narrowed_top, rule_batch(3, [1.0, 1.0, 1.0]))
    assert set(got) == set(want) == {"loss_real", "loss_top_real"} and not wrong_companions(got, want), said
