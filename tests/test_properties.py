"""Property tests: random batches against per-row references computed from scratch (DESIGN.md §1).

A batch has B images with n_b matched rows each (zero allowed), k elements per row, a label per
image and a per-row factor. Rows reach images only through DETR-style gathering
(``pred[(batch_idx, src_idx)]``). For group S with N_S of the N rows (every target is matched, so
rows are target instances too), a factor w (the image's ``loss_weight`` -- the weight field, set
to 1 -- or a per-row field ``w``, which stays) and a normaliser Z from outside the call:

- ``(l * w).mean()`` / ``l.mean()``     -> ``sum_S l*w / (N_S*k)``
- ``(l * w).sum()``                    -> ``sum_S l*w``
- ``(l * w).sum() / Z``                -> ``sum_S l*w / Z_S``
- ``l.mean(1).sum() / Z`` (focal)      -> ``sum_S mean_k(l) / Z_S``
- ``F.cross_entropy(x, y, cw)``        -> ``sum_S cw[y]*nll / sum_S cw[y]``, ignored rows left out
- ``(F.cross_entropy(x, y, cw, reduction='none') * w).mean()`` -> ``sum_S cw[y]*nll*w / N_S``

``Z_S`` is N_S when Z (a float here) is the batch's count N, and ``Z * N_S / N`` otherwise.

Every property also checks that main values and gradients are bit-identical to the undecorated
function, also when every dict value is summed into the loss.
"""

import math

import pytest
import torch
import torch.nn.functional as F
from _helpers import bits, companions, leaves
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import losssplit
from losssplit import split_by_source

pytestmark = pytest.mark.usefixtures("hold_weakly")

QUERIES = 5
CLASSES = 4
IGNORE = -100
LABELS = [1.0, 0.95, 0.9, 0.89, 0.5, 0.0]
DATASETS = ["coco", "synth", "web"]
WEIGHTS = [1.0, 0.5, 2.0, 0.0, -1.0]
REDUCTIONS = ["mean_w", "mean", "sum_w", "sumz_w", "focal", "ce_cw", "ce_ignore", "ce_none_w"]
OVERLAP = {"hi": lambda w: w >= 0.7, "lo": lambda w: w < 0.7, "all": lambda w: True}
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def make(spec):
    g = torch.Generator().manual_seed(spec["seed"])
    b, k = len(spec["counts"]), spec["width"]
    outputs = {
        "boxes": torch.rand(b, QUERIES, k, generator=g).requires_grad_(),
        "logits": torch.randn(b, QUERIES, CLASSES, generator=g).requires_grad_(),
    }
    targets, indices = [], []
    for i, n in enumerate(spec["counts"]):
        labels = torch.randint(0, CLASSES, (n,), generator=g)
        if spec["ignore"]:
            labels[torch.rand(n, generator=g) < 0.3] = IGNORE
        targets.append({
            "boxes": torch.rand(n, k, generator=g),
            "labels": labels,
            "w": torch.tensor([WEIGHTS[spec["row_weights"][i][r]] for r in range(n)]),
            "loss_weight": spec["labels"][i],
            "dataset": spec["datasets"][i],
        })
        indices.append((torch.randperm(QUERIES, generator=g)[:n], torch.randperm(n, generator=g)))
    n_rows = sum(spec["counts"])
    z = float(max(n_rows, 1)) if spec["z"] is None else spec["z"]
    class_weight = torch.rand(CLASSES, generator=g) + 0.1
    return outputs, targets, indices, z, class_weight


def criterion_for(reduction, weights, class_weight):
    """An undecorated criterion computing ``loss`` one way; ``class_weight`` lives in the closure
    (as a DETR buffer would), never in the call's arguments."""

    def criterion(outputs, targets, indices, num_boxes):
        batch_idx = torch.cat([torch.full_like(src, i) for i, (src, _) in enumerate(indices)])
        src_idx = torch.cat([src for src, _ in indices])
        if weights == "label":  # the seed: an untracked tensor of each image's loss_weight
            w = torch.cat([torch.full((len(j),), float(t["loss_weight"])) for t, (_, j) in zip(targets, indices)])
        elif weights == "rows":  # per-row weights carried by the targets
            w = torch.cat([t["w"][j] for t, (_, j) in zip(targets, indices)])
        else:
            w = None
        if reduction.startswith("ce"):
            x = outputs["logits"][(batch_idx, src_idx)]
            y = torch.cat([t["labels"][j] for t, (_, j) in zip(targets, indices)])
            if reduction == "ce_cw":
                return {"loss": F.cross_entropy(x, y, class_weight, ignore_index=IGNORE)}
            if reduction == "ce_ignore":
                return {"loss": F.cross_entropy(x, y, ignore_index=IGNORE)}
            ce = F.cross_entropy(x, y, class_weight, ignore_index=IGNORE, reduction="none")
            return {"loss": (ce * w).mean() if w is not None else ce.mean()}
        src = outputs["boxes"][(batch_idx, src_idx)]
        tgt = torch.cat([t["boxes"][j] for t, (_, j) in zip(targets, indices)])
        l1 = F.l1_loss(src, tgt, reduction="none")
        wl = l1 * w[:, None] if w is not None else l1
        if reduction == "mean_w":
            return {"loss": wl.mean()}
        if reduction == "mean":
            return {"loss": l1.mean()}
        if reduction == "sum_w":
            return {"loss": wl.sum()}
        if reduction == "sumz_w":
            return {"loss": wl.sum() / num_boxes}
        return {"loss": l1.mean(1).sum() / num_boxes}

    return criterion


def reference(spec, outputs, targets, indices, z, class_weight, weights, groups_of):
    """{companion key: value}, row by row in float64, per DESIGN.md §1."""
    reduction, k = spec["reduction"], spec["width"]
    per_group: dict[str, list[tuple[float, float]]] = {}  # group -> [(num, den) per row]
    n_rows = 0
    for b, (t, (src, tgt)) in enumerate(zip(targets, indices)):
        for q, j in zip(src.tolist(), tgt.tolist()):
            n_rows += 1
            mask = float(t["w"][j]) if weights == "rows" else 1.0  # the weight field counts 1
            if reduction.startswith("ce"):
                y = int(t["labels"][j])
                if y == IGNORE:
                    nll, cw = 0.0, 0.0
                else:
                    nll = F.cross_entropy(outputs["logits"][b, q].detach().double()[None], torch.tensor([y]), reduction="sum").item()
                    cw = float(class_weight[y]) if reduction != "ce_ignore" else 1.0
                if reduction == "ce_none_w":
                    row = (cw * nll * mask, 1.0)
                else:
                    row = (cw * nll, cw)
            else:
                err = (outputs["boxes"][b, q].detach().double() - t["boxes"][j].double()).abs()
                if reduction == "focal":
                    row = (err.mean().item(), 1.0)
                elif reduction == "mean":
                    row = (err.sum().item(), float(k))
                else:
                    row = (err.sum().item() * mask, float(k))
            for group in groups_of(t):
                per_group.setdefault(group, []).append(row)
    out = {}
    for group, rows in per_group.items():
        num = sum(r[0] for r in rows)
        n_s = len(rows)
        if reduction in ("mean_w", "mean", "ce_none_w"):
            den = sum(r[1] for r in rows)
        elif reduction == "sum_w":
            den = 1.0
        elif reduction in ("sumz_w", "focal"):
            den = n_s if z == n_rows else z * n_s / n_rows
        else:
            den = sum(r[1] for r in rows)
        if den != 0:
            out[f"loss_{group}"] = num / den
    return out


@st.composite
def specs(draw, one_group=False):
    b = draw(st.integers(1, 5))
    counts = draw(st.lists(st.integers(0, 4), min_size=b, max_size=b))
    reduction = draw(st.sampled_from(REDUCTIONS))
    return {
        "counts": counts,
        "labels": [1.0] * b if one_group else draw(st.lists(st.sampled_from(LABELS), min_size=b, max_size=b)),
        "datasets": draw(st.lists(st.sampled_from(DATASETS), min_size=b, max_size=b)),
        "row_weights": [draw(st.lists(st.integers(0, len(WEIGHTS) - 1), min_size=n, max_size=n)) for n in counts],
        "width": draw(st.integers(1, 4)),
        "seed": draw(st.integers(0, 2**16)),
        "z": draw(st.sampled_from([None, 0.5, 3.0])),
        "ignore": draw(st.booleans()) and reduction.startswith("ce"),
        "reduction": reduction,
        "weights": "label" if one_group else draw(st.sampled_from(["label", "rows", "none"])),
        "grouping": "threshold" if one_group else draw(st.sampled_from(["threshold", "dataset", "overlap"])),
    }


def run_both(spec, decorate_kwargs):
    """(decorated dict, undecorated dict, grads of both after summing every value, batch)."""
    outputs, targets, indices, z, class_weight = make(spec)
    body = criterion_for(spec["reduction"], spec["weights"], class_weight)
    decorated = split_by_source(**decorate_kwargs)(body)
    mine, theirs = leaves(outputs), leaves(outputs)
    out = decorated(mine, targets, indices, z)
    plain = body(theirs, targets, indices, z)
    sum(out.values()).backward()  # detectron2 sums every value, companions included
    sum(plain.values()).backward()
    return out, plain, mine, theirs, (outputs, targets, indices, z, class_weight)


@SETTINGS
@given(specs())
def test_companions_match_per_row_reference_and_training_is_unchanged(spec):
    grouping = spec["grouping"]
    if grouping == "dataset":
        options, groups_of = {"source": "dataset"}, lambda t: [t["dataset"]]
    elif grouping == "overlap":
        options, groups_of = {"groups": OVERLAP}, lambda t: [g for g, p in OVERLAP.items() if p(t["loss_weight"])]
    else:
        options, groups_of = {}, lambda t: ["real" if t["loss_weight"] >= 0.9 else "synthetic"]
    out, plain, mine, theirs, batch = run_both(spec, options)

    assert set(plain) <= set(out)
    for key, value in plain.items():
        assert torch.equal(bits(out[key]), bits(value)), key
    for name in mine:
        a, b = mine[name].grad, theirs[name].grad
        assert (a is None and b is None) or torch.equal(bits(a), bits(b)), name

    want = reference(spec, *batch, spec["weights"], groups_of)
    got = companions(out)
    assert set(got) == set(want)
    assert got == pytest.approx(want, rel=1e-5, abs=1e-6)
    assert all(math.isfinite(v) for v in got.values())
    assert all(not out[k].requires_grad and out[k].dtype == torch.float32 for k in got)


@SETTINGS
@given(specs(one_group=True))
def test_one_group_and_unit_weights_give_the_main_value(spec):
    out, plain, *_ = run_both(spec, {})
    main = plain["loss"].item()
    if sum(spec["counts"]) == 0 or not math.isfinite(main):  # no rows, or every row ignored
        assert set(out) == {"loss"}
        return
    assert set(out) == {"loss", "loss_real"}
    assert out["loss_real"].item() == pytest.approx(main, rel=1e-5, abs=1e-6)


@SETTINGS
@given(
    images=st.integers(1, 5),
    tokens=st.integers(1, 6),
    vocab=st.integers(2, 5),
    seed=st.integers(0, 2**16),
    weighted=st.booleans(),
    mixture=st.lists(st.sampled_from(DATASETS), min_size=5, max_size=5),
)
def test_token_ce_with_sources_matches_per_image_reference(images, tokens, vocab, seed, weighted, mixture):
    """LM-shaped batches labelled from the loop: rows of ``view(-1, V)`` are images' tokens."""
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(images, tokens, vocab, generator=g)
    labels = torch.randint(0, vocab, (images, tokens), generator=g)
    labels[torch.rand(images, tokens, generator=g) < 0.3] = IGNORE
    class_weight = torch.rand(vocab, generator=g) + 0.1 if weighted else None

    def body(x, y):
        return {"loss": F.cross_entropy(x.view(-1, vocab), y.view(-1), class_weight, ignore_index=IGNORE)}

    mixture = mixture[:images]
    mine, theirs = logits.clone().requires_grad_(), logits.clone().requires_grad_()
    with losssplit.sources(mixture):
        out = split_by_source(body)(mine, labels)
    plain = body(theirs, labels)
    out["loss"].backward()
    plain["loss"].backward()
    assert torch.equal(bits(out["loss"]), bits(plain["loss"]))
    assert torch.equal(bits(mine.grad), bits(theirs.grad))
    want = {}
    for src in set(mixture):
        num = den = 0.0
        for i, s in enumerate(mixture):
            for t in range(tokens):
                y = int(labels[i, t])
                if s != src or y == IGNORE:
                    continue
                cw = float(class_weight[y]) if weighted else 1.0
                num += cw * F.cross_entropy(logits[i, t].double()[None], torch.tensor([y]), reduction="sum").item()
                den += cw
        if den:
            want[f"loss_{src}"] = num / den
    assert companions(out) == pytest.approx(want, rel=1e-5, abs=1e-6)
