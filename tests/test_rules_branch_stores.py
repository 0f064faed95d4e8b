"""A local stored in each arm of an ``if`` inside a loop over the images, then used with a constant
(survey 55's PoseCNN ShapeMatch: ``if sym: d = cdist(..).min(1) else: d = (a - b) ** 2``, then
``0.5 * d.mean()``): no one store runs first in every iteration, but one of them does on every path,
so the value is this iteration's, not carried from the last (was read as carried: the key
declined). Against the oracle, with near misses that carry a value from an earlier image."""

from __future__ import annotations

import torch
from _helpers import count_outcomes


def either_arm(o, t):
    """Each image's error by one of two formulas, chosen by its instances, halved."""
    losses = []
    for i, s in enumerate(t):
        y = s["y"]
        if len(s["labels"]) > 1:
            d = torch.cdist(o["x"][i], y).pow(2).min(dim=1).values
        else:
            d = (o["x"][i] - y).pow(2).sum(-1)
        losses.append(0.5 * d.mean())
    return {"loss": torch.stack(losses).mean()}


def one_arm_only(o, t):
    """Near miss: only one arm stores, so an image with one instance reuses the previous image's
    error (on a group alone, another image's or the initial one)."""
    losses = []
    d = torch.zeros(3)
    for i, s in enumerate(t):
        if len(s["labels"]) > 1:
            d = (o["x"][i] - s["y"]).pow(2).sum(-1)
        losses.append(0.5 * d.mean())
    return {"loss": torch.stack(losses).sum()}


def arm_carries_the_last(o, t):
    """Near miss: both arms store, one from the value carried from the previous image."""
    losses = []
    d = torch.zeros(3)
    for i, s in enumerate(t):
        e = (o["x"][i] - s["y"]).pow(2).sum(-1)
        if len(s["labels"]) > 1:
            d = d * 0.5 + e
        else:
            d = e
        losses.append(0.5 * d.mean())
    return {"loss": torch.stack(losses).sum()}


def test_a_value_stored_in_either_arm_splits_exactly():
    seen, said = count_outcomes(either_arm)
    assert seen == ["exact"] * len(seen), said


def test_a_value_stored_in_one_arm_declines():
    seen, said = count_outcomes(one_arm_only)
    assert "wrong" not in seen and "declined" in seen, (seen, said)


def test_an_arm_carrying_the_last_value_declines():
    seen, said = count_outcomes(arm_carries_the_last)
    assert "wrong" not in seen and "declined" in seen, (seen, said)
