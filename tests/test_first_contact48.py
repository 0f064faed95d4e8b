"""``F.glu`` (survey 48: Speech2Text's conv subsampler gates its channels): halves along a dim that
carries no images, gated element-wise, keep each image's rows; along the images' dim they pair
other images and decline."""

from __future__ import annotations

import pytest
import torch.nn.functional as F
from _helpers import check_rule, rule_batch, rule_outcome, rule_targets


def glu_last(o, t):
    """Each element's gate from the other half of its row's last dim, L1 to the targets' halves."""
    return {"loss": (F.glu(o["x"]) - rule_targets(t)[..., :2]).abs().mean()}


def glu_channels_as_conv(o, t):
    """As a conv subsampler: channels first ``[B, 4, 3]``, gated along dim 1, then the mean over time."""
    return {"loss": F.glu(o["x"].transpose(1, 2), dim=1).mean(2).pow(2).mean()}


@pytest.mark.parametrize("body", [glu_last, glu_channels_as_conv])
def test_glu_along_a_dim_without_images_is_exact(body):
    check_rule(body, "F.glu")


def glu_over_images(o, t):
    """Near miss: the gate of image b is image b + B/2's value (the halves along the images' dim)."""
    return {"loss": F.glu(o["x"], dim=0).mean()}


@pytest.mark.parametrize("weights", [[1.0, 0.5, 0.5, 1.0], [1.0, 1.0, 0.5, 0.5]])  # groups of 2: halves exist
def test_glu_along_the_images_dim_declines(weights):
    got, want, said = rule_outcome(glu_over_images, rule_batch(0, weights))
    assert got == {}, (got, want)
    assert any("F.glu" in m for m in said), said
