"""Coverage survey 9: public criteria not in the earlier surveys, in the fields issue #13 names
(dense detection with dynamic assignment, pose and 3-D boxes, segmentation, restoration, depth and
flow, language models and preference training).

Each entry reproduces one public criterion's pattern -- its ops, gathers, reductions and
normalisers -- in a body of its own, decorated from outside and compared with the oracle (the
body on each group's images alone, weight field set to 1): training values and gradients stay
bit-identical, every companion given equals the oracle, and each key that gets no companion is
recorded with why: ``MIXES`` (the images truly mix) or ``GAP`` (the oracle has a value that the
capture does not give; counted against the 3 % budget of issue #13). None of these patterns drove
the rules: the figures are those of first contact, nothing under ``losssplit/`` changed for them.

FIRST_CONTACT (21 patterns, two batches, nothing changed for them): 180 expected companions, 26
declined, 16 GAP (8.9 %), 0 WRONG. The GAPs: the cost-based dynamic assignment reads each image's
k on the host (``.int().tolist()`` of its top IoUs) and then calls ``topk`` on the next image's
rows, which the capture cannot tell from a size taken from the earlier image, so the whole call is
declined (12: every key, both batches); region mutual information loses the attribution at
``torch.diagonal`` of the per-image-and-class Cholesky factor [B, K, 9, 9] (4: ``loss_rmi``; the
chain before it, ``F.unfold``, ``torch.linalg.solve`` and ``torch.linalg.cholesky``, has no rules,
each a per-image op over non-row dims; rules added after the measure). The dynamic assignment's
first ``topk`` on image i, ``iou.topk(5, dim=1)``, has a ``k`` written as a literal: proven from
the caller's bytecode at the call since (the ``k`` of each object, read on the host, sizes a
``topk`` of the same image, as on the group alone). Now: 180 expected, 10 declined, 0 GAP. The
other 10 declines mix images: CLIP-style logits over every image / text pair of the batch, and a
reference point that is a mean over the batch's mismatched (rolled) answers.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from _helpers import ROWS, TARGETS
from _survey import Case, keys, survey_tests
from _survey import corners as _corners
from _survey import gen as _gen
from _survey import iou_pairs as _iou_pairs
from _survey import leaf as _leaf
from _survey import stack as _stack

WEIGHTS = ([1.0, 0.5, 0.5, 1.0], [0.5, 1.0, 0.5])
SOURCES = (["web", "code", "web", "book"], ["code", "web", "code"])
G, NC, J, S = 4, 3, 5, 8  # anchor grid side, classes, keypoints, map side
A = G * G


# -- batches --------------------------------------------------------------------------------------

CENTRES = torch.stack(torch.meshgrid((torch.arange(G) + 0.5) / G, (torch.arange(G) + 0.5) / G, indexing="xy"),
                      -1).reshape(A, 2)


def det_batch(seed: int) -> tuple[list, list, None]:
    """A dense one-stage detector on a G x G grid of anchor points: boxes [B, A, 4] (cxcywh),
    objectness [B, A], class logits [B, A, NC], keypoints [B, A, J, 2] with visibility logits
    [B, A, J], 3-D boxes [B, A, 7] (centre, size, yaw). Per image ``1 + (i + seed) % 3`` objects with
    boxes, labels, keypoints with visibility, 3-D boxes and, for a fixed assignment, the anchor of
    each object (``pos``: per anchor the object index or -1)."""
    g = _gen(seed + 900)
    b = len(WEIGHTS[seed])
    outputs = {"box": torch.cat([CENTRES.expand(b, A, 2) + torch.randn(b, A, 2, generator=g) * 0.05,
                                 torch.rand(b, A, 2, generator=g) * 0.3 + 0.15], -1).requires_grad_(),
               "obj": _leaf(b, A, g=g), "cls": _leaf(b, A, NC, g=g), "kpt": _leaf(b, A, J, 2, g=g, scale=0.01),
               "kpt_vis": _leaf(b, A, J, g=g), "box3d": _leaf(b, A, 7, g=g)}
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        n = 1 + (i + seed) % 3
        anchors = torch.randperm(A, generator=g)[:n]
        boxes = torch.cat([CENTRES[anchors] + torch.randn(n, 2, generator=g) * 0.03,
                           torch.rand(n, 2, generator=g) * 0.3 + 0.15], -1)
        pos = torch.full((A,), -1, dtype=torch.long)
        pos[anchors] = torch.arange(n)
        targets.append({"boxes": boxes, "labels": torch.randint(0, NC, (n,), generator=g), "pos": pos,
                        "kpts": torch.randn(n, J, 2, generator=g) * 0.01,
                        "vis": (torch.rand(n, J, generator=g) < 0.7).float(),
                        "box3d": torch.randn(n, 7, generator=g), "loss_weight": w})
    return [outputs, targets], [ROWS, TARGETS], None


K, IGNORE = 3, 255
CLASS_WEIGHT = torch.tensor([0.8, 1.0, 1.6])  # fixed class weights (from dataset statistics)


def seg_batch(seed: int) -> tuple[list, list, None]:
    """Semantic maps: logits [B, K, S, S]; per image labels with ignored pixels and a per-pixel
    weight map (small instances weighted up)."""
    g = _gen(seed + 910)
    b = len(WEIGHTS[seed])
    targets = []
    for w in WEIGHTS[seed]:
        labels = torch.randint(0, K, (S, S), generator=g)
        labels[torch.rand(S, S, generator=g) < 0.15] = IGNORE
        pw = torch.ones(S, S)
        pw[torch.rand(S, S, generator=g) < 0.2] = 3.0
        targets.append({"labels": labels, "pixel_weight": pw, "loss_weight": w})
    return [{"seg": _leaf(b, K, S, S, g=g)}, targets], [ROWS, TARGETS], None


LEVELS = 3


def image_batch(seed: int) -> tuple[list, list, None]:
    """Restoration, depth and flow: restored images [B, 3, S, S] in [0, 1] and their coarser
    outputs (S/2, S/4), positive depth [B, S, S], flows at three pyramid levels [B, 2, S/2^l, S/2^l].
    Per image a clean image, a depth map with a valid mask and a flow with a valid mask."""
    g = _gen(seed + 920)
    b = len(WEIGHTS[seed])
    outputs = {"img": [torch.rand(b, 3, S >> lvl, S >> lvl, generator=g).requires_grad_() for lvl in range(LEVELS)],
               "depth": (torch.rand(b, S, S, generator=g) + 0.5).requires_grad_(),
               "flow": [_leaf(b, 2, S >> lvl, S >> lvl, g=g) for lvl in range(LEVELS)]}
    targets = [{"clean": torch.rand(3, S, S, generator=g), "depth": torch.rand(S, S, generator=g) * 3 + 1,
                "valid": torch.rand(S, S, generator=g) < 0.8, "flow": torch.randn(2, S, S, generator=g),
                "flow_valid": (torch.rand(S, S, generator=g) < 0.9).float(), "loss_weight": w}
               for w in WEIGHTS[seed]]
    return [outputs, targets], [ROWS, TARGETS], None


T, V, H, NV, DE = 7, 11, 2, 3, 5  # tokens, vocabulary, extra prediction heads, views, embedding width


def _token_labels(g: torch.Generator, rows: int) -> torch.Tensor:
    labels = torch.randint(0, V, (rows, T), generator=g)
    for r in range(rows):
        labels[r, T - r % 3:] = -100
    return labels


def lm_batch(seed: int) -> tuple[list, list, list]:
    """Language-model training, one source per row: logits [B, T, V] and extra-token heads
    [B, H, T, V], a classification head [B, NC], a value head [B, T], chosen / rejected logits and
    reward values, embeddings of several views [B, NV, DE] and of image / text pairs [B, DE]. The
    batch: labels with -100, packed position ids (resets inside rows), prefix lengths, class labels,
    regression targets, chosen / rejected labels with the reference model's sequence log-probs,
    lengths, and a desirable flag per row."""
    g = _gen(seed + 930)
    b = len(SOURCES[seed])
    model = {"logits": _leaf(b, T, V, g=g), "mtp": _leaf(b, H, T, V, g=g), "cls": _leaf(b, NC, g=g),
             "reg": _leaf(b, T, g=g), "chosen": _leaf(b, T, V, g=g), "rejected": _leaf(b, T, V, g=g),
             "r_chosen": _leaf(b, T, g=g), "r_rejected": _leaf(b, T, g=g), "views": _leaf(b, NV, DE, g=g),
             "img": _leaf(b, DE, g=g), "txt": _leaf(b, DE, g=g)}
    pos = torch.stack([torch.cat([torch.arange(2 + r % 3), torch.arange(T - 2 - r % 3)]) for r in range(b)])
    batch = {"labels": _token_labels(g, b), "position_ids": pos, "prefix": torch.tensor([1 + r % 3 for r in range(b)]),
             "cls": torch.randint(0, NC, (b,), generator=g), "reg": torch.randn(b, T, generator=g),
             "chosen_labels": _token_labels(g, b), "rejected_labels": _token_labels(g, b),
             "ref_chosen": torch.randn(b, generator=g) - 20, "ref_rejected": torch.randn(b, generator=g) - 20,
             "length": torch.tensor([T - r % 3 for r in range(b)]),
             "desirable": torch.tensor([r % 2 == 0 for r in range(b)])}
    return [model, batch], [ROWS, ROWS], SOURCES[seed]


# -- detection ------------------------------------------------------------------------------------


def _iou_aligned(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    a, b = _corners(a), _corners(b)
    wh = (torch.min(a[..., 2:], b[..., 2:]) - torch.max(a[..., :2], b[..., :2])).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    return inter / ((a[..., 2:] - a[..., :2]).prod(-1) + (b[..., 2:] - b[..., :2]).prod(-1) - inter + 1e-7)


def _assigned(targets: list[dict], name: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The positive anchors' mask [B, A] and their objects' ``name`` rows (image-major)."""
    pos = _stack(targets, "pos") >= 0
    return pos, torch.cat([t[name][t["pos"][t["pos"] >= 0]] for t in targets])


def iou_aware_objectness_box_and_class_over_positives(outputs, targets):
    """One-stage detector with IoU-aware objectness: IoU of each positive anchor's box with its
    object's, ``1 - IoU`` mean over positives, class BCE on positives (mean), objectness BCE over
    every anchor with the detached, clamped IoU as the positives' target (mean)."""
    pos, boxes = _assigned(targets, "boxes")
    _, labels = _assigned(targets, "labels")
    iou = _iou_aligned(outputs["box"][pos], boxes)
    obj_t = torch.zeros_like(outputs["obj"])
    obj_t[pos] = iou.detach().clamp(0)
    cls_t = F.one_hot(labels, NC).float()
    return {"loss_box": (1 - iou).mean(), "loss_cls": F.binary_cross_entropy_with_logits(outputs["cls"][pos], cls_t),
            "loss_obj": F.binary_cross_entropy_with_logits(outputs["obj"], obj_t)}


def task_aligned_top_k_per_object_over_target_score_sum(outputs, targets):
    """Task-aligned assignment per image (no grad): alignment ``score ** 1 * IoU ** 6`` of each
    anchor with each object, the top 4 anchors per object whose centres lie in its box, an anchor
    on several objects kept for the highest IoU; soft targets the alignment normalised per object
    times its best IoU. Class BCE against them summed over the target score sum (clamped to 1);
    IoU loss of positives weighted by their target score, same normaliser."""
    cls_t, weights, ious = [], [], []
    for i, t in enumerate(targets):
        with torch.no_grad():
            iou = _iou_pairs(t["boxes"], outputs["box"][i])
            score = outputs["cls"][i].sigmoid()[:, t["labels"]].T
            align = score * iou ** 6
            c = _corners(t["boxes"])
            inside = ((CENTRES[None] > c[:, None, :2]) & (CENTRES[None] < c[:, None, 2:])).all(-1)
            top = (align * inside).topk(4, dim=1).indices
            cand = torch.zeros_like(align, dtype=torch.bool).scatter_(1, top, True) & inside
            fg = cand.any(0)
            best = (iou * cand).argmax(0)
            metric = align * cand
            norm = metric / (metric.amax(1, keepdim=True) + 1e-9) * (iou * cand).amax(1, keepdim=True)
            score_t = norm.amax(0) * fg
            cls_t.append(F.one_hot(t["labels"][best], NC).float() * score_t[:, None])
        ious.append(_iou_aligned(outputs["box"][i][fg], t["boxes"][best[fg]]))
        weights.append(score_t[fg])
    cls_t, w = torch.stack(cls_t), torch.cat(weights)
    denom = cls_t.sum().clamp(min=1)
    return {"loss_cls": F.binary_cross_entropy_with_logits(outputs["cls"], cls_t, reduction="sum") / denom,
            "loss_iou": ((1 - torch.cat(ious)) * w).sum() / denom}


def dynamic_k_cost_assignment_per_image_over_foreground_count(outputs, targets):
    """Cost-based dynamic assignment per image (no grad): cost = class BCE + 3 * -log IoU; each
    object's k = the sum of its top 5 IoUs as an int (at least 1, read on the host), its k cheapest
    anchors; an anchor on several objects kept for the cheapest. IoU loss ``1 - IoU ** 2``,
    objectness BCE over every anchor and class BCE against one-hot times IoU, each summed over the
    batch's foreground count (at least 1)."""
    fg_all, boxes_iou, cls_pred, cls_t = [], [], [], []
    for i, t in enumerate(targets):
        with torch.no_grad():
            iou = _iou_pairs(t["boxes"], outputs["box"][i])
            prob = (outputs["cls"][i].sigmoid() * outputs["obj"][i].sigmoid()[:, None]).sqrt()
            onehot = F.one_hot(t["labels"], NC).float()
            cls_cost = F.binary_cross_entropy(prob[None].expand(len(onehot), -1, -1),
                                               onehot[:, None].expand(-1, A, -1), reduction="none").sum(-1)
            cost = cls_cost + 3.0 * -torch.log(iou + 1e-8)
            ks = iou.topk(5, dim=1).values.sum(1).int().clamp(min=1).tolist()
            match = torch.zeros_like(cost)
            for j, k in enumerate(ks):
                match[j, cost[j].topk(k, largest=False).indices] = 1
            multi = match.sum(0) > 1
            if multi.any():
                match[:, multi] = 0
                match[cost[:, multi].argmin(0), multi.nonzero().squeeze(1)] = 1
            fg = match.sum(0) > 0
            gt = match[:, fg].argmax(0)
        fg_all.append(fg)
        pious = _iou_aligned(outputs["box"][i][fg], t["boxes"][gt])
        boxes_iou.append(pious)
        cls_pred.append(outputs["cls"][i][fg])
        cls_t.append(F.one_hot(t["labels"][gt], NC).float() * pious.detach()[:, None])
    fg = torch.stack(fg_all)
    num_fg = max(fg.sum().item(), 1)
    return {"loss_iou": (1 - torch.cat(boxes_iou) ** 2).sum() / num_fg,
            "loss_obj": F.binary_cross_entropy_with_logits(outputs["obj"], fg.float(), reduction="sum") / num_fg,
            "loss_cls": F.binary_cross_entropy_with_logits(torch.cat(cls_pred), torch.cat(cls_t), reduction="sum") / num_fg}


SIGMAS = torch.tensor([0.26, 0.25, 0.25, 0.35, 0.35]) / 10


def keypoint_oks_with_visibility_factor_and_visibility_bce(outputs, targets):
    """Pose with an OKS-shaped loss: squared distance of each keypoint over ``(2 sigma) ** 2``
    times twice the object's area, ``1 - exp(-e)`` times visibility, scaled by
    ``J / visible count``, mean; keypoint visibility BCE mean."""
    pos, kpts = _assigned(targets, "kpts")
    _, vis = _assigned(targets, "vis")
    _, boxes = _assigned(targets, "boxes")
    d = ((outputs["kpt"][pos] - kpts) ** 2).sum(-1)
    area = boxes[:, 2:].prod(-1, keepdim=True)
    e = d / ((2 * SIGMAS) ** 2 * (area + 1e-9) * 2)
    factor = J / (vis != 0).sum(1, keepdim=True).clamp(min=1)
    return {"loss_kpt": (factor * ((1 - torch.exp(-e)) * vis)).mean(),
            "loss_kpt_vis": F.binary_cross_entropy_with_logits(outputs["kpt_vis"][pos], vis)}


SIGNS = torch.tensor([[sx, sy, sz] for sx in (1, -1) for sy in (1, -1) for sz in (1, -1)], dtype=torch.float) / 2


def _box3d_corners(b: torch.Tensor) -> torch.Tensor:
    local = SIGNS[None] * b[:, None, 3:6].exp()
    cos, sin = torch.cos(b[:, 6:7]), torch.sin(b[:, 6:7])
    x = cos * local[..., 0] - sin * local[..., 1]
    y = sin * local[..., 0] + cos * local[..., 1]
    return torch.stack([x, y, local[..., 2]], -1) + b[:, None, :3]


def box3d_corner_huber_with_heading_flip(outputs, targets):
    """3-D boxes: the 8 corners of each positive's box (size from log-size, yaw rotation about z)
    against its object's and against the object flipped by pi, the smaller of the two corner
    distance sums, Huber (delta 1), mean over positives."""
    pos, gt = _assigned(targets, "box3d")
    pc, gc = _box3d_corners(outputs["box3d"][pos]), _box3d_corners(gt)
    flipped = _box3d_corners(torch.cat([gt[:, :6], gt[:, 6:] + math.pi], 1))
    dist = torch.min(torch.norm(pc - gc, dim=-1).sum(1), torch.norm(pc - flipped, dim=-1).sum(1))
    return {"loss_corner": F.huber_loss(dist, torch.zeros_like(dist), delta=1.0)}


# -- segmentation ---------------------------------------------------------------------------------


def fixed_class_weights_and_pixel_weight_map_ce(outputs, targets):
    """Semantic segmentation: CE with fixed class weights and an ignore index (the weighted mean:
    over the weights of the counted pixels); and CE per pixel times a weight map (small instances
    weighted up), summed over the weight map's sum on counted pixels."""
    logits, labels = outputs["seg"], _stack(targets, "labels")
    pw = _stack(targets, "pixel_weight")
    ce = F.cross_entropy(logits, labels, ignore_index=IGNORE, reduction="none")
    return {"loss_ce_class_w": F.cross_entropy(logits, labels, weight=CLASS_WEIGHT, ignore_index=IGNORE),
            "loss_ce_pixel_w": (ce * pw).sum() / (pw * (labels != IGNORE)).sum()}


def neighbour_affinity_bce_of_class_probabilities(outputs, targets):
    """Pairwise affinity: for each pixel and its right / lower neighbour (slices), the predicted
    affinity ``sum_c p_i p_j``, target whether their labels agree, BCE over the pairs where both
    pixels count (masked sum over their count, both directions together)."""
    p, labels = outputs["seg"].softmax(1), _stack(targets, "labels")
    num, den = 0, 0
    for a, b, la, lb in ((p[..., :, 1:], p[..., :, :-1], labels[..., :, 1:], labels[..., :, :-1]),
                         (p[..., 1:, :], p[..., :-1, :], labels[..., 1:, :], labels[..., :-1, :])):
        aff = (a * b).sum(1).clamp(1e-6, 1 - 1e-6)
        valid = ((la != IGNORE) & (lb != IGNORE)).float()
        bce = F.binary_cross_entropy(aff, (la == lb).float(), reduction="none")
        num, den = num + (bce * valid).sum(), den + valid.sum()
    return {"loss_affinity": num / den}


def region_mutual_information_log_det_per_image_and_class(outputs, targets):
    """Region mutual information: 3 x 3 neighbourhoods (``unfold``) of the probabilities and of
    the one-hot labels per image and class, each centred over its positions, the covariances, the
    posterior variance ``S_yy - S_yp (S_pp + eps I)^-1 S_yp^T``, half its log-determinant (by
    Cholesky) over the 9 dimensions, mean over images and classes; plus the pixel BCE mean."""
    labels = _stack(targets, "labels")
    valid = (labels != IGNORE).float()[:, None]
    y = F.one_hot(labels.clamp(max=K - 1), K).permute(0, 3, 1, 2).float() * valid
    p = outputs["seg"].sigmoid() * valid + 1e-4
    b = len(labels)
    py = F.unfold(p, 3).view(b, K, 9, -1)
    yy = F.unfold(y, 3).view(b, K, 9, -1)
    py, yy = py - py.mean(-1, keepdim=True), yy - yy.mean(-1, keepdim=True)
    eye = torch.eye(9)
    s_pp = py @ py.transpose(-1, -2) + 5e-4 * eye
    s_yp = yy @ py.transpose(-1, -2)
    s_yy = yy @ yy.transpose(-1, -2)
    post = s_yy - s_yp @ torch.linalg.solve(s_pp, s_yp.transpose(-1, -2)) + 5e-4 * eye
    logdet = 2 * torch.log(torch.diagonal(torch.linalg.cholesky(post), dim1=-2, dim2=-1) + 1e-8).sum(-1)
    bce = F.binary_cross_entropy_with_logits(outputs["seg"], y, reduction="none")
    return {"loss_rmi": (0.5 * logdet / 9).mean(), "loss_bce": (bce * valid).sum() / (valid.sum() * K)}


# -- restoration, depth, flow ---------------------------------------------------------------------


def _vgg_like() -> torch.nn.Module:
    torch.manual_seed(1)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.ReLU(),
                              torch.nn.Conv2d(4, 4, 3, padding=1), torch.nn.ReLU())
    for q in net.parameters():
        q.requires_grad_(False)
    return net.eval()


PERCEPTUAL = _vgg_like()
MEAN, STD = torch.tensor([0.485, 0.456, 0.406])[:, None, None], torch.tensor([0.229, 0.224, 0.225])[:, None, None]


def _gram(f: torch.Tensor) -> torch.Tensor:
    b, c, h, w = f.shape
    f = f.view(b, c, h * w)
    return torch.bmm(f, f.transpose(1, 2)) / (c * h * w)


def pixel_l1_perceptual_and_gram_style_of_a_frozen_net(outputs, targets):
    """Super-resolution: pixel L1 mean; features of a frozen random two-layer net (inputs
    normalised by fixed mean / std, both layers' outputs), MSE of each layer summed; style: MSE of
    the per-image Gram matrices (``bmm`` over ``C * H * W``)."""
    x, y = outputs["img"][0], _stack(targets, "clean")
    fx, fy = [], []
    hx, hy = (x - MEAN) / STD, (y - MEAN) / STD
    for layer in PERCEPTUAL:
        hx, hy = layer(hx), layer(hy)
        if isinstance(layer, torch.nn.ReLU):
            fx.append(hx)
            fy.append(hy)
    return {"loss_pix": F.l1_loss(x, y), "loss_percep": sum(F.mse_loss(a, b) for a, b in zip(fx, fy)),
            "loss_style": sum(F.mse_loss(_gram(a), _gram(b)) for a, b in zip(fx, fy))}


def multi_scale_content_and_fft_l1(outputs, targets):
    """Multi-scale deblurring: at each of three output scales the target resized by bilinear
    ``interpolate``, content L1 mean, and L1 mean of the stacked real / imaginary parts of
    ``fft2``; summed over scales, the frequency term weighted 0.1."""
    y = _stack(targets, "clean")
    content, freq = 0, 0
    for lvl, x in enumerate(outputs["img"]):
        t = y if lvl == 0 else F.interpolate(y, scale_factor=0.5 ** lvl, mode="bilinear", align_corners=False)
        content = content + F.l1_loss(x, t)
        fx, ft = torch.fft.fft2(x), torch.fft.fft2(t)
        freq = freq + F.l1_loss(torch.stack([fx.real, fx.imag], -1), torch.stack([ft.real, ft.imag], -1))
    return {"loss_content": content, "loss_fft": 0.1 * freq}


def _normals(d: torch.Tensor) -> torch.Tensor:
    dx = d[:, 1:-1, 2:] - d[:, 1:-1, :-2]
    dy = d[:, 2:, 1:-1] - d[:, :-2, 1:-1]
    n = torch.stack([-dx, -dy, torch.ones_like(dx)], 1)
    return F.normalize(n, dim=1)


def log_depth_gradient_matching_and_normal_consistency(outputs, targets):
    """Depth: the log-depth residual over valid pixels, its x / y differences (slices) where both
    pixels are valid, absolute values summed over the count of valid pixels, at two scales
    (stride-2 subsampling); surface normals from central differences of both depth maps,
    ``1 - cos`` mean over pixels whose 3 x 3 neighbourhood is valid (``max_pool2d`` of the
    invalid mask)."""
    pred, gt, valid = outputs["depth"], _stack(targets, "depth"), _stack(targets, "valid").float()
    r = (torch.log(pred) - torch.log(gt)) * valid
    grad = 0
    for step in (1, 2):
        rs, vs = r[:, ::step, ::step], valid[:, ::step, ::step]
        gx = (rs[:, :, 1:] - rs[:, :, :-1]).abs() * vs[:, :, 1:] * vs[:, :, :-1]
        gy = (rs[:, 1:] - rs[:, :-1]).abs() * vs[:, 1:] * vs[:, :-1]
        grad = grad + (gx.sum() + gy.sum()) / vs.sum()
    ok = 1 - F.max_pool2d(1 - valid[:, None], 3, stride=1, padding=1)[:, 0, 1:-1, 1:-1]
    cos = (_normals(pred) * _normals(gt)).sum(1)
    return {"loss_grad": grad, "loss_normal": ((1 - cos) * ok).sum() / ok.sum().clamp(min=1)}


LEVEL_WEIGHTS = (0.32, 0.08, 0.02)


def multi_scale_flow_epe_with_level_weights(outputs, targets):
    """Optical flow over a pyramid: the target flow average-pooled to each level and scaled by the
    level's factor, end-point error (norm over the 2 channels) summed over pixels, over the batch
    size, times per-level weights, summed; and the full-resolution EPE mean over valid pixels."""
    flow = _stack(targets, "flow")
    b = flow.shape[0]
    total = 0
    for lvl, (pred, w) in enumerate(zip(outputs["flow"], LEVEL_WEIGHTS)):
        t = flow if lvl == 0 else F.avg_pool2d(flow, 2 ** lvl) / 2 ** lvl
        total = total + w * torch.norm(pred - t, p=2, dim=1).sum() / b
    valid = _stack(targets, "flow_valid")
    epe = torch.norm(outputs["flow"][0] - flow, dim=1)
    return {"loss_flow": total, "epe": (epe * valid).sum() / valid.sum()}


# -- language models ------------------------------------------------------------------------------


def multi_token_prediction_heads_with_z_loss(model, batch):
    """Causal LM with shift (``logits[..., :-1, :]`` against ``labels[..., 1:]``, ignore -100) and
    extra heads predicting token t + 1 + k (``mtp[:, k, :-(k + 2)]`` against ``labels[:, k + 2:]``),
    the heads' CE averaged and weighted 0.3; an auxiliary z-loss ``1e-4 * logsumexp ** 2`` over the
    counted positions (masked mean)."""
    logits, labels = model["logits"], batch["labels"]
    lm = F.cross_entropy(logits[..., :-1, :].reshape(-1, V), labels[..., 1:].reshape(-1), ignore_index=-100)
    heads = [F.cross_entropy(model["mtp"][:, k, : -(k + 2)].reshape(-1, V), labels[:, k + 2:].reshape(-1),
                             ignore_index=-100) for k in range(H)]
    mask = (labels[..., 1:] != -100).float()
    z = torch.logsumexp(logits[..., :-1, :], -1) ** 2
    return {"loss_lm": lm, "loss_mtp": 0.3 * sum(heads) / H, "loss_z": 1e-4 * (z * mask).sum() / mask.sum()}


def packed_sequences_labels_masked_at_position_resets(model, batch):
    """Sequence packing: several documents per row, position ids reset at each; the shifted label
    at each reset (the next document's first token) set to -100 (``masked_fill``), CE summed over
    the count of counted labels."""
    labels = batch["labels"][:, 1:].masked_fill(batch["position_ids"][:, 1:] == 0, -100)
    ce = F.cross_entropy(model["logits"][:, :-1].reshape(-1, V), labels.reshape(-1), ignore_index=-100,
                         reduction="sum")
    return {"loss_packed": ce / (labels != -100).sum()}


def prefix_lm_ce_after_each_rows_prefix(model, batch):
    """Prefix LM: the loss only after each row's prefix (``arange(T) >= prefix[:, None]``),
    per-token CE (``reduction='none'``) times the mask, summed over the mask's sum."""
    labels = batch["labels"][:, 1:]
    ce = F.cross_entropy(model["logits"][:, :-1].transpose(1, 2), labels.clamp(min=0), reduction="none")
    mask = ((torch.arange(1, T)[None] >= batch["prefix"][:, None]) & (labels != -100)).float()
    return {"loss_prefix_lm": (ce * mask).sum() / mask.sum()}


def multi_task_heads_summed_with_fixed_weights(model, batch):
    """Multi-task: shifted LM CE, sequence classification CE of a head on the pooled last token,
    masked token regression MSE; the total ``1.0 * lm + 0.5 * cls + 0.1 * reg``."""
    lm = F.cross_entropy(model["logits"][:, :-1].reshape(-1, V), batch["labels"][:, 1:].reshape(-1))
    cls = F.cross_entropy(model["cls"], batch["cls"])
    mask = (batch["labels"] != -100).float()
    reg = ((model["reg"] - batch["reg"]) ** 2 * mask).sum() / mask.sum()
    return {"loss_total": 1.0 * lm + 0.5 * cls + 0.1 * reg, "loss_cls": cls}


def info_nce_among_each_samples_own_views(model, batch):
    """Contrastive within a sample: each sample's views normalised, their similarity matrix
    (``bmm``) over a temperature of 0.1, the diagonal masked out, each view's positive the next view
    of the same sample; CE over all B * NV view rows (mean)."""
    z = F.normalize(model["views"], dim=-1)
    sim = torch.bmm(z, z.transpose(1, 2)) / 0.1
    sim = sim.masked_fill(torch.eye(NV, dtype=torch.bool), -1e4)
    target = ((torch.arange(NV) + 1) % NV).expand(len(z), NV)
    return {"loss_nce": F.cross_entropy(sim.reshape(-1, NV), target.reshape(-1))}


def image_text_symmetric_contrastive(model, batch):
    """CLIP-style: normalised image and text embeddings, logits over every pair of the batch times
    a fixed scale, CE in both directions averaged (the batch's rows are each other's negatives)."""
    i, t = F.normalize(model["img"], dim=-1), F.normalize(model["txt"], dim=-1)
    logits = i @ t.T * 14.0
    target = torch.arange(len(i))
    return {"loss_clip": (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2}


def pairwise_reward_at_last_token(model, batch):
    """Reward model: each answer's reward the value head at its last token (``gather`` at
    ``length - 1``), ``-logsigmoid(chosen - rejected)`` mean, an L2 centring term on the rewards'
    sum, and the accuracy."""
    idx = (batch["length"] - 1)[:, None]
    rc, rr = model["r_chosen"].gather(1, idx).squeeze(1), model["r_rejected"].gather(1, idx).squeeze(1)
    return {"loss_rm": -F.logsigmoid(rc - rr).mean(), "loss_center": 0.01 * ((rc + rr) ** 2).mean(),
            "accuracy": (rc > rr).float().mean()}


def _seq_logp(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    labels = labels[:, 1:]
    mask = labels != -100
    logp = logits[:, :-1].log_softmax(-1).gather(-1, labels.clamp(min=0)[..., None]).squeeze(-1)
    return (logp * mask).sum(-1)


def label_smoothed_preference_with_precomputed_reference(model, batch):
    """Preference optimisation with label smoothing (a conservative variant): sequence log-probs
    by masked gathers, the reference's given per row, ``-(1 - e) logsigmoid(b h) - e
    logsigmoid(-b h)`` mean; and the robust variant divided by ``1 - 2e``."""
    h = (_seq_logp(model["chosen"], batch["chosen_labels"]) - batch["ref_chosen"]) - (
        _seq_logp(model["rejected"], batch["rejected_labels"]) - batch["ref_rejected"])
    eps, beta = 0.1, 0.1
    cons = -(1 - eps) * F.logsigmoid(beta * h) - eps * F.logsigmoid(-beta * h)
    robust = (-(1 - eps) * F.logsigmoid(beta * h) + eps * F.logsigmoid(-beta * h)) / (1 - 2 * eps)
    return {"loss_cdpo": cons.mean(), "loss_robust": robust.mean()}


def unpaired_desirable_undesirable_weights(model, batch):
    """Unpaired preference: each row's log-ratio to the reference, desirable rows
    ``1 - sigmoid(b (r - z))`` weighted 1.0, undesirable ``1 - sigmoid(b (z - r))`` weighted 1.33,
    mean; with ``z`` 0 (``loss_unpaired``) and with ``z`` the detached, clamped mean log-ratio of
    the batch's mismatched answers (rolled by one row: mixes)."""
    r = _seq_logp(model["chosen"], batch["chosen_labels"]) - batch["ref_chosen"]
    d = batch["desirable"]
    w = torch.where(d, 1.0, 1.33)

    def loss(z: torch.Tensor) -> torch.Tensor:
        return (torch.where(d, 1 - torch.sigmoid(0.1 * (r - z)), 1 - torch.sigmoid(0.1 * (z - r))) * w).mean()

    mismatched = _seq_logp(model["chosen"], batch["chosen_labels"].roll(1, 0)) - batch["ref_chosen"].roll(1, 0)
    return {"loss_unpaired": loss(torch.zeros(())), "loss_unpaired_kl": loss(mismatched.mean().clamp(min=0).detach())}


# -- the table ------------------------------------------------------------------------------------


CASES = {c.body.__name__: c for c in [
    # detection, pose, 3-D boxes
    Case(iou_aware_objectness_box_and_class_over_positives, det_batch),
    Case(task_aligned_top_k_per_object_over_target_score_sum, det_batch),
    # split since first contact: ``topk(5, dim=1)`` on image i after image i-1's reads has a
    # literal ``k``, proven from the caller's bytecode at the call
    Case(dynamic_k_cost_assignment_per_image_over_foreground_count, det_batch),
    Case(keypoint_oks_with_visibility_factor_and_visibility_bce, det_batch),
    Case(box3d_corner_huber_with_heading_flip, det_batch),
    # segmentation
    Case(fixed_class_weights_and_pixel_weight_map_ce, seg_batch),
    Case(neighbour_affinity_bce_of_class_probabilities, seg_batch),
    # split since first contact: F.unfold, torch.linalg.solve and torch.linalg.cholesky keep the
    # leading (image) dims' rows
    Case(region_mutual_information_log_det_per_image_and_class, seg_batch),
    # restoration, depth, flow
    Case(pixel_l1_perceptual_and_gram_style_of_a_frozen_net, image_batch),
    Case(multi_scale_content_and_fft_l1, image_batch),
    Case(log_depth_gradient_matching_and_normal_consistency, image_batch),
    Case(multi_scale_flow_epe_with_level_weights, image_batch),
    # language models, contrastive, preferences
    Case(multi_token_prediction_heads_with_z_loss, lm_batch),
    Case(packed_sequences_labels_masked_at_position_resets, lm_batch),
    Case(prefix_lm_ce_after_each_rows_prefix, lm_batch),
    Case(multi_task_heads_summed_with_fixed_weights, lm_batch),
    Case(info_nce_among_each_samples_own_views, lm_batch),
    Case(image_text_symmetric_contrastive, lm_batch, keys("loss_clip"),
         why="every row is the others' negative"),
    Case(pairwise_reward_at_last_token, lm_batch),
    Case(label_smoothed_preference_with_precomputed_reference, lm_batch),
    Case(unpaired_desirable_undesirable_weights, lm_batch, keys("loss_unpaired_kl"),
         why="the reference point is a mean over the batch's mismatched answers"),
]}


globals().update(survey_tests(CASES, range(len(WEIGHTS)), 21, (180, 10, 0, 0)))
