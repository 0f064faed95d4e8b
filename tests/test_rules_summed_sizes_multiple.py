"""A loss divided by a literal times a running sum of the images' sizes (survey 39: MiDaS' trimmed
loss, each image's valid pixels ``r = err[v]``, ``M += len(r)`` in a loop over the images, the
trimmed residuals' sum over ``2 * M``). The code proves the divisor ``k`` times the sum of one size
of each image's own tensor added in every iteration (``_bytecode.summed_multiple``): on a group
alone ``k`` times the group's sizes. On main at 32a9c3d the literal multiple declined the key,
'a division by a number the body counted over the images' items' where the loop runs over an
argument, 'a division by a number of the body's after it read sizes of single images' tensors' where
it runs over locals (a ``zip`` of a computed error and a field). Near misses keep declining or stay
as they were: a size added only for some images, a size plus 1, a multiplier held by a local, a
count of images (``M += 1``, declined as before). Each body is compared with the oracle (the body run on each group's
images alone)."""

from __future__ import annotations

import pytest
import torch
from _helpers import Along, split_outcome, wrong_companions

LABELS = (["a", "b", "a", "c"], ["a", "b", "b"], ["b", "a"], ["a", "a", "b", "b", "a"], ["c", "c", "c"])
"""2 to 5 images, groups of different sizes, one group only."""


def _batch(labels: list[str]) -> list:
    g = torch.Generator().manual_seed(len(labels) * 3 + 1)
    b = len(labels)
    valid = torch.ones(b, 6, 6, dtype=torch.bool)
    for i in range(b):
        valid[i, : i % 3, : 2 + i % 2] = False
    gt = torch.rand(b, 6, 6, generator=g) * 4 + 1
    pred = (gt + torch.randn(b, 6, 6, generator=g) * 0.5).requires_grad_()
    return [pred, {"depth": gt, "valid": valid}]


def trimmed_over_locals(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        keep = int(len(r) * 0.8)
        total = total + r.sort().values[:keep].sum()
        count += len(r)
    return {"loss": total / (2 * count)}


def trimmed_over_argument(pred, batch):
    total, count = 0.0, 0
    for p, d, v in zip(pred, batch["depth"], batch["valid"]):
        r = (p - d)[v].abs()
        total = total + r.sort().values[: int(len(r) * 0.8)].sum()
        count = count + r.numel()
    return {"loss": total / (count * 0.5)}


def size_added_for_some(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sum()
        if len(r) > 33:
            count += len(r)
    return {"loss": total / (2 * count)}


def size_plus_one(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sum()
        count += len(r) + 1
    return {"loss": total / (2 * count)}


def multiplier_in_a_local(pred, batch):
    total, count, k = 0.0, 0, 2
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        r = r[v]
        total = total + r.sum()
        count += len(r)
    return {"loss": total / (k * count)}


def images_counted(pred, batch):
    total, count = 0.0, 0
    for r, v in zip((pred - batch["depth"]).abs(), batch["valid"]):
        total = total + r[v].mean()
        count += 1
    return {"loss": total / (2 * count)}


def _outcome(body, labels):
    return split_outcome(body, _batch(labels), [Along(0), Along(0)], labels)


@pytest.mark.parametrize("labels", LABELS)
@pytest.mark.parametrize("body", [trimmed_over_locals, trimmed_over_argument])
def test_a_literal_times_the_summed_sizes_splits_as_the_oracle(body, labels):
    got, want, said = _outcome(body, labels)
    assert set(got) == set(want), said
    assert not wrong_companions(got, want)


@pytest.mark.parametrize("labels", [lb for lb in LABELS if len(set(lb)) > 1])
@pytest.mark.parametrize("body", [size_added_for_some, size_plus_one, multiplier_in_a_local])
def test_a_sum_the_code_does_not_prove_declines(body, labels):
    got, want, said = _outcome(body, labels)
    assert got == {}, (got, want)
    assert any("'loss'" in m for m in said), said


@pytest.mark.parametrize("labels", [lb for lb in LABELS if len(set(lb)) > 1])
def test_a_count_of_images_times_a_literal_declines_as_before(labels):
    """``M += 1``: no size is added, nothing changes: the running count equal to no count of the
    loss (twice the images) declines, as on main."""
    got, want, said = _outcome(images_counted, labels)
    assert got == {}, (got, want)
    assert any("counted over the images' items" in m for m in said), said


# -- a constant of the call as the multiple, floored by ``max``, after a ``with`` block (FreeAnchor) ----------


def bags_over_a_floored_multiple(pred, batch, topk=4):
    """mmdet's FreeAnchor: per image (a loop over them) under ``torch.no_grad()`` a value of its
    own, ``num_pos += len(..)`` of its valid pixels after that block, the negative bags over ``max(1,
    num_pos * topk)``, ``topk`` a parameter at its default."""
    num_pos, total = 0, 0.0
    for p, d, v in zip(pred, batch["depth"], batch["valid"]):
        with torch.no_grad():
            scale = d[v].mean()
        total = total + ((p - d) / scale).abs().sum()
        num_pos += len(d[v])
    return {"loss": total / max(1, num_pos * topk)}


def few_bags_floored(pred, batch, topk=4):
    """The same with an image of no valid pixel: its group alone divides by the floor, 1."""
    num_pos, total = 0, 0.0
    for p, d, v in zip(pred, batch["depth"], batch["valid"]):
        with torch.no_grad():
            kept = v & (d > 4.9)
        total = total + (p - d).abs().sum()
        num_pos += len(d[kept])
    return {"loss": total / max(1, topk * num_pos)}


@pytest.mark.parametrize("labels", LABELS)
@pytest.mark.parametrize("body", [bags_over_a_floored_multiple, few_bags_floored])
def test_a_constant_of_the_call_times_the_summed_sizes_floored_splits_as_the_oracle(body, labels):
    """Declined before (survey 16's FreeAnchor: 'a division by a number the body counted over the
    images' items ... that equals no count of the loss'): the ``with`` block before the addition
    was read as a ``try`` that may skip it, and neither the parameter ``topk`` nor the ``max`` floor
    was read as the multiple. On a group alone: ``max(1, 4 * its sizes)``."""
    got, want, said = _outcome(body, labels)
    assert set(got) == set(want), said
    assert not wrong_companions(got, want)


def _skipped_by_a_handler(pred, batch, topk=4):
    num_pos, total = 0, 0.0
    for p, d, v in zip(pred, batch["depth"], batch["valid"]):
        total = total + (p - d).abs().sum()
        try:
            if v.sum() < 33:
                raise ValueError
        except ValueError:
            continue  # the addition skipped for some images: no sum of every image's size
        num_pos += len(d[v])
    return {"loss": total / max(1, num_pos * topk)}


def _added_under_a_with(pred, batch, topk=4):
    num_pos, total = 0, 0.0
    for p, d, v in zip(pred, batch["depth"], batch["valid"]):
        total = total + (p - d).abs().sum()
        with _Swallow():
            if v.sum() < 33:
                raise ValueError
            num_pos += len(d[v])  # skipped where the manager swallows the error
    return {"loss": total / max(1, num_pos * topk)}


class _Swallow:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return True


def _counted_factor(pred, batch, topk=None):
    num_pos, total = 0, 0.0
    for p, d, v in zip(pred, batch["depth"], batch["valid"]):
        total = total + (p - d).abs().sum()
        num_pos += len(d[v])
    k = len(pred) if topk is None else topk  # a count of the images: on a group alone the group's
    return {"loss": total / max(1, num_pos * k)}


@pytest.mark.parametrize("labels", [lb for lb in LABELS if len(set(lb)) > 1])
@pytest.mark.parametrize("body", [_skipped_by_a_handler, _added_under_a_with, _counted_factor])
def test_near_misses_of_a_floored_multiple_give_no_wrong_companion(body, labels):
    """A handler that skips the addition, an addition a ``with`` may skip, a factor counted from the
    images: never a wrong companion, a decline with a warning naming the key."""
    got, want, said = _outcome(body, labels)
    assert not wrong_companions(got, want), (got, want)
    if set(got) != set(want):
        assert any("'loss'" in m for m in said), said


# -- a constant times a running sum of per-image reads, the trimmed slice by the tensor's own length (survey 10) --


def trimmed_over_reads(pred, batch, trim=0.2):
    """MiDaS' trimmed loss as survey 10 writes it: each image's sorted residuals cut at ``int(len(res)
    * (1 - trim))``, ``count += int(v.sum())`` read on the host per image, over ``2 * count``."""
    total, count = 0.0, 0
    for p, d, v in zip(pred, batch["depth"], batch["valid"]):
        res, _ = torch.sort((p - d)[v].abs())
        keep = int(len(res) * (1 - trim))
        total = total + res[:keep].sum()
        count += int(v.sum())
    return {"loss": total / (2 * count)}


@pytest.mark.parametrize("labels", LABELS)
def test_a_constant_times_summed_reads_and_a_cut_at_the_tensor_s_own_length_split_as_the_oracle(labels):
    """Declined before (survey 10's trimmed loss): ``res[:keep]`` of image i came after image i - 1's
    ``int(v.sum())`` was read ('its size may come from them'), and ``2 * count`` after reads was taken
    for arithmetic of them. The code shows ``keep`` computed from the very tensor cut times a constant
    (``_bytecode.own_length_bound``) and the divisor a literal times each image's read added once
    (``Frame._summed_reads`` with ``summed_multiple``): on a group alone ``2 *`` its images' reads."""
    got, want, said = _outcome(trimmed_over_reads, labels)
    assert set(got) == set(want), said
    assert not wrong_companions(got, want)


def _cut_by_the_previous_image(pred, batch, trim=0.2):
    total, count, prev = 0.0, 0, None
    for p, d, v in zip(pred, batch["depth"], batch["valid"]):
        res, _ = torch.sort((p - d)[v].abs())
        if prev is None:
            prev = res
        keep = int(len(prev) * (1 - trim))  # another image's length: on a group alone another image's
        total = total + res[:keep].sum()
        count += int(v.sum())
        prev = res
    return {"loss": total / (2 * count)}


def _cut_by_a_read(pred, batch):
    total, count, last = 0.0, 0, 30
    for p, d, v in zip(pred, batch["depth"], batch["valid"]):
        res, _ = torch.sort((p - d)[v].abs())
        keep = int(last * 0.8)  # the previous image's read
        total = total + res[:keep].sum()
        last = int(v.sum())
        count += last
    return {"loss": total / (2 * count)}


def _over_a_counted_multiple(pred, batch, trim=0.2):
    total, count = 0.0, 0
    for p, d, v in zip(pred, batch["depth"], batch["valid"]):
        res, _ = torch.sort((p - d)[v].abs())
        total = total + res[: int(len(res) * (1 - trim))].sum()
        count += int(v.sum())
    k = len(pred)  # a count of the images: on a group alone the group's
    return {"loss": total / (k * count)}


def _over_reads_plus_one(pred, batch):
    total, count = 0.0, 0
    for p, d, v in zip(pred, batch["depth"], batch["valid"]):
        total = total + (p - d)[v].abs().sum()
        count += int(v.sum())
    return {"loss": total / (2 * count + 1)}


@pytest.mark.parametrize("labels", [lb for lb in LABELS if len(set(lb)) > 1])
@pytest.mark.parametrize("body", [_cut_by_the_previous_image, _cut_by_a_read, _over_a_counted_multiple,
                                  _over_reads_plus_one])
def test_near_misses_of_summed_reads_and_own_length_cuts_give_no_wrong_companion(body, labels):
    """A cut by another image's length or read, a factor counted from the images, arithmetic on the
    sum: never a wrong companion, each decline with a warning."""
    got, want, said = _outcome(body, labels)
    assert not wrong_companions(got, want), (got, want)
    if set(got) != set(want):
        assert said, (got, want)
