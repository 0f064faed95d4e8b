"""Red team of the constant arm (session 45, ``_bytecode.constant_arms``, ``mode.Arm``) and of ``_reach``
(session 44): bodies where the
real group alone takes the ``else: x = <constant>`` of an ``if``/``else`` the batch did not take, built
so that something besides ``x`` differs on the group's run (an effect in the block the rule skips, a
use of ``x`` the constant does not answer as ``E`` did, a name rebound). Each is compared with the
oracle (DESIGN.md §1) by ``split_outcome``: no companion may be wrong, and the keys such a difference
reaches are declined for the real group.

WRONG on main (733a2b1), fixed here: ``_reach`` took a property (``cfg.scale``), a dict subclass's
``__getitem__`` and a function whose ``__module__`` names torch for reads free of effects in an arm (or
in a function the arm calls), and a key function named ``sort`` passed to ``list.sort`` for a call of
that function (heuristic (b), by name): the other keys kept the batch's values (``loss_reads`` real
0.2, oracle 0.1; ``loss_first`` real 0.3, oracle 0.1). And the capture itself ran a property of the
user's while reading configuration (``batch_fields._attribute``): the decorated call's training loss
differed from the undecorated one.

``_err`` is 0.1 on real images and 0.9 on synthetic ones: ``e > 0.5`` picks synthetic rows only."""

from __future__ import annotations

import sys
import types

import pytest
import torch
import torch.nn.functional as F
from _helpers import split_outcome, wrong_companions
from test_red_team44_reach import _batch, _err

pytestmark = pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the proof reads 3.11 bytecode")

def _picked(outputs, targets):
    """The errors and their rows above 0.5 (synthetic images' only)."""
    e = _err(outputs, targets)
    return e, e[e > 0.5]


def _outcome(body):
    args, kinds = _batch()
    got, want, said = split_outcome(body, args, kinds)
    assert not wrong_companions(got, want), (got, want, said)
    return got, want, said


# -- a tensor subclass whose ``__torch_function__`` writes what another key reads ----------------------

class _Counting(torch.Tensor):
    """Each ``mean`` of it counts itself in ``seen`` (the list it was made with), every function runs
    with torch functions disabled: no op of it reaches the capture."""

    seen: list

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        for a in args:
            if isinstance(a, _Counting) and func is torch.Tensor.mean:
                a.seen.append(func)
        with torch._C.DisableTorchFunction():
            return func(*args, **(kwargs or {}))


def _counting(t, seen):
    c = t.as_subclass(_Counting)
    c.seen = seen
    return c


def subclass_counts_its_ops_in_the_block(outputs, targets):
    e = _err(outputs, targets)
    seen = []
    p = e[e > 0.5]
    if len(p) > 0:
        q = _counting(p, seen)
        x = q.mean().as_subclass(torch.Tensor)
    else:
        x = torch.tensor(0.0)
    return {"loss": x + e.mean(), "loss_seen": e.mean() * (1.0 + len(seen))}


def subclass_made_in_the_block(outputs, targets):
    """The subclass made inside the block by a tensor method (``as_subclass``), from a plain tensor."""
    e, p = _picked(outputs, targets)
    marker = torch.zeros(())
    if len(p) > 0:
        x = p.as_subclass(_Marked).mean().as_subclass(torch.Tensor)
    else:
        x = torch.tensor(0.0)
    return {"loss": x + e.mean(), "loss_marked": e.mean() + marker * len(_Marked.seen)}


class _Marked(torch.Tensor):
    seen: list = []

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func is torch.Tensor.mean:
            cls.seen.append(func)
        with torch._C.DisableTorchFunction():
            return func(*args, **(kwargs or {}))


# -- a property or ``__getattr__`` run in the block -------------------------------------------------------

class _Config:
    def __init__(self):
        self.reads = 0

    @property
    def scale(self):
        self.reads += 1
        return 2.0


def property_read_in_the_block(outputs, targets):
    e = _err(outputs, targets)
    cfg = _Config()
    p = e[e > 0.5]
    if len(p) > 0:
        x = p.mean() * cfg.scale
    else:
        x = torch.tensor(0.0)
    return {"loss": x + e.mean(), "loss_reads": e.mean() * (1.0 + cfg.reads)}


class _Table(dict):
    """A dict whose reads count themselves."""

    def __getitem__(self, key):
        self.reads = getattr(self, "reads", 0) + 1
        return dict.__getitem__(self, key)


def dict_subclass_read_in_the_block(outputs, targets):
    e = _err(outputs, targets)
    table = _Table(w=torch.tensor(2.0))
    p = e[e > 0.5]
    if len(p) > 0:
        x = p.mean() * table["w"]
    else:
        x = torch.tensor(0.0)
    return {"loss": x + e.mean(), "loss_reads": e.mean() * (1.0 + getattr(table, "reads", 0))}


_FAKE_F = types.ModuleType("torch.nn.functional_fake")
_FAKE_F.calls = []


def _fake_l1(a, b):
    _FAKE_F.calls.append(1)
    return F.l1_loss(a, b)


_fake_l1.__module__ = "torch.nn.functional"  # passes for torch's by its module name
_FAKE_F.l1_loss = _fake_l1


def module_named_torch_with_an_effect(outputs, targets):
    e = _err(outputs, targets)
    _FAKE_F.calls.clear()
    p = e[e > 0.5]
    if len(p) > 0:
        x = _FAKE_F.l1_loss(p, torch.zeros_like(p))
    else:
        x = torch.tensor(0.0)
    return {"loss": x + e.mean(), "loss_calls": e.mean() * (1.0 + len(_FAKE_F.calls))}


# -- the constant meets a use ``E`` answers otherwise -------------------------------------------------------

def shaped_constant_indexed_later(outputs, targets):
    """``y[None]`` is [1] on the batch, [1, 1] alone; its sum is the same, its ``shape`` is not."""
    e, p = _picked(outputs, targets)
    if len(p) > 0:
        x = p.mean()
    else:
        x = torch.FloatTensor(1).fill_(0.0)
    y = (x * 3.0)[None]
    return {"loss": y.sum() + e.mean() * y.dim()}


def constant_compared_later(outputs, targets):
    e, p = _picked(outputs, targets)
    if len(p) > 0:
        x = p.mean()
    else:
        x = torch.tensor(0.0)
    scaled = x * 10.0
    bonus = e.mean() * 2.0 if scaled < 1.0 else e.mean()
    return {"loss": scaled + bonus}


def constant_in_place_later(outputs, targets):
    e, p = _picked(outputs, targets)
    if len(p) > 0:
        x = p.mean()
    else:
        x = torch.tensor(0.0)
    y = x * 1.0
    y += e.mean()
    return {"loss": y}


def number_constant_times_a_float(outputs, targets):
    """``x = 0`` (an int): ``x * 2.5`` alone is a Python float, no tensor; ``+ e.mean()`` then is one."""
    e, p = _picked(outputs, targets)
    if len(p) > 0:
        x = p.mean()
    else:
        x = 0
    return {"loss": x * 2.5 + e.mean()}


def double_constant_beside_float_terms(outputs, targets):
    """``torch.DoubleTensor(1)`` beside float32 ``E``: alone the total is float64."""
    e, p = _picked(outputs, targets)
    if len(p) > 0:
        x = p.mean()
    else:
        x = torch.DoubleTensor(1).fill_(0.1)
    return {"loss": (x + e.mean()).squeeze()}


# -- names rebound, exceptions, frames ----------------------------------------------------------------------

def _helper_rebound_after(t):
    return torch.mean(t)  # (a torch function: ``_reach`` proves it; a method of a parameter it cannot)


def helper_rebound_between_calls(outputs, targets):
    e, p = _picked(outputs, targets)
    if len(p) > 0:
        x = _helper_rebound_after(p) * 1.0  # (a function of its own makes an intermediate value only)
    else:
        x = torch.tensor(0.0)
    return {"loss": x + e.mean()}


_CALLS: list = []


def _noisy_mean(t):
    _CALLS.append(t)
    return torch.mean(t)


def exception_swallowed_around_the_block(outputs, targets):
    """The block raises on the batch after its first op; ``except`` then takes another path."""
    e, p = _picked(outputs, targets)
    flag = 1.0
    try:
        if len(p) > 0:
            x = p.mean()
            x = x + p[100]
        else:
            x = torch.tensor(0.0)
    except IndexError:
        x = torch.tensor(0.0)
        flag = 3.0
    return {"loss": x + e.mean(), "loss_flag": e.mean() * flag}


def locals_read_after_the_block(outputs, targets):
    e, p = _picked(outputs, targets)
    if len(p) > 0:
        t = p * 2.0
        x = t.mean()
    else:
        x = torch.tensor(0.0)
    return {"loss": x + e.mean(), "loss_n": e.mean() * len(locals())}


# -- heuristic (b) of ``_reach``: a method call taken for the helper's by its name ---------------------------

_HELD: list = []


def sort(v):
    """A key function named as ``list.sort``, deciding on the images' values."""
    s = -1.0 if (_HELD[0] > 0.5).any() else 1.0
    return s * v


def key_function_named_as_the_sort_calling_it(outputs, targets):
    """``order.sort(key=sort)``: the decision is taken in ``sort``'s frame, called by ``list.sort``
    (no frame of its own) at a call of a method named ``sort``: before, taken for a call of the
    helper itself, the reordered list was not followed (``loss_first`` real 0.3, oracle 0.1)."""
    e = _err(outputs, targets)
    _HELD[:] = [e]
    order = [3.0, 1.0]
    order.sort(key=sort)
    return {"loss": e.mean(), "loss_first": e.mean() * order[0]}


class _Criterion:
    def _term(self, e):
        s = 2.0 if (e > 0.5).any() else 1.0
        return e.mean() * s

    def __call__(self, outputs, targets):
        e = _err(outputs, targets)
        return {"loss": self._term(e), "loss_mean": e.mean()}


method_of_the_criterion_deciding = _Criterion().__call__
"""The legitimate case heuristic (b) serves: ``self._term(e)`` is the very function deciding."""


# -- a function of the user's called in an arm, reading its parameters -------------------------------------

def _scaled_by_attribute(t, cfg):
    return torch.mean(t) * cfg.scale


def _scaled_by_item(t, table):
    return torch.mean(t) * table["w"]


def helper_reads_a_property_of_its_parameter(outputs, targets):
    """The function is checked whole, free of effects by its code; the property it reads is not."""
    e = _err(outputs, targets)
    cfg = _Config()
    total = e.mean()
    if (e > 0.5).any():
        total = total + _scaled_by_attribute(e, cfg)
    return {"loss": total, "loss_reads": e.mean() * (1.0 + cfg.reads)}


def helper_subscripts_a_dict_subclass_passed_in(outputs, targets):
    e = _err(outputs, targets)
    table = _Table(w=torch.tensor(2.0))
    total = e.mean()
    if (e > 0.5).any():
        total = total + _scaled_by_item(e, table)
    return {"loss": total, "loss_reads": e.mean() * (1.0 + getattr(table, "reads", 0))}


# -- ``E`` sharing its values with a value made before the block ---------------------------------------------

def block_scales_a_mean_made_before(outputs, targets):
    """``x = m * 1.0``: ``E`` is ``m``'s ratio again; before the check, ``loss_m`` (from ``m``, not
    ``x``) took the constant as well: real 0.1 where the oracle has none (``m`` is an empty mean)."""
    e, p = _picked(outputs, targets)
    m = p.mean()
    if len(p) > 0:
        x = m * 1.0
    else:
        x = torch.tensor(0.0)
    return {"loss": x + e.mean(), "loss_m": m * 3.0 + e.mean(), "loss_mm": m}


def block_scales_a_mean_by_a_shared_constant(outputs, targets):
    """``x = m * 2.0``, then ``m * 2.0 * 1.5`` after the join: the same float object scales both."""
    e, p = _picked(outputs, targets)
    m = p.mean()
    if len(p) > 0:
        x = m * 2.0
    else:
        x = torch.tensor(0.0)
    return {"loss": x + e.mean(), "loss_m": m * 2.0 * 1.5 + e.mean()}


BODIES = [block_scales_a_mean_made_before, block_scales_a_mean_by_a_shared_constant,
          helper_reads_a_property_of_its_parameter, helper_subscripts_a_dict_subclass_passed_in,
          key_function_named_as_the_sort_calling_it, method_of_the_criterion_deciding,
          subclass_counts_its_ops_in_the_block, subclass_made_in_the_block, property_read_in_the_block,
          dict_subclass_read_in_the_block, module_named_torch_with_an_effect,
          shaped_constant_indexed_later, constant_compared_later, constant_in_place_later,
          number_constant_times_a_float, double_constant_beside_float_terms, exception_swallowed_around_the_block,
          locals_read_after_the_block]


@pytest.mark.parametrize("body", BODIES)
def test_no_companion_differs_from_the_oracle(body):
    _Marked.seen.clear()
    got, want, said = _outcome(body)
    assert want and any(name.endswith("_real") for name in want), want


# the key each body's difference reaches: the real group must get none of it
REACHED = {
    helper_reads_a_property_of_its_parameter: "loss_reads",
    helper_subscripts_a_dict_subclass_passed_in: "loss_reads",
    key_function_named_as_the_sort_calling_it: "loss_first",
    subclass_counts_its_ops_in_the_block: "loss_seen",
    property_read_in_the_block: "loss_reads",
    dict_subclass_read_in_the_block: "loss_reads",
    module_named_torch_with_an_effect: "loss_calls",
    constant_compared_later: "loss",
    constant_in_place_later: "loss",
    number_constant_times_a_float: "loss",
}


@pytest.mark.parametrize("body", list(REACHED), ids=lambda b: b.__name__)
def test_the_reached_key_is_declined_for_the_group_that_takes_the_constant(body):
    got, want, said = _outcome(body)
    key = REACHED[body]
    assert f"{key}_real" in want and f"{key}_real" not in got, (got, want, said)


def test_a_helper_rebound_to_one_with_an_effect_is_read_again():
    """The block's function is proven free of effects by its code: rebound in its module to one that
    appends, the next call declines (the ``_reach`` verdict is per code, the name read each call)."""
    global _helper_rebound_after
    got, want, _ = _outcome(helper_rebound_between_calls)
    assert "loss_real" in got
    kept = _helper_rebound_after
    _helper_rebound_after = _noisy_mean
    try:
        got, want, said = _outcome(helper_rebound_between_calls)
        assert "loss_real" not in got, (got, want, said)
    finally:
        _helper_rebound_after = kept
        _CALLS.clear()


def test_a_method_of_the_criterion_that_decides_keeps_the_keys_it_does_not_reach():
    """``self._term(e)`` runs the deciding frame's code: ``loss_mean`` is kept for the real group."""
    got, want, said = _outcome(method_of_the_criterion_deciding)
    assert "loss_mean_real" in got and "loss_real" not in got, (got, want, said)
