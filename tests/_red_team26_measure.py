"""Measure the red-team-26 bodies against the oracle (DESIGN.md §1): for each body and each batch
of its kind, the companions of the decorated call (main values, grads and the criterion's state
checked bit-identical to an undecorated twin) against the undecorated body on each group's images
alone, weight field set to 1. A criterion class is measured after one warm call on another batch.

Run: ``PYTHONPATH=$PWD python tests/_red_team26_measure.py [name ...]``."""

from __future__ import annotations

import contextlib
import json
import math
import sys
import traceback
from typing import Any

import torch

sys.path.insert(0, __file__.rsplit("/", 1)[0])

from _helpers import (  # noqa: E402
    ROWS,
    TARGETS,
    bits,
    companions,
    grad_leaves,
    group_name,
    images_by_group,
    logged_warnings,
    restrict,
)
from _helpers import fresh as fresh_tensors  # noqa: E402
from _red_team26_bodies import BATCH_KINDS, BODIES, LAB, OBJECT_TARGETS, Y, xbatch  # noqa: E402

from losssplit import sources, split_by_source  # noqa: E402


def prepare(kind: str, name: str, body_name: str, seed: int = 0, converts: dict | None = None):
    """(args, labels or None for the default source, images -> the oracle's args)."""
    if kind in ("x", "d"):
        make, _ = BATCH_KINDS[kind]
        args, kinds = make(name, seed) if kind == "x" else make(name)
        weights = [s["loss_weight"] for s in args[1]]
        return args, None, weights, lambda images: [restrict(a, k, images) for a, k in zip(args, kinds)]
    args, _ = xbatch(name, seed)
    outputs, targets = args
    weights = [s["loss_weight"] for s in targets]
    if kind == "xo":
        convert = (OBJECT_TARGETS if converts is None else converts)[body_name]
        return ([outputs, convert(targets)], weights, weights,
                lambda images: [restrict(outputs, ROWS, images), convert(restrict(targets, TARGETS, images))])
    batched = {"y": Y(targets), "labels": LAB(targets), "loss_weight": torch.tensor(weights)}

    def oracle_args(images):
        r = restrict(batched, ROWS, images)
        r["loss_weight"] = torch.ones_like(r["loss_weight"])
        return [restrict(outputs, ROWS, images), r]
    return [outputs, batched], weights, weights, oracle_args


def fresh(args: list) -> list:
    """Fresh leaf copies of the outputs (the first argument); the rest as they are."""
    return [fresh_tensors(args[0]), *args[1:]]


def makers(obj: Any):
    if isinstance(obj, type):
        decorated = type(obj.__name__, (obj,), {"forward": split_by_source(obj.forward)})
        return (lambda: obj()), (lambda: decorated()), (lambda inst: inst.forward)
    return (lambda: None), (lambda: None), None


def state_of(inst: Any) -> dict:
    if isinstance(inst, torch.nn.Module):  # its buffers and parameters, and plain attributes
        return {**inst.state_dict(), **{k: v for k, v in vars(inst).items() if not k.startswith("_")}}
    return {} if inst is None else dict(vars(inst))


def same_state(a: dict, b: dict) -> bool:
    if set(a) != set(b):
        return False
    for k in a:
        x, y = a[k], b[k]
        if isinstance(x, torch.nn.Module) and isinstance(y, torch.nn.Module):  # a sub-criterion held in a dict or list
            x, y = state_of(x), state_of(y)
            if not same_state(x, y):
                return False
            continue
        if isinstance(x, dict) and isinstance(y, dict):
            if not same_state(x, y):
                return False
            continue
        if isinstance(x, tuple) and isinstance(y, tuple):
            x, y = list(x), list(y)
        if callable(x) and callable(y):  # a closure held by each object: its state is its cells'
            x, y = ([c.cell_contents for c in getattr(x, "__closure__", None) or ()],
                    [c.cell_contents for c in getattr(y, "__closure__", None) or ()])
        if isinstance(x, torch.Tensor):
            if not (isinstance(y, torch.Tensor) and x.shape == y.shape and torch.equal(bits(x), bits(y))):
                return False
        elif isinstance(x, list):
            if len(x) != len(y) or any(not same_state({"v": p}, {"v": q}) for p, q in zip(x, y)):
                return False
        elif isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
            continue
        elif x != y:
            return False
    return True


def run_one(body_name: str, name: str, rel: float = 1e-5, bodies: dict | None = None,
            converts: dict | None = None) -> dict:
    family, kind, obj = (BODIES if bodies is None else bodies)[body_name]
    args, labels, weights, oracle_args = prepare(kind, name, body_name, converts=converts)
    new_plain, new_dec, bound = makers(obj)
    given = (lambda: sources(labels)) if labels is not None else contextlib.nullcontext

    def call(fn_inst, decorated, a):
        inst = fn_inst
        f = bound(inst) if bound else (split_by_source(obj) if decorated else obj)
        if decorated:
            with given():
                return f(*a)
        return f(*a)

    plain_inst, dec_inst = new_plain(), new_dec()
    warm = prepare(kind, name, body_name, seed=5, converts=converts)[0] if bound else None
    mine, theirs = fresh(args), fresh(args)
    try:
        if warm is not None:
            call(plain_inst, False, fresh(warm))
        plain = call(plain_inst, False, theirs)
    except Exception as exc:  # the body itself fails: not measured
        return {"class": "invalid", "why": repr(exc)[:200]}
    with logged_warnings() as said:
        try:
            if warm is not None:
                call(dec_inst, True, fresh(warm))
            out = call(dec_inst, True, mine)
        except Exception as exc:
            return {"class": "crash", "why": "".join(traceback.format_exception(exc))[-1500:]}
    if not isinstance(plain, dict):
        plain, out = {"__loss": plain}, ({"__loss": out} if not isinstance(out, dict) else out)
    problems = []
    for key, value in plain.items():
        if key not in out:
            problems.append(f"missing {key}")
        elif isinstance(value, torch.Tensor):
            if not (isinstance(out[key], torch.Tensor) and torch.equal(bits(out[key]), bits(value))):
                problems.append(f"value {key}")
        elif value != out[key]:
            problems.append(f"value {key}")
    comp = {k: v for k, v in companions(out).items() if k not in plain}
    extra = set(out) - set(plain) - set(comp)
    if extra:
        problems.append(f"extra {extra}")
    if not same_state(state_of(plain_inst), state_of(dec_inst)):
        problems.append("state")
    try:
        grads_plain = [v for v in plain.values() if isinstance(v, torch.Tensor) and v.requires_grad and v.is_floating_point()]
        if grads_plain:
            sum(v.sum() for v in out.values() if isinstance(v, torch.Tensor) and v.requires_grad).backward()
            sum(v.sum() for v in grads_plain).backward()
            for a, b in zip(grad_leaves(mine), grad_leaves(theirs), strict=True):
                if not ((a.grad is None and b.grad is None) or (a.grad is not None and b.grad is not None
                                                               and torch.equal(bits(a.grad), bits(b.grad)))):
                    problems.append("grad")
    except Exception as exc:
        problems.append(f"backward {exc!r}"[:200])
    if problems:
        return {"class": "changed", "why": problems}
    want = {}
    for group, images in images_by_group(weights, group_name).items():
        inst = new_plain()
        if warm is not None:
            call(inst, False, fresh(warm))
        try:
            with torch.no_grad():
                res = call(inst, False, oracle_args(images))
        except Exception:  # the body fails on the group alone: no oracle value there
            continue
        if not isinstance(res, dict):
            res = {"__loss": res}
        for key, value in res.items():
            if isinstance(value, torch.Tensor) and value.numel() == 1 and math.isfinite(value.item()):
                want[f"{key}_{group}"] = value.item()
    wrong = {k: (v, want.get(k)) for k, v in comp.items()
             if k not in want or not math.isclose(v, want[k], rel_tol=rel, abs_tol=1e-6)}
    if wrong:
        cls = "WRONG"
    elif not want and not comp:
        cls = "none"
    elif set(comp) == set(want):
        cls = "exact"
    else:
        missing = set(want) - set(comp)
        named = all(any(f"'{k.rsplit('_', 1)[0]}'" in m or "no companions" in m for m in said) for k in missing)
        cls = "declined" if said and named else ("declined?" if said else "silent-gap")
    return {"class": cls, "got": comp, "want": want, "wrong": wrong, "said": said[:3]}


ORDER = ["crash", "changed", "WRONG", "silent-gap", "declined?", "declined", "exact", "none", "invalid"]


def measure(body_name: str, bodies: dict | None = None, converts: dict | None = None,
            names: list[str] | None = None) -> dict:
    """``bodies`` / ``converts``: another red team's tables (default: session 26's); ``names``: the
    batches (default: every batch of the body's kind)."""
    family, kind, _ = (BODIES if bodies is None else bodies)[body_name]
    if names is None:
        names = list(BATCH_KINDS["x" if kind in ("x", "xo", "xd") else "d"][1])
    rel = 1e-2 if family == "autocast" else 1e-5
    per = {n: run_one(body_name, n, rel, bodies, converts) for n in names}
    classes = {r["class"] for r in per.values()}
    measured = [c for c in ORDER if c in classes]
    worst = measured[0]
    if worst == "none" and len(measured) > 1:
        worst = measured[1]
    return {"family": family, "class": worst, "per": per}


def pinned_params(bodies: dict, not_fixed: dict[str, str]) -> list:
    """A pytest param per body, sorted, a strict xfail where ``not_fixed`` names it (its reason)."""
    import pytest

    return [pytest.param(name, id=name, marks=[pytest.mark.xfail(strict=True, reason=not_fixed[name])]
                         if name in not_fixed else []) for name in sorted(bodies)]


def assert_pinned(name: str, exact: set[str], bodies: dict | None = None, converts: dict | None = None) -> None:
    """The body ``name`` measures exact where ``exact`` names it, else declined."""
    result = measure(name, bodies, converts)
    per = {batch: (r["class"], r.get("wrong") or r.get("why")) for batch, r in result["per"].items()}
    assert result["class"] == ("exact" if name in exact else "declined"), per


if __name__ == "__main__":
    wanted = sys.argv[1:] or list(BODIES)
    results = {}
    for b in wanted:
        results[b] = measure(b)
        r = results[b]
        detail = ""
        if r["class"] in ("WRONG", "crash", "changed", "invalid", "silent-gap", "declined?"):
            bad = next(v for v in r["per"].values() if v["class"] == r["class"])
            detail = str(bad.get("wrong") or bad.get("why") or bad.get("said") or "")[:300]
        print(f"{r['family']:12s} {r['class']:10s} {b}  {detail}", flush=True)
    counts: dict = {}
    for r in results.values():
        counts[r["class"]] = counts.get(r["class"], 0) + 1
    print("TOTAL", len(results), counts)
    with open("/tmp/rt26_results.json", "w") as fh:
        json.dump({k: {"family": v["family"], "class": v["class"],
                       "per": {n: {kk: vv for kk, vv in p.items() if kk in ("class", "wrong", "why", "got", "want")}
                               for n, p in v["per"].items()}} for k, v in results.items()}, fh, default=str, indent=1)
