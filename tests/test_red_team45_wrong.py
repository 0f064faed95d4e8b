"""Red team (session 45, wrong45) of writes hidden from the capture: ops run under
``torch._C.DisableTorchFunction`` (or with the mode stack popped) reach no rule, and a write there
moves no version counter a rule compares (``.data``) or one no seen op explains. Each body writes a
batch-wide value (the mean of every image's ``x``, itself the ``doubted`` key, which splits exactly)
into the ``clean`` key's memory; on a group alone the oracle (DESIGN.md §1) adds the group's mean, so
a companion of ``clean`` split from the values the capture saw is silently wrong.

``mode._watch_switches`` declines the call where the code calling an op, or a function it may call
(a global, a module's, an object's method, a closure's, a nested one), names such a switch. On main
(733a2b1) ``helper``, ``alias``, ``closure``, ``buffer``, ``module_helper`` and ``object_method``
were silently wrong on all 6 two-group batches; here each declines. Writes the capture sees
(``.data``, ``.detach()``, ``torch.ops.aten``, ``.numpy()``) declined on main already and still do.
"""

from __future__ import annotations

import _red_team45_helpers as helpers
import pytest
import torch
from _helpers import count_batch, count_outcomes
from test_rules_key_scoped_checks import _y, key_outcomes
from test_rules_padded_masks import _outcomes

_OFF = torch._C.DisableTorchFunction


def _sneak(x, v):
    with torch._C.DisableTorchFunction():
        x.add_(v)


def _parts(o, t):
    return (o["x"] - _y(t)).abs(), o["x"]


def helper(o, t):
    e, d = _parts(o, t)
    clean, doubted = e.mean(), d.mean()
    _sneak(clean, 0.1 * doubted.detach())
    return {"clean": clean, "doubted": doubted}


def alias(o, t):
    e, d = _parts(o, t)
    clean, doubted = e.mean(), d.mean()
    with _OFF():
        clean.data.add_(0.1 * doubted.detach())
    return {"clean": clean, "doubted": doubted}


def closure(o, t):
    def inner(x, v):
        with torch._C.DisableTorchFunction():
            x.data.copy_(x.data + v)
    e, d = _parts(o, t)
    clean, doubted = e.mean(), d.mean()
    inner(clean, 0.1 * doubted.detach())
    return {"clean": clean, "doubted": doubted}


def buffer(o, t):
    """An untracked tensor (a constant to the rules) written with the batch-wide value."""
    buf = torch.zeros(())
    e, d = _parts(o, t)
    doubted = d.mean()
    with torch._C.DisableTorchFunction():
        buf.add_(doubted.detach())
    return {"clean": e.mean() * (1 + buf), "doubted": doubted}


def module_helper(o, t):
    e, d = _parts(o, t)
    clean, doubted = e.mean(), d.mean()
    helpers.sneak(clean, 0.1 * doubted.detach())
    return {"clean": clean, "doubted": doubted}


def object_method(o, t):
    e, d = _parts(o, t)
    clean, doubted = e.mean(), d.mean()
    helpers.WRITER.add(clean, 0.1 * doubted.detach())
    return {"clean": clean, "doubted": doubted}


def popped_mode(o, t):
    e, d = _parts(o, t)
    clean, doubted = e.mean(), d.mean()
    v = 0.1 * doubted.detach()
    if torch._C._len_torch_function_stack():  # (the oracle runs the body under no mode)
        with torch.overrides._pop_mode_temporarily():
            clean.data.add_(v)
    else:
        clean.data.add_(v)
    return {"clean": clean, "doubted": doubted}


HIDDEN = [helper, alias, closure, buffer, module_helper, object_method, popped_mode]


@pytest.mark.parametrize("body", HIDDEN, ids=lambda f: f.__name__)
def test_a_write_under_a_switch_of_torch_functions_declines(body):
    seen, said = key_outcomes(body)
    assert seen["clean"] == ["declined"] * len(seen["clean"]), (seen, said)
    assert any("are hidden from the capture" in m for m in said), said


def seen_data_write(o, t):
    e, d = _parts(o, t)
    clean, doubted = e.mean(), d.mean()
    clean.data.add_(0.1 * doubted.detach())
    return {"clean": clean, "doubted": doubted}


def seen_detached_write(o, t):
    e, d = _parts(o, t)
    clean, doubted = e.mean(), d.mean()
    clean.detach().add_(0.1 * doubted.detach())
    return {"clean": clean, "doubted": doubted}


def aten_write(o, t):
    e, d = _parts(o, t)
    clean, doubted = e.mean(), d.mean()
    torch.ops.aten.add_.Tensor(clean.data, 0.1 * doubted.detach())
    return {"clean": clean, "doubted": doubted}


def numpy_write(o, t):
    e, d = _parts(o, t)
    a = e.detach().numpy()
    a += 0.1 * d.detach().numpy().mean()
    return {"clean": e.mean(), "doubted": d.mean()}


@pytest.mark.parametrize("body", [seen_data_write, seen_detached_write, aten_write, numpy_write],
                         ids=lambda f: f.__name__)
def test_a_write_the_capture_sees_is_never_wrong(body):
    """The same writes outside a switch, seen by the capture (the controls)."""
    seen, said = key_outcomes(body)
    assert "wrong" not in seen["clean"], (seen, said)


def unwritten(o, t):
    e, d = _parts(o, t)
    return {"clean": e.mean(), "doubted": d.mean()}


def test_without_the_write_the_clean_key_is_exact():
    """The near miss: the same keys, nothing written; the clean key keeps its exact companions."""
    seen, said = key_outcomes(unwritten)
    assert seen["clean"] == ["exact"] * len(seen["clean"]), (seen, said)


# -- a tensor of no image's values added into per image -------------------------------------------------------
# ``mode._accumulated_per_image``: an in-place addition (product, ``index_add_``, ...) in a loop proven to visit
# every image, into a tensor no rule follows, holds one term per image: on a group alone the group's number.
# On main (733a2b1) each body of ``ACCUMULATED`` was silently wrong on all 6 count batches; here each declines
# naming the key and the op. A 0-dim tensor added to (``n += 1``: a count of the loop's) is left to the count
# rules, which split it exactly (``counted``) or decline (``scaled_count``), as on main.

_COLS = 4


def _widen(o, path):
    return {"loss": (o["x"] * (1 + path.view(3, _COLS))).sum((1, 2)).mean()}


def scaled_per_image(o, t):
    s = torch.ones(())
    for _ in t:
        s.mul_(0.5)
    return {"loss": (o["x"] * s).sum((1, 2)).mean()}


def added_by_method(o, t):
    path = torch.zeros(3 * _COLS)
    for _ in t:
        path.add_(0.1)
    return _widen(o, path)


def index_added(o, t):
    path = torch.zeros(3 * _COLS)
    for _ in t:
        path.index_add_(0, torch.tensor([0]), torch.tensor([1.0]))
    return _widen(o, path)


def added_in_a_comprehension(o, t):
    path = torch.zeros(3 * _COLS)
    [path.add_(0.1) for _ in t]
    return _widen(o, path)


def _bump(p):
    p[0] += 1.0


def added_by_a_helper(o, t):
    path = torch.zeros(3 * _COLS)
    for _ in t:
        _bump(path)
    return _widen(o, path)


ACCUMULATED = [scaled_per_image, added_by_method, index_added, added_in_a_comprehension, added_by_a_helper]


@pytest.mark.parametrize("body", ACCUMULATED, ids=lambda f: f.__name__)
def test_a_tensor_added_into_per_image_declines(body):
    seen, said = count_outcomes(body, count_batch)
    assert seen == ["declined"] * len(seen), (seen, said)
    assert any("'loss'" in m and "in a loop over the images into a tensor of no image's values" in m
               for m in said), said


def added_in_a_literal_loop(o, t):
    path = torch.zeros(3 * _COLS)
    for _ in range(2):
        path[0] += 1.0
    return _widen(o, path)


def assigned_per_image(o, t):
    path = torch.zeros(3 * _COLS)
    for _ in t:
        path[0] = 1.0
    return _widen(o, path)


def counted(o, t):
    n = torch.zeros(())
    for _ in t:
        n += 1
    return {"loss": o["x"].sum() / n}


def summed_per_image(o, t):
    total = torch.zeros(())
    for i, s in enumerate(t):
        total += (o["x"][i] * s["loss_weight"]).sum()
    return {"loss": total / len(t)}


@pytest.mark.parametrize("body", [added_in_a_literal_loop, assigned_per_image, counted, summed_per_image],
                         ids=lambda f: f.__name__)
def test_near_misses_split_exactly(body):
    """Two additions of a literal loop, a value assigned (the same on any group), a count of the loop, the
    images' own losses summed: every companion equals the oracle's."""
    seen, said = count_outcomes(body, count_batch)
    assert seen == ["exact"] * len(seen), (seen, said)


# -- factories sized by the body's largest (smallest) count: neighbours of test_red_team44_padded's pins ----------
# Other factories than its pinned ``torch.ones(m)`` / ``torch.zeros(b, m)``: each declines where a group alone sizes
# them otherwise (never wrong, here and on main); the five pinned there stay WRONG (not fixed, see the report).


def arange_of_the_largest_count(pred, targets, idx):
    m = max(len(t["k"]) for t in targets)
    return {"loss": pred.sum() * torch.arange(m).float().mean()}


def linspace_of_the_largest_count(pred, targets, idx):
    m = max(len(t["k"]) for t in targets)
    return {"loss": pred.sum() * torch.linspace(0, 1, m).sum()}


def full_of_the_smallest_count(pred, targets, idx):
    m = min(len(t["k"]) for t in targets)
    return {"loss": pred.sum() * torch.full((m, 2), 0.5).sum()}


def eye_of_the_largest_count(pred, targets, idx):
    m = max(len(t["k"]) for t in targets)
    return {"loss": pred.sum() * torch.eye(m).trace()}


@pytest.mark.parametrize("body", [arange_of_the_largest_count, linspace_of_the_largest_count,
                                  full_of_the_smallest_count, eye_of_the_largest_count], ids=lambda f: f.__name__)
def test_other_factories_of_a_bounded_count_are_never_wrong(body):
    found = [outcome for outcome, _, _ in _outcomes(body)]
    assert "wrong" not in found and "declined" in found, found


_WRITERS = [_sneak]


def helper_in_a_list(o, t):
    e, d = _parts(o, t)
    clean, doubted = e.mean(), d.mean()
    _WRITERS[0](clean, 0.1 * doubted.detach())
    return {"clean": clean, "doubted": doubted}


@pytest.mark.xfail(strict=True, reason="known WRONG (wrong45, main too): a function that names the switch reached "
                   "through a container (a list, a dict, an argument) is not read by mode._switch_named, which "
                   "follows names only; its write under DisableTorchFunction is not seen")
def test_a_switch_reached_through_a_container_is_not_followed():
    seen, said = key_outcomes(helper_in_a_list)
    assert "wrong" not in seen["clean"], (seen, said)
