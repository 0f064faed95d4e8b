"""From per-image source labels to named groups: an image x group membership matrix."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch

from ._errors import LossSplitError

Predicate = Callable[[Any], bool]


class Grouping:
    """How labels become groups: a threshold (numbers), one group per label, or predicates."""

    def __init__(self, groups: Any, threshold: float) -> None:
        self.threshold = threshold
        self.predicates: dict[str, Predicate] | None = None
        if groups is None:
            return
        if isinstance(groups, bool) or not isinstance(groups, (numbers.Real, Mapping)):
            raise TypeError(
                "split_by_source(groups=...): expected None, a threshold number or a mapping "
                f"of group name to predicate, got {type(groups).__name__}"
            )
        if isinstance(groups, numbers.Real):
            self.threshold = float(groups)
            return
        if not groups:
            raise ValueError("split_by_source(groups=...): expected at least one group, got {}")
        for name, pred in groups.items():
            if not isinstance(name, str) or not name:
                raise TypeError(
                    f"split_by_source(groups=...): expected group names as non-empty strings, got {name!r}"
                )
            if not callable(pred):
                raise TypeError(
                    f"split_by_source(groups=...): expected a predicate (callable) for group "
                    f"{name!r}, got {type(pred).__name__}"
                )
        self.predicates = dict(groups)

    def assign(self, labels: Sequence[Any] | torch.Tensor, numeric: bool) -> tuple[list[str], torch.Tensor]:
        """Group names and a float [images, groups] membership matrix.

        Args:
            labels: one label per image.
            numeric: whether numbers are weights to threshold (the ``loss_weight`` convention);
                otherwise ints are dataset ids, one group each.
        """
        if self.predicates is not None:
            values = _python_values(labels)
            names = list(self.predicates)
            rows = [[1.0 if self.predicates[n](v) else 0.0 for n in names] for v in values]
            return names, torch.tensor(rows, dtype=torch.float32).reshape(len(values), len(names))
        if isinstance(labels, torch.Tensor):
            if labels.is_floating_point() or numeric:
                return self._threshold(labels.detach().double())
            return _categorical(labels.tolist())
        kinds = {_kind(v) for v in labels}
        if kinds == {"str"} or (kinds == {"int"} and not numeric):
            return _categorical(_python_values(labels))
        if kinds <= {"int", "float", "tensor"}:
            return self._threshold(_as_float_tensor(labels))
        raise LossSplitError(
            "split_by_source: source labels must be all numbers (weights) or all strings / ints "
            f"(one group each), got a mix: {sorted(kinds)}"
        )

    def _threshold(self, values: torch.Tensor) -> tuple[list[str], torch.Tensor]:
        real = values >= self.threshold
        synthetic = values < self.threshold
        return ["real", "synthetic"], torch.stack([real, synthetic], 1).to(torch.float32)


def _kind(v: Any) -> str:
    if isinstance(v, torch.Tensor):
        if v.numel() != 1:
            raise LossSplitError(
                f"split_by_source: each image's source label must be a scalar, got a tensor of "
                f"shape {tuple(v.shape)}"
            )
        return "tensor" if v.is_floating_point() else "int"
    if isinstance(v, bool):
        return "int"
    if isinstance(v, numbers.Integral):
        return "int"
    if isinstance(v, numbers.Real):
        return "float"
    if isinstance(v, str):
        return "str"
    raise LossSplitError(
        "split_by_source: each image's source label must be a number, a string or a 0-dim "
        f"tensor, got {type(v).__name__}"
    )


def _python_values(labels: Sequence[Any] | torch.Tensor) -> list[Any]:
    if isinstance(labels, torch.Tensor):
        return list(labels.tolist())
    return [v.item() if isinstance(v, torch.Tensor) else v for v in labels]


def _as_float_tensor(labels: Sequence[Any]) -> torch.Tensor:
    devices = {v.device for v in labels if isinstance(v, torch.Tensor)}
    if not devices:
        return torch.tensor([float(v) for v in labels], dtype=torch.float64)
    device = next(iter(devices)) if len(devices) == 1 else torch.device("cpu")
    return torch.stack(
        [torch.as_tensor(v, dtype=torch.float64).reshape(()).to(device) for v in labels]
    )


def _categorical(values: list[Any]) -> tuple[list[str], torch.Tensor]:
    names = sorted({str(v) for v in values})
    index = {n: i for i, n in enumerate(names)}
    matrix = torch.zeros(len(values), len(names))
    for b, v in enumerate(values):
        matrix[b, index[str(v)]] = 1.0
    return names, matrix
