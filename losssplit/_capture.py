"""Dataflow capture: a private torch function mode that records which image each row came from.

The mode runs every op unchanged and, for ops with a rule in ``RULES``, records on the output a
``Track``: for each dimension that indexes images' rows, the image of every index along it
(``rows``), or the one image a whole tensor belongs to (``img``); the values the tensor would
hold with per-row factors taken as 1 (``raw``); whether it derives from predictions (``pred``);
and, for a loss reduced to a scalar, a lazy ``Ratio`` (a sum over the rows of something that
is not a prediction, such as ``mask.sum()``, is a Ratio too: a normaliser a loss may be divided
by). An op without a rule that consumes a tracked prediction marks its output ``lost`` with the
op's name: attribution is dropped, never guessed. All bookkeeping works on detached tensors and is
hidden from other torch function modes.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

Tensor = torch.Tensor
Rows = dict[int, Tensor]  # dim -> LongTensor, the image of every index along that dim
_HOLD_WEAKLY_FROM = 1 << 15  # bytes: smaller tensors are held (cheap), larger ones freed on time


def version_of(t: Tensor) -> int | None:
    """``t``'s version counter (None for inference tensors, which keep none)."""
    try:
        return t._version
    except RuntimeError:
        return None


def _nbytes(t: Tensor) -> int:
    """Bytes of ``t``'s elements (dense-equivalent; 0 where a layout has no such size)."""
    try:
        return t.numel() * t.element_size()
    except Exception:  # noqa: BLE001 - an exotic tensor is simply held, as small ones are
        return 0


class Ratio:
    """A scalar loss as ``num / den`` per image, kept lazy until the call returns.

    ``values`` hold the unweighted per-element losses, ``rows`` the image of each index along
    ``row_dim`` (or one image for all). ``kind`` is ``sum`` (den 1), ``normsum`` (a sum divided
    by an opaque normaliser Z: den ``Z * N_S / N``, rows counted by ``den_values`` when given),
    ``datanorm`` (a sum divided by a sum over rows, e.g. ``mask.sum()``: den is that sum over the
    group's rows, then ``den_ops``: ``+ eps``, ``.clamp(min=c)``), ``mean`` (den = elements) or ``wmean`` (den =
    ``den_values``). A Ratio on a tensor that is not a prediction is such a row-sum normaliser.
    """

    __slots__ = (
        "values", "rows", "row_dim", "kind", "den_values", "scales", "divisors", "den_ratio",
        "den_ops", "plain", "source", "numel", "version",
    )

    def __init__(
        self,
        values: Tensor,
        rows: Tensor,
        row_dim: int,
        kind: str,
        den_values: Tensor | None = None,
    ) -> None:
        self.values = values
        self.rows = rows
        self.row_dim = row_dim
        self.kind = kind
        self.den_values = den_values
        self.numel = values.numel()  # elements the loss reduced (``mean``'s den)
        self.version = version_of(values)  # values are read at the end: an in-place write shows here
        self.scales: tuple[float | Tensor, ...] = ()
        self.divisors: tuple[float | Tensor, ...] = ()
        self.den_ratio: Ratio | None = None
        self.den_ops: tuple[tuple[str, float], ...] = ()  # ("add", eps) / ("min", c), in order
        self.plain = True  # no per-row factor was set aside: the tensor's value is the ratio's
        self.source: tuple[int, tuple[int, ...], tuple[int, ...]] | None = None  # a normaliser's

    def scaled(
        self,
        scale: float | Tensor = 1.0,
        divisor: float | Tensor = 1.0,
        by_rows: Ratio | None = None,
        den_op: tuple[str, float] | None = None,
    ) -> Ratio:
        """A copy times ``scale``, divided by ``divisor`` or by the row sum ``by_rows``."""
        out = Ratio(self.values, self.rows, self.row_dim, self.kind, self.den_values)
        out.numel, out.version = self.numel, self.version
        out.scales = self.scales + ((scale,) if not _is_one(scale) else ())
        out.divisors = self.divisors + ((divisor,) if not _is_one(divisor) else ())
        out.den_ratio, out.den_ops = self.den_ratio, self.den_ops + ((den_op,) if den_op else ())
        out.plain, out.source = self.plain, self.source
        if by_rows is not None:
            out.kind, out.den_ratio, out.den_ops = "datanorm", by_rows, by_rows.den_ops
        elif self.kind == "sum" and not self.divisors and not _is_one(divisor):
            out.kind = "normsum"
        return out

    def compact(self) -> Ratio:
        """Keep a large loss's per-row sums, not its elements, until the call returns (the body's
        temporary is then freed when it would be without losssplit). Same sums, computed now."""
        if self.values.dim() > 1 and _nbytes(self.values) >= _HOLD_WEAKLY_FROM:
            self.values = row_sums(self.values, self.row_dim)
            if self.den_values is not None:
                self.den_values = row_sums(self.den_values, self.row_dim)
            self.row_dim = min(self.row_dim, 0)
            self.version = version_of(self.values)
        return self

    def modified(self) -> bool:
        """Whether the values it reads were written in place since the loss was reduced."""
        if self.version is not None and version_of(self.values) != self.version:
            return True
        return self.den_ratio is not None and self.den_ratio.modified()


class Track:
    """What the capture knows about one tensor produced or seen during the call."""

    __slots__ = ("rows", "img", "raw", "pred", "lost", "ratio")

    def __init__(
        self,
        rows: Rows | None = None,
        img: Tensor | None = None,
        raw: Tensor | None = None,
        pred: bool = False,
        lost: str | None = None,
        ratio: Ratio | None = None,
    ) -> None:
        self.rows = rows or {}
        self.img = img
        self.raw = raw
        self.pred = pred
        self.lost = lost
        self.ratio = ratio


class _Ref(weakref.ref[Tensor]):
    __slots__ = ("key",)
    key: int


class Frame:
    """State of one decorated call: tracks by tensor id, deferred row-agreement checks.

    A track holds its tensor so that no later tensor can take its address during the call; a
    large tensor (or a view of one) is held weakly instead, so that a temporary the body drops is
    freed when it would be without losssplit (holding it raises the call's peak memory), and its
    track goes with it. Weak references cost garbage-collector work, hence only for large ones.
    """

    def __init__(self, num_images: int) -> None:
        self.num_images = num_images
        self.tracks: dict[int, tuple[Tensor | _Ref, Track]] = {}
        self.checks: list[tuple[Tensor, str]] = []
        # tensors used as per-row factors, by the elements they view (held: keys stay unique)
        self.factors: dict[tuple[int, tuple[int, ...], tuple[int, ...]], Tensor] = {}
        self.held: list[Tensor] = []
        self.agreed: dict[tuple[int, int], tuple[Tensor, Tensor]] = {}
        self.identity: dict[torch.device, Tensor] = {}
        self.images: dict[torch.device, tuple[Tensor, ...]] = {}
        self.image_ids: dict[int, int] = {}  # id of an ``image()`` tensor -> its index
        self.expanded: dict[tuple[int, tuple[int, ...], int], tuple[Tensor, Tensor]] = {}
        self.origin: dict[int, tuple[Tensor, tuple[int, ...], int]] = {}
        self.error: BaseException | None = None
        self.error_op = ""

    def get(self, value: Any) -> Track | None:
        entry = self.tracks.get(id(value))
        if entry is None:
            return None
        held = entry[0]
        return entry[1] if held is value or (type(held) is _Ref and held() is value) else None

    def set(self, value: Tensor, track: Track) -> None:
        key = id(value)
        base = getattr(value, "_base", None)
        if _nbytes(value if base is None else base) < _HOLD_WEAKLY_FROM:
            self.tracks[key] = (value, track)
            return
        ref = _Ref(value, self._forget)  # the frame is kept by the ref until close()
        ref.key = key
        self.tracks[key] = (ref, track)

    def _forget(self, ref: _Ref) -> None:
        entry = self.tracks.get(ref.key)
        if entry is not None and entry[0] is ref:
            self.tracks.pop(ref.key, None)  # the tensor may die on another thread than the call's

    def close(self) -> None:
        """Drop every track (and with them the weakref callbacks that refer to this frame)."""
        self.tracks.clear()

    def arange(self, device: torch.device) -> Tensor:
        rows = self.identity.get(device)
        if rows is None:
            rows = self.identity[device] = torch.arange(self.num_images, device=device)
        return rows

    def image(self, b: int, device: torch.device) -> Tensor:
        """Image ``b``'s index as a 0-dim tensor (one op per device per call)."""
        per = self.images.get(device)
        if per is None:
            per = self.images[device] = self.arange(device).unbind(0)
            for i, t in enumerate(per):
                self.image_ids[id(t)] = i
        return per[b]

    def agree(self, a: Tensor, b: Tensor, op: str) -> None:
        """Defer the check that two row maps name the same images (no host sync now)."""
        if a is b:
            return
        pair = (id(a), id(b))
        if pair in self.agreed:
            return
        self.agreed[pair] = (a, b)  # holding both keeps their ids unique during the call
        if a.shape != b.shape:
            self.checks.append((torch.ones((), dtype=torch.bool, device=a.device), op))
        else:
            self.checks.append(((a != b.to(a.device)).any(), op))


# -- helpers ------------------------------------------------------------------------------------


def _is_one(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and x == 1


def _tensors(obj: Any) -> list[Tensor]:
    if isinstance(obj, Tensor):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [t for t in obj if isinstance(t, Tensor)]
    return []


_NAMES: dict[Any, str] = {}


def _op_name(func: Any) -> str:
    try:
        return _NAMES[func]
    except (KeyError, TypeError):
        pass
    name = _describe(func)
    try:
        _NAMES[func] = name
    except TypeError:
        pass
    return name


def _describe(func: Any) -> str:
    name = getattr(func, "__name__", None) or repr(func)
    if name == "__get__":
        name = repr(func)
    owner = getattr(func, "__module__", None)
    if owner and owner.startswith("torch.nn.functional"):
        return f"F.{name}"
    if owner is None or "Tensor" in repr(func):
        return f"Tensor.{name}"
    return f"torch.{name}"


def _norm_dim(d: int, ndim: int) -> int:
    return d + ndim if d < 0 else d


def _dims_arg(dims: Any, ndim: int) -> list[int] | None:
    if dims is None:
        return None
    if isinstance(dims, int):
        dims = [dims]
    return sorted({_norm_dim(int(d), max(ndim, 1)) for d in dims})


def _get_arg(args: Sequence[Any], kwargs: dict[str, Any], pos: int, name: str, default: Any) -> Any:
    if len(args) > pos:
        return args[pos]
    return kwargs.get(name, default)


def _value(t: Tensor, track: Track | None) -> Tensor:
    """The unweighted values of ``t`` (detached)."""
    if track is not None and track.raw is not None:
        return track.raw
    return t.detach()


def _is_pred(t: Any, track: Track | None) -> bool:
    if track is not None:
        return track.pred
    return isinstance(t, Tensor) and t.requires_grad


def _expand_rows(frame: Frame, rows: Tensor, sizes: Sequence[int], pos: int) -> Tensor:
    """Rows of the dim made by flattening ``sizes`` where only ``sizes[pos]`` carries images."""
    key = (id(rows), tuple(sizes), pos)
    hit = frame.expanded.get(key)
    if hit is not None:
        return hit[0]
    shape = [1] * len(sizes)
    shape[pos] = rows.shape[0]
    out = rows.view(shape).expand(*sizes).reshape(-1)
    frame.expanded[key] = (out, rows)  # holding ``rows`` keeps its id (part of the key) unique
    frame.origin[id(out)] = (rows, tuple(sizes), pos)
    return out


def _merge_rows(frame: Frame, out_rows: Rows, dim: int, rows: Tensor, op: str) -> None:
    have = out_rows.get(dim)
    if have is None:
        out_rows[dim] = rows
    else:
        frame.agree(have, rows, op)


def _combine(
    frame: Frame,
    op: str,
    parts: Sequence[tuple[Track | None, dict[int, int | None]]],
    out_shape: Sequence[int],
) -> Track | None:
    """Merge the tracks of inputs into the output's, mapping each input dim to an output dim."""
    rows: Rows = {}
    img: Tensor | None = None
    pred = False
    any_track = False
    for track, dim_map in parts:
        if track is None:
            continue
        any_track = True
        pred = pred or track.pred
        if track.lost is not None:
            return Track(pred=True, lost=track.lost)
        if track.ratio is not None:
            return Track(pred=True, lost=op) if track.pred else None
        for d, r in track.rows.items():
            e = dim_map.get(d)
            if e is None:
                if r.shape[0] == 1:  # a single row (M == 1) reduced away: its image remains
                    img = _merge_img(frame, img, r.reshape(()), op)
                    continue
                return Track(pred=True, lost=op) if track.pred else None
            if r.shape[0] != out_shape[e]:
                r = r.expand(out_shape[e])
            _merge_rows(frame, rows, e, r, op)
        if track.img is not None:
            img = _merge_img(frame, img, track.img, op)
    return _merged(frame, op, rows, img, pred) if any_track else None


def _broadcast_tracks(
    frame: Frame, op: str, operands: Sequence[tuple[Any, Track | None]], out: Tensor
) -> Track | None:
    """``_combine`` for broadcasting element-wise ops (the hot path): dims align from the right."""
    rows: Rows = {}
    img: Tensor | None = None
    pred = False
    any_track = False
    ndim = out.dim()
    for x, track in operands:
        if track is None or not isinstance(x, Tensor):
            continue
        any_track = True
        if track.lost is not None:
            return Track(pred=True, lost=track.lost)
        pred = pred or track.pred
        shift = ndim - x.dim()
        for d, r in track.rows.items():
            e = d + shift
            n = out.shape[e]
            if r.shape[0] != n:
                r = r.expand(n)
            have = rows.get(e)
            if have is None:
                rows[e] = r
            elif have is not r:
                frame.agree(have, r, op)
        if track.img is not None:
            img = _merge_img(frame, img, track.img, op)
    return _merged(frame, op, rows, img, pred) if any_track else None


def _merged(frame: Frame, op: str, rows: Rows, img: Tensor | None, pred: bool) -> Track:
    """The merged track; a whole-image input next to row-tracked ones must name the same image."""
    if img is not None and rows:
        for r in rows.values():
            frame.agree(r, img.expand_as(r), op)
        img = None
    return Track(rows, img, None, pred)


def _merge_img(frame: Frame, have: Tensor | None, img: Tensor, op: str) -> Tensor:
    if have is None:
        return img
    frame.agree(have.reshape(1), img.reshape(1), op)
    return have


def _broadcast_map(ndim_in: int, ndim_out: int) -> dict[int, int | None]:
    shift = ndim_out - ndim_in
    return {d: d + shift for d in range(ndim_in)}


def _identity_map(ndim: int) -> dict[int, int | None]:
    return {d: d for d in range(ndim)}


# -- rules ---------------------------------------------------------------------------------------
# A rule gets (frame, func, args, kwargs, out) and records tracks on the outputs. Inputs without a
# track are data that carries no images (constants, untagged tensors).

Rule = Callable[[Frame, Any, tuple[Any, ...], dict[str, Any], Any], None]


def _rule_passthrough(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Same values, same layout (``clone``, ``to``, ``float``, ``contiguous``, ``detach``)."""
    src = args[0]
    track = frame.get(src)
    if track is None or not isinstance(out, Tensor) or out is src:
        return
    if track.ratio is not None or track.lost is not None:
        frame.set(out, track)
        return
    raw = track.raw
    if raw is not None and out.dtype != raw.dtype and out.dtype.is_floating_point:
        raw = raw.to(out.dtype) if raw.dtype != torch.float32 or out.dtype == torch.float64 else raw
    frame.set(out, Track(rows=track.rows, img=track.img, raw=raw, pred=track.pred))


def _rule_unary(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Element-wise ops of one tensor (``exp``, ``sigmoid``, ``clamp``, ``pow(x, 2)``...)."""
    src = args[0]
    track = frame.get(src)
    if track is None or not isinstance(out, Tensor):
        return
    if track.ratio is not None:
        low = _get_arg(args, kwargs, 1, "min", None)
        high = _get_arg(args, kwargs, 2, "max", None)
        if not track.pred and func in _CLAMP and isinstance(low, (int, float)) and high is None:
            frame.set(out, Track(ratio=track.ratio.scaled(den_op=("min", float(low)))))
            return  # ``mask.sum().clamp(min=1)``: clamped per group as well
        if func in _NEG:
            frame.set(out, Track(pred=True, ratio=track.ratio.scaled(-1.0)))
        elif track.pred:
            frame.set(out, Track(pred=True, lost=_op_name(func)))
        return
    new = _combine(frame, _op_name(func), [(track, _identity_map(src.dim()))], out.shape)
    if new is not None and track.raw is not None and new.lost is None:
        new.raw = func(track.raw, *args[1:], **kwargs)
    if new is not None:
        if func in _BOOL_RESULT:
            new.pred = False
        frame.set(out, new)


def _scalar_of(x: Any, track: Track | None) -> float | Tensor | None:
    """``x`` as a constant factor: a python number, or a one-element tensor without images."""
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return x
    if isinstance(x, Tensor) and x.numel() == 1 and (track is None or not track.pred):
        return x.detach().reshape(())
    return None


def _rule_binary(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Broadcasting element-wise ops of two operands; per-row factors are remembered as 1."""
    if not isinstance(out, Tensor) or len(args) < 2:
        return
    a, b = args[0], args[1]
    ta, tb = frame.get(a), frame.get(b)
    if ta is None and tb is None:
        return
    kind = _BINARY_KIND.get(func)
    if (
        tb is None
        and ta is not None
        and ta.raw is None
        and ta.ratio is None
        and ta.lost is None
        and (not isinstance(b, Tensor) or b.dim() == 0)
        and out.dim() == a.dim()
    ):  # tensor op scalar: same layout
        frame.set(out, Track(ta.rows, ta.img, None, ta.pred and kind not in ("cmp", "logic")))
        return
    op = _op_name(func)
    if (ta is not None and ta.ratio is not None) or (tb is not None and tb.ratio is not None):
        new_ratio = _ratio_arith(kind, a, ta, b, tb, op)
        if new_ratio is not None:
            frame.set(out, new_ratio)
        elif _is_pred(a, ta) or _is_pred(b, tb):
            frame.set(out, Track(pred=True, lost=op))
        return  # a normaliser in other arithmetic becomes an opaque value
    new = _broadcast_tracks(frame, op, ((a, ta), (b, tb)), out)
    if new is None:
        return
    if new.lost is None:
        if kind in ("cmp", "logic"):
            new.pred = False
        elif not new.pred:  # an untracked prediction (``src - tgt`` of matched rows passed in)
            new.pred = any(t is None and _is_pred(x, None) for x, t in ((a, ta), (b, tb)))
        factor = _factor_side(kind, a, ta, b, tb, new, out)
        if factor is not None:
            loss_side, weight = factor
            raw = _value(loss_side, frame.get(loss_side))
            new.raw = raw * (weight.detach() != 0)
            _note_factor(frame, weight, new, out.dim())
        elif (ta is not None and ta.raw is not None) or (tb is not None and tb.raw is not None):
            ra = _value(a, ta) if isinstance(a, Tensor) else a
            rb = _value(b, tb) if isinstance(b, Tensor) else b
            new.raw = func(ra, rb, *args[2:], **kwargs)
    frame.set(out, new)


def _factor_side(
    kind: str | None, a: Any, ta: Track | None, b: Any, tb: Track | None, new: Track, out: Tensor
) -> tuple[Tensor, Tensor] | None:
    """(loss, weight) when ``a * w`` / ``a / w`` multiplies a prediction by a per-row factor."""
    if kind not in ("mul", "div") or not new.pred or not new.rows:
        return None
    candidates = [(a, ta, b, tb)] if kind == "div" else [(a, ta, b, tb), (b, tb, a, ta)]
    for loss, tl, w, tw in candidates:
        if not isinstance(loss, Tensor) or not isinstance(w, Tensor) or w.dim() == 0:
            continue
        if not _is_pred(loss, tl) or _is_pred(w, tw):
            continue
        if _per_row(w, new.rows, out.shape):
            return loss, w
    return None


def _note_factor(frame: Frame, weight: Tensor, new: Track, out_ndim: int) -> None:
    """Remember a per-row factor; one that carried no images gets the rows it multiplied.

    A factor written as a view of a vector (``w[:, None]``) is remembered as ``w`` too, so that a
    later ``w.sum()`` is read as the same factor.
    """
    shift = out_ndim - weight.dim()
    rows = {
        d - shift: r for d, r in new.rows.items() if d >= shift and weight.shape[d - shift] == r.shape[0]
    }
    if len(rows) != 1:
        return
    base = weight._base
    for t in (weight, base) if base is not None and base.numel() == weight.numel() else (weight,):
        frame.factors[_view_key(t)] = t
        if frame.get(t) is None:
            ((d, r),) = rows.items()
            frame.set(t, Track(rows={d if t is weight else _only_wide_dim(t): r}))


def _only_wide_dim(t: Tensor) -> int:
    wide = [d for d, n in enumerate(t.shape) if n != 1]
    return wide[0] if len(wide) == 1 else 0


def _per_row(w: Tensor, rows: Rows, shape: Sequence[int]) -> bool:
    """Whether ``w``, broadcast to ``shape``, varies along one image-row dim only."""
    if w.dim() == 0 or w.dim() > len(shape):
        return False
    shift = len(shape) - w.dim()
    wide = [shift + d for d, n in enumerate(w.shape) if n != 1]
    if len(wide) == 1:
        return wide[0] in rows and shape[wide[0]] == w.shape[wide[0] - shift]
    return not wide and bool(rows) and shape[min(rows)] == 1


def _ratio_arith(
    kind: str | None, a: Any, ta: Track | None, b: Any, tb: Track | None, op: str
) -> Track | None:
    """Arithmetic on scalar losses: times or divided by a constant (``* Q``, ``/ num_boxes``),
    divided by a row-sum normaliser, ``normaliser + eps``, and sums of summed or per-image losses."""
    if ta is not None and ta.ratio is not None and not ta.pred:  # a row-sum normaliser
        if kind == "add" and isinstance(b, (int, float)) and not isinstance(b, bool):
            return Track(ratio=ta.ratio.scaled(den_op=("add", float(b))))  # ``mask.sum() + 1e-4``
        return None
    if ta is not None and ta.ratio is not None:
        if (
            kind == "div"
            and tb is not None
            and tb.ratio is not None
            and not tb.pred
            and ta.ratio.kind == "sum"
            and not ta.ratio.divisors
        ):
            return Track(pred=True, ratio=ta.ratio.scaled(by_rows=tb.ratio))
        if kind == "add" and tb is not None and tb.ratio is not None and tb.pred:
            return _add_ratios(a, ta.ratio, b, tb.ratio)
        other = _scalar_of(b, tb)
        if other is None:
            return None
        if kind == "mul":
            return Track(pred=True, ratio=_scaled_by(ta.ratio, other, tb))
        if kind == "div":
            return Track(pred=True, ratio=ta.ratio.scaled(divisor=other))
        if kind == "add" and isinstance(other, (int, float)) and other == 0:  # ``sum(losses)`` starts at 0
            return Track(pred=True, ratio=ta.ratio)
        return None
    if tb is not None and tb.ratio is not None and kind == "mul":
        other = _scalar_of(a, ta)
        if other is not None:
            return Track(pred=True, ratio=_scaled_by(tb.ratio, other, ta))
    return None


def _scaled_by(ratio: Ratio, factor: float | Tensor, track: Track | None) -> Ratio:
    """``loss * c``; a ``c`` that belongs to one image (its ``loss_weight`` tensor) is that image's
    factor, not a constant: the value no longer stands for the image in a per-image loop."""
    out = ratio.scaled(scale=factor)
    if track is not None and (track.img is not None or track.rows):
        out.plain = False
    return out


def _as_sum(ratio: Ratio, value: Tensor) -> tuple[Tensor, Tensor] | None:
    """(per-row values, rows) of a ratio that adds up: a plain sum, or one image's whole value."""
    if ratio.kind == "sum" and not ratio.divisors and ratio.den_ratio is None:
        return row_sums(ratio.values, ratio.row_dim) * product(ratio.scales), ratio.rows.reshape(-1)
    if ratio.plain and ratio.rows.numel() == 1 and not ratio.divisors and ratio.kind != "normsum":
        return value.detach().reshape(1), ratio.rows.reshape(1)  # a per-image loss: that image's value
    return None


def row_sums(values: Tensor, row_dim: int) -> Tensor:
    """Per-row totals of ``values`` along ``row_dim`` (``-1``: one row, the whole tensor)."""
    if values.dtype not in (torch.float32, torch.float64):
        values = values.float()
    if row_dim < 0:
        return values.sum().reshape(1)
    if values.dim() == 1:
        return values
    return values.sum(dim=[d for d in range(values.dim()) if d != row_dim])


def product(factors: tuple[float | Tensor, ...]) -> float | Tensor:
    out: float | Tensor = 1.0
    for f in factors:
        out = out * f
    return out


def _add_ratios(a: Tensor, ra: Ratio, b: Tensor, rb: Ratio) -> Track | None:
    """``loss_a + loss_b`` of sums or of per-image losses: one sum over both sets of rows."""
    left, right = _as_sum(ra, a), _as_sum(rb, b)
    if left is None or right is None:
        return None
    values = torch.cat([left[0], right[0].to(left[0].device)])
    return Track(pred=True, ratio=Ratio(values, torch.cat([left[1], right[1].to(left[1].device)]), 0, "sum"))


def _rule_where(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    if not isinstance(out, Tensor) or len(args) < 3:
        return
    tracks = [frame.get(x) for x in args[:3]]
    if all(t is None for t in tracks):
        return
    op = _op_name(func)
    parts = [(t, _broadcast_map(x.dim(), out.dim())) for x, t in zip(args[:3], tracks) if isinstance(x, Tensor)]
    new = _combine(frame, op, parts, out.shape)
    if new is not None and new.lost is None and any(t is not None and t.raw is not None for t in tracks):
        new = Track(pred=True, lost=op)
    if new is not None:
        frame.set(out, new)


def _rule_masked_fill(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    if not isinstance(out, Tensor):
        return
    src, mask = args[0], _get_arg(args, kwargs, 1, "mask", None)
    ts, tm = frame.get(src), frame.get(mask)
    if ts is None and tm is None:
        return
    op = _op_name(func)
    parts = [(ts, _identity_map(src.dim()))]
    if isinstance(mask, Tensor):
        parts.append((tm, _broadcast_map(mask.dim(), out.dim())))
    new = _combine(frame, op, parts, out.shape)
    if new is not None and new.lost is None and ts is not None and ts.raw is not None:
        new.raw = func(ts.raw, *args[1:], **kwargs)
    if new is not None:
        frame.set(out, new)


def _reduce_dims(func: Any, args: tuple, kwargs: dict, ndim: int) -> tuple[list[int] | None, bool]:
    dims = _get_arg(args, kwargs, 1, "dim", None)
    if dims is None and "axis" in kwargs:
        dims = kwargs["axis"]
    keepdim = bool(_get_arg(args, kwargs, 2, "keepdim", False))
    return _dims_arg(dims, ndim), keepdim


def _rule_reduce(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``sum``/``mean`` and friends: over rows of a prediction -> a Ratio; over others -> rows."""
    src = args[0]
    track = frame.get(src)
    if track is None or not isinstance(src, Tensor):
        return
    outs = _tensors(out) if isinstance(out, tuple) else [out]
    op = _op_name(func)
    if track.lost is not None or track.ratio is not None:
        if track.pred:
            for o in outs:
                if track.ratio is not None and func in _SHAPE_NEUTRAL_REDUCE and o.numel() == 1:
                    frame.set(o, track)
                else:
                    frame.set(o, Track(pred=True, lost=track.lost or op))
        return
    ndim = src.dim()
    dims, keepdim = _reduce_dims(func, args, kwargs, ndim)
    reduced = set(range(ndim)) if dims is None else set(dims)
    row_dims = set(track.rows)
    if reduced & row_dims or (track.img is not None and reduced == set(range(ndim))):
        kind = _REDUCE_KIND.get(func)
        full = reduced == set(range(ndim))
        if not track.pred and kind == "sum" and full and len(row_dims) <= 1 and isinstance(out, Tensor):
            frame.set(out, Track(ratio=_row_sum_normaliser(frame, src, track)))
            return
        if (
            kind is None
            or not full
            or not track.pred
            or len(row_dims) > 1
            or not isinstance(out, Tensor)
        ):
            if track.pred:
                for o in outs:
                    frame.set(o, Track(pred=True, lost=op if full or kind is None else f"{op} over a row dim"))
            return
        values = _value(src, track)
        if row_dims:
            (d,) = row_dims
            rows = track.rows[d]
        else:
            d = -1
            assert track.img is not None
            rows = track.img.reshape(1)
        ratio = Ratio(values, rows, d, kind).compact()
        ratio.plain = track.raw is None
        frame.set(out, Track(pred=True, ratio=ratio))
        return
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
        new = _combine(frame, op, [(track, dim_map)], o.shape)
        if new is None:
            continue
        if o is not outs[0]:  # argmax / indices of max: data, not loss
            new.pred = False
        elif track.raw is not None and new.lost is None:
            raw = func(track.raw, *args[1:], **kwargs)
            new.raw = raw[0] if isinstance(raw, tuple) else raw
        frame.set(o, new)


def _rule_max(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``max``/``min``: element-wise of two tensors, or a reduction."""
    if len(args) > 1 and isinstance(args[1], Tensor) or isinstance(kwargs.get("other"), Tensor):
        _rule_binary(frame, func, args, kwargs, out)
    else:
        _rule_reduce(frame, func, args, kwargs, out)


def _row_sum_normaliser(frame: Frame, src: Tensor, track: Track) -> Ratio:
    """``mask.sum()`` / ``w.sum()`` over rows: a normaliser that follows the group's rows.

    Summed per-row factors (``(l * w).sum() / w.sum()``) count as 1 per non-zero row, like the
    factor itself; masks and counts count as they are.
    """
    values = src.detach()
    values = values.to(torch.float32) if not values.is_floating_point() else values
    if track.rows:
        ((d, rows),) = track.rows.items()
    else:
        d, rows = -1, track.img.reshape(1)  # type: ignore[union-attr]
    ratio = Ratio(values, rows, d, "sum")
    ratio.source = _view_key(src)  # whether it is a factor is decided when the call returns
    frame.held.append(src)  # alive until then, so no later tensor can take its address
    return ratio


def _view_key(t: Tensor) -> tuple[int, tuple[int, ...], tuple[int, ...]]:
    """Identifies the elements a tensor views (not just its storage: columns of one tensor differ)."""
    return t.data_ptr(), tuple(t.shape), t.stride()


def _rule_softmax(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    src = args[0]
    track = frame.get(src)
    if track is None or not isinstance(out, Tensor):
        return
    dim = _get_arg(args, kwargs, 1, "dim", None)
    op = _op_name(func)
    if dim is None or _norm_dim(int(dim), src.dim()) in track.rows or track.raw is not None:
        if track.pred:
            frame.set(out, Track(pred=True, lost=op))
        return
    new = _combine(frame, op, [(track, _identity_map(src.dim()))], out.shape)
    if new is not None:
        frame.set(out, new)


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


def _rule_view(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``view``/``reshape``/``flatten``: rows follow merged and split dimensions."""
    src = args[0]
    track = frame.get(src)
    if track is None or not isinstance(out, Tensor):
        return
    op = _op_name(func)
    if track.ratio is not None or track.lost is not None:
        if out.numel() == 1 or track.lost is not None:
            frame.set(out, track)
        elif track.pred:
            frame.set(out, Track(pred=True, lost=op))
        return
    rows: Rows = {}
    if track.rows:
        groups = _view_groups(list(src.shape), list(out.shape))
        if groups is None:
            if track.pred:
                frame.set(out, Track(pred=True, lost=op))
            return
        for gi, gj in groups:
            tracked = [d for d in gi if d in track.rows]
            if not tracked:
                continue
            if len(gj) == 0:
                rows_1 = track.rows[tracked[0]]
                img = rows_1.reshape(())
                new = Track(img=img, pred=track.pred)
                if len(track.rows) == 1:
                    new.raw = None if track.raw is None else track.raw.reshape(out.shape)
                    frame.set(out, new)
                    return
                if track.pred:
                    frame.set(out, Track(pred=True, lost=op))
                return
            if len(tracked) > 1:
                if track.pred:
                    frame.set(out, Track(pred=True, lost=op))
                return
            d = tracked[0]
            r = track.rows[d]
            if len(gi) == 1 and len(gj) == 1:
                rows[gj[0]] = r
            elif len(gj) == 1:
                rows[gj[0]] = _expand_rows(frame, r, [src.shape[k] for k in gi], gi.index(d))
            else:
                origin = frame.origin.get(id(r))
                sizes = tuple(out.shape[k] for k in gj)
                if len(gi) == 1 and origin is not None and origin[1] == sizes:
                    rows[gj[origin[2]]] = origin[0]
                else:
                    if track.pred:
                        frame.set(out, Track(pred=True, lost=op))
                    return
    new = Track(rows=rows, img=track.img, pred=track.pred)
    if track.raw is not None:
        new.raw = track.raw.reshape(out.shape)
    frame.set(out, new)


def _rule_permute(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``transpose``/``permute``/``t``/``movedim``/``squeeze``/``unsqueeze``: dims move."""
    src = args[0]
    track = frame.get(src)
    if track is None or not isinstance(out, Tensor):
        return
    if track.ratio is not None or track.lost is not None:
        frame.set(out, track)
        return
    ndim = src.dim()
    name = getattr(func, "__name__", "")
    dim_map: dict[int, int | None]
    if name in ("transpose", "swapaxes", "swapdims", "t", "__get__"):
        if func == _MT:
            d0, d1 = ndim - 2, ndim - 1
        elif name in ("t", "__get__"):
            d0, d1 = 0, max(ndim - 1, 0)
        else:
            d0 = _norm_dim(int(_get_arg(args, kwargs, 1, "dim0", 0)), ndim)
            d1 = _norm_dim(int(_get_arg(args, kwargs, 2, "dim1", 0)), ndim)
        dim_map = _identity_map(ndim)
        dim_map[d0], dim_map[d1] = d1, d0
    elif name == "permute":
        order = args[1:] if len(args) > 2 or (len(args) == 2 and isinstance(args[1], int)) else _get_arg(args, kwargs, 1, "dims", ())
        dim_map = {_norm_dim(int(o), ndim): i for i, o in enumerate(order)}
    elif name == "movedim":
        srcs = [_norm_dim(int(x), ndim) for x in _as_list(_get_arg(args, kwargs, 1, "source", 0))]
        dsts = [_norm_dim(int(x), ndim) for x in _as_list(_get_arg(args, kwargs, 2, "destination", 0))]
        result: list[int | None] = [None] * ndim
        for sd, dd in zip(srcs, dsts):
            result[dd] = sd
        rest = iter(d for d in range(ndim) if d not in srcs)
        dim_map = {}
        for i in range(ndim):
            at = result[i]
            dim_map[at if at is not None else next(rest)] = i
    elif name == "unsqueeze":
        d = _norm_dim(int(_get_arg(args, kwargs, 1, "dim", 0)), ndim + 1)
        dim_map = {i: (i if i < d else i + 1) for i in range(ndim)}
    elif name == "squeeze":
        dims = _dims_arg(_get_arg(args, kwargs, 1, "dim", None), ndim)
        drop = {i for i in range(ndim) if src.shape[i] == 1 and (dims is None or i in dims)}
        dim_map = {}
        e = 0
        for i in range(ndim):
            if i in drop:
                dim_map[i] = None
            else:
                dim_map[i] = e
                e += 1
    else:
        return
    new = _combine(frame, _op_name(func), [(track, dim_map)], out.shape)
    if new is not None:
        if track.raw is not None and new.lost is None:
            new.raw = func(track.raw, *args[1:], **kwargs)
        frame.set(out, new)


def _as_list(x: Any) -> list[Any]:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _rule_expand(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    src = args[0]
    track = frame.get(src)
    if track is None or not isinstance(out, Tensor):
        return
    new = _combine(frame, _op_name(func), [(track, _broadcast_map(src.dim(), out.dim()))], out.shape)
    if new is not None:
        if track.raw is not None and new.lost is None:
            new.raw = track.raw.expand(out.shape)
        frame.set(out, new)


def _rule_like(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``zeros_like``/``full_like``...: same layout, fresh data (no prediction)."""
    track = frame.get(args[0])
    if track is None or not isinstance(out, Tensor) or track.lost is not None or track.ratio is not None:
        return
    frame.set(out, Track(rows=track.rows, img=track.img))


def _rule_split(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``unbind``/``split``/``chunk``: pieces along one dim."""
    src = args[0]
    track = frame.get(src)
    if track is None or not isinstance(out, (tuple, list)):
        return
    op = _op_name(func)
    name = getattr(func, "__name__", "")
    ndim = src.dim()
    if name == "unbind":
        d = _norm_dim(int(_get_arg(args, kwargs, 1, "dim", 0)), ndim)
    else:
        d = _norm_dim(int(_get_arg(args, kwargs, 2, "dim", 0)), ndim)
    if track.lost is not None or track.ratio is not None:
        if track.pred:
            for o in out:
                frame.set(o, Track(pred=True, lost=track.lost or op))
        return
    raws = None
    if track.raw is not None:
        raws = func(track.raw, *args[1:], **kwargs)
    start = 0
    for i, o in enumerate(out):
        if name == "unbind":
            dim_map = {k: (k if k < d else k - 1) if k != d else None for k in range(ndim)}
            piece = Track(rows={}, img=track.img, pred=track.pred)
            for k, r in track.rows.items():
                if k == d:
                    piece.img = _merge_img(frame, piece.img, r[i], op)
                else:
                    e = dim_map[k]
                    assert e is not None
                    piece.rows[e] = r
        else:
            n = o.shape[d]
            piece = Track(
                rows={k: (r[start : start + n] if k == d else r) for k, r in track.rows.items()},
                img=track.img,
                pred=track.pred,
            )
            start += n
        if raws is not None:
            piece.raw = raws[i]
        frame.set(o, piece)


def _rule_cat(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``cat``/``stack``: rows of the joined dim are the inputs' rows (or images) in order."""
    seq = _get_arg(args, kwargs, 0, "tensors", ())
    if not isinstance(out, Tensor) or not isinstance(seq, (list, tuple)) or not seq:
        return
    tracks = [frame.get(t) for t in seq]
    if all(t is None for t in tracks):
        return
    op = _op_name(func)
    stack = getattr(func, "__name__", "") == "stack"
    ndim = out.dim()
    d = _norm_dim(int(_get_arg(args, kwargs, 1, "dim", 0)), ndim)
    if stack and out.dim() == 1 and all(
        t is not None and t.pred and t.ratio is not None and t.ratio.plain and t.ratio.rows.numel() == 1
        for t in tracks
    ):  # ``torch.stack([loss of image b, ...])``: one row per image
        rows = torch.cat([t.ratio.rows.reshape(1).to(out.device) for t in tracks])  # type: ignore[union-attr]
        frame.set(out, Track(rows={0: rows}, pred=True))
        return
    if any(t is not None and (t.lost is not None or t.ratio is not None) for t in tracks):
        if any(t is not None and t.pred for t in tracks):
            lost = next((t.lost for t in tracks if t is not None and t.lost), op)
            frame.set(out, Track(pred=True, lost=lost))
        return
    pred = any(_is_pred(x, t) for x, t in zip(seq, tracks))
    pieces: list[Tensor | tuple[int, int]] | None = []
    other_parts = []
    for x, t in zip(seq, tracks):
        n = 1 if stack else x.shape[d] if x.dim() > 0 else 0
        if n == 0 and not stack:
            continue
        if t is None:
            pieces = None
            continue
        dim_map: dict[int, int | None]
        if stack:
            dim_map = {k: (k if k < d else k + 1) for k in range(x.dim())}
        else:
            dim_map = {k: (k if k != d else None) for k in range(x.dim())}
        if not stack and d in t.rows:
            if pieces is not None:
                pieces.append(t.rows[d])
        elif t.img is not None and not (set(t.rows) - ({d} if not stack else set())):
            if pieces is not None:
                known = frame.image_ids.get(id(t.img))
                pieces.append((known, n) if known is not None else t.img.reshape(1).expand(n))
            if t.rows:
                other_parts.append((Track(rows=t.rows, pred=t.pred), dim_map))
            continue
        else:
            pieces = None
        rest = Track(rows={k: r for k, r in t.rows.items() if stack or k != d}, pred=t.pred)
        other_parts.append((rest, dim_map))
    new = _combine(frame, op, other_parts, out.shape) if other_parts else Track(pred=pred)
    if new is None:
        new = Track(pred=pred)
    if new.lost is None:
        new.pred = pred
        if pieces is not None and pieces:
            joined = _join_rows(pieces, out.device)
            if joined.shape[0] == out.shape[d]:
                new.rows = dict(new.rows)
                new.rows[d] = joined
        elif pieces is not None and not stack and out.shape[d] == 0:  # only empty pieces: no rows
            new.rows = {**new.rows, d: torch.empty(0, dtype=torch.long, device=out.device)}
        if any(t is not None and t.raw is not None for t in tracks) and pred:
            vals = [_value(x, t) for x, t in zip(seq, tracks)]
            new.raw = func(vals, *args[1:], **kwargs)
        if not new.rows and new.img is None and new.pred:
            new = Track(pred=True, lost=f"{op} of tensors without images")
    frame.set(out, new)


_FULL = slice(None)


def _basic_index(frame: Frame, track: Track, parts: tuple[Any, ...], ndim: int, out: Tensor) -> bool:
    """Fast path for slices, ints and ``None`` (no tensors, no Ellipsis); False if not basic."""
    rows: Rows = {}
    img = track.img
    have = track.rows
    d = e = 0
    for p in parts:
        if p is None:
            e += 1
        elif type(p) is slice:
            r = have.get(d)
            if r is not None:
                rows[e] = r if p == _FULL else r[p]
            d += 1
            e += 1
        elif type(p) is int:
            r = have.get(d)
            if r is not None:
                img = _merge_img(frame, img, r[p], "Tensor.__getitem__")
            d += 1
        else:
            return False
    for k, r in have.items():
        if k >= d:
            rows[e + k - d] = r
    if rows or img is not None:
        frame.set(out, Track(rows, img, None, track.pred))
    return True


def _join_rows(pieces: list[Tensor | tuple[int, int]], device: torch.device) -> Tensor:
    """Concatenate row maps; runs of whole images known on the host cost one tensor, no ops."""
    if all(isinstance(p, tuple) for p in pieces):
        ids: list[int] = []
        for b, n in pieces:  # a python list is the cheapest way to a few hundred ids here
            ids += [b] * n
        joined = torch.tensor(ids, dtype=torch.long)
        return joined if device.type == "cpu" else joined.to(device, non_blocking=True)
    parts = [
        p if isinstance(p, Tensor) else torch.full((p[1],), p[0], dtype=torch.long, device=device)
        for p in pieces
    ]
    return torch.cat([p.to(device) for p in parts])


def _index_parts(index: Any) -> tuple[Any, ...]:
    return index if isinstance(index, tuple) else (index,)


def _rule_getitem(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """Basic and advanced indexing: ``x[:, 0]``, ``x[idx]``, ``x[(batch_idx, src_idx)]``, masks."""
    src, index = args[0], args[1]
    track = frame.get(src)
    parts = _index_parts(index)
    if track is not None and track.raw is None and track.lost is None and track.ratio is None:
        if not track.rows and track.img is not None and isinstance(out, Tensor):
            frame.set(out, Track(None, track.img, None, track.pred))  # one image's tensor, any index
            return
        if isinstance(out, Tensor) and _basic_index(frame, track, parts, src.dim(), out):
            return
    index_tracks = [frame.get(p) if isinstance(p, Tensor) else None for p in parts]
    if (track is None and all(t is None for t in index_tracks)) or not isinstance(out, Tensor):
        return
    op = "Tensor.__getitem__"
    if track is not None and (track.lost is not None or track.ratio is not None):
        if track.ratio is not None and out.numel() == 1:
            frame.set(out, track)
        elif track.pred:
            frame.set(out, Track(pred=True, lost=track.lost or op))
        return
    track = track or Track()
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
    img = track.img
    d = 0  # input dim
    e = 0  # output dim
    adv_rows: list[Tensor] = []
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
                if e is None:
                    return _lost(frame, out, track, op)
                r = track.rows[d]
                rows[e] = r if p == _FULL else r[p]
            if e is not None:
                e += 1
            d += 1
            continue
        if isinstance(p, int) or (isinstance(p, Tensor) and p.dim() == 0 and p.dtype != torch.bool):
            if d in track.rows:
                img = _merge_img(frame, img, track.rows[d][p], op)
            d += 1
            continue
        # advanced index
        ti = frame.get(p) if isinstance(p, Tensor) else None
        pt = torch.as_tensor(p) if isinstance(p, list) else p
        if pt.dtype == torch.bool:
            span = list(range(d, d + pt.dim()))
            tracked = [k for k in span if k in track.rows]
            for k in tracked:
                sizes = [src.shape[j] for j in span]
                adv_rows.append(_expand_rows(frame, track.rows[k], sizes, k - d).view(sizes)[pt])
            d += pt.dim()
            adv_ndim = max(adv_ndim, 1)
        else:
            if d in track.rows:
                r = track.rows[d]
                ident = frame.identity.get(r.device)
                adv_rows.append(pt.long() if r is ident else r[pt])
            if ti is not None and ti.rows.get(0) is not None and pt.dim() == 1:
                adv_rows.append(ti.rows[0])
            elif ti is not None and ti.img is not None and pt.dim() == 1:
                adv_rows.append(ti.img.reshape(1).expand(pt.shape[0]))
            d += 1
            adv_ndim = max(adv_ndim, pt.dim())
        if e is not None and adv_out_dim is None:
            adv_out_dim = e
            e += 1
    if e is None:
        e = 1
    # Remaining dims after the advanced block shift by the block's rank.
    if adv_rows:
        if adv_ndim != 1:
            return _lost(frame, out, track, op)
        assert adv_out_dim is not None
        first = adv_rows[0]
        for r in adv_rows[1:]:
            frame.agree(first, r, op)
        rows[adv_out_dim] = first
    for k, r in track.rows.items():
        if k >= d:
            rows[e + (k - d)] = r
    new = Track(rows=rows, img=img, pred=track.pred)
    if track.raw is not None:
        new.raw = track.raw[index]
    if not new.rows and new.img is None:
        if track.pred and (track.rows or any(t is not None for t in index_tracks)):
            return _lost(frame, out, track, op)
        return
    frame.set(out, new)


def _lost(frame: Frame, out: Tensor, track: Track, op: str) -> None:
    if track.pred:
        frame.set(out, Track(pred=True, lost=op))


def _rule_inplace(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """In-place writes (``x[idx] = v``, ``scatter_``, ``add_``): positions keep their images.

    Values are read when a loss is reduced, so a write into a tracked tensor keeps its rows; only
    remembered unweighted values or a scalar ratio would go stale, and those are dropped, as is a
    loss multiplied or divided in place by a tensor (``l *= w``: its unweighted values are gone).
    """
    target = args[0]
    track = frame.get(target) if isinstance(target, Tensor) else None
    if track is None:
        return
    if track.raw is not None or track.ratio is not None:
        if track.pred:
            frame.set(target, Track(pred=True, lost=_op_name(func)))
        else:  # data such as a normaliser: now an opaque value
            del frame.tracks[id(target)]
    elif (
        track.pred
        and func in _INPLACE_SCALE
        and len(args) > 1
        and isinstance(args[1], Tensor)
        and args[1].dim() > 0
    ):  # ``l *= w``: the unweighted values are gone, so nothing is attributed rather than guessed
        frame.set(target, Track(pred=True, lost=_op_name(func)))


def _rule_gather(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``gather``/``take_along_dim``/``index_select`` along a dim that carries no images."""
    src = args[0]
    track = frame.get(src)
    index = _get_arg(args, kwargs, 2, "index", None)
    ti = frame.get(index)
    if (track is None and ti is None) or not isinstance(out, Tensor):
        return
    d = _norm_dim(int(_get_arg(args, kwargs, 1, "dim", 0)), src.dim())
    op = _op_name(func)
    if track is not None and (track.lost is not None or track.ratio is not None or d in track.rows):
        if d in track.rows and getattr(func, "__name__", "") == "index_select" and track.lost is None and track.ratio is None:
            rows = dict(track.rows)
            rows[d] = track.rows[d][index]
            frame.set(out, Track(rows=rows, img=track.img, pred=track.pred))
            return
        return _lost(frame, out, track, op)
    parts = [(track, _identity_map(src.dim()))]
    if isinstance(index, Tensor) and getattr(func, "__name__", "") != "index_select":
        parts.append((Track(rows=ti.rows, img=ti.img) if ti is not None else None, _identity_map(index.dim())))
    new = _combine(frame, op, parts, out.shape)
    if new is not None:
        if track is not None and track.raw is not None and new.lost is None:
            new.raw = func(track.raw, *args[1:], **kwargs)
        frame.set(out, new)


def _rule_diag(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``diag``/``diagonal`` of a pairwise [M, M] matrix: both dims must name the same images."""
    src = args[0]
    track = frame.get(src)
    if track is None or not isinstance(out, Tensor):
        return
    op = _op_name(func)
    if track.lost is not None or track.ratio is not None:
        return _lost(frame, out, track, op)
    if src.dim() != 2 or out.dim() != 1:
        return _lost(frame, out, track, op)
    offset = _get_arg(args, kwargs, 1, "diagonal" if getattr(func, "__name__", "") == "diag" else "offset", 0)
    if offset != 0 or src.shape[0] != src.shape[1]:
        return _lost(frame, out, track, op)
    r0, r1 = track.rows.get(0), track.rows.get(1)
    if r0 is not None and r1 is not None:
        frame.agree(r0, r1, op)
    rows = {0: r0 if r0 is not None else r1} if (r0 is not None or r1 is not None) else {}
    new = Track(rows=rows, img=track.img, pred=track.pred)  # type: ignore[arg-type]
    if track.raw is not None:
        new.raw = func(track.raw, *args[1:], **kwargs)
    frame.set(out, new)


def _rule_matmul(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """2-d / batched matrix products: output rows from ``a``'s rows, columns from ``b``'s."""
    a, b = args[0], args[1]
    ta, tb = frame.get(a), frame.get(b)
    if (ta is None and tb is None) or not isinstance(out, Tensor):
        return
    op = _op_name(func)
    parts = []
    for x, t, contract in ((a, ta, -1), (b, tb, -2)):
        if t is None or not isinstance(x, Tensor):
            continue
        if x.dim() < 2:
            return _lost(frame, out, t, op) if t.pred else None
        nd = x.dim()
        dim_map: dict[int, int | None] = {}
        for k in range(nd):
            if k == nd + contract:
                dim_map[k] = None
            elif k >= nd - 2:
                dim_map[k] = out.dim() - 2 + (0 if contract == -1 else 1)
            else:
                dim_map[k] = k + out.dim() - nd
        parts.append((t, dim_map))
    new = _combine(frame, op, parts, out.shape)
    if new is not None and new.lost is None and ((ta is not None and ta.raw is not None) or (tb is not None and tb.raw is not None)):
        new = Track(pred=True, lost=op)
    if new is not None:
        frame.set(out, new)


def _rule_cdist(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    a, b = args[0], args[1]
    ta, tb = frame.get(a), frame.get(b)
    if (ta is None and tb is None) or not isinstance(out, Tensor):
        return
    parts = []
    for x, t, target in ((a, ta, out.dim() - 2), (b, tb, out.dim() - 1)):
        if t is None:
            continue
        nd = x.dim()
        parts.append((t, {k: (target if k == nd - 2 else None if k == nd - 1 else k) for k in range(nd)}))
    new = _combine(frame, _op_name(func), parts, out.shape)
    if new is not None:
        frame.set(out, new)


# -- losses computed and reduced inside one call ---------------------------------------------------


def _loss_parts(
    func: Any, args: tuple, kwargs: dict
) -> tuple[Tensor, Any, str, Callable[..., Tensor], dict[str, Any]]:
    sig = _LOSS_SIGNATURES[func]
    bound: dict[str, Any] = dict(zip(sig, args))
    bound.update(kwargs)
    reduction = bound.pop("reduction", "mean")
    if bound.pop("size_average", None) is not None or bound.pop("reduce", None) is not None:
        raise _Unsupported("legacy size_average/reduce arguments")
    inp = bound.pop("input")
    target = bound.pop("target")
    return inp, target, reduction, func, bound


class _Unsupported(Exception):
    pass


def _broadcast_shape(a: Sequence[int], b: Sequence[int]) -> list[int]:
    """``torch.broadcast_shapes`` for two shapes that broadcast (the loss already checked)."""
    n = max(len(a), len(b))
    a, b = [1] * (n - len(a)) + list(a), [1] * (n - len(b)) + list(b)
    return [x if y == 1 else y for x, y in zip(a, b)]


def _class_dim_map(inp: Tensor, out_ndim: int) -> dict[int, int | None]:
    # [N, C, d1, ...] -> [N, d1, ...]; [C] -> []
    if inp.dim() == 1:
        return {0: None}
    return {k: (None if k == 1 else k if k == 0 else k - 1) for k in range(inp.dim())}


def _rule_loss(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``F.*_loss``: element-wise values, or a Ratio for ``mean``/``sum`` computed on the side."""
    if not isinstance(out, Tensor):
        return
    inp, target, reduction, fn, extra = _loss_parts(func, args, kwargs)
    ti, tt = frame.get(inp), frame.get(target)
    if ti is None and tt is None:
        return
    op = _op_name(func)
    lost = next((t.lost for t in (ti, tt) if t is not None and t.lost is not None), None)
    if lost is not None or any(t is not None and t.ratio is not None for t in (ti, tt)):
        frame.set(out, Track(pred=True, lost=lost or op))
        return
    classes = func in _CLASS_LOSSES
    if classes:
        shape = [inp.shape[0], *inp.shape[2:]] if inp.dim() > 1 else []
    else:
        shape = _broadcast_shape(inp.shape, target.shape)
    parts = []
    if isinstance(inp, Tensor):
        in_map = _class_dim_map(inp, len(shape)) if classes else _broadcast_map(inp.dim(), len(shape))
        parts.append((_without_raw(ti), in_map))
    if isinstance(target, Tensor) and target.dim() == len(shape):
        parts.append((_without_raw(tt), _identity_map(target.dim())))
    elif isinstance(target, Tensor) and not classes:
        parts.append((_without_raw(tt), _broadcast_map(target.dim(), len(shape))))
    new = _combine(frame, op, parts, shape)
    if new is None or new.lost is not None:
        frame.set(out, new or Track(pred=True, lost=op))
        return
    new.pred = True
    weight = extra.get("weight")
    row_weight = (
        not classes
        and isinstance(weight, Tensor)
        and not _is_pred(weight, frame.get(weight))
        and _per_row(weight, new.rows, shape)
    )
    if reduction == "none" and not row_weight:
        frame.set(out, new)
        return
    side = {k: v.detach() if isinstance(v, Tensor) else v for k, v in extra.items() if not (row_weight and k == "weight")}
    plain_target = target.detach() if isinstance(target, Tensor) else target
    values = fn(inp.detach(), plain_target, reduction="none", **side)
    if row_weight and isinstance(weight, Tensor):  # a per-row factor: taken as 1 (0 stays 0)
        values = values * (weight.detach() != 0)
        _note_factor(frame, weight, new, len(shape))
    if reduction == "none":
        new.raw = values
        frame.set(out, new)
        return
    if len(new.rows) > 1 or (not new.rows and new.img is None):
        frame.set(out, Track(pred=True, lost=op))
        return
    if new.rows:
        ((d, rows),) = new.rows.items()
    else:
        d, rows = -1, new.img.reshape(1)  # type: ignore[union-attr]
    integer_target = classes and isinstance(target, Tensor) and not target.is_floating_point()
    if reduction == "sum":  # for a later ``/ Z``, rows are the non-ignored ones
        ignore = {"ignore_index": extra.get("ignore_index", -100)}
        ratio = Ratio(values, rows, d, "sum", _class_den(target, ignore, values) if integer_target else None)
    elif reduction == "batchmean":
        ratio = Ratio(values, rows, d, "sum").scaled(divisor=float(inp.shape[0]))
    elif reduction == "mean" and integer_target:  # class weights and ignore_index set the mean's den
        ratio = Ratio(values, rows, d, "wmean", _class_den(target, extra, values))
    elif reduction == "mean":
        ratio = Ratio(values, rows, d, "mean")
    else:
        frame.set(out, Track(pred=True, lost=f"{op}(reduction={reduction!r})"))
        return
    ratio.plain = not row_weight
    frame.set(out, Track(pred=True, ratio=ratio.compact()))


def _without_raw(track: Track | None) -> Track | None:
    if track is None or track.raw is None:
        return track
    return Track(rows=track.rows, img=track.img, pred=track.pred)


def _class_den(target: Tensor, extra: dict[str, Any], none_out: Tensor) -> Tensor:
    """Per-element denominators of a class-weighted / ignore_index mean: ``w[y]``, 0 if ignored."""
    ignore = extra.get("ignore_index", -100)
    valid = target != ignore
    weight = extra.get("weight")
    if weight is None:
        return valid.to(none_out.dtype)
    safe = torch.where(valid, target, torch.zeros_like(target))
    return weight.detach()[safe].to(none_out.dtype) * valid


# -- the registry ----------------------------------------------------------------------------------

T = torch.Tensor
_NEG = {T.neg, T.__neg__, torch.neg, torch.negative}
_CLAMP = {T.clamp, torch.clamp, T.clamp_min, torch.clamp_min, T.clip, torch.clip}
_BOOL_RESULT = {T.isfinite, T.isnan, T.isinf, torch.isfinite, torch.isnan, torch.isinf, T.logical_not, torch.logical_not, T.bool, T.long, T.int, T.sign, torch.sign}
_BINARY_KIND: dict[Any, str] = {
    **dict.fromkeys((T.add, T.__add__, T.__radd__, torch.add), "add"),
    **dict.fromkeys((T.mul, T.__mul__, T.__rmul__, torch.mul, torch.multiply), "mul"),
    **dict.fromkeys(
        (T.div, T.__truediv__, T.true_divide, torch.div, torch.divide, torch.true_divide), "div"
    ),
    **dict.fromkeys(
        (T.eq, T.ne, T.lt, T.le, T.gt, T.ge, T.__eq__, T.__ne__, T.__lt__, T.__le__, T.__gt__,
         T.__ge__, torch.eq, torch.ne, torch.lt, torch.le, torch.gt, torch.ge),
        "cmp",
    ),
    **dict.fromkeys(
        (T.__and__, T.__or__, T.__xor__, T.logical_and, T.logical_or, torch.logical_and,
         torch.logical_or),
        "logic",
    ),
}

_REDUCE_KIND: dict[Any, str] = {T.sum: "sum", torch.sum: "sum", T.mean: "mean", torch.mean: "mean",
                                T.nansum: "sum", torch.nansum: "sum"}
_SHAPE_NEUTRAL_REDUCE = {T.sum, torch.sum, T.mean, torch.mean}

_LOSS_SIGNATURES: dict[Any, tuple[str, ...]] = {
    F.cross_entropy: ("input", "target", "weight", "size_average", "ignore_index", "reduce", "reduction", "label_smoothing"),
    F.nll_loss: ("input", "target", "weight", "size_average", "ignore_index", "reduce", "reduction"),
    F.binary_cross_entropy: ("input", "target", "weight", "size_average", "reduce", "reduction"),
    F.binary_cross_entropy_with_logits: ("input", "target", "weight", "size_average", "reduce", "reduction", "pos_weight"),
    F.l1_loss: ("input", "target", "size_average", "reduce", "reduction"),
    F.mse_loss: ("input", "target", "size_average", "reduce", "reduction"),
    F.smooth_l1_loss: ("input", "target", "size_average", "reduce", "reduction", "beta"),
    F.huber_loss: ("input", "target", "reduction", "delta"),
    F.kl_div: ("input", "target", "size_average", "reduce", "reduction", "log_target"),
}
_CLASS_LOSSES = {F.cross_entropy, F.nll_loss}

_SETITEM = T.__setitem__
_INPLACE_SCALE = {T.mul_, T.div_, T.__imul__, T.__itruediv__}
_MT = T.mT.__get__  # type: ignore[attr-defined]
RULES: dict[Any, Rule] = {}


def register(funcs: Sequence[Any], rule: Rule) -> None:
    """Add ``rule`` for each of ``funcs``; one function with two different rules is a bug.

    Aliases (``Tensor.__abs__`` is ``Tensor.abs``) may be listed under the same rule twice.
    """
    for f in funcs:
        if RULES.get(f, rule) is not rule:
            raise RuntimeError(f"losssplit: {f!r} already has the rule {RULES[f].__name__}")
        RULES[f] = rule


register(
    [T.clone, T.contiguous, T.detach, T.to, T.float, T.double, T.half, T.bfloat16, T.cpu, T.cuda,
     T.type_as, T.requires_grad_, torch.clone, torch.detach, T.view_as, T.reshape_as,
     T.data.__get__],  # type: ignore[attr-defined]
    _rule_passthrough,
)
register(
    [T.abs, T.__abs__, torch.abs, T.neg, T.__neg__, torch.neg, torch.negative, T.exp, torch.exp,
     T.log, torch.log, T.log1p, torch.log1p, T.sigmoid, torch.sigmoid, T.sqrt, torch.sqrt, T.rsqrt,
     torch.rsqrt, T.square, torch.square, T.tanh, torch.tanh, T.relu, torch.relu, T.clamp,
     torch.clamp, T.clamp_min, torch.clamp_min, T.clamp_max, torch.clamp_max, T.clip, torch.clip,
     T.reciprocal, torch.reciprocal, T.sign, torch.sign, T.floor, torch.floor, T.ceil, torch.ceil,
     T.round, torch.round, T.logical_not, torch.logical_not, T.isfinite, torch.isfinite, T.isnan,
     torch.isnan, T.isinf, torch.isinf, T.nan_to_num, torch.nan_to_num, T.bool, T.long, T.int,
     T.sin, torch.sin, T.cos, torch.cos, T.atan, torch.atan, T.exp2, T.expm1, torch.expm1, T.log2,
     torch.log2, T.log10, torch.log10, T.pow, T.__pow__, torch.pow, F.relu, F.sigmoid, F.softplus,
     F.logsigmoid, F.silu, F.gelu, F.elu, F.leaky_relu, F.tanh, T.float_power, T.__invert__,
     T.erf, torch.erf],
    _rule_unary,
)
register(
    [T.add, T.__add__, T.__radd__, torch.add, T.sub, T.__sub__, T.__rsub__, torch.sub,
     torch.subtract, torch.rsub, T.mul, T.__mul__, T.__rmul__, torch.mul, torch.multiply, T.div,
     T.__truediv__, T.__rtruediv__, T.true_divide, torch.div, torch.divide, torch.true_divide,
     T.__rpow__, T.maximum, torch.maximum, T.minimum, torch.minimum, T.eq, T.ne, T.lt, T.le, T.gt,
     T.ge, T.__eq__, T.__ne__, T.__lt__, T.__le__, T.__gt__, T.__ge__, torch.eq, torch.ne,
     torch.lt, torch.le, torch.gt, torch.ge, T.__and__, T.__or__, T.__xor__, T.logical_and,
     T.logical_or, torch.logical_and, torch.logical_or, T.atan2, torch.atan2, T.xlogy, torch.xlogy,
     T.__floordiv__, T.__mod__, T.fmod, T.remainder],
    _rule_binary,
)
register([torch.where, T.where], _rule_where)
register([T.masked_fill, torch.masked_fill], _rule_masked_fill)
register(
    [T.sum, torch.sum, T.mean, torch.mean, T.nansum, torch.nansum, T.amax, torch.amax, T.amin,
     torch.amin, T.argmax, torch.argmax, T.argmin,
     torch.argmin, T.norm, torch.norm, T.logsumexp, torch.logsumexp, T.all, torch.all, T.any,
     torch.any, T.prod, torch.prod, T.std, torch.std, T.var, torch.var, T.count_nonzero,
     torch.count_nonzero],
    _rule_reduce,
)
register([T.max, torch.max, T.min, torch.min], _rule_max)
register([F.softmax, F.log_softmax, T.softmax, T.log_softmax, torch.softmax, torch.log_softmax], _rule_softmax)
register([T.view, T.reshape, torch.reshape, T.flatten, torch.flatten], _rule_view)
register(
    [T.transpose, torch.transpose, T.permute, torch.permute, T.t, torch.t, T.movedim,
     torch.movedim, T.unsqueeze, torch.unsqueeze, T.squeeze, torch.squeeze, T.swapaxes,
     T.T.__get__, T.mT.__get__],  # type: ignore[attr-defined]
    _rule_permute,
)
register([T.expand, T.expand_as], _rule_expand)
register([torch.zeros_like, torch.ones_like, torch.full_like, torch.empty_like, torch.rand_like, torch.randn_like], _rule_like)
register([T.unbind, torch.unbind, T.split, torch.split, T.chunk, torch.chunk], _rule_split)
register([torch.cat, torch.concat, torch.concatenate, torch.stack], _rule_cat)
register([T.__getitem__], _rule_getitem)
register(
    [T.__setitem__, T.index_put_, T.scatter_, T.scatter_add_, T.masked_fill_, T.mul_, T.add_,
     T.sub_, T.div_, T.copy_, T.fill_, T.zero_, T.clamp_, T.__iadd__, T.__imul__, T.__isub__,
     T.__itruediv__, T.index_add_, T.masked_scatter_],
    _rule_inplace,
)
register([T.gather, torch.gather, torch.take_along_dim, T.take_along_dim, T.index_select, torch.index_select], _rule_gather)
register([torch.diag, T.diag, torch.diagonal, T.diagonal], _rule_diag)
register([torch.matmul, T.matmul, T.__matmul__, torch.mm, T.mm, torch.bmm, T.bmm], _rule_matmul)
register([torch.cdist], _rule_cdist)
register(list(_LOSS_SIGNATURES), _rule_loss)

# Ops whose tensor outputs carry nothing to attribute (fresh data, bookkeeping).
KNOWN_IGNORED = {
    T.new_zeros, T.new_ones, T.new_full, T.new_empty, T.new_tensor, torch.tensor, torch.as_tensor,
    torch.zeros, torch.ones, torch.full, torch.empty, torch.arange, torch.randperm, torch.rand,
    torch.randn, torch.randint, torch.linspace, T.nonzero, torch.nonzero, T.unique, torch.unique,
    T.numpy, T.tolist, T.item, T.retain_grad, T.register_hook, T.backward,
}


class CaptureMode(TorchFunctionMode):
    """Runs every op unchanged; records tracks for the rules in ``RULES``."""

    def __init__(self, frame: Frame) -> None:
        super().__init__()
        self.frame = frame

    def __torch_function__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        frame = self.frame
        if frame.error is not None or not frame.tracks:
            return out
        if (
            not isinstance(out, Tensor)
            and not (isinstance(out, (tuple, list)) and out and isinstance(out[0], Tensor))
            and func is not _SETITEM
        ):
            return out
        rule = RULES.get(func)
        if kwargs and kwargs.get("out") is not None:
            rule = None  # a rule would replay the op into the user's buffer: follow nothing here
        try:
            # Side computations use detached tensors only, so no grad-mode switch is needed here.
            with torch._C.DisableTorchFunction():
                if rule is not None:
                    rule(frame, func, args, kwargs, out)
                elif func not in KNOWN_IGNORED:
                    _rule_unknown(frame, func, args, kwargs, out)
        except _Unsupported as exc:
            _mark_lost(frame, out, f"{_op_name(func)} ({exc})")
        except Exception as exc:  # noqa: BLE001 - a bug here must never break training
            frame.error = exc
            frame.error_op = _op_name(func)
        return out


def _rule_unknown(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    for x in _flat_args(args, kwargs):
        t = frame.get(x)
        if t is not None and t.pred:
            _mark_lost(frame, out, _op_name(func))
            return


def _mark_lost(frame: Frame, out: Any, op: str) -> None:
    for o in _tensors(out) if isinstance(out, (tuple, list)) else [out]:
        if isinstance(o, Tensor):
            frame.set(o, Track(pred=True, lost=op))


def _flat_args(args: tuple, kwargs: dict) -> list[Any]:
    flat: list[Any] = []
    for a in list(args) + list(kwargs.values()):
        if isinstance(a, (list, tuple)):
            flat.extend(a)
        else:
            flat.append(a)
    return flat


# -- tagging the call's inputs -------------------------------------------------------------------


def tag_inputs(frame: Frame, args: Sequence[Any], kwargs: dict[str, Any], per_image: Any) -> int:
    """Tag tensors of the call's arguments; returns how many were tagged.

    ``per_image`` is the list of per-image target dicts (every tensor in item ``b`` is image
    ``b``), or ``None``. Other batch-first tensors -- top-level tensor arguments and tensors in
    top-level dicts (model outputs, nested ``aux_outputs`` included) -- whose first dimension is
    the number of images get rows ``0..B-1`` along dim 0.
    """
    count = 0
    for value in list(args) + list(kwargs.values()):
        if value is per_image and per_image is not None:
            for b, item in enumerate(per_image):
                for t in _walk(item, 0):
                    frame.set(t, Track(img=frame.image(b, t.device), pred=t.requires_grad))
                    count += 1
        elif isinstance(value, Tensor):
            count += _tag_batch_first(frame, value, nested=False)
        elif isinstance(value, dict) or (hasattr(value, "items") and hasattr(value, "keys")):
            for t in _walk(value, 0):
                count += _tag_batch_first(frame, t, nested=True)
    return count


def _tag_batch_first(frame: Frame, t: Tensor, nested: bool) -> int:
    if t.dim() == 0 or t.shape[0] != frame.num_images or frame.get(t) is not None:
        return 0
    # Float tensors in a dict argument are model outputs (also under no_grad); a top-level float
    # tensor may be per-sample weights, so it counts as a prediction only when it requires grad.
    pred = t.requires_grad or (nested and t.is_floating_point())
    frame.set(t, Track(rows={0: frame.arange(t.device)}, pred=pred))
    return 1


def _walk(obj: Any, depth: int) -> list[Tensor]:
    if isinstance(obj, Tensor):
        return [obj]
    if depth > 4:
        return []
    if isinstance(obj, dict) or (hasattr(obj, "items") and hasattr(obj, "keys")):
        return [t for v in obj.values() for t in _walk(v, depth + 1)]
    if isinstance(obj, (list, tuple)):
        return [t for v in obj for t in _walk(v, depth + 1)]
    return []


def describe_inputs(args: Sequence[Any], kwargs: dict[str, Any]) -> str:
    """Names and shapes of the tensor arguments, for error messages."""
    parts = []
    names = [f"arg{i}" for i in range(len(args))] + list(kwargs)
    for name, value in zip(names, list(args) + list(kwargs.values())):
        tensors = _walk(value, 0)
        if isinstance(value, Tensor):
            parts.append(f"{name} {tuple(value.shape)}")
        elif tensors:
            shapes = ", ".join(str(tuple(t.shape)) for t in tensors[:4])
            more = ", ..." if len(tensors) > 4 else ""
            parts.append(f"{name} [{shapes}{more}]")
    return "; ".join(parts) or "no tensor arguments"


