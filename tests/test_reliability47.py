"""Session 47 reliability: the library's own work stays off the user's code and out of training.

- ``node_ids._added`` made a host-to-device 0-dim tensor at every integer ``+`` of the call before it
  asked whether the added tensor was tracked (on main fb5d876: one ``torch.tensor`` per integer add).
- ``CaptureMode._run`` read an op after it ran with parts outside any try (the checks of factories and
  writes, ``_op_facts``, ``_outside_asked``, ...): a library bug there escaped into training. Everything
  read after the op is now ``_after_op``, whose exception is one warning and the dict unchanged.
"""

from __future__ import annotations

import sys

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
