"""Masks combined in place (``|=``, ``&=``, ``^=``, ``logical_or_``...; survey 55's SCHP label edges
``e[:, :, :-1] |= lab[..., :-1] != lab[..., 1:]``): each position with the value at the same
position, followed as ``add_`` is (before: no rule, so the write through a view lost every key
computed from the mask). Against the oracle, with near misses where the images mix that decline."""

from __future__ import annotations

import pytest
import torch
from _helpers import count_outcomes


def _labels(t):
    return torch.stack([s["y"] for s in t]) > 0.5


def edges_or(o, t):
    """SCHP's label edges: a pixel whose label differs from its right or lower neighbour."""
    lab = _labels(t)
    e = torch.zeros_like(lab)
    e[:, :, :-1] |= lab[:, :, :-1] != lab[:, :, 1:]
    e[:, :-1, :] |= lab[:, :-1, :] != lab[:, 1:, :]
    return {"loss": (o["x"] * e).sum() / e.sum().clamp(min=1)}


def kept_and(o, t):
    """A mask narrowed in place over a slice of each image's columns."""
    keep = _labels(t)
    keep[..., 1:] &= o["x"][..., 1:].detach() > 0.3
    return {"loss": (o["x"] * keep).sum() / keep.sum().clamp(min=1)}


def toggled_xor_method(o, t):
    """``logical_xor_`` of the whole mask by another mask of the same images (a method, not a view)."""
    keep = _labels(t)
    keep.logical_xor_(o["x"].detach() > 0.6)
    return {"loss": (o["x"] * keep).mean()}


def or_of_the_next_image(o, t):
    """Near miss: each image's mask or-ed with the next image's (``e[:-1] |= lab[1:]``): they mix."""
    lab = _labels(t)
    e = torch.zeros_like(lab)
    e[:-1] |= lab[1:]
    return {"loss": (o["x"] * e).sum() / e.sum().clamp(min=1)}


def or_into_the_first_image(o, t):
    """Near miss: only the first image's mask written (a position of the batch: on a group alone
    another image)."""
    lab = _labels(t)
    e = lab.clone()
    e[0] |= lab[0].flip(0)
    return {"loss": (o["x"] * e).sum() / e.sum().clamp(min=1)}


@pytest.mark.parametrize("body", [edges_or, kept_and, toggled_xor_method])
def test_masks_combined_in_place_split_exactly(body):
    seen, said = count_outcomes(body)
    assert seen == ["exact"] * len(seen), said


@pytest.mark.parametrize("body", [or_of_the_next_image, or_into_the_first_image])
def test_masks_of_other_images_decline(body):
    seen, said = count_outcomes(body)
    assert seen == ["declined"] * len(seen), said
    assert any("Tensor.__ior__" in m for m in said), said
