"""The seed's relation criterion, as the seed document describes it.

``RelationCriterion.get_relation_loss`` is the undecorated body: class-weighted cross entropy over
matched relation queries times each sample's ``loss_weight`` (real 1.0, synthetic 0.5), L1 and
GIoU on the matched boxes, normalised by ``num_boxes``. ``HandWrittenRelationCriterion`` adds the
seed's ~40 hand-written lines per term (boolean masks, ``.any()``, per-group ``.mean()``): it is the
baseline losssplit replaces, kept here for the tests and the benchmark.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def corners(boxes: torch.Tensor) -> torch.Tensor:
    """(centre x, centre y, width, height) -> (x0, y0, x1, y1), last dimension."""
    centre, half = boxes[..., :2], boxes[..., 2:] / 2
    return torch.cat([centre - half, centre + half], dim=-1)


def pairwise_giou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Generalised IoU of every corner box of ``a`` [M, 4] with every one of ``b`` [N, 4]: [M, N].

    Callers wanting matched pairs take ``torch.diag`` of it (an [M, M] matrix mixes rows)."""
    a, b = a[:, None, :], b[None, :, :]
    size_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    size_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    overlap = (torch.min(a[..., 2:], b[..., 2:]) - torch.max(a[..., :2], b[..., :2])).clamp(min=0)
    common = overlap[..., 0] * overlap[..., 1]
    union = size_a + size_b - common
    hull = (torch.max(a[..., 2:], b[..., 2:]) - torch.min(a[..., :2], b[..., :2])).clamp(min=0)
    enclosing = hull[..., 0] * hull[..., 1]
    return common / union - (enclosing - union) / enclosing


class RelationCriterion(nn.Module):
    """The seed's ``IterativeRelationCriterion.get_relation_loss``, before any splitting."""

    def __init__(self, num_rel_classes: int = 10, eos_coef: float = 0.1):
        super().__init__()
        self.num_rel_classes = num_rel_classes
        weight = torch.ones(num_rel_classes + 1)
        weight[-1] = eos_coef
        self.register_buffer("empty_rel_weight", weight)

    @staticmethod
    def _get_src_permutation_idx(indices):
        batch_idx = torch.cat([torch.full_like(src, i) for i, (src, _) in enumerate(indices)])
        src_idx = torch.cat([src for (src, _) in indices])
        return batch_idx, src_idx

    def get_relation_loss(self, outputs, targets, indices, num_boxes):
        idx = self._get_src_permutation_idx(indices)
        src_logits_matched = outputs["pred_rel_logits"][idx]
        target_classes_matched = torch.cat(
            [t["rel_labels"][J] for t, (_, J) in zip(targets, indices)]
        )
        sample_weights = torch.cat(
            [
                torch.full((len(J),), float(t["loss_weight"]), device=src_logits_matched.device)
                for t, (_, J) in zip(targets, indices)
            ]
        )
        losses_per_sample = F.cross_entropy(
            src_logits_matched, target_classes_matched, self.empty_rel_weight, reduction="none"
        )
        loss_ce = (losses_per_sample * sample_weights).mean()

        src_boxes = outputs["pred_rel_boxes"][idx]
        target_boxes = torch.cat([t["rel_boxes"][J] for t, (_, J) in zip(targets, indices)])
        l1 = F.l1_loss(src_boxes, target_boxes, reduction="none")
        loss_bbox = (l1 * sample_weights[:, None]).sum() / num_boxes
        giou = 1 - torch.diag(
            pairwise_giou(corners(src_boxes), corners(target_boxes))
        )
        loss_giou = (giou * sample_weights).sum() / num_boxes
        return {
            "loss_relation": loss_ce,
            "loss_bbox_relation": loss_bbox,
            "loss_giou_relation": loss_giou,
        }


class HandWrittenRelationCriterion(RelationCriterion):
    """The seed's hand edit: the same body plus per-group masks, ``.any()`` and ``.mean()``."""

    def get_relation_loss(self, outputs, targets, indices, num_boxes):
        idx = self._get_src_permutation_idx(indices)
        src_logits_matched = outputs["pred_rel_logits"][idx]
        target_classes_matched = torch.cat(
            [t["rel_labels"][J] for t, (_, J) in zip(targets, indices)]
        )
        sample_weights = torch.cat(
            [
                torch.full((len(J),), float(t["loss_weight"]), device=src_logits_matched.device)
                for t, (_, J) in zip(targets, indices)
            ]
        )
        real_mask = sample_weights >= 0.9
        synthetic_mask = sample_weights < 0.9
        losses_per_sample = F.cross_entropy(
            src_logits_matched, target_classes_matched, self.empty_rel_weight, reduction="none"
        )
        loss_ce = (losses_per_sample * sample_weights).mean()
        losses = {"loss_relation": loss_ce}
        if real_mask.any():
            losses["loss_relation_real"] = losses_per_sample[real_mask].mean()
        if synthetic_mask.any():
            losses["loss_relation_synthetic"] = losses_per_sample[synthetic_mask].mean()

        src_boxes = outputs["pred_rel_boxes"][idx]
        target_boxes = torch.cat([t["rel_boxes"][J] for t, (_, J) in zip(targets, indices)])
        l1 = F.l1_loss(src_boxes, target_boxes, reduction="none")
        losses["loss_bbox_relation"] = (l1 * sample_weights[:, None]).sum() / num_boxes
        giou = 1 - torch.diag(
            pairwise_giou(corners(src_boxes), corners(target_boxes))
        )
        losses["loss_giou_relation"] = (giou * sample_weights).sum() / num_boxes
        for name, per_row in (("loss_bbox_relation", l1.sum(1)), ("loss_giou_relation", giou)):
            if real_mask.any():
                losses[f"{name}_real"] = per_row[real_mask].mean()
            if synthetic_mask.any():
                losses[f"{name}_synthetic"] = per_row[synthetic_mask].mean()
        # The seed's NaN/Inf guard: split values that are not finite are not logged.
        for key in [k for k in losses if k.endswith(("_real", "_synthetic"))]:
            if not torch.isfinite(losses[key]):
                del losses[key]
        return losses


def make_batch(
    batch_size: int = 8,
    num_queries: int = 100,
    rows_per_image: int | list[int] = 20,
    num_rel_classes: int = 10,
    weights: list[float] | None = None,
    requires_grad: bool = True,
    generator: torch.Generator | None = None,
):
    """A random seed-shaped batch: (outputs, targets, indices, num_boxes)."""
    g = generator if generator is not None else torch.Generator().manual_seed(0)
    counts = rows_per_image if isinstance(rows_per_image, list) else [rows_per_image] * batch_size
    batch_size = len(counts)
    if weights is None:
        weights = [1.0 if i % 2 == 0 else 0.5 for i in range(batch_size)]
    logits = torch.randn(batch_size, num_queries, num_rel_classes + 1, generator=g)
    boxes = torch.rand(batch_size, num_queries, 4, generator=g) * 0.5 + 0.25
    outputs = {
        "pred_rel_logits": logits.requires_grad_(requires_grad),
        "pred_rel_boxes": boxes.requires_grad_(requires_grad),
    }
    targets, indices = [], []
    for n, w in zip(counts, weights):
        targets.append(
            {
                "rel_labels": torch.randint(0, num_rel_classes, (n,), generator=g),
                "rel_boxes": torch.rand(n, 4, generator=g) * 0.5 + 0.25,
                "loss_weight": w,
            }
        )
        indices.append((torch.randperm(num_queries, generator=g)[:n], torch.randperm(n, generator=g)))
    num_boxes = float(max(sum(counts), 1))
    return outputs, targets, indices, num_boxes
