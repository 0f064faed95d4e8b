"""A whole number a helper returns (its code not read at the op: a lambda, ``operator.itemgetter``)
used as a divisor, equal by value to a count of the batch (the images, the loss's rows, the
target instances). Found in session 27 (wr3): the number was taken for ``len(targets)``, so each
group was divided by its own count while on a group alone the body divides by the same constant --
a silently wrong companion. Since session 28 a divisor that a call returns from code loading none
of the body's values (``inputless_call_divisor``) declines where it equals such a count, and stays
a constant where it equals none. Near misses: the literal written at the op, and a ``len()`` given
the targets through a helper the user wrote, split exactly."""

import operator

import pytest
import torch
from _helpers import RULE_BATCHES, RULE_ROWS, rule_batch, rule_outcome, wrong_companions

_FOUR = operator.itemgetter(0)
_COUNT = [lambda: 0]  # set per batch by the test: a lambda returning that batch's number of images, no len() in sight
_N = 0  # set per batch by the test: read by ``_the_count_now``
CALLED = "a call returns that is given nothing of the body's values"


def _l1(o, t):
    return (o["x"] - torch.stack([u["y"] for u in t])).abs().sum()


def _four():
    return 4


def _the_count_now():
    return _N


def _count(t):
    return len(t)


def _over_a_lambda_returning_the_count(o, t):
    return {"loss": _l1(o, t) / _COUNT[0]()}


def _over_an_itemgetter_four(o, t):
    return {"loss": _l1(o, t) / _FOUR([4, 1])}


def _over_an_inline_lambda_four(o, t):
    return {"loss": _l1(o, t) / (lambda: 4)()}


def _over_a_local_holding_a_function_s_four(o, t):
    four = lambda: 4  # noqa: E731
    n = four()
    return {"loss": _l1(o, t) / n}


def _divided_in_place_by_a_function_s_four(o, t):
    loss = _l1(o, t)
    loss /= _four()
    return {"loss": loss}


def _div_by_an_itemgetter_four(o, t):
    return {"loss": torch.div(_l1(o, t), _FOUR([4, 1]))}


def _check_declines_where_a_count_equals(body, counts, number):
    """``body`` divides by ``number`` on every ``RULE_BATCHES`` batch: where it equals one of the
    batch's ``counts`` (images, rows, instances; the loss's rows here are the images), no companion
    and a warning naming the division; elsewhere the constant splits exactly."""
    met = 0
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert want and not wrong_companions(got, want), (len(weights), got, want)
        n = number(len(weights))
        if any(c(len(weights)) == n or n % c(len(weights)) == 0 for c in counts):
            met += 1
            assert got == {} and any(CALLED in m and "'loss'" in m for m in said), (len(weights), got, said)
        else:
            assert set(got) == set(want), (len(weights), said)
    assert met, "the number equals no count of any batch: the test cannot fail"


_IMAGES, _INSTANCES = (lambda b: b), (lambda b: b * RULE_ROWS)


@pytest.mark.parametrize("body", [_over_an_itemgetter_four, _over_an_inline_lambda_four,
                                  _over_a_local_holding_a_function_s_four, _divided_in_place_by_a_function_s_four,
                                  _div_by_an_itemgetter_four], ids=lambda b: b.__name__)
def test_a_helper_constant_equal_to_the_count_is_never_wrong(body):
    """4 is the 4-image batch's images (and rows), twice the 2-image batch's: declined there (was
    read as the group's count on 4 images, silently wrong); a constant on the 3-image batch."""
    _check_declines_where_a_count_equals(body, [_IMAGES], lambda b: 4)


def test_a_function_returning_each_batch_s_count_declines_on_every_batch():
    """``_the_count_now()`` returns a global the test sets to each batch's number of images: the
    same number on a group alone."""
    global _N
    def body(o, t):
        return {"loss": _l1(o, t) / _the_count_now()}
    for seed, weights in RULE_BATCHES:
        _N = len(weights)
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert want and got == {} and any(CALLED in m for m in said), (len(weights), got, want, said)


def test_a_lambda_picked_from_a_global_list_returning_each_batch_s_count_is_never_wrong():
    """Was silently wrong (session 28's pin): ``_COUNT[0]()``, a function picked from a global list
    by a literal, returned each batch's number of images and was read as their count. The item
    picked is checked now, not the list (``_bytecode._global_item``): declined on every batch."""
    for seed, weights in RULE_BATCHES:
        n = len(weights)
        _COUNT[0] = lambda n=n: n
        got, want, said = rule_outcome(_over_a_lambda_returning_the_count, rule_batch(seed, weights))
        assert want and not wrong_companions(got, want), (len(weights), got, want, said)
        assert got == {} and any(CALLED in m and "'loss'" in m for m in said), (n, got, said)


_FNS = [_four, lambda: 4]
_TABLE = {"four": _four}


def _over_a_listed_function_s_four(o, t):
    return {"loss": _l1(o, t) / _FNS[0]()}


def _over_a_listed_lambda_s_four(o, t):
    return {"loss": _l1(o, t) / _FNS[1]()}


def _over_a_tabled_function_s_four(o, t):
    return {"loss": _l1(o, t) / _TABLE["four"]()}


@pytest.mark.parametrize("body", [_over_a_listed_function_s_four, _over_a_listed_lambda_s_four,
                                  _over_a_tabled_function_s_four], ids=lambda b: b.__name__)
def test_a_constant_of_a_function_picked_from_a_global_container_is_never_wrong(body):
    """The same picked by a literal from a global list or dict: declined where 4 is a count (was
    read as the group's, silently wrong), a constant (exact) on the 3-image batch."""
    _check_declines_where_a_count_equals(body, [_IMAGES], lambda b: 4)


def test_a_function_picked_from_a_global_list_by_a_local_index_declines_where_it_equals_a_count():
    """Was silently wrong (prov's pin, session 29): the list is checked through the item the local
    index picks now (``i`` stored from a literal only), as an item picked by a literal is."""
    def body(o, t):
        i = 1
        return {"loss": _l1(o, t) / _FNS[i]()}

    _check_declines_where_a_count_equals(body, [_IMAGES], lambda b: 4)


def test_a_helper_constant_equal_to_the_instances_declines():
    """12 is the 4-image batch's target instances (3 rows each), a multiple of the others' images."""
    def body(o, t):
        return {"loss": _l1(o, t) / (lambda: 12)()}
    _check_declines_where_a_count_equals(body, [_IMAGES, _INSTANCES], lambda b: 12)


def test_the_literal_written_at_the_op_splits_exactly():
    """Near miss: ``/ 4`` written at the op is a constant on every batch, the 4-image one included."""
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(lambda o, t: {"loss": _l1(o, t) / 4}, rule_batch(seed, weights))
        assert set(got) == set(want) and not wrong_companions(got, want), (len(weights), got, want, said)


@pytest.mark.parametrize("divisor", [
    lambda t: _count(t),  # a helper of the user's module given the targets
    lambda t: (lambda u: len(u))(t),
    lambda t: (lambda: len(t))(),  # a closure over the targets: a cell, no inputless call
    lambda t: max(_count(t), 1),
], ids=["helper", "lambda_given_targets", "closure", "floored_helper"])
def test_a_len_of_the_targets_through_a_helper_splits_exactly(divisor):
    """Near miss: the count of the images returned by code given the targets is the group's count
    on a group alone, on every batch (its value equal to the 4 of the cases above on 4 images)."""
    def body(o, t):
        return {"loss": _l1(o, t) / divisor(t)}
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert got and set(got) == set(want) and not wrong_companions(got, want), (len(weights), got, want, said)


def test_a_local_length_and_a_filled_list_s_length_split_exactly():
    """Near misses: ``n = len(t)`` then ``/ n``, and ``len(parts)`` of a list the body filled (``parts =
    []``: built from no value, then appended to) are the body's counts, not inputless calls."""
    def stored(o, t):
        n = len(t)
        return {"loss": _l1(o, t) / n}

    def filled(o, t):
        parts = []
        for u in t:
            parts.append(u["y"])
        return {"loss": _l1(o, t) / len(parts)}
    for body in (stored, filled):
        for seed, weights in RULE_BATCHES:
            got, want, said = rule_outcome(body, rule_batch(seed, weights))
            assert got and set(got) == set(want) and not wrong_companions(got, want), (body, len(weights), said)
