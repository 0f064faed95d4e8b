"""A division whose left operand begins a statement that a block's exit lands on (``loss / n`` right
after a ``with torch.no_grad():``, ``if`` or ``for`` block: the load of ``loss`` is a jump target)
reads as the same division written after straight-line code: ``n = outputs["x"].shape[1]``, the
rows per image, is a constant of the call, however it equals the count of images (3 on the second
rule batch). Before survey 51 the bytecode readers found no operand there and the 3 rows were
taken for the 3 images' count (NetVLAD's triplet over its negatives: silently wrong). An arm of a
conditional expression, also a jump target, is no statement's start; the divisor's code is read
whatever the dividend's (``(loss if flag else loss * 3.0) * 2.0 / n`` was silently wrong the same way)."""

import torch
from _helpers import RULE_BATCHES, check_rule, rule_batch, rule_outcome, wrong_companions


def _errors(outputs, targets):
    return (outputs["x"] - torch.stack([t["y"] for t in targets])).abs()


def after_a_with_block(outputs, targets):
    """``/ n`` (the rows per image) right after a ``with torch.no_grad():`` block, a second key
    after it (the dict's first load is the division's)."""
    n = outputs["x"].shape[1]
    loss = _errors(outputs, targets).sum()
    with torch.no_grad():
        total = outputs["x"].sum()
    return {"loss": loss / n, "total": total}


def after_an_if_block(outputs, targets):
    """``loss = loss / n`` right after an ``if`` block."""
    n = outputs["x"].shape[1]
    loss = _errors(outputs, targets).sum()
    if n > 1:
        loss = loss * 2.0
    loss = loss / n
    return {"loss": loss}


def a_reciprocal_after_a_with_block(outputs, targets):
    """``loss * (1.0 / len(targets))`` right after a ``with`` block (the images' count: the group's)."""
    loss = _errors(outputs, targets).sum()
    with torch.no_grad():
        total = outputs["x"].sum()
    return {"loss": loss * (1.0 / len(targets)), "total": total}


def after_a_loop(outputs, targets):
    """``/ n`` right after a loop over the images."""
    n = outputs["x"].size(1)
    loss = 0.0
    for i in range(len(targets)):
        loss = loss + (outputs["x"][i] - targets[i]["y"]).abs().sum()
    return {"loss": loss / n}


def made_width_after_a_with_block(outputs, targets):
    """``/ e.shape[1]`` of a tensor the body made (its width or one padded to the longest image's:
    declined as without the block), after a ``with`` block."""
    e = _errors(outputs, targets)
    with torch.no_grad():
        total = outputs["x"].sum()
    return {"loss": e.sum() / e.shape[1], "total": total}


def an_arm_of_a_conditional(outputs, targets, flag=True):
    """A conditional expression's arm right before ``* 2.0 / n``: the jump target is no statement."""
    n = outputs["x"].shape[1]
    loss = _errors(outputs, targets).sum()
    return {"loss": (loss if flag else loss * 3.0) * 2.0 / n}


def test_a_division_right_after_a_block_reads_as_after_straight_code():
    """(silently wrong before s51 on the batch of 3 images of 3 rows: divided by the group's count)"""
    for body in (after_a_with_block, after_an_if_block, after_a_loop, a_reciprocal_after_a_with_block):
        check_rule(body, "div")


def test_a_made_width_after_a_block_declines_as_without_it():
    """Where the width equals the images' count (3 on batch 1) the key declines, never the count's share."""
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(made_width_after_a_with_block, rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, got, want)
        if len(weights) == 3:
            assert not any(k.startswith("loss_") for k in got), (seed, got)
            assert any("'loss'" in m for m in said), said


def test_an_arm_of_a_conditional_before_the_division():
    """(silently wrong before s51 on batch 1: the dividend unread, the divisor was not read either)"""
    check_rule(an_arm_of_a_conditional, "div")
