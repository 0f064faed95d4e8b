"""A Python number the body computes from several images' values (found in session 23): a field
aggregated over the targets (``max(t["scale"] for t in targets)``, ``min``, ``sum``, a total
added up in a loop over them) scaling a reduced loss was a constant to the capture, the batch's
value on every group; on a group alone the body computes it from the group's images. Also an
item read by position where an IndexError is caught through a module's name for it or a handler
around a ``finally``. Each body is checked
against the oracle on 2-, 3- and 4-image batches.

Session 24: a number the code computes from a field of the targets' items, whatever arithmetic (``/ (1 +
sum(...))``, ``max(...) ** 2``, ``t["meta"]["scale"]``), is read from the code and declines; the weight field
read by position and compared, or reduced over the images, follows the oracle too."""

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


@pytest.mark.parametrize("body", [last_images_weight_tested, smallest_weight], ids=lambda b: b.__name__)
def test_a_weight_compared_or_picked_as_the_smallest_follows_the_oracle(body):
    """Before (session 23, README Known limits): the batch's decision or scaling kept on every group
    (``targets[-1]["loss_weight"] > 0.7`` read by position and compared; the minimum of the weights,
    one image's weight object, read as that image's weight: 1 on a group alone)."""
    declined = []
    for name, w in BATCHES.items():
        got, want, said = split_outcome(body, *_batch(w))
        assert want and not wrong_companions(got, want), (name, got, want)
        declined += [m for m in said if "'loss_weight'" in m]
    assert declined


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


# found by the red team rt23, still wrong after session 23 (equal to no statistic of a field by value): read from
# the code since session 24 (``batch_fields.read_fields``: the number depends on a field of the targets' items)
READ_FROM_THE_CODE = [(over_one_plus_the_summed_scales, _batch, "'scale'"), (largest_of_twice_the_scales, _batch, "'scale'"),
                      (half_the_largest_scale, _batch, "'scale'"), (largest_scale_plus_one, _batch, "'scale'"),
                      (largest_scale_squared, _batch, "'scale'"), (times_one_over_the_largest_scale, _batch, "'scale'"),
                      (largest_nested_scale, _nested_batch, "t['meta']['scale']"),
                      (largest_int_field_as_a_float, _counted_batch, "'n'")]


def scales_by_a_computed_position_plus_one(o, targets):
    s = 0.0
    for b in range(len(targets)):
        s += targets[b]["scale"]
    return {"loss": _err(o, targets) * (s + 1)}


def last_scale_of_a_loop(o, targets):
    for t in targets:
        last = t["scale"]
    return {"loss": _err(o, targets) * (last + 1)}


def scales_appended_to_a_list(o, targets):
    scales = []
    for t in targets:
        scales.append(t["scale"])
    return {"loss": _err(o, targets) * (max(scales) + 1)}


def scales_of_a_filtered_copy(o, targets):
    kept = [t for t in targets if t["y"].numel()]
    return {"loss": _err(o, targets) * (1 + max(t.get("scale", 1.0) for t in kept)) ** 0.5}


def _summed_scales(items):
    total = 0.0
    for t in items:
        total += t["scale"]
    return total


def one_plus_a_helpers_total(o, targets):
    return {"loss": _err(o, targets) / (1 + _summed_scales(targets))}


class _HelperMethod:
    def _largest(self, items):
        return max(t["scale"] for t in items)

    def __call__(self, o, targets):
        return {"loss": _err(o, targets) * (self._largest(targets) + 1)}


def _total_of(items):
    return sum(t["scale"] for t in items)


def one_plus_a_total_by_keyword(o, targets):
    return {"loss": _err(o, targets) * (_total_of(items=targets) + 1)}


def one_plus_a_local_function(o, targets):
    largest = lambda ts: max(t["scale"] for t in ts)  # noqa: E731
    return {"loss": _err(o, targets) * (largest(targets) + 1)}


def one_plus_the_largest_mapped(o, targets):
    return {"loss": _err(o, targets) * (max(map(lambda t: t["scale"], targets)) + 1)}


def tensor_of_one_plus_the_largest(o, targets):
    return {"loss": _err(o, targets) * torch.tensor(max(t["scale"] for t in targets) + 1)}


def scaled_in_place(o, targets):
    loss = _err(o, targets) * 1.0
    loss *= max(t["scale"] for t in targets) + 1
    return {"loss": loss}


def torch_mul_by_one_plus_the_largest(o, targets):
    return {"loss": torch.mul(_err(o, targets), max(t["scale"] for t in targets) + 1)}


def _tensor_batch(weights):
    args, kinds = _batch(weights)
    for t in args[1]:
        t["scale"] = torch.tensor(t["scale"])
    return args, kinds


def one_plus_the_largest_item(o, targets):
    return {"loss": _err(o, targets) * (max(t["scale"].item() for t in targets) + 1)}


def _scale_of(t):
    return t["scale"]


def one_plus_the_largest_of_a_helper_per_item(o, targets):
    return {"loss": _err(o, targets) * (max(_scale_of(t) for t in targets) + 1)}


class _SetOnItself:
    def __call__(self, o, targets):  # (1r1s: 2.5, the sum of the scales, at an attribute: was read as configured)
        self.factor = max(t["scale"] for t in targets) + 1
        return {"loss": _err(o, targets) * self.factor}


KEYS = ["scale"]


def one_plus_the_largest_by_a_key_of_a_module_list(o, targets):
    return {"loss": _err(o, targets) * (max(t[KEYS[0]] for t in targets) + 1)}


def one_plus_the_largest_through_a_dict(o, targets):
    d = {"s": max(t["scale"] for t in targets) + 1}
    return {"loss": _err(o, targets) * d["s"]}


def scales_of_pairs_made_from_the_list(o, targets):
    pairs = list(zip(targets, range(len(targets))))
    s = 0.0
    for t, _ in pairs:
        s += t["scale"]
    return {"loss": _err(o, targets) * (s + 1)}


READ_FROM_THE_CODE += [(b, _batch, "'scale'") for b in (
    scales_of_pairs_made_from_the_list, scales_by_a_computed_position_plus_one, last_scale_of_a_loop, scales_appended_to_a_list, scales_of_a_filtered_copy,
    one_plus_a_helpers_total, _HelperMethod(), one_plus_a_total_by_keyword, one_plus_a_local_function,
    one_plus_the_largest_mapped, tensor_of_one_plus_the_largest, scaled_in_place, torch_mul_by_one_plus_the_largest,
    one_plus_the_largest_of_a_helper_per_item, _SetOnItself(), one_plus_the_largest_by_a_key_of_a_module_list,
    one_plus_the_largest_through_a_dict)]


@pytest.mark.parametrize("body, batch, key", READ_FROM_THE_CODE,
                         ids=[getattr(b, "__name__", type(b).__name__) for b, _, _ in READ_FROM_THE_CODE])
def test_a_number_the_code_computes_from_a_field_of_the_targets_declines(body, batch, key):
    """Before: the batch's number kept on every group (1r2s, ``max(...) + 1``: loss_real 0.3 for the oracle's 0.2)."""
    declined = []
    for name, w in BATCHES.items():
        got, want, said = split_outcome(body, *batch(w))
        assert want and not wrong_companions(got, want), (name, got, want)
        assert set(got) == set(want) or said, name
        # (since session 31 ``c * (1.0 / max(..))`` meets rc2's reciprocal-of-a-count decline first:
        # the same decline, a less specific message)
        declined += [m for m in said if f"computes from the images' {key}" in m
                     or "one over a number the body computes from the batch" in m]
    assert declined


def weight_of_the_last_image_by_get_compared(o, targets):
    return {"loss": _err(o, targets) * (2.0 if targets[-1].get("loss_weight", 1.0) > 0.7 else 1.0)}


def test_a_field_of_a_tensor_read_as_a_number_declines():
    """``t["scale"].item()`` of one-element tensor fields: the images' data read on the host (a number of
    several images' data, declined before this session too: kept so)."""
    for name, w in BATCHES.items():
        got, want, said = split_outcome(one_plus_the_largest_item, *_tensor_batch(w))
        assert want and set(got) != set(want) and said and not any("internal error" in m for m in said), (name, said)


def test_the_weight_read_by_position_through_get_and_compared_follows_the_oracle():
    declined = 0
    for name, w in BATCHES.items():
        got, want, said = split_outcome(weight_of_the_last_image_by_get_compared, *_batch(w))
        assert want and not wrong_companions(got, want), (name, got, want)
        declined += any("'loss_weight'" in m for m in said)
    assert declined


# near misses read from the code: no field of the targets' items (an outputs' number, a count of rows, a
# parameter), or each image's own field scaling that image's own term
def over_the_outputs_temperature(o, targets):
    return {"loss": _err(o, targets) / (o["temperature"] + 1)}


def over_the_counted_rows(o, targets):
    num = sum(len(t["y"]) for t in targets)
    return {"loss": (o["x"] - torch.stack([t["y"] for t in targets])).abs().mean(2).sum() / max(num, 1)}


def own_scale_by_a_computed_position(o, targets):
    total = 0.0
    for b in range(len(targets)):
        total = total + (o["x"][b] - targets[b]["y"]).abs().mean() * (targets[b]["scale"] + 0.1)  # (+ 1: 2.5, the sum of 1r3s's weights)
    return {"loss": total / len(targets)}


def twice_a_parameter(o, targets, gain=1.3):  # (1.25: 3.5, the sum of 3r1s's weights)
    return {"loss": _err(o, targets) * (gain * 2 + 1)}


def _tempered_batch(weights):
    args, kinds = _batch(weights)
    args[0]["temperature"] = 1.25
    return args, kinds


@pytest.mark.parametrize("body, batch", [(over_the_outputs_temperature, _tempered_batch), (over_the_counted_rows, _batch),
                                         (own_scale_by_a_computed_position, _batch), (twice_a_parameter, _batch)],
                         ids=["outputs_field", "counted_rows", "own_field_by_position", "parameter"])
def test_a_number_of_no_field_of_the_targets_keeps_the_split(body, batch):
    for name, w in BATCHES.items():
        got, want, said = split_outcome(body, *batch(w))
        assert set(got) == {"loss_real", "loss_synthetic"} and not said, (name, said)
        assert not wrong_companions(got, want), (name, got, want)


@pytest.mark.parametrize("body, batch", RED_TEAM_FIXED, ids=lambda x: getattr(x, "__name__", type(x).__name__))
def test_a_statistic_of_a_field_named_otherwise_declines(body, batch):
    declined = []
    for name, w in BATCHES.items():
        got, want, said = split_outcome(body, *batch(w))
        assert want and not wrong_companions(got, want), (name, got, want)
        declined += [m for m in said if "by a number equal to the" in m]
    assert declined


# --- found by the perf helper (session 25), pre-existing on f200e00: fields the code reading skipped -----------
def _flagged_batch(weights):
    args, kinds = _batch(weights)
    for t in args[1]:
        t["hard"] = t["loss_weight"] == 1.0  # a bool field: ``_number_field`` takes no bool for a number
    return args, kinds


def largest_flag_plus_a_half(o, targets):
    return {"loss": _err(o, targets) * (max(t["hard"] for t in targets) + 1.5)}


def _first_scaled_batch(weights):
    args, kinds = _batch(weights)
    for b, t in enumerate(args[1]):
        if b:
            del t["scale"]  # on one image only: ``_number_field`` wants two images that have it
        else:
            t["scale"] = 3.0
    return args, kinds


def largest_scale_by_get(o, targets):
    return {"loss": _err(o, targets) * (max(t.get("scale", 1.0) for t in targets) + 0.25)}


@pytest.mark.parametrize("body, batch", [(largest_flag_plus_a_half, _flagged_batch),
                                         (largest_scale_by_get, _first_scaled_batch)], ids=["bool_field", "one_image_field"])
def test_a_number_of_a_field_the_reading_skips_follows_the_oracle_or_declines(body, batch):
    """Were the batch's number on every group (perf helper, session 25): a bool field and a field one
    image has are fields too."""
    declined = 0
    for name, w in BATCHES.items():
        got, want, said = split_outcome(body, *batch(w))
        assert want and not wrong_companions(got, want), (name, got, want)
        if not got:
            assert any("at Tensor.mul" in m for m in said), (name, said)
            declined += 1
    assert declined
