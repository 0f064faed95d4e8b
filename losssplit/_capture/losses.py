"""Loss-function rules: ``F.*`` losses, element-wise (``reduction='none'``) or reduced inside.

A loss reduced inside the call needs its ``reduction='none'`` values (detached) so that they, and
the denominator its reduction used, split by group. A class loss reads them at the targets: from
the log-probabilities its autograd node saved (cross entropy), or without a graph from those of
the call itself, run as its two ops (``cross_entropy_parts``); from its input (``nll_loss``);
otherwise it recomputes them in row chunks of bounded size, never a second logits-sized buffer.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F

from .elementwise import class_weighted, ignored_labels
from .formulas import scalar_loss
from .mode import (
    RUNNERS,
    Frame,
    Tensor,
    Track,
    broadcast_map,
    combine,
    identity_map,
    lost_track,
    op_name,
    positional_operand,
    rule,
    to_device,
    unweighted_operand,
    weight_in_arguments,
)
from .ratio import Ratio, RatioKind


def _reduction(bound: dict[str, Any]) -> str:
    """The reduction a loss call makes, popped from ``bound``: ``reduction=``, unless the legacy
    ``size_average`` / ``reduce`` are given, which decide instead as in torch (each None read as
    True: ``reduce=False`` none, else ``size_average=False`` sum, else mean)."""
    reduction = bound.pop("reduction", "mean")
    size_average, reduce = bound.pop("size_average", None), bound.pop("reduce", None)
    if size_average is None and reduce is None:
        return reduction
    if reduce is not None and not reduce:
        return "none"
    return "sum" if size_average is not None and not size_average else "mean"


def _loss_parts(bound: dict[str, Any]) -> tuple[Tensor, Any, str, dict[str, Any]]:
    reduction = _reduction(bound)
    inp = bound.pop("input")
    target = bound.pop("target")
    return inp, target, reduction, bound


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


_CLASS_LOSSES: dict[Any, tuple[str, ...]] = {
    F.cross_entropy: ("input", "target", "weight", "size_average", "ignore_index", "reduce", "reduction", "label_smoothing"),
    F.nll_loss: ("input", "target", "weight", "size_average", "ignore_index", "reduce", "reduction"),
}
_ELEMENTWISE_LOSSES: dict[Any, tuple[str, ...]] = {
    F.binary_cross_entropy: ("input", "target", "weight", "size_average", "reduce", "reduction"),
    F.binary_cross_entropy_with_logits: ("input", "target", "weight", "size_average", "reduce", "reduction", "pos_weight"),
    F.l1_loss: ("input", "target", "size_average", "reduce", "reduction"),
    F.mse_loss: ("input", "target", "size_average", "reduce", "reduction"),
    F.smooth_l1_loss: ("input", "target", "size_average", "reduce", "reduction", "beta"),
    F.huber_loss: ("input", "target", "reduction", "delta"),
    F.soft_margin_loss: ("input", "target", "size_average", "reduce", "reduction"),
    F.hinge_embedding_loss: ("input", "target", "margin", "size_average", "reduce", "reduction"),
    F.poisson_nll_loss: ("input", "target", "log_input", "full", "size_average", "eps", "reduce", "reduction"),
    F.kl_div: ("input", "target", "size_average", "reduce", "reduction", "log_target"),
}


@rule(*_CLASS_LOSSES)
def class_loss(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``F.cross_entropy`` / ``F.nll_loss``: input ``[N, C, d1...]``, one value per ``[N, d1...]``;
    class weights and ``ignore_index`` set a mean's denominator."""
    _loss(frame, func, _bind(_CLASS_LOSSES[func], args, kwargs), out, True)


@rule(*_ELEMENTWISE_LOSSES)
def elementwise_loss(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``F.l1_loss``, BCE, ``F.kl_div``...: one value per broadcast element; a per-row
    ``weight=`` is set aside as 1."""
    _loss(frame, func, _bind(_ELEMENTWISE_LOSSES[func], args, kwargs), out, False)


def _bind(signature: tuple[str, ...], args: tuple, kwargs: dict) -> dict[str, Any]:
    bound: dict[str, Any] = dict(zip(signature, args))
    bound.update(kwargs)
    return bound


def _loss(frame: Frame, func: Any, bound: dict[str, Any], out: Any, classes: bool) -> None:
    """Element-wise values, or a Ratio for ``mean``/``sum`` computed on the side."""
    if not isinstance(out, Tensor):
        return
    inp, target, reduction, extra = _loss_parts(bound)
    ti, tt = frame.get(inp), frame.get(target)
    if ti is None and tt is None:
        return
    op = op_name(func)
    lost = next((t.lost_at for t in (ti, tt) if t is not None and t.lost_at is not None), None)
    if lost is not None or any(t is not None and t.ratio is not None for t in (ti, tt)):
        made = None if lost is not None or classes else scalar_loss(frame, func, inp, ti, target, tt, reduction, extra, out)
        if made is not None:  # ``F.binary_cross_entropy(precision, torch.ones_like(precision))``
            frame.set(out, made)
        else:
            frame.lose(out, lost or op)
        return
    for name, v in extra.items():  # class weights, ``pos_weight``, ``weight=`` of the batch's statistics
        te = frame.get(v) if isinstance(v, Tensor) else None
        if te is not None and (te.lost_at is not None or te.ratio is not None):
            frame.lose(out, f"{op} with {name}= of values that mix images" + (f" (lost at {te.lost_at})" if te.lost_at else ""))
            return
    if classes:
        shape = [inp.shape[0], *inp.shape[2:]] if inp.dim() > 1 else []
    else:
        shape = _broadcast_shape(inp.shape, target.shape)
    parts = []
    in_map = None
    if isinstance(inp, Tensor):
        in_map = _class_dim_map(inp, len(shape)) if classes else broadcast_map(inp.dim(), len(shape))
        parts.append((_without_unweighted(ti), in_map))
    if isinstance(target, Tensor) and target.dim() == len(shape):
        parts.append((_without_unweighted(tt), identity_map(target.dim())))
    elif isinstance(target, Tensor) and not classes:
        parts.append((_without_unweighted(tt), broadcast_map(target.dim(), len(shape))))
    new = _loss_track(frame, op, parts, shape, out)
    if new is None:
        return
    if tt is None and isinstance(target, Tensor) and frame.positional and new.rows:
        # targets of the images' positions (``torch.tensor([i for i, _ in enumerate(targets)])``)
        positional_operand(frame, target, new.rows, shape, op)
    # The values with the weight field set to 1: inputs' unweighted values, and a per-row
    # ``weight=`` that is the weight field (tracked, or recognised by value) taken as 1.
    args_u = {
        k: unweighted_operand(frame, v, frame.get(v), new.rows, shape, op, k == "weight" and not classes)
        for k, v in extra.items()
    }
    inp_u = unweighted_operand(frame, inp, ti, new.rows, shape, op, False)
    target_u = unweighted_operand(frame, target, tt, new.rows, shape, op, False)
    integer_target = classes and isinstance(target, Tensor) and not target.is_floating_point()
    # what the rule does not count as 1: BCE's ``weight=`` is (set aside above, or checked there
    # when filled with a weight); constant class weights cancel in a mean over integer targets
    counted = ("weight",) if integer_target and reduction == "mean" else ()
    arguments = [(k, v, None if classes or not isinstance(v, Tensor) or v.dim() > len(shape)
                  else broadcast_map(v.dim(), len(shape)))
                 for k, v in extra.items()
                 if k not in counted and not (k == "weight" and not classes and (args_u[k] is not v or _filled(frame, v)))]
    if ti is None:
        arguments.append(("input", inp, in_map))
    if tt is None and isinstance(target, Tensor) and target.dim() <= len(shape):
        arguments.append(("target", target, broadcast_map(target.dim(), len(shape))))
    declined = weight_in_arguments(frame, op, arguments, new.rows)
    if declined is not None:
        frame.lose(out, declined)
        return
    changed = inp_u is not inp or target_u is not target or any(args_u[k] is not v for k, v in extra.items())
    if reduction == "none" and not changed:
        frame.set(out, new)
        if integer_target:
            _labels_counted(frame, out, target, extra)
        return
    side = {k: v.detach() if isinstance(v, Tensor) else v for k, v in args_u.items()}
    # the non-ignored targets, read once for the denominators (a pass over every token)
    valid = target != extra.get("ignore_index", -100) if integer_target and reduction != "none" else None
    values = _none_values(func, _detached(inp_u), _detached(target_u), side, None if changed else (inp, out), classes,
                          frame.ran)
    if reduction == "none":
        new.unweighted = values
        frame.set(out, new)
        if integer_target:
            _labels_counted(frame, out, target, extra)
        return
    new = _rows_of_one_image(frame, new)
    if len(new.rows) > 1 or (not new.rows and new.image is None):
        frame.lose(out, op)
        return
    host_image = None
    if new.rows:
        ((d, rows),) = new.rows.items()
        host_image = frame.rows_image(rows)  # rows all one image's, known on the host (``x[i, idx]``)
    else:
        assert new.image is not None  # by the condition above
        d, rows = -1, new.image.reshape(1)
        host_image = frame.image_ids.get(id(new.image))
    if reduction == "sum":  # for a later ``/ Z``, rows are the non-ignored ones
        ignore = {"ignore_index": extra.get("ignore_index", -100)}
        den = _class_den(target, ignore, values, valid) if integer_target else None
        ratio = Ratio.of(values, rows, d, RatioKind.SUM, den, host_image)
    elif reduction == "batchmean" and d == 0:  # sum / input.size(0): the group's rows
        ratio = Ratio.of(values, rows, d, RatioKind.ROW_MEAN, host_image=host_image)
    elif reduction == "batchmean":  # size(0) carries no images (time-major): a constant
        ratio = Ratio.of(values, rows, d, RatioKind.SUM, host_image=host_image).scaled(scale=1.0 / inp.shape[0])
    elif reduction == "mean" and integer_target:  # class weights and ignore_index set the mean's den
        weights_u = {**extra, "weight": args_u.get("weight")}
        ratio = Ratio.of(values, rows, d, RatioKind.WEIGHTED_MEAN, _class_den(target, weights_u, values, valid), host_image)
    elif reduction == "mean":
        ratio = Ratio.of(values, rows, d, RatioKind.MEAN, host_image=host_image)
    else:
        frame.lose(out, f"{op}(reduction={reduction!r})")
        return
    frame.set(out, Track(from_prediction=True, ratio=ratio.compact(frame.tokens)))


def _labels_counted(frame: Frame, out: Tensor, target: Tensor, extra: dict[str, Any]) -> None:
    """What a sum of a per-label loss ``out`` counts: its non-ignored labels, and with class
    weights, their weights (the denominator of its mean)."""
    ignore_index = extra.get("ignore_index", -100)
    ignored_labels(frame, out, target, ignore_index)
    if extra.get("weight") is not None:
        class_weighted(frame, out, target, extra["weight"], ignore_index)


# Losses of several operands: (operand names, whether their last dim is a vector dim reduced per
# row), then the keyword options they take.
_OPERAND_LOSSES: dict[Any, tuple[tuple[str, ...], bool, tuple[str, ...]]] = {
    F.triplet_margin_loss: (("anchor", "positive", "negative"), True,
                            ("margin", "p", "eps", "swap", "size_average", "reduce", "reduction")),
    F.cosine_embedding_loss: (("input1", "input2", "target"), True, ("margin", "size_average", "reduce", "reduction")),
    F.triplet_margin_with_distance_loss: (("anchor", "positive", "negative"), True,
                                          ("distance_function", "margin", "swap", "reduction")),
    F.margin_ranking_loss: (("input1", "input2", "target"), False, ("margin", "size_average", "reduce", "reduction")),
    F.gaussian_nll_loss: (("input", "target", "var"), False, ("full", "eps", "reduction")),
    F.multilabel_soft_margin_loss: (("input", "target"), True, ("weight", "size_average", "reduce", "reduction")),
    F.multi_margin_loss: (("input", "target"), True, ("p", "margin", "weight", "size_average", "reduce", "reduction")),
}


@rule(*_OPERAND_LOSSES)
def operand_loss(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``F.triplet_margin_loss``, ``F.cosine_embedding_loss``, ``F.multilabel_soft_margin_loss``,
    ``F.multi_margin_loss`` (vectors along the last dim, one value per row), and
    ``F.margin_ranking_loss``, ``F.gaussian_nll_loss`` (element-wise): rows of the operands; a mean
    or sum made inside is a ``Ratio`` of the values recomputed with ``reduction='none'``. Class
    weights (``weight=`` over the last dim) are data; a ``weight=`` that is tracked or per row is
    declined, as is the weight field as any argument (``weight_in_arguments``)."""
    if not isinstance(out, Tensor):
        return
    names, vector, options = _OPERAND_LOSSES[func]
    bound = _bind(names + options, args, kwargs)
    operands = [(n, bound[n]) for n in names if isinstance(bound.get(n), Tensor)]
    tracks = [frame.get(x) for _, x in operands]
    if all(t is None for t in tracks):
        return
    op = op_name(func)
    reduction = _reduction(bound)
    # every operand given (a number is data: gaussian_nll_loss's var=)
    if any(n not in bound for n in names) or any(t is not None and t.ratio is not None for t in tracks):
        frame.lose(out, op)
        return
    if func is F.triplet_margin_with_distance_loss and not _distance_by_row(bound):
        frame.lose(out, f"{op} with a distance_function not shown to give each row its own distance")
        return
    if func is F.triplet_margin_with_distance_loss and _holds_call_values(frame, bound.get("distance_function")):
        frame.lose(out, f"{op} with a distance_function holding a value of the call")
        return
    side = {k: v for k, v in bound.items() if k not in names}
    weight = side.get("weight")
    if isinstance(weight, Tensor) and (frame.get(weight) is not None or weight.dim() > 1):
        frame.lose(out, f"{op} with a weight= per row")
        return
    # tracked operands' values with the weight field set to 1 (untracked ones are data as they are)
    unweighted = {n: t.unweighted if t is not None and t.unweighted is not None else x
                  for (n, x), t in zip(operands, tracks, strict=True)}
    changed = any(unweighted[n] is not x for n, x in operands)
    given = {n: _detached(unweighted.get(n, bound[n])) for n in names}
    values = func(**given, reduction="none", **side) if changed or reduction != "none" else out
    shape = list(values.shape)
    parts = []
    for (n, x), t in zip(operands, tracks, strict=True):
        if vector and x.dim() == len(shape) + 1:  # [N, D] -> [N]
            parts.append((_without_unweighted(t), {k: (None if k == x.dim() - 1 else k) for k in range(x.dim())}))
        elif n == "var" and x.shape != bound["input"].shape and x.shape == bound["input"].shape[:-1]:
            # gaussian_nll_loss reads a var one dim short as the input's leading dims (unsqueezed)
            parts.append((_without_unweighted(t), identity_map(x.dim())))
        else:
            parts.append((_without_unweighted(t), broadcast_map(x.dim(), len(shape))))
    new = _loss_track(frame, op, parts, shape, out)
    if new is None:
        return
    # none counts the weight field as 1: class weights are data (these means do not divide by them)
    maps = {n: m for ((n, _), t), (_, m) in zip(zip(operands, tracks, strict=True), parts, strict=True) if t is None}
    arguments = [(k, v, maps.get(k)) for k, v in bound.items() if k in maps or k not in dict(operands)]
    declined = weight_in_arguments(frame, op, arguments, new.rows)
    if declined is not None:
        frame.lose(out, declined)
        return
    if reduction == "none":
        if changed:
            new.unweighted = values
        frame.set(out, new)
        return
    new = _rows_of_one_image(frame, new)
    if reduction not in ("mean", "sum") or len(new.rows) > 1 or (not new.rows and new.image is None):
        frame.lose(out, f"{op}(reduction={reduction!r})" if reduction not in ("mean", "sum") else op)
        return
    kind = RatioKind.MEAN if reduction == "mean" else RatioKind.SUM
    if new.rows:
        ((d, rows),) = new.rows.items()
        ratio = Ratio.of(values, rows, d, kind)
    else:
        assert new.image is not None  # by the condition above
        ratio = Ratio.of(values, new.image.reshape(1), -1, kind, host_image=frame.image_ids.get(id(new.image)))
    frame.set(out, Track(from_prediction=True, ratio=ratio.compact(frame.tokens)))


#: Bytes of input per chunk when a class loss's element-wise values are recomputed.
CHUNK_BYTES = 4 * 2**20


def _none_values(
    func: Any, inp: Any, target: Any, side: dict[str, Any], graph: tuple[Tensor, Tensor] | None, classes: bool,
    ran: tuple[Tensor, Tensor, Tensor] | None = None,
) -> Tensor:
    """``func(inp, target, reduction='none', **side)``, detached, without a logits-sized temporary
    for class losses. ``graph``: the call's own input and output, when the values are those of
    that call (nothing set to 1), so that the output's autograd node, or the log-probabilities
    ``cross_entropy_parts`` kept (``ran``), may be read."""
    if not classes or not isinstance(inp, Tensor) or inp.dim() < 2:
        return func(inp, target, reduction="none", **side)
    if isinstance(target, Tensor) and not target.is_floating_point():
        log_probs = inp if func is F.nll_loss else None
        if func is F.cross_entropy and not side.get("label_smoothing") and graph is not None:
            log_probs = ran[2] if ran is not None and ran[0] is graph[0] and ran[1] is graph[1] else saved_log_probs(*graph)
        if log_probs is not None:
            return _nll_values(log_probs, target, side.get("weight"), side.get("ignore_index", -100))
    rows = max(1, CHUNK_BYTES // max(1, inp[0].numel() * inp.element_size()))
    if inp.shape[0] <= rows:
        return func(inp, target, reduction="none", **side)
    chunks = [
        func(inp[i : i + rows], target[i : i + rows], reduction="none", **side) for i in range(0, inp.shape[0], rows)
    ]
    return torch.cat(chunks)


def cross_entropy_parts(frame: Frame, args: tuple, kwargs: dict) -> Tensor | None:
    """``F.cross_entropy`` of integer targets without label smoothing where it records no graph
    (evaluation): run as torch runs it, ``nll_loss(log_softmax(input, 1))``, keeping the
    log-probabilities in ``frame.ran`` for the rule's per-row values (with a graph, its node
    saved them). Those ops' own results, so the output is bit-identical, and no logits-sized
    buffer beyond the one the call makes. None (run as called) for anything else."""
    bound = _bind(_CLASS_LOSSES[F.cross_entropy], args, kwargs)
    inp, target, weight = bound.get("input"), bound.get("target"), bound.get("weight")
    if (
        type(inp) is not Tensor or type(target) is not Tensor or (weight is not None and type(weight) is not Tensor)
        or inp.dim() < 2 or target.is_floating_point() or bound.get("label_smoothing", 0.0) != 0.0
        or bound.get("size_average") is not None or bound.get("reduce") is not None
        or frame.get(inp) is None or (torch.is_grad_enabled() and inp.requires_grad)
        or torch._C._len_torch_function_stack() > 0  # a mode below ours would see other ops
    ):
        return None
    reduction, ignore_index = bound.get("reduction", "mean"), bound.get("ignore_index", -100)
    if reduction not in ("mean", "sum", "none") or type(ignore_index) is not int:
        return None
    log_probs = torch.log_softmax(inp, 1, dtype=inp.dtype)
    out = F.nll_loss(log_probs, target, weight, ignore_index=ignore_index, reduction=reduction)
    frame.ran = (inp, out, log_probs)
    return out


RUNNERS[F.cross_entropy] = cross_entropy_parts


_NLL_NODES = ("NllLossBackward0", "NllLoss2DBackward0")
_VIEW_NODES = ("ViewBackward0", "ReshapeAliasBackward0", "UnsafeViewBackward0")


def saved_log_probs(inp: Tensor, out: Tensor) -> Tensor | None:
    """The log-softmax of ``inp`` over the class dim that ``F.cross_entropy``'s autograd node saved
    for backward, or ``None`` when ``out``'s graph is not that (no grad, another form)."""
    node = out.grad_fn
    if node is None or type(node).__name__ not in _NLL_NODES or len(node.next_functions) < 1:
        return None
    hooks = getattr(torch._C._autograd, "_top_saved_tensors_default_hooks", None)
    if hooks is None or hooks(False) is not None:  # saved tensors packed by user hooks (offload, compression)
        return None
    below = node.next_functions[0][0]
    if below is not None and type(below).__name__ in _VIEW_NODES and len(below.next_functions) == 1:
        below = below.next_functions[0][0]  # nll_loss2d over a reshaped [N, C, 1, d] input
    if below is None or type(below).__name__ != "LogSoftmaxBackward0" or len(below.next_functions) != 1:
        return None
    try:
        dim, result = getattr(below, "_saved_dim"), getattr(below, "_saved_result")  # noqa: B009 - private
    except (AttributeError, RuntimeError):  # another torch's node, or freed by a backward
        return None
    edge, output_nr = below.next_functions[0]
    if inp.grad_fn is None:  # a leaf: its AccumulateGrad node
        if getattr(edge, "variable", None) is not inp:
            return None
    elif edge is not inp.grad_fn or output_nr != inp.output_nr:
        return None
    if dim not in (1, 1 - inp.dim()) or (result.shape, result.dtype, result.device) != (inp.shape, inp.dtype, inp.device):
        return None
    return result.detach()


def _nll_values(log_probs: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int) -> Tensor:
    """The per-row values read from the log-probabilities at the targets: ``-log_probs[y] * w[y]``,
    0 where ignored, O(rows): ``F.nll_loss(reduction='none')``'s one pass (a clamp of the targets,
    a gather, a negation and a ``where`` took twice its time)."""
    return F.nll_loss(log_probs, target, weight, ignore_index=ignore_index, reduction="none")


def _distance_by_row(bound: dict[str, Any]) -> bool:
    """Whether ``triplet_margin_with_distance_loss``' ``distance_function`` gives each row of its
    [N, D] operands the distance of that row alone: ``pairwise_distance`` (its default) does; any
    other callable only where, on these operands, each row computed alone (``torch.vmap`` over the
    rows, each a batch of one; random ops refused) equals the batch's row. A function of the batch
    (its mean, its size) differs there; one it cannot run so, is not shown."""
    dist = bound.get("distance_function")
    if dist is None or dist is F.pairwise_distance or type(dist) is torch.nn.PairwiseDistance:
        return True
    a, p, n = (_detached(bound[k]) for k in ("anchor", "positive", "negative"))
    if not all(isinstance(x, Tensor) and x.dim() == 2 and x.shape == a.shape for x in (a, p, n)):
        return False
    try:
        for x, y in ((a, p), (a, n), (p, n)) if bound.get("swap") else ((a, p), (a, n)):
            # per row first: a random op raises there before it draws, so the generator training
            # uses is never advanced by this check
            alone = torch.vmap(lambda u, v: dist(u[None], v[None]).reshape(()))(x, y)
            whole = dist(x, y)
            if not (isinstance(whole, Tensor) and whole.shape == x.shape[:1] and whole.dtype == alone.dtype
                    and torch.allclose(whole, alone, rtol=1e-6, atol=1e-7)):
                return False
    except Exception:  # noqa: BLE001 - not shown; never breaks training
        return False
    return True


def _holds_call_values(frame: Frame, dist: Any, depth: int = 2) -> bool:
    """Whether ``dist`` closes over (cells, defaults, ``functools.partial``'s arguments) a tensor this
    call made or a number of the call (``m = e.norm(dim=-1).max()``, ``k = len(t)``): the same on every
    row of the vmap check, yet the group's own on a group alone."""
    held: list[Any] = []
    for cell in getattr(dist, "__closure__", None) or ():
        try:
            held.append(cell.cell_contents)
        except ValueError:  # an empty cell
            continue
    held += [*(getattr(dist, "__defaults__", None) or ()), *(getattr(dist, "__kwdefaults__", None) or {}).values()]
    if isinstance(dist, functools.partial):
        held += [dist.func, *dist.args, *dist.keywords.values()]
    for v in held:
        items = list(v.values()) if type(v) is dict else list(v) if type(v) in (list, tuple) else [v]
        for x in items:
            if isinstance(x, Tensor) and (id(x) in frame.made_ids or frame.get(x) is not None or x.grad_fn is not None):
                return True
            if type(x) in (int, float) and not frame.body_constant(float(x)):
                return True
            if depth and callable(x) and x is not dist and _holds_call_values(frame, x, depth - 1):
                return True
    return False


def _detached(x: Any) -> Any:
    return x.detach() if isinstance(x, Tensor) else x


def _loss_track(
    frame: Frame, op: str, parts: Sequence[tuple[Track | None, dict[int, int | None]]], shape: Sequence[int], out: Any
) -> Track | None:
    """The per-element loss's rows, joined from its operands' (``parts``: track and dim map each),
    marked a prediction; None (``out`` then recorded lost at ``op``) where they do not join."""
    new = combine(frame, op, parts, shape)
    if new is None or new.lost_at is not None:
        frame.set(out, new or lost_track(op))
        return None
    new.from_prediction = True
    return new


def _rows_of_one_image(frame: Frame, track: Track) -> Track:
    """``track`` with its rows on its first dim of rows only where it has them on several and the
    call got one image: every element is that image's, whichever dim says so (a reshape of one
    image's tokens may set them on the token dim: vector-quantize-pytorch's ``unpack`` of one
    example next to its target's image dim)."""
    if len(track.rows) < 2 or frame.num_images != 1:
        return track
    d = min(track.rows)
    return dataclasses.replace(track, rows={d: track.rows[d]})


def _filled(frame: Frame, x: Any) -> bool:
    """Whether ``x`` is a tensor filled with an image's weight object (``frame.weight_filled``)."""
    filled = frame.weight_filled.get(id(x)) if frame.weight_filled and isinstance(x, Tensor) else None
    return filled is not None and filled[0] is x


def _without_unweighted(track: Track | None) -> Track | None:
    if track is None or track.unweighted is None:
        return track
    return Track(rows=track.rows, image=track.image, from_prediction=track.from_prediction)


def _class_den(target: Tensor, extra: dict[str, Any], none_out: Tensor, valid: Tensor | None = None) -> Tensor:
    """Per-element denominators of a class-weighted / ignore_index mean: ``w[y]``, 0 if ignored
    (``valid``: ``target != ignore_index`` when already computed)."""
    if valid is None:
        valid = target != extra.get("ignore_index", -100)
    weight = extra.get("weight")
    if weight is None:
        return valid.to(none_out.dtype)
    safe = torch.where(valid, target, torch.zeros_like(target))
    return weight.detach()[safe].to(none_out.dtype) * valid




_CTC = ("log_probs", "targets", "input_lengths", "target_lengths", "blank", "reduction", "zero_infinity")


@rule(F.ctc_loss)
def ctc_loss(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``F.ctc_loss`` over time-major ``[T, N, C]`` log-probabilities: one value per sequence, the
    sequences being the rows of dim 1 (per-sequence lengths stay each sequence's own); ``mean``
    divides each by its target length, then averages over the sequences; ``sum`` adds them."""
    if not isinstance(out, Tensor):
        return
    bound = _bind(_CTC, args, kwargs)
    log_probs, lengths = bound.get("log_probs"), bound.get("target_lengths")
    tracks = [frame.get(bound.get(k)) for k in _CTC[:4]]
    if all(t is None for t in tracks):
        return
    op = op_name(func)
    lost = next((t for t in tracks if t is not None and t.lost_at is not None), None)
    track = tracks[0]
    if lost is not None and lost.lost_at is not None:
        return frame.lose(out, lost.lost_at, lost)
    if not isinstance(log_probs, Tensor) or log_probs.dim() != 3:
        return frame.lose(out, op, track)
    if track is None:
        track = _untracked_log_probs(frame, op, tracks, log_probs)
        if track is None:
            return frame.lose(out, f"{op} of untagged log-probabilities not known to be an argument's sequences (dim 1)")
    rows = track.rows.get(1)
    if rows is None or set(track.rows) != {1} or track.image is not None or track.ratio is not None:
        return frame.lose(out, f"{op} (sequences not along dim 1 of the log-probabilities)", track)
    for t in tracks[2:]:  # per-sequence lengths given as tensors: the same sequences
        if t is not None and t.rows.get(0) is not None:
            frame.agree(rows, t.rows[0], op)
    declined = _ctc_targets(frame, op, bound, tracks[1], rows)
    if declined is not None:
        return frame.lose(out, declined, track)
    reduction = bound.get("reduction", "mean")
    side = {k: bound[k] for k in ("blank", "zero_infinity") if k in bound}
    per_sequence = bound.get("targets"), bound.get("input_lengths"), lengths
    inp = track.unweighted if track.unweighted is not None else log_probs
    values = func(inp.detach(), *per_sequence, reduction="none", **side).detach()
    if reduction == "none":
        frame.set(out, Track(rows={0: rows}, unweighted=values if track.unweighted is not None else None,
                             from_prediction=True))
        return
    if reduction == "mean":
        counts = to_device(torch.as_tensor(lengths), values.device).clamp(min=1).to(values.dtype)
        ratio = Ratio.of(values / counts, rows, 0, RatioKind.MEAN)
    elif reduction == "sum":
        ratio = Ratio.of(values, rows, 0, RatioKind.SUM)
    else:
        return frame.lose(out, f"{op}(reduction={reduction!r})")
    frame.set(out, Track(from_prediction=True, ratio=ratio.compact(frame.tokens)))


def _untracked_log_probs(frame: Frame, op: str, tracks: list[Track | None], log_probs: Tensor) -> Track | None:
    """Time-first log-probabilities ``[T, N, C]`` the capture did not tag (fairseq's encoder
    output, its dim 0 not the images): their sequences are those of the per-sequence lengths,
    which must be the call's images once each in order (checked, deferred), as an untagged
    operand of a batch-first loss is read. None where no length tensor has one row per image."""
    n = log_probs.shape[1]
    if n != frame.num_images or not _argument_per_sequence(frame, log_probs):
        return None
    for t in tracks[2:]:
        if t is not None and t.lost_at is None and t.ratio is None and set(t.rows) == {0} and t.rows[0].shape == (n,):
            rows = t.rows[0]
            frame.doubt((rows != frame.arange(rows.device)).any(), f"{op} of untagged log-probabilities with sequence "
                        "lengths that are not the images once each in order")
            return Track(rows={1: rows}, from_prediction=True)
    return None


# autograd nodes that keep each (frame, sequence) position's own values: copies, and a softmax over
# the classes (its dim checked)
_PER_POSITION_NODES = frozenset({"LogSoftmaxBackward0", "ToCopyBackward0", "CloneBackward0"})


def _argument_per_sequence(frame: Frame, log_probs: Tensor, limit: int = 16) -> bool:
    """Whether ``log_probs`` is an argument of the call of its shape, or made from one by a chain
    of ``_PER_POSITION_NODES`` (``F.log_softmax(logits.float(), -1)``): each sequence's values are
    its own argument column's, so the sequences are that argument's dim 1. Anything else (a mean
    over the batch, values the capture did not see made, no autograd history) is not known."""
    shaped = [t for t in (frame.read_argument_tensors() if frame.read_argument_tensors is not None else [])
              if t.shape == log_probs.shape]
    if any(t is log_probs for t in shaped):
        return True
    ends = {(id(t.grad_fn), t.output_nr) for t in shaped if t.grad_fn is not None}
    leaves = {id(t) for t in shaped if t.grad_fn is None and t.requires_grad}
    node, nr = log_probs.grad_fn, log_probs.output_nr
    for _ in range(limit):
        if node is None:
            return False
        if (id(node), nr) in ends or type(node).__name__ == "AccumulateGrad" and id(getattr(node, "variable", None)) in leaves:
            return True
        name = type(node).__name__
        if name not in _PER_POSITION_NODES or len(node.next_functions) != 1:
            return False
        if name == "LogSoftmaxBackward0" and _signed(getattr(node, "_saved_dim", 0)) not in (2, -1):
            return False
        node, nr = node.next_functions[0]
    return False


def _signed(dim: int) -> int:
    """An autograd node's saved ``int64_t`` dim, read back by torch as unsigned (-1 as 2**64 - 1)."""
    return dim - 2**64 if dim >= 2**63 else dim


def _ctc_targets(frame: Frame, op: str, bound: dict[str, Any], tt: Track | None, rows: Tensor) -> str | None:
    """Defer the checks that ``F.ctc_loss``'s targets are each sequence's own: padded ``[N, S]``
    targets with rows along dim 0, the same sequences as the log-probabilities'; and where
    ``pad_sequence`` padded them to the batch's longest, each target length within its row's
    own (the rest is padding, narrower on a group alone). 1-d targets concatenated over the
    sequences (fairseq's ``masked_select`` of the non-pad tokens): sequence n's run, from the
    sum of the earlier target lengths, is its image's tokens, so that on a group alone the
    group's tokens, concatenated, make the same runs. Why they cannot be followed, or None."""
    from .shape import padded

    targets, lengths = bound.get("targets"), bound.get("target_lengths")
    if not isinstance(targets, Tensor):
        return None
    held = frame.padded.get(id(targets)) if frame.padded else None
    if held is not None and held[0] is targets:
        known = padded(frame, targets)
        if known is None or known[0] != 1 or targets.dim() != 2 or lengths is None:
            return f"{op} of targets torch.pad_sequence padded, written since or not batch-first"
        own = known[1]
        given = to_device(torch.as_tensor(lengths), own.device)
        if given.shape != own.shape:
            return f"{op} of targets torch.pad_sequence padded, target lengths not one per row"
        frame.doubt((given > own).any(), f"{op} with a target length beyond its row's own in targets torch.pad_sequence "
                    "padded (the batch's padding read, narrower on a group alone)")
    if tt is None:
        return None
    if tt.lost_at is not None or tt.ratio is not None or set(tt.rows) - {0} or not targets.dim():
        return f"{op} (targets not one row per sequence nor concatenated over them)"
    # targets of one image as a whole: each row or token is that image's
    tokens = tt.rows[0] if tt.rows else tt.image.reshape(1).expand(targets.shape[0]) if tt.image is not None else None
    if tokens is None:
        return None
    if targets.dim() == 2:
        frame.agree(rows, tokens, op)
        return None
    if targets.dim() == 1 and isinstance(lengths, Tensor) and lengths.dim() == 1 and lengths.shape[0] == rows.shape[0]:
        ends = lengths.detach().to(tokens.device).cumsum(0)
        # the sequence each token falls in; past the last run, tokens ctc_loss does not read
        seq = torch.searchsorted(ends, torch.arange(tokens.shape[0], device=tokens.device), right=True)
        read = seq < ends.shape[0]
        wanted = rows.to(tokens.device)[seq.clamp(max=max(ends.shape[0] - 1, 0))]
        frame.doubt(((tokens != wanted) & read).any(), f"{op} of concatenated targets whose runs (by the target lengths) "
                    "are not each sequence's image's tokens")
        return None
    return f"{op} (targets not one row per sequence nor concatenated over them)"
