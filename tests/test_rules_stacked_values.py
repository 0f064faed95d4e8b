"""``torch.stack(losses)`` of reduced values of the whole batch, one per head, scale, column or
metric (sentence-transformers' ``EmbedDistillLoss``, pytorch-forecasting's ``MultiLoss``), then
its mean or sum: on a group alone the body builds as many values, each the group's, so the
companion is the mean (sum) over the heads of each head's group value -- where the code fixes the
list's length (a display, a comprehension over ``range(3)``, appends in a loop over a literal).
Near misses decline with a warning naming ``torch.stack``: a list filtered by the images' data, one
per label present, one per image that passes a test, a list aliased or extended; one loss per
image stacked is the mean over the group's images (exact, as before). Each body is compared with
the oracle (the body run on each group's images alone)."""

from __future__ import annotations

import pytest
import torch
from _helpers import ROWS, TARGETS, check_exact, rule_batch, split_outcome, wrong_companions

BATCHES = [  # (seed, loss_weight per image): groups of different sizes, as many heads as images, a group absent
    (0, [1.0, 0.5, 0.5, 1.0]),
    (1, [0.5, 1.0, 0.5]),
    (2, [1.0, 0.5]),
    (3, [1.0, 1.0, 1.0, 0.5, 1.0]),
    (4, [1.0, 1.0, 1.0]),
]
def _y(targets):
    return torch.stack([t["y"] for t in targets])


def _head(outputs, targets, h: int):
    """Head ``h``'s loss over the whole batch: a mean error of its own scale of the predictions."""
    return (outputs["x"] * (1.0 + 0.25 * h) - _y(targets)).abs().mean()


def heads_comprehension(outputs, targets):
    losses = [_head(outputs, targets, h) for h in range(3)]
    return {"loss": torch.stack(losses).mean()}


def heads_inline_comprehension(outputs, targets):
    return {"loss": torch.mean(torch.stack([_head(outputs, targets, h) for h in range(2)]))}


def display_of_two_kinds(outputs, targets):
    y = _y(targets)
    losses = [(outputs["x"] - y).abs().mean(), (outputs["x"] - y).pow(2).sum() / 7.0]
    return {"loss": torch.stack(losses).sum(0)}


def appended_in_a_literal_loop(outputs, targets):
    """pytorch-forecasting's ``MultiLoss``: each metric times its weight, appended, summed."""
    results = []
    for idx, w in enumerate((1.0, 0.5)):
        results.append(_head(outputs, targets, idx) * w)
    if len(results) == 1:
        results = results[0]
    else:
        results = torch.stack(results, dim=0).sum(0)
    return {"loss": results}


def columns_appended(outputs, targets):
    """``EmbedDistillLoss``-shaped: per column slice of the width, an MSE and a 1 - cosine."""
    y = _y(targets)
    losses = []
    for c in range(2):
        losses.append(torch.nn.functional.mse_loss(outputs["x"][..., 2 * c:2 * c + 2], y[..., 2 * c:2 * c + 2]))
        losses.append((1 - torch.nn.functional.cosine_similarity(outputs["x"][..., c], y[..., c], dim=-1)).mean())
    return {"loss": torch.stack(losses).mean()}


def stacked_along_last_dim(outputs, targets):
    losses = [_head(outputs, targets, h).sqrt() for h in range(2)]
    return {"loss": torch.stack(losses, -1).mean() * 2.0}


def heads_summed_over_their_count(outputs, targets):  # ``sum(losses) / len(losses)``: 3 heads, and 3 images
    losses = [_head(outputs, targets, h) for h in range(3)]
    return {"loss": sum(losses) / len(losses)}


def heads_appended_summed_over_their_count(outputs, targets):
    losses = []
    for h in range(2):
        losses.append(_head(outputs, targets, h))
    return {"loss": sum(losses) / len(losses)}


def two_keys_of_one_list(outputs, targets):
    losses = [_head(outputs, targets, h) for h in range(2)]
    return {"loss": torch.stack(losses).mean(), "loss_sum": torch.stack(losses, 0).sum(0)}


class Heads(torch.nn.Module):
    """One loss per layer of ``self.heads``, appended, averaged."""

    def __init__(self):
        super().__init__()
        self.heads = torch.nn.ModuleList([torch.nn.Identity(), torch.nn.Softplus(), torch.nn.Identity()])

    def forward(self, outputs, targets):
        losses = []
        for head in self.heads:
            losses.append((head(outputs["x"]) - _y(targets)).abs().sum() / 100.0)
        return {"loss": torch.stack(losses).mean()}


def one_loss_per_image(outputs, targets):  # each a one-image value: the mean over the group's images
    y = _y(targets)
    return {"loss": torch.stack([(outputs["x"][b] - y[b]).abs().mean() for b in range(len(targets))]).mean()}


class Scaled(torch.nn.Module):
    """monai's ``MultiScaleLoss``' shape: a loop over its list attribute ``self.scales``, scale 0
    appended in a branch that ends the iteration (a ``continue``), the others blurred; the list made
    in an ``else``."""

    def __init__(self):
        super().__init__()
        self.scales = [0, 1, 2]

    def forward(self, outputs, targets):
        if self.scales is None:
            return _head(outputs, targets, 0)
        else:
            results = []
        for s in self.scales:
            if s == 0:
                results.append(_head(outputs, targets, 0))
            else:
                results.append((outputs["x"] * (1.0 + 0.5 * s) - _y(targets)).pow(2).mean())
        return torch.stack(results, dim=0).mean()


class HoldsScaled(torch.nn.Module):
    """A criterion holding ``Scaled`` as a layer: its list is the held layer's, not the body's."""

    def __init__(self):
        super().__init__()
        self.inner = Scaled()

    def forward(self, outputs, targets):
        return {"loss": self.inner(outputs, targets)}


SCALED = Scaled()


def held_scaled_global(outputs, targets):  # survey 42's monai criterion, a module global of the body
    return {"loss": SCALED(outputs, targets) * 0.5}


def branches_of_one_append_each(outputs, targets):  # each iteration appends once, whatever the data
    y = _y(targets)
    losses = []
    for c in range(3):
        if (y[..., c] > 0.75).any():
            losses.append((outputs["x"][..., c] - y[..., c]).abs().mean())
            continue
        losses.append((outputs["x"][..., c] - y[..., c]).pow(2).mean())
    return {"loss": torch.stack(losses).mean()}


EXACT = [HoldsScaled(), held_scaled_global, heads_comprehension, heads_inline_comprehension, display_of_two_kinds, appended_in_a_literal_loop,
         columns_appended, stacked_along_last_dim, heads_summed_over_their_count,
         heads_appended_summed_over_their_count, two_keys_of_one_list, Heads(), one_loss_per_image]


@pytest.mark.parametrize("body", EXACT, ids=lambda f: getattr(f, "__name__", type(f).__name__))
def test_stacked_values_of_the_whole_batch_split_as_the_oracle(body):
    check_exact(body, BATCHES)


def filtered_by_the_data(outputs, targets):  # a class kept where the batch has it: other classes on a group
    y = _y(targets)
    losses = [(outputs["x"][..., c] - y[..., c]).abs().mean() for c in range(4) if c == 0 or (y[..., c] > 0.75).any()]
    return {"loss": torch.stack(losses).mean()}


def appended_where_the_data_has_it(outputs, targets):
    y = _y(targets)
    losses = [_head(outputs, targets, 0)]
    for c in range(4):
        if (y[..., c] > 0.75).any():
            losses.append((outputs["x"][..., c] - y[..., c]).abs().mean())
    return {"loss": torch.stack(losses).mean()}


def one_per_label_present(outputs, targets):
    y = _y(targets)
    labels = torch.stack([t["labels"] for t in targets])
    losses = [(outputs["x"][..., int(c)] - y[..., int(c)]).abs().mean() for c in labels.unique()]
    return {"loss": torch.stack(losses).mean()}


def one_per_image_that_passes(outputs, targets):  # the whole batch's loss once per image with a label > 0
    y = _y(targets)
    losses = [(outputs["x"] - y).abs().mean() * 1.5 for t in targets if int(t["labels"][0]) > 0 or t is targets[0]]
    return {"loss": torch.stack(losses).sum()}


def one_per_image_appended(outputs, targets):
    y = _y(targets)
    losses = []
    for _ in targets:
        losses.append((outputs["x"] - y).abs().mean())
    return {"loss": torch.stack(losses).sum()}


def aliased_then_appended(outputs, targets):
    losses = [_head(outputs, targets, 0)]
    more = losses
    for t in targets:
        if int(t["labels"][0]) > 1:
            more.append(_head(outputs, targets, 1))
    return {"loss": torch.stack(losses).mean()}


def extended(outputs, targets):
    losses = [_head(outputs, targets, 0)]
    losses.extend([_head(outputs, targets, 1)] * len(targets))
    return {"loss": torch.stack(losses).mean()}


def labels_present_over_their_count(outputs, targets):
    y = _y(targets)
    labels = torch.stack([t["labels"] for t in targets])
    losses = [(outputs["x"][..., int(c)] - y[..., int(c)]).abs().mean() for c in labels.unique()]
    return {"loss": sum(losses) / len(losses)}


def images_that_pass_over_their_count(outputs, targets):
    y = _y(targets)
    losses = [(outputs["x"] - y).abs().mean() * 1.5 for t in targets if int(t["labels"][0]) > 0 or t is targets[0]]
    return {"loss": sum(losses) / len(losses)}


def a_loss_beside_one_image(outputs, targets):
    y = _y(targets)
    return {"loss": torch.stack([(outputs["x"] - y).abs().mean(), (outputs["x"][0] - y[0]).abs().mean()]).mean()}


def a_second_append_the_data_skips(outputs, targets):  # ``continue`` where the data says: once or twice a class
    y, losses = _y(targets), []
    for c in range(3):
        losses.append((outputs["x"][..., c] - y[..., c]).abs().mean())
        if (y[..., c] > 0.75).any():
            continue
        losses.append(_head(outputs, targets, c))
    return {"loss": torch.stack(losses).mean()}


class ScalesSetFromTheBatch(HoldsScaled):
    """The held layer's list replaced by one as long as the batch: on a group alone, as many as the group's."""

    def forward(self, outputs, targets):
        self.inner.scales = list(range(len(targets)))
        return {"loss": self.inner(outputs, targets)}


class ScalesGrownPerImage(HoldsScaled):
    def forward(self, outputs, targets):
        self.inner.scales = [0]
        out = self.inner(outputs, targets)
        for _ in targets[1:]:
            self.inner.scales.append(1)
        return {"loss": out + self.inner(outputs, targets)}


class ScalesGrownThroughAnAlias(HoldsScaled):
    """The held layer's own list grown by one scale per image past the first, through another name,
    for this call only: the recorded list, not its recorded items."""

    def forward(self, outputs, targets):
        scales = self.inner.scales
        for _ in targets[1:]:
            scales.append(3)
        out = self.inner(outputs, targets)
        del scales[3:]
        return {"loss": out}


DECLINED = [a_second_append_the_data_skips, ScalesSetFromTheBatch(), ScalesGrownPerImage(), ScalesGrownThroughAnAlias(), filtered_by_the_data, appended_where_the_data_has_it, one_per_label_present, one_per_image_that_passes, one_per_image_appended,
            aliased_then_appended, extended, a_loss_beside_one_image]
NEAR = [labels_present_over_their_count, images_that_pass_over_their_count]


@pytest.mark.parametrize("body", DECLINED, ids=lambda f: getattr(f, "__name__", type(f).__name__))
def test_stacked_lists_whose_length_the_code_does_not_fix_decline(body):
    for seed, weights in BATCHES:
        got, want, said = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        if len(want) == 1:  # one group: the value as returned
            continue
        assert got == {}, (seed, got, want)
        assert any("'loss'" in m for m in said), said


@pytest.mark.parametrize("body", NEAR, ids=lambda f: f.__name__)
def test_a_sum_over_the_count_of_a_list_the_code_does_not_fix_is_never_wrong(body):
    for seed, weights in BATCHES:
        got, want, said = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        assert not wrong_companions(got, want), (seed, got, want)
        assert set(got) == set(want) or said, seed
