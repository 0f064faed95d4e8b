"""Per-image targets padded to the batch's largest count, ``[B, max n, ...]`` (YOLOv8-pose's keypoints:
``batched[i, :n] = kpts[batch_idx == i]``, then gathered per anchor by the assigner's index), and the
owner picks that fill them.

- ``x[batch_idx == i]``, ``batch_idx`` a join of int fills of the images' positions made in a loop
  over the images (``torch.cat([torch.full((n,), i) ...])``), and ``x``'s rows the images' (dim 0
  alone): image ``i``'s rows, as ``x[i]`` of one row per image is image ``i``'s
  (``indexing.owner_pick``; deferred, the check that ``batch_idx`` is the rows' map of images).
- a buffer of a row per image whose rows each image writes into a prefix of a dim (``buf[i, :n] =
  v``), that dim's size not a constant of the call (``_bytecode.fixed_sizes``: ``max n``, a count
  of positions) is padded to the batch's largest length, on a group alone to the group's: it may be
  read only by a gather along that dim at indices of each row within that row's prefix (checked,
  deferred). Its mean, sum, view, shape, or a gather past a row's prefix decline (``mode.padded_use``).

WRONG found and fixed here (silently wrong on main at fdc7de6, each image's own ``t["k"]`` written):
a ``[B, max n]`` buffer averaged over its width (``buf.mean(1)``, the width equal to no count of
the call) or read at ``buf.shape[1] - 1``; a buffer sized by counts of positions
(``torch.unique(batch_idx, return_counts=True)[1].max()``) gathered at its last column (its
writes were not followed: its values were read as constants).

Near misses decline: fills of another image's number (reversed), labels equal to the positions by
value, a pick at a literal outside any loop, gathers past a prefix, the width's mean or shape, a
flattened view; a width from a prediction's later dim (ESPnet's ``dec.shape[1]``) is a constant of
the call and splits as before (``tests/test_criteria_survey26.py``).
"""

from __future__ import annotations

import pytest
import torch
from _helpers import ROWS, TARGETS, outcome_class, split_outcome

K = 3  # values per instance
A = 5  # anchors per image
BATCHES = ((0, (1.0, 0.5, 1.0, 0.25)), (1, (0.5, 1.0, 0.5)), (2, (1.0, 1.0, 1.0)), (3, (0.5,)))


def _batch(seed: int, weights: tuple[float, ...]) -> tuple[list, list]:
    """Per image ``1 + (i + seed) % 3`` instances of ``K`` values and a class each, the image's position
    in this batch (data: equal to the positions by value only); predictions [B, A, K]; the assigner's
    instance index per anchor [B, A], each within its image's count."""
    g = torch.Generator().manual_seed(seed + 4200)
    counts = [1 + (i + seed) % 3 for i in range(len(weights))]
    targets = [{"k": torch.rand(n, K, generator=g), "cls": torch.full((n,), i), "loss_weight": w}
               for i, (n, w) in enumerate(zip(counts, weights))]
    pred = torch.rand(len(weights), A, K, generator=g).requires_grad_()
    idx = torch.stack([torch.randint(0, len(t["k"]), (A,), generator=g) for t in targets])
    return [pred, targets, idx], [ROWS, TARGETS, ROWS]


def _outcomes(body, batches: int = len(BATCHES)) -> list[tuple[str, list[str], tuple[float, ...]]]:
    found = []
    for seed, weights in BATCHES[:batches]:
        got, want, said = split_outcome(body, *_batch(seed, weights))
        found.append((outcome_class(got, want), said, weights))
    return found


def _exact(body) -> None:
    for outcome, said, weights in _outcomes(body):
        # (on the call of one image of weight 0.5, ``kpts[batch_idx == 0]``'s mean is read as over the rows, as before)
        assert outcome == "exact" or outcome == "declined" and body is own_rows_per_image and len(weights) == 1, (
            weights, outcome, said)


def _declines(body, op: str, batches: int = len(BATCHES)) -> None:
    for outcome, said, weights in _outcomes(body, batches):
        assert outcome != "wrong", weights
        if len(set(weights)) > 1:  # (one group of weight 1: its companions are the values as returned)
            assert outcome == "declined", (weights, said)
            assert any(op in m for m in said), (op, said)


def _joined(targets: list[dict]) -> tuple[torch.Tensor, torch.Tensor]:
    kpts = torch.cat([t["k"] for t in targets])
    batch_idx = torch.cat([torch.full((len(t["k"]),), i) for i, t in enumerate(targets)])
    return kpts, batch_idx


def _padded(pred, targets, width: str = "counts", fills=None):
    """YOLOv8-pose's collation: the joined instances written per image into ``[B, max n, K]``."""
    b = pred.shape[0]
    kpts, batch_idx = _joined(targets)
    if fills is not None:
        batch_idx = fills
    m = torch.unique(batch_idx, return_counts=True)[1].max() if width == "counts" else max(len(t["k"]) for t in targets)
    batched = torch.zeros((b, m, K))
    for i in range(b):
        own = kpts[batch_idx == i]
        batched[i, :own.shape[0]] = own
    return batched


# -- exact ---------------------------------------------------------------------------------------------


def own_rows_per_image(pred, targets, idx):
    """Each image's instances picked from the joined ones by ``batch_idx == i``, against its row."""
    kpts, batch_idx = _joined(targets)
    total = pred.new_zeros(())
    for i in range(pred.shape[0]):
        own = kpts[batch_idx == i]
        total = total + (pred[i].mean(0) - own.mean(0)).pow(2).sum()
    return {"loss": total / pred.shape[0]}


def gathered_by_the_assigner(pred, targets, idx):
    """YOLOv8-pose: the padded instances gathered per anchor by the assigner's index."""
    selected = _padded(pred, targets).gather(1, idx[..., None].expand(-1, -1, K))
    return {"loss": (pred - selected).pow(2).mean()}


def gathered_from_max_len(pred, targets, idx):
    """The same, padded to ``max(len(t["k"]) for t in targets)``, the image's own values written."""
    b = pred.shape[0]
    m = max(len(t["k"]) for t in targets)
    batched = pred.new_zeros((b, m, K)).detach()
    for i, t in enumerate(targets):
        batched[i, :len(t["k"])] = t["k"]
    selected = batched.gather(1, idx[..., None].expand(-1, -1, K))
    return {"loss": (pred - selected).abs().sum() / b}


@pytest.mark.parametrize("body", [own_rows_per_image, gathered_by_the_assigner, gathered_from_max_len],
                         ids=lambda f: f.__name__)
def test_owner_picks_and_gathers_within_each_prefix_split_exactly(body):
    _exact(body)


# -- near misses ---------------------------------------------------------------------------------------


def mean_over_the_padded_width(pred, targets, idx):
    """Silently wrong on main: the padded width is the group's largest count on a group alone."""
    batched = _padded(pred, targets, width="len")
    return {"loss": (pred.mean(1) - batched.mean(1)).pow(2).mean()}


def read_at_the_last_column(pred, targets, idx):
    """Silently wrong on main: ``shape[1] - 1`` is another column on a group alone."""
    batched = _padded(pred, targets, width="len")
    selected = batched.gather(1, (idx * 0 + batched.shape[1] - 1)[..., None].expand(-1, -1, K))
    return {"loss": (pred - selected).pow(2).mean()}


def gathered_past_a_prefix(pred, targets, idx):
    """The index one past the assigner's (at most 1): the padding of the images of one instance."""
    selected = _padded(pred, targets).gather(1, (idx + 1).clamp(max=1)[..., None].expand(-1, -1, K))
    return {"loss": (pred - selected).pow(2).mean()}


def flattened_picks(pred, targets, idx):
    """``view(-1, K)[idx + arange(B) · m]``: the padded width read as a stride."""
    batched = _padded(pred, targets)
    flat = idx + torch.arange(pred.shape[0])[:, None] * batched.shape[1]
    return {"loss": (pred - batched.view(-1, K)[flat]).pow(2).mean()}


def _written(pred, targets, width: str):
    """The images' own instances written per image (no owner pick) into ``[B, max n, K]``, ``max n`` of
    their lengths or of counts of positions."""
    b = pred.shape[0]
    if width == "counts":
        m = torch.unique(_joined(targets)[1], return_counts=True)[1].max()
    else:
        m = max(len(t["k"]) for t in targets)
    batched = torch.zeros((b, m, K))
    for i, t in enumerate(targets):
        batched[i, :len(t["k"])] = t["k"]
    return batched


def written_and_averaged_over_the_width(pred, targets, idx):
    """Silently wrong on main: each row averaged over the batch's largest count."""
    return {"loss": (pred.mean(1) - _written(pred, targets, "len").mean(1)).pow(2).mean()}


def written_and_read_at_the_last_column(pred, targets, idx):
    """Silently wrong on main: column ``shape[1] - 1``, another on a group alone."""
    batched = _written(pred, targets, "len")
    return {"loss": (pred[:, 0] - batched[:, batched.shape[1] - 1]).pow(2).mean()}


def written_into_counts_and_gathered_at_the_width(pred, targets, idx):
    """Silently wrong on main: a buffer sized by counts of positions, gathered at its last column."""
    batched = _written(pred, targets, "counts")
    selected = batched.gather(1, (idx * 0 + batched.shape[1] - 1)[..., None].expand(-1, -1, K))
    return {"loss": (pred - selected).pow(2).mean()}


@pytest.mark.parametrize("body", [mean_over_the_padded_width, read_at_the_last_column, gathered_past_a_prefix,
                                  flattened_picks, written_and_averaged_over_the_width,
                                  written_and_read_at_the_last_column, written_into_counts_and_gathered_at_the_width],
                         ids=lambda f: f.__name__)
def test_reads_of_the_padding_decline(body):
    _declines(body, "padded to the batch's largest length", batches=3)  # (the one image of one instance: a width of 1, past which the body itself fails)


def _summed_per_image(pred, kpts, owner):
    total = pred.new_zeros(())
    for i in range(pred.shape[0]):
        total = total + (pred[i].mean(0) - kpts[owner == i].sum(0)).pow(2).sum()
    return {"loss": total}


def reversed_fills(pred, targets, idx):
    """``batch_idx`` filled with the mirrored position: ``== i`` picks another image's instances."""
    b = len(targets)
    fills = torch.cat([torch.full((len(t["k"]),), b - 1 - i) for i, t in enumerate(targets)])
    return _summed_per_image(pred, torch.cat([t["k"] for t in targets]), fills)


def labels_equal_to_the_positions(pred, targets, idx):
    """A class column of the data that equals each instance's image position by value (no fill of positions)."""
    return _summed_per_image(pred, torch.cat([t["k"] for t in targets]), torch.cat([t["cls"] for t in targets]))


def first_image_outside_any_loop(pred, targets, idx):
    """``kpts[batch_idx == 0]``: the first image's instances, the group's first on a group alone."""
    kpts, batch_idx = _joined(targets)
    return {"loss": (pred[0].mean(0) - kpts[batch_idx == 0].mean(0)).pow(2).sum()}


@pytest.mark.parametrize(("body", "op"), [
    (reversed_fills, "positions filled per image that are not the rows' images"),
    (labels_equal_to_the_positions, "Tensor.__getitem__ with an index of values that mix images"),
    (first_image_outside_any_loop, "one-image losses added in Python are not each image's own terms once"),
], ids=lambda x: getattr(x, "__name__", ""))
def test_picks_not_of_the_image_at_that_position_decline(body, op):
    _declines(body, op)
