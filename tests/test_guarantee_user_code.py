"""Training never changes because of losssplit: the user's code runs as in the undecorated call.

A tensor subclass whose ``__torch_function__`` has effects (a log of the functions it sees, a draw
from torch's generator, a write into a buffer) sees, decorated, exactly the functions it sees
undecorated, in the same order: the capture's own reads of the call's tensors (sizes of index
tensors, ``numel`` of the arguments' numbers, reads from a marked number's method) run with torch
functions off (session 46: a DETR-like body saw 27 functions plain, 75 decorated). The loss, the
gradients, the RNG state and the buffer are bit-identical; companions are the oracle's or declined:
an op whose result the user's ``__torch_function__`` changed, or that writes through it, is no op the
rules read (session 46: a running per-class count written by ``index_add_`` of a subclass's labels
gave wrong companions where plain tensors declined).
"""

from __future__ import annotations

import random

import pytest
import torch
import torch.nn.functional as F
from _helpers import (
    ROWS,
    TARGETS,
    Owned,
    bits,
    companions,
    logged_warnings,
    oracle_companions,
    wrong_companions,
)

from losssplit import split_by_source

SEEN: list[str] = []
BUFFER = torch.zeros(())


class Logging(torch.Tensor):
    """Logs the name of every function it sees."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        SEEN.append(getattr(func, "__name__", repr(func)))
        return super().__torch_function__(func, types, args, kwargs or {})


class Drawing(torch.Tensor):
    """Draws from torch's global generator at every function."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        torch.rand(1)
        return super().__torch_function__(func, types, args, kwargs or {})


class Writing(torch.Tensor):
    """Adds 1 to ``BUFFER`` at every function (the body reads the buffer after)."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        with torch._C.DisableTorchFunction():
            BUFFER.add_(1)
        return super().__torch_function__(func, types, args, kwargs or {})


class Summing(torch.Tensor):
    """``mean`` of it is its sum: another value than the op gives plain tensors."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func is torch.Tensor.mean:
            func = torch.Tensor.sum
        return super().__torch_function__(func, types, args, kwargs or {})


SUBCLASSES = [Logging, Drawing, Writing]


def _w(targets):
    return torch.tensor([float(t["loss_weight"]) for t in targets])


def matched_l1(outputs, targets):
    """DETR-like: matched rows gathered by (image, query), their boxes' L1 over the number of boxes."""
    idx = torch.cat([torch.full((len(t["idx"]),), b) for b, t in enumerate(targets)])
    src = torch.cat([t["idx"] for t in targets])
    boxes = torch.cat([t["boxes"] for t in targets])
    w = torch.cat([torch.full((len(t["idx"]),), float(t["loss_weight"])) for t in targets])
    l1 = F.l1_loss(outputs["boxes"][idx, src], boxes, reduction="none").sum(1) * w
    return {"loss_bbox": l1.sum() / max(len(boxes), 1)}


def class_ce(outputs, targets):
    labels = torch.stack([t["labels"] for t in targets])
    ce = F.cross_entropy(outputs["logits"].transpose(1, 2), labels, reduction="none")
    return {"loss_ce": (ce * _w(targets)[:, None]).mean()}


def looped_with_sizes(outputs, targets):
    """Per image, its rows' error over its own count; a branch on a size read on the host."""
    losses = []
    for b, t in enumerate(targets):
        n = t["boxes"].shape[0]
        e = (outputs["boxes"][b, :n] - t["boxes"]).abs().sum() / n
        losses.append(e * t["loss_weight"])
    loss = torch.stack(losses).mean()
    if (torch.stack([t["labels"] for t in targets]) == 0).sum().item() > 100:
        loss = loss * 0.5
    return {"loss": loss}


def running_class_count(outputs, targets, state=None):
    """A buffer of every class's count written by ``index_add_`` of the labels, read as a weight."""
    seen = torch.ones(5)
    labels = torch.stack([t["labels"] for t in targets]).flatten()
    ce = F.cross_entropy(outputs["logits"].flatten(0, 1), labels, reduction="none")
    seen.index_add_(0, labels, torch.ones_like(labels, dtype=torch.float))
    w = (seen.sum() / seen)[labels]
    return {"loss": (ce * w).sum() / w.sum()}


BODIES = [matched_l1, class_ce, looped_with_sizes, running_class_count]


def batch(subclass=None, weights=(1.0, 0.5, 0.5, 1.0), seed=0):
    g = torch.Generator().manual_seed(seed)
    b = len(weights)
    as_sub = (lambda t: t.as_subclass(subclass)) if subclass is not None else (lambda t: t)
    outputs = {"boxes": torch.rand(b, 5, 4, generator=g), "logits": torch.randn(b, 3, 5, generator=g)}
    targets = []
    for w in weights:
        n = int(torch.randint(1, 4, (1,), generator=g))
        targets.append({"boxes": as_sub(torch.rand(n, 4, generator=g)), "idx": as_sub(torch.randperm(5, generator=g)[:n]),
                        "labels": as_sub(torch.randint(0, 5, (3,), generator=g)), "loss_weight": w})
    return outputs, targets, as_sub


def run(body, subclass, decorated, seed=0):
    """(what the user's code saw and did, main values, gradients, companions) of one call."""
    outputs, targets, as_sub = batch(subclass, seed=seed)
    leaves = {k: as_sub(v).requires_grad_() for k, v in outputs.items()}
    SEEN.clear()
    BUFFER.zero_()
    torch.manual_seed(7)
    fn = split_by_source(body) if decorated else body
    with logged_warnings():
        out = fn(leaves, targets)
    done = (list(SEEN), torch.get_rng_state(), BUFFER.clone())
    got = companions(out)
    mains = {k: v for k, v in out.items() if k not in got}
    sum(mains.values()).backward()
    grads = {k: v.grad.as_subclass(torch.Tensor) for k, v in leaves.items() if v.grad is not None}
    return done, {k: bits(v.as_subclass(torch.Tensor)) for k, v in mains.items()}, grads, got


@pytest.mark.parametrize("subclass", SUBCLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("body", BODIES, ids=lambda f: f.__name__)
def test_subclass_sees_the_functions_it_sees_undecorated(body, subclass):
    plain, decorated = run(body, subclass, False), run(body, subclass, True)
    assert plain[0][0] == decorated[0][0]  # the same functions, in order
    assert torch.equal(plain[0][1], decorated[0][1])  # the same draws
    assert torch.equal(plain[0][2], decorated[0][2])  # the same writes
    assert plain[1].keys() == decorated[1].keys()
    assert all(torch.equal(plain[1][k], decorated[1][k]) for k in plain[1])
    assert plain[2].keys() == decorated[2].keys()
    assert all(torch.equal(plain[2][k], decorated[2][k]) for k in plain[2])


def test_the_functions_a_logging_subclass_sees_are_the_bodys_alone():
    # the capture's own reads (``numel`` of the targets' numbers, sizes of the index tensors) were seen
    run(matched_l1, Logging, True)
    assert "numel" not in SEEN and "size" not in SEEN
    run(looped_with_sizes, Logging, True)
    assert "numel" not in SEEN


def _oracle(body, subclass):
    outputs, targets, _ = batch(subclass)
    return oracle_companions(body, [outputs, targets], [ROWS, TARGETS], [t["loss_weight"] for t in targets])


@pytest.mark.parametrize("subclass", [None, Logging, Summing], ids=lambda c: getattr(c, "__name__", "plain"))
@pytest.mark.parametrize("body", BODIES, ids=lambda f: f.__name__)
def test_companions_of_subclass_inputs_are_the_oracle_or_declined(body, subclass):
    got = run(body, subclass, True)[3]
    want = _oracle(body, subclass)
    assert not wrong_companions(got, want), (got, want)


def test_a_subclass_that_follows_the_op_keeps_its_companions():
    # (a tv_tensor-like subclass: the values are the op's, so the rules read them)
    assert run(matched_l1, Logging, True)[3] == pytest.approx(_oracle(matched_l1, None), rel=1e-6)
    assert run(class_ce, Logging, True)[3] == pytest.approx(_oracle(class_ce, None), rel=1e-6)


def test_a_subclass_whose_mean_is_its_sum_declines_naming_the_op():
    def body(outputs, targets):
        e = (outputs["boxes"][:, 0] - torch.stack([t["boxes"][0] for t in targets])).abs().sum(1)
        return {"loss": (e * _w(targets)).as_subclass(Summing).mean()}

    outputs, targets, _ = batch()
    with logged_warnings() as said:
        out = split_by_source(body)(outputs, targets)
    assert not companions(out)
    assert any("mean of a Summing" in m for m in said), said
    assert torch.equal(out["loss"], body(outputs, targets)["loss"])


def test_a_write_through_a_subclass_declines():
    outputs, targets, _ = batch(Logging)
    with logged_warnings() as said:
        out = split_by_source(running_class_count)(outputs, targets)
    assert not companions(out)
    assert any("index_add_ of a Logging" in m for m in said), said


class OuterMode(torch.overrides.TorchFunctionMode):
    """The user's own mode around the decorated call: logs what it sees."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        SEEN.append(getattr(func, "__name__", repr(func)))
        return func(*args, **(kwargs or {}))


@pytest.mark.parametrize("body", BODIES, ids=lambda f: f.__name__)
def test_an_outer_mode_sees_the_functions_it_sees_undecorated(body):
    seen = {}
    for decorated in (False, True):
        outputs, targets, _ = batch()
        fn = split_by_source(body) if decorated else body
        SEEN.clear()
        with OuterMode(), logged_warnings():
            fn(outputs, targets)
        seen[decorated] = list(SEEN)
    assert seen[False] == seen[True]


# -- other user code the library might run or disturb ---------------------------------------------


def test_no_global_draw_grad_mode_or_flag_changes():
    outputs, targets, _ = batch()
    state = torch.get_rng_state(), random.getstate(), torch.is_grad_enabled(), \
        torch.are_deterministic_algorithms_enabled(), torch.backends.cudnn.benchmark
    with logged_warnings():
        out = split_by_source(matched_l1, every=3)(outputs, targets)
        split_by_source(class_ce)(outputs, targets)
    assert torch.equal(state[0], torch.get_rng_state()) and state[1] == random.getstate()
    assert state[2:] == (torch.is_grad_enabled(), torch.are_deterministic_algorithms_enabled(),
                         torch.backends.cudnn.benchmark)
    assert out["loss_bbox"].requires_grad is False  # (no leaf requires grad here)


def test_a_hook_on_the_prediction_fires_as_often_as_undecorated():
    fired = {}
    for decorated in (False, True):
        outputs, targets, _ = batch()
        pred = outputs["boxes"].requires_grad_()
        calls: list[torch.Tensor] = []
        pred.register_hook(calls.append)
        fn = split_by_source(matched_l1) if decorated else matched_l1
        with logged_warnings():
            out = fn({"boxes": pred}, targets)
        sum(out.values()).backward()  # companions included, as detectron2 sums them
        fired[decorated] = calls
    assert len(fired[False]) == len(fired[True]) == 1
    assert torch.equal(fired[False][0], fired[True][0])  # (the hook's gradient: the same)


class CountedFunction(torch.autograd.Function):
    calls = 0

    @staticmethod
    def forward(ctx, x):
        CountedFunction.calls += 1
        return x * 2

    @staticmethod
    def backward(ctx, g):
        CountedFunction.calls += 100
        return g * 2


def test_a_custom_autograd_function_runs_as_often_as_undecorated():
    def body(outputs, targets):
        e = CountedFunction.apply(outputs["boxes"][:, 0]) - torch.stack([t["boxes"][0] for t in targets])
        return {"loss": (e.abs().sum(1) * _w(targets)).mean()}

    calls = {}
    for decorated in (False, True):
        outputs, targets, _ = batch()
        pred = outputs["boxes"].requires_grad_()
        CountedFunction.calls = 0
        with logged_warnings():
            out = (split_by_source(body) if decorated else body)({"boxes": pred}, targets)
        sum(out.values()).backward()
        calls[decorated] = CountedFunction.calls
    assert calls[False] == calls[True] == 101


class Field:
    """A batch field whose dunders count their calls."""

    calls = 0

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        Field.calls += 1
        return isinstance(other, Field) and other.value == self.value

    def __hash__(self):
        Field.calls += 1
        return hash(self.value)

    def __repr__(self):
        Field.calls += 1
        return f"Field({self.value})"

    def __len__(self):
        Field.calls += 1
        return 1


def test_dunders_of_a_target_field_run_as_often_as_undecorated():
    def body(outputs, targets):
        e = (outputs["boxes"][:, 0] - torch.stack([t["boxes"][0] for t in targets])).abs().sum(1)
        return {"loss": (e * _w(targets)).mean()}

    calls = {}
    for decorated in (False, True):
        outputs, targets, _ = batch()
        targets = [{**t, "meta": Field(i)} for i, t in enumerate(targets)]
        Field.calls = 0
        with logged_warnings():
            (split_by_source(body) if decorated else body)(outputs, targets)
        calls[decorated] = Field.calls
    assert calls[False] == calls[True]


class Batch:
    """A batch object: its targets behind a property; any other attribute asked counts 1000."""

    reads = 0

    def __init__(self, targets):
        self._targets = targets

    @property
    def targets(self):
        Batch.reads += 1
        return self._targets

    def __getattr__(self, name):
        Batch.reads += 1000
        raise AttributeError(name)


def _weighted_rows(pred, targets):
    w = torch.tensor([float(t["loss_weight"]) for t in targets]).repeat_interleave(2)
    return ((pred - torch.cat([t["boxes"] for t in targets])).abs().sum(1) * w).mean()


def _rows_batch():
    g = torch.Generator().manual_seed(3)
    targets = [{"boxes": torch.rand(2, 4, generator=g), "loss_weight": w} for w in (1.0, 0.5, 0.5, 1.0)]
    return torch.rand(8, 4, generator=g), targets


def test_a_batch_objects_property_is_read_as_often_as_undecorated():
    def body(pred, batch):
        return {"loss": _weighted_rows(pred, batch.targets)}

    reads = {}
    for decorated in (False, True):
        pred, targets = _rows_batch()
        Batch.reads = 0
        with logged_warnings():
            out = (split_by_source(body) if decorated else body)(pred, Batch(targets))
        reads[decorated] = (Batch.reads, bits(out["loss"]))
    assert reads[False][0] == reads[True][0] == 1
    assert torch.equal(reads[False][1], reads[True][1])


def test_an_iterator_of_targets_is_left_to_the_body():
    def body(pred, targets):
        return {"loss": _weighted_rows(pred, list(targets))}

    pred, targets = _rows_batch()
    with logged_warnings():
        out = split_by_source(body)(pred, iter(targets))
    assert torch.equal(out["loss"], body(pred, targets)["loss"])


class Key:
    """A returned key whose dunders log themselves."""

    calls: list[str] = []

    def __hash__(self):
        Key.calls.append("hash")
        return 7

    def __eq__(self, other):
        Key.calls.append("eq")
        return other is self

    def __format__(self, spec):
        Key.calls.append("format")
        return "k"


@pytest.mark.xfail(strict=True, reason="known: a returned key that is no str is hashed again by the split's "
                   "reads of the dict, and formatted into its companions' names (key_format); its value unchanged")
def test_a_returned_keys_dunders_run_as_often_as_undecorated():
    key = Key()

    def body(pred, targets):
        return {key: _weighted_rows(pred, targets)}

    calls = {}
    for decorated in (False, True):
        pred, targets = _rows_batch()
        Key.calls.clear()
        with logged_warnings():
            (split_by_source(body) if decorated else body)(pred, targets)
        calls[decorated] = list(Key.calls)
    assert calls[False] == calls[True]


def test_a_subclass_made_in_the_body_sees_the_functions_it_sees_undecorated():
    def body(pred, targets):
        e = (pred - torch.cat([t["boxes"] for t in targets])).as_subclass(Logging)
        w = torch.tensor([float(t["loss_weight"]) for t in targets]).repeat_interleave(2)
        return {"loss": (e.abs().sum(1) * w).mean().as_subclass(torch.Tensor)}

    seen = {}
    for decorated in (False, True):
        pred, targets = _rows_batch()
        SEEN.clear()
        with logged_warnings():
            out = (split_by_source(body) if decorated else body)(pred, targets)
        seen[decorated] = (list(SEEN), bits(out["loss"]), companions(out))
    assert seen[False][0] == seen[True][0]
    assert torch.equal(seen[False][1], seen[True][1])
    pred, targets = _rows_batch()
    owner = torch.arange(len(targets)).repeat_interleave(2)
    want = oracle_companions(body, [pred, targets], [Owned(owner), TARGETS], [t["loss_weight"] for t in targets])
    assert not wrong_companions(seen[True][2], want)


def test_running_statistics_written_through_a_subclass_are_written_once():
    # the op's running statistics move no version counter: run again to compare, they moved twice
    def body(pred, targets, stats):
        x = pred.flatten(0, 1)
        F.batch_norm(x.detach(), stats[0], stats[1], training=True, momentum=0.1)
        e = ((x - stats[0]) - torch.cat([t["boxes"] for t in targets])).abs().sum(1)
        return {"loss": (e * torch.tensor([float(t["loss_weight"]) for t in targets]).repeat_interleave(2)).mean()}

    kept = {}
    for decorated in (False, True):
        pred, targets = _rows_batch()
        stats = (torch.zeros(4), torch.ones(4))
        with logged_warnings() as said:
            out = (split_by_source(body) if decorated else body)(pred.as_subclass(Logging)[:, None], targets, stats)
        kept[decorated] = (stats[0].clone(), bits(out["loss"].as_subclass(torch.Tensor)), companions(out), said)
    assert torch.equal(kept[False][0], kept[True][0])
    assert torch.equal(kept[False][1], kept[True][1])
    assert not kept[True][2] and any("batch_norm of a Logging" in m for m in kept[True][3]), kept[True][3]


def _over_count_tensor(outputs, targets):
    e = (outputs["boxes"][:, 0] - torch.stack([t["boxes"][0] for t in targets])).abs().mean(1)
    return {"loss": (e / (torch.ones(()) * len(targets))).sum()}


@pytest.mark.parametrize("subclass", [
    None, pytest.param(Logging, marks=pytest.mark.xfail(strict=True, reason=(
        "known WRONG (on main too): a prediction of a tensor subclass divided by a tensor made of the number of "
        "images is divided by the batch's count on every group (red team 27's count_tensor bodies: the rules that "
        "find such a count ask type(x) is Tensor)")))], ids=lambda c: getattr(c, "__name__", "plain"))
def test_a_count_tensor_divides_a_subclass_prediction_by_the_groups_count(subclass):
    got = run(_over_count_tensor, subclass, True)[3]
    want = _oracle(_over_count_tensor, subclass)
    assert not wrong_companions(got, want), (got, want)
