"""Returned metrics of the images' data (shares, counts, accuracies built from predictions by a
comparison): their companions are the body's value on the group's images alone, as a loss's are;
data sums in arithmetic that the capture follows only as a normaliser's decline, naming the key.
Each body is compared with the oracle on the ``RULE_BATCHES``."""

from __future__ import annotations

import pytest
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


def test_a_count_times_a_literal_over_the_elements_of_image_rows_splits_as_the_oracle():
    """Libra R-CNN's accuracy ``correct.sum() * (100.0 / labels.numel())``, ``labels`` the images'
    rows joined: Python divides the literal by the size unseen, the code shows the product; on a
    group alone it is over the group's elements (also of a loss, and of a 2-d tensor of rows)."""

    def body(outputs, targets):
        err, hit, _ = _hits(outputs, targets)
        labels = torch.cat([t["labels"] for t in targets])
        grid = torch.stack([t["y"] for t in targets])
        return {"acc": hit[:, :, 0].flatten().sum() * (100.0 / labels.numel()),
                "loss": err.sum() * (0.5 / grid.numel())}

    check_rule(body, "")


def test_a_count_times_a_number_over_elements_not_read_from_the_code_declines():
    """Near misses: the literal over the number of images (``len(targets)``, no size of rows), the
    size read into a local first (the product no longer shows it), a factor computed from the
    elements of a tensor of no images: the count is only a normaliser's, declined naming the key."""

    def over_images(outputs, targets):
        _, hit, _ = _hits(outputs, targets)
        return {"count": hit.sum() * (100.0 / len(targets))}

    def size_first(outputs, targets):
        _, hit, _ = _hits(outputs, targets)
        n = torch.cat([t["labels"] for t in targets]).numel()
        scale = 100.0 / n
        return {"count": hit.sum() * scale}

    def no_images(outputs, targets):
        _, hit, _ = _hits(outputs, targets)
        fixed = torch.zeros(12)
        return {"count": hit.sum() * (100.0 / fixed.numel())}

    for body in (over_images, size_first, no_images):
        check_rule(body, "'count'", declines=True)


@pytest.mark.xfail(strict=True, reason="found by gap16, not fixed: a float computed in Python from a size of image "
                   "rows (scale = 100.0 / labels.numel(), float / int runs unseen) and kept in a local scales a loss as "
                   "a constant; on a group alone it is 100 over the group's elements")
def test_a_float_from_a_size_of_rows_kept_in_a_local_is_not_seen():
    def body(outputs, targets):
        err, _, _ = _hits(outputs, targets)
        scale = 100.0 / torch.cat([t["labels"] for t in targets]).numel()
        return {"loss": err.sum() * scale}

    check_rule(body, "")
