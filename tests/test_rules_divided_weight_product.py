"""A per-element weight divided by a sum over the images' rows, then multiplied into per-element
losses and summed (IA-SSD's ``(bce.sum(-1) * (torch.ones_like(ctr) / fg.sum())).sum()``, survey 66):
``(l * (v / s)).sum()`` is ``(l * v).sum() / s``. Was: GAP, lost at ``Tensor.div`` (the quotient
``v / s`` was followed only into its own full sum, ``divided_sum``). Now ``_divided_product``
remembers the product as ``(l * v) / s``, unchanged since, for ``divided_sum``. Near misses that must
decline on the batches of several groups: the losses centred on the batch's mean over its images, a
weight rolled along the images, the product summed along a dim only."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import Along, check_labelled
from _survey import LIBRARY_SOURCES, gen

SEEDS = range(len(LIBRARY_SOURCES))


def _batch(seed: int) -> tuple[list, list, list]:
    """Logits [B, 6, 3] (require grad), soft targets [B, 6, 3] and a foreground mask [B, 6] (one point at least)."""
    g = gen(seed + 4810)
    b = len(LIBRARY_SOURCES[seed])
    fg = torch.rand(b, 6, generator=g) > 0.5
    fg[:, 0] = True
    return ([torch.randn(b, 6, 3, generator=g).requires_grad_(), torch.rand(b, 6, 3, generator=g), fg],
            [Along(0), Along(0), Along(0)], LIBRARY_SOURCES[seed])


def ones_weight(x, t, fg):
    weight = torch.ones_like(fg, dtype=x.dtype) / fg.sum().clamp(min=1)
    return {"loss": (F.binary_cross_entropy_with_logits(x, t, reduction="none").sum(-1) * weight).sum()}


def mask_weight(x, t, fg):
    weight = fg.float() / fg.sum()
    return {"loss": (weight * (x - t).abs().sum(-1)).sum()}


def filled_weight(x, t, fg):
    weight = torch.full_like(x, 0.5) / fg.float().sum()
    return {"loss": ((x - t).pow(2) * weight).sum()}


@pytest.mark.parametrize("body", [ones_weight, mask_weight, filled_weight])
def test_a_weight_over_a_count_times_losses_splits_as_the_oracle(body) -> None:
    check_labelled(body, _batch, SEEDS, splits=True)


def centred(x, t, fg):
    per = (x - t).abs().sum(-1)
    weight = fg.float() / fg.sum()
    return {"loss": ((per - per.mean(0)) * weight).sum()}


def rolled(x, t, fg):
    weight = (fg.float() / fg.sum()).roll(1, 0)
    return {"loss": ((x - t).abs().sum(-1) * weight).sum()}


def along_dim(x, t, fg):
    weight = fg.float() / fg.sum()
    return {"loss": ((x - t).abs().sum(-1) * weight).sum(0).max()}


@pytest.mark.parametrize("body", [centred, rolled, along_dim])
def test_near_misses_where_images_mix_decline(body) -> None:
    check_labelled(body, _batch, SEEDS, splits=False)
