"""An image's value expanded to a size the code proves a constant of the call (a parameter at its
default the call did not pass; survey 57's PAA, ``label.expand(topk)`` per image, ``topk=4`` on 4
images) is the same on any group's run: no count of the images, whatever it equals (before: only a
literal or a module constant written at the call was, so the call declined where the default equals
the batch's image count). Against the oracle, with near misses whose size is the batch's count.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import count_outcomes


def default_four(o, t, k=4):
    """``k`` a parameter holding its default, 4 (the image count of two batches)."""
    terms = []
    for i in range(len(t)):
        terms.append(F.cross_entropy(o["x"][i, 0][None].expand(k, -1), t[i]["labels"][0].expand(k)))
    return {"loss": torch.stack(terms).mean()}


def default_three_times_rows(o, t, k=3):
    """``k`` at its default, 3, spread along a new leading dim before the rows' own."""
    terms = []
    for i in range(len(t)):
        terms.append((o["x"][i].expand(k, -1, -1) - t[i]["y"]).abs().mean())
    return {"loss": torch.stack(terms).mean()}


def count_of_the_targets(o, t):
    """Near miss: ``k = len(t)``, the batch's image count (on a group alone the group's)."""
    k = len(t)
    terms = []
    for i in range(len(t)):
        terms.append(F.cross_entropy(o["x"][i, 0][None].expand(k, -1), t[i]["labels"][0].expand(k)) * k)
    return {"loss": torch.stack(terms).sum()}


def default_filled_by_the_count(o, t, k=None):
    """Near miss: a parameter at its default ``None`` filled with the batch's image count."""
    k = k or len(t)
    terms = []
    for i in range(len(t)):
        terms.append((o["x"][i].expand(k, -1, -1) - t[i]["y"]).abs().sum())
    return {"loss": torch.stack(terms).sum()}


@pytest.mark.parametrize("body", [default_four, default_three_times_rows])
def test_an_expand_to_a_constant_of_the_call_splits(body):
    seen, said = count_outcomes(body)
    assert seen == ["exact"] * len(seen), said


@pytest.mark.parametrize("body", [count_of_the_targets, default_filled_by_the_count])
def test_an_expand_to_the_batch_count_declines(body):
    seen, said = count_outcomes(body)
    assert "wrong" not in seen and "declined" in seen, (seen, said)
    assert any("Tensor.expand" in m for m in said), said
