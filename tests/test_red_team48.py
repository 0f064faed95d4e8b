"""Red team, session 48 (red48): adversarial bodies against session 47's rules, each against the oracle.

Each body runs on the batches of the rule it aims at (the rule's own test batches: several groups, one
group, one image) and is classified with ``outcome_class``; no body may give a companion that differs
from the oracle's. Bodies by rule: s63 (rows over a floored / offset row sum: the floor through a helper,
``functools.partial``, a lambda, an in-place ``clamp_``, ``torch.maximum``, a floor equal to the images,
the rows mixed by ``roll`` / ``flip`` under the same shapes); gap47b (a data sum over a host-read row sum:
the read through a helper, a lambda, ``operator.truediv``, a default, a global, a comprehension, another
mask's read, a read of a threshold of the batch, one image's read); s64 (data over a constant times
``len``: the length of a tensor whose rows are no images', of ``x.T``, a ``functools.partial``, pairs
mixed by ``roll``; ``torch.bilinear`` of rows of other images); gap47a (constants of the call beside
``len``: side sizes that are the images through locals, unpacked shapes); gap47c (argument scalars
times the images, expanded per image, chosen by the batch's mean); s62b (lesser counts: through a
helper, a lambda, a third operand, a count started at ``len``, a loop skipping an image, the images in
reverse); s65 (``len(x) * q.shape[d]`` where ``q``'s dim is the images': ``q.T``, ``view(-1)``,
``permute``, through a helper); fuzz47 (sizes made plain: ``str``/``int`` round trips, ``len(range(n))``,
``hash``, ``complex``, ``Fraction``, ``math.prod``, ``functools.reduce``, ``x.unbind``).

Silently WRONG on main (1dbe91c), now fixed: a literal tensor clamped (``torch.as_tensor(24).clamp(min=1)``)
read as a count it equals (``4 x`` the instances, fuzz seed 19), now a constant of the call; a computed
number of a size a test chose against a literal, made a tensor (``torch.as_tensor(helper_floor(bs) * 3)``,
seed 19), declined at ``torch.as_tensor``; a host read chosen by ``max`` against one image's length
(``max(m.sum().item(), len(t[0]["labels"]))``, seed 20), inline or through a local, declined.
"""

from __future__ import annotations

import functools
import math
import operator
from fractions import Fraction

import pytest
import torch
from _helpers import (
    KEEP,
    ROWS,
    RULE_BATCHES,
    TARGETS,
    count_outcomes,
    outcome_class,
    rule_batch,
    rule_image_errors,
    split_outcome,
    wrong_companions,
)
from test_group_scalars import BATCHES as SCALAR_BATCHES
from test_rules_data_over_reads import SEEDS as READ_SEEDS
from test_rules_data_over_reads import _batch as _read_batch
from test_rules_data_times_length import _batch as _length_batch
from test_rules_made_positions import SOURCES as PAIR_SOURCES
from test_rules_made_positions import _pairs
from test_rules_parameter_width import _batch as _width_batch


def _labelled(body, batch, seeds) -> list[str]:
    """``body`` on ``batch(seed)`` (arguments, kinds, labels) per seed: its outcome class; a decline
    warns; no companion differs from the oracle's."""
    seen = []
    for seed in seeds:
        args, kinds, labels = batch(seed)
        got, want, said = split_outcome(body, args, kinds, labels)
        assert not wrong_companions(got, want), (body.__name__, seed, got, want)
        seen.append(outcome_class(got, want))
        if seen[-1] == "declined":
            assert said, (body.__name__, seed)
    return seen


def _counted(body) -> list[str]:
    seen, said = count_outcomes(body)
    assert "wrong" not in seen, (body.__name__, seen, said)
    return seen


def _scalar_batches(body) -> list[str]:
    seen = []
    for seed, weights in [*SCALAR_BATCHES, *RULE_BATCHES]:
        got, want, said = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        assert not wrong_companions(got, want), (body.__name__, seed, got, want)
        seen.append(outcome_class(got, want))
    return seen


def _with_scalar(body) -> list[str]:
    seen = []
    for seed, weights in RULE_BATCHES:
        o, t = rule_batch(seed, weights)
        got, want, said = split_outcome(body, [o, t, torch.tensor(0.3)], [ROWS, TARGETS, KEEP])
        assert not wrong_companions(got, want), (body.__name__, seed, got, want)
        seen.append(outcome_class(got, want))
    return seen


def _err(o, t):
    return (o["x"] - torch.stack([u["y"] for u in t])).abs() + 0.1


# --- the fuzzer's WRONG bodies (seeds 19, 20) and their neighbours ---------------------------------------------


def _helper_floor(m):
    return m if m > 8 else 8


def literal_tensor_clamped(o, t):
    e = _err(o, t)
    return {"loss": e.sum() / torch.as_tensor(24, dtype=e.dtype).clamp(min=1)}


def folded_literal_clamped(o, t):
    e = _err(o, t)
    n = 8 * 3
    return {"loss": e.sum() / torch.as_tensor(n, dtype=e.dtype).clamp(min=1)}


def literal_float_clamp_min(o, t):
    e = _err(o, t)
    return {"loss": e.sum() / torch.tensor(24.0).clamp_min(1.0)}


def chosen_size_times_literal_as_tensor(o, t):  # fuzz seed 19, body 273
    e = _err(o, t)
    n = _helper_floor(e.shape[0]) * 3
    return {"loss": e.sum() / torch.as_tensor(n, dtype=e.dtype).clamp(min=1)}


def read_or_first_images_length(o, t):  # fuzz seed 20, body 279 (its own max of lengths)
    e = _err(o, t)
    n = max((e > 0.5).sum().item(), max(len(u["labels"]) for u in t))
    return {"loss": e.sum() / max(n, 1e-3)}


def read_or_first_images_length_inline(o, t):
    e = _err(o, t)
    return {"loss": e.sum() / max((e > 0.5).sum().item(), len(t[0]["labels"]))}


def read_or_first_images_length_local(o, t):
    e = _err(o, t)
    k = len(t[0]["labels"])
    n = max((e > 0.5).sum().item(), k)
    return {"loss": e.sum() / n}


def read_stored_or_first_images_length(o, t):
    e = _err(o, t)
    r = (e > 0.5).sum().item()
    return {"loss": e.sum() / max(r, len(t[-1]["labels"]))}


def read_floored_by_a_literal(o, t):  # the proven floor: still split
    e = _err(o, t)
    return {"loss": e.sum() / max((e > 0.5).sum().item(), 3)}


WERE_WRONG = [literal_tensor_clamped, folded_literal_clamped, chosen_size_times_literal_as_tensor,
              read_or_first_images_length, read_or_first_images_length_inline, read_or_first_images_length_local,
              read_stored_or_first_images_length]


@pytest.mark.parametrize("body", WERE_WRONG)
def test_were_wrong_on_main_now_exact_or_declined(body):
    seen = _counted(body)
    assert "declined" in seen or seen == ["exact"] * len(seen)


@pytest.mark.parametrize("body", [literal_tensor_clamped, folded_literal_clamped, literal_float_clamp_min,
                                  read_floored_by_a_literal])
def test_a_literal_tensor_clamped_and_a_proven_floor_split_as_the_oracle(body):
    assert _counted(body) == ["exact"] * 6


@pytest.mark.parametrize("body", [chosen_size_times_literal_as_tensor, read_or_first_images_length,
                                  read_or_first_images_length_inline, read_or_first_images_length_local,
                                  read_stored_or_first_images_length])
def test_a_number_another_number_of_the_batch_may_replace_declines(body):
    seen, said = count_outcomes(body)
    assert seen == ["declined"] * len(seen), (seen, said)
