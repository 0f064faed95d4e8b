"""Row maps whose values the host knows in order (``Frame.known_runs``): DETR's matched rows, the
predictions picked by ``torch.cat([torch.full_like(src, b) ...])`` and the targets' rows joined by
``torch.cat``, hold the same images in the same order, so the ops that pair them (cross entropy,
L1) make no check (none read, none scoped, no later op carrying its bit). Where the orders differ,
or the batch index is written after it was made, the check stays and declines."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import count_outcomes

from losssplit._capture.mode import Frame

PAIRED = "rows of different images were paired at"


def _matched(o, t, order, write=""):
    idx = [torch.arange(len(s["labels"])) % 3 for s in t]  # each instance's query
    batch = torch.cat([torch.full_like(idx[b], b) for b in order(len(t))])
    src = torch.cat([idx[b] for b in order(len(t))])
    if write:
        (batch.data if write == "data" else batch)[:] = batch.flip(0).clone()
    picked = o["x"][batch, src]
    labels = torch.cat([s["labels"] for s in t])
    boxes = torch.cat([s["y"][i] for s, i in zip(t, idx)])
    ce = F.cross_entropy(picked, labels, reduction="none")
    l1 = F.l1_loss(picked.sigmoid(), boxes, reduction="none").sum(1)
    return {"loss_ce": ce.mean(), "loss_l1": l1.sum() / len(labels)}


def forward(o, t):
    return _matched(o, t, lambda n: range(n))


def backward(o, t):
    """The predictions picked image by image from the last: rows paired with another image's targets."""
    return _matched(o, t, lambda n: range(n - 1, -1, -1))


def rewritten(o, t):
    """The batch index made in order, then reversed in place before it picks."""
    return _matched(o, t, lambda n: range(n), write="index")


def rewritten_data(o, t):
    """The same written through ``.data`` (which keeps its own version counter)."""
    return _matched(o, t, lambda n: range(n), write="data")


@pytest.fixture
def paired_checks(monkeypatch):
    made: list[str] = []
    doubt = Frame.doubt

    def spy(self, flag, message, scoped=False):
        made.append(message)
        return doubt(self, flag, message, scoped)

    monkeypatch.setattr(Frame, "doubt", spy)
    return made


def test_matched_rows_known_in_order_make_no_check(paired_checks):
    seen, said = count_outcomes(forward)
    assert seen == ["exact"] * len(seen), (seen, said)
    assert not said, said
    assert not [m for m in paired_checks if PAIRED in m], paired_checks


@pytest.mark.parametrize("body", [backward, rewritten, rewritten_data])
def test_rows_in_another_order_decline(body, paired_checks):
    seen, said = count_outcomes(body)
    assert "wrong" not in seen, seen
    assert "declined" in seen, (seen, said)
    assert any(PAIRED in m for m in paired_checks), paired_checks


def _firsts(o, t, order):
    batch = torch.cat([torch.full_like(t[b]["labels"][:1], b) for b in order(len(t))])
    return {"loss": (o["x"][batch, 0] - o["x"][:, 1]).abs().mean()}


def firsts(o, t):
    """One row per image picked in image order beside the batch-first rows (the call's image index)."""
    return _firsts(o, t, lambda n: range(n))


def firsts_backward(o, t):
    return _firsts(o, t, lambda n: range(n - 1, -1, -1))


def test_one_row_per_image_in_order_is_the_image_index(paired_checks):
    seen, said = count_outcomes(firsts)
    assert seen == ["exact"] * len(seen), (seen, said)
    assert not [m for m in paired_checks if PAIRED in m], paired_checks
    seen, said = count_outcomes(firsts_backward)  # (declined by the picks' own rule, before any pairing)
    assert "wrong" not in seen and "declined" in seen, (seen, said)
