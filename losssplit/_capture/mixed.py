"""Values of a tensor without images mixed across the images' entries before they meet the rows.

A per-image factor the body makes from Python numbers (``s = torch.tensor([len(t["boxes"]) ** 0.5
for t in targets])``) carries no images until it multiplies their rows. Normalised over its
entries first -- ``s / s.sum()``, ``s / s.mean()``, ``s.softmax(0)``, ``F.normalize(s, dim=0)``,
``s / s.cumsum(0)[-1]`` -- each entry holds the batch's normaliser, where on a group alone it holds
the group's: a loss scaled by such a factor along its image rows is declined (red team, session
24: was the batch's normaliser on every group). So too the normaliser read as a Python number
(``s.sum().item()``, ``float(s.max())``, ``sum(s.tolist())``) or summed in Python (``sum(s)``):
such a number is read as ``untracked_value`` says (a sum: a count it equals, else the key declines).

Normalised over another dim (``alpha / alpha.sum()`` over classes, ``w / w.sum(1, keepdim=True)``
within each image's rows), or picked by a tensor index (``alpha_n[labels]``), a factor keeps its
rules: only a dim of the images' size is followed, and only where it lines up with image rows.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from .mode import (
    MIXED_READ,
    MIXED_RULE,
    MIXING,
    Frame,
    flat_args,
    get_arg,
    norm_dim,
    op_name,
    untracked_value,
)

# ops reducing over ``dim`` (its position; None or absent: every dim), keepdim one after it
_REDUCING: dict[Any, int] = {
    **dict.fromkeys((Tensor.sum, torch.sum, Tensor.nansum, torch.nansum, Tensor.mean, torch.mean, Tensor.nanmean,
                     torch.nanmean, Tensor.prod, torch.prod, Tensor.max, torch.max, Tensor.min, torch.min, Tensor.amax,
                     torch.amax, Tensor.amin, torch.amin, Tensor.logsumexp, torch.logsumexp, Tensor.std, torch.std,
                     Tensor.var, torch.var, Tensor.median, torch.median, Tensor.nanmedian, torch.nanmedian), 1),
    **dict.fromkeys((Tensor.norm, torch.norm, torch.linalg.vector_norm, torch.linalg.norm), 2),
}
# ops whose every output entry mixes the entries along ``dim`` (its position), the shape kept
_ALONG: dict[Any, int] = {
    **dict.fromkeys((Tensor.cumsum, torch.cumsum, Tensor.cumprod, torch.cumprod, Tensor.cummax, torch.cummax,
                     Tensor.cummin, torch.cummin, Tensor.logcumsumexp, torch.logcumsumexp, Tensor.softmax, torch.softmax,
                     F.softmax, Tensor.log_softmax, torch.log_softmax, F.log_softmax), 1),
    F.normalize: 2,
}
# ops combining two one-element pieces of a tensor (``sum(s)``: ``0 + s[0] + s[1]``)
_COMBINING: dict[Any, str] = {
    **dict.fromkeys((Tensor.__add__, Tensor.__radd__, Tensor.__iadd__, Tensor.add, torch.add, Tensor.add_), "summed"),
    **dict.fromkeys((Tensor.__sub__, Tensor.__rsub__, Tensor.sub, torch.sub, Tensor.__mul__, Tensor.__rmul__, Tensor.mul,
                     torch.mul, Tensor.__truediv__, Tensor.div, torch.div, torch.maximum, torch.minimum), "statistic"),
}
# ops whose output entries are picked by a tensor of positions: a factor normalised over classes and
# picked by the labels (``alpha_n[labels]``) is no longer laid out along what it was normalised over
_PICKING = frozenset({Tensor.__getitem__, Tensor.index_select, torch.index_select, Tensor.gather, torch.gather,
                      Tensor.take, torch.take, torch.take_along_dim, Tensor.take_along_dim, F.embedding,
                      torch.cat, torch.stack, Tensor.__setitem__})
_READS = frozenset({Tensor.item, Tensor.__float__, Tensor.tolist})

NORMALISED = ("by a factor without images normalised over several images' entries before it met their rows "
              "(on a group alone it is normalised over the group's)")


def _dims(func: Any, args: tuple, kwargs: dict, x: Tensor) -> tuple[list[int], bool] | None:
    """The dims ``func`` mixes ``x`` along and whether it keeps them; None: none (or no such op)."""
    if func in _ALONG:
        dim = get_arg(args, kwargs, _ALONG[func], "dim", 1 if func is F.normalize else None)
        if dim is None:  # softmax's legacy implicit dim
            dim = 0 if x.dim() in (0, 1, 3) else 1
        return ([norm_dim(int(dim), x.dim())], True) if isinstance(dim, int) else None
    at = _REDUCING.get(func)
    if at is None:
        return None
    dim = get_arg(args, kwargs, at, "dim", None)
    if isinstance(dim, Tensor) or isinstance(dim, bool) or isinstance(dim, float):
        return None  # ``torch.max(a, b)``: element-wise; ``std(unbiased)``: see below
    keep = bool(get_arg(args, kwargs, at + 1, "keepdim", False))
    if dim is None or isinstance(dim, (tuple, list)) and not dim:
        return list(range(x.dim())), keep
    dims = [dim] if isinstance(dim, int) else list(dim)
    return sorted({norm_dim(int(d), x.dim()) for d in dims}), keep


def _mixed_of(frame: Frame, x: Any) -> tuple[Tensor, frozenset[int], str] | None:
    held = frame.batch_mixed.get(id(x)) if isinstance(x, Tensor) else None
    return held if held is not None and held[0] is x else None


def _start(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> bool:
    """``out`` of a reduction, a scan or a softmax of a tensor without images: mixed along a dim
    the size of the images it mixes (a reduced dim counted as if kept), and along those its input
    was mixed along. Whether ``func`` is such an op (then ``out`` needs nothing else)."""
    x = args[0] if args else kwargs.get("input")
    if not isinstance(x, Tensor) or x.dim() == 0 or frame.get(x) is not None:
        return False
    found = _dims(func, args, kwargs, x)
    if found is None:
        return False
    dims, keep = found
    held = _mixed_of(frame, x)
    before = held[1] if held is not None else frozenset()
    new = {d - x.dim() for d in dims if x.shape[d] == frame.num_images}
    if keep or dims == list(range(len(dims))):  # kept, or leading dims dropped: lined up from the last dim
        mixed = new | before
    else:  # a later dim dropped (``lse(stack(..), -1)`` of [B, 3]): each entry mixes its own row only
        kept = [d - x.dim() for d in range(x.dim()) if d not in dims]
        mixed = {kept.index(d) - len(kept) for d in before if d in kept}
    op = op_name(func) if new or held is None else held[2]
    for o in out if isinstance(out, tuple) else (out,):
        if mixed and isinstance(o, Tensor) and o.is_floating_point() and frame.get(o) is None:
            frame.batch_mixed[id(o)] = (o, frozenset(mixed), op)
    return True


def _carry(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """An op on a mixed tensor: its output without images is mixed along the same dims where the
    layout lines up from the last dim (element-wise, ``expand``, ``unsqueeze(0)``), along every
    dim where it does not; not where a tensor of positions picks the entries."""
    if func in _PICKING and any(isinstance(a, Tensor) and _mixed_of(frame, a) is None for a in flat_args(args, kwargs)):
        if func is not Tensor.__getitem__ or not _basic_index(args):
            _picked(frame, func, args, out)
            return
    held = [h for a in flat_args(args, kwargs) if (h := _mixed_of(frame, a)) is not None]
    if not held:
        return
    for o in out if isinstance(out, (tuple, list)) else (out,):
        if not isinstance(o, Tensor) or frame.get(o) is not None or not o.is_floating_point():
            continue
        mixed: set[int] = set()
        for x, dims, _ in held:
            lined = o.dim() >= x.dim() and all(x.shape[-i] in (o.shape[-i], 1) for i in range(1, x.dim() + 1))
            mixed |= dims if lined or o.numel() == 1 else _viewed(x, dims, o)
        frame.batch_mixed[id(o)] = (o, frozenset(mixed), held[0][2])


def _picked(frame: Frame, func: Any, args: tuple, out: Any) -> None:
    """``(s / s.sum())[batch_idx]``: entries of a vector mixed along its images' entries picked by a
    1-D integer tensor without images (``Frame.mixed_picks``): where the positions turn out to be
    the images of the rows the picked entries meet, each row holds its image's entry normalised
    over the batch (``_meets_picked``); picked by the labels (a class vector as wide as the images)
    they are other positions."""
    if func is not Tensor.__getitem__ or len(args) != 2 or not isinstance(out, Tensor) or out.dim() != 1:
        return
    x, index = args
    held = _mixed_of(frame, x)
    if isinstance(index, tuple) and len(index) == 1:
        index = index[0]
    if held is None or x.dim() != 1 or x.shape[0] != frame.num_images or -1 not in held[1] \
            or not isinstance(index, Tensor) or index.dim() != 1 or index.dtype != torch.int64 or frame.get(index) is not None:
        return
    frame.mixed_picks[id(out)] = (out, index.detach().clone(), held[2])


def _meets_picked(frame: Frame, args: tuple, kwargs: dict) -> str | None:
    """The op that mixed a factor whose picked entries (``_picked``) this op lays along image rows
    whose images are the positions that picked them, or None."""
    flat = [a for a in flat_args(args, kwargs) if isinstance(a, Tensor)]
    picks = [h for a in flat if (h := frame.mixed_picks.get(id(a))) is not None and h[0] is a and a.numel() > 1]
    if not picks:
        return None
    for a in flat:
        track = frame.get(a)
        if track is None or track.lost_at is not None or not track.rows:
            continue
        for d, rows in track.rows.items():
            if d - a.dim() != -1:
                continue
            for _, index, op in picks:
                if rows.dim() == 1 and rows.shape == index.shape and bool((rows != rows[0]).any()) \
                        and torch.equal(rows.to(index.device), index):
                    return op
    return None


def _viewed(x: Tensor, dims: frozenset[int], o: Tensor) -> set[int]:
    """``dims`` of ``x`` as dims of ``o``, a view of it with dims of size 1 added or removed
    (``w[:, None]``, ``squeeze``); every dim of ``o`` for any other layout."""
    wide_x = [d for d in range(-x.dim(), 0) if x.shape[d] != 1]
    wide_o = [d for d in range(-o.dim(), 0) if o.shape[d] != 1]
    if [x.shape[d] for d in wide_x] != [o.shape[d] for d in wide_o]:
        return set(range(-o.dim(), 0)) | set(dims)
    return {wide_o[wide_x.index(d)] for d in dims if d in wide_x}


def _basic_index(args: tuple) -> bool:
    index = args[1] if len(args) > 1 else None
    items = index if isinstance(index, tuple) else (index,)
    return not any(isinstance(i, (Tensor, list)) for i in items)


def _meets_rows(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> str | None:
    """The op that mixed a factor this op lays out along image rows of several images, or None."""
    if func in _PICKING:
        return None
    flat = [a for a in flat_args(args, kwargs) if isinstance(a, Tensor)]
    held = [h for a in flat if (h := _mixed_of(frame, a)) is not None and a.numel() > 1]
    if not held:
        return None
    try:
        shape = torch.broadcast_shapes(*(a.shape for a in flat))
    except RuntimeError:
        return None  # no element-wise op (``l @ w`` contracts along a dim: not followed here)
    n = len(shape)
    for a in flat:
        track = frame.get(a)
        if track is None or track.lost_at is not None or not track.rows:
            continue
        for d, rows in track.rows.items():
            at = d + n - a.dim()
            for x, dims, op in held:
                j = at - (n - x.dim())
                if 0 <= j and x.shape[j] > 1 and j - x.dim() in dims and rows.numel() > 1 \
                        and bool((rows.reshape(-1) != rows.reshape(-1)[0]).any()):
                    return op
    return None


def mixed_op(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Follow mixed values without images (see the module); lose an op's output where one meets
    the rows of several images along the dim it was mixed along."""
    if func in _COMBINING and type(out) is Tensor and out.numel() == 1:
        _pieces(frame, func, args, out)
    if frame.batch_mixed:
        track = frame.get(out) if isinstance(out, Tensor) else None
        if track is not None:
            op = None if track.lost_at is not None else _meets_rows(frame, func, args, kwargs, out)
            if op is None and frame.mixed_picks and track.lost_at is None and func not in _PICKING:
                op = _meets_picked(frame, args, kwargs)
            if op is not None:
                frame.lose(out, f"{op_name(func)} {NORMALISED}: {op}", like=track)
            return
        if not _start(frame, func, args, kwargs, out):
            _carry(frame, func, args, kwargs, out)
    elif func in _REDUCING or func in _ALONG:
        _start(frame, func, args, kwargs, out)


def _piece(frame: Frame, x: Any) -> tuple[int, frozenset[int]] | None:
    """(the whole's id, the offsets) of a one-element piece of a per-image vector without images
    (``s[b]``, an item of ``iter(s)``), or of a value computed from such pieces."""
    if not isinstance(x, Tensor) or x.numel() != 1:
        return None
    held = frame.mixed_pieces.get(id(x))
    if held is not None and held[0] is x:
        return held[1], held[2]
    base = x._base
    if base is None or base.dim() != 1 or base.shape[0] != frame.num_images or frame.get(base) is not None:
        return None
    return id(base), frozenset({int(x.storage_offset())})


def _pieces(frame: Frame, func: Any, args: tuple, out: Tensor) -> None:
    """``0 + s[0] + s[1]`` (Python's ``sum(s)``, a loop's running total): pieces of several images
    of one per-image vector combined are a number computed from its entries (``untracked_value``)."""
    if frame.get(out) is not None:  # (first: a loss's one-element arithmetic is most of these ops)
        return
    found = [p for a in args[:2] if (p := _piece(frame, a)) is not None]
    if not found or len({whole for whole, _ in found}) != 1:
        return
    offsets = frozenset().union(*(o for _, o in found))
    if len(offsets) < 2:
        frame.mixed_pieces[id(out)] = (out, found[0][0], offsets)
        return
    how = _COMBINING[func]
    earlier = [frame.untracked_derived.get(id(a)) for a in args[:2] if isinstance(a, Tensor)]
    if any(e is not None and e[1] != "summed" for e in earlier):
        how = "statistic"
    frame.untracked_derived[id(out)] = (out, how)
    frame.batch_mixed[id(out)] = (out, frozenset({-1}), f"{op_name(func)} of entries of several images")


def mixed_read(frame: Frame, func: Any, x: Any, out: Any) -> None:
    """A number read on the host from a mixed value (``s.sum().item()``) is noted as computed from
    it (``Frame.untracked_numbers``); a per-image vector without images read as a list
    (``s.tolist()``) is kept, so that a Python statistic of it is known by value (``image_numbers``)."""
    if func not in _READS or not isinstance(x, Tensor) or frame.get(x) is not None:
        return
    held = _mixed_of(frame, x)
    if held is not None and x.numel() == 1 and type(out) in (float, int):
        how = untracked_value(frame, x)
        if how in (None, "sum"):
            how = "summed" if _summing(held[2]) else "statistic"
        frame.untracked_numbers[id(out)] = (out, how)
    elif func is Tensor.tolist and held is None and x.dim() == 1 and x.shape[0] == frame.num_images and type(out) is list:
        values = [v for v in out if type(v) in (float, int)]
        if len(values) == len(out) > 1:
            frame.image_lists.append(values)


def _summing(op: str) -> bool:
    return op.rpartition(".")[2] in ("sum", "nansum", "__add__", "__radd__", "__iadd__", "add", "add_") \
        or op.endswith("of entries of several images")


def image_number(frame: Frame, x: Any) -> str | None:
    """How the Python number ``x`` is computed from per-image values without images: noted at its
    read (``untracked_numbers``), or equal by value to the sum (``"summed"``) or the mean
    (``"statistic"``) of a list of them (``sum(s.tolist())``); None otherwise."""
    if type(x) not in (float, int) or isinstance(x, bool):
        return None
    held = frame.untracked_numbers.get(id(x))
    if held is not None and held[0] is x:
        return held[1]
    for values in frame.image_lists:
        if any(v is x for v in values):
            continue  # one image's own number (``s_list[b]``)
        total = sum(values)
        how = "summed" if abs(x - total) <= 1e-6 * max(1.0, abs(total)) else "statistic" \
            if abs(x - total / len(values)) <= 1e-6 * max(1.0, abs(total)) and len(set(values)) > 1 else None
        if how is not None:
            if type(x) is float:  # (ints are shared objects: not noted)
                frame.untracked_numbers[id(x)] = (x, how)
            return how
    return None


MIXING.update(_REDUCING, _ALONG, _COMBINING)
MIXED_RULE.append(mixed_op)
MIXED_READ.append(mixed_read)
