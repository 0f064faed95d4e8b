"""Instructions per call under callgrind: repeatable whatever else the machine runs.

Wall time on a shared machine moves by tens of percent between runs; an instruction count of the
same calls does not (valgrind counts Python and tensor kernels alike, so it gives no time ratio).
Each scenario runs in its own process under ``valgrind --tool=callgrind``, warmed up with
instrumentation off, then counted only inside ``itertools.starmap`` around the timed calls.

    python benchmarks/instructions.py                 # every scenario
    python benchmarks/instructions.py deco hand plain

Scenarios: ``plain`` / ``hand`` / ``deco`` the seed's relation criterion undecorated, split by
hand, decorated (every call); ``empty`` undecorated under a torch function mode that only runs
each op (the floor of watching ops from Python); ``replay`` the same mode comparing each op's
function and output shape with a recorded sequence and keeping the outputs (the floor of replaying
a plan of the rules' decisions, before any check of it); ``g0`` one CE call on 4,096 images
undecorated, ``gN`` decorated with N distinct labels; ``t0`` / ``tN`` the same for 4,096 sequences
of 256 tokens; ``floor1000`` 1,000 detached 0-dim tensors made below autograd and put in a dict
(the floor of 1,000 companions); ``wired`` the same mode comparing
each op's function, the op that made each tensor argument, each Python argument and the output's
shape (the inputs' shapes, dtypes and devices compared once): the floor of checking a plan's ops; ``aten`` / ``atendeco`` the aten calls that one plain / decorated
seed call makes (recorded below autograd), issued again from Python as recorded: their difference
is the floor of any mechanism that computes the same checks and companions, a replayed plan included.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def scenario(name: str) -> Callable[[], object]:
    import torch
    import torch.nn.functional as F

    import losssplit

    torch.set_num_threads(1)
    if name in ("plain", "hand", "deco"):
        from seed_criterion import HandWrittenRelationCriterion, RelationCriterion, make_batch

        class Decorated(RelationCriterion):
            get_relation_loss = losssplit.split_by_source(RelationCriterion.get_relation_loss)

        crit = {"plain": RelationCriterion, "hand": HandWrittenRelationCriterion, "deco": Decorated}[name]()
        batch = make_batch()
        return lambda: crit.get_relation_loss(*batch)
    if name == "empty":  # the undecorated criterion under a torch function mode that only runs each op
        from seed_criterion import RelationCriterion, make_batch
        from torch.overrides import TorchFunctionMode

        class Empty(TorchFunctionMode):
            def __torch_function__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
                return func(*args, **(kwargs or {}))

        plain, batch = RelationCriterion(), make_batch()

        def empty() -> object:
            with Empty():
                return plain.get_relation_loss(*batch)

        return empty
    if name == "replay":  # the floor of replaying a plan: each op's function and output shape compared with a recording
        from seed_criterion import RelationCriterion, make_batch
        from torch.overrides import TorchFunctionMode

        recorded: list[tuple[object, object]] = []

        class Match(TorchFunctionMode):
            def __init__(self, record: bool) -> None:
                super().__init__()
                self.record, self.at, self.same, self.kept = record, 0, True, []

            def __torch_function__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
                out = func(*args, **(kwargs or {}))
                shape = out.shape if type(out) is torch.Tensor else None
                if self.record:
                    recorded.append((func, shape))
                    return out
                k = self.at
                self.same = self.same and k < len(recorded) and recorded[k][0] == func and recorded[k][1] == shape
                self.at = k + 1
                self.kept.append(out)  # the values a plan reads after the call
                return out

        plain, batch = RelationCriterion(), make_batch()
        with Match(True):
            plain.get_relation_loss(*batch)

        def replay() -> object:
            match = Match(False)
            with match:
                result = plain.get_relation_loss(*batch)
            assert match.same and match.at == len(recorded)
            return result

        return replay
    if name == "wired":  # the floor of checking a plan: each op's function, its arguments' wiring, shapes and numbers
        from seed_criterion import RelationCriterion, make_batch
        from torch.overrides import TorchFunctionMode

        signatures: list[tuple[object, ...]] = []

        def tensors_in(value: object, found: list[torch.Tensor]) -> list[torch.Tensor]:
            if type(value) is torch.Tensor:
                found.append(value)
            elif type(value) in (list, tuple):
                for v in value:  # type: ignore[attr-defined]
                    tensors_in(v, found)
            elif type(value) is dict:
                for v in value.values():  # type: ignore[attr-defined]
                    tensors_in(v, found)
            return found

        class Check(TorchFunctionMode):
            def __init__(self, record: bool, inputs: list[torch.Tensor]) -> None:
                super().__init__()
                self.record, self.at, self.same, self.kept = record, 0, True, inputs
                self.where = {id(t): -1 - k for k, t in enumerate(inputs)}  # a tensor -> the op (or input) that made it

            def __torch_function__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
                out = func(*args, **(kwargs or {}))
                where, sig = self.where, [func]
                for a in (*args, *(kwargs or {}).values()):
                    for v in (a if type(a) in (tuple, list) else (a,)):
                        if type(v) is torch.Tensor:  # (its shape, dtype, device follow from its maker's: not compared)
                            sig.append(where.get(id(v)))
                        elif type(v) in (int, float, bool, str) or v is None:
                            sig.append(v)
                        else:
                            sig.append(type(v))
                k = self.at
                self.at = k + 1
                for o in (out if type(out) in (tuple, list) else (out,)):
                    if type(o) is torch.Tensor:
                        where[id(o)] = k
                        sig.append(o.shape)  # (data-dependent: ``nonzero``, a mask's pick)
                if self.record:
                    signatures.append(tuple(sig))
                else:
                    self.same = self.same and k < len(signatures) and signatures[k] == tuple(sig)
                self.kept.append(out)  # (holding each output keeps its id its own during the call)
                return out

        plain, batch = RelationCriterion(), make_batch()
        inputs = tensors_in(batch, [])
        meta = [(t.shape, t.dtype, t.device, t.requires_grad) for t in inputs]
        with Check(True, inputs):
            plain.get_relation_loss(*batch)

        def wired() -> object:
            inputs = tensors_in(batch, [])
            assert [(t.shape, t.dtype, t.device, t.requires_grad) for t in inputs] == meta
            check = Check(False, inputs)
            with check:
                result = plain.get_relation_loss(*batch)
            assert check.same and check.at == len(signatures)
            return result

        return wired
    if name in ("aten", "atendeco"):  # the aten calls of one plain / decorated call, issued again as recorded
        from seed_criterion import RelationCriterion, make_batch
        from torch.utils._python_dispatch import TorchDispatchMode

        class Decorated(RelationCriterion):
            get_relation_loss = losssplit.split_by_source(RelationCriterion.get_relation_loss)

        calls: list[tuple[object, tuple[object, ...], dict[str, object]]] = []

        class Record(TorchDispatchMode):
            def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
                calls.append((func, args, kwargs or {}))
                return func(*args, **(kwargs or {}))

        crit, batch = (RelationCriterion() if name == "aten" else Decorated()), make_batch()
        crit.get_relation_loss(*batch)
        with Record():
            crit.get_relation_loss(*batch)

        def issue() -> object:
            return [func(*args, **kwargs) for func, args, kwargs in calls]  # type: ignore[operator]

        return issue
    if name == "floor1000":
        names, values = [f"loss_source{g}" for g in range(1000)], torch.full((1000,), 0.5)

        def floor() -> object:
            with torch._C._AutoDispatchBelowADInplaceOrView():
                return dict(zip(names, values.clone().unbind()))

        return floor
    images, labels_count, tokens = 4096, int(name[1:]), name[0] == "t"
    generator = torch.Generator().manual_seed(0)
    shape = (images, 256, 10) if tokens else (images, 10)
    logits = torch.randn(*shape, generator=generator).requires_grad_()
    classes = torch.randint(0, 10, shape[:-1], generator=generator)
    if tokens:
        classes[:, :32] = -100

    def body(lo: torch.Tensor, c: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"loss": F.cross_entropy(lo.flatten(0, 1), c.flatten(), ignore_index=-100) if tokens
                else F.cross_entropy(lo, c)}

    if not labels_count:
        return lambda: body(logits, classes)
    decorated = losssplit.split_by_source(body)
    labels = [f"source{(b * 7919) % labels_count}" for b in range(images)]

    def run() -> object:
        with losssplit.sources(labels):
            return decorated(logits, classes)

    return run


def child(name: str, calls: int, go: str) -> None:
    """Runs under valgrind: warm up, wait for instrumentation, then the counted calls."""
    fn = scenario(name)
    for _ in range(10):
        fn()
    Path(go + ".ready").touch()
    while not os.path.exists(go):
        time.sleep(0.05)
    for _ in range(3):  # the first calls after instrumentation starts fill valgrind's caches
        fn()
    for _ in itertools.starmap(fn, [()] * calls):
        pass


def count(name: str) -> int:
    """Instructions per call of scenario ``name``."""
    calls = 2 if name[0] == "t" else 20  # the token scenarios are long; 20 calls average the cycle collector
    with tempfile.TemporaryDirectory() as tmp:
        out, go = os.path.join(tmp, "callgrind.out"), os.path.join(tmp, "go")
        proc = subprocess.Popen(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--collect-atstart=no",
             "--toggle-collect=starmap_next", f"--callgrind-out-file={out}",
             sys.executable, __file__, "--child", name, str(calls), go],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        while not os.path.exists(go + ".ready"):
            if proc.poll() is not None:
                raise RuntimeError(f"{name}: {proc.stderr.read()[-2000:] if proc.stderr else ''}")
            time.sleep(0.2)
        subprocess.run(["callgrind_control", "-i", "on", str(proc.pid)], check=True, capture_output=True)
        Path(go).touch()
        proc.wait()
        total = re.search(r"^(?:summary|totals): (\d+)", Path(out).read_text(), re.M)
        if total is None:
            raise RuntimeError(f"{name}: no totals in callgrind's output")
        return int(total.group(1)) // calls


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        sys.path[:0] = [str(ROOT), str(ROOT / "examples")]
        child(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        return
    names = sys.argv[1:] or ["plain", "hand", "deco", "empty", "replay", "g0", "g2", "g1000", "floor1000", "t0", "t2"]
    counts = {}
    for name in names:
        counts[name] = count(name)
        print(f"{name:<10}{counts[name] / 1e6:>9.2f} M instructions/call", flush=True)
    summary(counts)


def summary(counts: dict[str, int]) -> None:
    """Issue #15's targets, each measured side by side with the floor that bounds it from below:
    what a mechanism of that kind costs before it does any work of its own."""
    rows = []
    if {"plain", "hand", "deco"} <= counts.keys():
        hand = counts["hand"] - counts["plain"]
        print(f"decorated adds {(counts['deco'] - counts['plain']) / 1e6:.2f} M, hand-written {hand / 1e6:.2f} M")
        floors = [f"{(counts[n] - counts['plain']) / hand:.2f}x ({what}: {(counts[n] - counts['plain']) / 1e6:.2f} M)"
                  for n, what in (("empty", "an empty torch function mode"),
                                  ("replay", "a plan replayed: each op matched to a recording"),
                                  ("wired", "a plan's ops checked: their wiring and Python arguments"))
                  if n in counts]
        floor = "; ".join(floors) or "not measured (add 'empty', 'replay')"
        rows.append(("every call: added / hand-written's", f"{(counts['deco'] - counts['plain']) / hand:.2f}x", "<= 4x", floor))
    if {"g2", "g1000"} <= counts.keys():
        floor = "not measured (add 'floor1000')"
        if "floor1000" in counts:
            floor = f"{(counts['g2'] + counts['floor1000']) / counts['g2']:.2f}x (the 2-label call + 1,000 tensors in a dict)"
        rows.append(("1,000 labels / 2 labels", f"{counts['g1000'] / counts['g2']:.2f}x", "<= 1.5x", floor))
    if {"t0", "t2"} <= counts.keys():
        rows.append(("1M token rows, 2 labels / undecorated", f"{counts['t2'] / counts['t0']:.2f}x", "-", "-"))
    if rows:
        print(f"\n{'instructions per call':<40}{'measured':>10}{'target':>9}  floor")
        for name, measured, target, floor in rows:
            print(f"{name:<40}{measured:>10}{target:>9}  {floor}")


if __name__ == "__main__":
    main()
