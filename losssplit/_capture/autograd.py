"""Rule for ``torch.autograd.grad``: a gradient penalty (R1, WGAN-GP) on inputs made in the call.

Row ``i`` of ``d(sum_j s_j) / dx`` is image ``i``'s alone when no score of another image depends
on ``x_i``. The input must be made in the call (not an argument): every op between it and the
output then ran in the call, under the mode, and its rule said whether it maps an image's rows from
that image's rows only (a statistic of the batch, a ratio, a lost attribution reach the output's
track); a function that does has a Jacobian that does too. What no forward track shows is checked
on the autograd graph between output and input: a custom ``backward`` (a ``Function``, a module's
backward hook), a tensor hook, and a tensor of the call whose track is not per image or takes a
weight as 1 (the gradient would carry the weight). A node that no live tensor of the call has is
one inside a composite op (``matmul``: its rule covers the whole op) or a freed tensor's (its
consumers' tracks carry what it was). Anything else is declined.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch.autograd.function import BackwardCFunction

from . import mode
from .mode import (
    SEVERAL,
    Frame,
    Tensor,
    Track,
    Unsupported,
    get_arg,
    hosted_images,
    one_image,
    rule,
)
from .ratio import Ratio, RatioKind

_MAX_NODES = 20_000  # a larger graph between output and input is declined, not walked


@rule(torch.autograd.grad)
def gradient(frame: Frame, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    """``grad(outputs, inputs, ...)``: each gradient gets its input's rows when one output -- the
    full ``sum()`` of a per-image tensor, or a per-image tensor with ``grad_outputs`` of ones --
    depends on each input through per-image ops of the call only (see the module docstring)."""
    outputs = get_arg(args, kwargs, 0, "outputs", None)
    inputs = get_arg(args, kwargs, 1, "inputs", None)
    grad_outputs = get_arg(args, kwargs, 2, "grad_outputs", None)
    outs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    ins = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    gos = [grad_outputs] if grad_outputs is None or isinstance(grad_outputs, Tensor) else list(grad_outputs)
    grads = out if isinstance(out, (tuple, list)) else (out,)
    if not any(frame.get(t) is not None for t in (*outs, *ins, *gos) if isinstance(t, Tensor)):
        return  # no images involved
    if get_arg(args, kwargs, 7, "is_grads_batched", False):
        raise Unsupported("is_grads_batched")
    if len(outs) != 1 or len(gos) != 1 or not isinstance(outs[0], Tensor):
        raise Unsupported("several outputs")
    if not all(isinstance(x, Tensor) for x in ins) or len(grads) != len(ins):
        raise Unsupported("inputs that are not tensors")
    output, go = outs[0], gos[0]
    track = frame.get(output)
    if track is None or track.lost_at is not None or output.grad_fn is None:
        raise Unsupported("an output that is no per-image loss of the call")
    if go is not None:  # ones are ones on any group; other values may be per-row factors (weights)
        frame.doubt((go != 1).any(), "torch.grad: grad_outputs other than ones (a per-row factor)")
    image = _one_image_loss(track)
    if image is not None:
        return _one_image_gradient(frame, output, ins, grads, image)
    summed = output.dim() == 0 and type(output.grad_fn).__name__ == "SumBackward0"
    if not summed and (output.dim() == 0 or go is None):
        raise Unsupported("an output that is not the full sum of per-image values")
    nodes = _call_nodes(frame)
    if summed:  # the summed tensor must be live: its track says whether a weight is in its values
        (first, _), = output.grad_fn.next_functions
        if first is not None and id(first) not in nodes and not any(_is_input(x)(first) for x in ins):
            raise Unsupported("a sum of a tensor no longer held")
    for x, g in zip(ins, grads, strict=True):
        x_track = frame.get(x)
        if x_track is None or not _per_image(x_track) or id(x) in frame.arguments or x._backward_hooks:
            raise Unsupported("an input not made in the call from per-image values")
        path = _path(output.grad_fn, _is_input(x))
        if path is None:
            raise Unsupported("an autograd graph too large to follow")
        for node in path:
            if summed and node is output.grad_fn:
                continue
            if isinstance(node, BackwardCFunction):
                raise Unsupported(f"a custom backward ({type(node).__name__}) between output and input")
            held = nodes.get(id(node))  # None: a node inside one op (``matmul``), or of a freed tensor
            if held is not None and not all(_per_image(t) and not v._backward_hooks for v, t in held[1]):
                raise Unsupported(f"{node.name()} between output and input is no per-image op of the call")
        if isinstance(g, Tensor):
            frame.set(g, Track(rows=dict(x_track.rows), image=x_track.image, from_prediction=True))


_OWN_KINDS = (RatioKind.SUM, RatioKind.MEAN, RatioKind.ROW_MEAN, RatioKind.WEIGHTED_MEAN)


def _one_image_loss(track: Track) -> int | None:
    """The image of a reduced loss all of whose rows are that one image's (known on the host), its
    denominator the image's own count and nothing else applied (no scale, divisor, normaliser,
    offset, gate or sizes of other images): ``F.cross_entropy(head(x[i]), y[i])``. None otherwise."""
    r = track.ratio
    if r is None or r.host_image is None or r.kind not in _OWN_KINDS or track.unweighted is not None:
        return None
    if r.scales or r.divisors or r.normaliser is not None or r.normaliser_ops or r.offset or r.num_offset \
            or r.test is not None or r.gate is not None or r.batch_terms or r.row_counts or r.group_factors \
            or r.part_images is not None or r.own_divisors or r.constant_scales:
        return None
    return r.host_image


def _one_image_gradient(frame: Frame, output: Tensor, ins: list[Tensor], grads: Any, image: int) -> None:
    """``grad(loss_i, inputs)`` of one image's loss (``_one_image_loss``): ``loss_i`` is a function
    of image ``i``'s values and of values without images (parameters) only, so its gradient with
    respect to any input is too -- the whole gradient is image ``i``'s (MAML's inner step on one
    task's support rows). Each input carries no images or is wholly image ``i``'s; the graph
    between them is checked as for a penalty: no custom backward, and no tensor of the call on the
    way that remembers a weight (the gradient would carry it) or holds a reduced loss; and the loss
    must equal its value with the weight field set to 1 (checked with the call's read)."""
    track = frame.get(output)
    ratio = track.ratio if track is not None else None
    assert ratio is not None  # (``_one_image_loss``: one)
    # its values with the weight field set to 1 (a weight multiplied into a tensor freed since leaves no node
    # to check): where the loss is not that value, its gradient carries what differs
    unit = ratio.image_value().reshape(()).to(output.dtype)
    frame.doubt(~torch.isclose(unit, output.detach().reshape(()), rtol=1e-5, atol=1e-7),
                "torch.grad of one image's loss whose value holds a weight (its gradient would carry it)")
    nodes = _call_nodes(frame)
    for x in ins:
        x_track = frame.get(x)
        if x_track is not None and one_image(x_track) != image:
            raise Unsupported("an input of other images than the one image of the loss")
        path = _path(output.grad_fn, _is_input(x))
        if path is None:
            raise Unsupported("an autograd graph too large to follow")
        for node in path:
            if node is output.grad_fn:
                continue
            if isinstance(node, BackwardCFunction):
                raise Unsupported(f"a custom backward ({type(node).__name__}) between output and input")
            held = nodes.get(id(node))
            if held is not None and not all(_per_image(t) and not v._backward_hooks for v, t in held[1]):
                raise Unsupported(f"{node.name()} between output and input is no per-image op of the call")
    index = frame.image_index(image, output.device)
    for g in grads:
        if isinstance(g, Tensor):
            frame.set(g, Track(image=index, from_prediction=True))


def _per_image(track: Track) -> bool:
    """Whether the track maps each value to its one image, weights untouched."""
    return (
        (bool(track.rows) or track.image is not None)
        and track.lost_at is None
        and track.ratio is None
        and not track.parts
        and not track.elements and not track.element_formulas
        and track.unweighted is None
    )


def _call_nodes(frame: Frame) -> dict[int, tuple[Any, list[tuple[Tensor, Track]]]]:
    """id of the ``grad_fn`` of each live tensor made in the call (arguments aside) -> (the node,
    held so its id stays its own, and the tensors and tracks that have it)."""
    nodes: dict[int, tuple[Any, list[tuple[Tensor, Track]]]] = {}
    for key, (held, track) in list(frame.tracks.items()):
        t = held if isinstance(held, Tensor) else held()
        if t is None or key in frame.arguments or t.grad_fn is None:
            continue
        node = t.grad_fn
        nodes.setdefault(id(node), (node, []))[1].append((t, track))
    return nodes


def _is_input(x: Tensor) -> Callable[[Any], bool]:
    """Whether a node is where the gradient of ``x`` is taken (its ``grad_fn``, or a leaf's
    accumulator)."""
    if x.grad_fn is not None:
        node = x.grad_fn
        return lambda n: n is node
    return lambda n: getattr(n, "variable", None) is x


def _path(root: Any, is_input: Callable[[Any], bool]) -> list[Any] | None:
    """The nodes on a path from ``root`` to the input (root included, the input's node not), or
    None beyond ``_MAX_NODES`` nodes. The graph is acyclic: a node's parents are finished after
    it (iterative depth-first search)."""
    reaches: dict[int, bool] = {}
    seen: list[Any] = []  # held, so that ids stay unique during the walk
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            reaches[key] = any(
                n is not None and (is_input(n) or reaches.get(id(n), False)) for n, _ in node.next_functions
            )
            continue
        if key in reaches or is_input(node):
            continue
        reaches[key] = False
        seen.append(node)
        if len(seen) > _MAX_NODES:
            return None
        stack.append((node, True))
        stack.extend((n, False) for n, _ in node.next_functions if n is not None and id(n) not in reaches)
    return [n for n in seen if reaches[id(n)]]


def function_output(frame: Frame) -> None:
    """The outputs of custom autograd functions that returned an input as it is (``Frame.as_is``):
    POT's ``emd2`` solves on the host (its inputs handed to NumPy) and returns the cost through a
    ``Function`` whose inputs are the masses and the cost matrix. A one-element output is one image's
    value where every input its gradient reaches is a tensor of the call all of whose values are
    that image's (or a parameter), every tracked tensor handed to NumPy and every host read since
    the last such output read that image only, and none in the call several images: what the host
    computed it from is that image's, as on any group with it (a number equal to a count of the
    call aside). Anything else stays untracked (no rows: its keys decline). Not proven: that the
    host did not keep an earlier image's values for this one (README Known limits)."""
    pending, frame.as_is = frame.as_is, []
    nodes = None
    for out in pending:
        node = out.grad_fn
        if not isinstance(node, BackwardCFunction) or frame.get(out) is not None or out.numel() != 1:
            continue
        if nodes is None:
            nodes = _call_nodes(frame)
        images = set()
        for n, _ in node.next_functions:
            if n is None:
                continue
            held = nodes.get(id(n))
            if held is not None:
                images.update(one_image(t) for _, t in held[1])
                continue
            leaf = getattr(n, "variable", None)
            if not isinstance(leaf, Tensor):
                images.add(-1)  # a node of a tensor no longer held, or inside an op: not known
            elif frame.get(leaf) is not None:
                images.add(one_image(frame.get(leaf)))  # (a parameter, no image, adds nothing)
        if len(images) != 1 or -1 in images:
            continue
        image = images.pop()
        reads = frame.host_reads[frame.hosted_reads:]
        frame.hosted = hosted_images(frame.hosted)  # (read here, where one such output is)
        if any(b != image for b in frame.hosted) or any(read.image != image for read in reads) \
                or frame.read_image == SEVERAL or frame.numpy_images is not None \
                or not frame.body_constant(float(out.detach())):
            continue
        index = frame.image_index(image, out.device)
        # as one image's reduced value (``x[b].mean()``): a sum of one row, that image's
        one = Ratio.of(out.detach().reshape(1), index.reshape(1), 0, RatioKind.SUM, host_image=image)
        frame.set(out, Track(from_prediction=True, ratio=one))
    frame.hosted = [-1] if -1 in hosted_images(frame.hosted) else []  # several images' values in NumPy: for the rest of the call
    frame.hosted_reads = len(frame.host_reads)


mode.FUNCTION_RULE.append(function_output)
