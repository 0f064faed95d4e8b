"""Helpers of ``test_red_team45_wrong``'s bodies that write where the capture does not look: reached
through a module, an object's method, each making no op the capture sees."""

from __future__ import annotations

import torch


def sneak(x: torch.Tensor, v: torch.Tensor) -> None:
    with torch._C.DisableTorchFunction():
        x.data.add_(v)


class Writer:
    def add(self, x: torch.Tensor, v: torch.Tensor) -> None:
        with torch._C.DisableTorchFunction():
            x.add_(v)


WRITER = Writer()
