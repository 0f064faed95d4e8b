"""Helpers shared by the tests: reading results, reference values and the oracle harness.

The oracle is the companion definition executed (DESIGN.md §1): the undecorated body run on one
group's images alone, with the weight field set to 1, no losssplit involved.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
import torch
import torch.nn.functional as F

from losssplit import companion_of, sources, split_by_source

# -- reading results ------------------------------------------------------------------------------


def companions(out: Mapping[str, Any]) -> dict[str, float]:
    """{key: value} of the companion entries of a returned dict."""
    return {k: v.item() for k, v in out.items() if companion_of(v) is not None}


def bits(t: torch.Tensor) -> torch.Tensor:
    """The bytes of a tensor: equal bits, NaN included."""
    return t.detach().reshape(-1).contiguous().view(torch.uint8)


def leaves(outputs: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Fresh leaf copies that require grad, so two runs get separate gradients."""
    return {k: v.detach().clone().requires_grad_() for k, v in outputs.items()}


def default_group(label: float) -> str:
    return "real" if label >= 0.9 else "synthetic"


# -- the per-row L1 criterion most unit tests use ------------------------------------------------


def targets_for(weights: Sequence[float], rows: int = 2, seed: int = 0, **extra: Any) -> list[dict]:
    """One target dict per weight, each with ``rows`` random boxes."""
    g = torch.Generator().manual_seed(seed)
    return [{"boxes": torch.rand(rows, 4, generator=g), "loss_weight": w, **extra} for w in weights]


def per_row_l1(pred: torch.Tensor, targets: Sequence[dict]) -> torch.Tensor:
    """|pred - boxes| summed per row, ``pred`` rows being the targets' rows in image order."""
    return F.l1_loss(pred, torch.cat([t["boxes"] for t in targets]), reduction="none").sum(1)


def pred_for(targets: Sequence[dict], seed: int = 1) -> torch.Tensor:
    """Random predictions, one row per target row, requiring grad."""
    rows = sum(t["boxes"].shape[0] for t in targets)
    return torch.rand(rows, 4, generator=torch.Generator().manual_seed(seed)).requires_grad_()


def mean_l1(pred: torch.Tensor, targets: Sequence[dict]) -> dict[str, torch.Tensor]:
    """The criterion ``expected`` describes: the mean per-row L1."""
    return {"loss": per_row_l1(pred, targets).mean()}


def assert_clean(out: Mapping[str, Any]) -> None:
    """No non-finite, grad-carrying or non-float32 companion; no mode left on the stack."""
    for k, v in out.items():
        if companion_of(v) is not None:
            assert math.isfinite(v.item()) and not v.requires_grad and v.dtype == torch.float32, k
    assert torch._C._len_torch_function_stack() == 0


def expected(pred: torch.Tensor, targets: Sequence[dict], group_of: Callable[[Any], str] = default_group,
             key: str = "loss", mask: torch.Tensor | None = None) -> dict[str, float]:
    """{companion: value} of ``per_row_l1(...).mean()``: each group's mean per-row L1, rows with
    mask 0 adding 0 (and still counted)."""
    values = per_row_l1(pred.detach(), targets)
    if mask is not None:
        values = values * (mask != 0)
    rows: dict[str, list[float]] = {}
    start = 0
    for t in targets:
        n = t["boxes"].shape[0]
        rows.setdefault(group_of(t["loss_weight"]), []).extend(values[start : start + n].tolist())
        start += n
    return {f"{key}_{g}": sum(v) / len(v) for g, v in rows.items() if v}


# -- DETR-style batches ---------------------------------------------------------------------------


def matched_index(indices: Sequence[tuple[torch.Tensor, torch.Tensor]]) -> tuple[torch.Tensor, torch.Tensor]:
    """(image of each matched row, its query): the index pair that gathers matched predictions."""
    image = torch.cat([torch.full_like(src, b) for b, (src, _) in enumerate(indices)])
    query = torch.cat([src for src, _ in indices])
    return image, query


def focal_bce(logits: torch.Tensor, onehot: torch.Tensor, normaliser: Any,
              alpha: float = 0.25, gamma: float = 2.0) -> torch.Tensor:
    """Focal-weighted BCE over ``[B, Q, C]``: per-element BCE-with-logits (reduction 'none'),
    scaled by how wrong the prediction still is (``(1 - p_t) ** gamma``) and by ``alpha`` on
    positives / ``1 - alpha`` on negatives; each image's mean over queries, summed over images and
    classes, divided by ``normaliser``."""
    per_element = F.binary_cross_entropy_with_logits(logits, onehot, reduction="none")
    prob = logits.sigmoid()
    miss = prob * (1 - onehot) + (1 - prob) * onehot  # 1 - p_t
    balance = alpha * onehot + (1 - alpha) * (1 - onehot)
    return (balance * per_element * miss**gamma).mean(1).sum() / normaliser


# -- the oracle harness ---------------------------------------------------------------------------
# How each argument of a call is restricted to one group's images (DESIGN.md §1: "every argument
# restricted to those images"). A kind is one of the names below or an instance of a class below.

ROWS = "rows"  # a batch-first tensor, or a dict / list of them (``outputs``, ``aux_outputs``)
TARGETS = "targets"  # the per-image target dicts: the images' dicts, weight field set to 1
PER_IMAGE = "per_image"  # a list with one item per image (matcher indices): the images' items
WEIGHT = "weight"  # a per-image weight tensor argument (``weight="w"``): the images' entries, set to 1
KEEP = "keep"  # unchanged: class weights, constants


@dataclass(frozen=True)
class Along:
    """A tensor with one entry per image along ``dim`` (time-major ``[T, B, ...]``: ``Along(1)``)."""

    dim: int


@dataclass(frozen=True)
class Owned:
    """A tensor whose rows belong to images as ``owner`` says (matched rows ``[M, ...]`` gathered
    by the caller: ``owner`` is their batch_idx)."""

    owner: torch.Tensor


@dataclass(frozen=True)
class Share:
    """An opaque normaliser Z passed in from outside: the group gets ``Z * C_S / C``, ``counts``
    being what Z counts per image (C_b). A group with C_S == 0 gets NaN, so every key divided by
    it is non-finite and has no companion."""

    counts: Sequence[float]


def unit(target: dict, weight: str | None | Callable[[dict], dict] = "loss_weight") -> dict:
    """The target with its weight field set to 1 (a number -> 1.0, a tensor -> ones like it);
    ``weight=None`` keeps it; a callable rewrites the dict itself."""
    if callable(weight):
        return weight(target)
    if weight is None or weight not in target:
        return target
    value = target[weight]
    return {**target, weight: torch.ones_like(value) if isinstance(value, torch.Tensor) else 1.0}


def _rows(value: Any, sel: torch.Tensor, dim: int) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().index_select(dim, sel)
    if isinstance(value, Mapping):
        return {k: _rows(v, sel, dim) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_rows(v, sel, dim) for v in value)
    return value


def restrict(value: Any, kind: Any, images: Sequence[int], weight: Any = "loss_weight") -> Any:
    """``value`` (an argument of kind ``kind``) as the call on only ``images`` would receive it."""
    sel = torch.tensor(list(images), dtype=torch.long)
    if kind == KEEP:
        return value
    if kind == PER_IMAGE:
        return [value[i] for i in images]
    if kind == TARGETS:
        return [unit(value[i], weight) for i in images]
    if kind == WEIGHT:
        picked = value.detach()[sel]
        return picked if weight is None else torch.ones_like(picked)
    if isinstance(kind, Share):
        share = sum(kind.counts[i] for i in images) / max(sum(kind.counts), 1)
        return value * share if share else value * math.nan
    if isinstance(kind, Owned):
        rows = torch.isin(kind.owner, sel).nonzero().flatten()
        return _rows(value, rows, 0)
    return _rows(value, sel, kind.dim if isinstance(kind, Along) else 0)


def oracle(body: Callable, args: Sequence[Any], kinds: Sequence[Any], images: Sequence[int],
           weight: Any = "loss_weight") -> dict[str, torch.Tensor]:
    """The body, undecorated, on a batch of only ``images``, weight field set to 1."""
    with torch.no_grad():
        return body(*[restrict(a, k, images, weight) for a, k in zip(args, kinds, strict=True)])


def images_by_group(labels: Sequence[Any], group_of: Callable[[Any], str]) -> dict[str, list[int]]:
    by_group: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        by_group.setdefault(group_of(label), []).append(i)
    return by_group


def group_name(label: Any) -> str:
    """The default grouping: numbers by the 0.9 threshold, other labels one group each."""
    return default_group(float(label)) if isinstance(label, (int, float)) else str(label)


def oracle_companions(body: Callable, args: Sequence[Any], kinds: Sequence[Any], labels: Sequence[Any], *,
                      group_of: Callable[[Any], str] = group_name, weight: Any = "loss_weight",
                      has_rows: Callable[[list[int]], bool] = lambda images: True) -> dict[str, float]:
    """{``{key}_{group}``: oracle value} for every group with rows and a finite oracle; ``labels``
    are the images' source labels."""
    want = {}
    for group, images in images_by_group(labels, group_of).items():
        if not has_rows(images):
            continue  # a group with no rows: no key
        for key, value in oracle(body, args, kinds, images, weight).items():
            if value.numel() == 1 and math.isfinite(value.item()):  # 0/0, a Share of 0, an empty tensor: no key
                want[f"{key}_{group}"] = value.item()
    return want


def fresh(value: Any) -> Any:
    """``value`` with every tensor that requires grad replaced by a fresh leaf copy."""
    if isinstance(value, torch.Tensor):
        return value.detach().clone().requires_grad_() if value.requires_grad else value
    if isinstance(value, Mapping):
        return {k: fresh(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(fresh(v) for v in value)
    return value


def grad_leaves(value: Any) -> list[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        return [value] if value.requires_grad and value.is_leaf else []
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [leaf for v in value for leaf in grad_leaves(v)]
    return []


@contextlib.contextmanager
def logged_warnings() -> Iterator[list[str]]:
    """The messages losssplit logs as warnings inside the block (usable inside hypothesis)."""
    messages: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    handler, logger = Keep(logging.WARNING), logging.getLogger("losssplit")
    logger.addHandler(handler)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)


def ambiguous_keys(messages: Sequence[str]) -> set[str]:
    """Keys declined because an outside normaliser equals several local counts that split the
    groups differently (a decline with a warning, never a guess)."""
    return {m.split("'")[1] for m in messages if "which give different group shares" in m}


def split_and_compare(body: Callable, args: Sequence[Any], labels: Sequence[Any] | None = None,
                      grad_mode: Callable[[], Any] = contextlib.nullcontext, **options: Any) -> dict[str, torch.Tensor]:
    """Run ``body`` decorated (``options``; labels through ``losssplit.sources`` when given) and
    undecorated on fresh leaf copies of ``args`` under ``grad_mode``; check that every main value,
    and every gradient after summing every returned value (companions included, as detectron2
    does), is bit-identical. Returns the decorated dict."""
    mine, theirs = fresh(args), fresh(args)
    given = sources(labels) if labels is not None else contextlib.nullcontext()
    with grad_mode():
        with given:
            out = split_by_source(**options)(body)(*mine)
        plain = body(*theirs)
    assert set(plain) <= set(out)
    for key, value in plain.items():  # training unchanged: bit for bit, NaN included
        assert torch.equal(bits(out[key]), bits(value)), key
    assert set(out) == set(plain) | set(companions(out))
    assert all(not out[k].requires_grad for k in companions(out))
    if any(isinstance(v, torch.Tensor) and v.requires_grad for v in plain.values()):
        sum(out.values()).backward()
        sum(plain.values()).backward()
        for a, b in zip(grad_leaves(mine), grad_leaves(theirs), strict=True):
            assert (a.grad is None and b.grad is None) or torch.equal(bits(a.grad), bits(b.grad))
    return out


# -- one body per registered function: the rule-family tests -------------------------------------

RULE_BATCHES = [  # (seed, loss_weight per image): 4 images; 3 images with rows per image == B; 2
    (0, [1.0, 0.5, 0.5, 1.0]),
    (1, [0.5, 1.0, 0.5]),
    (2, [1.0, 0.5]),
]
RULE_ROWS, WIDTH = 3, 4


def rule_batch(seed: int, weights: Sequence[float]) -> tuple[dict[str, torch.Tensor], list[dict]]:
    """Batch-first ``x`` [B, RULE_ROWS, WIDTH] in (0.1, 0.9) and per-image targets ``y``
    [RULE_ROWS, WIDTH] (same range), ``labels`` [RULE_ROWS] in [0, WIDTH) and ``loss_weight``."""
    g = torch.Generator().manual_seed(seed)
    outputs = {"x": (torch.rand(len(weights), RULE_ROWS, WIDTH, generator=g) * 0.8 + 0.1).requires_grad_()}
    targets = [
        {"y": torch.rand(RULE_ROWS, WIDTH, generator=g) * 0.8 + 0.1,
         "labels": torch.randint(0, WIDTH, (RULE_ROWS,), generator=g), "loss_weight": w}
        for w in weights
    ]
    return outputs, targets


# (seed, loss_weight per image) of rule batches of 2 to 5 images (a group absent in two; seed 5 one
# group), with COUNT_LENGTHS[seed] labels per image: their sum is twice the images in three batches
COUNT_BATCHES = [(0, [1.0, 0.5, 0.5, 1.0]), (1, [0.5, 1.0, 0.5]), (2, [1.0, 0.5]), (3, [1.0, 1.0, 0.5, 0.5, 0.5]),
                 (4, [0.5, 0.5, 1.0]), (5, [1.0, 1.0]), (6, [0.5, 1.0, 1.0, 1.0, 0.5])]
COUNT_LENGTHS = {0: [1, 3, 2, 2], 1: [2, 1, 3], 2: [1, 3], 3: [2, 2, 1, 3, 1], 4: [3, 1, 2], 5: [1, 2],
                 6: [1, 1, 2, 3, 2]}


def count_batch(seed: int, weights: Sequence[float]) -> tuple[dict[str, torch.Tensor], list[dict]]:
    """A ``rule_batch`` whose images have ``COUNT_LENGTHS[seed]`` labels (instances) each."""
    o, t = rule_batch(seed, weights)
    for s, n in zip(t, COUNT_LENGTHS[seed], strict=True):
        s["labels"] = torch.arange(n) % 4
    return o, t


# the count batches of two groups (the one-group batch splits as returned)
TWO_GROUP_COUNT_BATCHES = [(seed, weights) for seed, weights in COUNT_BATCHES if seed != 5]


def outcome_class(got: Mapping[str, float], want: Mapping[str, float]) -> str:
    """``"wrong"`` (a companion differs from the oracle's), ``"exact"`` (every oracle companion, equal)
    or ``"declined"``."""
    return "wrong" if wrong_companions(got, want) else "exact" if set(got) == set(want) else "declined"


def count_outcomes(body: Callable, batch: Callable[[int, Sequence[float]], tuple] = count_batch
                   ) -> tuple[list[str], list[str]]:
    """``body`` on each of ``TWO_GROUP_COUNT_BATCHES`` (made by ``batch``): ``"wrong"`` (a companion
    differs from the oracle's), ``"exact"`` (every oracle companion, equal) or ``"declined"``; and
    every warning."""
    seen: list[str] = []
    said: list[str] = []
    for seed, weights in TWO_GROUP_COUNT_BATCHES:
        got, want, warned = split_outcome(body, list(batch(seed, weights)), [ROWS, TARGETS])
        seen.append(outcome_class(got, want))
        said += warned
    return seen, said


def labelled_outcomes(body: Callable, batch: Callable[[int], tuple], seeds: Iterable[int]) -> list[str]:
    """``body`` on ``batch(seed)`` (arguments, kinds, labels) per seed: its outcome class
    (``outcome_class``); a decline warns; no companion differs from the oracle's."""
    seen: list[str] = []
    for seed in seeds:
        args, kinds, labels = batch(seed)
        got, want, said = split_outcome(body, args, kinds, labels)
        assert not wrong_companions(got, want), (getattr(body, "__name__", body), seed, got, want)
        seen.append(outcome_class(got, want))
        if seen[-1] == "declined":
            assert said, (getattr(body, "__name__", body), seed)
    return seen


def check_count_exact(body: Callable) -> None:
    """``body`` gives every oracle companion, equal to it, on each of ``TWO_GROUP_COUNT_BATCHES``."""
    seen, said = count_outcomes(body)
    assert seen == ["exact"] * len(seen), said


def check_count_declines(body: Callable, op: str = "") -> None:
    """``body`` gives no wrong companion on ``TWO_GROUP_COUNT_BATCHES`` and declines on one at
    least, with a warning naming ``op`` where given."""
    seen, said = count_outcomes(body)
    assert "wrong" not in seen and "declined" in seen, (seen, said)
    assert any(op in m for m in said), said


def rule_errors(o: dict, t: Sequence[dict]) -> torch.Tensor:
    """A rule batch's per-element errors ``|x - y|`` [B, RULE_ROWS, WIDTH]."""
    return (o["x"] - rule_targets(t)).abs()


def rule_image_errors(o: dict, t: Sequence[dict]) -> torch.Tensor:
    """Each image's mean error [B]."""
    return rule_errors(o, t).mean((1, 2))


def rule_targets(t: Sequence[dict]) -> torch.Tensor:
    """The images' ``y`` stacked [B, RULE_ROWS, WIDTH]."""
    return torch.stack([u["y"] for u in t])


_EXPERTS = torch.randn(WIDTH, WIDTH, 2 * WIDTH, generator=torch.Generator().manual_seed(48))


def rule_dispatch(o: dict, t: Sequence[dict], count: Callable[[torch.Tensor], torch.Tensor],
                  grouped_mm: Callable[..., torch.Tensor]) -> dict[str, torch.Tensor]:
    """A mixture of experts' dispatch over a rule batch's rows (each row's label its expert): the
    labels sorted along the images, the errors' rows gathered in that order, ``grouped_mm`` over
    the ``cumsum`` of ``count`` of the sorted labels, the rows back by the inverse order."""
    x = rule_errors(o, t).reshape(-1, WIDTH)
    ids, order = torch.sort(torch.cat([u["labels"] for u in t]))
    out = grouped_mm(x[order], _EXPERTS, offs=count(ids).cumsum(0).int())
    inverse = torch.empty_like(order)
    inverse[order] = torch.arange(order.numel())
    return {"loss": out[inverse].square().mean()}


def rule_weights(t: Sequence[dict]) -> torch.Tensor:
    """The images' weights as a tensor built from Python numbers (no identity)."""
    return torch.tensor([u["loss_weight"] for u in t])


def op_id(func: Any) -> str:
    """How the registered function is spelled: ``Tensor.x``, ``Tensor.T.__get__``, ``torch.x``, ``F.x``."""
    name = _spellings().get(id(func))
    if name is not None:
        return name
    for name in dir(torch.Tensor):
        descriptor = inspect.getattr_static(torch.Tensor, name, None)
        if not callable(descriptor) and getattr(descriptor, "__get__", None) == func:
            return f"Tensor.{name}.__get__"  # a property: a fresh method-wrapper on each access
    return repr(func)


@functools.cache
def _spellings() -> dict[int, str]:
    """id of every function in ``torch.Tensor``, ``torch`` and ``F`` (and of every property's
    getter) -> its spelling; the first space that has it names it."""
    found: dict[int, str] = {}
    for prefix, space in (("Tensor", torch.Tensor), ("torch", torch), ("F", F), ("torch.special", torch.special),
                          ("torch.linalg", torch.linalg)):
        for name, value in vars(space).items():
            found.setdefault(id(value), f"{prefix}.{name}")
            if isinstance(value, property):
                found.setdefault(id(value.fget), f"{prefix}.{name}.__get__")
    for name in dir(torch.Tensor):
        found.setdefault(id(getattr(torch.Tensor, name, None)), f"Tensor.{name}")
    return found


def split_outcome(body: Callable, args: Sequence[Any], kinds: Sequence[Any],
                  labels: Sequence[Any] | None = None, **options: Any) -> tuple[dict, dict, list[str]]:
    """(companions, oracle companions, warnings) of ``body`` on ``args`` (``kinds`` as for
    ``restrict``); main values and gradients checked bit-identical on the way. ``labels``: given
    through ``losssplit.sources``; else the groups are the ``loss_weight`` of the TARGETS argument.
    ``options``: ``split_by_source``'s."""
    with logged_warnings() as said:
        out = split_and_compare(body, args, labels, **options)
    if labels is None:
        labels = [t["loss_weight"] for t in args[list(kinds).index(TARGETS)]]
    return companions(out), oracle_companions(body, args, kinds, labels), said


def wrong_companions(got: Mapping[str, float], want: Mapping[str, float],
                     atol: float = 1e-6) -> dict[str, tuple[float, Any]]:
    """The companions present that the oracle has not, or not equal (``rel=1e-5, abs=atol``):
    name -> (value, oracle value)."""
    return {k: (v, want.get(k)) for k, v in got.items()
            if k not in want or v != pytest.approx(want[k], rel=1e-5, abs=atol)}


def rule_outcome(body: Callable, batch: tuple[dict, list[dict]]) -> tuple[dict, dict, list[str]]:
    """``split_outcome`` of ``body`` on a ``rule_batch``: (outputs, targets)."""
    return split_outcome(body, list(batch), [ROWS, TARGETS])


def check_exact(body: Callable, batches: Sequence[tuple[int, Sequence[float]]]) -> None:
    """``body`` on the ``rule_batch`` of each (seed, weights): every companion the oracle gives,
    equal to it, and no warning."""
    for seed, weights in batches:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert got and set(got) == set(want), (seed, said)
        assert got == pytest.approx(want, rel=1e-5, abs=1e-6), seed
        assert not said, said


def check_labelled(body: Callable, batch: Callable[[int], tuple[list, list, list]], seeds: Iterable[int],
                   splits: bool) -> None:
    """``body`` on ``batch(seed)`` (arguments, kinds, labels given through ``losssplit.sources``) for
    each seed: no companion differs from the oracle; every one given (``splits``) or, on the batches
    of several groups, none, with a warning."""
    for seed in seeds:
        args, kinds, labels = batch(seed)
        got, want, said = split_outcome(body, args, kinds, labels)
        assert not wrong_companions(got, want), (body.__name__, seed, got, want)
        if splits or len(set(labels)) == 1:
            assert set(got) == set(want), (body.__name__, seed, said)
        else:
            assert not got and said, (body.__name__, seed, got)


def check_rule(body: Callable, op: str, declines: bool = False, rel: float = 1e-5) -> None:
    """``body`` on every ``RULE_BATCHES`` batch: companions equal the oracle, or (``declines``)
    there are none and a warning names the op."""
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        if declines:
            assert got == {}, (seed, got, want)
            assert any(op in m for m in said), (op, said)
        else:
            assert set(got) == set(want), (seed, said)
            assert got == pytest.approx(want, rel=rel, abs=1e-6), seed


def family_of(func: Any) -> str:
    """The rule family of a registered function: the module its rule is defined in."""
    from losssplit._capture import RULES

    return RULES[func].__module__.rsplit(".", 1)[-1]


def registered(family: str) -> list[Any]:
    """Every function registered with a rule of ``family``, in registration order."""
    from losssplit._capture import RULES

    return [f for f in RULES if family_of(f) == family]


@contextlib.contextmanager
def wrapped_torch(names: Sequence[str], make: Callable[[Any], Any]) -> Iterator[None]:
    """torch's functions ``names`` replaced by ``make(original)``, Python wrappers, as a library does
    on import (a module of its own added: the scan of torch's namespaces runs again when modules
    were imported); restored after."""
    import sys
    import types

    saved, marker = {name: getattr(torch, name) for name in names}, "_wrapping_library_of_the_tests"
    try:
        for name, original in saved.items():
            setattr(torch, name, make(original))
        sys.modules[marker] = types.ModuleType(marker)
        yield
    finally:
        sys.modules.pop(marker, None)
        for name, original in saved.items():
            setattr(torch, name, original)
