"""A Python number the body computes from several images' values (found in session 23): a field
aggregated over the targets (``max(t["scale"] for t in targets)``, ``min``, ``sum``, a total
added up in a loop over them) scaling a reduced loss was a constant to the capture, the batch's
value on every group; on a group alone the body computes it from the group's images. Also an
item read by position where an IndexError is caught through a module's name for it or a handler
around a ``finally``. Two weight-field forms stay wrong (strict xfails below). Each body is checked
against the oracle on 2-, 3- and 4-image batches."""

import pytest
import torch
from _helpers import split_outcome, wrong_companions
from test_red_team20 import BATCHES, _err
from test_red_team20 import _batch as red_team_batch

IE = IndexError


def _batch(weights):
    """red_team20's batch with a number field ``scale`` per image (1.0, 1.5, 2.0, ...)."""
    args, kinds = red_team_batch(weights)
    for b, t in enumerate(args[1]):
        t["scale"] = 1.0 + 0.5 * b
    return args, kinds


def largest_scale(o, targets):
    return {"loss": _err(o, targets) * max(t["scale"] for t in targets)}


def smallest_scale(o, targets):
    return {"loss": _err(o, targets) * min(t["scale"] for t in targets)}


def summed_scales(o, targets):
    return {"loss": _err(o, targets) * sum(t["scale"] for t in targets)}


def scales_added_in_a_loop(o, targets):
    s = 0.0
    for t in targets:
        s += t["scale"]
    return {"loss": _err(o, targets) * s}


def smallest_weight(o, targets):
    return {"loss": _err(o, targets) * min(t["loss_weight"] for t in targets)}


def stored_then_scaling(o, targets):
    top = max(t["scale"] for t in targets)
    return {"loss": top * _err(o, targets)}


def last_images_weight_tested(o, targets):
    return {"loss": _err(o, targets) * (2.0 if targets[-1]["loss_weight"] > 0.7 else 1.0)}


def index_error_by_a_module_name(o, targets):
    try:
        targets[2]
        w = 2.0
    except IE:
        w = 1.0
    return {"loss": _err(o, targets) * w}


def caught_around_a_finally(o, targets):
    try:
        try:
            targets[2]
            w = 2.0
        finally:
            pass
    except IndexError:
        w = 1.0
    return {"loss": _err(o, targets) * w}


def smallest_of_the_sorted_scales(o, targets):
    return {"loss": _err(o, targets) * sorted(t["scale"] for t in targets)[0]}


def over_the_summed_scales(o, targets):
    return {"loss": (o["x"] - torch.stack([t["y"] for t in targets])).abs().sum() / sum(t["scale"] for t in targets)}


def over_the_largest_scale(o, targets):
    return {"loss": _err(o, targets) / max(t["scale"] for t in targets)}


DECLINED = [largest_scale, smallest_scale, summed_scales, scales_added_in_a_loop, stored_then_scaling,
            smallest_of_the_sorted_scales, over_the_summed_scales, over_the_largest_scale, index_error_by_a_module_name,
            caught_around_a_finally]


@pytest.mark.parametrize("body", DECLINED, ids=lambda b: b.__name__)
def test_a_number_of_several_images_values_follows_the_oracle_or_declines(body):
    """Before: silently the batch's number on every group (each was wrong on every batch)."""
    declined = 0
    for name, w in BATCHES.items():
        got, want, said = split_outcome(body, *_batch(w))
        assert want, name
        assert not wrong_companions(got, want), (name, got, want)
        declined += set(got) != set(want)
        assert set(got) == set(want) or any("'loss'" in m or "no companions for this call" in m for m in said), (
            name, said)
    assert declined


def test_the_decline_names_the_number():
    _, _, said = split_outcome(largest_scale, *_batch(BATCHES["1r2s"]))
    assert any("scaled at Tensor.mul by a number equal to the maximum of the images' 'scale'" in m
               for m in said), said


@pytest.mark.parametrize("body", [index_error_by_a_module_name, caught_around_a_finally], ids=lambda b: b.__name__)
def test_a_caught_read_by_position_is_a_test_of_the_length(body):
    """``targets[2]`` caught: ``len > 2``, each group deciding for itself (a group of 3 of 4 images
    as the batch: kept)."""
    got, want, said = split_outcome(body, *_batch(BATCHES["3r1s"]))
    assert set(got) == {"loss_real"} and not wrong_companions(got, want), (got, want)
    assert any("len() of the targets compared (4 > 2)" in s for s in said), said


# near misses: each image's own field in a loop over the images, a literal or an attribute
# factor, a tensor of every image's values (rows per image), a batch that is one image
def own_scale_per_image(o, targets):
    total = 0.0
    for t, x in zip(targets, o["x"]):
        total = total + (x - t["y"]).abs().mean() * t["scale"]
    return {"loss": total / 4}


def scales_as_a_tensor(o, targets):
    return {"loss": _err(o, targets) * torch.tensor([t["scale"] for t in targets]).mean()}


class _Scaled:
    scale = 1.7  # (1.5 is the sum of some batch's weights: a statistic of them, declined)

    def __call__(self, o, targets):
        return {"loss": _err(o, targets) * self.scale}


def literal_factor(o, targets):
    return {"loss": _err(o, targets) * 1.5}


def first_weight_tested(o, targets):  # every batch's first image is real: weight 1, as on the oracle's run
    return {"loss": _err(o, targets) * (2.0 if targets[0]["loss_weight"] > 0.7 else 1.0)}


def factor_at_its_default(o, targets, factor=1.75):  # the mean scale of a 4-image batch, by chance: a constant
    return {"loss": _err(o, targets) * factor}


@pytest.mark.parametrize("body", [own_scale_per_image, scales_as_a_tensor, _Scaled(), literal_factor,
                                  first_weight_tested, factor_at_its_default],
                         ids=["own", "tensor", "attribute", "literal", "first_weight", "default"])
def test_a_number_of_each_images_own_values_or_no_images_keeps_the_split(body):
    for name, w in BATCHES.items():
        got, want, said = split_outcome(body, *_batch(w))
        assert set(got) == {"loss_real", "loss_synthetic"} and not said, (name, said)
        assert not wrong_companions(got, want), (name, got, want)


@pytest.mark.parametrize("body", [
    pytest.param(last_images_weight_tested, marks=pytest.mark.xfail(strict=True, reason=(
        "README Known limits (session 23, not fixed): the weight field of one target read by position and "
        "compared in a branch (targets[-1]['loss_weight'] > 0.7) is left to the mode's weights (1 on a group "
        "alone, as where it multiplies), but the comparison is Python's: the branch keeps the batch's decision"))),
    pytest.param(smallest_weight, marks=pytest.mark.xfail(strict=True, reason=(
        "README Known limits (session 23, not fixed): the minimum or maximum of the weights over the images "
        "(min(t['loss_weight'] for t in targets)) is one image's weight object, read as that image's weight (1 on "
        "a group alone) where it scales a loss of several images: the batch's scaling is kept")))],
    ids=lambda b: b.__name__)
def test_a_weight_compared_or_picked_as_the_smallest_follows_the_oracle(body):
    for name, w in BATCHES.items():
        got, want, _ = split_outcome(body, *_batch(w))
        assert not wrong_companions(got, want), (name, got, want)


def _largest(targets):
    return max(t["scale"] for t in targets)


def largest_scale_from_a_helper(o, targets):
    s = _largest(targets)  # the field is named in the helper only, which has returned at the op
    return {"loss": _err(o, targets) * s}


def test_a_statistic_a_helper_computed_declines():
    for name, w in BATCHES.items():
        got, want, said = split_outcome(largest_scale_from_a_helper, *_batch(w))
        assert not wrong_companions(got, want), (name, got, want)
    _, _, said = split_outcome(largest_scale_from_a_helper, *_batch(BATCHES["1r2s"]))
    assert any("maximum of the images' 'scale'" in m for m in said), said


# --- red team (session 23, rt23): statistics of a field the check does not read, still silently wrong ----------
def largest_scale_as_a_tensor(o, targets):
    return {"loss": _err(o, targets) * torch.tensor(max(t["scale"] for t in targets))}


def largest_scale_plus_one(o, targets):
    return {"loss": _err(o, targets) * (max(t["scale"] for t in targets) + 1)}


def largest_scale_squared(o, targets):
    return {"loss": _err(o, targets) * max(t["scale"] for t in targets) ** 2}


def times_one_over_the_largest_scale(o, targets):
    return {"loss": _err(o, targets) * (1.0 / max(t["scale"] for t in targets))}


def largest_scale_by_full_like(o, targets):
    e = _err(o, targets)
    return {"loss": e * torch.full_like(e, max(t["scale"] for t in targets))}


def over_the_summed_scales_as_a_tensor(o, targets):
    return {"loss": _err(o, targets) / torch.as_tensor(sum(t["scale"] for t in targets))}


def _nested_batch(weights):
    args, kinds = _batch(weights)
    for t in args[1]:
        t["meta"] = {"scale": t.pop("scale")}
    return args, kinds


def largest_nested_scale(o, targets):
    return {"loss": _err(o, targets) * max(t["meta"]["scale"] for t in targets)}


def _counted_batch(weights):
    args, kinds = _batch(weights)
    for b, t in enumerate(args[1]):
        t["n"] = b + 1
    return args, kinds


def mean_of_an_int_field(o, targets):
    return {"loss": _err(o, targets) * (sum(t["n"] for t in targets) / len(targets))}


def largest_int_field_as_a_float(o, targets):
    return {"loss": _err(o, targets) * float(max(t["n"] for t in targets))}


SCALE_KEY = "scale"


def largest_scale_by_a_module_key(o, targets):
    return {"loss": _err(o, targets) * max(t[SCALE_KEY] for t in targets)}


def largest_scale_by_a_default_key(o, targets, key="scale"):
    return {"loss": _err(o, targets) * max(t[key] for t in targets)}


class _KeyedCriterion:
    key = "scale"

    def __call__(self, o, targets):
        return {"loss": _err(o, targets) * max(t[self.key] for t in targets)}


def over_one_plus_the_summed_scales(o, targets):
    return {"loss": _err(o, targets) / (1 + sum(t["scale"] for t in targets))}


def largest_of_twice_the_scales(o, targets):
    return {"loss": _err(o, targets) * max(t["scale"] * 2 for t in targets)}


def half_the_largest_scale(o, targets):
    return {"loss": _err(o, targets) * (max(t["scale"] for t in targets) / 2)}


# found by the red team rt23 against a check since widened (session 23): the field named by a module
# constant, a default argument or an attribute; the mean of an int field; a statistic made a tensor
RED_TEAM_FIXED = [(largest_scale_by_a_module_key, _batch), (largest_scale_by_a_default_key, _batch),
                  (_KeyedCriterion(), _batch), (mean_of_an_int_field, _counted_batch), (largest_scale_as_a_tensor, _batch),
                  (largest_scale_by_full_like, _batch), (over_the_summed_scales_as_a_tensor, _batch)]


_STILL_WRONG = [
    (over_one_plus_the_summed_scales, _batch, "/ (1 + sum(...)) equals no statistic: the batch's normaliser kept on "
     "both groups (1r2s: loss_real 0.018 for 0.05)"),
    (largest_of_twice_the_scales, _batch, "max(t['scale'] * 2 ...): the batch's factor kept (1r2s: loss_real 0.4 for "
     "0.2)"),
    (half_the_largest_scale, _batch, "max(...) / 2: the batch's factor kept where it matches no field's statistic "
     "(1r3s: loss_real 0.125 for 0.05)"),
    (largest_scale_plus_one, _batch, "max(...) + 1 equals no statistic of the field: the batch's factor kept (1r2s: "
     "loss_real 0.3 for the oracle's 0.2)"),
    (largest_scale_squared, _batch, "max(...) ** 2: the batch's factor kept (1r2s: loss_real 0.4 for 0.1)"),
    (times_one_over_the_largest_scale, _batch, "* (1.0 / max(...)): the batch's factor kept (1r2s: loss_real 0.05 for "
     "0.1)"),
    (largest_nested_scale, _nested_batch, "a field of a nested dict (t['meta']['scale']) is not scanned: the batch's "
     "maximum kept (1r2s: loss_real 0.2 for 0.1)"),
    (largest_int_field_as_a_float, _counted_batch, "float(max(int field)) is whole and of int fields, read as a count: "
     "the batch's maximum kept (1r2s: loss_real 0.3 for 0.1)"),
]


@pytest.mark.parametrize("body, batch", [pytest.param(b, m, marks=pytest.mark.xfail(strict=True, reason=r))
                                         for b, m, r in _STILL_WRONG], ids=[getattr(b, "__name__", type(b).__name__) for b, _, _ in _STILL_WRONG])
def test_red_team_field_statistics_follow_the_oracle_or_decline(body, batch):
    for name, w in BATCHES.items():
        got, want, _ = split_outcome(body, *batch(w))
        assert want, name
        assert not wrong_companions(got, want), (name, got, want)


@pytest.mark.parametrize("body, batch", RED_TEAM_FIXED, ids=lambda x: getattr(x, "__name__", type(x).__name__))
def test_a_statistic_of_a_field_named_otherwise_declines(body, batch):
    declined = []
    for name, w in BATCHES.items():
        got, want, said = split_outcome(body, *batch(w))
        assert want and not wrong_companions(got, want), (name, got, want)
        declined += [m for m in said if "by a number equal to the" in m]
    assert declined
