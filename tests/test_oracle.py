"""The companion definition, executed: each body run again on one group's images (README §What a companion means).

``{key}_{group}`` is "the value the method would have returned for ``key`` if the batch had held
only that group's rows, with every non-zero per-row factor treated as 1". For a body whose
normalisers are computed inside it from the batch itself (mask sums, weight sums, counts of valid
tokens, ``.mean()``, class-weighted CE, ``ignore_index``, per-image loops over the images passed,
``num_boxes`` counted in the body as the matched rows), that sentence is an oracle one can run:

    oracle(S) = body(outputs[S's images], targets of S with every weight w -> (w != 0),
                     indices of S)[key]

undecorated, no losssplit involved. Each body below is a realistic criterion term written as the
public criteria write it; every one is checked on random batches (1-6 images, 0-5 matched rows each,
with the traps "rows per image == B", "matched rows == B", "one matched row", "one image", 2-3
groups by ``loss_weight`` or by a ``dataset`` field, per-row / per-image weights including 0 and
-1) for:

- every group S with at least one row and a finite oracle: ``{key}_{S}`` == oracle(S) (rtol 1e-5);
- no other companion keys (a group without rows, or whose oracle is 0/0, has no key);
- the main keys are bit-identical to the undecorated call on the full batch, and so are the
  gradients after summing every returned value (detectron2's ``sum(loss_dict.values())``).

Where the companion differs from the oracle although the oracle applies, a minimal batch is kept
as a strict xfail and that region of batches is left out of the property (``KNOWN_DISCREPANCIES``).
Bodies whose companion follows a *documented* reading that is not this oracle (README "How a
normaliser is read", "Known limits") are kept at the end as strict xfails too, with the arithmetic.
``ORACLE_EXAMPLES=500`` runs more random batches per body (default 50, seeded; 15 in the
large-tensor pass).
"""

import math
import os
import random
from collections.abc import Callable, Sequence

import pytest
import torch
import torch.nn.functional as F
from _helpers import (
    PER_IMAGE,
    ROWS,
    TARGETS,
    Share,
    ambiguous_keys,
    bits,
    focal_bce,
    leaves,
    logged_warnings,
    matched_index,
    oracle_companions,
    split_and_compare,
)
from seed_criterion import corners, pairwise_giou

from losssplit import companion_of, split_by_source

pytestmark = pytest.mark.usefixtures("hold_weakly")

NUM_CLASSES = 4  # logits carry one more: the no-object class
VOCAB = 5
IGNORE = -100
LOSS_WEIGHTS = [1.0, 0.95, 0.5, 0.3, 0.0]  # real >= 0.9; 0.0 masks the image's rows out
DATASETS = ["coco", "synth", "web"]
ROW_WEIGHTS = [1.0, 0.5, 2.0, 0.0, -1.0]
_g = torch.Generator().manual_seed(1234)
CLASS_WEIGHT = torch.rand(NUM_CLASSES + 1, generator=_g) + 0.1  # a buffer, in the closure
EMPTY_WEIGHT = torch.ones(NUM_CLASSES + 1)
EMPTY_WEIGHT[-1] = 0.1  # DETR's eos_coef
VOCAB_WEIGHT = torch.rand(VOCAB, generator=_g) + 0.1
EXAMPLES = int(os.environ.get('ORACLE_EXAMPLES', 50))  # random batches per body (seeded)


# ---------------------------------------------------------------------------------------------
# Helpers the bodies call: matched-row gathers and [B, Q] class targets.


def row_weights(targets, indices, mode):
    """A per-row factor [M], built the ways criteria build it (None: no factor)."""
    if mode == "rows":  # per-row weights carried by the targets
        return torch.cat([t["w"][J] for t, (_, J) in zip(targets, indices)])
    if mode == "lw_full":  # the seed: each image's loss_weight repeated over its rows
        return torch.cat([torch.full((len(J),), float(t["loss_weight"])) for t, (_, J) in zip(targets, indices)])
    if mode == "lw_index":  # one weight per image, gathered by batch_idx
        batch_idx, _ = matched_index(indices)
        return torch.tensor([float(t["loss_weight"]) for t in targets])[batch_idx]
    assert mode == "none"
    return None


def image_weights(targets, mode):
    """A per-image factor [B] (None: no factor)."""
    if mode == "lw":
        return torch.tensor([float(t["loss_weight"]) for t in targets])
    if mode == "img_w":
        return torch.stack([t["img_w"] for t in targets])
    assert mode == "none"
    return None


def matched_boxes(outputs, targets, indices):
    idx = matched_index(indices)
    src = outputs["boxes"][idx]
    tgt = torch.cat([t["boxes"][J] for t, (_, J) in zip(targets, indices)], dim=0)
    return src, tgt


def target_classes(outputs, targets, indices):
    """[B, Q] class targets: no-object everywhere, matched queries get their labels."""
    idx = matched_index(indices)
    target_classes_o = torch.cat([t["labels"][J] for t, (_, J) in zip(targets, indices)])
    tc = torch.full(outputs["logits"].shape[:2], NUM_CLASSES, dtype=torch.int64)
    tc[idx] = target_classes_o
    return tc


def focal_inputs(outputs, targets, indices):
    src_logits = outputs["logits"][..., :NUM_CLASSES]
    tc = target_classes(outputs, targets, indices)
    onehot = torch.zeros([src_logits.shape[0], src_logits.shape[1], NUM_CLASSES + 1], dtype=src_logits.dtype)
    onehot.scatter_(2, tc.unsqueeze(-1), 1)
    return src_logits, onehot[:, :, :-1], tc


# ---------------------------------------------------------------------------------------------
# The bodies: factory(mode) -> body(outputs, targets, indices) -> {key: loss}.
# "rows" says what a row is, for "a group with no rows has no key": matched rows, or something
# every image has (queries, tokens, the image itself).


def seed_ce(mode):
    def body(outputs, targets, indices):
        idx = matched_index(indices)
        x = outputs["logits"][idx]
        y = torch.cat([t["labels"][J] for t, (_, J) in zip(targets, indices)])
        loss = F.cross_entropy(x, y, CLASS_WEIGHT, reduction="none")
        w = row_weights(targets, indices, mode)
        if w is not None:
            loss = loss * w
        return {"loss_relation": loss.mean()}

    return body


def l1_sum_over_m(mode):
    def body(outputs, targets, indices):
        src, tgt = matched_boxes(outputs, targets, indices)
        loss = F.l1_loss(src, tgt, reduction="none")
        w = row_weights(targets, indices, mode)
        if w is not None:
            loss = loss * w[:, None]
        m = max(src.shape[0], 1)  # the matched rows, counted here
        return {"loss_bbox": loss.sum() / m}

    return body


def giou_diag(mode):
    def body(outputs, targets, indices):
        src, tgt = matched_boxes(outputs, targets, indices)
        loss = 1 - torch.diag(pairwise_giou(corners(src), corners(tgt)))
        w = row_weights(targets, indices, mode)
        if w is not None:
            loss = loss * w
        num_boxes = sum(len(t["labels"]) for t in targets)  # DETR, before the all_reduce
        num_boxes = torch.as_tensor([num_boxes], dtype=torch.float).clamp(min=1).item()
        return {"loss_giou": loss.sum() / num_boxes}

    return body


def relation_three_terms(mode):
    """The seed's three relation terms in one call: CE * w mean, L1 and GIoU over num_boxes."""

    def body(outputs, targets, indices):
        idx = matched_index(indices)
        y = torch.cat([t["labels"][J] for t, (_, J) in zip(targets, indices)])
        w = row_weights(targets, indices, mode)
        ce = F.cross_entropy(outputs["logits"][idx], y, CLASS_WEIGHT, reduction="none")
        src, tgt = matched_boxes(outputs, targets, indices)
        l1 = F.l1_loss(src, tgt, reduction="none")
        giou = 1 - torch.diag(pairwise_giou(corners(src), corners(tgt)))
        if w is not None:
            ce, l1, giou = ce * w, l1 * w.unsqueeze(1), giou * w
        num_boxes = float(max(sum(len(J) for _, J in indices), 1))
        return {
            "loss_relation": ce.mean(),
            "loss_bbox_relation": l1.sum() / num_boxes,
            "loss_giou_relation": giou.sum() / num_boxes,
        }

    return body


def class_weighted_ce(mode):
    def body(outputs, targets, indices):
        tc = target_classes(outputs, targets, indices)
        logits = outputs["logits"].transpose(1, 2)
        w = image_weights(targets, mode)
        if w is None:
            return {"loss_ce": F.cross_entropy(logits, tc, EMPTY_WEIGHT)}
        loss = F.cross_entropy(logits, tc, EMPTY_WEIGHT, reduction="none")  # [B, Q]
        return {"loss_ce": (loss * w[:, None]).mean()}

    return body


def focal_num_boxes_in_body(mode):
    """Focal-weighted BCE over [B, Q, C] (``* Q`` included), num_boxes counted in the body as a
    tensor over the matched rows. Rows of the loss are images (what ``.mean(1)`` leaves); the
    normaliser is a sum over matched rows, so the oracle's den is S's matched rows (min 1)."""

    def body(outputs, targets, indices):
        src_logits, onehot, tc = focal_inputs(outputs, targets, indices)
        target_classes_o = torch.cat([t["labels"][J] for t, (_, J) in zip(targets, indices)])
        if mode == "target_classes":  # counted on DETR's [B, Q] target_classes: see the xfail below
            num_boxes = (tc != NUM_CLASSES).sum().clamp(min=1)
        elif mode == "python":  # DETR's own num_boxes, a number: read as opaque (README)
            num_boxes = float(max(sum(len(t["labels"]) for t in targets), 1))
        else:
            num_boxes = torch.ones_like(target_classes_o, dtype=torch.float).sum().clamp(min=1)
        return {"loss_ce": focal_bce(src_logits, onehot, num_boxes) * src_logits.shape[1]}

    return body


def exist_masked_l1(mode):
    def body(outputs, targets, indices):
        src, tgt = matched_boxes(outputs, targets, indices)
        exist = torch.cat([t["exists"][J] for t, (_, J) in zip(targets, indices)], dim=0).float()
        loss = F.l1_loss(src, tgt, reduction="none")
        w = row_weights(targets, indices, mode)
        if w is not None:
            loss = loss * w[:, None]
        return {"loss_obj_bbox": (loss * exist.unsqueeze(1)).sum() / (exist.sum() + 1e-4)}

    return body


def mask_sum_clamped(mode):
    def body(outputs, targets, indices):
        src, tgt = matched_boxes(outputs, targets, indices)
        mask = torch.cat([t["exists"][J] for t, (_, J) in zip(targets, indices)], dim=0).float()
        loss = F.smooth_l1_loss(src, tgt, reduction="none").sum(-1)
        w = row_weights(targets, indices, mode)
        if w is not None:
            loss = loss * w
        return {"loss_masked": (loss * mask).sum() / mask.sum().clamp(min=1)}

    return body


def weight_normalised(mode):
    def body(outputs, targets, indices):
        idx = matched_index(indices)
        y = torch.cat([t["labels"][J] for t, (_, J) in zip(targets, indices)])
        loss = F.cross_entropy(outputs["logits"][idx], y, reduction="none")
        if mode.endswith("_sum_first"):  # the normaliser taken before the factor is used
            w = row_weights(targets, indices, mode.removesuffix("_sum_first"))
            z = w.sum()
            return {"loss_wmean": (loss * w).sum() / z}
        w = row_weights(targets, indices, mode)
        return {"loss_wmean": (loss * w).sum() / w.sum()}

    return body


def token_ce_mean(mode):
    def body(outputs, targets, indices):
        labels = torch.stack([t["tokens"] for t in targets])  # [B, T]
        logits = outputs["tokens"]  # [B, T, V]
        cw = VOCAB_WEIGHT if mode == "vocab_w" else None
        return {"loss_lm": F.cross_entropy(logits.view(-1, VOCAB), labels.view(-1), cw, ignore_index=IGNORE)}

    return body


def token_ce_sum_over_valid(mode):
    def body(outputs, targets, indices):
        labels = torch.stack([t["tokens"] for t in targets])
        logits = outputs["tokens"]
        if mode == "clamp":
            loss = F.cross_entropy(logits.reshape(-1, VOCAB), labels.reshape(-1), ignore_index=IGNORE, reduction="sum")
            return {"loss_lm": loss / (labels != IGNORE).sum().clamp(min=1)}
        loss = F.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=IGNORE, reduction="none")
        w = image_weights(targets, mode)
        if w is not None:
            loss = (loss.view(labels.shape) * w[:, None]).flatten()
        return {"loss_lm": loss.sum() / (labels != IGNORE).sum()}

    return body


def bce_row_weight(mode):
    def body(outputs, targets, indices):
        idx = matched_index(indices)
        x = outputs["logits"][idx][:, :NUM_CLASSES]
        y = F.one_hot(torch.cat([t["labels"][J] for t, (_, J) in zip(targets, indices)]), NUM_CLASSES).float()
        w = row_weights(targets, indices, mode)
        weight = w[:, None] if w is not None else None
        return {"loss_bce": F.binary_cross_entropy_with_logits(x, y, weight=weight)}

    return body


def per_image_ce(outputs, targets, indices, b):
    src, J = indices[b]
    tc = torch.full((outputs["logits"].shape[1],), NUM_CLASSES, dtype=torch.int64)
    tc[src] = targets[b]["labels"][J]
    return F.cross_entropy(outputs["logits"][b], tc, EMPTY_WEIGHT)


def loop_sum_over_len(mode):
    def body(outputs, targets, indices):
        return {"loss_img": sum(per_image_ce(outputs, targets, indices, b) for b in range(len(targets))) / len(targets)}

    return body


def loop_sum_of_row_sums_over_len(mode):
    """Per-image summed L1 over the image's matched rows, summed over images, / len(targets):
    each image's term is one row (an image with no matched rows contributes a 0)."""

    def body(outputs, targets, indices):
        per_image = [
            F.l1_loss(outputs["boxes"][b][src], t["boxes"][J], reduction="sum")
            for b, (t, (src, J)) in enumerate(zip(targets, indices))
        ]
        return {"loss_img_l1": sum(per_image) / len(targets)}

    return body


def loop_per_image_normalised(mode):
    """Each image's L1 sum divided by its own matched-row count (a Python number), stacked, mean."""

    def body(outputs, targets, indices):
        losses = []
        for b, (t, (src, J)) in enumerate(zip(targets, indices)):
            loss = F.l1_loss(outputs["boxes"][b][src], t["boxes"][J], reduction="sum")
            losses.append(loss / max(len(J), 1))
        return {"loss_img_l1": torch.stack(losses).mean()}

    return body


def loop_stack_mean(mode):
    def body(outputs, targets, indices):
        losses = torch.stack([per_image_ce(outputs, targets, indices, b) for b in range(len(targets))])
        w = image_weights(targets, mode)
        if w is not None:
            losses = losses * w
        return {"loss_img": losses.mean()}

    return body


def sums_of_sums(mode):
    def body(outputs, targets, indices):
        src, tgt = matched_boxes(outputs, targets, indices)
        l1 = F.l1_loss(src, tgt, reduction="none")
        giou = 1 - torch.diag(pairwise_giou(corners(src), corners(tgt)))
        w = row_weights(targets, indices, mode)
        if w is not None:
            l1, giou = l1 * w[:, None], giou * w
        num_boxes = max(sum(len(J) for _, J in indices), 1)
        return {"loss_box": (l1.sum() + giou.sum()) / num_boxes, "loss_box_sum": l1.sum() + 2 * giou.sum()}

    return body


ROW_MODES = ["none", "rows", "lw_full", "lw_index"]
IMAGE_MODES = ["none", "lw", "img_w"]
Factory = Callable[[str], Callable]
BODIES: dict[str, tuple[Factory, str, list[str]]] = {
    "seed_ce_w_mean": (seed_ce, "matched", ROW_MODES),
    "l1_w_sum_over_m": (l1_sum_over_m, "matched", ROW_MODES),
    "giou_diag_over_num_boxes": (giou_diag, "matched", ROW_MODES),
    "seed_relation_three_terms": (relation_three_terms, "matched", ROW_MODES),
    "class_weighted_ce_over_queries": (class_weighted_ce, "every image", IMAGE_MODES),
    "focal_num_boxes_tensor_in_body": (focal_num_boxes_in_body, "every image", ["ones"]),
    "exist_masked_l1_over_mask_sum_eps": (exist_masked_l1, "matched", ROW_MODES),
    "mask_sum_clamp_min_1": (mask_sum_clamped, "matched", ROW_MODES),
    "weighted_sum_over_weight_sum": (weight_normalised, "matched", ["rows", "lw_full", "lw_index", "rows_sum_first"]),
    "token_ce_ignore_index_mean": (token_ce_mean, "every image", ["none", "vocab_w"]),
    "token_ce_sum_over_valid_tokens": (token_ce_sum_over_valid, "every image", ["clamp", *IMAGE_MODES]),
    "bce_per_row_weight": (bce_row_weight, "matched", ROW_MODES),
    "loop_sum_over_len_targets": (loop_sum_over_len, "every image", ["none"]),
    "loop_sum_of_row_sums_over_len": (loop_sum_of_row_sums_over_len, "every image", ["none"]),
    "loop_per_image_normalised_stack_mean": (loop_per_image_normalised, "every image", ["none"]),
    "loop_stack_mean": (loop_stack_mean, "every image", IMAGE_MODES),
    "sums_of_summed_losses": (sums_of_sums, "matched", ROW_MODES),
}

# Regions of a body's batches where the companion is known to differ from the oracle; each is
# pinned by a strict xfail below with a minimal batch, and left out of the property.
# (none since survey 22: token CE with a per-image factor on one image, its region until then, is in
# the property again since session 29)
KNOWN_DISCREPANCIES: dict[str, Callable[[dict], bool]] = {}


# ---------------------------------------------------------------------------------------------
# Batches, the oracle, and the property.


def batch(rng: random.Random, modes: Sequence[str]) -> dict:
    """A random batch for a body that reads its operands in one of ``modes``; a third of them
    set one of the traps (rows per image == B, total rows == B, one row, one image)."""
    trap = rng.choice(["free", "free", "rows_per_image_eq_B", "total_rows_eq_B", "one_row", "one_image"])
    b = 1 if trap == "one_image" else rng.randint(1, 6)
    if trap == "one_row":  # M == 1
        counts = [0] * b
        counts[rng.randint(0, b - 1)] = 1
    elif trap == "rows_per_image_eq_B" and b <= 5:
        counts = [b] * b
    elif trap == "total_rows_eq_B":  # b rows dealt to the b images
        owners = [rng.randint(0, b - 1) for _ in range(b)]
        counts = [owners.count(i) for i in range(b)]
    else:
        counts = [rng.randint(0, 5) for _ in range(b)]
    n_datasets = rng.randint(2, 3)
    return {
        "counts": counts,
        "queries": rng.randint(max(5, *counts), 7),
        "tokens": rng.randint(1, 6),
        "source": rng.choice(["loss_weight", "dataset"]),
        "loss_weights": [rng.choice(LOSS_WEIGHTS) for _ in range(b)],
        "datasets": [rng.choice(DATASETS[:n_datasets]) for _ in range(b)],
        "row_weights": [[rng.choice(ROW_WEIGHTS) for _ in range(n)] for n in counts],
        "image_weights": [rng.choice(ROW_WEIGHTS) for _ in range(b)],
        "mode": rng.choice(list(modes)),
        "seed": rng.randint(0, 2**16),
    }


def make(spec):
    g = torch.Generator().manual_seed(spec["seed"])
    b, q, t_len = len(spec["counts"]), spec["queries"], spec["tokens"]
    outputs = {
        "logits": torch.randn(b, q, NUM_CLASSES + 1, generator=g),
        "boxes": torch.rand(b, q, 4, generator=g) * 0.5 + 0.25,
        "tokens": torch.randn(b, t_len, VOCAB, generator=g),
    }
    targets, indices = [], []
    for i, n in enumerate(spec["counts"]):
        tokens = torch.randint(0, VOCAB, (t_len,), generator=g)
        tokens[torch.rand(t_len, generator=g) < 0.3] = IGNORE
        targets.append({
            "labels": torch.randint(0, NUM_CLASSES, (n,), generator=g),
            "boxes": torch.rand(n, 4, generator=g) * 0.5 + 0.25,
            "exists": torch.randint(0, 2, (n,), generator=g),
            "w": torch.tensor(spec["row_weights"][i], dtype=torch.float32),
            "img_w": torch.tensor(spec["image_weights"][i]),
            "tokens": tokens,
            "loss_weight": spec["loss_weights"][i],
            "dataset": spec["datasets"][i],
        })
        indices.append((torch.randperm(q, generator=g)[:n], torch.randperm(n, generator=g)))
    return outputs, targets, indices


def group_of(target, source):
    if source == "dataset":
        return target["dataset"]
    return "real" if target["loss_weight"] >= 0.9 else "synthetic"


# bodies whose sum is over a normaliser floored by a constant: a group without matched rows (in a
# batch with some) has the body's empty sum over the floor (0), a value like any other. True: also
# in a batch without any (a clamped tensor); ``max(src.shape[0], 1)`` (session 42) returns the
# literal 1 there, a plain sum of no rows, no term to split (DESIGN §1: a group without rows has none)
FLOORED = {"mask_sum_clamp_min_1": True, "giou_diag_over_num_boxes": True, "l1_w_sum_over_m": False}


def expected_companions(body, rows, spec, outputs, targets, indices, floored=None):
    def has_rows(images):
        return (rows != "matched" or floored or floored is False and sum(spec["counts"]) > 0
                or sum(spec["counts"][i] for i in images) > 0)

    labels = [group_of(t, spec["source"]) for t in targets]
    return oracle_companions(body, [outputs, targets, indices], [ROWS, TARGETS, PER_IMAGE], labels,
                             group_of=str, has_rows=has_rows)


def check(name, spec):
    factory, rows, _ = BODIES[name]
    body = factory(spec["mode"])
    decorated = split_by_source(source=spec["source"])(body)
    outputs, targets, indices = make(spec)

    mine, theirs = leaves(outputs), leaves(outputs)
    with logged_warnings() as messages:
        out = decorated(mine, targets, indices)
    plain = body(theirs, targets, indices)
    assert set(plain) <= set(out)
    for key, value in plain.items():  # training unchanged: bit for bit, NaN included
        assert torch.equal(bits(out[key]), bits(value)), key
    sum(out.values()).backward()  # detectron2 sums every value, companions included
    sum(plain.values()).backward()
    for k in mine:
        a, b = mine[k].grad, theirs[k].grad
        assert (a is None and b is None) or torch.equal(bits(a), bits(b)), k

    got = {k: v.item() for k, v in out.items() if companion_of(v) is not None}
    assert set(out) == set(plain) | set(got)
    assert all(not out[k].requires_grad and out[k].dtype == torch.float32 for k in got)
    want = expected_companions(body, rows, spec, outputs, targets, indices, FLOORED.get(name))
    groups = {group_of(t, spec["source"]) for t in targets}
    # Z equals several counts of the batch; ``* Q`` with Q equal to the images reads as ``* batch_size``
    times_images = {m.split("'")[1] for m in messages if "an int equal to the number of images" in m}
    declined = {f"{key}_{g}" for key in ambiguous_keys(messages) | times_images for g in groups}
    want = {k: v for k, v in want.items() if k not in declined}
    assert set(got) == set(want), (sorted(got), sorted(want))
    assert got == pytest.approx(want, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("name", list(BODIES))
def test_companion_is_the_body_run_on_the_group_alone(name, hold_weakly):
    # the large-tensor paths ("weakly") are the same arithmetic: fewer examples there
    rng = random.Random(f"{name}-{hold_weakly}")
    known = KNOWN_DISCREPANCIES.get(name)
    for i in range(EXAMPLES if hold_weakly == "held" else 15):
        spec = batch(rng, BODIES[name][2])
        if known is not None and known(spec):
            continue
        try:
            check(name, spec)
        except AssertionError as e:
            raise AssertionError(f"batch {i}: {spec}") from e


# ---------------------------------------------------------------------------------------------
# Discrepancies: the oracle applies (normalisers computed in the body from the batch, as README's
# "Which criteria are split" lists them), the companion differs. Minimal batches, strict xfails.


def spec_of(counts, mode, loss_weights, row_weights=None, tokens=3, source="loss_weight", seed=0):
    return {
        "counts": counts,
        "queries": 5,
        "tokens": tokens,
        "source": source,
        "loss_weights": loss_weights,
        "datasets": ["coco"] * len(counts),
        "row_weights": row_weights or [[1.0] * n for n in counts],
        "image_weights": [1.0] * len(counts),
        "mode": mode,
        "seed": seed,
    }


@pytest.mark.parametrize("mode", ["rows", "lw_full", "lw_index", "rows_sum_first"])
def test_weight_sum_normaliser_with_a_single_matched_row(mode):
    # one image, one matched row (M == 1), w = 0.5 (per-row) / loss_weight = 0.5 (per-image):
    # oracle = l * 1 / 1 = l (a one-row factor counts as 1 like any other)
    spec = spec_of([1], mode, [0.5], row_weights=[[0.5]])
    check("weighted_sum_over_weight_sum", spec)


@pytest.mark.parametrize("tokens", [1, 3])
def test_untracked_per_image_factor_on_a_viewed_token_loss_with_one_image(tokens):
    """Was a known limit (strict xfail until survey 22): token CE ``reduction='none'`` over
    ``logits.flatten(0, 1)``, ``.view(B, T) * w[:, None]`` with ``w = torch.tensor([t['loss_weight']
    ...])``, ``.sum()`` over the valid tokens: with B == 1 the factor on the one image's values was
    kept (0.95 times the oracle); now it counts 1, as with B >= 2."""
    spec = spec_of([0], "lw", [0.95], tokens=tokens)
    check("token_ce_sum_over_valid_tokens", spec)


# Formerly limits, now the oracle: a normaliser counted in the body from an index_put_ into a
# torch.full tensor, DETR's num_boxes as a Python number (the group's share of target instances),
# and a weight sum taken before the weight meets the rows it multiplies.
def test_focal_num_boxes_counted_on_target_classes():
    spec = spec_of([3, 1, 0], "target_classes", [1.0, 0.5, 0.3])
    check("focal_num_boxes_tensor_in_body", spec)


def test_python_num_boxes_is_the_groups_share_of_target_instances():
    check("focal_num_boxes_tensor_in_body", spec_of([3, 1, 0], "python", [1.0, 0.5, 0.3]))


def test_a_weight_summed_before_it_meets_its_rows():
    check("weighted_sum_over_weight_sum", spec_of([2, 1], "lw_full_sum_first", [0.5, 1.0]))


# A Python number dividing a summed loss: an outside normaliser only when it is one of the call's
# arguments (the group's share); equal to a local count, that count; otherwise a constant of the
# body, unchanged on the group (a literal, a configuration attribute).
COUNTS, SUM_WEIGHTS = [1, 2, 3, 1], [1.0, 0.5, 0.5, 1.0]


def summed_batch() -> tuple[dict, list]:
    g = torch.Generator().manual_seed(5)
    outputs = {"boxes": torch.randn(4, 3, 2, generator=g).requires_grad_()}
    targets = [{"labels": torch.zeros(n, dtype=torch.long), "boxes": torch.randn(3, 2, generator=g), "loss_weight": w}
               for n, w in zip(COUNTS, SUM_WEIGHTS)]
    return outputs, targets


def weighted_l1_sum(outputs, targets):
    w = torch.tensor([t["loss_weight"] for t in targets])
    return ((outputs["boxes"] - torch.stack([t["boxes"] for t in targets])).abs().sum((1, 2)) * w).sum()


def weighted_l1_elements(outputs, targets):
    w = torch.tensor([t["loss_weight"] for t in targets])
    return (outputs["boxes"] - torch.stack([t["boxes"] for t in targets])).abs() * w[:, None, None]


class Scaled:
    scale = 2.5

    def loss(self, outputs, targets):
        return {"loss": weighted_l1_sum(outputs, targets) / self.scale}


NUMBER_DIVISORS = {
    "literal": (lambda o, t: {"loss": weighted_l1_sum(o, t) / 3.0}, ()),
    "config_attribute": (Scaled().loss, ()),
    "literal_after_an_outside_normaliser": (lambda o, t, z: {"loss": weighted_l1_sum(o, t) / z / 3.0}, (Share(COUNTS),)),
    "outside_argument": (lambda o, t, z: {"loss": weighted_l1_sum(o, t) / z}, (Share(COUNTS),)),
    "outside_argument_plus_eps": (lambda o, t, z: {"loss": weighted_l1_sum(o, t) / (z + 1.2e-7)}, (Share(COUNTS),)),
    "images_counted": (lambda o, t: {"loss": weighted_l1_sum(o, t) / len(t)}, ()),
    "instances_counted": (lambda o, t: {"loss": weighted_l1_sum(o, t) / float(sum(len(x["labels"]) for x in t))}, ()),
    "elements_counted": (lambda o, t: {"loss": (e := weighted_l1_elements(o, t)).sum() / e.numel()}, ()),
    "elements_from_shapes": (lambda o, t: {"loss": weighted_l1_elements(o, t).sum() / math.prod(o["boxes"].shape)}, ()),
    "elements_floored_in_python": (lambda o, t: {"loss": (e := weighted_l1_elements(o, t)).sum() / max(1, e.numel())}, ()),
}


@pytest.mark.parametrize("case", list(NUMBER_DIVISORS))
def test_a_python_number_dividing_a_sum(case):
    body, extra = NUMBER_DIVISORS[case]
    outputs, targets = summed_batch()
    args = [outputs, targets] + [10.0] * len(extra)
    want = oracle_companions(body, args, [ROWS, TARGETS, *extra], SUM_WEIGHTS)
    got = {k: v.item() for k, v in split_and_compare(body, args).items() if k != "loss"}
    assert set(got) == set(want) == {"loss_real", "loss_synthetic"}
    assert got == pytest.approx(want, rel=1e-5)


def test_a_literal_divisor_equal_to_a_field_of_the_per_image_dicts_stays_a_constant():
    # ``image_id`` 3 in the targets is one image's data, not a normaliser passed in from outside
    outputs, targets = summed_batch()
    targets = [{**t, "image_id": torch.tensor([i + 1])} for i, t in enumerate(targets)]
    body = NUMBER_DIVISORS["literal"][0]
    want = oracle_companions(body, [outputs, targets], [ROWS, TARGETS], SUM_WEIGHTS)
    got = {k: v.item() for k, v in split_and_compare(body, [outputs, targets]).items() if k != "loss"}
    assert set(got) == set(want) == {"loss_real", "loss_synthetic"}
    assert got == pytest.approx(want, rel=1e-5)


# ---------------------------------------------------------------------------------------------
# Documented readings that are not this oracle (README "How a normaliser is read", "Known
# limits"): not discrepancies. Strict xfails, so that a change of reading shows up here.


def where_weighted(mode):
    def body(outputs, targets, indices):
        src, tgt = matched_boxes(outputs, targets, indices)
        loss = F.l1_loss(src, tgt, reduction="none").sum(-1)
        lw = row_weights(targets, indices, "lw_full")
        loss = torch.where(lw < 0.9, 0.5 * loss, loss)
        return {"loss_where": loss.mean()}

    return body


def test_a_weight_applied_through_torch_where_declines():
    """Was a documented reading, silently not the oracle (README Known limits until session 21):
    ``torch.where(lw < 0.9, 0.5 * loss, loss)`` with ``lw`` the seed's per-row weights (built from
    Python numbers) kept the 0.5 on the synthetic rows; on a group alone, weights 1, no row is
    halved. The mask tests the images' weights: the call declines, naming the op."""
    spec = spec_of([2, 1], "none", [0.5, 1.0])
    outputs, targets, indices = make(spec)
    with logged_warnings() as messages:
        out = split_by_source(source=spec["source"])(where_weighted(spec["mode"]))(leaves(outputs), targets, indices)
    assert set(out) == {"loss_where"}, sorted(out)
    assert any("a mask testing the images' weights" in m and "torch.where" in m for m in messages), messages
