"""Rows scaled by a row sum floored or offset as a normaliser (``pos.sum().clamp(min=1)``,
``(m.sum() + eps).clamp(min=c)``) before the loss is reduced: ``group_scalars.values_of``.

PV-RCNN's keypoint segmentation (survey 63) divides the per-point weights by the batch's foreground
count floored at 1 (``cls_w = (pos + neg) / pos.sum().clamp(min=1)``) and sums the focal loss
weighted by them: on a group alone each weight is over the group's count, floored at 1 there. The
floored sum is a ratio of the split (a sum with ``normaliser_ops``) whose value per group is the
group's sum with the same ops applied in order, so each row takes its group's floored count, as a
row over an unfloored sum already did (``w / w.sum()``, ``tests/test_group_scalars.py``).

Each body runs against the oracle on batches of 1 to 4 images (a group absent, a group without
positives so that the floor binds there but not on the batch). Near misses decline: a maximum over
the batch floored, one image's count floored (another image's on a group alone), the count of
values mixed across images, and the floored count read on the host.

Also the value of such a sum over one image's rows (``Ratio.image_value``): it dropped the ops, so
``(pos.sum() + 0.5).clamp(min=1)`` on a batch of one image gave a companion over 1 where the body
divides by 1.5 (silently wrong on fb5d876), and ``pos.sum().clamp(min=1)`` without positives 0 / 0.
"""

import pytest
from _helpers import ROWS, TARGETS, rule_batch, split_outcome, wrong_companions
from test_group_scalars import (  # the group scalars' batches and checks
    BATCHES,
    _err,
    assert_declines,
    assert_exact,
    outcomes,
)


# (seed, loss_weight per image): 4 images in two groups; 3; 2; the real group absent; one image
def _pos(outputs, rare=False):
    """Each row's positive flag [B, 3] from the predictions (``rare``: above 0.58, none in batch 0's real images)."""
    return (outputs["x"].detach()[..., 0] > (0.58 if rare else 0.5)).float()


def weights_over_floored_count(outputs, targets):
    """PV-RCNN's ``(pos + neg) / pos.sum().clamp(min=1)``, then the weighted loss summed."""
    pos = _pos(outputs)
    w = (pos + (1 - pos)) / pos.sum().clamp(min=1)
    return {"loss": (_err(outputs, targets) * w).sum()}


def positives_over_floored_rare_count(outputs, targets):
    pos = _pos(outputs, rare=True)
    return {"loss": (_err(outputs, targets) * (pos / pos.sum().clamp(min=1))).sum()}


def over_offset_then_floored(outputs, targets):
    pos = _pos(outputs, rare=True)
    return {"loss": (_err(outputs, targets) * (pos / (pos.sum() + 0.5).clamp(min=1))).sum()}


def over_floored_prediction_sum(outputs, targets):
    e = _err(outputs, targets)
    return {"loss": (e * (e.detach() / e.detach().sum().clamp_min(1e-6))).sum()}


def test_the_floor_binds_on_some_group():
    """The rare positives leave a group of a batch of two groups without any (its floor binds)."""
    found = False
    for seed, w in BATCHES:
        outputs, _ = rule_batch(seed, w)
        pos = _pos(outputs, rare=True).sum(1)
        for group in (1.0, 0.5):
            rows = [i for i, x in enumerate(w) if x == group]
            found |= bool(rows) and len(rows) < len(w) and float(pos[rows].sum()) == 0 < float(pos.sum())
    assert found


def test_rows_over_a_floored_count_split_exactly():
    for body in (weights_over_floored_count, positives_over_floored_rare_count, over_offset_then_floored,
                 over_floored_prediction_sum):
        assert_exact(body)


def test_one_image_value_keeps_the_offset_and_floor():
    """One image of weight 1 is its own oracle: the companion is the returned value (over 1.5 on
    fb5d876 it was over 1: the ``+ 0.5`` dropped)."""
    for body in (over_offset_then_floored, positives_over_floored_rare_count):
        outputs, targets = rule_batch(4, [1.0])
        outputs = {"x": outputs["x"].detach().clone()}
        outputs["x"][0, :, 0] = 0.2  # no positive: the floor binds
        got, want, said = split_outcome(body, [outputs, targets], [ROWS, TARGETS])
        value = float(body(outputs, targets)["loss"])
        assert set(got) == set(want) == {"loss_real"}, said
        assert got["loss_real"] == pytest.approx(value, rel=1e-6) == want["loss_real"]
    got, want, _ = outcomes(over_offset_then_floored)[-1]
    assert set(got) == {"loss_real"} and not wrong_companions(got, want), (got, want)


def over_floored_batch_maximum(outputs, targets):
    pos = _pos(outputs)
    return {"loss": (_err(outputs, targets) * (pos / pos.max().clamp(min=1))).sum()}


def over_one_image_floored_count(outputs, targets):
    pos = _pos(outputs)
    return {"loss": (_err(outputs, targets) * (pos / pos[0].sum().clamp(min=1))).sum()}


def over_floored_mixed_count(outputs, targets):
    pos = _pos(outputs)
    return {"loss": (_err(outputs, targets) * (pos / (pos * pos.flip(0)).sum().clamp(min=1))).sum()}


def over_floored_count_read_on_host(outputs, targets):
    pos = _pos(outputs)
    return {"loss": (_err(outputs, targets) * (pos / float(pos.sum().clamp(min=1)))).sum()}


def test_near_misses_decline():
    assert_declines(over_floored_batch_maximum, "Tensor.max")
    assert_declines(over_one_image_floored_count, "different images")
    assert_declines(over_floored_mixed_count, "Tensor.flip")
    assert_declines(over_floored_count_read_on_host, "'loss'")
