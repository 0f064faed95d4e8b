"""A helper called as a method of an instance's attribute (torch-struct's ``self.semiring.prod(x)``,
a static method of the semiring class its struct holds): the call is read, so a default argument it
does not pass (``dim=-1``) is no number the calling code computed from the batch. On main at
4ab73ea the call was not read, and any number the caller computed from the batch's shape
(``batch = tuple(score.shape[b] for b in batch_dims)``) was taken for that argument: 'lost at
torch.sum with a Python number the body computed from a length of its data' (survey 36's CRF NLL).
Near misses: a count of the images a helper got and passes on to a method of its attribute
(``self.ops.power(e, n - 2)``, ``n = len(targets)``) was silently wrong on main (the call not read,
the helper's code computing no count itself): now read, it declines. Where the call is still not
read (the attribute a property, a deeper attribute ``self.inner.ops.power``) it was wrong too
(pinned in session 30); since session 31 the arguments such a call passes at the parameter's
position (or one before, where its first parameter may hold a ``self`` bound) are read, and a
counted one declines (declining every such call from a helper given a count declined D-FINE's
split terms in survey 20). A method of a property whose default is passed, a literal passed by a
helper given the count, and the count reshaping the images' rows split."""

from __future__ import annotations

import pytest
import torch
from _helpers import ROWS, TARGETS, split_outcome, wrong_companions

BATCHES = [(0, [1.0, 0.5, 1.0, 0.5]), (1, [0.5, 1.0, 1.0]), (2, [1.0, 0.5])]


def _batch(seed: int, weights: list[float]) -> tuple[list, list]:
    g = torch.Generator().manual_seed(seed)
    outputs = {"x": torch.randn(len(weights), 4, 3, generator=g).requires_grad_()}
    return [outputs, [{"loss_weight": w} for w in weights]], [ROWS, TARGETS]


class _Ops:
    @staticmethod
    def total(a, dim=-1):
        return torch.sum(a, dim=dim)

    @staticmethod
    def power(a, k=2):
        return a.abs() ** k


class _Struct:
    def __init__(self) -> None:
        self.ops = _Ops

    def score(self, e):
        batch = tuple(e.shape[b] for b in range(1))
        return self.ops.total(e.view(batch + (-1,)))

    def powered(self, e, n):
        return self.ops.power(e, n - 2)

    def squared(self, e, n):
        return self.ops.power(e, 2)

    def per_image(self, e, n):
        return self.ops.total(e.reshape(n, -1))


class _Deeper(_Struct):
    def __init__(self) -> None:
        self.inner = _Struct()

    def powered(self, e, n):
        return self.inner.ops.power(e, n - 2)

    def squared(self, e, n):
        return self.inner.ops.power(e, 2)

    def per_image(self, e, n):
        return self.inner.ops.total(e.reshape(n, -1))


class _Computed(_Struct):
    @property
    def ops(self):  # type: ignore[override]
        return _Ops

    @ops.setter
    def ops(self, value) -> None:
        pass


STRUCT, DEEPER, COMPUTED = _Struct(), _Deeper(), _Computed()


def default_of_an_attributes_method(outputs, targets):
    return {"loss": STRUCT.score(outputs["x"].exp()).mean()}


def near_miss_argument_of_the_count(outputs, targets):
    return {"loss": STRUCT.powered(outputs["x"], len(targets)).mean()}


def method_of_a_property(outputs, targets):
    return {"loss": COMPUTED.score(outputs["x"].exp()).mean()}


def near_miss_count_to_a_method_of_a_property(outputs, targets):
    return {"loss": COMPUTED.powered(outputs["x"], len(targets)).mean()}


def near_miss_count_to_a_method_of_a_deeper_attribute(outputs, targets):
    return {"loss": DEEPER.powered(outputs["x"], len(targets)).mean()}


@pytest.mark.parametrize("body", [default_of_an_attributes_method, method_of_a_property], ids=lambda b: b.__name__)
@pytest.mark.parametrize("batch", BATCHES, ids=lambda b: f"batch{b[0]}")
def test_a_default_of_a_method_of_an_attribute_is_no_count(body, batch) -> None:
    got, want, said = split_outcome(body, *_batch(*batch))
    assert not wrong_companions(got, want)
    assert want and got.keys() == want.keys(), said


@pytest.mark.parametrize("body", [near_miss_argument_of_the_count, near_miss_count_to_a_method_of_a_property,
                                  near_miss_count_to_a_method_of_a_deeper_attribute], ids=lambda b: b.__name__)
@pytest.mark.parametrize("batch", BATCHES, ids=lambda b: f"batch{b[0]}")
def test_near_misses_decline(body, batch) -> None:
    """The count passed on to a method of a property or of a deeper attribute, a call still not
    read (was silently wrong, pinned in session 30): the arguments the parameter may be bound to
    (at its position, or one before, with or without a ``self``) are read as counted, and decline."""
    got, want, said = split_outcome(body, *_batch(*batch))
    assert not wrong_companions(got, want)
    assert not got and said, (got, want)


def count_given_a_literal_passed_on(outputs, targets):
    return {"loss": COMPUTED.squared(outputs["x"], len(targets)).mean() + DEEPER.squared(outputs["x"], len(targets)).mean()}


def count_of_the_images_reshaping_their_rows(outputs, targets):
    return {"loss": COMPUTED.per_image(outputs["x"], len(targets)).mean()
            + DEEPER.per_image(outputs["x"], len(targets)).mean()}


@pytest.mark.parametrize("body", [count_given_a_literal_passed_on, count_of_the_images_reshaping_their_rows],
                         ids=lambda b: b.__name__)
@pytest.mark.parametrize("batch", BATCHES, ids=lambda b: f"batch{b[0]}")
def test_a_helper_given_a_count_passing_a_literal_or_reshaping_the_images_splits(body, batch) -> None:
    """Near misses: the helper got the count but passes a literal to the unread method
    (``self.prop.power(e, 2)``), or reshapes the images' rows by it: exact."""
    got, want, said = split_outcome(body, *_batch(*batch))
    assert want and got.keys() == want.keys() and not wrong_companions(got, want), said
