"""A value solved on the host and returned through a custom autograd ``Function`` that hands its
input back as it is (POT's ``ot.emd2`` with torch tensors: the cost matrix goes to NumPy, the
cost comes back through ``ValFunction``; survey 33): called once per image on that image's own
tensors, each value is that image's, as on a group alone. A value solved from several images'
values (one plan between every image's points), from a weighted input, or equal to a count of the
call keeps declining."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _helpers import check_rule, rule_batch, rule_outcome, wrong_companions


class _Solved(torch.autograd.Function):
    """POT's ``ValFunction``: the value computed outside autograd, the gradients given."""

    @staticmethod
    def forward(ctx, val, grads, *inputs):
        ctx.grads = grads
        return val

    @staticmethod
    def backward(ctx, g):
        return (None, None) + tuple(x * g for x in ctx.grads)


def _host_cost(m: torch.Tensor) -> torch.Tensor:
    """The sum of each row's smallest cost (an assignment relaxed), solved in NumPy."""
    a = m.cpu().detach().resolve_conj().numpy()
    picked = np.zeros_like(a)
    picked[np.arange(len(a)), a.argmin(1)] = 1.0
    val = torch.as_tensor(np.float64((a * picked).sum()), dtype=m.dtype)
    return _Solved.apply(val, (torch.from_numpy(picked).to(m.dtype),), m)


def _costs(o, t) -> torch.Tensor:
    return torch.stack([_host_cost(torch.cdist(x, u["y"])) for x, u in zip(o["x"], t)])


def per_image_mean_and_weighted(o, t):
    c = _costs(o, t)
    w = torch.tensor([u["loss_weight"] for u in t])
    return {"loss": c.mean(), "loss_w": (c * w).sum() / w.sum()}


def per_image_summed_over_len(o, t):
    total = 0
    for x, u in zip(o["x"], t):
        total = total + _host_cost(torch.cdist(x, u["y"]) ** 2)
    return {"loss": total / len(t)}


def per_image_with_a_parameter(o, t):
    """The cost matrix of each image through a projection (a parameter), then solved."""
    proj = _PROJ
    return {"loss": torch.stack([_host_cost(torch.cdist(x @ proj, u["y"] @ proj)) for x, u in zip(o["x"], t)]).sum()}


_PROJ = torch.nn.Parameter(torch.tensor([[1.0, 0.2], [0.1, 0.9], [0.3, -0.4], [-0.2, 0.5]]))


@pytest.mark.parametrize("body", [per_image_mean_and_weighted, per_image_summed_over_len, per_image_with_a_parameter])
def test_one_value_per_image_solved_on_the_host_splits(body):
    check_rule(body, "")


@pytest.mark.parametrize("body", [per_image_mean_and_weighted, per_image_summed_over_len])
def test_on_one_image_and_other_groupings(body):
    for seed, weights in [(3, [0.5]), (4, [0.5, 0.5, 1.0, 0.5]), (5, [1.0, 1.0]), (6, [1.0, 0.5, 1.0, 1.0])]:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert set(got) == set(want) and want, (seed, said)
        assert not wrong_companions(got, want), seed


def test_pot_emd2_per_image_splits():
    ot = pytest.importorskip("ot")

    def emd(o, t):
        c = torch.stack([ot.emd2(torch.full((3,), 1 / 3), torch.full((3,), 1 / 3), ot.dist(x, u["y"]))
                         for x, u in zip(o["x"], t)])
        return {"loss": c.mean(), "loss_sum": c.sum()}

    check_rule(emd, "")


def _one_plan_for_the_batch(o, t):
    """One cost between every image's rows and every image's targets: the images mix."""
    x = o["x"].flatten(0, 1)
    y = torch.cat([u["y"] for u in t])
    return {"loss": _host_cost(torch.cdist(x, y))}


def _batch_read_first(o, t):
    """The whole batch handed to NumPy first; its mean added on the host to each image's value."""
    batch = o["x"].detach().numpy()
    out = []
    for x, u in zip(o["x"], t):
        m = torch.cdist(x, u["y"])
        a = m.detach().numpy()
        val = torch.as_tensor(np.float64(a.min(1).sum() + batch.mean()), dtype=m.dtype)
        out.append(_Solved.apply(val, (torch.zeros_like(m),), m))
    return {"loss": torch.stack(out).mean()}


def _other_image_read(o, t, numpy=False):
    """Each value solved from the next image's values read on the host (``.tolist()``, or handed
    to NumPy)."""
    n = len(t)
    out = []
    for i in range(n):
        m = torch.cdist(o["x"][i], t[i]["y"])
        nxt = o["x"][(i + 1) % n].detach()
        other = float(nxt.numpy().sum()) if numpy else sum(sum(r) for r in nxt.tolist())
        val = torch.as_tensor(np.float64(m.detach().numpy().min(1).sum() + other), dtype=m.dtype)
        out.append(_Solved.apply(val, (torch.zeros_like(m),), m))
    return {"loss": torch.stack(out).mean()}


def _other_image_numpy(o, t):
    return _other_image_read(o, t, numpy=True)


def _weighted_input(o, t):
    """Each image's cost matrix times its weight: the value solved holds the weight."""
    return {"loss": torch.stack([_host_cost(torch.cdist(x, u["y"]) * u["loss_weight"])
                                 for x, u in zip(o["x"], t)]).sum()}


def _two_images(o, t):
    """Each value solved from two images' matrices (this one's and the next's)."""
    n = len(t)
    out = []
    for i in range(n):
        m = torch.cdist(o["x"][i], t[i]["y"])
        m2 = torch.cdist(o["x"][(i + 1) % n], t[i]["y"])
        a = m.detach().numpy() + m2.detach().numpy()
        val = torch.as_tensor(np.float64(a.min(1).sum()), dtype=m.dtype)
        out.append(_Solved.apply(val, (torch.zeros_like(m), torch.zeros_like(m2)), m, m2))
    return {"loss": torch.stack(out).mean()}


def _count_valued(o, t):
    """A value the host returns equal to the number of images (on a group alone the group's)."""
    out = []
    for x, u in zip(o["x"], t):
        m = torch.cdist(x, u["y"])
        m.detach().numpy()
        out.append(_Solved.apply(torch.tensor(float(len(t))), (torch.zeros_like(m),), m))
    return {"loss": torch.stack(out).sum()}


@pytest.mark.parametrize("body", [_one_plan_for_the_batch, _batch_read_first, _other_image_read,
                                  _other_image_numpy, _weighted_input, _two_images,
                                  _count_valued],
                         ids=["one_plan", "batch_read_first", "other_image_read", "other_image_numpy",
                              "weighted_input", "two_images",
                              "count_valued"])
def test_values_solved_from_several_images_or_counts_decline(body):
    check_rule(body, "", declines=True)
