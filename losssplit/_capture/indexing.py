"""Indexing rules: ``x[...]`` (basic, advanced, masks), in-place writes, gathers, ``diag`` of a
pairwise matrix, matrix products and ``cdist``.

Advanced indices carry images too: ``x[(batch_idx, src_idx)]`` gets its rows from ``batch_idx``
(which a tracked index passes on), so matched rows follow the data rather than shapes.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from typing import Any

import torch
import torch.nn.functional as F

from . import _bytecode, _lengths, elementwise, mode
from ._bytecode import (
    carried_size,
    every_image_looped,
    literal_index,
    literal_size,
    own_field_index,
    own_length_bound,
    shape_bound_index,
    slice_lengths,
)
from .batch_fields import several_images_number
from .formulas import binary_formula
from .group_scalars import scaled_in_place
from .masked_writes import masked_value_write
from .mode import (
    NO_READ,
    NOT_TENSORS,
    SOME_POSITIONS,
    Frame,
    Rows,
    Tensor,
    Track,
    broadcast_map,
    broadcast_tracks,
    combine,
    expand_rows,
    get_arg,
    host_tensor,
    image_counts,
    keep_rows,
    lose_aliases,
    lost_track,
    merge_image,
    mixed_pick,
    norm_dim,
    op_name,
    rule,
    storage_uses,
    tensors,
    to_device,
    tracked_pair,
    unweighted_along,
    unweighted_of,
    unweighted_operand,
    written_at,
    written_through_view,
)
from .ratio import Ratio, RatioKind, version_of

_FULL = slice(None)


def _basic_index(frame: Frame, track: Track, parts: tuple[Any, ...], ndim: int, out: Tensor) -> bool:
    """Fast path for slices, ints, ``None`` and one Ellipsis (no tensors); False if not basic."""
    rows: Rows = {}
    img = track.image
    have = track.rows
    d = e = 0
    for p in parts:
        if p is None:
            e += 1
        elif p is Ellipsis:  # the dims no other part consumes, kept as they are
            consumed = ellipses = 0
            for q in parts:  # by identity: ``tuple.count`` would compare tensors
                if q is Ellipsis:
                    ellipses += 1
                elif q is not None:
                    consumed += 1
            skip = ndim - consumed
            if skip < 0 or ellipses > 1:
                return False
            for k in range(d, d + skip):
                r = have.get(k)
                if r is not None:
                    rows[e + k - d] = r
            d += skip
            e += skip
        elif type(p) is slice:
            r = have.get(d)
            if r is not None:
                if _partial(p, r.shape[0]):
                    at_count = _at_row_count(frame, p, r)
                    if at_count is None:
                        return False
                    rows[e] = at_count
                    d += 1
                    e += 1
                    continue
                rows[e] = r if p == _FULL else r[p]
            d += 1
            e += 1
        elif type(p) is int:
            r = have.get(d)
            if r is not None:
                if p < 0 and frame.num_images > 1 and r is frame.identity.get(r.device):
                    frame.late_checks.append((torch.ones((), dtype=torch.bool), FROM_THE_END))  # (after any other's)
                img = merge_image(frame, img, _image_at(frame, r, p), "Tensor.__getitem__")
            d += 1
        else:
            return False
    for k, r in have.items():
        if k >= d:
            rows[e + k - d] = r
    if rows or img is not None:
        frame.set(out, Track(rows, img, None, track.from_prediction))
    return True


def _at_row_count(frame: Frame, p: slice, rows: Tensor) -> Tensor | None:
    """``x[:n]`` / ``x[n:]`` along a dim with images ``rows``, ``n`` a count of image rows: a
    ``RowCount`` (``len_chosen = chosen.shape[0]`` after ``torch.cat([chosen, rejected])``) or
    ``len(targets)`` (every image once, ``_targets_length``). On a group alone the bound is the
    group's count, so the slice cuts the group's rows where the batch's does exactly where each
    group has as many rows among the first ``n`` of ``rows`` as the count counts (checked with
    the call's one read, ``Frame.cuts``); the slice then keeps those rows. None for any other
    slice."""
    if p.step is not None or (p.start is None) == (p.stop is None):
        return None
    bound = p.stop if p.start is None else p.start
    counted = frame.row_count(bound)
    if counted is None and type(bound) is int and bound == frame.num_images:
        counted = _targets_length(frame, p, rows.device)
    if counted is None or not 0 < bound < rows.shape[0]:
        return None
    frame.cuts.append((rows[:bound], counted))
    return rows[:bound] if p.start is None else rows[bound:]


def _targets_length(frame: Frame, p: slice, device: torch.device) -> Tensor | None:
    """The images, each once, where the bound of the slice ``p`` the body is executing is written
    ``len(targets)`` of the call's list of per-image targets (or a local holding only that,
    ``_bytecode.slice_lengths``): on a group alone, the number of its images. None otherwise (an
    int of the same value counting anything else)."""
    targets = frame.per_image_targets
    if targets is None or frame.tokens is not None:
        return None
    lengths = slice_lengths()
    if lengths is None or lengths[0 if p.stop is None else 1] is not targets:
        return None
    return frame.arange(device)


def _sizes_of_rows(frame: Frame, parts: tuple[Any, ...]) -> bool:
    """Whether every slice bound among ``parts`` is a ``RowCount`` (a size, not a number read)."""
    bounds = [b for p in parts if type(p) is slice for b in (p.start, p.stop, p.step) if b is not None]
    return bool(bounds) and all(frame.row_count(b) is not None for b in bounds)


def _own_tensor_bounds(frame: Frame, parts: tuple[Any, ...], image: int | None) -> bool:
    """Whether every part is a slice and every bound among them a 0-dim tensor of image ``image``
    alone (``p[:n]`` over ``zip(logits, labels, lengths)``: ``n`` that image's length, its identity
    known): the size comes from that image's value, whatever host reads of other images came
    before (a Python number has no identity; a tensor does)."""
    if image is None or not parts or any(type(p) is not slice for p in parts):
        return False
    bounds = [b for p in parts for b in (p.start, p.stop, p.step) if b is not None]

    def own(b: Any) -> bool:
        track = frame.get(b) if isinstance(b, Tensor) and b.dim() == 0 else None
        return track is not None and not track.rows and track.image is not None \
            and frame.image_ids.get(id(track.image)) == image
    return bool(bounds) and all(map(own, bounds))


WHOLE_IMAGE_SLICE = ("Tensor.__getitem__ sliced rows of images in a loop over the images at bounds that do not cut "
                     "each image's rows whole, once (on a group alone the slices fall elsewhere)")


def _image_slice(frame: Frame, p: slice, rows: Tensor) -> Tensor | None:
    """``x[s:s + n]`` of a dim whose only images are ``rows``, in a loop proven to visit every image
    (``every_image_looped``; Align-DETR's ``iou[s:s + 2 * n]`` at host offsets of the images' counts):
    one image's rows, whole, as that image's tensor (its 0-dim image). Deferred checks: the slice holds
    every row of one image and no other (``Frame.doubt``), and the call's slices of ``rows`` tile it
    (``Frame.image_slices``, ``_split.finish``): on a group alone the loop then slices each of the group's
    images whole. None for any other slice."""
    size = rows.shape[0]
    if rows.dim() != 1 or p.step not in (None, 1) or frame.num_images < 2 or rows is frame.identity.get(rows.device):
        return None  # (of the images in order, one row each: a slice of several rows holds several images)
    start, stop, _ = p.indices(size)
    if stop <= start or every_image_looped(frame.num_images) is not True:
        return None
    first = rows[start]
    picked = rows[start:stop]
    frame.doubt((picked != first).any() | ((rows == first).sum() != stop - start), WHOLE_IMAGE_SLICE)
    held = frame.image_slices.get(id(rows))
    if held is None or held[0] is not rows:
        held = frame.image_slices[id(rows)] = (rows, [])
    held[1].append((start, stop))
    return first


def _partial(p: slice, size: int) -> bool:
    """Whether slice ``p`` leaves out positions of a dim of ``size``."""
    return p != _FULL and len(range(size)[p]) != size


def _one_position(p: Any, size: int | None = None) -> bool:
    """Whether ``p`` is a slice written ``x[i:i + 1]``: int bounds one apart, no step (and one
    position of a dim of ``size``). Like ``x[i]`` it picks the image at position ``i`` (a loop over
    the images), keeping the dim; its size is 1 whatever was read on the host."""
    if type(p) is not slice or p.step not in (None, 1) or not isinstance(p.start, int) or not isinstance(p.stop, int):
        return False
    return p.stop - p.start == 1 and p.stop != 0 and (size is None or len(range(size)[p]) == 1)


def _nothing_written_at_own_mask(frame: Frame, track: Track | None, args: tuple) -> bool:
    """``x[m] = v`` with ``v`` empty (``weights[infs] = w_max[infs]`` where no weight is infinite,
    torchmetrics' generalised Dice) at a bool mask ``m`` computed element by element from the images'
    own values (its rows followed): nothing is written, and on a group alone its part of ``m`` picks
    nothing either, whatever ``v`` is made of. ``x`` keeps its track."""
    if len(args) < 3 or not isinstance(args[2], Tensor) or args[2].numel() or track is None or track.lost_at is not None \
            or track.ratio is not None or not track.rows:
        return False
    mask = args[1]
    held = frame.get(mask) if isinstance(mask, Tensor) and mask.dtype == torch.bool else None
    return held is not None and held.lost_at is None and held.ratio is None and bool(held.rows) \
        and not frame.positional.get(id(mask))


def _every_kth(frame: Frame, p: slice, rows: Tensor, index: Any, op: str) -> bool:
    """``flat[::k]`` (``flat[s::k]``, ``0 <= s < k``, literals of the body) along a dim of several
    rows per image, laid out image after image: it picks, in every image, its own positions ``s``,
    ``s + k``, ... as on a group alone where every image with rows starts at a multiple of ``k``
    and has more than ``s`` rows; deferred check (with the call's one read), else declined. True
    when followed."""
    n, step, start = rows.shape[0], p.step, 0 if p.start is None else p.start
    if (type(step) is not int or step < 2 or type(start) is not int or not 0 <= start < step
            or not (p.stop is None or type(p.stop) is int and p.stop >= n) or n == 0
            or rows is frame.identity.get(rows.device) or not literal_index(index)):
        return False
    ids, b = rows.reshape(-1).long(), frame.num_images
    valid = (ids >= 0) & (ids < b)
    sizes = torch.zeros(b, dtype=torch.long, device=ids.device).index_add_(0, ids.clamp(0, b - 1), valid.long())
    offsets = sizes.cumsum(0) - sizes
    off = ((offsets % step != 0) | (sizes <= start)) & (sizes > 0)
    frame.doubt(off.any() | ~valid.all() | (ids[1:] < ids[:-1]).any(),
                f"{op} with a step picks, along a dim that carries images, other positions of an image's rows than "
                "on a group alone (an image not starting at a multiple of the step)")
    return True


FROM_THE_END = ("Tensor.__getitem__ picked an image at a position counted from the end of the images (on a group "
                "alone it is another image)")
"""Red44: ``x[0].mean() + x[-1].mean()`` (or ``for p in (x[0], x[-1])``) over two images holds each image's term
once, as the picks by position the rules accept (``elementwise.positional_key``); on a group alone of one image
``x[-1]`` is ``x[0]`` again (was silently wrong). As ``Tensor.__setitem__`` at such a position."""


def _image_at(frame: Frame, rows: Tensor, p: Any) -> Tensor:
    """The image of index ``p`` along a dim with row map ``rows``: the frame's own 0-dim tensor
    for image ``p`` when the map is the identity (so the image is known on the host)."""
    if type(p) is int and rows is frame.identity.get(rows.device):
        return frame.image_index(p if p >= 0 else p + frame.num_images, rows.device)
    return rows[p]


def _picked_image(frame: Frame, track: Track, parts: tuple[Any, ...]) -> int | None:
    """``x[b, :n]``: the image an int ``b`` picks along dim 0, where that dim's rows are the images
    in order and no other dim carries images; its slices then cut only that image's values, as
    ``x[b][:n]`` does. None otherwise."""
    rows = track.rows.get(0)
    if rows is None or len(track.rows) != 1 or not parts or type(parts[0]) is not int:
        return None
    if not -frame.num_images <= parts[0] < frame.num_images or rows is not frame.identity.get(rows.device):
        return None
    return frame.image_ids.get(id(_image_at(frame, rows, parts[0])))


def _int_positions(frame: Frame, track: Track, parts: tuple[Any, ...], index: Any) -> None:
    """``x[n]`` of one image's values (``x_b[n]``, ``x[b, n]`` with ``b`` picking the image) by a
    Python int ``n`` or a tensor of positions the body made (``_made_positions``) after host reads:
    ``Frame.positioned``."""
    picked = _picked_image(frame, track, parts)
    if picked is not None:
        ints = parts[1:]
    elif not track.rows and track.image is not None and track.lost_at is None:
        picked, ints = frame.image_ids.get(id(track.image)), parts
    else:
        return
    if picked is None:
        return
    if any(type(p) is int for p in ints):
        frame.positioned("Tensor.__getitem__ with an int position", picked,
                         lambda: literal_index(index) or _bytecode.range_counter_subscript(),
                         carried=_bytecode.carried_subscript)
    elif (own := _made_positions(frame, ints, picked)) is not None:
        if own:  # made from numbers read of that image only: as an int position's (``Frame.positioned``)
            frame.positioned("Tensor.__getitem__ with a tensor of positions made from numbers", picked, lambda: False)
        else:
            frame.doubt(torch.ones((), dtype=torch.bool), f"Tensor.__getitem__ at positions of image {picked}'s values "
                        "the body made after reading another image's values, or from a number kept from an earlier "
                        "iteration, a position of a loop over the images or their count (on a group alone other positions)")


def _made_positions(frame: Frame, parts: tuple[Any, ...], image: int) -> bool | None:
    """Of integer tensors of positions among ``parts`` that the body made after host reads of one
    image (``Frame.made_positions``: ``torch.linspace(0, n - 1, k).long()``): whether each was made
    after reads of ``image`` (the one ``getitem`` picks), from no kept number; None where no part is one."""
    own = None
    for p in parts:  # (a loop: no generator per subscript)
        held = frame.made_positions.get(id(p)) if type(p) is Tensor and p.dtype in _POSITION_DTYPES else None
        if held is not None and held[0] is p:
            own = (own is not False) and held[1] == image and not held[2]
    return own


_POSITION_DTYPES = frozenset({torch.int64, torch.int32})


LOOP_POSITIONED = ("an int position or slice bounds in one image's values computed from its position in a loop "
                   "over the images (``x_i[:, i % 2]``: on a group alone the image has another position)")


def _loop_positioned(frame: Frame, parts: tuple[Any, ...]) -> bool:
    """Whether ``parts``, an index of one image's values (``x_i = x[i]``, a row of ``enumerate(x)`` or
    ``enumerate(zip(x, t))``), pick them at an int or cut them by slice bounds the subscript computes
    from the position of a loop over the images (``_bytecode.positional_cut``, which tells the images'
    loop from one over an image's items, RTMDet's ``cost[:, j]``): the image's own place in the batch,
    another on a group alone (``x[i, :, i % 2]`` in one subscript is ``_cuts_across_images``'s). Slice
    bounds from a loop item's size are no position (EEND's ``y[:len(b)]`` over ``zip(ys, best)``)."""
    picked = bounded = False
    for p in parts:  # (a loop: no generator on every subscript of one image's values)
        if type(p) is int:
            picked = True
            break
        if type(p) is slice and (p.start is not None or p.stop is not None or p.step is not None):
            bounded = True
    if not picked and not bounded:
        return False
    return _bytecode.positional_cut(frame.size_sites, frame.per_image_targets, frame.loop_content, sizes=not picked)


def _cuts_across_images(frame: Frame, track: Track, parts: tuple[Any, ...], index: Any, ndim: int) -> str | None:
    """``x[:, : 2 * max_gt]``, ``x[..., :max_gt]``, ``x[:, max_gt]``: a slice or an int position of
    a dim that is not one of images, of a tensor holding several images' rows (no one image
    picked), by a bound the code computes from sizes or fields of several images
    (``batch_fields.several_images_number``: DINO's denoising layout by the batch's largest box
    count). The same cut for every image, where on a group alone the group's sizes set it (survey
    32: was trusted), from how many images the call got (``x[:, :len(targets) - 1]``,
    ``_bytecode.counted_subscript``) or at a position of a loop over the images (``e[..., i]``,
    ``_bytecode.positional_cut``). A bound from literals, globals, attributes or shapes splits.
    What is cut and by what; None where nothing is."""
    written = parts
    parts = _without_ellipsis(parts, ndim)
    cut, one, listed, at, positions = None, False, False, [], []  # (at: the positions of the cuts in the index as written)
    for d, p in enumerate(parts):
        if p is Ellipsis or p is None:
            return None
        if d in track.rows:
            continue
        if type(p) is int:
            cut = "an int position"
        elif type(p) is list and _int_list(p):
            listed = True  # ``e[..., [i]]``: read at a loop's positions only
        elif type(p) is slice:  # (before the tensor test: most parts, and no slice is a tensor)
            if p.start is None and p.stop is None and p.step is None:
                continue
            if _one_position(p):
                one = True  # (``x[:, n - 1:n]``: of the count only; DINO's layouts are cut by wider bounds)
            else:
                cut = cut or "slice bounds"
        elif isinstance(p, Tensor) and not p.is_floating_point() and p.dtype is not torch.bool:
            positions.append(d)  # (``x[:, torch.arange(len(targets) - 1)]``: read only for the count of images)
            continue
        else:
            continue
        at.append(d)  # (as written: mapped below, where it is read)
    if (cut is not None or one) and frame.num_images > 1 and type(written[0]) is int and 0 in track.rows \
            and _bytecode.positional_index_part(frame.size_sites, frame.per_image_targets, content=frame.loop_content):
        # ``x[i, :, i % 2]``: one image's row read at a place its position in the batch picks
        return f"{cut or 'a one-position slice'} of an image's row computed from its position in a loop over the images"
    if cut is None and not one and not listed and not positions or frame.num_images < 2 or _picked_image(frame, track, parts) is not None:
        return None
    if literal_index(index) or _sizes_of_rows(frame, parts):
        return None
    if cut is not None and frame.per_image_targets is not None and several_images_number(frame.per_image_targets, "subscript"):
        return f"{cut} on a dim of every image's rows computed from sizes or fields of several images"
    if (cut is not None or one or listed) and frame.per_image_targets is not None \
            and _bytecode.positional_cut(frame.size_sites, frame.per_image_targets, frame.loop_content):  # ``e[..., i:i + 1]`` too
        return f"{cut or ('a one-position slice' if one else 'a list of int positions')} on a dim of every image's rows computed from a position in a loop over the images"
    if positions and len(written) != len(parts):
        positions = []  # (an Ellipsis written out: the positions as written are not known here)
    if len(written) != len(parts):  # the positions in the index as written (an Ellipsis written out)
        ellipsis = written.index(Ellipsis)
        at = [d if d < ellipsis else d - len(parts) + len(written) for d in at]
    read = at if cut is not None or one else []  # (a list index: at a loop's positions only)
    if (read or positions) and _bytecode.counted_subscript(read, positions=positions):  # ``x[:, :len(targets) - 1]`` (session 30: was the batch's cut on every group)
        return f"{cut or ('slice bounds' if one else 'tensor positions')} on a dim of every image's rows computed from the number of images"
    return None


OWN_POSITIONS_ACROSS = ("Tensor.__getitem__ at positions laid out by one image's own count (``x[:, torch.arange(n)]`` "
                        "with ``n`` an image's count in a loop over the images) on every image's rows: each image's "
                        "count cuts the others' rows too, and on a group alone only the group's counts do")


def _own_positions_across(frame: Frame, track: Track, parts: tuple[Any, ...]) -> bool:
    """Whether ``parts`` index a dim that is not one of images by positions one image's own count
    laid out (``Frame.own_positions``) while every dim of images is taken whole (``:``)."""
    hit = False
    for d, p in enumerate(parts):
        if d in track.rows:
            if type(p) is not slice or p != _FULL:
                return False
        elif isinstance(p, Tensor) and frame.own_positions.get(id(p)) is p:
            hit = True
        elif p is Ellipsis or p is None:
            return False
    return hit and all(d < len(parts) for d in track.rows)


def _int_list(p: list) -> bool:
    return bool(p) and all(type(v) is int for v in p)


def _without_ellipsis(parts: tuple[Any, ...], ndim: int) -> tuple[Any, ...]:
    """``parts`` with an Ellipsis written out as the full slices of the dims it stands for, where
    every other part is an int, a slice or a list of ints (one dim each); else unchanged."""
    at = -1
    for d, p in enumerate(parts):  # (a loop: no comprehension's frame on every subscript)
        if p is Ellipsis:
            if at >= 0:
                return parts
            at = d
        elif type(p) is not int and type(p) is not slice and not (type(p) is list and _int_list(p)):
            return parts
    if at < 0:
        return parts
    return parts[:at] + (_FULL,) * (ndim - len(parts) + 1) + parts[at + 1:]


def _bounded(parts: tuple[Any, ...]) -> bool:
    """Whether a slice among ``parts`` has a bound or a step (a size a Python number may set)."""
    return any(type(p) is slice and (p.start is not None or p.stop is not None or p.step is not None)
               and not _one_position(p) for p in parts)


def _index_parts(index: Any) -> tuple[Any, ...]:
    return index if isinstance(index, tuple) else (index,)


def _mixed_index(frame: Frame, src: Any, track: Track | None, indices: Any, out: Any, op: str,
                 dim: int | None = None) -> bool:
    """Whether an index (or mask) among ``indices`` was computed from values that mix images
    (``e[e >= e.flatten().kthvalue(k).values]``): which positions it picks would differ on a
    group's images alone, so ``out`` is lost at the op that mixed them. An index along ``dim``
    (``_LEADING``: of ``__getitem__``) that permutes its image rows is not (``_permutes_rows``)."""
    parts = indices if isinstance(indices, (tuple, list)) else (indices,)
    for p in parts:
        t = frame.get(p) if type(p) not in NOT_TENSORS and isinstance(p, Tensor) else None
        if t is not None and t.lost_at in _ORDER_LOST and dim is not None and (dim != _LEADING or _leading(parts, p)) \
                and _permutes_rows(frame, track, p, 0 if dim == _LEADING else dim, op):
            continue
        if t is not None and t.lost_at in _ORDER_LOST and track is not None and track.lost_at is not None:
            frame.lose(out, track.lost_at, track)  # rows lost before their order picks them: that is why
            return True
        if t is not None and (t.lost_at is not None or t.ratio is not None):
            pred = t.from_prediction or (track.from_prediction if track is not None else isinstance(src, Tensor) and src.requires_grad)
            lost = f"{op} with an index of values that mix images (lost at {t.lost_at or 'a reduction over rows'})"
            frame.lose(out, mixed_pick(lost) if p.dtype is torch.bool else lost, pred=pred)
            return True
    return False


_LEADING = -1
"""``_mixed_index``'s dim for ``__getitem__``: the dim of a lone leading tensor index, 0."""


def _leading(parts: Any, p: Tensor) -> bool:
    """Whether ``p`` is the first of the index parts and the others basic (``x[order]``,
    ``x[order, :, 1]``): it picks along dim 0."""
    return parts[0] is p and not any(isinstance(q, Tensor) or q is None or q is Ellipsis for q in parts[1:])


def _permutes_rows(frame: Frame, track: Track | None, index: Tensor, dim: int, op: str) -> bool:
    """An index lost at a sort along the images (its order, its inverse:
    ``pack_padded_sequence(.., enforce_sorted=False)`` and its unpacking; a mixture of experts'
    ``x[perm // k]`` of the order of the tokens' k routed expert ids) that picks every row of an
    image dim once, or every row the same number of times: on a group alone the body picks the
    group's rows as often, in its own order, and each picked row keeps its image (checked on the
    device, else the call is declined)."""
    if track is None or track.image is not None or index.dim() != 1 or index.dtype not in (torch.long, torch.int):
        return False
    rows = track.rows.get(dim)
    if rows is None or rows.dim() != 1 or not rows.numel() or index.numel() % rows.numel():
        return False
    order = torch.arange(index.numel(), device=index.device, dtype=index.dtype)
    each = index.numel() // rows.numel()
    frame.doubt((index.sort().values != (order if each == 1 else order // each)).any(),
                f"{op} with an index of values that mix images that is no permutation of the images' rows"
                + (f" (each {each} times)" if each > 1 else ""))
    return True


def _element(frame: Frame, src: Tensor, track: Track | None, i: int, out: Tensor) -> bool:
    """``loss[i]`` of a buffer of losses (``_loss_buffer``: position i's loss, once written) or of
    another vector of ratios (per-class batch sums, a buffer's ``detach()``): element i's ratio,
    which on a group alone is element i of the group's vector. A tested or gated element (a
    class's presence) is no ratio alone. True when followed here."""
    n = src.shape[0]
    known = frame.loss_buffers.get(id(src))
    entry = _buffer_of_losses(frame, src, 0) if known is not None and known[0] is src else None
    if known is not None and known[0] is src and entry is None:  # written otherwise since (and lost there)
        del frame.loss_buffers[id(src)]
    elif entry is not None:
        slot = entry[0].get(i % n) if -n <= i < n else None
        if slot is None:
            frame.lose(out, "Tensor.__getitem__ of a position of a buffer of losses not written by position", pred=True)
        else:
            frame.set(out, Track(from_prediction=True, ratio=slot.ratio, sites=slot.sites))
        return True
    if track is None or not track.elements:
        return False
    r = track.elements[i % n] if -n <= i < n and len(track.elements) == n else None
    if r is None or r.test is not None or r.gate is not None:
        frame.lose(out, track.lost_at or "Tensor.__getitem__", track)
    else:
        frame.set(out, Track(from_prediction=track.from_prediction, ratio=r, sites=track.sites))
    return True


def _picked_elements(frame: Frame, track: Track, index: list | slice, n: int, out: Tensor) -> bool:
    """``loss[self.classes]``, ``loss[1:]`` of a vector of per-element ratios or expressions (per
    class over the batch): at positions the code fixes (a literal slice, a list attribute of the
    call's objects held unchanged: ``configured_list_index``), on a group alone the same elements
    of the group's vector. True when followed here."""
    if type(index) is slice and not literal_index(index) or type(index) is list \
            and not _bytecode.configured_list_index(index, frame.fixed_lists):
        return False
    try:
        picked = list(range(n)[index]) if type(index) is slice else [range(n)[i] for i in index]
    except IndexError:
        return False
    if track.element_formulas and len(track.element_formulas) == n:
        frame.set(out, Track(from_prediction=track.from_prediction, lost_at=track.lost_at or "Tensor.__getitem__",
                             element_formulas=tuple(track.element_formulas[i] for i in picked), sites=track.sites))
        return True
    if track.elements and len(track.elements) == n and not track.element_formulas:
        frame.set(out, Track(from_prediction=track.from_prediction, lost_at=track.lost_at or "Tensor.__getitem__",
                             elements=tuple(track.elements[i] for i in picked), sites=track.sites))
        return True
    return False


def _bounded_by_item(frame: Frame, track: Track, parts: tuple[Any, ...]) -> None:
    """``pred[:len(label)]``: one image's values cut to the length just read of that image's item
    of a list argument of one item per image: the body pairs the list with the images."""
    items, b, n = frame.item_length or ((), -1, -1)
    frame.item_length = None
    first = parts[0] if parts else None
    if (not track.rows and track.image is not None and frame.image_ids.get(id(track.image)) == b
            and type(first) is slice and first.stop == n and first.start in (None, 0)):
        frame.paired(items)


def _other_sizes(frame: Frame, src: Any, index: Any) -> bool:
    """Whether ``src[index]`` picks, from a tensor of sizes (``torch.tensor(target.size())``,
    ``Frame.size_tensors``, unchanged since), by an int or a list of ints, only sizes that are no
    count of image rows (``[dims]`` without the batch dim, torchmetrics' PSNR per image): the same
    numbers on a group alone, a constant (untracked)."""
    held = frame.size_tensors.get(id(src))
    if held is None or held[0] is not src or held[1] is None or version_of(src) != held[1]:
        return False
    picked = [index] if type(index) is int else index if type(index) is list else None
    n = src.shape[0]
    if not picked or any(type(i) is not int or not -n <= i < n for i in picked):
        return False
    return not any(i % n in held[2] for i in picked)


BATCH_BOUND = ("Tensor.__getitem__ with a slice bound the code computes from the batch as a whole (``r[:int(len(t) * "
               "2.5)]``, ``r[:int(len(flat) * 0.1)]`` with ``flat`` every image's values), cutting one image's own values: "
               "on a group alone another bound")


def _batch_bound(frame: Frame, src: Tensor, track: Track, parts: tuple[Any, ...]) -> bool:
    """Whether ``src[index]`` (``parts``) cuts ``src``, one image's own tensor (``track``), by a
    slice bound the code computes from how many images, or items of several images, the call got
    (``_bytecode.counted_index``): not from that image's own sizes (a ``len`` whose last call read
    one of its tensors, ``Frame.own_len_sites``; ``own_length_bound``). Not after a size read of
    another image's tensor: ``Frame.sized_by_length`` declines the call naming that read."""
    for p in parts:  # (a loop: no generator on every subscript of one image's values)
        if type(p) is slice and (type(p.start) is int or type(p.stop) is int or type(p.step) is int):
            break
    else:
        return False
    last = frame.image_sizes[-1][0] if frame.image_sizes else None
    if last is not None and last != frame.image_ids.get(id(track.image)):
        return False
    own = frozenset(site for site, image in frame.own_len_sites.items() if image is track.image)
    return _bytecode.counted_index(own) and not own_length_bound(src, frame.read_body_call_once)


def _own_field(frame: Frame, index: Any, image: int | None) -> bool:
    """Whether ``index`` cuts image ``image``'s rows by int fields of that image's own target dict
    (``feats[:t["persons"]]``, ``_bytecode.own_field_index``): the same bound on a group alone."""
    targets = frame.per_image_targets
    if image is None or not isinstance(targets, (list, tuple)) or not 0 <= image < len(targets):
        return False
    return own_field_index(index, targets[image], frame.weight_field)


@rule(Tensor.select, torch.select, Tensor.narrow, torch.narrow)
def select_narrow(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``x.select(d, k)`` / ``x.narrow(d, start, length)`` with plain ints along a dim that carries no
    images: the view ``x[(:,) * d + (k,)]`` / ``x[(:,) * d + (start:start + length,)]``, followed by
    the indexing rule (CRD's ``out.select(1, 0)``, ``out.narrow(1, 1, m)``). Along a dim of images, or
    with numbers that are no plain ints (computed from counts, tensors), an op without a rule."""
    src = args[0] if args else kwargs.get("input")
    track = frame.get(src)
    narrow = func in (Tensor.narrow, torch.narrow)
    dim = get_arg(args, kwargs, 1, "dim", None)
    numbers: tuple[Any, ...] = ((get_arg(args, kwargs, 2, "start", None), get_arg(args, kwargs, 3, "length", None))
                                if narrow else (get_arg(args, kwargs, 2, "index", None),))
    if (track is None or not isinstance(src, Tensor) or not isinstance(out, Tensor) or type(dim) is not int
            or not src.dim() or any(type(n) is not int for n in numbers) or norm_dim(dim, src.dim()) in track.rows):
        mode._unknown(frame, func, args, kwargs, out)
        return
    d = norm_dim(dim, src.dim())
    if narrow:
        start = numbers[0] % src.shape[d] if src.shape[d] else 0
        part: Any = slice(start, start + numbers[1])
    else:
        part = numbers[0]
    getitem(frame, Tensor.__getitem__, (src, (slice(None),) * d + (part,)), {}, out)


@rule(Tensor.__getitem__)
def getitem(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Basic and advanced indexing: ``x[:, 0]``, ``x[idx]``, ``x[(batch_idx, src_idx)]``, masks."""
    src, index = args[0], args[1]
    track = frame.get(src)
    if type(index) is tuple and track is not None and _basic_rows(frame, track, index) and type(src) is Tensor \
            and type(out) is Tensor:
        # (a basic index of one image's rows, no tensor part: of the checks below only the cut can fire)
        _cut_doubted(frame, track, index, index, src)
        if not _basic_index(frame, track, index, src.dim(), out):
            _picked_by_index(frame, src, index, track, index, out)
        return
    if frame.size_tensors and _other_sizes(frame, src, index):
        return
    if frame.owner_masks and isinstance(index, Tensor) and isinstance(out, Tensor) and owner_pick(frame, track, index, out):
        return
    # (``_index_parts``, without a call: 45 per seed call; a tensor index is told by its type, no isinstance)
    parts = index if type(index) is tuple or type(index) is not Tensor and isinstance(index, tuple) else (index,)
    if (track is not None and parts and type(parts[0]) is int and not frame.picked_by_position and frame.num_images > 1
            and _picked_image(frame, track, parts) is not None and not _bytecode.looped()):
        frame.picked_by_position = True
        frame.counting.clear()  # asked before: without the pick
    if frame.read_image != NO_READ and track is not None and _bounded(parts):
        # bounds may come from host reads, unless written as literals in the body
        picked = _picked_image(frame, track, parts)
        sliced = frame.image_ids.get(id(track.image)) if track.image is not None and not track.rows else None
        frame.sized("Tensor.__getitem__ with slice bounds", track,
                    lambda: literal_index(index) or _sizes_of_rows(frame, parts)
                    or own_length_bound(src, frame.read_body_call_once) or picked is None and _own_tensor_bounds(
                        frame, parts, sliced), picked, carried=_bytecode.carried_subscript)
    if frame.image_sizes and track is not None and _bounded(parts):
        picked = _picked_image(frame, track, parts)
        image = picked if picked is not None else (
            frame.image_ids.get(id(track.image)) if track.image is not None and not track.rows else None)
        frame.sized_by_length("Tensor.__getitem__ with slice bounds", image,
                              lambda: literal_index(index) or _sizes_of_rows(frame, parts) or _own_field(frame, index, image)
                              or picked is not None and _literal_beside_pick(index, parts, picked, store=False))
    if track is not None and not track.rows and track.image is not None and isinstance(out, Tensor) \
            and _batch_bound(frame, src, track, parts):
        frame.lose(out, BATCH_BOUND, track)
        return
    if track is not None and not track.rows and track.image is not None and frame.num_images > 1 \
            and _loop_positioned(frame, parts):
        frame.doubt(torch.ones((), dtype=torch.bool), f"Tensor.__getitem__ with {LOOP_POSITIONED}")
    if track is not None and track.rows and track.image is None and isinstance(src, Tensor):
        _cut_doubted(frame, track, parts, index, src)
    if frame.own_positions and track is not None and track.rows and track.image is None and isinstance(out, Tensor) \
            and _own_positions_across(frame, track, parts):
        frame.lose(out, OWN_POSITIONS_ACROSS, track)
        return
    if frame.read_image != NO_READ and track is not None:
        _int_positions(frame, track, parts, index)
    if frame.item_length is not None and track is not None:
        _bounded_by_item(frame, track, parts)
    if frame.row_offsets and isinstance(index, Tensor) and isinstance(out, Tensor) and _offset_index(frame, src, track, index, out):
        return
    if _mixed_index(frame, src, track, parts, out, "Tensor.__getitem__", _LEADING):
        return
    if type(index) in (list, slice) and track is not None and (track.elements or track.element_formulas) \
            and isinstance(out, Tensor) and src.dim() == 1 and _picked_elements(frame, track, index, src.shape[0], out):
        return
    if type(index) is int and isinstance(out, Tensor) and src.dim() == 1 and (track is not None and track.elements or (
            frame.loss_buffers and id(src) in frame.loss_buffers)) and _element(frame, src, track, index, out):
        return
    if (
        type(index) not in NOT_TENSORS
        and isinstance(index, Tensor)
        and isinstance(out, Tensor)
        and index.dim() > 1
        and not index.is_floating_point()
        and index.dtype not in (torch.bool, torch.uint8)
        and frame.get(index) is not None
        and (track is None or not track.rows)
    ):  # ``table[ids]`` with ``[B, K]`` ids of the images: the ids' rows (as ``F.embedding``)
        new = _table_rows(frame, src, track, index, frame.get(index), out, "Tensor.__getitem__")
        if new.lost_at is None and track is not None and track.unweighted is not None:
            new.unweighted = track.unweighted[index]
        frame.set(out, new)
        return
    if track is not None and track.unweighted is None and track.lost_at is None and track.ratio is None:
        if not track.rows and track.image is not None and isinstance(out, Tensor):
            # one image's tensor, any index of no other image (one image's own indices agree)
            img: Tensor | None = track.image
            for p in parts:
                t = frame.get(p) if type(p) not in NOT_TENSORS and isinstance(p, Tensor) else None
                if t is not None and t.rows:
                    img = None
                    break
                if t is not None and t.image is not None:
                    img = merge_image(frame, img, t.image, "Tensor.__getitem__")
            if img is not None:
                frame.set(out, Track({}, img, None, track.from_prediction))
                return
        if isinstance(out, Tensor) and _basic_index(frame, track, parts, src.dim(), out):
            return
    _picked_by_index(frame, src, index, track, parts, out)


def _literal_beside_pick(index: Any, parts: tuple[Any, ...], picked: int | None, store: bool = True) -> bool:
    """Whether every bound and position of the subscript (store) the caller's code is executing is
    written there as a constant, beside the int picking an image (``z[i, :, 2:6] = v``, ``x[i, :-1]``)."""
    bounded = {k for k, p in enumerate(parts) if (k or picked is None) and (type(p) is slice and p != _FULL
                                                                           or type(p) is int)}
    return literal_index(index) or bool(bounded) and bounded <= _bytecode.literal_index_parts(store)


def _basic_rows(frame: Frame, track: Track, index: tuple) -> bool:
    """Whether ``getitem`` reads ``x[index]`` as ``_basic_index`` after ``_cuts_across_images``
    alone: rows of no one image nor reduced value, a tuple of slices, ``None``, Ellipsis and ints
    (not first: a pick by position), on a frame without the records the other checks read."""
    if not track.rows or track.image is not None or track.lost_at is not None \
            or track.ratio is not None or track.unweighted is not None or not index or type(index[0]) is int:
        return False
    if frame.size_tensors or frame.read_image != NO_READ or frame.image_sizes or frame.own_positions \
            or frame.item_length is not None:
        return False
    for p in index:  # (a loop: no generator per subscript)
        if type(p) not in _BASIC_PARTS:
            return False
    return True


_BASIC_PARTS = frozenset({slice, int, type(None), type(Ellipsis)})


def _cut_doubted(frame: Frame, track: Track, parts: tuple[Any, ...], index: Any, src: Tensor) -> None:
    """The doubt of ``_cuts_across_images``, where it finds a cut."""
    cut = _cuts_across_images(frame, track, parts, index, src.dim())
    if cut is not None:
        frame.doubt(torch.ones((), dtype=torch.bool),
                    f"Tensor.__getitem__ with {cut} (on a group alone, from the group's)")


def _picked_by_index(frame: Frame, src: Any, index: Any, track: Track | None, parts: tuple[Any, ...], out: Any) -> None:
    """``getitem``'s advanced indexing: tensor and list parts, masks, a table picked by ids."""
    index_tracks = [frame.get(p) if isinstance(p, Tensor) else None for p in parts]
    if (track is None and all(t is None for t in index_tracks)) or not isinstance(out, Tensor):
        return
    op = "Tensor.__getitem__"
    if track is not None and (track.lost_at is not None or track.ratio is not None):
        if track.ratio is not None and out.numel() == 1:
            frame.set(out, track)
        elif track.formula is not None and out.numel() == 1 == src.numel() and all(t is None for t in index_tracks):
            frame.set(out, track)  # ``floor[0]`` of a one-element expression of ratios: that expression
        else:
            frame.lose(out, track.lost_at or op, track)
        return
    # a table without images (an embedding the model learns) picked by the images' ids: rows of the
    # ids, from a prediction when the table requires grad
    track = track or Track(from_prediction=isinstance(src, Tensor) and src.requires_grad)
    # Expand Ellipsis and count dims consumed.
    consumed = sum(
        (p.dim() if isinstance(p, Tensor) and p.dtype == torch.bool else 1)
        for p in parts
        if p is not None and p is not Ellipsis
    )
    expanded: list[Any] = []
    for p in parts:
        if p is Ellipsis:
            expanded.extend([slice(None)] * (src.dim() - consumed))
        else:
            expanded.append(p)
    while sum(
        (p.dim() if isinstance(p, Tensor) and p.dtype == torch.bool else 1)
        for p in expanded
        if p is not None
    ) < src.dim():
        expanded.append(slice(None))
    adv_positions = [
        i for i, p in enumerate(expanded) if isinstance(p, (Tensor, list)) and not (isinstance(p, Tensor) and p.dim() == 0 and p.dtype != torch.bool)
    ]
    rows: Rows = {}
    img = track.image
    d = 0  # input dim
    e = 0  # output dim
    adv_rows: list[Tensor] = []
    # per entry of ``adv_rows``: its images along the one dim of its index that may vary (counted
    # from the right, as the index dims broadcast), or None (see ``_spread_rows``)
    spread: list[tuple[Tensor, int] | None] = []
    position_images: list[Tensor] = []  # of 0-dim indices of one image on dims without images
    index_images: list[Tensor] = []  # of 1-dim indices of one image on dims without images, beside rows
    # the images an index of no images' data picks along a dim of the images in order, and whether an
    # index of no images' data picks positions of another dim beside it (``IMAGES_OUT_OF_ORDER``)
    picked_images: list[Tensor] = []
    positions_beside = False
    adv_out_dim: int | None = None
    adv_ndim = 0
    contiguous_adv = not adv_positions or adv_positions == list(range(adv_positions[0], adv_positions[-1] + 1))
    if adv_positions and not contiguous_adv:
        adv_out_dim = 0
        e = None  # type: ignore[assignment]
    for p in expanded:
        if p is None:
            if e is not None:
                e += 1
            continue
        if isinstance(p, slice):
            if d in track.rows:
                r = track.rows[d]
                at_count = _at_row_count(frame, p, r) if e is not None and _partial(p, r.shape[0]) else None
                if at_count is not None:
                    rows[e] = at_count
                elif e is not None and _every_kth(frame, p, r, index, op):
                    rows[e] = r[p]
                elif e is not None and len(track.rows) == 1 and _partial(p, r.shape[0]) \
                        and (one := _image_slice(frame, p, r)) is not None:
                    img = merge_image(frame, img, one, op)
                elif e is None or _partial(p, r.shape[0]) and not _one_position(p, r.shape[0]):
                    # ``e[1:]`` on a group's images alone drops its own first image: positions
                    return frame.lose(out, f"{op} {SOME_POSITIONS}" if e is not None else op, track)
                elif p != _FULL and e is not None and r is frame.identity.get(r.device):
                    # ``x[i:i + 1]``: image i, as ``x[i]`` (the dim kept, of size 1)
                    img = merge_image(frame, img, _image_at(frame, r, p.start), op)
                else:
                    rows[e] = r if p == _FULL else r[p]
            if e is not None:
                e += 1
            d += 1
            continue
        by_position = _picked_index(frame, track, p, d, op)
        if by_position is not None:
            return frame.lose(out, by_position, track)
        if isinstance(p, int) or (isinstance(p, Tensor) and p.dim() == 0 and p.dtype != torch.bool):
            if d in track.rows:
                img = merge_image(frame, img, _image_at(frame, track.rows[d], p), op)
            elif isinstance(p, Tensor):
                ti = frame.get(p)
                if ti is not None and ti.image is not None and not ti.rows:
                    if not track.rows:  # ``table[t["user"]]``: one image's id, its row
                        img = merge_image(frame, img, ti.image, op)
                    else:  # ``x[i, k]``: checked against the image the int picks below
                        position_images.append(ti.image)
            d += 1
            continue
        # advanced index
        ti = frame.get(p) if isinstance(p, Tensor) else None
        pt = torch.as_tensor(p) if isinstance(p, list) else p
        if pt.dtype == torch.bool:
            span = list(range(d, d + pt.dim()))
            tracked = [k for k in span if k in track.rows]
            # the positions picked, in order; their count is the body's result's (read there), when the
            # mask is the only advanced index and it spans dims: no read of ours
            positions = _mask_picks(frame, pt, out.shape[e], op) if len(adv_positions) == 1 and pt.dim() \
                and e is not None and e < out.dim() and (tracked or ti is not None) else None
            for k in tracked:
                sizes = [src.shape[j] for j in span]
                flat = expand_rows(frame, track.rows[k], sizes, k - d)
                adv_rows.append(flat.view(sizes)[pt] if positions is None else flat[positions.to(flat.device)])
                if k == d and track.rows[k] is frame.identity.get(track.rows[k].device):
                    frame.picks(adv_rows[-1], pt)  # each picked position's dim-0 index: ``_rows_in_place``
                spread.append(None)
                if ti is None:  # (a mask over the images alone: the missing images' check only)
                    one_each = len(sizes) == 1 and track.rows[k] is frame.identity.get(track.rows[k].device)
                    _constant_positions(frame, adv_rows[-1], op, pt, None if one_each else flat)
            if ti is not None and (track.rows or frame.get(src) is None and src.requires_grad):
                # ``pred[pos]``, ``pos`` a mask of the images' rows (from their joined labels): the positions it
                # keeps are its rows', as ``pred - target`` pairs them (mmdet's ``bbox_pred[pos_inds]``); not
                # a plain tensor (``w[has]`` of the weights' values stays a factor that may be the weights)
                for k, r in ti.rows.items():
                    flat = expand_rows(frame, r, list(pt.shape), k)
                    adv_rows.append(flat.view(pt.shape)[pt] if positions is None else flat[positions.to(flat.device)])
                    spread.append(None)
            d += pt.dim()
            adv_ndim = max(adv_ndim, 1)
        else:
            if d in track.rows:
                r = track.rows[d]
                if ti is None and frame.literal_columns and mode._held(frame.literal_columns, pt):
                    return frame.lose(out, f"{op} picking the images by a fill of a number other than the image's "
                                      "position in a loop over the images (every row names that one image: on a "
                                      "group alone another)", track)
                ident = frame.identity.get(r.device)
                adv_rows.append(pt.long() if r is ident else r[pt])
                spread.append(_spread_of_index(frame, pt, adv_rows[-1], op))
                if ti is None:
                    _constant_positions(frame, adv_rows[-1], op, pt, r)
                    if pt.dim() == 1 and pt.numel() > 1 and _nonzero_of(frame, pt) is None \
                            and not (r is ident and _known_in_order(frame, pt)):
                        picked_images.append(adv_rows[-1])
                if r is ident and ti is None and pt is p and pt.dim() == 1:  # ``pred[img, ...]``: img names images
                    frame.image_indices[id(pt)] = (pt, version_of(pt))
            else:
                for n in pt.shape:
                    frame.positions_moved(op, n)
                positions_beside = positions_beside or ti is None and pt.numel() > 1
            if ti is not None and ti.rows.get(0) is not None and pt.dim() == 1:
                adv_rows.append(ti.rows[0])
                spread.append((ti.rows[0], 1))
            elif ti is not None and ti.rows and pt.dim() > 1:
                # ``pd_scores[ind0, :, gt_labels]``: a ``[B, N]`` index of the images' data, its rows' images
                k, r = next(iter(ti.rows.items()))
                adv_rows.append(expand_rows(frame, r, list(pt.shape), k).view(pt.shape))
                spread.append((r, pt.dim() - k) if len(ti.rows) == 1 and pt.shape[k] > 1 else None)
            elif ti is not None and ti.image is not None and pt.dim() == 1 and not track.rows:
                # ``boxes_b[idx_b]``: one image's indices into a tensor of no other image's rows
                img = merge_image(frame, img, ti.image, op)
            elif ti is not None and ti.image is not None and pt.dim() == 1:
                adv_rows.append(ti.image.reshape(1).expand(pt.shape[0]))
                spread.append(None)
                index_images.append(ti.image)
            d += 1
            adv_ndim = max(adv_ndim, pt.dim())
        if e is not None and adv_out_dim is None:
            adv_out_dim = e
            e += 1
    if img is not None and len(index_images) > 1 and len(index_images) == len(adv_rows) and not rows:
        # (one index beside the int, ``x[b, t["pos_inds"]]``, keeps its rows: the rules of counts read them)
        # ``loss_mat[m + (rows_b, cols_b)]`` of an assignment solved on image m's matrix: image m's values, as
        # ``x[m][rows_b, cols_b]`` (sv45b: was rows of image m beside image m, not taken as one image's write)
        position_images += index_images
        adv_rows = []
    if img is not None:
        # ``at[i] = x[i, searchsorted(grid, time[0])]`` in a loop over the images: the position is image 0's,
        # the row image i's (on a group alone another image's position: was silently the batch's)
        for other in position_images:
            img = merge_image(frame, img, other, op)
    if e is None:
        e = 1
    # Remaining dims after the advanced block shift by the block's rank.
    shift = 0
    if adv_rows:
        if adv_ndim != 1:
            # ``x[idx]`` with ``idx = det.nonzero()``, ``[n, 1]``: each position one row, the unit dims after it
            if any(r.dim() != adv_ndim or any(n != 1 for n in r.shape[1:]) for r in adv_rows):
                found = _spread_rows(frame, spread, adv_ndim, op) if len(spread) == len(adv_rows) else None
                if found is None:
                    return frame.lose(out, op, track)
                adv_out_dim, adv_rows = adv_out_dim + found[0], [found[1]]  # type: ignore[operator]
                e = None if e is None else e + found[0]
                shift = adv_ndim - 1 - found[0]
            else:
                adv_rows = [r.reshape(-1) for r in adv_rows]
                shift = adv_ndim - 1
        assert adv_out_dim is not None
        first = adv_rows[0]
        for r in adv_rows[1:]:
            frame.agree(first, r, op, scoped=True)
        if positions_beside:
            for r in picked_images:
                frame.doubt((r[1:] < r[:-1]).any(), IMAGES_OUT_OF_ORDER, scoped=True)
        rows[adv_out_dim] = first
    for k, r in track.rows.items():
        if k >= d:
            rows[e + shift + (k - d)] = r
    new = Track(rows=rows, image=img, from_prediction=track.from_prediction)
    if track.unweighted is not None:
        new.unweighted = track.unweighted[index]
    if not new.rows and new.image is None:
        if track.from_prediction and (track.rows or any(t is not None for t in index_tracks)):
            return frame.lose(out, op, track)
        return
    frame.set(out, new)


IMAGES_OUT_OF_ORDER = ("Tensor.__getitem__ picks the images out of their order beside positions of another dim "
                       "that no images' data gives (DETR's (batch_idx, src_idx) with the batch index reordered: "
                       "each image's positions, made per image, then meet another image's row)")
"""Red44: ``x[batch.flip(0), src]``, ``src`` each image's positions made from its own count (an
untracked tensor, a constant to the rules): on a group alone the pairs are the group's own; with the
image index in the images' order the pairs are those a loop over them makes (DETR's), otherwise
another image's positions meet each row (was silently wrong; under keys43's scoping only the keys
paired elsewhere declined). An image index in order beside positions in another order is not caught
(``tests/test_red_team44.py``, pinned)."""


def _mask_picks(frame: Frame, mask: Tensor, n: int, op: str) -> Tensor:
    """The flat positions ``mask`` is true at, in order, ``n`` of them (``mask.reshape(-1).nonzero()``
    without a host read: a device sync each on an accelerator). ``n`` is what the body's indexing
    found; a deferred check declines the call if the mask holds another count."""
    flat = mask.reshape(-1)
    frame.doubt(flat.sum() != n, f"{op} by a mask: the rules counted its positions otherwise than the op did")
    slot = torch.where(flat, flat.cumsum(0) - 1, n).clamp_(max=n)  # the positions not picked: slot n, dropped
    picks = torch.empty(n + 1, dtype=torch.long, device=flat.device)
    picks.index_put_((slot,), torch.arange(flat.numel(), device=flat.device))
    return picks[:n]


def _picked_index(frame: Frame, track: Track, p: Any, d: int, op: str) -> str | None:
    """Why an index ``p`` at input dim ``d`` of a tensor of several images' rows ends attribution:
    ``p`` is one image's values picked by position outside any loop over the images
    (``x[:, 0, GRID <= t[0]["y"][0, 0]]``, ``x[:, searchsorted(GRID, v0)]``), and ``d``
    (or, for a mask, each dim it spans) carries no images. The same positions then cut every
    image's rows, the batch's on every group, while on a group alone ``t[0]`` is the group's own
    first image (found by s35g: silently the batch's cut). None otherwise."""
    if not track.rows or frame.num_images < 2 or not isinstance(p, Tensor) or type(p) in NOT_TENSORS:
        return None
    ti = frame.get(p)
    span = range(d, d + (p.dim() if p.dtype == torch.bool else 1))
    if ti is None or ti.rows or ti.image is None or ti.lost_at is not None or any(k in track.rows for k in span):
        return None  # (a lost index: ``_mixed_index``)
    if _bytecode.looped(proven=True):  # (a helper called through a dict or a lambda: no loop proven)
        return None
    return (f"{op} with positions from one image's values picked by position (outside any loop over the "
            "images) on a dim of every image's rows without images: on a group alone that position holds another image")


def _spread_of_index(frame: Frame, pt: Tensor, images: Tensor, op: str) -> tuple[Tensor, int] | None:
    """The images ``images`` (``r[pt]``) of an index ``pt`` of a dim of image rows along the one
    dim of ``pt`` whose images may differ, counted from the right: every other dim of size 1 or
    of stride 0, an ``expand`` of its values (``arange(bs).view(-1, 1).expand(-1, n)``), known
    from its layout without a read; else its first dim, with the deferred check that the images
    do not differ along the others (``flatten()[idx + arange(bs)[:, None] * n]``, each row of
    ``idx`` picking its image's rows). None where no dim may differ."""
    if pt.dim() == 1 and images.dim() == 1:  # (every index of the seed's: no copy, no view, no check)
        return (images, 1) if pt.shape[0] > 1 and pt.stride(0) != 0 else None
    varying = [k for k in range(pt.dim()) if pt.shape[k] > 1 and pt.stride(k) != 0]
    if not varying:
        return None
    k = varying[0]
    first = images[tuple(slice(None) if j == k else slice(0, 1) for j in range(pt.dim()))]
    if len(varying) > 1:
        frame.doubt((images != first).any(), f"an index of several dims at {op} picks rows of several images along "
                    "a dim other than its first")
    return first.reshape(-1), pt.dim() - k


def _spread_rows(frame: Frame, spread: list[tuple[Tensor, int] | None], ndim: int, op: str) -> tuple[int, Tensor] | None:
    """Advanced indices of several dims (``pd_scores[ind0, :, gt_labels]``, both ``[B, N]``):
    where each index's images vary along one and the same dim of the broadcast index (the others
    repeat them), that dim of the result carries them: (its place in the index dims, its images,
    the indices' maps agreeing on the device). None otherwise."""
    if not spread or any(s is None for s in spread):
        return None
    dims = {ndim - s[1] for s in spread if s is not None}
    if len(dims) != 1:
        return None
    first = spread[0][0]  # type: ignore[index]
    for s in spread[1:]:
        frame.agree(first, s[0], op)  # type: ignore[index]
    return dims.pop(), first


def _known_in_order(frame: Frame, index: Tensor) -> bool:
    """Whether the host knows the image index ``index`` in the images' order (``Frame.known_runs``:
    DETR's ``cat`` of ``full_like(src, i)`` per image), so ``IMAGES_OUT_OF_ORDER`` needs no check on
    the device (the seed's criterion made no scoped check before it; each costs every later op)."""
    runs = frame.known_runs(index) if frame.value_runs else None
    return runs is not None and all(a[0] < b[0] for a, b in zip(runs, runs[1:]))


def _nonzero_of(frame: Frame, index: Any) -> Tensor | None:
    """The ``nonzero()`` indices of a mask (``Frame.counted``) that ``index`` is, or views; None."""
    for t in (index, getattr(index, "_base", None)):
        held = frame.counted.get(id(t)) if isinstance(t, Tensor) else None
        if held is not None and held[0] is t:
            return t
    return None


def _constant_positions(frame: Frame, images: Tensor, op: str, index: Any, of: Tensor | None = None) -> None:
    """An index of no images' data along a dim that carries images picks positions: built per
    image by its position (DETR's ``batch_idx`` from a loop over the images) it names, on a group
    alone, the group's images as here, and every image with matched rows is in it. Defer the check
    that no image whose targets have instances is missing (``x[[1]]``, ``x.index_select(0, [1])``:
    on a group alone position 1 is another image). The ``nonzero()`` indices of a mask over image
    rows (or a view of them: ``.reshape(-1)``, ``[:, 0]``) are no constant: on a group alone they
    are the positions of the group's own mask, whichever images have none; a part of them by
    position (``pos[1:]``) is another part on a group alone: declined. Along a dim of blocks of
    image rows (``of``, see ``shape._blocks_of``) every block must be picked."""
    t = _nonzero_of(frame, index)
    if t is not None:
        if t is index or index.dim() and t.dim() and index.shape[0] == t.shape[0] and index.stride(0) == t.stride(0):
            return
        frame.doubt(torch.ones((), dtype=torch.bool), f"{op} picks positions by a part of a mask's nonzero() "
                    "indices (on a group alone that part is other positions)")
        return
    block = frame.view_block_rows.get(id(of)) if of is not None and frame.view_block_rows else None
    if block is not None and block[0] is of:
        n = of.shape[0]
        if not isinstance(index, Tensor) or index.dtype == torch.bool or index.is_floating_point():
            index = to_device(torch.as_tensor(index), of.device)
        picked = torch.zeros(n, dtype=torch.bool, device=index.device)
        if index.dtype != torch.bool:
            picked = picked.index_fill(0, index.reshape(-1).long().remainder(n), True)
        frame.doubt(~picked.all(), f"{op} picks positions along a dim of blocks of image rows and misses a block (on "
                    "a group alone the positions are other blocks)")
        return
    if of is not None and of is not frame.identity.get(of.device):  # (DETR's ``batch_idx`` picks images unevenly)
        _uneven_picks(frame, of, index, op)
    elif of is not None and _counted_positions(frame, index):  # ``e[torch.cat([arange(B), zeros(1)])]`` (rt37)
        _uneven_picks(frame, of, index, op)
    version = version_of(images)
    known = frame.missing_of.get(id(images))
    if known is not None and known[0] is images and known[1] == version and version is not None:
        missing = known[2]  # the same index, unchanged since: the same counts
    else:
        _, missing = image_counts(frame, images.reshape(-1))
        frame.missing_of[id(images)] = (images, version, missing)
    if missing is not None:
        frame.doubt(missing, f"{op} picks positions along a dim that carries images and misses an image whose targets "
                    "have instances (on a group alone the positions are other images)")


def owner_pick(frame: Frame, track: Track | None, mask: Tensor, out: Tensor) -> bool:
    """``kpts[batch_idx == i]`` (YOLOv8-pose's targets per image): rows of the images (dim 0 alone)
    picked by ``owner == k``, ``owner`` a join of int fills of the images' positions in a loop over
    the images (``Frame.owner_masks``), are image ``k``'s rows in order, as ``x[k]`` of one row per
    image is image ``k``'s, whatever the loop: deferred, the check that ``owner`` is the rows' map of
    images (fills of other numbers, ``full((n,), b - 1 - i)``, pick other rows on a group alone). A
    mask of any other values (labels equal to the positions) is a mask, as before."""
    held = frame.owner_masks.get(id(mask))
    if held is None or held[0] is not mask or version_of(mask) != held[1] or version_of(held[2]) != held[3]:
        return False
    owner, k = held[2], held[4]
    if track is None or track.reduced or track.lost_at is not None or track.unweighted is not None \
            or not 0 <= k < frame.num_images or mask.shape != owner.shape:
        return False
    if not track.rows and track.image is not None and frame.image_id(track.image) == k and mask.dim() == 1:
        rows = track.image.reshape(1).expand(owner.shape[0])  # (one image's tensor: a call of one image)
    elif len(track.rows) == 1 and 0 in track.rows and track.image is None and track.rows[0].shape == owner.shape:
        rows = track.rows[0]
    else:
        return False
    if frame.num_images > 1 and not _bytecode.looped():  # (as ``x[0]``: the one-image checks count it)
        frame.picked_by_position = True
        frame.counting.clear()
    frame.doubt((rows != to_device(owner, rows.device)).any(), "Tensor.__getitem__ picks rows by a comparison of "
                "positions filled per image that are not the rows' images (on a group alone other rows)")
    frame.set(out, Track({}, frame.image_index(k, rows.device), None, track.from_prediction))
    return True


def _counted_positions(frame: Frame, index: Any) -> bool:
    """Whether ``index`` is made from positions of the batch laid out by a count of its rows
    (``torch.arange(len(e))``, ``Frame.positional``), not filled per image in a loop over the images
    (DETR's ``batch_idx``, which may pick the images unevenly, each its own matched rows)."""
    held = frame.positional.get(id(index)) if isinstance(index, Tensor) else None
    return held is not None and held[0] is index and "loop" not in held[1]


_UNEVEN_CAP = 1 << 24  # positions x images past which the check of ``_uneven_picks`` is not made: declined


def _uneven_picks(frame: Frame, of: Tensor, index: Any, op: str, made: Any = None) -> None:
    """Defer the check that an index of no image's data along a dim of several rows per image
    (``of``: each position's image) picks, in every image, the same
    positions of its own rows, as many times each (a position past an image's rows is not asked
    of it; an image picked nowhere is ``_constant_positions``' check: skipped where it has no
    instances or they are not known). ``flat[torch.arange(0, n, 2)]`` of 12 values per image
    picks every image's even values, as on a group alone; ``flat[torch.arange(3, n)]`` skips the
    first image's first 3 only and ``flat[torch.arange(0, n, 5)]`` picks other values in each
    image (rt37, found silently wrong): on a group alone the same positions are other rows. Only
    for an index or mask ``made`` (default: the index) from positions of the batch
    (``Frame.positional``): one filled per image in a loop over the images picks each image's own
    rows, unevenly (Co-DETR's padded positives, ``box_w[:, 0] > 0``)."""
    made = index if made is None else made
    held = frame.positional.get(id(made)) if isinstance(made, Tensor) else None
    if held is None or held[0] is not made:
        return
    ids = of.reshape(-1).long()
    n, b, device = ids.shape[0], frame.num_images, of.device
    message = f"{op} picks positions along a dim that carries images, not the same positions of every image's rows " \
              "as often (on a group alone the positions are other rows)"
    if n == 0 or b < 2:
        return
    if n * b > _UNEVEN_CAP:
        frame.doubt(torch.ones((), dtype=torch.bool, device=device), message, scoped=True)
        return
    if not isinstance(index, Tensor):
        index = torch.as_tensor(index)
    index = to_device(index, device)
    if index.dtype == torch.bool:
        if index.numel() != n:
            return
        picked = index.reshape(-1).long()
    else:
        flat = index.reshape(-1).long().remainder(n)
        picked = torch.zeros(n, dtype=torch.long, device=device).index_put_(
            (flat,), torch.ones((), dtype=torch.long, device=device).expand(flat.shape[0]), accumulate=True)
    valid = (ids >= 0) & (ids < b)
    ids = ids.clamp(0, b - 1)
    ordered, order = torch.sort(ids, stable=True)
    local = torch.empty_like(ids).index_put_((order,), torch.arange(n, device=device) - torch.searchsorted(ordered, ordered))
    slot = ids * n + local
    table = torch.zeros(b * n, dtype=torch.long, device=device).index_put_((slot,), picked * valid, accumulate=True).view(b, n)
    has = torch.zeros(b * n, dtype=torch.bool, device=device).index_put_((slot,), valid).view(b, n)
    wanted = mode._counting(frame, device)[1]
    skipped = table.sum(1) == 0  # an image picked nowhere (without instances, where known): the missing images' check
    has = has & ~(skipped if wanted is None else skipped & (wanted == 0)).unsqueeze(1)
    top = table.masked_fill(~has, -1).amax(0)
    low = table.masked_fill(~has, n + 1).amin(0)
    frame.doubt((has.any(0) & (top != low)).any(), message, scoped=True)


@rule(
    Tensor.__setitem__, Tensor.index_put_, Tensor.masked_fill_, Tensor.add_, Tensor.sub_,
    Tensor.copy_, Tensor.fill_, Tensor.zero_,
    Tensor.masked_scatter_,
    # masks combined in place (``e[:, :, :-1] |= lab[..., :-1] != lab[..., 1:]``, SCHP's label edges, survey 55):
    # each position with the value at the same position, as ``add_``
    Tensor.__ior__, Tensor.__iand__, Tensor.__ixor__, Tensor.bitwise_or_, Tensor.bitwise_and_, Tensor.bitwise_xor_,
    Tensor.logical_or_, Tensor.logical_and_, Tensor.logical_xor_,
)
def inplace(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """In-place writes (``x[idx] = v``, ``scatter_``, ``add_``): positions keep their images."""
    if func is Tensor.masked_scatter_:  # ``mask`` and ``source`` by keyword too: ``_inplace`` reads them by position
        args, kwargs = (args[0], get_arg(args, kwargs, 1, "mask", None), get_arg(args, kwargs, 2, "source", None)), {}
        if _scattered_elsewhere(frame, func, args, kwargs):
            return
    _inplace(frame, func, args, kwargs, out, scales=False)
    written_through_view(frame, args[0], op_name(func))


@rule(torch.masked_scatter, Tensor.masked_scatter)
def masked_scatter(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.masked_scatter(x, mask, source)``: ``x`` where ``mask`` is false, elsewhere the
    next of ``source``'s values in order (zuko's lower-triangular scales). The positions keep the
    rows of ``x`` and ``mask``; the value each takes must be of its own image (``_in_order``), so
    that on a group's images alone it takes the same one."""
    parts = _scatter_operands(frame, func, args, kwargs, out)
    if parts is None:
        return
    x, mask, source, positions, held = parts
    op = op_name(func)
    if positions is None or positions.lost_at is not None:
        frame.lose(out, positions.lost_at if positions is not None and positions.lost_at else op, held or positions)
        return
    why = _in_order(frame, op, positions, out, mask, source, held)
    if why is not None:
        frame.lose(out, why, held or positions)
        return
    kept = frame.get(x)
    if kept is not None and kept.unweighted is not None or held is not None and held.unweighted is not None:
        positions.unweighted = torch.masked_scatter(unweighted_of(x, kept), mask, unweighted_of(source, held))
    frame.set(out, positions)


def _scatter_operands(
    frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any
) -> tuple[Tensor, Tensor, Tensor, Track | None, Track | None] | None:
    """A ``masked_scatter``'s ``x``, ``mask``, ``source``, the track of the positions (``x`` and
    ``mask`` broadcast to ``out``) and of the values (``source``), or None where nothing is
    followed."""
    x, mask, source = args[0], get_arg(args, kwargs, 1, "mask", None), get_arg(args, kwargs, 2, "source", None)
    if not all(isinstance(t, Tensor) for t in (x, mask, source, out)):
        return None
    held = frame.get(source)
    positions = broadcast_tracks(frame, op_name(func), [(x, frame.get(x)), (mask, frame.get(mask))], out)
    return None if positions is None and held is None else (x, mask, source, positions, held)


def _scattered_elsewhere(frame: Frame, func: Any, args: tuple, kwargs: dict) -> bool:
    """``x.masked_scatter_(mask, source)`` whose values are not followed in order into their
    positions (``_in_order``): ``x`` lost, True."""
    parts = _scatter_operands(frame, func, args, kwargs, args[0])
    if parts is None or parts[3] is not None and parts[3].lost_at is not None:
        return False
    x, mask, source, positions, held = parts
    why = _in_order(frame, op_name(func), positions or Track(), x, mask, source, held)
    if why is None:
        return False
    frame.lose(x, why, held or frame.get(x))
    lose_aliases(frame, x, op_name(func))
    return True


def _in_order(frame: Frame, op: str, track: Track, out: Tensor, mask: Tensor, source: Tensor,
              held: Track | None) -> str | None:
    """Why ``source``'s values, taken in order into the positions of ``out`` (rows: ``track``)
    where ``mask`` is true, cannot be followed, or None after deferring the check that each value is
    of its position's image: then on a group's images alone its positions take the group's values
    in the same order, the same ones."""
    tested = frame.get(mask)
    if tested is not None and tested.unweighted is not None:  # ``(e * w).lt(0.3)``: with the weight 1, other positions?
        if tested.unweighted.shape != mask.shape:
            return f"{op} at positions picked by a test of values weighted per image"
        frame.doubt((tested.unweighted != mask.detach()).any(),
                    f"{op} at positions picked by a test of values weighted per image, other positions with the weight 1")
    if held is not None and (held.lost_at is not None or held.ratio is not None or held.parts or held.elements or held.element_formulas
                             or held.formula is not None):
        return f"{op} of values that mix images (lost at {held.lost_at})" if held.lost_at else f"{op} of reduced values"
    if len(track.rows) > 1 or track.reduced:
        return f"{op} into a reduced value or over several dims that carry images"
    if held is None:
        return f"{op} of values that carry no images into positions that do" if track.rows else None
    if not track.rows and not held.rows:  # one image's values (one example) or none
        if held.image is not None:
            track.image = merge_image(frame, track.image, held.image, op)
        return None
    if len(held.rows) != 1 or len(track.rows) != 1:
        return f"{op} of values whose images are not one dim's"
    if source.numel() == 0:
        return None
    ((e, r),) = track.rows.items()
    ((d, q),) = held.rows.items()
    at = expand_rows(frame, r, list(out.shape), e)
    taken = expand_rows(frame, q, list(source.shape), d).to(at.device)
    picked = mask.to(at.device).expand(out.shape).reshape(-1)
    index = (picked.long().cumsum(0) - 1).clamp(0, taken.numel() - 1)
    frame.doubt(((taken[index] != at) & picked).any(), f"{op} puts a value of one image at a position of another")
    return None


@rule(Tensor.mul_, Tensor.div_)
def inplace_scale(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``l *= w`` / ``l /= w``: as other in-place writes; by a tensor, the unweighted values are
    gone, so nothing is attributed rather than guessed."""
    held = frame.get(args[0]) if len(args) == 2 and type(args[1]) is float else None
    if held is not None and held.lost_at is None and elementwise.unread_count_factor(
            frame, held, args[1], "mul" if func is Tensor.mul_ else "div"):  # ``e *= w`` of ``zip([1 / n] * n, ..)``
        frame.lose(args[0], f"{op_name(func)}: {elementwise.UNREAD_COUNT_FACTOR}", held)
        lose_aliases(frame, args[0], op_name(func))
    elif func is Tensor.div_ and elementwise.rounded_division(frame, func, args, kwargs, args[0]):
        lose_aliases(frame, args[0], op_name(func))
    else:
        _inplace(frame, func, args, kwargs, out, scales=True)
    written_through_view(frame, args[0], op_name(func))


_WRITTEN_VALUE = {Tensor.__setitem__: 2, Tensor.index_put_: 2, Tensor.masked_scatter_: 2, Tensor.copy_: 1, Tensor.add_: 1,
                  Tensor.sub_: 1}
"""The position of the values an in-place write puts into its target."""


def _inverse_order(frame: Frame, target: Tensor, args: tuple) -> bool:
    """``inv[perm] = torch.arange(n)`` into a buffer of no images, ``perm`` the order of a sort
    along the images (a mixture of experts' way back to the tokens' order): ``inv`` is its inverse,
    an order as ``perm`` is, left lost at the sort (only a gather along the rows it permutes,
    checked there to be a permutation, follows it). True when followed here."""
    index, value = args[1], args[2] if len(args) > 2 else None
    ti = frame.get(index) if isinstance(index, Tensor) and type(index) not in NOT_TENSORS else None
    tt = frame.get(target)
    if tt is not None and tt.lost_at not in _ORDER_LOST or ti is None or ti.lost_at not in _ORDER_LOST \
            or index.dim() != 1 or target.dim() != 1 \
            or index.numel() != target.numel() or target.is_floating_point() or target.dtype is torch.bool:
        return False
    if not isinstance(value, Tensor) or frame.get(value) is not None or value.is_floating_point():
        return False
    frame.lose(target, ti.lost_at, ti)
    return True


def _written_at(x: Tensor, index: Any, value: Tensor) -> Tensor:
    x = x.clone()
    x[index] = value
    return x


_REPLAYED = {Tensor.__setitem__: _written_at, Tensor.masked_scatter_: torch.masked_scatter}
"""In-place writes whose values, remembering unweighted ones, are written alike into the target's
unweighted copy (out of place). ``masked_scatter_`` gets here only after ``inplace`` followed its
values in order (``_in_order``, as ``masked_scatter``'s, whose unweighted values are the same
``torch.masked_scatter``)."""

def _position_part_written(frame: Frame, target: Any, args: tuple) -> bool:
    """Whether ``target[index] = value`` writes one image's row (an int first part of a tuple index,
    into a tensor with a row per image) at an int or slice bound after it that the code computes
    from a position in a loop over the images (``_bytecode.positional_write_part``)."""
    index = args[1] if len(args) > 1 else None
    if type(index) is not tuple or len(index) < 2 or type(index[0]) is not int or frame.num_images < 2 \
            or not isinstance(target, Tensor) or target.dim() < 2 or target.shape[0] != frame.num_images:
        return False
    if not any(type(p) is int or type(p) is slice and (p.start is not None or p.stop is not None) for p in index[1:]):
        return False
    return _bytecode.positional_index_part(frame.size_sites, frame.per_image_targets, store=True,
                                           content=frame.loop_content)


def _row_view_position_written(frame: Frame, target: Any, args: tuple) -> bool:
    """Whether ``target[index] = value`` writes into a view of one row of a tensor with a row per
    image (``z[i][:, i % 2] = v``, ``z_i = z[i]``) at an int or slice bound after the index's first
    part that the code computes from a position in a loop over the images
    (``_bytecode.positional_index_part``); ``_position_part_written`` reads ``z[i, :, i % 2]``."""
    base = target._base if isinstance(target, Tensor) else None
    index = args[1] if len(args) > 1 else None
    if base is None or frame.num_images < 2 or base.dim() != target.dim() + 1 or base.shape[0] != frame.num_images \
            or type(index) is not tuple or len(index) < 2:
        return False
    if not any(type(p) is int or type(p) is slice and (p.start is not None or p.stop is not None) for p in index[1:]):
        return False
    return _bytecode.positional_index_part(frame.size_sites, frame.per_image_targets, store=True,
                                           content=frame.loop_content)


def _picked_by_values(frame: Frame, func: Any, args: tuple) -> bool:
    """Whether the write's index is one integer tensor of the images' data (``labels``), not a tuple
    of positions (DETR's ``tc[(batch_idx, src_idx)] = ...``) nor a mask."""
    if func not in (Tensor.__setitem__, Tensor.index_put_) or len(args) < 2:
        return False
    index = args[1]
    if func is Tensor.index_put_:
        if not isinstance(index, (tuple, list)) or len(index) != 1:
            return False
        index = index[0]
    if not isinstance(index, Tensor) or index.dtype in (torch.bool, torch.uint8) or index.is_floating_point():
        return False
    held = frame.get(index)
    return held is not None and bool(held.rows) and held.lost_at is None


_RUNNING_TOTALS = {Tensor.add_: "add", Tensor.sub_: "sub", Tensor.mul_: "mul", Tensor.div_: "div"}


def _inplace(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any, scales: bool) -> None:
    """A write into a tracked tensor keeps its rows (values are read when a loss is reduced).

    Values are read when a loss is reduced, so a write into a tracked tensor keeps its rows; only
    remembered unweighted values or a scalar ratio would go stale, and those are dropped, as is a
    loss multiplied or divided in place by a tensor (``l *= w``: its unweighted values are gone).
    """
    target = args[0]
    track = frame.get(target) if isinstance(target, Tensor) else None
    kind = _RUNNING_TOTALS.get(func)
    op = op_name(func)
    if frame.image_fills and isinstance(target, Tensor) and target._base is not None \
            and id(target._base) in frame.image_fills and _written_through_row(frame, func, target, target._base, args):
        return
    if isinstance(target, Tensor) and (frame.row_offsets or func is Tensor.add_) and _row_offset(frame, func, target, args, kwargs):
        return
    if func is Tensor.__setitem__ and _position_part_written(frame, target, args):
        # ``z[i, :, i % 2 * 4:..] = y[i]``: each image's values at a place its position in the batch picks
        why = f"{op} into an image's row at a place computed from its position in a loop over the images"
        if track is None:
            frame.positional[id(target)] = (target, why)
        else:
            frame.lose(target, why, track)
            lose_aliases(frame, target, op)
        return
    if isinstance(target, Tensor) and frame.num_images > 1 and func in _VALUE_WRITES and _counted_value(frame, func, args):
        # ``w[m] = float(len(t))``, ``w.fill_(torch.tensor(float(len(t))))``: on a group alone the group's number (sv40:
        # was a constant buffer, or kept the rows of ``zeros_like``'s)
        frame.lose(target, f"{op} of a value computed from the number of images", pred=track is not None and
                   track.from_prediction)
        lose_aliases(frame, target, op)
        return
    if func is Tensor.__setitem__ and _row_view_position_written(frame, target, args):
        # ``z[i][:, i % 2] = v``: through a view of one image's row, the place its position in the batch picks
        frame.doubt(torch.ones((), dtype=torch.bool), f"{op} into a view of an image's row at a place computed from "
                    "its position in a loop over the images (on a group alone the image has another position)")
        return
    if frame.fresh_fills and isinstance(target, Tensor) and (id(target) in frame.fresh_fills or target._base is not None
                                                             and id(target._base) in frame.fresh_fills):
        own = one_image_write(frame, func, target, args, kwargs)
        if own is not False:
            return
        track = frame.get(target)
    if func is Tensor.__setitem__ and track is not None and (frame.read_image != NO_READ or frame.image_sizes) \
            and _bounded(_index_parts(args[1])):
        # as for ``__getitem__``: bounds may come from host reads or sizes of another image's tensors, unless
        # literals of the body (``m[i, y1:y2]`` of image ``i``'s boxes read by ``tolist()``: picks image ``i``)
        parts = _index_parts(args[1])
        picked = _picked_image(frame, track, parts)

        def literal() -> bool:
            return _literal_beside_pick(args[1], parts, picked)

        if frame.read_image != NO_READ:
            frame.sized("Tensor.__setitem__ with slice bounds", track, literal, picked)
        if frame.image_sizes and picked is not None:
            frame.sized_by_length("Tensor.__setitem__ with slice bounds", picked,
                                  lambda: literal() or _sizes_of_rows(frame, parts))
    if (
        track is not None
        and frame.row_counts
        and any(frame.row_count(x) is not None for x in args[1:])
        and not (scales and (track.ratio is not None or track.parts or track.elements or track.element_formulas))
    ):
        frame.lose(target, f"{op} {elementwise.BY_ROW_COUNT}", track)
        lose_aliases(frame, target, op)
        return
    if (track is not None and scales and len(args) > 1 and track.ratio is None and not track.parts
            and not track.elements and not track.element_formulas and _weight_in_place(frame, args[1])):
        # ``e[b] *= t[b]["loss_weight"]``: on a group alone that weight is 1; the values before the
        # op are gone, so nothing is attributed rather than the weight kept
        frame.lose(target, f"{op} by an image's weight field", track)
        lose_aliases(frame, target, op)
        return
    if (track is not None and kind is not None and len(args) > 1 and type(args[1]) in (int, float)
            and track.lost_at is None and (track.rows or track.image is not None or track.ratio is not None)
            and _bytecode.positional_number(frame.size_sites, frame.per_image_targets, levels=frame.fixed_lists)):
        # ``e[i].mul_(1.0 + 0.5 * i)`` over the images: on a group alone the image has another position, so
        # another factor (read out of place by ``Tensor.mul``'s rule; in place it was kept, rt39)
        frame.lose(target, f"{op} {mode.BY_POSITION_NUMBER}", track)
        lose_aliases(frame, target, op)
        return
    if (track is not None and kind is not None and len(args) > 1 and not kwargs
            and elementwise.values_by_image_count(frame, kind, target, track, args[1], None)):  # ``e /= len(targets)``
        frame.lose(target, f"{op} {elementwise.BY_IMAGE_COUNT_VALUES}", track)
        lose_aliases(frame, target, op)
        if kind == "div":
            elementwise.note_count_quotient(frame, target, track, args[1])
        return
    if track is not None and scales and elementwise.elements_in_place(frame, func, args):
        return
    if track is not None and scales and scaled_in_place(frame, func, args, kwargs):
        return  # ``w *= num_pos / w.sum()``: each row times its group's value
    if frame.loss_buffers and isinstance(target, Tensor) and _slot_in_place(frame, func, target, track, args, kwargs, kind):
        return
    if isinstance(target, Tensor) and (id(target) in frame.loss_buffers or track is None and id(target) in frame.slot_buffers):
        if _loss_buffer(frame, func, target, args):
            return
    if track is None and func in (Tensor.__setitem__, Tensor.index_put_) and frame.image_buffers:
        if _marked_at_images(frame, func, target, args):
            return
    if track is None and frame.counted_buffers and _accumulated_rows(frame, func, kind, target, args, kwargs):
        return
    if track is None and func is Tensor.__setitem__ and frame.counted_buffers and _image_row_buffer(frame, target, args):
        track = frame.get(target)  # a row per image now: the write is followed as into ``zeros_like``'s
    if func is Tensor.__setitem__ and masked_value_write(frame, target, track, args):
        return  # ``w[t == 1] = 1 / pos_num``: ``w * ~m + m * v``
    if frame.image_fills and isinstance(target, Tensor) and id(target) in frame.image_fills:
        own = per_image_write(frame, target, args) if func is Tensor.__setitem__ else None
        if func is not Tensor.__setitem__:
            del frame.image_fills[id(target)]  # (``buf.clamp_(0)``: followed as any tensor's, as its later writes)
        elif own:
            track = frame.get(target)  # its rows the images' now: the write followed as into any such tensor's
        elif own is None and track is not None:
            frame.lose(target, PER_IMAGE_WRITE, track)
            lose_aliases(frame, target, op)
            return
    if track is None and (_one_image_written(frame, func, target, args, kwargs, kind, op)
                          or _one_image_unfollowed(frame, func, target, args, op)):
        return
    if track is None:
        at = 2 if func in (Tensor.__setitem__, Tensor.index_put_) else 1
        value = args[at] if len(args) > at else None
        written = frame.get(value) if isinstance(value, Tensor) else None
        reduced = written is not None and (written.ratio is not None or bool(written.parts))
        if func is Tensor.__setitem__ and type(value) in (int, float, bool) and isinstance(target, Tensor) \
                and _number_at_own_positions(frame, target, args[1]):
            return
        if func is Tensor.__setitem__ and type(value) in (int, float) and isinstance(target, Tensor) \
                and _number_at_every_row(frame, target, args[1], value):
            return
        if (isinstance(target, Tensor) and isinstance(value, Tensor) and written is not None
                and (reduced or written.lost_at and written.from_prediction)):
            if reduced and kind in ("add", "sub") and _running_total(frame, target, value, kind, op):  # ``lbox += loss``
                total = elementwise.reduced_inplace(frame, "add", value, written, 0, None, op, kwargs)
                if total is not None and kind == "sub":
                    total = elementwise.reduced_inplace(frame, "mul", target, total, -1, None, op, kwargs)
                if total is not None:
                    frame.set(target, total)
                    return
            # a reduced loss (or a lost prediction) written into a buffer: no longer followed
            frame.lose(target, written.lost_at if written.lost_at and not written.parts else op, written)
            return
        if isinstance(target, Tensor) and written is not None and written.from_prediction and written.rows \
                and _picked_by_values(frame, func, args):
            # ``self.table[labels] = ce.detach()``: several images' values at positions their data
            # picks, a later image's overwriting an earlier one's; read back (``table[labels]``), on a
            # group alone the group's (red team, session 26: was a constant table, the batch's writes)
            frame.lose(target, f"{op} of several images' values at positions picked by their data")
            lose_aliases(frame, target, op)
            return
        if func is Tensor.__setitem__ and isinstance(target, Tensor) and isinstance(value, Tensor) and written is not None \
                and written.lost_at is None and target._base is None and _first_values_write(frame, target) \
                and _row_aligned(target, args[1], value, written):  # its first write of values: numbers else
            # torchmetrics' PIT: ``mtx = torch.empty(B, S, S); mtx[:, i, j] = metric(...)`` per pair; the
            # images' data too (``m = torch.zeros(B); m[:] = y.mean((1, 2))``: was a constant of the call)
            frame.set(target, Track(rows={0: written.rows[0]}, from_prediction=written.from_prediction))
            frame.row_buffers[id(target)] = (target, version_of(target))
            return
    elif kind is not None and len(args) > 1 and target.dim() == 0 and _expression_in_place(frame, func, kind, target, track,
                                                                                         args[1], kwargs):
        return
    elif kind is not None and (track.ratio is not None or track.parts) and len(args) > 1:
        other = args[1]
        total = elementwise.reduced_inplace(
            frame, kind, target, track, other, frame.get(other) if isinstance(other, Tensor) else None, op, kwargs)
        if total is not None:  # ``total += loss`` in a loop, ``loss *= 0.05``
            frame.set(target, total)
            return
    if func is Tensor.__setitem__ and isinstance(target, Tensor) and (track is None or track.lost_at in _ORDER_LOST) \
            and _inverse_order(frame, target, args):
        return
    if func is Tensor.__setitem__ and _nothing_written_at_own_mask(frame, track, args):
        return
    if kind in ("mul", "div") and track is not None and len(args) == 2 and not kwargs \
            and _scaled_by_own_value(frame, func, target, track, args[1]):
        return
    for a in args[1:] if track is None or track.lost_at is None else ():  # lost already: keep why
        # a value (or an index, a mask) computed from values that mix images
        for x in a if isinstance(a, (tuple, list)) else (a,):
            t = frame.get(x) if isinstance(x, Tensor) and x is not target else None
            if t is not None and (t.lost_at is not None or t.ratio is not None) and isinstance(target, Tensor):
                pred = t.from_prediction or (track is not None and track.from_prediction)
                before = kept = None
                if func is Tensor.div_ and len(args) == 2 and not kwargs and track is not None:
                    kept = target.detach().clone()
                    before = kept * x  # ``l /= s``: the values before, as far as rounding lets them be rebuilt
                    frame.set(before, track)
                frame.lose(target, f"{op} of values that mix images (lost at {t.lost_at or 'a reduction over rows'})", pred=pred)
                lose_aliases(frame, target, op)
                if before is not None:
                    elementwise.note_divided(frame, target, before, x, kept)
                return
    if track is None:
        if func is not Tensor.__setitem__:
            _rows_written_into_constant(frame, func, target, args)
        if func in (Tensor.__setitem__, Tensor.index_put_) and isinstance(target, Tensor) and len(args) > 2 \
                and isinstance(args[2], Tensor):
            written = frame.get(args[2])
            parts = _index_parts(args[1]) if func is Tensor.__setitem__ else tuple(args[1]) \
                if isinstance(args[1], (tuple, list)) else ()
            if written is not None and 0 in written.rows and len(parts) == 1 and isinstance(parts[0], Tensor) \
                    and parts[0].dim() == 1 and not parts[0].is_floating_point() and parts[0].dtype != torch.bool \
                    and frame.get(parts[0]) is None and target.dim() and target.shape[0] == frame.num_images > 1:
                _positions_written(frame, target, parts[0])  # ``lab[perm] = labels`` into a buffer of no images
            if written is not None and written.from_prediction and written.rows and frame.num_images > 1 \
                    and not _hidden_rows_in_place(frame, target, args[1], args[2], written):
                # ``self.queue[idx] = q.detach()``: images' predictions at positions no rule follows, in a
                # tensor read later as a constant; on a group alone it holds the group's (red team 27)
                frame.lose(target, f"{op} of several images' predictions into a tensor at positions the rules do not follow")
                lose_aliases(frame, target, op)
        elif func is Tensor.__setitem__ and isinstance(target, Tensor) and frame.num_images > 1 and len(args) > 2 and (
                not isinstance(args[2], Tensor) and _counted_position(args[1], first=True)
                or _constant_value(frame, args[2]) and target.dim() and target.shape[0] != frame.num_images
                and _counted_position(args[1], first=True, loop_positions=True)):
            # ``w[-len(t)] = 3.0`` into a class-weight vector: on a group alone another entry (pb, session 33);
            # ``path[j] = 1.0`` for ``j`` over the images into a tensor of no image rows: on a group alone fewer
            # entries (s58: was given wrong)
            frame.lose(target, f"{op} into a tensor at a position computed from the number of images")
            lose_aliases(frame, target, op)
        if isinstance(target, Tensor) and frame.num_images > 1 and frame.get(target) is None \
                and _written_at_count(frame, func, target, args):
            counted_write_lost(frame, target, op)
        return
    if _row_buffer_write(frame, func, target, track, args):
        return
    if func is Tensor.__setitem__ and track.rows and len(args) > 2 and isinstance(args[2], Tensor) \
            and _written_elsewhere(frame, target, track, _index_parts(args[1]), frame.get(args[2])):
        frame.lose(target, f"{op} of several images' values, or another image's, at an image's position", track)
        lose_aliases(frame, target, op)
        return
    if func is Tensor.__setitem__ and 0 in track.rows and track.lost_at is None and _counted_position(args[1]):
        # ``buf[:, -len(t) + 1] = 0.0`` into a clone of the rows' values: on a group alone another column
        frame.lose(target, f"{op} into a tensor of the images' rows at a position computed from the number of images",
                   track)
        lose_aliases(frame, target, op)
        return
    if track.rows and track.lost_at is None:
        _pair_written_rows(frame, func, target, track, args)
    if func is Tensor.__setitem__ and track.rows:
        _positional_write(frame, target, track, _index_parts(args[1]))
    elif func is Tensor.index_put_ and track.rows and len(args) > 1 and isinstance(args[1], (tuple, list)):
        _positional_write(frame, target, track, tuple(args[1]))  # ``m.index_put_((idx,), v)`` is ``m[idx] = v``
    where = _WRITTEN_VALUE.get(func)
    written = frame.get(args[where]) if where is not None and len(args) > where and isinstance(args[where], Tensor) else None
    plain = track.ratio is None and not track.parts and not track.elements and not track.element_formulas and track.formula is None
    if written is not None and written.from_prediction and not track.from_prediction and track.lost_at is None and plain:
        # ``m = torch.zeros_like(p); m[t] = p[t]`` (torchmetrics' one-vs-all hinge): the images' data
        # now holds predictions at their rows' positions, a loss of them, not a count (was declined as
        # a sum of data followed only as a normaliser's)
        track = dataclasses.replace(track, from_prediction=True)
        frame.set(target, track)
    replay = _REPLAYED.get(func)
    if replay is not None and written is not None and (written.unweighted is not None or track.unweighted is not None) and plain:
        # ``buf[b] = e[b] * t[b]["loss_weight"]``, the Lovász gradient's ``j[1:p] = j[1:p] - j[0:-1]``,
        # gpytorch's ``log_phi.masked_scatter_(small, f(z.masked_select(small)))``: the same write replayed on
        # the unweighted values (positions not written hold their own)
        raw = replay(unweighted_of(target, track), args[1], unweighted_of(args[2], written))
        for other, held in frame.sharing(target):  # a view of it now holds values it cannot tell from the unweighted
            frame.set(other, lost_track(f"{op} through another tensor over its memory", held.from_prediction))
        frame.set(target, dataclasses.replace(track, unweighted=raw))
        return
    if kind is not None and plain and _replayed_arithmetic(frame, func, target, track, args, kwargs):
        return
    if written is not None and written.unweighted is not None:
        # the weighted values, not those with the weight 1 (review adv19: the weights stayed in the companion)
        frame.lose(target, f"{op} of values weighted per image", track)
        lose_aliases(frame, target, op)
        return
    if (kind is not None and plain and track.unweighted is not None and len(args) == 2 and not kwargs
            and type(args[1]) in (int, float) and not _weight_in_place(frame, args[1])
            and (scales or not _bytecode.counted_number(zero=False))):
        # ``v.div_(math.sqrt(2 * math.pi))``, ``f.sub_(math.log(2))``: the same number on the unweighted values (a
        # scale by a count of images was declined above; a term computed from one, ``v.sub_(len(targets))``, is not)
        frame.set(target, dataclasses.replace(track, unweighted=func(track.unweighted.clone(), args[1])))
        lose_aliases(frame, target, op)  # ``q.data.mul_(2)``: ``q`` holds the write, its unweighted copy does not
    elif func is Tensor.masked_fill_ and plain and track.unweighted is not None and _filled_copy(frame, target, track, args,
                                                                                                   kwargs):
        return
    elif track.unweighted is not None or track.reduced:
        frame.lose(target, op_name(func), track)  # remembered values or ratios would go stale
        if track.unweighted is not None:
            lose_aliases(frame, target, op)
    elif func is Tensor.masked_fill_ and len(args) > 2 and _weights_tested(frame, args[1]):
        # a mask testing weighted values (``e.masked_fill_((e * w).lt(0.3), 0)``): with the weight field set
        # to 1 it fills other positions, whose values the write lost (was the batch's, silently wrong: pyro
        # merge, session 19; out of place, ``masked_fill`` replays it)
        frame.lose(target, f"{op} by a mask testing weighted values", track)
        lose_aliases(frame, target, op)
    elif func is Tensor.masked_fill_ and len(args) > 2:  # ``nll.masked_fill_(pad, 0.0)``
        elementwise.zeroed(frame, target, track, args[1], args[2])
    elif (
        track.from_prediction
        and scales
        and len(args) > 1
        and isinstance(args[1], Tensor)
        and args[1].dim() > 0
        and not _scaled_by_data(frame, func, target, track, args[1])
        and not _scaled_by_table(frame, target, track, args[1])
    ):
        frame.lose(target, op_name(func))


def _scaled_by_own_value(frame: Frame, func: Any, target: Tensor, track: Track, x: Any) -> bool:
    """``m /= m.sum()`` of one image's values (FGD's background mask of each image in a loop over
    them) by a sum or mean of that image's values alone (``_own_reduced``): one image's values
    still, the same on a group alone, as ``m / m.sum()`` is. Whether it was so followed."""
    image = frame.image_id(track.image) if not track.rows else None
    if func not in (Tensor.mul_, Tensor.div_) or image is None or track.lost_at is not None or track.reduced \
            or track.unweighted is not None or not _own_reduced(frame, image, x):
        return False
    held = frame.get(x)
    frame.set(target, dataclasses.replace(track, from_prediction=track.from_prediction or bool(held and held.from_prediction)))
    return True


def _weights_tested(frame: Frame, mask: Any) -> bool:
    """Whether ``mask`` tests weighted values: its track remembers the mask with the weight field
    set to 1 (``(e * w).lt(0.3)``, ``w_full < 0.9``)."""
    held = frame.get(mask) if isinstance(mask, Tensor) else None
    return held is not None and held.lost_at is None and held.unweighted is not None


def _number_at_own_positions(frame: Frame, target: Tensor, index: Any) -> bool:
    """``m[(torch.arange(B), n - 1)] = 1`` (Wav2Vec2's feature mask): the first write into a tensor
    the body made with a size of image rows along dim 0 (``Frame.sized_by``), of a number, in each
    row ``r`` at the position the data of that row's image gives (``n[r]``, a tensor of the images'
    rows, no prediction): each row then holds its image's positions only, on a group alone too
    (no other dim sized by a count of images), so the tensor takes ``n``'s rows (a row buffer: any other write loses them). The first index is
    checked to be ``0 .. B - 1`` with the call's one host read. Whether it was followed so."""
    sized = frame.sized_by.get(id(target))
    if (sized is None or sized[0] is not target or set(sized[1]) != {0} or target._base is not None
            or version_of(target) != 1 or type(index) is not tuple or len(index) != target.dim() or len(index) < 2):
        return False
    widths = frame.counted_widths.get(id(target))
    widths_counted = widths is not None and widths[0] is target
    if any(float(n) in frame.counted_values for n in target.shape[1:]) and not widths_counted:
        return False  # (a width that may be a number computed from a count: on a group alone another width)
    first, *rest = index
    held = frame.positional.get(id(first)) if isinstance(first, Tensor) else None
    if held is None or held[0] is not first or first.shape != target.shape[:1] or first.dtype is not torch.long:
        return False
    rows = None
    for p in rest:
        t = frame.get(p) if isinstance(p, Tensor) else None
        if (t is None or not isinstance(p, Tensor) or p.shape != first.shape or p.dtype.is_floating_point
                or p.dtype is torch.bool or t.lost_at is not None or set(t.rows) != {0} or t.from_prediction
                or t.ratio is not None or t.parts or t.formula is not None or frame.by_position(t.rows[0])
                or rows is not None and not frame.same_rows(rows, t.rows[0])):
            return False
        rows = t.rows[0]
    assert rows is not None
    if widths_counted:
        # (a width computed in Python from the count of rows, ``zeros(b, b + 3)``: on a group alone
        # another width, so the positions read along it, ``m.flip(-1).argmax(1)``, are others)
        frame.lose(target, "Tensor.__setitem__ of a number at each row's own position into a tensor made with a width "
                   "computed from the count of image rows: on a group alone another width", pred=False)
        return True
    with torch._C.DisableTorchFunction():
        positions = torch.arange(first.shape[0], device=first.device)
        frame.doubt((first != positions).any(), "Tensor.__setitem__ of a number at rows picked by a tensor made with a "
                    "size of image rows that is not 0 .. B - 1: on a group alone other rows")
    frame.set(target, Track(rows={0: rows}))
    frame.row_buffers[id(target)] = (target, version_of(target))
    return True


def _first_values_write(frame: Frame, target: Tensor) -> bool:
    """Whether the write being followed is the first into ``target``, or follows only writes of a
    number of the body at the same part of every row (``_number_at_every_row``)."""
    version = version_of(target)
    held = frame.number_rows.get(id(target))
    return version == 1 or held is not None and held[0] is target and held[1] is not None and version == held[1] + 1


def _number_at_every_row(frame: Frame, target: Tensor, index: Any, value: Any) -> bool:
    """``r = torch.full((B, N + 1, M + 1), inf); r[:, 0, 0] = 0.0`` (soft-DTW's table): a number of
    the body (no count of the call: on a group alone the same) written at the same part of every row
    of a tensor the body made with a row per image, before any values: every row holds the same
    numbers, on a group alone too, so the first row-for-row write after it still gives the tensor its
    rows (``_row_aligned``). Whether it was noted so."""
    number = float(value)
    if not (_first_values_write(frame, target) and target._base is None and target.dim() >= 2
            and target.shape[0] == frame.num_images and _every_row_part(target, index, positions=True) is not None
            and (number in (math.inf, -math.inf) or frame.body_constant(number))
            and not _bytecode.stored_batch_number()):
        return False
    frame.number_rows[id(target)] = (target, version_of(target))
    return True


def _row_aligned(target: Tensor, index: Any, value: Tensor, written: Track) -> bool:
    """Whether ``target[index] = value`` puts row ``b`` of ``value`` at position ``b`` of ``target``'s
    dim 0 and nowhere else: the index a full slice then ints or slices of int bounds (``[:, i, j]``,
    ``[:, :4]``: a part of each row, the rest keeping what the body put there), ``value`` of the
    shape written, with rows along its dim 0 only, no remembered unweighted values and no reduction.
    The bounds must be literals of the body's code (``literal_index``) or sizes of later dims (``shape_bound_index``)."""
    shape = _every_row_part(target, index)
    if not (shape is not None and value.dim() >= 1
            and set(written.rows) == {0} and written.image is None and written.unweighted is None and written.ratio is None
            and not written.parts and not written.elements and not written.element_formulas and written.formula is None):
        return False
    return list(value.shape) == shape


def _every_row_part(target: Tensor, index: Any, positions: bool = False) -> list[int] | None:
    """The shape ``target[index]`` selects where the index is a full slice of dim 0 (or ``...``) then
    ints or slices whose bounds and positions are literals of the body's code or sizes of later dims
    (the same part of every row, on a group alone too); None for any other index."""
    parts = _index_parts(index)
    if sum(p is Ellipsis for p in parts) == 1:
        at = parts.index(Ellipsis)
        parts = (*parts[:at], *[_FULL] * (target.dim() - len(parts) + 1), *parts[at + 1:])
    first = parts[0] if parts else None  # (``[:2]`` of 2 images covers them: on a group alone too)
    whole = first == _FULL or type(first) is slice and first.start in (None, 0) and first.step in (None, 1) \
        and type(first.stop) is int and target.dim() >= 1 and first.stop >= target.shape[0]
    if not (whole and target.dim() >= len(parts)):
        return None
    shape = [target.shape[0]]
    for p, n in zip(parts[1:], target.shape[1:], strict=False):
        if type(p) is slice and p.step is None and all(b is None or type(b) is int for b in (p.start, p.stop)):
            shape.append(len(range(*p.indices(n))))
        elif type(p) is not int:
            return None
    # a bound or position computed in the body may be a count of the images (``big[:, b:b + 4]``, ``p[:, b]``,
    # ``b = len(targets)``: on a group alone other positions), which a plain int does not tell: literals of the
    # code, or arithmetic of later dims' sizes (torch-struct's ``N - 1``) only
    # (an int position is checked so only for a number written, ``positions``: a value's rows written at loop
    # positions, torchmetrics' PIT ``mtx[:, i, j] = ..``, are taken as they are -- a known limit, survey 41)
    counted = _bounded(parts[1:]) or positions and any(type(p) is int for p in parts[1:])
    if counted and not (literal_index(index) or shape_bound_index()):
        return None
    return shape + list(target.shape[len(parts):])


def _hidden_rows_in_place(frame: Frame, target: Tensor, index: Any, value: Tensor, written: Track) -> bool:
    with torch._C.DisableTorchFunction():  # (no op of ours reaches the user's outer modes)
        return _rows_in_place(frame, target, index, value, written)


def _rows_in_place(frame: Frame, target: Tensor, index: Any, value: Tensor, written: Track) -> bool:
    """Whether ``target[index] = value`` (or ``index_put_``) puts each image's values (``value``'s
    rows along its dim 0 only) in that image's own position of ``target``'s dim 0: a basic index
    whose first part takes that whole dim (``p[:, :2] = x[:, :2]``, ``p[..., 0] = x[..., 0]``),
    ``value`` as many dims as the selection; or an index whose first part is a tensor of the image
    of each of ``value``'s entries (or a mask whose positions picked are of those images, in order)
    into a tensor of one row per image (YOLO's ``tobj[b, a, gj, gi] = iou.detach()``,
    ``score[(batch_idx, src_idx)] = ious``, ``scores[fg_mask] = ious``). On a group alone each image's values
    are in its own row there too (a constant to the rules, as they were)."""
    parts = _index_parts(index)
    if not parts or set(written.rows) != {0} or target.dim() < 1:
        return False
    first = parts[0]
    if isinstance(first, Tensor):
        images = written.rows[0]
        if not (target.shape[0] == frame.num_images and value.dim() >= 1 and images.shape == value.shape[:1]):
            return False
        if first.dtype is torch.bool:  # ``m[mask] = x[mask].detach()``: the image of each position picked
            if first.dim() < 1:
                return False
            if frame.picked_images(images) is first:  # ``images`` is that, made from ``first`` (no read)
                return True
            first = first.nonzero()[:, 0]
        return first.dim() == 1 and first.shape == images.shape and frame.same_rows(first.to(images.dtype), images)
    # integer index tensors after the first part, side by side (``a[:, t_idx, u_idx] = v``): their
    # broadcast dims stand where they are, dim 0 stays the images'
    picks = [k for k, p in enumerate(parts) if isinstance(p, Tensor)]
    if not all(p is Ellipsis or type(p) in (int, slice) or isinstance(p, Tensor) and not p.dtype.is_floating_point
               and p.dtype is not torch.bool for p in parts) or picks and picks != list(range(picks[0], picks[-1] + 1)):
        return False
    whole = first is Ellipsis and target.dim() > len(parts) - 1 or first == _FULL or type(first) is slice \
        and first.start in (None, 0) and first.step in (None, 1) and type(first.stop) is int and first.stop >= target.shape[0]
    dims = target.dim() - sum(type(p) is int for p in parts) - len(picks) + max((parts[k].dim() for k in picks), default=0)
    return bool(whole) and value.dim() == dims and value.shape[0] == target.shape[0]


_COUNTED_VIEW_WRITES = frozenset({Tensor.fill_, Tensor.zero_, Tensor.mul_, Tensor.div_, Tensor.add_, Tensor.sub_,
                                  Tensor.copy_})


_VALUE_WRITES = {Tensor.__setitem__: 2, Tensor.fill_: 1}
"""The position of the value each write puts, for ``_counted_value`` (``masked_fill_`` / ``index_put_`` of
counted arguments are ``_written_at_count``'s: their positions may be what is counted)."""


def _counted_value(frame: Frame, func: Any, args: tuple) -> bool:
    """Whether the write puts one number that is no tensor of the images' (a Python number, a
    one-element tensor of no images) and that the code computes from how many images the call got:
    the store's value (``w[m] = float(len(t))``) or an argument of the call (``w.fill_(torch.tensor(
    float(len(t))))``). Positions of that count (``inv[perm] = torch.arange(n)``) are other rules'."""
    at = _VALUE_WRITES[func]
    value = args[at] if len(args) > at else None
    if isinstance(value, Tensor):
        if value.numel() != 1 or frame.get(value) is not None:
            return False
    elif type(value) not in (int, float, bool):
        return False
    return _bytecode.counted_store() if func is Tensor.__setitem__ else _bytecode.counted_write(view=False)  # (fill_)


def _written_at_count(frame: Frame, func: Any, target: Tensor, args: tuple) -> bool:
    """Whether an in-place write into ``target``, a tensor of no images, puts values at positions
    the code computes from how many images the call got: ``w[torch.arange(len(t))] = 3.0``,
    ``w.index_put_(..)`` or ``w.masked_fill_(..)`` of such positions (or mask), ``w[len(t) - 1:].mul_(3.0)``
    (a view cut by the count); ``__setitem__`` at an int or slice is ``_counted_position``'s."""
    if func in (Tensor.__setitem__, Tensor.index_put_) and (
            len(args) < 3 or isinstance(args[2], Tensor) and frame.get(args[2]) is not None):
        return False  # (values of images: ``_positions_written``, ``_hidden_rows_in_place``)
    if func is Tensor.__setitem__:
        parts = _index_parts(args[1])
        tensors = [d for d, p in enumerate(parts) if isinstance(p, Tensor)]
        # (not with positions of the images' data: ``m[torch.arange(b), pos] = 1``, each row's own, other rules')
        return bool(tensors) and all(frame.get(parts[d]) is None for d in tensors) and _bytecode.counted_subscript(
            [d for d, p in enumerate(parts) if type(p) in (int, slice) and p != _FULL], positions=tensors)
    if func in (Tensor.index_put_, Tensor.masked_fill_):
        return _bytecode.counted_write(view=False)
    return func in _COUNTED_VIEW_WRITES and target._base is not None and _bytecode.counted_write(view=True)


def _counted_write_made(frame: Frame, target: Tensor, out: Tensor, op: str) -> None:
    """``counted_write_lost`` of an in-place write (``out`` is ``target``); else ``out``, a copy of
    ``target`` with values at positions computed from the number of images (``w.index_fill(..)``, rt35)."""
    if out is target:
        counted_write_lost(frame, target, op)
    else:
        frame.lose(out, f"{op} of a tensor at a position computed from the number of images", pred=False)


def counted_write_lost(frame: Frame, target: Tensor, op: str) -> None:
    """``target`` (and the tensor it views) lost at ``op``, a write at positions computed from the
    number of images (``_written_at_count``): on a group alone, other entries (red34, session 34)."""
    why = f"{op} into a tensor at a position computed from the number of images"
    frame.lose(target, why)
    base = target._base
    if isinstance(base, Tensor) and frame.get(base) is None:
        frame.lose(base, why)
    lose_aliases(frame, target, op)


mode.COUNTED_WRITE.append(counted_write_lost)


def _constant_value(frame: Frame, value: Any) -> bool:
    """Whether ``value`` written is a Python number or a one-element tensor of no images' values
    (``buf[j] += 1.0`` writes ``buf[j] + 1.0``)."""
    return not isinstance(value, Tensor) or value.numel() == 1 and frame.get(value) is None


def _counted_position(index: Any, first: bool = False, loop_positions: bool = False) -> bool:
    """Whether the index of a row-aligned write puts the rows at a position, or within bounds, of a
    later dim that the code computes from how many images the call got (``buf[:, len(t) - 2] = v``:
    on a group alone another column; survey 41). ``loop_positions``: or from a position of a loop over
    the images (``_bytecode.counted_subscript``'s)."""
    parts = _index_parts(index)
    at = [d for d, p in enumerate(parts) if (d or first) and (type(p) is int or type(p) is slice and p != _FULL)]
    return bool(at) and not any(p is Ellipsis for p in parts) and _bytecode.counted_subscript(
        at, loop_positions=loop_positions)


def _row_buffer_write(frame: Frame, func: Any, target: Tensor, track: Track, args: tuple) -> bool:
    """A write into a tensor the body made that took its rows from its first write, ``_row_aligned``
    (``frame.row_buffers``): another such write of values with the same rows keeps them; any other
    write (other rows, a weighted value, another index or op) loses it. Whether it was such a buffer."""
    held = frame.row_buffers.get(id(target)) if frame.row_buffers else None
    if held is None or held[0] is not target:
        return False
    value = args[2] if func is Tensor.__setitem__ and len(args) > 2 else None
    written = frame.get(value) if isinstance(value, Tensor) else None
    version = version_of(target)
    if (func is Tensor.__setitem__ and held[1] is not None and version == held[1] + 1 and track.lost_at is None
            and 0 in track.rows and isinstance(value, Tensor) and written is not None and written.lost_at is None
            and written.from_prediction == track.from_prediction and _row_aligned(target, args[1], value, written)
            and frame.same_rows(written.rows[0], track.rows[0]) and not _counted_position(args[1])):
        frame.row_buffers[id(target)] = (target, version)
        return True
    if (func is Tensor.__setitem__ and held[1] is not None and version == held[1] + 1 and track.lost_at is None
            and type(value) in (int, float) and _every_row_part(target, args[1], positions=True) is not None
            and not _bytecode.stored_batch_number()):  # (``len(t) % 5``: on a group alone, the group's)
        # ``shifted[:, 0] = decoder_start_token_id`` (BART's and T5's labels shifted right): one number at the same
        # position of every row, on a group alone too; each row keeps its image
        frame.row_buffers[id(target)] = (target, version)
        return True
    del frame.row_buffers[id(target)]
    if func is Tensor.masked_fill_ and len(args) > 2 and type(args[2]) in (int, float, bool) and track.lost_at is None:
        return False  # ``buf.masked_fill_(pad, 0)``: positions keep their images; as any tracked tensor's (its mask checked there)
    op = op_name(func)
    frame.lose(target, f"{op} into a tensor of the images' rows written otherwise than row for row", track)
    lose_aliases(frame, target, op)
    return True


def _expression_in_place(frame: Frame, func: Any, kind: str, target: Tensor, track: Track, other: Any,
                         kwargs: dict) -> bool:
    """``total += sc`` (``add_``, ``sub_``, ``mul_``, ``div_`` of a 0-dim value) where either side
    is an expression of ratios (``Track.formula``): the expression ``target (op) other`` would
    get, as ``formulas.binary_formula`` makes it (its checks: constants the code writes, an operator
    that runs as often on a group alone). True when followed; False where no side is an expression."""
    held = frame.get(other) if isinstance(other, Tensor) else None
    if track.formula is None and (held is None or held.formula is None or track.lost_at is not None):
        return False  # no expression, or a total lost already (keep why)
    expression = binary_formula(frame, kind, target, track, other, held, func, kwargs)
    if expression is None:
        frame.lose(target, op_name(func), track)
        lose_aliases(frame, target, op_name(func))
    else:
        frame.set(target, expression)
    return True


def _scaled_by_data(frame: Frame, func: Any, target: Tensor, track: Track, x: Tensor) -> bool:
    """``loss *= alpha * t + (1 - alpha) * (1 - t)`` (smp's focal term): by a tensor of the images'
    data that is tracked and holds no weight (no unweighted values: none to set to 1), the same
    values as ``loss = loss * x``, its rows merged as that op merges them. An untracked tensor (a
    per-row factor built from numbers may be the weights) is not. True when followed."""
    tx = frame.get(x)
    if (tx is None or tx.unweighted is not None or tx.ratio is not None or tx.parts or tx.elements or tx.element_formulas
            or tx.formula is not None or tx.lost_at is not None):
        return False
    new = broadcast_tracks(frame, op_name(func), ((target, track), (x, tx)), target)
    if new is None:
        return False
    frame.set(target, new)
    return True


def _scaled_by_table(frame: Frame, target: Tensor, track: Track, x: Tensor) -> bool:
    """``term1 *= importance_weights`` (coral-pytorch): by a table no op of the call made (module
    state, a global, an argument the capture does not read as images') that is one for every image,
    of size 1 along each dim of the target's image rows: every image's values times the same
    numbers, on a group alone too (a per-row factor, maybe the weights, has extent along the rows;
    one made in the call may hold values read from the images)."""
    if frame.get(x) is not None or id(x) in frame.made_ids or x.dim() > target.dim() or x.requires_grad:
        return False
    shift = target.dim() - x.dim()
    return all(d < shift or x.shape[d - shift] == 1 for d in track.rows)


def _replayed_arithmetic(frame: Frame, func: Any, target: Tensor, track: Track, args: tuple, kwargs: dict) -> bool:
    """``p /= p.sum(-1, keepdim=True)``, ``loss += torch.einsum("ij,ij->i", p, X)`` (``add_``,
    ``sub_``, ``mul_``, ``div_``) of row-wise values by a tracked row-wise tensor, where either
    remembers its values with the weight field set to 1 (entmax's bisection, whose ``X * (alpha - 1)``
    is an untracked per-row factor): the rows merged as the op out of place merges them, and the same
    op replayed on the target's copy. A target without a copy has lost its values before the write:
    ``*=`` / ``/=`` is followed only where the operand's copy is its own values (checked with the call's one read;
    sparsemax's ``tau /= support_size`` of a support counted from ``rhos * topk``, ``rhos`` no weight),
    else the call declines (``loss *= y * w``). An untracked tensor (maybe the weights) is not
    followed so. True when followed."""
    x = args[1] if len(args) == 2 and not kwargs else None
    if not isinstance(x, Tensor):
        return False
    tx = frame.get(x)
    if (tx is None or tx.reduced
            or tx.lost_at is not None or track.lost_at is not None or track.unweighted is None and tx.unweighted is None):
        return False
    if track.unweighted is None and (tx.unweighted is None or tx.unweighted.shape != x.shape
                                     or func not in (Tensor.mul_, Tensor.div_)):
        return False  # (``buf += e * w`` keeps its own warning, naming the write of weighted values)
    new = broadcast_tracks(frame, op_name(func), ((target, track), (x, tx)), target)
    if new is None or new.lost_at is not None:
        return False
    new.from_prediction = track.from_prediction or tx.from_prediction
    if track.unweighted is None:
        assert tx.unweighted is not None
        frame.doubt((tx.unweighted != x.detach()).any(), f"{op_name(func)} by values weighted per image, of values "
                    "whose own with the weight 1 are gone (an in-place write)")
    else:
        new.unweighted = func(track.unweighted.clone(), unweighted_of(x, tx))
    frame.set(target, new)
    lose_aliases(frame, target, op_name(func))  # a view holds the write, not the unweighted copy
    return True


def _filled_copy(frame: Frame, target: Tensor, track: Track, args: tuple, kwargs: dict) -> bool:
    """``loss.masked_fill_(ignored, 0.0)`` of values remembering their copy with the weight field set
    to 1 (entmax's per-token losses on one example): the same fill of the copy, at the positions the
    mask's own copy picks, as ``masked_fill`` out of place does; the rows merged as there. A mask of
    untracked values (maybe the weights tested) is left to the rules that check it. True when followed."""
    if kwargs or len(args) != 3 or not isinstance(args[1], Tensor) or type(args[2]) not in (int, float):
        return False
    mask, value, copy = args[1], args[2], track.unweighted
    tm = frame.get(mask)
    if copy is None:
        return False
    if tm is None and frame.number_tests:
        return False
    unit_mask = unweighted_of(mask, tm)
    if unit_mask.shape != mask.shape:
        return False
    new = broadcast_tracks(frame, op_name(Tensor.masked_fill_), ((target, track), (mask, tm)), target)
    if new is None or new.lost_at is not None:
        return False
    new.from_prediction = track.from_prediction
    new.unweighted = torch.masked_fill(copy, unit_mask, value)
    frame.set(target, new)
    lose_aliases(frame, target, op_name(Tensor.masked_fill_))
    elementwise.zeroed(frame, target, new, mask, value)
    return True


def _weight_in_place(frame: Frame, x: Any) -> bool:
    """Whether ``x`` is an image's weight object (not 1): the float read from its target dict, or
    a tensor filled with it."""
    if type(x) is float:
        images = frame.weight_images(x)
        return bool(images) and not frame.weight_is_one(images)
    filled = frame.weight_filled.get(id(x)) if frame.weight_filled else None
    return filled is not None and filled[0] is x and not frame.weight_is_one(filled[1])


def _buffer_of_losses(frame: Frame, buffer: Tensor, writes: int) -> tuple[dict[int, Track], int] | None:
    """(the tracks of its positions written, its version then) of ``buffer``, a buffer of losses
    written only by the writes its rules followed and ``writes`` more (the op being followed);
    None for any other tensor."""
    entry = frame.loss_buffers.get(id(buffer))
    if entry is None or entry[0] is not buffer or frame.get(buffer) is not entry[3] or version_of(buffer) != entry[2] + writes:
        return None
    return entry[1], entry[2]


def _loss_buffer(frame: Frame, func: Any, buffer: Tensor, args: tuple) -> bool:
    """``loss = torch.zeros(3); loss[0] = box; loss[1] = cls; loss[2] = dfl``: reduced losses
    written by position into a small buffer of zeros (or ``torch.empty``). Once every position
    holds one, the buffer is a vector of ratios (``Track.elements``: its sum is a sum of ratios;
    ``loss[i]``, position i's ratio: ``_element``). Any other write into it ends that (the buffer
    is lost), and so do one image's loss of a per-image loop (``loss[b] = l_b``: on a group alone
    position b is another image's) and other tensors over its memory made before (their values
    change unseen). True when the write was followed here."""
    entry = _buffer_of_losses(frame, buffer, 1)
    known = frame.loss_buffers.pop(id(buffer), None)
    held = frame.slot_buffers.get(id(buffer))
    version = version_of(buffer)
    if known is not None and known[0] is buffer:
        now = frame.get(buffer)
        if entry is None:  # written otherwise since (lost there: kept as it is)
            if now is None or now is known[3] or now.lost_at is None:
                frame.lose(buffer, op_name(func), pred=True)
            return True
        written = dict(entry[0])
    elif held is not None and held[0] is buffer and held[1] is not None and version == held[1] + 1:
        written = {}
    else:
        return False
    value = args[2] if func is Tensor.__setitem__ and len(args) > 2 else None
    tv = frame.get(value) if isinstance(value, Tensor) else None
    pos = args[1] if len(args) > 1 else None
    n = buffer.shape[0] if buffer.dim() == 1 else 0
    if (
        version is None
        or buffer.dim() != 1
        or not buffer.is_floating_point()  # ``torch.zeros(3, dtype=torch.long)``: values truncated
        or type(pos) is not int
        or not -n <= pos < n
        or tv is None
        or tv.ratio is None
        or not tv.from_prediction
        or tv.lost_at is not None
        or tv.parts
        or not isinstance(value, Tensor)
        or value.numel() != 1
    ):
        if known is not None:  # another write into a buffer of losses: its elements are not known
            frame.lose(buffer, op_name(func), pred=True)
            return True
        if tv is not None and tv.from_prediction and tv.lost_at is None and tv.ratio is None and not tv.parts:
            # ``buf[:] = e.mean(1)``: the images' values, which untracked would pass for constants
            frame.lose(buffer, f"{op_name(func)} of the images' values (no reduced loss) into a buffer", pred=True)
            return True
        return False
    sized = frame.sized_by.get(id(buffer))
    why = (f"{op_name(func)} of a reduced loss into a buffer by position per image"
           if frame.num_images > 1 and elementwise.one_image_term(tv) or sized is not None and sized[0] is buffer
           else f"{op_name(func)} into a buffer of losses that another tensor views"
           if storage_uses(buffer) > 2 + len(frame.sharing(buffer)) else None)  # a view made before, untracked
    if why is None and pos < 0 and n == frame.num_images > 1 and id(buffer) not in frame.literal_slots:
        # ``loss = torch.zeros(len(targets)); loss[-1] = l`` (``torch.zeros(3)``: three terms)
        why = (f"{op_name(func)} at a position counted from the end of a buffer as long as the images (on a group "
               "alone another position)")
    if why is not None:
        frame.lose(buffer, why, pred=True)
        return True
    written[pos % n] = Track(from_prediction=True, ratio=tv.ratio, sites=tv.sites)
    _buffer_written(frame, buffer, written, version, f"{op_name(func)} of a reduced loss into a buffer")
    return True


def _buffer_written(frame: Frame, buffer: Tensor, written: dict[int, Track], version: int, op: str) -> None:
    """The buffer of losses ``buffer`` after a followed write (now at ``version``): a vector of
    its positions' ratios once each holds one, lost until then."""
    if len(written) < buffer.shape[0]:
        track = lost_track(op)
    else:
        slots = [written[i] for i in range(buffer.shape[0])]
        track = Track(from_prediction=True, lost_at=op, elements=tuple(r for t in slots if (r := t.ratio) is not None),
                      sites=frozenset().union(*(t.sites for t in slots)))
    frame.set(buffer, track)
    frame.reduced_storages.add(buffer.untyped_storage().data_ptr())  # written through other tensors: ``written_reduced``
    frame.loss_buffers[id(buffer)] = (buffer, written, version, track)


def _slot_in_place(frame: Frame, func: Any, target: Tensor, track: Track | None, args: tuple, kwargs: dict,
                   kind: str | None) -> bool:
    """``loss[0] *= 7.5`` (``t = loss[0]; t.mul_(7.5); loss[0] = t``): ``add_`` / ``sub_`` /
    ``mul_`` / ``div_`` of position i of a buffer of losses, through the 0-dim view read from it,
    whose ratio it holds. Position i then holds what that arithmetic makes of its ratio, where it
    is one ratio; anything else ends the buffer. True when ``target`` is such a view."""
    at = _row_of(target) if target.dim() == 0 else None
    known = frame.loss_buffers.get(id(at[0])) if at is not None else None
    if at is None or known is None or known[0] is not at[0]:
        return False
    buffer, i = at
    op = op_name(func)
    entry = _buffer_of_losses(frame, buffer, 1)
    if entry is None:  # written otherwise since (and lost there): no buffer of losses any more
        del frame.loss_buffers[id(buffer)]
        return False
    slot = entry[0].get(i)
    new = None
    if kind is not None and len(args) > 1 and track is not None and slot is not None and track.ratio is slot.ratio \
            and track.lost_at is None:
        other = args[1]
        new = elementwise.reduced_inplace(
            frame, kind, target, track, other, frame.get(other) if isinstance(other, Tensor) else None, op, kwargs)
    if new is None or new.ratio is None or new.lost_at is not None or new.parts or new.formula is not None:
        del frame.loss_buffers[id(buffer)]
        why = f"{op} of a position of a buffer of losses into no single ratio"
        frame.lose(target, why, pred=True)
        frame.lose(buffer, why, pred=True)
        return True
    frame.set(target, new)
    _buffer_written(frame, buffer, {**entry[0], i: new}, entry[1] + 1, f"{op} of a position of a buffer of losses")
    return True


def _running_total(frame: Frame, buffer: Tensor, value: Tensor, kind: str, op: str) -> bool:
    """``lbox = torch.zeros(1); lbox += loss``: ``buffer`` a one-element zeros of the call written
    only by the in-place op being followed, so it now holds ``loss`` (or ``-loss``) exactly."""
    held = value.detach().to(buffer.dtype)
    return frame.zeros_total(buffer, 1, held if kind == "add" else -held, op)


@rule(torch.zeros, Tensor.new_zeros)
def zeros(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.zeros``, ``x.new_zeros``: fresh data; a small one is remembered as zero, the start
    of a running total a reduced loss may be added into in place."""
    frame.note_zeros(out)
    if isinstance(out, Tensor):
        frame.made_zeros[id(out)] = (out, version_of(out))
    _note_slots(frame, func, args, out)
    if isinstance(out, Tensor) and out.dim():
        frame.note_blocks(out, (out.shape[0],))
    if isinstance(out, Tensor) and out.dim() and out.shape[0] == frame.num_images:
        frame.image_buffers[id(out)] = (out, version_of(out))
        size = get_arg(args, kwargs, int(func is Tensor.new_zeros), "size", None)
        n = size[0] if isinstance(size, (tuple, list)) and size else size
        if frame.counts_images(n, out.device):
            frame.counted_buffers.add(id(out))
        else:
            frame.counted_buffers.discard(id(out))
        note_image_fill(frame, out, n, tupled=isinstance(size, (tuple, list)))
    if isinstance(out, Tensor) and out.dim() and frame.num_images > 1:
        note_fresh_fill(frame, out, 0, isinstance(get_arg(args, kwargs, int(func is Tensor.new_zeros), "size", None), (tuple, list)))


def _accumulated_rows(frame: Frame, func: Any, kind: str | None, target: Tensor, args: tuple, kwargs: dict) -> bool:
    """``log_q = torch.zeros(len(x)); log_q += log_det`` (normflows' flows): per-row values of the
    target's very shape, a row per image in order (or the one image's), added into (or subtracted from) a fresh zeros
    tensor sized by a count of the images: it now holds them (negated), row b image b's as on a
    group alone. Whether it did."""
    value = args[1] if len(args) == 2 and not kwargs else None
    written = frame.get(value) if isinstance(value, Tensor) else None
    if written is None and _constant_rows(frame, kind, target, value):
        frame.counted_buffers.discard(id(target))
        frame.set(target, Track(rows={0: frame.arange(target.device)}))
        return True
    if (
        kind not in ("add", "sub")
        or written is None
        or not isinstance(value, Tensor)
        or id(target) not in frame.counted_buffers
        or not _fresh_zeros(frame, target)
        or value.shape != target.shape
        or written.lost_at is not None
        or written.ratio is not None
        or written.parts
        or written.elements
        or written.formula is not None
        or not (written.image is not None and not written.rows and frame.num_images == 1  # the one image's
                or written.image is None and 0 in written.rows
                and frame.same_rows(written.rows[0], frame.arange(written.rows[0].device)))
    ):
        return False
    raw = None
    if written.unweighted is not None:  # the same write into zeros, of the values with the weight 1
        raw = func(torch.zeros_like(target), written.unweighted)
    frame.counted_buffers.discard(id(target))
    frame.set(target, dataclasses.replace(written, unweighted=raw))
    return True


def _image_row_buffer(frame: Frame, target: Tensor, args: tuple) -> bool:
    """``out = x.new_zeros(B, S); out[b] = loss_mat[b, r, c]`` (fast_bss_eval's PIT loop): one
    image's predicted values, not reduced, written first at one position of dim 0 (the whole index:
    the images' data written per image into such buffers, ``t[b, a, j, i] = ..``, is followed as
    positional data elsewhere) of a fresh zeros tensor
    sized by a count of the images. Its rows are then the images, as ``zeros_like`` of a tensor with
    a row per image (set: True); the write itself is followed as into one (``_written_elsewhere``
    checks the position is the value's image, ``_positional_write`` that every position is written)."""
    written = frame.get(args[2]) if len(args) > 2 and isinstance(args[2], Tensor) else None
    parts = _index_parts(args[1]) if len(args) > 1 else ()
    if (written is None or not written.from_prediction or written.image is None or written.rows
            or written.lost_at is not None or written.ratio is not None or written.parts or written.elements
            or written.element_formulas or written.formula is not None or len(parts) != 1
            or not (type(parts[0]) is int or _one_position(parts[0], target.shape[0]))
            or id(target) not in frame.counted_buffers or not _fresh_zeros(frame, target)):
        return False
    frame.counted_buffers.discard(id(target))
    frame.set(target, Track(rows={0: frame.arange(target.device)}))
    return True


def note_image_fill(frame: Frame, out: Any, n: Any, fill: Any = 0, tupled: bool | None = None) -> None:
    """``torch.zeros(B, A)``, ``torch.full((B, A), C)``, ``ones_like`` of one: ``out``, a fresh
    tensor of the one constant ``fill`` (the code computes it from no count of the call) with ``n``
    rows, noted in ``Frame.image_fills`` where ``n`` counts the images of the call (a size of image
    rows, or ``len(targets)`` as the code shows: ``tupled``, whether the sizes came as one tuple;
    None: made like such a tensor) and no other size is computed from the images (``[B, max n]``, a
    width that is the batch's largest count); ``per_image_write`` may then make its rows the images'."""
    if not isinstance(out, Tensor) or not out.dim() or out.shape[0] != frame.num_images:
        return
    counted = _bytecode.counted_sizes(tupled) if tupled is not None else frozenset()
    wide = [d for d in counted if d > 0]
    if (n is None or frame.counts_images(n, out.device) or 0 in counted) and len(wide) <= 1 \
            and constant_number(frame, fill, coded=fill in (0, 1) or not _bytecode.counted_number(zero=False, sized=True)):
        frame.image_fills[id(out)] = (out, version_of(out), False)
        if wide:  # (``[B, max n]``: its rows the images' only where each writes a prefix of the width)
            largest = _bytecode.largest_size(tupled) if tupled is not None else None
            frame.padded_fills[id(out)] = (out, wide[0], largest[1][0] if largest is not None and largest[0] == wide[0]
                                           and largest[1][1] is frame.per_image_targets is not None else None)


def constant_number(frame: Frame, c: Any, coded: bool = False) -> bool:
    """Whether the Python number ``c`` (a fill, a value written) is the same on a group's run: a
    bool; a number of no image's data nor weight (but 1) and no count of the call's rows, that is
    0 or 1, or (``coded``) that the op's code computes from no count, or else a constant of the
    body by value (``Frame.body_constant``)."""
    if type(c) is bool:
        return True
    if type(c) not in (int, float) or frame.counted_number(c, by_value=False) or frame.weight_owners(c) and c != 1 \
            or frame.data_images(c):
        return False
    return c in (0, 1) or coded or frame.body_constant(float(c))


PER_IMAGE_WRITE = ("Tensor.__setitem__ into a tensor the body made with a row per image of values, positions or "
                   "bounds not of the row's image alone (another image's, several images', a count of the batch)")


def _own_part(frame: Frame, image: int, p: Any) -> bool:
    """Whether ``p`` (a value written, or a part of the index after the row) is image ``image``'s
    own or a constant: a tensor of that image's values alone (no weight remembered, nothing reduced
    or lost); or, made since the call read on the host values or sizes of that image only (or
    none), a Python number ``constant_number`` takes (or a position, no count), a slice, or a
    tensor of no images that is no position in the batch (``torch.tensor(area)`` of its boxes'
    ``tolist()``, a literal's ``torch.arange(3)``): no number of another image's."""
    last = frame.image_sizes[-1][0] if frame.image_sizes else None
    read_here = frame.read_image in (NO_READ, image) and last in (None, image)  # (numbers: of no other image)
    if p is None or p is Ellipsis or p == _FULL:
        return True
    if type(p) is slice:  # (bounds the code computes from how many images: ``_counted_position``)
        return read_here and all(type(x) is int or x is None for x in (p.start, p.stop, p.step))
    if type(p) in (bool, int, float):
        return read_here and (constant_number(frame, p) or type(p) is int and p >= 0)
    if not isinstance(p, Tensor):
        return False
    track = frame.get(p)
    if track is None:
        held = frame.positional.get(id(p))
        return (held is None or held[0] is not p) and read_here
    return _image_values(track) and frame.image_ids.get(id(track.image)) == image


def _image_values(track: Track) -> bool:
    """Whether a tracked tensor holds one image's values alone: an image, no rows, nothing reduced or
    lost, no weight remembered (what a one-image write, ``one_image_write`` and ``_one_image_written``,
    takes as that image's own)."""
    return (track.image is not None and not track.rows and track.lost_at is None and not track.reduced
            and track.unweighted is None)


def _own_parts(frame: Frame, image: int, parts: tuple[Any, ...], value: Any) -> bool:
    """``_own_part`` of the value written at row ``image`` and of every part of the index after the
    row but those the code writes as constants (``z[i, :, 2:6]``, ``_bytecode.literal_index_parts``)."""
    literal: frozenset[int] | None = None
    for k, p in enumerate((*parts[1:], value), 1):
        if _own_part(frame, image, p):
            continue
        if literal is None:
            literal = _bytecode.literal_index_parts() if len(parts) > 1 else frozenset()
        if k >= len(parts) or k not in literal:
            return False
    return True


def _anchored(frame: Frame, image: int, parts: tuple[Any, ...]) -> bool:
    """Whether a write at row ``image`` carries that image's own data: a tensor of its values among
    ``parts`` (the value, the positions), or numbers the call read last of that image (host reads,
    sizes of its tensors). A constant alone at a row (``q[0] = 1.0``) is no image's: on a group
    alone that row is another image's."""
    last = frame.image_sizes[-1][0] if frame.image_sizes else None
    if frame.read_image == image or last == image:
        return True
    for p in parts:
        held = frame.get(p) if isinstance(p, Tensor) else None
        if held is not None and _own_part(frame, image, p):
            return True
    return False


def _own_reduced(frame: Frame, image: int, x: Any) -> bool:
    """Whether ``x`` is a sum or mean of image ``image``'s values alone (a ratio whose rows the host
    knows are all that image's, with no divisor, factor or normaliser of its own)."""
    held = frame.get(x) if isinstance(x, Tensor) else None
    r = held.ratio if held is not None else None
    return (r is not None and held is not None and held.lost_at is None and not held.parts and held.formula is None
            and held.unweighted is None and r.host_image == image and r.kind in (RatioKind.SUM, RatioKind.MEAN)
            and not (r.divisors or r.scales or r.group_factors or r.batch_terms or r.row_counts or r.offset
                     or r.num_offset) and r.normaliser is None and r.den_values is None)


def _written_through_row(frame: Frame, func: Any, view: Tensor, base: Tensor, args: tuple) -> bool:
    """``q[i].copy_(v)``, ``m[i] /= m[i].sum()``: an in-place op on a view of a buffer whose rows
    ``per_image_write`` made the images'. The view must be one image's row and what the op writes
    that image's own (``_own_part``; a scale, its own sum); else the buffer is lost. The buffer's
    first write through the view of its row ``i`` (FoveaBox's ``target[i][inside] = labels[i, j]``)
    is its write ``target[i, inside] = ..`` (``per_image_write``), the view then image ``i``'s row;
    True where that write was followed here."""
    held = frame.image_fills.get(id(base))
    if held is None or held[0] is not base:
        return False
    if not held[2]:  # (not yet the images': its version moved, ``per_image_write`` takes it no more)
        return _first_write_through_row(frame, func, view, base, args)
    vt = frame.get(view)
    image = frame.image_id(vt.image) if vt is not None and not vt.rows and vt.lost_at is None else None
    written = (*_index_parts(args[1]), *args[2:]) if func is Tensor.__setitem__ else args[1:]
    if image is not None and not (func is Tensor.__setitem__ and _counted_position(args[1], first=True)) and all(a is view or _own_part(frame, image, a)
                                 or func in (Tensor.mul_, Tensor.div_) and _own_reduced(frame, image, a) for a in written):
        return False
    del frame.image_fills[id(base)]
    track = frame.get(base)
    if track is not None:
        frame.lose(base, PER_IMAGE_WRITE, track)
        lose_aliases(frame, base, op_name(func))
    return False


def _first_write_through_row(frame: Frame, func: Any, view: Tensor, base: Tensor, args: tuple) -> bool:
    """``target[i][inside] = labels[i, j]`` as the buffer's first write: ``per_image_write`` of
    ``target[i, inside] = ..`` (the row read from the view's memory, the value and positions image
    ``i``'s own), the view one image's tensor; the view's own use of the memory allowed. True where
    followed; False (left to the other rules) otherwise."""
    found = _row_of(view) if func is Tensor.__setitem__ and len(args) > 2 and frame.get(view) is None else None
    if found is None or found[0] is not base:
        return False
    row, parts = found[1], _index_parts(args[1])
    if not all(isinstance(p, Tensor) or type(p) is slice and p == _FULL for p in parts):
        return False  # (numbers or bounds in the index: positions the code reads, left to the other rules)
    value = args[2]
    own = per_image_write(frame, base, (base, (row, *parts), value), views=1)
    if not own:
        return False
    written = (*_index_parts(args[1]), value)
    frame.set(view, Track(image=frame.image_index(row, view.device), from_prediction=_predicted(frame, written)))
    return True


def per_image_write(frame: Frame, target: Tensor, args: tuple, views: int = 0) -> bool | None:
    """``labels = torch.full((B, A), C); labels[i, where] = t["labels"][gt_of]`` in a loop over the
    images (RTMDet's assigner, FGD's masks): a write at an int row ``i`` of a fresh tensor of one
    constant sized by a count of the images (``Frame.image_fills``), whose value and positions are
    image ``i``'s own or constants (``_own_part``). Each row then holds its image's values only, the
    rows never written the constant, as on a group alone: the tensor's rows are the images (its
    first such write sets that track; the later writes are checked the same way, and followed as
    writes into any tensor of the images' rows: bounds, positions). Not where a dim other than the
    rows is sized by a count of the batch (``[B, max n]``: its width the batch's largest, on a group
    alone the group's). True: the write made its rows the images'; False: not such a write (or
    the tensor was not such a buffer); None: a write into such a buffer of another image's values,
    or at a row not the value's: the tensor is lost."""
    held = frame.image_fills.get(id(target))
    if held is None or held[0] is not target:
        return False
    claimed = held[2]
    parts = _index_parts(args[1]) if len(args) > 1 else ()
    n = frame.num_images
    # (once its rows are the images', writes through views of them are followed as any tracked tensor's)
    fresh = claimed or held[1] is not None and version_of(target) == held[1] + 1 and storage_uses(target) <= 2 + views + sum(
        1 for v, _ in frame.sized_derived.values() if v._base is target)  # (views the capture holds: no writer)
    counted = frame.count_dims.get(id(target))
    wide = frame.padded_fills.get(id(target))
    width = wide[1] if wide is not None and wide[0] is target else None  # (its reads ``padded_use``'s)
    if not fresh or not parts or type(parts[0]) is not int or not -n <= parts[0] < n or len(args) < 3 \
            or counted is not None and counted[0] is target and any(d > 0 and d != width for d in counted[1]) \
            or not _own_parts(frame, parts[0] % n, parts, args[2]) or _counted_position(args[1]) \
            or not _anchored(frame, parts[0] % n, (*parts[1:], args[2])):
        del frame.image_fills[id(target)]
        return None if claimed else False
    several = width is not None and frame.num_images > 1
    if not _padded_prefix(frame, target, parts, args[2]):
        del frame.image_fills[id(target)]
        return None if claimed else False
    if several and frame.padded_widths.get(id(target), (None, None))[1] != width:
        del frame.image_fills[id(target)]
        frame.padded_widths.pop(id(target), None)
        return None if claimed else False
    frame.image_fills[id(target)] = (target, version_of(target), True)
    if not claimed:
        frame.counted_buffers.discard(id(target))
        frame.set(target, Track(rows={0: frame.arange(target.device)}))
    return True


ONE_IMAGE_WRITE = ("into a tensor the body made of one constant of values, positions or bounds not of one image "
                   "alone (several images', a number of the loop, a view made before)")


def note_fresh_fill(frame: Frame, out: Any, fill: Any, tupled: bool) -> None:
    """``torch.zeros(A)``, ``torch.full((A,), C)``: a fresh tensor of one constant (``constant_number``)
    sized by no count of the images (``_bytecode.counted_sizes``), noted for ``one_image_write``."""
    if not isinstance(out, Tensor) or not out.dim() or frame.num_images < 2 or id(out) in frame.image_fills \
            or frame.get(out) is not None or frame.weight_owners(fill):  # (an image's weight: its own rules')
        return
    # (the code read only where the value alone does not tell: ``torch.full((A,), C)`` of a C equal to a count)
    if (constant_number(frame, fill) or constant_number(frame, fill, coded=True)
            and not _bytecode.counted_number(zero=False, sized=True)) and not _bytecode.counted_sizes(tupled):
        frame.fresh_fills[id(out)] = (out, version_of(out), None)


def _written_images(frame: Frame, written: tuple[Any, ...]) -> set[int] | None:
    """The images of the tensors among ``written`` (the index's parts, the value), each one image's
    tensor (``_own_part``'s terms); None where one is anything else the capture follows (rows, a
    reduced loss, lost)."""
    images: set[int] = set()
    for p in written:
        held = frame.get(p) if isinstance(p, Tensor) else None
        if held is None:
            continue
        b = frame.image_id(held.image) if not held.rows else None
        if b is None or not _own_part(frame, b, p):
            return None
        images.add(b)
    return images


def _predicted(frame: Frame, written: tuple[Any, ...]) -> bool:
    return any(t is not None and t.from_prediction for t in (frame.get(p) for p in written if isinstance(p, Tensor)))


def _unpositioned_parts(frame: Frame, parts: tuple[Any, ...], value: Any) -> tuple[bool, bool, bool]:
    """Whether the numbers and bounds of a write's index, and whether its value (``m[2:4] = 1.0``,
    ``sem[lab] = v``), are the same on a group's run as far as the code shows: a bool, a full slice
    or a tensor need no reading; an int, a float or another slice must be computed from no position
    in a loop over the images and (the index) no count of them (``m[c] = i`` of
    ``enumerate(targets)``, ``m[:len(targets)]``: ``_bytecode.unpositioned_store``,
    ``_counted_position``); whose numbers they are is ``_own_part``'s, but for a value written as a
    lone constant (``labels[t["prior"]] = 1``, third: no number of an image the call read before)."""
    def plain(p: Any) -> bool:
        return type(p) in (int, float) or type(p) is slice and p != _FULL

    index, number = any(map(plain, parts)), plain(value)
    if not index and not number:
        return True, True, False
    key, stored, literal = _bytecode.unpositioned_store(frame.size_sites, frame.per_image_targets, frame.loop_content)
    return (not index or key and not _counted_position(parts, first=True, loop_positions=True), not number or stored,
            number and literal)


def one_image_write(frame: Frame, func: Any, target: Tensor, args: tuple, kwargs: dict) -> bool | None:
    """``pos = torch.zeros(A, dtype=bool); pos[chosen] = True`` in a loop over the images (PAA's
    assignment, stacked after the loop): the first write (``__setitem__``, ``index_put_``) into a fresh
    tensor of one constant (``Frame.fresh_fills``, no view of it made before) of positions and values
    that are one image's own tensors, literals or constants makes it that image's tensor, as on a group
    alone; each later write into it, or through a view, must be that image's own too, its numbers
    (``alpha=``, a fill) constants of the call. True: followed here; None: the tensor was lost here;
    False: not such a write (left to the other rules)."""
    base = target if target._base is None else target._base
    held = frame.fresh_fills.get(id(base))
    if held is None or held[0] is not base:
        return False
    claimed = held[2]
    placed = func is Tensor.__setitem__ or func is Tensor.index_put_
    numbers = [x for x in (*args[1:], *kwargs.values()) if type(x) in (int, float)]
    if claimed is None and not placed:
        # (``acc.add_(e_b)``, ``copy_``: ``_one_image_written``'s, which reads their numbers; sv45b: was taken
        # for image b's values whatever the alpha or fill, silently wrong); an image's weight or a count
        # written (``pos.masked_fill_(m, t["loss_weight"])``): on a group alone another number (was a constant)
        del frame.fresh_fills[id(base)]
        if not any(frame.weight_owners(x) and x != 1 or frame.counted_number(x, by_value=False) for x in numbers):
            return False
        frame.lose(base, f"{op_name(func)} {ONE_IMAGE_WRITE}", pred=_predicted(frame, args[1:]))
        lose_aliases(frame, base, op_name(func))
        return None
    if func is Tensor.__setitem__ and len(args) > 2:
        parts, value = _index_parts(args[1]), args[2]
        written: tuple[Any, ...] = (*parts, value)
    else:  # (``index_put_``'s positions come as a tuple)
        parts, value = (), None
        written = tuple(q for a in args[1:] for q in (a if isinstance(a, (tuple, list)) else (a,)))
    images = _written_images(frame, written)
    index_ok, value_ok, literal = _unpositioned_parts(frame, parts, value) if func is Tensor.__setitem__ \
        else (True, True, False)
    if claimed is None and (not images or index_ok is False and value_ok):
        if images == set() and func is Tensor.__setitem__ and index_ok and value_ok:
            # constants only (``m[0] = 1.0``): the same on a group's run; the tensor stays fresh
            frame.fresh_fills[id(base)] = (base, version_of(base), None)
        else:  # (rows, a loss; an image's values at a place of the loop or a count: the other rules')
            del frame.fresh_fills[id(base)]
        return False
    first = claimed is None and images is not None and len(images) == 1
    b = claimed if claimed is not None else next(iter(images)) if first and images else None
    fresh = held[1] is not None and version_of(base) == held[1] + 1 and (claimed is not None or target is base
                                                                        and storage_uses(base) <= 2)
    if b is None or not fresh or images is None or images - {b} or func is Tensor.__setitem__ and not (
            index_ok and value_ok and _own_parts(frame, b, (0, *parts), None if literal else value)) or not placed \
            and not all(constant_number(frame, x) for x in numbers):
        del frame.fresh_fills[id(base)]
        frame.lose(base, f"{op_name(func)} {ONE_IMAGE_WRITE}", pred=_predicted(frame, written) or claimed is not None)
        lose_aliases(frame, base, op_name(func))
        return None
    frame.fresh_fills[id(base)] = (base, version_of(base), b)
    if claimed is None:
        frame.set(base, Track(image=frame.image_index(b, base.device), from_prediction=_predicted(frame, written)))
        return True
    return False


def _sized_prefix(target: Tensor, parts: tuple[Any, ...], value: Any, k: int) -> bool:
    """Whether the value written into the prefix ``:n`` of dim ``k`` (``m[i, :n] = v``) has ``n`` values along
    it: a width too small on a group alone then fails there, where a number (``= 1.0``) or a broadcast value
    would fill the clamped prefix silently (``torch.zeros(B, len(targets))``: the group's count)."""
    if not isinstance(value, Tensor) or parts[k].stop > target.shape[k] \
            or any(p is None or p is Ellipsis or isinstance(p, Tensor) for p in parts):
        return False
    at = value.dim() - (target.dim() - k) + sum(type(p) is int for p in parts[k + 1:])
    return 0 <= at < value.dim() and value.shape[at] == parts[k].stop


def _largest_prefix(frame: Frame, target: Tensor, parts: tuple[Any, ...], k: int) -> bool:
    """Whether the prefix ``:n`` of dim ``k`` of row ``parts[0]`` (``mask_gt[i, :n] = 1.0``, any value) lies within
    that dim on a group alone: the dim sized by the body's ``max`` of a comprehension over the targets' sizes
    (``_bytecode.largest_size``; its value the dim's), on a group alone the group's largest, and ``n`` at most
    the comprehension's value of the row's image alone. A width too small (``len(targets)``, a constant equal
    to it) would clamp the prefix silently."""
    wide = frame.padded_fills.get(id(target))
    code = wide[2] if wide is not None and wide[0] is target and wide[1] == k else None
    if code is None or any(p is None or p is Ellipsis or isinstance(p, Tensor) for p in parts):
        return False
    targets = list(frame.per_image_targets)
    own = _lengths.reduced(max, code, targets[parts[0] % frame.num_images:][:1], frame.weight_field)
    return type(own) is int and parts[k].stop <= own and _lengths.reduced(max, code, targets, frame.weight_field) \
        == target.shape[k]


def _padded_row_written(frame: Frame, target: Tensor, parts: tuple[Any, ...], value: Any) -> tuple[int, int] | None:
    """(the dim of ``target``, the prefix's length) of a write of image ``i``'s row of a padded tensor
    (``mode.Frame.padded_rows``) whole at row ``i`` (``buf[i] = v``, ``buf[i, :] = v``), ``v`` as wide, no broadcast:
    ``buf`` is then padded along that dim as ``v`` is, both widths the ``max`` of one comprehension's code over the
    targets (the buffer ``v`` was picked from and ``buf``: the same on a group alone, no broadcast there), proven the
    group's by ``_largest_prefix``."""
    held = frame.padded_rows.get(id(value)) if frame.padded_rows and isinstance(value, Tensor) and parts \
        and type(parts[0]) is int else None
    wide = frame.padded_fills.get(id(target))
    if held is None or held[0] is not value or held[2] != parts[0] % frame.num_images or held[5] is None \
            or wide is None or wide[0] is not target or wide[2] is None or not _bytecode.same_code(wide[2], held[5]) \
            or any(p != _FULL for p in parts[1:]) or value.shape != target.shape[1:]:
        return None
    return held[1] + 1, held[3]


def _padded_prefix(frame: Frame, target: Tensor, parts: tuple[Any, ...], value: Any) -> bool:
    """Note in ``Frame.padded_widths`` a write of image ``parts[0]``'s values into a prefix of a dim of
    ``target`` (``buf[i, :n] = t["k"]``, ``n`` not written as a literal): ``[B, max n]`` is padded to the
    batch's largest length, on a group alone to the group's, so its padding may be read only where
    ``mode.padded_use`` lets it. False where the buffer's writes do not all cut the same dim so."""
    if frame.num_images == 1:  # (the group is the batch: its width the same)
        return True
    cut = [k for k, p in enumerate(parts[1:], 1) if type(p) is slice and p.start is None and p.step is None
           and type(p.stop) is int and 0 <= p.stop]
    if cut:
        fixed = frame.fixed_dims.get(id(target))
        kept = fixed[1] if fixed is not None and fixed[0] is target else frozenset()
        cut = [k for k in cut if k not in kept]
    if cut:
        cut = [k for k in cut if k not in _bytecode.literal_index_parts()]
    held = frame.padded_widths.get(id(target))
    if held is not None and held[0] is not target:
        held = None
    whole = _padded_row_written(frame, target, parts, value) if not cut else None
    if whole is not None:  # (``overlaps[i] = _iou_matrix(gt[i], pred[i])``: the row's own prefix, as wide)
        cut, parts = [whole[0]], (*parts, *[slice(None)] * (whole[0] - len(parts)), slice(whole[1]))
    if not cut:
        return held is None
    if len(cut) > 1 or held is not None and held[1] != cut[0] or not (
            whole is None and _sized_prefix(target, parts, value, cut[0]) or _largest_prefix(frame, target, parts, cut[0])):
        return False
    row, stop = parts[0] % frame.num_images, min(parts[cut[0]].stop, target.shape[cut[0]])
    stops = held[2] if held is not None else {}
    stops[row] = max(stops.get(row, 0), stop)
    frame.padded_widths[id(target)] = (target, cut[0], stops)
    return True


def _constant_rows(frame: Frame, kind: str | None, target: Tensor, value: Any) -> bool:
    """``log_q += logabsdet * x.new_ones(B)`` (normflows' ``LULinearPermute``): one value of no
    image repeated along the target's rows, added first into (or subtracted from) a fresh zeros
    tensor sized by a count of the images. Each row is then that constant, as on a group alone
    (the group's count of the same constant). Values that follow the images' positions, or equal a
    count of the call or its reciprocal (``x.new_ones(B) / len(t)``), are not."""
    return (
        kind in ("add", "sub")
        and isinstance(value, Tensor)
        and id(target) in frame.counted_buffers
        and _fresh_zeros(frame, target)
        and value.shape == target.shape
        and value.dim() == 1
        and id(value) not in frame.positional
        and bool((value == value[:1]).all())
        and frame.body_constant(float(value[0].detach()))
    )


@rule(torch.empty, Tensor.new_empty)
def empty(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.empty(3)``, ``x.new_empty(3)``: fresh memory, no values; a small 1-d one may become
    a buffer of losses written at every position (``_loss_buffer``)."""
    _note_slots(frame, func, args, out)


def _note_slots(frame: Frame, func: Any, args: tuple, out: Any) -> None:
    """A small 1-d buffer made by the op being followed, which reduced losses may be written into
    by position (``_loss_buffer``); whether the code wrote its length as a literal."""
    if isinstance(out, Tensor) and out.dim() == 1 and out.numel() <= 16:
        frame.slot_buffers[id(out)] = (out, version_of(out))
        index = 1 if func in (Tensor.new_zeros, Tensor.new_empty) else 0
        if literal_size(out.shape[0], index, "size", len(args)) or len(args) > index and frame.constant_number(args[index]):
            frame.literal_slots.add(id(out))  # (or a parameter's default the code proves)


def _fresh_zeros(frame: Frame, target: Tensor, saved: int = 0) -> bool:
    """Whether ``target`` is a ``torch.zeros`` with a row per image made in the call and written
    only by the in-place op being followed (its version moved by one), and no other tensor views
    its memory: a view made before (``mv = m.view(-1)``) is untracked, so a write through it after
    this one (``mv[0] = 1``) would not be seen. ``saved``: the views the followed op's backward
    keeps of its result (``scatter_reduce_`` keeps one)."""
    held = frame.image_buffers.get(id(target))
    return (held is not None and held[0] is target and held[1] is not None and version_of(target) == held[1] + 1
            and storage_uses(target) <= 2 + saved)


def _marked_at_images(frame: Frame, func: Any, target: Tensor, args: tuple) -> bool:
    """``m = torch.zeros(B, A); m[img, pos] = 1.0``: a constant written into a fresh zeros tensor
    with as many rows as images, at rows given by a tensor that indexed the images of a prediction
    (``pred[img, pos]``: its values are images) -- row ``b`` is then image ``b``'s marks, as on a
    group alone with the group's images numbered from 0. The tensor becomes data with those rows
    (``m.sum()`` is then a row-sum normaliser). Whether it did."""
    if not _fresh_zeros(frame, target):
        return False
    value = args[2] if len(args) > 2 else None
    constant = isinstance(value, (int, float)) and not isinstance(value, bool) or (
        isinstance(value, Tensor) and value.dim() == 0 and frame.get(value) is None)
    parts = _index_parts(args[1]) if func is Tensor.__setitem__ else tuple(args[1])
    held = frame.image_indices.get(id(parts[0])) if parts else None
    # written in place since it picked the images (``img.zero_()``): its values may name others
    if not constant or held is None or held[0] is not parts[0] or version_of(held[0]) != held[1]:
        return False
    img = held[0]
    for p in parts[1:]:  # positions within each image: constants, or the images' own data, row for row
        t = frame.get(p) if isinstance(p, Tensor) else None
        if t is None:
            continue
        if t.from_prediction or t.lost_at is not None or t.ratio is not None or set(t.rows) != {0} or p.dim() != 1:
            return False
        frame.agree(img.long(), t.rows[0], op_name(func))
    frame.set(target, Track(rows={0: frame.arange(target.device)}))
    return True


_OFFSET = "Tensor.add_ of a number by position along a dim that carries images"


def _row_of(v: Tensor) -> tuple[Tensor, int] | None:
    """``(base, i)`` where ``v`` is ``base[i]`` (a view of row ``i`` of a tensor that is no view)."""
    if not v._is_view():
        return None
    base = v._base
    if base is None or base.dim() < 1 or v.shape != base.shape[1:] or v.stride() != base.stride()[1:]:
        return None
    step, off = base.stride(0), v.storage_offset() - base.storage_offset()
    if step <= 0 or off % step or not 0 <= off // step < base.shape[0]:
        return None
    return base, off // step


def _row_offset(frame: Frame, func: Any, target: Tensor, args: tuple, kwargs: dict) -> bool:
    """``idx[i] += i * T`` (sampled indices moved into sequence ``i``'s block of a flattened
    ``[B * T, C]`` tensor): a number added in place to row ``i`` of an integer tensor of image
    rows, and the ``idx[i] = idx[i]`` that Python's ``+=`` writes back. The numbers are noted by
    position and the tensor is lost, unless ``_offset_index`` finds it indexing that flattened
    tensor (on a group alone the offsets follow the group's positions, and pick the same frames).
    Any other write into a noted tensor forgets the note. True when the write was followed here."""
    noted = frame.row_offsets.pop(id(target), None)
    if noted is not None and noted[0] is not target:
        frame.row_offsets[id(target)] = noted  # another tensor's, under a reused id
        noted = None
    value = args[1] if len(args) > 1 else None
    at = _row_of(args[2]) if func is Tensor.__setitem__ and len(args) == 3 and isinstance(args[2], Tensor) else None
    if noted is not None and at is not None and at[0] is target and type(value) is int:
        version = version_of(target)  # the write-back of the row the add moved, nothing else since
        if at[1] == norm_dim(value, target.shape[0]) and version is not None and noted[3] is not None and version == noted[3] + 1:
            frame.row_offsets[id(target)] = (*noted[:3], version)
            return True
        return False
    if func is not Tensor.add_ or kwargs or len(args) != 2 or type(value) is not int:
        return False
    at = _row_of(target)
    if at is None:
        return False
    base, i = at
    version = version_of(base)
    noted = frame.row_offsets.pop(id(base), None)
    if noted is not None and noted[0] is base:
        if version is None or noted[3] is None or version != noted[3] + 1 or i in noted[2]:
            return False
        added, rows = noted[2], noted[1]
    else:
        bt = frame.get(base)
        if (bt is None or set(bt.rows) != {0} or bt.image is not None or bt.unweighted is not None or bt.lost_at
                or bt.ratio is not None or bt.parts or bt.elements or bt.element_formulas or bt.from_prediction or base.is_floating_point()
                or base.dtype == torch.bool):
            return False
        added, rows = {}, bt.rows[0]
        frame.lose(base, _OFFSET, pred=False)
    added[i] = value
    frame.row_offsets[id(base)] = (base, rows, added, version)
    frame.lose(target, _OFFSET, pred=False)
    return True


def _offset_index(frame: Frame, src: Tensor, track: Track | None, index: Tensor, out: Tensor) -> bool:
    """``flat[idx.view(-1)]``, ``idx`` noted by ``_row_offset`` with ``i * K`` added at every row
    ``i``, ``flat`` of ``B * K`` rows in blocks of ``K`` (a ``[B, K, ...]`` tensor flattened):
    deferred, that each index of row ``i`` lies in block ``i`` and block ``i`` is row ``i``'s image.
    On a group alone row ``i`` is then at the group's position ``j``, its indices lie in block ``j``,
    and pick the same image's same rows. Whether it was followed here."""
    base = index._base if index._is_view() else index
    noted = frame.row_offsets.get(id(base))
    if noted is None or noted[0] is not base or noted[3] is None or version_of(base) != noted[3]:
        return False
    n = base.shape[0]
    whole = index is base
    if (track is None or set(track.rows) != {0} or track.image is not None or track.lost_at is not None
            or track.ratio is not None or track.parts or track.elements or track.element_formulas or n == 0 or src.shape[0] % n
            or not (whole or index.dim() == 1 and index.numel() == base.numel() and base.is_contiguous()
                    and index.is_contiguous() and index.storage_offset() == base.storage_offset())):
        return False
    block = src.shape[0] // n
    if any(noted[2].get(i, 0) != i * block for i in range(n)):
        return False
    op = "Tensor.__getitem__ with indices offset by position"
    frame.agree(track.rows[0], expand_rows(frame, noted[1], [n, block], 0), op)
    own = torch.arange(n, device=index.device).view([n] + [1] * (base.dim() - 1))
    frame.doubt((base.div(block, rounding_mode="floor") != own).any(),
                f"{op}: an index outside its own row's block (on a group's images alone it picks another image)")
    rows = noted[1] if whole else expand_rows(frame, noted[1], list(base.shape), 0)
    new = Track(rows={0: rows}, from_prediction=track.from_prediction)
    if track.unweighted is not None:
        new.unweighted = track.unweighted[index]
    frame.set(out, new)
    return True


_ALIGNED_WRITES = {Tensor.__setitem__: 2, Tensor.copy_: 1, Tensor.add_: 1, Tensor.sub_: 1, Tensor.mul_: 1,
                   Tensor.div_: 1, Tensor.__ior__: 1, Tensor.__iand__: 1, Tensor.__ixor__: 1, Tensor.bitwise_or_: 1,
                   Tensor.bitwise_and_: 1, Tensor.bitwise_xor_: 1, Tensor.logical_or_: 1, Tensor.logical_and_: 1,
                   Tensor.logical_xor_: 1}
"""In-place writes whose value (at that position) meets each position of the target, or of the region
its index picks, by broadcasting, as in ``e + v``."""


def _pair_written_rows(frame: Frame, func: Any, target: Tensor, track: Track, args: tuple) -> None:
    """``z.copy_(y[perm])``, ``e += v``, ``e[:, 0] = y[perm, 0]``: the target keeps its rows, so each
    value written is counted as the image's of the position it lands at; where the value's rows are
    images' too, the rows it pairs are checked as ``e + v``'s (scoped: the target is what the op
    writes). Was not checked: another image's values silently counted as the position's (red44)."""
    at = _ALIGNED_WRITES.get(func)
    value = args[at] if at is not None and len(args) > at else None
    if not isinstance(value, Tensor):
        return
    written = frame.get(value)
    if written is None or written.lost_at is not None or not written.rows:
        return
    rows = _region_rows(target, track, _index_parts(args[1])) if func is Tensor.__setitem__ \
        else (track.rows, target.dim())
    if rows is None:
        return
    region, ndim = rows
    shift = ndim - value.dim()
    op = op_name(func)
    for d, r in written.rows.items():
        have = region.get(d + shift)
        if have is None or have is r:
            continue
        if r.shape[0] != have.shape[0]:
            if r.shape[0] != 1:
                continue  # (no broadcast: torch raised)
            r = r.expand(have.shape[0])
        frame.pair(have, r, op, scoped=True)


def _one_image_written(frame: Frame, func: Any, target: Any, args: tuple, kwargs: dict, kind: str | None,
                       op: str) -> bool:
    """One image's values (no rows, no weight remembered) written into a tensor no rule follows, no
    other tensor over its memory: accumulated into zeros (``acc = torch.zeros(H, W); acc += e_b``,
    ``add_`` / ``sub_``), or over every position (``acc.copy_(e_b)``, ``acc[...] = e_b``,
    ``acc[:] = e_b``). It holds that image's values, as ``acc + e_b`` out of place does (a per-image
    loop's running map, a one-image call's ``target_sum += x.sum(0)``); it was read as a constant of
    the call (red gap45a: one image's errors so written then multiplied every image's loss). That
    the target held zero is checked on the device with the call's one read. True where followed."""
    if kind in ("add", "sub") or func is Tensor.copy_:
        value = args[1] if len(args) == 2 and not kwargs else None
    elif func is Tensor.__setitem__ and len(args) == 3 and _whole_index(_index_parts(args[1])):
        value = args[2]
    else:
        return False
    written = frame.get(value) if isinstance(value, Tensor) else None
    if (not isinstance(value, Tensor) or written is None or not _image_values(written)
            or not isinstance(target, Tensor) or target._base is not None
            or not target.is_floating_point() or mode.storage_uses(target) > 2):  # (no view, tracked or not)
        return False
    if kind in ("add", "sub"):
        if not frame.made_zero(target, 1):
            return False  # (zero by value on this batch only: ``torch.ones(s) * (len(t) % 2)``)
        v = value.detach() if kind == "add" else -value.detach()
        frame.doubt((target.detach() != v).any(), f"{op} of one image's values into a tensor that held other values")
    frame.set(target, Track(image=written.image, from_prediction=written.from_prediction))
    return True


def _whole_index(parts: tuple[Any, ...]) -> bool:
    """Whether ``parts`` is ``...`` or ``:`` alone (compared by type first: an index may hold a numpy
    array, whose ``==`` is elementwise)."""
    return len(parts) == 1 and (parts[0] is Ellipsis or type(parts[0]) is slice and parts[0] == _FULL)


def _one_image_unfollowed(frame: Frame, func: Any, target: Any, args: tuple, op: str) -> bool:
    """One image's predictions written into a tensor no rule follows otherwise (at some positions,
    ``acc[0, :2] = e_b[0, :2]``, ``index_put_``, ``ones *= e_b``, into a tensor with views): the tensor
    is lost, not read later as a constant of the call (red gap45a: was, times every image's loss;
    as ``self.queue[idx] = q`` of several images' rows, red team 27). True where lost."""
    at = _ALIGNED_WRITES.get(func, 2 if func in (Tensor.index_put_, Tensor.masked_scatter_) else None)
    value = args[at] if at is not None and len(args) > at else None
    written = frame.get(value) if isinstance(value, Tensor) else None
    if written is None or written.image is None or written.rows or not written.from_prediction \
            or written.lost_at is not None or not isinstance(target, Tensor) \
            or frame.num_images == 1 and written.unweighted is None:
        # (data of an image at its positions: per-image target buffers, read by their own rules; on a call of
        # one image, a constant of its own values, no weight among them, is the same on its group's run)
        return False
    frame.lose(target, f"{op} of one image's predictions into a tensor at positions the rules do not follow")
    lose_aliases(frame, target, op)
    return True


def _rows_written_into_constant(frame: Frame, func: Any, target: Any, args: tuple) -> None:
    """``z = torch.zeros(B, n); z.copy_(y[perm])`` (or ``add_``, ``mul_``, through a view): a tensor no
    rule follows stays a constant of the call, each of its positions later counted as the image of
    the row it is paired with; values of the images' rows written there must keep the images' order
    (deferred, scoped: the target is what the op writes). Was not checked: rows in another order
    silently counted as those of the positions they landed at (red44)."""
    at = _ALIGNED_WRITES.get(func)
    value = args[at] if at is not None and len(args) > at else None
    written = frame.get(value) if isinstance(value, Tensor) else None
    if written is None or written.lost_at is not None or not isinstance(target, Tensor):
        return
    for r in written.rows.values():
        if r.dim() == 1 and r.shape[0] > 1:
            frame.doubt((r[1:] < r[:-1]).any(), f"{op_name(func)} of the images' rows into a tensor no rule follows, "
                        "in another order than the images'", scoped=True)


def _region_rows(target: Tensor, track: Track, parts: tuple[Any, ...]) -> tuple[dict[int, Tensor], int] | None:
    """The row maps of ``target[parts]`` by its dims and its number of dims, for a basic index
    (slices, ints, ``None``, ``...``); None for any other."""
    if any(p is Ellipsis for p in parts):
        parts = _expand_ellipsis(parts, target.dim())
    rows: dict[int, Tensor] = {}
    d = o = 0
    for p in parts:
        if p is None:
            o += 1
            continue
        if type(p) is int:
            d += 1
            continue
        if type(p) is not slice:
            return None
        r = track.rows.get(d)
        if r is not None:
            if r.shape[0] != target.shape[d]:
                if r.shape[0] != 1:
                    return None
                r = r.expand(target.shape[d])
            rows[o] = r if p == _FULL else r[p]
        d += 1
        o += 1
    for k in range(d, target.dim()):
        r = track.rows.get(k)
        if r is not None:
            rows[o + k - d] = r
    return rows, o + target.dim() - d


def _positional_write(frame: Frame, target: Tensor, track: Track, parts: tuple[Any, ...]) -> None:
    """``x[0] = 0``, ``x[1:] = v``: a write at positions of a dim that carries images. On a
    group's images alone the same positions are other images, so unless the call writes every
    position (a per-image loop), it gets no companions (deferred: the positions add up)."""
    for d, p in _parts_by_dim(target, parts):
        if d == 0 in track.rows and len(parts) == 1 and isinstance(p, Tensor) and p.dim() == 1 \
                and not p.is_floating_point() and p.dtype != torch.bool and frame.get(p) is None:
            _positions_written(frame, target, p)
        if d in track.rows and (type(p) is int or (type(p) is slice and p != _FULL)):
            size = target.shape[d]
            if type(p) is int and p < 0 or type(p) is slice and any(type(b) is int and b < 0 for b in (p.start, p.stop)):
                # ``loss[-1] = v``: counted from the end, on a group alone another image's position
                frame.doubt(torch.ones((), dtype=torch.bool), "Tensor.__setitem__ wrote at a position counted from the "
                            "end of a dim that carries images (on a group's images alone it is another image)")
            positions = range(size)[p] if type(p) is slice else [norm_dim(p, size)]
            written_at(frame, target, d, positions)


def _parts_by_dim(target: Tensor, parts: tuple[Any, ...]) -> Iterator[tuple[int, Any]]:
    """Each part of an index of ``target`` with the dim it indexes (``...`` expanded, ``None``
    skipped, a mask spanning its dims)."""
    if any(p is Ellipsis for p in parts):
        parts = _expand_ellipsis(parts, target.dim())
    d = 0
    for p in parts:
        if p is None:
            continue
        yield d, p
        d += p.dim() if isinstance(p, Tensor) and p.dtype == torch.bool else 1


def _written_elsewhere(frame: Frame, target: Tensor, track: Track, parts: tuple[Any, ...], written: Track | None) -> bool:
    """Whether ``target[parts] = v`` writes values of the images at one position of a dim of
    ``target`` that carries images (``out[i] = ...``, ``out[i:i + 1] = ...``) that are not that
    position's image's alone: several images' (rows of ``v``) lose it (True); one image's
    (``out[i] = e[j]`` in a per-image loop) is checked to be the position's image (deferred; was
    silently counted as the position's image's values)."""
    if written is None or (written.image is None and not written.rows):
        return False
    for d, p in _parts_by_dim(target, parts):
        if d in track.rows and (type(p) is int or _one_position(p, target.shape[d])):
            if written.rows:
                return True
            pos = norm_dim(p, target.shape[d]) if type(p) is int else range(target.shape[d])[p][0]
            merge_image(frame, track.rows[d][pos], written.image, "Tensor.__setitem__")  # type: ignore[arg-type]
    return False


def _positions_written(frame: Frame, target: Tensor, index: Tensor) -> None:
    """``m[idx] = v`` with ``idx`` a tensor of positions along the images' dim that no image owns
    (``torch.arange(len(t))``, ``torch.tensor([0])``): every position once, in order, writes each
    image's row at its own; any other positions (some, reversed, repeated) are other images' on a
    group alone."""
    size = target.shape[0]
    with mode._HIDDEN():
        own = index.numel() == size and bool(torch.equal(index.long(), torch.arange(size, device=index.device)))
    if not own:
        frame.doubt(torch.ones((), dtype=torch.bool), "a write at positions a tensor of positions picks along a dim "
                    "that carries images, not each its own in order (on a group's images alone they are other images)")


def _expand_ellipsis(parts: tuple[Any, ...], ndim: int) -> tuple[Any, ...]:
    used = sum(p.dim() if isinstance(p, Tensor) and p.dtype == torch.bool else 1
               for p in parts if p is not None and p is not Ellipsis)
    out: list[Any] = []
    for p in parts:
        out.extend([_FULL] * (ndim - used) if p is Ellipsis else [p])
    return tuple(out)


@rule(Tensor.gather, torch.gather)
def gather(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``gather(x, dim, index)`` along a dim that carries no images (the index has the output's
    layout, so its rows count too)."""
    dim = get_arg(args, kwargs, 1, "dim", 0)
    _gather(frame, func, args, kwargs, out, dim, get_arg(args, kwargs, 2, "index", None))


@rule(Tensor.take_along_dim, torch.take_along_dim)
def take_along_dim(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``take_along_dim(x, indices, dim)``: ``gather`` with broadcasting; without ``dim`` the
    input is flattened first, so rows of every dim mix."""
    dim = get_arg(args, kwargs, 2, "dim", None)
    indices = get_arg(args, kwargs, 1, "indices", None)
    if dim is None:
        track = frame.get(args[0])
        if track is not None:
            frame.lose(out, f"{op_name(func)} without dim", track)
        return
    _gather(frame, func, args, kwargs, out, dim, indices)


def _gather(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any, dim: Any, index: Any) -> None:
    src = args[0]
    track = frame.get(src)
    ti = frame.get(index)
    if (track is None and ti is None) or not isinstance(out, Tensor) or not isinstance(index, Tensor):
        return
    d = norm_dim(int(dim), src.dim())
    op = op_name(func)
    if _mixed_index(frame, src, track, index, out, op):
        return
    if track is not None and ti is None and track.lost_at is None and track.ratio is None and d in track.rows \
            and src.dim() == 2 and index.shape == tuple(1 if k == d else n for k, n in enumerate(src.shape)) \
            and mode.diagonal_picked(frame, src, track, index, op, index.reshape(-1), index.reshape(-1).shape[0]):
        # ``sim.gather(1, torch.arange(B)[:, None])``: each image's own column, the diagonal
        return _set_diagonal(frame, func, args, kwargs, out, track, 1 - d)
    if track is not None and (track.lost_at is not None or track.ratio is not None or d in track.rows):
        return frame.lose(out, track.lost_at or op, track)  # lost already: keep why
    frame.positions_moved(op, out.shape[d])
    parts = [
        (track, broadcast_map(src.dim(), out.dim())),
        (Track(rows=ti.rows, image=ti.image) if ti is not None else None, broadcast_map(index.dim(), out.dim())),
    ]
    new = combine(frame, op, parts, out.shape)
    if new is not None:
        if track is not None and track.unweighted is not None and new.lost_at is None:
            new.unweighted = func(track.unweighted, *args[1:], **kwargs)
        frame.set(out, new)


def _set_diagonal(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Tensor, track: Track, d: int) -> None:
    """``out``: the diagonal of a table of pairs of images (``mode.diagonal_picked``), its images along ``d``."""
    new = Track(rows={d: track.rows[0]}, image=track.image, from_prediction=track.from_prediction)
    if track.unweighted is not None:
        new.unweighted = func(track.unweighted, *args[1:], **kwargs)
    frame.set(out, new)


@rule(F.embedding)
def embedding(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``F.embedding(ids, table)``: row ``ids[...]`` of the table, so the output has the ids' dims
    (and their rows) and then the table's last dim. A table without images (an embedding the model
    learns) gives the ids' images, from a prediction when it requires grad; a table whose rows are
    images, or ``max_norm`` (which rewrites the rows picked), ends attribution."""
    ids, table = get_arg(args, kwargs, 0, "input", None), get_arg(args, kwargs, 1, "weight", None)
    pair = tracked_pair(frame, ids, table, out)
    if pair is None:
        return
    ti, tt = pair
    op = op_name(func)
    if _mixed_index(frame, table, tt, ids, out, op):
        return
    if get_arg(args, kwargs, 3, "max_norm", None) is not None:
        frame.lose(out, f"{op} with max_norm", pred=tt.from_prediction if tt is not None else table.requires_grad)
        return
    new = _table_rows(frame, table, tt, ids, ti, out, op)
    if new.lost_at is None and tt is not None and tt.unweighted is not None:
        new.unweighted = func(ids, tt.unweighted, *args[2:], **kwargs)
    frame.set(out, new)


def _table_rows(frame: Frame, table: Tensor, tt: Track | None, ids: Tensor, ti: Track | None, out: Tensor,
                op: str) -> Track:
    """The track of ``table[ids]`` (rows of a table picked by integer ids, the output's leading
    dims being the ids'): the ids' rows and images, and the table's image; from a prediction
    when the table is one (an untracked table: when it requires grad). A table whose rows carry
    images is lost (which row an id picks depends on the image's position in the batch)."""
    pred = tt.from_prediction if tt is not None else table.requires_grad
    if tt is not None and (tt.rows or tt.lost_at is not None or tt.ratio is not None):
        return lost_track(tt.lost_at or f"{op} of a table whose rows carry images", pred)
    new = combine(frame, op, [(ti, {d: d for d in range(ids.dim())}), (tt, {})], out.shape)
    if new is None:
        return Track(from_prediction=pred)
    if new.lost_at is None:
        new.from_prediction = pred
    return new


@rule(Tensor.index_select, torch.index_select)
def index_select(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``index_select(x, dim, index)``: along a row dim, the selected rows keep their images."""
    src = args[0]
    track = frame.get(src)
    dim = get_arg(args, kwargs, 1, "dim", 0)
    if not isinstance(out, Tensor) or _mixed_index(frame, src, track, get_arg(args, kwargs, 2, "index", None), out,
                                                   op_name(func), norm_dim(int(dim), max(src.dim(), 1))):
        return
    if track is None:
        return
    if track.lost_at is not None or track.ratio is not None:
        return frame.lose(out, op_name(func), track)
    d = norm_dim(int(get_arg(args, kwargs, 1, "dim", 0)), src.dim())
    index = get_arg(args, kwargs, 2, "index", None)
    by_position = _picked_index(frame, track, index, d, op_name(func))
    if by_position is not None:  # ``x.index_select(1, ix(t[0]))``: as ``x[:, ix(t[0])]``
        return frame.lose(out, by_position, track)
    rows = dict(track.rows)
    if d in rows:
        rows[d] = rows[d][index]
        if frame.get(index) is None:
            _constant_positions(frame, rows[d], op_name(func), index, track.rows[d])
    else:
        if rows and track.image is None and frame.num_images > 1 and _bytecode.counted_subscript((), ("index_select",), (0,)):
            frame.doubt(torch.ones((), dtype=torch.bool), f"{op_name(func)} at positions on a dim of every image's rows "
                        "computed from the number of images (on a group alone, from the group's)")
        frame.positions_moved(op_name(func), out.shape[d])
    new = Track(rows=rows, image=track.image, from_prediction=track.from_prediction)
    if track.unweighted is not None:
        new.unweighted = func(track.unweighted, *args[1:], **kwargs)
    frame.set(out, new)


@rule(Tensor.index_copy_, Tensor.index_copy, torch.index_copy, Tensor.index_fill_, Tensor.index_fill, torch.index_fill)
def index_copy(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``x.index_copy_(dim, pos, v)`` / ``x.index_fill_(dim, pos, c)`` (and out of place) with
    ``pos`` the ``nonzero()`` of a mask over the rows of ``x``'s ``dim`` (``AdaptiveLogSoftmaxWithLoss``
    writes each cluster's log-probabilities so): on a group's images alone the mask is the group's
    rows of it, so its positions are the same rows, and each gets the same value where row j of
    ``v`` is of the image of position ``pos[j]`` (checked on the device) and ``c`` is a number.
    ``x`` keeps (or, made with a size of image rows, gets) the rows of that dim; anything else is
    lost."""
    target = args[0] if args else None
    if not isinstance(target, Tensor) or not isinstance(out, Tensor):
        return
    fill = getattr(func, "__name__", "").startswith("index_fill")
    in_place = out is target
    op = op_name(func)
    made = _copied_by_index(frame, op, target, args, kwargs, fill, out)
    if isinstance(made, str):
        tt = frame.get(target)
        pred = tt is not None and tt.from_prediction or any(
            t is not None and t.from_prediction for t in (frame.get(x) for x in args[2:4] if isinstance(x, Tensor)))
        frame.lose(out, made, pred=pred)
        if in_place:
            lose_aliases(frame, target, op)
    elif made is None and frame.num_images > 1 and frame.get(target) is None \
            and _bytecode.counted_write(view=in_place and target._base is not None):
        _counted_write_made(frame, target, out, op)  # ``w.index_fill_(0, torch.tensor([len(t) - 1]), 3.0)``
    elif made is not None:
        if in_place:  # other tensors over its memory hold the values written, which their tracks do not know
            for other, held in frame.sharing(target):
                frame.set(other, lost_track(f"{op} through another tensor over its memory", held.from_prediction))
        frame.set(out, made)
    if in_place:
        written_through_view(frame, target, op)


def _copied_by_index(frame: Frame, op: str, target: Tensor, args: tuple, kwargs: dict, fill: bool,
                     out: Tensor) -> Track | str | None:
    """The track of ``index_copy``'s (``index_fill``'s) result, why it is lost, or None where
    nothing carries images. Along a dim without images, at positions of no images' data: every
    row gets the same positions on a group alone, each the value of its own row (or the number)."""
    d = norm_dim(int(get_arg(args, kwargs, 1, "dim", 0)), target.dim())
    index = get_arg(args, kwargs, 2, "index", None)
    value = get_arg(args, kwargs, 3, "value" if fill else "source", None)
    tt = frame.get(target)
    tv = frame.get(value) if isinstance(value, Tensor) else None
    if tt is None and tv is None and id(target) not in frame.sized_by and (
            not isinstance(index, Tensor) or frame.get(index) is None):
        return None
    if tv is not None and tv.lost_at is not None:
        return f"{op} of values that mix images (lost at {tv.lost_at})"
    if tt is not None and (tt.lost_at is not None or tt.ratio is not None or tt.parts or tt.elements or tt.element_formulas
                           or tt.formula is not None):
        return tt.lost_at or f"{op} into a reduced value"
    if not isinstance(index, Tensor) or index.dim() > 1:
        return f"{op} with an index that is no vector"
    if fill and isinstance(value, Tensor) and (value.numel() != 1 or value.requires_grad):
        return f"{op} with a value that is no number"
    new: Track | str
    if tt is not None and not tt.rows and tt.image is not None:
        new = _copied_in_one_image(frame, op, tt, frame.get(index), tv)
    elif frame.get(index) is not None or tv is not None and (
            fill or tv.reduced):
        return f"{op} with an index or a value computed from the images' values"
    elif tt is not None and d not in tt.rows and tt.rows:
        new = _copied_along_other_dim(frame, op, tt, tv, fill)
    else:
        new = _copied_at_rows(frame, op, target, d, index, tt, tv, fill)
    if isinstance(new, Track) and (tt is not None and tt.unweighted is not None or tv is not None and tv.unweighted is not None):
        # the values written with the weight field set to 1 where written, the others as they were
        before = tt.unweighted if tt is not None and tt.unweighted is not None else out.detach()
        new.unweighted = (before.index_fill(d, index, value) if fill
                          else before.index_copy(d, index, unweighted_of(value, tv)))
    return new


def _copied_in_one_image(frame: Frame, op: str, tt: Track, ti: Track | None, tv: Track | None) -> Track | str:
    """``index_fill_`` / ``index_copy_`` into one image's tensor (SSD's per-image matching forces
    each truth's best prior, ``best_truth_overlap.index_fill_(0, best_prior, 2.0)``) at positions
    and with values of that image's data, or constants: still that image's."""
    image = tt.image
    for t in (ti, tv):
        if t is None:
            continue
        if (t.lost_at is not None or t.rows or t.image is None or t.ratio is not None or t.parts or t.elements or t.element_formulas
                or t.formula is not None):
            return f"{op} into one image's values of values of other images"
        image = merge_image(frame, image, t.image, op)
    pred = tt.from_prediction or ti is not None and ti.from_prediction or tv is not None and tv.from_prediction
    return Track(image=image, from_prediction=pred)


def _copied_along_other_dim(frame: Frame, op: str, tt: Track, tv: Track | None, fill: bool) -> Track | str:
    """``index_copy`` along a dim without images of a tensor whose other dims carry them: a
    source of the same rows (or a number filled in)."""
    if not fill:
        if tv is None or set(tv.rows) != set(tt.rows) or (tv.image is None) != (tt.image is None):
            return f"{op} of values whose images are not those of the rows written"
        for k, r in tt.rows.items():
            frame.agree(r, tv.rows[k], op)
        if tt.image is not None and tv.image is not None:
            merge_image(frame, tt.image, tv.image, op)
    pred = tt.from_prediction or tv is not None and tv.from_prediction
    return Track(rows=dict(tt.rows), image=tt.image, from_prediction=pred)


def _copied_at_rows(frame: Frame, op: str, target: Tensor, d: int, index: Tensor, tt: Track | None,
                    tv: Track | None, fill: bool) -> Track | str:
    """``index_copy`` along the dim of image rows at the ``nonzero()`` positions of a mask over
    those rows (``_nonzero_mask``), of values of the images of the positions written."""
    rows: Tensor | None = None
    if tt is not None:
        if tt.image is None and set(tt.rows) == {d}:
            rows = tt.rows[d]
    else:
        sized = frame.sized_by.get(id(target))
        if sized is not None and sized[0] is target and set(sized[1]) == {d}:
            rows = sized[1][d]
    if rows is None:
        return f"{op} into a tensor whose positions along that dim do not carry images, or carry them along others"
    mask = _nonzero_mask(frame, index)
    if mask is None or mask.shape != rows.shape:
        return f"{op} at positions other than the nonzero() of a mask over the rows written"
    if mask is not rows:
        frame.doubt((mask.to(rows.device) != rows).any(), f"{op} at the nonzero() positions of a mask over other "
                    "rows than those written")
    if not fill:
        if tv is None or len(tv.rows) != 1 or tv.image is not None or tv.rows.get(d) is None:
            return f"{op} of values whose images are not those of the rows along the dim written"
        written = rows[index.reshape(-1).to(rows.device)]
        frame.doubt((tv.rows[d].to(rows.device) != written).any(), f"{op} puts a value of one image at a position of "
                    "another")
    pred = tt is not None and tt.from_prediction or tv is not None and tv.from_prediction
    return Track(rows={d: rows}, from_prediction=pred)


def _nonzero_mask(frame: Frame, index: Tensor) -> Tensor | None:
    """The rows of the one-dim mask ``index`` is all the ``nonzero()`` positions of (the result
    itself, or a view of all of it: ``.squeeze()``, ``.view(-1)``), if it is."""
    for t in (index, index._base):
        held = frame.counted.get(id(t)) if isinstance(t, Tensor) else None
        if held is not None and held[0] is t and held[1].values.dim() == 1 and index.numel() == t.numel():
            return held[1].rows
    return None


@rule(torch.diag, Tensor.diag, torch.diagonal, Tensor.diagonal)
def diag(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``diag`` of a matrix, ``diagonal(dim1, dim2)`` of a batch of them (``[M, 2, 2]``
    covariances): the other dims keep their rows, the diagonal is the last dim. Over a pairwise
    ``[M, M]`` matrix both dims must name the same images (the diagonal gets them); over one dim of
    image rows and one without, which element is picked depends on the image's position in the
    batch, so attribution ends."""
    src = args[0]
    track = frame.get(src)
    if track is None or not isinstance(out, Tensor) or not isinstance(src, Tensor):
        return
    op = op_name(func)
    if track.lost_at is not None or track.ratio is not None:
        return frame.lose(out, op, track)
    matrix = getattr(func, "__name__", "") == "diag"
    if matrix and src.dim() != 2:  # ``diag`` of a vector makes a matrix
        return frame.lose(out, op, track)
    offset = get_arg(args, kwargs, 1, "diagonal" if matrix else "offset", 0)
    d1 = 0 if matrix else norm_dim(int(get_arg(args, kwargs, 2, "dim1", 0)), src.dim())
    d2 = 1 if matrix else norm_dim(int(get_arg(args, kwargs, 3, "dim2", 1)), src.dim())
    r1, r2 = track.rows.get(d1), track.rows.get(d2)
    rest = [k for k in range(src.dim()) if k not in (d1, d2)]
    rows: Rows = {rest.index(k): r for k, r in track.rows.items() if k in rest}
    if r1 is not None or r2 is not None:
        if r1 is None or r2 is None or offset != 0 or src.shape[d1] != src.shape[d2]:
            return frame.lose(out, f"{op} over a dim that carries images and one that does not (or off the main diagonal)", track)
        frame.agree(r1, r2, op)
        rows[len(rest)] = r1
    new = Track(rows=rows, image=track.image, from_prediction=track.from_prediction)
    if track.unweighted is not None:
        new.unweighted = func(track.unweighted, *args[1:], **kwargs)
    frame.set(out, new)


@rule(torch.trace, Tensor.trace)
def trace(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.trace(m)``: followed as the ``m.diagonal().sum()`` it computes, through those rules
    (of one image's matrix, that image's loss; of a pairwise ``[M, M]`` one, a sum over rows)."""
    src = args[0]
    if not isinstance(src, Tensor) or not isinstance(out, Tensor) or frame.get(src) is None:
        return
    if src.is_complex():
        return frame.lose(out, f"{op_name(func)} of a complex matrix")
    d = torch.diagonal(src.detach())
    diag(frame, torch.diagonal, (src,), {}, d)
    elementwise.sum_(frame, torch.sum, (d,), {}, out)


_PER_MATRIX = (
    torch.det, Tensor.det, torch.linalg.det, torch.logdet, Tensor.logdet, torch.linalg.eigvalsh,
    torch.matrix_exp, Tensor.matrix_exp, torch.linalg.matrix_exp, torch.inverse, Tensor.inverse, torch.linalg.inv,
    torch.linalg.cholesky, torch.cholesky, Tensor.cholesky, torch.tril, Tensor.tril, torch.triu, Tensor.triu,
)


@rule(*_PER_MATRIX)
def per_matrix(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """An op of each square matrix over the last two dims (``det``, ``eigvalsh``, ``matrix_exp``,
    ``inverse``; ``tril`` / ``triu`` of any matrix): the leading dims keep their rows; a row dim among the matrix's own two mixes
    images (each result depends on every entry)."""

    def mixes(src: Tensor, track: Track) -> bool:
        return src.dim() < 2 or bool({src.dim() - 2, src.dim() - 1} & set(track.rows))

    keep_rows(frame, func, args, kwargs, out, mixes, "of matrices over")


_DECOMPOSITIONS = (
    torch.linalg.svd, torch.svd, Tensor.svd, torch.linalg.svdvals, torch.linalg.eigh, torch.linalg.slogdet,
    torch.slogdet, Tensor.slogdet, torch.linalg.qr, torch.qr, Tensor.qr, torch.linalg.pinv, torch.pinverse,
    Tensor.pinverse,
)


@rule(*_DECOMPOSITIONS)
def decomposition(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """A decomposition of each matrix over the last two dims (``svd``, ``eigh``, ``qr``,
    ``slogdet``, ``pinv``): as ``per_matrix``, the leading dims keep their rows in every result
    (each a value of its matrix: singular vectors and values alike), replayed on the unweighted
    matrices; a row dim among the matrix's own two mixes images."""
    src = args[0]
    track = frame.get(src)
    outs = list(out) if isinstance(out, tuple) else [out]
    if track is None or not isinstance(src, Tensor) or not all(isinstance(o, Tensor) for o in outs):
        return
    op = op_name(func)
    if track.lost_at is not None or track.ratio is not None:
        return frame.lose(out, track.lost_at or op, track)
    if src.dim() < 2 or {src.dim() - 2, src.dim() - 1} & set(track.rows) or src.is_complex():
        return frame.lose(out, f"{op} of matrices over a dim that carries images", track)
    raw = func(track.unweighted, *args[1:], **kwargs) if track.unweighted is not None else None
    raws = list(raw) if isinstance(raw, tuple) else [raw] * len(outs)
    lead = src.dim() - 2
    for o, r in zip(outs, raws, strict=True):
        if o.shape[:lead] != src.shape[:lead]:  # ``qr(mode="r")``'s empty Q: no result
            continue
        frame.set(o, Track(rows=dict(track.rows), image=track.image, unweighted=r, from_prediction=track.from_prediction))


_FACTOR_SECOND = (torch.cholesky_solve, Tensor.cholesky_solve)  # ``cholesky_solve(B, L)``: the right side first


@rule(torch.linalg.solve, torch.linalg.solve_ex, torch.linalg.solve_triangular, *_FACTOR_SECOND)
def solve(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.linalg.solve(A, B)`` (also ``solve_ex``, ``solve_triangular``, ``cholesky_solve(B, L)``
    with ``A = L Lᵀ``) of batches of matrices of the same leading shape: the leading dims keep their
    rows (the same images in ``A`` and ``B``), also in ``solve_ex``'s ``info`` per matrix, and so do
    ``B``'s columns (each solved on its own); a row dim among ``A``'s own two dims or ``B``'s rows,
    broadcast leading dims or ``left=False`` end attribution."""
    swapped = func in _FACTOR_SECOND
    if swapped:
        b, a = get_arg(args, kwargs, 0, "input", None), get_arg(args, kwargs, 1, "input2", None)
    else:
        a, b = get_arg(args, kwargs, 0, "A", None), get_arg(args, kwargs, 1, "B", None)
    ta, tb = frame.get(a), frame.get(b)
    outs = list(out) if isinstance(out, tuple) else [out]
    if (ta is None and tb is None) or not all(isinstance(o, Tensor) for o in outs) or not isinstance(a, Tensor) \
            or not isinstance(b, Tensor):
        return
    op = op_name(func)
    lead = a.dim() - 2
    # ``B`` of ``A``'s shape less its last dim is a batch of vectors (torch's reading; fast_bss_eval's
    # ``solve(toeplitz(acf), xcorr)``), each solved on its own: its entries mix, its leading dims keep their rows
    vectors = func is not torch.linalg.solve_triangular and not swapped and b.dim() == a.dim() - 1 \
        and b.shape == a.shape[:-1]
    if (any(t is not None and (t.lost_at is not None or t.ratio is not None) for t in (ta, tb))
            or not kwargs.get("left", True) or lead < 0 or b.dim() != a.dim() - vectors or outs[0].dim() != b.dim()
            or a.shape[:lead] != b.shape[:lead] or any(o.shape[:lead] != a.shape[:lead] for o in outs)):
        return frame.lose(out, op, ta or tb)
    dim_map: dict[int, int | None] = {d: (d if d < lead else None) for d in range(a.dim())}
    # each column of ``B`` is solved on its own (``left=True``): its last dim keeps its rows in the solution
    # (normflows' ``solve_triangular(lower, x.t())`` of codes as columns); ``solve_ex``'s ``info`` is ``A``'s alone
    columns: dict[int, int | None] = {d: (d if d < lead else None) for d in range(b.dim())} if vectors \
        else {**dim_map, a.dim() - 1: a.dim() - 1}
    news = [combine(frame, op, [(ta, dim_map), (tb, columns)], o.shape) if o.dim() == b.dim()
            else combine(frame, op, [(ta, dim_map)], o.shape) for o in outs]
    if news[0] is None:
        return
    if any(new.lost_at is not None for new in news if new is not None):
        return frame.lose(out, f"{op} over a dim that carries images", ta or tb)
    raw = None
    if any(t is not None and t.unweighted is not None for t in (ta, tb)):
        sides = (unweighted_of(b, tb), unweighted_of(a, ta)) if swapped else (unweighted_of(a, ta), unweighted_of(b, tb))
        raw = func(*sides, **{k: v for k, v in kwargs.items() if k not in ("A", "B", "input", "input2")})
    raws = list(raw) if isinstance(raw, tuple) else [raw] * len(outs)
    for o, new, r in zip(outs, news, raws, strict=True):
        if new is not None:  # (``info`` of a ``B`` alone carrying images: no images)
            new.unweighted = r if o.is_floating_point() else None
            frame.set(o, new)


@rule(torch.linalg.lstsq)
def lstsq(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.linalg.lstsq(A [*, m, n], B [*, m, k])``: each matrix's problem solved on its own
    (Marigold E2E-FT's scale and shift per image): the leading dims keep their rows in the solution
    and so do ``B``'s columns; the other results (residuals, rank, singular values) keep the leading
    dims where computed. A row dim among ``A``'s own two dims or ``B``'s rows, ``B`` of another rank
    or broadcast leading dims end attribution."""
    a, b = get_arg(args, kwargs, 0, "A", None), get_arg(args, kwargs, 1, "B", None)
    ta, tb = frame.get(a), frame.get(b)
    if (ta is None and tb is None) or not isinstance(a, Tensor) or not isinstance(b, Tensor) or not isinstance(out, tuple):
        return
    op = op_name(func)
    lead = a.dim() - 2
    outs = [o for o in out if isinstance(o, Tensor)]
    if (any(t is not None and (t.lost_at is not None or t.ratio is not None) for t in (ta, tb)) or lead < 0
            or b.dim() != a.dim() or a.shape[:lead] != b.shape[:lead] or out[0].shape[:lead] != a.shape[:lead]):
        return frame.lose(outs, op, ta or tb)
    leading: dict[int, int | None] = {d: (d if d < lead else None) for d in range(a.dim())}
    solution = combine(frame, op, [(ta, leading), (tb, {**leading, lead + 1: lead + 1})], out[0].shape)
    if solution is None:
        return
    if solution.lost_at is not None:
        return frame.lose(outs, f"{op} over a dim that carries images", ta or tb)
    raw = None
    if any(t is not None and t.unweighted is not None for t in (ta, tb)):
        raw = func(unweighted_of(a, ta), unweighted_of(b, tb), **{k: v for k, v in kwargs.items() if k not in ("A", "B")})
    solution.unweighted = raw[0] if raw is not None else None
    frame.set(out[0], solution)
    for i, o in enumerate(out[1:], 1):
        if not isinstance(o, Tensor) or not o.numel():
            continue  # not computed by this driver
        other = combine(frame, op, [(ta, leading), (tb, leading)], o.shape) if o.shape[:lead] == a.shape[:lead] else None
        if other is None or other.lost_at is not None:
            frame.lose(o, op, ta or tb)
            continue
        other.unweighted = raw[i] if raw is not None and o.is_floating_point() else None
        frame.set(o, other)


@rule(torch.matmul, Tensor.matmul, torch.mm, Tensor.mm, torch.bmm, Tensor.bmm)
def matmul(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """2-d / batched matrix products: output rows from ``a``'s rows, columns from ``b``'s."""
    a, b = args[0], args[1]
    ta, tb = frame.get(a), frame.get(b)
    if (ta is None and tb is None) or not isinstance(out, Tensor):
        return
    op = op_name(func)
    parts = []
    for x, t, contract in ((a, ta, -1), (b, tb, -2)):
        if t is None or not isinstance(x, Tensor):
            continue
        if x.dim() < 2:
            return _vector_product(frame, a, b, out, op, t)
        nd = x.dim()
        frame.positions_mixed(op, x, t, [nd + contract])
        other = b if contract == -1 else a
        dim_map: dict[int, int | None] = {}
        for k in range(nd):
            if k == nd + contract:
                dim_map[k] = None
            elif isinstance(other, Tensor) and other.dim() == 1:  # ``p @ proj`` (a vector): that dim dropped
                dim_map[k] = k if k < nd - 2 or contract == -1 else out.dim() - 1
            elif k >= nd - 2:
                dim_map[k] = out.dim() - 2 + (0 if contract == -1 else 1)
            else:
                dim_map[k] = k + out.dim() - nd
        parts.append((t, dim_map))
    new = combine(frame, op, parts, out.shape)
    if new is None or new.lost_at is not None:
        if new is not None:
            frame.set(out, new)
        return
    factor = _matmul_factor(frame, a if ta is None else b, new.rows, out, op) if new.rows and (ta is None or tb is None) \
        else None
    if factor is not None or any(t is not None and t.unweighted is not None for t in (ta, tb)):
        # the product of the operands' values with the weight field set to 1 (each contracted dim
        # holds no images: ``combine`` ended attribution otherwise)
        ua = factor if ta is None and factor is not None else unweighted_of(a, ta) if isinstance(a, Tensor) else a
        ub = factor if tb is None and factor is not None else unweighted_of(b, tb) if isinstance(b, Tensor) else b
        new.unweighted = func(ua, ub)
    if new is not None:
        frame.set(out, new)



def _vector_product(frame: Frame, a: Any, b: Any, out: Tensor, op: str, track: Track) -> None:
    """``matmul`` with a tracked vector operand (``e @ e``, ``e @ w``, ``e @ m``): followed as the
    ``einsum`` it computes (``"j,j->"``, ``"j,...jk->...k"``, ``"...ij,j->...i"``), whose rule
    sums a letter carrying images per image or declines."""
    if not isinstance(a, Tensor) or not isinstance(b, Tensor) or a.dim() == 0 or b.dim() == 0 or a.dim() > 1 < b.dim():
        return frame.lose(out, op, track) if track.from_prediction else None
    equation = "j,j->" if a.dim() == b.dim() == 1 else "j,...jk->...k" if a.dim() == 1 else "...ij,j->...i"
    einsum(frame, torch.einsum, (equation, a, b), {}, out)
    held = frame.get(out)
    if _plainly_lost(held):
        assert held is not None
        frame.lose(out, f"{op} of a vector ({held.lost_at})", pred=held.from_prediction or track.from_prediction)


@rule(torch.addmm, Tensor.addmm, torch.baddbmm, Tensor.baddbmm)
def addmm(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.addmm(c, a, b, beta=, alpha=)`` (also ``baddbmm`` of batches): followed as the
    ``beta * c + alpha * (a @ b)`` it computes (the center loss' ``x^2 + c^2 - 2 x c^T``), through
    the product's rule (``mm`` / ``bmm``), the element-wise ``mul`` and ``add``: rows of ``a`` and
    ``b`` on the product's dims, ``c`` broadcast against them. In place (``addmm_``): no rule."""
    batched = func in (torch.baddbmm, Tensor.baddbmm)
    names = ("batch1", "batch2") if batched else ("mat1", "mat2")
    c = get_arg(args, kwargs, 0, "input", None)
    a, b = get_arg(args, kwargs, 1, names[0], None), get_arg(args, kwargs, 2, names[1], None)
    beta, alpha = kwargs.get("beta", 1), kwargs.get("alpha", 1)
    operands = (c, a, b)
    if not isinstance(out, Tensor) or not all(isinstance(x, Tensor) for x in operands):
        return
    if all(frame.get(x) is None for x in operands):
        return
    if not all(type(n) in (int, float) for n in (beta, alpha)):
        return frame.lose(out, f"{op_name(func)} with a tensor beta or alpha")
    product_func = torch.bmm if batched else torch.mm
    product = product_func(a.detach(), b.detach())
    matmul(frame, product_func, (a, b), {}, product)
    if alpha != 1:
        scaled = torch.mul(product, alpha)
        elementwise.mul(frame, torch.mul, (product, alpha), {}, scaled)
        product = scaled
    if beta == 0:  # ``c`` not read (not even its NaN): the scaled product alone
        elementwise.mul(frame, torch.mul, (product, 1.0), {}, out)
        return
    term = c
    if beta != 1:
        term = torch.mul(c.detach(), beta)
        elementwise.mul(frame, torch.mul, (c, beta), {}, term)
    elementwise.add(frame, torch.add, (term, product), {}, out)

def _matmul_factor(frame: Frame, x: Any, rows: dict[int, Tensor], out: Tensor, op: str) -> Tensor | None:
    """An untracked batched operand of a matrix product whose batch dim runs along the image rows
    of the other (``torch.bmm(w[:, None, None].expand(-1, 1, 3), e)``): with the weight field set to
    1 where it holds its image's weight, as the same factor of ``e * w`` is (``unweighted_along``;
    review adv19 found the weights kept); None where it is no such operand or holds no weight."""
    if not isinstance(x, Tensor) or x.dim() < 3 or x.requires_grad or frame.weights_on(x.device) is None:
        return None
    shift = out.dim() - x.dim()
    along = [k for k in range(x.dim() - 2) if k + shift in rows and x.shape[k] == out.shape[k + shift] != 1]
    if len(along) != 1:
        return None
    factor = unweighted_along(frame, x, along[0], rows, out.shape, op)
    return None if factor is x else factor


@rule(F.scaled_dot_product_attention)
def attention(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``F.scaled_dot_product_attention(q [..., L, E], k [..., S, E], v [..., S, Ev])`` (with a mask
    broadcast to ``[..., L, S]``): each query attends to the keys of its own leading entry, so the
    leading dims (batch, heads) keep the rows q, k, v and the mask carry there. Rows on a matrix's
    own two dims (keys of other images), a leading dim of other sizes (grouped heads), weights
    inside an operand (no factor of a softmax) and dropout (drawn anew on a group alone) end
    attribution."""
    names = ("query", "key", "value", "attn_mask")
    operands = [get_arg(args, kwargs, i, name, None) for i, name in enumerate(names)]
    tracks = [frame.get(x) if isinstance(x, Tensor) else None for x in operands]
    if all(t is None for t in tracks) or not isinstance(out, Tensor):
        return
    op = op_name(func)
    like = next(t for t in tracks if t is not None)
    if get_arg(args, kwargs, 4, "dropout_p", 0.0) or any(t is not None and t.unweighted is not None for t in tracks):
        return frame.lose(out, f"{op} with dropout or of weighted inputs", like)
    lead = out.dim() - 2
    parts = []
    for x, t, mixed in zip(operands, tracks, ([-1], [-2, -1], [-2, -1], [-1]), strict=True):
        if t is None:
            continue
        shift = lead - (x.dim() - 2)
        if frame.num_images == 1 and t.rows and t.lost_at is None and not t.reduced:
            # one image in the call (a micro-batch of one sequence): its rows, wherever a view of a batch of
            # one laid them (``[1, 1, S, E]`` keys along S), are all of it; nothing to mix
            t = Track(image=frame.image_index(0, x.device), from_prediction=t.from_prediction)
        if shift < 0 or any(d < x.dim() - 2 and x.shape[d] != out.shape[d + shift] for d in t.rows):
            return frame.lose(out, f"{op} over a dim that carries images", t)
        frame.positions_mixed(op, x, t, [x.dim() + d for d in mixed])
        parts.append((t, {d: (d + shift if d < x.dim() - 2 else None) for d in range(x.dim())}))
    new = combine(frame, op, parts, out.shape)
    if new is not None and new.lost_at is not None and new.lost_at == op:
        new.lost_at = f"{op} over a dim that carries images"
    if new is not None:
        frame.set(out, new)


@rule(F.linear)
def linear(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``F.linear(x, W, b)`` (``nn.Linear``): ``x @ W.T + b`` mixes each row's features only, so
    the leading dims of ``x`` keep their rows where ``W`` and ``b`` carry no images (a parameter,
    data without rows) or are wholly of one image (a head adapted on one task's rows, MAML's inner
    loop): every value of the output is then of that image too, and rows of ``x`` of another image
    are paired with it (the call is declined). A weight or bias with rows of images or reduced
    losses or features that carry them end attribution. An input with values with the weight field
    set to 1 gives the layer's output on those (``x @ W.T + b``: the bias not scaled)."""
    x, w = get_arg(args, kwargs, 0, "input", None), get_arg(args, kwargs, 1, "weight", None)
    b = get_arg(args, kwargs, 2, "bias", None)
    tracks = [frame.get(v) if isinstance(v, Tensor) else None for v in (x, w, b)]
    if all(t is None for t in tracks) or not isinstance(out, Tensor) or not isinstance(x, Tensor):
        return
    op = op_name(func)
    tx, *params = tracks
    if any(t is not None and (t.rows or t.lost_at is not None or t.reduced or t.unweighted is not None)
           for t in params):
        return frame.lose(out, f"{op} of a weight or bias that carries images or weights",
                          next(t for t in tracks if t is not None))
    whole: list[tuple[Track | None, dict[int, int | None]]] = [
        (t, {}) for t in params if t is not None and t.image is not None]
    if tx is None and not whole:  # data without rows through the layer: still none
        return
    if tx is not None:
        frame.positions_mixed(op, x, tx, [x.dim() - 1])
    new = combine(frame, op, [(tx, {k: (k if k < x.dim() - 1 else None) for k in range(x.dim())}), *whole],
                  out.shape)
    if new is not None:
        new.from_prediction = new.from_prediction or any(t is not None and t.from_prediction for t in params)
        if tx is not None and tx.unweighted is not None and new.lost_at is None:
            new.unweighted = F.linear(tx.unweighted, w, b)
        frame.set(out, new)


@rule(torch.gru_cell, torch.rnn_tanh_cell, torch.rnn_relu_cell, torch.lstm_cell)
def rnn_cell(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.gru_cell(x [N, I], h [N, H], w_ih, w_hh, b_ih, b_hh)`` (``nn.GRUCell``; ``nn.RNNCell``'s
    ``rnn_*_cell``; ``nn.LSTMCell``'s ``lstm_cell``, ``hx = (h, c)``, two outputs): each row's new
    state from that row's input and state alone through shared weights (``_rows_through``)."""
    x, hx = get_arg(args, kwargs, 0, "input", None), get_arg(args, kwargs, 1, "hx", None)
    states = list(hx) if isinstance(hx, (tuple, list)) else [hx]
    inputs = [v for v in (x, *states) if isinstance(v, Tensor)]
    params = [v for v in args[2:] if isinstance(v, Tensor)]
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    if len(inputs) != 1 + len(states) and any(frame.get(v) is not None for v in [*inputs, *params]):
        return frame.lose(outs, f"{op_name(func)} of a weight or bias that carries images or weights",
                          next(t for t in map(frame.get, [*inputs, *params]) if t is not None))

    def rerun(x_u: Tensor, *states_u: Tensor) -> Any:
        return func(x_u, list(states_u) if isinstance(hx, (tuple, list)) else states_u[0], *args[2:], **kwargs)

    _rows_through(frame, func, inputs, params, outs, rerun)


@rule(torch.bilinear)
def bilinear(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.bilinear(x1 [*, I1], x2 [*, I2], W [O, I1, I2], b)`` (``nn.Bilinear``, DGI's
    discriminator of each node with its graph's summary): ``x1ᵀ W x2 + b`` of the same leading
    position of both inputs (``_rows_through``)."""
    x1, x2 = get_arg(args, kwargs, 0, "input1", None), get_arg(args, kwargs, 1, "input2", None)
    if not isinstance(x1, Tensor) or not isinstance(x2, Tensor) or not isinstance(out, Tensor):
        return
    params = [v for v in (*args[2:], *kwargs.values()) if isinstance(v, Tensor)]
    _rows_through(frame, func, [x1, x2], params, [out], lambda a, c: func(a, c, *args[2:], **kwargs))


def _rows_through(frame: Frame, func: Any, inputs: list[Tensor], params: list[Tensor], outs: list[Any],
                  rerun: Any) -> None:
    """Each output position made from the same leading position of every input alone through shared
    weights: every leading dim keeps the rows of every input, as ``F.linear``'s (rows of another image
    at the same position pair them: declined). Rows on the features (an unbatched 1-D call) mix;
    weights that carry images or weights end attribution. ``rerun`` gives the outputs on the inputs
    with the weight field set to 1."""
    tracks = [frame.get(v) for v in inputs]
    if all(t is None for t in tracks) and all(frame.get(w) is None for w in params):
        return
    op = op_name(func)
    if any(frame.get(w) is not None for w in params):
        return frame.lose(outs, f"{op} of a weight or bias that carries images or weights",
                          next(t for t in [*tracks, *map(frame.get, params)] if t is not None))
    parts = []
    for v, t in zip(inputs, tracks):
        if t is not None:
            frame.positions_mixed(op, v, t, [v.dim() - 1])
            parts.append((t, {k: (k if k < v.dim() - 1 else None) for k in range(v.dim())}))
    news = [n for n in (combine(frame, op, parts, o.shape) for o in outs) if n is not None]
    if len(news) != len(outs):
        return
    if any(t is not None and t.unweighted is not None for t in tracks) and all(n.lost_at is None for n in news):
        got = rerun(*[t.unweighted if t is not None and t.unweighted is not None else v.detach()
                      for v, t in zip(inputs, tracks)])
        for n, u in zip(news, got if isinstance(got, (tuple, list)) else [got]):
            n.unweighted = u
    for o, n in zip(outs, news):
        frame.set(o, n)


# (``F.grouped_mm`` calls it without a dispatch of its own)
_GROUPED_MM = tuple(f for f in (getattr(torch, "_grouped_mm", None),) if f is not None)


@rule(*_GROUPED_MM)
def grouped_mm(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch._grouped_mm(x [S, K], W [E, K, N], offs=ends)``: row j of ``x`` times the matrix of
    the group its position falls in. A mixture of experts' dispatch (transformers' ``grouped_mm``
    experts): the tokens' routed expert ids sorted along the images, their rows gathered in that
    order (``_permutes_rows``), ``ends`` the ``cumsum`` of the sorted ids' own counts per value
    (``histc`` / ``bincount`` of them or of a cast, nothing else: ``Frame.sorted_derived``).
    Row-wise where each row's group is its own sorted id: the sorted ids' images those of ``x``'s
    rows, every row in a group and row j's group the sorted id j (checked on the device, else the
    call is declined); on a group alone the same row meets the same matrix. Ends computed
    otherwise (a capacity that drops or moves rows, ends of fixed positions) decline."""
    x, w = get_arg(args, kwargs, 0, "mat_a", None), get_arg(args, kwargs, 1, "mat_b", None)
    offs, bias = get_arg(args, kwargs, 2, "offs", None), get_arg(args, kwargs, 3, "bias", None)
    tracks = [frame.get(v) if isinstance(v, Tensor) else None for v in (x, w, offs, bias)]
    if all(t is None for t in tracks) or not isinstance(out, Tensor) or not isinstance(x, Tensor):
        return
    op = op_name(func)
    tx, tw, _, tb = tracks
    rows = tx.rows.get(0) if tx is not None else None
    held = frame.sorted_derived.get(id(offs)) if isinstance(offs, Tensor) else None
    if (tx is None or rows is None or len(tx.rows) != 1 or tx.image is not None or tx.lost_at is not None
            or tx.reduced or tx.unweighted is not None or x.dim() != 2 or not isinstance(w, Tensor) or w.dim() != 3
            or tw is not None or tb is not None or held is None or held[0] is not offs or held[2] != "ends"
            or held[1] != version_of(offs) or held[3].numel() != x.shape[0]):
        return frame.lose(out, f"{op} (rows not grouped by the counts of their own sorted keys, or weights that "
                          "carry images)", pred=any(t is not None and t.from_prediction for t in tracks) or x.requires_grad)
    key, images = held[3], held[4]
    frame.agree(rows, images, op)
    frame.positions_mixed(op, x, tx, [1])
    n = x.shape[0]
    ends = offs.detach()
    groups = torch.searchsorted(ends, torch.arange(n, device=ends.device, dtype=ends.dtype), right=True)
    frame.doubt((groups != key.to(groups.device)).any() | (ends[-1] != n) if n and ends.numel()
                else torch.tensor(n != 0), f"{op} with groups of rows that are not the rows' own sorted keys (on a "
                "group alone its rows would meet other matrices)")
    frame.set(out, Track(rows={0: rows}, from_prediction=tx.from_prediction or w.requires_grad))


@rule(torch.dot, Tensor.dot, torch.vdot, Tensor.vdot)
def dot(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.dot(a, b)`` of two real vectors (a per-image Lovász extension): followed as the
    ``(a * b).sum()`` it computes, through those two rules."""
    a, b = get_arg(args, kwargs, 0, "input", None), get_arg(args, kwargs, 1, "tensor", None)
    if not isinstance(a, Tensor) or not isinstance(b, Tensor) or not isinstance(out, Tensor):
        return
    if frame.get(a) is None and frame.get(b) is None:
        return
    if a.is_complex() or b.is_complex():
        return frame.lose(out, f"{op_name(func)} of complex vectors")
    product = torch.mul(a.detach(), b.detach())
    elementwise.mul(frame, torch.mul, (a, b), {}, product)
    elementwise.sum_(frame, torch.sum, (product,), {}, out)


@rule(torch.cdist)
def cdist(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Distances of each row of ``a`` to each row of ``b``: the leading (batch) dims keep their rows,
    the two row dims map to the output's last two. Two tensors each wholly of one image, other
    images known on the host (TCC's frames of one video against another's): every distance pairs
    them, attribution ends there (the keys it reaches decline, not the whole call)."""
    a, b = args[0], args[1]
    ta, tb = frame.get(a), frame.get(b)
    if (ta is None and tb is None) or not isinstance(out, Tensor):
        return
    images = [frame.image_ids.get(id(t.image)) if t is not None and t.image is not None and not t.rows else None
              for t in (ta, tb)]
    if None not in images and images[0] != images[1]:
        return frame.lose(out, f"{op_name(func)} of one image's rows to another image's", ta)
    parts = []
    for x, t, target in ((a, ta, out.dim() - 2), (b, tb, out.dim() - 1)):
        if t is None:
            continue
        nd = x.dim()
        parts.append((t, {k: (target if k == nd - 2 else None if k == nd - 1 else k) for k in range(nd)}))
    new = combine(frame, op_name(func), parts, out.shape)
    if new is not None:
        frame.set(out, new)




_SCATTERS = {  # function -> (in place, name of the source argument)
    Tensor.scatter_add: (False, "src"), torch.scatter_add: (False, "src"), Tensor.scatter_add_: (True, "src"),
    Tensor.scatter_reduce: (False, "src"), torch.scatter_reduce: (False, "src"), Tensor.scatter_reduce_: (True, "src"),
    Tensor.scatter: (False, "src"), torch.scatter: (False, "src"), Tensor.scatter_: (True, "src"),
    Tensor.index_add: (False, "source"), torch.index_add: (False, "source"), Tensor.index_add_: (True, "source"),
}


@rule(*_SCATTERS)
def scatter(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``scatter_add`` / ``scatter_reduce`` / ``scatter`` / ``index_add`` (and in place) along a dim
    that carries no images (per-class sums per image): every other dim keeps its rows, from the
    target, the index and the source alike; along a row dim, attribution ends."""
    _scatter(frame, func, args, kwargs, out)
    if _SCATTERS[func][0]:
        written_through_view(frame, args[0], op_name(func))


def _scatter(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    target = args[0]
    if not isinstance(target, Tensor) or not isinstance(out, Tensor):
        return
    in_place, src_name = _SCATTERS[func]
    index = get_arg(args, kwargs, 2, "index", None)
    src = get_arg(args, kwargs, 3, src_name, kwargs.get("value"))
    tt = frame.get(target)
    ti = frame.get(index) if isinstance(index, Tensor) else None
    ts = frame.get(src) if isinstance(src, Tensor) else None
    if tt is None and ti is None and ts is None:
        if frame.num_images > 1 and _bytecode.counted_write(view=in_place and target._base is not None):
            _counted_write_made(frame, target, out, op_name(func))  # ``w.scatter_(0, torch.tensor([len(t) - 1]), 3.0)``
        return
    op = op_name(func)
    d = norm_dim(int(get_arg(args, kwargs, 1, "dim", 0)), target.dim())
    if src_name == "source" and kwargs.get("alpha", 1) == 1 and _written_back(frame, op, tt, index, ti, ts, d, out):
        if in_place:
            lose_aliases(frame, target, op)
        return
    if tt is None and ts is not None and not in_place and kwargs.get("alpha", 1) == 1 \
            and _into_segments(frame, func, target, index, src, ts, d, out):
        return
    lost = next((t for t in (tt, ti, ts) if t is not None and (t.lost_at is not None or t.ratio is not None)), None)
    if lost is not None:
        frame.lose(out, lost.lost_at or op, pred=any(t is not None and t.from_prediction for t in (tt, ti, ts)))
        return
    one_d_index = src_name == "source"  # index_add: a 1-d index along ``d``
    if tt is None and ts is not None and _into_images(frame, func, args, kwargs, target, index, src, ts, d, out):
        return
    parts: list[tuple[Track | None, dict[int, int | None]]] = [(tt, {k: k for k in range(target.dim())})]
    for x, t in ((index, None if one_d_index else ti), (src, ts)):
        if t is None or not isinstance(x, Tensor):
            continue
        if any(k != d and r.shape[0] != out.shape[k] for k, r in t.rows.items()):
            frame.lose(out, f"{op} of a part of the rows", pred=any(u is not None and u.from_prediction for u in (tt, ti, ts)))
            return
        parts.append((t, {k: (None if k == d else k) for k in range(x.dim())}))
    if one_d_index and ti is not None:
        parts.append((Track(image=ti.image, from_prediction=ti.from_prediction), {}) if not ti.rows else (ti, {0: None}))
    new = combine(frame, op, parts, out.shape)
    if new is None:
        return
    if new.lost_at is not None:
        frame.lose(out, f"{op} along a dim that carries images", new)
        return
    if any(t is not None and t.unweighted is not None for t in (tt, ts)):
        before = _before(func, target, tt, args, kwargs) if in_place else unweighted_of(target, tt)
        if before is None:
            frame.lose(out, f"{op} in place with weighted values", new)
            return
        args_u = list(args)
        kwargs_u = dict(kwargs)
        args_u[0] = before
        if ts is not None and ts.unweighted is not None:
            if len(args_u) > 3:
                args_u[3] = ts.unweighted
            else:
                kwargs_u[src_name] = ts.unweighted
        new.unweighted = func(*args_u, **kwargs_u)
    frame.set(out, new)
    if in_place:
        lose_aliases(frame, target, op)


_REDUCES_PER_IMAGE = {"sum", "mean", "amax", "amin"}


def _written_back(frame: Frame, op: str, tt: Track | None, index: Any, ti: Track | None, ts: Track | None, d: int,
                  out: Tensor) -> bool:
    """``y.index_add_(0, tok, rows)``, a mixture of experts writing each expert's rows back to
    their tokens: ``tok`` the order of a sort along the images (``order // k``, every row of ``y``
    written as often, checked on the device) or the ``nonzero()`` positions of a mask over ``y``'s
    rows (``torch.where(expert_mask[e])``), each written row of the image of the row it is added
    to (checked). Row t of the result is row t's own sum, as on a group alone. True when followed."""
    if tt is None or ts is None or not isinstance(index, Tensor) or index.dim() != 1 or set(tt.rows) != {d} \
            or set(ts.rows) != {d} or tt.image is not None or ts.image is not None or tt.reduced or ts.reduced \
            or tt.lost_at is not None or ts.lost_at is not None or tt.unweighted is not None or ts.unweighted is not None:
        return False
    rows, written = tt.rows[d], ts.rows[d]
    held = frame.counted.get(id(index))
    if ti is not None and ti.lost_at in _ORDER_LOST:
        if not rows.numel() or index.numel() % rows.numel():
            return False
        each = index.numel() // rows.numel()
        order = torch.arange(index.numel(), device=index.device, dtype=index.dtype) // each
        frame.doubt((index.sort().values != order).any(), f"{op} at an order of the images' rows that writes "
                    "their rows unequally often")
    elif ti is not None or held is None or held[0] is not index:
        return False
    frame.agree(rows[index.to(rows.device)], written, op)
    frame.set(out, Track(rows={d: rows}, from_prediction=tt.from_prediction or ts.from_prediction))
    return True


def _into_images(frame: Frame, func: Any, args: tuple, kwargs: dict, target: Tensor, index: Any, src: Tensor,
                 ts: Track, d: int, out: Tensor) -> bool:
    """``torch.zeros(B).index_add_(0, img, loss)``, ``scatter_add(0, img, loss)``,
    ``scatter_reduce(.., reduce="mean")``: a source whose rows along ``d`` are images, each added
    (or reduced) into the position of its own image -- the index equals the source's images,
    checked on the device and read with the call's one read -- of a target without images whose
    values are all equal (in place: a fresh ``torch.zeros``) and whose size along ``d`` is the
    number of images. Position ``b`` of the
    output is then image ``b``'s alone, as on a group alone where the group's images are numbered
    from 0 (a target of another size, or with values that differ by position, is declined as
    before). Whether it was."""
    name = getattr(func, "__name__", "").rstrip("_")
    if name == "scatter_reduce":
        reduce = get_arg(args, kwargs, 4, "reduce", None)
        if reduce not in _REDUCES_PER_IMAGE:
            return False
    elif name not in ("scatter_add", "index_add"):
        return False
    if (
        not isinstance(index, Tensor)
        or frame.get(index) is not None
        or ts.lost_at is not None
        or ts.ratio is not None
        or set(ts.rows) != {d}
        or out.shape[d] != frame.num_images
        or frame.tokens is not None
        or kwargs.get("alpha", 1) != 1
    ):
        return False
    rows = ts.rows[d]
    op = op_name(func)
    if name == "index_add":
        frame.agree(index.reshape(-1).long(), rows, op)
    elif index.shape != src.shape:
        return False
    else:
        frame.agree(index.reshape(-1).long(), expand_rows(frame, rows, list(src.shape), d), op)
    if _SCATTERS[func][0]:  # in place: what was there is known only of a fresh ``torch.zeros``
        if not _fresh_zeros(frame, target, int(name == "scatter_reduce" and target.grad_fn is not None)):
            return False
        before = torch.zeros_like(target.detach())
    else:
        before = target.detach()
    if before.numel():
        frame.doubt((before != before.reshape(-1)[0]).any(), f"{op} into a tensor whose values differ by position")
    new = Track(rows={d: frame.arange(out.device)}, from_prediction=ts.from_prediction)
    if ts.unweighted is not None:
        args_u, kwargs_u = list(args), dict(kwargs)
        args_u[0] = before.clone()
        if len(args_u) > 3:
            args_u[3] = ts.unweighted
        else:
            kwargs_u["source" if name == "index_add" else "src"] = ts.unweighted
        new.unweighted = getattr(torch, name)(*args_u, **kwargs_u)
    frame.set(out, new)
    if _SCATTERS[func][0]:
        lose_aliases(frame, target, op)
    return True


def _into_segments(frame: Frame, func: Any, target: Tensor, index: Any, src: Tensor, ts: Track, d: int,
                   out: Tensor) -> bool:
    """``torch.zeros(n).scatter_add(0, ids, ce)`` (or ``index_add``, out of place) with ``ids``
    segment ids (``elementwise.note_segments``: packed documents numbered over the flattened rows)
    of the source's own elements: position ``s`` of the output is segment ``s``'s sum, of the one
    image its elements are of -- the output's row map. On a group alone the same segments are
    summed, numbered from the group's first. Checked with the call's one read: every id names one
    image's elements, each source element is of the image its id was computed for, the target's
    values are all equal, and every position is some segment's (a position no id writes has no
    image; on a group alone there are other such positions). Whether it was followed."""
    name = getattr(func, "__name__", "")
    held = frame.segment_ids.get(id(index)) if isinstance(index, Tensor) else None
    if (name not in ("scatter_add", "index_add") or held is None or held[0] is not index or held[1] != version_of(index)
            or d != 0 or target.dim() != 1 or src.dim() != 1 or index.shape != src.shape or ts.lost_at is not None
            or ts.reduced or set(ts.rows) != {0} or ts.image is not None):
        return False
    op = op_name(func)
    _, _, images, segments = held
    rows = ts.rows[0]
    frame.doubt(~segments, f"{op} at ids of a cumsum along the images' rows that name elements of several images")
    frame.agree(rows, images, op)
    before = target.detach()
    ids = index.detach().long().to(images.device)
    if before.numel():
        frame.doubt((before != before.reshape(-1)[0]).any(), f"{op} into a tensor whose values differ by position")
    written = torch.zeros(out.shape[0], dtype=torch.bool, device=images.device).index_fill_(0, ids, True)
    frame.doubt(~written.all(), f"{op} into positions that no segment writes (of no image)")
    owner = torch.zeros(out.shape[0], dtype=images.dtype, device=images.device).scatter_(0, ids, images)
    new = Track(rows={0: owner}, from_prediction=ts.from_prediction)
    if ts.unweighted is not None:
        new.unweighted = getattr(torch, name)(before.clone(), 0, index, ts.unweighted)
    frame.set(out, new)
    return True


def _before(func: Any, target: Tensor, track: Track | None, args: tuple, kwargs: dict) -> Tensor | None:
    """The unweighted values of an in-place scatter's target before the write (a copy to write
    into), or None where they cannot be had: a target with its own unweighted values keeps them
    apart; otherwise the write is undone (``scatter_`` overwrites, so what it wrote does not matter;
    an add takes its addition back, up to rounding); a ``scatter_reduce_`` cannot be undone."""
    if track is not None and track.unweighted is not None:
        return track.unweighted.clone()
    name = getattr(func, "__name__", "")
    if name == "scatter_":
        return target.detach().clone()
    if name in ("scatter_add_", "index_add_"):
        undo = func(torch.zeros_like(target.detach()), *[a.detach() if isinstance(a, Tensor) else a for a in args[1:]],
                    **{k: v.detach() if isinstance(v, Tensor) else v for k, v in kwargs.items()})
        return target.detach() - undo
    return None


@rule(torch.masked_select, Tensor.masked_select)
def masked_select(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``masked_select(x, mask)``: a 1-d output whose rows are the broadcast row map, masked (one
    row dim at most, from the input or the mask)."""
    src, mask = args[0], get_arg(args, kwargs, 1, "mask", None)
    pair = tracked_pair(frame, src, mask, out)
    if pair is None:
        return
    ts, tm = pair
    op = op_name(func)
    shape = list(torch.broadcast_shapes(src.shape, mask.shape))
    parts = [(t, broadcast_map(x.dim(), len(shape))) for x, t in ((src, ts), (mask, tm)) if t is not None]
    whole = combine(frame, op, parts, shape)
    if whole is None:
        return
    if tm is None and ts is not None and whole.lost_at is None and mask.shape == src.shape \
            and mode.diagonal_picked(frame, src, ts, mask, op, mask.detach(), src.shape[0] if src.dim() else 0):
        return _set_diagonal(frame, func, args, kwargs, out, ts, 0)  # ``sim.masked_select(torch.eye(B, dtype=bool))``
    if whole.lost_at is not None or len(whole.rows) > 1:
        mixed = tm is not None and (tm.lost_at is not None or tm.ratio is not None)
        frame.lose(out, mixed_pick(whole.lost_at or op) if mixed else whole.lost_at or f"{op} of several row dims", whole)
        return
    new = Track(image=whole.image, from_prediction=whole.from_prediction)
    picked = _mask_picks(frame, mask.detach().expand(shape), out.numel(), op)
    if whole.rows:
        ((e, r),) = whole.rows.items()
        every = expand_rows(frame, r, shape, e)
        new.rows = {0: every[picked.to(r.device)]}
        if tm is None and (len(shape) > 1 or r is not frame.identity.get(r.device)):  # ``f.masked_select(pos % 5 == 0)``
            _uneven_picks(frame, every, mask.detach().expand(shape), op, mask)
    if tm is not None and tm.unweighted is not None and tm.unweighted.shape == mask.shape:
        # a test of weighted values (``e.masked_select(e < w * 0.5)``): with the weight 1, a group alone,
        # it picks other positions (found by the pyro merge, session 18)
        frame.doubt((tm.unweighted != mask.detach()).any(), f"{op} at positions picked by a test of values weighted per "
                    "image (on a group alone, weights 1, it picks others)")
    if ts is not None and ts.unweighted is not None:
        new.unweighted = ts.unweighted.expand(shape).reshape(-1)[picked.to(ts.unweighted.device)]
    frame.set(out, new)


_SORTS = {  # function -> (position of dim, its default, position of the tensor)
    Tensor.sort: (1, -1), torch.sort: (1, -1), Tensor.argsort: (1, -1), torch.argsort: (1, -1),
    Tensor.topk: (2, -1), torch.topk: (2, -1), Tensor.msort: (None, 0), torch.msort: (None, 0),
}


@rule(*_SORTS)
def sort(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``sort`` / ``argsort`` / ``topk`` / ``msort`` along a dim that carries no images: values and
    indices (data) keep the rows of the other dims. Along a row dim images mix (top-k across the
    batch), and on weighted values the order may differ from the one with weights set to 1 (a
    weight 0 ties a whole image): declined."""
    src = args[0]
    track = frame.get(src)
    outs = tensors(out) if isinstance(out, tuple) else [out]
    if track is None or not outs or not isinstance(src, Tensor):
        return
    op = op_name(func)
    if track.lost_at is not None or track.ratio is not None:
        frame.lose(out, track.lost_at or op, track)
        return
    pos, default = _SORTS[func]
    dim = default if pos is None else get_arg(args, kwargs, pos, "dim", default)
    d = norm_dim(int(dim), max(src.dim(), 1))
    rows = track.rows.get(d)
    if rows is not None and rows.shape[0] > 1 and not _one_image_along(frame, track, d):
        frame.lose(out, f"{op} along a dim that carries images", track)  # (``_ORDER_LOST``)
        if func in _ORDERS and src.dim() == 1:
            # their sizes are the rows' count (``torch.arange(order.numel())``, ``linspace(.., ids.numel())``: on
            # a group alone the group's), their positions no image's: the sort's order of the images' rows
            for o in outs:
                frame.sized_by[id(o)] = (o, {0: rows[outs[-1]]})
        if func in (Tensor.sort, torch.sort) and src.dim() == 1 and not track.from_prediction and len(outs) == 2:
            # each sorted value is its image's, of the image at its index: known to the rules that pair
            # such values with rows in that order (``pack_padded``); to others they stay lost (a value
            # picked by position is the batch's k-th, on a group alone the group's)
            frame.sorted_rows[id(outs[0])] = (outs[0], version_of(outs[0]), rows[outs[1]])
        return
    values_out = getattr(func, "__name__", "") != "argsort"
    ordered = None
    if track.unweighted is not None and func in (Tensor.topk, torch.topk) and src.dim():
        # values that only remember a factor that was no weight (a mask of ones times a batch of one): the
        # same top-k on weights 1; values a weight changed decline
        frame.doubt((track.unweighted != src.detach()).any(), f"{op} of weighted values (with weights 1 it may "
                    "pick others)")
    elif track.unweighted is not None:
        if func not in _ORDERS or src.dim() == 0:
            frame.lose(out, f"{op} of weighted values", track)
            return
        ordered = _same_order(frame, op, track.unweighted, outs[-1], d, get_arg(args, kwargs, 2, "descending", False))
    frame.positions_mixed(op, src, track, [d])
    if func in (Tensor.topk, torch.topk):  # ``k`` may be computed from values read on the host
        k = get_arg(args, kwargs, 1, "k", None)
        passed = len(args) + len(kwargs)
        frame.sized(op, track, lambda: literal_size(k, 1, "k", passed) or _bytecode.own_size_argument(1, "k", passed, src)
                    or _bytecode.constant_argument(1, "k", passed, frame.read_body_call_once),
                    carried=lambda: carried_size("topk"))
    for i, o in enumerate(outs):
        frame.set(o, Track(rows=dict(track.rows), image=track.image,
                           unweighted=ordered if values_out and i == 0 else None,
                           from_prediction=track.from_prediction and values_out and i == 0))


_ORDERS = {Tensor.sort, torch.sort, Tensor.argsort, torch.argsort}


def _one_image_along(frame: Frame, track: Track, d: int) -> bool:
    """Whether every index along dim ``d`` of a tensor whose only images are along ``d`` is of one
    image, known without a read (a call of one image; a map the host knows, ``Frame.row_images``): a
    sort along it orders that image's values among themselves (Align-DETR's ``view(2, n).t()`` of one
    image's matched rows, ranked by ``argsort(-1)``)."""
    if len(track.rows) != 1:
        return False
    if frame.num_images == 1:
        return True
    known = frame.row_images(track.rows[d])
    return known is not None and len(known) == 1
_ORDER_LOST = elementwise.ORDER_LOST


def _same_order(frame: Frame, op: str, unweighted: Tensor, order: Tensor, dim: int, descending: Any) -> Tensor:
    """A full sort of values that carry weights (one image's values centred on their own mean,
    whose unweighted copy is kept even where no weight entered them): on a group alone the body
    sorts the unweighted values, the same op where they come out ordered by the indices the
    weighted values gave (a deferred check, else the call is declined). The unweighted values
    in that order."""
    ordered = unweighted.gather(dim, order)
    step = ordered.diff(dim=dim)
    frame.doubt((step > 0 if descending else step < 0).any(),
                f"{op} of weighted values that weights set to 1 would order otherwise")
    return ordered


@rule(torch.einsum)
def einsum(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.einsum(equation, *operands)``: a dim keeps its rows when its letter is in the output
    (operands sharing a letter must name the same images); a summed letter that carries images ends
    attribution. Unweighted values are replayed through the same equation."""
    if not isinstance(out, Tensor) or not args or not isinstance(args[0], str):
        return
    operands = list(args[1]) if len(args) == 2 and isinstance(args[1], (list, tuple)) else list(args[1:])
    tracks = [frame.get(x) for x in operands]
    if all(t is None for t in tracks):
        return
    op = op_name(func)
    letters = _einsum_letters(args[0], [x.dim() for x in operands])
    if letters is None:
        frame.lose(out, f"{op} (an equation form not followed)", pred=any(t is not None and t.from_prediction for t in tracks))
        return
    ins, result = letters
    if _summed_per_image(frame, func, args[0], operands, tracks, ins, result, out):
        return
    for x, t, spec in zip(operands, tracks, ins):
        if t is not None and result:
            frame.positions_mixed(op, x, t, [k for k, c in enumerate(spec) if c not in result])
    parts = [(t, {k: (result.index(c) if c in result else None) for k, c in enumerate(spec)})
             for t, spec in zip(tracks, ins)]
    new = combine(frame, op, parts, out.shape)
    if new is None:
        return
    if new.lost_at is None:
        factors = [_einsum_factor(frame, x, spec, tracks, ins, op) if t is None else x
                   for x, t, spec in zip(operands, tracks, ins)]
        if any(t is not None and t.unweighted is not None for t in tracks) or any(
                f is not x for f, x in zip(factors, operands)):
            new.unweighted = func(args[0], *[unweighted_of(f, t) for f, t in zip(factors, tracks)])
    frame.set(out, new)


def _plainly_lost(track: Track | None) -> bool:
    """Attribution ended, with nothing kept beside it (a vector of row sums is lost as its
    ``elements`` are kept: renaming where it was lost would drop them)."""
    return track is not None and track.lost_at is not None and not track.reduced


def _summed_per_image(frame: Frame, func: Any, equation: str, operands: list, tracks: list[Track | None],
                      ins: list[str], result: str, out: Tensor) -> bool:
    """An ``einsum`` that sums a letter carrying images (``"bij,bij->"``, ``"b,b->"`` with the
    weights, the trace ``"bb->"`` of an image-by-image matrix): followed as the same equation with
    those letters kept, then summed (``torch.sum``'s rule): the group's images alone sum their
    own terms, and a letter that pairs two images' rows (``"bi,ci->"``) is left to that sum's
    rule, which declines it. Only where every kept letter names a dim of a tracked operand: an
    untracked operand's own dim in the output (``ones(B, B)`` in ``"ij,j->i"``) could be a count
    of the images, and is left declined. True where followed so."""
    if any(t is not None and (t.lost_at is not None or t.reduced) for t in tracks):
        return False
    carrying = sorted({spec[k] for t, spec in zip(tracks, ins) if t is not None
                       for k, r in t.rows.items() if spec[k] not in result and r.shape[0] > 1})
    tracked_letters = {c for t, spec in zip(tracks, ins) if t is not None for c in spec}
    if not carrying or not set(result) <= tracked_letters or out.is_complex():
        return False
    kept = ",".join(ins) + "->" + "".join(carrying) + result
    partial = func(kept, *[x.detach() for x in operands])
    einsum(frame, func, (kept, *operands), {}, partial)
    if frame.get(partial) is None:
        return False
    elementwise.sum_(frame, torch.sum, (partial, tuple(range(len(carrying)))), {}, out)
    held = frame.get(out)
    if _plainly_lost(held):
        assert held is not None
        frame.lose(out, f"{op_name(func)} summing a letter that carries images ({held.lost_at})",
                   pred=any(t is not None and t.from_prediction for t in tracks))
    return True


def _einsum_factor(frame: Frame, x: Any, spec: str, tracks: list[Track | None], ins: list[str], op: str) -> Any:
    """An untracked operand of ``einsum`` along the image rows of a tracked one (``einsum("bij,b->b",
    e, w)``): with the weight field set to 1, as the same factor of ``e * w`` is (``unweighted_operand``:
    1 where it equals its image's weight, review adv19: the weights were kept)."""
    if not isinstance(x, Tensor) or frame.weights_on(x.device) is None:
        return x
    rows: dict[int, Tensor] = {}
    for k, c in enumerate(spec):
        for t, other in zip(tracks, ins):
            at = other.find(c)
            if t is not None and at >= 0 and at in t.rows:
                rows[k] = t.rows[at]
                break
    return unweighted_operand(frame, x, None, rows, list(x.shape), op, True) if rows else x


def _einsum_letters(equation: str, ndims: list[int]) -> tuple[list[str], str] | None:
    """Each operand's dims as letters, and the output's (``...`` spelled out as upper-case
    letters that the equation does not use); None for a form that is not followed."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(ndims):
        return None
    spare = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in eq]
    widest = 0
    expanded = []
    for spec, nd in zip(ins, ndims):
        if "..." in spec:
            n = nd - (len(spec) - 3)
            if n < 0 or n > len(spare):
                return None
            widest = max(widest, n)
            spec = spec.replace("...", "".join(spare[len(spare) - n :]) if n else "")
        if len(spec) != nd:
            return None
        expanded.append(spec)
    ell = "".join(spare[len(spare) - widest :]) if widest else ""
    if arrow:
        result = rhs.replace("...", ell)
    else:
        counts: dict[str, int] = {}
        for spec in expanded:
            for c in spec:
                counts[c] = counts.get(c, 0) + 1
        result = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    return expanded, result


@rule(torch.nonzero, Tensor.nonzero)
def nonzero(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``mask.nonzero()`` (also ``as_tuple``, ``torch.where(mask)``): the indices are data without
    images; of a mask over one row dim, their number is that mask's row sum, remembered so that
    ``len(pos)`` is a count."""
    src = args[0]
    track = frame.get(src)
    if track is not None and (track.lost_at is not None or track.ratio is not None):
        frame.lose(out, mixed_pick(track.lost_at or op_name(func)), track)  # positions picked by mixed values
        return
    if track is not None and not track.rows and track.image is not None:
        for o in out if isinstance(out, (tuple, list)) else (out,):  # positions in one image's values
            if isinstance(o, Tensor):
                frame.set(o, Track(image=track.image))
        return
    if track is None or len(track.rows) != 1:
        return
    ((d, rows),) = track.rows.items()
    values = (unweighted_of(src, track) != 0).to(torch.float32)
    count = Ratio.of(values, rows, d, RatioKind.SUM)
    for o in out if isinstance(out, (tuple, list)) else (out,):  # ``as_tuple``: each is as long
        if isinstance(o, Tensor):
            frame.counted[id(o)] = (o, count)


def row_buffer_write(frame: Frame, args: tuple) -> None:
    """``ys = torch.full((B, S), -1); for i, t in enumerate(targets): ys[i, :n] = t["tokens"]``
    (ESPnet's decoder targets): one image's data written at an int position of the dim a size of
    image rows made. Row i is image i's when every position is written by its own image: the
    tensor then gets those rows (the images of that dim's indices, checked against the writers'
    on the device); lost until then, and for good where a position is written by another image
    (written in reverse), counted from the end, or the tensor was written otherwise in between.
    Other writes are left to the rules (the value carries no single image's data)."""
    buf, index, value = args[0], args[1], args[2] if len(args) > 2 else None
    filled = frame.image_fills.get(id(buf)) if frame.image_fills else None
    if filled is not None and filled[0] is buf and filled[2]:
        return  # (a tensor of one constant whose rows its images' own writes made theirs: ``per_image_write``)
    tv = frame.get(value) if isinstance(value, Tensor) else None
    if tv is None or tv.rows or tv.image is None or tv.from_prediction or tv.lost_at is not None \
            or tv.ratio is not None or tv.unweighted is not None:
        return
    sized = frame.sized_by.get(id(buf))
    if sized is None or sized[0] is not buf or 0 not in sized[1]:
        return
    parts = index if isinstance(index, tuple) else (index,)
    if id(buf) in frame.positional and frame.positional[id(buf)][0] is buf:
        # ``torch.zeros((B, counts.max(), K))``, ``counts`` of positions filled per image: sized by them, its
        # values no positions; only a dim each image writes a prefix of (``_padded_prefix``) may be so sized,
        # the others written whole by the image's own values (their sizes its own)
        padded = _padded_prefix(frame, buf, parts, value) and frame.padded_widths.get(id(buf), (None,))[0] is buf
        if not padded or any(p != _FULL for k, p in enumerate(parts[1:], 1) if k != frame.padded_widths[id(buf)][1]):
            frame.lose(buf, "Tensor.__setitem__ of one image's values into a tensor made from positions of the batch",
                       pred=False)
            return
        del frame.positional[id(buf)]
    held = frame.image_rows_written.pop(id(buf), None)
    if held is not None and held[0] is not buf:
        held = None
    at, image = parts[0] if parts else None, frame.image_ids.get(id(tv.image))
    version = version_of(buf)
    op = "Tensor.__setitem__"
    fresh = held is None and frame.get(buf) is None
    if (
        version is None or type(at) is not int or not 0 <= at < buf.shape[0] or image != at
        or any(isinstance(p, Tensor) or p is None or p is Ellipsis for p in parts[1:])
        or not (fresh or held is not None and version == held[2] + 1)
    ):
        frame.lose(buf, f"{op} of one image's values into a tensor made with a size of image rows, at a position that "
                   "is not that image's (on a group alone another image's row)", pred=False)
        return
    if not _padded_prefix(frame, buf, parts, value):
        frame.lose(buf, f"{op} {mode.PADDED_WIDTH}", pred=False)
        return
    written = {**(held[1] if held is not None else {}), at: image}
    if len(written) < buf.shape[0]:
        frame.image_rows_written[id(buf)] = (buf, written, version)
        frame.lose(buf, f"{op} of the images' values into a tensor made with a size of image rows, read before every "
                   "row was written by its image", pred=False)
        return
    rows = sized[1][0]
    writers = host_tensor([written[i] for i in range(buf.shape[0])], torch.long, rows.device)
    frame.doubt((writers != rows).any(), f"{op} of the images' values into a tensor made with a size of image rows: a "
                "row written by another image than its index's")
    frame.set(buf, Track(rows={0: rows}))


mode.ROW_BUFFER_RULE.append(row_buffer_write)


@rule(torch._pack_padded_sequence)
def pack_padded(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``_pack_padded_sequence(x, lengths, batch_first)`` (``pack_padded_sequence``): the packed
    data holds, step by step, the steps of the sequences still running, each its sequence's: the
    same op run on the map of the sequences' images gives each packed row's image. ``lengths``
    must be the sequences' own (rows agreeing with ``x``'s); the count of sequences per step
    (``batch_sizes``) is the batch's."""
    x, lengths = get_arg(args, kwargs, 0, "input", None), get_arg(args, kwargs, 1, "lengths", None)
    batch_first = bool(get_arg(args, kwargs, 2, "batch_first", False))
    tx = frame.get(x) if isinstance(x, Tensor) else None
    tl = frame.get(lengths) if isinstance(lengths, Tensor) else None
    if (tx is None and tl is None) or not isinstance(out, tuple) or len(out) != 2:
        return
    op = op_name(func)
    b = 0 if batch_first else 1
    held = frame.sorted_rows.get(id(lengths)) if frame.sorted_rows else None
    if held is not None and held[0] is lengths and held[1] == version_of(lengths) and tl is not None \
            and tl.lost_at in _ORDER_LOST:
        tl = Track(rows={0: held[2]})  # ``torch.sort(lengths)``'s values: each its image's
    if tx is None or tl is None or not _sequence_rows(tx, b) or not _sequence_rows(tl, 0):
        lost = next((t.lost_at for t in (tx, tl) if t is not None and t.lost_at is not None), None)
        frame.lose(out, lost or f"{op} of sequences whose images or lengths are not each sequence's",
                   pred=any(t is not None and t.from_prediction for t in (tx, tl)))
        return
    owners = tx.rows[b]
    frame.agree(tl.rows[0], owners, op)
    steps = x.shape[1 - b]
    grid = owners.view(-1, 1).expand(-1, steps) if batch_first else owners.view(1, -1).expand(steps, -1)
    frame.set(out[0], Track(rows={0: func(grid, lengths, batch_first)[0]}, from_prediction=tx.from_prediction))
    # its size is the batch's longest sequence, on a group alone the group's: a size of mixed picks
    frame.lose(out[1], mixed_pick(f"{op}'s count of sequences per step"), pred=False)


@rule(torch._pad_packed_sequence)
def pad_packed(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``_pad_packed_sequence(data, batch_sizes, batch_first, padding_value, total_length)``
    (``pad_packed_sequence``): each padded sequence is of the image of its packed rows (checked:
    every step of a sequence of one image) and so is its length. Its width is the longest
    sequence's (``total_length`` where given, and longer): on a group alone the group's longest,
    so where a group's longest is shorter than the batch's the call is declined."""
    data, sizes = get_arg(args, kwargs, 0, "data", None), get_arg(args, kwargs, 1, "batch_sizes", None)
    td = frame.get(data) if isinstance(data, Tensor) else None
    if td is None or not isinstance(out, tuple) or len(out) != 2 or not isinstance(sizes, Tensor):
        return
    op = op_name(func)
    batch_first = bool(get_arg(args, kwargs, 2, "batch_first", False))
    total = get_arg(args, kwargs, 4, "total_length", None)
    if not _sequence_rows(td, 0):
        frame.lose(out, td.lost_at or f"{op} of data whose rows are not each of one image", td)
        return
    steps, _ = func(td.rows[0], sizes, True, -1, total)  # [B, T]: each step's image, -1 past the sequence
    owners = steps[:, 0]
    frame.doubt(((steps != owners[:, None]) & (steps >= 0)).any(), f"{op} of steps of other images than their sequence's")
    lengths = out[1]
    if total is None or int(total) == sizes.numel():  # (``pad_packed_sequence`` passes the longest where not given one)
        groups = frame.host_groups()
        if groups is None:
            frame.lose(out, f"{op} whose width, the longest sequence, is the batch's", td)
            return
        of_image = torch.tensor(groups, device=owners.device)
        group = of_image[owners]
        counts = torch.as_tensor(lengths, device=owners.device).to(torch.long)
        longest = torch.zeros(len(groups) + 1, dtype=torch.long, device=owners.device).scatter_reduce(
            0, group, counts, "amax", include_self=True)
        present = torch.zeros(len(groups) + 1, dtype=torch.bool, device=owners.device).index_fill(0, group, True)
        frame.doubt(((longest != steps.shape[1]) & present).any(),
                    f"{op} whose width, the longest sequence of the batch, is not each group's longest")
    frame.set(out[0], Track(rows={0 if batch_first else 1: owners}, from_prediction=td.from_prediction))
    frame.set(lengths, Track(rows={0: owners.to(lengths.device)}))


def _sequence_rows(track: Track, dim: int) -> bool:
    """Whether a tensor of sequences has rows of images along ``dim`` only, as they are (no
    weights, nothing reduced or lost)."""
    return (track.lost_at is None and not track.reduced and track.unweighted is None and track.image is None
            and set(track.rows) == {dim})
