"""A whole number a helper returns (its code not read at the op: a lambda, ``operator.itemgetter``)
used as a divisor, equal by value to the number of images. Found in session 27 (wr3), pinned by the
lead: the number is taken for ``len(targets)``, so each group is divided by its own count while on a
group alone the body divides by the same constant -- a silently wrong companion (strict xfail,
README Known limits). Near miss: the literal written at the op splits exactly."""

import operator

import pytest
import torch
from _helpers import RULE_BATCHES, rule_batch, rule_outcome, wrong_companions

_FOUR = operator.itemgetter(0)


def _l1(o, t):
    return (o["x"] - torch.stack([u["y"] for u in t])).abs().sum()


def _over_a_lambda_returning_the_count(o, t):
    return {"loss": _l1(o, t) / _COUNTS[len(t)]()}


_COUNTS = {n: (lambda n=n: n) for n in (2, 3, 4)}  # each returns the batch's count by value, no len() in sight


def _over_an_itemgetter_four(o, t):
    return {"loss": _l1(o, t) / _FOUR([4, 1])}


def _over_an_inline_lambda_four(o, t):
    return {"loss": _l1(o, t) / (lambda: 4)()}


@pytest.mark.xfail(strict=True, reason="known WRONG (found by wr3, session 27; README Known limits): a whole number "
                   "returned by a helper whose code is not read at the op, equal to the number of images, is taken "
                   "for len(targets): each group divided by its own count, the oracle by the constant")
@pytest.mark.parametrize("body", [_over_a_lambda_returning_the_count, _over_an_itemgetter_four,
                                  _over_an_inline_lambda_four], ids=lambda b: b.__name__)
def test_a_helper_constant_equal_to_the_count_is_never_wrong(body):
    for seed, weights in RULE_BATCHES:
        got, want, _ = rule_outcome(body, rule_batch(seed, weights))
        assert want and not wrong_companions(got, want), (len(weights), got, want)


def test_the_literal_written_at_the_op_splits_exactly():
    """Near miss: ``/ 4`` written at the op is a constant on every batch, the 4-image one included."""
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(lambda o, t: {"loss": _l1(o, t) / 4}, rule_batch(seed, weights))
        assert set(got) == set(want) and not wrong_companions(got, want), (len(weights), got, want, said)
