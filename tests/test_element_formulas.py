"""Vectors whose elements are each an expression of ratios (``Track.element_formulas``): a per-class
batch dice through a function (the log-cosh Dice), two per-class ratios weighted and added (the
sensitivity-specificity loss), a per-class ratio plus a scalar loss. Each group's value is the
expression of the group's ratios, class by class, as the body computes it on the group alone (the
oracle). Survey 32 (10 GAP closed)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from _helpers import check_rule

DIMS = (0, 1)  # the rule batch's x is [B, rows, classes]: sums over the images and rows, per class


def _py(outputs, targets):
    p = outputs["x"]
    y = F.one_hot(torch.stack([t["labels"] for t in targets]), p.shape[-1]).float()
    return p, y


def log_cosh_dice(outputs, targets):
    p, y = _py(outputs, targets)
    dice = (2 * (p * y).sum(DIMS) + 1) / (p.sum(DIMS) + y.sum(DIMS) + 1)
    return {"loss": torch.log(torch.cosh(1 - dice)).mean()}


def sensitivity_specificity(outputs, targets, r=0.05):
    p, y = _py(outputs, targets)
    sq = (y - p) ** 2
    spec = (sq * y).sum(DIMS) / (y.sum(DIMS) + 1e-5)
    sens = (sq * (1 - y)).sum(DIMS) / ((1 - y).sum(DIMS) + 1e-5)
    return {"loss": (r * spec + (1 - r) * sens).sum()}


def per_class_root_mean_square_plus_a_scalar_loss(outputs, targets):
    p, y = _py(outputs, targets)
    rms = ((p - y) ** 2).mean(DIMS).sqrt()
    l1 = F.l1_loss(p, y)
    return {"loss": (rms + l1).mean(), "sq": (rms.pow(2) * 0.5).sum()}


def per_class_expression_times_the_batchs_class_counts(outputs, targets):
    p, y = _py(outputs, targets)
    dice = 2 * (p * y).sum(DIMS) / (p.sum(DIMS) + y.sum(DIMS))
    return {"loss": (torch.exp(-dice) * y.sum(DIMS)).sum()}


def test_a_function_of_each_classs_batch_dice_splits_as_the_oracle():
    check_rule(log_cosh_dice, "")


def test_two_per_class_ratios_weighted_and_added_split_as_the_oracle():
    check_rule(sensitivity_specificity, "")


def test_per_class_expressions_with_a_scalar_loss_and_a_literal_power_split_as_the_oracle():
    check_rule(per_class_root_mean_square_plus_a_scalar_loss, "")


def test_per_class_expressions_times_per_class_data_sums_split_as_the_oracle():
    check_rule(per_class_expression_times_the_batchs_class_counts, "")


def times_the_batchs_largest_prediction(outputs, targets):
    p, y = _py(outputs, targets)
    dice = (2 * (p * y).sum(DIMS) + 1) / (p.sum(DIMS) + y.sum(DIMS) + 1)
    return {"loss": (torch.cosh(1 - dice) * p.detach().max()).mean()}


def times_the_number_of_images(outputs, targets):
    p, y = _py(outputs, targets)
    dice = (2 * (p * y).sum(DIMS) + 1) / (p.sum(DIMS) + y.sum(DIMS) + 1)
    return {"loss": (torch.cosh(1 - dice) * float(len(targets))).mean()}


def softmax_over_the_classes(outputs, targets):
    p, y = _py(outputs, targets)
    dice = (2 * (p * y).sum(DIMS) + 1) / (p.sum(DIMS) + y.sum(DIMS) + 1)
    return {"loss": (torch.cosh(1 - dice).softmax(0) * dice).sum()}


def test_per_class_expressions_times_a_value_that_mixes_the_images_decline():
    """``p.max()`` over every image's predictions: on a group alone the group's maximum."""
    check_rule(times_the_batchs_largest_prediction, "", declines=True)


def test_per_class_expressions_times_the_number_of_images_decline():
    check_rule(times_the_number_of_images, "", declines=True)


def test_a_function_across_the_classes_declines():
    """``softmax(0)`` reads every class's value: no function of one element."""
    check_rule(softmax_over_the_classes, "", declines=True)



def test_cosh_travels_in_the_text_form_of_an_expression():
    from losssplit._formula import evaluate, parse, text

    expr = ("cosh", ("sub", ("c", 1.0), ("p", 0)))
    assert parse(text(expr)) == expr
    assert evaluate(expr, [0.25]) == __import__("math").cosh(0.75)


def _cosh_per_class(outputs, targets):
    p, y = _py(outputs, targets)
    dice = (2 * (p * y).sum(DIMS) + 1) / (p.sum(DIMS) + y.sum(DIMS) + 1)
    return torch.cosh(1 - dice), (p * y).sum(DIMS) / (y.sum(DIMS) + 1)


def scaled_in_place(outputs, targets):
    v, _ = _cosh_per_class(outputs, targets)
    v.mul_(2)
    return {"loss": v.mean()}


def written_at_a_position(outputs, targets):
    v, _ = _cosh_per_class(outputs, targets)
    v[0] = 0
    return {"loss": v.mean()}


def clamped_in_place(outputs, targets):
    v, _ = _cosh_per_class(outputs, targets)
    v.clamp_(max=1.001)
    return {"loss": v.sum()}


def added_through_a_view(outputs, targets):
    v, _ = _cosh_per_class(outputs, targets)
    v.view(-1).add_(1)
    return {"loss": v.sum()}


def filled_through_data(outputs, targets):
    v, _ = _cosh_per_class(outputs, targets)
    v.data.fill_(3)
    return {"loss": v.sum()}


def reordered_by_a_reshape_and_a_transpose(outputs, targets):
    v, s = _cosh_per_class(outputs, targets)
    return {"loss": (v.reshape(2, 2).t().reshape(-1) * s).sum()}


def per_class_ratios_reordered_by_a_reshape_and_a_transpose(outputs, targets):
    p, y = _py(outputs, targets)
    dice = (2 * (p * y).sum(DIMS) + 1) / (p.sum(DIMS) + y.sum(DIMS) + 1)
    return {"loss": (dice.reshape(2, 2).t().reshape(-1) * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum()}


def test_per_class_expressions_written_in_place_decline():
    for body in (scaled_in_place, written_at_a_position, clamped_in_place, added_through_a_view, filled_through_data):
        check_rule(body, "", declines=True)


def test_per_class_values_moved_to_other_positions_decline():
    """``v.reshape(2, 2).t().reshape(-1)``: the values of other classes at each position (the per-class
    ratios were followed unmoved: silently wrong before session 26)."""
    check_rule(reordered_by_a_reshape_and_a_transpose, "", declines=True)
    check_rule(per_class_ratios_reordered_by_a_reshape_and_a_transpose, "", declines=True)


def kept_order_views(outputs, targets):
    v, s = _cosh_per_class(outputs, targets)
    return {"loss": (v.view(-1) * s.reshape(4)).sum() + v.detach().t().mean() * 0 + v.clone().mean()}


def test_views_that_keep_the_order_split():
    check_rule(kept_order_views, "")
