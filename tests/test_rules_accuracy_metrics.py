"""Accuracy metrics returned beside the losses, as DETR's ``SetCriterion.loss_labels`` returns
``class_error = 100 - accuracy(src_logits[idx], target_classes_o)[0]``, its ``accuracy`` (under
``torch.no_grad()``) scaling the hits in place, ``correct_k.mul_(100.0 / batch_size)``, with
``batch_size = target.size(0)`` the matched rows. Python's ``float`` arithmetic makes ``100.0 / n`` a
plain float, so the code is read (``_bytecode.sized_operand`` of a one-argument ``mul_``, its local
``batch_size`` followed to the size read); a constant times a metric of the images' data, or ``100 -``
it, keeps its meaning (``elementwise.constant_scaled``). Each was declined (a GAP of every DETR-family
criterion that logs ``class_error``); the oracle is each group's own accuracy over its matched rows.

``c - metric`` cancels in float32: 100 - 3 * 33.333332 is off by ~2e-6 from the body's on a group
alone, so the companions are compared at ``abs=1e-4`` (a 1e-6 of the metric's scale)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import split_outcome, wrong_companions
from _red_team26_bodies import DBATCHES, dbatch


def _class_head(o):
    b = o["pred_boxes"]  # the DETR-like batch's predictions: a three-class head made from them
    return torch.stack([b[..., 0] * 3, b[..., 1] * 3, b[..., 2] * 3], -1)


def _matched(o, t, idx):
    logits = _class_head(o)
    bi = torch.cat([torch.full_like(s, i) for i, (s, _) in enumerate(idx)])
    si = torch.cat([s for s, _ in idx])
    classes = torch.cat([s["labels"][j] for s, (_, j) in zip(t, idx)])
    return logits, bi, si, classes


@torch.no_grad()
def _accuracy(output, target, topk=(1,)):
    if target.numel() == 0:
        return [torch.zeros([], device=output.device)]
    maxk = max(topk)
    batch_size = target.size(0)
    _, pred = output.topk(maxk, 1, True, True)
    pred = pred.t()
    correct = pred.eq(target.view(1, -1).expand_as(pred))
    res = []
    for k in topk:
        correct_k = correct[:k].view(-1).float().sum(0)  # (DETR's; top-k of k > 1 needs reshape)
        res.append(correct_k.mul_(100.0 / batch_size))
    return res


def detr_loss_labels(o, t, idx, num_boxes):
    logits, bi, si, classes = _matched(o, t, idx)
    target_classes = torch.full(logits.shape[:2], 2, dtype=torch.int64)
    target_classes[bi, si] = classes
    ce = F.cross_entropy(logits.transpose(1, 2), target_classes)
    return {"loss_ce": ce, "class_error": 100 - _accuracy(logits[bi, si], classes)[0]}


def top2_accuracy(o, t, idx, num_boxes):
    logits, bi, si, classes = _matched(o, t, idx)
    with torch.no_grad():  # mmdet's ``accuracy``: the hits among the top 2, scaled in place
        pred = logits[bi, si].topk(2, dim=1)[1].t()
        correct = pred.eq(classes.view(1, -1).expand_as(pred))
        hits = correct[:2].reshape(-1).float().sum(0, keepdim=True)
        hits.mul_(100.0 / classes.size(0))
    return {"acc_top2": hits}


def scaled_in_place_by_a_direct_size(o, t, idx, num_boxes):
    logits, bi, si, classes = _matched(o, t, idx)
    with torch.no_grad():
        hits = (logits[bi, si].argmax(-1) == classes).float().sum()
        hits.mul_(100.0 / classes.size(0))
    return {"acc": hits}


def over_count_then_times_100(o, t, idx, num_boxes):
    logits, bi, si, classes = _matched(o, t, idx)
    hits = (logits[bi, si].argmax(-1) == classes).float()
    return {"acc": hits.sum() / classes.size(0) * 100}


def hundred_minus_moco_form(o, t, idx, num_boxes):
    logits, bi, si, classes = _matched(o, t, idx)
    hits = (logits[bi, si].argmax(-1) == classes).float()
    return {"err": 100 - hits.sum() * 100.0 / classes.size(0)}


EXACT = [detr_loss_labels, top2_accuracy, scaled_in_place_by_a_direct_size, over_count_then_times_100,
         hundred_minus_moco_form]


@pytest.mark.parametrize("body", EXACT, ids=lambda f: f.__name__)
@pytest.mark.parametrize("batch", sorted(DBATCHES))
def test_accuracy_metrics_split_exactly(body, batch):
    args, kinds = dbatch(batch)
    got, want, said = split_outcome(body, args, kinds)
    assert not wrong_companions(got, want, atol=1e-4), (got, want)
    assert set(got) == set(want), (got, want, said)


def scaled_by_a_host_count(o, t, idx, num_boxes):
    logits, bi, si, classes = _matched(o, t, idx)
    with torch.no_grad():
        hits = (logits[bi, si].argmax(-1) == classes).float().sum()
        hits.mul_(100.0 / float(hits + 1))
    return {"acc": hits}


def scaled_by_a_count_of_images(o, t, idx, num_boxes):
    logits, bi, si, classes = _matched(o, t, idx)
    hits = (logits[bi, si].argmax(-1) == classes).float()
    return {"acc": hits.sum() / classes.size(0) * (len(t) + 1)}


@pytest.mark.parametrize("body", [scaled_by_a_host_count, scaled_by_a_count_of_images], ids=lambda f: f.__name__)
def test_accuracy_scaled_by_a_number_of_the_batch_declines(body):
    """A scale that is a number of the batch (a host read of the hits, the images' count plus one)
    is no constant: the key declines with a warning naming it, never a wrong value."""
    for batch in sorted(DBATCHES):
        args, kinds = dbatch(batch)
        got, want, said = split_outcome(body, args, kinds)
        assert not wrong_companions(got, want, atol=1e-4), (batch, got, want)
        assert not got and any("'acc'" in m or "no companions for this call" in m for m in said), (batch, said)
