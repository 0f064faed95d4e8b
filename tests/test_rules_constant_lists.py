"""Class weights as a list of floats the code proves a constant of the call
(``_bytecode.constant_list``, ``Frame.constant_vectors``): ``torch.tensor(weights)`` where
``weights`` is a parameter passed down unchanged from a ``functools.partial`` keyword of an
attribute only ``__init__`` sets (catalyst's ``IoULoss(mode="weighted", weights=[..])``) or from a
default, no function on the way changing an item. The vector's elements are constants of an
expression of per-class ratios (``formulas.element_binary``): on a group alone the same weights
meet the group's own per-class values. Near misses, which must decline: weights built in the call
from the image count, a partial made in the call binding such a list, the list changed in place
by the code calling the partial, a list item written in the helper, a list attribute or a global
list changed in the call (only a parameter's list is read)."""

from __future__ import annotations

import functools

import pytest
import torch
from _helpers import RULE_BATCHES, check_rule, rule_batch, rule_outcome


def _stats(outputs, targets):
    """Per-class (dim 1 of [B, 3, 4]) true positives, false positives, false negatives of the batch."""
    p, y = outputs["x"], torch.stack([t["y"] for t in targets])
    return (torch.sum(p * y, dim=[0, 2]), torch.sum(p * (1 - y), dim=[0, 2]),
            torch.sum(y * (1 - p), dim=[0, 2]))


def _iou(tp, fp, fn, eps=1e-7):
    union = tp + fp + fn
    return (tp + eps * (union == 0).float()) / (tp + fp + fn + eps)


def _weighted(per_class, weights=None):
    """As catalyst's ``_get_region_based_metrics(mode="weighted")``."""
    assert len(weights) == len(per_class)
    return torch.sum(torch.tensor(weights).to(per_class.device) * per_class)


def _metric(outputs, targets, weights=None):
    tp, fp, fn = _stats(outputs, targets)
    return _weighted(_iou(tp, fp, fn), weights=weights)


class _WeightedIoU:
    """``weights`` bound by a partial of ``metric`` made in ``__init__``, as catalyst's losses do."""

    def __init__(self, weights, metric=_metric):
        self.loss_fn = functools.partial(metric, weights=weights)

    def __call__(self, outputs, targets):
        return 1 - self.loss_fn(outputs, targets)


IOU = _WeightedIoU([0.2, 0.3, 0.5])
IOU_COUNT_LIKE = _WeightedIoU([2.0, 3.0, 4.0])  # weights equal to image counts of the batches: still constants
EQUAL = _WeightedIoU([1 / 3, 1 / 3, 1 / 3])


def _default_weights(per_class, weights=(0.25, 0.25, 0.5)):
    return (torch.tensor(weights) * per_class).sum()


def weighted_iou_through_a_configured_partial(outputs, targets):
    return {"iou": IOU(outputs, targets), "iou_counts": IOU_COUNT_LIKE(outputs, targets)}


def weighted_dice_of_a_default_tuple(outputs, targets):
    tp, fp, fn = _stats(outputs, targets)
    return {"dice": 1 - _default_weights(2 * tp / (2 * tp + fp + fn))}


@pytest.mark.parametrize("body", [weighted_iou_through_a_configured_partial, weighted_dice_of_a_default_tuple],
                         ids=lambda b: b.__name__)
def test_class_weights_a_partial_or_a_default_binds_follow_the_oracle(body):
    check_rule(body, "")


def test_the_weights_change_the_companions():
    """The test above can fail: the weighted companions are not those of equal weights."""
    outputs, targets = rule_batch(*RULE_BATCHES[0])
    got, want, _ = rule_outcome(weighted_iou_through_a_configured_partial, (outputs, targets))
    equal, _, _ = rule_outcome(lambda o, t: {"iou": EQUAL(o, t)}, (outputs, targets))
    assert got["iou_real"] == pytest.approx(want["iou_real"], rel=1e-5)
    assert got["iou_real"] != pytest.approx(equal["iou_real"], rel=1e-3)


# -- near misses ---------------------------------------------------------------------------------

def _weights_from_the_image_count(outputs, targets):
    """Weights the call computes from ``len(targets)``: a group alone has another count."""
    return {"d": 1 - _metric(outputs, targets, weights=[float(len(targets)), 1.0, 0.5])}


def _partial_made_in_the_call(outputs, targets):
    fn = functools.partial(_metric, weights=[1.0, 0.5 * len(targets), 0.25])
    return {"d": 1 - fn(outputs, targets)}


class _ChangedByTheCaller:
    def __init__(self):
        self.loss_fn = functools.partial(_metric, weights=[0.2, 0.3, 0.5])

    def __call__(self, outputs, targets):
        self.loss_fn.keywords["weights"][0] = float(len(targets))
        return 1 - self.loss_fn(outputs, targets)


_CHANGED = _ChangedByTheCaller()


def _list_changed_by_the_code_calling_the_partial(outputs, targets):
    return {"d": _CHANGED(outputs, targets)}


def _weighted_writing_an_item(per_class, weights=None, n=1):
    weights[0] = float(n)
    return torch.sum(torch.tensor(weights) * per_class)


def _metric_writing_an_item(outputs, targets, weights=None):
    tp, fp, fn = _stats(outputs, targets)
    return _weighted_writing_an_item(_iou(tp, fp, fn), weights=weights, n=len(targets))



_HELPER = _WeightedIoU([0.2, 0.3, 0.5], _metric_writing_an_item)


def _metric_through_an_alias(outputs, targets, weights=None):
    w = weights
    w.__setitem__(0, float(len(targets)))
    tp, fp, fn = _stats(outputs, targets)
    return _weighted(_iou(tp, fp, fn), weights=weights)


_ALIAS = _WeightedIoU([0.2, 0.3, 0.5], _metric_through_an_alias)


def _list_changed_through_an_alias(outputs, targets):
    return {"d": _ALIAS(outputs, targets)}


def _list_item_written_in_the_helper(outputs, targets):
    return {"d": _HELPER(outputs, targets)}


class _AttributeChangedInTheCall:
    def __init__(self):
        self.weights = [0.2, 0.3, 0.5]

    def __call__(self, outputs, targets):
        self.weights[0] = float(len(targets))
        tp, fp, fn = _stats(outputs, targets)
        return 1 - torch.sum(torch.tensor(self.weights) * _iou(tp, fp, fn))


_ATTRIBUTE = _AttributeChangedInTheCall()


def _list_attribute_changed_in_the_call(outputs, targets):
    return {"d": _ATTRIBUTE(outputs, targets)}


GLOBAL_WEIGHTS = [0.2, 0.3, 0.5]


def _global_list_changed_in_the_call(outputs, targets):
    GLOBAL_WEIGHTS[0] = float(len(targets))
    tp, fp, fn = _stats(outputs, targets)
    return {"d": 1 - torch.sum(torch.tensor(GLOBAL_WEIGHTS) * _iou(tp, fp, fn))}


NEAR_MISSES = {
    "a list attribute changed in the call": _list_attribute_changed_in_the_call,
    "a global list changed in the call": _global_list_changed_in_the_call,
    "weights from the image count": _weights_from_the_image_count,
    "a partial made in the call": _partial_made_in_the_call,
    "the list changed by the code calling the partial": _list_changed_by_the_code_calling_the_partial,
    "a list item written in the helper": _list_item_written_in_the_helper,
    "the list changed through an alias": _list_changed_through_an_alias,
}


@pytest.mark.parametrize("case", list(NEAR_MISSES))
def test_near_misses_decline(case):
    """Where a group alone would weigh otherwise, the key declines, with a warning naming it."""
    body = NEAR_MISSES[case]
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert not got, (case, seed, got, want)
        assert any("'d'" in m for m in said), said
