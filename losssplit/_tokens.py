"""Sources per token: a ``[B, T]`` labelling of packed rows.

The capture keeps images = rows of the batch (sequences). When the call returns, each ratio's
per-element values are re-indexed by token, the unit ``b * T + t``: a loss over ``[B*T, ...]``
made by flattening ``[B, T, ...]`` (the row map's recorded origin says which token each element
is), or over ``[B, T, ...]`` with its per-token values kept. Group membership is then per token.
Whatever cannot be placed on a token exactly is declined, never guessed.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

import torch

from ._capture import Frame, Ratio, RatioKind, row_sums
from ._capture.ratio import version_of
from ._context import TokenLabels
from ._errors import LossSplitError
from ._groups import Grouping, Membership
from ._split import Pending

Warn = Callable[[str, str], None]


def token_membership(grouping: Grouping, labels: TokenLabels) -> tuple[list[str], Membership, list[Any]]:
    """Group names, the membership of the ``B*T`` token units (token ``b*T + t`` is unit ``b*T + t``) and
    the labels of tokens in no group (a ``groups=`` mapping that matches none). Ids below 0 are
    tokens of no source, in no group and not reported.

    Raises:
        LossSplitError: an id that ``names`` does not map.
        PredicateError: a ``groups=`` predicate raised.
    """
    ids = labels.ids.reshape(-1).cpu()
    uniq, inverse = torch.unique(ids, return_inverse=True)
    values = [int(v) for v in uniq.tolist()]
    keep = [i for i, v in enumerate(values) if v >= 0]
    if labels.names is not None:
        missing = [values[i] for i in keep if values[i] not in labels.names]
        if missing:
            raise LossSplitError(
                f"split_by_source: source id {missing[0]} (per token) has no name in "
                f"losssplit.sources(names=...) (names for ids {sorted(labels.names)})"
            )
        named: list[Any] = [labels.names[values[i]] for i in keep]
    else:
        named = [values[i] for i in keep]
    if not named:
        return [], Membership(ids.numel(), 0, torch.zeros(ids.numel(), dtype=torch.long)), []
    names, per_label, outside = grouping.assign(named, False)
    by_value = torch.zeros(len(values), len(names))
    by_value[keep] = per_label.dense()  # a few distinct labels: dense is small here
    unit, group = by_value[inverse].nonzero(as_tuple=True)
    return names, Membership(ids.numel(), len(names), group, unit), [named[i] for i in outside]


def per_token(frame: Frame, pending: list[Pending], tokens: int, warn: Warn) -> list[Pending]:
    """Each pending key with its ratio's values per token; keys that cannot be are declined."""
    out = []
    for p in pending:
        ratio, why = _per_token(frame, p.ratio, tokens)
        if ratio is None:
            warn(f"tokens:{p.key}", f"key {p.key!r}: {why}; no companions for it (sources per token)")
        else:
            out.append(dataclasses.replace(p, ratio=ratio))
    return out


def _per_token(frame: Frame, r: Ratio, tokens: int) -> tuple[Ratio | None, str]:
    normaliser = None
    if r.normaliser is not None:
        normaliser, why = _per_token(frame, r.normaliser, tokens)
        if normaliser is None:
            return None, f"its normaliser: {why}"
    if r.row_dim != 0 or r.host_image is not None or r.values.dim() == 0:
        return None, "its loss is reduced per sequence, not per position (which tokens it holds is unknown)"
    steps = torch.arange(tokens, device=r.rows.device)
    origin = frame.origin.get(id(r.rows))
    if origin is not None:  # [B', T', *rest] flattened into dim 0 from its leading dim (pos 0)
        rows, sizes, pos = origin
        if pos != 0 or len(sizes) < 2:
            return None, "its rows were flattened from a layout whose token positions are unknown"
        if sizes[1] != tokens:
            return None, (
                f"its elements span {sizes[1]} positions per row and the labels {tokens} tokens "
                "(sliced or shifted predictions: which token each element is cannot be known)"
            )
        if r.values.shape[0] != r.rows.shape[0]:
            return None, "only its per-row sums were kept (its per-token values are gone)"
        inner = math.prod(sizes[2:])
        units = (rows.reshape(-1, 1) * tokens + steps).reshape(-1)
        if inner != 1:
            units = units.repeat_interleave(inner)
        values = row_sums(r.values, 0)
        den = row_sums(r.den_values, 0) if r.den_values is not None else None
    elif (
        r.rows.dim() == 1
        and r.values.dim() >= 2
        and r.values.shape[0] == r.rows.shape[0]
        and r.values.shape[1] == tokens
        and r.kind is not RatioKind.ROW_MEAN
    ):  # [B', T, ...] reduced whole: dim 1 is the position
        units = (r.rows.reshape(-1, 1) * tokens + steps).reshape(-1)
        values = row_sums(r.values.flatten(0, 1), 0)
        den = row_sums(r.den_values.flatten(0, 1), 0) if r.den_values is not None else None
    elif r.rows.dim() == 1 and r.values.dim() == 1:
        return None, "only per-row values were kept (its per-token values are gone)"
    else:
        shape = tuple(r.values.shape)
        return None, f"its values {shape} have no dim of T={tokens} positions right after the rows"
    if frame.moved_positions is not None:
        return None, (
            f"positions along a dim of size T={tokens} may have been reordered or mixed at {frame.moved_positions}"
        )
    fixed = dataclasses.replace(
        r, values=values, rows=units, row_dim=0, den_values=den, normaliser=normaliser, version=version_of(values)
    )
    return fixed, ""


def ids_from_positions(position_ids: torch.Tensor, labels: Sequence[Any]) -> tuple[torch.Tensor, dict[int, str]]:
    """Per-token source ids of packed rows whose ``position_ids`` restart at 0 for each document,
    documents in order holding ``labels``; returns ``(ids [B, T], id -> name)``.

    Raises:
        LossSplitError: the rows hold a different number of documents than there are labels.
    """
    starts = position_ids == 0
    documents = int(starts.sum())
    if documents != len(labels) or not bool(starts.reshape(-1)[0]):
        raise LossSplitError(
            f"losssplit: packed rows hold {documents} documents (position_ids restarting at 0) "
            f"for {len(labels)} source labels"
        )
    names = sorted({str(v) for v in labels})
    code = {n: i for i, n in enumerate(names)}
    per_document = torch.tensor([code[str(v)] for v in labels], dtype=torch.long)
    document = starts.reshape(-1).long().cumsum(0) - 1
    return per_document[document].reshape(position_ids.shape), dict(enumerate(names))
