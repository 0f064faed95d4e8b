"""The image column of a table joined per image from fills of the loop's position (YOLOv5-style,
``Frame.position_columns``) picked otherwise than by ``table[:, 0]`` (session 35, helper pc; rt35's
``POSITION_WERE_WRONG`` in ``tests/test_red_team35.py``): through a transpose (``table.T[0]``,
``transpose``, ``permute``, ``mT``, unpacked rows), ``unbind``, ``split`` / ``chunk`` /
``tensor_split``, ``select``, ``narrow``, a list of columns, ``index_select``, ``table[..., 0]``,
it is still the images' positions: as a factor of their values it declines naming the key and the
op (was silently WRONG: the batch's positions on every group), as do a reduction of it or a product
of matrices taking it in (``table[:, :2].sum(1)``, ``table @ w``: WRONG on 0b1e64a); a tensor of no images read at it
(``decay[b]``, ``index_select``, ``take``) is each image's value by its position and declines as a
factor too. A zeros column made once beside the joined targets, as the index of the images, names
image 0 for every row and declines (pinA's pin). Near misses: the targets' columns picked the same
ways, a table of class weights read at the class column, and YOLOv5's ``b, c = t[:, :2].long().T``
split exactly."""

from __future__ import annotations

import pytest
import torch
from _helpers import split_outcome, wrong_companions
from test_position_fills import SOURCES, _batch


def _table(targets):
    return torch.cat([torch.cat([torch.full((len(t), 1), float(i)), t], 1) for i, t in enumerate(targets)])


def _error(p, table):
    b = table[:, 0].long()
    return (p[b, (table[:, 3] * 8).long(), (table[:, 2] * 8).long()][:, 1] - table[:, 2]).abs()


def _scaled(pick):
    def body(p, targets):
        table = _table(targets)
        return {"loss": (_error(p, table) * (1 + pick(table))).sum()}
    return body


DECAY = torch.tensor([1.0, 0.8, 0.6, 0.4, 0.2])

POSITION_PICKS = {  # the image column, as a factor: declines
    "transpose": lambda t: t.transpose(0, 1)[0],
    "transpose_negative_dims": lambda t: t.transpose(-1, -2)[0],
    "permute": lambda t: t.permute(1, 0)[0],
    "matrix_transpose": lambda t: t.mT[0],
    "t": lambda t: t.t()[0, :],
    "unpacked_rows": lambda t: next(iter(t.T)),
    "unbind_keyword": lambda t: torch.unbind(t, dim=1)[0],
    "chunk": lambda t: t.chunk(6, 1)[0].squeeze(1),
    "tensor_split": lambda t: t.tensor_split([1], 1)[0][:, 0],
    "torch_split": lambda t: torch.split(t, 1, 1)[0].flatten(),
    "narrow": lambda t: t.narrow(1, 0, 1).squeeze(1),
    "select_negative": lambda t: t.select(1, -6),
    "list_of_two": lambda t: t[:, [0, 4]].sum(1),
    "ellipsis": lambda t: t[..., 0],
    "columns_then_transpose": lambda t: t[:, :3].T[0],
    "decay_index_select": lambda t: DECAY.index_select(0, t[:, 0].long()),
    "decay_take": lambda t: torch.take(DECAY, t.T[0].long()),
    "decay_by_a_tuple": lambda t: DECAY[None].expand(2, 5)[t[:, 1].long() % 2, t[:, 0].long()],
    # reduced or multiplied with other columns: the positions mixed in (WRONG on 0b1e64a too)
    "sum_of_a_slice": lambda t: t[:, :2].sum(1),
    "sum_of_the_column": lambda t: t[:, 0].sum(),
    "sum_of_the_table": lambda t: t.sum(),
    "mean_of_a_slice": lambda t: t[:, :2].mean(1),
    "max_of_a_slice": lambda t: t[:, :2].max(1)[0],
    "amax_of_the_column": lambda t: t[:, 0].amax(),
    "cumsum_of_the_column": lambda t: t[:, 0].cumsum(0),
    "matmul": lambda t: t @ torch.tensor([1.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
}
TARGETS_PICKS = {  # a targets' column the same ways, as a factor: exact
    "transpose": lambda t: t.transpose(0, 1)[4],
    "permute": lambda t: t.permute(1, 0)[5],
    "matrix_transpose": lambda t: t.mT[4],
    "unbind": lambda t: t.unbind(1)[4],
    "split": lambda t: t.split([4, 2], 1)[1][:, 0],
    "chunk": lambda t: t.chunk(3, 1)[2][:, 1],
    "narrow": lambda t: t.narrow(1, 4, 1).squeeze(1),
    "select": lambda t: t.select(1, 4),
    "list": lambda t: t[:, [4]].squeeze(1),
    "ellipsis": lambda t: t[..., 5],
    "class_weights": lambda t: DECAY[t[:, 1].long()],
    "class_weights_of_a_transpose": lambda t: DECAY.index_select(0, t.T[1].long()),
    "sum_of_the_targets_columns": lambda t: t[:, 2:].sum(1),
    "amax_of_the_targets_columns": lambda t: t[:, 4:].amax(1),
}


def _outcomes(body):
    return [split_outcome(body, *_batch(seed)) for seed in range(len(SOURCES))]


@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad=True to a scalar")
@pytest.mark.parametrize("name", sorted(POSITION_PICKS))
def test_the_image_column_picked_otherwise_as_a_factor_declines(name):
    for got, want, said in _outcomes(_scaled(POSITION_PICKS[name])):
        assert want and not got, (got, want)
        assert any("key 'loss'" in m and "of an image's position" in m for m in said), said


@pytest.mark.parametrize("name", sorted(TARGETS_PICKS))
def test_a_targets_column_picked_the_same_way_splits(name):
    for got, want, said in _outcomes(_scaled(TARGETS_PICKS[name])):
        assert got and set(got) == set(want) and not said, said
        assert not wrong_companions(got, want), (got, want)


def yolov5_index_split(p, targets):
    table = _table(targets)
    b, c = table[:, :2].long().T
    cells = p[b, (table[:, 3] * 8).long(), (table[:, 2] * 8).long()]
    return {"loss": (cells[:, 1] - table[:, 2]).abs().mean() + (cells[:, 0] - c).abs().mean()}


def indexed_by_the_transposed_tables_rows(p, targets):
    rows = _table(targets).T
    return {"loss": (p[rows[0].long(), (rows[3] * 8).long(), (rows[2] * 8).long()][:, 1] - rows[2]).abs().mean()}


def indexed_by_split_parts(p, targets):
    image, rest = _table(targets).split([1, 5], 1)
    return {"loss": (p[image[:, 0].long(), (rest[:, 2] * 8).long(), (rest[:, 1] * 8).long()][:, 1]
                     - rest[:, 1]).abs().mean()}


@pytest.mark.parametrize("body", [yolov5_index_split, indexed_by_the_transposed_tables_rows, indexed_by_split_parts],
                         ids=lambda b: b.__name__)
def test_the_image_column_picked_otherwise_as_the_index_splits(body):
    for got, want, said in _outcomes(body):
        assert got and set(got) == set(want) and not said, said
        assert not wrong_companions(got, want), (got, want)


# -- a zeros column made once beside the joined targets (pinA's pin) ---------------------------------

def _zeros_table(targets, make=lambda n: torch.zeros(n, 1)):
    joined = torch.cat(list(targets))
    return torch.cat([make(len(joined)), joined], 1)


def _indexed(table, p):
    return (p[table[:, 0].long(), (table[:, 3] * 8).long(), (table[:, 2] * 8).long()][:, 1:] - table[:, 2:]).abs().mean()


def indexed_by_a_zeros_column(p, targets):
    return {"loss": _indexed(_zeros_table(targets), p)}


def indexed_by_a_new_ones_column_less_one(p, targets):
    table = _zeros_table(targets, lambda n: targets[0].new_ones(n, 1))
    return {"loss": _indexed(torch.cat([table[:, :1] - 1, table[:, 1:]], 1), p)}


def indexed_by_a_zeros_column_of_each_image(p, targets):
    table = torch.cat([torch.cat([torch.zeros(len(t), 1), t], 1) for t in targets])
    return {"loss": _indexed(table, p)}


@pytest.mark.parametrize("body", [indexed_by_a_zeros_column, indexed_by_a_new_ones_column_less_one,
                                  indexed_by_a_zeros_column_of_each_image], ids=lambda b: b.__name__)
def test_a_zeros_column_as_the_index_of_the_images_declines(body):
    for got, want, said in _outcomes(body):
        assert want and not got, (got, want)
        assert any("key 'loss'" in m and "Tensor.__getitem__ picking the images by a fill of a number" in m
                   for m in said), said


def indexed_by_a_zeros_column_written_with_the_positions(p, targets):
    joined = torch.cat(list(targets))
    column = torch.zeros(len(joined), 1)
    start = 0
    for i, t in enumerate(targets):
        column[start:start + len(t)] = i
        start += len(t)
    return {"loss": _indexed(torch.cat([column, joined], 1), p)}


@pytest.mark.parametrize("body", [indexed_by_a_zeros_column_written_with_the_positions], ids=lambda b: b.__name__)
def test_a_zeros_column_written_over_is_never_wrong(body):
    for got, want, said in _outcomes(body):
        assert not wrong_companions(got, want), (got, want, said)


def largest_of_the_error_and_the_image_column(p, targets):
    table = _table(targets)
    return {"loss": torch.max(_error(p, table), table[:, 0]).sum()}


def largest_of_the_error_and_a_targets_column(p, targets):
    table = _table(targets)
    return {"loss": torch.max(_error(p, table), table[:, 4]).sum()}


def test_an_elementwise_max_with_the_image_column_declines():
    """``torch.max(e, b)`` (a ``_POSITION_MIXES`` op given the images' values): was WRONG on 0b1e64a."""
    for got, want, said in _outcomes(largest_of_the_error_and_the_image_column):
        assert want and not got, (got, want)
        assert any("key 'loss'" in m and "at torch.max of an image's position" in m for m in said), said
    for got, want, said in _outcomes(largest_of_the_error_and_a_targets_column):
        assert got and set(got) == set(want) and not said and not wrong_companions(got, want), said
