"""A reduced value written at a bool mask of the images' data, read as the arithmetic it is.

``w[m] = v`` with ``v`` a 0-dim value (SiamFC's balanced weights: ``w = zeros_like(t); w[t == 1] =
1 / pos_num; w[t == 0] = 1 / neg_num``) leaves ``v`` at the positions ``m`` picks and what ``w`` held
elsewhere: exactly ``w * ~m + m * v`` where both are finite. Where ``m`` is the images' own data (its
rows followed, element by element) that arithmetic is followed by the element-wise rules, which know
what a value of several images (``1 / m.sum()``) means there; on a group alone ``m`` picks the group's
positions and ``v`` is the group's own value, as in the arithmetic.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import torch
from torch import Tensor

from .mode import RULES, Frame, Track, lose_aliases, op_name


def masked_value_write(frame: Frame, target: Any, track: Track | None, args: tuple) -> bool:
    """``target[mask] = value`` (``Tensor.__setitem__``) of a 0-dim tracked ``value`` at a bool
    ``mask`` of the target's shape whose rows are followed, into a floating tensor that is no view
    (a fresh buffer, or one such write's result): the target takes the track of ``target * ~mask +
    mask * value`` as the element-wise rules give it (checked equal on the device: a non-finite
    value or target declines the call). True when followed."""
    if len(args) != 3 or not isinstance(target, Tensor) or not target.is_floating_point() or target._base is not None:
        return False
    mask, value = args[1], args[2]
    if not isinstance(mask, Tensor) or mask.dtype != torch.bool or mask.shape != target.shape:
        return False
    if not isinstance(value, Tensor) or value.dim() != 0 or not value.is_floating_point():
        return False
    tm, tv = frame.get(mask), frame.get(value)
    # (a mask testing weighted values picks other positions with the weight 1: left to the write's own rules)
    if tm is None or tm.lost_at is not None or tm.ratio is not None or not tm.rows or tm.unweighted is not None or tv is None \
            or tv.image is not None or frame.positional.get(id(mask)):  # (one image's value: its own rules)
        return False
    if track is not None and (track.lost_at is not None or track.reduced or track.unweighted is not None
                              and track.unweighted.shape != target.shape):
        return False
    before = target.detach().masked_fill(mask, 0)  # what it held off the mask (on it, anything finite)
    if track is not None:
        raw = track.unweighted
        frame.set(before, track if raw is None else dataclasses.replace(track, unweighted=raw.masked_fill(mask, 0)))
    kept = ~mask
    held = before * kept
    put = mask * value.detach()
    made = held + put
    steps: tuple[tuple[Any, tuple[Tensor, Tensor] | tuple[Tensor], Tensor], ...] = (
        (Tensor.__invert__, (mask,), kept), (Tensor.mul, (before, kept), held), (Tensor.mul, (mask, value), put),
        (Tensor.add, (held, put), made))
    for func, operands, out in steps:
        RULES[func](frame, func, operands, {}, out)
    new = frame.get(made)
    if new is None or new.lost_at is not None:
        return False
    frame.doubt((target.detach() != made).any(), f"{op_name(Tensor.__setitem__)} of a value at a mask, not its "
                "arithmetic (a non-finite value or target)")
    frame.set(target, new)
    lose_aliases(frame, target, op_name(Tensor.__setitem__))
    return True
