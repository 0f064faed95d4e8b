"""Red team 27's fixes (session 29) outside the count tensors (``tests/test_count_valued_tensors.py``):

- several images' predictions written into a tensor the body made at positions other than their
  own rows (``p[1:] = x``, ``m[idx.flip(0)] = x``, a module queue) left it untracked, a constant
  the loss then read: on a group alone it holds the group's. Such a write declines the tensor
  (``indexing._inplace``); a write that puts each image's values in its own row (a whole-dim
  slice, an index tensor of the images of the values' rows: YOLO's ``tobj[b, a, gj, gi] =
  iou.detach()``, or a mask picking them in order: ``m[mask] = x[mask].detach()``) keeps splitting (``indexing._rows_in_place``);
- a divisor ``max(len(s["labels"]) for s in t)`` equal by value to the number of images was divided
  as that count; it declines where the images' sizes make it up (``elementwise._one_images_size``,
  ``_bytecode.divisor_bounds_a_comprehension``), a filtered list's ``len`` keeps splitting."""

from __future__ import annotations

import pytest
import torch
from _helpers import RULE_BATCHES, check_rule, rule_batch, rule_outcome, wrong_companions


def _shifted(o, t):
    p = torch.zeros(len(t) + 1, 3, 4)
    p[1:] = o["x"].detach()
    return {"loss": (o["x"] * p[:-1]).mean()}


def _flipped(o, t):
    idx = torch.arange(len(t))
    m = torch.zeros(len(t), 4)
    m[idx.flip(0)] = o["x"][idx, 0].detach()
    return {"loss": (o["x"][:, 1] * m).mean()}


def _own_rows_by_index(o, t):
    idx = torch.arange(len(t))
    m = torch.zeros(len(t), 4)
    m[idx] = o["x"][idx, 0].detach()
    return {"loss": (o["x"][:, 1] * m).mean()}


def _own_rows_by_mask(o, t):
    x = o["x"].mean(2)
    mask = torch.stack([s["labels"] > 1 for s in t])
    m = torch.zeros(len(t), 3)
    m[mask] = x[mask].detach()
    return {"loss": (x * m).mean()}


def _own_rows_sliced(o, t):
    m = torch.zeros(len(t), 3, 4)
    m[:, :2] = o["x"][:, :2].detach()
    return {"loss": (o["x"] * m).mean()}


WRITTEN_ELSEWHERE = {"shifted": _shifted, "flipped": _flipped}
WRITE = "predictions into a tensor at positions the rules do not follow"


@pytest.mark.parametrize("name", list(WRITTEN_ELSEWHERE))
def test_predictions_written_at_other_images_rows_decline(name):
    check_rule(WRITTEN_ELSEWHERE[name], WRITE, declines=True)


@pytest.mark.parametrize("name", list(WRITTEN_ELSEWHERE))
def test_predictions_written_at_other_images_rows_are_wrong_undeclined(name, monkeypatch):
    from losssplit._capture import indexing

    monkeypatch.setattr(indexing, "_rows_in_place", lambda *a: True)
    monkeypatch.setattr(indexing, "_positions_written", lambda *a: None)  # (the other check of ``m[idx.flip(0)] = x``)
    assert any(wrong_companions(*rule_outcome(WRITTEN_ELSEWHERE[name], rule_batch(s, w))[:2]) for s, w in RULE_BATCHES)


@pytest.mark.parametrize("body", [_own_rows_by_index, _own_rows_by_mask, _own_rows_sliced],
                         ids=["index_of_the_images", "mask_of_the_images", "whole_dim_slice"])
def test_predictions_written_in_their_own_rows_split(body):
    check_rule(body, "")


def _over_most_labels(o, t):
    return {"loss": (o["x"] - torch.stack([s["y"] for s in t])).abs().sum() / max(len(s["labels"]) for s in t)}


def _over_kept_targets(o, t):
    kept = [s for s in t if s["labels"].numel() > 0]
    return {"loss": (o["x"] - torch.stack([s["y"] for s in t])).abs().sum() / len(kept)}


def test_the_largest_image_size_equal_to_the_count_declines():
    """3 labels per image: on the 3-image batch ``max`` equals the count (was divided as it,
    silently wrong); on the others it is none of the loss's counts and declined already."""
    check_rule(_over_most_labels, "after it read sizes of single images' tensors", declines=True)


def test_the_largest_image_size_is_wrong_undeclined(monkeypatch):
    """Without both guards (the divisor's, and since session 33 the call's scan of ``max()`` / ``min()``
    of a comprehension over the targets, ``Frame.bounded_sizes``) the body is silently wrong."""
    from losssplit._capture import _lengths, elementwise

    monkeypatch.setattr(elementwise, "divisor_bounds_a_comprehension", lambda **_: False)
    monkeypatch.setattr(_lengths, "reduced", lambda *_: _lengths._UNKNOWN)
    assert wrong_companions(*rule_outcome(_over_most_labels, rule_batch(*RULE_BATCHES[1]))[:2])


def test_a_filtered_list_of_the_targets_divides_as_their_count():
    check_rule(_over_kept_targets, "")


# -- labels / targets written at positions a tensor picks (session 30, psum3): ``m.index_put_((idx,), v)``
# declined where ``m[idx] = v`` split (the index's ``torch.arange`` made the buffer positional); a
# permutation or some positions of a tensor of positions wrote other images' values at each row
# (silently wrong on main at 4ab73ea, both forms)


def _labels(t):
    return torch.stack([u["labels"] for u in t])


def _ce(o, lab):
    return {"loss": torch.nn.functional.cross_entropy(o["x"].transpose(1, 2), lab)}


def _labels_by_index(o, t):
    lab = torch.zeros(len(t), _labels(t).shape[1], dtype=torch.long)
    lab[torch.arange(len(t))] = _labels(t)
    return _ce(o, lab)


def _labels_by_index_put(o, t):
    lab = torch.zeros(len(t), _labels(t).shape[1], dtype=torch.long)
    lab.index_put_((torch.arange(len(t)),), _labels(t))
    return _ce(o, lab)


def _labels_reversed(o, t):
    lab = torch.zeros(len(t), _labels(t).shape[1], dtype=torch.long)
    lab[torch.arange(len(t) - 1, -1, -1)] = _labels(t)
    return _ce(o, lab)


def _labels_reversed_by_index_put(o, t):
    lab = torch.zeros(len(t), _labels(t).shape[1], dtype=torch.long)
    lab.index_put_((torch.arange(len(t) - 1, -1, -1),), _labels(t))
    return _ce(o, lab)


def _first_label_rewritten(o, t):
    lab = _labels(t).clone()
    lab[torch.tensor([0])] = 1
    return _ce(o, lab)


def _first_label_rewritten_by_index_put(o, t):
    lab = _labels(t).clone()
    lab.index_put_((torch.tensor([0]),), torch.tensor(1))
    return _ce(o, lab)


def _first_target_rewritten(o, t):
    y = torch.stack([u["y"] for u in t]).clone()
    y[torch.tensor([0])] = 0.25
    return {"loss": (o["x"] - y).abs().mean()}


@pytest.mark.parametrize("body", [_labels_by_index, _labels_by_index_put], ids=lambda f: f.__name__)
def test_labels_written_each_at_its_own_position_by_an_index_split(body):
    check_rule(body, "")


@pytest.mark.parametrize("body", [_labels_reversed, _labels_reversed_by_index_put, _first_label_rewritten,
                                  _first_label_rewritten_by_index_put, _first_target_rewritten],
                         ids=lambda f: f.__name__)
def test_values_written_at_positions_a_tensor_picks_decline(body):
    check_rule(body, "a write at positions a tensor of positions picks", declines=True)
