"""Session 47 reliability: the library's own work stays off the user's code and out of training.

- ``node_ids._added`` made a host-to-device 0-dim tensor at every integer ``+`` of the call before it
  asked whether the added tensor was tracked (on main fb5d876: one ``torch.tensor`` per integer add).
- ``CaptureMode._run`` read an op after it ran with parts outside any try (the checks of factories and
  writes, ``_op_facts``, ``_outside_asked``, ...): a library bug there escaped into training. Everything
  read after the op is now ``_after_op``, whose exception is one warning and the dict unchanged.
- ``CaptureMode(frame, (args, kwargs))`` was built outside any try, and its scan for tensor subclasses
  (``_holds_foreign``) called a user Mapping's ``values()`` and ``getattr(v, "__dict__")`` (a
  ``__getattr__`` of the user's). Now inside the guarded region, reading containers by their
  builtin types' own methods and objects' instance dicts by their slot. Pinned: the weight-field and
  input readers still run such code (strict xfail below).
- ``mode._foreign_op`` runs an op again plainly to compare it under the user's mode or subclass; it
  kept the CPU generator and those of the CUDA devices of the op's tensors: a random factory of no
  tensor (``torch.randn(.., device="cuda")``) moved CUDA's generator a second time. Now every
  initialised accelerator's (cuda, xpu, mps) is kept and put back.
- That run again ran a function of the user's reached through ``handle_torch_function`` a second
  time (its counter, log, any side effect no version shows). An op that may reach code of the user's
  (a function outside torch, a callable argument, a ``__torch_dispatch__`` or dispatch mode of the
  user's, an in-place op no version shows) is not run again: its rows are lost, the keys declined.
"""

from __future__ import annotations

import contextlib
import sys
from collections import OrderedDict, UserDict
from collections.abc import Mapping

import pytest
import torch
from _helpers import (
    companions,
    logged_warnings,
    mean_l1,
    per_row_l1,
    pred_for,
    split_and_compare,
    targets_for,
)

from losssplit import split_by_source
from losssplit._capture import mode


def _integer_adds(pred, targets):
    offsets = torch.arange(8)
    for _ in range(20):
        offsets = offsets + 1  # (an integer tensor of no image plus a number: nothing to follow)
    return {"loss": mean_l1(pred, targets)["loss"] + 0 * offsets[0]}


def test_an_integer_add_of_no_images_tensor_makes_no_tensor_of_the_library(monkeypatch):
    made = []
    tensor = torch.tensor

    def counted(*args, **kwargs):
        if sys._getframe(1).f_globals.get("__name__", "").startswith("losssplit._capture.node_ids"):
            made.append(args)
        return tensor(*args, **kwargs)

    monkeypatch.setattr(torch, "tensor", counted)
    targets = targets_for([1.0, 0.5, 0.5, 1.0])
    with logged_warnings():
        split_by_source(_integer_adds)(pred_for(targets), targets)
    assert made == []
    split_and_compare(_integer_adds, [pred_for(targets), targets])


# -- a library bug anywhere in the capture's reading of an op: one warning, the dict unchanged ---


def _positions_body(pred, targets):
    idx = torch.arange(pred.shape[0])  # (a factory: ``_run``'s checks of factories and writes)
    w = torch.tensor([float(t["loss_weight"]) for t in targets]).repeat_interleave(2)
    return {"loss": (per_row_l1(pred[idx], targets) * w).mean()}


def _broken(*args, **kwargs):
    raise RuntimeError("a library bug")


@pytest.mark.parametrize("helper", ["_made_with_count", "_note_identity", "_op_facts", "_outside_asked"])
def test_a_bug_in_the_capture_of_an_op_is_one_warning_and_the_dict_unchanged(monkeypatch, helper):
    targets = targets_for([1.0, 0.5, 0.5, 1.0])
    with logged_warnings() as said:
        assert companions(split_by_source(_positions_body)(pred_for(targets), targets))  # (the path is reached)
    assert not said
    monkeypatch.setattr(mode, helper, _broken)
    mode._FACTS.clear()
    with logged_warnings() as said:
        out = split_and_compare(_positions_body, [pred_for(targets), targets])
    assert not companions(out)
    assert len(said) == 1 and "internal error" in said[0] and "a library bug" in said[0], said


# -- the capture's scan of the arguments for tensor subclasses runs no code of the user's ---------


class Outputs(Mapping):
    """The predictions in a Mapping of the user's: every method counts its calls."""

    calls = 0

    def __init__(self, **items):
        self._items = items

    def __getitem__(self, key):
        Outputs.calls += 1
        return self._items[key]

    def __iter__(self):
        Outputs.calls += 1
        return iter(self._items)

    def __len__(self):
        Outputs.calls += 1
        return len(self._items)

    def values(self):
        Outputs.calls += 1
        return self._items.values()


class Slotted:
    """An argument without an instance dict: a read of ``__dict__`` reaches its ``__getattr__``."""

    __slots__ = ("scale",)
    calls = 0

    def __init__(self):
        self.scale = 1.0

    def __getattr__(self, name):
        Slotted.calls += 1
        raise AttributeError(name)


def _mapped_body(outputs, targets, extra):
    w = torch.tensor([float(t["loss_weight"]) for t in targets]).repeat_interleave(2)
    return {"loss": (per_row_l1(outputs["boxes"], targets) * w).mean() * extra.scale}


def test_the_capture_mode_reads_no_mapping_or_getattr_of_the_users():
    # (on fb5d876 ``_holds_foreign`` called the Mapping's ``values()`` and ``getattr(v, "__dict__")``)
    targets = targets_for([1.0, 0.5, 0.5, 1.0])
    Outputs.calls = Slotted.calls = 0
    frame = mode.Frame(4)
    try:
        mode.CaptureMode(frame, ((Outputs(boxes=pred_for(targets)), targets, Slotted()), {}))
    finally:
        frame.close()
    assert (Outputs.calls, Slotted.calls) == (0, 0)


def test_the_scan_finds_a_subclass_in_containers_without_their_methods():
    class Seen(torch.Tensor):
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            return super().__torch_function__(func, types, args, kwargs or {})

    class Listed(list):
        def __iter__(self):
            raise AssertionError("the user's __iter__ ran")

    class Held:
        def __init__(self, x):
            self.x = x

    x = torch.ones(2).as_subclass(Seen)
    for holder in (Listed([x]), OrderedDict(x=x), UserDict(x=x), Held(x), [{"a": x}]):
        assert mode._holds_foreign(((holder,), {})), holder
    assert not mode._holds_foreign(((Listed([torch.ones(2)]), Outputs(boxes=torch.ones(2)), Slotted()), {}))
    assert mode._holds_foreign(((Outputs(boxes=x),), {}))  # (its instance dict holds it)


def test_a_mapping_or_getattr_of_the_users_runs_as_often_as_undecorated():
    calls = {}
    for decorated in (False, True):
        targets = targets_for([1.0, 0.5, 0.5, 1.0])
        Outputs.calls = Slotted.calls = 0
        with logged_warnings():
            (split_by_source(_mapped_body) if decorated else _mapped_body)(
                Outputs(boxes=pred_for(targets)), targets, Slotted())
        calls[decorated] = (Outputs.calls, Slotted.calls)
    assert calls[False] == calls[True] == (1, 0)


def test_a_bug_in_the_scan_of_the_arguments_is_one_warning_and_the_dict_unchanged(monkeypatch):
    monkeypatch.setattr(mode, "_holds_foreign", _broken)
    targets = targets_for([1.0, 0.5, 0.5, 1.0])
    with logged_warnings() as said:
        out = split_and_compare(_positions_body, [pred_for(targets), targets])
    assert not companions(out)
    assert len(said) == 1 and "internal error" in said[0] and "a library bug" in said[0], said


# -- an op run again to compare under the user's mode or subclass (``mode._foreign_op``) ---------


class Passing(torch.overrides.TorchFunctionMode):
    """The user's own mode: every op as it is."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        return func(*args, **(kwargs or {}))


class Seen(torch.Tensor):
    """A subclass whose ``__torch_function__`` is the user's (values unchanged)."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return super().__torch_function__(func, types, args, kwargs or {})


SCALED = [0]


def scaled(x):
    """A function of the user's that modes and subclasses see (``handle_torch_function``); counts its runs."""
    if torch.overrides.has_torch_function((x,)):
        return torch.overrides.handle_torch_function(scaled, (x,), x)
    SCALED[0] += 1
    return x * 2


def _noisy_body(pred, targets):
    w = torch.tensor([float(t["loss_weight"]) for t in targets]).repeat_interleave(2)
    noise = torch.randn(3, device="cpu")  # (a factory of no tensor: on CUDA, its device's generator)
    return {"loss": (per_row_l1(pred, targets) * w).mean() + 0 * noise.sum()}


def test_a_factory_run_again_keeps_every_initialised_accelerators_generator(monkeypatch):
    # (on fb5d876 only the CUDA devices of the op's tensor arguments: ``torch.randn(.., device="cuda")``
    # run again moved CUDA's generator, the body's next draws differed from the undecorated call's)
    saved, restored = [], []

    def states():
        saved.append([torch.tensor([len(saved)])])
        return saved[-1]

    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_rng_state_all", states)
    monkeypatch.setattr(torch.cuda, "set_rng_state_all", restored.append)
    targets = targets_for([1.0, 0.5, 0.5, 1.0])
    with Passing(), logged_warnings():
        split_by_source(_noisy_body)(pred_for(targets), targets)
    assert saved and restored == saved


def _scaled_body(pred, targets):
    w = torch.tensor([float(t["loss_weight"]) for t in targets]).repeat_interleave(2)
    return {"loss": (scaled(per_row_l1(pred, targets)) * w).mean()}


@pytest.mark.parametrize("how", ["mode", "subclass"])
def test_a_users_function_runs_as_often_as_undecorated(how):
    # (on fb5d876 run again plainly to compare: the user's function ran twice)
    counts = {}
    for decorated in (False, True):
        targets = targets_for([1.0, 0.5, 0.5, 1.0])
        pred = pred_for(targets)
        if how == "subclass":
            pred = pred.detach().as_subclass(Seen).requires_grad_()
        SCALED[0] = 0
        with Passing() if how == "mode" else contextlib.nullcontext(), logged_warnings() as said:
            out = (split_by_source(_scaled_body) if decorated else _scaled_body)(pred, targets)
        counts[decorated] = SCALED[0]
    assert counts[False] == counts[True] == 1
    assert not companions(out) and any("loss" in m and "scaled" in m for m in said), said


def test_a_users_function_keeps_training_bit_identical():
    targets = targets_for([1.0, 0.5, 0.5, 1.0])
    with Passing(), logged_warnings():
        split_and_compare(_scaled_body, [pred_for(targets), targets])


def test_torchs_own_getters_are_still_run_again_and_followed():
    # (``Tensor.dtype.__get__``: a method-wrapper whose ``__objclass__`` is ``getset_descriptor``)
    def body(pred, targets):
        w = torch.tensor([float(t["loss_weight"]) for t in targets], dtype=pred.dtype).repeat_interleave(2)
        return {"loss": (per_row_l1(pred, targets) * w).mean()}

    targets = targets_for([1.0, 0.5, 0.5, 1.0])
    with Passing(), logged_warnings() as said:
        out = split_and_compare(body, [pred_for(targets), targets])
    assert companions(out) and not said, said
