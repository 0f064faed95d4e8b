"""From per-image source labels to named groups: an image x group membership matrix."""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch

from ._errors import LossSplitError

Predicate = Callable[[Any], bool]
_NEVER_MATCHED_AFTER = 20  # calls after which a named group that matched no image is reported
_EXAMPLES = 5


class PredicateError(Exception):
    """A ``groups=`` predicate raised on a label: the user's code, reported, never our crash."""

    def __init__(self, group: str, label: Any, cause: BaseException) -> None:
        super().__init__(f"groups= predicate {group!r} raised {cause!r} on label {label!r}")


class Grouping:
    """How labels become groups: a threshold (numbers), one group per label, or predicates."""

    def __init__(self, groups: Any, threshold: float) -> None:
        self.threshold = threshold
        self.predicates: dict[str, Predicate] | None = None
        self.calls = 0  # calls grouped so far (counted while some group has never matched)
        self.matched: dict[str, int] = {}
        self.examples: list[Any] = []  # a few distinct labels seen, for the never-matched warning
        if groups is None:
            return
        if isinstance(groups, (list, tuple)) and not isinstance(groups, bool):
            if not all(isinstance(g, str) for g in groups):
                raise TypeError(
                    f"split_by_source(groups=...): expected a list of label names (str), got {groups!r}"
                )
            if not groups or not all(groups) or len(set(groups)) < len(groups):
                raise ValueError(
                    f"split_by_source(groups=...): expected distinct non-empty label names, got {groups!r}"
                )
            groups = {g: functools.partial(_is_label, g) for g in groups}
        if isinstance(groups, bool) or not isinstance(groups, (numbers.Real, Mapping)):
            raise TypeError(
                "split_by_source(groups=...): expected None, a threshold number, a list of label "
                f"names or a mapping of group name to predicate, got {type(groups).__name__}"
            )
        if isinstance(groups, numbers.Real):
            if math.isnan(groups):
                raise ValueError("split_by_source(groups=...): expected a threshold number, got nan")
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
        self.matched = dict.fromkeys(self.predicates, 0)

    def never_matched(self) -> list[str]:
        """Named groups that no image has matched after ``_NEVER_MATCHED_AFTER`` calls (once)."""
        if self.calls != _NEVER_MATCHED_AFTER:
            return []
        return [name for name, count in self.matched.items() if count == 0]

    def seen_labels(self) -> str:
        return ", ".join(repr(v) for v in self.examples) + (", ..." if len(self.examples) == _EXAMPLES else "")

    def assign(
        self, labels: Sequence[Any] | torch.Tensor, numeric: bool
    ) -> tuple[list[str], torch.Tensor, list[int]]:
        """Group names, a float [images, groups] membership matrix and the images in no group.

        Args:
            labels: one label per image.
            numeric: whether numbers are weights to threshold (the ``loss_weight`` convention);
                otherwise ints are dataset ids, one group each.

        Raises:
            PredicateError: a ``groups=`` predicate raised.
            LossSplitError: labels that are neither numbers nor strings, or a mix of both.
        """
        if self.predicates is not None:
            values = _python_values(labels)
            names = list(self.predicates)
            rows = [[1.0 if _match(n, self.predicates[n], v) else 0.0 for n in names] for v in values]
            outside = [b for b, row in enumerate(rows) if not any(row)]
            if self.calls < _NEVER_MATCHED_AFTER:
                self.calls += 1
                for n, hits in zip(names, zip(*rows)):
                    self.matched[n] += int(sum(hits))
                for v in values:
                    if len(self.examples) < _EXAMPLES and v not in self.examples:
                        self.examples.append(v)
            return names, torch.tensor(rows, dtype=torch.float32).reshape(len(values), len(names)), outside
        if isinstance(labels, torch.Tensor):
            if labels.is_floating_point() or numeric:
                weights = labels.detach().double()
                return (*self._threshold(weights), _nan_images(weights))
            return (*_categorical(labels.tolist()), [])
        kinds = {_kind(b, v) for b, v in enumerate(labels)}
        if kinds == {"str"} or (kinds == {"int"} and not numeric):
            return (*_categorical(_python_values(labels)), [])
        if kinds <= {"int", "float"}:  # python numbers: grouped on the host, no tensor ops
            floats = [float(v) for v in labels]
            rows = [[float(f >= self.threshold), float(f < self.threshold)] for f in floats]
            outside = [b for b, f in enumerate(floats) if math.isnan(f)]
            return ["real", "synthetic"], torch.tensor(rows), outside
        if kinds <= {"int", "float", "tensor"}:
            weights, nan = _as_float_tensor(labels)
            return (*self._threshold(weights), nan)
        first = _kind(0, labels[0])
        b = next(b for b, v in enumerate(labels) if _kind(b, v) != first)
        raise LossSplitError(
            "split_by_source: source labels must be all numbers (weights) or all strings / ints "
            f"(one group each), got a mix: {sorted(kinds)} (image {b}: {_python_label(labels[b])!r})"
        )

    def _threshold(self, values: torch.Tensor) -> tuple[list[str], torch.Tensor]:
        real = values >= self.threshold
        synthetic = values < self.threshold
        return ["real", "synthetic"], torch.stack([real, synthetic], 1).to(torch.float32)


def _match(name: str, predicate: Predicate, value: Any) -> bool:
    try:
        return bool(predicate(value))
    except Exception as exc:  # noqa: BLE001 - the user's predicate; reported by the caller
        raise PredicateError(name, value, exc) from exc


def _nan_images(values: torch.Tensor) -> list[int]:
    """Images whose numeric label is NaN (in no group); on an accelerator finding them would
    cost a host sync, so there they only drop out silently."""
    if values.device.type != "cpu":
        return []
    return torch.isnan(values).nonzero().flatten().tolist()


def _kind(b: int, v: Any) -> str:
    if isinstance(v, torch.Tensor):
        if v.numel() != 1:
            raise LossSplitError(
                f"split_by_source: each image's source label must be a scalar, got a tensor of "
                f"shape {tuple(v.shape)} for image {b}"
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
        f"tensor, got {type(v).__name__} for image {b} ({v!r})"
    )


def _is_label(name: str, value: Any) -> bool:
    return str(value) == name


def _python_label(label: Any) -> Any:
    return label.item() if isinstance(label, torch.Tensor) and label.numel() == 1 else label


def _python_values(labels: Sequence[Any] | torch.Tensor) -> list[Any]:
    if isinstance(labels, torch.Tensor):
        return list(labels.tolist())
    return [v.item() if isinstance(v, torch.Tensor) else v for v in labels]


def _as_float_tensor(labels: Sequence[Any]) -> tuple[torch.Tensor, list[int]]:
    """Labels of which at least one is a tensor, as float64 on that tensor's device, and the
    images whose label is NaN (python-number labels never get here: they are grouped on the host)."""
    devices = {v.device for v in labels if isinstance(v, torch.Tensor)}
    device = next(iter(devices)) if len(devices) == 1 else torch.device("cpu")
    values = torch.stack(
        [torch.as_tensor(v, dtype=torch.float64).reshape(()).to(device) for v in labels]
    )
    return values, _nan_images(values)


def _categorical(values: list[Any]) -> tuple[list[str], torch.Tensor]:
    names = sorted({str(v) for v in values})
    return names, torch.tensor([[float(str(v) == n) for n in names] for v in values]).reshape(len(values), len(names))
