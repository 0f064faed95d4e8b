"""A size of image rows times or over number literals (``n = e.shape[0] * 2``, then ``/ n``), and the
Python numbers computed from such a size that no rule proves, measured against the oracle.

Found by ``benchmarks/fuzz_numbers.py`` (session 37): on 76580a6 ``l.sum() / (e.shape[0] * 2)`` and ``n =
o["x"].size(0) * 2`` then ``/ n`` were silently WRONG on the batches whose instance count equalled the
product: the divisor, a ``CountedInt``, went to the division's match by value, which took it for the
target instances. So were ``/ (bs + 2)``, ``/ (bs * len(t[0]["labels"]))``, ``max(bs, 2)`` divided (its
floor above 1 ignored) and ``2 * n`` beside ``/ n``. A count times literals now carries its form
(``CountedInt._linear``) and divides as that multiple of the group's count; a count shifted, rounded,
chosen by ``min`` / ``max`` against a number above its floor, or multiplied by one image's size declines.
"""

import pytest
import torch
from _helpers import TWO_GROUP_COUNT_BATCHES as BATCHES
from _helpers import count_outcomes

# (three of the batches have twice as many instances as images, the coincidence the match by value fell for)


def err(o, t):
    return (o["x"] - torch.stack([u["y"] for u in t])).abs() + 0.1


def size_times_literal(o, t):
    e = err(o, t)
    return {"loss": e.mean(1).sum() / (e.shape[0] * 2)}


def size_times_literal_in_local(o, t):
    e = err(o, t)
    n = o["x"].size(0) * 2
    return {"loss": e.sum() / max(n, 1e-3)}


def literal_times_size_inplace(o, t):
    e = err(o, t)
    b = e.shape[0]
    z = b * 2
    z *= 3
    return {"loss": e.sum() / z, "loss_c": e.mean(1).sum() / (b / 2), "loss_d": e.sum() / (0.5 * b * 4)}


def size_and_its_double(o, t):
    e = err(o, t)
    n = e.shape[0]
    return {"loss": e.sum() / max(n, 1e-3), "loss_c": e.sum() / max(2 * n, 1e-3)}


def elements_and_their_double(o, t):
    e = err(o, t)
    n = e.numel()
    return {"loss": e.sum() / max(n, 1), "loss_c": e.sum() / max(2 * n, 1)}


def size_times_other_dim(o, t):
    e = err(o, t)
    q = e.shape[2]
    return {"loss": e.mean(1).sum() / (e.shape[0] * q)}


def size_capped_above_the_batch(o, t):
    e = err(o, t)
    n = min(o["x"].size(0), 8)
    return {"loss": e.sum() / n}


EXACT = [size_capped_above_the_batch, size_times_literal, size_times_literal_in_local, literal_times_size_inplace, size_and_its_double,
         elements_and_their_double]
# (a count times another dim's size is matched by value: exact where one count of the batch equals it,
# declined where several with different shares do)
NEVER_WRONG = [size_times_other_dim]


def size_plus_literal(o, t):
    e = err(o, t)
    return {"loss": e.mean(1).sum() / (e.shape[0] + 2)}


def size_shifted_twice(o, t):
    e = err(o, t)
    return {"loss": e.mean(1).sum() / (e.shape[0] - 1 + 3)}


def size_times_first_images_count(o, t):
    e = err(o, t)
    k = len(t[0]["labels"])
    return {"loss": e.mean(1).sum() / (e.shape[0] * k)}


def size_floored_above_one(o, t):
    e = err(o, t)
    n = max(e.shape[0], 2)
    return {"loss": e.sum() / max(n, 1e-3), "loss_c": e.sum() / max(2 * n, 1e-3)}


def double_floored_above_its_multiple(o, t):
    e = err(o, t)
    n = e.shape[0]
    return {"loss_d": e.sum() / max(2 * n, 4)}


def size_capped(o, t):
    e = err(o, t)
    n = min(o["x"].size(0), 3)
    return {"loss": sum(e[i].sum() / max(n, 1e-3) for i in range(len(t)))}


def size_capped_in_place(o, t):
    e = err(o, t)
    n = o["x"].size(0)
    n = min(3, n)
    return {"loss": sum(e[i].sum() / max(n, 1e-3) for i in range(len(t)))}


DECLINES = [size_capped_in_place, size_plus_literal, size_shifted_twice, size_times_first_images_count, size_floored_above_one,
            double_floored_above_its_multiple, size_capped]


def outcomes(body):
    """Per batch: ``"wrong"``, ``"exact"`` (every oracle companion, equal) or ``"declined"``."""
    return count_outcomes(body)[0]


@pytest.mark.parametrize("body", EXACT, ids=lambda b: b.__name__)
def test_count_times_literals_splits_exactly(body):
    assert outcomes(body) == ["exact"] * len(BATCHES)


@pytest.mark.parametrize("body", NEVER_WRONG, ids=lambda b: b.__name__)
def test_count_times_a_size_is_never_wrong(body):
    assert "wrong" not in outcomes(body)


@pytest.mark.parametrize("body", DECLINES, ids=lambda b: b.__name__)
def test_other_arithmetic_of_a_count_declines(body):
    seen = outcomes(body)
    assert "wrong" not in seen, seen
    assert "declined" in seen, seen
