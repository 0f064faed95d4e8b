"""Modules with a fused fast path run inside the body exactly as they would undecorated.

``nn.MultiheadAttention``, ``nn.TransformerEncoderLayer`` and ``nn.TransformerEncoder`` leave
their fused path whenever a torch function mode is active, so under the capture a frozen teacher
would compute (slightly) different values. While such a module runs, the capture steps off the
torch function stack (global module hooks, registered only while a decorated call runs); its
output then gets its input's rows along the batch dimension -- these modules never mix the
samples of a batch: every input's, queries, keys, values and padding masks alike -- or is
declined where that cannot be said exactly.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torch.nn.modules import module as _module_hooks

from .mode import CaptureMode, Tensor, Track, combine

_FAST_PATH = (nn.MultiheadAttention, nn.TransformerEncoderLayer, nn.TransformerEncoder)


@dataclass
class _Active:
    mode: CaptureMode
    depth: int = 0  # > 0 while a fast-path module (and what it calls) runs with the mode off


_local = threading.local()
_lock = threading.Lock()
_users = 0
_handles: list[Any] = []


def _stack() -> list[_Active]:
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


@contextlib.contextmanager
def fast_paths_unchanged(mode: CaptureMode) -> Iterator[None]:
    """Within the block (inside ``mode``), fast-path modules run with ``mode`` suspended."""
    global _users
    with _lock:
        if _users == 0:
            _handles.append(_module_hooks.register_module_forward_pre_hook(_before))
            try:
                _handles.append(_module_hooks.register_module_forward_hook(_after, with_kwargs=True, always_call=True))
            except TypeError:  # an older torch passes a global forward hook no keyword arguments
                _handles.append(_module_hooks.register_module_forward_hook(_after_without_kwargs, always_call=True))
        _users += 1
    active = _Active(mode)
    stack = _stack()
    stack.append(active)
    try:
        yield
    finally:
        stack.pop()
        if active.depth > 0:  # a module's exit hook never ran: put the mode back for its own exit
            torch._C._push_on_torch_function_stack(mode)
        with _lock:
            _users -= 1
            if _users == 0:
                kwargs_flags = getattr(_module_hooks, "_global_forward_hooks_with_kwargs", {})
                for handle in _handles:
                    handle.remove()
                    kwargs_flags.pop(handle.id, None)  # torch's handle leaves its with_kwargs flag behind
                _handles.clear()


def _before(module: nn.Module, args: tuple) -> None:
    stack = getattr(_local, "stack", None)
    if not stack:
        return
    active = stack[-1]
    if active.depth > 0:
        active.depth += 1
        return
    if not isinstance(module, _FAST_PATH) or torch._C._len_torch_function_stack() == 0:
        return
    top = torch._C._pop_torch_function_stack()
    if top is not active.mode:  # another mode above ours: the fast path is off anyway
        torch._C._push_on_torch_function_stack(top)
        return
    active.depth = 1


_NO_KWARGS = object()


def _after_without_kwargs(module: nn.Module, args: tuple, output: Any) -> None:
    _after(module, args, _NO_KWARGS, output)


def _after(module: nn.Module, args: tuple, *rest: Any) -> None:
    """``rest``: (kwargs, output); (output,) where forward raised (torch then passes no kwargs)."""
    stack = getattr(_local, "stack", None)
    if not stack or stack[-1].depth == 0:
        return
    active = stack[-1]
    active.depth -= 1
    if active.depth > 0:
        return
    torch._C._push_on_torch_function_stack(active.mode)
    frame = active.mode.frame
    if frame.error is not None or not frame.tracks:
        return
    if len(rest) != 2:
        return
    if rest[0] is _NO_KWARGS:
        frame.error = RuntimeError(f"this torch ({torch.__version__}) does not pass nn.{type(module).__name__}'s keyword "
                                   "arguments to a global forward hook: which images its output holds cannot be read")
        frame.error_op = type(module).__name__
        return
    try:
        with torch._C.DisableTorchFunction():
            _attribute(frame, module, args, *rest)
    except Exception as exc:  # noqa: BLE001 - a bug here must never break training
        frame.error, frame.error_op = exc, type(module).__name__


# each input of a fast-path module's forward: the dim its batch runs along, ``True`` for the
# module's batch dim (0 if batch-first, else 1), None where it has none (an attention mask: 2-d,
# or ``[B * heads, L, S]``, whose rows are read by ``_head_blocks``)
_BATCH_DIMS = {"query": True, "key": True, "value": True, "src": True, "key_padding_mask": 0,
               "src_key_padding_mask": 0, "attn_mask": None, "src_mask": None, "mask": None}


def _attribute(frame: Any, module: nn.Module, args: tuple, kwargs: dict, output: Any) -> None:
    """The output's rows: the inputs' rows along their batch dims (0 if batch-first, else 1),
    queries, keys and values alike (review hfmisc: a learned query's output, ``attention(probe, x,
    x)``, carries ``x``'s images; read from the query alone it was no image's, so a loss mixing
    such outputs across the batch, SigLIP's over attention-pooled embeddings, was split as if they
    were constants)."""
    bound = inspect.signature(type(module).forward).bind(module, *args, **kwargs).arguments
    batch_dim = 0 if _batch_first(module) else 1
    inputs = [(x, batch_dim if _BATCH_DIMS.get(name) is True else _BATCH_DIMS.get(name))
              for name, x in bound.items() if isinstance(x, Tensor)]
    tracked = [(x, frame.get(x), dim) for x, dim in inputs if frame.get(x) is not None]
    if not tracked:
        return
    op = f"nn.{type(module).__name__}"
    outputs = [o for o in (output if isinstance(output, tuple) else (output,)) if isinstance(o, Tensor)]
    first = tracked[0][1]
    lead, lead_dim = inputs[0]  # the query or source: its batch dim sizes the batch
    size = lead.shape[lead_dim] if isinstance(lead_dim, int) and lead.dim() > lead_dim else None
    tracked = [_head_blocks(frame, module, x, t, size, op) if dim is None else (x, t, dim) for x, t, dim in tracked]
    if any(t.lost_at is not None or t.ratio is not None or t.unweighted is not None
           or any(d != dim or x.shape[d] != size for d in t.rows) for x, t, dim in tracked):
        lost = next((t.lost_at for _, t, _ in tracked if t.lost_at is not None), None)
        frame.lose(output if isinstance(output, tuple) else [output], lost or op, first)
        return
    new = combine(frame, op, [(t, {} if dim is None else {dim: 0}) for _, t, dim in tracked], (size or 1,))
    if new is None or new.lost_at is not None:
        frame.lose(output if isinstance(output, tuple) else [output], op, first)
        return
    rows = new.rows.get(0)
    for i, o in enumerate(outputs):
        pred = new.from_prediction or o.requires_grad
        dim = batch_dim if i == 0 else 0  # MultiheadAttention's weights are batch-first
        if rows is not None and o.dim() > dim and o.shape[dim] == rows.shape[0]:
            frame.set(o, Track(rows={dim: rows}, from_prediction=pred))
        elif rows is None and new.image is not None:
            frame.set(o, Track(image=new.image, from_prediction=pred))
        else:
            frame.lose(o, op, pred=pred)


def _head_blocks(frame: Any, module: nn.Module, x: Tensor, track: Track, size: int | None,
                 op: str) -> tuple[Tensor, Track, int | None]:
    """A ``[B * heads, L, S]`` attention mask whose rows are its batch entries' images, each
    repeated once per head (``mask.repeat_interleave(heads, 0)``, the order the module reads):
    one row per batch entry along dim 0 (checked with the call's one read). Any other mask with
    images (``mask.repeat(heads, 1, 1)`` gives an entry's heads other images') is left as it is,
    which declines."""
    heads = _heads(module)
    rows = track.rows.get(0)
    if rows is None or set(track.rows) != {0} or x.dim() != 3 or size is None or x.shape[0] != size * heads:
        return x, track, None
    per_entry = rows.reshape(size, heads)[:, 0]
    frame.agree(rows, per_entry.repeat_interleave(heads), op)
    return x[::heads], Track(rows={0: per_entry}, image=track.image, from_prediction=track.from_prediction), 0


def _heads(module: nn.Module) -> int:
    if isinstance(module, nn.TransformerEncoder):
        module = module.layers[0]
    if isinstance(module, nn.TransformerEncoderLayer):
        module = module.self_attn
    return int(getattr(module, "num_heads", 1))


def _batch_first(module: nn.Module) -> bool:
    if isinstance(module, nn.TransformerEncoder):
        module = module.layers[0]
    if isinstance(module, nn.TransformerEncoderLayer):
        module = module.self_attn
    return bool(getattr(module, "batch_first", False))
