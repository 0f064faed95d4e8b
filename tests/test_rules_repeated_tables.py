"""A table of Python numbers that carries no images (class weights) copied along the rows,
``w.unsqueeze(0).repeat(batch_size, 1)``: the table broadcast from size 1 there, which meets no
row's position. balanced-loss' class-balanced losses (survey 36) make their 4 class weights with
``torch.tensor`` of a NumPy array and repeat them over the batch: on a batch of 4 images the table
was taken for numbers one per image and declined. Tables whose values differ along the rows (one
per image, or a copy written at one row: ``w[0] = 0.0``, ``w[:1] = 0.0`` on 3 images of 4 classes
were silent WRONGs on main at 2110c6b, the table taken for a constant, and ``w[0].zero_()`` through a
view at 4ab73ea) keep declining; a write alike at every row (a column) keeps splitting. A table of no images made in
the call and cut to the images' count (``weights()[:len(targets)]``, ``w.repeat(n)[:n]``) holds
one number per image by position (a silent WRONG on main too: only tables of the code's own were
read so); cut to the classes it splits."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from _helpers import ROWS, TARGETS, split_outcome, wrong_companions

COUNTS = [30, 6, 120, 2]  # samples per class: 4 classes


def _batch(seed: int, weights: list[float], classes: int = 4) -> tuple[list, list]:
    g = torch.Generator().manual_seed(seed)
    outputs = {"x": torch.randn(len(weights), classes, generator=g).requires_grad_()}
    targets = [{"label": torch.randint(0, classes, (), generator=g), "loss_weight": w} for w in weights]
    return [outputs, targets], [ROWS, TARGETS]


# 4 images of 4 classes (the table as long as the images), 3 and 2 images, and 4 images whose
# groups' counts coincide by value (2 and 2)
BATCHES = [(0, [1.0, 0.5, 1.0, 0.5]), (1, [0.5, 1.0, 1.0]), (2, [1.0, 0.5]), (3, [0.5, 0.5, 1.0, 1.0])]


def _class_weights(classes: int = 4) -> torch.Tensor:
    effective = 1.0 - np.power(0.999, COUNTS[:classes])
    w = (1.0 - 0.999) / effective
    return torch.tensor(w / w.sum() * classes).float()


def _onehot(x, targets):
    return F.one_hot(torch.stack([t["label"] for t in targets]), x.shape[1]).float()


def _repeat_unsqueezed(outputs, targets):
    """balanced-loss' form: ``w.unsqueeze(0).repeat(B, 1) * onehot``, summed over the classes and
    repeated back: each example's class weight over its row; BCE with it as ``weight=``."""
    x = outputs["x"]
    onehot = _onehot(x, targets)
    w = _class_weights().unsqueeze(0).repeat(x.size(0), 1) * onehot
    w = w.sum(1).unsqueeze(1).repeat(1, x.shape[1])
    return {"loss": F.binary_cross_entropy_with_logits(x, onehot, weight=w)}


def _expanded(outputs, targets):
    """The table ``expand``-ed over the rows, a sum of weighted BCE over the batch's one-hot sum."""
    x = outputs["x"]
    onehot = _onehot(x, targets)
    bce = F.binary_cross_entropy_with_logits(x, onehot, reduction="none")
    return {"loss": (_class_weights()[None].expand(x.shape[0], -1) * bce).sum() / onehot.sum()}


def _repeated_1d(outputs, targets):
    """``w.repeat(B, 1)`` of the 1-D table (a 2-D copy) times the per-element loss, mean."""
    x = outputs["x"]
    bce = F.binary_cross_entropy_with_logits(x, _onehot(x, targets), reduction="none")
    return {"loss": (_class_weights().repeat(len(targets), 1) * bce).mean()}


def _column_written(outputs, targets):
    """The repeated table's first column doubled in place through a view: every row alike."""
    x = outputs["x"]
    bce = F.binary_cross_entropy_with_logits(x, _onehot(x, targets), reduction="none")
    w = _class_weights().unsqueeze(0).repeat(x.size(0), 1)
    w[:, 0].mul_(2.0)
    w[:, 1] = 0.5
    return {"loss": (w * bce).sum()}


@pytest.mark.parametrize("body", [_repeat_unsqueezed, _expanded, _repeated_1d, _column_written])
def test_a_class_table_repeated_over_the_rows_splits_as_the_oracle(body):
    for seed, weights in BATCHES:
        args, kinds = _batch(seed, weights)
        got, want, said = split_outcome(body, args, kinds)
        assert not wrong_companions(got, want), (seed, got, want)
        assert set(got) == set(want), (seed, said)


def test_a_table_of_three_classes_repeated_over_three_images_splits():
    """The table as long as the images of a batch of 3 (3 classes)."""
    def body(outputs, targets):
        x = outputs["x"]
        onehot = _onehot(x, targets)
        w = _class_weights(3).unsqueeze(0).repeat(x.size(0), 1)
        return {"loss": F.binary_cross_entropy_with_logits(x, onehot, weight=w)}

    for seed, weights in [(4, [1.0, 0.5, 1.0]), (5, [0.5, 1.0])]:
        args, kinds = _batch(seed, weights, classes=3)
        got, want, said = split_outcome(body, args, kinds)
        assert not wrong_companions(got, want) and set(got) == set(want), (seed, got, want, said)


def _per_image_table(n):
    return torch.tensor(np.geomspace(1.0, 0.25, n)).float()


def _rows_table_repeated(outputs, targets):
    """Near miss: a table of one number per image (by position) repeated over the classes,
    ``[:, None].repeat(1, C)``: its values follow the rows."""
    x = outputs["x"]
    bce = F.binary_cross_entropy_with_logits(x, _onehot(x, targets), reduction="none")
    return {"loss": (_per_image_table(len(targets))[:, None].repeat(1, x.shape[1]) * bce).sum()}


def _rows_table_expanded(outputs, targets):
    """Near miss: position weights of a loop over the images expanded over the classes."""
    x = outputs["x"]
    bce = F.binary_cross_entropy_with_logits(x, _onehot(x, targets), reduction="none")
    table = torch.tensor([0.5 ** i for i in range(len(targets))])
    return {"loss": (table[:, None].expand(-1, x.shape[1]) * bce).sum()}


def _class_table_one_row_written(outputs, targets):
    """Near miss: the class table repeated over the rows, then the first row zeroed: the copy
    differs along the rows (on a group alone its first image is another)."""
    x = outputs["x"]
    bce = F.binary_cross_entropy_with_logits(x, _onehot(x, targets), reduction="none")
    w = _class_weights().unsqueeze(0).repeat(x.size(0), 1)
    w[0] = 0.0
    return {"loss": (w * bce).sum()}


@pytest.mark.parametrize("body", [_rows_table_repeated, _rows_table_expanded, _class_table_one_row_written])
def test_a_table_that_differs_along_the_rows_declines(body):
    for seed, weights in BATCHES[:2] + BATCHES[3:]:
        args, kinds = _batch(seed, weights)
        got, want, said = split_outcome(body, args, kinds)
        assert got == {}, (seed, got, want)
        assert any("'loss'" in m or "no companions for this call" in m for m in said), said


def _class_table_row_zeroed(outputs, targets):
    """Near miss: the first row zeroed in place, ``w[0].zero_()``."""
    x = outputs["x"]
    bce = F.binary_cross_entropy_with_logits(x, _onehot(x, targets), reduction="none")
    w = _class_weights().unsqueeze(0).repeat(x.size(0), 1)
    w[0].zero_()
    return {"loss": (w * bce).sum()}


def _class_table_element_written(outputs, targets):
    """Near miss: one element of the first row written, ``w[0, 1] = 0.0``."""
    x = outputs["x"]
    bce = F.binary_cross_entropy_with_logits(x, _onehot(x, targets), reduction="none")
    w = _class_weights().unsqueeze(0).repeat(x.size(0), 1)
    w[0, 1] = 0.0
    return {"loss": (w * bce).sum()}


def _class_table_rows_sliced(outputs, targets):
    """Near miss: the first row written through a slice, ``w[:1] = 0.0``."""
    x = outputs["x"]
    bce = F.binary_cross_entropy_with_logits(x, _onehot(x, targets), reduction="none")
    w = _class_weights().unsqueeze(0).repeat(x.size(0), 1)
    w[:1] = 0.0
    return {"loss": (w * bce).sum()}


def _class_table_row_filled(outputs, targets):
    """Near miss: the last row filled in place through a view, ``w[-1].fill_(0.5)``."""
    x = outputs["x"]
    bce = F.binary_cross_entropy_with_logits(x, _onehot(x, targets), reduction="none")
    w = _class_weights().unsqueeze(0).repeat(x.size(0), 1)
    w[-1].fill_(0.5)
    return {"loss": (w * bce).sum()}


def _class_table_rows_scaled(outputs, targets):
    """Near miss: the rows after the first scaled in place through a view, ``w[1:].mul_(2.0)``."""
    x = outputs["x"]
    bce = F.binary_cross_entropy_with_logits(x, _onehot(x, targets), reduction="none")
    w = _class_weights().unsqueeze(0).repeat(x.size(0), 1)
    w[1:].mul_(2.0)
    return {"loss": (w * bce).sum()}


def _class_table_row_set_to_a_weight_value(outputs, targets):
    """Near miss: the last row set to 0.5, here the very float object of the synthetic images' weight."""
    x = outputs["x"]
    bce = F.binary_cross_entropy_with_logits(x, _onehot(x, targets), reduction="none")
    w = _class_weights().unsqueeze(0).repeat(x.size(0), 1)
    w[-1] = 0.5
    return {"loss": (w * bce).sum()}


def _class_table_rows_weighted_in_a_loop(outputs, targets):
    """Near miss: each row scaled in place by its image's weight through a view, in a loop (silently
    wrong on main at 4ab73ea: the companions kept the weights)."""
    x = outputs["x"]
    bce = F.binary_cross_entropy_with_logits(x, _onehot(x, targets), reduction="none")
    w = _class_weights().unsqueeze(0).repeat(x.size(0), 1)
    for b, t in enumerate(targets):
        w[b].mul_(t["loss_weight"])
    return {"loss": (w * bce).sum()}


# (``w[0].zero_()`` was silently WRONG on main at 4ab73ea: a write through a view of some rows of a
# table of no images was not seen; it is now read as ``w[0] = 0.0`` is, ``_written_through_a_view``)
@pytest.mark.parametrize("body", [_class_table_row_zeroed, _class_table_row_filled, _class_table_rows_scaled,
                                  _class_table_row_set_to_a_weight_value, _class_table_rows_weighted_in_a_loop,
                                  _class_table_element_written, _class_table_rows_sliced])
def test_other_writes_at_one_row_of_a_repeated_table_decline(body):
    for seed, weights in BATCHES:
        args, kinds = _batch(seed, weights)
        got, want, said = split_outcome(body, args, kinds)
        assert got == {}, (seed, got, want)


def _vector_prefix_scaled(outputs, targets):
    """Near miss: a vector of 3 class weights (as many as the images of a batch of 3) scaled in
    place at its first item through a view, ``w[:1].mul_(0.5)``, then one weight per image by
    position."""
    x = outputs["x"]
    bce = F.binary_cross_entropy_with_logits(x, _onehot(x, targets), reduction="none").sum(1)
    w = _class_weights(3).repeat(len(targets))[:len(targets)]
    w[:1].mul_(0.5)
    return {"loss": (w * bce).sum()}


def test_a_vector_written_at_its_first_item_through_a_view_declines():
    args, kinds = _batch(6, [1.0, 0.5, 1.0], classes=3)
    got, want, said = split_outcome(_vector_prefix_scaled, args, kinds)
    assert got == {}, (got, want)


def _table_cut_to_the_count(outputs, targets):
    """A helper's table of 3 class weights cut to the images' count, one weight per image by
    position (on a group alone the group's first ones)."""
    x = outputs["x"]
    bce = F.binary_cross_entropy_with_logits(x, _onehot(x, targets), reduction="none").sum(1)
    return {"loss": (_class_weights(3)[:len(targets)] * bce).sum()}


def _repeated_table_cut_to_the_count(outputs, targets):
    """The same table repeated, then cut to the count: ``w.repeat(n)[:n]``."""
    x = outputs["x"]
    bce = F.binary_cross_entropy_with_logits(x, _onehot(x, targets), reduction="none").sum(1)
    n = len(targets)
    return {"loss": (_class_weights(3).repeat(n)[:n] * bce).sum()}


@pytest.mark.parametrize("body", [_table_cut_to_the_count, _repeated_table_cut_to_the_count, _vector_prefix_scaled])
def test_a_table_of_no_images_cut_to_the_count_declines(body):
    """Silent WRONGs on main at 2110c6b on 2 images of 3 classes: the cut table was a constant."""
    for seed, weights in [(7, [0.5, 1.0]), (9, [1.0, 0.5])]:
        args, kinds = _batch(seed, weights, classes=3)
        got, want, said = split_outcome(body, args, kinds)
        assert got == {}, (seed, got, want)
        assert any("cut to a count of the images" in m for m in said), said


def _table_cut_to_the_classes(outputs, targets):
    """Near miss: the 4-class table cut to the logits' 3 classes (``x.shape[1]``) and a literal 3,
    broadcast over the rows: splits on 2 and 3 images."""
    x = outputs["x"]
    bce = F.binary_cross_entropy_with_logits(x, _onehot(x, targets), reduction="none")
    return {"loss": (_class_weights()[:x.shape[1]] * bce).sum() + (_class_weights()[:3][None] * bce).mean()}


def test_a_table_cut_to_the_classes_splits():
    for seed, weights in [(7, [0.5, 1.0]), (10, [1.0, 0.5, 1.0]), (11, [0.5, 0.5, 1.0])]:
        args, kinds = _batch(seed, weights, classes=3)
        got, want, said = split_outcome(_table_cut_to_the_classes, args, kinds)
        assert not wrong_companions(got, want) and set(got) == set(want), (seed, got, want, said)


def _targets_written_per_image(outputs, targets):
    """Near miss: a target tensor written in a loop over the images at each image's own row and
    the cell its label picks (``tgt[b, label] = 1.0``, YOLOv3's ``tcls``): splits."""
    x = outputs["x"]
    tgt = torch.zeros(x.shape)
    for b, t in enumerate(targets):
        tgt[b, t["label"]] = 1.0
    return {"loss": F.binary_cross_entropy_with_logits(x, tgt)}


def test_targets_written_at_each_images_own_row_in_a_loop_split():
    for seed, weights in BATCHES:
        args, kinds = _batch(seed, weights)
        got, want, said = split_outcome(_targets_written_per_image, args, kinds)
        assert not wrong_companions(got, want) and set(got) == set(want), (seed, got, want, said)


def _count_from_positions(outputs, targets):
    """Near miss: a tensor of positions made with the count, ``arange(n) * 0 + n``: the same value
    at every row, the batch's count (on a group alone the group's)."""
    x = outputs["x"]
    n = len(targets)
    return {"loss": (x.sum(1) / (torch.arange(n) * 0 + n).float()).sum()}


def _count_from_ones_like_positions(outputs, targets):
    """Near miss: ``ones_like(arange(n)) * n`` copied over a new dim and back."""
    x = outputs["x"]
    c = torch.ones_like(torch.arange(len(targets))).float() * len(targets)
    return {"loss": (x.sum(1) * c[:, None].repeat(1, 1)[:, 0]).sum()}


@pytest.mark.parametrize("body", [_count_from_positions, _count_from_ones_like_positions])
def test_positions_made_the_same_count_at_every_row_decline(body):
    """Were WRONG with a first form of the rule asking any such tensor for equal rows (not on main)."""
    for seed, weights in BATCHES:
        args, kinds = _batch(seed, weights)
        got, want, said = split_outcome(body, args, kinds)
        assert got == {}, (seed, got, want)
