"""Turn a finished capture into companions: (num, den) per key and group, one host read."""

from __future__ import annotations

import math
from collections.abc import Callable, Container, MutableMapping
from dataclasses import dataclass
from typing import Any

import torch

from ._capture import Frame, Ratio, product, row_sums
from ._companion import Companion, companion_of, make_companions

Warn = Callable[[str, str], None]


@dataclass
class Pending:
    key: str
    value: torch.Tensor
    ratio: Ratio


def collect(
    frame: Frame, result: MutableMapping[str, Any], keys: frozenset[str] | None, warn: Warn
) -> list[Pending]:
    """The returned keys that can be split; warns once for a key whose attribution was lost."""
    pending = []
    for key, value in list(result.items()):
        if keys is not None and key not in keys:
            continue
        if not isinstance(value, torch.Tensor) or companion_of(value) is not None:
            if keys is not None:
                warn(f"key:{key}", f"key {key!r} is not a tensor loss ({type(value).__name__}); not split")
            continue
        track = frame.get(value)
        if track is not None and track.ratio is not None and track.pred:
            if track.ratio.modified():
                warn(
                    f"inplace:{key}",
                    f"key {key!r}: its per-element losses were written in place after it was reduced; "
                    "no companions for it",
                )
            else:
                pending.append(Pending(key, value, track.ratio))
        elif track is not None and track.lost is not None:
            warn(
                f"lost:{key}",
                f"key {key!r}: attribution to images was lost at {track.lost}; no companions for it "
                "(give labels with `source=` or `losssplit.sources(...)`, or see README "
                "'Which criteria are split')",
            )
        elif keys is not None:
            warn(f"key:{key}", f"key {key!r} does not derive from per-image rows; not split")
    if keys is not None:
        for key in sorted(keys - set(result)):
            warn(f"missing:{key}", f"key {key!r} (from keys=) is not in the returned dict")
    return pending


def _fill(like: torch.Tensor, value: float, factors: tuple[float | torch.Tensor, ...]) -> torch.Tensor:
    """``like``-shaped ``value * prod(factors)``: one op when every factor is a number."""
    scale = product(factors)
    if isinstance(scale, torch.Tensor):
        return torch.full_like(like, value) * scale
    return torch.full_like(like, value * scale)


def _den_per_row(r: Ratio, per_row: torch.Tensor) -> torch.Tensor:
    """What each row adds to the denominator (``sum`` rows add 1: presence, fixed on the host;
    ``datanorm`` rows add nothing: their den is the normaliser's own row sum)."""
    n = max(per_row.shape[0], 1)
    if r.kind == "sum":
        return torch.ones_like(per_row)
    if r.kind == "datanorm":
        return torch.zeros_like(per_row)
    if r.kind == "normsum":  # sum / Z: a group of N_S rows divides by Z * N_S / N
        if r.den_values is None:
            return _fill(per_row, 1.0 / n, r.divisors)
        counted = row_sums(r.den_values, r.row_dim).to(per_row.dtype)  # e.g. non-ignored tokens
        # Z >= N: Z counts these tokens among others (``num_items_in_batch`` over the micro-batches
        # of a step, or over ranks), so the group's part of it in this call is its own count; the
        # (num, den) of a step's calls then add up to the group's exact token mean.
        return counted * (torch.as_tensor(product(r.divisors), dtype=per_row.dtype, device=per_row.device)
                          / counted.sum().clamp_min(1)).clamp_max(1)
    if r.kind == "mean":
        return _fill(per_row, float(r.numel // n), r.divisors)
    assert r.den_values is not None
    return row_sums(r.den_values, r.row_dim).to(per_row.dtype) * product(r.divisors)


def table(pending: list[Pending], membership: torch.Tensor, factors: Container[Any] = ()) -> torch.Tensor:
    """[keys, groups, 3]: numerator, denominator and row count per key and group.

    All ratios (and the row-sum normalisers some divide by) go through one ``index_add`` into
    [ratios * images] and one masked sum into groups.
    """
    device = pending[0].ratio.values.device
    dtype = torch.float32 if device.type == "mps" else torch.float64
    members = membership.to(device, non_blocking=True).bool()  # [images, groups]
    images = members.shape[0]
    ratios = [p.ratio for p in pending]
    normalisers = {i: len(ratios) + j for j, i in enumerate(i for i, r in enumerate(ratios) if r.den_ratio is not None)}
    ratios += [r.den_ratio for r in ratios if r.den_ratio is not None]
    nums, dens, index = [], [], []
    for k, r in enumerate(ratios):
        values = r.values
        if r.source is not None and r.source in factors:  # ``w.sum()`` of a factor: 1 per row
            values = (values != 0).to(values.dtype)
        per_row = row_sums(values, r.row_dim)
        nums.append(per_row * product(r.scales) if r.scales else per_row)
        dens.append(_den_per_row(r, per_row))
        rows = r.rows.to(device).reshape(-1)
        index.append(rows + k * images if k else rows)
    num, den = torch.cat(nums), torch.cat(dens)
    per_image = torch.zeros(len(ratios) * images, 3, dtype=dtype, device=device)
    per_image.index_add_(0, torch.cat(index), torch.stack([num, den, torch.ones_like(num)], 1).to(dtype))
    per_image = per_image.view(len(ratios), images, 1, 3)
    # where, not a product: an inf row of one group must not turn 0 * inf into NaN in another
    groups = torch.where(members[None, :, :, None], per_image, 0.0).sum(1)
    if not normalisers:
        return groups
    keys = []
    for i, r in enumerate(ratios[: len(pending)]):
        if i in normalisers:  # den = the normaliser over the group's rows, as the body computed it
            den_s = groups[normalisers[i], :, 0]
            for op, c in r.den_ops:
                den_s = den_s + c if op == "add" else den_s.clamp_min(c)
            den_s = den_s * product(r.divisors)
            keys.append(torch.stack([groups[i, :, 0], den_s, groups[i, :, 2]], 1))
        else:
            keys.append(groups[i])
    return torch.stack(keys)


def finish(
    frame: Frame,
    result: MutableMapping[str, Any],
    pending: list[Pending],
    names: list[str],
    membership: torch.Tensor,
    key_format: str,
    warn: Warn,
) -> list[Companion]:
    """Compute every companion with a single host read; returns the finite, non-empty ones."""
    values = table(pending, membership, frame.factors)
    flat = values.flatten()
    if frame.checks:
        flat = torch.cat([flat, torch.stack([c for c, _ in frame.checks]).to(flat)])
    host = flat.tolist()  # the one host read of the call
    n = values.numel()
    bad = [op for (_, op), v in zip(frame.checks, host[n:]) if v]
    if bad:
        warn(
            f"rows:{bad[0]}",
            f"rows of different images were paired at {bad[0]}; no companions for this call",
        )
        return []
    groups = len(names)
    companions = []
    for i, p in enumerate(pending):
        for g, group in enumerate(names):
            at = (i * groups + g) * 3
            num, den, cnt = host[at : at + 3]
            if p.ratio.kind == "sum" and cnt:
                den = 1.0
            if cnt == 0 or den == 0:
                continue
            value = num / den
            name = key_format.format(key=p.key, group=group)
            if not math.isfinite(value):
                warn(f"nonfinite:{name}", f"companion {name!r} is not finite ({value}); omitted")
                continue
            if name in result and companion_of(result[name]) is None:
                warn(f"clash:{name}", f"companion {name!r} would overwrite a returned key; omitted")
                continue
            companions.append(Companion(name, p.key, group, num, den))
    return companions


def attach(result: MutableMapping[str, Any], companions: list[Companion], device: torch.device) -> None:
    if not companions:
        return
    values = make_companions(companions, device)
    for c, value in zip(companions, values):
        result[c.name] = value
