"""Phases on ``torch.angle``'s branch cut, added or subtracted before a periodic op reads them.

A value real but for rounding has the phase pi or -pi by its last bits, which the batch's STFT may
round otherwise than a group's alone (``test_rules_elementwise``: such phases decline where an op
other than ``polar``, ``sin`` or ``cos`` reads them). A sum or difference of such phases, or one
negated, is off by a multiple of 2 pi as they are, so ``cos(angle(s) - angle(y))`` (the
phase-sensitive target of mask-based speech enhancement, survey 57's PSA) is the same either way and
splits; the difference read otherwise (``abs``, a mean), scaled by a number that is no whole multiple
(``0.5 * phase``) or subtracted with ``alpha=`` still declines.
"""

from __future__ import annotations

import pytest
import torch
from _helpers import RULE_BATCHES, rule_batch, rule_outcome, wrong_companions

from losssplit._capture.mode import on_branch_cut


def _spectra(outputs, targets):
    """Centred STFTs (8-point frames every 2 samples) of the predictions and of the targets: each
    signal's first frame is symmetric, real but for rounding, half of it on the branch cut."""
    y = torch.stack([t["y"] for t in targets])
    window = torch.hann_window(8)
    return (torch.stft(outputs["x"].flatten(1), 8, 2, window=window, return_complex=True),
            torch.stft(y.flatten(1), 8, 2, window=window, return_complex=True))


def _difference(o, t):
    s, y = _spectra(o, t)
    return torch.angle(s) - torch.angle(y)


def phase_sensitive(o, t):
    s, y = _spectra(o, t)
    target = (y.abs() * torch.cos(y.angle() - s.angle())).clamp(min=0)
    return {"loss": (s.abs() - target).pow(2).mean()}


SPLITS = {
    "cos_of_difference": lambda o, t: {"loss": torch.cos(_difference(o, t)).mean()},
    "sin_of_negated_sum": lambda o, t: {"loss": (-(torch.angle(_spectra(o, t)[0]) + 0.25)).sin().abs().mean()},
    "phase_sensitive": phase_sensitive,
}

DECLINES = {
    "abs_of_difference": lambda o, t: {"loss": _difference(o, t).abs().mean()},
    "mean_of_difference": lambda o, t: {"loss": _difference(o, t).mean()},
    "cos_of_half_phase": lambda o, t: {"loss": torch.cos(0.5 * torch.angle(_spectra(o, t)[0])).mean()},
    "cos_of_scaled_difference": lambda o, t: {"loss": torch.cos(torch.sub(
        torch.angle(_spectra(o, t)[0]), torch.angle(_spectra(o, t)[1]), alpha=0.5)).mean()},
}


def test_the_batches_have_phases_on_the_cut():
    """The test is about such spectra: the batch's are within rounding of the cut."""
    for seed, weights in RULE_BATCHES:
        assert on_branch_cut(_spectra(*rule_batch(seed, weights))[0].detach())


@pytest.mark.parametrize("name", SPLITS)
def test_phases_added_or_subtracted_then_read_by_a_periodic_op_split_as_the_oracle(name):
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(SPLITS[name], rule_batch(seed, weights))
        assert want and not wrong_companions(got, want), (seed, said)
        assert set(got) == set(want), (seed, said)


@pytest.mark.parametrize("name", DECLINES)
def test_phase_sums_read_otherwise_decline_at_the_branch_cut(name):
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(DECLINES[name], rule_batch(seed, weights))
        assert want and not wrong_companions(got, want), (seed, said)
        assert got == {} and any("branch cut" in m for m in said), (seed, got, said)
