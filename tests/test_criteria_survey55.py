"""Coverage survey 55: first contact, our own code of public criteria no survey wrote (checked by
grepping every test module for each name and its distinctive ops), each with the published method's
ops, gathers, reductions and normaliser, decorated from outside, in the fields issue #13 names:
detection (Equalized Focal Loss, aLRP, IoU-balanced classification, AutoAssign), segmentation (U2PL,
ClassMix, SCHP's parsing with edges), pose and keypoints (G-RMI's disks and offsets, PifPaf's Laplace
field, PoseCNN's ShapeMatch), depth and stereo (HDN's depth-range normalisation, the stereo focal
loss), restoration (Recorrupted-to-Recorrupted, Zero-Shot Noise2Noise), metric learning (Ring loss,
NormFace, ElasticFace and ElasticFace+, Island loss, FastAP, TiCo, the spectral contrastive loss) and
language models (ODPO, IRPO, DPO-Shift, InfoNCA, PRO, Mixture-of-Depths' router). The harness and its
vocabulary (``MIXES``, ``GAP``, ``WRONG``, the 3 % target of issue #13) are ``_survey``'s.

Four batches as surveys 23 to 54's: the detection, segmentation, pose and depth ones from the targets'
``loss_weight`` (the default source, which the oracle sets to 1: 4 images of two groups, 3 of two, 3 of
one group with every weight 1, 1 image of weight 0.5); the others through ``losssplit.sources``, 4
examples of three groups, 3 of two, 3 of one, 1.

FIRST_CONTACT (27 patterns, s55 at fdc7de6 unchanged): 413 expected companions, 83 declined, **37 GAP
(9.0 %)**, 0 WRONG. The 46 declines where examples mix, each with a warning naming its key and op: aLRP's
classification and localisation (the batch's anchors ranked, ``Tensor.sum over a row dim``), the
IoU-balanced CE (renormalised by the batch's positives, ``Tensor.mul_ of values that mix images``),
U2PL's unsupervised CE (the batch's entropy quantile, ``torch.quantile``), ClassMix (pairs by
``Tensor.roll``), SCHP's edge CE (class weights from the batch's edge counts), ElasticFace+ (margins
handed out by the batch's order), FastAP, TiCo (``Tensor.matmul`` of the batch covariance) and the
spectral loss. The GAPs, each with the warning's op: AutoAssign (10: ``torch.stack`` of the per-object
terms, "images picked by position, some more often than others", the whole call; on the one image
``Tensor.__int__`` of the inside count); SCHP's consistency and, on the one image, its edge CE (6: the
label edges written by ``|=`` into a zeros tensor, "``Tensor.__ior__`` through a view"); EFL's logged
positives' count (5: ``float()`` of a count, then ``torch.tensor`` of it, "values read on the host at
``Tensor.__float__``"); ShapeMatch (5: ``0.5 * d.mean()`` per object in a loop, "``Tensor.mul`` of a
constant applied again to its own result"); ElasticFace (5: ``torch.where`` of ElasticFace+'s sorted
margins, "a batch-wide default", declines the whole call); the spectral loss's positive term (5:
``gram[off]`` "picks positions along a dim that carries images", the whole call); the IoU-balanced CE
on the one image (1). Split at first contact: EFL's loss (over ``float`` of the positives' count),
G-RMI, PifPaf (over ``len(targets)``), HDN (per image ``torch.quantile`` contexts), the stereo focal
loss, R2R and ZS-N2N (a module in the body, a stride-2 ``conv2d``), Ring loss and NormFace (learned
scalars), Island loss (a term of the centres alone), ODPO, IRPO, DPO-Shift, InfoNCA, PRO (``argsort``,
``gather``, a loop of ``logsumexp``), Mixture-of-Depths (per-sequence ``topk`` and ``scatter``), and
the logged values beside the mixing keys (aLRP's error, U2PL's and ClassMix's, TiCo's positive cosine).

WRONG found beside the table (probes of AutoAssign's normaliser, main too): a per-image count read on
the host (``k = int((x[i] > 0).sum()) + 1`` as a ``topk`` size) and a divisor the code sums from the
targets' sizes (``max(sum(len(t["boxes"]) for t in targets), 1)``) equal by value to the reads' total:
the divisor was taken as the reads' count, each group's sum over its reads (one group over the batch's
6, the other, reading 0, over the floor 1). Fixed: a divisor the code proves a sum of the arguments'
item sizes is never matched by value to host reads (``tests/test_rules_instance_loops.py``, 2 of 6
batches WRONG on main).

NOW (s55): 413 expected, 58 declined, **12 GAP (2.9 %)**, 0 WRONG. General rules, each with near
misses against the oracle: (1) values of images picked by position in loops (no literal position),
each image as often as its own target instances, stacked (per-object terms) split as each image's
terms; one image's value ``expand``-ed to a count read from that image's values only is that image's
(AutoAssign, 10; ``tests/test_rules_instance_loops.py``: an extra term by position, the next image's
values, listed positions and a count read from another image decline); (2) masks combined in place
(``|=``, ``&=``, ``^=``, ``bitwise_*_``, ``logical_*_``) follow as ``add_`` (no rule before: the write
through a view lost every key; SCHP's consistency, 5; ``tests/test_rules_inplace_masks.py``: another
image's mask, a write into the first image's decline); (3) a local stored in either arm of an ``if``
in a loop over the images is this iteration's where every path from the loop's head stores it first
(PoseCNN's ShapeMatch, 5; ``tests/test_rules_branch_stores.py``: one arm only, an arm carrying the last
value decline); (4) ``torch.tensor(n)`` of a local the code proves one host read of a plain row sum,
maybe floored (``n = max(float(pos.sum()), 1.0)``), is that expression of the read's sum, the floor
per group as written (EFL's logged count, 5; ``tests/test_rules_one_read_tensors.py``: the local
changed after, tested, doubled, two reads of equal value decline; at its floor it declines). Left:
ElasticFace (5) and the spectral loss's positive term (5): a deferred whole-call check (``torch.where``
of a batch-wide default picked somewhere, a mask over the pair table) declines the keys beside the
mixing one, as survey 54's RKD norm; on the one image of weight 0.5, the IoU-balanced CE and SCHP's
edge CE (1 each: lost as mixing, the weight not known absent).

NOW (s55, keys43): 413 expected, 51 declined, **5 GAP (1.2 %)**, 0 WRONG. A deferred check an op's rule
makes about that op's own values (``torch.where`` / ``masked_fill`` of a batch-wide default, positions
picked unevenly, rows of different images paired) is scoped to the memory the op writes, carried by
every later op that reads it: where it fires only the keys whose returned values carry it are declined,
each with a warning naming the key and the op (ElasticFace, 5; the spectral loss's positive term, 2;
``tests/test_rules_key_scoped_checks.py``, with near misses: a clean key written in place, through a
view, in a shared buffer, from a view of the values, scaled by a number read from them or branching on
them declines). Left: the spectral positive term on a group of one image (3: the body's
``if len(z1) > 1`` taken otherwise on it, no longer hidden by the call's decline), the IoU-balanced CE
and SCHP's edge CE on the one image (1 each).

NOW (branch44, session 44): 413 expected, 48 declined, **2 GAP (0.5 %)**, 0 WRONG. A group that alone
takes the other arm of a branch declines only the keys an arm may change, proven from the body's code
(``losssplit/_capture/_reach.py``): the spectral positive term on a group of one image splits (3).
Left: the IoU-balanced CE and SCHP's edge CE on the one image (1 each).
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import ROWS, TARGETS
from _survey import (
    LIBRARY_SOURCES,
    LIBRARY_WEIGHTS,
    Case,
    built,
    keys,
    response_labels,
    survey_tests,
)
from _survey import along_rows as _rows
from _survey import batch_logps as _logps
from _survey import gen as _gen
from _survey import leaf as _leaf
from _survey import library_examples as _n

# One worker runs the table: each pattern's outcome is computed once.
pytestmark = pytest.mark.xdist_group("survey55")

WEIGHTS = LIBRARY_WEIGHTS
SOURCES = LIBRARY_SOURCES
_MIXED = (0, 1)


# -- detection -------------------------------------------------------------------------------------------

A, C = 8, 4  # anchors (points) per image, foreground classes


def anchor_batch(seed: int) -> tuple[list, list, None]:
    """A dense head: class logits [B, 8, 4] and box deltas [B, 8, 4]; per image each anchor's label
    (4 = background, at least one positive), its IoU with the assigned box, the box targets and
    ``loss_weight``."""
    g = _gen(seed + 5500)
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        labels = torch.randint(0, C, (A,), generator=g)
        labels[torch.rand(A, generator=g) < 0.5] = C
        labels[(i + seed) % A] = (i + seed) % C
        targets.append({"labels": labels, "ious": torch.rand(A, generator=g) * 0.5 + 0.5,
                        "deltas": torch.randn(A, 4, generator=g) * 0.5, "loss_weight": w})
    return [{"logits": _leaf(_n(seed), A, C, g=g), "deltas": _leaf(_n(seed), A, 4, g=g, scale=0.5)}, targets], \
        [ROWS, TARGETS], None


# EQLv2-style accumulated positive / negative gradient ratio per class (a buffer from earlier steps).
_EFL_RATIO = torch.rand(C, generator=_gen(5501))


def equalized_focal_loss(outputs, targets, gamma_b=2.0, scale=8.0, alpha=0.25):
    """Li et al.'s Equalized Focal Loss: each class's focusing factor ``γ_b + s (1 - g_j)`` from the
    accumulated gradient ratio, the focal term reweighted by ``γ_j / γ_b``; summed over the
    positives' count (a Python number, at least 1); the positives' count logged."""
    logits = outputs["logits"]
    labels = torch.stack([t["labels"] for t in targets])
    onehot = F.one_hot(labels, C + 1)[..., :C].float()
    gamma = gamma_b + scale * (1 - _EFL_RATIO)
    p = logits.sigmoid()
    pt = p * onehot + (1 - p) * (1 - onehot)
    ce = F.binary_cross_entropy_with_logits(logits, onehot, reduction="none")
    a = alpha * onehot + (1 - alpha) * (1 - onehot)
    loss = a * (gamma / gamma_b) * (1 - pt).pow(gamma) * ce
    num_pos = max(float((labels < C).sum()), 1.0)
    return {"loss_efl": loss.sum() / num_pos, "num_pos": torch.tensor(num_pos)}


def _step(x, delta=0.5):
    return torch.clamp(x / (2 * delta) + 0.5, min=0, max=1)


def alrp_loss(outputs, targets, tau=0.5):
    """Oksuz et al.'s aLRP loss (forward value): every positive ranked against every anchor of the
    batch by the smoothed step of the logit differences; the classification part ``FP / rank`` and
    the localisation part (each positive's error plus the higher-ranked positives', over its rank
    among positives), each a mean over the positives (the images mix); the localisation error's
    mean logged."""
    logits = outputs["logits"].flatten(0, 1)
    labels = torch.stack([t["labels"] for t in targets]).flatten()
    pos = labels < C
    onehot = F.one_hot(labels, C + 1)[:, :C].bool()
    pos_logits = logits[onehot]
    neg_logits = logits[~onehot & torch.ones_like(onehot)]
    h_neg = _step(neg_logits[None, :] - pos_logits[:, None])
    h_pos = _step(pos_logits[None, :] - pos_logits[:, None])
    fp = h_neg.sum(1)
    rank_pos = 1 + h_pos.sum(1) - 0.5
    cls = (fp / (fp + rank_pos)).mean()
    deltas = torch.stack([t["deltas"] for t in targets]).flatten(0, 1)[pos]
    err = F.smooth_l1_loss(outputs["deltas"].flatten(0, 1)[pos], deltas, reduction="none").sum(-1) / (1 - tau)
    loc = ((err + (h_pos * err[None, :]).sum(1) - 0.5 * err) / rank_pos).mean()
    return {"loss_alrp_cls": cls, "loss_alrp_loc": loc, "loc_err": err.mean().detach()}


def iou_balanced_ce(outputs, targets, eta=1.5):
    """Wu et al.'s IoU-balanced classification loss: each positive's CE weighted by ``IoU^η``,
    renormalised by the batch's positives so the sum of their CE is kept (``Σ CE / Σ IoU^η CE``,
    detached); the negatives' CE as is; a mean over the batch's anchors. The positives' mean IoU
    logged."""
    logits = F.pad(outputs["logits"], (0, 1)).flatten(0, 1)
    labels = torch.cat([t["labels"] for t in targets])
    ious = torch.cat([t["ious"] for t in targets])
    pos = labels < C
    ce = F.cross_entropy(logits, labels, reduction="none")
    with torch.no_grad():
        w = torch.ones_like(ce)
        w[pos] = ious[pos].pow(eta)
        w[pos] *= ce[pos].sum() / (w[pos] * ce[pos]).sum()
    return {"loss_iou_cls": (w * ce).mean(), "pos_iou": ious[pos].mean()}


P_SIDE = 4  # points per side


def autoassign_batch(seed: int) -> tuple[list, list, None]:
    """AutoAssign's head on a 4×4 grid of points in [0, 1]²: class logits [B, 16, 4], objectness
    [B, 16] and boxes (xyxy) [B, 16, 4]; per image 1 to 3 ground-truth boxes covering some points,
    their labels and ``loss_weight``."""
    g = _gen(seed + 5505)
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        n = 1 + (i + seed) % 3
        lo = torch.rand(n, 2, generator=g) * 0.3
        boxes = torch.cat([lo, lo + 0.4 + torch.rand(n, 2, generator=g) * 0.3], 1)
        targets.append({"boxes": boxes, "labels": torch.randint(0, C, (n,), generator=g), "loss_weight": w})
    b = _n(seed)
    boxes = torch.rand(b, P_SIDE * P_SIDE, 2, generator=g) * 0.4
    pred = torch.cat([boxes, boxes + 0.5], -1).requires_grad_()
    return [{"cls": _leaf(b, P_SIDE * P_SIDE, C, g=g), "obj": _leaf(b, P_SIDE * P_SIDE, g=g), "boxes": pred}, targets], \
        [ROWS, TARGETS], None


_POINTS = torch.stack(torch.meshgrid(torch.arange(P_SIDE) + 0.5, torch.arange(P_SIDE) + 0.5, indexing="xy"), -1
                      ).reshape(-1, 2) / P_SIDE
_CENTER_MU = torch.zeros(C, 2)
_CENTER_SIGMA = torch.ones(C, 2) * 0.3


def _giou_pairs(a, b):
    lt, rb = torch.max(a[:, :2], b[:, :2]), torch.min(a[:, 2:], b[:, 2:])
    inter = (rb - lt).clamp(min=0).prod(-1)
    union = (a[:, 2:] - a[:, :2]).prod(-1) + (b[:, 2:] - b[:, :2]).prod(-1) - inter
    enclose = (torch.max(a[:, 2:], b[:, 2:]) - torch.min(a[:, :2], b[:, :2])).prod(-1)
    iou = inter / union
    return iou, iou - (enclose - union) / enclose


def autoassign(outputs, targets, temperature=1.0, lam=5.0):
    """Zhu et al.'s AutoAssign: per image, per object, over the points inside its box: the class
    centre prior ``exp(-(d - μ)² / 2σ²)``, the joint confidence (class times objectness) times
    ``exp(-λ GIoU loss)``, positive weights the softmax of ``exp(C / τ)`` times the prior, the
    positive loss ``-log Σ w C``; the negatives' focal BCE weighted by ``1 - f(IoU)`` (``1 / (1 -
    IoU)`` min-max normalised over the box's points); both over the batch's object count."""
    prob = outputs["cls"].sigmoid() * outputs["obj"].sigmoid()[..., None]
    pos_losses, neg_total = [], 0.0
    num_obj = sum(len(t["boxes"]) for t in targets)
    for i, t in enumerate(targets):
        neg_w = torch.ones_like(prob[i])
        for box, label in zip(t["boxes"], t["labels"]):
            inside = ((_POINTS >= box[:2]) & (_POINTS <= box[2:])).all(-1)
            if not inside.any():
                continue
            centre = (box[:2] + box[2:]) / 2
            prior = torch.exp(-((_POINTS[inside] - centre - _CENTER_MU[label]) ** 2
                                / (2 * _CENTER_SIGMA[label] ** 2)).sum(-1))
            iou, giou = _giou_pairs(outputs["boxes"][i][inside], box.expand(int(inside.sum()), 4))
            conf = prob[i][inside, label] * torch.exp(-lam * (1 - giou))
            w = torch.exp(conf / temperature) * prior
            w = w / w.sum()
            pos_losses.append(-torch.log((w * conf).sum() + 1e-6))
            with torch.no_grad():
                f = 1 / (1 - iou).clamp(min=1e-6)
                f = (f - f.min()) / (f.max() - f.min() + 1e-6)
                neg_w[inside, label] = torch.minimum(neg_w[inside, label], 1 - f)
        neg = neg_w * prob[i] ** 2 * F.binary_cross_entropy(prob[i], torch.zeros_like(prob[i]), reduction="none")
        neg_total = neg_total + neg.sum()
    return {"loss_pos": torch.stack(pos_losses).sum() / max(num_obj, 1), "loss_neg": neg_total / max(num_obj, 1)}


# -- segmentation --------------------------------------------------------------------------------------

S = 8  # mask side
K = 3  # classes


def semi_seg_batch(seed: int) -> tuple[list, list, list]:
    """A semi-supervised segmenter's step: the labelled images' logits [B, 3, 8, 8] and masks (255
    in a corner), the unlabelled images' student logits and the teacher's (no grad)."""
    g = _gen(seed + 5510)
    b = _n(seed)
    mask = torch.randint(0, K, (b, S, S), generator=g)
    mask[:, :2, :2] = 255
    return [_leaf(b, K, S, S, g=g), mask, _leaf(b, K, S, S, g=g), torch.randn(b, K, S, S, generator=g) * 2], _rows(4), \
        SOURCES[seed]


def u2pl(pred_l, mask_l, pred_u, teacher_u, drop_percent=80.0):
    """Wang et al.'s U2PL: the labelled CE (ignore 255); the teacher's pseudo labels where its entropy
    is below the batch's ``drop_percent`` quantile (the others set to 255), their CE times ``B·h·w``
    over the kept pixels' count (the threshold over the batch: the images mix); the reliable share
    logged."""
    sup = F.cross_entropy(pred_l, mask_l, ignore_index=255)
    with torch.no_grad():
        prob = teacher_u.softmax(1)
        conf, pseudo = prob.max(1)
        entropy = -(prob * torch.log(prob + 1e-10)).sum(1)
        thresh = torch.quantile(entropy.flatten(), drop_percent / 100)
        pseudo = pseudo.masked_fill(entropy.ge(thresh), 255)
    b, h, w = pseudo.shape
    weight = b * h * w / torch.sum(pseudo != 255)
    unsup = weight * F.cross_entropy(pred_u, pseudo, ignore_index=255)
    return {"loss_sup": sup, "loss_unsup": unsup, "conf": conf.mean()}


def classmix(pred_l, mask_l, pred_u, teacher_u, tau=0.968):
    """Olsson et al.'s ClassMix: the labelled CE; each unlabelled image's teacher argmax, half its
    classes (the smaller ids of those present) pasted over the next image's (the pairs by ``roll``:
    the images mix), the mixed pseudo labels' CE weighted by the batch's confident share; each
    image's own pseudo labels' agreement with the student logged."""
    sup = F.cross_entropy(pred_l, mask_l, ignore_index=255)
    with torch.no_grad():
        prob = teacher_u.softmax(1)
        conf, pseudo = prob.max(1)
        masks = []
        for r in range(pseudo.size(0)):
            classes = torch.unique(pseudo[r])
            chosen = classes[: (len(classes) + 1) // 2]
            masks.append(torch.isin(pseudo[r], chosen).float())
        m = torch.stack(masks)
        mixed = (m * pseudo + (1 - m) * pseudo.roll(1, 0)).long()
        mixed_conf = m * conf + (1 - m) * conf.roll(1, 0)
        weight = mixed_conf.ge(tau).float().sum() / mixed_conf.numel()
    mix = weight * F.cross_entropy(pred_u, mixed)
    agree = (pred_u.argmax(1) == pseudo).float().mean()
    return {"loss_sup": sup, "loss_mix": mix, "agree": agree}


def parsing_batch(seed: int) -> tuple[list, list, None]:
    """A human parser: part logits [B, 3, 8, 8] and edge logits [B, 2, 8, 8]; per image the part
    labels (255 in a corner on odd images) and ``loss_weight``."""
    g = _gen(seed + 5512)
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        labels = torch.randint(0, K, (S, S), generator=g)
        labels[2:6, 2:6] = (i + seed) % K
        if (i + seed) % 2:
            labels[:2, :2] = 255
        targets.append({"parts": labels, "loss_weight": w})
    b = _n(seed)
    return [{"parsing": _leaf(b, K, S, S, g=g), "edge": _leaf(b, 2, S, S, g=g)}, targets], [ROWS, TARGETS], None


def _label_edges(labels):
    """1 where a pixel's label differs from its right or lower neighbour (255 kept out)."""
    e = torch.zeros_like(labels)
    e[:, :, :-1] |= (labels[:, :, :-1] != labels[:, :, 1:]).long()
    e[:, :-1, :] |= (labels[:, :-1, :] != labels[:, 1:, :]).long()
    return e


def schp_parsing_edge(outputs, targets, lam=0.1):
    """Li et al.'s SCHP: the parsing CE (ignore 255); the edge CE with class weights from the batch's
    edge and non-edge counts (``[pos / total, neg / total]``); the consistency of the parsing's soft
    edges (max-pooled minus the probabilities, summed over parts) with the edge head's probability on
    the edge pixels (smooth L1 over their count)."""
    parts = torch.stack([t["parts"] for t in targets])
    edges = _label_edges(parts)
    parsing = F.cross_entropy(outputs["parsing"], parts, ignore_index=255)
    pos_num = torch.sum(edges == 1, dtype=torch.float)
    neg_num = torch.sum(edges == 0, dtype=torch.float)
    weights = torch.tensor([pos_num, neg_num]) / (pos_num + neg_num)
    edge = F.cross_entropy(outputs["edge"], edges, weights)
    prob = outputs["parsing"].softmax(1)
    soft = (F.max_pool2d(prob, 3, 1, 1) - prob).sum(1)
    edge_prob = outputs["edge"].softmax(1)[:, 1]
    on = edges == 1
    consistency = F.smooth_l1_loss(soft[on], edge_prob[on].detach(), reduction="sum") / on.sum().clamp(min=1)
    return {"loss_parsing": parsing, "loss_edge": edge, "loss_consistency": lam * consistency}


# -- pose and keypoints ----------------------------------------------------------------------------------

NK, H = 3, 8  # keypoints, heatmap side


def keypoint_batch(seed: int) -> tuple[list, list, None]:
    """A bottom-up pose head on an 8×8 grid: per keypoint heatmap logits [B, 3, 8, 8], offsets [B, 3,
    2, 8, 8] and log-scales [B, 3, 8, 8]; per image the keypoints (pixel coordinates), their
    visibility (one hidden on some images) and ``loss_weight``."""
    g = _gen(seed + 5520)
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        vis = torch.ones(NK, dtype=torch.bool)
        if (i + seed) % 2:
            vis[(i + seed) % NK] = False
        targets.append({"keypoints": torch.rand(NK, 2, generator=g) * (H - 1), "visible": vis, "loss_weight": w})
    b = _n(seed)
    return [{"heat": _leaf(b, NK, H, H, g=g), "offset": _leaf(b, NK, 2, H, H, g=g),
             "log_b": _leaf(b, NK, H, H, g=g, scale=0.3)}, targets], [ROWS, TARGETS], None


_GRID = torch.stack(torch.meshgrid(torch.arange(H, dtype=torch.float), torch.arange(H, dtype=torch.float),
                                   indexing="xy"), 0)  # [2, H, W]: x, y


def g_rmi_disks(outputs, targets, radius=2.5, lam=4.0):
    """Papandreou et al.'s G-RMI keypoint head: per keypoint the disk of radius R around it (visible
    keypoints only) as the heatmap's BCE target (a mean over every cell); the offsets to the keypoint
    over R, Huber within the disks, over the disks' cell count."""
    kp = torch.stack([t["keypoints"] for t in targets])  # [B, K, 2]
    vis = torch.stack([t["visible"] for t in targets])
    vec = kp[..., None, None] - _GRID  # [B, K, 2, H, W]
    disk = (vec.norm(dim=2) <= radius) & vis[..., None, None]
    heat = F.binary_cross_entropy_with_logits(outputs["heat"], disk.float())
    huber = F.huber_loss(outputs["offset"], vec / radius, reduction="none").sum(2)
    offset = (huber * disk).sum() / disk.sum().clamp(min=1)
    return {"loss_heat": heat, "loss_offset": lam * offset}


def pifpaf_laplace(outputs, targets, radius=1.5):
    """Kreiss et al.'s PifPaf intensity field: each cell's confidence BCE against the cells within
    ``radius`` of a visible keypoint; there the 2D offset's Laplace loss ``|r - r̂| / b + log b`` with
    the learned log-scale; both summed and divided by the batch size."""
    kp = torch.stack([t["keypoints"] for t in targets])
    vis = torch.stack([t["visible"] for t in targets])
    vec = kp[..., None, None] - _GRID
    near = (vec.norm(dim=2) < radius) & vis[..., None, None]
    conf = F.binary_cross_entropy_with_logits(outputs["heat"], near.float(), reduction="sum")
    dist = (outputs["offset"] - vec).norm(dim=2)
    laplace = dist * torch.exp(-outputs["log_b"]) + outputs["log_b"]
    reg = laplace[near].sum()
    n = len(targets)
    return {"loss_conf": conf / n, "loss_reg": reg / n, "scale": outputs["log_b"].exp().mean().detach()}


MP = 6  # model points


def object_pose_batch(seed: int) -> tuple[list, list, list]:
    """A 6D pose head per object: predicted and ground-truth unit quaternions [B, 4] and each object's
    class (class 1 symmetric)."""
    g = _gen(seed + 5522)
    b = _n(seed)
    gt = F.normalize(torch.randn(b, 4, generator=g), dim=1)
    cls = torch.randint(0, 2, (b,), generator=g)
    return [(gt + torch.randn(b, 4, generator=g) * 0.2).requires_grad_(), gt, cls], _rows(3), SOURCES[seed]


_MODEL_POINTS = torch.randn(2, MP, 3, generator=_gen(5523))


def _quat_matrix(q):
    q = F.normalize(q, dim=-1)
    w, x, y, z = q.unbind(-1)
    return torch.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
                        2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
                        2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], -1).reshape(*q.shape[:-1], 3, 3)


def shapematch(pred_q, gt_q, cls, symmetric=(1,)):
    """Xiang et al.'s PoseCNN ShapeMatch-Loss: the object's model points rotated by the predicted and
    the true rotation; for a symmetric object each predicted point's squared distance to the closest
    true point, else to its own; half the mean, averaged over the objects; the rotations' geodesic
    angle logged."""
    rp, rg = _quat_matrix(pred_q), _quat_matrix(gt_q)
    losses = []
    for i in range(pred_q.size(0)):
        pts = _MODEL_POINTS[cls[i]]
        xp, xg = pts @ rp[i].t(), pts @ rg[i].t()
        if int(cls[i]) in symmetric:
            d = torch.cdist(xp, xg).pow(2).min(dim=1).values
        else:
            d = (xp - xg).pow(2).sum(-1)
        losses.append(0.5 * d.mean())
    trace = torch.diagonal(rp.detach() @ rg.transpose(1, 2), dim1=1, dim2=2).sum(-1)
    angle = torch.acos(((trace - 1) / 2).clamp(-1, 1))
    return {"loss_shapematch": torch.stack(losses).mean(), "angle": angle.mean()}


# -- depth and stereo --------------------------------------------------------------------------------------

D = 6  # disparities


def depth_batch(seed: int) -> tuple[list, list, None]:
    """A depth / stereo head: disparity predictions [B, 1, 8, 8] and a cost volume [B, 6, 8, 8]; per
    image the ground-truth depth (0 where invalid), the disparity (0 where invalid, out of range on
    some pixels) and ``loss_weight``."""
    g = _gen(seed + 5530)
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        depth = torch.rand(1, S, S, generator=g) * 5 + 0.5
        depth[:, : 1 + (i + seed) % 2, :] = 0
        disp = torch.rand(S, S, generator=g) * (D - 1)
        disp[-1, : 2 + (i + seed) % 3] = D + 1.0
        targets.append({"depth": depth, "disparity": disp, "loss_weight": w})
    b = _n(seed)
    return [{"depth": _leaf(b, 1, S, S, g=g), "cost": _leaf(b, D, S, S, g=g)}, targets], [ROWS, TARGETS], None


def _ssi(x):
    med = x.median()
    return (x - med) / (x - med).abs().mean().clamp(min=1e-6)


def hdn_depth_range(outputs, targets, levels=3):
    """Zhang et al.'s hierarchical depth normalisation (HDN-DR): per image, per level, the valid
    pixels split into ``2^(l-1)`` contexts at the ground truth's quantiles; in each, prediction and
    truth normalised by median and mean absolute deviation, their L1; the contexts', the levels' and
    the images' means."""
    per_image = []
    for pred, t in zip(outputs["depth"], targets):
        gt = t["depth"]
        valid = gt > 0
        gv, pv = gt[valid], pred[valid]
        level_losses = []
        for lvl in range(levels):
            q = torch.quantile(gv, torch.linspace(0, 1, 2 ** lvl + 1))
            ctx = []
            for c in range(2 ** lvl):
                m = (gv >= q[c]) & (gv <= q[c + 1])
                ctx.append((_ssi(pv[m]) - _ssi(gv[m])).abs().mean())
            level_losses.append(torch.stack(ctx).mean())
        per_image.append(torch.stack(level_losses).mean())
    return {"loss_hdn": torch.stack(per_image).mean()}


def stereo_focal(outputs, targets, sigma=1.0, alpha=1.0):
    """Zhang et al.'s stereo focal loss: the ground truth's disparity distribution
    ``softmax(-|d - d*| / σ)`` over the candidates, the cost volume's ``log_softmax(-cost)``, the
    cross entropy weighted by ``(1 - p)^(-α)``, a mean over the valid pixels (disparity in range);
    the soft-argmin's smooth L1 there; the valid share logged."""
    gt = torch.stack([t["disparity"] for t in targets])
    valid = (gt > 0) & (gt < D - 1)
    cand = torch.arange(D, dtype=torch.float)[None, :, None, None]
    target = torch.softmax(-(cand - gt[:, None]).abs() / sigma, 1)
    logp = F.log_softmax(-outputs["cost"], 1)
    focal = ((1 - target).pow(-alpha) * -target * logp).sum(1)
    disp = (logp.exp() * cand).sum(1)
    return {"loss_sfl": focal[valid].mean(), "loss_disp": F.smooth_l1_loss(disp[valid], gt[valid]),
            "valid": valid.float().mean()}


# -- restoration -------------------------------------------------------------------------------------------


def noisy_batch(seed: int) -> tuple[list, list, list]:
    """Self-supervised denoising: the noisy images [B, 1, 8, 8], a fresh noise draw (made outside)
    and each image's noise level [B]."""
    g = _gen(seed + 5540)
    b = _n(seed)
    sigma = torch.rand(b, generator=g) * 0.2 + 0.05
    clean = torch.rand(b, 1, S, S, generator=g)
    return [clean + sigma[:, None, None, None] * torch.randn(b, 1, S, S, generator=g),
            torch.randn(b, 1, S, S, generator=g), sigma], _rows(3), SOURCES[seed]


_DENOISER = built(5541, lambda: torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(),
                                                    torch.nn.Conv2d(4, 1, 3, padding=1)))


def recorrupted2recorrupted(noisy, z, sigma, alpha=0.5):
    """Pang et al.'s Recorrupted-to-Recorrupted: the input ``y + α σ z`` and the target ``y - σ z /
    α`` (each image's own σ), the network's MSE between them; each image's PSNR of the denoised
    input against the noisy image logged."""
    s = sigma[:, None, None, None]
    y_hat, y_bar = noisy + alpha * s * z, noisy - s * z / alpha
    out = _DENOISER(y_hat)
    mse = F.mse_loss(out, y_bar)
    psnr = -10 * torch.log10(((out.detach() - noisy) ** 2).mean(dim=(1, 2, 3)))
    return {"loss_r2r": mse, "psnr": psnr.mean()}


def zs_n2n(noisy, z, sigma):
    """Mansour and Heckel's Zero-Shot Noise2Noise: the two diagonal 2×2 downsamplers (a stride-2
    ``conv2d``), the residual network's symmetric residual loss between the halves and the
    consistency loss between denoising then downsampling and the reverse."""
    k1 = torch.tensor([[[[0.0, 0.5], [0.5, 0.0]]]])
    k2 = torch.tensor([[[[0.5, 0.0], [0.0, 0.5]]]])
    d1, d2 = F.conv2d(noisy, k1, stride=2), F.conv2d(noisy, k2, stride=2)

    def denoise(x):
        return x - _DENOISER(x)

    res = 0.5 * (F.mse_loss(d1, denoise(d2)) + F.mse_loss(d2, denoise(d1)))
    full = denoise(noisy)
    cons = 0.5 * (F.mse_loss(denoise(d1), F.conv2d(full, k1, stride=2))
                  + F.mse_loss(denoise(d2), F.conv2d(full, k2, stride=2)))
    return {"loss_res": res, "loss_cons": cons}


# -- contrastive and metric learning ----------------------------------------------------------------------

E, NC = 6, 5  # embedding size, classes


def face_batch(seed: int) -> tuple[list, list, list]:
    """A face recogniser: embeddings [B, 6], identities, each sample's margin drawn outside (for
    ElasticFace) and a second view's embeddings."""
    g = _gen(seed + 5550)
    b = _n(seed)
    labels = torch.randint(0, NC, (b,), generator=g)
    labels[-1] = labels[0]
    return [_leaf(b, E, g=g), labels, 0.5 + 0.05 * torch.randn(b, generator=g), torch.randn(b, E, generator=g)], \
        _rows(4), SOURCES[seed]


_FACE_W = built(5551, lambda: torch.nn.Parameter(torch.randn(NC, E)))
_RING_R = built(5552, lambda: torch.nn.Parameter(torch.tensor(1.0)))
_NORM_S = built(5553, lambda: torch.nn.Parameter(torch.tensor(8.0)))


def ring_loss(emb, labels, margins, view, lam=0.01):
    """Zheng et al.'s Ring loss: the softmax CE of a linear classifier plus ``λ / 2`` times the mean
    squared gap between each embedding's norm and the learned radius R; the mean norm logged."""
    norm = emb.norm(p=2, dim=1)
    ring = ((norm - _RING_R.expand_as(norm)) ** 2).mean() * lam / 2
    ce = F.cross_entropy(F.linear(emb, _FACE_W), labels)
    return {"loss_ce": ce, "loss_ring": ring, "norm": norm.mean().detach()}


def normface(emb, labels, margins, view):
    """Wang et al.'s NormFace: features and class weights L2-normalised, the cosines scaled by a
    learned ``s``, the CE; the target cosine's mean logged."""
    cos = F.normalize(emb) @ F.normalize(_FACE_W).t()
    target_cos = cos.gather(1, labels[:, None]).squeeze(1)
    return {"loss_normface": F.cross_entropy(_NORM_S * cos, labels), "target_cos": target_cos.mean().detach()}


def elasticface(emb, labels, margins, view, s=16.0):
    """Boutros et al.'s ElasticFace-Arc: the target angle widened by each sample's margin drawn from
    a normal distribution, the scaled CE; ElasticFace+ beside it: the margins sorted and handed out
    by the target cosines' order over the batch (the images mix)."""
    cos = F.normalize(emb) @ F.normalize(_FACE_W).t()
    theta = torch.acos(cos.clamp(-1 + 1e-7, 1 - 1e-7))
    onehot = F.one_hot(labels, NC).bool()
    arc = torch.where(onehot, torch.cos(theta + margins[:, None]), cos)
    loss = F.cross_entropy(s * arc, labels)
    with torch.no_grad():
        order = torch.argsort(cos[onehot])
        plus_m = torch.empty_like(margins)
        plus_m[order] = torch.sort(margins, descending=True).values
    plus = F.cross_entropy(s * torch.where(onehot, torch.cos(theta + plus_m[:, None]), cos), labels)
    return {"loss_elastic": loss, "loss_elastic_plus": plus}


_ISLAND_C = built(5554, lambda: torch.nn.Parameter(torch.randn(NC, E)))


def island_loss(emb, labels, margins, view, lam=0.01, lam1=10.0):
    """Cai et al.'s Island loss: the center loss (half the squared distance to the class centre,
    averaged) plus λ₁ times ``Σ_{j≠k} (cos(c_j, c_k) + 1)`` over the centres; with the CE."""
    centre = 0.5 * ((emb - _ISLAND_C[labels]) ** 2).sum(1).mean()
    cn = F.normalize(_ISLAND_C, dim=1)
    cos = cn @ cn.t()
    off = ~torch.eye(NC, dtype=torch.bool)
    island = (cos[off] + 1).sum()
    return {"loss_ce": F.cross_entropy(F.linear(emb, _FACE_W), labels), "loss_island": lam * (centre + lam1 * island),
            "loss_center": centre.detach()}


def fastap(emb, labels, margins, view, bins=10):
    """Cakir et al.'s FastAP: unit embeddings' squared distances over the batch quantised by
    triangular kernels into bins; per anchor the positives' and all others' histograms, their
    cumulative sums, ``Σ h⁺ H⁺ / H`` over the positives' count; one minus the mean over the anchors with
    a positive (the images mix)."""
    x = F.normalize(emb)
    dist = 2 - 2 * x @ x.t()
    n = len(x)
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(n, dtype=torch.bool)
    pos, neg = (same & ~eye).float(), (~same).float()
    delta = 4.0 / bins
    centres = torch.linspace(0, 4, bins + 1)
    pulse = torch.relu(1 - (dist[..., None] - centres).abs() / delta)
    h_pos = (pulse * pos[..., None]).sum(1)
    h_neg = (pulse * neg[..., None]).sum(1)
    h_cum_pos, h_cum = h_pos.cumsum(1), (h_pos + h_neg).cumsum(1)
    n_pos = pos.sum(1)
    keep = n_pos > 0
    ap = (h_pos * h_cum_pos / h_cum.clamp(min=1e-8)).sum(1)[keep] / n_pos[keep]
    return {"loss_fastap": 1 - ap.sum() / keep.sum().clamp(min=1)}


_TICO_C = built(5555, lambda: torch.eye(E) * 0.1)


def tico(emb, labels, margins, view, rho=0.9, beta=0.5):
    """Zhu et al.'s TiCo: both views normalised, the covariance memory updated by the batch's
    ``zᵀz / N`` (the images mix), ``-mean(z₁ · z₂) + β mean((z₁ C) · z₁)``; the positive cosine
    logged."""
    z1, z2 = F.normalize(emb, dim=1), F.normalize(view, dim=1)
    c = rho * _TICO_C + (1 - rho) * (z1.t() @ z1 / z1.size(0)).detach()
    pos = (z1 * z2).sum(1).mean()
    loss = -pos + beta * ((z1 @ c) * z1).sum(1).mean()
    return {"loss_tico": loss, "pos_cos": pos.detach()}


def spectral_contrastive(emb, labels, margins, view, mu=1.0):
    """HaoChen et al.'s spectral contrastive loss: ``-2 E[f(x)ᵀ f(x⁺)]`` over the positive pairs plus
    ``E[(f(x)ᵀ f(x'))²]`` over the batch's other pairs (the images mix); the positive term alone
    beside it."""
    z1, z2 = emb * mu, view * mu
    pos = -2 * (z1 * z2).sum(1).mean()
    gram = z1 @ z2.t()
    off = ~torch.eye(len(z1), dtype=torch.bool)
    neg = (gram[off] ** 2).mean() if len(z1) > 1 else gram.sum() * 0
    return {"loss_spectral": pos + neg, "loss_spectral_pos": pos}


# -- language models ---------------------------------------------------------------------------------------

T, V = 7, 11


def pref_batch(seed: int) -> tuple[list, list, list]:
    """A preference batch: the policy's logits on the chosen and rejected completions [B, 7, 11],
    their labels, the reference sequence log-probs of each and the reward model's scores (chosen
    above rejected) [B]."""
    g = _gen(seed + 5560)
    b = _n(seed)
    s_l = torch.rand(b, generator=g)
    return [_leaf(b, T, V, g=g), _leaf(b, T, V, g=g), response_labels(b, T, V, seed, g),
            response_labels(b, T, V, seed + 1, g), torch.randn(b, generator=g) - 15, torch.randn(b, generator=g) - 15,
            s_l + 0.1 + torch.rand(b, generator=g), s_l], _rows(8), SOURCES[seed]


def odpo(chosen, rejected, chosen_labels, rejected_labels, ref_chosen, ref_rejected, score_w, score_l,
         beta=0.1, alpha=1.0):
    """Amini et al.'s ODPO: DPO whose margin must exceed an offset ``α log(s_w - s_l)`` of the reward
    scores' gap; the mean of ``-log σ(β Δ - offset)``; the pairs whose reward margin passes logged."""
    margin = beta * ((_logps(chosen, chosen_labels) - ref_chosen) - (_logps(rejected, rejected_labels) - ref_rejected))
    offset = alpha * torch.log(score_w - score_l)
    loss = -F.logsigmoid(margin - offset)
    return {"loss_odpo": loss.mean(), "passed": (margin > offset).float().mean()}


def irpo(chosen, rejected, chosen_labels, rejected_labels, ref_chosen, ref_rejected, score_w, score_l,
         beta=0.1, alpha=1.0):
    """Pang et al.'s iterative reasoning preference optimisation: the DPO loss plus α times the
    chosen sequence's NLL over its own token count, both averaged over the pairs."""
    logp_c = _logps(chosen, chosen_labels)
    dpo = -F.logsigmoid(beta * ((logp_c - ref_chosen) - (_logps(rejected, rejected_labels) - ref_rejected)))
    length = (chosen_labels[:, 1:] != -100).sum(-1)
    nll = -logp_c / length
    return {"loss_irpo": (dpo + alpha * nll).mean(), "nll": nll.mean().detach()}


def dpo_shift(chosen, rejected, chosen_labels, rejected_labels, ref_chosen, ref_rejected, score_w, score_l,
              beta=0.1, lam=0.75):
    """Yang et al.'s DPO-Shift: the rejected log-ratio scaled by λ < 1 inside the sigmoid; the chosen
    and rejected implicit rewards logged."""
    c = beta * (_logps(chosen, chosen_labels) - ref_chosen)
    r = beta * (_logps(rejected, rejected_labels) - ref_rejected)
    return {"loss_dpo_shift": -F.logsigmoid(c - lam * r).mean(), "reward_chosen": c.detach().mean(),
            "reward_rejected": r.detach().mean()}


NR = 3  # responses per prompt


def list_batch(seed: int) -> tuple[list, list, list]:
    """Several responses per prompt: the policy's logits [B, 3, 7, 11], their labels, the reference
    sequence log-probs [B, 3] and the rewards [B, 3]."""
    g = _gen(seed + 5562)
    b = _n(seed)
    labels = torch.stack([response_labels(b, T, V, seed + k, g) for k in range(NR)], 1)
    return [_leaf(b, NR, T, V, g=g), labels, torch.randn(b, NR, generator=g) - 15, torch.randn(b, NR, generator=g)], \
        _rows(4), SOURCES[seed]


def infonca(logits, labels, ref_logps, rewards, beta=0.1, alpha=1.0):
    """Chen et al.'s InfoNCA: per prompt, the rewards' softmax at temperature α as the target over its
    responses, the CE of the policy's implicit rewards ``β (log π - log π_ref)``; averaged over the
    prompts; the best response's implicit reward logged."""
    b = logits.size(0)
    logps = _logps(logits.flatten(0, 1), labels.flatten(0, 1)).view(b, NR)
    implicit = beta * (logps - ref_logps)
    target = torch.softmax(rewards / alpha, dim=-1)
    loss = -(target * F.log_softmax(implicit, dim=-1)).sum(-1).mean()
    best = implicit.gather(1, rewards.argmax(1, keepdim=True)).squeeze(1)
    return {"loss_infonca": loss, "best_reward": best.detach().mean()}


def pro_ranking(logits, labels, ref_logps, rewards, sft_weight=0.05):
    """Song et al.'s PRO: each prompt's responses sorted by reward (``argsort``, ``gather``); their
    length-normalised log-probs; for each k the top-k-removed Plackett-Luce term with temperatures
    ``1 / (r_k - r_i)`` (the own one the smallest of them), summed over k; plus the best response's
    token NLL; averaged over the prompts."""
    b = logits.size(0)
    scores = _logps(logits.flatten(0, 1), labels.flatten(0, 1), average=True).view(b, NR)
    order = torch.argsort(rewards, dim=1, descending=True)
    s, r = scores.gather(1, order), rewards.gather(1, order)
    total = torch.zeros(b)
    for k in range(NR - 1):
        gaps = (r[:, k:k + 1] - r[:, k + 1:]).clamp(min=1e-3)
        temps = torch.cat([gaps.max(1, keepdim=True).values, gaps], 1)
        logits_k = s[:, k:] * temps
        total = total + (torch.logsumexp(logits_k, 1) - logits_k[:, 0])
    best = order[:, 0]
    best_logits = logits[torch.arange(b), best]
    best_labels = labels[torch.arange(b), best]
    sft = F.cross_entropy(best_logits[:, :-1].reshape(-1, V), best_labels[:, 1:].reshape(-1), ignore_index=-100)
    return {"loss_pro": total.mean() + sft_weight * sft, "loss_pro_sft": sft.detach()}


def mod_batch(seed: int) -> tuple[list, list, list]:
    """A mixture-of-depths layer: the router's logits per token [B, 7], the LM logits [B, 7, 11] and
    the labels (-100 over prompt and padding)."""
    g = _gen(seed + 5564)
    b = _n(seed)
    return [_leaf(b, T, g=g), _leaf(b, T, V, g=g), response_labels(b, T, V, seed, g)], _rows(3), SOURCES[seed]


def mixture_of_depths(router, logits, labels, capacity=0.5, aux_weight=0.01):
    """Raposo et al.'s Mixture-of-Depths: each sequence's top-k tokens by router weight go through
    the block (k the capacity times its length), their output scaled by the router's sigmoid; the
    LM CE; the auxiliary BCE teaching the router the top-k choice (a mean over every token); the
    routed share of the response tokens logged."""
    k = int(capacity * router.size(1))
    top = torch.topk(router, k, dim=1).indices
    chosen = torch.zeros_like(router).scatter(1, top, 1.0)
    scaled = logits * (1 + torch.sigmoid(router) * chosen)[..., None]
    lm = F.cross_entropy(scaled[:, :-1].reshape(-1, V), labels[:, 1:].reshape(-1), ignore_index=-100)
    aux = F.binary_cross_entropy_with_logits(router, chosen)
    valid = labels != -100
    return {"loss_lm": lm, "loss_router": aux_weight * aux, "routed": (chosen.bool() & valid).sum() / valid.sum()}


CASES = {c.body.__name__: c for c in [
    # first contact: GAP (5), the floored read logged as torch.tensor of it; s55: split
    Case(equalized_focal_loss, anchor_batch),
    Case(alrp_loss, anchor_batch, keys("loss_alrp_cls", "loss_alrp_loc"), mix_batches=_MIXED),
    Case(iou_balanced_ce, anchor_batch, keys("loss_iou_cls"), mix_batches=_MIXED, gaps=keys("loss_iou_cls@3"),
         why="GAP: on one image of weight 0.5 the renormalised CE declined (the weights do not enter it)"),
    # first contact: GAP (10), the per-object terms stacked, the box spread to a count read; s55: split
    Case(autoassign, autoassign_batch),
    Case(u2pl, semi_seg_batch, keys("loss_unsup"), mix_batches=_MIXED),
    Case(classmix, semi_seg_batch, keys("loss_mix"), mix_batches=_MIXED),
    # first contact: GAP (6), the label edges written by |= (no rule) through a view; s55: split, but on the one image
    Case(schp_parsing_edge, parsing_batch, keys("loss_edge"), mix_batches=_MIXED, gaps=keys("loss_edge@3"),
         why="GAP: on one image of weight 0.5 the edge CE's batch class weights declined (the weights do not enter it)"),
    Case(g_rmi_disks, keypoint_batch),
    Case(pifpaf_laplace, keypoint_batch),
    # first contact: GAP (5), d stored in either arm of an if read as carried from the last object; s55: split
    Case(shapematch, object_pose_batch),
    Case(hdn_depth_range, depth_batch),
    Case(stereo_focal, depth_batch),
    Case(recorrupted2recorrupted, noisy_batch),
    Case(zs_n2n, noisy_batch),
    Case(ring_loss, face_batch),
    Case(normface, face_batch),
    # s55: GAP (5), torch.where of the sorted margins (a batch-wide value) declined the whole call; keys43: split
    Case(elasticface, face_batch, keys("loss_elastic_plus"), mix_batches=_MIXED),
    Case(island_loss, face_batch),
    Case(fastap, face_batch, keys("loss_fastap"), mix_batches=_MIXED),
    Case(tico, face_batch, keys("loss_tico"), mix_batches=_MIXED),
    # s55: GAP (5), the Gram matrix's off-diagonal picked by a mask declined the whole call; keys43: split but
    # on a group of one image, whose branch ``if len(z1) > 1`` the body takes otherwise (3)
    # branch44 (s44): the positive term, which no arm of ``if len(z1) > 1`` changes, kept on a group of one image
    Case(spectral_contrastive, face_batch, keys("loss_spectral"), mix_batches=_MIXED),
    Case(odpo, pref_batch),
    Case(irpo, pref_batch),
    Case(dpo_shift, pref_batch),
    Case(infonca, list_batch),
    Case(pro_ranking, list_batch),
    Case(mixture_of_depths, mod_batch),
]}

FIRST = (413, 83, 37, 0)  # expected, declined, GAP, WRONG at first contact (s55 at fdc7de6 unchanged)
# s55: per-instance stacks and read-count spreads (10), masks combined in place (5), stores in either arm (5),
# a tensor of one floored read (5)
# keys43: a fired check about an op's own values declines only the keys computed from them (7)
# branch44 (s44): a group deciding a branch otherwise keeps the keys no arm changes (3)
NOW = (413, 48, 2, 0)


globals().update(survey_tests(CASES, range(len(WEIGHTS)), len(CASES), NOW))
