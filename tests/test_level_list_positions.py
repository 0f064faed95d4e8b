"""A loop over a list argument each of whose items is of every image (PWC-Net's flows per level,
``[B, 2, h, w]`` each) runs over the levels: a weight from its position (``zip((0.32, 0.08),
flows)``, ``0.5 ** i`` over ``enumerate(flows)``) is the same on a group alone. Was taken for a
loop over the images and declined. Near misses: a loop over the per-image targets, whose positions
are the images' (a field of as many rows as the images too: declined), and a list of levels the
body changes first."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import PER_IMAGE, Along, split_outcome, wrong_companions

SOURCES = (["a", "b", "a", "c"], ["b", "b", "c"], ["a"], ["a", "b"])


def _levels(seed: int) -> tuple[list, list, list]:
    g = torch.Generator().manual_seed(seed)
    b = len(SOURCES[seed])
    gt = torch.randn(b, 2, 8, 8, generator=g)
    flows = [torch.randn(b, 2, s, s, generator=g).requires_grad_() for s in (8, 4, 2)]
    return [flows, gt], [Along(0), Along(0)], SOURCES[seed]


def _per_image(seed: int) -> tuple[list, list, list]:
    g = torch.Generator().manual_seed(seed)
    b = len(SOURCES[seed])
    targets = [{"y": torch.randn(5, 7, generator=g)} for _ in range(b)]
    return [torch.randn(b, 5, 7, generator=g).requires_grad_(), targets], [Along(0), PER_IMAGE], SOURCES[seed]


def zipped_with_level_weights(flows, gt):
    total = 0
    for weight, flow in zip((0.32, 0.08, 0.02), flows):
        target = F.interpolate(gt * 0.05, size=flow.shape[-2:], mode="area")
        total = total + weight * torch.norm(flow - target, p=2, dim=1).sum() / flow.size(0)
    return {"loss_flow": total}


def weighted_by_the_level_position(flows, gt):
    total = 0
    for i, flow in enumerate(flows):
        target = F.interpolate(gt, size=flow.shape[-2:], mode="area")
        total = total + 0.5 ** i * (flow - target).abs().mean()
    return {"loss_flow": total}


def _per_image_with_as_many_rows(seed: int) -> tuple[list, list, list]:
    """Per-image targets with a field of as many rows as the images (each image's own)."""
    g = torch.Generator().manual_seed(seed)
    b = len(SOURCES[seed])
    targets = [{"y": torch.randn(b, 7, generator=g), "labels": torch.arange(5)} for _ in range(b)]
    return [torch.randn(b, b, 7, generator=g).requires_grad_(), targets], [Along(0), PER_IMAGE], SOURCES[seed]


def weighted_by_the_image_position(preds, targets):
    total = 0
    for i, t in enumerate(targets):
        total = total + 0.5 ** i * (preds[i] - t["y"]).abs().mean()
    return {"loss": total}


def levels_changed_first(flows, gt):
    flows.append(flows[0] * 2)
    total = 0
    for i, flow in enumerate(flows):
        total = total + 0.5 ** i * (flow - F.interpolate(gt, size=flow.shape[-2:], mode="area")).abs().mean()
    flows.pop()
    return {"loss_flow": total}


@pytest.mark.parametrize("body", [zipped_with_level_weights, weighted_by_the_level_position], ids=lambda b: b.__name__)
def test_weights_by_a_levels_position_split_as_the_oracle(body):
    for seed in range(len(SOURCES)):
        got, want, said = split_outcome(body, *_levels(seed))
        assert got and set(got) == set(want), (seed, said)
        assert not wrong_companions(got, want), seed
        assert not said, said


@pytest.mark.parametrize("body, batch", [(weighted_by_the_image_position, _per_image),
                                         (weighted_by_the_image_position, _per_image_with_as_many_rows),
                                         (levels_changed_first, _levels)],
                         ids=["per-image targets", "per-image targets of as many rows as images", "levels changed first"])
def test_weights_by_an_images_position_decline(body, batch):
    for seed in (0, 1, 3):
        got, want, said = split_outcome(body, *batch(seed))
        assert want and not got, (seed, got)
        assert any("position" in m or "Tensor.mul" in m for m in said), said
