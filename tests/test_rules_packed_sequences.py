"""Sequences of different lengths as ``PackedSequence``s (pytorch-forecasting's targets, survey 37),
and what came with them: an index of mixed values that permutes the images' rows (the order of a
sort along them, its inverse), packing and unpacking, a metric's state reset from its default as a
running total's zero start, and a table of no images multiplied in place. Each against the oracle
on several batches, with the near misses that must decline; and the silent WRONG survey 37 found on
main, values divided by a size of another dim equal to the number of images, now declined."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import Along, split_outcome
from torch.nn.utils import rnn

T = 5

# (sources, lengths): the first of each group has the full length T (on a group alone unpacking gives
# the same width); groups of different sizes, a group absent, two images
BATCHES = [
    (["a", "b", "b", "a"], [5, 3, 5, 4]),
    (["a", "b", "c"], [5, 5, 5]),
    (["b", "a", "a", "b", "a"], [5, 5, 2, 4, 1]),
    (["a", "a"], [3, 5]),
    (["c", "b"], [5, 5]),
]


def batch(seed: int, labels: list[str], lengths: list[int], q: int = 2) -> tuple[list, list]:
    g = torch.Generator().manual_seed(seed)
    b = len(labels)
    pred = torch.randn(b, T, q, generator=g).requires_grad_()
    data = {"target": torch.randn(b, T, generator=g), "lengths": torch.tensor(lengths)}
    return [pred, data], [Along(0), Along(0)]


def outcome(body, seed: int, labels: list[str], lengths: list[int], q: int = 2):
    args, kinds = batch(seed, labels, lengths, q)
    return split_outcome(body, args, kinds, labels)


def assert_splits(body, q: int = 2) -> None:
    for seed, (labels, lengths) in enumerate(BATCHES):
        got, want, said = outcome(body, seed, labels, lengths, q)
        assert set(got) == set(want), (seed, said)
        assert got == pytest.approx(want, rel=1e-5, abs=1e-6), seed


def assert_declines(body, op: str, labels: list[str] | None = None, lengths: list[int] | None = None, q: int = 2) -> None:
    cases = [(labels, lengths)] if labels is not None else BATCHES[:1]
    for seed, (ls, ns) in enumerate(cases):
        got, want, said = outcome(body, seed, ls, ns, q)
        assert want and got == {}, (got, want)
        assert any(op in m for m in said), said


def _unpacked(data, **kwargs):
    packed = rnn.pack_padded_sequence(data["target"], data["lengths"], batch_first=True, enforce_sorted=False)
    return rnn.pad_packed_sequence(packed, batch_first=True, **kwargs)


def masked_l1(pred, data):
    """The targets packed by their lengths (sorted inside) and unpacked, the steps past each length
    masked, the batch's sum over its steps."""
    target, lengths = _unpacked(data)
    mask = torch.arange(target.size(1))[None] < lengths[:, None]
    return {"loss": ((pred[..., 0] - target).abs() * mask).sum() / lengths.sum()}


def test_packed_and_unpacked_targets_split_as_the_oracle() -> None:
    assert_splits(masked_l1)


def test_packed_with_sorted_lengths_splits() -> None:
    def body(pred, data):
        order = data["lengths"].argsort(descending=True)
        target, lengths = data["target"][order], data["lengths"][order]
        packed = rnn.pack_padded_sequence(target, lengths, batch_first=True)
        out, n = rnn.pad_packed_sequence(packed, batch_first=True)
        return {"loss": (pred[order, :, 1] - out).pow(2).sum() / n.sum()}

    assert_splits(body)


def test_packed_time_major_splits() -> None:
    def body(pred, data):
        packed = rnn.pack_padded_sequence(data["target"].t(), data["lengths"], enforce_sorted=False)
        target, lengths = rnn.pad_packed_sequence(packed)
        mask = torch.arange(target.size(0))[:, None] < lengths[None]
        return {"loss": ((pred[..., 0].t() - target).abs() * mask).sum() / mask.sum()}

    assert_splits(body)


def test_packed_data_summed_splits() -> None:
    def body(pred, data):
        packed = rnn.pack_padded_sequence(pred[..., 0] - data["target"], data["lengths"], batch_first=True,
                                          enforce_sorted=False)
        return {"loss": packed.data.abs().mean()}

    assert_splits(body)


def test_unpacked_width_of_a_group_shorter_than_the_batchs_declines() -> None:
    """Near miss: a group whose longest sequence is shorter than the batch's: on its own the
    unpacked targets are narrower (here the loss is over their width); ``total_length`` fixes the
    width and splits."""
    def padded(pred, data):
        target, lengths = _unpacked(data)
        width = target.size(1)
        return {"loss": (pred[:, :width, 0] - target).abs().sum() / width}

    got, want, said = outcome(padded, 0, ["a", "b", "b", "a"], [5, 3, 4, 4])
    assert got == {} and want and said, (got, want, said)

    def fixed(pred, data):
        target, lengths = _unpacked(data, total_length=T + 1)
        return {"loss": (pred[..., 0] - target[:, :T]).abs().sum() / target.size(1)}

    got, want, said = outcome(fixed, 0, ["a", "b", "b", "a"], [5, 3, 4, 4])
    assert got == pytest.approx(want, rel=1e-5) and set(got) == set(want), said


def test_packed_data_over_the_count_of_steps_declines() -> None:
    """Near miss: the packed data over ``len(batch_sizes)``, the batch's longest sequence (on a
    group alone the group's, shorter for group 'b' here)."""
    def body(pred, data):
        packed = rnn.pack_padded_sequence(pred[..., 0] - data["target"], data["lengths"], batch_first=True,
                                          enforce_sorted=False)
        return {"loss": packed.data.abs().sum() / len(packed.batch_sizes)}

    got, want, said = outcome(body, 0, ["a", "b", "b", "a"], [5, 3, 4, 4])
    assert got == {} and want, (got, want, said)


def test_packed_rows_picked_by_position_decline() -> None:
    def body(pred, data):
        packed = rnn.pack_padded_sequence(pred[..., 0] - data["target"], data["lengths"], batch_first=True,
                                          enforce_sorted=False)
        return {"loss": packed.data[:3].abs().sum()}

    assert_declines(body, "Tensor.__getitem__")


def test_rows_permuted_by_a_sort_split() -> None:
    """``x[order]`` and ``x.index_select(0, order)`` with ``order`` a sort's indices along the images:
    every image's row once, the sum and the pairing with the sorted lengths as the oracle's."""
    def body(pred, data):
        order = torch.sort(data["lengths"], descending=True)[1]
        lengths = data["lengths"][order]
        err = (pred[..., 0] - data["target"]).abs()
        mask = torch.arange(T)[None] < lengths[:, None]
        return {"loss": (err[order] * mask).sum() / lengths.sum(),
                "loss_sel": (err.index_select(0, order) * mask).sum()}

    assert_splits(body)


@pytest.mark.parametrize("pick", ["first", "prefix", "clamped"])
def test_rows_picked_by_a_sorts_order_that_is_no_permutation_decline(pick: str) -> None:
    """Near misses: the sorted values' first (the batch's longest), the order's first rows, an
    order with repeats: on a group alone other rows."""
    def body(pred, data):
        lengths, order = torch.sort(data["lengths"], descending=True)
        err = (pred[..., 0] - data["target"]).abs().sum(1)
        if pick == "first":
            return {"loss": err.sum() / lengths[0]}
        if pick == "prefix":
            return {"loss": err[order[:2]].sum()}
        return {"loss": err.index_select(0, order.clamp(max=1)).sum()}

    got, want, said = outcome(body, 0, *BATCHES[0])
    assert got == {}, (got, want, said)


def test_a_sort_of_values_across_images_still_declines_where_they_mix() -> None:
    def body(pred, data):
        err = (pred[..., 0] - data["target"]).abs().sum(1)
        ranked = err.sort().values
        return {"loss": (ranked * torch.arange(len(ranked))).sum()}

    got, want, said = outcome(body, 0, *BATCHES[0])
    assert got == {}, (got, want, said)


@pytest.mark.parametrize("positions", ["ones_like_cumsum", "arange_len"])
def test_rows_permuted_by_a_sort_times_their_positions_decline(positions: str) -> None:
    """Rows in a sort's order scaled by their position in it (a rank): on a group alone the group's
    positions. Was a silent WRONG (s48b): ``ones_like`` of the sorted values read as a constant."""
    def body(pred, data):
        lengths, order = torch.sort(data["lengths"])
        err = (pred[..., 0] - data["target"]).abs().sum(1)
        rank = torch.ones_like(lengths).cumsum(0) if positions == "ones_like_cumsum" else torch.arange(len(lengths))
        return {"loss": (err[order] * rank.float()).sum()}

    got, want, said = outcome(body, 0, *BATCHES[0])
    assert want and got == {}, (got, want, said)


# -- a metric's state reset from its default --------------------------------------------------------

class RunningMean(torch.nn.Module):
    """A metric as torchmetrics keeps one: a 0-dim state and its default, reset at each call
    (``default.detach().clone()``), the batch's sum added to it, the mean over a count state."""

    def __init__(self, start: float = 0.0) -> None:
        super().__init__()
        self.default_total, self.default_count = torch.tensor(start), torch.tensor(0)
        self.total, self.count = self.default_total.clone(), self.default_count.clone()

    def forward(self, err: torch.Tensor, n: torch.Tensor) -> torch.Tensor:
        self.total, self.count = self.default_total.detach().clone(), self.default_count.detach().clone()
        self.total = self.total + err.sum()
        self.count = self.count + n.sum()
        return self.total / self.count


def test_a_metric_state_reset_from_its_default_splits() -> None:
    metric = RunningMean()

    def body(pred, data):
        target, lengths = _unpacked(data)
        mask = torch.arange(target.size(1))[None] < lengths[:, None]
        return {"loss": metric((pred[..., 0] - target).abs() * mask, lengths)}

    assert_splits(body)


def test_a_metric_state_that_starts_other_than_zero_declines() -> None:
    """Near miss: a state whose default is not zero: no running total's zero start (the sum plus
    3 over the count, which the rules do not follow)."""
    metric = RunningMean(start=3.0)

    def body(pred, data):
        return {"loss": metric((pred[..., 0] - data["target"]).abs(), data["lengths"])}

    got, want, said = outcome(body, 0, *BATCHES[0])
    assert got == {}, (got, said)


# -- a table of no images multiplied in place ---------------------------------------------------------

TABLE = torch.tensor([1.0, 0.8, 0.6, 0.4, 0.2])
ROWS_TABLES = {n: torch.linspace(0.25, 1.0, n)[:, None] for n in range(1, 6)}  # one number per row, per batch size


def test_a_table_of_no_images_multiplied_in_place_splits() -> None:
    """coral-pytorch's ``term1 *= importance_weights``: the same numbers for every image."""
    def body(pred, data):
        term = F.logsigmoid(pred[..., 0]) * data["target"]
        term *= TABLE
        return {"loss": -term.sum(1).mean()}

    assert_splits(body)


def test_a_table_along_the_images_rows_multiplied_in_place_declines() -> None:
    """Near miss: a table with one number per row (maybe the weights): as before, declined."""
    def body(pred, data):
        term = F.logsigmoid(pred[..., 0]) * data["target"]
        term *= ROWS_TABLES[len(pred)]
        return {"loss": -term.sum(1).mean()}

    got, want, said = outcome(body, 0, *BATCHES[0])
    assert got == {}, (got, said)


def test_a_table_made_in_the_call_multiplied_in_place_declines() -> None:
    """Near miss: a table made in the call from a value read from the images (their mean)."""
    def body(pred, data):
        term = F.logsigmoid(pred[..., 0]) * data["target"]
        term *= torch.tensor([data["target"].mean().item()] * T)
        return {"loss": -term.sum(1).mean()}

    got, want, said = outcome(body, 0, *BATCHES[0])
    assert got == {}, (got, said)


# -- values divided by an int equal to the number of images ----------------------------------------

def test_values_over_the_size_of_another_dim_equal_to_the_images_decline() -> None:
    """Survey 37 on main: pytorch-forecasting's ``mask_losses`` divides ``[B, T, Q]`` losses by
    ``losses.size(-1)``; with 3 quantiles and 3 images the quotient's sum was split as the values'
    sum over each group's count of images (silently WRONG: 3x and 1.5x the oracle). Declined now;
    with another number of images it splits."""
    def body(pred, data):
        losses = (data["target"][..., None] - pred).abs()
        mask = torch.arange(losses.size(1))[None] >= data["lengths"][:, None]
        losses = losses.masked_fill(mask[..., None], 0.0) / losses.size(-1)
        return {"loss": losses.sum() / data["lengths"].sum()}

    got, want, said = outcome(body, 0, ["a", "b", "b"], [5, 3, 4], q=3)
    assert got == {}, (got, want)
    assert any("by an int equal to the number of images" in m for m in said), said
    got, want, said = outcome(body, 0, ["a", "b", "b", "a"], [5, 3, 4, 5], q=3)
    assert set(got) == set(want) and got == pytest.approx(want, rel=1e-5), said


def test_values_over_the_number_of_images_still_split() -> None:
    """``(e / len(targets)).sum()`` at one row per image: the values' sum over each group's count."""
    def body(pred, data):
        err = (pred[..., 0] - data["target"]).abs().sum(1)
        return {"loss": (err / len(data["lengths"])).sum()}

    assert_splits(body)
