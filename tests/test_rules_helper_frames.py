"""Formulas built in code the body calls (issue #13). A frame calling a plain Python function
reports, on Python 3.11, the last of its CALL's inline caches as its position: the readers that ask
where such a caller frame is (in a loop? a recursion?) read it as that CALL. A formula in a plain
helper called once splits as the same ops written in the body; one in a helper called in a loop
over the images, or in a recursion through a second helper as deep as the images, declines. A
criterion whose ``forward`` calls ``super().forward`` (DEIMv2's) calls its parent's method, not
itself: only where that method may call ``forward`` back is it a recursion. Each body is compared
with the oracle on the ``RULE_BATCHES``."""

from __future__ import annotations

import sys

import pytest
import torch
from _helpers import ROWS, RULE_BATCHES, TARGETS, split_outcome, wrong_companions
from test_rules_fixed_loops import _batch, _ddf

from losssplit._capture import _bytecode


def _weighted(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """D-FINE's square-root-of-count weights over ``y``'s matched and unmatched rows, the matched
    mean weighed by its share: ``mean * norm / (norm + norm)``."""
    d = ((x - y) ** 2).sum(-1).reshape(-1)
    m = (y[..., 0] > 0.45).reshape(-1)
    norm_pos = (m.sum() * (1 / x.shape[0])) ** 0.5
    norm_neg = ((~m).sum() * (1 / x.shape[0])) ** 0.5
    return d[m].mean() * norm_pos / (norm_pos + norm_neg)


def _stacked(targets: list[dict]) -> torch.Tensor:
    return torch.stack([t["y"] for t in targets])


def formula_inline(outputs, targets):
    x, y = outputs["x"], _stacked(targets)
    d = ((x - y) ** 2).sum(-1).reshape(-1)
    m = (y[..., 0] > 0.45).reshape(-1)
    norm_pos = (m.sum() * (1 / x.shape[0])) ** 0.5
    norm_neg = ((~m).sum() * (1 / x.shape[0])) ** 0.5
    return {"loss_w": d[m].mean() * norm_pos / (norm_pos + norm_neg)}


def formula_in_a_helper(outputs, targets):
    return {"loss_w": _weighted(outputs["x"], _stacked(targets))}


def _weighted_times(acc: torch.Tensor | None, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    term = _weighted(x, y)
    return term if acc is None else acc * term


def _product_of_two(x: torch.Tensor, targets: list[dict]) -> torch.Tensor:
    ddf, num_pos = _ddf(x, targets)
    return num_pos * ddf


def formula_two_helpers_deep(outputs, targets):
    return {"loss_d": _product_of_two(outputs["x"], targets)}


def helper_called_per_image(outputs, targets):
    """The product is made in the helper, once per image: a group alone makes it as many times
    as its images."""
    acc = None
    for b in range(len(targets)):
        acc = _weighted_times(acc, outputs["x"][b:b + 1], _stacked(targets[b:b + 1]))
    return {"loss_w": acc}


def _times(x: torch.Tensor, targets: list[dict], n: int) -> torch.Tensor:
    term = _weighted(x, _stacked(targets))
    return term if n == 1 else term * _again(x, targets, n - 1)


def _again(x: torch.Tensor, targets: list[dict], n: int) -> torch.Tensor:
    return _times(x, targets, n)


def recursion_through_another_helper(outputs, targets):
    """``_times`` calls ``_again``, which calls ``_times``, as deep as the images: the product of
    the formulas runs once per level."""
    return {"loss_rec": _times(outputs["x"], targets, len(targets))}


class _Layers(torch.nn.Module):
    """RT-DETR's loop over the layers of ``outputs["aux_outputs"]`` in the parent class."""

    def forward(self, outputs: dict, targets: list[dict]) -> dict:
        losses = {}
        for i, layer in enumerate(outputs["aux_outputs"]):
            ddf, num_pos = _ddf(layer["x"], targets)
            losses.update({f"loss_ddf_{i}": num_pos * ddf})  # no item set: the loop's list is read unchanged
        return losses


class _SuperLayers(_Layers):
    """DEIMv2's ``forward``: its parent's, through ``super()``."""

    def forward(self, outputs: dict, targets: list[dict]) -> dict:
        return super().forward(outputs, targets)


class _Levels(torch.nn.Module):
    """A parent whose ``forward`` calls ``self.forward`` again, one level per image."""

    def forward(self, outputs: dict, targets: list[dict], depth: int = 0) -> torch.Tensor | None:
        return self.forward(outputs, targets, depth + 1) if depth + 1 < len(targets) else None


class _SuperLevels(_Levels):
    """``super().forward`` calls back into this ``forward`` (through the parent's
    ``self.forward``) as deep as the images; each level multiplies its formula in."""

    def forward(self, outputs: dict, targets: list[dict], depth: int = 0) -> torch.Tensor | None:
        below = super().forward(outputs, targets, depth)
        ddf, num_pos = _ddf(outputs["x"], targets)
        term = num_pos * ddf
        return term if below is None else below * term


_SUPER_LAYERS, _SUPER_LEVELS = _SuperLayers(), _SuperLevels()


def criterion_calling_its_parent_forward(outputs, targets):
    return _SUPER_LAYERS(outputs, targets)


def criterion_whose_parent_calls_forward_back(outputs, targets):
    return {"loss_lv": _SUPER_LEVELS(outputs, targets)}


def _outcome(body, seed: int, weights: list[float]) -> tuple[dict, dict, list[str]]:
    return split_outcome(body, list(_batch(seed, weights)), [ROWS, TARGETS])


@pytest.mark.parametrize("body", [formula_inline, formula_in_a_helper, formula_two_helpers_deep,
                                  criterion_calling_its_parent_forward])
def test_formulas_in_helpers_split_as_the_oracle(body):
    """The caller frames (the body's, a helper's) stop on their CALL's last inline cache: read as
    that CALL, straight-line code called once. ``criterion_calling_its_parent_forward`` was
    declined (``super().forward`` in ``forward`` read as a call of itself)."""
    for seed, weights in RULE_BATCHES:
        got, want, said = _outcome(body, seed, weights)
        assert want and set(got) == set(want) and got == pytest.approx(want, rel=1e-5), (seed, said)


@pytest.mark.parametrize("body", [helper_called_per_image, recursion_through_another_helper,
                                  criterion_whose_parent_calls_forward_back])
def test_formulas_in_helpers_run_per_image_decline(body):
    """Near misses: the helper is called in a loop over the images, or recursion (through a
    second helper, or through the parent's ``self.forward`` reached by ``super()``) is as deep as
    the images: a group alone multiplies another number of formulas."""
    for seed, weights in RULE_BATCHES:
        got, want, said = _outcome(body, seed, weights)
        assert not wrong_companions(got, want), (seed, said)
        assert not got, (seed, got)
        assert said, seed


class _Framed:
    def forward(self) -> object:
        return sys._getframe(1)  # the frame of the ``forward`` that called this one through ``super()``


class _FramedChild(_Framed):
    def forward(self) -> object:
        return super().forward()


class _CallsBack:
    def forward(self, depth: int = 1) -> object:
        return self.forward(depth - 1) if depth else sys._getframe(1)


class _CallsBackChild(_CallsBack):
    def forward(self, depth: int = 1) -> object:
        return super().forward(depth)


def test_super_forward_is_read_as_the_parent_method():
    """``super().forward`` in ``forward`` is a recursion only where the parent's ``forward`` may
    call ``forward`` again (here ``self.forward``, which reaches the child's). The frames are
    read directly: at a formula, the parent's frame that calls back is on the stack too and is
    refused for its own load of ``forward``, so no body tells the two checks apart."""
    assert not _bytecode._recursive(_FramedChild().forward())
    assert _bytecode._recursive(_CallsBackChild().forward())
