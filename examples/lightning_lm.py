"""The language-model mixture of ``lm_mixture_demo.py`` as a ``LightningModule``.

Each batch carries its rows' sources (``batch["source"]``, a list of strings from the default
collate); ``training_step`` and ``validation_step`` give them to the decorated loss with
``losssplit.sources(...)``. ``LossSplitCallback`` logs ``loss_<source>`` over each logging window
and ``val_loss_<source>`` once per validation epoch, both exact (the sum of a source's token losses
over the number of its tokens, over every batch and rank), next to Lightning's own ``val_loss``
(a mean of per-batch means).

Run it from the repository root::

    python examples/lightning_lm.py
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import torch
from torch.utils.data import DataLoader, Dataset

import losssplit
from losssplit.integrations.lightning import LossSplitCallback

try:
    import lightning.pytorch as pl
except ImportError:  # the older distribution name
    import pytorch_lightning as pl  # type: ignore[no-redef]

from lm_mixture_demo import (
    SOURCES,
    ByteTokenizer,
    TinyCausalLM,
    eval_rows,
    lm_loss,
    load_sources,
    split_train_eval,
)


class Windows(Dataset):
    """Rows ``{"input_ids", "targets", "source"}``: ``length``-byte windows of each source."""

    def __init__(self, rows: Sequence[tuple[torch.Tensor, torch.Tensor, str]]) -> None:
        self.rows = list(rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> dict[str, object]:
        x, y, source = self.rows[i]
        return {"input_ids": x, "targets": y, "source": source}


def make_datasets(text: dict[str, str], length: int, train_rows: int, val_rows: int, seed: int) -> tuple[Windows, Windows]:
    """Random training windows of each source's first 90 %, consecutive held-out windows of the
    rest; both in a shuffled order, so batches mix sources."""
    g = torch.Generator().manual_seed(seed)
    train, val = [], []
    for name in SOURCES:
        train_ids, val_ids = split_train_eval(ByteTokenizer().encode(text[name]), 0.1)
        for _ in range(train_rows):
            start = int(torch.randint(0, len(train_ids) - length - 1, (1,), generator=g))
            window = train_ids[start : start + length + 1]
            train.append((window[:-1], window[1:], name))
        x, y = eval_rows(val_ids, length, val_rows)
        val += [(x[i], y[i], name) for i in range(len(x))]
    shuffle = torch.randperm(len(train), generator=g).tolist()
    mixed = torch.randperm(len(val), generator=g).tolist()
    return Windows([train[i] for i in shuffle]), Windows([val[i] for i in mixed])


class MixtureLM(pl.LightningModule):
    """A tiny causal LM; its loss is ``lm_loss`` (decorated, returns a tensor)."""

    def __init__(self, dim: int = 64, layers: int = 2, heads: int = 4, length: int = 64, lr: float = 3e-3) -> None:
        super().__init__()
        self.lr = lr
        self.model = TinyCausalLM(ByteTokenizer.vocab_size, dim, layers, heads, length)

    def _loss(self, batch: dict[str, object]) -> torch.Tensor:
        with losssplit.sources(batch["source"]):  # one source per row, straight from the batch
            return lm_loss(self.model(batch["input_ids"]), batch["targets"])

    def training_step(self, batch: dict[str, object], batch_idx: int) -> torch.Tensor:
        loss = self._loss(batch)
        self.log("train_loss", loss, on_step=True, on_epoch=False, batch_size=len(batch["source"]))
        return loss

    def validation_step(self, batch: dict[str, object], batch_idx: int) -> None:
        self.log("val_loss", self._loss(batch), on_epoch=True, batch_size=len(batch["source"]))

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.AdamW(self.parameters(), lr=self.lr, weight_decay=0.01)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--train-rows", type=int, default=400, help="training windows per source")
    parser.add_argument("--val-rows", type=int, default=40, help="held-out windows per source")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-chars", type=int, default=200_000)
    parser.add_argument("--output-dir", default="outputs/lightning_lm")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, float]:
    torch.set_num_threads(1)
    args = parse_args(argv)
    start = time.perf_counter()
    pl.seed_everything(args.seed, verbose=False)
    train, val = make_datasets(load_sources(args.max_chars), 64, args.train_rows, args.val_rows, args.seed)
    module = MixtureLM()
    trainer = pl.Trainer(
        max_epochs=args.epochs, accelerator="cpu", devices=1, log_every_n_steps=10,
        callbacks=[LossSplitCallback()], default_root_dir=args.output_dir,
        logger=pl.loggers.CSVLogger(args.output_dir), enable_checkpointing=False,
        enable_progress_bar=False, enable_model_summary=False,
    )
    trainer.fit(
        module,
        DataLoader(train, batch_size=args.batch_size, shuffle=True),
        DataLoader(val, batch_size=args.batch_size),
    )
    metrics = {k: float(v) for k, v in trainer.callback_metrics.items() if k.startswith("val_loss")}
    for name, value in sorted(metrics.items()):
        print(f"{name:<18} {value:.4f}")
    print(f"({time.perf_counter() - start:.1f} s; CSV logs in {args.output_dir}/)")
    return metrics


if __name__ == "__main__":
    main()
