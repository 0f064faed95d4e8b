"""The rules survey 38 (first contact) asked for, each against the oracle on several batches, with
their near misses: a running total started at 0.0 plus terms over ``pred.size(0)`` read from a
dict (OpenPose's stages), a host read of the batch's extreme compared with a literal in an
``assert`` (focal-frequency-loss's weight-matrix check), a NumPy product of leading
sizes as a normaliser (torch-efficient-distloss), and a loop over a parameter's tuple of weights
(AECR-Net's ratios of batch means). Two families were WRONG before: a table picked by the
position in a list of the images' own tensors, and a ``math`` or numpy function of the count of
images."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from _helpers import PER_IMAGE, Along, split_outcome, wrong_companions

BATCHES = [["a", "b", "a", "c"], ["b", "b", "c"], ["a", "a", "b", "c", "c"], ["c", "a"]]
"""4 images of three groups, 3 of two (group 'a' absent), 5 of three, 2 of two."""


def _batch(seed: int, sources: list[str], *shape: int) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    b = len(sources)
    return [torch.randn(b, *shape, generator=g).requires_grad_(), torch.randn(b, *shape, generator=g)]


def _outcome(body, args, sources):
    return split_outcome(body, args, [Along(0)] * len(args), sources)


def _splits(body, *shape: int) -> None:
    for seed, sources in enumerate(BATCHES):
        got, want, said = _outcome(body, _batch(seed, sources, *shape), sources)
        assert not wrong_companions(got, want), (seed, got, want)
        assert set(got) == set(want), (seed, said)


def _declines(body, key: str, *shape: int) -> None:
    """No companion of ``key`` on the batches of several groups, a warning naming it or the call;
    none wrong."""
    for seed, sources in enumerate(BATCHES):
        got, want, said = _outcome(body, _batch(seed, sources, *shape), sources)
        assert not wrong_companions(got, want), (seed, got, want)
        assert not any(c.startswith(key + "_") for c in got), (seed, got)
        assert any(f"'{key}'" in m or "no companions for this call" in m for m in said), said


# -- a running total of terms over ``pred.size(0)``, the predictions in dicts ----------------------

def stages_over_batch_size(stages, gt):
    total = 0.0
    for s in stages:
        n = s["x"].size(0)
        total = total + ((s["x"] - gt["x"]) ** 2).sum() / 2 / n
    return {"loss_x": total, "loss_x_last": ((stages[-1]["x"] - gt["x"]) ** 2).sum() / stages[-1]["x"].size(0)}


def test_a_running_total_of_dict_fields_over_the_batch_size_splits():
    """The stages' predictions in dicts, passed in (OpenPose's); not on 2 images, where 2 dicts
    of tensors of 2 rows may be per-image targets (a decline of its own)."""
    for seed, sources in enumerate(BATCHES[:3]):
        pred, y = _batch(seed, sources, 3, 4)
        stages = [{"x": pred}, {"x": (pred * 0.5).detach().requires_grad_()}]
        got, want, said = _outcome(stages_over_batch_size, [stages, {"x": y}], sources)
        assert not wrong_companions(got, want), (seed, got, want)
        assert set(got) == set(want), (seed, said)


def number_of_a_dict_field_size(pred, y):
    d = {"p": pred}
    return {"loss_x": (pred - y).abs().mean() + 100.0 / d["p"].numel()}


def _half(k):
    return k * 0.5


def number_of_a_size_and_a_helper(pred, y):
    return {"loss_x": ((pred - y) ** 2).sum() * (1.0 / pred.shape[0] * _half(3))}


def test_a_number_computed_from_a_dict_fields_size_still_declines():
    """Near misses: ``100.0 / d["p"].numel()`` and ``1.0 / x.shape[0] * h(3)`` (a function called in
    the number's code, not a tensor's method) are numbers of the count."""
    _declines(number_of_a_dict_field_size, "loss_x", 3, 4)
    _declines(number_of_a_size_and_a_helper, "loss_x", 3, 4)


# -- the batch's extreme read on the host and compared with a literal ------------------------------

def checked_weight_matrix(pred, y):
    err = (pred - y) ** 2
    w = (err / err.amax((1, 2), keepdim=True)).clamp(0, 1).detach()
    # (an ``assert`` reads the same, but pytest rewrites those of a test module)
    if not (w.min().item() >= 0 and w.max().item() <= 1):
        raise ValueError("weights out of range")
    return {"loss_x": (w * err).mean()}


def test_an_extreme_of_the_prediction_asserted_against_a_literal_splits():
    _splits(checked_weight_matrix, 3, 4)


def branch_on_prediction_maximum(pred, y):
    loss = (pred - y).abs().mean()
    if pred.max().item() > 1.0:
        loss = loss * 2
    return {"loss_x": loss}


def test_a_branch_on_the_predictions_maximum_is_decided_per_group():
    """Near miss: group 'c''s predictions scaled down, so that where the batch's maximum is above 1
    group 'c' alone would not double its loss: its companion is declined there, and every
    companion given is the oracle's."""
    declined = set()
    for seed, sources in enumerate(BATCHES):
        pred, y = _batch(seed, sources, 3)
        with torch.no_grad():
            pred[[i for i, s in enumerate(sources) if s == "c"]] *= 0.01
        got, want, said = _outcome(branch_on_prediction_maximum, [pred, y], sources)
        assert not wrong_companions(got, want), (seed, got, want)
        declined |= {(seed, c) for c in set(want) - set(got)}
    assert (0, "loss_x_c") in declined, declined


def scaled_by_prediction_maximum(pred, y):
    scale = pred.detach().abs().max().item()
    return {"loss_x": (pred - y).abs().mean() / scale}


def test_an_extreme_of_the_prediction_used_as_a_number_still_declines():
    _declines(scaled_by_prediction_maximum, "loss_x", 3)


# -- a table picked by the position of a loop over a list of tensors ------------------------------

LEVEL_WEIGHTS = torch.tensor([1.0, 2.0, 4.0, 8.0, 16.0])


def weighted_per_image(pred, y):
    items, ys = list(pred.unbind(0)), list(y.unbind(0))
    total = 0.0
    for i, (a, b) in enumerate(zip(items, ys)):
        total = total + LEVEL_WEIGHTS[i % 3] * F.mse_loss(a, b)
    return {"loss_x": total}


def test_a_table_picked_by_an_images_position_declines():
    """Was WRONG: the list the body made holds one image per item, in order; its positions are
    the images' (the code alone did not tell)."""
    _declines(weighted_per_image, "loss_x", 2, 8, 8)


def _prefixes(x):
    return [x[:, :k] for k in range(1, x.shape[0] + 1)]


def weighted_prefixes(pred, y):
    px = _prefixes(pred)
    py = _prefixes(y)
    total = 0.0
    for i, (a, b) in enumerate(zip(px, py)):
        total = total + LEVEL_WEIGHTS[i] * F.mse_loss(a, b)
    return {"loss_x": total}


def test_a_table_picked_by_a_position_in_a_list_as_long_as_the_images_declines():
    """Near miss of pyramid-loss's levels: every item holds the whole batch (so no image's
    position), but a helper made one per image: on a group alone the list is shorter. Levels of
    the batch cannot be told from it at run time, so pyramid-loss's level weights stay declined."""
    _declines(weighted_prefixes, "loss_x", 8)


def weighted_filled_prefixes(pred, y):
    px, py = [], []
    for k in range(pred.shape[0]):
        px.append(pred[:, : k + 1])
        py.append(y[:, : k + 1])
    total = 0.0
    for i, (a, b) in enumerate(zip(px, py)):
        total = total + LEVEL_WEIGHTS[i] * F.mse_loss(a, b)
    return {"loss_x": total}


def test_a_table_picked_by_a_position_in_a_list_filled_per_image_declines():
    """Was WRONG (s38, until session 33, old): lists the body filled in a loop over
    ``range(x.shape[0])``, each item of the whole batch, hold an item per image; the position of
    ``enumerate`` over them picks the table's item (on a group alone fewer terms)."""
    _declines(weighted_filled_prefixes, "loss_x", 8)


def weighted_filled_levels(pred, y):
    px, py = [], []
    for k in range(3):
        px.append(pred[:, : k + 1])
        py.append(y[:, : k + 1])
    total = 0.0
    for i, (a, b) in enumerate(zip(px, py)):
        total = total + LEVEL_WEIGHTS[i] * F.mse_loss(a, b)
    return {"loss_x": total}


def weighted_filled_columns(pred, y):
    px, py = [], []
    for k in range(pred.shape[1]):
        px.append(pred[:, : k + 1])
        py.append(y[:, : k + 1])
    total = 0.0
    for i, (a, b) in enumerate(zip(px, py)):
        total = total + LEVEL_WEIGHTS[i] * F.mse_loss(a, b)
    return {"loss_x": total}


@pytest.mark.parametrize("body", [weighted_filled_levels, weighted_filled_columns])
def test_a_table_picked_by_a_position_in_a_list_filled_per_level_splits(body):
    """Near misses: the same lists filled in a loop over a literal range or over the columns (5 of
    them: no images): as many levels on a group alone, the table's items the same."""
    _splits(body, 5)


# -- NumPy scalars and products of sizes as normalisers --------------------------------------------

def over_numpy_product_of_sizes(pred, y):
    n = np.prod(pred.shape[:-1])
    return {"loss_x": ((pred - y) ** 2).sum() / n}


def over_math_product_of_sizes(pred, y):
    n = math.prod(pred.shape[:-1])
    return {"loss_x": (((pred - y) ** 2).sum() + pred.abs().sum()) / n}


def test_a_sum_over_a_product_of_leading_sizes_splits():
    """``np.prod(w.shape[:-1])`` (torch-efficient-distloss's ray count): the count of image rows,
    a NumPy integer."""
    _splits(over_numpy_product_of_sizes, 8)


def test_a_sum_over_math_prod_of_leading_sizes_splits():
    """``math.prod(pred.shape[:-1])`` of a 2-D parameter never rebound: the code (gap, session 32:
    ``_bytecode.shape_product``, literal slice bounds picking one dim, the image rows) reads it as
    ``pred.shape[0]``, the group's count on a group alone. It declined in session 31, where the
    value-level ``1 * bs`` read as the count hid a branch (``tests/test_branches.py``: still
    declines, the product there is of a count and a size)."""
    _splits(over_math_product_of_sizes, 8)


def over_numpy_root_of_count(pred, y):
    n = np.sqrt(pred.shape[0])
    return {"loss_x": ((pred - y) ** 2).sum() / n}


def times_numpy_log_of_count(pred, y):
    return {"loss_x": ((pred - y) ** 2).mean() * np.log(pred.shape[0])}


def over_math_root_of_count(pred, y):
    return {"loss_x": ((pred - y) ** 2).sum() / math.sqrt(pred.shape[0])}


def test_a_math_or_numpy_function_of_the_count_declines():
    """Were WRONG: ``np.sqrt(n)`` held in a local (a NumPy float, whose type the count checks did
    not take for a float), ``math.sqrt(x.shape[0])`` and ``np.log(x.shape[0])`` in the operand
    (a call of ``math`` or numpy, whose code the count checks did not read)."""
    _declines(over_numpy_root_of_count, "loss_x", 8)
    _declines(times_numpy_log_of_count, "loss_x", 8)
    _declines(over_math_root_of_count, "loss_x", 8)


# -- a loop over a parameter's tuple of numbers ----------------------------------------------------

def weighted_ratios(pred, y, weights=(1.0, 0.5)):
    feats = [lambda x: x, lambda x: F.avg_pool2d(x, 2)]
    loss = 0.0
    for w, f in zip(weights, feats):
        a, p = f(pred), f(y)
        loss = loss + w * F.l1_loss(a, p) / (F.mse_loss(a, p) + 1e-7)
    return {"loss_x": loss}


def test_a_loop_over_a_default_tuple_of_weights_splits():
    """AECR-Net's contrastive regularisation: ratios of batch means summed over a parameter's
    tuple of weights, a fixed number of terms on a group alone too (not on 2 images: a tuple as
    long as a count of the batch is no proof, its key declines there)."""
    for seed, sources in enumerate(BATCHES[:3]):
        got, want, said = _outcome(weighted_ratios, _batch(seed, sources, 2, 4, 4), sources)
        assert not wrong_companions(got, want), (seed, got, want)
        assert set(got) == set(want), (seed, said)


def test_a_loop_over_a_tuple_of_one_number_per_image_declines():
    """Near miss: the tuple passed holds one weight per image (a group alone gets its own)."""
    for seed, sources in enumerate(BATCHES):
        pred, y = _batch(seed, sources, 2, 4, 4)
        ws = tuple(float(i + 1) for i in range(len(sources)))
        got, want, said = split_outcome(weighted_ratios, [pred, y, ws], [Along(0), Along(0), PER_IMAGE], sources)
        assert not wrong_companions(got, want), (seed, got, want)
        assert not got, (seed, said)


def over_numpy_count_of_data(pred, y):
    k = np.count_nonzero(y.detach().numpy() > 0)
    return {"loss_x": ((pred - y) ** 2).sum() / k}


def test_a_numpy_count_of_several_images_data_still_declines():
    """Near miss: a NumPy integer computed from the images' values handed to NumPy (on a group
    alone, the group's count) is not taken for the Python number it equals."""
    _declines(over_numpy_count_of_data, "loss_x", 8)
