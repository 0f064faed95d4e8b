"""Coverage survey 5: public criteria not in the two earlier surveys (grid-anchor detectors,
keypoint-heatmap detectors, per-image Lovász softmax, boundary and generalised dice, deep-lab
style auxiliary heads, self-supervised and distillation losses, sequence losses, generative
models, coordinate-classification and wing-type pose losses, self-supervised depth).

Each entry reproduces one public criterion's pattern -- its ops, gathers, reductions and
normalisers -- in a body of its own, decorated from outside and compared with the oracle (the
body on each group's images alone, weight field set to 1): training values and gradients stay
bit-identical, every companion given equals the oracle, and each key that gets no companion is
recorded with why: ``MIXES`` (the images truly mix: a ranking, a power or a statistic over the
whole batch) or ``GAP`` (the oracle has a value that the capture cannot yet give; counted
against the 3 % budget of issue #13).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from _helpers import KEEP, ROWS, TARGETS, Share
from _survey import Case, keys, survey_tests

WEIGHTS = ([1.0, 0.5, 0.5, 1.0], [0.5, 1.0, 0.5])
SOURCES = (["web", "code", "web", "book"], ["code", "web", "code"])
C = 3  # classes


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _weights(targets: list[dict]) -> torch.Tensor:
    """Each image's ``loss_weight`` as a [B] tensor, as criteria build it from the target dicts."""
    return torch.tensor([t["loss_weight"] for t in targets])


def _stack(targets: list[dict], name: str) -> torch.Tensor:
    return torch.stack([t[name] for t in targets])


# -- batches --------------------------------------------------------------------------------------

NA, GRIDS = 2, (4, 2)  # anchors per cell, grid side per level
ANCHORS = torch.tensor([[1.0, 1.5], [2.0, 1.0]])


def grid_batch(seed: int) -> tuple[list, list, None]:
    """Grid-anchor detector: per level ``[B, NA, G, G, 5 + C]`` raw outputs; per image and level,
    the positive cells ``(anchor, gy, gx)`` (distinct), their box targets (offsets and sizes in
    grid units) and classes."""
    g = _gen(seed)
    weights = WEIGHTS[seed]
    b = len(weights)
    outputs = [(torch.randn(b, NA, s, s, 5 + C, generator=g) * 0.5).requires_grad_() for s in GRIDS]
    targets = []
    for i, w in enumerate(weights):
        t: dict = {"loss_weight": w}
        for level, s in enumerate(GRIDS):
            n = 1 + (i + level + seed) % 3
            cells = torch.randperm(NA * s * s, generator=g)[:n]
            t[f"cells{level}"] = torch.stack([cells // (s * s), cells % (s * s) // s, cells % s], 1)
            t[f"box{level}"] = torch.cat([torch.rand(n, 2, generator=g) * 1.6 - 0.3,
                                          torch.rand(n, 2, generator=g) * 2 + 0.5], 1)
            t[f"cls{level}"] = torch.randint(0, C, (n,), generator=g)
        targets.append(t)
    return [outputs, targets], [ROWS, TARGETS], None


HM, OBJ = 6, 3  # heatmap side, object slots per image


def heatmap_det_batch(seed: int) -> tuple[list, list, None]:
    """Keypoint-heatmap detector: ``hm`` [B, C, HM, HM] logits, ``wh`` [B, 2, HM, HM]; per image a
    Gaussian-splatted target heatmap (exact 1 at each centre), the flattened centre index of each
    object slot, a slot mask and size targets."""
    g = _gen(seed + 10)
    weights = WEIGHTS[seed]
    b = len(weights)
    outputs = {"hm": torch.randn(b, C, HM, HM, generator=g).requires_grad_(),
               "wh": (torch.rand(b, 2, HM, HM, generator=g) * 3).requires_grad_()}
    ys, xs = torch.meshgrid(torch.arange(HM).float(), torch.arange(HM).float(), indexing="ij")
    targets = []
    for i, w in enumerate(weights):
        n = 1 + (i + seed) % OBJ
        heat = torch.zeros(C, HM, HM)
        ind, mask, wh = torch.zeros(OBJ, dtype=torch.long), torch.zeros(OBJ), torch.zeros(OBJ, 2)
        for k, cell in enumerate(torch.randperm(HM * HM, generator=g)[:n].tolist()):
            cy, cx, c = cell // HM, cell % HM, int(torch.randint(0, C, (1,), generator=g))
            gauss = torch.exp(-((ys - cy) ** 2 + (xs - cx) ** 2) / 2)
            heat[c] = torch.maximum(heat[c], gauss)
            ind[k], mask[k] = cell, 1
            wh[k] = torch.rand(2, generator=g) * 3 + 0.5
        targets.append({"hm": heat, "ind": ind, "reg_mask": mask, "wh": wh, "loss_weight": w})
    return [outputs, targets], [ROWS, TARGETS], None


A = 8  # anchor points per image


def anchor_free_batch(seed: int) -> tuple[list, list, None]:
    """Anchor-free head with per-image assignment: ``out`` [B, A, 4 + 1 + C] (box, objectness,
    classes); per image a foreground mask, the assigned boxes (xyxy) and the IoU-scaled class
    targets of the foreground points (one image has none)."""
    g = _gen(seed + 20)
    weights = WEIGHTS[seed]
    b = len(weights)
    centre = torch.rand(b, A, 2, generator=g) * 4 + 2
    size = torch.rand(b, A, 2, generator=g) * 2 + 1
    raw = torch.cat([centre, size, torch.randn(b, A, 1 + C, generator=g)], -1).requires_grad_()
    targets = []
    for i, w in enumerate(weights):
        fg = torch.rand(A, generator=g) < (0.0 if i == 1 else 0.5)
        fg[0] = i != 1
        n = int(fg.sum())
        c = torch.rand(n, 2, generator=g) * 4 + 2
        s = torch.rand(n, 2, generator=g) * 2 + 1
        cls = F.one_hot(torch.randint(0, C, (n,), generator=g), C).float() * (torch.rand(n, 1, generator=g) * 0.5 + 0.5)
        targets.append({"fg": fg, "boxes": torch.cat([c - s / 2, c + s / 2], 1), "cls": cls, "loss_weight": w})
    return [{"out": raw}, targets], [ROWS, TARGETS], None


K, S, IGNORE = 3, 6, 255  # segmentation classes, map side, ignored label


def seg_batch(seed: int) -> tuple[list, list, None]:
    """Segmentation: ``seg`` [B, K, S, S] logits, ``aux`` [B, K, S/2, S/2] auxiliary-head logits,
    ``center`` [B, 1, S, S] heatmap, ``offset`` [B, 2, S, S]; per image ``semantic`` labels (some
    ``IGNORE``), a signed distance map per foreground class, center heatmap and offset targets with
    their weights (all zero on one image)."""
    g = _gen(seed + 30)
    weights = WEIGHTS[seed]
    b = len(weights)
    outputs = {"seg": torch.randn(b, K, S, S, generator=g).requires_grad_(),
               "aux": torch.randn(b, K, S // 2, S // 2, generator=g).requires_grad_(),
               "center": torch.rand(b, 1, S, S, generator=g).requires_grad_(),
               "offset": torch.randn(b, 2, S, S, generator=g).requires_grad_()}
    targets = []
    for i, w in enumerate(weights):
        semantic = torch.randint(0, K, (S, S), generator=g)
        semantic[torch.rand(S, S, generator=g) < 0.15] = IGNORE
        targets.append({
            "semantic": semantic, "dist": torch.randn(K - 1, S, S, generator=g),
            "center": torch.rand(1, S, S, generator=g), "offset": torch.randn(2, S, S, generator=g),
            "center_w": torch.full((1, S, S), 0.0 if i == 2 else 1.0),
            "offset_w": (torch.rand(1, S, S, generator=g) > 0.5).float(), "loss_weight": w})
    return [outputs, targets], [ROWS, TARGETS], None


D, QUEUE, CROPS = 6, 10, 3  # embedding width, negatives in the queue, crops per image


def view_batch(seed: int) -> tuple[list, list, None]:
    """Self-supervised views: ``q``, ``k`` (momentum key), ``p1``/``p2`` (online predictions),
    ``z1``/``z2`` (target projections), ``student`` crops [CROPS, B, D] as a list, ``teacher`` on
    the two global crops; a queue of negatives [D, QUEUE] and a teacher centre [1, D] kept whole."""
    g = _gen(seed + 40)
    b = len(WEIGHTS[seed])
    outputs = {name: torch.randn(b, D, generator=g).requires_grad_() for name in ("q", "k", "p1", "p2", "z1", "z2")}
    outputs["student"] = [torch.randn(b, D, generator=g).requires_grad_() for _ in range(CROPS)]
    outputs["teacher"] = [torch.randn(b, D, generator=g) for _ in range(2)]
    targets = [{"loss_weight": w} for w in WEIGHTS[seed]]
    queue = F.normalize(torch.randn(D, QUEUE, generator=g), dim=0)
    centre = torch.randn(1, D, generator=g) * 0.1
    return [outputs, targets, queue, centre], [ROWS, TARGETS, KEEP, KEEP], None


def class_batch(seed: int) -> tuple[list, list, None]:
    """Image classification: student and teacher logits [B, C]; per image a hard label, a soft
    (mixed) target and multi-label 0/1 targets."""
    g = _gen(seed + 50)
    b = len(WEIGHTS[seed])
    outputs = {"logits": torch.randn(b, C + 2, generator=g).requires_grad_(),
               "teacher": torch.randn(b, C + 2, generator=g)}
    targets = []
    for w in WEIGHTS[seed]:
        label = torch.randint(0, C + 2, (), generator=g)
        other = torch.randint(0, C + 2, (), generator=g)
        lam = float(torch.rand((), generator=g))
        soft = lam * F.one_hot(label, C + 2).float() + (1 - lam) * F.one_hot(other, C + 2).float()
        targets.append({"label": label, "soft": soft, "multi": (torch.rand(C + 2, generator=g) > 0.6).float(),
                        "loss_weight": w})
    return [outputs, targets], [ROWS, TARGETS], None


T, V, L = 8, 5, 3  # input frames, vocabulary (0: blank / pad), longest target


def ctc_batch(seed: int) -> tuple[list, list, list]:
    """Speech recognition: batch-first logits [B, T, V] (0: blank), padded labels [B, L] (-100
    after each sequence's end, no blank), per-sequence input lengths; one source per sequence."""
    g = _gen(seed + 60)
    b = len(SOURCES[seed])
    logits = torch.randn(b, T, V, generator=g).requires_grad_()
    labels = torch.randint(1, V, (b, L), generator=g)
    for i, n in enumerate(torch.randint(1, L + 1, (b,), generator=g).tolist()):
        labels[i, n:] = -100
    input_lengths = torch.randint(T - 2, T + 1, (b,), generator=g)
    return [logits, labels, input_lengths], [ROWS, ROWS, ROWS], SOURCES[seed]


PAD = 0


def token_batch(seed: int) -> tuple[list, list, list]:
    """Token predictions: ``logits`` [B, T, V] (decoder or masked LM), ``nsp`` [B, 2] logits;
    ``labels`` [B, T] with padding ``PAD`` and ``mlm`` labels [B, T] (-100 off the masked
    positions, one masked at least), ``next`` [B] sentence labels; one source per sequence and the
    step's token count from outside."""
    g = _gen(seed + 70)
    b = len(SOURCES[seed])
    outputs = {"logits": torch.randn(b, T, V, generator=g).requires_grad_(),
               "nsp": torch.randn(b, 2, generator=g).requires_grad_()}
    labels = torch.randint(1, V, (b, T), generator=g)
    for i, keep in enumerate(torch.randint(3, T + 1, (b,), generator=g).tolist()):
        labels[i, keep:] = PAD
    mlm = torch.where(torch.rand(b, T, generator=g) < 0.3, labels, -100)
    mlm[:, 0] = labels[:, 0]
    batch = {"labels": labels, "mlm": mlm, "next": torch.randint(0, 2, (b,), generator=g)}
    counts = [float((row != PAD).sum()) for row in labels]
    return ([outputs, batch, int(sum(counts))], [ROWS, ROWS, Share(counts)], SOURCES[seed])


Z, CODES = 3, 5  # latent channels, codebook entries


def generative_batch(seed: int) -> tuple[list, list, None]:
    """Generative models on 8x8 images: a reconstruction ``recon`` [B, 1, 8, 8] (probabilities) and
    ``mu``/``logvar`` [B, Z]; a VQ encoder output ``z_e`` [B, Z, 2, 2] and decoder output
    ``decoded``; a denoiser's prediction ``eps`` [B, 1, 8, 8]; per image its ``image``, the noise
    drawn and the diffusion timestep; a codebook [CODES, Z] and noise schedule kept whole."""
    g = _gen(seed + 80)
    weights = WEIGHTS[seed]
    b = len(weights)
    outputs = {"recon": torch.rand(b, 1, 8, 8, generator=g).clamp(0.05, 0.95).requires_grad_(),
               "mu": torch.randn(b, Z, generator=g).requires_grad_(),
               "logvar": (torch.randn(b, Z, generator=g) * 0.3).requires_grad_(),
               "z_e": torch.randn(b, Z, 2, 2, generator=g).requires_grad_(),
               "decoded": torch.rand(b, 1, 8, 8, generator=g).requires_grad_(),
               "eps": torch.randn(b, 1, 8, 8, generator=g).requires_grad_(),
               "restored": torch.rand(b, 1, 12, 12, generator=g).requires_grad_()}
    targets = [{"image": torch.rand(1, 8, 8, generator=g), "noise": torch.randn(1, 8, 8, generator=g),
                "t": torch.randint(0, 10, (), generator=g), "clean": torch.rand(1, 12, 12, generator=g),
                "loss_weight": w} for w in weights]
    codebook = torch.randn(CODES, Z, generator=g)
    alphas_cumprod = torch.cumprod(1 - torch.linspace(0.05, 0.5, 10), 0)
    return [outputs, targets, codebook, alphas_cumprod], [ROWS, TARGETS, KEEP, KEEP], None


J, BINS = 3, 8  # keypoints, coordinate bins


def pose_batch(seed: int) -> tuple[list, list, None]:
    """Pose: per-axis coordinate logits ``x``/``y`` [B, J, BINS] and heatmaps ``hm`` [B, J, 6, 6];
    per image Gaussian bin labels per axis, keypoint weights (one unlabelled keypoint) and target
    heatmaps."""
    g = _gen(seed + 90)
    weights = WEIGHTS[seed]
    b = len(weights)
    outputs = {"x": torch.randn(b, J, BINS, generator=g).requires_grad_(),
               "y": torch.randn(b, J, BINS, generator=g).requires_grad_(),
               "hm": torch.rand(b, J, 6, 6, generator=g).requires_grad_()}
    bins = torch.arange(BINS).float()
    targets = []
    for w in weights:
        cx, cy = torch.rand(J, generator=g) * (BINS - 1), torch.rand(J, generator=g) * (BINS - 1)
        gx, gy = torch.exp(-((bins - cx[:, None]) ** 2) / 2), torch.exp(-((bins - cy[:, None]) ** 2) / 2)
        kw = torch.ones(J)
        kw[int(torch.randint(0, J, (1,), generator=g))] = 0
        targets.append({"x": gx / gx.sum(-1, keepdim=True), "y": gy / gy.sum(-1, keepdim=True),
                        "weight": kw, "hm": torch.rand(J, 6, 6, generator=g) ** 3, "loss_weight": w})
    return [outputs, targets], [ROWS, TARGETS], None


def stereo_batch(seed: int) -> tuple[list, list, None]:
    """Self-supervised depth: ``disp`` [B, 1, 8, 8] and the source frames warped into the target
    view ``warped`` [B, 2, 3, 8, 8]; per image the target frame and the unwarped source frames."""
    g = _gen(seed + 100)
    weights = WEIGHTS[seed]
    b = len(weights)
    outputs = {"disp": (torch.rand(b, 1, 8, 8, generator=g) + 0.1).requires_grad_(),
               "warped": torch.rand(b, 2, 3, 8, 8, generator=g).requires_grad_()}
    targets = [{"frame": torch.rand(3, 8, 8, generator=g), "sources": torch.rand(2, 3, 8, 8, generator=g),
                "loss_weight": w} for w in weights]
    return [outputs, targets], [ROWS, TARGETS], None


# -- grid-anchor and heatmap detectors ------------------------------------------------------------


def _ciou(a: torch.Tensor, b: torch.Tensor, eps: float = 1e-7) -> torch.Tensor:
    """Complete IoU of aligned (cx, cy, w, h) boxes: IoU - centre distance / hull diagonal - a v."""
    (ax, ay, aw, ah), (bx, by, bw, bh) = a.unbind(-1), b.unbind(-1)
    ax1, ax2, ay1, ay2 = ax - aw / 2, ax + aw / 2, ay - ah / 2, ay + ah / 2
    bx1, bx2, by1, by2 = bx - bw / 2, bx + bw / 2, by - bh / 2, by + bh / 2
    inter = (torch.min(ax2, bx2) - torch.max(ax1, bx1)).clamp(0) * (torch.min(ay2, by2) - torch.max(ay1, by1)).clamp(0)
    union = aw * ah + bw * bh - inter + eps
    iou = inter / union
    cw = torch.max(ax2, bx2) - torch.min(ax1, bx1)
    ch = torch.max(ay2, by2) - torch.min(ay1, by1)
    c2 = cw**2 + ch**2 + eps
    rho2 = (bx - ax) ** 2 + (by - ay) ** 2
    v = (4 / math.pi**2) * (torch.atan(bw / bh) - torch.atan(aw / ah)).pow(2)
    with torch.no_grad():
        alpha = v / (v - iou + (1 + eps))
    return iou - (rho2 / c2 + v * alpha)


def grid_anchor_ciou_objectness_balance_times_batch(outputs, targets, balance=(4.0, 1.0)):
    """Per level: positives gathered by (image, anchor, gy, gx); their decoded boxes' CIoU loss
    (mean); the objectness target is each positive's detached IoU written into a zero grid, BCE
    mean over every cell times the level's balance; class BCE mean over positives; gains, then
    every term times the batch size."""
    lbox, lobj, lcls = torch.zeros(1), torch.zeros(1), torch.zeros(1)
    for level, pi in enumerate(outputs):
        cells = [t[f"cells{level}"] for t in targets]
        img = torch.cat([torch.full((len(c),), i) for i, c in enumerate(cells)])
        a, gj, gi = torch.cat(cells).T
        tbox = torch.cat([t[f"box{level}"] for t in targets])
        tcls = torch.cat([t[f"cls{level}"] for t in targets])
        tobj = torch.zeros(pi.shape[:4])
        ps = pi[img, a, gj, gi]
        pxy = ps[:, :2].sigmoid() * 2 - 0.5
        pwh = (ps[:, 2:4].sigmoid() * 2) ** 2 * ANCHORS[a]
        iou = _ciou(torch.cat([pxy, pwh], 1), tbox)
        lbox += (1.0 - iou).mean()
        tobj[img, a, gj, gi] = iou.detach().clamp(0)
        t = torch.full_like(ps[:, 5:], 0.0)
        t[range(len(tcls)), tcls] = 1.0
        lcls += F.binary_cross_entropy_with_logits(ps[:, 5:], t)
        lobj += F.binary_cross_entropy_with_logits(pi[..., 4], tobj) * balance[level]
    lbox *= 0.05
    lcls *= 0.5
    bs = tobj.shape[0]
    return {"loss_box": lbox * bs, "loss_obj": lobj * bs, "loss_cls": lcls * bs}


def grid_anchor_losses_in_one_buffer_times_batch(outputs, targets):
    """The terms written into one 3-vector (``loss[0] = ...``), summed and scaled by the batch
    size, as single-stage heads return ``loss.sum() * batch_size`` (here: last level only)."""
    pi = outputs[-1]
    level = len(outputs) - 1
    img = torch.cat([torch.full((len(t[f"cells{level}"]),), i) for i, t in enumerate(targets)])
    a, gj, gi = torch.cat([t[f"cells{level}"] for t in targets]).T
    ps = pi[img, a, gj, gi]
    tbox = torch.cat([t[f"box{level}"] for t in targets])
    scores = torch.zeros(pi.shape[:4])
    scores[img, a, gj, gi] = 1.0
    score_sum = max(scores.sum(), 1)
    loss = torch.zeros(2)
    loss[0] = (1 - _ciou(torch.cat([ps[:, :2].sigmoid(), ps[:, 2:4].exp()], 1), tbox)).sum() / score_sum
    loss[1] = F.binary_cross_entropy_with_logits(pi[..., 4], scores, reduction="none").sum() / score_sum
    return {"loss": loss.sum() * pi.shape[0]}


def _transpose_and_gather(feat: torch.Tensor, ind: torch.Tensor) -> torch.Tensor:
    """[B, C, H, W] maps at [B, OBJ] flattened positions: [B, OBJ, C]."""
    feat = feat.permute(0, 2, 3, 1).contiguous().view(feat.size(0), -1, feat.size(1))
    return feat.gather(1, ind.unsqueeze(2).expand(ind.size(0), ind.size(1), feat.size(2)))


def heatmap_penalty_reduced_focal_and_gathered_size_l1(outputs, targets):
    """Penalty-reduced focal loss on the clamped sigmoid heatmap (negatives scaled by
    (1 - gt)^4), summed and divided by the positives' count, with the no-positive branch; size L1
    of the predictions gathered at each object's centre, over the slot mask's sum."""
    pred = outputs["hm"].sigmoid().clamp(1e-4, 1 - 1e-4)
    gt = _stack(targets, "hm")
    pos = gt.eq(1).float()
    neg = gt.lt(1).float()
    pos_loss = (torch.log(pred) * torch.pow(1 - pred, 2) * pos).sum()
    neg_loss = (torch.log(1 - pred) * torch.pow(pred, 2) * torch.pow(1 - gt, 4) * neg).sum()
    num_pos = pos.sum()
    hm = -neg_loss if num_pos == 0 else -(pos_loss + neg_loss) / num_pos
    ind, mask = _stack(targets, "ind"), _stack(targets, "reg_mask")
    size = _transpose_and_gather(outputs["wh"], ind)
    m = mask.unsqueeze(2).expand_as(size)
    wh = F.l1_loss(size * m, _stack(targets, "wh") * m, reduction="sum") / (m.sum() + 1e-4)
    return {"loss_hm": hm, "loss_wh": 0.1 * wh}


def _iou_xyxy(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    lt, rb = torch.max(a[:, :2], b[:, :2]), torch.min(a[:, 2:], b[:, 2:])
    inter = (rb - lt).clamp(min=0).prod(1)
    area = (a[:, 2:] - a[:, :2]).prod(1) + (b[:, 2:] - b[:, :2]).prod(1) - inter
    return inter / (area + 1e-16)


def per_image_foreground_counts_added_in_python(outputs, targets):
    """Per image: the foreground count read on the host and added up in Python; targets
    concatenated; IoU loss ``1 - iou^2``, objectness and class BCE summed over ``max(num_fg, 1)``,
    and their total with the box term weighted 5."""
    out = outputs["out"]
    num_fg = 0.0
    cls_t, box_t, obj_t, fg_masks = [], [], [], []
    for t in targets:
        num_fg_img = t["fg"].sum().item()
        num_fg += num_fg_img
        cls_t.append(t["cls"])
        box_t.append(t["boxes"])
        obj_t.append(t["fg"].float()[:, None])
        fg_masks.append(t["fg"])
    cls_t, box_t, obj_t, fg = torch.cat(cls_t), torch.cat(box_t), torch.cat(obj_t), torch.cat(fg_masks)
    num_fg = max(num_fg, 1)
    boxes = out[..., :4].reshape(-1, 4)[fg]
    pred = torch.cat([boxes[:, :2] - boxes[:, 2:] / 2, boxes[:, :2] + boxes[:, 2:] / 2], 1)
    loss_iou = (1 - _iou_xyxy(pred, box_t) ** 2).sum() / num_fg
    loss_obj = F.binary_cross_entropy_with_logits(out[..., 4].reshape(-1, 1), obj_t, reduction="none").sum() / num_fg
    loss_cls = F.binary_cross_entropy_with_logits(out[..., 5:].reshape(-1, C)[fg], cls_t, reduction="none").sum() / num_fg
    return {"total_loss": 5.0 * loss_iou + loss_obj + loss_cls, "iou_loss": 5.0 * loss_iou,
            "conf_loss": loss_obj, "cls_loss": loss_cls}


# -- segmentation ---------------------------------------------------------------------------------


def _lovasz_grad(gt_sorted: torch.Tensor) -> torch.Tensor:
    gts = gt_sorted.sum()
    inter = gts - gt_sorted.cumsum(0)
    union = gts + (1 - gt_sorted).cumsum(0)
    jaccard = 1.0 - inter / union
    return torch.cat([jaccard[:1], jaccard[1:] - jaccard[:-1]])


def lovasz_softmax_per_image_over_present_classes(outputs, targets):
    """Per image: softmax of its valid pixels; for each class present in its labels, the Lovász
    extension of the sorted errors |fg - p_c|; mean over present classes, then over images."""
    probs = outputs["seg"].softmax(1)
    per_image = []
    for b, t in enumerate(targets):
        labels = t["semantic"].flatten()
        valid = labels != IGNORE
        p, y = probs[b].flatten(1)[:, valid], labels[valid]
        losses = []
        for c in range(K):
            fg = (y == c).float()
            if fg.sum() == 0:
                continue
            errors = (fg - p[c]).abs()
            errors_sorted, order = torch.sort(errors, 0, descending=True)
            losses.append(torch.dot(errors_sorted, _lovasz_grad(fg[order])))
        per_image.append(sum(losses) / len(losses))
    return {"loss_lovasz": sum(per_image) / len(per_image)}


def generalised_dice_per_image_and_boundary(outputs, targets, eps=1e-5):
    """Generalised dice per image (class weights 1 / volume^2 of that image's one-hot labels,
    background left out), mean over images; boundary loss: foreground probabilities times the
    precomputed signed distance maps, mean."""
    labels = _stack(targets, "semantic")
    valid = (labels != IGNORE)[:, None].float()
    probs = outputs["seg"].softmax(1) * valid
    onehot = F.one_hot(labels.clamp(max=K - 1), K).permute(0, 3, 1, 2).float() * valid
    p, y = probs[:, 1:].flatten(2), onehot[:, 1:].flatten(2)
    w = 1.0 / (y.sum(2) ** 2).clamp(min=eps)
    inter = (w * (p * y).sum(2)).sum(1)
    union = (w * (p + y).sum(2)).sum(1)
    gdl = 1.0 - 2.0 * inter / union.clamp(min=eps)
    boundary = (probs[:, 1:] * _stack(targets, "dist")).mean()
    return {"loss_gdl": (gdl * _weights(targets)).mean(), "loss_boundary": boundary}


def focal_tversky_of_batch_sums(outputs, targets, alpha=0.7, beta=0.3, gamma=0.75, smooth=1.0):
    """(1 - Tversky index of the batch's sums) ** gamma: a power of a ratio of batch sums."""
    labels = _stack(targets, "semantic")
    valid = (labels != IGNORE)[:, None].float()
    p = outputs["seg"].softmax(1)[:, 1:] * valid
    y = F.one_hot(labels.clamp(max=K - 1), K).permute(0, 3, 1, 2)[:, 1:].float() * valid
    tp, fn, fp = (p * y).sum(), ((1 - p) * y).sum(), (p * (1 - y)).sum()
    tversky = (tp + smooth) / (tp + alpha * fn + beta * fp + smooth)
    return {"loss_ftl": (1 - tversky) ** gamma}


def main_and_auxiliary_head_class_weighted_cross_entropy(outputs, targets):
    """Class-weighted CE with ``ignore_index`` on the main logits and, with factor 0.4, on the
    auxiliary head's logits upsampled to the label size (bilinear, align_corners)."""
    labels = _stack(targets, "semantic")
    cw = torch.tensor([0.5, 1.0, 2.0])
    aux = F.interpolate(outputs["aux"], size=labels.shape[-2:], mode="bilinear", align_corners=True)
    main = F.cross_entropy(outputs["seg"], labels, weight=cw, ignore_index=IGNORE)
    return {"loss_seg": main + 0.4 * F.cross_entropy(aux, labels, weight=cw, ignore_index=IGNORE)}


def top_k_pixel_ce_and_weighted_center_offset(outputs, targets, top_k=0.3):
    """Panoptic heads: CE of the hardest ``top_k`` of every pixel of the batch (flattened, one
    ranking), center-heatmap MSE and offset L1 each weighted per pixel over its weight sum, with a
    zero loss when no pixel has weight (a host branch)."""
    labels = _stack(targets, "semantic")
    ce = F.cross_entropy(outputs["seg"], labels, ignore_index=IGNORE, reduction="none").contiguous().view(-1)
    hard, _ = torch.topk(ce, int(top_k * ce.numel()))
    cw, ow = _stack(targets, "center_w"), _stack(targets, "offset_w")
    center = F.mse_loss(outputs["center"], _stack(targets, "center"), reduction="none") * cw
    center = center.sum() / cw.sum() if cw.sum() > 0 else center.sum() * 0
    offset = F.l1_loss(outputs["offset"], _stack(targets, "offset"), reduction="none") * ow
    offset = offset.sum() / ow.sum() if ow.sum() > 0 else offset.sum() * 0
    return {"loss_sem": hard.mean(), "loss_center": 200 * center, "loss_offset": 0.01 * offset}


# -- self-supervised, distillation and classification --------------------------------------------


def infonce_against_a_queue_of_negatives(outputs, targets, queue, centre, tau=0.2):
    """Each query against its own key (positive) and a fixed queue of negatives: logits
    [B, 1 + QUEUE] / tau, CE with label 0."""
    q, k = F.normalize(outputs["q"], dim=1), F.normalize(outputs["k"], dim=1).detach()
    l_pos = torch.einsum("nc,nc->n", q, k).unsqueeze(-1)
    l_neg = torch.einsum("nc,ck->nk", q, queue)
    logits = torch.cat([l_pos, l_neg], dim=1) / tau
    labels = torch.zeros(logits.shape[0], dtype=torch.long)
    return {"loss_contrast": F.cross_entropy(logits, labels)}


def symmetric_normalised_mse_to_stop_gradient_target(outputs, targets, queue, centre):
    """Online predictions against the other view's detached target projection:
    2 - 2 cos, both directions, per image, mean."""
    def regress(p, z):
        return 2 - 2 * (F.normalize(p, dim=-1) * F.normalize(z.detach(), dim=-1)).sum(-1)

    loss = regress(outputs["p1"], outputs["z2"]) + regress(outputs["p2"], outputs["z1"])
    return {"loss_byol": (loss * _weights(targets)).mean()}


def centred_teacher_student_cross_entropy_over_crops(outputs, targets, queue, centre, ts=0.1, tt=0.04):
    """Teacher softmax of (output - centre) / tt on the global crops, student log-softmax / ts on
    every crop; CE over every (teacher crop, other student crop) pair, mean over images, averaged
    over the pairs counted in Python."""
    student = [s / ts for s in outputs["student"]]
    teacher = [F.softmax((t - centre) / tt, dim=-1).detach() for t in outputs["teacher"]]
    total, terms = 0, 0
    for iq, q in enumerate(teacher):
        for v, s in enumerate(student):
            if v == iq:
                continue
            total += torch.sum(-q * F.log_softmax(s, dim=-1), dim=-1).mean()
            terms += 1
    return {"loss_dino": total / terms}


def distillation_batchmean_kl_times_t_squared_and_hard_ce(outputs, targets, temp=4.0, alpha=0.9):
    """KL(teacher || student) at temperature T, ``reduction='batchmean'``, times T^2, mixed with
    the hard-label CE."""
    labels = _stack(targets, "label")
    soft = F.kl_div(F.log_softmax(outputs["logits"] / temp, dim=1), F.softmax(outputs["teacher"] / temp, dim=1),
                    reduction="batchmean") * temp * temp
    return {"loss_kd": alpha * soft + (1 - alpha) * F.cross_entropy(outputs["logits"], labels)}


def poly1_cross_entropy(outputs, targets, epsilon=1.0):
    """CE plus epsilon * (1 - p_t), p_t the softmax probability of the label (one-hot sum)."""
    labels = _stack(targets, "label")
    logits = outputs["logits"]
    pt = torch.sum(F.one_hot(labels, logits.size(-1)) * F.softmax(logits, dim=-1), dim=-1)
    ce = F.cross_entropy(logits, labels, reduction="none")
    return {"loss_poly": (ce + epsilon * (1 - pt)).mean()}


def soft_target_cross_entropy(outputs, targets):
    """Cross entropy against mixed (soft) targets: sum over classes of -target * log-softmax, mean."""
    soft = _stack(targets, "soft")
    return {"loss_soft": torch.sum(-soft * F.log_softmax(outputs["logits"], dim=-1), dim=-1).mean()}


def asymmetric_multilabel_loss(outputs, targets, gamma_neg=4, gamma_pos=1, clip=0.05, eps=1e-8):
    """Multi-label: negatives' probabilities shifted by ``clip``, log terms clamped, each
    element scaled by (1 - p_t)^gamma (gamma by target) computed with grad disabled; minus the sum."""
    y = _stack(targets, "multi")
    xs_pos = torch.sigmoid(outputs["logits"])
    xs_neg = (1 - xs_pos + clip).clamp(max=1)
    loss = y * torch.log(xs_pos.clamp(min=eps)) + (1 - y) * torch.log(xs_neg.clamp(min=eps))
    torch.set_grad_enabled(False)
    pt = xs_pos * y + xs_neg * (1 - y)
    weight = torch.pow(1 - pt, gamma_pos * y + gamma_neg * (1 - y))
    torch.set_grad_enabled(True)
    return {"loss_asl": -(loss * weight).sum()}


# -- sequences ------------------------------------------------------------------------------------


def ctc_mean_over_target_lengths(logits, labels, input_lengths):
    """Log-softmax made time-major, labels flattened by their mask (1-D, concatenated), target
    lengths from the mask; CTC ``reduction='mean'`` divides each sequence's loss by its target
    length, then takes the mean over sequences."""
    mask = labels >= 0
    log_probs = F.log_softmax(logits, dim=-1, dtype=torch.float32).transpose(0, 1)
    return {"loss_ctc": F.ctc_loss(log_probs, labels.masked_select(mask), input_lengths, mask.sum(-1), blank=0,
                                   reduction="mean", zero_infinity=True)}


def ctc_sum_over_batch_size(logits, labels, input_lengths):
    """CTC on padded 2-D targets, summed, over the number of sequences (dim 1 of the time-major
    log-probabilities)."""
    log_probs = logits.log_softmax(2).transpose(0, 1)
    target_lengths = (labels >= 0).sum(-1)
    loss = F.ctc_loss(log_probs, labels.clamp(min=1), input_lengths, target_lengths, reduction="sum", zero_infinity=True)
    return {"loss_ctc": loss / log_probs.size(1)}


def label_smoothed_nll_summed_over_outside_token_count(outputs, batch, ntokens, eps=0.1):
    """Decoder log-probabilities, NLL of the target and the smoothing term, padding written to 0
    in place, mixed with eps / (V - 1); summed and divided by the step's token count (from outside)."""
    lprobs = F.log_softmax(outputs["logits"], dim=-1).view(-1, V)
    target = batch["labels"].view(-1, 1)
    nll = -lprobs.gather(dim=-1, index=target)
    smooth = -lprobs.sum(dim=-1, keepdim=True)
    pad = target.eq(PAD)
    nll.masked_fill_(pad, 0.0)
    smooth.masked_fill_(pad, 0.0)
    eps_i = eps / (lprobs.size(-1) - 1)
    loss = (1.0 - eps - eps_i) * nll.sum() + eps_i * smooth.sum()
    return {"loss": loss / ntokens, "nll_loss": nll.sum() / ntokens}


def masked_lm_plus_next_sentence_total(outputs, batch, ntokens):
    """Masked-token CE (-100 elsewhere) plus the next-sentence CE, added into one total."""
    mlm = F.cross_entropy(outputs["logits"].view(-1, V), batch["mlm"].view(-1))
    nsp = F.cross_entropy(outputs["nsp"].view(-1, 2), batch["next"].view(-1))
    return {"loss": mlm + nsp}


# -- generative models ----------------------------------------------------------------------------


def vae_summed_bce_and_kl_over_batch_size(outputs, targets, codebook, alphas_cumprod, beta=1.0):
    """Reconstruction BCE summed, KL of the diagonal Gaussian -0.5 sum(1 + logvar - mu^2 -
    exp(logvar)), both divided by the batch size."""
    x = _stack(targets, "image")
    mu, logvar = outputs["mu"], outputs["logvar"]
    bce = F.binary_cross_entropy(outputs["recon"], x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return {"loss_recon": bce / x.size(0), "loss_kl": beta * kld / x.size(0)}


DECODER = torch.randn(Z, 1, 4, 4, generator=_gen(123)) * 0.3  # a fixed decoder: latents to 8x8


def vector_quantiser_codebook_commitment_straight_through(outputs, targets, codebook, alphas_cumprod):
    """Nearest codebook entry per latent position (squared distances, argmin, one-hot written by
    ``scatter_``, matmul), codebook + 0.25 * commitment MSE, straight-through estimator, the
    reconstruction MSE through a fixed decoder, and the perplexity of the codes used over the batch."""
    z = outputs["z_e"].permute(0, 2, 3, 1).contiguous()
    flat = z.view(-1, Z)
    d = (flat**2).sum(1, keepdim=True) + (codebook**2).sum(1) - 2 * flat @ codebook.T
    idx = d.argmin(1).unsqueeze(1)
    enc = torch.zeros(idx.shape[0], CODES)
    enc.scatter_(1, idx, 1)
    quant = (enc @ codebook).view(z.shape)
    vq = F.mse_loss(quant, z.detach()) + 0.25 * F.mse_loss(quant.detach(), z)
    quant = z + (quant - z).detach()
    recon = F.mse_loss(F.conv_transpose2d(quant.permute(0, 3, 1, 2), DECODER, stride=4), _stack(targets, "image"))
    avg = enc.mean(0)
    return {"loss_vq": vq, "loss_recon": recon, "perplexity": torch.exp(-torch.sum(avg * torch.log(avg + 1e-10)))}


def diffusion_noise_mse_with_min_snr_weights(outputs, targets, codebook, alphas_cumprod, gamma=5.0):
    """Per image its timestep's SNR from the schedule (a gather), the v-prediction target
    sqrt(a) noise - sqrt(1 - a) x0, per-image MSE mean times min(SNR, gamma) / (SNR + 1), mean."""
    t = _stack(targets, "t")
    a = alphas_cumprod[t]
    snr = a / (1 - a)
    weights = torch.stack([snr, gamma * torch.ones_like(t, dtype=snr.dtype)], dim=1).min(dim=1)[0] / (snr + 1)
    x0, noise = _stack(targets, "image"), _stack(targets, "noise")
    v = a.sqrt().view(-1, 1, 1, 1) * noise - (1 - a).sqrt().view(-1, 1, 1, 1) * x0
    loss = F.mse_loss(outputs["eps"].float(), v.float(), reduction="none")
    loss = loss.mean(dim=list(range(1, len(loss.shape)))) * weights
    return {"loss_diffusion": (loss * _weights(targets)).mean()}


def _ssim_cs(x, y, window, c1=0.01**2, c2=0.03**2):
    mu_x, mu_y = F.conv2d(x, window), F.conv2d(y, window)
    sxx = F.conv2d(x * x, window) - mu_x**2
    syy = F.conv2d(y * y, window) - mu_y**2
    sxy = F.conv2d(x * y, window) - mu_x * mu_y
    cs = (2 * sxy + c2) / (sxx + syy + c2)
    ssim = (2 * mu_x * mu_y + c1) / (mu_x**2 + mu_y**2 + c1) * cs
    return ssim.flatten(1).mean(-1), cs.flatten(1).mean(-1)


def multi_scale_ssim_per_image(outputs, targets, codebook, alphas_cumprod, scale_weights=(0.3, 0.3, 0.4)):
    """MS-SSIM: per image, contrast-structure at the finer scales (average-pooled by 2 between
    them) and SSIM at the coarsest, each relu'd and raised to its scale weight, multiplied;
    1 - mean over images."""
    x, y = outputs["restored"], _stack(targets, "clean")
    g1 = torch.exp(-((torch.arange(3) - 1.0) ** 2) / 2)
    window = (g1[:, None] * g1[None, :] / g1.sum() ** 2)[None, None]
    mcs = []
    for level in range(len(scale_weights)):
        ssim, cs = _ssim_cs(x, y, window)
        mcs.append(torch.relu(cs))
        if level < len(scale_weights) - 1:
            x, y = F.avg_pool2d(x, 2), F.avg_pool2d(y, 2)
    values = torch.stack(mcs[:-1] + [torch.relu(ssim)], dim=0)
    ms = torch.prod(values ** torch.tensor(scale_weights).view(-1, 1), dim=0)
    return {"loss_msssim": 1 - ms.mean()}


def r1_gradient_penalty(outputs, targets, codebook, alphas_cumprod, gamma=10.0):
    """Squared norm of the gradient of a discriminator's summed outputs on the real images,
    per image, mean, times gamma / 2 (``torch.autograd.grad`` with ``create_graph``, grad enabled
    as evaluation loops need)."""
    with torch.enable_grad():
        real = _stack(targets, "image").requires_grad_()
        score = (real * outputs["decoded"]).sum((1, 2, 3))
        (grad,) = torch.autograd.grad(outputs=score.sum(), inputs=real, create_graph=True)
    return {"loss_r1": gamma / 2 * grad.pow(2).reshape(grad.shape[0], -1).sum(1).mean()}


# -- pose and depth -------------------------------------------------------------------------------


def coordinate_classification_kl_with_keypoint_weights(outputs, targets, beta=10.0):
    """Per axis: KL between the Gaussian bin labels and the log-softmax of beta * logits,
    mean over bins, times the keypoint weight; mean; the two axes added."""
    weight = _stack(targets, "weight")
    loss = 0
    for axis in ("x", "y"):
        log_pt = F.log_softmax(outputs[axis] * beta, dim=-1)
        kl = F.kl_div(log_pt, _stack(targets, axis), reduction="none").mean(-1)
        loss = loss + (kl * weight).mean()
    return {"loss_simcc": loss}


def adaptive_wing_on_heatmaps_with_dilated_weight_map(outputs, targets, alpha=2.1, omega=14.0, eps=1.0, theta=0.5):
    """Adaptive wing loss: log-type below theta, linear above, exponents and offsets depending on
    the target value; weighted 10x where the 3x3-dilated target exceeds 0.2; mean."""
    pred, y = outputs["hm"], _stack(targets, "hm")
    delta = (y - pred).abs()
    a = omega * (1 / (1 + torch.pow(theta / eps, alpha - y))) * (alpha - y) * torch.pow(theta / eps, alpha - y - 1) / eps
    c = theta * a - omega * torch.log(1 + torch.pow(theta / eps, alpha - y))
    loss = torch.where(delta < theta, omega * torch.log(1 + torch.pow(delta / eps, alpha - y)), a * delta - c)
    mask = (F.max_pool2d(y, 3, stride=1, padding=1) > 0.2).float() * 9 + 1
    return {"loss_awing": (loss * mask).mean()}


def photometric_min_reprojection_and_edge_aware_smoothness(outputs, targets):
    """Per pixel 0.85 * (1 - SSIM) / 2 + 0.15 * L1 (channel mean) of each warped source frame; the
    minimum over source frames and over the identity (unwarped) reprojections (auto-masking);
    mean. Edge-aware smoothness of the mean-normalised disparity, divided by 2 ** scale."""
    target = _stack(targets, "frame")
    pool = torch.nn.functional.avg_pool2d

    def reprojection(pred, tgt):
        l1 = (tgt - pred).abs().mean(1, True)
        x, y = F.pad(pred, (1, 1, 1, 1), mode="reflect"), F.pad(tgt, (1, 1, 1, 1), mode="reflect")
        mu_x, mu_y = pool(x, 3, 1), pool(y, 3, 1)
        sxx, syy, sxy = pool(x * x, 3, 1) - mu_x**2, pool(y * y, 3, 1) - mu_y**2, pool(x * y, 3, 1) - mu_x * mu_y
        ssim = ((2 * mu_x * mu_y + 1e-4) * (2 * sxy + 9e-4)) / ((mu_x**2 + mu_y**2 + 1e-4) * (sxx + syy + 9e-4))
        return 0.85 * torch.clamp((1 - ssim) / 2, 0, 1).mean(1, True) + 0.15 * l1

    warped, sources = outputs["warped"], _stack(targets, "sources")
    reproj = torch.cat([reprojection(warped[:, i], target) for i in range(2)], 1)
    identity = torch.cat([reprojection(sources[:, i], target) for i in range(2)], 1)
    combined, _ = torch.min(torch.cat([identity, reproj], 1), dim=1)
    disp = outputs["disp"]
    norm = disp / (disp.mean(2, True).mean(3, True) + 1e-7)
    gx = (norm[:, :, :, :-1] - norm[:, :, :, 1:]).abs()
    gy = (norm[:, :, :-1, :] - norm[:, :, 1:, :]).abs()
    gx = gx * torch.exp(-(target[:, :, :, :-1] - target[:, :, :, 1:]).abs().mean(1, keepdim=True))
    gy = gy * torch.exp(-(target[:, :, :-1, :] - target[:, :, 1:, :]).abs().mean(1, keepdim=True))
    return {"loss_photo": combined.mean(), "loss_smooth": 1e-3 * (gx.mean() + gy.mean()) / 2**0}


# -- the table ------------------------------------------------------------------------------------


CASES = {c.body.__name__: c for c in [
    # grid-anchor and heatmap detectors
    Case(grid_anchor_ciou_objectness_balance_times_batch, grid_batch),
    Case(grid_anchor_losses_in_one_buffer_times_batch, grid_batch),
    Case(heatmap_penalty_reduced_focal_and_gathered_size_l1, heatmap_det_batch),
    # the group with no foreground on batch 1: max(num_fg, 1) is proven in the bytecode, so its sum over 1
    Case(per_image_foreground_counts_added_in_python, anchor_free_batch),
    # segmentation
    Case(lovasz_softmax_per_image_over_present_classes, seg_batch, gaps=keys("loss_lovasz"),
         why="on the 3-image batch, / len(losses) (3 classes present) equals the images: read as their "
             "count, each image's part has an outside normaliser, and groups lack the other images' parts",
         gap_batches=(1,)),
    Case(generalised_dice_per_image_and_boundary, seg_batch),
    Case(focal_tversky_of_batch_sums, seg_batch, keys("loss_ftl"), why="a power of a ratio of the batch's sums"),
    Case(main_and_auxiliary_head_class_weighted_cross_entropy, seg_batch),
    Case(top_k_pixel_ce_and_weighted_center_offset, seg_batch, keys("loss_sem"),
         why="the hardest pixels ranked over the whole batch"),
    # self-supervised, distillation, classification
    Case(infonce_against_a_queue_of_negatives, view_batch),
    Case(symmetric_normalised_mse_to_stop_gradient_target, view_batch),
    Case(centred_teacher_student_cross_entropy_over_crops, view_batch),
    Case(distillation_batchmean_kl_times_t_squared_and_hard_ce, class_batch),
    Case(poly1_cross_entropy, class_batch),
    Case(soft_target_cross_entropy, class_batch),
    Case(asymmetric_multilabel_loss, class_batch),
    # sequences
    Case(ctc_mean_over_target_lengths, ctc_batch),
    Case(ctc_sum_over_batch_size, ctc_batch),
    Case(label_smoothed_nll_summed_over_outside_token_count, token_batch),
    Case(masked_lm_plus_next_sentence_total, token_batch),
    # generative
    Case(vae_summed_bce_and_kl_over_batch_size, generative_batch),
    # the perplexity of the codes' mean use is, on a group alone, an expression of the group's per-code means
    # (session 26: counted as a mix before)
    Case(vector_quantiser_codebook_commitment_straight_through, generative_batch),
    Case(diffusion_noise_mse_with_min_snr_weights, generative_batch),
    Case(multi_scale_ssim_per_image, generative_batch),
    Case(r1_gradient_penalty, generative_batch),
    # pose, depth
    Case(coordinate_classification_kl_with_keypoint_weights, pose_batch),
    Case(adaptive_wing_on_heatmaps_with_dilated_weight_map, pose_batch),
    Case(photometric_min_reprojection_and_edge_aware_smoothness, stereo_batch),
]}


globals().update(survey_tests(CASES, range(len(WEIGHTS)), 28, (173, 10, 2, 0)))
