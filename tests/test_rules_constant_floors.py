"""``torch.max(v, c)`` of a 0-dim loss ``v`` and a one-element tensor of a constant of the call
(SketchRNN's ``torch.max(LKL, torch.tensor([KL_min]))``, then ``[0]``): ``v`` floored at ``c``, on a
group alone the group's value so floored, as the oracle (the body on each group's images alone)
computes it. A floor computed from a count of the batch, or from the images' values, is no constant."""

import torch
from _helpers import check_rule, rule_errors

FLOOR = 0.3  # above some groups' mean error on the rule batches, below others'


def kl_floor(outputs, targets, kl_min=FLOOR):
    """A mean floored by a tensor of a parameter's default, the element picked by ``[0]``."""
    lkl = rule_errors(outputs, targets).mean()
    return {"loss_kl": torch.max(lkl, torch.tensor([kl_min]))[0]}


def literal_floor_plus_a_sum(outputs, targets):
    """A literal floor in a tuple display, then added to another loss."""
    e = rule_errors(outputs, targets)
    floored = torch.max(e.mean(), torch.tensor((0.3,)))[0]
    return {"loss": floored + e.sum(-1).mean()}


def count_floor(outputs, targets):
    """A floor made of the images' count: on a group alone the group's."""
    lkl = rule_errors(outputs, targets).mean()
    return {"loss_kl": torch.max(lkl, torch.tensor([0.1 * len(targets)]))[0]}


def values_floor(outputs, targets):
    """A floor made of the images' values (their targets' mean)."""
    lkl = rule_errors(outputs, targets).mean()
    floor = torch.stack([t["y"] for t in targets]).mean().reshape(1)
    return {"loss_kl": torch.max(lkl, floor)[0]}


def test_a_mean_floored_by_a_constant_tensor_splits():
    """(fails before s50: declined at ``torch.max``)"""
    check_rule(kl_floor, "max")
    check_rule(literal_floor_plus_a_sum, "max")


def test_floors_of_the_batch_decline():
    check_rule(count_floor, "torch.max", declines=True)
    check_rule(values_floor, "torch.max", declines=True)
