"""Graphs collated into one disjoint graph (PyG's ``Batch.from_data_list``): node ids as positions of
image rows (survey 60's BGRL and InfoGraph*'s supervised term, issue #13; ``losssplit._capture.node_ids``).

Each image is a graph (node features, ``edge_index`` of local ids); the body stacks the nodes, adds
to each graph's edges the nodes before it (``cumsum`` of the counts) and sums messages along the edges
by ``index_add_`` (a GCN with self loops ``torch.arange(n)``, its degrees into ``torch.zeros(n)``),
pooling each graph by ``index_add_`` at its ``batch`` vector. Each companion equals the oracle (the
body run on the group's graphs alone). Near misses decline, each with a warning: an offset wrong by
one for one graph (an edge into the next graph), one wrong by one that stays within its own graph (its
last node isolated: only the offset check sees it), offsets computed from another graph's count, the
targets of the edges shuffled across graphs, random edges, edges computed from the data's values, the
batch's first edges only, self loops over every node but the batch's last."""

from __future__ import annotations

import pytest
import torch
from _helpers import PER_IMAGE, split_outcome, wrong_companions

LABELS = [1.0, 0.5, 1.0, 0.5]  # two groups, interleaved


def graphs(isolated: bool = False) -> list[dict]:
    """Four paths of 3 to 5 nodes (both directions); ``isolated``: each graph's last node has no edge."""
    g = torch.Generator().manual_seed(7)
    out = []
    for r, n in enumerate((4, 5, 3, 5)):
        m = n - 1 if isolated else n
        src = torch.arange(m - 1)
        edge = torch.cat([torch.stack([src, src + 1]), torch.stack([src + 1, src])], 1)
        out.append({"x": torch.randn(n, 3, generator=g), "edge_index": edge, "y": torch.randn(1, generator=g) + r})
    return out


W1 = torch.nn.Linear(3, 4)
W2 = torch.nn.Linear(4, 1)


def offsets_of(counts: torch.Tensor) -> torch.Tensor:
    return torch.cumsum(counts, 0) - counts


def collate(gs, offsets=offsets_of):
    counts = torch.tensor([len(gr["x"]) for gr in gs])
    x = torch.cat([gr["x"] for gr in gs])
    edge = torch.cat([gr["edge_index"] + off for gr, off in zip(gs, offsets(counts))], 1)
    return x, edge, torch.repeat_interleave(torch.arange(len(gs)), counts)


def gcn(x, edge):
    n = len(x)
    loops = torch.arange(n)
    src, dst = torch.cat([edge[0], loops]), torch.cat([edge[1], loops])
    deg = torch.zeros(n).index_add_(0, dst, torch.ones(len(dst)))
    norm = deg[src].rsqrt() * deg[dst].rsqrt()
    h = W1(x)
    return torch.zeros_like(h).index_add_(0, dst, h[src] * norm[:, None])


def node_loss(x, edge):
    return {"loss_node": gcn(x, edge).pow(2).sum(-1).mean()}


def gcn_nodes(gs):
    """A GCN layer with self loops, each node's squared norm, a mean over the batch's nodes."""
    x, edge, _ = collate(gs)
    return node_loss(x, edge)


def pooled(gs, offsets=offsets_of):
    """Sum aggregation along the edges (no self loops), each graph's nodes summed at its ``batch``
    id, a regression MSE per graph."""
    x, edge, batch = collate(gs, offsets)
    h = torch.relu(W1(x.index_add(0, edge[1], x[edge[0]])))
    g = torch.zeros(int(batch.max()) + 1, h.size(1)).index_add_(0, batch, h)
    return {"loss_graph": torch.nn.functional.mse_loss(W2(g).squeeze(-1), torch.cat([gr["y"] for gr in gs]))}


def pairs_of_objects(gs, past=None):
    """Neural Motifs' way: each graph's edges plus a Python offset summed over the loop, each edge's
    endpoints' features gathered from the concatenation, a mean over the edges of their products.
    ``past``: one more where the offset exceeds it (the graphs after the first few shifted by one)."""
    x = torch.cat([gr["x"] for gr in gs])
    pairs, offset = [], 0
    for gr in gs:
        pairs.append(gr["edge_index"].T + offset + int(past is not None and offset > past))
        offset += len(gr["x"])
    pairs = torch.cat(pairs)
    h = W1(x)
    return {"loss_pair": (h[pairs[:, 0]] * h[pairs[:, 1]]).sum(-1).sigmoid().mean()}


def pairs_one_off(gs):
    return pairs_of_objects(gs, past=3)


def test_python_offsets_summed_over_the_loop_split_as_the_oracle():
    got, want, said = outcome(pairs_of_objects, isolated=True)
    assert not wrong_companions(got, want)
    assert set(got) == set(want) and len(want) == 2, said


def test_python_offsets_one_off_within_the_graph_decline():
    """The ids of the graphs after the first few shifted by one, within their graph (its last node
    isolated): on a group alone other graphs are shifted (WRONG without the offset check)."""
    got, want, said = outcome(pairs_one_off, isolated=True)
    assert len(want) == 2 and not got, got
    assert any("offset otherwise than by their image's first row" in m for m in said), said


def outcome(body, isolated=False):
    return split_outcome(body, [graphs(isolated)], [PER_IMAGE], LABELS)


@pytest.mark.parametrize("body", [gcn_nodes, pooled])
def test_messages_along_collated_edges_split_as_the_oracle(body):
    got, want, said = outcome(body)
    assert not wrong_companions(got, want)
    assert set(got) == set(want) and len(want) == 2, said


def test_isolated_nodes_with_self_loops_split_as_the_oracle():
    got, want, said = outcome(gcn_nodes, isolated=True)
    assert not wrong_companions(got, want)
    assert set(got) == set(want), said


def _second_one_off(counts: torch.Tensor) -> torch.Tensor:
    return offsets_of(counts) + (torch.arange(len(counts)) == 1)


def one_off_into_the_next_graph(gs):
    """The first graph's ids shifted by one: its last node's edges reach the next graph's first."""
    x, edge, _ = collate(gs, lambda c: offsets_of(c) + (torch.arange(len(c)) == 0))
    return node_loss(x, edge)


def one_off_within_its_graph(gs):
    """The second graph's ids shifted by one; its last node isolated, every edge stays in its graph."""
    x, edge, _ = collate(gs, _second_one_off)
    return node_loss(x, edge)


def offsets_of_the_first_count(gs):
    """Every graph taken as large as the first (``i * counts[0]``)."""
    x, edge, _ = collate(gs, lambda c: torch.arange(len(c)) * c[0])
    return node_loss(x, edge)


def targets_shuffled(gs):
    """The edges' targets reversed, their sources not: edges between graphs."""
    x, edge, _ = collate(gs)
    reverse = torch.arange(edge.shape[1] - 1, -1, -1)
    return node_loss(x, torch.cat([edge[:1], edge[1:, reverse]]))


def random_edges(gs):
    x, edge, _ = collate(gs)
    return node_loss(x, torch.randint(0, len(x), edge.shape, generator=torch.Generator().manual_seed(5)))


def edges_from_values(gs):
    """Each node linked to the node of the next larger first feature, over the whole batch."""
    x, _, _ = collate(gs)
    order = x[:, 0].argsort()
    return node_loss(x, torch.stack([order[:-1], order[1:]]))


def first_edges_only(gs):
    """The batch's first 8 edges (on a group alone the group's first 8)."""
    x, edge, _ = collate(gs)
    return node_loss(x, torch.cat([edge[:, :8]]))


def loops_on_all_but_the_last(gs):
    """Self loops ``torch.arange(n - 1)``: the last node of the batch without one (on a group alone the
    group's last node)."""
    x, edge, _ = collate(gs)
    n = len(x)
    loops = torch.arange(n - 1)
    src, dst = torch.cat([edge[0], loops]), torch.cat([edge[1], loops])
    h = W1(x)
    return {"loss_node": torch.zeros_like(h).index_add_(0, dst, h[src]).pow(2).sum(-1).mean()}


@pytest.mark.parametrize(("body", "isolated"), [
    (first_edges_only, False), (loops_on_all_but_the_last, False),
    (one_off_into_the_next_graph, False), (one_off_within_its_graph, True), (offsets_of_the_first_count, False),
    (targets_shuffled, False), (random_edges, False), (edges_from_values, False)])
def test_node_ids_that_leave_their_graph_or_its_place_decline(body, isolated):
    got, want, said = outcome(body, isolated)
    assert len(want) == 2 and not got, got
    assert any("'loss_node'" in m or "no companions for this call" in m for m in said), said


def pooled_one_off_within_its_graph(gs):
    return pooled(gs, _second_one_off)


def test_the_offset_check_alone_sees_an_offset_within_the_graph():
    """The second graph's ids shifted by one stay within its graph (its last node isolated), and no
    degree lays out blocks: every row paired is of one image, only the offset check (each entry's
    offset its graph's first node) sees that on a group alone the ids name other nodes."""
    gs = graphs(isolated=True)
    x, edge, _ = collate(gs, _second_one_off)
    blocks = torch.repeat_interleave(torch.arange(4), torch.tensor([len(gr["x"]) for gr in gs]))
    assert torch.equal(blocks[edge[0]], blocks[edge[1]])
    assert torch.equal(blocks[edge].unique(), torch.arange(4))
    got, want, said = outcome(pooled_one_off_within_its_graph, isolated=True)
    assert len(want) == 2 and not got, got
    assert any("offset otherwise than by their image's first row" in m for m in said), said
