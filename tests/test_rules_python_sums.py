"""A Python sum over the images of a function of each image's reduced loss (catalyst's focal
Tversky: ``loss += l_b ** (4 / 3)`` in a loop, then ``loss / len(outputs)``; ``sum(r ** 2 for r in
per_image) / len(targets)``): each term is one image's value, which on any group holding that
image the body computes alike, so the sum splits as the sum of one-image losses it is (each image's
terms once, ``/ len(targets)`` the group's count). Near misses decline or stay exact: a term added
twice, skipped on the image's own data, added to a batch mean, mixing two images' values, picked
by position, a divisor that is a literal equal to the count. Each body is compared with the
oracle (the body run on each group's images alone)."""

from __future__ import annotations

import functools

import pytest
import torch
from _helpers import ROWS, TARGETS, rule_batch, split_outcome, wrong_companions

BATCHES = [  # (seed, loss_weight per image): group counts that coincide (2, 2), differ, a lone image
    (0, [1.0, 0.5, 0.5, 1.0]),
    (1, [0.5, 1.0, 0.5]),
    (2, [1.0, 0.5]),
    (3, [1.0, 1.0, 1.0, 0.5]),
    (4, [0.5, 1.0, 1.0, 1.0]),
]


def _per_image(outputs: dict, targets: list[dict], b: int) -> torch.Tensor:
    """Image ``b``'s own reduced loss: the mean absolute error of its rows."""
    return (outputs["x"][b] - targets[b]["y"]).abs().mean()


def focal_loop(outputs, targets):
    loss = 0
    for b in range(len(outputs["x"])):
        l_b = _per_image(outputs, targets, b)
        loss += l_b ** (4 / 3)
    return {"loss": loss / len(targets)}


def focal_loop_undivided(outputs, targets):
    loss = 0
    for b in range(len(targets)):
        loss += _per_image(outputs, targets, b) ** (4 / 3)
    return {"loss": loss}


def squares_summed(outputs, targets):
    r = [_per_image(outputs, targets, b) for b in range(len(targets))]
    return {"loss": sum(r_b ** 2 for r_b in r) / len(targets)}


def functions_summed(outputs, targets):
    loss = 0
    for b in range(len(targets)):
        l_b = _per_image(outputs, targets, b)
        loss = loss + torch.exp(-l_b) * 2.0 + l_b.sqrt()
    return {"loss": loss / len(targets)}


def catalyst_shaped(outputs, targets):
    """catalyst's ``FocalTrevskyLoss.forward``: tensors zipped, each item unsqueezed, a ratio of
    its sums, ``/ len(outputs)``."""
    loss = 0
    y = torch.stack([t["y"] for t in targets])
    batch_size = len(outputs["x"])
    for o, t in zip(outputs["x"], y):
        o, t = torch.unsqueeze(o, dim=0), torch.unsqueeze(t, dim=0)
        loss += (1 - (o * t).sum() / (o + t).sum()) ** (4 / 3)
    return {"loss": loss / batch_size}


def power_one(outputs, targets):
    return {"loss": sum(_per_image(outputs, targets, b) ** 1 for b in range(len(targets))) / len(targets)}


def squares_listed(outputs, targets):
    return {"loss": sum([_per_image(outputs, targets, b) ** 2 * 0.7 for b in range(len(targets))]) / len(targets)}


def _halved_square(l_b):
    return l_b ** 2 * 0.5


def helper_in_a_generator(outputs, targets):
    return {"loss": sum(_halved_square(_per_image(outputs, targets, b)) for b in range(len(targets))) / len(targets)}


def helper_in_a_loop(outputs, targets):
    loss = 0
    for b in range(len(targets)):
        loss += _halved_square(_per_image(outputs, targets, b))
    return {"loss": loss / len(targets)}


def mean_of_a_list(outputs, targets):
    r = [_per_image(outputs, targets, b) ** 2 for b in range(len(targets))]
    return {"loss": sum(r) / len(r)}


def from_a_zero_tensor(outputs, targets):
    loss = torch.zeros(())
    for b in range(len(targets)):
        loss = loss + _per_image(outputs, targets, b) ** 2
    return {"loss": loss / len(targets)}


def reversed_images(outputs, targets):
    return {"loss": sum(_per_image(outputs, targets, b) ** 2 for b in reversed(range(len(targets)))) / 2}


EXACT = [focal_loop, focal_loop_undivided, squares_summed, functions_summed, catalyst_shaped, power_one, squares_listed,
         helper_in_a_generator, helper_in_a_loop, mean_of_a_list, from_a_zero_tensor, reversed_images]


@pytest.mark.parametrize("body", EXACT, ids=lambda f: f.__name__)
def test_a_sum_of_functions_of_each_images_loss_splits_exactly(body):
    for seed, weights in BATCHES:
        got, want, said = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        assert got and set(got) == set(want), (seed, said)
        assert got == pytest.approx(want, rel=1e-5, abs=1e-6), seed
        assert not said, said


def term_twice(outputs, targets):
    loss = 0
    for b in range(len(targets)):
        t = _per_image(outputs, targets, b) ** 2
        loss += t
        loss += t
    return {"loss": loss / len(targets)}


def first_term_again(outputs, targets):
    r = [_per_image(outputs, targets, b) ** 2 for b in range(len(targets))]
    return {"loss": (sum(r) + r[0]) / len(targets)}


def skipped_on_its_own_data(outputs, targets):
    loss = 0
    for b in range(len(targets)):
        l_b = _per_image(outputs, targets, b)
        if l_b > 0.25:
            loss += l_b ** 2
    return {"loss": torch.as_tensor(loss) / len(targets)}


def first_image_skipped(outputs, targets):
    loss = 0
    for b in range(1, len(targets)):
        loss += _per_image(outputs, targets, b) ** 2
    return {"loss": torch.as_tensor(loss) / len(targets)}  # (a tensor on an image alone too)


def one_term_on_a_batch_mean(outputs, targets):
    y = torch.stack([t["y"] for t in targets])
    return {"loss": (outputs["x"] - y).abs().mean() + _per_image(outputs, targets, 0) ** 2}


def terms_on_a_batch_mean(outputs, targets):
    y = torch.stack([t["y"] for t in targets])
    loss = (outputs["x"] - y).abs().mean()
    for b in range(len(targets)):
        loss += _per_image(outputs, targets, b) ** 2
    return {"loss": loss / len(targets)}


def two_images_mixed(outputs, targets):
    loss = 0
    n = len(targets)
    for b in range(n):
        loss += _per_image(outputs, targets, b) * _per_image(outputs, targets, (b + 1) % n)
    return {"loss": loss / n}


def times_the_first_image(outputs, targets):
    first = _per_image(outputs, targets, 0)
    loss = 0
    for b in range(len(targets)):
        loss += (_per_image(outputs, targets, b) * first) ** 0.5
    return {"loss": loss / len(targets)}


def over_a_literal(outputs, targets):
    loss = 0
    for b in range(len(targets)):
        loss += _per_image(outputs, targets, b) ** (4 / 3)
    return {"loss": loss / 2}


def power_of_the_count(outputs, targets):
    loss = 0
    for b in range(len(targets)):
        loss += _per_image(outputs, targets, b) ** len(targets)
    return {"loss": loss / len(targets)}


def scaled_by_the_position(outputs, targets):
    loss = 0
    for b in range(len(targets)):
        loss += _per_image(outputs, targets, b) ** 2 * (b + 1)
    return {"loss": loss / len(targets)}


def scaled_by_the_position_in_a_generator(outputs, targets):
    return {"loss": sum(_per_image(outputs, targets, b) ** 2 * 0.7 ** b for b in range(len(targets))) / len(targets)}


def position_as_the_exponent(outputs, targets):
    return {"loss": sum(_per_image(outputs, targets, b) ** (b + 1) for b in range(len(targets)))}


def _decay(l_b, b):
    return l_b ** 2 * 0.5 ** b


def position_passed_to_a_helper(outputs, targets):
    return {"loss": sum(_decay(_per_image(outputs, targets, b), b) for b in range(len(targets)))}


def position_of_enumerate(outputs, targets):
    r = [_per_image(outputs, targets, b) for b in range(len(targets))]
    return {"loss": sum(r_b ** 2 + 0.1 * i for i, r_b in enumerate(r))}


def first_term_scaled(outputs, targets):
    r = [_per_image(outputs, targets, b) ** 2 for b in range(len(targets))]
    return {"loss": 0.9 * r[0] + sum(r[1:])}


def first_term_rooted(outputs, targets):
    r = [_per_image(outputs, targets, b) ** 2 for b in range(len(targets))]
    return {"loss": r[0].sqrt() + sum(r[1:])}


def decay_carried_by_reduce(outputs, targets):
    return {"loss": functools.reduce(lambda s, v: 0.9 * s + v, [_per_image(outputs, targets, b) ** 2
                                                                 for b in range(len(targets))])}


def first_loss_plain_beside_squares(outputs, targets):  # the first image's loss made by no op the others' were
    r = [_per_image(outputs, targets, b) for b in range(len(targets))]
    return {"loss": r[0] + sum(x ** 2 for x in r[1:])}


def first_square_beside_halves(outputs, targets):
    r = [_per_image(outputs, targets, b) for b in range(len(targets))]
    return {"loss": r[0] ** 2 + sum(x * 0.5 for x in r[1:])}


def total_scaled_in_place_after_the_first(outputs, targets):
    r = [_per_image(outputs, targets, b) ** 2 for b in range(len(targets))]
    s = r[0] + 0
    s *= 0.9
    return {"loss": s + sum(r[1:])}


def decay_in_a_reduce_lambda_of_squares(outputs, targets):
    return {"loss": functools.reduce(lambda s, v: 0.9 * s + v ** 2,
                                     [_per_image(outputs, targets, b) for b in range(len(targets))], 0)}


def a_term_more_for_the_first(outputs, targets):
    r = [_per_image(outputs, targets, b) for b in range(len(targets))]
    return {"loss": sum(x ** 2 for x in r) + r[0].sqrt()}


def every_other_image(outputs, targets):
    return {"loss": sum(_per_image(outputs, targets, b) ** 2 for b in range(0, len(targets), 2)) / len(targets)}


def exponent_by_own_data(outputs, targets):  # each image's own value decides: declining is honest, not needed
    loss = 0
    for b in range(len(targets)):
        l_b = _per_image(outputs, targets, b)
        loss += l_b ** 2 if l_b > 0.25 else l_b * 0.5
    return {"loss": loss / len(targets)}


NEAR_MISSES = {  # body -> "exact" (companions equal the oracle's on every batch), "declines" or "either"
    term_twice: "exact",  # each image's terms twice alike: the group's own on a group alone
    first_term_again: "declines",
    # an image with rows adding no term is taken for a positional skip: declines where one is skipped
    skipped_on_its_own_data: "either",
    first_image_skipped: "declines",
    one_term_on_a_batch_mean: "declines",
    terms_on_a_batch_mean: "declines",
    two_images_mixed: "declines",
    times_the_first_image: "declines",
    over_a_literal: "exact",
    power_of_the_count: "declines",
    scaled_by_the_position: "declines",
    scaled_by_the_position_in_a_generator: "declines",
    position_as_the_exponent: "declines",
    position_passed_to_a_helper: "declines",
    position_of_enumerate: "declines",
    first_term_scaled: "declines",
    first_term_rooted: "declines",
    decay_carried_by_reduce: "declines",
    every_other_image: "declines",
    first_loss_plain_beside_squares: "declines",
    a_term_more_for_the_first: "declines",
    first_square_beside_halves: "declines",
    total_scaled_in_place_after_the_first: "declines",
    decay_in_a_reduce_lambda_of_squares: "declines",
    exponent_by_own_data: "either",
}


def _check_outcomes(body, expected: str) -> list[list[str]]:
    """``body`` on every batch: no wrong companion; ``"exact"``: every key split; ``"declines"``:
    none, with a warning; ``"either"``: one of them. The warnings of each batch."""
    saids = []
    for seed, weights in BATCHES:
        got, want, said = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        assert wrong_companions(got, want) == {}, (seed, said)
        if expected == "exact":
            assert got and set(got) == set(want), (seed, said)
        elif expected == "declines":
            assert got == {}, seed
            assert said, seed
        saids.append(said)
    return saids


@pytest.mark.parametrize("body", list(NEAR_MISSES), ids=lambda f: f.__name__)
def test_near_misses_decline_or_stay_exact(body):
    _check_outcomes(body, NEAR_MISSES[body])


# -- a number bound by ``functools.partial`` (catalyst's ``partial(_trevsky, alpha=alpha, beta=beta)``,
# called as ``metric_fn(tp, fp, fn)``): read where the partial was made, as a direct argument is


def _scaled(e, beta):
    return e * beta


def _error(outputs, targets):
    return (outputs["x"] - torch.stack([t["y"] for t in targets])).abs()


def partial_of_a_literal(outputs, targets):
    n = len(targets)
    fn = functools.partial(_scaled, beta=0.7)
    return {"loss": fn(_error(outputs, targets)).sum() / n}


def partial_passed_down(outputs, targets):
    n = len(targets)
    beta = 0.3
    return {"loss": _through(_error(outputs, targets), functools.partial(_scaled, beta=beta)).sum() / n}


def _through(e, metric_fn):
    return metric_fn(e)


def partial_of_a_count(outputs, targets):
    n = len(targets)
    fn = functools.partial(_scaled, beta=n * 0.1)
    return {"loss": fn(_error(outputs, targets)).sum()}


def partial_of_a_count_passed_down(outputs, targets):
    fn = functools.partial(_scaled, beta=len(targets) * 0.1)
    return {"loss": _through(_error(outputs, targets), fn).mean()}


def partial_of_a_position(outputs, targets):
    per = _per(outputs, targets)
    return {"loss": sum(functools.partial(_scaled, beta=0.7 ** i)(per[i]).sum() for i in range(len(targets)))}


def partial_of_a_literal_in_a_generator(outputs, targets):
    per = _per(outputs, targets)
    fn = functools.partial(_scaled, beta=0.7)
    return {"loss": sum(_through(per[i], fn).sum() for i in range(len(targets))) / len(targets)}


def _decayed_through_a_partial(p, i):
    fn = functools.partial(_scaled, beta=0.7 ** i)
    return fn(p).sum()


def partial_of_a_position_in_a_helper(outputs, targets):
    per = _per(outputs, targets)
    return {"loss": sum(_decayed_through_a_partial(per[i], i) for i in range(len(targets)))}


PARTIALS = {partial_of_a_literal: "exact", partial_passed_down: "exact", partial_of_a_count: "declines",
            partial_of_a_count_passed_down: "declines", partial_of_a_position: "declines",
            partial_of_a_position_in_a_helper: "declines", partial_of_a_literal_in_a_generator: "exact"}


def partial_of_a_position_on_rows(outputs, targets):  # one image's rows, not its 0-dim mean
    e = (outputs["x"] - torch.stack([t["y"] for t in targets])).abs()
    return {"loss": sum(functools.partial(_scaled, beta=0.7 ** i)(e[i]).mean() for i in range(len(targets)))}


def partial_of_an_own_field(outputs, targets):  # each image's own number: its data
    per = _per(outputs, targets)
    return {"loss": sum(functools.partial(_scaled, beta=float(targets[i]["labels"][0]) + 2.0)(per[i]).sum()
                        for i in range(len(targets)))}


# (``partial_of_a_position`` was silently wrong on main at 4ab73ea: the partial made and called at once
# is not read; the number ``_scaled`` got differs from image to image at its product, no image's data)
PARTIALS.update({partial_of_a_position_on_rows: "declines", partial_of_an_own_field: "exact"})


@pytest.mark.parametrize("body", PARTIALS, ids=lambda f: f.__name__)
def test_a_number_bound_by_a_partial_is_read_where_the_partial_was_made(body):
    for said in _check_outcomes(body, PARTIALS[body]):
        if PARTIALS[body] == "declines":
            assert any("computed from a length" in m or "position" in m for m in said), said


def _per(outputs, targets):
    return (outputs["x"] - torch.stack([t["y"] for t in targets])).abs().mean((1, 2))


def position_scaled_sums(outputs, targets):
    per = _per(outputs, targets)
    return {"loss": sum((per[i] * 0.7 ** i).sum() for i in range(len(targets)))}


def position_scaled_list(outputs, targets):
    per = _per(outputs, targets)
    return {"loss": sum([(per[i] * (i + 1)).sum() for i in range(len(targets))]) / len(targets)}


def position_scaled_loop(outputs, targets):
    per = _per(outputs, targets)
    loss = 0
    for i in range(len(targets)):
        loss = loss + (per[i] * 0.7 ** i).sum()
    return {"loss": loss}


def position_scaled_enumerated(outputs, targets):
    per = _per(outputs, targets)
    return {"loss": sum((p * 0.7 ** i).sum() for i, p in enumerate(per))}


def position_scaled_zipped(outputs, targets):
    per = _per(outputs, targets)
    return {"loss": sum((p * 0.7 ** i).sum() for i, (p, _t) in enumerate(zip(per, targets)))}


def position_reversed(outputs, targets):
    per = _per(outputs, targets)
    n = len(targets)
    return {"loss": sum((per[i] * 0.5 ** (n - 1 - i)).sum() for i in range(n))}


def position_in_a_dict(outputs, targets):
    per = _per(outputs, targets)
    terms = {i: (per[i] * 0.7 ** i).sum() for i in range(len(targets))}
    return {"loss": sum(terms.values())}


def position_divides(outputs, targets):
    per = _per(outputs, targets)
    return {"loss": sum((per[i] / (i + 1)).sum() for i in range(len(targets)))}


def _decayed(p, i):
    return (p * 0.7 ** i).sum()


def position_in_a_helper(outputs, targets):
    per = _per(outputs, targets)
    return {"loss": sum(_decayed(per[i], i) for i in range(len(targets)))}


def position_in_a_helper_looped(outputs, targets):
    per = _per(outputs, targets)
    loss = 0
    for i in range(len(targets)):
        loss = loss + _decayed(per[i], i)
    return {"loss": loss}


def position_one_to_the_power(outputs, targets):  # 1.0 ** i is 1 at every position: declining is honest, not needed
    per = _per(outputs, targets)
    return {"loss": sum((per[i] * 1.0 ** i).sum() for i in range(len(targets)))}


POSITION_SCALED = [position_scaled_sums, position_scaled_list, position_scaled_loop, position_scaled_enumerated,
                   position_scaled_zipped, position_reversed, position_in_a_dict, position_divides,
                   position_in_a_helper, position_in_a_helper_looped]


@pytest.mark.parametrize("body", POSITION_SCALED, ids=lambda f: f.__name__)
def test_a_term_scaled_by_its_position_is_no_ones_own_value(body):
    """One image's value times a number of its position in a comprehension, a helper or a loop
    over the images (``(per[i] * 0.7 ** i).sum() for i in range(len(t))``): on a group alone the
    image has another position, so another factor (a generator was silently wrong: the batch's
    factors were kept). Declines at the product; on the batch of 2 positions equal counts."""
    for seed, weights in BATCHES:
        got, want, said = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        assert got == {}, (seed, got, want)
        assert any("'loss'" in m and ("position" in m or "length of its data" in m) and "Tensor." in m
                   for m in said), said


def constant_in_a_generator(outputs, targets):
    per = _per(outputs, targets)
    return {"loss": sum((per[i] * 0.7).sum() for i in range(len(targets)))}


def constant_over_the_count(outputs, targets):
    per = _per(outputs, targets)
    return {"loss": sum([(per[i] * 2.0).sum() for i in range(len(targets))]) / len(targets)}


def constant_per_item(outputs, targets):
    per = _per(outputs, targets)
    return {"loss": sum((p * 0.7).sum() for p in per)}


def constant_in_a_helper(outputs, targets):
    per = _per(outputs, targets)
    return {"loss": sum(_decayed(per[i], 0) for i in range(len(targets)))}


def own_label_count(outputs, targets):  # one image's own count, picked by the position: its own on a group too
    per = _per(outputs, targets)
    return {"loss": sum((per[i] * len(targets[i]["labels"].unique())).sum() for i in range(len(targets)))}


POSITION_NEAR_MISSES = {constant_in_a_generator: "exact", constant_over_the_count: "exact",
                        constant_per_item: "exact", constant_in_a_helper: "exact",
                        # (a unique count equal to the number of images by value declines)
                        own_label_count: "either", position_one_to_the_power: "either"}


@pytest.mark.parametrize("body", list(POSITION_NEAR_MISSES), ids=lambda f: f.__name__)
def test_a_term_with_no_position_factor_splits(body):
    _check_outcomes(body, POSITION_NEAR_MISSES[body])


# -- found in session 29 (psum2), silently wrong on main too: a one-image SUM (no 0-dim value made
# from one) scaled by a constant for the image a Python list position picks, or by a decay a
# ``functools.reduce`` lambda carries (two images: it runs once, on image 0's term; the per-code
# reading of the carry is kept from the earlier, larger batches)


def _image_sum(outputs, targets, b):
    return (outputs["x"][b] - targets[b]["y"]).abs().sum()


def first_sum_scaled(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    return {"loss": 0.9 * r[0] + sum(r[1:])}


def decay_in_a_reduce_lambda(outputs, targets):
    import functools as ft  # (imported in the body: without it the carry is found on every batch)

    return {"loss": ft.reduce(lambda s, e: 0.9 * s + e.sum(),
                              [(outputs["x"][b] - targets[b]["y"]).abs() for b in range(len(targets))], 0)}


def last_sum_scaled(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    return {"loss": sum(r[:-1]) + 2.0 * r[-1]}


def first_sum_shifted_by_a_helper(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    return {"loss": _halved(r[0]) + sum(r[1:])}


def _halved(s):
    return s * 0.5


@pytest.mark.parametrize("body", [first_sum_scaled, decay_in_a_reduce_lambda, last_sum_scaled,
                                  first_sum_shifted_by_a_helper], ids=lambda f: f.__name__)
def test_a_sum_scaled_for_the_image_at_a_list_position_declines(body):
    """(silently wrong on main at 4ab73ea: the group holding the image kept its constant, the
    others got none.) Declined at the add: the constant was applied outside any loop to one
    image's term that the other images' terms did not get."""
    for seed, weights in BATCHES:
        got, want, said = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        assert got == {}, (seed, got, want)
        # (the reduce lambda's carry, made in a comprehension reading ``targets`` as a cell, is read
        # as a number computed from the count since session 30: declined at the same add)
        assert any("'loss'" in m and "Tensor.add" in m and ("position" in m or "from a length of its data" in m)
                   for m in said), said


def _flagged(outputs, targets, b):
    s = _image_sum(outputs, targets, b)
    return s * 0.9 if targets[b]["hard"] else s


def scaled_by_its_own_flag_in_a_loop(outputs, targets):
    loss = 0
    for b, t in enumerate(targets):
        s = _image_sum(outputs, targets, b)
        if t["hard"]:
            s = s * 0.9
        loss = loss + s
    return {"loss": loss}


def scaled_by_its_own_flag_in_a_helper(outputs, targets):  # the helper's constant is outside any loop of its own
    return {"loss": sum(_flagged(outputs, targets, b) for b in range(len(targets)))}


def every_sum_scaled(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    return {"loss": sum(0.9 * s for s in r)}


def every_sum_scaled_after(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    return {"loss": 0.9 * sum(r)}


def scaled_by_its_own_listed_flag_in_a_nested_loop(outputs, targets):
    # (an int of the item's second level is taken for a position, as one of its first level is: declined)
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    hard = [int(t["hard"]) for t in targets]
    tot = 0
    for _, (x, h) in enumerate(zip(r, hard)):
        if h:
            x = x * 0.9
        tot = tot + x
    return {"loss": tot}


@pytest.mark.parametrize("body, expected", [(scaled_by_its_own_flag_in_a_loop, "exact"),
                                            (scaled_by_its_own_flag_in_a_helper, "either"),
                                            (scaled_by_its_own_listed_flag_in_a_nested_loop, "either"),
                                            (every_sum_scaled, "exact"), (every_sum_scaled_after, "exact")],
                         ids=lambda f: getattr(f, "__name__", f))
def test_a_constant_of_every_image_or_of_its_own_flag_stays_exact(body, expected):
    for seed, weights in BATCHES:
        outputs, targets = rule_batch(seed, weights)
        for b, t in enumerate(targets):
            t["hard"] = b % 2 == 0
        got, want, said = split_outcome(body, [outputs, targets], [ROWS, TARGETS])
        assert wrong_companions(got, want) == {}, (seed, said)
        if expected == "exact":
            assert got and set(got) == set(want), (seed, said)


# -- found in session 30 (psum4), silently wrong at 02f607c: a constant applied in a loop or a
# comprehension over a SLICE of the images' list (``r[:2]``, ``r[1:]``, ``islice``, a position
# test) scales the images at some positions only; on a group alone other images have them


def _first_two(r):
    return r[:2]


def comprehension_over_a_slice(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    return {"loss": sum(0.9 * x for x in r[:2]) + sum(r[2:])}


def listed_comprehension_over_all_but_the_last(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    return {"loss": sum([0.9 * x for x in r[:-1]]) + r[-1]}


def loop_over_a_slice(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    tot = 0
    for x in r[1:]:
        tot = tot + 0.5 * x
    return {"loss": tot + r[0]}


def comprehension_over_an_islice(outputs, targets):
    import itertools

    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    return {"loss": sum(0.9 * x for x in itertools.islice(r, 2)) + sum(r[2:])}


def comprehension_filtered_by_position(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    return {"loss": sum(0.9 * x for i, x in enumerate(r) if i < 2) + sum(x for i, x in enumerate(r) if i >= 2)}


def loop_testing_the_position(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    tot = 0
    for i, x in enumerate(r):
        if i < 2:
            tot = tot + 0.9 * x
        else:
            tot = tot + x
    return {"loss": tot}


def loop_testing_a_nested_position(outputs, targets):
    # (the position in the item's second level: ``_position_tested`` read one level only, silently wrong)
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    tot = 0
    for _, (x, k) in enumerate(zip(r, range(len(r)))):
        if k < 2:
            tot = tot + 0.9 * x
        else:
            tot = tot + x
    return {"loss": tot}


def loop_testing_an_enumerated_position_zipped(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    tot = 0
    for (k, x), _ in zip(enumerate(r), targets):
        if k < 2:
            tot = tot + 0.9 * x
        else:
            tot = tot + x
    return {"loss": tot}


def comprehension_over_a_helpers_slice(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    return {"loss": sum(0.9 * x for x in _first_two(r)) + sum(r[2:])}


def loop_over_a_helpers_slice(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    tot = 0
    for x in _first_two(r):
        tot = tot + 0.9 * x
    return {"loss": tot + sum(r[2:])}


def every_other_sum_scaled(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    return {"loss": sum(0.5 * x for x in r[::2]) + sum(r[1::2])}


def loop_over_a_range_from_one(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    tot = r[0]
    for b in range(1, len(r)):
        tot = tot + 0.5 * r[b]
    return {"loss": tot}


def scaled_by_a_conditional_expression_of_the_position(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    return {"loss": sum((0.9 * x if i == 0 else x) for i, x in enumerate(r))}


def helper_in_a_loop_over_a_slice(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    tot = 0
    for x in r[1:]:
        tot = tot + _halved(x)
    return {"loss": tot + r[0]}


def helper_in_a_comprehension_over_a_slice(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    return {"loss": sum(_halved(x) for x in r[1:]) + r[0]}


SLICE_SCALED = [comprehension_over_a_slice, listed_comprehension_over_all_but_the_last, loop_over_a_slice,
                comprehension_over_an_islice, comprehension_filtered_by_position, loop_testing_the_position,
                loop_testing_a_nested_position, loop_testing_an_enumerated_position_zipped,
                comprehension_over_a_helpers_slice, loop_over_a_helpers_slice, every_other_sum_scaled,
                loop_over_a_range_from_one, scaled_by_a_conditional_expression_of_the_position,
                helper_in_a_loop_over_a_slice, helper_in_a_comprehension_over_a_slice]


@pytest.mark.parametrize("body", SLICE_SCALED, ids=lambda f: f.__name__)
def test_a_constant_in_a_loop_over_some_of_the_images_declines(body):
    """(silently wrong at 02f607c on 4-5 of 5 batches.) A loop over a slice of the images is no
    loop over every image: its constant is the position's, declined at the add (one batch may
    split where every image gets it: two images, ``r[:2]``), with a warning naming the key."""
    saids = _check_outcomes(body, "either")
    assert sum(1 for said in saids if any("'loss'" in m and "position" in m for m in said)) >= 4, saids


def zipped_with_their_targets(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    return {"loss": sum(0.9 * x for x, t in zip(r, targets))}


def loop_over_every_sum(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    tot = 0
    for x in r:
        tot += 0.5 * x
    return {"loss": tot}


def loop_over_the_range_of_every_image(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    tot = 0
    for b in range(len(targets)):
        tot = tot + 0.5 * r[b]
    return {"loss": tot}


def helper_in_a_comprehension_over_every_image(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    return {"loss": sum(_halved(x) for x in r)}


def copy_of_every_sum_scaled(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    return {"loss": sum(0.9 * x for x in r[:])}


def enumerated_with_a_test_of_its_own_flag(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    tot = 0
    for i, x in enumerate(r):
        if targets[i]["hard"]:
            x = x * 0.9
        tot = tot + x
    return {"loss": tot}


def nested_loop_with_a_test_of_its_own_flag(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    tot = 0
    for _, (x, t) in enumerate(zip(r, targets)):
        if t["hard"]:
            x = x * 0.9
        tot = tot + x
    return {"loss": tot}


@pytest.mark.parametrize("body", [zipped_with_their_targets, loop_over_every_sum, loop_over_the_range_of_every_image,
                                  enumerated_with_a_test_of_its_own_flag, nested_loop_with_a_test_of_its_own_flag,
                                  helper_in_a_comprehension_over_every_image,
                                  copy_of_every_sum_scaled], ids=lambda f: f.__name__)
def test_a_constant_in_a_loop_over_every_image_splits(body):
    """Near misses of the above: the loop visits every image (a full list, ``range(len(targets))``,
    ``zip`` of full lists, a test of the image's own field)."""
    test_a_constant_of_every_image_or_of_its_own_flag_stays_exact(body, "exact")


# -- found in session 30 (lead, pos3), silently wrong at c5d5834 on BATCHES[4] (weights 0.5, 1, 1, 1):
# a list of literals by POSITION (``ws = [0.5] + [1.0] * (n - 1)``) zipped with the images' sums. Each
# literal equals the weight of the image at its position, so it was taken for that image's own weight;
# on a group alone another image has position 0 and gets 0.5. A literal of the body's code is no
# proof of the weight, whatever it equals (or is: equal literals of one module are one object)


def weights_by_position_zipped(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    ws = [0.5] + [1.0] * (len(r) - 1)
    return {"loss": sum(w * x for w, x in zip(ws, r))}


def doubled_first_by_position(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    ws = [2.0] + [1.0] * (len(r) - 1)
    return {"loss": sum(w * x for w, x in zip(ws, r))}


def first_written_into_ones(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    ws = [1.0] * len(r)
    ws[0] = 0.5
    return {"loss": sum(w * x for w, x in zip(ws, r))}


def factor_of_a_dict_by_position(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    factors = {0: 0.5}
    return {"loss": sum(factors.get(i, 1.0) * x for i, x in enumerate(r))}


def conditional_literals_listed(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    ws = [0.5 if i == 0 else 1.0 for i in range(len(r))]
    return {"loss": sum(w * x for w, x in zip(ws, r))}


def one_at_the_first_position(outputs, targets):  # 1.0 is the weight of the first image on 3 batches
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    ws = [1.0] + [0.5] * (len(r) - 1)
    return {"loss": sum(w * x for w, x in zip(ws, r))}


def weights_by_position_indexed(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    ws = [0.5] + [1.0] * (len(r) - 1)
    return {"loss": sum(ws[i] * r[i] for i in range(len(r)))}


def weights_by_position_as_a_tensor(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    ws = torch.tensor([0.5] + [1.0] * (len(r) - 1))
    return {"loss": (ws * torch.stack(r)).sum()}


LITERALS_BY_POSITION = [weights_by_position_zipped, doubled_first_by_position, first_written_into_ones,
                        factor_of_a_dict_by_position, conditional_literals_listed, one_at_the_first_position,
                        weights_by_position_indexed, weights_by_position_as_a_tensor]


@pytest.mark.parametrize("body", LITERALS_BY_POSITION, ids=lambda f: f.__name__)
def test_literals_by_position_equal_to_the_weights_decline(body):
    """(silently wrong at c5d5834 on the batch whose weights the literals equal, position by
    position.) Declined on every batch, with a warning."""
    _check_outcomes(body, "declines")


def reciprocal_positions_listed(outputs, targets):  # on two images (1.0, 0.5) the factors are the weights
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    ws = [1.0 / (i + 1) for i in range(len(targets))]
    return {"loss": sum(w * x for w, x in zip(ws, r))}


def reciprocal_positions_looped(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    ws = [1.0 / (i + 1) for i in range(len(targets))]
    tot = 0
    for i in range(len(targets)):
        tot = tot + ws[i] * r[i]
    return {"loss": tot}


def own_weights_listed(outputs, targets):  # the weight fields themselves: 1 on a group alone
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    ws = [targets[i]["loss_weight"] for i in range(len(targets))]
    return {"loss": sum(w * x for w, x in zip(ws, r))}


def own_weights_zipped(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    return {"loss": sum(t["loss_weight"] * x for t, x in zip(targets, r))}


def own_factors_zipped(outputs, targets):  # a target field of each image's own, no weight
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    return {"loss": sum(t["scale"] * x for t, x in zip(targets, r))}


def own_weights_beside_an_equal_literal(outputs, targets):  # 0.5 here is the weight fields' object too
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    ws = [t["loss_weight"] for t in targets]
    return {"loss": 0.5 * sum(w * x for w, x in zip(ws, r))}


def ones_by_position(outputs, targets):
    r = [_image_sum(outputs, targets, b) for b in range(len(targets))]
    ws = [1.0] * len(r)
    return {"loss": sum(w * x for w, x in zip(ws, r))}


@pytest.mark.parametrize("body, expected", [(reciprocal_positions_listed, "either"),
                                            (reciprocal_positions_looped, "either"),
                                            (own_weights_listed, "exact"), (own_weights_zipped, "exact"),
                                            (own_factors_zipped, "exact"), (own_weights_beside_an_equal_literal, "exact"),
                                            (ones_by_position, "exact")],
                         ids=lambda f: getattr(f, "__name__", f))
def test_near_misses_of_literals_by_position(body, expected):
    """Factors computed from the position decline or are exact; each image's own field (its weight,
    1 on a group alone, or data) and a list of ones split."""
    for seed, weights in BATCHES:
        outputs, targets = rule_batch(seed, weights)
        for b, t in enumerate(targets):
            t["scale"] = 0.25 * (b + 1) + 0.5 * seed
        got, want, said = split_outcome(body, [outputs, targets], [ROWS, TARGETS])
        assert wrong_companions(got, want) == {}, (seed, said)
        if expected == "exact":
            assert got and set(got) == set(want), (seed, said)


@pytest.mark.parametrize("body", [reciprocal_positions_listed, reciprocal_positions_looped], ids=lambda f: f.__name__)
def test_factors_of_the_position_equal_to_the_weights_by_value_decline(body):
    """Were silently wrong (pos3, session 30; fixed by wpin): weights 1, 1/2, 1/3 are the factors
    ``1.0 / (i + 1)`` by value, new floats each (no literal of the code, no weight object): each
    was taken for its image's weight, 1 on a group alone, while on the group (images 1 and 2) alone
    the body gives them 1 and 1/2. A number the code computes from a position in a loop over the
    images (``_bytecode.positional_argument``; through a list of them zipped with the images'
    terms, ``_BatchReader._parts``) is no weight by value: declined, naming the op."""
    for weights in ([1.0, 0.5, 1.0 / 3], [1.0 / 3, 0.5, 1.0], [1.0, 0.5, 1.0 / 3, 0.25]):
        got, want, said = split_outcome(body, list(rule_batch(7, weights)), [ROWS, TARGETS])
        assert wrong_companions(got, want) == {}, said
        if weights[1:3] == [0.5, 1.0 / 3]:
            assert got == {} and any("Tensor.mul" in m for m in said), (weights, got, said)


def _stacked_times_arange(outputs, targets):
    r = torch.stack([_image_sum(outputs, targets, b) for b in range(len(targets))])
    return {"loss": (r * (torch.arange(len(targets)) + 1)).sum()}


def _stacked_times_linspace(outputs, targets):
    r = torch.stack([_image_sum(outputs, targets, b) for b in range(len(targets))])
    return {"loss": (r * torch.linspace(0.5, 1.0, len(targets))).sum()}


def _stacked_times_decay(outputs, targets):
    r = torch.stack([_image_sum(outputs, targets, b) for b in range(len(targets))])
    return {"loss": (r * 0.9 ** torch.arange(len(targets), dtype=torch.float32)).sum()}


@pytest.mark.parametrize("body", [_stacked_times_arange, _stacked_times_linspace, _stacked_times_decay],
                         ids=lambda f: f.__name__)
def test_a_stack_of_one_image_sums_times_positions_declines(body):
    """Was silently wrong (found by the lead, session 30): ``targets`` read inside the comprehension
    is a cell, so ``len(targets)`` loaded it by ``LOAD_DEREF`` and the positional factory's size was
    no count; the factor kept the batch's positions on every group. Declined, naming the key."""
    for seed, weights in BATCHES:
        got, want, said = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        assert want and got == {} and any("'loss'" in m for m in said), (seed, got, said)


def _stacked_times_ones(outputs, targets):
    r = torch.stack([_image_sum(outputs, targets, b) for b in range(len(targets))])
    return {"loss": (r * torch.ones(len(targets))).sum() + 2.0 * r.sum()}


def test_a_stack_of_one_image_sums_times_ones_splits():
    for seed, weights in BATCHES:
        got, want, said = split_outcome(_stacked_times_ones, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        assert want and set(got) == set(want) and not wrong_companions(got, want), (seed, said)


def _cell_count_exponent(outputs, targets):
    n = len(targets)  # a cell: the comprehension below reads it
    r = torch.stack([_image_sum(outputs, targets, b) / n for b in range(n)])
    return {"loss": (r ** (n * 0.25)).sum()}


def _cell_count_bound_in_the_comprehension(outputs, targets):
    n = len(targets)
    r = torch.stack([_image_sum(outputs, targets, b).clamp(max=n * 2.0) for b in range(len(targets))])
    return {"loss": r.sum()}


def test_a_count_held_in_a_cell_declines():
    """Was silently wrong (found by the lead, session 30): ``n = len(targets)`` read by a comprehension
    is a cell the body loads by ``LOAD_DEREF``, which the count reading took for no local: ``r ** (n *
    0.25)`` kept the batch's count on every group."""
    for seed, weights in BATCHES:
        got, want, said = split_outcome(_cell_count_exponent, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        assert want and got == {} and any("'loss'" in m for m in said), (seed, got, said)


def test_a_count_read_as_a_free_variable_of_a_comprehension_follows_the_oracle():
    """Was silently wrong (found by the lead, session 30; fixed by cells, session 31): ``n =
    len(targets)`` read inside the comprehension is a free variable there (``LOAD_DEREF n`` of the
    enclosing body's cell), which the count reading took for no local: ``clamp(max=n * 2.0)`` kept
    the batch's bound on every group. The enclosing code's store is read now (``_BatchReader.free``)."""
    for seed, weights in BATCHES:
        got, want, said = split_outcome(_cell_count_bound_in_the_comprehension, list(rule_batch(seed, weights)),
                                        [ROWS, TARGETS])
        assert want and not wrong_companions(got, want), (seed, got, want, said)
