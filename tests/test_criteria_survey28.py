"""Coverage survey 28: first contact with public criteria of detection, segmentation, pose, depth,
3-D point clouds and tracking / re-identification not written before, each in our own code with the
public criterion's ops and normaliser, decorated from outside as its users would -- detection
(YOLOv5's ``ComputeLoss`` with in-loss target building, objectness written at ``tobj[b, a, gj, gi]``
and the total times the batch size; SSD's ``MultiBoxLoss`` matching in the loss and ranking hard
negatives by a double ``sort``; torchvision RetinaNet's per-image focal and L1 over each image's
foreground, over ``len(targets)``; detectron2's federated sigmoid CE over the batch's appeared
classes; Softer-NMS's KL box loss over the sampled RoIs; mmdet ``DETRHead``'s per-image targets and
box weights over ``num_pos + 0.1 num_neg`` and ``num_total_pos``); segmentation (channel-wise
distillation, structured KD's pair-wise similarity, pixel KL distillation over the labelled pixels,
the recall loss, cross-image pixel contrast); pose (integral regression over 3-D volumes with a
has-depth flag, MotionBERT's MPJPE / velocity / limb variance / angles, CID's per-image instance
contrast over the batch's person count, PVNet's vertex smooth L1 over the mask sum); depth (DeMoN's
scale-invariant gradients, Metric3D's hierarchical local normalisation, LeReS's trimmed ILNR,
Monodepth's appearance and left-right consistency by ``grid_sample``); 3-D (VoteNet's votes,
objectness, centre Chamfer and heading / size bins over positive proposals; PointGroup's offsets over
the scenes' concatenated points; the density-aware Chamfer distance; DCP's registration loss);
tracking / re-identification (QDTrack's multi-positive CE per image pair, OIM with a lookup table
and circular queue, SiamFC's balanced logistic loss, the hetero-centre triplet, camera-aware proxies'
intra-camera CE, MOTR's losses over the frames of clips). The harness and its vocabulary
(``MIXES``, ``GAP``, ``WRONG``, the 3 % target of issue #13) are ``_survey``'s; only torch.

Four batches as surveys 23 to 27's: 4 examples of three groups (two where the weights give the
groups), 3 of two, 3 of one group (the others absent), 1 example. Re-identification batches get
their groups through ``losssplit.sources``.

FIRST_CONTACT (29 patterns, nothing changed for them): 350 expected companions, 76 declined, 59 GAP
(16.9 %), 0 WRONG. The 17 declines where examples mix: the federated loss' appeared classes, the
recall loss' batch recall, cross-image pixel contrast, the hetero-centre triplet's identity centres.
The GAPs by cause, as the warnings name them: a number the body counted over the images' items in a
Python loop that 'equals no count of the loss' (17: MOTR's ``num_samples`` over frames and clips, 12;
mmdet's ``num_pos + 0.1 * num_neg``, 5); a factor at ``Tensor.div`` equal to the weights at some
positions (SSD's prior sizes 0.25 / 0.5, the whole call, 10); ``Tensor.div`` of every element by the
batch size before the sum (structured KD, 5); ``Tensor.div`` in Metric3D's per-window normalisation
(5); ``Tensor.__getitem__`` with an index from ``torch.unique`` of the batch's cameras (camera-aware
proxies, 5); slice bounds after another image's size was read (CID, the whole call, 4); the BCE's
``weight=`` normalised over the batch (SiamFC, 4); ``Tensor.add`` of per-image ratios (RetinaNet on
batch 1, 4); a kept queue as long as the batch (OIM on batch 0, 2); one-example edges (3).

Since (this survey's fixes, each general, with an oracle test and near misses): (350, 31, 14, 0), 4.0 %
GAP (session 22: (350, 40, 23, 0), 6.6 %, before the mmdet and CID fixes). Split now: mmdet's ``loss_cls``
(5: a running count each iteration of which adds numbers of its own items only, equal to the sum of the
CE's class weights over its rows, the classes present weighted by two values, is that sum, the group's;
``test_rules_elementwise``), CID (4: a slice bound read by a literal key from the very target dict of
the image cut, ``feats[:t["persons"]]``, is that image's; ``test_rules_indexing``), RetinaNet on batch 1 (4: one image's value over ``max(1, num_foreground)``, a size
the body read of that image's own tensor and no count of the images by the code at the division,
is that image's, though equal to the number of images), MOTR (12: a running count ``k`` times the
instances over a loss of ``k`` terms per image, the terms per image checked with the call's host
read), SSD (10: a module global no function
assigns, read in the operand, holds no weight, ``/ PRIORS[:, 2:]``), structured KD (5: values over
``x.shape[0]`` before their sum, held as a quotient over the group's count), Metric3D (5: one
image's reduced value plus a constant, ``mean + eps``, is that image's value). The 14 GAP left by
cause: camera-aware proxies (5, ``torch.unique`` of the batch's cameras picks the rows), SiamFC (4,
``weight=`` over the batch's positive and negative counts, then over its own sum), OIM on batch 0
(2: the kept queue, as long as the batch, read as image rows), one example (3). No WRONG at first contact nor since; the near misses of the MOTR fix found a silent
WRONG before it (a count of the same kind added in a helper called with its frames: not proven a
running count, divided as ``k`` times the group's instances by ``ratio.opaque_den``), fixed since (a
helper's running count adding more than literals is read as the body's own: ``k`` times the
instances over ``k`` terms of every image, checked on the host, else a decline naming the division;
no survey figure moved; ``test_rules_elementwise``).

NOW (sv40, session 39): 350 expected, 27 declined, 10 GAP (2.9 %), 0 WRONG. SiamFC's balanced weights
split (4): ``weight[pos_mask] = 1 / pos_num`` (a 0-dim value of several images written at a bool mask
of the images' own data, into a fresh buffer or one such write's result) is ``w * ~m + m * v``, which
the element-wise rules follow (``1 / m.sum()`` times the mask, then ``w /= w.sum()``, the BCE's
``weight=``), checked equal on the device (``tests/test_rules_masked_value_writes.py``, with near
misses). Left (10): camera-aware proxies (5: ``torch.unique`` of the batch's cameras, then a mean over
the cameras present, which on a group alone are the group's; a mean over present terms is no ratio the
capture keeps), OIM on batch 0 (2: the kept queue as long as the batch, which no size tells from image
rows) and the one-example edges (3). The rule's near misses found a silent WRONG elsewhere, fixed since
(no survey figure moved): a number the code computes from how many images the call got written into a
buffer (``w[m] = float(len(t))``, ``w.fill_(torch.tensor(float(len(t))))``) left it a constant of the
call, or kept ``zeros_like``'s rows; it declines now, naming the write.

Session 45 (red45's WRONG fix, a table of no images picked at positions laid out by a count declines):
YOLOv5's ``anchors[a]``, ``a`` from ``torch.arange(na)`` with its 3 anchors equal to a count of the batch
by value, declines (15 GAP): 350 expected, 42 declined, 25 GAP (7.1 %), 0 WRONG.

Session 46 (yolo46): ``na = anchors.shape[0]`` of ``anchors = ANCHORS5[level]``, a size every item of the
global table shares, is proven a constant of the call (the two-name store ``na, nt = ...`` read by its
value's own span), so ``torch.arange(na)`` is no count: the 15 split again. 350 expected, 27 declined,
**10 GAP (2.9 %)**, 0 WRONG.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from _helpers import KEEP, PER_IMAGE, TARGETS, Along, Owned
from _survey import LIBRARY_SOURCES, LIBRARY_WEIGHTS, Case, keys, survey_tests
from _survey import ONE_EXAMPLE as _ONE
from _survey import corners as _corners
from _survey import focal as _focal
from _survey import gap_case as _gap
from _survey import gen as _gen
from _survey import giou_aligned as _giou_aligned
from _survey import iou_pairs as _iou_pairs
from _survey import leaf as _leaf
from _survey import matched_targets as _matched_targets
from _survey import seg_labels as _seg_labels
from _survey import stack as _stack

# One worker runs the table: each pattern's outcome is computed once.
pytestmark = pytest.mark.xdist_group("survey28")

WEIGHTS = LIBRARY_WEIGHTS
SOURCES = LIBRARY_SOURCES


def _ciou(a, b, eps=1e-7):
    """Complete IoU of each box of ``a`` [n, 4] with the same row of ``b`` (cxcywh): IoU minus the
    centres' squared distance over the enclosing diagonal squared minus the aspect term."""
    a1, b1 = _corners(a), _corners(b)
    lt, rb = torch.max(a1[:, :2], b1[:, :2]), torch.min(a1[:, 2:], b1[:, 2:])
    inter = (rb - lt).clamp(min=0).prod(-1)
    union = a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter + eps
    iou = inter / union
    cw = torch.max(a1[:, 2], b1[:, 2]) - torch.min(a1[:, 0], b1[:, 0])
    ch = torch.max(a1[:, 3], b1[:, 3]) - torch.min(a1[:, 1], b1[:, 1])
    c2 = cw ** 2 + ch ** 2 + eps
    rho2 = ((a[:, :2] - b[:, :2]) ** 2).sum(-1)
    v = (4 / math.pi ** 2) * (torch.atan(b[:, 2] / (b[:, 3] + eps)) - torch.atan(a[:, 2] / (a[:, 3] + eps))).pow(2)
    with torch.no_grad():
        alpha = v / (v - iou + (1 + eps))
    return iou - (rho2 / c2 + v * alpha)


# -- detection ------------------------------------------------------------------------------------------

DC = 3  # classes
ANCHORS5 = (torch.tensor([[1.0, 1.3], [1.6, 3.0], [3.3, 2.3]]), torch.tensor([[0.8, 1.5], [1.5, 1.1], [1.8, 1.8]]))
BALANCE = (4.0, 1.0)


def yolo_batch(seed: int) -> tuple[list, list, None]:
    """A two-level YOLOv5 head, raw outputs [B, 3 anchors, 4, 4, 5 + 3] and [B, 3, 2, 2, 5 + 3]; per
    image 1 to 3 boxes (cx, cy, w, h in [0, 1]), their classes and ``loss_weight``."""
    g = _gen(seed + 2800)
    b = len(WEIGHTS[seed])
    levels = [_leaf(b, 3, 4, 4, 5 + DC, g=g), _leaf(b, 3, 2, 2, 5 + DC, g=g)]
    return [{"levels": levels}, _box_targets(g, seed, (0.9, 0.05), 0.1)], [Along(0), TARGETS], None


def _box_targets(g, seed, centre, size_low):
    """Per image 1 to 3 boxes (cx, cy, w, h: centres ``rand * centre[0] + centre[1]``, sizes in
    ``size_low`` + [0, 0.4]), their classes and ``loss_weight``."""
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        n = 1 + (i + seed) % 3
        boxes = torch.cat([torch.rand(n, 2, generator=g) * centre[0] + centre[1],
                           torch.rand(n, 2, generator=g) * 0.4 + size_low], 1)
        targets.append({"labels": torch.randint(0, DC, (n,), generator=g), "boxes": boxes, "loss_weight": w})
    return targets


def yolov5_ciou_objectness_by_level_balance_times_batch_size(outputs, targets, anchor_t=4.0):
    """YOLOv5's ``ComputeLoss``: the targets as one [nt, 6] tensor (image, class, box); per level
    every target against every anchor whose width / height ratio is under 4, each positive's cell
    gathered ``pi[b, a, gj, gi]``; CIoU mean over the positives, the objectness targets written as
    the detached clamped IoU ``tobj[b, a, gj, gi] = iou`` and BCE over every cell times the level's
    balance, the classes' BCE over the positives; gains 0.05 / 1 / 0.5 and the total times the batch
    size."""
    p = outputs["levels"]
    bs = p[0].shape[0]
    tgt = torch.cat([torch.cat([torch.full((len(t["labels"]), 1), float(i)), t["labels"][:, None].float(), t["boxes"]], 1)
                     for i, t in enumerate(targets)])
    lcls, lbox, lobj = torch.zeros(1), torch.zeros(1), torch.zeros(1)
    for level, pi in enumerate(p):
        anchors, ng = ANCHORS5[level], pi.shape[2]
        na, nt = anchors.shape[0], tgt.shape[0]
        t = tgt.repeat(na, 1, 1)
        ai = torch.arange(na).float().view(na, 1).repeat(1, nt)
        r = t[..., 4:6] * ng / anchors[:, None]
        j = torch.max(r, 1 / r).max(2)[0] < anchor_t
        t, a = t[j], ai[j].long()
        b, c = t[:, 0].long(), t[:, 1].long()
        gxy, gwh = t[:, 2:4] * ng, t[:, 4:6] * ng
        gij = gxy.long().clamp(0, ng - 1)
        gi, gj = gij.T
        tobj = torch.zeros(pi.shape[:4])
        n = b.shape[0]
        if n:
            ps = pi[b, a, gj, gi]
            pxy = ps[:, :2].sigmoid() * 2 - 0.5
            pwh = (ps[:, 2:4].sigmoid() * 2) ** 2 * anchors[a]
            iou = _ciou(torch.cat((pxy, pwh), 1), torch.cat((gxy - gij, gwh), 1))
            lbox += (1.0 - iou).mean()
            tobj[b, a, gj, gi] = iou.detach().clamp(0).type(tobj.dtype)
            tc = torch.full_like(ps[:, 5:], 0.0)
            tc[range(n), c] = 1.0
            lcls += F.binary_cross_entropy_with_logits(ps[:, 5:], tc)
        lobj += F.binary_cross_entropy_with_logits(pi[..., 4], tobj) * BALANCE[level]
    lbox, lobj, lcls = lbox * 0.05, lobj * 1.0, lcls * 0.5
    return {"loss": (lbox + lobj + lcls) * bs, "loss_box": lbox, "loss_obj": lobj, "loss_cls": lcls}


PRIORS = torch.tensor([[cx, cy, s, s] for s in (0.25, 0.5) for cx in (0.25, 0.75) for cy in (0.25, 0.75)])
P = len(PRIORS)


def ssd_batch(seed: int) -> tuple[list, list, None]:
    """An SSD head: box offsets [B, 8 priors, 4] and class logits [B, 8, 3 + background]; per image 1
    to 3 boxes, classes and ``loss_weight``."""
    g = _gen(seed + 2801)
    b = len(WEIGHTS[seed])
    outputs = {"loc": _leaf(b, P, 4, g=g), "conf": _leaf(b, P, DC + 1, g=g)}
    return [outputs, _box_targets(g, seed, (0.6, 0.2), 0.2)], [Along(0), TARGETS], None


def ssd_multibox_matching_in_the_body_and_ranked_hard_negatives(outputs, targets, threshold=0.4, negpos_ratio=3):
    """ssd.pytorch's ``MultiBoxLoss``: the matching run in the loss, per image (every prior's best
    truth, every truth's best prior forced, ``index_fill_``), its encoded offsets and classes written
    at the image's row of ``torch.zeros(num, priors, ...)``; smooth L1 over the positives; the
    negatives ranked per image by a double ``sort`` of the CE (positives zeroed), ``3 * num_pos``
    kept; CE summed over positives and kept negatives; both over the batch's positive count."""
    loc_data, conf_data = outputs["loc"], outputs["conf"]
    num = loc_data.size(0)
    loc_t = torch.zeros(num, P, 4)
    conf_t = torch.zeros(num, P, dtype=torch.long)
    for idx, t in enumerate(targets):
        overlaps = _iou_pairs(t["boxes"], PRIORS)
        best_prior = overlaps.argmax(1)
        best_truth_overlap, best_truth_idx = overlaps.max(0)
        best_truth_overlap.index_fill_(0, best_prior, 2.0)
        for j in range(best_prior.size(0)):
            best_truth_idx[best_prior[j]] = j
        matches = t["boxes"][best_truth_idx]
        conf = t["labels"][best_truth_idx] + 1
        conf[best_truth_overlap < threshold] = 0
        loc = torch.cat([(matches[:, :2] - PRIORS[:, :2]) / (0.1 * PRIORS[:, 2:]),
                         torch.log(matches[:, 2:] / PRIORS[:, 2:]) / 0.2], 1)
        loc_t[idx] = loc
        conf_t[idx] = conf
    pos = conf_t > 0
    num_pos = pos.sum(dim=1, keepdim=True)
    loss_l = F.smooth_l1_loss(loc_data[pos], loc_t[pos], reduction="sum")
    batch_conf = conf_data.view(-1, DC + 1)
    loss_c = torch.logsumexp(batch_conf, 1, keepdim=True) - batch_conf.gather(1, conf_t.view(-1, 1))
    loss_c = loss_c.view(num, -1).detach().clone()
    loss_c[pos] = 0
    _, loss_idx = loss_c.sort(1, descending=True)
    _, idx_rank = loss_idx.sort(1)
    num_neg = torch.clamp(negpos_ratio * num_pos, max=P - 1)
    neg = idx_rank < num_neg.expand_as(idx_rank)
    pos_idx, neg_idx = pos.unsqueeze(2).expand_as(conf_data), neg.unsqueeze(2).expand_as(conf_data)
    conf_p = conf_data[(pos_idx | neg_idx)].view(-1, DC + 1)
    loss_c = F.cross_entropy(conf_p, conf_t[(pos | neg)], reduction="sum")
    n = num_pos.sum()
    return {"loss_loc": loss_l / n, "loss_conf": loss_c / n}


ANCHORS_R = torch.tensor([[cx, cy, s, s] for s in (0.3, 0.6) for cx in (0.3, 0.7) for cy in (0.3, 0.7)])


def retina_batch(seed: int) -> tuple[list, list, None]:
    """A RetinaNet head over 8 anchors: class logits [B, 8, 3] and box deltas [B, 8, 4]; per image 1
    to 3 boxes, classes and ``loss_weight``."""
    g = _gen(seed + 2802)
    b = len(WEIGHTS[seed])
    outputs = {"cls_logits": _leaf(b, len(ANCHORS_R), DC, g=g), "bbox_regression": _leaf(b, len(ANCHORS_R), 4, g=g)}
    return [outputs, _box_targets(g, seed, (0.6, 0.2), 0.25)], [Along(0), TARGETS], None


def retinanet_focal_and_l1_per_image_over_its_foreground_then_over_images(outputs, targets, hi=0.5, lo=0.4):
    """torchvision's ``RetinaNetHead.compute_loss``: per image the matcher's indices (IoU over 0.5
    matched, under 0.4 background, between ignored, each truth's best anchor kept), the one-hot
    targets written at the foreground, sigmoid focal summed over the valid anchors over ``max(1,
    num_foreground)`` (a Python int from ``numel``), the L1 of the encoded foreground deltas the
    same; each summed over images over ``len(targets)``."""
    cls_losses, reg_losses = [], []
    for b, t in enumerate(targets):
        iou = _iou_pairs(t["boxes"], ANCHORS_R)
        vals, matched = iou.max(0)
        matched = matched.clone()
        matched[vals < lo] = -1
        matched[(vals >= lo) & (vals < hi)] = -2
        best = iou.max(1, keepdim=True)[0]
        keep = torch.where(iou == best)[1]
        matched[keep] = iou[:, keep].argmax(0)
        foreground = torch.where(matched >= 0)[0]
        num_foreground = foreground.numel()
        logits = outputs["cls_logits"][b]
        gt = torch.zeros_like(logits)
        gt[foreground, t["labels"][matched[foreground]]] = 1.0
        valid = matched != -2
        cls_losses.append(_focal(logits[valid], gt[valid]).sum() / max(1, num_foreground))
        boxes = t["boxes"][matched[foreground]]
        anchors = ANCHORS_R[foreground]
        deltas = torch.cat([(boxes[:, :2] - anchors[:, :2]) / anchors[:, 2:], torch.log(boxes[:, 2:] / anchors[:, 2:])], 1)
        reg = outputs["bbox_regression"][b][foreground]
        reg_losses.append(F.l1_loss(reg, deltas, reduction="sum") / max(1, num_foreground))
    return {"classification": sum(cls_losses) / len(targets), "bbox_regression": sum(reg_losses) / len(targets)}


KF = 6  # classes of the RoI heads


def roi_batch(seed: int) -> tuple[list, list, None]:
    """Second-stage RoI predictions concatenated over the images (4 to 6 sampled RoIs each): class
    logits [R, 6 + 1], deltas [R, 4] and their log-variances [R, 4], owned by the images; per image
    its RoIs' classes (6 = background), delta targets and ``loss_weight``."""
    g = _gen(seed + 2803)
    counts = [4 + (i + seed) % 3 for i in range(len(WEIGHTS[seed]))]
    r = sum(counts)
    outputs = {"scores": _leaf(r, KF + 1, g=g), "deltas": _leaf(r, 4, g=g), "log_var": _leaf(r, 4, g=g, scale=0.3)}
    targets = []
    for i, (w, n) in enumerate(zip(WEIGHTS[seed], counts, strict=True)):
        classes = torch.randint(0, KF, (n,), generator=g)
        classes[(i + seed) % 2::2] = KF
        targets.append({"gt_classes": classes, "gt_deltas": torch.randn(n, 4, generator=g), "loss_weight": w})
    owner = torch.arange(len(counts)).repeat_interleave(torch.tensor(counts))
    return [outputs, targets], [Owned(owner), TARGETS], None


FREQ = torch.tensor([0.9, 0.5, 0.3, 0.2, 0.1, 0.05])


def federated_sigmoid_ce_over_the_batchs_appeared_and_sampled_classes(outputs, targets, num_classes=4):
    """detectron2's ``sigmoid_cross_entropy_loss`` with ``use_fed_loss`` (Detic): one-hot targets
    without the background column, BCE-with-logits ``'none'``; the classes the loss covers are the
    batch's appeared classes plus negatives drawn by ``multinomial`` from the frequency weights (a
    generator seeded in the body); the masked sum over the RoI count."""
    pred = outputs["scores"]
    gt_classes = torch.cat([t["gt_classes"] for t in targets])
    n = pred.shape[0]
    target = pred.new_zeros(n, KF + 1)
    target[range(len(gt_classes)), gt_classes] = 1
    target = target[:, :KF]
    cls_loss = F.binary_cross_entropy_with_logits(pred[:, :-1], target, reduction="none")
    appeared = torch.unique(gt_classes)
    appeared = appeared[appeared < KF]
    prob = FREQ.clone()
    prob[appeared] = 0
    extra = max(num_classes - len(appeared), 0)
    chosen = torch.multinomial(prob, extra, replacement=False, generator=torch.Generator().manual_seed(0)) if extra else appeared[:0]
    classes = torch.cat([appeared, chosen])
    mask = cls_loss.new_zeros(KF + 1)
    mask[classes] = 1
    weight = mask[:KF].view(1, KF).expand(n, KF).float()
    return {"loss_cls_fed": torch.sum(cls_loss * weight) / n}


def kl_box_regression_with_predicted_variance_over_sampled_rois(outputs, targets, beta=1.0):
    """Softer-NMS's KL loss (He et al.) in a detectron2 box head: on the foreground RoIs
    ``exp(-alpha) * smooth_l1 + alpha / 2`` of the deltas (``alpha`` the predicted log-variance),
    summed over the sampled RoIs' count ``max(gt_classes.numel(), 1)``; the classes' CE mean."""
    gt_classes = torch.cat([t["gt_classes"] for t in targets])
    gt_deltas = torch.cat([t["gt_deltas"] for t in targets])
    fg = ((gt_classes >= 0) & (gt_classes < KF)).nonzero().squeeze(1)
    alpha = outputs["log_var"][fg]
    sl1 = F.smooth_l1_loss(outputs["deltas"][fg], gt_deltas[fg], beta=beta, reduction="none")
    loss_box = (torch.exp(-alpha) * sl1 + alpha / 2).sum() / max(gt_classes.numel(), 1.0)
    return {"loss_cls": F.cross_entropy(outputs["scores"], gt_classes), "loss_box_kl": loss_box}


Q = 6  # queries


def det_batch(seed: int) -> tuple[list, list, list]:
    """Class logits [B, 6, 3 + 1], boxes (cxcywh) [B, 6, 4]; per image 1 to 3 boxes, labels and
    ``loss_weight``; the matcher's indices per image."""
    g = _gen(seed + 2804)
    b = len(WEIGHTS[seed])
    outputs = {"logits": _leaf(b, Q, DC + 1, g=g),
               "boxes": (torch.rand(b, Q, 4, generator=g) * 0.3 + 0.3).requires_grad_()}
    targets, indices = _matched_targets(g, WEIGHTS[seed], seed, Q, DC)
    return [outputs, targets, indices], [Along(0), TARGETS, PER_IMAGE], None


def mmdet_detr_head_per_image_targets_and_weights_over_total_positives(outputs, targets, indices, bg_cls_weight=0.1):
    """mmdet's ``DETRHead.loss_by_feat_single``: per image (``_get_targets_single``) labels filled
    with the background class and the matched labels written at the positive queries, box targets
    and box weights ``zeros_like`` the image's predictions written there; ``torch.cat`` over the
    images; CE with the background class weight 0.1 over ``num_pos + 0.1 * num_neg`` (Python
    counts), L1 and GIoU weighted by the box weights over ``num_total_pos``."""
    logits, boxes = outputs["logits"], outputs["boxes"]
    labels_list, bw_list, bt_list = [], [], []
    num_pos = num_neg = 0
    for i, (t, (src, tgt)) in enumerate(zip(targets, indices, strict=True)):
        labels = torch.full((Q,), DC, dtype=torch.long)
        labels[src] = t["labels"][tgt]
        bbox_targets = torch.zeros_like(boxes[i])
        bbox_weights = torch.zeros_like(boxes[i])
        bbox_weights[src] = 1.0
        bbox_targets[src] = t["boxes"][tgt]
        labels_list.append(labels)
        bw_list.append(bbox_weights)
        bt_list.append(bbox_targets)
        num_pos += len(src)
        num_neg += Q - len(src)
    labels, bbox_weights, bbox_targets = torch.cat(labels_list), torch.cat(bw_list), torch.cat(bt_list)
    class_weight = torch.ones(DC + 1)
    class_weight[DC] = bg_cls_weight
    cls_avg_factor = max(num_pos * 1.0 + num_neg * bg_cls_weight, 1)
    loss_cls = F.cross_entropy(logits.reshape(-1, DC + 1), labels, weight=class_weight, reduction="none").sum() / cls_avg_factor
    pred = boxes.reshape(-1, 4)
    loss_bbox = (F.l1_loss(pred, bbox_targets, reduction="none") * bbox_weights).sum() / max(num_pos, 1)
    safe = torch.where(bbox_weights > 0, bbox_targets, torch.full_like(bbox_targets, 0.5))
    giou = _giou_aligned(_corners(pred), _corners(safe))
    loss_iou = ((1 - giou) * bbox_weights.mean(-1)).sum() / max(num_pos, 1)
    return {"loss_cls": loss_cls, "loss_bbox": loss_bbox, "loss_iou": loss_iou}


# -- segmentation ---------------------------------------------------------------------------------------

NC, SH = 3, 8  # classes, image side


def seg_batch(seed: int) -> tuple[list, list, None]:
    """A student's class logits [B, 3, 8, 8] and features [B, 4, 4, 4], its frozen teacher's;
    per image its labels (255 in a corner on odd images) and ``loss_weight``."""
    g = _gen(seed + 2810)
    b = len(WEIGHTS[seed])
    outputs = {"seg": _leaf(b, NC, SH, SH, g=g), "feat": _leaf(b, 4, 4, 4, g=g),
               "teacher_seg": torch.randn(b, NC, SH, SH, generator=g) * 2, "teacher_feat": torch.randn(b, 4, 4, 4, generator=g)}
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        labels = _seg_labels(g, i, seed, NC, SH)
        targets.append({"labels": labels, "loss_weight": w})
    return [outputs, targets], [Along(0), TARGETS], None


def channel_wise_distillation_spatial_softmax_over_channels_and_images(outputs, targets, tau=4.0):
    """Shu et al.'s channel-wise distillation: each channel's logits a distribution over the pixels
    (``softmax`` over ``H * W`` of ``view(-1, H * W) / tau``), the teacher's against the student's,
    the KL summed, times ``tau ** 2``, over ``N * C``."""
    s, t = outputs["seg"], outputs["teacher_seg"]
    n, c, h, w = s.shape
    soft_t = F.softmax(t.reshape(-1, h * w) / tau, dim=1)
    loss = torch.sum(soft_t * F.log_softmax(t.reshape(-1, h * w) / tau, 1)
                     - soft_t * F.log_softmax(s.reshape(-1, h * w) / tau, 1)) * tau ** 2
    return {"loss_cwd": loss / (c * n)}


def structured_kd_pairwise_similarity_of_pooled_features(outputs, targets, scale=0.5):
    """Liu et al.'s structured KD, pair-wise term: both feature maps max-pooled, each location's
    feature L2-normalised over the channels, the [hw, hw] similarity per image (``bmm``), the squared
    difference over ``(w h) ** 2`` and over the batch, summed."""
    fs, ft = outputs["feat"], outputs["teacher_feat"].detach()
    k = int(fs.shape[2] * scale)
    fs, ft = F.max_pool2d(fs, k, k, ceil_mode=True), F.max_pool2d(ft, k, k, ceil_mode=True)

    def sim(f):
        norm = (f.pow(2).sum(1) ** 0.5).reshape(f.shape[0], 1, f.shape[2], f.shape[3]) + 1e-8
        f = (f / norm).reshape(f.shape[0], f.shape[1], -1)
        return torch.bmm(f.transpose(1, 2), f)

    b, hw = fs.shape[0], fs.shape[2] * fs.shape[3]
    return {"loss_pairwise": ((sim(ft) - sim(fs)) ** 2 / hw ** 2 / b).sum()}


def pixel_kl_distillation_over_the_labelled_pixels(outputs, targets, temperature=2.0):
    """Dense response distillation: per pixel the KL of the tempered teacher and student class
    distributions (``F.kl_div(..., reduction='none')`` summed over classes), kept where the label is
    not 255, summed over the labelled count, times ``T ** 2``; plus the CE ignoring 255."""
    labels = _stack(targets, "labels")
    valid = (labels != 255).float()
    kl = F.kl_div(F.log_softmax(outputs["seg"] / temperature, 1), F.softmax(outputs["teacher_seg"] / temperature, 1),
                  reduction="none").sum(1)
    return {"loss_kd": (kl * valid).sum() / valid.sum() * temperature ** 2,
            "loss_ce": F.cross_entropy(outputs["seg"], labels, ignore_index=255)}


def recall_loss_class_weights_from_the_batchs_recall(outputs, targets):
    """Tian et al.'s recall loss: the class weights ``1 - recall`` of the batch's hard predictions
    (true positives and ground-truth counts by ``bincount`` over the labelled pixels), the CE
    ``'none'`` weighted per pixel by its class's weight, mean over the labelled pixels."""
    logits, labels = outputs["seg"], _stack(targets, "labels")
    valid = labels != 255
    pred = logits.argmax(1)
    gt_counts = torch.bincount(labels[valid], minlength=NC).float()
    tp_counts = torch.bincount(labels[valid & (pred == labels)], minlength=NC).float()
    weight = 1 - tp_counts / gt_counts.clamp(min=1)
    ce = F.cross_entropy(logits, labels.masked_fill(~valid, 0), reduction="none")
    return {"loss_recall": (ce * weight[labels.masked_fill(~valid, 0)])[valid].mean()}


def cross_image_pixel_contrast_of_sampled_anchors(outputs, targets, per_class=2, t=0.1):
    """Wang et al.'s cross-image pixel contrast: each image's labels down-sampled (nearest) to the
    embedding, the first ``per_class`` pixels of each present class sampled per image, every anchor
    of the batch contrasted with the batch's other anchors (positives: the same class), the
    supervised contrastive mean log-likelihood, mean over anchors."""
    emb = F.normalize(outputs["feat"], dim=1)
    labels = F.interpolate(_stack(targets, "labels")[:, None].float(), size=emb.shape[2:], mode="nearest")[:, 0].long()
    feats, ys = [], []
    for b in range(emb.shape[0]):
        flat, lab = emb[b].reshape(emb.shape[1], -1).t(), labels[b].reshape(-1)
        for c in range(NC):
            idx = (lab == c).nonzero().squeeze(1)[:per_class]
            feats.append(flat[idx])
            ys.append(lab[idx])
    x, y = torch.cat(feats), torch.cat(ys)
    logits = x @ x.t() / t
    self_mask = torch.eye(len(y), dtype=torch.bool)
    pos = (y[:, None] == y[None]) & ~self_mask
    logits = logits.masked_fill(self_mask, -1e9)
    log_prob = logits - torch.logsumexp(logits, 1, keepdim=True)
    mean_pos = (log_prob * pos).sum(1) / pos.sum(1).clamp(min=1)
    return {"loss_contrast": -mean_pos.mean()}


# -- pose ---------------------------------------------------------------------------------------------

J, DZ, HV = 4, 4, 5  # joints, depth bins, volume side
BONES = ((0, 1), (1, 2), (1, 3))
FRAMES = 4
PERSONS, ED = 3, 6


def pose_batch(seed: int) -> tuple[list, list, None]:
    """Per image: 3-D heatmap volumes [B, 4 joints, 4, 5, 5], a clip's 3-D joints [B, 4 frames, 4,
    3], padded instance features [B, 3, 6], PVNet's vertex fields [B, 4, 6, 6] and its object logits
    [B, 2, 6, 6]; per image the joints in voxels, their visibility, whether the image has depth
    labels, the clip's true joints, its person count, the object mask, the unit vectors to 2
    keypoints and ``loss_weight``."""
    g = _gen(seed + 2820)
    b = len(WEIGHTS[seed])
    outputs = {"volume": _leaf(b, J, DZ, HV, HV, g=g), "clip": _leaf(b, FRAMES, J, 3, g=g),
               "inst": _leaf(b, PERSONS, ED, g=g), "vertex": _leaf(b, 4, 6, 6, g=g), "obj": _leaf(b, 2, 6, 6, g=g)}
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        vis = torch.ones(J)
        vis[(i + seed) % J] = 0.0
        mask = torch.zeros(6, 6, dtype=torch.long)
        mask[(i % 3):(i % 3) + 3, 1:4 + (seed % 2)] = 1
        targets.append({"joints": torch.rand(J, 3, generator=g) * torch.tensor([HV - 1, HV - 1, DZ - 1.0]),
                        "vis": vis, "has_depth": float((i + seed) % 3 != 1),
                        "clip": torch.randn(FRAMES, J, 3, generator=g), "persons": 1 + (i + seed) % 3,
                        "mask": mask, "vertex": F.normalize(torch.randn(2, 2, 6, 6, generator=g), dim=1).reshape(4, 6, 6),
                        "loss_weight": w})
    return [outputs, targets], [Along(0), TARGETS], None


def integral_3d_soft_argmax_l1_with_visibility_and_depth_flags(outputs, targets):
    """Sun et al.'s integral regression over 3-D volumes: ``softmax`` over each joint's voxels,
    the expected x, y, z from the marginals; L1 per coordinate times the joint's visibility and,
    for z, the image's has-depth flag (2-D datasets in the mix), mean over every coordinate."""
    vol = outputs["volume"]
    b = vol.shape[0]
    prob = F.softmax(vol.reshape(b, J, -1), 2).reshape(b, J, DZ, HV, HV)
    x = (prob.sum((2, 3)) * torch.arange(HV, dtype=prob.dtype)).sum(-1)
    y = (prob.sum((2, 4)) * torch.arange(HV, dtype=prob.dtype)).sum(-1)
    z = (prob.sum((3, 4)) * torch.arange(DZ, dtype=prob.dtype)).sum(-1)
    pred = torch.stack([x, y, z], -1)
    gt, vis = _stack(targets, "joints"), _stack(targets, "vis")
    has_depth = torch.tensor([t["has_depth"] for t in targets])
    w = vis[..., None].repeat(1, 1, 3)
    w[..., 2] = w[..., 2] * has_depth[:, None]
    return {"loss_integral": ((pred - gt).abs() * w).mean()}


def _limbs(x):
    return torch.stack([x[..., a, :] - x[..., c, :] for a, c in BONES], -2)


def _angles(x, eps=1e-6):
    limbs = F.normalize(_limbs(x), dim=-1)
    cos = torch.stack([(limbs[..., 0, :] * limbs[..., 1, :]).sum(-1), (limbs[..., 1, :] * limbs[..., 2, :]).sum(-1)], -1)
    return torch.acos(cos.clamp(-1 + eps, 1 - eps))


def motionbert_mpjpe_velocity_limb_variance_and_angles(outputs, targets):
    """MotionBERT's 3-D losses over clips [B, T, J, 3]: MPJPE (the mean joint distance), the
    velocity error of frame differences, the variance over time of the predicted limb lengths
    (``torch.var`` over frames), the limb lengths' L1 and the limb angles' L1 (``acos`` of clamped
    cosines); each a mean."""
    x, gt = outputs["clip"], _stack(targets, "clip")
    mpjpe = torch.norm(x - gt, dim=-1).mean()
    velocity = torch.norm(torch.diff(x, dim=1) - torch.diff(gt, dim=1), dim=-1).mean()
    lens_x, lens_gt = torch.norm(_limbs(x), dim=-1), torch.norm(_limbs(gt), dim=-1)
    limb_var = torch.var(lens_x, dim=1).mean()
    return {"loss_3d_pos": mpjpe, "loss_3d_velocity": velocity, "loss_lv": limb_var,
            "loss_lg": F.l1_loss(lens_x, lens_gt), "loss_a": F.l1_loss(_angles(x), _angles(gt))}


def cid_instance_contrast_within_each_image_over_the_batchs_persons(outputs, targets, tau=0.05):
    """CID's contrastive instance decoupling: each image's person features (its first ``persons``
    slots) normalised, their similarities over ``tau`` against ``arange`` (each instance its own
    class), CE summed per image; the total over the batch's person count (a Python sum)."""
    total, count = 0.0, 0
    for feats, t in zip(outputs["inst"], targets, strict=True):
        f = F.normalize(feats[:t["persons"]], dim=1)
        total = total + F.cross_entropy(f @ f.t() / tau, torch.arange(len(f)), reduction="sum")
        count += len(f)
    return {"loss_contrastive": total / count}


def pvnet_vertex_smooth_l1_over_mask_sum_and_channels(outputs, targets):
    """PVNet: the unit-vector field's smooth L1 summed over the object pixels (``weight`` the mask
    broadcast over channels), divided by the mask's sum and by the vertex channels; the object mask's
    CE mean."""
    mask = _stack(targets, "mask")
    vertex = _stack(targets, "vertex")
    weight = mask[:, None].float()
    loss = F.smooth_l1_loss(outputs["vertex"] * weight, vertex * weight, reduction="sum")
    return {"vote_loss": loss / weight.sum() / vertex.size(1), "seg_loss": F.cross_entropy(outputs["obj"], mask)}


# -- depth ----------------------------------------------------------------------------------------------

DH = 8


def depth_batch(seed: int) -> tuple[list, list, None]:
    """Predicted depth [B, 1, 8, 8] (positive), left and right disparities [B, 1, 8, 8]; per image
    its depth (zeros where invalid), its stereo pair [3, 8, 8] each and ``loss_weight``."""
    g = _gen(seed + 2830)
    b = len(WEIGHTS[seed])
    outputs = {"depth": (torch.rand(b, 1, DH, DH, generator=g) * 3 + 0.5).requires_grad_(),
               "disp_l": (torch.rand(b, 1, DH, DH, generator=g) * 0.2).requires_grad_(),
               "disp_r": (torch.rand(b, 1, DH, DH, generator=g) * 0.2).requires_grad_()}
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        depth = torch.rand(1, DH, DH, generator=g) * 3 + 0.5
        depth[:, (i + seed) % 4, :3 + i] = 0.0
        targets.append({"depth": depth, "left": torch.rand(3, DH, DH, generator=g),
                        "right": torch.rand(3, DH, DH, generator=g), "loss_weight": w})
    return [outputs, targets], [Along(0), TARGETS], None


def _scale_invariant_gradient(f, h, eps):
    """x and y differences at spacing ``h`` over the two values' magnitudes, on the common crop."""
    fx = (f[..., :-h, h:] - f[..., :-h, :-h]) / (f[..., :-h, h:].abs() + f[..., :-h, :-h].abs() + eps)
    fy = (f[..., h:, :-h] - f[..., :-h, :-h]) / (f[..., h:, :-h].abs() + f[..., :-h, :-h].abs() + eps)
    return fx, fy


def demon_scale_invariant_gradient_at_several_spacings(outputs, targets, spacings=(1, 2, 4), eps=1e-6):
    """DeMoN's scale-invariant gradient loss: at each spacing ``h`` the discrete differences of the
    inverse depth normalised by the two values' magnitudes, ``(f(i + h) - f(i)) / (|f(i + h)| +
    |f(i)|)`` along x and y; the L2 norm of the prediction's minus the truth's per pixel, summed per
    image, mean over images, summed over the spacings."""
    pred, gt = 1 / outputs["depth"], 1 / _stack(targets, "depth").clamp(min=0.5)
    loss = 0.0
    for h in spacings:
        px, py = _scale_invariant_gradient(pred, h, eps)
        gx, gy = _scale_invariant_gradient(gt, h, eps)
        loss = loss + torch.sqrt((px - gx) ** 2 + (py - gy) ** 2 + eps).sum((1, 2, 3)).mean()
    return {"loss_sig": loss}


def hierarchical_depth_normalisation_over_local_windows(outputs, targets, eps=1e-6):
    """Metric3D's HDSNL: per image, the whole image and its four 4x4 windows, each window's valid
    depths normalised by their median and mean absolute deviation from it (prediction and truth
    alike); the L1 of the normalised values mean over the window's valid pixels; mean over the
    windows, then over the images."""
    pred, gt = outputs["depth"], _stack(targets, "depth")
    windows = [(slice(None), slice(None))] + [(slice(r, r + 4), slice(c, c + 4)) for r in (0, 4) for c in (0, 4)]
    per_image = []
    for p, d in zip(pred, gt, strict=True):
        terms = []
        for rs, cs in windows:
            pw, dw = p[0, rs, cs], d[0, rs, cs]
            valid = dw > 0
            if valid.sum() < 2:
                continue
            pv, dv = pw[valid], dw[valid]

            def norm(v):
                med = v.median()
                return (v - med) / ((v - med).abs().mean() + eps)
            terms.append((norm(pv) - norm(dv)).abs().mean())
        per_image.append(torch.stack(terms).mean())
    return {"loss_hdsnl": torch.stack(per_image).mean()}


def image_level_normalised_regression_trimmed(outputs, targets, trim=0.1, eps=1e-6):
    """LeReS's ILNR: per image the valid truths sorted, the top and bottom 10 % trimmed, their mean
    and standard deviation normalise the truth; the prediction over the same pixels normalised by
    its own; ``|tanh(p / 100) - tanh(g / 100)| + |p - g|`` mean over the kept pixels; summed over the
    images over the batch size."""
    pred, gt = outputs["depth"], _stack(targets, "depth")
    b = pred.shape[0]
    loss = 0.0
    for p, d in zip(pred.reshape(b, -1), gt.reshape(b, -1), strict=True):
        valid = d > 0
        dv, pv = d[valid], p[valid]
        order = torch.argsort(dv)
        k = int(len(dv) * trim)
        kept = order[k:len(dv) - k]
        dk, pk = dv[kept], pv[kept]
        dn = (dk - dk.mean()) / (dk.std() + eps)
        pn = (pk - pk.mean()) / (pk.std() + eps)
        loss = loss + ((torch.tanh(pn / 100) - torch.tanh(dn / 100)).abs() + (pn - dn).abs()).mean()
    return {"loss_ilnr": loss / b}


def _warp(img, disp):
    """``img`` sampled at x shifted by ``disp`` (in image widths), ``grid_sample`` with the border."""
    b, _, h, w = img.shape
    ys, xs = torch.meshgrid(torch.linspace(-1, 1, h), torch.linspace(-1, 1, w), indexing="ij")
    grid = torch.stack([xs.expand(b, h, w) + 2 * disp[:, 0], ys.expand(b, h, w)], -1)
    return F.grid_sample(img, grid, mode="bilinear", padding_mode="border", align_corners=True)


def monodepth_appearance_and_left_right_disparity_consistency(outputs, targets):
    """Monodepth's stereo terms: the left image reconstructed from the right by the left disparity
    (``grid_sample``), its L1 mean; the left-right consistency ``|d_l - warp(d_r, -d_l)|`` mean, and
    the same from the right."""
    dl, dr = outputs["disp_l"], outputs["disp_r"]
    left, right = _stack(targets, "left"), _stack(targets, "right")
    left_est = _warp(right, -dl)
    right_est = _warp(left, dr)
    ap = (left_est - left).abs().mean() + (right_est - right).abs().mean()
    lr = (dl - _warp(dr, -dl)).abs().mean() + (dr - _warp(dl, dr)).abs().mean()
    return {"loss_ap": ap, "loss_lr": lr}


# -- 3-D / point clouds ----------------------------------------------------------------------------------

NSEED, KPROP, NH, NS, NCL, GMAX = 8, 4, 4, 3, 3, 3
NEAR, FAR = 0.3, 0.6
MEAN_SIZES = torch.tensor([[0.5, 0.5, 0.5], [1.0, 0.6, 0.8], [1.5, 1.0, 0.6]])


def votenet_batch(seed: int) -> tuple[list, list, None]:
    """VoteNet's outputs per scene: votes [B, 8 seeds, 3], proposals' centres [B, 4, 3], objectness
    [B, 4, 2], heading bins and normalised residuals [B, 4, 4], size classes [B, 4, 3] and residuals
    [B, 4, 3, 3], semantic classes [B, 4, 3]; per scene its 1 to 3 boxes padded to 3 (centre, heading
    class and residual, size class and residual, semantic class, a box mask), each seed's 3 true votes
    and vote mask, ``loss_weight``."""
    g = _gen(seed + 2840)
    b = len(WEIGHTS[seed])
    targets, centres = [], []
    for i, w in enumerate(WEIGHTS[seed]):
        n = 1 + (i + seed) % 3
        centre = torch.zeros(GMAX, 3)
        centre[:n] = torch.rand(n, 3, generator=g) * 2
        box_mask = torch.zeros(GMAX)
        box_mask[:n] = 1
        vote_mask = (torch.rand(NSEED, generator=g) > 0.4).long()
        votes = centre[torch.randint(0, n, (NSEED, 3), generator=g)].reshape(NSEED, 9) * vote_mask[:, None]
        targets.append({"center_label": centre, "box_label_mask": box_mask,
                        "heading_class_label": torch.randint(0, NH, (GMAX,), generator=g),
                        "heading_residual_label": (torch.rand(GMAX, generator=g) - 0.5) * (math.pi / NH),
                        "size_class_label": torch.randint(0, NS, (GMAX,), generator=g),
                        "size_residual_label": torch.randn(GMAX, 3, generator=g) * 0.1,
                        "sem_cls_label": torch.randint(0, NCL, (GMAX,), generator=g),
                        "vote_label": votes, "vote_label_mask": vote_mask, "loss_weight": w})
        near = centre[torch.arange(KPROP) % n] + torch.randn(KPROP, 3, generator=g) * 0.15
        near[(i + seed) % KPROP] += 0.8  # one proposal far from every box
        centres.append(near)
    outputs = {"vote_xyz": (_stack(targets, "vote_label")[..., :3] + torch.randn(b, NSEED, 3, generator=g) * 0.2).requires_grad_(),
               "center": torch.stack(centres).requires_grad_(), "objectness_scores": _leaf(b, KPROP, 2, g=g),
               "heading_scores": _leaf(b, KPROP, NH, g=g), "heading_residuals_normalized": _leaf(b, KPROP, NH, g=g, scale=0.3),
               "size_scores": _leaf(b, KPROP, NS, g=g), "size_residuals_normalized": _leaf(b, KPROP, NS, 3, g=g, scale=0.3),
               "sem_cls_scores": _leaf(b, KPROP, NCL, g=g)}
    return [outputs, targets], [Along(0), TARGETS], None


def _huber(x, delta=1.0):
    a = x.abs()
    quadratic = torch.clamp(a, max=delta)
    return 0.5 * quadratic ** 2 + delta * (a - quadratic)


def votenet_votes_objectness_box_and_heading_bins_over_positive_proposals(end_points, targets):
    """VoteNet's ``get_loss``: the vote loss (each seed's vote against its 3 true votes, the min L1,
    over the seeds with a vote); objectness from each proposal's distance to the nearest box (near
    positive, far negative, between ignored), CE with class weights 0.2 / 0.8 over the mask's sum;
    the centre's two-way Chamfer over positives and boxes; the heading bin CE and its residual's
    Huber through a ``scatter_`` one-hot, the size class CE and residual, the semantic CE, each over
    the positive proposals' count; the weighted total."""
    b = end_points["center"].shape[0]
    vote_label, vote_mask = _stack(targets, "vote_label"), _stack(targets, "vote_label_mask").float()
    dist = (end_points["vote_xyz"][:, :, None, :] - vote_label.view(b, NSEED, 3, 3)).abs().sum(-1).min(-1)[0]
    vote_loss = torch.sum(dist * vote_mask) / (torch.sum(vote_mask) + 1e-6)
    gt_center, box_mask = _stack(targets, "center_label"), _stack(targets, "box_label_mask")
    d2 = ((end_points["center"][:, :, None] - gt_center[:, None]) ** 2).sum(-1)
    d2 = d2 + (1 - box_mask[:, None]) * 1e6
    dist1, ind1 = d2.min(2)
    dist2 = d2.min(1)[0]
    euclid = torch.sqrt(dist1.detach() + 1e-6)
    objectness_label = (euclid < NEAR).long()
    objectness_mask = ((euclid < NEAR) | (euclid > FAR)).float()
    crit = F.cross_entropy(end_points["objectness_scores"].transpose(2, 1), objectness_label,
                           weight=torch.tensor([0.2, 0.8]), reduction="none")
    objectness_loss = torch.sum(crit * objectness_mask) / (torch.sum(objectness_mask) + 1e-6)
    pos = objectness_label.float()
    npos = torch.sum(pos) + 1e-6
    center_loss = torch.sum(dist1 * pos) / npos + torch.sum(dist2 * box_mask) / (torch.sum(box_mask) + 1e-6)
    heading_class = torch.gather(_stack(targets, "heading_class_label"), 1, ind1)
    heading_cls_loss = torch.sum(F.cross_entropy(end_points["heading_scores"].transpose(2, 1), heading_class,
                                                 reduction="none") * pos) / npos
    heading_res = torch.gather(_stack(targets, "heading_residual_label"), 1, ind1) / (math.pi / NH)
    onehot = torch.zeros(b, KPROP, NH).scatter_(2, heading_class.unsqueeze(-1), 1)
    heading_reg_loss = torch.sum(_huber(torch.sum(end_points["heading_residuals_normalized"] * onehot, -1)
                                        - heading_res, delta=1.0) * pos) / npos
    size_class = torch.gather(_stack(targets, "size_class_label"), 1, ind1)
    size_cls_loss = torch.sum(F.cross_entropy(end_points["size_scores"].transpose(2, 1), size_class,
                                              reduction="none") * pos) / npos
    size_res = torch.gather(_stack(targets, "size_residual_label"), 1, ind1[..., None].repeat(1, 1, 3))
    size_onehot = torch.zeros(b, KPROP, NS).scatter_(2, size_class.unsqueeze(-1), 1)
    pred_res = torch.sum(end_points["size_residuals_normalized"] * size_onehot[..., None], 2)
    mean_size = torch.sum(size_onehot[..., None] * MEAN_SIZES[None, None], 2)
    size_reg_loss = torch.sum(_huber(pred_res - size_res / mean_size).mean(-1) * pos) / npos
    sem_class = torch.gather(_stack(targets, "sem_cls_label"), 1, ind1)
    sem_cls_loss = torch.sum(F.cross_entropy(end_points["sem_cls_scores"].transpose(2, 1), sem_class,
                                             reduction="none") * pos) / npos
    box_loss = center_loss + 0.1 * heading_cls_loss + heading_reg_loss + 0.1 * size_cls_loss + size_reg_loss
    loss = vote_loss + 0.5 * objectness_loss + box_loss + 0.1 * sem_cls_loss
    return {"loss": loss * 10, "vote_loss": vote_loss, "objectness_loss": objectness_loss, "center_loss": center_loss,
            "heading_cls_loss": heading_cls_loss, "heading_reg_loss": heading_reg_loss, "size_cls_loss": size_cls_loss,
            "size_reg_loss": size_reg_loss, "sem_cls_loss": sem_cls_loss}


SEM = 4


def points_batch(seed: int) -> tuple[list, list, None]:
    """A sparse network's per-point outputs over the scenes' points concatenated (5 to 7 per scene):
    offsets [N, 3] and semantic logits [N, 4], owned by the scenes; per scene its coordinates, each
    point's instance centre and instance label (-100: none), semantic labels (-100 ignored) and
    ``loss_weight``."""
    g = _gen(seed + 2841)
    counts = [5 + (i + seed) % 3 for i in range(len(WEIGHTS[seed]))]
    n = sum(counts)
    outputs = {"offsets": _leaf(n, 3, g=g, scale=0.3), "semantic": _leaf(n, SEM, g=g)}
    targets = []
    for i, (w, k) in enumerate(zip(WEIGHTS[seed], counts, strict=True)):
        inst = torch.randint(0, 2, (k,), generator=g)
        inst[(i + seed) % k] = -100
        sem = torch.randint(0, SEM, (k,), generator=g)
        sem[(i + 2 * seed) % k] = -100
        centres = torch.rand(2, 3, generator=g)
        targets.append({"coords": torch.rand(k, 3, generator=g), "instance_labels": inst,
                        "instance_centres": centres[inst.clamp(min=0)], "semantic_labels": sem, "loss_weight": w})
    owner = torch.arange(len(counts)).repeat_interleave(torch.tensor(counts))
    return [outputs, targets], [Owned(owner), TARGETS], None


def pointgroup_semantic_ce_offset_norm_and_direction_over_instance_points(outputs, targets):
    """PointGroup's point losses over the batch's concatenated points: semantic CE ignoring -100;
    the offset's L1 norm to the instance centre and the negative cosine of the offset directions
    (each normalised with ``+ 1e-8``), both summed over the points with an instance over their count
    ``+ 1e-6``."""
    coords = torch.cat([t["coords"] for t in targets])
    inst = torch.cat([t["instance_labels"] for t in targets])
    gt_offsets = torch.cat([t["instance_centres"] for t in targets]) - coords
    semantic = torch.cat([t["semantic_labels"] for t in targets])
    sem_loss = F.cross_entropy(outputs["semantic"], semantic, ignore_index=-100)
    pt_diff = outputs["offsets"] - gt_offsets
    pt_dist = torch.sum(torch.abs(pt_diff), dim=-1)
    valid = (inst != -100).float()
    offset_norm_loss = torch.sum(pt_dist * valid) / (torch.sum(valid) + 1e-6)
    gt_n = gt_offsets / (torch.norm(gt_offsets, p=2, dim=1).unsqueeze(-1) + 1e-8)
    pt_n = outputs["offsets"] / (torch.norm(outputs["offsets"], p=2, dim=1).unsqueeze(-1) + 1e-8)
    direction = -(gt_n * pt_n).sum(-1)
    offset_dir_loss = torch.sum(direction * valid) / (torch.sum(valid) + 1e-6)
    return {"semantic_loss": sem_loss, "offset_norm_loss": offset_norm_loss, "offset_dir_loss": offset_dir_loss}


NX, NY = 10, 8


def cloud_batch(seed: int) -> tuple[list, list, None]:
    """A completion network's clouds [B, 10, 3], a registration network's rotation [B, 3, 3] and
    translation [B, 3]; per example its true cloud [8, 3], the source points [6, 3], the true
    rotation and translation and ``loss_weight``."""
    g = _gen(seed + 2842)
    b = len(WEIGHTS[seed])
    outputs = {"cloud": _leaf(b, NX, 3, g=g), "rotation": (torch.eye(3) + 0.1 * torch.randn(b, 3, 3, generator=g)).requires_grad_(),
               "translation": _leaf(b, 3, g=g, scale=0.2)}
    targets = []
    for w in WEIGHTS[seed]:
        q = torch.linalg.qr(torch.randn(3, 3, generator=g))[0]
        targets.append({"cloud": torch.randn(NY, 3, generator=g), "src": torch.randn(6, 3, generator=g),
                        "rotation": q, "translation": torch.randn(3, generator=g) * 0.2, "loss_weight": w})
    return [outputs, targets], [Along(0), TARGETS], None


def density_aware_chamfer_with_scatter_counted_neighbours(outputs, targets, alpha=1000, n_lambda=1.0):
    """Wu et al.'s density-aware Chamfer distance: each point's nearest neighbour in the other
    cloud, how many points chose the same neighbour (``scatter_add_`` of ones per cloud, read back by
    ``gather``), ``1 - exp(-alpha d) / count ** lambda`` scaled by the clouds' size ratio, mean per
    cloud each way, the two ways' mean, mean over the batch."""
    x, y = outputs["cloud"], _stack(targets, "cloud")
    d = torch.cdist(x, y) ** 2
    d1, idx1 = d.min(2)
    d2, idx2 = d.min(1)
    count1 = torch.zeros_like(idx2).scatter_add_(1, idx1, torch.ones_like(idx1))
    count2 = torch.zeros_like(idx1).scatter_add_(1, idx2, torch.ones_like(idx2))
    w1 = count1.gather(1, idx1).float().detach() ** n_lambda
    w2 = count2.gather(1, idx2).float().detach() ** n_lambda
    w1 = (w1 + 1e-6) ** (-1) * (NY / NX)
    w2 = (w2 + 1e-6) ** (-1) * (NX / NY)
    loss1 = (1 - torch.exp(-d1 * alpha) * w1).mean(1)
    loss2 = (1 - torch.exp(-d2 * alpha) * w2).mean(1)
    return {"loss_dcd": ((loss1 + loss2) / 2).mean()}


def dcp_rotation_against_identity_translation_mse_and_transformed_points(outputs, targets):
    """DCP's registration loss: ``mse(R_pred^T R_gt, I)`` with the identity repeated over the
    batch, plus the translation's MSE; and RPM-Net's L1 of the source points moved by the predicted
    and the true transforms, mean."""
    r, tr = outputs["rotation"], outputs["translation"]
    r_gt, t_gt = _stack(targets, "rotation"), _stack(targets, "translation")
    b = r.size(0)
    identity = torch.eye(3).unsqueeze(0).repeat(b, 1, 1)
    loss = F.mse_loss(torch.matmul(r.transpose(2, 1), r_gt), identity) + F.mse_loss(tr, t_gt)
    src = _stack(targets, "src")
    moved = src @ r.transpose(1, 2) + tr[:, None]
    moved_gt = src @ r_gt.transpose(1, 2) + t_gt[:, None]
    return {"loss_dcp": loss, "loss_points": (moved - moved_gt).abs().mean()}


# -- tracking / re-identification ------------------------------------------------------------------------

DE = 6  # embedding size


def track_batch(seed: int) -> tuple[list, list, None]:
    """QDTrack's sampled RoI embeddings of each key frame (2 to 4) and its reference frame (3),
    concatenated over the image pairs and owned by them, [K, 6] and [R, 6]; per pair the key and
    reference RoIs' instance ids (-1: background) and ``loss_weight``."""
    g = _gen(seed + 2850)
    nk = [2 + (i + seed) % 3 for i in range(len(WEIGHTS[seed]))]
    key = _leaf(sum(nk), DE, g=g)
    ref = _leaf(3 * len(nk), DE, g=g)
    targets = []
    for i, (w, k) in enumerate(zip(WEIGHTS[seed], nk, strict=True)):
        ref_ids = torch.tensor([0, 1, -1])
        key_ids = torch.tensor([0, 1, -1, 1])[:k]
        if (i + seed) % 2:
            key_ids = key_ids.flip(0)
        targets.append({"key_ids": key_ids, "ref_ids": ref_ids, "loss_weight": w})
    key_owner = torch.arange(len(nk)).repeat_interleave(torch.tensor(nk))
    ref_owner = torch.arange(len(nk)).repeat_interleave(3)
    return [key, ref, targets], [Owned(key_owner), Owned(ref_owner), TARGETS], None


def qdtrack_multi_positive_ce_and_cosine_l2_per_pair_over_pairs(key_embeds, ref_embeds, targets, margin=0.1):
    """QDTrack's ``QuasiDenseEmbedHead.loss``: the embeddings split by each pair's RoI counts; per
    pair the dot-product similarities, targets ``key_id == ref_id`` (background never positive),
    key weights ``targets.sum(1) > 0``; the multi-positive CE (positives' and negatives' logits
    masked by ``+-inf``, ``repeat_interleave`` / ``repeat``, padded by a 0 column, ``logsumexp``)
    over the weights' sum; the cosine's L2 to the targets (negatives above the margin); each summed
    over pairs over the pair count."""
    keys_split = key_embeds.split([len(t["key_ids"]) for t in targets])
    refs_split = ref_embeds.split([len(t["ref_ids"]) for t in targets])
    loss_track = loss_aux = 0.0
    for k, r, t in zip(keys_split, refs_split, targets, strict=True):
        pred = k @ r.t()
        label = ((t["key_ids"][:, None] == t["ref_ids"][None]) & (t["key_ids"][:, None] >= 0)).float()
        weight = (label.sum(1) > 0).float()
        pos_inds, neg_inds = label == 1, label == 0
        pred_pos, pred_neg = pred * pos_inds.float(), pred * neg_inds.float()
        pred_pos[neg_inds] = pred_pos[neg_inds] + float("inf")
        pred_neg[pos_inds] = pred_neg[pos_inds] + float("-inf")
        _pos_expand = torch.repeat_interleave(pred_pos, pred.shape[1], dim=1)
        _neg_expand = pred_neg.repeat(1, pred.shape[1])
        x = F.pad(_neg_expand - _pos_expand, (0, 1), "constant", 0)
        loss = torch.logsumexp(x, dim=1)
        loss_track = loss_track + (loss * weight).sum() / weight.sum().clamp(min=1)
        cos = F.normalize(k, dim=1) @ F.normalize(r, dim=1).t()
        aux = torch.where(pos_inds, (cos - label) ** 2, (cos - margin).clamp(min=0) ** 2)
        loss_aux = loss_aux + aux.mean()
    return {"loss_track": 0.25 * loss_track / len(targets), "loss_track_aux": loss_aux / len(targets)}


NPID, CQ, RPI = 5, 4, 3  # labelled identities, unlabelled queue, proposals per image


def person_search_batch(seed: int) -> tuple[list, list, None]:
    """A person-search head's proposal features [B, 3, 6]; per image its proposals' identity labels
    (5: an unlabelled person) and ``loss_weight``; the labelled lookup table [5, 6] and the unlabelled
    circular queue [4, 6] kept."""
    g = _gen(seed + 2851)
    b = len(WEIGHTS[seed])
    feats = _leaf(b, RPI, DE, g=g)
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        pid = torch.randint(0, NPID, (RPI,), generator=g)
        pid[(i + seed) % RPI] = NPID
        targets.append({"pid": pid, "loss_weight": w})
    lut = F.normalize(torch.randn(NPID, DE, generator=g), dim=1)
    cq = F.normalize(torch.randn(CQ, DE, generator=g), dim=1)
    return [feats, targets, lut, cq], [Along(0), TARGETS, KEEP, KEEP], None


def oim_lookup_table_and_circular_queue_ce_ignoring_unlabelled(feats, targets, lut, cq, scalar=30.0):
    """OIM (person search): the proposals flattened over the images, normalised, scored against the
    labelled lookup table and the unlabelled queue joined (``torch.cat([lut, cq])``), times 30; CE
    ignoring the unlabelled label 5."""
    x = F.normalize(feats.reshape(-1, DE), dim=1)
    label = torch.cat([t["pid"] for t in targets])
    logits = x @ torch.cat([lut, cq]).t() * scalar
    return {"loss_oim": F.cross_entropy(logits, label, ignore_index=NPID)}


RS = 9


def siam_batch(seed: int) -> tuple[list, list, None]:
    """A Siamese tracker's response maps [B, 1, 9, 9]; per pair its label map (1 inside a radius of
    the target's shifted position, 0 elsewhere) and ``loss_weight``."""
    g = _gen(seed + 2852)
    b = len(WEIGHTS[seed])
    response = _leaf(b, 1, RS, RS, g=g)
    targets = []
    ys, xs = torch.meshgrid(torch.arange(RS), torch.arange(RS), indexing="ij")
    for i, w in enumerate(WEIGHTS[seed]):
        cy, cx = 4 + (i + seed) % 3 - 1, 4 - (i % 2)
        radius = 1.0 + (i + seed) % 2
        label = (((ys - cy) ** 2 + (xs - cx) ** 2).float().sqrt() <= radius).float()[None]
        targets.append({"label": label, "loss_weight": w})
    return [response, targets], [Along(0), TARGETS], None


def siamfc_balanced_logistic_with_weights_normalised_over_the_batch(response, targets, neg_weight=1.0):
    """SiamFC's ``BalancedLoss``: per-element weights ``1 / pos_num`` on the positives and
    ``neg_weight / neg_num`` on the negatives (counts over the batch's label maps), the weights then
    divided by their sum, BCE-with-logits with ``weight=``, ``reduction='sum'``."""
    target = _stack(targets, "label")
    pos_mask, neg_mask = target == 1, target == 0
    pos_num, neg_num = pos_mask.sum().float(), neg_mask.sum().float()
    weight = target.new_zeros(target.size())
    weight[pos_mask] = 1 / pos_num
    weight[neg_mask] = 1 / neg_num * neg_weight
    weight /= weight.sum()
    return {"loss_siam": F.binary_cross_entropy_with_logits(response, target, weight, reduction="sum")}


NPROXY = 6


def reid_batch(seed: int) -> tuple[list, list, list]:
    """Re-identification features [B, 6]; per example its identity, camera and modality (visible /
    infrared); camera-aware proxies [6, 6] with their cameras and pseudo identities kept. Sources
    from the loop."""
    g = _gen(seed + 2853)
    b = len(SOURCES[seed])
    feats = _leaf(b, DE, g=g)
    targets = [{"pid": torch.tensor((i + seed) % 2), "cam": torch.tensor((i + 2 * seed) % 3 % 2),
                "modality": torch.tensor(i % 2)} for i in range(b)]
    proxies = F.normalize(torch.randn(NPROXY, DE, generator=g), dim=1)
    proxy_cam = torch.tensor([0, 0, 0, 1, 1, 1])
    proxy_pid = torch.tensor([0, 1, 2, 0, 1, 2])
    return [feats, targets, proxies, proxy_cam, proxy_pid], [Along(0), TARGETS, KEEP, KEEP, KEEP], SOURCES[seed]


def hetero_centre_triplet_of_each_identitys_modality_centres(feats, targets, proxies, proxy_cam, proxy_pid, margin=0.3):
    """Zhu et al.'s hetero-centre triplet: each identity's centre per modality (the mean of the
    batch's features of that identity and modality), each centre against its identity's other
    modality centre (positive) and the nearest centre of another identity, hinge with a margin, mean
    over the centres with a positive."""
    pid = torch.stack([t["pid"] for t in targets])
    mod = torch.stack([t["modality"] for t in targets])
    centres, cid, cmod = [], [], []
    for p in torch.unique(pid):
        for m in (0, 1):
            sel = (pid == p) & (mod == m)
            if sel.any():
                centres.append(feats[sel].mean(0))
                cid.append(int(p))
                cmod.append(m)
    c = torch.stack(centres)
    cid_t, cmod_t = torch.tensor(cid), torch.tensor(cmod)
    d = torch.cdist(c, c)
    same = cid_t[:, None] == cid_t[None]
    pos = same & (cmod_t[:, None] != cmod_t[None])
    has_pos = pos.any(1)
    if not has_pos.any():
        return {"loss_hc_tri": (c * 0).sum()}
    d_pos = (d * pos).max(1)[0]
    d_neg = d.masked_fill(same, float("inf")).min(1)[0]
    loss = F.relu(d_pos - d_neg + margin)
    return {"loss_hc_tri": loss[has_pos].mean()}


def camera_aware_proxies_intra_camera_ce_over_present_cameras(feats, targets, proxies, proxy_cam, proxy_pid, t=0.07):
    """Wang et al.'s camera-aware proxies, intra-camera term: for each camera present in the batch
    (``torch.unique``), its examples' features against that camera's proxies, CE to the proxy of
    the example's pseudo identity (mean over the camera's examples); summed over the cameras over
    their count."""
    x = F.normalize(feats, dim=1)
    cams = torch.stack([tt["cam"] for tt in targets])
    pid = torch.stack([tt["pid"] for tt in targets])
    loss = 0.0
    present = torch.unique(cams)
    for cc in present:
        inds = cams == cc
        own = (proxy_cam == cc).nonzero().squeeze(1)
        logits = x[inds] @ proxies[own].t() / t
        target = (proxy_pid[own][None] == pid[inds][:, None]).float().argmax(1)
        loss = loss + F.cross_entropy(logits, target)
    return {"loss_intra": loss / len(present)}


TF, TQ = 2, 4  # frames per clip, track queries


def clip_batch(seed: int) -> tuple[list, list, list]:
    """MOTR over clips of 2 frames: class logits [B, 2, 4, 3] and boxes [B, 2, 4, 4]; per clip its
    1 to 3 tracked objects' boxes in each frame [2, n, 4], labels, and ``loss_weight``; per clip the
    track queries the objects hold in every frame."""
    g = _gen(seed + 2854)
    b = len(WEIGHTS[seed])
    outputs = {"logits": _leaf(b, TF, TQ, DC, g=g), "boxes": (torch.rand(b, TF, TQ, 4, generator=g) * 0.3 + 0.3).requires_grad_()}
    targets, indices = [], []
    for i, w in enumerate(WEIGHTS[seed]):
        n = 1 + (i + seed) % 3
        targets.append({"boxes": torch.rand(TF, n, 4, generator=g) * 0.3 + 0.3,
                        "labels": torch.randint(0, DC, (n,), generator=g), "loss_weight": w})
        indices.append(torch.randperm(TQ, generator=g)[:n])
    return [outputs, targets, indices], [Along(0), TARGETS, PER_IMAGE], None


def motr_clip_losses_summed_over_frames_over_the_clips_objects(outputs, targets, indices):
    """MOTR's collective average loss: per frame of every clip, the sigmoid focal of the track
    queries' one-hot classes, the L1 and GIoU of their boxes, summed over frames and clips; divided
    by the objects counted over every frame of the batch (``num_samples`` accumulated per frame)."""
    num_samples = 0.0
    loss_ce = loss_bbox = loss_giou = 0.0
    for f in range(TF):
        for b, (t, q) in enumerate(zip(targets, indices, strict=True)):
            logits = outputs["logits"][b, f]
            onehot = torch.zeros_like(logits)
            onehot[q, t["labels"]] = 1.0
            loss_ce = loss_ce + _focal(logits, onehot).sum()
            src, tgt = outputs["boxes"][b, f][q], t["boxes"][f]
            loss_bbox = loss_bbox + F.l1_loss(src, tgt, reduction="sum")
            loss_giou = loss_giou + (1 - _giou_aligned(_corners(src), _corners(tgt))).sum()
            num_samples += len(q)
    return {"loss_ce": loss_ce / num_samples, "loss_bbox": loss_bbox / num_samples, "loss_giou": loss_giou / num_samples}


CASES = {c.body.__name__: c for c in [
    # GAP in session 45 (red45, 15): ``anchors[a]``, ``a`` from ``torch.arange(na)`` whose 3 anchors equal a count of
    # the batch by value: taken for a table cut to the count (``w[torch.arange(len(t))]``, silently wrong on main); split
    # since session 46 (``na = ANCHORS5[level].shape[0]``, a size every item of the global table shares, is a constant
    # of the call; ``test_rules_constant_sizes``)
    Case(yolov5_ciou_objectness_by_level_balance_times_batch_size, yolo_batch),
    # GAP at first contact (10, the whole call declined at ``Tensor.div``: 'a factor of one image's values equals that
    # image's weight at some positions and not at others', the offsets' encoding over the priors' sizes 0.25 / 0.5, a
    # module global): split since (a module global no function assigns, read in the operand, holds no weight)
    Case(ssd_multibox_matching_in_the_body_and_ranked_hard_negatives, ssd_batch),
    # GAP at first contact on batch 1 (4, declined at ``Tensor.add``: image 1's ``max(1, num_foreground)``, 3, equal
    # to the number of images, read as a count of them): split since (one image's value over a size the body read of
    # its own tensor, no count of the images by the code at the division, is that image's)
    Case(retinanet_focal_and_l1_per_image_over_its_foreground_then_over_images, retina_batch),
    Case(federated_sigmoid_ce_over_the_batchs_appeared_and_sampled_classes, roi_batch, keys("loss_cls_fed"),
         gaps=keys("loss_cls_fed@3"), mix_batches=(0, 1),
         why="MIXES: the classes the loss covers are the batch's appeared classes (``torch.unique``) and the draws "
             "that complete them. GAP" + _ONE + " (declined at ``torch.unique`` 'of several images' data': the RoI "
             "rows are no image's)"),
    Case(kl_box_regression_with_predicted_variance_over_sampled_rois, roi_batch),
    # GAP at first contact (5, 'loss_cls' over ``num_pos + 0.1 * num_neg``, Python counts summed in the loop over the
    # images, declined at 'a division by a number the body counted over the images' items ... that equals no count of
    # the loss'): split since (a running count of each iteration's own items equal to the sum of the CE's class weights
    # over its rows, the present classes' weights of two values, is that sum: the group's)
    Case(mmdet_detr_head_per_image_targets_and_weights_over_total_positives, det_batch),
    Case(channel_wise_distillation_spatial_softmax_over_channels_and_images, seg_batch),
    # GAP at first contact (5, declined at ``Tensor.div`` 'with an int read as the size of a dim of image rows ... that
    # only a reduced loss may be multiplied or divided by'): split since (values over ``x.shape[0]`` before their sum)
    Case(structured_kd_pairwise_similarity_of_pooled_features, seg_batch),
    Case(pixel_kl_distillation_over_the_labelled_pixels, seg_batch),
    Case(recall_loss_class_weights_from_the_batchs_recall, seg_batch, keys("loss_recall"), gaps=keys("loss_recall@3"),
         mix_batches=(0, 1),
         why="MIXES: the class weights are ``1 - recall`` of the batch's predictions. GAP" + _ONE
             + " (declined at ``torch.bincount``)"),
    Case(cross_image_pixel_contrast_of_sampled_anchors, seg_batch, keys("loss_contrast"), mix_batches=(0, 1),
         why="MIXES: every anchor's positives and negatives are the batch's other images' pixels"),
    Case(integral_3d_soft_argmax_l1_with_visibility_and_depth_flags, pose_batch),
    Case(motionbert_mpjpe_velocity_limb_variance_and_angles, pose_batch),
    # GAP at first contact (4, the whole call declined at ``Tensor.__getitem__`` 'with slice bounds on image 1's rows
    # after a size of image 0's tensor was read'): split since (a bound read by a literal key from the very target dict
    # of the image cut, ``feats[:t["persons"]]``, is that image's)
    Case(cid_instance_contrast_within_each_image_over_the_batchs_persons, pose_batch),
    Case(pvnet_vertex_smooth_l1_over_mask_sum_and_channels, pose_batch),
    Case(demon_scale_invariant_gradient_at_several_spacings, depth_batch),
    # GAP at first contact (5, declined at ``Tensor.div``: one image's window deviation ``+ eps``, a ratio with an
    # offset, dividing its values): split since (one image's reduced value plus a constant is its value)
    Case(hierarchical_depth_normalisation_over_local_windows, depth_batch),
    Case(image_level_normalised_regression_trimmed, depth_batch, gaps=keys("loss_ilnr@3"),
         why="GAP" + _ONE + ": declined at ``Tensor.div`` 'with an int read as the size of a dim of image rows' "
             "(split on the batches of several examples)"),
    Case(monodepth_appearance_and_left_right_disparity_consistency, depth_batch),
    Case(votenet_votes_objectness_box_and_heading_bins_over_positive_proposals, votenet_batch),
    Case(pointgroup_semantic_ce_offset_norm_and_direction_over_instance_points, points_batch),
    Case(density_aware_chamfer_with_scatter_counted_neighbours, cloud_batch),
    Case(dcp_rotation_against_identity_translation_mse_and_transformed_points, cloud_batch),
    Case(qdtrack_multi_positive_ce_and_cosine_l2_per_pair_over_pairs, track_batch),
    Case(oim_lookup_table_and_circular_queue_ce_ignoring_unlabelled, person_search_batch, gaps=keys("loss_oim@0"),
         why="GAP on batch 0 only: the unlabelled queue's 4 rows equal the batch's 4 images, its ``torch.cat`` with "
             "the lookup table declined 'along a dim whose entries are images in one input and not in another'"),
    # GAP at first contact (4, declined at 'F.binary_cross_entropy_with_logits with weight= of values that mix images
    # (lost at Tensor.__rdiv__)': ``weight[pos_mask] = 1 / pos_num``): split since (a 0-dim value written at a bool mask
    # of the images' data is ``w * ~m + m * v``, followed by the element-wise rules)
    Case(siamfc_balanced_logistic_with_weights_normalised_over_the_batch, siam_batch),
    Case(hetero_centre_triplet_of_each_identitys_modality_centres, reid_batch, keys("loss_hc_tri"), mix_batches=(0, 1),
         why="MIXES: each identity's centre is the mean over the batch's examples of that identity"),
    _gap(camera_aware_proxies_intra_camera_ce_over_present_cameras, reid_batch, ["loss_intra"],
         "a mean over the cameras present of each camera's mean CE (the proxies are kept, each example's term its "
         "own): declined at ``Tensor.__getitem__`` 'with an index of values that mix images (lost at torch.unique)'"),
    # GAP at first contact (12, 'a division by a number the body counted over the images' items ... that equals no
    # count of the loss': ``num_samples``, twice the instances): split since (k times the instances over k terms per image)
    Case(motr_clip_losses_summed_over_frames_over_the_clips_objects, clip_batch),
]}


FIRST = (350, 76, 59, 0)  # expected, declined, GAP, WRONG at first contact
NOW = (350, 27, 10, 0)  # see the module docstring: 49 GAP split since first contact (session 45's 15 YOLOv5 GAP split)
globals().update(survey_tests(CASES, range(len(WEIGHTS)), len(CASES), NOW))
