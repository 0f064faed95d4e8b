"""Node ids of graphs collated into one disjoint graph (PyG's ``Batch.from_data_list``).

Each image is a graph; its node rows are concatenated (``torch.cat([g["x"] for g in graphs])``)
and its edges renumbered by the nodes before it: ``g["edge_index"] + offset``. Such an index holds
*positions* of node rows as values. It is followed when every value provably names a row of its
own image, at the same place within that image's block as on a group alone:

- ``local + off`` of an integer tensor of one image and a number of no image: each entry's image is
  the tensor's, its offset ``off``;
- ``torch.arange(n)`` (as made, ``Frame.identity_made``): each position its own row (a GCN's self
  loops), kept only where ``n`` is the size of the node dim it indexes;
- ``torch.cat`` of such tensors, and a row of one (``edge[0]``), lay out their entries' images and
  offsets alike (on a group alone each graph's entries in the same order).

Where one is used as the index of a gather (``h[src]``, ``index_select``) or of ``index_add`` along
node rows, the call's one read checks that the rows' images are blocks in image order, that each
entry's offset is the first row of its image's block and that its value lies in that block. Then
entry ``e`` names row ``local_e`` of its image's block, on the batch as on a group alone (whose
offsets are the group's blocks), and the gathered or summed rows stay within an image. A target
of no images (``torch.zeros(n).index_add_(0, dst, w)``, a degree) takes the blocks the images'
offsets lay out, confirmed against the first node rows of that size a later gather or sum meets
(declined where none is). Anything else (an index drawn, computed from the data's values, an
offset other than the block's start, an edge between two images) is left to the other rules,
which decline it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import torch
from torch import Tensor

from .indexing import _before
from .mode import (
    NODE_FUNCS,
    NODE_MAKERS,
    NODE_RULE,
    Frame,
    Track,
    get_arg,
    lose_aliases,
    op_name,
    version_of,
    written_through_view,
)

_ADDS = frozenset({Tensor.__add__, Tensor.__radd__, Tensor.add, torch.add})
_CATS = frozenset({torch.cat, torch.concat})
_GATHERS = frozenset({Tensor.__getitem__, Tensor.index_select, torch.index_select})
_SUMS = {Tensor.index_add: False, torch.index_add: False, Tensor.index_add_: True}
_EMBEDDINGS = {torch.nn.functional.embedding: 0, torch.embedding: 1}
"""Each embedding op and the place of its indices among its arguments."""


@dataclasses.dataclass(slots=True)
class NodeIds:
    """An integer tensor of node positions: each entry's image (-1: a position of ``torch.arange``
    over every node, its own row) and the offset added to it (0 there)."""

    tensor: Tensor
    version: Any
    images: Tensor
    offsets: Tensor
    whole: int | None
    """``n`` of the ``torch.arange(n)`` among the entries, None where there is none."""


@dataclasses.dataclass(slots=True)
class _Pending:
    """Blocks laid out by the images' offsets for a target of no images, and the deferred flag (a
    0-dim bool the call's read takes) that is true until real node rows of that size confirm them."""

    rows: Tensor
    flag: Tensor
    confirmed: bool = False


def node_step(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> bool:
    """Note node ids an op makes; follow one an op uses. True where the op was followed here (its
    rule is not to run)."""
    if func in _ADDS:
        _added(frame, args, kwargs, out)
        return False
    if func in _CATS:
        _joined(frame, args, kwargs, out)
        return False
    if func is Tensor.__getitem__ and id(args[0]) in frame.node_ids:
        _subscripted(frame, args, out)
        return False
    if func in _GATHERS:
        return _gathered(frame, func, args, kwargs, out)
    if func in _EMBEDDINGS:
        _tabled(frame, func, get_arg(args, kwargs, _EMBEDDINGS[func], "input" if _EMBEDDINGS[func] == 0 else "indices",
                                     None))
        return False
    return _summed(frame, func, args, kwargs, out)


def _node_ids(frame: Frame, t: Any) -> NodeIds | None:
    """The node ids ``t`` holds, unchanged since; a 1-d ``torch.arange(n)`` as made is one."""
    if type(t) is not Tensor:
        return None
    held = frame.node_ids.get(id(t))
    if held is not None and held.tensor is t and held.version == version_of(t):
        return held
    made = frame.identity_made.get(id(t))
    if made is None or made[0] is not t or made[1] != version_of(t) or t.dim() != 1 or t.is_floating_point() \
            or t.dtype is torch.bool:
        return None
    minus = torch.full(t.shape, -1, dtype=torch.long, device=t.device)
    return NodeIds(t, version_of(t), minus, torch.zeros_like(minus), t.shape[0])


def _made(frame: Frame, t: Any) -> NodeIds | None:
    """The node ids ``t`` holds as the rules made them (not a bare ``torch.arange``: other rules')."""
    return _node_ids(frame, t) if type(t) is Tensor and id(t) in frame.node_ids else None


def _note(frame: Frame, out: Tensor, images: Tensor, offsets: Tensor, whole: int | None) -> None:
    frame.node_ids[id(out)] = NodeIds(out, version_of(out), images, offsets, whole)


_INTEGERS = frozenset({torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8})


def _integer(t: Any) -> bool:
    return type(t) is Tensor and t.dtype in _INTEGERS


def _added(frame: Frame, args: tuple, kwargs: dict, out: Any) -> None:
    """``local + off``: ``local`` an integer tensor wholly of one image (or node ids already: the
    offsets add up), ``off`` an integer number or 0-dim tensor of no image."""
    if not _integer(out) or len(args) != 2 or kwargs.get("alpha", 1) != 1 or set(kwargs) - {"alpha"}:
        return
    for local, off in (args, args[::-1]):
        held, image = _made(frame, local), None
        if held is None or local.shape != out.shape:
            held, t = None, frame.get(local) if _integer(local) and local.shape == out.shape else None
            if t is None or t.rows or t.lost_at is not None or t.reduced or t.unweighted is not None:
                continue  # (before ``off`` is made: most integer additions add to no image's tensor)
            if (image := t.image) is None:
                continue
        if type(off) is int:
            off = torch.tensor(off, device=out.device)
        elif not _integer(off) or off.dim() or frame.get(off) is not None:
            continue
        off = off.detach().reshape(()).to(device=out.device, dtype=torch.long)
        if held is not None:
            _note(frame, out, held.images, held.offsets + off, held.whole)
        elif image is not None:
            _note(frame, out, image.detach().to(device=out.device, dtype=torch.long).expand(out.shape),
                  off.expand(out.shape), None)
            known = frame.image_ids.get(id(image))
            if known is not None:
                frame.node_blocks[known] = off
        return


def _joined(frame: Frame, args: tuple, kwargs: dict, out: Any) -> None:
    parts = get_arg(args, kwargs, 0, "tensors", ())
    if not frame.node_ids or type(out) is not Tensor or not isinstance(parts, (list, tuple)) \
            or not any(id(p) in frame.node_ids for p in parts):
        return
    held = [_node_ids(frame, p) for p in parts]
    if any(h is None for h in held):
        return
    wholes = {h.whole for h in held if h.whole is not None}  # type: ignore[union-attr]
    if len(wholes) > 1:
        return
    d = int(get_arg(args, kwargs, 1, "dim", 0))
    _note(frame, out, torch.cat([h.images.to(out.device) for h in held], d),  # type: ignore[union-attr]
          torch.cat([h.offsets.to(out.device) for h in held], d), wholes.pop() if wholes else None)  # type: ignore[union-attr]


def _subscripted(frame: Frame, args: tuple, out: Any) -> None:
    """``edge[0]``, ``pairs[:, 0]``: ints and whole slices only (the sources' or the targets' ids),
    every entry of the dims kept. (A subscript along the entries, ``edge[:, :10]``, takes the
    batch's first entries, on a group alone the group's: left to the other rules.)"""
    held = _made(frame, args[0])
    index = args[1] if type(args[1]) is tuple else (args[1],)
    if held is None or type(out) is not Tensor or not all(
            type(i) is int or type(i) is slice and i == slice(None) for i in index):
        return
    _note(frame, out, held.images[args[1]], held.offsets[args[1]], held.whole)


def _rows_along(track: Track | None, d: int) -> Tensor | None:
    """The row map of a track whose only images are its rows along ``d``; None for any other."""
    if track is None or track.image is not None or set(track.rows) != {d} or track.lost_at is not None \
            or track.reduced or track.unweighted is not None:
        return None
    return track.rows[d]


def _check_index(frame: Frame, ids: NodeIds, index: Tensor, rows: Tensor, op: str) -> bool:
    """Defer the checks that make ``index`` (node ids) name each entry's row within its own image's
    block of ``rows``: the blocks in image order, each entry's offset its block's first row, its
    value in its block. False where the layout is known not to fit (``torch.arange`` of another size)."""
    if ids.whole is not None and ids.whole != rows.shape[0]:
        return False
    rows = rows.to(index.device)
    frame.doubt((rows[1:] < rows[:-1]).any(), f"{op} at node ids into rows whose images are not blocks in image order",
                scoped=True)
    own = ids.images >= 0
    images = ids.images[own]
    values = index.detach().long()[own]
    starts = torch.searchsorted(rows, images)
    safe = values.clamp(0, max(rows.shape[0] - 1, 0))
    wrong = (ids.offsets[own] != starts) | (rows[safe] != images) if rows.numel() else own[own]
    frame.doubt(wrong.any(), f"{op} at node ids offset otherwise than by their image's first row, or naming another "
                "image's row (an edge between two graphs)", scoped=True)
    return True


def _confirm(frame: Frame, rows: Tensor) -> None:
    """Real node rows of some size met: the blocks laid out for a target of that size must be them."""
    for held in frame.node_pending:
        if held.rows.shape == rows.shape:
            differ = (held.rows != rows.to(held.rows.device)).any()
            held.flag.copy_(differ if not held.confirmed else held.flag | differ)
            held.confirmed = True


def _gathered(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> bool:
    """``h[src]``, ``h.index_select(0, src)``: rows of ``h`` (node rows, tracked) picked at node ids;
    each output row the image of the row it is."""
    if func is Tensor.__getitem__:
        x, index, d = args[0], args[1], 0
    else:
        x, index = args[0], get_arg(args, kwargs, 2, "index", None)
        d = int(get_arg(args, kwargs, 1, "dim", 0))
    ids = _made(frame, index)
    if ids is None or type(out) is not Tensor or type(x) is not Tensor or index.dim() != 1 or d != 0:
        return False
    track = frame.get(x)
    if track is None:  # a table of no images (``emb[src]``): its rows at the batch's node ids, the group's alone
        _tabled(frame, func, index)
        return False
    rows = _rows_along(track, 0)
    if rows is None or not _check_index(frame, ids, index, rows, op_name(func)):
        return False
    _confirm(frame, rows)
    frame.set(out, Track(rows={0: rows[index.detach().long().to(rows.device)]},
                         from_prediction=track.from_prediction))
    return True


def _tabled(frame: Frame, func: Any, index: Any) -> None:
    """Rows of a table of no images picked at node ids whose offsets differ by image: positions of the
    batch's node rows, on a group alone the group's (other rows). (One shift of every image's ids,
    ``w[labels + 1]``, is the same on a group alone: left to the other rules.)"""
    ids = _made(frame, index)
    if ids is None:
        return
    offsets = ids.offsets[ids.images >= 0]
    laid = (offsets != offsets[0]).any() | (ids.images < 0).any() if offsets.numel() else torch.tensor(True)
    frame.doubt(laid, f"{op_name(func)} of a tensor of no images at node ids of graphs collated into one (positions "
                "of the batch's node rows; on a group alone the group's)", scoped=True)


def _summed(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> bool:
    """``t.index_add_(0, dst, msg)``: messages summed into node rows at node ids. ``t`` node rows, or
    a tensor of no images whose values are all equal (its rows then the blocks of the images'
    offsets, confirmed later); each message of the image of the row it is added to."""
    target, index = args[0], get_arg(args, kwargs, 2, "index", None)
    src = get_arg(args, kwargs, 3, "source", None)
    d = int(get_arg(args, kwargs, 1, "dim", 0))
    ids = _made(frame, index)
    if ids is None or type(out) is not Tensor or type(target) is not Tensor or type(src) is not Tensor \
            or kwargs.get("alpha", 1) != 1 or index.dim() != 1 or d != 0:
        return False
    tt, ts = frame.get(target), frame.get(src)
    op = op_name(func)
    if tt is not None:
        rows = _rows_along(tt, 0)
        if rows is None:
            return False
    else:
        rows = _laid_out(frame, _before(func, target, None, args, kwargs) if _SUMS[func] else target.detach(), op)
        if rows is None:
            return False
    if ts is not None and _rows_along(ts, 0) is None:
        return False
    if not _check_index(frame, ids, index, rows, op):
        return False
    if ts is not None:
        frame.agree(rows[index.detach().long().to(rows.device)], ts.rows[0], op, scoped=True)
    if tt is not None:
        _confirm(frame, rows)
    frame.set(out, Track(rows={0: rows}, from_prediction=any(t is not None and t.from_prediction for t in (tt, ts))))
    if _SUMS[func]:
        lose_aliases(frame, target, op)
        written_through_view(frame, target, op)
    return True


def _laid_out(frame: Frame, before: Tensor | None, op: str) -> Tensor | None:
    """The rows the images' offsets (``Frame.node_blocks``, every image's) lay out over the first dim
    of a target whose values were ``before``, pending confirmation (``_Pending``); None where an image
    has none. Those values must all be equal (a fresh ``torch.zeros(n)``, checked with the read)."""
    if before is None:
        return None
    target = before
    if set(frame.node_blocks) != set(range(frame.num_images)) or not target.dim() or not target.numel():
        return None
    n = target.shape[0]
    starts = torch.stack([frame.node_blocks[i].to(target.device) for i in range(frame.num_images)])
    rows = torch.searchsorted(starts, torch.arange(n, device=target.device), right=True) - 1
    flag = torch.ones((), dtype=torch.bool, device=target.device)
    frame.doubt(flag, f"{op} into rows of no images at node ids, whose blocks no node rows of that size confirm",
                scoped=True)
    frame.doubt((starts[0] != 0) | (starts[1:] < starts[:-1]).any() | (starts[-1] > n)
                | (before != before.reshape(-1)[0]).any(), f"{op} into rows of no images at node ids whose offsets "
                "are no blocks of them, or into values that differ by position", scoped=True)
    frame.node_pending.append(_Pending(rows, flag))
    return rows


NODE_RULE.append(node_step)
NODE_FUNCS.update(_ADDS, _CATS, _GATHERS, _SUMS, _EMBEDDINGS)
NODE_MAKERS.update(_ADDS, _CATS)
