"""A count read on the host (``max(m.sum().item(), 1)``) that divides a loss whose images mix as well as
losses that split: the mixing key is declined at its own op, and the read's use there, on a value
already lost, steers no companion, so the other keys keep theirs (YOLO-World's region-text BCE beside
a GLIP-style batch vocabulary, survey 52: the read declined the whole call). A read that also reaches
an op the capture does not follow on a value not lost still declines the call."""

from __future__ import annotations

import pytest
import torch
from _helpers import RULE_BATCHES, rule_batch, rule_outcome, rule_targets


def own_and_mixed(o, t):
    y = rule_targets(t)
    m = y > 0.5
    n = max(m.sum().item(), 1)
    own = ((o["x"] - y).abs() * m).sum() / n
    mixed = (o["x"] * o["x"].roll(1, 0)).sum() / n
    return {"loss_own": own, "loss_mixed": mixed}


def own_and_unfollowed(o, t):
    y = rule_targets(t)
    m = y > 0.5
    n = max(m.sum().item(), 1)
    own = ((o["x"] - y).abs() * m).sum() / n
    mixed = (o["x"] * o["x"].roll(1, 0)).sum() / n
    scaled = torch.full_like(o["x"], n)  # the number as the values of a new tensor: not followed
    return {"loss_own": own, "loss_mixed": mixed, "loss_scaled": ((o["x"] - y).abs() * scaled).mean()}


def test_a_read_dividing_a_mixing_loss_leaves_the_other_keys_split():
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(own_and_mixed, rule_batch(seed, weights))
        own = {k: v for k, v in want.items() if k.startswith("loss_own")}
        assert set(got) == set(own), (seed, said)
        assert got == pytest.approx(own, rel=1e-5, abs=1e-6), seed
        assert any("'loss_mixed'" in m for m in said), said


def test_a_read_reaching_an_unfollowed_op_still_declines_the_call():
    for seed, weights in RULE_BATCHES[:2]:
        got, want, said = rule_outcome(own_and_unfollowed, rule_batch(seed, weights))
        assert got == {}, (seed, got)
