"""SplitMeter across two gloo processes: exact, identical on every rank, no hang.

Rank 0 sees real and synthetic rows and extra keys (``loss_aux`` and its ``exp``, a function of
a ratio) that rank 1 never computes; rank 1 sees real rows only. Every rank's ``compute()`` must equal the value computed
from the concatenation of all ranks' rows, with one ``all_reduce`` per ``compute()`` (the
slot-table path) or with the fallback when the table is forced too small (``slots=1``).
"""

from __future__ import annotations

import json
import math
import os
import socket
import sys
import time
from datetime import timedelta

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F

import losssplit
from losssplit.aggregate import SplitMeter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _criteria_for_integrations import Recorder, assert_close, ce_criterion, reference  # noqa: E402

WORLD = 2
ITERS = 5
DEADLINE_S = 60.0


@losssplit.split_by_source
def aux_criterion(logits: torch.Tensor, y: torch.Tensor) -> dict[str, torch.Tensor]:
    ce = F.cross_entropy(logits, y)
    return {"loss_aux": ce, "ppl_aux": torch.exp(ce)}  # a function of a ratio: its formula travels by name


def _rank_batches(rank: int) -> list[tuple[torch.Tensor, torch.Tensor, list[float]]]:
    g = torch.Generator().manual_seed(100 + rank)
    out = []
    for it in range(ITERS):
        n = 3 + it + rank  # different batch sizes per rank and step
        logits = torch.randn(n, 5, generator=g) * 2
        y = torch.randint(0, 5, (n,), generator=g)
        if rank == 0:
            w = [1.0 if (i + it) % 3 else 0.5 for i in range(n)]
        else:
            w = [1.0] * n  # rank 1 never sees a synthetic row
        out.append((logits, y, w))
    return out


def _worker(rank: int, port: int, slots: int, outdir: str) -> None:
    torch.set_num_threads(1)  # forked: the parent's OpenMP pool is not usable in the child
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    dist.init_process_group("gloo", rank=rank, world_size=WORLD, timeout=timedelta(seconds=30))
    calls = {"all_reduce": 0, "all_gather_object": 0}
    real_all_reduce, real_gather = dist.all_reduce, dist.all_gather_object

    def counting_all_reduce(*a, **k):
        calls["all_reduce"] += 1
        return real_all_reduce(*a, **k)

    def counting_gather(*a, **k):
        calls["all_gather_object"] += 1
        return real_gather(*a, **k)

    dist.all_reduce, dist.all_gather_object = counting_all_reduce, counting_gather
    try:
        meter = SplitMeter(slots=slots)
        ce_rows, aux_rows = Recorder(), Recorder()
        for logits, y, w in _rank_batches(rank):
            with meter.collect(), losssplit.sources(w):
                out = ce_criterion(logits, y)
                if rank == 0:
                    out.update(aux_criterion(logits, y))
            assert set(out) <= {"loss_ce", "loss_aux", "ppl_aux"}
            ce_rows.record(logits, y, w)
            if rank == 0:
                aux_rows.record(logits, y, w)
        got = meter.compute()
        first = dict(calls)
        meter.reset()
        empty = meter.compute()  # an empty window on every rank: still one collective, no hang
        result = {"got": got, "calls": first, "empty": empty,
                  "ce": ce_rows.calls, "aux": aux_rows.calls}
    finally:
        dist.all_reduce, dist.all_gather_object = real_all_reduce, real_gather
        dist.destroy_process_group()
    with open(os.path.join(outdir, f"rank{rank}.json"), "w") as f:
        json.dump(result, f)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(slots: int, outdir: str) -> list[dict]:
    ctx = mp.start_processes(
        _worker, args=(_free_port(), slots, outdir), nprocs=WORLD, join=False,
        start_method="fork",
    )
    deadline = time.monotonic() + DEADLINE_S
    try:
        while not ctx.join(timeout=1.0):
            if time.monotonic() > deadline:
                pytest.fail(f"distributed meter did not finish in {DEADLINE_S}s (hang?)")
    finally:
        for p in ctx.processes:
            if p.is_alive():
                p.kill()
    results = []
    for rank in range(WORLD):
        with open(os.path.join(outdir, f"rank{rank}.json")) as f:
            results.append(json.load(f))
    return results


@pytest.mark.parametrize("slots,all_reduces,gathers", [(128, 1, 0), (1, 2, 1)],
                         ids=["one-all-reduce", "fallback"])
def test_two_ranks_uneven_sources(tmp_path, slots, all_reduces, gathers):
    results = _run(slots, str(tmp_path))
    all_ce = [call for r in results for call in r["ce"]]
    all_aux = [call for r in results for call in r["aux"]]
    want = reference(all_ce)
    want.update(reference(all_aux, key="loss_aux"))
    want.update({f"ppl_aux_{g}": math.exp(want[f"loss_aux_{g}"]) for g in ("real", "synthetic")})
    assert set(want) == {"loss_ce_real", "loss_ce_synthetic", "loss_aux_real",
                         "loss_aux_synthetic", "ppl_aux_real", "ppl_aux_synthetic"}
    for r in results:
        assert_close(r["got"], want)
        assert r["calls"] == {"all_reduce": all_reduces, "all_gather_object": gathers}
        assert r["empty"] == {}
    assert results[0]["got"] == results[1]["got"]  # bit-identical on every rank
