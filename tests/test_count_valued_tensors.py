"""Tensors of no image whose values the body computes from the number of images along a dim of
that many entries (``new_ones(B) / len(t)``, ``(1 / len(t)) * torch.ones(len(t))``,
``torch.full((B,), 1.0 / B)``, ``torch.tensor(float(len(t))).expand(len(t))``) met the images'
rows as constants: each group got the batch's ``1 / B`` per row, while on a group alone the body
computes ``1 / n_g`` (silently wrong, found in session 28). They decline now
(``mode._count_valued``, asked only at factories sized by a count, arithmetic of their outputs
with a Python number, and spreads of a one-element tensor of a count). The same forms with a
literal or a constant of the body, and ``torch.ones(len(t))`` itself, split."""

from __future__ import annotations

import pytest
import torch
from _helpers import RULE_BATCHES, check_rule, rule_batch, rule_outcome, wrong_companions


def _r(o):
    return o["x"].mean((1, 2))


COUNT_VALUED = {
    "reciprocal_times_ones": lambda o, t: {"loss": (_r(o) * ((1.0 / len(t)) * torch.ones(len(t)))).sum()},
    "count_tensor_expanded": lambda o, t: {"loss": (_r(o) * torch.tensor(float(len(t))).expand(len(t))).sum()},
    "reciprocal_tensor_expanded": lambda o, t: {"loss": (_r(o) * torch.tensor(1.0 / len(t)).expand(len(t))).sum()},
    "ones_over_len": lambda o, t: {"loss": (_r(o) + o["x"].new_ones(len(t)) / len(t)).sum()},
    "ones_times_ratio": lambda o, t: {"loss": (_r(o) + torch.ones(len(t)) * (2.0 / len(t))).sum()},
    "scaled_ones_over_len": lambda o, t: {"loss": (_r(o) * (torch.ones(len(t)) * 2 / len(t))).sum()},
    "full_of_reciprocal": lambda o, t: {"loss": (_r(o) * torch.full((len(t),), 1.0 / len(t))).sum()},
    "new_full_of_reciprocal": lambda o, t: {"loss": (_r(o) * o["x"].new_full((len(t),), 1.0 / len(t))).sum()},
    "uniform_weights_local": lambda o, t: _uniform_weights(o, t),
}


def _uniform_weights(o, t):
    n = len(t)
    w = torch.full((n,), 1.0 / n)
    return {"loss": (_r(o) * w).sum()}


@pytest.mark.parametrize("name", list(COUNT_VALUED))
def test_values_computed_from_the_count_decline(name):
    check_rule(COUNT_VALUED[name], "of values the body computed from a length of its data", declines=True)


@pytest.mark.parametrize("name", list(COUNT_VALUED))
def test_values_computed_from_the_count_are_wrong_undeclined(name, monkeypatch):
    """Without the decline the companions differ from the oracle: the tests above can fail."""
    from losssplit._capture import mode

    monkeypatch.setattr(mode, "_count_valued", lambda *a: False)
    assert any(wrong_companions(*rule_outcome(COUNT_VALUED[name], rule_batch(s, w))[:2])
               for s, w in RULE_BATCHES)


SCALE = 0.25


def _ones_weights(o, t):
    weights = torch.ones(len(t))
    return {"loss": (_r(o) * weights).sum() / len(t)}


@pytest.mark.parametrize("body", [
    lambda o, t: {"loss": (_r(o) * (0.25 * torch.ones(len(t)))).sum()},
    lambda o, t: {"loss": (_r(o) + o["x"].new_ones(len(t)) / 4.0).sum()},
    lambda o, t: {"loss": (_r(o) + torch.ones(len(t)) * SCALE).sum()},
    lambda o, t: {"loss": (_r(o) * torch.tensor(3.0).expand(len(t))).sum() / len(t)},
    lambda o, t: {"loss": (_r(o) * torch.ones(len(t))).sum()},
    _ones_weights,
    lambda o, t: {"loss": (_r(o) * torch.ones(len(t))).mean()},
    lambda o, t: {"loss": (_r(o) * o["x"].new_full((len(t),), 2.0)).sum()},
    lambda o, t: {"loss": (_r(o) + torch.ones(len(t)) * 2 / 4.0).sum()},
    lambda o, t: {"loss": (_r(o) + torch.zeros(len(t))).sum() / len(t)},
], ids=["literal_factor", "literal_divisor", "global_factor", "literal_tensor", "ones_weights",
        "ones_weights_local_normalised", "ones_weights_mean", "new_full_literal", "scaled_by_literals",
        "zeros_normalised_after"])
def test_values_of_constants_along_the_count_split(body):
    check_rule(body, "")


@pytest.mark.parametrize("body", [
    lambda o, t: {"loss": (_r(o) * torch.tensor(1.0 / len(t))).sum()},
    lambda o, t: {"loss": (_r(o) * torch.tensor(float(len(t)))).sum()},
], ids=["reciprocal_tensor", "count_tensor"])
@pytest.mark.xfail(strict=True, reason="known WRONG, pre-existing (found in session 28 by cnt): a one-element "
                   "tensor of a number computed from len(targets) met by the rows elementwise (not as a "
                   "normaliser of their sum) is read as a constant")
def test_one_element_count_tensors_on_rows_decline(body):
    check_rule(body, "", declines=True)
