"""The seed's scenario end to end on CPU: real and synthetic scenes, one relation criterion, and
per-source loss curves from one decorator line.

A tiny DETR-style relation detector (conv encoder + transformer decoder over learned queries) is
trained on mixed batches:

* **real** scenes (``loss_weight`` 1.0): sensor noise, clutter that occludes parts of the
  relations, boxes of any size anywhere, and 10 % annotation noise on the relation labels;
* **synthetic** scenes (``loss_weight`` 0.5): a clean renderer with no noise, no clutter, exact
  labels, and boxes from a few template sizes on a coarse grid.

The weighted training loss mixes both, so it cannot say which source the model is learning. The
criterion is the seed's ``RelationCriterion.get_relation_loss`` unchanged; ``DemoCriterion`` adds
the one ``@split_by_source`` line, and every loss term then comes back with ``_real`` and
``_synthetic`` companions, aggregated exactly over each logging window by ``SplitMeter``.

Run it from the repository root::

    python examples/relation_demo.py            # ~20 s on 2 CPU cores
    losssplit summary outputs/relation_demo/metrics.json
    tensorboard --logdir outputs/relation_demo

Outputs (in ``--output-dir``): ``metrics.json`` (detectron2-style JSON lines), TensorBoard events,
and ``losses.png`` (one panel per term: main, real, synthetic).
"""

from __future__ import annotations

import argparse
import math
import time
from collections import defaultdict
from pathlib import Path

import torch
from scipy.optimize import linear_sum_assignment
from seed_criterion import (  # examples/seed_criterion.py: the seed's criterion, unchanged
    RelationCriterion,
    corners,
    pairwise_giou,
)
from torch import nn
from torch.utils.tensorboard import SummaryWriter
from tqdm import tqdm

import losssplit
from losssplit import split_by_source
from losssplit.integrations.metrics_json import append_metrics_json
from losssplit.integrations.tensorboard import log_to_tensorboard

NUM_REL_CLASSES = 6
IMAGE_SIZE = 16
NUM_QUERIES = 8
MAX_RELATIONS = 4
REAL_WEIGHT, SYNTHETIC_WEIGHT = 1.0, 0.5  # the seed's loss_weight values
# DETR's weighting of the three terms in the training loss (class, L1, GIoU).
LOSS_WEIGHTS = {"loss_relation": 1.0, "loss_bbox_relation": 5.0, "loss_giou_relation": 2.0}


# ---------------------------------------------------------------------------------------- criterion


class DemoCriterion(RelationCriterion):
    """The seed's criterion plus Hungarian matching; its loss method is the seed's, unchanged."""

    # ↓↓↓ The one line losssplit asks for. Every key get_relation_loss returns now also comes back
    # as {key}_real / {key}_synthetic, split by each target dict's "loss_weight" (>= 0.9 is real).
    get_relation_loss = split_by_source(RelationCriterion.get_relation_loss)

    def forward(self, outputs: dict[str, torch.Tensor], targets: list[dict]) -> dict:
        indices = hungarian_match(outputs, targets)
        num_boxes = float(max(sum(len(t["rel_labels"]) for t in targets), 1))
        return self.get_relation_loss(outputs, targets, indices, num_boxes)


@torch.no_grad()
def hungarian_match(outputs: dict[str, torch.Tensor], targets: list[dict]) -> list[tuple]:
    """DETR's matcher: per image, the query-to-relation assignment of least cost."""
    probs = outputs["pred_rel_logits"].softmax(-1)
    indices = []
    for b, target in enumerate(targets):
        labels, boxes = target["rel_labels"], target["rel_boxes"]
        pred_boxes = outputs["pred_rel_boxes"][b]
        cost = (
            -probs[b][:, labels]
            + 5.0 * torch.cdist(pred_boxes, boxes, p=1)
            - 2.0 * pairwise_giou(corners(pred_boxes), corners(boxes))
        )
        rows, cols = linear_sum_assignment(cost.numpy())
        indices.append((torch.as_tensor(rows, dtype=torch.long), torch.as_tensor(cols)))
    return indices


# -------------------------------------------------------------------------------------------- data


def make_scene(synthetic: bool, g: torch.Generator) -> tuple[torch.Tensor, dict]:
    """One scene: an image with one channel per relation class (+ clutter) and its targets.

    A relation is drawn as a filled box in its class's channel. The two sources differ the way a
    renderer differs from a camera: synthetic scenes are clean and regular, real ones are not.
    """
    image = torch.zeros(NUM_REL_CLASSES + 1, IMAGE_SIZE, IMAGE_SIZE)
    n = int(torch.randint(1, MAX_RELATIONS + 1, (1,), generator=g))
    labels = torch.randint(0, NUM_REL_CLASSES, (n,), generator=g)
    if synthetic:
        # Template sizes on a coarse grid: a narrow, easy box distribution.
        size = torch.tensor([0.25, 0.375])[torch.randint(0, 2, (n, 2), generator=g)]
        center = torch.randint(2, 7, (n, 2), generator=g) / 8.0
    else:
        size = 0.15 + 0.35 * torch.rand(n, 2, generator=g)
        center = size / 2 + (1 - size) * torch.rand(n, 2, generator=g)
    boxes = torch.cat([center, size], dim=1)  # cx, cy, w, h in [0, 1]
    for label, (x0, y0, x1, y1) in zip(labels.tolist(), _to_pixels(boxes), strict=True):
        image[label, y0:y1, x0:x1] = 1.0
    if not synthetic:
        # Clutter occludes parts of the relations; the sensor adds noise.
        for x0, y0, x1, y1 in _to_pixels(_random_boxes(2, g)):
            image[:, y0:y1, x0:x1] = 0.0
            image[NUM_REL_CLASSES, y0:y1, x0:x1] = 1.0
        image += 0.35 * torch.randn(image.shape, generator=g)
        # Annotation noise: 10 % of real relation labels are wrong.
        flip = torch.rand(n, generator=g) < 0.1
        labels = torch.where(flip, torch.randint(0, NUM_REL_CLASSES, (n,), generator=g), labels)
    target = {
        "rel_labels": labels,
        "rel_boxes": boxes,
        "loss_weight": SYNTHETIC_WEIGHT if synthetic else REAL_WEIGHT,
    }
    return image, target


def _random_boxes(n: int, g: torch.Generator) -> torch.Tensor:
    size = 0.1 + 0.2 * torch.rand(n, 2, generator=g)
    return torch.cat([size / 2 + (1 - size) * torch.rand(n, 2, generator=g), size], dim=1)


def _to_pixels(boxes: torch.Tensor) -> list[tuple[int, int, int, int]]:
    xyxy = (corners(boxes) * IMAGE_SIZE).round().long().clamp(0, IMAGE_SIZE)
    return [tuple(b) for b in xyxy.tolist()]


def make_batch(batch_size: int, g: torch.Generator) -> tuple[torch.Tensor, list[dict]]:
    """A mixed batch: each scene is synthetic with probability 1/2, as in a concatenated dataset."""
    scenes = [make_scene(bool(torch.rand(1, generator=g) < 0.5), g) for _ in range(batch_size)]
    return torch.stack([image for image, _ in scenes]), [target for _, target in scenes]


# ------------------------------------------------------------------------------------------- model


class TinyRelationDETR(nn.Module):
    """Conv encoder -> transformer decoder over learned queries -> class logits and boxes."""

    def __init__(self, dim: int = 64):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(NUM_REL_CLASSES + 1, dim, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(dim, dim, 3, stride=2, padding=1),
            nn.ReLU(),
        )
        tokens = (IMAGE_SIZE // 2) ** 2
        self.pos = nn.Parameter(0.02 * torch.randn(1, tokens, dim))
        self.queries = nn.Parameter(0.02 * torch.randn(1, NUM_QUERIES, dim))
        layer = nn.TransformerDecoderLayer(
            dim, nhead=4, dim_feedforward=2 * dim, dropout=0.0, batch_first=True
        )
        self.decoder = nn.TransformerDecoder(layer, num_layers=2)
        self.class_head = nn.Linear(dim, NUM_REL_CLASSES + 1)  # last class: "no relation"
        self.box_head = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, 4))

    def forward(self, images: torch.Tensor) -> dict[str, torch.Tensor]:
        memory = self.encoder(images).flatten(2).transpose(1, 2) + self.pos
        hidden = self.decoder(self.queries.expand(len(images), -1, -1), memory)
        return {
            "pred_rel_logits": self.class_head(hidden),
            "pred_rel_boxes": self.box_head(hidden).sigmoid(),
        }


# ---------------------------------------------------------------------------------------- training


def train(args: argparse.Namespace) -> dict[str, float]:
    """Train, log every ``--log-period`` iterations, and return the last window's companions."""
    # Tensors this small gain nothing from intra-op threads; one thread also keeps the run time
    # steady when other processes share the cores.
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    data_rng = torch.Generator().manual_seed(args.seed)
    out_dir = Path(args.output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    model = TinyRelationDETR()
    criterion = DemoCriterion(num_rel_classes=NUM_REL_CLASSES)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    meter = losssplit.SplitMeter()  # exact sum(num) / sum(den) per companion over a window
    window: dict[str, list[float]] = defaultdict(list)  # main keys, averaged per window
    last_window: dict[str, float] = {}

    metrics_path = out_dir / "metrics.json"
    metrics_path.unlink(missing_ok=True)
    tb = SummaryWriter(str(out_dir))
    # Show each term's main, real and synthetic curves in one TensorBoard chart.
    tb.add_custom_scalars(
        {
            "losssplit": {
                key: ["Multiline", [key, f"{key}/real", f"{key}/synthetic"]] for key in LOSS_WEIGHTS
            }
        }
    )

    progress = tqdm(range(args.iterations), desc="relation_demo", unit="it", disable=args.quiet)
    start = time.perf_counter()
    for iteration in progress:
        images, targets = make_batch(args.batch_size, data_rng)
        loss_dict = criterion(model(images), targets)

        # Companions are logged, never trained on: take them out before anything sums the dict.
        # (Summing loss_dict.values() after this is safe — detectron2's SimpleTrainer does that.)
        companions = losssplit.pop_companions(loss_dict)
        meter.update(companions)
        loss = sum(LOSS_WEIGHTS[k] * v for k, v in loss_dict.items())

        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

        # Main keys: a plain mean over the window's iterations, as trainers log them. Companions
        # need more care (a window's batches hold different numbers of real and synthetic
        # rows), which is why they go through SplitMeter instead.
        for key, value in loss_dict.items():
            window[key].append(value.item())
        window["total_loss"].append(loss.item())

        if (iteration + 1) % args.log_period == 0 or iteration + 1 == args.iterations:
            means = {key: sum(v) / len(v) for key, v in window.items()}
            means["lr"] = optimizer.param_groups[0]["lr"]
            means["time"] = (time.perf_counter() - start) / (iteration + 1)
            for key, value in means.items():
                tb.add_scalar(key, value, iteration)
            # The meter's exact window values: TensorBoard tags loss_relation/real, ..., then one
            # metrics.json line (detectron2's format) holding them beside the means; that call
            # also starts the next window.
            log_to_tensorboard(meter, tb, iteration, reset=False)
            last_window = append_metrics_json(meter, metrics_path, iteration, extra=means)
            progress.set_postfix(
                real=f"{last_window.get('loss_relation_real', math.nan):.3f}",
                synthetic=f"{last_window.get('loss_relation_synthetic', math.nan):.3f}",
            )
            window.clear()
    tb.close()
    return last_window


def print_table(last_window: dict[str, float], iteration: int) -> None:
    """Per term: real vs synthetic over the last logging window, and their ratio."""
    print(f"\nLast window (ends at iteration {iteration}), exact sum(num) / sum(den) per source:")
    print(
        "Companions are unweighted (every loss_weight taken as 1), so the weighted training loss,\n"
        "in which synthetic rows count 0.5, can sit below both of them."
    )
    print(f"{'term':<22}{'real':>10}{'synthetic':>12}{'synthetic/real':>16}")
    ratios = []
    for key in LOSS_WEIGHTS:
        real = last_window.get(f"{key}_real", math.nan)
        synthetic = last_window.get(f"{key}_synthetic", math.nan)
        ratio = synthetic / real if real else math.nan
        ratios.append(ratio)
        print(f"{key:<22}{real:>10.4f}{synthetic:>12.4f}{ratio:>16.3f}")
    if all(r < 0.9 for r in ratios):
        print(
            "Every term ends lower on synthetic scenes than on real ones: the synthetic data is "
            "easier, and the falling weighted loss overstates progress on real scenes."
        )
    elif all(r > 1.1 for r in ratios):
        print("Every term ends higher on synthetic scenes: they are harder than the real ones.")
    else:
        print("Real and synthetic losses end within 10 % of each other on some terms.")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--log-period", type=int, default=20, help="iterations per logged window")
    parser.add_argument("--output-dir", default="outputs/relation_demo")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    start = time.perf_counter()
    last_window = train(args)
    out_dir = Path(args.output_dir)

    # The losssplit CLI draws every companion family it finds in metrics.json (same as running
    # `losssplit plot outputs/relation_demo/metrics.json -o .../losses.png` in a shell).
    from losssplit.__main__ import main as losssplit_cli

    losssplit_cli(["plot", str(out_dir / "metrics.json"), "-o", str(out_dir / "losses.png")])
    print_table(last_window, args.iterations - 1)
    print(
        f"\n{args.iterations} iterations in {time.perf_counter() - start:.1f} s; outputs in {out_dir}/"
    )


if __name__ == "__main__":
    main()
