"""A one-element tensor of Python arithmetic of running sums, one number per image added in a loop
over the images (YOLOX's logged ``torch.tensor(num_fg / max(num_gts, 1))``, ``num_fg +=
int(fg_mask.sum())`` and ``num_gts += len(gt)`` per image): on a group alone the body adds up the
group's numbers, so the tensor is that expression of the group's sums (``_bytecode.tensor_of_running_sums``,
``Frame.running_sum``). Near misses where the code or the numbers do not prove that decline with a
warning naming the key; none is given a value other than the oracle's."""

from __future__ import annotations

import types

import pytest
import torch
from _helpers import COUNT_BATCHES, ROWS, TARGETS, count_batch, split_outcome, wrong_companions


def _errors(outputs, targets):
    return (outputs["x"] - torch.stack([t["y"] for t in targets])).abs()


def yolox_ratio(outputs, targets):
    """YOLOX's ``get_losses``: the reads added per image, floored after the loop, a loss over the
    floored count and the logged ratio of the two running sums."""
    num_fg, num_gts = 0.0, 0.0
    for t in targets:
        num_gts += len(t["labels"])
        fg = t["y"][:, 0] > 0.4
        num_fg_img = int(fg.sum())
        num_fg += num_fg_img
    num_fg = max(num_fg, 1)
    loss = _errors(outputs, targets).sum() / num_fg
    return {"loss": loss, "num_fg": torch.tensor(num_fg / max(num_gts, 1))}


def logged_sums(outputs, targets):
    """The two sums logged as they are, their product and a literal's share."""
    num_pos, num_labels = 0, 0
    for t in targets:
        pos = t["y"] > 0.5
        num_labels += len(t["labels"])
        n = int(pos.sum())
        num_pos += n
    num_pos = max(num_pos, 1)
    loss = _errors(outputs, targets).sum() / num_pos
    return {"loss": loss, "pos": torch.tensor(float(num_pos)), "labels": torch.tensor(num_labels),
            "product": torch.tensor(num_pos * num_labels - 2.5), "share": torch.tensor(num_labels / 10.0)}


def generator_sums(outputs, targets):
    """The sums written as ``sum`` of a generator over the targets, one floored."""
    num_pos = sum(int((t["y"] > 0.5).sum()) for t in targets)
    num_pos = max(num_pos, 1)
    num_labels = sum(len(t["labels"]) for t in targets)
    loss = _errors(outputs, targets).sum() / num_pos
    return {"loss": loss, "ratio": torch.tensor(num_pos / max(num_labels, 1)),
            "ratio64": torch.tensor(num_pos / max(num_labels, 1), dtype=torch.float64, device=loss.device)}


@pytest.mark.parametrize("body", [yolox_ratio, logged_sums, generator_sums])
def test_a_tensor_of_running_sums_of_one_number_per_image_is_the_group_s_expression(body):
    """Were declined ("torch.tensor with a Python number the body computed from a length of its
    data", or "carries no images' rows, and values of the images were read on the host")."""
    for seed, weights in COUNT_BATCHES:
        got, want, said = split_outcome(body, list(count_batch(seed, weights)), [ROWS, TARGETS])
        assert set(got) == set(want) and not wrong_companions(got, want), (seed, said)


# -- near misses: the same shape where the code or the numbers do not prove the sums the group's ---


def added_behind_a_test(outputs, targets):
    num_fg, num_gts = 0.0, 0.0
    for b, t in enumerate(targets):
        num_gts += len(t["labels"])
        num_fg_img = int((t["y"][:, 0] > 0.4).sum())
        if b > 0:
            num_fg += num_fg_img
    loss = _errors(outputs, targets).sum() / max(num_fg, 1)
    return {"loss": loss, "num_fg": torch.tensor(num_fg / max(num_gts, 1))}


def made_inside_the_loop(outputs, targets):
    num_gts, logged = 0.0, []
    for t in targets:
        num_gts += len(t["labels"])
        logged.append(torch.tensor(num_gts))
    return {"loss": _errors(outputs, targets).mean(), "num_fg": torch.stack(logged).sum()}


def read_against_the_batch_s_mean(outputs, targets):
    x, num_fg = outputs["x"], 0.0
    for b in range(len(targets)):
        num_fg_img = int((x[b] > x.mean()).sum())
        num_fg += num_fg_img
    loss = _errors(outputs, targets).sum() / max(num_fg, 1)
    return {"loss": loss, "num_fg": torch.tensor(num_fg / 2.0)}


def floored_with_no_read_above_the_floor(outputs, targets):
    num_fg = 0.0
    for t in targets:
        num_fg_img = int((t["y"][:, 0] > 2.0).sum())
        num_fg += num_fg_img
    num_fg = max(num_fg, 1)
    return {"loss": _errors(outputs, targets).sum() / num_fg, "num_fg": torch.tensor(num_fg / 2.0)}


def _own_max(a, b):
    return a if a > b else b + 1


def _shadowed_max(outputs, targets):
    num_gts = 0.0
    for t in targets:
        num_gts += len(t["labels"])
    return {"loss": _errors(outputs, targets).mean(), "num_fg": torch.tensor(1.0 / max(num_gts, 1))}


# the same code where the module's own ``max`` shadows the builtin
through_a_shadowed_max = types.FunctionType(_shadowed_max.__code__, {**globals(), "max": _own_max}, "through_a_shadowed_max")


def skipping_the_first_image(outputs, targets):
    num_gts = 0.0
    for t in targets[1:]:
        num_gts += len(t["labels"])
    return {"loss": _errors(outputs, targets).mean(), "num_fg": torch.tensor(num_gts / 2.0)}


def reset_by_the_body(outputs, targets):
    num_gts = 0.0
    for t in targets:
        num_gts += len(t["labels"])
    if len(targets) > 2:
        num_gts = 3.0
    return {"loss": _errors(outputs, targets).mean(), "num_fg": torch.tensor(num_gts / 2.0)}


def floored_behind_a_test(outputs, targets):
    """A group of one or two images alone is not floored (batch 1: a group with no label 1)."""
    num_fg = 0.0
    for t in targets:
        num_fg_img = int((t["labels"] == 1).sum())
        num_fg += num_fg_img
    if len(targets) > 2:
        num_fg = max(num_fg, 1)
    return {"loss": _errors(outputs, targets).sum() / max(num_fg, 1), "num_fg": torch.tensor(num_fg / 2.0)}


def sum_under_a_test(outputs, targets):
    """A group with at most 4 labels alone logs 0."""
    num_gts = 0.0
    for t in targets:
        num_gts += len(t["labels"])
    return {"loss": _errors(outputs, targets).mean(),
            "num_fg": torch.tensor(num_gts / 2.0) if num_gts > 4 else torch.tensor(0.0)}


@pytest.mark.parametrize("body", [added_behind_a_test, made_inside_the_loop, read_against_the_batch_s_mean,
                                  floored_with_no_read_above_the_floor, through_a_shadowed_max,
                                  skipping_the_first_image, reset_by_the_body, floored_behind_a_test, sum_under_a_test])
def test_a_tensor_of_sums_the_code_or_the_numbers_do_not_prove_the_group_s_declines(body):
    """An addition behind a test, a tensor made inside the loop (a partial sum), a read mixing
    the batch, a sum at its floor (which numbers it is cannot be told), a ``max`` that is not the
    builtin, a loop past the first image, a sum the body rebinds, a floor behind a test, a sum
    the body tests: declined with a warning, never another value than the oracle's."""
    declined = 0
    for seed, weights in COUNT_BATCHES:
        got, want, said = split_outcome(body, list(count_batch(seed, weights)), [ROWS, TARGETS])
        assert want and not wrong_companions(got, want), (seed, said)
        groups = {k.rsplit("_", 1)[1] for k in want}
        if len(groups) > 1 and not {f"num_fg_{g}" for g in groups} & set(got):
            declined += 1
            assert any("'num_fg'" in m or "no companions for this call" in m for m in said), said
    assert declined, body.__name__
