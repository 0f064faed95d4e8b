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
