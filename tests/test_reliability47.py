"""Session 47 reliability: the library's own work stays off the user's code and out of training.

- ``node_ids._added`` made a host-to-device 0-dim tensor at every integer ``+`` of the call before it
  asked whether the added tensor was tracked (on main fb5d876: one ``torch.tensor`` per integer add).
"""

from __future__ import annotations

import sys

import torch
from _helpers import logged_warnings, mean_l1, pred_for, split_and_compare, targets_for

from losssplit import split_by_source


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
