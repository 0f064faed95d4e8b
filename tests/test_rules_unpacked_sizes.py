"""A divisor that is Python arithmetic of sizes unpacked from an argument's tensor as passed
(``b, _, h, w = a.size()``, then ``/ ((h - 1) * w)``, Zero-DCE's total variation in survey 10) at
dims that held no image rows: on a group alone the argument keeps those dims, so the divisor is a
constant of the call, whatever count of the batch it equals (``r * w`` = 12 is 4 and 3 times the
images of the first ``RULE_BATCHES``). The same arithmetic of sizes of a tensor the body made
(padded to the batch's longest, or with the images along the unpacked dim) declines. Each body is
compared with the oracle on the ``RULE_BATCHES``."""

from __future__ import annotations

import pytest
import torch
from _helpers import RULE_BATCHES, rule_batch, rule_outcome, wrong_companions


def _error(outputs: dict, targets: list[dict]) -> torch.Tensor:
    return (outputs["x"] - torch.stack([t["y"] for t in targets])) ** 2


def unpacked_from_a_field_alias(outputs: dict, targets: list[dict]) -> dict:
    x = outputs["x"]
    b, r, w = x.size()
    return {"loss_tv": _error(outputs, targets).sum() / (r * w) / b}


def unpacked_from_the_field_shape(outputs: dict, targets: list[dict]) -> dict:
    _, r, w = outputs["x"].shape
    return {"loss_tv": 2 * (_error(outputs, targets).sum() / (r * (w - 1)))}


def unpacked_from_a_tensor_padded_to_the_batch(outputs: dict, targets: list[dict]) -> dict:
    padded = torch.nn.utils.rnn.pad_sequence([t["y"][: 1 + i % 3] for i, t in enumerate(targets)], batch_first=True)
    _, longest, w = padded.shape
    return {"loss_tv": _error(outputs, targets).sum() / (longest * w)}


def unpacked_from_a_slice_by_the_image_count(outputs: dict, targets: list[dict]) -> dict:
    x = outputs["x"][:, : len(targets) - 1]  # a tensor the body made: its dim 1 follows the images
    _, r, w = x.shape
    return {"loss_tv": _error(outputs, targets).sum() / (r * w)}


def unpacked_from_copies_by_the_image_count(outputs: dict, targets: list[dict]) -> dict:
    x = outputs["x"]
    grown = torch.cat([x] + [x[:, :1]] * (len(targets) - 1), 1)  # its dim 1 grows with the images
    _, r, w = grown.shape
    return {"loss_tv": _error(outputs, targets).sum() / (r * w)}


def unpacked_from_a_repeat_by_the_image_count(outputs: dict, targets: list[dict]) -> dict:
    _, r, w = outputs["x"].repeat(1, len(targets), 1).shape
    return {"loss_tv": _error(outputs, targets).sum() / (r * w)}


def unpacked_along_the_images(outputs: dict, targets: list[dict]) -> dict:
    y = torch.stack([t["y"] for t in targets], 1)  # [ROWS, B, WIDTH]: the images along dim 1
    _, n, w = y.shape
    return {"loss_tv": _error(outputs, targets).sum() / (n * w)}


@pytest.mark.parametrize("body", [unpacked_from_a_field_alias, unpacked_from_the_field_shape])
def test_arithmetic_of_an_arguments_unpacked_sizes_splits(body):
    """Was declined ('a division by a number computed in the body by Python arithmetic ... that
    equals a count of this batch by value only'): the sizes are of dims without images of an
    argument as passed."""
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert set(got) == set(want) and got == pytest.approx(want, rel=1e-5), (seed, said)


@pytest.mark.parametrize("body", [unpacked_from_a_tensor_padded_to_the_batch, unpacked_from_a_slice_by_the_image_count,
                                  unpacked_along_the_images])
def test_arithmetic_of_sizes_that_follow_the_images_declines(body):
    """Near misses: the longest image's length of a tensor the body padded (on a group alone, the
    group's longest), a size of a tensor the body sliced by ``len(targets)``, a size of the dim that
    holds the images: on batch 0 (4 images) both divisors
    are multiples of the count and no companion may be given."""
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, said)
        if seed == 0:
            assert not got and said, (seed, got)


def test_sizes_of_a_tensor_the_body_repeated_by_the_image_count_are_not_the_rules():
    """Near miss: ``x.repeat(1, len(targets), 1).shape`` unpacked: a tensor the body made, no
    argument as passed (without that condition the companions were silently wrong); other rules
    give it exactly or decline."""
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(unpacked_from_a_repeat_by_the_image_count, rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, said)


def test_sizes_of_a_tensor_the_body_joined_by_the_image_count_decline():
    """WRONG until lp3 (session 35; found by g25, also on main at 7a20bd5): the batch's size of a
    tensor the body joined from ``len(targets) - 1`` copies of a column was kept on every group;
    sizes unpacked from a tensor made by a statement reading ``len`` of a parameter decline
    (``_bytecode.counted_size_divisor``)."""
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(unpacked_from_copies_by_the_image_count, rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, said)
        assert not got and any("'loss_tv'" in m and "sizes unpacked from a tensor the body made with a count" in m
                               for m in said), (seed, got, said)


def unpacked_from_copies_of_a_fixed_count(outputs: dict, targets: list[dict]) -> dict:
    x = outputs["x"]
    grown = torch.cat([x] + [x[:, :1]] * 2, 1)  # two copies, whatever the images
    _, r, w = grown.shape
    return {"loss_tv": _error(outputs, targets).sum() / (r * w)}


def unpacked_from_a_tensor_made_beside_a_count(outputs: dict, targets: list[dict]) -> dict:
    e = _error(outputs, targets)
    _, r, w = e.shape
    return {"loss_tv": e.sum() / (r * w) / len(targets)}


def unpacked_from_a_made_error(outputs: dict, targets: list[dict]) -> dict:
    e = _error(outputs, targets)
    _, r, w = e.shape
    return {"loss_tv": e.sum() / (r * w)}


def unpacked_from_a_trailing_slice_of_the_field(outputs: dict, targets: list[dict]) -> dict:
    r, w = outputs["x"].shape[-2:]
    return {"loss_tv": _error(outputs, targets).sum() / (r * w)}


def unpacked_from_a_view_given_literals(outputs: dict, targets: list[dict]) -> dict:
    _, r, w = outputs["x"].view(-1, 2, 6).shape
    return {"loss_tv": _error(outputs, targets).sum() / (r * w)}


@pytest.mark.parametrize("body", [unpacked_from_copies_of_a_fixed_count, unpacked_from_a_tensor_made_beside_a_count,
                                  unpacked_from_a_made_error])
def test_sizes_of_a_tensor_the_body_made_without_the_image_count_are_never_wrong(body):
    """The same join of a fixed number of copies (WRONG until pin36, session 36: 2 x the oracle on
    batches of 2 and 4 images), the sizes of the body's own error: no count in the statement that
    made the tensor, but its sizes at dims without images, equal to a multiple of the count, are no
    proof that a group alone has them (``_bytecode.made_size_divisor``): declined there, never read
    as that multiple; exact where they equal no count (3 images: 12 = 4 x 3 aside)."""
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, said)
        assert not any("sizes unpacked from a tensor the body made with a count" in m for m in said), (seed, said)
        if body is not unpacked_from_a_tensor_made_beside_a_count and seed == 0:
            assert not got and any("'loss_tv'" in m and "sizes unpacked from a tensor the body made, of dims without "
                                   "images" in m for m in said), (seed, got, said)


@pytest.mark.parametrize("body", [unpacked_from_a_trailing_slice_of_the_field, unpacked_from_a_view_given_literals])
def test_sizes_of_a_slice_of_an_arguments_shape_or_given_as_literals_split(body):
    """Near misses (pin36): ``r, w = x.shape[-2:]`` of an argument as passed, and the sizes
    ``.view`` was given as literals, are the same on a group alone (12, read as 3 x the 4 images
    before)."""
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert set(got) == set(want) and got == pytest.approx(want, rel=1e-5) and not said, (seed, said)
