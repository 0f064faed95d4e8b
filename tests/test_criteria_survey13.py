"""Coverage survey 13: public criteria of widely used libraries and repositories not in the earlier
surveys (segmentation_models_pytorch, kornia, timm, mmdet's long-tail losses, mmpose, sentence
embeddings, re-identification and feature distillation, survival, anomaly detection, point clouds,
sequence tagging, ELECTRA, draft-model distillation, captioning, summarisation, latent
autoencoders); the harness and its vocabulary (``MIXES``, ``GAP``, ``wrong``, the 3 % target of
issue #13) are ``_survey``'s. Each body reproduces a criterion's ops in code of its own and is
decorated from outside; no pattern here drove a rule.

FIRST_CONTACT (28 patterns, two batches, nothing changed for them): 349 expected companions, 62
declined, 24 GAP (6.9 %), 0 WRONG. No companion differed from the oracle: per-image ``loss_weight``
factors in a loop and as ``torch.full`` label weights, ``len(targets) * NQ`` and ``max(sum(len(..)),
1)`` divisors, an ``.item()`` positive count plus ``torch.finfo(..).eps``, ``F.mse_loss(.., 'sum') /
(2 * pred.size(0))``, ``n_i, n_c = cls.size()`` of flattened RoIs with ``torch.arange(n_i)`` writes, a
CRF's ``emissions[i, torch.arange(batch_size), tags[i]]`` after a transpose to time-major, a learned
0-dim log-variance, the harmonic mean of clDice's batch ratios, and the smp Jaccard over present
classes all split exactly. The GAPs, each where the warning names the op: a per-image L1 read with
``Tensor.item`` for logging inside the assigner's loop, which declines the whole call (8);
``Tensor.type`` (``t.type(x.type())``, smp's focal targets) and, in place, ``Tensor.mul_`` of the
per-pixel focal term by the alpha factor (``loss *= alpha * t + ...``; 8); the dims ``(1, 2, 3)`` of
``Tensor.sum`` taken for "a number computed from a size of image rows" (crowd counting's MAE and
RMSE, 8): the capture's own ``z / count`` on the divisor ``2 * pred.size(0)`` noted 2 as a counted
value. The other 38 declines mix images: smp's log of per-class batch dice, the seesaw factors from
counts including the batch's ``bincount``, batch-hard triplets, similarity-preserving KD's batch
Gram matrix, in-batch negatives and CoSENT's pairs of pairs, Cox risk sets and the C-index.

Now: 349 expected, 42 declined, 8 GAP (2.3 %), 0 WRONG (46 declined before s40, which splits smp's log of
per-class batch dice, counted as mixing: an expression per class gated by the group's presence). The capture's own arithmetic on a marked
divisor (a multiple ``round(z / count)``, a group's share) notes no number of the body, so the
crowd-counting MAE and RMSE split; ``Tensor.type`` converts as ``.to`` does; a per-element loss
scaled in place by a tensor of the images' data that holds no weight (``loss *= alpha * t + (1 -
alpha) * (1 - t)``) is ``loss = loss * x``; and the full sum of per-element values divided by a
0-dim sum over the batch (``loss /= focal_term.sum()``, ``(l / s).sum()``) is ``l.sum() / s``: smp's
focal, plain and normalised, splits. Left: the per-image ``.item()`` read for logging, which
declines the whole call (8: a number read on the host may reach any loss, and a float's uses cannot
all be seen, ``math.exp(v)`` among them).

Since: a number ``.item()`` returns that the body's code proves to reach only Python arithmetic and
``torch.tensor`` no longer declines the call; this one is passed to ``MATCHED.append``, a list that
code seen nowhere may read back and convert (``math.sqrt(MATCHED[-1])``), so it still declines
(figures unchanged).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from _helpers import KEEP, ROWS, TARGETS
from _survey import Case, keys, survey_tests
from _survey import gen as _gen
from _survey import leaf as _leaf
from _survey import stack as _stack

WEIGHTS = ([0.5, 1.0, 1.0, 0.5], [1.0, 0.5, 0.5])
SOURCES = (["web", "book", "web", "code"], ["book", "web", "book"])
S, K = 8, 3  # image side, segmentation classes
IGNORE = 255
Q = 6  # colour bins


# -- batches --------------------------------------------------------------------------------------


def seg_batch(seed: int) -> tuple[list, list, None]:
    """Dense prediction: class logits [B, K, S, S], a binary logit [B, 1, S, S], an alpha matte
    logit, colour-bin logits [B, Q, S, S], a density map; per image labels with ignored pixels, a
    binary mask, a trimap (0.5 unknown) with foreground / background / composite, a soft colour
    encoding and a density target."""
    g = _gen(seed + 1300)
    b = len(WEIGHTS[seed])
    outputs = {"seg": _leaf(b, K, S, S, g=g), "bin": _leaf(b, 1, S, S, g=g), "alpha": _leaf(b, 1, S, S, g=g),
               "ab": _leaf(b, Q, S, S, g=g), "density": _leaf(b, 1, S, S, g=g, scale=0.1)}
    targets = []
    for w in WEIGHTS[seed]:
        label = torch.randint(0, K, (S, S), generator=g)
        label[torch.rand(S, S, generator=g) < 0.1] = IGNORE
        mask = torch.zeros(1, S, S)
        x, y = torch.randint(0, S // 2, (2,), generator=g).tolist()
        mask[:, y:y + 4, x:x + 3] = 1
        trimap = torch.randint(0, 3, (1, S, S), generator=g).float() / 2
        alpha = torch.rand(1, S, S, generator=g)
        fg, bg = torch.rand(3, S, S, generator=g), torch.rand(3, S, S, generator=g)
        targets.append({"label": label, "mask": mask, "trimap": trimap, "alpha": alpha, "fg": fg, "bg": bg,
                        "image": alpha * fg + (1 - alpha) * bg,
                        "ab_soft": torch.softmax(torch.randn(Q, S, S, generator=g) * 2, 0),
                        "density": torch.rand(1, S, S, generator=g) * 0.1, "loss_weight": w})
    return [outputs, targets], [ROWS, TARGETS], None


R, NC = 5, 4  # sampled RoIs per image, foreground classes (index NC is the background)


def roi_batch(seed: int) -> tuple[list, list, None]:
    """A two-stage detector's RoI head: class logits [B, R, NC + 1]; per image the RoIs' labels."""
    g = _gen(seed + 1310)
    b = len(WEIGHTS[seed])
    outputs = {"cls": _leaf(b, R, NC + 1, g=g)}
    targets = [{"roi_labels": torch.randint(0, NC + 1, (R,), generator=g), "loss_weight": w} for w in WEIGHTS[seed]]
    return [outputs, targets], [ROWS, TARGETS], None


J, H = 4, 6  # joints, heatmap side


def pose_batch(seed: int) -> tuple[list, list, None]:
    """Pose: heatmaps [B, J, H, H] and coordinates [B, J, 2] in pixels; per image target heatmaps
    (some channels empty), joint weights and coordinates."""
    g = _gen(seed + 1320)
    b = len(WEIGHTS[seed])
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        hm = torch.rand(J, H, H, generator=g)
        hm[(i + seed) % J] = 0
        targets.append({"heatmap": hm, "joint_weight": (torch.rand(J, generator=g) < 0.8).float(),
                        "coords": torch.rand(J, 2, generator=g) * 40, "loss_weight": w})
    coords = _stack(targets, "coords") + torch.randn(b, J, 2, generator=g) * 3
    outputs = {"heatmaps": _leaf(b, J, H, H, g=g), "coords": coords.requires_grad_()}
    return [outputs, targets], [ROWS, TARGETS], None


NCLS, D, CS, CT = 5, 6, 3, 4  # classes, embedding width, student / teacher feature channels


def class_batch(seed: int) -> tuple[list, list, list]:
    """Samples, one source each: logits [B, NCLS], multi-label logits, embeddings [B, D] of
    anchors, positives and negatives, a teacher's, student / teacher feature maps [B, C, 4, 4], a
    one-class embedding, a point-cloud head; labels, multi-hot labels, similarity scores,
    teacher margins; survival hazards with times and events."""
    g = _gen(seed + 1330)
    b = len(SOURCES[seed])
    model = {"logits": _leaf(b, NCLS, g=g, scale=2.0), "multi": _leaf(b, NCLS, g=g, scale=2.0),
             "emb": _leaf(b, D, g=g), "pos": _leaf(b, D, g=g), "neg": _leaf(b, D, g=g),
             "feat_s": _leaf(b, CS, 4, 4, g=g), "z": _leaf(b, D, g=g), "risk": _leaf(b, g=g),
             "hazard": _leaf(b, NT, g=g), "pt_logits": _leaf(b, NPTS, NCP, g=g),
             "trans": (torch.eye(KT) + torch.randn(b, KT, KT, generator=g) * 0.1).requires_grad_()}
    multi = (torch.rand(b, NCLS, generator=g) < 0.4).float()
    multi[:, 0] = 1
    batch = {"y": torch.randint(0, NCLS, (b,), generator=g), "multi": multi,
             "teacher": torch.randn(b, D, generator=g), "feat_t": torch.randn(b, CT, 4, 4, generator=g),
             "score": torch.rand(b, generator=g), "margin": torch.randn(b, generator=g),
             "time": torch.rand(b, generator=g) * 5, "event": torch.tensor(([1.0, 0.0, 1.0, 1.0], [1.0, 1.0, 0.0])[seed]),
             "interval": torch.randint(0, NT, (b,), generator=g), "pt_y": torch.randint(0, NCP, (b, NPTS), generator=g)}
    return [model, batch], [ROWS, ROWS], SOURCES[seed]


NT = 4  # survival intervals
NPTS, NCP, KT = 7, 3, 3  # points, part classes, feature-transform size
T, V, KTAG = 6, 9, 3  # tokens, vocabulary, tags


def lm_batch(seed: int) -> tuple[list, list, list]:
    """Sequences, one source each: two dropout passes' logits [B, T, V], a generator's and a
    discriminator's logits, a draft model's logits with the target model's, CRF emissions [B, T,
    KTAG], a captioner's sampled-token log-probs, attention [B, T, T] with decoder probabilities;
    labels with -100 padding, an attention mask, an MLM mask, Gumbel noise, tags, rewards."""
    g = _gen(seed + 1340)
    b = len(SOURCES[seed])
    attn = torch.ones(b, T, dtype=torch.long)
    for r in range(b):
        attn[r, T - r % 3:] = 0
    ids = torch.randint(0, V, (b, T), generator=g)
    labels = ids.masked_fill(attn == 0, -100)
    mlm = (torch.rand(b, T, generator=g) < 0.4) & (attn == 1)
    mlm[:, 1] = True
    model = {"l1": _leaf(b, T, V, g=g), "l2": _leaf(b, T, V, g=g), "gen": _leaf(b, T, V, g=g),
             "disc": _leaf(b, T, g=g), "draft": _leaf(b, T, V, g=g), "emissions": _leaf(b, T, KTAG, g=g),
             "sample_logp": (torch.rand(b, T, generator=g) * -2).requires_grad_(),
             "attn": torch.softmax(torch.randn(b, T, T, generator=g), -1).requires_grad_(),
             "probs": torch.softmax(torch.randn(b, T, V, generator=g), -1).requires_grad_()}
    batch = {"labels": labels, "input_ids": ids, "attention_mask": attn, "mlm_mask": mlm,
             "gumbel": -torch.log(-torch.log(torch.rand(b, T, V, generator=g))),
             "target_logits": torch.randn(b, T, V, generator=g), "tags": torch.randint(0, KTAG, (b, T), generator=g),
             "reward": torch.rand(b, generator=g), "greedy_reward": torch.rand(b, generator=g)}
    return [model, batch], [ROWS, ROWS], SOURCES[seed]


NQ, NA = 5, 6  # queries, anchors per image


def det_batch(seed: int) -> tuple[list, list, None]:
    """Detection: query boxes [B, NQ, 4] and class logits [B, NQ, NC + 1]; anchor class logits
    [B, NA, NC]; per image ground-truth boxes and labels (1 to 3), anchor targets (one-hot, a row of
    zeros for negatives)."""
    g = _gen(seed + 1360)
    b = len(WEIGHTS[seed])
    outputs = {"boxes": _leaf(b, NQ, 4, g=g), "logits": _leaf(b, NQ, NC + 1, g=g), "anchor_logits": _leaf(b, NA, NC, g=g)}
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        n = 1 + (i + seed) % 3
        anchor = torch.zeros(NA, NC)
        anchor[torch.arange(NA) % 3 == i % 3, i % NC] = 1.0
        targets.append({"boxes": torch.randn(n, 4, generator=g), "labels": torch.randint(0, NC, (n,), generator=g),
                        "anchor_targets": anchor, "loss_weight": w})
    return [outputs, targets], [ROWS, TARGETS], None


def ae_batch(seed: int) -> tuple[list, list, None]:
    """A latent autoencoder: reconstructions [B, 3, S, S], the posterior's mean and log-variance
    [B, 2, S/2, S/2]; per image the input; the learned output log-variance (a 0-dim parameter)."""
    g = _gen(seed + 1350)
    b = len(WEIGHTS[seed])
    outputs = {"rec": _leaf(b, 3, S, S, g=g), "mean": _leaf(b, 2, S // 2, S // 2, g=g),
               "logvar_z": _leaf(b, 2, S // 2, S // 2, g=g, scale=0.3)}
    targets = [{"image": torch.randn(3, S, S, generator=g), "loss_weight": w} for w in WEIGHTS[seed]]
    return [outputs, targets, torch.zeros(()).requires_grad_()], [ROWS, TARGETS, KEEP], None


# -- segmentation, matting, colour, counting ------------------------------------------------------


def smp_dice_log_loss_and_jaccard_batchwise_over_present_classes(outputs, targets):
    """segmentation_models_pytorch, multiclass mode: softmax probabilities ``view(bs, k, -1)``,
    ignored pixels zeroed in both the probabilities and the one-hot (``F.one_hot`` of ``y * mask``
    permuted), intersections and cardinalities summed over ``dims=(0, 2)``; Dice with
    ``log_loss=True`` (``-log(score.clamp_min(eps))``) and Jaccard (``1 - inter / union``), each
    times the classes present in the batch, mean."""
    logits = outputs["seg"]
    y = _stack(targets, "label")
    bs, k = logits.size(0), logits.size(1)
    y_pred = logits.log_softmax(dim=1).exp().view(bs, k, -1)
    y_true = y.view(bs, -1)
    mask = y_true != IGNORE
    y_pred = y_pred * mask.unsqueeze(1)
    y_oh = F.one_hot((y_true * mask).to(torch.long), k).permute(0, 2, 1) * mask.unsqueeze(1)
    dims = (0, 2)
    inter = torch.sum(y_pred * y_oh, dim=dims)
    card = torch.sum(y_pred + y_oh, dim=dims)
    present = (y_oh.sum(dims) > 0).to(y_pred.dtype)
    dice = (2.0 * inter) / card.clamp_min(1e-7)
    jaccard = inter / (card - inter).clamp_min(1e-7)
    return {"loss_dice_log": (-torch.log(dice.clamp_min(1e-7)) * present).mean(),
            "loss_jaccard": ((1.0 - jaccard) * present).mean()}


def _smp_focal(x, t, gamma=2.0, alpha=0.25, reduced_threshold=None, normalized=False, reduction="mean"):
    t = t.type(x.type())
    logpt = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    pt = torch.exp(-logpt)
    if reduced_threshold is None:
        focal_term = (1.0 - pt).pow(gamma)
    else:
        focal_term = ((1.0 - pt) / reduced_threshold).pow(gamma)
        focal_term[pt < reduced_threshold] = 1
    loss = focal_term * logpt
    if alpha is not None:
        loss *= alpha * t + (1 - alpha) * (1 - t)
    if normalized:
        loss /= focal_term.sum().clamp_min(1e-6)
    return loss.mean() if reduction == "mean" else loss.sum()


def smp_focal_multiclass_loop_over_classes_with_ignore_index(outputs, targets):
    """segmentation_models_pytorch's FocalLoss, multiclass mode with ``ignore_index``: for each class
    the one-vs-rest target ``(y == cls).long()`` and the class's logits, both selected by the
    non-ignored mask, the binary focal term (``exp(-bce)``, ``(1 - pt) ** gamma``, alpha applied with
    ``loss *=``), summed over classes from a Python 0; the reduced-threshold variant (the focal term
    divided by 0.5, set to 1 below it by a boolean write) normalised by the focal term's sum
    (``loss /=``), summed."""
    logits = outputs["seg"]
    y = _stack(targets, "label")
    keep = y != IGNORE
    loss = 0
    reduced = 0
    for cls in range(logits.size(1)):
        t = (y == cls).long()[keep]
        x = logits[:, cls, ...][keep]
        loss += _smp_focal(x, t)
        reduced += _smp_focal(x, t, alpha=None, reduced_threshold=0.5, normalized=True, reduction="sum")
    return {"loss_focal": loss, "loss_focal_reduced": reduced}


def kornia_hausdorff_erosion_with_per_image_min_max_normalisation(outputs, targets):
    """kornia's HausdorffERLoss, binary: the squared error of the sigmoid and the mask eroded three
    times by a cross kernel (``F.conv2d``, ``- 0.5``, negatives zeroed by a boolean write), each
    erosion min-max normalised per image and channel (``adaptive_max_pool2d`` of it and of its
    negation, ``torch.where`` where the range is non-zero), weighted ``(k + 1) ** 2`` and added,
    mean."""
    pred, target = outputs["bin"].sigmoid(), _stack(targets, "mask")
    kernel = torch.tensor([[0.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 0.0]])[None, None] * 0.2
    bound = (pred - target) ** 2
    eroded = torch.zeros_like(bound)
    erosion = bound
    for k in range(3):
        erosion = F.conv2d(erosion, kernel, padding=1) - 0.5
        erosion[erosion < 0] = 0
        e_max = F.adaptive_max_pool2d(erosion, 1)
        e_min = -F.adaptive_max_pool2d(-erosion, 1)
        span = e_max - e_min
        erosion = torch.where(span != 0, (erosion - e_min) / span.clamp_min(1e-8), erosion)
        eroded = eroded + erosion * (k + 1) ** 2.0
    return {"loss_hd_er": eroded.mean()}


def _soft_erode(img):
    return torch.min(-F.max_pool2d(-img, (3, 1), (1, 1), (1, 0)), -F.max_pool2d(-img, (1, 3), (1, 1), (0, 1)))


def _soft_skeleton(img, iters=3):
    opened = F.max_pool2d(_soft_erode(img), 3, 1, 1)
    skel = F.relu(img - opened)
    for _ in range(iters):
        img = _soft_erode(img)
        delta = F.relu(img - F.max_pool2d(_soft_erode(img), 3, 1, 1))
        skel = skel + F.relu(delta - skel * delta)
    return skel


def cldice_soft_skeletons_and_soft_dice_of_batch_sums(outputs, targets):
    """clDice: soft skeletons of the prediction and the mask (min of directional ``-max_pool2d``
    erosions, ``max_pool2d`` dilations, ``relu`` of the differences over iterations); topology
    precision and sensitivity as ratios of batch sums with smoothing 1, the loss one minus their
    harmonic mean; the soft dice ``1 - (2 sum(y p) + 1) / (sum y + sum p + 1)`` next to it."""
    p, y = outputs["bin"].sigmoid(), _stack(targets, "mask")
    skel_p, skel_y = _soft_skeleton(p), _soft_skeleton(y)
    tprec = (torch.sum(skel_p * y) + 1.0) / (torch.sum(skel_p) + 1.0)
    tsens = (torch.sum(skel_y * p) + 1.0) / (torch.sum(skel_y) + 1.0)
    dice = 1.0 - (2.0 * torch.sum(y * p) + 1.0) / (torch.sum(y) + torch.sum(p) + 1.0)
    return {"loss_cldice": 1.0 - 2.0 * (tprec * tsens) / (tprec + tsens), "loss_dice": dice}


def kornia_robust_losses_and_binary_focal_with_log_sigmoid(outputs, targets):
    """kornia's robust regression losses on the sigmoid against the mask: Welsch ``1 - exp(-0.5
    d^2)`` mean, Cauchy ``log(0.5 d^2 + 1)`` with ``reduction='sum'``, Geman-McClure ``2 d^2 / (d^2 +
    4)`` mean; its binary focal loss written with ``F.logsigmoid`` of both signs, ``pos_weight`` 2,
    mean."""
    x, y = outputs["bin"], _stack(targets, "mask")
    d2 = (x.sigmoid() - y) ** 2
    probs = torch.sigmoid(x)
    focal = (-0.25 * 2.0 * torch.pow(1.0 - probs, 2.0) * y * F.logsigmoid(x)
             - 0.75 * torch.pow(probs, 2.0) * (1.0 - y) * F.logsigmoid(-x))
    return {"loss_welsch": (1.0 - torch.exp(-0.5 * d2)).mean(), "loss_cauchy": torch.log(0.5 * d2 + 1.0).sum(),
            "loss_geman_mcclure": (2.0 * d2 / (d2 + 4.0)).mean(), "loss_focal": focal.mean()}


def deep_image_matting_alpha_and_composition_over_the_unknown_region(outputs, targets):
    """Deep Image Matting: the alpha prediction's Charbonnier error (``sqrt(d^2 + 1e-12)``) summed
    over the trimap's unknown pixels over their count ``+ 1e-6``; the composition
    ``alpha fg + (1 - alpha) bg`` against the image over the unknown pixels times three channels;
    the SAD per image over 1000 logged."""
    alpha, gt = outputs["alpha"].sigmoid(), _stack(targets, "alpha")
    unknown = (_stack(targets, "trimap") == 0.5).float()
    l_alpha = (torch.sqrt((alpha - gt) ** 2 + 1e-12) * unknown).sum() / (unknown.sum() + 1e-6)
    comp = alpha * _stack(targets, "fg") + (1 - alpha) * _stack(targets, "bg")
    l_comp = (torch.sqrt((comp - _stack(targets, "image")) ** 2 + 1e-12) * unknown).sum() / (unknown.sum() * 3 + 1e-6)
    with torch.no_grad():
        sad = (alpha - gt).abs().sum((1, 2, 3)).mean() / 1000
    return {"loss": 0.5 * l_alpha + 0.5 * l_comp, "loss_alpha": l_alpha, "loss_comp": l_comp, "sad": sad}


COLOUR_W = torch.tensor([0.5, 2.0, 1.0, 1.5, 0.8, 1.2])  # rebalancing weights from an empirical prior


def colourisation_rebalanced_soft_encoded_ab_classification(outputs, targets):
    """Colourful image colourisation: the soft-encoded ab bins' cross-entropy with the logits
    (``-(z * log_softmax).sum(1)``), each pixel weighted by the rebalancing weight of its bin
    (a fixed table indexed by ``z.argmax(1)``), mean; the unweighted cross-entropy logged."""
    z = _stack(targets, "ab_soft")
    ce = -(z * F.log_softmax(outputs["ab"], 1)).sum(1)
    return {"loss_colour": (ce * COLOUR_W[z.argmax(1)]).mean(), "ce": ce.detach().mean()}


def crowd_counting_density_mse_over_twice_the_batch_and_count_errors(outputs, targets):
    """Crowd counting: the density map's squared error summed (``reduction='sum'``) over twice the
    batch size (``2 * pred.size(0)``); the counts' MAE and RMSE (the square root of the batch's mean
    squared error) logged."""
    pred, gt = outputs["density"], _stack(targets, "density")
    loss = F.mse_loss(pred, gt, reduction="sum") / (2 * pred.size(0))
    with torch.no_grad():
        err = pred.sum((1, 2, 3)) - gt.sum((1, 2, 3))
        mae, rmse = err.abs().mean(), err.pow(2).mean().sqrt()
    return {"loss_density": loss, "mae": mae, "rmse": rmse}


# -- long-tail detection, pose --------------------------------------------------------------------

FREQ = torch.tensor([0.5, 1e-4, 0.02, 1e-3, 0.0])  # class frequencies of the training set (background 0)
POS_GRAD = torch.tensor([3.0, 0.2, 1.0, 0.5, 2.0])  # EQL v2 gradient statistics accumulated before
NEG_GRAD = torch.tensor([4.0, 2.0, 1.5, 3.0, 2.0])


def eql_v1_and_v2_over_flattened_rois(outputs, targets):
    """Equalization losses over the RoIs flattened ``[B * R, C + 1]`` (``n_i, n_c = cls.size()``):
    one-hot targets written at ``torch.arange(n_i), labels``; v1's weight ``1 - exclude * threshold *
    (1 - target)`` (background rows excluded, classes rarer than 1e-3); v2's positive and negative
    weights from the accumulated gradient ratio (``sigmoid(12 (pos / neg - 0.8))``), both BCE
    summed over ``n_i``; the accuracy in percent logged."""
    cls = outputs["cls"].flatten(0, 1)
    labels = torch.cat([t["roi_labels"] for t in targets])
    n_i, n_c = cls.size()
    target = cls.new_zeros(n_i, n_c)
    target[torch.arange(n_i), labels] = 1
    exclude = (labels != n_c - 1).float().view(n_i, 1).expand(n_i, n_c)
    threshold = cls.new_zeros(n_c)
    threshold[FREQ < 1e-3] = 1
    eql_w = 1 - exclude * threshold.view(1, n_c).expand(n_i, n_c) * (1 - target)
    bce = F.binary_cross_entropy_with_logits(cls, target, reduction="none")
    neg_w = torch.sigmoid(12.0 * (POS_GRAD / (NEG_GRAD + 1e-10) - 0.8))
    pos_w = 1 + 2.0 * (1 - neg_w)
    v2_w = pos_w.view(1, -1).expand(n_i, n_c) * target + neg_w.view(1, -1).expand(n_i, n_c) * (1 - target)
    with torch.no_grad():
        acc = (cls.argmax(1) == labels).float().mean() * 100
    return {"loss_eql": torch.sum(bce * eql_w) / n_i, "loss_eqlv2": torch.sum(bce * v2_w) / n_i, "acc": acc}


SEESAW_PRIOR = torch.tensor([40.0, 3.0, 12.0, 6.0, 100.0])  # samples seen per class before this batch


def _seesaw(cls, labels, counts, p):
    onehot = F.one_hot(labels, cls.size(-1))
    weights = cls.new_ones(onehot.size())
    if p > 0:
        ratio = counts[None, :] / counts[:, None]
        index = (ratio < 1.0).float()
        weights = weights * (ratio.pow(p) * index + (1 - index))[labels.long(), :]
    scores = F.softmax(cls.detach(), dim=1)
    self_scores = scores[torch.arange(0, len(scores)), labels.long()]
    matrix = scores / self_scores[:, None].clamp(min=1e-2)
    index = (matrix > 1.0).float()
    weights = weights * (matrix.pow(2.0) * index + (1 - index))
    return F.cross_entropy(cls + weights.log() * (1 - onehot), labels, reduction="none").mean()


def seesaw_with_counts_accumulated_over_the_batch(outputs, targets):
    """mmdet's SeesawLoss over flattened RoIs: the class counts so far plus the batch's
    (``bincount``), mitigation ``(n_j / n_i) ** 0.8`` where a class is rarer, compensation from
    softmax scores over each row's own score (``scores[torch.arange(len(scores)), labels]``), the
    logits shifted by the log weights off the label, CE mean; the compensation alone (``p = 0``)
    next to it."""
    cls = outputs["cls"].flatten(0, 1)
    labels = torch.cat([t["roi_labels"] for t in targets])
    counts = SEESAW_PRIOR + torch.bincount(labels, minlength=NC + 1).float()
    return {"loss_seesaw": _seesaw(cls, labels, counts, 0.8), "loss_seesaw_p0": _seesaw(cls, labels, counts, 0.0)}


def mmpose_soft_wing_and_keypoint_mse_skipping_empty_channels(outputs, targets):
    """mmpose: SoftWingLoss (``delta`` below ``omega1`` = 2, ``omega2 log(1 + delta / eps) + B``
    above, ``torch.where``) times the joint weights, summed over joints and coordinates, mean over
    images; KeypointMSELoss with ``skip_empty_channel``: a mask of channels with any non-zero target
    pixel (``flatten(2).any(2)``) times the joint weights, ``(mse * mask).mean()``."""
    omega1, omega2, eps = 2.0, 20.0, 0.5
    b = omega1 - omega2 * math.log(1.0 + omega1 / eps)
    delta = (outputs["coords"] - _stack(targets, "coords")).abs()
    w = _stack(targets, "joint_weight")
    losses = torch.where(delta < omega1, delta, omega2 * torch.log(1.0 + delta / eps) + b) * w.unsqueeze(-1)
    soft_wing = torch.mean(torch.sum(losses, dim=[1, 2]), dim=0)
    hm = _stack(targets, "heatmap")
    mask = (hm != 0).flatten(2).any(dim=2).view(*hm.shape[:2], 1, 1) * w.view(*w.shape, 1, 1)
    mse = (F.mse_loss(outputs["heatmaps"], hm, reduction="none") * mask).mean()
    return {"loss_soft_wing": soft_wing, "loss_kpt": mse}


MATCHED: list[float] = []


def per_image_nearest_query_assignment_weighted_by_loss_weight(outputs, targets):
    """A per-image assigner under ``no_grad``: each ground-truth box's nearest query (``cdist``,
    ``argmin(0)``), the L1 of the matched boxes summed, times the image's ``loss_weight``, added over
    images and divided by ``max(sum(len(t["boxes"])), 1)``; the class CE of every query (background
    ``torch.full`` with the matched labels written) summed, times the weight, over ``len(targets) *
    NQ``; the L1 per image logged with ``.item()``."""
    num_boxes = max(sum(len(t["boxes"]) for t in targets), 1)
    l1, ce = 0, 0
    for b, t in enumerate(targets):
        with torch.no_grad():
            q = torch.cdist(outputs["boxes"][b], t["boxes"]).argmin(0)
        term = F.l1_loss(outputs["boxes"][b][q], t["boxes"], reduction="sum")
        MATCHED.append(term.item())
        l1 = l1 + term * t["loss_weight"]
        classes = torch.full((NQ,), NC, dtype=torch.long)
        classes[q] = t["labels"]
        ce = ce + F.cross_entropy(outputs["logits"][b], classes, reduction="sum") * t["loss_weight"]
    return {"loss_bbox": l1 / num_boxes, "loss_ce": ce / (len(targets) * NQ)}


class _WeightedReduce:
    loss_weight = 2.0

    def weight_reduce(self, loss, weight=None, reduction="mean", avg_factor=None):
        if weight is not None:
            loss = loss * weight
        if avg_factor is None:
            return loss.mean() if reduction == "mean" else loss.sum()
        if reduction == "mean":
            return loss.sum() / (avg_factor + torch.finfo(torch.float32).eps)
        return loss


def mmdet_weight_reduce_loss_with_avg_factor_and_label_weights(outputs, targets):
    """mmdet's ``weight_reduce_loss``: sigmoid BCE per anchor (``'none'``, summed over classes),
    label weights per anchor built from each image's ``loss_weight`` (``torch.full``, ``cat``),
    ``avg_factor`` the positives read with ``.item()`` and floored by ``max(.., 1.0)``, ``loss.sum()
    / (avg_factor + eps)``; the ``reduction_override='sum'`` and plain-mean variants; each times the
    configured ``loss_weight``."""
    crit = _WeightedReduce()
    pred = outputs["anchor_logits"].flatten(0, 1)
    target = torch.cat([t["anchor_targets"] for t in targets])
    label_weights = torch.cat([torch.full((NA,), float(t["loss_weight"])) for t in targets])
    loss = F.binary_cross_entropy_with_logits(pred, target, reduction="none").sum(-1)
    num_pos = max(float((target.sum(-1) > 0).sum().item()), 1.0)
    return {"loss_cls": crit.loss_weight * crit.weight_reduce(loss, label_weights, avg_factor=num_pos),
            "loss_cls_sum": crit.loss_weight * crit.weight_reduce(loss, label_weights, reduction="sum"),
            "loss_cls_mean": crit.loss_weight * crit.weight_reduce(loss, label_weights)}


# -- classification, embeddings, distillation -----------------------------------------------------

POS_WEIGHT = torch.tensor([1.0, 2.0, 1.0, 3.0, 1.0])


def timm_binary_cross_entropy_with_smoothing_and_label_smoothing_ce(model, batch):
    """timm: BinaryCrossEntropy with smoothing 0.1 (dense targets ``torch.full((bs, c), off)
    .scatter_(1, y, on)``), per-class ``pos_weight``, mean; the same with ``target_threshold`` 0.2
    (``target.gt(thr)``); LabelSmoothingCrossEntropy (``-log_softmax.gather`` and ``-log_softmax.mean``
    mixed 0.9 / 0.1), mean."""
    x, y = model["logits"], batch["y"]
    num_classes = x.shape[-1]
    off = 0.1 / num_classes
    target = torch.full((y.size(0), num_classes), off, dtype=x.dtype).scatter_(1, y.view(-1, 1), 1.0 - 0.1 + off)
    bce = F.binary_cross_entropy_with_logits(x, target, pos_weight=POS_WEIGHT)
    bce_thr = F.binary_cross_entropy_with_logits(x, target.gt(0.2).to(dtype=target.dtype))
    logprobs = F.log_softmax(x, dim=-1)
    nll = -logprobs.gather(dim=-1, index=y.unsqueeze(1)).squeeze(1)
    ls = (0.9 * nll + 0.1 * -logprobs.mean(dim=-1)).mean()
    return {"loss_bce": bce, "loss_bce_thr": bce_thr, "loss_ls": ls}


def reid_label_smoothed_id_loss_and_batch_hard_triplet(model, batch):
    """Re-identification's strong baseline: CrossEntropyLabelSmooth (``zeros.scatter_`` one-hot
    smoothed by 0.1, ``(-targets * log_probs).mean(0).sum()``); the batch-hard triplet loss
    (euclidean distances by ``addmm_``, hardest positive and negative per row, ``margin_ranking_loss``
    with margin 0.3); the center loss to fixed class centres, halved."""
    x, y, f = model["logits"], batch["y"], model["emb"]
    log_probs = F.log_softmax(x, dim=1)
    onehot = torch.zeros(log_probs.size()).scatter_(1, y.unsqueeze(1), 1)
    onehot = 0.9 * onehot + 0.1 / x.size(1)
    id_loss = (-onehot * log_probs).mean(0).sum()
    n = f.size(0)
    sq = f.pow(2).sum(1, keepdim=True).expand(n, n)
    dist = (sq + sq.t()).addmm_(f, f.t(), beta=1, alpha=-2).clamp(min=1e-12).sqrt()
    same = y[:, None] == y[None, :]
    ap = (dist * same).max(1)[0]
    an = (dist + 1e5 * same).min(1)[0]
    tri = F.margin_ranking_loss(an, ap, torch.ones_like(an), margin=0.3)
    centers = torch.linspace(-1, 1, NCLS * D).view(NCLS, D)
    center = (f - centers[y]).pow(2).sum(1).clamp(1e-12, 1e12).mean() / 2
    return {"loss_id": id_loss, "loss_triplet": tri, "loss_center": center}


HINT_W = torch.randn(CT, CS, 1, 1, generator=_gen(31)) * 0.5


def feature_kd_hint_attention_transfer_and_similarity_preserving(model, batch):
    """Feature distillation: FitNets' hint (a fixed 1x1 regressor ``conv2d`` then MSE); attention
    transfer (``F.normalize(x.pow(2).mean(1).view(B, -1))``, squared difference mean); similarity
    preserving (each side's batch Gram matrix ``f f^T`` row-normalised, squared difference summed
    over ``B * B``)."""
    s, t = model["feat_s"], batch["feat_t"]
    hint = F.mse_loss(F.conv2d(s, HINT_W), t)

    def at(x):
        return F.normalize(x.pow(2).mean(1).view(x.size(0), -1))

    att = (at(s) - at(t)).pow(2).mean()
    bsz = s.shape[0]
    gs = F.normalize(torch.mm(s.view(bsz, -1), s.view(bsz, -1).t()))
    gt = F.normalize(torch.mm(t.view(bsz, -1), t.view(bsz, -1).t()))
    sp = ((gt - gs) * (gt - gs)).view(-1, 1).sum(0) / (bsz * bsz)
    return {"loss_hint": hint, "loss_at": att, "loss_sp": sp.squeeze(0)}


def sentence_embedding_ranking_cosent_cosine_and_distillation_losses(model, batch):
    """sentence-transformers: MultipleNegativesRankingLoss (cosine similarities of anchors to every
    positive times 20, CE against ``torch.arange(len(scores))``); CoSENT (pair score differences,
    ``-1e12`` where the label order disagrees, a 0 prepended, ``logsumexp``); CosineSimilarityLoss
    (MSE of ``cosine_similarity`` to the score); MSELoss to a teacher's embedding; MarginMSELoss of
    the positive-minus-negative dot products to the teacher's margin."""
    a, p, n = model["emb"], model["pos"], model["neg"]
    scores = torch.mm(F.normalize(a, dim=1), F.normalize(p, dim=1).t()) * 20.0
    mnrl = F.cross_entropy(scores, torch.arange(len(scores)))
    cos = F.cosine_similarity(a, p)
    diff = cos[:, None] * 20.0 - cos[None, :] * 20.0
    order = (batch["score"][:, None] < batch["score"][None, :]).float()
    diff = diff - (1 - order) * 1e12
    cosent = torch.logsumexp(torch.cat((torch.zeros(1), diff.view(-1))), dim=0)
    margin = F.mse_loss((a * p).sum(-1) - (a * n).sum(-1), batch["margin"])
    return {"loss_mnrl": mnrl, "loss_cosent": cosent, "loss_cosine": F.mse_loss(cos, batch["score"]),
            "loss_mse": F.mse_loss(a, batch["teacher"]), "loss_margin_mse": margin}


def zlpr_multilabel_categorical_ce_and_micro_f1(model, batch):
    """Multi-label categorical CE (ZLPR): logits signed by ``1 - 2y``, positives and negatives
    pushed to ``-1e12`` off their side, a zero column joined (``zeros_like(x[..., :1])``), the two
    ``logsumexp`` added, mean; the micro F1 of ``x > 0`` logged (``2 tp / (predicted + true)``)."""
    x, y = model["multi"], batch["multi"]
    signed = (1 - 2 * y) * x
    neg = signed - y * 1e12
    pos = signed - (1 - y) * 1e12
    zeros = torch.zeros_like(signed[..., :1])
    loss = torch.logsumexp(torch.cat([neg, zeros], -1), -1) + torch.logsumexp(torch.cat([pos, zeros], -1), -1)
    with torch.no_grad():
        hit = (x > 0).float()
        f1 = 2 * (hit * y).sum() / (hit.sum() + y.sum()).clamp(min=1)
    return {"loss_zlpr": loss.mean(), "f1": f1}


def cox_partial_likelihood_and_discrete_time_hazard_nll(model, batch):
    """Survival: Cox's partial likelihood over risk sets (sorted by time descending, ``logcumsumexp``)
    summed over events over their count; the discrete-time hazard BCE over the intervals up to each
    sample's own (``arange <= interval``), the event at its interval, summed over the mask's sum;
    the concordance index over comparable pairs logged."""
    risk, time, event = model["risk"], batch["time"], batch["event"]
    order = torch.argsort(time, descending=True)
    r, e = risk[order], event[order]
    cox = -((r - torch.logcumsumexp(r, dim=0)) * e).sum() / e.sum().clamp(min=1)
    steps = torch.arange(NT)[None]
    upto = (steps <= batch["interval"][:, None]).float()
    hit = (steps == batch["interval"][:, None]).float() * event[:, None]
    hazard = (F.binary_cross_entropy_with_logits(model["hazard"], hit, reduction="none") * upto).sum() / upto.sum()
    with torch.no_grad():
        comparable = (time[:, None] < time[None, :]) & (event[:, None] > 0)
        concordant = (risk[:, None] > risk[None, :]) & comparable
        cindex = concordant.sum().float() / comparable.sum().clamp(min=1)
    return {"loss_cox": cox, "loss_hazard": hazard, "cindex": cindex}


SVDD_C = torch.linspace(-0.5, 0.5, D)


def deep_svdd_one_class_and_soft_boundary(model, batch):
    """Deep SVDD: each embedding's squared distance to the fixed centre; the one-class objective
    (mean) and the soft-boundary objective ``R^2 + 1/nu * mean(max(0, dist - R^2))``."""
    dist = torch.sum((model["z"] - SVDD_C) ** 2, dim=1)
    scores = dist - 0.5 ** 2
    soft = 0.5 ** 2 + (1 / 0.1) * torch.mean(torch.max(torch.zeros_like(scores), scores))
    return {"loss_one_class": torch.mean(dist), "loss_soft_boundary": soft}


PART_W = torch.tensor([1.0, 0.5, 2.0])


def pointnet_part_nll_and_feature_transform_regulariser(model, batch):
    """PointNet: NLL of log-softmax part scores over points with class weights (``view(-1, C)``);
    the feature transform regulariser ``mean(norm(A A^T - I, dim=(1, 2)))`` times 0.001."""
    logp = F.log_softmax(model["pt_logits"], -1)
    nll = F.nll_loss(logp.view(-1, NCP), batch["pt_y"].view(-1), weight=PART_W)
    trans = model["trans"]
    eye = torch.eye(trans.size(1))[None, :, :]
    reg = torch.mean(torch.norm(torch.bmm(trans, trans.transpose(2, 1)) - eye, dim=(1, 2)))
    return {"loss": nll + 0.001 * reg, "loss_nll": nll, "loss_reg": reg}


# -- sequences ------------------------------------------------------------------------------------


def rdrop_ce_of_both_passes_and_symmetric_kl_over_non_padding(model, batch):
    """R-Drop: the token CE (``ignore_index=-100``) of two dropout passes averaged; the KL both ways
    per token (``kl_div(log_softmax, softmax, reduction='none')``) with padding zeroed by
    ``masked_fill_``, summed, halved; the total with weight 4."""
    l1, l2, y = model["l1"], model["l2"], batch["labels"]
    ce = 0.5 * (F.cross_entropy(l1.view(-1, V), y.view(-1)) + F.cross_entropy(l2.view(-1, V), y.view(-1)))
    pad = (y == -100).unsqueeze(-1)
    p = F.kl_div(F.log_softmax(l1, dim=-1), F.softmax(l2, dim=-1), reduction="none")
    q = F.kl_div(F.log_softmax(l2, dim=-1), F.softmax(l1, dim=-1), reduction="none")
    p.masked_fill_(pad, 0.0)
    q.masked_fill_(pad, 0.0)
    kl = (p.sum() + q.sum()) / 2
    return {"loss": ce + 4 * kl, "loss_ce": ce, "loss_kl": kl}


CRF_START = torch.tensor([0.1, -0.2, 0.3])
CRF_END = torch.tensor([-0.1, 0.2, 0.0])
CRF_TRANS = torch.randn(KTAG, KTAG, generator=_gen(32)) * 0.5


def crf_negative_log_likelihood_sum_mean_and_token_mean(model, batch):
    """pytorch-crf with ``batch_first``: emissions, tags and mask transposed to time-major; the gold
    path's score (start transitions indexed by the first tags, ``emissions[i, torch.arange(bs),
    tags[i]]`` and transitions times the mask per step, ``+=``, the end transition of each sequence's
    last tag ``tags[seq_ends, arange]``); the partition by the forward algorithm (``logsumexp`` over
    the previous tag, ``torch.where`` on the mask); the NLL reduced as ``sum``, ``mean`` and
    ``token_mean``."""
    em = model["emissions"].transpose(0, 1)
    tags = batch["tags"].transpose(0, 1)
    mask = batch["attention_mask"].transpose(0, 1).bool()
    seq_length, batch_size = tags.shape
    fmask = mask.float()
    score = CRF_START[tags[0]]
    score += em[0, torch.arange(batch_size), tags[0]]
    for i in range(1, seq_length):
        score += CRF_TRANS[tags[i - 1], tags[i]] * fmask[i]
        score += em[i, torch.arange(batch_size), tags[i]] * fmask[i]
    seq_ends = mask.long().sum(dim=0) - 1
    score += CRF_END[tags[seq_ends, torch.arange(batch_size)]]
    alpha = CRF_START + em[0]
    for i in range(1, seq_length):
        nxt = torch.logsumexp(alpha.unsqueeze(2) + CRF_TRANS + em[i].unsqueeze(1), dim=1)
        alpha = torch.where(mask[i].unsqueeze(1), nxt, alpha)
    llh = score - torch.logsumexp(alpha + CRF_END, dim=1)
    return {"loss_crf_sum": -llh.sum(), "loss_crf_mean": -llh.mean(), "loss_crf_token_mean": -llh.sum() / fmask.sum()}


def electra_generator_mlm_and_discriminator_bce_over_non_padding(model, batch):
    """ELECTRA: the generator's MLM CE on masked positions (labels ``masked_fill(~mask, -100)``);
    under ``no_grad`` tokens sampled by Gumbel argmax, put at the masked positions (``torch.where``),
    replaced where they differ; the discriminator's BCE over non-padding tokens (boolean index);
    the total ``gen + 50 * disc``; the discriminator's accuracy logged."""
    ids, m = batch["input_ids"], batch["mlm_mask"]
    gen = F.cross_entropy(model["gen"].view(-1, V), ids.masked_fill(~m, -100).view(-1), ignore_index=-100)
    with torch.no_grad():
        sampled = (model["gen"] + batch["gumbel"]).argmax(-1)
        replaced = torch.where(m, sampled, ids) != ids
    non_pad = batch["attention_mask"].bool()
    disc = F.binary_cross_entropy_with_logits(model["disc"][non_pad], replaced[non_pad].float())
    with torch.no_grad():
        acc = ((model["disc"][non_pad] > 0) == replaced[non_pad]).float().mean()
    return {"loss": gen + 50.0 * disc, "loss_gen": gen, "loss_disc": disc, "disc_acc": acc}


def draft_model_distillation_forward_kl_tvd_and_acceptance(model, batch):
    """Speculative decoding's draft distillation: the target model's softmax at temperature 1 and
    the draft's log-softmax; forward KL per token and total variation ``0.5 |p - q|.sum(-1)``,
    each summed over attended tokens over their count; the expected acceptance ``min(p, q).sum(-1)``
    likewise, and per sequence then mean, logged."""
    m = batch["attention_mask"].float()
    p = F.softmax(batch["target_logits"], -1)
    logq = F.log_softmax(model["draft"], -1)
    kl = (p * (p.log() - logq)).sum(-1)
    tvd = 0.5 * (p - logq.exp()).abs().sum(-1)
    with torch.no_grad():
        accept = torch.minimum(p, logq.exp()).sum(-1)
        per_seq = ((accept * m).sum(1) / m.sum(1)).mean()
    return {"loss_kl": (kl * m).sum() / m.sum(), "loss_tvd": (tvd * m).sum() / m.sum(),
            "acceptance": (accept * m).sum() / m.sum(), "acceptance_seq": per_seq}


def self_critical_sequence_training_with_greedy_baseline(model, batch):
    """Self-critical captioning: the sampled caption's reward minus the greedy caption's (under
    ``no_grad``), ``-(logp * mask * adv[:, None]).sum() / mask.sum()``; the mean reward logged."""
    mask = batch["attention_mask"].float()
    with torch.no_grad():
        adv = batch["reward"] - batch["greedy_reward"]
    loss = -(model["sample_logp"] * mask * adv[:, None]).sum() / mask.sum()
    return {"loss_scst": loss, "reward": batch["reward"].mean()}


def pointer_generator_nll_with_coverage_per_decoder_step(model, batch):
    """Pointer-generator summarisation: per decoder step the gold token's probability (``gather``),
    ``-log(p + 1e-12)`` plus the coverage loss ``sum(min(attn, coverage), 1)`` (coverage a running
    sum of attention from ``zeros_like``), times the step's mask, appended; stacked, summed over
    steps, over each sequence's length, mean."""
    attn, probs, y = model["attn"], model["probs"], batch["input_ids"]
    dec_mask = batch["attention_mask"].float()
    coverage = torch.zeros_like(attn[:, 0])
    step_losses = []
    for di in range(attn.size(1)):
        a = attn[:, di]
        gold = torch.gather(probs[:, di], 1, y[:, di:di + 1]).squeeze(1)
        step = -torch.log(gold + 1e-12) + torch.sum(torch.min(a, coverage), 1)
        coverage = coverage + a
        step_losses.append(step * dec_mask[:, di])
    per_seq = torch.sum(torch.stack(step_losses, 1), 1) / dec_mask.sum(1)
    return {"loss": torch.mean(per_seq)}


def latent_autoencoder_nll_with_learned_logvar_and_kl_over_the_batch(outputs, targets, logvar):
    """A latent-diffusion autoencoder: the L1 reconstruction over a learned 0-dim log-variance
    (``rec / exp(logvar) + logvar``) summed over ``nll.shape[0]``; the diagonal Gaussian posterior's
    KL summed over ``[1, 2, 3]``, summed over ``kl.shape[0]``; the total with ``1e-6``; the
    reconstruction's mean logged."""
    rec = torch.abs(_stack(targets, "image") - outputs["rec"])
    nll = rec / torch.exp(logvar) + logvar
    nll_loss = torch.sum(nll) / nll.shape[0]
    mean, logvar_z = outputs["mean"], outputs["logvar_z"]
    kl = 0.5 * torch.sum(mean.pow(2) + logvar_z.exp() - 1.0 - logvar_z, dim=[1, 2, 3])
    kl_loss = torch.sum(kl) / kl.shape[0]
    return {"loss": nll_loss + 1e-6 * kl_loss, "loss_nll": nll_loss, "loss_kl": kl_loss,
            "rec": rec.detach().mean()}


# -- the table ------------------------------------------------------------------------------------


CASES = {c.body.__name__: c for c in [
    # the log of each class's dice over the batch's sums, counted as mixing: split since s40 (``-log(dice
    # .clamp_min(1e-7)) * present`` an expression per class, gated by the group's presence)
    Case(smp_dice_log_loss_and_jaccard_batchwise_over_present_classes, seg_batch),
    # split since first contact: ``Tensor.type`` converts, ``loss *= data`` is ``loss = loss * data``, and
    # ``loss /= s; loss.sum()`` is ``loss.sum() / s``
    Case(smp_focal_multiclass_loop_over_classes_with_ignore_index, seg_batch),
    Case(kornia_hausdorff_erosion_with_per_image_min_max_normalisation, seg_batch),
    Case(cldice_soft_skeletons_and_soft_dice_of_batch_sums, seg_batch),
    Case(kornia_robust_losses_and_binary_focal_with_log_sigmoid, seg_batch),
    Case(deep_image_matting_alpha_and_composition_over_the_unknown_region, seg_batch),
    Case(colourisation_rebalanced_soft_encoded_ab_classification, seg_batch),
    # split since first contact: the capture's own arithmetic on the divisor notes no number of the body
    Case(crowd_counting_density_mse_over_twice_the_batch_and_count_errors, seg_batch),
    Case(eql_v1_and_v2_over_flattened_rois, roi_batch),
    Case(seesaw_with_counts_accumulated_over_the_batch, roi_batch, keys("loss_seesaw"),
         why="the mitigation factors come from class counts that include the batch's (bincount)"),
    Case(per_image_nearest_query_assignment_weighted_by_loss_weight, det_batch, gaps=keys("loss_bbox", "loss_ce"),
         why="a per-image term read with .item() and appended to a list declines the whole call"),
    Case(mmdet_weight_reduce_loss_with_avg_factor_and_label_weights, det_batch),
    Case(mmpose_soft_wing_and_keypoint_mse_skipping_empty_channels, pose_batch),
    Case(timm_binary_cross_entropy_with_smoothing_and_label_smoothing_ce, class_batch),
    Case(reid_label_smoothed_id_loss_and_batch_hard_triplet, class_batch, keys("loss_triplet"),
         why="the hardest positive and negative of each row among the batch's rows"),
    Case(feature_kd_hint_attention_transfer_and_similarity_preserving, class_batch, keys("loss_sp"),
         why="the Gram matrix of the batch's features"),
    Case(sentence_embedding_ranking_cosent_cosine_and_distillation_losses, class_batch, keys("loss_mnrl", "loss_cosent"),
         why="in-batch negatives; every pair of the batch's pairs ranked"),
    Case(zlpr_multilabel_categorical_ce_and_micro_f1, class_batch),
    Case(cox_partial_likelihood_and_discrete_time_hazard_nll, class_batch, keys("loss_cox", "cindex"),
         why="risk sets and comparable pairs over the batch's samples"),
    Case(deep_svdd_one_class_and_soft_boundary, class_batch),
    Case(pointnet_part_nll_and_feature_transform_regulariser, class_batch),
    Case(rdrop_ce_of_both_passes_and_symmetric_kl_over_non_padding, lm_batch),
    Case(crf_negative_log_likelihood_sum_mean_and_token_mean, lm_batch),
    Case(electra_generator_mlm_and_discriminator_bce_over_non_padding, lm_batch),
    Case(draft_model_distillation_forward_kl_tvd_and_acceptance, lm_batch),
    Case(self_critical_sequence_training_with_greedy_baseline, lm_batch),
    Case(pointer_generator_nll_with_coverage_per_decoder_step, lm_batch),
    Case(latent_autoencoder_nll_with_learned_logvar_and_kl_over_the_batch, ae_batch),
]}


NOW = (349, 42, 8, 0)  # expected, declined, GAP, WRONG (first contact: 349, 62, 24, 0; s40: the log dice)
globals().update(survey_tests(CASES, range(len(WEIGHTS)), 28, NOW))
