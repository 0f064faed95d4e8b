"""A sum of the images' data (a metric: hits, positives) divided by a constant of the call times a
length the body read of a tensor whose rows carry images (``(a.sum() + b.sum()) / (2 * len(z))``,
TNC's accuracy over both pairs of each window, survey 64): on a group alone ``k`` times the group's
count of those rows, as a loss over it already was (``_over_constant_times_length``). Was: the data
sum scaled by ``1 / (k B)`` as a constant, declined as no value the split gives per group (also on
the batches of one group). Each against the oracle, on batches labelled through
``losssplit.sources`` and on the rule batches of per-image targets, with near misses that must
decline (the images mix, the other factor is no constant, the rows are not the images')."""

from __future__ import annotations

import torch
from _helpers import ROWS, RULE_BATCHES, check_labelled, rule_batch, rule_outcome, wrong_companions
from _survey import LIBRARY_SOURCES, gen

SEEDS = range(len(LIBRARY_SOURCES))
_TABLE = torch.randn(4, 3)  # a tensor of the module's, as many rows as batch 0 has images


def _batch(seed: int) -> tuple[list, list, list]:
    """Predictions [B, 5, 3] and scores [B, 5] (two images without positives on batch 0)."""
    g = gen(seed + 6400)
    b = len(LIBRARY_SOURCES[seed])
    x = torch.randn(b, 5, 3, generator=g).requires_grad_()
    score = torch.randn(b, 5, generator=g)
    score[::3] = -1.0
    return [x, score], [ROWS] * 2, LIBRARY_SOURCES[seed]


def _check(body, splits: bool | None) -> None:
    """On the labelled batches (``splits`` None: no wrong companion, given or not) and on the rule
    batches through a wrapper (no wrong companion)."""
    if splits is None:
        for seed in SEEDS:
            got, want, said = _outcome(body, seed)
            assert not wrong_companions(got, want), (body.__name__, seed, got, want)
    else:
        check_labelled(body, _batch, SEEDS, splits)
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(lambda o, t: body(o["x"], o["x"].detach()[..., 0] - 0.5), rule_batch(seed, weights))
        assert not wrong_companions(got, want), (body.__name__, seed, got, want)


def _outcome(body, seed):
    from _helpers import split_outcome
    args, kinds, labels = _batch(seed)
    return split_outcome(body, args, kinds, labels)


def hits_over_twice_the_rows(x, score):
    """The positive rows' share of twice the images (both views counted)."""
    return {"loss": x.pow(2).mean(), "share": (score[:, 0] > 0).float().sum() / (2 * len(x))}


def two_sums_over_twice_the_rows(x, score):
    """TNC's accuracy: the neighbours above 0 and the far windows below, over both pairs of each."""
    near, far = x[:, 0, 0], score[:, 1]
    acc = ((near > 0).float().sum() + (far < 0).float().sum()) / (2 * len(x))
    return {"loss": x.pow(2).mean(), "acc": acc}


def over_a_local_product(x, score, views=3):
    """The product kept in a local, the constant a parameter at its default, the length written last."""
    norm = views * len(score)
    return {"loss": x.pow(2).mean(), "per_view": (score > 0).float().sum() / norm}


def over_each_loop_constant(x, score):
    """The constant a loop's ``range`` of literals: each term over ``k`` times the group's count."""
    total = 0
    for k in range(1, 3):
        total = total + (score[:, 0] > 0).float().sum() / (k * len(x))
    return {"loss": x.pow(2).mean(), "total": total}


def test_a_data_sum_over_a_constant_times_a_length_of_rows_splits_as_the_oracle():
    for body in (hits_over_twice_the_rows, two_sums_over_twice_the_rows, over_a_local_product, over_each_loop_constant):
        _check(body, splits=True)


def as_a_normaliser(x, score):
    """A loss over that share: a ratio over a normaliser over a row sum (no wrong value, given or not)."""
    fg = (score > 0).float()
    return {"loss": (x.pow(2).sum(-1) * fg).sum() / (fg.sum() / (2 * len(fg)) + 1)}


def test_a_loss_over_such_a_share_is_never_wrong():
    _check(as_a_normaliser, splits=None)


def over_the_batch_mean(x, score):
    """The images mix: the positives against the batch's mean score."""
    return {"share": (score > score.mean()).float().sum() / (2 * len(x))}


def over_the_length_squared(x, score):
    """The other factor a length too: the group's count squared."""
    return {"share": (score > 0).float().sum() / (len(x) * len(x))}


def over_a_size_of_the_call(x, score):
    """The other factor a size of the call's tensor (the columns): no constant the code proves."""
    n = x.shape[1]
    return {"share": (score > 0).float().sum() / (n * len(x))}


def over_rows_picked_by_value(x, score):
    """The length of the rows each image's own data picks: on a group alone the group's picks (splits)."""
    kept = x[score[:, 0] > -0.5]
    return {"share": (score > 0).float().sum() / (2 * len(kept))}


def over_the_first_rows(x, score):
    """The length of the batch's first two images' rows (by position): on a group alone its first two."""
    first = x[:2]
    return {"share": (first[:, 0, 0] > 0).float().sum() / (2 * len(first))}


def test_where_the_images_mix_or_the_factor_is_a_count_it_declines():
    for body in (over_the_batch_mean, over_the_length_squared, over_a_size_of_the_call, over_the_first_rows):
        _check(body, splits=False)
    _check(over_rows_picked_by_value, splits=True)


def over_a_module_table(x, score):
    """A length of a tensor of the module's (no image's rows), equal to batch 0's count of images: a
    constant on any group."""
    return {"loss": x.pow(2).mean(), "share": (score > 0).float().sum() / (2 * len(_TABLE))}


def test_a_length_of_no_images_rows_is_never_a_group_count():
    _check(over_a_module_table, splits=None)
