"""Per-class batch scores zeroed where the class has no target pixels, as pytorch_optimizer's (and
pytorch-toolbelt's) ``DiceLoss`` and ``JaccardLoss`` write it (survey 40): the presence test of a
binary mask's one class (``y.sum((0, 2)) > 0`` of ``[B, 1, P]``, whose sum is one ratio), the
per-class ``-log(score.clamp_min(self.eps))`` gated in place (``loss *= mask.to(loss.dtype)``),
a clamp at a bound the module's ``__init__`` set. Each group's value is the body's on the group's
images alone (the oracle), a class absent from a group's images counting 0 there; bounds and
thresholds that count the images decline."""

from __future__ import annotations

import pytest
import torch
from _helpers import ROWS, TARGETS, Along, rule_batch, split_outcome, wrong_companions

# (sources, which images have no foreground) per batch: groups of different sizes, a group absent,
# a group whose images hold none of the class
BATCHES = (
    (["web", "synth", "web", "books"], ()),
    (["synth", "synth", "books"], (2,)),
    (["web", "books", "web", "web", "synth"], (1, 4)),
    (["books", "web"], ()),
    (["web", "web", "web"], (0,)),
)


def _batch(seed: int, classes: int) -> tuple[list, list, list]:
    labels, empty = BATCHES[seed]
    g = torch.Generator().manual_seed(400 + seed)
    b = len(labels)
    maps = (torch.rand(b, classes, 6, 6, generator=g) > 0.6).float()
    maps[list(empty)] = 0.0
    if classes > 1:
        maps[:, classes - 1] = 0.0  # the last class only in the first image
        maps[0, classes - 1, :2, :2] = 1.0
    logits = torch.randn(b, classes, 6, 6, generator=g).requires_grad_()
    return [logits, maps], [Along(0), Along(0)], labels


def _check(body, classes: int, declines: str | None = None) -> None:
    for seed in range(len(BATCHES)):
        got, want, said = split_outcome(body, *_batch(seed, classes))
        assert not wrong_companions(got, want), (seed, got, want)
        if declines is None:
            assert set(got) == {k for k, v in want.items() if v == v}, (seed, said)  # NaN: omitted
        elif len(set(BATCHES[seed][0])) > 1:
            assert got == {} and any(declines in m for m in said), (seed, got, said)


class Score(torch.nn.Module):
    """A binary or multilabel soft Dice / Jaccard over the batch's sums per class, ``eps`` and
    ``smooth`` set by ``__init__`` (``log``: ``-log`` of the score)."""

    def __init__(self, jaccard: bool = False, log: bool = False, in_place: bool = True, eps: float = 1e-6):
        super().__init__()
        self.jaccard, self.log, self.in_place, self.eps = jaccard, log, in_place, eps

    def forward(self, logits, maps):
        bs, k = maps.size(0), maps.size(1)
        dims = (0, 2)
        y_pred = torch.nn.functional.logsigmoid(logits).exp().reshape(bs, k, -1)
        y_true = maps.reshape(bs, k, -1)
        inter = torch.sum(y_pred * y_true, dim=dims)
        card = torch.sum(y_pred + y_true, dim=dims)
        score = inter / (card - inter).clamp_min(self.eps) if self.jaccard else 2.0 * inter / card.clamp_min(self.eps)
        loss = -torch.log(score.clamp_min(self.eps)) if self.log else 1.0 - score
        mask = y_true.sum(dims) > 0
        if self.in_place:
            loss *= mask.to(loss.dtype)
        else:
            loss = loss * mask.float()
        return {"loss": loss.mean()}


@pytest.mark.parametrize("jaccard", [False, True], ids=["dice", "jaccard"])
@pytest.mark.parametrize("log", [False, True], ids=["one_minus", "log"])
@pytest.mark.parametrize("in_place", [False, True], ids=["times", "in_place"])
@pytest.mark.parametrize("classes", [1, 3])
def test_scores_of_the_batch_sums_zeroed_for_absent_classes_follow_the_oracle(jaccard, log, in_place, classes):
    """A binary mask's one class (its presence a ``[1]`` test of one sum) and three classes, the
    last only in the first image; the score ``1 - s`` or ``-log(s.clamp_min(self.eps))``, times
    the presence (a group whose images hold none of a class gets 0 for it), in place or not."""
    _check(Score(jaccard, log, in_place), classes)


def _one_class_dice(logits, maps):
    bs = maps.size(0)
    y_pred, y_true = logits.sigmoid().reshape(bs, 1, -1), maps.reshape(bs, 1, -1)
    return 1.0 - 2.0 * (y_pred * y_true).sum((0, 2)) / (y_pred + y_true).sum((0, 2)), y_true.sum((0, 2)), bs


def test_a_one_class_presence_at_a_literal_threshold_splits():
    def body(logits, maps):
        dice, present, _ = _one_class_dice(logits, maps)
        return {"loss": (dice * (present > 3).float()).mean()}

    _check(body, 1)


def above_the_image_count(logits, maps):
    dice, present, bs = _one_class_dice(logits, maps)
    return {"loss": (dice * (present > bs).float()).mean()}


def above_pixels_per_image(logits, maps):
    dice, present, bs = _one_class_dice(logits, maps)
    return {"loss": (dice * (present > 4.0 * bs).float()).mean()}


def above_pixels_per_image_per_class(logits, maps):
    bs, k = maps.size(0), maps.size(1)
    y_pred, y_true = logits.sigmoid().reshape(bs, k, -1), maps.reshape(bs, k, -1)
    dice = 1.0 - 2.0 * (y_pred * y_true).sum((0, 2)) / (y_pred + y_true).sum((0, 2))
    return {"loss": (dice * (y_true.sum((0, 2)) > 4.0 * bs).float()).mean()}


@pytest.mark.parametrize("body, classes", [(above_the_image_count, 1), (above_pixels_per_image, 1),
                                           (above_pixels_per_image_per_class, 3)],
                         ids=["images", "per_image_pixels", "per_image_pixels_per_class"])
def test_a_presence_against_a_count_of_the_images_declines(body, classes):
    """``y.sum((0, 2)) > bs``, ``> 4.0 * bs``: on a group alone the threshold is the group's count,
    the batch's test is no group's. (Per class, ``> 4.0 * bs`` was followed as a constant: wrong
    companions, the batch's presence on groups where the group's differs.)"""
    _check(body, classes, declines="")


class CountedBound(Score):
    """The score clamped at a bound the call computes from the image count."""

    def forward(self, logits, maps):
        self.eps = 0.2 / maps.size(0)
        return super().forward(logits, maps)


def test_a_clamp_bound_counting_the_images_declines():
    _check(CountedBound(log=True), 3, declines="")


def _gated_dice(outputs, targets):
    """A smoothed soft Dice of the batch's sums per column, zeroed where the column has no target
    (``loss *= mask``), on a rule batch: the groups are the weight field's, one maybe absent."""
    y = torch.stack([t["y"] for t in targets]).round()
    p = outputs["x"]
    score = (2.0 * torch.sum(p * y, dim=(0, 1)) + 1.0) / (torch.sum(p + y, dim=(0, 1)) + 1.0).clamp_min(1e-7)
    loss = 1.0 - score
    loss *= (y.sum((0, 1)) > 0).to(loss.dtype)
    return {"loss": loss.mean()}


@pytest.mark.parametrize("weights", [[1.0, 1.0], [0.5, 0.5, 0.5], [1.0, 0.5, 0.5, 1.0]])
def test_a_gated_score_gives_no_companion_to_a_group_absent_from_the_batch(weights):
    """Was ``loss_synthetic = 0.0`` on a batch without synthetic images (the gate failing on the
    group's empty sum read as the class absent from its images)."""
    got, want, said = split_outcome(_gated_dice, list(rule_batch(2, weights)), [ROWS, TARGETS])
    assert set(got) == set(want), (got, want, said)
    assert not wrong_companions(got, want), (got, want)
