"""What a reduced loss means: ``Ratio``, the one place that says how a scalar splits by group.

A loss reduced inside the call is kept lazy as per-row values and the image of each row. When the
call returns, ``_split`` sums each group's rows into a numerator with ``numerators`` and asks
``den_per_row`` / ``group_den`` for the denominator; nothing outside this module interprets a
ratio's kind.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, NamedTuple

import torch

Tensor = torch.Tensor
# Bytes: smaller tensors are held by the capture (cheap), larger ones weakly so that they are freed
# on time; a reduced loss this large keeps its per-row sums only. Read at call time (tests set it).
HOLD_WEAKLY_FROM = 1 << 15


class RatioKind(enum.Enum):
    """How a reduced loss's denominator is made, per group."""

    SUM = "sum"
    """``l.sum()``: den 1 for any group that has rows."""
    SUM_OVER_OPAQUE = "sum over an opaque normaliser"
    """``l.sum() / Z`` with Z from outside the call: den ``Z * C_S / C`` (C counts rows, or what
    ``den_values`` counts per row, such as non-ignored tokens)."""
    SUM_OVER_ROW_SUM = "sum over a row sum"
    """``l.sum() / m.sum()`` with ``m`` over the same rows: den is ``m`` summed over the group's
    rows, then ``normaliser_ops`` (``+ eps``, ``.clamp(min=c)``) as the body applied them."""
    MEAN = "mean"
    """``l.mean()``: den is the group's number of elements."""
    ROW_MEAN = "mean over rows"
    """``l.sum() / l.shape[row_dim]`` as the body computes it (``reduction='batchmean'``): den is
    the group's number of rows."""
    WEIGHTED_MEAN = "weighted mean"
    """A class-weighted / ``ignore_index`` mean: den is the group's sum of ``den_values``."""


def version_of(t: Tensor) -> int | None:
    """``t``'s version counter (None for inference tensors, which keep none)."""
    try:
        return t._version
    except RuntimeError:
        return None


def nbytes(t: Tensor) -> int:
    """Bytes of ``t``'s elements (dense-equivalent; 0 where a layout has no such size)."""
    try:
        return t.nbytes
    except Exception:  # noqa: BLE001 - an exotic tensor is simply held, as small ones are
        return 0


@dataclasses.dataclass(slots=True)
class Ratio:
    """A scalar loss as ``num / den`` per image, kept lazy until the call returns.

    Build one with ``Ratio.of``. A Ratio on a tensor that is not a prediction is a row-sum
    normaliser (``mask.sum()``) that a loss may later be divided by.
    """

    values: Tensor
    """The unweighted per-element losses (or, for a large loss, their per-row sums)."""
    rows: Tensor
    """The image of each index along ``row_dim`` (one element when ``row_dim`` is -1)."""
    row_dim: int
    kind: RatioKind
    den_values: Tensor | None
    """Per-element denominators (``WEIGHTED_MEAN``) or per-element counts (``SUM_OVER_OPAQUE``)."""
    numel: int
    """Elements the loss reduced (``MEAN``'s denominator over the whole batch)."""
    version: int | None
    """``values``' version counter when reduced: an in-place write afterwards shows here."""
    scales: tuple[float | Tensor, ...] = ()
    divisors: tuple[float | Tensor, ...] = ()
    normaliser: Ratio | None = None
    normaliser_ops: tuple[tuple[str, float], ...] = ()
    """``("add", eps)`` / ``("min", c)`` applied to a row-sum normaliser, in order; ``("host", 1)``:
    the sum was read on the host (a group whose sum is below 1 gets no companion)."""
    host_image: int | None = None
    """The one image every row belongs to, when known on the host (a per-image loss)."""
    offset: float = 0.0
    """Added to ``num / den`` after the division (``1 - dice.mean()``): the value is
    ``num / den + offset``, emitted as ``(num + offset * den, den)`` so that windows aggregate to
    ``sum num / sum den + offset`` exactly."""
    num_offset: float = 0.0
    """Added to the numerator before the division (the ``+ s`` of a soft dice
    ``(2 * inter.sum() + s) / (union.sum() + s)``): the value is ``(num + num_offset) / den``."""
    test: tuple[str, float] | None = None
    """A row sum of data compared with a number (``onehot.sum((0, 2)) > 0``: a class present in
    the images): per group, 1 where the group's sum passes ``(op, c)`` (``"gt"``, ``"ne"``), else 0."""
    gate: Ratio | None = None
    """A ``test`` this value was multiplied by (``loss * present``): a group where the test fails
    gets 0 for it, one where it passes gets the value."""
    batch_terms: tuple[Ratio, ...] = ()
    """Plain sums over several images' rows that ``add_ratios`` joined into this one (their rows
    are no longer told apart): a sum that adds one of them again is no single ratio."""
    row_counts: tuple[Tensor, ...] = ()
    """The images of the indices along a dim whose size multiplied the value (``loss * bs`` with
    ``bs = pred.shape[0]``): on a group alone that size is the group's count of those indices,
    so each group's numerator is multiplied by it."""
    part_images: Tensor | None = None
    """The image of each one-image loss added into this sum, in order (``sum(parts)`` of a
    per-image loop); None when anything else went in. A zeroed start (``x.sum() * 0``) adds none."""
    part_values: tuple[Tensor, ...] = ()
    """The values of those one-image losses, held (their identity tells a part added twice)."""
    group_factors: tuple[tuple[Any, tuple[Ratio, ...]], ...] = ()
    """Numbers read on the host that multiplied the value (``n * ce.mean()``, ``l.sum() / w``,
    ``w = max(reg.item(), 0.01)``): each an expression of ratios (see ``losssplit._formula``) that
    on a group alone is the group's, so each group's numerator is multiplied by its value there
    (a division: by its reciprocal). Only a value without offsets takes one; one that has them
    adds up with no other value (``add_ratios``), divides nothing, and has no image's value."""
    own_divisors: int = 0
    """How many of ``divisors`` the body's code proves counts of its own (``Frame.own_count``):
    no number passed in, whatever one it equals."""
    constant_scales: int = 0
    """How many of ``scales`` the body's code proves constants of the call (``hits.sum() * 100.0``,
    a literal): on a group alone the same numbers, so a metric of data scaled by them alone means
    as a returned value what it means as a loss (``data_value``)."""

    @classmethod
    def of(
        cls,
        values: Tensor,
        rows: Tensor,
        row_dim: int,
        kind: RatioKind,
        den_values: Tensor | None = None,
        host_image: int | None = None,
    ) -> Ratio:
        return cls(values, rows, row_dim, kind, den_values, values.numel(), version_of(values), host_image=host_image)

    def replace(self, **changes: Any) -> Ratio:
        """A copy with ``changes`` (``dataclasses.replace`` without its per-call introspection of
        the fields: ratios are copied on the hot path of every reduced loss's arithmetic)."""
        unknown = changes.keys() - _RATIO_FIELDS
        if unknown:
            raise TypeError(f"Ratio has no fields {sorted(unknown)}")
        new = _NEW(Ratio)
        for name in _RATIO_FIELDS:
            _SET(new, name, changes[name] if name in changes else _GET(self, name))
        return new

    def scaled(
        self,
        scale: float | Tensor = 1.0,
        divisor: float | Tensor | None = None,
        by_rows: Ratio | None = None,
        normaliser_op: tuple[str, float] | None = None,
        own: bool = False,
        *,
        other_image_checked: bool = False,
    ) -> Ratio:
        """A copy times ``scale``, divided by ``divisor`` (``own``: a count of the body's own) or by
        the row sum ``by_rows``. ``other_image_checked``: the caller found ``over_other_image(by_rows)``
        False (its tensor compare is not made twice).

        Raises:
            ValueError: the ratio has an ``offset`` that this scaling cannot carry exactly (a
                tensor factor, a division that makes the denominator a group's share or row sum),
                or, divided by a row sum, is no plain sum.
        """
        divisor_given = divisor is not None
        if by_rows is not None and by_rows.group_factors:
            raise ValueError("a normaliser scaled by a number read on the host")
        if by_rows is not None and not other_image_checked and self.over_other_image(by_rows):
            raise ValueError("a sum over several images divided by one image's row sum (``l.sum() / m[0].sum()``): on a "
                             "group alone that position holds another image")
        if by_rows is not None and (self.kind is not RatioKind.SUM or self.divisors or self.normaliser is not None):
            # ``l.sum() / num / num`` with a running count (review16: the second row sum replaced the first)
            raise ValueError("a ratio already over a normaliser divided by a row sum")
        if (self.gate is not None or self.test is not None) and (
            divisor_given or by_rows is not None or normaliser_op is not None or isinstance(scale, Tensor)
        ):
            raise ValueError("a tested or gated value over a normaliser")
        if divisor is None:
            divisor = 1.0
        kind, normaliser, ops = self.kind, self.normaliser, self.normaliser_ops
        offset, num_offset = self.offset, self.num_offset
        if normaliser_op is not None:
            ops = ops + (normaliser_op,)
        if by_rows is not None:
            if any(op != "add" for op, _ in self.normaliser_ops):
                raise ValueError("a clamped or host-read sum over a row sum")  # its floor is no numerator's
            # ``(hits.sum() + 1) / valid.sum()``: what was added to a sum of data adds to the numerator
            num_offset += sum(c for _, c in self.normaliser_ops)
            kind, normaliser, ops = RatioKind.SUM_OVER_ROW_SUM, by_rows, by_rows.normaliser_ops
            if by_rows.offset:  # ``union.sum() + s``: added to the group's row sum
                ops = ops + (("add", by_rows.offset),)
            # a plain sum's den is 1: ``inter.sum() + s`` over a row sum is (num + s) / den
            offset, num_offset = 0.0, num_offset + offset
        elif kind is RatioKind.SUM and not self.divisors and divisor_given:
            kind = RatioKind.SUM_OVER_OPAQUE  # even ``/ 1``: ``max(count, 1)`` is a count too
        if num_offset and not _is_one(scale):
            if isinstance(scale, Tensor):
                raise ValueError("a numerator offset scaled by a tensor")
            num_offset = num_offset * scale
        if offset:
            # (num / den + c) * a / z = (a num) / (den z) + c a / z, with z the same for every group
            if by_rows is not None or kind is not self.kind or kind is RatioKind.SUM_OVER_OPAQUE:
                raise ValueError("an offset divided by a normaliser recomputed per group")
            if isinstance(scale, Tensor) or isinstance(divisor, Tensor):
                raise ValueError("an offset scaled by a tensor")
            offset = offset * scale / divisor
        return self.replace(
            offset=offset,
            num_offset=num_offset,
            kind=kind,
            scales=self.scales + ((scale,) if not _is_one(scale) else ()),
            divisors=self.divisors + ((divisor,) if divisor_given else ()),
            own_divisors=self.own_divisors + (divisor_given and own),
            normaliser=normaliser,
            normaliser_ops=ops,
        )

    def times_row_count(self, rows: Tensor) -> Ratio:
        """A copy times the size of a dim whose indices have the images ``rows`` (``* bs``).

        Raises:
            ValueError: an offset, a test or gate, or a changed normaliser, which the group's count
                would multiply too (``(mean + c) * bs``) where the split scales the numerator only.
        """
        changed = self.normaliser_ops and self.kind is RatioKind.SUM  # ``(m.sum() + eps) * bs``
        if self.offset or self.num_offset or self.gate is not None or self.test is not None or changed:
            raise ValueError("a size of the images' rows times an offset, a test or a changed normaliser")
        return self.replace(row_counts=self.row_counts + (rows,))

    def over_row_count(self, rows: Tensor, floor: float | None = None) -> Ratio:
        """A copy divided by the size of a dim whose indices have the images ``rows`` (``/ bs``):
        a plain sum over that count as a row sum (the group's count), or undoing ``* bs``.
        ``floor``: the body divides by ``max(count, floor)``, at most 1 (a group's count of rows
        is at least 1 or is 0, so it changes only an empty group's 0 / 0 into its 0 / floor).

        Raises:
            ValueError: any other ratio over such a size (its denominator is not a count).
        """
        for i, r in enumerate(self.row_counts):
            if r is rows:
                return self.replace(row_counts=self.row_counts[:i] + self.row_counts[i + 1 :])
        if self.kind is not RatioKind.SUM or self.divisors or self.normaliser is not None or self.normaliser_ops:
            raise ValueError("a ratio other than a plain sum over a size of the images' rows")
        ones = Ratio.of(torch.ones(rows.numel(), device=rows.device), rows.reshape(-1), 0, RatioKind.SUM)
        return self.scaled(by_rows=ones if floor is None else ones.scaled(normaliser_op=("min", floor)))

    def counts_rows(self) -> bool:
        """Whether a group's count of some rows multiplies this value or its normaliser: then no
        image has a value of its own (see ``row_counts``)."""
        return bool(self.row_counts) or self.normaliser is not None and bool(self.normaliser.row_counts)

    def normaliser_times(self, c: float, constant: bool = False) -> Ratio | None:
        """A row-sum normaliser times the number ``c`` (``2 * mask.sum()``, ``(m.sum() + eps) / 2``):
        ``(s + e) * c = s * c + e * c`` and ``max(s, l) * c = max(s * c, l * c)`` for ``c > 0``, so
        every group's normaliser is scaled the same way. None where that does not hold (``c <= 0``
        after a clamp). ``constant``: the code proves ``c`` a constant of the call."""
        if c <= 0 and any(op == "min" for op, _ in self.normaliser_ops) or self.test is not None:
            return None
        ops = tuple((op, v * c) for op, v in self.normaliser_ops)
        return self.replace(scales=self.scales + (c,), normaliser_ops=ops, constant_scales=self.constant_scales + constant)

    def shifted(self, c: float) -> Ratio:
        """A copy plus the constant ``c``: ``num / den + c`` per group (the body computes
        ``value + c`` on the group alone, whatever its denominator).

        Raises:
            ValueError: a gated value (a group whose test fails gets ``c``, not 0) or a test.
        """
        if self.gate is not None or self.test is not None:
            raise ValueError("a constant added to a gated value")
        return self.replace(offset=self.offset + c)

    def compact(self, tokens: int | None = None) -> Ratio:
        """Keep a large loss's per-row sums, not its elements, until the call returns (the body's
        temporary is then freed when it would be without losssplit). Same sums, computed now.

        With sources per token (``tokens``: T of the ``[B, T]`` labels), a loss over
        ``[B, T, ...]`` keeps its per-token sums ``[B, T]`` instead: per-row sums would lose
        which token each value came from.
        """
        if self.values.dim() > 1 and nbytes(self.values) >= HOLD_WEAKLY_FROM:
            if tokens is not None and self.row_dim == 0 and self.values.shape[1] == tokens:
                if self.values.dim() > 2:
                    self.values = _token_sums(self.values)
                    if self.den_values is not None:
                        self.den_values = _token_sums(self.den_values)
                    self.version = version_of(self.values)
                return self
            self.values = row_sums(self.values, self.row_dim)
            if self.den_values is not None:
                self.den_values = row_sums(self.den_values, self.row_dim)
            self.row_dim = min(self.row_dim, 0)
            self.version = version_of(self.values)
        return self

    def modified(self) -> bool:
        """Whether the values it reads were written in place since the loss was reduced."""
        if self.version is not None and version_of(self.values) != self.version:
            return True
        return any(r is not None and r.modified() for r in (self.normaliser, self.gate))

    def numerators(self, per_row: Tensor) -> Tensor:
        """What each row adds to the numerator, from the per-row sums of ``values``."""
        return per_row * product(self.scales) if self.scales else per_row

    def den_per_row(self, per_row: Tensor) -> Tensor:
        """What each row adds to the denominator (``SUM`` rows add 1: presence, fixed on the
        host by ``group_den``; ``SUM_OVER_ROW_SUM`` rows add nothing: ``group_den`` takes the
        normaliser's own row sum)."""
        n = max(per_row.shape[0], 1)
        if self.kind is RatioKind.SUM:
            return torch.ones_like(per_row)
        if self.kind is RatioKind.SUM_OVER_ROW_SUM:
            return torch.zeros_like(per_row)
        if self.kind is RatioKind.SUM_OVER_OPAQUE:  # what the rows count; Z_S is made on the host
            return row_sums(self.den_values, self.row_dim).to(per_row.dtype) if self.den_values is not None else torch.ones_like(per_row)
        if self.kind is RatioKind.MEAN:
            return _fill(per_row, float(self.numel // n), self.divisors)
        if self.kind is RatioKind.ROW_MEAN:
            return _fill(per_row, 1.0, self.divisors)
        assert self.den_values is not None  # WEIGHTED_MEAN is always built with them
        den = row_sums(self.den_values, self.row_dim).to(per_row.dtype)
        return den * product(self.divisors) if self.divisors else den

    def group_den(self, normaliser_sum: Tensor) -> Tensor:
        """The denominator per group of ``SUM_OVER_ROW_SUM``, from its normaliser's group sums."""
        den, below = normaliser_sum, None
        for op, c in self.normaliser_ops:
            if op == "host":  # read on the host, maybe floored there: a sum below c gives no companion
                below = den < c if below is None else below | (den < c)
            else:  # (an ``+ eps`` after it must not make that group's 0 a denominator)
                den = normaliser_applied(den, ((op, c),))
        if below is not None:
            den = torch.where(below, torch.zeros_like(den), den)
        return den * product(self.divisors)

    def as_sum(self) -> tuple[Tensor, Tensor] | None:
        """(per-row values, rows) of a ratio that adds up: a plain sum, or one image's value."""
        if self.counts_rows() or self.group_factors:
            return None
        if (
            self.kind is RatioKind.SUM
            and not self.divisors
            and self.normaliser is None
            and not self.offset
            and not self.normaliser_ops
        ):
            return self.numerators(row_sums(self.values, self.row_dim)), self.rows.reshape(-1)
        one = self.rows.numel() == 1 or self.host_image is not None and self.rows.numel() > 0  # rows all one image's
        if one and self.kind is not RatioKind.SUM_OVER_OPAQUE and self.own_normaliser():
            return self.image_value().reshape(1), self.rows.reshape(-1)[:1]
        return None

    def over_other_image(self, by_rows: Ratio) -> bool:
        """Whether ``by_rows`` is the sum of one image's value (``m[0].sum()``, no dim of rows: its floor
        binds where a group lacks that image) and this ratio holds rows of other images. (Rows that
        happen to be one image's, the batch's one matched box, are the group's own: not this.)"""
        one = by_rows.host_image
        return one is not None and by_rows.row_dim < 0 and bool((self.rows.reshape(-1) != one).any())

    def own_normaliser(self) -> bool:
        """Whether a one-image ratio's row-sum normaliser (if any) is known to be that image's
        alone: one counting other images (``e_b.sum() / n`` with ``n`` summed over every image's
        reads) is recounted on a group alone, so the ratio is no value of the image's own."""
        n = self.normaliser
        return n is None or self.host_image is not None and n.host_image == self.host_image

    def image_value(self) -> Tensor:
        """The value of a ratio whose rows are all one image (weights set to 1): num / den + offset.

        Raises:
            ValueError: the value is scaled by a number read on the host (the group's, not the image's).
        """
        if self.group_factors:
            raise ValueError("a value scaled by a number read on the host has no image's value")
        value = self._image_ratio()
        return value + self.offset if self.offset else value

    def _image_ratio(self) -> Tensor:
        num = self.numerators(row_sums(self.values, self.row_dim)).sum() + self.num_offset
        if self.kind is RatioKind.SUM_OVER_ROW_SUM:
            assert self.normaliser is not None  # that kind is made with it
            norm = self.normaliser
            return num / self.group_den(norm.numerators(row_sums(norm.values, norm.row_dim)).sum())
        if self.kind is RatioKind.SUM_OVER_OPAQUE:
            return num / product(self.divisors)
        per_row = row_sums(self.values, self.row_dim)
        if self.kind is RatioKind.SUM:  # ``(m.sum() + eps).clamp(min=1)`` of one image: as the body applied them
            return normaliser_applied(num, self.normaliser_ops)
        return num / self.den_per_row(per_row).sum()


def normaliser_applied(value: Tensor, ops: tuple[tuple[str, float], ...]) -> Tensor:
    """``value`` (a sum: one image's, or each group's) with a normaliser's ``("add", eps)`` and
    ``("min", c)`` applied in the body's order; a ``("host", c)`` read changes no value."""
    for op, c in ops:
        if op == "add":
            value = value + c
        elif op == "min":
            value = value.clamp_min(c)
    return value


_RATIO_FIELDS = tuple(f.name for f in dataclasses.fields(Ratio))
_NEW, _GET, _SET = object.__new__, object.__getattribute__, object.__setattr__


class Count(NamedTuple):
    """A local count an opaque normaliser may be: its name, the group's share and the total."""

    name: str
    group: float
    total: float


# the largest factor ``count_multiple`` takes (denoising groups, views per image, ...)
MAX_MULTIPLE = 16


def count_multiple(z: float, count: float) -> int | None:
    """``k`` where the number ``z`` is ``k`` times the positive ``count``, ``2 <= k <= MAX_MULTIPLE``
    (``num_boxes * groups``); None otherwise."""
    if count <= 0 or z <= count or z > MAX_MULTIPLE * count:
        return None
    k = round(z / count)
    return k if k * count == z else None


def floored_den(
    z: float, floor: tuple[float, float, float, float, bool], counts: list[Count], images: int = 0
) -> tuple[float | None, str | None] | None:
    """The group's denominator of ``sum / z`` with ``z`` the body's ``factor * max(raw, c)``
    (``floor``: raw, c, factor, inner, proven), a count clamped from below by the literal ``c`` and
    times plain numbers (``clamp(num_boxes, min=1) * groups``): where ``raw`` (or ``raw / inner``,
    ``inner`` a constant the code shows ``raw`` a multiple of: ``n * groups`` before the clamp)
    equals a local count, on the group alone it is that count's, so ``factor * max(inner * C_S,
    c)``. (None, names) where the images equal the count too and split the groups otherwise, or,
    unless the code shows the factor a constant of the call (``proven``), the factor is the images
    (on a group alone, the group's own count); None where ``raw`` is no count or equals the loss's
    elements alone (read as ``opaque_den`` does)."""
    raw, c, factor, inner, proven = floor
    if abs(z - factor * max(raw, c)) > 1e-9 * max(abs(z), 1.0) or inner <= 0 or not (raw / inner).is_integer():
        return None
    if [x.name for x in counts if x.total == raw / inner] == ["elements"]:
        # equal to the loss's elements alone (red team, session 16: twice 12 instances, as many as a
        # [2, 3, 4] loss's elements, gave the group without instances 12 elements, not its floor):
        # as telling as a multiple of a count, which ``opaque_den`` weighs
        return None
    share = _equal_share(raw / inner, counts, 1)
    if share is None:
        return None
    den, names = share
    if names is None and images > 1 and factor == images and not proven:
        names = f"{factor:g} x {next(x.name for x in counts if x.total == raw / inner)} / images"
    if names is not None:
        return None, names
    return factor * max(inner * den, c), None


def opaque_den(z: float, counts: list[Count], body: bool = False, images: int = 0,
               share: bool = True) -> tuple[float | None, str | None]:
    """The group's denominator ``Z_S`` of ``sum / Z`` with Z from outside the call, or from the
    body (``body``) where Z is a local count or a small multiple of one.

    ``counts`` are the local counts Z may be, most telling first (non-ignored tokens, target
    instances, rows of the loss; last, images, offered only for an int Z as ``len(targets)``
    gives). When Z equals one of them it is the body's own count, so ``Z_S`` is the group's count
    (the first that equals it; if the images equal it too and split the groups differently, it
    cannot be told which: returns their names). A Z of the body equal to none but ``k`` times one
    (``count_multiple``) is, as by that rule on ``Z / k``, the group's count times ``k``; where
    two factors ``k`` give different shares, it cannot be told which (their names); so too a Z
    equal to the loss's elements alone, where a multiple of a count (of the body) or the first
    count's share (from outside) gives another. Otherwise ``Z_S = Z * C_S / C`` with the
    first count, or, for tokens counted over more than this call (``num_items_in_batch`` under
    gradient accumulation or across processes), the group's own tokens, so that a step's calls
    add up to the exact token mean. None: the group counts nothing (no companion), or Z equals no
    count and ``share`` is False (a number of the body's data, which the first count's share is not).
    """
    shares = [_equal_share(z, counts, 1)]
    # equal to the loss's elements alone (``l.sum() / l.numel()`` read from the value only): as
    # telling as what else Z may count, a multiple of a count or, from outside, the first's share
    equal: list[str] = []
    for c in counts:  # (loops here: no comprehensions per group's share)
        if c.total == z:
            equal.append(c.name)
    elements = equal == ["elements"]
    # equal to the images alone, a number of the body may as well be ``k`` times another count
    # (``2 * num_fg`` over four images): as telling as those multiples
    also = elements or (equal == ["images"] and body)
    multiple = (shares[0] is None or also) and body
    if multiple:  # ``num_boxes * groups``: per factor, the counts it multiplies
        ks = sorted({k for c in counts if (k := count_multiple(z, c.total)) is not None})
        shares = [_equal_share(z, counts, k) for k in ks] + shares if also else \
            [_equal_share(z, counts, k) for k in ks] or shares
    elif elements and counts[0].total > 0:
        shares.append((z * counts[0].group / counts[0].total, None))
    # a multiple of a count that is also the loss's rows over a few per item (DEIMv2's union of
    # matches over ``[4 * M]`` corner rows: 14 = 2 x 7 instances = 56 rows / 4)
    per_item = [(c.total // int(z), c) for c in counts if c.name == "rows" and z >= 1
                and float(z).is_integer() and c.total % int(z) == 0 and 2 <= c.total // int(z) <= 8] if multiple else []
    if per_item:
        shares += [(c.group / k, None) for k, c in per_item]
    found: list[tuple[float, str | None]] = []
    for held in shares:
        if held is not None:
            found.append(held)
    if found:
        ambiguous: str | None = None
        dens: set[float] = set()
        for den, names in found:
            dens.add(den)
            if ambiguous is None and names is not None:
                ambiguous = names
        if ambiguous is None and (len(dens) > 1 or multiple and not also and images > 1 and any(
                k == images for k, _ in _factors(z, counts))):
            # shares that differ; or, equal to no count, a factor equal to the ``images``, which on
            # a group alone is the group's own count (``rows * len(targets)``), not a constant
            ambiguous = " / ".join([f"{k} x {name}" for k, name in _factors(z, counts)]
                                   + [f"{c.name} / {k}" for k, c in per_item])
        if ambiguous is not None:
            return None, ambiguous
        den = found[0][0]
    else:
        first = counts[0]
        if not share:  # ``w.sum() + eps`` of a count: that count's share (up to the eps)
            first = next((c for c in counts if c.total > 0 and abs(z - c.total) <= 1e-4 * c.total), first)
            if abs(z - first.total) > 1e-4 * first.total:
                return None, None
        if first.total <= 0:
            return None, None
        den = first.group if first.name == "tokens" and z > first.total else z * first.group / first.total
    return (den if den else None), None


def _equal_share(z: float, counts: list[Count], k: int) -> tuple[float, str | None] | None:
    """(the group's share ``k * C_S``, None) of the first count with ``k * C == z``, or (0, the
    names) where the images equal it too and split the groups otherwise; None: no count does."""
    equal: list[Count] = []
    for c in counts:  # (a loop: no comprehension per group's share)
        if k * c.total == z:
            equal.append(c)
    if not equal:
        return None
    first = equal[0]
    images = equal[-1] if equal[-1].name == "images" else None
    if images is not None and images is not first and images.group != first.group:
        return 0.0, f"{first.name} / {images.name}"
    return k * first.group, None


def _factors(z: float, counts: list[Count]) -> list[tuple[int, str]]:
    """(k, name) of each count that ``z`` is a multiple of."""
    return [(k, c.name) for c in counts if (k := count_multiple(z, c.total) or (1 if c.total == z else 0))]


def add_ratios(ra: Ratio, rb: Ratio) -> Ratio | None:
    """``loss_a + loss_b`` of sums or of per-image losses: one sum over both sets of rows; of two
    means with the same denominator per row over the same rows: one mean of both numerators."""
    if ra.modified() or rb.modified() or ra.group_factors or rb.group_factors:  # written in place after the
        return None  # reduction (not these values); scaled by numbers read on the host (parts of their own)
    if any(r.gate is not None or r.test is not None for r in (ra, rb)):
        return None
    left, right = ra.as_sum(), rb.as_sum()
    if left is None or right is None:
        return _same_den_sum(ra, rb)
    terms_a, terms_b = batch_terms(ra), batch_terms(rb)
    if _looped(ra) and _looped(rb) and any(same_form(q, r) for q in terms_a for r in terms_b):
        return None  # maybe the same batch term again (a loop over images): kept apart as parts
    values = torch.cat([left[0], right[0].to(left[0].device)])
    out = Ratio.of(values, torch.cat([left[1], right[1].to(left[1].device)]), 0, RatioKind.SUM, _same_tokens(ra, rb))
    out.batch_terms = terms_a + terms_b
    if _plain_sum_elements(ra) == _plain_sum_elements(rb) is not None:
        # per-image sums of equal size added in a loop: a divisor equal to all their elements
        # (``total / e.numel()``) is the body's own count, recounted per group
        out = out.replace(numel=ra.numel + rb.numel)
    if ra.host_image is not None and ra.host_image == rb.host_image:  # two losses of one image: its loss
        out = out.replace(host_image=ra.host_image)
    pa, pb = _part_images(ra), _part_images(rb)
    if pa is not None and pb is not None:
        out = out.replace(part_images=torch.cat([pa, pb.to(pa.device)]), part_values=_part_values(ra) + _part_values(rb))
    return out


def _part_values(r: Ratio) -> tuple[Tensor, ...]:
    if r.part_images is not None:
        return r.part_values
    images = _part_images(r)
    return () if images is not None and not images.numel() else (r.values,)  # a zeroed start: none


def _part_images(r: Ratio) -> Tensor | None:
    """The images of the one-image losses ``r`` adds up (see ``Ratio.part_images``)."""
    if r.part_images is not None:
        return r.part_images
    if any(not isinstance(s, Tensor) and s == 0 for s in r.scales):
        return r.rows.new_zeros((0,))  # ``sum(parts, x.sum() * 0)``: a start that adds nothing
    if r.rows.numel() == 1 or r.host_image is not None and r.rows.numel() > 0:
        return r.rows.reshape(-1)[:1]  # every row of a per-image loss is its image
    return None


def data_value(r: Ratio) -> bool:
    """Whether a ratio of the images' data (a metric: ``(epe < 1).float().mean()``, ``hit.sum() /
    valid.sum()``) means as a returned value what it means as a loss. A plain sum of data is
    followed as a normaliser is: a number scaling it, a clamp, ``+ eps``, a test apply to the
    group's sum in a denominator (``2 * m.sum()`` is no count of the group's), so such a sum, or a
    sum over a row sum with its numerator scaled, is not one -- unless every scale is a constant the
    code proves (MoCo's ``correct.sum() * 100.0 / labels.size(0)``: the group's share, times 100)."""
    if r.test is not None or r.gate is not None or r.row_counts:
        return False
    if r.kind is RatioKind.SUM:
        return not (r.scales or r.divisors or r.normaliser_ops or r.offset or r.num_offset)
    return not (r.kind is RatioKind.SUM_OVER_ROW_SUM and len(r.scales) > r.constant_scales)


def batch_terms(r: Ratio) -> tuple[Ratio, ...]:
    """The sums over several images' rows ``r`` adds up: those joined into it, or ``r`` itself."""
    if r.batch_terms:
        return r.batch_terms
    return (r,) if r.host_image is None and r.rows.numel() > 1 else ()


def _looped(r: Ratio) -> bool:
    """Whether ``r`` holds other rows than its batch terms' (one image's value joined to a batch
    term: ``l_b + e.sum()``), as a loop over images makes it, or is one image's value."""
    return r.rows.numel() == 1 or r.host_image is not None or (
        bool(r.batch_terms) and r.rows.numel() > sum(q.rows.numel() for q in r.batch_terms))


def same_form(q: Ratio, r: Ratio) -> bool:
    """Two ratios alike in all but their tensors (kind, shapes, number factors and offsets)."""
    numbers = all(not isinstance(x, Tensor) for x in (*q.scales, *q.divisors, *r.scales, *r.divisors))
    return (numbers and q.kind is r.kind and q.values.shape == r.values.shape and q.rows.shape == r.rows.shape
            and q.row_dim == r.row_dim and q.numel == r.numel and q.scales == r.scales and q.divisors == r.divisors
            and q.offset == r.offset and q.num_offset == r.num_offset and q.normaliser is None and r.normaliser is None
            and q.den_values is None and r.den_values is None and q.gate is None and r.gate is None
            and q.test is None and r.test is None and not q.row_counts and not r.row_counts)


def _plain_sum_elements(r: Ratio) -> float | None:
    """The elements each row of a plain sum adds up (None for other ratios)."""
    if r.kind is not RatioKind.SUM or r.divisors or r.normaliser is not None or r.scales or r.rows.numel() == 0:
        return None
    return r.numel / r.rows.numel()


def _same_tokens(ra: Ratio, rb: Ratio) -> Tensor | None:
    """The tokens two summed losses count (``den_values``), per row of their sum, where both count
    the same ones (the same count tensor over the same rows: two losses of one set of labels,
    ``nll.sum() + smooth.sum()`` both zeroed at the padding): counted once. None otherwise."""
    if (
        ra.den_values is None
        or ra.den_values is not rb.den_values
        or ra.rows is not rb.rows
        or ra.row_dim != rb.row_dim
        or ra.kind is not RatioKind.SUM
        or rb.kind is not RatioKind.SUM
    ):
        return None
    counts = row_sums(ra.den_values, ra.row_dim)
    return torch.cat([counts, torch.zeros_like(counts)])


_PER_ROW_CONSTANT = (RatioKind.MEAN, RatioKind.ROW_MEAN)


def _row_den(r: Ratio) -> float | None:
    """The denominator each row adds, where it is one number known on the host (a mean of rows
    of equal size, divisors that are numbers); None otherwise."""
    if r.kind not in _PER_ROW_CONSTANT or r.row_dim < 0 or r.normaliser is not None or r.row_counts:
        return None
    scale = product(r.divisors)
    if isinstance(scale, Tensor):
        return None
    n = max(r.values.shape[r.row_dim] if r.values.dim() else 1, 1)
    return float(r.numel // n if r.kind is RatioKind.MEAN else 1) * scale


def _same_den_sum(ra: Ratio, rb: Ratio) -> Ratio | None:
    """``a.mean() + b.mean()`` (a loop over joints, a hinge on real and fake logits): where both
    are means over the same row map (the same tensor, so no host read) whose rows add the same
    denominator, every group's two denominators are equal, and the sum is one ratio:
    ``(num_a + num_b) / den`` plus both offsets. None for any other pair (not a ratio)."""
    da, db = _row_den(ra), _row_den(rb)
    if da is None or da != db or ra.rows is not rb.rows or da == 0:
        return None
    num = ra.numerators(row_sums(ra.values, ra.row_dim)) + rb.numerators(row_sums(rb.values, rb.row_dim)).to(ra.values.device)
    # each row's numerators over ``da`` per row: a mean over rows with the divisor ``da``
    out = Ratio.of(num, ra.rows, 0, RatioKind.ROW_MEAN)
    # the terms stay known: ``s = s - m`` in a loop over images adds ``m`` again
    return out.replace(divisors=(da,), offset=ra.offset + rb.offset, batch_terms=batch_terms(ra) + batch_terms(rb))


def _is_one(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and x == 1


def _fill(like: Tensor, value: float, factors: tuple[float | Tensor, ...]) -> Tensor:
    """``like``-shaped ``value * prod(factors)``: one op when every factor is a number."""
    scale = product(factors)
    if isinstance(scale, Tensor):
        return torch.full_like(like, value) * scale
    return torch.full_like(like, value * scale)


def row_sums(values: Tensor, row_dim: int) -> Tensor:
    """Per-row totals of ``values`` along ``row_dim`` (``-1``: one row, the whole tensor)."""
    if values.dtype not in (torch.float32, torch.float64):
        values = values.float()
    if row_dim < 0:
        return values.sum().reshape(1)
    if values.dim() == 1:
        return values
    return values.sum(dim=[d for d in range(values.dim()) if d != row_dim])


def _token_sums(values: Tensor) -> Tensor:
    """``[B, T, ...]`` summed to ``[B, T]``."""
    if values.dtype not in (torch.float32, torch.float64):
        values = values.float()
    return values.sum(dim=list(range(2, values.dim())))


def product(factors: tuple[float | Tensor, ...]) -> float | Tensor:
    out: float | Tensor = 1.0
    for f in factors:
        out = out * f
    return out
