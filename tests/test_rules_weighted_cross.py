"""``torch.cross`` of values that remember a weight (survey 53's virtual normal on one image): an
image's values times a factor carry their values with the weight field set to 1, and on a batch of
one image any untracked factor (``(u - cx) * z / f``, a back-projection) is such a factor. The cross
product along a dim without images takes each operand's unweighted values, as an element-wise op
does: each image's factor is one number along that dim. A reduced operand, the images' dim, and a
factor equal to the image's weight at some positions only still decline."""

from __future__ import annotations

import torch
from _helpers import RULE_BATCHES, check_exact, check_rule, rule_batch, rule_outcome

# RULE_BATCHES and batches of one image (weight 0.5, then 1)
BATCHES = [*RULE_BATCHES, (3, [0.5]), (4, [1.0]), (5, [0.25, 0.5])]


def _targets(targets):
    return torch.stack([t["y"][:, :3] for t in targets])


def back_projected_normals(outputs, targets):
    """Points back-projected by a constant grid (untracked factors), their plane normals against the
    targets' by ``torch.cross`` along the last dim, the mean absolute difference."""
    z = outputs["x"][..., :3]
    grid = torch.arange(1.0, 4.0)
    p = torch.stack([(grid - 2) * z / 6.0, grid * z / 6.0, z], -1)
    q = torch.stack([z, z.roll(1, 1), z * 2], -1)
    n = torch.cross(p, q, dim=-1)
    return {"loss": (n / (n.norm(dim=-1, keepdim=True) + 1e-4)).sum(-1).abs().mean(),
            "raw": torch.linalg.cross(z * grid, _targets(targets)).abs().mean()}


def weighted_rows_crossed(outputs, targets):
    """Each image's values times its ``loss_weight`` (a per-row factor), crossed with the targets:
    on a group alone the weights are 1."""
    w = torch.tensor([t["loss_weight"] for t in targets])
    v = outputs["x"][..., :3] * w[:, None, None]
    return {"loss": torch.cross(v, _targets(targets), dim=2).pow(2).mean()}


def weighted_image_in_a_loop(outputs, targets):
    """Per image its values times its weight number, crossed with its target, summed over the images
    and over their count."""
    total = 0
    for i, t in enumerate(targets):
        total = total + torch.cross(outputs["x"][i, :, :3] * t["loss_weight"], t["y"][:, :3], dim=-1).abs().mean()
    return {"loss": total / len(targets)}


def test_a_cross_product_of_values_that_remember_a_weight_splits():
    for body in (back_projected_normals, weighted_rows_crossed, weighted_image_in_a_loop):
        check_exact(body, BATCHES)


def test_a_cross_product_of_a_reduced_value_declines():
    """The batch's mean point crossed with each image's: on a group alone the group's mean."""

    def body(outputs, targets):
        x = outputs["x"][..., :3]
        return {"loss": torch.cross(x.mean(0, keepdim=True).expand_as(x), x, dim=-1).abs().mean()}

    check_rule(body, "cross", declines=True)


def test_a_factor_equal_to_the_weight_at_some_positions_still_declines():
    """Per image in a loop, a factor holding 0.5 at one position and other values elsewhere, on an
    image of weight 0.5: weight or data cannot be told apart, with the cross product after it too."""

    def body(outputs, targets):
        total = 0
        for i, t in enumerate(targets):
            v = outputs["x"][i, :, :3] * torch.tensor([0.5, 2.0, 3.0])
            total = total + torch.cross(v, t["y"][:, :3], dim=-1).abs().mean()
        return {"loss": total}

    for seed, weights in ((3, [0.5]), (2, [1.0, 0.5])):
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert got == {} and want and any("weight or data cannot be told apart" in m for m in said), said
