"""The call's inputs: which tensors belong to which image, tagged once before the body runs."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from .mode import Frame, Tensor, Track


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
                    frame.set(t, Track(image=frame.image_index(b, t.device), from_prediction=t.requires_grad))
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
    frame.set(t, Track(rows={0: frame.arange(t.device)}, from_prediction=pred))
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


def describe_inputs(wrapped: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any]) -> str:
    """Names (as in ``wrapped``'s signature) and shapes of the tensor arguments, for messages."""
    try:
        named = list(inspect.signature(wrapped).bind(*args, **kwargs).arguments.items())
    except (TypeError, ValueError):  # no signature, or the call does not bind: by position
        named = [(f"argument {i}", v) for i, v in enumerate(args)] + list(kwargs.items())
    parts = []
    for name, value in named:
        tensors = _walk(value, 0)
        if isinstance(value, Tensor):
            parts.append(f"{name} {tuple(value.shape)}")
        elif tensors:
            shapes = ", ".join(str(tuple(t.shape)) for t in tensors[:4])
            more = ", ..." if len(tensors) > 4 else ""
            parts.append(f"{name} [{shapes}{more}]")
    return "; ".join(parts) or "no tensor arguments"
