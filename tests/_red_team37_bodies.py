# ruff: noqa: E731 -- what this red team tries: realistic criteria written tersely
"""Red team of session 36 (helper rt37): adversarial but realistic criterion bodies against the TENSOR
op rules, where images mix (batch statistics, ops along dim 0 or along a flattened ``[B*N]`` dim,
products across images, gathers with indices computed from other images, reshapes that re-cut the
batch, batch-wide normalisers, in-place writes of batch-wide masks, low-precision dtypes) or where a
per-image rule could be mis-applied. Bodies named ``near_*`` are the per-image shape of the same
criterion: they must split exactly. Every other body must split exactly (the oracle recomputes
every batch statistic on the group alone) or decline naming the key.

``BODIES``: name -> (family, batch kind, body), measured by ``tests/_red_team28_measure.py`` on the
red-team-28 batches (2 to 5 images, groups of different sizes, a group absent, one batch of a
single group) or, kind ``"d"``, on the red-team-26 DETR-like batches; the tests are
``tests/test_red_team37.py``."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from _red_team26_bodies import CE, LAB, MATCHED, E, Y
from _red_team27_bodies import registrar

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)


def _d(o, t):
    return o["x"] - Y(t)  # [B, 3, 4]


def _key(t):
    return Y(t).flatten(1)[:, :6]  # [B, 6]: each image's positive for ``o["emb"]``


# === 1. batch statistics ===========================================================================


@body("stats")
def batch_norm_training_of_the_embeddings(o, t):
    z = F.batch_norm(o["emb"], None, None, training=True)
    return {"loss": (z - _key(t)).pow(2).mean()}


@body("stats")
def batch_norm_training_over_images_and_rows(o, t):
    z = F.batch_norm(o["x"].transpose(1, 2), None, None, training=True)  # [B, 4, 3]: stats over B and rows
    return {"loss": (z.transpose(1, 2) - Y(t)).abs().mean()}


@body("near")
def near_batch_norm_eval_with_constant_stats(o, t):
    mean, var = torch.full((6,), 0.1), torch.full((6,), 2.0)
    z = F.batch_norm(o["emb"], mean, var, training=False)
    return {"loss": (z - _key(t)).pow(2).mean()}


@body("stats")
def layer_norm_over_the_flattened_batch(o, t):
    d = _d(o, t).abs().flatten()
    return {"loss": F.layer_norm(d, d.shape).relu().mean()}


@body("near")
def near_layer_norm_over_each_image(o, t):
    d = _d(o, t).abs()
    return {"loss": F.layer_norm(d, d.shape[1:]).relu().mean()}


@body("near")
def near_instance_norm_of_each_image(o, t):
    return {"loss": (F.instance_norm(o["x"]) - F.instance_norm(Y(t))).abs().mean()}


@body("stats")
def group_norm_with_the_batch_folded_into_channels(o, t):
    d = _d(o, t)
    z = F.group_norm(d.reshape(1, -1, 4), 1)
    return {"loss": z.relu().mean()}


@body("near")
def near_group_norm_of_each_image(o, t):
    return {"loss": F.group_norm(_d(o, t), 1).relu().mean()}


@body("stats")
def standardized_over_the_batch(o, t):
    e = E(o, t)
    z = (e - e.mean(0)) / (e.std(0) + 1e-3)
    return {"loss": F.softplus(z).mean()}


@body("stats")
def var_mean_over_images_vicreg_variance(o, t):
    v, _ = torch.var_mean(o["emb"], 0)
    return {"loss": F.relu(1 - (v + 1e-4).sqrt()).mean() + (o["emb"] - _key(t)).pow(2).mean()}


@body("stats")
def covariance_off_diagonal_vicreg(o, t):
    z = o["emb"] - o["emb"].mean(0)
    c = z.T @ z / (z.shape[0] - 1 + 1e-3)
    off = c - torch.diag(torch.diagonal(c))
    return {"loss": off.pow(2).sum() / 6}


@body("stats")
def barlow_twins_cross_correlation(o, t):
    a, b = o["emb"], _key(t)
    a = (a - a.mean(0)) / (a.std(0) + 1e-3)
    b = (b - b.mean(0)) / (b.std(0) + 1e-3)
    c = a.T @ b / a.shape[0]
    return {"loss": (torch.diagonal(c) - 1).pow(2).sum()}


@body("stats")
def corrcoef_of_predictions_and_targets(o, t):
    e, g = o["x"].mean((1, 2)), Y(t).mean((1, 2))
    return {"loss": 1 - torch.corrcoef(torch.stack([e, g]))[0, 1]}


@body("stats")
def silog_over_the_batch(o, t):
    d = torch.log(o["x"] + 0.5) - torch.log(Y(t) + 0.5)
    return {"loss": (d.pow(2).mean() - 0.85 * d.mean().pow(2)).clamp(min=1e-6).sqrt()}


@body("near")
def near_silog_of_each_image_then_mean(o, t):
    d = torch.log(o["x"] + 0.5) - torch.log(Y(t) + 0.5)
    per = (d.pow(2).mean((1, 2)) - 0.85 * d.mean((1, 2)).pow(2)).clamp(min=1e-6).sqrt()
    return {"loss": per.mean()}


@body("stats")
def normalize_along_the_images(o, t):
    return {"loss": (F.normalize(o["emb"], dim=0) - F.normalize(_key(t), dim=0)).pow(2).sum()}


@body("near")
def near_renorm_of_each_image(o, t):
    return {"loss": (o["emb"].renorm(2, 0, 1.0) - _key(t)).pow(2).mean()}


# === 2. ops along the images or a flattened batch ===================================================


@body("dim0")
def logcumsumexp_over_images(o, t):
    return {"loss": torch.logcumsumexp(E(o, t), 0).mean()}


@body("dim0")
def diff_between_consecutive_images(o, t):
    e = E(o, t)
    return {"loss": e.mean() + torch.diff(e).abs().mean()}


@body("dim0")
def trapezoid_over_images(o, t):
    return {"loss": torch.trapezoid(E(o, t))}


@body("dim0")
def softmax_over_flattened_rows(o, t):
    ce = CE(o, t).flatten()
    return {"loss": (F.softmax(ce.detach(), 0) * ce).sum()}


@body("dim0")
def ohem_topk_of_flattened_rows(o, t):
    ce = CE(o, t).flatten()
    return {"loss": ce.topk(4).values.mean()}


@body("dim0")
def ohem_threshold_by_kthvalue_of_the_batch(o, t):
    ce = CE(o, t).flatten()
    thr = ce.detach().kthvalue(4).values
    keep = ce >= thr
    return {"loss": (ce * keep).sum() / keep.sum()}


@body("dim0")
def ohem_above_the_batch_mean(o, t):
    ce = CE(o, t)
    keep = ce.detach() > ce.detach().mean()
    return {"loss": ce[keep].mean()}


@body("near")
def near_ohem_above_each_images_mean(o, t):
    ce = CE(o, t)
    keep = ce.detach() > ce.detach().mean(1, keepdim=True)
    return {"loss": (ce * keep).sum() / keep.sum()}


@body("dim0")
def lovasz_like_sorted_errors_over_the_batch(o, t):
    err = (1 - o["x"] * Y(t)).flatten()
    s, perm = err.sort(descending=True)
    gt = (Y(t).flatten() > 0.5).float()[perm]
    grad = gt.cumsum(0) / (1 + torch.arange(len(gt)))
    return {"loss": (F.relu(s) * grad).sum()}


@body("near")
def near_lovasz_like_per_image(o, t):
    err = (1 - o["x"] * Y(t)).flatten(1)
    s, perm = err.sort(1, descending=True)
    gt = (Y(t).flatten(1) > 0.5).float().gather(1, perm)
    grad = gt.cumsum(1) / (1 + torch.arange(gt.shape[1]))
    return {"loss": (F.relu(s) * grad).sum(1).mean()}


@body("dim0")
def effective_number_class_weights(o, t):
    y = LAB(t).flatten()
    n = torch.bincount(y, minlength=5).float()
    w = (1 - 0.9) / (1 - 0.9 ** n)
    w = w / w.sum() * 5
    return {"loss": F.cross_entropy(o["logits"].reshape(-1, 5), y, weight=w)}


@body("dim0")
def focal_alpha_from_the_batch_frequency(o, t):
    y = LAB(t)
    freq = F.one_hot(y, 5).flatten(0, 1).float().mean(0)
    ce = CE(o, t)
    return {"loss": ((1 - freq[y]) * (1 - torch.exp(-ce)).pow(2) * ce).mean()}


@body("dim0")
def ghm_weights_from_a_histogram_of_the_batch(o, t):
    p = o["logits"].softmax(-1)
    g = (1 - p.gather(-1, LAB(t)[..., None]).squeeze(-1)).detach()
    h = torch.histc(g, bins=4, min=0, max=1)
    idx = (g * 4).long().clamp(max=3)
    return {"loss": (CE(o, t) / h[idx]).sum() / (h > 0).sum()}


@body("dim0")
def kl_div_batchmean(o, t):
    lp = o["logits"].reshape(-1, 5).log_softmax(-1)
    q = F.one_hot(LAB(t).flatten(), 5).float() * 0.9 + 0.02
    return {"loss": F.kl_div(lp, q, reduction="batchmean")}


@body("dim0")
def kl_div_batchmean_of_each_images_rows(o, t):
    lp = o["logits"].log_softmax(-1)
    q = F.one_hot(LAB(t), 5).float() * 0.9 + 0.02
    return {"loss": F.kl_div(lp, q, reduction="batchmean")}


# === 3. products across images ======================================================================


@body("cross")
def infonce_in_batch_negatives(o, t):
    a, b = F.normalize(o["emb"], dim=1), F.normalize(_key(t), dim=1)
    logits = a @ b.T / 0.1
    return {"loss": F.cross_entropy(logits, torch.arange(len(a)))}


@body("cross")
def clip_symmetric(o, t):
    a, b = F.normalize(o["emb"], dim=1), F.normalize(_key(t), dim=1)
    logits = a @ b.T / 0.1
    target = torch.arange(logits.shape[0])
    return {"loss": (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2}


@body("cross")
def supcon_same_label_positives(o, t):
    z = F.normalize(o["emb"], dim=1)
    y = LAB(t)[:, 0]
    sim = z @ z.T / 0.2
    eye = torch.eye(len(z), dtype=torch.bool)
    pos = (y[:, None] == y[None, :]) & ~eye
    logp = sim - sim.masked_fill(eye, float("-inf")).logsumexp(1, keepdim=True)
    return {"loss": -(logp * pos).sum(1).div(pos.sum(1).clamp(min=1)).mean()}


@body("cross")
def batch_hard_triplet(o, t):
    dist = torch.cdist(o["emb"], _key(t))
    pos = dist.diagonal()
    neg = (dist + torch.eye(len(dist)) * 1e3).min(1).values
    return {"loss": F.relu(pos - neg + 0.5).mean()}


@body("near")
def near_diagonal_of_the_gram(o, t):
    return {"loss": torch.diag(o["emb"] @ _key(t).T).sigmoid().mean()}


@body("near")
def near_einsum_rowwise_dot(o, t):
    return {"loss": torch.einsum("bi,bi->b", o["emb"], _key(t)).sigmoid().mean()}


@body("cross")
def einsum_all_pairs_of_images(o, t):
    return {"loss": torch.einsum("bi,ci->bc", o["emb"], _key(t)).sigmoid().mean()}


@body("cross")
def matmul_of_the_batch_folded_rows(o, t):
    d = _d(o, t).reshape(-1, 4)
    return {"loss": (d @ d.T).abs().mean()}


@body("near")
def near_bmm_within_each_image(o, t):
    d = _d(o, t)
    return {"loss": torch.bmm(d, d.transpose(1, 2)).abs().mean()}


@body("cross")
def cosine_similarity_to_the_rolled_batch(o, t):
    return {"loss": 1 - F.cosine_similarity(o["emb"], _key(t).roll(1, 0)).mean()}


@body("cross")
def pairwise_distance_to_the_flipped_batch(o, t):
    return {"loss": F.pairwise_distance(o["emb"], o["emb"].flip(0)).mean()}


@body("cross")
def margin_ranking_against_the_flipped_batch(o, t):
    e = E(o, t)
    return {"loss": F.margin_ranking_loss(e, e.flip(0), torch.ones_like(e), margin=0.1)}


@body("cross")
def cosine_embedding_with_the_rolled_targets_as_negatives(o, t):
    k = _key(t)
    a = torch.cat([o["emb"], o["emb"]])
    b = torch.cat([k, k.roll(1, 0)])
    y = torch.cat([torch.ones(len(k)), -torch.ones(len(k))])
    return {"loss": F.cosine_embedding_loss(a, b, y)}


@body("cross")
def mixup_with_the_flipped_batch(o, t):
    lam = 0.7
    y = lam * Y(t) + (1 - lam) * Y(t).flip(0)
    return {"loss": (o["x"] - y).abs().mean()}


@body("cross")
def center_loss_with_a_class_table_of_the_batch(o, t):
    f = o["x"].reshape(-1, 4)
    y = LAB(t).flatten()
    sums = torch.zeros(5, 4).index_add(0, y, f.detach())
    cnt = torch.zeros(5).scatter_add(0, y, torch.ones(len(y)))
    centers = sums / cnt.clamp(min=1)[:, None]
    return {"loss": (f - centers[y]).pow(2).sum(1).mean()}


@body("near")
def near_center_loss_with_constant_centers(o, t):
    f = o["x"].reshape(-1, 4)
    centers = torch.linspace(0, 1, 20).reshape(5, 4)
    return {"loss": (f - centers[LAB(t).flatten()]).pow(2).sum(1).mean()}


# === 4. gathers and scatters with indices of other images ===========================================


@body("gather")
def index_select_of_the_hardest_images(o, t):
    e = E(o, t)
    hard = e.detach().argsort(descending=True)[:1]
    return {"loss": e.mean() + e.index_select(0, hard).sum()}


@body("gather")
def take_along_dim_of_the_batch_argmax(o, t):
    ce = CE(o, t)
    return {"loss": torch.take_along_dim(ce.flatten(), ce.detach().flatten().argmax()[None]).sum()}


@body("gather")
def take_of_flat_indices_of_the_batch_topk(o, t):
    ce = CE(o, t)
    return {"loss": torch.take(ce, ce.detach().flatten().topk(2).indices).mean()}


@body("gather")
def labels_of_the_rolled_images(o, t):
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), LAB(t).roll(1, 0))}


@body("gather")
def scatter_add_of_class_losses_then_per_row(o, t):
    ce, y = CE(o, t).flatten(), LAB(t).flatten()
    table = torch.zeros(5).scatter_add(0, y, ce.detach())
    return {"loss": (ce * table[y]).mean()}


@body("near")
def near_gather_of_each_images_own_argmax(o, t):
    ce = CE(o, t)
    return {"loss": ce.gather(1, ce.detach().argmax(1, keepdim=True)).mean()}


@body("gather", "d")
def hungarian_like_cost_across_the_batch(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    cost = torch.cdist(src, tgt, p=1)
    j = cost.detach().argmin(1)
    return {"loss": (src - tgt[j]).abs().sum() / num_boxes}


@body("near", "d")
def near_matched_l1_over_num_boxes(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss": F.l1_loss(src, tgt, reduction="none").sum() / num_boxes}


@body("gather", "d")
def matched_rows_ohem_topk(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    per = (src - tgt).abs().sum(1)
    return {"loss": per.topk(2).values.sum() / num_boxes}


@body("gather", "d")
def matched_rows_hardest_other_match(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    dist = torch.cdist(src, tgt)
    neg = (dist + torch.eye(len(dist)) * 1e3).min(1).values
    return {"loss": F.relu(dist.diagonal() - neg + 0.2).sum() / num_boxes}


# === 5. reshapes that re-cut the batch ==============================================================


@body("reshape")
def transpose_then_reshape_to_images(o, t):
    d = _d(o, t).transpose(0, 1).reshape(len(t), -1)  # row b holds rows of several images
    return {"loss": d.abs().amax(1).mean()}


@body("near")
def near_view_flat_then_back_to_images(o, t):
    d = _d(o, t).view(-1).view(len(t), -1)
    return {"loss": d.abs().amax(1).mean()}


@body("near")
def near_view_flat_then_rows_inside_images(o, t):
    d = _d(o, t).reshape(-1).view(-1, 6)  # 12 values per image: 2 rows of 6 each
    return {"loss": d.abs().amax(1).mean()}


@body("reshape")
def view_flat_then_three_rows_across_images(o, t):
    d = _d(o, t).reshape(3, -1)
    return {"loss": d.abs().amax(1).mean()}


@body("reshape")
def unfold_windows_of_three_flat_values(o, t):
    d = _d(o, t).abs().flatten()
    return {"loss": d.unfold(0, 3, 2).amax(1).mean()}


@body("reshape")
def pad_along_the_images_then_difference(o, t):
    e = F.pad(E(o, t), (1, 0))
    return {"loss": (e[1:] - e[:-1]).abs().mean()}


@body("reshape")
def roll_of_the_flattened_rows(o, t):
    ce = CE(o, t).flatten()
    return {"loss": (ce - ce.roll(1)).abs().mean() + ce.mean()}


@body("reshape")
def lm_shift_across_the_flattened_batch(o, t):
    logits, labels = o["logits"].reshape(-1, 5), LAB(t).reshape(-1)
    return {"loss": F.cross_entropy(logits[:-1], labels[1:])}


@body("near")
def near_lm_shift_within_each_sequence(o, t):
    logits, labels = o["logits"][:, :-1], LAB(t)[:, 1:]
    return {"loss": F.cross_entropy(logits.reshape(-1, 5), labels.reshape(-1))}


@body("near")
def near_pixel_shuffle_of_the_batch_folded_values(o, t):
    d = _d(o, t).reshape(1, -1, 1, 1)  # 12 channels per image: groups of 4 stay in one image
    return {"loss": F.pixel_shuffle(d, 2).abs().amax((2, 3)).mean()}


@body("reshape")
def pixel_unshuffle_of_the_batch_as_a_height(o, t):
    d = _d(o, t).abs().mean(2)  # [B, 3]
    z = F.pad(d, (0, 1)).reshape(1, 1, -1, 2)  # height 2B (even): pairs of rows of 2 images
    return {"loss": F.pixel_unshuffle(z, 2).amax(1).mean()}


@body("reshape")
def interpolate_over_the_images(o, t):
    e = E(o, t).view(1, 1, -1)
    return {"loss": F.interpolate(e, size=7, mode="linear", align_corners=True).mean()}


@body("near")
def near_interpolate_within_each_image(o, t):
    return {"loss": F.interpolate(_d(o, t).abs(), size=7, mode="linear", align_corners=True).mean()}


@body("reshape")
def conv1d_over_the_images(o, t):
    e = E(o, t).view(1, 1, -1)
    return {"loss": F.conv1d(e, torch.tensor([[[0.25, 0.5, 0.25]]]), padding=1).mean()}


@body("reshape")
def conv1d_with_the_images_as_channels(o, t):
    d = _d(o, t).abs().mean(2)[None]  # [1, B, 3]
    w = torch.full((1, len(t), 2), 0.5)
    return {"loss": F.conv1d(d, w).mean()}


@body("reshape")
def max_pool_over_the_images(o, t):
    e = E(o, t).view(1, 1, -1)
    return {"loss": F.max_pool1d(e, 2, 1).mean()}


@body("near")
def near_avg_pool_within_each_image(o, t):
    return {"loss": F.avg_pool1d(_d(o, t).abs(), 2).mean()}


# === 6. normalisers of the batch ====================================================================


@body("near")
def near_mask_over_the_batch_as_the_divisor(o, t):
    ce, m = CE(o, t), (LAB(t) > 1).float()
    return {"loss": (ce * m).sum() / m.sum()}


@body("near")
def near_clamped_count_of_the_batch(o, t):
    ce, m = CE(o, t), LAB(t) > 1
    return {"loss": (ce * m).sum() / m.sum().clamp(min=1)}


@body("near")
def near_where_the_count_is_positive(o, t):
    ce, m = CE(o, t), LAB(t) > 2
    n = m.sum()
    return {"loss": torch.where(n > 0, (ce * m).sum() / n, torch.zeros(()))}


@body("near")
def near_nan_to_num_of_the_masked_mean(o, t):
    ce, m = CE(o, t), LAB(t) > 2
    return {"loss": ((ce * m).sum() / m.sum()).nan_to_num(0.0)}


@body("near")
def near_mean_of_per_image_masked_means(o, t):
    ce, m = CE(o, t), (LAB(t) > 0).float()
    per = (ce * m).sum(1) / m.sum(1).clamp(min=1)
    return {"loss": per.mean()}


@body("norm")
def weights_normalised_over_the_batch(o, t):
    e = E(o, t)
    w = e.detach() ** 2
    return {"loss": (w / w.sum() * e).sum()}


@body("norm")
def divided_by_the_batch_max(o, t):
    e = E(o, t)
    return {"loss": (e / e.detach().max()).mean()}


@body("norm")
def no_grad_batch_scale(o, t):
    e = E(o, t)
    with torch.no_grad():
        scale = e.mean() + e.std()
    return {"loss": (e / scale).mean()}


@body("norm")
def dice_over_the_batch(o, t):
    p, g = o["x"].sigmoid(), (Y(t) > 0.5).float()
    return {"loss": 1 - 2 * (p * g).sum() / (p.sum() + g.sum() + 1)}


@body("near")
def near_dice_of_each_image(o, t):
    p, g = o["x"].sigmoid(), (Y(t) > 0.5).float()
    return {"loss": (1 - 2 * (p * g).sum((1, 2)) / (p.sum((1, 2)) + g.sum((1, 2)) + 1)).mean()}


@body("norm")
def pose_target_weight_over_the_batch_visible(o, t):
    vis = (LAB(t) > 0).float()[..., None]  # [B, 3, 1]: a keypoint's visibility
    d = (o["x"] - Y(t)).pow(2) * vis
    return {"loss": d.sum() / (vis.sum() * 4)}


@body("norm")
def per_image_mean_over_the_batch_count_of_rows_with_labels(o, t):
    ce = CE(o, t)
    n = (LAB(t) > 0).sum()
    return {"loss": ce.sum(1).sum() / n.clamp(min=1)}


# === 7. in-place writes and views ===================================================================


@body("inplace")
def index_put_zero_below_the_batch_mean(o, t):
    e = E(o, t).clone()
    e[e.detach() < e.detach().mean()] = 0
    return {"loss": e.sum() / len(t)}


@body("inplace")
def masked_fill_of_a_flat_view_above_the_batch_median(o, t):
    ce = CE(o, t).clone()
    v = ce.view(-1)
    v.masked_fill_(v.detach() > v.detach().median(), 0.0)
    return {"loss": ce.mean()}


@body("inplace")
def data_divided_by_the_batch_sum(o, t):
    w = E(o, t).detach().clone()
    w.data.div_(w.data.sum())
    return {"loss": (w * E(o, t)).sum()}


@body("inplace")
def detached_batch_mean_subtracted(o, t):
    e = E(o, t)
    return {"loss": (e - e.detach().mean()).pow(2).mean()}


@body("near")
def near_index_put_zero_of_own_labels(o, t):
    ce = CE(o, t).clone()
    ce[LAB(t) == 0] = 0
    return {"loss": ce.mean()}


@body("near")
def near_masked_fill_of_a_view_by_own_rows(o, t):
    ce = CE(o, t).clone()
    ce.view(-1).masked_fill_(LAB(t).view(-1) == 1, 0.0)
    return {"loss": ce.mean()}


@body("inplace")
def copy_of_the_batch_mean_into_each_row(o, t):
    d = _d(o, t).abs().clone()
    d[:, 0].copy_(d[:, 0].mean(0).detach().expand_as(d[:, 0]))
    return {"loss": d.mean()}


@body("inplace")
def running_buffer_of_the_batch_in_place(o, t):
    e = E(o, t)
    acc = torch.zeros(())
    acc.add_(e.detach().mean())
    return {"loss": (e * acc).mean()}


# === 8. dtypes and autocast =========================================================================


@body("autocast")
def bf16_batch_centred(o, t):
    e = E(o, t).bfloat16()
    return {"loss": (e - e.mean()).pow(2).float().mean()}


@body("autocast")
def near_bf16_mean_of_each_row(o, t):
    return {"loss": CE(o, t).bfloat16().mean().float()}


@body("autocast")
def near_half_sum_over_the_count(o, t):
    ce = CE(o, t).half()
    return {"loss": ce.sum().float() / ce.numel()}


@body("autocast")
def autocast_gram_of_the_batch(o, t):
    with torch.autocast("cpu", dtype=torch.bfloat16):
        s = o["emb"] @ _key(t).T
    return {"loss": F.cross_entropy(s.float(), torch.arange(len(s)))}


@body("autocast")
def near_autocast_bmm_within_each_image(o, t):
    with torch.autocast("cpu", dtype=torch.bfloat16):
        s = torch.bmm(o["x"], Y(t).transpose(1, 2))
    return {"loss": s.float().diagonal(dim1=1, dim2=2).mean()}


@body("autocast")
def half_softmax_over_images(o, t):
    e = E(o, t).half()
    return {"loss": (e.softmax(0) * e).sum().float()}


def _sim(o, t):
    return F.normalize(o["emb"], dim=1) @ F.normalize(_key(t), dim=1).T


# === 9. dims spelt otherwise: negative, implicit, empty, after a view ===============================


@body("dims")
def softmax_of_a_vector_by_dim_minus_one(o, t):
    e = E(o, t)
    return {"loss": (e.softmax(-1) * e).sum()}


@body("dims")
def cumsum_of_a_vector_by_dim_minus_one(o, t):
    return {"loss": E(o, t).cumsum(-1).mean()}


@body("dims")
def implicit_dim_log_softmax_of_3d_logits(o, t):
    lp = F.log_softmax(o["logits"])  # implicit dim: 0 for a 3-d input
    return {"loss": -lp.gather(2, LAB(t)[..., None]).mean()}


@body("dims")
def implicit_dim_softmax_of_a_vector(o, t):
    e = E(o, t)
    return {"loss": (F.softmax(e) * e).sum()}


@body("dims")
def softmin_of_3d_by_dim_minus_three(o, t):
    d = _d(o, t).abs()
    return {"loss": (F.softmin(d, dim=-3) * d).sum() / d[0].numel()}


@body("dims")
def softmax_after_a_view_moving_the_images_last(o, t):
    e = E(o, t).view(1, -1)
    return {"loss": (e.softmax(-1) * e).sum()}


@body("dims")
def logsumexp_after_unsqueeze(o, t):
    return {"loss": E(o, t).unsqueeze(0).logsumexp(1).sum()}


@body("dims")
def softmax_of_rows_stacked_along_dim_one(o, t):
    ce = CE(o, t)
    s = torch.stack([ce[i] for i in range(len(t))], 1)  # [3, B]
    return {"loss": (s.softmax(1) * s).sum()}


@body("near")
def near_softmax_of_rows_stacked_along_dim_zero_of_the_stack(o, t):
    ce = CE(o, t)
    s = torch.stack([ce[i] for i in range(len(t))], 1)  # [3, B]
    return {"loss": (s.softmax(0) * s).sum() / len(t)}


@body("dims")
def softmax_of_the_transposed_by_dim_one(o, t):
    ce = CE(o, t)
    return {"loss": (ce.T.softmax(1) * ce.T).sum()}


@body("dims")
def sum_with_empty_dims_then_centred(o, t):
    e = E(o, t)
    return {"loss": (e - e.mean(dim=[])).pow(2).sum()}


@body("dims")
def amax_with_empty_dims(o, t):
    e = E(o, t)
    return {"loss": e.amax(dim=()) + e.mean()}


@body("dims")
def cross_entropy_with_the_images_as_classes(o, t):
    e = E(o, t).view(1, -1)
    return {"loss": F.cross_entropy(-e, torch.zeros(1, dtype=torch.long))}


@body("dims")
def cross_entropy_with_images_as_the_spatial_dim(o, t):
    lg = o["logits"][:, 0].T[None]  # [1, 5, B]
    return {"loss": F.cross_entropy(lg, LAB(t)[:, 0][None])}


@body("dims")
def stack_then_softmax_over_two_terms(o, t):
    e = E(o, t)
    s = torch.stack([e, 2 * e.detach()])
    return {"loss": (s.softmax(0)[0] * e).mean()}


@body("dims")
def expand_then_softmax_along_the_images(o, t):
    e = E(o, t)
    return {"loss": e.expand(3, -1).softmax(1).mul(e).sum() / 3}


@body("dims")
def repeat_then_view_then_max(o, t):
    e = E(o, t)
    return {"loss": e.repeat(2).view(2, -1).amax(1).mean()}


@body("dims")
def atleast_2d_then_logsumexp(o, t):
    return {"loss": torch.atleast_2d(E(o, t)).logsumexp(-1).sum()}


@body("dims")
def reshape_to_a_column_then_softmax_dim0(o, t):
    e = E(o, t).reshape(-1, 1)
    return {"loss": (e.softmax(0) * e).sum()}


# === 10. diagonals and pair picks of a [B, B] table, rows of other images ============================


@body("diag")
def diagonal_offset_one(o, t):
    return {"loss": 1 - torch.diagonal(_sim(o, t), 1).mean()}


@body("diag")
def diag_minus_one(o, t):
    return {"loss": 1 - _sim(o, t).diag(-1).mean()}


@body("near")
def near_diagonal_with_dims_swapped(o, t):
    return {"loss": 1 - torch.diagonal(_sim(o, t), 0, 1, 0).mean()}


@body("near")
def near_trace_over_the_count(o, t):
    s = _sim(o, t)
    return {"loss": 1 - s.trace() / len(s)}


@body("near")
def near_fancy_index_diagonal(o, t):
    s, r = _sim(o, t), torch.arange(len(t))
    return {"loss": 1 - s[r, r].mean()}


@body("diag")
def fancy_index_next_image(o, t):
    s, r = _sim(o, t), torch.arange(len(t))
    return {"loss": s[r, (r + 1) % len(t)].mean()}


@body("near")
def near_gather_own_column(o, t):
    s = _sim(o, t)
    return {"loss": 1 - s.gather(1, torch.arange(len(t))[:, None]).mean()}


@body("diag")
def gather_next_column(o, t):
    s = _sim(o, t)
    return {"loss": s.gather(1, (torch.arange(len(t))[:, None] + 1) % len(t)).mean()}


@body("near")
def near_eye_masked_row_sum(o, t):
    s = _sim(o, t)
    return {"loss": 1 - (s * torch.eye(len(s))).sum(1).mean()}


@body("diag")
def eye_rolled_mask_row_sum(o, t):
    s = _sim(o, t)
    return {"loss": (s * torch.eye(len(s)).roll(1, 1)).sum(1).mean()}


@body("diag")
def eye_flipped_mask_row_sum(o, t):
    s = _sim(o, t)
    return {"loss": (s * torch.eye(len(s)).flip(0)).sum(1).mean()}


@body("near")
def near_masked_select_of_the_eye(o, t):
    s = _sim(o, t)
    return {"loss": 1 - s.masked_select(torch.eye(len(s), dtype=torch.bool)).mean()}


@body("near")
def near_one_hot_arange_mask(o, t):
    s = _sim(o, t)
    return {"loss": 1 - (s * F.one_hot(torch.arange(len(s)), len(s))).sum() / len(s)}


@body("diag")
def row_margin_against_own_diagonal(o, t):
    s = _sim(o, t)
    return {"loss": F.relu(s - s.diag()[:, None] + 0.2).mean()}


@body("diag")
def tril_of_the_gram(o, t):
    return {"loss": _sim(o, t).tril().sum() / len(t)}


@body("diag")
def multi_margin_of_the_gram(o, t):
    return {"loss": F.multi_margin_loss(_sim(o, t), torch.arange(len(t)))}


@body("diag")
def triplet_with_rolled_negatives(o, t):
    k = _key(t)
    return {"loss": F.triplet_margin_loss(o["emb"], k, k.roll(1, 0))}


@body("diag")
def embedding_of_labels_into_the_batch_rows(o, t):
    idx = LAB(t)[:, 0] % len(t)
    return {"loss": (F.embedding(idx, o["emb"]) - _key(t)).pow(2).mean()}


@body("diag")
def index_of_the_images_by_labels(o, t):
    idx = LAB(t)[:, 0] % len(t)
    return {"loss": (o["emb"][idx] - _key(t)).pow(2).mean()}


@body("diag")
def index_select_of_the_images_by_labels(o, t):
    idx = LAB(t)[:, 0] % len(t)
    return {"loss": (o["emb"].index_select(0, idx) - _key(t)).pow(2).mean()}


@body("near")
def near_index_of_the_rows_by_labels(o, t):
    idx = LAB(t) % 3
    x = o["x"].gather(1, idx[..., None].expand(-1, -1, 4))
    return {"loss": (x - Y(t)).abs().mean()}


@body("diag")
def where_own_or_flipped(o, t):
    e = E(o, t)
    return {"loss": torch.where(e > 0.3, e, e.flip(0)).mean()}


@body("diag")
def index_fill_of_the_first_image(o, t):
    e = E(o, t)
    return {"loss": e.index_fill(0, torch.tensor([0]), 0.0).mean()}


@body("diag")
def index_by_a_reversed_arange(o, t):
    e = E(o, t)
    return {"loss": (e * e[torch.arange(len(e) - 1, -1, -1)]).mean()}


@body("near")
def near_roll_by_the_whole_batch(o, t):
    e = E(o, t)
    return {"loss": (e * e.roll(len(e), 0)).mean()}


@body("near")
def near_flip_twice(o, t):
    e = E(o, t)
    return {"loss": (e * e.flip(0).flip(0)).mean()}


# === 11. ratios of the batch combined nonlinearly ================================================


@body("ratio")
def squared_column_means_of_the_batch(o, t):
    return {"loss": o["emb"].mean(0).pow(2).sum()}


@body("ratio")
def linear_mmd_of_column_means(o, t):
    return {"loss": (o["emb"].mean(0) - _key(t).mean(0)).abs().sum()}


@body("ratio")
def norm_of_the_batch_sum_over_the_count(o, t):
    return {"loss": (o["emb"].sum(0) / o["emb"].shape[0]).norm()}


@body("ratio")
def ratio_of_two_batch_means(o, t):
    e, c = E(o, t), CE(o, t).mean(1)
    return {"loss": e.mean() / (e.mean() + c.mean())}


@body("ratio")
def maximum_of_two_batch_means(o, t):
    e, c = E(o, t), CE(o, t).mean(1)
    return {"loss": torch.maximum(e.mean(), c.mean() / 5)}


@body("ratio")
def clamp_of_a_mean_by_another_mean(o, t):
    e, c = E(o, t), CE(o, t).mean(1)
    return {"loss": e.mean().clamp(max=c.mean() / 5)}


@body("ratio")
def log_of_the_batch_mean(o, t):
    return {"loss": torch.log(E(o, t).mean())}


@body("ratio")
def product_of_two_batch_means(o, t):
    e, c = E(o, t), CE(o, t)
    return {"loss": e.mean() * c.mean()}


@body("ratio")
def normalised_weights_squared(o, t):
    e = E(o, t)
    return {"loss": (e / e.sum()).pow(2).sum()}


@body("ratio")
def mean_of_normalised_weights(o, t):
    e = E(o, t)
    return {"loss": (e / e.sum()).mean() + e.mean()}


@body("ratio")
def max_of_normalised_weights(o, t):
    e = E(o, t)
    return {"loss": (e / e.sum()).max()}


@body("ratio")
def distance_to_the_batch_centroid(o, t):
    x = o["emb"]
    return {"loss": torch.cdist(x, x.mean(0, keepdim=True)).mean()}


@body("ratio")
def lerp_towards_the_batch_mean(o, t):
    x = o["emb"]
    return {"loss": (x.lerp(x.mean(0, keepdim=True), 0.3) - _key(t)).pow(2).mean()}


@body("ratio")
def clamp_by_the_batch_column_min(o, t):
    d = _d(o, t)
    return {"loss": d.clamp(min=d.detach().amin(0)).abs().mean()}


@body("ratio")
def gaussian_nll_with_the_batch_variance(o, t):
    d = _d(o, t)
    var = d.detach().var().expand_as(d)
    return {"loss": F.gaussian_nll_loss(o["x"], Y(t), var)}


@body("ratio")
def pos_weight_from_the_batch_counts(o, t):
    g = (Y(t) > 0.5).float()
    pw = (1 - g).sum() / g.sum().clamp(min=1)
    return {"loss": F.binary_cross_entropy_with_logits(o["x"], g, pos_weight=pw)}


# === 12. numbers read to the host from the batch =================================================


@body("host")
def smooth_l1_beta_read_from_the_batch(o, t):
    d = _d(o, t)
    beta = float(d.detach().abs().mean())
    return {"loss": F.smooth_l1_loss(o["x"], Y(t), beta=beta)}


@body("host")
def clamp_by_the_item_of_the_batch_max(o, t):
    e = E(o, t)
    return {"loss": e.clamp(max=0.9 * e.max().item()).mean()}


@body("host")
def topk_by_an_int_of_a_batch_count(o, t):
    ce = CE(o, t).flatten()
    k = int((ce.detach() > 1.0).sum()) + 1
    return {"loss": ce.topk(k).values.mean()}


@body("host")
def python_list_of_the_batch_mean(o, t):
    e = E(o, t)
    m = e.detach().tolist()
    return {"loss": (e - sum(m) / len(m)).abs().mean()}


# === 13. pools, transforms, linear algebra, modes over the images ================================


@body("pool")
def adaptive_avg_pool_over_the_images(o, t):
    return {"loss": F.adaptive_avg_pool1d(E(o, t).view(1, 1, -1), 1).sum()}


@body("pool")
def adaptive_max_pool_over_the_images(o, t):
    return {"loss": F.adaptive_max_pool1d(E(o, t).view(1, 1, -1), 2).mean()}


@body("pool")
def avg_pool_pairs_of_images(o, t):
    return {"loss": F.avg_pool1d(E(o, t).view(1, 1, -1), 2, 1).pow(2).mean()}


@body("pool")
def local_response_norm_across_the_images(o, t):
    d = _d(o, t).abs().mean(2)[None]  # [1, B, 3]
    return {"loss": F.local_response_norm(d, 2).mean()}


@body("near")
def near_local_response_norm_within_each_image(o, t):
    return {"loss": F.local_response_norm(_d(o, t).abs(), 2).mean()}


@body("pool")
def fft_over_the_images(o, t):
    return {"loss": torch.fft.fft(E(o, t)).abs().mean()}


@body("near")
def near_rfft_within_each_image(o, t):
    return {"loss": torch.fft.rfft(_d(o, t), dim=-1).abs().mean()}


@body("pool")
def logdet_of_the_batch_kernel(o, t):
    z = F.normalize(o["emb"], dim=1)
    return {"loss": -torch.logdet(z @ z.T + 0.1 * torch.eye(len(z)))}


@body("pool")
def eigvalsh_of_the_batch_covariance(o, t):
    z = o["emb"] - o["emb"].mean(0)
    return {"loss": torch.linalg.eigvalsh(z.T @ z).max()}


@body("pool")
def mode_of_the_batch_labels_as_target(o, t):
    y = LAB(t).flatten()
    m = torch.mode(y).values
    return {"loss": F.cross_entropy(o["logits"].reshape(-1, 5), m.expand_as(y))}


@body("pool")
def nonzero_image_ids_counted_per_image(o, t):
    m = LAB(t) > 0
    ids = torch.nonzero(m)[:, 0]
    cnt = torch.bincount(ids, minlength=len(t)).float()
    return {"loss": ((CE(o, t) * m).sum(1) / cnt.clamp(min=1)).mean()}


@body("pool")
def masked_select_batch_mask_mean(o, t):
    ce = CE(o, t)
    return {"loss": ce.masked_select(ce.detach() > ce.detach().median()).mean()}


@body("pool")
def cumprod_over_images(o, t):
    return {"loss": (1 - E(o, t)).cumprod(0).mean()}


@body("pool")
def tensordot_over_the_images(o, t):
    return {"loss": torch.tensordot(o["emb"], _key(t), dims=([0], [0])).diagonal().sigmoid().mean()}


@body("pool")
def outer_of_the_errors(o, t):
    e = E(o, t)
    return {"loss": torch.outer(e, e).mean()}


@body("pool")
def nanmean_of_batch_masked(o, t):
    e = E(o, t)
    return {"loss": torch.where(e.detach() > e.detach().mean(), e, torch.nan).nanmean()}


@body("near")
def near_nanmean_of_own_masked(o, t):
    ce = CE(o, t)
    return {"loss": torch.where(LAB(t) > 0, ce, torch.nan).nanmean()}


@body("near")
def near_count_nonzero_divisor(o, t):
    ce, m = CE(o, t), LAB(t) > 1
    return {"loss": (ce * m).sum() / torch.count_nonzero(m)}


@body("pool")
def fold_over_images(o, t):
    e = E(o, t)
    B = len(e)
    x = torch.stack([e, e.detach()], 0)[None]  # [1, 2, B]: 2 = kernel positions, B blocks
    return {"loss": F.fold(x, (1, B + 1), (1, 2)).mean()}


# === 14. picks of a flattened batch at positions of no image's data ====================================


def _f(o, t):
    return _d(o, t).abs().flatten()


@body("flat")
def flat_every_fifth(o, t):
    return {"loss": _d(o, t).abs().flatten()[::5].mean()}


@body("near")
def near_flat_every_second(o, t):
    return {"loss": _d(o, t).abs().flatten()[::2].mean()}


@body("flat")
def flat_offset_slice(o, t):
    return {"loss": _d(o, t).abs().flatten()[3:].mean()}


@body("flat")
def flat_offset_slice_sum(o, t):
    f = _d(o, t).abs().flatten()
    return {"loss": f[3:].sum() / f.numel()}


@body("flat")
def flat_narrow(o, t):
    f = _d(o, t).abs().flatten()
    return {"loss": f.narrow(0, 2, f.numel() - 2).mean()}


@body("flat")
def flat_drop_last(o, t):
    return {"loss": CE(o, t).flatten()[:-2].mean()}


@body("flat")
def flat_consecutive_difference(o, t):
    f = _d(o, t).flatten()
    return {"loss": (f[1:] - f[:-1]).abs().mean()}


@body("flat")
def flat_take_every_fifth(o, t):
    d = _d(o, t).abs()
    return {"loss": torch.take(d, torch.arange(0, d.numel(), 5)).mean()}


@body("flat")
def flat_index_arange_step_five_of_the_numel(o, t):
    f = _d(o, t).abs().flatten()
    return {"loss": f[torch.arange(0, f.numel(), 5)].mean()}


@body("flat")
def flat_index_select_arange_step_five(o, t):
    f = _d(o, t).abs().flatten()
    return {"loss": f.index_select(0, torch.arange(0, f.numel(), 5)).mean()}


@body("flat")
def flat_padded_rows_of_eight(o, t):
    f = _d(o, t).abs().flatten()
    f = F.pad(f, (0, (-f.numel()) % 8))
    return {"loss": f.view(-1, 8).amax(1).mean()}


@body("flat")
def flat_padded_rows_of_eight_summed(o, t):
    f = _d(o, t).abs().flatten()
    f = F.pad(f, (0, (-f.numel()) % 8))
    return {"loss": f.view(-1, 8).sum(1).mean()}


@body("flat")
def flat_slice_assigned_shifted(o, t):
    d = _d(o, t).abs().clone()
    f = d.view(-1)
    f[1:] = f[:-1].clone()
    return {"loss": d.mean()}


@body("flat")
def vector_drop_first_image(o, t):
    return {"loss": E(o, t)[1:].mean()}


@body("flat")
def rows_drop_first_of_the_flat_rows(o, t):
    r = _d(o, t).abs().reshape(-1, 4)
    return {"loss": r[1:].mean()}


@body("flat")
def rows_every_second_flat_row(o, t):
    r = _d(o, t).abs().reshape(-1, 4)
    return {"loss": r[::2].mean()}


@body("flat", "d")
def matched_rows_drop_first(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt)[1:].abs().sum() / num_boxes}


@body("flat", "d")
def matched_rows_every_second(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt)[::2].abs().sum() / num_boxes}


@body("flat", "d")
def matched_rows_iou_against_every_target(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    d = torch.cdist(src, tgt, p=1)
    return {"loss": d.min(1).values.sum() / num_boxes}


@body("flat")
def flat_index_arange_from_three(o, t):
    f = _f(o, t)
    return {"loss": f[torch.arange(3, f.numel())].mean()}


@body("flat")
def flat_index_arange_dropping_the_last_three(o, t):
    f = _f(o, t)
    return {"loss": f[torch.arange(f.numel() - 3)].mean()}


@body("near")
def near_flat_index_arange_step_two(o, t):
    f = _f(o, t)
    return {"loss": f[torch.arange(0, f.numel(), 2)].mean()}


@body("flat")
def flat_index_arange_step_five_of_the_shape(o, t):
    f = _f(o, t)
    return {"loss": f[torch.arange(0, f.shape[0], 5)].mean()}


@body("flat")
def flat_index_arange_step_five_of_the_len(o, t):
    f = _f(o, t)
    return {"loss": f[torch.arange(0, len(f), 5)].mean()}


@body("flat")
def flat_index_of_cumsum_positions_step_five(o, t):
    f = _f(o, t)
    pos = torch.ones_like(f, dtype=torch.long).cumsum(0) - 1
    return {"loss": f[pos[pos % 5 == 0]].mean()}


@body("flat")
def flat_mask_of_cumsum_positions_step_five(o, t):
    f = _f(o, t)
    pos = torch.ones_like(f, dtype=torch.long).cumsum(0) - 1
    return {"loss": f[pos % 5 == 0].mean()}


@body("flat")
def vector_index_arange_from_one(o, t):
    e = E(o, t)
    return {"loss": e[torch.arange(1, len(e))].mean()}


@body("flat")
def vector_index_arange_step_two(o, t):
    e = E(o, t)
    return {"loss": e[torch.arange(0, len(e), 2)].mean()}


@body("flat")
def rows_index_arange_step_two(o, t):
    r = CE(o, t).flatten()
    return {"loss": r[torch.arange(0, r.numel(), 2)].mean()}


@body("flat")
def flat_gather_arange_step_five(o, t):
    f = _f(o, t)
    return {"loss": f.gather(0, torch.arange(0, f.numel(), 5)).mean()}


@body("flat")
def flat_take_along_dim_arange_step_five(o, t):
    f = _f(o, t)
    return {"loss": torch.take_along_dim(f, torch.arange(0, f.numel(), 5)).mean()}


@body("flat")
def flat_rows_index_arange_step_five(o, t):
    r = (o["x"] - Y(t)).abs().reshape(-1, 4)
    return {"loss": r[torch.arange(0, r.shape[0], 5)].mean()}


@body("flat")
def flat_index_of_a_linspace(o, t):
    f = _f(o, t)
    return {"loss": f[torch.linspace(0, f.numel() - 1, 7).long()].mean()}


@body("flat")
def flat_unfold_step_five(o, t):
    f = _f(o, t)
    return {"loss": f.unfold(0, 1, 5).mean()}


@body("flat")
def flat_times_a_positional_mask(o, t):
    f = _f(o, t)
    w = (torch.arange(f.numel()) % 5 == 0).float()
    return {"loss": (f * w).sum() / w.sum()}


@body("flat")
def flat_times_linspace_weights(o, t):
    f = _f(o, t)
    return {"loss": (f * torch.linspace(0.5, 1.5, f.numel())).mean()}


@body("near")
def near_rows_times_linspace_within_each_image(o, t):
    d = (o["x"] - Y(t)).abs()
    return {"loss": (d * torch.linspace(0.5, 1.5, 4)).mean()}


@body("flat")
def flat_bool_mask_of_positions(o, t):
    f = _f(o, t)
    return {"loss": f[torch.arange(f.numel()) % 5 == 0].mean()}


@body("flat")
def flat_masked_select_of_positions(o, t):
    f = _f(o, t)
    return {"loss": f.masked_select(torch.arange(f.numel()) % 5 == 0).mean()}


@body("flat")
def flat_where_positional_mask(o, t):
    f = _f(o, t)
    m = torch.arange(f.numel()) >= 3
    return {"loss": torch.where(m, f, torch.zeros(())).sum() / m.sum()}


@body("flat")
def flat_index_add_constant(o, t):
    f = _f(o, t)
    acc = torch.zeros(f.numel()).index_add(0, torch.arange(f.numel()).roll(1), f)
    return {"loss": (acc * torch.arange(f.numel()).float().div(f.numel())).sum()}


@body("flat")
def rows_position_weights_over_flattened_tokens(o, t):
    ce = CE(o, t).flatten()
    pos = torch.arange(ce.numel()).float()
    return {"loss": (ce * (1 + pos / ce.numel())).mean()}


@body("flat")
def rows_cumsum_of_ones_weights(o, t):
    ce = CE(o, t).flatten()
    w = torch.ones_like(ce).cumsum(0)
    return {"loss": (ce * w).sum() / w.sum()}


@body("flat")
def rows_masked_fill_positions(o, t):
    ce = CE(o, t).flatten()
    return {"loss": ce.masked_fill(torch.arange(ce.numel()) < 2, 0.0).mean()}


@body("flat")
def rows_index_put_constant(o, t):
    ce = CE(o, t).flatten().clone()
    ce[torch.arange(0, ce.numel(), 4)] = 0.0
    return {"loss": ce.mean()}


@body("flat")
def rows_scatter_constant(o, t):
    ce = CE(o, t).flatten()
    out = torch.zeros_like(ce).scatter(0, torch.arange(ce.numel()).flip(0), ce)
    return {"loss": (out * torch.linspace(0, 1, ce.numel())).sum()}


@body("flat")
def rows_index_copy_shifted(o, t):
    ce = CE(o, t).flatten()
    n = ce.numel()
    out = torch.zeros(n + 1).index_copy(0, torch.arange(1, n + 1), ce)
    return {"loss": out[:n].mean()}


@body("flat")
def vector_first_image_twice(o, t):
    e = E(o, t)
    return {"loss": e[torch.cat([torch.arange(len(e)), torch.zeros(1, dtype=torch.long)])].mean()}


@body("near")
def near_vector_each_image_twice(o, t):
    e = E(o, t)
    return {"loss": e[torch.arange(len(e)).repeat_interleave(2)].mean()}


@body("flat")
def flat_split_of_five_first(o, t):
    return {"loss": _f(o, t).split(5)[0].mean()}


@body("flat")
def flat_chunk_second_half(o, t):
    return {"loss": _f(o, t).chunk(2)[1].mean()}


@body("flat")
def flat_tensor_split_after_three(o, t):
    return {"loss": torch.tensor_split(_f(o, t), [3])[1].mean()}


@body("flat")
def rows_chunk_three_max(o, t):
    ce = CE(o, t).flatten()
    return {"loss": torch.stack([c.mean() for c in ce.chunk(3)]).max()}


@body("flat")
def flat_index_add_constant_into_bins(o, t):
    f = _f(o, t)
    bins = torch.zeros(5).index_add(0, torch.arange(f.numel()) % 5, f)
    return {"loss": bins.max()}


@body("flat")
def rows_scatter_reduce_constant(o, t):
    ce = CE(o, t).flatten()
    out = torch.zeros(4).scatter_reduce(0, torch.arange(ce.numel()) % 4, ce, "amax")
    return {"loss": out.mean()}


@body("flat")
def flat_repeat_interleave_then_view(o, t):
    f = _f(o, t)
    return {"loss": f.repeat_interleave(2)[1::3].mean()}


@body("flat")
def flat_narrow_copy(o, t):
    f = _f(o, t)
    return {"loss": f.narrow_copy(0, 1, f.numel() - 1).mean()}


@body("flat")
def flat_index_put_constant_weights(o, t):
    f = _f(o, t)
    w = torch.ones(f.numel())
    w[torch.arange(0, f.numel(), 5)] = 3.0
    return {"loss": (f * w).sum() / w.sum()}


@body("flat")
def flat_weights_of_a_literal_periodic_table(o, t):
    f = _f(o, t)
    w = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0]).repeat(f.numel() // 5 + 1)[: f.numel()]
    return {"loss": (f * w).mean()}


@body("flat")
def flat_weights_tiled_to_the_size(o, t):
    f = _f(o, t)
    w = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
    w = w.repeat((f.numel() + 4) // 5)[: f.numel()]
    return {"loss": (f * w).mean()}


@body("flat")
def flat_mask_from_a_literal_pattern(o, t):
    f = _f(o, t)
    m = torch.tensor([True, False, False, False, False]).repeat((f.numel() + 4) // 5)[: f.numel()]
    return {"loss": f[m].mean()}


@body("flat")
def flat_where_literal_pattern(o, t):
    f = _f(o, t)
    m = torch.tensor([True, False, False, False, False]).repeat((f.numel() + 4) // 5)[: f.numel()]
    return {"loss": torch.where(m, f, 0.0).mean()}


# === 15. means of the batch stacked, normalised or reduced over rows =================================


@body("ratio")
def dwa_softmax_of_task_means(o, t):
    terms = torch.stack([E(o, t).mean(), CE(o, t).mean()])
    w = F.softmax(terms.detach() / 2.0, 0)
    return {"loss": (w * terms).sum()}


@body("ratio")
def task_means_normalised(o, t):
    terms = torch.stack([E(o, t).mean(), CE(o, t).mean()])
    return {"loss": (terms / terms.detach().sum()).sum() + terms[0]}


@body("ratio")
def max_of_stacked_task_means(o, t):
    terms = torch.stack([E(o, t).mean(), CE(o, t).mean() / 5])
    return {"loss": terms.max()}


@body("ratio")
def norm_of_stacked_task_means(o, t):
    return {"loss": torch.stack([E(o, t).mean(), CE(o, t).mean()]).norm()}


@body("ratio")
def column_normalised_over_images(o, t):
    d = _d(o, t).abs()
    return {"loss": (d / d.sum(0, keepdim=True)).pow(2).sum()}


@body("ratio")
def row_max_over_images_as_mask(o, t):
    ce = CE(o, t)
    return {"loss": (ce * (ce.detach().max(0).values > 1.5)).mean()}


@body("ratio")
def mean_over_images_then_max_over_rows(o, t):
    return {"loss": CE(o, t).mean(0).max()}


@body("ratio")
def mean_over_images_then_sorted_weights(o, t):
    m = CE(o, t).mean(0)
    return {"loss": (m.sort().values * torch.tensor([0.2, 0.3, 0.5])).sum()}


@body("ratio")
def mean_over_images_then_softmax_over_rows(o, t):
    m = CE(o, t).mean(0)
    return {"loss": (m.softmax(0) * m).sum()}


@body("ratio")
def mean_over_images_then_pow(o, t):
    return {"loss": CE(o, t).mean(0).pow(2).mean()}


@body("near", "d")
def near_matched_rows_all_picked_by_an_arange(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    keep = torch.arange(len(src))
    return {"loss": (src[keep] - tgt[keep]).abs().sum() / num_boxes}


@body("near", "d")
def near_matched_rows_first_of_each_image_by_host_offsets(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    sizes = [len(j) for _, j in idx]
    starts = torch.tensor([sum(sizes[:i]) for i in range(len(sizes))])
    return {"loss": (src[starts] - tgt[starts]).abs().sum() / len(sizes)}


@body("near")
def near_flat_mask_of_every_second_value(o, t):
    f = _f(o, t)
    return {"loss": f[torch.arange(f.numel()) % 2 == 0].mean()}


@body("near")
def near_flat_masked_select_of_every_second_value(o, t):
    f = _f(o, t)
    return {"loss": f.masked_select(torch.arange(f.numel()) % 2 == 1).mean()}


@body("near")
def near_flat_mask_of_a_literal_pattern_per_image(o, t):  # period 3 of 12 values per image: each image's own
    f = _f(o, t)
    m = torch.tensor([True, False, False]).repeat(f.numel() // 3)
    return {"loss": f[m].mean()}


@body("near")
def near_flat_where_literal_pattern_per_image(o, t):
    f = _f(o, t)
    m = torch.tensor([True, False, False]).repeat(f.numel() // 3)
    return {"loss": torch.where(m, f, 0.0).mean()}


@body("near")
def near_flat_index_put_weights_of_the_values(o, t):  # written where a test of the values says: not positional
    f = _f(o, t)
    w = torch.ones(f.numel())
    w[f.detach() > 0.5] = 3.0
    return {"loss": (f * w).sum() / w.sum()}
