"""Coverage survey 18: public criteria not in surveys 5 to 17 nor the first criterion tables, from
the fields issue #13 names: CornerNet's corner focal, pull / push and offsets; D-FINE's FGL and DDF;
Co-DETR's auxiliary positive queries; PolarMask; SAM 2's multi-step, multi-mask losses with the
object score; SparseInst; DEKR; UDP's combined target; the structure-guided ranking loss; score
distillation sampling; Real-ESRGAN's USM-sharpened pixel loss and U-Net discriminator;
sub-center ArcFace, SphereFace, AdaFace; EAGLE's draft head; DeepSeek's balance losses; dynamic
fine-tuning; GE2E; a power-law compressed spectral loss; EnCodec's reconstruction and commitment.
The harness and its vocabulary (``MIXES``, ``GAP``, ``wrong``, the 3 % target of issue #13) are
``_survey``'s. Each body reproduces a criterion's ops in code of its own and is decorated from
outside; no pattern here drove a rule.

FIRST_CONTACT (20 patterns, two batches, nothing changed for them): 208 expected companions, 35
declined, 22 GAP (10.6 %) -- and 21 WRONG, two defects. SAM 2's ``num_objects``, the images'
count put in a tensor, clamped and read back (``torch.tensor(float(n)).clamp(min=1).item()``),
divided per-mask values not reduced yet: the floored number the host read returns
(``FlooredFloat``) was checked as neither a number computed from a size of image rows nor one
computed from ``len(targets)`` (both checks took only plain ``int`` / ``float``), so it was a
constant and every key on both batches was the batch's count off (17). Co-DETR's auxiliary losses
over ``avg = max(num_total_pos, 1)``, the positives added up over a loop over the images
(``num_total_pos += len(t["pos_labels"])``): the proof that a divisor reads such a running count
looked at the divisor's own instructions only, not at the local ``avg`` stored from it, and equal
to twice the images on batch 0 it was read as a multiple of their count, the group's share of it
taken by images (4; batch 1 declined the call for the sizes of single images' tensors read).
Split exactly at first contact: CornerNet's ``_neg_loss`` with its ``nelement()`` branch, the tags
gathered by ``_tranpose_and_gather_feat`` and pull / push over padded objects with a uint8 mask;
D-FINE's FGL over ``num_boxes``; PolarMask's polar IoU over the centerness sum; SparseInst's
counted ``num_instances``; DEKR's offsets over ``torch.nonzero(w > 0).size()[0]``; the ranking
loss's per-image pairs with ``torch.isnan`` branches; SDS's ``(latents - grad).detach()``;
Real-ESRGAN's reflect-padded depthwise blur; sub-center ArcFace's max over sub-centres; EAGLE;
DeepSeek's sequence-wise ``scatter_add_(..).div_(..)``; DFT; EnCodec's mel ``matmul`` and in-place
commitment total. The GAPs, each where the warning names the op: D-FINE's DDF (4, weights
``(mask.sum() / B) ** 0.5`` of two masked means); Co-DETR (6, the whole call on batch 1: a number
after sizes of single images' tensors); PolarMask's focal over ``num_pos + num_imgs`` (4, a
length of rows plus a size of image rows); UDP's ``loss / num_joints`` with 3 joints equal to the
3 images of batch 1 (2); SphereFace's ``m * theta``, its default margin ``m=4`` equal to the 4
images of batch 0 (2); ``torch.polar`` without a rule (4). The other 13 declines mix images:
AdaFace's margin from the batch's norm statistics, DeepSeek's global balance loss (two means over
the batch's tokens), GE2E's softmax over every speaker's centroid.

Since (this survey's fixes): a floored number read on the host is checked as the plain number it
is, where values not reduced yet are divided by it (a size of image rows, ``len(targets)``: SAM 2,
every key declined now, 20); a divisor that reads a local stored from a running count over the
images (``avg = max(num_pos, 1)``) is that count (Co-DETR's classification and box terms declined
on both batches, 8; its GIoU over the kept rows splits); a parameter's default the call did not
pass is a coefficient whatever count of the images it equals (SphereFace, 2); ``torch.polar`` and
``torch.complex`` are element-wise (4): 208 expected, 51 declined, 38 GAP (18.3 %), 0 WRONG. Then a
running count of sizes of the images' own tensors (``len(t["pos_labels"])``, ``numel()``), one
set read per image adding up to it and the code showing each added once, divides as the group's
sum of its images' sizes, whatever count of the batch it equals (Co-DETR, 8; the same loop with a
count equal to the images was read as their count before, wrong, found by this rule's near
misses). Found writing the first fix's near misses: ``len(targets)`` floored the same way in a
helper (no code of the body to prove it) was still a constant dividing values not reduced yet;
a floored number equal to the images now declines there as the int does: 208 expected, 43
declined, 30 GAP (14.4 %), 0 WRONG. Then ``x * (1 / bs)`` of a size of image rows is ``x / bs``
(D-FINE's ``batch_scale``; its DDF weights ``(mask.sum() * batch_scale) ** 0.5`` are formulas of
the group's counts, 4): 208 expected, 39 declined, 26 GAP (12.5 %), 0 WRONG. Then values not
reduced yet over a floored count of image rows (``torch.tensor(float(bs)).clamp(min=1).item()``,
the float of that very size) are held as quotients: their sum, through picks, products, means
over dims without images and sums of quotients over the same count, is the values' sum over the
group's count, and an ``argmin`` of them the group's pick where no two best values tie (SAM 2,
20): 208 expected, 19 declined, 6 GAP (2.9 %), 0 WRONG. Then a sum over ``num_pos + num_imgs``,
written at the division, of a local assigned by ``len`` of a mask's indices (or of rows of the
images) and a size of image rows, is over the group's positives plus its images (PolarMask, 4):
208 expected, 15 declined, 2 GAP (1.0 %), 0 WRONG. Then a divisor of Python arithmetic on a size of a dim
without images kept in locals (UDP's ``num_channels = output.size(1)``, ``num_joints = num_channels //
3``), equal to the images' count by value, is that constant (session 47, 2;
``tests/test_rules_side_size_locals.py``): 208 expected, 8 declined, 0 GAP (0.0 %), 0 WRONG.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from _helpers import PER_IMAGE, ROWS, TARGETS, Share
from _survey import Case, corners, focal, giou_aligned, keys, response_labels, survey_tests
from _survey import gen as _gen
from _survey import leaf as _leaf
from _survey import stack as _stack

WEIGHTS = ([1.0, 0.5, 1.0, 0.25], [0.75, 1.0, 0.5])
SOURCES = (["news", "news", "code", "code", "chat", "chat"], ["code", "code", "news", "news"])


# -- batches --------------------------------------------------------------------------------------


NQ, NC, NBIN, MAXP, HM, WM = 6, 3, 8, 4, 6, 6  # queries, classes, D-FINE's bins, aux positives, mask size


def det_batch(seed: int) -> tuple[list, list, list]:
    """DETR-style: class logits, boxes (cxcywh in [0.3, 0.7]), D-FINE's per-side distributions over
    ``NBIN + 1`` bins with the last layer's (the teacher's) and its logits, reference points, mask
    logits and objectness per query [B, NQ, ...]; Co-DETR's auxiliary positive queries' logits and
    boxes [B, MAXP, ...]; per image 1 to 3 boxes with labels and masks, 1 to MAXP positives of an
    auxiliary head (their boxes, labels), and the matcher's indices."""
    g = _gen(seed + 1800)
    b = len(WEIGHTS[seed])
    outputs = {"logits": _leaf(b, NQ, NC, g=g),
               "boxes": (torch.rand(b, NQ, 4, generator=g) * 0.3 + 0.3).requires_grad_(),
               "corners": _leaf(b, NQ, 4 * (NBIN + 1), g=g), "teacher_corners": torch.randn(b, NQ, 4 * (NBIN + 1), generator=g),
               "teacher_logits": torch.randn(b, NQ, NC, generator=g),
               "ref_points": torch.cat([torch.rand(b, NQ, 2, generator=g) * 0.4 + 0.3,
                                        torch.rand(b, NQ, 2, generator=g) * 0.3 + 0.2], -1),
               "mask_logits": _leaf(b, NQ, HM, WM, g=g), "objectness": _leaf(b, NQ, g=g),
               "aux_logits": _leaf(b, MAXP, NC, g=g),
               "aux_boxes": (torch.rand(b, MAXP, 4, generator=g) * 0.3 + 0.3).requires_grad_()}
    targets, indices = [], []
    for i, w in enumerate(WEIGHTS[seed]):
        n = 1 + (i + seed) % 3
        p = 1 + (2 * i + seed) % MAXP
        boxes = torch.cat([torch.rand(n, 2, generator=g) * 0.4 + 0.3, torch.rand(n, 2, generator=g) * 0.3 + 0.1], 1)
        pos = torch.cat([torch.rand(p, 2, generator=g) * 0.4 + 0.3, torch.rand(p, 2, generator=g) * 0.3 + 0.1], 1)
        targets.append({"boxes": boxes, "labels": torch.randint(0, NC, (n,), generator=g),
                        "masks": (torch.rand(n, HM, WM, generator=g) > 0.5).float(),
                        "pos_boxes": pos, "pos_labels": torch.randint(0, NC, (p,), generator=g), "loss_weight": w})
        indices.append((torch.randperm(NQ, generator=g)[:n], torch.randperm(n, generator=g)))
    return [outputs, targets, indices], [ROWS, TARGETS, PER_IMAGE], None


def det_batch_with_num_boxes(seed: int) -> tuple[list, list, None]:
    """``det_batch`` with ``num_boxes``, the batch's box count passed in from ``forward``."""
    args, kinds, _ = det_batch(seed)
    counts = [len(t["boxes"]) for t in args[1]]
    return [*args, float(sum(counts))], [*kinds, Share(counts)], None


HC, WC, MAXO = 8, 8, 3  # CornerNet's heatmap size, padded objects


def _gaussian_at(h: int, w: int, y: int, x: int, sigma: float = 1.0) -> torch.Tensor:
    yy, xx = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32), indexing="ij")
    return torch.exp(-((yy - y) ** 2 + (xx - x) ** 2) / (2 * sigma ** 2))


def corner_batch(seed: int) -> tuple[list, list, None]:
    """CornerNet's heads [B, ., HC, WC]: top-left and bottom-right corner heatmap logits, embedding
    tags and sub-pixel offsets; per image its objects' corner heatmaps (a Gaussian of peak 1 at each
    corner, in its class's channel), their flat positions padded to MAXO, the padding mask (uint8)
    and each corner's offset target."""
    g = _gen(seed + 1810)
    b = len(WEIGHTS[seed])
    outputs = {name: _leaf(b, ch, HC, WC, g=g) for name, ch in
               [("tl_heat", NC), ("br_heat", NC), ("tl_tag", 1), ("br_tag", 1), ("tl_off", 2), ("br_off", 2)]}
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        n = 1 + (i + seed) % MAXO
        t = {"loss_weight": w, "tag_mask": torch.zeros(MAXO, dtype=torch.uint8)}
        t["tag_mask"][:n] = 1
        for corner in ("tl", "br"):
            heat = torch.zeros(NC, HC, WC)
            ind = torch.zeros(MAXO, dtype=torch.long)
            flat = torch.randperm(HC * WC, generator=g)[:n]
            for k in range(n):
                c, y, x = int(torch.randint(0, NC, (1,), generator=g)), int(flat[k]) // WC, int(flat[k]) % WC
                heat[c] = torch.maximum(heat[c], _gaussian_at(HC, WC, y, x))
                ind[k] = flat[k]
            t[f"{corner}_heatmap"], t[f"{corner}_ind"] = heat, ind
            t[f"{corner}_regr"] = torch.rand(MAXO, 2, generator=g)
        targets.append(t)
    return [outputs, targets], [ROWS, TARGETS], None


GRID, NRAY = 4, 8  # PolarMask's locations per side, rays
A = GRID * GRID


def dense_batch(seed: int) -> tuple[list, list, None]:
    """A dense head over A locations: class logits, centerness logits and each location's polar
    mask (NRAY ray lengths, ``exp`` of a prediction); per image its locations' labels (NC is
    background, 2 to 4 positives) and the rays of the positives' instance contours."""
    g = _gen(seed + 1820)
    b = len(WEIGHTS[seed])
    outputs = {"cls": _leaf(b, A, NC, g=g), "ctr": _leaf(b, A, g=g), "rays": _leaf(b, A, NRAY, g=g, scale=0.3)}
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        labels = torch.full((A,), NC)
        pos = torch.randperm(A, generator=g)[:2 + (i + seed) % 3]
        labels[pos] = torch.randint(0, NC, (len(pos),), generator=g)
        targets.append({"labels": labels, "rays": torch.rand(A, NRAY, generator=g) * 2 + 0.5, "loss_weight": w})
    return [outputs, targets], [ROWS, TARGETS], None


H, W, J, D, NCLS, NSTEP, NMASK = 8, 8, 3, 6, 5, 2, 3  # image size, joints, embedding, classes, SAM 2's steps and masks
NPAIR = 12  # depth pairs sampled per image


def image_batch(seed: int) -> tuple[list, list, None]:
    """Images with per-image target dicts: SAM 2's masks, IoU and object-score predictions per step;
    DEKR's heatmaps (joints and centre) and offsets; UDP's combined heatmap and offset maps; a depth
    map; latents with the noise a frozen denoiser predicted; a super-resolved image with a U-Net
    discriminator's logits; face embeddings. Per image: the object's mask (one image's is empty),
    heatmaps, masks, offsets and their weights, depth with its validity and sampled pixel pairs,
    noise and its timestep, the high-resolution image, the class."""
    g = _gen(seed + 1830)
    b = len(WEIGHTS[seed])
    outputs = {"sam_masks": _leaf(b, NSTEP, NMASK, H, W, g=g), "sam_ious": _leaf(b, NSTEP, NMASK, g=g).sigmoid(),
               "sam_obj": _leaf(b, NSTEP, 1, g=g),
               "dekr_heat": _leaf(b, J + 1, H, W, g=g), "dekr_off": _leaf(b, 2 * J, H, W, g=g),
               "udp": _leaf(b, 3 * J, H, W, g=g), "depth": _leaf(b, H, W, g=g, scale=0.5),
               "latents": _leaf(b, 4, 4, 4, g=g), "eps_pred": torch.randn(b, 4, 4, 4, generator=g),
               "sr": (torch.rand(b, 3, H, W, generator=g)).requires_grad_(), "d_sr": _leaf(b, 1, H, W, g=g),
               "face": _leaf(b, D, g=g, scale=8.0)}
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        obj = (torch.rand(H, W, generator=g) > 0.55).float()
        if i == 1:
            obj.zero_()  # the object is not in this frame
        off_w = torch.zeros(2 * J, H, W)
        for j in range(J):
            y, x = int(torch.randint(0, H, (1,), generator=g)), int(torch.randint(0, W, (1,), generator=g))
            off_w[2 * j:2 * j + 2, max(0, y - 1):y + 2, max(0, x - 1):x + 2] = 1 / math.sqrt(30.0 + 7 * j)
        heat = torch.stack([_gaussian_at(H, W, int(torch.randint(0, H, (1,), generator=g)),
                                         int(torch.randint(0, W, (1,), generator=g))) for _ in range(J + 1)])
        combined = torch.cat([torch.stack([heat[j], torch.randn(H, W, generator=g), torch.randn(H, W, generator=g)])
                              for j in range(J)])
        targets.append({"obj": obj, "heatmap": heat, "heat_mask": (torch.rand(J + 1, H, W, generator=g) > 0.1).float(),
                        "offsets": torch.randn(2 * J, H, W, generator=g), "off_w": off_w, "udp": combined,
                        "udp_w": (torch.rand(J, 1, generator=g) > 0.3).float(),
                        "depth": torch.rand(H, W, generator=g) * 4 + 1, "valid": torch.rand(H, W, generator=g) > 0.2,
                        "pair_a": torch.randint(0, H * W, (NPAIR,), generator=g),
                        "pair_b": torch.randint(0, H * W, (NPAIR,), generator=g),
                        "noise": torch.randn(4, 4, 4, generator=g), "timestep": torch.tensor(3 * i + seed),
                        "hr": torch.rand(3, H, W, generator=g), "label": torch.tensor((2 * i + seed) % NCLS),
                        "loss_weight": w})
    return [outputs, targets], [ROWS, TARGETS], None


L = 256  # samples per clip


def audio_batch(seed: int) -> tuple[list, list, None]:
    """Waveforms [B, L] from a speech enhancer and a neural codec, the codec's quantiser residuals and
    quantised values per step [B, NSTEP, 4, 8]; per image the clean waveform."""
    g = _gen(seed + 1840)
    b = len(WEIGHTS[seed])
    outputs = {"enhanced": _leaf(b, L, g=g, scale=0.3), "decoded": _leaf(b, L, g=g, scale=0.3),
               "residual": torch.randn(b, NSTEP, 4, 8, generator=g), "quantized": _leaf(b, NSTEP, 4, 8, g=g)}
    targets = [{"clean": torch.randn(L, generator=g) * 0.3, "loss_weight": w} for w in WEIGHTS[seed]]
    return [outputs, targets], [ROWS, TARGETS], None


T, V, HD, E, TOPK = 6, 7, 5, 4, 2  # tokens, vocabulary, hidden size, experts, experts per token


def seq_batch(seed: int) -> tuple[list, list, list]:
    """Sequences from news, code and chat, one label each (a speaker's two utterances are
    consecutive rows of one source): a causal LM's logits [B, T, V] with labels (-100 over the
    prompt and the padding); an EAGLE draft head's predicted features and logits with the target
    model's (features, logits) and the loss mask; a router's logits per token [B, T, E]; utterance
    embeddings [B, D]."""
    g = _gen(seed + 1850)
    b = len(SOURCES[seed])
    labels = response_labels(b, T, V, seed, g)
    model = {"lm": _leaf(b, T, V, g=g, scale=2.0), "draft_hidden": _leaf(b, T, HD, g=g),
             "draft_logits": _leaf(b, T, V, g=g), "target_hidden": torch.randn(b, T, HD, generator=g),
             "target_logits": torch.randn(b, T, V, generator=g), "router": _leaf(b, T, E, g=g),
             "utterances": _leaf(b, D, g=g)}
    batch = {"labels": labels, "loss_mask": (labels != -100).float()}
    return [model, batch], [ROWS, ROWS], SOURCES[seed]


# -- detection ------------------------------------------------------------------------------------


def _sigmoid_clamped(x):
    return torch.clamp(x.sigmoid(), min=1e-4, max=1 - 1e-4)


def _corner_focal(preds, gt):
    """CornerNet's ``_neg_loss``: positives where the heatmap is exactly 1, negatives below,
    penalty-reduced by ``(1 - gt) ** 4``; ``- (pos + neg) / num_pos``, or ``- neg`` without
    positives (a Python branch on ``nelement()``)."""
    pos_inds, neg_inds = gt.eq(1), gt.lt(1)
    neg_weights = torch.pow(1 - gt[neg_inds], 4)
    loss = 0
    for pred in preds:
        pos_pred, neg_pred = pred[pos_inds], pred[neg_inds]
        pos_loss = (torch.log(pos_pred) * torch.pow(1 - pos_pred, 2)).sum()
        neg_loss = (torch.log(1 - neg_pred) * torch.pow(neg_pred, 2) * neg_weights).sum()
        num_pos = pos_inds.float().sum()
        if pos_pred.nelement() == 0:
            loss = loss - neg_loss
        else:
            loss = loss - (pos_loss + neg_loss) / num_pos
    return loss


def _transpose_and_gather(feat, ind):
    """``[B, C, H, W]`` at flat positions ``ind`` [B, M]: ``[B, M, C]``."""
    feat = feat.permute(0, 2, 3, 1).contiguous().view(feat.size(0), -1, feat.size(1))
    return feat.gather(1, ind.unsqueeze(2).expand(ind.size(0), ind.size(1), feat.size(2)))


def cornernet_corner_focal_pull_push_and_offsets_over_padded_objects(outputs, targets, pull_weight=0.1,
                                                                     push_weight=0.1):
    """CornerNet's ``AELoss``: the corner heatmaps' penalty-reduced focal loss (``_neg_loss``) for the
    top-left and bottom-right heads; the embedding tags gathered at each object's corners
    (``_tranpose_and_gather_feat``), padded objects ``[B, MAXO]`` with a uint8 mask: the pull of
    each corner's tag to the pair's mean over ``num + 1e-4`` (``num`` the image's object count,
    ``mask.sum(dim=1, keepdim=True)``), the push between the means of an image's different objects
    (``relu(1 - |d|) - 1 / (num + 1e-4)`` over ``(num - 1) * num + 1e-4``, pairs where the summed
    masks equal 2), both summed over the batch; the offsets' smooth L1 summed over the masked
    corners, over ``num + 1e-4``."""
    tl_heat, br_heat = _sigmoid_clamped(outputs["tl_heat"]), _sigmoid_clamped(outputs["br_heat"])
    focal_loss = _corner_focal([tl_heat], _stack(targets, "tl_heatmap")) + _corner_focal(
        [br_heat], _stack(targets, "br_heatmap"))
    mask = _stack(targets, "tag_mask")
    tag0 = _transpose_and_gather(outputs["tl_tag"], _stack(targets, "tl_ind")).squeeze(2)
    tag1 = _transpose_and_gather(outputs["br_tag"], _stack(targets, "br_ind")).squeeze(2)
    num = mask.sum(dim=1, keepdim=True).float()
    tag_mean = (tag0 + tag1) / 2
    pull0 = (torch.pow(tag0 - tag_mean, 2) / (num + 1e-4))[mask.bool()].sum()
    pull1 = (torch.pow(tag1 - tag_mean, 2) / (num + 1e-4))[mask.bool()].sum()
    pull = pull0 + pull1
    pair_mask = (mask.unsqueeze(1) + mask.unsqueeze(2)).eq(2)
    num = num.unsqueeze(2)
    num2 = (num - 1) * num
    dist = F.relu(1 - torch.abs(tag_mean.unsqueeze(1) - tag_mean.unsqueeze(2)))
    dist = dist - 1 / (num + 1e-4)
    dist = dist / (num2 + 1e-4)
    push = dist[pair_mask].sum()
    regr_loss = 0
    for corner in ("tl", "br"):
        regr = _transpose_and_gather(outputs[f"{corner}_off"], _stack(targets, f"{corner}_ind"))
        gt_regr = _stack(targets, f"{corner}_regr")
        n = mask.float().sum()
        m = mask.unsqueeze(2).expand_as(gt_regr).bool()
        regr_loss = regr_loss + F.smooth_l1_loss(regr[m], gt_regr[m], reduction="sum") / (n + 1e-4)
    return {"loss": focal_loss + pull_weight * pull + push_weight * push + regr_loss, "loss_focal": focal_loss,
            "loss_pull": pull, "loss_push": push, "loss_off": regr_loss}


BIN_EDGES = torch.tensor([-4.0, -2.2, -1.0, -0.4, 0.0, 0.4, 1.0, 2.2, 4.0])  # D-FINE's W(n), NBIN + 1 values


def _distances_to_bins(ref, boxes_xyxy, reg_scale=4.0):
    """D-FINE's ``bbox2distance`` over a fixed non-uniform ``W(n)``: each side's distance from the
    reference point in units of its size, the bin at its left (``(diffs <= 0).sum(1) - 1``) and the
    interpolation weights, out-of-range sides to the first or last bin."""
    left = (ref[:, 0] - boxes_xyxy[:, 0]) / (ref[:, 2] / reg_scale + 1e-16) - 0.5 * reg_scale
    top = (ref[:, 1] - boxes_xyxy[:, 1]) / (ref[:, 3] / reg_scale + 1e-16) - 0.5 * reg_scale
    right = (boxes_xyxy[:, 2] - ref[:, 0]) / (ref[:, 2] / reg_scale + 1e-16) - 0.5 * reg_scale
    bottom = (boxes_xyxy[:, 3] - ref[:, 1]) / (ref[:, 3] / reg_scale + 1e-16) - 0.5 * reg_scale
    d = torch.stack([left, top, right, bottom], -1).reshape(-1)
    idx = ((BIN_EDGES[None] - d[:, None]) <= 0).sum(1) - 1
    inside = (idx >= 0) & (idx < NBIN)
    w_right = torch.zeros_like(d)
    left_v, right_v = BIN_EDGES[idx.clamp(0, NBIN - 1)], BIN_EDGES[(idx + 1).clamp(1, NBIN)]
    w_right[inside] = ((d - left_v).abs() / ((d - left_v).abs() + (right_v - d).abs()))[inside]
    w_right[idx >= NBIN] = 1.0
    idx = idx.clamp(0, NBIN - 1).float()
    return idx, w_right, 1 - w_right


def _box_iou_diag(a, b):
    lt, rb = torch.max(a[:, :2], b[:, :2]), torch.min(a[:, 2:], b[:, 2:])
    inter = (rb - lt).clamp(min=0).prod(-1)
    return inter / ((a[:, 2:] - a[:, :2]).prod(-1) + (b[:, 2:] - b[:, :2]).prod(-1) - inter)


def dfine_fine_grained_localisation_and_decoupled_distillation(outputs, targets, indices, num_boxes, T=5.0):
    """D-FINE's ``loss_local`` for an intermediate layer: the matched queries' distributions against
    the two bins around each side's target distance (FGL: CE to both weighted by the interpolation,
    times the detached IoU repeated over the four sides, ``sum / num_boxes``); DDF: every query's
    distribution against the last layer's (``KLDivLoss('none')`` of ``log_softmax(x / T)`` and
    ``softmax(t / T)``, ``T ** 2``) weighted by the teacher's top class probability and, at the
    matched queries, the IoU written there; ``batch_scale = 1 / pred_boxes.shape[0]``, ``num_pos,
    num_neg = (mask.sum() * batch_scale) ** 0.5, ((~mask).sum() * batch_scale) ** 0.5`` and the
    masked means (``if mask.any()``) combined by them, after a ``torch.equal`` test of student and
    teacher."""
    idx = (torch.cat([torch.full_like(src, i) for i, (src, _) in enumerate(indices)]),
           torch.cat([src for src, _ in indices]))
    target_boxes = torch.cat([t["boxes"][j] for t, (_, j) in zip(targets, indices)])
    pred_corners = outputs["corners"][idx].reshape(-1, NBIN + 1)
    with torch.no_grad():
        bins, w_right, w_left = _distances_to_bins(outputs["ref_points"][idx].detach(), corners(target_boxes))
    ious = _box_iou_diag(corners(outputs["boxes"][idx]), corners(target_boxes))
    weight_targets = ious.unsqueeze(-1).repeat(1, 4).reshape(-1).detach()
    left = bins.long()
    fgl = (F.cross_entropy(pred_corners, left, reduction="none") * w_left
           + F.cross_entropy(pred_corners, left + 1, reduction="none") * w_right)
    losses = {"loss_fgl": (fgl * weight_targets).sum() / num_boxes}
    all_corners = outputs["corners"].reshape(-1, NBIN + 1)
    teacher = outputs["teacher_corners"].reshape(-1, NBIN + 1)
    if torch.equal(all_corners, teacher):
        losses["loss_ddf"] = all_corners.sum() * 0
        return losses
    weight_local = outputs["teacher_logits"].sigmoid().max(dim=-1)[0]
    mask = torch.zeros_like(weight_local, dtype=torch.bool)
    mask[idx] = True
    mask = mask.unsqueeze(-1).repeat(1, 1, 4).reshape(-1)
    weight_local[idx] = ious.reshape_as(weight_local[idx]).to(weight_local.dtype)
    weight_local = weight_local.unsqueeze(-1).repeat(1, 1, 4).reshape(-1).detach()
    kl = F.kl_div(F.log_softmax(all_corners / T, dim=1), F.softmax(teacher.detach() / T, dim=1), reduction="none")
    loss_match = weight_local * (T ** 2) * kl.sum(-1)
    batch_scale = 1 / outputs["boxes"].shape[0]
    num_pos, num_neg = (mask.sum() * batch_scale) ** 0.5, ((~mask).sum() * batch_scale) ** 0.5
    loss1 = loss_match[mask].mean() if mask.any() else 0
    loss2 = loss_match[~mask].mean() if (~mask).any() else 0
    losses["loss_ddf"] = (loss1 * num_pos + loss2 * num_neg) / (num_pos + num_neg)
    return losses


def codetr_auxiliary_positive_queries_focal_l1_giou_over_positive_count(outputs, targets, indices, lambda_aux=2.0):
    """Co-DETR's ``loss_aux``: the positives an auxiliary head (ATSS / Faster R-CNN) assigned become
    extra queries, each image's padded to ``max_num_coords`` (labels padded with the background
    class, box weights 0 there) in a loop over the images; the sigmoid focal over every padded query
    against the one-hot without the background column, the L1 of the boxes times their weights and
    the GIoU of the weighted rows, each over ``max(num_total_pos, 1)`` (the images' positives added
    up with ``len``), times ``lambda_aux``; the main head's matcher ``indices`` unused here."""
    labels_list, box_t_list, box_w_list = [], [], []
    num_total_pos = 0
    for t in targets:
        p = len(t["pos_labels"])
        labels = torch.full((MAXP,), NC, dtype=torch.long)
        labels[:p] = t["pos_labels"]
        box_t = torch.zeros(MAXP, 4)
        box_t[:p] = t["pos_boxes"]
        box_w = torch.zeros(MAXP, 4)
        box_w[:p] = 1.0
        labels_list.append(labels)
        box_t_list.append(box_t)
        box_w_list.append(box_w)
        num_total_pos += p
    labels, box_t, box_w = torch.cat(labels_list), torch.cat(box_t_list), torch.cat(box_w_list)
    avg = max(num_total_pos, 1)
    logits = outputs["aux_logits"].reshape(-1, NC)
    onehot = F.one_hot(labels, NC + 1)[:, :NC].float()
    loss_cls = focal(logits, onehot).sum() / avg
    boxes = outputs["aux_boxes"].reshape(-1, 4)
    loss_bbox = (F.l1_loss(boxes, box_t, reduction="none") * box_w).sum() / avg
    keep = box_w[:, 0] > 0
    loss_iou = (1 - giou_aligned(corners(boxes[keep]), corners(box_t[keep]))).sum() / avg
    return {"loss_cls_aux": loss_cls * lambda_aux, "loss_bbox_aux": loss_bbox * lambda_aux,
            "loss_iou_aux": loss_iou * lambda_aux}


def polarmask_polar_iou_weighted_by_centerness_and_focal_over_pos_plus_images(outputs, targets):
    """PolarMask's head (mmdet's ``PolarMask_Head.loss``): the locations flattened over the images,
    ``pos_inds = nonzero(labels < NC)``; the focal over ``num_pos + num_imgs`` (``len(pos_inds)``,
    ``cls_scores.size(0)``); each positive's centerness target ``sqrt(min / max)`` of its rays, the
    polar IoU ``log(sum(max) / sum(min))`` of predicted and true rays (``torch.stack(.., -1)``, ``max``
    / ``min`` over the pair) weighted by it, over its sum; the centerness BCE-with-logits, mean."""
    num_imgs = outputs["cls"].size(0)
    cls = outputs["cls"].reshape(-1, NC)
    labels = torch.cat([t["labels"] for t in targets])
    pos_inds = (labels < NC).nonzero().reshape(-1)
    num_pos = len(pos_inds)
    onehot = F.one_hot(labels, NC + 1)[:, :NC].float()
    loss_cls = focal(cls, onehot).sum() / (num_pos + num_imgs)
    pos_rays = outputs["rays"].reshape(-1, NRAY)[pos_inds].exp()
    pos_ray_t = torch.cat([t["rays"] for t in targets])[pos_inds]
    ctr_t = torch.sqrt(pos_ray_t.min(dim=-1)[0] / pos_ray_t.max(dim=-1)[0])
    total = torch.stack([pos_rays, pos_ray_t], -1)
    l_max, l_min = total.max(dim=2)[0], total.min(dim=2)[0]
    polar_iou = (l_max.sum(dim=1) / l_min.sum(dim=1)).log()
    loss_mask = (polar_iou * ctr_t).sum() / ctr_t.sum()
    loss_ctr = F.binary_cross_entropy_with_logits(outputs["ctr"].reshape(-1)[pos_inds], ctr_t)
    return {"loss_cls": loss_cls, "loss_mask": loss_mask, "loss_centerness": loss_ctr}


# -- segmentation ---------------------------------------------------------------------------------


def sam2_multistep_multimask_focal_dice_iou_and_object_score(outputs, targets, weight_mask=20.0, weight_dice=1.0):
    """SAM 2's ``MultiStepMultiMasksAndIous``: ``num_objects`` from the targets' shape (a float tensor
    clamped at 1, ``.item()``); per step each of NMASK masks' sigmoid focal (a pixel mean) and dice
    over ``num_objects``, the IoU prediction's L1 to the actual IoU of the binarised mask; the best
    mask by ``argmin`` of ``20 * focal + dice`` (picked at ``[arange, best]``), the IoU term of every
    mask averaged; ``target_obj`` whether the object is in the frame (``any`` of its mask), the mask
    terms multiplied by it, the object-score focal BCE; each term summed over the images and the
    steps."""
    target = _stack(targets, "obj")
    num_objects = torch.tensor(float(target.shape[0])).clamp(min=1).item()
    target_obj = torch.any((target > 0).flatten(1), dim=-1)[:, None].float()
    losses = {"loss_mask": 0, "loss_dice": 0, "loss_iou": 0, "loss_class": 0}
    for s in range(NSTEP):
        src = outputs["sam_masks"][:, s]
        gt = target[:, None].expand_as(src)
        per_mask_focal = focal(src, gt).flatten(2).mean(-1) / num_objects
        p = src.sigmoid().flatten(2)
        dice = 1 - (2 * (p * gt.flatten(2)).sum(-1) + 1) / (p.sum(-1) + gt.flatten(2).sum(-1) + 1)
        per_mask_dice = dice / num_objects
        pred_bin, gt_bin = src.flatten(2) > 0, gt.flatten(2) > 0
        area_i = torch.sum(pred_bin & gt_bin, dim=-1).float()
        area_u = torch.sum(pred_bin | gt_bin, dim=-1).float()
        actual_iou = area_i / torch.clamp(area_u, min=1.0)
        per_mask_iou = F.l1_loss(outputs["sam_ious"][:, s], actual_iou, reduction="none") / num_objects
        combo = per_mask_focal * weight_mask + per_mask_dice * weight_dice
        best = torch.argmin(combo, dim=-1)
        rows = torch.arange(combo.size(0))
        loss_mask = per_mask_focal[rows, best].unsqueeze(1) * target_obj
        loss_dice = per_mask_dice[rows, best].unsqueeze(1) * target_obj
        loss_iou = per_mask_iou.mean(dim=-1).unsqueeze(1) * target_obj
        loss_class = focal(outputs["sam_obj"][:, s], target_obj).mean(-1) / num_objects
        losses["loss_mask"] += loss_mask.sum()
        losses["loss_dice"] += loss_dice.sum()
        losses["loss_iou"] += loss_iou.sum()
        losses["loss_class"] += loss_class.sum()
    losses["loss"] = (weight_mask * losses["loss_mask"] + weight_dice * losses["loss_dice"] + losses["loss_iou"]
                      + losses["loss_class"])
    return losses


def sparseinst_matched_mask_dice_bce_and_iou_aware_objectness(outputs, targets, indices):
    """SparseInst's criterion: ``num_instances`` counted in the body (``torch.as_tensor([..],
    dtype=float)``, ``clamp(min=1).item()``); the class focal over every instance query against
    the labels written at the matched ``idx``, over it; the matched masks' dice (``2 * sum(p * t) /
    (sum(p ** 2) + sum(t ** 2)).clamp(min=1e-4)`` per instance, ``(1 - dice).sum()`` over it) and
    BCE (mean); the objectness of the matched queries against their masks' detached IoU (``p >
    0.4`` against ``t > 0.5``), BCE-with-logits mean."""
    num_instances = sum(len(t["labels"]) for t in targets)
    num_instances = torch.clamp(torch.as_tensor([num_instances], dtype=torch.float), min=1).item()
    idx = (torch.cat([torch.full_like(src, i) for i, (src, _) in enumerate(indices)]),
           torch.cat([src for src, _ in indices]))
    target_classes = torch.full(outputs["logits"].shape[:2], NC, dtype=torch.long)
    target_classes[idx] = torch.cat([t["labels"][j] for t, (_, j) in zip(targets, indices)])
    onehot = F.one_hot(target_classes, NC + 1)[..., :NC].float()
    loss_cls = focal(outputs["logits"], onehot).sum() / num_instances
    src = outputs["mask_logits"][idx].flatten(1)
    tgt = torch.cat([t["masks"][j] for t, (_, j) in zip(targets, indices)]).flatten(1)
    p = src.sigmoid()
    dice = 2 * (p * tgt).sum(1) / (p.pow(2).sum(1) + tgt.pow(2).sum(1)).clamp(min=1e-4)
    loss_dice = (1 - dice).sum() / num_instances
    loss_mask = F.binary_cross_entropy_with_logits(src, tgt, reduction="mean")
    with torch.no_grad():
        pb, tb = (p > 0.4).float(), (tgt > 0.5).float()
        inter = (pb * tb).sum(1)
        ious = inter / (pb.sum(1) + tb.sum(1) - inter + 1e-6)
    loss_obj = F.binary_cross_entropy_with_logits(outputs["objectness"][idx], ious, reduction="mean")
    return {"loss_ce": loss_cls, "loss_dice": loss_dice, "loss_mask": loss_mask, "loss_objectness": loss_obj}


# -- pose -----------------------------------------------------------------------------------------


def dekr_masked_heatmap_mse_and_area_weighted_offsets_over_nonzero_count(outputs, targets, beta=1.0 / 9):
    """DEKR's ``MultiLossFactory``: the heatmaps' ``(pred - gt) ** 2 * mask`` averaged over W, H and
    the joints (``mean(dim=3).mean(dim=2).mean(dim=1)``) per image, then over the images; the
    offsets' smooth L1 (its own, ``beta = 1 / 9``) times each pixel's ``1 / sqrt(area)`` weight,
    summed over ``torch.nonzero(weights > 0).size()[0]`` (1 when 0, a Python branch), times 0.03."""
    heat = (outputs["dekr_heat"] - _stack(targets, "heatmap")) ** 2 * _stack(targets, "heat_mask")
    heatmap_loss = heat.mean(dim=3).mean(dim=2).mean(dim=1).mean(dim=0)
    weights = _stack(targets, "off_w")
    diff = (outputs["dekr_off"] - _stack(targets, "offsets")).abs()
    smooth = torch.where(diff < beta, 0.5 * diff ** 2 / beta, diff - 0.5 * beta)
    num_pos = torch.nonzero(weights > 0).size()[0]
    if num_pos == 0:
        num_pos = 1.0
    offset_loss = (smooth * weights).sum() / num_pos
    return {"loss_heatmap": heatmap_loss, "loss_offset": offset_loss * 0.03}


def udp_combined_target_mse_per_joint_with_target_weight(outputs, targets, loss_weight=1.0):
    """mmpose's ``CombinedTargetMSELoss`` (UDP): the output reshaped ``(B, 3J, -1)`` and ``split(1,
    1)``; per joint the heatmap channel and two offset channels ``squeeze()``d; the heatmaps times the
    joint's target weight ``target_weight[:, idx]``, ``0.5 * mse``; the offsets times the true
    heatmap, ``0.5 * mse`` each; ``loss / num_joints * loss_weight``."""
    output, target, target_weight = outputs["udp"], _stack(targets, "udp"), _stack(targets, "udp_w")
    batch_size, num_channels = output.size(0), output.size(1)
    preds = output.reshape((batch_size, num_channels, -1)).split(1, 1)
    gts = target.reshape((batch_size, num_channels, -1)).split(1, 1)
    loss = 0.0
    num_joints = num_channels // 3
    for idx in range(num_joints):
        heat_pred, heat_gt = preds[idx * 3].squeeze(), gts[idx * 3].squeeze()
        off_x_pred, off_x_gt = preds[idx * 3 + 1].squeeze(), gts[idx * 3 + 1].squeeze()
        off_y_pred, off_y_gt = preds[idx * 3 + 2].squeeze(), gts[idx * 3 + 2].squeeze()
        heat_pred = heat_pred * target_weight[:, idx]
        heat_gt = heat_gt * target_weight[:, idx]
        loss += 0.5 * F.mse_loss(heat_pred, heat_gt)
        loss += 0.5 * F.mse_loss(heat_gt * off_x_pred, heat_gt * off_x_gt)
        loss += 0.5 * F.mse_loss(heat_gt * off_y_pred, heat_gt * off_y_gt)
    return {"loss_kpt": loss / num_joints * loss_weight}


# -- depth, restoration, generation ---------------------------------------------------------------


def structure_guided_ranking_over_sampled_pairs_per_image(outputs, targets, sigma=0.03):
    """Xian et al.'s structure-guided ranking loss (random pairs): per image the sampled pixel pairs
    of its valid depth (``view(-1)[idx]``, pairs with an invalid pixel dropped by a mask), the
    ordinal label from the true depth ratio (``1`` / ``-1`` beyond ``1 + sigma``, else 0); the
    logistic ranking loss over the unequal pairs and the squared difference over the equal ones, each
    a mean, ``torch.isnan`` guards (Python branches); summed over the images, over ``n`` (the
    prediction's ``shape[0]``)."""
    pred = outputs["depth"]
    n = pred.shape[0]
    loss = 0.0
    for i in range(n):
        t = targets[i]
        a, b = t["pair_a"], t["pair_b"]
        keep = t["valid"].view(-1)[a] & t["valid"].view(-1)[b]
        z_a, z_b = pred[i].view(-1)[a][keep], pred[i].view(-1)[b][keep]
        ratio = t["depth"].view(-1)[a][keep] / t["depth"].view(-1)[b][keep]
        label = torch.zeros_like(ratio)
        label[ratio >= 1 + sigma] = 1
        label[ratio <= 1 / (1 + sigma)] = -1
        d = z_a - z_b
        log_loss = torch.mean(torch.log(1 + torch.exp(-label[label != 0] * d[label != 0])))
        squared_loss = torch.mean(d[label == 0] ** 2)
        if torch.isnan(squared_loss):
            loss = loss + log_loss
        elif torch.isnan(log_loss):
            loss = loss + squared_loss
        else:
            loss = loss + log_loss + squared_loss
    return {"loss_rank": loss / n}


ALPHAS_CUMPROD = torch.linspace(0.99, 0.05, 10)  # a frozen diffusion model's schedule (ten steps here)


def score_distillation_sampling_with_detached_target(outputs, targets, guidance_floor=1e-3):
    """DreamFusion's score distillation (threestudio's ``guidance``): the timestep weight ``w = 1 -
    alphas_cumprod[t]``, ``grad = w * (noise_pred - noise)`` (the frozen denoiser's prediction, no
    grad), ``nan_to_num``; the target ``(latents - grad).detach()``, ``0.5 * mse_loss(latents, target,
    reduction='sum') / batch_size``; the gradient's norm logged (mean over images)."""
    latents = outputs["latents"]
    t = _stack(targets, "timestep")
    w = (1 - ALPHAS_CUMPROD[t]).clamp(min=guidance_floor).view(-1, 1, 1, 1)
    grad = torch.nan_to_num(w * (outputs["eps_pred"] - _stack(targets, "noise")))
    target = (latents - grad).detach()
    loss_sds = 0.5 * F.mse_loss(latents, target, reduction="sum") / latents.shape[0]
    return {"loss_sds": loss_sds, "grad_norm": grad.flatten(1).norm(dim=1).mean()}


def _gaussian_kernel(size=5, sigma=1.0):
    x = torch.arange(size, dtype=torch.float32) - size // 2
    k = torch.exp(-(x ** 2) / (2 * sigma ** 2))
    k2 = k[:, None] * k[None, :]
    return (k2 / k2.sum())[None, None].repeat(3, 1, 1, 1)


BLUR = _gaussian_kernel()


def _blur(img):
    return F.conv2d(F.pad(img, (2, 2, 2, 2), mode="reflect"), BLUR, groups=3)


def real_esrgan_usm_sharpened_l1_and_unet_discriminator_generator_bce(outputs, targets, usm_weight=0.5,
                                                                     threshold=10, gan_weight=0.1):
    """Real-ESRGAN's generator step: the ground truth sharpened by an unsharp mask (``USMSharp``: a
    Gaussian blur by a reflect-padded depthwise ``conv2d``, the residual, a mask where ``|residual|
    * 255 > threshold`` blurred to a soft mask, ``clamp(img + weight * residual, 0, 1)`` blended by
    it); the pixel L1 to it; the U-Net discriminator's per-pixel logits against ones
    (``BCEWithLogits``, mean) times ``gan_weight``."""
    img = _stack(targets, "hr")
    residual = img - _blur(img)
    mask = (torch.abs(residual) * 255 > threshold).float()
    soft_mask = _blur(mask)
    sharp = torch.clamp(img + usm_weight * residual, 0, 1)
    usm = soft_mask * sharp + (1 - soft_mask) * img
    l_pix = F.l1_loss(outputs["sr"], usm)
    d = outputs["d_sr"]
    l_gan = F.binary_cross_entropy_with_logits(d, d.new_ones(d.size())) * gan_weight
    return {"l_g_pix": l_pix, "l_g_gan": l_gan, "l_g_total": l_pix + l_gan}


# -- metric learning ------------------------------------------------------------------------------


NSUB = 3  # sub-centres per class
SUBCENTRE_W = torch.randn(NCLS * NSUB, D, generator=_gen(1861))  # the criterion's class sub-centres (fixed here)


def subcenter_arcface_max_over_subcentres_with_margin(outputs, targets, s=16.0, m=0.5):
    """Sub-center ArcFace: cosines to ``NSUB`` normalised sub-centres per class ``view(-1, C, K)``,
    the max over them; ArcFace's ``cos(theta + m)`` (``sqrt((1 - cos ** 2).clamp(0, 1))``, the
    ``torch.where(cos > th, phi, cos - mm)`` fallback); the target written by a one-hot ``scatter_``,
    ``s *``, CE; the mean target cosine logged."""
    label = _stack(targets, "label")
    cos = F.linear(F.normalize(outputs["face"]), F.normalize(SUBCENTRE_W)).view(-1, NCLS, NSUB)
    cos, _ = torch.max(cos, dim=2)
    sine = torch.sqrt((1.0 - torch.pow(cos, 2)).clamp(0, 1))
    phi = cos * math.cos(m) - sine * math.sin(m)
    phi = torch.where(cos > math.cos(math.pi - m), phi, cos - math.sin(math.pi - m) * m)
    one_hot = torch.zeros(cos.size()).scatter_(1, label.view(-1, 1).long(), 1)
    logits = (one_hot * phi + (1.0 - one_hot) * cos) * s
    return {"loss_arc": F.cross_entropy(logits, label), "target_cos": cos.gather(1, label[:, None]).mean()}


def sphereface_a_softmax_chebyshev_margin_with_annealed_lambda(outputs, targets, m=4, it=200):
    """SphereFace's ``AngleLinear`` / ``AngleLoss``: ``cos(m * theta)`` by its Chebyshev polynomial
    (``8x^4 - 8x^2 + 1``), ``k = floor(m * theta / 3.14159265)`` from ``cos.acos()`` (no grad),
    ``phi = (-1.0) ** k * cos_m_theta - 2 * k``; both times the feature norm; the target's logit
    blended ``(phi - cos) / (1 + lamb)`` (``lamb = max(5, 1000 / (1 + 0.12 * it))``), ``log_softmax``,
    ``-logpt.mean()``."""
    x, label = outputs["face"], _stack(targets, "label")
    w = F.normalize(SUBCENTRE_W[::NSUB], dim=1)
    x_norm = torch.norm(x, 2, 1)
    cos_theta = (F.linear(x, w) / x_norm.view(-1, 1)).clamp(-1, 1)
    cos_m_theta = 8 * cos_theta ** 4 - 8 * cos_theta ** 2 + 1
    theta = cos_theta.data.acos()
    k = (m * theta / 3.14159265).floor()
    phi_theta = ((-1.0) ** k) * cos_m_theta - 2 * k
    cos_theta, phi_theta = cos_theta * x_norm.view(-1, 1), phi_theta * x_norm.view(-1, 1)
    lamb = max(5.0, 1000.0 / (1 + 0.12 * it))
    index = torch.zeros_like(cos_theta).scatter_(1, label.view(-1, 1), 1).bool()
    output = cos_theta * 1.0
    output[index] -= cos_theta[index] / (1 + lamb)
    output[index] += phi_theta[index] / (1 + lamb)
    logpt = F.log_softmax(output, dim=1).gather(1, label.view(-1, 1)).view(-1)
    return {"loss_sphere": -logpt.mean()}


def adaface_norm_adaptive_margin_from_the_batch_norm_statistics(outputs, targets, m=0.4, h=0.333, s=16.0,
                                                                t_alpha=0.01):
    """AdaFace: the feature norms clipped (detached), the running mean and std of the norms updated
    with the batch's (``mean * t + (1 - t) * running``, from fixed starting values here), the margin
    scaler ``(norm - mean) / (std + eps) * h`` clipped to [-1, 1]; the angular margin on the target
    (``theta + g_angular``, clipped to [eps, pi - eps]) and the additive one (``cos - g_add``), both
    written at a one-hot ``scatter_``, ``s *``, CE; the plain CE of the normalised cosines logged."""
    x, label = outputs["face"], _stack(targets, "label")
    norms = torch.norm(x, 2, 1, keepdim=True)
    cosine = F.linear(F.normalize(x), F.normalize(SUBCENTRE_W[::NSUB])).clamp(-1 + 1e-3, 1 - 1e-3)
    safe_norms = torch.clip(norms, min=0.001, max=100).clone().detach()
    with torch.no_grad():
        batch_mean = safe_norms.mean() * t_alpha + (1 - t_alpha) * 20.0
        batch_std = safe_norms.std() * t_alpha + (1 - t_alpha) * 100.0
    margin_scaler = torch.clip((safe_norms - batch_mean) / (batch_std + 1e-3) * h, -1, 1)
    m_arc = torch.zeros(label.size(0), cosine.size(1)).scatter_(1, label.reshape(-1, 1), 1.0)
    theta = cosine.acos()
    theta_m = torch.clip(theta + m_arc * (m * margin_scaler * -1), min=1e-3, max=math.pi - 1e-3)
    cosine_m = theta_m.cos() - m_arc * (m + m * margin_scaler)
    return {"loss_ada": F.cross_entropy(cosine_m * s, label), "loss_plain": F.cross_entropy(cosine * s, label)}


# -- sequences, speakers --------------------------------------------------------------------------


def eagle_draft_feature_smooth_l1_and_soft_ce_over_the_loss_mask(model, batch, v_w=1.0, p_w=0.1):
    """EAGLE's draft-head training: the target model's next-token distribution ``softmax`` of its
    head's logits (detached) against the draft's ``log_softmax``, ``-sum(sum(mask * p * logp, 2)) /
    (mask.sum() + 1e-5)``; the draft features' ``SmoothL1Loss('none')`` to the target's, the mask
    times it averaged over the hidden dim, summed, over the same; ``v_w * vloss + p_w * ploss``;
    the top-1 agreement over the mask (``torch.max(.., 2)``, ``loss_mask.squeeze()``) logged."""
    loss_mask = batch["loss_mask"][:, :, None]
    target_p = F.softmax(model["target_logits"], 2).detach()
    out_logp = F.log_softmax(model["draft_logits"], 2)
    ploss = -torch.sum(torch.sum(loss_mask * target_p * out_logp, 2)) / (loss_mask.sum() + 1e-5)
    vloss = F.smooth_l1_loss(model["draft_hidden"], model["target_hidden"], reduction="none")
    vloss = torch.sum(torch.mean(loss_mask * vloss, 2)) / (loss_mask.sum() + 1e-5)
    with torch.no_grad():
        _, predicted = torch.max(model["draft_logits"], 2)
        _, target = torch.max(model["target_logits"], 2)
        acc = ((predicted == target) * loss_mask.squeeze(-1)).sum() / loss_mask.sum()
    return {"loss": v_w * vloss + p_w * ploss, "vloss": vloss, "ploss": ploss, "acc": acc}


def deepseek_moe_sequence_wise_and_global_balance_losses(model, batch, alpha=0.001):
    """DeepSeek's ``MoEGate``: the router's scores ``softmax`` over the experts for the flattened
    tokens, ``topk``; the sequence-wise auxiliary loss (``seq_aux``): per sequence each expert's
    selection count ``scatter_add_`` of ones into ``zeros(bsz, E)`` at ``topk_idx.view(bsz, -1)``,
    ``div_(seq_len * K / E)`` in place, times the sequence's mean score, summed over the experts,
    mean over the sequences, times ``alpha``; the global one (``one_hot`` of every selection, means
    over the batch's tokens, their product) mixes the sequences."""
    bsz, seq_len, _ = model["router"].shape
    scores = model["router"].reshape(-1, E).softmax(dim=-1)
    _, topk_idx = torch.topk(scores, k=TOPK, dim=-1, sorted=False)
    scores_for_seq_aux = scores.view(bsz, seq_len, -1)
    ce = torch.zeros(bsz, E)
    ce.scatter_add_(1, topk_idx.view(bsz, -1), torch.ones(bsz, seq_len * TOPK)).div_(seq_len * TOPK / E)
    aux_seq = (ce * scores_for_seq_aux.mean(dim=1)).sum(dim=1).mean() * alpha
    mask_ce = F.one_hot(topk_idx.view(-1), num_classes=E)
    fi = mask_ce.float().mean(0) * E
    aux_global = (scores.mean(0) * fi).sum() * alpha
    return {"aux_seq": aux_seq, "aux_global": aux_global}


def dynamic_fine_tuning_token_ce_scaled_by_its_detached_probability(model, batch):
    """Dynamic fine-tuning (DFT, Wu et al.): the shifted token CE (``reduction='none'``, -100
    ignored) times the model's detached probability of the label (``softmax(..).gather``, the
    ignored labels clamped to 0 first), ``sum / (labels != -100).sum()``; the plain CE logged."""
    logits, labels = model["lm"][:, :-1].reshape(-1, V), batch["labels"][:, 1:].reshape(-1)
    ce = F.cross_entropy(logits, labels, ignore_index=-100, reduction="none")
    valid = labels != -100
    p = torch.softmax(logits, -1).gather(-1, labels.clamp(min=0)[:, None]).squeeze(-1).detach()
    return {"loss_dft": (ce * p).sum() / valid.sum(), "loss_ce": ce.sum() / valid.sum()}


M_UTT = 2  # utterances per speaker


def ge2e_softmax_over_speaker_centroids_with_exclusive_own_centroid(model, batch, w=10.0, b=-5.0):
    """GE2E (generalised end-to-end speaker verification): utterance embeddings ``view(N, M, D)``,
    each speaker's centroid, for its own utterances the exclusive centroid ``(sum - e) / (M - 1)``;
    the scaled cosine ``w * cos + b`` of every utterance to every centroid, the softmax loss
    ``-S_own + logsumexp``, summed over utterances, over the batch size; mixes the speakers."""
    e = F.normalize(model["utterances"], dim=1).view(-1, M_UTT, D)
    n = e.shape[0]
    centroids = e.mean(1)
    excl = (e.sum(1, keepdim=True) - e) / (M_UTT - 1)
    cos_all = torch.einsum("nmd,kd->nmk", e, F.normalize(centroids, dim=1))
    cos_own = F.cosine_similarity(e, excl, dim=2)
    own = torch.eye(n, dtype=torch.bool)[:, None, :].expand(n, M_UTT, n)
    cos = torch.where(own, cos_own[..., None].expand(n, M_UTT, n), cos_all)
    sim = w * cos + b
    loss = (-sim[own].view(n, M_UTT) + torch.logsumexp(sim, dim=2)).sum() / (n * M_UTT)
    return {"loss_ge2e": loss}


# -- audio ----------------------------------------------------------------------------------------


def _stft(x, n_fft, hop):
    return torch.stft(x, n_fft, hop_length=hop, window=torch.hann_window(n_fft), return_complex=True)


def power_law_compressed_complex_spectral_mse(outputs, targets, c=0.3, alpha=0.3, n_fft=32, hop=8):
    """Braun and Tashev's compressed spectral loss (speech enhancement): the STFT of enhanced and clean
    speech, the magnitudes compressed ``abs ** c`` and the complex spectra rebuilt by
    ``torch.polar(mag ** c, angle)``; ``alpha * mse`` of the complex spectra (``view_as_real``) plus
    ``(1 - alpha) * mse`` of the compressed magnitudes."""
    sp, st = _stft(outputs["enhanced"], n_fft, hop), _stft(_stack(targets, "clean"), n_fft, hop)
    mp, mt = sp.abs().clamp(min=1e-8) ** c, st.abs().clamp(min=1e-8) ** c
    cp, ct = torch.polar(mp, torch.angle(sp)), torch.polar(mt, torch.angle(st))
    complex_loss = F.mse_loss(torch.view_as_real(cp), torch.view_as_real(ct))
    mag_loss = F.mse_loss(mp, mt)
    return {"loss": alpha * complex_loss + (1 - alpha) * mag_loss, "loss_mag": mag_loss}


def _mel_filters(n_freq, n_mels=8):
    """Triangular filters on a linear-in-mel scale: [n_freq, n_mels]."""
    mel = torch.linspace(0, 2595 * math.log10(1 + 8000 / 700), n_mels + 2)
    hz = 700 * (10 ** (mel / 2595) - 1)
    bins = hz / 8000 * (n_freq - 1)
    f = torch.arange(n_freq, dtype=torch.float32)[:, None]
    up = (f - bins[:-2]) / (bins[1:-1] - bins[:-2])
    down = (bins[2:] - f) / (bins[2:] - bins[1:-1])
    return torch.clamp(torch.minimum(up, down), min=0)


def encodec_time_l1_multi_scale_mel_l1_l2_and_commitment(outputs, targets, commitment_weight=1.0):
    """EnCodec's losses (HF's ``EncodecLoss``): the time-domain L1; over the scales ``2 ** i`` the
    power mel spectrogram of both waveforms (``n_fft = scale``, ``hop = scale // 4``, a fixed
    filterbank ``matmul``), L1 plus MSE, added up, over ``len(scales) * 2``; the commitment, each
    quantiser step's MSE of quantised to residual (``permute(0, 2, 1)``) added up from
    ``torch.tensor(0.0)`` in place, ``*=`` its weight."""
    x, x_hat = _stack(targets, "clean"), outputs["decoded"]
    time_loss = F.l1_loss(x_hat, x)
    scales = [2 ** i for i in range(5, 8)]
    frequency_loss = 0.0
    for scale in scales:
        fb = _mel_filters(scale // 2 + 1)
        s_x = torch.matmul(_stft(x, scale, scale // 4).abs().pow(2).transpose(1, 2), fb)
        s_hat = torch.matmul(_stft(x_hat, scale, scale // 4).abs().pow(2).transpose(1, 2), fb)
        frequency_loss += F.l1_loss(s_hat, s_x) + F.mse_loss(s_hat, s_x)
    frequency_loss = frequency_loss / (len(scales) * 2)
    commitment = torch.tensor(0.0)
    for s in range(NSTEP):
        commitment += F.mse_loss(outputs["quantized"][:, s].permute(0, 2, 1), outputs["residual"][:, s].permute(0, 2, 1))
    commitment *= commitment_weight
    return {"loss_reconstruction": time_loss + frequency_loss, "loss_commitment": commitment,
            "loss_time": time_loss}


# -- the table ------------------------------------------------------------------------------------


CASES = {c.body.__name__: c for c in [
    Case(cornernet_corner_focal_pull_push_and_offsets_over_padded_objects, corner_batch),
    # loss_ddf declined until ``mask.sum() * batch_scale``, batch_scale = 1 / pred_boxes.shape[0], was read as
    # ``mask.sum() / bs`` (the group's own count): the square roots weigh the two means as formulas of ratios
    Case(dfine_fine_grained_localisation_and_decoupled_distillation, det_batch_with_num_boxes),
    # silently wrong at first contact on batch 0 (loss_cls_aux, loss_bbox_aux: the count, twice the images,
    # read as a multiple of them); batch 1 declined the call (a number after sizes of single images' tensors);
    # split since: each image's len(t["pos_labels"]) added up is the group's sum
    Case(codetr_auxiliary_positive_queries_focal_l1_giou_over_positive_count, det_batch),
    # loss_cls declined until num_pos + num_imgs was read as the group's positives plus its images
    Case(polarmask_polar_iou_weighted_by_centerness_and_focal_over_pos_plus_images, dense_batch),
    # silently wrong at first contact (every key on both batches: divided by the batch's num_objects), then
    # declined; split since: the per-mask quotients over the floored count of image rows, summed
    Case(sam2_multistep_multimask_focal_dice_iou_and_object_score, image_batch),
    Case(sparseinst_matched_mask_dice_bce_and_iou_aware_objectness, det_batch),
    Case(dekr_masked_heatmap_mse_and_area_weighted_offsets_over_nonzero_count, image_batch),
    # session 47 (gap47a): ``num_joints = num_channels // 3`` equal to the 3 images of batch 1 by value declined
    # (2); read through its locals as arithmetic of a size of a dim without images, a constant: split
    Case(udp_combined_target_mse_per_joint_with_target_weight, image_batch),
    Case(structure_guided_ranking_over_sampled_pairs_per_image, image_batch),
    Case(score_distillation_sampling_with_detached_target, image_batch),
    Case(real_esrgan_usm_sharpened_l1_and_unet_discriminator_generator_bce, image_batch),
    Case(subcenter_arcface_max_over_subcentres_with_margin, image_batch),
    Case(sphereface_a_softmax_chebyshev_margin_with_annealed_lambda, image_batch),  # split since first contact
    Case(adaface_norm_adaptive_margin_from_the_batch_norm_statistics, image_batch, keys("loss_ada"),
         why="the margin scales by each norm against the batch's mean and std of the norms"),
    Case(eagle_draft_feature_smooth_l1_and_soft_ce_over_the_loss_mask, seq_batch),
    # session 27 (s34): counted as MIXES until then; a sum of products of the group's per-expert means times
    # ``alpha``, a parameter at its default (a constant of the expression): splits as the oracle
    Case(deepseek_moe_sequence_wise_and_global_balance_losses, seq_batch),
    Case(dynamic_fine_tuning_token_ce_scaled_by_its_detached_probability, seq_batch),
    Case(ge2e_softmax_over_speaker_centroids_with_exclusive_own_centroid, seq_batch, keys("loss_ge2e"),
         why="every utterance's softmax runs over every speaker's centroid"),
    Case(power_law_compressed_complex_spectral_mse, audio_batch),  # loss split since first contact
    Case(encodec_time_l1_multi_scale_mel_l1_l2_and_commitment, audio_batch),
]}


# session 27 (s34): DeepSeek's global balance loss, counted as mixing, is a sum of products of the group's
# per-expert means times ``alpha`` (a parameter at its default): it splits as the oracle (5 fewer declines)
NOW = (208, 8, 0, 0)  # expected, declined, GAP, WRONG (first contact: 208, 35, 22, 21)
globals().update(survey_tests(CASES, range(len(WEIGHTS)), 20, NOW))
