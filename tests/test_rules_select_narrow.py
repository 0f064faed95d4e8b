"""``select`` / ``narrow`` (survey 53's CRD: ``out.select(1, 0)``, ``out.narrow(1, 1, m)``) had no rule:
the loss they reached was declined. With plain ints along a dim that carries no images they are the
subscripts ``x[:, k]`` / ``x[:, start:start + length]`` and follow the indexing rule; along the
images' dim, or at a number computed from the count of images or a loop's position over them, they
decline.

Found beside (WRONG on main, fixed here): one image's values picked in a loop over the images
(``x_i = x[i]``, ``zip(x, targets)`` enumerated) and read at a place computed from the loop's position
in a second subscript (``x_i[:, i % 2]``) were read at the batch's place on every group (survey 52's
fix covered ``x[i, :, i % 2]`` in one subscript), and writes through such a view (``z[i][:, i % 3] = v``);
they now decline. Iterating the batch tensor alone (``enumerate(x)``, no targets in the loop) and slice
bounds at the loop position were pinned WRONG; loop41: both decline (``_bytecode._loops_read`` reads a
loop over a tensor of several images' rows as the images' loop; a loop item's size is no position;
``tests/test_rules_loop_of_position.py``)."""

from __future__ import annotations

import pytest
import torch
from _helpers import (
    RULE_BATCHES,
    check_exact,
    check_rule,
    rule_batch,
    rule_outcome,
)


def views_along_other_dims(outputs, targets):
    x = outputs["x"]
    return {"a": x.select(1, 0).mean(), "b": torch.select(x, -1, -1).pow(2).mean(),
            "c": x.narrow(2, 1, 2).mean(), "d": torch.narrow(x, 1, -2, 2).abs().mean(),
            "e": torch.stack([xi.select(0, 1).mean() for xi in x]).mean()}


def test_select_and_narrow_along_other_dims_split():
    check_exact(views_along_other_dims, [*RULE_BATCHES, (3, [0.5])])


@pytest.mark.parametrize("view", [lambda x, t: x.select(0, 0), lambda x, t: x.narrow(0, 0, 1),
                                  lambda x, t: x.select(2, len(t) - 1), lambda x, t: x.narrow(2, 0, len(t) - 1)],
                         ids=["select_images", "narrow_images", "select_counted", "narrow_counted"])
def test_select_and_narrow_along_the_images_or_at_counted_numbers_decline(view):
    def body(outputs, targets):
        return {"loss": view(outputs["x"], targets).mean()}

    check_rule(body, "", declines=True)


def _declines(body) -> None:
    for seed, weights in RULE_BATCHES[:2]:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert got == {} and want and said, (seed, got, want)


def picked_then_positioned(outputs, targets):
    total = 0
    for i in range(len(targets)):
        xi = outputs["x"][i]
        total = total + xi[:, i % 2].mean() + outputs["x"][i][:, i % 3].mean()
    return {"loss": total / len(targets)}


def zipped_then_positioned(outputs, targets):
    total = 0
    for i, (xi, _) in enumerate(zip(outputs["x"], targets)):
        total = total + xi[:, i % 2].mean()
    return {"loss": total / len(targets)}


def selected_at_the_loop_position(outputs, targets):
    return {"loss": sum(outputs["x"][i].select(1, i % 2).mean() for i in range(len(targets))) / len(targets)}


@pytest.mark.parametrize("body", [picked_then_positioned, zipped_then_positioned, selected_at_the_loop_position],
                         ids=lambda b: b.__name__)
def test_an_image_read_at_its_loop_position_declines(body):
    _declines(body)


def test_an_image_read_at_an_inner_loop_or_its_own_data_splits():
    def body(outputs, targets):
        terms = []
        for i, t in enumerate(targets):
            xi = outputs["x"][i]
            parts = [xi[:, k].mean() for k in range(2)] + [xi[:, int(t["labels"][0])].mean(), xi[:, 1:3].mean()]
            terms.append(torch.stack(parts).sum())
        return {"loss": torch.stack(terms).mean()}

    check_exact(body, RULE_BATCHES)


def written_through_a_row_view(outputs, targets):
    """Each image's target written through a view of its row at a column its loop position picks."""
    z = torch.zeros(outputs["x"].shape)
    for i, t in enumerate(targets):
        z[i][:, i % 3] = t["y"][:, 0]
    return {"loss": (outputs["x"] - z).abs().mean()}


def written_through_a_local_view(outputs, targets):
    z = torch.zeros_like(outputs["x"])
    for i in range(len(targets)):
        zi = z[i]
        zi[:, i % 2] = 1.0
    return {"loss": (outputs["x"] * z).mean()}


@pytest.mark.parametrize("body", [written_through_a_row_view, written_through_a_local_view], ids=lambda b: b.__name__)
def test_a_write_through_a_row_view_at_the_loop_position_declines(body):
    """WRONG on main: the batch's places on every group."""
    _declines(body)


def test_a_write_through_a_row_view_at_an_inner_loop_or_own_data_splits():
    def body(outputs, targets):
        z = torch.zeros(outputs["x"].shape)
        for i, t in enumerate(targets):
            for k in range(2):
                z[i][:, k] = t["y"][:, k]
            z[i][:, int(t["labels"][0])] = 0.5
        return {"loss": (outputs["x"] - z).abs().mean()}

    check_exact(body, RULE_BATCHES)


def enumerated_batch_tensor(outputs, targets):
    total = 0
    for i, xi in enumerate(outputs["x"]):
        total = total + xi[:, i % 2].mean()
    return {"loss": total / len(targets)}


def slice_bounds_at_the_loop_position(outputs, targets):
    total = 0
    for i in range(len(targets)):
        total = total + outputs["x"][i][:, i % 3:i % 3 + 1].mean()
    return {"loss": total / len(targets)}


@pytest.mark.parametrize("body", [enumerated_batch_tensor, slice_bounds_at_the_loop_position], ids=lambda b: b.__name__)
def test_loop_position_reads_once_wrong_decline(body):
    """WRONG until loop41 (strict xfails of s53): ``enumerate`` of the batch tensor alone was no loop over
    the images to the position readers, and slice bounds of one image's values were not read."""
    _declines(body)
