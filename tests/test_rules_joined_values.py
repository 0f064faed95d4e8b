"""``torch.cat`` of reduced values of the whole batch, each shaped ``[1]`` (``l.reshape(1)``,
``l[None]``, einops' ``rearrange(l, '... -> ... 1')``), one per head, scale or quantizer, then its
sum or mean: as ``torch.stack`` of them (``test_rules_stacked_values``), on a group alone the body
joins as many values, each the group's, where the code fixes their count -- a display (a list or a
tuple), a comprehension over ``range(3)``, or a vector grown by one value per iteration of a loop
the code fixes from an empty tensor (vector-quantize-pytorch's ``ResidualVQ``: ``all_losses =
cat((all_losses, rearrange(loss, '... -> ... 1')))`` per quantizer; the library's own loop still declines,
its ``continue`` testing a local, survey 25). Near misses decline with a
warning naming the key: a vector grown once per image (a loop over the targets, or over
``range(len(targets))``, or in a helper called per image), a comprehension over the targets, a loss
of the batch beside one image's. Each body is compared with the oracle
(the body run on each group's images alone)."""

from __future__ import annotations

import pytest
import torch
from _helpers import check_exact
from test_rules_stacked_values import (  # the same heads and batches as torch.stack's
    BATCHES,
    _head,
    _y,
)
from test_rules_stacked_values import (
    test_stacked_lists_whose_length_the_code_does_not_fix_decline as declines,
)


def reshaped_in_a_comprehension(outputs, targets):
    return {"loss": torch.cat([_head(outputs, targets, h).reshape(1) for h in range(3)]).sum()}


def tuple_display_of_three_spellings(outputs, targets):
    y = _y(targets)
    a = (outputs["x"] - y).abs().mean()
    b = (outputs["x"] - y).pow(2).sum() / 7.0
    return {"loss": torch.cat((a[None], b.view(1), _head(outputs, targets, 2).unsqueeze(0))).mean()}


def grown_per_head_from_empty(outputs, targets):
    """``ResidualVQ``'s shape: one loss per quantizer joined to the vector so far."""
    losses = torch.empty((0,))
    for h in range(3):
        losses = torch.cat((losses, _head(outputs, targets, h).reshape(1)), dim=-1)
    return {"loss": losses.sum(), "loss_mean": losses.mean()}


class Quantizers(torch.nn.Module):
    """One loss per layer of ``self.layers``, grown into a vector, summed by the body."""

    def __init__(self):
        super().__init__()
        self.layers = torch.nn.ModuleList([torch.nn.Identity(), torch.nn.Softplus()])

    def forward(self, outputs, targets):
        losses = torch.empty((0,))
        residual = outputs["x"]
        for layer in self.layers:
            loss = (layer(residual) - _y(targets)).pow(2).mean()
            losses = torch.cat((losses, loss.reshape(1)))
            residual = residual * 0.5
        return {"loss": losses.sum()}


def stacked_tuple(outputs, targets):  # ``torch.stack`` of a tuple display: its length is written there too
    return {"loss": torch.stack((_head(outputs, targets, 0), _head(outputs, targets, 1))).mean()}


EXACT = [reshaped_in_a_comprehension, tuple_display_of_three_spellings, grown_per_head_from_empty, Quantizers(),
         stacked_tuple]


@pytest.mark.parametrize("body", EXACT, ids=lambda f: getattr(f, "__name__", type(f).__name__))
def test_joined_values_of_the_whole_batch_split_as_the_oracle(body):
    check_exact(body, BATCHES)


def grown_per_image(outputs, targets):  # the batch's loss once per image: on a group alone, the group's count
    losses = torch.empty((0,))
    for _ in targets:
        losses = torch.cat((losses, _head(outputs, targets, 1).reshape(1)))
    return {"loss": losses.sum()}


def grown_over_the_count(outputs, targets):
    losses = torch.empty((0,))
    for _k in range(len(targets)):
        losses = torch.cat((losses, (_head(outputs, targets, 0) * 0.5).reshape(1)))
    return {"loss": losses.sum()}


def comprehension_over_the_targets(outputs, targets):
    return {"loss": torch.cat([_head(outputs, targets, 1).reshape(1) for _ in targets]).sum()}


def grown_in_a_helper_called_per_image(outputs, targets):
    def grow(losses):
        return torch.cat((losses, _head(outputs, targets, 2).reshape(1)))

    losses = torch.empty((0,))
    for _ in targets:
        losses = grow(losses)
    return {"loss": losses.sum()}


def a_loss_beside_one_image(outputs, targets):  # image 0 is another image on a group alone
    y = _y(targets)
    return {"loss": torch.cat(((outputs["x"] - y).abs().mean()[None], (outputs["x"][0] - y[0]).abs().mean()[None])).mean()}


DECLINED = [grown_per_image, grown_over_the_count, comprehension_over_the_targets, grown_in_a_helper_called_per_image,
            a_loss_beside_one_image]


@pytest.mark.parametrize("body", DECLINED, ids=lambda f: f.__name__)
def test_joined_values_whose_count_the_code_does_not_fix_decline(body):
    declines(body)  # as torch.stack's lists do: no companion on a batch of several groups, a warning naming the key
