"""Per-row values accumulated into a fresh ``torch.zeros`` sized by a count of the images
(normflows' ``log_q = torch.zeros(len(x)); log_q += log_det``, survey 33): each row is its image's,
as on a group alone. Values that mix images, buffers sized otherwise and positions counted along
ones keep declining."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import (
    RULE_BATCHES,
    check_rule,
    companions,
    logged_warnings,
    rule_batch,
    rule_outcome,
    split_and_compare,
)


def _ce(o, t):
    """Each image's mean CE over its rows [B] (labels of the rule batch)."""
    x = o["x"]
    labels = torch.stack([u["labels"] for u in t])
    return F.cross_entropy(x.transpose(1, 2), labels, reduction="none").mean(1)


def accumulated_by_len(o, t):
    x = o["x"]
    log_q = torch.zeros(len(x))
    log_q += x.log().sum((1, 2))
    log_q -= _ce(o, t)
    return {"loss": -torch.mean(log_q), "loss_sum": -log_q.sum()}


def accumulated_by_shape(o, t):
    """Sized by ``x.shape[0]``, ``sub_`` first, then per-row terms and a per-row constant."""
    x = o["x"]
    acc = x.new_zeros(x.shape[0])
    acc.sub_(x.pow(2).mean((1, 2)))
    acc += _ce(o, t)
    acc += 0.5 * torch.ones(x.shape[0])
    return {"loss": acc.mean(), "loss_sum": acc.sum()}


def accumulated_weighted(o, t):
    """Weighted per image by the weight field: the same write into zeros of the values with the
    weight 1 is the group's."""
    w = torch.tensor([u["loss_weight"] for u in t])
    acc = torch.zeros(len(o["x"]))
    acc += _ce(o, t) * w
    return {"loss": acc.sum() / w.sum(), "loss_mean": acc.mean()}


def accumulated_loop(o, t):
    """normflows' ``forward_kld``: a loop of in-place adds over flows, the last one the base density."""
    x = o["x"].flatten(1)
    log_q = torch.zeros(len(x), device=x.device)
    z = x
    for k in range(3):
        z = z * (1.0 + 0.1 * k) + 0.05
        log_q += (torch.log(torch.tensor(1.0 + 0.1 * k)) * torch.ones_like(z)).sum(1)
    log_q += -(z ** 2).sum(1) / 2
    return {"loss": -torch.mean(log_q)}


@pytest.mark.parametrize("body", [accumulated_by_len, accumulated_by_shape, accumulated_weighted, accumulated_loop])
def test_rows_accumulated_into_counted_zeros_split_as_the_oracle(body):
    check_rule(body, "")


def test_ones_sized_by_the_images_count_them():
    def counted(o, t):
        x = o["x"]
        w = torch.ones(x.shape[0])
        return {"loss": (x.mean((1, 2)) * w).sum() / w.sum(), "n": w.sum()}

    check_rule(counted, "")


def _declined(body, op):
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert want, seed
        assert got == {}, (seed, got, want)
        assert any(op in m for m in said), (op, said)


def test_values_mixing_images_added_into_counted_zeros_decline():
    """The rows centred on the batch's mean: each row holds every image's values."""

    def centred(o, t):
        x = o["x"]
        e = x.sum((1, 2))
        acc = torch.zeros(len(x))
        acc += e - e.mean()
        return {"loss": (acc ** 2).mean()}

    _declined(centred, "")


def test_rows_of_other_images_added_into_counted_zeros_decline():
    def flipped(o, t):
        x = o["x"]
        acc = torch.zeros(len(x))
        acc += x.sum((1, 2)).flip(0)
        return {"loss": acc[0] * 2 + acc.mean()}

    _declined(flipped, "flip")


def test_zeros_of_a_literal_size_equal_to_the_images_are_not_taken_for_them():
    """``torch.zeros(3)`` on the batch of 3 images: on a group alone 3 still, so its rows are no
    images' (a group of one broadcasts into every position): no companion."""

    def literal(o, t):
        x = o["x"]
        acc = torch.zeros(3)
        acc += x.sum((1, 2))
        return {"loss": acc.sum()}

    outputs, targets = rule_batch(1, [0.5, 1.0, 0.5])
    with logged_warnings() as said:
        out = split_and_compare(literal, [outputs, targets])
    assert companions(out) == {}, out
    assert any("'loss'" in m for m in said), said


def test_positions_counted_along_ones_decline():
    """``torch.ones(B).cumsum(0)``: the images' positions in the batch, on a group alone others."""

    def positions(o, t):
        x = o["x"]
        pos = torch.ones(x.shape[0]).cumsum(0)
        return {"loss": (x.mean((1, 2)) * pos).sum()}

    _declined(positions, "cumsum")


def test_one_image_values_accumulated_on_a_batch_of_one_image_split():
    """On a batch of one image a value of its shape is that image's (its track names the image, no
    rows): the buffer holds it, as normflows' ``log_prob`` on one example. (``accumulated_loop``'s
    ``x.new_ones(x.shape[0])`` of the flattened one image is no count of rows there: it declines.)"""
    for body in (accumulated_by_len, accumulated_by_shape, accumulated_weighted):
        got, want, said = rule_outcome(body, rule_batch(3, [0.5]))
        assert set(got) == set(want) and want, (body.__name__, said)
        assert got == pytest.approx(want, rel=1e-5, abs=1e-6), body.__name__


def test_one_image_values_of_the_buffers_shape_on_several_images_decline():
    """``acc += x[0, 0, :2]`` on 2 images: image 0's values of the buffer's shape are no row per
    image (on a group alone the buffer has the group's rows): no companion."""

    def first_image(o, t):
        x = o["x"]
        acc = torch.zeros(len(x))
        acc += x[0, 0, :2]
        return {"loss": acc.sum()}

    outputs, targets = rule_batch(2, [1.0, 0.5])
    with logged_warnings() as said:
        out = split_and_compare(first_image, [outputs, targets])
    assert companions(out) == {}, out
    # (since gap45a the buffer holds image 0's values, and the one-image sum's check declines the call)
    assert any("'loss'" in m or "no companions for this call" in m for m in said), said


def _pairs(make):
    def body(o, t):
        x = o["x"]
        return {"loss": (x.mean((1, 2))[:, None] * make(x)).sum()}

    return body


@pytest.mark.parametrize("make", [
    lambda x, t: torch.ones(x.shape[0], x.shape[0]),
    lambda x, t: x.new_ones((x.shape[0], x.shape[0])),
    lambda x, t: torch.full((x.shape[0], x.shape[0]), 1.0),
    lambda x, t: torch.zeros(x.shape[0], x.shape[0]) + 1.0,
    lambda x, t: torch.empty(x.shape[0], x.shape[0]).fill_(1.0),
    lambda x, t: x.new_full((x.shape[0], x.shape[0]), 2.0),
    lambda x, t: torch.ones(len(t), len(t)),
    lambda x, t: torch.ones(1, len(t)),
    lambda x, t: 2 * torch.ones(x.shape[0], x.shape[0]),
    lambda x, t: torch.arange(x.shape[0])[None, :] + 1.0,
    lambda x, t: torch.linspace(0.5, 1.0, len(t))[None, :],
    lambda x, t: torch.eye(len(t)) + 1.0,
], ids=["ones", "new_ones", "zeros", "full", "empty", "new_full", "ones_len", "ones_1_len", "twice", "arange",
        "linspace", "eye"])
def test_factories_sized_by_the_images_along_another_dim_decline(make):
    """``l[:, None] * torch.ones(B, B)`` summed: each row sums B entries, on a group alone the
    group's count (was silently wrong on main: a constant factor, the batch's B per row); any
    factory whose dim of size B, a count read from the batch, meets the rows broadcast along it.
    The 3-image batch has 3 rows per image: B coincides by value with another size there."""
    def body(o, t):
        x = o["x"]
        return {"loss": (x.mean((1, 2))[:, None] * make(x, t)).sum()}

    _declined(body, "")


@pytest.mark.parametrize("body", [
    lambda o, t: {"loss": (o["x"].mean((1, 2))[None, :] * torch.ones(len(t), 1)).sum()},
    lambda o, t: {"loss": (o["x"].mean((1, 2))[:, None] + torch.zeros(o["x"].shape[0], o["x"].shape[0])).sum()},
    lambda o, t: {"loss": torch.where(torch.ones(len(t), len(t), dtype=torch.bool), o["x"].mean((1, 2))[:, None],
                                      0.0).sum()},
], ids=["rows_along_dim_1", "added", "where"])
def test_rows_spread_along_a_count_of_the_images_decline(body):
    """The rows repeated along a dim of B by broadcasting or ``where`` (all were silently wrong on
    main)."""
    _declined(body, "count of the images")


@pytest.mark.parametrize("body", [
    lambda o, t: {"loss": (o["x"].mean((1, 2)) * torch.ones(o["x"].shape[0])).sum()},
    lambda o, t: {"loss": (o["x"].mean((1, 2)) * o["x"].new_ones(o["x"].shape[0])).sum()},
    lambda o, t: {"loss": (o["x"].mean((1, 2)) * torch.ones(len(t))).sum()},
    lambda o, t: {"loss": (o["x"].mean((1, 2))[:, None] * torch.ones(o["x"].shape[0], 1)).sum()},
    lambda o, t: {"loss": (o["x"].mean((1, 2))[:, None] * torch.ones(o["x"].shape[0], 3)).sum()},
    lambda o, t: {"loss": (o["x"].mean((1, 2))[:, None] * torch.full((1, 4), 0.5)).sum()},
    lambda o, t: {"loss": (o["x"].mean(2)[:, :, None] * torch.ones(o["x"].shape[0], o["x"].shape[1], 1)).sum()},
    lambda o, t: {"loss": (o["x"].mean(1) * torch.ones(o["x"].shape[0], o["x"].shape[2])).sum()},
    lambda o, t: {"loss": (o["x"].mean(1) * torch.ones(1, o["x"].shape[2])).sum()},
    lambda o, t: {"loss": o["x"].mean((1, 2))[:, None].expand(-1, 3).sum()},
    lambda o, t: {"loss": o["x"].mean(2)[:, :, None].expand(len(t), -1, 4).sum()},
    lambda o, t: {"loss": o["x"].mean((1, 2)).expand(len(t)).sum()},
], ids=["ones_rows", "new_ones_rows", "ones_len_rows", "ones_b_1", "literal", "full_literal", "query_count",
        "class_count", "class_count_1", "expand_literal", "expand_rows", "expand_own"])
def test_factories_sized_by_the_images_along_the_rows_or_otherwise_split(body):
    """Near misses: the count along the rows' own dim (on a group alone the group's rows there
    too), a literal size, a class or query count (4 classes on the 4-image batch, 3 rows on the
    3-image one: equal to B by value) keep splitting exactly."""
    check_rule(body, "")


def _one_image_in_a_for_loop(o, t):
    total = 0
    n = len(t)
    for i in range(n):
        v = o["x"][i].mean()
        total = total + (v * torch.ones(n)).sum()
    return {"loss": total}


@pytest.mark.parametrize("body", [
    lambda o, t: {"loss": sum((o["x"][i].mean() * torch.ones(len(t))).sum() for i in range(len(t)))},
    _one_image_in_a_for_loop,
    lambda o, t: {"loss": o["x"].mean((1, 2))[:, None].expand(-1, len(t)).sum()},
    lambda o, t: {"loss": o["x"].mean((1, 2))[:, None].expand(o["x"].shape[0], o["x"].shape[0]).sum()},
    lambda o, t: {"loss": o["x"].mean((1, 2)).expand(len(t), -1).sum()},
    lambda o, t: {"loss": torch.broadcast_to(o["x"].mean((1, 2))[:, None], o["x"].shape[:1] * 2).sum()},
    lambda o, t: {"loss": o["x"].mean((1, 2))[:, None].expand_as(torch.ones(len(t), len(t))).sum()},
    lambda o, t: {"loss": torch.broadcast_to(o["x"].mean((1, 2))[:, None], (-1, len(t))).sum()},
    lambda o, t: {"loss": o["x"].mean((1, 2))[:, None].broadcast_to((-1, len(t))).sum()},
    lambda o, t: {"loss": o["x"].mean((1, 2))[:, None].expand(
        -1, torch.tensor([u["loss_weight"] for u in t]).shape[0]).sum()},
    lambda o, t: {"loss": o["x"].mean((1, 2))[:, None].expand(-1, len(torch.stack([u["y"] for u in t]))).sum()},
], ids=["one_image_in_a_loop", "one_image_in_a_for_loop", "expand_len", "expand_shape", "expand_front",
        "broadcast_to", "expand_as", "broadcast_to_function", "broadcast_to_method", "expand_weights_shape",
        "expand_len_of_stacked"])
def test_spread_along_a_count_of_the_images_declines(body):
    """Image values repeated along a new or size-1 dim to a count of the images, summed: each
    image's value counted the batch's number of times, on a group alone the group's (all silently
    wrong on main: the companions were the batch's count times the group's sum). The rows
    expanded (``expand``, ``broadcast_to`` as a method or a function, ``expand_as``) and one
    image's value in a loop over the images times ``torch.ones(len(t))``. A size read of an
    untracked tensor's first dim (``w.shape[0]``) counts as the images' count."""
    _declined(body, "count of the images")


@pytest.mark.parametrize("body", [
    lambda o, t: {"loss": o["x"].mean((1, 2))[:, None].expand(-1, o["x"].shape[2]).sum()},
    lambda o, t: {"loss": o["x"].mean((1, 2))[:, None].expand(-1, torch.stack([u["y"] for u in t]).shape[2]).sum()},
    lambda o, t: {"loss": o["x"].mean((1, 2))[:, None].expand(-1, torch.stack([u["y"] for u in t]).size(1)).sum()},
    lambda o, t: {"loss": torch.broadcast_to(o["x"].mean((1, 2))[:, None], (-1, 4)).sum()},
    lambda o, t: {"loss": sum((o["x"][i].mean() * torch.ones(o["x"].shape[2])).sum() for i in range(len(t)))},
    lambda o, t: {"loss": sum((o["x"][i].mean() * torch.ones(3)).sum() for i in range(len(t)))},
    lambda o, t: {"loss": sum((o["x"][i] * torch.ones(len(t[i]["labels"]), 1)).sum() for i in range(len(t)))},
], ids=["width", "stacked_width", "stacked_rows_size", "broadcast_to_literal", "loop_width", "loop_literal",
        "loop_own_count"])
def test_spread_along_another_count_splits(body):
    """Near misses: spread along a width, a row count or a literal that equal the images' count by
    value on some batch (4 wide on the 4-image batch, 3 rows on the 3-image one), or along one
    image's own count in a loop: on a group alone the same, exact splits."""
    check_rule(body, "")
