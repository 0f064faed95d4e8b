"""Concurrency: threads, asyncio tasks, nested decorated calls and exceptions stay isolated.

The criteria are the per-row L1 of ``_helpers`` (``expected`` gives each group's mean per-row L1).
"""

import asyncio
import random
import threading

import pytest
import torch
import torch.nn.functional as F
from _helpers import (
    assert_clean,
    companions,
    default_group,
    expected,
    per_row_l1,
    pred_for,
    targets_for,
)
from _helpers import mean_l1 as body

import losssplit
from losssplit import split_by_source


@split_by_source
def plain(pred, targets):
    return {"loss_bbox": per_row_l1(pred, targets).mean()}


def test_threads_with_different_sources_are_isolated():
    errors = []

    def worker(weights, seed):
        try:
            for _ in range(20):
                targets = targets_for(weights, seed=seed)
                pred = torch.rand(2 * len(weights), 4, generator=torch.Generator().manual_seed(seed))
                out = plain(pred, targets)
                want = expected(pred, targets, default_group, key="loss_bbox")
                got = companions(out)
                assert got == pytest.approx(want, rel=1e-6)
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(w, i)) for i, w in enumerate([[1.0] * 3, [0.5] * 2, [1.0, 0.5, 0.2, 1.0]])]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors


def test_asyncio_tasks_with_sources_contexts_are_isolated():
    @split_by_source
    def crit(logits, y):
        return {"loss_ce": F.cross_entropy(logits, y)}

    async def task(labels):
        await asyncio.sleep(0)
        with losssplit.sources(labels):
            await asyncio.sleep(0)
            return set(crit(torch.randn(len(labels), 3), torch.zeros(len(labels), dtype=torch.long)))

    async def main():
        return await asyncio.gather(task(["a", "b"]), task(["c", "c", "d"]))

    first, second = asyncio.run(main())
    assert first == {"loss_ce", "loss_ce_a", "loss_ce_b"}
    assert second == {"loss_ce", "loss_ce_c", "loss_ce_d"}


class Fail(Exception):
    pass


@split_by_source(source="dataset")
def inner(pred, targets, fail=False):
    rows = per_row_l1(pred, targets)
    if fail:
        raise Fail("inner")
    return {"loss_in": rows.mean()}


@split_by_source
def outer(pred, targets, fail_inner=False, fail=False):
    out = {"loss": per_row_l1(pred, targets).mean()}
    try:
        out.update(inner(pred * 3, targets, fail=fail_inner))
    except Fail:
        pass
    if fail:
        _ = pred * 2
        raise Fail("outer")
    return out


def check_outer(pred, targets, out, fail_inner):
    want = expected(pred, targets)
    if not fail_inner:
        want.update(expected(pred * 3, targets, group_of=lambda w: f"d{w}", key="loss_in"))
        # ``loss_in`` is also a key of the outer call: split by loss_weight there too
        want.update(expected(pred * 3, targets, key="loss_in"))
    assert companions(out) == pytest.approx(want, rel=1e-6)


def one_round(rng):
    weights = [rng.choice([1.0, 0.5, 0.2]) for _ in range(rng.randint(1, 4))]
    targets = targets_for(weights, rows=rng.randint(1, 3), seed=rng.randint(0, 99))
    for t in targets:
        t["dataset"] = f"d{t['loss_weight']}"
    pred = pred_for(targets, seed=rng.randint(0, 99))
    fail, fail_inner = rng.random() < 0.3, rng.random() < 0.3
    if rng.random() < 0.3:
        labels = [rng.choice("ab") for _ in targets]
        with losssplit.sources(labels):
            out = split_by_source(body)(pred, targets)
        assert companions(out) == pytest.approx(
            expected(pred, [{**t, "loss_weight": i} for i, t in enumerate(targets)],
                     group_of=lambda i: labels[i]), rel=1e-6)
    elif fail:
        with pytest.raises(Fail, match="outer"):
            outer(pred, targets, fail_inner=fail_inner, fail=True)
    else:
        check_outer(pred, targets, outer(pred, targets, fail_inner=fail_inner), fail_inner)
    assert torch._C._len_torch_function_stack() == 0


def test_many_threads_with_nested_calls_and_exceptions():
    errors = []
    start = threading.Barrier(8)

    def worker(seed):
        rng = random.Random(seed)
        try:
            start.wait(timeout=30)
            for _ in range(15):
                one_round(rng)
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:3]
    assert torch._C._len_torch_function_stack() == 0


def test_many_asyncio_tasks_with_sources_and_exceptions():
    crit = split_by_source(body)

    async def task(i):
        rng = random.Random(i)
        labels = [rng.choice(["web", "code", "math"]) for _ in range(rng.randint(1, 4))]
        targets = targets_for([1.0] * len(labels), seed=i)
        pred = pred_for(targets, seed=i)
        with losssplit.sources(labels):
            await asyncio.sleep(rng.random() / 1000)
            out = crit(pred, targets)
            await asyncio.sleep(0)
            if i % 4 == 0:
                with pytest.raises(Fail):
                    outer(pred, targets, fail=True)
        indexed = [{**t, "loss_weight": b} for b, t in enumerate(targets)]
        assert companions(out) == pytest.approx(expected(pred, indexed, group_of=lambda b: labels[b]), rel=1e-6)
        return True

    async def main():
        return await asyncio.gather(*(task(i) for i in range(24)))

    assert all(asyncio.run(main()))
    assert torch._C._len_torch_function_stack() == 0


def test_an_inner_exception_caught_by_the_body_leaves_the_outer_call_correct():
    targets = targets_for([1.0, 0.5], dataset="x")
    pred = pred_for(targets)
    out = outer(pred, targets, fail_inner=True)
    check_outer(pred, targets, out, fail_inner=True)
    assert_clean(out)


def test_a_base_exception_mid_body_leaves_no_state():
    class Stop(BaseException):
        pass

    @split_by_source
    def interrupted(pred, targets):
        _ = per_row_l1(pred, targets).mean()
        raise Stop

    targets = targets_for([1.0, 0.5])
    with pytest.raises(Stop):
        interrupted(pred_for(targets), targets)
    assert torch._C._len_torch_function_stack() == 0
    pred = pred_for(targets)
    assert companions(split_by_source(body)(pred, targets)) == pytest.approx(expected(pred, targets), rel=1e-6)


