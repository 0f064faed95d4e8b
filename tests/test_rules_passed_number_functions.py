"""A number passed in (DESIGN §1's outside normaliser, ``num_boxes``) becomes on a group alone the
group's share of what it counts, ``Z_S = Z * C_S / C``. A loss divided by it, or by a product of it
and constants, splits by that share; a function of it that is no such product (``math.sqrt``, ``log``,
a power, a tensor made of it then ``.sqrt()``, also as a factor ``* (1 / math.sqrt(num_boxes))``), has
no such reading and declines, also through ``.div`` / ``.mul`` / ``torch.mul`` calls,
naming the key and the op. Each of these was silently wrong (the batch's number kept, or its share
taken as though the function were linear): lead's red team of session 39. A factor passed in itself
(``l.mean() * scale``, halved, made a tensor) is no normaliser: the group's call gets it unchanged.

Measured on the red-team-26 DETR-like batches (1 to 3 boxes per image, matcher indices, ``num_boxes``
passed in as ``float(sum(boxes))`` and given to the oracle as each group's count) by
``tests/_red_team28_measure.py``; main values and gradients bit-identical to the undecorated body."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from _red_team26_bodies import MATCHED
from _red_team27_bodies import registrar
from _red_team28_measure import measure

BODIES: dict = {}
CONVERTS: dict = {}
body = registrar(BODIES, CONVERTS)


def _l1(o, t, idx):
    a, b = MATCHED(o, t, idx)
    return (a - b).abs()


@body("passed", "d")
def over_sqrt_of_passed(o, t, idx, num_boxes):
    return {"loss": _l1(o, t, idx).sum() / math.sqrt(num_boxes)}


@body("passed", "d")
def over_numpy_sqrt_of_passed(o, t, idx, num_boxes):
    return {"loss": _l1(o, t, idx).sum() / np.sqrt(num_boxes)}


@body("passed", "d")
def over_sqrt_kept_in_a_local(o, t, idx, num_boxes):
    s = math.sqrt(num_boxes)
    return {"loss": _l1(o, t, idx).sum() / s}


@body("passed", "d")
def times_reciprocal_sqrt_of_passed(o, t, idx, num_boxes):
    return {"loss": _l1(o, t, idx).sum() * (1.0 / math.sqrt(num_boxes))}


@body("passed", "d")
def times_log_of_passed(o, t, idx, num_boxes):
    return {"loss": _l1(o, t, idx).sum() / num_boxes * math.log(num_boxes + 1)}


@body("passed", "d")
def over_tensor_of_passed_then_sqrt(o, t, idx, num_boxes):
    return {"loss": _l1(o, t, idx).sum() / torch.tensor(float(num_boxes)).sqrt()}


@body("passed", "d")
def times_rsqrt_of_tensor_of_passed(o, t, idx, num_boxes):
    return {"loss": _l1(o, t, idx).sum() * torch.rsqrt(torch.tensor(num_boxes))}


@body("passed", "d")
def div_method_by_sqrt_of_passed(o, t, idx, num_boxes):
    return {"loss": _l1(o, t, idx).sum().div(math.sqrt(num_boxes))}


@body("passed", "d")
def over_clamped_tensor_of_passed_then_sqrt(o, t, idx, num_boxes):
    return {"loss": _l1(o, t, idx).sum() / torch.as_tensor([num_boxes]).clamp(min=1).sqrt()}


# near misses: the share's own readings, which split exactly
@body("passed", "d")
def near_over_passed(o, t, idx, num_boxes):
    return {"loss": _l1(o, t, idx).sum() / num_boxes}


@body("passed", "d")
def near_over_passed_times_constant(o, t, idx, num_boxes):
    return {"loss": _l1(o, t, idx).sum() / (num_boxes * 4)}


@body("passed", "d")
def near_over_tensor_of_passed(o, t, idx, num_boxes):
    return {"loss": _l1(o, t, idx).sum() / torch.as_tensor(float(num_boxes))}


@body("passed", "d")
def near_sqrt_of_a_literal_factor(o, t, idx, num_boxes):
    return {"loss": _l1(o, t, idx).sum() / num_boxes * math.sqrt(2.0)}


@body("passed", "d")
def near_mean_times_a_literal(o, t, idx, num_boxes):
    return {"loss": _l1(o, t, idx).mean() * 5.0}


@body("passed", "d")
def near_div_method_by_passed(o, t, idx, num_boxes):
    return {"loss": _l1(o, t, idx).sum().div(num_boxes)}


@body("passed", "d")
def near_torch_div_by_passed(o, t, idx, num_boxes):
    return {"loss": torch.div(_l1(o, t, idx).sum(), num_boxes)}


DECLINED = {name for name in BODIES if not name.startswith("near_")}


@pytest.mark.parametrize("name", sorted(BODIES))
def test_a_function_of_a_passed_number_splits_only_as_its_share(name):
    """Every body: never wrong; a function of the passed number that is no product by constants,
    or the number as a factor, declines with a warning naming the key; the share's own readings
    (``/ num_boxes``, ``/ (num_boxes * 4)``, a tensor made of it) and literal factors split exactly."""
    result = measure(name, BODIES, CONVERTS)
    per = {batch: (r["class"], r.get("wrong") or r.get("said")) for batch, r in result["per"].items()}
    if name in DECLINED:
        assert result["class"] == "declined", per
        said = [m for r in result["per"].values() if r["class"] == "declined" for m in r["said"]]
        assert said and all("key 'loss'" in m and "passed in" in m for m in said[:1]), said
    else:
        assert result["class"] == "exact", per


# the same normaliser passed as a one-element tensor (``torch.as_tensor([num_boxes])``, mmdet's ``avg_factor``)
def _tensor_over_sqrt(o, t, idx, n):
    return {"loss": _l1(o, t, idx).sum() / n.sqrt()}


def _tensor_item_sqrt(o, t, idx, n):
    return {"loss": _l1(o, t, idx).sum() / math.sqrt(n.item())}


def _tensor_plus_one(o, t, idx, n):
    return {"loss": _l1(o, t, idx).sum() / (n + 1)}


def _tensor_log(o, t, idx, n):
    return {"loss": _l1(o, t, idx).sum() / torch.log(n + 1)}


def _tensor_squared(o, t, idx, n):
    return {"loss": _l1(o, t, idx).sum() / n**2 * 6}


def _tensor_floored_at_four(o, t, idx, n):
    return {"loss": _l1(o, t, idx).sum() / torch.max(n, torch.tensor(4.0))}


def _tensor_dividing_a_mean(o, t, idx, n):
    return {"loss": _l1(o, t, idx).mean() / n * 6}


def _near_tensor(o, t, idx, n):
    return {"loss": _l1(o, t, idx).sum() / n}


def _near_tensor_clamped_at_one(o, t, idx, n):
    return {"loss": _l1(o, t, idx).sum() / n.clamp(min=1)}


def _near_tensor_item(o, t, idx, n):
    return {"loss": _l1(o, t, idx).sum() / n.item()}


def _near_tensor_plus_eps(o, t, idx, n):
    return {"loss": _l1(o, t, idx).sum() / (n + 1e-6)}


TENSOR_BODIES = [_tensor_over_sqrt, _tensor_item_sqrt, _tensor_plus_one, _tensor_log, _tensor_squared,
                 _tensor_floored_at_four, _tensor_dividing_a_mean, _near_tensor, _near_tensor_clamped_at_one,
                 _near_tensor_item, _near_tensor_plus_eps]


@pytest.mark.parametrize("shape", [(), (1,)], ids=["0-dim", "[1]"])
@pytest.mark.parametrize("fn", TENSOR_BODIES, ids=lambda f: f.__name__.strip("_"))
def test_a_passed_tensor_normaliser_splits_only_as_its_share(fn, shape):
    """A one-element tensor passed in as the normaliser: the same outcomes as the Python number's
    (each declined body was silently wrong: the share taken of ``sqrt(n)``, ``n + 1``, ``max(n, 4)``,
    a mean divided by the share)."""
    from _helpers import split_outcome, wrong_companions
    from _red_team26_bodies import DBATCHES, dbatch

    for name in DBATCHES:
        args, kinds = dbatch(name)
        args = [*args[:3], torch.tensor(args[3]).reshape(shape)]
        got, want, said = split_outcome(fn, args, kinds)
        assert not wrong_companions(got, want), (name, got, want)
        if fn.__name__.startswith("_near"):
            assert got, (name, said)
        else:
            assert not got and said and "key 'loss'" in said[0] and "passed in" in said[0], (name, said)


def _warm_up_factor(o, t, idx, num_boxes, step):
    return {"loss": _l1(o, t, idx).sum() / num_boxes * min(1.0, step / 1000)}


def _step_factor(o, t, idx, num_boxes, step):
    return {"loss": _l1(o, t, idx).sum() / num_boxes * (step / 2)}


def _mean_times_passed(o, t, idx, num_boxes, scale):
    return {"loss": _l1(o, t, idx).mean() * scale}


def _passed_times_mean(o, t, idx, num_boxes, scale):
    return {"loss": scale * _l1(o, t, idx).mean()}


def _mean_times_half_of_passed(o, t, idx, num_boxes, scale):
    return {"loss": _l1(o, t, idx).mean().mul(scale / 2)}


def _mean_times_passed_tensor(o, t, idx, num_boxes, scale):
    return {"loss": torch.mul(_l1(o, t, idx).mean(), torch.as_tensor(scale))}


@pytest.mark.parametrize("fn", [_warm_up_factor, _step_factor, _mean_times_passed, _passed_times_mean,
                                _mean_times_half_of_passed, _mean_times_passed_tensor], ids=lambda f: f.__name__.strip("_"))
@pytest.mark.parametrize("value", [7.0, "count"])
def test_a_factor_passed_in_is_a_constant_of_the_call(fn, value):
    """A factor passed in is no normaliser (DESIGN §1: the group's call gets it unchanged), whether
    it equals a count of the call or not (``"count"``: the batch's boxes): a training step's
    warm-up, ``l.mean() * scale``, also halved or made a tensor, split as the constant."""
    from _helpers import KEEP, split_outcome, wrong_companions
    from _red_team26_bodies import DBATCHES, dbatch

    for name in DBATCHES:
        args, kinds = dbatch(name)
        got, want, said = split_outcome(fn, [*args, args[3] if value == "count" else value], [*kinds, KEEP])
        assert not wrong_companions(got, want), (name, got, want)
        # (but where the factor equals the sum of the images' weights by value: 3 / 2 on weights 0.5 and 1)
        assert got or said and "a statistic of the images' weights" in said[0], (name, said)
