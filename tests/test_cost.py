"""Host reads, switched-off cost and long runs (the timing figures themselves are in benchmarks/)."""

import gc
import time
import tracemalloc
import weakref

import pytest
import torch
import torch.nn.functional as F
from graph_floor import graph_read
from host_reads import count_host_reads
from seed_criterion import HandWrittenRelationCriterion, RelationCriterion, make_batch

import losssplit
from losssplit import split_by_source


class Decorated(RelationCriterion):
    get_relation_loss = split_by_source(RelationCriterion.get_relation_loss)


def test_decorated_call_adds_at_most_one_host_read_hand_written_needs_six():
    batch = make_batch()
    plain, _ = count_host_reads(lambda: RelationCriterion().get_relation_loss(*batch))
    hand, _ = count_host_reads(lambda: HandWrittenRelationCriterion().get_relation_loss(*batch))
    ours, out = count_host_reads(lambda: Decorated().get_relation_loss(*batch))
    assert {"loss_relation_real", "loss_giou_relation_synthetic"} <= set(out)  # it did split
    assert hand - plain >= 6
    assert ours - plain == 1


def test_seed_weights_are_not_checked_for_proportionality_after_the_doubt_that_they_are_them():
    # the seed's weights are read from its weight field: the deferred doubt that they are not the weights
    # fires wherever the proportionality check (13 ops, two ``vector_norm``) could, earlier in the checks
    ops = [op for op, _ in _aten_ops_of_a_decorated_seed_call()]
    assert "aten.linalg_vector_norm.default" not in ops


def _aten_ops_of_a_decorated_seed_call() -> list[tuple[str, tuple]]:
    """(name, its tensor arguments' shapes) of each aten op one decorated seed call runs."""
    from torch.utils._python_dispatch import TorchDispatchMode

    ops: list[tuple[str, tuple]] = []

    class Record(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
            ops.append((str(func), tuple(tuple(a.shape) for a in args if isinstance(a, torch.Tensor))))
            return func(*args, **(kwargs or {}))

    batch = make_batch()
    with Record():
        out = Decorated().get_relation_loss(*batch)
    assert "loss_relation_real" in out
    return ops


def test_seed_indices_and_weight_checks_make_no_views_or_reductions_they_do_not_need():
    # a 1-d index's images are its spread as they are (no ``[:]`` alias, no reshape); the doubt that a
    # factor is not the weights is ``~every`` of the equality's ``aminmax`` (no ``~equal`` and ``any``)
    ops = _aten_ops_of_a_decorated_seed_call()
    assert not [op for op in ops if op[0] == "aten.alias.default"], ops
    assert not [op for op in ops if op[0] == "aten.bitwise_not.default" and op[1] != ((),)], ops


def test_benchmark_graph_floor_computes_the_decorated_companions():
    # the benchmark's lower bound must do the same work, or its figure bounds nothing
    for rows in (20, [3, 0, 7, 1, 12, 5, 9, 2]):
        batch = make_batch(rows_per_image=rows, generator=torch.Generator().manual_seed(3))
        ours = Decorated().get_relation_loss(*batch)
        floor = graph_read(RelationCriterion().get_relation_loss(*batch), batch[1])
        assert sorted(floor) == sorted(ours)
        for key, value in ours.items():
            torch.testing.assert_close(floor[key].detach().double(), value.detach().double(), rtol=1e-6, atol=0)


def test_switched_off_is_a_plain_call(monkeypatch):
    @split_by_source
    def trivial(x):
        return {"loss": x}

    x = torch.zeros(())
    losssplit.set_enabled(False)
    try:
        assert trivial(x) == {"loss": x}
        start = time.perf_counter()
        for _ in range(2000):
            trivial(x)
        per_call = (time.perf_counter() - start) / 2000
    finally:
        losssplit.set_enabled(True)
    assert per_call < 50e-6  # benchmarks/ measures the real figure (about 1-2 us)


def test_long_run_no_growth_in_memory_or_time():
    @split_by_source
    def crit(pred, targets):
        target = torch.cat([t["y"] for t in targets])
        return {"loss": F.mse_loss(pred, target)}

    targets = [{"y": torch.rand(2, 3), "loss_weight": w} for w in (1.0, 0.5, 1.0)]
    pred = torch.rand(6, 3, requires_grad=True)

    def chunk(n):
        start = time.thread_time()
        for _ in range(n):
            out = crit(pred, targets)
            sum(out.values()).backward()
        return (time.thread_time() - start) / n

    def per_call():  # CPU time of the fastest of a few short chunks: robust to a loaded machine
        return min(chunk(20) for _ in range(5))

    chunk(50)
    gc.collect()
    tracemalloc.start()
    first = per_call()
    snap_a = tracemalloc.take_snapshot()
    chunk(350)
    last = per_call()
    gc.collect()
    snap_b = tracemalloc.take_snapshot()
    tracemalloc.stop()
    diffs = snap_b.compare_to(snap_a, "filename")
    growth = sum(s.size_diff for s in diffs)
    # 450 calls: no per-call retention (150 bytes a call would show); the message names where
    assert growth < 64 * 1024, (growth, [str(s) for s in diffs[:5]])
    assert last < first * 2 + 50e-6


def test_a_large_temporary_the_body_drops_is_freed_during_the_call_as_without_losssplit():
    freed = []

    def body(pred, targets):
        y = torch.stack([t["y"] for t in targets])
        squared = (pred - y) ** 2  # 4 x 4096 floats, tracked: rows are images
        ref = weakref.ref(squared)
        per_row = squared.sum(1)
        del squared
        freed.append(ref() is None)  # autograd saved (pred - y), not its square
        return {"loss": per_row.mean()}

    targets = [{"y": torch.rand(4096), "loss_weight": w} for w in (1.0, 0.5, 1.0, 0.5)]
    pred = torch.rand(4, 4096, requires_grad=True)
    plain = body(pred, targets)
    out = split_by_source(body)(pred, targets)
    assert {"loss_real", "loss_synthetic"} <= set(out)
    assert torch.equal(out["loss"], plain["loss"])
    assert freed == [True, True]


def test_a_call_leaves_nothing_for_the_cycle_collector():
    from losssplit._capture import Frame, Track

    batch = make_batch()
    crit = Decorated()
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            out = crit.get_relation_loss(*batch)
        assert "loss_giou_relation_real" in out
        left = [o for o in gc.get_objects() if isinstance(o, (Frame, Track))]
    finally:
        gc.enable()
    assert left == []  # freed by reference counting as each call returns


def test_a_large_reduced_loss_keeps_its_row_sums_not_its_elements():
    freed = []

    def body(pred, targets):
        y = torch.stack([t["y"] for t in targets])
        per_element = F.binary_cross_entropy_with_logits(pred, y, reduction="none")  # 4 x 4096
        storage = weakref.ref(per_element.untyped_storage())
        loss = per_element.mean()
        del per_element
        freed.append(storage() is None)  # autograd saved the inputs, not these elements
        return {"loss": loss}

    targets = [{"y": torch.rand(4096), "loss_weight": w} for w in (1.0, 0.5, 0.5, 1.0)]
    pred = torch.randn(4, 4096, requires_grad=True)
    plain = body(pred, targets)
    out = split_by_source(body)(pred, targets)
    assert freed == [True, True]
    assert torch.equal(out["loss"], plain["loss"])
    y = torch.stack([t["y"] for t in targets])
    per_image = F.binary_cross_entropy_with_logits(pred, y, reduction="none").detach().double().mean(1)
    assert out["loss_real"].item() == pytest.approx(per_image[[0, 3]].mean().item(), rel=1e-6)
    assert out["loss_synthetic"].item() == pytest.approx(per_image[[1, 2]].mean().item(), rel=1e-6)
