"""A divisor the body counts itself in a Python loop (``n += 1`` per crop of each image, Metric3D
v2's random proposal normalisation: survey 47) equal by chance to a number the arguments hold (a
crop's corner): the code proves it the body's own count (``_bytecode.own_counter``), so it is read
as one, as where it equals none of the arguments' numbers. Near misses: the same number taken from
the arguments (passed in, stored from one, a ``range`` of one, a ``while``) keeps declining."""

from __future__ import annotations

import torch
from _helpers import KEEP, PER_IMAGE, Along, split_outcome, wrong_companions

BATCHES = [["a", "b", "a", "c"], ["b", "b", "c"], ["a", "a", "b", "c", "c"], ["c", "a"]]
"""4 images of three groups, 3 of two (group 'a' absent), 5 of three, 2 of two."""

S = 12  # side of the depth maps


def _batch(seed: int, sources: list[str]) -> list:
    """Prediction, truth, valid mask [B, 1, 12, 12] and two crops per image; one corner of the
    first image's first crop is twice the images, the number its loop counts."""
    g = torch.Generator().manual_seed(seed + 47)
    b = len(sources)
    valid = torch.rand(b, 1, S, S, generator=g) > 0.2
    crops = []
    for i in range(b):
        y0 = int(torch.randint(0, 6, (1,), generator=g))
        x0 = 2 * b - 4 if i == 0 else int(torch.randint(0, 6, (1,), generator=g))
        crops.append([(y0, x0, y0 + 4, x0 + 4), (0, 0, S, S)])
    return [torch.randn(b, 1, S, S, generator=g).requires_grad_(), torch.randn(b, 1, S, S, generator=g), valid, crops]


KINDS = [Along(0), Along(0), Along(0), PER_IMAGE]


def crops_counted(pred, depth, valid, crops, eps=1e-6):
    total, count = 0.0, 0
    for i in range(pred.shape[0]):
        for y0, x0, y1, x1 in crops[i]:
            m = valid[i, 0, y0:y1, x0:x1]
            p, g = pred[i, 0, y0:y1, x0:x1][m], depth[i, 0, y0:y1, x0:x1][m]
            p = (p - p.median()) / ((p - p.median()).abs().mean() + eps)
            g = (g - g.median()) / ((g - g.median()).abs().mean() + eps)
            total = total + (p - g).abs().mean()
            count += 1
    return {"loss_rpnl": total / count}


def crops_counted_over_len(pred, depth, valid, crops):
    n = 0
    total = 0.0
    for i in range(len(crops)):
        for c in crops[i]:
            m = valid[i, 0, c[0]:c[2], c[1]:c[3]]
            total = total + (pred[i, 0, c[0]:c[2], c[1]:c[3]][m] - depth[i, 0, c[0]:c[2], c[1]:c[3]][m]).abs().mean()
            n = n + 1
    return {"loss_crop": total / n}


def _outcome(body, seed, sources, extra=()):
    args = [*_batch(seed, sources), *extra]
    return split_outcome(body, args, KINDS + [KEEP] * len(extra), sources)


def test_a_count_of_crops_equal_to_a_corner_splits():
    """Counted per crop in loops over the images' sizes and each image's crops: the groups' own
    crops on a group alone, whatever corner the count equals (each batch holds it). Declined
    before (an outside normaliser met by the valid mask's pick)."""
    for body in (crops_counted, crops_counted_over_len):
        for seed, sources in enumerate(BATCHES):
            got, want, said = _outcome(body, seed, sources)
            assert not wrong_companions(got, want), (body.__name__, seed, got, want)
            assert set(got) == set(want), (body.__name__, seed, said)


def crops_over_a_number_passed_in(pred, depth, valid, crops, num, eps=1e-6):
    total = 0.0
    for i in range(pred.shape[0]):
        for y0, x0, y1, x1 in crops[i]:
            m = valid[i, 0, y0:y1, x0:x1]
            p, g = pred[i, 0, y0:y1, x0:x1][m], depth[i, 0, y0:y1, x0:x1][m]
            p = (p - p.median()) / ((p - p.median()).abs().mean() + eps)
            g = (g - g.median()) / ((g - g.median()).abs().mean() + eps)
            total = total + (p - g).abs().mean()
    count = num  # stored from the argument, then counted on: not the body's own
    count += 0
    return {"loss_rpnl": total / count}


def crops_over_a_range_of_a_number(pred, depth, valid, crops, num, eps=1e-6):
    total, count = 0.0, 0
    for i in range(pred.shape[0]):
        for y0, x0, y1, x1 in crops[i]:
            m = valid[i, 0, y0:y1, x0:x1]
            p, g = pred[i, 0, y0:y1, x0:x1][m], depth[i, 0, y0:y1, x0:x1][m]
            p = (p - p.median()) / ((p - p.median()).abs().mean() + eps)
            g = (g - g.median()) / ((g - g.median()).abs().mean() + eps)
            total = total + (p - g).abs().mean()
    for _ in range(num):  # as often as the number passed in says
        count += 1
    return {"loss_rpnl": total / count}


def crops_counted_in_a_while(pred, depth, valid, crops, num, eps=1e-6):
    total, count = 0.0, 0
    for i in range(pred.shape[0]):
        for y0, x0, y1, x1 in crops[i]:
            m = valid[i, 0, y0:y1, x0:x1]
            p, g = pred[i, 0, y0:y1, x0:x1][m], depth[i, 0, y0:y1, x0:x1][m]
            p = (p - p.median()) / ((p - p.median()).abs().mean() + eps)
            g = (g - g.median()) / ((g - g.median()).abs().mean() + eps)
            total = total + (p - g).abs().mean()
    while count < num:
        count += 1
    return {"loss_rpnl": total / count}


def crops_over_a_list_made_of_a_number(pred, depth, valid, crops, num, eps=1e-6):
    total, count = 0.0, 0
    for i in range(pred.shape[0]):
        for y0, x0, y1, x1 in crops[i]:
            m = valid[i, 0, y0:y1, x0:x1]
            p, g = pred[i, 0, y0:y1, x0:x1][m], depth[i, 0, y0:y1, x0:x1][m]
            total = total + (p - g).abs().mean()
    slots = [0] * num  # a local's items: as many as the number passed in
    for _ in slots:
        count += 1
    return {"loss_rpnl": total / count}


def test_a_number_from_the_arguments_declines():
    """The same number, the whole batch's crops passed in (``num``): stored from it, a ``range``
    of it, a ``while`` up to it, the items of a list made of it. On a group alone it stays the batch's; which crops it counts
    cannot be told beside the mask's pick: declined, as before."""
    for body in (crops_over_a_number_passed_in, crops_over_a_range_of_a_number, crops_counted_in_a_while,
                 crops_over_a_list_made_of_a_number):
        for seed, sources in enumerate(BATCHES):
            got, want, said = _outcome(body, seed, sources, extra=(2 * len(sources),))
            assert not wrong_companions(got, want), (body.__name__, seed, got, want)
            assert not any(c.startswith("loss_rpnl_") for c in got), (body.__name__, seed, got)
            assert any("'loss_rpnl'" in m for m in said), (body.__name__, seed, said)


def over_scales(x, y, ks):
    total, n = 0.0, 0
    for k in ks:  # a list of numbers passed in, the same on a group alone
        total = total + ((x * k - y) ** 2).sum()
        n += 1
    return {"loss_s": total / n}


def over_scales_per_image(x, y, ks):
    total, n = 0.0, 0
    for i in range(x.shape[0]):
        for k in ks:
            total = total + ((x[i] * k - y[i]) ** 2).mean()
            n += 1
    return {"loss_s": total / n}


def test_a_count_of_a_list_of_numbers_passed_in_is_never_wrong():
    """Counted over a list of numbers passed in (its length a constant of the call, equal to the
    images or not, the list holding it or not): given only equal to the oracle (each image's
    terms over the images times the list's length), else declined with a warning."""
    for body in (over_scales, over_scales_per_image):
        for ks in ([0.5, 0.7, 0.9], [1, 2, 3], [1, 2, 3, 4, 5, 6]):
            for sources in (["a", "b", "a"], ["a", "b", "c", "c", "a", "b"]):
                g = torch.Generator().manual_seed(len(ks))
                x = torch.randn(len(sources), 4, generator=g).requires_grad_()
                got, want, said = split_outcome(body, [x, torch.randn(len(sources), 4, generator=g), ks],
                                                [Along(0), Along(0), KEEP], sources)
                assert not wrong_companions(got, want), (body.__name__, ks, got, want)
                assert set(got) == set(want) or any("'loss_s'" in m for m in said), (body.__name__, ks, said)
