"""Contractions and order statistics that stay within each image (red team 26's false declines,
issue #13): an ``einsum`` summing a letter that carries images where every operand names the same
image there (``"bij,bij->"``, ``"b,b->"`` with the weights, the trace ``"bb->"`` of an
image-by-image matrix), a matrix product with a vector along the images (``e @ e``,
``e @ torch.ones(len(t))``), ``kthvalue`` along a dim without images. Each is the body on each
group's images alone (the oracle); a letter pairing two images' rows, an untracked operand's own
dim in the output, ``kthvalue`` across images or of weighted values keep declining, naming the op."""

from __future__ import annotations

import pytest
import torch
from _helpers import (
    ROWS,
    RULE_BATCHES,
    TARGETS,
    check_rule,
    rule_batch,
    split_outcome,
    wrong_companions,
)


def _d(o, t):
    """Each image's errors [B, 3, 4]."""
    return (o["x"] - torch.stack([u["y"] for u in t])).abs()


def _e(o, t):
    """Each image's mean error [B]."""
    return _d(o, t).mean((1, 2))


def _w(t):
    return torch.tensor([u["loss_weight"] for u in t])


EXACT = {
    "einsum of every letter, two operands": lambda o, t: {"loss": torch.einsum("bij,bij->", _d(o, t), _d(o, t)) / _d(o, t).numel()},
    "einsum of every letter, one operand": lambda o, t: {"loss": torch.einsum("bij->", _d(o, t)) / len(t)},
    "einsum keeping a column dim": lambda o, t: {"loss": torch.einsum("bij,bij->j", _d(o, t), o["x"]).sum() / len(t)},
    "einsum with an ellipsis": lambda o, t: {"loss": torch.einsum("b...,b...->", _d(o, t), _d(o, t)) / len(t)},
    "einsum with the weight field": lambda o, t: {"loss": torch.einsum("b,b->", _e(o, t), _w(t)) / len(t)},
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
                                  "kthvalue along a row's entries"])
def test_other_groupings_follow_the_oracle(case, labels):
    """Groups given by ``sources``: of one to three images, three groups, a group of the images
    whose weights differ."""
    seed, weights = RULE_BATCHES[0]
    got, want, said = split_outcome(EXACT[case], list(rule_batch(seed, weights)), [ROWS, TARGETS], labels)
    assert got and set(got) == set(want) and not wrong_companions(got, want), (got, want, said)
