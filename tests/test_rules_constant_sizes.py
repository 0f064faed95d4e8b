"""A top-k size the code proves a constant of the call (a parameter at its default the call did not
pass, a module constant, arithmetic of those; survey 56's CLAM, ``a.topk(k)`` per slide after the
previous slide's label was read on the host by ``int(label[i])``): the same on any group's run,
whatever numbers the host read before (before: only a literal written at the call was, so the call
declined). Against the oracle, with near misses whose size a read of another image sets."""

from __future__ import annotations

import pytest
import torch
from _helpers import count_outcomes

TOP = 2




def default_k(o, t, k=2):
    """``k`` a parameter holding its default."""
    terms = []
    for i in range(len(t)):
        terms.append(o["x"][i].flatten().topk(k).values.sum() * (1 + int(t[i]["labels"][0] % 2)))
    return {"loss": torch.stack(terms).mean()}


def module_constant_plus_one(o, t):
    """``TOP + 1``, a module constant no function assigns, plus a literal."""
    terms = []
    for i in range(len(t)):
        terms.append(o["x"][i].flatten().topk(TOP + 1).values.sum() * (1 + int(t[i]["labels"][0] % 2)))
    return {"loss": torch.stack(terms).mean()}


def k_read_from_the_previous_image(o, t, k=2):
    """Near miss: ``k`` rebound to one more than the previous image's label read on the host."""
    terms = []
    for i in range(len(t)):
        terms.append(o["x"][i].flatten().topk(k).values.sum())
        k = 1 + int(t[i]["labels"][0] % 2)
    return {"loss": torch.stack(terms).mean()}


def k_of_the_first_image(o, t):
    """Near miss: every image's ``k`` the first image's label, read on the host before the loop."""
    k = 1 + int(t[0]["labels"][0] % 3)
    terms = []
    for i in range(len(t)):
        terms.append(o["x"][i].flatten().topk(k).values.sum() * (1 + int(t[i]["labels"][0] % 2)))
    return {"loss": torch.stack(terms).mean()}


def _set_top(n):
    global _TOP_SET
    _TOP_SET = n


_TOP_SET = 2


def global_set_from_a_read(o, t):
    """Near miss: a module global a function of the module sets, here from the last image's read."""
    terms = []
    for i in range(len(t)):
        terms.append(o["x"][i].flatten().topk(_TOP_SET).values.sum())
        _set_top(1 + int(t[i]["labels"][0] % 2))
    _set_top(2)
    return {"loss": torch.stack(terms).mean()}


@pytest.mark.parametrize("body", [default_k, module_constant_plus_one])
def test_a_top_k_size_constant_of_the_call_splits(body):
    seen, said = count_outcomes(body)
    assert seen == ["exact"] * len(seen), said


@pytest.mark.parametrize("body", [k_read_from_the_previous_image, k_of_the_first_image, global_set_from_a_read])
def test_a_top_k_size_another_images_read_may_set_declines(body):
    seen, said = count_outcomes(body)
    assert "wrong" not in seen and "declined" in seen, (seen, said)
    assert any("Tensor.topk" in m for m in said), said
