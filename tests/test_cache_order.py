"""An outcome must not depend on what ran earlier in the process: the readings losssplit keeps
(per code object and position, per instruction list) must be functions of the code alone, and what
a call proved at run time (``_bytecode.group_read``'s sites where a read number meets constants)
must stay that call's. Each body here runs on a 2- and a 3-image batch with every kept reading
cleared first, then again after the same body ran on a 4-image batch and on the others (and in
the other order): companions, their values and the warnings must be the same.

Measured in session 29 (helper cache) with the same comparison over every body of the
``test_rules_*`` files (1597 body-batch pairs, three orders), red team 26's and 27's bodies: no
outcome depended on the order; psum2's reduce-lambda decay and first-image sum are silently wrong
on a fresh 2-image batch too (batch size, not a kept reading)."""

from __future__ import annotations

import inspect
import sys

import pytest
import test_rules_host_numbers
import test_rules_python_sums
from _helpers import ROWS, TARGETS, rule_batch, split_outcome

from losssplit._capture import _bytecode

BATCHES = {2: (2, [1.0, 0.5]), 3: (1, [0.5, 1.0, 0.5]), 4: (0, [1.0, 0.5, 0.5, 1.0])}
# what ``_bytecode`` keeps per instruction list or code object outside ``_per_code``
_KEPT = ("_OPERAND_STARTS", "_CONSUMERS", "_STORE_INDEX", "_OFFSET_INDEX", "_SIGNATURES")


def clear_kept_readings() -> None:
    for name, module in list(sys.modules.items()):
        if name == "losssplit" or name.startswith("losssplit."):
            for value in list(vars(module).values()):
                clear = getattr(value, "cache_clear", None)
                if callable(clear):
                    clear()
    for name in _KEPT:
        getattr(_bytecode, name).clear()


def _bodies(module) -> list:
    return [f for n, f in sorted(vars(module).items()) if inspect.isfunction(f) and f.__module__ == module.__name__
            and not n.startswith("test_") and list(inspect.signature(f).parameters) == ["outputs", "targets"]]


def loop_decay(outputs, targets):
    total = 0.0
    for b in range(len(targets)):  # carried from image to image: declined on every batch
        total = total * 0.9 + (outputs["x"][b] - targets[b]["y"]).abs().mean()
    return {"loss": total}


def loop_sum(outputs, targets):
    total = 0.0
    for b in range(len(targets)):  # near miss: nothing carried but the sum, exact on every batch
        total = total + (outputs["x"][b] - targets[b]["y"]).abs().mean()
    return {"loss": total / len(targets)}


BODIES = [loop_decay, loop_sum] + _bodies(test_rules_python_sums) + _bodies(test_rules_host_numbers)
# red team 27's bodies over per-image losses whose outcome turns on how often code runs
RED_TEAM = ("reduce_ema_over_images", "reduce_add_lambda", "reduce_add_over_count", "accumulate_last_over_count",
            "accumulate_mean_of_prefix_sums", "matched_reduce_per_image_sums", "starmap_pairs",
            "sum_with_start_tensor", "where_per_image_scalar_in_loop", "BufferEmaInPlaceAfterUse")


def _outcome(body, size: int):
    seed, weights = BATCHES[size]
    try:
        got, _want, said = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
    except Exception as exc:  # (a body made for other batches: the same failure either way)
        return type(exc).__name__
    return {k: float(v) for k, v in got.items()}, sorted(said)


def test_the_loop_bodies_measure_as_pinned():
    """``loop_decay`` declines and ``loop_sum`` splits on each batch (so the comparison below sees both)."""
    for size in (2, 3, 4):
        got, said = _outcome(loop_decay, size)
        assert got == {} and said, size
        got, said = _outcome(loop_sum, size)
        assert set(got) == {"loss_real", "loss_synthetic"}, (size, said)


def test_the_kept_readings_are_cleared_and_filled_again():
    """The clearing below reaches the kept tables (a test that clears nothing compares nothing)."""
    _outcome(test_rules_python_sums.partial_of_a_literal, 2)
    assert any(getattr(_bytecode, name) for name in _KEPT)
    clear_kept_readings()
    assert not any(getattr(_bytecode, name) for name in _KEPT)


@pytest.mark.parametrize("order", ["bigger_batch_first", "other_bodies_first"])
def test_an_outcome_is_the_same_fresh_and_after_other_calls(order):
    fresh = {}
    for body in BODIES:
        for size in (2, 3):
            clear_kept_readings()
            fresh[body.__name__, size] = _outcome(body, size)
    clear_kept_readings()
    differ = []
    sequence = BODIES if order == "bigger_batch_first" else BODIES[::-1]
    for body in sequence:
        for size in ((4, 2, 4, 3) if order == "bigger_batch_first" else (3, 2)):
            got = _outcome(body, size)
            if size in (2, 3) and got != fresh[body.__name__, size]:
                differ.append((body.__name__, size, fresh[body.__name__, size], got))
    assert not differ, differ


def test_red_team_outcomes_are_the_same_fresh_and_after_other_calls():
    import _red_team26_measure as measure
    from _red_team26_bodies import BATCH_KINDS
    from _red_team27_bodies import BODIES as RT27
    from _red_team27_bodies import CONVERTS

    def run(name, batch):
        r = measure.run_one(name, batch, 1e-5, RT27, CONVERTS)
        return r["class"], sorted((r.get("got") or {}).items())

    def batches(name):
        return list(BATCH_KINDS["d" if RT27[name][1] == "d" else "x"][1])

    fresh = {}
    for name in RED_TEAM:
        for batch in batches(name):
            clear_kept_readings()
            fresh[name, batch] = run(name, batch)
    clear_kept_readings()
    differ = [(name, batch, fresh[name, batch], got) for reverse in (False, True) for name in RED_TEAM
              for batch in sorted(batches(name), reverse=reverse) if (got := run(name, batch)) != fresh[name, batch]]
    assert not differ, differ
