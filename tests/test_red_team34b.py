"""Red team of session 34, round 2 (helper r2rt): adversarial bodies (``tests/_red_team34b_bodies.py``)
against the rules merged in round 1 of session 34 (b08b9f7..be37444): s44's table of a row per image
pre-filled with numbers of the body, ``Tensor.unfold`` along dims without images and
``F.triplet_margin_with_distance_loss``' distance checked by vmap; gaps' loops over a stored local and
``self.model.forward``; s43's ratios of a ``RowCount`` (``c * sqrt(d.sum()) / B``) and loops over a list
of levels; recip's, dflt's and lenh's readings of the count through other spellings (``functools.reduce``,
``sum([1 for _ in t])``, ``t.__len__()``, ``np.size``, ``operator.length_hint``). Measured against the
oracle on the red-team-28 batches (8 batches of 2 to 5 images, groups of different sizes, a group absent).

On be37444: 81 bodies, 11 exact (8 near misses, 2 RowCount ratios, a pre-filled table's mean), 47 declined (2 near
misses: GAPs; recursions through ``self.model.forward`` as deep as the images among them), 23 WRONG.
Fixed here (3, ``WERE_WRONG``, all new with s44's triplet rule: declined on b08b9f7): a distance function
closing over a tensor the call made (the batch's max norm, detached or not) or a number of the call
(``k = len(t)``) gives every row of the vmap check the same value, yet the group's own on a group alone;
it declines naming ``F.triplet_margin_with_distance_loss`` (``losses._holds_call_values``).
The other 20 WRONG ones were all silently wrong on b08b9f7 too: loops as long as a number a
configuration set in this call holds (5, declined since r3lp: ``COUNTED_LOOPS``), and the
count spelled other than ``len`` / ``shape`` / ``size`` (15). Since r2cs those spellings read as
``len(x)`` (``_bytecode._spelled_lengths``) and ``x.mul(w)`` as ``x * w`` (``_method_product``): 12
decline (``SPELLED``, beside a new body's ``.mul`` of ``1.0 / len(t)``, WRONG too), 6 near misses of a global
list's or a table's count and ``l.sum().mul(1.0 / len(t))`` split exactly; 3 stayed WRONG (the count through
a helper, ``_len(t)``). Since r3fc a global helper only returning ``len`` of its parameter reads as ``len``
(``_bytecode._READ_GLOBALS``): 2 of them decline (``SPELLED``); ``w = 1.0 / _len(t)`` multiplying in a
generator stayed pinned, as did the same with ``len`` itself (found by r3fc), until session 35 (pinB): the
free variable is read in the code storing it (``_bytecode._held_reciprocal``), and both decline (``SPELLED``)."""

import pytest
import torch
from _helpers import PER_IMAGE, Along, split_outcome, wrong_companions
from _red_team26_measure import pinned_params
from _red_team28_measure import assert_declined_naming, assert_pinned
from _red_team34b_bodies import BODIES, CONVERTS

NOT_FIXED: dict[str, str] = {  # name -> the strict xfail's reason (silently wrong, not fixed)
}
WERE_WRONG = {  # WRONG on be37444, declined now (``losses._holds_call_values``)
    "triplet_closure_batch_max_norm", "triplet_closure_detached_batch_max", "triplet_closure_count",
}
# WRONG on d6fb8d7, declined now: the count spelled other than ``len`` / ``shape`` / ``size`` is read as
# ``len(x)`` (``_bytecode._spelled_lengths``), and declines as ``len(x)`` does
_CLAMP, _DIVIDED = "at Tensor.clamp with a Python number the body computed from a length", "at a division (``/``)"
_TIMES = "a product of one image's value with one over the number of images"
SPELLED = {
    "clamp_by_reduce_count_helper": _CLAMP,  # functools.reduce(lambda a, _: a + 1, t, 0) in a helper's clamp bound
    "clamp_by_listcomp_count_helper": _CLAMP,  # sum([1 for _ in t]) in a helper's clamp bound
    "clamp_by_dunder_len_helper": _CLAMP,  # t.__len__() in a helper's clamp bound
    "clamp_by_np_size_helper": _CLAMP,  # np.size(x, 0) in a helper's clamp bound
    "clamp_by_length_hint_helper": _CLAMP,  # operator.length_hint(t) in a helper's clamp bound
    "clamp_by_reduce_count_inline": _CLAMP,
    "clamp_by_dunder_len_inline": _CLAMP,
    "clamp_by_np_size_inline": _CLAMP,
    "per_image_over_max_dunder_len": _DIVIDED,  # a divisor max(t.__len__(), 3)
    "default_list_filled_by_dunder_len": _DIVIDED,  # a nested function's default list
    "CapByDunderLen": _CLAMP,  # self.cap = 0.1 * t.__len__() stored in forward
    # ``e1(o, t, b).mul(w)`` of ``w = 1.0 / n``: ``Tensor.mul`` read as ``*`` (``_bytecode._method_product``)
    "per_image_times_reciprocal_listcomp_count": _TIMES,  # n = sum([1 for _ in t])
    "per_image_mul_reciprocal_of_len": _TIMES,  # n = len(t): WRONG too on d6fb8d7
    # r3fc: a global helper only returning ``len`` of its parameter (``_bytecode._returns_len``) read
    # as ``len`` by the batch's number readers (``_bytecode._READ_GLOBALS``)
    "per_image_over_max_reduce_count": _DIVIDED,  # k = max(_len(t), 3) divides in a list comprehension
    "default_list_filled_by_reduce_count": _DIVIDED,  # acc[0] = max(_len(t), 3), the default d=acc divides
    "per_image_times_reciprocal_reduce_count_in_loop": _TIMES,  # w = 1.0 / _len(t) in a loop (``_helper_length_at``)
    # pinB (session 35): ``w`` a free variable of the generator multiplying, read in the code storing it
    # (``_bytecode._held_reciprocal``; more in ``tests/test_pinned35b.py``)
    "per_image_times_reciprocal_reduce_count": _TIMES,  # w = 1.0 / _len(t), ``t`` a cell there
    "per_image_times_reciprocal_len_in_generator": _TIMES,  # w = 1.0 / len(t)
}
# WRONG on f0fdccb, declined now (r3lp): a running sum in a loop over an iterable the call computed from
# the number of images (``_bytecode.counted_loop``): on a group alone it runs another number of times
_COUNTED = "of terms in a loop over an iterable computed from the number of images"
COUNTED_LOOPS = {
    "StepsSetFromCountThisCall": _COUNTED,  # range(self.per_step), ``self.per_step = len(t) - 1``
    "DimsSetFromCountThisCall": _COUNTED,  # range(len(self.dims)), ``self.dims = [4, 3, 2][:len(t) - 1]``
    "DimsTupleSetFromCountThisCall": _COUNTED,  # tuple(range(self.n)), ``self.n = min(len(t), 3) - 1``
    "dims_from_global_config_set_this_call": _COUNTED,  # range(_CONFIG['n']), ``_CONFIG['n'] = (len(t) + 1) // 2``
    "SampleSizeFromCountThisCall": _COUNTED,  # random.sample(dims, self.per_step), ``self.per_step = len(t) - 1``
}
OPS = {**dict.fromkeys(WERE_WRONG, "F.triplet_margin_with_distance_loss with a distance_function holding a value of "
                                   "the call"), **SPELLED, **COUNTED_LOOPS}
EXACT = {  # near misses split exactly (near_table_literal_start and near_unfold_flat_windows_per_image decline: GAPs)
    "near_table_inf_start", "near_unfold_along_width", "near_triplet_pairwise", "near_triplet_own_norm",
    "near_triplet_closure_literal_scale", "near_triplet_partial_of_pairwise", "NearDimsConfigured",
    "near_clamp_by_reduce_of_width", "near_clamp_by_len_of_global_list", "near_clamp_by_generator_count_of_global_list",
    "near_clamp_by_listcomp_count_of_global_list", "near_clamp_by_dunder_len_of_global_list",
    "near_clamp_by_np_size_of_a_table", "near_clamp_by_np_size_of_a_width",
    "near_sum_mul_reciprocal_of_len",  # ``l.sum().mul(1.0 / len(t))``: as ``/ len(t)`` (WRONG on d6fb8d7)
    # s43's RowCount ratio read as it is: the square root of the group's mean, the shape's count
    "rowcount_sqrt_of_sum_over_count", "rowcount_sqrt_sum_over_shape",
    "near_sum_times_reciprocal_reduce_count",  # ``l.sum() * (1.0 / _len(t))``: as ``/ len(t)`` (r3fc)
    "table_number_then_row_mean_of_table",  # the table's rows, its number column the same on a group alone
}


@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad=True to a scalar")
@pytest.mark.parametrize("name", pinned_params(BODIES, NOT_FIXED))
def test_every_body_splits_exactly_or_declines(name):
    """No body is wrong, crashes or changes the loss, its grads or the criterion's state; each
    keeps its measured outcome (exact on every batch, or a decline whose warning names the key)."""
    assert_pinned(name, EXACT, BODIES, CONVERTS)


def test_the_tables_name_bodies_that_exist():
    assert EXACT | set(NOT_FIXED) | WERE_WRONG <= set(BODIES) and not EXACT & set(NOT_FIXED)
    assert not (WERE_WRONG | set(SPELLED) | set(COUNTED_LOOPS)) & (EXACT | set(NOT_FIXED)) and set(SPELLED) <= set(BODIES)
    assert len(BODIES) == 92 and len(EXACT) == 19 and len(NOT_FIXED) == 0 and len(WERE_WRONG) == 3 and len(SPELLED) == 18
    assert len(COUNTED_LOOPS) == 5 and set(COUNTED_LOOPS) <= set(BODIES)


@pytest.mark.parametrize("name", sorted(WERE_WRONG | set(SPELLED) | set(COUNTED_LOOPS)))
def test_the_decline_names_the_key_and_the_op(name):
    assert_declined_naming(name, OPS[name], BODIES, CONVERTS)


# -- s43's loops over a list of levels: a list as long as the images ------------------------------

SOURCES = (["a", "b", "a", "c"], ["b", "b", "c"], ["a", "b"], ["a", "b", "b", "a", "c"])


def _items(seed: int, levels: bool) -> tuple[list, list, list]:
    """A list of as many items as images, each ``[B, 7]``: per image (each item one image's data of
    as many rows as the images) or levels (each item of every image)."""
    g = torch.Generator().manual_seed(seed + 3402)
    b = len(SOURCES[seed])
    items = [torch.randn(b, 7, generator=g).requires_grad_() for _ in range(b)]
    gt = torch.randn(b, 7, generator=g)
    return [items, gt], [Along(0) if levels else PER_IMAGE, Along(0) if levels else "keep"], list(SOURCES[seed])


def weighted_by_the_item_position(items, gt):
    total = 0
    for i, x in enumerate(items):
        total = total + 0.5 ** i * (x - gt).abs().mean()
    return {"loss": total}


def zipped_with_item_weights(items, gt):
    total = 0
    for w, x in zip((1.0, 0.5, 0.25, 0.125, 0.0625), items):
        total = total + w * (x - gt).pow(2).sum() / x.size(0)
    return {"loss": total}


@pytest.mark.parametrize("levels", [False, True], ids=["per-image items", "levels as many as the images"])
@pytest.mark.parametrize("body", [weighted_by_the_item_position, zipped_with_item_weights], ids=lambda b: b.__name__)
def test_a_list_as_long_as_the_images_is_never_wrong(body, levels):
    """Per-image items of as many rows as the images, weighted by their position, must decline (the
    position is the image's); levels as many as the images decline too (a GAP, not a guess)."""
    for seed in range(len(SOURCES)):
        got, want, said = split_outcome(body, *_items(seed, levels))
        assert not wrong_companions(got, want), (seed, got, want)
        assert want and not got, (seed, got)
        assert any("key 'loss'" in m for m in said), said
