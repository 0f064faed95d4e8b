"""``_bytecode.looped()`` answers "in a loop" where it cannot tell (session 30 audit, psum3): a
helper whose caller it cannot follow may run once per image (``map``, mmdet's ``multi_apply``).
Its callers that decline one image picked by position outside any loop -- a host read of
``t[0]``'s tensor (``mode._read_by_position``), a truth of ``y[0]``'s data, a branch on ``e[0]``'s
mean -- then let a pick in a helper called once through a dict of functions pass: silently wrong
on main at 4ab73ea. A callee loaded as an item of a dict, list or tuple by a constant key is now
followed (``_bytecode._item_of``), so the pick declines; in a loop over the images it still splits.
A lambda made and called there, and a dict held by a class's attribute, are followed too (wpin;
pinned in session 30)."""

from __future__ import annotations

import pytest
import torch
from _helpers import ROWS, TARGETS, rule_batch, split_outcome, wrong_companions

BATCHES = [(0, [1.0, 0.5, 0.5, 1.0]), (1, [0.5, 1.0, 0.5]), (2, [1.0, 0.5]), (3, [1.0, 1.0, 1.0, 0.5]),
           (4, [0.5, 1.0, 1.0, 1.0])]


def _y(t):
    return torch.stack([u["y"] for u in t])


def _errors(o, t):
    return (o["x"] - _y(t)).abs()


def _read_first(o, t):
    threshold = torch.tensor(t[0]["y"].tolist())  # the first image's values, as plain numbers
    return {"loss": (_errors(o, t) * (_y(t) > threshold)).mean()}


def _truth_first(o, t):
    e = _errors(o, t)
    return {"loss": e.mean() * 2 if (_y(t)[0] > 0.85).any() else e.mean()}


def _branch_first(o, t):
    e = _errors(o, t)
    return {"loss": e.mean() * 2 if e[0].mean() > 0.5 else e.mean()}


HELPERS = {"read": _read_first, "truth": _truth_first, "branch": _branch_first}
LISTED = [_read_first, _truth_first]


def read_through_a_dict(o, t):
    return HELPERS["read"](o, t)


def truth_through_a_dict(o, t):
    return HELPERS["truth"](o, t)


def branch_through_a_dict(o, t):
    return HELPERS["branch"](o, t)


def read_through_a_local_list(o, t):
    helpers = [_read_first, _truth_first]
    return helpers[0](o, t)


def _outcomes(body):
    for seed, weights in BATCHES:
        yield split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])


@pytest.mark.parametrize("body", [read_through_a_dict, truth_through_a_dict, branch_through_a_dict,
                                  read_through_a_local_list], ids=lambda f: f.__name__)
def test_a_pick_by_position_in_a_helper_called_through_a_dict_declines(body):
    for got, want, said in _outcomes(body):
        assert want and got == {}, (got, want)
        assert said


def _truth_of_one(e_b):
    return e_b.mean() * 2 if (e_b > 0.85).any() else e_b.mean()


PER_IMAGE = {"truth": _truth_of_one}


def per_image_truth_through_a_dict_in_a_loop(o, t):
    e = _errors(o, t)
    return {"loss": sum(PER_IMAGE["truth"](e[b]) for b in range(len(t))) / len(t)}


def per_image_truth_through_a_dict_in_a_for(o, t):
    e = _errors(o, t)
    total = 0
    for b in range(len(t)):
        total = total + PER_IMAGE["truth"](e[b])
    return {"loss": total / len(t)}


@pytest.mark.parametrize("body", [per_image_truth_through_a_dict_in_a_loop, per_image_truth_through_a_dict_in_a_for],
                         ids=lambda f: f.__name__)
def test_each_image_s_truth_in_a_helper_called_through_a_dict_in_a_loop_splits(body):
    for got, want, said in _outcomes(body):
        assert not wrong_companions(got, want), (got, want)
        assert got and set(got) == set(want), said


class _Holder:
    fns = {"read": _read_first}


def read_through_a_lambda(o, t):
    return (lambda a, b: _read_first(a, b))(o, t)


def read_through_an_attribute_s_dict(o, t):
    return _Holder.fns["read"](o, t)


class _Criterion:
    def __init__(self):
        self.fns = {"truth": _truth_first}

    def loss(self, o, t):
        return self.fns["truth"](o, t)


def truth_through_an_instance_s_dict(o, t):
    return _Criterion().loss(o, t)


@pytest.mark.parametrize("body", [read_through_a_lambda, read_through_an_attribute_s_dict,
                                  truth_through_an_instance_s_dict], ids=lambda f: f.__name__)
def test_a_pick_by_position_in_a_helper_called_through_a_lambda_or_an_attribute_s_dict_declines(body):
    """Were silently wrong (psum3, session 30; fixed by wpin): a lambda made and called there, and a
    dict held by a class's attribute, are followed (``_bytecode._called_function``,
    ``_plain_attribute``), so the helper runs once, outside any loop: the pick declines."""
    for got, want, said in _outcomes(body):
        assert want and got == {}, (got, want)
        assert said


class _Truths:
    fns = {"truth": _truth_of_one}


def per_image_truth_through_a_lambda_in_a_for(o, t):
    e = _errors(o, t)
    total = 0
    for b in range(len(t)):
        total = total + (lambda x: _truth_of_one(x))(e[b])
    return {"loss": total / len(t)}


def per_image_truth_through_an_attribute_s_dict_in_a_for(o, t):
    e = _errors(o, t)
    total = 0
    for b in range(len(t)):
        total = total + _Truths.fns["truth"](e[b])
    return {"loss": total / len(t)}


@pytest.mark.parametrize("body", [per_image_truth_through_a_lambda_in_a_for,
                                  per_image_truth_through_an_attribute_s_dict_in_a_for], ids=lambda f: f.__name__)
def test_each_image_s_truth_through_a_lambda_or_an_attribute_s_dict_in_a_loop_splits(body):
    """Near misses: the same callees in a loop over the images, one image each: exact."""
    for got, want, said in _outcomes(body):
        assert not wrong_companions(got, want), (got, want)
        assert got and set(got) == set(want), said
