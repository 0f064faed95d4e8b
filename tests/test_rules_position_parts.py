"""An image's row written or read, in a loop over the images, at a place after the row that the code
computes from the image's position in that loop (``z[i, :, i % 2 * 4:..] = y[i]``, ``x[i, :, i % 2]``):
on a group alone the image has another position, so its values sit (or are read) elsewhere. Found by
survey 52's probes, where both were silently wrong companions; they now decline, naming the op. The
same writes and reads at places of literals, of an inner loop's own positions or of the image's own
sizes split exactly (``_bytecode.positional_index_part``), also an inner loop over values sized by a
parameter that is a constant of the call (RTMDet's ``k = ious.topk(min(topk, len(ious)))``, then ``cost[:, j]``
for ``j`` of ``enumerate(k.tolist())``, survey 52: ``topk`` at its default is no count of the images,
``_bytecode._constant_numbers``); sized by the count of the images instead, the top-k declines."""

from __future__ import annotations

import torch
from _helpers import check_rule


def _stacked(t):
    return torch.stack([u["y"] for u in t])


def written_at_position_slice(o, t):
    y = _stacked(t)
    m = y > 0.5
    z = torch.zeros(len(t), 3, 8)
    for i in range(len(t)):
        z[i, :, i % 2 * 4:(i % 2 + 1) * 4] = y[i]
    return {"loss": ((o["x"] - z[..., :4]).abs() * m).sum() / m.sum()}


def written_at_position_int(o, t):
    y = _stacked(t)
    m = y > 0.5
    z = torch.zeros(len(t), 3, 8)
    for i, u in enumerate(t):
        z[i, :, (i % 2) * 4] = u["y"][:, 0]
    return {"loss": ((o["x"] - z[..., :4]).abs() * m).sum() / m.sum()}


def prediction_written_at_position(o, t):
    y = _stacked(t)
    m = y > 0.5
    z = torch.zeros_like(o["x"])
    for i in range(len(t)):
        z[i, :, i % 2] = o["x"][i, :, 0]
    return {"loss": ((z - y).abs() * m).sum() / m.sum()}


def prediction_read_at_position(o, t):
    y = _stacked(t)
    total = 0.0
    for i in range(len(t)):
        total = total + (o["x"][i, :, i % 2] - y[i, :, 0]).abs().sum()
    return {"loss": total / len(t)}


def target_read_at_position(o, t):
    y = _stacked(t)
    total = 0.0
    for i in range(len(t)):
        total = total + (o["x"][i, :, 0] - y[i, :, i % 2]).abs().sum()
    return {"loss": total / len(t)}


def written_at_literal_places(o, t):
    y = _stacked(t)
    m = y > 0.5
    z = torch.zeros(len(t), 3, 8)
    for i, u in enumerate(t):
        z[i, :, 2:6] = u["y"]
        z[i, :len(u["labels"]) - 1, 0] = u["y"][:len(u["labels"]) - 1, 1]
    return {"loss": ((o["x"] - z[..., :4]).abs() * m).sum() / m.sum()}


def written_at_inner_positions(o, t):
    y = _stacked(t)
    m = y > 0.5
    z = torch.zeros(len(t), 3, 4)
    for i, u in enumerate(t):
        for k in range(2):
            z[i, :, 2 * k] = u["y"][:, k]
    return {"loss": ((o["x"] - z).abs() * m).sum() / m.sum()}


def read_at_literal_place(o, t):
    y = _stacked(t)
    total = 0.0
    for i in range(len(t)):
        total = total + (o["x"][i, :, 1] - y[i, :, 0]).abs().sum()
    return {"loss": total / len(t)}


def read_at_inner_positions_of_a_constant_k(o, t, topk=2):
    total = 0.0
    for i, u in enumerate(t):
        err = (o["x"][i] - u["y"]).abs()
        score = err.detach().sum(0)
        k = score.topk(min(topk, len(score)), dim=0).indices
        for j, _ in enumerate(k.tolist()):
            total = total + err[:, j].sum()
    return {"loss": total / len(t)}


def read_at_inner_positions_of_the_image_count(o, t, topk=2):
    total = 0.0
    for i, u in enumerate(t):
        err = (o["x"][i] - u["y"]).abs()
        score = err.detach().sum(0)
        k = score.topk(min(len(t), len(score)), dim=0).indices
        for j, _ in enumerate(k.tolist()):
            total = total + err[:, j].sum()
    return {"loss": total / len(t)}


def test_an_inner_loop_sized_by_a_constant_parameter_splits_and_by_the_image_count_declines():
    check_rule(read_at_inner_positions_of_a_constant_k, "")
    check_rule(read_at_inner_positions_of_the_image_count, "Tensor.topk sized by a number", declines=True)


def test_a_write_at_a_place_of_the_position_declines():
    for body in (written_at_position_slice, written_at_position_int, prediction_written_at_position):
        check_rule(body, "Tensor.__setitem__ into an image's row", declines=True)


def test_a_read_at_a_place_of_the_position_declines():
    for body in (prediction_read_at_position, target_read_at_position):
        check_rule(body, "of an image's row computed from its position", declines=True)


def test_places_of_literals_inner_loops_and_own_sizes_split():
    for body in (written_at_literal_places, written_at_inner_positions, read_at_literal_place):
        check_rule(body, "")
