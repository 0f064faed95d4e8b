"""A helper called as a method of an instance's attribute (torch-struct's ``self.semiring.prod(x)``,
a static method of the semiring class its struct holds): the call is read, so a default argument it
does not pass (``dim=-1``) is no number the calling code computed from the batch. On main at
4ab73ea the call was not read, and any number the caller computed from the batch's shape
(``batch = tuple(score.shape[b] for b in batch_dims)``) was taken for that argument: 'lost at
torch.sum with a Python number the body computed from a length of its data' (survey 36's CRF NLL).
Near misses: a count of the images a helper got and passes on to a method of its attribute
(``self.ops.power(e, n - 2)``, ``n = len(targets)``) was silently wrong on main (the call not read,
the helper's code computing no count itself): now read, it declines. Where the call is still not
read (the attribute a property, a deeper attribute ``self.inner.ops.power``) it stays wrong: pinned
(strict xfails; declining every such call from a helper given a count declined D-FINE's split
terms in survey 20). A method of a property whose default is passed splits as on main."""

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


class _Deeper(_Struct):
    def __init__(self) -> None:
        self.inner = _Struct()

    def powered(self, e, n):
        return self.inner.ops.power(e, n - 2)


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


_UNREAD = pytest.mark.xfail(strict=True, reason="known WRONG: a count of the images passed by a helper to a method "
                            "of a property or of a deeper attribute, a call not read, is taken for a constant")


@pytest.mark.parametrize("body", [near_miss_argument_of_the_count,
                                  pytest.param(near_miss_count_to_a_method_of_a_property, marks=_UNREAD),
                                  pytest.param(near_miss_count_to_a_method_of_a_deeper_attribute, marks=_UNREAD)],
                         ids=lambda b: b.__name__)
@pytest.mark.parametrize("batch", BATCHES, ids=lambda b: f"batch{b[0]}")
def test_near_misses_decline(body, batch) -> None:
    got, want, said = split_outcome(body, *_batch(*batch))
    assert not wrong_companions(got, want)
    assert not got and said, (got, want)
