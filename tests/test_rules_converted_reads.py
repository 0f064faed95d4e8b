"""A number read on the host whose flow passes through the builtins ``int`` / ``float`` (Rho-1's
``k = int(ratio * int(mask.sum()))`` into ``topk``, its indices set in a mask, survey 44): the converted number is the same
number's value, followed on to the ops the capture sees (``_bytecode._NUMBER_CONVERTERS``), so only
the keys it reaches decline (the top-k over the batch mixes the images) and the others split. Declined
the whole call before (a call of ``int`` was taken for a function that might use the number unseen).
Each body against the oracle; near misses (the converted number tested in Python, given to ``math``,
to a rebound ``int``, or a divisor computed from it) decline, none silently wrong."""

from __future__ import annotations

import math

import pytest
import torch
from _helpers import split_outcome
from test_rules_data_over_reads import SEEDS, _batch, _outcomes


# --- split: the key the number does not reach is exact, the other declines (batches of several groups)
def rho1_k_of_a_fraction_of_the_count(x, ign, rare):
    valid = ign != 255
    k = int(0.6 * int(valid.sum()))
    flat = x.detach().flatten()
    keep = torch.zeros_like(flat, dtype=torch.bool)
    keep[flat.topk(k).indices] = True  # the batch's k largest: the images mix
    keep = keep.view_as(x)
    return {"loss_top": (x * keep).sum() / keep.sum(), "loss_ce": (x * valid).sum() / valid.sum()}


def float_of_an_int_read_divides(x, ign, rare):
    """``float(int(...))``: the read count itself, the divisor of a sum of the rows."""
    valid = ign != 255
    n = float(int(valid.sum()))
    return {"loss": (x * valid).sum() / n}



def test_a_count_converted_into_topk_declines_only_the_key_it_reaches() -> None:
    for seed in SEEDS:
        args, kinds, labels = _batch(seed)
        got, want, said = split_outcome(rho1_k_of_a_fraction_of_the_count, args, kinds, labels)
        ce = {c for c in want if c.startswith("loss_ce_")}
        assert ce and ce <= set(got), (seed, said)
        assert {c: got[c] for c in ce} == pytest.approx({c: want[c] for c in ce}, rel=1e-5, abs=1e-6)
        if len(set(labels)) > 1:
            assert not any(c.startswith("loss_top_") for c in got), (seed, got)
            assert any("'loss_top'" in m for m in said), said


def test_a_converted_read_count_divides_as_the_count() -> None:
    assert _outcomes(float_of_an_int_read_divides) == ["exact"] * len(SEEDS)


# --- near misses: declined, never wrong ------------------------------------------------------------
def converted_count_tested(x, ign, rare):
    """``if int(n * 0.5) > 3:``: a Python branch on the converted number (on a group alone its own)."""
    valid = ign != 255
    n = int(valid.sum())
    scale = 2.0 if int(n * 0.5) > 3 else 1.0
    return {"loss": (x * valid).sum() * scale}


def converted_count_through_math(x, ign, rare):
    """``math.floor``: a function that is neither the builtin conversion nor torch's."""
    valid = ign != 255
    k = math.floor(0.6 * int(valid.sum()))
    return {"loss": (x * valid).sum() / max(k, 1)}


def converted_by_a_rebound_name(x, ign, rare):
    to_int = int  # the same builtin under another name: not proven a conversion
    valid = ign != 255
    k = to_int(0.5 * float(valid.sum()))
    return {"loss": (x * valid).sum() / max(k, 1)}


def divisor_computed_from_the_converted_count(x, ign, rare):
    """``int(n / 7)``: on a group alone computed from the group's count, no row sum of it."""
    valid = ign != 255
    d = int(float(valid.sum()) / 7) + 1
    return {"loss": (x * valid).sum() / d}


NEAR = [converted_count_tested, converted_count_through_math, converted_by_a_rebound_name,
        divisor_computed_from_the_converted_count]


@pytest.mark.parametrize("body", NEAR, ids=lambda b: b.__name__)
def test_near_misses_decline_and_none_is_wrong(body) -> None:
    seen = _outcomes(body)
    assert "wrong" not in seen, seen
    assert "declined" in seen, seen
