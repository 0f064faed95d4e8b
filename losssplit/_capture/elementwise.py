"""Element-wise rules: unary and binary ops, ``where``, ``masked_fill``, reductions, softmax.

Binary ops keep rows aligned from the right (broadcasting); a per-row factor multiplying a
prediction is set aside (the track's ``unweighted`` values take it as 1). Reductions over the rows
of a prediction make a ``Ratio``; a full sum of data over rows makes a row-sum normaliser.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import torch
import torch.nn.functional as F

from .. import _formula
from . import _provenance, mode
from ._bytecode import (
    CUT_TENSOR,
    SWAPPED,
    UNPROVEN,
    Arithmetic,
    _locals,
    argumentless_call,
    argumentless_set,
    batch_number,
    body_parameter,
    body_parameter_values,
    call_site,
    caller_constant,
    chosen_divisor,
    code_constant,
    computed_divisor,
    configured_item,
    configured_item_set,
    configured_set,
    count_times_constants,
    counted_attribute,
    counted_call,
    counted_loop,
    counted_number,
    counted_size_divisor,
    counter_left_early,
    division_unseen,
    divisor_arithmetic,
    divisor_bounds_a_comprehension,
    divisor_floor,
    divisor_length,
    divisor_source,
    divisor_tests,
    every_image_looped,
    executed_number_tags,
    executed_operand_tags,
    factor_unread,
    fixed_length,
    fixed_repeats,
    inputless_call_divisor,
    iteration_count,
    length_and_sizes_divisor,
    length_arithmetic,
    length_divided,
    literal_argument,
    literal_divisor,
    literal_exponent,
    literal_factor,
    literal_list_pick,
    literal_number_call,
    local_length,
    loop_operand,
    loop_power_operand,
    looped,
    looped_site,
    made_size_divisor,
    numeric_call_operand,
    offset_source,
    operand_fields,
    operand_lengths,
    partial_loop,
    partly_counted,
    passed_number_computed,
    positional_argument,
    positional_number,
    positional_tensor,
    read_times_literal,
    rebound_parameter_divisor,
    reciprocal_length,
    reciprocal_of_count,
    running_items,
    running_position,
    shape_operand,
    shape_product,
    side_size_divisor,
    side_size_factors,
    size_reciprocal,
    sized_operand,
    sizes_computed_divisor,
    sizes_product,
    statistic_operand,
    stored_shifted_lengths,
    straight_line_operator,
    strided_loop,
    summed_argument_sizes,
    summed_item_floor,
    summed_item_list,
    summed_multiple,
    table_operand,
    unpacked_divisor_sizes,
    unpacked_size_divisor,
    unproven_loop_counter,
)
from ._provenance import SIZE_TAGS
from .batch_fields import chosen_literal, literal_at, read_fields, several_images_number
from .finite import nan_to_num_kept, note_self_comparison
from .finite import note_test as note_finiteness
from .formulas import (
    ConstantElement,
    batch_counts,
    binary_formula,
    constant_operand,
    element_binary,
    element_total,
    element_unary,
    floored_by_constant,
    formula_by_row_count,
    nan_replaced,
    note_nan_test,
    pooled_moment,
    unary_formula,
    with_site,
)
from .group_scalars import over_count, scaled_rows
from .mixed import image_number
from .mode import (
    BY_POSITION_NUMBER,
    BY_VALUE_ONLY,
    GROUP_RULE,
    MIXED_PICK,
    OTHER_IMAGE_WEIGHT,
    Branch,
    ClampedCount,
    CountedFloat,
    CountedInt,
    FlooredFloat,
    FlooredInt,
    Frame,
    Tensor,
    Track,
    branch_value,
    broadcast_map,
    broadcast_tracks,
    combine,
    counted_broadcast,
    counted_threshold,
    diagonal_picked,
    dims_arg,
    expand_rows,
    extreme_test,
    get_arg,
    group_entry,
    host_tensor,
    identity_map,
    image_counts,
    is_prediction,
    item_rows,
    keep_rows,
    lose_aliases,
    lost_track,
    near_count,
    norm_dim,
    numpy_number,
    on_branch_cut,
    only_wide_dim,
    op_name,
    per_element,
    positional_operand,
    rule,
    tensors,
    test_keeps,
    tracked_pair,
    untracked_value,
    unweighted_of,
    unweighted_on_image,
    unweighted_operand,
    weight_of_image,
    weights_read,
    with_sites,
    written_through_view,
)
from .overcount import OverCount, divided_by_floored_count, divided_by_row_count, note_quotient
from .ratio import (
    Ratio,
    RatioKind,
    add_ratios,
    batch_terms,
    count_multiple,
    row_sums,
    same_form,
    version_of,
)


@rule(
    Tensor.clone, Tensor.contiguous, Tensor.detach, Tensor.to, Tensor.float, Tensor.double,
    Tensor.half, Tensor.bfloat16, Tensor.cpu, Tensor.cuda,
    Tensor.type_as, Tensor.type, Tensor.requires_grad_, Tensor.detach_, torch.clone, torch.detach, Tensor.to_dense,
    Tensor.data.__get__,  # type: ignore[attr-defined]
    Tensor.resolve_conj, torch.resolve_conj, Tensor.resolve_neg, torch.resolve_neg,
)
def passthrough(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Same values, same layout (``clone``, ``to``, ``float``, ``type(x.type())``, ``contiguous``, ``detach``,
    ``to_dense`` of a dense tensor, ``resolve_conj`` / ``resolve_neg``: POT's ``x.cpu().detach().resolve_conj().numpy()``); an op that returns its input (``mask.detach_()``, ``requires_grad_``) keeps its
    track as it is."""
    src = args[0]
    track = frame.get(src)
    if frame.sorted_rows and isinstance(out, Tensor) and out is not src:
        note_sorted(frame, src, out)  # ``expert_ids_g.float()``
    if func == _DATA_GET and (frame.value_counts or frame.rows_counted):  # (a fresh method-wrapper: ==)
        frame.forget_values(src)  # ``x.data`` writes without bumping ``x``'s version
    if func == _DATA_GET:
        frame.forget_made(src)  # (``c.data.mul_(len(t))``: writes its version misses)
    if func is Tensor.to_dense and src.layout != torch.strided:
        if track is not None:
            frame.lose(out, f"{op_name(func)} of a {src.layout} tensor", track)
        return
    if frame.zero_buffers and out is not src and frame.zeros_total(src, 0, 0.0, op_name(func)):
        frame.note_zeros(out)  # ``torch.tensor(0.).to(x)``: still a total's start
    elif (func in (Tensor.detach, torch.detach, Tensor.clone, torch.clone) and isinstance(out, Tensor) and out is not src
          and out.numel() == 1 and (frame.outside_constant(src) or frame.state_copy(src))):
        frame.note_state_copy(out)  # a metric's state reset from its default (torchmetrics: ``default.detach().clone()``)
    if track is None and frame.filled_numbers and isinstance(out, Tensor) and out is not src:
        _filled_copy(frame, src, out, op_name(func))
    if track is None and frame.number_tests and isinstance(out, Tensor) and out is not src:
        held = frame.number_tests.get(id(src))
        if held is not None and held[0] is src and out.shape == src.shape:  # ``(lw >= 0.9).float()``
            frame.number_tests[id(out)] = (out, held[1], held[2].to(out.dtype))
    if track is None or not isinstance(out, Tensor) or out is src:
        return
    if track.ratio is not None and src.is_floating_point() and not (out.is_floating_point() or out.is_complex()):
        # ``l.to(torch.int64)``, ``l.type(torch.bool)`` (review adv18): truncated, no ratio of the group's
        frame.lose(out, f"{op_name(func)} to {out.dtype} of a reduced value", track)
        return
    if track.ratio is not None or track.lost_at is not None:
        frame.set(out, track)
        return
    if frame.label_masks and out.shape == src.shape:
        _cast_test(frame, src, out)  # ``(labels != -100).float()``: still 0 where a label does not count
    if frame.zeroed and out.shape == src.shape and track.from_prediction:
        carry_counts(frame, src, out)  # ``(z * (labels != -100)).float()``: the same tokens
    raw = track.unweighted
    if raw is not None and out.dtype != raw.dtype and out.dtype.is_floating_point:
        raw = raw.to(out.dtype) if raw.dtype != torch.float32 or out.dtype == torch.float64 else raw
    frame.set(out, Track(rows=track.rows, image=track.image, unweighted=raw, from_prediction=track.from_prediction))
    if not src.is_floating_point():
        label_copy(frame, src, out)


def _filled_copy(frame: Frame, src: Tensor, out: Tensor, op: str) -> None:
    """``torch.as_tensor(max(n, 1)).float()``, ``torch.tensor(len(pos)).to(x)``: a copy of a tensor
    made from a Python number holds that number, read as it is (a count, a literal floor), not as a
    normaliser from outside the call (wrong4: was each group's share of it). A cast to half
    precision or to integers may change the number: attribution ends there."""
    number = frame.filled_number(src, op)
    if number is None:
        return
    if out.dtype == src.dtype or out.dtype in (torch.float32, torch.float64) or out.dtype.is_complex:
        frame.note_filled(out, number)
    else:
        frame.lose(out, f"{op} to {out.dtype} of a tensor made from a Python number", pred=False)


@rule(F.dropout, F.dropout1d, F.dropout2d, F.dropout3d, F.alpha_dropout, F.feature_alpha_dropout)
def dropout(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Dropout outside training (a model in ``eval()``, ``nn.Dropout`` in it) or with ``p=0``
    returns its input's values: followed as ``clone``. In training it draws a mask that a group
    alone would draw anew: attribution ends."""
    if not isinstance(args[0], Tensor) or frame.get(args[0]) is None:
        return
    if get_arg(args, kwargs, 2, "training", True) and get_arg(args, kwargs, 1, "p", 0.5):
        frame.lose(out, f"{op_name(func)} in training (a mask drawn anew on a group alone)", frame.get(args[0]))
        return
    passthrough(frame, func, args, kwargs, out)


def _clamped_by_tensor(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> bool:
    """``x.clamp(min=b)`` with a tracked tensor bound ``b`` (``0.5 * e.detach().max()``, a batch
    quantile; rt28: the bound was not read, each group clamped by the batch's): as ``torch.maximum(x,
    b)`` (``minimum`` for ``max=``), whose rule follows ``b``'s images. True where followed here."""
    name = getattr(func, "__name__", "")
    low = get_arg(args, kwargs, 1, "min", None)
    high = get_arg(args, kwargs, 2, "max", None) if name not in ("clamp_min", "clamp_max") else None
    if name == "clamp_max":
        low, high = None, low
    tracked = [b for b in (low, high) if isinstance(b, Tensor) and frame.get(b) is not None]
    held = frame.get(args[0]) if tracked and isinstance(args[0], Tensor) else None
    if held is None or not isinstance(out, Tensor) or held.ratio is not None or held.parts or held.formula is not None:
        return False  # a reduced value (a count tensor floored by a tensor, ``n.clamp(min=n * 0 + 1)``): its rules'
    src = args[0]
    if low is not None and high is not None:  # ``min(max(x, low), high)``: the first as an intermediate
        if not isinstance(low, Tensor) or not isinstance(high, Tensor):
            frame.lose(out, f"{op_name(func)} by a bound computed from the images' values and a number")
            return True
        with torch._C.DisableTorchFunction():
            src = torch.maximum(src, low)
        _binary(frame, torch.maximum, (args[0], low), {}, src, "")
        low = None
    bound = low if low is not None else high
    _binary(frame, torch.maximum if low is not None else torch.minimum, (src, bound), {}, out, "")
    return True


@rule(
    Tensor.abs, torch.abs, Tensor.exp, torch.exp, Tensor.log, torch.log, Tensor.log1p, torch.log1p,
    Tensor.sigmoid,
    torch.sigmoid, Tensor.sqrt, torch.sqrt, Tensor.rsqrt, torch.rsqrt, Tensor.square, torch.square,
    Tensor.tanh,
    torch.tanh, Tensor.relu, torch.relu, Tensor.clamp_max, torch.clamp_max, Tensor.reciprocal,
    torch.reciprocal,
    Tensor.floor, torch.floor, Tensor.ceil, torch.ceil, Tensor.round, torch.round,
    Tensor.nan_to_num,
    torch.nan_to_num, Tensor.sin, torch.sin, Tensor.cos, torch.cos, Tensor.atan, torch.atan,
    Tensor.exp2, Tensor.expm1,
    torch.expm1, Tensor.log2, torch.log2, Tensor.log10, torch.log10, Tensor.pow, Tensor.__pow__,
    torch.pow, F.relu, Tensor.acos, torch.acos, Tensor.asin, torch.asin, Tensor.tan, torch.tan,
    Tensor.sinh, torch.sinh, Tensor.cosh, torch.cosh, Tensor.atanh, torch.atanh,
    F.softplus, F.logsigmoid, F.silu, F.gelu, F.elu, F.leaky_relu, F.hardtanh, F.relu6, F.hardsigmoid, F.hardswish,
    F.mish, F.selu, F.celu, F.softsign,
    Tensor.float_power, Tensor.erf, torch.erf, Tensor.rad2deg, torch.rad2deg, Tensor.deg2rad, torch.deg2rad,
)
def unary(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Element-wise ops of one tensor (``exp``, ``sigmoid``, ``pow(x, 2)``...)."""
    if frame.norms and _norm_squared(frame, func, args, kwargs, out):
        return
    if func in _POWERS and _powered_by_values(frame, func, args, kwargs, out):
        return
    if func in _NAN_TO_NUM and nan_to_num_kept(frame, args, out):
        return
    _unary(frame, func, args, kwargs, out, "")


@rule(torch.bucketize)
def searchsorted(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.searchsorted(grid, v)`` / ``torch.bucketize(v, grid)`` into a 1-D grid that carries
    no images: each entry's position is a function of that entry alone, element-wise in ``v``.
    Into a grid of the images' values (or a batch of grids) positions mix images: declined."""
    grid_at, values_at = (0, 1) if func is torch.searchsorted else (1, 0)
    names = ("sorted_sequence", "self") if func is torch.searchsorted else ("boundaries", "input")
    grid, values = get_arg(args, kwargs, grid_at, names[0], None), get_arg(args, kwargs, values_at, names[1], None)
    grid_track = frame.get(grid) if isinstance(grid, Tensor) else None
    track = frame.get(values) if isinstance(values, Tensor) else None
    if grid_track is None and track is None or not isinstance(out, Tensor):
        return
    if grid_track is not None or not isinstance(grid, Tensor) or grid.dim() != 1:
        if _searched_in_own_rows(frame, func, grid, grid_track, values, track, out):
            return
        frame.lose(out, f"{op_name(func)} into a grid of the images' values", grid_track or track)
        return
    assert track is not None  # no grid track: the values'
    made = frame.positional.get(id(grid))
    if made is not None and made[0] is grid:  # ``linspace(0, 1, len(t) + 1)``: on a group alone another grid
        frame.lose(out, f"{op_name(func)} into a grid made as {made[1]}", track)
        return
    if _picked_by_position(frame, track):
        frame.lose(out, f"{op_name(func)} of one image's value picked by position outside a loop", track)
        return
    rest = {k: v for k, v in kwargs.items() if k not in names}
    new = combine(frame, op_name(func), [(track, identity_map(values.dim()))], out.shape)
    if new is not None and track.unweighted is not None and new.lost_at is None:
        new.unweighted = (func(grid, track.unweighted, **rest) if func is torch.searchsorted
                          else func(track.unweighted, grid, **rest))
    if new is not None:
        frame.set(out, new)


@rule(torch.searchsorted)
def searchsorted_rows(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.searchsorted(grids [B, K], v [B, M])`` with the images along the leading dims: each
    row's values searched in its own row's grid (mip-NeRF 360's proposal bound) keep the rows.
    Any other search as an op without a rule (a rule of ``bucketize``'s kind for it declined POT's
    per-example sliced Wasserstein, an exact split: session 28)."""
    grid, values = get_arg(args, kwargs, 0, "sorted_sequence", None), get_arg(args, kwargs, 1, "input", None)
    grid_track = frame.get(grid) if isinstance(grid, Tensor) else None
    track = frame.get(values) if isinstance(values, Tensor) else None
    if (grid_track is not None or track is not None) and isinstance(out, Tensor):
        if _searched_in_own_rows(frame, func, grid, grid_track, values, track, out):
            return
        rest = {k: v for k, v in kwargs.items() if k not in ("sorted_sequence", "input", "self")}
        if _one_image_in_a_fixed_grid(frame, grid, grid_track, track) and len(args) <= 2 and not any(
                isinstance(v, Tensor) and frame.get(v) is not None for v in rest.values()):  # a ``sorter`` of none
            searchsorted(frame, func, (grid, values), rest, out)
            return
    mode._unknown(frame, func, args, kwargs, out)


def _one_image_in_a_fixed_grid(frame: Frame, grid: Any, grid_track: Track | None, track: Track | None) -> bool:
    """``searchsorted(eval_time, time[i])`` in a loop proven to visit every image (torchsurv's
    piecewise hazard, ``for i in range(len(event))``): one image's values searched in a 1-D grid
    that carries no images, each position a function of that image's value alone, as
    ``bucketize``'s. Not in any other loop: ``x[:, searchsorted(g, v[0])]`` in ``for k in range(2)``
    indexed every image by image 0's position (on a group alone its first image's: was wrong)."""
    return (grid_track is None and isinstance(grid, Tensor) and grid.dim() == 1 and track is not None
            and not track.rows and track.image is not None and every_image_looped(frame.num_images) is True)


def _searched_in_own_rows(frame: Frame, func: Any, grid: Any, grid_track: Track | None, values: Any,
                          track: Track | None, out: Tensor) -> bool:
    """Whether each image's values were searched in its own row's grid (``_row_grids``) and the
    positions now keep the rows."""
    if not _row_grids(grid, grid_track, values, track):
        return False
    new = combine(frame, op_name(func), [(grid_track, identity_map(grid.dim())),
                                         (track, identity_map(values.dim()))], out.shape)
    if new is None:
        return False
    new.from_prediction = False
    frame.set(out, new)
    return True


@rule(Tensor.angle, torch.angle)
def angle(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.angle``: element-wise, but it jumps by 2 pi across the negative reals (from 0 to pi
    across 0 for real values), so a value within rounding of that cut has the phase of the last
    bits' sign. Of several images' values those bits may be the batch's: a convolution or an FFT
    of a batch rounds otherwise than of a group alone (auraloss' phase term: the symmetric first
    frame of a centred STFT is real, its imaginary parts +-3e-8 in the batch and of the other sign
    alone, its phases pi and -pi). Such phases are noted: an op that reads them declines, but for
    a periodic one (``torch.polar(mag, phase)``: the same spectrum either way). Of one image's
    call, the group's bits are its own."""
    _unary(frame, func, args, kwargs, out, "")
    src = args[0]
    track = frame.get(src) if isinstance(src, Tensor) else None
    if track is None or track.lost_at is not None or frame.num_images < 2 or not isinstance(out, Tensor):
        return
    why = (f"{op_name(func)} of values within rounding of its branch cut (a negative real, or 0): the batch's last "
           "bits choose between pi and -pi, a group's alone may choose otherwise")
    if out.numel() > 1:  # looked at (a host read) only where an op other than a periodic one reads the phases
        frame.cut_phases[id(out)] = (out, why, (src.detach(),))
    elif on_branch_cut(src):  # a returned phase is read by no op
        frame.lose(out, why, track)


def _powered_by_values(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> bool:
    """``x ** e`` with an exponent that is no constant of the body: a tensor of values (a batch
    mean, another image's values, the images' weights) is an operand as in ``x * e``; an image's
    weight object (``x_b ** t["loss_weight"]``) is 1 on a group alone, which the values keep.
    True where the op was followed here."""
    exponent = get_arg(args, kwargs, 1, "exponent", None)
    if not isinstance(args[0], Tensor) or frame.get(args[0]) is None:
        return False
    if isinstance(exponent, Tensor) and (exponent.dim() or frame.get(exponent) is not None
                                         or id(exponent) in frame.weight_filled):
        _binary(frame, func, (args[0], exponent), {}, out, "")
        return True
    if type(exponent) is float:
        images = frame.weight_images(exponent)
        if images and not frame.weight_is_one(images) and not literal_exponent(exponent, len(args) + len(kwargs)):
            frame.lose(out, f"{op_name(func)} by an image's weight field as the exponent")
            return True
    return False


_NAN_TO_NUM = (torch.nan_to_num, Tensor.nan_to_num)
_SQUARES = {Tensor.square, torch.square}
_POWERS = {Tensor.pow, Tensor.__pow__, torch.pow, Tensor.float_power}


def _norm_squared(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> bool:
    """``u.norm(2).pow(2)``, ``u.norm() ** 2``: the square of a full 2-norm over image rows is
    their sum of squares, a loss summed over rows (see ``_full_norm``)."""
    src = args[0]
    hit = frame.norms.get(id(src))
    if hit is None or hit[0] is not src or not isinstance(out, Tensor):
        return False
    if func not in _SQUARES and not (func in _POWERS and _is_number(get_arg(args, kwargs, 1, "exponent", None))
                                     and get_arg(args, kwargs, 1, "exponent", None) == 2):
        return False
    frame.set(out, hit[1])
    return True


@rule(Tensor.neg, torch.neg, torch.negative)
def negation(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``-x``: also of a reduced loss (its ratio changes sign)."""
    _unary(frame, func, args, kwargs, out, "neg")


@rule(Tensor.clamp, torch.clamp, Tensor.clamp_min, torch.clamp_min, Tensor.clip, torch.clip)
def clamp(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``clamp``: also ``mask.sum().clamp(min=1)``, a normaliser clamped per group as well; and a
    one-element tensor of no images clamped from below by a literal (``torch.clamp(
    torch.as_tensor([n]), min=1)``), whose value read on the host is a floored count."""
    src = args[0]
    if _clamped_by_tensor(frame, func, args, kwargs, out):
        return
    if isinstance(src, Tensor) and frame.get(src) is None and isinstance(out, Tensor) and out.numel() == 1:
        name = getattr(func, "__name__", "")
        low = get_arg(args, kwargs, 1, "min", None)
        high = get_arg(args, kwargs, 2, "max", None) if name != "clamp_min" else None
        last = kwargs.get("min") if kwargs else args[-1] if len(args) == 2 else None
        held = frame.literal_number(src, op_name(func))
        if held is not None and isinstance(low, (int, float)) and not isinstance(low, bool) and high is None:
            # ``torch.as_tensor(24).clamp(min=1)``: a literal of the code clamped is that constant, not a
            # count it may equal (read as 4 x the instances it equalled: silently WRONG, fuzz seed 19)
            frame.note_filled(out, max(held, low))
            frame.literal_filled.add(id(out))
        if (name in ("clamp", "clamp_min") and isinstance(low, (int, float)) and not isinstance(low, bool)
                and high is None and last is low and literal_argument(low, "min")):
            frame.floored[id(out)] = ClampedCount(out, float(low), src.detach(), frame.int_number(src),  # type: ignore[arg-type]
                                                  frame.int_factor(src), (version_of(out), version_of(src)))
            frame.note_floored_rows(out, src)
            frame.note_floored_provenance(out, src)
            floor = float(low)  # type: ignore[arg-type]  # a number, checked; ``max(n, 1.0)`` is the int n >= 1
            _carry_int(frame, src, out, lambda n: max(n, floor), low)
        return
    _unary(frame, func, args, kwargs, out, "clamp")


@rule(
    Tensor.isfinite, torch.isfinite, Tensor.isnan, torch.isnan, Tensor.isinf, torch.isinf,
    Tensor.isneginf, torch.isneginf, Tensor.isposinf, torch.isposinf, Tensor.logical_not,
    torch.logical_not, Tensor.__invert__, Tensor.bool, Tensor.long, Tensor.int, Tensor.sign,
    torch.sign,
)
def predicate(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Tests and casts to integers: same layout, but data (a mask), not a loss."""
    if frame.sorted_rows and func in (Tensor.long, Tensor.int) and isinstance(out, Tensor):
        note_sorted(frame, args[0], out)  # ``expert_ids_g.int()``
    note_nan_test(frame, func, args, out)
    _unary(frame, func, args, kwargs, out, "data")
    note_finiteness(frame, func, args, out)
    if frame.label_masks and func in _SAME_TEST and isinstance(out, Tensor) and out.shape == args[0].shape:
        _cast_test(frame, args[0], out, func in _NEGATIONS)  # ``~pad``, ``pad.long()``: still a test of the labels


def _cast_test(frame: Frame, src: Any, out: Tensor, negated: bool = False) -> None:
    """``out``, a cast (``negated``: the negation) of a test of the labels ``src``, is that test."""
    keeps = test_keeps(frame, src)
    if keeps is not None and (not negated or out.dtype == torch.bool):
        frame.label_masks[id(out)] = (out, keeps != negated)


_NEGATIONS = (Tensor.logical_not, torch.logical_not, Tensor.__invert__)
_SAME_TEST = frozenset({*_NEGATIONS, Tensor.bool, Tensor.long, Tensor.int})
# the comparisons, by the name ``_formula`` gives each (``union == 0`` of reduced values: ``_compared_values``)
_COMPARED = {Tensor.eq: "eq", Tensor.__eq__: "eq", torch.eq: "eq", Tensor.ne: "ne", torch.ne: "ne", Tensor.gt: "gt",
             torch.gt: "gt", Tensor.ge: "ge", torch.ge: "ge", Tensor.lt: "lt", torch.lt: "lt", Tensor.le: "le",
             torch.le: "le"}
_LABEL_TESTS = frozenset(_COMPARED)
_KEEPS = {Tensor.ne: True, torch.ne: True, Tensor.eq: False, Tensor.__eq__: False, torch.eq: False}
"""Tests by one value that tell which labels count (``!= -100``) or not (``== pad``): an ignore index."""


def _note_label_test(frame: Frame, func: Any, args: tuple, out: Any) -> None:
    """``target.eq(pad)``, ``labels != -100``: integer labels of the call's arguments (or a view of
    them) compared with a number -- a mask of which labels count, as ``ignore_index`` gives."""
    if func not in _LABEL_TESTS or not isinstance(out, Tensor) or len(args) < 2:
        return
    labels, other = args[0], args[1]
    if not isinstance(labels, Tensor) or labels.is_floating_point() or labels.is_complex():
        return
    by_value = isinstance(other, int) or isinstance(other, Tensor) and other.dim() == 0 and frame.get(other) is None
    if not by_value or not is_labels(frame, labels):
        track = frame.get(labels)
        if track is not None and not track.from_prediction:
            # a test of other data (``labels.roll(1, 1) != -100``, ``(labels + 1) != 0``, a copy written
            # since, ``labels != labels.roll(1, 1)``): which labels it keeps is not which the labels passed
            # in count, so it tells no tokens (review adv19: the rows' share was taken)
            frame.of_labels[id(out)] = (out, "")
        return
    if out.shape == labels.shape:
        root = labels._base if labels._base is not None else labels
        padded = frame.label_pads.get(id(root))
        if padded is not None and padded[0] is root and not (isinstance(other, int) and other == padded[1]):
            # ``F.pad(labels, (0, 1), value=7) != -100``: the positions the call added may count as labels
            frame.lose(out, f"{op_name(func)} of labels padded in the call with a value other than the one tested",
                       pred=False)
            return
        frame.of_labels[id(out)] = (out, "")  # any test: a loss masked by it counts no tokens (``follow_labels``)
        if func in _KEEPS:
            frame.label_masks[id(out)] = (out, _KEEPS[func])


def is_labels(frame: Frame, x: Any) -> bool:
    """Whether ``x`` is an integer tensor of labels passed in, a view of one, or a copy the call
    made of one (``F.pad(labels, (0, 1), value=-100)``, ``.contiguous()``: see ``label_copy``)."""
    if not isinstance(x, Tensor) or x.is_floating_point() or x.is_complex() or x.dtype == torch.bool:
        return False
    root = x._base if x._base is not None else x
    if frame.get(root) is None:
        return False
    if id(root) in frame.data_inputs:
        return True
    copy = frame.label_copies.get(id(root))  # not written since (``l2[l2 == 3] = -100``: other labels)
    return copy is not None and copy[0] is root and version_of(root) == copy[1]


def label_copy(frame: Frame, src: Any, out: Any, pad: Any = None) -> None:
    """Remember ``out``, an integer copy of labels ``src`` made by a rule that keeps values
    (padding them with ``pad`` adds positions of no label, compared as the others)."""
    if isinstance(out, Tensor) and out.dtype == getattr(src, "dtype", None) and frame.get(out) is not None \
            and is_labels(frame, src):
        frame.label_copies[id(out)] = (out, version_of(out))
        if pad is not None:
            frame.label_pads[id(out)] = (out, pad)


def zeroed(frame: Frame, target: Any, track: Track | None, mask: Any, value: Any) -> None:
    """``loss.masked_fill_(pad, 0.0)`` (or out of place): a per-element loss whose elements are
    one label each, written to 0 where a test of the labels' values is true -- padding, as
    ``ignore_index`` leaves it out. Remembered so that its sum counts the other labels as tokens
    (the count an outside normaliser is a share of); any later write ends it (version)."""
    keeps = test_keeps(frame, mask)
    if not _is_number(value) or value != 0 or keeps is not False or mask.shape != target.shape:
        frame.zeroed.pop(id(target), None)
        if keeps is not None:  # ``masked_fill(labels != -100, 0)``, ``(labels == -100, 0.1)``: no zeroing
            frame.of_labels[id(target)] = (target, op_name(Tensor.masked_fill))
        return
    _count_labels(frame, target, track, mask, False)


def label_product(frame: Frame, a: Any, b: Any, out: Any) -> None:
    """``loss * (labels != -100)`` (also ``.float()``, ``.long()`` of such a test, either
    operand): a per-element loss times a test of the labels' values true where a label counts is 0
    where it does not, as ``masked_fill(labels.eq(-100), 0)`` writes it, so its sum counts the
    labels where the test holds (see ``zeroed``). A mask broadcast along a dim (``[B, T, 1]``)
    counts each label once per element it keeps: the same shares. A loss zeroed before keeps both
    counts. Any other test (``labels == 3``, ``labels > 0``), or one changed (``* 2``), tells no
    tokens: the loss is marked (``follow_labels``)."""
    if not isinstance(out, Tensor) or not out.is_floating_point():
        return
    for loss, mask in ((a, b), (b, a)):
        if not isinstance(mask, Tensor) or test_keeps(frame, mask) is not True or mask.dim() != out.dim():
            continue
        if not isinstance(loss, Tensor) or loss.shape != out.shape or mask.shape != out.shape and torch.broadcast_shapes(
                mask.shape, out.shape) != out.shape:
            return
        _count_labels(frame, out, frame.get(out), mask, True, zeroed_counts(frame, loss) if frame.zeroed else None)
        return


def ignored_labels(frame: Frame, loss: Tensor, target: Tensor, ignore_index: Any) -> None:
    """``F.cross_entropy(x, labels, reduction='none')`` of labels passed in: 0 where a label is
    ``ignore_index``, as a loss zeroed there (``zeroed``), so that its sum counts the other labels
    as tokens (review adv19: ``ce.sum() / num_items_in_batch`` took the rows' share)."""
    track, version = frame.get(loss), version_of(loss)
    if (track is None or len(track.rows) != 1 or track.ratio is not None or track.lost_at is not None
            or version is None or target.shape != loss.shape or not is_labels(frame, target)):
        return
    frame.zeroed[id(loss)] = (loss, (target != ignore_index).to(torch.float32), version)


def class_weighted(frame: Frame, loss: Tensor, target: Tensor, weight: Any, ignore_index: Any) -> None:
    """``F.cross_entropy(x, y, weight=w, reduction='none')`` with constant class weights ``w``
    (untracked, one per class): remembered with its labels, so that a sum of it divided by a count
    made in Python (``num_pos + 0.1 * num_neg``) may be read as the sum of ``w[y]`` over its rows,
    the denominator its mean would take (``class_weight_sum``)."""
    track, version = frame.get(loss), version_of(loss)
    if (not isinstance(weight, Tensor) or weight.dim() != 1 or frame.get(weight) is not None or track is None
            or track.ratio is not None or track.lost_at is not None or version is None or target.shape != loss.shape):
        return
    if len(track.rows) == 1:
        ((d, rows),) = track.rows.items()
    elif not track.rows and track.image is not None:  # one image's loss
        d, rows = -1, track.image
    else:
        return
    frame.class_weighted[id(loss)] = (loss, version, ClassWeighted(target, version_of(target), weight, ignore_index, rows, d))


@dataclasses.dataclass(frozen=True, slots=True)
class ClassWeighted:
    """A class-weighted per-label loss's labels, their version then, the class weights, the
    ignored label, the images of its rows and its row dim (-1: one image's)."""

    target: Tensor
    version: int | None
    weight: Tensor
    ignore_index: Any
    rows: Tensor
    row_dim: int


def _class_weighted_sum(frame: Frame, src: Tensor, out: Tensor) -> None:
    """``out``, the plain sum of ``src``, a class-weighted per-element loss (``class_weighted``)
    not written since: its labels and weights go with it."""
    held = frame.class_weighted.get(id(src))
    if held is not None and held[0] is src and version_of(src) == held[1]:
        frame.class_weighted[id(out)] = (out, version_of(out), held[2])


CLASS_WEIGHT_COUNT = ("a number counted in a loop over the images (``num_pos + 0.1 * num_neg``) taken as the sum of the "
                      "cross entropy's class weights over its rows, which it equals on the batch")


def class_weight_sum(frame: Frame, loss: Any, ratio: Ratio, z: float) -> Ratio | None:
    """The row-sum normaliser ``z`` is, where ``z`` is a count the body added up over a loop over
    the images (``_running_count``), each iteration adding a number of its own items only
    (``running_items``), and ``loss`` the plain sum of a class-weighted cross entropy
    (``class_weighted``): mmdet's ``ce.sum() / max(num_pos + 0.1 * num_neg, 1)`` with the
    background's class weight 0.1, the others 1, is a sum of one weight per row; on a group alone,
    the group's rows' weights (floored as ``max`` proves; else a group whose sum is below 1 gets
    none). Checked with the call's host read, else the call declines: ``z`` equals the weights'
    sum on the batch (up to the floor), and the weights of the classes present take at most two
    values (one of matched rows, one of the others: the kinds of rows a count made without
    reading the labels can tell apart). None where the loss is no such sum, or the code tests the
    count (``if avg > 8:``: the batch's decision)."""
    held = frame.class_weighted.get(id(loss)) if frame.class_weighted and isinstance(loss, Tensor) else None
    if (held is None or held[0] is not loss or version_of(loss) != held[1] or ratio.kind is not RatioKind.SUM
            or ratio.divisors or ratio.normaliser is not None or ratio.normaliser_ops
            or version_of(held[2].target) != held[2].version
            or running_position() or not running_items() or divisor_tests()):
        return None
    c = held[2]
    valid = c.target != c.ignore_index
    w = c.weight.detach().to(torch.float64)
    safe = torch.where(valid, c.target, torch.zeros_like(c.target))
    weights = Ratio.of(row_sums(w[safe] * valid, c.row_dim), c.rows.reshape(-1), 0, RatioKind.SUM)
    # the classes present, and whether their weights take more than two values
    present = torch.zeros_like(w).index_add_(0, safe.reshape(-1), valid.reshape(-1).to(w.dtype)) > 0
    lo = torch.where(present, w, torch.full_like(w, math.inf)).min()
    hi = torch.where(present, w, torch.full_like(w, -math.inf)).max()
    kinds = (present & (w != lo) & (w != hi)).any()
    total = weights.values.sum()
    floor = divisor_floor()
    matched = (total - z).abs() <= 1e-6 * total.abs().clamp_min(1.0)
    if floor is not None and floor > 0 and z == floor:
        matched = matched | (total <= floor)
    frame.doubt(~matched | kinds, f"{CLASS_WEIGHT_COUNT}: it is not, or the weights of the classes present take more "
                "than two values (which a count of matched and other rows cannot tell)")
    if floor is not None and floor > 0:
        return weights.scaled(normaliser_op=("min", floor))
    return weights.scaled(normaliser_op=("host", 1.0))


def _count_labels(
    frame: Frame, target: Tensor, track: Track | None, mask: Tensor, keeps: bool, before: Tensor | None = None
) -> None:
    """Remember which labels the per-element loss ``target`` counts: where ``mask`` is false
    (``keeps``: where it is true), times the counts ``before`` it (of the loss it was made from)."""
    if (
        track is None
        or not track.from_prediction
        or track.lost_at is not None
        or track.ratio is not None
        or len(track.rows) != 1
    ):
        frame.zeroed.pop(id(target), None)
        return
    tm = frame.get(mask)
    version = version_of(target)
    if version is None or tm is None or tm.rows.keys() != track.rows.keys():
        frame.zeroed.pop(id(target), None)
        return
    for d, rows in track.rows.items():  # the mask's positions are the loss's (a view of the labels
        frame.agree(rows, tm.rows[d], op_name(Tensor.masked_fill_))  # in another order would not be)
    key = ~id(mask) if keeps else id(mask)  # a mask of kept labels counts its true elements
    hit = frame.label_counts.get(key)  # one count tensor per mask: sums of losses it zeroed add up
    if hit is not None and hit[0] is mask:
        kept = hit[1]
    else:
        kept = (mask if keeps else ~mask).to(torch.float32).expand(target.shape)
        frame.label_counts[key] = (mask, kept)
    if not keeps:
        prior = frame.zeroed.get(id(target))
        if prior is not None and prior[0] is target and prior[2] == version - 1:  # a second mask
            before = prior[1]
    if before is not None and before.shape == kept.shape:  # two tests (``!= -100`` then ``!= 3``): which
        # of them the outside count counts cannot be told, unless they keep the same labels
        frame.doubt((before != kept).any(), "a loss zeroed at labels by two tests that keep different labels (which "
                    "tokens an outside normaliser counts cannot be told)")
    frame.zeroed[id(target)] = (target, kept if before is None else before * kept, version)


def _same_counts(frame: Frame, ra: Ratio, rb: Ratio) -> Ratio:
    """``rb`` counting ``ra``'s tokens where both count tokens of the same rows with two count
    tensors (two losses zeroed by two masks, ``~keep`` written twice): checked equal on the
    device (the call is declined where they differ), so their sum counts them once."""
    a, b = ra.den_values, rb.den_values
    if a is None or b is None or a is b or ra.rows is not rb.rows or ra.row_dim != rb.row_dim or a.shape != b.shape:
        return rb
    kept = {id(c) for _, c in frame.label_counts.values()}
    if id(a) not in kept or id(b) not in kept:  # counts of ``ignore_index`` losses: not the same labels
        return rb
    frame.doubt((a != b).any(), "two losses added are zeroed at different labels (which tokens count cannot be told)")
    return rb.replace(den_values=a)


def carry_counts(frame: Frame, src: Any, out: Any) -> bool:
    """``(z * (labels != -100)) * 2``, ``* w``, ``/ t``, ``.float()``: of a loss that counts
    tokens (``zeroed``), a value of its shape made from it counts the same: what an outside
    normaliser counts is the labels', whatever else the body multiplies by."""
    counts = zeroed_counts(frame, src) if isinstance(src, Tensor) else None
    if counts is None or not isinstance(out, Tensor) or out.shape != counts.shape:
        return False
    track, version = frame.get(out), version_of(out)
    if track is None or not track.from_prediction or track.lost_at is not None or track.ratio is not None \
            or len(track.rows) != 1 or version is None:
        return False
    frame.zeroed[id(out)] = (out, counts, version)
    return True


def zeroed_counts(frame: Frame, src: Tensor) -> Tensor | None:
    """The label counts of a loss written to 0 at padding (``zeroed``), if not written since."""
    hit = frame.zeroed.get(id(src))
    if hit is None or hit[0] is not src or version_of(src) != hit[2]:
        return None
    return hit[1]


def _unary(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any, kind: str) -> None:
    src = args[0]
    track = frame.get(src)
    if track is None or not isinstance(out, Tensor):
        return
    low = get_arg(args, kwargs, 1, "min", None) if kind == "clamp" else None
    high = get_arg(args, kwargs, 2, "max", None) if kind == "clamp" else None
    if track.ratio is not None:
        new = _unary_ratio(track, kind, low, high)
        if new is not None:
            new = with_sites(new, track.sites)
            frame.set(out, _at_site(frame, new, "mul", src, track, -1.0, None, op_name(func)) if kind == "neg" else new)
            return
    if track.parts and kind == "neg":
        negated = _each_part(frame, "mul", track.parts, lambda t: Track(ratio=t.ratio and t.ratio.scaled(-1.0)))
        if negated is not None:
            new = dataclasses.replace(track, parts=negated)
            frame.set(out, _at_site(frame, new, "mul", src, track, -1.0, None, op_name(func)))
            return
    if track.elements and isinstance(out, Tensor) and out.shape == src.shape:
        each = [_unary_ratio(Track(from_prediction=track.from_prediction, ratio=r), kind, low, high) for r in track.elements]
        made = _elements_track(track, each)
        if made is not None:
            frame.set(out, made)
            return
    if (track.elements or track.element_formulas) and kind in ("", "neg", "clamp"):
        made = element_unary(frame, func, args, kwargs, track, out)  # ``log(cosh(1 - dice))`` per class
        if made is not None:
            frame.set(out, made)
            return
    if (track.formula is not None or track.parts) and kind in ("", "neg", "clamp"):
        expression = unary_formula(frame, func, args, kwargs, track, out)
        if expression is not None:  # ``exp(-(logp * m).sum() / m.sum())``: a function of ratios
            frame.set(out, expression)
        else:  # the warning names this op, not the one that added the parts
            frame.lose(out, op_name(func), track)
        return
    if track.ratio is not None:
        value = image_value_track(frame, track)
        if value is None:
            expression = unary_formula(frame, func, args, kwargs, track, out) if kind in ("", "clamp") else None
            if expression is None and kind in ("", "clamp") and src.shape == out.shape == (1,):
                # one class's score ``[1]`` (a binary mask's batch dice): as a vector of one ratio
                one = Track(from_prediction=track.from_prediction, lost_at=ONE_CLASS_SUMS, elements=(track.ratio,))
                expression = element_unary(frame, func, args, kwargs, one, out)
            if expression is not None:
                frame.set(out, expression)
            else:
                frame.lose(out, op_name(func), track)
            return
        track = value  # one image's reduced value, in further arithmetic: that image's tensor
    new = combine(frame, op_name(func), [(track, identity_map(src.dim()))], out.shape)
    if new is not None and track.unweighted is not None and new.lost_at is None:
        new.unweighted = func(track.unweighted, *args[1:], **kwargs)
    if new is not None:
        if kind == "data":
            new.from_prediction = False
        frame.set(out, new)


def _unary_ratio(track: Track, kind: str, low: Any, high: Any) -> Track | None:
    """A reduced value clamped from below (as a normaliser) or negated; None for other ops."""
    r = track.ratio
    assert r is not None
    try:
        if kind == "clamp" and _is_number(low) and high is None and r.gate is None and r.test is None:
            if _clampable(track):
                # ``mask.sum().clamp(min=1)``: clamped per group as well. Of a sum of predictions
                # (``quality.sum().clamp(min=eps)``) only as a normaliser: a returned clamped loss
                # is no ratio, so it is not marked a prediction (no companion of its own)
                return Track(ratio=r.scaled(normaliser_op=("min", float(low))))
            if _plain_sum(r, offset=True) and r.offset:  # ``(card + s).clamp_min(eps)``: s first
                ops = r.normaliser_ops + (("add", r.offset), ("min", float(low)))
                return Track(ratio=r.replace(offset=0.0, normaliser_ops=ops))
        if kind == "neg" and r.test is None:
            return Track(from_prediction=True, ratio=r.scaled(-1.0))
    except ValueError:  # an offset or a gate that the op cannot carry exactly
        return None
    return None


def _plain_sum(r: Ratio, offset: bool = False) -> bool:
    """A sum of rows, not divided, not offset (or, with ``offset``, plus a constant only)."""
    return (
        r.kind is RatioKind.SUM
        and r.normaliser is None
        and not r.divisors
        and not r.row_counts
        and (offset or not r.offset)
        and not r.num_offset
        and r.gate is None
        and r.test is None
    )


@rule(Tensor.add, torch.add)
def add(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``a + b``: also sums of reduced losses and ``normaliser + eps``."""
    _binary(frame, func, args, kwargs, out, "add")


@rule(Tensor.mul, torch.mul, torch.multiply)
def mul(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``a * b``: a per-row factor times a prediction is set aside as 1."""
    if len(args) == 2 and not kwargs and diagonal_product(frame, args, out):
        return
    _binary(frame, func, args, kwargs, out, "mul")
    if len(args) >= 2 and frame.label_masks:
        label_product(frame, args[0], args[1], out)
    if len(args) >= 2 and frame.zeroed and id(out) not in frame.zeroed:
        carry_counts(frame, args[0], out) or carry_counts(frame, args[1], out)
    if frame.divided and len(args) == 2 and not kwargs:
        _divided_product(frame, args, out)


def _divided_product(frame: Frame, args: tuple, out: Any) -> None:
    """``l * q`` of a quotient ``note_divided`` remembered (``q = values / s``, unchanged since) and
    per-element values ``l`` of the images of its shape (IA-SSD's ``bce * (torch.ones_like(ctr) /
    fg.sum())``): remembered in turn as ``(l * values) / s``, whose full sum ``divided_sum`` splits."""
    for q, other in ((args[0], args[1]), (args[1], args[0])):
        entry = frame.divided.get(id(q)) if isinstance(q, Tensor) else None
        if entry is None or entry[0][0] is not q or entry[1] != tuple(version_of(x) for x in entry[0]):
            continue
        _, values, s = entry[0]
        track = frame.get(other) if isinstance(other, Tensor) else None
        if track is None or not isinstance(out, Tensor) or other.shape != q.shape or out.shape != q.shape:
            return  # (broadcast: not followed)
        product = other * values
        mul(frame, Tensor.mul, (other, values), {}, product)
        note_divided(frame, out, product, s, out.detach().clone())
        return


def diagonal_product(frame: Frame, args: tuple, out: Any) -> bool:
    """``sim * torch.eye(B)`` (or ``F.one_hot(torch.arange(B), B)``) of an ``[n, n]`` table of pairs of
    the same images (``mode.diagonal_picked``): zero but each image's own entry, kept as a table of
    pairs in ``Frame.diagonal_tables`` for its sums (``diagonal_sum``). True when followed."""
    for x, pick in (args, args[::-1]):
        track = frame.get(x)
        if (isinstance(x, Tensor) and isinstance(pick, Tensor) and isinstance(out, Tensor) and track is not None
                and frame.get(pick) is None and track.lost_at is None and track.ratio is None and not track.parts
                and pick.shape == x.shape == out.shape and x.dim() == 2
                and diagonal_picked(frame, x, track, pick, "Tensor.mul", pick.detach(), x.shape[0])):
            new = Track(rows=dict(track.rows), image=track.image, from_prediction=track.from_prediction)
            if track.unweighted is not None:
                new.unweighted = track.unweighted * pick.detach()
            frame.set(out, new)
            frame.diagonal_tables[id(out)] = (out, version_of(out))
            return True
    return False


def diagonal_sum(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> bool:
    """The sum of a table of ``diagonal_product``, unchanged since: along one of its dims each
    image's own entry (the diagonal, on the other dim); over both the diagonal's sum. True when followed."""
    src = args[0]
    held = frame.diagonal_tables.get(id(src))
    track = frame.get(src)
    if held is None or held[0] is not src or held[1] != version_of(src) or track is None or not isinstance(out, Tensor):
        return False
    dims, keepdim = _reduce_dims(func, args, kwargs, 2)
    if dims is None or sorted(dims) == [0, 1]:
        diagonal = src.detach().diagonal()
        unweighted = track.unweighted.diagonal() if track.unweighted is not None else None
        frame.set(diagonal, Track(rows={0: track.rows[0]}, unweighted=unweighted, from_prediction=track.from_prediction))
        _reduce(frame, Tensor.sum, (diagonal,), {}, out, RatioKind.SUM, True)
        return True
    if len(dims) != 1:
        return False
    new = Track(rows={1 - dims[0] if keepdim else 0: track.rows[0]}, image=track.image, from_prediction=track.from_prediction)
    if track.unweighted is not None:
        new.unweighted = func(track.unweighted, *args[1:], **kwargs)
    frame.set(out, new)
    return True


@rule(Tensor.div, Tensor.true_divide, torch.div, torch.divide, torch.true_divide)
def div(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``a / b``: a per-row divisor is set aside as 1; a reduced loss over a normaliser."""
    if rounded_division(frame, func, args, kwargs, out):
        return
    _binary(frame, func, args, kwargs, out, "div")
    if args and frame.zeroed:
        carry_counts(frame, args[0], out)
    if len(args) == 2 and not kwargs and type(args[1]) is int and args[1] != 0 and frame.int_numbers:
        _carry_int(frame, args[0], out, lambda n: n / args[1], args[1])


def _carry_int(frame: Frame, src: Any, out: Any, number: Callable[[int], int | float], operand: Any) -> None:
    """``out``, made from the one-element tensor ``src`` holding a Python int of the call
    (``Frame.int_number``) and the int ``operand`` (``torch.clamp(torch.as_tensor(n) / world_size,
    min=1)``), holds the int ``number(n)`` where that is whole: an int still (a count over one rank)."""
    held = frame.int_number(src)
    if held is None or type(operand) is not int or not isinstance(out, Tensor) or out.numel() != 1:
        return
    value = number(held)
    if float(value).is_integer() and frame.get(out) is None and frame.get(src) is None:
        frame.note_int(out, int(value))
        k = frame.int_factor(src)
        if k != 1 and value == held:  # ``/ world_size`` over one rank: still the count times k
            frame.int_factors[id(out)] = (out, k)


_GROUP_SCALING = {Tensor.mul: "mul", torch.mul: "mul", torch.multiply: "mul", Tensor.mul_: "mul", Tensor.div: "div",
                  Tensor.div_: "div", torch.div: "div", torch.divide: "div", Tensor.true_divide: "div",
                  torch.true_divide: "div", Tensor.true_divide_: "div", Tensor.__rtruediv__: "rdiv"}


def group_scaled(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> bool:
    """``n * loss``, ``loss / n`` (in place too) of a reduced loss (one ratio, or a sum of them)
    and a number read on the host that is followed per group (``mode.GroupFloat``): on a group
    alone the body scales the group's value by the group's number, so each ratio takes it as a
    factor (``Ratio.group_factors``; a division, its reciprocal). A plain sum over the very count
    read is the row-sum normaliser ``Frame.host_normaliser`` finds (floors and all). True where
    ``out``'s track was recorded; False for anything else (the number's use is not followed)."""
    kind = _GROUP_SCALING.get(func)
    if kind is None or kwargs or len(args) != 2 or not isinstance(out, Tensor) or out.numel() != 1:
        return False
    a, b = args
    if isinstance(a, Tensor) and group_entry(b, frame) is not None:
        t, number = a, b
    elif kind == "mul" and isinstance(b, Tensor) and group_entry(a, frame) is not None:
        t, number = b, a
    else:
        return False
    track = frame.get(t)
    entry = group_entry(number, frame)
    if track is None or entry is None or track.formula is not None or track.elements or track.element_formulas or t.numel() != 1:
        return False
    expr, ratios, reads = entry
    if kind == "rdiv":
        return _count_over_count(frame, track, entry, out)
    scaled: tuple[Ratio, ...]
    if track.ratio is not None and track.lost_at is None:
        scaled = (track.ratio,)
    elif track.parts:
        scaled = track.parts
    else:
        return False
    if any(r.offset or r.num_offset or r.gate is not None or r.test is not None for r in scaled):
        return False
    r = track.ratio
    if (kind == "div" and expr == ("p", 0) and r is not None and track.lost_at is None and r.kind is RatioKind.SUM
            and not r.divisors and not r.group_factors
            and (all(read.escaped is None for read in reads) or divisor_floor() is not None)):
        # (a read compared with a plain number, no floor the code proves, is declined as a group factor:
        # ``max(n, k)`` of ``k = len(t[0]["labels"])`` may be ``k`` on a group alone; fuzz seed 20)
        one = reads[0].read if len(reads) == 1 else None  # (that read's sum, where others read the same value)
        counted = frame.host_normaliser(one.value if one is not None else number, divisor_floor, one)
        if counted is not None and not r.over_other_image(counted):  # ``l.sum() / max(num_pos, 1)``: the group's count,
            # floored as the body did (not one image's: ``max(float(m[0].sum()), 1)``, red47a)
            floor = next((c for op, c in counted.normaliser_ops if op == "min"), None)
            for read in reads:
                read.floored_at = floor
            frame.set(out, Track(from_prediction=track.from_prediction,
                                 ratio=r.scaled(by_rows=counted, other_image_checked=True)))
            return True
    factor = (expr if kind == "mul" else ("reciprocal", expr), ratios)
    made = tuple(q.replace(group_factors=q.group_factors + (factor,)) for q in scaled)
    for read in reads:
        read.used = read.read.consumed = read.other_use = True
    if track.parts:
        frame.set(out, dataclasses.replace(track, parts=made))
    else:
        frame.set(out, Track(from_prediction=track.from_prediction, ratio=made[0]))
    return True


def _count_over_count(frame: Frame, track: Track, entry: tuple, out: Tensor) -> bool:
    """``keep.sum().item() / valid.sum()`` (UniMatch's confident ratio, survey 54): the number one read
    of a plain row sum, unchanged, over a plain row sum: on a group alone the group's first sum over
    its second, the ratio of the two sums. True where so (the read consumed)."""
    expr, _, reads = entry
    r = track.ratio
    read = reads[0].read if len(reads) == 1 else None
    if (expr != ("p", 0) or read is None or read.ratio is None or r is None or track.lost_at is not None or track.parts
            or r.kind is not RatioKind.SUM or r.divisors or r.normaliser is not None or r.group_factors or r.scales
            or r.normaliser_ops or r.offset or r.num_offset or r.gate is not None or r.test is not None):
        return False
    num = read.ratio
    try:
        ratio = num.scaled(by_rows=r)
    except ValueError:
        return False
    read.consumed = reads[0].other_use = True
    frame.set(out, Track(from_prediction=track.from_prediction, ratio=ratio))
    return True


GROUP_RULE.append(group_scaled)


def made_from_data(frame: Frame, src: Any, out: Any) -> None:
    """``torch.as_tensor(num_pos, dtype=torch.float)`` of a tracked tensor ``src``: a copy, as
    ``num_pos.float()`` is (review16: untracked, a count of the images' rows became a constant of
    the body, read by value)."""
    if isinstance(src, Tensor) and frame.get(src) is not None:
        passthrough(frame, _AS_TENSOR, (src,), {}, out)


def rounded_division(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> bool:
    """``a.div(b, rounding_mode="floor")`` with a reduced operand (review adv18): a rounded
    quotient of a ratio is no ratio (the floor of a sum is not the sum of floors), so ``out`` is
    lost. True when so."""
    if kwargs.get("rounding_mode") is None:  # (first: most divisions round nothing)
        return False
    tracks = [frame.get(x) for x in args[:2] if isinstance(x, Tensor)]
    if not any(_mixes(t) for t in tracks):
        return False
    frame.lose(out, f"{op_name(func)} with rounding_mode of a reduced value",
               pred=any(t is not None and t.from_prediction for t in tracks))
    return True


@rule(
    Tensor.eq, Tensor.ne, Tensor.lt, Tensor.le, Tensor.gt, Tensor.ge, Tensor.__eq__, torch.eq,
    torch.ne, torch.lt, torch.le, torch.gt,
    torch.ge, Tensor.__and__, Tensor.__or__, Tensor.__xor__, Tensor.logical_and, Tensor.logical_or,
    torch.logical_and,
    torch.logical_or, Tensor.logical_xor, torch.logical_xor, Tensor.bitwise_and, torch.bitwise_and,
    Tensor.bitwise_or, torch.bitwise_or, Tensor.bitwise_xor, torch.bitwise_xor,
)
def comparison(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Comparisons and logic: same layout, but data (a mask), not a loss."""
    if len(args) == 2 and not kwargs and piece_comparison(frame, args[0], args[1]):
        return  # ``max(lengths)``'s own comparisons of its elements
    _binary(frame, func, args, kwargs, out, "data")
    _note_number_test(frame, func, args, kwargs, out)
    if frame.number_tests and len(args) >= 2 and isinstance(out, Tensor):
        ta, tb = (frame.get(x) if isinstance(x, Tensor) else None for x in args[:2])
        if (ta is None) != (tb is None):  # ``(lw < 0.9) & (y > 0.2)``: the weights' mask meets the images' rows
            weight_test_used(frame, args[0] if ta is None else args[1], ta or tb, out.shape, op_name(func))
    _note_label_test(frame, func, args, out)
    if isinstance(out, Tensor) and out.numel() == 1 and len(args) == 2 and not kwargs \
            and not _note_extreme_test(frame, func, args[0], args[1], out) \
            and not note_self_comparison(frame, func, args[0], args[1], out):
        _note_value_test(frame, func, args[0], args[1], out)


_WEIGHT_TEST = ("a mask testing the images' weights (``w < 0.9`` of a tensor of their values) at {op}: on a group "
                "alone, weights set to 1, it picks other positions")


def _note_number_test(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``lw < 0.9`` of an untracked float tensor ``lw`` (no identity: maybe the images' weights,
    ``torch.cat([torch.full((n,), t["loss_weight"]) ...])``) and a number: noted with the mask its
    values would give where they are 1 (``weight_test_used``), while some image's weight is not 1."""
    if (kwargs or len(args) != 2 or not isinstance(out, Tensor) or out.dtype != torch.bool or not out.dim()
            or frame.get(out) is not None):
        return
    a, b = args
    if not isinstance(a, Tensor):
        a, b = b, a
        func = _FLIPPED_TESTS.get(func)
    if (func not in _FLIPPED_TESTS or not isinstance(a, Tensor) or not a.is_floating_point() or a.requires_grad
            or frame.get(a) is not None
            or a.shape != out.shape or not isinstance(b, (int, float)) or isinstance(b, bool)):
        return
    numbers = frame.weight_numbers()
    if frame.weight_field is None or numbers is not None and all(w == 1 for w in numbers):
        return
    frame.number_tests[id(out)] = (out, a.detach(), func(torch.ones_like(a), b))


def _flipped_tests() -> dict[Any, Any]:
    """Each comparison (``Tensor.lt``, ``torch.lt``, ``Tensor.__lt__``...) -> the one that gives the
    same mask with its operands swapped (``a < b`` is ``b > a``)."""
    flipped: dict[Any, Any] = {}
    for name, flip in SWAPPED.items():
        for owner in (Tensor, torch):
            flipped[getattr(owner, name)] = getattr(owner, flip)
        flipped[getattr(Tensor, f"__{name}__")] = getattr(Tensor, f"__{flip}__")
    return flipped


_FLIPPED_TESTS = _flipped_tests()


def _joined_number_test(frame: Frame, func: Any, a: Any, b: Any, out: Tensor) -> None:
    """Two masks of no images joined (``&``, ``|``, a product), one a number test
    (``_note_number_test``): the join tests the same tensor (the first number test's), and weights 1
    give the join of the masks they give, each number test's own, the other operand as it is."""
    held = [frame.number_tests.get(id(x)) if isinstance(x, Tensor) else None for x in (a, b)]
    held = [h if h is not None and h[0] is x else None for h, x in zip(held, (a, b))]
    tested = next((h[1] for h in held if h is not None), None)
    if tested is None or id(out) in frame.number_tests:
        return
    unit = func(*(h[2] if h is not None else x for h, x in zip(held, (a, b))))
    if type(unit) is Tensor and unit.shape == out.shape:
        frame.number_tests[id(out)] = (out, tested.expand(out.shape) if tested.dim() <= out.dim() else tested, unit)


def _weight_made_factor(frame: Frame, mask: Any, out: Tensor) -> bool:
    """Whether ``mask`` is a float factor made from the weight objects, broadcast to ``out``
    (``(w[:, None, None] >= 0.9).float()``): its values on weights 1 are known and the product's
    rule uses them (``Frame.weight_made``), so it is no mask to decline for."""
    held = frame.weight_made.get(id(mask)) if isinstance(mask, Tensor) and frame.weight_made else None
    return (held is not None and held[0] is mask and held[1] is not None and mask.is_floating_point()
            and mask.shape != out.shape)


def weight_test_used(frame: Frame, mask: Any, track: Track | None, shape: Sequence[int], op: str) -> None:
    """Where ``mask`` (noted by ``_note_number_test``, or a cast of it) meets values of the images
    with rows ``track.rows`` and shape ``shape`` (``torch.where(lw < 0.9, 0.5 * l, l)``, ``l *
    (lw >= 0.9)``, ``masked_fill``): if the tensor it tested holds each row's image weight and the
    mask differs from what weights 1 give, the call declines (one deferred check; was kept as data,
    the batch's positions on every group: silently wrong, README Known limits before session 21)."""
    held = frame.number_tests.get(id(mask)) if isinstance(mask, Tensor) else None
    if held is None or held[0] is not mask or track is None or mask.dim() > len(shape) \
            or not track.rows and track.image is None:
        return
    # a mask broadcast to the values (``lw[:, None, None] < 0.9`` on ``[B, R, C]``): its dims are the
    # values' last ones
    skipped = len(shape) - mask.dim()
    if any(m not in (1, s) for m, s in zip(mask.shape, shape[skipped:])):
        return
    weights = frame.weights_on(mask.device)
    if weights is None:
        return
    tested, unit = held[1], held[2]
    same = torch.ones((), dtype=torch.bool, device=mask.device)
    image = track.image
    if not track.rows and image is not None:  # one image's values (a batch of one): its weight everywhere
        same = (tested.double() == weights.take(image.reshape(1).to(weights.device))).all()
    for d, rows in track.rows.items():
        if rows.dim() != 1 or rows.numel() != shape[d] or d < skipped or mask.shape[d - skipped] != shape[d]:
            return
        along = [1] * mask.dim()
        along[d - skipped] = shape[d]
        same = same & (tested.double() == weights.take(rows).view(along)).all()
    frame.doubt(same & (mask != unit).any(), _WEIGHT_TEST.format(op=op))


def _note_extreme_test(frame: Frame, func: Any, a: Any, b: Any, out: Tensor) -> bool:
    """``fg_mask.max() > 1`` (ultralytics' assigner), ``x.min() <= c``: the largest (smallest)
    value of a tensor of image rows (``Frame.extremes``) compared with a number, noted so that a
    branch on it is decided per group: on a group alone, whether some row's largest value is above
    ``c`` (for ``<=``: whether none is), a count of rows over the group's images. Whether it was."""
    op = getattr(func, "__name__", "").strip("_")
    if op not in SWAPPED or not frame.extremes:
        return False
    held = frame.extremes.get(id(a))
    if held is None or held[0] is not a:
        a, b, op = b, a, SWAPPED[op]
        held = frame.extremes.get(id(a))
        if held is None or held[0] is not a:
            return False
    if version_of(a) != held[1] or type(b) not in (int, float):
        return False
    if counted_threshold():  # ``y.max() > 0.2 * len(targets)``: on a group alone another number (review16)
        return True  # noted nothing: a branch on it declines as on any value of data mixed across images
    where = f"{op_name(func)} of the {held[2]}imum of the images' values"
    if op in ("eq", "ne"):
        # ``max(lengths) == N`` where no row is above N (torch-struct asserts both): on a group alone,
        # whether some row reaches N; a batch with a row beyond N declines (a group may hold one or not)
        per_row, c = held[3], float(b)
        beyond = per_row > c if held[2] == "max" else per_row < c
        frame.doubt(beyond.any() | per_row.isnan().any(), f"{where} compared for equality with a number some row passes")
        test, ratio = extreme_test(frame, held, "ge" if held[2] == "max" else "le", c, where)
        frame.noted_test(out, test if op == "eq" else "eq" if test == "gt" else "gt", ratio, 0.0, where)
        return True
    test, ratio = extreme_test(frame, held, op, float(b), where)
    frame.noted_test(out, test, ratio, 0.0, where)
    return True


def _note_extreme(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``fg_mask.max()`` (or ``amax()``, ``min()``, ``amin()``) over every element of a tensor whose
    rows along one dim are the images': lost as a value, but each row's extreme is kept for a
    comparison with a number (``_note_extreme_test``)."""
    src = args[0] if args else None
    if not isinstance(src, Tensor) or not isinstance(out, Tensor) or out.dim() != 0 or not src.numel():
        return
    if (get_arg(args, kwargs, 1, "dim", None) is not None or "axis" in kwargs) and func not in (Tensor.amax, torch.amax,
                                                                                                Tensor.amin, torch.amin):
        return
    dims, _ = _reduce_dims(func, args, kwargs, src.dim())
    if dims is not None and sorted(dims) != list(range(src.dim())):
        return
    track = frame.get(src)
    if track is None or track.lost_at is not None or track.ratio is not None or len(track.rows) != 1:
        return
    ((d, rows),) = track.rows.items()
    # a piece taken by position (``y.chunk(2)[0]``) holds other images on a group alone (review15)
    if rows.dim() != 1 or rows.numel() != src.shape[d] or frame.by_position(rows):
        return
    # values with the weight field set to 1 where a weight multiplied them (``(y * w).max()``, review16)
    values = track.unweighted if track.unweighted is not None and track.unweighted.shape == src.shape else src.detach()
    flat = values.movedim(d, 0).reshape(src.shape[d], -1)
    kind = "max" if func in (Tensor.max, torch.max, Tensor.amax, torch.amax) else "min"
    per_row = (flat.amax(1) if kind == "max" else flat.amin(1)).to(torch.float64)
    frame.extremes[id(out)] = (out, version_of(out), kind, per_row, rows)



def _note_value_test(frame: Frame, func: Any, a: Any, b: Any, out: Tensor) -> None:
    """``num_pos == 0``, ``loss.mean() > 0.5``: a reduced value compared with a number or a
    one-element tensor without images, noted so that a branch on it (``bool``) is decided per
    group (``Frame.branched``)."""
    op = getattr(func, "__name__", "").strip("_")
    if op not in SWAPPED:
        return
    ta, tb = frame.get(a), frame.get(b)
    if ta is None and tb is not None:
        a, ta, b, tb, op = b, tb, a, ta, SWAPPED[op]
    if ta is None or tb is not None or ta.lost_at is not None or not branch_value(ta.ratio):
        return
    if isinstance(b, Tensor):
        if b.numel() != 1 or b.requires_grad:
            return
        b = b.detach().reshape(())
    elif type(b) not in (int, float, bool):
        return
    elif counted_threshold():  # ``mask.sum() > 4 * len(targets)``: on a group alone another number (review16)
        return
    assert ta.ratio is not None
    frame.noted_test(out, op, ta.ratio, b if isinstance(b, Tensor) else float(b), f"{op_name(func)} of a reduced value")


@rule(Tensor.sub, torch.sub, torch.subtract)
def sub(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``a - b``: also a reduced loss minus a constant or minus another summed loss."""
    _binary(frame, func, args, kwargs, out, "sub")


@rule(torch.rsub, Tensor.__rsub__)
def rsub(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``c - x`` (``1 - dice.mean()``): of a reduced loss, its value negated plus ``c`` per group."""
    _binary(frame, func, args, kwargs, out, "rsub")


@rule(
    Tensor.__rtruediv__, Tensor.__rpow__, Tensor.logaddexp, torch.logaddexp, Tensor.logaddexp2, torch.logaddexp2,
    Tensor.maximum, torch.maximum, Tensor.minimum, torch.minimum, Tensor.atan2, torch.atan2,
    Tensor.xlogy,
    torch.xlogy, Tensor.__floordiv__, Tensor.fmod, Tensor.remainder, torch.polar, torch.complex,
    torch.remainder, torch.fmod, torch.floor_divide, Tensor.floor_divide, Tensor.__rmod__, Tensor.__rfloordiv__,
    torch.hypot, Tensor.hypot, torch.fmax, Tensor.fmax, torch.fmin, Tensor.fmin, torch.copysign, Tensor.copysign,
    Tensor.__lshift__, Tensor.__rlshift__, Tensor.__rshift__, Tensor.__rrshift__, Tensor.bitwise_left_shift,
    torch.bitwise_left_shift, Tensor.bitwise_right_shift, torch.bitwise_right_shift,
)
def binary(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Other broadcasting element-wise ops of two operands."""
    _binary(frame, func, args, kwargs, out, "")
    if func is Tensor.__rtruediv__:
        over_count(frame, func, args, kwargs, out)


def _blocks_against_rows(frame: Frame, func: Any, a: Any, ta: Track | None, b: Any, tb: Track | None) -> None:
    """An untracked operand made of several blocks of identical rows (``Frame.note_blocks``)
    meeting, dim 0 to dim 0, a tensor whose dim 0 carries images: see ``Frame.aligned_blocks``."""
    held, x, other = (ta, b, a) if tb is None else (tb, a, b)
    blocks = frame.blocks_of(x)
    rows = held.rows.get(0) if held is not None and blocks is not None and len(blocks) > 1 else None
    if rows is not None and isinstance(other, Tensor) and x.dim() == other.dim() and x.shape[0] == other.shape[0] == rows.numel():
        frame.aligned_blocks(rows, blocks, op_name(func))  # type: ignore[arg-type]


BY_UNTRACKED_SUM = ("by a number computed from the sum (or the mean) of a tensor whose rows are unknown "
                    "(``1 / w.sum()``, ``w.mean()``), other than a summed loss over such a sum: on a group alone it is "
                    "the group's")


BY_IMAGE_NUMBER = ("by a Python number read from, or computed in Python from, values without images of several "
                   "images (``s.sum().item()``, ``sum(s.tolist())``): on a group alone it is the group's")


BY_NUMPY_NUMBER = ("by a number NumPy may have computed from several images' values handed to it in this call: on a "
                   "group alone it computes it from the group's")


def _by_untracked_sum(frame: Frame, kind: str, a: Any, ta: Track | None, b: Any) -> bool:
    """Whether ``a * b`` or ``a / b`` (one side tracked) scales by a number computed in the body
    from a reduction of a tensor that carried no images (``untracked_value``) that no count can
    carry: a reciprocal of one as a factor (``l.sum() * (1 / w.sum())``), a mean as a divisor
    (``(l * w).mean() / w.mean()``), a sum changed since (``w.sum().clamp(min=1)``) dividing anything
    but a summed loss (which ``_split`` reads where its value equals a count of the batch)."""
    how = untracked_value(frame, b if ta is not None else a)
    if how is None or how == "sum":
        return False  # not such a number, or the sum itself (``_late_normaliser``)
    if kind == "mul" or ta is None:  # a mean as a factor is a constant's as before (``l * pts.mean()``)
        return how == "inverse"
    if how != "summed":
        return how == "statistic"
    if ta.parts:
        return any(p.kind is not RatioKind.SUM for p in ta.parts)
    return ta.ratio is None or ta.ratio.kind is not RatioKind.SUM


_OFFSETS = frozenset({"add", "sub", "rsub", "mul"})


BY_LISTED_ENTRY = ("by one entry of a list of Python numbers, one per image, made a tensor (``max(s)``, ``s[0]``), "
                   "scaling a loss of several images: on a group alone another image's entry")


def _listed_entry(frame: Frame, x: Any, track: Track | None) -> bool:
    """Whether the Python float ``x`` is an entry, by identity, of a list noted by
    ``mode._listed`` (``(l * torch.tensor(s)).sum() / max(s)``: the batch's largest; red team,
    session 25) and ``track`` holds more than one image's loss (an image's own entry scaling its
    own term in a loop over the images is that image's number)."""
    if type(x) is not float or track is None or one_image_term(track) \
            or not any(any(v is x for v in values) for values in frame.tensor_lists):
        return False
    return not frame.constant_number(x)  # (a literal of the code is one object with an equal one in the list)


def _offset_by_several_images(frame: Frame, a: Any, b: Any) -> bool:
    """``torch.arange(n) + 2 * max_gt * g``: positions (an integer tensor that carries no images)
    offset or scaled by a Python int the code computes from sizes or fields of several images
    (``batch_fields.several_images_number``; DINO's denoising queries at the batch's largest box
    count, survey 32): on a group alone the group's sizes place them elsewhere."""
    t = b if type(a) is int else a
    if frame.num_images < 2 or frame.per_image_targets is None or not isinstance(t, Tensor) or t.is_floating_point() \
            or t.is_complex() or t.dtype is torch.bool or frame.get(t) is not None:
        return False
    return several_images_number(frame.per_image_targets, "arithmetic")


_PLAIN_OPERANDS = frozenset({int, float, bool, Tensor})


def _numpy_scalar(x: Any) -> Any:
    """``x``, a NumPy scalar number (``np.prod(w.shape[:-1])``), as the Python number torch takes
    it for; anything else as it is."""
    if type(x).__module__ == "numpy" and getattr(x, "ndim", None) == 0 and x.dtype.kind in "iuf":
        return x.item()
    return x


def _shape_product(frame: Frame, b: Any) -> tuple[Any, Tensor, list[int], Any] | None:
    """``(the shape read's size site, x, the dims picked, x's image dims)`` where the divisor ``b`` is ``np.prod(x.shape[s])`` (or
    ``math.prod``, ``_bytecode.shape_product``: torch-efficient-distloss's ``n_rays =
    np.prod(w.shape[:-1])``) of a tensor ``x`` the capture follows, and equals it; else None."""
    found = shape_product() if type(b) in (int, CountedInt) else None
    if found is None or not isinstance(found[0], Tensor):
        return None
    x, code, offset, picked = found
    held = frame.get(x)
    dims = list(range(x.dim()))[picked]
    if held is None or held.lost_at is not None or math.prod(x.shape[d] for d in dims) != b:
        return None
    return frame.size_sites.get((code, offset)), x, dims, held.rows


def _shape_product_count(frame: Frame, b: Any) -> Any:
    """``b`` as the ``RowCount`` it is where it is ``np.prod(x.shape[s])`` of one dim only, a size
    of image rows this read noted (``Frame.size_sites``): the product of one size is that size, on a
    group alone the group's count (the distortion loss's ``/ n_rays``). Any other ``b`` as it is."""
    found = _shape_product(frame, b)
    if found is None:
        return b
    site, _, dims, _ = found
    if site is None or site[0] is None or len(dims) != 1 or dims[0] not in site[1] or site[0].numel() != b:
        return b
    return frame.count_of(b, site[0])


SHAPE_PRODUCT_DIVISOR = ("a division by a product of sizes of dims without images (``np.prod(x.shape[1:])``) of a "
                         "tensor the body made: on a group alone maybe other sizes (padded to the group's longest)")


def _shape_product_divisor(frame: Frame, z: Any) -> bool | str | None:
    """Where ``z`` is ``np.prod(x.shape[s])`` of dims of ``x`` without images: a constant of the
    call (True) for ``x`` one of the call's arguments as passed (on a group alone it keeps those
    sizes), else ``SHAPE_PRODUCT_DIVISOR`` (it was read by value as a count it equals: silently
    wrong for ``np.prod(w.shape[1:])`` equal to the loss's rows). None for any other ``z``."""
    found = _shape_product(frame, z)
    if found is None or any(d in found[3] for d in found[2]):
        return None
    x = found[1]
    return frame.read_argument_tensors is not None and any(t is x for t in frame.read_argument_tensors()) \
        or SHAPE_PRODUCT_DIVISOR


def _binary(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any, kind: str) -> None:
    if not isinstance(out, Tensor) or len(args) < 2:
        return
    a, b = args[0], args[1]
    # Two tensors of per-element tracks (most element-wise ops of a body): every check below up to the
    # broadcast asks for an operand that is no tensor, untracked or reduced (a ratio, parts, a formula,
    # elements), a comparison ("data"), a 0-dim sum (``_image_terms``) or one of the frame's records
    # tested here; of the rest only ``scaled_rows`` can answer. A check added below that can fire on
    # two such operands belongs here too.
    if type(a) is Tensor and type(b) is Tensor and kind != "data" \
            and not (frame.row_counts or frame.counted_values or frame.segment_ids):
        ta, tb = frame.get(a), frame.get(b)
        if ta is not None and tb is not None and per_element(ta) and per_element(tb) \
                and (kind != "add" or kwargs or out.dim()):
            if kind in ("mul", "div") and scaled_rows(frame, kind, a, ta, b, tb, out, kwargs):
                return
            _broadcast_binary(frame, func, args, kwargs, out, kind, a, ta, b, tb)
            return
    # (``np.float64`` is a float: its type tells; where images' values went to NumPy, it may have
    # computed the number from several images: ``numpy_number`` reads it as NumPy's)
    if type(b) not in _PLAIN_OPERANDS and not isinstance(b, Tensor) and frame.numpy_images is None:
        b = _numpy_scalar(b)
    elif type(a) not in _PLAIN_OPERANDS and not isinstance(a, Tensor) and frame.numpy_images is None:
        a = _numpy_scalar(a)
    if kind == "div" and type(b) in (int, CountedInt) and frame.size_sites:  # ``/ np.prod(w.shape[:-1])``
        b = _shape_product_count(frame, b)
    if (type(b) is int or type(a) is int) and kind in _OFFSETS and _offset_by_several_images(frame, a, b) \
            and not (kind == "mul" and mode.image_blocks(frame, args)):
        frame.doubt(torch.ones((), dtype=torch.bool), f"{op_name(func)} of positions and a number computed from sizes or "
                    "fields of several images (a layout by them: on a group alone, the group's)")
    if kind == "mul" and frame.row_counts and not kwargs:
        count = frame.reciprocal_count(b) if isinstance(a, Tensor) else frame.reciprocal_count(a)
        if count is not None:  # ``l * (1 / bs)`` (D-FINE's ``batch_scale``): ``l / bs``, the group's own count
            _binary(frame, Tensor.div, (a if isinstance(a, Tensor) else b, count), {}, out, "div")
            return
    ta, tb = frame.get(a), frame.get(b)
    if frame.segment_ids and kind in ("add", "sub") and not kwargs:
        shifted_segments(frame, a, b, kind, out)
    if kind == "div" and tb is None and not kwargs and divided_by_floored_count(frame, a, ta, b, out):
        return
    if (frame.row_counts or frame.counted_values) and _counted_operand(frame, func, kind, a, ta, b, tb, out):
        return
    if ta is None and tb is None:
        if frame.number_tests and kind in ("mul", "data"):  # ``(lw < 0.5) | (lw > 2)``, ``m_a * m_b``
            _joined_number_test(frame, func, a, b, out)
        if kind in ("mul", "div") and isinstance(a, Tensor) and not a.requires_grad:
            images = frame.weight_images(b)  # ``v * t["loss_weight"]``: v with the weight set to 1
            if images:
                frame.weight_filled[id(out)] = (out, images, a.detach())
        return
    if kind in ("mul", "div") and (frame.untracked_numbers or frame.image_lists) and (ta is None) != (tb is None):
        how = image_number(frame, b if ta is not None else a)  # ``l.sum() / s.sum().item()``, ``/ sum(s.tolist())``
        if how == "summed" and kind == "div" and ta is not None and ta.ratio is not None and not ta.parts \
                and ta.formula is None and ta.lost_at is None and ta.ratio.kind is RatioKind.SUM and not ta.ratio.divisors:
            try:  # as ``w.sum().clamp(min=1)``: ``_split`` reads it as a count it equals, else declines the key
                frame.set(out, Track(from_prediction=ta.from_prediction, ratio=ta.ratio.scaled(divisor=b)))
                return
            except ValueError:
                pass
        if how is not None:
            frame.lose(out, f"{op_name(func)} {BY_IMAGE_NUMBER} ({how})", pred=is_prediction(a, ta) or is_prediction(b, tb))
            return
    if kind in ("mul", "div") and frame.tensor_lists and (ta is None) != (tb is None) \
            and _listed_entry(frame, b if ta is not None else a, ta if ta is not None else tb):
        frame.lose(out, f"{op_name(func)} {BY_LISTED_ENTRY}", pred=is_prediction(a, ta) or is_prediction(b, tb))
        return
    if kind in ("mul", "div", "add", "sub") and frame.numpy_images is not None and (ta is None) != (tb is None) \
            and numpy_number(frame, b if ta is not None else a, kind):
        frame.lose(out, f"{op_name(func)} {BY_NUMPY_NUMBER} (at {frame.numpy_images})",
                   pred=is_prediction(a, ta) or is_prediction(b, tb))
        return
    if kind in ("mul", "div") and (frame.untracked_derived or frame.untracked_numbers) and (ta is None) != (tb is None) \
            and _by_untracked_sum(frame, kind, a, ta, b):
        _scaled_by_weight_statistic(frame, op_name(func), a, ta, b, tb)  # the weights' mean: the call declines
        frame.lose(out, f"{op_name(func)} {BY_UNTRACKED_SUM}", pred=is_prediction(a, ta) or is_prediction(b, tb))
        return
    if frame.row_blocks and (ta is None) != (tb is None):
        _blocks_against_rows(frame, func, a, ta, b, tb)
    if kind == "mul" and frame.number_tests and (ta is None) != (tb is None) \
            and not _weight_made_factor(frame, a if ta is None else b, out):  # ``l * (lw >= 0.9)``
        weight_test_used(frame, a if ta is None else b, ta or tb, out.shape, op_name(func))
    if kind not in ("mul", "div") and (ta is None or tb is None) \
            and (frame.weight_filled or type(a) is float or type(b) is float) and _weight_as_data(frame, kind, a, ta, b, tb):
        # ``l - torch.tensor(t[b]["loss_weight"])``: 1 on a group alone, a value the copy keeps
        frame.lose(out, f"{op_name(func)} with an image's weight field as a value (1 on a group alone)")
        return
    if kind in ("mul", "div") and (ta is None) != (tb is None) and getattr(b if ta is not None else a, "unproven", False) \
            and type(b if ta is not None else a) in (FlooredFloat, FlooredInt):
        frame.lose(out, f"{op_name(func)} {UNPROVEN_FLOOR}", pred=is_prediction(a, ta) or is_prediction(b, tb))
        return
    if frame.row_counts and (frame.row_count(a) is not None or frame.row_count(b) is not None):
        _by_row_count(frame, func, kind, a, ta, b, tb, out, kwargs)
        return
    if kind == "div" and type(b) is float and frame.count_floats and _over_count_float(frame, ta, b, out, kwargs):
        return
    if kind in ("mul", "div", "add", "sub", "rsub") and not kwargs and (ta is None) != (tb is None) \
            and values_by_image_count(frame, kind, a, ta, b, tb):
        frame.lose(out, f"{op_name(func)} {BY_IMAGE_COUNT_VALUES}")
        if kind == "div" and ta is not None:
            note_count_quotient(frame, out, ta, b)
        return
    if kind == "add" and out.dim() == 0 and not kwargs:
        ta, tb = _image_terms(frame, a, ta, b, tb, out)
    if kind == "add" and out.numel() == 1 and (ta is None) != (tb is None) and not kwargs:
        held, x = (tb, a) if ta is None else (ta, b)
        if (held is not None and (held.ratio is not None or held.parts or held.formula is not None)
                and (frame.zeros_total(x, 0, 0.0, op_name(func)) or frame.zero_state(x))):
            frame.set(out, held)  # ``lbox = torch.zeros(1)`` then ``lbox + l.mean()``: the loss itself
            return
    if kind in ("add", "sub", "rsub") and (ta is None) != (tb is None) and out.numel() == 1 and not kwargs:
        constant = _constant_term(frame, kind, a, ta, b, tb)
        if constant is not None:  # ``l.mean() + s`` of a learned 0-dim ``s``: a term of its own
            kind, a, ta, b, tb = constant
    if ta is not None and tb is not None and kind in ("mul", "div") and scaled_rows(frame, kind, a, ta, b, tb, out, kwargs):
        return  # ``w / w.mean()``: each row over its group's mean
    if (ta is not None and ta.formula is not None) or (tb is not None and tb.formula is not None):
        expression = binary_formula(frame, kind, a, ta, b, tb, func, kwargs) if out.numel() == 1 else None
        if expression is None:  # ``sc + phase`` with the phase lost: the warning names where it was
            frame.lose(out, next((t.lost_at for t in (ta, tb) if t is not None and t.lost_at is not None
                                  and t.formula is None and not t.parts and not t.elements), op_name(func)))
        else:
            frame.set(out, expression)
        return
    if tb is None and kind == "div" and ta is not None and ta.ratio is not None and frame.untracked_sums:
        tb = _late_normaliser(frame, b)
    if kind in ("mul", "div") and tb is None and ta is not None and ta.ratio is None and type(b) is float \
            and unread_count_factor(frame, ta, b, kind):  # ``w * e for w, e in zip([1 / n] * n, E)``: each image's value
        frame.lose(out, f"{op_name(func)}: {UNREAD_COUNT_FACTOR}", ta)
        return
    if (
        tb is None
        and ta is not None
        and ta.unweighted is None
        and ta.ratio is None
        and ta.lost_at is None
        and (not isinstance(b, Tensor) or b.dim() == 0 and id(b) not in frame.weight_filled
             and id(b) not in frame.weight_made)  # ``e + w.sum()``: see ``unweighted_operand`` (rt28)
        and out.dim() == a.dim()
    ):  # tensor op scalar: same layout (a 0-dim weight tensor: see ``unweighted_operand``)
        same = Track(ta.rows, ta.image, None, ta.from_prediction and kind != "data")
        other_image = None
        if kind in ("mul", "div") and ta.image is not None and frame.per_image_targets is not None:
            other_image = _other_image_number(frame, frame.image_ids.get(id(ta.image)), b, kind)
        if other_image is not None:
            frame.lose(out, other_image, ta)
            return
        if ta.image is not None and not ta.rows and kind in ("mul", "div", "add", "sub") and type(b) in (int, float):
            # ``e * beta`` of one image's values with ``beta = 0.7 ** i`` bound by a partial made per image
            _note_number(frame, frame.image_ids.get(id(ta.image)), b, op_name(func))
        if kind in ("mul", "div") and ta.image is not None and _is_image_weight(frame, ta.image, b):
            same.unweighted = a.detach()  # one image's values times (or over) its weight: weight 1
        elif kind in ("mul", "div") and ta.rows and _weight_object(frame, b):
            same.unweighted = a.detach()  # ``x * targets[0]["loss_weight"]``: 1 on any group alone
        elif kind in ("mul", "div") and ta.rows and frame.weight_object(b):
            # a literal of the code running the op that is the weight's very object: kept as it is (a
            # constant); an image's value on a call of that image then declines (``_split``)
            frame.rows_times_weight = True
        elif kind in ("mul", "div") and ta.image is not None and isinstance(b, Tensor) and not b.requires_grad:
            unit = unweighted_on_image(frame, b, ta.image, op_name(func))  # ``l_b * w[b]``
            if unit is not b:
                same.unweighted = func(a.detach(), unit, *args[2:], **kwargs)
        frame.set(out, same)
        return
    op = op_name(func)
    if kind in ("mul", "div"):
        _scaled_by_weight_statistic(frame, op, a, ta, b, tb)
    if kind == "data" and ta is not None and ta.elements and type(b) is int and b == frame.num_images != 1:
        # ``sums > len(targets)``: on a group alone the threshold is the group's image count
        frame.lose(out, f"{op} against an int equal to the number of images (``> len(targets)``)", pred=False)
        return
    if kind == "data" and func in _COMPARED and not kwargs:
        made = _compared_values(frame, func, a, ta, b, tb, out)
        if made is not None:  # ``union == 0`` of per-class sums: on a group alone its own sums compared
            frame.set(out, made)
            return
    if (ta is not None and ta.elements) or (tb is not None and tb.elements) or kind == "data" and _one_class_test(
            func, kind, ta, out):
        each = _elements_arithmetic(frame, func, kind, a, ta, b, tb, out, kwargs)
        made = None if each is None else _elements_track(ta if ta is not None and ta.elements or tb is None else tb, each)
        if made is not None and made.lost_at is None:  # a one-class test, marked as a vector of sums
            made.lost_at = ONE_CLASS_SUMS
        if made is not None:
            frame.set(out, made)
            return
    if ta is not None and (ta.elements or ta.element_formulas) or tb is not None and (tb.elements or tb.element_formulas):
        made = _element_expressions(frame, func, kind, a, ta, b, tb, out, kwargs)
        if made is not None:  # ``r * spec + (1 - r) * sens`` of per-class ratios: an expression per class
            frame.set(out, made)
            return
    if kind == "mul" and _times_image_count(frame, a, ta, b, tb):
        frame.lose(out, BY_IMAGE_COUNT)
        return
    if (ta is not None and ta.parts) or (tb is not None and tb.parts):
        summed = _parts_arithmetic(frame, kind, a, ta, b, tb, op, kwargs)
        if summed is None and out.dim() == 0:  # ``(l1 + l2) * l3.mean()``: a function of ratios
            summed = binary_formula(frame, kind, a, ta, b, tb, func, kwargs)
        if summed is not None:
            frame.set(out, _at_site(frame, summed, kind, a, ta, b, tb, op))
            return
    if kind == "mul" and (ta is None) != (tb is None) and type(b if tb is None else a) is float:
        per = _over_elements(frame, ta if tb is None else tb, b if tb is None else a)
        if per is not None:
            frame.set(out, per)
            return
    if (ta is not None and ta.ratio is not None) or (tb is not None and tb.ratio is not None):
        lost = next((t.lost_at for t in (ta, tb) if t is not None and t.lost_at is not None), None)
        if lost is not None:
            frame.lose(out, lost, pred=is_prediction(a, ta) or is_prediction(b, tb))
            return
        try:
            alpha = kwargs.get("alpha", 1)
            reduced = _ratio_arithmetic(frame, kind, a, ta, b, tb) if _is_number(alpha) and alpha == 1 else None
        except ValueError:  # an offset that this arithmetic cannot carry exactly
            reduced = None
        if reduced is None and kind in ("add", "sub") and ta is not None and tb is not None:
            reduced = _parts_arithmetic(frame, kind, a, ta, b, tb, op, kwargs)
        if reduced is not None:
            frame.set(out, _at_site(frame, reduced, kind, a, ta, b, tb, op))
            return
        # One image's reduced value in other arithmetic (``gts - gt.cumsum(0)`` in a per-image
        # loop) is a value of that image; any other reduced value ends attribution (data too).
        va = image_value_track(frame, ta) if ta is not None and ta.ratio is not None else ta
        vb = image_value_track(frame, tb) if tb is not None and tb.ratio is not None else tb
        if (ta is not None and va is None) or (tb is not None and vb is None):
            expression = binary_formula(frame, kind, a, ta, b, tb, func, kwargs) if out.dim() == 0 else None
            if expression is not None:  # ``a.mean() * b.mean()``, ``l.mean() / m.mean()``
                frame.set(out, expression)
            else:
                frame.lose(out, op, pred=is_prediction(a, ta) or is_prediction(b, tb))
                if kind == "div" and va is not None and va is ta:
                    note_divided(frame, out, a, b)
            return
        ta, tb = va, vb
    _broadcast_binary(frame, func, args, kwargs, out, kind, a, ta, b, tb)


def _broadcast_binary(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Tensor, kind: str, a: Any,
                      ta: Track | None, b: Any, tb: Track | None) -> None:
    """``_binary``'s end: the operands' rows broadcast to ``out``, with their unweighted values."""
    op = op_name(func)
    new = broadcast_tracks(frame, op, ((a, ta), (b, tb)), out)
    if new is None:
        return
    if new.lost_at is None:
        if kind == "data":
            new.from_prediction = False
        elif not new.from_prediction:  # an untracked prediction (``src - tgt`` of matched rows passed in)
            new.from_prediction = ta is None and is_prediction(a, None) or tb is None and is_prediction(b, None)
        if frame.positional and (kind in ("add", "sub") and out.is_floating_point() or out.dtype is torch.bool):
            # a value shifted by positions (``l + torch.arange(B)``), a mask cut by them (``m & (torch.arange(B) == 0)``,
            # red47a: was followed as the images' own mask); an index built so is checked where it picks
            for x in (a, b) if ta is None or tb is None else ():
                if isinstance(x, Tensor) and frame.get(x) is None:
                    positional_operand(frame, x, new.rows, out.shape, op)
        if (frame.sized_by or frame.count_dims or frame.positional) and (new.rows or new.image is not None) \
                and (ta is None) != (tb is None) and kind in ("add", "sub", "mul", "div"):
            x, other = (a, b) if ta is None else (b, a)
            if isinstance(x, Tensor) and isinstance(other, Tensor):
                counted_broadcast(frame, x, (other,), new.rows, out.shape, op)
        sa = unweighted_operand(frame, a, ta, new.rows, out.shape, op, kind in ("mul", "div"), new.image)
        sb = unweighted_operand(frame, b, tb, new.rows, out.shape, op, kind in ("mul", "div"), new.image)
        if sa is not a or sb is not b:
            new.unweighted = func(sa, sb, *args[2:], **kwargs)
    frame.set(out, new)


BY_ROW_COUNT = ("with an int read as the size of a dim of image rows (``x.shape[0]``) that only a reduced loss may "
                "be multiplied or divided by")
BY_COUNTED_NUMBER = ("with a number that on a group alone is computed from the group's rows (Python arithmetic on a "
                     "size of image rows, ``bs - 1``, ``float(bs)``, or the size of a piece split by position)")


def _counted_operand(frame: Frame, func: Any, kind: str, a: Any, ta: Track | None, b: Any, tb: Track | None,
                     out: Tensor) -> bool:
    """Whether an operand is a number computed from a ``RowCount`` (``loss * (bs - 1)``), or is a
    ``RowCount`` and the other operand no tensor of the images (``torch.ones(()) * bs``): then
    ``out`` is lost, as its value on a group alone is computed from the group's count. A sum
    divided by such a number equal to one of its local counts (``l.sum() / (bs * Q)``, its
    elements) is left to the division, which takes the group's share of that count."""
    counted = frame.counted_number(a) or frame.counted_number(b)
    sized = None
    number = b if tb is None else a
    if (not counted and frame.size_sites and (ta is None) != (tb is None) and type(number) in (int, float)
            and float(number) not in frame.row_constants):
        sites = [(code, offset, dims) for (code, offset), (_, dims) in frame.size_sites.items()]
        sized = sized_operand(sites, frame.size_number)  # ``scale = 100.0 / labels.numel()``, then ``l * scale``
        counted = sized is not None
    if not counted and not (ta is None and tb is None and (frame.row_count(a) is not None or frame.row_count(b) is not None)):
        return False
    if counted and kind == "div" and tb is None and ta is not None and ta.ratio is not None and _is_number(b):
        made = (_over_length_plus_size(frame, ta, b) or _over_argument_sizes(frame, ta, b)
                or _over_count_times_constants(frame, ta, b))
        if made is not None:
            frame.set(out, made)
            return True
    if (counted and kind == "div" and tb is None and ta is not None and ta.ratio is not None and _is_number(b)
            and ta.ratio.kind in (RatioKind.SUM, RatioKind.SUM_OVER_OPAQUE) and not getattr(b, "_squared", False)
            and (frame.host_normaliser(b) is not None
                 or not getattr(b, "_shifted", False) and not _constant_divisor(frame, ta.ratio, b)
                 and (type(b) not in (mode.CountedInt, mode.CountedFloat) or b._product and not getattr(b, "_chosen", False)))):
        # ``l.sum() / (labels.numel() - ignored.sum().item())``: the count of the rest; a count plus a
        # plain number (``l.sum() / (x.shape[0] + 12)``) is no share of one, whatever multiple it equals,
        # nor is one chosen by ``min`` / ``max`` or times one image's size (``CountedInt._product``)
        return False
    if sized is not None and sized.reciprocal is not None and kind == "mul":
        per = _over_elements(frame, ta if tb is None else tb, b if tb is None else a, sized.reciprocal)
        if per is not None:
            frame.set(out, per)
            return True
    if frame.single_image_counts((a, b)):  # the one image's count (times literals) is its group's
        return False
    op = op_name(func)
    equal = counted and sized is None and not (frame.size_number(a) or frame.size_number(b)) and all(
        t is None or t.lost_at is None or t.lost_at.endswith(BY_VALUE_ONLY) for t in (ta, tb))
    frame.lose(out, f"{op} {BY_COUNTED_NUMBER if counted else BY_ROW_COUNT}{BY_VALUE_ONLY if equal else ''}",
               pred=is_prediction(a, ta) or is_prediction(b, tb))
    return True



def _over_argument_sizes(frame: Frame, track: Track, z: Any) -> Track | None:
    """``l.sum() / (x.shape[i] * x.shape[j])`` written at the division (LLaDA's ``ids.shape[0] *
    ids.shape[1]``, ``_bytecode.sizes_product``) with ``x`` a tensor of the call's arguments as
    passed, its dim ``i`` the images' rows (not picked by position) and dim ``j`` none: on a group
    alone the argument keeps its other dims, so the body divides by the group's count of those rows
    times the same ``x.shape[j]``. A tensor made in the body (padded to the batch's longest: on a
    group alone maybe shorter) is no such ``x``. None where the code shows no such product; a ratio
    other than a plain sum over it is lost."""
    found = sizes_product()
    if found is None or frame.read_argument_tensors is None:
        return None
    x, i, j = found
    if not isinstance(x, Tensor) or not all(-x.dim() <= d < x.dim() for d in (i, j)):
        return None
    i, j = i % x.dim(), j % x.dim()
    held = frame.get(x)
    if i == j or held is None or held.lost_at is not None or x.shape[i] * x.shape[j] != z:
        return None
    if j in held.rows:
        i, j = j, i  # ``x.shape[1] * x.shape[0]`` of a batch-first ``x``
    rows = held.rows.get(i)
    if (rows is None or j in held.rows or frame.by_position(rows) or rows.numel() != x.shape[i]
            or not any(t is x for t in frame.read_argument_tensors())):
        return None
    r = track.ratio
    assert r is not None
    if r.kind is not RatioKind.SUM or r.divisors or r.normaliser is not None or r.normaliser_ops or r.row_counts:
        return lost_track("a division of a ratio other than a plain sum by two sizes of an argument", track.from_prediction)
    per_row = Ratio.of(torch.full((rows.numel(),), float(x.shape[j]), device=rows.device), rows.reshape(-1), 0,
                       RatioKind.SUM)
    try:
        return Track(from_prediction=track.from_prediction, ratio=r.scaled(by_rows=per_row))
    except ValueError:
        return lost_track("a division by two sizes of an argument", track.from_prediction)

def _over_count_times_constants(frame: Frame, track: Track, z: Any) -> Track | None:
    """``l.sum() / (c * n * h * w)`` with ``n`` a size of image rows the body read and the other
    factors the same on a group alone (``_bytecode.count_times_constants``: CompressAI's bits per
    pixel): on a group alone the body divides by the group's count of those rows times the same
    ``z / n``, so a plain sum is over the row sum of ``z / n`` for each of them. None where the
    divisor is no such product; another ratio over it is lost. A number computed from such a count
    times or over number literals carries that form (``mode.CountedInt._linear``: ``n = bs * 2``,
    then ``/ max(n, 1)``), wherever it was computed."""
    linear = (getattr(z, "_linear", None) if type(z) in (mode.CountedInt, mode.CountedFloat) and z._frame() is frame
              and not getattr(z, "_chosen", False) else None)
    if linear is not None:
        rows = frame.row_counts[linear[0]]
        count = rows.numel()
    else:
        if not frame.size_sites:
            return None
        count = count_times_constants(frame.size_sites, lambda v: frame.row_count(v) is not None, float(z))
        rows = frame.row_count(count) if count is not None else None
    if rows is None or not count or rows.numel() != count:
        return None
    r = track.ratio
    assert r is not None
    if (r.kind is not RatioKind.SUM or r.divisors or r.normaliser is not None or r.normaliser_ops
            or r.host_image is not None or frame.by_position(rows)):
        return lost_track(COMPUTED_COUNT, track.from_prediction)
    per_row = Ratio.of(torch.full((rows.numel(),), float(z) / int(count), device=rows.device), rows.reshape(-1), 0,
                       RatioKind.SUM)
    try:
        return Track(from_prediction=track.from_prediction, ratio=r.scaled(by_rows=per_row))
    except ValueError:
        return lost_track(COMPUTED_COUNT, track.from_prediction)


def _over_length_plus_size(frame: Frame, track: Track, z: Any) -> Track | None:
    """``l.sum() / (n + m)`` (PolarMask's ``num_pos + num_imgs``) with ``n`` a local assigned by
    ``len(x)`` of a tensor whose rows carry images and ``m`` a size of image rows the body read
    (``x.size(0)``), written at the division (``divisor_arithmetic``): on a group alone the body
    divides by the group's count of each, so a plain sum is over the row sum of a 1 for each row
    of both. None where the divisor is no such sum; another ratio over it is lost."""
    found = divisor_arithmetic()
    if found is None or found.plus_size is None:
        return None
    n, m, x = found.plus_size
    sized = frame.row_count(m)
    if sized is None or n + m != z:
        return None
    r = track.ratio
    assert r is not None
    counts = _length_counts(frame, x, n)  # what ``len(x)`` counts per row of the images
    if (counts is None or r.kind is not RatioKind.SUM or r.divisors or r.normaliser is not None or r.normaliser_ops
            or r.host_image is not None or frame.by_position(sized)):
        return lost_track(COMPUTED_COUNT, track.from_prediction)
    each, of = counts
    rows = torch.cat([of, sized.reshape(-1).to(of.device)])
    count = Ratio.of(torch.cat([each.to(torch.float32), torch.ones(sized.numel(), device=of.device)]), rows, 0,
                     RatioKind.SUM)
    try:
        return Track(from_prediction=track.from_prediction, ratio=r.scaled(by_rows=count))
    except ValueError:
        return lost_track(COMPUTED_COUNT, track.from_prediction)


def _length_counts(frame: Frame, x: Any, n: int) -> tuple[Tensor, Tensor] | None:
    """(per row, the image of each row) of what ``len(x)`` counts, ``x`` a tensor of length ``n``:
    its own rows where they carry images (a 1 each), or, for a mask's ``nonzero()`` indices (or a
    view of them), the mask's row sums; None for anything else."""
    if not isinstance(x, Tensor) or not x.dim() or len(x) != n:
        return None
    held = frame.get(x)
    if held is not None and held.lost_at is None and 0 in held.rows and not frame.by_position(held.rows[0]):
        rows = held.rows[0].reshape(-1)
        return torch.ones(rows.numel(), device=rows.device), rows
    for t in (x, x._base):
        hit = frame.counted.get(id(t)) if t is not None else None
        if hit is not None and hit[0] is t:
            c = hit[1]
            if (c.kind is not RatioKind.SUM or c.scales or c.divisors or c.normaliser is not None or c.normaliser_ops
                    or c.offset or c.num_offset or c.counts_rows()):
                return None
            return row_sums(c.values, c.row_dim).to(torch.float32), c.rows.reshape(-1)
    return None


def _over_count_float(frame: Frame, ta: Track | None, b: float, out: Tensor, kwargs: dict) -> bool:
    """``l.sum() / size`` with ``size = float(target.size(0))``, the very float ``float()`` of a
    ``RowCount`` returned (``Frame.count_floats``; entmax's ``_GenericLoss``): as ``/ target.size(0)``,
    the sum over the group's count of those rows. Any other float equal to it by value is left to the
    other rules (``float(bs) - 1`` is a plain float). True when followed."""
    held = frame.count_floats.get(id(b))
    if (held is None or held[0] is not b or kwargs or ta is None or ta.ratio is None or ta.lost_at is not None
            or ta.parts or ta.elements or ta.element_formulas or ta.formula is not None):
        return False
    rows = frame.row_counts[held[1]]
    if frame.by_position(rows):
        return False
    try:
        made = Track(from_prediction=ta.from_prediction, ratio=ta.ratio.over_row_count(rows))
    except ValueError:  # an average over the count: no ratio
        return False
    frame.set(out, made)
    return True


def _by_row_count(frame: Frame, func: Any, kind: str, a: Any, ta: Track | None, b: Any, tb: Track | None, out: Tensor,
                  kwargs: dict) -> None:
    """``loss * bs``, ``bs * loss``, ``loss / bs`` with ``bs`` a ``RowCount`` of the call: a reduced
    loss (one ratio, a sum of ratios, a vector of them) times or over the group's count (see
    ``_counted``). Any other operand is lost: on a group alone the int is the group's count, so
    a value computed with it is not the image's own."""
    t = ta if ta is not None else tb
    op = op_name(func)
    made: Track | None = None
    if kind == "div" and tb is None and not kwargs and divided_by_row_count(frame, a, ta, b, out):
        return  # ``(e / bs).sum()``: the values' sum over the group's count of those rows
    if kind == "rsub" and ta is not None and tb is None:
        made = _elements_not_summed(frame, ta, frame.row_count(b))
    if t is not None and kind in ("mul", "div"):
        if t.elements:
            each = _elements_arithmetic(frame, func, kind, a, ta, b, tb, out, kwargs)
            made = None if each is None else _elements_track(t, each)
        elif t.parts:
            made = _parts_arithmetic(frame, kind, a, ta, b, tb, op, kwargs)
        elif t.ratio is not None and t.lost_at is None:
            try:
                made = _ratio_arithmetic(frame, kind, a, ta, b, tb)
            except ValueError:
                made = None
        elif t.formula is not None and id(a) not in frame.floored_counts and id(b) not in frame.floored_counts:
            made = formula_by_row_count(frame, func, kind, a, ta, b, tb)
    if made is None:
        lost = t.lost_at if t is not None and t.lost_at is not None and not t.parts and not t.elements else None
        frame.lose(out, lost or f"{op} {BY_ROW_COUNT}", pred=is_prediction(a, ta) or is_prediction(b, tb))
    else:
        frame.set(out, made)


def _elements_not_summed(frame: Frame, track: Track, rows: Tensor | None) -> Track | None:
    """``mask.numel() - mask.sum()`` (the count of padding's complement): ``rows``, the images of
    the elements a ``RowCount`` counts, those of the very elements the data's plain sum adds up;
    on a group alone the body counts its elements less its sum, the row sum of ``1 - mask``."""
    r = track.ratio
    if rows is None or r is None or track.from_prediction or track.parts or track.elements or not _plain_sum(r):
        return None
    if r.scales or r.normaliser_ops or r.den_values is not None or r.values.numel() != r.numel:
        return None
    # a 1-d mask (entmax's ``target.size(0) - ignored.sum()``, of tokens flattened too): the count is of the very
    # rows summed
    flat = (r.values.dim() == 1 and r.row_dim == 0 and rows.shape == r.rows.shape
            and (rows is r.rows or torch.equal(rows, r.rows.to(rows.device))))
    origin = frame.origin.get(id(rows))
    if not flat and (origin is None or origin[0] is not r.rows or origin[1] != tuple(r.values.shape)
                     or origin[2] != r.row_dim):
        return None
    return Track(ratio=Ratio.of(1 - r.values, r.rows, r.row_dim, RatioKind.SUM))


OVER_LOST_ELEMENTS = "(on a group alone the body divides by the group's elements of it, which the capture cannot count)"


def _over_elements(frame: Frame, track: Track | None, factor: float, read: tuple[float, int] | None = None
                   ) -> Track | None:
    """``s.sum() * (c / x.numel())`` of a plain sum ``s`` and a literal ``c``, ``x`` a tensor with
    one dim of image rows (Libra R-CNN's accuracy in percent, ``correct.sum() * (100.0 /
    labels.numel())``): on a group alone the body divides by the group's elements of ``x``, so
    the sum is over that count divided by ``c`` (a row sum of ``1 / c`` per element: no numerator
    scale, so a sum of data means what it means as a loss). ``read``: ``(c, offset)`` of a
    number ``c / n`` whose size ``n`` was read at that offset of the code (``sized_operand``: held
    by a local, of a tensor no local holds). None for any other product; ``x`` of the images'
    data the capture cannot count per group (rows lost, one image picked by position, a mask's
    indices) declines (review13: the batch's elements were read as a constant)."""
    r = track.ratio if track is not None and track.lost_at is None and not track.parts else None
    if (track is None or r is None or not _plain_sum(r) or r.scales or r.normaliser_ops or r.den_values is not None
            or r.group_factors):
        return None
    if read is not None:
        c = read[0]
        site = call_site()
        rows = None if site is None else frame.size_sites.get((site[0], read[1]), (None, ()))[0]
        if rows is None or c <= 0 or not rows.numel() or c / rows.numel() != factor:
            return None
    else:
        found = size_reciprocal()
        if found is None or found[0] <= 0 or not isinstance(found[1], Tensor):
            return None
        c, x = found
        held, n = frame.get(x), math.prod(x.shape)
        if not n or c / n != factor:
            return None
        counted = frame.counted.get(id(x))
        if held is None and counted is not None and counted[0] is x:  # ``mask.nonzero()``: the group's positives
            return lost_track(f"a sum times c / x.numel() of a mask's indices {OVER_LOST_ELEMENTS}", track.from_prediction)
        if held is None:
            return None  # a tensor of no images: a constant factor
        if not held.rows and held.image is not None and held.lost_at is None and (
                r.host_image is not None and frame.image_ids.get(id(held.image)) == r.host_image):
            return None  # the loss's own image's tensor: its size on any group with that image
        dims = list(held.rows.items())
        if held.lost_at is not None or len(dims) != 1 or dims[0][1].numel() != x.shape[dims[0][0]]:
            where = f"lost at {held.lost_at}" if held.lost_at else "picked by position or along several dims"
            return lost_track(f"a sum times c / x.numel() of the images' data {where} {OVER_LOST_ELEMENTS}",
                              track.from_prediction)
        ((d, each),) = dims
        rows = expand_rows(frame, each, list(x.shape), d) if x.dim() > 1 else each
    share = Ratio.of(torch.full((rows.numel(),), 1.0 / c, device=rows.device), rows.reshape(-1), 0, RatioKind.SUM)
    try:
        return Track(from_prediction=track.from_prediction, ratio=r.scaled(by_rows=share))
    except ValueError:
        return None


def _chosen_size(count: Any) -> bool:
    """Whether the count operand of the op under way was chosen against a literal the count's hooks
    do not see (``max(bs, 4.0)``: ``_provenance.literal_choice``)."""
    return _chosen_number(count) is not None


def _chosen_number(value: Any) -> str | None:
    """A reason to decline the number operand ``value`` of the op under way, read as a count of the
    batch by value (``chosen_number_reason`` of its tags)."""
    number = float(value) if type(value) in (int, float) else None
    return chosen_number_reason([executed_number_tags()], value, number)


def chosen_number_reason(tags: Sequence[Any], value: Any, number: float | None,
                         ignored: frozenset[str] = frozenset()) -> str | None:
    """A reason to decline a number ``value`` (``number``: as a plain float, where its literals are
    compared) whose provenance is any of ``tags``: the code chose it against a literal
    (``_provenance.literal_choice``, ``chosen_literal``) or put a number of the batch through
    arithmetic no rule follows (``_provenance.declined_number``, but for ``ignored`` tags)."""
    choices = _provenance.CHOICE_TAGS
    for x in tags:  # (a loop: no generator per fill)
        if x is not None and not choices.isdisjoint(x):
            break
    else:
        return None  # (none of the tags each reason below needs: most numbers, asked per fill)
    found = next((c for c in (_provenance.literal_choice(x, value) for x in tags) if c is not None), None)
    if found is not None:
        return f"{SIZE_CHOICE} (``{found}``)"
    if number is not None and any(_provenance.chosen_literal(x, number) for x in tags):
        return f"{CHOSEN_LITERAL} ({number:g})"
    if type(value) in (int, float) and abs(value) <= 2 ** 31 and float(value).is_integer() \
            and any(_provenance.chosen_size_computed(x) for x in tags):  # (a count's kind of number: not ``-finfo.max``)
        return f"{CHOSEN_COMPUTED} ({number:g})"  # (``torch.as_tensor(3 * helper_floor(bs))``: fuzz seed 19)
    # (``ocall`` is a divisor's only, ``_computed_number``: a value argument's tags are the whole call's)
    found = next((c for c in (_provenance.declined_number(x, ignored | {"ocall"}) for x in tags) if c is not None), None)
    return None if found is None else f"{COMPUTED_NUMBER} ({_provenance.spelled(found)})"


def _counted(frame: Frame, kind: str, a: Any, ta: Track | None, b: Any, tb: Track | None) -> Track | None:
    """A reduced loss times or over a ``RowCount`` (``loss * bs``): each group's value times or
    over its count of those rows, as the body on the group alone computes it. None for other
    arithmetic with one."""
    rows_a, rows_b = frame.row_count(a), frame.row_count(b)
    if (rows_a is not None or rows_b is not None) and (getattr(a, "_chosen", False) or getattr(b, "_chosen", False)
                                                       or _chosen_size(a if rows_a is not None else b)):
        return lost_track("a size of image rows chosen by the builtin min / max against another number (``max(bs, 2)``: "
                          "on a group alone the other may be chosen)", any(t is not None and t.from_prediction for t in (ta, tb)))
    if kind == "mul" and (id(a) in frame.floored_counts or id(b) in frame.floored_counts):
        # ``l.mean() * max(pos.numel(), 1)``: on a group counting 0 the body multiplies by the floor (review16)
        return lost_track("a size of image rows floored by the builtin max, as a factor (on a group counting 0 "
                          "alone, the floor)", any(t is not None and t.from_prediction for t in (ta, tb)))
    if kind == "mul" and rows_a is not None and tb is not None and tb.ratio is not None and ta is None:
        return Track(from_prediction=tb.from_prediction, ratio=tb.ratio.times_row_count(rows_a))
    if ta is None or ta.ratio is None or rows_b is None or tb is not None:
        return None
    if kind == "mul":
        return Track(from_prediction=ta.from_prediction, ratio=ta.ratio.times_row_count(rows_b))
    if kind == "div":
        return Track(from_prediction=ta.from_prediction, ratio=ta.ratio.over_row_count(rows_b, _size_floor(frame, b)))
    return None


def _size_floor(frame: Frame, size: Any) -> float | None:
    """The floor ``c`` (0 < c <= 1) of ``/ max(n, c)`` where ``size`` is what the builtin ``max``
    returned for a size of image rows (``frame.floored_counts``) and the code proves the division's
    divisor that ``max``'s result: a group without such rows divides its empty sum by ``c``."""
    if id(size) not in frame.floored_counts:
        return None
    floor = divisor_floor()
    return floor if floor is not None and 0 < floor <= 1 else None


def reduced_inplace(frame: Frame, kind: str, a: Tensor, ta: Track, b: Any, tb: Track | None, op: str,
                    kwargs: dict) -> Track | None:
    """``total += loss`` (``add_``, ``sub_``, ``mul_``, ``div_`` of a reduced loss ``a``, a running
    total): the track of the value ``a`` now holds, as ``a + b`` would get it; None where that
    arithmetic is not exact. Only tracks are read: ``a``'s values are already the new ones."""
    if kind in ("mul", "div"):
        _scaled_by_weight_statistic(frame, op, a, ta, b, tb)
    if ta.lost_at is not None and not ta.parts or tb is not None and tb.lost_at is not None and not tb.parts:
        return None
    if kind == "mul" and tb is None and frame.reciprocal_count(b) is not None:
        kind, b = "div", frame.reciprocal_count(b)  # ``l *= 1 / bs``: ``l /= bs``, the group's own count
    elif kind == "mul" and tb is None and type(b) is float and frame.size_sites and not kwargs and ta.ratio is not None \
            and (sized := sized_operand([(code, offset, dims) for (code, offset), (_, dims) in frame.size_sites.items()],
                                        frame.size_number)) is not None:
        # ``hits.mul_(100.0 / n)`` (DETR's ``accuracy``): as ``hits * (100.0 / n)``
        return None if sized.reciprocal is None else _over_elements(frame, ta, b, sized.reciprocal)
    elif tb is None and frame.row_count(b) is None and frame.counted_number(b):
        return None  # ``l *= bs - 1``, ``l *= float(bs)``: on a group alone the group's number (was kept as a constant)
    alpha = kwargs.get("alpha", 1)
    if not _is_number(alpha) or alpha != 1:
        return None
    if kind in ("add", "sub") and tb is None and isinstance(b, Tensor):
        constant = _constant_term(frame, kind, a, ta, b, tb)  # ``l += 1e-3 * emb.norm()``
        if constant is not None:  # ``l - c`` or ``l + c``: ``l`` stays first
            kind, _, _, b, tb = constant
    if kind == "add" and a.dim() == 0 and tb is not None:
        tb = _image_terms(frame, a, ta, b, tb, a)[1]  # ``total += l_b ** 2``
    if ta.parts or (tb is not None and tb.parts):
        reduced = _parts_arithmetic(frame, kind, a, ta, b, tb, op, kwargs)
    else:
        try:
            reduced = _ratio_arithmetic(frame, kind, a, ta, b, tb)
        except ValueError:  # an offset that this arithmetic cannot carry exactly
            reduced = None
        if reduced is None and kind in ("add", "sub") and tb is not None:
            reduced = _parts_arithmetic(frame, kind, a, ta, b, tb, op, kwargs)
    return None if reduced is None else _at_site(frame, reduced, kind, a, ta, b, tb, op)


MAX_PARTS = 256  # ratios one loss may add up (classes of a segmentation dataset); a record holds each


def _parts_of(track: Track | None) -> tuple[Ratio, ...]:
    """The ratios a track adds up: its parts, or its one ratio. None of a normaliser that the
    body changed as a denominator (``m.sum().clamp(min=1)``, ``+ eps``): as a term of a sum it is
    no ratio the split knows."""
    if track is None or track.lost_at is not None and not track.parts:
        return ()
    if track.parts:
        return track.parts
    r = track.ratio
    if r is None or r.kind is RatioKind.SUM and r.normaliser_ops or r.test is not None:
        return ()
    return (r,)


def _at_site(frame: Frame, new: Track, kind: str, a: Any, ta: Track | None, b: Any, tb: Track | None, op: str) -> Track:
    """``new``, the reduced loss one op made of ``ta`` and ``tb``, carrying the code positions of
    the ops that made its operands (``Track.sites``); an op with a constant (one operand untracked)
    adds its own, and declines where it is among them: ``s = s * 2.0`` or a decay ``loss = 0.5 *
    loss + l_b`` in a loop over images applies the constant again to its own result, as many
    times as the loop runs, which on a group alone is another number of times (adding 0 or
    scaling by 1 changes nothing, however often: ``total + l_b + 0`` of an image without a term).
    A sign is a constant (``s = l_b - s``), and so is a constant at another position in turn:
    one applied to several images' one-image terms declines where another image's term is added
    to the result (``s = s * 2.0 + l_b`` and ``s = s * 3.0 + l_b`` by the image's parity)."""
    if new.lost_at is UNREAD_COUNT_FACTOR:  # (``_ratio_arithmetic`` knows no op to name)
        return lost_track(f"{op}: {UNREAD_COUNT_FACTOR}", new.from_prediction)
    if (new.lost_at is None or new.parts) and kind in ("add", "sub", "rsub") and counted_loop() \
            and not fixed_repeats(batch_counts(frame), lists=frame.fixed_lists):  # (``len(outputs["iters"])``)
        return lost_track(f"{op} {COUNTED_LOOP}", new.from_prediction)  # ``for k in range(len(t) // 2): l += e_k``
    whole = new.lost_at is None and kind in ("add", "sub", "rsub") and any(
        t is not None and (t.ratio is not None or t.parts) and not _one_image_terms(t)[0] for t in (ta, tb))
    if whole and strided_loop():  # ``for k in range(0, len(t), 2): l += whole_batch_term``
        return lost_track(f"{op} {STRIDED_LOOP}", new.from_prediction)
    if whole and partial_loop():  # ``for u in t[1:]: l += whole_batch_term``, a loop left by ``break``
        return lost_track(f"{op} {PARTIAL_LOOP}", new.from_prediction)
    if new.lost_at is not None or new.formula is not None:
        return new  # an expression keeps its sites (``formulas._sites``)
    made = frozenset().union(*(t.sites for t in (ta, tb) if t is not None))
    negated = None
    if ta is not None and tb is not None:
        if kind in ("add", "sub", "rsub") and any(SCALED_SEVERAL in x.sites and SCALED_SEVERAL not in y.sites
                                          and _one_image_terms(y) == (True, False) for x, y in ((ta, tb), (tb, ta))):
            # ``s = s * 3.0 + l_b`` (or constants at other positions in turn): on a group alone
            # the constants apply to other images' terms (a sum over every image added, ``2.0 *
            # cls + box`` of two per-image loops, is no such turn)
            return lost_track(f"{op} of an image's term to several images' terms scaled by a constant (a loop over "
                              "images)", new.from_prediction)
        where = _constant_of_one_image(frame, ta, tb) or _constant_of_one_image(frame, tb, ta) \
            if kind in ("add", "sub", "rsub") else None
        if where == "outside":
            return lost_track(f"{op} of one image's term to other images' terms after a constant applied to it alone, "
                              "outside any loop (``0.9 * r[0] + sum(r[1:])``, a decay a ``reduce`` lambda carries): on "
                              "a group alone another image has that position", new.from_prediction)
        if where == "slice":
            return lost_track(f"{op} of some images' terms to other images' terms after a constant applied to them in a "
                              "loop not proven to visit every image (``sum(0.9 * x for x in r[:2])``, ``for x in r[1:]``, "
                              "``if i < 2``): on a group alone other images have those positions", new.from_prediction)
        # ``s = l_b - s`` in a loop negates its own result once per image (on a group alone,
        # another number of times): the subtrahend is scaled by -1, a constant
        negated = tb if kind == "sub" else ta if kind == "rsub" else None
        if negated is None:
            return with_sites(new, made) if made else new
        made = negated.sites
    else:
        held = ta if tb is None else tb
        if held is not None and held.ratio is not None and not held.parts:
            _note_number(frame, held.ratio.host_image, b if tb is None else a, op)
        if _identity(kind, b if tb is None else a, tb is None):
            return with_sites(new, made) if made else new
    if negated is None:
        c = b if tb is None else a
        factory = frame.positional.get(id(c)) if isinstance(c, Tensor) and frame.positional else None
        if factory is not None and factory[0] is c:  # ``l_b * torch.tensor(0.5 ** b)``
            return lost_track(f"{op} of a tensor computed by {factory[1]} (on a group alone the image has another "
                              "position)", new.from_prediction)
        if type(c) in (int, float) and positional_number(frame.size_sites, frame.per_image_targets,
                                                         levels=frame.fixed_lists) \
                or isinstance(c, Tensor) and c.dim() == 0 and frame.get(c) is None \
                and positional_tensor(c, frame.size_sites, frame.per_image_targets, frame.fixed_lists):
            return lost_track(f"{op} {BY_POSITION_NUMBER}", new.from_prediction)
    sites = with_site(frame, made, subtrahend=negated is not None)
    site = call_site() if sites is not None else None
    if site is not None and site not in frame.loop_sites:
        frame.loop_sites[site] = every_image_looped(frame.num_images)
    if sites is None:
        return lost_track(f"{op} of a constant applied again to its own result, or to a value carried from one "
                          "iteration or call to the next (a loop or a helper that may run another number of times on "
                          "a group alone)",
                          new.from_prediction)
    held = ta if tb is None else tb if ta is None else negated
    several = frozenset({SCALED_SEVERAL}) if held is not None and _one_image_terms(held)[1] else frozenset()
    return with_sites(new, frozenset().union(*(t.sites for t in (ta, tb) if t is not None), sites, several))


def _constant_of_one_image(frame: Frame, x: Track, y: Track) -> str | None:
    """Whether ``x``, one image's term, carries a constant applied at a code position outside any
    loop of its code (``looped_site``), or in a loop not proven to visit every image (a slice of
    their list, ``every_image_looped``; also where ``x`` holds several images' terms), that ``y``,
    other images' terms, did not get: the body
    applied it to the image its position picked (a decay's carry is one: on two images a
    ``reduce`` lambda runs once, on image 0's term). A position in a loop leaves that to the
    loop's rules (``if t["hard"]: l = l * 0.9`` of the image's own field), and so does a number
    of the image's own (its weight, its data, ``_note_number``) or a decision on its values.
    ``"outside"`` or ``"slice"`` (where it was applied), None where there is no such constant."""
    one, several = _one_image_terms(x)
    if not x.sites or not one and not (_one_image_terms(y)[0] or _unknown_image_value(y)):
        return None
    if one and not _one_image_terms(y)[0]:
        return None
    if not one:
        # no number of its own was noted for such a value, so any constant applied to it alone
        # outside a loop is its position's (``per[0] * 2 + sum(per[1:])`` of whole images' slices),
        # where ``y`` holds other images (deferred: the host knows neither image)
        if frame.num_images > 1 and _unknown_image_value(x) and any(
                s != SCALED_SEVERAL and s not in y.sites and not looped_site(*s) and frame.loop_sites.get(s) is not True
                for s in x.sites):
            assert x.ratio is not None and y.ratio is not None  # (``_one_image_terms`` or ``_unknown_image_value``)
            others = y.ratio.part_images if y.ratio.part_images is not None else y.ratio.rows.reshape(-1) \
                if y.ratio.host_image is None else frame.image_index(y.ratio.host_image, y.ratio.rows.device).reshape(1)
            frame.doubt((others.to(x.ratio.rows.device) != x.ratio.rows.reshape(-1)[:1]).any(), POSITION_CONSTANT)
        return None
    if several:  # ``sum(0.9 * x for x in r[:2]) + sum(r[2:])``: a loop over some of the images
        return "slice" if any(frame.loop_sites.get(s) is False and s not in y.sites
                              and not all(own for numbers in frame.site_numbers.get(s, {0: ((None, False),)}).values()
                                          for _, own in numbers) for s in x.sites) else None
    image = x.ratio.host_image if x.ratio is not None else None
    if image is None or y.ratio is not None and y.ratio.host_image == image or _data_read(frame, image):
        return None
    for s in x.sites:
        if s != SCALED_SEVERAL and s not in y.sites \
                and not all(own for _, own in frame.site_numbers.get(s, {}).get(image, ((None, False),))):
            if not looped_site(*s):
                return "outside"
            if frame.loop_sites.get(s) is False:
                return "slice"
    return None


POSITION_CONSTANT = ("one image's value scaled by a constant alone, outside any loop over the images, beside other "
                     "images' values (``per[0] * 2 + sum(per[1:])`` of a Python list of per-image values): on a group "
                     "alone another image has that position")


def constant_apart(frame: Frame, tracks: Sequence[Track]) -> str | None:
    """Where one-image values are joined (``torch.stack([per[0] * 2, *per[1:]])``): ``"outside"`` or
    ``"slice"`` where one of them got a constant that another did not (``_constant_of_one_image``; a
    constant of a loop proven to visit every image is no position's, even where it was 1 on some image
    and so no op), None else. Values made alike are not compared."""
    for x in tracks:
        sites = frozenset(s for s in x.sites if frame.loop_sites.get(s) is not True)
        if not sites:
            continue
        x = dataclasses.replace(x, sites=sites)
        for y in tracks:
            if y is not x and sites - y.sites:
                where = _constant_of_one_image(frame, x, y)
                if where is not None:
                    return where
    return None


def _unknown_image_value(t: Track) -> bool:
    """Whether ``t`` is one image's reduced value whose image the host does not know (of one row: a
    whole image's slice at host offsets, ``indexing._image_slice``)."""
    r = t.ratio
    return not t.parts and r is not None and r.host_image is None and r.part_images is None and r.rows.numel() == 1


VARIED_NUMBER = ("one image's loss is scaled or shifted at {op} ({where}) by a Python number that differs from image "
                 "to image there and is no data of the image (a position, a flag or a counter of the loop, a table "
                 "or a decay carried from image to image): on a group alone the body may give the image another "
                 "number")


def _note_number(frame: Frame, image: int | None, c: Any, op: str) -> None:
    """Where the Python number ``c`` scales or shifts one image's reduced loss, or its values
    before the reduction (``image``), note it at the op's code position for that image, and decline the call where another image got another
    number there (beyond what both got so far: a loop over levels inside gives each image the same
    sequence) and one of the two is not that image's own: a float of its target fields or of a host
    read of its values (``Frame.data_images``), any int (a count of its items: the count rules'), a
    weight field's object (the weight rules', another image's too), a number equal to its weight
    that the code there does not prove a constant (a copy or a host read of the weight: the weight
    rules take it for the weight), any number after a truth test or a host read of the image's
    values (``_data_read``). A number the code there computes from a field of the targets other
    than the weight is data too (``_site_fields``).
    Whatever else made such a number -- a flag cleared after the first image, a counter, a dict or
    a table by position, identity with ``targets[-1]``, a decay passed down a recursion -- on a
    group alone the images may have other positions, so the body may give them other numbers.
    A check of the call (the rules that name the form, at the key, come first)."""
    if image is None or type(c) not in (int, float) or frame.num_images < 2:
        return
    site = call_site()
    if site is None:
        return
    if type(c) is float:
        # a literal of the body's code, however the op got it (a list, a dict, a conditional
        # expression by position), is the code's: equal to the image's weight (the weight object
        # itself, where the body's module wrote that literal too) it is no proof of the weight
        owners = frame.weight_owners(c)
        own = image in frame.data_images(c) or _data_read(frame, image) or (
            bool(owners) or c == frame.host_weight(image)) and not frame.constant_number(c) \
            and not caller_constant(c, frame.weight_field if owners else None) \
            and not (not owners and positional_argument(frame.size_sites, frame.per_image_targets))
    else:  # an int: a count of the image's items (``max(len(J), 1)``, ``n * (n - 1)`` of its labels'
        # ``unique()``), left to the count rules, unless a literal a conditional expression picks
        # there (``2 if first else 1``: its test, an image's field, is read below; README Known limits)
        # (a literal raised to a loop's counter, ``2 ** i``, is a position's number, no count)
        own = _data_read(frame, image) or not chosen_literal(site, c) and not loop_power_operand(c) \
            and not literal_at(site, c)
    seen = frame.site_numbers.setdefault(site, {})
    mine = seen.setdefault(image, [])
    at = len(mine)
    mine.append((c, own))
    for other, numbers in seen.items():
        if other != image and len(numbers) > at and numbers[at][0] != c and not (own and numbers[at][1]):
            weight = (("item", frame.weight_field),)
            if any(path != weight for path in _site_fields(frame, site, c)) or site in frame.varied_sites:
                return
            frame.varied_sites.add(site)
            where = f"{site[0].co_name}, line {_line_of(site)}"
            frame.doubt(torch.ones((), dtype=torch.bool), VARIED_NUMBER.format(op=op, where=where))
            return


def _line_of(site: tuple[Any, int]) -> int | None:
    code, lasti = site
    return next((line for start, end, line in code.co_lines() if start <= lasti < end), None)


def _data_read(frame: Frame, image: int) -> bool:
    """Whether the body read one of image ``image``'s own values on the host (``t["scale"].item()``)
    or tested a tensor for truth (``2.0 if (e[b] > 0.8).any() else 1.0``, ``Frame.truth_read``,
    ``Frame.branches``): a number computed from such a read or chosen by such a decision has no
    identity left to tell, and is taken for data."""
    return frame.truth_read or bool(frame.branches) or any(r.data and r.image == image for r in frame.host_reads)


def _site_fields(frame: Frame, site: tuple[Any, int], c: Any) -> frozenset[tuple[Any, ...]]:
    """The field paths of the targets the code at ``site`` computes its number ``c`` from
    (``t["scale"] + 0.1``; ``batch_fields.read_fields``), read once per site: its code is the same
    on every image."""
    found = frame.field_sites.get(site)
    if found is None:
        targets = frame.per_image_targets
        found = frame.field_sites[site] = frozenset(read_fields(targets, c, own=True)) if targets is not None \
            else frozenset()
    return found


SCALED_SEVERAL = (None, -1)
"""Not a code position: in ``Track.sites``, a constant was applied to one-image terms of several
images (``(l_0 + l_1) * 0.5``); another image's term added to it declines."""


def _one_image_terms(track: Track) -> tuple[bool, bool]:
    """(whether ``track`` holds a one-image loss, whether of several images, as far as the host knows)."""
    hosts: set[int] = set()
    several = False
    for r in track.parts or ((track.ratio,) if track.ratio is not None else ()):
        if r.host_image is not None:
            hosts.add(r.host_image)
        elif r.part_images is not None and r.part_images.numel():
            hosts.add(-1)
            several = several or r.part_images.numel() > 1
    return bool(hosts), several or len(hosts) > 1


def one_image_term(track: Track) -> bool:
    """Whether ``track`` holds one image's loss (of a per-image loop) and no other image's."""
    one, several = _one_image_terms(track)
    return one and not several


def _identity(kind: str, c: Any, second: bool) -> bool:
    """Whether the number ``c`` leaves the other operand as it is: ``x + 0``, ``x - 0``, ``x * 1``,
    ``x / 1`` (``0 - x`` negates it)."""
    if not _is_number(c):
        return False
    return c == 0 if kind == "add" or kind == "sub" and second else c == 1 if kind == "mul" or kind == "div" and second \
        else False


def _parts_arithmetic(
    frame: Frame, kind: str, a: Any, ta: Track | None, b: Any, tb: Track | None, op: str, kwargs: dict
) -> Track | None:
    """Reduced losses added that make no single ratio (``1 - dice + 1 - jaccard``, a Python loop
    adding per-class batch dice): the sum of their ratios, each split by group on its own, and
    that sum times or over a constant, plus a number, negated. On the group alone the body adds
    the same terms, each computed from the group's rows, so the value is the sum of the parts'
    group values. None for anything else (attribution is then lost at the op that added them)."""
    pa, pb = _parts_of(ta), _parts_of(tb)
    alpha = kwargs.get("alpha", 1)
    if not (_is_number(alpha) and alpha == 1) or not (pa or pb):
        return None
    pred = any(t is not None and t.from_prediction for t in (ta, tb))
    parts: tuple[Ratio, ...] | None
    if pa and pb:
        if kind not in ("add", "sub"):
            return None
        try:
            parts = pa + (pb if kind == "add" else tuple(r.scaled(-1.0) for r in pb))
        except ValueError:
            return None
        if _repeated_batch_term(frame, pa, parts[len(pa):], op, looped=True):
            return None
    elif pa:  # parts (op) a constant
        parts = _each_part(frame, kind, pa, lambda t: _ratio_arithmetic(frame, kind, a, t, b, tb))
    elif kind == "mul":  # a constant times parts
        parts = _each_part(frame, kind, pb, lambda t: _ratio_arithmetic(frame, kind, a, ta, b, t))
    elif kind in ("add", "sub") and _scalar_of(a, ta) is not None:  # ``c + parts``, ``c - parts``
        flipped = "add" if kind == "add" else "rsub"
        parts = _each_part(frame, flipped, pb, lambda t: _ratio_arithmetic(frame, flipped, b, t, a, ta))
    else:
        return None
    if parts is None or len(parts) > MAX_PARTS:
        return None
    return Track(from_prediction=pred, lost_at=op, parts=parts)


REPEATED_TERM = ("adds a value of several images' rows that the sum already holds (``l_b - e.mean()`` added in a loop "
                 "over images: on a group alone the loop adds it once per image of the group)")


def _repeated_batch_term(frame: Frame, pa: tuple[Ratio, ...], pb: tuple[Ratio, ...], op: str,
                         looped: bool = False) -> bool:
    """Whether a part of ``pb`` over several images' rows is a part of ``pa`` again: the same
    ratio (a batch statistic computed once, added per image), so its count of copies is the
    loop's, which on a group alone runs another number of times. One equal in all but its values
    tensor (recomputed per iteration) declines the call where the values are equal too (checked
    with the call's one host read). A loop shows in one image's values among the parts, or in the
    caller's code (with ``looped``, asked there only when a term repeats: the sum is not a
    binary operator outside every loop)."""
    earlier = [q for r in pa for q in batch_terms(r)]
    terms = [q for r in pb for q in batch_terms(r)]
    # the same values again, whatever their sign or factor (``s = s - m`` in a loop)
    same = any(q.values is term.values and q.rows is term.rows and same_form(q, term.replace(scales=q.scales))
               for term in terms for q in earlier)
    twins = [(term, [q for q in earlier if same_form(q, term)]) for term in terms]  # each may be the one recomputed
    if not same and not any(found for _, found in twins):
        return False
    one_image = any(r.host_image is not None or r.rows.numel() == 1 or r.rows.numel() > sum(
        q.rows.numel() for q in batch_terms(r)) for r in (*pa, *pb))
    if not one_image and not (looped and not straight_line_operator(batch_counts(frame), frame.fixed_lists)):
        return False  # no loop over images: a term added twice is added twice on a group too
    if same:
        return True
    for term, found in twins:
        if found:
            values, rows = term.values.to(found[0].values.device), term.rows.to(found[0].rows.device)
            equal = [(q.values == values).all() & (q.rows == rows).all() for q in found]
            frame.doubt(torch.stack(equal).any(), f"{op} {REPEATED_TERM}")
    return False


def _each_part(
    frame: Frame, kind: str, parts: tuple[Ratio, ...], apply: Callable[[Track], Track | None]
) -> tuple[Ratio, ...] | None:
    """``apply`` (an op with a constant) on every part; a number added or subtracted goes to the
    first part only, and ``c - parts`` negates the others."""
    out = []
    for i, r in enumerate(parts):
        track = Track(from_prediction=True, ratio=r)
        try:
            if i and kind in ("add", "sub", "rsub"):
                new: Track | None = track if kind != "rsub" else Track(ratio=r.scaled(-1.0))
            else:
                new = apply(track)
        except ValueError:  # an offset that the op cannot carry exactly
            return None
        if new is None or new.ratio is None or new.lost_at is not None:
            return None
        out.append(new.ratio)
    return tuple(out)


_TESTS = {Tensor.gt: "gt", torch.gt: "gt", Tensor.ne: "ne", torch.ne: "ne"}


def _one_class_test(func: Any, kind: str, ta: Track | None, out: Any) -> bool:
    """``y.sum((0, 2)) > 0`` of data ``[B, 1, P]`` (a binary mask's one class): the sum is one
    ratio, not a vector of them, but the test is a one-class vector's (``present`` per group)."""
    return (kind == "data" and func in _TESTS and isinstance(out, Tensor) and out.shape == (1,) and ta is not None
            and ta.ratio is not None and not ta.from_prediction and ta.lost_at is None)


ONE_CLASS_SUMS = f"{op_name(Tensor.sum)} over a row dim"  # as a vector of per-class sums is marked


def _is_test_vector(t: Track | None) -> bool:
    return t is not None and bool(t.elements) and all(r.test is not None for r in t.elements)


def _element_operands(frame: Frame, x: Any, t: Track | None, n: int) -> list[tuple[Any, Track | None]] | None:
    """``x`` as ``n`` scalar operands (value, track): the ratios of a vector of row sums, a
    scalar ratio or constant repeated, the elements of a constant vector; None otherwise (also
    for a vector summed over the images of a tensor without images, such as the weights'
    per-class sums: on a group alone it is the group's)."""
    if isinstance(x, Tensor) and frame.untracked_row_sums.get(id(x)) is x:
        return None
    if t is not None and t.elements:
        if len(t.elements) != n:
            return None
        return [(None, Track(from_prediction=t.from_prediction, ratio=r)) for r in t.elements]
    if t is not None:
        return [(None, t)] * n if t.ratio is not None and t.lost_at is None else None
    if _is_number(x):
        return [(x, None)] * n
    if isinstance(x, Tensor) and x.numel() == 1:  # a literal's tensor (``torch.tensor(36)``) as itself: a constant
        return [(x if id(x) in frame.literal_filled else x.detach().reshape(()), None)] * n
    if isinstance(x, Tensor) and x.dim() == 1 and x.shape[0] == n:
        held = frame.constant_vector(x)
        if held is not None:  # ``torch.tensor(weights)`` of class weights a partial binds: constants of the call
            return [(ConstantElement(v), None) for v in held]
        if x.device.type == "cpu":  # numbers (class weights): an offset times them stays exact
            return [(v, None) for v in x.tolist()]
        return [(v, None) for v in x.detach().unbind()]
    return None


def _elements_arithmetic(
    frame: Frame, func: Any, kind: str, a: Any, ta: Track | None, b: Any, tb: Track | None, out: Any, kwargs: dict
) -> list[Track | None] | None:
    """Element-wise arithmetic on vectors of row sums (per-class batch dice), element by element
    as on scalar ratios; ``sums > c`` of data makes tests, and a value times a test is gated by it.
    None where an element is no ratio the split knows."""
    alpha = kwargs.get("alpha", 1)
    if not isinstance(out, Tensor) or out.dim() != 1 or not (_is_number(alpha) and alpha == 1):
        return None
    ea, eb = _element_operands(frame, a, ta, out.shape[0]), _element_operands(frame, b, tb, out.shape[0])
    if ea is None or eb is None:
        return None
    test = _TESTS.get(func)
    each: list[Track | None] = []
    for (xa, sa), (xb, sb) in zip(ea, eb):
        ra, rb = sa.ratio if sa is not None else None, sb.ratio if sb is not None else None
        if kind == "data":  # ``present = onehot.sum((0, 2)) > 0``
            # the threshold a constant of the call: ``> 4.0 * bs`` is the group's count's on a group alone
            ok = test is not None and ra is not None and sa is not None and not sa.from_prediction and _is_number(xb) \
                and constant_operand(frame, test, xb)
            if not ok or ra is None or not _plain_sum(ra) or ra.normaliser_ops:
                return None
            each.append(Track(ratio=ra.replace(test=(test or "", float(xb)))))
            continue
        if kind == "mul" and ra is not None and rb is not None and (ra.test is None) != (rb.test is None):
            value, gate = (sa, rb) if rb.test is not None else (sb, ra)
            assert value is not None and value.ratio is not None
            if value.ratio.gate is not None or value.ratio.test is not None or value.ratio.kind is RatioKind.SUM_OVER_OPAQUE:
                return None
            each.append(Track(from_prediction=value.from_prediction, ratio=value.ratio.replace(gate=gate)))
            continue
        if (ra is not None and ra.test is not None) or (rb is not None and rb.test is not None):
            return None
        try:
            each.append(_ratio_arithmetic(frame, kind, xa, sa, xb, sb))
        except ValueError:
            return None
    return each


def _compared_values(frame: Frame, func: Any, a: Any, ta: Track | None, b: Any, tb: Track | None, out: Tensor) -> Track | None:
    """A comparison of a value reduced from the predictions (a scalar expression of ratios, or a
    vector of per-class sums or expressions) with a constant of the body or another such value:
    an indicator that is a function of those values, ``(eq, e, c)`` (per element). On a group
    alone its own reduced value is compared. None where a side is anything else (a count of the
    batch, a number the code does not prove constant, a statistic of data alone)."""
    if not any(t is not None and t.from_prediction for t in (ta, tb)):
        return None  # ``onehot.sum((0, 2)) > 0`` of data: a test the split reads (``_elements_arithmetic``)
    if any(t is not None and t.ratio is not None and (t.ratio.rows.numel() == 1 or t.ratio.host_image is not None)
           for t in (ta, tb)):
        return None  # one image's value (``x[b + 1].mean() > c`` in a loop): that image's, as its rules read it
    kind = _COMPARED[func]
    if any(t is not None and (t.elements or t.element_formulas) for t in (ta, tb)):
        return _element_expressions(frame, func, kind, a, ta, b, tb, out, {})
    if out.dim() != 0 or any(isinstance(x, Tensor) and x.dim() != 0 for x in (a, b)):
        return None
    return binary_formula(frame, kind, a, ta, b, tb, func, {})


def _element_expressions(
    frame: Frame, func: Any, kind: str, a: Any, ta: Track | None, b: Any, tb: Track | None, out: Any, kwargs: dict
) -> Track | None:
    """Element-wise arithmetic of vectors whose elements are expressions of ratios (or ratios that
    add to no one ratio), with each other, a scalar expression or a constant: an expression per
    element (``formulas.element_binary``); None otherwise."""
    if not isinstance(out, Tensor) or out.dim() != 1 or kind == "data":
        return None
    n = out.shape[0]
    sides: list[list[tuple[Any, Track | None]]] = []
    for x, t in ((a, ta), (b, tb)):
        if t is not None and t.element_formulas:
            if len(t.element_formulas) != n:
                return None
            sides.append([(None, Track(from_prediction=True, lost_at=t.lost_at, formula=f, sites=t.sites))
                          for f in t.element_formulas])
        elif t is not None and (t.formula is not None or t.parts) and isinstance(x, Tensor) and x.dim() == 0:
            sides.append([(x, t)] * n)
        else:
            operands = _element_operands(frame, x, t, n)
            if operands is None or any(v is not None and not _is_number(v) and not isinstance(v, Tensor) for v, _ in operands):
                return None
            sides.append(operands)
    return element_binary(frame, kind, sides, func, kwargs)


def elements_in_place(frame: Frame, func: Any, args: tuple) -> bool:
    """``loss *= present`` on a vector of row sums (or one class's ``[1]``): as ``loss * present``;
    on a vector of per-class expressions (``loss = -log(dice)``) by a presence test only
    (``v.mul_(2)`` declines). Whether it was."""
    target = args[0]
    track = frame.get(target)
    if func is not Tensor.mul_ or track is None or len(args) < 2:
        return False
    factor = frame.get(args[1])
    one_class = isinstance(target, Tensor) and target.shape == (1,) and track.ratio is not None
    if not (track.elements or (track.element_formulas or one_class) and _is_test_vector(factor)):
        return False
    _scaled_by_weight_statistic(frame, op_name(func), target, track, args[1], factor)
    if track.element_formulas:
        made = _element_expressions(frame, Tensor.mul, "mul", target, track, args[1], factor, target, {})
    else:
        each = _elements_arithmetic(frame, Tensor.mul, "mul", target, track, args[1], factor, target, {})
        made = None if each is None else _elements_track(track, each)
    if made is not None:
        frame.set(target, made)
    return made is not None


def _elements_track(like: Track | None, each: list[Track | None]) -> Track | None:
    """A vector of row sums from its elements' tracks; None unless each is one ratio, all from
    predictions or all data."""
    ratios = [t.ratio for t in each if t is not None and t.ratio is not None and t.lost_at is None]
    preds = {t.from_prediction for t in each if t is not None}
    if like is None or len(ratios) != len(each) or len(preds) != 1:
        return None
    return Track(from_prediction=preds.pop(), lost_at=like.lost_at, elements=tuple(ratios))


def _late_normaliser(frame: Frame, z: Any) -> Track | None:
    """``z = w.sum()`` of a tensor that carried no images when summed: a row-sum normaliser if
    ``w`` has since met the rows it multiplies (by itself or as the vector a factor views);
    otherwise a count of unknown rows, so the loss it divides is declined (lost), not guessed."""
    entry = frame.untracked_sums.get(id(z))
    if entry is None or entry[0] is not z:
        return None
    src = entry[1]
    track = frame.get(src)
    if version_of(src) != entry[2]:  # written since it was summed: the sum is of values it no longer holds
        return lost_track("a division by the sum of a tensor written in place since", False)
    if track is not None and track.lost_at is None and track.ratio is None and len(track.rows) == 1:
        ((d, rows),) = track.rows.items()
        values = unweighted_of(src, track)
    elif track is None and src.is_contiguous() and (src.data_ptr(), src.numel()) in frame.factors:
        factor, rows, unweighted = frame.factors[(src.data_ptr(), src.numel())]
        d, values = only_wide_dim(src), (src if unweighted is None else unweighted.reshape(src.shape)).detach()
    else:
        return lost_track("a division by the sum of a tensor whose rows are unknown", False)
    values = values if values.is_floating_point() else values.float()
    return Track(ratio=Ratio.of(values, rows, d, RatioKind.SUM))


def image_value_track(frame: Frame, track: Track) -> Track | None:
    """A reduced value whose rows are all one image, as a tensor of that image holding its value
    with the weight field set to 1; None for any other reduced value."""
    r = track.ratio
    if (r is None or r.rows.numel() != 1 and r.host_image is None or r.kind is RatioKind.SUM_OVER_OPAQUE or r.gate is not None
            or r.test is not None or r.counts_rows() or not r.own_normaliser() or r.group_factors or r.modified()):
        return None  # (written since it was reduced: its value then is gone)
    image = frame.image_index(r.host_image, r.rows.device) if r.host_image is not None else r.rows.reshape(())
    return Track(image=image, unweighted=r.image_value(), from_prediction=track.from_prediction)


def _image_terms(frame: Frame, a: Any, ta: Track | None, b: Any, tb: Track | None, out: Tensor
                 ) -> tuple[Track | None, Track | None]:
    """``total + f(l_b)`` of one image's 0-dim value (``l_b ** (4 / 3)``, ``r_b ** 2`` of its
    reduced loss) added to a Python zero, to another image's such value or to a sum of one-image
    losses: the value as its own ``.sum()`` (a one-row sum of that image, which it is on any group
    holding the image), so that the sum is one of one-image losses, checked as such (each image's
    terms once, ``/ len(targets)`` the group's count). Anything else added is left as it is."""
    terms = [_image_term(frame, x, t) for x, t in ((a, ta), (b, tb))]
    if terms[0] is None and terms[1] is None:
        if frame.chained_sums and any(isinstance(x, Tensor) and frame.chained_sums.get(id(x)) is x for x in (a, b)):
            _sum_met(frame, a, ta, b, tb, terms, out)  # ``sum(losses)`` of such sums, or ``r[0] + sum(..)``
        return ta, tb
    for (x, t), term in zip(((a, ta), (b, tb)), terms, strict=True):
        summed = t is not None and t.lost_at is None and t.ratio is not None and not t.parts and t.formula is None \
            and (t.ratio.part_images is not None or t.ratio.host_image is not None)
        if term is None and not summed and not (t is None and type(x) in (int, float) and x == 0):
            return ta, tb
    _sum_met(frame, a, ta, b, tb, terms, out)
    return terms[0] or ta, terms[1] or tb


def _sum_met(frame: Frame, a: Any, ta: Track | None, b: Any, tb: Track | None, terms: list[Track | None],
             out: Tensor) -> None:
    """Note ``out`` = ``a + b`` a sum of alike one-image terms only (``Frame.chained_sums``) where
    each operand is such a term (``terms``), a Python zero or such a sum; where it adds the terms
    of several images, decline the call unless they were made alike (``_terms_made_alike``)."""
    met: list[int] = []  # the images the sum holds, where known without a read (each one-image sum's)
    several = False
    chained = True  # every operand such a term, a zero or a sum of such terms only
    for x, t, term in zip((a, b), (ta, tb), terms, strict=True):
        if term is not None and term.ratio is not None and term.ratio.host_image is not None:
            met.append(term.ratio.host_image)
            _made_as(frame, term.ratio.host_image, x)
        elif t is not None and t.ratio is not None:
            several |= t.ratio.host_image is None
            if t.ratio.host_image is not None:
                met.append(t.ratio.host_image)
            own = isinstance(x, Tensor) and frame.chained_sums.get(id(x)) is x
            held = _reduced_images(t.ratio) if not own and frame.own_arms and _arms_taken(frame) is not None else None
            for image in held or ():  # one image's reduced sum (or a Python sum of such) beside 0-dim terms,
                # where each image's own tensor's lengths chose its arm: compared as a term of its kind with
                # the first image that took its arms
                frame.term_chains.setdefault(image, []).append(_REDUCED_TERM)
                met.append(image)
            chained &= own or held is not None
        elif not (t is None and type(x) in (int, float) and x == 0):
            chained = False
    if several or len(set(met)) > 1:
        if not chained:  # (``r[0] + sum(x ** 2 for x in r[1:])``: the first image's loss was made by no noted ops)
            frame.doubt(torch.ones((), dtype=torch.bool), _UNALIKE)
        else:
            _terms_made_alike(frame, met)
    if chained:
        frame.chained_sums[id(out)] = out
    else:
        frame.chained_sums.pop(id(out), None)


_REDUCED_TERM: frozenset[tuple[Any, ...]] = frozenset({("reduced sum",)})  # (``_sum_met``'s chain of such a term)

_UNALIKE = ("one image's values added in Python as its own loss were made by other ops or numbers than another "
            "image's (picked or scaled by position, or carried from term to term): on a group alone the images "
            "have other positions")


def _made_as(frame: Frame, image: int, x: Tensor) -> None:
    """Note the ops that made ``x``, image ``image``'s next 0-dim value added in Python as its own
    loss (``Frame.image_chains``), in ``Frame.term_chains``."""
    held = frame.image_chains.get(id(x))
    frame.term_chains.setdefault(image, []).append(held[1] if held is not None and held[0] is x else frozenset())


def _terms_made_alike(frame: Frame, images: list[int]) -> None:
    """Where the terms of several images meet in a Python sum: decline the call unless each of
    ``images`` made its terms so far by the ops and numbers that the first image met made its
    own, in order (``Frame.term_chains``): a term picked by position (``0.9 * r[0] + sum(r[1:])``),
    a decay carried from term to term (``reduce(lambda s, l: 0.9 * s + l, r)``) or a number of
    the term's position is another on a group alone. Terms an image's own data makes otherwise
    decline too; arithmetic within one image's terms (a lattice of its own size) meets no other."""
    chains = frame.term_chains
    if frame.term_reference is None:
        frame.term_reference = images[0] if images else None
    if frame.term_reference is None:
        return
    first = chains.get(frame.term_reference, [])
    arms = _arms_taken(frame)
    for image in images:
        mine = chains.get(image, [])
        if any(x != y for x, y in zip(first, mine)):
            # an image whose own tensor's length took other arms: alike the first image that took its arms
            same = next((b for b in range(image) if arms and arms[b] == arms[image]), image)
            if not arms or same not in chains or any(x != y for x, y in zip(chains[same], mine)):
                frame.doubt(torch.ones((), dtype=torch.bool), _UNALIKE)
                return


def _reduced_images(r: Ratio) -> list[int] | None:
    """The images of ``r``, one image's reduced sum or a Python sum of such sums (each image once),
    else None."""
    if r.host_image is not None:
        return [r.host_image]
    if r.part_images is None or r.batch_terms or r.rows.numel() != r.part_images.numel():
        return None
    images = [int(b) for b in r.part_images.tolist()]
    return images if len(set(images)) == len(images) else None


def _made_in_loop(frame: Frame, made: tuple[Any, ...], code: Any, first: int, last: int) -> bool:
    """Whether every time the op ``made`` notes ran, ``code``'s frame stood between ``first`` and ``last``:
    the nearest frame of ``code`` among the op's callers (``Frame.made_stacks``) at such a position."""
    if made in _REDUCED_TERM:
        return True  # (a one-image sum met as a term of its own: its ops were checked there)
    stacks = frame.made_stacks.get(made, set())
    return bool(stacks) and all(
        (at := next((lasti for c, lasti in stack if c is code), None)) is not None and first <= at <= last
        for stack in stacks)


def _arms_taken(frame: Frame) -> list[tuple[bool, ...]] | None:
    """Per image the arms its own tensor's lengths took (``Frame.own_arms``), where every image was
    tested as often, image by image in image order, in one loop, and every term's op was made in
    that loop: not in that loop's code outside it (``r[0] * 0.9`` after the loop), nor in a helper
    that code does not call in the loop alone (``scale(losses)`` after it); None otherwise."""
    n, tests = frame.num_images, frame.own_arms
    k, rest = divmod(len(tests), n) if n else (0, 1)
    if rest or not k or [b for b, _, _ in tests] != [b for b in range(n) for _ in range(k)] \
            or len({loop for _, _, loop in tests}) != 1:
        return None
    code, first, last = tests[0][2]
    # each term's op at a position of the loop, in the loop's own code or in a helper the loop called there (a
    # helper the loop calls may be called after it too, through another helper: session 47 review)
    if any(not _made_in_loop(frame, op, code, first, last)
           for chain in frame.term_chains.values() for made in chain for op in made):
        return None
    return [tuple(taken for _, taken, _ in tests[b * k:(b + 1) * k]) for b in range(n)]


def _image_term(frame: Frame, x: Any, track: Track | None) -> Track | None:
    """One image's 0-dim value of its prediction, its weight field untouched, as a one-row sum of
    that image; None for anything else."""
    if (track is None or not isinstance(x, Tensor) or x.dim() != 0 or not track.from_prediction
            or track.lost_at is not None or track.reduced or track.rows or track.image is None
            or track.image.numel() != 1 or frame.num_images < 2):
        return None
    image = frame.image_ids.get(id(track.image))
    if image is None:
        return None
    values = unweighted_of(x, track).detach().reshape(1)
    one = Ratio.of(values, frame.image_index(image, values.device).reshape(1), 0, RatioKind.SUM, host_image=image)
    return Track(from_prediction=True, ratio=one)


def _one_image_sum(frame: Frame, track: Track) -> Track | None:
    """One image's reduced value with an offset (``push.sum() - num_tags`` in a per-image loop)
    as a plain sum of that value over that image's one row: on any group with the image the body
    computes the same value, so scaling or dividing it by a number needs no offset arithmetic
    (which a denominator recomputed per group cannot carry). None for any other reduced value."""
    r = track.ratio
    if r is None or r.host_image is None:
        return None
    # its value is ``num / den + offset``: the value without the offset must be one image's
    value = image_value_track(frame, dataclasses.replace(track, ratio=r.replace(offset=0.0)))
    if value is None or value.unweighted is None:
        return None
    image = frame.image_index(r.host_image, r.rows.device).reshape(1)
    one = Ratio.of((value.unweighted + r.offset).reshape(1), image, 0, RatioKind.SUM, host_image=r.host_image)
    return Track(from_prediction=track.from_prediction, ratio=one)


def _scaled_by_weight_statistic(frame: Frame, op: str, a: Any, ta: Track | None, b: Any, tb: Track | None) -> None:
    """``_weight_statistic`` and ``_field_statistic`` of the other operand where one of ``a * b``
    (or ``a / b``) is a reduced loss: one ratio, a sum of ratios or a vector of them."""
    for t, other, t_other in ((ta, b, tb), (tb, a, ta)):
        if t is not None and (t.ratio is not None or t.parts or t.elements or t.element_formulas):
            _weight_statistic(frame, op, other, t_other)
            if t_other is None and (t.ratio is None or t.ratio.host_image is None):
                _scaled_by_weights(frame, op, other)
            if (t_other is None or t_other.lost_at is None and not t_other.rows and t_other.ratio is None
                    and not t_other.parts and t_other.formula is None) and (t.ratio is None or t.ratio.host_image is None):
                if not _field_statistic(frame, op, other):
                    divided = t is ta and op.rpartition(".")[2].strip("_") in ("div", "truediv", "true_divide", "divide")
                    _read_field_number(frame, op, other, divided)
            elif t_other is None and t.ratio is not None and t.ratio.host_image is not None:
                _read_weight_number(frame, op, other)
            return


def _scaled_by_weights(frame: Frame, op: str, c: Any) -> None:
    """A reduced loss of the call's images (one too: the image whole, not its term in a loop) scaled
    by one image's weight object (noted: declined where
    the body's code reads the weight of a target picked by position, ``l.mean() * t[0]["loss_weight"]``,
    ``Frame.weight_scaled``; an equal literal of the module elsewhere is the same object), or by a
    tensor computed from the images' weights (``l.mean() * w.max()``, ``Frame.weight_made``): on a
    group alone every weight is 1, and so is the weight object; the tensor's value there is its
    value on weights 1, declined where that differs."""
    if type(c) is float and c != 1 and frame.weight_images(c):
        frame.weight_scaled.append(op)
    elif type(c) is Tensor and frame.weight_made and id(c) in frame.weight_made:
        weights_read(frame, op, c, None)


FIELD_STATISTIC = ("a reduced loss is scaled at {op} by a number equal to the {stat} of the images' {key!r} "
                   "(``max(t[key] for t in targets)``), which on a group alone is the group's")


def _field_statistic(frame: Frame, op: str, c: Any) -> bool:
    """Decline the call where a reduced loss of several images is scaled by a Python float equal
    to the sum, mean, minimum or maximum of a number field of the images' targets (``l.mean() *
    max(t["scale"] for t in targets)``, a total added up in a loop over them) that some group's
    images give otherwise: on a group alone the body computes it from the group's. Read by value,
    as the weights' statistics are; a literal or configured constant at the op is none, nor a
    whole number made of int fields (a count of the images' items, read as such). The weight field
    is left to the weight statistics. Whether it declined (else ``_read_field_number`` reads the code)."""
    tensor = isinstance(c, Tensor) and c.numel() == 1 and c.is_floating_point()
    if not tensor and (type(c) is not float or not math.isfinite(c)) or frame.num_images < 2:
        return False
    targets = frame.per_image_targets
    if targets is None or not all(type(t) is dict for t in targets):
        return False
    for key, first in targets[0].items():
        if type(first) not in (int, float):
            continue
        values = [t.get(key) for t in targets]
        if key == frame.weight_field or not all(type(v) in (int, float) for v in values) \
                or not tensor and c.is_integer() and all(type(v) is int for v in values):  # a count of the items
            continue
        if tensor:  # ``torch.tensor(max(...))``: compared with the call's one read, each statistic some group differs in
            _field_statistic_tensor(frame, op, c, key, values)
            continue
        for stat, of in _FIELD_STATISTICS:
            if not near_count(c, of(values)):
                continue
            if offset_source(c, product=True) in ("literal", "configured") or code_constant(c) or frame.constant_number(c):
                return False  # a literal of the code (``2.0 if flag else 1.0``), a parameter at its default
            grouped = frame.group_images()
            if grouped is None or any(not near_count(c, of([values[b] for b in images])) for images in grouped):
                frame.doubt(torch.ones((), dtype=torch.bool), FIELD_STATISTIC.format(op=op, stat=stat, key=key))
                return True
    return False


FIELD_NUMBER = ("a reduced loss of several images is scaled at {op} by a number the code computes from the images' "
                "{key} (``max(t[key] for t in targets) + 1``, a total added up over them), which on a group alone is "
                "computed from the group's")


def _read_field_number(frame: Frame, op: str, c: Any, divided: bool = False) -> None:
    """Decline the call where the Python float ``c`` (or a one-element tensor made of one)
    scaling a reduced loss of several images is computed, as the code reads
    (``batch_fields.read_fields``), from a number field of several images' targets: on a group
    alone the body computes it from the group's, whatever arithmetic made it. The weight field
    counts where some weight is not 1 (on a group alone each is 1). An int ``c`` ``divided`` into
    the loss, of an int field whose value on every image is the size of one of the image's tensors
    (``t["num"]`` holding ``len(t["labels"])``) and equal to their sum, is that count of rows, which
    the divisions follow per group as DETR's ``num_boxes`` (rt25: any int of an int field was, ``sum(t["n"] ...)``
    scaling a loss a constant; a product by a count of sizes is no count followed: it declines)."""
    tensor = isinstance(c, Tensor) and c.numel() == 1 and c.is_floating_point()
    whole = type(c) is int
    if not tensor and type(c) is not float and not whole or frame.num_images < 2 or frame.own_oracle():
        return
    targets = frame.per_image_targets
    if targets is None:
        return
    for path in sorted(read_fields(targets, c), key=lambda p: p == (("item", frame.weight_field),)):
        weight = path == (("item", frame.weight_field),)
        if weight and all(w == 1 for w in frame.weight_numbers() or ()) or whole and divided and not weight and _sizes(targets, path, c):
            continue
        key = repr(path[0][1]) if len(path) == 1 and path[0][0] == "item" else "t" + "".join(
            f".{k}" if how == "attr" else f"[{k!r}]" for how, k in path)
        frame.doubt(torch.ones((), dtype=torch.bool), FIELD_NUMBER.format(op=op, key=key))
        return


def _sizes(targets: Sequence[Any], path: tuple[Any, ...], c: int) -> bool:
    """Whether ``c`` is the sum of the one-key field ``path``, an int on every image equal to the
    length of one tensor field of the image's targets, the same field on each: the count of those
    items (not ``max(...)`` of them, nor ``max(...) + 1``)."""
    if len(path) != 1 or path[0][0] != "item" or not all(type(t) is dict for t in targets):
        return False
    key = path[0][1]
    values = [t.get(key) for t in targets]
    if not all(type(v) is int for v in values) or sum(values) != c:
        return False
    return any(all(isinstance(t.get(k), Tensor) and t[k].dim() > 0 and len(t[k]) == v for t, v in zip(targets, values))
               for k in targets[0])


WEIGHT_NUMBER = ("an image's loss is scaled at {op} by a number the code computes from the image's {key!r} other "
                 "than the weight itself (``W[int(t[key] * 2) - 1]``, ``t[key] ** 2``): on a group alone the weight is 1, "
                 "which gives another number")


def _read_weight_number(frame: Frame, op: str, c: Any) -> None:
    """Decline the call where the Python float ``c`` scaling one image's loss is computed, as the
    code reads (``batch_fields.read_fields``), from the weight field of an image's targets, and is
    no image's weight (the weight rules tell its own, which the companions set to 1, from another
    image's): on a group alone, weights 1, the body computes another number from it. Nothing to
    tell where every weight is 1."""
    weights = frame.weight_numbers()
    targets = frame.per_image_targets
    if type(c) is not float or not weights or targets is None or frame.weight_field is None \
            or all(w == 1 for w in weights) or c in weights:  # (an image's weight: the weight rules')
        return
    if (("item", frame.weight_field),) in read_fields(targets, c, own=True):
        frame.doubt(torch.ones((), dtype=torch.bool), WEIGHT_NUMBER.format(op=op, key=frame.weight_field))


def _field_statistic_tensor(frame: Frame, op: str, c: Tensor, key: Any, values: list[Any]) -> None:
    """``_field_statistic`` of a one-element tensor of no images: doubted, with the call's one
    read, where it equals a statistic of the field's values that some group's images give
    otherwise (a whole one of int fields is a count, read as such)."""
    grouped = frame.group_images()
    counts = all(type(v) is int for v in values)
    v = c.detach().reshape(()).to(torch.float64)
    for stat, of in _FIELD_STATISTICS:
        z = of(values)
        if counts and z.is_integer() or grouped is not None and all(of([values[b] for b in images]) == z
                                                                       for images in grouped):
            continue
        frame.doubt((v - z).abs() <= 1e-6 * max(abs(z), 1.0), FIELD_STATISTIC.format(op=op, stat=stat, key=key))


_FIELD_STATISTICS: tuple[tuple[str, Callable[[list[Any]], float]], ...] = (
    ("sum", lambda v: float(sum(v))), ("mean", lambda v: float(sum(v)) / len(v)), ("minimum", lambda v: float(min(v))),
    ("maximum", lambda v: float(max(v))))


def _weight_statistic(frame: Frame, op: str, c: Any, track: Track | None) -> None:
    """Decline the call where a reduced loss is scaled by the sum or the mean of the batch's
    weights (``e.mean() * w.mean()``, ``l.sum() / sum(t["loss_weight"] for t in targets)``): on a
    group alone, weights 1, that number is the group's image count, or 1. A number equal to an
    image's own weight is left to the weight matching; weights all 1 leave nothing to tell; a
    whole Python number is a literal or a count, one of the arguments' numbers an outside
    normaliser (as the README reads them)."""
    if track is not None or frame.weights_on(torch.device("cpu")) is None:
        return
    if isinstance(c, bool) or not isinstance(c, (int, float, Tensor)) or (isinstance(c, Tensor) and c.numel() != 1):
        return
    if isinstance(c, Tensor) and id(c) in frame.untracked_sums:
        return  # ``(l * w).sum() / w.sum()``: a row-sum normaliser (``_late_normaliser``)
    if isinstance(c, Tensor) and frame.filled_numbers:
        number = frame.filled_number(c, op)  # ``torch.tensor(3)``: that number. A whole float may be the
        # weights' sum (``torch.tensor(sum(ws))``), an int only where a weight is one: compared as a tensor
        if number is not None and not float(number).is_integer():
            c = number
    if isinstance(c, Tensor) and frame.int_numbers and frame.int_number(c) is not None and not frame.int_weights():
        return  # an int kept whole by int arithmetic (``torch.clamp(torch.as_tensor(n) / 1, min=1)``): a count
    if frame.data_images(c):
        return  # a number of the images' data (``t["scale"]``), not computed from their weights
    if isinstance(c, (int, float)) and (float(c).is_integer() or frame.from_arguments(float(c))):
        return  # a literal (``/ 3``, ``* 2``), a count or an outside normaliser: read as such (README)
    held = _weight_stats(frame)
    if held is None:
        return
    weights, stats = held
    message = f"a reduced loss is scaled at {op} by a statistic of the images' weights (their sum or mean)"
    if isinstance(c, Tensor):  # ``w.mean() + 1e-6``: up to an eps added, as a count is read (``near_count``)
        v = c.detach().reshape(()).to(torch.float64)
        near = [((v - z).abs() <= 1e-6 * abs(z)) | ((v > z) & (v - z <= 1e-3)) for z in stats
                if all(z != w for w in weights)]
        if near:
            frame.doubt(torch.stack(near).any(), message)
    elif any(near_count(c, z) and all(z != w for w in weights) for z in stats) and not length_arithmetic(
            lambda x: _batch_wide(frame, x)):
        frame.doubt(torch.ones((), dtype=torch.bool), message)


def _weight_stats(frame: Frame) -> tuple[list[Any], tuple[float, float]] | None:
    """The images' weights (on the host) and their sum and mean; None where every weight is 1."""
    weights = [frame.host_weight(b) for b in range(frame.num_images)]
    if all(w == 1 for w in weights):
        return None
    return weights, (sum(weights), sum(weights) / len(weights))  # type: ignore[arg-type]


def _is_weight_statistic(frame: Frame, c: Any) -> bool:
    """Whether the Python number ``c`` equals the sum or the mean of the images' weights (and no one
    weight): ``_weight_statistic``'s to decline, naming it."""
    if frame.weights_on(torch.device("cpu")) is None or not isinstance(c, (int, float)) or float(c).is_integer():
        return False  # (a whole number is a literal or a count, as ``_weight_statistic`` reads it)
    held = _weight_stats(frame)
    return held is not None and any(near_count(c, z) and all(z != w for w in held[0]) for z in held[1])


def _batch_wide(frame: Frame, x: Any, depth: int = 0) -> bool:
    """Whether ``x`` is a tensor whose first dim is every image of the batch as passed in, or a
    list or tuple (up to 64 items, two levels) of such: its length selects no images."""
    if isinstance(x, Tensor):
        track = frame.get(x)
        return track is not None and x.dim() > 0 and track.rows.get(0) is frame.arange(x.device)
    return depth < 2 and type(x) in (list, tuple) and 0 < len(x) <= 64 and all(_batch_wide(frame, v, depth + 1) for v in x)


def _is_image_weight(frame: Frame, image: Tensor, c: Any) -> bool:
    """Whether the Python number ``c`` multiplying image ``image``'s values is its weight."""
    if not isinstance(c, (int, float)) or isinstance(c, bool) or c == 1:
        return False
    b = frame.image_ids.get(id(image))
    w = frame.host_weight(b) if b is not None else None
    if w is None:
        return False
    owners = frame.weight_images(c)
    if not owners and (frame.data_images(c) or _other_field(frame)):  # ``l_b * t["scale"].item()``: data,
        return False  # whatever its value (``t["scale"].item() * 1.0``: read from the code)
    if (owners or c == w) and (literal_factor(c) or frame.constant_number(c)):  # ``push * 0.5``, ``alpha *
        # bce`` with ``alpha=0.5`` not passed: a coefficient of the code
        return False
    if owners and b not in owners:  # another image's weight field (``t[b + 1]["loss_weight"]``)
        frame.doubt(torch.ones((), dtype=torch.bool), OTHER_IMAGE_WEIGHT)
        return False
    frame.scalar_weights[0 if c == w else 1] += 1
    return c == w


def _weight_object(frame: Frame, c: Any) -> bool:
    """Whether the Python number ``c`` multiplying (or dividing) image rows is the very object of
    an image's weight field, not 1, and nothing else it could be: no literal at the op nor a
    constant the code proves (``weight_images``, ``literal_factor``), no other field's value, and
    no constant of the code running the op (``code_constant``: mmpose's ``eps = 0.5`` unpacked
    from a tuple is the weights' 0.5 where they are literals of the same module). On any group
    alone, weights set to 1, the body multiplies by 1 there (was kept as a constant: the first
    image's weight on every group)."""
    return (type(c) is float and c != 1 and bool(frame.weight_images(c)) and not literal_factor(c)
            and not frame.data_images(c) and not code_constant(c))


def _scalar_of(x: Any, track: Track | None) -> float | Tensor | None:
    """``x`` as a constant factor (with the weight field set to 1): a Python number, or a
    one-element tensor without images. A statistic of the batch (``m.sum()``, ``m.mean()`` of
    data) is not one: on a group alone it is recomputed from the group's rows."""
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return x
    if track is not None and (track.ratio is not None or track.lost_at is not None):
        return None
    if isinstance(x, Tensor) and x.numel() == 1 and (track is None or not track.from_prediction):
        if track is not None and track.unweighted is not None:
            return track.unweighted.reshape(())
        return x.detach().reshape(())
    return None


def _body_number(frame: Frame, x: Any, track: Track | None, kind: str) -> float | Tensor | None:
    """``_scalar_of(x)``, where a one-element tensor made in the call from a Python number
    (``torch.tensor(len(targets))``, ``x.new_tensor(n - 1)``) is that number: read as the number
    is (a count of the batch, a literal), not as a tensor from outside the call. A whole float is
    read as the int (``torch.tensor(float(len(targets)))``: a tensor is rarely made of a float
    literal that happens to equal a count, while a plain float ``2.0 * cls`` often is one)."""
    if kind == "div" and track is None and frame.floored:
        floored = frame.floored_count(x)  # ``l.sum() / num_masks``, a clamped count kept as a tensor
        if floored is not None:
            return floored
    if track is None and isinstance(x, Tensor) and frame.filled_numbers and id(x) not in frame.weight_filled:
        number = frame.filled_number(x, kind)
        if number is not None:  # (a float of the images' data keeps its object: see ``Frame.data_images``)
            whole = type(number) is float and number.is_integer() and not frame.data_images(number)
            return int(number) if whole else number
    scalar = _scalar_of(x, track)
    if frame.untracked_derived and isinstance(scalar, Tensor):
        how = untracked_value(frame, x)
        if how is not None and how != "sum":  # the copy a ratio keeps as its divisor: read by ``_split``
            frame.untracked_derived[id(scalar)] = (scalar, how)
    return scalar


OTHER_IMAGE_FACTOR = "a loss scaled by a value of one image that is not that loss's image (``l_b * (x[b + 1].mean() > c)``)"


def _other_image_number(frame: Frame, image: int | None, c: Any, kind: str) -> str | None:
    """Why the Python number ``c`` scaling image ``image``'s values at ``kind`` is declined: it is
    data of other images only (``l_b * targets[b + 1]["scale"]``, a number read from another
    image's tensor), which on a group alone is whichever image holds that position then. None
    for any other number (its own image's data stays, as on the group alone)."""
    if image is None or type(c) is not float:
        return None
    data = frame.data_images(c)
    if not data or image in data:
        return None
    return f"{kind} of one image's values by a number of another image's targets (``l_b * targets[b + 1][\"scale\"]``)"


def _other_image_value(frame: Frame, ratio: Ratio, track: Track | None) -> bool:
    """Whether the factor with ``track`` is one image's tensor (a test of that image's mean, a
    field of its target dict) scaling a loss that is not known to be that image's alone: on a
    group alone the body pairs the loss with whichever image holds that position then."""
    if track is None or track.image is None or track.rows:
        return False
    image = frame.image_ids.get(id(track.image))
    return image is None or ratio.host_image != image


def _ratio_arithmetic(
    frame: Frame, kind: str, a: Any, ta: Track | None, b: Any, tb: Track | None
) -> Track | None:
    """Arithmetic on scalar losses: times or divided by a constant (``* Q``, ``/ num_boxes``),
    divided by a row-sum normaliser, ``normaliser + eps``, and sums of summed or per-image losses."""
    if frame.row_counts and (frame.row_count(a) is not None or frame.row_count(b) is not None):
        return _counted(frame, kind, a, ta, b, tb)
    if ta is not None and ta.ratio is not None and not ta.from_prediction and ta.ratio.kind is RatioKind.SUM:
        if kind == "add" and isinstance(b, (int, float)) and not isinstance(b, bool):
            if b == 0:  # ``0 + mask.sum()``, the start of a running total
                return Track(ratio=ta.ratio)
            if _row_length(frame, kind, b):  # FoveaBox's ``num_pos + b`` with ``b = len(cls)`` (s61: was + B, silently
                return _plus_row_length(frame, ta, int(b))  # wrong once its mask's rows were known)
            if _length_doubt(frame, kind, b):
                return lost_track(LENGTH_DOUBT, False)
            return Track(ratio=ta.ratio.scaled(normaliser_op=("add", float(b))))  # ``mask.sum() + 1e-4``
        if kind in ("mul", "div") and _is_number(b) and b != 0:  # ``2 * mask.sum()``, ``w.sum() * 4``
            if _length_operand(frame, ta.ratio, kind, b) is not None:
                return None  # ``m.sum() * len(targets)``: a count of the group's images, no constant
            if _row_length(frame, kind, b):
                # ``m.sum() / len(m)``: on a group alone over the group's count of those rows (s61: was scaled
                # by 1 / B as a constant, silently wrong as the denominator of ``l.sum() / (m.sum() / len(m))``)
                return _over_row_length(frame, ta, b, False) if kind == "div" else lost_track(DATA_TIMES_LENGTH, False)
            if kind == "div" and type(b) in (int, float) and (over := _over_constant_times_length(frame, ta, b)):
                return over  # ``hits.sum() / (2 * len(z))``: k times the group's count of those rows, as a loss's
            if _row_length(frame, kind, b, unread=True) or _length_doubt(frame, kind, b):  # no constant proven
                return lost_track(DATA_TIMES_LENGTH, False)
            over_read = _data_over_read(frame, ta, b) if kind == "div" else None  # (after the lengths: one equal
            if over_read is not None:  # by value to a read is the length, gap47b)
                return over_read
            scaled = ta.ratio.normaliser_times(b if kind == "mul" else 1 / b, frame.constant_number(b))
            return None if scaled is None else Track(ratio=scaled)
        if kind == "add" and tb is not None and tb.ratio is not None and not tb.from_prediction:
            total = add_ratios(ta.ratio, tb.ratio)  # ``m1.sum() + m2.sum()``: one normaliser
            return None if total is None else Track(ratio=total)
        if kind not in ("div", "add") or tb is None or tb.ratio is None:
            return None  # a row-sum normaliser in other arithmetic: opaque
    if ta is not None and ta.ratio is not None and ta.ratio.offset and kind in ("mul", "div") and _is_number(b):
        ta = _one_image_sum(frame, ta) or ta
    if ta is not None and ta.ratio is not None:
        pred = ta.from_prediction
        if (
            kind == "div"
            and tb is not None
            and tb.ratio is not None
            and tb.ratio.kind is RatioKind.SUM
            and ta.ratio.kind is RatioKind.SUM
            and not ta.ratio.divisors
        ):
            return Track(from_prediction=pred, ratio=ta.ratio.scaled(by_rows=_floored_divisor(frame, tb)))
        if kind in ("add", "sub") and tb is not None and tb.ratio is not None:
            if _repeated_batch_term(frame, (ta.ratio,), (tb.ratio,), f"{kind}", looped=True):
                return lost_track(f"{kind} {REPEATED_TERM}", pred or tb.from_prediction)
            _picked_from_a_list(frame, ta.ratio, tb.ratio)
            rb = _same_counts(frame, ta.ratio, tb.ratio if kind == "add" else tb.ratio.scaled(-1.0))
            total = add_ratios(ta.ratio, rb)
            return None if total is None else Track(from_prediction=pred or tb.from_prediction,
                                                    ratio=_one_row_pieces(frame, total, ta.ratio, rb))
        other = _body_number(frame, b, tb, kind)
        if other is None:
            return None
        if type(other) in (FlooredFloat, FlooredInt) and isinstance(b, Tensor):
            b = other  # a floored count kept as a tensor: as the number ``.item()`` reads from it
        if (kind == "div" and type(other) in (FlooredFloat, FlooredInt) and getattr(other, "literal", False) and other
                and ta.ratio.kind in (RatioKind.SUM, RatioKind.SUM_OVER_OPAQUE)):
            return Track(from_prediction=pred, ratio=ta.ratio.scaled(scale=1 / other))  # (a literal clamped)
        if kind == "div" and type(other) in (int, float) and other in frame.loop_counts() and division_unseen():
            return lost_track(UNSEEN_DIVISION, pred)
        length = None
        if kind in ("mul", "div"):
            other, weight = _weight_factor(frame, ta.ratio, b, other)
            if weight and _is_number(other):  # its image's weight: 1
                return Track(from_prediction=pred, ratio=ta.ratio)
            if not weight and tb is None and unread_count_factor(frame, ta, other, kind):
                return lost_track(UNREAD_COUNT_FACTOR, pred)
            if not weight and _other_image_value(frame, ta.ratio, tb):
                return lost_track(OTHER_IMAGE_FACTOR, pred)
            other_image = None if weight else _other_image_number(frame, ta.ratio.host_image, other, kind)
            if other_image is not None:
                return lost_track(other_image, pred)
            if kind == "mul" and not weight:
                over = _times_reciprocal_length(frame, ta, other)
                if over is not None:  # ``l.sum() * (1.0 / n)``, ``n = len(targets)``: as ``l.sum() / n``
                    return over
            length = _length_operand(frame, ta.ratio, kind, other)
            if length == "targets" and kind == "mul":  # ``l.sum() * len(targets)``: times the group's images
                if _averaged(ta.ratio):
                    return lost_track(BY_IMAGE_COUNT, pred)
                return Track(from_prediction=pred, ratio=ta.ratio.times_row_count(frame.arange(ta.ratio.rows.device)))
            if length is not None and length != "targets":
                return lost_track(length, pred)
            if length is None and kind == "mul" and _unproven_image_count(frame, other):
                return lost_track(UNPROVEN_IMAGE_COUNT, pred)
            if length is None and not weight and _computed_factor(frame, other):
                return lost_track(COMPUTED_FACTOR, pred)
            if kind == "mul" and isinstance(other, Tensor) and not weight:
                _tensor_image_count(frame, ta.ratio, other)
            if kind == "div" and ta.ratio.part_images is not None and _is_number(other):
                _parts_each_image(frame, ta.ratio, _over_targets_length(frame, other))
            z = None if weight or kind != "mul" else _reciprocal_argument(frame, ta.ratio, other)
            if z is not None:  # ``l.sum().mul(1.0 / batch_total)``: as ``l.sum() / batch_total``
                return _over_argument(ta, z)
        if (kind == "div" and tb is None and ta.ratio.kind in (RatioKind.SUM, RatioKind.SUM_OVER_OPAQUE)
                and frame.literal_number(b, kind) is not None and _is_number(other) and other):
            return Track(from_prediction=pred, ratio=ta.ratio.scaled(scale=1 / other))  # ``/ torch.tensor(36)``
        learned = (kind == "div" and tb is None and ta.ratio.kind in (RatioKind.SUM, RatioKind.SUM_OVER_OPAQUE)
                   and isinstance(other, Tensor) and isinstance(b, Tensor) and b.requires_grad
                   and frame.made_of_parameters(b))
        if (kind == "div" and tb is None and ta.ratio.kind in (RatioKind.SUM, RatioKind.SUM_OVER_OPAQUE)
                and isinstance(other, Tensor) and (frame.constant_expr(b) is not None or frame.outside_constant(b)
                                                   or learned and frame.made_of_parameters(b, whole=True))):
            # ``/ torch.exp(torch.tensor(1.0))``, ``/ self.temperature``, ``/ self.log_scale.exp()``: made from
            # constants of the body only, or module state: no count to share
            try:
                return Track(from_prediction=pred, ratio=ta.ratio.scaled(scale=torch.reciprocal(other)))
            except ValueError:
                return lost_track("a division of an offset loss by a constant tensor", pred)
        if learned:  # ``/ (self.s * n)``: a learned value times a number autograd does not show (maybe a count)
            return lost_track("a division of a sum by a tensor of the model's parameters and a number of the call "
                              "(``/ (self.s * n)``)", pred)
        if kind == "div" and frame.num_images > 1 and _over_targets_length(frame, other):
            if ta.ratio.rows.numel() == 1:  # ``x[b].sum() / len(targets)``: one image's value over a
                # count of the others too (on a group alone: its images), which no row sum carries
                return lost_track("a division of one image's value by the number of images (``/ len(targets)``)", pred)
            try:  # ``l.sum() / len(targets)``: on a group alone, the group's images
                return Track(from_prediction=pred, ratio=ta.ratio.over_row_count(frame.arange(ta.ratio.rows.device)))
            except ValueError:  # ``l.mean() / len(targets)``: a mean over the group's images is no ratio
                return lost_track("a division of an average by the number of images (``/ len(targets)``)", pred)
        if (kind == "div" and ta.ratio.kind not in (RatioKind.SUM, RatioKind.SUM_OVER_OPAQUE) and frame.num_images > 1
                and _is_number(other) and other == frame.num_images and _counted_divisor_of(frame, b, other)):
            # ``l.mean() / float(len(targets))``, ``/ torch.tensor(float(len(t)))``: on a group alone the body
            # divides by the group's count
            return lost_track("a division of an average by a number computed from a count of the images "
                              "(``/ float(len(targets))``)", pred)
        if kind == "div" and tb is None and _one_image_by_count(frame, ta.ratio, other):
            return lost_track(ONE_IMAGE_BY_COUNT, pred)
        if (kind == "div" and ta.ratio.kind is RatioKind.SUM and not ta.ratio.divisors and frame.host_reads
                and isinstance(other, (int, float)) and type(other) in (int, float) and other > 0
                and (k := summed_multiple(frame.read_body_call_once)) is not None and k != 1.0):
            # ``/ (2 * count)`` with ``count += int(m.sum())``: ``k`` times the group's reads, no other reading
            counted = frame.summed_reads_times(float(other), k, divisor_floor)
            if counted is not None:
                return Track(from_prediction=pred, ratio=ta.ratio.scaled(by_rows=counted))
        if (kind == "div" and ta.ratio.kind is RatioKind.SUM and not ta.ratio.divisors and frame.host_reads
                and type(other) in (int, float) and other > 0 and (k := read_times_literal()) is not None):
            counted = frame.host_normaliser(other / k)  # ``/ (2 * m)`` with ``m = int(pos.sum())``: k times the group's read
            if counted is not None:
                try:
                    return Track(from_prediction=pred, ratio=ta.ratio.scaled(scale=1 / k, by_rows=counted))
                except ValueError:
                    return lost_track(COUNTED_DIVISOR, pred)
        if kind == "div" and ta.ratio.kind is RatioKind.SUM and not ta.ratio.divisors and not _arithmetic_of_reads(frame, b) \
                and not _summed_argument_sizes(other):  # (``sum(len(t["boxes"]) for t in targets)`` equal by value to
            # the reads' sum: sizes, not the reads; survey 55's WRONG) a tensor made from the number
            # (``torch.tensor(len(pos_inds))``) divides as the number
            counted = frame.host_normaliser(other if isinstance(b, Tensor) and tb is None else b, divisor_floor)
            if counted is not None and (why := _unfollowed_read()):
                return lost_track(why, pred)
            if counted is not None:  # ``l.sum() / num_pos`` with ``num_pos = mask.sum().item()``
                return Track(from_prediction=pred, ratio=ta.ratio.scaled(by_rows=counted))
        if (kind == "div" and frame.mixed_sizes and (type(other) is int or type(other) is float and other.is_integer())
                and int(other) in frame.mixed_sizes and divisor_source(other) not in ("literal", "configured")):
            return lost_track(f"a division by a size of {MIXED_PICK} (``/ len(e[e > e.mean()])``)", pred)
        if kind == "div" and isinstance(other, (int, float)) and type(other) in (int, float, CountedInt, CountedFloat) \
                and other and frame.num_images > 1:
            product = _over_constant_times_length(frame, ta, other)
            if product is None:
                product = _over_argument_times_constant(frame, ta, other)
            if product is not None:
                return product
        if kind == "div" and isinstance(other, (int, float)) and not isinstance(other, bool) and _of_the_weights(frame):
            return lost_track(WEIGHTS_DIVISOR, pred)
        if kind == "div" and isinstance(other, (int, float)) and not isinstance(other, bool) and length != "targets":
            computed = _computed_divisor(frame, ta, other)  # (``min(float(len(t)), 8.0)`` equal to the count: the group's)
            if computed is not None:
                return computed
        if kind == "div" and _length_doubt(frame, kind, other):
            return lost_track(LENGTH_DOUBT, pred)
        if kind == "div" and _row_length(frame, kind, other, unread=True):  # (as before s61 where unread)
            return _over_row_length(frame, ta, other, pred)  # ``/ len(x)``, ``/ float(len(x))``, no literal
        if (kind == "mul" and frame.mixed_sizes and type(other) is float and other > 0
                and any(abs(other * n - 1) < 1e-12 for n in frame.mixed_sizes)
                and offset_source(other, product=True) not in ("literal", "configured")):
            # ``l.sum() * (1.0 / len(e[e > e.mean()]))``: as the division by that size (red team, session 16)
            return lost_track(f"a product with one over a size of {MIXED_PICK} (``* (1.0 / len(e[e > e.mean()]))``)", pred)
        if kind in ("mul", "div", "add", "sub", "rsub"):
            _host_number(frame, other, ta, kind)  # any other use of a number read on the host
        if kind == "mul":
            # data too: a metric may be returned; a plain sum times a length the body read (``l.sum() * len(x)``)
            # as well: on a group alone the group's count (s61: was a constant)
            if _is_image_count(frame, ta.ratio, other) or _row_length(frame, kind, other) or _length_doubt(frame, kind, other):
                return lost_track(BY_IMAGE_COUNT, pred)
            if not weight and _statistic_factor(frame, other):
                return lost_track(STATISTIC_FACTOR, pred)
            if _sizes_factor(frame, ta.ratio, other):
                return lost_track(BY_SIZES_FACTOR, pred)
            if not weight and _reciprocal_of_count(frame, other):
                return lost_track(RECIPROCAL_OF_COUNT, pred)
            if ta.ratio.host_image is None and not isinstance(b, Tensor) and picked_size_number(
                    frame, other, source=_product_source, indices=False):  # (RT-DETR's ``weight_dict`` 2 equals
                # the size of an image's denoising indices, skipped for images without boxes: a constant)
                return lost_track(PICKED_SIZE_FACTOR, pred)
            if not weight and _by_count(frame, other, positions=False) and (frame.per_image_targets is None or not read_fields(
                    frame.per_image_targets, other)):  # (fields' numbers: the field rules name the field)
                return lost_track(COUNTED_FACTOR, pred)
            if why := _computed_number(frame, "mul", ta.ratio, other, value=other):
                return lost_track(why, pred)
            return Track(from_prediction=pred, ratio=_scaled_by(frame, ta.ratio, other))
        if kind == "div":
            each = _floored_items(frame, other)
            summed = None if each is None or not isinstance(other, (int, float)) else frame.summed_sizes(
                other, ta.ratio.rows.device, lambda: max(divisor_floor() or 0.0, each or 0.0), each)  # (a group's sum is
            # at least each item's floor)
            if summed is None and isinstance(other, (int, float)) and ta.ratio.kind is RatioKind.SUM \
                    and _summed_argument_sizes(other):  # ``sum(len(u["pos"]) for u in t)`` (a mean: see below)
                summed = frame.summed_sizes(other, ta.ratio.rows.device, divisor_floor)
            elif summed is None and frame.num_images > 1 and _summed_argument_sizes(other, "slice"):
                return lost_track(SLICED_SIZES_DIVISOR, pred)
            if summed is None and ta.ratio.kind is RatioKind.SUM:  # ``max(sum(len(c) for c in centres), 1)``
                summed = _item_list_sizes(frame, other, ta.ratio.rows.device)
            if summed is None and _derived_from_items(frame, other):
                return lost_track(ITEMS_DERIVED_DIVISOR, pred)
            if summed is not None:  # ``sum(max(p.numel(), 1) for p in ..)``: the group's sizes floored one by one
                try:
                    return Track(from_prediction=pred, ratio=ta.ratio.scaled(by_rows=summed))
                except ValueError:
                    return lost_track(COUNTED_DIVISOR, pred)
            if isinstance(other, (int, float)) and _running_count(frame, other):
                if partly_counted():
                    return lost_track(PARTLY_COUNTED_DIVISOR, pred)
                summed = frame.summed_sizes(other, ta.ratio.rows.device, divisor_floor) or _sizes_times(frame, other, ta) \
                    or frame.summed_sizes(other, ta.ratio.rows.device, divisor_floor, least=True)
                if summed is not None:  # each image's own size added up: over the group's, whatever count it equals
                    try:
                        return Track(from_prediction=pred, ratio=ta.ratio.scaled(by_rows=summed))
                    except ValueError:
                        return lost_track(COUNTED_DIVISOR, pred)
                if _counted_divisor(frame, ta.ratio, other):
                    weighted = class_weight_sum(frame, a, ta.ratio, other)
                    if weighted is not None:  # ``ce.sum() / max(num_pos + 0.1 * num_neg, 1)``
                        return Track(from_prediction=pred, ratio=ta.ratio.scaled(by_rows=weighted))
                    return lost_track(COUNTED_DIVISOR, pred)
            elif isinstance(other, (int, float)) and _helper_count(frame, other) and _counted_divisor(frame, ta.ratio, other):
                return lost_track(f"{COUNTED_DIVISOR} (counted in a helper)", pred)
            elif (summed := _sizes_times(frame, other, ta)) is not None:  # over a loop of locals: ``zip(err, v)``
                try:
                    return Track(from_prediction=pred, ratio=ta.ratio.scaled(by_rows=summed))
                except ValueError:
                    return lost_track(COUNTED_DIVISOR, pred)
            if _picked_image_size(frame, ta.ratio, other):
                return lost_track(PICKED_SIZE_DIVISOR, pred)
            constant = isinstance(other, (int, float)) and other != 0 and _constant_divisor(frame, ta.ratio, other)
            if isinstance(other, Tensor) and passed_number_computed(frame.read_body_call_once, frame.fixed_lists):
                return lost_track(PASSED_NUMBER_COMPUTED, pred)  # ``torch.as_tensor(num_boxes * 2).clamp(min=6)``
            if type(other) is int and other and unproven_loop_counter() and (constant is not True or counted_number(zero=False)):
                return lost_track(UNPROVEN_COUNTER, pred)  # (a constant where it equals no count, counted from no count)
            if isinstance(constant, str):  # (every reason ``_constant_divisor`` gives is a decline's)
                return lost_track(constant, pred)
            if constant is False and not frame.plain_counts and _feature_size_root(frame):
                constant = True  # ``/ math.sqrt(x.shape[-1])`` equal to a count of this batch by value only
            if constant and (why := _computed_number(frame, "div", ta.ratio, other)):
                return lost_track(why, pred)
            if constant:
                return Track(from_prediction=pred, ratio=ta.ratio.scaled(scale=1 / other))
            # (False of a sum: read as a count it equals, see ``opaque_den``; of any other ratio, a constant)
            read_as_count = constant is False and ta.ratio.kind in (RatioKind.SUM, RatioKind.SUM_OVER_OPAQUE)
            if read_as_count and type(other) in (int, float) and float(other).is_integer() and inputless_call_divisor():
                return lost_track(INPUTLESS_DIVISOR, pred)
            side = read_as_count and (type(other) is int or type(other) is float and other.is_integer()) \
                and _side_size(frame, other)
            if side == MADE_SIDE_SIZE_DIVISOR:
                return lost_track(MADE_SIDE_SIZE_DIVISOR, pred)
            if side and (why := _computed_number(frame, "div", ta.ratio, other, value=other)):
                return lost_track(why, pred)
            if side:  # ``/ outputs["c"].shape[1]``: the argument's queries on a group alone too
                return Track(from_prediction=pred, ratio=ta.ratio.scaled(scale=1 / other))
            if type(other) is float and other == frame.num_images and not frame.from_arguments(other):
                other = frame.num_images  # ``/ float(len(targets))`` of the body: as the int
            if isinstance(other, (int, float)) and frame.num_images > 1 and frame.from_arguments(other):
                return _over_argument(ta, other)
            if _average_over_instances(frame, ta.ratio, other):
                return lost_track(AVERAGE_OVER_INSTANCES, pred)
            if why := _computed_number(frame, "div", ta.ratio, other, value=other if isinstance(other, (int, float)) else None):
                return lost_track(why, pred)
            if read_as_count and type(other) is int and other == frame.num_images and _images_by_value_only(frame, other):
                return lost_track(IMAGES_BY_VALUE, pred)
            return Track(from_prediction=pred, ratio=ta.ratio.scaled(divisor=other, own=frame.own_count(other)))
        if kind in ("add", "sub", "rsub") and _is_number(other):
            if other != 1 and frame.weight_images(b):  # ``l + t["loss_weight"]``: 1 on a group alone
                frame.doubt(torch.ones((), dtype=torch.bool), f"an image's weight field is added to a loss at {kind}")
            assert isinstance(other, (int, float))  # _is_number
            what = _counted_offset(frame, ta.ratio, other)
            if what is not None:
                return lost_track(f"{kind} of a number equal to {what} {COUNTED_OFFSET}", pred)
            # ``x + c``, ``x - c``, ``c - x``: the body on the group alone is its value plus c
            if kind == "rsub":  # (its -1 a constant: ``100 - hits.sum() * 100.0 / n``, DETR's ``class_error``)
                return Track(from_prediction=pred, ratio=constant_scaled(ta.ratio, -1.0).shifted(float(other)))
            return Track(from_prediction=pred, ratio=ta.ratio.shifted(float(other) if kind == "add" else -float(other)))
        return None
    if tb is not None and tb.ratio is not None and kind in ("add", "sub") and ta is None and isinstance(a, Tensor):
        # ``torch.tensor(1.0) - l.mean()``: as ``l.mean()`` (``rsub``) a number
        return _ratio_arithmetic(frame, "add" if kind == "add" else "rsub", b, tb, a, ta)
    if tb is not None and tb.ratio is not None and kind == "mul":
        other = _body_number(frame, a, ta, kind)
        if other is not None:
            other, weight = _weight_factor(frame, tb.ratio, a, other)
            if not weight and _other_image_value(frame, tb.ratio, ta):
                return lost_track(OTHER_IMAGE_FACTOR, tb.from_prediction)
            other_image = None if weight else _other_image_number(frame, tb.ratio.host_image, other, kind)
            if other_image is not None:
                return lost_track(other_image, tb.from_prediction)
            length = _length_operand(frame, tb.ratio, kind, other)
            if length == "targets":  # ``len(targets) * l.sum()``
                if _averaged(tb.ratio):
                    return lost_track(BY_IMAGE_COUNT, tb.from_prediction)
                rows = frame.arange(tb.ratio.rows.device)
                return Track(from_prediction=tb.from_prediction, ratio=tb.ratio.times_row_count(rows))
            if length is not None:
                return lost_track(length, tb.from_prediction)
            if length is None and _unproven_image_count(frame, other):
                return lost_track(UNPROVEN_IMAGE_COUNT, tb.from_prediction)
            if isinstance(other, Tensor) and not weight:
                _tensor_image_count(frame, tb.ratio, other)
            z = None if weight else _reciprocal_argument(frame, tb.ratio, other)
            if z is not None:  # ``(1.0 / batch_total) * l.sum()``
                return _over_argument(tb, z)
            _host_number(frame, other, tb, kind)
            if _is_image_count(frame, tb.ratio, other):
                return lost_track(BY_IMAGE_COUNT, tb.from_prediction)
            if not weight and _statistic_factor(frame, other):
                return lost_track(STATISTIC_FACTOR, tb.from_prediction)
            if _sizes_factor(frame, tb.ratio, other):
                return lost_track(BY_SIZES_FACTOR, tb.from_prediction)
            if why := _computed_number(frame, "mul", tb.ratio, other, right=False, value=other):
                return lost_track(why, tb.from_prediction)
            return Track(from_prediction=tb.from_prediction, ratio=_scaled_by(frame, tb.ratio, other))
    return None


FROM_TARGETS_LENGTH = "a number computed from ``len(targets)`` (``len(targets) - 1``, ``1 / len(targets)``)"
BY_POSITION_LENGTH = "a length of another image's targets picked by position (``len(targets[0][\"labels\"])``)"
FILTERED_TARGETS = ("the length of a list of some of the images' targets (``[t for t in targets if ...]``): on a "
                    "group alone, the group's images that pass the filter")
OTHER_LENGTH = ("an int equal to the number of images that is the length of something else than the targets "
                "(``len(targets[0])``, ``len(self.levels)``; or a multiple of one: ``2 * len(indices)``)")


def _length_operand(frame: Frame, ratio: Ratio, kind: str, z: Any) -> str | None:
    """What the Python number ``z`` multiplying or dividing a loss is, read from the code of the
    ``*`` / ``/`` being executed (see ``operand_lengths``): ``"targets"`` for ``len(targets)`` of
    the per-image target list itself (also ``float(len(targets))``, and ``max(len(targets), 1)``,
    ``max(float(len(targets)), 1.0)`` as a divisor, or ``min(float(len(targets)), 8.0)`` equal to
    the count: on fewer images the group's count too), which on a group alone is the group's images; a reason to decline for Python
    arithmetic on it (``len(targets) - 1``, ``1 / len(targets)``: no constant, no count), for a
    length of one image's targets picked by position (another image on a group alone) unless it
    is the loss's own image's, and for an int equal to the number of images that is the length of
    anything but a tensor or a list of the images' own targets or values, dividing a loss of
    several images (on a group alone it need not be the group's images). None where nothing is seen (``/ B``, ``/ 2``)."""
    targets = frame.per_image_targets
    if targets is None or frame.num_images < 2 or frame.tokens is not None or not _is_number(z):
        return None
    if counted_call():  # ``e.sum() * cap_of(t)`` of ``def cap_of(t): return 0.1 * len(t)``
        return FROM_TARGETS_LENGTH
    if kind == "div" and frame.tokens is None:
        product = frame.constant_times_length()
        if product is not None and product[0] is not None and product[1] is targets:
            return None  # ``/ (len(targets) * accum_steps)``: the group's images times the constant (rt39), as
            # ``_over_constant_times_length`` reads it (was declined as a number computed from ``len(targets)``)
    found = operand_lengths()
    if found is None:
        if kind == "div" and any(n.obj is targets for n in stored_shifted_lengths()):
            return FROM_TARGETS_LENGTH  # ``n = 12 + len(targets)``, then ``/ n``
        return OTHER_LENGTH if _held_other_length(frame, ratio, z) else None
    form, lengths = found
    for n in lengths:
        owners = [b for b in range(frame.num_images) if _own_targets(targets, b, n.obj) or _own_item(frame, b, n.obj)] \
            if isinstance(n.obj, Tensor) else []
        if owners and owners != [ratio.host_image]:  # review13: ``len(s["boxes"])`` of another image than the loss's
            return BY_POSITION_LENGTH  # (``zip(e, reversed(targets))``), or of one image over several images' loss
        if n.obj is targets:
            if len(lengths) == 1 and (form in ("len", "float") or form == "floor" and kind == "div"
                                      or form == "cap" and kind == "div" and z == frame.num_images):
                return "targets"
            return FROM_TARGETS_LENGTH
        if any(v is targets for v in n.loaded) and n.obj is not UNPROVEN and not _own_targets(targets, ratio, n.obj):
            return BY_POSITION_LENGTH
        if _some_targets(targets, n.obj):
            return FILTERED_TARGETS
    # a call on the whole target list (``len(stack_labels(targets))``) is read by value, as before; a
    # multiple of such a length (``len(indices) * 2``) is read by value as any count it equals (instances)
    multiple = form == "expr" and float(z).is_integer() and z > 0 and z % frame.num_images == 0 and any(
        isinstance(n.obj, (list, tuple)) and len(n.obj) == frame.num_images for n in lengths) and _argument_length()
    if (z == frame.num_images or multiple) and ratio.host_image is None and any(
            not isinstance(n.obj, Tensor) and not _per_image_list(frame, n.obj)
            and not (n.obj is UNPROVEN and any(v is targets for v in n.loaded)) for n in lengths) \
            and not (type(z) is int and fixed_length(z, batch_counts(frame), frame.fixed_lists)):
        return OTHER_LENGTH  # (``sum(losses) / len(losses)`` of a list the code fixes: as long on a group alone)
    return None


def _argument_length() -> bool:
    """Whether the number operand of the op being executed is made from ``len`` of an argument of the
    call (``len(indices) * 2``; not of a list the body built, ``len(scales) * 2``): ``_provenance``'s ``L``."""
    tags = executed_number_tags()
    return tags is not None and "L" in tags


def _held_other_length(frame: Frame, ratio: Ratio, z: Any) -> bool:
    """Whether ``z``, a multiple of the number of images, is held in a local made from ``len`` of a
    list argument other than the targets as long as they are (``bs = len(indices)``, then ``/ (2 *
    bs)``: read by value, it was taken for the instances it equals). The provenance (``_provenance``)
    names the arguments; each is looked up where it was given."""
    if ratio.host_image is not None or not float(z).is_integer() or z <= 0 or z % frame.num_images:
        return False
    root: list = []
    tags = executed_number_tags(root)
    if tags is None or "L" not in tags or not root:
        return False
    values = _locals(root[0])
    held = [values.get(t[4:]) for t in tags if t.startswith("arg:")]
    return any(isinstance(x, (list, tuple)) and len(x) == frame.num_images and x is not frame.per_image_targets
               for x in held)


def _some_targets(targets: Any, x: Any) -> bool:
    """Whether ``x`` is a list of some, not all, of the images' own target dicts (``[s for s in
    targets if ...]``), of their fields (``[s["boxes"] for s in targets if ...]``, the weight
    floats themselves) or of copies of them (``[dict(s) for ...]``): on a group alone, the group's
    images that pass a filter the capture does not see (it may read the weight field, which is 1
    there)."""
    if type(x) not in (list, tuple) or not 0 < len(x) < len(targets):
        return False
    dicts = [s for s in targets if isinstance(s, dict)]
    fields = {id(v) for s in dicts for v in s.values()}

    def of_targets(e: Any) -> bool:
        if isinstance(e, dict):
            return any(e is s or e.keys() == s.keys() and all(e[k] is s[k] for k in s) for s in dicts)
        return id(e) in fields
    return all(of_targets(e) for e in x)


def _own_targets(targets: Any, ratio: Ratio | int | None, x: Any) -> bool:
    """Whether ``x`` is the target dict of the loss's own image (``ratio``'s, or that image), or
    one of its fields."""
    b = ratio.host_image if isinstance(ratio, Ratio) else ratio
    if b is None or not isinstance(targets, (list, tuple)) or not 0 <= b < len(targets) or x is UNPROVEN:
        return False
    own = targets[b]
    return x is own or isinstance(own, dict) and any(x is v for v in own.values())


def _own_item(frame: Frame, b: int, x: Tensor) -> bool:
    """Whether ``x`` is image ``b``'s item of an argument list holding one item per image (the
    matcher's ``indices[b]``, a tuple of tensors, or one of them): ``len(indices[0][0])`` is the first
    image's matches, on a group alone another image's (rt39: was a count of the batch kept)."""
    lists = frame.read_image_lists() if frame.read_image_lists is not None else ()
    for items in lists:
        item = items[b]
        if item is x or type(item) in (list, tuple) and any(v is x for v in item):
            return True
    return False


def _per_image_list(frame: Frame, x: Any) -> bool:
    """Whether ``x`` is a list of distinct images' own target dicts (``[s for s in targets if
    ...]``), one-image tensors (``list(pred)``) or losses, one per image: on a group alone, its
    images."""
    if type(x) not in (list, tuple) or len(x) != frame.num_images:
        return False
    targets = frame.per_image_targets
    if all(any(e is s for s in targets) for e in x):
        return len({id(e) for e in x}) == len(x)
    if _sized_as_the_targets(frame, targets, x):
        return True
    images = []
    for e in x:
        t = frame.get(e) if isinstance(e, Tensor) else None
        image = None
        if t is not None and t.image is not None and not t.rows:
            image = frame.image_ids.get(id(t.image))
        elif t is not None and t.ratio is not None:  # ``len(parts)`` of per-image losses
            image = t.ratio.host_image
        if image is None:
            return False
        images.append(image)
    return len(set(images)) == len(images)


def _sized_as_the_targets(frame: Frame, targets: Any, x: Any) -> bool:
    """Whether ``x`` is a list argument of the call of one tensor per image, its items' first
    dims the sizes of a tensor field of the images' target dicts, image by image, and not all
    equal (torch-geometric's node features per graph next to the graphs' ``node_classes``): on a
    group alone, the group's items. Equal sizes (a list of as many feature levels as images, of
    as many rows as each image's instances) tell nothing."""
    if frame.read_image_lists is None or not any(x is items for items in frame.read_image_lists()):
        return False
    if not all(isinstance(e, Tensor) and e.dim() >= 1 for e in x) or not all(isinstance(t, dict) for t in targets):
        return False
    sizes = [int(e.shape[0]) for e in x]
    if len(set(sizes)) < 2:
        return False
    return any(all(isinstance(t.get(key), Tensor) and t[key].dim() >= 1 and int(t[key].shape[0]) == n
                   for t, n in zip(targets, sizes)) for key in targets[0])


AVERAGE_OVER_INSTANCES = ("a division of an average by a Python int the body computed, equal to the target "
                          "instances (``l.mean() / n``, ``n = sum(len(t['labels']) for t in targets)``): on a group "
                          "alone the group's instances divide it, which no ratio of the average carries")


def _average_over_instances(frame: Frame, ratio: Ratio, z: Any) -> bool:
    """Whether the int ``z`` dividing the average ``ratio`` (over several images) is the batch's
    target instances by value, held by a name or computed (no literal, attribute or global at the
    division, nor a constant the code proves, nor an argument), by code that reads a field of the
    targets (``n = sum(len(s["labels"]) for s in t)``): on a group alone the body counts the
    group's (was read as a constant divisor: silently wrong, red team, session 16)."""
    if type(z) is not int or not z or frame.num_images < 2 or ratio.kind is RatioKind.SUM or ratio.host_image is not None:
        return False
    instances = frame.instances()
    if not isinstance(instances, list) or sum(instances) != z:
        return False
    if divisor_source(z) != "other" or frame.constant_number(z) or frame.from_arguments(z):
        return False
    # counted from the targets: its code reads a field of a dict (kornia's ``/ num_of_classes``, a
    # size of a dim without images equal to the instances by value, is not)
    return any(type(k) is str and k != frame.weight_field for k in operand_fields())


def _averaged(ratio: Ratio) -> bool:
    return ratio.kind is not RatioKind.SUM or bool(ratio.divisors) or ratio.normaliser is not None


def _parts_each_image(frame: Frame, ratio: Ratio, all_images: bool) -> None:
    """One-image losses added in Python and divided by a number: one added twice (``parts +
    [parts[-1]]``, cumulative parts ``p + parts[-1]``: picked by position, on a group alone other
    images) declines; divided by ``len(targets)`` (``all_images``), so does a sum that misses an
    image whose targets have instances (``range(1, len(targets))``: the deferred check). An image
    may add more terms than another where its own data decides it (one instance, no push term)."""
    assert ratio.part_images is not None
    message = ("one-image losses added in Python are not each image's own terms once (a list that skips or "
               "repeats images by position)")
    if len({id(v) for v in ratio.part_values}) < len(ratio.part_values):
        frame.doubt(torch.ones((), dtype=torch.bool), message)
        return
    _repeated_parts(frame, ratio, message)
    if all_images:
        missing = image_counts(frame, ratio.part_images)[1]
        if missing is not None:
            frame.doubt(missing, message)


def _repeated_parts(frame: Frame, ratio: Ratio, message: str) -> None:
    """Defer the check that no image adds a term again more often than another: a part equal to
    an earlier part of its image (same shape, sum and sum of squares, not all zero) is a repeat
    (``sum(e[b].mean() for b ..) + e[0].mean()``, recomputed: another object); each image's terms
    added twice alike (``[l_b, l_b]`` per image) are the group's own on a group alone."""
    parts, values = ratio.part_images, ratio.part_values
    assert parts is not None
    if len(values) != parts.numel() or len(values) < 2:
        return
    by_shape: dict[tuple[int, ...], list[int]] = {}
    for k, v in enumerate(values):
        by_shape.setdefault(tuple(v.shape), []).append(k)
    repeats = torch.zeros(parts.numel(), dtype=torch.bool, device=parts.device)
    for ks in by_shape.values():
        if len(ks) < 2:
            continue
        flat = torch.stack([values[k].detach().reshape(-1).to(parts.device) for k in ks]).double()
        features = torch.stack([flat.sum(1), flat.square().sum(1)], 1)
        images = parts[ks]
        same = (features[:, None] == features[None, :]).all(-1) & (images[:, None] == images[None, :])
        again = same.triu(1).any(0) & (features[:, 1] != 0)
        repeats[ks] = again
    arange = frame.arange(parts.device)
    has = (parts.reshape(-1, 1) == arange.reshape(1, -1)).any(0)
    counts = ((parts.reshape(-1, 1) == arange.reshape(1, -1)) & repeats.reshape(-1, 1)).sum(0)
    lowest = torch.where(has, counts, counts.max()).min()
    frame.doubt((has & (counts != lowest)).any(), message)


def _picked_from_a_list(frame: Frame, *ratios: Ratio) -> None:
    """One-image losses added where the code picks one from a Python list by an int literal
    (``v[-1] + v[0]`` of ``v = [e.mean() for e in x]``): picked by position, as ``x[1]`` is, so the
    returned sum must hold each image (``positional_key``; was silently wrong with sources)."""
    if (frame.picked_by_position or frame.num_images < 2
            or not any(r.host_image is not None or r.part_images is not None for r in ratios)):
        return
    if literal_list_pick():
        frame.picked_by_position = True
        frame.counting.clear()  # asked before: without the pick


def positional_key(frame: Frame, ratio: Ratio) -> None:
    """A returned value made of per-image terms picked by position must hold each image whose
    targets have instances, none twice (``_parts_each_image``): ``x[1]`` alone, or ``x[0].sum() +
    x[1:2].sum()``, is on a group alone the value at those positions, other images. Checked as
    the call returns, for sums never divided as well."""
    if frame.num_images < 2:
        return
    if ratio.part_images is not None:
        _parts_each_image(frame, ratio, True)
    elif ratio.host_image is not None:
        one = ratio.replace(part_images=frame.image_index(ratio.host_image, ratio.rows.device).reshape(1),
                            part_values=(ratio.values,))
        _parts_each_image(frame, one, True)
    elif frame.ranked and ratio.rows.numel():  # ``pairs[0][0].sum()`` of ``pairs`` sorted by a key: rows of one image
        ranked = host_tensor(sorted(frame.ranked), torch.long, ratio.rows.device)
        frame.doubt((ratio.rows.reshape(-1, 1) != ranked.reshape(1, -1)).all(0).any(),
                    "a value picked from an order a sort / min / max key decided across images (on a group alone "
                    "the body picks among the group's images)")


def _one_images_size(frame: Frame, z: Any) -> bool:
    """Whether ``z``, equal to the number of images, is also a size the body read of one image's
    tensor: ``max(len(s["boxes"]) for s in targets)`` of 2, 1 and 3 boxes is 3 on 3 images, which
    on a group alone is the group's largest, not its count (red team 27: was read as the count)."""
    return any(n == z or n is None and first == z for _, n, first in frame.image_sizes)


def _counted_divisor_of(frame: Frame, b: Any, z: Any) -> bool:
    """Whether the divisor ``b`` (the number ``z``) is computed in the body from a count of the
    images: such a number itself, or a one-element tensor made of one and unchanged since."""
    if isinstance(b, Tensor):
        return id(b) in frame.counted_filled and frame.filled_number(b, "div") is not None
    # (a Python number by its type, or by the code at the division: ``float(len(targets))``; the code's
    # counts, ``terms += 1`` over crops, may equal the images by value)
    return frame.counted_number(z, by_value=False) or (
        frame.per_image_targets is not None and divisor_length(z) is frame.per_image_targets)


def _one_row_pieces(frame: Frame, total: Ratio, *added: Ratio) -> Ratio:
    """``total`` with the pieces of one row of a cut by position it adds (``for c in x.split(5)``
    whose last piece holds one row) among its batch terms, as the pieces of several rows are:
    ``piece_keys`` then sees the cut's every piece, each with its factors (a sum of one row is
    otherwise one image's value, no batch term, and the cut was declined as partly held)."""
    if not frame.piece_checks:
        return total
    ones = tuple(r for r in added if not r.batch_terms and r.host_image is None and r.rows.numel() == 1
                 and (held := frame.piece_checks.get(id(r.rows))) is not None and held[0] is r.rows)
    return total.replace(batch_terms=total.batch_terms + ones) if ones else total


def piece_keys(frame: Frame, ratios: Sequence[Ratio], summed: bool) -> None:
    """The pieces by position of ``for p in x.chunk(k)`` (``Frame.piece_checks``) that a returned
    key holds (``ratios``: its parts, ``summed`` where the key is their sum), each cut checked as
    a whole: every piece of the cut once, each a sum with the same factors (``sum(2 * p.sum() for
    p in x.split(2))``), counts each row once whatever piece holds it; every piece once, each its
    own mean (``sum(p.mean() for p in x.chunk(3))``), is the group's alone where each group's rows
    share pieces as they do alone, whatever the pieces' numbers; anything else (some pieces, a
    piece weighted by its number, a piece on its own) where every row falls in the piece of the
    same number on the batch and on its group alone."""
    cuts: dict[int, list[tuple[Ratio, tuple[Tensor, Tensor, str, Tensor, int]]]] = {}
    for whole in ratios:
        for r in (whole, *whole.batch_terms):
            piece = frame.piece_checks.get(id(r.rows))
            if piece is not None and piece[0] is r.rows:
                cuts.setdefault(id(piece[1]), []).append((r, piece))
    for held in cuts.values():
        _, flag, why, alike, count = held[0][1]
        first = held[0][0]
        every = summed and len({id(r.rows) for r, _ in held}) == len(held) == count \
            and all(_same_scales(r, first) and not (r.normaliser_ops or r.group_factors or r.offset or r.num_offset
                                                    or r.divisors or r.test is not None or r.gate is not None)
                    for r, _ in held)
        if every and all(_plain_sum(r) for r, _ in held):
            continue
        if summed and len({id(r.rows) for r, _ in held}) == len(held) == count and all(
                r.rows.numel() == 1 and _same_scales(r, first) for r, _ in held):
            continue  # one row a piece, every piece once alike: each image's own value once, as ``unbind``'s
        if every and all(r.kind is RatioKind.MEAN and any(r is q for q in ratios) and r.own_normaliser() for r, _ in held):
            frame.late_checks.append((alike, why))
            frame.piece_means.update(id(r) for r, _ in held)  # a piece without a group's rows is none of its own
        else:
            frame.late_checks.append((flag, why))


def _same_scales(r: Ratio, first: Ratio) -> bool:
    return len(r.scales) == len(first.scales) and all(
        a is b or type(a) in (int, float) and type(b) in (int, float) and a == b for a, b in zip(r.scales, first.scales))


RECIPROCAL_OF_COUNT = ("a product with one over a number the body computes from the batch other than the number of "
                       "images (``1.0 / (n + 1)``, ``1.0 / len(kept)`` of a filtered list, a factor stored in a loop or "
                       "again in a branch): on a group alone the body computes it from the group's")


ONE_IMAGE_BY_COUNT = ("a division (``/``) of one image's value by a number the body computed from the batch's count or sizes "
                      "(``/ max(len(targets), 3)``, ``/ len(kept)`` of a list filled from the targets, ``/ "
                      "sum(s['labels'].numel() for s in targets)``): on a group alone it is computed from the group's")


def _one_image_by_count(frame: Frame, ratio: Ratio, factor: Any) -> bool:
    """Whether ``factor``, a plain number scaling a value of one image, is computed in the body's
    code from the batch's count or sizes (``_bytecode.counted_number``)."""
    return (frame.num_images > 1 and type(factor) in (int, float) and bool(factor)
            and ratio.host_image is not None and batch_number())


COUNTED_FACTOR = ("a product (``*``) of a reduced value by a number the body computed from the batch's count or sizes "
                  "(``l.sum() * Cfg.scale`` of ``scale = 1.0 / len(targets)`` in a class body): on a group alone it "
                  "is computed from the group's")


def _by_count(frame: Frame, factor: Any, positions: bool = True) -> bool:
    """Whether ``factor``, a plain Python number, is computed in the body's code from the batch's
    count or sizes (``_bytecode.counted_number``; a literal equal to the count is none). Without
    ``positions``: an attribute holding such a number (``_bytecode.counted_attribute``), positions aside."""
    return frame.num_images > 1 and type(factor) in (int, float) and bool(factor) and (
        counted_number(zero=False) if positions else counted_attribute())


def _reciprocal_of_count(frame: Frame, factor: Any) -> bool:
    """Whether the float ``factor`` scaling a reduced loss of several images is, in the code of the
    ``*``, ``c / <expr>`` with ``<expr>`` computed from the batch (``_bytecode.reciprocal_of_count``),
    which ``_times_reciprocal_length`` did not prove one over the number of images."""
    return (type(factor) is float and frame.num_images > 1 and frame.per_image_targets is not None
            and frame.tokens is None and reciprocal_of_count())


UNREAD_COUNT_FACTOR = ("a product or division by a number equal to a count of the call or its reciprocal that no code "
                       "shows (run by C code, ``map(functools.partial(operator.mul, 1.0 / len(t)), per)``, or an item of "
                       "an iterable, ``w * e for w, e in zip([1 / n] * n, per)``): on a group alone it may be the group's")


def unread_count_factor(frame: Frame, track: Track, factor: Any, kind: str) -> bool:
    """Whether one image's values ``track`` (a loss of several times a head's weight zipped with
    the heads, equal to ``1 / n``, is a coefficient: red team 33's ``SumWeightsComputed``) are
    multiplied (``kind`` ``"mul"``) or divided by a float ``factor`` equal to a count of the batch
    (of its images or of their rows, not one image's own: a group alone has another) or its
    reciprocal, no constant of the body's code (``caller_constant``: ``zip([0.25] * n, per)``),
    that the code shows no operand to read from (``_bytecode.factor_unread``: C code runs the
    product or division, or it is a loop's item). An image's own count equal to the batch's is
    either: declined."""
    if type(factor) is not float or frame.num_images < 2 or factor in (0.0, 1.0):
        return False
    counts = (frame.num_images, *frame.lengths, *frame.mixed_sizes)
    if not any(factor == n or abs(factor * n - 1) < 1e-12 for n in counts):
        return False
    if track.ratio is not None:
        one = track.ratio.rows.numel() == 1 or track.ratio.host_image is not None
    elif track.image is not None:
        one = True
    else:  # (the rows' images as the host knows them: no read of a tensor's values)
        rows = next(iter(track.rows.values())) if len(track.rows) == 1 else None
        known = frame.known_rows_per_image(rows) if rows is not None and rows.numel() > 1 else None
        one = rows is not None and (rows.numel() == 1 or frame.rows_image(rows) is not None
                                    or known is not None and sum(c > 0 for c in known) == 1)
    return one and not frame.weight_owners(factor) and not caller_constant(factor) and factor_unread(
        factor, kind == "div")


def _times_reciprocal_length(frame: Frame, track: Track, factor: Any) -> Track | None:
    """A reduced loss of several images times ``c / len(targets)`` (``reciprocal_length``: inline,
    or through locals, ``n = len(targets)``, ``scale = 1.0 / n``): as the division by the number
    of images, on a group alone the group's, times ``c``; one image's value or an average so
    scaled declines (as divided). None where the factor is no such number (the rules for numbers
    read it)."""
    if frame.per_image_targets is None or frame.tokens is not None or frame.num_images < 2:
        return None
    found = reciprocal_length(factor)
    if found is None or found[1] is not frame.per_image_targets:
        return None
    assert track.ratio is not None
    pred = track.from_prediction
    if track.ratio.rows.numel() == 1 or track.ratio.host_image is not None:
        return lost_track("a product of one image's value with one over the number of images "
                          "(``* (1.0 / n)``, ``n = len(targets)``)", pred)
    try:
        over = track.ratio.over_row_count(frame.arange(track.ratio.rows.device))
        return Track(from_prediction=pred, ratio=over if found[0] == 1.0 else over.scaled(scale=found[0]))
    except ValueError:  # an average over the group's images is no ratio
        return lost_track("a product of an average with one over the number of images (``* (1.0 / n)``)", pred)


def _over_targets_length(frame: Frame, z: Any) -> bool:
    """Whether the int ``z`` dividing a loss is ``len(targets)`` of the list of per-image target
    dicts itself (the division's code read: ``a / len(x)`` with ``x`` that very list), which on
    a group alone is the group's number of images."""
    return (type(z) is int and z == frame.num_images and frame.per_image_targets is not None
            and frame.tokens is None and length_divided(z) is frame.per_image_targets)


def _images_by_value_only(frame: Frame, z: Any) -> bool:
    """Whether the int ``z`` dividing a loss, equal to the number of images, may be another number
    equal to it by value: made of a size read after the body read one equal to it off a dim without
    images (``Frame.images_by_value``; where the code is not read, any number), or of a value of one
    image picked by position (``t[0]["n"]``: on a group alone the group's first image's); not where
    the code writes it as ``len(targets)`` or Python made of that alone (``bs = len(t)``,
    ``float(len(t))``, ``max(len(t), 1)``)."""
    if not frame.images_by_value and not frame.per_image_targets or _over_targets_length(frame, z):
        return False
    root: list = []
    tags = executed_number_tags(root)
    if tags is None:
        return frame.images_by_value
    if "L" in tags and not tags & SIZE_TAGS:
        return False
    product = _shape_product(frame, z) if frame.images_by_value else None
    if product is not None and product[3] and set(product[2]) <= set(product[3]):
        return False  # ``np.prod(v.shape[:1])`` of the images' dim: their count
    if frame.images_by_value and tags & SIZE_TAGS:
        return True
    # a value picked by position from the targets themselves (not ``d[0]`` of a list holding ``len(t)``)
    return "pick" in tags and bool(root) and any(
        _locals(root[0]).get(t[4:]) is frame.per_image_targets for t in tags if t.startswith("arg:"))



UNPROVEN_FLOOR = ("by a number read from a clamped tensor made of a number the code does not show to be a count "
                  "or a constant (``torch.tensor(float(bs) + 1).clamp(min=1).item()``, or written since made: ``n += 1``), "
                  "after the body made a size of image rows a plain number: on a group alone it may be the group's")


COMPUTED_COUNT = ("a division by a number computed in the body by Python arithmetic (``n + 1``, ``len(x) - 1``) "
                  "that equals a count of this batch by value only: on a group alone the body computes it from "
                  "the group's, and which count it is cannot be told")
SIZES_AND_COUNT = ("a division by a number the body's code computes from single images' sizes and the number "
                   "of images (``sum(p.numel() for p in pos) * len(t)``): on a group alone it is computed from the "
                   "group's, and which count it is cannot be told")


def _arithmetic_of_reads(frame: Frame, z: Any) -> bool:
    """Whether the divisor ``z`` is a literal of the body's code, Python arithmetic other than an
    addition (``n // 2``, ``30 - n``, ``d = n * 0.5`` before, see ``computed_divisor``), or a
    ``max`` with a number above 1 that no literal proves (``max(n, c)``, ``c = 3``), after numbers
    were read on the host (review12): on a group alone the body divides by its literal, computes
    the divisor from the group's reads or floors them at ``c``, so its value equal to a read, or
    to the count of elements a read did not sum, is no row-sum normaliser (was silently wrong)."""
    if not frame.host_reads:
        return False
    if divisor_source(z) == "literal":
        return True
    if computed_divisor(products=True):
        return True
    found = divisor_arithmetic()  # ``max(n, c)``, ``c`` above 1: a group counting below c divides by c
    if found is None or not found.maximum:
        return False
    others = list(found.numbers)
    if z in others:
        others.remove(z)
    return any(v > 1 for v in others)


def _data_over_read(frame: Frame, ta: Track, b: Any) -> Track | None:
    """A sum of data divided by a Python number read on the host as a row sum (detectron2's logged
    ``fp.sum() / max(float(neg.sum()), 1.0)``): the ratio of two sums, as where the divisor is the
    tensor ``neg.sum()`` itself; on a group alone each sum is the group's, floored as the code
    proves (``frame.host_normaliser``). None where ``b`` is no such read (the number then scales the
    sum as a normaliser, or declines as an unaccounted read); lost where the read is put through
    arithmetic the rules do not follow."""
    if ta.ratio is None or not frame.host_reads or type(b) not in (int, float) or b <= 0 \
            or _arithmetic_of_reads(frame, b) or _summed_argument_sizes(b) or _of_the_weights(frame):
        return None
    tags = executed_number_tags()
    if tags is None or "H" not in tags:  # a global or a default equal to a read's value is no read (session 47 review)
        return None
    counted = frame.host_normaliser(b, divisor_floor)
    if counted is None:
        return None
    if why := _unfollowed_read():
        return lost_track(why, False)
    try:
        return Track(ratio=ta.ratio.scaled(by_rows=counted))
    except ValueError as exc:  # (a sum already clamped or floored: its floor is no numerator's)
        return lost_track(f"a division of a sum of data by a number read on the host ({exc})", False)


def _computed_divisor(frame: Frame, track: Track, z: float) -> Track | None:
    """``l.sum() / (n + c)`` (see ``divisor_arithmetic``): with ``n`` a length the body read of a
    tensor whose rows carry images (as ``/ n`` alone is read, see ``_over_length``) and ``c`` a
    literal, a sum over the group's count of those rows plus ``c``; any other such divisor that
    is, or reads a number that is, a count of the batch or a multiple of one is lost (its equality
    is a coincidence of values). None where the divisor is no such arithmetic, relates to no
    count (a constant of the body, as before), or divides one image's value (``/ (n * (n - 1))``
    of its own ``n``, as ``_constant_divisor`` reads it)."""
    r = track.ratio
    assert r is not None
    if r.host_image is not None or r.rows.numel() == 1:
        return None  # one image's value: a number of that image is the same on any group with it
    if length_and_sizes_divisor():  # ``sum(p.numel() for p in pos) * len(t)``: by its code, not its value
        return lost_track(SIZES_AND_COUNT, track.from_prediction)
    if frame.size_sites and unpacked_size_divisor(frame.size_sites):  # ``/ ((h - 1) * w)``: ``_constant_divisor``'s
        return lost_track(CALLER_SIZED_DIVISOR, track.from_prediction) if _caller_sized(frame) else None
    found = divisor_arithmetic()
    if found is None and computed_divisor(products=False, inline=False):  # ``d = n // 2`` before ``l.sum() / d``: as ``l.sum() / (n // 2)``
        found = Arithmetic((z,), None, True)
    if found is None:  # ``n = 12 + len(x)`` before ``l.sum() / n``: as ``l.sum() / (12 + len(x))``
        found = divisor_arithmetic(stored=True)
    if found is None or found.sized and type(z) not in (int, float):  # (a size of image rows: ``CountedInt``'s)
        return None
    if found.shift is not None and found.shift[0] in frame.lengths and found.shift[0] not in frame.other_lengths:
        n, c = found.shift
        first, *others = frame.lengths[n]
        for rows in others:
            frame.agree(first, rows, "a division by a length of rows plus a number (``len(x) + c``)")
        if r.kind is RatioKind.SUM and not r.divisors and r.normaliser is None and not r.normaliser_ops:
            ones = Ratio.of(torch.ones(first.numel(), device=first.device), first.reshape(-1), 0, RatioKind.SUM)
            return Track(from_prediction=track.from_prediction, ratio=r.scaled(by_rows=ones.shifted(c)))
        return lost_track(COMPUTED_COUNT, track.from_prediction)
    if _side_size(frame, z) is True:  # ``/ (x.size(1) // 3)``, also through locals: sizes of dims without images
        return None
    counts: list[float] = [frame.num_images, *frame.lengths, r.rows.numel(), r.numel]
    instances = frame.instances()
    if isinstance(instances, list):
        counts.append(sum(instances))
    if r.den_values is not None:
        counts.append(row_sums(r.den_values, r.row_dim).sum().item())
    if any(v == c or count_multiple(v, c) for v in (z, *found.numbers) for c in counts if c > 0):
        return lost_track(COMPUTED_COUNT, track.from_prediction)
    if found.unproven and (frame.lengths or frame.host_reads):  # ``len(m.nonzero()) + 1``: maybe a count read
        return lost_track(COMPUTED_COUNT, track.from_prediction)
    return None


TIMES_LENGTH = "a number times a length (``k * len(x)``, ``n * n``)"


def _over_constant_times_length(frame: Frame, track: Track, z: float) -> Track | None:
    """``l.sum() / (k * len(x))`` (detectron2 RPN's ``batch_size_per_image * num_images``, see
    ``_bytecode.constant_times_length``) with ``x`` a tensor whose dim 0 carries images, not
    picked by position, and ``k`` a constant of the call: on a group alone the body divides by
    ``k`` times the group's count of those rows, whatever other count of the batch ``z`` equals.
    None where the code shows no such product (read as before); another ratio over it is lost."""
    found = frame.constant_times_length() if frame.tokens is None else None
    if found is None:
        return None
    k, x = found
    r = track.ratio
    assert r is not None
    rows: Tensor | None = None
    if x is frame.per_image_targets and x is not None:  # ``len(targets)``: the images
        rows = frame.arange(r.rows.device)
    elif isinstance(x, Tensor) and x.dim():
        held = frame.get(x)
        rows = held.rows.get(0) if held is not None and held.lost_at is None else None
        if rows is None or frame.by_position(rows) or rows.numel() != x.shape[0]:
            if k is None or k * x.shape[0] == z:  # on a group alone: a length of its own, or a constant
                return lost_track(f"a division by {TIMES_LENGTH} of a tensor whose rows are not the images' own",
                                  track.from_prediction)
            return None
    else:
        return None
    if rows is None or k is None or k * rows.numel() != z:
        return lost_track(f"a division by {TIMES_LENGTH}", track.from_prediction) if k is None else None
    if r.kind is not RatioKind.SUM or r.divisors or r.normaliser is not None or r.normaliser_ops or r.row_counts:
        return lost_track(f"a division of a ratio other than a plain sum by {TIMES_LENGTH}", track.from_prediction)
    per_row = Ratio.of(torch.full((rows.numel(),), float(k), device=rows.device), rows.reshape(-1), 0, RatioKind.SUM)
    try:
        return Track(from_prediction=track.from_prediction, ratio=r.scaled(by_rows=per_row))
    except ValueError:
        return lost_track(f"a division by {TIMES_LENGTH}", track.from_prediction)


OUTSIDE_TIMES_UNPROVEN = ("a division by a number passed in times a factor the code does not prove a constant of the "
                          "call (``num_boxes * num_boxes``, ``num_boxes * len(targets)``): on a group alone the factor "
                          "may be the group's")


def _over_argument_times_constant(frame: Frame, track: Track, z: float) -> Track | None:
    """``l.sum() / (num_boxes * k)`` (RT-DETR's denoising ``num_boxes * dn_num_group``, see
    ``_bytecode.argument_times_constant``): a number passed in (an outside normaliser) times a
    constant of the call, on a group alone ``k`` times what the caller passes there, so ``k`` times
    the group's share of the number (as ``/ num_boxes``), whatever count of the batch ``z`` equals.
    None where the code shows no such product (read as before); a product with a factor the code
    does not prove a constant declines (``num_boxes * num_boxes`` = 49 was read as 7 x the 7
    instances: on a group of 2 boxes 14, not 4)."""
    found = frame.argument_times_constant() if frame.tokens is None else None
    if found is None:
        return None
    p, k = found
    if not p or not frame.from_arguments(p):
        return None
    if k is None:
        return lost_track(OUTSIDE_TIMES_UNPROVEN, track.from_prediction)
    if not k or p * k != z:
        return None
    over = _over_argument(track, p)
    if over.ratio is None:
        return over
    return Track(from_prediction=over.from_prediction, ratio=over.ratio.scaled(scale=1 / k))


DATA_TIMES_LENGTH = ("a sum of the images' data times (or, unread, over) a length of their rows (``m.sum() * len(m)``): "
                     "on a group alone the group's count")


def _row_length(frame: Frame, kind: str, n: Any, unread: bool = False) -> bool:
    """Whether the number ``n`` dividing (``kind`` "div") or multiplying a reduced value is a length the
    body read of a tensor whose rows carry images (``len(x)``, a local stored from it): an int equal to
    one, no literal or configured constant at the op, nor a local its provenance shows a literal only
    (``k = 4`` beside ``len(x)`` of 4 rows: the same 4 on a group alone, s61: was read as the length).
    ``unread``: the answer where the operand's provenance cannot be read (``nkd``'s ``* gamma * temp ** 2``
    equal to 4: no length)."""
    reading = _length_reading(frame, kind, n)
    return reading == "length" or unread and reading == "unread"


def _length_doubt(frame: Frame, kind: str, n: Any) -> bool:
    """Whether ``n`` is a call's number equal to a length of image rows that its making does not show to be
    one (``_length_reading``): neither that length nor a constant proven."""
    return _length_reading(frame, kind, n) == "doubt"


LENGTH_DOUBT = ("a number equal to a length of image rows whose making does not show it is one (``len(x)`` beside "
                "``len(CLASSES)``, ``len(x.T)`` or ``len(table)`` of as many rows): on a group alone the count or not")


def _length_reading(frame: Frame, kind: str, n: Any) -> str | None:
    """How the number ``n`` at a reduced value's op reads against the lengths of image rows the body read:
    ``"length"`` (``_row_length``), ``"unread"`` (its provenance not read), ``"doubt"`` (a length of no
    value of the call's, ``len(CLASSES)`` of a global, ``len(torch.ones(4, 3))``, or where the latest
    ``len()`` read of that value was of a tensor without images along its rows, ``len(x.T)``: red46b,
    these were read as the group's count, silently wrong), None (no length: a literal, a parameter,
    another value)."""
    if not (type(n) is int or type(n) is float and n.is_integer()) or int(n) not in frame.lengths:
        return None
    source = divisor_source(n) if kind == "div" else offset_source(n, product=True)
    if source in ("literal", "configured"):
        return None
    tags = executed_number_tags()
    if tags is None:
        return "unread"
    # a number a call gave (``P``: ``len(x)``) or ``len(targets)`` (``L``), no literal but ``max``'s floor; not a
    # parameter alone (``scale=4``: the same on a group alone)
    if not ("L" in tags or "P" in tags) or _provenance.literal_values(tags) - _provenance.max_floors(tags):
        return None
    # a length of the call's values that one without images along its rows also has (``m = len(x.T)`` stored
    # before ``len(x)``) or, not of them, the latest read of that value so (``blen``: a list the body built, whose
    # length no host read saw: the latest ``len()`` read is another's)
    rooted = any(t.startswith("arg:") for t in tags)
    if frame.num_images == 1:  # (a call of one image: its group alone is the call, every length the same)
        return "length"
    if "clen" in tags or rooted and int(n) in frame.other_lengths \
            or "blen" not in tags and frame.latest_lengths.get(int(n)) is False:
        return "doubt"
    return "doubt" if "L" in tags and _plain_arguments(frame, tags) else "length"


def _plain_arguments(frame: Frame, tags: frozenset[str]) -> bool:
    """Whether the arguments ``tags`` names (``arg:NAME``, looked up where they were given) are all tuples or
    lists of plain values (``names=("person", "car")``: its ``len`` no count of rows, the same on a group alone)."""
    root: list = []
    executed_number_tags(root)
    if not root:
        return False
    values = _locals(root[0])
    held = [values.get(t[4:]) for t in tags if t.startswith("arg:")]
    return bool(held) and all(isinstance(x, (tuple, list)) and x is not frame.per_image_targets
                              and all(type(i) in (str, int, float, bool) for i in x) for x in held)


def _plus_row_length(frame: Frame, track: Track, n: int) -> Track:
    """``m.sum() + len(x)`` (``_row_length``): on a group alone the group's sum plus its count of those
    rows, one sum over both (a 1 for each row); lost where the sum is not a plain one."""
    assert track.ratio is not None
    first, *others = frame.lengths[n]
    for rows in others:
        frame.agree(first, rows, "a sum plus a length of rows (``m.sum() + len(x)``)")
    ones = Ratio.of(torch.ones(first.numel(), device=first.device), first.reshape(-1), 0, RatioKind.SUM)
    r = track.ratio
    total = add_ratios(r, ones) if r.kind is RatioKind.SUM and not (r.scales or r.divisors or r.normaliser_ops
                                                                      or r.offset or r.num_offset) else None
    if total is None or _chosen_number(n):
        return lost_track("a sum of the images' data plus a length of their rows (``m.sum() + len(x)``)", False)
    return Track(ratio=total)


def _over_row_length(frame: Frame, track: Track, n: Any, pred: bool) -> Track:
    """``l.sum() / len(x)`` (``_row_length``): over the group's count of those rows, or lost where the
    code chose the number against a literal (``max(len(x), 2.0)`` equal to the length)."""
    if why := _chosen_number(n):
        return lost_track(f"div of {why}", pred)
    return _over_length(frame, track, int(n))


def _over_length(frame: Frame, track: Track, n: int) -> Track:
    """``l.sum() / len(pos)`` (also ``max(len(pos), 1)``) with ``n`` a length the body read of a
    tensor whose rows carry images: on a group alone it is the group's count of those rows, so a
    plain sum over it is a sum over a row count (several tensors read with that length: their rows
    must agree, checked with the call's one read). Another ratio over it is lost."""
    assert track.ratio is not None
    floor = divisor_floor()
    if floor is not None and floor > 1:  # ``n = max(len(x), 3)``: on a group alone, at least 3
        return lost_track("a division by a length of rows floored above 1 (``max(len(x), c)``)", track.from_prediction)
    first, *others = frame.lengths[n]
    for rows in others:
        frame.agree(first, rows, "a division by a length of rows (``len(x)``)")
    try:
        # ``max(len(x), 1)``: a group without such rows divides its empty sum by the floor (0, not 0 / 0)
        floored = floor if floor is not None and floor > 0 else None
        return Track(from_prediction=track.from_prediction, ratio=track.ratio.over_row_count(first, floored))
    except ValueError:
        return lost_track("a division of an average by a length of rows (``/ len(x)``)", track.from_prediction)


def _weight_as_data(frame: Frame, kind: str, a: Any, ta: Track | None, b: Any, tb: Track | None) -> bool:
    """Whether an untracked operand is a tensor filled with an image's weight object (not 1), or
    that object added to values, next to a tracked one: no factor, it is data the weight field
    sets (``l_b - torch.tensor(t["loss_weight"])``, ``e_b - t["loss_weight"]``)."""
    for x, t, other in ((a, ta, tb), (b, tb, ta)):
        if t is not None or other is None:
            continue
        if type(x) is float and kind in ("add", "sub", "rsub") and other.ratio is None:  # a reduced
            # loss's offset: see ``_counted_offset``
            images = frame.weight_images(x)  # a literal of the body may be that very object (merged)
            if images and not frame.weight_is_one(images) and offset_source(x) != "literal":
                return True
        filled = frame.weight_filled.get(id(x)) if frame.weight_filled else None
        if filled is not None and filled[0] is x and not frame.weight_is_one(filled[1]):
            return True
    return False


def _weight_factor(frame: Frame, ratio: Ratio, x: Any, value: float | Tensor) -> tuple[float | Tensor, bool]:
    """(``value``, the constant ``x`` scaling or dividing a reduced loss, with the weight field set
    to 1; whether it was a weight): 1 for one image's weight on that image's loss -- a tensor
    filled with its weight object (``l_b * torch.full((), t["loss_weight"])``), or its weight as a
    Python number (``l_b / w``). Another image's weight object declines the call unless it is 1."""
    if isinstance(x, Tensor):
        filled = frame.weight_filled.get(id(x))
        if filled is None or filled[0] is not x:
            return _untracked_on_image(frame, ratio, x, value), False
        if ratio.host_image is not None and ratio.host_image in filled[1]:
            return (1.0, True) if filled[2] is None else (filled[2].detach().reshape(()), True)
        ones = (filled[2] if filled[2] is not None else torch.ones_like(x)).detach().reshape(())
        if ratio.host_image is None and ratio.rows.numel() == 1 and ratio.kind is not RatioKind.SUM_OVER_OPAQUE:
            # one image's loss whose index is on the device (``unbind``): decided there
            among = host_tensor(sorted(filled[1]), torch.long, ratio.rows.device)
            own = (ratio.rows.reshape(1) == among).any().to(ones.device)
            frame.doubt(~own & (x.detach().reshape(()) != ones), OTHER_IMAGE_WEIGHT)
            return torch.where(own, ones, x.detach().reshape(())), False
        frame.doubt((x.detach().reshape(()) != ones).any(), OTHER_IMAGE_WEIGHT)
        return value, False
    if isinstance(value, float) and value is x and ratio.host_image is None and _weight_object(frame, x) \
            and _read_as_weight(frame, x):
        return 1.0, True  # ``l.mean() * t[0]["loss_weight"]``: 1 on any group alone, as on rows (rt28)
    if isinstance(value, float) and ratio.host_image is not None and value is x and not literal_factor(x):
        if ratio.host_image in frame.weight_images(x):
            return 1.0, True
        if (value != 1 and value == frame.host_weight(ratio.host_image) and not frame.data_images(x)
                and not frame.constant_number(x) and not _other_field(frame)):  # by value, as
            # ``_scaled_by``; not a number of the images' data (``t["scale"]``, ``t["scale"].item()``)
            frame.scalar_weights[0] += 1
            return 1.0, True
        weight = frame.host_weight(ratio.host_image)
        if weight is not None and weight != 1 and value != weight and frame.per_image_targets is not None \
                and not frame.weight_images(x) and (("item", frame.weight_field),) in read_fields(frame.per_image_targets, x):
            # ``l_b * t["loss_weight"] ** 0.5``, ``* (t["loss_weight"] + 1)`` (rt25: was data)
            frame.doubt(torch.ones((), dtype=torch.bool), WEIGHT_DERIVED_NUMBER.format(field=frame.weight_field))
    return value, False


def _read_as_weight(frame: Frame, x: float) -> bool:
    """Whether the weight number ``x`` is known read as the weight: a host read of a tensor filled
    with an image's weight object (``Frame.weight_reads``, a new float). The weight object itself is
    no proof: equal literals of one module are one object, a stage weight 0.5 of a global tuple is
    the weights' 0.5 in a test batch, a coefficient there (surveys 12 and 14)."""
    read = frame.weight_reads.get(id(x)) if frame.weight_reads else None
    return read is not None and read[0] is x


WEIGHT_DERIVED_NUMBER = ("a Python number computed from an image's {field!r} (not the weight itself: ``w ** 0.5``, "
                         "``w + 1``) scales its loss: on the image's group alone it is computed from 1")


def _untracked_on_image(frame: Frame, ratio: Ratio, x: Tensor, value: float | Tensor) -> float | Tensor:
    """``value``, the one-element tensor ``x`` without identity scaling one image's reduced loss
    (``l_b * w[b]`` of a vector of the images' weights), with the weight field set to 1: 1 where it
    is that image's weight (see ``unweighted_on_image``)."""
    if frame.get(x) is not None or x.requires_grad:
        return value
    if ratio.host_image is not None:
        image = host_tensor([ratio.host_image], torch.long)
    elif ratio.rows.numel() == 1 and ratio.kind is not RatioKind.SUM_OVER_OPAQUE:
        image = ratio.rows.reshape(1)
    else:
        return value
    unit = unweighted_on_image(frame, x, image, "a reduced loss's factor")
    return value if unit is x else unit.reshape(())


WEIGHTS_DIVISOR = ("a division by a Python number computed from the weight field (``l.sum() / sum(t['loss_weight'] "
                   "for t in targets)``): on a group alone, weights set to 1, the body computes another number")


def _of_the_weights(frame: Frame) -> bool:
    """Whether the code of the Python number dividing a loss reads the weight field (at the
    division, in the assignments of the number locals it loads, or in a generator or
    comprehension it runs: ``sum(t["loss_weight"] for t in targets)``), some image's weight not
    being 1 (was silently read by value as a count, the weights' sum 3.0 of 1, 0.5, 0.5, 1 as
    three images' share)."""
    weights = frame.weight_numbers()
    if frame.weight_field is None or weights is not None and all(w == 1 for w in weights):
        return False
    return frame.weight_field in operand_fields()


def _other_field(frame: Frame) -> bool:
    """Whether the code of the number operand of the op reads a field of a dict other than the
    weight field, and not that one (``t["scale"].item() * 1.0``): data equal to a weight by value."""
    fields = operand_fields() if frame.weight_field is not None else frozenset()
    return bool(fields) and frame.weight_field not in fields


def _host_number(frame: Frame, x: Any, track: Track, kind: str) -> None:
    """A number read on the host from the images' values (other than as the count a sum is
    divided by) that reaches a reduced loss: its value is this batch's, so the call is declined
    (not on one image's loss right after reads of that image only: see ``Frame.host_value``;
    after reads taken as sizes, any number: see ``Frame.loose_number``). A float the body got
    as a parameter (``reg_weight * loss``) was made before any read, whatever read it equals."""
    image = track.ratio.host_image if track.ratio is not None else None
    if not frame.host_reads or _literal_operand(x, kind) or table_operand(x) or frame.constant_number(x) \
            or kind == "div" and _summed_argument_sizes(x):
        return  # a constant of the call (``l * 1.0``, ``l * BALANCE[lvl]``, ``/ SIDE`` of a global never set),
        # or sizes summed by the code, whatever read it equals
    if frame.reaching:
        return  # a site a read's number reaches (``ReadReach``): the op's output is lost unless it takes the count
    if frame.sized_reads and not body_parameter(x) and (image is None or image not in frame.data_images(x)):
        frame.loose_number(x, track, kind)  # (not the very number of the loss's image's data: its own)
    op = frame.host_value(x, track.ratio.host_image if track.ratio is not None else None)
    if op is None:
        op = frame.summed_value(x)  # ``l.mean() * num_fg``
    if op is not None and not body_parameter(x):
        frame.doubt(torch.ones((), dtype=torch.bool), f"a number read on the host at {op} reaches a loss")


def _literal_operand(x: Any, kind: str) -> bool:
    """Whether the number ``x`` of the ``kind`` op the caller's code is executing is written there
    as a constant (``l * 0.5``, ``l / 4.0``, ``l - 1``): no number read on the host."""
    if kind == "div":
        return divisor_source(x) == "literal"
    return offset_source(x, product=kind == "mul") == "literal"


def _floored_divisor(frame: Frame, track: Track) -> Ratio:
    """The row-sum normaliser ``track`` divides by: clamped at ``c`` where the builtin ``max(t, c)``
    returned it on the batch (``Branch.clamped``) and the code proves this division's divisor that
    ``max``'s result (``divisor_floor``): on a group alone ``max(t_S, c)``, whichever value it returns."""
    r = track.ratio
    assert r is not None
    held = frame.floors.get(id(r))
    if held is None or held[0] is not r or held[1].clamped is None or not _clampable(track):
        return r
    c = divisor_floor(only_divides=True)
    return r.scaled(normaliser_op=("min", c)) if c is not None and c == held[1].clamped else r


def _clampable(track: Track) -> bool:
    """Whether a reduced value can be clamped as a row-sum normaliser: a sum of data, or a plain
    sum. Not a mean or a ratio of data (``m.float().mean().clamp(min=0.1)``): the clamp would be
    recorded on a normaliser it has none of, and the value returned unclamped (was silently wrong)."""
    r = track.ratio
    return r is not None and (not track.from_prediction and r.kind is RatioKind.SUM or _plain_sum(r))


UNPROVEN_COUNTER = ("a division by a counter of a loop over constants (``n += 1`` over ``range(3)``) that the code does not "
                    "show counting as often on a group alone -- past a test or a ``break``, over a literal cut by a count, or "
                    "also stored from the images' count (``n = len(t)``) -- equal to a count of the batch, or computed from "
                    "one: on a group alone it may be another number")
COUNTED_DIVISOR = ("a division by a number the body counted over the images' items (``num_pos += len(gt)`` in a loop over the "
                   "images, then ``/ max(1, num_pos * k)``) that equals no count of the loss: on a group alone it is "
                   "the group's count")

PARTLY_COUNTED_DIVISOR = ("a division by a number the body counted over some of the images only (``for u in t[::2]: "
                          "num_pos += len(u['labels'])``, a loop a ``break`` may leave early): on a group alone it counts "
                          "other images, whatever count of the batch it equals")


def _running_count(frame: Frame, z: float) -> bool:
    """Whether the Python number ``z`` dividing a reduced loss is, in the body's code, a count
    added up over a loop over the images (``_bytecode.counted_number``)."""
    return not (isinstance(z, bool) or z == 0 or frame.host_reads or divisor_source(z) != "other"
                or not counted_number(running=True))  # (numbers read on the host: ``Frame.host_normaliser``)


def _sizes_times(frame: Frame, z: Any, ta: Track) -> Ratio | None:
    """The row-sum normaliser of a divisor the code writes ``k * n`` (``k`` a literal or a constant
    of the call) with ``n`` a sum of one size of each image's own tensor read in every iteration of
    a loop (MiDaS' trimmed loss, ``M += len(r)``, then ``/ (2 * M)``; FreeAnchor's ``/ max(1, num_pos *
    topk)``, floored as the code floors it): ``k`` times the group's sizes
    (``_bytecode.summed_multiple``, ``Frame.summed_sizes``). None otherwise."""
    if type(z) not in (int, float) or not z or not frame.image_size_read or frame.host_reads or ta.ratio is None:
        return None
    k = summed_multiple(frame.read_body_call_once)
    if k is None or k == 1.0:
        return None
    return frame.summed_sizes(z, ta.ratio.rows.device, divisor_floor, multiple=k)


def _floored_items(frame: Frame, z: Any) -> float | None:
    """The floor of each item where the Python number ``z`` dividing a reduced loss is, in the
    body's code, a sum over an argument's items of sizes floored one by one (CSL's
    ``sum(max(t["pos_inds"].numel(), 1) for t in targets)``, ``_bytecode.summed_item_floor``)."""
    if not isinstance(z, (int, float)) or isinstance(z, bool) or z == 0 or frame.host_reads \
            or divisor_source(z) != "other":
        return None
    return summed_item_floor()


def _summed_argument_sizes(z: Any, over: str = "argument") -> bool:
    """Whether the Python number ``z`` dividing a reduced loss is, by the body's code, a sum over
    an argument's items of one size each, ``sum(len(u["pos"]) for u in targets)``
    (``_bytecode.summed_argument_sizes``): made of sizes alone, whatever was read on the host.
    ``over="slice"``: over a slice of the argument's items (``targets[:2]``)."""
    return type(z) in (int, float) and z > 0 and divisor_source(z) == "other" and summed_argument_sizes() == over


def _item_list_sizes(frame: Frame, z: Any, device: torch.device) -> Ratio | None:
    """Where the Python number ``z`` dividing a sum over the images is, by the body's code, the sum
    of one size of each item of a list argument of one integer tensor per image (the matcher's kind
    of list, ``Frame.index_item``), floored by a literal (``_summed_items``: Panoptic FCN's
    ``max(sum(len(c) for c in centres), 1)``, ``len(torch.cat(labels))``): a row-sum normaliser of
    those sizes per image, floored as the code floors it (on a group alone the sum of the group's
    items). None where the code or the value shows anything else (float items: per-level anchors
    as long as the images by coincidence, a constant: review13), unless a list of integer items per
    image has, item by item, their sizes, not all equal (TadTR's float segments and their classes)."""
    found = _summed_items(frame, z)
    if found is None or not _per_image_items(frame, found[0], found[1]):
        return None
    _, sizes, floor = found
    counts = Ratio.of(host_tensor([float(n) for n in sizes], torch.float64, device), frame.arange(device), 0, RatioKind.SUM)
    # (as ``mode._host_guarded``: a proven floor applies to each group's sum; without one a group of no item gets none)
    return counts.scaled(normaliser_op=("min", floor) if floor > 0 else ("host", 1.0))


def _per_image_items(frame: Frame, items: Sequence[Tensor], sizes: list[int]) -> bool:
    """Whether ``items`` is a list argument of one item per image: as long as the images, paired by
    the body with its images' values (``Frame.paired``: EEND's ``pred[:len(label)]``), integer
    items (the matcher's kind), or float items whose sizes an integer such list has item by item, not
    all equal (float items alone: per-level anchors as long as the images by coincidence, review13)."""
    lists = frame.read_image_lists() if frame.read_image_lists is not None else []
    if not any(items is held for held in lists) or id(items) not in frame.image_list_items or _changed_list(frame, items):
        return False
    return id(items) in frame.paired_lists or all(_integer_item(t) for t in items) or len(set(sizes)) > 1 and any(
        held is not items and all(_integer_item(t) for t in held) and [t.shape[0] for t in held] == sizes for held in lists)


def _changed_list(frame: Frame, items: Sequence[Any]) -> bool:
    """Whether ``items`` is a list argument of one item per image the body changed in place since the call
    began (``items.reverse()``, ``items[0] = ...``, ``items.pop()``): its items no longer the images'."""
    start = frame.image_list_items.get(id(items))
    return start is not None and (len(start) != len(items) or any(a is not b for a, b in zip(start, items)))


def _integer_item(t: Any) -> bool:
    return isinstance(t, Tensor) and t.dim() >= 1 and not (t.is_floating_point() or t.is_complex() or t.dtype is torch.bool)


ITEMS_DERIVED_DIVISOR = ("a division by a number the body sums over the items of a list argument of one tensor per "
                         "image other than their plain sizes (``sum(len(x) for x in p[1:] if len(x) > 1)``): on a "
                         "group alone made of the group's items")


def _derived_from_items(frame: Frame, z: Any) -> bool:
    """Whether the Python number ``z`` dividing a loss is, by the body's code, ``sum`` of a
    comprehension over a list argument of one item per image, or an expression of it, other than the
    plain sum of their sizes (``_bytecode.summed_item_list``, not exact)."""
    if frame.num_images < 2 or type(z) not in (int, float) or z <= 0 or divisor_source(z) != "other":
        return False
    found = summed_item_list()
    if found is None or found[3] or type(found[0]) not in (list, tuple) or len(found[0]) != frame.num_images \
            or not all(isinstance(t, Tensor) and t.dim() >= 1 for t in found[0]):
        return False
    return _per_image_items(frame, found[0], [int(t.shape[0]) for t in found[0]])


def _constant_item_sizes(frame: Frame, ratio: Ratio, z: Any) -> bool:
    """Whether ``z`` is, by the body's code, the sum of one size of each item of a list argument
    whose tensors are none of the images' and that ``_per_image_items`` does not take for one item
    per image (``_summed_items``): the same on any group, whatever count it equals by value (a list
    of constants one item longer than the images, or float anchors as long as them, whose sum is
    twice the images)."""
    found = _summed_items(frame, z)
    if found is None or any(frame.get(t) is not None for t in found[0]) or _changed_list(frame, found[0]) \
            or _per_image_items(frame, found[0], found[1]) \
            or len(found[0]) == frame.num_images and (z in (ratio.rows.numel(), ratio.numel) or isinstance(
                instances := frame.instances(), list) and z == sum(instances)):
        return False  # (as long as the images and equal to the rows or the instances: the count rules decide, as before)
    lists = frame.read_image_lists() if frame.read_image_lists is not None else []
    return not any(held is not found[0] and all(_integer_item(t) for t in held) and sum(t.shape[0] for t in held) == z
                   for held in lists)  # (equal by value to an integer list's sizes: ``_items_not_rows`` declines)


def _summed_items(frame: Frame, z: Any) -> tuple[Sequence[Tensor], list[int], float] | None:
    """(the list, its items' sizes, the literal floor or 0) where the Python number ``z`` dividing a
    loss is, by the body's code, the sum of one size of each tensor of a list parameter, maybe
    floored by a literal (``_bytecode.summed_item_list``), and equals that sum."""
    if type(z) not in (int, float) or z <= 0 or divisor_source(z) != "other":
        return None
    found = summed_item_list()
    if found is None or not found[3] or type(found[0]) not in (list, tuple) or not found[0] \
            or not all(isinstance(t, Tensor) and t.dim() >= 1 for t in found[0]):
        return None
    items, numel, floor, _ = found
    sizes = [t.numel() if numel else int(t.shape[0]) for t in items]
    return (items, sizes, floor) if z == sum(sizes) and z >= floor else None  # (below the floor: the floor, no sum)


SLICED_SIZES_DIVISOR = ("a division by the sum of sizes of the items of a slice of an argument (``sum(len(u['pos']) for "
                        "u in targets[:2])``): on a group alone the slice holds other images' items")


def _helper_count(frame: Frame, z: float) -> bool:
    """Whether the Python number ``z`` dividing a reduced loss is, in a helper's code (called by
    the body), a count added up in a loop right over one of the helper's parameters
    (``num_samples += len(q)`` over ``enumerate(indices)``, frames or clips passed in): as a running
    count of the body's own code (``_running_count``), it is the group's count only where it
    equals one of the loss's counts or is ``k`` times the instances over ``k`` terms of every
    image (``_repeated_terms``, checked with the call's host read); a sum of per-image numbers the
    values cannot show (the helper's ``frames[b]``) is no multiple of a count. Not from the call's
    arguments, nor a literal or a configured number at the division."""
    return not (isinstance(z, bool) or z == 0 or frame.host_reads or divisor_source(z) != "other"
                or not counted_number(running=True, helpers=True) or frame.from_arguments(z))  # last: on an
    # accelerator the arguments' numbers are a host read


def _counted_divisor(frame: Frame, ratio: Ratio, z: float) -> bool:
    """Whether ``z``, a running count (``_running_count``), equals none of the counts whose group
    share the division takes (the loss's rows or elements, the images, the target instances): on
    a group alone the body computes the group's count, which no share of ``z`` gives. Nor ``k``
    times the instances where the loss holds ``k`` terms of every image (``_repeated_terms``)."""
    if running_position():  # ``n = n + i`` over ``enumerate(targets)``: positions, no count (review13)
        return True
    if frame.image_size_read:  # sizes of single images added up otherwise (``summed_sizes``): equal to a count by value only
        return z not in (ratio.rows.numel(), ratio.numel)
    instances = frame.instances()
    counts = [ratio.rows.numel(), ratio.numel, frame.num_images, *([sum(instances)] if isinstance(instances, list) else [])]
    return z not in counts and not (isinstance(instances, list) and _repeated_terms(frame, ratio, z, sum(instances)))


def _repeated_terms(frame: Frame, ratio: Ratio, z: float, instances: int) -> bool:
    """Whether ``z`` is ``k`` times the target instances (``k >= 2``) and the loss one term per
    image repeated ``k`` times (MOTR: each clip's objects counted once per frame, ``num_samples +=
    len(q)``, over the frames' losses of every clip): the split takes ``k`` times the group's
    instances (``ratio.opaque_den``). Each image's ``k`` terms are checked with the call's host
    read (an image with other than ``k`` declines: the count may be another ``k``-fold sum, a sum
    of squared counts)."""
    k = count_multiple(z, instances)
    if k is None or ratio.rows.numel() != k * frame.num_images:
        return False
    frame.doubt(frame.rows_other_than(ratio.rows, k), f"{COUNTED_DIVISOR}, {k:d} times the instances over terms not {k:d} per image")
    return True


def _rows_per_item(frame: Frame, ratio: Ratio, z: float) -> bool:
    """Whether ``z`` equals the count of the items the loss's rows are (``item_rows``): their
    count, as ``z`` equal to the rows is theirs (the split offers it as ``items``)."""
    k = item_rows(frame, ratio.rows)
    return k > 0 and z * k == ratio.rows.numel()


def _sized_otherwise(frame: Frame, ratio: Ratio, z: float, asked: slice) -> bool | str:
    """False (``z`` is a count the body recounts: one of the counts ``asked`` of
    ``_per_image_counts``, each per image), unless the body read sizes of single images' tensors,
    one per image, that add up to ``z`` (or to ``z / k``, or floored at 1) but are none of those
    image by image: then ``z`` may be computed from them (a number has no identity), whose share
    is another, and the loss declines (``SIZES_DIVISOR``; for their plain sum, every key ``z``
    divides with it)."""
    if not frame.image_size_read or ratio.host_image is not None:
        return False
    # ``k * num`` and ``num += max(n, 1)`` are as common as the plain sum: sizes adding up to a
    # divisor of ``z``, or floored at 1, are what ``z`` may count as well; such a reading is
    # explained only where it matches every count (the share taken may be any of them). A floored
    # count times factors the code proves constants is that product only.
    floored = z if isinstance(z, (FlooredFloat, FlooredInt)) and z.proven else None
    ks = (floored.factor * floored.inner,) if floored is not None else range(1, 17)
    candidates: dict[tuple[float, tuple[int, ...]], int] = {}  # (k, family): the floor it needs (0 first)
    for k in ks:
        if float(z / k).is_integer() and z / k >= 1:
            for floor in (0, 1):
                for family in frame.size_families(z / k, shapes=True, floor=floor) or ():
                    candidates.setdefault((k, family), floor)
    if not candidates:
        return False
    known = _per_image_counts(frame, ratio)
    each = [_scaled(counts, z) for counts, _ in known[asked]]
    every = _counts_taken(known, z)

    def explained(k: float, floor: int, family: tuple[int, ...]) -> bool:
        def fits(c: list[float]) -> bool:
            return all(near_count(a, k * b) for a, b in zip(c, family, strict=True))
        return any(map(fits, each)) if floored is not None or (k, floor) == (1, 0) else all(map(fits, every))

    unexplained = [(k, floor) for (k, family), floor in candidates.items() if not explained(k, floor, family)]
    if not unexplained:
        return False
    if (1, 0) in unexplained:  # the plain sum: every key divided by that number with it (a multiple is this loss's)
        frame.sized_divisors.add(float(z))
    return SIZES_DIVISOR


def _counts_taken(known: list[tuple[list[float], tuple[float, ...]]], z: float) -> list[list[float]]:
    """Per image, scaled to add up to ``z``, each of the counts ``known`` the split may take ``z``
    to be: those it equals, else those it is a multiple of (``opaque_den`` takes an equal count
    first)."""
    taken = [counts for counts, totals in known if any(near_count(z, t) for t in totals)] or [
        counts for counts, totals in known if any(count_multiple(z, t) for t in totals)]
    return [_scaled(counts, z) for counts in taken]


def _per_image_counts(frame: Frame, ratio: Ratio) -> list[tuple[list[float], tuple[float, ...]]]:
    """What each image counts, with the totals a number may equal as that count, of the loss's
    rows (and its elements), of the images and, where the targets tell, of the target instances,
    in that order; the rows counted on the host where their values are known there, else read
    now (``Frame.rows_per_image_host``)."""
    rows = frame.rows_per_image_host(ratio.rows)
    found = [(rows, (sum(rows), float(ratio.numel))), ([1.0] * frame.num_images, (float(frame.num_images),))]
    instances = frame.instances()
    if isinstance(instances, list) and sum(instances) > 0:
        found.append(([float(n) for n in instances], (float(sum(instances)),)))
    return found


def _scaled(counts: list[float], z: float) -> list[float]:
    return [z / max(sum(counts), 1.0) * n for n in counts]


SET_DIVISOR = ("a division by a whole number held by an attribute, an item of one or a global that the body's code, a "
               "method or a function of its module sets (``self.last_bs = len(targets)``): a count of this batch or of an earlier "
               "one, which its value cannot tell")
SIDE_SIZE_DIVISOR = ("a division by an int equal to the number of images (or a multiple of it and of a size) after the "
                     "body read a size of as many of a tensor whose images lie along another dim (``len(x)``, ``x.shape[0]`` "
                     "of a time-major ``[T, B, C]`` with ``T == B``, or ``T == 2 * B``): a constant or the count of images, "
                     "which its value cannot tell")
PICKED_SIZE_DIVISOR = ("a division of a loss of several images by a number equal to a size the body read of some "
                       "images' own tensors only (``t[0][\"boxes\"].shape[0]``): it may be that size, on a group "
                       "alone another image's")


def _picked_image_size(frame: Frame, ratio: Ratio, z: Any) -> bool:
    """Whether ``z``, a plain number that is no literal or configured number (nor an image's weight
    object), divides a loss of several images and equals a size the
    body read of one image's own tensor, where not every image's were read as often (an image
    picked by position, ``float(t[0]["boxes"].shape[0])``; a loop over the images reads each
    image's, see ``size_families``): a number has no identity, and on a group alone the body reads
    the size of the group's image at that position (was taken for a constant: red team 18)."""
    return ratio.host_image is None and picked_size_number(frame, z)


def picked_size_number(frame: Frame, z: Any, uneven: bool = True,
                       source: Callable[[Any], str | None] = divisor_source, indices: bool = True) -> bool:
    """``_picked_image_size`` of the number ``z`` alone, whatever it meets. Without ``uneven`` (where
    ``torch.tensor(float(t[0]["boxes"].shape[0]))`` makes a tensor of it, ``mode._count_valued``: the
    code written there tells a literal) the reads are left to ``read_unevenly`` where it meets a value.
    ``source``: where the code takes ``z`` from (a literal, a configured number), the divisor's by default.
    ``indices``: the sizes read of the images' index tensors count too (``Frame.index_sizes``)."""
    sizes = (*frame.image_sizes, *frame.index_sizes) if indices else frame.image_sizes
    if not sizes or type(z) not in (int, float) or not float(z).is_integer() or frame.weight_object(z):
        return False
    if uneven and not read_unevenly(frame, z, indices) or not uneven and literal_argument(z, "data"):
        return False
    return (any(z in (n, first) for _, n, first in sizes)
            and (not uneven or source(z) not in ("literal", "configured")) and not frame.from_arguments(z)
            and not frame.constant_number(z))


PICKED_SIZE_FACTOR = ("a product of a loss of several images with a number equal to a size the body read of some "
                      "images' own tensors only (``* t[0][\"boxes\"].shape[0]``): it may be that size, on a group alone "
                      "another image's")


def _product_source(z: Any) -> str | None:
    """Where the code takes the factor ``z`` of the product it is executing from (``offset_source``)."""
    return offset_source(z, product=True)


def read_unevenly(frame: Frame, z: float, indices: bool = True) -> bool:
    """Whether ``z`` equals a size read of an image's own tensor and not every image's sizes were
    read as often (an image picked by position; a loop over the images reads each image's)."""
    sizes = (*frame.image_sizes, *frame.index_sizes) if indices else frame.image_sizes
    if not any(z in (n, first) for _, n, first in sizes):
        return False
    reads = [0] * frame.num_images
    for b, _, _ in sizes:
        if b is None or not 0 <= b < frame.num_images:
            return False
        reads[b] += 1
    return len(set(reads)) > 1


IMAGES_BY_VALUE = ("a division by a whole number equal to the number of images that the code does not write as "
                   "``len(targets)``, after the body read a size equal to it off a dim without images "
                   "(``F.one_hot(y, C).shape[-1]``, ``bincount(y, minlength=C).numel()``) or made of a value of one "
                   "image picked by position (``targets[0]['n']``): which it is cannot be told")
MADE_SIDE_SIZE_DIVISOR = ("a division by the size of a dim without images of a tensor the body made (``/ e.shape[-1]``, "
                          "``/ gt_mask.shape[1]``), equal to a count of the batch: a width of its own or one padded to "
                          "the longest image's cannot be told, neither is the group's count")


def _side_size(frame: Frame, z: float) -> bool | str:
    """Whether the divisor ``z``, equal to a count of the batch, is written at the division as the
    size of a dim ``k >= 1`` of a tensor whose images lie along dim 0 only (``side_size_divisor``:
    also kept in a local, or returned by a function given the tensor): True (a constant) where that
    tensor is an argument as passed (``outputs["c"].shape[1]``: the queries, on a group alone the
    same) or joined along dim 0 from argument tensors only (``torch.stack([t["y"] for t in
    targets]).shape[1]``, ``Frame.argument_joins``), or, of any dim, where the factory that made it
    was given that size as a literal (``Frame.literal_dims``); ``MADE_SIDE_SIZE_DIVISOR`` for a tensor the body
    made (its own width, the same on a group alone; padded to the longest image's, not); False for no
    such size."""
    found = side_size_divisor() if frame.tokens is None else None
    if found is not None:
        return _side_size_of(frame, *found, z)
    read = side_size_factors() if frame.tokens is None else None
    if read is None or read[1] != z:
        return False
    # ``/ (x.shape[1] * x.shape[2])``, ``x.shape[1] * 4``: a constant where each size is one; a made
    # tensor's width among them declines as alone
    if any(_images_dim(frame, x, k) for x, k, _ in read[0]):
        return False  # ``x.shape[:2].numel()``: a count of rows over the images' dim, as ``math.prod``'s is
    each = [_side_size_of(frame, x, k, same, x.shape[k]) for x, k, same in read[0]]
    return MADE_SIDE_SIZE_DIVISOR if MADE_SIDE_SIZE_DIVISOR in each else all(v is True for v in each)


def _images_dim(frame: Frame, x: Any, k: int) -> bool:
    track = frame.get(x) if isinstance(x, Tensor) else None
    return track is not None and bool(track.rows) and k in track.rows


def _side_size_of(frame: Frame, x: Any, k: int, same: bool, z: float) -> bool | str:
    """``_side_size`` of the size ``x.shape[k]`` read at the division (``same``: ``x`` is the
    tensor measured), the divisor ``z``."""
    if x is CUT_TENSOR:  # ``o["x"][:, :2].shape[1]``: a tensor the body made, equal to the count by value only
        return MADE_SIDE_SIZE_DIVISOR
    measured = isinstance(x, Tensor) and x.dim() > k and x.shape[k] == z
    literal = frame.literal_dims.get(id(x)) if measured and same else None
    if literal is not None and literal[0] is x and k in literal[1]:
        return True  # ``z = torch.zeros(3, 4)``, ``/ z.shape[0]``: a literal of the code (was read as a count it equals)
    if k == 0:
        return False
    if measured and frame.padded and id(x) in frame.padded:
        return False  # (``pad_sequence``'s width: declined by its own rule, ``shape.padded_use``)
    track = frame.get(x) if measured else None
    if measured and same and track is None and x.dim() > 1 and x.shape[0] == frame.num_images:
        return MADE_SIDE_SIZE_DIVISOR  # a tensor of a row per image the capture does not follow (padded, written per image)
    if not same or track is None or not track.rows or 0 not in track.rows or k in track.rows:
        return False
    if frame.argument_joins.get(id(x)) is x or frame.read_argument_tensors is not None and any(
            t is x for t in frame.read_argument_tensors()):
        return True
    # of a tensor the body made: its own width (``e.shape[-1]`` of ``(x - y).abs()``) or one padded to
    # the longest image's (``gt_mask.shape[1]``), equal to the count by value only (pinned until pinsb)
    return MADE_SIDE_SIZE_DIVISOR


INPUTLESS_DIVISOR = ("a division by a whole number a call returns that is given nothing of the body's values "
                     "(``/ (lambda: 4)()``, ``/ itemgetter(0)([4, 1])``), equal to a count of this batch by value "
                     "only: which, if any, cannot be told")
PLAIN_COUNT_DIVISOR = ("a division by a whole number of the body's after it made a plain number of a count of image rows "
                       "(``float(x.size(0))``): it may be computed from it (``float(x.size(0)) - 1``, ``size * size``), "
                       "and on a group alone from the group's")
PIECES_DIVISOR = ("a division by a number equal to the count of pieces of a cut by position of the images' rows "
                  "(``/ len(pieces)`` of ``x.split(5)``): on a group alone its rows make another count of pieces")
UNSEEN_DIVISION = ("a division run by C code (``map(operator.truediv, per, [len(t)] * len(t))``, ``itertools.starmap``) "
                   "by a number equal to a count of the call: no code shows what the number is (on a group alone it "
                   "may be the group's count)")
GLOBALS_CALL_DIVISOR = ("a division by a number a function returns that reads none of its arguments, only globals "
                        "(``/ get_n(t)`` of ``return N``), equal to a count of this batch by value: a global the code "
                        "may set (``N = len(t)``), or a function it calls, may hold the count")
CALLER_SIZED_DIVISOR = ("a division by a size unpacked from an argument needing no grad at a dim without images, once "
                        "or twice its images' count (``_, m = t['same'].shape`` of a [B, B] matrix, a [B, 2B] mask): a "
                        "caller building it per batch gives the group's on a group alone")


def _caller_sized(frame: Frame) -> bool:
    """Whether the divisor being read is arithmetic of a size unpacked at a dim ``Frame.caller_sized``
    notes (rt36b: ``_, m = t['same'].shape`` of a [B, B] matrix was read as a constant)."""
    return bool(frame.caller_sized) and any(
        not frame.caller_sized.get(site, frozenset()).isdisjoint(dims) for site, dims in unpacked_divisor_sizes(frame.size_sites))


COUNTED_SIZE_DIVISOR = ("a division by sizes unpacked from a tensor the body made with a count of the images "
                        "(``torch.cat([x] + [x[:, :1]] * (len(t) - 1), 1)``, then ``_, r, w = z.shape``): on a group "
                        "alone it has other sizes")
SET_GLOBAL_DIVISOR = ("a division by a number a function returns that reads an attribute of a global, which a "
                      "function the body calls given the batch sets from it (``Settings.views = 1.5 * len(t)``): on a "
                      "group alone, the group's")
MADE_SIZE_DIVISOR = ("a division by sizes unpacked from a tensor the body made, of dims without images (``_, r, w = "
                     "(x - y).shape``, then ``/ (r * w)``), equal to a count of this batch or a multiple of one by value "
                     "only: on a group alone the tensor may have other sizes there, and which count it is cannot be told")
LEFT_EARLY_DIVISOR = ("a division by the counter of a ``range`` after a loop a jump may leave early (``for k in "
                      "range(1, 6): .. if k == 3: break``, then ``/ k``): the int the test stopped at, which may read the "
                      "batch, whatever count it equals")
CHOSEN_DIVISOR = ("a division by a number literal a conditional expression chose (``k = 4.0 if len(t) else 1.0``): "
                  "on a group alone its test picks the arm, whatever count the literal equals")
BATCH_NUMBER_DIVISOR = ("a division by a number literal the code picks with a number of the batch as a whole (``k = "
                        "min(4.0, 2.0 * len(t))``), equal to none of its counts: on a group alone it may pick the other")
BATCH_COMPUTED_DIVISOR = ("a division by a number the code computes from the batch as a whole (``k = max(2.5 * "
                          "len(t), 1.0)``) that is no count of it nor a multiple of one: on a group alone it is computed "
                          "from the group's")
PASSED_NUMBER_COMPUTED = ("a division by a number computed in Python from a number passed in (an outside normaliser, "
                          "``num_boxes = max(num_boxes, 5.0)``, ``torch.as_tensor(num_boxes * 2).clamp(min=6)``): on a group "
                          "alone it is computed from the group's share, whatever count of the batch it equals")
COMPUTED_SIZES_DIVISOR = ("a division by a number computed in Python from sizes of the images' tensors read in a generator "
                          "or comprehension by more than their sum (``sum(len(u['labels']) + 3 for u in t)``, "
                          "``len(u['labels']) * k`` with ``k`` a number of the batch, ``sorted([float(n), 3.0])[-1]``): on a "
                          "group alone it is computed from the group's images, whatever count of the batch it equals")
REBOUND_PARAMETER_DIVISOR = ("a division by a parameter its code stores anew on some path (``n_terms = "
                             "basis.shape[0]`` in a branch or a loop), equal to a count of this batch or a multiple of "
                             "one by value only: what the call passed (a literal, a default) or what a store computed "
                             "cannot be told")
SIZES_DIVISOR = ("a division by a number of the body's after it read sizes of single images' tensors "
                 "(``pos_inds.numel()``, ``len(pos_inds)`` in a loop over the images, the lengths of a matching's "
                 "pairs) that is none of the loss's counts: it may be computed from them, and on a group alone "
                 "from the group's")


def _own_size(frame: Frame, ratio: Ratio, z: float) -> bool:
    """Whether the int ``z``, dividing one image's value (``host_image``), is a size the body read
    of that image's own tensors (floored at 1: ``max(1, foreground.numel())``) and, by the code at the
    division, computed from no count of the images (``counted_number``: no ``len(targets)``, no
    size of image rows): equal to the number of images by value only, it is that image's, the same
    on any group with it."""
    b = ratio.host_image
    if b is None or type(z) is not int or not frame.image_sizes or counted_number() or frame.counted_number(z):
        return False
    return any(i == b and n is not None and max(n, 1) == z for i, n, _ in frame.image_sizes)


def _constant_divisor(frame: Frame, ratio: Ratio, z: float) -> bool | str:
    """Whether the Python number ``z`` dividing a sum is a constant of the body, the same for
    every group: a literal of the body's code (``/ 4.0``: the bytecode shows it), or a number
    (``/ self.scale``) that is none of the call's arguments' numbers (an outside normaliser, whose
    group share is taken) and equals none of the local counts (rows of the loss, its elements,
    target instances, images, non-ignored tokens: the body's own recount), nor a small multiple
    of one (the rows of one image's value aside: the same on any group with it, so ``/ (n * (n -
    1))`` of its one row is its own) unless it is an attribute or a global of the body (``num_boxes * groups``: the count
    times a factor of the body, see ``count_multiple``). Where the bytecode cannot be read (a
    Python whose layout was not checked), a multiple of a count declines the call."""
    if ratio.kind not in (RatioKind.SUM, RatioKind.SUM_OVER_OPAQUE):
        return False
    source = divisor_source(z)
    if source == "literal" or source in ("other", "configured") and frame.constant_number(z):  # ``d = 6``, ``self.d``
        return True
    if source == "other" and _constant_item_sizes(frame, ratio, z):  # ``sum(len(s) for s in segs)`` of 5 items, 4 images
        return True
    if source is not None and passed_number_computed(frame.read_body_call_once, frame.fixed_lists):
        return PASSED_NUMBER_COMPUTED  # ``num_boxes = max(num_boxes, 5.0)``, then ``/ (num_boxes * 2)``
    if source != "configured" and frame.image_size_read and sizes_computed_divisor(z):
        return COMPUTED_SIZES_DIVISOR  # ``sum(len(u["labels"]) * k for u in t)``, ``sorted([float(n), 3.0])[-1]``
    if source != "configured" and frame.image_size_read and divisor_bounds_a_comprehension(direct=True):
        return SIZES_DIVISOR  # ``/ float(min(len(s["boxes"]) for s in t))``: the batch's smallest, whatever it equals
    if source == "other" and literal_number_call():  # ``n = np.int64(4)``
        return True
    if source == "other" and (called := argumentless_call()) is not None and (called or _a_count_by_value(frame, ratio, z)):
        return True if called else GLOBALS_CALL_DIVISOR  # ``/ classes_count(t)`` of ``return len(CLASSES)``
    if source == "other" and argumentless_set():
        return SET_GLOBAL_DIVISOR
    if source == "other" and chosen_divisor(z if z == frame.num_images > 1 else None):  # ``k = 4.0 if len(t) else 1.0``
        return CHOSEN_DIVISOR
    if frame.size_sites and (product := _shape_product_divisor(frame, z)) is not None:
        return product
    if source == "other" and unpacked_size_divisor(frame.size_sites):  # ``/ ((h - 1) * w)``
        return CALLER_SIZED_DIVISOR if _caller_sized(frame) else True
    if source == "other" and counted_size_divisor(frame.size_sites):
        return COUNTED_SIZE_DIVISOR  # ``_, r, w = torch.cat([x] + [x[:, :1]] * (len(t) - 1), 1).shape``
    if source == "other" and frame.size_sites and made_size_divisor(frame.size_sites) and _a_count_by_value(frame, ratio, z):
        return MADE_SIZE_DIVISOR  # ``_, r, w = (x - y).shape``, ``/ (r * w)`` equal to 4 x 3 images
    if source == "other" and type(z) is int and iteration_count():  # ``n += 1`` over ``range(3)``
        return True
    if source == "other" and type(z) is int and counter_left_early():  # ``for k in range(1, 6): .. break``, ``/ k``
        return LEFT_EARLY_DIVISOR
    if source == "other" and configured_item(z, frame.fixed_lists):  # ``self.table["k"]`` of a dict held unchanged
        return True
    if source != "configured" and z != frame.num_images and any(z == held[4] for held in frame.piece_checks.values()):
        return PIECES_DIVISOR  # (equal to the images: a piece per image, as ``len(targets)`` -- read so)
    if (type(z) is int and z == frame.num_images and frame.image_size_read and ratio.host_image is None
            and _one_images_size(frame, z) and divisor_bounds_a_comprehension()):
        return SIZES_DIVISOR
    if frame.from_arguments(z):
        return False
    if type(z) is int and fixed_length(z, (), frame.fixed_lists):  # ``len(self.loader)`` of a list held unchanged
        return True
    if source == "configured" and configured_set():
        return SET_DIVISOR if float(z).is_integer() else True
    if type(z) in (int, float) and frame.side_sizes and _side_multiple(frame, z) and not _over_targets_length(frame, z):
        return SIDE_SIZE_DIVISOR
    if source == "other" and float(z).is_integer() and configured_item_set() and _a_count_by_value(frame, ratio, z):
        return SET_DIVISOR  # ``/ self.table["k"]`` set by the code, equal to a count: this batch's or an earlier one's
    if (source == "other" and frame.plain_counts and type(z) in (int, float) and float(z).is_integer() and z > 0
            and not (type(z) is int and z == frame.num_images) and frame.count_floats.get(id(z)) is None
            and frame.host_value(z) is None and frame.summed_value(z) is None):
        return PLAIN_COUNT_DIVISOR  # ``float(x.size(0)) - 1``, ``size * size``: no identity leads back to the count
    if source == "other" and rebound_parameter_divisor(frame.read_body_call_once) and _a_count_by_value(frame, ratio, z):
        return REBOUND_PARAMETER_DIVISOR  # ``n_terms=8`` passed, ``n_terms = basis.shape[0]`` on another path
    if z == frame.num_images and _own_size(frame, ratio, z):
        return True  # one image's value over its own size (RetinaNet's ``max(1, num_foreground)``): the same on any group with it
    if source == "other" and type(z) in (int, float) and frame.row_constants and float(z) not in frame.row_constants \
            and _plain_size_multiple():
        return PLAIN_SIZE_MULTIPLE  # ``2 * (x.numel() / x.shape[0])``, equal to a count or a multiple of one
    if source == "other" and ratio.host_image is None and _items_not_rows(frame, ratio, z):
        return ITEM_LENGTHS_DIVISOR  # (before the counts it may equal by value: 6 objects of 3 images)
    # a count of the loss's own rows or elements, unless they are one image's (the same on any
    # group with that image: ``sum(losses) / len(losses)`` in a per-image loop)
    if ratio.host_image is None and z in (ratio.rows.numel(), ratio.numel):  # split as the rows (elements)
        return _sized_otherwise(frame, ratio, z, slice(0, 1))
    if ratio.host_image is None and _rows_per_item(frame, ratio, z):  # split as the rows over k per item
        return _sized_otherwise(frame, ratio, z, slice(0, 1))
    if z == frame.num_images and (type(z) is int or source == "other"):
        # images: as ``len(targets)`` (or ``float(len(targets))``, no literal) gives; after sizes read of
        # some images only, or of one image again, it may be made of them (``sum(max(t0.numel(), 1) for t in
        # targets)``): a number has no identity
        if frame.image_size_read and ratio.host_image is None and frame.size_families(z, shapes=True) is None \
                and not _over_targets_length(frame, z):
            return SIZES_DIVISOR
        return _sized_otherwise(frame, ratio, z, slice(1, 2))
    # one image's own rows are that image's on any group with it: no count to be a multiple of
    own = [] if ratio.host_image is not None else [ratio.rows.numel()]
    counts: list[float] = [*own, *([frame.num_images] if type(z) is int else [])]
    instances = frame.instances()
    if isinstance(instances, list):
        if z == sum(instances):
            if frame.image_size_read and ratio.host_image is None and not frame.sized_as(instances):
                frame.doubt(torch.ones((), dtype=torch.bool), f"a loss is divided by {z:g}, the target instances by "
                            "value, after the body read sizes of single images' tensors of other lengths: it may be "
                            "computed from them, and on a group alone from the group's")  # review13
            return False
        counts.append(sum(instances))
    if ratio.den_values is not None:  # tokens counted per row: compared on the host, now
        tokens = row_sums(ratio.den_values, ratio.row_dim).sum().item()
        if z == tokens:
            return False
        counts = [tokens]  # the only count ``opaque_den`` offers then
    if source == "configured" or not any(count_multiple(z, c) for c in counts):
        field = None if source == "configured" or ratio.host_image is not None else frame.field_total(z)
        if field is not None:  # ``n += t["num_boxes"]`` over a local list or in a helper: the group's on its own
            frame.doubt(torch.ones((), dtype=torch.bool), f"a loss is divided by {z:g}, the sum over the images of "
                        f"their {field!r} numbers (on a group alone the group's sum)")
            return True
        # a loss of several images over a count (> 1) that sizes of single images may make up: the keys
        # it divides (each other use is checked at its op), or the call where it is also a number read
        # on the host from the images' values (as ``_host_number`` declines such a read)
        if (source == "other" and frame.image_size_read and ratio.host_image is None and type(z) is float
                and not z.is_integer() and math.isfinite(z) and _computed_after_sizes(frame, z)):
            return SIZES_DIVISOR
        # (1: a count of some images' sizes may be 0 on a group alone, unless the code floors it at 1 or more)
        if (source != "configured" and frame.image_size_read and ratio.host_image is None and float(z).is_integer()
                and (z > 1 or z == 1 and source == "other" and (divisor_floor() or 0.0) < 1)):
            if frame.host_value(z) is None and frame.summed_value(z) is None:
                frame.sized_divisors.add(float(z))
                return SIZES_DIVISOR
            frame.doubt(torch.ones((), dtype=torch.bool), f"a loss is divided by {z:g}, a number of the body's after it "
                        "read sizes of single images' tensors (``pos_inds.numel()``, ``len(pos_inds)`` in a loop over the "
                        "images) and values on the host: it may be computed from them, and on a group alone from the group's")
        elif (source == "other" and type(z) is float and not frame.image_size_read and not frame.host_reads
              and literal_divisor(z) and batch_number()):  # ``k = min(4.0, 2.0 * len(t))``: 4.0 of 3 images
            # (after sizes of single images or numbers were read on the host, the rules of those reads decide)
            return BATCH_NUMBER_DIVISOR
        elif (source == "other" and type(z) is float and z > 1 and not frame.image_size_read
              and not frame.host_reads and batch_number(_side_length_sites(frame))):  # ``k = max(2.5 * len(t), 1.0)``: 7.5 of 3 images
            # (``len(x)`` of a declared time-major ``[T, B, C]`` is ``T``, the same on a group alone)
            return BATCH_COMPUTED_DIVISOR
        return True  # ``/ self.scale`` equal to no count: a multiple of one is a coincidence
    if source is None:
        frame.doubt(torch.ones((), dtype=torch.bool), f"a loss is divided by {z:g}, a multiple of a local count, on a "
                    "Python whose bytecode was not checked: a literal or that count times a factor cannot be told")
    return _sized_otherwise(frame, ratio, z, slice(None))


ITEM_LENGTHS_DIVISOR = ("a division by a number of the body's equal to the sum of the lengths of the items of a list "
                        "argument of one tensor per image (``max(sum(len(c) for c in centres), 1)``): on a group alone the "
                        "sum of the group's items, whatever the body read")


def _items_not_rows(frame: Frame, ratio: Ratio, z: float) -> bool:
    """Whether ``z`` (a computed number) equals the sum of the first-dim sizes of the items of a list
    argument of one integer tensor per image (labels, positions: the matcher's kind of list,
    ``Frame.index_item``), not all equal (Panoptic FCN's and TransFusion's ``max(sum(len(x)
    for x in labels), 1)``, survey 66's WRONG: kept as the batch's number on every group, or read as
    twice the 3 images), and the loss's rows are not as many per image (matched rows gathered per
    item: the row rules give the group's). ``Frame.item_lengths`` takes such a sum for a count only
    where the body used the list item by item with its images' values; otherwise the number is the
    images' by value, never a constant nor another count."""
    if frame.num_images < 2 or frame.read_image_lists is None or not float(z).is_integer() or z <= 0:
        return False
    instances = frame.instances()
    if isinstance(instances, list) and near_count(z, sum(instances)):
        return False  # (targets' instances, a list paired with its images: the count rules' own)
    for items in frame.read_image_lists():
        if not all(isinstance(t, Tensor) and t.dim() >= 1 and not t.is_floating_point() for t in items):
            continue  # (float items: per-level anchors as long as the images by coincidence, a constant: review13)
        lengths = [int(t.shape[0]) for t in items]
        if isinstance(instances, list) and len(instances) == len(lengths) and sum(instances) > 0 \
                and all(n * sum(instances) == k * z for n, k in zip(lengths, instances)):
            continue  # (k items per instance on every image, RT-DETR's denoising groups: the count rules' k x instances)
        if len(set(lengths)) <= 1 or not near_count(z, sum(lengths)):
            continue
        rows = ratio.rows.flatten()
        if rows.numel() != z or rows.is_floating_point():
            return True
        # as many rows as items: the row rules split it where each image has as many rows as items, which
        # is checked with the call's one host read (no sync here), declining the keys of this division
        b = frame.num_images
        counts = torch.zeros(b, dtype=torch.long, device=rows.device).index_add_(
            0, rows.long().clamp(0, b - 1), torch.ones_like(rows, dtype=torch.long))
        wanted = torch.tensor(lengths, dtype=torch.long).to(rows.device, non_blocking=True)
        frame.doubt(((rows < 0) | (rows >= b)).any() | (counts != wanted).any(), ITEM_LENGTHS_DIVISOR, scoped=True)
        return False
    return False


PLAIN_SIZE_MULTIPLE = ("a division by a plain number the body computed from sizes of tensors after it computed a "
                       "count per row of image rows (``2 * (x.numel() / x.shape[0])``), equal to a count of this batch "
                       "or a multiple of one by value only: on a group alone it is no share of that count")


def _plain_size_multiple() -> bool:
    """Whether the divisor being executed (a plain number, maybe equal to a count of the call or a multiple, after
    the call computed a count per row, ``Frame.row_constants``) is made, as its code reads (``_provenance``),
    of sizes of tensors through a quotient and of no number of the batch the rules of counts over the images
    follow (``V``, ``L``, ``H``): the hooks proved the quotient's value a constant, not what was computed
    from it after, so its value alone tells no count it is a multiple of. (A product of side sizes,
    ``x.shape[1] * x.shape[2]``, is no quotient: a constant of the layout.)"""
    tags = executed_number_tags()
    return tags is not None and "op:/" in tags and bool(tags & SIZE_TAGS) and not tags & _provenance.OF_THE_BATCH


def _side_multiple(frame: Frame, z: float) -> bool:
    """Whether ``z`` is a multiple of the number of images and of a size ``side_sizes`` holds: by its
    value alone a count of the images or a number of the steps (``len(x)`` of a ``[T, B, C]`` with
    ``T == 2 * B``, ``max(2.0 * len(x), 1.0)`` of ``T = 6, B = 4``: read as a count, silently wrong)."""
    return (float(z).is_integer() and z > 0 and frame.num_images > 1 and z % frame.num_images == 0
            and any(z % n == 0 for n in frame.side_sizes))


def _side_length_sites(frame: Frame) -> frozenset[tuple[Any, int]]:
    """The ``len`` calls of this call that read only lengths of dims without images (``Frame.side_length_sites``)."""
    return frozenset(site for site, side in frame.side_length_sites.items() if side) if frame.side_length_sites else frozenset()


def _a_count_by_value(frame: Frame, ratio: Ratio, z: float) -> bool:
    """Whether ``z`` equals, or is a small multiple of, a count of this call (the images, the
    loss's rows or elements, the target instances): the rules below would read it as that count."""
    instances = frame.instances()
    counts = [frame.num_images, ratio.rows.numel(), ratio.numel, *([sum(instances)] if isinstance(instances, list) else [])]
    return any(c and (z == c or count_multiple(z, c) is not None) for c in counts)


COUNTED_OFFSET = ("that is no literal of the body (on a group alone the body computes it from the group's images: "
                  "``l.sum() - len(targets)``, ``- b`` in a loop over images)")


def _counted_offset(frame: Frame, ratio: Ratio, c: float) -> str | None:
    """What the Python number ``c`` added to or subtracted from a reduced loss may count, where on
    a group alone the body would compute another number: the images (``- len(targets)``), a
    length of image rows (``len(x)``), the target instances of every image, or, on one image's
    value, that image's position (``- b``, ``b`` a loop's variable). None where ``c`` is a literal
    or a configured constant at the op (the bytecode shows it, as ``_constant_divisor`` reads a
    divisor) or equals none of them; a number is told by its value only, so a local constant
    equal to one of them declines too (a number read on the host is ``_host_number``'s)."""
    if frame.num_images < 2 or c == 0 or not float(c).is_integer():
        return None
    if offset_source(c) in ("literal", "configured"):
        return None
    n = int(c)
    if frame.counted_number(c):
        return "a size of image rows"
    # one image's value minus a length of a list the body built (``push.sum() - num_tags``, the
    # image's own persons): a count of that image's objects whatever it equals
    own = ratio.host_image is not None and local_length()
    if n == frame.num_images and not own:
        return "the number of images"
    if n in frame.lengths and not own:
        return "a length of image rows"
    instances = frame.instances()
    if isinstance(instances, list) and n == sum(instances):
        return "the target instances of every image"
    if ratio.host_image is not None and n == ratio.host_image and loop_operand() is not False:
        return "the position of the loss's image"  # a loop's variable (or none can be told)
    return None


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


BY_IMAGE_COUNT = ("a multiplication by an int equal to the number of images (``* batch_size``, also a tensor made from "
                  "one) or to a length of rows (``* len(x)``)")


BY_IMAGE_COUNT_VALUES = ("by an int equal to the number of images or to a length of image rows (``e / len(targets)``, "
                         "``p / len(p)``, ``e + len(targets)``: on a group alone, the group's count), or the length of "
                         "another image's tensor picked by position (``e_b * len(ts[0])``)")


def values_by_image_count(frame: Frame, kind: str, a: Any, ta: Track | None, b: Any, tb: Track | None) -> bool:
    """Whether per-element values of the images (not yet reduced) are multiplied, divided, or
    shifted by a Python int equal to the number of images or to a length the body read of image rows
    (``(e / len(targets)).sum()``, ``(e * n).mean()`` with ``n = len(targets)``, ``(p / len(p)).sum()``,
    ``(e + len(targets)).mean()``):
    on a group alone that int is the group's count, where the values would keep this batch's (review
    adv19). A literal written at the op, a configured constant or one the code proves (a default
    not passed) is a coefficient (the bytecode shows it), whatever count it equals."""
    track, n = (ta, b) if tb is None else (tb, a)
    if kind == "div" and track is not ta:
        return False  # ``len(targets) / e``: no values over the count
    if type(n) in (FlooredFloat, FlooredInt) and float(n).is_integer():
        n = int(n)  # a count floored on the host (``torch.tensor(float(len(t))).clamp(min=1).item()``): as the int
    if (type(n) is not int or n == 1 or track is None
            or not track.from_prediction or track.ratio is not None or track.parts or track.elements or track.element_formulas
            or track.formula is not None or track.lost_at is not None or not (track.rows or track.image is not None)):
        return False
    owner = _length_owner(frame, track) if kind in ("mul", "div") and track.image is not None and not track.rows else None
    if owner is not None:
        return owner == "another"
    if not (n == frame.num_images or n in frame.lengths):
        return False
    source = divisor_source(n) if kind == "div" else offset_source(n, product=kind == "mul")
    # a parameter's default the call did not pass (SphereFace's ``m=4``) is a constant too
    return source != "literal" and not frame.constant_number(n)


def _length_owner(frame: Frame, track: Track) -> str | None:
    """Whose the Python number operand of the ``*`` / ``/`` being executed is, where it is exactly
    ``len(x)`` of an image's own tensor -- its target tensor, its item of a list argument of one
    item per image (EEND's per-recording labels), or one the capture knows as that image's -- and
    the values ``track`` it meets are one image's: ``"own"`` for their image's (EEND's
    ``losses.min() * len(label)``, a recording's frame count: the same on any group that has the
    image, whatever count of the batch it equals), ``"another"`` for another image's picked by
    position (``len(ts[0])``: on a group without image 0, another image's); None otherwise."""
    image = frame.image_ids.get(id(track.image)) if track.image is not None and not track.rows else None
    found = operand_lengths() if image is not None else None
    if found is None or found[0] != "len" or len(found[1]) != 1 or not isinstance(found[1][0].obj, Tensor):
        return None
    x = found[1][0].obj
    owners: list[int | None] = [b for b in range(frame.num_images) if _own_targets(frame.per_image_targets, b, x)]
    item = frame.image_item(x)
    if item is not None:
        owners.append(item[1])
        if item[1] == image:
            frame.paired(item[0])
    of = frame.get(x)
    if of is not None and not of.rows and of.image is not None and of.lost_at is None:
        owners.append(frame.image_ids.get(id(of.image)))
    if not owners:
        return None
    return "own" if set(owners) == {image} else "another"


def _times_image_count(frame: Frame, a: Any, ta: Track | None, b: Any, tb: Track | None) -> bool:
    """``loss * B`` or ``B * loss`` of a reduced loss (one ratio or several added) and an int
    equal to the number of images."""
    for t, other in ((ta, b), (tb, a)):
        if t is not None and (t.ratio is not None or t.parts):
            rs = t.parts or (t.ratio,)
            return any(r is not None and _is_image_count(frame, r, other) for r in rs)
    return False


UNPROVEN_IMAGE_COUNT = ("a multiplication by an int equal to the number of images (also a tensor made from one) "
                        "that the code does not show as ``len(targets)`` nor a literal (``n = len(targets)``, ``l.mul(len(targets))``: on a group "
                        "alone, the group's images)")


def _reciprocal_argument(frame: Frame, ratio: Ratio, factor: Any) -> float | None:
    """The argument number ``z`` whose reciprocal the Python float ``factor`` scaling a reduced
    loss is (``l.sum().mul(1.0 / batch_total)``): a division by an outside normaliser, whose group
    share is taken as for ``/ batch_total``. None for a factor written in the body (a literal
    ``* 0.25``, ``* self.scale``: a coefficient, whatever argument it is the reciprocal of)."""
    if type(factor) is not float or factor in (0.0, 1.0) or not math.isfinite(factor):
        return None
    if offset_source(factor, product=True) in ("literal", "configured"):
        return None
    z = 1.0 / factor
    if abs(z - round(z)) <= 1e-9 * abs(z):  # ``1 / (1 / 49)`` is 49.00000000000001
        z = float(round(z))
    read = frame.host_value(z, ratio.host_image) if not frame.reaching else None  # (``_host_number``)
    if read is not None:  # ``* (1.0 / num_pos)`` with ``num_pos`` read on the host: this batch's
        frame.doubt(torch.ones((), dtype=torch.bool), f"a number read on the host at {read} reaches a loss")
        return None
    return frame.argument_number(z)


def _over_argument(track: Track, z: float) -> Track:
    """A reduced loss divided by the number ``z`` passed in (an outside normaliser): a sum over
    the group's share of ``z``; an average over it declines (its share is no denominator the
    average's count can carry: kept whole, it was silently the group's mean over the batch's z)."""
    assert track.ratio is not None
    if track.ratio.kind not in (RatioKind.SUM, RatioKind.SUM_OVER_OPAQUE):
        return lost_track("a division of an average by a number passed in (an outside normaliser)", track.from_prediction)
    return Track(from_prediction=track.from_prediction, ratio=track.ratio.scaled(divisor=z))


def _unproven_image_count(frame: Frame, factor: Any) -> bool:
    """Whether ``factor`` scaling a reduced loss of several images is an int equal to their number
    that is neither ``len(targets)`` read at the op nor a literal or configured constant (nor a
    literal raised to a loop's counter, ``loop_power_operand``): it may be the number of images
    kept in a name, which on a group alone is the group's."""
    return (type(factor) is int and factor == frame.num_images > 1 and frame.per_image_targets is not None
            and offset_source(factor, product=True) not in ("literal", "configured") and not loop_power_operand(factor))


COMPUTED_FACTOR = ("a product or division by a number the body's code computes from a count of the batch with a math "
                   "function (``math.sqrt(n)``, ``n = len(targets)``): on a group alone, from the group's count")


def _computed_factor(frame: Frame, factor: Any) -> bool:
    """Whether the Python number ``factor`` scaling or dividing a reduced loss of several images
    is, in the code of the op, computed from a count of the call's images by a ``math`` or numpy
    function (``_bytecode.numeric_call_operand``, ``counted_number``: a float no count equals by
    value), and no literal or configured constant at the op."""
    return (_is_number(factor) and frame.num_images > 1
            and offset_source(factor, product=True) not in ("literal", "configured") and numeric_call_operand()
            and counted_number(zero=False))


def _tensor_image_count(frame: Frame, ratio: Ratio, factor: Tensor) -> None:
    """Decline the call where a one-element tensor of no images scaling a reduced loss holds the
    number of images (or, on an average, a length of rows), as the int would (``_is_image_count``,
    ``_unproven_image_count``): ``n = torch.tensor(len(t)); n += 0``, ``torch.tensor([len(t), 7.])[0]``
    are, on a group alone, the group's count; a tensor made right from a number is read as it."""
    averaged = ratio.kind is not RatioKind.SUM or bool(ratio.divisors) or ratio.normaliser is not None
    _equal_to_counts(frame, factor, {frame.num_images, *(frame.lengths if averaged else ())},
                     f"{UNPROVEN_IMAGE_COUNT} (a tensor)")


def _equal_to_counts(frame: Frame, x: Tensor, counts: set[int], message: str) -> None:
    """Decline the call (checked with its one read) where the one-element tensor ``x`` equals one
    of ``counts``: a count of this batch, which on a group alone is the group's."""
    if frame.num_images < 2 or frame.per_image_targets is None:
        return
    among = host_tensor(sorted(counts), torch.float64, x.device)
    frame.doubt((x.detach().reshape(()).to(torch.float64) == among).any(), message)


def _constant_term(
    frame: Frame, kind: str, a: Any, ta: Track | None, b: Any, tb: Track | None
) -> tuple[str, Any, Track | None, Any, Track | None] | None:
    """``l + c``, ``l - c``, ``c - l`` of a reduced loss and a one-element tensor of no images
    whose autograd history holds no argument of the call (a learned 0-dim parameter, ``l2 *
    emb.norm()`` over the model's weights; not a value of crops passed in ``[NCROP * B, K]``, whose
    rows the capture does not read as images'): the body on a group alone adds the same ``c``. Returns the op as a sum of two reduced values, ``c`` one of
    its own (a mean of ``c`` over every image: ``c`` per group), so that the sum is split as a
    sum of ratios, a loop adding ``c`` once per image declining there (``_repeated_batch_term``);
    None for anything else. A ``c`` equal to a count of the batch declines the call."""
    held, c = (ta, b) if tb is None else (tb, a)
    assert held is not None
    if not (held.ratio is not None or held.parts or held.formula is not None) or held.lost_at is not None and not (
            held.parts or held.formula is not None):
        return None
    if not isinstance(c, Tensor) or c.numel() != 1 or not c.is_floating_point() or frame.num_images < 1:
        return None
    buffers = (frame.weight_filled, frame.untracked_sums, frame.filled_numbers, frame.zero_buffers, frame.slot_buffers,
               frame.loss_buffers)
    if any(id(c) in held_by for held_by in buffers) or c.untyped_storage().data_ptr() in frame.reduced_storages:
        return None
    if not (frame.made_of_parameters(c) or frame.argument_scalar(c)):
        return None  # a value of arguments the capture does not read as images' rows
    instances = frame.instances()
    counts = {frame.num_images, *frame.lengths, *([sum(instances)] if isinstance(instances, list) else [])}
    _equal_to_counts(frame, c, counts, "a one-element tensor equal to a count of the batch is added to a loss")
    first = held.ratio if held.ratio is not None else held.parts[0] if held.parts else None
    device = first.rows.device if first is not None else c.device
    values = c.detach().reshape(()).to(device, copy=True).expand(frame.num_images)  # its value now
    const = Track(from_prediction=True, ratio=Ratio.of(values, frame.arange(device), 0, RatioKind.MEAN))
    if kind == "add":
        return ("add", a, const, b, tb) if ta is None else ("add", a, ta, b, const)
    if kind == "sub":
        return ("sub", a, ta, b, const) if tb is None else ("sub", a, const, b, tb)
    return "sub", b, const, a, ta  # ``Tensor.__rsub__(l, c)``: ``c - l``


def _is_image_count(frame: Frame, ratio: Ratio, factor: Any) -> bool:
    """Whether ``loss * factor`` scales an averaged loss of several images (a mean, a sum over a
    count) by an int equal to their number (``* batch_size``, ``* len(targets)``, which turn a
    mean into a per-batch sum): on a group alone that int is the group's count, which a constant
    factor would not give, so the loss is declined rather than scaled by ``B`` (a number carries no
    identity: a literal equal to it declines too). So is an int equal to a length the body read of
    rows (``* len(pos)``: ``len`` returns a plain int, where ``x.shape[0]`` gives a ``RowCount``).
    A plain sum times such an int (``2 * inter.sum()`` over two images) is read as a constant.
    One image's value (any: ``l_b.mean() * len(targets)``, ``(l_b.sum() - 1) * len(targets)``)
    times the number of images is on a group alone times the group's count; a literal written at
    the op or a configured constant is a coefficient (the bytecode shows it). A float of such an int
    (``* float(len(targets))``) is one where its code reads it made of ``len`` of an argument (red team 47;
    not a host read of one image's field equal to the count, ``* t["scale"].item()``: that image's data)."""
    if type(factor) is float and factor.is_integer() and factor == frame.num_images > 1:
        tags = executed_number_tags()
        if tags is None or "L" not in tags:
            return False
        factor = int(factor)
    if type(factor) is not int or factor == 1:
        return False
    if ratio.host_image is not None:
        return (factor == frame.num_images and frame.num_images > 1
                and offset_source(factor, product=True) not in ("literal", "configured"))
    averaged = ratio.kind is not RatioKind.SUM or bool(ratio.divisors) or ratio.normaliser is not None
    # a literal at the op, one raised to a loop's counter (``2 ** lvl``), or a number the code proves a
    # constant of the call (a module constant no code assigns, ``* E``; a default not passed) is the same
    # on a group alone
    return (factor == frame.num_images or factor in frame.lengths) and averaged \
        and offset_source(factor, product=True) != "literal" and not loop_power_operand(factor) \
        and not frame.constant_number(factor)


BY_SIZES_FACTOR = ("a multiplication by an int the body computed after it read sizes of single images' tensors "
                   "(``num += len(t[\"labels\"])`` then ``l.mean() * num``: on a group alone, from the group's)")


def _sizes_factor(frame: Frame, ratio: Ratio, factor: Any) -> bool:
    """Whether ``factor`` scaling a reduced loss of several images is an int above 1, no literal,
    configured constant or local stored from one, equal to the sum over the images of a size the
    body read of each image's own tensor: it may add them up, and on a group alone the group's do (a running count of sizes
    divides as the group's sum, ``Frame.summed_sizes``; as a factor it was read as a constant,
    silently wrong, found by review14)."""
    if type(factor) is not int or factor < 2 or not frame.image_size_read or ratio.host_image is not None:
        return False
    per_image: dict[Any, list[int]] = {}
    for b, n, _ in frame.image_sizes:
        per_image.setdefault(b, []).append(n if n is not None else 0)
    # the j-th sizes read of the images added up (a size of a dim without images, ``x.shape[1]``, is none)
    if factor not in {sum(family) for family in zip(*per_image.values())}:
        return False
    source = offset_source(factor, product=True)
    return source != "literal" and not frame.constant_number(factor)


STATISTIC_FACTOR = ("a multiplication by a Python statistic of one number per image the body made (``l.sum() * "
                    "max(s)`` of ``s = [float(len(t[\"boxes\"])) ** 0.5 for t in targets]``, ``min``, ``sum``, "
                    "``sorted(s)[-1]``): on a group alone, the group's numbers' statistic")


def _statistic_factor(frame: Frame, factor: Any) -> bool:
    """Whether the Python number ``factor`` scaling a loss is ``max`` / ``min`` / ``sum`` /
    ``sorted(..)[k]`` of a list the body built with one number per image (not all equal, for a
    pick), or of a comprehension over something with one item per image (``_bytecode.
    statistic_operand``): each image's number may be its own, and the group's statistic is
    another number (found by the red team, session 24: read as the body's constant, silently
    wrong)."""
    n = frame.num_images
    if n < 2 or type(factor) not in (int, float) or frame.constant_number(factor):
        return False
    found = statistic_operand()
    if found is None or frame.per_image_targets is not None and read_fields(frame.per_image_targets, factor):
        return False  # (of number fields of the targets: the field rules tell, naming the field)
    name, iterable, listed = found
    try:
        size = len(iterable)
    except TypeError:
        return False
    if size != n:
        return False
    if not listed:
        return True
    if type(iterable) not in (list, tuple) or not all(type(v) in (int, float) for v in iterable) \
            or all(code_constant(v) for v in iterable):
        return False  # (``s = [0.5, 1.0, 2.0]``: the body's literals, the same on any group)
    return name == "sum" or any(v != iterable[0] for v in iterable)


def _computed_after_sizes(frame: Frame, z: float) -> bool:
    """Whether the fractional Python float ``z`` dividing a loss of several images, after the body
    read sizes of single images' tensors, is none of the numbers the code proves constant (a
    literal, an attribute, a global, a local stored from one), of the call's arguments or of its
    host reads: a statistic of per-image numbers made of those sizes (``sum(s)`` of ``s =
    [len(t["boxes"]) ** 0.5 for t in targets]``, ``num_pos / len(t)``) is, on a group alone, the
    group's (found by wr2, session 27)."""
    return (divisor_source(z) == "other" and not frame.constant_number(z) and not frame.from_arguments(z)
            and frame.host_value(z) is None and frame.summed_value(z) is None)


def _scaled_by(frame: Frame, ratio: Ratio, factor: float | Tensor) -> Ratio:
    """``loss * c``: ``c`` is a constant, or one image's weight (then 1) -- a weight tensor arrives
    here as its unweighted value, a Python number equal to the one image's weight is recognised."""
    if ratio.host_image is not None and isinstance(factor, (int, float)):
        image = frame.image_index(ratio.host_image, ratio.rows.device)
        if _is_image_weight(frame, image, factor):
            factor = 1.0
    if isinstance(factor, (int, float)) and type(factor) in (int, float) and frame.constant_number(factor):
        return constant_scaled(ratio, factor)  # ``hits.sum() / y.size(0) * 100``
    return ratio.scaled(scale=factor)


def constant_scaled(ratio: Ratio, c: float) -> Ratio:
    """``ratio`` times ``c``, a constant the code proves: a metric of the images' data times it still
    means what it means as a loss (``data_value``: counted in ``constant_scales``)."""
    out = ratio.scaled(scale=c)
    return out.replace(constant_scales=out.constant_scales + 1) if out.kind is RatioKind.SUM_OVER_ROW_SUM else out


@rule(torch.where, Tensor.where)
def where(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    if len(args) == 1 and not kwargs:  # ``torch.where(mask)``: ``mask.nonzero(as_tuple=True)``
        from .indexing import nonzero  # imports this module

        nonzero(frame, func, args, kwargs, out)
        return
    if not isinstance(out, Tensor) or len(args) < 3:
        return
    tracks = [frame.get(x) for x in args[:3]]
    if all(t is None for t in tracks):
        return
    replaced = nan_replaced(frame, func, args, out) if frame.nan_tests else None
    if replaced is not None:
        frame.set(out, replaced)
        return
    op = op_name(func)
    _weight_picked(frame, args, op)
    if frame.number_tests and tracks[0] is None:  # ``torch.where(lw < 0.9, 0.5 * l, l)``
        weight_test_used(frame, args[0], next((t for t in tracks[1:] if t is not None), None), out.shape, op)
    kept = _picked_everywhere(frame, args, tracks)
    operands = args[:3]
    if kept is not None and torch.broadcast_shapes(args[0].shape, args[kept].shape) == out.shape:
        # the mixed operand's place taken by the one picked everywhere (``where(c, x, x)``: x's values;
        # was ``where(c, x)``, which raised where the values on weights 1 were computed)
        operands, tracks = (args[0], args[kept], args[kept]), [tracks[0], tracks[kept], tracks[kept]]
    new = _elementwise(frame, func, op, operands, tracks, out, args[3:], kwargs)
    if new is not None and new.lost_at is None and len(new.rows) == 1 and tracks[0] is None and frame.positional \
            and isinstance(args[0], Tensor) and args[0].dtype == torch.bool:
        # ``torch.where(pattern.repeat(k)[:n], f, 0.0)`` (rt37): a condition of positions of the batch
        from .indexing import _uneven_picks  # imports this module

        ((e, r),) = new.rows.items()
        _uneven_picks(frame, expand_rows(frame, r, list(out.shape), e), args[0].detach().expand(out.shape), op, args[0])
    if new is not None:
        frame.set(out, new)
        if frame.label_masks and new.lost_at is None and new.from_prediction:
            _where_labels(frame, args, out, new)


@rule(torch.lerp, Tensor.lerp)
def lerp(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.lerp(start, end, weight)`` (trl's generalised JSD): element-wise over its three
    broadcast operands; one reduced over rows (a batch statistic) loses attribution."""
    if not isinstance(out, Tensor):
        return
    operands = [get_arg(args, kwargs, i, name, None) for i, name in enumerate(("end", "weight"), 1)]
    operands = [args[0], *operands]
    tracks = [frame.get(x) for x in operands]
    if all(t is None for t in tracks):
        return
    op = op_name(func)
    if any(_mixes(t) for t in tracks):
        frame.set(out, lost_track(op, any(t is not None and t.from_prediction for t in tracks)))
        return
    new = _elementwise(frame, func, op, operands, tracks, out, (), {})
    if new is not None:
        frame.set(out, new)


def _elementwise(frame: Frame, func: Any, op: str, operands: Sequence[Any], tracks: list[Track | None], out: Tensor,
                 rest: tuple, kwargs: dict) -> Track | None:
    """The track of an element-wise op of several broadcast ``operands`` (``where``, ``lerp``);
    an untracked tensor operand made with a size of image rows noted as ``counted_broadcast``."""
    parts = [(t, broadcast_map(x.dim(), out.dim())) for x, t in zip(operands, tracks) if isinstance(x, Tensor)]
    new = combine(frame, op, parts, out.shape)
    if new is not None and new.lost_at is None and (new.rows or new.image is not None) \
            and (frame.sized_by or frame.count_dims or frame.positional):
        tracked = [x for x, t in zip(operands, tracks) if t is not None and isinstance(x, Tensor)]
        for x in (x for x, t in zip(operands, tracks) if t is None and isinstance(x, Tensor)):
            counted_broadcast(frame, x, tracked, new.rows, out.shape, op)
    made = frame.weight_made
    if new is not None and new.lost_at is None and (
            any(t is not None and t.unweighted is not None for t in tracks)
            or made and any(t is None and type(x) is Tensor and id(x) in made for x, t in zip(operands, tracks))):
        # each position's value with the weight field set to 1: the op of the operands' own such values
        # (entmax's bisection: ``torch.where(f(X * (alpha - 1)) >= 0, tau_m, tau_lo)``); an untracked
        # tensor of the images' weights on weights 1 (``torch.lerp(z, e, w)``: was the batch's weights)
        new.unweighted = func(*[unweighted_of(unweighted_operand(frame, x, t, {}, out.shape, op, False), None)
                                if t is None and isinstance(x, Tensor) else unweighted_of(x, t) if isinstance(x, Tensor)
                                else x for x, t in zip(operands, tracks)], *rest, **kwargs)
    return new


def _weight_picked(frame: Frame, args: tuple, op: str) -> None:
    """``torch.where(e > c, e, t[0]["loss_weight"])``: a value picked is an image's weight object
    (or a one-element tensor filled with it, ``torch.tensor(t[0]["loss_weight"])``), not 1 here;
    on a group alone every weight is 1 (red teams 32 and pr2: the batch's weight was kept)."""
    cond = args[0]
    if not isinstance(cond, Tensor):
        return
    for k in (1, 2):
        v, what, differs = args[k], None, None
        if type(v) is float and v != 1.0 and frame.weight_owners(v):
            what = f"an image's weight field value ({v})"
        elif type(v) is Tensor and v.numel() == 1 and frame.weight_filled and frame.get(v) is None:
            held = frame.weight_filled.get(id(v))  # (None: ones on weights 1; compared on the device, no sync)
            if held is not None and held[0] is v:
                what, differs = "a tensor of an image's weight field value", (v.detach() != (1 if held[2] is None else held[2])).any()
        if what is not None:
            picked = (cond.detach() if k == 1 else cond.detach().logical_not()).any()
            frame.doubt(picked if differs is None else picked & differs,
                        f"{op} picks {what} at some positions (on a group alone every weight is 1)")


def _where_labels(frame: Frame, args: tuple, out: Tensor, track: Track) -> None:
    """``torch.where(labels != -100, loss, 0)`` (``where(labels == -100, 0, loss)``): the loss
    times the test, counting tokens as ``label_product``; any other use of such a test (another
    value where it fails) marks the loss (``follow_labels``)."""
    cond, a, b = args[:3]
    keeps = test_keeps(frame, cond)
    if keeps is None:
        return
    loss, other = (a, b) if keeps else (b, a)
    if _is_number(other) and other == 0 and isinstance(loss, Tensor) and loss.shape == out.shape \
            and cond.dim() == out.dim():
        _count_labels(frame, out, track, cond, keeps, zeroed_counts(frame, loss) if frame.zeroed else None)
    else:
        frame.of_labels[id(out)] = (out, "where")


def _mixes(t: Track | None) -> bool:
    """Whether a track is a value over several rows (a reduction, lost attribution), not row-wise."""
    return t is not None and (t.ratio is not None or t.lost_at is not None or bool(t.parts) or bool(t.elements) or bool(t.element_formulas)
                              or t.formula is not None)


def _picked_everywhere(frame: Frame, args: tuple, tracks: list[Track | None]) -> int | None:
    """``torch.where(cond, x, y)`` where ``y`` (or ``x``) mixes images (a batch-wide default) and
    ``cond``, row-wise, picks the other everywhere: the output is that other's values, and on a
    group alone ``cond`` (its rows) picks it everywhere too, whatever the default would be there.
    The position of the operand picked (1 or 2), with a deferred check that ``cond`` picks it
    everywhere (else the call is declined); None for any other ``where``."""
    cond = args[0]
    if not isinstance(cond, Tensor) or cond.dtype is not torch.bool or _mixes(tracks[0]):
        return None
    mixed = [k for k in (1, 2) if _mixes(tracks[k])]
    if len(mixed) != 1:
        return None
    kept = 3 - mixed[0]
    if not isinstance(args[kept], Tensor):  # (a number picked everywhere: no values of the images)
        return None
    other = cond.detach().logical_not() if kept == 1 else cond.detach()
    frame.doubt(other.any(), "torch.where picks a value reduced over several images (a batch-wide default) at some "
                "positions", scoped=True)
    return kept


@rule(Tensor.masked_fill, torch.masked_fill)
def masked_fill(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    if not isinstance(out, Tensor):
        return
    src, mask = args[0], get_arg(args, kwargs, 1, "mask", None)
    ts, tm = frame.get(src), frame.get(mask)
    if ts is None and tm is None:
        return
    op = op_name(func)
    if frame.number_tests and tm is None:  # ``l.masked_fill(lw < 0.9, 0)``
        weight_test_used(frame, mask, ts, out.shape, op)
    if frame.positional and tm is None and isinstance(mask, Tensor) and ts is not None and ts.rows:
        positional_operand(frame, mask, ts.rows, out.shape, op)  # ``l.masked_fill(torch.arange(l.numel()) < 2, 0)``
    parts = [(ts, identity_map(src.dim()))]
    if isinstance(mask, Tensor):
        parts.append((tm, broadcast_map(mask.dim(), out.dim())))
    filled = _filled_value(frame, op, mask, get_arg(args, kwargs, 2, "value", None), out.dim())
    if filled is not None:
        parts.append(filled)
    new = combine(frame, op, parts, out.shape)
    unit_mask = tm.unweighted if tm is not None and isinstance(mask, Tensor) else None
    if new is not None and new.lost_at is None and unit_mask is not None:
        # a mask testing the weights (``masked_fill(w < 0.9, 0)``): with the weight field set to 1,
        # the mask of the ones (was kept as the batch's: silently wrong, found by helper wrong21)
        value = get_arg(args, kwargs, 2, "value", None)
        unit = ts.unweighted if ts is not None and ts.unweighted is not None else src.detach()
        new.unweighted = (torch.masked_fill(unit, unit_mask, value) if unit_mask.shape == mask.shape and value is not None
                          else None)
        if new.unweighted is None:
            new = lost_track(f"{op} by a mask testing the weights", new.from_prediction)
    elif new is not None and new.lost_at is None and ts is not None and ts.unweighted is not None:
        new.unweighted = func(ts.unweighted, *args[1:], **kwargs)
    if new is not None:
        frame.set(out, new)
        if new.lost_at is None and ts is not None:
            zeroed(frame, out, new, mask, get_arg(args, kwargs, 2, "value", None))


def _filled_value(frame: Frame, op: str, mask: Any, value: Any, ndim: int) -> tuple[Track, dict] | None:
    """The part of a ``masked_fill`` value that is a tracked tensor: a value reduced over several
    images (``e.masked_fill(m, e.detach().mean())``, a batch-wide default: on a group alone another
    value) declines where ``mask`` fills any position, as ``torch.where`` does (was ignored: the
    batch's value kept on every group, silently wrong, rt39); any other tracked value is an operand."""
    track = frame.get(value) if isinstance(value, Tensor) else None
    if track is None:
        return None
    if _mixes(track) and isinstance(mask, Tensor):
        frame.doubt(mask.detach().any(), f"{op} fills a value reduced over several images (a batch-wide default) "
                    "at some positions", scoped=True)
        return None
    return track, broadcast_map(value.dim(), ndim)


def _reduce_dims(func: Any, args: tuple, kwargs: dict, ndim: int) -> tuple[list[int] | None, bool]:
    at = 2 if func in _ORD_FIRST else 1  # ``vector_norm(x, ord, dim, keepdim)``
    dims = get_arg(args, kwargs, at, "dim", (-2, -1) if func is torch.linalg.matrix_norm else None)
    if dims is None and "axis" in kwargs:
        dims = kwargs["axis"]
    keepdim = bool(get_arg(args, kwargs, at + 1, "keepdim", False))
    if isinstance(dims, (tuple, list)) and not dims:
        dims = None  # ``x.sum(dim=())``: torch reduces every dim (was an internal error)
    return dims_arg(dims, ndim), keepdim


_ORD_FIRST = frozenset({torch.linalg.vector_norm, torch.linalg.norm, torch.linalg.matrix_norm})


@rule(Tensor.sum, torch.sum)
def sum_(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``sum``: over the rows of a prediction, a Ratio; of data over rows, a normaliser."""
    if frame.divided and divided_sum(frame, func, args, kwargs, out):
        return
    if frame.diagonal_tables and diagonal_sum(frame, func, args, kwargs, out):
        return
    _reduce(frame, func, args, kwargs, out, RatioKind.SUM, True)


def note_count_quotient(frame: Frame, quotient: Tensor, track: Track, n: Any) -> None:
    """``e / n`` (or ``e /= n``) of per-element values of the images over ``n``, the count of
    their dim-0 rows (``len(e)`` of those very values, or ``len(targets)`` where each image has one
    row there, checked on the device): lost (``values_by_image_count``), but remembered so that
    its full sum is the values' sum over each group's count of those rows, as the body computes
    it on the group alone (RLE's ``loss /= len(loss); loss.sum()``)."""
    rows = track.rows.get(0)
    if type(n) is not int or n < 2 or rows is None or rows.numel() != n or track.image is not None:
        return
    lengths = frame.lengths.get(n, [])
    if any(r is not rows for r in lengths) or not lengths and n != frame.num_images:
        return  # ``len(x)`` of other rows of the same size: their count, not these rows'
    if n == frame.num_images:  # ``len(targets)``: the group's images, these rows' count only at one row per image
        if not lengths and not counted_number() and (shape_operand() or any(
                k not in track.rows and size == n for k, size in enumerate(quotient.shape))):
            # a size equal to the count that the code does not show to be one: a width (``e /
            # o["x"].shape[-1]`` of 4 columns and 4 images, ``e / e.size(-1)`` of 3 quantiles)
            return
        frame.doubt(frame.rows_other_than(rows, 1),
                    "values divided by the number of images, their rows other than one per image")
    unweighted = track.unweighted / n if track.unweighted is not None else None
    note_quotient(frame, quotient, dataclasses.replace(track, unweighted=unweighted), OverCount(rows, float(n)))


def note_divided(frame: Frame, quotient: Tensor, values: Tensor, s: Any, kept: Tensor | None = None) -> None:
    """``values / s`` (or ``values /= s``, ``values`` then rebuilt as ``quotient * s``) of
    per-element values of the images by a 0-dim reduced sum ``s`` (smp's focal normalised by its
    focal term's sum): lost, but remembered so that its full sum is ``values.sum() / s``. ``kept``:
    a copy of the quotient (in place, where ``values`` are rebuilt), else ``values / s`` again."""
    track, ts = frame.get(values), frame.get(s) if isinstance(s, Tensor) else None
    if (isinstance(s, Tensor) and s.dim() == 0 and ts is not None and ts.ratio is not None
            and ts.ratio.kind is RatioKind.SUM and track is not None and track.rows and track.ratio is None
            and not track.parts and not track.elements and not track.element_formulas and track.lost_at is None):
        held = (quotient, values, s)
        frame.divided[id(quotient)] = (held, tuple(version_of(x) for x in held), kept)


def divided_sum(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> bool:
    """The full ``sum()`` of a quotient ``note_divided`` remembered, unchanged since: the sum of
    its values over the divisor, as ``values.sum() / s`` splits. True when followed."""
    src = args[0]
    entry = frame.divided.get(id(src))
    if (entry is None or entry[0][0] is not src or entry[1] != tuple(version_of(x) for x in entry[0])
            or len(args) > 1 or kwargs or not isinstance(out, Tensor)):
        return False  # summed along a dim, or written since (the quotient, its values or divisor)
    _, values, s = entry[0]
    # a write the versions miss (``q.data[0] = 0``, ``values.data.mul_(2)``): checked on the device
    expected = entry[2] if entry[2] is not None else values / s
    frame.doubt((src.detach() != expected).any(), "Tensor.sum of values divided by a sum, written outside their version")
    summed = values.sum()
    _reduce(frame, Tensor.sum, (values,), {}, summed, RatioKind.SUM, True)
    num = frame.get(summed)
    if num is None or num.ratio is None or num.lost_at is not None:
        return False
    try:
        made = _ratio_arithmetic(frame, "div", summed, num, s, frame.get(s))
    except ValueError:
        made = None
    if made is None:
        return False
    frame.set(out, made)
    return True


_NANSUMS = (Tensor.nansum, torch.nansum)


@rule(Tensor.nansum, torch.nansum)
def nansum(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``nansum``: as ``sum`` (NaN rows add 0 to the group's numerator too)."""
    _reduce(frame, func, args, kwargs, out, RatioKind.SUM, False)


@rule(Tensor.mean, torch.mean)
def mean(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``mean``: over the rows of a prediction, a Ratio of the group's elements."""
    _reduce(frame, func, args, kwargs, out, RatioKind.MEAN, True)


@rule(
    Tensor.amax, torch.amax, Tensor.amin, torch.amin, Tensor.argmax, torch.argmax, Tensor.argmin,
    torch.argmin, Tensor.norm,
    torch.norm, Tensor.logsumexp, torch.logsumexp, Tensor.all, torch.all, Tensor.any, torch.any,
    Tensor.prod,
    torch.prod, Tensor.std, torch.std, Tensor.var, torch.var, Tensor.count_nonzero,
    torch.count_nonzero, Tensor.median, torch.median, Tensor.nanmedian, torch.nanmedian, Tensor.nanmean, torch.nanmean,
    torch.linalg.vector_norm,
    torch.linalg.norm,
    torch.linalg.matrix_norm,
)
def reduction(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Other reductions: followed over dims that carry no images; over rows, attribution ends
    (a full 2-norm over rows is remembered: its square is a sum, see ``_full_norm``; a pooled
    variance is a function of ratios, see ``formulas.pooled_moment``; a full ``nanmean`` is a mean
    over each group's non-NaN elements, see ``_reduce``)."""
    if func in (Tensor.count_nonzero, torch.count_nonzero) and _count_nonzero_as_sum(frame, args, kwargs, out):
        return
    if func in (Tensor.var, torch.var, Tensor.std, torch.std):
        moment = pooled_moment(frame, func, args, kwargs, out)
        if moment is not None:
            frame.set(out, moment)
            return
    _reduce(frame, func, args, kwargs, out, None, False, func in (Tensor.nanmean, torch.nanmean))
    if func in (Tensor.amax, torch.amax, Tensor.amin, torch.amin):
        _note_extreme(frame, func, args, kwargs, out)
    elif func in (Tensor.norm, torch.norm):
        _full_norm(frame, args, kwargs, out)
    elif func in _WHETHER and isinstance(out, Tensor) and out.numel() == 1 and get_arg(args, kwargs, 1, "dim", None) is None:
        _note_whether(frame, func, args[0], out)
        note_finiteness(frame, func, args, out)  # ``torch.isfinite(loss).all()``: the test itself


def _count_nonzero_as_sum(frame: Frame, args: tuple, kwargs: dict, out: Any) -> bool:
    """``count_nonzero(x, dim)`` of a tracked tensor: the sum of ``x != 0`` over ``dim``, followed as
    that sum is (a masked mean's divisor ``torch.count_nonzero(m)``). True when followed."""
    src = args[0] if args else kwargs.get("input")
    if not isinstance(src, Tensor) or not isinstance(out, Tensor) or frame.get(src) is None:
        return False
    nonzero = src
    if src.dtype is not torch.bool:
        nonzero = src != 0
        comparison(frame, Tensor.ne, (src, 0), {}, nonzero)
    sum_(frame, Tensor.sum, (nonzero, *args[1:]), {k: v for k, v in kwargs.items() if k != "input"}, out)
    return True


@rule(Tensor.kthvalue, torch.kthvalue)
def kthvalue(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``x.kthvalue(k, dim)``: the k-th smallest along ``dim`` (values and their indices), a
    reduction as ``median(dim)`` is: along a dim without images each image keeps its own rows
    (the k-th of its own entries); along a row dim images mix (the batch's k-th), declined. Of
    weighted values (whose order a weight set to 1 may change): declined."""
    src = get_arg(args, kwargs, 0, "input", None)
    track = frame.get(src)
    if track is None or not isinstance(src, Tensor):
        return
    if track.unweighted is not None and track.lost_at is None and track.ratio is None:
        for o in tensors(out):
            frame.lose(o, f"{op_name(func)} of weighted values", track)
        return
    dim, keepdim = get_arg(args, kwargs, 2, "dim", -1), get_arg(args, kwargs, 3, "keepdim", False)
    _reduce(frame, func, (src, dim, keepdim), {}, out, None, False)


@rule(Tensor.quantile, torch.quantile, Tensor.nanquantile, torch.nanquantile)
def quantile(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.quantile(x, q, dim)`` of one number ``q``: an order statistic along ``dim`` as
    ``kthvalue`` is (each image keeps its own rows along a dim without images; along a row dim, or
    of weighted values, declined). A tensor of several ``q`` adds a dim in front: over every dim of
    one image's values (Marigold's ``quantile(d[i][valid[i]], tensor([0.02, 0.98]))``) the
    quantiles are that image's; else declined."""
    src = get_arg(args, kwargs, 0, "input", None)
    track = frame.get(src)
    if track is None or not isinstance(src, Tensor):
        return
    q = get_arg(args, kwargs, 1, "q", None)
    dim, keepdim = get_arg(args, kwargs, 2, "dim", None), get_arg(args, kwargs, 3, "keepdim", False)
    weighted = track.unweighted is not None and track.lost_at is None and track.ratio is None
    several = isinstance(q, Tensor) and (q.dim() > 0 or frame.get(q) is not None)
    if several and not weighted and dim is None and frame.get(q) is None and track.lost_at is None \
            and track.ratio is None and isinstance(out, Tensor) and _one_image_reduction(frame, func, (src,), {}, [out], track):
        return
    if several or weighted:
        for o in tensors(out):
            frame.lose(o, f"{op_name(func)} of weighted values" if not several else op_name(func), track)
        return
    _reduce(frame, func, (src, dim, keepdim), {}, out, None, False)


def _row_grids(grid: Any, grid_track: Track | None, values: Any, track: Track | None) -> bool:
    """``searchsorted(grids [B, K], v [B, M])``: each row searched in its own grid, the images
    along leading dims of both (or of one, the other carrying none; never the searched last dim),
    unweighted."""
    if not (isinstance(grid, Tensor) and isinstance(values, Tensor) and grid.dim() >= 2 and values.dim() == grid.dim()):
        return False
    last = grid.dim() - 1
    return all(t is None or (bool(t.rows) and last not in t.rows and t.image is None and t.lost_at is None
                             and not t.reduced and t.unweighted is None) for t in (grid_track, track))


def _picked_by_position(frame: Frame, track: Track) -> bool:
    """One image's values outside any loop (``t[0]["time"]``): picked by position, on a group
    alone another image's. Its positions or grid then cut every image's rows alike (the batch's
    cut on every group), so the op ends attribution; in a loop over the images each is its own."""
    return not track.rows and track.image is not None and frame.num_images > 1 and not looped()


@rule(torch.trapezoid, torch.trapz)
def trapezoid(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.trapezoid(y, x, dim=d)``: a reduction along ``d`` as ``y.sum(d)`` is, each image
    keeping its own entries along a dim without images (a one-image tensor: its own value). ``x``
    of one image (``grid[grid <= t_b]``) with ``y`` of one image (``hz[b, grid <= t_b]``) adds that
    image; ``x`` with image rows, or beside ``y`` of several images, or weighted ``y``: declined."""
    y = get_arg(args, kwargs, 0, "y", None)
    x = get_arg(args, kwargs, 1, "x", None)
    ty = frame.get(y) if isinstance(y, Tensor) else None
    tx = frame.get(x) if isinstance(x, Tensor) else None
    if ty is None and tx is None or not isinstance(out, Tensor) or not isinstance(y, Tensor):
        return
    op = op_name(func)
    if tx is not None and (tx.rows or tx.lost_at is not None or tx.reduced or tx.unweighted is not None
                           or tx.image is None or ty is None or ty.rows or ty.image is None):
        # ``x`` of one image for the rows of several (its mask picked by position outside a loop:
        # on a group alone another image's), or of several images' rows
        frame.lose(out, f"{op} along values of the images", tx)
        return
    if ty is not None and ty.unweighted is not None and ty.lost_at is None and ty.ratio is None:
        frame.lose(out, f"{op} of weighted values", ty)
        return
    assert ty is not None  # (``x`` alone tracked: lost above)
    if tx is not None and _picked_by_position(frame, tx):
        frame.lose(out, f"{op} along one image's values picked by position outside a loop", tx)
        return
    _reduce(frame, func, (y, kwargs.get("dim", -1), False), {}, out, None, False)
    made = frame.get(out)
    if tx is None or made is None or made.lost_at is not None:
        return
    new = combine(frame, op, [(made, identity_map(out.dim())), (tx, {})], out.shape)
    if new is not None:
        frame.set(out, new)


_WHETHER = {Tensor.any: ("ne", "gt"), torch.any: ("ne", "gt"), Tensor.all: ("eq", "eq"), torch.all: ("eq", "eq")}


def _note_whether(frame: Frame, func: Any, src: Any, out: Tensor) -> None:
    """``mask.any()`` / ``mask.all()`` over the rows of one dim (or of one image): on a group
    alone, whether some / every element of its rows is non-zero, that is whether the group's
    count of non-zero (zero) elements is above 0 (is 0); noted for a branch on it."""
    track = frame.get(src)
    if track is None or not isinstance(src, Tensor) or track.lost_at is not None or track.ratio is not None:
        return
    if len(track.rows) == 1:
        ((d, rows),) = track.rows.items()
        if frame.by_position(rows):  # ``y.chunk(2)[0]``: other images on a group alone
            return
    elif not track.rows and track.image is not None:
        d, rows = -1, track.image.reshape(1)
    else:
        return
    op, ratio = _whether(src, track, rows, d, func is Tensor.any or func is torch.any)
    frame.noted_test(out, op, ratio, 0.0, f"{op_name(func)} of the images' values")


def _whether(src: Tensor, track: Track, rows: Tensor, d: int, some: bool) -> tuple[str, Ratio]:
    """(the comparison with 0, the count per group) of whether some (not ``some``: every) element
    of ``src``'s rows ``rows`` along ``d`` is non-zero, with the weight field at 1."""
    values = unweighted_of(src, track)
    counted = (values != 0 if some else values == 0).to(torch.float32)
    return "gt" if some else "eq", Ratio.of(counted, rows, d, RatioKind.SUM)


def note_iterated_truth(frame: Frame, src: Tensor, track: Track, pieces: Sequence[Tensor], builtin: str) -> None:
    """``any(x)`` / ``all(x)`` of Python's builtin over the elements of a tensor of image rows
    along dim 0, one value each (``if any(torch.isinf(nll)):`` in torchsurv): ``x.any()`` /
    ``x.all()``, whatever element Python stops at; on a group alone, of the group's rows. Noted on
    each element (``Frame.iterated_truths``); the first one read gives the branch, decided per
    group. Not where dim 0 is a piece taken by position (``any(e[:2])``) or holds no image rows."""
    rows = track.rows.get(0)
    if (rows is None or len(track.rows) != 1 or track.lost_at is not None or track.ratio is not None
            or frame.by_position(rows) or rows.dim() != 1 or rows.numel() != src.shape[0]
            or src.numel() != src.shape[0]):
        return
    op, ratio = _whether(src, track, rows, 0, builtin == "any")
    with torch._C.DisableTorchFunction():  # the batch's outcome, read with the split's one read (#15)
        taken = (src.any() if builtin == "any" else src.all()).detach()
    branch = Branch(ratio, op, 0.0, taken, f"Python's {builtin}() over the images' values")
    noted: list[bool] = []
    for piece in pieces:
        frame.iterated_truths[id(piece)] = (piece, branch, noted)


def note_iterated_extreme(frame: Frame, src: Tensor, track: Track, pieces: Sequence[Tensor], builtin: str) -> None:
    """``max(lengths)`` / ``min(x)`` of Python's builtin over the elements of a tensor of image
    rows along dim 0, one value each (torch-struct's ``assert max(lengths) == N``): the builtin
    compares the elements with each other (``piece_comparison``: no images paired, the builtin's
    own choice) and returns one of them, the batch's extreme, which on a group alone is the
    group's. So each element is lost as a value (its image is not the group's) and kept as an
    extreme of the rows (``Frame.extremes``): compared with a number, decided per group
    (``_note_extreme_test``). Not where dim 0 is a piece taken by position or holds no image rows."""
    rows = track.rows.get(0)
    if (rows is None or len(track.rows) != 1 or track.lost_at is not None or track.ratio is not None
            or frame.by_position(rows) or rows.dim() != 1 or rows.numel() != src.shape[0] or src.dim() != 1
            or src.is_complex()):
        return
    values = track.unweighted if track.unweighted is not None and track.unweighted.shape == src.shape else src.detach()
    per_row = values.to(torch.float64)
    lost = f"Python's {builtin}() over the images' values"
    for piece in pieces:
        frame.set(piece, lost_track(lost, track.from_prediction))
        frame.extremes[id(piece)] = (piece, version_of(piece), builtin, per_row, rows)


def piece_comparison(frame: Frame, a: Any, b: Any) -> bool:
    """Whether ``a`` and ``b`` are two elements of one ``note_iterated_extreme``: the builtin's own
    comparison, which decides only which of them it returns (the extreme either way)."""
    if not frame.extremes or not isinstance(a, Tensor) or not isinstance(b, Tensor):
        return False
    ha, hb = frame.extremes.get(id(a)), frame.extremes.get(id(b))
    return (ha is not None and hb is not None and ha[0] is a and hb[0] is b and ha[3] is hb[3]
            and ha[1] == version_of(a) and hb[1] == version_of(b))


def _full_norm(frame: Frame, args: tuple, kwargs: dict, out: Any) -> None:
    """``u.norm(2)`` of every element of a tensor with one dim of image rows (or of one image's
    tensor): a square root of a sum over the rows, no ratio itself but an expression of one;
    remembered with the sum of squares its square is (an L2 regulariser ``u.norm(2).pow(2)``)."""
    src = args[0]
    track = frame.get(src)
    if (
        track is None
        or not isinstance(src, Tensor)
        or not isinstance(out, Tensor)
        or out.dim() != 0
        or track.lost_at is not None
        or track.ratio is not None
        or len(track.rows) > 1
        or not track.rows and track.image is None
        or get_arg(args, kwargs, 1, "p", "fro") not in (2, "fro", None)
        or get_arg(args, kwargs, 2, "dim", None) is not None
        or kwargs.get("dtype") is not None
    ):
        return
    values = unweighted_of(src, track)
    squares = values.abs().square() if values.is_complex() or values.is_floating_point() else values.float().square()
    if track.rows:
        ((d, rows),) = track.rows.items()
        ratio = Ratio.of(squares, rows, d, RatioKind.SUM)
    else:
        assert track.image is not None  # by the condition above
        ratio = Ratio.of(squares, track.image.reshape(1), -1, RatioKind.SUM,
                         host_image=frame.image_ids.get(id(track.image)))
    squared = ratio.compact(frame.tokens)
    frame.norms[id(out)] = (out, Track(from_prediction=track.from_prediction, ratio=squared))
    # as a value where the reduction lost it (one image's own value stays that), the square root of
    # that sum: on a group alone, of the group's rows' squares (auraloss' spectral convergence
    # ``norm(y - x) / norm(y)``, survey 23)
    reduced = frame.get(out)
    if reduced is None or reduced.lost_at is not None:
        frame.set(out, Track(from_prediction=track.from_prediction, lost_at=op_name(Tensor.norm),
                             formula=(("sqrt", _formula.part(0)), (squared,))))


def _row_sums_per_element(
    frame: Frame, src: Tensor, track: Track, reduced: set[int], kind: RatioKind, out: Tensor, lost_at: str
) -> Track | None:
    """``x.sum((0, 2))`` of ``[B, K, P]``: over the rows and every dim but one, a vector of K
    ratios (each the sum, or mean, of its slice over the rows); None for other shapes."""
    kept = [d for d in range(src.dim()) if d not in reduced]
    if out.dim() != 1 or len(kept) != 1 or not 0 < out.shape[0] <= MAX_PARTS:
        return None
    ((d, rows),) = track.rows.items()
    values = unweighted_of(src, track)
    if not values.is_floating_point():
        values = values.to(torch.float32)
    row_dim = d - 1 if kept[0] < d else d
    elements = tuple(Ratio.of(v, rows, row_dim, kind).compact(frame.tokens) for v in values.unbind(kept[0]))
    return Track(from_prediction=track.from_prediction, lost_at=lost_at, elements=elements)


def _sum_of_elements(track: Track, kind: RatioKind | None) -> Track | None:
    """The sum or mean of a vector of row-sum ratios: a sum of ratios (``dice_loss.mean()`` over
    classes: each class's ratio over K)."""
    if kind not in (RatioKind.SUM, RatioKind.MEAN) or any(r.test is not None for r in track.elements):
        return None
    n = len(track.elements)
    try:
        parts = track.elements if kind is RatioKind.SUM else tuple(r.scaled(1.0 / n) for r in track.elements)
    except ValueError:
        return None
    return Track(from_prediction=track.from_prediction, lost_at=track.lost_at, parts=parts)


def _reduce(
    frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any, kind: RatioKind | None, neutral: bool,
    nan_mean: bool = False,
) -> None:
    """Over rows of a prediction -> a Ratio; over others -> rows. ``neutral``: the op leaves a
    one-element tensor as it is (``loss.sum()`` of a reduced loss). ``nan_mean``: ``nanmean``,
    over every dim a mean whose denominator is the group's count of non-NaN elements."""
    src = args[0]
    track = frame.get(src)
    if track is None or not isinstance(src, Tensor):
        if kind is RatioKind.SUM and isinstance(src, Tensor) and src.dim() and isinstance(out, Tensor):
            if get_arg(args, kwargs, 1, "dim", None) is None:
                frame.untracked_sums[id(out)] = (out, src, version_of(src))
        if kind is not None and isinstance(src, Tensor) and isinstance(out, Tensor) and out.dim() == 1 < src.dim():
            dims, _ = _reduce_dims(func, args, kwargs, src.dim())
            if dims is not None and 0 in dims and src.shape[0] == frame.num_images:
                frame.untracked_row_sums[id(out)] = out
        counting = kind is RatioKind.SUM or func in (Tensor.count_nonzero, torch.count_nonzero)
        if ((counting or kind is RatioKind.MEAN) and isinstance(src, Tensor) and src.numel() > 1 and isinstance(out, Tensor)
                and out.numel() == 1 and id(out) not in frame.untracked_sums):  # ``w.mean()``, ``w.sum(1).sum(0)``
            frame.untracked_derived[id(out)] = (out, "summed" if counting else "statistic")
        return
    outs = tensors(out) if isinstance(out, tuple) else [out]
    op = op_name(func)
    if track.elements and isinstance(out, Tensor) and out.numel() == 1 and src.dim() == 1:
        summed = _sum_of_elements(track, kind)
        if summed is not None:
            frame.set(out, summed)
            return
    if track.element_formulas and isinstance(out, Tensor) and out.numel() == 1 and src.dim() == 1 \
            and kind in (RatioKind.SUM, RatioKind.MEAN) and get_arg(args, kwargs, 1, "dim", None) in (None, 0, -1, (0,)):
        total = element_total(track, kind is RatioKind.MEAN, func)
        if total is not None:
            frame.set(out, total)
            return
    if track.lost_at is not None or track.ratio is not None:
        for o in outs:
            if (track.ratio is not None or track.parts) and neutral and o.numel() == 1:
                frame.set(o, track)
            elif track.formula is not None and neutral and o.numel() == 1 == src.numel():
                frame.set(o, track)  # ``loss.mean()`` of an expression's one value (auraloss' reduction)
            else:
                frame.lose(o, track.lost_at or op, track)
        return
    ndim = src.dim()
    dims, keepdim = _reduce_dims(func, args, kwargs, ndim)
    reduced = set(range(ndim)) if dims is None else set(dims)
    if len(track.rows) > 1 and set(track.rows) <= reduced and frame.num_images == 1 and frame.tokens is None:
        # one image in the call: every row dim holds only its rows, so a reduction over them all is
        # over that image's elements, read along its first row dim (the others as its elements)
        first = min(track.rows)
        track = dataclasses.replace(track, rows={first: track.rows[first]})
    row_dims = set(track.rows)
    if reduced & row_dims or (track.image is not None and reduced == set(range(ndim))):
        # over the rows, dims of one element are summed alike: ``x[:, None].sum(0)`` (torchmetrics'
        # log-cosh over ``[N, 1]``) is the sum of every element
        full = reduced | {dd for dd in range(ndim) if src.shape[dd] == 1 and dd not in row_dims} == set(range(ndim))
        if kind in (RatioKind.SUM, RatioKind.MEAN) and not full and len(row_dims) == 1 and isinstance(out, Tensor):
            vector = _row_sums_per_element(frame, src, track, reduced, kind, out, f"{op} over a row dim")
            if vector is not None:
                frame.set(out, vector)
                return
        along = not full and not nan_mean and len(row_dims) == 1 and row_dims <= reduced  # (``torch.max(w, 0)``)
        # a sum or mean along the rows of a call of one image: that image's values (RASE's ``x.sum(0)``)
        one_sum = along and kind in (RatioKind.SUM, RatioKind.MEAN) and frame.num_images == 1
        if (kind is None and (full or along) or one_sum) and isinstance(outs[0], Tensor) \
                and _one_image_reduction(frame, func, args, kwargs, outs, track, along):
            return
        if nan_mean and full:
            kind = RatioKind.WEIGHTED_MEAN
        if kind is None or not full or len(row_dims) > 1 or not isinstance(out, Tensor):
            for o in outs:
                frame.lose(o, op if full or kind is None else f"{op} over a row dim", track)
            return
        # A full sum or mean over rows: a loss (or, of data such as a mask, a normaliser, or a
        # returned statistic), per row with the weight field set to 1.
        values = unweighted_of(src, track)
        complex_values = values if values.is_complex() else None
        counted = None
        if nan_mean:
            if complex_values is not None:
                frame.lose(out, op, track)
                return
            # the rows' values are the group's own (weights 1), so are their NaNs: on a group alone
            # ``nanmean`` is their non-NaN sum over their non-NaN count
            present = ~values.isnan()
            values, counted = values.masked_fill(~present, 0), present.to(values.dtype)
        elif complex_values is not None:  # the ratio holds the real part; other reads of the value are checked
            values = values.real
        elif func in _NANSUMS and values.is_floating_point():  # NaN rows add 0 to each group's sum (rt28: the
            values = values.masked_fill(values.isnan(), 0)  # group sums were NaN, the companions left out)
        elif not values.is_floating_point():
            values = values.to(torch.float32)
        host_image = None
        if row_dims:
            (d,) = row_dims
            rows = track.rows[d]
            host_image = frame.rows_image(rows)
        else:
            d = -1
            assert track.image is not None  # one image's tensor, by the condition above
            rows = track.image.reshape(1)
            host_image = frame.image_ids.get(id(track.image))
        counts = zeroed_counts(frame, src) if kind is RatioKind.SUM and frame.zeroed else None
        if kind is RatioKind.SUM and frame.class_weighted:
            _class_weighted_sum(frame, src, out)
        ratio = Ratio.of(values, rows, d, kind, counts if counted is None else counted, host_image)
        frame.set(out, Track(from_prediction=track.from_prediction, ratio=ratio.compact(frame.tokens)))
        if complex_values is not None:
            frame.complex_sums[id(out)] = (out, complex_values.detach(), d)
        return
    if isinstance(outs[0], Tensor) and outs[0].dim():
        frame.positions_mixed(op, src, track, reduced)
    dim_map: dict[int, int | None] = {}
    e = 0
    for dd in range(ndim):
        if dd in reduced and not keepdim:
            dim_map[dd] = None
            continue
        dim_map[dd] = e
        e += 1
    for o in outs:
        if not isinstance(o, Tensor):
            continue
        new = combine(frame, op, [(track, dim_map)], o.shape)
        if new is None:
            continue
        if o is not outs[0]:  # argmax / indices of max: data, not loss
            new.from_prediction = False
        elif track.unweighted is not None and new.lost_at is None:
            raw = func(track.unweighted, *args[1:], **kwargs)
            new.unweighted = raw[0] if isinstance(raw, tuple) else raw
        frame.set(o, new)


def _one_image_reduction(frame: Frame, func: Any, args: tuple, kwargs: dict, outs: list, track: Track,
                         along: bool = False) -> bool:
    """A full reduction other than a sum or mean (``max``, ``median``, ``logsumexp``...) of one
    image's tensor (``pred_b[valid_b].median()``): a value of that image alone, the same on any
    group that holds it. Whether the tensor is one image's: it is (``track.image``), or its one
    dim of rows is one image known on the host. ``along``: a reduction along that one dim of rows
    only (``torch.max(w, 0)``, torchmetrics' generalised Dice), of a batch of one image too: each
    value that image's. (Not a full reduction of a batch of one image: a key summing none of its rows
    after it, such as hard pairs picked by a threshold of that image's own extreme, is then omitted for
    want of rows, where a lost attribution gives the call's value on that image's group alone.)"""
    image = track.image if not track.rows else None
    if image is None and len(track.rows) == 1:
        one = along and frame.num_images == 1 and frame.tokens is None
        b = 0 if one else frame.rows_image(next(iter(track.rows.values())))
        image = frame.image_index(b, outs[0].device) if b is not None else None
    if image is None:
        return False
    new = Track(image=image, from_prediction=track.from_prediction)
    if track.unweighted is not None:
        raw = func(track.unweighted, *args[1:], **kwargs)
        new.unweighted = raw[0] if isinstance(raw, tuple) else raw
    frame.set(outs[0], new)
    for o in outs[1:]:  # indices: data
        if isinstance(o, Tensor):
            frame.set(o, Track(image=image))
    return True


@rule(Tensor.max, torch.max, Tensor.min, torch.min)
def max_min(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``max``/``min``: element-wise of two tensors, or a reduction. ``torch.max(v, c)`` of an
    expression of ratios and a constant vector of one element: ``formulas.floored_by_constant``."""
    if len(args) > 1 and isinstance(args[1], Tensor) or isinstance(kwargs.get("other"), Tensor):
        floored = floored_by_constant(frame, func, args, kwargs, out) if func in (torch.max, Tensor.max) else None
        if floored is not None:
            frame.set(out, floored)
            return
        _binary(frame, func, args, kwargs, out, "")
    else:
        _reduce(frame, func, args, kwargs, out, None, False)
        _note_extreme(frame, func, args, kwargs, out)


@rule(F.softmax, F.log_softmax, Tensor.softmax, Tensor.log_softmax, torch.softmax, torch.log_softmax, F.glu)
def softmax(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Values combined along ``dim`` alone (``F.glu``: its halves gated, ``dim`` -1 by default)."""
    src = args[0]
    track = frame.get(src)
    if track is None or not isinstance(out, Tensor):
        return
    dim = get_arg(args, kwargs, 1, "dim", -1 if func is F.glu else None)
    op = op_name(func)
    if dim is None or norm_dim(int(dim), src.dim()) in track.rows or track.unweighted is not None:
        frame.lose(out, op, track)
        return
    frame.positions_mixed(op, src, track, [dim])
    new = combine(frame, op, [(track, identity_map(src.dim()))], out.shape)
    if new is not None:
        frame.set(out, new)


# ops a function's body names, bound once: a library may rebind torch's names later
_FULL_LIKE, _ZEROS_LIKE, _EMPTY_LIKE, _AS_TENSOR = torch.full_like, torch.zeros_like, torch.empty_like, torch.as_tensor
_DRAWN_LIKE = (torch.rand_like, torch.randn_like)
_DATA_GET = Tensor.data.__get__  # type: ignore[attr-defined]
_INT_ROWS = (torch.long, torch.int)
_CONSTANT_LIKE = {torch.ones_like: 1.0, torch.zeros_like: 0.0}
ORDER_LOST = frozenset(f"{op_name(f)} along a dim that carries images"
                       for f in (Tensor.sort, torch.sort, Tensor.argsort, torch.argsort))
"""Where an order along the images was lost (``indexing.sort``): an index that may permute their
rows, values whose positions are the images' rows in that order."""


@rule(
    torch.zeros_like, torch.ones_like, torch.full_like, torch.empty_like, torch.rand_like,
    torch.randn_like,
)
def like(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``zeros_like``/``full_like``...: same layout, fresh data (no prediction). Filled with an
    image's own weight object (``full_like(l, t["loss_weight"])``), its values count 1."""
    track = frame.get(args[0])
    if func in _CONSTANT_LIKE and isinstance(out, Tensor) and out.numel() == 1 and out.is_floating_point() \
            and (track is None or track.ratio is not None):
        # ``torch.ones_like(precision)``: 1 whatever it is made like, a constant an expression of ratios takes
        frame.constant_tensors[id(out)] = (out, version_of(out), ("c", _CONSTANT_LIKE[func]))
    fill = get_arg(args, kwargs, 1, "fill_value", None) if func is _FULL_LIKE else 0 if func is _ZEROS_LIKE else None
    if type(fill) is int and isinstance(out, Tensor) and out.dtype in _INT_ROWS and 0 <= fill < 2**31:
        frame.note_values(out, {fill: out.numel()})  # ``full_like(src, b)``: rows of image ``b``
    if type(fill) in (int, float) and fill == 0:
        frame.note_zeros(out)
        if func is _ZEROS_LIKE and isinstance(out, Tensor):
            frame.made_zeros[id(out)] = (out, version_of(out))
    images = frame.weight_images(fill) if func is _FULL_LIKE else None
    if track is None:
        if images and isinstance(out, Tensor):
            frame.weight_filled[id(out)] = (out, images, None)
        held = frame.image_fills.get(id(args[0])) if frame.image_fills and args else None
        if held is not None and held[0] is args[0] and func is not _EMPTY_LIKE and func not in _DRAWN_LIKE \
                and isinstance(out, Tensor) and out.shape == args[0].shape:
            from .indexing import note_image_fill  # (it imports this module)

            # ``torch.ones_like(m)`` of a fresh tensor of one constant with a row per image: another one
            note_image_fill(frame, out, None, 1 if func is torch.ones_like else fill if func is _FULL_LIKE else 0)
        return
    if isinstance(out, Tensor) and track.lost_at in ORDER_LOST and func is not _EMPTY_LIKE:
        # ``ones_like(sorted_ids).cumsum(0)``: positions along the images' rows in a sort's order (on a group
        # alone the group's); an empty buffer (``empty_like(order)``) has no values yet
        frame.lose(out, track.lost_at, track)
        return
    if not isinstance(out, Tensor) or track.lost_at is not None or track.ratio is not None:
        return
    if func in _DRAWN_LIKE and (track.rows or track.image is not None):
        # values drawn over the images' rows (a random mask, Gumbel noise): on a group alone its images draw others
        frame.lose(out, f"{op_name(func)} over rows of images (on a group alone they draw other values)", pred=False)
        return
    unweighted = None
    if images and track.image is not None:
        unweighted = weight_of_image(frame, out, track.image, images, torch.ones_like(out))
    elif images and track.rows:  # laid out over rows of several images: theirs, or declined
        among = host_tensor(sorted(images), torch.long, out.device)
        own = torch.stack([torch.isin(r.to(out.device), among).all() for r in track.rows.values()]).all()
        frame.doubt(~own & (out != 1).any(), OTHER_IMAGE_WEIGHT)
        unweighted = torch.where(own, torch.ones_like(out), out)
    frame.set(out, Track(rows=track.rows, image=track.image, unweighted=unweighted))




_INPLACE_UNARY = (
    Tensor.log_, Tensor.exp_, Tensor.neg_, Tensor.abs_, Tensor.sqrt_, Tensor.rsqrt_, Tensor.pow_,
    Tensor.sigmoid_, Tensor.tanh_, Tensor.relu_,
    Tensor.clamp_, Tensor.clamp_min_, Tensor.clamp_max_, Tensor.clip_, Tensor.log1p_, Tensor.expm1_,
    Tensor.square_, Tensor.reciprocal_,
    Tensor.floor_, Tensor.ceil_, Tensor.round_, Tensor.nan_to_num_, Tensor.log2_, Tensor.log10_,
    Tensor.exp2_, torch.relu_,
)


@rule(*_INPLACE_UNARY)
def inplace_unary(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """As ``_inplace_unary``; through a view, tensors over the same memory see the write. A bound
    of ``clamp_`` that is a tracked tensor (``e.clamp_(max=0.5 * e.detach().max())``) is followed as
    ``clamp`` out of place follows it (was not read: the batch's bound kept on every group, rt39)."""
    plain = _CLAMPS_IN_PLACE.get(func)
    if plain is None or not isinstance(args[0], Tensor) or not _clamped_by_tensor(frame, plain, args, kwargs, args[0]):
        _inplace_unary(frame, func, args, kwargs, out)
    elif frame.get(args[0]) is not None:
        lose_aliases(frame, args[0], op_name(func))
    written_through_view(frame, args[0], op_name(func))


_CLAMPS_IN_PLACE = {Tensor.clamp_: Tensor.clamp, Tensor.clamp_min_: Tensor.clamp_min, Tensor.clamp_max_: Tensor.clamp_max,
                    Tensor.clip_: Tensor.clip}


def _inplace_unary(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``l.log_()``, ``l.clamp_(min=eps)``, ``l.neg_()``...: same rows; remembered unweighted
    values get the op too, out of place (so no other tensor's values go stale). A reduced loss
    written in place: declined; ``mask.sum().clamp_(min=1)``: a normaliser clamped per group."""
    target = args[0]
    track = frame.get(target)
    if track is None or not isinstance(target, Tensor):
        return
    if track.parts or track.elements or track.element_formulas or track.formula is not None:  # no ratio after the op (nor the expression)
        frame.lose(target, op_name(func), track)
        return
    if track.lost_at is not None:
        return
    if any(isinstance(a, Tensor) and frame.get(a) is not None for a in (*args[1:], *kwargs.values())):
        frame.lose(target, f"{op_name(func)} by a tensor computed from the images' values", track)
        return
    if track.ratio is not None:
        low = get_arg(args, kwargs, 1, "min", None)
        clamp = getattr(func, "__name__", "") in ("clamp_", "clamp_min_", "clip_")
        high = get_arg(args, kwargs, 2, "max", None) if getattr(func, "__name__", "") != "clamp_min_" else None
        clamped = _unary_ratio(track, "clamp", low, high) if clamp else None  # as ``clamp`` out of place
        if clamped is not None:
            frame.set(target, with_sites(clamped, track.sites))
        else:
            frame.lose(target, op_name(func), track)
        return
    if track.unweighted is not None:
        unweighted = func(track.unweighted.clone(), *args[1:], **kwargs)
        frame.set(target, Track(track.rows, track.image, unweighted, track.from_prediction))
    lose_aliases(frame, target, op_name(func))


@rule(Tensor.cumsum, torch.cumsum, Tensor.cumprod, torch.cumprod, Tensor.cummax, torch.cummax, Tensor.cummin, torch.cummin,
      Tensor.logcumsumexp, torch.logcumsumexp)
def cumulative(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``cumsum`` and friends along a dim that carries no images: every dim keeps its rows (a second
    output, the indices of ``cummax``, is data); along a row dim, images mix. The ``cumsum`` of the
    counts per value of sorted values (``note_sorted``): the ends of each value's run; of
    non-negative data along the images' flattened rows, segment ids (``note_segments``)."""
    _along(frame, func, args, kwargs, out, get_arg(args, kwargs, 1, "dim", 0))
    if func in (Tensor.cumsum, torch.cumsum) and isinstance(out, Tensor) and out.dim() == 1:
        note_segments(frame, args[0], get_arg(args, kwargs, 1, "dim", 0), out)
    if frame.sorted_rows and func in (Tensor.cumsum, torch.cumsum) and isinstance(out, Tensor) and out.dim() == 1:
        note_sorted(frame, args[0], out, "ends", "counts")


def note_segments(frame: Frame, src: Any, dim: Any, out: Tensor) -> None:
    """Record ``out = src.cumsum(0)`` of integer data ``src`` (no prediction, no weight) whose one
    dim carries images as segment ids (packed documents: ``cumsum(position_ids == 0)`` over the
    flattened rows): where no value is negative and each image's first element is at least 1, every
    id names elements of one image, the same elements as on a group alone (numbered there from the
    group's first). Whether that holds is kept for the op that uses the ids (``indexing``'s scatter
    into segments), read there with the call's one read; any other use sees a lost tensor."""
    track = frame.get(src)
    if (track is None or not isinstance(src, Tensor) or src.dim() != 1 or set(track.rows) != {0} or src.is_floating_point()
            or src.is_complex() or track.from_prediction or track.unweighted is not None or track.reduced
            or track.lost_at is not None or track.image is not None or norm_dim(int(dim), 1) != 0 or not src.numel()):
        return
    rows = track.rows[0]
    values = src.detach().to(rows.device).long()
    starts = torch.ones_like(rows, dtype=torch.bool)
    starts[1:] = rows[1:] != rows[:-1]
    segments = ((values >= 0) & ((values >= 1) | ~starts)).all()  # (no boolean index: no host sync)
    frame.segment_ids[id(out)] = (out, version_of(out), rows, segments)


def shifted_segments(frame: Frame, a: Any, b: Any, kind: str, out: Tensor) -> None:
    """``ids - 1`` (``+``, ``-`` an int) of recorded segment ids: segment ids too."""
    held = frame.segment_ids.get(id(a)) if isinstance(a, Tensor) else None
    if held is not None and held[0] is a and held[1] == version_of(a) and type(b) is int and out.shape == a.shape:
        frame.segment_ids[id(out)] = (out, version_of(out), held[2], held[3])


def note_sorted(frame: Frame, src: Any, out: Tensor, stage: str | None = None, of: str = "key") -> None:
    """Record ``out`` as ``stage`` of the sorted values ``src`` is ``of``: their counts per value
    (``"counts"``), the ``cumsum`` of those (``"ends"``); with no stage, ``out`` is a cast of
    ``src`` (the values themselves, ``"key"``, or any stage of them). See ``Frame.sorted_derived``."""
    if not isinstance(src, Tensor):
        return
    held = frame.sorted_derived.get(id(src))
    if held is not None and held[0] is src and held[1] == version_of(src) and (stage is None or held[2] == of):
        if stage is not None or out.shape == src.shape:
            frame.sorted_derived[id(out)] = (out, version_of(out), stage or held[2], held[3], held[4])
        return
    values = frame.sorted_rows.get(id(src)) if of == "key" else None
    if values is not None and values[0] is src and values[1] == version_of(src) and (stage or out.shape == src.shape):
        frame.sorted_derived[id(out)] = (out, version_of(out), stage or "key", src, values[2])


def doubt_width_of_largest(frame: Frame, src: Tensor, track: Track, message: str, least: int = 0) -> None:
    """Doubt that every image with values in ``src`` holds the batch's largest, where a result is
    as wide as that largest + 1 (``F.one_hot`` without ``num_classes``, ``bincount`` past its
    ``minlength`` of ``least``): on a group alone the width is the group's."""
    if len(track.rows) != 1:
        frame.doubt(torch.ones((), dtype=torch.bool, device=src.device), message)
        return
    ((d, r),) = track.rows.items()
    images = expand_rows(frame, r, list(src.shape), d).to(src.device)
    highest = torch.full((frame.num_images,), -1, dtype=src.dtype, device=src.device)
    highest = highest.scatter_reduce(0, images, src.reshape(-1), "amax")
    top = src.max()
    frame.doubt(((highest != top) & (highest >= 0)).any() & (top >= least), message)


@rule(torch.histc, Tensor.histc, torch.bincount, Tensor.bincount)
def histogram(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``histc`` / ``bincount`` as any op without a rule (data of several images: lost); of sorted
    values (or a cast of them) their counts per value are recorded (``note_sorted``). Not of a
    ``histc`` without its range (``min == max``, the default): its bins span the values found, on a
    group alone the group's (rev36b: was silently the batch's experts). A ``bincount`` is as long as
    its largest value + 1 past ``minlength``: a group alone without the batch's largest value has
    a shorter one (its ``numel()`` a number of the batch: lead41's red team, was silently wrong)."""
    mode._unknown(frame, func, args, kwargs, out)
    if func in (torch.bincount, Tensor.bincount) and isinstance(out, Tensor):
        src = args[0] if args else kwargs.get("input")
        track = frame.get(src) if isinstance(src, Tensor) else None
        if isinstance(src, Tensor) and track is not None and track.rows and src.numel():
            least = get_arg(args, kwargs, 2, "minlength", 0)
            doubt_width_of_largest(frame, src, track, "bincount without a minlength past its values: its length is the "
                                   "batch's largest value + 1, on a group alone its own", int(least))
    if frame.sorted_rows and isinstance(out, Tensor):
        if func in (torch.histc, Tensor.histc):
            low, high = get_arg(args, kwargs, 2, "min", 0), get_arg(args, kwargs, 3, "max", 0)
            if not isinstance(low, (int, float)) or not isinstance(high, (int, float)) or low == high:
                return
        note_sorted(frame, args[0] if args else kwargs.get("input"), out, "counts")


@rule(F.normalize)
def normalize(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``F.normalize(x, dim=d)``: each vector along ``d`` scaled by its own norm; rows kept unless
    ``d`` carries images."""
    _along(frame, func, args, kwargs, out, get_arg(args, kwargs, 2, "dim", 1))


def _along(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any, dim: Any) -> None:
    """An op along ``dim`` of one tensor that keeps its shape: rows kept unless ``dim`` carries
    images (a single row there is one image); the values replayed on unweighted values."""

    def mixes(src: Tensor, track: Track) -> bool:
        rows = track.rows.get(norm_dim(int(dim), max(src.dim(), 1)))
        if rows is None:
            frame.positions_mixed(op_name(func), src, track, [dim])
        return rows is not None and rows.shape[0] > 1

    keep_rows(frame, func, args, kwargs, out, mixes, "along")


_ONE_DIM_FFT = (torch.fft.fft, torch.fft.ifft, torch.fft.rfft, torch.fft.irfft)
_TWO_DIM_FFT = (torch.fft.fft2, torch.fft.ifft2, torch.fft.rfft2, torch.fft.irfft2)
_N_DIM_FFT = (torch.fft.fftn, torch.fft.ifftn, torch.fft.rfftn, torch.fft.irfftn)


_CONJUGATES = (Tensor.conj, torch.conj, Tensor.conj_physical, torch.conj_physical)
_COMPLEX_PARTS = (Tensor.real.__get__, Tensor.imag.__get__, torch.real, torch.imag, torch.view_as_real,  # type: ignore[attr-defined]
                  *_CONJUGATES)


@rule(*_ONE_DIM_FFT, *_TWO_DIM_FFT, *_N_DIM_FFT, *_COMPLEX_PARTS)
def spectral(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.fft.*`` over dims that carry no images (a frequency loss over ``[B, C, H, W]``): the
    other dims keep their rows; over a row dim (``fftn`` without ``dim=`` included), images mix.
    ``z.real``, ``z.imag``, ``torch.view_as_real(z)`` (a trailing dim of 2), ``z.conj()``: same rows."""

    def mixes(src: Tensor, track: Track) -> bool:
        if func in _COMPLEX_PARTS:
            return False
        default: Any = -1 if func in _ONE_DIM_FFT else (-2, -1) if func in _TWO_DIM_FFT else None
        dims = dims_arg(get_arg(args, kwargs, 2, "dim", default), src.dim())
        return bool(set(range(src.dim()) if dims is None else dims) & set(track.rows))

    keep_rows(frame, func, args, kwargs, out, mixes, "along")
    new = frame.get(out) if func in _CONJUGATES else None
    if new is not None and new.unweighted is not None:  # replayed lazily conjugated: ``view_as_real`` refuses it
        new.unweighted = new.unweighted.resolve_conj()


@rule(torch.stft, Tensor.stft, torch.istft, Tensor.istft)
def short_time_fourier(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.stft`` of ``[B, T]`` signals along time (``[B, F, frames]``, complex or with a
    trailing real pair) and ``torch.istft`` back: the leading dims keep their rows; a row dim
    among the transformed ones (time; frequency and frames for ``istft``) mixes images."""
    inverse = getattr(func, "__name__", "") == "istft"

    def mixes(src: Tensor, track: Track) -> bool:
        return bool(set(range(src.dim() - (2 if inverse else 1), src.dim())) & set(track.rows))

    keep_rows(frame, func, args, kwargs, out, mixes, "along")


@rule(torch.cosine_similarity, torch.pairwise_distance)
def cosine_similarity(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``F.cosine_similarity(a, b, dim)`` / ``F.pairwise_distance(a, b)``: broadcast, then the
    vector dim reduced per position; the other dims keep their rows."""
    a, b = args[0], get_arg(args, kwargs, 1, "x2", None)
    pair = tracked_pair(frame, a, b, out)
    if pair is None:
        return
    ta, tb = pair
    op = op_name(func)
    ndim = max(a.dim(), b.dim())
    if getattr(func, "__name__", "") == "pairwise_distance":
        d = ndim - 1
    else:
        d = norm_dim(int(get_arg(args, kwargs, 2, "dim", 1)), ndim)
    parts = []
    for x, t in ((a, ta), (b, tb)):
        shift = ndim - x.dim()
        dim_map: dict[int, int | None] = {}
        for k in range(x.dim()):
            e = k + shift
            dim_map[k] = None if e == d else (e if e < d else e - 1)
        parts.append((t, dim_map))
    new = combine(frame, op, parts, out.shape)
    if new is None:
        return
    if new.lost_at is not None:
        frame.lose(out, f"{op} along a dim that carries images", new)
        return
    if any(t is not None and t.unweighted is not None for t in (ta, tb)):
        new.unweighted = func(unweighted_of(a, ta), unweighted_of(b, tb), *args[2:], **kwargs)
    frame.set(out, new)


STRIDED_LOOP = ("of terms of several images in a loop over a strided range of the images (``range(0, len(t), 2)``): "
                "on a group alone it runs another number of times")
PARTIAL_LOOP = ("of terms of several images in a loop over some of the images only (``for u in t[1:]``, ``zip(t, "
                "t[1:])``, a loop a ``break`` may leave early): on a group alone it runs another number of times")
COUNTED_LOOP = ("of terms in a loop over an iterable computed from the number of images (``range((len(t) + 1) // 2)``, "
                "``range(self.k)`` of ``self.k = len(t) - 1``): on a group alone it runs another number of times")


COMPUTED_NUMBER = ("a Python number of the batch (a count summed over the images, a length of one image's field "
                   "or of a filtered list) "
                   "put through Python arithmetic that on a group alone no share of the batch's value gives")


INDEX_NUMBER = ("a Python number the body took from the matcher's indices of one image (picked by position: "
                "``indices[0][0].shape[0]``, ``int(indices[0][0][0])``; the largest or smallest image's: ``max(len(s) "
                "for s, _ in indices)``) or from their values read on the host (``indices[0][0].max().item()``): on a "
                "group alone another image's, or other values")


UNMATCHED_READ = ("a Python number read on the host from values of several images (``int(mask.sum())``) that no "
                  "rule of host reads matched (``max(2 * n, 1e-3)``): on a group alone it is the group's read")
LENGTH_ARITHMETIC = ("a Python number computed from the number of images (``len(targets) + 1``, ``len(t) * 3``) that "
                     "no rule of lengths follows: on a group alone it is computed from the group's")
SIZE_THROUGH_MATH = ("a plain float computed from a size of image rows by a function of ``math`` (``math.sqrt(x.numel())``): "
                     "on a group alone it is computed from the group's rows")
SIZE_MADE_PLAIN = ("a Python number computed from a size of image rows made a plain number (``int(x.numel() * 3)``, "
                   "``sum([int(bs), 4.0])``): the count's hooks do not see the arithmetic after the conversion; on a "
                   "group alone it is computed from the group's rows")
COUNT_FACTOR = ("a Python number of the batch (a statistic of one number per image: a count of the images that pass a "
                "test, the largest of their counts, a sum of their fields) as a factor no rule follows: on a group alone "
                "it is the group's")
EXTREME_ARITHMETIC = ("a number computed in Python (``2 * n``) from the largest of per-image counts or from a count of the "
                      "images a comprehension filtered: on a group alone it is computed from the group's")
SIZE_CHOICE = ("a number of the batch (a size of image rows, a count) chosen by the builtin max, min or sorted "
               "against a number literal: on a group alone the other may be chosen")
CHOSEN_LITERAL = ("a number chosen by a Python test between a number of the batch and a literal it equals "
                  "(``n if n > 2 else 2``), read as a count: on a group alone the literal stays")
CHOSEN_COMPUTED = ("a plain number computed in Python from a value a Python test chose between a size of image rows "
                   "and a literal (``2 * n`` of ``n = bs if bs > 2 else 2``), read as a count it equals: on a group "
                   "alone it may be computed from the literal")
UNREAD_FLOOR = ("a number read on the host floored by the builtin max where the division does not show that floor "
                "(``n = max(n, 1)`` before ``/ max(n, 1e-3)``): on a group alone the group's read is floored there too")
UNFOLLOWED_READ = ("a Python number read on the host from values of several images, put through Python arithmetic "
                   "that the rules of host reads do not follow")


def _computed_number(frame: Frame, path: str, ratio: Ratio | None = None, operand: Any = None,  # noqa: C901
                     right: bool = True, value: Any = None) -> str | None:
    """A reason to decline the ``path`` ("div", "mul") of a loss (``ratio``) by a number ``operand``
    no rule proved, where the code that made it (read by ``_provenance``) puts a number of the batch
    through arithmetic no rule follows (``n - 3``, ``round(n / 2)``, ``min(n, 3)``,
    ``len(targets[0]["labels"])``, a host read no rule matched, a size through ``math``), takes it from
    one image's matcher indices (``INDEX_NUMBER``: the indices are no image's tracked data, so no rule
    of sizes or host reads sees its value), or puts a number passed in through what keeps no share
    (``_passed_number_function``): read as a constant or as a count it equals, its share on a group
    alone would be silently wrong. ``right``: the number is the op's right operand (a loss times it),
    not its left (it times a loss); ``value``: the number (a divisor about to be read as a count it
    equals, a factor), None where not told."""
    root: list = []
    tags = executed_number_tags(root)
    # (``ocall`` / ``ucall`` for a Python number dividing, the WRONG they stop (a tensor's values are
    # followed op by op, ``floor(torch.as_tensor(n))`` of a callable not read): a product's number operand is told
    # from the tensor by the tags alone, flow-insensitively, ``w * term`` of ``term = self.crit(x, y) if
    # w else 0.0``; a tensor divisor's value is tracked, ``loss / self.last.clamp(min=1e-3)``)
    found = _provenance.declined_number(tags, frozenset() if path == "div" and isinstance(operand, (int, float))
                                        else frozenset({"ocall", "ucall"}))
    if found is not None:
        return f"{path} of {COMPUTED_NUMBER} ({_provenance.spelled(found)})"
    if tags is not None and root and tags & {"pick", "vext", "vread"} and _of_indices(frame, root[0], tags):
        return f"{path} of {INDEX_NUMBER}"
    if tags is not None and "H" in tags and any(t.startswith("op:") for t in tags) \
            and any(read.image is None for read in frame.host_reads):  # (Python arithmetic on the read: ``2 * n``)
        return f"{path} of {UNMATCHED_READ}"
    if path == "mul" and _is_weight_statistic(frame, value):
        return None  # (``* (sum(ws) / len(t))``: ``_weight_statistic`` declines it, naming it)
    if path == "mul" and tags is not None and "V" in tags \
            and ("vcond" in tags or not tags & _provenance.SIZE_TAGS):  # (a size, ``x.shape[1]`` of queries laid
        # out by a count, is the size rules'; a value a test of it chose is not)
        return f"mul of {COUNT_FACTOR}" + (f" ({_provenance.spelled('vcond')})" if "vcond" in tags else "")
    if (op := _provenance.length_arithmetic(tags, path)) is not None and not (
            path == "div" and tags is not None and "cond" in tags and isinstance(operand, (int, float))
            and float(operand) == frame.num_images):  # (the count itself on the way this call took: ``if flag: n = 2 * n``)
        return f"{path} of {LENGTH_ARITHMETIC} (``{op.split(':', 1)[1]}``)"
    if frame.plain_counts and (op := _provenance.size_through_math(tags)) is not None:
        return f"{path} of {SIZE_THROUGH_MATH} (``{op.split(':', 1)[1]}``)"
    if frame.plain_counts and (op := _provenance.size_made_plain(tags)) is not None \
            or (op := _provenance.size_through_builtin(tags)) is not None:
        return f"{path} of {SIZE_MADE_PLAIN} (``{op.split(':', 1)[1]}``)"
    if (op := _provenance.literal_choice(tags, operand if value is None else value, path == "mul",
                                         path == "div" and value is not None)) is not None:
        return f"{path} of {SIZE_CHOICE} (``{op}``)"
    if path == "div" and isinstance(value, (int, float)) and _provenance.chosen_literal(tags, float(value)):
        return f"{path} of {CHOSEN_LITERAL} ({float(value):g})"
    if path == "div" and type(value) in (int, float) and _provenance.chosen_size_computed(tags):
        return f"{path} of {CHOSEN_COMPUTED} ({float(value):g})"
    if _provenance.extreme_arithmetic(tags):
        return f"{path} of {EXTREME_ARITHMETIC}"
    if (function := _passed_number_function(frame, tags, path, ratio, operand, right)) is not None:
        return f"{path} of {PASSED_NUMBER_FUNCTION} ({function})"
    return None


def _of_indices(frame: Frame, f: Any, tags: frozenset[str]) -> bool:
    """Whether a parameter ``arg:NAME`` of ``tags`` is, in the frame ``f``, a list argument of one item
    per image holding the matcher's index tensors (``Frame.index_item``)."""
    values = _locals(f)
    for name in (t[4:] for t in tags if t.startswith("arg:")):
        items = values.get(name)
        if not isinstance(items, (list, tuple)) or len(items) != frame.num_images:
            continue
        for item in items:
            if any(isinstance(x, Tensor) and frame.index_item(x) is not None
                   for x in (item if type(item) in (tuple, list) else (item,))):
                return True
    return False


PASSED_NUMBER_FUNCTION = ("a number passed in (an outside normaliser) where no share of it is kept: through a function "
                          "that is no product by constants (``math.sqrt(num_boxes)``, ``num_boxes + 1``, "
                          "``torch.tensor(num_boxes).log()``, a factor ``1 / math.sqrt(num_boxes)``), or dividing an "
                          "average (``l.mean() / num_boxes``): on a group alone it is the group's share")
# what keeps a share's meaning, ``Z_S = Z * C_S / C``, through a divisor: products by constants only
_NOT_HOMOGENEOUS = frozenset({"op:**", "op://", "op:%", *(f"call:{f}" for f in (
    "sqrt", "rsqrt", "log", "log1p", "log2", "log10", "exp", "expm1", "pow", "sigmoid", "tanh", "ceil", "floor",
    "round", "cbrt", "isqrt", "square", "reciprocal", "sin", "cos", "atan", "erf", "lgamma", "digamma"))})
# with a literal beyond an ``eps`` (a shift) or above 1 (a floor a group's share may be under)
_SHIFTS, _FLOORS = frozenset({"op:+", "op:-"}), frozenset(
    {"call:max", "call:min", "call:maximum", "call:minimum", "call:clamp", "call:clamp_min", "call:clip"})


def _passed_number_function(frame: Frame, tags: frozenset[str] | None, path: str, ratio: Ratio | None = None,
                            operand: Any = None, right: bool = True) -> str | None:
    """How the number operand of the op (provenance ``tags``; where both operands are tensors, the
    operand's side, ``right`` or left) is computed from a number or one-element tensor
    the call passed to a parameter of the body (no default), where that does not keep the share the
    number takes on a group alone: a divisor through a function that is no product by constants
    (``sqrt``, ``+ 1``, ``max(n, 4)``) or dividing an average, a factor through such a function where
    the number equals a count of the call (a factor itself, or a product of it by constants, is the
    group's call's constant: no normaliser). None otherwise."""
    call = frame.read_body_call_once()
    unpassed = call.unpassed if call is not None else {}

    def held(x: frozenset[str]) -> Iterable[Any]:  # the passed parameters' values ``x`` is made of
        return body_parameter_values(t[4:] for t in x if t.startswith("arg:") and t[4:] not in unpassed).values()

    def passed(x: frozenset[str]) -> bool:
        return any(frame.from_arguments(v) if type(v) in (int, float) else not v.requires_grad and frame.get(v) is None
                   for v in held(x))

    if tags is None and isinstance(operand, Tensor):  # ``e.sum() * torch.rsqrt(torch.tensor(num_boxes))``: of two
        both = executed_operand_tags()  # tensors, the operand's side (in the operators' and calls' own order)
        if both is None:
            return None
        tags = both[1] if right else both[0]
    elif tags is None:  # ``num_boxes * e.mean()``, ``e.mean() * (num_boxes / 2)`` (an operator reflected reaches
        both = executed_operand_tags()  # the mode as ``Tensor.mul(e, n)``): the side made of passed numbers only
        sides = [] if both is None else [x for x in both[:2] if _only_passed_numbers(frame, x, unpassed)]
        if len(sides) != 1:
            return None
        tags = sides[0]
    if not tags or not passed(tags):
        return None
    if path == "mul":  # (a factor passed in is no normaliser: the group's call gets it unchanged, ``l.mean() * scale``;
        # a function of it that is none of its products by constants, ``* (1 / math.sqrt(num_boxes))``, is read
        # neither way: as a normaliser's share or as a constant, where the number equals a count of the call)
        counted = isinstance(operand, Tensor) or any(
            type(v) in (int, float) and frame.from_arguments(v) and ratio is not None and _a_count_by_value(frame, ratio, v)
            for v in held(tags))
        functions = sorted(tags & _NOT_HOMOGENEOUS)
        return functions[0].split(":", 1)[1] if functions and counted else None
    used = tags & _NOT_HOMOGENEOUS
    literals = [abs(float(t[4:])) for t in tags if t.startswith("lit:") and _is_float_text(t[4:])]
    if any(x > 1e-4 for x in literals):
        used |= tags & _SHIFTS
    if any(x > 1 for x in literals):
        used |= tags & _FLOORS
    if used:
        return sorted(used)[0].split(":", 1)[1]
    if ratio is not None and ratio.kind not in (RatioKind.SUM, RatioKind.SUM_OVER_OPAQUE):
        return "an average divided by it"
    return None


def _only_passed_numbers(frame: Frame, tags: frozenset[str], unpassed: Mapping[str, Any]) -> bool:
    """Whether every parameter a value with provenance ``tags`` is made of (one at least) holds a
    number the call passed (no tensor, list or dict of the batch): a Python number of those alone."""
    names = {t[4:] for t in tags if t.startswith("arg:")}
    held = body_parameter_values(names)
    return bool(names) and not names & set(unpassed) and len(held) == len(names) and all(
        type(v) in (int, float) and frame.from_arguments(v) for v in held.values())


def _is_float_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_CONVERSIONS = frozenset({"call:float", "call:int", "call:tensor", "call:as_tensor", "call:new_tensor"})


def _feature_size_root(frame: Frame) -> bool:
    """Whether the divisor being executed is a function of ``math`` of a size of a tensor alone
    (``math.sqrt(q.shape[-1])``, read by ``_provenance``; no arithmetic), with no count of images, number of the
    batch or host read in it, where no size of image rows was made a plain number in the call
    (``frame.plain_counts``): a constant of the layout, whatever count of the batch it equals."""
    tags = executed_number_tags()
    # one function of one size, no arithmetic beside it: ADVENT's ``n * h * w * math.log2(c)`` holds the images' ``n``
    return (_provenance.size_through_math(tags) is not None and tags is not None
            and not tags & {"V", "W", "L", "H", "?", "iter", "comp"} and not any(t.startswith("op:") for t in tags))


def _unfollowed_read() -> str | None:
    """A reason to decline a division the rules of host reads matched by value, where the code that
    made the divisor (read by ``_provenance``) puts the read through arithmetic they do not follow
    (``sorted([n, 2])[-1]`` equals ``n`` on the batch, not on a group alone whose read is below 2)."""
    tags = executed_number_tags()
    found = _provenance.unfollowed_read(tags)
    if found is not None:
        return f"div of {UNFOLLOWED_READ} (``{found.split(':', 1)[1] if ':' in found else _provenance.spelled(found)}``)"
    floor = divisor_floor()  # (where it proves none, a group below a floor gets no companion: ``frame.host_normaliser``)
    others = sorted(c for c in _provenance.max_floors(tags) if floor is not None and c != floor)
    return None if not others else f"div of {UNREAD_FLOOR} (``max(n, {others[0]:g})``)"
