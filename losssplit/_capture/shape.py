"""Shape rules: views and reshapes, dims that move, ``expand``, pieces and joins (cat/stack).

Rows follow the data: a dim that carries images keeps its row map wherever it moves; merged dims
(``[B, T] -> [B*T]``) get the expanded map, and splitting them back restores it.
"""

from __future__ import annotations

import collections
import dataclasses
import math
import sys
from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F

from . import _bytecode, _provenance, mode
from ._bytecode import (
    carried_size,
    closed_argument,
    configured_view_sizes,
    constant_multiple,
    counted_number,
    counted_repeats,
    counted_sizes,
    fill_of_its_size,
    fixed_list_argument,
    fixed_repeats,
    iterated_extreme,
    iterating_builtin,
    level_lists,
    literal_size,
    literal_view_sizes,
    made_of_passed_number,
    per_target_field,
    piece_picked,
    positional_piece,
    repeated_list,
)
from .elementwise import (
    constant_apart,
    doubt_width_of_largest,
    image_value_track,
    label_copy,
    made_from_data,
    note_iterated_extreme,
    note_iterated_truth,
)
from .formulas import batch_counts, leaves, with_site
from .group_scalars import group_index
from .mode import (
    OTHER_IMAGE_WEIGHT,
    Frame,
    RowCount,
    Rows,
    Tensor,
    Track,
    broadcast_map,
    broadcast_tracks,
    combine,
    count_data,
    cpu_values,
    dims_arg,
    expand_rows,
    flat_args,
    get_arg,
    host_tensor,
    identity_map,
    image_counts,
    is_prediction,
    keep_rows,
    lost_track,
    merge_image,
    missing_image,
    norm_dim,
    op_name,
    rule,
    to_device,
    unweighted_of,
)
from .ratio import Ratio, RatioKind, version_of


def _view_groups(s_in: Sequence[int], s_out: Sequence[int]) -> list[tuple[list[int], list[int]]] | None:
    groups: list[tuple[list[int], list[int]]] = []
    i = j = 0
    while i < len(s_in) or j < len(s_out):
        if i < len(s_in) and s_in[i] == 1:
            groups.append(([i], []))
            i += 1
            continue
        if j < len(s_out) and s_out[j] == 1:
            groups.append(([], [j]))
            j += 1
            continue
        if i >= len(s_in) or j >= len(s_out) or s_in[i] == 0 or s_out[j] == 0:
            return None
        gi, gj = [i], [j]
        pi, pj = s_in[i], s_out[j]
        i += 1
        j += 1
        while pi != pj:
            if pi < pj:
                if i >= len(s_in):
                    return None
                gi.append(i)
                pi *= s_in[i]
                i += 1
            else:
                if j >= len(s_out):
                    return None
                gj.append(j)
                pj *= s_out[j]
                j += 1
        groups.append((gi, gj))
    return groups


def _keep_single_rows(groups: list[tuple[list[int], list[int]]], rows: Rows) -> list[tuple[list[int], list[int]]]:
    """With sources per token, a row dim of size 1 that a view drops (``[1, T, V] -> [T, V]``, a
    packed batch of one row) is merged into the next output dim instead, so that the elements
    keep their rows and which token each is (the expanded row map's origin)."""
    out: list[tuple[list[int], list[int]]] = []
    for gi, gj in groups:
        if out and not out[-1][1] and len(out[-1][0]) == 1 and out[-1][0][0] in rows and len(gj) == 1:
            out[-1] = (out[-1][0] + gi, gj)
        else:
            out.append((gi, gj))
    return out


@rule(Tensor.view, Tensor.reshape, torch.reshape, Tensor.flatten, torch.flatten, Tensor.view_as, Tensor.reshape_as)
def view(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``view``/``reshape``/``flatten`` (also to another tensor's shape): rows follow merged and
    split dimensions."""
    spec = _view_sizes(args, kwargs)
    followed = _reshaped_rows(frame, func, args, kwargs, out, spec)
    if followed is None:
        return
    track, rows = followed
    if rows and func in (Tensor.view, Tensor.reshape, torch.reshape) and _literal_image_size(out, rows, spec):
        frame.lose(out, f"{op_name(func)} (a size of image rows written as a literal next to -1: on a group alone the "
                   "view cuts the images elsewhere)", track)
        return
    if rows and len(spec) == out.dim() and any(j not in rows and n != 1 and frame.row_count(n) is not None
                                               for j, n in enumerate(spec)):  # (a size 1 sits on any dim)
        # ``x.reshape(x.shape[1], x.shape[0], -1)`` of a ``[T, B, C]`` with ``T == B``: the same shape,
        # but on a group alone the images' count sizes dim 0 and the values are cut elsewhere
        frame.lose(out, f"{op_name(func)} (a dim without images sized by a count of image rows: on a group alone the "
                   "values are cut elsewhere)", track)
        return
    _set_reshaped(frame, track, out, rows)


@rule(Tensor.unflatten, torch.unflatten)
def unflatten(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``x.unflatten(dim, sizes)`` (also ``nn.Unflatten``): the reshape that splits ``dim`` into
    ``sizes``, rows as ``view``'s. Where ``dim`` carries images, the new dims' sizes must be the
    same on a group's images alone: the images' sized ``-1`` or by a count of image rows
    (``x.shape[0]``) where ``-1`` sizes another (else on a group ``-1`` takes what a number of the
    whole batch leaves), no other by such a count (on any dim)."""
    src = args[0]
    if not isinstance(src, Tensor) or not isinstance(out, Tensor):
        return
    d = norm_dim(int(get_arg(args, kwargs, 1, "dim", 0)), src.dim())
    sizes = list(get_arg(args, kwargs, 2, "sizes", ()))
    followed = _reshaped_rows(frame, func, args, kwargs, out, [None] * d + sizes + [None] * (src.dim() - d - 1))
    if followed is None:
        return
    track, rows = followed
    moved = _sizes_of_another_batch(frame, [d + k in rows for k in range(len(sizes))], sizes)
    if moved is not None:
        frame.lose(out, f"{op_name(func)} ({moved}: on a group alone the values are cut elsewhere)", track)
        return
    _set_reshaped(frame, track, out, rows)


def _sizes_of_another_batch(frame: Frame, images: list[bool], sizes: list[Any]) -> str | None:
    """Why ``sizes`` (``images``: which of them carries image rows) would cut a group's rows
    otherwise than the batch's, or None."""
    for mine, size in zip(images, sizes):
        counted = frame.row_count(size) is not None or frame.counted_number(size, by_value=False)
        if mine and -1 in sizes and size not in (-1, 1) and not counted:
            return "the size of the images' dim a number of the batch next to -1"
        if not mine and counted:
            return "a dim without images sized by a count of image rows"
    return None


def _set_reshaped(frame: Frame, track: Track, out: Tensor, rows: Rows) -> None:
    new = Track(rows=rows, image=track.image, from_prediction=track.from_prediction)
    if track.unweighted is not None:
        new.unweighted = track.unweighted.reshape(out.shape)
    frame.set(out, new)


def _reshaped_rows(
    frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any, spec: list[Any]
) -> tuple[Track, Rows] | None:
    """The track of ``args[0]`` and the row map of ``out``, that tensor reshaped (``spec``: the
    output's sizes as written, where known), or None where the op's output was set or lost here
    (no rows to follow, or a split that moves rows between images)."""
    src = args[0]
    track = frame.get(src)
    if track is None or not isinstance(out, Tensor):
        return None
    op = op_name(func)
    if track.ratio is not None or track.lost_at is not None:
        if (track.elements or track.element_formulas) and out.shape != src.shape:
            # a vector of per-element ratios or expressions, in its order: reshaped (and moved back,
            # ``v.view(2, 2).t().reshape(-1)``) its elements would be read at other positions
            frame.lose(out, track.lost_at or op, track)
        elif out.numel() == 1 or track.lost_at is not None:
            frame.set(out, track)
        else:
            frame.lose(out, op, track)
        return None
    if len(track.rows) > 1 and frame.num_images == 1 and frame.tokens is None:
        # one image in the call: its rows along several dims (packed codes against stacked targets)
        # are all of it, so the view is wholly that image's
        track = dataclasses.replace(track, rows={}, image=frame.image_index(0, src.device))
    rows: Rows = {}
    if track.rows:
        groups = _view_groups(list(src.shape), list(out.shape))
        if groups is None:
            frame.lose(out, op, track)
            return None
        if frame.tokens is not None:
            groups = _keep_single_rows(groups, track.rows)
        for gi, gj in groups:
            tracked = [d for d in gi if d in track.rows]
            if not tracked:
                continue
            if len(gj) == 0:
                rows_1 = track.rows[tracked[0]]
                img = rows_1.reshape(())
                new = Track(image=img, from_prediction=track.from_prediction)
                if len(track.rows) == 1:
                    new.unweighted = None if track.unweighted is None else track.unweighted.reshape(out.shape)
                    frame.set(out, new)
                    return None
                frame.lose(out, op, track)
                return None
            if len(tracked) > 1:
                frame.lose(out, op, track)
                return None
            d = tracked[0]
            r = track.rows[d]
            block = frame.view_block_rows.get(id(r)) if frame.view_block_rows else None
            column = frame.view_column_rows.get(id(r)) if frame.view_column_rows else None
            if len(gi) == 1 and len(gj) == 1:
                rows[gj[0]] = r
            elif (len(gj) == 1 and column is not None and column[0] is r and gi.index(d) == len(gi) - 1
                  and math.prod(src.shape[k] for k in gi[:-1]) == column[2]):
                rows[gj[0]] = column[1]  # columns joined back (round-major ``adv.reshape(-1)``)
            elif (len(gj) == 1 and block is not None and block[0] is r and block[1] is not None and gi.index(d) == 0
                  and math.prod(src.shape[k] for k in gi[1:]) == block[2]):
                rows[gj[0]] = block[1]  # blocks joined back (``g.mean(1, keepdim=True).expand(-1, G).reshape(-1)``)
            elif len(gj) == 1:
                rows[gj[0]] = expand_rows(frame, r, [src.shape[k] for k in gi], gi.index(d))
            else:
                origin = frame.origin.get(id(r))
                sizes = tuple(out.shape[k] for k in gj)
                if len(gi) == 1 and origin is not None and origin[1] == sizes:
                    rows[gj[origin[2]]] = origin[0]
                elif len(gi) == 1 and (crop := _crops_viewed(frame, r, sizes, spec, gj[-1])) is not None:
                    rows[gj[-1]] = crop
                else:
                    blocks = gi.index(d) == 0 and _block_sizes(frame, func, spec, out, gj)
                    columns = not blocks and len(gi) == 1 and _column_sizes(frame, func, spec, out, gj)
                    split = _split_rows(frame, r, [src.shape[k] for k in gi], gi.index(d), list(sizes), op, blocks,
                                        columns)
                    if split is None:
                        frame.lose(out, f"{op} (a dim split into rows of several images)", track)
                        return None
                    rows[gj[split[0]]] = split[1]
    return track, rows


def _view_sizes(args: tuple, kwargs: dict) -> list[Any]:
    """The sizes a ``view`` / ``reshape`` was given, as written (``-1``, ``RowCount`` s)."""
    spec = args[1:] if len(args) > 1 else kwargs.get("shape", kwargs.get("size", ()))
    if len(spec) == 1 and isinstance(spec[0], (tuple, list, torch.Size)):
        spec = spec[0]
    return list(spec)


def _literal_image_size(out: Tensor, rows: Rows, spec: list[Any]) -> bool:
    """Whether a dim of ``out`` that carries images got its size as a literal in the code, or as
    configuration (``self.k``, a module global, a parameter of the body: ``configured_view_sizes``),
    while ``-1`` sizes another (``x.view(4, -1)`` on 4 images): on a group's images alone the
    number stays and ``-1`` takes the rest, so the same view's rows are no longer the group's
    images. A size read from the rows (``x.shape[0]``) or not written as a constant
    (``len(targets)``) is taken as the images'."""
    if len(spec) != out.dim() or not any(type(s) is int and s == -1 for s in spec):
        return False
    dims = [j for j in rows if type(spec[j]) is int and spec[j] > 1]
    if not dims:
        return False
    # configuration (``x.view(self.k, -1)``, a module global) stays on a group alone as a literal
    # does (review adv20: was read as the images' rows)
    for written in (literal_view_sizes(len(spec)), configured_view_sizes(len(spec))):
        if written is not None and any(type(written[j]) is int and written[j] == spec[j] for j in dims):
            return True
    return False


def _crops_viewed(frame: Frame, rows: Tensor, sizes: tuple[int, ...], spec: list[Any], at: int) -> Tensor | None:
    """Joined rows of equal parts viewed as ``[NCROP, B]`` (``student.view(ncrops, -1, K)``): the
    last of ``sizes`` indexes the rows of a part, the others the parts; its map is the part's,
    where every part has the same images in the same order (compared on the device unless one
    map) and that dim's size (``spec[at]`` as written) is ``-1`` or read from rows (``x.shape[0]``),
    so that on a group alone the same view gives the group's parts. None otherwise."""
    parts = _joined_parts(frame, rows)
    first = parts[0]
    if len(parts) < 2 or sizes[-1] != first.shape[0] or math.prod(sizes[:-1]) != len(parts):
        return None
    last = spec[at] if at < len(spec) else None
    counted = frame.row_count(last)
    if not (isinstance(last, int) and (last == -1 or counted is not None)):
        return None
    if any(p.shape != first.shape for p in parts) or (counted is not None and counted.shape != first.shape):
        return None
    for p in [*parts[1:], *([counted] if counted is not None else [])]:
        if p is not first:
            frame.doubt((p.to(first.device) != first).any(), "joined parts viewed as one dim per part hold other images")
    return first


def _block_sizes(frame: Frame, func: Any, spec: list[Any], out: Tensor, gj: list[int]) -> bool:
    """Whether a ``view`` / ``reshape`` of a dim of image rows (with dims inside those rows after
    it) to the output dims ``gj`` cuts the rows into blocks that are the same on a group's images
    alone: the first of ``gj`` (the blocks) sized ``-1`` or by a count of image rows, every other
    an int the code proves a constant (a literal, a module global, ``self.k``, a parameter of the
    body: ``scores.view(-1, K)``), so that each block keeps its size."""
    if func not in (Tensor.view, Tensor.reshape, torch.reshape) or frame.tokens is not None:
        return False
    if len(spec) != out.dim() or len(gj) < 2:
        return False
    first = spec[gj[0]]
    if not (type(first) is int and first == -1 or frame.row_count(first) is not None
            or frame.counted_number(first, by_value=False)):
        return False
    if any(type(spec[j]) is not int or spec[j] < 1 for j in gj[1:]):
        return False
    written = configured_view_sizes(len(spec))
    return written is not None and all(type(written[j]) is int and written[j] == spec[j] for j in gj[1:])


def _column_sizes(frame: Frame, func: Any, spec: list[Any], out: Tensor, gj: list[int]) -> bool:
    """Whether a ``view`` / ``reshape`` of one dim of image rows to the output dims ``gj`` cuts the
    rows into columns that are the same on a group's images alone (round-major completions,
    ``r.view(G, -1)``: prompt ``p``'s at rows ``p, p + P, ...``): the last of ``gj`` sized ``-1``,
    every other an int the code proves a constant. On a group alone its rows, in the batch's order,
    viewed so give exactly the batch's columns that hold them, in order, where each column's images
    are of one group (and weight): checked by ``_blocks_of``."""
    if func not in (Tensor.view, Tensor.reshape, torch.reshape) or frame.tokens is not None:
        return False
    if len(spec) != out.dim() or len(gj) < 2 or not (type(spec[gj[-1]]) is int and spec[gj[-1]] == -1):
        return False
    if any(type(spec[j]) is not int or spec[j] < 1 for j in gj[:-1]):
        return False
    written = configured_view_sizes(len(spec))
    return written is not None and all(type(written[j]) is int and written[j] == spec[j] for j in gj[:-1])


def _blocks_of(frame: Frame, r: Tensor, sizes_in: list[int], pos: int, blocks: int, op: str,
               known: Tensor | None = None, columns: bool = False) -> Tensor | None:
    """The map of the block dim of rows ``r`` (along ``sizes_in[pos]``) viewed as ``blocks``
    blocks of consecutive rows: each block's first image. A block of several images stands for
    them all, so every block must hold images of one group and one weight. Where ``known`` gives
    the rows' images on the host (``r`` is the call's image index) and the groups and weights are
    Python numbers, that is checked now: None where a block mixes them (only what is computed from
    the view loses its images); otherwise on the device, a mix declining the call (the groups with
    the membership, ``Frame.view_blocks``). With ``columns`` the rows are cut into ``blocks``
    columns instead (``_column_sizes``): row ``i`` in column ``i % blocks``."""
    part = "column" if columns else "block"
    flat = expand_rows(frame, r, sizes_in, pos)
    flat = flat.view(-1, blocks).t() if columns else flat.view(blocks, -1)
    groups = frame.host_groups() if known is not None else None
    numbers = frame.weight_numbers()
    if known is not None and groups is not None:
        for row in cpu_values(known.view(-1, blocks).t() if columns else known.view(blocks, -1)):
            if len({groups[b] for b in row}) > 1 or numbers is not None and len({numbers[b] for b in row}) > 1:
                return None
    else:
        frame.view_blocks.append((flat, f"a dim split at {op} holds rows of images of different sources in one {part} "
                                  f"(on a group alone the {part}s are cut elsewhere)"))
    weights = None if numbers is not None and (groups is not None or len(set(numbers)) < 2) else frame.weights_on(r.device)
    if weights is not None:
        w = weights[flat]
        frame.doubt((w != w[:, :1]).any(), f"a dim split at {op} holds rows of images of different weights in one {part}")
    first = flat[:, 0]
    if columns:
        frame.view_column_rows[id(first)] = (first, r, flat.shape[1])
    else:
        frame.view_block_rows[id(first)] = (first, r if len(sizes_in) == 1 else None, flat.shape[1])
    return first


def _split_rows(
    frame: Frame, r: Tensor, sizes_in: list[int], pos: int, sizes_out: list[int], op: str, blocks: bool = False,
    columns: bool = False,
) -> tuple[int, Tensor] | None:
    """Rows of a group of dims ``sizes_in`` (images along ``sizes_in[pos]``, map ``r``) viewed as
    ``sizes_out``: the output dim whose index alone tells the image, and its map.

    Known from the layout when one output dim holds whole source rows (``[M, 4 * bins] ->
    [4 * M, bins]``: each source row becomes 4 consecutive rows); otherwise the first non-trivial
    output dim, with a deferred check that the image is the same along the others (a flat ``[B*T]``
    made by ``cat`` viewed as ``[B, T]``), so that a wrong guess declines the call. Where ``r`` is the call's own image index (every
    image once, in order: known without a read), the check is made now, and a split that mixes
    images is None: only what is computed from it loses its images (RLOO's ``reshape(k, -1)`` of
    per-completion rewards next to per-row metrics). With ``blocks`` (see ``_block_sizes``) a first
    dim whose index may hold several images is a dim of blocks (``_blocks_of``); with ``columns``
    (see ``_column_sizes``) the last dim is one of columns.
    """
    n, inner = sizes_in[pos], 1
    for k in sizes_in[pos + 1 :]:
        inner *= k
    stride = 1
    strides = []
    for k in reversed(sizes_out):
        strides.append(stride)
        stride *= k
    strides.reverse()
    for e, (o, s) in enumerate(zip(sizes_out, strides)):
        if o > 1 and inner % s == 0 and (s * o) % (inner * n) == 0:
            k = inner // s
            outer = (s * o) // (inner * n)
            parts = [(outer, False), (n, True), (k, False)]
            kept = [(size, mine) for size, mine in parts if size > 1 or mine]
            return e, expand_rows(frame, r, [size for size, _ in kept], [mine for _, mine in kept].index(True))
    if columns:
        own = r is frame.identity.get(r.device)
        host = expand_rows(frame, torch.arange(r.shape[0], device="cpu"), sizes_in, pos) if own else None
        first = _blocks_of(frame, r, sizes_in, pos, sizes_out[-1], op, host, columns=True)
        return None if first is None else (len(sizes_out) - 1, first)
    e = next((i for i, o in enumerate(sizes_out) if o > 1), 0)
    index = tuple(slice(None) if i == e else 0 for i in range(len(sizes_out)))
    shape = [1] * len(sizes_out)
    shape[e] = sizes_out[e]
    blocks = blocks and e == 0
    if r is frame.identity.get(r.device):
        known = expand_rows(frame, torch.arange(r.shape[0], device="cpu"), sizes_in, pos).view(sizes_out)
        if cpu_values((known != known[index].view(shape)).any()):  # (made on the host: no sync)
            first = _blocks_of(frame, r, sizes_in, pos, sizes_out[0], op, known) if blocks else None
            return None if first is None else (e, first)
    elif blocks:
        first = _blocks_of(frame, r, sizes_in, pos, sizes_out[0], op)
        return None if first is None else (e, first)
    flat = expand_rows(frame, r, sizes_in, pos).view(sizes_out)
    r_e = flat[index]
    frame.doubt((flat != r_e.view(shape)).any(), f"a dim split at {op} holds rows of several images")
    return e, r_e


def _move_dims(
    frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any, dim_map: dict[int, int | None]
) -> None:
    """Dims move (``dim_map``: input dim -> output dim, None where a size-1 dim goes)."""
    src = args[0]
    track = frame.get(src)
    if track is None or not isinstance(out, Tensor):
        return
    if track.ratio is not None or track.lost_at is not None:
        if (track.elements or track.element_formulas) and any(i != o for i, o in dim_map.items()):
            frame.lose(out, track.lost_at or op_name(func), track)  # the elements' positions move
        else:
            frame.set(out, track)
        return
    new = combine(frame, op_name(func), [(track, dim_map)], out.shape)
    if new is not None:
        if track.unweighted is not None and new.lost_at is None:
            new.unweighted = _IN_PLACE_VIEWS.get(func, func)(track.unweighted, *args[1:], **kwargs)
        frame.set(out, new)


# in-place view ops (``mask.unsqueeze_(1)``): the tensor itself gets the view's dims; the
# unweighted values, maybe another track's too, get the view out of place
_IN_PLACE_VIEWS = {Tensor.unsqueeze_: Tensor.unsqueeze, Tensor.transpose_: Tensor.transpose, Tensor.t_: Tensor.t,
                   Tensor.swapdims_: Tensor.swapdims, Tensor.swapaxes_: Tensor.swapaxes}


def _ndim(args: tuple) -> int:
    return args[0].dim() if isinstance(args[0], Tensor) else 0


@rule(Tensor.transpose, torch.transpose, Tensor.swapaxes, torch.swapaxes, Tensor.swapdims, torch.swapdims,
      Tensor.transpose_, Tensor.swapaxes_, Tensor.swapdims_)
def transpose(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    ndim = _ndim(args)
    d0 = norm_dim(int(get_arg(args, kwargs, 1, "dim0", kwargs.get("axis0", 0))), ndim)
    d1 = norm_dim(int(get_arg(args, kwargs, 2, "dim1", kwargs.get("axis1", 0))), ndim)
    _swap(frame, func, args, kwargs, out, d0, d1)


@rule(Tensor.t, torch.t, Tensor.T.__get__, Tensor.t_)  # type: ignore[attr-defined]
def t(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    _swap(frame, func, args, kwargs, out, 0, max(_ndim(args) - 1, 0))


@rule(Tensor.mT.__get__)  # type: ignore[attr-defined]
def matrix_transpose(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    ndim = _ndim(args)
    _swap(frame, func, args, kwargs, out, ndim - 2, ndim - 1)


def _swap(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any, d0: int, d1: int) -> None:
    dim_map = identity_map(_ndim(args))
    dim_map[d0], dim_map[d1] = d1, d0
    _move_dims(frame, func, args, kwargs, out, dim_map)


@rule(Tensor.permute, torch.permute)
def permute(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    ndim = _ndim(args)
    if len(args) > 2 or (len(args) == 2 and isinstance(args[1], int)):
        order = args[1:]
    else:
        order = get_arg(args, kwargs, 1, "dims", ())
    dim_map: dict[int, int | None] = {norm_dim(int(o), ndim): i for i, o in enumerate(order)}
    _move_dims(frame, func, args, kwargs, out, dim_map)


@rule(Tensor.movedim, torch.movedim, Tensor.moveaxis, torch.moveaxis)
def movedim(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    ndim = _ndim(args)
    srcs = [norm_dim(int(x), ndim) for x in _as_list(get_arg(args, kwargs, 1, "source", 0))]
    dsts = [norm_dim(int(x), ndim) for x in _as_list(get_arg(args, kwargs, 2, "destination", 0))]
    result: list[int | None] = [None] * ndim
    for sd, dd in zip(srcs, dsts):
        result[dd] = sd
    rest = iter(d for d in range(ndim) if d not in srcs)
    dim_map: dict[int, int | None] = {}
    for i in range(ndim):
        at = result[i]
        dim_map[at if at is not None else next(rest)] = i
    _move_dims(frame, func, args, kwargs, out, dim_map)


@rule(Tensor.unsqueeze, torch.unsqueeze, Tensor.unsqueeze_)
def unsqueeze(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    ndim = _ndim(args) - (func is Tensor.unsqueeze_)  # in place: the input already has the new dim
    d = norm_dim(int(get_arg(args, kwargs, 1, "dim", 0)), ndim + 1)
    _move_dims(frame, func, args, kwargs, out, {i: (i if i < d else i + 1) for i in range(ndim)})


@rule(Tensor.squeeze, torch.squeeze)
def squeeze(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    src = args[0]
    ndim = _ndim(args)
    dims = dims_arg(get_arg(args, kwargs, 1, "dim", None), ndim)
    drop = {i for i in range(ndim) if src.shape[i] == 1 and (dims is None or i in dims)}
    dim_map: dict[int, int | None] = {}
    e = 0
    for i in range(ndim):
        if i in drop:
            dim_map[i] = None
        else:
            dim_map[i] = e
            e += 1
    _move_dims(frame, func, args, kwargs, out, dim_map)


def _as_list(x: Any) -> list[Any]:
    return list(x) if isinstance(x, (list, tuple)) else [x]


@rule(Tensor.expand, Tensor.expand_as, Tensor.broadcast_to, torch.broadcast_to)
def expand(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``expand``, ``broadcast_to``: rows follow their dims; one image's reduced value (a
    per-image mean in a loop) expanded is a tensor of that image holding that value. Image rows
    spread along a new or size-1 dim to a count of the images lose their attribution (below)."""
    _expanded(frame, func, args[0], out)
    new = frame.get(out)
    if new is None or new.lost_at is not None or not (new.rows or new.image is not None) or not isinstance(out, Tensor):
        return
    if func is Tensor.expand_as or len(args) < 2 and "size" not in kwargs:
        other = get_arg(args, kwargs, 1, "other", None)
        if isinstance(other, Tensor) and frame.get(other) is None:  # ``l[:, None].expand_as(torch.ones(B, B))``
            try:
                mode.counted_broadcast(frame, other, (args[0],), new.rows, out.shape, op_name(func))
            except mode.Unsupported as exc:
                frame.lose(out, f"{op_name(func)} ({exc})")
        return
    sizes = args[1:] if len(args) > 1 else (kwargs["size"],)
    tupled = len(sizes) == 1 and isinstance(sizes[0], (tuple, list))
    read = tupled and isinstance(sizes[0], torch.Size)  # ``x.shape``: its sizes of image rows are ``RowCount``s
    sizes = tuple(sizes[0]) if tupled else sizes
    if not new.rows and frame.read_image == frame.image_id(new.image):
        # ``box.expand(int(inside.sum()), 4)`` in a loop over the images (AutoAssign, survey 55): one
        # image's value spread to a count read from that image's values only, as on the group alone
        frame.sized(op_name(func), new, carried=lambda: carried_size("expand"))
    if func is Tensor.expand and frame.padded_widths and mode.expanded_to_width(frame, args, out):
        return
    # (``mask.expand(-1, m, -1)`` to ``m = max(len(t["k"]) for t in targets)`` beside no padded buffer: the group's
    # largest count on a group alone, a sum over it ``m`` times the mask: silently wrong before redyolo44)
    if _counted_spread(frame, sizes, tupled, read, 1 if func is torch.broadcast_to and len(args) > 1 else 0, args[0],
                       out, new.rows) or func is Tensor.expand and isinstance(args[0], Tensor) and isinstance(out, Tensor) \
            and frame.per_image_targets is not None and mode.grown_to_largest(frame, args[0], out) is not None:
        frame.lose(out, f"{op_name(func)} of image values along a dim sized by a count of the images: each row has the "
                   "batch's count of entries there, on a group alone the group's")


def _counted_spread(frame: Frame, sizes: Sequence[Any], tupled: bool, read: bool, skip: int, src: Tensor, out: Tensor,
                    rows: Rows) -> bool:
    """Whether ``l[:, None].expand(-1, len(targets))`` (``broadcast_to``) spreads the image values
    of ``src`` along a new or size-1 dim of ``out`` whose size is a count of the images: a size
    of image rows (a ``RowCount``), a number computed from one, or an int equal to a count of the
    images that the code computes from the images, not by reading a size of a tensor
    (``feat.size(2)``, ``tarshape[2]`` of a shape read: a class, channel or embedding count that may
    equal it by value; a dim of image rows reads as a ``RowCount``), nor a constant of the call
    (``_bytecode.constant_argument``: PAA's ``label.expand(topk)``, ``topk`` at its default)."""
    shift = out.dim() - src.dim()
    return _counted_size(frame, sizes, [e for e in range(len(sizes)) if not (
        e in rows or out.shape[e] == 1 or e >= shift and src.shape[e - shift] != 1)], tupled, read, skip, "size")


def _counted_size(frame: Frame, sizes: Sequence[Any], dims: Sequence[int], tupled: bool, read: bool, skip: int,
                  keyword: str, passed: int | None = None) -> bool:
    """Whether a size at one of ``dims`` of the op's ``sizes`` (its arguments after the receiver, or
    the one tuple of them where ``tupled``; ``passed`` arguments in all, the receiver's counted) is a
    count of the images, read as ``_counted_spread`` does."""
    counts = {frame.num_images, *frame.lengths}
    counted: frozenset[int] | None = None
    for e in dims:
        n = sizes[e]
        if frame.row_count(n) is not None or frame.counted_number(n, by_value=False):
            return True
        if read or type(n) is not int or n not in counts:
            continue
        if counted is None:
            counted = counted_sizes(tupled, skip, unread=True)
        if e in counted and (tupled or not _bytecode.constant_argument(
                e + 1, keyword, passed or len(sizes) + 1, frame.read_body_call_once)):  # (``expand(k)``, ``k=4`` at its default)
            return True
    return False


@rule(torch.broadcast_tensors)
def broadcast_tensors(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.broadcast_tensors(a, b)`` (inside ``torch.distributions``): each output is its
    input expanded."""
    if isinstance(out, (tuple, list)) and len(out) == len(args):
        for src, o in zip(args, out):
            _expanded(frame, func, src, o)


def _expanded(frame: Frame, func: Any, src: Any, out: Any) -> None:
    track = frame.get(src)
    if track is None and isinstance(out, Tensor) and isinstance(src, Tensor) and out.dim() and (
            src.dim() < out.dim() or src.shape[0] == 1):  # one row repeated: a block of identical rows
        frame.note_blocks(out, (out.shape[0],))
    if track is None and isinstance(out, Tensor) and frame.weight_filled:
        filled = frame.weight_filled.get(id(src))
        if filled is not None and filled[0] is src and filled[2] is not None:  # ``(v * w).expand_as(l)``
            frame.weight_filled[id(out)] = (out, filled[1], filled[2].expand(out.shape))  # else: see mode
    if track is None or not isinstance(out, Tensor):
        return
    if track.ratio is not None and track.lost_at is None and not track.parts:
        track = image_value_track(frame, track) or track
    new = combine(frame, op_name(func), [(track, broadcast_map(src.dim(), out.dim()))], out.shape)
    if new is not None:
        if track.unweighted is not None and new.lost_at is None:
            new.unweighted = track.unweighted.expand(out.shape)
        frame.set(out, new)


@rule(Tensor.unbind, torch.unbind, Tensor.split, torch.split, Tensor.chunk, torch.chunk)
def split(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``unbind``/``split``/``chunk``: pieces along one dim."""
    src = args[0]
    track = frame.get(src)
    if track is None or not isinstance(out, (tuple, list)):
        return
    op = op_name(func)
    name = getattr(func, "__name__", "")
    ndim = src.dim()
    if name == "unbind":
        d = norm_dim(int(get_arg(args, kwargs, 1, "dim", 0)), ndim)
    else:
        d = norm_dim(int(get_arg(args, kwargs, 2, "dim", 0)), ndim)
    if track.lost_at is not None or track.ratio is not None:
        frame.lose(out, track.lost_at or op, track)
        return
    if d not in track.rows and track.rows and track.image is None and frame.num_images > 1 \
            and frame.per_image_targets is not None and positional_piece(frame.size_sites, frame.per_image_targets):
        frame.doubt(torch.ones((), dtype=torch.bool), f"{op} with its pieces of a dim of every image's rows picked at a "
                    "position in a loop over the images (on a group alone, the group's)")  # ``cols[i]``
    maps: list[Tensor] | None = None
    own = name == "split" and d in track.rows and _per_image_sections(frame, args, kwargs, track.rows[d], out, d, op)
    if name != "unbind" and d in track.rows and not own:
        cut = _piece_maps(frame, name, args, kwargs, track.rows[d], [o.shape[d] for o in out], op)
        if isinstance(cut, str):
            frame.lose(out, cut, track)
            return
        maps = cut
    raws = None
    if track.unweighted is not None:
        raws = func(track.unweighted, *args[1:], **kwargs)
    start = 0
    for i, o in enumerate(out):
        if name == "unbind":
            dim_map = {k: (k if k < d else k - 1) if k != d else None for k in range(ndim)}
            piece = Track(rows={}, image=track.image, from_prediction=track.from_prediction)
            for k, r in track.rows.items():
                if k == d:  # ``for o in pred``: image i, known on the host where the rows are the images in order
                    img = frame.image_index(i, r.device) if r is frame.identity.get(r.device) else r[i]
                    piece.image = merge_image(frame, piece.image, img, op)
                else:
                    e = dim_map[k]
                    assert e is not None
                    piece.rows[e] = r
        else:
            n = o.shape[d]
            piece = Track(
                rows={k: (r[start : start + n] if k == d else r) for k, r in track.rows.items()},
                image=track.image,
                from_prediction=track.from_prediction,
            )
            if own:  # image i's rows, all of them (checked): that image's tensor
                del piece.rows[d]
                piece.image = merge_image(frame, piece.image, frame.image_index(i, src.device), op)
            elif maps is not None:
                piece.rows[d] = maps[i]
            elif d in piece.rows and n != src.shape[d]:  # by position: its size is no count of the images'
                frame.positional_rows[id(piece.rows[d])] = piece.rows[d]
            start += n
        if raws is not None:
            piece.unweighted = raws[i]
        frame.set(o, piece)
    if name == "unbind" and d == 0 and (builtin := iterating_builtin()) is not None:
        note_iterated_truth(frame, src, track, out, builtin)  # ``any(torch.isinf(nll))``
    elif name == "unbind" and d == 0 and (extreme := iterated_extreme()) is not None:
        note_iterated_extreme(frame, src, track, out, extreme)  # ``max(lengths)``
    if name != "unbind" and maps is None and not own and d in track.rows and len(out) > 1 and frame.num_images > 1:
        _pieces_by_position(frame, name, args, kwargs, track.rows[d], out, d, op)


def _pieces_by_position(frame: Frame, name: str, args: tuple, kwargs: dict, rows: Tensor, out: Sequence[Tensor],
                        d: int, op: str) -> None:
    """``x.chunk(k)`` / ``x.split(n)`` of rows that are no ``torch.cat`` join (a plain batch,
    image-major crops ``stack(crops, 1).flatten(0, 1)``): on a group alone the same call cuts the
    group's rows by their positions among the group's, so a piece holds the group's rows of the
    batch's piece only where every row falls in the piece of the same number both ways. One piece
    picked at once (``x.chunk(3)[1]``) is checked on the device (deferred): elsewhere the call
    declines (was the batch's cut on every group: silently wrong). Pieces kept all (``for p in
    x.chunk(k)``) are checked where a returned value holds a piece on its own (``piece_checks``):
    a sum over every piece alike counts each row once, a per-piece mean or weight does not.
    Sections lists are left to the rules that read them."""
    why = f"{op} by position of rows that are no torch.cat join: on a group alone its pieces hold other rows"
    sizes = [o.shape[d] for o in out]
    if name == "chunk":
        k = get_arg(args, kwargs, 1, "chunks", None)
        size = None
    else:
        size = get_arg(args, kwargs, 1, "split_size_or_sections" if "split_size" not in kwargs else "split_size", None)
        k = None
    if type(k) is not int and type(size) is not int or rows.dim() != 1:
        return
    picked = piece_picked()
    held = group_index(frame, rows.device)
    if held is None:
        flag = alike = torch.ones((), dtype=torch.bool)
    else:
        index, slots = held
        group = index[rows.long()]
        # (``F.one_hot`` checks its values' range on the host, a read on the CPU)
        own = (group.reshape(-1, 1) == torch.arange(slots, device=group.device)).long()
        rank = (own.cumsum(0) * own).sum(1) - 1  # each row's position among its group's rows
        if type(size) is int:
            size_alone = torch.full_like(rank, size)
        else:
            size_alone = (own.sum(0)[group] + k - 1) // k  # ``chunk(k)`` of the group's rows alone
        piece = torch.repeat_interleave(torch.arange(len(sizes), device=rows.device),
                                        torch.tensor(sizes, device=rows.device), output_size=sum(sizes))
        alone = rank // size_alone
        flag = (alone != piece).any()
        # each group's rows in order: a piece starts at the same rows on the batch and alone
        order = torch.argsort(group * rows.numel() + torch.arange(rows.numel(), device=rows.device))
        same = group[order][1:] == group[order][:-1]
        alike = (same & ((piece[order].diff() != 0) != (alone[order].diff() != 0))).any()
        # (a group with images but no rows in the cut: alone, its pieces' sum is of none)
        alike = alike | (torch.zeros(frame.num_images, dtype=torch.bool, device=rows.device).index_fill_(0, rows.long(), True)
                         .logical_not().any())
    if picked:
        frame.late_checks.append((flag, why))
        return
    for o in out:
        track = frame.get(o)
        if track is not None and d in track.rows:
            frame.piece_checks[id(track.rows[d])] = (track.rows[d], flag, why, alike, len(out))


def _piece_maps(
    frame: Frame, name: str, args: tuple, kwargs: dict, rows: Tensor, sizes: list[int], op: str
) -> list[Tensor] | str | None:
    """The row maps of the pieces of rows that ``torch.cat`` joined (``torch.cat(crops)
    .chunk(ncrops)``, crop-major): each piece is the whole parts it holds, where on any group
    alone the same call cuts the group's rows between the same parts -- ``chunk`` into pieces of
    the same parts, ``split`` at sizes read from each piece's own parts (``crop.shape[0]``). Any
    other cut of a join is by position (a chunk count or a literal size that happens to fall
    between parts in this batch, parts of other sizes): on a group alone its pieces hold other
    rows, so the message to lose them at. None where no join is cut (the current rows stay: a
    piece of one row is read as ``unbind``'s are)."""
    parts = _joined_parts(frame, rows)
    if len(parts) < 2 or len(sizes) < 2 or all(n == 1 for n in sizes):
        return None
    if _recut_by_position(frame, parts, sizes):
        return None
    pieces: list[tuple[Tensor, ...]] = []
    i = 0
    for n in sizes:
        held: list[Tensor] = []
        while n > 0 and i < len(parts) and parts[i].shape[0] <= n:
            held.append(parts[i])
            n -= parts[i].shape[0]
            i += 1
        if n or not held:
            return f"{op} of joined rows, cutting inside a joined part"
        pieces.append(tuple(held))
    if name == "chunk":  # pieces of the same parts: a group's pieces are its rows of them (also fewer than asked)
        expected: list[tuple[Tensor, ...]] = [pieces[0]] * len(pieces)
    else:
        size = get_arg(args, kwargs, 1, "split_size_or_sections" if "split_size" not in kwargs else "split_size", None)
        counted = [frame.row_count(n) for n in (size if isinstance(size, (list, tuple)) else [size] * len(pieces))]
        if any(r is None for r in counted) or len(counted) != len(pieces):
            return f"{op} of joined rows at a size that is no count of the joined parts' rows"
        expected = [_joined_parts(frame, r) for r in counted if r is not None]
    for want, got in zip(expected, pieces):
        if len(want) != len(got) or any(a.shape != b.shape for a, b in zip(want, got)):
            return f"{op} of joined rows into pieces of other parts"
        for a, b in zip(want, got):
            if a is not b:  # parts made apart (gathered per crop): on the device, the same images (in any order)
                frame.doubt((a.sort().values != b.to(a.device).sort().values).any(),
                            f"pieces of {op} of joined rows hold other images than each other")
    return [p[0] if len(p) == 1 else _join_rows(frame, list(p), p[0].device) for p in pieces]


def _per_image_sections(frame: Frame, args: tuple, kwargs: dict, rows: Tensor, out: Sequence[Tensor], d: int,
                        op: str) -> bool:
    """``prior.split(per_image)`` with ``per_image = [len(j) // 2 for _, j in indices]`` (Align-DETR's
    prior weights): one section per image, each computed from that image's item of a list argument
    of one item per image alone (``_bytecode.per_item_sections``), cutting rows that hold, in order,
    that many rows of each image (checked on the device, deferred). On a group alone the list holds
    the group's images' numbers and the rows are the group's, in order: the same cut. Whether so:
    piece ``i`` is then image ``i``'s tensor (not where a list matches the rows by value only: it
    may be no image's numbers, on a group alone cutting elsewhere)."""
    key = "split_size_or_sections" if "split_size" not in kwargs else "split_size"
    size = get_arg(args, kwargs, 1, key, None)
    n = frame.num_images
    if type(size) is not list or n < 2 or len(size) != n or len(out) != n or rows.dim() != 1 \
            or any(type(k) is not int for k in size):
        return False
    over = _bytecode.per_item_sections(1, key, len(args))
    lists = frame.read_image_lists() if frame.read_image_lists is not None else []
    if over is None or not (over is frame.per_image_targets or any(over is items for items in lists)):
        return False
    blocks = torch.repeat_interleave(frame.arange(rows.device), torch.tensor([o.shape[d] for o in out], device=rows.device),
                                     output_size=rows.numel())
    frame.doubt((rows.long() != blocks).any(), f"{op} at sections of each image's own numbers, of rows that are not "
                "that many of each image's, in image order")
    return True


def _recut_by_position(frame: Frame, parts: tuple[Tensor, ...], sizes: list[int]) -> bool:
    """Whether the cut falls at the join's own boundaries, the parts being every piece, in order,
    that one map was cut into by position (``torch.cat([bn(p) for p in x.chunk(k)]).chunk(k)``, a
    ghost batch norm applied twice): the join is that map again, and its cut one by position."""
    if len(parts) != len(sizes) or any(p.shape[0] != n for p, n in zip(parts, sizes)):
        return False
    if any(frame.positional_rows.get(id(p)) is not p for p in parts):
        return False
    base = parts[0]._base
    if base is None or base.dim() != 1:
        return False
    offset = base.storage_offset()
    for p in parts:  # consecutive slices ``r[start:start + n]`` of one whole map
        if p._base is not base or p.storage_offset() != offset or p.stride() != (1,):
            return False
        offset += p.shape[0]
    return offset == base.storage_offset() + base.numel()


# ops a function's body names, bound once: a library may rebind torch's names later
_TENSOR, _SCALAR_TENSOR, _AS_TENSOR, _LINALG_CROSS = torch.tensor, torch.scalar_tensor, torch.as_tensor, torch.linalg.cross


@rule(torch.full, Tensor.new_full, torch.tensor, torch.scalar_tensor, torch.as_tensor, Tensor.new_tensor)
def full(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.full((D,), t["loss_weight"])``, ``torch.tensor(t["loss_weight"])``: filled with one
    image's own weight object, a tensor of that image's weight (its values count 1 where it
    multiplies that image's losses, and stacked in image order it is the per-image weight, with
    its rows)."""
    if func in (_TENSOR, _SCALAR_TENSOR, _AS_TENSOR):
        fill = get_arg(args, kwargs, 0, "s" if func is _SCALAR_TENSOR else "data", None)
    elif func is Tensor.new_tensor:
        fill = get_arg(args, kwargs, 1, "data", None)
    else:
        fill = get_arg(args, kwargs, 2 if func is Tensor.new_full else 1, "fill_value", None)
        size = get_arg(args, kwargs, 1 if func is Tensor.new_full else 0, "size", None)
        if isinstance(size, (tuple, list, torch.Size)) and size and frame.get(out) is None:
            mode.late_module("indexing").note_image_fill(frame, out, size[0], fill, tupled=True)  # (it imports this module)
            mode.late_module("indexing").note_fresh_fill(frame, out, fill, True)
    if isinstance(fill, Tensor) and func in (_TENSOR, _AS_TENSOR, Tensor.new_tensor):
        made_from_data(frame, fill, out)
        return
    if count_data(frame, func, args, kwargs) is not None:
        _count_tensor(frame, func, fill, out)
        return
    if type(fill) is list and _per_target_rows(frame, fill, out):
        return
    noted = frame.positional.get(id(out))
    if type(fill) in (list, tuple) and (noted is None or noted[0] is not out) and _fields_out_of_order(frame, fill, out):
        frame.positional[id(out)] = (out, f"{op_name(func)} of the images' field values out of their order (sorted, "
                                     "reversed) or of a field the body wrote")
        return
    if type(fill) in (int, float) and fill == 0:  # ``torch.tensor(0.)``, ``x.new_tensor(0)``: a total's start
        frame.note_zeros(out)
    if (type(fill) is list and len(fill) > 1 and (len(fill) in frame.lengths or len(fill) == frame.num_images)
            and isinstance(out, Tensor) and repeated_list()):  # ``torch.tensor([1.0 / n] * n)`` (review13: was
        # a constant per row): on a group alone its length, and the number, are the group's
        frame.lose(out, f"{op_name(func)} of a number the body computed repeated as many times as there are image "
                   "rows (on a group alone, another length and maybe another number)", pred=False)
    if (type(fill) in (list, tuple) and func in (_TENSOR, _AS_TENSOR) and isinstance(out, Tensor) and out.dim() == 1
            and out.is_floating_point() and out.device.type == "cpu" and frame.get(out) is None
            and frame.constant_list(fill, func, args, kwargs)):  # catalyst's ``torch.tensor(weights)``
        frame.constant_vectors[id(out)] = (out, version_of(out), tuple(cpu_values(out)))
    frame.note_filled(out, fill)
    one = fill[0] if type(fill) in (list, tuple) and len(fill) == 1 else fill  # NeRF's ``torch.tensor([10.0])``
    if type(one) in (int, float) and one and id(out) in frame.filled_numbers and (literal_size(
            fill, 1 if func is Tensor.new_tensor else 0, "data", len(args)) or func in (_TENSOR, _AS_TENSOR, Tensor.new_tensor)
            and closed_argument(1 if func is Tensor.new_tensor else 0, "data", len(args)) or frame.constant_number(one)):
        # ``torch.tensor(36)``, ``torch.tensor([6])`` (red48: clamped, read as 6 instances), of ``[1] * 3``'s length,
        # of a global no code assigns: no count, whatever it equals
        frame.literal_filled.add(id(out))
    if type(one) in (int, float) and id(out) in frame.filled_numbers and id(out) not in frame.literal_filled and (
            frame.counted_number(one) or counted_number(zero=False)):  # ``torch.tensor(float(len(t)))``
        frame.counted_filled.add(id(out))
    if (type(one) is float and isinstance(out, Tensor) and out.numel() == 1 and out.is_floating_point()
            and frame.get(out) is None and (id(out) in frame.literal_filled or frame.body_constant(one)
                                            and not counted_number(zero=False)
                                            and not made_of_passed_number(frame.read_body_call_once))):
        # ``torch.tensor(1.0)``, torchmetrics' ``tensor(float(data_range))``: a constant an expression
        # of ratios may take (``formulas.constant_result``); not ``torch.tensor(len(targets) * 0.5)``
        frame.constant_tensors[id(out)] = (out, version_of(out), ("c", one))
    held = frame.int_number(out)
    if held and func in (_TENSOR, _AS_TENSOR):  # ``torch.as_tensor([n])`` after ``n = n * groups``
        k = constant_multiple(frame.fixed_lists)
        if k is not None and k != 1 and held % k == 0:
            frame.int_factors[id(out)] = (out, k)
    if type(fill) in (list, tuple) and len(fill) == frame.num_images:  # ``torch.tensor([t["w"] for t in ts])``:
        for b, v in enumerate(fill):  # a weight object also another field's may be either (``weight_images``)
            if type(v) is float and b in frame.weight_owners(v):
                frame.weight_images(v)
    images = frame.weight_images(fill)
    if images and isinstance(out, Tensor):
        frame.weight_filled[id(out)] = (out, images, None)
    elif (func in (torch.full, Tensor.new_full) and type(fill) is float and isinstance(out, Tensor) and out.numel() > 1
          and not frame.weight_owners(fill)):
        frame.number_filled[id(out)] = (out, version_of(out), out.numel() != frame.num_images and fill_of_its_size())


def _per_target_rows(frame: Frame, fill: list, out: Any) -> bool:
    """``torch.tensor([t["label"] for t in targets])``: one row per image, in order, each the
    number its target's field held when the call began (not the weight field, nor a weight's
    object), so on a group alone the body makes the group's rows of it. Tagged as data with the
    images' rows, as a tensor of those rows passed in is. Whether it was; a list filtered, sorted
    or read otherwise (``_bytecode.per_target_field``) is not."""
    given = frame.given_targets
    if not (isinstance(out, Tensor) and out.dim() == 1 and len(fill) == len(given) == frame.num_images == out.shape[0]
            and frame.get(out) is None):
        return False
    key = per_target_field(frame.per_image_targets)
    if key is None or key == frame.weight_field:
        return False
    weights = frame.weight_objects()
    for v, d in zip(fill, given):
        if d is None or type(v) not in (int, float, bool) or key not in d or d[key] is not v or id(v) in weights:
            return False
    frame.set(out, Track(rows={0: frame.arange(out.device)}))
    return True


def _fields_out_of_order(frame: Frame, fill: list | tuple, out: Any) -> bool:
    """Whether ``fill``, one Python number per image made into a vector no rule tagged with rows
    (``_per_target_rows``), holds a field of the targets other than in image order: not that
    field's values in order, but a permutation of them (``sorted(t["cls"] for t in targets)``,
    reversed), or in order the values of a field the body wrote during the call (from a position:
    ``t["later"] = (t["cls"] + i) % C``). Taken as a constant per row, each row would keep the
    batch's value where the body on a group alone makes the group's own. A list equal in order
    to a field as given (built in a local, flattened, filtered keeping all) stays a constant."""
    given, targets = [d for d in frame.given_targets if type(d) is dict], frame.per_image_targets
    n = frame.num_images
    if not (isinstance(out, Tensor) and out.dim() == 1 and n > 1 and len(fill) == n == out.shape[0] == len(given)
            and frame.get(out) is None and all(type(v) in (int, float) and v == v for v in fill)
            and any(v != fill[0] for v in fill) and targets is not None and len(targets) == n and all(type(t) is dict for t in targets)):
        return False
    values = list(fill)
    hit = False
    for key in set(given[0]).intersection(*given[1:]):
        was = [d[key] for d in given]
        if not all(type(v) in (int, float) and v == v for v in was):
            continue
        now = [t.get(key) for t in targets]
        if values == was and now == was:
            return False
        hit = hit or values != was and sorted(values) == sorted(was) or values == now != was
    return hit


# the largest count each dtype holds exactly (the count of a group alone is no larger)
_EXACT_COUNTS = {torch.int64: 2**63 - 1, torch.int32: 2**31 - 1, torch.float64: 2**53, torch.float32: 2**24}


def _count_tensor(frame: Frame, func: Any, data: Any, out: Any) -> None:
    """``torch.tensor(target.numel())`` (torchmetrics' PSNR), ``torch.tensor(x.shape[0])``: one
    number, the size ``data`` of the indices with the images ``rows``. On a group alone the body
    makes it of the group's count, the sum of ones over the group's rows: followed as that row sum
    (as ``mask.sum()`` of an all-true mask over those rows is), where its dtype holds the count
    exactly. ``torch.tensor(target.size())``: lost, but its elements that are no count of image
    rows may be picked (``frame.size_tensors``, ``indexing.getitem``)."""
    if not isinstance(out, Tensor):
        return
    if type(data) is not RowCount:
        counts = frozenset(i for i, n in enumerate(data) if frame.row_count(n) is not None)
        frame.lose(out, f"{op_name(func)} of a size of image rows among other sizes, used otherwise than by picking "
                   "those others (on a group alone it holds the group's count)", pred=False)
        if out.dim() == 1 and out.shape[0] == len(data):
            frame.size_tensors[id(out)] = (out, version_of(out), counts)
        return
    rows = frame.row_count(data)
    if rows is None or out.numel() != 1 or data > _EXACT_COUNTS.get(out.dtype, -1):
        frame.lose(out, f"{op_name(func)} of a size of image rows as a value in {getattr(out, 'dtype', None)} "
                   "(on a group alone it is the group's count)", pred=False)
        return
    ones = torch.ones(rows.numel(), device=rows.device)
    frame.set(out, Track(ratio=Ratio.of(ones, rows.reshape(-1), 0, RatioKind.SUM)))


def _joined_blocks(frame: Frame, seq: Sequence[Any], out: Tensor) -> None:
    """``torch.cat([zeros(n, 2), c.expand(m, 2)])``: the parts' blocks of identical rows, in order
    (a part of one row is one such block)."""
    blocks: list[int] = []
    for x in seq:
        held = frame.blocks_of(x) or ((1,) if isinstance(x, Tensor) and x.dim() and x.shape[0] == 1 else None)
        if held is None:
            return
        blocks.extend(held)
    frame.note_blocks(out, tuple(blocks))


def _stacked_weights(frame: Frame, seq: Sequence[Any], dim: Any, out: Tensor) -> None:
    """``torch.stack([torch.full(.., t["loss_weight"]) for t in targets])``: image b's weight
    object at position b of the stacked dim, for every image: the per-image weight ``[B, ...]``
    (or ``[..., B, ...]``). Another image's weight at a position (``reversed(targets)``) declines
    the call unless it is 1."""
    if not isinstance(dim, int) or len(seq) != frame.num_images:
        return
    unweighted = []
    ordered = True
    for b, x in enumerate(seq):
        filled = frame.weight_filled.get(id(x))
        if filled is None or filled[0] is not x:
            return
        ones = filled[2] if filled[2] is not None else torch.ones_like(x)
        if b not in filled[1]:
            frame.doubt((x != ones).any(), f"{OTHER_IMAGE_WEIGHT} (stacked out of image order)")
            ordered = False
        unweighted.append(ones)
    if ordered:
        d = norm_dim(dim, out.dim())
        values = torch.stack(unweighted, d).to(out.dtype)
        frame.set(out, Track(rows={d: frame.arange(out.device)}, unweighted=values))


def _each_image_once(frame: Frame, rows: Tensor, op: str) -> None:
    """Defer the check that per-image values stacked from a Python list hold no image twice nor
    miss an image whose targets have instances (images without any may be skipped by their own
    emptiness): a list built by position (``range(len(targets) - 1)``, ``parts + [parts[0]]``)
    holds other images on a group alone."""
    counts, missing = image_counts(frame, rows)
    bad = (counts > 1).any() if missing is None else (counts > 1).any() | missing
    instances = _looped_instances(frame)
    if instances is not None:  # or each image once per instance
        bad = bad & (counts.reshape(-1) != host_tensor(instances, counts.dtype, counts.device)).any()
    frame.doubt(bad, f"per-image values stacked at {op} are not each image once (a list that skips or repeats "
                "images by position)")


def _is_weight_filled(frame: Frame, x: Any) -> bool:
    filled = frame.weight_filled.get(id(x))
    return filled is not None and filled[0] is x


@rule(torch.cat, torch.concat, torch.concatenate, torch.stack)
def cat(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``cat``/``stack``: rows of the joined dim are the inputs' rows (or images) in order."""
    seq = get_arg(args, kwargs, 0, "tensors", ())
    if not isinstance(out, Tensor) or not isinstance(seq, (list, tuple)) or not seq:
        return
    if frame.value_counts:
        frame.joined_values(seq, out)
    tracks = list(map(frame.get, seq))
    stack = getattr(func, "__name__", "") == "stack"
    for t in tracks:  # (a loop: no generator per join)
        if t is not None:
            break
    else:
        if stack and frame.weight_filled:
            _stacked_weights(frame, seq, get_arg(args, kwargs, 1, "dim", 0), out)
        elif not stack and frame.row_blocks and get_arg(args, kwargs, 1, "dim", 0) == 0:
            _joined_blocks(frame, seq, out)
        return
    op = op_name(func)
    if len(seq) == frame.num_images > 1 and seq[0] is seq[-1] and counted_repeats():
        frame.lose(out, f"{op} of a list repeated by the number of images (``[x] * len(targets)``: on a group alone, "
                   "as many copies as the group's images)")
        return
    filled = False
    if frame.weight_filled:
        for x, t in zip(seq, tracks):  # (a loop: no generator per join)
            if t is None and _is_weight_filled(frame, x):
                filled = True
                break
    if filled:
        # the weight field joined to values as data (``stack([d_b, full((3,), t[b]["w"])])``): 1 on
        # a group alone, which the joined values' unweighted copy does not know
        frame.lose(out, f"{op} of values with a tensor filled with an image's weight field",
                   pred=any(t is not None and t.from_prediction for t in tracks))
        return
    ndim = out.dim()
    d = norm_dim(int(get_arg(args, kwargs, 1, "dim", 0)), ndim)
    if d == 0 and all(map(frame.arguments.__contains__, map(id, seq))):
        frame.argument_joins[id(out)] = out
    per_image = [t.ratio for t in tracks if t is not None and t.ratio is not None
                 and (t.ratio.rows.numel() == 1 or t.ratio.host_image is not None) and not t.ratio.counts_rows()
                 and t.ratio.own_normaliser()] if stack and out.dim() == 1 else None  # (read only there)
    if per_image is not None and len(per_image) == len(tracks):
        # ``torch.stack([loss of image b, ...])``: one row per image, valued with weights set to 1
        if constant_apart(frame, [t for t in tracks if t is not None]) is not None:
            frame.lose(out, f"{op} of one image's value beside other images' after a constant applied to it alone, "
                       "outside any loop over the images (``torch.stack([per[0] * 2, *per[1:]])``): on a group "
                       "alone another image has that position")
            return
        values = torch.stack([r.image_value().to(out.device, out.dtype) for r in per_image])
        b = per_image[0].host_image
        if b is not None and all(r.host_image == b for r in per_image) and (
                len(per_image) > 1 or _bytecode.every_image_looped(frame.num_images)):
            # several values of one image, or one made in a loop over the images (``torch.stack([.. for k in
            # ids])`` of the image's instances, one of them): that image's tensor
            frame.set(out, Track(image=frame.image_index(b, out.device), unweighted=values, from_prediction=True))
            return
        rows = torch.cat([(r.rows if r.host_image is None else frame.image_index(r.host_image, out.device))
                          .reshape(1).to(out.device) for r in per_image])
        _each_image_once(frame, rows, op)
        frame.set(out, Track(rows={0: rows}, unweighted=values, from_prediction=True))
        return
    if stack and out.dim() == 1 and len(seq) > 1 and all(x.dim() == 0 for x in seq):
        stacked = _stacked_values(frame, seq, tracks, op)
        if stacked is not None:
            frame.set(out, stacked)
            return
    if not stack and out.dim() == 1 and all(x.dim() == 1 for x in seq):
        vector = _joined_values(frame, seq, tracks, op)
        if vector is not None:
            frame.set(out, vector)
            return
    pred = whole_images = False
    for x, t in zip(seq, tracks):  # (a loop: no generators per join)
        if t is not None and (t.lost_at is not None or t.ratio is not None):
            lost = next((t.lost_at for t in tracks if t is not None and t.lost_at), op)
            frame.lose(out, lost, pred=any(t is not None and t.from_prediction for t in tracks))
            return
        pred = pred or is_prediction(x, t)
    for t in tracks:
        if t is None or t.rows or t.image is None:
            break
    else:
        whole_images = True
    gathered = len(seq) > 1 and (stack and all(x.dim() == 0 for x in seq) or whole_images)
    image = _one_image(frame, tracks) if gathered else None
    if image is not None:  # one image's values gathered one by one (``tags[j]`` per joint), or its
        # tensors joined (box deltas stacked per coordinate): that image's tensor
        one = Track(image=image, from_prediction=pred)
        if any(t.unweighted is not None for t in tracks if t is not None):
            one.unweighted = func([unweighted_of(x, t) for x, t in zip(seq, tracks)], *args[1:], **kwargs)
        frame.set(out, one)
        return
    pieces: list[Tensor | tuple[int, int]] | None = []
    other_parts = []
    whole: list[Tensor] = []  # images of the inputs that are one image's tensor
    carried = False  # an input's joined dim carries images
    for x, t in zip(seq, tracks):
        n = 1 if stack else x.shape[d] if x.dim() > d else 0  # a legacy empty 1-D input (T5's cache): skipped
        if n == 0 and not stack:
            continue
        if t is None:
            pieces = None
            continue
        if not stack and d in t.rows:
            carried = True
            if pieces is not None:
                pieces.append(t.rows[d])
            if len(t.rows) == 1:  # nothing but the joined dim's rows
                continue
        elif t.image is not None and not (set(t.rows) - ({d} if not stack else set())):
            whole.append(t.image)
            if pieces is not None:
                known = frame.image_ids.get(id(t.image))
                pieces.append((known, n) if known is not None else t.image.reshape(1).expand(n))
            if t.rows:
                other_parts.append((Track(rows=t.rows, from_prediction=t.from_prediction), _join_map(x, d, stack)))
            continue
        else:
            pieces = None
        rest = Track(rows={k: r for k, r in t.rows.items() if stack or k != d}, from_prediction=t.from_prediction)
        other_parts.append((rest, _join_map(x, d, stack)))
    if pieces is None and carried:
        # ``cat([l_pos, q @ k.T], 1)``: entries of the images (the batch's columns) joined to entries
        # that are none's; a reduction over that dim then mixes images (survey 27: was kept as rows)
        frame.lose(out, f"{op} along a dim whose entries are images in one input and not in another", pred=pred)
        return
    if pieces is not None and len(whole) > 1:
        _images_by_position(frame, whole, op)
    if pieces is None and whole:
        # the joined dim carries no row map (a constant joined, ``cat([x_b, zeros], 1)``): each
        # input that is one image's tensor leaves its image on the whole output
        whole_ids = {frame.image_ids.get(id(img)) for img in whole}
        if len(whole_ids) > 1 and None not in whole_ids:
            frame.lose(out, f"{op} of tensors of different images", pred=pred)
            return
        other_parts += [(Track(image=img, from_prediction=pred), {}) for img in whole]
    new = combine(frame, op, other_parts, out.shape) if other_parts else Track(from_prediction=pred)
    if new is None:
        new = Track(from_prediction=pred)
    if new.lost_at is None:
        new.from_prediction = pred
        if pieces is not None and pieces:
            joined = _join_rows(frame, pieces, out.device)
            if joined.shape[0] == out.shape[d]:
                new.rows = dict(new.rows)
                new.rows[d] = joined
        elif pieces is not None and not stack and out.shape[d] == 0:  # only empty pieces: no rows
            new.rows = {**new.rows, d: torch.empty(0, dtype=torch.long, device=out.device)}
        for t in tracks:  # (a loop: no generator per join)
            if t is not None and t.unweighted is not None:
                break
        else:
            t = None
        if t is not None:
            vals = [unweighted_of(x, t) for x, t in zip(seq, tracks)]
            new.unweighted = func(vals, *args[1:], **kwargs)
        if not new.rows and new.image is None and new.from_prediction:
            new = lost_track(f"{op} of tensors without images")
        elif d not in new.rows:
            frame.positions_moved(op, out.shape[d])
    frame.set(out, new)


def _stacked_values(frame: Frame, seq: Sequence[Tensor], tracks: list[Track | None], op: str) -> Track | None:
    """``torch.stack(losses)`` of reduced values of the whole batch (one per head, scale, column
    or metric, each reduced over several images): where the code fixes the list's length
    (``_bytecode.fixed_list_argument``), on a group alone the body builds as many, each the
    group's value, so the vector is one expression per element (its mean or sum then one
    expression). Any other list may hold one entry per image or per class present, as many on
    a group alone as the group has: declined. None where an element is no expression of ratios
    (the caller then declines as before) or is one image's value."""
    found = []
    for t in tracks:
        leaf = _batch_value(t)
        if leaf is None:
            return None
        found.append(leaf)
    counts = batch_counts(frame)
    # lists of columns made in the call, as long as an argument's per-level list, where no count of the
    # images could have sized them (no size of image rows, no length read, no per-image target list)
    columns = {len(entry[0]) for entry in frame.fixed_lists.values() if entry[2]}
    unsized = not frame.size_sites and not frame.lengths and frame.per_image_targets is None
    for held in level_lists(lambda v: _of_every_image(frame, v), counts, columns) if columns and unsized else ():
        frame.fixed_lists.setdefault(id(held), (held, tuple(held), True))
    if not fixed_list_argument(seq, counts, frame.fixed_lists):
        return lost_track(f"{op} of reduced values of several images in a list whose length the code does not fix "
                          "(a loop over the targets or a helper's list: on a group alone, maybe as many as the group's)")
    return _element_formulas(frame, tracks, found, op)


def _batch_value(t: Track | None) -> tuple[Any, tuple[Ratio, ...]] | None:
    """``t`` as an expression of ratios each over several images (a loss of the whole batch), or None."""
    leaf = leaves(t) if t is not None and t.from_prediction else None
    if leaf is None or any(r.rows.numel() == 1 or r.host_image is not None for r in leaf[1]):
        return None
    return leaf


def _element_formulas(frame: Frame, tracks: list[Track | None], found: list[Any], op: str) -> Track | None:
    """The vector of the expressions ``found`` joined at ``op`` (None where ``with_site`` refuses the op)."""
    sites = with_site(frame, frozenset().union(*(t.sites for t in tracks if t is not None)))
    if sites is None:
        return None
    return Track(from_prediction=True, lost_at=op, element_formulas=tuple(found), sites=sites)


def _joined_values(frame: Frame, seq: Sequence[Tensor], tracks: list[Track | None], op: str) -> Track | None:
    """``torch.cat`` of reduced values of the whole batch shaped ``[1]`` (``l.reshape(1)``, einops'
    ``'... -> ... 1'``), of vectors of them and of empty tensors: one expression per element, as
    ``_stacked_values`` makes. The elements' count is the code's where the joined sequence is a
    display or a list of a length it fixes, and, where a vector of them is joined again (a loss
    appended per quantizer, ``all_losses = cat((all_losses, loss[None]))`` from ``torch.empty(0)``),
    where the join runs as many times on a group alone (``fixed_repeats``: a loop over the
    quantizers, not over the targets). None where an element is no expression of ratios or one
    image's value (the caller declines as before)."""
    found: list[Any] = []
    grown = False
    for x, t in zip(seq, tracks):
        if t is None:
            if x.numel():
                return None
        elif t.element_formulas and not t.elements and x.shape[0] == len(t.element_formulas):
            found.extend(t.element_formulas)
            grown = True
        else:
            leaf = _batch_value(t) if x.shape[0] == 1 else None
            if leaf is None:
                return None
            found.append(leaf)
    if not found:
        return None
    counts = batch_counts(frame)
    vector = None
    if fixed_list_argument(seq, counts, frame.fixed_lists) and (not grown or fixed_repeats(counts, lists=frame.fixed_lists)):
        vector = _element_formulas(frame, tracks, found, op)  # (None where the join carries a loop's value on)
    return vector if vector is not None else lost_track(
        f"{op} of reduced values of several images a number of times the code does not fix (a list or a loop over "
        "the targets, a loop past a test of a local: on a group alone, maybe as many as the group's)")


def _of_every_image(frame: Frame, v: Any) -> bool:
    """Whether ``v`` is a tensor the capture follows with a row of every image along a dim."""
    track = frame.get(v) if isinstance(v, Tensor) else None
    return track is not None and track.lost_at is None and any(r.numel() == frame.num_images for r in track.rows.values())


def _images_by_position(frame: Frame, whole: list[Tensor], op: str) -> None:
    """``torch.cat([e[0], e[1, :1]])``: values of several images joined, each picked whole by its
    position. From a loop over the images (``[e[b] for b in range(len(targets))]``) every image
    is there as often as the others (one whose targets have no instances may be skipped); picked
    by literal positions, on a group alone they are other images (wrong4: was each picked image's
    own values). Declined otherwise (a deferred check)."""
    known = [frame.image_ids.get(id(img)) for img in whole]
    ids = [b for b in known if b is not None]
    if len(ids) < len(known) or len(set(ids)) < 2:
        return
    times = collections.Counter(ids)
    if len(set(times.values())) > 1 and not _once_per_instance(frame, times):
        frame.doubt(torch.ones((), dtype=torch.bool), f"{op} of images picked by position, some more often than others")
        return
    missing = missing_image(frame, times)
    if missing is None and len(times) < frame.num_images or missing:
        frame.doubt(torch.ones((), dtype=torch.bool), f"{op} of images picked by position that leave out an image with instances (on a "
                    "group alone those positions are other images)")


def _looped_instances(frame: Frame) -> list[int] | None:
    """Each image's target instances, where values joined as often as these come from a loop over
    each image's instances (AutoAssign's per-object terms stacked, survey 55): every pick was made
    inside a loop (none by a literal position, ``picked_by_position``), so on a group alone the
    loop visits the group's images as many times. None where not known or an image was picked so."""
    instances = frame.instances()
    if frame.picked_by_position or not isinstance(instances, list) or len(instances) != frame.num_images:
        return None
    return instances


def _once_per_instance(frame: Frame, times: collections.Counter) -> bool:
    """Whether images picked by position (``times`` each) are each picked once per instance."""
    instances = _looped_instances(frame)
    return instances is not None and all(times.get(b, 0) == n for b, n in enumerate(instances))


def _one_image(frame: Frame, tracks: list[Track | None]) -> Tensor | None:
    """The image every stacked input belongs to as a whole (no rows), when it is one and known:
    the same 0-dim tensor, the same image known on the host, or any image of a batch of one
    (MS-SSIM's levels of one image stacked, ``torch.stack(mcs + [ssim], 0)``: not one row per
    image); else None."""
    images: list[Tensor] = []
    same = True
    for t in tracks:  # (a loop: no comprehension or generators per join)
        img = t.image if t is not None and not t.rows else None
        if img is None:
            return None
        same = same and img is images[0] if images else True
        images.append(img)
    first = images[0]
    if same or frame.num_images == 1:
        return first
    b = frame.image_ids.get(id(first))
    if b is None:
        return None
    for img in images:
        if frame.image_ids.get(id(img)) != b:
            return None
    return first


def _join_map(x: Tensor, d: int, stack: bool) -> dict[int, int | None]:
    """Where each dim of a joined input goes in the output (``None``: the joined dim itself)."""
    if stack:
        return {k: (k if k < d else k + 1) for k in range(x.dim())}
    joined: dict[int, int | None] = dict(zip(range(x.dim()), range(x.dim())))
    if d in joined:
        joined[d] = None
    return joined


def _join_rows(frame: Frame, pieces: list[Tensor | tuple[int, int]], device: torch.device) -> Tensor:
    """Concatenate row maps; runs of whole images known on the host cost one tensor, no ops.
    One row per image in image order is the call's identity row map (the same tensor as a
    batch-first input's, so that losses over both are known to share rows without a host read)."""
    if all(isinstance(p, tuple) for p in pieces):
        ids: list[int] = []
        for b, n in pieces:  # a python list is the cheapest way to a few hundred ids here
            ids += [b] * n
        if len(ids) == frame.num_images and ids == list(range(frame.num_images)):
            return frame.arange(device)
        joined = host_tensor(ids, torch.long)
        joined = to_device(joined, device)
        frame.note_runs(joined, [p for p in pieces if isinstance(p, tuple)])  # (each one here)
        if ids and ids.count(ids[0]) == len(ids):  # every row one image, known here: a reduction is that image's
            frame.one_image_rows[id(joined)] = (joined, ids[0])
        return joined
    parts = [
        (p if isinstance(p, Tensor) else torch.full((p[1],), p[0], dtype=torch.long, device=device)).to(device)
        for p in pieces
    ]
    joined = torch.cat(parts)
    if len(parts) > 1:
        frame.joined_rows[id(joined)] = (joined, tuple(q for p in parts for q in _joined_parts(frame, p)))
    return joined


def _joined_parts(frame: Frame, rows: Tensor) -> tuple[Tensor, ...]:
    """The row maps ``torch.cat`` or ``repeat`` joined into ``rows`` (nested joins flat), or the
    copies of one map that a flattened ``[NCROP, B]`` holds (``torch.stack(crops).flatten(0, 1)``,
    images the innermost dim), or ``rows`` alone."""
    joined = frame.joined_rows.get(id(rows))
    if joined is not None and joined[0] is rows:
        return joined[1]
    origin = frame.origin.get(id(rows))
    if origin is not None and len(origin[1]) > 1 and origin[2] == len(origin[1]) - 1:
        return (origin[0],) * (rows.shape[0] // origin[0].shape[0])
    return (rows,)




@rule(Tensor.repeat)
def repeat(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``x.repeat(*sizes)``: the row map of each dim repeated the same way (new leading dims carry
    no images)."""
    src = args[0]
    track = frame.get(src)
    if track is None or not isinstance(out, Tensor):
        return
    if track.lost_at is not None or track.ratio is not None:
        frame.lose(out, track.lost_at or op_name(func), track)
        return
    sizes = args[1] if len(args) == 2 and not isinstance(args[1], int) else args[1:] or kwargs.get("repeats", ())
    if _counted_size(frame, sizes, [e for e, k in enumerate(sizes) if k != 1], len(args) == 2 and not isinstance(
            args[1], int), isinstance(sizes, torch.Size), 0, "repeats"):  # (``x.repeat(len(targets), 1)``: red team 44)
        frame.lose(out, f"{op_name(func)} of image values a count of the images times: each row has the batch's count "
                   "of copies, on a group alone the group's")
        return
    sizes = [int(k) for k in sizes]
    shift = len(sizes) - src.dim()
    rows = {d + shift: (r if sizes[d + shift] == 1 else _repeated(frame, r, sizes[d + shift]))
            for d, r in track.rows.items()}
    new = Track(rows=rows, image=track.image, from_prediction=track.from_prediction)
    if track.unweighted is not None:
        new.unweighted = func(track.unweighted, *args[1:], **kwargs)
    frame.set(out, new)


def _repeated(frame: Frame, rows: Tensor, k: int) -> Tensor:
    """``rows`` repeated ``k`` times, known as the join of its ``k`` copies (``x.repeat(NCROP, 1)``)."""
    out = rows.repeat(k)
    frame.joined_rows[id(out)] = (out, _joined_parts(frame, rows) * k)
    return out


_FLIPS = {Tensor.flip: None, torch.flip: None, Tensor.fliplr: (1,), torch.fliplr: (1,), Tensor.flipud: (0,),
          torch.flipud: (0,)}


_SHIFTS = (torch.fft.fftshift, torch.fft.ifftshift)  # a roll by half of each of ``dim`` (every dim without)


def _moves_first_dim(func: Any, args: tuple, kwargs: dict, ndim: int) -> bool:
    """Whether a ``flip`` / ``roll`` moves values along dim 0 (a ``roll`` without dims: flattened)."""
    if func in _FLIPS:
        dims = _FLIPS[func] or get_arg(args, kwargs, 1, "dims", ())
    elif func in _SHIFTS:
        dims = get_arg(args, kwargs, 1, "dim", None)
        if dims is None:
            return True
    else:
        dims = get_arg(args, kwargs, 2, "dims", None)
        if dims is None:
            return True
    return any(norm_dim(int(d), ndim) == 0 for d in _as_list(dims))


@rule(*_FLIPS, Tensor.roll, torch.roll, *_SHIFTS)
def flip(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``flip`` / ``roll`` / ``fftshift`` along dims that carry no images: a permutation within each image's
    values, rows kept. Along a dim of image rows (the batch reversed or rolled: mixup, mismatched
    pairs, negatives from the next image) the images are about to be paired with others, so
    attribution ends at the op itself, naming it; so does a ``roll`` of the flattened values."""
    src = args[0]
    track = frame.get(src)
    if track is None and isinstance(out, Tensor) and isinstance(src, Tensor) and src.dim() and src.shape[0] > 1 \
            and is_prediction(src, None) and _moves_first_dim(func, args, kwargs, src.dim()):
        # a prediction whose rows the capture cannot see (joined rows passed in) is paired with the
        # images' rows by position; reordered alone (``d.flip(0) - y``) the pairs differ on a group (survey16)
        frame.lose(out, f"{op_name(func)} along the first dim of a prediction whose rows are not known", pred=True)
        return
    if track is None or not isinstance(out, Tensor) or not isinstance(src, Tensor):
        return
    if track.lost_at is not None or track.ratio is not None:
        frame.lose(out, track.lost_at or op_name(func), track)
        return
    moves: list[tuple[int, int | None]]  # (dim, shift; None: flipped)
    if func in _FLIPS:
        dims = _FLIPS[func] or get_arg(args, kwargs, 1, "dims", ())
        moves = [(norm_dim(int(d), src.dim()), None) for d in _as_list(dims)]
    elif func in _SHIFTS:
        dims = get_arg(args, kwargs, 1, "dim", None)
        moves = [(d, None) for d in range(src.dim())] if dims is None else [
            (norm_dim(int(d), src.dim()), None) for d in _as_list(dims)]
    else:
        shifts, dims = get_arg(args, kwargs, 1, "shifts", 0), get_arg(args, kwargs, 2, "dims", None)
        if dims is None:
            if track.rows:
                frame.lose(out, f"{op_name(func)} of the flattened values", track)
                return
            moves = []
        else:
            moves = [(norm_dim(int(d), src.dim()), int(k)) for k, d in zip(_as_list(shifts), _as_list(dims), strict=True)]
    if any(d in track.rows and track.rows[d].numel() > 1 for d, _ in moves):
        frame.lose(out, f"{op_name(func)} along a dim that carries images", track)
        return
    if func is Tensor.roll or func is torch.roll:  # ``x.roll(int(ix(t[0])), 1)``: a shift read from one image's
        # values rolls every image's rows (on a group alone ``t[0]`` is another image)
        shifts = get_arg(args, kwargs, 1, "shifts", 0)
        frame.sized(op_name(func), track, lambda: literal_size(shifts, 1, "shifts", len(args) + len(kwargs)))
    frame.positions_mixed(op_name(func), src, track, [d for d, _ in moves])  # tokens reordered
    new = Track(rows=dict(track.rows), image=track.image, from_prediction=track.from_prediction)
    if track.unweighted is not None:
        new.unweighted = func(track.unweighted, *args[1:], **kwargs)
    frame.set(out, new)


@rule(Tensor.repeat_interleave, torch.repeat_interleave)
def repeat_interleave(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``repeat_interleave``: rows of the repeated dim repeated as the values are; without ``dim``
    the input is flattened first (one row dim at most). ``torch.repeat_interleave(counts)`` of
    per-row counts gives indices (data) whose rows are the counts' rows repeated."""
    src = args[0]
    if not isinstance(src, Tensor) or not isinstance(out, Tensor):
        return
    track = frame.get(src)
    repeats = get_arg(args, kwargs, 1, "repeats", None)
    op = op_name(func)
    if track is None:
        return
    if track.lost_at is not None or track.ratio is not None:
        frame.lose(out, track.lost_at or op, track)
        return
    if repeats is None:  # the counts form: output indices, one per repeat
        if set(track.rows) - {0}:
            frame.lose(out, op, track)
            return
        rows = {0: track.rows[0].repeat_interleave(src)} if 0 in track.rows else {}
        frame.set(out, Track(rows=rows, image=track.image))
        return
    if type(repeats) is not Tensor and repeats != 1 and _counted_size(
            frame, (repeats,), (0,), False, False, 0, "repeats", len(args) + len(kwargs)):
        frame.lose(out, f"{op} of image values a count of the images times: each row has the batch's count of copies, "
                   "on a group alone the group's")
        return
    dim = get_arg(args, kwargs, 2, "dim", None)
    if dim is None:
        if len(track.rows) > 1:
            frame.lose(out, f"{op} without dim", track)
            return
        rows = {}
        if track.rows:
            ((d, r),) = track.rows.items()
            rows = {0: expand_rows(frame, r, list(src.shape), d).repeat_interleave(repeats)}
    else:
        d = norm_dim(int(dim), src.dim())
        rows = dict(track.rows)
        block = frame.view_block_rows.get(id(rows[d])) if d in rows else None
        if block is not None and block[0] is rows[d] and block[1] is not None and type(repeats) is int and repeats == block[2]:
            rows[d] = block[1]  # each block's value back on its rows (DAPO's group mean per completion)
        elif d in rows:
            rows[d] = rows[d].repeat_interleave(repeats.to(rows[d].device) if isinstance(repeats, Tensor) else repeats)
    new = Track(rows=rows, image=track.image, from_prediction=track.from_prediction)
    if track.unweighted is not None:
        new.unweighted = func(track.unweighted, *args[1:], **kwargs)
    frame.set(out, new)


@rule(torch.pixel_shuffle, torch.pixel_unshuffle)
def pixel_shuffle(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``pixel_shuffle(x, r)`` of ``[*, C * r * r, H, W]``: each block of ``r * r`` channels becomes
    one channel's ``r x r`` pixels (``pixel_unshuffle`` the reverse). The leading dims keep their
    rows; along the channels a block of one image keeps it (every block checked with the call's one
    read, so on a group alone its blocks are the same); a row dim among the pixels mixes images."""
    src = get_arg(args, kwargs, 0, "input", None)
    if not isinstance(src, Tensor) or not isinstance(out, Tensor):
        return
    track = frame.get(src)
    if track is None:
        return
    op = op_name(func)
    k = get_arg(args, kwargs, 1, "downscale_factor" if getattr(func, "__name__", "").endswith("unshuffle")
                else "upscale_factor", None)
    c = src.dim() - 3
    if track.lost_at is not None or track.ratio is not None or type(k) is not int or c < 0 \
            or any(d > c for d in track.rows):
        frame.lose(out, track.lost_at or f"{op} over a dim that carries images", track)
        return
    rows = dict(track.rows)
    if c in rows:
        r = rows[c]
        if getattr(func, "__name__", "").endswith("unshuffle"):
            rows[c] = r.repeat_interleave(k * k)
        else:
            blocks = r.reshape(-1, k * k)
            frame.doubt((blocks != blocks[:, :1]).any(), f"{op} joins channels of several images into one's pixels")
            rows[c] = blocks[:, 0]
    new = Track(rows=rows, image=track.image, from_prediction=track.from_prediction)
    if track.unweighted is not None:
        new.unweighted = func(track.unweighted, *args[1:], **kwargs)
    frame.set(out, new)


@rule(torch.diag_embed, Tensor.diag_embed)
def diag_embed(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``diag_embed(x)`` of ``[M, 2]`` half-sizes: the last dim becomes the diagonal of a matrix
    at ``dim1``, ``dim2``; the other dims keep their rows, in order. A row dim on the diagonal ends
    attribution (the matrix pairs positions of several images)."""
    src = args[0]
    track = frame.get(src)
    if track is None or not isinstance(out, Tensor) or not isinstance(src, Tensor):
        return
    op = op_name(func)
    if src.dim() - 1 in track.rows:
        frame.lose(out, f"{op} of a dim that carries images", track)
        return
    d1 = norm_dim(int(get_arg(args, kwargs, 2, "dim1", -2)), out.dim())
    d2 = norm_dim(int(get_arg(args, kwargs, 3, "dim2", -1)), out.dim())
    rest = [k for k in range(out.dim()) if k not in (d1, d2)]
    dim_map: dict[int, int | None] = {k: rest[k] for k in range(src.dim() - 1)}
    dim_map[src.dim() - 1] = None
    _move_dims(frame, func, args, kwargs, out, dim_map)


def _passed_count(position: int) -> bool:
    """Whether the argument ``position`` of the call the caller's code is executing, a parameter of that
    code, holds a number its callers computed from the images (``len(targets) + 3`` passed to a helper's
    ``F.one_hot(y, classes)``; ``_provenance``'s ``L``, ``V``, ``H``), as read through them."""
    tags = _bytecode.executed_argument_tags(lambda n: (position,) if n > position else ())
    return tags is not None and len(tags) > position and bool(tags[position] & _provenance.OF_THE_BATCH)


@rule(F.one_hot)
def one_hot(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``F.one_hot(labels)``: the labels' rows, a new last dim of classes; data. Without
    ``num_classes`` the classes are the labels' max + 1: on a group alone, the group's max, so
    where some image of several lacks the batch's max label the call is declined (deferred). A
    ``num_classes`` the code computes from the images is lost, but the padded width of
    ``mode.padded_one_hot``."""
    src = args[0]
    track = frame.get(src)
    classes = get_arg(args, kwargs, 1, "num_classes", -1)
    made = frame.identity_made.get(id(src)) if isinstance(src, Tensor) else None
    identity = made is not None and made[0] is src and src.dim() == 1 and classes == src.shape[0]  # (``mode._note_identity``)
    if frame.num_images > 1 and classes != -1 and not identity and isinstance(out, Tensor) \
            and (_passed_count(1) if _bytecode.parameter_argument(1) else 0 in _bytecode.counted_sizes(False, skip=1)) \
            and not frame.constant_number(classes) and not mode.padded_one_hot(frame, src, out):
        # (``F.one_hot(y, max(len(t["labels"]) for t in targets) + 1)``: on a group alone as many classes as the group's;
        # a helper's parameter, as often a prediction's class count, is what its caller computes: read there)
        frame.lose(out, f"{op_name(func)} over a number of classes computed from the images", track, pred=False)
        return
    if track is None and frame.counted_tensor(src, op_name(func)):  # ``F.one_hot(torch.tensor(len(t) - 1), 3)``
        frame.lose(out, f"{op_name(func)} of a tensor made from a number computed from the number of images", pred=False)
    if track is None or not isinstance(out, Tensor):
        return
    if get_arg(args, kwargs, 1, "num_classes", -1) == -1 and track.rows and src.numel():
        doubt_width_of_largest(frame, src, track, "F.one_hot without num_classes: the classes are the batch's max label + 1, on a group alone its own")
    new = combine(frame, op_name(func), [(track, identity_map(src.dim()))], out.shape)
    if new is not None:
        new.from_prediction = False if new.lost_at is None else new.from_prediction
        frame.set(out, new)


@rule(F.pad)
def pad(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``F.pad``: the padded last ``len(pad) // 2`` dims gain positions of no image, so a row dim
    among them ends attribution; the other dims keep their rows."""

    def mixes(src: Tensor, track: Track) -> bool:
        widths = list(get_arg(args, kwargs, 1, "pad", ()))
        return bool({src.dim() - 1 - i // 2 for i, w in enumerate(widths) if w != 0} & set(track.rows))

    keep_rows(frame, func, args, kwargs, out, mixes, "of")
    if args and isinstance(args[0], Tensor) and not args[0].is_floating_point() \
            and get_arg(args, kwargs, 2, "mode", "constant") == "constant":
        value = get_arg(args, kwargs, 3, "value", None)  # ``F.pad(labels, (0, 1), value=-100)``: labels still
        label_copy(frame, args[0], out, 0 if value is None else value)


@rule(torch.cross, Tensor.cross, torch.linalg.cross)
def cross(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.cross(a, b, dim=d)``: the cross product of the 3-vectors along ``d`` (rotation
    columns, normals), position by position, so the other dims keep their rows, broadcast as an
    element-wise op of two tensors; along a dim that carries images (``torch.cross`` without
    ``dim`` takes the first dim of size 3: the images' when there are 3) attribution ends. Values
    that remember a weight (an image's values times a factor: on a batch of one image any
    untracked factor) give the cross product of their unweighted values: along a dim without
    images each image's factor is one number, which the product carries as an element-wise op."""
    op = op_name(func)
    if not isinstance(out, Tensor) or len(args) < 2 and "other" not in kwargs:
        return
    operands = [(x, frame.get(x)) for x in (args[0], get_arg(args, kwargs, 1, "other", None))]
    dim = get_arg(args, kwargs, 2, "dim", -1 if func is _LINALG_CROSS else None)
    if dim is None:
        dim = next((i for i, n in enumerate(out.shape) if n == 3), -1)
    d = norm_dim(int(dim), out.dim())
    for x, track in operands:
        if track is None or not isinstance(x, Tensor):
            continue
        if track.reduced:
            return frame.lose(out, f"{op} of a reduced value", track)
        own = d - (out.dim() - x.dim())
        if own in track.rows:
            return frame.lose(out, f"{op} along a dim that carries images", track)
        if own >= 0:
            frame.positions_mixed(op, x, track, [own])
    new = broadcast_tracks(frame, op, operands, out)
    if new is None:
        return
    if new.lost_at is None and any(t is not None and t.unweighted is not None for _, t in operands):
        (a, ta), (b, tb) = operands
        new.unweighted = torch.linalg.cross(unweighted_of(a, ta), unweighted_of(b, tb), dim=d - out.dim())
    frame.set(out, new)


@rule(torch.diff, Tensor.diff)
def diff(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.diff(x, dim=d)``: differences of neighbours along ``d`` (frames, steps), so the
    other dims keep their rows; along a dim that carries images (even one row: none is left), and
    with a ``prepend`` / ``append`` tensor that carries images, attribution ends."""
    op = op_name(func)
    dim = get_arg(args, kwargs, 2, "dim", -1)
    extra = [e for e in (get_arg(args, kwargs, 3, "prepend", None), get_arg(args, kwargs, 4, "append", None))
             if isinstance(e, Tensor) and frame.get(e) is not None]
    if extra:
        return frame.lose(out, f"{op} with a prepended or appended tensor that carries images", frame.get(extra[0]))

    def mixes(src: Tensor, track: Track) -> bool:
        d = norm_dim(int(dim), max(src.dim(), 1))
        if d not in track.rows:
            frame.positions_mixed(op, src, track, [d])
        return d in track.rows

    keep_rows(frame, func, args, kwargs, out, mixes, "along")


_PAD_SEQUENCE = torch._C._nn.pad_sequence


@rule(_PAD_SEQUENCE)
def pad_sequence(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``pad_sequence([t["tokens"] for t in targets])``: whole images' tensors (data), padded on
    the right, one row each along dim 0 (``batch_first``) or 1. Their width is the batch's longest
    element, on a group alone the group's: the output is noted in ``frame.padded``, whose uses
    are followed only where they read no padded position nor the width (``padded_use``).
    Anything else (predictions, tensors of several images, left padding) as an op without a
    rule."""
    seq = get_arg(args, kwargs, 0, "sequences", ())
    tracks = [frame.get(x) for x in seq] if isinstance(seq, (list, tuple)) else []
    whole = bool(tracks) and all(
        t is not None and t.lost_at is None and t.ratio is None and not t.rows and t.image is not None
        and not t.from_prediction and t.unweighted is None for t in tracks)
    if not isinstance(out, Tensor) or not whole or get_arg(args, kwargs, 3, "padding_side", "right") != "right" \
            or any(x.dim() == 0 for x in seq):
        mode._unknown(frame, func, args, kwargs, out)
        return
    images = [t.image for t in tracks if t is not None and t.image is not None]
    _images_by_position(frame, images, op_name(func))
    pieces: list[Tensor | tuple[int, int]] = []
    for img in images:
        known = frame.image_ids.get(id(img))
        pieces.append((known, 1) if known is not None else img.reshape(1))
    batch_first = bool(get_arg(args, kwargs, 1, "batch_first", False))
    frame.set(out, Track(rows={0 if batch_first else 1: _join_rows(frame, pieces, out.device)}))
    lengths = host_tensor([x.shape[0] for x in seq], torch.long, out.device)
    frame.padded[id(out)] = (out, 1 if batch_first else 0, lengths, version_of(out) or 0)


# reads of a padded tensor that no padded position nor the width decides
_PADDED_META = frozenset({
    Tensor.dim, Tensor.ndimension, Tensor.ndim.__get__, Tensor.dtype.__get__,  # type: ignore[attr-defined]
    Tensor.device.__get__, Tensor.is_floating_point, Tensor.requires_grad.__get__,  # type: ignore[attr-defined]
    Tensor.get_device,
})
# conversions keeping every value and the shape: the output is as padded
_PADDED_KEEP = frozenset({Tensor.to, Tensor.long, Tensor.int, Tensor.cpu, Tensor.cuda, Tensor.contiguous, Tensor.detach})


def padded(frame: Frame, x: Any) -> tuple[int, Tensor] | None:
    """(padded dim, each row's own length) of ``x`` where ``pad_sequence`` made it and nothing
    wrote it since; None otherwise."""
    held = frame.padded.get(id(x)) if frame.padded else None
    if held is None or held[0] is not x or (version_of(x) or 0) != held[3]:
        return None
    return held[1], held[2]


def padded_use(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> bool:
    """An op meeting a tensor ``pad_sequence`` padded (``frame.padded``): followed (False) where
    it reads no padded position nor the width -- the targets of ``F.ctc_loss`` (whose rule checks
    each row's target length against the row's own), the size of its dim of images, dtype and
    device reads, conversions (their output noted as padded too). Anything else (a mean over the
    padded dim, the padding compared or summed, its width read as a number) differs on a group
    alone: its tensor outputs are lost, a Python result declines the call (True)."""
    held = [x for x in flat_args(args, kwargs)
            if isinstance(x, Tensor) and id(x) in frame.padded and frame.padded[id(x)][0] is x]
    if not held or func in _PADDED_META:
        return False
    x = held[0]
    known = padded(frame, x)
    if known is not None and len(held) == 1:
        pad_dim, lengths = known
        if func is F.ctc_loss and get_arg(args[1:], kwargs, 0, "targets", None) is x:
            return False
        first = bool(args) and args[0] is x
        if first and func in _PADDED_KEEP and isinstance(out, Tensor) and out.shape == x.shape:
            if out is not x:
                frame.padded[id(out)] = (out, pad_dim, lengths.to(out.device), version_of(out) or 0)
            return False
        if first and func is Tensor.size and len(args) + len(kwargs) == 2 \
                and norm_dim(int(get_arg(args, kwargs, 1, "dim", pad_dim)), x.dim()) == 1 - pad_dim:
            return False
        if first and func is Tensor.__len__ and pad_dim == 1:
            return False
    message = (f"{op_name(func)} of a tensor torch.pad_sequence padded to the batch's longest element (on a group "
               "alone the group's longest): its padded positions or its width would be read")
    if any(isinstance(o, Tensor) for o in (out if isinstance(out, (tuple, list)) else (out,))):
        pred = any(isinstance(y, Tensor) and is_prediction(y, frame.get(y)) for y in flat_args(args, kwargs))
        frame.lose(out, message, pred=pred)
    else:
        frame.doubt(torch.ones((), dtype=torch.bool), message)
    return True


mode.PADDED_RULE.append(padded_use)


def _window_positions(src: Tensor, size: Any, stride: Any, offset: Any) -> Tensor | None:
    """The positions along ``src``'s last dim of each element of ``torch.as_strided(src, size,
    stride, offset)`` over its new trailing dims, where the view keeps ``src``'s leading dims (their
    sizes and strides, the same storage offset) and its trailing dims step within the last dim
    (strides multiples of its stride, in its extent): element ``(i, t)`` is then ``src[i, pos[t]]``.
    None for any other layout."""
    k = src.dim() - 1
    if k < 0 or not isinstance(size, Sequence) or not isinstance(stride, Sequence) or len(size) != len(stride) \
            or len(size) <= k or offset not in (None, src.storage_offset()):
        return None
    size, stride = [int(s) for s in size], [int(s) for s in stride]
    last = src.stride(-1)
    if size[:k] != list(src.shape[:k]) or stride[:k] != list(src.stride()[:k]) or last <= 0 \
            or any(s < 0 or s % last for s in stride[k:]) \
            or sum((n - 1) * s for n, s in zip(size[k:], stride[k:], strict=True) if n > 0) > (src.shape[-1] - 1) * last:
        return None
    positions = torch.zeros(size[k:], dtype=torch.long)
    for j, (n, s) in enumerate(zip(size[k:], stride[k:], strict=True)):
        shape = [1] * (len(size) - k)
        shape[j] = n
        positions = positions + (torch.arange(n) * (s // last)).view(shape)
    return positions


@rule(Tensor.unfold)
def unfold_windows(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``x.unfold(d, size, step)``: windows of dim ``d`` (PatchTST's patches of each series' steps),
    ``out[..., w, ..., j] = x[..., w * step + j, ...]`` -- every other dim keeps its rows, the
    positions along ``d`` mix (over a dim that carries images, attribution ends)."""
    src = args[0] if args else None
    track = frame.get(src) if isinstance(src, Tensor) else None
    if track is None or not isinstance(src, Tensor) or not isinstance(out, Tensor):
        return
    op = op_name(func)
    if track.lost_at is not None or track.ratio is not None:
        return frame.lose(out, track.lost_at or op, track)
    dim, size, step = (get_arg(args, kwargs, i, name, None) for i, name in ((1, "dimension"), (2, "size"), (3, "step")))
    if type(dim) is not int or type(size) is not int or type(step) is not int or src.dim() == 0:
        return frame.lose(out, f"{op} with sizes that are not plain ints", track)
    if sys.version_info[:2] not in _bytecode._COUNT_CHECKED or _bytecode.counted_number(zero=False) \
            or _bytecode.batch_number():  # (``x.unfold(-1, len(targets) - 1, 1)``: on a group alone other windows)
        return frame.lose(out, f"{op} with a size or step the code may compute from the number of images", track)
    dim %= src.dim()
    frame.positions_mixed(op, src, track, [dim])
    new = combine(frame, op, [(track, {d: (None if d == dim else d) for d in range(src.dim())})], out.shape)
    if new is None:
        return
    if new.lost_at is not None:
        return frame.lose(out, f"{op} over a dim that carries images", track)
    if track.unweighted is not None:
        new.unweighted = track.unweighted.unfold(dim, size, step)
    frame.set(out, new)


@rule(torch.as_strided, Tensor.as_strided)
def as_strided(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``torch.as_strided(x, x.shape[:-1] + sizes, x.stride() + strides)``: windows of the last dim
    (fast_bss_eval's Hankel and Toeplitz matrices), a gather of ``x``'s last dim per leading index
    (``_window_positions``): the leading dims keep their rows, the last dim's positions mix; replayed
    as that gather. Any other layout ends attribution."""
    src = get_arg(args, kwargs, 0, "input", None)
    track = frame.get(src) if isinstance(src, Tensor) else None
    if track is None or not isinstance(out, Tensor):
        return
    op = op_name(func)
    if track.lost_at is not None or track.ratio is not None:
        return frame.lose(out, track.lost_at or op, track)
    positions = _window_positions(src, get_arg(args, kwargs, 1, "size", None), get_arg(args, kwargs, 2, "stride", None),
                                  get_arg(args, kwargs, 3, "storage_offset", None))
    if positions is None:
        return frame.lose(out, f"{op} of another layout than windows of the last dim", track)
    k = src.dim() - 1
    frame.positions_mixed(op, src, track, [k])
    new = combine(frame, op, [(track, {d: (d if d < k else None) for d in range(src.dim())})], out.shape)
    if new is None:
        return
    if new.lost_at is not None:
        return frame.lose(out, f"{op} over a dim that carries images", track)
    if track.unweighted is not None:
        new.unweighted = track.unweighted[..., positions.to(src.device)]
    frame.set(out, new)
