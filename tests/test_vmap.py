"""``torch.func.vmap`` over the images (red team 26: 5 of 5 declined, issue #13): each slot's output
is computed from that slot's inputs alone, so a function mapped along every tracked input's dim
of images gives each image its own value, as on a group alone (the oracle). A tensor of the
images used whole in every slot (``in_dims=None``, a closure), a slot dim other than the images'
(``in_dims=1``), the weights mapped beside the images, a nested transform keep declining, naming
``torch.vmap`` and the op."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import (
    ROWS,
    RULE_BATCHES,
    TARGETS,
    check_rule,
    rule_batch,
    split_outcome,
    wrong_companions,
)


def _y(t):
    return torch.stack([u["y"] for u in t])


def _labels(t):
    return torch.stack([u["labels"] for u in t])


def _l1(x, y):
    return (x - y).abs().mean()


def _two(x, y):
    d = (x - y).abs()
    return d.mean(), d.amax(-1)


EXACT = {
    "per-image l1": lambda o, t: {"loss": torch.func.vmap(_l1)(o["x"], _y(t)).mean()},
    "torch.vmap spelling, summed": lambda o, t: {"loss": torch.vmap(_l1)(o["x"], _y(t)).sum()},
    "cross entropy per image": lambda o, t: {
        "loss": torch.vmap(lambda x, lab: F.cross_entropy(x, lab))(o["x"], _labels(t)).mean()},
    "per-row values out": lambda o, t: {"loss": torch.vmap(lambda x, y: (x - y).pow(2).sum(-1))(o["x"], _y(t)).mean()},
    "two outputs": lambda o, t: {"loss": sum(v.mean() for v in torch.vmap(_two)(o["x"], _y(t)))},
    "explicit in_dims, a constant closed over": lambda o, t: {
        "loss": torch.vmap(lambda x, y: ((x - y) * torch.tensor([1.0, 2.0, 3.0, 4.0])).abs().mean(), in_dims=(0, 0))(
            o["x"], _y(t)).mean()},
    "normalised by the batch's detached sum": lambda o, t: {
        "loss": (lambda p: (p * p.detach() / p.detach().sum()).sum())(torch.vmap(_l1)(o["x"], _y(t)))},
}

DECLINE = {
    "in_dims None of the batch's mean": (lambda o, t: {
        "loss": torch.vmap(_l1, in_dims=(0, None))(o["x"], _y(t).mean(0)).mean()}, "torch.vmap"),
    "a closure over the batch's targets": (lambda o, t: {
        "loss": torch.vmap(lambda x: (x - _y(t).mean(0)).abs().mean())(o["x"]).mean()}, "torch.vmap"),
    "mapped along the rows, not the images": (lambda o, t: {
        "loss": torch.vmap(lambda x, y: (x - y).abs().sum(), in_dims=1)(o["x"], _y(t)).mean()}, "torch.vmap"),
    "the weights mapped beside the images": (lambda o, t: {
        "loss": torch.vmap(lambda x, y, w: w * _l1(x, y))(o["x"], _y(t), torch.tensor([u["loss_weight"] for u in t])).mean()},
        "torch.vmap"),
    "nested vmap": (lambda o, t: {"loss": torch.vmap(torch.vmap(_l1))(o["x"], _y(t)).mean()}, "torch.vmap"),
}


@pytest.mark.parametrize("case", list(EXACT))
def test_a_function_mapped_over_the_images_splits_exactly(case):
    check_rule(EXACT[case], "")


@pytest.mark.parametrize("case", list(DECLINE))
def test_a_mapped_function_that_mixes_images_declines(case):
    body, op = DECLINE[case]
    check_rule(body, op, declines=True)


@pytest.mark.parametrize("labels", [["a", "b", "a", "a"], ["b", "b", "a", "a"], ["a", "b", "c", "a"]])
def test_other_groupings_follow_the_oracle(labels):
    seed, weights = RULE_BATCHES[0]
    for case in ("per-image l1", "cross entropy per image", "two outputs"):
        got, want, said = split_outcome(EXACT[case], list(rule_batch(seed, weights)), [ROWS, TARGETS], labels)
        assert got and set(got) == set(want) and not wrong_companions(got, want), (case, got, want, said)


def test_the_loss_and_grads_are_unchanged_and_vmap_still_works_outside_a_capture():
    """``split_outcome`` checks values and grads bit-identical; outside a decorated call vmap is
    torch's own."""
    x = torch.rand(3, 2, 4)
    assert torch.equal(torch.vmap(_l1)(x, x * 0), x.abs().mean((1, 2)))
