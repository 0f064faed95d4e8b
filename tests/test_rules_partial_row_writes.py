"""A buffer the body makes (``torch.zeros(B, bin_N, C)``) whose first write puts each image's rows
in a part of its own row, ``big[:, :N - 1] = x`` (slices of int bounds after the full slice of the
images), the rest keeping the body's zeros; then masked in place by a mask of each image's own
length, ``big.masked_fill_(arange(bin_N) >= length - 1, 0)``, also through ``.data``. torch-struct's
linear-chain CRF scan (survey 36) builds its chart so: on main at 50fce9c the part write was not
followed ('no rows of images were followed to it') and a masked write into such a buffer lost it.
Bounds computed in the body split where the code builds them of literals, arithmetic and sizes of
later dims only (``N - 1`` of ``N = x.shape[1] + 1``, ``x.size(1)``; ``_bytecode.shape_bound_index``):
with the builtin ``max`` over the lengths (``tests/test_rules_builtin_extremes.py``) torch-struct's
chart splits as the oracle (survey 36's 10 GAP closed, session 30). Writes that mix images keep
declining: a value of several images' rows, a bound that is a count of the images (``big[:, :B]``,
``x.shape[0]``), a parameter, a local stored twice or a number read on the host from the images'
values, a mask made from the batch's longest length, a second write of other images' rows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
from _helpers import ROWS, TARGETS, split_outcome, wrong_companions

BIN, C = 8, 3

# 4 images of three groups, 3 of two, 2 of one group each, 4 whose groups' counts coincide (2 and 2)
BATCHES = [(0, [1.0, 0.5, 1.0, 0.5], [5, 4, 3, 5]), (1, [0.5, 1.0, 1.0], [4, 5, 3]), (2, [1.0, 0.5], [3, 5]),
           (3, [0.5, 0.5, 1.0, 1.0], [5, 3, 4, 4])]


def _batch(seed: int, weights: list[float], lengths: list[int]) -> tuple[list, list]:
    g = torch.Generator().manual_seed(seed)
    outputs = {"x": torch.randn(len(weights), 4, C, generator=g).requires_grad_()}
    targets = [{"length": torch.tensor(n), "loss_weight": w} for n, w in zip(lengths, weights, strict=True)]
    return [outputs, targets], [ROWS, TARGETS]


def _lengths(targets: list[dict]) -> torch.Tensor:
    return torch.stack([t["length"] for t in targets])


def _chart(outputs: dict) -> torch.Tensor:
    x = outputs["x"]
    big = torch.zeros(x.shape[0], BIN, C)
    big[:, :4] = x
    return big


def part_write(outputs, targets):
    big = _chart(outputs)
    return {"loss": (big.exp() * torch.arange(BIN)[:, None]).sum() / len(targets)}


def part_write_masked_by_own_length(outputs, targets):
    big = _chart(outputs)
    n = big.shape[0]
    mask = torch.arange(BIN).view(1, BIN).expand(n, BIN) >= (_lengths(targets) - 1).view(n, 1)
    big.masked_fill_(mask[..., None], 0.0)
    return {"loss": big.exp().sum(), "loss_mean": big.exp().mean()}


def part_write_masked_through_data(outputs, targets):
    big = _chart(outputs)
    n = big.shape[0]
    lp = big[:, :].view(n * BIN, C)
    mask = torch.arange(BIN).view(1, BIN).expand(n, BIN).type_as(lp) >= (_lengths(targets) - 1).view(n, 1)
    lp.data.masked_fill_(mask.view(n * BIN, 1), -1e5)
    return {"loss": torch.logsumexp(lp.view(n, BIN * C), -1).sum()}


def two_part_writes(outputs, targets):
    x = outputs["x"]
    big = torch.zeros(x.shape[0], BIN, C)
    big[:, 0:4] = x
    big[:, 4:] = x * 2
    return {"loss": (big * torch.arange(BIN)[:, None]).sum()}


def near_miss_value_of_several_images(outputs, targets):
    x = outputs["x"]
    big = torch.zeros(x.shape[0], BIN, C)
    big[:, :4] = x - x.mean(0)
    return {"loss": (big ** 2).sum()}


def near_miss_bound_the_count_of_images(outputs, targets):
    x = outputs["x"]
    b = len(targets)
    big = torch.zeros(b, BIN, C)
    big[:, b:b + 4] = x
    return {"loss": (big * torch.arange(BIN)[:, None]).sum()}


def near_miss_bound_read_on_the_host(outputs, targets):
    x = outputs["x"]
    n = int(_lengths(targets).max()) - 1
    big = torch.zeros(x.shape[0], BIN, C)
    big[:, n:n + 4] = x
    return {"loss": (big * torch.arange(BIN)[:, None]).sum()}


def near_miss_mask_of_the_batch_longest(outputs, targets):
    big = _chart(outputs)
    n = big.shape[0]
    mask = torch.arange(BIN).view(1, BIN).expand(n, BIN) >= (_lengths(targets).max() - 2)
    big.masked_fill_(mask[..., None], 0.0)
    return {"loss": big.exp().sum()}


def near_miss_second_write_of_other_rows(outputs, targets):
    x = outputs["x"]
    big = torch.zeros(x.shape[0], BIN, C)
    big[:, :4] = x
    big[:, 4:] = x.flip(0)
    return {"loss": (big * torch.arange(BIN)[:, None]).sum()}


def part_write_bound_of_later_sizes(outputs, targets):
    """Bounds computed from sizes of later dims (``x.size(1)``, a local of ``x.shape[2]``)."""
    x = outputs["x"]
    t, c = x.size(1), x.shape[2]
    big = torch.zeros(x.shape[0], BIN, C)
    big[:, 1: t + 1, :c] = x
    return {"loss": (big.exp() * torch.arange(BIN)[:, None]).sum()}


def near_miss_bound_the_size_of_the_images_dim(outputs, targets):
    x = outputs["x"]
    n = x.shape[0]
    big = torch.zeros(n, BIN, C)
    big[:, n - 1: n + 3] = x
    return {"loss": (big * torch.arange(BIN)[:, None]).sum()}


def near_miss_bound_a_parameter(outputs, targets, k=4):
    x = outputs["x"]
    big = torch.zeros(x.shape[0], BIN, C)
    big[:, k - 4: k] = x
    return {"loss": (big * torch.arange(BIN)[:, None]).sum()}


def near_miss_bound_a_local_stored_twice(outputs, targets):
    x = outputs["x"]
    k = x.shape[1]
    if len(targets) > 2:
        k = k + len(targets) - 2
    big = torch.zeros(x.shape[0], BIN, C)
    big[:, k - 4: k] = x
    return {"loss": (big * torch.arange(BIN)[:, None]).sum()}


SPLITS = [part_write, part_write_masked_by_own_length, part_write_masked_through_data, two_part_writes,
          part_write_bound_of_later_sizes]
DECLINES = [near_miss_value_of_several_images, near_miss_bound_the_count_of_images, near_miss_bound_read_on_the_host,
            near_miss_mask_of_the_batch_longest, near_miss_second_write_of_other_rows,
            near_miss_bound_the_size_of_the_images_dim, near_miss_bound_a_parameter, near_miss_bound_a_local_stored_twice]


@pytest.mark.parametrize("body", SPLITS, ids=lambda b: b.__name__)
@pytest.mark.parametrize("batch", BATCHES, ids=lambda b: f"batch{b[0]}")
def test_a_part_write_of_each_images_rows_splits_as_the_oracle(body: Callable, batch: tuple) -> None:
    got, want, said = split_outcome(body, *_batch(*batch))
    assert want and got.keys() == want.keys(), said
    assert not wrong_companions(got, want)


@pytest.mark.parametrize("body", DECLINES, ids=lambda b: b.__name__)
@pytest.mark.parametrize("batch", BATCHES, ids=lambda b: f"batch{b[0]}")
def test_writes_that_mix_images_decline(body: Callable, batch: tuple) -> None:
    got, want, said = split_outcome(body, *_batch(*batch))
    assert not wrong_companions(got, want)
    if len(set(t["loss_weight"] for t in _batch(*batch)[0][1])) > 1:
        assert not got and said, (got, want)


def torch_struct_chart(outputs, targets):
    """torch-struct 0.5's ``LinearChain.logpartition`` set-up: the builtin ``max`` over the lengths
    asserted, a bound computed from a shape (``N - 1``), the mask of each image's own length."""
    x = outputs["x"]
    lengths = _lengths(targets)
    n, big_n = x.shape[0], x.shape[1] + 1
    assert max(lengths) <= big_n + 1
    big = torch.zeros(n, BIN, C)
    big[:, : big_n - 1] = x
    mask = torch.arange(BIN).view(1, BIN).expand(n, BIN) >= (lengths - 1).view(n, 1)
    big.data.masked_fill_(mask[..., None], -1e5)
    return {"loss": torch.logsumexp(big.view(n, BIN * C), -1).sum()}


@pytest.mark.parametrize("batch", BATCHES, ids=lambda b: f"batch{b[0]}")
def test_torch_struct_chart_splits_as_the_oracle(batch: tuple) -> None:
    got, want, said = split_outcome(torch_struct_chart, *_batch(*batch))
    assert not wrong_companions(got, want)
    assert want and got.keys() == want.keys(), said
