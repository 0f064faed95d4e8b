"""A number read on the host from a value that mixes the images (OHEM's threshold, the batch's
sorted probabilities at a position, ``max(sort_prob[k].item(), 0.7)``): on a group alone it is the
group's, so every key it may change declines; where the body's code proves which keys those are
(``_reach``), only they decline and the others split (``mode``: a read of a lost value of the
predictions noted as a decision every group may take otherwise). Declined the whole call before.
Each body against the oracle; near misses (the number reaching every key, passed to a helper,
written into a tensor by a subscript) decline, none silently wrong."""

from __future__ import annotations

import pytest
from _helpers import split_outcome, wrong_companions
from test_rules_data_over_reads import SEEDS, _batch


def _run(body, seed: int) -> tuple[dict, dict, list[str], bool]:
    args, kinds, labels = _batch(seed)
    got, want, said = split_outcome(body, args, kinds, labels)
    assert not wrong_companions(got, want), (seed, got, want)
    return got, want, said, len(set(labels)) > 1


def hard_values_under_the_batchs_threshold(x, ign, rare):
    valid = ign != 255
    v = x.detach()
    threshold = max(v[valid].sort().values[5].item(), -0.5)
    hard = (v < threshold).float()
    return {"loss_hard": (x * hard).sum() / hard.numel(), "loss": (x * valid).sum() / valid.sum()}


def test_only_the_keys_the_read_reaches_decline() -> None:
    for seed in SEEDS:
        got, want, said, mixed = _run(hard_values_under_the_batchs_threshold, seed)
        plain = {c for c in want if c.startswith("loss_") and not c.startswith("loss_hard_")}
        assert plain and plain <= set(got), (seed, said)
        if mixed:
            assert not any(c.startswith("loss_hard_") for c in got), got
            assert any("'loss_hard'" in m for m in said), said


# --- near misses: every key the number may reach declines, never wrong ------------------------------
def threshold_scales_every_key(x, ign, rare):
    """The number scales ``loss`` (declined); ``loss_plain``, the value before, splits (checked exact)."""
    valid = ign != 255
    v = x.detach()
    threshold = max(v[valid].sort().values[5].item(), -0.5)
    loss = (x * valid).sum() / valid.sum()
    return {"loss": loss * (2.0 + threshold), "loss_plain": loss.detach()}


def _shifted(t):
    return t - 0.1


def threshold_through_a_helper(x, ign, rare):
    valid = ign != 255
    v = x.detach()
    threshold = _shifted(max(v[valid].sort().values[5].item(), -0.5))
    return {"loss_hard": (x * (v < threshold)).sum(), "loss": (x * valid).sum() / valid.sum()}


def threshold_written_into_a_tensor(x, ign, rare):
    """OHEM's ``weight[valid & (prob < threshold)] = 1.0``: a write the reach of keys does not follow."""
    valid = ign != 255
    v = x.detach()
    weight = v * 0
    threshold = max(v[valid].sort().values[5].item(), -0.5)
    weight[valid & (v < threshold)] = 1.0
    return {"loss_hard": (x * weight).sum(), "loss": (x * valid).sum() / valid.sum()}


@pytest.mark.parametrize("body, declined", [(threshold_scales_every_key, {"loss"}),
                                            (threshold_through_a_helper, {"loss_hard", "loss"}),
                                            (threshold_written_into_a_tensor, {"loss_hard", "loss"})],
                         ids=lambda v: getattr(v, "__name__", ""))
def test_near_misses_decline_every_key_the_number_may_reach(body, declined: set[str]) -> None:
    for seed in SEEDS:
        got, want, said, mixed = _run(body, seed)
        if mixed:
            assert not any(c.rsplit("_", 1)[0] in declined for c in got), (seed, got)
            assert said
