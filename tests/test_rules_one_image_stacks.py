"""``torch.stack`` of one image's reduced values made in a loop over the images (De Brabandere's
discriminative loss: per image, ``torch.stack([.. for k in ids]).mean()`` over its instances) is
that image's tensor, also where the image has one instance and the list one value: it was read as
a list of per-image values that skipped the other images, which declined the call (survey 52,
``discriminative_embedding``). A list of values of images picked by position outside such a loop
still declines."""

from __future__ import annotations

import pytest
import torch
from _helpers import ROWS, TARGETS, split_outcome

# per image, the class of each of its 4 rows: one class on images 0 and 2, two or three elsewhere
LABELS = ([0, 0, 0, 0], [0, 1, 1, 2], [3, 3, 3, 3], [1, 2, 1, 2])
BATCHES = ([1.0, 0.5, 1.0, 0.25], [0.5, 1.0, 0.5], [0.5, 1.0], [1.0, 1.0, 0.5])


def batch(weights):
    g = torch.Generator().manual_seed(len(weights))
    targets = [{"labels": torch.tensor(LABELS[(i + len(weights)) % 4]), "loss_weight": w}
               for i, w in enumerate(weights)]
    return [torch.randn(len(weights), 4, 3, generator=g).requires_grad_(), targets], [ROWS, TARGETS]


def per_class_spread(x, targets):
    total = []
    for i, t in enumerate(targets):
        classes = torch.unique(t["labels"]).tolist()
        spread = torch.stack([(x[i][t["labels"] == k] - x[i][t["labels"] == k].mean(0)).norm(dim=1).mean()
                              for k in classes]).mean()
        total.append(spread)
    return {"loss": torch.stack(total).mean()}


def per_class_spread_of_all_but_last(x, targets):
    spreads = [x[b].norm(dim=1).mean() for b in range(len(targets) - 1)]
    return {"loss": torch.stack(spreads).mean()}


@pytest.mark.parametrize("weights", BATCHES)
def test_a_stack_of_one_images_values_in_a_loop_over_the_images_splits(weights):
    args, kinds = batch(weights)
    got, want, said = split_outcome(per_class_spread, args, kinds)
    assert got and set(got) == set(want), said
    assert got == pytest.approx(want, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("weights", BATCHES[:1])
def test_values_of_images_picked_by_position_still_decline(weights):
    args, kinds = batch(weights)
    got, want, said = split_outcome(per_class_spread_of_all_but_last, args, kinds)
    assert got == {}, (got, want)
    assert any("not each image once" in m for m in said), said


def first_image_in_every_iteration(x, targets):
    total = 0.0
    for _ in range(len(targets)):
        total = total + torch.stack([x[0].norm(dim=1).mean()]).sum()
    return {"loss": total}


def each_image_once_shifted(x, targets):
    total = 0.0
    for b in range(len(targets)):
        total = total + torch.stack([x[(b + 1) % len(targets)].norm(dim=1).mean()]).sum()
    return {"loss": total / len(targets)}


@pytest.mark.parametrize("weights", BATCHES)
def test_one_value_stacks_of_each_image_once_split(weights):
    args, kinds = batch(weights)
    got, want, said = split_outcome(each_image_once_shifted, args, kinds)
    assert got and set(got) == set(want), said
    assert got == pytest.approx(want, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("weights", BATCHES[:1])
def test_one_images_value_stacked_in_every_iteration_declines(weights):
    args, kinds = batch(weights)
    got, want, said = split_outcome(first_image_in_every_iteration, args, kinds)
    assert got == {}, (got, want)
