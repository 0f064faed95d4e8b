"""A sparse mixture of experts' dispatch over the batch's tokens (transformers' ``grouped_mm``
experts of Qwen2-MoE, Qwen3-MoE, OLMoE, DeepSeek-V3, survey 48): the tokens' routed expert ids
sorted along the images, each token's row gathered k times in that order, ``torch._grouped_mm``
over the runs of equal ids (``cumsum`` of their ``histc``), the rows written back by the inverse
order and summed per token. Each token's output is its own, so the cross entropy through it splits
as the oracle; the near misses where the order decides values (a capacity, experts choosing their
tokens over the batch, positions in the sorted order used as data, rows dropped) decline. A small
MoE of our own, against the oracle on batches of 1 to 4 sequences with groups absent."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import Along, split_outcome

H, E, K, V, T = 8, 4, 2, 5, 4  # hidden (rows of 32 bytes: grouped_mm's alignment), experts, top-k, vocabulary, tokens
_G = torch.Generator().manual_seed(48)
ROUTER = torch.randn(E, H, generator=_G)
GATE_UP = torch.randn(E, 2 * H, H, generator=_G) * 0.5
DOWN = torch.randn(E, H, H, generator=_G) * 0.5
HEAD = torch.randn(V, H, generator=_G)

BATCHES = [["a", "b", "a", "c"], ["b", "b", "a"], ["c", "c"], ["a"], ["b", "a"]]

pytestmark = pytest.mark.skipif(not hasattr(torch, "_grouped_mm"), reason="needs torch._grouped_mm")


def batch(seed: int, b: int) -> tuple[list, list]:
    g = torch.Generator().manual_seed(seed)
    hidden = torch.randn(b, T, H, generator=g).requires_grad_()
    labels = torch.randint(0, V, (b, T), generator=g)
    labels[0, 0] = -100
    return [hidden, labels], [Along(0), Along(0)]


def route(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    w, ids = F.softmax(F.linear(x, ROUTER), dim=-1).topk(K, dim=-1)
    return w / w.sum(-1, keepdim=True), ids


def head(y: torch.Tensor, labels: torch.Tensor) -> dict[str, torch.Tensor]:
    return {"loss": F.cross_entropy(F.linear(y, HEAD), labels.reshape(-1), ignore_index=-100)}


def experts(xs: torch.Tensor, ends: torch.Tensor) -> torch.Tensor:
    gate, up = F.grouped_mm(xs, GATE_UP.transpose(-2, -1), offs=ends).chunk(2, dim=-1)
    return F.grouped_mm(F.silu(gate) * up, DOWN.transpose(-2, -1), offs=ends)


def sorted_dispatch(hidden, labels, ends_of=None, back="inverse", scale=None):
    """The dispatch as transformers' ``grouped_mm_experts_forward`` does it, in our own words."""
    x = hidden.reshape(-1, H)
    w, ids = route(x)
    ids_sorted, order = torch.sort(ids.reshape(-1))
    xs, ws = x[order // K], w.reshape(-1)[order]
    counts = torch.histc(ids_sorted.float(), bins=E, min=0, max=E - 1)
    ends = torch.cumsum(counts, dim=0, dtype=torch.int32) if ends_of is None else ends_of(ids_sorted, counts)
    out = experts(xs, ends) * ws[:, None]
    if scale is not None:
        out = out * scale(ids_sorted, ends)[:, None]
    if back == "inverse":
        inverse = torch.empty_like(order)
        inverse[order] = torch.arange(order.numel())
        y = out[inverse].view(-1, K, H).sum(1)
    else:
        y = torch.zeros_like(x).index_add_(0, order // K, out)
    return head(y, labels)


def assert_splits(body) -> None:
    for seed, labels in enumerate(BATCHES):
        args, kinds = batch(seed, len(labels))
        got, want, said = split_outcome(body, args, kinds, labels)
        assert set(got) == set(want), (seed, said)
        assert got == pytest.approx(want, rel=1e-5, abs=1e-6), seed


def assert_declines(body, op: str) -> None:
    for seed, labels in enumerate(BATCHES[:2]):
        args, kinds = batch(seed, len(labels))
        got, want, said = split_outcome(body, args, kinds, labels)
        assert want and got == {}, (got, want)
        assert any(op in m for m in said), said


def test_the_sorted_dispatch_written_back_by_the_inverse_order_splits() -> None:
    assert_splits(sorted_dispatch)


def test_the_ends_from_bincount_of_the_sorted_ids_split() -> None:
    assert_splits(lambda h, y: sorted_dispatch(h, y, lambda ids, _: torch.bincount(ids, minlength=E).cumsum(0).int()))


def test_a_capacity_over_the_sorted_order_declines() -> None:
    """Switch-style capacity: a row's place among its expert's rows (a count over the sorted order)
    past the capacity gets no weight (on a group alone the capacity drops other rows)."""
    def capacity(ids, ends):
        place = torch.arange(ids.numel()) - (ends - torch.bincount(ids, minlength=E))[ids]
        return (place < 3).float()

    assert_declines(lambda h, y: sorted_dispatch(h, y, scale=capacity), "")


def test_ends_clipped_at_a_capacity_decline() -> None:
    """Each expert's count clipped at a capacity it never reaches here: no longer the sorted ids'
    own counts (on a group alone it may bite)."""
    assert_declines(lambda h, y: sorted_dispatch(
        h, y, lambda _, n: n.clamp(max=100).cumsum(0, dtype=torch.int32)), "grouped_mm")


def test_ends_of_fixed_positions_decline() -> None:
    """Equal slices of the sorted rows per expert, whatever their ids: a row's expert is its position's."""
    assert_declines(lambda h, y: sorted_dispatch(
        h, y, lambda ids, _: torch.tensor([2, 4, 6, 8], dtype=torch.int32) * (len(BATCHES[0]) * T * K // 8)), "")


@pytest.mark.parametrize("positions", [
    lambda ids: torch.linspace(0.5, 1.5, ids.numel()),
    lambda ids: torch.arange(ids.numel()).float(),
    lambda ids: torch.ones_like(ids).cumsum(0).float(),
], ids=["linspace", "arange", "cumsum"])
def test_positions_in_the_sorted_order_used_as_data_decline(positions) -> None:
    """Each row scaled by its position in the sorted order: on a group alone its position differs."""
    assert_declines(lambda h, y: sorted_dispatch(h, y, scale=lambda ids, _: positions(ids)), "")


def test_the_sorted_ids_read_across_rows_decline() -> None:
    """Each row scaled by the batch's largest routed id (the last sorted value)."""
    assert_declines(lambda h, y: sorted_dispatch(h, y, scale=lambda ids, _: 1.0 + ids[-1].float().expand(ids.numel())),
                    "sort")


def test_experts_choosing_their_tokens_over_the_batch_decline() -> None:
    """Expert-choice routing: each expert takes the top 3 tokens of the batch by its score."""
    def body(hidden, labels):
        x = hidden.reshape(-1, H)
        scores = F.softmax(F.linear(x, ROUTER), dim=-1)
        y = torch.zeros_like(x)
        for e in range(E):
            w, tok = scores[:, e].topk(3)
            gate, up = F.linear(x[tok], GATE_UP[e]).chunk(2, dim=-1)
            y = y.index_add(0, tok, F.linear(F.silu(gate) * up, DOWN[e]) * w[:, None])
        return head(y, labels)

    assert_declines(body, "topk")


def test_rows_truncated_in_the_sorted_order_decline() -> None:
    """Only the first half of the sorted rows dispatched (a budget over the batch)."""
    def body(hidden, labels):
        x = hidden.reshape(-1, H)
        w, ids = route(x)
        _, order = torch.sort(ids.reshape(-1))
        kept = order[: order.numel() // 2]
        y = torch.zeros_like(x).index_add(0, kept // K, x[kept // K] * w.reshape(-1)[kept, None])
        return head(y, labels)

    assert_declines(body, "")


def test_the_sorted_dispatch_written_back_by_index_add_splits() -> None:
    assert_splits(lambda h, y: sorted_dispatch(h, y, back="index_add"))


def loop_over_experts(hidden, labels, shift=None):
    """transformers' ``eager`` experts: a one-hot of the routed ids, each expert's tokens by
    ``torch.where``, their rows through its MLP, added back with ``index_add_`` (``shift``: added
    to the next token's row, or the rows in reverse order)."""
    x = hidden.reshape(-1, H)
    w, ids = route(x)
    y = torch.zeros_like(x)
    mask = F.one_hot(ids, num_classes=E).permute(2, 1, 0)
    for e in range(E):
        slot, tok = torch.where(mask[e])
        gate, up = F.linear(x[tok if shift != "reversed_rows" else tok.flip(0)], GATE_UP[e]).chunk(2, dim=-1)
        at = (tok + 1) % x.shape[0] if shift == "next_token" else tok
        y.index_add_(0, at, F.linear(F.silu(gate) * up, DOWN[e]) * w[tok, slot, None])
    return head(y, labels)


def test_the_loop_over_experts_written_back_by_index_add_splits() -> None:
    assert_splits(loop_over_experts)


@pytest.mark.parametrize("shift", ["next_token", "reversed_rows"])
def test_rows_added_to_other_tokens_decline(shift: str) -> None:
    """Each expert's rows added to the next token's row, or its rows in reverse order added to its
    tokens: other images' rows at the images' boundaries."""
    assert_declines(lambda h, y: loop_over_experts(h, y, shift), "")
