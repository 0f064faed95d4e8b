"""Side-by-side cost of losssplit on the seed's relation criterion (DESIGN.md §5).

One process, interleaved rounds, medians. Compares (a) the undecorated criterion, (b) the seed's
hand-written splitting (boolean masks, ``.any()``, ``.mean()`` per group) and (c) the decorated
criterion, every call and amortised (``every=N``); the same for a full training step of a small
model; the switched-off overhead on a trivial function; host reads per call; tensors retained.

    python benchmarks/bench_relation.py            # CPU, 1 thread
    python benchmarks/bench_relation.py --device cuda
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

sys.path[:0] = [str(Path(__file__).resolve().parent.parent / "examples"), str(Path(__file__).resolve().parent)]
from graph_floor import graph_read  # noqa: E402
from host_reads import count_host_reads  # noqa: E402
from seed_criterion import HandWrittenRelationCriterion, RelationCriterion, make_batch  # noqa: E402

import losssplit  # noqa: E402
from losssplit import split_by_source  # noqa: E402


def decorated_class(every: int) -> type[RelationCriterion]:
    class Decorated(RelationCriterion):
        get_relation_loss = split_by_source(every=every)(RelationCriterion.get_relation_loss)

    return Decorated


class EmptyMode(TorchFunctionMode):
    """A torch function mode that only runs each op: the floor of watching ops from Python."""

    def __torch_function__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
        return func(*args, **(kwargs or {}))


def under_empty_mode(fn: Callable[[], object]) -> Callable[[], object]:
    def run() -> object:
        with EmptyMode():
            return fn()

    return run


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def interleaved(fns: dict[str, Callable[[], object]], device: torch.device, rounds: int, per_round: int) -> dict[str, float]:
    """Median seconds per call of each function, rounds interleaved so drift hits all alike."""
    samples: dict[str, list[float]] = {k: [] for k in fns}
    for fn in fns.values():
        for _ in range(5):
            fn()
    for _ in range(rounds):
        for name, fn in fns.items():
            synchronize(device)
            start = time.perf_counter()
            for _ in range(per_round):
                fn()
            synchronize(device)
            samples[name].append((time.perf_counter() - start) / per_round)
    return {k: statistics.median(v) for k, v in samples.items()}


class TinyRelationModel(nn.Module):
    """Queries attend to image features; heads give relation logits and boxes."""

    def __init__(self, queries: int = 100, dim: int = 64, classes: int = 10):
        super().__init__()
        self.queries = nn.Parameter(torch.randn(queries, dim))
        self.backbone = nn.Sequential(nn.Linear(32, dim), nn.ReLU(), nn.Linear(dim, dim))
        self.decoder = nn.TransformerDecoderLayer(dim, 4, 128, batch_first=True, dropout=0.0)
        self.cls = nn.Linear(dim, classes + 1)
        self.box = nn.Linear(dim, 4)

    def forward(self, feats: torch.Tensor) -> dict[str, torch.Tensor]:
        memory = self.backbone(feats)
        q = self.decoder(self.queries.expand(feats.shape[0], -1, -1), memory)
        return {"pred_rel_logits": self.cls(q), "pred_rel_boxes": self.box(q).sigmoid()}


def cpu_peak_bytes(fn: Callable[[], object]) -> int:
    """Peak bytes allocated during ``fn()`` above what was live before (torch.profiler memory events:
    an op's own net allocation at its start, frees made by Python between ops at their time)."""
    from torch.profiler import ProfilerActivity, profile

    fn()
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        fn()
    events = prof.events()
    points = [(e.time_range.start, e.self_cpu_memory_usage) for e in events if e.name != "[memory]" and e.self_cpu_memory_usage > 0]
    points += [(e.time_range.start, e.cpu_memory_usage) for e in events if e.name == "[memory]"]
    live = peak = 0
    for _, delta in sorted(points):
        live += delta
        peak = max(peak, live)
    return peak


def live_tensors() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, torch.Tensor))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--per-round", type=int, default=40)
    parser.add_argument("--every", default="10,20", help="amortised variants: companions on 1 in N calls")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    print(f"torch {torch.__version__}, device {device}, threads {torch.get_num_threads()}")

    plain, hand = RelationCriterion().to(device), HandWrittenRelationCriterion().to(device)
    deco = decorated_class(1)().to(device)
    amortised = {int(n): decorated_class(int(n))().to(device) for n in args.every.split(",")}
    outputs, targets, indices, num_boxes = make_batch()
    outputs = {k: v.detach().to(device).requires_grad_() for k, v in outputs.items()}
    targets = [{k: (v.to(device) if torch.is_tensor(v) else v) for k, v in t.items()} for t in targets]
    indices = [(s.to(device), j.to(device)) for s, j in indices]
    batch = (outputs, targets, indices, num_boxes)

    crit = interleaved(
        {
            "undecorated": lambda: plain.get_relation_loss(*batch),
            "hand-written": lambda: hand.get_relation_loss(*batch),
            "decorated": lambda: deco.get_relation_loss(*batch),
            **{f"decorated every={n}": (lambda c=c: c.get_relation_loss(*batch)) for n, c in amortised.items()},
            "empty function mode": under_empty_mode(lambda: plain.get_relation_loss(*batch)),
            "graph floor": lambda: graph_read(plain.get_relation_loss(*batch), targets),
        },
        device,
        args.rounds,
        args.per_round,
    )
    base = crit["undecorated"]
    hand_added = crit["hand-written"] - base
    print("\nCriterion call (B=8, Q=100, 20 matched rows per image: CE with class weights, L1, GIoU)")
    print(f"{'variant':<24}{'us/call':>10}{'added us':>10}{'added / hand-written':>22}")
    for name, sec in crit.items():
        added = sec - base
        ratio = f"{added / hand_added:.2f}" if name != "undecorated" else "-"
        print(f"{name:<24}{sec * 1e6:>10.0f}{added * 1e6:>10.0f}{ratio:>22}")
    print("(empty function mode: the undecorated call under a torch function mode that only runs each op, the\n"
          " floor of any mechanism that watches the ops from Python; graph floor: benchmarks/graph_floor.py, this\n"
          " criterion's companions read from its autograd graph by fixed paths after the undecorated call, a floor\n"
          " for any after-the-call mechanism. Neither is a feature.)")

    # A full training step: forward, criterion, backward, optimizer step.
    torch.manual_seed(0)
    model = TinyRelationModel().to(device)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    feats = torch.randn(8, 50, 32, device=device)

    def step(criterion: RelationCriterion) -> Callable[[], object]:
        def run() -> object:
            out = model(feats)
            losses = criterion.get_relation_loss(out, targets, indices, num_boxes)
            total = sum(v for k, v in losses.items() if losssplit.companion_of(v) is None and not k.endswith(("_real", "_synthetic")))
            opt.zero_grad(set_to_none=True)
            total.backward()
            opt.step()
            return total

        return run

    steps = interleaved(
        {
            "undecorated": step(plain),
            "hand-written": step(hand),
            "decorated": step(deco),
            **{f"decorated every={n}": step(c) for n, c in amortised.items()},
        },
        device,
        args.rounds * 10,  # short rounds: drift of this shared machine hits all variants alike
        2,
    )
    print("\nTraining step of a small relation model (forward, criterion, backward, SGD step)")
    print(f"{'variant':<24}{'ms/step':>10}{'overhead':>10}")
    for name, sec in steps.items():
        print(f"{name:<24}{sec * 1e3:>10.2f}{(sec / steps['undecorated'] - 1) * 100:>9.1f}%")

    # Switched off: a decorated trivial function versus the plain function.
    def trivial(x: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"loss": x}

    wrapped = split_by_source(trivial)
    x = torch.zeros(())
    losssplit.set_enabled(False)
    off = interleaved({"plain": lambda: trivial(x), "api off": lambda: wrapped(x)}, device, args.rounds, 2000)
    losssplit.set_enabled(True)
    os.environ["LOSSSPLIT_DISABLE"] = "1"
    env = interleaved({"plain": lambda: trivial(x), "env off": lambda: wrapped(x)}, device, args.rounds, 2000)
    del os.environ["LOSSSPLIT_DISABLE"]
    print("\nSwitched off, added per call on a trivial function")
    print(f"  set_enabled(False):   {(off['api off'] - off['plain']) * 1e6:.2f} us")
    print(f"  LOSSSPLIT_DISABLE=1:  {(env['env off'] - env['plain']) * 1e6:.2f} us")

    reads = {
        "undecorated": count_host_reads(lambda: plain.get_relation_loss(*batch))[0],
        "hand-written": count_host_reads(lambda: hand.get_relation_loss(*batch))[0],
        "decorated": count_host_reads(lambda: deco.get_relation_loss(*batch))[0],
    }
    print("\nHost reads per call (item/tolist/bool/boolean-mask indexing: each a sync on GPU)")
    for name, n in reads.items():
        print(f"  {name:<14}{n:>3}  (added {n - reads['undecorated']})")

    before = live_tensors()
    for _ in range(50):
        deco.get_relation_loss(*batch)
    print(f"\nTensors alive after 50 decorated calls: {live_tensors() - before} more than before")
    if device.type == "cpu":
        print("Peak memory per call (CPU, from torch.profiler memory events):")
        for name, c in (("undecorated", plain), ("hand-written", hand), ("decorated", deco)):
            print(f"  {name:<14}{cpu_peak_bytes(lambda c=c: c.get_relation_loss(*batch)) / 2**10:>8.0f} KiB")
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
        plain.get_relation_loss(*batch)
        peak_plain = torch.cuda.max_memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        deco.get_relation_loss(*batch)
        peak_deco = torch.cuda.max_memory_allocated()
        print(f"Peak GPU memory per call: undecorated {peak_plain / 2**20:.2f} MiB, decorated {peak_deco / 2**20:.2f} MiB")
        torch.cuda.set_sync_debug_mode("warn")
        import warnings

        for name, c in (("undecorated", plain), ("hand-written", hand), ("decorated", deco)):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                c.get_relation_loss(*batch)
            print(f"CUDA syncs ({name}): {sum('synchroniz' in str(w.message) for w in caught)}")
        torch.cuda.set_sync_debug_mode(0)


if __name__ == "__main__":
    main()
