"""Turn a finished capture into companions: (num, den) per key and group, one host read."""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Collection, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from . import _formula
from ._capture import Frame, Ratio, RatioKind, finite, row_sums
from ._capture import scoped as _scoped
from ._capture.elementwise import piece_keys, positional_key
from ._capture.indexing import WHOLE_IMAGE_SLICE
from ._capture.mode import (
    Branch,
    FlooredFloat,
    FlooredInt,
    Tested,
    host_tensor,
    item_rows,
    labels_op,
    to_device,
    untracked_value,
)
from ._capture.ratio import Count, data_value, floored_den, opaque_den, product
from ._companion import (
    Companion,
    Companions,
    is_companion,
    make_companions,
    unknown_record,
    window_record,
)
from ._errors import LossSplitError
from ._groups import Membership

Warn = Callable[[str, str], None]
Origins = Mapping[int, tuple[torch.Tensor, tuple[int, ...], int]]
"""``Frame.origin``: id of a flattened row map -> (the rows of the dim carrying images, the sizes
flattened, the position of that dim among them)."""
_FLOAT32_OVERFLOW = 2.0**128 * (1 - 2.0**-25)  # the smallest float64 that rounds to inf in float32
_AS_RETURNED = _formula.text(_formula.AS_RETURNED)


@dataclass
class Pending:
    key: str
    value: torch.Tensor
    ratio: Ratio
    part: int = 0
    """Which of the key's ``parts`` ratios this is (a loss that adds ratios: one Pending each)."""
    parts: int = 1
    formula: tuple[Any, ...] | None = None
    """The expression of the key's ratios (``exp(p0)``) where the value is no sum of them."""


UNEVEN_TERMS = ("one image's values added in Python as its own loss are more terms than another image's (one picked by "
                "position, or a number of them its own count): on a group alone another image may add them")


def _sized_divisor(ratios: Sequence[Ratio], numbers: Collection[float]) -> float | None:
    """The number among the Python divisors of ``ratios`` equal to one of ``numbers``: one that
    sizes of single images' tensors may make up (``Frame.sized_divisors``), or the largest
    (smallest) of the targets' sizes the body computes (``Frame.bounded_sizes``); or None. A number
    has no identity: where it divides one loss as none of its counts, its value dividing another as
    that one's count (DEIMv2's union of matches: its pairs' boxes over it, their corner rows over
    it) may be the same number, computed from those sizes."""
    if not numbers:
        return None
    for r in ratios:
        for d in r.divisors:
            if not isinstance(d, torch.Tensor) and float(d) in numbers:
                return float(d)
    return None


def collect(
    frame: Frame, result: MutableMapping[str, Any], keys: frozenset[str] | None, warn: Warn,
    whole_batch: Callable[[], bool] = lambda: False,
) -> tuple[list[Pending], list[str]]:
    """The returned keys that can be split, and those whose attribution to images was lost (or
    that carry no rows, computed in Python after host reads) but whose value is the group's as
    returned (one value, every image in one group and the weights 1: ``whole_batch()``, asked where
    such a key is found); warns once for a key whose attribution was lost otherwise."""
    pending = []
    as_returned = []
    for key, value in list(returned_items(result)):
        if keys is not None and key not in keys:
            continue
        if not isinstance(value, torch.Tensor) or is_companion(value):
            if keys is not None:
                warn(f"key:{key}", f"key {key!r} is not a tensor loss ({type(value).__name__}); not split")
            continue
        if frame.count_formatted and any(c.isdigit() for c in key):
            warn(f"named:{key}", f"key {key!r}: the body's code formats a count of the images into a string "
                 "(f'loss_{len(targets)}'): a key named so is the batch's name, on a group alone another; no "
                 "companions for it")
            continue
        track = frame.get(value)
        formula = track.formula if track is not None else None
        ratios = (track.ratio,) if track is not None and track.ratio is not None else formula[1] if formula \
            else track.parts if track else ()
        if track is not None and ratios and not track.from_prediction and not all(data_value(r) for r in ratios):
            warn(
                f"count:{key}",
                f"key {key!r}: a sum of the images' data in arithmetic followed only as a normaliser's (scaled, "
                "clamped, + eps, floored on the host, tested) is no value the split gives per group; no "
                "companions for it",
            )
        elif track is not None and ratios:  # a loss, or a metric of the images' data (``(epe < 1).float().mean()``)
            sized = _sized_divisor(ratios, frame.sized_divisors)
            bounded = _sized_divisor(ratios, frame.bounded_sizes)
            if any(r.modified() for r in ratios):
                warn(
                    f"inplace:{key}",
                    f"key {key!r}: its per-element losses were written in place after it was reduced; "
                    "no companions for it",
                )
            elif sized is not None:
                warn(
                    f"sized:{key}",
                    f"key {key!r}: it is divided (Tensor.div) by {sized:g}, a number that divides another loss "
                    "of this call as none of its counts after the body read sizes of single images' tensors: "
                    "it may be computed from them (on a group alone from the group's), whatever count of this "
                    "loss it equals; no companions for it",
                )
            elif bounded is not None:  # (rt32: was read as the count it equals, ``len(targets)``)
                warn(
                    f"bounded:{key}",
                    f"key {key!r}: it is divided (Tensor.div) by {bounded:g}, {frame.bounded_sizes[bounded]}: on a "
                    "group alone the group's, whatever count of this loss it equals; no companions for it",
                )
            else:
                expr = formula[0] if formula else None
                pending += [Pending(key, value, r, i, len(ratios), expr) for i, r in enumerate(ratios)]
        elif track is not None and track.lost_at is not None:
            if one_value(value) and whole_batch():
                as_returned.append(key)
                continue
            warn(
                f"lost:{key}",
                f"key {key!r}: attribution to images was lost at {track.lost_at}; no companions for it "
                "(give labels with `source=` or `losssplit.sources(...)`, or see README "
                "'Which criteria are split')",
            )
        elif track is not None and (track.image is not None or track.rows):
            alone = _only_image_value(frame, track, value)
            if alone is not None:
                pending.append(Pending(key, value, alone))
                continue
            warn(  # ``x[0].max()``, ``e`` unreduced, a value written into the images' data: no reduced loss
                f"value:{key}",
                f"key {key!r}: it is the images' values but no sum or mean over their rows (one image's "
                "value, or a tensor per row); no companions for it",
            )
        elif track is None and value.requires_grad and frame.multiple_rows:
            shapes = ", ".join(str(list(s)) for s in frame.multiple_rows)
            warn(
                f"multiple:{key}",
                f"key {key!r} derives from no rows of images; the predictions passed in with a multiple of the "
                f"{frame.num_images} images' rows, {shapes}, are read as no image's (crop-major `torch.cat(crops)` "
                "and image-major rows have the same size): pass each crop's [B, ...] tensor and join them in the "
                "call; no companions for it",
            )
        elif track is None and frame.host_reads:  # ``torch.tensor(num_fg / num_gts)``: Python numbers
            if one_value(value) and whole_batch():  # the call is the group's alone: however computed, its value
                as_returned.append(key)
                continue
            warn(
                f"numbers:{key}",
                f"key {key!r} carries no images' rows, and values of the images were read on the host in this "
                f"call (at {frame.host_reads[0].op}): it may be computed from them in Python, which is not "
                "followed; no companions for it",
            )
        elif track is not None or value.requires_grad:
            warn(  # every key not split is named (a key dropped without a word hides a decline)
                f"unfollowed:{key}",
                f"key {key!r}: no rows of images were followed to it (its values pass through an op the capture "
                "does not follow); no companions for it",
            )
        else:
            warn(f"key:{key}", f"key {key!r} does not derive from per-image rows; not split")
    if keys is not None:
        for key in sorted(keys - set(result)):
            warn(f"missing:{key}", f"key {key!r} (from keys=) is not in the returned dict")
    return pending, as_returned


def _only_image_value(frame: Frame, track: Any, value: torch.Tensor) -> Ratio | None:
    """A key that is one image's value (``norm(y - x) / norm(y)`` of a batch of one clip), on a
    call of that one image: a sum over its one row of the value with the weight field set to 1
    (the track's), which on the image's group alone is the call itself. Not on several images: a
    value picked by position (``x[1].norm()``) is another image's on a group alone. Nor where a
    weight field's object multiplied rows (``x * t[0]["loss_weight"]``: kept, where the weight
    counts 1 alone; or a coefficient of the module equal to it). None else."""
    if (frame.num_images != 1 or frame.tokens is not None or track.rows or track.image is None
            or frame.rows_times_weight or not one_value(value)):
        return None
    held = track.unweighted if track.unweighted is not None else value
    return Ratio.of(held.detach().reshape(1).to(value.dtype), track.image.reshape(1), 0, RatioKind.SUM,
                    host_image=frame.image_ids.get(id(track.image)))


def one_value(value: torch.Tensor) -> bool:
    """Whether a returned tensor is one floating-point value (a value as returned can stand for it)."""
    return value.numel() == 1 and value.is_floating_point()


def returned_items(result: Mapping[str, Any]) -> Any:
    """``result.items()``; a dict's (a subclass's too) by dict's own method: an ``items`` of the
    user's runs as often as undecorated (``issubclass`` of the type: a ``__class__`` of the user's
    could pass ``isinstance`` and ``dict.items`` would raise)."""
    return dict.items(result) if issubclass(type(result), dict) else result.items()  # type: ignore[arg-type]


def returned_values(
    result: MutableMapping[str, Any], keys: list[str], group: str, given: Companions, key_format: str, warn: Warn,
    strict: bool, values: list[float] | None = None,
) -> Companions:
    """The companions of ``keys`` for ``group``, where the call's images are all that group's and
    its weights all 1 (``collect``): each key's value as returned, one part ``(value, 1)`` of the
    formula ``_formula.AS_RETURNED``; ``values`` as read with the split's read (``finish``), else
    read here in one read; none where it is not finite or its name is taken (raised when ``strict``)."""
    if values is None:
        device = result[keys[0]].device
        dtype = torch.float32 if device.type == "mps" else torch.float64
        values = _stacked([result[k] for k in keys], device, dtype).tolist()
    taken = set(given.names)
    out = Companions()
    for key, value in zip(keys, values):
        name = key_format.format(key=key, group=group)
        if name in taken or name in result and not is_companion(result[name]):
            what = f"the returned key {name!r}" if name in result else "another companion"
            message = f"companion name {name!r} is given to {what} and to key {key!r} split for group {group!r}; " \
                "change key_format= or the names"
            if strict:
                raise LossSplitError(f"split_by_source: {message}")
            warn(f"clash:{name}", f"{message}; no companion {name!r}")
        elif -_FLOAT32_OVERFLOW < value < _FLOAT32_OVERFLOW:
            taken.add(name)
            out.append(Companion(name, key, group, value, 1.0, ((value, 1.0),), _AS_RETURNED))
        else:
            warn(f"nonfinite:{name}", f"companion {name!r} is not finite in float32 ({value}); omitted")
    return out


def _stacked(values: list[torch.Tensor], device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    """One-value tensors as one detached [len(values)] tensor, to be read with one read."""
    return torch.stack([v.detach().reshape(()).to(device, dtype) for v in values])


_FUSED_ROWS = 1 << 16  # up to this many rows one fused index_add; beyond, a column at a time
_RUNS_FROM = 1 << 12  # rows from which a flattened layout's runs are summed before the index_add


def table(pending: list[Pending], membership: Membership, origin: Origins | None = None) -> torch.Tensor:
    """[keys, groups, 3]: numerator, denominator and row count per key and group.

    All ratios (and the row-sum normalisers some divide by) go through one ``index_add`` into
    [ratios * images] and one into groups, whatever the number of groups. ``origin``: the
    frame's flattened row maps (``Frame.origin``); a ratio over many rows of one (the tokens of
    ``[B, T]`` sequences flattened) is first summed over each image's run of rows.
    """
    device = pending[0].ratio.values.device
    dtype = torch.float32 if device.type == "mps" else torch.float64
    members = membership.to(device)
    images = membership.images
    ratios = [p.ratio for p in pending]
    normalisers: dict[int, int] = {}  # key -> the index of its row-sum normaliser, of its gate
    gates: dict[int, int] = {}
    for i, r in enumerate(ratios[: len(pending)]):
        for extra, where in ((r.normaliser, normalisers), (r.gate, gates)):
            if extra is not None:
                where[i] = len(ratios)
                ratios.append(extra)
    nums, dens, counts, index = [], [], [], []
    for k, r in enumerate(ratios):
        per_row = row_sums(r.values, r.row_dim)
        num, den, rows = r.numerators(per_row), r.den_per_row(per_row), r.rows.to(device).reshape(-1)
        count = None
        runs = origin.get(id(r.rows)) if origin and rows.shape[0] >= _RUNS_FROM else None
        if runs is not None and num.shape == den.shape == rows.shape:
            rows, sizes, pos = runs  # rows ``sizes`` flattened, images along ``pos``: one sum per image's run
            other = [d for d in range(len(sizes)) if d != pos]
            num, den = (x.reshape(sizes).sum(other, dtype=dtype) for x in (num, den))  # no float64 copy of the rows
            count = torch.full_like(num, per_row.shape[0] // sizes[pos])
        nums.append(num)
        dens.append(den)
        counts.append(count)
        index.append(rows + k * images if k else rows)
    num, den, at = (x[0] if len(x) == 1 else torch.cat(x) for x in (nums, dens, index))
    if all(c is None for c in counts):
        count = torch.ones((), dtype=dtype, device=device).expand(at.shape[0])
    else:
        count = torch.cat([torch.ones_like(n) if c is None else c for n, c in zip(nums, counts)])
    per_image = torch.zeros(len(ratios) * images, 3, dtype=dtype, device=device)
    if num.numel() <= _FUSED_ROWS:
        per_image.index_add_(0, at, torch.stack([num, den, count], 1).to(dtype))
    else:  # per-token rows: no [rows, 3] float64 copy, each column added on its own
        per_image[:, 0].index_add_(0, at, num.to(dtype))
        per_image[:, 1].index_add_(0, at, den.to(dtype))
        per_image[:, 2].index_add_(0, at, count.to(dtype))
    groups = members.per_group(per_image.view(len(ratios), images, 3))
    for k, r in enumerate(ratios):
        for rows in r.row_counts:  # ``loss * bs``: the group's count of the rows ``bs`` counts
            rows = rows.to(device).reshape(-1)
            count = torch.zeros(images, dtype=dtype, device=device).index_add_(0, rows, torch.ones_like(rows, dtype=dtype))
            groups[k, :, 0] *= members.per_group(count)
    if not normalisers and not gates:
        return groups
    keys = []
    # the groups with images in the batch (one absent has no value, not a gated 0)
    imaged = members.per_group(torch.ones(images, dtype=dtype, device=device)) > 0 if gates else None
    for i, r in enumerate(ratios[: len(pending)]):
        row = groups[i]
        if i in normalisers:  # den = the normaliser over the group's rows, as the body computed it
            den_s = r.group_den(groups[normalisers[i], :, 0])
            row = torch.stack([row[:, 0], den_s, row[:, 2]], 1)
        if i in gates:  # a group whose test fails: (0, 0) and rows -1, the part counts 0 there
            assert r.gate is not None and r.gate.test is not None
            op, c = r.gate.test
            sums = groups[gates[i], :, 0]
            passed = sums > c if op == "gt" else sums != c
            assert imaged is not None
            passed = passed | ~imaged
            row = torch.where(passed[:, None], row, host_tensor([0.0, 0.0, -1.0], torch.float64, row.device).to(row.dtype))
        keys.append(row)
    return torch.stack(keys)


def finish(
    frame: Frame,
    result: MutableMapping[str, Any],
    pending: list[Pending],
    as_returned: list[str],
    names: list[str],
    membership: Membership,
    key_format: str,
    warn: Warn,
    *,
    strict: bool = True,
    whole_batch: Callable[[], bool] = lambda: False,
) -> tuple[Companions, list[str] | None]:
    """Compute every companion with a single host read: the finite, non-empty ones of ``pending``
    and the values as returned of ``as_returned`` (``collect``), read in the same read.

    Returns:
        The companions, and None; or, where a check declines the whole call on a batch whose images
        are all in one group with every weight 1 (``whole_batch()``, see ``collect``), the values
        as returned of every one-value key and those keys.

    Raises:
        LossSplitError: two companions, or a companion and a returned key, share a name and
            ``strict`` (the decorator's first split call); otherwise they are omitted with a warning.
    """
    host_group = membership.host_group
    returned = []  # the keys whose values as returned may be asked for: read with the rest
    if as_returned or membership.image is None and host_group and host_group.count(host_group[0]) == len(host_group) \
            and whole_batch():
        returned = list(dict.fromkeys([*as_returned, *(p.key for p in pending if one_value(p.value))]))
    values: list[float] = []
    out = _finish(frame, result, pending, names, membership, key_format, warn, strict, whole_batch,
                  [result[k] for k in returned], values)
    group = names[host_group[0]] if host_group else ""
    if out is None:
        if not returned:  # not foreseen (pairs of images): read here, a second read on this rare path
            returned = list(dict.fromkeys([*as_returned, *(p.key for p in pending if one_value(p.value))]))
            if not returned:
                return Companions(), returned
            return returned_values(result, returned, group, Companions(), key_format, warn, strict), returned
        return returned_values(result, returned, group, Companions(), key_format, warn, strict, values), returned
    if as_returned:
        out.extend(returned_values(result, as_returned, group, out, key_format, warn, strict, values))
    return out, None


def _finish(
    frame: Frame,
    result: MutableMapping[str, Any],
    pending: list[Pending],
    names: list[str],
    membership: Membership,
    key_format: str,
    warn: Warn,
    strict: bool,
    whole_batch: Callable[[], bool],
    returned: list[torch.Tensor],
    read_back: list[float],
) -> Companions | None:
    """``finish``'s companions of ``pending``, or None where a check declines the call on a batch
    that is its own oracle; the values of ``returned`` are read with the rest into ``read_back``."""
    for p in pending:
        positional_key(frame, p.ratio)
    if frame.piece_checks:
        for key in dict.fromkeys(p.key for p in pending):
            key_parts = [p for p in pending if p.key == key]
            piece_keys(frame, [p.ratio for p in key_parts], key_parts[0].formula is None)
    values = table(pending, membership, frame.origin)
    flat = values.flatten()
    grouped = _GroupValues(frame, pending, membership)
    if grouped.front is not None:
        flat = torch.cat([grouped.front.to(flat), flat])
    # read with the rest: the checks, then opaque normalisers' Z and tokens where they are tensors
    frame.exposed_checks()
    if frame.term_reference is not None and len({len(c) for c in frame.term_chains.values()}) > 1:
        # one image added more terms of its 0-dim values than another (``sum(x ** 2 for x in r) + r[0].sqrt()``)
        frame.doubt(torch.ones((), dtype=torch.bool), UNEVEN_TERMS)
    for blocks, message in frame.view_blocks:
        frame.doubt(_mixed_blocks(frame, blocks, membership), message)
    for a, b, message, bit in frame.paired_rows:
        frame.checks.append((_unlike_pairs(frame, a, b, membership), message, bit))
    for cut in frame.cuts:
        frame.doubt(_uneven_cut(frame, *cut, membership),
                    "Tensor.__getitem__ sliced rows of images at a count of image rows where some source has another "
                    "number of rows before the cut than the count counts (on a group alone the cut falls elsewhere)")
    for rows, spans in frame.image_slices.values():
        if not _tiles(spans, rows.shape[0]):  # (some image sliced twice or never: a pick by position)
            frame.doubt(torch.ones((), dtype=torch.bool), WHOLE_IMAGE_SLICE)
    for flag, message in frame.late_checks:
        frame.doubt(flag, message)
    device = flat.device
    flags = [flag if flag.dim() == 0 and flag.device == device else flag.reshape(()).to(device) for flag, _, _ in frame.checks]
    tail = [torch.stack(flags).to(flat)] if flags else []
    if frame.plain_counts:  # (a count of rows made a plain number no hook sees compared: ``float(bs) ** 2 > 1``)
        frame.branches += [Branch(None, "eq", 0.0, False, f"a Python test of {what}") for what in frame.plain_size_tests]
    branched = bool(frame.branches) and not frame.own_oracle()
    if branched:  # read after the checks: 1 where a group alone would decide a branch otherwise (a group of
        # every image, every weight 1, is this very call: it decides each alike)
        tail.append(_turned(frame, membership).to(flat))
    # target instances per image (not when the units are tokens: membership is per token then)
    opaque = [p.ratio for p in pending if p.ratio.kind is RatioKind.SUM_OVER_OPAQUE]
    counted = frame.instances() if opaque else None
    per_image_instances = isinstance(counted, list) and len(counted) == membership.images
    known: list[float | None] = []  # per opaque ratio: Z and tokens, None where read from ``tail``
    for r in opaque:
        for v in (product(r.divisors), row_sums(r.den_values, r.row_dim).sum() if r.den_values is not None else 0.0):
            if isinstance(v, torch.Tensor):
                tail.append(v.reshape(1).to(flat))
                known.append(None)
            else:
                known.append(float(v))
    group_units: list[float] | None = None  # per group, known on the host (else read from ``tail``)
    if opaque:  # what each group counts: images, and target instances when the targets have them
        per_image = [[1.0]] * membership.images
        if per_image_instances and isinstance(counted, list):  # [images, 2]: 1 and the instances
            per_image = [[1.0, float(c)] for c in counted]
        group_units = membership.counts_per_group(per_image)
        if group_units is None:
            units = host_tensor([x for row in per_image for x in row], torch.float64).view(membership.images, -1)
            tail.append(membership.per_group(units).to(flat).flatten())
    # groups' images, for a key floored by a constant: a group with no rows in it gets its empty sum
    floored = any(_floor(p.ratio) for p in pending)
    group_images = membership.counts_per_group([[1.0]] * membership.images) if floored else None
    if floored and group_images is None:
        tail.append(to_device(membership.per_group(host_tensor([1.0] * membership.images, torch.float64)), flat))
    # per opaque ratio of one-image losses: whether they are every image's (``_covers``)
    parted = [r for r in opaque if r.part_images is not None]
    if parted:
        tail.append(torch.stack([_covers(r.part_images, membership.images) for r in parted if r.part_images is not None]).to(flat))
    if returned:  # last: taken off right after the read
        tail.append(_stacked(returned, flat.device, flat.dtype))
    if tail:
        flat = torch.cat([flat, *tail])
    host = flat.tolist()  # the one host read of the call
    if returned:
        read_back.extend(host[len(host) - len(returned) :])
        host = host[: len(host) - len(returned)]
    covering = {id(r): bool(v) for r, v in zip(parted, host[len(host) - len(parted) :])}
    if parted:
        host = host[: len(host) - len(parted)]
    host = grouped.read(host)
    n = values.numel()
    fired = [(message, bit) for (_, message, bit), v in zip(frame.checks, host[n:]) if v]
    bad = [message for message, bit in fired if not bit or bit & frame.escalated]
    doubted = _doubted_keys(frame, pending, fired) if fired and not bad else {}
    # every key doubted, or the group is the batch (each key as returned): as a check of the call
    if bad or doubted and (len(doubted) == len({p.key for p in pending}) or whole_batch()):
        message = fired[0][0] if bad else next(iter(doubted.values()))  # (the first in order, as ever)
        return _declined(f"check:{message}", message, warn, whole_batch)
    declined = grouped.declined()
    if declined is not None:
        return _declined(f"group:{declined}", declined, warn, whole_batch)
    compared = grouped.compared_otherwise(names)
    if compared and whole_batch():  # the group is the batch (a NaN compared): each key as returned
        where = next(iter(compared.values()))
        return _declined(f"group:{where}", f"{where} gives on the group alone another result than on the batch",
                         warn, whole_batch)
    groups = len(names)
    grouped.scale(host, pending, groups)
    turned_at = n + len(frame.checks)
    turned = host[turned_at : turned_at + len(frame.branches) * groups] if branched else []
    if turned:
        host = host[:turned_at] + host[turned_at + len(turned) :]
    constants = _constants(frame, names, turned, pending) if CONSTANT in turned else {}
    if frame.piece_means:  # a piece of ``sum(p.mean() for p in x.chunk(3))`` the group alone has none of
        constants.update({(id(p.ratio), name): 0.0 for p in pending if id(p.ratio) in frame.piece_means
                          for name in names if (id(p.ratio), name) not in constants})
    unread = frame.unconsumed_reads({id(p.ratio) for p in pending})
    loose = next((r.op for r in unread if r.keys is None), None)
    if loose is not None:
        return _declined(
            f"host:{loose}",
            f"values of the images were read on the host at {loose}; Python numbers computed from them "
            "(a count, a weight, a threshold) may reach the losses and cannot be followed",
            warn, whole_batch, " (a read only for logging: read a returned loss, or read after the call)",
        )
    if frame.scalar_weights[0] and frame.scalar_weights[1]:
        return _declined(
            "scalar-weight",
            "a Python number multiplied one image's loss where it equals that image's weight, and "
            "another did where it does not: weight or coefficient cannot be told apart",
            warn, whole_batch,
        )
    named, clashes = _clashes(result, pending, names, key_format, warn, strict)
    present = group_images if group_images is not None else host[len(host) - groups :] if floored else []
    if floored and group_images is None:
        host = host[: len(host) - groups]
    read = iter(host[n + len(frame.checks) :])
    z_tokens = [next(read) if v is None else v for v in known]
    outside = {id(r): (z_tokens[2 * i], z_tokens[2 * i + 1]) for i, r in enumerate(opaque)}  # Z, total tokens
    per_group = group_units if group_units is not None else \
        host[len(host) - groups * (2 if per_image_instances else 1) :] if opaque else []
    images = per_group[0::2] if per_image_instances else per_group
    instances = per_group[1::2] if opaque and per_image_instances else None
    made: list[Companions] = []
    imaged: list[float] | None = None
    for i, p in enumerate(pending):
        r = p.ratio
        if p.key in doubted:
            warn(f"check:{p.key}", f"key {p.key!r}: {doubted[p.key]}; no companions for it")
            made.append(Companions())
            continue
        if r.kind is not RatioKind.SUM_OVER_OPAQUE:
            of_key = host[i * groups * 3 : (i + 1) * groups * 3]
            if imaged is None and 0.0 in of_key[2::3]:  # groups' images, known on the host (else no warning)
                imaged = membership.counts_per_group([[1.0]] * membership.images) or []
            made.append(_plain_companions(p, of_key, names, named[i], clashes, warn, present, imaged, constants))
            continue
        mine: list[tuple[str, str, float, float]] = []
        ambiguous_key = False
        z, tokens = outside[id(r)]
        rows_total = r.rows.numel()
        per_item = item_rows(frame, r.rows)
        per_row, rest = divmod(r.numel, max(rows_total, 1))
        by_elements = z == r.numel and per_row > 1 and not rest  # ``l.sum() / l.numel()``
        by_images = all(type(d) is int for d in r.divisors)  # ``len(targets)`` (of one image's loss too)
        floor = _floored(r)  # made in the body (a clamped tensor read there), whatever its value
        body = floor is not None or 0 < r.own_divisors == len(r.divisors) or not frame.from_arguments(z)  # the body's own
        # number: a count or a multiple of one
        # a sum of the body's data changed since (``w.sum().clamp(min=1)``): a count it equals, or nothing
        summed = any(untracked_value(frame, d) not in (None, "sum") for d in r.divisors)
        masked = "" if r.den_values is not None or body or per_image_instances else labels_op(frame, p.value)
        if masked:  # ``(z * (labels == 3)).sum() / num_items_in_batch``: the rows' share would be a guess
            warn(
                f"labels:{p.key}",
                f"key {p.key!r}: its normaliser {z:g} comes from outside the call and its loss meets a value of "
                f"the labels (or a mask passed in) at {masked} other than as a test by one value zeroing the labels "
                "that do not count "
                "(`* (labels != -100)`, `masked_fill(labels == -100, 0)`), so which tokens that normaliser "
                "counts cannot be told; no companions for it",
            )
            made.append(Companions())
            continue
        for g, group in enumerate(names):
            at = (i * groups + g) * 3
            num, den, cnt = host[at : at + 3]
            name = named[i][g]
            # a group with images but no rows: its empty sum over a floored count, if the floor is read
            if name in clashes or cnt == 0 and not images[g]:
                continue
            if cnt == 0 and floor is None:
                _no_rows(p.key, group, name, z, warn)
                continue
            if (body and r.den_values is None and cnt > 0 and cnt == rows_total and len(images) > g
                    and images[g] == membership.images):
                # the body's own number, every image (and row) in this group: on the group alone the body
                # computes that very number (``/ len(targets)`` on one example, the target dicts' instance
                # counts disagreeing or not); one passed in keeps its share rules (a group counting none)
                mine.append((group, name, num, z))
                continue
            counts = []
            if r.den_values is not None:
                counts.append(Count("tokens", den, tokens))
            elif counted == "ambiguous":
                warn(
                    f"instances:{p.key}",
                    f"key {p.key!r}: its normaliser {z:g} comes from outside the call and the "
                    "target dicts' tensor fields disagree on how many instances each image has; "
                    "no companions for it",
                )
                ambiguous_key = True
                break
            if isinstance(counted, list) and instances is not None:
                if r.host_image is None:
                    counts.append(Count("target instances", instances[g], sum(counted)))
                else:  # one image's loss: that image's instances, if it is in the group
                    own = counted[r.host_image]
                    counts.append(Count("target instances", own if cnt else 0, own))
            counts.append(Count("rows", cnt, rows_total))
            if per_item and body:  # the body's number, over rows of items viewed ``per_item`` each (DEIMv2's corners)
                counts.append(Count("items", cnt / per_item, rows_total / per_item))
            if counts[0].name == "rows" and z < rows_total and not any(c.total == z for c in counts) and not (
                    by_images and body and z == membership.images and covering.get(id(r), False)):
                warn(
                    f"fewer:{p.key}",
                    f"key {p.key!r}: its normaliser {z:g} comes from outside the call and counts fewer "
                    f"than the loss's {rows_total} rows, so it does not count every row and which rows "
                    "it counts cannot be told (zeroed in place, masked); no companions for it",
                )
                ambiguous_key = True
                break
            if by_elements:
                counts.append(Count("elements", cnt * per_row, r.numel))
            if by_images:
                counts.append(Count("images", images[g], membership.images))
            found = floored_den(z, floor, counts, membership.images) if floor is not None else None
            if found is None and cnt == 0:
                _no_rows(p.key, group, name, z, warn)
                continue
            # a changed sum is read as a count it equals (no multiple of one: a weighted sum may equal that by value)
            by_body = body and not summed
            den_s, ambiguous = found or opaque_den(z, counts, by_body, membership.images if by_body else 0,
                                                   share=not summed)
            if summed and den_s is None and not ambiguous and not any(
                    abs(z - c.total) <= 1e-4 * c.total for c in counts):  # (equal to a count this group has none of)
                warn(
                    f"summed:{p.key}",
                    f"key {p.key!r}: its normaliser {z:g} is computed in the body from the sum of a tensor whose "
                    "rows are unknown and equals none of this batch's counts, so its group value cannot be told; "
                    "no companions for it",
                )
                ambiguous_key = True
                break
            if ambiguous:
                warn(
                    f"ambiguous:{p.key}",
                    f"key {p.key!r}: its normaliser {z:g}{'' if body else ' from outside the call'} equals the {ambiguous} "
                    "of this batch, which give different group shares; no companions for it",
                )
                ambiguous_key = True
                break
            if den_s is not None:
                mine.append((group, name, num, den_s))
            elif not body and not summed and found is None and counts[0].total > 0 and not counts[0].group and num:
                # rows of the group, none of what the normaliser counts: no value of the call, but its
                # numerator belongs to a window's (``_companions`` hands it over)
                mine.append((group, name, num, 0.0))
            elif body:  # rows of the group, none of what the body's normaliser counts
                warn(
                    f"zero:{name}",
                    f"key {p.key!r}: group {group!r} counts none of what its normaliser {z:g} counts (a floor "
                    f"applied in the body, max(n, 1), cannot be seen); no companion {name!r}",
                )
        if ambiguous_key or not mine:
            made.append(Companions())
            continue
        groups_s, named_s, nums_s, dens_s = (list(column) for column in zip(*mine))
        made.append(_companions(p, groups_s, named_s, nums_s, dens_s, warn))
    if all(p.parts == 1 and p.ratio.gate is None and p.formula is None for p in pending):
        if len(made) == 1:
            out = made[0]
        else:
            out = Companions()
            for made_p in made:
                out.extend(made_p)
    else:
        out = _sum_parts(pending, made, warn, constants)
    if any(turned) or compared:
        out = _without_turned(frame, pending, names, turned, out, warn, compared)
    read_keys = {key: r.op for r in unread for key in r.keys or ()}
    if read_keys and not whole_batch():  # a read whose number reaches, proven, only these keys: every group's declined
        for op in dict.fromkeys(read_keys.values()):
            split = ", ".join(repr(key) for key, at in read_keys.items() if at == op)
            warn(f"read-keys:{op}", f"keys {split}: values of several images were read on the host at {op}; Python "
                 "numbers computed from them reach these keys and cannot be followed; no companions of these keys")
        out = _dropped(out, dict.fromkeys(names, read_keys))
    bare = {p.key for p in pending}.difference(out.keys, (c.key for c in out.window))
    if bare:  # keys without a companion: those of no group's rows in this call were not declined
        with_rows = {p.key for i, p in enumerate(pending) if any(host[i * groups * 3 + 2 : (i + 1) * groups * 3 : 3])}
        out.rowless = frozenset(bare - with_rows)
    return out


def _doubted_keys(frame: Frame, pending: list[Pending], fired: list[tuple[str, int]]) -> dict[str, str]:
    """The keys a fired scoped check declines (``Frame.doubt``): those whose returned value's memory
    carries its bit (every key of ``pending``, where a scoped check fired and none of the call's
    did), each with the first such check's message."""
    out: dict[str, str] = {}
    for p in pending:
        bits = _scoped.bits_of(frame, p.value)
        for message, bit in fired:
            if bits & bit:
                out.setdefault(p.key, message)
    return out


def _declined(key: str, why: str, warn: Warn, whole_batch: Callable[[], bool], hint: str = "") -> Companions | None:
    """No companions for the call (``why`` warned once), or None where every image is in one group
    with every weight 1: the keys are their values as returned there."""
    if whole_batch():
        warn(f"{key}:returned", f"{why}; every image is in one group and every weight is 1: each key's "
             "companion is its value as returned")
        return None
    warn(key, f"{why}; no companions for this call{hint}")
    return Companions()


def _covers(parts: torch.Tensor, images: int) -> torch.Tensor:
    """Whether ``parts``, the images of a sum's one-image losses (``Ratio.part_images``), hold every
    image id up to ``images`` and their largest (a 0-dim bool, read with the call's read, as
    ``bincount(parts, minlength=images) > 0`` all true would be): a sum of one-image losses of every
    image (a per-image loop's, several rows each) divided by the body's whole number equal to the
    images is over its images (catalyst's ``mean`` of a generator over the images, ``acc / n`` with
    ``n`` from ``enumerate``; on a group alone its images)."""
    if not parts.numel():
        return torch.full((), images == 0, device=parts.device)
    ids = parts.reshape(-1).sort().values
    distinct = (ids[1:] != ids[:-1]).sum() + 1
    return distinct == torch.clamp(ids[-1] + 1, min=images)


def _mixed_blocks(frame: Frame, blocks: torch.Tensor, membership: Membership) -> torch.Tensor:
    """Whether some block of image rows (``Frame.view_blocks``, [blocks, rows per block]) holds images
    of different groups (or of a group and of none): on that group alone the view cuts other
    blocks."""
    if membership.images != frame.num_images:
        return torch.ones((), dtype=torch.bool, device=blocks.device)
    if membership.image is None:
        of = membership.group.to(blocks.device)[blocks]
    else:
        of = membership.dense().to(blocks.device)[blocks]
    return (of != of[:, :1]).any()


def _unlike_pairs(frame: Frame, a: torch.Tensor, b: torch.Tensor, membership: Membership) -> torch.Tensor:
    """Whether rows of images ``a`` paired row by row with rows of images ``b`` (``Frame.paired_rows``)
    pair otherwise on some group alone: where the maps differ, a pair of images of different groups
    (or weights), a map that does not keep the images' order (on a group alone its rows are its
    own in the batch's order: the pairs are the same only where both keep it), or images that
    neither map holds (``e.index_select(0, torch.arange(1, h))``: on a group alone the rows skipped
    are the group's, not the batch's)."""
    if membership.images != frame.num_images:
        return (a != b).any()
    if membership.image is None:
        group = membership.group.to(a.device)
        unlike = group[a] != group[b]
    else:
        dense = membership.dense().to(a.device)
        unlike = (dense[a] != dense[b]).any(-1)
    weights = frame.weights_on(a.device)
    if weights is not None:
        unlike = unlike | (weights[a] != weights[b])
    # the same images pair as they did before any group was formed, in whatever order
    held = torch.zeros(frame.num_images, dtype=torch.bool, device=a.device).index_fill_(0, a, True).index_fill_(0, b, True)
    return (a != b).any() & (unlike.any() | (a[1:] < a[:-1]).any() | (b[1:] < b[:-1]).any() | ~held.all())


def _uneven_cut(frame: Frame, kept: torch.Tensor, counted: torch.Tensor, membership: Membership) -> torch.Tensor:
    """Whether some group has another number of rows in ``kept`` (the image rows before a slice's
    bound, ``Frame.cuts``) than in ``counted`` (the rows the bound counts): on that group alone the
    bound, its count there, cuts its rows elsewhere than the batch's bound does."""
    if membership.images != frame.num_images:
        return torch.ones((), dtype=torch.bool, device=kept.device)
    row = frame.arange(kept.device)
    per_image = (kept.reshape(-1, 1) == row).sum(0) - (counted.to(kept.device).reshape(-1, 1) == row).sum(0)
    return (membership.to(kept.device).per_group(per_image.double()) != 0).any()


def _turned(frame: Frame, membership: Membership) -> torch.Tensor:
    """[branches * groups]: 1 where a group with images, alone, would decide a branch of the
    body's Python code (``Frame.branches``) otherwise than the batch did: its value of what the
    branch tests (a row count, a row sum, a mean) recomputed over its rows, as ``table`` does."""
    sources: dict[int, Ratio] = {}  # id of a branch's row map or ratio -> the ratio whose group value it is
    for b in frame.branches:
        if b.of is None:
            continue
        for of in (b.of, b.than, *(r for r, _ in b.constant or ()), *(b.neutral or ())):
            if isinstance(of, torch.Tensor) and of.dim() == 1:  # a row map: the count of its indices
                sources.setdefault(id(of), Ratio.of(torch.ones(of.shape, dtype=torch.float64, device=of.device), of, 0,
                                                    RatioKind.SUM))
            elif isinstance(of, Ratio):
                sources.setdefault(id(of), of)
            elif isinstance(of, Tested):  # an expression of ratios (``finite``): each ratio's group value
                for r in of.ratios:
                    sources.setdefault(id(r), r)
    device = next(iter(sources.values())).values.device if sources else membership.group.device
    ratios = [_on(r, device) for r in sources.values()]
    rows = table([Pending("", r.values, r) for r in ratios], membership, frame.origin) if ratios else None
    per_group, images, counted, sums = {}, {}, {}, {}
    for k, (key, r) in enumerate(zip(sources, ratios)):
        assert rows is not None
        counted[key] = rows[k, :, 2]
        sums[key] = torch.maximum(rows[k, :, 0].abs(), rows[k, :, 1].abs())
        num = rows[k, :, 0] + r.num_offset
        per_group[key] = num + r.offset if r.kind is RatioKind.SUM else num / rows[k, :, 1] + r.offset
        if r.host_image is not None or r.row_dim < 0:  # one image's value (a per-image loop): its groups' only
            image = torch.zeros(membership.images, dtype=torch.float64, device=device)
            images[key] = membership.to(device).per_group(image.index_fill_(0, r.rows.reshape(-1)[:1], 1.0)) > 0
    counts = membership.to(device).per_group(torch.ones(membership.images, dtype=torch.float64, device=device))
    present = counts > 0
    out, unknown = [], torch.zeros_like(present)
    for b in frame.branches:
        if any(isinstance(r, Ratio) and r.modified() for r in (b.of, b.than)):
            # the values the test read were written in place since: the group values computed here are
            # not the ones it saw (``big = l > c; e.mul_(0); if big:`` was silently the batch's decision)
            out.append(present)
            continue
        if b.positional:  # one image picked by position: on a group alone, the group's image there
            out.append(present & (counts < membership.images))
            continue
        if b.of is None:
            out.append(present)
            continue
        if b.clamped is not None:  # ``max(t, c)`` floored where it divided: each group's value is its own
            out.append(torch.zeros_like(present))
            continue
        if b.op in finite.TESTS:  # ``torch.isnan(loss)``: the group's value tested as the body tests it
            out.append(_finite_turned(b, per_group, sums, images.get(id(b.of), present)))
            continue
        than = b.than.to(device) if isinstance(b.than, torch.Tensor) and b.than.dim() == 0 else b.than
        value = per_group[id(b.of)]
        than = per_group.get(id(than), than)
        unknown |= value.isnan() | (than.isnan() if isinstance(than, torch.Tensor) else False)
        decided = getattr(torch, b.op)(value, than)
        if b.floor:  # ``max(pos.sum(), 1)``: a group counting 0 has no companion over it (see ``Branch.floor``)
            decided = torch.where(value == 0, b.taken, decided)
        turned = (decided != b.taken) & images.get(id(b.of), present)
        if b.unchanged is not None:  # the block of the ``if`` left every image of such a group as it was
            turned &= membership.to(device).per_group((~b.unchanged).to(device=device, dtype=torch.float64)) > 0
        if b.neutral is not None:  # ``continue`` skipping only terms: a group without rows in any skips to the same
            turned &= torch.stack([counted[id(r)] > 0 for r in b.neutral]).any(0)
        if b.constant is not None:  # ``E if test else c``: a group without rows in any ``E`` holds ``c`` (``CONSTANT``)
            empty = torch.stack([counted[id(r)] == 0 for r, _ in b.constant]).all(0)
            turned = turned.to(torch.float64) * torch.where(empty, CONSTANT, 1.0)
        out.append(turned)
    flags = torch.stack([t.to(torch.float64) for t in out])
    # a value the batch cannot give a group (an empty mean) may be one of ``c`` on that group alone
    return torch.where((flags == CONSTANT) & unknown, 1.0, flags).flatten()


def _finite_turned(b: Branch, per_group: Mapping[int, torch.Tensor], sums: Mapping[int, torch.Tensor],
                   tested: torch.Tensor) -> torch.Tensor:
    """``_turned``'s flags of a finiteness test (``finite``) of ``b.of``: its value per group, a
    ratio's or an expression of ratios evaluated on theirs, for the groups that alone test it
    (``tested``: those with images; of one image's value in a loop, that image's group). A group where a ratio's sums (``sums``:
    the larger of its numerator and denominator, float64) or a step's value is beyond half of what
    the tested dtype holds (``b.than``, ``finite.evaluate``) is taken as turned: alone, in that dtype,
    it may overflow where float64 does not."""
    assert isinstance(b.than, float)
    ratios = b.of.ratios if isinstance(b.of, Tested) else (b.of,)
    if any(isinstance(r, Ratio) and r.modified() for r in ratios):  # values written since the test
        return tested
    if isinstance(b.of, Tested):
        value, beyond = finite.evaluate(b.of.expr, [per_group[id(r)] for r in ratios], b.than)
    else:
        value = per_group[id(b.of)]
        beyond = value.isfinite() & (value.abs() > b.than)
    for r in ratios:
        beyond = beyond | (sums[id(r)] > b.than)
    return ((finite.TESTS[b.op](value) != b.taken) | beyond) & tested


CONSTANT = 2.0
"""``_turned``'s value where a group alone takes the number ``c`` of ``x = E if test else c``
(``Branch.constant``) and has no rows in ``E``: ``E``'s part of a key is ``c`` there."""


def _constants(frame: Frame, names: list[str], turned: list[float], pending: Sequence[Pending] = ()
               ) -> dict[tuple[int, str], float]:
    """(id of ``E``'s ratio, group) -> ``c``, for each group that alone holds ``c`` for ``E``
    (``CONSTANT``), and for each pending ratio that is ``E`` times numbers plus a number
    (``_constant_of``) its value there; ``turned`` left 1 where a group alone takes another
    branch (declined)."""
    groups, out = len(names), {}
    for k, b in enumerate(frame.branches):
        for g, name in enumerate(names):
            if turned[k * groups + g] == CONSTANT and b.constant is not None:
                for e, c in b.constant:
                    out[(id(e), name)] = c
                    for p in pending:
                        value = _constant_of(p.ratio, e, c)
                        if value is not None:
                            out.setdefault((id(p.ratio), name), value)
                turned[k * groups + g] = 0.0
    return out


# fields of a ratio that scaling by a number changes without changing what it means (its scales and
# offset are read; ``constant_scales`` counts some of the scales)
_SCALED_FIELDS = frozenset({"scales", "offset", "constant_scales"})


def _constant_of(r: Ratio, e: Ratio, c: float) -> float | None:
    """The value of ``r`` where ``E`` (ratio ``e``) holds the number ``c``: ``r`` is ``e`` scaled by
    Python numbers and shifted by an offset (``300 * E``, ``1 - E``), every other field the very
    same; None otherwise."""
    if r is e:
        return c
    if r.values is not e.values or e.offset or e.num_offset or len(r.scales) < len(e.scales):
        return None
    if any(a is not b for a, b in zip(r.scales, e.scales)):
        return None
    extra = r.scales[len(e.scales):]
    if any(type(k) not in (int, float) for k in extra):
        return None
    for f in dataclasses.fields(r):
        if f.name in _SCALED_FIELDS:
            continue
        a, b = getattr(r, f.name), getattr(e, f.name)
        if not (a is b or type(a) in (int, float, str, bool, type(None), RatioKind, tuple) and type(a) is type(b)
                and (a == b if type(a) is not tuple else a == b == ())):
            return None
    return c * math.prod(float(k) for k in extra) + r.offset


def _on(r: Ratio, device: torch.device) -> Ratio:
    """``r`` with its values and rows on ``device`` (a branch's ratios are the body's, read with the rest)."""
    return r if r.values.device == device else r.replace(values=r.values.to(device), rows=r.rows.to(device))


def _without_turned(
    frame: Frame, pending: list[Pending], names: list[str], turned: list[float], out: Companions, warn: Warn,
    compared: dict[str, str] | None = None,
) -> Companions:
    """``out`` without the companions of the groups that alone would take another branch of the
    body's code (``_turned``, or a comparison of a number read on the host, ``compared``: group ->
    where), for the keys that branch may change (``Branch.reach``; every key where not proven):
    what the body returns there is not known (other values, other keys). One warning per group
    and branch names the keys it declines; the group's other keys are the batch's computation."""
    groups = len(names)
    keys = list(dict.fromkeys(p.key for p in pending))
    dropped: dict[str, dict[str, str]] = {name: dict.fromkeys(keys, where) for name, where in (compared or {}).items()}
    for k, b in enumerate(frame.branches):
        for g, name in enumerate(names):
            if turned[k * groups + g]:
                reached = dropped.setdefault(name, {})
                for key in keys if b.reach is None else [key for key in keys if key in b.reach]:
                    reached.setdefault(key, b.where)
    for name, reached in dropped.items():
        for where in dict.fromkeys(reached.values()):
            split = ", ".join(repr(key) for key, at in reached.items() if at == where)
            warn(
                f"branch:{name}:{where}",
                f"keys {split}: group {name!r} alone would decide a branch of the body's Python code otherwise than "
                f"the batch did, at {where}; what the body returns for it then is not known; no companions of "
                "these keys for the group",
            )
    return _dropped(out, dropped)


def _dropped(out: Companions, dropped: Mapping[str, Collection[str]]) -> Companions:
    """``out`` without the companions of the keys ``dropped`` names for their group (group -> keys);
    a window counts them as unknown."""
    kept = Companions(c for c in out if c.key not in dropped.get(c.group, ()))
    kept.window = [c for c in out.window if c.key not in dropped.get(c.group, ())]
    kept.window += [unknown_record(c) for c in (*out, *out.window) if c.key in dropped.get(c.group, ())]
    return kept


class _GroupValues:
    """The per-group values of numbers read on the host and followed per group (``GroupFloat``):
    of the ratios their expressions read, a table read with the call's one host read (``front``,
    then the groups' images), so that each group's numerator of a loss they scaled is multiplied
    by the group's number (``scale``), and their comparisons are checked per group (``declined``)."""

    def __init__(self, frame: Frame, pending: list[Pending], membership: Membership) -> None:
        # a comparison may steer the body (``if loss.item() > c``) whether or not the number scales a loss
        self.reads = [r for r in frame.group_reads if r.used or r.checks]
        for read in self.reads:  # each use seen: its scalings are group factors, its comparisons checked per
            if read.escaped is None:  # group (``declined``), so a read only compared steers no loss unseen
                read.read.consumed = True
        self.ratios: list[Ratio] = []
        seen: set[int] = set()
        todo = [r for p in pending for f in p.ratio.group_factors for r in f[1]]
        todo += [r for read in self.reads for check in read.checks for r in check[3]]
        while todo:
            r = todo.pop()
            if id(r) not in seen:
                seen.add(id(r))
                self.ratios.append(r)
                todo += [q for f in r.group_factors for q in f[1]]
        self.index = {id(r): i for i, r in enumerate(self.ratios)}
        self.groups = 0
        self.front: torch.Tensor | None = None
        self.table: list[float] = []
        self.images: list[float] = []
        self.values: dict[tuple[int, int], float] = {}
        if not self.ratios:
            return
        extra = table([Pending("", r.values, r) for r in self.ratios], membership, frame.origin)
        self.groups = extra.shape[1]
        images = membership.per_group(host_tensor([1.0] * membership.images, torch.float64, extra.device))
        self.front = torch.cat([extra.flatten(), images.reshape(-1).to(extra)])

    def read(self, host: list[float]) -> list[float]:
        """``host`` without the front table (kept here)."""
        if self.front is None:
            return host
        m = self.front.numel()
        self.table, self.images = host[: m - self.groups], host[m - self.groups : m]
        return host[m:]

    def value(self, r: Ratio, g: int) -> float:
        """Ratio ``r``'s value on group ``g`` alone, its own group factors included."""
        key = (id(r), g)
        if key not in self.values:
            at = (self.index[id(r)] * self.groups + g) * 3
            num, den, _ = self.table[at : at + 3]
            num = num * self.factor(r, g) + r.num_offset
            if r.kind is RatioKind.SUM:
                den = 1.0
            self.values[key] = (num / den if den else math.nan) + r.offset
        return self.values[key]

    def factor(self, r: Ratio, g: int) -> float:
        out = 1.0
        for expr, ratios in r.group_factors:
            out *= _formula.evaluate(expr, [self.value(q, g) for q in ratios])
        return out

    def declined(self) -> str | None:
        """Why the call is declined: a number followed per group reached what the capture does not
        follow; else None."""
        for read in self.reads:
            if read.escaped is not None:
                return (f"a number read on the host at {read.read.op} scales a loss per group, and reaches "
                        f"{read.escaped}, which is not followed")
        return None

    def compared_otherwise(self, names: list[str]) -> dict[str, str]:
        """Group -> the first comparison of a number followed per group that gives on the group's
        images alone another result than on the batch (``if event.sum().item() == 0``): the body
        alone takes another way there, so that group has no companions. A group that compares as
        the batch did at every such comparison takes the batch's way at each of them, as at the
        branches ``_turned`` checks."""
        out: dict[str, str] = {}
        for read in self.reads:
            # ``max(n, c)`` whose only use divided a sum floored at ``c`` there: a group alone below ``c``
            # takes ``c``, as its floored row sum does
            floored = () if read.other_use or read.floored_at is None else \
                {k for k, c in read.floors.items() if c == read.floored_at}
            for k, (expr, op, result, ratios) in enumerate(read.checks):
                if k in floored:
                    continue
                for g, name in enumerate(names):
                    if not self.images[g] or name in out:
                        continue
                    v = _formula.evaluate(expr, [self.value(q, g) for q in ratios])
                    if math.isnan(v) or _COMPARED[op](v) != result:
                        out[name] = f"a comparison ({op}) of a number read on the host at {read.read.op}"
        return out

    def scale(self, host: list[float], pending: list[Pending], groups: int) -> None:
        """Multiply each group's numerator of a loss scaled by such numbers by their group values."""
        for i, p in enumerate(pending):
            if p.ratio.group_factors:
                for g in range(groups):
                    host[(i * groups + g) * 3] *= self.factor(p.ratio, g)


_COMPARED: dict[str, Callable[[float], bool]] = {
    "lt": lambda v: v < 0, "le": lambda v: v <= 0, "gt": lambda v: v > 0, "ge": lambda v: v >= 0,
    "eq": lambda v: v == 0, "ne": lambda v: v != 0,
}


def _sum_parts(pending: list[Pending], made: list[Companions], warn: Warn,
               constants: dict[tuple[int, str], float] | None = None) -> Companions:
    """Each key's companions, those of a key that adds ratios summed over its parts per group.

    A group needs every part: one a plain sum without rows of the group adds its constant (the
    body's empty sum); a part gated off for the group (``(0, 0)``) adds 0; a part the group alone
    holds as a number (``constants``: ``c`` of ``E if test else c``) is that number; any other
    missing part (an empty mean, a zero count) leaves no value.
    """
    out = Companions()
    by_key: dict[str, list[tuple[Pending, dict[str, Companion]]]] = {}
    empty: dict[int, set[str]] = {}  # part -> groups left out of it for a 0 / 0 alone
    over_zero: dict[int, dict[str, Companion]] = {}  # part -> groups left out of it for x / 0: (x, 0)
    for p, made_p in zip(pending, made):
        if p.parts == 1 and p.ratio.gate is None and p.formula is None:
            out.extend(made_p)
        else:
            by_key.setdefault(p.key, []).append((p, {c.group: c for c in made_p}))
            empty[id(p)] = made_p.empty
            over_zero[id(p)] = {c.group: c for c in made_p.held}
    for key, parts in by_key.items():
        if len(parts) != parts[0][0].parts:  # a part was declined (sources per token)
            continue
        found = {c.group: c.name for _, of_part in parts for c in of_part.values()}
        # groups with no value in any part, only an ``x / 0``: no warning (as a plain key's), a window record
        quiet = {c.group: c.name for p, _ in parts for c in over_zero[id(p)].values() if c.group not in found}
        for group, name in {**found, **quiet}.items():
            pairs = []
            for p, of_part in parts:
                c = of_part.get(group)
                held = constants.get((id(p.ratio), group)) if constants else None
                pairs.append((c.num, c.den) if c is not None else (held, 1.0) if held is not None else _empty_part(p.ratio))
            if group in quiet or any(pair is None for pair in pairs):
                window = [pair if pair is not None else (0.0, 0.0) if group in empty[id(p)] else
                          _pair(over_zero[id(p)].get(group)) for pair, (p, _) in zip(pairs, parts)]
                whole = tuple(pair for pair in window if pair is not None)
                if len(whole) == len(window) and any(num or den for num, den in whole):
                    expr = parts[0][0].formula
                    out.window.append(window_record(name, key, group, whole, _formula.text(expr) if expr else ""))
                if group in quiet:
                    continue
                warn(
                    f"part:{name}",
                    f"key {key!r}: it adds ratios and group {group!r} has no value for one of them "
                    "(no rows of the group in a part that is not a plain sum); no companion "
                    f"{name!r}",
                )
                continue
            summed = tuple(pair for pair in pairs if pair is not None)
            expr = parts[0][0].formula
            value = _formula.of_parts(summed, expr)
            if -_FLOAT32_OVERFLOW < value < _FLOAT32_OVERFLOW:
                out.append(Companion(name, key, group, value, 1.0, summed, _formula.text(expr) if expr else ""))
            else:  # its parts still count in a window, whose value may be finite
                out.window.append(window_record(name, key, group, summed, _formula.text(expr) if expr else ""))
                warn(f"nonfinite:{name}", f"companion {name!r} is not finite in float32 ({value}); omitted")
    return out


def _pair(c: Companion | None) -> tuple[float, float] | None:
    return None if c is None else (c.num, c.den)


def _empty_part(r: Ratio) -> tuple[float, float] | None:
    """A part's (num, den) for a group without rows in it: a plain sum is then its constants."""
    if r.kind is RatioKind.SUM and r.normaliser is None and not r.divisors and not r.normaliser_ops:
        return (r.num_offset + r.offset, 1.0)
    return None


def _plain_companions(
    p: Pending,
    host: list[float],
    names: list[str],
    named: Sequence[str],
    clashes: set[str],
    warn: Warn,
    present: list[float] | None = None,
    imaged: list[float] | None = None,
    constants: dict[tuple[int, str], float] | None = None,
) -> Companions:
    """The companions of a key whose denominator is read from the table: ``host`` holds its
    (num, den, rows) per group (a plain sum's den is 1 for any group with rows). A sum over a
    normaliser floored by a constant (``present``: the groups' images) has one for a group with
    images but no rows in the loss as well: the body's empty sum over its floor. Any other group
    with images (``imaged``, where known on the host) but no rows in the loss gets none, and where
    another group has some, a warning names the key (a term of a total, whose own warning names
    the total)."""
    nums, dens, cnts = host[0::3], host[1::3], host[2::3]
    empty = bool(present) and _floor(p.ratio)
    floor = next((c for op, c in p.ratio.normaliser_ops if op == "host"), None)
    if floor is not None:  # on the group alone the body may floor its count (``max(n, 1)``), or not
        for group, name, den in zip(names, named, dens):
            if den == 0 and not (clashes and name in clashes):
                warn(
                    f"floor:{name}",
                    f"key {p.key!r}: group {group!r} counts below {floor:g} in the number read on the host that "
                    f"divides it (a floor applied in Python, max(n, {floor:g}), cannot be seen); no companion {name!r}",
                )
    groups, kept = names, named
    if clashes or (cnts and min(cnts) <= 0):  # groups without rows (or named twice) have none
        keep = [
            g
            for g, (name, cnt) in enumerate(zip(named, cnts))
            if (cnt > 0 or empty and cnt == 0 and present is not None and present[g] > 0) and not (clashes and name in clashes)
        ]
        groups, kept = [names[g] for g in keep], [named[g] for g in keep]
        nums, dens = [nums[g] for g in keep], [dens[g] for g in keep]
        given = set(keep)
        for g, (group, name, cnt) in enumerate(zip(names, named, cnts)):  # (a batch without any rows: no term to name)
            if cnt == 0 and imaged and imaged[g] > 0 and g not in given and given \
                    and not (constants and (id(p.ratio), group) in constants):
                # (a part the group alone holds as a number has its value there: ``_sum_parts``)
                warn(f"norows:{name}", f"key {p.key!r}: group {group!r} has images but no rows in it in this call (an "
                     f"empty {'sum' if p.ratio.kind is RatioKind.SUM else 'mean'}); no companion {name!r}")
    made = _companions(p, groups, kept, nums, [1.0] * len(nums) if p.ratio.kind is RatioKind.SUM else dens, warn)
    if constants and p.parts == 1 and p.formula is None and p.ratio.gate is None:
        # a key that is ``E`` times numbers, for a group that alone holds ``c`` there: its value (``_constants``)
        made.extend(Companions([Companion(name, p.key, group, constants[(id(p.ratio), group)], 1.0)
                    for group, name, cnt in zip(names, named, cnts)
                     if cnt == 0 and (id(p.ratio), group) in constants and not (clashes and name in clashes)]))
    if (p.ratio.kind is RatioKind.SUM_OVER_ROW_SUM and len(groups) < len(names) and p.parts == 1 and p.formula is None
            and p.ratio.gate is None and not p.ratio.offset and not p.ratio.num_offset):
        # a group with images but no rows over a row sum it has some of (``x[m].sum() / len(targets)``): no value in
        # the returned dict, but a window pooling its calls divides by that row sum too (its empty sum adds nothing)
        made.window += [Companion(name, p.key, group, 0.0, den) for group, name, num, den, cnt in zip(
            names, named, host[0::3], host[1::3], host[2::3]) if cnt == 0 and num == 0 and den > 0
            and group not in groups and not (clashes and name in clashes)]
    if (p.parts > 1 or p.formula) and p.ratio.kind is not RatioKind.SUM and len(groups) < len(names):
        made.empty.update(group for group, num, den, cnt in zip(names, host[0::3], host[1::3], host[2::3])
                          if cnt == 0 and den == 0 and num + p.ratio.num_offset == 0)
    if p.ratio.gate is not None:  # a part gated off for a group counts 0 there (see ``_sum_parts``)
        for group, name, cnt in zip(names, named, cnts):
            if cnt == -1 and not (clashes and name in clashes):
                made.append(Companion(name, p.key, group, 0.0, 0.0))
    return made


def _no_rows(key: str, group: str, name: str, z: float, warn: Warn) -> None:
    """Warn that group ``group``, with images but no rows in key ``key``'s loss, gets no companion:
    no floor the body applies to what its normaliser ``z`` counts is seen, so the body's value on
    the group alone (its empty sum over that floor, or 0 / 0) is not known."""
    warn(
        f"zero:{name}",
        f"key {key!r}: group {group!r} has images but no rows in this loss, and no floor of what its normaliser "
        f"{z:g} counts is seen (max(n, 1) in Python); no companion {name!r}",
    )


def _floored(r: Ratio) -> tuple[float, float, float, float, bool] | None:
    """(raw, floor, factor, inner, proven) of an opaque ratio's one divisor where it is a count the
    body clamped from below by a literal (``FlooredFloat``), else None."""
    if len(r.divisors) != 1 or not isinstance(r.divisors[0], (FlooredFloat, FlooredInt)):
        return None
    d = r.divisors[0]
    return (d.raw, d.floor, d.factor, d.inner, d.proven) if d.floor > 0 else None


def _floor(r: Ratio) -> bool:
    """Whether ``r`` is a sum over a row-sum normaliser floored by a positive constant
    (``.clamp(min=1)``, a proven ``max(n, 1)``): on a group without rows in the sum the body
    divides its empty sum (0) by at least that floor."""
    return r.kind is RatioKind.SUM_OVER_ROW_SUM and any(op == "min" and c > 0 for op, c in r.normaliser_ops)


def _companions(
    p: Pending, groups: Sequence[str], named: Sequence[str], nums: list[float], dens: list[float], warn: Warn
) -> Companions:
    """Key ``p``'s companions from (num, den) per group: none where ``den`` is 0 or the value is
    not finite. Columns, not records: with thousands of groups a record each would be the
    split's cost."""
    key, offset, num_offset = p.key, p.ratio.offset, p.ratio.num_offset
    if num_offset:  # ``(num + s) / den``: s is the body's own constant, per group too
        nums = [num + num_offset for num in nums]
    if offset:  # ``value + c``: (num + c den, den), so windows add up to sum num / sum den + c
        nums = [num + offset * den for num, den in zip(nums, dens)]
    low, high = -_FLOAT32_OVERFLOW, _FLOAT32_OVERFLOW
    # a den of 0 gives an infinite or NaN quotient there, which fails the check: the loop below decides
    if len(nums) >= _CHECKED_AS_TENSOR and _all_within(nums, dens, low, high):
        keep: Sequence[int] = range(len(nums))  # the usual case, without a Python loop over groups
    else:  # stored as float32; NaN fails too
        keep = [g for g, (num, den) in enumerate(zip(nums, dens)) if den != 0 and low < num / den < high]
    out = Companions()
    if len(keep) == len(nums):
        out.add(key, groups, named, nums, dens)
    else:
        out.add(key, [groups[g] for g in keep], [named[g] for g in keep], [nums[g] for g in keep], [dens[g] for g in keep])
        out.empty.update(group for group, num, den in zip(groups, nums, dens) if num == 0 and den == 0)
        # a group left out for ``x / 0`` (rows, none of what the normaliser counts) or a value not
        # finite still holds its (num, den) in a window's sums: a window that left the call out
        # would miss its numerator (or report a value where the window has none)
        kept = set(keep)
        held = [Companion(named[g], key, groups[g], num, den) for g, (num, den) in enumerate(zip(nums, dens))
                if g not in kept and (num or den)]
        if p.parts == 1 and p.formula is None and p.ratio.gate is None:
            out.window += held
        else:  # a part of a sum of ratios: ``_sum_parts`` puts it in the group's window record
            out.held = held
    if p.formula is not None and 0.0 in dens and _formula.reads(p.formula, "nan_to"):
        for name, den in zip(named, dens):  # the body alone replaces its 0 / 0 there: a value, not known here
            if den == 0:
                warn(f"nan_to:{name}", f"key {key!r}: a part of its expression is 0 / 0 on the group, which the "
                     f"body's torch.where(torch.isnan(..), c, ..) replaces (not told from x / 0 here); no companion {name!r}")
    if len(keep) < len(dens) and len(keep) < len(dens) - dens.count(0.0):
        for name, num, den in zip(named, nums, dens):
            if den != 0 and not low < num / den < high:
                warn(f"nonfinite:{name}", f"companion {name!r} is not finite in float32 ({num / den}); omitted")
    return out


_CHECKED_AS_TENSOR = 64  # groups from which a key's quotients are checked in one tensor op


def _all_within(nums: list[float], dens: list[float], low: float, high: float) -> bool:
    """Whether every ``num / den`` lies strictly between ``low`` and ``high`` (the same float64
    quotients as Python's, in one tensor op)."""
    quotients = host_tensor(nums, torch.float64) / host_tensor(dens, torch.float64)
    return bool(((quotients > low) & (quotients < high)).all())


@functools.lru_cache(maxsize=16)
def _names(key_format: str, keys: tuple[str, ...], groups: tuple[str, ...]) -> tuple[tuple[tuple[str, ...], ...], frozenset[str], bool]:
    """Companion names per key and group, all of them, and whether they are distinct: the same
    keys and groups call after call are named once."""
    if key_format == "{key}_{group}":  # the default, without parsing the format per name
        named = tuple(tuple([f"{key}_{group}" for group in groups]) for key in keys)
    else:
        named = tuple(tuple([key_format.format(key=key, group=group) for group in groups]) for key in keys)
    every = frozenset(name for row in named for name in row)
    return named, every, len(every) == len(keys) * len(groups)


def _clashes(
    result: MutableMapping[str, Any], pending: list[Pending], names: list[str], key_format: str, warn: Warn, strict: bool
) -> tuple[Sequence[Sequence[str]], set[str]]:
    """Companion names per key and group, and those given twice (two keys and groups, or a
    returned key): raised when ``strict``, else left out with a warning."""
    if any(p.parts > 1 for p in pending):  # one key, several parts: named once
        firsts = [p for p in pending if not p.part]
        of_firsts, given_twice = _clashes(
            result, [dataclasses.replace(p, parts=1) for p in firsts], names, key_format, warn, strict
        )
        by_key = dict(zip((p.key for p in firsts), of_firsts))
        return [by_key[p.key] for p in pending], given_twice
    named, every, distinct = _names(key_format, tuple(p.key for p in pending), tuple(names))
    if distinct and not any(k in every and not is_companion(v) for k, v in returned_items(result)):
        return named, set()
    owners: dict[str, list[str]] = {}  # companion name -> what is named so (a clash if several)
    for p, row in zip(pending, named):
        for group, name in zip(names, row):
            if name not in owners:
                clash = name in result and not is_companion(result[name])
                owners[name] = [f"the returned key {name!r}"] if clash else []
            owners[name].append(f"key {p.key!r} split for group {group!r}")
    clashes = {name: what for name, what in owners.items() if len(what) > 1}
    for name, what in clashes.items():
        message = f"companion name {name!r} is given to {' and to '.join(what)}; change key_format= or the names"
        if strict:
            raise LossSplitError(f"split_by_source: {message}")
        warn(f"clash:{name}", f"{message}; no companion {name!r}")
    return named, set(clashes)


def attach(
    result: MutableMapping[str, Any], companions: Companions | list[Companion], device: torch.device, stamp: tuple[int, int]
) -> None:
    """Put the companions in the returned dict, stamped with the call that made them."""
    if not companions:
        return
    table = companions if isinstance(companions, Companions) else Companions(companions)
    result.update(zip(table.names, make_companions(table, device, stamp)))


def _tiles(spans: list[tuple[int, int]], size: int) -> bool:
    """Whether the distinct (start, stop) ``spans`` cover ``range(size)`` once each, one after another (a
    span sliced again, of another tensor with the same rows or twice, is the same image's)."""
    at = 0
    for start, stop in sorted(set(spans)):
        if start != at:
            return False
        at = stop
    return at == size
