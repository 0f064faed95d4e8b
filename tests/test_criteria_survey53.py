"""Coverage survey 53: first contact, our own code of 26 public criteria, each with the published
method's ops, gathers, reductions and normaliser, decorated from outside, in today's pose, depth,
restoration / generation, self-supervised and language-model training code. Ten are criteria no
survey wrote (checked by grepping every survey module): DSINE's angular loss with a von Mises-Fisher
concentration (``acos`` of the cosine over valid pixels, ``rad2deg`` logged), TorchCFM's exact-OT
minibatch coupling (a Sinkhorn plan over the batch's noise and data) beside the independent coupling,
SCAN's clustering (consistency by ``bmm`` of the softmaxes, the entropy of the batch's mean
assignment), CRD's NCE against a memory bank (``index_select`` of each sample's contrast indices,
``select`` / ``narrow`` of the scores over ``bsz``), LeCam's regulariser against the discriminator's
EMA beside a hinge loss, MaskGIT's masked-token CE (a cosine schedule's masked count per sample, a double
``argsort``), VAR's next-scale CE (``view`` back to ``[B, L]`` times a ``1 / L`` weight, each scale's
slice logged), the symmetric and generalized CE of noisy labels, DistilBERT's triple loss
(``masked_select`` of the masked positions, KL ``batchmean`` times ``T²``, the MLM CE, the cosine
embedding loss against ``new(n).fill_(1)``) and SPPO's squared log-ratios. Sixteen are this
session's variants of criteria earlier surveys wrote (the brief's examples were surveyed before):
ViTPose's ``JointsMSELoss`` split per joint with OHKM's ``topk`` per image (47), YOLOv8-pose's OKS and
visibility BCE through the ``[B, max n, K, 3]`` buffer gathered by the assigner (36), DEKR (18),
AdaBins' and BTS's SILog (17, ...), the virtual normal over fixed triplets (17), NAFNet's PSNR on Y and
RGB (35), the focal frequency loss beside Restormer's L1 (29, 35), min-SNR-γ v-prediction with the
velocity built in the body (26, 37), CLIP with a clamped learned temperature (many), VICReg (29, 42),
TRL's DPO over chosen and rejected concatenated along the batch and split at ``B``, CPO-SimPO, ORPO,
KTO's batch KL (many), a MoE's CE, load balancing and router z-loss (many), and packed rows with each
document's mean loss by ``scatter_add`` at ``cumsum`` ids (packing: 9, 10; the per-document mean is
new). The harness and its vocabulary (``MIXES``, ``GAP``, ``WRONG``, the 3 % target of issue #13) are
``_survey``'s.

Four batches as surveys 23 to 52's: pose, depth and normals from the targets' ``loss_weight`` (the
default source, which the oracle sets to 1: 4 images of two groups, 3 of two, 3 of one group with
every weight 1, 1 image); the others through ``losssplit.sources``, 4 examples of three groups, 3 of
two, 3 of one, 1.

FIRST_CONTACT (26 patterns, s53 at 6fb1eaf unchanged): 408 expected companions, 68 declined, **39 GAP
(9.6 %)**, 0 WRONG in the table. The 29 declines where examples mix, each with a warning naming its
key: CLIP's loss and accuracy, VICReg's variance and covariance, KTO's loss through its batch KL, the
MoE's load balancing, OT-CFM's coupling. The GAPs: DistilBERT (10: the target of ones made by
``Tensor.new``, an op without a rule); YOLOv8-pose (8: the keypoints written per image into the padded
buffer, "``Tensor.__getitem__`` picks positions along a dim that carries images", the whole call); the
packed documents' mean (5: the ids a ``cumsum`` over the flattened rows); CRD (5: ``Tensor.select`` and
``narrow`` had no rule); DSINE's logged angle (5: ``torch.rad2deg`` had no rule); LeCam's EMA step (5:
a 0-dim buffer passed in plus the batch's mean, not told from a count passed in); the virtual normal on
the one image (1). Split at first contact among the new ones: SCAN (its entropy of the group's mean
assignment too, which the oracle recomputes), MaskGIT, VAR, the symmetric / generalized CE, SPPO,
LeCam's loss, DSINE's loss; and ViTPose with OHKM, DEKR, both SILogs, NAFNet, the focal frequency
loss, min-SNR v-prediction, VICReg's invariance, DPO's concatenation split at ``B``, CPO-SimPO, ORPO,
KTO's KL and rewards, the MoE's CE and z-loss, the packed token mean, CLIP's per-pair alignment.

WRONG found beside the table (probes of ``select`` with the loop position, not a table pattern): one
image's values picked in a loop over the images and read in a second subscript at a place computed
from the loop's position (``x_i = x[i]; x_i[:, i % 2]``, ``enumerate(zip(x, targets))``) was read at the
batch's place on every group (survey 52's fix covered ``x[i, :, i % 2]`` in one subscript), and so was
a write through such a view (``z[i][:, i % 3] = v``). Fixed: both decline naming the op
(``tests/test_rules_select_narrow.py``; an inner loop's positions, the image's own data and literals
split). Pinned (strict xfails): ``enumerate`` of the batch tensor alone, no
targets in the loop, is no loop over the images to the position readers; a read by slice bounds there
(``x[i][:, i % 3:i % 3 + 1]``) is not read (the reader counts an image's own size too).

NOW (s53): 408 expected, 42 declined, **13 GAP (3.2 %)**, 0 WRONG. General rules, each with near
misses against the oracle: (1) ``torch.cross`` of values that remember a weight (on a batch of one
image, values times any untracked factor: the back-projection's ``(u - cx) · z / f``) gives the cross
product of their unweighted values (the virtual normal, 1; ``tests/test_rules_weighted_cross.py``);
(2) the ``cumsum`` of non-negative data along the images' flattened rows, each image's first element at
least 1 (``cumsum(position_ids == 0) - 1``), is segment ids each naming one image's elements, and
``torch.zeros(n).scatter_add(0, ids, x)`` (or ``index_add``, out of place) of those elements is one
segment per position, of its image, checked with the call's one read (the packed documents, 5;
``tests/test_rules_segment_ids.py``: a document running on from the previous row, negative data,
positions no segment writes and other elements decline); (3) ``torch.rad2deg`` / ``deg2rad`` are
element-wise (DSINE, 5; the registry's tests); (4) ``x.new(*sizes)`` is fresh memory as
``x.new_empty`` (DistilBERT, 10; ``tests/test_rules_legacy_new.py``: ``x.new(data)`` of the weights
still declines); (5) ``select`` / ``narrow`` with plain ints along a dim without images are the
subscripts ``x[:, k]`` / ``x[:, a:a + n]`` (CRD, 5; ``tests/test_rules_select_narrow.py``: along the
images, at a count of images or a loop position they decline). Left: YOLOv8-pose's padded keypoint
buffer (8, survey 52's padded-buffer cause) and LeCam's EMA step (5: a no-grad 0-dim tensor argument
added to a mean, which the library does not tell from a count passed in).

NOW (gap42): 408 expected, 34 declined, **5 GAP (1.2 %)**, 0 WRONG. YOLOv8-pose splits (8;
``tests/test_rules_padded_widths.py``): ``kpts[batch_idx == i]``, ``batch_idx`` a join of int fills of
the images' positions in a loop over the images, is image ``i``'s rows (checked: ``batch_idx`` is the
rows' map of images); the ``[B, max n, K, 3]`` buffer each image writes a prefix of is read only by the
gather along that dim, each row's indices within its prefix (checked); any other read of a padded width
(a mean, a view, its shape, a gather past a prefix) declines. Left: LeCam's EMA step (5).

NOW (session 47, gap47c): 408 expected, 29 declined, **0 GAP (0.0 %)**, 0 WRONG. LeCam's EMA step splits
(5): a one-element float tensor passed as a top-level argument without a grad history, and values made of
it with numbers the code writes (``decay * ema``, ``decay`` a parameter at its default), added to a
reduced value is a term of its own: the group's call receives the argument whole (the oracle's ``KEEP``);
one equal to a count of the batch still declines the call (``tests/test_rules_argument_scalars.py``).
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from _helpers import KEEP, ROWS, TARGETS
from _survey import (
    LIBRARY_SOURCES,
    LIBRARY_WEIGHTS,
    Case,
    built,
    keys,
    response_labels,
    sinkhorn,
    survey_tests,
)
from _survey import along_rows as _rows
from _survey import batch_logps as _logps
from _survey import gen as _gen
from _survey import leaf as _leaf
from _survey import library_examples as _n

# One worker runs the table: each pattern's outcome is computed once.
pytestmark = pytest.mark.xdist_group("survey53")

WEIGHTS = LIBRARY_WEIGHTS
SOURCES = LIBRARY_SOURCES
_MIXED = (0, 1)
_ALL = (0, 1, 3)


# -- pose / keypoints -----------------------------------------------------------------------------------

K = 5  # keypoints
HX, HY = 6, 8  # heatmap width, height
SPLIT = 2.0  # SimCC's bins per pixel
SIGMAS = torch.tensor([0.26, 0.25, 0.25, 0.35, 0.35]) / 10.0  # COCO-style per-keypoint sigmas


def _visible(g: torch.Generator, i: int, seed: int) -> torch.Tensor:
    """Per keypoint visibility 0 / 1 / 2, keypoint ``(i + seed) % K`` unlabelled, at least one labelled."""
    vis = torch.randint(1, 3, (K,), generator=g)
    vis[(i + seed) % K] = 0
    return vis


def pose_batch(seed: int) -> tuple[list, list, None]:
    """A top-down pose head on ``B`` crops: SimCC logits along x [B, K, 12] and y [B, K, 16], heatmaps
    [B, K, 8, 6]; per image its keypoints (pixels of the 6 × 8 heatmap), their visibility, the
    dataset's target heatmaps with their per-keypoint target weight, and ``loss_weight``."""
    g = _gen(seed + 5300)
    b = _n(seed)
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        xy = torch.rand(K, 2, generator=g) * torch.tensor([HX - 1.0, HY - 1.0])
        vis = _visible(g, i, seed)
        gx, gy = torch.arange(HX).float(), torch.arange(HY).float()
        heat = torch.exp(-((gx[None, None] - xy[:, None, None, 0]) ** 2 + (gy[None, :, None] - xy[:, None, None, 1]) ** 2)
                         / 2.0)
        targets.append({"keypoints": xy, "visible": vis, "heatmap": heat, "target_weight": (vis > 0).float(),
                        "loss_weight": w})
    out = {"simcc_x": _leaf(b, K, int(HX * SPLIT), g=g), "simcc_y": _leaf(b, K, int(HY * SPLIT), g=g),
           "heatmap": _leaf(b, K, HY, HX, g=g, scale=0.3)}
    return [out, targets], [ROWS, TARGETS], None






def vitpose_joints_mse(outputs, targets):
    """ViTPose's ``JointsMSELoss`` (``use_target_weight``): heatmaps flattened per joint and split
    into K, each joint's ``0.5 · mse(pred · w, gt · w)`` (a mean over the batch's pixels), summed and
    over K; an OHKM variant beside it: per image its joints' losses, the ``topk`` 3 hardest, their
    mean, averaged over the images."""
    heat = outputs["heatmap"]
    b, k = heat.shape[:2]
    pred = heat.reshape(b, k, -1).split(1, 1)
    gt = torch.stack([t["heatmap"] for t in targets]).reshape(b, k, -1).split(1, 1)
    tw = torch.stack([t["target_weight"] for t in targets])
    loss = 0.0
    for j in range(k):
        hp, hg = pred[j].squeeze(1), gt[j].squeeze(1)
        loss += 0.5 * F.mse_loss(hp.mul(tw[:, j:j + 1]), hg.mul(tw[:, j:j + 1]))
    per_joint = 0.5 * ((heat - torch.stack([t["heatmap"] for t in targets])) ** 2).mean((2, 3)) * tw
    hard, _ = torch.topk(per_joint, k=3, dim=1, sorted=False)
    ohkm = (hard.sum(1) / 3).mean()
    return {"loss_heatmap": loss / k, "loss_ohkm": ohkm}


A = 8  # anchors of the dense pose head


def yolo_pose_batch(seed: int) -> tuple[list, list, None]:
    """YOLOv8-pose's head: keypoints per anchor [B, 8, K, 3] (x, y, visibility logit), the task-aligned
    assigner's gt index per anchor and foreground mask [B, 8] and the assigned boxes [B, 8, 4] (xyxy);
    per image 1 to 3 instances' keypoints [n, K, 3] (the third the visibility flag) and
    ``loss_weight``."""
    g = _gen(seed + 5310)
    b = _n(seed)
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        n = 1 + (i + seed) % 3
        kpts = torch.cat([torch.rand(n, K, 2, generator=g) * 8, torch.randint(0, 3, (n, K, 1), generator=g).float()], -1)
        kpts[0, 0, 2] = 2.0
        targets.append({"keypoints": kpts, "loss_weight": w})
    counts = [len(t["keypoints"]) for t in targets]
    assigned = torch.stack([torch.randint(0, n, (A,), generator=g) for n in counts])
    fg = torch.rand(b, A, generator=g) < 0.5
    fg[:, 0] = True
    lo = torch.rand(b, A, 2, generator=g) * 3
    boxes = torch.cat([lo, lo + 1 + torch.rand(b, A, 2, generator=g) * 4], -1)
    pred = _leaf(b, A, K, 3, g=g, scale=3.0)
    return [pred, targets, assigned, fg, boxes], [ROWS, TARGETS, ROWS, ROWS, ROWS], None


def _oks_keypoint_loss(pred, gt, kpt_mask, area):
    """YOLOv8's ``KeypointLoss``: the squared distance over ``(2σ)² · (area + eps) · 2``, ``1 - exp(-e)``
    over the labelled keypoints, each instance's factor K over its labelled count, the mean."""
    d = (pred[..., 0] - gt[..., 0]).pow(2) + (pred[..., 1] - gt[..., 1]).pow(2)
    kpt_loss_factor = kpt_mask.shape[1] / (torch.sum(kpt_mask != 0, dim=1) + 1e-9)
    e = d / ((2 * SIGMAS).pow(2) * (area + 1e-9) * 2)
    return (kpt_loss_factor.view(-1, 1) * ((1 - torch.exp(-e)) * kpt_mask)).mean()


def yolov8_pose_oks(pred_kpts, targets, target_gt_idx, fg_mask, target_bboxes):
    """YOLOv8-pose's ``calculate_keypoints_loss``: the targets' keypoints concatenated with their
    ``batch_idx``, written per image into a ``[B, max n, K, 3]`` buffer, gathered per anchor by the
    assigner's index, the foreground's picked by ``fg_mask``; the OKS loss over each anchor's box area
    and the keypoints' visibility BCE, both times the batch size (as ``loss.sum() · batch_size``)."""
    b = pred_kpts.shape[0]
    kpts = torch.cat([t["keypoints"] for t in targets])
    batch_idx = torch.cat([torch.full((len(t["keypoints"]),), i) for i, t in enumerate(targets)])
    max_kpts = torch.unique(batch_idx, return_counts=True)[1].max()
    batched = torch.zeros((b, max_kpts, K, 3))
    for i in range(b):
        keypoints_i = kpts[batch_idx == i]
        batched[i, :keypoints_i.shape[0]] = keypoints_i
    idx = target_gt_idx.unsqueeze(-1).unsqueeze(-1)
    selected = batched.gather(1, idx.expand(-1, -1, K, 3))
    gt = selected[fg_mask]
    area = (target_bboxes[fg_mask][:, 2:] - target_bboxes[fg_mask][:, :2]).prod(1, keepdim=True)
    pred = pred_kpts[fg_mask]
    kpt_mask = gt[..., 2] != 0
    pose = _oks_keypoint_loss(pred, gt, kpt_mask, area)
    kobj = F.binary_cross_entropy_with_logits(pred[..., 2], kpt_mask.float())
    return {"loss_pose": pose * 12.0 * b, "loss_kobj": kobj * 1.0 * b}


def dekr_batch(seed: int) -> tuple[list, list, None]:
    """DEKR's heads [B, K + 1, 8, 6] (keypoint and centre heatmaps) and [B, 2K, 8, 6] (offsets); per
    image the target heatmaps with their masks, the target offsets with their weights (an instance's
    ``1 / sqrt(area)`` near its centre, 0 elsewhere) and ``loss_weight``."""
    g = _gen(seed + 5320)
    b = _n(seed)
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        mask = torch.ones(K + 1, HY, HX)
        mask[:, :2, :2] = 0.0 if (i + seed) % 2 else 1.0
        ow = torch.zeros(2 * K, HY, HX)
        ow[:, 2:4 + (i + seed) % 3, 1:4] = 1.0 / math.sqrt(4.0 + i)
        targets.append({"heatmap": torch.rand(K + 1, HY, HX, generator=g), "mask": mask,
                        "offset": torch.randn(2 * K, HY, HX, generator=g), "offset_w": ow, "loss_weight": w})
    out = {"heatmap": _leaf(b, K + 1, HY, HX, g=g, scale=0.3), "offset": _leaf(b, 2 * K, HY, HX, g=g)}
    return [out, targets], [ROWS, TARGETS], None


def dekr_heatmap_offset(outputs, targets, beta=1.0 / 9):
    """DEKR's losses: the masked heatmap MSE per image (``mean(dim=(1, 2, 3))``) averaged, the centre's
    channel weighted apart; the offsets' smooth L1 times their weights summed over the count of
    positive weights (``num_pos``, clamped at 1)."""
    gt = torch.stack([t["heatmap"] for t in targets])
    mask = torch.stack([t["mask"] for t in targets])
    per = ((outputs["heatmap"] - gt) ** 2) * mask
    heat = per[:, :-1].mean(dim=(1, 2, 3)).mean() + 4.0 * per[:, -1:].mean(dim=(1, 2, 3)).mean()
    weights = torch.stack([t["offset_w"] for t in targets])
    num_pos = torch.nonzero(weights > 0).size()[0]
    loss = F.smooth_l1_loss(outputs["offset"], torch.stack([t["offset"] for t in targets]), beta=beta,
                            reduction="none") * weights
    num_pos = max(num_pos, 1)
    return {"loss_dekr_heatmap": heat, "loss_dekr_offset": loss.sum() / num_pos}


# -- depth ----------------------------------------------------------------------------------------------

D = 8  # depth map side


def depth_batch(seed: int) -> tuple[list, list, None]:
    """A monocular depth head [B, 1, 8, 8] (positive); per image its ground-truth depth [1, 8, 8] in
    [0.5, 4.5], a validity mask (a block of invalid pixels on odd images) and ``loss_weight``."""
    g = _gen(seed + 5330)
    b = _n(seed)
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        valid = torch.ones(1, D, D, dtype=torch.bool)
        if (i + seed) % 2:
            valid[:, :3, :2 + i] = False
        targets.append({"depth": torch.rand(1, D, D, generator=g) * 4 + 0.5, "valid": valid, "loss_weight": w})
    pred = (torch.rand(b, 1, D, D, generator=g) * 3 + 0.5).requires_grad_()
    return [pred, targets], [ROWS, TARGETS], None






def silog_adabins_bts(pred, targets, variance_focus=0.85):
    """Two SILog losses over the batch's valid pixels (boolean indexing of the stacked maps): AdaBins'
    ``10 · sqrt(var(g) + 0.15 · mean(g)²)`` and BTS's ``10 · sqrt(mean(d²) - 0.85 · mean(d)²)``."""
    target = torch.stack([t["depth"] for t in targets])
    mask = torch.stack([t["valid"] for t in targets])
    g = torch.log(pred[mask]) - torch.log(target[mask])
    dg = torch.var(g) + 0.15 * torch.pow(torch.mean(g), 2)
    d = torch.log(pred[mask]) - torch.log(target[mask])
    bts = torch.sqrt((d ** 2).mean() - variance_focus * (d.mean() ** 2)) * 10.0
    return {"loss_silog_adabins": 10 * torch.sqrt(dg), "loss_silog_bts": bts}


_TRIPLETS = torch.randint(0, D * D, (24, 3), generator=_gen(5339))
_FOCAL = 6.0


def _points(depth: torch.Tensor) -> torch.Tensor:
    """Back-projected points [B, D·D, 3] of depth maps [B, 1, D, D] (fixed intrinsics)."""
    v, u = torch.meshgrid(torch.arange(D).float(), torch.arange(D).float(), indexing="ij")
    z = depth.reshape(depth.shape[0], -1)
    x = (u.reshape(-1) - D / 2) * z / _FOCAL
    y = (v.reshape(-1) - D / 2) * z / _FOCAL
    return torch.stack([x, y, z], -1)


def virtual_normal(pred, targets, eps=1e-4):
    """The virtual normal loss (Yin et al.): both depth maps back-projected, each sampled triplet's
    plane normal by a cross product, triplets whose ground-truth points are near collinear dropped
    (a boolean mask over images and triplets), the mean absolute difference of the unit normals."""
    gt = torch.stack([t["depth"] for t in targets])
    pp, pg = _points(pred), _points(gt)

    def normals(p):
        p0, p1, p2 = p[:, _TRIPLETS[:, 0]], p[:, _TRIPLETS[:, 1]], p[:, _TRIPLETS[:, 2]]
        return torch.cross(p1 - p0, p2 - p0, dim=-1)

    np_, ng = normals(pp), normals(pg)
    keep = ng.norm(dim=-1) > eps
    np_ = np_ / (np_.norm(dim=-1, keepdim=True) + eps)
    ng = ng / (ng.norm(dim=-1, keepdim=True) + eps)
    return {"loss_vnl": torch.abs(np_[keep] - ng[keep]).mean()}




# -- restoration and generation -------------------------------------------------------------------------


def image_batch(seed: int) -> tuple[list, list, list]:
    """A restoration network's output and the clean image [B, 3, 8, 8] in [0, 1]."""
    g = _gen(seed + 5340)
    b = len(SOURCES[seed])
    return [torch.rand(b, 3, D, D, generator=g).requires_grad_(), torch.rand(b, 3, D, D, generator=g)], _rows(2), \
        SOURCES[seed]


def nafnet_psnr(pred, target, to_y=True):
    """NAFNet's ``PSNRLoss``: on the Y channel (``(x · coef).sum(1) + 16``, over 255), ``10 / ln 10 ·
    log(mse per image + 1e-8)`` averaged over the images; beside it the RGB form."""
    scale = 10 / math.log(10)
    coef = torch.tensor([65.481, 128.553, 24.966]).reshape(1, 3, 1, 1)
    py = ((pred * coef).sum(dim=1).unsqueeze(dim=1) + 16.0) / 255.0
    ty = ((target * coef).sum(dim=1).unsqueeze(dim=1) + 16.0) / 255.0
    y = scale * torch.log(((py - ty) ** 2).mean(dim=(1, 2, 3)) + 1e-8).mean()
    rgb = scale * torch.log(((pred - target) ** 2).mean(dim=(1, 2, 3)) + 1e-8).mean()
    return {"loss_psnr_y": y, "loss_psnr_rgb": rgb}


def focal_frequency(pred, target, alpha=1.0, patch=2):
    """Jiang et al.'s focal frequency loss: the images cut into 2 × 2 patches, ``fft2`` (ortho) of
    each, real and imaginary parts stacked; the spectrum weight ``|F_p - F_t|^alpha`` normalised by
    its maximum per image, patch and channel, clamped, detached; the mean of weight times distance.
    Beside it Restormer's L1 and a frequency L1 of ``rfft2``."""

    def freq(x):
        h, w = x.shape[-2:]
        ph, pw = h // patch, w // patch
        parts = torch.stack([x[:, :, i * ph:(i + 1) * ph, j * pw:(j + 1) * pw] for i in range(patch)
                             for j in range(patch)], 1)
        f = torch.fft.fft2(parts, norm="ortho")
        return torch.stack([f.real, f.imag], -1)

    fp, ft = freq(pred), freq(target)
    tmp = (fp - ft) ** 2
    distance = tmp[..., 0] + tmp[..., 1]
    with torch.no_grad():
        matrix = torch.sqrt(tmp[..., 0] + tmp[..., 1]) ** alpha
        matrix = matrix / matrix.max(-1).values.max(-1).values[:, :, :, None, None]
        matrix[torch.isnan(matrix)] = 0.0
        matrix = torch.clamp(matrix, min=0.0, max=1.0)
    ffl = torch.mean(matrix * distance)
    rp, rt = torch.fft.rfft2(pred), torch.fft.rfft2(target)
    fl1 = F.l1_loss(torch.view_as_real(rp), torch.view_as_real(rt))
    return {"loss_ffl": ffl * 1.0, "loss_restormer_l1": F.l1_loss(pred, target) + 0.05 * fl1}








_BETAS = torch.linspace(1e-4, 0.02, 50)
_ALPHAS_CUMPROD = torch.cumprod(1.0 - _BETAS, 0)


def diffusion_batch(seed: int) -> tuple[list, list, list]:
    """A diffusion UNet's output [B, 3, 8, 8], the clean latents, the noise and the timesteps [B]."""
    g = _gen(seed + 5350)
    b = len(SOURCES[seed])
    t = torch.randint(0, 50, (b,), generator=g)
    return [_leaf(b, 3, D, D, g=g), torch.randn(b, 3, D, D, generator=g), torch.randn(b, 3, D, D, generator=g), t], \
        _rows(4), SOURCES[seed]


def _snr(timesteps):
    alpha = _ALPHAS_CUMPROD.to(timesteps.device)[timesteps].float() ** 0.5
    sigma = (1.0 - _ALPHAS_CUMPROD.to(timesteps.device)[timesteps]).float() ** 0.5
    return (alpha / sigma) ** 2




def min_snr_v_prediction(model_pred, latents, noise, timesteps, snr_gamma=5.0):
    """The same with ``v_prediction``: the target ``√ᾱ · ε - √(1-ᾱ) · x₀`` (the scheduler's
    ``get_velocity``, its factors flattened and unsqueezed to the latents' rank), the weights
    ``min(snr, γ) / (snr + 1)``."""
    sqrt_alpha = _ALPHAS_CUMPROD[timesteps] ** 0.5
    sqrt_one_minus = (1 - _ALPHAS_CUMPROD[timesteps]) ** 0.5
    sqrt_alpha, sqrt_one_minus = sqrt_alpha.flatten(), sqrt_one_minus.flatten()
    while len(sqrt_alpha.shape) < len(latents.shape):
        sqrt_alpha, sqrt_one_minus = sqrt_alpha.unsqueeze(-1), sqrt_one_minus.unsqueeze(-1)
    target = sqrt_alpha * noise - sqrt_one_minus * latents
    snr = _snr(timesteps)
    weights = torch.stack([snr, snr_gamma * torch.ones_like(timesteps)], dim=1).min(dim=1)[0] / (snr + 1)
    loss = F.mse_loss(model_pred.float(), target.float(), reduction="none")
    loss = loss.mean(dim=list(range(1, len(loss.shape)))) * weights
    return {"loss_v": loss.mean()}








# -- contrastive and self-supervised --------------------------------------------------------------------

E = 6  # embedding width


def pair_batch(seed: int) -> tuple[list, list, list]:
    """Image and text embeddings [B, 6] and the learned logit scale and bias (0-dim parameters)."""
    g = _gen(seed + 5360)
    b = len(SOURCES[seed])
    return [_leaf(b, E, g=g), _leaf(b, E, g=g), torch.tensor(math.log(10.0)).requires_grad_(),
            torch.tensor(-2.0).requires_grad_()], [*_rows(2), KEEP, KEEP], SOURCES[seed]




def clip_learned_temperature(img, txt, logit_scale, logit_bias):
    """CLIP (OpenCLIP's ``ClipLoss``): ``logit_scale.exp()`` clamped at 100, both directions' CE over
    ``arange(B)`` averaged; the image-to-text top-1 accuracy beside it. The images mix; a per-pair
    cosine alignment (``(img · txt).sum(-1)``) logged beside them splits."""
    scale = logit_scale.exp().clamp(max=100)
    img, txt = F.normalize(img, dim=-1), F.normalize(txt, dim=-1)
    logits_per_image = scale * img @ txt.T
    labels = torch.arange(img.shape[0], dtype=torch.long)
    loss = (F.cross_entropy(logits_per_image, labels) + F.cross_entropy(logits_per_image.T, labels)) / 2
    with torch.no_grad():
        acc = (logits_per_image.argmax(-1) == labels).float().mean()
        align = (img * txt).sum(-1).mean()
    return {"loss_clip": loss, "clip_acc": acc, "clip_align": align}










def views_batch(seed: int) -> tuple[list, list, list]:
    """Two views' projector outputs [B, 6]."""
    g = _gen(seed + 5380)
    b = len(SOURCES[seed])
    return [_leaf(b, E, g=g), _leaf(b, E, g=g)], _rows(2), SOURCES[seed]


def _off_diagonal(x):
    n, m = x.shape
    return x.flatten()[:-1].view(n - 1, n + 1)[:, 1:].flatten()




def vicreg(x, y, sim_coeff=25.0, std_coeff=25.0, cov_coeff=1.0):
    """VICReg: the invariance MSE (per pair), the variance hinge on each view's standard deviation
    over the batch and the covariance's squared off-diagonal over the width (the images mix)."""
    repr_loss = F.mse_loss(x, y)
    x = x - x.mean(dim=0)
    y = y - y.mean(dim=0)
    std_x = torch.sqrt(x.var(dim=0) + 0.0001)
    std_y = torch.sqrt(y.var(dim=0) + 0.0001)
    std_loss = torch.mean(F.relu(1 - std_x)) / 2 + torch.mean(F.relu(1 - std_y)) / 2
    n = x.shape[0]
    cov_x = (x.T @ x) / (n - 1)
    cov_y = (y.T @ y) / (n - 1)
    cov_loss = _off_diagonal(cov_x).pow_(2).sum().div(E) + _off_diagonal(cov_y).pow_(2).sum().div(E)
    return {"loss_inv": sim_coeff * repr_loss, "loss_var": std_coeff * std_loss, "loss_cov": cov_coeff * cov_loss}


# -- language models ------------------------------------------------------------------------------------

T, V = 7, 11


def pref_batch(seed: int) -> tuple[list, list, list]:
    """A preference batch: the policy's logits on the chosen and the rejected completions [B, T, V],
    their labels, the reference model's sequence log-probs of each [B]."""
    g = _gen(seed + 5390)
    b = len(SOURCES[seed])
    return [_leaf(b, T, V, g=g), _leaf(b, T, V, g=g), response_labels(b, T, V, seed, g), response_labels(b, T, V, seed + 1, g),
            torch.randn(b, generator=g) - 15, torch.randn(b, generator=g) - 15], _rows(6), SOURCES[seed]




def dpo_concatenated(chosen, rejected, chosen_labels, rejected_labels, ref_chosen, ref_rejected, beta=0.1):
    """TRL's DPO with ``concatenated_forward``: chosen and rejected concatenated along the batch (their
    labels padded alike), the sequence log-probs of the ``2B`` rows split at ``B`` (``[:len]``,
    ``[len:]``), the sigmoid loss of the reward margin, its mean; the rewards' means and the reward
    accuracy beside it."""
    n = chosen.shape[0]
    logits = torch.cat([chosen, rejected], dim=0)
    labels = torch.cat([chosen_labels, rejected_labels], dim=0)
    all_logps = _logps(logits, labels)
    chosen_logps, rejected_logps = all_logps[:n], all_logps[n:]
    chosen_logratios = chosen_logps - ref_chosen
    rejected_logratios = rejected_logps - ref_rejected
    losses = -F.logsigmoid(beta * (chosen_logratios - rejected_logratios))
    chosen_rewards = beta * chosen_logratios.detach()
    rejected_rewards = beta * rejected_logratios.detach()
    return {"loss_dpo": losses.mean(), "rewards_chosen": chosen_rewards.mean(),
            "rewards_accuracy": (chosen_rewards > rejected_rewards).float().mean()}


def cpo_simpo(chosen, rejected, chosen_labels, rejected_labels, ref_chosen, ref_rejected, beta=2.0,
              gamma_beta_ratio=0.5, alpha=1.0):
    """CPO-SimPO (TRL's ``CPOTrainer`` with ``loss_type='simpo'`` and ``cpo_alpha``): length-normalised
    log-probs, ``-logsigmoid(β · (c - r) - γ)`` averaged, plus ``alpha`` times the chosen completions'
    NLL (a token mean over the batch's counted tokens)."""
    c = _logps(chosen, chosen_labels, average=True)
    r = _logps(rejected, rejected_labels, average=True)
    losses = -F.logsigmoid(beta * (c - r) - gamma_beta_ratio * beta)
    nll = F.cross_entropy(chosen[:, :-1].reshape(-1, V), chosen_labels[:, 1:].reshape(-1), ignore_index=-100)
    return {"loss_simpo": losses.mean() + alpha * nll, "nll_chosen": nll.detach()}


def orpo_odds_ratio(chosen, rejected, chosen_labels, rejected_labels, ref_chosen, ref_rejected, beta=0.1):
    """ORPO: the chosen completions' NLL (a token mean) minus ``β`` times the mean log-sigmoid of the log
    odds ratio of the length-normalised log-probs (``log1p(-exp(·))``); the log odds logged."""
    c = _logps(chosen, chosen_labels, average=True)
    r = _logps(rejected, rejected_labels, average=True)
    log_odds = (c - r) - (torch.log1p(-torch.exp(c)) - torch.log1p(-torch.exp(r)))
    ratio = F.logsigmoid(log_odds)
    nll = F.cross_entropy(chosen[:, :-1].reshape(-1, V), chosen_labels[:, 1:].reshape(-1), ignore_index=-100)
    return {"loss_orpo": nll - beta * ratio.mean(), "log_odds_ratio": ratio.mean().detach(),
            "log_odds_chosen": log_odds.mean().detach()}


def kto_batch(seed: int) -> tuple[list, list, list]:
    """KTO's batch: the policy's logits on each completion and on a mismatched one (the KL estimate)
    [B, T, V], their labels, the reference's log-probs of both [B], the desirable flag per row."""
    g = _gen(seed + 5395)
    b = len(SOURCES[seed])
    desirable = torch.tensor([(r + seed) % 2 == 0 for r in range(b)])
    return [_leaf(b, T, V, g=g), _leaf(b, T, V, g=g), response_labels(b, T, V, seed, g), response_labels(b, T, V, seed + 2, g),
            torch.randn(b, generator=g) - 15, torch.randn(b, generator=g) - 15, desirable], _rows(7), SOURCES[seed]


def kto_loss(logits, kl_logits, labels, kl_labels, ref_logps, ref_kl_logps, desirable, beta=0.1):
    """TRL's KTO: the KL estimate ``(policy_KL - reference_KL).mean().clamp(min=0)`` detached over the
    batch's mismatched pairs (inside the sigmoid the images mix; logged alone it is a mean), the desirable and undesirable rows' losses
    ``1 - sigmoid(β (logratio - KL))`` / ``1 - sigmoid(β (KL - logratio))`` concatenated, the mean;
    the desirable rows' mean reward beside it (each row's own)."""
    logps = _logps(logits, labels)
    kl_logps = _logps(kl_logits, kl_labels)
    kl = (kl_logps - ref_kl_logps).mean().clamp(min=0).detach()
    logratios = logps - ref_logps
    chosen, rejected = logratios[desirable], logratios[~desirable]
    chosen_losses = 1 - F.sigmoid(beta * (chosen - kl))
    rejected_losses = 1 - F.sigmoid(beta * (kl - rejected))
    losses = torch.cat((1.0 * chosen_losses, 1.0 * rejected_losses), 0)
    return {"loss_kto": losses.mean(), "kl": kl, "logratio": logratios.mean().detach()}


EXPERTS, TOP_K = 4, 2


def moe_batch(seed: int) -> tuple[list, list, list]:
    """A mixture-of-experts LM: logits [B, T, V], one layer's router logits [B, T, 4], token labels
    with -100 and the attention mask (0 over padding)."""
    g = _gen(seed + 5400)
    b = len(SOURCES[seed])
    labels = response_labels(b, T, V, seed, g)
    attention = (labels != -100).long()
    attention[:, :2] = 1
    return [_leaf(b, T, V, g=g), _leaf(b, T, EXPERTS, g=g), labels, attention], _rows(4), SOURCES[seed]


def moe_load_balancing_z(logits, router_logits, labels, attention_mask, aux_coef=0.01, z_coef=1e-3):
    """A MoE LM's losses as Mixtral / Switch train them: the token CE; the load-balancing auxiliary
    loss over the tokens of the batch (the routing's softmax, its ``topk`` one-hot, each expert's
    share of the tokens times its mean probability, masked by the attention, times the expert count:
    the images mix); the router z-loss, ``logsumexp²`` averaged over the tokens."""
    ce = F.cross_entropy(logits[:, :-1].reshape(-1, V), labels[:, 1:].reshape(-1), ignore_index=-100)
    gate = router_logits.reshape(-1, EXPERTS)
    routing = F.softmax(gate, dim=-1)
    _, selected = torch.topk(routing, TOP_K, dim=-1)
    expert_mask = F.one_hot(selected, EXPERTS)
    mask = attention_mask[:, :, None, None].expand(-1, -1, TOP_K, EXPERTS).reshape(-1, TOP_K, EXPERTS)
    tokens_per_expert = torch.sum(expert_mask.float() * mask, dim=0) / torch.sum(mask, dim=0)
    rmask = attention_mask[:, :, None].expand(-1, -1, EXPERTS).reshape(-1, EXPERTS)
    router_prob = torch.sum(routing * rmask, dim=0) / torch.sum(rmask, dim=0)
    aux = torch.sum(tokens_per_expert * router_prob.unsqueeze(0)) * EXPERTS
    z = torch.logsumexp(router_logits, dim=-1).pow(2).mean()
    return {"loss_ce": ce, "loss_aux": aux_coef * aux, "loss_router_z": z_coef * z}


def packed_batch(seed: int) -> tuple[list, list, list]:
    """Packed rows: logits [B, T, V], labels and position ids resetting at each packed document (2 or 3
    documents per row)."""
    g = _gen(seed + 5410)
    b = len(SOURCES[seed])
    pos = torch.stack([torch.cat([torch.arange(2 + (r + seed) % 3), torch.arange(T - 2 - (r + seed) % 3)])
                       for r in range(b)])
    labels = torch.randint(0, V, (b, T), generator=g)
    return [_leaf(b, T, V, g=g), labels, pos], _rows(3), SOURCES[seed]


def packed_per_document_mean(logits, labels, position_ids):
    """Packed sequences with each document's mean loss (a sample-level average): the shifted labels
    masked at each reset, the document ids a ``cumsum`` of the resets over the flattened batch, the
    per-token CE summed and counted per document by ``scatter_add``, the documents with counted tokens'
    means averaged; the token-level mean beside it."""
    labels = labels[:, 1:].masked_fill(position_ids[:, 1:] == 0, -100)
    ce = F.cross_entropy(logits[:, :-1].reshape(-1, V), labels.reshape(-1), ignore_index=-100, reduction="none")
    doc = torch.cumsum((position_ids[:, :-1] == 0).reshape(-1).long(), 0) - 1
    n_docs = int(doc.max()) + 1
    counted = (labels.reshape(-1) != -100).float()
    sums = torch.zeros(n_docs).scatter_add(0, doc, ce)
    counts = torch.zeros(n_docs).scatter_add(0, doc, counted)
    kept = counts > 0
    return {"loss_doc_mean": (sums[kept] / counts[kept]).mean(), "loss_token_mean": ce.sum() / counted.sum()}


# -- criteria no earlier survey wrote (session 39, second pass) ------------------------------------------


def normal_batch(seed: int) -> tuple[list, list, None]:
    """A surface-normal head [B, 4, 8, 8] (three normal channels and a concentration); per image its
    unit ground-truth normals [3, 8, 8], a validity mask (a block invalid on odd images) and
    ``loss_weight``."""
    g = _gen(seed + 5420)
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        valid = torch.ones(D, D, dtype=torch.bool)
        if (i + seed) % 2:
            valid[:3, :2 + i] = False
        targets.append({"normal": F.normalize(torch.randn(3, D, D, generator=g), dim=0), "valid": valid,
                        "loss_weight": w})
    return [_leaf(_n(seed), 4, D, D, g=g), targets], [ROWS, TARGETS], None


def dsine_angular_vmf(pred, targets):
    """DSINE / Bae et al.'s angular loss with uncertainty: unit predicted normals, the concentration
    ``elu(κ) + 1.01``, the cosine to the ground truth, valid pixels whose detached cosine is inside
    (-0.999, 0.999) picked over the batch, ``-log(κ² + 1) + κ · acos(dot) + log(1 + exp(-κπ))``
    averaged; the mean angular error in degrees logged."""
    gt = torch.stack([t["normal"] for t in targets])
    mask = torch.stack([t["valid"] for t in targets])
    normal = F.normalize(pred[:, :3], dim=1)
    kappa = F.elu(pred[:, 3]) + 1.01
    dot = torch.cosine_similarity(normal, gt, dim=1)
    valid = mask & (dot.detach() < 0.999) & (dot.detach() > -0.999)
    dot, kappa = dot[valid], kappa[valid]
    loss = -torch.log(torch.square(kappa) + 1) + kappa * torch.acos(dot) + torch.log(1 + torch.exp(-kappa * math.pi))
    with torch.no_grad():
        err = torch.rad2deg(torch.acos(dot)).mean()
    return {"loss_normal": torch.mean(loss), "angle_deg": err}


_VEL_NET = built(5421, lambda: torch.nn.Linear(E + 1, E))


def cfm_batch(seed: int) -> tuple[list, list, list]:
    """Flow matching: noise and data samples [B, 6], each sample's time [B] in (0, 1)."""
    g = _gen(seed + 5422)
    b = len(SOURCES[seed])
    return [torch.randn(b, E, generator=g), torch.randn(b, E, generator=g) * 2 + 1,
            torch.rand(b, generator=g) * 0.9 + 0.05], _rows(3), SOURCES[seed]


def ot_cfm_minibatch_coupling(x0, x1, t, sigma=0.0):
    """TorchCFM's ``ExactOptimalTransportConditionalFlowMatcher``: the squared-distance cost between
    the batch's noise and data, a Sinkhorn plan over it, each data sample paired with the noise of its
    row's largest plan entry (the images mix); ``xt = t x1 + (1 - t) x0``, the target ``x1 - x0``, a
    small velocity net's MSE. Beside it the independent coupling's (each sample its own noise)."""
    cost = torch.cdist(x1, x0) ** 2
    plan = sinkhorn(-cost / cost.max(), 0.1)
    paired = x0[plan.argmax(1)]

    def cfm(noise):
        xt = t[:, None] * x1 + (1 - t[:, None]) * noise
        v = _VEL_NET(torch.cat([xt, t[:, None]], 1))
        return F.mse_loss(v, x1 - noise)

    return {"loss_ot_cfm": cfm(paired), "loss_cfm": cfm(x0)}


CLUSTERS = 5


def scan_batch(seed: int) -> tuple[list, list, list]:
    """SCAN's clustering head on each anchor and one of its mined neighbours: logits [B, 5] each."""
    g = _gen(seed + 5424)
    b = len(SOURCES[seed])
    return [_leaf(b, CLUSTERS, g=g), _leaf(b, CLUSTERS, g=g)], _rows(2), SOURCES[seed]


def scan_clustering(anchors_logits, neighbors_logits, entropy_weight=5.0):
    """SCAN's ``SCANLoss``: the consistency ``-log <p_anchor, p_neighbor>`` by ``bmm`` of the softmaxes
    (a BCE against ones), averaged; the entropy of the batch's mean assignment (the images mix),
    subtracted with its weight."""
    b, n = anchors_logits.size()
    anchors_prob = F.softmax(anchors_logits, dim=1)
    positives_prob = F.softmax(neighbors_logits, dim=1)
    similarity = torch.bmm(anchors_prob.view(b, 1, n), positives_prob.view(b, n, 1)).squeeze()
    ones = torch.ones_like(similarity)
    consistency = F.binary_cross_entropy(similarity, ones)
    mean_prob = torch.mean(anchors_prob, 0).clamp(min=1e-8)
    entropy = -(mean_prob * torch.log(mean_prob)).sum()
    return {"loss_scan": consistency - entropy_weight * entropy, "consistency": consistency.detach(),
            "entropy": entropy.detach()}


BANK, NEG = 20, 4
_CRD_EMBED = built(5425, lambda: torch.nn.ModuleDict({"s": torch.nn.Linear(E, E), "t": torch.nn.Linear(E, E)}))


def crd_batch(seed: int) -> tuple[list, list, list]:
    """CRD: the student's and the teacher's features [B, 6], each sample's dataset index and its
    contrast indices into the memory [B, 1 + 4] (its own first), the teacher memory bank [20, 6] and
    the normalising constant Z fixed at the first step."""
    g = _gen(seed + 5426)
    b = len(SOURCES[seed])
    own = torch.randperm(BANK, generator=g)[:b]
    idx = torch.cat([own[:, None], torch.randint(0, BANK, (b, NEG), generator=g)], 1)
    bank = F.normalize(torch.randn(BANK, E, generator=g), dim=1)
    return [_leaf(b, E, g=g), torch.randn(b, E, generator=g), idx, bank, torch.tensor(3.5)], \
        [*_rows(3), KEEP, KEEP], SOURCES[seed]


def crd_contrastive_distillation(f_s, f_t, contrast_idx, memory_t, z, nce_t=0.07, eps=1e-7):
    """Tian et al.'s CRD, the student side: embedded and unit features, the memory's rows at each
    sample's contrast indices (``index_select`` then ``view``), ``exp(bmm / T) / Z``; the NCE loss
    ``ContrastLoss`` with the noise ``m · Pn``: ``log D1`` of the positive, ``log D0`` of the negatives,
    summed and over the batch size."""
    bsz = f_s.shape[0]
    v1 = F.normalize(_CRD_EMBED["s"](f_s), dim=1)
    weight = torch.index_select(memory_t, 0, contrast_idx.view(-1)).detach().view(bsz, NEG + 1, E)
    out = torch.exp(torch.div(torch.bmm(weight, v1.view(bsz, E, 1)), nce_t)).squeeze(-1) / z
    m = out.size(1) - 1
    pn = 1.0 / BANK
    p_pos = out.select(1, 0)
    log_d1 = torch.div(p_pos, p_pos.add(m * pn + eps)).log_()
    p_neg = out.narrow(1, 1, m)
    log_d0 = torch.div(p_neg.clone().fill_(m * pn), p_neg.add(m * pn + eps)).log_()
    loss = -(log_d1.sum(0) + log_d0.view(-1, 1).sum(0)) / bsz
    return {"loss_crd": loss.squeeze()}


def gan_batch(seed: int) -> tuple[list, list, list]:
    """A discriminator's outputs on real and generated images [B, 1] and the EMA of its mean outputs
    on each (0-dim buffers)."""
    g = _gen(seed + 5428)
    b = len(SOURCES[seed])
    return [_leaf(b, 1, g=g), _leaf(b, 1, g=g), torch.tensor(0.3), torch.tensor(-0.2)], [*_rows(2), KEEP, KEEP], \
        SOURCES[seed]


def lecam_hinge_discriminator(d_real, d_fake, ema_real, ema_fake, lecam_weight=0.3, decay=0.99):
    """The hinge discriminator loss with Tseng et al.'s LeCam regulariser against the EMA of the
    discriminator's outputs (``relu(D(x) - α_F)²`` and ``relu(α_R - D(G(z)))²`` averaged); the EMA's
    next value from the batch's means logged."""
    loss_d = F.relu(1.0 - d_real).mean() + F.relu(1.0 + d_fake).mean()
    reg = torch.mean(F.relu(d_real - ema_fake).pow(2)) + torch.mean(F.relu(ema_real - d_fake).pow(2))
    next_real = decay * ema_real + (1 - decay) * d_real.detach().mean()
    return {"loss_d": loss_d + lecam_weight * reg, "lecam": reg.detach(), "ema_real": next_real}


CODES, N_TOK = 9, 8


def maskgit_batch(seed: int) -> tuple[list, list, list]:
    """MaskGIT's transformer logits [B, 8, 9] over image tokens, the tokens [B, 8], each sample's
    schedule draw ``r`` [B] and random scores [B, 8] that choose its masked tokens."""
    g = _gen(seed + 5430)
    b = len(SOURCES[seed])
    return [_leaf(b, N_TOK, CODES, g=g), torch.randint(0, CODES, (b, N_TOK), generator=g),
            torch.rand(b, generator=g), torch.rand(b, N_TOK, generator=g)], _rows(4), SOURCES[seed]


def maskgit_masked_token_ce(logits, tokens, r, scores, smoothing=0.1):
    """MaskGIT's training: each sample's masked count ``ceil(cos(r · π / 2) · N)`` (at least 1), the
    tokens of its lowest scores masked (a double ``argsort`` ranks them), the label-smoothed CE over
    the batch's masked tokens; the masked tokens' accuracy."""
    n_mask = torch.clamp(torch.ceil(torch.cos(r * math.pi / 2) * N_TOK), min=1).long()
    ranks = scores.argsort(dim=-1).argsort(dim=-1)
    mask = ranks < n_mask[:, None]
    ce = F.cross_entropy(logits[mask], tokens[mask], label_smoothing=smoothing)
    with torch.no_grad():
        acc = (logits[mask].argmax(-1) == tokens[mask]).float().mean()
    return {"loss_maskgit": ce, "masked_acc": acc}


SCALES = (1, 2, 4)  # VAR's token maps per scale: 1, 4, 16 tokens
_L = sum(s * s for s in SCALES)


def var_batch(seed: int) -> tuple[list, list, list]:
    """VAR's next-scale prediction: logits [B, 21, 9] over the concatenated token maps of 3 scales and
    the tokens [B, 21]."""
    g = _gen(seed + 5432)
    b = len(SOURCES[seed])
    return [_leaf(b, _L, CODES, g=g), torch.randint(0, CODES, (b, _L), generator=g)], _rows(2), SOURCES[seed]


def var_next_scale_ce(logits, tokens):
    """VAR's trainer: the token CE (``reduction='none'``, label smoothing 0.1) ``view``-ed back to
    ``[B, L]``, times a uniform ``1 / L`` weight per position, summed per sample and averaged; each
    scale's mean CE over its slice logged, and the last scale's accuracy."""
    b, length, v = logits.shape
    ce = F.cross_entropy(logits.view(-1, v), tokens.view(-1), label_smoothing=0.1, reduction="none").view(b, -1)
    lw = torch.full((1, length), 1.0 / length)
    loss = ce.mul(lw).sum(dim=-1).mean()
    logs, begin = {}, 0
    with torch.no_grad():
        for s in SCALES:
            end = begin + s * s
            logs[f"ce_scale{s}"] = ce[:, begin:end].mean()
            begin = end
        logs["acc_last"] = (logits[:, -16:].argmax(-1) == tokens[:, -16:]).float().mean() * 100
    return {"loss_var": loss, **logs}


NC = 6


def cls_batch(seed: int) -> tuple[list, list, list]:
    """A classifier's logits [B, 6] and its (possibly noisy) labels [B]."""
    g = _gen(seed + 5434)
    b = len(SOURCES[seed])
    return [_leaf(b, NC, g=g), torch.randint(0, NC, (b,), generator=g)], _rows(2), SOURCES[seed]


def symmetric_and_generalized_ce(logits, labels, alpha=0.1, beta=1.0, q=0.7):
    """Noisy-label losses: Wang et al.'s symmetric CE (``α · CE + β · RCE``, the reverse CE of the
    clamped softmax against the one-hot clamped at 1e-4) and Zhang and Sabuncu's generalized CE
    ``(1 - p_y^q) / q`` of the gathered probabilities."""
    ce = F.cross_entropy(logits, labels)
    pred = torch.clamp(F.softmax(logits, dim=1), min=1e-7, max=1.0)
    one_hot = torch.clamp(F.one_hot(labels, NC).float(), min=1e-4, max=1.0)
    rce = -1 * torch.sum(pred * torch.log(one_hot), dim=1)
    p_y = torch.gather(F.softmax(logits, dim=1), 1, torch.unsqueeze(labels, 1))
    gce = ((1 - p_y ** q) / q).mean()
    return {"loss_sce": alpha * ce + beta * rce.mean(), "loss_gce": gce}


HID = 5


def distil_batch(seed: int) -> tuple[list, list, list]:
    """DistilBERT's step: student and teacher MLM logits [B, T, V] and last hidden states [B, T, 5],
    the MLM labels (-100 but at 1 to 3 masked tokens per row) and the attention mask (0 over
    padding)."""
    g = _gen(seed + 5436)
    b = len(SOURCES[seed])
    labels = torch.full((b, T), -100)
    attention = torch.ones(b, T, dtype=torch.long)
    for r in range(b):
        pad = (r + seed) % 3
        if pad:
            attention[r, T - pad:] = 0
        labels[r, 1:2 + (r + seed) % 3] = torch.randint(0, V, (1 + (r + seed) % 3,), generator=g)
    return [_leaf(b, T, V, g=g), torch.randn(b, T, V, generator=g), _leaf(b, T, HID, g=g),
            torch.randn(b, T, HID, generator=g), labels, attention], _rows(6), SOURCES[seed]


def distilbert_triple_loss(s_logits, t_logits, s_hidden, t_hidden, lm_labels, attention_mask, temperature=2.0):
    """DistilBERT's distiller: the masked positions' logits of both picked by ``masked_select`` of the
    expanded label mask and ``view(-1, V)``, the KL (``batchmean``) at temperature ``T`` times ``T²``;
    the MLM CE; the cosine embedding loss of the hidden states at the attended positions against a
    target of ones made by ``new(..).fill_(1)``; their weighted sum."""
    mask = (lm_labels > -1).unsqueeze(-1).expand_as(s_logits)
    s_sel = torch.masked_select(s_logits, mask).view(-1, s_logits.size(-1))
    t_sel = torch.masked_select(t_logits, mask).view(-1, s_logits.size(-1))
    loss_ce = F.kl_div(F.log_softmax(s_sel / temperature, dim=-1), F.softmax(t_sel / temperature, dim=-1),
                       reduction="batchmean") * temperature ** 2
    loss_mlm = F.cross_entropy(s_logits.view(-1, s_logits.size(-1)), lm_labels.view(-1), ignore_index=-100)
    hmask = attention_mask.unsqueeze(-1).expand_as(s_hidden).bool()
    s_h = torch.masked_select(s_hidden, hmask).view(-1, HID)
    t_h = torch.masked_select(t_hidden, hmask).view(-1, HID)
    target = s_h.new(s_h.size(0)).fill_(1)
    loss_cos = F.cosine_embedding_loss(s_h, t_h, target, reduction="mean")
    return {"loss": 5.0 * loss_ce + 2.0 * loss_mlm + 1.0 * loss_cos, "loss_ce": loss_ce.detach(),
            "loss_cos": loss_cos.detach()}


def sppo_square_loss(chosen, rejected, chosen_labels, rejected_labels, ref_chosen, ref_rejected, eta=1000.0):
    """SPPO (self-play preference optimisation, hard labels): each pair's log-ratios pulled to
    ``± 1 / (2η)`` by squares, averaged; the log-ratio margin logged."""
    c = _logps(chosen, chosen_labels) - ref_chosen
    r = _logps(rejected, rejected_labels) - ref_rejected
    losses = (c - 0.5 / eta) ** 2 + (r + 0.5 / eta) ** 2
    return {"loss_sppo": losses.mean(), "margin": (c - r).detach().mean()}


CASES = {c.body.__name__: c for c in [
    Case(vitpose_joints_mse, pose_batch),
    # first contact: GAP (8), the targets written per image into the padded buffer, gathered by the assigner;
    # gap42: split (owner picks ``kpts[batch_idx == i]``, gathers within each row's prefix)
    Case(yolov8_pose_oks, yolo_pose_batch),
    Case(dekr_heatmap_offset, dekr_batch),
    Case(silog_adabins_bts, depth_batch),
    # first contact: GAP on the one image (1), torch.cross of values remembering an untracked factor; s53: split
    Case(virtual_normal, depth_batch),
    Case(nafnet_psnr, image_batch),
    Case(focal_frequency, image_batch),
    Case(min_snr_v_prediction, diffusion_batch),
    Case(clip_learned_temperature, pair_batch, keys("loss_clip", "clip_acc"), mix_batches=_MIXED),
    Case(vicreg, views_batch, keys("loss_var", "loss_cov"), mix_batches=_MIXED),
    Case(dpo_concatenated, pref_batch),
    Case(cpo_simpo, pref_batch),
    Case(orpo_odds_ratio, pref_batch),
    Case(kto_loss, kto_batch, keys("loss_kto"), mix_batches=_MIXED),
    Case(moe_load_balancing_z, moe_batch, keys("loss_aux"), mix_batches=_MIXED),
    # first contact: GAP on batches 0 and 1 (5), the documents' ids a cumsum over the flattened rows; s53: split
    Case(packed_per_document_mean, packed_batch),
    # first contact: GAP (5), torch.rad2deg without a rule; s53: split
    Case(dsine_angular_vmf, normal_batch),
    Case(ot_cfm_minibatch_coupling, cfm_batch, keys("loss_ot_cfm"), mix_batches=_MIXED),
    Case(scan_clustering, scan_batch),
    # first contact: GAP (5), Tensor.select / narrow without a rule; s53: split
    Case(crd_contrastive_distillation, crd_batch),
    # GAP until session 47 (5): a buffer's EMA step with the batch's mean; gap47c: an argument's scalar a term of its own
    Case(lecam_hinge_discriminator, gan_batch),
    Case(maskgit_masked_token_ce, maskgit_batch),
    Case(var_next_scale_ce, var_batch),
    Case(symmetric_and_generalized_ce, cls_batch),
    # first contact: GAP (10), the cosine embedding loss's target made by Tensor.new (no rule); s53: split
    Case(distilbert_triple_loss, distil_batch),
    Case(sppo_square_loss, pref_batch),
]}

FIRST = (408, 68, 39, 0)  # expected, declined, GAP, WRONG at first contact (s53 at 6fb1eaf unchanged)
# s53: torch.cross of weighted values (1), segment ids (5), torch.rad2deg (5), Tensor.new given sizes (10),
# Tensor.select / narrow (5); gap42: YOLOv8-pose's padded keypoints (8); gap47c: LeCam's EMA step (5)
NOW = (408, 29, 0, 0)
globals().update(survey_tests(CASES, range(len(WEIGHTS)), len(CASES), NOW))
