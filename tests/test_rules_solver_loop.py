"""An iterative solver run per image (POT's ``ot.sinkhorn2``): its ``for ii in range(numItermax)``
loop is no loop over the images (its count is a plain int equal to no count of the call, its
variable only formatted or taken modulo a literal), so a ``break`` on one image's values there ends
that image's solve alone, as on the image's group alone: the call splits exactly. A marginal
``torch.full((n,), 1.0 / n)`` whose value equals its image's weight (0.5) was taken for the weight
(its copy on weights 1 was 1: companions doubled, or the Sinkhorn scalings overflowed to NaN); a
float ``full`` of no weight object equal to the image's weight is data or a weight computed in
Python (``t["w"] * 1.0``), which cannot be told apart: the call declines, but for a fill written
``full((n,), c / n)``, computed from the tensor's own size (session 31). Near misses keep declining: a loop over the images (by
``range(len(t))``, or a literal equal to their number, or indexing by the loop variable) whose
``break`` depends on one image's values, an iteration loop testing an image picked by position (no
loop over the images around it), and one solve over every image's points."""

from __future__ import annotations

import pytest
import torch
from _helpers import check_rule, rule_batch, rule_outcome, wrong_companions

try:
    import ot
except ImportError:  # POT's own cases are skipped
    ot = None

BATCHES = [(0, [1.0, 0.5, 0.5, 1.0]), (1, [0.5, 1.0, 0.5]), (2, [1.0, 0.5]), (3, [0.5]), (4, [0.5, 0.5, 1.0, 0.5])]


def _solve(m: torch.Tensor, a: torch.Tensor, b: torch.Tensor, iterations: int = 200, tol: float = 1e-7) -> torch.Tensor:
    """Sinkhorn scalings with an early stop on the marginal's error, checked every 5th iteration."""
    k = torch.exp(-m / 0.5)
    u = torch.ones_like(a) / len(a)
    for it in range(iterations):
        v = b / (k.T @ u)
        u = a / (k @ v)
        if it % 5 == 0:
            err = ((u[:, None] * k * v[None, :]).sum(0) - b).abs().sum()
            if err < tol:
                break
    return (u[:, None] * k * v[None, :] * m).sum()


def solver_per_image(o, t):
    total = 0
    for x, u in zip(o["x"], t):
        n = len(x)  # 3 rows: each marginal 1 / 3, no weight's value
        total = total + _solve(torch.cdist(x[:n], u["y"]) ** 2, torch.full((n,), 1.0 / n), torch.full((len(u["y"]),), 1.0 / len(u["y"])))
    return {"loss": total / len(t)}


def halves_per_image(o, t):
    """Each image's rows times ``full((n,), 1 / n)`` (0.5: equal to a weight, and data)."""
    total = 0
    for x, _u in zip(o["x"], t):
        n = len(x) - 1
        total = total + (x[:n].sum(-1) * torch.full((n,), 1.0 / n)).sum()
    return {"loss": total / len(t)}


def halves_of_another_local(o, t):
    """Near miss: ``full((n,), 1.0 / m)``, the fill from another local than the size (equal here)."""
    total = 0
    for x, _u in zip(o["x"], t):
        n = len(x) - 1
        m = n
        total = total + (x[:n].sum(-1) * torch.full((n,), 1.0 / m)).sum()
    return {"loss": total / len(t)}


def weight_over_the_size(o, t):
    """Near miss: ``full((n,), w / n)`` of a weight computed in Python, over the size."""
    total = 0
    for x, u in zip(o["x"], t):
        n = len(x) - 2
        w = u["loss_weight"] * 1.0
        total = total + (x[:n].sum(-1) * torch.full((n,), w / n)).sum()
    return {"loss": total / len(t)}


def weight_filled_per_image(o, t):
    """Near miss: ``full`` with the image's own weight object is the weight (counts 1)."""
    total = 0
    for x, u in zip(o["x"], t):
        total = total + (x.sum(-1) * torch.full((len(x),), u["loss_weight"])).sum()
    return {"loss": total / len(t)}


def weight_copy_filled_per_image(o, t):
    """A weight computed in Python (no weight object) filled over the image's rows."""
    total = 0
    for x, u in zip(o["x"], t):
        total = total + (x.sum(-1) * torch.full((len(x),), u["loss_weight"] * 1.0)).sum()
    return {"loss": total / len(t)}


def weight_over_the_size_of_several(o, t):
    """``full((n,), w / n)`` of two elements: equal to no weight, computed from one."""
    total = 0
    for x, u in zip(o["x"], t):
        n = len(x) - 1
        w = u["loss_weight"] * 1.0
        total = total + (x[:n].sum(-1) * torch.full((n,), w / n)).sum()
    return {"loss": total / len(t)}


def weight_scalar_tensor(o, t):
    """``torch.tensor(w * 0.5)`` of a weight computed in Python, one element."""
    total = 0
    for x, u in zip(o["x"], t):
        w = u["loss_weight"] * 1.0
        total = total + (x.sum(-1) * torch.tensor(w * 0.5)).sum()
    return {"loss": total / len(t)}


@pytest.mark.parametrize("body", [weight_copy_filled_per_image, halves_of_another_local, weight_over_the_size,
                                  weight_over_the_size_of_several, weight_scalar_tensor])
def test_a_fill_equal_to_the_weight_without_its_object_declines(body):
    """A fill of no weight object equal to the image's weight, or computed from the weight field
    (``w / n``, ``torch.tensor(w * 0.5)``; kept in the companion until session 33, old: on weights 1
    it is ``1 / n``), declines the call."""
    for seed, weights in ((0, [1.0, 0.5, 0.5, 1.0]), (1, [0.5, 1.0, 0.5]), (3, [0.5])):
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert got == {}, (seed, got, want)
        assert any("filled with a number" in m and "Tensor.mul" in m for m in said), said


def test_a_fill_computed_from_the_weights_on_weights_1_splits():
    """The same fills where every weight is 1: the body's number is the oracle's."""
    for body in (weight_over_the_size, weight_over_the_size_of_several, weight_scalar_tensor):
        got, want, said = rule_outcome(body, rule_batch(2, [1.0, 1.0]))
        assert set(got) == set(want) and want and not wrong_companions(got, want), (body.__name__, said)


def test_a_fill_of_the_tensors_own_size_is_data_though_equal_to_a_weight():
    """``full((n,), 1.0 / n)`` (POT's uniform marginal): computed from the tensor's own size, data
    (session 31; was declined as a float equal to the weight; before session 28 silently doubled)."""
    for seed, weights in ((0, [1.0, 0.5, 0.5, 1.0]), (1, [0.5, 1.0, 0.5]), (3, [0.5])):
        got, want, said = rule_outcome(halves_per_image, rule_batch(seed, weights))
        assert set(got) == set(want) and want and not wrong_companions(got, want), (seed, said)


def test_a_fill_equal_to_no_weight_splits():
    got, want, said = rule_outcome(halves_per_image, rule_batch(2, [1.0, 0.25]))
    assert set(got) == set(want) and want and not wrong_companions(got, want), said


def pot_sinkhorn_per_image(o, t):
    total = 0
    for x, u in zip(o["x"], t):
        n = len(x)
        total = total + ot.sinkhorn2(torch.full((n,), 1.0 / n), torch.full((3,), 1 / 3), ot.dist(x, u["y"]), 0.5)
    return {"loss": total / len(t)}


_SAME_LENGTH = pytest.mark.xfail(strict=True, reason=(
    "false decline (merge of s33r and cnt, session 28): on the 3-image batch each image's x has 3 rows, "
    "so len(x) of one image's tensor is read as len(targets) and torch.full((n,), 1.0 / n) as values "
    "computed from the count (mode._count_valued); exact on the other batches"))


@pytest.mark.parametrize("body", [solver_per_image, weight_filled_per_image,
                                  pytest.param(pot_sinkhorn_per_image, marks=_SAME_LENGTH)])
def test_per_image_solves_and_fills_split(body):
    if body is pot_sinkhorn_per_image and ot is None:
        pytest.skip("POT is not installed")
    for seed, weights in BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert set(got) == set(want) and want, (seed, said)
        assert not wrong_companions(got, want), seed


def _stop_over_images(o, t):
    """A loop over the images (``range(len(t))``) that stops at the first image whose value passes 1.7."""
    total = 0
    for i in range(len(t)):
        v = (o["x"][i] - t[i]["y"]).abs().sum()
        total = total + v
        if v > 1.7:
            break
    return {"loss": total}


def _stop_over_literal(o, t):
    """The same loop by a literal count equal to the number of images (4 on batch 0)."""
    total = 0
    for i in range(4):
        if i >= len(t):
            break
        v = (o["x"][i] - t[i]["y"]).abs().sum()
        total = total + v
        if v > 1.7:
            break
    return {"loss": total}


def _stop_indexing_by_the_variable(o, t):
    """A loop of 10 iterations that reads image ``it % len(t)``: over the images, whatever its count."""
    total = 0
    for it in range(10):
        v = (o["x"][it % len(t)] - t[it % len(t)]["y"]).abs().sum()
        total = total + v
        if v > 1.7:
            break
    return {"loss": total}


def _stop_on_the_first_image(o, t):
    """A loop of 10 iterations around no loop over the images, stopping on image 0's value (picked by
    position: on a group alone another image's)."""
    total = (o["x"] - torch.stack([u["y"] for u in t])).abs().mean()
    scale = 1.0
    for _ in range(10):
        if o["x"][0].sum() * scale > 9.0:
            break
        scale = scale * 1.5
    return {"loss": total * scale}


@pytest.mark.parametrize("body", [_stop_over_images, _stop_indexing_by_the_variable, _stop_on_the_first_image])
def test_a_break_in_a_loop_over_the_images_declines(body):
    for seed, weights in ((0, [1.0, 0.5, 0.5, 1.0]), (1, [0.5, 1.0, 0.5])):
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert got == {} or not wrong_companions(got, want), (seed, got, want)
        assert got == {} and said, (seed, got, want)


def test_a_literal_count_equal_to_the_images_declines():
    got, want, said = rule_outcome(_stop_over_literal, rule_batch(0, [1.0, 0.5, 0.5, 1.0]))
    assert got == {} and said, (got, want)


def test_one_solve_over_every_image_declines():
    if ot is None:
        pytest.skip("POT is not installed")

    def one_plan(o, t):
        x = o["x"].flatten(0, 1)
        y = torch.cat([u["y"] for u in t])
        return {"loss": ot.sinkhorn2(torch.full((len(x),), 1.0 / len(x)), torch.full((len(y),), 1.0 / len(y)),
                                     ot.dist(x, y), 0.5)}

    check_rule(one_plan, "", declines=True)
