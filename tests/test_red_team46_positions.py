"""Red team 46a: node ids of collated graphs (``losssplit._capture.node_ids``) and positions made after
host reads of one image (``Frame.made_positions``), judged against the oracle (DESIGN.md §1).

Found silently wrong and fixed:
- node ids used as positions into a tensor of no images (``emb[edge[1]]``, ``emb.index_select(0, ids)``):
  the batch's node positions, the group's on a group alone (the gather took the index's images);
  now lost at the gather (``node_ids._gathered``).
- node ids as the indices of ``F.embedding`` of a table: the same, now declined where the ids' offsets
  differ by image (one shift of every image's labels, ``w[labels + 1]``, stays exact).
- a factory after reads of one image given the number of images (``torch.arange(min(n, len(x)))``,
  ``torch.linspace(0, n - 1, len(x))``): positions the group's count sets on a group alone, taken as
  the image's own; now a made position "kept" (``_bytecode.counted_number``) and declined.
- an op on positions so made given such a number (``keep.clamp(max=len(x) - 1)``, ``keep[: i + 1]``):
  the op's numbers (and keyword tensors) were not looked at; now read as a factory's are.

Known WRONG, pinned strict xfail: literal offsets equal to this batch's block starts (a Python list,
a tensor table), the residual trust the node-id rule names; an int position ``x[i][min(n, len(x)) - 1]``
(the older int-position rule); node ids' values used as numbers (``edge[1].float()``);
``x[i][torch.arange(len(x))]`` without a read (as the loop's position
without a read in ``test_rules_made_positions``).

Near misses that stay exact: offsets from a cumsum of a per-graph number equal to the node count
(edges / 2 + 1 of a path), degrees summed over all nodes as a divisor, a factory of the image's own
read and a literal, and the own-read factory in a comprehension. Tried and declined (no test here):
edges from ``nonzero`` of a same-graph mask or masked from all pairs, a ``batch`` vector of pairs of
graphs or of ``i % 2``, ids flipped or sorted, edges duplicated, mean pooling by the batch's node count
or counts from ``index_add``, positions made after reads of another image, of two images, kept from
the previous iteration, from ``torch.tensor`` of several images' reads, from a sum over all images,
clamped or cut by another image's read, in a helper or a comprehension over another image.
"""

from __future__ import annotations

import pytest
import torch
from _helpers import PER_IMAGE, outcome_class, split_outcome
from test_rules_collated_graphs import LABELS, W1, collate, graphs, node_loss
from test_rules_made_positions import _outcomes

TABLE = torch.randn(40, 4, generator=torch.Generator().manual_seed(3))


def _graph_outcome(body, isolated=False):
    got, want, said = split_outcome(body, [graphs(isolated)], [PER_IMAGE], LABELS)
    return outcome_class(got, want), said


# -- node ids --------------------------------------------------------------------------------------


def table_at_node_ids(gs):
    """Each edge's source features against a table row at its target's id: on a group alone the
    group's ids pick other rows."""
    x, edge, _ = collate(gs)
    return {"loss_node": (W1(x)[edge[0]] * TABLE[edge[1]]).sum(-1).mean()}


def table_selected_at_node_ids(gs):
    x, edge, _ = collate(gs)
    return {"loss_node": (W1(x).index_select(0, edge[0]) * TABLE.index_select(0, edge[1])).sum(-1).mean()}


def table_embedded_at_node_ids(gs):
    x, edge, _ = collate(gs)
    return {"loss_node": (W1(x)[edge[0]] * torch.nn.functional.embedding(edge[1], TABLE)).sum(-1).mean()}


@pytest.mark.parametrize("isolated", [False, True])
@pytest.mark.parametrize("body", [table_at_node_ids, table_selected_at_node_ids, table_embedded_at_node_ids])
def test_node_ids_as_positions_into_a_table_of_no_image_decline(body, isolated):
    seen, said = _graph_outcome(body, isolated)
    assert seen == "declined", seen
    assert any("tensor of no images at node ids" in m for m in said), said


CLASS_WEIGHTS = torch.tensor([0.3, 1.0, 2.0, 0.7, 1.5, 0.2, 0.9])


def a_table_at_labels_shifted_by_one(x, y, mx, my):
    """``w[labels + 1]``: every image's ids shifted alike (no layout of the batch), as on a group alone."""
    out = []
    for i in range(len(x)):
        lab = mx[i].long() + 1
        out.append((x[i] * CLASS_WEIGHTS[lab]).sum()
                   + (x[i] * torch.nn.functional.embedding(lab, CLASS_WEIGHTS[:, None]).squeeze(-1)).sum())
    return {"loss": torch.stack(out).mean()}


def test_a_table_at_labels_shifted_alike_splits_as_the_oracle():
    assert _outcomes(a_table_at_labels_shifted_by_one) == ["exact"] * 4


def node_ids_as_values(gs):
    x, edge, _ = collate(gs)
    return {"loss_node": (W1(x)[edge[0]].sum(-1) * edge[1].float()).mean()}


@pytest.mark.xfail(strict=True, reason="known WRONG: node ids' values (positions in the batch, offsets included) "
                                       "used as numbers, taken as the image's own values")
def test_node_ids_as_values_decline():
    assert _graph_outcome(node_ids_as_values)[0] != "wrong"


def _path_offsets(gs):
    """Offsets from a cumsum of ``edges / 2 + 1`` (a path's node count, computed from its edges)."""
    c = torch.tensor([g["edge_index"].shape[1] // 2 + 1 for g in gs])
    return torch.cumsum(c, 0) - c


def offsets_from_the_edges(gs):
    x = torch.cat([g["x"] for g in gs])
    return node_loss(x, torch.cat([g["edge_index"] + o for g, o in zip(gs, _path_offsets(gs))], 1))


def degrees_summed_over_all_nodes(gs):
    x, edge, _ = collate(gs)
    n = len(x)
    loops = torch.arange(n)
    src, dst = torch.cat([edge[0], loops]), torch.cat([edge[1], loops])
    deg = torch.zeros(n).index_add_(0, dst, torch.ones(len(dst)))
    h = W1(x)
    return {"loss_node": torch.zeros_like(h).index_add_(0, dst, h[src]).pow(2).sum() / deg.sum()}


@pytest.mark.parametrize("body", [offsets_from_the_edges, degrees_summed_over_all_nodes])
def test_offsets_of_the_graphs_own_numbers_and_a_degree_total_split_as_the_oracle(body):
    assert _graph_outcome(body)[0] == "exact"


def literal_offsets(gs):
    x = torch.cat([g["x"] for g in gs])
    return node_loss(x, torch.cat([g["edge_index"] + o for g, o in zip(gs, [0, 4, 9, 12])], 1))


def offsets_of_a_literal_table(gs):
    x = torch.cat([g["x"] for g in gs])
    table = torch.tensor([0, 4, 9, 12])
    return node_loss(x, torch.cat([g["edge_index"] + table[i] for i, g in enumerate(gs)], 1))


@pytest.mark.xfail(strict=True, reason="known WRONG: literal offsets equal to this batch's block starts pass the "
                                       "offset checks (node_ids' named residual trust); on a group alone they name "
                                       "other graphs' nodes")
@pytest.mark.parametrize("body", [literal_offsets, offsets_of_a_literal_table])
def test_literal_offsets_decline(body):
    assert _graph_outcome(body)[0] != "wrong"


# -- positions made after reads ------------------------------------------------------------------------


def arange_bounded_by_the_count(x, y, mx, my):
    out = []
    for i in range(len(x)):
        n = int(mx[i].sum())
        out.append(x[i][torch.arange(min(n, len(x)))].sum())
    return {"loss": torch.stack(out).mean()}


def linspace_of_the_count(x, y, mx, my):
    out = []
    for i in range(len(x)):
        n = int(mx[i].sum())
        out.append(x[i][torch.linspace(0, n - 1, len(x)).round().long()].sum())
    return {"loss": torch.stack(out).mean()}


def clamped_at_the_count(x, y, mx, my):
    out = []
    for i in range(len(x)):
        n = int(mx[i].sum())
        out.append(x[i][torch.arange(n).clamp(max=len(x) - 1)].sum())
    return {"loss": torch.stack(out).mean()}


def cut_at_the_loops_position(x, y, mx, my):
    out = []
    for i in range(len(x)):
        n = int(mx[i].sum())
        out.append(x[i][torch.arange(n)[: i + 1]].sum())
    return {"loss": torch.stack(out).mean()}


@pytest.mark.parametrize("body", [arange_bounded_by_the_count, linspace_of_the_count, clamped_at_the_count,
                                  cut_at_the_loops_position])
def test_positions_made_from_the_number_of_images_decline(body):
    seen = _outcomes(body)
    assert seen[0] == seen[1] == "declined" and "wrong" not in seen, seen


def arange_bounded_by_a_literal(x, y, mx, my):
    out = []
    for i in range(len(x)):
        n = int(mx[i].sum())
        out.append(x[i][torch.arange(min(n, 3))].sum())
    return {"loss": torch.stack(out).mean()}


def own_read_in_a_comprehension(x, y, mx, my):
    return {"loss": torch.stack([x[i][torch.arange(int(mx[i].sum()))].sum() for i in range(len(x))]).mean()}


def clamped_and_cut_by_the_images_own_read(x, y, mx, my):
    out = []
    for i in range(len(x)):
        n = int(mx[i].sum())
        out.append(x[i][torch.arange(6).clamp(max=n - 1)].sum() + x[i][(torch.arange(n - 1) + 1)[: (n + 1) // 2]].sum())
    return {"loss": torch.stack(out).mean()}


@pytest.mark.parametrize("body", [arange_bounded_by_a_literal, own_read_in_a_comprehension,
                                  clamped_and_cut_by_the_images_own_read])
def test_positions_of_the_images_own_read_and_a_literal_split_as_the_oracle(body):
    assert _outcomes(body) == ["exact"] * 4


def int_position_bounded_by_the_count(x, y, mx, my):
    out = []
    for i in range(len(x)):
        n = int(mx[i].sum())
        out.append(x[i][min(n, len(x)) - 1])
    return {"loss": torch.stack(out).mean()}


def arange_of_the_count_without_a_read(x, y, mx, my):
    return {"loss": torch.stack([x[i][torch.arange(len(x))].sum() for i in range(len(x))]).mean()}


@pytest.mark.xfail(strict=True, reason="known WRONG: an int position or positions set by len(x), the number of "
                                       "images, taken as the image's own (the group's count on a group alone)")
@pytest.mark.parametrize("body", [int_position_bounded_by_the_count, arange_of_the_count_without_a_read])
def test_int_positions_of_the_number_of_images_decline(body):
    assert "wrong" not in _outcomes(body)
