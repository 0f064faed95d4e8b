"""The values ``torch.unique`` found in the images' data, tested as a set (``value_sets``).

``u = torch.unique(y)`` is the batch's distinct values; on a group alone ``unique`` finds the
group's. ``torch.any(f(u))`` for an element-wise ``f`` is true where ``f`` holds at some element of
``y`` (each value found is some element's, each element's value is found), so a branch on it is
decided per group from the group's elements; every other use of ``u`` stays lost. Each body is
checked against the oracle (the body run on each group's images alone, weight field 1), main
values and gradients bit-identical.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import ROWS, TARGETS, split_outcome, wrong_companions

# per image: loss_weight (real >= 0.9), its binary label; the synthetic images' labels are all 0
IMAGES = [(1.0, 1), (0.5, 0), (1.0, 0), (0.25, 0), (1.0, 1)]


def batch(seed: int = 0, labels: tuple[int, ...] | None = None) -> list:
    """Logits [B] and class scores [B, 3]; per image its binary label and class."""
    g = torch.Generator().manual_seed(seed)
    outputs = {"binary": torch.randn(len(IMAGES), generator=g).requires_grad_(),
               "scores": torch.randn(len(IMAGES), 3, generator=g).requires_grad_()}
    targets = [{"positive": labels[i] if labels else y, "label": i % 3, "loss_weight": w}
               for i, (w, y) in enumerate(IMAGES)]
    return [outputs, targets]


def outcome(body, args=None):
    return split_outcome(body, args if args is not None else batch(), [ROWS, TARGETS])


def _binary(targets):
    return torch.tensor([t["positive"] for t in targets])


def _validated_bce(outputs, targets):
    """torchmetrics' binary check: some value other than 0 and 1 raises."""
    y = _binary(targets)
    u = torch.unique(y)
    check = torch.any((u != 0) & (u != 1))
    if check:
        raise RuntimeError("labels must be 0 or 1")
    return {"loss": F.binary_cross_entropy_with_logits(outputs["binary"], y.float())}


def _all_nonnegative(outputs, targets):
    y = _binary(targets)
    if not torch.unique(y).ge(0).all():
        raise RuntimeError("negative label")
    return {"loss": F.cross_entropy(outputs["scores"], y)}


def _branch_on_a_present_class(outputs, targets):
    """A loss chosen by whether class 1 is present: the synthetic group, all 0, decides otherwise."""
    y = _binary(targets)
    bce = F.binary_cross_entropy_with_logits(outputs["binary"], y.float())
    return {"loss": bce if torch.any(torch.unique(y) == 1) else 2 * bce}


@pytest.mark.parametrize("body", [_validated_bce, _all_nonnegative])
def test_a_set_test_that_holds_on_no_value_splits_exactly(body):
    # torch.any of the values found is false over the batch: over each group's subset of them too
    for seed in range(3):
        got, want, said = outcome(body, batch(seed))
        assert want and set(got) == set(want), said
        assert not wrong_companions(got, want)


def test_a_branch_the_groups_decide_otherwise_declines_that_group_only():
    # real has labels 1 (class 1 present: the batch's branch, ``bce``); synthetic only 0s: on it
    # alone ``2 * bce``, declined; the batch's value kept for real, equal to its oracle
    got, want, said = outcome(_branch_on_a_present_class)
    assert set(want) == {"loss_real", "loss_synthetic"}
    assert set(got) == {"loss_real"}, said
    assert not wrong_companions(got, want)
    assert any("torch.unique" in m and "'loss'" in m or "group 'synthetic'" in m for m in said), said


def test_every_group_deciding_as_the_batch_splits_the_branch():
    got, want, said = outcome(_branch_on_a_present_class, batch(0, labels=(1, 1, 0, 0, 1)))
    assert want and set(got) == set(want), said
    assert not wrong_companions(got, want)


def _labels_written_after_unique(outputs, targets):
    """The labels shifted in place after ``unique``: the values found are those before the write."""
    y = _binary(targets)
    u = torch.unique(y)
    y += 1
    bce = F.binary_cross_entropy_with_logits(outputs["binary"], (y - 1).float())
    return {"loss": bce if torch.any(u == 1) else 2 * bce}


def test_labels_written_in_place_after_unique_never_split_wrong():
    # real (labels 1) decides as the batch; synthetic (all 0) alone decides ``2 * bce``: declined, not given with
    # the batch's branch (the values found are a copy of the labels then, not the shifted ones)
    got, want, said = outcome(_labels_written_after_unique)
    assert not wrong_companions(got, want)
    assert "loss_synthetic" not in got, said


def _count_of_values(outputs, targets):
    y = _binary(targets)
    return {"loss": F.binary_cross_entropy_with_logits(outputs["binary"], y.float(), reduction="sum")
            / len(torch.unique(y))}


def _values_met_by_rows(outputs, targets):
    y = _binary(targets)
    u = torch.unique(y)
    picked = torch.any(u != y[: len(u)])  # the values' positions met by images' rows: no set test
    bce = F.binary_cross_entropy_with_logits(outputs["binary"], y.float())
    return {"loss": bce if picked else 2 * bce}


def _along_a_dim(outputs, targets):
    y = _binary(targets)
    u = torch.unique(y)
    bce = F.binary_cross_entropy_with_logits(outputs["binary"], y.float())
    return {"loss": bce if torch.any(u == 1, dim=0) else 2 * bce}


def _values_summed(outputs, targets):
    y = _binary(targets)
    s = torch.unique(y).sum()  # the classes present, summed: the batch's
    return {"loss": F.binary_cross_entropy_with_logits(outputs["binary"], y.float()) * (1 + s)}


@pytest.mark.parametrize("body", [_count_of_values, _values_met_by_rows, _along_a_dim, _values_summed])
def test_other_uses_of_the_values_found_decline(body):
    got, want, said = outcome(body)
    assert want and got == {}, (got, want)
    assert any("torch.unique" in m or "no companions" in m for m in said), said
