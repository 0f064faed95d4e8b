"""An averaged loss times an int the code proves a constant of the call, equal by chance to the
number of images (``aux.mean() * E``, GShard's balance loss times its module-constant expert count on
a batch of as many images, survey 67): on a group alone the body multiplies by the same constant, so
the factor is a coefficient (``_is_image_count`` asks ``Frame.constant_number``, as
``values_by_image_count`` did: a module global no code of its module assigns, a default the call did
not pass, arithmetic of those). Was: declined as "a multiplication by an int equal to the number of
images". Each against the oracle on batches labelled through ``losssplit.sources``.

Near misses that decline: the factor is ``len(x)`` kept in a local or a parameter a helper's caller
passes as ``len(x)`` (each the group's count on a group alone), and a global that a function of the
module assigns (``global``: not proven a constant of the call). ``* x.shape[0]`` (a count of rows the
capture reads as such) splits as the group's count.
"""

from __future__ import annotations

import torch
from _helpers import ROWS, check_labelled, split_outcome, wrong_companions
from _survey import LIBRARY_SOURCES, gen

SEEDS = range(len(LIBRARY_SOURCES))
EXPERTS = 3  # equal to batch 1's images
HEADS = 2
MOVED = 3


def _batch(seed: int) -> tuple[list, list, list]:
    """Scores [B, 5] (requires grad) and a mask [B, 5]."""
    g = gen(seed + 6760)
    b = len(LIBRARY_SOURCES[seed])
    mask = (torch.rand(b, 5, generator=g) < 0.7).float()
    mask[:, 0] = 1
    return [torch.randn(b, 5, generator=g).requires_grad_(), mask], [ROWS, ROWS], LIBRARY_SOURCES[seed]


def _of_three(seed: int) -> tuple[list, list, list]:
    """Batch 1 alone (3 images of two groups: the factor 3 equals their number)."""
    return _batch(1)


def mean_times_global(x, mask):
    """GShard's ``(me * ce).sum(-1).mean() * E``: a module constant."""
    return {"loss": x.softmax(-1).pow(2).sum(-1).mean() * EXPERTS,
            "masked": (x * mask).sum() / mask.sum() * EXPERTS}


def mean_times_default(x, mask, k=3):
    """A default the call did not pass, on the left, and arithmetic of module constants."""
    return {"loss": k * x.pow(2).mean(), "b": x.abs().mean() * (HEADS + 1)}


def times_the_rows(x, mask):
    """``x.shape[0]``, a count of the rows the capture reads as such: the group's on a group alone."""
    return {"loss": x.pow(2).mean() * x.shape[0]}


def test_an_averaged_loss_times_a_proven_constant_splits_as_the_oracle():
    for body in (mean_times_global, mean_times_default, times_the_rows):
        check_labelled(body, _batch, SEEDS, splits=True)


def times_a_local_count(x, mask):
    n = len(x)
    return {"loss": x.pow(2).mean() * n}


def _scaled(x, k):
    return x.pow(2).mean() * k


def times_a_passed_count(x, mask):
    return {"loss": _scaled(x, len(x))}


def _move(n: int) -> None:
    global MOVED
    MOVED = n


def times_an_assigned_global(x, mask):
    return {"loss": x.pow(2).mean() * MOVED}


def test_where_the_factor_may_count_the_images_it_declines():
    for body in (times_a_local_count, times_a_passed_count, times_an_assigned_global):
        args, kinds, labels = _of_three(0)
        got, want, said = split_outcome(body, args, kinds, labels)
        assert not wrong_companions(got, want), (body.__name__, got, want)
        assert not got and any("'loss'" in m for m in said), (body.__name__, got, said)
