"""Red team 34's last silently WRONG divisors and weight reads, closed by r2dv (session 34), with
their near misses, against the oracle on batches of 2 to 5 images (groups of different sizes, a
group absent): a literal divisor a test of the count chose, given to ``torch.div`` / ``Tensor.div``
/ ``torch.true_divide`` (``_bytecode.chosen_divisor`` reads a division call's last argument too);
``k = min(4.0, 2.0 * len(t))``, a float literal picked with a number of the batch, equal to none of its
counts (``BATCH_NUMBER_DIVISOR``); a weight read by ``getattr(r, name)`` with ``name`` a local or a
cell holding ``"loss_weight"`` and tested (``_lengths._name_key``); closed by r3gen: a weight tested in
any code nested in the body (a comprehension reading a local of the body, ``e[b]``) or read by
``getattr`` of a call's result (``getattr(_Rec(s), "loss_weight")``). Each declines naming the key and
the op; a literal divisor not chosen by a count test, the count itself and a configured attribute
read by ``getattr`` of a local name still split."""

import pytest
import torch
from _helpers import check_exact, rule_batch, rule_outcome, rule_targets

BATCHES = [(0, [1.0, 0.5, 0.5, 1.0]), (1, [0.5, 1.0, 0.5]), (2, [1.0, 0.5]), (3, [1.0, 1.0, 1.0, 0.5, 0.5]),
           (4, [0.5, 1.0, 1.0, 1.0]), (5, [1.0, 1.0, 1.0])]  # (the last: a group absent)


def _e(o, t):
    return (o["x"] - rule_targets(t)).abs()


def chosen_torch_div(o, t):
    k = 4.0 if len(t) > 1 else 1.0
    return {"loss": torch.div(_e(o, t).sum(), k)}


def chosen_method_div(o, t):
    k = 4.0 if len(t) > 1 else 1.0
    return {"loss": _e(o, t).sum().div(k)}


def chosen_true_divide_inline(o, t):
    return {"loss": torch.true_divide(_e(o, t).sum(), 4.0 if len(t) > 1 else 1.0)}


def min_of_a_literal_and_the_count(o, t):
    k = min(4.0, 2.0 * len(t))
    return {"loss": _e(o, t).sum() / k}


def min_of_a_literal_and_the_count_inline(o, t):
    return {"loss": _e(o, t).sum() / min(3.0, 1.0 * len(t))}


class _Rec:
    def __init__(self, s):
        for k, v in s.items():
            setattr(self, k, v)


def weight_getattr_local_name(o, t):
    name = "loss_weight"
    recs = [_Rec(s) for s in t]
    return {"loss": sum(_e(o, t)[b].sum() if getattr(r, name) == 1.0 else 3.0 * _e(o, t)[b].sum()
                        for b, r in enumerate(recs))}


def weight_getattr_local_name_in_loop(o, t):
    name = "loss_weight"
    total, e = 0.0, _e(o, t)
    for b, s in enumerate(t):
        r = _Rec(s)
        total = total + (e[b].sum() if getattr(r, name) > 0.7 else 0.5 * e[b].sum())
    return {"loss": total}


def weight_getattr_of_a_call(o, t):
    return {"loss": sum(_e(o, t)[b].sum() if getattr(_Rec(s), "loss_weight") == 1.0 else 3.0 * _e(o, t)[b].sum()  # noqa: B009
                        for b, s in enumerate(t))}


_CHOSEN = ("a division by a number literal a conditional expression chose", "a division run by C code",
           "a branch of the body's Python code")
_BATCH = ("a division by a number", "its normaliser", "a number computed from ``len(targets)``",
          "computed from the number of images")
_WEIGHT = ("a Python test of an image's weight",)
DECLINED = {  # body -> what its warnings may name as the op (the first where the batch's count decides nothing else)
    chosen_torch_div: _CHOSEN, chosen_method_div: _CHOSEN, chosen_true_divide_inline: _CHOSEN,
    min_of_a_literal_and_the_count: _BATCH, min_of_a_literal_and_the_count_inline: _BATCH,
    weight_getattr_local_name: _WEIGHT, weight_getattr_local_name_in_loop: _WEIGHT,
}


def literal_torch_div(o, t):
    return {"loss": torch.div(_e(o, t).sum(), 4.0)}


def literal_method_div_of_a_local(o, t):
    k = 4.0
    return {"loss": _e(o, t).sum().div(k) + torch.true_divide(_e(o, t).sum(), k)}


def count_torch_div(o, t):
    return {"loss": torch.div(_e(o, t).sum(), len(t))}


class _Cfg:
    scale = 2.0


def configured_getattr_local_name(o, t):
    name = "scale"
    e = _e(o, t)
    return {"loss": e.sum() * (3.0 if getattr(_Cfg, name) > 1.0 else 1.0)}


EXACT = [literal_torch_div, literal_method_div_of_a_local, count_torch_div, configured_getattr_local_name]


@pytest.mark.parametrize("body", list(DECLINED), ids=lambda b: b.__name__)
def test_a_divisor_chosen_by_the_count_or_a_weight_read_by_a_named_getattr_declines(body):
    declined = 0
    for seed, weights in BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert set(got) <= set(want) and got == pytest.approx({k: want[k] for k in got}, rel=1e-5, abs=1e-6), (
            seed, got, want, said)
        if set(got) != set(want):
            declined += 1
            assert any("'loss'" in m and any(op in m for op in DECLINED[body]) for m in said), said
    assert declined >= 3


@pytest.mark.parametrize("body", EXACT, ids=lambda b: b.__name__)
def test_a_literal_the_count_or_a_configured_getattr_splits(body):
    check_exact(body, BATCHES)


def weight_test_in_a_generator_reading_a_local(o, t):
    e = _e(o, t)
    return {"loss": sum(e[b].sum() if s["loss_weight"] == 1.0 else 3.0 * e[b].sum() for b, s in enumerate(t))}


def weight_test_in_a_listcomp_reading_a_local(o, t):
    e = _e(o, t)
    return {"loss": sum([e[b].sum() if s["loss_weight"] > 0.7 else 0.5 * e[b].sum() for b, s in enumerate(t)])}


def weight_test_in_a_generator_of_a_nested_def(o, t):
    e = _e(o, t)

    def total():
        return sum(e[b].sum() if s["loss_weight"] == 1.0 else 3.0 * e[b].sum() for b, s in enumerate(t))
    return {"loss": total()}


def weight_getattr_of_a_call_in_a_generator_reading_a_local(o, t):
    e = _e(o, t)
    return {"loss": sum(e[b].sum() if getattr(_Rec(s), "loss_weight") == 1.0 else 3.0 * e[b].sum()  # noqa: B009
                        for b, s in enumerate(t))}


def weight_getattr_of_a_call_stored_in_a_loop(o, t):
    total, e = 0.0, _e(o, t)
    for b, s in enumerate(t):
        w = getattr(_Rec(s), "loss_weight")  # noqa: B009
        total = total + (e[b].sum() if w == 1.0 else 3.0 * e[b].sum())
    return {"loss": total}


NESTED = [weight_getattr_of_a_call, weight_getattr_of_a_call_stored_in_a_loop, weight_test_in_a_generator_reading_a_local, weight_test_in_a_listcomp_reading_a_local,
          weight_test_in_a_generator_of_a_nested_def, weight_getattr_of_a_call_in_a_generator_reading_a_local]
DECLINED.update(dict.fromkeys(NESTED, _WEIGHT))


@pytest.mark.parametrize("body", NESTED, ids=lambda b: b.__name__)
def test_a_weight_tested_in_nested_code_or_read_by_getattr_of_a_call_declines(body):
    """Found by r2dv (session 34), closed by r3gen: a weight test in any nested code of the body is
    read whatever that code's free variables; ``getattr`` of a call's result is read as of a name."""
    test_a_divisor_chosen_by_the_count_or_a_weight_read_by_a_named_getattr_declines(body)


_CFG = {"scale": 2.0}


def generator_reading_a_local_without_a_weight_test(o, t):
    e = _e(o, t)
    return {"loss": sum(e[b].sum() * 2.0 for b, s in enumerate(t))}


def weight_as_a_factor_in_a_generator_reading_a_local(o, t):
    e = _e(o, t)
    return {"loss": sum(s["loss_weight"] * e[b].sum() for b, s in enumerate(t))}


def config_key_tested_in_a_generator_reading_a_local(o, t):
    e, cfg = _e(o, t), _CFG
    return {"loss": sum(e[b].sum() * (3.0 if cfg["scale"] > 1.0 else 1.0) for b, s in enumerate(t))}


def config_getattr_of_a_call_tested(o, t):
    return {"loss": _e(o, t).sum() * (3.0 if getattr(_Cfg(), "scale") > 1.0 else 1.0)}  # noqa: B009


@pytest.mark.parametrize("body", [generator_reading_a_local_without_a_weight_test,
                                  weight_as_a_factor_in_a_generator_reading_a_local,
                                  config_key_tested_in_a_generator_reading_a_local, config_getattr_of_a_call_tested],
                         ids=lambda b: b.__name__)
def test_nested_code_without_a_weight_test_still_splits(body):
    check_exact(body, BATCHES)
