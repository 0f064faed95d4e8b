"""Coverage survey 52: first contact, our own code of public criteria no survey wrote, each with the
published method's ops, gathers, reductions and normaliser, decorated from outside, in today's
detection and segmentation training code: DETR-family set criteria (DINO's denoising groups, matched
at ``(arange(G) · single_pad)[:, None] + t`` over ``num_boxes · G``, with an auxiliary layer; DETR's
``SetCriterion`` with its Hungarian matcher in the body, scipy's ``linear_sum_assignment`` per image
on the host; Grounding DINO's token focal through ``masked_select`` of the text mask; Align-DETR's
IoU-aware BCE with the mixed matching's rank weights; DiffusionDet's boxes over each image's
``image_size_xyxy``; MPDIoU over each image's size beside Wise-IoU v3's outlier degree against the
batch's mean; the rotated boxes' KLD through batched 2 × 2 inverses), dense detectors (YOLOv8's
``v8DetectionLoss``: the targets collated into ``[B, max n]`` with ``mask_gt``, the task-aligned
assigner gathering from the flattened batch by ``idx + arange(B) · max n``, BCE, CIoU and DFL over
``target_scores_sum``, the total times the batch size; RTMDet's dynamic soft label assigner per image
with the quality focal loss and GIoU over the assigned IoUs' sum; localisation distillation over a
constant ``avg_factor``), open vocabulary, semi-supervision and distillation (YOLO-World's region-text
BCE over each image's texts beside a GLIP-style batch vocabulary; Soft Teacher's background-weighted
RoI CE and its reliable boxes' count read by ``.item()``; FGD's foreground / background masks and
attention), mask classification (Mask2Former's class CE with ``eos_coef`` and its uncertainty point
sampling, ``topk`` gathered from the flattened candidates by ``idx + K · arange(M)``; kMaX-DeepLab's
mask-ID CE and PQ-style loss; SAM's multimask minimum with its IoU head, the prompted objects
concatenated over the images), semantic segmentation (SegFormer / UPerNet's upsampled class-weighted
CE ignoring 255 with an auxiliary head; a boundary-weighted CE by ``max_pool2d`` edges; the
Lovász-softmax per image; nnU-Net's batch Dice and CE under deep supervision; ENet's class weights
from the batch's frequencies; pixel contrast over the batch's anchors; De Brabandere's discriminative
embedding loss) and instances (BoxInst's projection and colour-similarity pairwise terms; SOLOv2's
Dice and category focal over ``num_ins + 1``; YOLACT's prototype masks cropped per box over
``total_num_pos``; Mask R-CNN's class-specific mask BCE with its accuracy and false-positive rate).
The harness and its vocabulary (``MIXES``, ``GAP``, ``WRONG``, the 3 % target of issue #13) are
``_survey``'s.

Four batches as surveys 23 to 50's: 4 images of two groups (``loss_weight`` 1, 0.5, 1, 0.25), 3 of
two, 3 of one group with every weight 1, 1 image; the groups from the targets' ``loss_weight`` (the
default source), which the oracle sets to 1.

FIRST_CONTACT (27 patterns, int37 at 494a35c unchanged): 342 expected companions, 146 declined,
**130 GAP (38.0 %)**, 0 WRONG. The 16 declines where images mix, each with a warning naming its key:
Wise-IoU v3's batch-mean outlier degree, YOLO-World's batch vocabulary, the pixel contrast, ENet's
batch frequencies. The GAPs by cause: DINO's ``num_boxes · G``, G read from ``dn_meta`` (24: "a
factor the code does not prove a constant of the call"); YOLOv8's collated ``mask_gt[i, :n] = 1.0``
taken for a value of the rows' positions, and targets written per image into padded buffers, whose
rows no rule follows (20); Mask R-CNN's logged false-positive rate over ``max(float(count), 1.0)``, a
host read declining the whole call (16); Align-DETR's rows picked by position (15); RTMDet's
normaliser, the sum of IoUs written per image into a buffer (10); Soft Teacher's ``.item()`` count
dividing a loss times the weight field (10); YOLACT's ``total_num_pos`` (8); YOLO-World's own texts,
the count read by ``.item()`` also dividing the mixing key, and slices after it on the one image (6);
MPDIoU's ``float`` of each image's size (6); FGD's masks written per image (5); nnU-Net's deep
supervision weights, a constant vector's elements (5); the discriminative loss' one-value stack of an
image's instance terms (4); ENet on the one image (1). Split at first contact: the in-body Hungarian
matching, Grounding DINO's ``masked_select``, DiffusionDet, the KLD, LD, Mask2Former's uncertainty
points gathered from the flattened candidates, kMaX, SAM's minimum, SegFormer's CE, the boundary CE, the
Lovász-softmax, BoxInst, SOLOv2.

WRONG found beside the table (probes of the loop-position family while reading the GAPs, not a table
pattern): an image's row written in a loop over the images at a place after the row computed from the
loop's position (``z[i, :, i % 2 * 4:..] = y[i]``, ``z[i, :, (i % 2) * 4] = ..``) or read there
(``x[i, :, i % 2]``) gave silently wrong companions (on a group alone the image has another position).
Fixed in s52: both decline, naming the op (``tests/test_rules_position_parts.py``; the same writes and
reads at literal places, an inner loop's own positions or the image's own sizes split).

s52: 342 expected, 138 declined, **122 GAP (35.7 %)**, 0 WRONG. Three general rules, each with
near misses against the oracle: (1) ``torch.stack`` of one image's reduced values made in a loop over
the images is that image's tensor, also of one value (the discriminative loss, 4;
``tests/test_rules_one_image_stacks.py``: values of images picked by position outside such a loop
still decline); (2) a count read on the host that reaches an op on a loss already lost (a key whose
images mix) does not decline the call when that op's output is lost too (YOLO-World's own texts on the
batches of several images, 4; ``tests/test_rules_reads_of_lost_losses.py``: a read that also reaches
an op not followed still declines); (3) a vector of constants of the call picked at a literal int,
summed or in arithmetic with constants stays a constant an expression of ratios takes (``w[0] *
batch_dice``; ``tests/test_rules_constant_vectors.py``; nnU-Net's body iterates its weights by ``zip``,
through ``unbind``, and still declines). Then (dino40) a number passed in times a field of a dict
argument the call was given and still holds (DINO's ``num_boxes * dn_meta["num_dn_group"]``, unpacked
into locals, also divided in a helper it is passed to) is that field times the group's share: the
oracle's group gets the same dict (24; ``tests/test_rules_call_constants.py``: a field the body writes
from the targets, a dict it builds from them, ``len(t)`` or ``num_boxes`` itself as the factor decline);
and beside numbers read on the host a divisor the code makes of constants of the call (a global no
function sets) or stores once as the generator sum of one size of each item of an argument
(YOLACT's ``total_num_pos = sum(len(t["pos"]) for t in targets)``: the group's sum) is no number of
those reads (8; same file: a number read on the host, a global a function sets from the batch, sizes
plus one each still decline): 342 expected, 106 declined, **90 GAP (26.3 %)**, 0 WRONG. WRONG found
beside (dino40, fixed, same file): ``num_boxes * num_boxes`` passed to a helper dividing by it, a
generator sum of sizes over ``t[:2]``, and each image's field number filled per image and joined in
reversed order were silently wrong; each now declines. Left: every other GAP cause above.


Then (s40, detr40): 342 expected, 135 declined, **119 GAP (34.8 %)**, 0 WRONG. Align-DETR's rows (15 -> 12):
its slices ``iou[s:s + 2 * n]`` at host offsets, one image's matched rows each in a loop over every image,
are that image's tensors (deferred checks: each slice whole, the slices tiling the rows;
``tests/test_rules_image_slices.py``), and a sort along rows the host knows are one image's ranks them (the
batch of one image: 3 closed). Left there: ``prior.split(per_image)`` of the joined pieces at ``len(j) // 2``,
counts computed from the indices, not row counts (a split by a list of numbers that matches the parts by value
only may cut elsewhere on a group alone).

Then (host40): 342 expected, 115 declined, **99 GAP (28.9 %)**, 0 WRONG. A host read declines only the keys
it reaches (``tests/test_rules_host_read_reach.py``): Soft Teacher's ``.item()`` count is followed per group
beside ``lw[reliable][:, None]`` (a subscript's key of slices and ``None`` is no operand of the number; 10);
a count followed per group sizes no slice, so YOLO-World's own texts written per image after it split on the
one image (2); Mask R-CNN's ``max(float(count), 1.0)``, whose every use the code shows to end at the
division, loses only that division's output: ``mask_fp`` declines alone, naming the op (11; 5 left: a count
of data over the read count, declined as before).

Then (pad40): Per-image buffers
(``tests/test_rules_padded_buffers.py``): a tensor of one constant made with a row per image
(``zeros`` / ``full`` / ``ones_like`` of one, sized by a count of the images, no other size computed
from the images) whose row ``i`` a loop writes only from image ``i``'s values, positions and bounds
or constants is a tensor of the images' rows (``indexing.per_image_write``), beside a top-k's ``k``
of the cut tensor's own length, one image's values scaled in place by their own sum, and one image's
tested value kept as read: RTMDet splits (10), FGD but on batch 1 (3; there the channel count 3 of
``c * softmax`` equals the 3 images, read as a count). Near misses decline: another image's values,
numbers, positions or bounds written into a row, a padded width (``[B, max n]``: YOLOv8's buffers are
not taken, its 20 GAP stay). Left: every other GAP cause above.

NOW (session 39, after merging dino40, host40, detr40 and pad40): 342 expected, 75 declined, **59 GAP
(17.3 %)**, 0 WRONG. RTMDet, split by pad40 alone, declines again on the batches of several images (8): s53's
read of one image's values at a place computed from a loop's position (``x_i[:, i % 2]``, silently wrong before)
takes ``cost[:, j]`` of the loop over each image's boxes for the images' loop. Left: YOLOv8's ``[B, max n]``
buffers (20), Align-DETR's split at ``len(j) // 2`` (12), RTMDet (8), MPDIoU (6), Mask R-CNN's false-positive
rate (5), nnU-Net's weights by ``zip`` (5), FGD on batch 1 (2), ENet on the one image (1).

Then (s41, yolo41): 342 expected, 55 declined, **39 GAP (11.4 %)**, 0 WRONG. Align-DETR's ``prior.split(per_image)``
splits (12): sections stored once as a list comprehension over a parameter of one item per image, each element
computed from its item alone (``per_image = [len(j) // 2 for _, j in indices]``, ``_bytecode.per_item_sections``),
cutting rows that hold, in image order, that many rows of each image (deferred check): piece ``i`` is image
``i``'s tensor (``tests/test_rules_per_image_sections.py``: the list reversed after, made over reversed indices or
reversed in place, the rows flipped before the cut, each image's rows twice decline). RTMDet splits again (8): the
reader of loops over the images took ``enumerate(k.tolist())`` for one, ``k`` sized by ``min(topk, len(ious))`` with
``topk`` a parameter; a parameter holding a number that is a constant of the call (its default, not passed) is no
count of the images (``_bytecode._constant_numbers``; ``tests/test_rules_position_parts.py``: sized by
``len(targets)`` the top-k still declines). Left: YOLOv8's ``[B, max n]`` buffers (20), MPDIoU (6), Mask R-CNN's
false-positive rate (5), nnU-Net (5), FGD on batch 1 (2), ENet on the one image (1).

Also (s41, loop41, the same RTMDet GAP closed another way): the position readers tell which loop a position is
of (``_bytecode._loops_read``, ``tests/test_rules_loop_of_position.py``): a loop whose iterable reads, now,
nothing but one image's values runs over that image's items, the same on a group alone. Merged: 39 GAP.

Then (yolo42): unchanged, 342 expected, 55 declined, **39 GAP (11.4 %)**, 0 WRONG. Reads over a padded dim that
its padding provably does not change are followed (``tests/test_rules_padded_reductions.py``: a mask written with
its ``n`` values, the ``inside`` test times it, a ``topk`` along the anchors scattered, ``mask_pos.sum(-2)``
of padding 0 and an ``argmax`` over the boxes first reached in each prefix, both checked on the values). YOLOv8
(20) still declines: its ``mask_gt[i, :n] = 1.0`` is a number written into a prefix (a width too small on a group
alone would clamp it silently), and past it ``overlaps[i] = _iou_matrix(gt_boxes[i], ..)`` (one image's row of
the padded boxes written back per image), ``F.one_hot(overlaps.argmax(1), m)`` (a width the code computes) and
``gt_labels.flatten()[target_gt_idx + arange(b)[:, None] * m]`` are not followed.

Then (yolo43): unchanged, 342 expected, 55 declined, **39 GAP (11.4 %)**, 0 WRONG. A number written into a prefix of a
buffer whose width is the body's builtin ``max`` of a comprehension over the targets parameter (``m = max(len(t["labels"])
for t in targets)``), each row's ``n`` at most its image's own value, is a padded buffer: on a group alone the width is
the group's largest count, never less than its images' ``n`` (``tests/test_rules_padded_masks.py``: the max over
``targets[:2]``, ``len(targets)``, a floored ``max(.., 2)``, ``:n + 1``, another image's count decline). YOLOv8's
``mask_gt`` is now followed; its 20 GAP stay at the next op, ``_iou_matrix(gt_boxes[i], pred_boxes[i])`` (a row of the
padded boxes picked per image, no rule follows a padded tensor without its images' dim), then the flattened gather
(``F.one_hot(overlaps.argmax(1), m)`` is followed since yolo43: positions reached within each prefix, one-hot over the
same ``max``, padded along the last dim).

Then (yolo44): 342 expected, 35 declined, **19 GAP (5.6 %)**, 0 WRONG. YOLOv8 splits (20;
``tests/test_rules_padded_image_rows.py``): ``gt_boxes[i]`` of the padded buffer is image ``i``'s tensor padded along
its dim 0, followed position by position through ``_iou_matrix`` and written back whole as ``overlaps[i]`` into a
``torch.zeros(b, m, a)`` of the same ``max`` width (the buffer padded with each row's prefix); ``(fg[:, None] >
1).expand(-1, m, -1)`` is padded along ``m`` with no prefix; ``gt_labels.flatten()[target_gt_idx + torch.arange(b)[:,
None] * m]`` (``view(-1, 4)`` alike) is ``gt_labels.gather(1, target_gt_idx)``, checked within each row's prefix, the
subscript by ``m`` no lookup a group decides; the divisor ``max(target_scores.sum(), 1)`` that returned 1 is that
literal (which operand returned is a branch each group decides), no number computed from the targets' sizes. Near
misses decline: another image's row written back, a write along a non-image dim, two images or a sum of several into
one row, a row never written, positions mixing images or of reversed rows, blocks of a literal width or an
``arange`` of a literal count, a read past a prefix, a mean over the width; a floor a group alone decides otherwise
declines that group. Left: MPDIoU (6), Mask R-CNN's false-positive rate (5), nnU-Net (5), FGD on batch 1 (2), ENet on
the one image (1).

Session 46 (yolo46): 342 expected, 33 declined, **17 GAP (5.0 %)**, 0 WRONG: FGD's ``b, c, h, w = student.shape``
unpacks ``c`` from an inner dim of an argument whose images are on dim 0 only, a constant of the call, so the channel
count (3) times the attention on batch 1 (3 images) is no count of the images (2).

Session 47 (gap47b): 342 expected, 28 declined, **12 GAP (3.5 %)**, 0 WRONG: Mask R-CNN's logged ``mask_fp``, a
sum of data over ``max(float(neg.sum()), 1.0)`` read on the host, is the ratio of the two sums, the group's count
floored (5; ``tests/test_rules_data_over_reads.py``).
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from _helpers import PER_IMAGE, ROWS, TARGETS, Owned, Share
from _survey import LIBRARY_WEIGHTS, Case, keys, survey_tests
from _survey import corners as _corners
from _survey import gen as _gen
from _survey import giou_aligned as _giou
from _survey import leaf as _leaf
from _survey import lovasz_grad as _lovasz_grad

# One worker runs the table: each pattern's outcome is computed once.
pytestmark = pytest.mark.xdist_group("survey52")

WEIGHTS = LIBRARY_WEIGHTS
_MIXED = (0, 1)
Q, C = 10, 4  # queries, classes


def _boxes(g: torch.Generator, n: int) -> torch.Tensor:
    """``n`` boxes cxcywh with centres in [0.3, 0.6] and sides in [0.1, 0.4]."""
    return torch.cat([torch.rand(n, 2, generator=g) * 0.3 + 0.3, torch.rand(n, 2, generator=g) * 0.3 + 0.1], 1)


def _owner(targets: list[dict], field: str) -> torch.Tensor:
    return torch.arange(len(targets)).repeat_interleave(torch.tensor([len(t[field]) for t in targets]))


def _matched(indices):
    batch_idx = torch.cat([torch.full_like(src, i) for i, (src, _) in enumerate(indices)])
    return batch_idx, torch.cat([src for src, _ in indices])


def _iou_aligned(a: torch.Tensor, b: torch.Tensor, eps: float = 1e-7) -> torch.Tensor:
    """IoU of each xyxy box of ``a`` [n, 4] with the same row of ``b``."""
    wh = (torch.min(a[:, 2:], b[:, 2:]) - torch.max(a[:, :2], b[:, :2])).clamp(min=0)
    inter = wh[:, 0] * wh[:, 1]
    return inter / ((a[:, 2:] - a[:, :2]).prod(-1) + (b[:, 2:] - b[:, :2]).prod(-1) - inter + eps)


def _iou_matrix(a: torch.Tensor, b: torch.Tensor, eps: float = 1e-7) -> torch.Tensor:
    """IoU of every xyxy box of ``a`` [n, 4] with every box of ``b`` [m, 4]: [n, m]."""
    wh = (torch.min(a[:, None, 2:], b[None, :, 2:]) - torch.max(a[:, None, :2], b[None, :, :2])).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    area_a, area_b = (a[:, 2:] - a[:, :2]).prod(-1), (b[:, 2:] - b[:, :2]).prod(-1)
    return inter / (area_a[:, None] + area_b[None] - inter + eps)


def _detr_targets(g: torch.Generator, seed: int, per_box: int = 1) -> tuple[list[dict], list]:
    """Per image 1 to 3 boxes (cxcywh), labels and ``loss_weight``; the matcher's indices, ``per_box``
    distinct queries for each box (one-to-many where above 1)."""
    targets, indices = [], []
    for i, w in enumerate(WEIGHTS[seed]):
        n = 1 + (i + seed) % 3
        targets.append({"labels": torch.randint(0, C, (n,), generator=g), "boxes": _boxes(g, n), "loss_weight": w})
        indices.append((torch.randperm(Q, generator=g)[:n * per_box], torch.arange(n).repeat(per_box)))
    return targets, indices


def detr_batch(seed: int) -> tuple[list, list, None]:
    """A DETR-style decoder's logits [B, 10, 4] and boxes [B, 10, 4] (cxcywh in [0.3, 0.6]); the targets,
    the matcher's indices and ``num_boxes`` passed in."""
    g = _gen(seed + 5200)
    b = len(WEIGHTS[seed])
    targets, indices = _detr_targets(g, seed)
    out = {"pred_logits": _leaf(b, Q, C, g=g), "pred_boxes": (torch.cat(
        [torch.rand(b, Q, 2, generator=g) * 0.3 + 0.3, torch.rand(b, Q, 2, generator=g) * 0.3 + 0.1], -1)).requires_grad_()}
    counts = [len(t["boxes"]) for t in targets]
    return [out, targets, indices, float(sum(counts))], [ROWS, TARGETS, PER_IMAGE, Share(counts)], None


def detr_batch_plain(seed: int) -> tuple[list, list, None]:
    """``detr_batch``'s decoder outputs and targets alone (the criterion matches)."""
    args, kinds, _ = detr_batch(seed)
    return args[:2], kinds[:2], None


# -- DETR family ---------------------------------------------------------------------------------------

DN_GROUPS = 3


def dn_batch(seed: int) -> tuple[list, list, list | None]:
    """DINO's denoising part of the decoder: per group a positive and a negative slot for each of the
    batch's largest box count (``single_pad = 2 · max n``), logits and boxes [B, 3 · single_pad, ·]
    over one auxiliary layer and the last; ``dn_meta`` (the model's padding, as it was built) and
    ``num_boxes`` passed in."""
    g = _gen(seed + 5210)
    b = len(WEIGHTS[seed])
    targets, _ = _detr_targets(g, seed)
    single = 2 * max(len(t["boxes"]) for t in targets)
    pad = DN_GROUPS * single

    def layer():
        return {"pred_logits": _leaf(b, pad, C, g=g), "pred_boxes": (torch.rand(b, pad, 4, generator=g) * 0.3 + 0.3)
                .requires_grad_()}

    out = {**layer(), "aux_outputs": [layer()]}
    counts = [len(t["boxes"]) for t in targets]
    meta = {"single_pad": single, "num_dn_group": DN_GROUPS}
    return [out, targets, meta, float(sum(counts))], [ROWS, TARGETS, "keep", Share(counts)], None


def _sigmoid_focal(logits, onehot, num_boxes, alpha=0.25, gamma=2.0):
    p = logits.sigmoid()
    ce = F.binary_cross_entropy_with_logits(logits, onehot, reduction="none")
    p_t = p * onehot + (1 - p) * (1 - onehot)
    loss = ce * (1 - p_t) ** gamma * (alpha * onehot + (1 - alpha) * (1 - onehot))
    return loss.mean(1).sum() / num_boxes


def dino_denoising_groups(outputs, targets, dn_meta, num_boxes):
    """DINO's denoising losses: each image's noised boxes sit at ``arange(n)`` in every group, so the
    matched queries are ``(arange(G) · single_pad)[:, None] + t`` and the targets ``t.repeat(G)``; the
    focal over every denoising query times their count (``mean(1).sum() / num_boxes · Q``), the L1 and
    GIoU of the positives, each over ``num_boxes · G``; the same for the auxiliary layer (``_0``)."""
    single, groups = dn_meta["single_pad"], dn_meta["num_dn_group"]
    dn_idx = []
    for t in targets:
        n = len(t["labels"])
        tgt = torch.arange(n)
        src = ((torch.arange(groups) * single)[:, None] + tgt).flatten()
        dn_idx.append((src, tgt.repeat(groups)))
    idx = _matched(dn_idx)
    norm = num_boxes * groups
    losses = {}
    for suffix, layer in [("", outputs), *((f"_{i}", a) for i, a in enumerate(outputs["aux_outputs"]))]:
        logits = layer["pred_logits"]
        onehot = torch.zeros_like(logits)
        onehot[idx[0], idx[1], torch.cat([t["labels"][j] for t, (_, j) in zip(targets, dn_idx)])] = 1.0
        src = layer["pred_boxes"][idx]
        tgt = torch.cat([t["boxes"][j] for t, (_, j) in zip(targets, dn_idx)])
        losses["loss_ce_dn" + suffix] = _sigmoid_focal(logits, onehot, norm) * logits.shape[1]
        losses["loss_bbox_dn" + suffix] = F.l1_loss(src, tgt, reduction="none").sum() / norm
        losses["loss_giou_dn" + suffix] = (1 - _giou(_corners(src), _corners(tgt))).sum() / norm
    return losses


def detr_in_body_hungarian(outputs, targets, cost_class=2.0, cost_bbox=5.0, cost_giou=2.0):
    """DETR's ``SetCriterion.forward`` with its ``HungarianMatcher``: per image the cost of every query
    against every box (the class probability, the boxes' L1 by ``cdist`` and their GIoU), moved to the
    host and assigned by scipy's ``linear_sum_assignment``; ``num_boxes`` the targets' count
    (``sum(len(t["labels"]))``, clamped at 1); the matched boxes' L1 and GIoU over it."""
    from scipy.optimize import linear_sum_assignment

    indices = []
    with torch.no_grad():
        for b, t in enumerate(targets):
            prob = outputs["pred_logits"][b].softmax(-1)
            src = outputs["pred_boxes"][b]
            giou = torch.stack([_giou(_corners(src), _corners(box).expand_as(src)) for box in t["boxes"]], 1)
            cost = (cost_bbox * torch.cdist(src, t["boxes"], p=1) - cost_class * prob[:, t["labels"]]
                    - cost_giou * giou)
            rows, cols = linear_sum_assignment(cost.cpu())
            indices.append((torch.as_tensor(rows, dtype=torch.long), torch.as_tensor(cols, dtype=torch.long)))
    num_boxes = max(float(sum(len(t["labels"]) for t in targets)), 1.0)
    idx = _matched(indices)
    src = outputs["pred_boxes"][idx]
    tgt = torch.cat([t["boxes"][j] for t, (_, j) in zip(targets, indices)])
    return {"loss_bbox": F.l1_loss(src, tgt, reduction="none").sum() / num_boxes,
            "loss_giou": (1 - _giou(_corners(src), _corners(tgt))).sum() / num_boxes}


TOKENS = 6


def grounding_batch(seed: int) -> tuple[list, list, None]:
    """Grounding DINO's query logits over 6 text tokens [B, 10, 6]; per image its caption's token mask
    (3 to 6 real tokens), each box's positive map over the tokens, boxes and ``loss_weight``; the
    matcher's indices and ``num_boxes``."""
    g = _gen(seed + 5225)
    b = len(WEIGHTS[seed])
    targets, indices = _detr_targets(g, seed)
    for i, t in enumerate(targets):
        n_tok = 3 + (i + seed) % 4
        mask = torch.zeros(TOKENS, dtype=torch.bool)
        mask[:n_tok] = True
        pos = torch.zeros(len(t["boxes"]), TOKENS)
        for k in range(len(pos)):
            pos[k, k % n_tok] = 1.0
            pos[k, (k + 1) % n_tok] = 1.0
        t["text_mask"], t["positive_map"] = mask, pos / pos.sum(-1, keepdim=True)
    out = {"pred_logits": _leaf(b, Q, TOKENS, g=g)}
    counts = [len(t["boxes"]) for t in targets]
    return [out, targets, indices, float(sum(counts))], [ROWS, TARGETS, PER_IMAGE, Share(counts)], None


def grounding_dino_token_focal(outputs, targets, indices, num_boxes, alpha=0.25, gamma=2.0):
    """Grounding DINO's token-level sigmoid focal: each matched query's target its box's positive map
    over the caption tokens (``> 0``), the others 0; the padded tokens dropped by ``masked_select`` of
    the text mask expanded over the queries, the sum over ``num_boxes``."""
    logits = outputs["pred_logits"]
    target = torch.zeros_like(logits)
    idx = _matched(indices)
    target[idx] = (torch.cat([t["positive_map"][j] for t, (_, j) in zip(targets, indices)]) > 0).float()
    text_mask = torch.stack([t["text_mask"] for t in targets])[:, None].expand_as(logits)
    p = logits.sigmoid()
    ce = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    p_t = p * target + (1 - p) * (1 - target)
    loss = (alpha * target + (1 - alpha) * (1 - target)) * ce * (1 - p_t) ** gamma
    return {"loss_token_focal": loss.masked_select(text_mask).sum() / num_boxes}


def align_batch(seed: int) -> tuple[list, list, None]:
    """Align-DETR's mixed matching: two queries per box (one-to-many), the rest as ``detr_batch``."""
    g = _gen(seed + 5220)
    b = len(WEIGHTS[seed])
    targets, indices = _detr_targets(g, seed, per_box=2)
    out = {"pred_logits": _leaf(b, Q, C, g=g), "pred_boxes": (torch.rand(b, Q, 4, generator=g) * 0.3 + 0.3)
           .requires_grad_()}
    counts = [len(t["boxes"]) for t in targets]
    return [out, targets, indices, float(sum(counts))], [ROWS, TARGETS, PER_IMAGE, Share(counts)], None


def align_detr_ia_bce(outputs, targets, indices, num_boxes, alpha=0.25, gamma=2.0, tau=1.5):
    """Align-DETR's IoU-aware BCE: each matched query's target ``t = s^α · u^(1-α)`` (its detached score
    of the box's class and IoU), the negatives' BCE toward 0 modulated by ``p^γ``; the mixed matching's
    prior weights ``exp(-rank / τ)`` of each box's two queries ranked by IoU (``argsort`` of
    ``view(-1, 2)`` twice); the matched rows weighted by them, the sum over ``num_boxes``; L1 and GIoU
    likewise weighted."""
    idx = _matched(indices)
    logits = outputs["pred_logits"]
    labels = torch.cat([t["labels"][j] for t, (_, j) in zip(targets, indices)])
    src = outputs["pred_boxes"][idx]
    tgt = torch.cat([t["boxes"][j] for t, (_, j) in zip(targets, indices)])
    iou = _iou_aligned(_corners(src), _corners(tgt)).detach()
    per_image = [len(j) // 2 for _, j in indices]
    order = torch.cat([iou[s:s + 2 * n].view(2, n).t() for s, n in zip(
        torch.tensor([0, *per_image]).mul(2).cumsum(0).tolist(), per_image)])
    rank = order.argsort(-1, descending=True).argsort(-1).float()
    prior = torch.exp(-rank / tau)
    prior = torch.cat([p.t().flatten() for p in prior.split(per_image)])
    p = logits.sigmoid()
    score = p[idx[0], idx[1], labels].detach()
    target = torch.zeros_like(logits)
    target[idx[0], idx[1], labels] = score ** alpha * iou ** (1 - alpha)
    weight = p.detach() ** gamma
    weight[idx[0], idx[1], labels] = prior
    loss = F.binary_cross_entropy_with_logits(logits, target, weight=weight, reduction="sum") / num_boxes
    l1 = (F.l1_loss(src, tgt, reduction="none").sum(-1) * prior).sum() / num_boxes
    giou = ((1 - _giou(_corners(src), _corners(tgt))) * prior).sum() / num_boxes
    return {"loss_ia_bce": loss, "loss_bbox": l1, "loss_giou": giou}


def diffusion_batch(seed: int) -> tuple[list, list, None]:
    """DiffusionDet: boxes in pixels xyxy of images of different sizes (each target's
    ``image_size_xyxy``), the decoder's logits and boxes [B, 10, ·] in pixels."""
    g = _gen(seed + 5230)
    b = len(WEIGHTS[seed])
    targets, indices = _detr_targets(g, seed)
    out_boxes = []
    for i, t in enumerate(targets):
        size = torch.tensor([32.0 + 8 * ((i + seed) % 3), 24.0 + 8 * (i % 2)])
        t["image_size_xyxy"] = size.repeat(2)
        t["boxes_xyxy"] = _corners(t["boxes"]) * t["image_size_xyxy"]
        out_boxes.append(_corners(torch.rand(Q, 4, generator=g) * 0.3 + 0.3) * t["image_size_xyxy"])
    out = {"pred_logits": _leaf(b, Q, C, g=g), "pred_boxes": torch.stack(out_boxes).requires_grad_()}
    counts = [len(t["boxes"]) for t in targets]
    return [out, targets, indices, float(sum(counts))], [ROWS, TARGETS, PER_IMAGE, Share(counts)], None


def diffusiondet_set_loss(outputs, targets, indices, num_boxes):
    """DiffusionDet's set criterion: the focal over all boxes' classes (sum over ``num_boxes``); per image
    (a loop) the matched boxes divided by the image's ``image_size_xyxy`` for the L1, pixel boxes for the
    GIoU; each concatenated, summed over ``num_boxes``."""
    logits = outputs["pred_logits"]
    onehot = torch.zeros_like(logits)
    idx = _matched(indices)
    onehot[idx[0], idx[1], torch.cat([t["labels"][j] for t, (_, j) in zip(targets, indices)])] = 1.0
    p = logits.sigmoid()
    ce = F.binary_cross_entropy_with_logits(logits, onehot, reduction="none")
    p_t = p * onehot + (1 - p) * (1 - onehot)
    focal = (0.25 * onehot + 0.75 * (1 - onehot)) * ce * (1 - p_t) ** 2
    pred, gt, pred_n, gt_n = [], [], [], []
    for b, (src, j) in enumerate(indices):
        size = targets[b]["image_size_xyxy"]
        pred.append(outputs["pred_boxes"][b][src])
        gt.append(targets[b]["boxes_xyxy"][j])
        pred_n.append(outputs["pred_boxes"][b][src] / size)
        gt_n.append(targets[b]["boxes_xyxy"][j] / size)
    l1 = F.l1_loss(torch.cat(pred_n), torch.cat(gt_n), reduction="none")
    giou = 1 - _giou(torch.cat(pred), torch.cat(gt))
    return {"loss_ce": focal.sum() / num_boxes, "loss_bbox": l1.sum() / num_boxes, "loss_giou": giou.sum() / num_boxes}


def mpdiou_and_wiou_v3(outputs, targets, indices, num_boxes, alpha=1.9, delta=3.0):
    """MPDIoU (Ma and Xu, 2023): ``IoU - d1² / (w² + h²) - d2² / (w² + h²)`` with the corners' distances
    over each image's size (a ``torch.full`` of its ``w² + h²`` per matched box), each image's rows times
    its ``loss_weight``, over ``num_boxes``; Wise-IoU v3: the IoU loss times ``exp`` of the centres'
    distance over the enclosing box (detached), focused by the outlier degree ``β`` against the batch's
    mean IoU loss (the images mix)."""
    idx = _matched(indices)
    src = outputs["pred_boxes"][idx]
    tgt = torch.cat([t["boxes_xyxy"][j] for t, (_, j) in zip(targets, indices)])
    diag = torch.cat([torch.full((len(j),), float((t["image_size_xyxy"][:2] ** 2).sum())) for t, (_, j) in
                      zip(targets, indices)])
    w = torch.cat([torch.full((len(j),), t["loss_weight"]) for t, (_, j) in zip(targets, indices)])
    iou = _iou_aligned(src, tgt)
    d1 = ((src[:, :2] - tgt[:, :2]) ** 2).sum(-1)
    d2 = ((src[:, 2:] - tgt[:, 2:]) ** 2).sum(-1)
    mpd = 1 - (iou - d1 / diag - d2 / diag)
    centre = ((src[:, :2] + src[:, 2:]) / 2 - (tgt[:, :2] + tgt[:, 2:]) / 2).pow(2).sum(-1)
    enclose = (torch.max(src[:, 2:], tgt[:, 2:]) - torch.min(src[:, :2], tgt[:, :2])).pow(2).sum(-1)
    r_wiou = torch.exp(centre / enclose.detach())
    l_iou = 1 - iou
    beta = l_iou.detach() / l_iou.detach().mean()
    r = beta / (delta * alpha ** (beta - delta))
    return {"loss_mpdiou": (mpd * w).sum() / num_boxes, "loss_wiou": (r * r_wiou * l_iou).sum() / num_boxes}


def kld_batch(seed: int) -> tuple[list, list, None]:
    """Rotated boxes (cx, cy, w, h, θ) in pixels: per image 1 to 3 with labels and ``loss_weight``, the
    decoder's [B, 10, 5] and the matcher's indices; ``num_boxes`` passed in."""
    g = _gen(seed + 5240)
    b = len(WEIGHTS[seed])
    targets, indices = _detr_targets(g, seed)

    def rotated(n):
        return torch.cat([torch.rand(n, 2, generator=g) * 20 + 6, torch.rand(n, 2, generator=g) * 8 + 2,
                          (torch.rand(n, 1, generator=g) - 0.5) * math.pi], 1)

    for t in targets:
        t["rboxes"] = rotated(len(t["boxes"]))
    out = {"pred_rboxes": torch.stack([rotated(Q) for _ in range(b)]).requires_grad_()}
    counts = [len(t["boxes"]) for t in targets]
    return [out, targets, indices, float(sum(counts))], [ROWS, TARGETS, PER_IMAGE, Share(counts)], None


def _gaussian(rbox):
    xy, wh, theta = rbox[:, :2], rbox[:, 2:4].clamp(min=1e-7), rbox[:, 4]
    cos, sin = torch.cos(theta), torch.sin(theta)
    rot = torch.stack([cos, -sin, sin, cos], -1).view(-1, 2, 2)
    scale = torch.diag_embed(wh ** 2 / 4)
    return xy, rot @ scale @ rot.transpose(1, 2)


def kld_rotated(outputs, targets, indices, num_boxes, tau=1.0):
    """The KLD loss of rotated boxes (Yang et al., 2021): each box as a Gaussian ``R diag(w²/4, h²/4)
    Rᵀ``, the KL divergence of the prediction from the target (a batched 2×2 inverse and
    determinants), ``1 - 1 / (τ + log1p(kld))``, the sum over ``num_boxes``; each image's rows times its
    ``loss_weight``."""
    idx = _matched(indices)
    mu_p, s_p = _gaussian(outputs["pred_rboxes"][idx])
    mu_t, s_t = _gaussian(torch.cat([t["rboxes"][j] for t, (_, j) in zip(targets, indices)]))
    inv_t = torch.linalg.inv(s_t)
    d = (mu_p - mu_t)[..., None]
    term_mu = (d.transpose(1, 2) @ inv_t @ d).flatten()
    term_tr = (inv_t @ s_p).diagonal(dim1=-2, dim2=-1).sum(-1)
    term_det = torch.log(torch.linalg.det(s_t) / torch.linalg.det(s_p))
    kld = 0.5 * (term_mu + term_tr + term_det - 2)
    loss = 1 - 1 / (tau + torch.log1p(kld.clamp(min=0)))
    w = torch.cat([torch.full((len(j),), t["loss_weight"]) for t, (_, j) in zip(targets, indices)])
    return {"loss_kld": (loss * w).sum() / num_boxes}


# -- dense detectors: YOLOv8's task-aligned assigner, RTMDet's dynamic soft labels, LD -------------------

STRIDE, GRID, REG_MAX = 8, 4, 8
_YS, _XS = torch.meshgrid(torch.arange(GRID), torch.arange(GRID), indexing="ij")
ANCHORS = (torch.stack([_XS, _YS], -1).view(-1, 2).float() + 0.5) * STRIDE  # 16 anchor centres of a 32 px image


def dense_batch(seed: int) -> tuple[list, list, None]:
    """A YOLOv8-style head over a 4 × 4 grid of stride 8: class logits [B, 16, 4], the DFL's box side
    distributions [B, 16, 4 · 8] and a teacher's; per image 1 to 3 boxes in pixels xyxy, labels and
    ``loss_weight``."""
    g = _gen(seed + 5250)
    b = len(WEIGHTS[seed])
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        n = 1 + (i + seed) % 3
        xy = torch.rand(n, 2, generator=g) * 14 + 2
        wh = torch.rand(n, 2, generator=g) * 10 + 8
        targets.append({"labels": torch.randint(0, C, (n,), generator=g), "boxes": torch.cat([xy, xy + wh], 1),
                        "loss_weight": w})
    out = {"scores": _leaf(b, GRID * GRID, C, g=g), "dist": _leaf(b, GRID * GRID, 4 * REG_MAX, g=g),
           "teacher_dist": torch.randn(b, GRID * GRID, 4 * REG_MAX, generator=g) * 2,
           "teacher_scores": torch.randn(b, GRID * GRID, C, generator=g)}
    return [out, targets], [ROWS, TARGETS], None


def _decode(dist):
    """The DFL's expected distances (softmax over the bins against ``arange``) to xyxy boxes in px."""
    proj = torch.arange(REG_MAX, dtype=dist.dtype)
    ltrb = dist.view(*dist.shape[:-1], 4, REG_MAX).softmax(-1) @ proj
    return torch.cat([ANCHORS / STRIDE - ltrb[..., :2], ANCHORS / STRIDE + ltrb[..., 2:]], -1) * STRIDE


def _ciou(a, b, eps=1e-7):
    iou = _iou_aligned(a, b, eps)
    cw = torch.max(a[:, 2], b[:, 2]) - torch.min(a[:, 0], b[:, 0])
    ch = torch.max(a[:, 3], b[:, 3]) - torch.min(a[:, 1], b[:, 1])
    c2 = cw ** 2 + ch ** 2 + eps
    rho2 = ((b[:, 0] + b[:, 2] - a[:, 0] - a[:, 2]) ** 2 + (b[:, 1] + b[:, 3] - a[:, 1] - a[:, 3]) ** 2) / 4
    w1, h1 = a[:, 2] - a[:, 0], a[:, 3] - a[:, 1] + eps
    w2, h2 = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1] + eps
    v = (4 / math.pi ** 2) * (torch.atan(w2 / h2) - torch.atan(w1 / h1)) ** 2
    with torch.no_grad():
        alpha = v / (v - iou + (1 + eps))
    return iou - (rho2 / c2 + v * alpha)


def _dfl(dist, target):
    """The distribution focal loss of side distributions [n, 4, R] toward real targets [n, 4]."""
    tl = target.long()
    wl = tl + 1 - target
    wr = 1 - wl
    logits = dist.reshape(-1, REG_MAX)
    left = F.cross_entropy(logits, tl.view(-1), reduction="none").view(tl.shape) * wl
    right = F.cross_entropy(logits, (tl + 1).view(-1), reduction="none").view(tl.shape) * wr
    return (left + right).mean(-1, keepdim=True)


def yolov8_tal_ciou_dfl(out, targets, topk=3, alpha=0.5, beta=6.0, eps=1e-9):
    """YOLOv8's ``v8DetectionLoss``: the targets collated into ``[B, max n, ·]`` with ``mask_gt``; the
    task-aligned assigner (the metric ``s^α · IoU^β`` of anchors inside each box, its top 3 per box, an
    anchor claimed by several boxes kept for the one of highest IoU, ``argmax`` over the boxes; labels
    and boxes gathered from the flattened batch by ``target_gt_idx + arange(B)[:, None] · max n``; the
    scores normalised by each box's largest metric and IoU); the BCE ``sum / target_scores_sum``, the
    CIoU and DFL of the foreground weighted by its scores' sums over ``target_scores_sum``; the total
    times the batch size."""
    scores, dist = out["scores"], out["dist"]
    b, a, _ = scores.shape
    m = max(len(t["labels"]) for t in targets)
    gt_boxes = torch.zeros(b, m, 4)
    gt_labels = torch.zeros(b, m, dtype=torch.long)
    mask_gt = torch.zeros(b, m, 1)
    for i, t in enumerate(targets):
        n = len(t["labels"])
        gt_boxes[i, :n], gt_labels[i, :n], mask_gt[i, :n] = t["boxes"], t["labels"], 1.0
    pred_boxes = _decode(dist)
    with torch.no_grad():
        p = scores.sigmoid()
        inside = ((ANCHORS[None, None] > gt_boxes[..., None, :2]) & (ANCHORS[None, None] < gt_boxes[..., None, 2:])
                  ).all(-1).float() * mask_gt  # [B, m, A]
        overlaps = torch.zeros(b, m, a)
        for i in range(b):
            overlaps[i] = _iou_matrix(gt_boxes[i], pred_boxes[i]).clamp(min=0)
        cls = p.gather(2, gt_labels[:, None, :].expand(-1, a, -1)).transpose(1, 2)  # [B, m, A]
        metric = cls ** alpha * overlaps ** beta * inside
        top = metric.topk(topk, dim=-1).indices
        mask_pos = torch.zeros_like(metric).scatter_(-1, top, 1.0) * inside
        fg = mask_pos.sum(-2)
        if fg.max() > 1:
            multi = (fg[:, None] > 1).expand(-1, m, -1)
            best = F.one_hot(overlaps.argmax(1), m).permute(0, 2, 1).float()
            mask_pos = torch.where(multi, best, mask_pos)
            fg = mask_pos.sum(-2)
        target_gt_idx = mask_pos.argmax(-2)  # [B, A]
        flat_idx = target_gt_idx + torch.arange(b)[:, None] * m
        target_labels = gt_labels.flatten()[flat_idx]
        target_bboxes = gt_boxes.view(-1, 4)[flat_idx]
        target_scores = F.one_hot(target_labels, C).float() * (fg[..., None] > 0)
        metric = metric * mask_pos
        pos_metric = metric.amax(-1, keepdim=True)
        pos_overlap = (overlaps * mask_pos).amax(-1, keepdim=True)
        norm = (metric * pos_overlap / (pos_metric + eps)).amax(-2)[..., None]
        target_scores = target_scores * norm
    fg_mask = fg > 0
    target_scores_sum = max(target_scores.sum(), 1)
    loss_cls = F.binary_cross_entropy_with_logits(scores, target_scores, reduction="none").sum() / target_scores_sum
    weight = target_scores.sum(-1)[fg_mask][:, None]
    iou = _ciou(pred_boxes[fg_mask], target_bboxes[fg_mask])
    loss_box = ((1.0 - iou)[:, None] * weight).sum() / target_scores_sum
    anchors = ANCHORS[None].expand(b, -1, -1) / STRIDE
    ltrb = torch.cat([anchors - target_bboxes[..., :2] / STRIDE, target_bboxes[..., 2:] / STRIDE - anchors], -1)
    ltrb = ltrb.clamp(0, REG_MAX - 1 - 0.01)
    loss_dfl = (_dfl(dist[fg_mask].view(-1, 4, REG_MAX), ltrb[fg_mask]) * weight).sum() / target_scores_sum
    total = 7.5 * loss_box + 0.5 * loss_cls + 1.5 * loss_dfl
    return {"loss": total * b, "loss_box": loss_box.detach(), "loss_cls": loss_cls.detach(),
            "loss_dfl": loss_dfl.detach()}


def rtmdet_dynamic_soft_label(out, targets, topk=4, iou_weight=3.0, radius=3.0):
    """RTMDet's ``DynamicSoftLabelAssigner`` per image (a loop): anchors inside any box; the cost of the
    soft label (BCE toward ``onehot · IoU`` scaled by ``|IoU - p|²``), ``-log IoU · 3`` and the centre
    prior ``10^(d / stride - 3)``; each box's dynamic k from its top IoUs' sum (``int``, read on the
    host), its k cheapest anchors, a conflicting anchor kept by its cheapest box; then the quality focal
    loss over every anchor toward the assigned IoU and the GIoU of the positives weighted by it, each over
    the sum of the assigned IoUs (clamped at 1)."""
    scores, pred = out["scores"], _decode(out["dist"])
    b, a, _ = scores.shape
    labels = torch.full((b, a), C, dtype=torch.long)
    quality = torch.zeros(b, a)
    assigned = torch.zeros(b, a, 4)
    with torch.no_grad():
        for i, t in enumerate(targets):
            gt = t["boxes"]
            inside = ((ANCHORS[:, None] > gt[None, :, :2]) & (ANCHORS[:, None] < gt[None, :, 2:])).all(-1)
            valid = inside.any(1)
            if not valid.any():
                continue
            ious = _iou_matrix(pred[i][valid], gt)
            centre = (gt[:, :2] + gt[:, 2:]) / 2
            prior = torch.pow(10, (ANCHORS[valid][:, None] - centre[None]).norm(dim=-1) / STRIDE - radius)
            soft = F.one_hot(t["labels"], C).float()[None] * ious[..., None]
            s = scores[i][valid][:, None].expand(-1, len(gt), -1)
            cls_cost = (F.binary_cross_entropy_with_logits(s, soft, reduction="none") * (soft - s.sigmoid()).abs() ** 2
                        ).sum(-1)
            cost = cls_cost - torch.log(ious + 1e-7) * iou_weight + prior
            k = ious.topk(min(topk, len(ious)), dim=0).values.sum(0).int().clamp(min=1)
            match = torch.zeros_like(cost)
            for j, kj in enumerate(k.tolist()):
                match[cost[:, j].topk(kj, largest=False).indices, j] = 1.0
            multi = match.sum(1) > 1
            if multi.any():
                match[multi] = F.one_hot(cost[multi].argmin(1), len(gt)).float()
            pos = match.sum(1) > 0
            gt_of = match[pos].argmax(1)
            where = valid.nonzero().flatten()[pos]
            labels[i, where] = t["labels"][gt_of]
            quality[i, where] = ious[pos, gt_of]
            assigned[i, where] = gt[gt_of]
    onehot = F.one_hot(labels, C + 1)[..., :C].float() * quality[..., None]
    p = scores.sigmoid()
    qfl = F.binary_cross_entropy_with_logits(scores, onehot, reduction="none") * (onehot - p).abs() ** 2
    avg = quality.sum().clamp(min=1)
    posm = labels < C
    giou = (1 - _giou(pred[posm], assigned[posm])) * quality[posm]
    return {"loss_cls": qfl.sum() / avg, "loss_bbox": 2.0 * giou.sum() / avg}


def localisation_distillation(out, targets, temperature=10.0):
    """LD (Zheng et al.): the anchors inside a box (``ANCHORS`` against each image's boxes, a loop), the
    KL of the student's side distributions from the teacher's at ``T = 10`` times ``T²``, weighted by the
    teacher's highest class score, summed over the positives' sides over ``avg_factor = 4``; the
    teacher's soft class targets' KD over every anchor, mean."""
    pos = torch.stack([((ANCHORS[:, None] > t["boxes"][None, :, :2]) & (ANCHORS[:, None] < t["boxes"][None, :, 2:]))
                       .all(-1).any(1) for t in targets])
    s = out["dist"][pos].view(-1, REG_MAX)
    t = out["teacher_dist"][pos].view(-1, REG_MAX)
    w = out["teacher_scores"][pos].sigmoid().max(-1).values.repeat_interleave(4)
    kl = F.kl_div(F.log_softmax(s / temperature, -1), F.softmax(t / temperature, -1), reduction="none").sum(-1)
    ld = (kl * temperature ** 2 * w).sum() / 4.0
    kd = F.binary_cross_entropy_with_logits(out["scores"], out["teacher_scores"].sigmoid(), reduction="mean")
    return {"loss_ld": ld, "loss_kd": kd}


# -- open vocabulary, semi-supervised and distillation ---------------------------------------------------

D_T, K_T = 6, 3  # text embedding width, texts per image


def text_batch(seed: int) -> tuple[list, list, None]:
    """YOLO-World's region embeddings [B, 16, 6] and logit scale; per image its own 3 text embeddings
    (the nouns of its caption), each anchor's assigned text (-1: background) and ``loss_weight``."""
    g = _gen(seed + 5260)
    b = len(WEIGHTS[seed])
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        assign = torch.full((GRID * GRID,), -1)
        assign[torch.randperm(GRID * GRID, generator=g)[:2 + (i + seed) % 3]] = torch.randint(0, K_T, (1,), generator=g)
        targets.append({"texts": torch.randn(K_T, D_T, generator=g), "assign": assign, "loss_weight": w})
    return [{"regions": _leaf(b, GRID * GRID, D_T, g=g)}, targets], [ROWS, TARGETS], None


def yolo_world_region_text(out, targets, scale=3.0):
    """YOLO-World's region-text BCE: each image's regions against its own texts (``einsum`` over the
    stacked vocabularies, L2-normalised), the targets one-hot at each positive anchor's text, sum over
    the positives' count (clamped at 1); GLIP-style, the regions against the batch's every text (the
    vocabularies concatenated: other images' texts as negatives, the images mix)."""
    reg = F.normalize(out["regions"], dim=-1)
    texts = F.normalize(torch.stack([t["texts"] for t in targets]), dim=-1)
    logits = torch.einsum("bad,bkd->bak", reg, texts) * scale
    assign = torch.stack([t["assign"] for t in targets])
    target = F.one_hot(assign.clamp(min=0), K_T).float() * (assign >= 0)[..., None]
    npos = max((assign >= 0).sum().item(), 1)
    own = F.binary_cross_entropy_with_logits(logits, target, reduction="sum") / npos
    vocab = texts.flatten(0, 1)
    wide = reg @ vocab.t() * scale
    wide_target = torch.zeros_like(wide)
    for i in range(len(targets)):
        wide_target[i, :, i * K_T:(i + 1) * K_T] = target[i]
    batch = F.binary_cross_entropy_with_logits(wide, wide_target, reduction="sum") / npos
    return {"loss_region_text": own, "loss_batch_vocab": batch}


PROPS = 5  # sampled proposals per image


def teacher_batch(seed: int) -> tuple[list, list, None]:
    """Soft Teacher's student RoI head over each image's 5 sampled proposals, concatenated: class logits
    [P, 5] (4 classes and background), box deltas [P, 4]; per image the pseudo labels of its proposals
    (background 4), the teacher's background scores, the regression targets, the teacher's box jitter
    std and ``loss_weight``."""
    g = _gen(seed + 5270)
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        labels = torch.randint(0, C + 1, (PROPS,), generator=g)
        labels[0] = (i + seed) % C
        targets.append({"labels": labels, "bg_score": torch.rand(PROPS, generator=g),
                        "reg_targets": torch.randn(PROPS, 4, generator=g), "jitter_std": torch.rand(PROPS, generator=g),
                        "loss_weight": w})
    p = PROPS * len(targets)
    owner = _owner(targets, "labels")
    out = {"cls_score": _leaf(p, C + 1, g=g), "bbox_pred": _leaf(p, 4, g=g)}
    return [out, targets], [Owned(owner), TARGETS], None


def soft_teacher(out, targets, std_thr=0.5):
    """Soft Teacher's unsupervised RoI losses: the per-image sampling results concatenated, the
    background proposals' CE weighted by the teacher's background score and the foreground's by 1, over
    the weights' sum (clamped at 1); the box regression's smooth L1 over the reliable foreground (jitter
    std below 0.5), over their count times 4; each image's rows times its ``loss_weight``."""
    labels = torch.cat([t["labels"] for t in targets])
    bg = torch.cat([t["bg_score"] for t in targets])
    lw = torch.cat([torch.full((len(t["labels"]),), t["loss_weight"]) for t in targets])
    weight = torch.where(labels == C, bg, torch.ones_like(bg))
    ce = F.cross_entropy(out["cls_score"], labels, reduction="none")
    loss_cls = (ce * weight * lw).sum() / weight.sum().clamp(min=1.0)
    reliable = (labels < C) & (torch.cat([t["jitter_std"] for t in targets]) < std_thr)
    reg = F.smooth_l1_loss(out["bbox_pred"][reliable], torch.cat([t["reg_targets"] for t in targets])[reliable],
                           reduction="none", beta=1.0)
    loss_reg = (reg * lw[reliable][:, None]).sum() / max(reliable.sum().item() * 4, 1)
    return {"loss_cls_unsup": loss_cls, "loss_reg_unsup": loss_reg}


FEAT = 4  # feature side of the distilled FPN level


def fgd_batch(seed: int) -> tuple[list, list, None]:
    """FGD's student and teacher features [B, 3, 4, 4]; per image 1 to 3 boxes on the feature map
    (integer cells) and ``loss_weight``."""
    g = _gen(seed + 5280)
    b = len(WEIGHTS[seed])
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        n = 1 + (i + seed) % 3
        lo = torch.randint(0, 2, (n, 2), generator=g)
        targets.append({"boxes": torch.cat([lo, lo + torch.randint(1, 3, (n, 2), generator=g)], 1), "loss_weight": w})
    return [_leaf(b, 3, FEAT, FEAT, g=g), torch.randn(b, 3, FEAT, FEAT, generator=g), targets], [ROWS, ROWS, TARGETS], None


def _fgd_attention(feat, temp):
    b, c, h, w = feat.shape
    value = feat.abs()
    spatial = h * w * F.softmax((value.mean(1) / temp).view(b, -1), dim=1).view(b, h, w)
    channel = c * F.softmax(value.mean((2, 3)) / temp, dim=1)
    return spatial, channel


def focal_global_distillation(student, teacher, targets, temp=0.5, alpha=1e-3, beta=5e-4, gamma=1e-3):
    """FGD (Yang et al., 2022) without its global relation: each image's foreground mask, ``1 / area`` of
    a box over its cells (the largest where boxes overlap), the background ``1 / count`` of the other
    cells (a loop over the images); the teacher's spatial and channel attention (softmax over the cells
    and the channels at temperature 0.5); the masked, attention-weighted squared error of foreground and
    background over ``len(mask_fg)``, the attention maps' L1 over it."""
    b, c, h, w = student.shape
    mask_fg = torch.zeros(b, h, w)
    mask_bg = torch.ones_like(mask_fg)
    for i, t in enumerate(targets):
        for x1, y1, x2, y2 in t["boxes"].tolist():
            area = 1.0 / ((x2 - x1) * (y2 - y1))
            mask_fg[i, y1:y2, x1:x2] = torch.max(mask_fg[i, y1:y2, x1:x2], torch.tensor(area))
        mask_bg[i] = torch.where(mask_fg[i] > 0, 0.0, 1.0)
        if mask_bg[i].sum():
            mask_bg[i] /= mask_bg[i].sum()
    s_t, c_t = _fgd_attention(teacher, temp)
    s_s, c_s = _fgd_attention(student, temp)
    diff = (student - teacher) ** 2 * s_t[:, None] * c_t[..., None, None]
    fg = (diff * mask_fg[:, None]).sum() / len(mask_fg)
    bgl = (diff * mask_bg[:, None]).sum() / len(mask_fg)
    att = (c_s - c_t).abs().sum() / len(c_s) + (s_s - s_t).abs().sum() / len(s_s)
    return {"loss_fgd": alpha * fg + beta * bgl + gamma * att}


# -- segmentation: mask classification, SAM, semantic, instances ---------------------------------------

HM = 8  # mask side
CAND = torch.rand(1, 18, 2, generator=_gen(5290))  # the oversampled candidate points (3 × 6), fixed
FIXED = torch.rand(1, 2, 2, generator=_gen(5291))  # the random share of the points, fixed


def mask_batch(seed: int) -> tuple[list, list, None]:
    """Mask2Former's class logits [B, 10, 5] (4 classes and no-object), mask logits [B, 10, 8, 8]; per
    image 1 to 3 masks, labels and ``loss_weight``; the matcher's indices and ``num_masks``."""
    g = _gen(seed + 5295)
    b = len(WEIGHTS[seed])
    targets, indices = [], []
    for i, w in enumerate(WEIGHTS[seed]):
        n = 1 + (i + seed) % 3
        targets.append({"labels": torch.randint(0, C, (n,), generator=g),
                        "masks": (torch.rand(n, HM, HM, generator=g) > 0.5).float(), "loss_weight": w})
        indices.append((torch.randperm(Q, generator=g)[:n], torch.arange(n)))
    out = {"pred_logits": _leaf(b, Q, C + 1, g=g), "pred_masks": _leaf(b, Q, HM, HM, g=g, scale=2.0)}
    counts = [len(t["masks"]) for t in targets]
    return [out, targets, indices, float(sum(counts))], [ROWS, TARGETS, PER_IMAGE, Share(counts)], None


def _point_sample(x, coords):
    return F.grid_sample(x, 2.0 * coords[:, :, None] - 1.0, align_corners=False)[..., 0]


def mask2former_uncertain_points(outputs, targets, indices, num_masks, eos_coef=0.1, importance=0.75):
    """Mask2Former's ``SetCriterion``: the class CE with the no-object class weighted by ``eos_coef``
    (a weighted mean over every query); the matched masks' points by uncertainty (``-|logit|`` at the
    18 candidates, each mask's top 75 %, gathered from the flattened candidates by ``idx + 18 ·
    arange(M)``) beside the random share, the sampled BCE's mean per mask and the Dice, each summed over
    ``num_masks``."""
    logits = outputs["pred_logits"]
    idx = _matched(indices)
    classes = torch.full(logits.shape[:2], C, dtype=torch.long)
    classes[idx] = torch.cat([t["labels"][j] for t, (_, j) in zip(targets, indices)])
    empty = torch.ones(C + 1)
    empty[-1] = eos_coef
    loss_ce = F.cross_entropy(logits.transpose(1, 2), classes, empty)
    src = outputs["pred_masks"][idx][:, None]
    tgt = torch.cat([t["masks"][j] for t, (_, j) in zip(targets, indices)])[:, None]
    m = len(src)
    with torch.no_grad():
        cand = CAND.expand(m, -1, -1)
        uncertainty = -_point_sample(src, cand).abs()[:, 0]
        k = int(importance * 8)
        top = uncertainty.topk(k, dim=1).indices
        top = top + CAND.shape[1] * torch.arange(m)[:, None]
        coords = cand.reshape(-1, 2)[top.view(-1)].view(m, k, 2)
        coords = torch.cat([coords, FIXED.expand(m, -1, -1)], 1)
        labels = _point_sample(tgt, coords)[:, 0]
    point_logits = _point_sample(src, coords)[:, 0]
    bce = F.binary_cross_entropy_with_logits(point_logits, labels, reduction="none").mean(1)
    p = point_logits.sigmoid()
    dice = 1 - (2 * (p * labels).sum(-1) + 1) / (p.sum(-1) + labels.sum(-1) + 1)
    return {"loss_ce": loss_ce, "loss_mask": bce.sum() / num_masks, "loss_dice": dice.sum() / num_masks}


def kmax_mask_id_and_pq(outputs, targets, indices, num_masks):
    """kMaX-DeepLab's pixel-wise mask-ID cross entropy (each pixel's softmax over its image's queries
    toward the matched query of the mask covering it, the uncovered pixels ignored with -100, the
    first-listed mask winning overlaps) and the PQ-style loss: each matched mask's Dice weighted by its
    detached class probability plus its class CE weighted by its detached Dice, over ``num_masks``."""
    masks = outputs["pred_masks"]
    b, q, h, w = masks.shape
    pixel = torch.full((b, h, w), -100, dtype=torch.long)
    for i, (t, (src, j)) in enumerate(zip(targets, indices)):
        for s, tj in reversed(list(zip(src.tolist(), j.tolist()))):
            pixel[i][t["masks"][tj] > 0] = s
    mask_id = F.cross_entropy(masks, pixel, ignore_index=-100)
    idx = _matched(indices)
    prob = masks.softmax(1)[idx].flatten(1)
    tgt = torch.cat([t["masks"][j] for t, (_, j) in zip(targets, indices)]).flatten(1)
    dice = (2 * (prob * tgt).sum(-1) + 1) / (prob.sum(-1) + tgt.sum(-1) + 1)
    labels = torch.cat([t["labels"][j] for t, (_, j) in zip(targets, indices)])
    logp = outputs["pred_logits"][idx].log_softmax(-1).gather(1, labels[:, None])[:, 0]
    pq = -(logp.detach().exp() * dice + dice.detach() * logp)
    return {"loss_mask_id": mask_id, "loss_pq": pq.sum() / num_masks}


def sam_batch(seed: int) -> tuple[list, list, None]:
    """SAM's prompted objects, 1 to 3 per image (their masks in each target with ``loss_weight``), the
    decoder's three mask logits per object concatenated over the images [N, 3, 8, 8] and its IoU
    predictions [N, 3]."""
    g = _gen(seed + 5300)
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        n = 1 + (i + seed) % 3
        masks = torch.zeros(n, HM, HM)
        for o in range(n):
            masks[o, o:4 + o, 1 + i % 3:6] = 1.0
        targets.append({"masks": masks, "loss_weight": w})
    owner = _owner(targets, "masks")
    n = len(owner)
    out = {"masks": _leaf(n, 3, HM, HM, g=g, scale=2.0), "iou": _leaf(n, 3, g=g)}
    return [out, targets], [Owned(owner), TARGETS], None


def sam_multimask_min(outputs, targets, alpha=0.25, gamma=2.0):
    """SAM: each object's three masks against its mask (the targets' masks concatenated), the focal mean
    and the Dice per mask, ``20 · focal + dice``; the minimum over the three outputs (``min(1)``) per
    object, times its image's ``loss_weight`` (a ``torch.cat`` of ``torch.full``), mean over the
    objects; the IoU head's MSE against each mask's actual IoU (detached), mean."""
    gt = torch.cat([t["masks"] for t in targets])[:, None].expand_as(outputs["masks"]).flatten(2)
    w = torch.cat([torch.full((len(t["masks"]),), t["loss_weight"]) for t in targets])
    x = outputs["masks"].flatten(2)
    p = x.sigmoid()
    ce = F.binary_cross_entropy_with_logits(x, gt, reduction="none")
    p_t = p * gt + (1 - p) * (1 - gt)
    focal = ((alpha * gt + (1 - alpha) * (1 - gt)) * ce * (1 - p_t) ** gamma).mean(-1)
    dice = 1 - (2 * (p * gt).sum(-1) + 1) / (p.sum(-1) + gt.sum(-1) + 1)
    best = (20 * focal + dice).min(1).values
    with torch.no_grad():
        pred = x > 0
        actual = (pred & (gt > 0)).sum(-1) / (pred | (gt > 0)).sum(-1).clamp(min=1)
    return {"loss_mask": (best * w).mean(), "loss_iou": F.mse_loss(outputs["iou"], actual)}


SEG_C = 4


def semantic_batch(seed: int) -> tuple[list, list, None]:
    """A SegFormer-style decode head's logits at half resolution [B, 4, 4, 4] and an auxiliary FCN head's
    at a quarter [B, 4, 2, 2], an embedding map [B, 3, 8, 8]; per image its labels [8, 8] (255 over an
    ignored corner and a crowd region on every other image), its instance ids and ``loss_weight``."""
    g = _gen(seed + 5310)
    b = len(WEIGHTS[seed])
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        labels = torch.randint(0, SEG_C, (HM, HM), generator=g)
        labels[2:5, 2:6] = (i + seed) % SEG_C
        inst = torch.zeros(HM, HM, dtype=torch.long)
        inst[2:5, 2:6] = 1
        inst[5:, :3] = 2 if (i + seed) % 2 else 0
        if (i + seed) % 2:
            labels[:2, :2] = 255
            labels[6:, 5:] = 255
        targets.append({"sem_seg": labels, "instances": inst, "loss_weight": w})
    out = {"logits": _leaf(b, SEG_C, HM // 2, HM // 2, g=g), "aux": _leaf(b, SEG_C, HM // 4, HM // 4, g=g),
           "embed": _leaf(b, 3, HM, HM, g=g), "full": _leaf(b, SEG_C, HM, HM, g=g)}
    return [out, targets], [ROWS, TARGETS], None


CLASS_W = torch.tensor([0.8, 1.0, 1.2, 1.5])


def segformer_ce_aux(out, targets):
    """SegFormer / UPerNet: the decode head's logits upsampled bilinearly to the labels' size, the
    class-weighted CE ignoring 255 (a weighted mean over the kept pixels); the auxiliary FCN head's the
    same times 0.4."""
    labels = torch.stack([t["sem_seg"] for t in targets])
    up = F.interpolate(out["logits"], size=labels.shape[-2:], mode="bilinear", align_corners=False)
    aux = F.interpolate(out["aux"], size=labels.shape[-2:], mode="bilinear", align_corners=False)
    return {"loss_ce": F.cross_entropy(up, labels, weight=CLASS_W, ignore_index=255),
            "loss_aux": 0.4 * F.cross_entropy(aux, labels, weight=CLASS_W, ignore_index=255)}


def boundary_weighted_ce(out, targets, edge_weight=4.0):
    """A boundary-aware CE: the labels' one-hot dilated and eroded by ``max_pool2d`` (3 × 3), the pixels
    where they differ the class boundary; each kept pixel's CE weighted by ``1 + 4 · edge``, the sum over
    the kept pixels' weights."""
    labels = torch.stack([t["sem_seg"] for t in targets])
    valid = labels != 255
    onehot = F.one_hot(labels.clamp(max=SEG_C - 1), SEG_C).permute(0, 3, 1, 2).float() * valid[:, None]
    dil = F.max_pool2d(onehot, 3, 1, 1)
    ero = -F.max_pool2d(-onehot, 3, 1, 1)
    edge = (dil != ero).any(1).float()
    w = (1 + edge_weight * edge) * valid
    ce = F.cross_entropy(out["full"], labels, ignore_index=255, reduction="none")
    return {"loss_boundary_ce": (ce * w).sum() / w.sum()}


def lovasz_softmax_per_image(out, targets):
    """The Lovász-softmax (Berman et al.) per image (a loop): the image's probabilities flattened, the
    ignored pixels dropped by a boolean index, each present class's errors sorted descending against the
    Lovász gradient of its sorted labels (``torch.dot``), mean over the present classes, then over the
    images."""
    probas = out["full"].softmax(1)
    losses = []
    for i, t in enumerate(targets):
        labels = t["sem_seg"].flatten()
        p = probas[i].flatten(1)
        keep = labels != 255
        p, labels = p[:, keep], labels[keep]
        per_class = []
        for c in range(SEG_C):
            fg = (labels == c).float()
            if fg.sum() == 0:
                continue
            errors = (fg - p[c]).abs()
            errors_sorted, perm = torch.sort(errors, 0, descending=True)
            per_class.append(torch.dot(errors_sorted, _lovasz_grad(fg[perm])))
        losses.append(torch.stack(per_class).mean())
    return {"loss_lovasz": torch.stack(losses).mean()}


def discriminative_embedding(out, targets, delta_v=0.5, delta_d=1.5, gamma=0.001):
    """De Brabandere et al.'s discriminative loss over each image's instances (a loop, the ids by
    ``unique``): the variance term (each pixel's hinged distance to its instance's mean, squared, mean per
    instance, mean over them), the distance term over the pairs of means (``cdist``, the diagonal masked),
    the means' norms; per image summed, mean over the images."""
    emb = out["embed"]
    total = []
    for i, t in enumerate(targets):
        inst = t["instances"].flatten()
        e = emb[i].flatten(1)
        ids = [k for k in torch.unique(inst).tolist() if k != 0]
        if not ids:
            total.append(emb[i].sum() * 0)
            continue
        means = torch.stack([e[:, inst == k].mean(1) for k in ids])
        var = torch.stack([((e[:, inst == k] - means[n][:, None]).norm(dim=0) - delta_v).clamp(min=0).pow(2).mean()
                           for n, k in enumerate(ids)]).mean()
        if len(ids) > 1:
            d = torch.cdist(means, means)
            off = ~torch.eye(len(ids), dtype=torch.bool)
            dist = (2 * delta_d - d[off]).clamp(min=0).pow(2).mean()
        else:
            dist = means.sum() * 0
        total.append(var + dist + gamma * means.norm(dim=1).mean())
    return {"loss_disc": torch.stack(total).mean()}


def pixel_contrast_seg(out, targets, tau=0.1, per_class=3):
    """Pixel contrast (Wang et al., 2021) beside the CE: per image and present class the first 3 pixels
    as anchors (a loop), the batch's anchors pooled, a supervised InfoNCE over every pair of anchors of
    the batch (positives of the same class from any image: the images mix); the plain CE ignoring 255."""
    labels = torch.stack([t["sem_seg"] for t in targets])
    emb = F.normalize(out["full"], dim=1)
    feats, classes = [], []
    for i in range(len(targets)):
        lab = labels[i].flatten()
        e = emb[i].flatten(1)
        for c in range(SEG_C):
            where = (lab == c).nonzero().flatten()[:per_class]
            feats.append(e[:, where].t())
            classes.append(torch.full((len(where),), c))
    f, y = torch.cat(feats), torch.cat(classes)
    sim = f @ f.t() / tau
    self_mask = torch.eye(len(f), dtype=torch.bool)
    sim = sim.masked_fill(self_mask, -1e9)
    pos = (y[:, None] == y[None]) & ~self_mask
    logp = sim - sim.logsumexp(1, keepdim=True)
    contrast = -(logp * pos).sum(1) / pos.sum(1).clamp(min=1)
    return {"loss_contrast": contrast.mean(), "loss_ce": F.cross_entropy(out["full"], labels, ignore_index=255)}


def nnunet_dice_ce_deep_supervision(out, targets, smooth=1e-5):
    """nnU-Net's ``DC_and_CE_loss`` with deep supervision: at the full and half resolutions (the labels
    downsampled by ``nearest``), the batch Dice (true positives, false positives and negatives summed over
    the batch and the pixels per class, the background left out, the ignored pixels masked) plus the CE;
    the scales weighted ``1, 1/2`` normalised to 1."""
    labels = torch.stack([t["sem_seg"] for t in targets])
    scales = [out["full"], F.avg_pool2d(out["full"], 2)]
    weights = torch.tensor([1.0, 0.5])
    weights = weights / weights.sum()
    total = 0.0
    for w, logits in zip(weights, scales):
        lab = F.interpolate(labels[:, None].float(), size=logits.shape[-2:], mode="nearest")[:, 0].long()
        valid = (lab != 255).float()[:, None]
        onehot = F.one_hot(lab.clamp(max=SEG_C - 1), SEG_C).permute(0, 3, 1, 2).float() * valid
        p = logits.softmax(1) * valid
        tp = (p * onehot).sum((0, 2, 3))
        fp = (p * (1 - onehot)).sum((0, 2, 3))
        fn = ((1 - p) * onehot).sum((0, 2, 3))
        dc = (2 * tp + smooth) / (2 * tp + fp + fn + smooth).clamp(min=1e-8)
        total = total + w * (-dc[1:].mean() + F.cross_entropy(logits, lab, ignore_index=255))
    return {"loss_dc_ce": total}


# -- instances: BoxInst, SOLOv2, YOLACT -----------------------------------------------------------------


def boxinst_batch(seed: int) -> tuple[list, list, None]:
    """CondInst's mask logits of each image's instances, concatenated [N, 8, 8]; per image its colour
    image [3, 8, 8], 1 to 3 boxes in mask pixels (integers) and ``loss_weight``."""
    g = _gen(seed + 5320)
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        n = 1 + (i + seed) % 3
        lo = torch.randint(0, 4, (n, 2), generator=g)
        targets.append({"image": torch.rand(3, HM, HM, generator=g), "boxes": torch.cat(
            [lo, lo + torch.randint(2, 5, (n, 2), generator=g)], 1), "loss_weight": w})
    owner = _owner(targets, "boxes")
    return [{"masks": _leaf(len(owner), HM, HM, g=g, scale=2.0)}, targets], [Owned(owner), TARGETS], None


def _neighbours(x, k=3, d=2):
    """Each pixel's 8 neighbours at dilation 2 (``unfold``, the centre left out): [N, C, 8, H, W]."""
    n, c, h, w = x.shape
    u = F.unfold(x, kernel_size=k, padding=d * (k // 2), dilation=d).view(n, c, k * k, h, w)
    return torch.cat([u[:, :, :k * k // 2], u[:, :, k * k // 2 + 1:]], 2)


def boxinst_projection_pairwise(out, targets, tau=0.3):
    """BoxInst: the projection term (the Dice of the mask's ``max`` along each axis against the box's),
    mean over the instances; the pairwise term (each pixel and its dilated neighbours' probability of the
    same label by ``logsumexp`` of log-sigmoids) over the edges inside the box whose image colour
    similarity ``exp(-|Δc| · 2)`` is at least 0.3, over their count (clamped at 1)."""
    logits = out["masks"][:, None]
    boxes = torch.cat([t["boxes"] for t in targets])
    ys, xs = torch.arange(HM)[:, None], torch.arange(HM)[None]
    box_masks = ((xs >= boxes[:, 0, None, None]) & (xs < boxes[:, 2, None, None]) & (ys >= boxes[:, 1, None, None])
                 & (ys < boxes[:, 3, None, None])).float()[:, None]
    p = logits.sigmoid()

    def dice(a, b):
        return 1 - 2 * (a * b).sum(-1) / ((a ** 2).sum(-1) + (b ** 2).sum(-1)).clamp(min=1e-5)

    proj = dice(p.max(3).values, box_masks.max(3).values) + dice(p.max(2).values, box_masks.max(2).values)
    sims = []
    for t in targets:
        img = t["image"][None]
        sim = torch.exp(-(_neighbours(img) - img[:, :, None]).norm(dim=1) * 2.0)
        sims.append(sim.expand(len(t["boxes"]), -1, -1, -1))
    sim = torch.cat(sims)
    log_fg, log_bg = F.logsigmoid(logits), F.logsigmoid(-logits)
    same = torch.logaddexp(log_fg + _neighbours(log_fg)[:, 0], log_bg + _neighbours(log_bg)[:, 0])
    edges = (sim >= tau).float() * box_masks
    pairwise = (-same * edges).sum() / edges.sum().clamp(min=1.0)
    return {"loss_prj": proj.mean(), "loss_pairwise": pairwise}


S_GRID = 3


def solo_batch(seed: int) -> tuple[list, list, None]:
    """SOLOv2 over a 3 × 3 grid: category logits [B, 9, 4], each cell's dynamic mask logits [B, 9, 8, 8];
    per image the cells' labels (4: background), the masks of its positive cells [n, 8, 8] and
    ``loss_weight``."""
    g = _gen(seed + 5330)
    b = len(WEIGHTS[seed])
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        n = 1 + (i + seed) % 3
        cells = torch.randperm(S_GRID * S_GRID, generator=g)[:n]
        labels = torch.full((S_GRID * S_GRID,), C)
        labels[cells.sort().values] = torch.randint(0, C, (n,), generator=g)
        targets.append({"cate_labels": labels, "masks": (torch.rand(n, HM, HM, generator=g) > 0.5).float(),
                        "loss_weight": w})
    out = {"cate": _leaf(b, S_GRID * S_GRID, C, g=g), "masks": _leaf(b, S_GRID * S_GRID, HM, HM, g=g, scale=2.0)}
    return [out, targets], [ROWS, TARGETS], None


def solov2_dice_focal(out, targets, ins_weight=3.0):
    """SOLOv2: each image's positive cells' masks (``labels != bg`` picks its rows, a loop), the Dice per
    instance of the sigmoid masks, mean over the batch's instances times 3; the category focal over the
    flattened cells of the batch, summed over ``num_ins + 1``."""
    preds, gts = [], []
    for i, t in enumerate(targets):
        pos = t["cate_labels"] != C
        preds.append(out["masks"][i][pos])
        gts.append(t["masks"])
    pred = torch.cat(preds).sigmoid().flatten(1)
    gt = torch.cat(gts).flatten(1)
    dice = 1 - 2 * (pred * gt).sum(1) / ((pred ** 2).sum(1) + 0.001 + (gt ** 2).sum(1) + 0.001)
    labels = torch.cat([t["cate_labels"] for t in targets])
    num_ins = (labels != C).sum()
    onehot = F.one_hot(labels, C + 1)[:, :C].float()
    logits = out["cate"].reshape(-1, C)
    p = logits.sigmoid()
    ce = F.binary_cross_entropy_with_logits(logits, onehot, reduction="none")
    p_t = p * onehot + (1 - p) * (1 - onehot)
    focal = (0.25 * onehot + 0.75 * (1 - onehot)) * ce * (1 - p_t) ** 2
    return {"loss_ins": dice.mean() * ins_weight, "loss_cate": focal.sum() / (num_ins + 1)}


PROTO, K_PROTO, ANCH = 6, 4, 5


def yolact_batch(seed: int) -> tuple[list, list, None]:
    """YOLACT's prototypes [B, 6, 6, 4], each anchor's coefficients [B, 5, 4] and the semantic head's
    logits [B, 4, 6, 6]; per image its positive anchors, their matched boxes (prototype pixels, integers),
    the boxes' masks [n, 6, 6] with labels and ``loss_weight``."""
    g = _gen(seed + 5340)
    b = len(WEIGHTS[seed])
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        n = 1 + (i + seed) % 3
        lo = torch.randint(0, 3, (n, 2), generator=g)
        targets.append({"pos": torch.randperm(ANCH, generator=g)[:1 + i % 2], "gt_idx": None, "boxes": torch.cat(
            [lo, lo + torch.randint(2, 4, (n, 2), generator=g)], 1), "masks": (torch.rand(
                n, PROTO, PROTO, generator=g) > 0.5).float(), "labels": torch.randint(0, C, (n,), generator=g),
            "loss_weight": w})
        targets[-1]["gt_idx"] = torch.randint(0, n, (len(targets[-1]["pos"]),), generator=g)
    out = {"proto": _leaf(b, PROTO, PROTO, K_PROTO, g=g), "coef": _leaf(b, ANCH, K_PROTO, g=g).tanh(),
           "seg": _leaf(b, C, PROTO, PROTO, g=g)}
    return [out, targets], [ROWS, TARGETS], None


def yolact_masks(out, targets, mask_alpha=6.125):
    """YOLACT's ``lincomb_mask_loss``: per image (a loop) its positives' coefficients times the
    prototypes (``proto @ coef.t()``), sigmoid, cropped to the matched box, the BCE summed over the
    pixels over the box's area, summed; the batch's total over ``total_num_pos`` times ``mask_alpha``
    over the prototype's area; the semantic BCE against the instances' masks per class, summed, over
    the area."""
    loss_m = 0.0
    seg = 0.0
    for i, t in enumerate(targets):
        coef = out["coef"][i][t["pos"]]
        pred = (out["proto"][i] @ coef.t()).sigmoid()  # [6, 6, p]
        gt = t["masks"][t["gt_idx"]].permute(1, 2, 0)
        box = t["boxes"][t["gt_idx"]]
        ys, xs = torch.arange(PROTO)[:, None, None], torch.arange(PROTO)[None, :, None]
        crop = ((xs >= box[:, 0]) & (xs < box[:, 2]) & (ys >= box[:, 1]) & (ys < box[:, 3])).float()
        pre = F.binary_cross_entropy(pred.clamp(0, 1), gt, reduction="none") * crop
        area = ((box[:, 2] - box[:, 0]) * (box[:, 3] - box[:, 1])).float()
        loss_m = loss_m + (pre.sum((0, 1)) / area).sum()
        sem = torch.zeros(C, PROTO, PROTO)
        for lab, m in zip(t["labels"].tolist(), t["masks"]):
            sem[lab] = torch.max(sem[lab], m)
        seg = seg + F.binary_cross_entropy_with_logits(out["seg"][i], sem, reduction="sum")
    total_pos = sum(len(t["pos"]) for t in targets)
    return {"loss_m": loss_m * mask_alpha / PROTO / PROTO / total_pos, "loss_s": seg / PROTO / PROTO}


def roi_batch(seed: int) -> tuple[list, list, None]:
    """Mask R-CNN's mask head over each image's foreground RoIs, concatenated: class-specific mask logits
    [R, 4, 6, 6]; per image its RoIs' classes, their mask targets (the gt masks cropped and resized to
    6 × 6) and ``loss_weight``."""
    g = _gen(seed + 5345)
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        n = 1 + (i + seed) % 3
        targets.append({"roi_labels": torch.randint(0, C, (n,), generator=g),
                        "mask_targets": (torch.rand(n, PROTO, PROTO, generator=g) > 0.4).float(), "loss_weight": w})
    owner = _owner(targets, "roi_labels")
    return [_leaf(len(owner), C, PROTO, PROTO, g=g), targets], [Owned(owner), TARGETS], None


def mask_rcnn_class_specific(mask_logits, targets):
    """detectron2's ``mask_rcnn_loss``: the RoIs' classes and mask targets concatenated over the images,
    each RoI's logits of its class (``[arange(R), classes]``), the BCE's mean over every pixel of every
    RoI; the mask accuracy and false-positive rate logged beside it."""
    classes = torch.cat([t["roi_labels"] for t in targets])
    gt = torch.cat([t["mask_targets"] for t in targets])
    logits = mask_logits[torch.arange(len(classes)), classes]
    with torch.no_grad():
        hit = (logits > 0.0) == (gt > 0.5)
        acc = hit.float().mean()
        fp = ((logits > 0.0) & (gt <= 0.5)).sum() / max(float((gt <= 0.5).sum()), 1.0)
    return {"loss_mask": F.binary_cross_entropy_with_logits(logits, gt, reduction="mean"), "mask_acc": acc,
            "mask_fp": fp}


def enet_batch_class_weights(out, targets, c=1.02):
    """ENet's class weights ``1 / ln(c + f)`` from the class frequencies of the batch's labels (the
    images mix), the weighted CE ignoring 255; beside it the plain per-pixel accuracy over the kept
    pixels."""
    labels = torch.stack([t["sem_seg"] for t in targets])
    kept = labels[labels != 255]
    freq = torch.bincount(kept, minlength=SEG_C).float() / kept.numel()
    weight = 1.0 / torch.log(c + freq)
    with torch.no_grad():
        acc = (out["full"].argmax(1) == labels)[labels != 255].float().mean()
    return {"loss_ce_enet": F.cross_entropy(out["full"], labels, weight=weight, ignore_index=255), "pixel_acc": acc}


_ALL = (0, 1, 3)

CASES = {c.body.__name__: c for c in [
    # first contact: GAP (24), num_boxes times dn_meta's number of groups; s52 (dino40): split
    Case(dino_denoising_groups, dn_batch),
    Case(detr_in_body_hungarian, detr_batch_plain),
    Case(grounding_dino_token_focal, grounding_batch),
    # s40 (detr40): the one image's ranks split; the slices at host offsets split, the split at len(j) // 2 not;
    # s41 (yolo41): the split at each image's own len(j) // 2 too
    Case(align_detr_ia_bce, align_batch),
    Case(diffusiondet_set_loss, diffusion_batch),
    Case(mpdiou_and_wiou_v3, diffusion_batch, keys("loss_wiou"), gaps=keys("loss_mpdiou", "loss_wiou@3"),
         gap_batches=_ALL, mix_batches=_MIXED,
         why="MIXES: the outlier degree against the batch's mean IoU loss; GAP: float of the image size"),
    Case(kld_rotated, kld_batch),
    # first contact: GAP (20), the collated ``[B, max n]`` buffers; yolo42: its masked sums and argmax over the boxes
    # followed; yolo43: ``mask_gt[i, :n] = 1.0`` too; yolo44: split, the one-row IoU matrices written back, the
    # mask expanded to ``m``, the flattened gathers and ``max(target_scores.sum(), 1)`` that returned 1
    Case(yolov8_tal_ciou_dfl, dense_batch),
    # first contact: GAP (10), the sum of the assigned IoUs written per image into a buffer; pad40: split; int40: GAP
    # again, s53's read of one image's values at a loop's position (``cost[:, j]``) cannot tell the boxes' loop from
    # the images'; s41 (yolo41): split, ``topk`` at its default in ``min(topk, len(ious))`` is no count of the images; loop41: the boxes' loop told from the images' as well
    Case(rtmdet_dynamic_soft_label, dense_batch),
    Case(localisation_distillation, dense_batch),
    # first contact: region_text GAP on batches 0 and 1 too (4), the read count's use on the mixing key declined the
    # call; s52: split; s53: on the one image too (2), slices after a read whose number is followed per group
    Case(yolo_world_region_text, text_batch, keys("loss_batch_vocab"), mix_batches=_MIXED,
         why="MIXES: other images' texts as negatives"),
    # first contact: GAP (10), .item() of the reliable count, its use beside `lw[reliable][:, None]` not proven; s53: split
    Case(soft_teacher, teacher_batch),
    # first contact: GAP on batches 0, 1 and 3 (5), the masks written per image; pad40: split but on batch 1 (the
    # channel count (3) times the attention, equal to the batch's 3 images); session 46 (yolo46): split there too,
    # ``b, c, h, w = student.shape``'s ``c`` an inner dim of an argument, a constant of the call
    Case(focal_global_distillation, fgd_batch),
    Case(mask2former_uncertain_points, mask_batch),
    Case(kmax_mask_id_and_pq, mask_batch),
    Case(sam_multimask_min, sam_batch),
    Case(segformer_ce_aux, semantic_batch),
    Case(boundary_weighted_ce, semantic_batch),
    Case(lovasz_softmax_per_image, semantic_batch),
    # first contact: GAP (4), a one-value stack of one image's instance terms read as a list skipping images; s52: split
    Case(discriminative_embedding, semantic_batch),
    Case(pixel_contrast_seg, semantic_batch, keys("loss_contrast"), mix_batches=_MIXED,
         why="MIXES: anchors of every image contrasted"),
    Case(nnunet_dice_ce_deep_supervision, semantic_batch, gaps=keys("loss_dc_ce"), gap_batches=_ALL,
         why="GAP: the batch Dice's ratio beside the CE"),
    Case(boxinst_projection_pairwise, boxinst_batch),
    Case(solov2_dice_focal, solo_batch),
    # first contact: GAP (8), total_num_pos and the prototype's side after host reads; s52 (dino40): split
    Case(yolact_masks, yolact_batch),
    # first contact: GAP on every key (16), the host read of the negatives' count declined the call; s40 (host40): on
    # the key it divides only
    # gap47b: the count of the data over a float read of the targets' count, a ratio of two sums (5)
    Case(mask_rcnn_class_specific, roi_batch),
    Case(enet_batch_class_weights, semantic_batch, keys("loss_ce_enet"), gaps=keys("loss_ce_enet@3"),
         mix_batches=_MIXED, why="MIXES: the class weights from the batch's label frequencies"),
]}

FIRST = (342, 146, 130, 0)  # expected, declined, GAP, WRONG at first contact (int37 at 494a35c unchanged)
# s52: one image's stacked instance terms (4), a host-read count dividing a mixing key beside splitting ones (4)
# s52 (dino40): a number passed in times a field of a dict argument (DINO's num_boxes * G, 24); a generator sum of
# each image's sizes and a global beside host reads (YOLACT, 8); host40: a host read declines only the keys it reaches
# (Soft Teacher 10, Mask R-CNN 11, YOLO-World 2); detr40: Align-DETR's slices and one image (3); pad40: per-image
# buffers of one constant written row by row by their images (FGD 3; RTMDet 10, then lost again to s53's position
# read, 8)
# s41 (yolo41): rows split at sections computed per image from each image's item alone (Align-DETR, 12); a number
# parameter at its default is no count of the images in a loop's iterable (RTMDet's inner loop, 8); loop41:
# the boxes' loop told from the images' (the same 8)
# yolo44: one image's row of a padded buffer written back whole, the flattened gather at ``p + arange(b)[:, None] *
# m`` and a floor literal of a tensor's sum as the divisor (YOLOv8, 20)
# yolo46 (session 46): FGD's channel count, an inner dim of an argument's shape, a constant of the call (2)
# gap47b (session 47): a sum of data over a count read on the host (Mask R-CNN's mask_fp, 5)
NOW = (342, 28, 12, 0)
globals().update(survey_tests(CASES, range(len(WEIGHTS)), len(CASES), NOW,
                              over_target="3.5 %: see the module docstring"))
