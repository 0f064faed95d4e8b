"""``nanmean`` over every dim of the images' rows (trl's KTO: ``torch.cat((chosen, rejected)).nanmean()``
where one side is empty; torchmetrics' NaN-holed maps): on a group alone it is the group's sum of its
non-NaN values over their count, a mean with a per-element count (was 'lost at Tensor.nanmean', a
GAP in surveys 6, 26 and 24's first contact). A ``nanmean`` over only some of the rows' dims still
declines. And (found on the way) a mask testing a tensor of the weights broadcast to the values
(``lw[:, None, None] < 0.9`` on ``[B, R, C]``), laid out after the test (``(lw < 0.9)[:, None, None]``,
``.view``, ``.expand_as``), negated, or joined with a mask of the images' data declines as the
same-shaped mask does: it was silently kept, the batch's positions on every group."""

import pytest
import torch
from _helpers import RULE_BATCHES, rule_batch, rule_outcome, rule_weights, wrong_companions

NAN = float("nan")
# RULE_BATCHES, one image, and groups interleaved (real, synthetic, real, synthetic)
BATCHES = [*RULE_BATCHES, (3, [0.5]), (4, [1.0, 0.5, 1.0, 0.5]), (5, [0.5, 0.5, 1.0])]


def _err(o, t):
    y = torch.stack([u["y"] for u in t])
    return (o["x"] - y).abs() + 0.1, y


def _holed(o, t):
    """The errors, NaN where the image's own target is above 0.7 (a different count per image)."""
    e, y = _err(o, t)
    return e.masked_fill(y > 0.7, NAN)


def _all_nan_for_weight_half(seed, weights):
    """A batch whose images of weight 0.5 hold NaN errors only: that group has no value to average."""
    o, t = rule_batch(seed, weights)
    for u in t:
        if u["loss_weight"] < 0.9:
            u["y"] = torch.full_like(u["y"], 0.8)
    return o, t


SPLIT = {
    "torch.nanmean": lambda o, t: {"loss": torch.nanmean(_holed(o, t))},
    "Tensor.nanmean": lambda o, t: {"loss": _holed(o, t).nanmean()},
    "every dim named": lambda o, t: {"loss": _holed(o, t).nanmean(dim=(0, 1, 2))},
    "keepdim, summed": lambda o, t: {"loss": _holed(o, t).nanmean(dim=(0, 1, 2), keepdim=True).sum()},
    "weighted values": lambda o, t: {"loss": (_holed(o, t) * rule_weights(t)[:, None, None]).nanmean()},
    "one minus": lambda o, t: {"loss": 1 - _holed(o, t).nanmean()},
    "joined with a scaled part": lambda o, t: {
        "loss": torch.cat([_holed(o, t)[:, 0], 1.33 * _holed(o, t)[:, 1:].flatten(1)], 1).nanmean()},
    "NaN from the values' own sqrt": lambda o, t: {"loss": (_err(o, t)[0] - 0.45).sqrt().nanmean()},
    "without NaN": lambda o, t: {"loss": _err(o, t)[0].nanmean()},
    # near miss, exact before too: per image over its own dims, then a mean over the images
    "per image first": lambda o, t: {"loss": _holed(o, t).nanmean((1, 2)).mean()},
}


@pytest.mark.parametrize("name", SPLIT)
def test_a_full_nanmean_of_the_images_rows_splits_exactly(name):
    """Exact against the oracle on every batch, counts of non-NaN values differing per image."""
    for seed, weights in BATCHES:
        got, want, said = rule_outcome(SPLIT[name], rule_batch(seed, weights))
        assert want and set(got) == set(want), (seed, got, want, said)
        assert not wrong_companions(got, want), (seed, got, want)


@pytest.mark.parametrize("name", [n for n in SPLIT if "NaN" not in n])
def test_a_group_whose_values_are_all_nan_gets_no_companion_and_the_others_split(name):
    """On the group alone its ``nanmean`` is NaN: no companion for it; the other group's is exact."""
    for seed, weights in BATCHES:
        got, want, said = rule_outcome(SPLIT[name], _all_nan_for_weight_half(seed, weights))
        assert not wrong_companions(got, want), (seed, got, want)
        assert not any(k.endswith("_synthetic") for k in got), (seed, got)
        if 1.0 in weights:
            assert got.keys() == {k for k in want if k.endswith("_real")} and got, (seed, got, want, said)


@pytest.mark.parametrize("body", [
    lambda o, t: {"loss": _holed(o, t).nanmean(0).mean()},
    lambda o, t: {"loss": _holed(o, t).nanmean((0, 1)).sum()},
], ids=["over the images only", "over images and rows, not the columns"])
def test_a_nanmean_over_some_of_the_rows_dims_declines(body):
    """Its count of non-NaN values is per column over several images: declines, naming the op."""
    for seed, weights in BATCHES:
        got, _, said = rule_outcome(body, rule_batch(seed, weights))
        assert got == {} and any("Tensor.nanmean" in m for m in said), (seed, got, said)


def _lw(t):
    return rule_weights(t)[:, None, None]


WEIGHT_MASKED = {
    "masked_fill 0, mean": lambda o, t: {"loss": _err(o, t)[0].masked_fill(_lw(t) < 0.9, 0.0).mean()},
    "masked_fill NaN, nanmean": lambda o, t: {"loss": _err(o, t)[0].masked_fill(_lw(t) < 0.9, NAN).nanmean()},
    "where NaN, nanmean": lambda o, t: {"loss": torch.where(_lw(t) < 0.9, NAN, _err(o, t)[0]).nanmean()},
    "where halved": lambda o, t: {"loss": torch.where(_lw(t) < 0.9, 0.5 * _err(o, t)[0], _err(o, t)[0]).mean()},
    "times the mask": lambda o, t: {"loss": (_err(o, t)[0] * (_lw(t) >= 0.9)).sum()},
    "one per image row": lambda o, t: {"loss": _err(o, t)[0].masked_fill(_lw(t) * torch.ones(1, 3, 1) < 0.9, 0.0).sum()},
    # the mask laid out or negated after the test (was dropped: silently wrong)
    "tested, then [:, None, None]": lambda o, t: {
        "loss": _err(o, t)[0].masked_fill((rule_weights(t) < 0.9)[:, None, None], 0.0).mean()},
    "tested, then view": lambda o, t: {
        "loss": _err(o, t)[0].masked_fill((rule_weights(t) < 0.9).view(-1, 1, 1), 0.0).mean()},
    "tested, then unsqueezed": lambda o, t: {
        "loss": _err(o, t)[0].masked_fill((rule_weights(t) < 0.9).unsqueeze(1).unsqueeze(2), 0.0).mean()},
    "tested, then expand_as": lambda o, t: {
        "loss": _err(o, t)[0].masked_fill((_lw(t) < 0.9).expand_as(_err(o, t)[0]), 0.0).mean()},
    "tested, then repeat_interleave": lambda o, t: {
        "loss": _err(o, t)[0].flatten(0, 1).masked_fill((rule_weights(t) < 0.9).repeat_interleave(3)[:, None], 0.0).mean()},
    "tested, then where": lambda o, t: {
        "loss": torch.where((rule_weights(t) < 0.9)[:, None, None], 0.5 * _err(o, t)[0], _err(o, t)[0]).mean()},
    "negated": lambda o, t: {"loss": _err(o, t)[0].masked_fill(~(_lw(t) >= 0.9), 0.0).mean()},
    "logical_not": lambda o, t: {"loss": _err(o, t)[0].masked_fill(torch.logical_not(_lw(t) >= 0.9), 0.0).mean()},
    # the weights' mask joined with a mask of the images' data
    "and a data mask": lambda o, t: {"loss": _err(o, t)[0].masked_fill((_lw(t) < 0.9) & (_err(o, t)[1] > 0.2), 0.0).mean()},
    # two such masks joined, or one with a constant mask
    "or of two tests": lambda o, t: {"loss": _err(o, t)[0].masked_fill((_lw(t) < 0.6) | (_lw(t) > 2), 0.0).mean()},
    "times a test": lambda o, t: {"loss": _err(o, t)[0].masked_fill((_lw(t) < 0.6) * (_lw(t) < 2), 0.0).mean()},
    "and a constant mask": lambda o, t: {"loss": _err(o, t)[0].masked_fill(
        ((rule_weights(t) < 0.6) & torch.ones(len(t), dtype=torch.bool))[:, None, None], 0.0).mean()},
}
OPS = {"masked_fill 0, mean": "Tensor.masked_fill", "masked_fill NaN, nanmean": "Tensor.masked_fill",
       "where NaN, nanmean": "torch.where", "where halved": "torch.where", "times the mask": "Tensor.mul",
       "one per image row": "Tensor.masked_fill", "tested, then where": "torch.where",
       "and a data mask": "Tensor.__and__"}


@pytest.mark.parametrize("name", WEIGHT_MASKED)
def test_a_mask_testing_the_weights_broadcast_to_the_values_declines(name):
    """``lw[:, None, None] < 0.9`` with ``lw`` the images' weights as a tensor of their numbers:
    on a group alone (weights 1) no position is masked. Was kept: the batch's positions on every
    group, silently wrong where a group's weights are not 1. Declines naming the op."""
    for seed, weights in BATCHES:
        got, want, said = rule_outcome(WEIGHT_MASKED[name], rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, got, want)
        if any(w < 0.9 for w in weights):
            op = OPS.get(name, "Tensor.masked_fill")
            assert got == {} and any("testing the images' weights" in m and op in m for m in said), (seed, said)


NEAR_MISSES = {
    # a tensor of numbers that differ along the columns, no image's: the same mask on a group alone
    "a mask along the columns": lambda o, t: {
        "loss": _err(o, t)[0].masked_fill(torch.tensor([1.0, 0.5, 1.0, 0.5]) < 0.9, 0.0).mean()},
    # the weights tested, but no weight passes the test: the mask weights 1 give
    "no weight below the bound": lambda o, t: {"loss": _err(o, t)[0].masked_fill(_lw(t) < 0.4, 0.0).mean()},
    "no weight outside the bounds, joined": lambda o, t: {
        "loss": _err(o, t)[0].masked_fill(((rule_weights(t) < 0.4) | (rule_weights(t) > 2))[:, None, None], 0.0).mean()},
    # a float factor made from the weight objects, broadcast: its values on weights 1 are known (exact before too)
    "a float factor of the weight objects": lambda o, t: {"loss": (_err(o, t)[0] * (_lw(t) >= 0.9).float()).sum()},
    "the same, laid out after the cast": lambda o, t: {
        "loss": (_err(o, t)[0] * (rule_weights(t) >= 0.9).float()[:, None, None]).sum()},
    # the weight objects themselves multiply the values (their values count 1 on a group alone)
    "weight objects": lambda o, t: {"loss": torch.stack([_err(o, t)[0][i] * u["loss_weight"]
                                                          for i, u in enumerate(t)]).masked_fill(_err(o, t)[1] > 0.7, NAN).nanmean()},
}


@pytest.mark.parametrize("name", NEAR_MISSES)
def test_masks_that_do_not_test_the_weights_keep_splitting(name):
    """Exact on every batch of several images; never wrong on one image (a factor of the weight
    objects on a batch of one was 0 there, silently: it declines now)."""
    for seed, weights in BATCHES:
        got, want, said = rule_outcome(NEAR_MISSES[name], rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, got, want)
        if len(weights) > 1:
            assert want and set(got) == set(want), (seed, got, want, said)
