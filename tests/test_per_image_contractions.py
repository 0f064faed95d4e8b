"""Contractions and order statistics that stay within each image (red team 26's false declines,
issue #13): an ``einsum`` summing a letter that carries images where every operand names the same
image there (``"bij,bij->"``, ``"b,b->"`` with the weights, the trace ``"bb->"`` of an
image-by-image matrix), a matrix product with a vector along the images (``e @ e``,
``e @ torch.ones(len(t))``), ``kthvalue`` along a dim without images. Each is the body on each
group's images alone (the oracle); a letter pairing two images' rows, an untracked operand's own
dim in the output, ``kthvalue`` across images or of weighted values keep declining, naming the op.
``torch.func.vmap`` along the images (5 of 5 declined): each slot's output is computed from that
slot's inputs alone; a tensor of the images used whole in every slot (``in_dims=None``, a
closure), a slot dim other than the images' (``in_dims=1``), the weights mapped beside the images,
a nested transform keep declining, naming ``torch.vmap`` and the op."""

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
from _helpers import rule_errors as _d
from _helpers import rule_image_errors as _e
from _helpers import rule_targets as _y
from _helpers import rule_weights as _w


def _labels(t):
    return torch.stack([u["labels"] for u in t])


def _l1(x, y):
    return (x - y).abs().mean()


def _two(x, y):
    d = (x - y).abs()
    return d.mean(), d.amax(-1)


EXACT = {
    "einsum of every letter, two operands": lambda o, t: {"loss": torch.einsum("bij,bij->", _d(o, t), _d(o, t)) / _d(o, t).numel()},
    "einsum of every letter, one operand": lambda o, t: {"loss": torch.einsum("bij->", _d(o, t)) / len(t)},
    "einsum keeping a column dim": lambda o, t: {"loss": torch.einsum("bij,bij->j", _d(o, t), o["x"]).sum() / len(t)},
    "einsum with an ellipsis": lambda o, t: {"loss": torch.einsum("b...,b...->", _d(o, t), _d(o, t)) / len(t)},
    "einsum with the weight field": lambda o, t: {"loss": torch.einsum("b,b->", _e(o, t), _w(t)) / len(t)},
    "einsum of weighted values": lambda o, t: {
        "loss": torch.einsum("bij,bij->", _d(o, t) * _w(t)[:, None, None], _d(o, t)) / len(t)},
    "einsum of a mask as the normaliser": lambda o, t: {
        "loss": (_d(o, t).mean(2) * (_labels(t) > 1)).sum() / torch.einsum("bi->", (_labels(t) > 1).float())},
    "einsum trace of an image-by-image matrix": lambda o, t: {
        "loss": torch.einsum("bb->", torch.einsum("br,cr->bc", _d(o, t).mean(2), _d(o, t).mean(2))) / len(t)},
    "dot product of the images' errors": lambda o, t: {"loss": _e(o, t) @ _e(o, t) / len(t)},
    "matmul with ones sized by the images": lambda o, t: {"loss": _e(o, t) @ torch.ones(len(t)) / len(t)},
    "vector times the images' rows": lambda o, t: {"loss": (_e(o, t) @ _d(o, t).flatten(1)).sum() / len(t)},
    "the images' columns times a vector": lambda o, t: {"loss": (_d(o, t).flatten(1).T @ _e(o, t)).mean()},
    "kthvalue along a row's entries": lambda o, t: {"loss": _d(o, t).kthvalue(2, -1).values.mean()},
    "kthvalue keepdim then gathered by its indices": lambda o, t: {
        "loss": _d(o, t).gather(2, torch.kthvalue(_d(o, t), 3, dim=2, keepdim=True).indices).mean()},
    # near misses that were exact before: the image letter kept
    "einsum per image": lambda o, t: {"loss": torch.einsum("bij,bij->b", _d(o, t), _d(o, t)).mean()},
    "bmm per image": lambda o, t: {"loss": torch.bmm(_d(o, t), _d(o, t).transpose(1, 2)).mean()},
    # ``torch.func.vmap`` along the images: each slot computed from its own inputs
    "vmap: per-image l1": lambda o, t: {"loss": torch.func.vmap(_l1)(o["x"], _y(t)).mean()},
    "vmap: torch.vmap spelling, summed": lambda o, t: {"loss": torch.vmap(_l1)(o["x"], _y(t)).sum()},
    "vmap: cross entropy per image": lambda o, t: {
        "loss": torch.vmap(lambda x, lab: F.cross_entropy(x, lab))(o["x"], _labels(t)).mean()},
    "vmap: per-row values out": lambda o, t: {"loss": torch.vmap(lambda x, y: (x - y).pow(2).sum(-1))(o["x"], _y(t)).mean()},
    "vmap: two outputs": lambda o, t: {"loss": sum(v.mean() for v in torch.vmap(_two)(o["x"], _y(t)))},
    "vmap: explicit in_dims, a constant closed over": lambda o, t: {
        "loss": torch.vmap(lambda x, y: ((x - y) * torch.tensor([1.0, 2.0, 3.0, 4.0])).abs().mean(), in_dims=(0, 0))(
            o["x"], _y(t)).mean()},
    "vmap: normalised by the batch's detached sum": lambda o, t: {
        "loss": (lambda p: (p * p.detach() / p.detach().sum()).sum())(torch.vmap(_l1)(o["x"], _y(t)))},
}

DECLINE = {
    "einsum pairing every two images": (lambda o, t: {"loss": torch.einsum("bi,ci->", _d(o, t).flatten(1), o["x"].flatten(1))}, "einsum"),
    "einsum of each image with every image": (
        lambda o, t: {"loss": torch.einsum("bi,ci->b", _d(o, t).flatten(1), o["x"].flatten(1)).mean()}, "einsum"),
    "einsum with an untracked image-by-image matrix": (
        lambda o, t: {"loss": torch.einsum("ij,j->i", torch.ones(len(t), len(t)), _e(o, t)).sum()}, "einsum"),
    "matmul with an image-by-image ones matrix": (
        lambda o, t: {"loss": (_e(o, t) @ torch.ones(len(t), len(t))).sum()}, "matmul"),
    "outer product summed": (lambda o, t: {"loss": (_e(o, t)[:, None] @ _e(o, t)[None]).sum()}, "sum"),
    "kthvalue across the images": (lambda o, t: {"loss": _e(o, t).kthvalue(1).values}, "kthvalue"),
    "kthvalue of weighted values": (
        lambda o, t: {"loss": (_d(o, t) * _w(t)[:, None, None]).kthvalue(2, -1).values.mean()}, "kthvalue"),
    # vmap: a tensor of the images used whole in every slot, another slot dim, the weights mapped, nesting
    "vmap: in_dims None of the batch's mean": (lambda o, t: {
        "loss": torch.vmap(_l1, in_dims=(0, None))(o["x"], _y(t).mean(0)).mean()}, "torch.vmap"),
    "vmap: a closure over the batch's targets": (lambda o, t: {
        "loss": torch.vmap(lambda x: (x - _y(t).mean(0)).abs().mean())(o["x"]).mean()}, "torch.vmap"),
    "vmap: mapped along the rows, not the images": (lambda o, t: {
        "loss": torch.vmap(lambda x, y: (x - y).abs().sum(), in_dims=1)(o["x"], _y(t)).mean()}, "torch.vmap"),
    "vmap: the weights mapped beside the images": (lambda o, t: {
        "loss": torch.vmap(lambda x, y, w: w * _l1(x, y))(o["x"], _y(t), torch.tensor([u["loss_weight"] for u in t])).mean()},
        "torch.vmap"),
    "vmap: nested vmap": (lambda o, t: {"loss": torch.vmap(torch.vmap(_l1))(o["x"], _y(t)).mean()}, "torch.vmap"),
}


@pytest.mark.parametrize("case", list(EXACT))
def test_a_contraction_within_each_image_splits_exactly(case):
    check_rule(EXACT[case], "")


@pytest.mark.parametrize("case", list(DECLINE))
def test_a_contraction_that_mixes_images_declines_naming_the_op(case):
    body, op = DECLINE[case]
    check_rule(body, op, declines=True)


@pytest.mark.parametrize("labels", [["a", "b", "a", "a"], ["b", "b", "a", "a"], ["a", "b", "c", "a"]])
@pytest.mark.parametrize("case", ["einsum of every letter, two operands", "einsum with the weight field",
                                  "einsum trace of an image-by-image matrix", "dot product of the images' errors",
                                  "kthvalue along a row's entries", "vmap: cross entropy per image",
                                  "vmap: two outputs"])
def test_other_groupings_follow_the_oracle(case, labels):
    """Groups given by ``sources``: of one to three images, three groups, a group of the images
    whose weights differ."""
    seed, weights = RULE_BATCHES[0]
    got, want, said = split_outcome(EXACT[case], list(rule_batch(seed, weights)), [ROWS, TARGETS], labels)
    assert got and set(got) == set(want) and not wrong_companions(got, want), (got, want, said)


def test_the_loss_and_grads_are_unchanged_and_vmap_still_works_outside_a_capture():
    """``split_outcome`` checks values and grads bit-identical; outside a decorated call vmap is
    torch's own."""
    x = torch.rand(3, 2, 4)
    assert torch.equal(torch.vmap(_l1)(x, x * 0), x.abs().mean((1, 2)))
