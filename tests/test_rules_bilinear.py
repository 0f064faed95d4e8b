"""Bilinear layers (``nn.Bilinear``, ``torch.bilinear``; survey 64's DGI: each node's embedding
scored with its own graph's summary): ``x1ᵀ W x2 + b`` of the same leading position of both inputs
through shared weights, so every leading dim keeps the rows of both inputs, as ``F.linear``'s
(before: no rule, every key computed from the scores lost). Against the oracle, with near misses
where the images mix that decline."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import WIDTH, count_outcomes
from _survey import built

_BI = built(6401, lambda: torch.nn.Bilinear(WIDTH, WIDTH, 2))
_BI_ONE = built(6402, lambda: torch.nn.Bilinear(WIDTH, WIDTH, 1, bias=False))


def _y(t):
    return torch.stack([s["y"] for s in t])


def rows_with_their_targets(o, t):
    """Each row of each image scored with its own target row; the scores' MSE to the labels."""
    s = _BI(o["x"], _y(t))
    return {"loss": F.mse_loss(s[..., 0], _y(t)[..., 0]), "second": s[..., 1].abs().mean()}


def discriminator_with_own_summary(o, t):
    """DGI: each image's summary (the sigmoid of its rows' mean) against each of its rows and its
    rows' shuffled counterpart within the image, the BCE of the positives and negatives."""
    x = o["x"]
    summary = torch.sigmoid(x.mean(1, keepdim=True)).expand_as(x)
    pos = _BI_ONE(x, summary).squeeze(-1)
    neg = _BI_ONE(x.flip(1), summary).squeeze(-1)
    logits = torch.cat([pos, neg], 1)
    labels = torch.cat([torch.ones_like(pos), torch.zeros_like(neg)], 1)
    return {"loss": F.binary_cross_entropy_with_logits(logits, labels)}


def gathered_summaries(o, t):
    """The summaries per image (the sigmoid of the sums of its rows) by ``index_add`` over an image id
    per row (a PyG batch vector) and gathered back by it, the rows flattened."""
    x = o["x"].flatten(0, 1)
    batch = torch.arange(len(t)).repeat_interleave(o["x"].shape[1])
    total = torch.zeros(len(t), WIDTH).index_add(0, batch, x)
    s = torch.sigmoid(total)[batch]
    return {"loss": _BI_ONE(x, s).pow(2).mean()}


def weighted_input(o, t):
    """The first input scaled by each image's ``loss_weight`` (the oracle's weight 1)."""
    w = torch.tensor([s["loss_weight"] for s in t])
    return {"loss": torch.bilinear(o["x"] * w[:, None, None], _y(t), _BI.weight, _BI.bias).sum(-1).mean()}


@pytest.mark.parametrize("body", [rows_with_their_targets, discriminator_with_own_summary, gathered_summaries,
                                  weighted_input])
def test_bilinear_layers_keep_the_rows_of_both_inputs(body):
    seen, said = count_outcomes(body)
    assert seen == ["exact"] * len(seen), said


def summary_of_the_batch(o, t):
    """Near miss: one summary of the whole batch (every image's rows in it) against each row."""
    x = o["x"]
    s = torch.sigmoid(x.mean((0, 1))).expand_as(x)
    return {"loss": _BI_ONE(x, s).pow(2).mean()}


def images_on_the_features(o, t):
    """Near miss: the images laid along both inputs' features (``x.t()``), a layer as wide as the
    batch: each output reads every image."""
    x, y = o["x"][:, 0].t(), _y(t)[:, 0].t()  # [WIDTH, B]
    w = torch.ones(1, len(t), len(t)) / len(t)
    return {"loss": torch.bilinear(x, y, w, None).pow(2).mean()}


def weight_from_an_image(o, t):
    """Near miss: the bilinear weight made from the first image's values (on a group alone, another
    image's)."""
    w = o["x"][0, 0][None, :, None] * torch.ones(1, WIDTH, WIDTH)
    return {"loss": torch.bilinear(o["x"], _y(t), w, None).pow(2).mean()}


@pytest.mark.parametrize(("body", "op"), [(summary_of_the_batch, "torch.sigmoid"),
                                         (images_on_the_features, "torch.bilinear"),
                                         (weight_from_an_image, "torch.bilinear of a weight")])
def test_bilinear_layers_whose_rows_mix_decline(body, op):
    seen, said = count_outcomes(body)
    assert seen == ["declined"] * len(seen), said
    assert any(op in m for m in said), said
