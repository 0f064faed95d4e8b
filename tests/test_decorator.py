"""Binding kinds, options, switches, isolation and errors of ``split_by_source``."""

import asyncio
import gc
import inspect
import os
import pickle
import weakref

import pytest
import torch
import torch.nn.functional as F
from _helpers import companions, default_group, expected, targets_for
from torch import nn

import losssplit
from losssplit import LossSplitError, companion_of, split_by_source


def body(pred, targets):
    """L1 over each image's rows; pred rows are in image order."""
    target = torch.cat([t["boxes"] for t in targets])
    return {"loss_bbox": F.l1_loss(pred, target, reduction="none").sum(1).mean()}


def check(fn, *, weights=(1.0, 0.5, 0.5), call=None):
    targets = targets_for(weights)
    pred = torch.rand(2 * len(weights), 4, requires_grad=True)
    out = (call or fn)(pred, targets)
    want = expected(pred, targets, default_group, key="loss_bbox")
    got = companions(out)
    assert got == pytest.approx(want, rel=1e-6)
    return out


@split_by_source
def plain(pred, targets):
    """Plain function docstring."""
    return body(pred, targets)


class Criterion(nn.Module):
    @split_by_source
    def method(self, pred, targets):
        """Method docstring."""
        return body(pred, targets)

    @classmethod
    @split_by_source
    def cls_method(cls, pred, targets):
        return body(pred, targets)

    @split_by_source
    @classmethod
    def cls_method_outer(cls, pred, targets):
        return body(pred, targets)

    @staticmethod
    @split_by_source
    def static(pred, targets):
        return body(pred, targets)

    @split_by_source(threshold=0.9)
    def forward(self, pred, targets):
        return body(pred, targets)


class Child(Criterion):
    def method(self, pred, targets):
        return super().method(pred, targets)


class Late:
    def method(self, pred, targets):
        return body(pred, targets)


Late.method = split_by_source(Late.method)


def test_every_binding_kind_splits():
    c = Criterion()
    check(plain)
    check(c.method)
    check(None, call=lambda p, t: Criterion.method(c, p, t))
    check(Child().method)
    check(Criterion.cls_method)
    check(c.cls_method)
    check(Criterion.cls_method_outer)
    check(Criterion.static)
    check(c.static)
    check(c)  # nn.Module.__call__ -> forward
    check(Late().method)


def test_introspection_survives():
    assert plain.__name__ == "plain" and plain.__doc__ == "Plain function docstring."
    assert Criterion.method.__doc__ == "Method docstring."
    assert inspect.signature(plain) == inspect.signature(plain.__wrapped__)
    assert list(inspect.signature(Criterion().method).parameters) == ["pred", "targets"]
    assert plain.__wrapped__.__name__ == "plain"


def test_decorated_instance_attribute_pickles_and_deep_copies():
    import copy

    c = Late()
    c.extra = split_by_source(Late.method.__wrapped__.__get__(c), key_format="{group}/{key}")
    for clone in (copy.deepcopy(c), pickle.loads(pickle.dumps(c))):
        out = clone.extra(torch.rand(4, 4), targets_for([1.0, 0.5]))
        assert {"real/loss_bbox", "synthetic/loss_bbox"} <= set(out)


def test_options_groups_keys_and_key_format():
    @split_by_source(source="dataset", key_format="{key}/{group}")
    def by_name(pred, targets):
        return body(pred, targets)

    targets = targets_for([1.0, 1.0, 1.0])
    for t, name in zip(targets, ["coco", "synth", "coco"]):
        t["dataset"] = name
    out = by_name(torch.rand(6, 4), targets)
    assert {"loss_bbox/coco", "loss_bbox/synth"} <= set(out)

    @split_by_source(groups={"clean": lambda w: w == 1.0, "noisy": lambda w: w < 1.0})
    def by_pred(pred, targets):
        d = body(pred, targets)
        d["loss_other"] = d["loss_bbox"] * 2
        return d

    out = by_pred(torch.rand(6, 4), targets_for([1.0, 0.7, 0.2]))
    assert {"loss_bbox_clean", "loss_bbox_noisy", "loss_other_clean"} <= set(out)

    @split_by_source(keys=["loss_bbox"], groups=0.6)
    def only_bbox(pred, targets):
        d = body(pred, targets)
        d["loss_other"] = d["loss_bbox"] * 2
        return d

    out = only_bbox(torch.rand(6, 4), targets_for([1.0, 0.7, 0.2]))
    assert set(out) == {"loss_bbox", "loss_other", "loss_bbox_real", "loss_bbox_synthetic"}
    pred = torch.rand(6, 4)
    targets = targets_for([1.0, 0.7, 0.2])
    out = only_bbox(pred, targets)
    want = expected(pred, targets, lambda w: "real" if w >= 0.6 else "synthetic", key="loss_bbox")
    assert out["loss_bbox_real"].item() == pytest.approx(want["loss_bbox_real"])


def test_source_callable_gets_arguments_by_name():
    @split_by_source(source=lambda a: ["a" if t["loss_weight"] > 0.6 else "b" for t in a["targets"]])
    def fn(pred, targets):
        return body(pred, targets)

    out = fn(torch.rand(6, 4), targets_for([1.0, 0.7, 0.2]))
    assert {"loss_bbox_a", "loss_bbox_b"} <= set(out)


@pytest.mark.parametrize(
    "kwargs, exc, words",
    [
        ({"groups": [0.5]}, TypeError, "split_by_source(groups=...): expected"),
        ({"groups": {}}, ValueError, "expected at least one group"),
        ({"groups": {"a": 1}}, TypeError, "expected a predicate"),
        ({"source": 3}, TypeError, "split_by_source(source=...)"),
        ({"key_format": "{key}"}, ValueError, "split_by_source(key_format=...)"),
        ({"key_format": "{key}_{nope}"}, ValueError, "expected {group} and {key}"),
        ({"key_format": "track/{group}"}, ValueError, "expected {group} and {key}"),
        ({"key_format": "{key:d}_{group}"}, ValueError, "expected {group} and {key}"),
        ({"keys": "loss_ce"}, TypeError, "split_by_source(keys=...)"),
        ({"every": 0}, ValueError, "split_by_source(every=...)"),
        ({"threshold": "0.9"}, TypeError, "split_by_source(threshold=...)"),
    ],
)
def test_bad_options_fail_at_decoration(kwargs, exc, words):
    with pytest.raises(exc, match=None) as info:
        split_by_source(**kwargs)(body)
    assert words in str(info.value)


def test_switches(monkeypatch):
    pred, targets = torch.rand(4, 4), targets_for([1.0, 0.5])
    monkeypatch.setenv("LOSSSPLIT_DISABLE", "1")
    assert list(plain(pred, targets)) == ["loss_bbox"]
    monkeypatch.setenv("LOSSSPLIT_DISABLE", "0")
    assert "loss_bbox_real" in plain(pred, targets)
    losssplit.set_enabled(False)
    try:
        assert list(plain(pred, targets)) == ["loss_bbox"]
    finally:
        losssplit.set_enabled(True)
    assert "loss_bbox_real" in plain(pred, targets)


def test_every_n_calls_samples_one_in_n_and_every_call_site():
    @split_by_source(every=3)
    def fn(pred, targets):
        return body(pred, targets)

    pred, targets = torch.rand(4, 4), targets_for([1.0, 0.5])
    # six calls per "step", as a criterion called once per decoder layer
    got = [["loss_bbox_real" in fn(pred, targets) for _layer in range(6)] for _step in range(100)]
    sampled = sum(map(sum, got))
    assert 150 <= sampled <= 250  # 600 calls, p = 1/3: mean 200, sd 11.5
    assert all(any(step[layer] for step in got) for layer in range(6))


def test_exception_mid_body_leaves_no_state():
    @split_by_source
    def boom(pred, targets):
        _ = pred * 2
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        boom(torch.rand(4, 4), targets_for([1.0, 0.5]))
    assert torch._C._len_torch_function_stack() == 0
    check(plain)


def test_nested_decorated_calls_are_isolated():
    @split_by_source(source="dataset")
    def inner(pred, targets):
        return body(pred, targets)

    @split_by_source
    def outer(pred, targets):
        d = dict(inner(pred, targets))
        d["loss_twice"] = d["loss_bbox"] * 2.0  # an int 2 over two images would read as ``* batch_size``
        return d

    targets = targets_for([1.0, 0.5])
    targets[0]["dataset"], targets[1]["dataset"] = "x", "y"
    out = outer(torch.rand(4, 4), targets)
    assert {"loss_bbox_x", "loss_bbox_y", "loss_bbox_real", "loss_twice_real"} <= set(out)
    assert not any(k.startswith("loss_bbox_x_") for k in out)
    assert out["loss_twice_real"].item() == pytest.approx(2 * out["loss_bbox_real"].item())


def test_nothing_retained_after_the_call():
    pred = torch.rand(4, 4, requires_grad=True)
    targets = targets_for([1.0, 0.5])
    out = plain(pred, targets)
    refs = [weakref.ref(v) for v in out.values()]
    del out
    gc.collect()
    assert all(r() is None for r in refs)


def test_a_companion_is_known_by_identity_not_as_any_view_of_its_buffer():
    out = plain(torch.rand(4, 4), targets_for([1.0, 0.5]))
    value = out["loss_bbox_real"]
    assert companion_of(value).name == "loss_bbox_real"
    assert companion_of(out["loss_bbox_synthetic"]).group == "synthetic"
    for other in (value.view(()), value[...], value.detach(), value.clone(), value + 0):
        assert companion_of(other) is None


def test_returned_tensors_without_storage_or_of_a_subclass_are_no_companions():
    @split_by_source
    def with_extras(pred, targets):
        out = body(pred, targets)
        out["sparse"] = torch.eye(2).to_sparse()
        out["parameter"] = nn.Parameter(torch.zeros(()))
        return out

    targets = targets_for([1.0, 0.5])
    pred = torch.rand(4, 4)
    out = with_extras(pred, targets)
    assert companion_of(out["sparse"]) is None and companion_of(out["parameter"]) is None
    assert companions(out) == pytest.approx(expected(pred, targets, default_group, key="loss_bbox"), rel=1e-6)
    again = with_extras(pred, targets)  # the stale-companion sweep reads the same values
    assert sorted(again) == sorted(out)


def _cycles_of_losssplit(collect):
    """Run ``collect`` keeping what the cycle collector frees; return what of it losssplit made.

    Other threads (a progress bar's monitor, a writer) and other tests' objects freed during the
    window make garbage too: only objects of losssplit's own types, its frames and functions, and
    companion tensors count (a plain tensor, or a dead weak proxy, of another test's thread once
    failed this check under ``-n 2``).
    """
    root = os.path.dirname(losssplit.__file__)

    def ours(o):
        try:
            if type(o).__module__.startswith("losssplit") or isinstance(o, torch.Tensor) and companion_of(o):
                return True
            code = getattr(o, "f_code", None) or getattr(o, "__code__", None)
        except ReferenceError:
            return False
        return code is not None and code.co_filename.startswith(root)

    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        collect()
        return [o for o in gc.garbage if ours(o)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def test_many_groups_make_one_object_each_for_the_cycle_collector_and_no_cycle():
    @split_by_source
    def crit(logits, y):
        return {"loss_ce": F.cross_entropy(logits, y)}

    logits, y, labels = torch.randn(400, 3), torch.randint(0, 3, (400,)), [f"s{b}" for b in range(400)]
    with losssplit.sources(labels):
        crit(logits, y)  # the sorted names and companion names of these labels are kept from here on
    gc.collect()
    gc.disable()
    try:
        before = len(gc.get_objects())
        with losssplit.sources(labels):
            out = crit(logits, y)
        made = len(gc.get_objects()) - before
        assert len(out) == 401 and companion_of(out["loss_ce_s7"]).group == "s7"
        del out
        cycles = _cycles_of_losssplit(gc.collect)
    finally:
        gc.enable()
    # the companion tensors, and a few dozen objects whatever the number of groups (a record
    # and an attribute dict per companion were two more each)
    assert made < 400 + 100
    assert cycles == []


def test_the_cycle_check_sees_a_cycle_through_a_companion():
    out = check(plain)
    companion = out["loss_bbox_real"]
    companion.cycle = companion  # what a record pointing back at its tensor would be
    del out, companion
    assert _cycles_of_losssplit(gc.collect)


def test_sources_length_mismatch_raises_naming_keys_and_shapes():
    @split_by_source
    def crit(logits, y):
        return {"loss_ce": F.cross_entropy(logits, y)}

    with losssplit.sources(["a", "b", "c"]), pytest.raises(LossSplitError) as info:
        crit(torch.randn(4, 3), torch.zeros(4, dtype=torch.long))
    message = str(info.value)
    assert "3 source labels" in message and "loss_ce" in message and "(4, 3)" in message


def test_generators_and_async_functions_pass_through(warnings_of):
    @split_by_source
    def gen(pred, targets):
        yield body(pred, targets)

    @split_by_source
    async def coro(pred, targets):
        return body(pred, targets)

    assert list(next(gen(torch.rand(4, 4), targets_for([1.0, 0.5])))) == ["loss_bbox"]
    assert list(asyncio.run(coro(torch.rand(4, 4), targets_for([1.0, 0.5])))) == ["loss_bbox"]
    assert any("passed through" in m for m in warnings_of())


class Holder(nn.Module):
    def __init__(self):
        super().__init__()
        self.fn = plain


def test_a_module_level_function_and_a_module_holding_it_pickle_and_torch_save():
    import io

    assert pickle.loads(pickle.dumps(plain)) is plain
    buffer = io.BytesIO()
    torch.save(Holder(), buffer)
    buffer.seek(0)
    clone = torch.load(buffer, weights_only=False)
    assert clone.fn is plain
    check(clone.fn)


@pytest.mark.parametrize(
    "get",
    [
        lambda c: c.method,
        lambda c: c.cls_method,
        lambda c: c.static,
        lambda c: Criterion.cls_method,
        lambda c: Criterion.static,
        lambda c: Criterion.cls_method_outer,
        lambda c: Late().method,
    ],
    ids=["bound", "classmethod", "staticmethod", "cls.classmethod", "cls.staticmethod", "outer", "late"],
)
def test_decorated_methods_pickle_copy_and_deep_copy(get):
    import copy

    original = get(Criterion())
    for clone in (pickle.loads(pickle.dumps(original)), copy.copy(original), copy.deepcopy(original)):
        assert clone.__name__ == original.__name__
        check(clone)


def test_nan_threshold_and_nan_groups_are_rejected():
    with pytest.raises(ValueError, match=r"threshold=\.\.\.\): expected a number, got nan"):
        split_by_source(threshold=float("nan"))(body)
    with pytest.raises(ValueError, match=r"groups=\.\.\.\): expected a threshold number, got nan"):
        split_by_source(groups=float("nan"))(body)


def test_keys_given_as_a_generator_still_split():
    fn = split_by_source(keys=(k for k in ["loss_bbox"]))(body)
    check(fn)
    check(fn)  # and the next call too


def test_numpy_scalars_are_accepted_as_their_python_numbers():
    np = pytest.importorskip("numpy")
    fn = split_by_source(threshold=np.float32(0.4), every=np.int64(1))(body)
    targets = targets_for([1.0, 0.5, 0.3])
    pred = torch.rand(6, 4, requires_grad=True)
    got = {k: v.item() for k, v in fn(pred, targets).items() if companion_of(v) is not None}
    # 0.5 >= 0.4: real under this threshold
    assert got == pytest.approx(expected(pred, targets, lambda w: "real" if w >= 0.4 else "synthetic", key="loss_bbox"), rel=1e-6)
    with pytest.raises(ValueError, match="every"):
        split_by_source(every=np.int64(0))(body)


def test_groups_as_a_list_of_label_names(warnings_of):
    fn = split_by_source(source="dataset", groups=["coco", "synth"])(body)
    targets = targets_for([1.0, 0.5, 0.5])
    for t, name in zip(targets, ["coco", "synth", "other"]):
        t["dataset"] = name
    pred = torch.rand(6, 4, requires_grad=True)
    got = {k: v.item() for k, v in fn(pred, targets).items() if companion_of(v) is not None}
    rows = (pred.detach() - torch.cat([t["boxes"] for t in targets])).abs().sum(1)
    assert got == pytest.approx({"loss_bbox_coco": rows[:2].mean().item(),
                                 "loss_bbox_synth": rows[2:4].mean().item()}, rel=1e-6)
    (message,) = warnings_of()
    assert "image 2" in message and "'other'" in message
    with pytest.raises(TypeError, match="label names"):
        split_by_source(groups=["coco", 3])(body)


def test_a_group_that_never_matches_warns_once(warnings_of):
    fn = split_by_source(source="dataset", groups={"coco": lambda d: d == "coco", "synth": lambda d: d == "synthetic"})(body)
    targets = targets_for([1.0, 0.5])
    for t in targets:
        t["dataset"] = "coco"
    for _ in range(60):
        fn(torch.rand(4, 4, requires_grad=True), targets)
    messages = [m for m in warnings_of() if "matched no image" in m]
    assert len(messages) == 1
    assert "'synth'" in messages[0] and "'coco'" not in messages[0].split("(")[0] and "20 calls" in messages[0]
