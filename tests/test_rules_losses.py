"""Every function with a loss rule, in a small body checked against the oracle.

Losses of ``x`` [B, 3, 4] against the images' ``y`` / ``labels``, reduced by the loss or per row
then by a mean: the companion of group S must be the body run on S's images alone
(``_helpers.check_rule``).
"""

import pytest
import torch
import torch.nn.functional as F
from _helpers import check_rule, op_id, registered


def loss(call):
    """A body calling the loss function ``call(x, targets)`` (reduced by it, or 'none' then mean)."""

    def body(outputs, targets):
        return {"loss": call(outputs["x"], targets)}

    return body


def _y(targets):
    return torch.stack([t["y"] for t in targets])


def _labels(targets):
    return torch.stack([t["labels"] for t in targets])


CASES = {
    F.cross_entropy: loss(lambda x, t: F.cross_entropy(x.flatten(0, 1), _labels(t).flatten())),
    F.nll_loss: loss(lambda x, t: F.nll_loss(x.log_softmax(-1).transpose(1, 2), _labels(t))),
    F.binary_cross_entropy: loss(lambda x, t: F.binary_cross_entropy(x, _y(t))),
    F.binary_cross_entropy_with_logits: loss(
        lambda x, t: F.binary_cross_entropy_with_logits(x, _y(t), reduction="none").sum(-1).mean()),
    F.l1_loss: loss(lambda x, t: F.l1_loss(x, _y(t), reduction="none").sum(-1).mean()),
    F.mse_loss: loss(lambda x, t: F.mse_loss(x, _y(t))),
    F.smooth_l1_loss: loss(lambda x, t: F.smooth_l1_loss(x, _y(t), beta=0.1, reduction="sum") / x.shape[0]),
    F.huber_loss: loss(lambda x, t: F.huber_loss(x, _y(t), delta=0.2)),
    F.kl_div: loss(lambda x, t: F.kl_div(x.log_softmax(-1), _y(t).softmax(-1), reduction="batchmean")),
    F.triplet_margin_loss: loss(lambda x, t: F.triplet_margin_loss(x[:, 0], _y(t)[:, 0], x[:, 1], margin=0.5)),
    F.cosine_embedding_loss: loss(lambda x, t: F.cosine_embedding_loss(
        x.flatten(0, 1), _y(t).flatten(0, 1), 1 - 2 * (_labels(t).flatten() % 2), margin=0.1, reduction="sum")),
    F.margin_ranking_loss: loss(lambda x, t: F.margin_ranking_loss(
        x, _y(t), torch.ones_like(x), reduction="none").sum(-1).mean()),
}
DECLINES: dict = {}
WRONG: dict = {}


def params():
    for f in registered("losses"):
        marks = [pytest.mark.xfail(strict=True, reason=WRONG[f])] if f in WRONG else []
        yield pytest.param(f, id=op_id(f), marks=marks)


@pytest.mark.parametrize("func", params())
def test_companion_is_the_body_on_the_group_alone(func):
    check_rule(CASES[func], op_id(func).split(".")[-1], declines=func in DECLINES)


def segmentation_ce(outputs, targets):
    """Per-pixel cross entropy of ``[B, C, H, W]`` logits (mask logits upsampled to the labels'
    size) against ``[B, H, W]`` labels, class 0 ignored (``ignore_index``)."""
    logits = outputs["x"].permute(0, 2, 1)[..., None]  # [B, 4 classes, 3, 1]
    logits = F.interpolate(logits, size=(6, 2), mode="bilinear", align_corners=False)
    labels = _labels(targets)[..., None].repeat_interleave(2, dim=1).expand(-1, -1, 2)  # [B, 6, 2]
    labels = torch.where(labels == 0, 255, labels)
    return {"loss": F.cross_entropy(logits, labels, ignore_index=255)}


def test_cross_entropy_on_segmentation_maps_with_ignore_index():
    check_rule(segmentation_ce, "")
