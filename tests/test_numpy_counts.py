# ruff: noqa: B023, B905, E731 -- lambdas and zips are what these bodies try
"""Counts of the images made by NumPy or by a spelling of ``len`` the readers did not know (helper
hc2, session 35; red team 35's pins, ``tests/test_red_team35.py``): a clamp bound ``0.3 *
np.sqrt(len(t))`` (an ``np.float64``: NumPy's scalars are plain numbers of the body's code,
``mode._PLAIN_NUMBER_TYPES``), ``count = t.__len__; count()`` and ``sum(map(lambda _: 1, t))``
(``_bytecode._spelled_lengths`` lays them out as ``len(t)``), weights ``1 / n`` a ``for`` binds as
NumPy scalars (``zip(np.ones(n) / n, per)``) or picks by its variable from a container C code
filled (``dict.fromkeys(range(n), 1 / n)[b]``, a NumPy array's ``w[b]``; ``_bytecode.factor_unread``).
Those decline naming the key and the op (red team 35's tests, and three found here); the near misses
(a NumPy bound or weight that is a literal, a count of one image's items, of a row dim) split
exactly on the red-team-28 batches."""

from typing import Any

import numpy as np
import pytest
import torch
from _red_team26_bodies import E
from _red_team27_bodies import registrar
from _red_team28_measure import assert_declined_naming, assert_pinned
from _red_team31_bodies import e1

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)


@body("near")
def near_clamp_by_a_numpy_constant(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=0.3 * np.sqrt(4.0)).sum()}


@body("near")
def near_clamp_by_a_numpy_sqrt_of_a_row_dim(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=0.1 * np.sqrt(o["x"].shape[1])).sum()}


@body("near")
def near_clamp_by_a_bound_dunder_len_of_one_images_labels(o, t):
    e = E(o, t) * 3.0
    out = []
    for b, s in enumerate(t):
        count = s["labels"].__len__
        out.append(e[b].clamp(max=0.1 * count()))
    return {"loss": torch.stack(out).sum()}


@body("near")
def near_clamp_by_sum_of_map_of_ones_over_one_images_labels(o, t):
    e = E(o, t) * 3.0
    return {"loss": torch.stack([e[b].clamp(max=0.1 * sum(map(lambda _: 1, s["labels"])))
                                 for b, s in enumerate(t)]).sum()}


@body("near")
def near_clamp_by_sum_of_map_of_twos(o, t):
    e = E(o, t) * 3.0
    return {"loss": torch.stack([e[b].clamp(max=0.1 * sum(map(lambda _: 2, s["labels"])))
                                 for b, s in enumerate(t)]).sum()}


@body("near")
def near_zip_numpy_literal_quarter_weights(o, t):
    return {"loss": sum(w * e1(o, t, b) for b, w in enumerate(np.full(len(t), 0.25)))}


@body("near")
def near_dict_fromkeys_literal_weights(o, t):
    w = dict.fromkeys(range(len(t)), 0.25)
    return {"loss": sum(w[b] * e1(o, t, b) for b in range(len(t)))}


@body("near")
def near_numpy_literal_weights_picked_by_the_loop(o, t):
    w = np.full(len(t), 0.25)
    return {"loss": sum(w[b] * e1(o, t, b) for b in range(len(t)))}


@body("near")
def near_clamp_by_a_numpy_literal(o, t):
    return {"loss": (E(o, t) * 3.0).clamp(max=np.float64(0.3)).sum()}


@body("near")
def near_sum_over_a_numpy_literal(o, t):
    return {"loss": E(o, t).sum() / np.float64(4.0)}


# found here (WRONG on 0b1e64a): NumPy weights of 1 / n picked by the loop's position
@body("unread")
def numpy_reciprocal_weights_picked_by_the_loop(o, t):
    w = np.ones(len(t)) / len(t)
    return {"loss": sum(w[b] * e1(o, t, b) for b in range(len(t)))}


@body("unread")
def numpy_reciprocal_weights_picked_as_floats(o, t):
    w = np.ones(len(t)) / len(t)
    return {"loss": sum(float(w[b]) * e1(o, t, b) for b in range(len(t)))}


@body("unread")
def numpy_full_reciprocal_picked_in_a_loop(o, t):
    ws = np.full(len(t), 1.0 / len(t))
    loss = 0
    for b in range(len(t)):
        loss = loss + ws[b] * e1(o, t, b)
    return {"loss": loss}


DECLINED = {name: "at Tensor.mul: a product or division by a number equal to a count"
            for name, (family, _, _) in BODIES.items() if family == "unread"}


@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad=True to a scalar")
@pytest.mark.parametrize("name", sorted(set(BODIES) - set(DECLINED)))
def test_a_constant_or_one_images_count_splits_exactly(name):
    assert_pinned(name, set(BODIES), BODIES, CONVERTS)


@pytest.mark.parametrize("name", sorted(DECLINED))
def test_numpy_weights_of_the_count_decline_naming_the_key_and_the_op(name):
    assert_pinned(name, set(), BODIES, CONVERTS)
    assert_declined_naming(name, DECLINED[name], BODIES, CONVERTS)
