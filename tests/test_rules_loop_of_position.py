"""Which loop a position belongs to (``_bytecode._loops_read``): the position readers
(``positional_cut``, ``positional_index_part``) took the position of any loop whose iterable they read
as the images' for the images' loop. RTMDet's dynamic soft label assigner reads one image's cost at
each of that image's boxes (``for j, kj in enumerate(k.tolist())``, ``cost[:, j]``, the top-k counts
from a ``topk`` parameter): declined (survey 52). A loop whose iterable reads, now, nothing but one
image's values runs over that image's items: the same positions on a group alone. A loop over a
tensor holding several images' rows (``enumerate(outputs["x"])``) runs over the images: read at its
position, one image's values decline (silently WRONG before), as do slice bounds computed from the
images' loop position (``x[i][:, i % 3:i % 3 + 1]``, WRONG before); the size of a loop item drawn
from the call's arguments or a list filled with no position's values (EEND's ``y[:len(b)]``) is no
position, one of a list filled at sizes the position computes still is (WRONG before, as slice bounds
were not read). A global table zipped with a tensor of the images' rows (``zip(outputs["x"], W)``), its
item read for its size as a slice bound, in a ``for`` loop or a comprehension, also an attribute's
table (``zip(x, self.table)``): WRONG as on main (a
strict xfail until pin42), declines since (``_loops_read`` reads a module's table and a comprehension's
iterable in the code making it; ``_item_paths`` takes a zip over a loop proven over the images).

Every body runs on ``COUNT_BATCHES`` (2 to 5 images, a different count of labels per image, one batch
of one group) against the oracle."""

from __future__ import annotations

import pytest
import torch
from _helpers import (
    COUNT_BATCHES,
    ROWS,
    TARGETS,
    count_batch,
    outcome_class,
    split_outcome,
)
from test_rules_select_narrow import (  # s53's two pins
    enumerated_batch_tensor,
    slice_bounds_at_the_loop_position,
)


def _outcomes(body) -> tuple[list[str], list[str]]:
    seen, said = [], []
    for seed, weights in COUNT_BATCHES:
        got, want, warned = split_outcome(body, list(count_batch(seed, weights)), [ROWS, TARGETS])
        seen.append(outcome_class(got, want))
        said += warned
    return seen, said


def _splits(body) -> None:
    seen, said = _outcomes(body)
    assert seen == ["exact"] * len(COUNT_BATCHES) and not said, (seen, said)


def _declines(body) -> None:
    """Declined on every batch of two groups, naming the key or the call and the subscript."""
    seen, said = _outcomes(body)
    assert "wrong" not in seen, seen
    assert all(s == "declined" for s, (seed, _) in zip(seen, COUNT_BATCHES, strict=True) if seed != 5), seen
    assert said and all("Tensor.__getitem__" in m for m in said) and any("no companions" in m for m in said), said


def _cost(outputs, i, t):
    """Image ``i``'s cost of its rows against each of its labels: [rows, labels]."""
    return (outputs["x"][i][:, :1] - t["labels"][None].float() / 4).abs()


# -- loops over one image's items: split ------------------------------------------------------------

def boxes_of_topk_counts(outputs, targets, topk=2):
    """RTMDet's shape: each box's dynamic count from its top costs (``int``, read on the host, a
    ``topk`` parameter bounding it), its cheapest rows at that box's position."""
    total = 0
    for i, t in enumerate(targets):
        cost = _cost(outputs, i, t)
        k = cost.topk(min(topk, len(cost)), dim=0).values.sum(0).int().clamp(min=1, max=2)
        for j, kj in enumerate(k.tolist()):
            total = total + cost[:, j].topk(kj, largest=False).values.sum()
    return {"loss": total / len(targets)}


def boxes_by_range_of_their_count(outputs, targets, topk=2):
    """Each box's column and a slice at its position, over ``range`` of the image's own box count (a
    ``topk`` parameter in the body, as RTMDet's)."""
    total = 0
    for i, t in enumerate(targets):
        cost = _cost(outputs, i, t)
        k = min(topk, len(cost))
        for j in range(len(t["labels"])):
            total = total + cost[:, j].topk(k).values.sum() + cost[:, j:j + 1].mean()
    return {"loss": total / len(targets)}


def rows_of_one_image(outputs, targets):
    terms = []
    for i in range(len(targets)):
        xi = outputs["x"][i]
        parts = []
        for j, row in enumerate(xi):
            parts.append(xi[j, j % 4] + row[j:j + 2].mean())
        terms.append(torch.stack(parts).sum())
    return {"loss": torch.stack(terms).mean()}


def levels_around_the_images(outputs, targets):
    """The outer loop over constant levels, the inner one over the images: a level's column."""
    total = 0
    for lvl in range(2):
        for i, _t in enumerate(targets):
            total = total + outputs["x"][i][:, lvl].mean() + outputs["x"][i][:, lvl:lvl + 2].mean()
    return {"loss": total / len(targets)}


def own_size_bound(outputs, targets):
    """A slice bound of an image's own label count, and of a loop item's size (EEND's ``y[:len(b)]``
    over ``zip`` with a list filled per image)."""
    firsts = []
    for t in targets:
        firsts.append(t["labels"][:1].float())
    total = sum(y[:, :len(t["labels"]) % 3 + 1].mean() for y, t in zip(outputs["x"], targets))
    total = total + sum(y[:len(b)].mean() for y, b in zip(outputs["x"], firsts))
    return {"loss": total / len(targets)}


def enumerated_batch_at_literal_places(outputs, targets):
    total = 0
    for _i, xi in enumerate(outputs["x"]):
        total = total + xi[:, 1].mean() + xi[:, 1:3].mean()
    return {"loss": total / len(targets)}


@pytest.mark.parametrize("body", [boxes_of_topk_counts, boxes_by_range_of_their_count, rows_of_one_image,
                                  levels_around_the_images, own_size_bound, enumerated_batch_at_literal_places],
                         ids=lambda b: b.__name__)
def test_positions_of_other_loops_split(body):
    _splits(body)


# -- the images' loop position: decline -------------------------------------------------------------

def image_column_beside_the_boxes(outputs, targets, topk=2):
    """The boxes' loop as RTMDet's, and one image's values read at the images' loop position."""
    total = 0
    for i, t in enumerate(targets):
        cost = _cost(outputs, i, t)
        k = cost.topk(min(topk, len(cost)), dim=0).values.sum(0).int().clamp(min=1, max=2)
        for j, kj in enumerate(k.tolist()):
            total = total + cost[:, j].topk(kj, largest=False).values.sum() + outputs["x"][i][:, i % 4].mean()
    return {"loss": total / len(targets)}


def images_inside_the_levels(outputs, targets):
    total = 0
    for lvl in range(2):
        for i, _t in enumerate(targets):
            total = total + outputs["x"][i][:, (i + lvl) % 4].mean()
    return {"loss": total / len(targets)}


def images_inside_an_image(outputs, targets):
    """An inner loop over the images again: its position is an image's."""
    total = 0
    for i, _t in enumerate(targets):
        xi = outputs["x"][i]
        for j in range(len(targets)):
            total = total + xi[:, j % 4].mean()
    return {"loss": total / len(targets)}


def slice_bounds_of_the_enumerated_batch(outputs, targets):
    total = 0
    for i, (xi, _t) in enumerate(zip(outputs["x"], targets)):
        total = total + xi[:, :i % 3 + 1].mean()
    return {"loss": total / len(targets)}


def position_sized_items(outputs, targets):
    """A list filled per image with tensors of a size its loop position computes, each image's values
    cut by its item's size: on a group alone the items have other sizes (a loop item's size is read
    only from lists filled with no position's values)."""
    ms = []
    for i in range(len(targets)):
        ms.append(torch.zeros(i % 3 + 1))
    total = 0
    for y, m in zip(outputs["x"], ms):
        total = total + y[:, :len(m)].mean()
    return {"loss": total / len(targets)}


_RAGGED = [torch.ones(1), torch.ones(3), torch.ones(2), torch.ones(1), torch.ones(2)]


def ragged_table_items(outputs, targets):
    """A global table's item at the image's position, its size a bound: another item on a group alone."""
    return {"loss": sum(y[:, :len(w)].mean() for y, w in zip(outputs["x"], _RAGGED)) / len(targets)}


def ragged_table_items_in_a_loop(outputs, targets):
    total = 0
    for y, w in zip(outputs["x"], _RAGGED):
        total = total + y[:, :len(w)].mean()
    return {"loss": total / len(targets)}


def ragged_table_items_in_a_list(outputs, targets):
    table = _RAGGED
    return {"loss": sum([y[:, :len(w)].mean() for y, w in zip(outputs["x"], table)]) / len(targets)}


class _RaggedCriterion:
    table = _RAGGED

    def loss(self, outputs, targets):
        """The table an attribute of the criterion (read statically: no property runs)."""
        return {"loss": sum(y[:, :len(w)].mean() for y, w in zip(outputs["x"], self.table)) / len(targets)}


ragged_table_items_of_an_attribute = _RaggedCriterion().loss


# near misses: the image's own items zipped with its rows, one fixed item of the table for every image
def own_items_zipped(outputs, targets):
    return {"loss": sum(y[:, :len(w)].mean() for y, w in zip(outputs["x"], [t["labels"] for t in targets]))
            / len(targets)}


def one_table_item_for_every_image(outputs, targets):
    return {"loss": sum(y[:, :len(_RAGGED[1])].mean() for y in outputs["x"]) / len(targets)}


def table_zipped_unread(outputs, targets):
    return {"loss": sum(y[:, :2].mean() for y, _w in zip(outputs["x"], _RAGGED)) / len(targets)}


@pytest.mark.parametrize("body", [own_items_zipped, one_table_item_for_every_image, table_zipped_unread],
                         ids=lambda b: b.__name__)
def test_items_of_no_position_zipped_with_the_rows_split(body):
    _splits(body)


@pytest.mark.parametrize("body", [image_column_beside_the_boxes, images_inside_the_levels, images_inside_an_image,
                                  enumerated_batch_tensor, slice_bounds_at_the_loop_position,
                                  slice_bounds_of_the_enumerated_batch, position_sized_items, ragged_table_items,
                                  ragged_table_items_in_a_loop, ragged_table_items_in_a_list,
                                  ragged_table_items_of_an_attribute],
                         ids=lambda b: b.__name__)
def test_the_images_loop_position_declines(body):
    _declines(body)


def test_the_row_tensors_iterated_are_read_now():
    """A name the loop stores again is not read from what it holds now: ``k`` rebound in the loop."""
    def body(outputs, targets):
        total = 0
        for i, t in enumerate(targets):
            cost = _cost(outputs, i, t)
            k = torch.ones(len(t["labels"]), dtype=torch.long)
            for j, kj in enumerate(k.tolist()):
                total = total + cost[:, j].topk(kj).values.sum()
                k = k + 0
        return {"loss": total / len(targets)}

    seen, _ = _outcomes(body)
    assert "wrong" not in seen, seen

