"""Sizes of image rows read in the body (``bs = pred.shape[0]``, ``x.size(0)``): on a
group's images alone such a size is the group's count of those rows, so a reduced loss times or
over it (``loss * bs``, grid-anchor detectors' per-batch sums) splits as the body computes it on the
group; any other use of it with the images' values declines. Each body is compared with the
oracle on the ``RULE_BATCHES`` (4, 3 and 2 images)."""

from __future__ import annotations

import copy
import pickle

import pytest
import torch
import torch.nn.functional as F
from _helpers import check_rule, rule_batch, rule_outcome

from losssplit._capture.mode import RowCount


def _err(outputs, targets):
    y = torch.stack([t["y"] for t in targets])
    return (outputs["x"] - y).abs(), y


def _positives(outputs, targets):
    """Each image's rows whose target exceeds 0.5, gathered by (image, row) indices built in
    Python: ``[M, WIDTH]`` predictions and targets of the positives."""
    img, row = [], []
    for i, t in enumerate(targets):
        hit = (t["y"][:, 0] > 0.5).nonzero()[:, 0].tolist() or [0]
        img += [i] * len(hit)
        row += hit
    y = torch.stack([t["y"] for t in targets])
    return outputs["x"][img, row], y[img, row]


def times(size):
    """``err.mean() * size(x)``: the batch-size scaling of grid-anchor detectors."""

    def body(outputs, targets):
        err, _ = _err(outputs, targets)
        return {"loss": err.mean() * size(outputs["x"])}

    return body


@pytest.mark.parametrize(
    "size",
    [lambda x: x.shape[0], lambda x: x.size(0), lambda x: x.size(dim=0), lambda x: x.size()[0]],
    ids=["shape", "size0", "size_dim", "size_tuple"],
)
def test_a_mean_times_the_batch_size_read_from_a_tensor_splits(size):
    check_rule(times(size), "")


def test_the_size_on_either_side_unpacked_and_with_constants():
    def body(outputs, targets):
        err, y = _err(outputs, targets)
        b, r, w = outputs["x"].shape
        box = err[:, :, :2].mean() * 0.05
        cls = F.binary_cross_entropy(outputs["x"], y) * 0.5
        return {"loss_box": b * box, "loss_cls": cls * b * 3.0, "loss_sum": err.sum() / b,
                "loss_back": err.mean() * b / b, "loss_cols": err[:, :, 0].mean() * (r * w)}

    check_rule(body, "")


def test_running_totals_and_sums_of_ratios_times_the_batch_size():
    """``lbox += ...; lbox *= bs`` in place, and a sum of ratios (a buffer of terms) times it."""

    def running(outputs, targets):
        err, y = _err(outputs, targets)
        total = torch.zeros(1)
        for j in range(err.shape[1]):
            total += err[:, j].mean()
        total *= outputs["x"].shape[0]
        return {"loss": total}

    def sum_of_ratios(outputs, targets):
        err, _ = _err(outputs, targets)
        parts = torch.zeros(2)
        parts[0] = err.mean()
        parts[1] = err[:, 0].sum() / 7.0
        return {"loss": parts.sum() * outputs["x"].shape[0]}

    check_rule(running, "")
    check_rule(sum_of_ratios, "")


def test_the_size_of_a_buffer_made_with_the_batch_size_and_of_gathered_rows():
    """``tobj = torch.zeros(pred.shape[:2]); bs = tobj.shape[0]``: the buffer has the images'
    count of rows whatever is written into it; ``ps.shape[0]`` of gathered positives is the
    group's count of positives."""

    def buffer(outputs, targets):
        err, _ = _err(outputs, targets)
        tobj = torch.zeros(outputs["x"].shape[:2])
        tobj[:, 0] = 1.0
        obj = F.binary_cross_entropy(outputs["x"][..., 0], tobj)
        bs = tobj.shape[0]
        return {"loss_obj": obj * bs, "loss_err": err.mean() * bs}

    def gathered(outputs, targets):
        ps, ys = _positives(outputs, targets)
        return {"loss": (ps - ys).pow(2).sum() / ps.shape[0], "loss_n": (ps - ys).abs().mean() * ps.size(0)}

    check_rule(buffer, "")
    check_rule(gathered, "")


def test_other_uses_of_the_batch_size_with_the_images_values_decline():
    """On a group alone the size is the group's: an element-wise loss scaled by it before the
    reduction (also in place), a loss plus it, a mean over it, a loss with an offset times it,
    and a tensor made of it."""
    size = "size of a dim of image rows"

    def scaled_rows(outputs, targets):
        err, _ = _err(outputs, targets)
        return {"loss": (err * outputs["x"].shape[0]).mean()}

    def plus(outputs, targets):
        err, _ = _err(outputs, targets)
        return {"loss": err.mean() + outputs["x"].shape[0]}

    def offset(outputs, targets):
        err, _ = _err(outputs, targets)
        return {"loss": (1 - err.mean()) * outputs["x"].shape[0]}

    def in_place(outputs, targets):
        err, _ = _err(outputs, targets)
        err = err * 1.0
        err *= outputs["x"].shape[0]
        return {"loss": err.mean()}

    def mean_over(outputs, targets):
        err, _ = _err(outputs, targets)
        return {"loss": err.mean() / outputs["x"].shape[0]}

    def as_tensor(outputs, targets):
        err, _ = _err(outputs, targets)
        return {"loss": err.sum() / torch.tensor([outputs["x"].shape[0]], dtype=torch.float)}

    for body in (scaled_rows, plus, in_place, mean_over, offset):
        check_rule(body, size, declines=True)
    check_rule(as_tensor, "torch.tensor of a size of image rows", declines=True)


def test_an_int_equal_to_the_images_that_is_no_size_still_declines():
    """``len(targets)`` (a list: no size the capture sees) and ``len(x)`` (``len`` returns a plain
    int) times a mean are declined as before."""
    check_rule(times(lambda x: len([0] * x.shape[0])), "number of images", declines=True)
    check_rule(times(len), "number of images", declines=True)

    def gathered(outputs, targets):  # ``len(ps)`` of the positives: their count, a plain int
        ps, ys = _positives(outputs, targets)
        return {"loss": (ps - ys).abs().mean() * len(ps)}

    check_rule(gathered, "len(x)", declines=True)


def test_a_row_count_is_the_int_it_is_and_holds_nothing_after_the_call():
    seen = []

    def body(outputs, targets):
        err, _ = _err(outputs, targets)
        bs = outputs["x"].shape[0]
        seen.append(bs)
        return {"loss": err.mean() * bs}

    got, want, said = rule_outcome(body, rule_batch(0, [1.0, 0.5, 0.5, 1.0]))
    assert got == pytest.approx(want) and not said
    (bs,) = [n for n in seen if type(n) is not int]  # the oracle's runs are not decorated
    assert type(bs) is RowCount and bs == 4 and str(bs) == "4" and bs + 1 == 5
    assert type(pickle.loads(pickle.dumps(bs))) is int and type(copy.deepcopy(bs)) is int
    assert bs._frame() is None  # the frame (and the rows it held) is gone with the call


def test_counts_of_rows_read_as_lengths_and_numbers_of_elements_divide_as_the_group_s_own():
    """``l.sum() / len(ps)`` (a length of gathered rows), ``/ max(len(idx), 1)`` with ``idx`` from
    ``torch.where(mask)`` or ``mask.nonzero(as_tuple=True)``, ``/ idx.numel()``, ``/ sel.numel()`` of
    masked rows and ``/ torch.numel(x)``: each the group's own count on its images alone (these
    were read as constants before)."""

    def lengths(outputs, targets):
        err, y = _err(outputs, targets)
        ps, ys = _positives(outputs, targets)
        m = y[..., 0] > 0.5
        idx = torch.where(m.flatten())[0]
        (nz,) = m.flatten().nonzero(as_tuple=True)
        pos = m.nonzero()
        sel = err[..., 0][m]
        return {"loss_len": (ps - ys).abs().sum() / len(ps), "loss_where": err.sum() / max(len(idx), 1),
                "loss_nz": err.sum() / len(nz), "loss_numel": err.sum() / idx.numel(), "loss_sel": sel.sum() / sel.numel(),
                "loss_all": err.sum() / torch.numel(err[:, 0]), "loss_times": err.mean() * err[:, :, 0].numel(),
                "loss_shape": err.sum() / pos.shape[0], "loss_size": err.sum() / pos.size(0)}

    check_rule(lengths, "")


def test_an_average_over_a_length_of_rows_declines():
    def body(outputs, targets):
        ps, ys = _positives(outputs, targets)
        return {"loss": (ps - ys).abs().mean() / len(ps)}

    check_rule(body, "length of rows", declines=True)
