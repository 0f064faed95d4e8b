"""Per-image terms of a loop over the images whose rows are gathered by an int and an index
(``x[i, idx]``, CLRNet's matched priors) and reduced by a mean: each is that image's value, so
their sum over ``len(targets)`` splits as the oracle (the body on each group's images alone). Terms
over rows of several images, or paired with another image's rows, decline."""

import torch.nn.functional as F
from _helpers import check_rule


def _picked(t):
    """Two of the image's three rows, picked by its labels (an index tensor of that image)."""
    return t["labels"][:2] % 3


def smooth_l1_of_matched_rows(outputs, targets):
    """CLRNet's regression: per image the smooth L1 (mean) of its matched rows, summed, over the
    image count."""
    total = 0.0
    for i, t in enumerate(targets):
        total = total + F.smooth_l1_loss(outputs["x"][i, _picked(t)], t["y"][_picked(t)])
    return {"loss_reg": total / len(targets)}


def abs_mean_of_matched_rows(outputs, targets):
    """The same with ``(a - b).abs().mean()`` (CLRNet's ``1 - LineIoU`` mean over the lanes)."""
    total = 0.0
    for i, t in enumerate(targets):
        total = total + (outputs["x"][i, _picked(t)] - t["y"][_picked(t)]).abs().mean()
    return {"loss_iou": total / len(targets)}


def matched_rows_against_the_previous_image(outputs, targets):
    """An image's rows against the previous image's targets: rows of two images paired."""
    total = 0.0
    for i, t in enumerate(targets):
        total = total + (outputs["x"][i, _picked(t)] - targets[i - 1]["y"][_picked(t)]).abs().mean()
    return {"loss_iou": total / len(targets)}


def mean_over_two_images_rows(outputs, targets):
    """Each term a mean over the rows of the image and of the next one (a term of two images)."""
    total = 0.0
    for i, t in enumerate(targets):
        total = total + (outputs["x"][[i, i - 1], 0] - t["y"][0]).abs().mean()
    return {"loss_pair": total / len(targets)}


def test_one_image_matched_rows_reduced_by_a_mean_add_as_that_images_value():
    """(fails before s50: declined, "an empty mean" / lost at ``Tensor.add``)"""
    check_rule(smooth_l1_of_matched_rows, "smooth_l1_loss")
    check_rule(abs_mean_of_matched_rows, "mean")


def test_rows_paired_with_another_images_decline():
    check_rule(matched_rows_against_the_previous_image, "rows of different images were paired", declines=True)


def test_terms_over_rows_of_several_images_decline():
    """A term over two images' rows is no one image's value (the other image a position of the loop)."""
    check_rule(mean_over_two_images_rows, "Tensor.__getitem__", declines=True)
