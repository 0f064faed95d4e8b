"""Sizes taken after a host read over several images (survey 68's WRONG, issue #13).

The patch-wise structural loss takes its patch length from ``int(amp[1:].argmax())`` of the labels'
FFT amplitude averaged over the batch: a Python int read from a value of every image. ``Tensor.unfold``
cut each group's rows by it as if it were the group's (on a group alone the group's dominant period
gives another length): two wrong companions. ``Frame.sized`` already ordered slices, ``topk``,
``roll`` and ``expand`` after such reads; the ops of ``_HOST_SIZED`` (``unfold``, ``split``,
``chunk``, ``kthvalue``, ``select``, ``diagonal``, ``repeat_interleave``, ``F.pad``,
``F.interpolate``, ``F.unfold``, the pools) now go through it too: declined, with the op named,
unless every size the call passes is the code's own (a literal, a constant of the call, a size of
the very tensor it cuts). Near misses that keep their companions: literal and module-constant sizes
after the same read, the read's size on a batch of one group, and no read at all.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import Along, split_outcome, wrong_companions

LABELS = ["a", "b", "a", "c"]
PATCH = 4  # a module constant: the same on every group's run


def _batch(seed: int, labels: list[str] = LABELS) -> tuple[list, list, list]:
    """``pred`` [4, 8] and ``y`` [4, 8]; ``y[1, 5]`` large, so the batch's peak position (5) is not
    group 'a''s or 'c''s."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randn(4, 8, generator=g)
    y[1, 5] = 9.0
    return [torch.randn(4, 8, generator=g).requires_grad_(), y], [Along(0), Along(0)], labels


def _peak(y: torch.Tensor) -> int:
    """A size read on the host from a value of every image: 1 + the peak of the mean |y| over images."""
    return int(y.abs().mean(0).argmax()) + 1


def unfold_by_peak(pred, y):
    k = _peak(y)
    return {"loss": pred.unfold(1, k, k).mean()}


def split_by_peak(pred, y):
    return {"loss": pred.split(_peak(y), 1)[0].mean()}


def pad_by_peak(pred, y):
    return {"loss": F.pad(pred, (0, _peak(y))).mean()}


def kthvalue_by_peak(pred, y):
    return {"loss": pred.kthvalue(_peak(y), 1).values.mean()}


def avg_pool_by_peak(pred, y):
    return {"loss": F.avg_pool1d(pred[:, None], _peak(y)).mean()}


def max_pool_by_peak(pred, y):
    return {"loss": F.max_pool1d(pred[:, None], _peak(y)).mean()}


def interpolate_by_peak(pred, y):
    return {"loss": F.interpolate(pred[:, None], size=_peak(y) + 1, mode="linear").mean()}


def chunk_by_peak(pred, y):
    return {"loss": pred.chunk(9 - _peak(y), 1)[0].mean()}


DECLINED = [(unfold_by_peak, "Tensor.unfold"), (split_by_peak, "Tensor.split"), (pad_by_peak, "F.pad"),
            (kthvalue_by_peak, "Tensor.kthvalue"), (avg_pool_by_peak, "avg_pool1d"), (max_pool_by_peak, "max_pool1d"),
            (interpolate_by_peak, "F.interpolate"), (chunk_by_peak, "Tensor.chunk")]


def test_the_batch_peak_is_not_every_groups() -> None:
    """The batches below are near misses: on a group alone the read size differs from the batch's."""
    for seed in range(3):
        (_, y), _, labels = _batch(seed)
        groups = {name: [i for i, x in enumerate(labels) if x == name] for name in set(labels)}
        assert any(_peak(y[idx]) != _peak(y) for idx in groups.values()), seed


@pytest.mark.parametrize(("body", "op"), DECLINED, ids=[b.__name__ for b, _ in DECLINED])
def test_a_size_read_over_several_images_declines_with_the_op_named(body, op) -> None:
    for seed in range(3):
        got, want, said = split_outcome(body, *_batch(seed))
        assert not wrong_companions(got, want), (seed, got, want)
        assert not got, (seed, got)
        assert any(op in m and "read on the host" in m for m in said), said


@pytest.mark.parametrize(("body", "op"), DECLINED, ids=[b.__name__ for b, _ in DECLINED])
def test_on_a_batch_of_one_group_the_read_size_is_the_groups(body, op) -> None:
    got, want, said = split_outcome(body, *_batch(0, ["a"] * 4))
    assert got and got == pytest.approx(want, rel=1e-5, abs=1e-6), (op, said)


def literal_after_the_read(pred, y):
    scale = float(y.abs().mean())
    return {"loss": pred.unfold(1, 4, 2).mean(), "pooled": F.avg_pool1d(pred[:, None], 2).mean(),
            "scale": torch.tensor(scale)}


def constant_after_the_read(pred, y):
    scale = float(y.abs().mean())
    return {"loss": pred.unfold(1, PATCH, PATCH // 2).mean(), "scale": torch.tensor(scale)}


def peak_without_images(pred, y):
    k = _peak(y)
    return {"k": torch.tensor(float(k)), "loss": pred.unfold(1, 3, 1).mean()}


@pytest.mark.parametrize("body", [literal_after_the_read, constant_after_the_read, peak_without_images])
def test_sizes_of_the_code_after_the_same_read_keep_their_companions(body) -> None:
    for seed in range(3):
        got, want, said = split_outcome(body, *_batch(seed))
        assert not wrong_companions(got, want), (seed, got, want)
        assert "loss_a" in got and got["loss_a"] == pytest.approx(want["loss_a"], rel=1e-5, abs=1e-6), (seed, said)


def test_without_a_read_the_same_unfold_splits() -> None:
    def unfold_literal(pred, y):
        return {"loss": (pred.unfold(1, 4, 2) - y.unfold(1, 4, 2)).abs().mean()}

    for seed in range(3):
        got, want, said = split_outcome(unfold_literal, *_batch(seed))
        assert got and got == pytest.approx(want, rel=1e-5, abs=1e-6), (seed, said)
