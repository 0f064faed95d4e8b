"""A tensor method named as a computing builtin (``x.pow(3)``) in the expression that divides by a size
of image rows (ComplEx-N3's ``sum(f.abs().pow(3).sum() for f in factors) / h_re.shape[0]``, survey 69).
Was: GAP, declined at ``pow`` as a size put through the builtin ``pow`` (the tag of any call named
``pow``). Now the builtin's tag (``scall:``, ``size_through_builtin``) is only given where the called
name is the builtin itself (not shadowed) and one of its arguments carries a size: a tensor's method
is followed by the row rules. Near misses that must still decline: the builtin ``pow`` (or ``divmod``)
given the size itself, on the batches of several groups (on a group alone it computes from the
group's rows; its hooks see no arithmetic)."""

from __future__ import annotations

import pytest
import torch
from _helpers import Along, check_labelled, split_outcome
from _survey import LIBRARY_SOURCES, gen

SEEDS = range(len(LIBRARY_SOURCES))


def _batch(seed: int) -> tuple[list, list, list]:
    """Two factors [B, 3] (one requires grad) along the images."""
    g = gen(seed + 4800)
    b = len(LIBRARY_SOURCES[seed])
    return ([torch.randn(b, 3, generator=g).requires_grad_(), torch.randn(b, 3, generator=g)],
            [Along(0), Along(0)], LIBRARY_SOURCES[seed])


def method_pow_over_size(x, y, reg=0.01):
    n3 = sum(f.abs().pow(3).sum() for f in (x, y)) / x.shape[0]
    return {"loss": reg * n3}


def method_pow_inline(x, y, reg=0.5):
    term = ((x * y).pow(2).sum() + x.abs().pow(3).sum()) / x.size(0)
    return {"loss": term * reg}


@pytest.mark.parametrize("body", [method_pow_over_size, method_pow_inline])
def test_a_tensor_method_named_pow_splits_as_the_oracle(body) -> None:
    check_labelled(body, _batch, SEEDS, splits=True)


def builtin_pow_of_size(x, y):
    return {"loss": x.abs().pow(3).sum() / pow(x.shape[0], 2)}


def builtin_divmod_of_size(x, y):
    return {"loss": (x * y).pow(2).sum() / divmod(x.shape[0] * 2, 1)[0]}


def builtin_pow_stored(x, y, reg=0.01):
    n3 = sum(f.abs().pow(3).sum() for f in (x, y)) / pow(x.shape[0], 1)
    return {"loss": reg * n3}


@pytest.mark.parametrize("body", [builtin_pow_of_size, builtin_divmod_of_size, builtin_pow_stored])
def test_the_builtin_given_a_size_still_declines(body) -> None:
    check_labelled(body, _batch, SEEDS, splits=False)
    for seed in (0, 1):
        _, _, said = split_outcome(body, *_batch(seed))
        assert any("'loss'" in m and "size of image rows" in m for m in said), said
