"""A plain number that counts no images (issue 13, survey 30's GAPs): the size of a dim after the
first of an argument as passed (LightGlue's ``layers = out["layers"].shape[1]``, ``x.size(1)``) is
the same on a group alone (DESIGN.md section 1: an argument is restricted along its image dim
only), so a loop over it is no loop over the images and its counter no count of them: they split.
Near misses that must never be wrong: the same dims of a tensor the body built from the targets
(padded to the group's longest), and an argument whose dim 1 carries the images (time-major: the
capture reads that size as a size of image rows). data2vec's ``len(layers)`` of
``batch["teacher"].unbind(1)`` still declines: pieces along dim 1 of a time-major argument are the
images, which the code alone does not tell."""

import pytest
import torch
from _helpers import ROWS, TARGETS, Along, split_outcome, wrong_companions
from test_red_team20 import BATCHES, _batch

DECAY = [0.9, 0.6, 0.35, 0.15]


def _rows_err(o, targets):
    return (o["x"] - torch.stack([t["y"] for t in targets])).abs()


def layers_decayed_over_a_dim_size(o, targets):  # LightGlue
    e = _rows_err(o, targets).mean(-1)
    layers = o["x"].shape[1]
    loss = 0.0
    for layer in range(layers):
        loss = loss + 0.9 ** (layers - layer - 1) * e[:, layer].mean()
    return {"loss": loss / layers}


SPLIT = [layers_decayed_over_a_dim_size]


@pytest.mark.parametrize("body", SPLIT, ids=lambda b: b.__name__)
def test_a_size_or_pieces_along_a_dim_without_images_split(body):
    for name, w in BATCHES.items():  # 1r2s: 3 images and 3 layers, equal by value
        got, want, said = split_outcome(body, *_batch(w))
        assert set(got) == {"loss_real", "loss_synthetic"}, (name, said)
        assert not wrong_companions(got, want), (name, got, want)


def _padded_batch(weights):
    args, kinds = _batch(weights)
    for b, t in enumerate(args[1]):
        t["seq"] = torch.arange(1.0, 2.0 + (b * 2 + 1) % 4)  # lengths 2, 4, 3, 2: the longest differs per group
    return args, kinds


def padded_from_the_targets(o, targets):
    padded = torch.nn.utils.rnn.pad_sequence([t["seq"] for t in targets], batch_first=True)
    steps = padded.shape[1]
    return {"loss": _rows_err(o, targets).mean() / steps}


def steps_of_a_padded_tensor_decayed(o, targets):
    padded = torch.nn.utils.rnn.pad_sequence([t["seq"] for t in targets], batch_first=True)
    e = _rows_err(o, targets).mean()
    loss = 0.0
    for s in range(padded.shape[1]):
        loss = loss + 0.5 ** s * e
    return {"loss": loss}


def time_major_pieces(o, targets):
    steps = o["x"].unbind(1)  # ``Along(1)``: dim 1 carries the images
    return {"loss": sum(p.abs().mean() for p in steps) / len(steps)}


@pytest.mark.parametrize("body", [padded_from_the_targets, steps_of_a_padded_tensor_decayed],
                         ids=lambda b: b.__name__)
def test_sizes_of_a_tensor_built_from_the_targets_are_never_wrong(body):
    for name, w in BATCHES.items():
        got, want, _ = split_outcome(body, *_padded_batch(w))
        assert want, name
        assert not wrong_companions(got, want), (name, got, want)


def time_major_steps_decayed(o, targets):
    total = 0.0
    for b in range(o["x"].shape[1]):
        total = total + (o["x"][:, b] - targets[b]["y"]).abs().mean() * 0.5 ** b
    return {"loss": total}


def time_major_values_scaled(o, targets):
    total = 0.0
    for b in range(o["x"].shape[1]):
        total = total + ((o["x"][:, b] - targets[b]["y"]).abs() * (b + 1)).mean()
    return {"loss": total}


def time_major_steps_over_their_count(o, targets):
    steps = o["x"].size(1)
    return {"loss": sum((o["x"][:, b] - targets[b]["y"]).abs().mean() for b in range(steps)) / steps}


def time_major_steps_weighted_by_a_table(o, targets):
    total = 0.0
    for b in range(o["x"].shape[1]):
        total = total + (o["x"][:, b] - targets[b]["y"]).abs().mean() * DECAY[b]
    return {"loss": total}


def time_major_steps_decayed_in_a_comprehension(o, targets):
    return {"loss": sum((o["x"][:, b] - targets[b]["y"]).abs().mean() * 0.5 ** b for b in range(o["x"].shape[1]))}


def _time_major(weights):
    args, _ = _batch(weights)
    args[0]["x"] = args[0]["x"].detach().transpose(0, 1).contiguous().requires_grad_()
    return args, [Along(1), TARGETS]


@pytest.mark.parametrize("body", [time_major_pieces, time_major_steps_decayed, time_major_values_scaled,
                                  time_major_steps_over_their_count, time_major_steps_weighted_by_a_table,
                                  time_major_steps_decayed_in_a_comprehension],
                         ids=lambda b: b.__name__)
def test_sizes_and_pieces_along_a_dim_of_images_are_never_wrong(body):
    for name, w in BATCHES.items():
        got, want, _ = split_outcome(body, *_time_major(w))
        assert want, name
        assert not wrong_companions(got, want), (name, got, want)


def test_a_step_counter_that_picks_the_images_targets_is_their_position():
    """``targets[b]`` in a loop over ``range(x.shape[1])``: the loop runs over the images (3r1s was
    the batch's factors, found in session 24)."""
    for body in (time_major_steps_decayed, time_major_steps_weighted_by_a_table):
        for name, w in BATCHES.items():
            got, want, said = split_outcome(body, *_time_major(w))
            assert want and not got and any("'loss'" in m and "Tensor.mul" in m for m in said), (body, name, said)


def time_major_steps_by_a_constant(o, targets):
    total = 0.0
    for b in range(o["x"].shape[1]):
        total = total + (o["x"][:, b] - targets[b]["y"]).abs().mean() * 0.5
    return {"loss": total}


def time_major_steps_by_the_images_class(o, targets):
    total = 0.0
    for b in range(o["x"].shape[1]):
        total = total + (o["x"][:, b] - targets[b]["y"]).abs().mean() * DECAY[targets[b]["k"]]
    return {"loss": total}


@pytest.mark.parametrize("body", [time_major_steps_by_a_constant, time_major_steps_by_the_images_class],
                         ids=lambda b: b.__name__)
def test_a_step_counter_that_picks_the_images_targets_keeps_other_factors(body):
    for name, w in BATCHES.items():
        if name == "1r2s":
            continue  # 3 images and 3 steps: which dim carries the images is not told (declines)
        args, kinds = _time_major(w)
        for b, t in enumerate(args[1]):
            t["k"] = (b * 3 + 1) % 4
        got, want, said = split_outcome(body, args, kinds)
        assert want and got and not wrong_companions(got, want), (name, got, want, said)


def test_the_batches_are_the_oracle_kinds():
    assert _batch(BATCHES["1r1s"])[1] == [ROWS, TARGETS]
