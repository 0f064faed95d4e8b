"""Bodies of ``tests/test_count_sinks.py`` (helper sink, session 32): a plain number computed from
the batch's count or sizes (``o["x"].shape[0]``, ``len(targets)``, a list filled from the targets)
or from the images' weights, reaching an op argument no rule rescales per group (a bound, an
exponent, a term, one image's divisor), and near misses that must split exactly: a constant equal
to that number, a count used only as a ``range``, a size of a dim without images, one image's own
rows, a reduced sum over the count."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from _red_team26_bodies import CE, LAB, E
from _red_team27_bodies import registrar
from _red_team31_bodies import e1, s1

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)


# --- must decline ------------------------------------------------------------------------------------


@body("sink")
def clamp_min_by_size_local(o, t):
    bs = o["x"].size(0)
    return {"loss": E(o, t).clamp(min=0.05 * bs).sum()}


@body("sink")
def power_by_inline_shape(o, t):
    return {"loss": (E(o, t) ** (0.25 * o["x"].shape[0])).sum()}


@body("sink")
def one_image_over_min_count(o, t):
    n = len(t)
    return {"loss": torch.stack([e1(o, t, b) / min(n, 2) for b in range(n)]).sum()}


@body("sink")
def one_image_times_rows_total(o, t):
    total = sum(len(s["labels"]) for s in t)
    r = []
    for b in range(len(t)):
        r.append(CE(o, t)[b].sum() * (2.0 / total))
    return {"loss": torch.stack(r).sum()}


@body("sink")
def power_by_weight(o, t):
    w = [s["loss_weight"] for s in t]
    r = []
    for b in range(len(t)):
        r.append(e1(o, t, b) ** (1.0 + w[b]))
    return {"loss": torch.stack(r).sum()}


@body("sink")
def width_divides_inline(o, t):
    return {"loss": (E(o, t) / o["x"].shape[2]).sum()}


@body("sink")
def sum_times_attribute_of_count(o, t):
    class Cfg:
        pass
    Cfg.scale = 2.0 / len(t)
    return {"loss": E(o, t).sum() * Cfg.scale}


@body("sink")
def one_image_over_min_count_in_loop(o, t):
    n = len(t)
    r = []
    for b in range(n):
        r.append(e1(o, t, b) / min(n, 3))
    return {"loss": torch.stack(r).sum()}


@body("sink")
def one_image_sum_over_max_len(o, t):
    return {"loss": torch.stack([CE(o, t)[b].sum() / max(len(t), 2) for b in range(len(t))]).sum()}


@body("sink")
def one_image_over_filtered_count(o, t):
    kept = [s for s in t if s["labels"].numel() > 0]
    r = []
    for b in range(len(t)):
        r.append(e1(o, t, b) / len(kept))
    return {"loss": torch.stack(r).sum()}


@body("sink")
def one_image_over_rows_total_of_shapes(o, t):
    total = sum(s["y"].shape[0] for s in t)
    return {"loss": sum(CE(o, t)[b].sum() / total for b in range(len(t)))}


@body("sink")
def one_image_over_running_total(o, t):
    num = 0
    for s in t:
        num += len(s["labels"])
    return {"loss": torch.stack([e1(o, t, b) / num for b in range(len(t))]).sum()}


@body("sink")
def width_as_lambda_default(o, t):
    norm = lambda x, w=o["x"].shape[-1]: x / w  # noqa: E731
    return {"loss": norm(E(o, t)).sum()}


@body("sink")
def width_as_keyword_default(o, t):
    def norm(x, *, w=o["x"].size(-1)):  # noqa: B008 - a default computed from the batch is what it tries
        return x / w
    return {"loss": norm(E(o, t)).sum()}


@body("sink")
def one_image_over_display_then_filled(o, t):
    kept = [t[0]]
    for s in t[1:]:
        kept.append(s)
    return {"loss": torch.stack([e1(o, t, b) / len(kept) for b in range(len(t))]).sum()}


@body("sink")
def one_image_over_display_then_extended(o, t):
    kept = [t[0]]
    kept += t[1:]
    return {"loss": torch.stack([e1(o, t, b) / len(kept) for b in range(len(t))]).sum()}


@body("sink")
def one_image_over_starred_display(o, t):
    kept = [*t]
    return {"loss": torch.stack([e1(o, t, b) / len(kept) for b in range(len(t))]).sum()}


@body("sink")
def position_fills_stacked_as_factor(o, t):
    pos = torch.stack([torch.full((), float(i)) for i in range(len(t))])
    return {"loss": (E(o, t) * pos).sum()}


@body("sink")
def position_reciprocal_fills_joined(o, t):
    w = torch.cat([torch.full((1,), 1.0 / (i + 1)) for i, _ in enumerate(t)])
    return {"loss": (E(o, t) * w).sum()}


@body("sink")
def position_fills_joined_in_a_loop(o, t):
    parts = []
    for i in range(len(t)):
        parts.append(torch.full((1,), float(i)))
    return {"loss": (E(o, t) * torch.cat(parts)).sum()}


@body("sink")
def start_token_of_count_local(o, t):
    lab = LAB(t)
    n = len(t)
    shifted = lab.new_zeros(lab.shape)
    shifted[:, 1:] = lab[:, :-1].clone()
    shifted[:, 0] = n - 1
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), shifted)}


@body("sink")
def start_token_of_rows_total(o, t):
    lab = LAB(t)
    shifted = lab.new_zeros(lab.shape)
    shifted[:, 1:] = lab[:, :-1].clone()
    shifted[:, 0] = sum(len(s["labels"]) for s in t) % 4
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), shifted)}


class FloorFromCount(torch.nn.Module):
    def forward(self, o, t):
        self.floor = 0.02 * len(t)
        return {"loss": E(o, t).clamp(min=self.floor).sum()}


class PowerFromCount(torch.nn.Module):
    def forward(self, o, t):
        self.p = 1.0 + 0.25 * len(t)
        return {"loss": (E(o, t) ** self.p).sum()}


for _cls in (FloorFromCount, PowerFromCount):
    body("sink")(_cls)


@body("sink")
def int_position_fills_joined_as_factor(o, t):
    pos = torch.cat([torch.full((1,), i) for i, _ in enumerate(t)])
    return {"loss": (E(o, t) * pos).sum()}


# --- near misses: must split exactly ------------------------------------------------------------------


@body("near")
def near_clamp_by_constant_equal_to_a_bound(o, t):
    return {"loss": E(o, t).clamp(max=0.6).sum()}  # 0.15 * 4 on a batch of 4


@body("near")
def near_constant_four_divides(o, t):
    c = 4
    return {"loss": (E(o, t) / c).sum()}


@body("near")
def near_literal_four_divides(o, t):
    return {"loss": (E(o, t) / 4).sum()}


@body("near")
def near_size_only_in_range(o, t):
    bs = o["x"].shape[0]
    return {"loss": torch.stack([s1(o, t, b) for b in range(bs)]).clamp(max=0.5).sum()}


@body("near")
def near_count_only_in_range_clamp(o, t):
    n = len(t)
    r = []
    for b in range(n):
        r.append(s1(o, t, b).clamp(max=0.3))
    return {"loss": torch.stack(r).sum()}


@body("near")
def near_clamp_by_rows(o, t):
    return {"loss": E(o, t).clamp(max=0.1 * o["x"].shape[1]).sum()}


@body("near")
def near_power_by_width(o, t):
    k = o["x"].shape[-1]
    return {"loss": (E(o, t) ** (0.5 * k)).sum()}


@body("near")
def near_sum_over_batch_size(o, t):
    return {"loss": E(o, t).sum() / o["x"].shape[0]}


@body("near")
def near_one_image_over_own_rows(o, t):
    r = []
    for b in range(len(t)):
        r.append(CE(o, t)[b].sum() / len(t[b]["labels"]))
    return {"loss": torch.stack(r).sum()}


@body("near")
def near_one_image_over_constant_max(o, t):
    k = 2
    return {"loss": torch.stack([e1(o, t, b) / max(k, 3) for b in range(len(t))]).sum()}


@body("near")
def near_weight_as_factor(o, t):
    w = [s["loss_weight"] for s in t]
    return {"loss": torch.stack([s1(o, t, b) * w[b] for b in range(len(t))]).sum()}


@body("near")
def near_sum_over_count(o, t):
    return {"loss": E(o, t).sum() / len(t)}


@body("near")
def near_sum_times_constant_attribute(o, t):
    class Cfg:
        scale = 0.25
    return {"loss": E(o, t).sum() * Cfg.scale}


@body("near")
def near_sum_times_constant_stored_attribute(o, t):
    class Cfg:
        pass
    Cfg.scale = 0.25
    return {"loss": E(o, t).sum() * Cfg.scale}


@body("near")
def near_one_image_over_own_rows_in_comprehension(o, t):
    return {"loss": torch.stack([CE(o, t)[b].sum() / len(t[b]["labels"]) for b in range(len(t))]).sum()}


@body("near")
def near_one_image_over_own_rows_of_loop_image(o, t):
    r = []
    for b, s in enumerate(t):
        r.append(CE(o, t)[b].sum() / max(len(s["labels"]), 1))
    return {"loss": torch.stack(r).sum()}


@body("near")
def near_one_image_over_own_instances(o, t):
    r = []
    for b in range(len(t)):
        ids = torch.unique(t[b]["labels"])
        r.append(e1(o, t, b) / len(ids))
    return {"loss": torch.stack(r).sum()}


@body("near")
def near_one_image_over_own_numel_local(o, t):
    r = []
    for b in range(len(t)):
        k = t[b]["labels"].numel()
        r.append(CE(o, t)[b].sum() / k)
    return {"loss": torch.stack(r).sum()}


@body("near")
def near_one_image_over_literal_max(o, t):
    return {"loss": torch.stack([e1(o, t, b) / max(4, 3) for b in range(len(t))]).sum()}


@body("near")
def near_one_image_over_constant_equal_to_count(o, t):
    c = 4  # the number of images of some batches
    return {"loss": torch.stack([e1(o, t, b) / c for b in range(len(t))]).sum()}


@body("near")
def near_one_image_over_len_of_count_note(o, t):
    note = [str(len(t))]
    return {"loss": torch.stack([e1(o, t, b) / len(note) for b in range(len(t))]).sum()}


@body("near")
def near_width_default_passed_the_count(o, t):
    def norm(x, w=o["x"].shape[-1]):
        return x / w
    return {"loss": norm(E(o, t), len(t)).sum()}


@body("near")
def near_literal_default_divides(o, t):
    def norm(x, w=4):
        return x / w
    return {"loss": norm(E(o, t)).sum()}


@body("near")
def near_literal_lambda_default_divides(o, t):
    norm = lambda x, w=4: x / w  # noqa: E731
    return {"loss": norm(E(o, t)).sum()}



@body("near")
def near_literal_fills_joined(o, t):
    w = torch.cat([torch.full((1,), 2.0) for _ in t])
    return {"loss": (E(o, t) * w).sum()}


@body("near")
def near_own_size_fills_joined(o, t):
    w = torch.cat([torch.full((1,), float(len(s["labels"]))) for s in t])
    return {"loss": (E(o, t) * w).sum()}


@body("near")
def near_start_token_of_constant_local(o, t):
    lab = LAB(t)
    tok = 2
    shifted = lab.new_zeros(lab.shape)
    shifted[:, 1:] = lab[:, :-1].clone()
    shifted[:, 0] = tok
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), shifted)}


class NearStartTokenAttribute(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.start = 1

    def forward(self, o, t):
        lab = LAB(t)
        shifted = lab.new_zeros(lab.shape)
        shifted[:, 1:] = lab[:, :-1].clone()
        shifted[:, 0] = self.start
        return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), shifted)}


class NearCapFromLevels(torch.nn.Module):
    """A bound set in ``forward`` from the module's own configuration: the same on any group."""

    def __init__(self):
        super().__init__()
        self.levels = [1, 2, 3, 4]

    def forward(self, o, t):
        self.cap = 0.6 / len(self.levels)
        return {"loss": E(o, t).clamp(max=self.cap).sum()}


class NearCapSetInInit(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.cap = 0.2

    def forward(self, o, t):
        return {"loss": E(o, t).clamp(max=self.cap).sum()}


for _cls in (NearStartTokenAttribute, NearCapFromLevels, NearCapSetInInit):
    body("near")(_cls)


@body("near")
def near_int_position_fills_joined_as_index(o, t):
    """DETR's batch index (int fills of the images' positions, joined) picking the images' rows."""
    bi = torch.cat([torch.full((1,), i) for i, _ in enumerate(t)])
    return {"loss": E(o, t)[bi].sum()}


@body("near")
def near_int_position_fills_joined_as_row_and_column_index(o, t):
    bi = torch.cat([torch.full((2,), i) for i, _ in enumerate(t)])
    return {"loss": CE(o, t)[bi, torch.arange(2).repeat(len(t))].sum()}
