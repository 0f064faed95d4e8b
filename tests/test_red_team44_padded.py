"""Red team (session 44) of yolo44's padded image rows (``tests/test_rules_padded_image_rows.py``): one image's row
of a padded buffer, a row written back into ``zeros(b, m, a)``, ``expand(-1, m, -1)``, the flattened gather at
``p + torch.arange(b)[:, None] * m`` and the floor ``max(s.sum(), 1)``, each attack against the oracle (DESIGN.md §1).

Attacks that decline (never wrong): reductions over the padded width where the padding is not 0 or wins (min,
logsumexp, softmax, a negated max or argmax), the width as a divisor (``/ o.shape[1]``, ``numel()``), a row's own size
or mean, rows reading another row (the previous one, the whole buffer mid-loop), rows written twice by two images,
a loop skipping images, widths ``m + 1`` or of another list, flattened gathers past a prefix, of a transposed
flattening, floors that a group alone decides otherwise. Floors of scores every group floors alike split exactly.

WRONG found and fixed (silently wrong on main at 92581c4 and merge44 at e720139): a mask expanded to ``m = max(len(t["k"])
for t in targets)`` with no padded buffer written (``mask.expand(-1, m, -1).float().sum(1)``, ``count_nonzero(1)``):
``shape.expand`` lost such a spread only where ``m`` equalled a count of the images by value; now a spread to the
body's largest count is lost unless ``mode.expanded_to_width`` follows it (so ``expand(..).any(1)``, exact by chance
before, declines).

WRONG found and pinned (strict xfail, same on main): a factory sized by that ``m`` beside no per-image write
(``torch.ones(m).sum()``, ``torch.zeros(b, m).shape[1]``, ``torch.ones(b, m).sum(1)``): ``mode._note_count_dims``
notes a counted dim only where its size equals the images' count or a noted length by value.
"""

from __future__ import annotations

import pytest
import torch
from test_rules_padded_image_rows import (
    _collated,
    _flat_gather,
    _own_rows,
    _products,
    _scored,
    _written,
)
from test_rules_padded_masks import _declines, _exact, _outcomes
from test_rules_padded_widths import K


def _read(f):
    return lambda pred, overlaps: {"loss": (pred.sum(-1) * f(overlaps)).mean()}


def min_over_the_width(pred, targets, idx):
    """The least product over the instances: the padding's 0 wins on a batch with padding."""
    return _written(pred, targets, read=_read(lambda o: o.amin(1)))


def logsumexp_over_the_width(pred, targets, idx):
    return _written(pred, targets, read=_read(lambda o: o.logsumexp(1)))


def softmax_over_the_width(pred, targets, idx):
    return _written(pred, targets, read=_read(lambda o: o.softmax(1).amax(1)))


def divided_by_the_width(pred, targets, idx):
    return _written(pred, targets, read=_read(lambda o: o.amax(1) / o.shape[1]))


def divided_by_numel(pred, targets, idx):
    return _written(pred, targets, read=_read(lambda o: o.amax(1) * o.shape[0] * o.shape[2] / o.numel()))


def argmax_where_padding_wins(pred, targets, idx):
    """Negated products: the padding's 0 is the largest; positions of it picked."""
    def write(overlaps, batched, pred, b):
        for i in range(b):
            overlaps[i] = -_products(batched[i], pred[i])
    return _written(pred, targets, write, read=_read(lambda o: o.argmax(1).float()))


def amax_where_padding_wins(pred, targets, idx):
    def write(overlaps, batched, pred, b):
        for i in range(b):
            overlaps[i] = -_products(batched[i], pred[i]) - 0.1
    return _written(pred, targets, write, read=_read(lambda o: o.amax(1)))


def flat_gather_where_padding_wins(pred, targets, idx):
    """argmax of the negated products reaches the padding, gathered flat."""
    return _flat_gather(pred, targets, lambda o: (-o).argmax(1))


def flat_gather_shifted_positions(pred, targets, idx):
    """``p + 1``: past the best by one, into the padding on a row whose best is its last."""
    return _flat_gather(pred, targets, lambda o: (o.argmax(1) + 1).clamp(max=o.shape[1] - 1))


def flat_gather_transposed(pred, targets, idx):
    """Blocks of a transposed flattening: ``[m, B]`` merged, read at ``p + arange(b) * m`` (mixes images)."""
    b = pred.shape[0]
    m = max(len(t["k"]) for t in targets)
    batched = _collated(pred, targets)
    overlaps = torch.zeros(b, m, pred.shape[1])
    _own_rows(overlaps, batched, pred, b)
    picked = batched.transpose(0, 1).reshape(-1, K)[overlaps.argmax(1) + torch.arange(b)[:, None] * m]
    return {"loss": (pred - picked).pow(2).mean()}


def flat_gather_of_given_transposed(pred, targets, idx):
    b = pred.shape[0]
    m = max(len(t["k"]) for t in targets)
    batched = _collated(pred, targets)
    picked = batched.transpose(0, 1).reshape(-1, K)[idx + torch.arange(b)[:, None] * m]
    return {"loss": (pred - picked).pow(2).mean()}




def expanded_then_summed(pred, targets, idx):
    """A mask expanded to ``m`` summed over ``m``: ``m`` times the mask, the group's ``m`` alone."""
    m = max(len(t["k"]) for t in targets)
    multi = (pred.detach().sum(-1)[:, None] > 1.0).expand(-1, m, -1)
    return {"loss": (pred.sum(-1) * multi.float().sum(1)).mean()}


def expanded_where_summed(pred, targets, idx):
    """``torch.where`` of the expanded mask beside written-back rows, summed over ``m``: ones in the padding."""
    def read(pred, overlaps):
        m = overlaps.shape[1]
        multi = (pred.detach().sum(-1)[:, None] > 1.0).expand(-1, m, -1)
        return {"loss": (pred.sum(-1) * torch.where(multi, 1.0, overlaps).sum(1)).mean()}
    return _written(pred, targets, read=read)


def expanded_count_nonzero(pred, targets, idx):
    m = max(len(t["k"]) for t in targets)
    multi = (pred.detach().sum(-1)[:, None] > 1.0).expand(-1, m, -1)
    return {"loss": (pred.sum(-1) * multi.count_nonzero(1)).mean()}


def row_reads_previous_row(pred, targets, idx):
    """Each row plus the previous row's best (another image's)."""
    def write(overlaps, batched, pred, b):
        for i in range(b):
            overlaps[i] = _products(batched[i], pred[i]) + overlaps[i - 1].amax(0)
    return _written(pred, targets, write)


def buffer_read_mid_loop(pred, targets, idx):
    """The whole buffer's sum read after each write: the rows written so far (other images')."""
    b, a, _ = pred.shape
    m = max(len(t["k"]) for t in targets)
    batched = _collated(pred, targets)
    overlaps = torch.zeros(b, m, a)
    total = pred.sum() * 0
    for i in range(b):
        overlaps[i] = _products(batched[i], pred[i])
        total = total + overlaps.amax() * pred[i].sum()
    return {"loss": total}


def skipped_by_count(pred, targets, idx):
    """Images of 2 instances skipped (their row stays 0), the products plus 1 elsewhere, summed over the width."""
    b, a, _ = pred.shape
    m = max(len(t["k"]) for t in targets)
    batched = _collated(pred, targets)
    overlaps = torch.zeros(b, m, a)
    for i, t in enumerate(targets):
        if len(t["k"]) == 2:
            continue
        overlaps[i] = _products(batched[i], pred[i]) + 1.0
    return {"loss": (pred.sum(-1) * overlaps.amax(1)).mean()}


def width_plus_one(pred, targets, idx):
    """``m + 1`` wide buffers, amax over the width (a padding row always there)."""
    b, a, _ = pred.shape
    m = max(len(t["k"]) for t in targets) + 1
    batched = torch.zeros(b, m, K)
    for i, t in enumerate(targets):
        batched[i, :len(t["k"])] = t["k"]
    overlaps = torch.zeros(b, m, a)
    for i in range(b):
        overlaps[i] = -_products(batched[i], pred[i])
    return {"loss": (pred.sum(-1) * overlaps.amax(1)).mean()}


def width_of_another_list(pred, targets, idx):
    """The buffer's width the max over the classes' counts (equal), the row's from ``k``."""
    b, a, _ = pred.shape
    m = max(len(t["cls"]) for t in targets)
    batched = _collated(pred, targets)
    overlaps = torch.zeros(b, m, a)
    _own_rows(overlaps, batched, pred, b)
    return {"loss": (pred.sum(-1) * overlaps.amin(1)).mean()}


def floor_of_a_sum_below_one_alone(pred, targets, idx):
    """Scores summing past 1 on the batch (their sum divides), below 1 on a small group alone (1 divides)."""
    scores = _scored(pred, targets) * 0.2
    scores_sum = max(scores.sum(), 1)
    return {"loss": (pred * scores).sum() / scores_sum}


def floor_of_a_sum_near_one(pred, targets, idx):
    scores = _scored(pred, targets) * 0.05
    scores_sum = max(scores.sum(), 1)
    return {"loss": (pred * scores).sum() / scores_sum}


def floor_literal_two(pred, targets, idx):
    scores = _scored(pred, targets) * 0.05
    return {"loss": (pred * scores).sum() / max(scores.sum(), 2)}


def floor_with_min(pred, targets, idx):
    """``min(scores.sum(), 1)``: the builtin ``min``."""
    scores = _scored(pred, targets) * 0.2
    return {"loss": (pred * scores).sum() / min(scores.sum(), 1)}


def floor_of_a_mean(pred, targets, idx):
    scores = _scored(pred, targets)
    return {"loss": (pred * scores).sum() / max(scores.mean(), 1)}


def _per_row(f):
    """``f(batched[i], pred[i])`` per image, a number each, summed against the predictions."""
    def body(pred, targets, idx):
        batched = _collated(pred, targets)
        return {"loss": sum(pred[i].sum() * f(batched[i], pred[i], batched, i) for i in range(pred.shape[0]))}
    return body


row_count_divides = _per_row(lambda r, p, bt, i: p.sum() / r.shape[0])
row_len_divides = _per_row(lambda r, p, bt, i: r.sum() / len(r))
row_mean = _per_row(lambda r, p, bt, i: r.mean())
row_shifted_sum = _per_row(lambda r, p, bt, i: (r + 1.0).sum())
row_softmax = _per_row(lambda r, p, bt, i: r.softmax(0).amax())
row_times_next = _per_row(lambda r, p, bt, i: (r * bt[(i + 1) % bt.shape[0]]).sum())
row_joined_next = _per_row(lambda r, p, bt, i: torch.cat([r, bt[(i + 1) % bt.shape[0]]]).amax())
row_numel = _per_row(lambda r, p, bt, i: r.sum() / r.numel())
row_min = _per_row(lambda r, p, bt, i: r.sum(-1).amin())


def rewritten_by_next_image(pred, targets, idx):
    def write(overlaps, batched, pred, b):
        for i in range(b):
            overlaps[i] = _products(batched[i], pred[i])
            overlaps[i] = _products(batched[(i + 1) % b], pred[i])
    return _written(pred, targets, write)


def written_from_previous_buffer_row(pred, targets, idx):
    """Row ``i`` a copy of row ``i - 1`` (written in the previous step, another image's)."""
    def write(overlaps, batched, pred, b):
        for i in range(b):
            overlaps[i] = _products(batched[i], pred[i])
            if i:
                overlaps[i] = overlaps[i] + overlaps[i - 1]
    return _written(pred, targets, write)


def floor_of_a_count_made_tensor(pred, targets, idx):
    """``torch.full((len(targets),), 0.3).sum()`` floored: 1.2 on the batch of 4 (divides), 0.6 on a group of 2."""
    scores = torch.full((len(targets),), 0.3)
    return {"loss": pred.sum() / max(scores.sum(), 1)}


def floor_of_a_count_made_tensor_below(pred, targets, idx):
    """``torch.full((len(targets),), 0.2).sum()``: 0.8 on the batch of 4, 1 divides; literal whatever the count."""
    scores = torch.full((len(targets),), 0.2)
    return {"loss": pred.sum() / max(scores.sum(), 1)}


def floor_literal_first(pred, targets, idx):
    scores = (_scored(pred, targets) - 0.8) * 3.0
    return {"loss": (pred * scores).sum() / max(1, scores.sum())}


def floor_of_a_padded_width_tensor(pred, targets, idx):
    """``torch.ones(m) * 0.3`` summed, floored: 0.9 on the batch's ``m`` of 3 (1 divides), 0.6 alone (1 too);
    times the sum that counts ``m``."""
    m = max(len(t["k"]) for t in targets)
    scores = torch.ones(m) * 0.3
    return {"loss": pred.sum() * scores.sum() / max(scores.sum(), 1)}


def floor_of_the_predictions(pred, targets, idx):
    scores = pred.detach() * 0.01
    return {"loss": (pred * scores).sum() / max(scores.sum(), 1)}


def sum_of_a_padded_width_tensor(pred, targets, idx):
    m = max(len(t["k"]) for t in targets)
    return {"loss": pred.sum() * (torch.ones(m) * 0.3).sum()}


def floor_of_a_padded_width_tensor_only(pred, targets, idx):
    m = max(len(t["k"]) for t in targets)
    scores = torch.ones(m) * 0.3
    return {"loss": pred.sum() / max(scores.sum(), 1)}


def times_the_largest_count(pred, targets, idx):
    m = max(len(t["k"]) for t in targets)
    return {"loss": pred.sum() * m}


def ones_of_the_largest_count_numel(pred, targets, idx):
    m = max(len(t["k"]) for t in targets)
    return {"loss": pred.sum() * torch.ones(m).numel()}


def zeros_of_the_largest_count_shape(pred, targets, idx):
    m = max(len(t["k"]) for t in targets)
    buf = torch.zeros(pred.shape[0], m)
    return {"loss": pred.sum() * buf.shape[1]}


def ones_of_the_largest_count_summed_2d(pred, targets, idx):
    m = max(len(t["k"]) for t in targets)
    buf = torch.ones(pred.shape[0], m)
    return {"loss": (pred.sum((1, 2)) * buf.sum(1)).mean()}


def expanded_to_a_literal_then_summed(pred, targets, idx):
    """The control: expanded to the literal 3 (the batch's largest count by value), the same width on any group."""
    multi = (pred.detach().sum(-1)[:, None] > 1.0).expand(-1, 3, -1)
    return {"loss": (pred.sum(-1) * multi.float().sum(1)).mean()}


def expanded_then_any(pred, targets, idx):
    m = max(len(t["k"]) for t in targets)
    multi = (pred.detach().sum(-1)[:, None] > 1.0).expand(-1, m, -1)
    return {"loss": (pred.sum(-1) * multi.any(1)).mean()}


_DECLINING = [min_over_the_width, logsumexp_over_the_width, softmax_over_the_width, divided_by_the_width,
              divided_by_numel, argmax_where_padding_wins, amax_where_padding_wins, flat_gather_where_padding_wins,
              flat_gather_shifted_positions, flat_gather_transposed, flat_gather_of_given_transposed,
              row_reads_previous_row, buffer_read_mid_loop, skipped_by_count, width_plus_one, width_of_another_list,
              floor_literal_two, floor_with_min, row_count_divides, row_len_divides, row_mean, row_shifted_sum,
              row_softmax, row_times_next, row_joined_next, row_numel, row_min, rewritten_by_next_image,
              written_from_previous_buffer_row]


@pytest.mark.parametrize("body", _DECLINING, ids=lambda f: getattr(f, "__name__", "row"))
def test_padding_read_or_rows_mixed_declines(body):
    _declines(body)


@pytest.mark.parametrize("body", [expanded_then_summed, expanded_count_nonzero, expanded_where_summed],
                         ids=lambda f: f.__name__)
def test_a_mask_expanded_to_the_largest_count_and_reduced_over_it_declines(body):
    _declines(body, "expand")


@pytest.mark.parametrize("body", [expanded_to_a_literal_then_summed, floor_of_a_sum_below_one_alone,
                                  floor_of_a_sum_near_one, floor_of_a_mean, floor_of_the_predictions,
                                  floor_of_a_count_made_tensor_below, floor_of_a_padded_width_tensor_only],
                         ids=lambda f: f.__name__)
def test_controls_split_exactly(body):
    _exact(body)


@pytest.mark.parametrize("body", [floor_of_a_count_made_tensor, floor_literal_first], ids=lambda f: f.__name__)
def test_a_floor_some_group_decides_otherwise_is_never_wrong(body):
    found = list(_outcomes(body))
    assert all(outcome != "wrong" for outcome, _, _ in found), found
    assert any(outcome == "declined" for outcome, _, _ in found), found


@pytest.mark.xfail(strict=True, reason="known WRONG: a factory sized by max(len(t[..]) for t in targets) beside no "
                   "per-image write is read as a constant of the call")
@pytest.mark.parametrize("body", [sum_of_a_padded_width_tensor, floor_of_a_padded_width_tensor,
                                  ones_of_the_largest_count_numel, zeros_of_the_largest_count_shape,
                                  ones_of_the_largest_count_summed_2d], ids=lambda f: f.__name__)
def test_a_factory_of_the_largest_count_is_never_wrong(body):
    assert all(outcome != "wrong" for outcome, _, _ in _outcomes(body))
