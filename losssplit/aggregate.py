"""Exact aggregation of companions over iterations and ranks: ``sum num / sum den``.

A companion value is a ratio ``num / den`` (see ``Companion``). Averaging such ratios over a
logging window or over GPUs (what per-step means, medians and ``sync_dist`` do) weights every
batch alike however many rows of the group it held. :class:`SplitMeter` keeps the numerators and
denominators apart and divides once, so the value it reports for a window is exactly the value
the decorated criterion would have returned had the whole window been one batch, for sums, means
and sums over counts. (A constant the body adds to a denominator per call, an ``+ eps`` or a
dice's smoothing ``+ s``, is counted once per call in the window.) A companion that adds ratios
with different denominators (``Companion.parts``) is kept per part, under the name plus
``"\x1f{i}/{n}"``, and reported as the sum over its parts of ``sum num / sum den``; a function of
ratios (``Companion.formula``, ``sqrt(mse.mean())``) under the name plus ``"\x1f{i}/{n}/{formula}"``,
reported as that function of its parts' ``sum num / sum den``.

Distributed reduction (``torch.distributed`` initialised): every ``compute()`` issues exactly one
``all_reduce(SUM)`` of a fixed-shape ``float64`` table, identical in shape and order on all ranks
whatever groups or keys each rank saw, so a rank that never met a group neither hangs nor misses
the key. Each companion name owns a slot chosen by a stable hash (``zlib.crc32``, not Python's
salted ``hash``); the slot holds a count of contributing ranks, ``num``, ``den``, a checksum and
the UTF-8 bytes of ``name``/``key``/``group`` packed four to a float. After the reduction every
rank decodes the same table, so ranks that never saw a name learn it from the bytes. When two
ranks put different names in one slot (hash collision with different probing), a name is longer
than the slot's byte budget, or a rank has more names than slots, every rank sees the same
evidence in the reduced table (checksum mismatch, non-integral bytes, an overflow flag) and all
take the same fallback together: one ``all_gather_object`` of the sorted names and a second
``all_reduce`` of a table in that agreed order. The fallback is correct, only slower.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import zlib
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from typing import Any

import torch

from . import _formula
from ._companion import DECLINED, REPORTED_ATTR, WINDOW_ATTR, Companion, companion_of, is_companion
from ._context import report_to

__all__ = ["SplitMeter", "pop_companions"]

_BYTES_PER_CELL = 4  # 32-bit chunks: sums over up to 2**21 ranks stay exact in float64
_HEAD = 4  # count, num, den, checksum
_CHECK_SALT = 0x9E3779B9
logger = logging.getLogger("losssplit")


_PART = "\x1f"  # a companion that adds ratios is kept per part: ``name + _PART + "i/n"``
_EMPTIED = "0/0"  # ``name + _PART + _EMPTIED``: a call of the window had a part 0 / 0 (an empty mean)
_DECLINED = DECLINED.removeprefix(_PART)  # ``key + _PART + _DECLINED``: a call declined the key for every group


def _entries(rec: Companion) -> list[tuple[str, float, float]]:
    """What one record adds to the window: (name, num, den), one per part of a sum of ratios."""
    if not rec.parts:
        return [(rec.name, rec.num, rec.den)]
    n = len(rec.parts)
    formula = f"/{rec.formula}" if rec.formula else ""  # in the name: it travels to ranks that never saw it
    out = [(f"{rec.name}{_PART}{i}/{n}{formula}", num, den) for i, (num, den) in enumerate(rec.parts)]
    if not rec.den and (0.0, 0.0) in rec.parts:  # a call's 0 / 0 part: no value of the window if all its calls' are
        out.append((rec.name + _PART + _EMPTIED, 1.0, 1.0))
    return out


def _key_of(rec: Companion, name: str) -> str:
    """The loss key a renamed companion belongs to: ``loss_x_real_0`` of ``loss_x`` -> ``loss_x_0``."""
    return name.replace(rec.name, rec.key, 1) if rec.name in name else name


def _renamed(rec: Companion, name: str, key: str) -> Companion:
    return rec if (name, key) == (rec.name, rec.key) else rec._replace(name=name, key=key)


def _held(loss_dict: Mapping[str, Any], attr: str) -> list[tuple[str, Companion]]:
    """(dict key, record) of the records the losses of ``loss_dict`` hold under ``attr``: a record
    under the key it names where the dict has that key holding it (a loss returned under two keys
    holds both keys' records), else under each key holding it (renamed after the call)."""
    pairs = [(name, rec) for name, value in loss_dict.items() if isinstance(value, torch.Tensor)
             for rec in getattr(value, attr, ())]
    exact = {id(rec) for name, rec in pairs if rec.key == name}
    return [(name, rec) for name, rec in pairs if rec.key == name or id(rec) not in exact]


def pop_companions(loss_dict: MutableMapping[str, Any]) -> dict[str, torch.Tensor]:
    """Remove every companion value from ``loss_dict`` in place and return them.

    Use it where a trainer sums or logs every value of the dict and you log the companions
    yourself. Entries that are not companions (the training losses) stay, in their order.

    Args:
        loss_dict: the dict a decorated criterion returned (or any mutable mapping).

    Returns:
        ``{name: value}`` of the removed companion values, in their original order.

    Example:
        >>> import torch
        >>> import losssplit
        >>> criterion = losssplit.split_by_source(lambda pred: {"loss": pred.abs().mean()})
        >>> with losssplit.sources(["real", "sim"]):
        ...     out = criterion(torch.tensor([[1.0], [4.0]], requires_grad=True))
        >>> sorted(losssplit.pop_companions(out)), list(out)
        (['loss_real', 'loss_sim'], ['loss'])
    """
    names = [name for name, value in loss_dict.items() if is_companion(value)]
    return {name: loss_dict.pop(name) for name in names}


class SplitMeter:
    """Accumulates companions exactly (``sum num / sum den``) over a window and over ranks.

    Feed it either the dicts a decorated criterion returns (:meth:`update`) or, inside
    :meth:`collect`, let decorated calls report to it directly so their dicts stay free of
    companion keys (what trainers that sum every dict value need). :meth:`compute` returns the
    exact value of every companion since the last :meth:`reset`, reduced over all ranks when
    ``torch.distributed`` is initialised (a collective: call it on every rank, at the same point).

    Args:
        process_group: the ``torch.distributed`` group to reduce over (default: the world).
        slots: fixed number of name slots of the single-``all_reduce`` table; more distinct
            companions than that still work, through the two-collective fallback. Must be the
            same on every rank.
        name_bytes: byte budget per slot for ``name``, ``key`` and ``group`` (UTF-8, together);
            longer names take the fallback. Must be the same on every rank.

    Example:
        >>> import torch
        >>> import losssplit
        >>> criterion = losssplit.split_by_source(lambda pred: {"loss": pred.abs().mean()})
        >>> meter = losssplit.SplitMeter()
        >>> for rows in ([[3.0]], [[0.0], [0.0], [1.0]]):  # 1 row of loss 3, then 3 rows of mean 1/3
        ...     with losssplit.sources(["real"] * len(rows)):
        ...         meter.update(criterion(torch.tensor(rows, requires_grad=True)))
        >>> meter.compute()  # (3 + 1) / (1 + 3), not the mean of 3.0 and 0.333
        {'loss_real': 1.0}
    """

    def __init__(
        self, *, process_group: Any = None, slots: int = 128, name_bytes: int = 128
    ) -> None:
        if not isinstance(slots, int) or slots < 1:
            raise ValueError(f"SplitMeter(slots=...): expected an int >= 1, got {slots!r}")
        if not isinstance(name_bytes, int) or name_bytes < 8:
            raise ValueError(f"SplitMeter(name_bytes=...): expected an int >= 8, got {name_bytes!r}")
        self._group = process_group
        self._slots = slots
        self._cells = -(-name_bytes // _BYTES_PER_CELL)
        self._lock = threading.Lock()
        # name -> [key, group, num, den]
        self._acc: dict[str, list[Any]] = {}
        # inside collect(): (images the call saw, its companions) per decorated call, in order
        self._pending: list[tuple[int, list[Companion]]] = []
        self._warned: set[str] = set()

    def __getstate__(self) -> dict[str, Any]:
        # picklable (spawned workers, ``ddp_spawn``, deep copies): the lock is not
        state = self.__dict__.copy()
        del state["_lock"]
        state["_pending"] = []
        with self._lock:
            state["_acc"] = {name: list(entry) for name, entry in self._acc.items()}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ accumulation
    def add(self, companions: Iterable[Companion]) -> None:
        """Add companion records (the sink :meth:`collect` installs; also usable directly)."""
        with self._lock:
            for rec in companions:
                for name, num, den in _entries(rec):
                    entry = self._acc.get(name)
                    if entry is None:
                        self._acc[name] = [rec.key, rec.group, float(num), float(den)]
                    else:
                        entry[2] += float(num)
                        entry[3] += float(den)

    def update(self, loss_dict: Mapping[str, Any]) -> None:
        """Add the companions of ``loss_dict`` under the keys it has now; ignore everything else.

        A criterion that renames keys after the decorated call (DETR's ``{k}_{i}`` per decoder
        layer) gets each layer aggregated apart: ``loss_bbox_real_0`` is its own companion, with
        ``key`` ``loss_bbox_0``. Inside :meth:`collect` the dict holds no companions; passing the
        final dict there names what its calls reported after its keys (``loss_bbox_0`` gives
        ``loss_bbox_0_real``) instead of merging the layers.

        Args:
            loss_dict: what a decorated call returned, or the dict built from such results.
                Training losses, plain tensors and numbers are ignored: only companion values
                (which carry their record) and, inside :meth:`collect`, losses whose call
                reported companions count. A call's window records (a group's parts where it has
                no value, a key it declined for every group, which leaves the window without that
                key) ride on its returned loss tensors: pass those, not ``loss.detach()`` or a
                copy, which lose them.
        """
        found = []
        windows: dict[int, Companion] = {}
        held = _held(loss_dict, WINDOW_ATTR)  # its call's groups without a value but with parts
        for name, value in loss_dict.items():
            rec = companion_of(value)
            if rec is not None:
                found.append(_renamed(rec, name, _key_of(rec, name)))
        for name, rec in held:
            windows.setdefault(id(rec), _renamed(rec, rec.name.replace(rec.key, name, 1), name))
        found += windows.values()
        self.add(found)
        with self._lock:
            reported = {id(rec): rec for call in self._pending for rec in call[1]}
            renamed: dict[int, Companion] = {}
            for name, rec in _held(loss_dict, REPORTED_ATTR):
                if id(rec) in reported and rec.key != name:
                    renamed[id(rec)] = _renamed(rec, rec.name.replace(rec.key, name, 1), name)
            if renamed:
                self._pending = [(batch, [renamed.get(id(r), r) for r in recs]) for batch, recs in self._pending]

    @contextlib.contextmanager
    def collect(self) -> Iterator[SplitMeter]:
        """Within the block, decorated calls report to this meter and add no companion keys.

        The dicts they return hold the training losses only, so a trainer that sums every
        value (detectron2) or every ``*loss*`` key (MMEngine) is untouched. What the calls
        reported is added when the block ends. Calls on the same images whose companions share
        a name (one call per decoder layer whose keys the caller renames afterwards) are kept
        apart if the final dict is passed to :meth:`update` inside the block, and otherwise
        added together with one warning.

        Example:
            >>> import torch, torch.nn.functional as F
            >>> import losssplit
            >>> @losssplit.split_by_source
            ... def criterion(logits, y):
            ...     return {"loss_ce": F.cross_entropy(logits, y)}
            >>> meter = losssplit.SplitMeter()
            >>> with meter.collect(), losssplit.sources(["real", "real", "sim"]):
            ...     out = criterion(torch.zeros(3, 4), torch.tensor([0, 1, 2]))
            >>> list(out), sorted(meter.compute())
            (['loss_ce'], ['loss_ce_real', 'loss_ce_sim'])
        """
        try:
            with report_to(self._report):
                yield self
        finally:
            self._commit()

    def _report(self, companions: Sequence[Companion], *, batch: int) -> None:
        with self._lock:
            self._pending.append((batch, list(companions)))

    def _commit(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        seen: dict[tuple[int, str], int] = {}
        for batch, recs in pending:
            for rec in recs:
                if not rec.name.endswith(DECLINED):
                    seen[batch, rec.name] = seen.get((batch, rec.name), 0) + 1
        merged = sorted({name for (_, name), count in seen.items() if count > 1} - self._warned)
        if merged:
            self._warned.update(merged)
            logger.warning(
                "losssplit: %s reported more than once for the same images in one "
                "SplitMeter.collect() block and added together (one call per decoder layer whose "
                "keys are renamed afterwards?); pass the final loss dict to meter.update(...) inside "
                "the block to keep each under its final key",
                ", ".join(map(repr, merged)),
            )
        self.add(rec for _, recs in pending for rec in recs)

    def reset(self) -> None:
        """Forget everything accumulated (start a new window). Local; no collective."""
        with self._lock:
            self._acc.clear()

    # ------------------------------------------------------------------ results
    def compute(self) -> dict[str, float]:
        """``{companion_name: sum(num) / sum(den)}`` since :meth:`reset`, over every rank.

        Under ``torch.distributed`` this is a collective (one ``all_reduce``): call it on every
        rank at the same point; every rank gets the same dict. A companion whose ``den`` is 0
        everywhere is absent. Does not reset.
        """
        return {rec.name: rec.num / rec.den for rec in self.compute_records()}

    def compute_records(self) -> list[Companion]:
        """Like :meth:`compute`, as ``Companion`` records (summed ``num``/``den``, sorted by name).

        Integrations use ``key`` and ``group`` to name tags such as ``loss_bbox/real``.
        """
        with self._lock:
            local = {name: tuple(entry) for name, entry in self._acc.items()}
        if self._world_size() > 1:
            reduced = self._reduce(local)
        else:
            reduced = local
        out = []
        parts: dict[str, dict[str, tuple[Any, ...]]] = {}
        emptied = set()
        declined = set()  # keys a call of the window declined for every group: no value for any group
        for name in sorted(reduced):
            base, _, part = name.partition(_PART)
            if part == _EMPTIED:
                emptied.add(base)
            elif part == _DECLINED:
                declined.add(reduced[name][0])
            elif part:
                parts.setdefault(base, {})[part] = reduced[name]
        for name in sorted(reduced):
            key, group, num, den = reduced[name]
            if name in parts or _PART in name:
                continue
            if key in declined:
                self._omit_key(key)
                continue
            if den != 0 and math.isfinite(num) and math.isfinite(den):
                out.append(Companion(name, key, group, float(num), float(den)))
            elif not (math.isfinite(num) and math.isfinite(den)):
                self._omit(name, "a call of this window declined it (its group alone took another branch) or "
                                 "its value there was not finite: no exact window value; omitted")
        for name, found in parts.items():
            if next(iter(found.values()))[0] in declined:
                self._omit_key(next(iter(found.values()))[0])
                continue
            summed = self._summed(name, found, name in reduced, name in emptied)
            if summed is not None:
                out.append(summed)
        return sorted(out) if parts else out

    def _summed(
        self, name: str, found: Mapping[str, tuple[Any, ...]], single_too: bool, emptied: bool
    ) -> Companion | None:
        """A companion that adds ratios, from its parts' window sums: sum of (sum num / sum den).
        None (with one warning) where calls disagreed on its parts, or where a part is 0 / 0 over
        the window and some call's was an empty one (on the window alone the body has no value,
        where a part gated off in every call counts 0)."""
        count = {int(part.split("/")[1]) for part in found}
        formulas = {part.split("/", 2)[2] if part.count("/") > 1 else "" for part in found}
        if single_too or len(count) != 1 or len(found) != count.pop() or len(formulas) != 1:
            if name not in self._warned:
                self._warned.add(name)
                logger.warning(
                    "losssplit: %r was a sum of ratios in some calls of this window and not in "
                    "others (or of different ones): no exact window value; omitted",
                    name,
                )
            return None
        ordered = [found[part] for part in sorted(found, key=lambda p: int(p.split("/")[0]))]
        pairs = tuple((float(num), float(den)) for _, _, num, den in ordered)
        if emptied and any(not den for _, den in pairs):
            if name not in self._warned:
                self._warned.add(name)
                logger.warning("losssplit: %r has a part that is 0 / 0 over this window (an empty mean): "
                               "no window value; omitted", name)
            return None
        # a part gated off in every call of the window ((0, 0): a class absent) counts 0
        if not all(math.isfinite(num) and math.isfinite(den) for num, den in pairs):
            self._omit(name, "a call of this window declined it (its group alone took another branch) or a part "
                             "of it there was not finite: no exact window value; omitted")
            return None
        if not all(den != 0 or num == 0 for num, den in pairs):
            return None
        key, group = ordered[0][0], ordered[0][1]
        formula = formulas.pop()
        value = _formula.of_parts(pairs, _formula.parse(formula) if formula else None)
        if formula and not math.isfinite(value):  # a function not defined at the window's values
            return None
        return Companion(name, key, group, value, 1.0, pairs, formula)

    def _omit_key(self, key: str) -> None:
        if key + DECLINED not in self._warned:
            self._warned.add(key + DECLINED)
            logger.warning("losssplit: key %r: a call of this window declined it for every group (attribution lost, "
                           "a failed check, a host read; that call warned why): no exact window value for any of "
                           "its companions; omitted", key)

    def _omit(self, name: str, why: str) -> None:
        if name not in self._warned:
            self._warned.add(name)
            logger.warning("losssplit: %r: %s", name, why)

    # ------------------------------------------------------------------ distributed
    def _world_size(self) -> int:
        dist = torch.distributed
        if not (dist.is_available() and dist.is_initialized()):
            return 1
        return int(dist.get_world_size(self._group))

    def _device(self) -> torch.device:
        dist = torch.distributed
        backend = str(dist.get_backend(self._group)).lower()
        if "nccl" in backend and torch.cuda.is_available():
            return torch.device("cuda", torch.cuda.current_device())
        return torch.device("cpu")

    def _reduce(self, local: Mapping[str, tuple[Any, ...]]) -> dict[str, tuple[Any, ...]]:
        dist = torch.distributed
        table = encode_table(local, self._slots, self._cells)
        device = self._device()
        reduced = table.to(device)
        dist.all_reduce(reduced, op=dist.ReduceOp.SUM, group=self._group)
        decoded = decode_table(reduced.cpu(), self._cells)
        if decoded is not None:
            return decoded
        # Every rank decoded the same reduced table, so every rank is here together.
        gathered: list[Any] = [None] * self._world_size()
        dist.all_gather_object(gathered, sorted((n, e[0], e[1]) for n, e in local.items()),
                               group=self._group)
        names = sorted({tuple(item) for part in gathered for item in part})
        values = torch.zeros(len(names), 2, dtype=torch.float64)
        for i, (name, _, _) in enumerate(names):
            if name in local:
                values[i, 0] = float(local[name][2])
                values[i, 1] = float(local[name][3])
        values = values.to(device)
        dist.all_reduce(values, op=dist.ReduceOp.SUM, group=self._group)
        values = values.cpu()
        return {
            name: (key, group, float(values[i, 0]), float(values[i, 1]))
            for i, (name, key, group) in enumerate(names)
        }


# ---------------------------------------------------------------------- slot table codec
def _payload(name: str, key: str, group: str) -> bytes:
    return "\0".join((name, key, group)).encode("utf-8")


def encode_table(
    local: Mapping[str, tuple[Any, ...]], slots: int, cells: int
) -> torch.Tensor:
    """One rank's ``[slots + 1, 4 + cells]`` float64 table; the last row flags overflow."""
    width = _HEAD + cells
    table = torch.zeros(slots + 1, width, dtype=torch.float64)
    rows: list[list[float]] = [[] for _ in range(slots)]
    overflow = 0.0
    for name in sorted(local):
        key, group, num, den = local[name]
        payload = _payload(name, key, group)
        if len(payload) > cells * _BYTES_PER_CELL:
            overflow = 1.0
            continue
        home = zlib.crc32(name.encode("utf-8")) % slots
        for probe in range(slots):
            slot = (home + probe) % slots
            if not rows[slot]:
                break
        else:
            overflow = 1.0
            continue
        padded = payload.ljust(cells * _BYTES_PER_CELL, b"\0")
        packed = [
            float(int.from_bytes(padded[i : i + _BYTES_PER_CELL], "little"))
            for i in range(0, len(padded), _BYTES_PER_CELL)
        ]
        check = float(zlib.crc32(payload, _CHECK_SALT))
        rows[slot] = [1.0, float(num), float(den), check, *packed]
    for slot, row in enumerate(rows):
        if row:
            table[slot] = torch.tensor(row, dtype=torch.float64)
    table[slots, 0] = overflow
    return table


def decode_table(table: torch.Tensor, cells: int) -> dict[str, tuple[Any, ...]] | None:
    """Names and summed ``(num, den)`` from a reduced table, or ``None`` if it is ambiguous."""
    if float(table[-1, 0]) != 0.0:
        return None
    rows: Sequence[list[float]] = table[:-1].tolist()
    out: dict[str, tuple[Any, ...]] = {}
    for row in rows:
        count = row[0]
        if count == 0.0:
            continue
        chunks = []
        for cell in row[_HEAD : _HEAD + cells]:
            value = cell / count
            if value != int(value) or not 0 <= value < 2 ** (8 * _BYTES_PER_CELL):
                return None
            chunks.append(int(value).to_bytes(_BYTES_PER_CELL, "little"))
        payload = b"".join(chunks).rstrip(b"\0")
        if float(zlib.crc32(payload, _CHECK_SALT)) * count != row[3]:
            return None
        try:
            name, key, group = payload.decode("utf-8").split("\0")
        except ValueError:  # UnicodeDecodeError is a ValueError; so is a bad split
            return None
        if name in out:
            return None
        out[name] = (key, group, row[1], row[2])
    return out
