"""A factor computed from an image's POSITION in the batch (``e_b * 0.5 ** (n - 1 - b)``, a weight
vector of such powers, ``cumprod`` along the images, ``0.5 ** i`` in an ``enumerate`` loop): on a
group alone (DESIGN.md section 1) the image has its position in the group, so the batch's factor is
another group's (red team rt23: silently wrong). ``_bytecode.positional_number`` reads a plain
number operand computed from a position of a loop over the images (in a comprehension too:
``sum(... for i, e in enumerate(terms))``); ``positional_argument`` reads data made so
(``torch.tensor([... for i in range(n)])``); a scan along a dim sized by a count of the images
makes positions (``Frame.count_dims``). Each declines, one warning naming the key and the op.
Near misses, split exactly: loops over decoder layers or columns, a position used as an index,
each image's own field, a constant class-weight tensor, a scan along a dim of no images."""

import math

import pytest
import torch
from _helpers import ROWS, TARGETS, split_outcome, wrong_companions
from test_criteria_survey16 import _mean as _running_mean
from test_red_team20 import BATCHES, _batch


def _e(x, t):
    return (x - t["y"]).abs().mean()


def _rows_err(o, targets):
    return (o["x"] - torch.stack([t["y"] for t in targets])).abs()


# --- a factor of the image's position: declined --------------------------------------------------
def decayed_by_position_powers(o, targets):
    terms = [_e(x, t) for t, x in zip(targets, o["x"])]
    return {"loss": sum(e * 0.5 ** (len(terms) - 1 - i) for i, e in enumerate(terms))}


def decayed_by_a_weight_vector(o, targets):
    e = _rows_err(o, targets).mean((1, 2))
    n = len(targets)
    return {"loss": (e * torch.tensor([0.5 ** (n - 1 - i) for i in range(n)])).sum()}


def decayed_by_cumprod(o, targets):
    e = _rows_err(o, targets).mean((1, 2))
    w = torch.full((len(targets),), 0.5).cumprod(0).flip(0) * 2
    return {"loss": (e * w).sum()}


def scaled_by_the_images_position(o, targets):
    total = 0.0
    for i, (t, x) in enumerate(zip(targets, o["x"])):
        total = total + _e(x, t) * 0.5 ** i
    return {"loss": total}


def first_image_counted_double(o, targets):
    total = 0.0
    for i in range(len(targets)):
        w = 2.0 if i == 0 else 1.0
        total = total + _e(o["x"][i], targets[i]) * w
    return {"loss": total}


def scaled_by_math_pow_of_the_position(o, targets):
    return {"loss": sum(_e(x, t) * math.pow(0.5, float(b)) for b, (t, x) in enumerate(zip(targets, o["x"])))}


def weights_appended_in_a_loop(o, targets):
    ws = []
    for b in range(len(targets)):
        ws.append(0.5 ** b)
    return {"loss": (_rows_err(o, targets).mean((1, 2)) * torch.tensor(ws)).sum()}


def cumsum_of_ones_as_a_column(o, targets):
    ramp = torch.ones(len(targets), 1).cumsum(0)
    return {"loss": (_rows_err(o, targets).mean(1) * ramp).mean()}


def scaled_by_a_tensor_of_the_position(o, targets):
    total = 0.0
    for i, t in enumerate(targets):
        total = total + _e(o["x"][i], t) * torch.tensor(0.5 ** i)
    return {"loss": total}


def _decay(e, i):
    return e * 0.5 ** i


def decayed_in_a_helper_given_the_position(o, targets):
    total = 0.0
    for i, t in enumerate(targets):
        total = total + _decay(_e(o["x"][i], t), i)
    return {"loss": total}


def scaled_over_a_size_of_image_rows(o, targets):
    total = 0.0
    for b in range(o["x"].shape[0]):
        total = total + _e(o["x"][b], targets[b]) * 0.5 ** b
    return {"loss": total}


def weights_of_positions_up_to_a_size(o, targets):
    count = o["x"].size(0)
    return {"loss": (_rows_err(o, targets).mean((1, 2)) * torch.tensor([0.5 ** b for b in range(count)])).sum()}


def _decayed_bins(e, bins):  # the same, a helper's parameter (a cell: the comprehension reads it)
    edges = [i / bins for i in range(bins + 1)]
    total = 0.0
    for i in range(bins):
        total = total + 0.5 ** i * e[:, i % 3].mean()
    return total if edges else 0.0


def decayed_over_a_helpers_literal_bins(o, targets):
    return {"loss": _decayed_bins(_rows_err(o, targets), 3)}


def decayed_over_a_helpers_bins_of_the_count(o, targets):  # its near miss: the bins are the images
    return {"loss": _decayed_bins(_rows_err(o, targets), len(targets))}


POSITIONAL = {
    decayed_by_position_powers: "Tensor.mul of a Python number computed from an image's position",
    decayed_by_a_weight_vector: "torch.tensor of positions in a loop over the images",
    decayed_by_cumprod: "Tensor.cumprod along a dim sized by a count of the images",
    scaled_by_the_images_position: "Tensor.mul of a Python number computed from an image's position",
    first_image_counted_double: "Tensor.mul of a Python number computed from an image's position",
    scaled_by_math_pow_of_the_position: "Tensor.mul of a Python number computed from an image's position",
    weights_appended_in_a_loop: "torch.tensor of positions in a loop over the images",
    cumsum_of_ones_as_a_column: "Tensor.cumsum along a dim sized by a count of the images",
    scaled_by_a_tensor_of_the_position: "Tensor.mul of a tensor computed by torch.tensor of positions",
    decayed_in_a_helper_given_the_position: "Tensor.mul of a Python number computed from an image's position",
    scaled_over_a_size_of_image_rows: "Tensor.mul of a Python number computed from an image's position",
    weights_of_positions_up_to_a_size: "torch.tensor of positions in a loop over the images",
}


@pytest.mark.parametrize("body", list(POSITIONAL), ids=lambda b: b.__name__)
def test_a_factor_of_the_images_position_declines(body):
    for name, w in [*BATCHES.items(), *BATCHES.items()]:
        got, want, said = split_outcome(body, *_batch(w))
        assert want, name
        assert not got, (name, got, want)  # a wrong companion on some batch before (1r1s, 2r2s, 3r1s)
        assert any("'loss'" in m and POSITIONAL[body] in m for m in said), (name, said)


def test_a_helpers_range_bound_by_the_count_declines():
    """``_decayed_bins(e, len(targets))``: the bins are the images (a group alone has fewer), where
    the same helper given a literal (a near miss below) splits."""
    for name, w in BATCHES.items():
        got, want, said = split_outcome(decayed_over_a_helpers_bins_of_the_count, *_layered(w))
        assert want and not got, (name, got, want)
        assert any("Tensor.__getitem__ with an int position" in m for m in said), (name, said)


# --- near misses: the same arithmetic on no position of an image, split exactly ----------------------
def _layered(weights):
    """``_batch`` with decoder-layer outputs (``o["aux"]``: two tensors of the images' rows) and a
    per-image field ``w``."""
    args, kinds = _batch(weights)
    o, targets = args
    x = o["x"].detach()
    o["aux"] = [(x * 0.9).requires_grad_(), (x * 1.2 + 0.05).requires_grad_()]
    for b, t in enumerate(targets):
        t["w"] = 1.5 + 0.25 * b
    return [o, targets], kinds


def _err(x, targets):
    return (x - torch.stack([t["y"] for t in targets])).abs().mean()


def decoder_layers_decayed(o, targets):  # DETR-style auxiliary losses: a loop over layers, not images
    loss = _err(o["x"], targets)
    for i, aux in enumerate(o["aux"]):
        loss = loss + 0.5 ** i * _err(aux, targets)
    return {"loss": loss}


def columns_decayed(o, targets):  # a loop over the last dim's four columns
    e = _rows_err(o, targets)
    total = 0.0
    for c in range(4):
        total = total + 0.5 ** c * e[..., c].mean()
    return {"loss": total}


def position_as_an_index(o, targets):
    total = 0.0
    for i, t in enumerate(targets):
        total = total + _e(o["x"][len(targets) - 1 - i], targets[len(targets) - 1 - i]) * 2.0 + _e(o["x"][i], t)
    return {"loss": total}


def each_images_own_field(o, targets):
    total = 0.0
    for i, t in enumerate(targets):
        total = total + _e(o["x"][i], t) * t["w"]
    return {"loss": total}


def a_tensor_of_each_images_field(o, targets):
    w = torch.tensor([t["w"] for t in targets])
    return {"loss": (_rows_err(o, targets).mean((1, 2)) * w).sum()}


def class_weights(o, targets):
    return {"loss": (_rows_err(o, targets).mean(1) * torch.tensor([1.0, 2.0, 0.5, 4.0])).mean()}


def cumprod_along_the_columns(o, targets):  # the dim of four columns: a count of images on 4 images
    w = torch.full((len(targets), 4), 0.5).cumprod(1)
    return {"loss": (_rows_err(o, targets).mean(1) * w).mean()}


def filled_with_the_count_unscanned(o, targets):
    w = torch.full((len(targets),), 0.5) * 2
    return {"loss": (_rows_err(o, targets).mean((1, 2)) * w).sum()}


def position_passed_to_a_helper(o, targets):
    total = 0.0
    for i, t in enumerate(targets):
        total = total + _picked(o["x"], i, t) * 0.5
    return {"loss": total}


def _picked(x, i, t):
    return (x[i] - t["y"]).abs().mean()


def levels_decayed_over_their_count(o, targets):  # SEA-RAFT's ``gamma ** (n - i - 1)``, ``n = len(flows)``
    n = len(o["aux"])
    loss = 0.0
    for i in range(n):
        loss = loss + 0.8 ** (n - i - 1) * _err(o["aux"][i], targets)
    return {"loss": loss}


def mean_of_a_generator_of_image_terms(o, targets):
    return {"loss": _running_mean(_e(x, t) for t, x in zip(targets, o["x"]))}


def levels_unpacked_with_the_targets(o, targets):  # RAFT: ``preds, gt = outputs["iterations"], _stack(targets)``
    levels, ys = o["aux"], torch.stack([t["y"] for t in targets])
    loss = 0.0
    for i in range(len(levels)):
        loss = loss + 0.8 ** (len(levels) - i - 1) * (levels[i] - ys).abs().mean()
    return {"loss": loss}


def terms_of_kept_positions(o, targets):  # positions kept in a list, then used as indices only
    kept = [b for b in range(len(targets)) if targets[b]["w"] > 0]
    return {"loss": sum([_e(o["x"][b], targets[b]) for b in kept]) * 0.5}


def positions_in_a_tuple_index(o, targets):  # ``preds[b, :n]``: an index through a tuple
    losses = [(o["x"][b, :2] - t["y"][:2]).abs().mean() for b, t in enumerate(targets)]
    return {"loss": sum(losses) / len(targets)}


def decayed_over_a_parameters_bins(o, targets, bins=3):  # GHM's ``range(bins)``, ``bins`` a closure's cell
    edges = [i / bins for i in range(bins + 1)]
    e = _rows_err(o, targets)
    total = 0.0
    for i in range(bins):
        total = total + 0.5 ** i * e[:, i].mean()
    return {"loss": total if edges else 0.0}


NEAR_MISSES = [decoder_layers_decayed, columns_decayed, position_as_an_index, each_images_own_field,
               a_tensor_of_each_images_field, class_weights, cumprod_along_the_columns, filled_with_the_count_unscanned,
               position_passed_to_a_helper, levels_decayed_over_their_count, mean_of_a_generator_of_image_terms,
               levels_unpacked_with_the_targets, terms_of_kept_positions, positions_in_a_tuple_index,
               decayed_over_a_parameters_bins, decayed_over_a_helpers_literal_bins]


@pytest.mark.parametrize("body", NEAR_MISSES, ids=lambda b: b.__name__)
def test_the_same_arithmetic_on_no_image_position_keeps_the_split(body):
    for name, w in BATCHES.items():
        got, want, said = split_outcome(body, *_layered(w))
        assert set(got) == {"loss_real", "loss_synthetic"}, (name, said)
        assert not wrong_companions(got, want), (name, got, want)


def lightglue_layers(o, targets):
    """LightGlue's ``gamma ** (L - l - 1)`` over ``range(L)``, ``L = x.shape[1]``: its layers (here
    the 3 rows of each image), no images; declined before this change (a GAP, issue 13)."""
    nll = _rows_err(o, targets).mean(-1)
    layers = nll.shape[1]
    loss = 0.0
    for layer in range(layers):
        loss = loss + 0.9 ** (layers - layer - 1) * nll[:, layer].mean()
    return {"loss": loss / layers}


def test_a_decay_over_layers_counted_from_a_tensor_is_never_wrong():
    for name, w in BATCHES.items():
        got, want, _ = split_outcome(lightglue_layers, *_layered(w))
        assert not wrong_companions(got, want), (name, got, want)


def test_positions_are_read_on_the_batch_kinds_the_oracle_restricts():
    assert _layered(BATCHES["1r1s"])[1] == [ROWS, TARGETS]
