"""A divisor written as arithmetic of sizes of dims without images of argument tensors as passed
and number literals (``/ (x.shape[1] * x.shape[2])``, ``x.size(-1) * x.size(-2)``, ``x.shape[1] *
4``, ``x.shape[1] + x.shape[2] + 5``, in ``float(...)`` or a local stored once from it: a per-image
pixel count) is a constant of the call, as one such size is, however it equals a count of the batch
by value: 3 rows x 4 columns = 12 = the 12 rows of 4 images (was silently divided by the group's
rows, found beside survey 51). With the images' dim or a count of the images in it, or a width of a
tensor the body made, it keeps its own reading: the rows the group recounts, a decline. So do
``max(x.shape[1], 1)``, ``x.shape[-2:].numel()`` and ``math.prod(x.shape[1:])`` of a local (the
sizes of a slice of the shape), silently wrong before s51 too."""

import math

import pytest
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


def over_size_times_a_literal(outputs, targets):
    return {"loss": _errors(outputs, targets).sum() / (outputs["x"].shape[1] * 4)}


def over_a_literal_times_a_size(outputs, targets):
    return {"loss": _errors(outputs, targets).sum() / (4 * outputs["x"].shape[1])}


def over_a_sum_of_sizes(outputs, targets):
    x = outputs["x"]
    return {"loss": _errors(outputs, targets).sum() / (x.shape[1] + x.shape[2] + 5)}


def over_a_stored_scaled_product(outputs, targets):
    x = outputs["x"]
    n = x.shape[1] * x.shape[2] * 1.0
    return {"loss": _errors(outputs, targets).sum() / n}


def over_a_size_times_the_count(outputs, targets):
    """``x.shape[1] * len(targets)``: the group's rows on a group alone (declined: a number times a
    length)."""
    x = outputs["x"]
    return {"loss": _errors(outputs, targets).sum(-1).sum() / (x.shape[1] * len(targets))}


def over_the_images_dim_times_a_literal(outputs, targets):
    x = outputs["x"]
    return {"loss": _errors(outputs, targets).sum(-1).sum() / (x.shape[0] * 3)}


def over_a_floored_size(outputs, targets):
    return {"loss": _errors(outputs, targets).sum() / max(outputs["x"].shape[1], 1)}


def over_a_size_numel(outputs, targets):
    x = outputs["x"]
    return {"loss": _errors(outputs, targets).sum() / x.shape[-2:].numel()}


def over_math_prod_of_a_local(outputs, targets):
    x = outputs["x"]
    return {"loss": _errors(outputs, targets).sum() / math.prod(x.shape[1:])}


def over_the_images_rows_numel(outputs, targets):
    """``x.shape[:2].numel()``: the images' rows, which the group recounts."""
    x = outputs["x"]
    return {"loss": _errors(outputs, targets).sum(-1).sum() / x.shape[:2].numel()}


def over_a_size_floored_by_the_count(outputs, targets):
    """``max(x.shape[1], len(targets))``: on a group alone the group's count may win."""
    return {"loss": _errors(outputs, targets).sum() / max(outputs["x"].shape[1], len(targets))}


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
    for body in (over_shape_product, over_size_product_from_the_end, over_float_of_a_stored_product,
                 over_size_times_a_literal, over_a_literal_times_a_size, over_a_stored_scaled_product,
                 over_a_floored_size, over_a_size_numel, over_math_prod_of_a_local):
        check_rule(body, "div")


def test_a_sum_of_side_sizes_and_a_literal_is_never_wrong():
    """``x.shape[1] + x.shape[2] + 5``: a constant, but since the merge of session 38 pin39's reading of a
    sum of sizes of dims the code does not name declines it where it equals a count (a decline, never
    the group's rows)."""
    for seed, weights in RULE_BATCHES:
        got, want, _ = rule_outcome(over_a_sum_of_sizes, rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, got, want)


@pytest.mark.parametrize("body", [over_rows_times_width, over_the_images_dim_times_a_literal, over_the_images_rows_numel])
def test_arithmetic_with_the_images_dim_is_the_groups_rows(body):
    check_rule(body, "div")


def test_a_size_times_the_count_of_images_is_never_a_constant():
    check_rule(over_a_size_times_the_count, "a number times a length", declines=True)


def test_a_size_floored_by_the_count_is_never_wrong():
    for seed, weights in RULE_BATCHES:
        got, want, _ = rule_outcome(over_a_size_floored_by_the_count, rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, got, want)
