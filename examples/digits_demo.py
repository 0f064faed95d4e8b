"""Does synthetic data help on real data? Handwritten digits vs rendered ones, split per source.

* **real**: scikit-learn's ``load_digits`` — 1 797 handwritten digits (the test set of UCI's
  "Optical Recognition of Handwritten Digits"), shipped with scikit-learn, no download. Only a
  small part is used for training; the rest is held out.
* **synthetic**: digits rendered from a 5x7 bitmap font through the same pipeline the real ones
  went through (a 32x32 bitmap, counted in 4x4 blocks -> 8x8 values 0..16), with random size,
  slant, stroke width and position. Cheap and unlimited, but typeset, not handwritten: a domain gap.

The classifier's criterion is one ``F.cross_entropy`` call. Its arguments carry no source, so the
training loop names each row's source with ``losssplit.sources(labels)``; the decorated criterion
then returns ``loss_ce_handwritten`` and ``loss_ce_rendered`` beside ``loss_ce``.

Two runs with the same seed and steps answer the question: real-only, and real + synthetic. The
verdict at the end compares their held-out real loss; it is computed, not written in advance.

Run it from the repository root::

    python examples/digits_demo.py
    losssplit summary outputs/digits_demo/metrics.json
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import math
import time
from collections import defaultdict
from pathlib import Path

import torch
import torch.nn.functional as F
from example_outputs import write_outputs
from torch import nn

import losssplit
from losssplit import split_by_source

REAL, SYNTHETIC = "handwritten", "rendered"  # source labels -> companion keys loss_ce_<label>

# ------------------------------------------------------------------------------------------ criterion


@split_by_source  # <- the one line: per-source companions of every key this returns
def classification_loss(logits: torch.Tensor, targets: torch.Tensor) -> dict[str, torch.Tensor]:
    return {"loss_ce": F.cross_entropy(logits, targets)}


# ---------------------------------------------------------------------------------------- real data


def digits_table() -> tuple[torch.Tensor, torch.Tensor]:
    """sklearn's digits as (pixels [1797, 64] in 0..16, labels): its bundled table is read
    directly, since importing ``sklearn.datasets`` takes seconds; its loader where the file is
    not where sklearn keeps it."""
    spec = importlib.util.find_spec("sklearn")
    roots = spec.submodule_search_locations if spec is not None and spec.submodule_search_locations else []
    path = Path(roots[0], "datasets", "data", "digits.csv.gz") if roots else None
    if path is None or not path.is_file():
        from sklearn.datasets import load_digits

        digits = load_digits()
        return torch.tensor(digits.data, dtype=torch.float32), torch.tensor(digits.target)
    with gzip.open(path, "rt") as f:
        table = torch.tensor([[float(v) for v in line.split(",")] for line in f if line.strip()])
    return table[:, :-1], table[:, -1].long()


def load_real(num_train: int, seed: int) -> tuple[torch.Tensor, ...]:
    """sklearn's digits, split into a small stratified training set and a held-out rest."""
    pixels, y = digits_table()
    x = pixels / 16.0
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    # The first num_train // 10 images of each class (in shuffled order) train; the rest is held out.
    rank_in_class = torch.zeros(len(y), dtype=torch.long)
    seen = defaultdict(int)
    for i in order.tolist():
        rank_in_class[i] = seen[int(y[i])]
        seen[int(y[i])] += 1
    train = rank_in_class < max(num_train // 10, 1)
    return x[train], y[train], x[~train], y[~train]


# ----------------------------------------------------------------------------------- synthetic data

# A classic 5x7 bitmap font: the "typeset" look the renderer cannot get away from.
FONT = {
    0: [".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."],
    1: ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
    2: [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
    3: ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."],
    4: ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
    5: ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
    6: ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."],
    7: ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
    8: [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
    9: [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."],
}


def render_digit(digit: int, g: torch.Generator) -> torch.Tensor:
    """One synthetic digit, 8x8 values in [0, 1], made the way sklearn's digits were made."""
    glyph = torch.tensor([[c == "#" for c in row] for row in FONT[digit]], dtype=torch.float32)
    # Random size: glyphs fill most of a 32x32 bitmap, as the normalised handwriting does.
    h = int(torch.randint(22, 31, (1,), generator=g))
    w = int(torch.randint(14, 25, (1,), generator=g))
    big = F.interpolate(glyph[None, None], size=(h, w), mode="nearest")[0, 0]
    # Random slant: shift each row sideways in proportion to its height.
    slant = float(torch.empty(1).uniform_(-0.25, 0.25, generator=g))
    canvas = torch.zeros(32, 40)
    top = int(torch.randint(0, 33 - h, (1,), generator=g))
    left = 4 + (32 - w) // 2 + int(torch.randint(-2, 3, (1,), generator=g))
    for r in range(h):
        shift = round(slant * (h / 2 - r))
        canvas[top + r, left + shift : left + shift + w] = big[r]
    bitmap = canvas[:, 4:36]
    # Random stroke width: thicken with a 3x3 max filter half of the time.
    if torch.rand(1, generator=g) < 0.5:
        bitmap = F.max_pool2d(bitmap[None, None], 3, stride=1, padding=1)[0, 0]
    # The real pipeline: count "on" pixels in non-overlapping 4x4 blocks -> 8x8 values 0..16.
    return F.avg_pool2d(bitmap[None, None], 4)[0, 0].flatten()


def make_synthetic(n: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    y = torch.arange(n) % 10
    return torch.stack([render_digit(int(d), g) for d in y]), y


# -------------------------------------------------------------------------------------- training


class Classifier(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def sample(
    x: torch.Tensor, y: torch.Tensor, n: int, g: torch.Generator
) -> tuple[torch.Tensor, ...]:
    idx = torch.randint(0, len(y), (n,), generator=g)
    return x[idx], y[idx]


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    logits = model(x)
    return F.cross_entropy(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


def run(
    args: argparse.Namespace,
    data: dict[str, torch.Tensor],
    with_synthetic: bool,
    log: dict[int, dict[str, float]],
    prefix: str,
) -> tuple[list[float], list[float]]:
    """Train one classifier; log into ``log[iteration]``; return its held-out (loss, acc) curves."""
    torch.manual_seed(args.seed)
    g = torch.Generator().manual_seed(args.seed + 1)
    model = Classifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    meter = losssplit.SplitMeter()
    window: list[float] = []
    heldout_loss, heldout_acc = [], []
    for step in range(args.steps):
        x, y = sample(data["x_real"], data["y_real"], args.batch_size, g)
        labels = [REAL] * len(y)
        if with_synthetic:
            xs, ys = sample(data["x_syn"], data["y_syn"], args.batch_size, g)
            x, y, labels = torch.cat([x, xs]), torch.cat([y, ys]), labels + [SYNTHETIC] * len(ys)

        # The loop knows where each row came from; the criterion does not. Tell it for this call.
        with losssplit.sources(labels):
            loss_dict = classification_loss(model(x), y)
        meter.update(losssplit.pop_companions(loss_dict))  # companions: logged, never trained on
        loss = loss_dict["loss_ce"]

        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        window.append(loss.item())

        if (step + 1) % args.eval_period == 0 or step + 1 == args.steps:
            ce, acc = evaluate(model, data["x_test"], data["y_test"])
            heldout_loss.append(ce)
            heldout_acc.append(acc)
            record = log.setdefault(step, {})
            record[f"{prefix}heldout_ce"] = ce
            record[f"{prefix}heldout_acc"] = acc
            if with_synthetic:  # the run whose per-source curves we look at
                record["loss_ce"] = sum(window) / len(window)
                record.update(meter.compute())
            meter.reset()
            window.clear()
    return heldout_loss, heldout_acc


def verdict(base: list[float], mixed: list[float], tolerance: float = 0.02) -> str:
    """Compare the real held-out loss of both runs, averaged over their last evaluations."""
    k = min(3, len(base))
    b, m = sum(base[-k:]) / k, sum(mixed[-k:]) / k
    change = (m - b) / b
    if change < -tolerance:
        outcome = "HELPS"
    elif change > tolerance:
        outcome = "HURTS"
    else:
        outcome = "makes NO CLEAR DIFFERENCE to"
    return (
        f"Verdict: synthetic data {outcome} the real held-out loss "
        f"({b:.4f} real-only -> {m:.4f} with synthetic, {100 * change:+.1f} %; "
        f"mean of the last {k} evaluations)."
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=800)
    parser.add_argument("--batch-size", type=int, default=32, help="rows per source per step")
    parser.add_argument("--real-train", type=int, default=100, help="real training images")
    parser.add_argument("--synthetic", type=int, default=4000, help="rendered training images")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--eval-period", type=int, default=25)
    parser.add_argument("--output-dir", default="outputs/digits_demo")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> str:
    # Tensors this small gain nothing from intra-op threads; one thread also keeps the run time
    # steady when other processes share the cores.
    torch.set_num_threads(1)
    args = parse_args(argv)
    start = time.perf_counter()
    out_dir = Path(args.output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    x_real, y_real, x_test, y_test = load_real(args.real_train, args.seed)
    x_syn, y_syn = make_synthetic(args.synthetic, torch.Generator().manual_seed(args.seed + 2))
    data = {"x_real": x_real, "y_real": y_real, "x_test": x_test, "y_test": y_test}
    data |= {"x_syn": x_syn, "y_syn": y_syn}
    print(
        f"real: {len(y_real)} train / {len(y_test)} held out (sklearn load_digits); "
        f"synthetic: {len(y_syn)} rendered"
    )

    log: dict[int, dict[str, float]] = {}
    base_loss, base_acc = run(args, data, with_synthetic=False, log=log, prefix="baseline_")
    mixed_loss, mixed_acc = run(args, data, with_synthetic=True, log=log, prefix="")

    write_outputs(out_dir, log)  # metrics.json, TensorBoard events, losses.png

    last = log[max(log)]
    real_ce = last.get(f"loss_ce_{REAL}", math.nan)
    syn_ce = last.get(f"loss_ce_{SYNTHETIC}", math.nan)
    print("\nLast window of the mixed run, training loss per source (exact, via SplitMeter):")
    print(
        f"  {REAL:<12} {real_ce:.4f}\n  {SYNTHETIC:<12} {syn_ce:.4f}   ratio {syn_ce / real_ce:.3f}"
    )
    print("Held-out real digits, last evaluation:     loss     accuracy")
    print(f"  real-only                            {base_loss[-1]:.4f}     {base_acc[-1]:.3f}")
    print(f"  real + synthetic                     {mixed_loss[-1]:.4f}     {mixed_acc[-1]:.3f}")
    line = verdict(base_loss, mixed_loss)
    print(line)
    print(f"({time.perf_counter() - start:.1f} s; outputs in {out_dir}/)")
    return line


if __name__ == "__main__":
    main()
