"""An ``if``/``else`` whose other arm only stores constants (``_bytecode.constant_arms``, ``mode.Arm``).

``if len(picked) > 0: x = picked.mean() else: x = torch.tensor(0.0)`` (SPIN, VIBE): a group that alone
has no picked rows takes the other arm and holds the constant in ``x``; its every other value is the
batch's where the block computes with torch only (pure calls, no host read, no draw, no write), stores
locals read nowhere else, and ``x`` is read only by ``+ - * /`` (a tensor constant: also by a method,
``x.squeeze()``, each op on what it makes followed) or returned as a value of the dict. The group's
part ``E`` of each key is then the constant (``_split._constants``, ``_constant_of``: ``300 * E`` is
300 times it). Everything is compared with the oracle (DESIGN.md §1) by ``split_outcome``.

``_err`` is 0.1 on real images and 0.9 on synthetic ones, so ``e > 0.5`` holds on synthetic rows
only: the real group alone has no picked rows and takes the constant arm.
"""

from __future__ import annotations

import sys

import pytest
import torch
import torch.nn.functional as F
from _helpers import ROWS, TARGETS, split_outcome, wrong_companions

pytestmark = pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the proof reads 3.11 bytecode")

WEIGHTS = [1.0, 0.5, 0.5, 1.0]


def _batch(weights=WEIGHTS, dtype=torch.float32):
    g = torch.Generator().manual_seed(len(weights))
    x = torch.rand(len(weights), 3, 4, generator=g, dtype=dtype)
    targets = [{"y": x[b] + (0.1 if w >= 0.9 else 0.9), "loss_weight": w} for b, w in enumerate(weights)]
    return [{"x": x.clone().requires_grad_()}, targets], [ROWS, TARGETS]


def _err(outputs, targets):
    return (outputs["x"] - torch.stack([t["y"] for t in targets])).abs()


def _picked(outputs, targets):
    """The errors and their rows above 0.5 (synthetic images' only)."""
    e = _err(outputs, targets)
    return e, e[e > 0.5]


def _outcome(body, weights=WEIGHTS, dtype=torch.float32):
    args, kinds = _batch(weights, dtype)
    got, want, said = split_outcome(body, args, kinds)
    assert not wrong_companions(got, want), (got, want, said)
    return got, want, said


def _stacked(targets, key):
    return torch.stack([t[key] for t in targets])


# -- split: the real group gets the oracle's value of every key -------------------------------------------


def tensor_zero_scaled(outputs, targets):
    """VIBE: ``torch.tensor(0.0)``, the key ``300 * x``."""
    e, picked = _picked(outputs, targets)
    if len(picked) > 0:
        x = F.mse_loss(picked, torch.zeros_like(picked))
    else:
        x = torch.tensor(0.0)
    return {"loss_x": 300.0 * x, "loss": e.mean()}


def float_tensor_filled_and_squeezed(outputs, targets):
    """SPIN: ``torch.FloatTensor(1).fill_(0.)`` ([1] on the group alone), in a total and squeezed."""
    e, picked = _picked(outputs, targets)
    if len(picked) > 0:
        doubled = picked * 2.0
        x = (doubled - 1.0).abs().mean()
    else:
        x = torch.FloatTensor(1).fill_(0.0)
    total = 5.0 * e.mean() + 2.0 * x
    return {"loss": total.squeeze(), "loss_x": x.squeeze()}


def number_first_then_the_mean(outputs, targets):
    """The constant arm first (``if not hard.any(): x = 0.0``), a Python number added to a tensor."""
    e = _err(outputs, targets)
    hard = e > 0.5
    if not hard.any():
        x = 0.0
    else:
        x = e[hard].mean()
    return {"loss": x + e.mean(), "loss_mean": e.mean()}


def two_locals_and_a_helper(outputs, targets):
    """Two locals stored in each arm; the block calls a function of its own free of effects."""
    e = _err(outputs, targets)
    hard = e > 0.5
    if len(e[hard]) > 0:
        a = e[hard].mean()
        b = F.l1_loss(e[hard], _stacked(targets, "y")[hard])
    else:
        a = torch.tensor(0.25)
        b = torch.tensor(0.0)
    return {"loss": a + 0.001 * b + e.mean(), "loss_a": a * 2.0, "loss_b": b}


def zeros_returned(outputs, targets):
    """``torch.zeros(())`` returned as a value of the dict."""
    e, picked = _picked(outputs, targets)
    if len(picked) > 0:
        x = picked.mean()
    else:
        x = torch.zeros(())
    return {"loss": e.mean(), "loss_x": x}


SPLIT = [tensor_zero_scaled, float_tensor_filled_and_squeezed, number_first_then_the_mean, two_locals_and_a_helper,
         zeros_returned]


@pytest.mark.parametrize("body", SPLIT)
def test_a_group_that_alone_takes_the_constant_arm_gets_the_oracle_value(body):
    got, want, said = _outcome(body)
    assert set(got) == set(want), (got, want, said)
    assert not [m for m in said if "alone would decide a branch" in m], said


def test_the_constant_is_what_the_group_alone_adds():
    """Real: ``a`` is 0.25 there, ``loss = 0.25 + 0.001 * 0 + mean(0.1)``, ``loss_a = 0.5``."""
    got, _, _ = _outcome(two_locals_and_a_helper)
    assert got["loss_a_real"] == pytest.approx(0.5, rel=1e-6)
    assert got["loss_b_real"] == 0.0
    assert got["loss_real"] == pytest.approx(0.35, rel=1e-5)


@pytest.mark.parametrize("body", SPLIT)
def test_groups_with_rows_in_every_arm_decide_as_the_batch(body):
    """Synthetic only: the one group is the batch (every key as returned, nothing declined)."""
    got, want, said = _outcome(body, [0.5, 0.5, 0.5])
    assert set(got) == set(want), (got, want, said)


# -- near misses: the real group's reached keys must be declined ----------------------------------------

def _logged_mean(t, log):
    log.append(1)
    return t.mean()


class _Holder:
    scale = 2.0


class _Sub(torch.Tensor):
    pass


def _near(arm, use="x + e.mean()"):
    """A body in which ``x`` is stored by ``arm`` (``x = ...`` lines of the block, the picked rows
    ``p``) or 0.0, and the key ``loss`` reads it by ``use``."""
    src = (
        "def body(outputs, targets):\n"
        "    e = _err(outputs, targets)\n"
        "    p = e[e > 0.5]\n"
        "    h = _Holder()\n"
        "    y = e.mean()\n"
        "    log = []\n"
        "    if len(p) > 0:\n"
        + "".join(f"        {line}\n" for line in arm) +
        "    else:\n"
        "        x = torch.tensor(0.0)\n"
        f"    return {{'loss': {use}, 'loss_mean': e.mean(), 'loss_log': e.mean() * (1 + len(log))}}\n"
    )
    scope = {"_err": _err, "torch": torch, "F": F, "_logged_mean": _logged_mean, "_Holder": _Holder, "_Sub": _Sub}
    exec(compile(src, f"<near {arm}>", "exec"), scope)
    return scope["body"]


NEAR = {
    "a local of the block read after it": _near(["y = p.mean()", "x = y * 2.0"], "x + y"),
    "a function of its own that appends": _near(["x = _logged_mean(p, log)"]),
    "an attribute of an object read": _near(["x = p.mean() * h.scale"]),
    "a host read in the block": _near(["x = p.mean() * p.sum().item()"]),
    "a draw in the block": _near(["x = (p * torch.rand(p.shape, generator=torch.Generator().manual_seed(0))).mean()"]),
    "a write in place": _near(["x = p.mul_(2.0).mean()"]),
    "E holds the group's rows": _near(["x = e.mean()"]),
    "x stacked with another": _near(["x = p.mean()"], "torch.stack([x, e.mean()]).sum()"),
    "x tested later": _near(["x = p.mean()"], "e.mean() * 2.0 if x > 0.5 else e.mean()"),
    "x passed to a function": _near(["x = p.mean()"], "torch.as_tensor(x) + e.mean()"),
    "E a sum": _near(["x = p.sum()"]),
}


@pytest.mark.parametrize("case", list(NEAR))
def test_a_block_or_use_the_rule_does_not_prove_declines_the_real_group(case):
    got, want, said = _outcome(NEAR[case])
    assert "loss_real" in want and "loss_real" not in got, (got, want, said)


def test_a_tensor_subclass_read_in_the_block_declines():
    """A subclass of a tensor may be the user's methods: the block's reads must be plain tensors."""
    def body(outputs, targets):
        e = _err(outputs, targets)
        p = e[e > 0.5].as_subclass(_Sub)
        if len(p) > 0:
            x = p.mean().as_subclass(torch.Tensor)
        else:
            x = torch.tensor(0.0)
        return {"loss": x + e.mean(), "loss_mean": e.mean()}

    got, want, said = _outcome(body)
    assert "loss_real" not in got, (got, want)


def test_a_double_mean_with_a_float32_constant_declines():
    """``torch.tensor(0.0)`` is float32 where ``E`` is float64: alone, the sums promote otherwise."""
    got, want, said = _outcome(tensor_zero_scaled, dtype=torch.float64)
    assert "loss_x_real" not in got and "loss_real" in got, (got, want, said)


def test_an_int_literal_tensor_declines():
    def body(outputs, targets):
        e = _err(outputs, targets)
        picked = e[e > 0.5]
        if len(picked) > 0:
            x = picked.mean()
        else:
            x = torch.tensor(0)
        return {"loss": x + e.mean()}

    got, want, said = _outcome(body)
    assert "loss_real" not in got, (got, want)


def test_a_constant_arm_in_a_loop_declines():
    def body(outputs, targets):
        e = _err(outputs, targets)
        total = e.mean()
        for k in (0.5, 0.6):
            picked = e[e > k]
            if len(picked) > 0:
                x = picked.mean()
            else:
                x = torch.tensor(0.0)
            total = total + x
        return {"loss": total}

    got, want, said = _outcome(body)
    assert "loss_real" not in got, (got, want)


def test_torch_rebound_in_the_module_declines():
    """``torch`` of ``torch.tensor(0.0)`` is the module's global: another object there is not torch's factory."""
    class _Fake:
        def __getattr__(self, name):
            return getattr(torch, name)

        @staticmethod
        def tensor(v):
            return torch.tensor(v + 1.0)

    src = ("def body(outputs, targets):\n"
           "    e = _err(outputs, targets)\n"
           "    p = e[e > 0.5]\n"
           "    if len(p) > 0:\n"
           "        x = p.mean()\n"
           "    else:\n"
           "        x = torch.tensor(0.0)\n"
           "    return {'loss': x + e.mean()}\n")
    scope = {"_err": _err, "torch": _Fake()}
    exec(compile(src, "<rebound>", "exec"), scope)
    got, want, said = _outcome(scope["body"])
    assert "loss_real" not in got and want["loss_real"] == pytest.approx(1.1, rel=1e-5), (got, want)
