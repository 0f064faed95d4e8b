"""Helpers shared by the tests: reading results, reference values and the oracle harness.

The oracle is the companion definition executed (DESIGN.md §1): the undecorated body run on one
group's images alone, with the weight field set to 1, no losssplit involved.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch
import torch.nn.functional as F

from losssplit import companion_of, split_by_source

# -- reading results ------------------------------------------------------------------------------


def companions(out: Mapping[str, Any]) -> dict[str, float]:
    """{key: value} of the companion entries of a returned dict."""
    return {k: v.item() for k, v in out.items() if companion_of(v) is not None}


def bits(t: torch.Tensor) -> torch.Tensor:
    """The bytes of a tensor: equal bits, NaN included."""
    return t.detach().reshape(-1).contiguous().view(torch.uint8)


def leaves(outputs: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Fresh leaf copies that require grad, so two runs get separate gradients."""
    return {k: v.detach().clone().requires_grad_() for k, v in outputs.items()}


def default_group(label: float) -> str:
    return "real" if label >= 0.9 else "synthetic"


# -- the per-row L1 criterion most unit tests use ------------------------------------------------


def targets_for(weights: Sequence[float], rows: int = 2, seed: int = 0, **extra: Any) -> list[dict]:
    """One target dict per weight, each with ``rows`` random boxes."""
    g = torch.Generator().manual_seed(seed)
    return [{"boxes": torch.rand(rows, 4, generator=g), "loss_weight": w, **extra} for w in weights]


def per_row_l1(pred: torch.Tensor, targets: Sequence[dict]) -> torch.Tensor:
    """|pred - boxes| summed per row, ``pred`` rows being the targets' rows in image order."""
    return F.l1_loss(pred, torch.cat([t["boxes"] for t in targets]), reduction="none").sum(1)


def pred_for(targets: Sequence[dict], seed: int = 1) -> torch.Tensor:
    """Random predictions, one row per target row, requiring grad."""
    rows = sum(t["boxes"].shape[0] for t in targets)
    return torch.rand(rows, 4, generator=torch.Generator().manual_seed(seed)).requires_grad_()


def mean_l1(pred: torch.Tensor, targets: Sequence[dict]) -> dict[str, torch.Tensor]:
    """The criterion ``expected`` describes: the mean per-row L1."""
    return {"loss": per_row_l1(pred, targets).mean()}


def assert_clean(out: Mapping[str, Any]) -> None:
    """No non-finite, grad-carrying or non-float32 companion; no mode left on the stack."""
    for k, v in out.items():
        if companion_of(v) is not None:
            assert math.isfinite(v.item()) and not v.requires_grad and v.dtype == torch.float32, k
    assert torch._C._len_torch_function_stack() == 0


def expected(pred: torch.Tensor, targets: Sequence[dict], group_of: Callable[[Any], str] = default_group,
             key: str = "loss", mask: torch.Tensor | None = None) -> dict[str, float]:
    """{companion: value} of ``per_row_l1(...).mean()``: each group's mean per-row L1, rows with
    mask 0 adding 0 (and still counted)."""
    values = per_row_l1(pred.detach(), targets)
    if mask is not None:
        values = values * (mask != 0)
    rows: dict[str, list[float]] = {}
    start = 0
    for t in targets:
        n = t["boxes"].shape[0]
        rows.setdefault(group_of(t["loss_weight"]), []).extend(values[start : start + n].tolist())
        start += n
    return {f"{key}_{g}": sum(v) / len(v) for g, v in rows.items() if v}


# -- DETR-style batches ---------------------------------------------------------------------------


def matched_index(indices: Sequence[tuple[torch.Tensor, torch.Tensor]]) -> tuple[torch.Tensor, torch.Tensor]:
    """(image of each matched row, its query): the index pair that gathers matched predictions."""
    image = torch.cat([torch.full_like(src, b) for b, (src, _) in enumerate(indices)])
    query = torch.cat([src for src, _ in indices])
    return image, query


def focal_bce(logits: torch.Tensor, onehot: torch.Tensor, normaliser: Any,
              alpha: float = 0.25, gamma: float = 2.0) -> torch.Tensor:
    """Focal-weighted BCE over ``[B, Q, C]``: per-element BCE-with-logits (reduction 'none'),
    scaled by how wrong the prediction still is (``(1 - p_t) ** gamma``) and by ``alpha`` on
    positives / ``1 - alpha`` on negatives; each image's mean over queries, summed over images and
    classes, divided by ``normaliser``."""
    per_element = F.binary_cross_entropy_with_logits(logits, onehot, reduction="none")
    prob = logits.sigmoid()
    miss = prob * (1 - onehot) + (1 - prob) * onehot  # 1 - p_t
    balance = alpha * onehot + (1 - alpha) * (1 - onehot)
    return (balance * per_element * miss**gamma).mean(1).sum() / normaliser


# -- the oracle harness ---------------------------------------------------------------------------


def unit(target: dict) -> dict:
    """The target with its weight fields set to 1 (zeros kept): ``loss_weight``, and the per-row
    ``w`` / per-image ``img_w`` tensors the oracle bodies use."""
    out = dict(target)
    if "w" in target:
        out["w"] = (target["w"] != 0).to(target["w"].dtype)
    if "img_w" in target:
        out["img_w"] = (target["img_w"] != 0).to(target["img_w"].dtype)
    out["loss_weight"] = 1.0 if target["loss_weight"] != 0 else 0.0
    return out


def oracle(body: Callable, outputs: Mapping[str, torch.Tensor], targets: Sequence[dict],
           images: Sequence[int], *per_image: Sequence[Any]) -> dict[str, torch.Tensor]:
    """The body, undecorated, on a batch of only ``images`` with unit weights.

    ``outputs`` are batch-first; each of ``per_image`` (DETR's matcher indices, say) is a list with
    one item per image, restricted like the targets."""
    sel = torch.tensor(list(images))
    with torch.no_grad():
        return body(
            {k: v.detach()[sel] for k, v in outputs.items()},
            [unit(targets[i]) for i in images],
            *[[extra[i] for i in images] for extra in per_image],
        )


def images_by_group(targets: Sequence[dict], group_of: Callable[[dict], str]) -> dict[str, list[int]]:
    by_group: dict[str, list[int]] = {}
    for i, t in enumerate(targets):
        by_group.setdefault(group_of(t), []).append(i)
    return by_group


def oracle_companions(body: Callable, outputs: Mapping[str, torch.Tensor], targets: Sequence[dict],
                      *per_image: Sequence[Any], group_of: Callable[[dict], str],
                      has_rows: Callable[[list[int]], bool] = lambda images: True) -> dict[str, float]:
    """{``{key}_{group}``: oracle value} for every group with rows and a finite oracle."""
    want = {}
    for group, images in images_by_group(targets, group_of).items():
        if not has_rows(images):
            continue  # a group with no rows: no key
        for key, value in oracle(body, outputs, targets, images, *per_image).items():
            if math.isfinite(value.item()):  # 0/0: no key
                want[f"{key}_{group}"] = value.item()
    return want


def run_decorated_and_plain(body: Callable, outputs: Mapping[str, torch.Tensor], targets: Sequence[dict],
                            *per_image: Sequence[Any], **options: Any) -> dict[str, torch.Tensor]:
    """Run ``body`` decorated and undecorated on separate leaf copies of ``outputs``; check that
    every main value and every gradient (after summing every returned value, companions included,
    as detectron2 does) is bit-identical. Returns the decorated dict."""
    mine, theirs = leaves(outputs), leaves(outputs)
    out = split_by_source(**options)(body)(mine, targets, *per_image)
    plain = body(theirs, targets, *per_image)
    assert set(plain) <= set(out)
    for key, value in plain.items():  # training unchanged: bit for bit, NaN included
        assert torch.equal(bits(out[key]), bits(value)), key
    if any(v.requires_grad for v in plain.values()):
        sum(out.values()).backward()
        sum(plain.values()).backward()
    for k in mine:
        a, b = mine[k].grad, theirs[k].grad
        assert (a is None and b is None) or torch.equal(bits(a), bits(b)), k
    assert set(out) == set(plain) | set(companions(out))
    assert all(not out[k].requires_grad for k in companions(out))
    return out
