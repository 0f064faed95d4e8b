"""Criterion patterns the library must split unmodified (DESIGN.md §2), each against per-image
values computed from scratch.

``MatchedQueryLosses`` holds the terms of a set-prediction detector whose matcher results are passed
in: class-weighted CE over all queries, L1 and pairwise-GIoU over matched rows, a focal-weighted BCE
and a quality-weighted BCE over [B, Q, C], and a box loss masked by an "exists" flag; plus a causal
LM's token loss. No weights, no edits. For group S:
- class-weighted CE mean: ``sum_S w[y] nll / sum_S w[y]``
- ``sum / Z`` (Z = num_boxes): ``sum_S l / (Z * N_S / N)``, rows N being matched boxes, or
  images for the [B, Q, C] losses whose rows are images after ``.mean(1)``
- token CE with ignore_index: mean over S's non-ignored tokens
"""

import logging

import pytest
import torch
import torch.nn.functional as F
from _helpers import companions, focal_bce, logged_warnings, matched_index
from seed_criterion import corners, pairwise_giou
from torch import nn

import losssplit
from losssplit import split_by_source

NUM_CLASSES = 5
pytestmark = pytest.mark.usefixtures("hold_weakly")

# Patterns that do not split under a grad mode today (issue 12: evaluation splits like training):
# test name -> (modes, why).
NO_GRAD_FAILING_TODAY: dict[str, tuple[tuple[str, ...], str]] = {}

# Patterns declined with a warning by design, with grad as without.
DECLINED_IN_EVERY_MODE = {
    "test_in_place_weighting_is_not_guessed",
    "test_ops_with_out_buffers_are_not_replayed",
    "test_per_image_weight_tensors_in_a_loop_are_not_taken_as_values",
    "test_unknown_op_drops_the_key_with_a_warning_naming_it",
}


@pytest.fixture(autouse=True, params=["grad", "no_grad", "inference_mode"])
def grad_mode(request, caplog):
    """Every pattern also under ``torch.no_grad()`` and ``torch.inference_mode()``, predictions
    made there as a model makes them (not requiring grad): the same companions (the test's own
    expectations), and no key given up for want of attribution."""
    if request.param == "grad":
        yield request.param
        return
    name = request.node.originalname
    modes, why = NO_GRAD_FAILING_TODAY.get(name, ((), ""))
    if request.param in modes:
        request.applymarker(pytest.mark.xfail(strict=True, reason=f"issue 12: {why}"))
    caplog.set_level(logging.WARNING, logger="losssplit")
    with torch.no_grad() if request.param == "no_grad" else torch.inference_mode():
        yield request.param
    if request.param in modes or name in DECLINED_IN_EVERY_MODE:
        return  # the mark says why / the test asserts its own warnings
    messages = [r.getMessage() for r in caplog.get_records("call") if r.name == "losssplit"]
    assert not [m for m in messages if "could be attributed" in m or "does not derive" in m], messages


def matched_targets(targets, indices, field):
    """The matched rows of a per-image target field, concatenated in matched-row order."""
    return torch.cat([t[field][rows] for t, (_, rows) in zip(targets, indices)])


def query_classes(logits, targets, indices):
    """[B, Q] class per query: the background class, overwritten at the matched queries."""
    classes = torch.full(logits.shape[:2], NUM_CLASSES, dtype=torch.int64, device=logits.device)
    classes[matched_index(indices)] = matched_targets(targets, indices, "labels")
    return classes


class MatchedQueryLosses(nn.Module):
    """Loss terms over queries matched to target rows (``indices``: per image, (queries, rows))."""

    def __init__(self, background_weight=0.1):
        super().__init__()
        class_weight = torch.ones(NUM_CLASSES + 1)
        class_weight[-1] = background_weight
        self.register_buffer("class_weight", class_weight)

    def class_weighted_ce(self, outputs, targets, indices, num_boxes):
        """CE over every query, [B, C, Q] layout, background down-weighted: a class-weighted mean."""
        logits = outputs["pred_logits"]
        classes = query_classes(logits, targets, indices)
        return {"loss_ce": F.cross_entropy(logits.transpose(1, 2), classes, self.class_weight)}

    def box_l1_and_giou(self, outputs, targets, indices, num_boxes):
        """L1 [M, 4] and ``1 - diag(pairwise GIoU [M, M])`` over matched rows, each / num_boxes."""
        pred = outputs["pred_boxes"][matched_index(indices)]
        true = matched_targets(targets, indices, "boxes")
        l1 = F.l1_loss(pred, true, reduction="none")
        giou = 1 - torch.diag(pairwise_giou(corners(pred), corners(true)))
        return {"loss_bbox": l1.sum() / num_boxes, "loss_giou": giou.sum() / num_boxes}

    def focal_over_queries(self, outputs, targets, indices, num_boxes):
        """Focal-weighted BCE over [B, Q, C] one-hot targets (no background column), ``* Q``."""
        logits = outputs["pred_logits"][..., :NUM_CLASSES]
        classes = query_classes(logits, targets, indices)
        onehot = torch.zeros(
            [logits.shape[0], logits.shape[1], logits.shape[2] + 1],
            dtype=logits.dtype, layout=logits.layout, device=logits.device,
        )
        onehot.scatter_(2, classes.unsqueeze(-1), 1)
        return {"loss_ce": focal_bce(logits, onehot[:, :, :-1], num_boxes) * logits.shape[1]}

    def quality_weighted_bce(self, outputs, targets, indices, num_boxes, alpha=0.75, gamma=2.0):
        """BCE-with-logits over [B, Q, C], ``weight=`` and soft targets from the matched IoU."""
        idx = matched_index(indices)
        pred = outputs["pred_boxes"][idx]
        true = matched_targets(targets, indices, "boxes")
        iou = torch.diag(pairwise_giou(corners(pred), corners(true))).detach()
        logits = outputs["pred_logits"][..., :NUM_CLASSES]
        classes = query_classes(logits, targets, indices)
        onehot = F.one_hot(classes, num_classes=NUM_CLASSES + 1)[..., :-1]
        quality = torch.zeros_like(classes, dtype=logits.dtype)
        quality[idx] = iou.to(quality.dtype)
        soft = quality.unsqueeze(-1) * onehot
        weight = alpha * F.sigmoid(logits).detach().pow(gamma) * (1 - onehot) + soft
        loss = F.binary_cross_entropy_with_logits(logits, soft, weight=weight, reduction="none")
        return {"loss_vfl": loss.mean(1).sum() * logits.shape[1] / num_boxes}

    def exist_masked_l1(self, outputs, targets, indices, num_boxes):
        """L1 over matched rows whose object exists, / (number of such rows + 1e-4)."""
        pred = outputs["pred_boxes"][matched_index(indices)]
        true = matched_targets(targets, indices, "boxes")
        exists = matched_targets(targets, indices, "exists").float()
        loss = F.l1_loss(pred, true, reduction="none")
        return {"loss_obj_bbox": (loss * exists.unsqueeze(1)).sum() / (exists.sum() + 1e-4)}


def make_matched_batch(counts, sources, seed=0, queries=6):
    g = torch.Generator().manual_seed(seed)
    b = len(counts)
    outputs = {
        "pred_logits": torch.randn(b, queries, NUM_CLASSES + 1, generator=g).requires_grad_(torch.is_grad_enabled()),
        "pred_boxes": (torch.rand(b, queries, 4, generator=g) * 0.5 + 0.25).requires_grad_(torch.is_grad_enabled()),
    }
    targets, indices = [], []
    for n, s in zip(counts, sources):
        targets.append({
            "labels": torch.randint(0, NUM_CLASSES, (n,), generator=g),
            "boxes": torch.rand(n, 4, generator=g) * 0.5 + 0.25,
            "exists": torch.randint(0, 2, (n,), generator=g),
            "dataset": s,
        })
        indices.append((torch.randperm(queries, generator=g)[:n], torch.randperm(n, generator=g)))
    return outputs, targets, indices, float(max(sum(counts), 1))


COUNTS = [
    [2, 0, 1, 1],  # M == B, uneven
    [3, 1, 2],
    [1],
    [4, 4, 4, 4],  # rows per image == B
]
SOURCES = {4: ["coco", "synth", "synth", "coco"], 3: ["synth", "coco", "synth"], 1: ["coco"]}


def decorate(method):
    return split_by_source(source="dataset")(method)


def groups_of(targets):
    return sorted({t["dataset"] for t in targets})


@pytest.mark.parametrize("counts", COUNTS)
def test_class_weighted_ce_over_queries(counts):
    crit = MatchedQueryLosses()
    outputs, targets, indices, num_boxes = make_matched_batch(counts, SOURCES[len(counts)])
    out = decorate(MatchedQueryLosses.class_weighted_ce)(crit, outputs, targets, indices, num_boxes)
    assert torch.equal(out["loss_ce"], crit.class_weighted_ce(outputs, targets, indices, num_boxes)["loss_ce"])
    want = {}
    for g in groups_of(targets):
        num = den = 0.0
        for b, (t, (src, J)) in enumerate(zip(targets, indices)):
            if t["dataset"] != g:
                continue
            classes = torch.full((outputs["pred_logits"].shape[1],), NUM_CLASSES)
            classes[src] = t["labels"][J]
            nll = F.cross_entropy(outputs["pred_logits"][b].detach(), classes, reduction="none")
            w = crit.class_weight[classes]
            num += (w * nll).sum().item()
            den += w.sum().item()
        want[f"loss_ce_{g}"] = num / den
    assert companions(out) == pytest.approx(want, rel=1e-5)


@pytest.mark.parametrize("counts", COUNTS)
def test_l1_and_giou_over_matched_rows(counts):
    crit = MatchedQueryLosses()
    outputs, targets, indices, num_boxes = make_matched_batch(counts, SOURCES[len(counts)])
    out = decorate(MatchedQueryLosses.box_l1_and_giou)(crit, outputs, targets, indices, num_boxes)
    plain = crit.box_l1_and_giou(outputs, targets, indices, num_boxes)
    for k in plain:
        assert torch.equal(out[k], plain[k])
    n = sum(counts)
    want = {}
    for g in groups_of(targets):
        l1 = giou = 0.0
        rows = 0
        for b, (t, (src, J)) in enumerate(zip(targets, indices)):
            if t["dataset"] != g:
                continue
            for q, j in zip(src.tolist(), J.tolist()):
                box, tbox = outputs["pred_boxes"][b, q].detach(), t["boxes"][j]
                l1 += (box - tbox).abs().sum().item()
                giou += 1 - pairwise_giou(corners(box[None]), corners(tbox[None]))[0, 0].item()
                rows += 1
        if rows:
            want[f"loss_bbox_{g}"] = l1 / (num_boxes * rows / n)
            want[f"loss_giou_{g}"] = giou / (num_boxes * rows / n)
    assert companions(out) == pytest.approx(want, rel=1e-5)


def per_image_focal(outputs, targets, indices, b):
    t, (src, J) = targets[b], indices[b]
    logits = outputs["pred_logits"][b, :, :NUM_CLASSES].detach()
    onehot = torch.zeros(logits.shape[0], NUM_CLASSES)
    onehot[src, t["labels"][J]] = 1
    prob = logits.sigmoid()
    ce = F.binary_cross_entropy_with_logits(logits, onehot, reduction="none")
    p_t = prob * onehot + (1 - prob) * (1 - onehot)
    alpha_t = 0.25 * onehot + 0.75 * (1 - onehot)
    return (alpha_t * ce * (1 - p_t) ** 2).mean(0).sum().item()


@pytest.mark.parametrize("counts", COUNTS)
def test_focal_bce_over_queries_normalised_by_num_boxes(counts):
    crit = MatchedQueryLosses()
    outputs, targets, indices, num_boxes = make_matched_batch(counts, SOURCES[len(counts)])
    out = decorate(MatchedQueryLosses.focal_over_queries)(crit, outputs, targets, indices, num_boxes)
    assert torch.equal(out["loss_ce"], crit.focal_over_queries(outputs, targets, indices, num_boxes)["loss_ce"])
    q = outputs["pred_logits"].shape[1]
    boxes = [len(t["labels"]) for t in targets]
    want = {}
    for g in groups_of(targets):
        images = [i for i, t in enumerate(targets) if t["dataset"] == g]
        total = sum(per_image_focal(outputs, targets, indices, i) for i in images)
        # num_boxes passed in: the group's share of the target boxes (its own count when
        # num_boxes is the batch's count); a group without boxes has no companion
        boxes_s = sum(boxes[i] for i in images)
        den = boxes_s if num_boxes == sum(boxes) else num_boxes * boxes_s / sum(boxes)
        if den:
            want[f"loss_ce_{g}"] = q * total / den
    assert companions(out) == pytest.approx(want, rel=1e-5)


@pytest.mark.parametrize("counts", COUNTS)
def test_quality_weighted_bce_with_a_weight_argument(counts):
    crit = MatchedQueryLosses()
    outputs, targets, indices, num_boxes = make_matched_batch(counts, SOURCES[len(counts)])
    out = decorate(MatchedQueryLosses.quality_weighted_bce)(crit, outputs, targets, indices, num_boxes)
    plain = crit.quality_weighted_bce(outputs, targets, indices, num_boxes)
    assert torch.equal(out["loss_vfl"], plain["loss_vfl"])
    # All images in one group and the same normaliser: the companion is the main value.
    for t in targets:
        t["dataset"] = "all"
    out = decorate(MatchedQueryLosses.quality_weighted_bce)(crit, outputs, targets, indices, num_boxes)
    assert out["loss_vfl_all"].item() == pytest.approx(plain["loss_vfl"].item(), rel=1e-5)


@pytest.mark.parametrize("counts", COUNTS)
def test_exist_masked_box_loss(counts):
    crit = MatchedQueryLosses()
    outputs, targets, indices, num_boxes = make_matched_batch(counts, SOURCES[len(counts)])
    out = decorate(MatchedQueryLosses.exist_masked_l1)(crit, outputs, targets, indices, num_boxes)
    plain = crit.exist_masked_l1(outputs, targets, indices, num_boxes)
    assert torch.equal(out["loss_obj_bbox"], plain["loss_obj_bbox"])
    # The normaliser is itself a sum over rows (exist.sum() + 1e-4): per group, over its rows.
    want = {}
    for g in groups_of(targets):
        total, exist, rows = 0.0, 0.0, 0
        for b, (t, (src, J)) in enumerate(zip(targets, indices)):
            if t["dataset"] != g:
                continue
            for q, j in zip(src.tolist(), J.tolist()):
                if t["exists"][j]:  # the mask is respected: masked rows add nothing
                    total += (outputs["pred_boxes"][b, q].detach() - t["boxes"][j]).abs().sum().item()
                    exist += 1
                rows += 1
        if rows:
            want[f"loss_obj_bbox_{g}"] = total / (exist + 1e-4)
    assert companions(out) == pytest.approx(want, rel=1e-4)


class Lm(nn.Module):
    """A causal LM's token loss: shift by one, flatten, CE with ignore_index."""

    @split_by_source
    def forward(self, logits, labels):
        shift_logits = logits[..., :-1, :].contiguous()
        shift_labels = labels[..., 1:].contiguous()
        loss = F.cross_entropy(shift_logits.view(-1, shift_logits.size(-1)), shift_labels.view(-1), ignore_index=-100)
        return {"loss": loss}


@pytest.mark.parametrize("batch, seq", [(4, 7), (5, 6), (3, 4)])  # seq - 1 == batch: the trap
def test_token_ce_with_ignore_index_over_a_data_mixture(batch, seq):
    g = torch.Generator().manual_seed(batch)
    vocab = 11
    logits = torch.randn(batch, seq, vocab, generator=g, requires_grad=torch.is_grad_enabled())
    labels = torch.randint(0, vocab, (batch, seq), generator=g)
    lengths = torch.randint(2, seq + 1, (batch,), generator=g)
    for i, n in enumerate(lengths.tolist()):
        labels[i, n:] = -100
    mixture = ["web", "code", "web", "math", "code"][:batch]
    with losssplit.sources(mixture):
        out = Lm()(logits, labels)
    assert torch.equal(out["loss"], Lm.forward.__wrapped__(None, logits, labels)["loss"])
    want = {}
    for src in set(mixture):
        nll, count = 0.0, 0
        for i, s in enumerate(mixture):
            if s != src:
                continue
            y = labels[i, 1:]
            keep = y != -100
            if keep.any():
                nll += F.cross_entropy(logits[i, :-1][keep].detach(), y[keep], reduction="sum").item()
                count += int(keep.sum())
        if count:
            want[f"loss_{src}"] = nll / count
    assert companions(out) == pytest.approx(want, rel=1e-5)


class WithAuxLayers(MatchedQueryLosses):
    @split_by_source(source="dataset")
    def forward(self, outputs, targets, indices, num_boxes):
        losses = {}
        losses.update(self.box_l1_and_giou(outputs, targets, indices, num_boxes))
        for i, aux in enumerate(outputs["aux_outputs"]):
            l_dict = self.box_l1_and_giou(aux, targets, indices, num_boxes)
            losses.update({k + f"_{i}": v for k, v in l_dict.items()})
        return losses


def test_auxiliary_decoder_layers_each_get_companions():
    outputs, targets, indices, num_boxes = make_matched_batch([2, 1, 3, 0], SOURCES[4])
    outputs["aux_outputs"] = [
        {"pred_boxes": (torch.rand_like(outputs["pred_boxes"]) * 0.5 + 0.25).requires_grad_(torch.is_grad_enabled())} for _ in range(4)
    ]  # as many layers as images
    out = WithAuxLayers()(outputs, targets, indices, num_boxes)
    for i in range(4):
        aux = outputs["aux_outputs"][i]
        single = decorate(MatchedQueryLosses.box_l1_and_giou)(MatchedQueryLosses(), aux, targets, indices, num_boxes)
        for g in ("coco", "synth"):
            assert out[f"loss_bbox_{i}_{g}"].item() == pytest.approx(single[f"loss_bbox_{g}"].item(), rel=1e-6)
            assert out[f"loss_giou_{i}_{g}"].item() == pytest.approx(single[f"loss_giou_{g}"].item(), rel=1e-6)


def test_unknown_op_drops_the_key_with_a_warning_naming_it(warnings_of):
    @split_by_source(source="dataset")
    def crit(outputs, targets, indices, num_boxes):
        l1 = F.l1_loss(outputs["pred_boxes"], torch.zeros_like(outputs["pred_boxes"]), reduction="none")
        return {
            "loss_odd": torch.einsum("bqc,dqc->", l1, l1),  # every two images' rows paired
            "loss_fine": l1.mean(),
        }

    outputs, targets, indices, num_boxes = make_matched_batch([1, 2], ["a", "b"])
    out = crit(outputs, targets, indices, num_boxes)
    assert "loss_fine_a" in out and not any(k.startswith("loss_odd_") for k in out)
    (message,) = [m for m in warnings_of() if "loss_odd" in m]
    assert "einsum" in message


def test_classification_batch_with_sources_and_per_row_tensor_labels():
    @split_by_source
    def crit(logits, y):
        return {"loss_ce": F.cross_entropy(logits, y, label_smoothing=0.1)}

    logits, y = torch.randn(6, 4), torch.randint(0, 4, (6,))
    with losssplit.sources(torch.tensor([1.0, 0.5, 1.0, 1.0, 0.2, 0.5])):
        out = crit(logits, y)
    real = F.cross_entropy(logits[[0, 2, 3]], y[[0, 2, 3]], label_smoothing=0.1).item()
    synth = F.cross_entropy(logits[[1, 4, 5]], y[[1, 4, 5]], label_smoothing=0.1).item()
    assert out["loss_ce_real"].item() == pytest.approx(real, rel=1e-5)
    assert out["loss_ce_synthetic"].item() == pytest.approx(synth, rel=1e-5)


# -- a table of small bodies: each op family against per-image means computed directly ------------

IMAGES = 4
LABELS = ["a", "b", "a", "b"]


def _rows_batch():
    g = torch.Generator().manual_seed(11)
    pred = torch.rand(IMAGES, 3, 2, generator=g, requires_grad=torch.is_grad_enabled())
    targets = [{"y": torch.rand(3, 2, generator=g), "dataset": s} for s in LABELS]
    return pred, targets


def _per_image_mean(per_image):
    """{group: mean of per-image values over that group's images} (one row per image)."""
    out = {}
    for g in sorted(set(LABELS)):
        vals = [v for v, s in zip(per_image, LABELS) if s == g]
        out[f"loss_{g}"] = sum(vals) / len(vals)
    return out


def body_cdist_diag(pred, targets):
    a = pred.flatten(1)
    b = torch.stack([t["y"].flatten() for t in targets])
    return {"loss": torch.diag(torch.cdist(a, b)).mean()}


def ref_cdist_diag(pred, targets):
    return [(pred[i].detach().flatten() - t["y"].flatten()).norm().item() for i, t in enumerate(targets)]


def body_matmul_diag(pred, targets):
    a = pred.flatten(1)
    b = torch.stack([t["y"].flatten() for t in targets])
    return {"loss": torch.diag(a @ b.T).mean()}


def ref_matmul_diag(pred, targets):
    return [(pred[i].detach().flatten() @ t["y"].flatten()).item() for i, t in enumerate(targets)]


def body_bool_mask(pred, targets):
    y = torch.stack([t["y"] for t in targets])
    keep = y[..., 0] > 0.3  # [B, 3]
    return {"loss": (pred[keep] - y[keep]).abs().sum(-1).mean()}


def ref_bool_mask(pred, targets):
    out = []
    for i, t in enumerate(targets):
        keep = t["y"][:, 0] > 0.3
        rows = (pred[i].detach()[keep] - t["y"][keep]).abs().sum(-1)
        out.append(rows.tolist())
    return out


def body_gather_index_select(pred, targets):
    order = torch.arange(IMAGES - 1, -1, -1)
    flipped = pred.index_select(0, order)  # rows follow the index
    y = torch.stack([t["y"] for t in targets]).index_select(0, order)
    picked = torch.gather(flipped, 2, torch.zeros(IMAGES, 3, 1, dtype=torch.long))
    return {"loss": (picked.squeeze(-1) - y[..., 0]).pow(2).mean()}


def ref_gather_index_select(pred, targets):
    return [(pred[i, :, 0].detach() - t["y"][:, 0]).pow(2).mean().item() for i, t in enumerate(targets)]


@pytest.mark.parametrize(
    "body, ref",
    [
        (body_cdist_diag, ref_cdist_diag),
        (body_matmul_diag, ref_matmul_diag),
        (body_gather_index_select, ref_gather_index_select),
    ],
    ids=["cdist+diag", "matmul+diag", "gather+index_select"],
)
def test_op_families_one_row_per_image(body, ref):
    pred, targets = _rows_batch()
    out = split_by_source(source="dataset")(body)(pred, targets)
    assert torch.equal(out["loss"], body(pred, targets)["loss"])
    assert companions(out) == pytest.approx(_per_image_mean(ref(pred, targets)), rel=1e-5)


def test_boolean_mask_rows_follow_their_images():
    pred, targets = _rows_batch()
    out = split_by_source(source="dataset")(body_bool_mask)(pred, targets)
    per_image = ref_bool_mask(pred, targets)
    want = {}
    for g in sorted(set(LABELS)):
        rows = [r for rs, s in zip(per_image, LABELS) if s == g for r in rs]
        if rows:
            want[f"loss_{g}"] = sum(rows) / len(rows)
    assert companions(out) == pytest.approx(want, rel=1e-5)


# -- per-row weights and normalisers, written the ways people write them -----------------------

MIX = ["real", "real", "real", "synthetic", "synthetic", "synthetic"]


def _ce_batch():
    g = torch.Generator().manual_seed(5)
    logits = torch.randn(6, 5, generator=g, requires_grad=torch.is_grad_enabled())
    y = torch.randint(0, 5, (6,), generator=g)
    w = torch.tensor([1.0, 0.0, 1.0, 0.5, 0.5, 0.5])  # a zero weight drops its row
    per_row = F.cross_entropy(logits.detach(), y, reduction="none")
    return logits, y, w, per_row


def _split_mean(per_row, keep):
    return {
        f"loss_{g}": per_row[[i for i, s in enumerate(MIX) if s == g and keep[i]]].sum().item()
        / sum(1 for i, s in enumerate(MIX) if s == g and keep[i])
        for g in ("real", "synthetic")
    }


def test_a_weight_named_as_an_argument_counts_as_one():
    logits, y, w, per_row = _ce_batch()

    @split_by_source(weight="w")
    def crit(logits, y, w):
        return {"loss": (F.cross_entropy(logits, y, reduction="none") * w).sum() / (w != 0).sum()}

    with losssplit.sources(MIX):
        out = crit(logits, y, w)
    # the body on each group with w set to 1: every row counts, the zero-weight one too
    assert companions(out) == pytest.approx(_split_mean(per_row, [True] * 6), rel=1e-6)


def test_a_per_row_factor_that_is_not_the_weight_field_is_arithmetic():
    logits, y, w, per_row = _ce_batch()

    @split_by_source
    def crit(logits, y, w):
        return {"loss": (F.cross_entropy(logits, y, reduction="none") * w).sum() / (w != 0).sum()}

    with losssplit.sources(MIX):
        out = crit(logits, y, w)
    want = {  # sum of l * w over the group's rows, over its non-zero rows
        f"loss_{g}": sum(per_row[i].item() * w[i].item() for i, s in enumerate(MIX) if s == g)
        / sum(1 for i, s in enumerate(MIX) if s == g and w[i] != 0)
        for g in ("real", "synthetic")
    }
    assert companions(out) == pytest.approx(want, rel=1e-6)


def test_weighted_mean_normalised_by_the_weights():
    logits, y, w, per_row = _ce_batch()

    @split_by_source
    def crit(logits, y):
        losses = F.cross_entropy(logits, y, reduction="none")
        return {"loss": (losses * w).sum() / w.sum()}

    with losssplit.sources(MIX):
        out = crit(logits, y)
    # w is the body's arithmetic (no weight field here): the group's weighted mean
    want = {
        f"loss_{g}": sum(per_row[i].item() * w[i].item() for i, s in enumerate(MIX) if s == g)
        / sum(w[i].item() for i, s in enumerate(MIX) if s == g)
        for g in ("real", "synthetic")
    }
    assert companions(out) == pytest.approx(want, rel=1e-6)


def test_bce_per_row_weight_argument_is_the_bodys_arithmetic():
    logits, _, w, _ = _ce_batch()
    target = torch.rand(6, 5, generator=torch.Generator().manual_seed(1))
    per_row = F.binary_cross_entropy_with_logits(logits.detach(), target, reduction="none").mean(1)

    @split_by_source
    def crit(logits, target):
        return {"loss": F.binary_cross_entropy_with_logits(logits, target, weight=w[:, None])}

    with losssplit.sources(MIX):
        out = crit(logits, target)
    assert torch.equal(out["loss"], crit.__wrapped__(logits, target)["loss"])
    # mean over the group's elements of the weighted values (3 rows of 5 each)
    want = {
        f"loss_{g}": sum(per_row[i].item() * w[i].item() for i, s in enumerate(MIX) if s == g) / 3
        for g in ("real", "synthetic")
    }
    assert companions(out) == pytest.approx(want, rel=1e-6)


def test_token_sum_over_valid_tokens():
    g = torch.Generator().manual_seed(2)
    logits = torch.randn(4, 5, 7, generator=g, requires_grad=torch.is_grad_enabled())
    labels = torch.randint(0, 7, (4, 5), generator=g)
    labels[0, 2:] = -100
    labels[3, 1:] = -100
    mixture = ["web", "code", "web", "code"]

    @split_by_source
    def crit(logits, labels):
        total = F.cross_entropy(logits.view(-1, 7), labels.view(-1), reduction="sum")
        return {"loss": total / (labels != -100).sum()}

    with losssplit.sources(mixture):
        out = crit(logits, labels)
    want = {}
    for src in ("web", "code"):
        rows = [i for i, s in enumerate(mixture) if s == src]
        keep = labels[rows] != -100
        nll = F.cross_entropy(logits[rows].detach()[keep], labels[rows][keep], reduction="sum")
        want[f"loss_{src}"] = nll.item() / keep.sum().item()
    assert companions(out) == pytest.approx(want, rel=1e-6)


def test_in_place_weighting_is_not_guessed(warnings_of):
    logits, y, w, _ = _ce_batch()

    @split_by_source
    def crit(logits, y):
        losses = F.cross_entropy(logits, y, reduction="none")
        losses *= w
        return {"loss": losses.mean()}

    with losssplit.sources(MIX):
        out = crit(logits, y)
    assert list(out) == ["loss"]
    assert any("'loss'" in m and "mul" in m for m in warnings_of())


def test_ops_with_out_buffers_are_not_replayed():
    logits, y, w, _ = _ce_batch()

    @split_by_source
    def crit(logits, y):
        with torch.no_grad():
            losses = F.cross_entropy(logits, y, reduction="none")
            buf = torch.empty_like(losses)
            torch.mul(losses, w, out=buf)
            return {"loss": buf.mean()}

    with losssplit.sources(MIX):
        out = crit(logits, y)
    assert torch.equal(out["loss"], crit.__wrapped__(logits, y)["loss"])


# -- per-image loops and sums of several losses ------------------------------------------------


def _loop_batch():
    g = torch.Generator().manual_seed(9)
    counts = [2, 1, 3, 2]
    preds = torch.rand(4, 3, 4, generator=g, requires_grad=torch.is_grad_enabled())
    targets = [{"boxes": torch.rand(n, 4, generator=g), "dataset": s} for n, s in zip(counts, LABELS)]
    per_image = [(preds[b, : t["boxes"].shape[0]].detach() - t["boxes"]).abs().mean().item() for b, t in enumerate(targets)]
    return preds, targets, per_image


def test_python_loop_over_images_then_divided_by_images():
    preds, targets, per_image = _loop_batch()

    @split_by_source(source="dataset")
    def crit(preds, targets):
        losses = [F.l1_loss(preds[b, : t["boxes"].shape[0]], t["boxes"]) for b, t in enumerate(targets)]
        return {"loss": sum(losses) / len(targets)}

    out = crit(preds, targets)
    assert torch.equal(out["loss"], crit.__wrapped__(preds, targets)["loss"])
    assert companions(out) == pytest.approx(_per_image_mean(per_image), rel=1e-6)


def test_stacked_per_image_losses():
    preds, targets, per_image = _loop_batch()

    @split_by_source(source="dataset")
    def crit(preds, targets):
        losses = torch.stack([F.l1_loss(preds[b, : t["boxes"].shape[0]], t["boxes"]) for b, t in enumerate(targets)])
        return {"loss": losses.mean()}

    out = crit(preds, targets)
    assert companions(out) == pytest.approx(_per_image_mean(per_image), rel=1e-6)


def test_sum_of_two_summed_losses_over_the_same_rows():
    outputs, targets, indices, num_boxes = make_matched_batch([3, 1, 2], SOURCES[3])

    @split_by_source(source="dataset")
    def both(outputs, targets, indices, num_boxes):
        idx = matched_index(indices)
        src = outputs["pred_boxes"][idx]
        tgt = torch.cat([t["boxes"][i] for t, (_, i) in zip(targets, indices)])
        l1 = F.l1_loss(src, tgt, reduction="none").sum(1)
        sq = F.mse_loss(src, tgt, reduction="none").sum(1)
        return {"loss": (l1.sum() + sq.sum()) / num_boxes}

    out = both(outputs, targets, indices, num_boxes)
    n = 6  # matched rows
    want = {}
    for g in groups_of(targets):
        total, rows = 0.0, 0
        for b, (t, (src, J)) in enumerate(zip(targets, indices)):
            if t["dataset"] == g:
                d = outputs["pred_boxes"][b, src].detach() - t["boxes"][J]
                total += (d.abs().sum() + d.pow(2).sum()).item()
                rows += len(J)
        want[f"loss_{g}"] = total / (num_boxes * rows / n)
    assert companions(out) == pytest.approx(want, rel=1e-5)


def test_normaliser_forms_follow_the_groups_rows():
    logits, y, w, per_row = _ce_batch()
    m = torch.tensor([1.0, 0.0, 1.0, 1.0, 0.0, 0.0])
    info = torch.stack([w, torch.tensor([3.0, 1.0, 2.0, 2.0, 4.0, 1.0])], 1)  # weight, count columns
    box = torch.rand(6, 4, generator=torch.Generator().manual_seed(3))

    def run(body, *extra):
        with losssplit.sources(MIX):
            return companions(split_by_source(body)(logits, y, *extra))

    def mean_over(keep):
        return _split_mean(per_row, keep)

    def weighted(values, factor, normaliser):  # sum of values * factor over the group's rows / normaliser's
        return {
            f"loss_{g}": sum(values[i].item() * factor[i].item() for i, s in enumerate(MIX) if s == g)
            / sum(normaliser[i].item() for i, s in enumerate(MIX) if s == g)
            for g in ("real", "synthetic")
        }

    # the normaliser summed before the factor is used; the factor passed in (data: arithmetic)
    def before(logits, y, w):
        z = w.sum()
        return {"loss": (F.cross_entropy(logits, y, reduction="none") * w).sum() / z}

    assert run(before, w) == pytest.approx(weighted(per_row, w, w), rel=1e-6)

    # the same with a factor from the enclosing scope, summed before it meets the rows
    def before_closure(logits, y):
        z = w.sum()
        return {"loss": (F.cross_entropy(logits, y, reduction="none") * w).sum() / z}

    assert run(before_closure) == pytest.approx(weighted(per_row, w, w), rel=1e-6)

    # a factor written as a view of a vector from the enclosing scope
    def view(logits, y):
        l1 = F.l1_loss(logits[:, :4], box, reduction="none")
        return {"loss": (l1 * w[:, None]).sum() / w.sum()}

    l1_rows = F.l1_loss(logits.detach()[:, :4], box, reduction="none").sum(1)
    assert run(view) == pytest.approx(weighted(l1_rows, w, w), rel=1e-6)

    # a count column next to a factor column of one tensor
    def columns(logits, y, info):
        return {"loss": (F.cross_entropy(logits, y, reduction="none") * info[:, 0]).sum() / info[:, 1].sum()}

    assert run(columns, info) == pytest.approx(weighted(per_row, info[:, 0], info[:, 1]), rel=1e-6)

    # mask.sum().clamp(min=1): clamped per group too
    def clamped(logits, y):
        return {"loss": (F.cross_entropy(logits, y, reduction="none") * m).sum() / m.sum().clamp(min=1)}

    assert run(clamped) == pytest.approx(mean_over(m.bool().tolist()), rel=1e-6)


def test_bce_weight_summed_then_normalised_by_the_weights():
    logits, _, w, _ = _ce_batch()
    target = torch.rand(6, 5, generator=torch.Generator().manual_seed(4))
    per_row = F.binary_cross_entropy_with_logits(logits.detach(), target, reduction="none").sum(1)

    @split_by_source
    def crit(logits, target, w):
        total = F.binary_cross_entropy_with_logits(logits, target, weight=w[:, None], reduction="sum")
        return {"loss": total / w.sum()}

    with losssplit.sources(MIX):
        out = crit(logits, target, w)
    want = {  # w is the body's arithmetic: the group's weighted sum over its weight sum
        f"loss_{g}": sum(per_row[i].item() * w[i].item() for i, s in enumerate(MIX) if s == g)
        / sum(w[i].item() for i, s in enumerate(MIX) if s == g)
        for g in ("real", "synthetic")
    }
    assert companions(out) == pytest.approx(want, rel=1e-6)


@pytest.mark.parametrize("weight", ["loss_weight", "w"])
def test_per_image_tensors_in_a_loop(weight):
    preds, targets, _ = _loop_batch()
    for t in targets:
        t["w"] = torch.tensor(1.0 if t["dataset"] == "a" else 0.5)

    @split_by_source(source="dataset", weight=weight)
    def crit(preds, targets):
        losses = [t["w"] * F.l1_loss(preds[b, : t["boxes"].shape[0]], t["boxes"]) for b, t in enumerate(targets)]
        return {"loss": sum(losses) / len(targets)}

    out = crit(preds, targets)
    # the body on each group's images: another field is arithmetic; the weight field counts 1
    want = {}
    for g in ("a", "b"):
        images = [b for b, t in enumerate(targets) if t["dataset"] == g]
        scale = [1.0 if weight == "w" else float(targets[b]["w"]) for b in images]
        each = [F.l1_loss(preds.detach()[b, : targets[b]["boxes"].shape[0]], targets[b]["boxes"]).item() for b in images]
        want[f"loss_{g}"] = sum(s * e for s, e in zip(scale, each)) / len(images)
    assert companions(out) == pytest.approx(want, rel=1e-6)


def test_count_and_metric_keys_split_as_the_body_on_the_group_alone():
    """A returned count or accuracy of the images' data (``(argmax == y).sum()``, ``.float().mean()``)
    is a key too: its companion is the body's value on the group's images alone. A count changed as
    a normaliser is (``.clamp(min=1)``) is not split, with a warning naming it."""
    logits, y, _, _ = _ce_batch()

    @split_by_source
    def crit(logits, y):
        hit = logits.argmax(-1) == y
        return {"loss": F.cross_entropy(logits, y), "n_correct": hit.sum(), "accuracy": hit.float().mean(),
                "n_floor": hit.sum().clamp(min=1)}

    with losssplit.sources(MIX), logged_warnings() as said:
        out = crit(logits, y)
    assert any("'n_floor'" in m for m in said), said
    hit = (logits.argmax(-1) == y).float()
    want = {}
    for g, rows in (("real", slice(0, 3)), ("synthetic", slice(3, 6))):
        want[f"n_correct_{g}"] = hit[rows].sum().item()
        want[f"accuracy_{g}"] = hit[rows].mean().item()
    got = {k: v for k, v in companions(out).items() if not k.startswith("loss")}
    assert got == pytest.approx(want)
