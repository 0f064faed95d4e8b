"""A floor for any after-the-call splitting of the seed's relation criterion on CPU.

``graph_read`` knows this one criterion by heart: after the undecorated call it walks fixed paths
of the autograd graph to the tensors autograd saved (log-probabilities, targets and class weights
of the CE, the box differences of the L1, the GIoU's numerators and denominators, the matched
rows' image indices), recomputes the per-row losses from them and sums them per group with one
``index_add`` and one host read. No op is intercepted, nothing is checked, nothing generalises.

It bounds from below what a general mechanism that reads the graph instead of watching the ops
could cost: such a mechanism would pay this plus finding the paths, checking the graph has the
learned shape and the bookkeeping of the decorator. ``bench_relation.py`` prints it beside the
hand-written splitting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch


def _down(node: Any, *path: int) -> Any:
    for i in path:
        node = node.next_functions[i][0]
    return node


def graph_read(out: dict[str, torch.Tensor], targets: Sequence[Mapping[str, Any]], threshold: float = 0.9) -> dict[str, torch.Tensor]:
    """Companions of ``RelationCriterion.get_relation_loss``'s result, read from its graph."""
    nll = _down(out["loss_relation"].grad_fn, 0, 0)  # mean <- mul(sample weights) <- nll
    logp, target, weight = nll._saved_self, nll._saved_target, nll._saved_weight
    ce = -logp.gather(1, target[:, None])[:, 0] * weight[target]
    rows = _down(nll, 0, 0)._saved_indices[0]  # log_softmax <- index: the matched rows' images
    l1 = _down(out["loss_bbox_relation"].grad_fn, 0, 0, 0)._saved_self.abs().sum(1)
    sub = _down(out["loss_giou_relation"].grad_fn, 0, 0, 0, 0, 0)  # iou - (area - union) / area
    iou, enclosed = _down(sub, 0), _down(sub, 1)
    giou = 1 - (
        iou._saved_self.diagonal() / iou._saved_other.diagonal()
        - enclosed._saved_self.diagonal() / enclosed._saved_other.diagonal()
    )
    group = torch.tensor([0 if float(t["loss_weight"]) >= threshold else 1 for t in targets], device=rows.device)[rows]
    per_row = torch.stack([ce, l1, giou, torch.ones_like(ce)]).detach()
    sums = torch.zeros(4, 2, device=per_row.device).index_add_(1, group, per_row).flatten().tolist()
    names, values = [], []
    for k, key in enumerate(out):
        for g, name in enumerate(("real", "synthetic")):
            if sums[6 + g]:
                names.append(f"{key}_{name}")
                values.append(sums[2 * k + g] / sums[6 + g])
    result = dict(out)
    result.update(zip(names, torch.tensor(values).unbind(0)))
    return result
