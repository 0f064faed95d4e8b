"""A tiny causal language model on a mixture of three text sources, with per-source loss curves.

The three sources are real text found on every machine that runs this demo, no download:

* **code**: the Python standard library's modules, as code only (``ast.unparse`` of each module
  with its docstrings removed: no comments, no docstrings);
* **docs**: the docstrings of the same modules (English prose about code);
* **licenses**: license texts: the standard library's ``LICENSE.txt``, the license files of the
  installed packages (``*.dist-info``) and ``/usr/share/common-licenses`` where it exists.

A byte-level tokenizer (256 ids) and a two-layer causal transformer. The model's loss is one
``F.cross_entropy`` returning a tensor; ``@split_by_source(name="loss")`` sends its per-source
companions ``loss_code``, ``loss_docs``, ``loss_licenses`` to a ``SplitMeter`` (the training
window) and to another one (the held-out evaluation), each exact: ``sum`` of the group's token
losses over the number of its tokens, however the rows fell into batches.

Training rows are packed: each holds several documents (windows of 8-48 bytes) from sources
chosen at random, and ``losssplit.sources(token_sources, names=SOURCES)`` gives one source id per
token (``label_rows``), so each source's loss is its own tokens' mean even inside mixed rows. (The
model attends across the documents of a row, as plain packing does; the first byte of each
document is not predicted.)

Run it from the repository root::

    python examples/lm_mixture_demo.py
    losssplit summary outputs/lm_mixture_demo/metrics.json
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import glob
import math
import os
import sysconfig
import time
from collections.abc import Sequence
from pathlib import Path

import torch
import torch.nn.functional as F
from example_outputs import write_outputs
from torch import nn

import losssplit
from losssplit import split_by_source

SOURCES = ("code", "docs", "licenses")  # source ids 0, 1, 2 -> companions loss_<name>
IGNORE = -100

# ------------------------------------------------------------------------------------------ loss


@split_by_source(name="loss")  # <- the one line: the returned tensor is untouched; companions
def lm_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:  # go to the meter
    """Mean next-byte cross entropy over the non-ignored targets."""
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=IGNORE)


# ------------------------------------------------------------------------------------------ data


class ByteTokenizer:
    """UTF-8 bytes as token ids 0..255."""

    vocab_size = 256

    def encode(self, text: str) -> torch.Tensor:
        return torch.frombuffer(bytearray(text.encode("utf-8")), dtype=torch.uint8).long()

    def decode(self, ids: Sequence[int]) -> str:
        return bytes(int(i) for i in ids).decode("utf-8", errors="replace")


def _strip_docstrings(tree: ast.AST) -> list[str]:
    """Remove every docstring from ``tree`` in place; return them."""
    docs = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                docs.append(doc)
                node.body = node.body[1:] or [ast.Pass()]
    return docs


def load_sources(max_chars: int) -> dict[str, str]:
    """Up to ``max_chars`` characters of each source, read in a fixed order (sorted paths)."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    code: list[str] = []
    docs: list[str] = []
    for path in sorted(stdlib.glob("*.py")):
        if sum(map(len, code)) >= max_chars and sum(map(len, docs)) >= max_chars:
            break
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        docs.extend(_strip_docstrings(tree))
        code.append(ast.unparse(tree))
    license_files = [stdlib / "LICENSE.txt"]
    license_files += sorted(Path(p) for p in glob.glob("/usr/share/common-licenses/*"))
    for site in sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}):
        license_files += sorted(Path(p) for p in glob.glob(os.path.join(site, "*.dist-info", "licenses", "*")))
        license_files += sorted(Path(p) for p in glob.glob(os.path.join(site, "*.dist-info", "LICEN[CS]E*")))
    licenses: list[str] = []
    for path in license_files:
        if sum(map(len, licenses)) >= max_chars:
            break
        if path.is_file():
            with contextlib.suppress(OSError, UnicodeDecodeError):
                licenses.append(path.read_text(encoding="utf-8"))
    text = {"code": "\n\n".join(code), "docs": "\n\n".join(docs), "licenses": "\n\n".join(licenses)}
    for name, body in text.items():
        if len(body) < 10_000:
            raise SystemExit(f"lm_mixture_demo: found only {len(body)} characters of {name!r} text on this machine")
    return {name: body[:max_chars] for name, body in text.items()}


def split_train_eval(ids: torch.Tensor, eval_fraction: float) -> tuple[torch.Tensor, torch.Tensor]:
    cut = int(len(ids) * (1 - eval_fraction))
    return ids[:cut], ids[cut:]


def sample_rows(
    streams: Sequence[torch.Tensor], rows: int, length: int, g: torch.Generator, doc_bytes: tuple[int, int] = (8, 48)
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``rows`` packed rows of ``length + 1`` bytes: documents (windows of ``doc_bytes`` bytes, each
    from one source chosen uniformly) placed one after another, as a packing collator would.

    Returns inputs ``[rows, length]``, targets ``[rows, length]`` (the next byte; the first byte of
    each document is ignored, so no prediction crosses a boundary) and the source id of every
    target ``[rows, length]``.
    """
    inputs, targets, sources = [], [], []
    for _ in range(rows):
        pieces, source, document, n = [], [], [], 0
        while n < length + 1:
            s = int(torch.randint(0, len(streams), (1,), generator=g))
            size = min(int(torch.randint(doc_bytes[0], doc_bytes[1] + 1, (1,), generator=g)), length + 1 - n)
            start = int(torch.randint(0, len(streams[s]) - size, (1,), generator=g))
            pieces.append(streams[s][start : start + size])
            source.append(torch.full((size,), s))
            document.append(torch.full((size,), len(document)))
            n += size
        row, src, doc = torch.cat(pieces), torch.cat(source), torch.cat(document)
        target = row[1:].clone()
        target[doc[1:] != doc[:-1]] = IGNORE
        inputs.append(row[:-1])
        targets.append(target)
        sources.append(src[1:])
    return torch.stack(inputs), torch.stack(targets), torch.stack(sources)


def eval_rows(stream: torch.Tensor, length: int, limit: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Consecutive non-overlapping windows of a held-out stream (inputs, targets)."""
    n = min((len(stream) - 1) // length, limit)
    x = stream[: n * length].view(n, length)
    y = stream[1 : n * length + 1].view(n, length)
    return x, y


def label_rows(token_sources: torch.Tensor) -> contextlib.AbstractContextManager[None]:
    """The source labels of a batch for the decorated loss: one source id per token (the loss at
    position ``t`` predicts target ``t``, whose source it is)."""
    return losssplit.sources(token_sources, names=SOURCES)


# ----------------------------------------------------------------------------------------- model


class TinyCausalLM(nn.Module):
    """Byte embeddings, learned positions, pre-norm transformer layers with a causal mask."""

    def __init__(self, vocab: int = 256, dim: int = 64, layers: int = 2, heads: int = 4, length: int = 64) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.position = nn.Parameter(torch.zeros(length, dim))
        layer = nn.TransformerEncoderLayer(dim, heads, 4 * dim, dropout=0.0, batch_first=True, norm_first=True)
        self.layers = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab)
        nn.init.normal_(self.position, std=0.02)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        t = ids.shape[1]
        mask = nn.Transformer.generate_square_subsequent_mask(t, device=ids.device)
        h = self.embed(ids) + self.position[:t]
        return self.head(self.norm(self.layers(h, mask=mask, is_causal=True)))


# -------------------------------------------------------------------------------------- training


@torch.no_grad()
def evaluate(model: nn.Module, held_out: dict[str, tuple[torch.Tensor, torch.Tensor]], batch: int) -> dict[str, float]:
    """``eval_loss`` and ``eval_loss_<source>``: exact token means over the held-out windows."""
    model.eval()
    meter = losssplit.SplitMeter()
    total, tokens = 0.0, 0
    for k, name in enumerate(SOURCES):
        x, y = held_out[name]
        for i in range(0, len(x), batch):
            xb, yb = x[i : i + batch], y[i : i + batch]
            with meter.collect(), label_rows(torch.full_like(yb, k)):
                loss = lm_loss(model(xb), yb)
            total += loss.item() * yb.numel()
            tokens += yb.numel()
    model.train()
    return {"eval_loss": total / tokens, **{f"eval_{k}": v for k, v in meter.compute().items()}}


def train(args: argparse.Namespace, text: dict[str, str], log: dict[int, dict[str, float]]) -> nn.Module:
    tok = ByteTokenizer()
    streams, held_out = [], {}
    for name in SOURCES:
        train_ids, eval_ids = split_train_eval(tok.encode(text[name]), args.eval_fraction)
        streams.append(train_ids)
        held_out[name] = eval_rows(eval_ids, args.length, args.eval_rows)
    torch.manual_seed(args.seed)
    g = torch.Generator().manual_seed(args.seed + 1)
    model = TinyCausalLM(tok.vocab_size, args.dim, args.layers, args.heads, args.length)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    meter = losssplit.SplitMeter()
    window: list[float] = []
    for step in range(args.steps):
        x, y, token_sources = sample_rows(streams, args.batch_size, args.length, g)
        with meter.collect(), label_rows(token_sources):
            loss = lm_loss(model(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        window.append(loss.item())
        last = step + 1 == args.steps
        if (step + 1) % args.log_period == 0 or last:
            log.setdefault(step, {}).update({"loss": sum(window) / len(window), **meter.compute()})
            meter.reset()
            window.clear()
        if (step + 1) % args.eval_period == 0 or last:
            log.setdefault(step, {}).update(evaluate(model, held_out, args.batch_size))
    return model


def table(log: dict[int, dict[str, float]]) -> str:
    """Per source: the last training window, the first and last held-out loss (nats and bits per byte)."""
    train_last = log[max(i for i, r in log.items() if "loss" in r)]
    evals = [r for _, r in sorted(log.items()) if "eval_loss" in r]
    lines = [f"{'source':<10} {'train':>8} {'eval first':>11} {'eval last':>10} {'bits/byte':>10}"]
    for name in ("", *SOURCES):
        key = f"loss_{name}" if name else "loss"
        first, final = evals[0].get(f"eval_{key}", math.nan), evals[-1].get(f"eval_{key}", math.nan)
        lines.append(
            f"{name or 'all':<10} {train_last.get(key, math.nan):>8.4f} {first:>11.4f} {final:>10.4f} "
            f"{final / math.log(2):>10.3f}"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--length", type=int, default=64, help="bytes per row")
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--max-chars", type=int, default=300_000, help="characters read per source")
    parser.add_argument("--eval-fraction", type=float, default=0.1)
    parser.add_argument("--eval-rows", type=int, default=48, help="held-out rows per source")
    parser.add_argument("--log-period", type=int, default=20)
    parser.add_argument("--eval-period", type=int, default=50)
    parser.add_argument("--output-dir", default="outputs/lm_mixture_demo")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[int, dict[str, float]]:
    # One thread: tensors this small gain little from more, and shared cores stay steady.
    torch.set_num_threads(1)
    args = parse_args(argv)
    start = time.perf_counter()
    out_dir = Path(args.output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    text = load_sources(args.max_chars)
    print("sources: " + ", ".join(f"{name} {len(body):,} chars" for name, body in text.items()))
    log: dict[int, dict[str, float]] = {}
    train(args, text, log)
    write_outputs(out_dir, log)
    print("\nPer-source loss (nats per byte; exact token means via SplitMeter):")
    print(table(log))
    print(f"({time.perf_counter() - start:.1f} s; outputs in {out_dir}/)")
    return log


if __name__ == "__main__":
    main()
