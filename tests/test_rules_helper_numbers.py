"""A count of the batch computed by a helper (``count(targets)``: of this module, of another, a
static or class method, a function defined in the body, a ``functools.partial``) and passed on to
another by keyword, in any order (``_term(e, scale=2.0, n=...)``).

Where a number comes from (``_provenance``) lost a count of the batch on these ways, and a count
that went through arithmetic no rule proves (``sorted([n, 5])[-1]``, ``round(n / 2) * 2``,
``max(n, 5)``) was divided as the group's own count by value: silently wrong on most batches before
session 43.

- A helper returning a number it computed from its arguments was read as returning no number of
  the batch at all. Now its result carries the tags the same code would have inline, its
  parameters read as the call's arguments (each as every argument where the call does not tell
  them apart: ``_count_each(*targets)``).
- Only functions of the criterion's module and methods of its ``self`` were read. Now also a
  function of another module (``othermod.count(t)``), a static or class method called on its class,
  and a function defined in the body (``def count(): ..``, a closure over the targets).
- Python code not read at all given values of the batch returns a number the split cannot trust: a
  ``functools.partial``, a method of another object the criterion holds (``self.counter.count(t)``),
  a function set on the instance (``self.count_fn(t)``), a table of functions (``self.table["count"]``,
  a module's ``TABLE["count"]``). A division by it declines, naming it ("its code is not read"). A size
  or a host read of what such a callable returned (``self.l1(x, y).numel()``) is no number it
  returned, nor is an item a loop takes from it (``enumerate(self.matcher(..))``).
- CPython 3.11's ``dis`` gives ``KW_NAMES`` the index of its tuple in ``co_consts`` as its argument
  value, not the tuple: the keyword names of a call into a helper were read as none and every
  argument zipped with the parameters by position, so a keyword-passed count took the tags of
  whatever stood at its parameter's position (here the literal ``2.0``).

A plain count passed on in any of these ways splits exactly (the partial aside: declined).
"""

from __future__ import annotations

import functools

import _counting
import pytest
import torch
from _counting import Counts
from _helpers import count_outcomes, rule_errors


def _term(e, n, scale):
    return e.sum() / n * scale


class _Criterion:
    def term(self, e, n, *, scale=1.0):
        return e.sum() / n * scale


def _count_each(*per_image):
    return sum(len(t["labels"]) for t in per_image)


def _errors(outputs, targets):
    return rule_errors(outputs, targets)[:, 0, 0]


def _count(targets):
    return sum(len(t["labels"]) for t in targets)


def count_by_position(outputs, targets):
    return {"loss": _term(_errors(outputs, targets), _count(targets), 2.0)}


def count_by_keyword(outputs, targets):
    return {"loss": _term(_errors(outputs, targets), n=_count(targets), scale=2.0)}


def count_by_keyword_swapped(outputs, targets):
    return {"loss": _term(_errors(outputs, targets), scale=2.0, n=_count(targets))}


def count_to_method_by_keyword(outputs, targets):
    return {"loss": _Criterion().term(_errors(outputs, targets), scale=0.5, n=_count(targets))}


def count_of_unpacked_targets(outputs, targets):
    return {"loss": _term(_errors(outputs, targets), _count_each(*targets), 2.0)}


def sorted_count_of_unpacked_targets(outputs, targets):
    return {"loss": _term(_errors(outputs, targets), sorted([_count_each(*targets), 5])[-1], 2.0)}


def sorted_count_by_position(outputs, targets):
    return {"loss": _term(_errors(outputs, targets), sorted([_count(targets), 5])[-1], 2.0)}


def sorted_count_by_keyword_swapped(outputs, targets):
    return {"loss": _term(_errors(outputs, targets), scale=2.0, n=sorted([_count(targets), 5])[-1])}


def rounded_count_by_keyword_swapped(outputs, targets):
    return {"loss": _term(_errors(outputs, targets), scale=2.0, n=round(_count(targets) / 2) * 2)}


def rounded_count_to_method(outputs, targets):
    return {"loss": _Criterion().term(_errors(outputs, targets), scale=0.5, n=round(_count(targets) / 2) * 2)}


@pytest.mark.parametrize("body", [count_by_position, count_by_keyword, count_by_keyword_swapped,
                                  count_to_method_by_keyword, count_of_unpacked_targets])
def test_a_count_passed_by_keyword_splits_exactly(body):
    seen, said = count_outcomes(body)
    assert seen == ["exact"] * len(seen) and not said, (seen, said)


@pytest.mark.parametrize("body", [sorted_count_by_position, sorted_count_by_keyword_swapped,
                                  rounded_count_by_keyword_swapped, rounded_count_to_method,
                                  sorted_count_of_unpacked_targets])
def test_a_count_through_arithmetic_passed_by_keyword_declines(body):
    seen, said = count_outcomes(body)
    assert seen == ["declined"] * len(seen), seen
    assert any("key 'loss'" in s and "Python number of the batch" in s for s in said), said


_partial_count = functools.partial(_count)


def _other_module(outputs, targets):
    return _term(_errors(outputs, targets), _counting.count(targets), 2.0)


def _static(outputs, targets):
    return _term(_errors(outputs, targets), Counts.plain(targets), 2.0)


def _closure(outputs, targets):
    def count():
        return sum(len(u["labels"]) for u in targets)
    return _term(_errors(outputs, targets), count(), 2.0)


def _lambda(outputs, targets):
    count = lambda: sum(len(u["labels"]) for u in targets)  # noqa: E731
    return _term(_errors(outputs, targets), count(), 2.0)


def _through_helper(targets):
    return _count(targets)


def _helper_of_helper(outputs, targets):
    return _term(_errors(outputs, targets), _through_helper(targets), 2.0)


def _sorted_other_module(outputs, targets):
    return _term(_errors(outputs, targets), sorted([_counting.count(targets), 5])[-1], 2.0)


def _sorted_static(outputs, targets):
    return _term(_errors(outputs, targets), sorted([Counts.plain(targets), 5])[-1], 2.0)


def _class_method_floor(outputs, targets):
    return _term(_errors(outputs, targets), Counts.at_least(targets), 2.0)


def _sorted_closure(outputs, targets):
    def count():
        return sum(len(u["labels"]) for u in targets)
    return _term(_errors(outputs, targets), sorted([count(), 5])[-1], 2.0)


def _sorted_helper_of_helper(outputs, targets):
    return _term(_errors(outputs, targets), sorted([_through_helper(targets), 5])[-1], 2.0)


def _max_of_helper(outputs, targets):
    return _term(_errors(outputs, targets), max(_count(targets), 5), 2.0)


def _partial(outputs, targets):
    return _term(_errors(outputs, targets), _partial_count(targets), 2.0)


@pytest.mark.parametrize("loss", [_other_module, _static, _closure, _lambda, _helper_of_helper])
def test_a_count_from_a_helper_read_anywhere_splits_exactly(loss):
    seen, said = count_outcomes(lambda outputs, targets: {"loss": loss(outputs, targets)})
    assert seen == ["exact"] * len(seen) and not said, (seen, said)


@pytest.mark.parametrize("loss", [_sorted_other_module, _sorted_static, _class_method_floor, _sorted_closure,
                                  _sorted_helper_of_helper, _max_of_helper, _partial])
def test_a_count_from_a_helper_through_arithmetic_or_unread_declines(loss):
    seen, said = count_outcomes(lambda outputs, targets: {"loss": loss(outputs, targets)})
    assert seen == ["declined"] * len(seen), seen
    assert any("key 'loss'" in s and "Python number of the batch" in s for s in said), said


class _Counter:
    def count(self, targets):
        return sum(len(t["labels"]) for t in targets)


_TABLE = {"count": _count}


class _Holding(torch.nn.Module):
    """A criterion holding its counting code where it is not read: another object's method, a function
    set on the instance, a table of functions; and a loss module."""

    def __init__(self):
        super().__init__()
        self.counter = _Counter()
        self.count_fn = _count
        self.table = {"count": _count}
        self.l1 = torch.nn.L1Loss(reduction="none")

    def object_method(self, outputs, targets):
        return {"loss": _term(_errors(outputs, targets), self.counter.count(targets), 2.0)}

    def instance_function(self, outputs, targets):
        return {"loss": _term(_errors(outputs, targets), self.count_fn(targets), 2.0)}

    def own_table(self, outputs, targets):
        return {"loss": _term(_errors(outputs, targets), self.table["count"](targets), 2.0)}

    def module_table(self, outputs, targets):
        return {"loss": _term(_errors(outputs, targets), _TABLE["count"](targets), 2.0)}

    def sorted_object_method(self, outputs, targets):
        return {"loss": _term(_errors(outputs, targets), sorted([self.counter.count(targets), 5])[-1], 2.0)}

    def loss_module_mean(self, outputs, targets):
        e = self.l1(outputs["x"][:, 0, 0], torch.stack([t["y"][0, 0] for t in targets]))
        return {"loss": e.sum() / e.numel()}


@pytest.mark.parametrize("name", ["object_method", "instance_function", "own_table", "module_table",
                                  "sorted_object_method"])
def test_a_number_from_code_not_read_declines(name):
    seen, said = count_outcomes(getattr(_Holding(), name))
    assert seen == ["declined"] * len(seen), seen
    assert any("key 'loss'" in s and "its code is not read" in s for s in said), said


def test_a_size_of_what_a_loss_module_returns_splits_exactly():
    seen, said = count_outcomes(_Holding().loss_module_mean)
    assert seen == ["exact"] * len(seen) and not said, (seen, said)
