"""Answers kept within one decorated call (issue #15): asked again for the same object, unchanged
since, they are the answers a fresh reading gives; an object written in between is read again."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import PER_IMAGE, ROWS, TARGETS, Share, split_outcome, wrong_companions
from seed_criterion import make_batch


def _picked_twice(write_between: bool):
    """The seed's matched rows picked twice by the same ``batch_idx`` (a class metric of the logits
    without grad, then the boxes); with ``write_between``, image 1's entries of the index renamed
    image 0 before the second pick (on a group alone those positions are other images)."""

    def body(outputs, targets, indices, num_boxes):
        batch_idx = torch.cat([torch.full_like(src, i) for i, (src, _) in enumerate(indices)])
        src_idx = torch.cat([src for (src, _) in indices])
        labels = torch.cat([t["rel_labels"][J] for t, (_, J) in zip(targets, indices)])
        ce = F.cross_entropy(outputs["pred_rel_logits"].detach()[batch_idx, src_idx], labels)
        if write_between:
            batch_idx[batch_idx == 1] = 0
        boxes = torch.cat([t["rel_boxes"][J] for t, (_, J) in zip(targets, indices)])
        loss_bbox = F.l1_loss(outputs["pred_rel_boxes"][batch_idx, src_idx], boxes, reduction="sum") / num_boxes
        return {"loss_bbox": loss_bbox, "ce": ce}

    return body


BATCHES = [  # (images' rows, weights): rows per image differ; counts that coincide by value
    ([3, 2, 4], [1.0, 0.5, 1.0]),
    ([2, 2, 2, 2], [0.5, 1.0, 1.0, 0.5]),
    ([4, 1], [1.0, 0.5]),
    ([1, 3, 1, 3], [1.0, 1.0, 0.5, 0.5]),
]


@pytest.mark.parametrize(("rows", "weights"), BATCHES)
def test_an_index_picking_twice_unchanged_splits_exactly(rows, weights):
    batch = make_batch(rows_per_image=rows, weights=weights, num_queries=6, generator=torch.Generator().manual_seed(sum(rows)))
    got, want, said = split_outcome(_picked_twice(False), list(batch), [ROWS, TARGETS, PER_IMAGE, Share(rows)])
    assert {"ce_real", "loss_bbox_real"} <= set(got), got
    assert got and set(got) == set(want), said
    assert not wrong_companions(got, want)


@pytest.mark.parametrize(("rows", "weights"), BATCHES)
def test_an_index_written_between_two_picks_declines(rows, weights):
    """The second pick misses image 1 (its entries now name image 0): the check of that pick is
    made again, not taken from the first pick of the same index."""
    batch = make_batch(rows_per_image=rows, weights=weights, num_queries=6, generator=torch.Generator().manual_seed(sum(rows)))
    got, want, said = split_outcome(_picked_twice(True), list(batch), [ROWS, TARGETS, PER_IMAGE, Share(rows)])
    assert got == {}, (got, want)
    assert any("misses an image" in m for m in said), said


def test_the_caller_of_an_op_is_the_frame_a_walk_from_the_rule_gives(monkeypatch):
    """While an op is captured, ``_bytecode._caller`` starts its walk at the frame that called the
    op (``Frame.op_caller``) instead of at the asking rule: on the seed's call (its helpers
    ``corners`` and ``pairwise_giou``, its comprehensions, its divisions) every ask gives the frame
    a walk up from the rule gives, and some asks were made during ops."""
    import sys

    from seed_criterion import RelationCriterion

    from losssplit import split_by_source
    from losssplit._capture import _bytecode

    kept, asks = _bytecode._caller, []

    def both(checked=True):
        got = kept(checked)
        capture = _bytecode.CAPTURE.get()
        during = capture is not None and capture.op_caller is not None
        asks.append((got, _bytecode._walk_out(sys._getframe(1)), during))
        return got

    monkeypatch.setattr(_bytecode, "_caller", both)

    class Decorated(RelationCriterion):
        get_relation_loss = split_by_source(RelationCriterion.get_relation_loss)

    for rows, weights in BATCHES:
        out = Decorated().get_relation_loss(*make_batch(rows_per_image=rows, weights=weights, num_queries=6))
        assert "loss_relation_real" in out
    assert sum(during for _, _, during in asks) > 20
    assert all(got is plain for got, plain, _ in asks)
