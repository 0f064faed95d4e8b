"""Bit shifts (``a << b``, ``a >> b``, ``torch.bitwise_left_shift`` / ``_right_shift``) are
element-wise ops of two operands, as ``floor_divide`` is: of per-row data, per-row data in the same
layout (survey 59's DCL codes each box's angle bin in binary bits, ``(bins[:, None] >> arange(4)) & 1``,
and decodes the predicted bits by ``<<``); before, no rule, every key reached declined. A shifted
reduced value (``count >> 1``, a rounded half of a batch count) is no ratio: it declines. Against the
oracle on the count batches (2 to 5 images, 1 to 3 labels each).
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import check_count_declines, check_count_exact

BITS = torch.arange(2)


def label_bits(o, t):
    """Each label coded in two bits by ``>>`` and ``&``, the BCE of the rows' first two columns."""
    labels = torch.cat([u["labels"] for u in t])
    code = ((labels[:, None] >> BITS) & 1).float()
    x = torch.cat([o["x"][i, : len(u["labels"]), :2] for i, u in enumerate(t)])
    return {"loss": F.binary_cross_entropy(x, code)}


def decoded_bits(o, t):
    """The predicted bits decoded by ``<<`` and a sum, each row's decoded value's distance to its
    label weighting its L1 (detached), a mean."""
    rows = torch.cat([o["x"][i, : len(u["labels"]), :2] for i, u in enumerate(t)])
    labels = torch.cat([u["labels"] for u in t])
    with torch.no_grad():
        value = torch.bitwise_left_shift((rows > 0.5).long(), BITS).sum(-1)
        w = 1 + (value - labels).abs().float()
    return {"loss": (w * (rows - 0.5).abs().sum(-1)).mean()}


def right_shift_function(o, t):
    """``torch.bitwise_right_shift`` of each label by one, as a class of two."""
    labels = torch.cat([u["labels"] for u in t])
    x = torch.cat([o["x"][i, : len(u["labels"]), :2] for i, u in enumerate(t)])
    return {"loss": F.cross_entropy(x, torch.bitwise_right_shift(labels, 1))}


def halved_count(o, t):
    """Near miss: the batch's label count shifted right (a rounded half) as the divisor: on a group
    alone the rounded half of its own count, not a share of the batch's."""
    labels = torch.cat([u["labels"] for u in t])
    x = torch.cat([o["x"][i, : len(u["labels"])] for i, u in enumerate(t)])
    n = (labels >= 0).sum() >> 1
    return {"loss": x.sum() / n}


def doubled_loss(o, t):
    """Near miss: a summed loss's integer image shifted left (``<<`` of a reduction)."""
    x = torch.cat([o["x"][i, : len(u["labels"])] for i, u in enumerate(t)])
    return {"loss": ((x > 0.5).sum() << 1).float()}


@pytest.mark.parametrize("body", [label_bits, decoded_bits, right_shift_function])
def test_shifts_of_per_row_data_split(body):
    check_count_exact(body)


@pytest.mark.parametrize("body", [halved_count, doubled_loss])
def test_shifts_of_a_reduced_value_decline(body):
    check_count_declines(body, "shift")
