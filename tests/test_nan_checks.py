"""NaN / finiteness checks on a loss (issue #13): ``if torch.isnan(loss):``, ``if not
torch.isfinite(loss).all():``, ``assert (l == l).item() == 1``, ``if loss.isnan(): raise``, ZoeDepth's
SILog. On a group alone the body tests the group's value: where the split computes it (a ratio, an
expression of ratios) the test is decided per group, and a group that alone would decide otherwise
gets no companions (one warning naming the keys and the test), the others keep theirs. An ``assert``
that would fail on a group alone is such a branch: the body has no value for that group.

PYTEST_DONT_REWRITE: the bodies' ``assert`` statements are run as a criterion's library runs them
(pytest's rewriting stores ``.item()`` in a temporary, a number kept in Python: the call declines).
"""

from __future__ import annotations

import math
import warnings

import pytest
import torch
from _helpers import (
    TARGETS,
    Along,
    companions,
    images_by_group,
    logged_warnings,
    oracle,
    split_and_compare,
    wrong_companions,
)

# (seed, weights, images without any valid pixel, images with a NaN target)
BATCHES = [
    (0, [1.0, 0.5, 1.0, 0.5], (), ()),
    (1, [0.5, 1.0, 0.5], (), ()),
    (2, [1.0, 0.5], (), ()),
    (3, [0.5, 0.5, 1.0], (), ()),  # groups of 2 and 1 images, 4 x 4 pixels each: counts coincide by value
]
EMPTY = (4, [1.0, 0.5, 1.0], (1,), ())  # group 'synthetic' (image 1) has no valid pixel: 0 / 0 alone
NAN_IMAGE = (5, [1.0, 0.5, 1.0, 0.5], (), (2,))  # a NaN in image 2's target (group 'real'): the batch's loss NaN
ONE_PIXEL = (6, [1.0, 0.5, 1.0], (), ())  # ``one_pixel``: group 'synthetic' keeps one valid pixel


def batch(seed: int, weights: list[float], empty: tuple = (), nan: tuple = (), one_pixel: bool = False
          ) -> tuple[list, list]:
    """Predictions [B, 4, 4] in (0.5, 1.5); per image a target in (0.5, 1.5), its valid pixels (a
    random 70 %; none for ``empty``; NaN at one pixel for ``nan``) and ``loss_weight``."""
    g = torch.Generator().manual_seed(seed)
    pred = (torch.rand(len(weights), 4, 4, generator=g) + 0.5).requires_grad_()
    targets = []
    for i, w in enumerate(weights):
        valid = torch.rand(4, 4, generator=g) > 0.3
        valid[0, 0] = True
        y = torch.rand(4, 4, generator=g) + 0.5
        if i in empty:
            valid[:] = False
        if one_pixel and w < 0.9:
            valid[:] = False
            valid[0, 0] = True
        if i in nan:
            y[0, 0] = float("nan")
        targets.append({"y": y, "valid": valid, "loss_weight": w})
    return [{"p": pred}, targets], [Along(0), TARGETS]


def _fields(o, t):
    return o["p"], torch.stack([x["y"] for x in t]), torch.stack([x["valid"] for x in t])


def _masked_l1(o, t):
    p, y, m = _fields(o, t)
    return ((p - y).abs() * m).sum() / m.sum()


def if_isnan_zeroed(o, t):
    loss = _masked_l1(o, t)
    if torch.isnan(loss):
        loss = torch.zeros_like(loss)
    return {"loss": loss, "loss_sq": ((o["p"] - _fields(o, t)[1]) ** 2).mean()}


def not_isfinite_all_returns_zero(o, t):
    loss = _masked_l1(o, t)
    if not torch.isfinite(loss).all():
        return {"loss": 0 * o["p"].sum()}
    return {"loss": loss}


def isfinite_negated_any(o, t):
    loss = _masked_l1(o, t)
    if (~torch.isfinite(loss)).any():
        loss = loss * 0
    return {"loss": loss}


def method_isnan_raises(o, t):
    loss = _masked_l1(o, t)
    if loss.isnan():
        raise FloatingPointError("NaN loss")
    return {"loss": loss}


def assert_equal_to_itself(o, t):
    """SfMLearner's check, after each of two terms added in Python."""
    p, y, m = _fields(o, t)
    rec = 0
    for s in (1.0, 0.5):
        rec += ((p * s - y).abs() * m).sum() / m.sum()
        assert (rec == rec).item() == 1
    return {"loss": rec}


def assert_not_isnan_any(o, t):
    loss = _masked_l1(o, t)
    assert not torch.isnan(loss).any()
    return {"loss": loss}


def math_isfinite_of_item(o, t):
    loss = _masked_l1(o, t)
    if not math.isfinite(loss.item()):
        raise FloatingPointError("non-finite loss")
    return {"loss": loss}


def nan_to_num_of_loss(o, t):
    return {"loss": torch.nan_to_num(_masked_l1(o, t)) * 0.5}


def zoe_silog(o, t):
    """ZoeDepth's SILog over the valid pixels: ``10 * sqrt(var(g) + 0.15 * mean(g) ** 2)`` (an
    expression of three ratios), its NaN reported; a second key beside it."""
    p, y, m = _fields(o, t)
    g = torch.log(p[m] + 1e-7) - torch.log(y[m] + 1e-7)
    loss = 10 * torch.sqrt(torch.var(g) + 0.15 * torch.pow(torch.mean(g), 2))
    if torch.isnan(loss):
        warnings.warn("Nan SILog loss", stacklevel=2)
        loss = torch.zeros_like(loss)
    return {"loss_silog": loss, "loss_l1": (p - y).abs().mean()}


def isinf_of_empty_mean(o, t):
    """``isinf`` of a mean that is 0 / 0 (NaN, not infinite) on a group alone: decided as the batch."""
    loss = _masked_l1(o, t)
    if torch.isinf(loss):
        raise FloatingPointError("inf loss")
    return {"loss": loss, "loss_sq": ((o["p"] - _fields(o, t)[1]) ** 2).mean()}


SPLITTING = [if_isnan_zeroed, not_isfinite_all_returns_zero, isfinite_negated_any, method_isnan_raises,
             assert_equal_to_itself, assert_not_isnan_any, math_isfinite_of_item, nan_to_num_of_loss, zoe_silog,
             isinf_of_empty_mean]


def outcome(body, case) -> tuple[dict, dict, list[str]]:
    """(companions, the oracle's, warnings); the oracle without a group on which the body raises alone."""
    seed, weights, empty, nan = case
    args, kinds = batch(seed, weights, empty, nan, one_pixel=case is ONE_PIXEL)
    with logged_warnings() as said:
        got = companions(split_and_compare(body, args))
    want = {}
    for group, images in images_by_group(weights, lambda w: "real" if w >= 0.9 else "synthetic").items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                values = oracle(body, args, kinds, images)
        except (AssertionError, FloatingPointError):
            continue  # the body alone has no value for this group
        want.update({f"{k}_{group}": v.item() for k, v in values.items() if v.isfinite()})
    return got, want, said


def test_nan_checks_of_a_reduced_loss_split_as_the_oracle():
    for body in SPLITTING:
        for case in BATCHES:
            got, want, said = outcome(body, case)
            assert not wrong_companions(got, want), (body.__name__, case[0])
            assert set(got) == set(want), (body.__name__, case[0], said)
            assert not said, (body.__name__, case[0], said)


def test_a_group_whose_loss_is_nan_alone_declines_that_group_and_names_the_test():
    """0 / 0 on group 'synthetic' without valid pixels, the batch's loss finite: alone the body
    takes the other branch (or its ``assert`` fails, or it raises); the group has no companions,
    'real' keeps its own."""
    for body in (if_isnan_zeroed, not_isfinite_all_returns_zero, isfinite_negated_any, method_isnan_raises,
                 assert_equal_to_itself, assert_not_isnan_any, math_isfinite_of_item, nan_to_num_of_loss):
        got, want, said = outcome(body, EMPTY)
        assert not wrong_companions(got, want), body.__name__
        assert "loss_real" in got and "loss_synthetic" not in got, (body.__name__, got)
        # (since session 44) ``loss_sq``, assigned outside the ``if``, is no value an arm changes: kept
        assert ("loss_sq_synthetic" in got) == (body is if_isnan_zeroed), (body.__name__, got)
        assert any("group 'synthetic' alone would decide a branch" in m and "'loss'" in m and "of a reduced loss" in m
                   for m in said), (body.__name__, said)


def _number_kept_then_tested(o, t):
    loss = _masked_l1(o, t)
    value = loss.item()
    if math.isnan(value):
        raise FloatingPointError
    return {"loss": loss * 1.0}


def _number_scaled_then_tested(o, t):
    loss = _masked_l1(o, t)
    if math.isnan(loss.item() * 2):
        raise FloatingPointError
    return {"loss": loss}


def test_a_read_number_kept_or_computed_with_before_its_test_declines():
    """Near misses of ``math.isnan(loss.item())``: the number stored first, or computed with, may go
    elsewhere: the call declines at the read, as any read of a loss that is not only logged."""
    for body in (_number_kept_then_tested, _number_scaled_then_tested):
        for case in BATCHES[:2]:
            got, want, said = outcome(body, case)
            assert got == {}, (body.__name__, got)
            assert any("read on the host at Tensor.item" in m for m in said), said


def test_a_variance_of_one_pixel_is_nan_alone_and_declines_that_group():
    """ZoeDepth's SILog where group 'synthetic' keeps one valid pixel: its unbiased variance alone
    is NaN (the oracle returns 0 for it), the batch's finite."""
    got, want, said = outcome(zoe_silog, ONE_PIXEL)
    assert want["loss_silog_synthetic"] == 0.0
    assert not wrong_companions(got, want)
    assert "loss_silog_real" in got and "loss_l1_real" in got and "loss_silog_synthetic" not in got
    assert "loss_l1_synthetic" not in got  # what the body returns on the other branch is not known
    assert any("torch.isnan of a reduced loss" in m for m in said), said


def test_a_nan_in_one_groups_image_declines_the_group_that_is_finite_alone():
    """Image 2 (group 'real') has a NaN target: the batch's loss is NaN and the body zeroes it;
    'synthetic' alone is finite and keeps its value: it decides otherwise, no companion of ``loss``
    (its ``loss_sq``, which no arm changes, is kept since session 44)."""
    got, want, said = outcome(if_isnan_zeroed, NAN_IMAGE)
    assert "loss_synthetic" in want and "loss_real" in want  # the oracle: its own value, and 0
    assert not wrong_companions(got, want)
    assert "loss_synthetic" not in got and "loss_sq_synthetic" in got, got
    # (the batch's zeroed ``loss`` derives from no rows: no key the branch declines is split, no branch warning)
    assert any("'loss' does not derive from per-image rows" in m for m in said), said


def test_nan_to_num_of_a_nan_batch_gives_no_companion_of_a_group_that_differs():
    """Image 2 (group 'real') has a NaN target: the batch's loss is NaN, returned as 0; 'real' alone
    is NaN too (0 there, omitted here as its value is NaN), 'synthetic' alone is finite, as the
    batch is not: no companions."""
    got, want, said = outcome(nan_to_num_of_loss, NAN_IMAGE)
    assert want == {"loss_real": 0.0, "loss_synthetic": pytest.approx(want["loss_synthetic"])} and want["loss_synthetic"]
    assert got == {}, got
    assert any("group 'synthetic' alone would decide a branch" in m and "torch.nan_to_num" in m for m in said), said


def test_isinf_of_a_group_nan_alone_keeps_splitting_the_other_keys():
    """Near miss: ``isinf`` of 0 / 0 is False as on the batch, so the group keeps its other key;
    its NaN value of the tested key is omitted as any non-finite companion is."""
    got, want, said = outcome(isinf_of_empty_mean, EMPTY)
    assert not wrong_companions(got, want)
    assert set(got) == {"loss_real", "loss_sq_real", "loss_sq_synthetic"}, (got, said)
    assert not any("would decide a branch" in m for m in said), said


def _two_values_compared(o, t):
    p, y, m = _fields(o, t)
    a = ((p - y).abs() * m).sum() / m.sum()
    b = (p - y).abs().mean()
    if a == b:
        a = a * 2
    return {"loss": a}


def test_a_comparison_of_two_losses_is_no_nan_check():
    """Near miss: ``a == b`` of two different values is no test of finiteness; whatever it gives,
    no companion differs from the oracle."""
    for case in BATCHES:
        got, want, _ = outcome(_two_values_compared, case)
        assert not wrong_companions(got, want), case[0]


def _nan_check_of_one_images_loss_by_position(o, t):
    p, y, m = _fields(o, t)
    first = ((p[0] - y[0]).abs() * m[0]).sum() / m[0].sum()
    if torch.isnan(first):
        raise FloatingPointError
    return {"loss": ((p - y).abs() * m).sum() / m.sum()}


def test_a_nan_check_of_one_image_picked_by_position_declines():
    """Image 0's loss tested outside any loop: on a group alone the body tests another image."""
    for case in BATCHES[:2]:
        got, want, said = outcome(_nan_check_of_one_images_loss_by_position, case)
        assert not wrong_companions(got, want), case[0]
        assert "loss_synthetic" not in got, (case[0], got)


def _scaled_mean_checked(o, t):
    loss = (o["p"] * torch.stack([x["scale"] for x in t])).mean()
    if not torch.isfinite(loss):
        return {"loss": 0 * o["p"].sum()}
    return {"loss": loss}


def test_a_group_sum_beyond_float32_alone_declines_though_float64_holds_it():
    """Each image's values +-1.2e37 by group (16 pixels: 1.9e38 an image): the batch's signed sum
    is finite, each group's alone overflows float32 (3.8e38) and the body returns 0 there. Computed
    in float64 the group's mean is finite: such a group is declined, never given that mean."""
    pred = (torch.ones(4, 4, 4) + torch.rand(4, 4, 4, generator=torch.Generator().manual_seed(7)) * 1e-3)
    signs = [1.0, -1.0, 1.0, -1.0]
    targets = [{"scale": torch.full((4, 4), 1.2e37 * s), "loss_weight": 1.0 if s > 0 else 0.5} for s in signs]
    args, kinds = [{"p": pred.requires_grad_()}, targets], [Along(0), TARGETS]
    with logged_warnings() as said:
        got = companions(split_and_compare(_scaled_mean_checked, args))
    want = {f"loss_{g}": oracle(_scaled_mean_checked, args, kinds, images)["loss"].item()
            for g, images in (("real", [0, 2]), ("synthetic", [1, 3]))}
    assert want == {"loss_real": 0.0, "loss_synthetic": 0.0}
    assert torch.isfinite(_scaled_mean_checked(*args)["loss"])
    assert not wrong_companions(got, want) and got == {}, got
    assert any("would decide a branch" in m for m in said), said


def _per_image_losses_skipping_nan(o, t):
    p = o["p"]
    total = p.sum() * 0
    for i, x in enumerate(t):
        li = ((p[i] - x["y"]).abs() * x["valid"]).sum() / x["valid"].sum()
        if torch.isnan(li):
            continue
        total = total + li
    return {"loss": total / len(t)}


def test_a_nan_check_of_each_images_loss_in_a_loop_is_decided_on_its_group_only():
    """Each image's loss tested in the loop over the images: a group alone tests its own images as
    the batch did; the groups without that image never test it (not taken as 0 / 0 there, which
    declined every group). Where the loop skips an image (no valid pixels, a NaN target) the call
    declines as any loop that skips images does."""
    for case in BATCHES:
        got, want, said = outcome(_per_image_losses_skipping_nan, case)
        assert not wrong_companions(got, want), case[0]
        assert set(got) == set(want), (case[0], said)
    for case in (EMPTY, NAN_IMAGE):
        got, want, said = outcome(_per_image_losses_skipping_nan, case)
        assert not wrong_companions(got, want) and got == {}, case[0]
        assert any("skips or repeats images" in m for m in said), said


def _tested_then_written(o, t):
    p, y, m = _fields(o, t)
    e = (p - y).abs() * m
    loss = e.sum() / m.sum()
    bad = torch.isnan(loss)
    e.mul_(float("nan"))
    if bad:
        return {"loss_sq": 0 * ((p - y) ** 2).mean()}
    return {"loss_sq": ((p - y) ** 2).mean()}


def test_a_loss_written_in_place_after_its_test_declines_every_group():
    """The values a test read were written since (NaN on every group): the groups' values computed
    at the split are no longer the ones the test saw. With a NaN target in image 2 the batch takes
    the branch; 'synthetic' alone would not, though its written values are NaN as the batch's."""
    got, want, said = outcome(_tested_then_written, NAN_IMAGE)
    assert want["loss_sq_synthetic"] > 0 and "loss_sq_real" not in want  # NaN there
    assert not wrong_companions(got, want) and got == {}, got
    assert any("would decide a branch" in m and "torch.isnan" in m for m in said), said


def _compared_then_written(o, t):
    p, y, m = _fields(o, t)
    e = (p - y).abs() * m
    big = e.sum() / m.sum() > 0.3
    e.mul_(0.0)
    if big:
        return {"loss_sq": 0 * ((p - y) ** 2).mean()}
    return {"loss_sq": ((p - y) ** 2).mean()}


def test_a_reduced_value_compared_then_written_in_place_declines_every_group():
    """The same guard for any test of a reduced value (``loss > c``, found with the NaN checks):
    its per-element values zeroed after the test, each group's value at the split is 0; on batch 2
    group 'synthetic' alone is above 0.3 and returns 0, which was given as its unchanged value."""
    for case in BATCHES:
        got, want, said = outcome(_compared_then_written, case)
        assert not wrong_companions(got, want), (case[0], got, want)
        assert got == {}, (case[0], got)
        assert any("would decide a branch" in m and "Tensor.gt of a reduced value" in m for m in said), said
