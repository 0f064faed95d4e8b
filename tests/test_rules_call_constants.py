"""A number passed in times a constant of the call (DINO's denoising ``num_boxes * G``, ``G``
read from the ``dn_meta`` dict the call is given): on a group alone the oracle (DESIGN.md §1) gives
the body that very dict, so ``G`` is the same and the divisor is ``G`` times the group's share of
``num_boxes``. A field of a dict argument is such a constant where the call was given it and it
still holds it when the body reads it, also through locals the body unpacks it into and through a
helper that divides by the product it is passed (``_focal(logits, onehot, norm)``). It is not one
where the call computes it from its own inputs, which the oracle recomputes on the group's images:
written into the dict by the body (``meta["k"] = len(t)``), a dict the body builds from the batch,
or ``len(t)`` itself; those decline with a warning naming the key."""

from __future__ import annotations

import pytest
import torch
from _helpers import (
    COUNT_BATCHES,
    COUNT_LENGTHS,
    KEEP,
    ROWS,
    TARGETS,
    Share,
    count_batch,
    outcome_class,
    split_outcome,
)

GROUPS = 3  # the model's denoising groups, a module constant


def _err(o, t):
    return (o["x"] - torch.stack([s["y"] for s in t])).abs()  # [B, 3, 4]


def _outcomes(body, meta=None, batches=COUNT_BATCHES):
    """``body(outputs, targets, meta, num_boxes)`` on each count batch, ``num_boxes`` the instances
    passed in (each group's share) and ``meta`` kept as given, also as ``outputs["dn_meta"]``:
    "wrong", "exact" or "declined" per batch, and every warning."""
    seen, said = [], []
    for seed, weights in batches:
        o, t = count_batch(seed, weights)
        counts = COUNT_LENGTHS[seed]
        m = {"single_pad": 2 * max(counts), "G": GROUPS} if meta is None else meta(t)
        o["dn_meta"] = m
        got, want, warned = split_outcome(body, [o, t, m, float(sum(counts))], [ROWS, TARGETS, KEEP, Share(counts)])
        seen.append(outcome_class(got, want))
        said += warned
    return seen, said


def _over_meta_inline(o, t, meta, num_boxes):
    return {"loss": _err(o, t).sum() / (num_boxes * meta["G"])}


def _over_meta_unpacked(o, t, dn_meta, num_boxes):
    """DINO's: the meta's numbers unpacked into locals, the normaliser kept in a local."""
    single, groups = dn_meta["single_pad"], dn_meta["G"]
    norm = num_boxes * groups
    picked = _err(o, t)[:, torch.arange(groups) * single % 3]  # the groups' first queries
    return {"loss": _err(o, t).sum() / norm, "loss_first": picked.sum() / norm}


def _focal(e, num_boxes):
    return (e * e).mean(2).sum() / num_boxes


def _over_meta_through_a_helper(o, t, dn_meta, num_boxes):
    """DINO's focal: a helper divides by the product the body passes it."""
    norm = num_boxes * dn_meta["G"]
    return {"loss_ce": _focal(_err(o, t), norm) * 3, "loss_bbox": _err(o, t).sum() / norm}


def _over_outputs_meta(outputs, t, meta, num_boxes):
    return {"loss": _err(outputs, t).sum() / (num_boxes * outputs["dn_meta"]["G"])}


@pytest.mark.parametrize("body", [_over_meta_inline, _over_meta_unpacked, _over_meta_through_a_helper,
                                  _over_outputs_meta])
def test_a_number_passed_in_times_a_field_of_a_dict_argument_splits(body):
    seen, said = _outcomes(body)
    assert seen == ["exact"] * len(seen), said


def test_a_field_equal_to_a_count_of_the_batch_is_still_the_dicts_own():
    """``G`` equal to the images on the batches of 3 (or to the instances): the oracle keeps the
    dict, so the group divides by 3 times its share too."""
    seen, said = _outcomes(_over_meta_inline, lambda t: {"G": len(t)}, [b for b in COUNT_BATCHES if len(b[1]) == 3])
    assert seen == ["exact"] * len(seen), said


# -- near misses: the call computes the factor from its inputs, the oracle recomputes it ------------------


def _meta_written_from_the_targets(o, t, meta, num_boxes):
    meta["written_groups"] = len(t)
    return {"loss": _err(o, t).sum() / (num_boxes * meta["written_groups"])}


def _meta_built_from_the_targets(o, t, meta, num_boxes):
    own = {"G": len(t)}
    groups = own["G"]
    return {"loss": _err(o, t).sum() / (num_boxes * groups)}


def _times_the_images_through_a_helper(o, t, meta, num_boxes):
    norm = num_boxes * len(t)
    return {"loss": _focal(_err(o, t), norm)}


def _times_itself_through_a_helper(o, t, meta, num_boxes):
    norm = num_boxes * num_boxes
    return {"loss": _focal(_err(o, t), norm)}


@pytest.mark.parametrize("body", [_meta_written_from_the_targets, _meta_built_from_the_targets,
                                  _times_the_images_through_a_helper, _times_itself_through_a_helper])
def test_a_factor_the_call_computes_from_its_inputs_declines(body):
    seen, said = _outcomes(body)
    assert "wrong" not in seen, seen
    assert seen.count("declined") >= 4, seen  # (a batch of one group splits as returned)
    assert any("'loss'" in m for m in said), said


# -- a number the code proves made of constants or of each image's sizes, beside host reads ----------------

SIDE = 6  # a module constant no function sets
_SET_BY_A_FUNCTION = 2


def _with_positives(seed, weights):
    o, t = count_batch(seed, weights)
    for i, s in enumerate(t):
        s["pos"] = torch.arange(1 + (i + seed) % 2)  # each image's positive anchors
    return o, t


def _batch_outcomes(body):
    seen, said = [], []
    for seed, weights in COUNT_BATCHES:
        got, want, warned = split_outcome(body, list(_with_positives(seed, weights)), [ROWS, TARGETS])
        seen.append(outcome_class(got, want))
        said += warned
    return seen, said


def _semantic_terms(o, t):
    """YOLACT's semantic BCE: each image's masks per class, its labels read on the host as places."""
    seg = 0.0
    for i, s in enumerate(t):
        sem = torch.zeros(4, 4)
        for lab in s["labels"].tolist():
            sem[lab] = 1.0
        seg = seg + torch.nn.functional.binary_cross_entropy_with_logits(o["x"][i], sem[:3], reduction="sum")
    return seg


def _positive_terms(o, t):
    loss = 0.0
    for i, s in enumerate(t):
        loss = loss + (o["x"][i][s["pos"]] ** 2).sum()
    return loss


def _over_a_global_after_host_reads(o, t):
    return {"loss": _semantic_terms(o, t) / SIDE / SIDE}


def _over_the_positives_summed(o, t):
    """YOLACT's ``total_num_pos``: the Python sum of each image's positives' count."""
    total = sum(len(s["pos"]) for s in t)
    return {"loss": _positive_terms(o, t) / total}


def _over_the_positives_summed_after_host_reads(o, t):
    m = _positive_terms(o, t)
    seg = _semantic_terms(o, t)
    total_pos = sum(s["pos"].numel() for s in t)
    total_pos = max(total_pos, 1)
    return {"loss_m": m * 6.125 / SIDE / total_pos, "loss_s": seg / SIDE / SIDE}


@pytest.mark.parametrize("body", [_over_a_global_after_host_reads, _over_the_positives_summed,
                                  _over_the_positives_summed_after_host_reads])
def test_a_number_made_of_constants_or_summed_sizes_splits_beside_host_reads(body):
    seen, said = _batch_outcomes(body)
    assert seen == ["exact"] * len(seen), said


def _over_a_number_read_on_the_host(o, t):
    seg = 0.0
    for i in range(len(t)):
        seg = seg + o["x"][i].sum()
    n = max(max(s["labels"].tolist()) for s in t) + 1  # the batch's largest label, read on the host
    return {"loss": seg / n}


def _set_from_the_batch(t):
    global _SET_BY_A_FUNCTION
    _SET_BY_A_FUNCTION = max(len(s["labels"]) for s in t)


def _over_a_global_a_function_sets(o, t):
    _set_from_the_batch(t)
    return {"loss": _semantic_terms(o, t) / _SET_BY_A_FUNCTION}


def _over_some_images_positives(o, t):
    total = sum(len(s["pos"]) for s in t[:2])
    return {"loss": _positive_terms(o, t) / total}


def _over_the_positives_plus_one_each(o, t):
    total = sum(len(s["pos"]) + 1 for s in t)
    return {"loss": _positive_terms(o, t) / total}


@pytest.mark.parametrize("body", [_over_a_number_read_on_the_host, _over_a_global_a_function_sets,
                                  _over_the_positives_plus_one_each, _over_some_images_positives])
def test_a_number_of_the_batch_beside_them_declines(body):
    """(``_over_some_images_positives``, 3 positives of the first two of 3 images, was read as the
    images: silently wrong before dino40.)"""
    seen, said = _batch_outcomes(body)
    assert "wrong" not in seen, seen
    assert seen.count("declined") >= 4, (seen, said)


# -- each image's own number filled into a tensor per image (MPDIoU's ``torch.full((n,), float(size))``) ------------


def _with_scales(seed, weights):
    o, t = count_batch(seed, weights)
    for i, s in enumerate(t):
        s["scale"] = 2.0 + i
    return o, t


def _image_errors(o, t):
    return (o["x"] - torch.stack([s["y"] for s in t])).abs().sum((1, 2))  # [B]


def _over_each_images_scale(o, t):
    d = torch.cat([torch.full((1,), s["scale"]) for s in t])
    return {"loss": (_image_errors(o, t) / d).sum() / len(t)}


def _over_each_images_scale_reversed(o, t):
    d = torch.cat([torch.full((1,), s["scale"]) for s in reversed(t)])
    return {"loss": (_image_errors(o, t) / d).sum() / len(t)}


@pytest.mark.parametrize("body", [_over_each_images_scale, _over_each_images_scale_reversed])
def test_each_images_number_filled_per_image_divides_its_own_rows_or_declines(body):
    """In the images' order, each image's rows over its own number; joined in reversed order (silently
    wrong before dino40: read as a constant, its rows other images' numbers) declined."""
    seen = []
    for seed, weights in COUNT_BATCHES:
        got, want, _ = split_outcome(body, list(_with_scales(seed, weights)), [ROWS, TARGETS])
        seen.append(outcome_class(got, want))
    assert seen == ["exact"] * len(seen) if body is _over_each_images_scale else seen.count("declined") >= 5, seen
