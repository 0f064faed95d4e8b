"""Counters of ``for k in range(a, b):`` with bounds the call proves constant (literals, a
parameter of the decorated body holding its default): on a group alone the loop visits the same
ints, so at each iteration ``k`` is the same number, whatever count of the batch it equals
(Taylor cross-entropy's ``(1 - p) ** k / k`` for ``k`` in ``range(1, n + 1)``, survey 30). A
range over the images, the counter read after a loop it may leave early, or a default the caller
overrides with a count, decline. Each body is compared with the oracle on the ``RULE_BATCHES``
(4, 3 and 2 images: ``k`` takes each image count)."""

from __future__ import annotations

import pytest
import torch
from _helpers import RULE_BATCHES, rule_batch, rule_outcome, wrong_companions


def _p(outputs: dict, targets: list[dict]) -> torch.Tensor:
    y = torch.stack([t["y"] for t in targets])
    return (outputs["x"] * y).sum(-1).sigmoid()  # [B, ROWS] in (0, 1)


def taylor_series_of_a_default_order(outputs: dict, targets: list[dict], n: int = 4) -> dict:
    p = _p(outputs, targets)
    loss = 0
    for k in range(1, n + 1):
        loss = loss + (1 - p) ** k / k
    return {"loss_taylor": loss.mean()}


def literal_range_with_a_step(outputs: dict, targets: list[dict]) -> dict:
    p = _p(outputs, targets)
    loss = 0
    for k in range(0, 6, 2):
        loss = loss + p ** (k + 1) / (k + 1)
    return {"loss_series": loss.mean()}


def range_over_the_images(outputs: dict, targets: list[dict]) -> dict:
    p = _p(outputs, targets)
    loss = 0
    for k in range(1, len(targets) + 1):
        loss = loss + (1 - p) ** k / k
    return {"loss_taylor": loss.mean()}


def counter_after_an_early_exit(outputs: dict, targets: list[dict]) -> dict:
    p = _p(outputs, targets)
    for k in range(1, 6):
        if k >= len(targets):
            break
    return {"loss_power": ((1 - p) ** k / k).mean()}


def counter_rebound_in_the_loop(outputs: dict, targets: list[dict]) -> dict:
    p = _p(outputs, targets)
    loss = 0
    for k in range(1, 3):
        loss = loss + (1 - p) ** k / k
        k = len(targets)  # noqa: PLW2901 - a second store: the counter is no longer the range's
        loss = loss + p / k
    return {"loss_taylor": loss.mean()}


def default_overridden_with_the_image_count(outputs: dict, targets: list[dict]) -> dict:
    return taylor_series_of_a_default_order(outputs, targets, n=len(targets))


@pytest.mark.parametrize("body", [taylor_series_of_a_default_order, literal_range_with_a_step])
def test_counters_of_constant_ranges_split(body):
    """Were declined ('a Python number the body computed from a length of its data' at the power,
    then 'by an int equal to the number of images' at ``/ k``): the counter of a range over
    constants is the same at each iteration on a group alone."""
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert set(got) == set(want) and got == pytest.approx(want, rel=1e-5), (seed, said)


@pytest.mark.parametrize("body", [range_over_the_images, counter_after_an_early_exit, counter_rebound_in_the_loop,
                                  default_overridden_with_the_image_count])
def test_counters_that_follow_the_images_decline(body):
    """Near misses: a range bounded by ``len(targets)`` (a helper's default overridden with it
    too), the counter read after a loop that a test of the images' count leaves, a counter the
    loop rebinds to that count: on a group alone another number."""
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, said)
        assert not got, (seed, got)
        assert said, seed
