"""Red team, session 48 (red48): adversarial bodies against session 47's rules, each against the oracle.

Each body runs on the batches of the rule it aims at (the rule's own test batches: several groups, one
group, one image) and is classified with ``outcome_class``; no body may give a companion that differs
from the oracle's. Bodies by rule: s63 (rows over a floored / offset row sum: the floor through a helper,
``functools.partial``, a lambda, an in-place ``clamp_``, ``torch.maximum``, a floor equal to the images,
the rows mixed by ``roll`` / ``flip`` under the same shapes); gap47b (a data sum over a host-read row sum:
the read through a helper, a lambda, ``operator.truediv``, a default, a global, a comprehension, another
mask's read, a read of a threshold of the batch, one image's read); s64 (data over a constant times
``len``: the length of a tensor whose rows are no images', of ``x.T``, a ``functools.partial``, pairs
mixed by ``roll``; ``torch.bilinear`` of rows of other images); gap47a (constants of the call beside
``len``: side sizes that are the images through locals, unpacked shapes); gap47c (argument scalars
times the images, expanded per image, chosen by the batch's mean); s62b (lesser counts: through a
helper, a lambda, a third operand, a count started at ``len``, a loop skipping an image, the images in
reverse); s65 (``len(x) * q.shape[d]`` where ``q``'s dim is the images': ``q.T``, ``view(-1)``,
``permute``, through a helper); fuzz47 (sizes made plain: ``str``/``int`` round trips, ``len(range(n))``,
``hash``, ``complex``, ``Fraction``, ``math.prod``, ``functools.reduce``, ``x.unbind``).

Silently WRONG on main (1dbe91c), now fixed (8 bodies): a literal tensor clamped (``torch.as_tensor(24).clamp(
min=1)``, ``torch.tensor([6]).clamp(min=1).item()``) read as a count it equals (``4 x`` the instances, fuzz
seed 19), now a constant of the call (exact); a computed number of a size a test chose against a literal,
made a tensor (``torch.as_tensor(helper_floor(bs) * 3)``, seed 19), declined at ``torch.as_tensor``; a host
read chosen by ``max`` against one image's length (``max(m.sum().item(), len(t[0]["labels"]))``, seed 20;
inline, through a local, of the largest length), declined; a call of a closure over a plain 3 (read as the
3 images), declined as a call given nothing of the body's values.

Figures (121 bodies): on 1dbe91c 8 WRONG; now 0 WRONG, 37 exact on every batch, 84 declined with a warning
on some batch (most on the batches of several groups only). By rule, exact / declined: fuzz neighbours 7/5
(12), s63 6/8, gap47b 2/14, s64 1/10, gap47a+fuzz47 15/11, equal by value 1/9, gap47c 2/6, s62b least 2/7,
s65 0/9, own arms 1/5.
"""

from __future__ import annotations

import functools
import math
import operator
from fractions import Fraction

import pytest
import torch
from _helpers import (
    KEEP,
    ROWS,
    RULE_BATCHES,
    TARGETS,
    count_outcomes,
    labelled_outcomes,
    outcome_class,
    rule_batch,
    rule_image_errors,
    split_outcome,
    wrong_companions,
)
from test_group_scalars import BATCHES as SCALAR_BATCHES
from test_rules_data_over_reads import SEEDS as READ_SEEDS
from test_rules_data_over_reads import _batch as _read_batch
from test_rules_data_times_length import _batch as _length_batch
from test_rules_made_positions import SOURCES as PAIR_SOURCES
from test_rules_made_positions import _pairs
from test_rules_own_arms import SOURCES as CROWD_SOURCES
from test_rules_own_arms import _crowd, _posterior_error
from test_rules_parameter_width import _batch as _width_batch


def _counted(body) -> list[str]:
    seen, said = count_outcomes(body)
    assert "wrong" not in seen, (body.__name__, seen, said)
    return seen


def _scalar_batches(body) -> list[str]:
    seen = []
    for seed, weights in [*SCALAR_BATCHES, *RULE_BATCHES]:
        got, want, said = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        assert not wrong_companions(got, want), (body.__name__, seed, got, want)
        seen.append(outcome_class(got, want))
    return seen


def _with_scalar(body) -> list[str]:
    seen = []
    for seed, weights in RULE_BATCHES:
        o, t = rule_batch(seed, weights)
        got, want, said = split_outcome(body, [o, t, torch.tensor(0.3)], [ROWS, TARGETS, KEEP])
        assert not wrong_companions(got, want), (body.__name__, seed, got, want)
        seen.append(outcome_class(got, want))
    return seen


def _err(o, t):
    return (o["x"] - torch.stack([u["y"] for u in t])).abs() + 0.1


# --- the fuzzer's WRONG bodies (seeds 19, 20) and their neighbours ---------------------------------------------


def _helper_floor(m):
    return m if m > 8 else 8


def literal_tensor_clamped(o, t):
    e = _err(o, t)
    return {"loss": e.sum() / torch.as_tensor(24, dtype=e.dtype).clamp(min=1)}


def folded_literal_clamped(o, t):
    e = _err(o, t)
    n = 8 * 3
    return {"loss": e.sum() / torch.as_tensor(n, dtype=e.dtype).clamp(min=1)}


def literal_float_clamp_min(o, t):
    e = _err(o, t)
    return {"loss": e.sum() / torch.tensor(24.0).clamp_min(1.0)}


def chosen_size_times_literal_as_tensor(o, t):  # fuzz seed 19, body 273
    e = _err(o, t)
    n = _helper_floor(e.shape[0]) * 3
    return {"loss": e.sum() / torch.as_tensor(n, dtype=e.dtype).clamp(min=1)}


def read_or_first_images_length(o, t):  # fuzz seed 20, body 279 (its own max of lengths)
    e = _err(o, t)
    n = max((e > 0.5).sum().item(), max(len(u["labels"]) for u in t))
    return {"loss": e.sum() / max(n, 1e-3)}


def read_or_first_images_length_inline(o, t):
    e = _err(o, t)
    return {"loss": e.sum() / max((e > 0.5).sum().item(), len(t[0]["labels"]))}


def read_or_first_images_length_local(o, t):
    e = _err(o, t)
    k = len(t[0]["labels"])
    n = max((e > 0.5).sum().item(), k)
    return {"loss": e.sum() / n}


def read_stored_or_first_images_length(o, t):
    e = _err(o, t)
    r = (e > 0.5).sum().item()
    return {"loss": e.sum() / max(r, len(t[-1]["labels"]))}


def read_floored_by_a_literal(o, t):  # the proven floor: still split
    e = _err(o, t)
    return {"loss": e.sum() / max((e > 0.5).sum().item(), 3)}


WERE_WRONG = [literal_tensor_clamped, folded_literal_clamped, chosen_size_times_literal_as_tensor,
              read_or_first_images_length, read_or_first_images_length_inline, read_or_first_images_length_local]


@pytest.mark.parametrize("body", WERE_WRONG)
def test_were_wrong_on_main_now_exact_or_declined(body):
    seen = _counted(body)
    assert "declined" in seen or seen == ["exact"] * len(seen)


@pytest.mark.parametrize("body", [literal_tensor_clamped, folded_literal_clamped, literal_float_clamp_min,
                                  read_floored_by_a_literal])
def test_a_literal_tensor_clamped_and_a_proven_floor_split_as_the_oracle(body):
    assert _counted(body) == ["exact"] * 6


@pytest.mark.parametrize("body", [chosen_size_times_literal_as_tensor, read_or_first_images_length,
                                  read_or_first_images_length_inline, read_or_first_images_length_local,
                                  read_stored_or_first_images_length])
def test_a_number_another_number_of_the_batch_may_replace_declines(body):
    seen, said = count_outcomes(body)
    assert seen == ["declined"] * len(seen), (seen, said)


# --- s63: rows over a floored or offset row sum (``ratio.normaliser_applied``) ---------------------------------


def _pos(o, rare=False):
    return (o["x"].detach()[..., 0] > (0.58 if rare else 0.5)).float()  # [B, 3]


def _rows_err(o, t):
    return (o["x"] - torch.stack([u["y"] for u in t])).abs().sum(2)  # [B, 3]


def _floor_one(v):
    return v.clamp(min=1)


_CLAMP_ONE = functools.partial(torch.clamp, min=1)
_FLOOR_LAMBDA = lambda v: v.clamp(min=1)  # noqa: E731
_ONE = torch.ones(())


def floor_in_a_helper(o, t):
    p = _pos(o, rare=True)
    return {"loss": (_rows_err(o, t) * (p / _floor_one(p.sum()))).sum()}


def floor_by_partial(o, t):
    p = _pos(o, rare=True)
    return {"loss": (_rows_err(o, t) * (p / _CLAMP_ONE(p.sum()))).sum()}


def floor_by_lambda(o, t):
    p = _pos(o, rare=True)
    return {"loss": (_rows_err(o, t) * (p / _FLOOR_LAMBDA(p.sum()))).sum()}


def floor_in_place(o, t):
    p = _pos(o, rare=True)
    d = p.sum()
    d.clamp_(min=1)
    return {"loss": (_rows_err(o, t) * (p / d)).sum()}


def floor_by_maximum_of_a_global(o, t):
    p = _pos(o, rare=True)
    return {"loss": (_rows_err(o, t) * (p / torch.maximum(p.sum(), _ONE))).sum()}


def floor_is_the_images(o, t):
    p = _pos(o, rare=True)
    return {"loss": (_rows_err(o, t) * (p / p.sum().clamp(min=len(t)))).sum()}


def offset_by_the_images(o, t):
    p = _pos(o)
    return {"loss": (_rows_err(o, t) * (p / (p.sum() + 0.5 * len(t)))).sum()}


def rows_rolled_over_their_floored_sum(o, t):
    p = _pos(o, rare=True)
    return {"loss": (_rows_err(o, t) * (p.roll(1, 0) / p.sum().clamp(min=1))).sum()}


def rows_flipped_over_their_floored_sum(o, t):
    p = _pos(o)
    return {"loss": (_rows_err(o, t) * (p.flip(0) / (p.sum() + 0.5).clamp(min=1))).sum()}


def floored_sum_of_a_rolled_mask(o, t):
    p = _pos(o, rare=True)
    q = p.roll(1, 0)
    return {"loss": (_rows_err(o, t) * (p / q.sum().clamp(min=1))).sum()}


def floor_reused_by_alias(o, t):
    p = _pos(o, rare=True)
    d = p.sum().clamp(min=1)
    alias = d
    p2 = _pos(o)
    return {"loss": (_rows_err(o, t) * (p2 / alias)).sum()}


def floor_of_a_sum_written_after(o, t):
    p = _pos(o, rare=True)
    s = p.sum()
    d = s.clamp(min=1)
    p += 1.0  # every row written after the sum was taken
    return {"loss": (_rows_err(o, t) * (p / d)).sum()}


def floor_where_of_the_sum(o, t):
    p = _pos(o, rare=True)
    s = p.sum()
    return {"loss": (_rows_err(o, t) * (p / torch.where(s > 0, s, torch.ones_like(s)))).sum()}


def floor_then_mean_of_rows(o, t):
    p = _pos(o, rare=True)
    return {"loss": (_rows_err(o, t) * (p / p.sum().clamp(min=1))).mean()}


S63 = [floor_in_a_helper, floor_by_partial, floor_by_lambda, floor_in_place, floor_by_maximum_of_a_global,
       floor_is_the_images, offset_by_the_images, rows_rolled_over_their_floored_sum,
       rows_flipped_over_their_floored_sum, floored_sum_of_a_rolled_mask, floor_reused_by_alias,
       floor_of_a_sum_written_after, floor_where_of_the_sum, floor_then_mean_of_rows]


@pytest.mark.parametrize("body", S63)
def test_floored_row_sums_no_wrong_companion(body):
    _scalar_batches(body)


# --- gap47b: a data sum over a host-read row sum (``_data_over_read``), mixed reads' keys ----------------------


def _read(m):
    return float(m.sum())


_READ_LAMBDA = lambda m: float(m.sum())  # noqa: E731
READS: dict = {}


def read_in_a_helper(x, ign, rare):
    valid = ign != 255
    return {"loss": x.pow(2).mean(), "hits": ((x.detach() > 0) & valid).sum() / _read(valid)}


def read_by_lambda(x, ign, rare):
    valid = ign != 255
    return {"loss": x.pow(2).mean(), "hits": ((x.detach() > 0) & valid).sum() / _READ_LAMBDA(valid)}


def read_divided_by_operator(x, ign, rare):
    valid = ign != 255
    return {"loss": x.pow(2).mean(), "hits": operator.truediv(((x.detach() > 0) & valid).sum(), float(valid.sum()))}


def read_stored_in_a_global(x, ign, rare):
    valid = ign != 255
    READS["n"] = float(valid.sum())
    return {"loss": x.pow(2).mean(), "hits": ((x.detach() > 0) & valid).sum() / READS["n"]}


def read_in_a_default(x, ign, rare, _held=[0.0]):  # noqa: B006
    valid = ign != 255
    _held[0] = float(valid.sum())
    return {"loss": x.pow(2).mean(), "hits": ((x.detach() > 0) & valid).sum() / _held[0]}


def read_summed_per_image_list(x, ign, rare):
    valid = ign != 255
    n = sum(valid.sum((1, 2)).tolist())
    return {"loss": x.pow(2).mean(), "hits": ((x.detach() > 0) & valid).sum() / max(n, 1)}


def read_of_another_images_mask(x, ign, rare):
    valid = ign != 255
    return {"loss": x.pow(2).mean(), "hits": ((x.detach() > 0) & valid).sum() / max(float(valid.roll(1, 0)[0].sum()), 1.0)}


def read_of_a_batch_threshold(x, ign, rare):
    hot = x.detach() > x.detach().mean()
    return {"loss": x.pow(2).mean(), "hits": (x.detach() > 0).sum() / max(float(hot.sum()), 1.0)}


def read_equal_by_value_of_a_table(x, ign, rare):
    valid = ign != 255
    n = float(valid.sum())
    table = torch.ones(int(n))  # a tensor as long as the read: its length is no count of rows
    return {"loss": x.pow(2).mean(), "hits": ((x.detach() > 0) & valid).sum() / len(table)}


def read_times_images(x, ign, rare):
    valid = ign != 255
    return {"loss": x.pow(2).mean(), "hits": ((x.detach() > 0) & valid).sum() / (float(valid.sum()) / len(x))}


def read_in_a_comprehension(x, ign, rare):
    valid = ign != 255
    n = sum(float(v.sum()) for v in valid)
    return {"loss": x.pow(2).mean(), "hits": ((x.detach() > 0) & valid).sum() / max(n, 1.0)}


def read_reused_after_a_write(x, ign, rare):
    valid = (ign != 255).float()
    n = float(valid.sum())
    valid[0] = 1.0  # the first image's rows written after the read
    return {"loss": x.pow(2).mean(), "hits": ((x.detach() > 0) * valid).sum() / n}


def threshold_reaches_another_key_through_a_list(x, ign, rare):
    thr = float(x.detach().flatten().kthvalue(3).values)
    keep = [thr]
    return {"loss": x.pow(2).mean(), "b": x.abs().mean() * keep[0], "c": x.abs().sum() / x.numel()}


def threshold_reaches_a_key_through_a_branch(x, ign, rare):
    thr = float(x.detach().flatten().kthvalue(3).values)
    b = x.abs().mean()
    if thr > -1.0:
        b = b * 2
    return {"loss": x.pow(2).mean(), "b": b}


def threshold_written_into_a_buffer(x, ign, rare):
    thr = float(x.detach().flatten().kthvalue(3).values)
    buf = torch.zeros(())
    buf.fill_(thr)
    return {"loss": x.pow(2).mean(), "b": x.abs().mean() + buf}


def threshold_in_a_closure(x, ign, rare):
    thr = float(x.detach().flatten().kthvalue(3).values)

    def shifted(v):
        return v.abs().mean() + thr

    return {"loss": x.pow(2).mean(), "b": shifted(x)}


GAP47B = [read_in_a_helper, read_by_lambda, read_divided_by_operator, read_stored_in_a_global, read_in_a_default,
          read_summed_per_image_list, read_of_another_images_mask, read_of_a_batch_threshold,
          read_equal_by_value_of_a_table, read_times_images, read_in_a_comprehension, read_reused_after_a_write,
          threshold_reaches_another_key_through_a_list, threshold_reaches_a_key_through_a_branch,
          threshold_written_into_a_buffer, threshold_in_a_closure]


def _reads(body) -> list[str]:
    return labelled_outcomes(body, _read_batch, READ_SEEDS)


@pytest.mark.parametrize("body", GAP47B)
def test_reads_no_wrong_companion(body):
    _reads(body)


# --- s64: data over a constant times a length; ``torch.bilinear`` ----------------------------------------------

_HALF = functools.partial(operator.mul, 2)
_BILINEAR = torch.nn.Bilinear(3, 3, 1)
torch.nn.init.constant_(_BILINEAR.weight, 0.1)
torch.nn.init.constant_(_BILINEAR.bias, 0.0)
_BILINEAR.requires_grad_(False)


def over_twice_the_queries(x, score):
    """``len(x[0])`` is the queries (5), no count of images: a constant of the call."""
    return {"loss": x.pow(2).mean(), "share": (score > 0).float().sum() / (2 * len(x[0]))}


def over_twice_the_transposed_length(x, score):
    """``len(score.T)`` is the queries too."""
    return {"loss": x.pow(2).mean(), "share": (score > 0).float().sum() / (2 * len(score.T))}


def over_a_partial_of_the_length(x, score):
    return {"loss": x.pow(2).mean(), "share": (score[:, 0] > 0).float().sum() / _HALF(len(x))}


def over_twice_the_images_of_a_list(x, score):
    rows = list(x.unbind(0))
    return {"loss": x.pow(2).mean(), "share": (score[:, 0] > 0).float().sum() / (2 * len(rows))}


def pairs_mixed_by_roll_over_twice(x, score):
    near = score[:, 0] > score.roll(1, 0)[:, 0]
    return {"loss": x.pow(2).mean(), "acc": near.float().sum() / (2 * len(x))}


def over_the_length_of_a_doubled_batch(x, score):
    both = torch.cat([score, score.flip(0)])
    return {"loss": x.pow(2).mean(), "acc": (both[:, 0] > 0).float().sum() / len(both)}


def over_the_length_times_a_global_reassigned(x, score):
    return {"loss": x.pow(2).mean(), "acc": (score[:, 0] > 0).float().sum() / (_SCALE[0] * len(x))}


_SCALE = [2]


def bilinear_with_the_next_images_rows(x, score):
    return {"loss": _BILINEAR(x, x.roll(1, 0)).pow(2).mean()}


def bilinear_with_the_batch_mean(x, score):
    return {"loss": _BILINEAR(x, x.mean(0, keepdim=True).expand_as(x)).pow(2).mean()}


def bilinear_of_own_rows(x, score):
    return {"loss": torch.bilinear(x, x.flip(1), _BILINEAR.weight, _BILINEAR.bias).pow(2).mean()}


def bilinear_images_on_another_dim(x, score):
    xt = x.transpose(0, 1)  # [5, B, 3]
    return {"loss": _BILINEAR(xt, xt.roll(1, 1)).pow(2).mean()}


S64 = [over_twice_the_queries, over_twice_the_transposed_length, over_a_partial_of_the_length,
       over_twice_the_images_of_a_list, pairs_mixed_by_roll_over_twice, over_the_length_of_a_doubled_batch,
       over_the_length_times_a_global_reassigned, bilinear_with_the_next_images_rows, bilinear_with_the_batch_mean,
       bilinear_of_own_rows, bilinear_images_on_another_dim]


def _lengths(body) -> list[str]:
    return labelled_outcomes(body, _length_batch, READ_SEEDS)


@pytest.mark.parametrize("body", S64)
def test_data_over_lengths_and_bilinear_no_wrong_companion(body):
    _lengths(body)


# --- gap47a / fuzz47: constants of the call beside ``len()``, side sizes through locals, sizes made plain ---------

SIDE = 3  # a module constant no function sets (3: the images of three batches)


def side_is_the_images_through_a_local(o, t):
    h = o["x"].shape[0]
    return {"loss": _err(o, t).sum() / (len(t) * h)}


def side_sizes_unpacked(o, t):
    b, h, w = o["x"].shape
    return {"loss": _err(o, t).sum() / (b * h)}


def side_rebound_to_the_images(o, t):
    _, h, _ = o["x"].shape
    h = len(t)
    return {"loss": _err(o, t).sum() / (len(t) * h)}


def constant_beside_the_length(o, t):
    return {"loss": _err(o, t).sum() / (SIDE * len(t))}


def default_beside_the_length(o, t, side=3):
    return {"loss": _err(o, t).sum() / (side * len(t))}


def constant_chosen_by_the_length(o, t):
    side = SIDE if len(t) > 2 else 1
    return {"loss": _err(o, t).sum() / (side * len(t))}


def length_times_constant_in_a_closure(o, t):
    k = 3
    norm = lambda: k * len(t)  # noqa: E731
    return {"loss": _err(o, t).sum() / norm()}


def product_of_shape_by_reduce(o, t):
    return {"loss": _err(o, t).sum() / functools.reduce(operator.mul, o["x"].shape[:2])}


def product_of_shape_by_math(o, t):
    return {"loss": _err(o, t).sum() / math.prod(o["x"].shape[:2])}


def length_through_str(o, t):
    return {"loss": _err(o, t).sum() / int(str(len(t)))}


def size_through_repr(o, t):
    return {"loss": _err(o, t).sum() / float(repr(o["x"].shape[0]))}


def length_of_a_range(o, t):
    return {"loss": _err(o, t).sum() / len(range(len(t)))}


def length_of_a_repeated_list(o, t):
    return {"loss": _err(o, t).sum() / len([0] * len(t))}


def length_hashed(o, t):
    return {"loss": _err(o, t).sum() / hash(len(t))}


def length_as_complex(o, t):
    return {"loss": _err(o, t).sum() / complex(len(t)).real}


def length_as_fraction(o, t):
    return {"loss": _err(o, t).sum() / float(Fraction(len(t), 1))}


def images_counted_by_a_generator(o, t):
    return {"loss": _err(o, t).sum() / sum(1 for _ in t)}


def length_of_unbound_rows(o, t):
    return {"loss": _err(o, t).sum() / len(o["x"].unbind(0))}


def length_shifted(o, t):
    return {"loss": _err(o, t).sum() / (len(t) << 1)}


def length_double_negated(o, t):
    return {"loss": _err(o, t).sum() / -(0 - len(t))}


def length_in_a_dict(o, t):
    return {"loss": _err(o, t).sum() / dict(n=len(t))["n"]}


def length_through_an_iterator(o, t):
    return {"loss": _err(o, t).sum() / next(iter([len(t)]))}


def length_through_bin(o, t):
    return {"loss": _err(o, t).sum() / int(bin(len(t)), 2)}


def length_of_a_tolist(o, t):
    return {"loss": _err(o, t).sum() / len(o["x"].detach().tolist())}


def length_through_a_tensor_item(o, t):
    return {"loss": _err(o, t).sum() / torch.tensor(len(t)).item()}


def shape_numel_over_a_literal(o, t):
    return {"loss": _err(o, t).sum() / (o["x"].shape.numel() / 12)}


CONSTANTS = [side_is_the_images_through_a_local, side_sizes_unpacked, side_rebound_to_the_images,
             constant_beside_the_length, default_beside_the_length, constant_chosen_by_the_length,
             length_times_constant_in_a_closure, product_of_shape_by_reduce, product_of_shape_by_math,
             length_through_str, size_through_repr, length_of_a_range, length_of_a_repeated_list, length_hashed,
             length_as_complex, length_as_fraction, images_counted_by_a_generator, length_of_unbound_rows,
             length_shifted, length_double_negated, length_in_a_dict, length_through_an_iterator,
             length_through_bin, length_of_a_tolist, length_through_a_tensor_item, shape_numel_over_a_literal]


@pytest.mark.parametrize("body", CONSTANTS)
def test_constants_and_sizes_made_plain_no_wrong_companion(body):
    _counted(body)


# numbers equal by value to the images (3) or the instances (6) on some batches, constants of the call


def three_through_str(o, t):
    return {"loss": _err(o, t).sum() / int(str(3))}


def three_as_a_strings_length(o, t):
    return {"loss": _err(o, t).sum() / len("abc")}


def three_as_a_ranges_length(o, t):
    return {"loss": _err(o, t).sum() / len(range(SIDE))}


def three_through_a_fraction(o, t):
    return {"loss": _err(o, t).sum() / float(Fraction(SIDE))}


def three_of_a_constant_tensors_length(o, t):
    return {"loss": _err(o, t).sum() / len(torch.zeros(3, 2))}


def six_as_a_product(o, t):
    return {"loss": _err(o, t).sum() / math.prod((2, SIDE))}


def six_through_reduce(o, t):
    return {"loss": _err(o, t).sum() / functools.reduce(operator.mul, (2, 3))}


def six_as_a_tensor_item(o, t):
    return {"loss": _err(o, t).sum() / torch.tensor(6).item()}


def six_floored_as_a_tensor(o, t):
    return {"loss": _err(o, t).sum() / torch.tensor([6]).clamp(min=1).item()}


def three_in_a_closure(o, t):
    k = SIDE

    def norm():
        return k

    return {"loss": _err(o, t).sum() / norm()}


EQUAL_BY_VALUE = [three_through_str, three_as_a_strings_length, three_as_a_ranges_length, three_through_a_fraction,
                  three_of_a_constant_tensors_length, six_as_a_product, six_through_reduce, six_as_a_tensor_item,
                  six_floored_as_a_tensor, three_in_a_closure]


@pytest.mark.parametrize("body", EQUAL_BY_VALUE)
def test_constants_equal_by_value_to_a_count_no_wrong_companion(body):
    _counted(body)


def count_in_a_closure(o, t):  # the closure's cell is the images' count: read as it, or declined
    k = len(t)
    return {"loss": _err(o, t).sum() / (lambda: k)()}


def literal_list_tensor_as_divisor(o, t):
    return {"loss": _err(o, t).sum() / torch.as_tensor([6.0]).clamp(min=1)}


def instances_in_a_clamped_list_tensor(o, t):  # DETR's ``num_boxes``: split by the group's instances
    n = sum(len(u["labels"]) for u in t)
    return {"loss": _err(o, t).sum() / torch.as_tensor([n], dtype=torch.float).clamp(min=1).item()}


def test_a_closure_over_a_plain_number_equal_to_the_images_declines():
    """A closure over a plain 3 (read as the 3 images: silently WRONG on 1dbe91c where it equals them)
    declines there as a call given nothing of the body's values; exact elsewhere."""
    seen = _counted(three_in_a_closure)
    assert seen[1] == seen[4] == "declined" and seen.count("exact") == 4, seen


@pytest.mark.parametrize("body", [six_floored_as_a_tensor, literal_list_tensor_as_divisor,
                                  instances_in_a_clamped_list_tensor])
def test_a_literal_list_tensor_and_detrs_count_split_as_the_oracle(body):
    """(``torch.tensor([6]).clamp(min=1).item()``, read as the 6 instances: silently WRONG on 1dbe91c.)"""
    assert _counted(body) == ["exact"] * 6


def test_a_closure_over_the_count_gives_no_wrong_companion():
    _counted(count_in_a_closure)


# --- gap47c: argument scalars ----------------------------------------------------------------------------------


def scalar_expanded_per_image(o, t, s):
    return {"loss": rule_image_errors(o, t).mean() + s.expand(len(t)).sum()}


def scalar_repeated_then_averaged(o, t, s):
    return {"loss": rule_image_errors(o, t).mean() + s.repeat(len(t)).mean()}


def scalar_chosen_by_the_batch_mean(o, t, s):
    e = rule_image_errors(o, t)
    return {"loss": e.mean() + torch.where(e.detach().mean() > 0.28, s, torch.zeros_like(s))}


def scalar_times_the_elements(o, t, s):
    e = rule_image_errors(o, t)
    return {"loss": e.mean() + s * e.detach().numel() / 3}


def scalar_filled_per_image(o, t, s):
    return {"loss": rule_image_errors(o, t).mean() + torch.full((len(t),), s.item()).sum() / 3}


def scalar_through_a_partial(o, t, s):
    add = functools.partial(torch.add, s)
    return {"loss": add(rule_image_errors(o, t).mean())}


def scalar_via_operator(o, t, s):
    return {"loss": operator.add(rule_image_errors(o, t).mean(), s * 2)}


def scalar_written_in_place_with_a_count(o, t, s):
    kept = s.clone()
    kept += len(t) * 0.01
    return {"loss": rule_image_errors(o, t).mean() + kept}


SCALARS = [scalar_expanded_per_image, scalar_repeated_then_averaged, scalar_chosen_by_the_batch_mean,
           scalar_times_the_elements, scalar_filled_per_image, scalar_through_a_partial, scalar_via_operator,
           scalar_written_in_place_with_a_count]


@pytest.mark.parametrize("body", SCALARS)
def test_argument_scalars_no_wrong_companion(body):
    _with_scalar(body)


# --- s62b: lesser counts, own arms ------------------------------------------------------------------------------


def _least(a, b):
    return min(len(a), len(b))


def lesser_through_a_helper(x, y, mx, my):
    total, count = 0.0, 0
    for r in range(len(x)):
        a, b = x[r][mx[r].bool()], y[r][my[r].bool()]
        n = _least(a, b)
        total = total + (a[:n] - b[:n]).pow(2).sum()
        count += n
    return {"loss": total / count}


def lesser_with_a_constant_third(x, y, mx, my):
    total, count = 0.0, 0
    for r in range(len(x)):
        a, b = x[r][mx[r].bool()], y[r][my[r].bool()]
        n = min(len(a), len(b), 3)
        total = total + (a[:n] - b[:n]).pow(2).sum()
        count += n
    return {"loss": total / count}


def lesser_with_the_images(x, y, mx, my):
    total, count = 0.0, 0
    for r in range(len(x)):
        a = x[r][mx[r].bool()]
        n = min(len(a), len(x))
        total = total + a[:n].pow(2).sum()
        count += n
    return {"loss": total / count}


def count_started_at_the_images(x, y, mx, my):
    total, count = 0.0, len(x)
    for r in range(len(x)):
        a, b = x[r][mx[r].bool()], y[r][my[r].bool()]
        n = min(len(a), len(b))
        total = total + (a[:n] - b[:n]).pow(2).sum()
        count += n
    return {"loss": total / count}


def loop_skipping_the_last_image(x, y, mx, my):
    total, count = 0.0, 0
    for r in range(len(x) - 1):
        a, b = x[r][mx[r].bool()], y[r][my[r].bool()]
        n = min(len(a), len(b))
        total = total + (a[:n] - b[:n]).pow(2).sum()
        count += n
    return {"loss": (total + x[-1].sum() * 0) / max(count, 1)}


def images_in_reverse(x, y, mx, my):
    total, count = 0.0, 0
    for r in reversed(range(len(x))):
        a, b = x[r][mx[r].bool()], y[r][my[r].bool()]
        n = min(len(a), len(b))
        total = total + (a[:n] - b[:n]).pow(2).sum()
        count += n
    return {"loss": total / count}


def count_added_as_a_float(x, y, mx, my):
    total, count = 0.0, 0.0
    for r in range(len(x)):
        a, b = x[r][mx[r].bool()], y[r][my[r].bool()]
        n = min(len(a), len(b))
        total = total + (a[:n] - b[:n]).pow(2).sum()
        count = count + n
    return {"loss": total / count}


def zipped_images(x, y, mx, my):
    total, count = 0.0, 0
    for xr, yr, ax, ay in zip(x, y, mx, my):
        a, b = xr[ax.bool()], yr[ay.bool()]
        n = min(len(a), len(b))
        total = total + (a[:n] - b[:n]).pow(2).sum()
        count += n
    return {"loss": total / count}


def lesser_of_the_next_images_size(x, y, mx, my):
    total, count = 0.0, 0
    for r in range(len(x)):
        a, b = x[r][mx[r].bool()], y[(r + 1) % len(x)][my[(r + 1) % len(x)].bool()]
        n = min(len(a), len(b))
        total = total + a[:n].pow(2).sum()
        count += n
    return {"loss": total / count}


LEAST = [lesser_through_a_helper, lesser_with_a_constant_third, lesser_with_the_images, count_started_at_the_images,
         loop_skipping_the_last_image, images_in_reverse, count_added_as_a_float, zipped_images,
         lesser_of_the_next_images_size]


def _least_counts(body) -> list[str]:
    return labelled_outcomes(body, _pairs, range(len(PAIR_SOURCES)))


@pytest.mark.parametrize("body", LEAST)
def test_lesser_counts_no_wrong_companion(body):
    _least_counts(body)


# --- s65: ``len(x) * q.shape[d]`` of a parameter ----------------------------------------------------------------


def _width(q):
    return q.shape[1]


def width_through_a_helper(scores, pos, neg, feats):
    return {"loss": scores.pow(2).sum() / (len(scores) * _width(pos))}


def width_of_the_transpose_is_the_images(scores, pos, neg, feats):
    return {"loss": scores.pow(2).sum() / (len(scores) * pos.T.shape[1])}


def width_of_a_flat_view(scores, pos, neg, feats):
    return {"loss": scores.pow(2).sum() / (len(scores) * pos.view(-1).shape[0])}


def width_of_a_permute_is_the_images(scores, pos, neg, feats):
    return {"loss": scores.pow(2).sum() / (len(scores) * feats.permute(1, 0, 2).shape[1])}


def width_by_size_call(scores, pos, neg, feats):
    return {"loss": scores.pow(2).sum() / (len(scores) * feats.size(1))}


def width_of_the_images_dim(scores, pos, neg, feats):
    return {"loss": scores.pow(2).sum() / (len(scores) * neg.shape[0])}


def width_of_an_aliased_rebound_parameter(scores, pos, neg, feats):
    q = pos
    q = torch.cat([q, q], 0)  # [2B, 2]: its dim 0 twice the images
    return {"loss": scores.pow(2).sum() / (len(scores) * q.shape[0])}


def width_of_a_transposed_parameter_rebound(scores, pos, neg, feats):
    pos = pos.transpose(0, 1)
    return {"loss": scores.pow(2).sum() / (len(scores) * pos.shape[1])}


def width_numel(scores, pos, neg, feats):
    return {"loss": scores.pow(2).sum() / (len(scores) * pos.numel())}


WIDTHS = [width_through_a_helper, width_of_the_transpose_is_the_images, width_of_a_flat_view,
          width_of_a_permute_is_the_images, width_by_size_call, width_of_the_images_dim,
          width_of_an_aliased_rebound_parameter, width_of_a_transposed_parameter_rebound, width_numel]


def _widths(body) -> list[str]:
    return labelled_outcomes(body, _width_batch, READ_SEEDS)


@pytest.mark.parametrize("body", WIDTHS)
def test_parameter_widths_no_wrong_companion(body):
    _widths(body)


# --- s62b: own arms (``Frame.made_stacks``, ``_made_in_loop``) ---------------------------------------------------

def _headless(d):
    return d.sum().abs()


def arm_through_a_helper(density, points, present):
    dens = torch.nn.functional.softplus(density)
    losses = []
    for i in range(len(dens)):
        pts = points[i][present[i].bool()]
        if len(pts):
            losses.append(_posterior_error(dens[i], pts))
        else:
            losses.append(_headless(dens[i]))
    return {"loss": sum(losses) / len(losses)}


def arm_by_a_count_carried_across_images(density, points, present):
    dens = torch.nn.functional.softplus(density)
    losses, seen = [], 0
    for i in range(len(dens)):
        pts = points[i][present[i].bool()]
        seen += len(pts)
        if seen:
            losses.append(_posterior_error(dens[i], pts) if len(pts) else dens[i].sum() * 0.5)
        else:
            losses.append(dens[i].sum().abs())
    return {"loss": sum(losses) / len(losses)}


def terms_scaled_by_a_comprehension_after(density, points, present):
    dens = torch.nn.functional.softplus(density)
    losses = []
    for i in range(len(dens)):
        pts = points[i][present[i].bool()]
        losses.append(_posterior_error(dens[i], pts) if len(pts) else dens[i].sum().abs())
    losses = [v * (0.5 if k == 0 else 1.0) for k, v in enumerate(losses)]
    return {"loss": sum(losses) / len(losses)}


def terms_in_reverse_order(density, points, present):
    dens = torch.nn.functional.softplus(density)
    losses = []
    for i in reversed(range(len(dens))):
        pts = points[i][present[i].bool()]
        losses.append(_posterior_error(dens[i], pts) if len(pts) else dens[i].sum().abs())
    return {"loss": sum(losses) / len(losses)}


def arm_by_the_previous_images_length(density, points, present):
    dens = torch.nn.functional.softplus(density)
    losses = []
    for i in range(len(dens)):
        pts = points[i][present[i].bool()]
        prev = points[i - 1][present[i - 1].bool()]
        losses.append(_posterior_error(dens[i], pts) if len(pts) and len(prev) else dens[i].sum().abs())
    return {"loss": sum(losses) / len(losses)}


def term_written_in_place_after(density, points, present):
    dens = torch.nn.functional.softplus(density)
    losses = []
    for i in range(len(dens)):
        pts = points[i][present[i].bool()]
        losses.append(_posterior_error(dens[i], pts) if len(pts) else dens[i].sum().abs())
    total = torch.stack(losses)
    total[0] = total[0] * 2
    return {"loss": total.mean()}


ARMS = [arm_through_a_helper, arm_by_a_count_carried_across_images, terms_scaled_by_a_comprehension_after,
        terms_in_reverse_order, arm_by_the_previous_images_length, term_written_in_place_after]


def _arms(body) -> list[str]:
    return labelled_outcomes(body, _crowd, range(len(CROWD_SOURCES)))


@pytest.mark.parametrize("body", ARMS)
def test_own_arms_no_wrong_companion(body):
    _arms(body)
