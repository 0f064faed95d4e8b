"""A divisor written as a product of sizes of dims without images of argument tensors as passed
(``/ (x.shape[1] * x.shape[2])``, ``x.size(-1) * x.size(-2)``, in ``float(...)`` or a local stored
once from it: a per-image pixel count) is a constant of the call, as one such size is, however it
equals a count of the batch by value: 3 rows x 4 columns = 12 = the 12 rows of 4 images (was
silently divided by the group's rows, found beside survey 51). A product with the images' dim, or
with a width of a tensor the body made, keeps its own reading: the rows the group recounts, a
decline."""

import torch
from _helpers import RULE_BATCHES, check_rule, rule_batch, rule_outcome, wrong_companions


def _errors(outputs, targets):
    return (outputs["x"] - torch.stack([t["y"] for t in targets])).abs()


def over_shape_product(outputs, targets):
    x = outputs["x"]
    return {"loss": _errors(outputs, targets).sum() / (x.shape[1] * x.shape[2])}


def over_size_product_from_the_end(outputs, targets):
    return {"loss": _errors(outputs, targets).sum() / (outputs["x"].size(-1) * outputs["x"].size(-2))}


def over_float_of_a_stored_product(outputs, targets):
    n = float(outputs["x"].shape[1] * outputs["x"].shape[2])
    return {"loss": _errors(outputs, targets).sum() / n}


def over_rows_times_width(outputs, targets):
    """``x.shape[0] * x.shape[1]``: the images' rows, which the group recounts."""
    x = outputs["x"]
    return {"loss": _errors(outputs, targets).sum(-1).sum() / (x.shape[0] * x.shape[1])}


def over_a_made_tensors_sizes(outputs, targets):
    """Sizes of a tensor the body made: declined where they equal a count (batch 1: 3 x 4 = 12 rows)."""
    e = _errors(outputs, targets)
    return {"loss": e.sum() / (e.shape[1] * e.shape[2])}


def test_a_product_of_side_sizes_divides_every_group_alike():
    """(silently wrong before s51 on batches 0 and 1: divided by the group's rows)"""
    for body in (over_shape_product, over_size_product_from_the_end, over_float_of_a_stored_product):
        check_rule(body, "div")


def test_a_product_with_the_images_dim_is_the_groups_rows():
    check_rule(over_rows_times_width, "div")


def test_a_made_tensors_sizes_are_never_a_constant():
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(over_a_made_tensors_sizes, rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, got, want)
        if len(weights) != 2:  # 12: the 12 rows of batch 0, 4 times batch 1's 3 images
            assert not got and any("'loss'" in m for m in said), (seed, got, said)
