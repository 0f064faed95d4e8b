"""Red team of session 45's two rules built on ``_reach`` (the bytecode taint analysis): a number read
on the host from several images declines only the keys it provably reaches (``tests/test_rules_read_keys.py``),
and an ``if``/``else`` whose other arm only stores a constant gives a group taking that arm the constant
(``tests/test_rules_constant_arms.py``). Each body is compared with the oracle (DESIGN.md §1).

WRONG at 80c7674, fixed here: ``_reach`` took for free of effects a torch callable that writes one of its
arguments or draws, where the code's name did not say so:
- an alias (``FILL = torch.fill_``, ``R = torch.rand``): only the name the code calls was checked for a
  trailing ``_``, a draw or a setter; the callable's own ``__name__`` now is too;
- a parameter torch writes through, given: ``out`` passed by position (``F.normalize(v, 2.0, 0, 1e-12,
  buf)``), the running statistics batch norm updates in training (``F.batch_norm(x, rm, rv, training=True)``;
  ``torch.batch_norm``, a builtin without a signature, by its aten schemas), ``max_norm`` given
  (``F.embedding(i, w, None, 1.0)`` renormalises ``w``);
- a method of what ``buf.numpy()`` returned (``a.put(...)``, ``a.clip(0, s, a)``): taken for a tensor's
  method by its name on a value computed from the tensor ``buf``; a method named in ``_EFFECTS`` or
  private no longer passes its receiver's tensors on;
- a method of a tensor subclass (``torch.ones(3).as_subclass(T).mul(s)``, ``T.mul`` writing a dict another
  key reads): a receiver must now hold a plain tensor (``_tensor_at``), ``as_subclass`` makes no plain one.
The read rule kept ``loss`` with the batch's scale (``n > 14`` steering what ``buf``/``rm`` hold: real 0.67,
oracle 0.33); the constant-arm rule let the group taking the constant keep what the skipped arm wrote
(``loss_e`` real 0.2, oracle 0.1; 0.05, oracle 0.3 for the embedding).

Held (no WRONG at 80c7674): a read reaching another key through a list, a dict, an attribute of a module
object, a global, a default argument, a closure cell, ``nonlocal``, a generator, an exception, a
``while`` count, a ``range(n)`` trip count, a tensor shaped by it, a slice of another key, a dict key
formatted from it, a helper returning early: every one declines the call. Constant arms: a constant
broadcasting to another shape, ``uint8``/``bool``/``float64`` constants, ``x`` aliased and added to in
place, a view of ``x``, ``max``/``torch.where``/``stack`` of it, an ``elif``, the batch taking the constant
arm while a group alone computes, NaN/inf constants: each exact or declined."""

from __future__ import annotations

import sys

import pytest
import torch
import torch.nn.functional as F
from _helpers import (
    RULE_BATCHES,
    rule_batch,
    rule_outcome,
    rule_targets,
    split_outcome,
    wrong_companions,
)
from test_rules_constant_arms import _batch

pytestmark = pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the proof reads 3.11 bytecode")

FILL = torch.fill_  # in-place, under a name without its trailing ``_``
DRAW = torch.rand  # a draw under a name that does not say so


class _State:
    n = 0


STATE = _State()
LAST = 0


def _err(o, t):
    """The errors and where targets are above 0.5."""
    y = rule_targets(t)
    return (o["x"] - y).abs(), y > 0.5


def _scale(n):
    return 2.0 if n > 14 else 1.0


# -- a read steering what a torch call writes into another key's tensor: WRONG at 80c7674 ---------------


def read_fills_through_an_alias(o, t):
    e, pos = _err(o, t)
    n = int(pos.sum())
    buf = torch.ones(())
    FILL(buf, 2.0 if n > 14 else 1.0)
    return {"loss_top": e.flatten().topk(n).values.mean(), "loss": e.mean() * buf}


def read_draws_through_an_alias(o, t):
    e, pos = _err(o, t)
    n = int(pos.sum())
    torch.manual_seed(0)
    if n > 14:
        DRAW(1)
    return {"loss_top": e.flatten().topk(n).values.mean(), "loss": e.mean() * DRAW(()).item()}


def read_steers_batch_norm_statistics(o, t):
    e, pos = _err(o, t)
    n = int(pos.sum())
    rm, rv = torch.zeros(4), torch.ones(4)
    F.batch_norm(torch.ones(2, 4) * (2.0 if n > 14 else 1.0), rm, rv, training=True, momentum=1.0)
    return {"loss_top": e.flatten().topk(n).values.mean(), "loss": (e * rm).mean()}


def read_steers_builtin_batch_norm(o, t):
    e, pos = _err(o, t)
    n = int(pos.sum())
    rm, rv = torch.zeros(4), torch.ones(4)
    torch.batch_norm(torch.ones(2, 4) * (2.0 if n > 14 else 1.0), None, None, rm, rv, True, 1.0, 1e-5, False)
    return {"loss_top": e.flatten().topk(n).values.mean(), "loss": (e * rm).mean()}


def read_steers_a_positional_out(o, t):
    e, pos = _err(o, t)
    n = int(pos.sum())
    buf = torch.empty(4)
    F.normalize(torch.arange(1.0, 5.0) ** (2.0 if n > 14 else 1.0), 2.0, 0, 1e-12, buf)
    return {"loss_top": e.flatten().topk(n).values.mean(), "loss": e.mean() * buf[0]}


def read_steers_an_embedding_renorm(o, t):
    e, pos = _err(o, t)
    n = int(pos.sum())
    w = torch.full((2, 4), 3.0)
    F.embedding(torch.tensor([0, 1]), w, None, 1.0 if n > 14 else 10.0)  # renormalises w's rows in place
    return {"loss_top": e.flatten().topk(n).values.mean(), "loss": (e * w[0]).mean()}


def read_steers_a_put_into_its_array(o, t):
    e, pos = _err(o, t)
    n = int(pos.sum())
    buf = torch.ones(4)
    a = buf.numpy()  # shares buf's memory; ndarray.put writes it (Tensor.put does not)
    if n > 14:
        a.put([0, 1, 2, 3], [2.0, 2.0, 2.0, 2.0])
    return {"loss_top": e.flatten().topk(n).values.mean(), "loss": (e * buf).mean()}


def read_steers_a_clip_into_its_array(o, t):
    e, pos = _err(o, t)
    n = int(pos.sum())
    buf = torch.ones(4)
    a = buf.numpy()
    a.clip(0.0, 0.5 if n > 14 else 1.0, a)
    return {"loss_top": e.flatten().topk(n).values.mean(), "loss": (e * buf).mean()}


class _Noting(torch.Tensor):
    """A tensor subclass whose ``mul`` also writes a dict another key reads."""

    def mul(self, other):
        NOTED["s"] = other
        return torch.Tensor.mul(self, other)


NOTED = {"s": 1.0}


def read_steers_a_subclass_method(o, t):
    e, pos = _err(o, t)
    n = int(pos.sum())
    NOTED["s"] = 1.0
    w = torch.ones(3).as_subclass(_Noting).mul(2.0 if n > 14 else 1.0)
    return {"loss_top": e.flatten().topk(n).values.mean() * w.sum(), "loss": e.mean() * NOTED["s"]}


WRITES = [read_fills_through_an_alias, read_draws_through_an_alias, read_steers_batch_norm_statistics,
          read_steers_builtin_batch_norm, read_steers_a_positional_out, read_steers_an_embedding_renorm,
          read_steers_a_put_into_its_array, read_steers_a_clip_into_its_array, read_steers_a_subclass_method]


@pytest.mark.parametrize("body", WRITES)
def test_a_read_steering_a_write_of_torch_declines_the_key_written(body):
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, got, want)
        assert not {"loss_real", "loss_synthetic"} & set(got), (seed, said)


def test_the_written_key_differs_on_a_group_alone():
    """The near miss is real: some group alone takes the other scale (an unchanged ``loss`` would be wrong)."""
    assert any(_scale(sum(int((u["y"] > 0.5).sum()) for u in t if u["loss_weight"] == w))
               != _scale(sum(int((u["y"] > 0.5).sum()) for u in t))
               for seed, weights in RULE_BATCHES for t in [rule_batch(seed, weights)[1]] for w in (1.0, 0.5))


def read_scales_its_own_key(o, t):
    """Control: the read reaches ``loss_top`` only, through torch callables that write nothing."""
    e, pos = _err(o, t)
    n = int(pos.sum())
    w = torch.clamp(torch.full((), 2.0 if n > 14 else 1.0), max=1.5)
    return {"loss_top": e.flatten().topk(n).values.mean() * w, "loss": e.mean()}


def test_a_read_reaching_only_its_key_keeps_the_other_key():
    """Not a blanket decline: ``loss`` splits, oracle-exact."""
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(read_scales_its_own_key, rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, got, want)
        assert {"loss_real", "loss_synthetic"} & set(want) <= set(got), (seed, said)


# -- a read reaching another key through Python: held at 80c7674 (the call declines) ---------------------


def through_a_list(o, t):
    e, pos = _err(o, t)
    n = int(pos.sum())
    box = [n]
    return {"loss_top": e.flatten().topk(max(n, 1)).values.mean(), "loss": e.mean() * (2.0 if box[0] > 14 else 1.0)}


def through_an_attribute(o, t):
    e, pos = _err(o, t)
    n = int(pos.sum())
    STATE.n = n
    return {"loss_top": e.flatten().topk(max(n, 1)).values.mean(), "loss": e.mean() * (2.0 if STATE.n > 14 else 1.0)}


def through_a_global(o, t):
    global LAST
    e, pos = _err(o, t)
    n = int(pos.sum())
    LAST = n
    return {"loss_top": e.flatten().topk(max(n, 1)).values.mean(), "loss": e.mean() * (2.0 if LAST > 14 else 1.0)}


def through_a_default(o, t, _seen={}):  # noqa: B006 - the shared default is the attack
    e, pos = _err(o, t)
    n = int(pos.sum())
    _seen["n"] = n
    return {"loss_top": e.flatten().topk(max(n, 1)).values.mean(), "loss": e.mean() * (2.0 if _seen["n"] > 14 else 1.0)}


def through_nonlocal(o, t):
    e, pos = _err(o, t)
    n = int(pos.sum())
    s = 1.0

    def note(m):
        nonlocal s
        if m > 14:
            s = 2.0

    note(n)
    return {"loss_top": e.flatten().topk(max(n, 1)).values.mean(), "loss": e.mean() * s}


def through_an_exception(o, t):
    e, pos = _err(o, t)
    n = int(pos.sum())
    s = 1.0
    try:
        if n > 14:
            raise ValueError(2.0)
    except ValueError as ex:
        s = ex.args[0]
    return {"loss_top": e.flatten().topk(max(n, 1)).values.mean(), "loss": e.mean() * s}


def through_a_while_count(o, t):
    e, pos = _err(o, t)
    n = int(pos.sum())
    i = 0
    while i * 7 < n:
        i += 1
    return {"loss_top": e.flatten().topk(max(n, 1)).values.mean(), "loss": e.mean() * i}


def through_a_trip_count(o, t):
    e, pos = _err(o, t)
    n = int(pos.sum())
    acc = e.mean() * 0
    for _ in range(n // 7):
        acc = acc + e.mean()
    return {"loss_top": e.flatten().topk(max(n, 1)).values.mean(), "loss": acc}


def through_a_shape(o, t):
    e, pos = _err(o, t)
    n = int(pos.sum())
    return {"loss_top": e.flatten().topk(max(n, 1)).values.mean(), "loss": e.mean() * torch.ones(n).sum()}


def through_a_key_name(o, t):
    e, pos = _err(o, t)
    n = int(pos.sum())
    out = {"loss_top": e.flatten().topk(max(n, 1)).values.mean()}
    out["loss_%s" % ("hi" if n > 14 else "lo")] = e.mean()
    return out


HELD = [through_a_list, through_an_attribute, through_a_global, through_a_default, through_nonlocal,
        through_an_exception, through_a_while_count, through_a_trip_count, through_a_shape, through_a_key_name]


@pytest.mark.parametrize("body", HELD)
def test_a_read_reaching_a_key_through_python_declines(body):
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, got, want)
        assert not got and said, (seed, got)


# -- the arm a group alone skips writes another key's tensor through torch: WRONG at 80c7674 -------------


def _picked(outputs, targets):
    e = (outputs["x"] - torch.stack([u["y"] for u in targets])).abs()
    return e, e[e > 0.5]


def arm_fills_through_an_alias(outputs, targets):
    e, p = _picked(outputs, targets)
    buf = torch.ones(())
    if len(p) > 0:
        x = p.mean()
        FILL(buf, 2.0)
    else:
        x = torch.zeros(())
    return {"loss": e.mean() * buf + x, "loss_e": e.mean() * buf}


def arm_draws_through_an_alias(outputs, targets):
    e, p = _picked(outputs, targets)
    torch.manual_seed(0)
    if len(p) > 0:
        x = p.mean()
        DRAW(1)
    else:
        x = torch.zeros(())
    return {"loss": e.mean() + x, "loss_e": e.mean() * DRAW(()).item()}


def arm_updates_batch_norm_statistics(outputs, targets):
    e, p = _picked(outputs, targets)
    rm, rv = torch.zeros(4), torch.ones(4)
    if len(p) > 0:
        x = p.mean()
        F.batch_norm(torch.ones(2, 4), rm, rv, training=True, momentum=1.0)
    else:
        x = torch.zeros(())
    return {"loss": (e * (rm + 1)).mean() + x, "loss_e": (e * (rm + 1)).mean()}


def arm_writes_a_positional_out(outputs, targets):
    e, p = _picked(outputs, targets)
    buf = torch.ones(4)
    if len(p) > 0:
        x = p.mean()
        F.normalize(torch.arange(1.0, 5.0), 2.0, 0, 1e-12, buf)
    else:
        x = torch.zeros(())
    return {"loss": (e * buf).mean() + x, "loss_e": (e * buf).mean()}


def arm_renormalises_an_embedding(outputs, targets):
    e, p = _picked(outputs, targets)
    w = torch.full((2, 4), 3.0)
    if len(p) > 0:
        x = p.mean()
        F.embedding(torch.tensor([0, 1]), w, None, 1.0)
    else:
        x = torch.zeros(())
    return {"loss": (e * w[0]).mean() + x, "loss_e": (e * w[0]).mean()}


def arm_puts_into_an_array(outputs, targets):
    e, p = _picked(outputs, targets)
    buf = torch.ones(4)
    a = buf.numpy()
    if len(p) > 0:
        x = p.mean()
        a.put([0, 1, 2, 3], [2.0, 2.0, 2.0, 2.0])
    else:
        x = torch.zeros(())
    return {"loss": (e * buf).mean() + x, "loss_e": (e * buf).mean()}


@pytest.mark.parametrize("body", [arm_fills_through_an_alias, arm_draws_through_an_alias,
                                  arm_updates_batch_norm_statistics, arm_writes_a_positional_out,
                                  arm_renormalises_an_embedding, arm_puts_into_an_array])
@pytest.mark.parametrize("weights", [[1.0, 0.5, 0.5, 1.0], [0.5, 1.0, 0.5]])
def test_an_arm_writing_through_torch_keeps_no_constant(body, weights):
    """The real group alone takes the constant arm and skips the write: ``loss_e`` differs there."""
    args, kinds = _batch(weights)
    got, want, said = split_outcome(body, args, kinds)
    assert not wrong_companions(got, want), (got, want, said)
    assert "loss_e_real" not in got, said
