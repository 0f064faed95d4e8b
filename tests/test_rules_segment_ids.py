"""Segment ids over the images' flattened rows (survey 53's packed documents): ``cumsum`` of
non-negative data of the rows, flattened, where each image's first element starts a segment (a
position id reset at each row's start), numbers segments that each hold elements of one image --
on a group alone the same segments, numbered from the group's first. ``torch.zeros(n).scatter_add(0,
ids, x)`` (or ``index_add``) of the same elements is then one segment per position, of its image:
each document's mean loss, averaged over the documents, splits. An image whose first element starts
no segment (a document running on from the previous row), negative data, a buffer with positions no
segment writes and a source of other elements than the ids' decline."""

from __future__ import annotations

import functools

import torch
import torch.nn.functional as F
from _helpers import Along, split_outcome
from library_syncs import count_library_syncs

T, V = 7, 5

BATCHES = [  # sources per row: three groups, two with a group absent, one row
    ["a", "b", "a", "c"], ["b", "b", "c"], ["a", "c"], ["c"],
]


def packed(seed: int, labels: list[str], first: int = 0) -> tuple[list, list, list]:
    """Logits [B, T, V] (requires grad), labels [B, T] and position ids resetting at 2 or 3
    documents per row (``first``: the first row's first position id, 0 a reset)."""
    g = torch.Generator().manual_seed(seed)
    b = len(labels)
    pos = torch.stack([torch.cat([torch.arange(2 + (r + seed) % 3), torch.arange(T - 2 - (r + seed) % 3)])
                       for r in range(b)])
    pos[0, 0] = first
    return ([torch.randn(b, T, V, generator=g).requires_grad_(), torch.randint(0, V, (b, T), generator=g), pos],
            [Along(0)] * 3, labels)


def _tokens(logits, labels, position_ids):
    labels = labels[:, 1:].masked_fill(position_ids[:, 1:] == 0, -100)
    ce = F.cross_entropy(logits[:, :-1].reshape(-1, V), labels.reshape(-1), ignore_index=-100, reduction="none")
    return ce, (labels.reshape(-1) != -100).float()


def document_means(logits, labels, position_ids):
    """Each document's mean token loss (``scatter_add`` of the losses and counts at ids ``cumsum``
    of the resets minus 1, ``int(ids.max()) + 1`` documents), averaged over the documents counted."""
    ce, counted = _tokens(logits, labels, position_ids)
    doc = torch.cumsum((position_ids[:, :-1] == 0).reshape(-1).long(), 0) - 1
    n = int(doc.max()) + 1
    sums = torch.zeros(n).scatter_add(0, doc, ce)
    counts = torch.zeros(n).scatter_add(0, doc, counted)
    kept = counts > 0
    return {"loss": (sums[kept] / counts[kept]).mean()}


def document_sums_by_index_add(logits, labels, position_ids):
    """The documents' sums by ``index_add`` at ids of a boolean ``cumsum`` shifted twice, their
    total over the counted tokens'."""
    ce, counted = _tokens(logits, labels, position_ids)
    doc = (position_ids[:, :-1] == 0).reshape(-1).cumsum(0) + 0 - 1
    n = int(doc.max().item()) + 1
    sums = torch.zeros(n).index_add(0, doc, ce)
    counts = torch.zeros(n).index_add(0, doc, counted)
    return {"loss": sums.sum() / counts.sum()}


def test_documents_of_packed_rows_split():
    for body in (document_means, document_sums_by_index_add):
        for seed, labels in enumerate(BATCHES):
            got, want, said = split_outcome(body, *packed(seed, labels))
            assert got and set(got) == set(want) and not said, (seed, said)
            for k in want:
                assert abs(got[k] - want[k]) <= 1e-5 * abs(want[k]) + 1e-6, (seed, k, got[k], want[k])


def test_a_document_running_on_from_the_previous_row_declines():
    """Row 0 starts without a reset (position id 3): its first tokens are of no segment of its own
    on a group alone (the ids start at -1 there), and on the batch other rows' ids count them."""
    for seed, labels in enumerate(BATCHES[:2]):

        def body(logits, labels, position_ids):
            ce, _ = _tokens(logits, labels, position_ids)
            doc = torch.cumsum((position_ids[:, :-1] == 0).reshape(-1).long(), 0)
            return {"loss": torch.zeros(int(doc.max()) + 1).scatter_add(0, doc, ce).mean()}

        got, want, said = split_outcome(body, *packed(seed, labels, first=3))
        assert got == {} and want and any("name elements of several images" in m for m in said), said


def test_negative_data_a_buffer_with_unwritten_positions_and_other_elements_decline():
    def negative(logits, labels, position_ids):
        ce, _ = _tokens(logits, labels, position_ids)
        step = (position_ids[:, :-1] == 0).reshape(-1).long() * 3 - 1  # -1 within documents
        doc = torch.cumsum(step, 0) - int(torch.cumsum(step, 0).min())
        return {"loss": torch.zeros(int(doc.max()) + 1).scatter_add(0, doc, ce).mean()}

    def wider(logits, labels, position_ids):
        ce, _ = _tokens(logits, labels, position_ids)
        doc = torch.cumsum((position_ids[:, :-1] == 0).reshape(-1).long(), 0) - 1
        return {"loss": torch.zeros(int(doc.max()) + 2).scatter_add(0, doc, ce).mean()}

    def other_elements(logits, labels, position_ids):
        ce, _ = _tokens(logits, labels, position_ids)
        doc = torch.cumsum((position_ids[:, :-1] == 0).reshape(-1).long(), 0) - 1
        reversed_ = ce[torch.arange(ce.shape[0] - 1, -1, -1)]  # the elements in reverse: rows of other images
        return {"loss": torch.zeros(int(doc.max()) + 1).scatter_add(0, doc, reversed_).mean()}

    for body, message in ((negative, "name elements of several images"), (wider, "positions that no segment writes"),
                          (other_elements, "rows of different images were paired")):
        got, want, said = split_outcome(body, *packed(0, BATCHES[0]))
        assert got == {} and want and any(message in m for m in said), (body.__name__, said)


def test_segment_ids_as_values_stay_lost():
    """The ids themselves in arithmetic (a document's rank as a weight): values that count other
    images' documents, declined as before."""

    def body(logits, labels, position_ids):
        ce, _ = _tokens(logits, labels, position_ids)
        doc = torch.cumsum((position_ids[:, :-1] == 0).reshape(-1).long(), 0) - 1
        return {"loss": (ce * doc).mean()}

    got, want, said = split_outcome(body, *packed(0, BATCHES[0]))
    assert got == {} and want and any("cumsum" in m for m in said), said


def test_segments_are_followed_with_one_sync_per_call():
    """The checks of the segments (ids of one image each, every position written) are read with the
    call's one read."""
    calls, _ = count_library_syncs(functools.partial(split_outcome, document_means, *packed(0, BATCHES[0])))
    assert calls and all(c.count <= 1 for c in calls), [dict(c.library) for c in calls]
