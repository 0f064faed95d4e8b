"""Returned metrics of the images' data (shares, counts, accuracies built from predictions by a
comparison): their companions are the body's value on the group's images alone, as a loss's are;
data sums in arithmetic that the capture follows only as a normaliser's decline, naming the key.
Each body is compared with the oracle on the ``RULE_BATCHES``."""

from __future__ import annotations

import torch
from _helpers import check_rule


def _hits(outputs, targets):
    y = torch.stack([t["y"] for t in targets])
    err = (outputs["x"] - y).abs()
    return err, (err < 0.3).float(), torch.tensor([t["loss_weight"] for t in targets])


def test_metrics_of_the_images_data_split_as_the_oracle():
    """A share (``mean``), a weighted share with the weights set to 1, a percentage, one minus a
    share, a count, a share over a valid count, and a loss next to them."""

    def body(outputs, targets):
        err, hit, w = _hits(outputs, targets)
        valid = (outputs["x"].detach() > 0.2).float()
        return {"loss": err.mean(), "share": hit.mean(), "weighted": (hit * w[:, None, None]).mean(),
                "percent": hit.mean() * 100.0, "miss": 1 - hit.mean(), "count": hit.sum(),
                "over_valid": (hit * valid).sum() / valid.sum(), "per_row": hit.mean((1, 2)).mean()}

    check_rule(body, "")


def test_data_sums_in_normaliser_arithmetic_decline():
    """A count scaled by a number, floored, or divided by the number of images in a Python loop:
    as a normaliser these apply to a denominator, so no companion; a share times an int equal to
    the images (``* len(targets)``) declines as a loss's does."""

    def scaled(outputs, targets):
        _, hit, _ = _hits(outputs, targets)
        return {"count": hit.sum() / 4.0}

    def floored(outputs, targets):
        _, hit, _ = _hits(outputs, targets)
        return {"count": hit.sum().clamp(min=1)}

    def per_image_loop(outputs, targets):
        _, hit, _ = _hits(outputs, targets)
        return {"count": sum(hit[i].mean() * t["loss_weight"] for i, t in enumerate(targets)) / len(targets)}

    def times_images(outputs, targets):
        _, hit, _ = _hits(outputs, targets)
        return {"count": hit.mean() * len(targets)}

    for body in (scaled, floored, per_image_loop):
        check_rule(body, "'count'", declines=True)
    check_rule(times_images, "number of images", declines=True)
