"""From per-image source labels to named groups: which images each group holds."""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from ._capture.mode import host_tensor, to_device
from ._errors import LossSplitError

Predicate = Callable[[Any], bool]
_NEVER_MATCHED_AFTER = 20  # calls after which a named group that matched no image is reported
_EXAMPLES = 5
_SETS_KEPT = 8
_HOST_COUNTS_UP_TO = 64  # images whose counts per group are summed in Python (``counts_per_group``)  # sets of distinct labels whose sorted names a grouping keeps


class PredicateError(Exception):
    """A ``groups=`` predicate raised on a label: the user's code, reported, never our crash."""

    def __init__(self, group: str, label: Any, cause: BaseException) -> None:
        super().__init__(f"groups= predicate {group!r} raised {cause!r} on label {label!r}")


@dataclass(frozen=True)
class Membership:
    """Images in groups as index vectors, so that its cost does not grow with the number of groups.

    Attributes:
        images: images in the batch.
        groups: named groups.
        group: [pairs] long, each pair's group; ``groups`` (one past the last) for an image in no
            group, so that such an image needs no host read to be left out.
        image: [pairs] long, each pair's image; ``None`` when pair ``b`` is image ``b`` (each image
            in at most one group, the threshold and one-group-per-label cases).
    """

    images: int
    groups: int
    group: torch.Tensor
    image: torch.Tensor | None = None
    host_group: list[int] | None = None
    """``group`` as a Python list, where it was made from one (labels grouped on the host)."""

    def to(self, device: torch.device) -> Membership:
        image = None if self.image is None else self.image.to(device, non_blocking=True)
        return Membership(self.images, self.groups, self.group.to(device, non_blocking=True), image, self.host_group)

    def per_group(self, per_image: torch.Tensor) -> torch.Tensor:
        """``[..., images, *rest] -> [..., groups, *rest]``: per-image values summed per group
        (dimension ``-2`` when ``per_image`` has a trailing dimension, else ``-1``); no product,
        so an inf image of one group cannot turn another group's sum into NaN."""
        dim = per_image.dim() - 2 if per_image.dim() > 1 else 0
        # images first: index_add_ along dim 0 scatters in one pass, along a middle dim it adds
        # image by image (~6x the time); each group's sum in the same order either way
        values = per_image.movedim(dim, 0) if dim else per_image
        if self.image is not None:
            values = values.index_select(0, self.image)
        out = torch.zeros((self.groups + 1, *values.shape[1:]), dtype=per_image.dtype, device=per_image.device)
        out = out.index_add_(0, self.group, values).narrow(0, 0, self.groups)
        return out.movedim(0, dim) if dim else out

    def counts_per_group(self, per_image: Sequence[Sequence[float]]) -> list[float] | None:
        """``per_group`` of small per-image counts (rows of ``per_image``, flattened group-major),
        summed in Python, without tensor ops or reads, where each image is one pair whose group is
        known as a Python number and the images are few; None otherwise. Counts (whole numbers) add
        up exactly in float64 in any order."""
        groups = self.host_group
        if groups is None or self.image is not None or self.images > _HOST_COUNTS_UP_TO:
            return None
        width = len(per_image[0]) if per_image else 0
        out = [0.0] * ((self.groups + 1) * width)
        for g, b in zip(groups, range(len(groups))):
            for j, v in enumerate(per_image[b]):
                out[g * width + j] += v
        return out[: self.groups * width]

    def dense(self) -> torch.Tensor:
        """The float [images, groups] 0/1 matrix these pairs stand for."""
        image = torch.arange(self.images, device=self.group.device) if self.image is None else self.image
        out = torch.zeros(self.images, self.groups + 1, device=self.group.device)
        return out.index_put_((image, self.group), torch.ones(())).narrow(1, 0, self.groups)


class Grouping:
    """How labels become groups: a threshold (numbers), one group per label, or predicates."""

    def __init__(self, groups: Any, threshold: float) -> None:
        self.threshold = threshold
        self.predicates: dict[str, Predicate] | None = None
        self.calls = 0  # calls grouped so far (counted while some group has never matched)
        self.matched: dict[str, int] = {}
        self.examples: list[Any] = []  # a few distinct labels seen, for the never-matched warning
        # recent calls' sets of distinct labels -> their sorted names and index, reused when a set recurs
        self.named: dict[frozenset[str], tuple[list[str], dict[str, int]]] = {}
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

    def assign(self, labels: Sequence[Any] | torch.Tensor, numeric: bool) -> tuple[list[str], Membership, list[int]]:
        """Group names, which images each holds and the images in no group.

        Args:
            labels: one label per image.
            numeric: whether numbers are weights to threshold (the ``loss_weight`` convention);
                otherwise ints are dataset ids, one group each.

        Raises:
            PredicateError: a ``groups=`` predicate raised.
            LossSplitError: labels that are neither numbers nor strings, or a mix of both.
        """
        if self.predicates is not None:
            return self._predicates(_python_values(labels))
        if isinstance(labels, torch.Tensor):
            if labels.is_floating_point() or numeric:
                weights = labels.detach().double()
                return (*self._threshold(weights), _nan_images(weights))
            return (*self._categorical([str(v) for v in labels.tolist()]), [])
        kinds = _kinds(labels)
        if kinds == {"str"} and isinstance(labels, list):
            return (*self._categorical(labels), [])
        if kinds == {"str"} or (kinds == {"int"} and not numeric):
            return (*self._categorical([str(v) for v in _python_values(labels)]), [])
        if kinds <= {"int", "float"}:  # python numbers: grouped on the host, no tensor ops
            floats = [float(v) for v in labels]
            t = self.threshold
            ids = [0 if f >= t else 1 if f < t else 2 for f in floats]
            outside = [b for b, f in enumerate(floats) if math.isnan(f)]
            return ["real", "synthetic"], Membership(len(floats), 2, host_tensor(ids, torch.long), None, ids), outside
        if kinds <= {"int", "float", "tensor"}:
            weights, nan = _as_float_tensor(labels)
            return (*self._threshold(weights), nan)
        first = _kind(0, labels[0])
        b = next(b for b, v in enumerate(labels) if _kind(b, v) != first)
        raise LossSplitError(
            "split_by_source: source labels must be all numbers (weights) or all strings / ints "
            f"(one group each), got a mix: {sorted(kinds)} (image {b}: {_python_label(labels[b])!r})"
        )

    def _predicates(self, values: list[Any]) -> tuple[list[str], Membership, list[int]]:
        assert self.predicates is not None  # the caller's condition
        names = list(self.predicates)
        seen: dict[Any, list[int]] = {}  # a label's groups, each predicate called once per distinct label
        image, group, outside = [], [], []
        for b, v in enumerate(values):
            hits = seen.get(v) if _hashable(v) else None
            if hits is None:
                hits = [g for g, n in enumerate(names) if _match(n, self.predicates[n], v)]
                if _hashable(v):
                    seen[v] = hits
            image += [b] * len(hits)
            group += hits
            if not hits:
                outside.append(b)
        if self.calls < _NEVER_MATCHED_AFTER:
            self.calls += 1
            for g in group:
                self.matched[names[g]] += 1
            for v in values:
                if len(self.examples) < _EXAMPLES and v not in self.examples:
                    self.examples.append(v)
        long = torch.long
        membership = Membership(len(values), len(names), host_tensor(group, long), host_tensor(image, long))
        return names, membership, outside

    def _categorical(self, text: list[str]) -> tuple[list[str], Membership]:
        """One group per distinct label text, names sorted; sorting and indexing the names is
        skipped when the call's set of labels is a recent call's (their cost grows with groups)."""
        distinct = frozenset(text)
        known = self.named.get(distinct)
        if known is not None:
            names, index = known
        else:
            names = sorted(distinct)
            index = {n: g for g, n in enumerate(names)}
            if len(self.named) >= _SETS_KEPT:
                self.named.clear()
            self.named[distinct] = (names, index)
        ids = list(map(index.__getitem__, text))
        return names, Membership(len(text), len(names), host_tensor(ids, torch.long), None, ids)

    def _threshold(self, values: torch.Tensor) -> tuple[list[str], Membership]:
        real = (values >= self.threshold).long()
        synthetic = (values < self.threshold).long()
        group = 2 - 2 * real - synthetic  # 0 real, 1 synthetic, 2 neither (NaN)
        return ["real", "synthetic"], Membership(values.shape[0], 2, group)


def _hashable(value: Any) -> bool:
    return isinstance(value, (str, int, float))


def _kinds(labels: Sequence[Any]) -> set[str]:
    """The kinds of labels present; builtin types are read at once, others one by one."""
    types = set(map(type, labels))
    if types <= _BUILTIN_KINDS.keys():
        return {_BUILTIN_KINDS[t] for t in types}
    return {_kind(b, v) for b, v in enumerate(labels)}


_BUILTIN_KINDS: dict[type, str] = {str: "str", int: "int", bool: "int", float: "float"}


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
        [to_device(torch.as_tensor(v, dtype=torch.float64).reshape(()), device) for v in labels]
    )
    return values, _nan_images(values)
