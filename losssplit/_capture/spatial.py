"""Spatial rules: resizing, convolution, pooling, padding-free windows and normalisation layers.

These ops work on each image's map on its own as long as the batch stays on dim 0: rows on the
kept leading dims (batch, and channels where the op keeps them) keep their images; a row dim among
the resized, convolved, pooled or normalised dims mixes images, so attribution ends there. A
tracked kernel (``weight=``) mixes whatever it is convolved with: attribution ends too.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from .mode import (
    Frame,
    Tensor,
    Track,
    combine,
    get_arg,
    op_name,
    rule,
    tensors,
    tracked_pair,
)


def _follow(
    frame: Frame,
    func: Any,
    args: tuple,
    kwargs: dict,
    out: Any,
    kept: set[int],
    data: tuple[Any, ...] = (),
    reshaped: bool = False,
) -> None:
    """Rows of ``args[0]`` on the ``kept`` dims stay where they are; any other row dim, or a
    tracked tensor among ``data`` (a kernel, running statistics), ends attribution. A second
    output (pooling indices) is data with the same rows. ``reshaped``: the output has other dims
    after the kept leading ones (``F.unfold``)."""
    if not args and "input" in kwargs:  # ``conv(input=x, weight=k)``: replayed as ``func(x, weight=k)``
        args, kwargs = (kwargs["input"],), {k: v for k, v in kwargs.items() if k != "input"}
    src = args[0]
    if not isinstance(src, Tensor):
        return
    track = frame.get(src)
    outs = tensors(out)
    op = op_name(func)
    others = [t for t in (frame.get(x) for x in data if isinstance(x, Tensor)) if t is not None]
    if others and not _one_images_kernel(frame, src, track, others, op):
        pred = any(t.from_prediction for t in others) or (track is not None and track.from_prediction)
        frame.lose(out, f"{op} (a tracked kernel or statistic mixes images)", pred=pred)
        return
    if track is None or not outs:
        return
    if track.lost_at is not None or track.ratio is not None:
        frame.lose(out, track.lost_at or op, track)
        return
    first = outs[0]
    if first.dim() != src.dim() and not reshaped:
        frame.lose(out, op, track)
        return
    frame.positions_mixed(op, src, track, [d for d in range(src.dim()) if d not in kept])
    dim_map: dict[int, int | None] = {d: (d if d in kept else None) for d in range(src.dim())}
    new = combine(frame, op, [(track, dim_map)], first.shape)
    if new is None:
        return
    if new.lost_at is not None:
        new.lost_at = f"{op} over a dim that carries images"
        frame.lose(out, new.lost_at, track)
        return
    if track.unweighted is not None:
        raw = func(track.unweighted, *args[1:], **kwargs)
        new.unweighted = raw[0] if isinstance(raw, tuple) else raw
    frame.set(first, new)
    for o in outs[1:]:  # indices: data with the same rows
        frame.set(o, Track(rows=new.rows, image=new.image))


def _one_images_kernel(frame: Frame, src: Tensor, track: Track | None, others: list[Track], op: str) -> bool:
    """Whether every tracked kernel (or bias) is one image's tensor, the same image known on the
    host (``outputs["kernels"][i][src_i]`` in a loop), applied to that image's rows only
    (``feats[i:i + 1]``: checked with the call's one read): per-instance dynamic kernels, a value
    of that image alone. The kernel's values count as they are (its unweighted copy is not
    replayed: a kernel made with the weight field declines)."""
    images = {frame.image_ids.get(id(t.image)) if t.image is not None and not t.rows else None for t in others}
    if len(images) != 1 or None in images or any(t.lost_at is not None or t.ratio is not None
                                                 or t.unweighted is not None for t in others):
        return False
    (b,) = images
    if b is None or track is None or track.lost_at is not None or track.ratio is not None:
        return False
    if not track.rows:
        return frame.image_ids.get(id(track.image)) == b if track.image is not None else False
    if set(track.rows) != {0}:
        return False
    rows = track.rows[0]
    frame.agree(rows, frame.image_index(b, rows.device).expand(rows.shape), op)
    return True


@rule(F.unfold)
def unfold(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``F.unfold`` of ``[B, C, *spatial]`` into ``[B, C * k, L]`` patches: the batch keeps its
    rows; channels and positions are mixed into the patches."""
    src = args[0]
    if isinstance(src, Tensor) and isinstance(out, Tensor) and out.dim() == 3:
        _follow(frame, func, args, kwargs, out, {0}, reshaped=True)
    elif frame.get(src) is not None:
        frame.lose(out, op_name(func), frame.get(src))


@rule(F.interpolate)
def interpolate(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``F.interpolate`` of ``[N, C, *spatial]``: batch and channels keep their rows."""
    _follow(frame, func, args, kwargs, out, {0, 1})


_CONV_SPATIAL = {torch.conv1d: 1, torch.conv2d: 2, torch.conv3d: 3, torch.conv_transpose1d: 1,
                 torch.conv_transpose2d: 2, torch.conv_transpose3d: 3}


@rule(*_CONV_SPATIAL)
def conv(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``F.conv2d(x, w)`` with the batch on dim 0 (any ``groups=``, so depthwise windows too):
    the batch keeps its rows; channels and positions are mixed by the kernel. Every argument may
    be given by name (monai's separable filters: ``conv(input=x, weight=k, groups=c)``)."""
    src = get_arg(args, kwargs, 0, "input", None)
    batched = isinstance(src, Tensor) and src.dim() == _CONV_SPATIAL[func] + 2
    weight = get_arg(args, kwargs, 1, "weight", None)
    bias = get_arg(args, kwargs, 2, "bias", None)
    _follow(frame, func, args, kwargs, out, {0} if batched else set(), (weight, bias))


_POOL_SPATIAL = {
    F.avg_pool1d: 1, F.avg_pool2d: 2, F.avg_pool3d: 3, F.max_pool1d: 1, F.max_pool2d: 2,
    F.max_pool3d: 3, F.max_pool1d_with_indices: 1, F.max_pool2d_with_indices: 2,
    F.max_pool3d_with_indices: 3, F.adaptive_avg_pool1d: 1, F.adaptive_avg_pool2d: 2,
    F.adaptive_avg_pool3d: 3, F.adaptive_max_pool1d: 1, F.adaptive_max_pool2d: 2,
    F.adaptive_max_pool3d: 3, F.adaptive_max_pool1d_with_indices: 1, F.adaptive_max_pool2d_with_indices: 2,
    F.adaptive_max_pool3d_with_indices: 3, F.lp_pool1d: 1, F.lp_pool2d: 2,
}


@rule(*_POOL_SPATIAL)
def pool(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Pooling over the last 1-3 dims: the leading dims (batch, channels) keep their rows."""
    src = get_arg(args, kwargs, 0, "input", None)
    if isinstance(src, Tensor):
        _follow(frame, func, args, kwargs, out, set(range(src.dim() - _POOL_SPATIAL[func])))


@rule(F.batch_norm)
def batch_norm(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``F.batch_norm`` with running statistics in eval mode is per element (rows kept); in
    training mode (or without running statistics) it normalises over the batch: images mix."""
    running = [get_arg(args, kwargs, i, name, None) for i, name in ((1, "running_mean"), (2, "running_var"))]
    affine = [get_arg(args, kwargs, i, name, None) for i, name in ((3, "weight"), (4, "bias"))]
    training = bool(get_arg(args, kwargs, 5, "training", False))
    src = args[0]
    if not isinstance(src, Tensor):
        return
    if training or any(r is None for r in running):
        _follow(frame, func, args, kwargs, out, set(), (*running, *affine))
        _running_updated(frame, src, running, "F.batch_norm")
    else:
        _follow(frame, func, args, kwargs, out, set(range(src.dim())), (*running, *affine))


@rule(F.layer_norm)
def layer_norm(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``F.layer_norm`` over the last ``len(normalized_shape)`` dims: the others keep their rows."""
    src = args[0]
    shape = get_arg(args, kwargs, 1, "normalized_shape", ())
    k = 1 if isinstance(shape, int) else len(shape)
    affine = (get_arg(args, kwargs, 2, "weight", None), get_arg(args, kwargs, 3, "bias", None))
    if isinstance(src, Tensor):
        _follow(frame, func, args, kwargs, out, set(range(src.dim() - k)), affine)


@rule(F.group_norm)
def group_norm(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``F.group_norm`` normalises each image over channels and positions: the batch keeps its rows."""
    affine = (get_arg(args, kwargs, 2, "weight", None), get_arg(args, kwargs, 3, "bias", None))
    _follow(frame, func, args, kwargs, out, {0}, affine)


@rule(F.instance_norm)
def instance_norm(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``F.instance_norm`` with input statistics normalises each (image, channel) map on its own."""
    running = [get_arg(args, kwargs, i, name, None) for i, name in ((1, "running_mean"), (2, "running_var"))]
    affine = [get_arg(args, kwargs, i, name, None) for i, name in ((3, "weight"), (4, "bias"))]
    _follow(frame, func, args, kwargs, out, {0, 1}, (*running, *affine))
    if get_arg(args, kwargs, 5, "use_input_stats", True):
        _running_updated(frame, args[0], running, "F.instance_norm")


def _running_updated(frame: Frame, src: Any, running: list, op: str) -> None:
    """Running statistics updated in place from the images' values (training mode) now hold a
    statistic of the whole batch: a loss computed from them after the call mixes images (on a group
    alone they hold another update; was untracked, the batch's kept on every group, rt39)."""
    if isinstance(src, Tensor) and frame.get(src) is not None:
        for r in running:
            if isinstance(r, Tensor):
                frame.lose(r, f"{op}'s running statistics updated from the batch", pred=False)


@rule(F.local_response_norm)
def local_response_norm(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``F.local_response_norm`` of ``[N, C, *]`` normalises each value by a window of channels at
    its own sample and position: every dim but the channels keeps its rows."""
    src = get_arg(args, kwargs, 0, "input", None)
    if isinstance(src, Tensor):
        _follow(frame, func, args, kwargs, out, set(range(src.dim())) - {1})


@rule(Tensor.renorm, torch.renorm)
def renorm(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``x.renorm(p, dim, maxnorm)`` rescales each slice along ``dim`` by that slice's own norm:
    ``dim`` keeps its rows, a row dim among the others mixes images."""
    src = get_arg(args, kwargs, 0, "input", None)
    dim = get_arg(args, kwargs, 2, "dim", None)
    if isinstance(src, Tensor) and isinstance(dim, int) and src.dim():
        _follow(frame, func, args, kwargs, out, {dim % src.dim()})
    elif frame.get(src) is not None:
        frame.lose(out, op_name(func), frame.get(src))


@rule(F.grid_sample)
def grid_sample(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``F.grid_sample(x [N, C, H, W], grid [N, H', W', 2])``: the batch keeps its rows (from both);
    the grid's output positions keep theirs; a row dim among the sampled input dims ends them."""
    src, grid = args[0], get_arg(args, kwargs, 1, "grid", None)
    pair = tracked_pair(frame, src, grid, out)
    if pair is None:
        return
    ts, tg = pair
    op = op_name(func)
    nd = src.dim()
    parts = [(ts, {d: (d if d == 0 else None) for d in range(nd)}),
             (tg, {d: (0 if d == 0 else None if d == grid.dim() - 1 else d + 1) for d in range(grid.dim())})]
    new = combine(frame, op, parts, out.shape)
    if new is None:
        return
    if new.lost_at is None and any(t is not None and t.unweighted is not None for t in (ts, tg)):
        src_u = ts.unweighted if ts is not None and ts.unweighted is not None else src.detach()
        grid_u = tg.unweighted if tg is not None and tg.unweighted is not None else grid.detach()
        new.unweighted = func(src_u, grid_u, *args[2:], **kwargs)
    frame.set(out, new)
