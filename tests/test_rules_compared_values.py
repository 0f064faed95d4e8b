"""Comparisons of values reduced from the predictions (``losssplit/_capture/elementwise.py``,
``_compared_values``) and keywords bound by ``functools.partial`` (``_bytecode._partial_keyword``).

A comparison of a reduced value -- per-class sums (``union == 0`` of a region statistic), a scalar
sum -- with a constant of the body is a function of that value: on a group alone the group's own
value is compared, so the indicator is an expression of the group's ratios (``("eq", e, c)``).
A keyword a ``functools.partial`` binds (``eps`` of catalyst-style region statistics) is a constant
of the call where the partial is an attribute only ``__init__`` sets (made before the call) or
is made up the stack by ``partial(fn, eps=<a constant of the call>)``. Near misses: a threshold
equal to the image count, a partial binding a number computed from the batch, an indicator of one
image's sum, a partial attribute set in the call."""

from __future__ import annotations

import functools

import pytest
import torch
from _helpers import RULE_BATCHES, check_rule, rule_batch, rule_outcome


def _y(targets):
    return torch.stack([t["y"] for t in targets])


def _stats(outputs, targets):
    """Per-class (dim 1 of [B, 3, 4]) true positives, false positives, false negatives of the batch."""
    p, y = outputs["x"], _y(targets)
    return (torch.sum(p * y, dim=[0, 2]), torch.sum(p * (1 - y), dim=[0, 2]),
            torch.sum(y * (1 - p), dim=[0, 2]))


def _region(tp, fp, fn, eps=1e-7):
    union = tp + fp + fn
    return (2 * tp + eps * (union == 0).float()) / (2 * tp + fp + fn + eps)


def dice_with_an_empty_class_indicator(outputs, targets):
    """A per-class Dice adding ``eps`` where a class's batch union is empty (never here: 0 * eps)."""
    tp, fp, fn = _stats(outputs, targets)
    return {"dice": 1 - _region(tp, fp, fn).mean()}


def per_class_thresholds(outputs, targets):
    """Indicators that do differ by group: a class's union above 4.5 (a group of two images has
    about half the batch's), a scalar sum above 9, each weighting a loss."""
    tp, fp, fn = _stats(outputs, targets)
    union = tp + fp + fn
    big = (union > 4.5).float()
    total = union.sum()
    return {"per_class": (tp * big + 0.5 * (1 - big) * fn).mean() / (union.mean() + 1.0),
            "scalar": (total >= 9.0).float() * 0.25 + tp.sum() / total,
            "reversed": (2.0 < union).float().sum() + (union.sum() != 0).float()}


def micro_region(outputs, targets):
    """The sums over the classes too (``mode='micro'``): scalar statistics compared."""
    tp, fp, fn = (s.sum() for s in _stats(outputs, targets))
    return {"micro": 1 - _region(tp, fp, fn)}


class _RegionLoss:
    """A region loss as catalyst builds one: ``eps`` bound by a partial made in ``__init__``, then
    by another partial made in the call from that parameter, called with ``*stats``."""

    def __init__(self, eps: float = 1e-7):
        self.bound = functools.partial(_metric, eps=eps)

    def __call__(self, outputs, targets):
        return 1 - self.bound(outputs, targets)


def _apply(outputs, targets, metric_fn):
    stats = _stats(outputs, targets)
    return metric_fn(*stats).mean()


def _metric(outputs, targets, eps=1e-7):
    metric_fn = functools.partial(_region, eps=eps)
    return _apply(outputs, targets, metric_fn=metric_fn)


REGION = _RegionLoss()
REGION_EPS_COUNT_LIKE = _RegionLoss(eps=2.0)  # a configured eps equal to an image count: still a constant


def region_through_partials(outputs, targets):
    return {"region": REGION(outputs, targets), "region2": REGION_EPS_COUNT_LIKE(outputs, targets)}


@pytest.mark.parametrize("body", [dice_with_an_empty_class_indicator, per_class_thresholds, micro_region,
                                  region_through_partials], ids=lambda b: b.__name__)
def test_comparisons_of_reduced_values_follow_the_oracle(body):
    check_rule(body, "")


def test_the_thresholds_decide_otherwise_on_a_group():
    """The test above can fail: on some batch a group's indicator differs from the batch's."""
    differs = False
    for seed, weights in RULE_BATCHES:
        outputs, targets = rule_batch(seed, weights)
        tp, fp, fn = _stats(outputs, targets)
        whole = (tp + fp + fn) > 4.5
        for w in set(weights):
            keep = [i for i, v in enumerate(weights) if v == w]
            sub = {"x": outputs["x"][keep]}
            tp, fp, fn = _stats(sub, [targets[i] for i in keep])
            differs |= bool(((tp + fp + fn) > 4.5).ne(whole).any())
    assert differs


# -- near misses ---------------------------------------------------------------------------------

def _threshold_the_image_count(outputs, targets):
    """``union > len(targets)``: on a group alone the threshold is the group's count."""
    tp, fp, fn = _stats(outputs, targets)
    union = tp + fp + fn
    return {"d": (tp * (union > len(targets)).float()).mean()}


def _scalar_threshold_a_local_count(outputs, targets):
    tp, fp, fn = _stats(outputs, targets)
    n = len(targets) * 2.5
    return {"d": (tp.sum() > n).float() + tp.sum() / (tp + fp + fn).sum()}


def _partial_bound_from_the_batch(outputs, targets):
    """``eps`` bound by a partial to a number computed from the batch."""
    fn = functools.partial(_region, eps=len(targets) * 0.5)
    return {"d": 1 - _apply(outputs, targets, fn)}


def _partial_bound_through_a_local_count(outputs, targets):
    eps = float(len(targets))
    return {"d": 1 - _apply(outputs, targets, functools.partial(_region, eps=eps))}


def _indicator_of_one_images_sum(outputs, targets):
    """An indicator of image 0's sum: on a group without image 0, another image's."""
    tp, fp, fn = _stats(outputs, targets)
    first = (outputs["x"][0] * _y(targets)[0]).sum()
    return {"d": (tp * (first > 1.0).float()).mean() + tp.mean()}


class _PartialSetInTheCall:
    def __init__(self):
        self.loss_fn = functools.partial(_metric, eps=1e-7)

    def __call__(self, outputs, targets):
        self.loss_fn = functools.partial(_metric, eps=float(len(targets)))
        return 1 - self.loss_fn(outputs, targets)


_SET_IN_THE_CALL = _PartialSetInTheCall()


def _partial_attribute_set_in_the_call(outputs, targets):
    return {"d": _SET_IN_THE_CALL(outputs, targets)}


NEAR_MISSES = {
    "a threshold equal to the image count": _threshold_the_image_count,
    "a scalar threshold from the image count": _scalar_threshold_a_local_count,
    "a partial binding a count": _partial_bound_from_the_batch,
    "a partial binding a local count": _partial_bound_through_a_local_count,
    "an indicator of one image's sum": _indicator_of_one_images_sum,
    "a partial attribute set in the call": _partial_attribute_set_in_the_call,
}


@pytest.mark.parametrize("case", list(NEAR_MISSES))
def test_near_misses_decline_or_stay_exact(case):
    """No companion differs from the oracle; where a group alone would compute another number,
    the key declines (on some batch)."""
    body = NEAR_MISSES[case]
    declined = False
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert got == pytest.approx(want, rel=1e-5, abs=1e-6) or not got, (case, seed, got, want)
        declined |= not got
    assert declined, case
