"""Session 47 reliability (2): library logic that ran outside any guard of the call.

On fe445d2 an exception in each of these escaped into training (the decorated call raised where
the undecorated one returns):

- ``mode.exact_ints`` in ``CaptureMode._run`` (each ``GroupFloat.exact`` as the int the op gets).
  Now guarded; where it fails the op gets the plain ints it gets without losssplit (not the floats
  the body was handed: ``torch.ones(3, dtype=long) * n`` stays int64).
- in ``_decorator._split_call``: ``_weight_held_elsewhere``, ``Frame(...)``, ``Frame.own_oracle``
  and ``Frame.give_back_ints`` (session 48: where it fails, the call declines with the numbers as the
  capture handed them, equal by value; its copy in the except branch is gone, it used the same ``given_int``).
- the methods of the marked numbers (``_derived`` of ``RowCount``, ``_kept_mark`` of
  ``LoggedFloat``, every method ``_unseen`` wraps), run inside the body's own Python arithmetic:
  where the library's part raises, the method gives the plain numbers' result (their own error,
  ``bs / 0``, raised as without losssplit).

Each: the decorated call returns the undecorated dict (loss and gradients bit-identical), no
companions, and exactly one warning naming the internal error.
"""

from __future__ import annotations

import dataclasses

import pytest
import torch
from _helpers import (
    companions,
    fresh,
    grad_leaves,
    logged_warnings,
    per_row_l1,
    pred_for,
    rule_batch,
    split_and_compare,
    targets_for,
)

import losssplit
from losssplit import _decorator, split_by_source
from losssplit._capture import mode


def _broken(*args, **kwargs):
    raise RuntimeError("a library bug")


def _weighted(pred, targets):
    w = torch.tensor([float(t["loss_weight"]) for t in targets]).repeat_interleave(2)
    return per_row_l1(pred, targets) * w


def _plain_body(pred, targets):
    return {"loss": _weighted(pred, targets).mean()}


def _counted_body(outputs, targets):
    bs = outputs["x"].shape[0]  # (a ``RowCount``: its arithmetic is ``_derived``'s)
    w = torch.tensor([float(t["loss_weight"]) for t in targets])
    return {"loss": ((outputs["x"] - torch.stack([t["y"] for t in targets])).abs().mean((1, 2)) * w).sum() / (bs * 2)}


def _columns_body(x, columns):
    # (each dict's tensors have as many rows as there are dicts: per-image targets or columns)
    return {"loss": sum((x - c["x"]).abs().mean() for c in columns)}


def _logged_body(pred, targets):
    loss = _weighted(pred, targets).mean()
    n = loss.detach().item()  # (a ``LoggedFloat``: its arithmetic is ``_kept_mark``'s)
    return {"loss": loss, "shown": torch.tensor(n * 2 + 1)}


def _exact_body(pred, targets):
    # (the count is handed to the body as a ``GroupFloat.exact``: the multiplication gets the int)
    n = torch.stack([t["boxes"] for t in targets]).gt(0.5).sum().item()
    return {"loss": _weighted(pred, targets).sum() / (0.5 * n), "ints": (torch.ones(3, dtype=torch.long) * n).sum()}


def _returned_count(pred, targets):
    n = torch.stack([t["boxes"] for t in targets]).gt(0.5).sum().item()
    return {"loss": _weighted(pred, targets).sum() / (0.5 * n), "count": n}


def _reached(monkeypatch, where, name):
    """The calls of ``where.name`` from now on (each its name)."""
    seen = []
    real = getattr(where, name)

    def counted(*args, **kwargs):
        seen.append(name)
        return real(*args, **kwargs)

    monkeypatch.setattr(where, name, counted)
    return seen


def _rows_batch():
    return rule_batch(0, [1.0, 0.5, 0.5, 1.0])


def _boxes_batch():
    targets = targets_for([1.0, 0.5, 0.5, 1.0])
    return pred_for(targets), targets


def _columns_batch():
    return torch.rand(2, 3).requires_grad_(), [{"x": torch.rand(2, 3)}, {"x": torch.rand(2, 3)}]


CASES = [  # (the body, where the library's part is, its name)
    (_counted_body, mode, "_counted_number"),
    (_logged_body, mode, "_logged_arithmetic"),
    (_exact_body, mode, "exact_ints"),
    (_plain_body, _decorator._Splitter, "_weight_held_elsewhere"),
    (_plain_body, _decorator._Splitter, "_frame"),
    (_plain_body, _decorator, "Frame"),
    (_columns_body, mode.Frame, "own_oracle"),
]
BATCHES = {_counted_body: _rows_batch, _columns_body: _columns_batch}


@pytest.mark.parametrize(("body", "where", "name"), CASES, ids=[c[2] for c in CASES])
def test_a_bug_outside_the_ops_is_one_warning_and_the_dict_unchanged(monkeypatch, body, where, name):
    args, labels = BATCHES.get(body, _boxes_batch)(), ["a", "b"] if body is _columns_body else None
    with monkeypatch.context() as m, logged_warnings():
        seen = _reached(m, where, name)
        split_and_compare(body, args, labels)
        assert seen  # (the call reaches it)
    monkeypatch.setattr(where, name, _broken)
    mode._FACTS.clear()
    with logged_warnings() as said:
        out = split_and_compare(body, args, labels)
    assert not companions(out)
    assert len(said) == 1 and "internal error" in said[0] and "a library bug" in said[0], said


def test_the_ops_get_the_ints_where_exact_ints_fails(monkeypatch):
    # (the original arguments hold the count as a float: ``long * 7.0`` is float32)
    monkeypatch.setattr(mode, "exact_ints", _broken)
    targets = targets_for([1.0, 0.5, 0.5, 1.0])
    with logged_warnings():
        out = split_by_source(_exact_body)(pred_for(targets), targets)
    assert out["ints"].dtype == torch.int64


@pytest.mark.parametrize("broken", [False, True])
def test_the_returned_ints_come_back_where_give_back_ints_fails(monkeypatch, broken):
    if broken:
        monkeypatch.setattr(mode.Frame, "give_back_ints", _broken)
    targets = targets_for([1.0, 0.5, 0.5, 1.0])
    mine, theirs = fresh([pred_for(targets), targets]), fresh([pred_for(targets), targets])
    with logged_warnings() as said:
        out = split_by_source(_returned_count)(*mine)
    plain = _returned_count(*theirs)
    assert out["count"] == plain["count"] and (broken or type(out["count"]) is int)
    assert torch.equal(out["loss"], plain["loss"])
    (out["loss"] + sum(companions(out).values())).backward()
    plain["loss"].backward()
    assert all(torch.equal(a.grad, b.grad) for a, b in zip(grad_leaves(mine), grad_leaves(theirs), strict=True))
    if broken:
        assert not companions(out) and len(said) == 1 and "a library bug" in said[0], said
    else:
        assert companions(out) and not said, said


def test_a_marked_numbers_own_error_is_raised_as_without_losssplit(monkeypatch):
    # ``bs / 0``: float division's ZeroDivisionError, whether or not the library's part fails
    def body(pred, targets):
        return {"loss": _weighted(pred, targets).mean() / (pred.shape[0] // 0)}

    targets = targets_for([1.0, 0.5, 0.5, 1.0])
    for patched in (False, True):
        if patched:
            monkeypatch.setattr(mode, "_counted_number", _broken)
        with pytest.raises(ZeroDivisionError), logged_warnings():
            split_by_source(body)(pred_for(targets), targets)


def test_every_marked_numbers_method_has_a_plain_numbers_method_to_fall_back_to(monkeypatch):
    """Where a marked number's method fails, the plain numbers' method of the same name answers: a group
    count's truth test was named after its helper (``_group_truth``), so the fallback itself raised into
    the body (session 47 review)."""
    marked = [c for c in vars(mode).values() if isinstance(c, type) and issubclass(c, (int, float))
              and c not in (int, float, bool)]
    assert marked
    for cls in marked:
        base = int if issubclass(cls, int) else float
        for name, method in vars(cls).items():
            if callable(method) and name.startswith("__") and hasattr(method, "__wrapped__") is False \
                    and getattr(method, "__name__", name) != name:
                raise AssertionError((cls.__name__, name, method.__name__))
        assert all(hasattr(base, getattr(m, "__name__", n)) for n, m in vars(cls).items()
                   if callable(m) and n.startswith("__") and n not in ("__new__", "__init__", "__init_subclass__")
                   and n in dir(base)), cls
    g = float.__new__(mode.GroupFloat, 2.0)
    monkeypatch.setattr(mode, "group_entry", lambda x: 1 / 0)
    assert bool(g) is True


# -- the readers of the arguments for the weight field run no property of the user's -------------


@dataclasses.dataclass
class Target:
    """A per-image target that is no dict, its weight a property of the user's (counts its runs)."""

    boxes: torch.Tensor
    scale: float
    runs = 0

    @property
    def loss_weight(self):
        Target.runs += 1
        return self.scale


def _objects_body(pred, targets):
    w = torch.tensor([t.loss_weight for t in targets]).repeat_interleave(2)
    return {"loss": ((pred - torch.cat([t.boxes for t in targets])).abs().sum(1) * w).mean()}


@pytest.mark.parametrize("scales", [[1.0, 0.5, 0.5, 1.0], [1.0, 1.0, 1.0, 1.0]])
def test_a_weight_property_of_the_users_is_not_run_and_declines(scales):
    # (on fe445d2 ``_attribute_field`` ran it, 4 runs more than undecorated; now unread: the call
    # declines, as it did where the weights were not all 1, and where they are all 1 too)
    boxes = [t["boxes"] for t in targets_for(scales)]
    runs = {}
    for decorated in (False, True):
        targets = [Target(b, s) for b, s in zip(boxes, scales, strict=True)]
        Target.runs = 0
        with logged_warnings() as said, losssplit.sources(["a", "b", "a", "b"]):
            out = (split_by_source(_objects_body) if decorated else _objects_body)(pred_for(targets_for(scales)), targets)
        runs[decorated] = Target.runs
    assert runs[False] == runs[True] == 4
    assert not companions(out) and any("'loss_weight' is held as an attribute" in m for m in said), said
    with losssplit.sources(["a", "b", "a", "b"]), logged_warnings():
        split_and_compare(_objects_body, [pred_for(targets_for(scales)), [Target(b, s) for b, s in zip(boxes, scales, strict=True)]])
