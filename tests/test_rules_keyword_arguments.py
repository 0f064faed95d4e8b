"""A count computed by a helper (``_count(targets)``) and passed on to another by keyword, in any
order (``_term(e, scale=2.0, n=...)``).

Two readings of where a number comes from (``_provenance``) lost a count of the batch on the way,
and both let a count that went through arithmetic no rule proves (``sorted([n, 5])[-1]``,
``round(n / 2) * 2``) be divided as the group's own count by value: silently wrong on most batches
before session 43.

- A helper returning a number it computed from its arguments (``sum(len(t["labels"]) for t in
  targets)``) was read as returning no number of the batch at all. Now its result carries the tags
  the same code would have inline, its parameters read as the call's arguments.
- CPython 3.11's ``dis`` gives ``KW_NAMES`` the index of its tuple in ``co_consts`` as its argument
  value, not the tuple: the keyword names of a call into a helper were read as none and every
  argument zipped with the parameters by position, so a keyword-passed count took the tags of
  whatever stood at its parameter's position (here the literal ``2.0``).

A plain count passed on in any of these ways still splits exactly.
"""

from __future__ import annotations

import pytest
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
