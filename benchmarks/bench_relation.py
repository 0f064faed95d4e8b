"""Side-by-side cost of losssplit (DESIGN.md §5), every figure in one run.

One process, interleaved rounds, medians. On the seed's relation criterion: (a) undecorated,
(b) the seed's hand-written splitting (boolean masks, ``.any()``, ``.mean()`` per group) and
(c) decorated, every call and amortised (``every=N``); the same for a full training step of a
small model. Then a language-model cross entropy (time and peak memory, float32 and bfloat16),
the cost against the number of source groups, the switched-off overhead on a trivial function,
host reads per call and tensors retained.

    python benchmarks/bench_relation.py            # CPU, 1 thread
    python benchmarks/bench_relation.py --lm-shape 8,512,8192   # a slower machine
    python benchmarks/bench_relation.py --device cuda
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import statistics
import sys
import time
import timeit
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F
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
    an op's own net allocation at its start, its net frees at its end, frees made by Python between
    ops at their time)."""
    from torch.profiler import ProfilerActivity, profile

    fn()
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        fn()
    events = prof.events()
    ops = [e for e in events if e.name != "[memory]"]
    points = [(e.time_range.start, e.self_cpu_memory_usage) for e in ops if e.self_cpu_memory_usage > 0]
    # an op's net frees (a temporary of its children freed inside it) count when it ends
    points += [(e.time_range.end, e.self_cpu_memory_usage) for e in ops if e.self_cpu_memory_usage < 0]
    points += [(e.time_range.start, e.cpu_memory_usage) for e in events if e.name == "[memory]"]
    live = peak = 0
    for _, delta in sorted(points):
        live += delta
        peak = max(peak, live)
    return peak


def peak_bytes(fn: Callable[[], object], device: torch.device) -> int:
    """Peak bytes allocated during ``fn()`` above what was live before."""
    if device.type != "cuda":
        return cpu_peak_bytes(fn)
    fn()
    torch.cuda.synchronize()
    before = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    fn()
    torch.cuda.synchronize()
    return torch.cuda.max_memory_allocated() - before


def cuda_syncs(fn: Callable[[], object]) -> int:
    """Host syncs during ``fn()`` as torch.cuda.set_sync_debug_mode("warn") reports them."""
    import warnings

    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("warn")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fn()
    finally:
        torch.cuda.set_sync_debug_mode(0)
    return sum("synchroniz" in str(w.message) for w in caught)


def token_loss(logits: torch.Tensor, labels: torch.Tensor) -> dict[str, torch.Tensor]:
    """A causal LM's loss as models compute it: one mean over the non-ignored tokens."""
    return {"loss": F.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=-100)}


def lm_section(shape: tuple[int, int, int], device: torch.device, rounds: int) -> None:
    """Token cross entropy over [B, T, V] logits, one source label per sequence."""
    batch, steps, vocab = shape
    decorated = split_by_source(token_loss)
    labels = [("code", "docs", "licenses")[b % 3] for b in range(batch)]
    generator = torch.Generator().manual_seed(0)
    targets = torch.randint(0, vocab, (batch, steps), generator=generator).to(device)
    targets[:, : steps // 8] = -100  # prompts: ignored
    print(f"\nLanguage-model cross entropy over [{batch}, {steps}, {vocab}] logits (ignore_index, mean), "
          "one source per sequence; the call alone; peak memory above the memory before the call")
    print(f"{'logits':<20}{'undecorated ms':>16}{'decorated ms':>14}{'ratio':>8}{'logits MiB':>12}"
          f"{'peak undec. MiB':>17}{'added MiB':>11}{'added / logits':>16}")
    for dtype, grad in ((torch.float32, True), (torch.bfloat16, True), (torch.float32, False)):
        logits = torch.randn(batch, steps, vocab, generator=generator).to(device, dtype).requires_grad_(grad)

        def plain(logits: torch.Tensor = logits) -> object:
            return token_loss(logits, targets)

        def deco(logits: torch.Tensor = logits) -> object:
            with losssplit.sources(labels):
                return decorated(logits, targets)

        times = interleaved({"plain": plain, "deco": deco}, device, rounds, 1)
        size = logits.numel() * logits.element_size()
        base, added = peak_bytes(plain, device), peak_bytes(deco, device) - peak_bytes(plain, device)
        name = str(dtype).removeprefix("torch.") + (", grad" if grad else ", no grad")
        print(f"{name:<20}{times['plain'] * 1e3:>16.1f}{times['deco'] * 1e3:>14.1f}"
              f"{times['deco'] / times['plain']:>8.3f}{size / 2**20:>12.0f}{base / 2**20:>17.0f}"
              f"{added / 2**20:>11.2f}{added / size * 100:>15.2f}%")
        if device.type == "cuda":
            print(f"{'':<20}CUDA syncs per call: undecorated {cuda_syncs(plain)}, decorated {cuda_syncs(deco)}")
        del logits


def groups_section(device: torch.device, rounds: int, counts: tuple[int, ...] = (2, 100, 1000, 4096)) -> None:
    """One call on 4,096 images under ``losssplit.sources`` with 2 ... 4,096 distinct labels, the
    floor of returning 1,000 companions, and 4,096 sequences of 256 tokens (1M token rows)."""
    images = 4096

    @split_by_source
    def criterion(logits: torch.Tensor, classes: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"loss": F.cross_entropy(logits, classes)}

    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(images, 10, generator=generator).to(device).requires_grad_()
    classes = torch.randint(0, 10, (images,), generator=generator).to(device)
    fns: dict[str, Callable[[], object]] = {"undecorated": lambda: criterion.__wrapped__(logits, classes)}
    for n in counts:
        labels = [f"source{(b * 7919) % n}" for b in range(images)]

        def run(labels: list[str] = labels) -> object:
            with losssplit.sources(labels):
                return criterion(logits, classes)

        fns[f"{n} labels"] = run
    from losssplit._companion import Companion
    from losssplit._split import attach

    records = [Companion(f"loss_source{g}", "loss", f"source{g}", 1.0, 2.0) for g in range(1000)]
    names, values = [r.name for r in records], torch.full((1000,), 0.5, device=device)
    fns["1000 companion tensors alone"] = lambda: attach({}, records, device, (0, 0))

    def tensors_in_a_dict() -> object:
        with torch._C._AutoDispatchBelowADInplaceOrView():  # no view records, as companions are made
            return dict(zip(names, values.clone().unbind()))

    fns["1000 0-dim tensors in a dict"] = tensors_in_a_dict
    times = interleaved(fns, device, rounds, 3)
    print(f"\nNumber of groups: one CE call on {images} images (10 classes), labels from losssplit.sources")
    print(f"{'labels':<30}{'ms/call':>10}{'vs 2 labels':>13}{'us per group over 2':>21}")
    two = times[f"{counts[0]} labels"]
    for name, sec in times.items():
        n = int(name.split()[0]) if name.endswith(" labels") else 0
        ratio = f"{sec / two:.2f}" if n else "-"
        per_group = f"{(sec - two) / (n - counts[0]) * 1e6:.1f}" if n > counts[0] else "-"
        print(f"{name:<30}{sec * 1e3:>10.2f}{ratio:>13}{per_group:>21}")
    floor = times["1000 0-dim tensors in a dict"]
    print(f"1000 labels vs 2: {times['1000 labels'] / two:.2f}; the floor, the 2-label call plus 1000 detached "
          f"0-dim tensors put in a dict (nothing else per group): {(two + floor) / two:.2f}")
    print("(companion tensors alone: 1000 records made into detached scalars carrying them and put in a dict;\n"
          " 0-dim tensors in a dict: one buffer cloned, .unbind() below autograd and the dict, what any 1000 returned\n"
          " tensors cost)")
    for n in (counts[0], 1000):
        collected = gc_time(fns[f"{n} labels"], 100)
        made, cycles = gc_objects(fns[f"{n} labels"])
        print(f"  {n} labels: the cycle collector's own time {collected * 1e3:.2f} ms/call ({len(gc.get_objects()):,} "
              f"objects tracked); a call leaves {made} tracked objects in its dict (one per companion: the "
              f"tensor), {cycles} in reference cycles")
    added = times["1000 labels"] - two
    print(f"  1000 labels add {added * 1e3:.2f} ms to the 2-label call: {floor * 1e3:.2f} ms the 1000 tensors and "
          f"the dict, {collected * 1e3:.2f} ms the cycle collector, {(added - floor - collected) * 1e3:.2f} ms the "
          "rest (grouping, the per-group table read on the host, names, the values)")

    # 1M token rows: 4,096 sequences of 256 tokens, one source label per sequence
    steps, vocab = 256, 10
    token_logits = torch.randn(images, steps, vocab, generator=generator).to(device).requires_grad_()
    token_targets = torch.randint(0, vocab, (images, steps), generator=generator).to(device)
    token_targets[:, : steps // 8] = -100
    decorated = split_by_source(token_loss)
    rows: dict[str, Callable[[], object]] = {"undecorated": lambda: token_loss(token_logits, token_targets)}
    for n in (2, 1000):
        labels = [f"source{(b * 7919) % n}" for b in range(images)]

        def tokens(labels: list[str] = labels) -> object:
            with losssplit.sources(labels):
                return decorated(token_logits, token_targets)

        rows[f"{n} labels"] = tokens
    times = interleaved(rows, device, max(rounds // 3, 3), 1)
    print(f"\n{images} sequences x {steps} tokens ({images * steps:,} token rows, {vocab} classes, ignore_index), "
          "labels per sequence")
    print(f"{'labels':<30}{'ms/call':>10}{'vs undecorated':>16}")
    for name, sec in times.items():
        print(f"{name:<30}{sec * 1e3:>10.2f}{sec / times['undecorated']:>16.2f}")


def gc_time(fn: Callable[[], object], calls: int) -> float:
    """Seconds per call spent in the cycle collector (its collections run when enough tracked
    objects were made, so a call that makes thousands pays for them, full ones included)."""
    spent, start = [0.0], [0.0]

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            start[0] = time.perf_counter()
        else:
            spent[0] += time.perf_counter() - start[0]

    gc.callbacks.append(callback)
    try:
        for _ in range(calls):
            fn()
    finally:
        gc.callbacks.remove(callback)
    return spent[0] / calls


def gc_objects(fn: Callable[[], object]) -> tuple[int, int]:
    """Objects the cycle collector tracks that one call's returned dict keeps alive, and those a
    collection frees after the dict is dropped (reference cycles), with collections held off."""
    fn()
    gc.collect()
    gc.disable()
    try:
        before = len(gc.get_objects())
        out = fn()
        made = len(gc.get_objects()) - before
        del out
        return made, gc.collect()
    finally:
        gc.enable()


def breakdown(call: Callable[[], object], calls: int = 200) -> dict[str, float]:
    """Seconds per decorated call spent in the per-op rules and in the split into companions
    (``_split.finish``), timed by wrapping them for the duration of this measurement."""
    from losssplit import _decorator
    from losssplit._capture import mode

    spent = {"per-op rules": 0.0, "split into companions": 0.0}

    def timed(fn: Callable[..., object], part: str) -> Callable[..., object]:
        def run(*args: object, **kwargs: object) -> object:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[part] += time.perf_counter() - start

        return run

    rules, finish = dict(mode.RULES), _decorator.finish
    try:
        mode.RULES.update({f: timed(r, "per-op rules") for f, r in rules.items()})
        _decorator.finish = timed(finish, "split into companions")  # type: ignore[assignment]
        for _ in range(5):
            call()
        spent.update(dict.fromkeys(spent, 0.0))
        for _ in range(calls):
            call()
    finally:
        mode.RULES.update(rules)
        _decorator.finish = finish
    return {k: v / calls for k, v in spent.items()}


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
    parser.add_argument("--lm-shape", default="32,512,8192", help="B,T,V of the language-model logits")
    parser.add_argument("--lm-rounds", type=int, default=5)
    parser.add_argument("--only-groups", action="store_true", help="only the number-of-groups section")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    print(f"torch {torch.__version__}, device {device}, threads {torch.get_num_threads()}")
    if args.only_groups:
        groups_section(device, args.rounds)
        return

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
    parts = breakdown(lambda: deco.get_relation_loss(*batch))
    parts["mode, decorator and tagging (the rest)"] = crit["decorated"] - base - sum(parts.values())
    print("Where the decorated call's added time goes (timers around the rules and the split):")
    for name, sec in parts.items():
        print(f"  {name:<40}{sec * 1e6:>8.0f} us{sec / hand_added:>8.2f} x hand-written")

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

    lm_section(tuple(int(n) for n in args.lm_shape.split(",")), device, args.lm_rounds)  # type: ignore[arg-type]
    groups_section(device, args.rounds)

    # Switched off: a decorated trivial function (and a method) versus the plain one; timeit, the
    # minimum of repeats (a shared machine's load only adds), interleaved.
    def trivial(x: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"loss": x}

    class Owner:
        def method(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
            return {"loss": x}

        decorated = split_by_source(method)
        unsampled = split_by_source(every=10**9)(method)

    owner, x = Owner(), torch.zeros(())
    wrapped, unsampled = split_by_source(trivial), split_by_source(every=10**9)(trivial)

    def added(pairs: dict[str, tuple[Callable[[], object], Callable[[], object]]]) -> dict[str, float]:
        best = {k: [math.inf, math.inf] for k in pairs}
        for _ in range(args.rounds):
            for name, fns in pairs.items():
                for i, fn in enumerate(fns):
                    best[name][i] = min(best[name][i], timeit.timeit(fn, number=2000) / 2000)
        return {k: (b - a) * 1e6 for k, (a, b) in best.items()}

    plain_pairs = {"function": (lambda: trivial(x), lambda: wrapped(x)),
                   "method": (lambda: owner.method(x), lambda: owner.decorated(x))}
    losssplit.set_enabled(False)
    off = added(plain_pairs)
    losssplit.set_enabled(True)
    os.environ["LOSSSPLIT_DISABLE"] = "1"
    env = added(plain_pairs)
    del os.environ["LOSSSPLIT_DISABLE"]
    not_sampled = added({"function": (lambda: trivial(x), lambda: unsampled(x)),
                         "method": (lambda: owner.method(x), lambda: owner.unsampled(x))})
    print("\nSwitched off, added per call on a trivial function / method (timeit, min of repeats)")
    for name, figures in (("set_enabled(False)", off), ("LOSSSPLIT_DISABLE=1", env), ("every=N, not sampled", not_sampled)):
        print(f"  {name + ':':<24}{figures['function']:.2f} us / {figures['method']:.2f} us")

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
        for name, c in (("undecorated", plain), ("hand-written", hand), ("decorated", deco)):
            print(f"CUDA syncs ({name}): {cuda_syncs(lambda c=c: c.get_relation_loss(*batch))}")


if __name__ == "__main__":
    main()
