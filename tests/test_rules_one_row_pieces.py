"""A cut by position whose last piece holds one row (survey 39: a chunked cross entropy, the shifted
tokens of 3 sequences, 21 rows, cut into chunks of 5). Every piece summed once with the same
factors counts each row once whatever piece holds it, so the key splits by rows as the batch's
sum would; on main at 32a9c3d the piece of one row was no batch term of the sum (a sum of one row
is one image's value), the cut was seen partly held and the call declined. Now a piece of one row
added to a sum is one of its batch terms: the forms a chunked loss takes split (``total = total +``,
``+=`` on a tensor, ``sum`` of a generator, ``chunk``), and near misses keep declining: the last piece
added again, scaled, or every piece's own mean (a piece of one row alone is another piece on a group
alone). Two of them were silently WRONG on main: the piece of one row added to (or subtracted from)
a sum of other rows, ``(x ** 2).sum() + (h.split(5)[-1] ** 2).sum()``, was that image's value, while
on a group alone the last piece holds the group's last row (no check saw the cut held at all). Each
body is compared with the oracle (the body run on each group's images alone)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import Along, split_outcome, wrong_companions

LABELS = (["a", "a", "b"], ["a", "b", "b"], ["a", "b", "a"], ["b", "a", "b", "a"], ["a", "b", "c"])
"""3 sequences (21 shifted tokens: a last piece of one row), 4 (28: of three rows)."""


def _batch(labels: list[str]) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(len(labels) + 7)
    b = len(labels)
    x = torch.randn(b, 8, 4, generator=g).requires_grad_()
    y = torch.randint(0, 4, (b, 8), generator=g)
    y[0, 1] = -100
    return [x, y]


def _tokens(x, y):
    return x[:, :-1].reshape(-1, 4), y[:, 1:].reshape(-1)


def chunked_ce(x, y):
    h, t = _tokens(x, y)
    total = 0.0
    for hc, tc in zip(h.split(5), t.split(5)):
        total = total + F.cross_entropy(hc, tc, ignore_index=-100, reduction="sum")
    return {"loss": total / (t != -100).sum()}


def chunked_ce_in_place(x, y):
    h, t = _tokens(x, y)
    total = torch.zeros(())
    for hc, tc in zip(h.split(5), t.split(5)):
        total += F.cross_entropy(hc, tc, ignore_index=-100, reduction="sum")
    return {"loss": total / (t != -100).sum()}


def summed_generator(x, y):
    h, _ = _tokens(x, y)
    return {"loss": sum((c ** 2).sum() for c in h.split(5))}


def chunks_of_two(x, y):
    h, _ = _tokens(x, y)
    total = 0
    for c in h.chunk(11):
        total = total + (c ** 2).sum()
    return {"loss": total / h.shape[0]}


def last_piece_again(x, y):
    h, _ = _tokens(x, y)
    pieces = h.split(5)
    total = 0.0
    for c in pieces:
        total = total + (c ** 2).sum()
    return {"loss": total + (pieces[-1] ** 2).sum()}


def last_piece_scaled(x, y):
    h, _ = _tokens(x, y)
    pieces = h.split(5)
    total = 0.0
    for c in pieces[:-1]:
        total = total + (c ** 2).sum()
    return {"loss": total + (pieces[-1] ** 2).sum() * 3}


def piece_means(x, y):
    h, _ = _tokens(x, y)
    total = 0.0
    for c in h.split(5):
        total = total + (c ** 2).mean()
    return {"loss": total}


def last_piece_first(x, y):
    h, _ = _tokens(x, y)
    pieces = h.split(5)
    total = (pieces[-1] ** 2).sum()
    for c in pieces[:-1]:
        total = total + (c ** 2).sum()
    return {"loss": total}


def other_sum_plus_last_piece(x, y):
    h, _ = _tokens(x, y)
    return {"loss": (x ** 2).sum() + (h.split(5)[-1] ** 2).sum()}


def other_sum_less_last_piece(x, y):
    h, _ = _tokens(x, y)
    pieces = h.split(5)
    return {"loss": (x ** 2).sum() - (pieces[-1] ** 2).sum()}


def _outcome(body, labels):
    return split_outcome(body, _batch(labels), [Along(0), Along(0)], labels)


@pytest.mark.parametrize("labels", LABELS)
@pytest.mark.parametrize("body", [chunked_ce, chunked_ce_in_place, summed_generator, chunks_of_two, last_piece_first])
def test_every_piece_summed_once_splits_as_the_oracle(body, labels):
    got, want, said = _outcome(body, labels)
    assert set(got) == set(want), said
    assert not wrong_companions(got, want)


@pytest.mark.parametrize("labels", [lb for lb in LABELS if len(lb) == 3])
@pytest.mark.parametrize("body", [last_piece_again, last_piece_scaled, piece_means, other_sum_plus_last_piece,
                                  other_sum_less_last_piece])
def test_a_piece_of_one_row_held_otherwise_declines(body, labels):
    got, want, said = _outcome(body, labels)
    assert got == {}, (got, want)
    assert any("by position of rows" in m for m in said), said
