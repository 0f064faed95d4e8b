"""Coverage survey 39: first contact, our own code of public criteria of today's papers and
repositories that surveys 5 to 37 did not have, each with the published method's ops, gathers,
reductions and normaliser, decorated from outside: LM training (Mixtral's load-balancing loss over
the attention mask with ST-MoE's router z-loss and DeepSeek-V3's sequence-wise balance; fairseq's
label-smoothed NLL averaged per sequence beside the token average; a chunked linear cross entropy
over the flattened tokens with multi-token-prediction heads; a Bradley-Terry reward model read at
each sequence's last token with a margin and reward centring; SimPER with an SFT term; TAID's
interpolated distillation with a per-sequence reverse KL), detection and segmentation (Stable-DINO's
position-supervised loss with weighted L1; Libra R-CNN's balanced L1 with α-IoU; the normalised
Gaussian Wasserstein distance for tiny objects; H-DETR's one-to-many branch over repeated targets;
SAM 2's multimask focal and Dice of the lowest-loss mask with its IoU head over ``num_objects``;
OneFormer's query-text contrast with Mask2Former's point-sampled mask losses through
``grid_sample``), depth and 3-D (Depth Anything's affine-invariant loss with a median and mean
absolute deviation per image; MiDaS' trimmed loss after a closed-form scale and shift; 3D Gaussian
Splatting's L1 + D-SSIM with the batch's PSNR; NeRF's coarse and fine ray MSE with mip-NeRF 360's
distortion loss over rays; VGGT's camera Huber loss with confidence-aware depth and its gradient
term), restoration and generation (flow matching with logit-normal weights normalised over the
batch; EDM2's learned uncertainty weighting; a perceptual, Gram and FFT loss through a frozen random
net; VA-VAE's vision-foundation alignment; a diffusion loss with the dispersive regulariser) and
contrastive learning (SigLIP's sigmoid loss with a captioning head; DenseCL's global and dense
InfoNCE against momentum queues; SimSiam beside Barlow Twins). The harness and its vocabulary (``MIXES``, ``GAP``,
``WRONG``, the 3 % target of issue #13) are ``_survey``'s.

Four batches as surveys 23 to 37's: 4 examples of three groups (two where the weights give the
groups), 3 of two, 3 of one group (the others absent), 1 example. Detection and mask targets carry
``loss_weight``; the other batches get their groups through ``losssplit.sources``.

FIRST_CONTACT (25 patterns, main at 32a9c3d unchanged): 375 expected companions, 33 declined, 9 GAP
(2.4 %), 0 WRONG. The 24 declines where examples mix, each with a warning naming its key, on the
batches of several groups: Mixtral's load-balancing product of batch means, OneFormer's query-text
contrast, the dispersive loss over every pair, SigLIP's pairs and Barlow Twins' batch
standardisation. The GAPs: MiDaS' trimmed loss on batches 0 and 1 (5: ``count += len(r)`` over a
``zip`` of locals, then ``/ (2 * count)``, 'a division by a number of the body's after it read sizes
of single images' tensors ... that is none of the loss's counts') and the chunked cross entropy on
batch 1 (4: its last chunk of one row is summed as one image's value, not as a term of the sum over
every chunk, so the cut by position declines the call). Split at first contact: everything else,
Mixtral's router z-loss and DeepSeek-V3's sequence-wise balance beside the mixing term, the
label-smoothed NLL per sequence, the chunked CE on the other batches with the multi-token heads,
the reward model read at each sequence's last token, SimPER, TAID and the per-sequence reverse KL,
Stable-DINO's IoU-powered targets written by advanced indexing, the balanced L1's ``torch.where``,
α-IoU, NWD as a loss and as soft targets, H-DETR's repeated targets, SAM 2's
``argmin`` mask with the IoU head, Mask2Former's ``grid_sample`` points, Depth Anything's per-image
medians, 3DGS' D-SSIM through a grouped ``conv2d`` with the batch's PSNR, NeRF's rays and mip-NeRF
360's distortion, VGGT's confidence-aware depth, flow matching with weights normalised over the
batch (``w / w.mean()``: the batch's weighted mean), EDM2's learned uncertainty, the perceptual,
Gram and FFT losses through a frozen random net, VA-VAE's alignment, DenseCL's dense positives
matched within each image pair (``bmm``, ``argmax``, ``gather``) against a queue, and SimSiam.

NOW (session 31, s39): 375 expected, 24 declined (all where examples mix), 0 GAP (0.0 %), 0 WRONG.
Session 46: 26 declined, 2 GAP (0.5 %), 0 WRONG: OneFormer's mask and Dice keys on the batch of one image,
whose ``num_masks`` passed in equals ``len(src)`` by value only (s61's row lengths read a number as a
length only where its provenance shows ``len``) and whose target fields disagree on the instances.
A piece of one row of a cut by position added to a sum is one of its batch terms, so a cut whose
every piece is summed once with the same factors splits whatever its last piece holds
(``tests/test_rules_one_row_pieces.py``); a divisor the code writes as a literal times a running
sum of one size of each image's own tensor, ``/ (2 * M)``, is that literal times the group's sizes,
also where the loop runs over locals (``tests/test_rules_summed_sizes_multiple.py``).
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from _helpers import PER_IMAGE, ROWS, TARGETS, Along, Share
from _survey import LIBRARY_SOURCES, LIBRARY_WEIGHTS, Case, keys, survey_tests
from _survey import corners as _corners
from _survey import gen as _gen
from _survey import giou_aligned as _giou
from _survey import leaf as _leaf
from _survey import padded_labels as _padded_labels
from test_criteria_other import _align_scale_shift

# One worker runs the table: each pattern's outcome is computed once.
pytestmark = pytest.mark.xdist_group("survey39")

WEIGHTS = LIBRARY_WEIGHTS
SOURCES = LIBRARY_SOURCES
_MIXED = (0, 1)


# -- LM: mixture of experts --------------------------------------------------------------------------

T, V, E, D = 8, 6, 4, 5  # tokens, vocabulary, experts, hidden


def router_batch(seed: int) -> tuple[list, list, list]:
    """A MoE layer's router logits [B, 8, 4] and the attention mask (0 over each row's padding)."""
    g = _gen(seed + 3900)
    b = len(SOURCES[seed])
    _, attention = _padded_labels(b, T, V, seed, g)
    return [_leaf(b, T, E, g=g), attention], [Along(0), Along(0)], SOURCES[seed]


def moe_balance_and_router_z(router, attention, top_k=2):
    """Mixtral's ``load_balancing_loss_func`` with the attention mask: the top-2 experts' one-hot
    counts and the routing probabilities, each a mean over the batch's unpadded tokens, multiplied
    per expert (the tokens of every sequence mix); ST-MoE's router z-loss, ``logsumexp^2`` over the
    unpadded tokens; DeepSeek-V3's sequence-wise balance, the same product per sequence, mean."""
    probs = router.softmax(-1)
    _, selected = torch.topk(probs, top_k, dim=-1)
    expert_mask = F.one_hot(selected, E).float()  # [B, T, k, E]
    m = attention.float()
    tokens_per_expert = (expert_mask * m[..., None, None]).sum((0, 1)) / m.sum()
    prob_per_expert = (probs * m[..., None]).sum((0, 1)) / m.sum()
    aux = E * (tokens_per_expert * prob_per_expert[None]).sum()
    z = (torch.logsumexp(router, -1) ** 2 * m).sum() / m.sum()
    count = (expert_mask.sum(2) * m[..., None]).sum(1)  # [B, E]
    valid = m.sum(1, keepdim=True)
    f = count * E / (top_k * valid)
    p = (probs * m[..., None]).sum(1) / valid
    seq = (f * p).sum(1).mean()
    return {"loss_aux": aux, "loss_router_z": z, "loss_seq_balance": seq}


# -- LM: token losses ---------------------------------------------------------------------------------

def token_batch(seed: int) -> tuple[list, list, list]:
    """An LM's logits [B, 8, 6] and its labels (-100 over prompt and padding)."""
    g = _gen(seed + 3910)
    b = len(SOURCES[seed])
    labels, _ = _padded_labels(b, T, V, seed, g)
    return [_leaf(b, T, V, g=g), labels], [Along(0), Along(0)], SOURCES[seed]


def label_smoothed_nll_per_sequence(logits, labels, eps=0.1):
    """fairseq's ``label_smoothed_nll_loss``: the NLL and the smoothing term, padding filled with 0
    in place, ``(1 - ε - ε_i) nll + ε_i smooth``; averaged per sequence (its sum over its own
    tokens), then over the batch; the token average of ``F.cross_entropy(label_smoothing=)``."""
    lprobs = F.log_softmax(logits, -1)
    pad = labels.eq(-100)
    target = labels.masked_fill(pad, 0)
    nll = -lprobs.gather(-1, target[..., None]).squeeze(-1)
    smooth = -lprobs.sum(-1)
    nll.masked_fill_(pad, 0.0)
    smooth.masked_fill_(pad, 0.0)
    eps_i = eps / (V - 1)
    loss = (1.0 - eps - eps_i) * nll + eps_i * smooth
    per_seq = loss.sum(1) / (~pad).sum(1)
    tok = F.cross_entropy(logits.reshape(-1, V), labels.reshape(-1), ignore_index=-100, label_smoothing=eps)
    return {"loss_ls_seq": per_seq.mean(), "loss_ls_tok": tok}


HEAD = torch.randn(V, D, generator=_gen(3911))


def mtp_batch(seed: int) -> tuple[list, list, list]:
    """A decoder's last hidden states [B, 8, 5] (the output head ``HEAD`` a frozen [6, 5]), two
    multi-token-prediction heads' logits [B, 8, 6] (depths 2 and 3) and the labels."""
    g = _gen(seed + 3912)
    b = len(SOURCES[seed])
    labels, _ = _padded_labels(b, T, V, seed, g)
    out = {"hidden": _leaf(b, T, D, g=g), "mtp": [_leaf(b, T, V, g=g), _leaf(b, T, V, g=g)]}
    return [out, labels], [Along(0), Along(0)], SOURCES[seed]


def chunked_ce_and_mtp(out, labels, chunk=5, lam=0.3):
    """A chunked linear cross entropy (Liger-style, written out): the shifted hidden states and
    labels flattened, split into chunks of 5 rows (crossing the sequences), each chunk's logits and
    summed CE, the total over the batch's non-ignored count; DeepSeek-V3's multi-token prediction:
    head ``d`` against the labels ``d`` steps ahead, each depth's token mean, their mean times λ."""
    h = out["hidden"][:, :-1].reshape(-1, D)
    y = labels[:, 1:].reshape(-1)
    total = 0.0
    for hc, yc in zip(h.split(chunk), y.split(chunk)):
        total = total + F.cross_entropy(hc @ HEAD.t(), yc, ignore_index=-100, reduction="sum")
    main = total / (y != -100).sum()
    depths = [F.cross_entropy(lg[:, :-d].reshape(-1, V), labels[:, d:].reshape(-1), ignore_index=-100)
              for d, lg in enumerate(out["mtp"], start=2)]
    return {"loss_lm": main, "loss_mtp": lam * sum(depths) / len(depths)}


# -- LM: preferences and distillation -------------------------------------------------------------------

def reward_batch(seed: int) -> tuple[list, list, list]:
    """A reward model's per-token values [B, 8] for the chosen and the rejected response, each
    one's attention mask (right padding) and the preference margin."""
    g = _gen(seed + 3920)
    b = len(SOURCES[seed])
    _, att_c = _padded_labels(b, T, V, seed, g)
    _, att_r = _padded_labels(b, T, V, seed + 1, g)
    batch = {"att_chosen": att_c, "att_rejected": att_r, "margin": torch.rand(b, generator=g)}
    return [{"chosen": _leaf(b, T, g=g), "rejected": _leaf(b, T, g=g)}, batch], [Along(0), Along(0)], SOURCES[seed]


def bradley_terry_margin_centring(out, batch, centring=0.01):
    """TRL's reward modelling: each response's reward the value at its last unpadded token
    (``gather`` at ``attention.sum(1) - 1``), ``-logsigmoid(r_c - r_r - margin)`` (Llama 2's
    margin), mean, plus the centring term ``c · mean((r_c + r_r)^2)``; the accuracy, mean."""
    last_c = batch["att_chosen"].sum(1) - 1
    last_r = batch["att_rejected"].sum(1) - 1
    rc = out["chosen"].gather(1, last_c[:, None]).squeeze(1)
    rr = out["rejected"].gather(1, last_r[:, None]).squeeze(1)
    loss = -F.logsigmoid(rc - rr - batch["margin"]).mean() + centring * ((rc + rr) ** 2).mean()
    return {"loss_rm": loss, "loss_rm_acc": (rc > rr).float().mean()}


def preference_batch(seed: int) -> tuple[list, list, list]:
    """A policy's logits for the chosen and the rejected response [B, 8, 6] and their labels."""
    g = _gen(seed + 3930)
    b = len(SOURCES[seed])
    chosen, _ = _padded_labels(b, T, V, seed, g)
    rejected, _ = _padded_labels(b, T, V, seed + 1, g)
    return ([{"chosen": _leaf(b, T, V, g=g), "rejected": _leaf(b, T, V, g=g)}, {"chosen": chosen, "rejected": rejected}],
            [Along(0), Along(0)], SOURCES[seed])


def _mean_logps(logits, labels):
    mask = labels != -100
    logp = torch.gather(logits.log_softmax(-1), 2, labels.clamp(min=0)[..., None]).squeeze(2)
    return (logp * mask).sum(-1) / mask.sum(-1)


def simper_with_sft(out, batch):
    """SimPER (Xiao et al., 2025): the inverse perplexity of each response, ``-exp(mean logp_c) +
    exp(mean logp_r)``, mean; the SFT cross entropy over the chosen tokens."""
    ac, ar = _mean_logps(out["chosen"], batch["chosen"]), _mean_logps(out["rejected"], batch["rejected"])
    sft = F.cross_entropy(out["chosen"].flatten(0, 1), batch["chosen"].flatten(), ignore_index=-100)
    return {"loss_simper": (-ac.exp() + ar.exp()).mean(), "loss_sft": sft}


def distill_batch(seed: int) -> tuple[list, list, list]:
    """A student's and a teacher's logits [B, 8, 6] and the labels (-100 over prompt and padding)."""
    g = _gen(seed + 3940)
    b = len(SOURCES[seed])
    labels, _ = _padded_labels(b, T, V, seed, g)
    return ([_leaf(b, T, V, g=g), {"teacher": torch.randn(b, T, V, generator=g) * 2, "labels": labels}],
            [Along(0), Along(0)], SOURCES[seed])


def taid_and_sequence_reverse_kl(student, batch, t=0.4):
    """TAID (Shing et al., 2025): the target ``(1 - t) · sg(p_s) + t · p_t``, its KL to the student
    per token, summed over the response tokens over their count; MiniLLM-style reverse KL of the
    student to the teacher, each sequence's mean over its response tokens, mean."""
    mask = batch["labels"] != -100
    ls = F.log_softmax(student, -1)
    lt = F.log_softmax(batch["teacher"], -1)
    p = (1 - t) * ls.exp().detach() + t * lt.exp()
    taid = (p * (p.log() - ls)).sum(-1)
    rkl = (ls.exp() * (ls - lt)).sum(-1)
    per_seq = (rkl * mask).sum(1) / mask.sum(1)
    return {"loss_taid": (taid * mask).sum() / mask.sum(), "loss_rkl": per_seq.mean()}


# -- detection and segmentation ------------------------------------------------------------------------

Q, C = 10, 5  # queries, classes


def detr_batch(seed: int) -> tuple[list, list, list | None]:
    """A DETR decoder's logits [B, 10, 5] and boxes [B, 10, 4]; per image 1 to 3 boxes, labels and
    ``loss_weight``, and the matcher's indices."""
    g = _gen(seed + 3950)
    b = len(WEIGHTS[seed])
    targets, indices = [], []
    for i, w in enumerate(WEIGHTS[seed]):
        n = 1 + (i + seed) % 3
        targets.append({"labels": torch.randint(0, C, (n,), generator=g),
                        "boxes": torch.rand(n, 4, generator=g) * 0.3 + 0.3, "loss_weight": w})
        indices.append((torch.randperm(Q, generator=g)[:n], torch.arange(n)))
    out = {"pred_logits": _leaf(b, Q, C, g=g),
           "pred_boxes": (torch.rand(b, Q, 4, generator=g) * 0.3 + 0.3).requires_grad_()}
    counts = [len(t["boxes"]) for t in targets]
    return [out, targets, indices, float(sum(counts))], [ROWS, TARGETS, PER_IMAGE, Share(counts)], None


def _matched(indices):
    batch_idx = torch.cat([torch.full_like(src, i) for i, (src, _) in enumerate(indices)])
    return batch_idx, torch.cat([src for src, _ in indices])


def stable_dino_position_supervised(outputs, targets, indices, num_boxes, alpha=0.25, gamma=2.0):
    """Stable-DINO's position-supervised classification: the matched queries' target the IoU of
    their boxes (detached) to the power 2, the others 0; sigmoid BCE with the focal modulation
    ``|t - p|^γ`` and α, ``mean(1).sum() / num_boxes``; the L1 of the matched boxes each times its
    image's ``loss_weight`` (the seed's ``torch.full``), sum over ``num_boxes``; GIoU likewise."""
    idx = _matched(indices)
    src = outputs["pred_boxes"][idx]
    tgt = torch.cat([t["boxes"][j] for t, (_, j) in zip(targets, indices)])
    w = torch.cat([torch.full((len(j),), t["loss_weight"]) for t, (_, j) in zip(targets, indices)])
    giou = _giou(_corners(src), _corners(tgt))
    iou = giou.detach().clamp(min=0.01)
    logits = outputs["pred_logits"]
    score = torch.zeros_like(logits)
    labels = torch.cat([t["labels"][j] for t, (_, j) in zip(targets, indices)])
    score[idx[0], idx[1], labels] = iou ** 2
    p = logits.sigmoid()
    ce = F.binary_cross_entropy_with_logits(logits, score, reduction="none")
    loss = ce * (score - p).abs() ** gamma * (alpha * (score > 0) + (1 - alpha) * (score == 0))
    l1 = (F.l1_loss(src, tgt, reduction="none") * w[:, None]).sum() / num_boxes
    return {"loss_cls": loss.mean(1).sum() / num_boxes, "loss_bbox": l1,
            "loss_giou": ((1 - giou) * w).sum() / num_boxes}


def libra_balanced_l1_and_alpha_iou(outputs, targets, indices, num_boxes, alpha=0.5, gamma=1.5, beta=1.0, power=3.0):
    """Libra R-CNN's balanced L1 over the matched boxes' coordinates (``b = e^(γ/α) - 1``, the
    promoted inlier gradient below β, a linear outlier term above, ``torch.where``), each image's
    rows times its ``loss_weight``, sum over ``num_boxes``; α-IoU (He et al.), ``1 - IoU^3`` of the
    matched boxes, mean over them."""
    idx = _matched(indices)
    src = outputs["pred_boxes"][idx]
    tgt = torch.cat([t["boxes"][j] for t, (_, j) in zip(targets, indices)])
    w = torch.cat([torch.full((len(j),), t["loss_weight"]) for t, (_, j) in zip(targets, indices)])
    diff = (src - tgt).abs()
    b = math.exp(gamma / alpha) - 1
    balanced = torch.where(diff < beta, alpha / b * (b * diff + 1) * torch.log(b * diff / beta + 1) - alpha * diff,
                           gamma * diff + gamma / b - alpha * beta)
    a, c = _corners(src), _corners(tgt)
    lt, rb = torch.max(a[:, :2], c[:, :2]), torch.min(a[:, 2:], c[:, 2:])
    inter = (rb - lt).clamp(min=0).prod(-1)
    iou = inter / ((a[:, 2:] - a[:, :2]).prod(-1) + (c[:, 2:] - c[:, :2]).prod(-1) - inter)
    return {"loss_balanced_l1": (balanced * w[:, None]).sum() / num_boxes, "loss_alpha_iou": (1 - iou.pow(power)).mean()}


def nwd_tiny_objects(outputs, targets, indices, num_boxes, c=0.1):
    """The normalised Gaussian Wasserstein distance for tiny objects (Wang et al.): each box a 2-D
    Gaussian, ``W2² = ‖Δcentre‖² + ‖Δ(w, h) / 2‖²``, ``NWD = exp(-√W2² / C)``; ``1 - NWD`` of the
    matched boxes summed over ``num_boxes``; the matched queries' NWD as the soft target of a sigmoid
    BCE over every query (0 elsewhere), mean."""
    idx = _matched(indices)
    src = outputs["pred_boxes"][idx]
    tgt = torch.cat([t["boxes"][j] for t, (_, j) in zip(targets, indices)])
    w2 = ((src[:, :2] - tgt[:, :2]) ** 2).sum(-1) + (((src[:, 2:] - tgt[:, 2:]) / 2) ** 2).sum(-1)
    nwd = torch.exp(-torch.sqrt(w2 + 1e-7) / c)
    labels = torch.cat([t["labels"][j] for t, (_, j) in zip(targets, indices)])
    soft = torch.zeros_like(outputs["pred_logits"])
    soft[idx[0], idx[1], labels] = nwd.detach()
    bce = F.binary_cross_entropy_with_logits(outputs["pred_logits"], soft)
    return {"loss_nwd": (1 - nwd).sum() / num_boxes, "loss_nwd_cls": bce}


K_O2M = 2


def hybrid_batch(seed: int) -> tuple[list, list, list | None]:
    """``detr_batch`` with the one-to-many matcher's indices: per image twice its boxes matched,
    into its targets repeated twice."""
    args, kinds, labels = detr_batch(seed)
    g = _gen(seed + 3955)
    args[2] = [(torch.randperm(Q, generator=g)[:K_O2M * len(t["boxes"])], torch.arange(K_O2M * len(t["boxes"])))
               for t in args[1]]
    return args, kinds, labels


def h_detr_one_to_many(outputs, targets, indices, num_boxes):
    """H-DETR's one-to-many branch: each image's targets ``repeat``-ed K times and matched to K
    times as many queries; the L1 and GIoU of the matched boxes over ``num_boxes · K``; the
    classification CE over every query (no-object class 5 elsewhere) of the batch, mean."""
    idx = _matched(indices)
    src = outputs["pred_boxes"][idx]
    tgt = torch.cat([t["boxes"].repeat(K_O2M, 1)[j] for t, (_, j) in zip(targets, indices)])
    labels = torch.cat([t["labels"].repeat(K_O2M)[j] for t, (_, j) in zip(targets, indices)])
    classes = torch.full(outputs["pred_logits"].shape[:2], C - 1, dtype=torch.long)
    classes[idx] = labels
    ce = F.cross_entropy(outputs["pred_logits"].transpose(1, 2), classes)
    n = num_boxes * K_O2M
    return {"loss_ce_o2m": ce, "loss_bbox_o2m": F.l1_loss(src, tgt, reduction="sum") / n,
            "loss_giou_o2m": (1 - _giou(_corners(src), _corners(tgt))).sum() / n}


HM = 8  # mask side


def sam_batch(seed: int) -> tuple[list, list, list | None]:
    """SAM 2's three mask logits [B, 3, 8, 8] per prompted object (one per image), its IoU
    predictions [B, 3] and object score [B]; per image the object's mask and ``loss_weight``; the
    number of objects passed in."""
    g = _gen(seed + 3960)
    b = len(WEIGHTS[seed])
    targets = []
    for i, w in enumerate(WEIGHTS[seed]):
        mask = torch.zeros(HM, HM)
        mask[1 + i % 3:5 + i % 2, 2:6 - (i + seed) % 2] = 1.0
        targets.append({"mask": mask, "loss_weight": w})
    out = {"masks": _leaf(b, 3, HM, HM, g=g, scale=2.0), "iou": _leaf(b, 3, g=g), "obj": _leaf(b, g=g)}
    return [out, targets, float(b)], [ROWS, TARGETS, Share([1.0] * b)], None


def sam2_multimask_iou_head(outputs, targets, num_objects, alpha=0.25, gamma=2.0):
    """SAM 2's ``MultiStepMultiMasksAndIous``: per mask the sigmoid focal loss and the Dice loss
    over its pixels (each a mean / ratio per mask), the mask of lowest ``20 · focal + dice``
    (``argmin``, gathered) trained, summed over ``num_objects``; the IoU head's L1 against each
    mask's actual IoU (detached), over all three masks; the object score's BCE (the object is
    present in every image)."""
    gt = torch.stack([t["mask"] for t in targets])[:, None].expand_as(outputs["masks"])
    x = outputs["masks"].flatten(2)
    y = gt.flatten(2)
    p = x.sigmoid()
    ce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    focal = ((alpha * y + (1 - alpha) * (1 - y)) * ce * (1 - p_t) ** gamma).mean(-1)  # [B, 3]
    dice = 1 - (2 * (p * y).sum(-1) + 1) / (p.sum(-1) + y.sum(-1) + 1)
    best = (20 * focal + dice).argmin(1, keepdim=True)
    pred = x > 0
    inter = (pred & (y > 0)).sum(-1).float()
    union = (pred | (y > 0)).sum(-1).float()
    actual = inter / union.clamp(min=1.0)
    iou = F.l1_loss(outputs["iou"], actual, reduction="none").sum(1)
    obj = F.binary_cross_entropy_with_logits(outputs["obj"], torch.ones_like(outputs["obj"]), reduction="none")
    return {"loss_mask": focal.gather(1, best).sum() / num_objects, "loss_dice": dice.gather(1, best).sum() / num_objects,
            "loss_iou": iou.sum() / num_objects, "loss_obj": obj.sum() / num_objects}


POINTS = torch.rand(1, 12, 1, 2, generator=_gen(3965))  # 12 fixed sampling points in [0, 1]^2


def oneformer_batch(seed: int) -> tuple[list, list, list | None]:
    """OneFormer's task-conditioned queries pooled [B, 6], the mask logits [B, 10, 8, 8]; per image
    its text-query embedding [6], 1 to 3 masks, ``loss_weight`` and the matcher's indices; the
    number of masks passed in."""
    g = _gen(seed + 3966)
    b = len(WEIGHTS[seed])
    targets, indices = [], []
    for i, w in enumerate(WEIGHTS[seed]):
        n = 1 + (i + seed) % 3
        targets.append({"masks": (torch.rand(n, HM, HM, generator=g) > 0.5).float(), "text": torch.randn(6, generator=g),
                        "loss_weight": w})
        indices.append((torch.randperm(Q, generator=g)[:n], torch.arange(n)))
    out = {"queries": _leaf(b, 6, g=g), "pred_masks": _leaf(b, Q, HM, HM, g=g, scale=2.0)}
    counts = [len(t["masks"]) for t in targets]
    return [out, targets, indices, float(sum(counts))], [ROWS, TARGETS, PER_IMAGE, Share(counts)], None


def oneformer_contrast_and_point_masks(outputs, targets, indices, num_masks, tau=0.07):
    """OneFormer's query-text contrastive loss (symmetric InfoNCE over the batch: the images mix);
    Mask2Former's mask losses at sampled points (``grid_sample`` of the matched masks and of their
    targets at the points ``2p - 1``): the BCE's mean per mask and the Dice, each summed over
    ``num_masks``."""
    q = F.normalize(outputs["queries"], dim=-1)
    t = F.normalize(torch.stack([x["text"] for x in targets]), dim=-1)
    logits = q @ t.t() / tau
    arange = torch.arange(len(targets))
    contrast = (F.cross_entropy(logits, arange) + F.cross_entropy(logits.t(), arange)) / 2
    idx = _matched(indices)
    src = outputs["pred_masks"][idx][:, None]
    tgt = torch.cat([x["masks"][j] for x, (_, j) in zip(targets, indices)])[:, None]
    grid = (2 * POINTS - 1).expand(len(src), -1, -1, -1)
    ps = F.grid_sample(src, grid, align_corners=False).flatten(1)
    pt = F.grid_sample(tgt, grid, align_corners=False).flatten(1)
    bce = F.binary_cross_entropy_with_logits(ps, pt, reduction="none").mean(1)
    s = ps.sigmoid()
    dice = 1 - (2 * (s * pt).sum(1) + 1) / (s.sum(1) + pt.sum(1) + 1)
    return {"loss_contrast": contrast, "loss_mask": bce.sum() / num_masks, "loss_dice": dice.sum() / num_masks}


# -- depth and 3-D ----------------------------------------------------------------------------------------

def depth_batch(seed: int) -> tuple[list, list, list]:
    """A depth head's predictions [B, 8, 8], the ground truth (positive) and its valid map (a block
    invalid on odd ``i + seed``)."""
    g = _gen(seed + 3970)
    b = len(SOURCES[seed])
    valid = torch.ones(b, HM, HM, dtype=torch.bool)
    for i in range(b):
        if (i + seed) % 2:
            valid[i, :3, :4] = False
    gt = torch.rand(b, HM, HM, generator=g) * 5 + 1
    pred = (gt * 0.7 + 0.5 + torch.randn(b, HM, HM, generator=g) * 0.3).requires_grad_()
    return [pred, {"depth": gt, "valid": valid}], [Along(0), Along(0)], SOURCES[seed]


def depth_anything_affine_invariant(pred, batch):
    """Depth Anything's affine-invariant loss: per image the valid pixels (boolean indexing) shifted
    by their median and scaled by their mean absolute deviation, prediction and ground truth alike;
    the absolute differences of every image joined (``cat``), mean."""
    residuals = []
    for p, d, m in zip(pred, batch["depth"], batch["valid"]):
        p, d = p[m], d[m]
        tp, td = p.median(), d.median()
        p = (p - tp) / (p - tp).abs().mean()
        d = (d - td) / (d - td).abs().mean()
        residuals.append((p - d).abs())
    return {"loss_ssi": torch.cat(residuals).mean()}


def midas_trimmed_scale_shift(pred, batch, trim=0.2):
    """MiDaS' trimmed MAE: per image the least-squares scale and shift of the prediction to the
    ground truth over its valid pixels (the 2 × 2 normal equations in closed form, batched by masked
    sums: ``test_criteria_other``'s), the residuals' lowest 80 % per image (``sort``, a Python count
    of the image's valid pixels), their sum over twice the batch's valid pixels."""
    d = batch["depth"]
    aligned = _align_scale_shift(pred, d, batch["valid"].float())
    total, count = 0.0, 0
    for r, v in zip((aligned - d).abs(), batch["valid"]):
        r = r[v]
        keep = int(len(r) * (1 - trim))
        total = total + r.sort().values[:keep].sum()
        count += len(r)
    return {"loss_trimmed": total / (2 * count)}


def _gauss_window(size=5, sigma=1.5):
    x = torch.arange(size, dtype=torch.float32) - size // 2
    w = torch.exp(-x ** 2 / (2 * sigma ** 2))
    w = w / w.sum()
    return (w[:, None] * w[None])[None, None].expand(3, 1, size, size).contiguous()


WINDOW = _gauss_window()


def render_batch(seed: int) -> tuple[list, list, list]:
    """A splatting renderer's views [B, 3, 8, 8] and the captured images."""
    g = _gen(seed + 3975)
    b = len(SOURCES[seed])
    gt = torch.rand(b, 3, HM, HM, generator=g)
    render = (gt * 0.8 + 0.1 + torch.randn(b, 3, HM, HM, generator=g) * 0.05).requires_grad_()
    return [render, gt], [Along(0), Along(0)], SOURCES[seed]


def gaussian_splatting_l1_dssim(render, gt, lam=0.2, c1=0.01 ** 2, c2=0.03 ** 2):
    """3D Gaussian Splatting's photometric loss: ``(1 - λ) L1 + λ (1 - SSIM)``, the SSIM map of a
    Gaussian window (``conv2d`` with ``groups=3``, padding 2), every mean over the batch; the
    batch's PSNR ``-10 log10(mse)``."""
    mu1 = F.conv2d(render, WINDOW, padding=2, groups=3)
    mu2 = F.conv2d(gt, WINDOW, padding=2, groups=3)
    s11 = F.conv2d(render * render, WINDOW, padding=2, groups=3) - mu1 ** 2
    s22 = F.conv2d(gt * gt, WINDOW, padding=2, groups=3) - mu2 ** 2
    s12 = F.conv2d(render * gt, WINDOW, padding=2, groups=3) - mu1 * mu2
    ssim = ((2 * mu1 * mu2 + c1) * (2 * s12 + c2)) / ((mu1 ** 2 + mu2 ** 2 + c1) * (s11 + s22 + c2))
    l1 = (render - gt).abs().mean()
    psnr = -10 * torch.log10(((render - gt) ** 2).mean())
    return {"loss_photo": (1 - lam) * l1 + lam * (1 - ssim.mean()), "psnr": psnr}


S = 6  # samples per ray


def ray_batch(seed: int) -> tuple[list, list, list]:
    """A NeRF's coarse and fine colours [R, 3] of R rays (the rays are the examples, each of its
    image's source), the fine samples' weights [R, 6] (a softmax) and their interval midpoints and
    lengths; the pixels' colours."""
    g = _gen(seed + 3980)
    r = len(SOURCES[seed])
    mids = torch.sort(torch.rand(r, S, generator=g), 1).values
    out = {"coarse": _leaf(r, 3, g=g), "fine": _leaf(r, 3, g=g), "w_logits": _leaf(r, S, g=g)}
    batch = {"rgb": torch.rand(r, 3, generator=g), "mids": mids, "deltas": torch.rand(r, S, generator=g) * 0.2}
    return [out, batch], [Along(0), Along(0)], SOURCES[seed]


def nerf_rays_and_distortion(out, batch):
    """NeRF's ray loss, the coarse and the fine colours' MSE over the rays; the fine PSNR; mip-NeRF
    360's distortion loss per ray, ``Σ_ij w_i w_j |m_i - m_j| + Σ w_i² δ_i / 3``, mean."""
    mse_f = F.mse_loss(out["fine"], batch["rgb"])
    w = out["w_logits"].softmax(-1)
    m = batch["mids"]
    pair = (w[:, :, None] * w[:, None, :] * (m[:, :, None] - m[:, None, :]).abs()).sum((1, 2))
    dist = pair + (w ** 2 * batch["deltas"]).sum(1) / 3
    return {"loss_rgb": F.mse_loss(out["coarse"], batch["rgb"]) + mse_f, "psnr_fine": -10 * torch.log10(mse_f),
            "loss_distortion": dist.mean()}


def camera_batch(seed: int) -> tuple[list, list, list]:
    """A multi-view model's pose encodings [B, 2, 9] (two frames), depth [B, 8, 8] and its
    confidence logits; the ground truth and the valid map."""
    g = _gen(seed + 3985)
    args, kinds, labels = depth_batch(seed)
    b = len(SOURCES[seed])
    out = {"pose": _leaf(b, 2, 9, g=g), "depth": args[0], "conf": _leaf(b, HM, HM, g=g, scale=0.5)}
    args[1]["pose"] = torch.randn(b, 2, 9, generator=g)
    return [out, args[1]], kinds, labels


def vggt_camera_and_confident_depth(out, batch, alpha=0.2):
    """VGGT's camera loss, the Huber loss of the pose encodings, mean; its depth loss: the
    confidence ``1 + exp(c)``, ``conf · |d - gt| - α log conf`` at the valid pixels (boolean
    indexing), mean; the gradient term, the horizontal differences of the error where both pixels
    are valid, their sum over their count."""
    cam = F.huber_loss(out["pose"], batch["pose"], reduction="none", delta=1.0).mean()
    conf = 1 + out["conf"].exp()
    err = out["depth"] - batch["depth"]
    v = batch["valid"]
    reg = (conf * err.abs() - alpha * conf.log())[v].mean()
    both = (v[:, :, 1:] & v[:, :, :-1]).float()
    grad = ((err[:, :, 1:] - err[:, :, :-1]).abs() * both).sum() / both.sum()
    return {"loss_camera": cam, "loss_conf_depth": reg, "loss_grad": grad}


# -- restoration and generation -----------------------------------------------------------------------------

def latent_batch(seed: int) -> tuple[list, list, list]:
    """A denoiser's output [B, 3, 4, 4] (a velocity, or EDM's D(x; σ)), its learned log-variance per
    example [B], the clean latents, the noise, each example's time t in (0, 1) and σ."""
    g = _gen(seed + 3990)
    b = len(SOURCES[seed])
    batch = {"x1": torch.randn(b, 3, 4, 4, generator=g), "x0": torch.randn(b, 3, 4, 4, generator=g),
             "t": torch.rand(b, generator=g) * 0.9 + 0.05, "sigma": (torch.randn(b, generator=g) * 1.2 - 1.2).exp()}
    return [{"pred": _leaf(b, 3, 4, 4, g=g), "logvar": _leaf(b, g=g, scale=0.3)}, batch], [Along(0), Along(0)], SOURCES[seed]


def flow_matching_logit_normal(out, batch):
    """Rectified flow: the velocity target ``x1 - x0``, per example the MSE over its dims, mean;
    with SD3's logit-normal density of t as the weight, normalised by its mean over the batch
    (``w / w.mean()``: the batch's weighted mean ``Σ w l / Σ w``)."""
    mse = ((out["pred"] - (batch["x1"] - batch["x0"])) ** 2).mean((1, 2, 3))
    t = batch["t"]
    logit = torch.log(t / (1 - t))
    w = torch.exp(-logit ** 2 / 2) / (t * (1 - t) * math.sqrt(2 * math.pi))
    return {"loss_fm": mse.mean(), "loss_fm_lognorm": (mse * (w / w.mean())).mean()}


def edm2_uncertainty(out, batch, sigma_data=0.5):
    """EDM2's loss with learned uncertainty: ``λ(σ) / exp(u) · (D - y)^2 + u`` per element, λ(σ) =
    ``(σ² + σ_d²) / (σ σ_d)²``, u the per-example log-variance head, mean."""
    s = batch["sigma"]
    lam = (s ** 2 + sigma_data ** 2) / (s * sigma_data) ** 2
    u = out["logvar"].reshape(-1, 1, 1, 1)
    loss = (lam.reshape(-1, 1, 1, 1) / u.exp()) * (out["pred"] - batch["x1"]) ** 2 + u
    return {"loss_edm2": loss.mean()}


W1 = torch.randn(8, 3, 3, 3, generator=_gen(3991)) * 0.3
W2 = torch.randn(8, 8, 3, 3, generator=_gen(3992)) * 0.2


def _features(x):
    f1 = F.relu(F.conv2d(x, W1, padding=1))
    f2 = F.relu(F.conv2d(F.avg_pool2d(f1, 2), W2, padding=1))
    return f1, f2


def _gram(f):
    b, c, h, w = f.shape
    x = f.flatten(2)
    return torch.bmm(x, x.transpose(1, 2)) / (c * h * w)


def perceptual_gram_fft(render, gt):
    """A perceptual loss through a frozen random net (Ulyanov et al.'s random features: two convs,
    an average pool), L1 of both layers' features; the Gram-matrix style loss per image (``bmm``),
    MSE; the FFT loss, the L1 of the complex difference of ``rfft2`` (orthonormal), mean."""
    fp, fg = _features(render), _features(gt)
    perc = sum(F.l1_loss(a, b) for a, b in zip(fp, fg))
    style = sum(F.mse_loss(_gram(a), _gram(b)) for a, b in zip(fp, fg))
    diff = torch.fft.rfft2(render, norm="ortho") - torch.fft.rfft2(gt, norm="ortho")
    return {"loss_perceptual": perc, "loss_style": style, "loss_fft": diff.abs().mean()}


PROJ = torch.randn(D, 7, generator=_gen(3993)) * 0.4


def vf_batch(seed: int) -> tuple[list, list, list]:
    """A VAE's latent patches [B, 6, 5] and a frozen foundation model's features [B, 6, 7]."""
    g = _gen(seed + 3994)
    b = len(SOURCES[seed])
    return [_leaf(b, 6, D, g=g), torch.randn(b, 6, 7, generator=g)], [Along(0), Along(0)], SOURCES[seed]


def va_vae_vf_loss(z, feats, m1=0.5, m2=0.25):
    """VA-VAE's vision-foundation alignment: the latents projected, the marginal cosine loss
    ``relu(1 - m1 - cos)`` per patch, mean; the marginal distance-matrix loss, the patches' cosine
    similarity matrices within each image, ``relu(|Δ| - m2)``, mean."""
    proj = z @ PROJ
    mcos = F.relu(1 - m1 - F.cosine_similarity(proj, feats, dim=-1)).mean()
    zn, fn = F.normalize(proj, dim=-1), F.normalize(feats, dim=-1)
    mdms = F.relu((zn @ zn.transpose(1, 2) - fn @ fn.transpose(1, 2)).abs() - m2).mean()
    return {"loss_vf_cos": mcos, "loss_vf_dist": mdms}


def disperse_batch(seed: int) -> tuple[list, list, list]:
    """A diffusion model's prediction [B, 3, 4, 4], its intermediate representation [B, 6] and the
    target."""
    g = _gen(seed + 3995)
    b = len(SOURCES[seed])
    return [{"pred": _leaf(b, 3, 4, 4, g=g), "h": _leaf(b, 6, g=g)}, torch.randn(b, 3, 4, 4, generator=g)], \
        [Along(0), Along(0)], SOURCES[seed]


def diffusion_with_dispersive(out, target, tau=1.0):
    """The denoising MSE, mean; the dispersive loss (Wang and He, 2025), ``log mean exp(-‖h_i -
    h_j‖² / τ)`` over every pair of the batch (the examples mix)."""
    h = out["h"].flatten(1)
    d = torch.cdist(h, h) ** 2 / h.shape[1]
    return {"loss_diffusion": F.mse_loss(out["pred"], target), "loss_disperse": torch.log(torch.exp(-d / tau).mean())}


# -- contrastive -----------------------------------------------------------------------------------------

def pair_batch(seed: int) -> tuple[list, list, list]:
    """Image and text embeddings [B, 6], a captioner's logits [B, 8, 6] and the caption labels."""
    g = _gen(seed + 3996)
    b = len(SOURCES[seed])
    labels, _ = _padded_labels(b, T, V, seed, g)
    out = {"img": _leaf(b, 6, g=g), "txt": _leaf(b, 6, g=g), "caption": _leaf(b, T, V, g=g)}
    return [out, labels], [Along(0), Along(0)], SOURCES[seed]


def siglip_with_captioning(out, labels, t=10.0, bias=-10.0):
    """SigLIP's pairwise sigmoid loss, ``-logsigmoid(z_ij (t x_i·y_j + b))`` summed over every pair
    of the batch over its size (the examples mix); SigLIP 2's captioning decoder (LocCa), the token
    cross entropy."""
    x, y = F.normalize(out["img"], dim=-1), F.normalize(out["txt"], dim=-1)
    logits = x @ y.t() * t + bias
    z = 2 * torch.eye(len(x)) - 1
    sig = -F.logsigmoid(z * logits).sum() / len(x)
    cap = F.cross_entropy(out["caption"].reshape(-1, V), labels.reshape(-1), ignore_index=-100)
    return {"loss_siglip": sig, "loss_caption": cap}


QUEUE = F.normalize(torch.randn(16, 6, generator=_gen(3997)), dim=-1)  # the momentum encoder's queue
DENSE_QUEUE = F.normalize(torch.randn(16, 6, generator=_gen(3998)), dim=-1)


def dense_batch(seed: int) -> tuple[list, list, list]:
    """A query encoder's global [B, 6] and dense [B, 5, 6] projections of one view and its backbone
    features [B, 5, 4]; the momentum encoder's of the other view (no grad)."""
    g = _gen(seed + 3998)
    b = len(SOURCES[seed])
    out = {"q": _leaf(b, 6, g=g), "q_dense": _leaf(b, 5, 6, g=g), "f_q": torch.randn(b, 5, 4, generator=g)}
    key = {"k": torch.randn(b, 6, generator=g), "k_dense": torch.randn(b, 5, 6, generator=g),
           "f_k": torch.randn(b, 5, 4, generator=g)}
    return [out, key], [Along(0), Along(0)], SOURCES[seed]


def densecl_global_and_dense(out, key, tau=0.2):
    """DenseCL (Wang et al.): the global InfoNCE of each query against its key and the queue's
    negatives (module state, no image of the batch), CE at label 0, mean; the dense one, each query
    location's positive the key location of most similar backbone feature within the image pair
    (``bmm``, ``argmax``, ``gather``), against the dense queue, mean over every location."""
    q, k = F.normalize(out["q"], dim=-1), F.normalize(key["k"], dim=-1)
    logits = torch.cat([(q * k).sum(-1, keepdim=True), q @ QUEUE.t()], 1) / tau
    glob = F.cross_entropy(logits, torch.zeros(len(q), dtype=torch.long))
    fq, fk = F.normalize(out["f_q"], dim=-1), F.normalize(key["f_k"], dim=-1)
    match = torch.bmm(fq, fk.transpose(1, 2)).argmax(2)  # [B, 5]: each query location's key location
    qd, kd = F.normalize(out["q_dense"], dim=-1), F.normalize(key["k_dense"], dim=-1)
    pos = torch.gather(kd, 1, match[..., None].expand_as(kd))
    dense = torch.cat([(qd * pos).sum(-1, keepdim=True), qd @ DENSE_QUEUE.t()], -1) / tau
    dense_ce = F.cross_entropy(dense.flatten(0, 1), torch.zeros(dense.shape[0] * dense.shape[1], dtype=torch.long))
    return {"loss_global": glob, "loss_dense": dense_ce}


def views_batch(seed: int) -> tuple[list, list, list]:
    """Two views' projections z [B, 6] and predictions p [B, 6]."""
    g = _gen(seed + 3999)
    b = len(SOURCES[seed])
    return ([{"z1": _leaf(b, 6, g=g), "z2": _leaf(b, 6, g=g), "p1": _leaf(b, 6, g=g), "p2": _leaf(b, 6, g=g)}],
            [Along(0)], SOURCES[seed])


def simsiam_and_barlow(out, lam=0.005):
    """SimSiam's symmetric negative cosine of each prediction to the other view's projection
    (stop-gradient), means; Barlow Twins' cross-correlation of the views standardised over the
    batch (the examples mix)."""
    z1, z2, p1, p2 = out["z1"], out["z2"], out["p1"], out["p2"]
    simsiam = -(F.cosine_similarity(p1, z2.detach(), dim=-1).mean() + F.cosine_similarity(p2, z1.detach(), dim=-1).mean()) / 2
    n1 = (z1 - z1.mean(0)) / (z1.std(0, unbiased=False) + 1e-4)
    n2 = (z2 - z2.mean(0)) / (z2.std(0, unbiased=False) + 1e-4)
    c = n1.t() @ n2 / len(z1)
    on = (torch.diagonal(c) - 1).pow(2).sum()
    off = c.pow(2).sum() - torch.diagonal(c).pow(2).sum()
    return {"loss_simsiam": simsiam, "loss_barlow": on + lam * off}


CASES = {c.body.__name__: c for c in [
    Case(moe_balance_and_router_z, router_batch, keys("loss_aux"), mix_batches=_MIXED,
         why="MIXES: the per-expert product of two means over every sequence's tokens"),
    Case(label_smoothed_nll_per_sequence, token_batch),
    # a GAP at first contact on batch 1 (4): the last chunk of one row, no batch term of the sum over every
    # chunk, so the cut by position was seen partly held; split since session 31 (s39,
    # ``tests/test_rules_one_row_pieces.py``)
    Case(chunked_ce_and_mtp, mtp_batch),
    Case(bradley_terry_margin_centring, reward_batch),
    Case(simper_with_sft, preference_batch),
    Case(taid_and_sequence_reverse_kl, distill_batch),
    Case(stable_dino_position_supervised, detr_batch),
    Case(libra_balanced_l1_and_alpha_iou, detr_batch),
    Case(nwd_tiny_objects, detr_batch),
    Case(h_detr_one_to_many, hybrid_batch),
    Case(sam2_multimask_iou_head, sam_batch),
    # GAP on batch 3 since session 46 (s61): its one image's ``/ num_masks`` (1, passed in) is no longer read as
    # ``len(src)`` by value (a number counts as a length only where its provenance shows ``len``), and its
    # target fields disagree on the instances (1 mask, a 6-vector of text): declined, "ambiguous"
    Case(oneformer_contrast_and_point_masks, oneformer_batch, keys("loss_contrast"), mix_batches=_MIXED,
         gaps=keys("loss_mask@3", "loss_dice@3"),
         why="MIXES: every image's text query is a negative of every other image's; GAP on batch 3: an outside "
             "normaliser equal to a length by value only"),
    Case(depth_anything_affine_invariant, depth_batch),
    # a GAP at first contact on batches 0 and 1 (5): ``/ (2 * count)`` of the images' valid pixels added up
    # over a ``zip`` of locals; split since session 31 (s39, ``tests/test_rules_summed_sizes_multiple.py``)
    Case(midas_trimmed_scale_shift, depth_batch),
    Case(gaussian_splatting_l1_dssim, render_batch),
    Case(nerf_rays_and_distortion, ray_batch),
    Case(vggt_camera_and_confident_depth, camera_batch),
    Case(flow_matching_logit_normal, latent_batch),
    Case(edm2_uncertainty, latent_batch),
    Case(perceptual_gram_fft, render_batch),
    Case(va_vae_vf_loss, vf_batch),
    Case(diffusion_with_dispersive, disperse_batch, keys("loss_disperse"), mix_batches=_MIXED,
         why="MIXES: every pair of the batch's representations"),
    Case(siglip_with_captioning, pair_batch, keys("loss_siglip"), mix_batches=_MIXED,
         why="MIXES: every image is paired with every text of the batch"),
    Case(densecl_global_and_dense, dense_batch),
    Case(simsiam_and_barlow, views_batch, keys("loss_barlow"), mix_batches=_MIXED,
         why="MIXES: standardised over the batch"),
]}

FIRST = (375, 33, 9, 0)  # expected, declined, GAP, WRONG at first contact (main at 32a9c3d unchanged)
NOW = (375, 26, 2, 0)  # session 46: OneFormer's batch 3 (2 GAP, above); session 31 (s39): a last piece of one row (4), a literal times the summed sizes (5)
globals().update(survey_tests(CASES, range(len(WEIGHTS)), len(CASES), NOW))
