"""Coverage survey 10: public criteria not in the earlier surveys, in the fields issue #13 names and
next to them (matched-box SIoU / Wise-IoU / Focaler-IoU, joint detection and re-identification
with uncertainty weighting, siamese tracking; per-image focal Tversky, soft-skeleton clDice, text
detection with balanced BCE; Procrustes-aligned 3-D pose; trimmed median / MAD depth;
zero-reference enhancement and learned perceptual distance; proxy-based metric learning and
re-identification; chunked token CE, generalised JSD distillation, token entropy and focal CE;
hybrid CTC / attention speech, guided attention, aggregation CE for text recognition; EDM and
consistency-model diffusion weighting; path-length regularisation; NeRF photometric and
distortion losses; N-BEATS and ensemble CRPS forecasting losses; listwise ranking; bi-tempered,
class-balanced and mixed-label classification).

Each entry reproduces one public criterion's pattern -- its ops, gathers, reductions and
normalisers -- in a body of its own, decorated from outside and compared with the oracle (the
body on each group's images alone, weight field set to 1): training values and gradients stay
bit-identical, every companion given equals the oracle, and each key that gets no companion is
recorded with why: ``MIXES`` (the images truly mix) or ``GAP`` (the oracle has a value that the
capture does not give; counted against the 3 % budget of issue #13). None of these patterns drove
the rules: the figures are those of first contact, nothing under ``losssplit/`` changed for them.

FIRST_CONTACT (28 patterns, two batches, nothing changed for them): 238 expected companions, 64
declined, 40 GAP (16.8 %), 4 WRONG. The WRONG: EDM's ``loss.sum().mul(1.0 / batch_total)`` with
``batch_total`` the configured batch size passed in: each group's companion is its sum over the
whole batch's size instead of over its share (half the oracle on the 4-image batch, 1/3 and 2/3 on
the 3-image one), with no warning; the same body with ``loss.sum() / batch_total`` splits. The
GAPs, each where the warning names the op: ``torch.arcsin`` of SIoU's per-row angle (4);
``torch.linear`` of gathered re-id rows through a fixed classifier (8) and of embeddings against
fixed proxies (4); ``torch.linalg.svd`` of per-frame Procrustes matrices (4) and ``torch.diff``
along frames (4); ``torch.sort`` of one image's residuals in a per-image loop, declined as a sort
of weighted values (4); the text detector's host-read counts declining the whole call, its masked
threshold L1 with it (4); the curve TV divided by ``a.size()[0]`` on the 4-image batch only (4);
``torch.log10`` of the fine MSE (a PSNR, no ratio: 4). The other 24 declines mix images: clDice
and dice of the batch's sums, hard negatives ranked over the batch, Proxy-Anchor's log of a sum
over the batch per proxy, batch-hard triplets, and the path-length mean moved toward the batch's
mean.

Now: 238 expected companions, 40 declined, 16 GAP (6.7 %), 0 WRONG. Split since first contact:
EDM's ``.mul(1.0 / batch_total)`` (a float factor written nowhere in the body whose reciprocal is
a number passed in divides by it), ``torch.arcsin`` (other spellings of ops with a rule),
``F.linear`` through a fixed layer or proxies, ``torch.linalg.svd`` of per-frame matrices and
``torch.diff`` along frames, and the sort of one image's centred residuals (no
weight in them: the unweighted copy comes out in the same order), and ``-10 * log10(mse)`` (a
function of one ratio); since session 10 the learned uncertainties added as 0-dim parameters (a
term of their own). The GAPs left (12 GAP, 5.0 %): the text detector's host-read counts (4), the trimmed loss's slice after the previous image's
count was read on the host (4), the curve TV on the 4-image batch (4).

Session 27 (s34): clDice, counted as mixing until then, is an expression of the group's sums times
``alpha``, a parameter at its default, now a constant of the expression: it splits as the oracle
(238 expected, 32 declined, 12 GAP, 0 WRONG).

Session 35 (g25): the curve TV splits on the 4-image batch (4), checked against the oracle: ``(h - 1) *
w`` of ``b, _, h, w = a.size()``, ``a = outputs["curves"]`` an argument as passed, sizes of dims without
images, is a constant of the call whatever count it equals (``_bytecode.unpacked_size_divisor``;
``tests/test_rules_unpacked_sizes.py``): 238 expected, 28 declined, 8 GAP (3.4 %), 0 WRONG.

s1415: the trimmed loss splits (4), checked against the oracle: ``res[:keep]`` of image i after image
i - 1's ``int(m.sum())`` was read, with ``keep = int(len(res) * (1 - trim))`` stored right before, is cut by
a number the code computes from that very tensor's length and a constant of the call
(``_bytecode.own_length_bound``), not from the read; ``total / (2 * count)`` with ``count += int(m.sum())``
once per image is twice the group's reads (``Frame._summed_reads`` with ``_bytecode.summed_multiple``;
``tests/test_rules_summed_sizes_multiple.py``): 238 expected, 24 declined, 4 GAP (1.7 %), 0 WRONG. Left: the
text detector's host-read counts declining the call (4).

s60: the text detector splits but for its hard negatives' BCE, checked against the oracle: the host-read
counts (``int(positive.sum())``, ``topk`` sized by them) decline only the key the code proves they reach
(``_reach`` from the read; ``tests/test_rules_read_keys.py``); its binary-map dice of the group's masked
sums, counted as mixing until then, and its masked threshold L1 split as the oracle: 238 expected, 16
declined, 0 GAP, 0 WRONG.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from _helpers import PER_IMAGE, ROWS, TARGETS, Share
from _survey import Case, keys, survey_tests
from _survey import gen as _gen
from _survey import leaf as _leaf
from _survey import stack as _stack

WEIGHTS = ([1.0, 0.5, 0.5, 1.0], [0.5, 1.0, 0.5])
SOURCES = (["web", "code", "web", "book"], ["code", "web", "code"])
Q, NC, S = 6, 3, 8  # queries, classes, map side


# -- detection, tracking --------------------------------------------------------------------------

E, MAXOBJ, NID = 4, 3, 7  # re-id embedding width, objects per image (padded), identities


def det_batch(seed: int) -> tuple[list, list, None]:
    """A set-prediction detector with a re-id branch: class logits [B, Q, NC + 1], boxes [B, Q, 4]
    (cxcywh), a centre heatmap [B, S, S] and re-id features [B, E, S, S]. Per image
    ``1 + (i + seed) % 3`` objects (boxes, labels) matched to queries (``indices``), their centres
    as flat map indices padded to MAXOBJ with a mask, identities and a target heatmap; and
    ``num_boxes`` computed outside (the batch's box count)."""
    g = _gen(seed + 1000)
    b = len(WEIGHTS[seed])
    outputs = {"logits": _leaf(b, Q, NC + 1, g=g),
               "boxes": (torch.rand(b, Q, 4, generator=g) * 0.4 + 0.2).requires_grad_(),
               "hm": torch.rand(b, S, S, generator=g).requires_grad_(), "id": _leaf(b, E, S, S, g=g)}
    targets, indices = [], []
    for i, w in enumerate(WEIGHTS[seed]):
        n = 1 + (i + seed) % 3
        ind = torch.zeros(MAXOBJ, dtype=torch.long)
        ind[:n] = torch.randperm(S * S, generator=g)[:n]
        targets.append({"boxes": torch.rand(n, 4, generator=g) * 0.4 + 0.2,
                        "labels": torch.randint(0, NC, (n,), generator=g), "ind": ind,
                        "reg_mask": (torch.arange(MAXOBJ) < n).float(),
                        "ids": torch.randint(0, NID, (MAXOBJ,), generator=g), "hm": torch.rand(S, S, generator=g),
                        "loss_weight": w})
        indices.append((torch.randperm(Q, generator=g)[:n], torch.randperm(n, generator=g)))
    counts = [len(t["boxes"]) for t in targets]
    return [outputs, targets, indices, float(sum(counts))], [ROWS, TARGETS, PER_IMAGE, Share(counts)], None


def _matched(outputs: dict, targets: list[dict], indices: list) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    batch_idx = torch.cat([torch.full_like(src, i) for i, (src, _) in enumerate(indices)])
    src_idx = torch.cat([src for src, _ in indices])
    src = outputs["boxes"][(batch_idx, src_idx)]
    tgt = torch.cat([t["boxes"][j] for t, (_, j) in zip(targets, indices)])
    w = torch.cat([torch.full((len(j),), t["loss_weight"]) for t, (_, j) in zip(targets, indices)])
    return src, tgt, w


def _xyxy(b: torch.Tensor) -> torch.Tensor:
    cx, cy, w, h = b.unbind(-1)
    return torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], -1)


def _iou_and_enclosure(a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Aligned IoU of cxcywh boxes and the enclosing box's width and height."""
    a1, b1 = _xyxy(a), _xyxy(b)
    wh = (torch.min(a1[:, 2:], b1[:, 2:]) - torch.max(a1[:, :2], b1[:, :2])).clamp(min=0)
    inter = wh[:, 0] * wh[:, 1]
    iou = inter / (a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter + 1e-7)
    enc = torch.max(a1[:, 2:], b1[:, 2:]) - torch.min(a1[:, :2], b1[:, :2])
    return iou, enc[:, 0], enc[:, 1]


def siou_and_l1_of_matched_boxes_weighted_per_row_over_num_boxes(outputs, targets, indices, num_boxes):
    """SIoU of matched boxes: angle cost ``cos(2 arcsin(sin) - pi / 2)`` of the centre offset
    (the smaller angle to an axis), distance cost ``2 - exp(g rho_x) - exp(g rho_y)`` over the
    enclosing box, shape cost ``(1 - exp(-omega)) ** 4``; ``1 - SIoU`` and the L1, each times the
    row's image weight, summed over ``num_boxes``."""
    src, tgt, w = _matched(outputs, targets, indices)
    iou, cw, ch = _iou_and_enclosure(src, tgt)
    dx, dy = tgt[:, 0] - src[:, 0], tgt[:, 1] - src[:, 1]
    sigma = torch.pow(dx ** 2 + dy ** 2, 0.5) + 1e-7
    sin_a, sin_b = torch.abs(dx) / sigma, torch.abs(dy) / sigma
    sin_alpha = torch.where(sin_a > math.sqrt(2) / 2, sin_b, sin_a)
    angle = torch.cos(torch.arcsin(sin_alpha) * 2 - math.pi / 2)
    gamma = angle - 2
    dist = 2 - torch.exp(gamma * (dx / cw) ** 2) - torch.exp(gamma * (dy / ch) ** 2)
    om_w = torch.abs(src[:, 2] - tgt[:, 2]) / torch.max(src[:, 2], tgt[:, 2])
    om_h = torch.abs(src[:, 3] - tgt[:, 3]) / torch.max(src[:, 3], tgt[:, 3])
    shape = torch.pow(1 - torch.exp(-om_w), 4) + torch.pow(1 - torch.exp(-om_h), 4)
    siou = iou - 0.5 * (dist + shape)
    l1 = F.l1_loss(src, tgt, reduction="none")
    return {"loss_siou": ((1 - siou) * w).sum() / num_boxes, "loss_bbox": (l1 * w[:, None]).sum() / num_boxes}


def wise_iou_focaler_and_label_smoothed_ce(outputs, targets, indices, num_boxes):
    """Wise-IoU v1: ``1 - IoU`` times ``exp`` of the squared centre distance over the detached
    squared enclosing diagonal, mean over matched rows; Focaler-IoU: IoU mapped linearly from
    [0.0, 0.95] and clamped, ``1 - IoU`` mean; class CE with label smoothing 0.1 over every query,
    unmatched ones the no-object class (mean)."""
    src, tgt, _ = _matched(outputs, targets, indices)
    iou, cw, ch = _iou_and_enclosure(src, tgt)
    r = torch.exp(((src[:, :2] - tgt[:, :2]) ** 2).sum(1) / (cw ** 2 + ch ** 2).detach())
    focaler = ((iou - 0.0) / (0.95 - 0.0)).clamp(0, 1)
    logits = outputs["logits"]
    target_classes = torch.full(logits.shape[:2], NC, dtype=torch.long)
    batch_idx = torch.cat([torch.full_like(s, i) for i, (s, _) in enumerate(indices)])
    target_classes[batch_idx, torch.cat([s for s, _ in indices])] = torch.cat(
        [t["labels"][j] for t, (_, j) in zip(targets, indices)])
    return {"loss_wiou": (r * (1 - iou)).mean(), "loss_focaler": (1 - focaler).mean(),
            "loss_ce": F.cross_entropy(logits.transpose(1, 2), target_classes, label_smoothing=0.1)}


REID_CLASSIFIER = torch.nn.Linear(E, NID)
torch.nn.init.normal_(REID_CLASSIFIER.weight, generator=_gen(5))
S_DET, S_ID = torch.nn.Parameter(torch.tensor(-1.85)), torch.nn.Parameter(torch.tensor(-1.05))


def joint_detection_reid_with_uncertainty_weighting(outputs, targets, indices, num_boxes):
    """Joint detection and re-identification: heatmap MSE mean; re-id features gathered at the
    objects' centres (``permute`` / ``view`` / ``gather`` with the padded centre indices), the
    padded slots dropped by the mask, scaled normalised embeddings through a linear classifier,
    identity CE (mean); total ``0.5 * (exp(-s_det) det + exp(-s_id) id + s_det + s_id)`` with
    learned task uncertainties."""
    det = F.mse_loss(outputs["hm"], _stack(targets, "hm"))
    feat = outputs["id"].permute(0, 2, 3, 1).contiguous()
    feat = feat.view(feat.size(0), -1, feat.size(3))
    ind, mask = _stack(targets, "ind"), _stack(targets, "reg_mask")
    feat = feat.gather(1, ind.unsqueeze(2).expand(ind.size(0), ind.size(1), feat.size(2)))
    id_head = feat[mask > 0].contiguous()
    id_head = math.sqrt(2) * math.log(NID - 1) * F.normalize(id_head)
    id_target = _stack(targets, "ids")[mask > 0]
    reid = F.cross_entropy(REID_CLASSIFIER(id_head), id_target)
    total = 0.5 * (torch.exp(-S_DET) * det + torch.exp(-S_ID) * reid + (S_DET + S_ID))
    return {"loss_hm": det, "loss_id": reid, "loss_total": total}


NA, RS = 2, 5  # anchors per position, response map side


def track_batch(seed: int) -> tuple[list, list, None]:
    """Siamese region-proposal tracking: class logits [B, 2 NA, RS, RS] and box deltas
    [B, 4 NA, RS, RS]. Per image anchor labels (1, 0, -1 ignored), delta targets and a location
    weight of 1 / positives on the positives (from the data loader)."""
    g = _gen(seed + 1010)
    b = len(WEIGHTS[seed])
    outputs = {"cls": _leaf(b, 2 * NA, RS, RS, g=g), "loc": _leaf(b, 4 * NA, RS, RS, g=g)}
    targets = []
    for w in WEIGHTS[seed]:
        r = torch.rand(NA, RS, RS, generator=g)
        label = torch.where(r < 0.15, 1, torch.where(r < 0.6, 0, -1))
        pos = (label == 1).float()
        targets.append({"label_cls": label, "label_loc": torch.randn(4, NA, RS, RS, generator=g),
                        "loc_weight": pos / pos.sum().clamp(min=1), "loss_weight": w})
    return [outputs, targets], [ROWS, TARGETS], None


def siamese_balanced_positive_negative_nll_and_weighted_l1(outputs, targets):
    """Siamese tracker: log-softmax over the 2 class channels, NLL mean over the batch's positive
    anchors (``nonzero`` / ``index_select``) and over its negatives, averaged 0.5 / 0.5; box L1
    summed over the 4 deltas times the loader's location weight, summed over the batch size."""
    b, _, h, w = outputs["cls"].shape
    cls = outputs["cls"].view(b, 2, NA, h, w).permute(0, 2, 3, 4, 1).contiguous()
    pred = F.log_softmax(cls, dim=4).view(-1, 2)
    label = _stack(targets, "label_cls").view(-1)
    pos = label.data.eq(1).nonzero().squeeze()
    neg = label.data.eq(0).nonzero().squeeze()
    loss_pos = F.nll_loss(torch.index_select(pred, 0, pos), torch.index_select(label, 0, pos))
    loss_neg = F.nll_loss(torch.index_select(pred, 0, neg), torch.index_select(label, 0, neg))
    diff = (outputs["loc"].view(b, 4, -1, h, w) - _stack(targets, "label_loc")).abs()
    diff = diff.sum(dim=1).view(b, -1, h, w)
    return {"loss_cls": loss_pos * 0.5 + loss_neg * 0.5,
            "loss_loc": (diff * _stack(targets, "loc_weight")).sum().div(b)}


# -- segmentation, text detection -----------------------------------------------------------------


def seg_batch(seed: int) -> tuple[list, list, None]:
    """Semantic maps: logits [B, NC, S, S]; text detection maps: probability, threshold and
    approximate binary maps [B, S, S] in (0, 1). Per image labels, a text mask, a training mask
    (ignored regions 0), a threshold map and its mask."""
    g = _gen(seed + 1020)
    b = len(WEIGHTS[seed])
    outputs = {"seg": _leaf(b, NC, S, S, g=g)}
    outputs.update({k: (torch.rand(b, S, S, generator=g) * 0.9 + 0.05).requires_grad_()
                    for k in ("prob", "thresh", "binary")})
    targets = [{"labels": torch.randint(0, NC, (S, S), generator=g),
                "text": (torch.rand(S, S, generator=g) < 0.25).float(),
                "train_mask": (torch.rand(S, S, generator=g) < 0.9).float(),
                "thresh_map": torch.rand(S, S, generator=g) * 0.4 + 0.3,
                "thresh_mask": (torch.rand(S, S, generator=g) < 0.5).float(), "loss_weight": w}
               for w in WEIGHTS[seed]]
    return [outputs, targets], [ROWS, TARGETS], None


def focal_tversky_per_image_and_class(outputs, targets, alpha=0.7, beta=0.3, gamma=0.75):
    """Tversky index per image and class (sums over the spatial dims of softmax probabilities and
    one-hot labels, smoothed by 1), ``(1 - TI) ** gamma``, mean over images and classes."""
    p = outputs["seg"].softmax(1)
    y = F.one_hot(_stack(targets, "labels"), NC).permute(0, 3, 1, 2).float()
    tp = (p * y).sum(dim=(2, 3))
    fn = ((1 - p) * y).sum(dim=(2, 3))
    fp = (p * (1 - y)).sum(dim=(2, 3))
    ti = (tp + 1) / (tp + alpha * fn + beta * fp + 1)
    return {"loss_ftversky": torch.pow(1 - ti, gamma).mean()}


def _soft_erode(x: torch.Tensor) -> torch.Tensor:
    return torch.min(-F.max_pool2d(-x, (3, 1), 1, (1, 0)), -F.max_pool2d(-x, (1, 3), 1, (0, 1)))


def _soft_skel(x: torch.Tensor, iters: int = 3) -> torch.Tensor:
    skel = F.relu(x - F.max_pool2d(_soft_erode(x), 3, 1, 1))
    for _ in range(iters):
        x = _soft_erode(x)
        delta = F.relu(x - F.max_pool2d(_soft_erode(x), 3, 1, 1))
        skel = skel + F.relu(delta - skel * delta)
    return skel


def soft_skeleton_cldice_of_batch_sums(outputs, targets, alpha=0.5):
    """clDice: soft skeletons by iterated min / max pooling, topology precision and sensitivity as
    ratios of the batch's sums, their harmonic mean; soft dice of the batch's sums; mixed 0.5."""
    p, y = outputs["seg"].softmax(1)[:, 1:], F.one_hot(_stack(targets, "labels"), NC).permute(0, 3, 1, 2)[:, 1:].float()
    sp, sy = _soft_skel(p), _soft_skel(y)
    tprec = ((sp * y).sum() + 1) / (sp.sum() + 1)
    tsens = ((sy * p).sum() + 1) / (sy.sum() + 1)
    cl = 1 - 2 * tprec * tsens / (tprec + tsens)
    dice = 1 - (2 * (p * y).sum() + 1) / (p.sum() + y.sum() + 1)
    return {"loss_cldice": (1 - alpha) * dice + alpha * cl}


def text_detection_balanced_bce_dice_and_masked_l1(outputs, targets, ratio=3.0):
    """Differentiable-binarisation text detection: probability-map BCE on the training mask with
    the hardest negatives kept up to 3x the positives (``topk`` over the flattened batch), summed
    over kept count; binary-map dice of the batch's masked sums; threshold-map L1 summed over the
    threshold mask's sum."""
    gt, mask = _stack(targets, "text"), _stack(targets, "train_mask")
    positive, negative = gt * mask, (1 - gt) * mask
    pos_count = int(positive.sum())
    neg_count = min(int(negative.sum()), int(pos_count * ratio))
    bce = F.binary_cross_entropy(outputs["prob"], gt, reduction="none")
    pos_loss = bce * positive
    neg_loss, _ = torch.topk((bce * negative).view(-1), neg_count)
    balanced = (pos_loss.sum() + neg_loss.sum()) / (pos_count + neg_count + 1e-6)
    inter = (outputs["binary"] * gt * mask).sum()
    union = (outputs["binary"] * mask).sum() + (gt * mask).sum() + 1e-6
    tm = _stack(targets, "thresh_mask")
    l1 = (torch.abs(outputs["thresh"] - _stack(targets, "thresh_map")) * tm).sum() / (tm.sum() + 1e-6)
    return {"loss_prob": balanced, "loss_binary": 1 - 2.0 * inter / union, "loss_thresh": l1}


# -- pose, depth ----------------------------------------------------------------------------------

TF, J = 4, 5  # frames, joints


def pose_batch(seed: int) -> tuple[list, list, None]:
    """3-D pose over a clip: predicted joints [B, TF, J, 3]; per image the target joints."""
    g = _gen(seed + 1030)
    b = len(WEIGHTS[seed])
    targets = [{"joints": torch.randn(TF, J, 3, generator=g), "loss_weight": w} for w in WEIGHTS[seed]]
    return [{"joints": _leaf(b, TF, J, 3, g=g)}, targets], [ROWS, TARGETS], None


def _mpjpe(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return torch.mean(torch.norm(pred - target, dim=len(target.shape) - 1))


def procrustes_aligned_scale_normalised_mpjpe_and_velocity(outputs, targets):
    """3-D pose: MPJPE; N-MPJPE (the prediction scaled by the least-squares scale per frame);
    P-MPJPE (per frame: centred, normalised, rotation from ``svd`` of the cross-covariance with
    the reflection fixed by the sign of ``det``, scale from the singular values, translated);
    mean per-joint velocity error (``diff`` over frames)."""
    pred, gt = outputs["joints"], _stack(targets, "joints")
    norm_pred = torch.mean(torch.sum(pred ** 2, dim=3, keepdim=True), dim=2, keepdim=True)
    norm_tgt = torch.mean(torch.sum(gt * pred, dim=3, keepdim=True), dim=2, keepdim=True)
    n_mpjpe = _mpjpe(norm_tgt / norm_pred * pred, gt)
    x, y = gt.reshape(-1, J, 3), pred.reshape(-1, J, 3)
    mu_x, mu_y = x.mean(1, keepdim=True), y.mean(1, keepdim=True)
    x0, y0 = x - mu_x, y - mu_y
    nx = torch.sqrt((x0 ** 2).sum(dim=(1, 2), keepdim=True))
    ny = torch.sqrt((y0 ** 2).sum(dim=(1, 2), keepdim=True))
    x0, y0 = x0 / nx, y0 / ny
    u, s, vt = torch.linalg.svd(x0.transpose(1, 2) @ y0)
    v = vt.transpose(1, 2)
    sign = torch.sign(torch.linalg.det(v @ u.transpose(1, 2)))
    v = torch.cat([v[..., :2], v[..., 2:] * sign[:, None, None]], -1)
    s = torch.cat([s[:, :2], s[:, 2:] * sign[:, None]], -1)
    r = v @ u.transpose(1, 2)
    a = s.sum(1, keepdim=True)[..., None] * nx / ny
    aligned = a * (y @ r) + (mu_x - a * (mu_y @ r))
    vel = torch.mean(torch.norm(torch.diff(pred, dim=1) - torch.diff(gt, dim=1), dim=-1))
    return {"loss_mpjpe": _mpjpe(pred, gt), "loss_n_mpjpe": n_mpjpe, "p_mpjpe": _mpjpe(aligned, x).detach(),
            "loss_velocity": vel}


def depth_batch(seed: int) -> tuple[list, list, None]:
    """Relative depth: predicted disparity [B, S, S]; per image a disparity and a valid mask."""
    g = _gen(seed + 1040)
    b = len(WEIGHTS[seed])
    targets = [{"disp": torch.rand(S, S, generator=g) * 2 + 0.5, "valid": torch.rand(S, S, generator=g) < 0.8,
                "loss_weight": w} for w in WEIGHTS[seed]]
    return [{"disp": (torch.rand(b, S, S, generator=g) * 2).requires_grad_()}, targets], [ROWS, TARGETS], None


def _median_mad(x: torch.Tensor) -> torch.Tensor:
    t = torch.median(x)
    return (x - t) / torch.mean(torch.abs(x - t))


def trimmed_median_mad_aligned_disparity_batch_reduced(outputs, targets, trim=0.2):
    """Scale- and shift-invariant trimmed loss per image over its valid pixels: both disparities
    aligned by median and mean absolute deviation, absolute residuals sorted, the largest 20 %
    dropped, the rest summed times the image's weight; summed over images over twice the batch's
    valid count."""
    total, count = 0, 0
    for i, t in enumerate(targets):
        m = t["valid"]
        res = torch.abs(_median_mad(outputs["disp"][i][m]) - _median_mad(t["disp"][m]))
        res, _ = torch.sort(res)
        keep = int(len(res) * (1 - trim))
        total = total + res[:keep].sum() * t["loss_weight"]
        count += int(m.sum())
    return {"loss_ssitrim": total / (2 * count)}


# -- restoration, enhancement ---------------------------------------------------------------------


def image_batch(seed: int) -> tuple[list, list, None]:
    """Enhancement: enhanced images [B, 3, S, S] in (0, 1) and curve maps [B, 6, S, S]; per image
    the low-light input and a reference image."""
    g = _gen(seed + 1050)
    b = len(WEIGHTS[seed])
    outputs = {"img": (torch.rand(b, 3, S, S, generator=g) * 0.9 + 0.05).requires_grad_(),
               "curves": _leaf(b, 6, S, S, g=g, scale=0.1)}
    targets = [{"low": torch.rand(3, S, S, generator=g) * 0.4, "ref": torch.rand(3, S, S, generator=g),
                "loss_weight": w} for w in WEIGHTS[seed]]
    return [outputs, targets], [ROWS, TARGETS], None


DIRECTIONS = torch.tensor([[[0, 0, 0], [-1, 1, 0], [0, 0, 0]], [[0, 0, 0], [0, 1, -1], [0, 0, 0]],
                           [[0, -1, 0], [0, 1, 0], [0, 0, 0]], [[0, 0, 0], [0, 1, 0], [0, -1, 0]]],
                          dtype=torch.float)[:, None]


def zero_reference_colour_exposure_spatial_and_curve_tv(outputs, targets):
    """Zero-reference enhancement: colour constancy on each image's channel means
    (``sqrt`` of the squared pairwise differences squared), exposure control (``avg_pool2d`` of
    the grey level against 0.6, mean), spatial consistency (directional ``conv2d`` differences of
    the pooled grey levels of input and output, squared, summed, mean), curve total variation
    (squared differences summed, over the counts and the batch size); a weighted total."""
    x, low = outputs["img"], _stack(targets, "low")
    mr, mg, mb = torch.split(torch.mean(x, [2, 3], keepdim=True), 1, dim=1)
    k = torch.pow(torch.pow(mr - mg, 2) ** 2 + torch.pow(mr - mb, 2) ** 2 + torch.pow(mb - mg, 2) ** 2, 0.5)
    col = torch.mean(k)
    exp = torch.mean(torch.pow(F.avg_pool2d(torch.mean(x, 1, keepdim=True), 4) - 0.6, 2))
    org, enh = F.avg_pool2d(torch.mean(low, 1, keepdim=True), 2), F.avg_pool2d(torch.mean(x, 1, keepdim=True), 2)
    d = torch.pow(F.conv2d(org, DIRECTIONS, padding=1) - F.conv2d(enh, DIRECTIONS, padding=1), 2)
    spa = torch.mean(d.sum(1, keepdim=True))
    a = outputs["curves"]
    b, _, h, w = a.size()
    h_tv = torch.pow(a[:, :, 1:, :] - a[:, :, : h - 1, :], 2).sum()
    w_tv = torch.pow(a[:, :, :, 1:] - a[:, :, :, : w - 1], 2).sum()
    tv = 2 * (h_tv / ((h - 1) * w) + w_tv / (h * (w - 1))) / b
    return {"loss_col": col, "loss_exp": exp, "loss_spa": spa, "loss_tv": tv,
            "loss_total": 200 * tv + spa + 5 * col + 10 * exp}


def _frozen(*layers: torch.nn.Module) -> torch.nn.Module:
    torch.manual_seed(3)
    net = torch.nn.Sequential(*layers)
    for q in net.parameters():
        q.requires_grad_(False)
    return net.eval()


LP_NET = _frozen(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.Conv2d(4, 5, 3, stride=2, padding=1),
                 torch.nn.ReLU())
LP_LIN = [_frozen(torch.nn.Conv2d(c, 1, 1, bias=False)) for c in (4, 5)]
for _lin in LP_LIN:
    _lin[0].weight.abs_()
SHIFT, SCALE = torch.tensor([-0.03, -0.088, -0.188])[:, None, None], torch.tensor([0.458, 0.448, 0.45])[:, None, None]


def learned_perceptual_distance_of_unit_normalised_features(outputs, targets):
    """Learned perceptual distance: inputs scaled to [-1, 1] and standardised, features of a
    frozen net at each ReLU, each normalised to unit length over channels, squared differences
    through a frozen non-negative 1 x 1 conv, spatial mean (keepdim), summed over layers; mean
    over images."""
    x, y = (outputs["img"] * 2 - 1 - SHIFT) / SCALE, (_stack(targets, "ref") * 2 - 1 - SHIFT) / SCALE
    total, li = 0, 0
    for layer in LP_NET:
        x, y = layer(x), layer(y)
        if isinstance(layer, torch.nn.ReLU):
            nx = x / (torch.sqrt(torch.sum(x ** 2, dim=1, keepdim=True)) + 1e-10)
            ny = y / (torch.sqrt(torch.sum(y ** 2, dim=1, keepdim=True)) + 1e-10)
            total = total + LP_LIN[li]((nx - ny) ** 2).mean([2, 3], keepdim=True)
            li += 1
    return {"loss_lpips": total.mean()}


# -- metric learning, re-identification, classification -------------------------------------------

D, NCLS = 6, 4  # embedding width, classes


def embed_batch(seed: int) -> tuple[list, list, None]:
    """Embeddings [B, D] and identity logits [B, NCLS]; per image a class label (the two batches
    share labels between images of both groups)."""
    g = _gen(seed + 1060)
    b = len(WEIGHTS[seed])
    outputs = {"emb": _leaf(b, D, g=g), "logits": _leaf(b, NCLS, g=g)}
    targets = [{"label": torch.tensor([0, 1, 0, 1][i] if seed == 0 else [2, 2, 1][i]), "loss_weight": w}
               for i, w in enumerate(WEIGHTS[seed])]
    return [outputs, targets], [ROWS, TARGETS], None


PROXIES = torch.nn.Parameter(torch.randn(NCLS, D, generator=_gen(7)))


def proxy_nca_proxy_anchor_and_cosface(outputs, targets, mrg=0.1, alpha=32.0):
    """Proxy-based metric learning: ProxyNCA++ (squared ``cdist`` of normalised embeddings and
    proxies over a temperature, CE to the own class's proxy, mean); Proxy-Anchor (per proxy
    ``log(1 + sum over the batch's embeddings of exp(...))``, positives over the proxies present in
    the batch, negatives over all); CosFace (``s (cos - m one_hot)``, CE mean)."""
    x, labels = outputs["emb"], _stack(targets, "label")
    xn, pn = F.normalize(x, dim=1), F.normalize(PROXIES, dim=1)
    nca = F.cross_entropy(-torch.cdist(xn, pn) ** 2 / 0.1, labels)
    cos = F.linear(xn, pn)
    one_hot = F.one_hot(labels, NCLS).float()
    pos_exp, neg_exp = torch.exp(-alpha * (cos - mrg)), torch.exp(alpha * (cos + mrg))
    with_pos = torch.nonzero(one_hot.sum(dim=0) != 0).squeeze(dim=1)
    p_sum = torch.where(one_hot == 1, pos_exp, torch.zeros_like(pos_exp)).sum(dim=0)
    n_sum = torch.where(one_hot == 0, neg_exp, torch.zeros_like(neg_exp)).sum(dim=0)
    anchor = torch.log(1 + p_sum).sum() / len(with_pos) + torch.log(1 + n_sum).sum() / NCLS
    cosface = F.cross_entropy(30.0 * (cos - 0.35 * one_hot), labels)
    return {"loss_nca": nca, "loss_proxy_anchor": anchor, "loss_cosface": cosface}


def reid_label_smoothed_ce_mean_over_rows_and_soft_margin_batch_hard(outputs, targets, eps=0.1):
    """Re-identification: label-smoothed CE as ``(-q * log_softmax).mean(0).sum()`` (one-hot by
    ``scatter_``); batch-hard triplet (hardest positive and negative per anchor over the batch's
    pairwise distances) with a soft margin."""
    labels = _stack(targets, "label")
    log_probs = F.log_softmax(outputs["logits"], dim=1)
    q = torch.zeros(log_probs.size()).scatter_(1, labels.unsqueeze(1), 1)
    q = (1 - eps) * q + eps / NCLS
    ce = (-q * log_probs).mean(0).sum()
    x = outputs["emb"]
    dist = torch.cdist(x, x).clamp(min=1e-12)
    same = labels[:, None].eq(labels[None])
    ap = torch.where(same, dist, torch.full_like(dist, -1e9)).max(1).values
    an = torch.where(~same, dist, torch.full_like(dist, 1e9)).min(1).values
    return {"loss_id": ce, "loss_triplet": F.soft_margin_loss(an - ap, torch.ones_like(an))}


def _log_t(u: torch.Tensor, t: float) -> torch.Tensor:
    return u.log() if t == 1.0 else (u ** (1.0 - t) - 1.0) / (1.0 - t)


def _exp_t(u: torch.Tensor, t: float) -> torch.Tensor:
    return u.exp() if t == 1.0 else torch.relu(1.0 + (1.0 - t) * u) ** (1.0 / (1.0 - t))


def _tempered_softmax(a: torch.Tensor, t: float, iters: int = 5) -> torch.Tensor:
    mu = torch.max(a, -1, keepdim=True).values
    a0 = a - mu
    a_ = a0
    for _ in range(iters):
        z = torch.sum(_exp_t(a_, t), -1, keepdim=True)
        a_ = a0 * z ** (1.0 - t)
    z = torch.sum(_exp_t(a_, t), -1, keepdim=True)
    norm = -_log_t(1.0 / z, t) + mu
    return _exp_t(a - norm, t)


def bi_tempered_logistic_with_fixed_point_normalisation(outputs, targets, t1=0.8, t2=1.4, smoothing=0.05):
    """Bi-tempered logistic loss: tempered softmax of the logits (fixed-point normalisation,
    5 iterations per row), label-smoothed one-hot targets, the tempered divergence summed over
    classes, mean over rows."""
    labels = F.one_hot(_stack(targets, "label"), NCLS).float()
    labels = (1 - smoothing * NCLS / (NCLS - 1)) * labels + smoothing / (NCLS - 1)
    p = _tempered_softmax(outputs["logits"], t2)
    loss = (labels * _log_t(labels + 1e-10, t1) - labels * _log_t(p, t1)
            - labels.pow(2.0 - t1) / (2.0 - t1) + p.pow(2.0 - t1) / (2.0 - t1))
    return {"loss_bitempered": loss.sum(dim=-1).mean()}


SAMPLES_PER_CLASS = [120, 40, 9, 300]


def class_balanced_focal_with_effective_numbers(outputs, targets, beta=0.999, gamma=2.0):
    """Class-balanced focal loss: class weights from the effective number of samples (fixed
    dataset counts, normalised to sum to the class count), each row's weight its class's
    (one-hot ``repeat`` / ``sum``) times the image's weight; focal modulator
    ``exp(-g y x - g log(1 + exp(-x)))`` on the BCE, weighted sum over the one-hot labels' sum."""
    labels = F.one_hot(_stack(targets, "label"), NCLS).float()
    eff = 1.0 - torch.pow(beta, torch.tensor(SAMPLES_PER_CLASS, dtype=torch.float))
    cw = (1.0 - beta) / eff
    cw = cw / cw.sum() * NCLS
    w = (cw.unsqueeze(0).repeat(labels.shape[0], 1) * labels).sum(1)
    w = (w * torch.tensor([t["loss_weight"] for t in targets])).unsqueeze(1).repeat(1, NCLS)
    logits = outputs["logits"]
    bce = F.binary_cross_entropy_with_logits(logits, labels, reduction="none")
    mod = torch.exp(-gamma * labels * logits - gamma * torch.log(1 + torch.exp(-1.0 * logits)))
    return {"loss_cb_focal": torch.sum(w * mod * bce) / torch.sum(labels)}


# -- language models ------------------------------------------------------------------------------

T, V = 7, 11


def lm_batch(seed: int) -> tuple[list, list, list]:
    """Causal LM: student and teacher logits [B, T, V]; labels with -100 at each row's tail."""
    g = _gen(seed + 1070)
    b = len(SOURCES[seed])
    labels = torch.randint(0, V, (b, T), generator=g)
    for r in range(b):
        labels[r, T - r % 3:] = -100
    model = {"logits": _leaf(b, T, V, g=g), "teacher": torch.randn(b, T, V, generator=g)}
    return [model, {"labels": labels}], [ROWS, ROWS], SOURCES[seed]


CHUNK = 5  # does not divide T - 1: chunks straddle rows


def chunked_shifted_token_ce_summed_over_valid_count(model, batch):
    """Memory-saving CE: shifted logits and labels flattened, cut into chunks of 5 tokens (rows
    straddled), each chunk's CE summed (ignore -100), added up, over the count of counted labels."""
    logits = model["logits"][:, :-1].reshape(-1, V)
    labels = batch["labels"][:, 1:].reshape(-1)
    total = 0
    for lc, yc in zip(logits.split(CHUNK), labels.split(CHUNK)):
        total = total + F.cross_entropy(lc, yc, ignore_index=-100, reduction="sum")
    return {"loss_lm": total / (labels != -100).sum()}


def generalised_jsd_distillation_over_counted_tokens(model, batch, beta=0.5, temperature=2.0):
    """On-policy distillation with the generalised Jensen-Shannon divergence: student and teacher
    log-softmax at a temperature, the mixture's log-probs by ``logsumexp`` of the stacked, shifted
    log-probs, ``kl_div`` (``log_target``) of each against the mixture, summed over the vocabulary,
    masked by the labels, over the count of counted tokens."""
    s = F.log_softmax(model["logits"] / temperature, -1)
    t = F.log_softmax(model["teacher"] / temperature, -1)
    mix = torch.logsumexp(torch.stack([s + math.log(1 - beta), t + math.log(beta)]), dim=0)
    kl_t = F.kl_div(mix, t, reduction="none", log_target=True)
    kl_s = F.kl_div(mix, s, reduction="none", log_target=True)
    jsd = (beta * kl_t + (1 - beta) * kl_s).sum(-1)
    mask = batch["labels"] != -100
    return {"loss_gjsd": jsd[mask].sum() / mask.sum()}


MAX_LEN = 16.0


def token_entropy_aggregations_and_token_focal_ce(model, batch, gamma=2.0):
    """Policy entropy per token (``logsumexp - sum p x``) aggregated as per-sequence sums over a
    fixed maximum length then mean over sequences, and as per-sequence token means then mean;
    token focal CE (``(1 - exp(-ce)) ** g * ce``, ignore -100) over the count of counted tokens."""
    logits, labels = model["logits"], batch["labels"]
    ent = torch.logsumexp(logits, -1) - (F.softmax(logits, -1) * logits).sum(-1)
    mask = (labels != -100).float()
    ce = F.cross_entropy(logits.reshape(-1, V), labels.reshape(-1), ignore_index=-100, reduction="none")
    focal = (1 - torch.exp(-ce)) ** gamma * ce
    return {"entropy_sum_norm": ((ent * mask).sum(-1) / MAX_LEN).mean(),
            "entropy_seq_mean": ((ent * mask).sum(-1) / mask.sum(-1)).mean(),
            "loss_focal": focal.sum() / (labels != -100).sum()}


# -- speech, text recognition ---------------------------------------------------------------------

TI, L, VC = 9, 4, 6  # encoder frames, decoder steps, vocabulary (0: blank / padding)


def speech_batch(seed: int) -> tuple[list, list, list]:
    """Speech recognition: encoder log-probs [B, TI, VC], decoder logits [B, L, VC], attention
    weights [B, L, TI] (softmax over frames); per utterance the input length, token targets padded
    with -1 and their length. One source per utterance."""
    g = _gen(seed + 1080)
    b = len(SOURCES[seed])
    ilens = torch.tensor([TI - r % 3 for r in range(b)])
    olens = torch.tensor([L - (r + seed) % 2 for r in range(b)])
    ys = torch.randint(1, VC, (b, L), generator=g)
    ys[torch.arange(L)[None] >= olens[:, None]] = -1
    att = torch.randn(b, L, TI, generator=g).softmax(-1).requires_grad_()
    outputs = {"enc": _leaf(b, TI, VC, g=g), "dec": _leaf(b, L, VC, g=g), "att": att}
    return [outputs, {"ilens": ilens, "olens": olens, "ys": ys}], [ROWS, ROWS], SOURCES[seed]


def hybrid_ctc_attention_with_kl_label_smoothing_over_batch_size(outputs, batch, ctc_weight=0.3, smoothing=0.1):
    """Hybrid CTC / attention: CTC of the log-softmaxed, time-major encoder outputs against the
    unpadded targets concatenated (``cat([y[y != -1] ...])``), summed, over the batch size; the
    decoder's label-smoothing loss (a ``fill_`` / ``scatter_`` smoothed distribution, ``kl_div``
    per element, padded steps ``masked_fill`` to 0), summed over the batch size; mixed 0.3 / 0.7."""
    b = outputs["enc"].size(0)
    ys_true = torch.cat([y[y != -1] for y in batch["ys"]])
    ctc = F.ctc_loss(outputs["enc"].log_softmax(2).transpose(0, 1), ys_true, batch["ilens"], batch["olens"],
                     reduction="sum", zero_infinity=True) / b
    x, target = outputs["dec"].view(-1, VC), batch["ys"].view(-1)
    true_dist = x.clone().detach()
    true_dist.fill_(smoothing / (VC - 1))
    ignore = target == -1
    target = target.masked_fill(ignore, 0)
    true_dist.scatter_(1, target.unsqueeze(1), 1 - smoothing)
    kl = F.kl_div(torch.log_softmax(x, dim=1), true_dist, reduction="none")
    att = kl.masked_fill(ignore.unsqueeze(1), 0).sum() / b
    return {"loss_ctc": ctc, "loss_att": att, "loss": ctc_weight * ctc + (1 - ctc_weight) * att}


def guided_attention_over_non_padded_cells(outputs, batch, sigma=0.4):
    """Guided attention: per utterance a soft diagonal penalty ``1 - exp(-(t / T - n / N) ** 2 /
    (2 sigma ** 2))`` over its own lengths (``meshgrid``, written into a zero [B, L, TI] buffer by a
    loop), times the attention weights, mean over the non-padded cells (``masked_select``)."""
    ilens, olens = batch["ilens"], batch["olens"]
    b = len(ilens)
    w = torch.zeros(b, L, TI)
    for i, (il, ol) in enumerate(zip(ilens, olens)):
        gx, gy = torch.meshgrid(torch.arange(ol).float(), torch.arange(il).float(), indexing="ij")
        w[i, :ol, :il] = 1.0 - torch.exp(-((gy / il - gx / ol) ** 2) / (2 * sigma ** 2))
    masks = (torch.arange(TI)[None] < ilens[:, None])[:, None] & (torch.arange(L)[None] < olens[:, None])[..., None]
    return {"loss_guided": torch.mean((w * outputs["att"]).masked_select(masks))}


TO, VO = 8, 5  # recognition steps, characters (0: blank)


def ocr_batch(seed: int) -> tuple[list, list, None]:
    """Text recognition: per-step character logits [B, TO, VO]; per image a word (1-5 characters)."""
    g = _gen(seed + 1090)
    b = len(WEIGHTS[seed])
    targets = [{"text": torch.randint(1, VO, (1 + (i + seed) % 5,), generator=g), "loss_weight": w}
               for i, w in enumerate(WEIGHTS[seed])]
    return [{"logits": _leaf(b, TO, VO, g=g)}, targets], [ROWS, TARGETS], None


def aggregation_cross_entropy_of_character_counts(outputs, targets):
    """Aggregation cross-entropy: per image the character counts (``bincount``; the blank's count
    the steps left over), both the summed step probabilities and the counts divided by the step
    count, ``-sum(log(p) * counts)`` over the batch size."""
    b, steps = outputs["logits"].shape[:2]
    p = outputs["logits"].softmax(2) + 1e-10
    counts = torch.stack([torch.bincount(t["text"], minlength=VO).float() for t in targets])
    counts[:, 0] = steps - counts[:, 1:].sum(1)
    p = torch.sum(p, 1) / steps
    return {"loss_ace": -torch.sum(torch.log(p) * (counts / steps)) / b}


# -- generative models ----------------------------------------------------------------------------

SIGMA_DATA = 0.5


def diffusion_batch(seed: int) -> tuple[list, list, None]:
    """Diffusion training: denoised outputs [B, 3, S, S] (online and an EMA target network's),
    per image the clean image, its noise level and the next level; ``batch_total`` the
    configured batch size (an outside normaliser)."""
    g = _gen(seed + 1100)
    b = len(WEIGHTS[seed])
    outputs = {"denoised": _leaf(b, 3, S, S, g=g), "ema": torch.randn(b, 3, S, S, generator=g)}
    targets = []
    for w in WEIGHTS[seed]:
        sigma = torch.exp(torch.randn((), generator=g) * 1.2 - 1.2)
        targets.append({"clean": torch.randn(3, S, S, generator=g), "sigma": sigma,
                        "sigma_next": sigma * 1.3, "loss_weight": w})
    return [outputs, targets, float(b)], [ROWS, TARGETS, Share([1] * b)], None


def edm_weighted_denoising_over_configured_batch_and_debiased(outputs, targets, batch_total):
    """EDM: per-element ``(sigma ** 2 + sd ** 2) / (sigma sd) ** 2 * (D - y) ** 2`` summed, times
    ``1 / batch_total`` (the configured batch size, passed in); debiased weighting: per-image MSE
    over ``sqrt(snr)``, mean."""
    sigma = torch.stack([t["sigma"] for t in targets]).reshape(-1, 1, 1, 1)
    y = _stack(targets, "clean")
    weight = (sigma ** 2 + SIGMA_DATA ** 2) / (sigma * SIGMA_DATA) ** 2
    loss = weight * ((outputs["denoised"] - y) ** 2)
    mse = ((outputs["denoised"] - y) ** 2).mean(dim=list(range(1, 4)))
    snr = 1 / sigma.flatten() ** 2
    return {"loss_edm": loss.sum().mul(1.0 / batch_total), "loss_debiased": (mse / snr.sqrt()).mean()}


def consistency_pseudo_huber_with_step_weighting(outputs, targets, batch_total):
    """Consistency training: pseudo-Huber ``sqrt(||x - y|| ** 2 + c ** 2) - c`` per image against
    the EMA network's output (c from the data dimension), times ``1 / (sigma_next - sigma)``,
    mean."""
    c = 0.00054 * math.sqrt(3 * S * S)
    d = torch.sqrt(((outputs["denoised"] - outputs["ema"]) ** 2).sum(dim=(1, 2, 3)) + c ** 2) - c
    lam = 1 / (torch.stack([t["sigma_next"] for t in targets]) - torch.stack([t["sigma"] for t in targets]))
    return {"loss_ct": (lam * d).mean()}


NL, ND = 2, 4  # latent layers, latent width
GEN = torch.nn.Parameter(torch.randn(ND, 3 * S * S, generator=_gen(11)) * 0.3)


def gan_batch(seed: int) -> tuple[list, list, None]:
    """A style generator: latents [B, NL, ND] and discriminator logits of the fakes [B]; per image
    the path-length noise image."""
    g = _gen(seed + 1110)
    b = len(WEIGHTS[seed])
    outputs = {"w": _leaf(b, NL, ND, g=g), "fake_pred": _leaf(b, g=g)}
    targets = [{"pl_noise": torch.randn(3, S, S, generator=g) / S, "loss_weight": w} for w in WEIGHTS[seed]]
    return [outputs, targets], [ROWS, TARGETS], None


PL_MEAN = torch.tensor(0.3)


def path_length_regularisation_and_non_saturating_generator(outputs, targets, decay=0.01):
    """Generator: non-saturating ``softplus(-D(G(z)))`` mean; path-length regularisation: the
    gradient of ``(fake * noise).sum()`` w.r.t. the latents (``autograd.grad``, ``create_graph``,
    grad enabled as evaluation loops need; the generator's weights learn from it),
    per-image lengths ``sqrt(sum over width, mean over layers)``, the running mean moved toward
    the batch's mean length, squared deviation from it, mean."""
    with torch.enable_grad():
        w = outputs["w"].detach().requires_grad_()
        fake = torch.tanh(w.mean(1) @ GEN).view(-1, 3, S, S)
        (grad,) = torch.autograd.grad((fake * _stack(targets, "pl_noise")).sum(), w, create_graph=True)
    lengths = torch.sqrt(grad.pow(2).sum(2).mean(1))
    pl_mean = PL_MEAN + decay * (lengths.mean().detach() - PL_MEAN)
    return {"loss_g": F.softplus(-outputs["fake_pred"]).mean(), "loss_pl": (lengths - pl_mean).pow(2).mean()}


# -- neural fields, forecasting, ranking ----------------------------------------------------------

NS = 6  # samples per ray
RAY_SOURCES = (["real", "synthetic", "real", "real", "synthetic", "synthetic", "real"],
               ["synthetic", "real", "synthetic", "real", "real"])


def ray_batch(seed: int) -> tuple[list, list, list]:
    """A radiance field's rays (each from an image of one source): coarse and fine colours
    [N, 3], sample weights [N, NS] and sorted sample edges [N, NS + 1]; per ray the pixel colour."""
    g = _gen(seed + 1120)
    n = len(RAY_SOURCES[seed])
    outputs = {"rgb_coarse": torch.rand(n, 3, generator=g).requires_grad_(),
               "rgb_fine": torch.rand(n, 3, generator=g).requires_grad_(),
               "weights": torch.rand(n, NS, generator=g).softmax(-1).requires_grad_(),
               "t": torch.sort(torch.rand(n, NS + 1, generator=g), -1).values}
    return [outputs, {"rgb": torch.rand(n, 3, generator=g)}], [ROWS, ROWS], RAY_SOURCES[seed]


def radiance_coarse_fine_mse_psnr_and_distortion(outputs, batch):
    """Radiance fields: coarse + fine colour MSE, the fine PSNR ``-10 log10(mse)`` (detached), and
    the distortion loss per ray (``sum_ij w_i w_j |s_i - s_j|`` over the samples' midpoints plus
    ``sum w_i ** 2 delta_i / 3``), mean over rays."""
    mse_f = F.mse_loss(outputs["rgb_fine"], batch["rgb"])
    t, w = outputs["t"], outputs["weights"]
    mid = 0.5 * (t[..., 1:] + t[..., :-1])
    inter = (w[..., None, :] * w[..., :, None] * torch.abs(mid[..., None, :] - mid[..., :, None])).sum((-1, -2))
    intra = (w ** 2 * (t[..., 1:] - t[..., :-1])).sum(-1) / 3
    return {"loss_rgb": F.mse_loss(outputs["rgb_coarse"], batch["rgb"]) + mse_f,
            "psnr": -10.0 * torch.log10(mse_f.detach()), "loss_dist": (inter + intra).mean()}


HZ, LB, FREQ, NM = 4, 8, 2, 5  # horizon, lookback, seasonality, ensemble members
QUANTILES = torch.tensor([0.1, 0.5, 0.9])


def series_batch(seed: int) -> tuple[list, list, list]:
    """Forecasting: point forecasts [B, HZ], quantile forecasts [B, HZ, 3], ensemble members
    [B, NM, HZ]; per series the future values, a mask of observed steps and the look-back window
    (one series constant, so its seasonal naive error is 0). One source per series."""
    g = _gen(seed + 1130)
    b = len(SOURCES[seed])
    insample = torch.randn(b, LB, generator=g) + 3
    insample[1] = 2.0
    outputs = {"forecast": _leaf(b, HZ, g=g), "quantiles": _leaf(b, HZ, 3, g=g), "ensemble": _leaf(b, NM, HZ, g=g)}
    batch = {"target": torch.randn(b, HZ, generator=g) + 1, "mask": (torch.rand(b, HZ, generator=g) < 0.8).float(),
             "insample": insample}
    return [outputs, batch], [ROWS, ROWS], SOURCES[seed]


def _divide_no_nan(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    result = a / b
    result[result != result] = 0.0
    result[result == float("inf")] = 0.0
    return result


def smape_and_mase_with_divide_no_nan(outputs, batch):
    """N-BEATS losses: sMAPE ``200 * mean(|f - y| / (|f| + |y|) * mask)`` and MASE (errors over each
    series' mean absolute seasonal naive error of its look-back, masked), each division made safe by
    zeroing NaN / inf entries in place."""
    f, y, mask = outputs["forecast"], batch["target"], batch["mask"]
    smape = 200 * torch.mean(_divide_no_nan(torch.abs(f - y), torch.abs(f.data) + torch.abs(y)) * mask)
    ins = batch["insample"]
    masep = torch.mean(torch.abs(ins[:, FREQ:] - ins[:, :-FREQ]), dim=1)
    mase = torch.mean(torch.abs(y - f) * _divide_no_nan(mask, masep[:, None]))
    return {"loss_smape": smape, "loss_mase": mase}


def ensemble_crps_and_normalised_quantile_risk(outputs, batch):
    """Ensemble CRPS (energy form): mean absolute error of the members minus half the mean
    absolute difference between members, mean over series and steps; normalised quantile risk
    ``2 * sum(pinball) / sum(|y|)``."""
    x, y = outputs["ensemble"], batch["target"]
    skill = torch.abs(x - y[:, None]).mean(1)
    spread = torch.abs(x[:, :, None] - x[:, None]).mean((1, 2))
    err = y[..., None] - outputs["quantiles"]
    pinball = torch.max(QUANTILES * err, (QUANTILES - 1) * err)
    return {"loss_crps": (skill - 0.5 * spread).mean(), "q_risk": 2 * pinball.sum() / torch.abs(y).sum()}


LIST = 5


def ranking_batch(seed: int) -> tuple[list, list, list]:
    """Listwise ranking: scores [B, LIST]; per list graded relevance (-1 padding, one list with no
    relevant item). One source per list."""
    g = _gen(seed + 1140)
    b = len(SOURCES[seed])
    rel = torch.randint(0, 3, (b, LIST), generator=g)
    rel[:, LIST - 1] = -1
    rel[0, : LIST - 1] = 0
    return [{"scores": _leaf(b, LIST, g=g)}, {"relevance": rel}], [ROWS, ROWS], SOURCES[seed]


def listwise_softmax_ce_over_lists_with_relevant_items(outputs, batch):
    """Listwise softmax CE: padded items masked to ``-inf`` before ``log_softmax`` (then 0),
    relevance normalised per list, ``-sum q log p`` per list, mean over the lists with any
    relevant item (boolean row selection)."""
    rel = batch["relevance"]
    pad = rel < 0
    logp = F.log_softmax(outputs["scores"].masked_fill(pad, float("-inf")), dim=1).masked_fill(pad, 0.0)
    gain = rel.clamp(min=0).float()
    total = gain.sum(1, keepdim=True)
    valid = total.squeeze(1) > 0
    q = gain / total.clamp(min=1e-9)
    per_list = -(q * logp).sum(1)
    return {"loss_listnet": per_list[valid].mean()}


# -- the table ------------------------------------------------------------------------------------


CASES = {c.body.__name__: c for c in [
    # detection, tracking
    # split since first contact: torch.arcsin is torch.asin's other spelling, with its rule
    Case(siou_and_l1_of_matched_boxes_weighted_per_row_over_num_boxes, det_batch),
    Case(wise_iou_focaler_and_label_smoothed_ce, det_batch),
    # split since first contact: loss_id (F.linear of the gathered rows through a fixed classifier)
    # since the lead's session 10: the learned uncertainties ``s_det + s_id`` (0-dim parameters) are a term of their own
    Case(joint_detection_reid_with_uncertainty_weighting, det_batch),
    Case(siamese_balanced_positive_negative_nll_and_weighted_l1, track_batch),
    # segmentation, text detection
    Case(focal_tversky_per_image_and_class, seg_batch),
    # session 27 (s34): counted as MIXES until then; an expression of the group's sums times ``alpha``, a
    # parameter at its default (a constant of the expression): splits as the oracle
    Case(soft_skeleton_cldice_of_batch_sums, seg_batch),
    # s60: the host-read counts decline only the key the code proves they reach (the hard negatives' BCE,
    # mixing anyway); the dice of the group's sums and the masked threshold L1 split as the oracle
    Case(text_detection_balanced_bce_dice_and_masked_l1, seg_batch, keys("loss_prob"),
         why="hard negatives ranked over the batch"),
    # pose, depth
    # split since first contact: torch.linalg.svd of each frame's matrix, torch.diff along frames
    Case(procrustes_aligned_scale_normalised_mpjpe_and_velocity, pose_batch),
    # since first contact the sort of one image's centred residuals is followed (no weight in them);
    # the slice after the previous image's valid count was read declines the call instead
    # split since s1415: ``keep = int(len(res) * (1 - trim))`` is computed from the very tensor cut, and
    # ``2 * count`` of ``count += int(m.sum())`` is twice the group's reads
    Case(trimmed_median_mad_aligned_disparity_batch_reduced, depth_batch),
    # restoration
    # a GAP (4) until session 35 (g25): on the 4-image batch ``(h - 1) * w`` = 56 is 14 times the images; sizes
    # unpacked from ``a.size()`` of the argument ``outputs["curves"]`` at dims without images are constants
    Case(zero_reference_colour_exposure_spatial_and_curve_tv, image_batch),
    Case(learned_perceptual_distance_of_unit_normalised_features, image_batch),
    # metric learning, classification
    # split since first contact: loss_cosface (F.linear of the rows against the proxies)
    Case(proxy_nca_proxy_anchor_and_cosface, embed_batch, keys("loss_proxy_anchor"),
         why="log of a sum over the batch's embeddings per proxy"),
    Case(reid_label_smoothed_ce_mean_over_rows_and_soft_margin_batch_hard, embed_batch, keys("loss_triplet"),
         why="hardest positive / negative over the batch"),
    Case(bi_tempered_logistic_with_fixed_point_normalisation, embed_batch),
    Case(class_balanced_focal_with_effective_numbers, embed_batch),
    # language models
    Case(chunked_shifted_token_ce_summed_over_valid_count, lm_batch),
    Case(generalised_jsd_distillation_over_counted_tokens, lm_batch),
    Case(token_entropy_aggregations_and_token_focal_ce, lm_batch),
    # speech, text recognition
    Case(hybrid_ctc_attention_with_kl_label_smoothing_over_batch_size, speech_batch),
    Case(guided_attention_over_non_padded_cells, speech_batch),
    Case(aggregation_cross_entropy_of_character_counts, ocr_batch),
    # generative models
    # split since first contact (was WRONG): ``.mul(1.0 / batch_total)`` divides by the group's share of the
    # number passed in, as ``/ batch_total`` does
    Case(edm_weighted_denoising_over_configured_batch_and_debiased, diffusion_batch),
    Case(consistency_pseudo_huber_with_step_weighting, diffusion_batch),
    Case(path_length_regularisation_and_non_saturating_generator, gan_batch, keys("loss_pl"),
         why="the running mean moves toward the batch's mean length"),
    # neural fields, forecasting, ranking
    # split since first contact: ``-10 * log10(mse)`` is a function of one ratio (formulas.py)
    Case(radiance_coarse_fine_mse_psnr_and_distortion, ray_batch),
    Case(smape_and_mase_with_divide_no_nan, series_batch),
    Case(ensemble_crps_and_normalised_quantile_risk, series_batch),
    Case(listwise_softmax_ce_over_lists_with_relevant_items, ranking_batch),
]}


globals().update(survey_tests(
    CASES, range(len(WEIGHTS)), 28, (238, 16, 0, 0)))  # s60: the text detector's dice and threshold L1 split (8)
