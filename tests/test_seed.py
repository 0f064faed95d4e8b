"""The seed's relation criterion, decorated without touching its body.

Reference values are computed per row from scratch: the companion of a key for group S is the
key's value had the batch held only S's rows, with the per-row ``loss_weight`` taken as 1:
- ``loss_relation = mean(ce * w)``          -> ``sum_S ce / N_S``
- ``loss_bbox_relation = sum(l1 * w) / Z``  -> ``sum_S l1 / (Z * N_S / N)``
- ``loss_giou_relation = sum(giou * w) / Z`` -> ``sum_S giou / (Z * N_S / N)``
"""

import copy
import math

import pytest
import torch
import torch.nn.functional as F
from seed_criterion import (
    HandWrittenRelationCriterion,
    RelationCriterion,
    corners,
    make_batch,
    pairwise_giou,
)

from losssplit import companion_of, split_by_source


class Decorated(RelationCriterion):
    @split_by_source
    def get_relation_loss(self, outputs, targets, indices, num_boxes):
        return super().get_relation_loss(outputs, targets, indices, num_boxes)


pytestmark = pytest.mark.usefixtures("hold_weakly")
TERMS = ("loss_relation", "loss_bbox_relation", "loss_giou_relation")


def per_row_reference(criterion, outputs, targets, indices, num_boxes, threshold=0.9):
    """{companion key: value} computed row by row, image by image."""
    rows = {t: {"real": [], "synthetic": []} for t in TERMS}
    for b, (t, (src, tgt)) in enumerate(zip(targets, indices)):
        group = "real" if t["loss_weight"] >= threshold else "synthetic"
        for q, j in zip(src.tolist(), tgt.tolist()):
            logits = outputs["pred_rel_logits"][b, q].detach()
            label = t["rel_labels"][j]
            ce = F.cross_entropy(logits[None], label[None], criterion.empty_rel_weight, reduction="none")
            box, tbox = outputs["pred_rel_boxes"][b, q].detach(), t["rel_boxes"][j]
            l1 = (box - tbox).abs().sum()
            giou = 1 - pairwise_giou(corners(box[None]), corners(tbox[None]))[0, 0]
            rows["loss_relation"][group].append(ce.item())
            rows["loss_bbox_relation"][group].append(l1.item())
            rows["loss_giou_relation"][group].append(giou.item())
    n = sum(len(v) for v in rows["loss_relation"].values())
    out = {}
    for term, groups in rows.items():
        for group, values in groups.items():
            if not values:
                continue
            if term == "loss_relation":
                out[f"{term}_{group}"] = sum(values) / len(values)
            else:
                out[f"{term}_{group}"] = sum(values) / (num_boxes * len(values) / n)
    return out


def run(criterion, batch):
    return criterion.get_relation_loss(*batch)


@pytest.mark.parametrize(
    "counts, weights",
    [
        ([20] * 8, [1.0, 0.5] * 4),
        ([2, 0, 1, 1], [1.0, 0.5, 0.5, 1.0]),  # M == B but spread unevenly
        ([1, 3, 0, 0], [0.5, 1.0, 1.0, 0.5]),  # M == B, one group empty of rows
        ([5], [1.0]),  # one image only
        ([3, 2, 4], [0.95, 0.89, 0.3]),  # odd weights: 0.95 real, 0.89 and 0.3 synthetic
        ([4, 4, 4, 4], [1.0, 1.0, 0.5, 0.5]),  # rows per image == B
    ],
)
def test_companions_match_per_row_reference(counts, weights):
    batch = make_batch(rows_per_image=counts, weights=weights, generator=torch.Generator().manual_seed(3))
    out = run(Decorated(), batch)
    expected = per_row_reference(Decorated(), *batch)
    companions = {k: v.item() for k, v in out.items() if companion_of(v) is not None}
    assert set(companions) == set(expected)
    for key, value in expected.items():
        assert companions[key] == pytest.approx(value, rel=1e-5), key


def test_num_boxes_other_than_rows_scales_like_the_main_key():
    outputs, targets, indices, _ = make_batch(rows_per_image=[3, 1, 2], weights=[1.0, 0.5, 1.0])
    batch = (outputs, targets, indices, 2.5)  # e.g. num_boxes averaged over GPUs
    out = run(Decorated(), batch)
    expected = per_row_reference(Decorated(), *batch)
    for key, value in expected.items():
        assert out[key].item() == pytest.approx(value, rel=1e-5)


def test_matches_the_seeds_hand_written_splitting():
    batch = make_batch()
    hand = run(HandWrittenRelationCriterion(), batch)
    ours = run(Decorated(), batch)
    assert set(hand) == set(ours)
    for key in hand:
        torch.testing.assert_close(ours[key].float(), hand[key].detach().float(), rtol=1e-5, atol=1e-6)


def test_all_real_unit_weights_companion_equals_main_key():
    batch = make_batch(rows_per_image=[3, 2, 4], weights=[1.0, 1.0, 1.0])
    out = run(Decorated(), batch)
    assert "loss_relation_synthetic" not in out
    for term in TERMS:
        torch.testing.assert_close(out[f"{term}_real"], out[term].detach(), rtol=1e-6, atol=1e-6)


def test_main_losses_and_gradients_bit_identical_when_every_value_is_summed():
    plain_batch = make_batch(generator=torch.Generator().manual_seed(7))
    ours_batch = make_batch(generator=torch.Generator().manual_seed(7))
    plain = run(RelationCriterion(), plain_batch)
    ours = run(Decorated(), ours_batch)
    for term in TERMS:
        assert torch.equal(plain[term], ours[term])
    # detectron2's SimpleTrainer: losses = sum(loss_dict.values())
    sum(plain.values()).backward()
    sum(ours.values()).backward()
    for name in ("pred_rel_logits", "pred_rel_boxes"):
        assert torch.equal(plain_batch[0][name].grad, ours_batch[0][name].grad)


def test_companions_are_detached_floats_with_their_ratio():
    out = run(Decorated(), make_batch())
    for key, value in out.items():
        record = companion_of(value)
        if record is None:
            assert value.requires_grad
            continue
        assert not value.requires_grad and value.grad_fn is None and value.dim() == 0
        assert record.name == key and f"{record.key}_{record.group}" == key
        assert value.item() == pytest.approx(record.num / record.den, rel=1e-6)


def test_weights_as_zero_dim_tensors():
    batch = make_batch(rows_per_image=[2, 3], weights=[1.0, 0.5])
    for t in batch[1]:
        t["loss_weight"] = torch.tensor(t["loss_weight"])
    out = run(Decorated(), batch)
    expected = per_row_reference(Decorated(), *batch)
    for key, value in expected.items():
        assert out[key].item() == pytest.approx(value, rel=1e-5)


def test_empty_group_key_omitted_and_no_source_returns_same_dict(warnings_of):
    batch = make_batch(rows_per_image=[2, 2], weights=[1.0, 1.0])
    out = run(Decorated(), batch)
    assert {k for k in out if k.endswith("_synthetic")} == set()


def test_no_source_returns_the_same_dict_unchanged_with_one_warning(warnings_of):
    seen = {}

    @split_by_source
    def criterion(pred, targets):
        target = torch.cat([t["boxes"] for t in targets])
        seen["dict"] = {"loss_bbox": F.l1_loss(pred, target)}
        return seen["dict"]

    targets = [{"boxes": torch.rand(2, 4)}, {"boxes": torch.rand(1, 4)}]  # single-dataset
    for _ in range(3):
        out = criterion(torch.rand(3, 4, requires_grad=True), targets)
        assert out is seen["dict"] and list(out) == ["loss_bbox"]
    assert len(warnings_of()) == 1


def test_non_finite_companion_omitted_with_one_warning_per_key(warnings_of):
    class Fresh(RelationCriterion):  # its own wrapper: warnings are once per decorated function
        get_relation_loss = split_by_source(RelationCriterion.get_relation_loss)

    criterion = Fresh()
    for _ in range(3):
        batch = make_batch(rows_per_image=[2, 2], weights=[1.0, 0.5])
        with torch.no_grad():
            batch[0]["pred_rel_boxes"][1, batch[2][1][0][0]] = float("inf")
        out = run(criterion, batch)
        assert "loss_bbox_relation_synthetic" not in out
        assert "loss_bbox_relation_real" in out
        assert all(math.isfinite(v.item()) for k, v in out.items() if companion_of(v) is not None)
    messages = warnings_of()
    assert len([m for m in messages if "loss_bbox_relation_synthetic" in m]) == 1


def test_deep_copy_and_pickle_of_criterion_with_decorated_methods():
    import pickle

    criterion = Decorated()
    batch = make_batch(rows_per_image=[2, 1], weights=[1.0, 0.5])
    for clone in (copy.deepcopy(criterion), pickle.loads(pickle.dumps(criterion))):
        out = run(clone, batch)
        assert "loss_relation_real" in out and "loss_relation_synthetic" in out
