"""``len(targets)`` tested outside the decorated body's own lines: in a helper it calls, a method,
a module's forward, a closure, a comprehension, a callee that returns the length, or on a number
computed from it. On a group alone the length is the group's images: a test of it is a branch each
group decides for itself. Each body runs twice: with a threshold the groups decide otherwise
than the batch (those groups decline, never a wrong value), and with one every group decides as
the batch (companions exact)."""

import functools

import pytest
import torch
from _helpers import ROWS, TARGETS, split_outcome, wrong_companions

LEAST = 2  # a module constant the helpers compare with (never written)


def _batch():
    """3 images: image 0 real (weight 1), 1 and 2 synthetic (weight 0.5)."""
    g = torch.Generator().manual_seed(3)
    x = torch.rand(3, 3, 4, generator=g)
    targets = [{"y": x[b] + gap, "loss_weight": w} for b, (w, gap) in enumerate([(1.0, 0.1), (0.5, 0.9), (0.5, 0.9)])]
    return [{"x": x.clone().requires_grad_()}, targets], [ROWS, TARGETS]


def _err(outputs, targets):
    return (outputs["x"] - torch.stack([t["y"] for t in targets])).abs().mean((1, 2)).mean()


def scale(targets):
    return 2.0 if len(targets) > LEAST else 1.0


def count(targets):
    return len(targets)


def scale_of_count(n):
    return 2.0 if n > LEAST else 1.0


def scaled_loss(outputs, t):  # a helper that runs torch ops too
    e = _err(outputs, t)
    return e * 2 if len(t) > LEAST else e


def scale_by(targets, least):  # the threshold given by keyword through a partial
    return 2.0 if len(targets) > least else 1.0


class Scaler(torch.nn.Module):
    def __init__(self, least):
        super().__init__()
        self.least = least

    @torch.no_grad()  # as matchers are: torch's wrapper runs the method
    def forward(self, targets):
        return 2.0 if len(targets) > self.least else 1.0


class Criterion(torch.nn.Module):
    """The bodies as methods: the list reaches ``len`` through ``self``'s methods and children."""

    def __init__(self, least):
        super().__init__()
        self.least = least
        self.scaler = Scaler(least)
        self.table = {"scale": scale}
        self.partial_scale = functools.partial(scale_by, least=least)

    def scale(self, targets):
        return 2.0 if len(targets) > self.least else 1.0

    @staticmethod
    def static_scale(targets):
        return 2.0 if len(targets) > LEAST else 1.0

    def by_method(self, outputs, targets):
        return {"loss": _err(outputs, targets) * self.scale(targets)}

    def by_static_method(self, outputs, targets):
        return {"loss": _err(outputs, targets) * self.static_scale(targets)}

    def by_child_module(self, outputs, targets):
        return {"loss": _err(outputs, targets) * self.scaler(targets)}

    def by_attribute_table(self, outputs, targets):
        return {"loss": _err(outputs, targets) * self.table["scale"](targets)}

    def by_partial(self, outputs, targets):
        return {"loss": _err(outputs, targets) * self.partial_scale(targets)}

    def by_local_table_of_methods(self, outputs, targets):
        table = {"a": self.scale, "b": self.static_scale}
        return {"loss": _err(outputs, targets) * table["a"](targets)}


class Child(Criterion):
    def scale(self, targets):  # the parent's test, reached through ``super()``
        return super().scale(targets)


def in_helper(outputs, targets):
    return {"loss": _err(outputs, targets) * scale(targets)}


def by_keyword(outputs, targets):
    return {"loss": _err(outputs, targets) * scale(targets=targets)}


def in_nested_def(outputs, targets):
    def inner(t):
        return 2.0 if len(t) > LEAST else 1.0
    return {"loss": _err(outputs, targets) * inner(targets)}


def in_lambda(outputs, targets):
    inner = lambda t: 2.0 if len(t) > LEAST else 1.0  # noqa: E731
    return {"loss": _err(outputs, targets) * inner(targets)}


def in_closure_cell(outputs, targets):
    again = lambda: targets  # noqa: E731  (makes ``targets`` a cell of the body)
    w = 2.0 if len(targets) > LEAST else 1.0
    return {"loss": _err(outputs, again()) * w}


def in_comprehension(outputs, targets):
    w = [2.0 if len(targets) > LEAST else 1.0 for _ in range(1)][0]
    return {"loss": _err(outputs, targets) * w}


def returned_by_helper(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if count(targets) > LEAST else 1.0)}


def stored_then_passed(outputs, targets):
    n = len(targets)
    return {"loss": _err(outputs, targets) * scale_of_count(n)}


def length_passed(outputs, targets):
    return {"loss": _err(outputs, targets) * scale_of_count(len(targets))}


def helper_with_ops(outputs, targets):
    return {"loss": scaled_loss(outputs, targets)}


def alias_in_helper(outputs, targets):
    t = targets
    return {"loss": _err(outputs, targets) * scale(t)}


def unpacked_keywords(outputs, targets):
    extra = {}
    return {"loss": scaled_loss(outputs, targets, **extra)}


def unpacked_list(outputs, targets):
    return {"loss": scaled_loss(*[outputs, targets])}


def after_unpacked_arguments(outputs, targets):
    before = ()
    return {"loss": _err(outputs, targets) * scale(*before, targets)}


def copied_list(outputs, targets):
    kept = sorted(targets, key=lambda t: float(t["loss_weight"]))
    return {"loss": _err(outputs, targets) * (2.0 if len(kept) > LEAST else 1.0)}


def local_dict_dispatch(outputs, targets):
    fns = {"a": scaled_loss}
    return {"loss": fns["a"](outputs, targets)}


def _bodies(least):
    """name -> body comparing the number of targets with ``least`` somewhere outside its own line."""
    crit, child = Criterion(least), Child(least)
    methods = {f"method_{n}": getattr(crit, n) for n in
               ("by_method", "by_static_method", "by_child_module", "by_attribute_table", "by_local_table_of_methods",
                "by_partial")}
    return {**{f.__name__: f for f in (in_helper, by_keyword, in_nested_def, in_lambda, in_closure_cell,
                                       in_comprehension, returned_by_helper, stored_then_passed, length_passed,
                                       helper_with_ops, alias_in_helper, local_dict_dispatch, unpacked_keywords,
                                       unpacked_list, copied_list, after_unpacked_arguments)},
            **methods, "super_method": child.by_method}


NAMES = sorted(_bodies(2))


@pytest.mark.parametrize("name", NAMES)
def test_groups_deciding_otherwise_decline(name):
    """``len > 2``: the batch (3) scales by 2, each group alone (1 or 2 images) by 1."""
    assert LEAST == 2
    got, want, said = split_outcome(_bodies(2)[name], *_batch())
    assert not wrong_companions(got, want), (got, want)
    assert not got, got
    assert any("len() of the targets compared (3 > 2)" in s for s in said), said


@pytest.mark.parametrize("name", NAMES)
def test_groups_deciding_alike_split_exactly(name, monkeypatch):
    """``len > 0``: every group decides as the batch; the companions are the oracle's."""
    monkeypatch.setattr(__import__(__name__), "LEAST", 0)
    got, want, said = split_outcome(_bodies(0)[name], *_batch())
    assert set(got) == {"loss_real", "loss_synthetic"}, said
    assert not wrong_companions(got, want), (got, want)


def computed_from_the_length(outputs, targets):
    """A number computed from the length, compared: no group's decision is read, every group declines."""
    return {"loss": _err(outputs, targets) * (2.0 if len(targets) - 1 > 0 else 1.0)}


def bounded_length(outputs, targets):
    return {"loss": _err(outputs, targets) * (2.0 if min(len(targets), 5) > 0 else 1.0)}


def compared_with_a_computed_local(outputs, targets):
    least = int(outputs["x"].shape[-1] > 100)  # a number the code computes: its value per group is not read
    return {"loss": _err(outputs, targets) * (2.0 if len(targets) > least else 1.0)}


def picked_by_a_computed_length(outputs, targets):
    sides = (1.0, 2.0, 3.0, 4.0)
    return {"loss": _err(outputs, targets) * sides[len(targets) - 1]}


@pytest.mark.parametrize("body", [computed_from_the_length, bounded_length, compared_with_a_computed_local,
                                  picked_by_a_computed_length])
def test_a_test_whose_per_group_decision_is_not_read_declines_every_group(body):
    got, want, said = split_outcome(body, *_batch())
    assert not got, got
    assert any("len() of the targets compared with" in s for s in said), said


class _Dispatch(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.name = "scale"

    def forward(self, outputs, targets):
        return {"loss": _err(outputs, targets) * getattr(self, self.name)(targets)}

    def scale(self, targets):
        return 2.0 if len(targets) > 2 else 1.0


class _Kept(torch.nn.Module):
    """The list kept on ``self`` (``self.seen = targets``): what reads it later is out of sight."""

    def forward(self, outputs, targets):
        self.seen = targets
        return {"loss": _err(outputs, targets) * self.scale()}

    def scale(self):
        return 2.0 if len(self.seen) > 2 else 1.0


def _made():
    return scale


def made_then_called(outputs, targets):
    return {"loss": _err(outputs, targets) * _made()(targets)}


@pytest.mark.parametrize("body", [_Dispatch().forward, _Kept().forward, made_then_called],
                         ids=["getattr", "kept on self", "a call's result called"])
def test_the_targets_passed_to_a_callee_that_cannot_be_told_decline_naming_the_call(body):
    got, want, said = split_outcome(body, *_batch())
    assert not got, got
    assert any("the targets passed to a call in" in s and "cannot be told" in s for s in said), said


class _Matching(torch.nn.Module):
    """DETR's shape: a matcher module and per-loss methods receive the targets; none tests their number."""

    def __init__(self):
        super().__init__()
        self.matcher = _Matcher()

    def forward(self, outputs, targets):
        indices = self.matcher(outputs, targets)
        losses = {}
        for name in ("l1", "l2"):
            losses.update(self.get_loss(name, outputs, targets, indices))
        return losses

    def get_loss(self, name, outputs, targets, indices):
        table = {"l1": self.loss_l1, "l2": self.loss_l2}
        return table[name](outputs, targets, indices)

    def loss_l1(self, outputs, targets, indices):
        return {"loss_l1": _err(outputs, targets)}

    def loss_l2(self, outputs, targets, indices):
        y = torch.stack([t["y"] for t in targets])
        return {"loss_l2": ((outputs["x"] - y) ** 2).mean()}


class _Matcher(torch.nn.Module):
    def forward(self, outputs, targets):
        return [torch.arange(t["y"].shape[0]) for t in targets]


def test_callees_that_do_not_test_the_number_keep_the_split():
    got, want, said = split_outcome(_Matching().forward, *_batch())
    assert set(got) == {"loss_l1_real", "loss_l1_synthetic", "loss_l2_real", "loss_l2_synthetic"}, said
    assert not wrong_companions(got, want), (got, want)


class _Guarded(torch.nn.Module):
    """A test of the number behind a switch the configuration holds off is never made."""

    def __init__(self, check):
        super().__init__()
        self.check = check

    def forward(self, outputs, targets):
        w = 2.0 if self.check and len(targets) > LEAST else 1.0
        if self.check:
            w = w * scale(targets)
        return {"loss": _err(outputs, targets) * w}


@pytest.mark.parametrize("check", [False, True])
def test_a_test_behind_a_switch_held_off_is_not_made(check):
    got, want, said = split_outcome(_Guarded(check).forward, *_batch())
    assert not wrong_companions(got, want), (got, want)
    assert bool(got) != check, said


def same_helper_two_thresholds(outputs, targets):
    """The same helper called with two thresholds: each call's test is read (the first alone splits)."""
    return {"loss": _err(outputs, targets) * scale_by(targets, 0) * scale_by(targets, 2)}


def test_each_call_of_a_helper_is_read_with_its_own_arguments():
    got, want, said = split_outcome(same_helper_two_thresholds, *_batch())
    assert not wrong_companions(got, want), (got, want)
    assert not got and any("(3 > 2)" in m for m in said), said
