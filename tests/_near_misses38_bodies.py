# ruff: noqa: E731 -- near misses written tersely, as the red-team bodies are
"""Near misses of the rules that made red team 37's per-image bodies exact (helper cov38b): for each
rule the same body shape that must split exactly (``near_*``) and shapes that mix images, which must
decline (or split exactly: never silently wrong). ``count_nonzero`` as a divisor, ``renorm`` /
``local_response_norm`` along a dim, a literal step slice of a flattened batch, the diagonal of a
``[B, B]`` table of pairs picked by ``gather`` / ``masked_select`` / an ``eye`` or ``one_hot`` factor.
Measured by ``tests/_red_team28_measure.py`` on the red-team-28 batches (kind ``"d"``: the red-team-26
DETR-like batches); the tests are ``tests/test_near_misses38.py``."""

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


def _sim(o, t):
    return F.normalize(o["emb"], dim=1) @ F.normalize(Y(t).flatten(1)[:, :6], dim=1).T


# === count_nonzero =================================================================================


@body("count")
def near_count_nonzero_of_the_values(o, t):
    v = CE(o, t) * (LAB(t) > 1)
    return {"loss": v.sum() / torch.count_nonzero(v)}


@body("count")
def near_count_nonzero_along_the_rows_per_image(o, t):
    ce, m = CE(o, t), LAB(t) > 1
    return {"loss": ((ce * m).sum(1) / torch.count_nonzero(m, dim=1).clamp(min=1)).mean()}


@body("count")
def near_count_nonzero_over_the_images_per_column(o, t):  # a ratio per column of the group's own sums
    ce, m = CE(o, t), LAB(t) > 1
    return {"loss": ((ce * m).sum(0) / m.count_nonzero(0).clamp(min=1)).mean()}


@body("count")
def count_nonzero_of_the_first_values_of_the_batch(o, t):
    ce, m = CE(o, t), LAB(t) > 1
    return {"loss": (ce * m).sum() / torch.count_nonzero(m.flatten()[:4]).clamp(min=1)}


@body("count")
def count_nonzero_over_the_images_as_column_weights(o, t):
    ce, m = CE(o, t), LAB(t) > 1
    return {"loss": (ce * m.count_nonzero(0)).mean()}


# === renorm / local_response_norm ==================================================================


@body("norm")
def near_renorm_of_each_images_rows(o, t):
    return {"loss": _d(o, t).renorm(2, 0, 0.5).abs().mean()}


@body("norm")
def renorm_of_each_column_over_the_images(o, t):
    return {"loss": (o["emb"].renorm(2, 1, 1.0) - Y(t).flatten(1)[:, :6]).pow(2).mean()}


@body("norm")
def renorm_of_the_batch_as_channels(o, t):
    return {"loss": torch.renorm(_d(o, t).transpose(0, 1), 1, 0, 2.0).abs().mean()}


@body("norm")
def near_local_response_norm_of_4d_maps(o, t):
    return {"loss": F.local_response_norm(_d(o, t).abs()[:, :, None], 3).mean()}


@body("norm")
def local_response_norm_with_images_as_channels(o, t):
    return {"loss": F.local_response_norm(_d(o, t).abs().transpose(0, 1), 2).mean()}


@body("norm")
def near_pixel_unshuffle_of_each_image(o, t):
    return {"loss": F.pixel_unshuffle(_d(o, t)[:, None, :2], 2).abs().amax(1).mean()}


@body("norm")
def pixel_shuffle_of_channel_blocks_across_images(o, t):
    d = _d(o, t)[:, :, :2].reshape(1, -1, 1, 1)  # 6 channels per image: blocks of 4 straddle two images
    d = torch.cat([d, d], 1)
    return {"loss": F.pixel_shuffle(d, 2).abs().amax((2, 3)).mean()}


# === a literal step slice of a flattened batch =====================================================


@body("step")
def near_flat_every_third_from_one(o, t):
    return {"loss": _d(o, t).abs().flatten()[1::3].mean()}


@body("step")
def near_flat_every_fourth_summed(o, t):
    f = _d(o, t).abs().flatten()
    return {"loss": f[::4].sum() / len(t)}


@body("step")
def flat_every_fifth_from_two(o, t):
    return {"loss": _d(o, t).abs().flatten()[2::5].mean()}


@body("step")
def flat_every_second_from_three(o, t):
    return {"loss": _d(o, t).abs().flatten()[3::2].mean()}


@body("step")
def flat_every_second_of_interleaved_images(o, t):
    return {"loss": _d(o, t).abs().transpose(0, 1).flatten()[::2].mean()}


@body("step")
def flat_step_of_the_number_of_images(o, t):
    return {"loss": _d(o, t).abs().flatten()[:: len(t)].mean()}


@body("step", "d")
def matched_rows_abs_every_second(o, t, idx, num_boxes):
    src, tgt = MATCHED(o, t, idx)
    return {"loss": (src - tgt).abs()[::2].sum() / num_boxes}


@body("step")
def vector_every_second_image(o, t):
    return {"loss": E(o, t)[::2].mean()}


# === the diagonal of a table of pairs of images ====================================================


@body("diag")
def near_gather_own_row_along_dim_zero(o, t):
    s = _sim(o, t)
    return {"loss": 1 - s.gather(0, torch.arange(len(t))[None]).mean()}


@body("diag")
def gather_the_first_column(o, t):
    s = _sim(o, t)
    return {"loss": 1 - s.gather(1, torch.zeros(len(t), 1, dtype=torch.long)).mean()}


@body("diag")
def gather_own_column_reversed(o, t):
    s = _sim(o, t)
    return {"loss": 1 - s.gather(1, torch.arange(len(t)).flip(0)[:, None]).mean()}


@body("diag")
def near_eye_masked_sum_over_dim_zero_keepdim(o, t):
    s = _sim(o, t)
    return {"loss": 1 - (s * torch.eye(len(s))).sum(0, keepdim=True).mean()}


@body("diag")
def near_eye_masked_full_sum_over_the_count(o, t):
    s = _sim(o, t)
    return {"loss": 1 - (torch.eye(len(s)) * s).sum() / len(s)}


@body("diag")
def eye_masked_row_mean(o, t):
    s = _sim(o, t)
    return {"loss": 1 - (s * torch.eye(len(s))).mean(1).mean()}


@body("diag")
def eye_masked_row_max(o, t):
    s = _sim(o, t)
    return {"loss": 1 - (s * torch.eye(len(s))).amax(1).mean()}


@body("diag")
def eye_masked_mean_of_the_table(o, t):
    s = _sim(o, t)
    return {"loss": 1 - (s * torch.eye(len(s))).mean()}


@body("diag")
def eye_masked_then_offdiagonal_added(o, t):
    s = _sim(o, t)
    d = s * torch.eye(len(s))
    return {"loss": 1 - (d + s.detach() * 0.1).sum(1).mean()}


@body("diag")
def eye_masked_written_then_summed(o, t):
    s = _sim(o, t)
    d = s * torch.eye(len(s))
    d[0, 1] = 0.5
    return {"loss": 1 - d.sum(1).mean()}


@body("diag")
def eye_of_the_rolled_positions(o, t):
    s = _sim(o, t)
    return {"loss": 1 - (s * torch.eye(len(s)).roll(1, 0)).sum(1).mean()}


@body("diag")
def eye_times_positions(o, t):
    s = _sim(o, t)
    return {"loss": 1 - (s * torch.diag(torch.arange(len(s)).float() + 1)).sum(1).mean()}


@body("diag")
def masked_select_of_the_lower_triangle(o, t):
    s = _sim(o, t)
    return {"loss": 1 - s.masked_select(torch.ones(len(s), len(s)).tril().bool()).mean()}


@body("diag")
def near_masked_select_of_the_eye_of_the_shape(o, t):
    s = _sim(o, t)
    return {"loss": 1 - torch.masked_select(s, torch.eye(s.shape[0], dtype=torch.bool)).mean()}


# === a write of nothing at a mask of the images' own values; a reduction over one image's rows ======


def _class_weights(o, t):
    ce = CE(o, t)  # [B, 3]
    return ce, 1.0 / (ce.detach() + 0.1)


@body("write")
def near_nothing_written_at_an_own_mask_of_mixed_values(o, t):
    ce, w = _class_weights(o, t)
    inf = torch.isinf(w)  # no weight is infinite: nothing is written
    w[inf] = w.max(0).values.expand_as(w)[inf]
    return {"loss": (ce * w).mean()}


@body("write")
def mixed_values_written_at_an_own_mask(o, t):
    ce, w = _class_weights(o, t)
    big = w > 2.0  # some weights: the batch's largest written there
    w[big] = w.max(0).values.expand_as(w)[big]
    return {"loss": (ce * w).mean()}


@body("write")
def nothing_written_at_a_mask_of_the_batch_mean(o, t):
    ce, w = _class_weights(o, t)
    far = w > w.mean() * 1e6  # a mask that mixes images (nothing picked here)
    w[far] = 0.0 * w.max(0).values.expand_as(w)[far]
    return {"loss": (ce * w).mean()}


@body("one")
def near_max_over_the_rows_of_one_image(o, t):  # measured on batches of one image only
    ce = CE(o, t)
    return {"loss": (ce * ce.detach().max(0).values).mean()}
