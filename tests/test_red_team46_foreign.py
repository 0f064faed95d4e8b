"""Red team 46c: user code that sees or changes the body's ops (tensor subclasses, torch function modes).

The guarantee attacked: training (loss, gradients, the user's side effects, RNG state) is the
undecorated call's, and companions are the oracle's or declined, whatever the user's
``__torch_function__`` does. Found: an outer mode of the user's that changes an op's values (``mean``
made a sum, a ``sum`` doubled) gave the plain op's companions (WRONG on main 3375a85 too; fixed: each
op under such a mode is compared as a foreign subclass's, ``Frame.outer_mode``); ``mode._FACTS`` kept
a bound method of a per-call object reached through ``handle_torch_function`` (and its tensors) past
the call (fixed); new in merge46: the plain run again of a subclass's ``bernoulli(..., generator=g)``
moved the user's ``g`` (the body's later draws differed; fixed), and of ``torch.autograd.grad`` fired
the user's hooks twice (fixed: not run again). A subclass whose ``__torch_function__`` computes a batch number the body reads from a
global stays WRONG (pinned).
"""

from __future__ import annotations

import gc
import weakref

import pytest
import torch
from _helpers import ROWS, TARGETS, companions, logged_warnings, oracle_companions, wrong_companions
from test_guarantee_user_code import BODIES, Logging, _oracle, _w, batch, class_ce, matched_l1, run

from losssplit import split_by_source
from losssplit._capture import mode


class MeanIsSum(torch.overrides.TorchFunctionMode):
    """The user's mode: ``mean`` runs as ``sum``."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        return (torch.Tensor.sum if func is torch.Tensor.mean else func)(*args, **(kwargs or {}))


class DoubledSum(torch.overrides.TorchFunctionMode):
    """The user's mode: every floating ``sum`` doubled."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if getattr(func, "__name__", "") == "sum" and isinstance(out, torch.Tensor) and out.is_floating_point():
            out = out * 2
        return out


class Counting(torch.overrides.TorchFunctionMode):
    """The user's mode: counts the ops, values unchanged."""

    def __init__(self):
        super().__init__()
        self.ops = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.ops += 1
        return func(*args, **(kwargs or {}))


def _under(make, body, decorated):
    outputs, targets, _ = batch()
    with make() as m, logged_warnings():
        out = (split_by_source(body) if decorated else body)(outputs, targets)
    return out, getattr(m, "ops", None)


@pytest.mark.parametrize("make", [MeanIsSum, DoubledSum], ids=lambda c: c.__name__)
@pytest.mark.parametrize("body", BODIES, ids=lambda f: f.__name__)
def test_an_outer_mode_that_changes_values_gives_its_companions_or_declines(make, body):
    plain, decorated = _under(make, body, False)[0], _under(make, body, True)[0]
    assert all(torch.equal(plain[k], decorated[k]) for k in plain)
    outputs, targets, _ = batch()
    with make():
        want = oracle_companions(body, [outputs, targets], [ROWS, TARGETS], [t["loss_weight"] for t in targets])
    assert not wrong_companions(companions(decorated), want), (companions(decorated), want)


def test_a_mode_that_changes_mean_declines_naming_it():
    outputs, targets, _ = batch()
    with MeanIsSum(), logged_warnings() as said:
        out = split_by_source(class_ce)(outputs, targets)
    assert not companions(out)
    assert any("mean under the user's torch function mode MeanIsSum" in m for m in said), said


@pytest.mark.parametrize("body", [matched_l1, class_ce], ids=lambda f: f.__name__)
def test_a_mode_that_only_counts_keeps_the_companions_and_its_count(body):
    (_, n_plain), (decorated, n_decorated) = _under(Counting, body, False), _under(Counting, body, True)
    assert n_plain == n_decorated
    assert companions(decorated) == pytest.approx(_oracle(body, None), rel=1e-6)


# -- subclasses whose __torch_function__ changes values only sometimes, or draws ---------------------

CALLS = [0]
DRAWS = torch.Generator()


class EverySecond(torch.Tensor):
    """Every second ``sum``/``mean`` doubled."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        out = super().__torch_function__(func, types, args, kwargs or {})
        if func in (torch.Tensor.sum, torch.sum, torch.Tensor.mean):
            CALLS[0] += 1
            if CALLS[0] % 2 == 0:
                out = out * 2
        return out


class AboveHalf(torch.Tensor):
    """A floating scalar result above 0.5 gets 1 added: the change depends on the data."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        out = super().__torch_function__(func, types, args, kwargs or {})
        if isinstance(out, torch.Tensor) and out.is_floating_point() and out.numel() == 1:
            with torch._C.DisableTorchFunction():
                if float(out.detach()) > 0.5:
                    out = out + 1
        return out


class GeneratorNoise(torch.Tensor):
    """Noise from a ``torch.Generator`` of the user's on every floating result."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        out = super().__torch_function__(func, types, args, kwargs or {})
        if isinstance(out, torch.Tensor) and out.is_floating_point():
            with torch._C.DisableTorchFunction():
                out = out + 1e-3 * torch.rand(out.shape, generator=DRAWS)
        return out


class NestedMean(torch.Tensor):
    """``sum`` adds a ``mean`` of its own input, run through the subclass again (0 in value)."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        out = super().__torch_function__(func, types, args, kwargs or {})
        if func is torch.Tensor.sum and args[0].is_floating_point():
            out = out + (args[0] * 0).mean()
        return out


def _reset():
    CALLS[0] = 0
    DRAWS.manual_seed(5)


@pytest.mark.parametrize("subclass", [EverySecond, AboveHalf, GeneratorNoise, NestedMean], ids=lambda c: c.__name__)
@pytest.mark.parametrize("body", BODIES, ids=lambda f: f.__name__)
def test_a_subclass_that_changes_values_sometimes_trains_alike_and_is_never_wrong(body, subclass):
    _reset()
    plain = run(body, subclass, False)
    state = DRAWS.get_state()
    _reset()
    decorated = run(body, subclass, True)
    assert torch.equal(state, DRAWS.get_state())  # the user's generator drew as often
    assert torch.equal(plain[0][1], decorated[0][1])
    assert plain[1].keys() == decorated[1].keys() and all(torch.equal(plain[1][k], decorated[1][k]) for k in plain[1])
    assert plain[2].keys() == decorated[2].keys() and all(torch.equal(plain[2][k], decorated[2][k]) for k in plain[2])
    outputs, targets, _ = batch(subclass)

    def fresh(*args):  # (each group's call counts and draws from where the batch's call did)
        _reset()
        return body(*args)

    want = oracle_companions(fresh, [outputs, targets], [ROWS, TARGETS], [t["loss_weight"] for t in targets])
    assert not wrong_companions(decorated[3], want), (decorated[3], want)


NORM: dict[str, int] = {}


class Recording(torch.Tensor):
    """Keeps the count of a comparison's true values in a global, computed where no capture sees it."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        out = super().__torch_function__(func, types, args, kwargs or {})
        if getattr(func, "__name__", "") in ("__gt__", "gt"):
            with torch._C.DisableTorchFunction():
                NORM["n"] = max(int(out.sum()), 1)
        return out


def _over_recorded_count(outputs, targets):
    pos = torch.stack([t["labels"] for t in targets]) > 2
    e = (outputs["boxes"][:, :3, 0] - 0.5).abs() * pos * _w(targets)[:, None]
    return {"loss": e.sum() / NORM["n"]}


@pytest.mark.xfail(strict=True, reason=(
    "known WRONG (on main 3375a85 too): a subclass's __torch_function__ counts the batch's positives where the "
    "capture sees no op and leaves the count in a global the body divides by: every group is divided by the "
    "batch's count (the ops a user's __torch_function__ runs are hidden as under DisableTorchFunction)"))
def test_a_count_kept_by_a_subclass_in_a_global_is_the_groups_or_declined():
    got = run(_over_recorded_count, Recording, True)[3]
    want = _oracle(_over_recorded_count, Recording)
    assert not wrong_companions(got, want), (got, want)


# -- subclasses made other ways, transforms, scripted helpers ----------------------------------------


class Doubled(torch.Tensor):
    """A wrapper subclass (``__torch_dispatch__``): ``mean`` doubled below autograd."""

    @staticmethod
    def __new__(cls, e):
        return torch.Tensor._make_wrapper_subclass(cls, e.shape, dtype=e.dtype, device=e.device)

    def __init__(self, e):
        self.e = e

    __torch_function__ = torch._C._disabled_torch_function_impl

    @classmethod
    def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
        def unwrap(x):
            return x.e if isinstance(x, Doubled) else x

        out = func(*torch.utils._pytree.tree_map(unwrap, args), **torch.utils._pytree.tree_map(unwrap, kwargs or {}))
        if func is torch.ops.aten.mean.default:
            out = out * 2
        return torch.utils._pytree.tree_map(lambda x: Doubled(x) if isinstance(x, torch.Tensor) else x, out)


class Summing(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return super().__torch_function__(torch.Tensor.sum if func is torch.Tensor.mean else func, types, args,
                                          kwargs or {})


def _errors(outputs, targets):
    return (outputs["boxes"][:, 0] - torch.stack([t["boxes"][0] for t in targets])).abs().sum(1) * _w(targets)


def _wrapped_mean(outputs, targets):
    return {"loss": Doubled(_errors(outputs, targets)).mean().e}


def _made_subclass_mean(outputs, targets):
    return {"loss": torch.Tensor._make_subclass(Summing, _errors(outputs, targets).detach(), True).mean()
            .as_subclass(torch.Tensor)}


@torch.jit.script
def _scripted_l1(a, b):
    return (a - b).abs().sum(1)


def _scripted(outputs, targets):
    e = _scripted_l1(outputs["boxes"][:, 0], torch.stack([t["boxes"][0] for t in targets]))
    return {"loss": (e * _w(targets)).mean()}


def _vmapped(outputs, targets):
    e = torch.func.vmap(lambda a, b: (a - b).abs().sum())(outputs["boxes"][:, 0],
                                                         torch.stack([t["boxes"][0] for t in targets]))
    return {"loss": (e * _w(targets)).mean()}


def _with_func_grad(outputs, targets):
    b = torch.stack([t["boxes"][0] for t in targets])
    g = torch.func.grad(lambda a: ((a - b).abs().sum(1) * _w(targets)).mean())(outputs["boxes"][:, 0].detach())
    return {"loss": _errors(outputs, targets).mean() + g.sum()}


def _inner_mode(outputs, targets):
    with MeanIsSum():
        return class_ce(outputs, targets)


@pytest.mark.parametrize("body", [_wrapped_mean, _made_subclass_mean, _scripted, _vmapped, _with_func_grad,
                                  _inner_mode], ids=lambda f: f.__name__)
def test_other_user_code_in_the_body_gives_the_oracles_companions_or_declines(body):
    outputs, targets, _ = batch()
    with logged_warnings():
        out = split_by_source(body)(outputs, targets)
    assert all(torch.equal(out[k], v) for k, v in body(outputs, targets).items())
    want = oracle_companions(body, [outputs, targets], [ROWS, TARGETS], [t["loss_weight"] for t in targets])
    assert not wrong_companions(companions(out), want), (companions(out), want)


def test_a_subclass_inside_the_models_output_object_is_never_wrong():
    class Out:
        def __init__(self, boxes):
            self.boxes = boxes

    def body(out, targets):
        e = (out.boxes.mean(1) - torch.stack([t["boxes"][0] for t in targets])).abs().sum(1)
        return {"loss": (e * _w(targets)).mean().as_subclass(torch.Tensor)}

    outputs, targets, _ = batch()
    with logged_warnings():
        out = split_by_source(body)(Out(outputs["boxes"].as_subclass(Summing)), targets)
    assert torch.equal(out["loss"], body(Out(outputs["boxes"].as_subclass(Summing)), targets)["loss"])
    want = oracle_companions(lambda b, t: body(Out(b), t), [outputs["boxes"].as_subclass(Summing), targets],
                             [ROWS, TARGETS], [t["loss_weight"] for t in targets])
    assert not wrong_companions(companions(out), want)


# -- what the capture keeps after the call ------------------------------------------------------------


class Holder:
    """A per-call object whose method is a torch function of its own (``handle_torch_function``)."""

    def __init__(self, kept):
        self.kept = kept

    def scaled(self, x):
        if torch.overrides.has_torch_function((x,)):
            return torch.overrides.handle_torch_function(self.scaled, (x,), x)
        return x * 2


def _holding_body(kept):
    def body(outputs, targets):
        e = Holder(kept).scaled(outputs["boxes"][:, 0]) - torch.stack([t["boxes"][0] for t in targets])
        return {"loss": (e.abs().sum(1) * _w(targets)).mean()}

    return body


def test_a_bound_method_reaching_the_capture_keeps_no_tensor_past_the_call():
    kept = torch.zeros(1000)
    gone = weakref.ref(kept)
    body = _holding_body(kept)
    del kept
    outputs, targets, _ = batch()
    with logged_warnings():
        out = split_by_source(body)(outputs, targets)
    want = oracle_companions(body, [outputs, targets], [ROWS, TARGETS], [t["loss_weight"] for t in targets])
    assert not wrong_companions(companions(out), want)
    del body, out
    gc.collect()
    assert gone() is None
    assert not [f for f in mode._FACTS if isinstance(getattr(f, "__self__", None), Holder)]


def test_a_subclass_input_is_not_kept_past_the_call():
    outputs, targets, _ = batch(Summing)
    pred = outputs["boxes"].as_subclass(Summing)
    gone = weakref.ref(pred)
    with logged_warnings():
        out = split_by_source(matched_l1)({"boxes": pred}, targets)
    del pred, out, outputs
    gc.collect()
    assert gone() is None


USERS = torch.Generator()


def _drawing_from_a_generator(outputs, targets):
    e = (outputs["boxes"][:, 0] - torch.stack([t["boxes"][0] for t in targets])).abs()
    keep = torch.bernoulli(torch.full_like(e, 0.5), generator=USERS)
    picked = torch.multinomial(e.sum(1) + 0.1, 2, generator=USERS)
    return {"loss": (e * keep).sum(1).mul(_w(targets)).mean(), "after": torch.rand(3, generator=USERS), "picked": picked}


def test_an_op_of_a_subclass_run_again_leaves_the_users_generator_as_it_was():
    # (the plain run again of ``bernoulli(..., generator=g)`` drew from ``g``: the body's next draws differed)
    got = []
    for decorated in (False, True):
        outputs, targets, _ = batch(Logging)
        USERS.manual_seed(3)
        with logged_warnings():
            out = (split_by_source(_drawing_from_a_generator) if decorated else _drawing_from_a_generator)(
                outputs, targets)
        got.append((out, USERS.get_state()))
    (plain, plain_state), (decorated, decorated_state) = got
    assert torch.equal(plain_state, decorated_state)
    assert all(torch.equal(plain[k], decorated[k]) for k in ("loss", "after", "picked"))
    assert not companions(decorated)  # (a random draw: other values run again)


def _first_rows_l1(outputs, targets):
    e = (outputs["boxes"][:, 0] - torch.stack([t["boxes"][0] for t in targets])).abs().sum(1)
    return {"loss": (e * _w(targets)).mean()}


def _with_autograd_grad(outputs, targets):
    loss = _first_rows_l1(outputs, targets)["loss"]
    g, = torch.autograd.grad(loss, outputs["boxes"], retain_graph=True)
    return {"loss": loss, "grad_norm": g.norm().detach()}


@pytest.mark.parametrize("outer", [None, Counting], ids=["subclass", "outer_mode"])
def test_autograd_grad_of_a_foreign_op_fires_the_users_hooks_once(outer):
    # (run again to compare, the retained graph's hook on the prediction fired twice)
    fired, losses = {}, {}
    for decorated in (False, True):
        outputs, targets, _ = batch(Logging)
        pred = outputs["boxes"].as_subclass(Logging).requires_grad_()
        calls: list[torch.Tensor] = []
        pred.register_hook(calls.append)
        with (outer() if outer else torch.enable_grad()), logged_warnings():
            out = (split_by_source(_with_autograd_grad) if decorated else _with_autograd_grad)({"boxes": pred}, targets)
        fired[decorated], losses[decorated] = len(calls), out
    assert fired[False] == fired[True] == 1
    assert all(torch.equal(losses[False][k], losses[True][k]) for k in losses[False])
    outputs, targets, _ = batch(Logging)
    want = oracle_companions(_first_rows_l1, [outputs, targets], [ROWS, TARGETS], [t["loss_weight"] for t in targets])
    assert companions(losses[True]) == pytest.approx(want, rel=1e-6)  # (the loss's companions kept)
