"""Modules with a fused fast path run inside the body exactly as they would undecorated.

``nn.MultiheadAttention``, ``nn.TransformerEncoderLayer`` and ``nn.TransformerEncoder`` leave
their fused path whenever a torch function mode is active, so under the capture a frozen teacher
would compute (slightly) different values. While such a module runs, the capture steps off the
torch function stack (global module hooks, registered only while a decorated call runs); its
output then gets its input's rows along the batch dimension -- these modules never mix the
samples of a batch -- or is declined where that cannot be said exactly.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torch.nn.modules import module as _module_hooks

from .mode import CaptureMode, Tensor, Track

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
            _handles.append(_module_hooks.register_module_forward_hook(_after, always_call=True))
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
                for handle in _handles:
                    handle.remove()
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


def _after(module: nn.Module, args: tuple, output: Any) -> None:
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
    try:
        with torch._C.DisableTorchFunction():
            _attribute(frame, module, args, output)
    except Exception as exc:  # noqa: BLE001 - a bug here must never break training
        frame.error, frame.error_op = exc, type(module).__name__


def _attribute(frame: Any, module: nn.Module, args: tuple, output: Any) -> None:
    """The output's rows: the first input's rows along the batch dim (0 if batch-first, else 1)."""
    src = args[0] if args else None
    track = frame.get(src)
    if track is None:
        return
    op = f"nn.{type(module).__name__}"
    outputs = [o for o in (output if isinstance(output, tuple) else (output,)) if isinstance(o, Tensor)]
    batch_dim = 0 if _batch_first(module) else 1
    if (
        track.lost_at is not None
        or track.ratio is not None
        or track.unweighted is not None
        or any(d != batch_dim for d in track.rows)
    ):
        frame.lose(output if isinstance(output, tuple) else [output], track.lost_at or op, track)
        return
    rows = track.rows.get(batch_dim)
    for i, o in enumerate(outputs):
        pred = track.from_prediction or o.requires_grad
        dim = batch_dim if i == 0 else 0  # MultiheadAttention's weights are batch-first
        if rows is not None and o.dim() > dim and o.shape[dim] == rows.shape[0]:
            frame.set(o, Track(rows={dim: rows}, from_prediction=pred))
        elif rows is None and track.image is not None:
            frame.set(o, Track(image=track.image, from_prediction=pred))
        else:
            frame.lose(o, op, pred=pred)


def _batch_first(module: nn.Module) -> bool:
    if isinstance(module, nn.TransformerEncoder):
        module = module.layers[0]
    if isinstance(module, nn.TransformerEncoderLayer):
        module = module.self_attn
    return bool(getattr(module, "batch_first", False))
