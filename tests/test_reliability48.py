"""Session 48 reliability: the library's own work stays off the user's code and out of what the user sees.

- The readers of the arguments (the weight field's ``_weight_outside`` / ``_attribute_field``, the input
  taggers ``_walk`` / ``_layer_lists`` / ``_list_attributes``) read containers as stored (rel47b's
  2188692 and ee7b32f, reverted in session 47, redone): no user Mapping method, property or
  ``__getattr__`` runs. They were reverted because ``types.SimpleNamespace`` keeps its instance dict
  behind a ``member_descriptor`` (a class written in C), which ``mode.instance_dict`` did not read: the
  per-image weights of namespaces went unseen and red_team36b's 5 namespace weight bodies were silently
  WRONG. Now read (``test_namespace_weights_are_seen_and_split_as_the_oracle``).
- ``Frame.give_back_ints`` called ``result.items()`` / ``result[k] = ...`` of the returned dict (a dict
  subclass of the user's: its methods ran, and raised into the call's guard); now dict's own methods,
  one piece (its copy in ``_decorator``'s except branch is gone).
- An op run a second time to compare (``mode._foreign_op``) showed its warnings a second time.
- ``mode._kept_generators`` asked ``torch.backends.mps.is_available()`` at every op run again.
- A torch dispatch mode of the user's around the call (``FlopCounterMode``, an op logger) saw the
  capture's own ops (a weighted input through ``F.linear``: 384 flops counted where undecorated 192).
  Now the user's modes are popped while the library's own work runs (``CaptureMode.__torch_function__``
  around each op, put back while the body's op runs; the decorator's reading of the inputs and split)
  and pushed back in ``finally``. Only where they are the whole stack and none is tracing's (fake,
  proxy, functional) or pre-dispatch (``_aside.users_dispatch_modes``); ``_disable_current_modes``
  is not used: it also pops tracing's modes, under which the library's ops on their tensors must run.
"""

from __future__ import annotations

import sys
import types
import warnings

import pytest
import torch
import torch.nn.functional as F
from _helpers import (
    companions,
    logged_warnings,
    per_row_l1,
    pred_for,
    split_and_compare,
    targets_for,
)
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import FlopCounterMode

from losssplit import _decorator, split_by_source
from losssplit._capture import _aside, mode


def _namespace_body(pred, targets):
    w = torch.tensor([t.loss_weight for t in targets]).repeat_interleave(2)
    return {"loss": ((pred - torch.cat([t.boxes for t in targets])).abs().sum(1) * w).mean()}


def _namespaces(scales):
    return [types.SimpleNamespace(boxes=t["boxes"], loss_weight=t["loss_weight"]) for t in targets_for(scales)]


def test_namespace_weights_are_seen_and_the_call_declines():
    scales = [1.0, 0.5, 0.5, 1.0]
    # (with rel47b's readers alone, ``instance_dict`` gave None for a namespace: the weights 0.5 were
    # unseen, each group's companion its weighted loss where the oracle's is the loss of weight 1: WRONG)
    with logged_warnings() as said:
        out = split_and_compare(_namespace_body, [pred_for(targets_for(scales)), _namespaces(scales)],
                                ["a", "b", "a", "b"])
    assert not companions(out), companions(out)
    assert any("'loss_weight' is held as an attribute of 4 SimpleNamespace objects" in m for m in said), said


# -- the returned dict is read by dict's own methods ------------------------------------------------


class Returned(dict):
    """The body's dict of the user's: its overridden methods count their runs by ``give_back_ints``."""

    runs = 0

    def items(self):
        Returned.runs += sys._getframe(1).f_code.co_name == "give_back_ints"
        return super().items()

    def __setitem__(self, key, value):
        Returned.runs += sys._getframe(1).f_code.co_name == "give_back_ints"
        super().__setitem__(key, value)


def _returned_count(pred, targets):
    n = torch.stack([t["boxes"] for t in targets]).gt(0.5).sum().item()
    w = torch.tensor([float(t["loss_weight"]) for t in targets]).repeat_interleave(2)
    return Returned({"loss": (per_row_l1(pred, targets) * w).sum() / (0.5 * n), "count": n})


def test_give_back_ints_runs_no_method_of_the_users_dict():
    # (on 1dbe91c ``give_back_ints`` called ``items`` and ``__setitem__`` of the returned dict)
    targets = targets_for([1.0, 0.5, 0.5, 1.0])
    Returned.runs = 0
    with logged_warnings() as said:
        out = split_by_source(_returned_count)(pred_for(targets), targets)
    assert type(out["count"]) is int and out["count"] == _returned_count(pred_for(targets), targets)["count"]
    assert Returned.runs == 0
    assert companions(out) and not said, said


def test_give_back_ints_gives_an_exact_number_back_without_the_users_methods():
    # (on 1dbe91c: ``items`` and ``__setitem__`` of the user's dict ran, 2 runs)
    frame = mode.Frame(4)
    try:
        given = Returned({"count": mode.group_number(frame, 3.0, None, (), (), exact=True), "loss": 1.5})
        Returned.runs = 0
        frame.give_back_ints(given)
    finally:
        frame.close()
    assert type(given["count"]) is int and given["count"] == 3 and type(given["loss"]) is float
    assert Returned.runs == 0


# -- an op run again to compare shows no warning a second time ------------------------------------


class Passing(torch.overrides.TorchFunctionMode):
    """The user's own mode: every op as it is (its ops are run again to compare)."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        return func(*args, **(kwargs or {}))


def _warning_body(pred, targets):
    w = torch.tensor([float(t["loss_weight"]) for t in targets]).repeat_interleave(2)
    target = torch.cat([t["boxes"] for t in targets])
    # (a target of another shape, broadcast: ``mse_loss`` warns at every call)
    extra = F.mse_loss(pred[:, :1], target, reduction="none").mean(1)
    return {"loss": ((per_row_l1(pred, targets) + extra) * w).mean()}


@pytest.mark.parametrize("action", ["default", "always"])
def test_an_op_run_again_shows_its_warning_as_often_as_undecorated(action):
    shown = {}
    for decorated in (False, True):
        targets = targets_for([1.0, 0.5, 0.5, 1.0])
        with warnings.catch_warnings(record=True) as caught, Passing(), logged_warnings():
            warnings.simplefilter(action)
            (split_by_source(_warning_body) if decorated else _warning_body)(pred_for(targets), targets)
        shown[decorated] = [str(w.message) for w in caught if "target size" in str(w.message)]
    assert len(shown[False]) == 1 and shown[True] == shown[False], shown


def test_the_warnings_of_another_thread_are_shown_while_a_run_again_is_silenced():
    import threading

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with _aside.warnings_silenced():
            warnings.warn("mine", stacklevel=1)
            thread = threading.Thread(target=warnings.warn, args=("theirs",))
            thread.start()
            thread.join()
        warnings.warn("after", stacklevel=1)
    assert [str(w.message) for w in caught] == ["theirs", "after"]


def test_the_warning_showing_is_restored_where_the_run_again_raises():
    before = warnings._showwarnmsg
    with pytest.raises(RuntimeError), _aside.warnings_silenced():
        raise RuntimeError("the op's own error")
    assert warnings._showwarnmsg is before


# -- the generators kept around an op run again ------------------------------------------------------


def test_mps_availability_is_asked_once(monkeypatch):
    # (on 1dbe91c ``_kept_generators`` asked it at every op run again: 10 asks on this body)
    asked = []
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: asked.append(1) or False)
    _aside.mps_available.cache_clear()
    targets = targets_for([1.0, 0.5, 0.5, 1.0])
    with Passing(), logged_warnings():
        out = split_and_compare(_warning_body, [pred_for(targets), targets])
    assert companions(out)
    assert len(asked) == 1
    _aside.mps_available.cache_clear()


# -- the user's torch dispatch modes see the body's ops alone ---------------------------------------


class Recorded(TorchDispatchMode):
    """The user's dispatch mode: records every aten op it sees."""

    def __init__(self):
        super().__init__()
        self.ops = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.ops.append(str(func))
        return func(*args, **(kwargs or {}))


_W = torch.rand(3, 4, generator=torch.Generator().manual_seed(3))


def _linear_body(pred, targets):
    # (a weighted input through ``F.linear``: the capture computes the unweighted rows, an ``addmm`` more)
    w = torch.tensor([float(t["loss_weight"]) for t in targets]).repeat_interleave(2)
    e = (pred - torch.cat([t["boxes"] for t in targets])).abs() * w[:, None]
    return {"loss": F.linear(e, _W).sum(1).mean()}


def _entropy_body(pred, targets):
    w = torch.tensor([float(t["loss_weight"]) for t in targets]).repeat_interleave(2)
    labels = torch.cat([t["boxes"].argmax(1) for t in targets])
    return {"loss": (F.cross_entropy(pred, labels, reduction="none") * w).mean()}


def test_a_flop_counter_counts_as_many_flops_decorated_as_undecorated():
    # (on 1dbe91c 384 flops decorated where 192 undecorated: the capture's own ``addmm`` counted)
    flops = {}
    for decorated in (False, True):
        targets = targets_for([1.0, 0.5, 0.5, 1.0])
        with FlopCounterMode(display=False) as counter, logged_warnings() as said:
            out = (split_by_source(_linear_body) if decorated else _linear_body)(pred_for(targets), targets)
        flops[decorated] = counter.get_total_flops()
    assert flops[False] == flops[True] == 192, flops
    assert companions(out) and not said, said


@pytest.mark.parametrize("body", [_linear_body, _entropy_body])
def test_a_users_dispatch_mode_sees_the_bodys_ops_alone(body):
    seen = {}
    for decorated in (False, True):
        targets = targets_for([1.0, 0.5, 0.5, 1.0])
        with Recorded() as recorded, logged_warnings() as said:
            out = (split_by_source(body) if decorated else body)(pred_for(targets), targets)
        seen[decorated] = recorded.ops
    assert seen[True] == seen[False]
    assert companions(out) and not said, said
    targets = targets_for([1.0, 0.5, 0.5, 1.0])
    with Recorded():
        split_and_compare(body, [pred_for(targets), targets])


def _raised(*args, **kwargs):
    raise RuntimeError("a library bug")


@pytest.mark.parametrize("where", ["op", "split", "body"])
def test_the_users_dispatch_mode_is_back_where_the_library_or_the_body_raises(monkeypatch, where):
    if where == "op":
        monkeypatch.setattr(mode, "_op_facts", _raised)
        mode._FACTS.clear()
    elif where == "split":
        monkeypatch.setattr(_decorator._Splitter, "_split", _raised)
    targets = targets_for([1.0, 0.5, 0.5, 1.0])
    pred = pred_for(targets)
    body = _linear_body if where != "body" else (lambda p, t: {"loss": F.linear(p, _W.t())})  # (shapes mismatch)
    with Recorded() as recorded, logged_warnings() as said:
        if where == "body":
            with pytest.raises(RuntimeError):
                split_by_source(body)(pred, targets)
        else:
            out = split_by_source(body)(pred, targets)
            assert not companions(out) and len(said) == 1 and "a library bug" in said[0], said
        assert torch._C._len_torch_dispatch_stack() == 1 and torch._C._get_dispatch_stack_at(0) is recorded
        before = len(recorded.ops)
        torch.ones(2).add(1)
        assert len(recorded.ops) == before + 2
    assert torch._C._len_torch_dispatch_stack() == 0
