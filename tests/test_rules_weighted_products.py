"""Values with the weight field set to 1 followed through matrix products and linear layers, and the
rows of a call of one image along several dims (gap41, survey 25's single-example GAPs).

(1) ``matmul`` / ``bmm`` of an operand with weight-1 values (a per-image weight laid on one image's
matrices, or a constant factor such as ``torch.eye`` compared with the one image's weight) keeps its
images where no contracted dim holds them, its weight-1 value the product of the operands' (roma's
Horn eigenvector on the one skeleton: ``lam[..., None, None] * eye`` then ``@``, was declined at the
product). (2) ``F.linear`` of such an input: ``x @ W.T + b`` on the weight-1 values (the bias not
scaled; FSQ's decoder). (3) On a call of one image, rows along two dims (packed codes against the
stacked targets: vector-quantize's masked commitment and residual VQ) are all that image's: a
reduction over them all, or a view, is of its elements. Near misses: a product or a layer over the
images' dim, and pairs of images along two dims, still decline naming the key and the op.
"""

import pytest
import torch
from _helpers import check_rule, rule_outcome

ONE_IMAGE = [(3, [0.5]), (4, [0.25]), (5, [1.0])]
MIXED = [(0, [1.0, 0.5, 0.5, 1.0]), (1, [0.5, 1.0, 0.5]), (2, [1.0, 0.5]), (6, [0.5, 0.5, 1.0, 1.0, 0.25])]


def _batch(seed, weights):
    g = torch.Generator().manual_seed(seed)
    outputs = {"x": (torch.rand(len(weights), 3, 4, generator=g) * 0.8 + 0.1).requires_grad_()}
    targets = [{"y": torch.rand(3, 4, generator=g) * 0.8 + 0.1, "loss_weight": w} for w in weights]
    return outputs, targets


def _check(body, batches, declines=False, op="matmul"):
    for seed, weights in batches:
        got, want, said = rule_outcome(body, _batch(seed, weights))
        if declines:
            assert got == {}, (body.__name__, seed, got, said)
            assert any("'loss'" in m and op in m for m in said), said
        else:
            assert set(got) == set(want), (body.__name__, seed, said)
            assert got == pytest.approx(want, rel=1e-5, abs=1e-6), (body.__name__, seed)


def weighted_gram(outputs, targets):
    """Each image's rows weighted by its weight, then its Gram matrix against its targets."""
    w = torch.tensor([t["loss_weight"] for t in targets])
    y = torch.stack([t["y"] for t in targets])
    xw = outputs["x"] * w[:, None, None]
    return {"loss": (xw.transpose(-1, -2) @ y).pow(2).mean()}


def weighted_gram_right(outputs, targets):
    """The weighted operand on the right, through ``torch.bmm``."""
    w = torch.tensor([t["loss_weight"] for t in targets])
    y = torch.stack([t["y"] for t in targets])
    return {"loss": torch.bmm(y.transpose(-1, -2), outputs["x"] * w[:, None, None]).abs().mean()}


def eye_factor_then_product(outputs, targets):
    """roma's pattern: a per-image value times ``torch.eye``, subtracted from each image's matrix,
    then multiplied by another per-image matrix (no weight read)."""
    x = outputs["x"]
    m = x.transpose(-1, -2) @ x  # [B, 4, 4]
    lam = m.diagonal(dim1=-2, dim2=-1).mean(-1)
    shifted = m - lam[..., None, None] * torch.eye(4)
    y = torch.stack([t["y"] for t in targets])
    return {"loss": (shifted @ y.transpose(-1, -2)).square().mean()}


def half_factor_then_product(outputs, targets):
    """A constant factor of 0.5 (equal to the one image's weight on some batches) on every element,
    then a product: data, not a weight."""
    x = outputs["x"]
    half = torch.full((4, 4), 0.5)
    y = torch.stack([t["y"] for t in targets])
    return {"loss": ((x.transpose(-1, -2) @ x) * half @ y.transpose(-1, -2)).mean()}


def weighted_product_over_the_images(outputs, targets):
    """Near miss: every image's weighted rows contracted with every image's (a product over the
    images' dim): the images mix."""
    w = torch.tensor([t["loss_weight"] for t in targets])
    flat = outputs["x"].flatten(1)
    return {"loss": ((flat * w[:, None]).T @ flat).mean()}


def test_a_product_of_a_weighted_operand_keeps_its_images():
    """(fails before: the product of a weighted operand was declined at ``Tensor.matmul``)"""
    for body in (weighted_gram, weighted_gram_right):
        _check(body, MIXED + ONE_IMAGE)


def test_a_constant_factor_of_one_image_then_a_product_splits():
    """The factor is compared with the one image's weight (0.5, 0.25): an operand with weight-1
    values, equal to its own where no element is the weight (survey 25's roma case fails before)."""
    for body in (eye_factor_then_product, half_factor_then_product):
        _check(body, MIXED + ONE_IMAGE)


def test_a_weighted_product_over_the_images_declines():
    _check(weighted_product_over_the_images, MIXED, declines=True)


def test_unweighted_products_still_split():
    def plain(outputs, targets):
        y = torch.stack([t["y"] for t in targets])
        return {"loss": (outputs["x"] @ y.transpose(-1, -2)).mean()}

    check_rule(plain, "matmul")


_G = torch.Generator().manual_seed(41)
LAYER = torch.nn.Linear(4, 2)
with torch.no_grad():
    LAYER.weight.copy_(torch.randn(2, 4, generator=_G))
    LAYER.bias.copy_(torch.randn(2, generator=_G))


def weighted_rows_through_a_layer(outputs, targets):
    """Each image's rows weighted, then a linear layer (its bias not scaled by the weight)."""
    w = torch.tensor([t["loss_weight"] for t in targets])
    return {"loss": LAYER(outputs["x"] * w[:, None, None]).square().mean()}


def eye_factor_through_a_layer(outputs, targets):
    """FSQ's pattern on the one example: a constant factor (compared with the weight), then a layer."""
    return {"loss": LAYER(outputs["x"] * torch.full((4,), 0.5)).abs().mean()}


def a_layer_of_the_batch_mean(outputs, targets):
    """Near miss: the layer's weight is a mean over the images (weighted): the images mix."""
    w = torch.tensor([t["loss_weight"] for t in targets])
    head = (outputs["x"] * w[:, None, None]).mean(0)[:2]
    return {"loss": torch.nn.functional.linear(outputs["x"], head).square().mean()}


def test_weighted_rows_through_a_linear_layer_split():
    """(fails before: ``F.linear`` of an input with weight-1 values was declined)"""
    for body in (weighted_rows_through_a_layer, eye_factor_through_a_layer):
        _check(body, MIXED + ONE_IMAGE)


def test_a_layer_whose_weight_mixes_the_images_declines():
    _check(a_layer_of_the_batch_mean, MIXED, declines=True, op="linear")


def one_image_along_two_dims(outputs, targets):
    """vector-quantize's pattern on a batch of one sequence: its rows packed (``[1, T, C]`` rows along
    dim 1) against the stacked targets (rows along dim 0), then a mean over every element."""
    y = torch.stack([t["y"] for t in targets])
    packed = torch.cat([outputs["x"].flatten(0, 1)[None]], dim=1)  # (einops' ``pack``)
    return {"loss": (packed - y).square().mean(), "loss_sum": ((packed - y).abs() * 2).sum()}


def one_image_along_two_dims_viewed(outputs, targets):
    """The same difference viewed as ``[1, T, heads, C]`` (residual VQ's ``rearrange``), then a mean."""
    y = torch.stack([t["y"] for t in targets])
    packed = torch.cat([outputs["x"].flatten(0, 1)[None]], dim=1)
    return {"loss": (packed - y).reshape(1, -1, 2, 2).pow(2).mean()}


def every_pair_of_images(outputs, targets):
    """Near miss: each image's rows against every image's (row dims of two images): the images mix."""
    x = outputs["x"].mean(1)
    return {"loss": (x[:, None] - x[None]).abs().mean()}


def test_a_reduction_over_two_row_dims_of_the_one_image_splits():
    """(fails before: two dims of rows of the one image summed were declined at ``Tensor.mean``)"""
    _check(one_image_along_two_dims, ONE_IMAGE)


def test_a_view_of_two_row_dims_of_the_one_image_splits():
    """(fails before: the view of two dims of rows of the one image was declined at ``Tensor.reshape``)"""
    _check(one_image_along_two_dims_viewed, ONE_IMAGE)


def test_a_reduction_over_pairs_of_images_declines():
    _check(every_pair_of_images, MIXED, declines=True, op="mean")
