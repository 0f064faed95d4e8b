"""Tiny decorated criteria and a from-scratch reference for the integration tests.

Every test model records, for each training forward, the per-row cross-entropy (computed
independently with ``reduction='none'``) and each row's ``loss_weight``. The reference value of
a companion over a window is then ``sum of its group's row losses / number of its rows`` over
every forward in the window: the value one batch holding the whole window would give.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import losssplit

REAL_AT = 0.9


def group_of(weight: float) -> str:
    return "real" if weight >= REAL_AT else "synthetic"


@losssplit.split_by_source
def ce_criterion(logits: torch.Tensor, y: torch.Tensor) -> dict[str, torch.Tensor]:
    """Labels come from ``losssplit.sources`` (LM / classification style)."""
    return {"loss_ce": F.cross_entropy(logits, y)}


class DetrLikeCriterion(nn.Module):
    """Labels come from the ``loss_weight`` field of per-image target dicts (the default)."""

    @losssplit.split_by_source
    def forward(self, logits: torch.Tensor, targets: Sequence[dict]) -> dict[str, torch.Tensor]:
        y = torch.cat([t["labels"] for t in targets])
        return {"loss_ce": F.cross_entropy(logits, y)}


class Recorder:
    """Per-forward rows: ``(per-row CE as float64 list, per-row weights)``."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[float], list[float]]] = []

    def record(self, logits: torch.Tensor, y: torch.Tensor, weights: Sequence[float]) -> None:
        rows = F.cross_entropy(logits.detach().double(), y, reduction="none")
        self.calls.append((rows.tolist(), [float(w) for w in weights]))


def reference(calls: Sequence[tuple[list[float], list[float]]], key: str = "loss_ce",
              fmt: str = "{key}_{group}") -> dict[str, float]:
    """Exact companions of a window of calls, from scratch (``math.fsum`` over rows)."""
    rows: dict[str, list[float]] = {}
    for losses, weights in calls:
        for loss, w in zip(losses, weights, strict=True):
            rows.setdefault(group_of(w), []).append(loss)
    return {
        fmt.format(key=key, group=g, name=f"{key}_{g}"): math.fsum(v) / len(v)
        for g, v in sorted(rows.items())
    }


def mean_of_means(calls: Sequence[tuple[list[float], list[float]]]) -> dict[str, float]:
    """What a per-step average of per-batch companions gives (the wrong answer)."""
    per: dict[str, list[float]] = {}
    for call in calls:
        for name, value in reference([call]).items():
            per.setdefault(name, []).append(value)
    return {name: sum(v) / len(v) for name, v in per.items()}


def token_means(parts: Sequence[dict[str, tuple[float, int]]]) -> dict[str, float]:
    """``{source: sum of its token losses / its tokens}`` over parts ``{source: (sum, tokens)}``."""
    acc: dict[str, list[float]] = {}
    for part in parts:
        for name, (total, count) in part.items():
            entry = acc.setdefault(name, [0.0, 0])
            entry[0] += total
            entry[1] += count
    return {name: total / count for name, (total, count) in acc.items()}


def assert_logged_token_means(log_history: Sequence[dict], calls: Sequence[dict[str, tuple[float, int]]],
                              forwards_per_log: int, sources: Sequence[str]) -> None:
    """Each logged training entry of an HF Trainer holds, per source, the token mean over the
    forwards of its window (``calls``: per forward, per source (summed loss, tokens))."""
    logged = [h for h in log_history if "loss" in h]
    assert len(logged) * forwards_per_log == len(calls)
    for i, entry in enumerate(logged):
        want = token_means(calls[i * forwards_per_log : (i + 1) * forwards_per_log])
        got = {k[len("loss_") :]: v for k, v in entry.items() if k.startswith("loss_")}
        assert set(got) == set(want) == set(sources)
        assert got == pytest.approx(want, rel=1e-5)


def windows(calls: Sequence, every: int) -> list[list]:
    return [list(calls[i : i + every]) for i in range(0, len(calls), every)]


def assert_close(got: dict[str, float], want: dict[str, float], rel: float = 1e-5) -> None:
    assert sorted(got) == sorted(want), (sorted(got), sorted(want))
    for name in want:
        assert math.isclose(got[name], want[name], rel_tol=rel, abs_tol=1e-7), (
            name, got[name], want[name])


# Batches: 4 rows each; weights chosen so windows hold unequal numbers of real/synthetic
# rows (a mean of per-batch means differs from the exact value) and one batch is all real.
WEIGHTS = [
    [1.0, 1.0, 1.0, 0.5],
    [0.5, 0.5, 1.0, 0.5],
    [1.0, 1.0, 1.0, 1.0],
    [0.5, 1.0, 0.5, 0.5],
    [1.0, 0.5, 1.0, 1.0],
    [0.5, 0.5, 0.5, 1.0],
    [1.0, 1.0, 0.5, 1.0],
    [1.0, 0.5, 0.5, 0.5],
]


def batches(n: int, seed: int = 0) -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """``n`` batches ``(x [4, 4], y [4], w [4])``, deterministic."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for i in range(n):
        x = torch.randn(4, 4, generator=g)
        y = torch.randint(0, 3, (4,), generator=g)
        out.append((x, y, torch.tensor(WEIGHTS[i % len(WEIGHTS)])))
    return out


def tiny_llama(vocab: int, positions: int, **config: object) -> nn.Module:
    """A 2-layer Llama from a small config with random weights (seeded; no hub download)."""
    import transformers

    torch.manual_seed(0)
    cfg = transformers.LlamaConfig(
        vocab_size=vocab, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=positions, **config,
    )
    return transformers.LlamaForCausalLM(cfg)


class TrainingForwards:
    """For every training forward of ``model``, ``reference(model, forward_kwargs)`` at the
    weights of that forward (not for the forwards ``reference`` makes itself)."""

    def __init__(self, model: nn.Module, reference: Callable[[nn.Module, dict], object]) -> None:
        self.calls: list[object] = []
        self.reference = reference
        self.busy = False
        model.register_forward_hook(self.hook, with_kwargs=True)

    def hook(self, module: nn.Module, args: tuple, kwargs: dict, output: object) -> None:
        if self.busy or not module.training:
            return
        self.busy = True
        try:
            self.calls.append(self.reference(module, kwargs))
        finally:
            self.busy = False
