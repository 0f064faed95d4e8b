"""Coverage survey 20 (issue #13): the detection and segmentation criteria ``transformers`` (5.24)
ships, unmodified and decorated from outside (a body calling the criterion): DETR's ``ImageLoss``
(labels, boxes, cardinality; its segmentation masks), Deformable DETR's focal labels, RT-DETR's VFL
with its encoder and denoising groups, D-FINE's and DEIMv2's local terms (DEIMv2's dense one-to-one
matching), LW-DETR's IoU-aware BCE over query groups, RF-DETR's point-sampled masks, Grounding DINO's
text-token focal loss, and the in-model MaskFormer, Mask2Former and OneFormer losses; each with one
auxiliary layer. Four batches: varying weights (1 / 0.5), a group whose images have no boxes, one
image, two images. The harness vocabulary (``MIXES``, ``GAP``, ``WRONG``) is ``_survey``'s; each
criterion skips where its module or a name is missing in the installed version.

Point sampling: Mask2Former, OneFormer and RF-DETR draw ``torch.rand(rows, points, 2)`` over the
batch's matched masks, so a mask's points depend on the other images' masks and the oracle (the
group alone) is ill-defined under a real generator. The bodies run under ``same_points``: every
row draws the same fixed points, in the batch and in the group alone. RF-DETR's matcher still
draws ``B * Q * 4 // ratio`` points (``out_bbox.shape[:2]`` of the flattened boxes): the matching
of each image follows the batch's size, the images truly mix; ``rf_detr_box_matching`` runs its
mask loss with LW-DETR's box matcher, which is deterministic.

FIRST_CONTACT (12 criteria, nothing changed for them): 825 expected companions, 210 declined,
194 GAP (23.5 %), 6 WRONG, two defects. (Measured first on a larger table, 13 cases with D-FINE's and
DEIMv2's two denoising layers: 1038 expected, 297 declined, 276 GAP, 5 WRONG; cut for runtime, DEIMv2
without denoising layers showed the second defect.) RF-DETR's auxiliary layer on batch 0 (4 of
the synthetic group's terms, 0.5 % to 3.5 % off): its matching follows the batch's point count,
unseen (the draw is no tracked value, scipy reads the cost). DEIMv2's loss_fgl_aux_0 on batch 0
(both groups, 25 % and 10 % off): the dense one-to-one union's size 14, the body's own count of
items built from Python lists, equals twice the 7 instances and was divided as that (the real
group's 2 instances, 4, where its union holds 5). Split exactly at first contact: DETR (labels,
boxes, cardinality and masks over nested targets), Deformable DETR, Grounding DINO, RT-DETR but
for batch 3's denoising terms, the segmentation losses but for batch 1. The GAPs, each declined
with a warning: D-FINE and DEIMv2 (127: loss_ddf's sqrt-of-count weights, numbers equal to counts
by value, DEIMv2's ``.item()`` pair loop, groups without boxes), RT-DETR's and LW-DETR's
normalisers times the groups (equal to twice the instances and to other counts), groups without
boxes over a floored normaliser, MaskFormer/Mask2Former/OneFormer on batch 1 (num_masks 2 equals
the weights' sum: the whole call). Truly mixing: OneFormer's query-text contrastive CE.

Since (this survey's fixes): a random draw sized by a number computed from a size of image rows
is lost, and a value mixing images handed to numpy declines the call, not where it mixes only by
a number equal to a count by value (``mode``; RF-DETR declines every call with more than one group:
MIXES); a body's number equal to ``k`` times a count and to the loss's rows over a few per item,
whose shares differ, declines (``ratio.opaque_den``; DEIMv2's batch 0): 825 expected, 258
declined, 196 GAP (23.8 %), 0 WRONG. Then a one-element tensor made from a Python int and kept
whole by int arithmetic with ints (``num_masks``) is a count, not a statistic of float weights it
equals (``Frame.int_number``): the segmentation losses split on batch 1 but for the mask terms of
the group without masks (a group counting 0 gets no companion, quietly): 825 expected, 234
declined, 172 GAP (20.8 %), 0 WRONG. Then a number equal by value to one computed from a size of
image rows (D-FINE's ``batch_scale = 1 / B``, 0.5 on batch 3) is a constant where the code executing
the op proves it one (``0.5 * width`` in ``center_to_corners_format``, ``1 - x``, a parameter at its
default, ``T=5``), and ``x * (1 / B)`` is ``x / B`` (``mask.sum() * batch_scale``): D-FINE's call on
batch 3 splits but for ``loss_ddf`` and the denoising terms (20): 825 expected, 214 declined, 152
GAP (18.4 %), 0 WRONG. Then a divisor that sizes of single images' tensors may make up and that is
none of the loss's counts (DEIMv2's union size 5 over loss_fgl's 20 corner rows on batch 1) declines
the keys divided by that value, not the call (``elementwise.SIZES_DIVISOR``, ``_split``'s sized
divisors): loss_mal over the instances splits on batches 1 and 3 (9): 825 expected, 205 declined,
143 GAP (17.3 %), 0 WRONG. Then a floored count times a number of groups that the
code shows a constant of the call (``_bytecode.constant_product_operand``: RT-DETR's
``dn_num_group`` from the outputs' meta, built here from a module constant; LW-DETR's and
RF-DETR's ``group_detr`` multiplied before the clamp, ``constant_multiple``) is the group's
count times it, not a factor that may be the images; a floored count kept as a tensor
(MaskFormer's ``num_masks``) is read as ``.item()`` would read it, so a group without masks
gets its empty sum over the floor; a group counting 0 with no floor seen is declined with a
warning naming the key: 825 expected, 160 declined, 98 GAP (11.9 %), 0 WRONG. RT-DETR,
LW-DETR and the segmentation losses split exactly, and D-FINE's denoising terms on batch 3. Then formulas are made in loops
that run as often on a group alone (``_bytecode.fixed_repeats``): RT-DETR's ``for i, aux in
enumerate(outputs["auxiliary_outputs"])`` (an argument's list whose items each hold every image's
rows) and ``for loss in self.losses`` (a list attribute the criterion held before the call,
unchanged), with ``self.weight_dict[k]`` a number of a dict held likewise, and no code between the
op and the body may call itself: D-FINE's ``loss_ddf`` splits: 825 expected, 150 declined, 88 GAP
(10.7 %), 0 WRONG. Then ``super().forward`` in ``forward`` is a call of the parent class's method,
a recursion only where that method's code may call ``forward`` again (DEIMv2's ``forward`` was read
as calling itself): DEIMv2's ``loss_ddf_aux_0`` splits as D-FINE's (5): 825 expected, 145 declined,
83 GAP (10.1 %), 0 WRONG. Then ``torch.equal`` of one image's whole tensor is decided on that image's
groups (``mode._one_image_equal``); a number equal by value to a count is none where one group
holds every image with weight 1 (``Frame.own_oracle``: the group alone is this call; D-FINE's
weighting exponent ``2 / (bins - 2)``, 1 on one image) or is ``self.weight_dict[k]`` of a dict held
before the call (``_bytecode.configured_item``); an argument's list of per-layer outputs is one on a
batch of one image too: D-FINE and DEIMv2 split on batch 2 (27). And a loss over items viewed 4 rows
each divided by a number equal to the items takes the group's items (``mode.item_rows``, offered to
``opaque_den`` as ``items``): DEIMv2's ``loss_fgl`` over its union of matches, and every key that
union's size divides, on batches 0, 1 and 3 (23): 825 expected, 95 declined, 33 GAP (4.0 %), 0 WRONG.
Then ``x = E if test else c`` where a group alone decides the test otherwise and has no rows in
the mean ``E`` holds the number ``c`` in ``x``, all else as in the batch (``mode.Arm``): D-FINE's
and DEIMv2's ``loss_match_local[mask].mean() if mask.any() else 0`` in ``loss_ddf``, whose group
without boxes on batch 1 had declined every key of the group (27): 825 expected, 68 declined, 6 GAP
(0.7 %), 0 WRONG. Left: RF-DETR on box matching, batch 1's group without boxes, whose ``loss_masks``
alone returns early (``if source_masks.numel() == 0: return {...}``): the keys after it are the
batch's only where the skipped code has no effect beyond its returned dict (RF-DETR's draws random
points there) and the caller uses that dict only to return it, which the capture cannot prove.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
from collections.abc import Callable, Iterator

import pytest
import torch
from _helpers import PER_IMAGE, ROWS, TARGETS
from _survey import Case, check_pattern, figures, keys, outcomes
from _survey import gen as _gen

pytest.importorskip("scipy.optimize")
pytest.importorskip("transformers")


def _find(module: str, *names: str) -> tuple | None:
    """The ``names`` of ``module`` (``other.module:Name`` another module's), or None where a module or
    a name is missing in this version."""
    values = []
    for name in names:
        where, _, name = name.rpartition(":")
        try:
            values.append(getattr(importlib.import_module(where or module), name, None))
        except ImportError:
            return None
    return None if any(v is None for v in values) else tuple(values)


WEIGHTS = ([1.0, 0.5, 0.5, 1.0], [0.5, 1.0, 0.5], [1.0], [0.5, 1.0])
BOXES = ([1, 2, 3, 1], [0, 2, 0], [2], [3, 1])  # per image; batch 1's synthetic group has no boxes
NC, Q, NAUX, HW = 3, 6, 1, 8  # classes, queries, auxiliary layers, mask size


# -- batches --------------------------------------------------------------------------------------


def _boxes(n: int, g: torch.Generator) -> torch.Tensor:
    return torch.cat([torch.rand(n, 2, generator=g) * 0.5 + 0.25, torch.rand(n, 2, generator=g) * 0.2 + 0.05], 1)


def _pred_boxes(b: int, q: int, g: torch.Generator) -> torch.Tensor:
    return torch.cat([torch.rand(b, q, 2, generator=g) * 0.5 + 0.25,
                      torch.rand(b, q, 2, generator=g) * 0.2 + 0.05], -1).requires_grad_()


def _targets(seed: int, g: torch.Generator, masks: bool = False) -> list[dict]:
    targets = []
    for n, w in zip(BOXES[seed], WEIGHTS[seed], strict=True):
        t = {"class_labels": torch.randint(0, NC, (n,), generator=g), "boxes": _boxes(n, g), "loss_weight": w}
        if masks:
            t["masks"] = (torch.rand(n, HW, HW, generator=g) > 0.6).float()
        targets.append(t)
    return targets


def _layer(b: int, g: torch.Generator, q: int = Q, classes: int = NC) -> dict:
    return {"logits": torch.randn(b, q, classes, generator=g).requires_grad_(), "pred_boxes": _pred_boxes(b, q, g)}


def detr_batch(seed: int, classes: int = NC + 1, masks: bool = False) -> tuple[list, list, None]:
    """DETR-style outputs (final layer, ``NAUX`` auxiliary layers) and per-image targets."""
    g = _gen(seed + 2000)
    b = len(WEIGHTS[seed])
    outputs = _layer(b, g, classes=classes)
    outputs["auxiliary_outputs"] = [_layer(b, g, classes=classes) for _ in range(NAUX)]
    if masks:
        outputs["pred_masks"] = torch.randn(b, Q, HW // 2, HW // 2, generator=g).requires_grad_()
    return [outputs, _targets(seed, g, masks)], [ROWS, TARGETS], None


def detr_mask_batch(seed: int) -> tuple[list, list, None]:
    return detr_batch(seed, masks=True)


def focal_batch(seed: int) -> tuple[list, list, None]:
    return detr_batch(seed, classes=NC)


# -- criteria -------------------------------------------------------------------------------------

CASES: dict[str, Case] = {}
MISSING: dict[str, str] = {}


def _case(name: str, module: str, names: tuple[str, ...], make: Callable[..., Case]) -> None:
    found = _find(module, *names)
    if found is None:
        MISSING[name] = f"{module} lacks one of {names} in this transformers version"
    else:
        CASES[name] = make(*found)


def _detr(ImageLoss, HungarianMatcher) -> Case:
    crit = ImageLoss(HungarianMatcher(class_cost=1, bbox_cost=5, giou_cost=2), num_classes=NC, eos_coef=0.1,
                     losses=["labels", "boxes", "cardinality", "masks"])

    def detr_image_loss_labels_boxes_cardinality_and_masks_over_nested_targets(outputs, targets):
        return crit(outputs, targets)

    return Case(detr_image_loss_labels_boxes_cardinality_and_masks_over_nested_targets, detr_mask_batch)


_case("detr", "transformers.loss.loss_for_object_detection", ("ImageLoss", "HungarianMatcher"), _detr)


def _deformable(DeformableDetrImageLoss, DeformableDetrHungarianMatcher) -> Case:
    crit = DeformableDetrImageLoss(DeformableDetrHungarianMatcher(class_cost=2, bbox_cost=5, giou_cost=2),
                                   num_classes=NC, focal_alpha=0.25, losses=["labels", "boxes", "cardinality"])

    def deformable_detr_focal_labels_times_queries_boxes_cardinality(outputs, targets):
        return crit(outputs, targets)

    return Case(deformable_detr_focal_labels_times_queries_boxes_cardinality, focal_batch)


_case("deformable", "transformers.loss.loss_deformable_detr", ("DeformableDetrImageLoss", "DeformableDetrHungarianMatcher"),
      _deformable)


NG = 2  # denoising groups
NDN = NG * 2 * max(max(b) for b in BOXES)  # denoising queries per image: each group's positives then negatives


def dn_batch(seed: int, extra: Callable[[int, torch.Generator], dict] | None = None,
             dn_layers: int = 2) -> tuple[list, list, None]:
    """RT-DETR-style outputs: final layer, ``NAUX`` auxiliary layers and the encoder's top-k
    (``auxiliary_outputs``), the denoising layers (``dn_auxiliary_outputs``, ``NDN`` queries), and
    per image its denoising positives' query positions (``dn_positive_idx``)."""
    g = _gen(seed + 2010)
    b = len(WEIGHTS[seed])

    def layer(q: int = Q) -> dict:
        out = _layer(b, g, q)
        return {**out, **extra(b, q, g)} if extra else out

    outputs = {**_layer(b, g), "auxiliary_outputs": [layer() for _ in range(NAUX)] + [_layer(b, g)],
               "dn_auxiliary_outputs": [layer(NDN) for _ in range(dn_layers)]}
    half = NDN // (2 * NG)
    dn_pos = [torch.cat([torch.arange(n) + k * 2 * half for k in range(NG)]) for n in BOXES[seed]]
    return [outputs, _targets(seed, g), dn_pos], [ROWS, TARGETS, PER_IMAGE], None


def _with_dn(crit: torch.nn.Module) -> Callable:
    def body(outputs, targets, dn_pos):
        meta = {"dn_positive_idx": dn_pos, "dn_num_group": NG, "dn_num_split": [NDN, Q]}
        return crit({**outputs, "denoising_meta_values": meta}, targets)

    return body


def _rt_style(name: str, batch: Callable[[int], tuple[list, list, None]], **options: int) -> Callable[..., Case]:
    """An RT-DETR-style criterion made from its config (``options`` set in it), its body with denoising meta."""

    def make(loss_class: type, config_class: type) -> Case:
        body = _with_dn(loss_class(config_class(num_labels=NC, **options)))
        body.__name__ = name
        return Case(body, batch)

    return make


_case("rt_detr", "transformers.loss.loss_rt_detr", ("RTDetrLoss", "transformers:RTDetrConfig"),
      _rt_style("rt_detr_vfl_boxes_with_aux_encoder_and_denoising_groups", dn_batch))

NBINS = 4  # D-FINE's bins per box edge


def _corners(b: int, q: int, g: torch.Generator) -> dict:
    """D-FINE's per-layer distribution outputs: the corners' bin logits, the reference points, and the
    last layer's corners and logits as the teacher."""
    return {"pred_corners": torch.randn(b, q, 4 * (NBINS + 1), generator=g).requires_grad_(),
            "ref_points": _pred_boxes(b, q, g).detach(),
            "teacher_corners": torch.randn(b, q, 4 * (NBINS + 1), generator=g),
            "teacher_logits": torch.randn(b, q, NC, generator=g)}


def fine_batch(seed: int) -> tuple[list, list, None]:
    return dn_batch(seed, _corners, dn_layers=1)




_case("d_fine", "transformers.loss.loss_d_fine", ("DFineLoss", "transformers:DFineConfig"),
      _rt_style("d_fine_vfl_boxes_fine_grained_localisation_and_distillation_with_denoising", fine_batch,
                max_num_bins=NBINS))


def dense_batch(seed: int) -> tuple[list, list, None]:
    """``fine_batch`` without denoising layers (D-FINE's cover them)."""
    return dn_batch(seed, _corners, dn_layers=0)


_case("deimv2", "transformers.loss.loss_deimv2", ("Deimv2Loss", "transformers:Deimv2Config"),
      _rt_style("deimv2_matching_aware_loss_dense_one_to_one_boxes_and_local_terms", dense_batch, max_num_bins=NBINS))

GROUPS = 2  # LW-DETR's / RF-DETR's query groups in training


def group_batch(seed: int, masks: bool = False) -> tuple[list, list, None]:
    """LW-DETR-style outputs over ``GROUPS`` query groups: final layer, ``NAUX`` auxiliary layers, the
    encoder's (``enc_outputs``); RF-DETR's mask logits per query."""
    g = _gen(seed + 2020)
    b = len(WEIGHTS[seed])

    def layer() -> dict:
        out = _layer(b, g, Q * GROUPS)
        if masks:
            out["pred_masks"] = torch.randn(b, Q * GROUPS, HW // 2, HW // 2, generator=g).requires_grad_()
        return out

    outputs = {**layer(), "auxiliary_outputs": [layer() for _ in range(NAUX)]}
    if not masks:  # (RF-DETR's encoder layer is LW-DETR's: left out to keep the survey short)
        outputs["enc_outputs"] = layer()
    return [outputs, _targets(seed, g, masks)], [ROWS, TARGETS], None


def group_mask_batch(seed: int) -> tuple[list, list, None]:
    return group_batch(seed, masks=True)


def _lw_detr(LwDetrImageLoss, LwDetrHungarianMatcher) -> Case:
    crit = LwDetrImageLoss(LwDetrHungarianMatcher(class_cost=2, bbox_cost=5, giou_cost=2), num_classes=NC,
                           focal_alpha=0.25, losses=["labels", "boxes", "cardinality"], group_detr=GROUPS)

    def lw_detr_iou_aware_labels_boxes_over_query_groups_with_encoder(outputs, targets):
        return crit(outputs, targets)

    return Case(lw_detr_iou_aware_labels_boxes_over_query_groups_with_encoder, group_batch)


_case("lw_detr", "transformers.loss.loss_lw_detr", ("LwDetrImageLoss", "LwDetrHungarianMatcher"), _lw_detr)


@contextlib.contextmanager
def same_points() -> Iterator[None]:
    """``torch.rand`` made deterministic per row: one fixed draw of the trailing shape, repeated along
    the first dim. The point-sampled mask losses draw ``rand(rows, points, 2)`` over the batch's
    matched masks, so a mask's points depend on the other images' masks and the oracle (the group's
    images alone) is ill-defined under a real generator; with every row drawing the same points,
    each mask gets the same points in the batch and in its group alone."""
    real = torch.rand

    def rand(*size, generator=None, **kwargs):
        size = tuple(size[0]) if len(size) == 1 and not isinstance(size[0], int) else size
        one = real(*size[1:], generator=torch.Generator().manual_seed(20), **kwargs)
        return one.expand(*size).clone()

    torch.rand = rand
    try:
        yield
    finally:
        torch.rand = real


def _rf_detr(RfDetrImageLoss, RfDetrHungarianMatcher) -> Case:
    crit = RfDetrImageLoss(RfDetrHungarianMatcher(class_cost=2, bbox_cost=5, giou_cost=2, mask_point_sample_ratio=4),
                           num_classes=NC, focal_alpha=0.25, losses=["labels", "boxes", "masks"], group_detr=GROUPS,
                           mask_point_sample_ratio=4)

    def rf_detr_point_sampled_mask_ce_and_dice_over_query_groups(outputs, targets):
        with same_points():
            return crit(outputs, targets)

    return Case(rf_detr_point_sampled_mask_ce_and_dice_over_query_groups, group_mask_batch)


_case("rf_detr", "transformers.loss.loss_rf_detr", ("RfDetrImageLoss", "RfDetrHungarianMatcher"), _rf_detr)

T = 5  # Grounding DINO's text tokens


def text_batch(seed: int) -> tuple[list, list, None]:
    """Grounding DINO-style outputs over ``T`` text tokens (padding masked by ``text_mask``), and per
    image its label map (each class's tokens)."""
    g = _gen(seed + 2030)
    b = len(WEIGHTS[seed])

    def layer() -> dict:
        return {**_layer(b, g, classes=T), "text_mask": torch.arange(T)[None, None].expand(b, Q, T) < T - 1}

    outputs = {**layer(), "auxiliary_outputs": [layer() for _ in range(NAUX)]}
    label_map = torch.zeros(NC, T, dtype=torch.bool)
    label_map[0, 0] = label_map[1, 1] = label_map[1, 2] = label_map[2, 3] = True
    return [outputs, _targets(seed, g), [label_map] * b], [ROWS, TARGETS, PER_IMAGE], None


def _grounding_dino(GroundingDinoImageLoss, GroundingDinoHungarianMatcher) -> Case:
    crit = GroundingDinoImageLoss(GroundingDinoHungarianMatcher(class_cost=2, bbox_cost=5, giou_cost=2),
                                  focal_alpha=0.25, losses=["labels", "boxes", "cardinality"])

    def grounding_dino_text_token_focal_over_label_maps_boxes(outputs, targets, label_maps):
        aux = [{**a, "label_maps": tuple(label_maps)} for a in outputs["auxiliary_outputs"]]
        return crit({**outputs, "label_maps": tuple(label_maps), "auxiliary_outputs": aux}, targets)

    return Case(grounding_dino_text_token_focal_over_label_maps_boxes, text_batch)


_case("grounding_dino", "transformers.loss.loss_grounding_dino",
      ("GroundingDinoImageLoss", "GroundingDinoHungarianMatcher"), _grounding_dino)


def mask_batch(seed: int) -> tuple[list, list, None]:
    """MaskFormer-style outputs: mask logits [B, Q, HW/2, HW/2] and class logits [B, Q, NC + 1], with
    ``NAUX`` auxiliary layers, OneFormer's contrastive queries and text queries; per image its masks
    [n, HW, HW] and their classes."""
    g = _gen(seed + 2040)
    b = len(WEIGHTS[seed])

    def layer() -> dict:
        return {"masks_queries_logits": torch.randn(b, Q, HW // 2, HW // 2, generator=g).requires_grad_(),
                "class_queries_logits": torch.randn(b, Q, NC + 1, generator=g).requires_grad_()}

    outputs = {**layer(), "auxiliary_predictions": [layer() for _ in range(NAUX)],
               "contrastive": torch.randn(b, Q, 4, generator=g).requires_grad_(),
               "text": torch.randn(b, Q, 4, generator=g)}
    return [outputs, _targets(seed, g, masks=True)], [ROWS, TARGETS], None


def _mask_body(crit: torch.nn.Module, name: str, points: bool) -> Callable:
    def body(outputs, targets):
        with same_points() if points else contextlib.nullcontext():
            return crit(outputs["masks_queries_logits"], outputs["class_queries_logits"],
                        [t["masks"] for t in targets], [t["class_labels"] for t in targets],
                        auxiliary_predictions=outputs["auxiliary_predictions"])

    body.__name__ = name
    return body


def _maskformer(MaskFormerLoss, MaskFormerHungarianMatcher) -> Case:
    crit = MaskFormerLoss(NC, MaskFormerHungarianMatcher(cost_class=1.0, cost_mask=20.0, cost_dice=1.0),
                          weight_dict={}, eos_coef=0.1)
    return Case(_mask_body(crit, "maskformer_focal_and_dice_masks_and_class_ce_with_aux", False), mask_batch)


_case("maskformer", "transformers.models.maskformer.modeling_maskformer", ("MaskFormerLoss", "MaskFormerHungarianMatcher"),
      _maskformer)


def _mask2former(Mask2FormerLoss, Mask2FormerConfig) -> Case:
    config = Mask2FormerConfig(num_labels=NC, train_num_points=8, oversample_ratio=3.0,
                                            importance_sample_ratio=0.75)
    crit = Mask2FormerLoss(config, weight_dict={})
    return Case(_mask_body(crit, "mask2former_point_sampled_mask_ce_and_dice_and_class_ce_with_aux", True), mask_batch)


_case("mask2former", "transformers.models.mask2former.modeling_mask2former", ("Mask2FormerLoss", "transformers:Mask2FormerConfig"),
      _mask2former)


def _oneformer(OneFormerLoss, OneFormerHungarianMatcher) -> Case:
    crit = OneFormerLoss(NC, OneFormerHungarianMatcher(cost_class=2.0, cost_mask=5.0, cost_dice=5.0, num_points=8),
                         weight_dict={}, eos_coef=0.1, num_points=8, oversample_ratio=3.0, importance_sample_ratio=0.75,
                         contrastive_temperature=0.07)

    def oneformer_point_sampled_masks_class_ce_and_query_text_contrastive(outputs, targets):
        with same_points():
            return crit(outputs["masks_queries_logits"], outputs["class_queries_logits"], outputs["contrastive"],
                        [t["masks"] for t in targets], [t["class_labels"] for t in targets], outputs["text"],
                        auxiliary_predictions=outputs["auxiliary_predictions"])

    return Case(oneformer_point_sampled_masks_class_ce_and_query_text_contrastive, mask_batch)


_case("oneformer", "transformers.models.oneformer.modeling_oneformer", ("OneFormerLoss", "OneFormerHungarianMatcher"),
      _oneformer)


def _rf_detr_box_matching(RfDetrImageLoss, LwDetrHungarianMatcher) -> Case:
    crit = RfDetrImageLoss(LwDetrHungarianMatcher(class_cost=2, bbox_cost=5, giou_cost=2), num_classes=NC,
                           focal_alpha=0.25, losses=["labels", "boxes", "masks"], group_detr=GROUPS,
                           mask_point_sample_ratio=4)

    def rf_detr_point_sampled_masks_matched_on_boxes_and_classes(outputs, targets):
        with same_points():
            return crit(outputs, targets)

    return Case(rf_detr_point_sampled_masks_matched_on_boxes_and_classes, group_mask_batch)


_case("rf_detr_box_matching", "transformers.loss.loss_rf_detr",
      ("RfDetrImageLoss", "transformers.loss.loss_lw_detr:LwDetrHungarianMatcher"),
      _rf_detr_box_matching)


# -- what is declined, and why --------------------------------------------------------------------

_GROUPED = tuple(f"{k}{s}" for k in ("loss_ce", "loss_bbox", "loss_giou") for s in ("", "_0", "_enc"))
_MASKS = tuple(f"{k}{s}" for k in ("loss_mask_ce", "loss_mask_dice") for s in ("", "_0", "_enc"))


def _at(seed: int, *names: str) -> frozenset[str]:
    return frozenset(f"{n}@{seed}" for n in names)


_MIXED = tuple(s for s, w in enumerate(WEIGHTS) if len(w) > 1)  # a batch of one image: its group's key is the key
DECLINES: dict[str, dict] = {
    "rf_detr": dict(
        mixes=keys(*_GROUPED, *_MASKS), mix_batches=_MIXED,
        why="the matcher samples B * Q * 4 // ratio points for its mask cost (out_bbox.shape[:2] of the flattened "
            "boxes): the matching of each image follows the batch's size, read by scipy"),
    "rf_detr_box_matching": dict(
        gaps=_at(1, *(f"{k}_synthetic" for k in _GROUPED)),
        why="on batch 1 the synthetic group has no boxes: alone, loss_masks takes its early return "
            "(``if source_masks.numel() == 0``), a branch the group decides otherwise than the batch, which "
            "declines every key of that group, also those computed before it"),
    "oneformer": dict(
        mixes=keys("loss_contrastive"), mix_batches=_MIXED,
        why="the query-text contrastive CE's classes are the batch's images"),
}
for _name, _declines in DECLINES.items():
    if _name in CASES:
        CASES[_name] = dataclasses.replace(CASES[_name], **_declines)

NAMES = ("detr", "deformable", "rt_detr", "d_fine", "deimv2", "lw_detr", "rf_detr", "rf_detr_box_matching",
         "grounding_dino", "maskformer", "mask2former", "oneformer")
FIRST: dict[str, tuple[int, int, int, int]] = {  # at first contact, nothing changed for them
    "detr": (70, 0, 0, 0),
    "deformable": (56, 0, 0, 0),
    "rt_detr": (105, 12, 12, 0),
    "d_fine": (112, 70, 70, 0),
    "deimv2": (77, 57, 57, 2),
    "lw_detr": (84, 9, 9, 0),
    "rf_detr": (66, 10, 0, 4),
    "rf_detr_box_matching": (66, 10, 10, 0),
    "grounding_dino": (56, 0, 0, 0),
    "maskformer": (42, 12, 12, 0),
    "mask2former": (42, 12, 12, 0),
    "oneformer": (49, 18, 12, 0),
}
NOW: dict[str, tuple[int, int, int, int]] = {
    "detr": (70, 0, 0, 0),
    "deformable": (56, 0, 0, 0),
    "rt_detr": (105, 0, 0, 0),
    "d_fine": (112, 0, 0, 0),
    "deimv2": (77, 0, 0, 0),
    "lw_detr": (84, 0, 0, 0),
    "rf_detr": (66, 56, 0, 0),
    "rf_detr_box_matching": (66, 6, 6, 0),
    "grounding_dino": (56, 0, 0, 0),
    "maskformer": (42, 0, 0, 0),
    "mask2former": (42, 0, 0, 0),
    "oneformer": (49, 6, 0, 0),
}
OUTCOME = outcomes(CASES)
SEEDS = range(len(WEIGHTS))


def _available(name: str) -> Case:
    if name not in CASES:
        pytest.skip(MISSING[name])
    return CASES[name]


@pytest.mark.parametrize("name", NAMES)
def test_criterion_splits_as_the_oracle_or_declines_with_a_warning(name: str) -> None:
    """Every companion equals the oracle (training values and gradients bit-identical); each GAP
    or MIXES companion is declined with a warning naming its key or the call (a MIXES key is
    given, equal to the oracle, on the batch of one image: its group holds every image); all else
    is given."""
    check_pattern(_available(name), name, OUTCOME, SEEDS)


@pytest.mark.parametrize("name", NAMES)
def test_survey_figures(name: str) -> None:
    """(expected, declined, GAP, WRONG) of each criterion over the four batches, as the README gives them."""
    _available(name)
    assert figures({name: CASES[name]}, OUTCOME, SEEDS) == NOW[name]
    assert set(NOW) == set(FIRST) == set(NAMES)
