"""Robustness: bad input, odd training setups and concurrency never crash or change training.

Unless a test says otherwise the criterion is ``mean_rows(|pred - target|.sum(1) * w)`` over 2 rows
per image in image order, so the companion of group S is the mean of S's per-row L1 with every
non-zero weight taken as 1 (``expected``). Each bad input gives the dict unchanged plus one
warning, or a ``LossSplitError``; where torch itself raises on the user's code, the undecorated
exception comes through unchanged.
"""

import math
import sys

import pytest
import torch
import torch.nn.functional as F
from _helpers import (
    assert_clean,
    bits,
    companions,
    default_group,
    expected,
    per_row_l1,
    pred_for,
    targets_for,
)
from _helpers import mean_l1 as body
from torch import nn
from torch.overrides import TorchFunctionMode

import losssplit
from losssplit import LossSplitError, _capture, _decorator, split_by_source


def weighted(w):
    """A body multiplying each row's loss by ``w`` (a tensor, or a callable of the targets)."""

    def criterion(pred, targets):
        weights = w(targets) if callable(w) else w
        return {"loss": (per_row_l1(pred, targets) * weights).mean()}

    return criterion


def same_failure(fn, *args):
    """Call ``fn`` decorated and undecorated; both must raise the same exception."""
    with pytest.raises(Exception) as plain:
        fn(*args)
    with pytest.raises(type(plain.value)) as mine:
        split_by_source(fn)(*args)
    assert str(mine.value) == str(plain.value)
    assert torch._C._len_torch_function_stack() == 0


# -- bad input -------------------------------------------------------------------------------------


def test_weights_of_the_wrong_length_raise_as_undecorated():
    targets = targets_for([1.0, 0.5])
    same_failure(weighted(torch.ones(5)), pred_for(targets), targets)
    assert companions(split_by_source(body)(pred_for(targets), targets)) == pytest.approx(
        expected(pred_for(targets), targets)
    )


def test_weights_of_a_shape_that_broadcasts_never_corrupt_a_value():
    # [4] * [4, 1] -> [4, 4]: the user's bug, but the values still follow the definition: with one
    # group and unit weights the companion is the main value.
    targets = targets_for([1.0, 1.0])
    pred = pred_for(targets)
    out = split_by_source(weighted(torch.ones(4, 1)))(pred, targets)
    assert torch.equal(out["loss"], weighted(torch.ones(4, 1))(pred, targets)["loss"])
    assert out["loss_real"].item() == pytest.approx(out["loss"].item(), rel=1e-6)
    assert_clean(out)


def _times(pred, targets, w):
    """Each group's mean of ``per_row_l1 * w``: a factor that is not the weight field stays."""
    values = (per_row_l1(pred.detach(), targets) * w).tolist()
    rows: dict[str, list[float]] = {}
    start = 0
    for t in targets:
        n = t["boxes"].shape[0]
        rows.setdefault(default_group(t["loss_weight"]), []).extend(values[start : start + n])
        start += n
    return {f"loss_{g}": sum(v) / len(v) for g, v in rows.items()}


def test_non_finite_factors_give_non_finite_groups_omitted_with_a_warning(warnings_of):
    # The main loss turns NaN (the user's data); the body on each group alone is NaN too.
    targets = targets_for([1.0, 0.5])
    pred = pred_for(targets)
    w = torch.tensor([1.0, float("nan"), float("inf"), -float("inf")])
    out = split_by_source(weighted(w))(pred, targets)
    assert math.isnan(out["loss"].item())
    assert companions(out) == {}
    assert len(warnings_of()) == 2 and all("not finite" in m for m in warnings_of())
    assert_clean(out)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_losses_drop_that_group_with_one_warning_per_key(bad, warnings_of):
    @split_by_source
    def two_keys(pred, targets):
        rows = per_row_l1(pred, targets)
        return {"loss": rows.mean(), "loss_sum": rows.sum()}

    targets = targets_for([1.0, 0.5])
    pred = pred_for(targets).detach()
    pred[3, 0] = bad  # a row of the synthetic image
    for _ in range(3):
        out = two_keys(pred, targets)
        assert set(out) == {"loss", "loss_sum", "loss_real", "loss_sum_real"}
        assert out["loss_real"].item() == pytest.approx(expected(pred, targets)["loss_real"], rel=1e-6)
        assert_clean(out)
    messages = warnings_of()
    assert len(messages) == 2
    assert any("'loss_synthetic'" in m for m in messages) and any("'loss_sum_synthetic'" in m for m in messages)


def test_a_nan_label_is_in_no_group_with_one_warning(warnings_of):
    targets = targets_for([1.0, float("nan"), 0.5])
    pred = pred_for(targets)
    crit = split_by_source(body)
    out = crit(pred, targets)
    crit(pred, targets)
    kept = targets[:1] + targets[2:]
    assert companions(out) == pytest.approx(expected(pred[[0, 1, 4, 5]], kept), rel=1e-6)
    (message,) = warnings_of()
    assert "1 of 3 images" in message and "image 1" in message and "nan" in message
    # Infinite labels are ordinary numbers: above or below the threshold.
    targets = targets_for([float("inf"), -float("inf")])
    out = crit(pred_for(targets), targets)
    assert set(companions(out)) == {"loss_real", "loss_synthetic"}
    assert len(warnings_of()) == 1


def test_integer_and_bool_weights_are_factors_and_masks(warnings_of):
    targets = targets_for([1.0, 0.5])
    pred = pred_for(targets)
    for w in (torch.tensor([2, 0, 1, 3]), torch.tensor([True, False, True, True])):
        out = split_by_source(weighted(w))(pred, targets)
        assert torch.equal(out["loss"], weighted(w)(pred, targets)["loss"])
        assert companions(out) == pytest.approx(_times(pred, targets, w), rel=1e-6)
    # integer and bool labels are weights under the default ``loss_weight`` field
    for labels in ([1, 0], [True, False], [torch.tensor(1), torch.tensor(0)]):
        targets = targets_for(labels)
        out = split_by_source(body)(pred, targets)
        assert companions(out) == pytest.approx(expected(pred, targets), rel=1e-6)
    assert warnings_of() == []


def test_negative_factors_stay_and_negative_labels_are_synthetic():
    targets = targets_for([1.0, -0.5])
    pred = pred_for(targets)
    w = torch.tensor([-1.0, 2.0, -3.0, 1.0])
    out = split_by_source(weighted(w))(pred, targets)
    assert companions(out) == pytest.approx(_times(pred, targets, w), rel=1e-6)
    assert set(companions(out)) == {"loss_real", "loss_synthetic"}


def test_labels_matching_no_predicate_warn_once(warnings_of):
    targets = targets_for([1.0, 0.5, 0.2])
    pred = pred_for(targets)
    nothing = split_by_source(groups={"big": lambda w: w > 5})(body)
    out = nothing(pred, targets)
    assert set(out) == {"loss"} and torch.equal(out["loss"], body(pred, targets)["loss"])
    some = split_by_source(groups={"clean": lambda w: w == 1.0})(body)
    out = some(pred, targets)
    assert companions(out) == pytest.approx({"loss_clean": expected(pred, targets)["loss_real"]}, rel=1e-6)
    messages = warnings_of()
    assert len(messages) == 2
    assert "3 of 3 images" in messages[0] and "2 of 3 images" in messages[1] and "image 1" in messages[1]


def test_a_predicate_that_raises_warns_and_leaves_the_dict_unchanged(warnings_of):
    crit = split_by_source(groups={"odd": lambda w: w.startswith("x")})(body)
    targets = targets_for([1.0, 0.5])
    out = crit(pred_for(targets), targets)
    assert set(out) == {"loss"}
    (message,) = warnings_of()
    assert "'odd'" in message and "AttributeError" in message
    assert_clean(out)


def test_zero_rows_add_nothing(warnings_of):
    # Images without rows: the user's mean of nothing is NaN; no companion, nothing non-finite.
    targets = targets_for([1.0, 0.5], rows=0)
    pred = pred_for(targets)
    out = split_by_source(body)(pred, targets)
    assert set(out) == {"loss"} and torch.equal(bits(out["loss"]), bits(body(pred, targets)["loss"]))
    targets = targets_for([1.0, 0.5]) + targets_for([0.5], rows=0)
    out = split_by_source(body)(pred_for(targets), targets)
    assert set(out) == {"loss", "loss_real", "loss_synthetic"}
    assert warnings_of() == []


def test_zero_images_return_the_dict_unchanged_with_one_warning(warnings_of):
    def empty(pred, targets):
        return {"loss": pred.sum()}

    pred = torch.zeros(0, 4, requires_grad=True)
    cases = [
        (split_by_source(empty), lambda crit: crit(pred, [])),
        (split_by_source(source=lambda a: [])(empty), lambda crit: crit(pred, [])),
        (split_by_source(empty), lambda crit: _with_sources([], crit, pred, [])),
    ]
    for crit, call in cases:
        before = len(warnings_of())
        out = call(crit)
        assert set(out) == {"loss"} and out["loss"].item() == 0.0
        assert len(warnings_of()) == before + 1


def _with_sources(labels, crit, *args):
    with losssplit.sources(labels):
        return crit(*args)


@pytest.mark.parametrize(
    "make_result",
    [
        lambda loss: (loss, {"loss": loss}),
        lambda loss: loss,
        lambda loss: None,
        lambda loss: [loss],
    ],
    ids=["tuple", "tensor", "none", "list"],
)
def test_non_dict_results_come_back_as_they_are_with_one_warning(make_result, warnings_of):
    results = []

    @split_by_source
    def crit(pred, targets):
        results.append(make_result(per_row_l1(pred, targets).mean()))
        return results[-1]

    targets = targets_for([1.0, 0.5])
    out = crit(pred_for(targets), targets)
    assert out is results[-1]
    if isinstance(out, tuple):
        assert set(out[1]) == {"loss"}
    (message,) = warnings_of()
    # a tensor is a loss of its own: its companions need a sink (tests/test_tensor_losses.py)
    assert ("need an active sink" if isinstance(out, torch.Tensor) else "not a dict") in message
    assert_clean({})


def test_non_tensor_values_are_left_alone(warnings_of):
    extra = {"count": 3, "name": "x", "none": None, "list": [1.0], "float": 0.5}

    @split_by_source
    def crit(pred, targets):
        return {**body(pred, targets), **extra}

    targets = targets_for([1.0, 0.5])
    pred = pred_for(targets)
    out = crit(pred, targets)
    assert all(out[k] is v for k, v in extra.items())
    assert companions(out) == pytest.approx(expected(pred, targets), rel=1e-6)
    assert warnings_of() == []
    only = split_by_source(keys=["loss", "count"])(crit.__wrapped__)
    out = only(pred, targets)
    assert set(companions(out)) == {"loss_real", "loss_synthetic"}
    (message,) = warnings_of()
    assert "'count'" in message and "int" in message


def test_a_dict_mutated_after_return_keeps_its_companions_and_the_next_call_is_fresh():
    crit = split_by_source(body)
    targets = targets_for([1.0, 0.5])
    pred = pred_for(targets)
    out = crit(pred, targets)
    before = companions(out)
    out["loss"].detach().mul_(100)  # an in-place write into the main value
    del out["loss"]
    out["extra"] = torch.tensor(1.0)
    assert companions(out) == before
    again = crit(pred, targets)
    assert set(again) == {"loss", "loss_real", "loss_synthetic"}
    assert companions(again) == pytest.approx(expected(pred, targets), rel=1e-6)


def test_a_dict_reused_across_calls_never_holds_companions_of_an_earlier_batch():
    class Reusing:
        def __init__(self):
            self.losses = {}

        @split_by_source
        def __call__(self, pred, targets):
            self.losses["loss"] = per_row_l1(pred, targets).mean()
            return self.losses

    crit = Reusing()
    mixed = targets_for([1.0, 0.5])
    assert set(crit(pred_for(mixed), mixed)) == {"loss", "loss_real", "loss_synthetic"}
    real_only = targets_for([1.0, 1.0], seed=5)
    pred = pred_for(real_only, seed=6)
    out = crit(pred, real_only)
    assert set(out) == {"loss", "loss_real"}  # no synthetic rows in this batch: no such key
    assert out["loss_real"].item() == pytest.approx(expected(pred, real_only)["loss_real"], rel=1e-6)
    with losssplit.sources(["a", "b"]):  # labels from the loop: other groups, same dict
        out = crit(pred, real_only)
    assert set(out) == {"loss", "loss_a", "loss_b"}


def test_a_reused_dict_on_unsampled_calls_holds_no_companions_of_a_sampled_one():
    losses: dict = {}

    @split_by_source(every=3)
    def crit(pred, targets):
        losses["loss"] = per_row_l1(pred, targets).mean()
        return losses

    @split_by_source(every=3)
    def fresh(pred, targets):  # its own dicts: other ids, never scanned, never stale
        return {"loss": per_row_l1(pred, targets).mean()}

    targets = targets_for([1.0, 0.5])
    pred = pred_for(targets)
    seen = [set(crit(pred, targets)) for _ in range(60)]
    assert {"loss", "loss_real", "loss_synthetic"} in seen and {"loss"} in seen
    assert all(s in ({"loss"}, {"loss", "loss_real", "loss_synthetic"}) for s in seen)
    sampled = [crit(pred, targets).copy() for _ in range(30)]
    kept = [fresh(pred, targets) for _ in range(30)]
    assert len({len(d) for d in sampled}) == 2 and len({len(d) for d in kept}) == 2


def test_a_copy_of_an_earlier_result_never_holds_its_companions():
    class Caching:
        def __init__(self):
            self.last = None

        @split_by_source(every=2)
        def __call__(self, pred, targets):
            out = dict(self.last) if self.last is not None else {}  # the earlier result, copied
            out["loss"] = per_row_l1(pred, targets).mean()
            return out

    crit = Caching()
    mixed = targets_for([1.0, 0.5])
    pred = pred_for(mixed)
    for _ in range(10):
        crit.last = crit(pred, mixed)
        if "loss_synthetic" in crit.last:
            break
    assert "loss_synthetic" in crit.last
    real_only = targets_for([1.0, 1.0], seed=5)
    for _ in range(10):  # sampled or not, no companion of the mixed batch comes back
        out = crit(pred_for(real_only, seed=6), real_only)
        assert "loss_synthetic" not in out
        assert set(out) in ({"loss"}, {"loss", "loss_real"})


def test_a_dict_holding_another_criterions_companions_keeps_them():
    first = split_by_source(body)
    targets = targets_for([1.0, 0.5])
    earlier = first(pred_for(targets), targets)

    @split_by_source(source="dataset")
    def second(pred, targets, extra):
        return {**extra, "loss_b": per_row_l1(pred, targets).sum()}

    for t, name in zip(targets, ["x", "y"]):
        t["dataset"] = name
    out = second(pred_for(targets), targets, earlier)
    assert {"loss_real", "loss_synthetic", "loss_b_x", "loss_b_y"} <= set(out)
    assert out["loss_real"] is earlier["loss_real"]


def test_a_source_callable_that_raises_passes_through_with_one_warning(warnings_of):
    crit = split_by_source(source=lambda a: 1 / 0)(body)
    targets = targets_for([1.0, 0.5])
    for _ in range(2):
        out = crit(pred_for(targets), targets)
        assert set(out) == {"loss"}
    (message,) = warnings_of()
    assert "ZeroDivisionError" in message
    assert set(split_by_source(source=lambda a: None)(body)(pred_for(targets), targets)) == {"loss"}


@pytest.mark.parametrize(
    "source, words",
    [
        (lambda a: "ab", ["returned str"]),
        (lambda a: {"a": 1}, ["returned dict"]),
        (lambda a: (x for x in "ab"), ["returned generator"]),
        (lambda a: [1.0, 0.5, 0.5], ["3 source labels", "'loss'", "(4, 4)", "(2, 4)"]),
    ],
)
def test_a_source_callable_returning_garbage_raises_naming_what_was_seen(source, words):
    targets = targets_for([1.0, 0.5])
    with pytest.raises(LossSplitError) as info:
        split_by_source(source=source)(body)(pred_for(targets), targets)
    assert all(w in str(info.value) for w in words), str(info.value)
    assert torch._C._len_torch_function_stack() == 0


@pytest.mark.parametrize(
    "label, words",
    [
        (torch.tensor([0.5, 1.0]), ["scalar", "(2,)", "image 1"]),
        (None, ["NoneType", "image 1"]),
        ([1.0], ["list", "image 1"]),
        ("synthetic", ["mix", "float", "str"]),
    ],
)
def test_labels_of_the_wrong_kind_raise_naming_image_and_shape(label, words):
    targets = targets_for([1.0, label])
    with pytest.raises(LossSplitError) as info:
        split_by_source(body)(pred_for(targets), targets)
    assert all(w in str(info.value) for w in words), str(info.value)
    assert torch._C._len_torch_function_stack() == 0


def _out_of_range_index(pred, targets):
    return {"loss": pred[torch.tensor([0, 9])].sum()}


def _bad_view(pred, targets):
    return {"loss": per_row_l1(pred, targets).view(3, -1).mean()}


def _bad_class(pred, targets):
    return {"loss": F.cross_entropy(pred, torch.tensor([0, 1, 2, 7]))}


def _user_raise(pred, targets):
    rows = per_row_l1(pred, targets)
    if rows.sum() > 0:
        raise ValueError(f"user check failed on {tuple(rows.shape)}")
    return {"loss": rows.mean()}


@pytest.mark.parametrize("fn", [_out_of_range_index, _bad_view, _bad_class, _user_raise])
def test_errors_of_the_users_code_propagate_unchanged(fn):
    targets = targets_for([1.0, 0.5])
    same_failure(fn, pred_for(targets), targets)
    out = split_by_source(body)(pred_for(targets), targets)
    assert companions(out) == pytest.approx(expected(pred_for(targets), targets), rel=1e-6)


def test_our_own_failures_never_reach_training(monkeypatch, warnings_of):
    """A bug in a rule, in the split or in reading sources: one warning, training unchanged."""
    targets = targets_for([1.0, 0.5])

    def boom(*args, **kwargs):
        raise RuntimeError("losssplit bug")

    def check(crit):
        mine, theirs = pred_for(targets), pred_for(targets)
        out = crit(mine, targets)
        plain = body(theirs, targets)
        assert set(out) == {"loss"} and torch.equal(out["loss"], plain["loss"])
        out["loss"].backward()
        plain["loss"].backward()
        assert torch.equal(mine.grad, theirs.grad)
        assert_clean(out)

    with monkeypatch.context() as m:
        m.setitem(_capture.RULES, torch.Tensor.mean, boom)
        check(split_by_source(body))
    with monkeypatch.context() as m:
        m.setattr(_decorator, "finish", boom)
        check(split_by_source(body))
    with monkeypatch.context() as m:
        m.setattr(_decorator, "read_sources", boom)
        check(split_by_source(body))
    with monkeypatch.context() as m:  # reading the body's state for running counts, before the body
        m.setattr(_decorator, "_numbers_held", boom)
        check(split_by_source(body))
    with monkeypatch.context() as m:  # ... and after it ran
        m.setattr(_decorator, "_counted_into", boom)
        check(split_by_source(body))
    messages = warnings_of()
    assert len(messages) == 5 and all("internal error" in m and "losssplit bug" in m for m in messages)


def test_a_returned_key_named_like_a_companion_raises_at_the_first_call_naming_both():
    @split_by_source
    def crit(pred, targets):
        return {**body(pred, targets), "loss_real": torch.tensor(5.0)}

    targets = targets_for([1.0, 0.5])
    with pytest.raises(LossSplitError, match="'loss_real' is given to the returned key 'loss_real' and to key 'loss'"):
        crit(pred_for(targets), targets)


def _two_keys(pred, targets):
    rows = per_row_l1(pred, targets)
    return {"loss": rows.mean(), "loss_a": rows.sum()}


def test_two_companions_of_one_name_raise_at_the_first_call_naming_both():
    # key "loss" in group "a_b" and key "loss_a" in group "b" are both "loss_a_b"
    targets = targets_for([1.0, 0.5], dataset="a_b")
    targets[1]["dataset"] = "b"
    with pytest.raises(LossSplitError) as info:
        split_by_source(source="dataset")(_two_keys)(pred_for(targets), targets)
    assert "'loss_a_b'" in str(info.value)
    assert "key 'loss' split for group 'a_b'" in str(info.value)
    assert "key 'loss_a' split for group 'b'" in str(info.value)


def test_a_name_clash_that_only_later_data_shows_omits_that_name_with_a_warning(warnings_of):
    crit = split_by_source(source="dataset")(_two_keys)
    first = targets_for([1.0, 1.0], dataset="a_b")
    crit(pred_for(first), first)
    later = targets_for([1.0, 1.0, 1.0], dataset="a_b")
    later[1]["dataset"] = "b"
    pred = pred_for(later)
    out = crit(pred, later)
    # "loss_a_b" would be both loss_a over group b and loss over group a_b: neither is given
    assert set(out) == {"loss", "loss_a", "loss_b", "loss_a_a_b"}
    rows = per_row_l1(pred.detach(), later)
    assert out["loss_b"].item() == pytest.approx(rows[2:4].mean().item(), rel=1e-6)
    assert out["loss_a_a_b"].item() == pytest.approx((rows[:2].sum() + rows[4:].sum()).item(), rel=1e-6)
    (message,) = warnings_of()
    assert "'loss_a_b'" in message and "no companion 'loss_a_b'" in message


def test_per_row_weights_passed_in_with_as_many_rows_as_images_never_pair_wrong_rows(warnings_of):
    # M == B: the weights and the matched predictions look batch-first; rows 0, 0, 2 of images
    # 0, 0, 2 disagree with rows 0, 1, 2, so the call warns and adds nothing.
    targets = [{**t, "boxes": t["boxes"][:n]} for t, n in zip(targets_for([1.0, 0.5, 0.5]), (2, 0, 1))]
    pred = pred_for(targets)

    def crit(pred, targets, w):
        return {"loss": (per_row_l1(pred, targets) * w).mean()}

    w = torch.tensor([1.0, 0.5, 0.5])
    out = split_by_source(crit)(pred, targets, w)
    assert set(out) == {"loss"} and torch.equal(out["loss"], crit(pred, targets, w)["loss"])
    (message,) = warnings_of()
    assert "rows of different images" in message


def test_matched_rows_passed_in_and_subtracted_by_hand():
    # ``pred`` is not batch-first, so only its requires_grad marks it as the prediction.
    def crit(pred, targets):
        return {"loss": (pred - torch.cat([t["boxes"] for t in targets])).abs().sum(1).mean()}

    targets = targets_for([1.0, 0.5, 0.2])
    pred = pred_for(targets)
    out = split_by_source(crit)(pred, targets)
    assert torch.equal(out["loss"], crit(pred, targets)["loss"])
    assert companions(out) == pytest.approx(expected(pred, targets), rel=1e-6)


class Boxes(torch.Tensor):
    """A tensor subclass that unwraps its results, as torchvision's ``tv_tensors`` do."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        out = super().__torch_function__(func, types, args, kwargs or {})
        return out.as_subclass(torch.Tensor) if isinstance(out, Boxes) else out


def test_tensor_subclasses_with_their_own_torch_function():
    targets = [{**t, "boxes": t["boxes"].as_subclass(Boxes)} for t in targets_for([1.0, 0.5])]
    mine, theirs = (torch.Tensor._make_subclass(Boxes, pred_for(targets).detach(), True) for _ in range(2))
    out = split_by_source(body)(mine, targets)
    plain = body(theirs, targets)
    assert torch.equal(out["loss"], plain["loss"])
    out["loss"].backward()
    plain["loss"].backward()
    assert torch.equal(mine.grad, theirs.grad)
    assert companions(out) == pytest.approx(expected(mine, targets), rel=1e-6)


# -- training setups -------------------------------------------------------------------------------


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.net = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 4))

    def forward(self, x):
        return self.net(x)


def test_no_grad_inference_mode_and_eval_give_the_same_companions():
    model = Model().eval()
    x = torch.rand(6, 4, generator=torch.Generator().manual_seed(2))
    targets = targets_for([1.0, 0.5, 0.2])
    crit = split_by_source(body)
    reference = crit(model(x), targets)
    for context in (torch.no_grad, torch.inference_mode):
        with context():
            out = crit(model(x), targets)
        assert torch.equal(out["loss"], reference["loss"])
        assert companions(out) == companions(reference)
        assert_clean(out)


def test_autocast_bfloat16_companions_are_float32_within_bf16_tolerance():
    model = Model().eval()
    x = torch.rand(6, 4, generator=torch.Generator().manual_seed(2))
    targets = targets_for([1.0, 0.5, 0.2])

    def bf16_body(pred, targets):
        target = torch.cat([t["boxes"] for t in targets]).to(pred.dtype)
        return {"loss": (pred - target).abs().sum(1).mean()}

    with torch.autocast("cpu", dtype=torch.bfloat16):
        pred = model(x)
        out = split_by_source(bf16_body)(pred, targets)
    assert pred.dtype == torch.bfloat16 and out["loss"].dtype == torch.bfloat16
    assert out["loss_real"].dtype == torch.float32 and out["loss_synthetic"].dtype == torch.float32
    want = expected(model(x), targets)  # float32 throughout
    assert companions(out) == pytest.approx(want, rel=2e-2)
    assert_clean(out)


@pytest.mark.parametrize("cast, eps", [("half", 2.0**-11), ("bfloat16", 2.0**-8)])
def test_a_reduced_value_cast_to_half_precision_has_float32_companions_before_the_cast(cast, eps):
    """DESIGN decision: the companion is the group's ratio, not its rounding to the key's dtype;
    it differs from the half-precision oracle by that one rounding (at most ``eps`` relative)."""
    x = torch.rand(6, 4, generator=torch.Generator().manual_seed(4), requires_grad=True)
    targets = targets_for([1.0, 0.5, 1.0])

    def cast_body(pred, targets):
        target = torch.cat([t["boxes"] for t in targets])
        return {"loss": getattr((pred - target).abs().sum(1).mean(), cast)()}

    out = split_by_source(cast_body)(x, targets)
    assert torch.equal(out["loss"], cast_body(x, targets)["loss"])
    ratio = expected(x, targets)
    got = companions(out)
    assert got == pytest.approx(ratio, rel=1e-6)
    oracle = {g: float(getattr(torch.tensor(v), cast)()) for g, v in ratio.items()}
    assert all(abs(got[g] - oracle[g]) <= eps * abs(oracle[g]) for g in got)
    assert {out[name].dtype for name in got} == {torch.float32}


def test_a_compiled_model_with_an_eager_decorated_criterion():
    model = Model().train()
    compiled = torch.compile(model, backend="aot_eager")
    x = torch.rand(6, 4, generator=torch.Generator().manual_seed(2))
    targets = targets_for([1.0, 0.5, 0.2])
    grads = []
    for crit in (split_by_source(body), body):
        model.zero_grad()
        torch.manual_seed(3)  # the same dropout mask for both
        pred = compiled(x)
        out = crit(pred, targets)
        sum(out.values()).backward()
        grads.append([p.grad.clone() for p in model.parameters()])
        if crit is not body:
            assert companions(out) == pytest.approx(expected(pred, targets), rel=1e-6)
    assert all(torch.equal(a, b) for a, b in zip(*grads))
    torch._dynamo.reset()


def test_the_decorated_criterion_under_torch_compile_passes_through_with_one_warning(warnings_of):
    crit = split_by_source(body)
    compiled = torch.compile(crit, backend="eager")
    targets = targets_for([1.0, 0.5])
    pred = pred_for(targets)
    for _ in range(2):
        out = compiled(pred, targets)
        assert set(out) == {"loss"}
        assert torch.allclose(out["loss"], body(pred, targets)["loss"])
    (message,) = warnings_of()
    assert "torch.compile" in message
    assert companions(crit(pred, targets)) == pytest.approx(expected(pred, targets), rel=1e-6)  # eager again
    torch._dynamo.reset()


@pytest.mark.parametrize("every", [1, 3])
def test_under_torch_compile_it_compiles_once_no_matter_how_often_it_is_called(every):
    from torch._dynamo.testing import CompileCounter

    class Criterion(torch.nn.Module):
        @split_by_source(every=every)
        def forward(self, pred, targets):
            return body(pred, targets)

    counter = CompileCounter()
    compiled = torch.compile(Criterion(), backend=counter)
    targets = targets_for([1.0, 0.5])
    pred = pred_for(targets)
    for _ in range(12):  # losssplit's call counter and sampler must not become dynamo guards
        assert set(compiled(pred, targets)) == {"loss"}
    assert counter.frame_count == 1
    torch._dynamo.reset()


def test_double_decoration():
    targets = targets_for([1.0, 0.5], dataset="d")
    targets[0]["dataset"] = "c"
    pred = pred_for(targets)
    twice = split_by_source(split_by_source(body))
    out = twice(pred, targets)
    assert set(out) == {"loss", "loss_real", "loss_synthetic"}
    assert companions(out) == pytest.approx(expected(pred, targets), rel=1e-6)
    both = split_by_source(source="dataset")(split_by_source(body))
    out = both(pred, targets)
    assert set(out) == {"loss", "loss_real", "loss_synthetic", "loss_c", "loss_d"}
    assert out["loss_c"].item() == pytest.approx(out["loss_real"].item(), rel=1e-6)
    assert torch.equal(out["loss"], body(pred, targets)["loss"])


def test_recursion_splits_every_level():
    @split_by_source
    def recursive(pred, targets, depth=0):
        out = {f"loss_{depth}": per_row_l1(pred, targets).mean()}
        if depth < 2:
            out.update(recursive(pred * 2, targets, depth + 1))
        return out

    targets = targets_for([1.0, 0.5, 0.2])
    pred = pred_for(targets)
    out = recursive(pred, targets)
    for depth in range(3):
        want = expected(pred * 2**depth, targets, key=f"loss_{depth}")
        assert {k: v for k, v in companions(out).items() if k.startswith(f"loss_{depth}_")} == pytest.approx(want, rel=1e-6)
    assert_clean(out)


class OpLog(TorchFunctionMode):
    def __init__(self):
        super().__init__()
        self.ops = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.ops.append(getattr(func, "__name__", repr(func)))
        return func(*args, **(kwargs or {}))


def test_outer_torch_function_modes_see_exactly_the_undecorated_ops():
    targets = targets_for([1.0, 0.5])
    pred = pred_for(targets)
    logs, outs = [], []
    for crit in (split_by_source(body), body):
        with OpLog() as log, torch.device("cpu"):
            outs.append(crit(pred, targets))
        logs.append(log.ops)
    assert logs[0] == logs[1] and "mean" in logs[0]
    assert companions(outs[0]) == pytest.approx(expected(pred, targets), rel=1e-6)
    assert torch.equal(outs[0]["loss"], outs[1]["loss"])


def test_inputs_it_cannot_read_pass_the_call_through_to_the_users_modes_and_subclasses(warnings_of):
    class Logged(torch.Tensor):  # a user's tensor subclass
        pass

    def crit(pred, targets, extra):
        loss = body(pred, targets)["loss"]
        return {"loss": loss, "device": torch.zeros(1).device, "type": type(loss).__name__}

    targets = targets_for([1.0, 0.5])
    pred = pred_for(targets).as_subclass(Logged)
    extra = torch.nested.nested_tensor([torch.rand(2, 3), torch.rand(3, 3)])  # no sizes to read
    with torch.device("meta"):  # a torch function mode of the user's
        out = split_by_source(crit)(pred, targets, extra)
    assert (out["device"], out["type"]) == (torch.device("meta"), "Logged")
    assert set(out) == {"loss", "device", "type"}
    assert any("reading inputs" in m for m in warnings_of())


def test_sparse_and_large_tensors_among_the_inputs_are_followed_or_passed_by():
    g = torch.Generator().manual_seed(2)
    targets = targets_for([1.0, 0.5, 1.0])
    for t in targets:  # a sparse adjacency and a large dense map per image, next to the boxes
        t["adjacency"] = torch.eye(3).to_sparse()
        t["depth"] = torch.rand(128, 128, generator=g)  # 64 KiB: held weakly

    def crit(pred, targets):
        out = body(pred, targets)
        out["loss_depth"] = torch.stack([t["depth"].mean() for t in targets]).sum() * pred.sum() * 0
        return out

    pred = pred_for(targets)
    plain = crit(pred, targets)
    out = split_by_source(crit)(pred, targets)
    assert torch.equal(out["loss"], plain["loss"]) and torch.equal(out["loss_depth"], plain["loss_depth"])
    assert companions(out)["loss_real"] == pytest.approx(expected(pred, targets)["loss_real"], rel=1e-6)


@pytest.mark.parametrize("width", [8, 4096])  # 128 B: read at the end; 64 KiB: summed per row at once
def test_losses_written_in_place_after_their_reduction_never_give_a_stale_companion(width, warnings_of):
    def crit(pred, targets):
        y = torch.stack([t["y"] for t in targets])
        per_element = (pred - y).abs()
        loss = per_element.mean()
        per_element.mul_(0.0)  # legal for autograd: abs saved its input, mean nothing
        return {"loss": loss}

    g = torch.Generator().manual_seed(0)
    targets = [{"y": torch.rand(width, generator=g), "loss_weight": w} for w in (1.0, 0.5, 1.0, 0.5)]
    pred = torch.rand(4, width, generator=g, requires_grad=True)
    out = split_by_source(crit)(pred, targets)
    assert torch.equal(out["loss"], crit(pred, targets)["loss"])
    per_image = (pred - torch.stack([t["y"] for t in targets])).abs().detach().mean(1)
    if "loss_real" in out:  # right, or absent with a warning: never the zeros written later
        assert out["loss_real"].item() == pytest.approx(per_image[[0, 2]].mean().item(), rel=1e-6)
    else:
        assert any("written in place" in m for m in warnings_of())
    assert width == 8 or "loss_real" in out


class Totalling:
    """Returns the same dict every call and totals it inside the body, companions included."""

    def __init__(self):
        self.losses = {}

    @split_by_source
    def __call__(self, pred, targets):
        self.losses["loss"] = per_row_l1(pred, targets).mean()
        self.losses["total"] = sum(v for k, v in self.losses.items() if k != "total")
        return self.losses


_GLOBAL_LOSSES: dict = {}


@split_by_source
def _totalling_global(pred, targets):
    _GLOBAL_LOSSES["loss"] = per_row_l1(pred, targets).mean()
    _GLOBAL_LOSSES["total"] = sum(v for k, v in _GLOBAL_LOSSES.items() if k != "total")
    return _GLOBAL_LOSSES


def _totalling_closure():
    losses: dict = {}

    @split_by_source
    def crit(pred, targets):
        losses["loss"] = per_row_l1(pred, targets).mean()
        losses["total"] = sum(v for k, v in losses.items() if k != "total")
        return losses

    return crit


@split_by_source
def _totalling_argument(pred, targets, losses):
    losses["loss"] = per_row_l1(pred, targets).mean()
    losses["total"] = sum(v for k, v in losses.items() if k != "total")
    return losses


@pytest.mark.parametrize("where", ["attribute", "global", "closure", "argument"])
@pytest.mark.parametrize("off", ["api", "env", "on"])
def test_a_reused_dict_the_body_totals_never_sums_companions_of_an_earlier_call(where, off, monkeypatch):
    store: dict = {}
    crit = {
        "attribute": Totalling(),
        "global": _totalling_global,
        "closure": _totalling_closure(),
        "argument": lambda p, t: _totalling_argument(p, t, store),
    }[where]
    targets = targets_for([1.0, 0.5])
    assert {"loss_real", "loss_synthetic"} <= set(crit(pred_for(targets), targets))
    pred = pred_for(targets, seed=7)
    if off == "api":
        losssplit.set_enabled(False)
    elif off == "env":
        monkeypatch.setenv("LOSSSPLIT_DISABLE", "1")
    try:
        out = crit(pred, targets)
    finally:
        losssplit.set_enabled(True)
    # the total is the body's own loss alone: 3.9 in the issue, not 11.1 with last call's companions
    assert torch.equal(out["total"], per_row_l1(pred, targets).mean())
    if off == "on":
        want = expected(pred, targets)
        assert companions(out) == pytest.approx({**want, **expected(pred, targets, key="total")}, rel=1e-6)
    else:
        assert set(out) == {"loss", "total"}


def _scaled_sum(pred, targets):
    return {"loss": pred.sum()}


@pytest.mark.parametrize(
    "dtype, big", [(torch.float64, 1e200), (torch.float32, 3e38)], ids=["float64-1e200", "float32-1.2e39"]
)
def test_a_companion_that_overflows_float32_is_omitted_with_one_warning(dtype, big, warnings_of):
    # images 0 and 1 real, image 2 synthetic; each image two elements: real sum 4 * big
    targets = targets_for([1.0, 1.0, 0.5])
    pred = torch.tensor([[big, big], [big, big], [1.0, 2.0]], dtype=dtype, requires_grad=True)
    out = split_by_source(_scaled_sum)(pred, targets)
    assert companions(out) == {"loss_synthetic": 3.0}
    assert_clean(out)
    (message,) = warnings_of()
    assert "'loss_real'" in message and "float32" in message


@pytest.mark.parametrize(
    "label, words",
    [
        (None, ["image 1", "NoneType", "None"]),
        (float("nan"), ["image 1", "nan"]),
        ([1.0], ["image 1", "list", "[1.0]"]),
    ],
    ids=["none", "nan", "list"],
)
def test_a_bad_label_mid_run_declines_that_call_with_a_warning_naming_image_and_value(label, words, warnings_of):
    crit = split_by_source(source="dataset")(body)
    good = targets_for([1.0, 1.0], dataset="coco")
    bad = targets_for([1.0, 1.0], dataset="coco")
    bad[1]["dataset"] = label
    with pytest.raises(LossSplitError):  # at the first call: misuse, loud
        crit(pred_for(bad), bad)
    assert set(crit(pred_for(good), good)) == {"loss", "loss_coco"}
    pred = pred_for(bad)
    out = crit(pred, bad)  # later: the call goes on without companions
    assert set(out) == {"loss"} and torch.equal(out["loss"], body(pred, bad)["loss"])
    (message,) = warnings_of()
    assert all(w in message for w in words), message
    assert set(crit(pred_for(good), good)) == {"loss", "loss_coco"}


def test_a_labels_length_mismatch_stays_an_error_after_the_first_call():
    crit = split_by_source(body)
    targets = targets_for([1.0, 0.5])
    crit(pred_for(targets), targets)
    with losssplit.sources(["a", "b", "c"]), pytest.raises(LossSplitError, match="3 source labels"):
        crit(pred_for(targets), targets)


def test_a_misspelled_source_field_lists_the_fields_and_keeps_warning(warnings_of):
    crit = split_by_source(source="datset")(body)
    targets = targets_for([1.0, 0.5], dataset="coco")
    for _ in range(100):
        out = crit(pred_for(targets), targets)
    assert set(out) == {"loss"}
    messages = warnings_of()
    assert len(messages) == 3  # calls 1, 10 and 100
    assert "'datset'" in messages[0] and "boxes, dataset, loss_weight" in messages[0]
    assert "10 calls so far" in messages[1] and "100 calls so far" in messages[2]


def test_every_returned_key_not_split_is_named_in_a_warning():
    """A key dropped without a word hides a decline (torchmetrics' hinge on one example was): each
    returned tensor that gets no companions is named -- one image's value made from a sum of data
    written with the prediction (the hinge's ``margin = zeros_like(p); margin[t] = p[t]``), a loss
    no images' rows were followed to (values written into a tensor the body made after a weighted
    write), and a tensor that derives from no images."""
    from _helpers import RULE_BATCHES, rule_batch, rule_outcome, wrong_companions

    def body(outputs, targets):
        x = outputs["x"].mean((1, 2))
        hit = x > 0.5
        margin = torch.zeros_like(x)
        margin[hit] = x[hit]
        margin[~hit] = -x[~hit]
        hinge = (1 - margin).clamp(0).sum(0) / torch.tensor(torch.tensor([1] * len(targets)).shape[0] + 0)
        m = torch.empty(len(targets), 2)
        m[:, 0] = x * torch.tensor([t["loss_weight"] for t in targets])
        m[:, 1] = x
        return {"loss": x.mean(), "hinge": hinge, "unfollowed": m.sum(1).mean(), "constant": torch.tensor(2.0)}

    for seed, weights in [*RULE_BATCHES, (3, [0.5])]:  # and one image of weight 0.5
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        # on a call of one image, its value is its group's (session 20): the hinge may split there (since session
        # 47 the divisor made from ``len(targets)`` by arithmetic declines it, named, as on the other batches)
        given = {k.rsplit("_", 1)[0] for k in got}
        assert given - {"hinge"} == {"loss"} and (len(weights) == 1 or "hinge" not in given), (seed, got)
        assert not wrong_companions(got, want), (seed, got)
        for key in {"hinge", "unfollowed", "constant"} - given:
            assert any(f"'{key}'" in m for m in said), (seed, key, said)


@pytest.mark.parametrize("python", [("cpython", 3, 10), ("cpython", 3, 99), ("pypy", 3, 11)])
def test_on_a_python_whose_bytecode_was_not_checked_calls_pass_through_with_a_warning(monkeypatch, warnings_of, python):
    """The rules read the body's bytecode as CPython 3.11 lays it out; elsewhere (the interpreter
    taken as unchecked here) the call is the body's own: same dict, same values and gradients,
    no companion, and a warning naming the interpreter at the 1st and 10th call."""
    from losssplit._capture import _bytecode

    monkeypatch.setattr(_bytecode, "PYTHONS_CHECKED", frozenset({python}))
    targets = targets_for([1.0, 0.5, 0.2])
    pred = pred_for(targets)
    crit = split_by_source(body)
    plain_pred, our_pred = pred.detach().clone().requires_grad_(), pred.detach().clone().requires_grad_()
    for _ in range(10):
        want, got = body(plain_pred, targets), crit(our_pred, targets)
        assert set(got) == set(want) == {"loss"}
        assert torch.equal(got["loss"], want["loss"]) and losssplit.companion_of(got["loss"]) is None
    want["loss"].backward()
    got["loss"].backward()
    assert torch.equal(our_pred.grad, plain_pred.grad)
    said = warnings_of()
    assert len(said) == 2 and all("companions need CPython 3.11" in m and "passed through unsplit" in m for m in said)
    assert "(10 calls so far)" in said[1]
    monkeypatch.setattr(_bytecode, "PYTHONS_CHECKED", frozenset({(sys.implementation.name, *sys.version_info[:2])}))
    assert companions(crit(pred, targets)) == pytest.approx(expected(pred, targets), rel=1e-6)


def test_failures_in_the_modes_length_checks_never_reach_training(monkeypatch, warnings_of):
    """The code reading the mode runs beside the rules at ``len()`` of one image's tensor and at a
    factory sized by it (``torch.ones(len(u["labels"]))``): a bug there gives one warning per call,
    training unchanged."""
    from _helpers import rule_batch

    from losssplit._capture import mode

    def boom(*args, **kwargs):
        raise RuntimeError("losssplit bug")

    def per_image(o, t):
        terms = [(o["x"][i] - u["y"]).abs().mean() * torch.ones(len(u["labels"])).sum() for i, u in enumerate(t)]
        return {"loss": torch.stack(terms).sum()}

    for name in ("len_site", "length_argument"):
        with monkeypatch.context() as m:
            m.setattr(mode._bytecode, name, boom)
            mine, targets = rule_batch(0, [1.0, 0.5, 0.5, 1.0])
            theirs = {"x": mine["x"].detach().clone().requires_grad_()}
            out = split_by_source(per_image)(mine, targets)
            plain = per_image(theirs, targets)
            assert set(out) == {"loss"} and torch.equal(out["loss"], plain["loss"])
            out["loss"].backward()
            plain["loss"].backward()
            assert torch.equal(mine["x"].grad, theirs["x"].grad)
    messages = warnings_of()
    assert len(messages) == 2 and all("internal error" in m and "losssplit bug" in m for m in messages), messages
