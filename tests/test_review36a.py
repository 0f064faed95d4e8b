"""Review of session 36's library changes (helper rev36a): adversarial criterion bodies near the rules
session 36 added (pin36's counter after a loop left early, ``sorted(..)[-1]`` as max, unpacked sizes,
strided loops; s49's count times constants; s1415's outside normaliser times a constant, running
count times a constant floored by ``max``, ``own_length_bound``; the counted and strided loops), measured against the oracle on 7
batches of 2 to 5 images with 1 to 3 instances each (a group absent in two). The bodies pinned here
are silently WRONG on cc8cefb and on 21de299 too (before session 36: none is a regression of it). hr36 closed
14 of them (a count read on the host and compared after Python code of it: the call declines) and pinned one
more (``read_divides_two_keys_scaled``): 23 pinned, 14 closed. pin38a (session 37) closed 11 more (the
count arithmetic: 10 declined, ``read_divides_two_keys_scaled`` split exactly) and added a read compared
in a function the body calls (was WRONG, declined) with near misses; pin38b (session 37) closed the other 12
(slice bounds from the batch, loops over some of the images, sizes of tensors made from the batch: all
declined) and 3 more WRONG bodies beside them. None is pinned now.
"""


import math

import pytest
import torch
from _helpers import COUNT_BATCHES as BATCHES
from _helpers import COUNT_LENGTHS as LENGTHS
from _helpers import ROWS, TARGETS, Share, split_outcome, wrong_companions
from _helpers import count_batch as batch


def err(o, t):
    return (o["x"] - torch.stack([u["y"] for u in t])).abs() + 0.1

def count_plus_const_in_gen(o, t):
    e = err(o, t)
    z = sum(len(u["labels"]) + 3 for u in t)
    return {"loss": e.sum() / z}

def count_times_first_image_len(o, t):
    e = err(o, t)
    k = len(t[0]["labels"])
    z = sum(len(u["labels"]) * k for u in t)
    return {"loss": e.sum() / z}

def count_times_max_count(o, t):
    e = err(o, t)
    m = max(len(u["labels"]) for u in t)
    z = sum(len(u["labels"]) * m for u in t)
    return {"loss": e.sum() / z}

def per_image_sorted_fraction_of_flat_len(o, t):
    e = err(o, t)
    flat = e.reshape(-1)
    tot = 0
    for i in range(len(t)):
        r = e[i].reshape(-1).sort()[0]
        keep = int(len(flat) * 0.1)
        tot = tot + r[:keep].sum()
    return {"loss": tot / len(t)}

def per_image_sorted_fraction_other_len(o, t):
    e = err(o, t)
    tot = 0
    for i in range(len(t)):
        r = e[i].reshape(-1).sort()[0]
        keep = int(len(t) * 2.5)
        tot = tot + r[:keep].sum()
    return {"loss": tot / len(t)}

def running_count_left_early(o, t):
    e = err(o, t)
    num_pos = 0
    for u in t:
        if len(u["labels"]) > 2:
            break
        num_pos += len(u["labels"])
    return {"loss": e.sum() / max(1, num_pos * 2)}

def running_count_strided(o, t):
    e = err(o, t)
    num_pos = 0
    for u in t[::2]:
        num_pos += len(u["labels"])
    return {"loss": e.sum() / max(1, num_pos * 2)}

def sorted_max_of_count_and_const(o, t):
    e = err(o, t)
    z = sorted([float(sum(len(u["labels"]) for u in t)), 3.0])[-1]
    return {"loss": e.sum() / z}

def sorted_min_of_count_and_const(o, t):
    e = err(o, t)
    z = sorted([float(sum(len(u["labels"]) for u in t)), 5.0])[0]
    return {"loss": e.sum() / z}

def outside_times_count_item(o, t, num_boxes):
    k = (err(o, t) > 0.5).sum().item()
    return {"loss": err(o, t).mean(1).sum() / (num_boxes * k)}


def gen_times_last_image_count(o, t):
    e = err(o, t)
    for u in t:
        W = len(u["labels"])
    return {"loss": e.sum() / sum(len(u["labels"]) * W for u in t)}


def own_len_frac_stored_images(o, t):
    e = err(o, t)
    tot = 0
    frac = len(t) / 8
    for i in range(len(t)):
        r = e[i].reshape(-1).sort()[0]
        keep = int(len(r) * frac)
        tot = tot + r[:keep].sum()
    return {"loss": tot / len(t)}


def outside_times_const_rebound_num(o, t, num_boxes):
    num_boxes = max(num_boxes, 5.0)
    return {"loss": err(o, t).mean(1).sum() / (num_boxes * 2)}


def outside_times_const_clamped_tensor(o, t, num_boxes):
    z = torch.as_tensor(num_boxes * 2).clamp(min=6)
    return {"loss": err(o, t).mean(1).sum() / z}


def loop_over_targets_sliced(o, t):
    e = err(o, t)
    total = e.mean() * 0
    for _u in t[1:]:
        total = total + e.mean()
    return {"loss": total}


def loop_over_zip_shifted(o, t):
    e = err(o, t)
    total = e.mean() * 0
    for _a, _b in zip(t, t[1:]):
        total = total + e.mean()
    return {"loss": total}


def loop_over_images_then_break(o, t):
    e = err(o, t)
    total = e.mean() * 0
    for u in t:
        if len(u["labels"]) >= 3:
            break
        total = total + e.mean()
    return {"loss": total}


def made_cat_plus_const(o, t):
    e = err(o, t)
    lab = torch.cat([u["labels"] for u in t] + [torch.zeros(2, dtype=torch.long)])
    n, = lab.shape
    return {"loss": e.sum() / n}


def made_zeros_images_plus(o, t):
    e = err(o, t)
    z = torch.zeros(len(t) + 3)
    n, = z.shape
    return {"loss": e.sum() / n}


def sliced_own_len_other_tensor(o, t):
    e = err(o, t)
    total = 0
    for i in range(len(t)):
        r = e[i].reshape(-1).sort()[0]
        q = e[: i + 1].reshape(-1)
        keep = int(len(q) * 0.2)
        total = total + r[:keep].sum()
    return {"loss": total}


def free_total_count(o, t):
    e = err(o, t)
    N = len(torch.cat([u["labels"] for u in t]))
    return {"loss": e.sum() / sum(len(u["labels"]) * N for u in t)}


def star_unpack_tail(o, t):
    e = err(o, t)
    *_, r, w = o["x"].shape
    return {"loss": e.sum() / (r * w)}


def guard_positive_int_gt_const(o, t):
    e = err(o, t)
    pos = e > 0.5
    num_pos = int(pos.sum())
    if num_pos > 8:
        loss = (e * pos).sum() / num_pos
    else:
        loss = (e * pos).sum() / 8
    return {"loss": loss}


def return_in_arms_int(o, t):
    e = err(o, t)
    m = int((e > 0.5).sum())
    if m > 8:
        return {"loss": e.sum() / m}
    return {"loss": e.sum() / m * 2}


def two_keys_one_branch(o, t):
    e = err(o, t)
    m = int((e > 0.5).sum())
    out = {"loss_a": e.mean()}
    if m > 8:
        out["loss_b"] = e.sum() / m
    return out


def ternary_on_read(o, t):
    e = err(o, t)
    m = int((e > 0.5).sum())
    return {"loss": e.sum() / m if m > 10 else e.sum() / 10}


def floor_then_compare(o, t):
    e = err(o, t)
    m = (e > 0.5).sum().item()
    if math.floor(m / 4) >= 2:
        return {"loss": e.sum() / m}
    return {"loss": e.sum()}


_READ_COMPARED = """
def {name}(o, t):
    e = err(o, t)
    m = (e > 0.5).sum().item()
    if {test}:
        return {{"loss": e.sum() / m}}
    return {{"loss": e.sum() / 8}}
"""


def _read_compared(name, test):
    """A body dividing by ``m``, a count read by ``.item()``, where ``test`` (written inline in its
    code, as a criterion writes it) holds, else by 8."""
    made = {}
    exec(_READ_COMPARED.format(name=name, test=test), {"err": err, "math": math}, made)  # noqa: S102
    return made[name]


def read_compared_in_a_lambda(o, t):
    e = err(o, t)
    m = (e > 0.5).sum().item()
    test = lambda m: m > 8  # noqa: E731
    if test(m):
        return {"loss": e.sum() / m}
    return {"loss": e.sum() / 8}


def read_compared_in_a_genexpr(o, t):
    e = err(o, t)
    m = int((e > 0.5).sum())
    z = sum(m if m > 8 else 8 for _ in range(1))
    return {"loss": e.sum() / z}


def near_read_compared_inline(o, t):
    e = err(o, t)
    m = (e > 0.5).sum().item()
    if m > 8:
        return {"loss": e.sum() / m}
    return {"loss": e.sum() / 8}


read_floordiv_compared = _read_compared('read_floordiv_compared', 'm // 4 >= 2')
read_round_compared = _read_compared('read_round_compared', 'round(m / 4) >= 2')
read_int_compared = _read_compared('read_int_compared', 'int(m) > 8')
read_float_compared = _read_compared('read_float_compared', 'float(m) > 8.0')
read_abs_compared = _read_compared('read_abs_compared', 'abs(m - 4) > 4')
read_ceil_compared = _read_compared('read_ceil_compared', 'math.ceil(m / 4) > 2')
read_mod_compared = _read_compared('read_mod_compared', 'm % 2 == 0')
read_sqrt_compared = _read_compared('read_sqrt_compared', 'math.sqrt(m) > 2.9')



def read_divides_two_keys_scaled(o, t):
    e = err(o, t)
    m = int((e > 0.5).sum())
    return {"loss": e.sum() / m, "loss_b": e.sum() / (2 * m)}


# the 23 bodies pinned silently WRONG at the end of session 36, all closed in session 37 (pin38a: the count
# arithmetic; pin38b: slice bounds, loops over some of the images, made sizes)
WERE_WRONG = [
    count_plus_const_in_gen, count_times_first_image_len, count_times_max_count, sorted_max_of_count_and_const,
    sorted_min_of_count_and_const, outside_times_count_item, gen_times_last_image_count,
    outside_times_const_rebound_num, outside_times_const_clamped_tensor, free_total_count,
    read_divides_two_keys_scaled, per_image_sorted_fraction_of_flat_len, per_image_sorted_fraction_other_len,
    running_count_left_early, running_count_strided, own_len_frac_stored_images, loop_over_targets_sliced,
    loop_over_zip_shifted, loop_over_images_then_break, made_cat_plus_const, made_zeros_images_plus,
    sliced_own_len_other_tensor, star_unpack_tail,
]


@pytest.mark.parametrize("body", WERE_WRONG, ids=lambda b: b.__name__)
def test_no_silently_wrong_companion(body):
    """Every companion present equals the oracle's on every batch (a decline is an honest answer)."""
    outside = "num_boxes" in body.__code__.co_varnames[: body.__code__.co_argcount]
    for seed, weights in BATCHES:
        o, t = batch(seed, weights)
        if outside:
            lengths = LENGTHS[seed]
            got, want, _ = split_outcome(body, [o, t, float(sum(lengths))], [ROWS, TARGETS, Share(lengths)])
        else:
            got, want, _ = split_outcome(body, [o, t], [ROWS, TARGETS])
        assert not wrong_companions(got, want), (seed, wrong_companions(got, want))


def near_guard_positive_item(o, t):
    e = err(o, t)
    pos = e > 0.5
    num_pos = (pos.sum()).item()
    if num_pos > 8:
        loss = (e * pos).sum() / num_pos
    else:
        loss = (e * pos).sum() / 8
    return {"loss": loss}


def near_return_in_arms_item(o, t):
    e = err(o, t)
    m = (e > 0.5).sum().item()
    if m > 8:
        return {"loss": e.sum() / m}
    return {"loss": e.sum() / m * 2}


@pytest.mark.parametrize("body", [near_guard_positive_item, near_return_in_arms_item, near_read_compared_inline], ids=lambda b: b.__name__)
def test_a_count_read_by_item_and_compared_splits_or_declines_per_group(body):
    """The near misses of the ``int()`` pins: read by ``.item()`` the comparison is decided per group
    (s45b): a group deciding as the batch splits, one deciding otherwise has no companion."""
    exact = 0
    for seed, weights in BATCHES:
        o, t = batch(seed, weights)
        got, want, _ = split_outcome(body, [o, t], [ROWS, TARGETS])
        assert not wrong_companions(got, want), seed
        exact += bool(got)
    assert exact >= 3


# closed by hr36 (session 36): each was silently WRONG (the batch's arm on every group; the last, in a
# generator reading the closure's ``m``, added by hr36)
READ_COMPARED_IN_PYTHON = [guard_positive_int_gt_const, return_in_arms_int, ternary_on_read,
                           floor_then_compare, read_floordiv_compared, read_round_compared, read_int_compared,
                           read_float_compared, read_abs_compared, read_ceil_compared, read_mod_compared,
                           read_sqrt_compared, read_compared_in_a_lambda, read_compared_in_a_genexpr]


def test_a_count_read_and_compared_declines_the_keys_it_reaches():
    """s60: the compared read steers only ``loss_b`` (the code proves it, ``_reach``): ``loss_a`` is
    the batch's computation on the group's images and splits (it declined the call)."""
    for seed, weights in BATCHES:
        o, t = batch(seed, weights)
        got, want, said = split_outcome(two_keys_one_branch, [o, t], [ROWS, TARGETS])
        assert not wrong_companions(got, want), seed
        assert {k.rsplit("_", 1)[0] for k in got} == {"loss_a"}, (seed, got)
        if len({w >= 0.9 for w in weights}) > 1 and any(k.startswith("loss_b") for k in want):
            assert any("'loss_b'" in w and "compared or tested in Python" in w for w in said), (seed, said)


@pytest.mark.parametrize("body", READ_COMPARED_IN_PYTHON, ids=lambda b: b.__name__)
def test_a_count_read_and_compared_after_python_declines(body):
    """A count of several images read on the host (``int(..)``, ``.item()``) and compared or tested
    after a conversion, arithmetic or a call (``int(m) > 8``, ``m // 4 >= 2``, ``test(m)``, ``a if m
    > 10 else b``) declines the call with a warning naming the read: the reader does not prove the
    comparison the plain inline one decided per group (was the batch's arm on every group). Every batch is
    checked for wrong values before any for its warning (session 47: a rule following reads through
    ``int()`` made ``int(m) > 8`` wrong on four batches, hidden behind the first batch's missing warning)."""
    outcomes = [(weights, *split_outcome(body, list(batch(seed, weights)), [ROWS, TARGETS])) for seed, weights in BATCHES]
    assert not [wrong_companions(got, want) for _, got, want, _ in outcomes if wrong_companions(got, want)]
    for weights, got, _, said in outcomes:
        if len({w >= 0.9 for w in weights}) > 1:  # (one group: its companion is the value returned)
            # (or, where ``_provenance`` reads it first, the literal the test chose: ``m if m > 8 else 8``)
            assert not got and any("compared or tested in Python" in w or "a number chosen by a Python test" in w
                                   for w in said), (weights, said)


def near_int_read_floored(o, t):
    e = err(o, t)
    pos = e > 0.5
    num_pos = max(int(pos.sum()), 1)
    return {"loss": (e * pos).sum() / num_pos}


def near_int_read_divides(o, t):
    e = err(o, t)
    m = int((e > 0.5).sum())
    return {"loss": e.sum() / m}


@pytest.mark.parametrize("body", [near_int_read_floored, near_int_read_divides], ids=lambda b: b.__name__)
def test_a_count_read_by_int_and_not_compared_still_splits(body):
    """The near misses of the closed pins: read by ``int()`` and only divided by (floored by
    ``max``), the count is each group's own and no call declines."""
    exact = 0
    for seed, weights in BATCHES:
        o, t = batch(seed, weights)
        got, want, said = split_outcome(body, [o, t], [ROWS, TARGETS])
        assert not wrong_companions(got, want), seed
        assert not any("compared or tested in Python" in w for w in said), (seed, said)
        exact += bool(got) and got.keys() == want.keys()
    assert exact >= 5


# closed by pin38b (session 37): each was silently WRONG (a slice bound the body computes from the
# batch's size, read as a constant of the call or as the image's own)
SLICED_BY_THE_BATCH = [per_image_sorted_fraction_of_flat_len, per_image_sorted_fraction_other_len,
                       own_len_frac_stored_images, sliced_own_len_other_tensor]


@pytest.mark.parametrize("body", SLICED_BY_THE_BATCH, ids=lambda b: b.__name__)
def test_a_slice_bound_from_the_batch_declines(body):
    """Per image, ``r[:keep]`` with ``keep`` computed from the batch's length, the number of images
    or another tensor's length (``int(len(flat) * 0.1)``, ``int(len(t) * 2.5)``, ``int(len(r) *
    frac)`` with ``frac = len(t) / 8``): the bound is no constant of the call nor the image's own
    (``_bytecode.counted_index``); the key declines with a warning naming the slice."""
    for seed, weights in BATCHES:
        o, t = batch(seed, weights)
        got, want, said = split_outcome(body, [o, t], [ROWS, TARGETS])
        assert not wrong_companions(got, want), seed
        if len({w >= 0.9 for w in weights}) > 1:
            assert not got and any("with a slice bound the code computes from the batch" in w for w in said), (seed, said)


def near_own_fraction_stored(o, t):
    e = err(o, t)
    tot = 0
    for i in range(len(t)):
        r = e[i].reshape(-1).sort()[0]
        keep = int(len(r) * 0.1)
        tot = tot + r[:keep].sum()
    return {"loss": tot / len(t)}


def near_own_fraction_inline(o, t):
    e = err(o, t)
    tot = 0
    for i in range(len(t)):
        r = e[i].reshape(-1).sort()[0]
        tot = tot + r[:int(0.3 * len(r))].sum()
    return {"loss": tot / len(t)}


def near_literal_and_shape_bounds(o, t):
    e = err(o, t)
    tot = 0
    for i in range(len(t)):
        r = e[i].reshape(-1).sort()[0]
        tot = tot + r[:3].sum() + r[: r.shape[0] // 2].mean()
    return {"loss": tot / len(t)}


@pytest.mark.parametrize("body", [near_own_fraction_stored, near_own_fraction_inline, near_literal_and_shape_bounds],
                         ids=lambda b: b.__name__)
def test_a_slice_bound_of_the_image_own_length_still_splits(body):
    """The near misses: ``r[:int(len(r) * 0.1)]`` (stored first or written in the subscript), a
    literal bound, ``r.shape[0] // 2``, ``r`` one image's own values: exact on every batch."""
    for seed, weights in BATCHES:
        o, t = batch(seed, weights)
        got, want, said = split_outcome(body, [o, t], [ROWS, TARGETS])
        assert got and got.keys() == want.keys() and not wrong_companions(got, want), (seed, said)
        assert not said, said


def images_then_break_one_image_terms(o, t):
    e = err(o, t)
    total = e.mean() * 0
    for i, u in enumerate(t):
        if len(u["labels"]) >= 3:
            break
        total = total + e[i].mean()
    return {"loss": total}


# closed by pin38b (session 37): each was silently WRONG (a loop over some of the images only, read
# as a loop over every image or as a constant number of terms); the last, one image's terms in a loop
# left early (WRONG on a batch whose first image leaves it: no term, where a group alone adds its
# images'), added by pin38b
OVER_SOME_IMAGES = {
    running_count_left_early: "counted over some of the images only",
    running_count_strided: "counted over some of the images only",
    loop_over_targets_sliced: "in a loop over some of the images only",
    loop_over_zip_shifted: "in a loop over some of the images only",
    loop_over_images_then_break: "",
    images_then_break_one_image_terms: "compared in a loop over the images that a jump may leave early",
}


@pytest.mark.parametrize("body", OVER_SOME_IMAGES, ids=lambda b: b.__name__)
def test_a_loop_over_some_of_the_images_declines(body):
    """A loop over a slice of the images (``t[1:]``, ``zip(t, t[1:])``, ``t[::2]``) or one a
    ``break`` may leave early (``_bytecode.partial_loop``): a whole-batch term added there, a count
    added up there (``partly_counted``), or a length of one image's tensor compared there declines
    with a warning naming it, whatever count of the batch the number of terms or the count equals
    (one term on a batch of 2 images was read as the group's)."""
    for seed, weights in BATCHES:
        o, t = batch(seed, weights)
        got, want, said = split_outcome(body, [o, t], [ROWS, TARGETS])
        assert not wrong_companions(got, want), seed
        if len({w >= 0.9 for w in weights}) > 1:
            assert not got and any(OVER_SOME_IMAGES[body] in w for w in said), (seed, said)


def near_running_count_every_image(o, t):
    e = err(o, t)
    num_pos = 0
    for u in t:
        num_pos += len(u["labels"])
    return {"loss": e.sum() / max(1, num_pos * 2)}


def near_zip_every_image(o, t):
    e = err(o, t)
    total = 0
    for u, r in zip(t, e):
        total = total + (r - u["y"]).abs().mean()
    return {"loss": total / len(t)}


def near_whole_batch_terms_over_a_constant_range(o, t):
    e = err(o, t)
    total = e.mean() * 0
    for _k in range(3):
        total = total + e.mean()
    return {"loss": total}


@pytest.mark.parametrize("body", [near_running_count_every_image, near_zip_every_image,
                                  near_whole_batch_terms_over_a_constant_range], ids=lambda b: b.__name__)
def test_a_loop_over_every_image_or_constants_still_splits(body):
    """The near misses: a count added up over every image, ``zip(t, e)``, whole-batch terms over
    ``range(3)``: exact on every batch, no warning."""
    for seed, weights in BATCHES:
        o, t = batch(seed, weights)
        got, want, said = split_outcome(body, [o, t], [ROWS, TARGETS])
        assert got and got.keys() == want.keys() and not wrong_companions(got, want), (seed, said)
        assert not said, said


def made_of_literals_sizes(o, t):
    e = err(o, t)
    n, m = torch.zeros(5, 3).shape
    return {"loss": e.sum() / (n * m)}


def star_unpacked_made_tail(o, t):
    e = err(o, t)
    *_, r, w = e.shape
    return {"loss": e.sum() / (r * w)}


# closed by pin38b (session 37): each was silently WRONG (a size read as a count of the batch it
# equals); the last two added by pin38b (``made_of_literals_sizes``: 15 read as 5 x 3 images;
# ``star_unpacked_made_tail``: 12 read as the rows of 4 images)
@pytest.mark.parametrize("body", [made_cat_plus_const, made_zeros_images_plus, star_unpacked_made_tail],
                         ids=lambda b: b.__name__)
def test_sizes_of_a_tensor_made_from_the_batch_decline(body):
    """``n, = torch.cat([u["labels"] for u in t] + [torch.zeros(2)]).shape``, ``n, = torch.zeros(len(t)
    + 3).shape`` (``_bytecode.counted_size_divisor``, also where no size held image rows), ``*_, r, w
    = e.shape`` of the body's errors (``made_size_divisor``, a starred unpacking read too): on a group
    alone other sizes; the key declines naming the division."""
    for seed, weights in BATCHES:
        o, t = batch(seed, weights)
        got, want, said = split_outcome(body, [o, t], [ROWS, TARGETS])
        assert not wrong_companions(got, want), seed
        if len({w >= 0.9 for w in weights}) > 1 and seed not in (3, 6):  # (12 = 4 x 3 images only on batch 0 and 4)
            assert not got and any("a division by sizes unpacked from a tensor the body made" in w for w in said), (seed, said)


@pytest.mark.parametrize("body", [star_unpack_tail, made_of_literals_sizes], ids=lambda b: b.__name__)
def test_sizes_the_same_on_any_group_split(body):
    """``*_, r, w = o["x"].shape`` (an argument's dims without images, starred-unpacked) and the sizes
    of ``torch.zeros(5, 3)`` (made of literals) are constants: exact on every batch, no warning."""
    for seed, weights in BATCHES:
        o, t = batch(seed, weights)
        got, want, said = split_outcome(body, [o, t], [ROWS, TARGETS])
        assert got and got.keys() == want.keys() and not wrong_companions(got, want), (seed, said)
        assert not said, said


def _outcomes(body):
    """``split_outcome`` of ``body`` on each of ``BATCHES`` (a ``num_boxes`` parameter: the batch's
    target instances, passed in, whose share a group takes): (seed, weights, got, want, said)."""
    outside = "num_boxes" in body.__code__.co_varnames[: body.__code__.co_argcount]
    for seed, weights in BATCHES:
        o, t = batch(seed, weights)
        if outside:
            lengths = LENGTHS[seed]
            yield seed, weights, *split_outcome(body, [o, t, float(sum(lengths))], [ROWS, TARGETS, Share(lengths)])
        else:
            yield seed, weights, *split_outcome(body, [o, t], [ROWS, TARGETS])


# closed by pin38a (session 37): each was silently WRONG; now declined, with the warning naming why
# (a number computed in Python from per-image sizes beyond their sum, from a number passed in, or a
# read times a number passed in), on every batch of two groups
CLOSED_DECLINED = {
    count_plus_const_in_gen: "by more than their sum",
    count_times_first_image_len: "by more than their sum",
    count_times_max_count: "by more than their sum",
    gen_times_last_image_count: "by more than their sum",
    free_total_count: "by more than their sum",
    sorted_max_of_count_and_const: "by more than their sum",
    sorted_min_of_count_and_const: "by more than their sum",
    outside_times_const_rebound_num: "from a number passed in",
    outside_times_const_clamped_tensor: "from a number passed in",
    outside_times_count_item: "key 'loss': attribution to images was lost at",
}


@pytest.mark.parametrize("body", list(CLOSED_DECLINED), ids=lambda b: b.__name__)
def test_a_count_computed_beyond_what_the_readers_prove_declines(body):
    """A per-image count (``len(u['labels'])``) summed with more arithmetic than the plain sum (``+ 3``,
    times a number of the batch, a max by ``sorted``), or an outside normaliser computed on (rebound
    by ``max``, clamped as a tensor, times a count read on the host) declines the key naming the op:
    on a group alone the body computes it from the group's images (was the batch's share read by
    value: silently WRONG)."""
    for seed, weights, got, want, said in _outcomes(body):
        assert not wrong_companions(got, want), seed
        if len({w >= 0.9 for w in weights}) > 1:
            assert not got and any(CLOSED_DECLINED[body] in w for w in said), (seed, said)


def test_a_read_times_a_literal_splits_as_the_groups_read():
    """``loss_b = e.sum() / (2 * m)``, ``m = int((e > 0.5).sum())`` (hr36's pin): on a group alone
    twice the group's read, split exactly (was the batch's read taken as another count)."""
    exact = 0
    for seed, _, got, want, _ in _outcomes(read_divides_two_keys_scaled):
        assert not wrong_companions(got, want), seed
        exact += any(k.startswith("loss_b_") for k in got)
    assert exact >= 5


def _floored_by_eight(m):
    return m if m > 8 else 8


def read_compared_in_a_helper(o, t):
    e = err(o, t)
    m = int((e > 0.5).sum())
    return {"loss": e.sum() / _floored_by_eight(m)}


def item_read_compared_in_a_helper(o, t):
    e = err(o, t)
    m = (e > 0.5).sum().item()
    return {"loss": e.sum() / _floored_by_eight(m)}


def _divided_if_above(x, m):
    return x.sum() / m if m > 8 else x.sum() / 8


def read_compared_in_a_helper_by_keyword(o, t):
    e = err(o, t)
    m = int((e > 0.5).sum())
    return {"loss": _divided_if_above(e, m=m)}


def read_compared_in_a_local_function(o, t):
    def floor(m):
        return m if m > 8 else 8
    e = err(o, t)
    m = int((e > 0.5).sum())
    return {"loss": e.sum() / floor(m)}


class _Floors:
    def floor(self, m):
        return m if m > 8 else 8


def read_compared_in_a_method(o, t, floors=_Floors()):  # noqa: B008
    e = err(o, t)
    m = int((e > 0.5).sum())
    return {"loss": e.sum() / floors.floor(m)}


READ_COMPARED_IN_A_CALLEE = [read_compared_in_a_helper, item_read_compared_in_a_helper,
                             read_compared_in_a_helper_by_keyword, read_compared_in_a_local_function,
                             read_compared_in_a_method]


@pytest.mark.parametrize("body", READ_COMPARED_IN_A_CALLEE, ids=lambda b: b.__name__)
def test_a_count_read_and_compared_in_a_called_function_declines(body):
    """A count read on the host (``int(..)``, ``.item()``) passed to a Python function that compares
    the parameter it binds (``def f(m): return m if m > 8 else 8``; a global, a local function, a
    method, by keyword) declines the call naming the read (pin38a: was the batch's arm on every
    group, silently WRONG)."""
    for seed, weights, got, want, said in _outcomes(body):
        assert not wrong_companions(got, want), seed
        if len({w >= 0.9 for w in weights}) > 1:
            # (or, where ``_provenance`` reads it first, the literal the test chose: ``m if m > 8 else 8``)
            assert not got and any("compared or tested in Python" in w or "a number chosen by a Python test" in w
                                   for w in said), (seed, said)


def _times_one(m):
    return m * 1


def near_read_passed_to_a_helper_that_does_not_compare(o, t):
    e = err(o, t)
    m = int((e > 0.5).sum())
    return {"loss": e.sum() / _times_one(m)}


def near_read_floored_by_max(o, t):
    e = err(o, t)
    m = int((e > 0.5).sum())
    return {"loss": e.sum() / max(m, 9)}


def near_read_capped_by_min(o, t):
    e = err(o, t)
    m = int((e > 0.5).sum())
    return {"loss": e.sum() / min(m, 9)}


def near_read_or_one(o, t):
    e = err(o, t)
    m = int((e > 0.95).sum())
    return {"loss": e.sum() / (m or 1)}


def near_read_floored_in_one_arm(o, t):
    e = err(o, t)
    m = int((e > 0.5).sum())
    return {"loss": e.sum() / (max(m, 1) if m > 8 else m)}


def near_plain_sum_of_counts(o, t):
    e = err(o, t)
    return {"loss": e.sum() / sum(len(u["labels"]) for u in t)}


def near_sum_of_counts_floored_each(o, t):
    e = err(o, t)
    return {"loss": e.sum() / sum(max(len(u["labels"]), 1) for u in t)}


def near_detr_num_boxes(o, t):
    e = err(o, t)
    num_boxes = sum(len(u["labels"]) for u in t)
    num_boxes = torch.as_tensor([num_boxes], dtype=torch.float)
    num_boxes = torch.clamp(num_boxes, min=1).item()
    return {"loss": e.mean(1).sum() / num_boxes}


def near_outside_times_literal(o, t, num_boxes):
    return {"loss": err(o, t).mean(1).sum() / (num_boxes * 2)}


def near_non_empty_images(o, t):
    e = err(o, t)
    kept = [u for u in t if len(u["labels"]) > 1]
    return {"loss": e.sum() / max(len(kept), 1)}


# (``min`` / ``max`` of a read, ``m or 1``, a floor in one arm: declined or split, never wrong, before too)
NEVER_WRONG = [near_read_passed_to_a_helper_that_does_not_compare, near_read_floored_by_max, near_read_capped_by_min,
               near_read_or_one, near_read_floored_in_one_arm, near_non_empty_images]
SPLIT_EXACTLY = [near_plain_sum_of_counts, near_sum_of_counts_floored_each, near_detr_num_boxes,
                 near_outside_times_literal, near_read_passed_to_a_helper_that_does_not_compare]


@pytest.mark.parametrize("body", NEVER_WRONG + SPLIT_EXACTLY, ids=lambda b: b.__name__)
def test_near_misses_of_the_closed_pins(body):
    """The same shapes the closed pins' rules must leave alone: never a wrong companion, and the
    plain sum of counts (floored one by one or not), DETR's ``num_boxes`` clamped by a tensor, an
    outside normaliser times a literal and a read passed to a helper that only computes with it
    split exactly on every batch."""
    exact = 0
    for seed, _, got, want, _ in _outcomes(body):
        assert not wrong_companions(got, want), seed
        exact += bool(got) and got.keys() == want.keys()
    if body in SPLIT_EXACTLY:
        assert exact == len(BATCHES)
