"""SplitMeter / pop_companions: exact ``sum num / sum den``, never a mean of means."""

from __future__ import annotations

import math
import sys
import zlib
from fractions import Fraction

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import losssplit
from losssplit._companion import Companion, companion_of, make_companion
from losssplit.aggregate import SplitMeter, decode_table, encode_table, pop_companions

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _criteria_for_integrations import ce_criterion  # noqa: E402

LIKE = torch.tensor(0.0)


def comp(name: str, num: float, den: float, key: str = "loss_ce", group: str | None = None):
    group = group if group is not None else name.rsplit("_", 1)[-1]
    return make_companion(Companion(name, key, group, num, den), LIKE)


def test_window_is_sum_num_over_sum_den():
    meter = SplitMeter()
    # step 1: one real row with loss 3.0; step 2: three real rows with mean 1/3 (sum 1.0)
    meter.update({"loss_ce": torch.tensor(9.0), "loss_ce_real": comp("loss_ce_real", 3.0, 1.0)})
    meter.update({"loss_ce": torch.tensor(9.0), "loss_ce_real": comp("loss_ce_real", 1.0, 3.0)})
    # exact: (3 + 1) / (1 + 3) = 1.0 ; a mean of the per-step values would be (3 + 1/3) / 2
    assert meter.compute() == {"loss_ce_real": 1.0}


def test_ignores_everything_but_companions():
    meter = SplitMeter()
    meter.update({"loss": torch.tensor(2.0), "n": 3, "s": "x", "t": torch.ones(2)})
    assert meter.compute() == {}


def test_reset_starts_a_new_window_and_compute_does_not_reset():
    meter = SplitMeter()
    meter.update({"a_real": comp("a_real", 2.0, 4.0)})
    assert meter.compute() == {"a_real": 0.5}
    assert meter.compute() == {"a_real": 0.5}
    meter.reset()
    assert meter.compute() == {}
    meter.update({"a_real": comp("a_real", 3.0, 1.0)})
    assert meter.compute() == {"a_real": 3.0}


def test_zero_den_is_absent_and_records_keep_key_and_group():
    meter = SplitMeter()
    meter.add([
        Companion("loss_bbox_real", "loss_bbox", "real", 1.5, 3.0),
        Companion("loss_bbox_synthetic", "loss_bbox", "synthetic", 0.0, 0.0),
    ])
    recs = meter.compute_records()
    assert recs == [Companion("loss_bbox_real", "loss_bbox", "real", 1.5, 3.0)]
    assert meter.compute() == {"loss_bbox_real": 0.5}


def test_pop_companions_in_place():
    loss = torch.tensor(0.25, requires_grad=True)
    d = {"loss_ce": loss, "loss_ce_real": comp("loss_ce_real", 1.0, 2.0), "aux": 1.0,
         "loss_ce_synthetic": comp("loss_ce_synthetic", 3.0, 2.0)}
    popped = pop_companions(d)
    assert list(popped) == ["loss_ce_real", "loss_ce_synthetic"]
    assert list(d) == ["loss_ce", "aux"] and d["loss_ce"] is loss
    assert float(popped["loss_ce_synthetic"]) == 1.5
    assert companion_of(popped["loss_ce_real"]).den == 2.0
    assert pop_companions(d) == {}


def test_collect_keeps_dict_clean_and_matches_dict_emission():
    logits = torch.tensor([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 3.0], [1.0, 1.0, 1.0]])
    y = torch.tensor([0, 2, 2, 1])
    labels = [1.0, 0.5, 1.0, 0.5]
    with losssplit.sources(labels):
        emitted = ce_criterion(logits, y)
    meter = SplitMeter()
    with meter.collect(), losssplit.sources(labels):
        out = ce_criterion(logits, y)
    assert list(out) == ["loss_ce"]
    assert torch.equal(out["loss_ce"], emitted["loss_ce"])
    rows = torch.nn.functional.cross_entropy(logits.double(), y, reduction="none")
    want = {"loss_ce_real": float(rows[[0, 2]].mean()),
            "loss_ce_synthetic": float(rows[[1, 3]].mean())}
    got = meter.compute()
    assert got.keys() == want.keys()
    for k in want:
        assert math.isclose(got[k], want[k], rel_tol=1e-6)
        assert math.isclose(got[k], float(emitted[k]), rel_tol=1e-6)
    # the dict-emission path gives the same records to update()
    other = SplitMeter()
    other.update(emitted)
    assert other.compute() == got


def test_meter_rejects_bad_arguments():
    with pytest.raises(ValueError, match="slots"):
        SplitMeter(slots=0)
    with pytest.raises(ValueError, match="name_bytes"):
        SplitMeter(name_bytes=2)


# ----------------------------------------------------------------- property tests
names = st.sampled_from(["loss_ce_real", "loss_ce_synthetic", "loss_bbox_real", "loss_x_web"])
steps = st.lists(
    st.lists(
        st.tuples(
            names,
            st.floats(min_value=0, max_value=1e3, allow_nan=False),
            st.integers(min_value=1, max_value=64),
        ),
        max_size=4,
    ),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(steps)
def test_property_window_is_ratio_of_sums(window):
    meter = SplitMeter()
    nums: dict[str, Fraction] = {}
    dens: dict[str, int] = {}
    for step in window:
        recs = [Companion(n, "k", n.rsplit("_", 1)[-1], num, float(den)) for n, num, den in step]
        meter.add(recs)  # several records of one name in a step add up
        for r in recs:
            nums[r.name] = nums.get(r.name, Fraction(0)) + Fraction(r.num)
            dens[r.name] = dens.get(r.name, 0) + int(r.den)
    got = meter.compute()
    assert got.keys() == nums.keys()
    for n in nums:
        assert math.isclose(got[n], float(nums[n] / dens[n]), rel_tol=1e-12, abs_tol=1e-12)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 100), st.integers(1, 50)), min_size=2, max_size=10))
def test_property_not_a_mean_of_means(window):
    meter = SplitMeter()
    for num, den in window:
        meter.add([Companion("l_real", "l", "real", num, float(den))])
    exact = math.fsum(n for n, _ in window) / sum(d for _, d in window)
    assert math.isclose(meter.compute()["l_real"], exact, rel_tol=1e-12, abs_tol=1e-12)


# ----------------------------------------------------------------- the slot-table codec
def _local(*recs: Companion) -> dict:
    return {r.name: (r.key, r.group, r.num, r.den) for r in recs}


def _reduce(*ranks: dict, slots: int = 16, cells: int = 32):
    return decode_table(sum(encode_table(r, slots, cells) for r in ranks), cells)


def test_codec_ranks_that_never_saw_a_group_learn_it():
    r0 = _local(Companion("loss_ce_real", "loss_ce", "real", 1.0, 2.0),
                Companion("loss_ce_synthetic", "loss_ce", "synthetic", 4.0, 1.0))
    r1 = _local(Companion("loss_ce_real", "loss_ce", "real", 2.0, 3.0),
                Companion("loss_é_ünïcode", "loss_é", "ünïcode", 1.0, 1.0))
    assert _reduce(r0, r1) == {
        "loss_ce_real": ("loss_ce", "real", 3.0, 5.0),
        "loss_ce_synthetic": ("loss_ce", "synthetic", 4.0, 1.0),
        "loss_é_ünïcode": ("loss_é", "ünïcode", 1.0, 1.0),
    }


def test_codec_detects_what_it_cannot_resolve():
    a = Companion("loss_a_real", "loss_a", "real", 1.0, 1.0)
    b = Companion("loss_b_real", "loss_b", "real", 1.0, 1.0)
    # one slot, two ranks with different names in it: ambiguous -> fallback
    assert _reduce(_local(a), _local(b), slots=1) is None
    # more names than slots on one rank: overflow flag -> fallback
    assert _reduce(_local(a, b), _local(), slots=1) is None
    # a name longer than the byte budget -> fallback
    long = Companion("loss_" + "x" * 200 + "_real", "loss_" + "x" * 200, "real", 1.0, 1.0)
    assert _reduce(_local(long), _local(a)) is None
    # the same single name on both ranks in a one-slot table is fine
    assert _reduce(_local(a), _local(a), slots=1) == {"loss_a_real": ("loss_a", "real", 2.0, 2.0)}


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sets(st.integers(0, 30), max_size=12), min_size=1, max_size=4),
       st.integers(1, 24))
def test_property_codec_exact_or_fallback(rank_names, slots):
    ranks = []
    for r, ids in enumerate(rank_names):
        ranks.append(_local(*(Companion(f"l{i}_g{i % 3}", f"l{i}", f"g{i % 3}", float(r + i), 1.0)
                              for i in ids)))
    got = _reduce(*ranks, slots=slots)
    want: dict = {}
    for local in ranks:
        for name, (k, g, n, d) in local.items():
            old = want.get(name, (k, g, 0.0, 0.0))
            want[name] = (k, g, old[2] + n, old[3] + d)
    if got is not None:  # when the single table decodes, it must be exactly right
        assert got == want
    homes = [zlib.crc32(name.encode()) % slots for name in want]
    if len(set(homes)) == len(homes):
        assert got == want  # no two names share a home slot: nothing to probe, nothing to mix


def test_importing_losssplit_imports_no_framework_and_no_plotting():
    import subprocess

    code = (
        "import sys, losssplit, losssplit.aggregate, losssplit.integrations, losssplit._cli, losssplit.__main__\n"
        "bad = [m for m in ('lightning', 'pytorch_lightning', 'transformers', 'mmengine',"
        " 'detectron2', 'wandb', 'tensorboard', 'matplotlib') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_meter_pickles_with_its_window():
    import pickle

    meter = SplitMeter()
    meter.add([Companion("l_real", "l", "real", 1.0, 4.0)])
    clone = pickle.loads(pickle.dumps(meter))
    clone.add([Companion("l_real", "l", "real", 1.0, 4.0)])
    assert clone.compute() == {"l_real": 0.25} and meter.compute() == {"l_real": 0.25}


class LayeredCriterion(torch.nn.Module):
    """DETR-style: ``forward`` calls the decorated per-term method once per decoder layer and
    suffixes the keys of every layer but the last with ``_{i}``."""

    @losssplit.split_by_source
    def loss_x(self, pred, targets):
        target = torch.cat([t["x"] for t in targets])
        return {"loss_x": (pred - target).abs().mean()}

    def forward(self, layers, targets):
        losses = dict(self.loss_x(layers[-1], targets))
        for i, pred in enumerate(layers[:-1]):
            losses.update({f"{k}_{i}": v for k, v in self.loss_x(pred, targets).items()})
        return losses


def _layered_batch():
    g = torch.Generator().manual_seed(4)
    targets = [{"x": torch.rand(2, generator=g), "loss_weight": w} for w in (1.0, 0.5, 1.0)]
    # layer 0 far from the targets, the last layer close: merged they would give another value
    layers = [torch.rand(6, generator=g) * 4, torch.rand(6, generator=g) * 0.1]
    return [p.requires_grad_() for p in layers], targets


def _layer_value(pred, targets, real):
    rows = [2 * i + j for i, t in enumerate(targets) for j in range(2) if (t["loss_weight"] >= 0.9) == real]
    return (pred.detach() - torch.cat([t["x"] for t in targets]))[rows].abs().mean().item()


def test_update_aggregates_each_decoder_layer_under_the_key_the_dict_shows():
    layers, targets = _layered_batch()
    out = LayeredCriterion()(layers, targets)
    assert {"loss_x_real", "loss_x_real_0", "loss_x_synthetic_0"} <= set(out)
    meter = SplitMeter()
    meter.update(out)
    got = meter.compute()
    assert got == pytest.approx({k: v.item() for k, v in out.items() if companion_of(v) is not None}, rel=1e-6)
    assert got["loss_x_real"] == pytest.approx(_layer_value(layers[1], targets, True), rel=1e-6)
    assert got["loss_x_real_0"] == pytest.approx(_layer_value(layers[0], targets, True), rel=1e-6)
    records = {r.name: r for r in meter.compute_records()}
    assert (records["loss_x_real_0"].key, records["loss_x_real_0"].group) == ("loss_x_0", "real")
    assert (records["loss_x_real"].key, records["loss_x_real"].group) == ("loss_x", "real")


def test_collect_keeps_decoder_layers_apart_when_given_the_final_dict(warnings_of):
    layers, targets = _layered_batch()
    meter = SplitMeter()
    with meter.collect():
        out = LayeredCriterion()(layers, targets)
        meter.update(out)
    assert set(out) == {"loss_x", "loss_x_0"}
    got = meter.compute()
    assert set(got) == {"loss_x_real", "loss_x_synthetic", "loss_x_0_real", "loss_x_0_synthetic"}
    assert got["loss_x_real"] == pytest.approx(_layer_value(layers[1], targets, True), rel=1e-6)
    assert got["loss_x_0_synthetic"] == pytest.approx(_layer_value(layers[0], targets, False), rel=1e-6)
    assert warnings_of() == []


def test_collect_never_merges_decoder_layers_silently(warnings_of):
    layers, targets = _layered_batch()
    meter = SplitMeter()
    with meter.collect():
        LayeredCriterion()(layers, targets)
    (message,) = warnings_of()
    assert "'loss_x_real'" in message and "meter.update" in message
    # the merged value is what is logged: exactly the two layers' rows together
    both = (_layer_value(layers[0], targets, True) + _layer_value(layers[1], targets, True)) / 2
    assert meter.compute()["loss_x_real"] == pytest.approx(both, rel=1e-6)


def test_collect_adds_micro_batches_of_one_step_without_a_warning(warnings_of):
    meter = SplitMeter()
    crit = LayeredCriterion()
    with meter.collect():
        for seed in (1, 2):  # gradient accumulation: the same key, other images
            layers, targets = _layered_batch()
            crit.loss_x(layers[1].detach().add(seed).requires_grad_(), targets)
    assert warnings_of() == []
    assert set(meter.compute()) == {"loss_x_real", "loss_x_synthetic"}


def test_the_readme_thread_recipe_carries_collect_into_a_pool():
    import contextvars
    from concurrent.futures import ThreadPoolExecutor

    logits = torch.tensor([[2.0, 0.0], [0.0, 1.0], [1.0, 1.0]], requires_grad=True)
    y = torch.tensor([0, 0, 1])
    per_row = torch.nn.functional.cross_entropy(logits.detach(), y, reduction="none")
    with ThreadPoolExecutor(2) as pool:
        meter = SplitMeter()
        with meter.collect(), losssplit.sources(["a", "a", "b"]):
            plain = pool.submit(ce_criterion, logits, y).result()  # a worker: no context
        assert meter.compute() == {} and "loss_ce_a" not in plain  # no labels there either
        with meter.collect(), losssplit.sources(["a", "a", "b"]):
            out = pool.submit(contextvars.copy_context().run, ce_criterion, logits, y).result()
    assert list(out) == ["loss_ce"]
    assert meter.compute() == pytest.approx({"loss_ce_a": per_row[:2].mean().item(),
                                             "loss_ce_b": per_row[2].item()}, rel=1e-6)
