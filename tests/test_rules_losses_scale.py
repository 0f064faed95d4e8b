"""Reduced class losses at language-model scale: element-wise values read at the targets.

A cross entropy reduced inside the call gets its per-token values from the log-probabilities its
autograd node saved (no second logits-sized buffer); without a graph, from the log-probabilities
of the call itself, run as its two ops; for forms the gather does not cover (label smoothing, soft
targets, values with the weight field set to 1), they are recomputed in bounded row chunks. Either way
the companions are the oracle's and training is untouched.
"""

import math

import pytest
import torch
import torch.nn.functional as F
from _helpers import KEEP, ROWS, oracle_companions, split_and_compare

from losssplit._capture import losses

SOURCES = ["code", "docs", "code", "license"]


def _batch(dtype=torch.float32, vocab=11, seed=0):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(4, 6, vocab, generator=g).to(dtype)
    labels = torch.randint(0, vocab, (4, 6), generator=g)
    labels[:, :2] = -100
    labels[3, :] = -100 if seed else labels[3, :]
    return logits.requires_grad_(), labels


def _check(body, args, kinds, rel=1e-6):
    out = split_and_compare(body, args, SOURCES)
    want = oracle_companions(body, args, kinds, SOURCES)
    got = {k: v.item() for k, v in out.items() if k not in ("loss",)}
    assert got.keys() == want.keys()
    for key, value in want.items():
        assert math.isclose(got[key], value, rel_tol=rel, abs_tol=1e-7), key
    return out


@pytest.fixture
def reads(monkeypatch):
    """Which path gave the values: 'graph' (the saved log-probabilities) or 'recompute'."""
    seen = []
    saved, call = losses.saved_log_probs, losses._none_values

    def spy_saved(inp, out):
        found = saved(inp, out)
        seen.append("graph" if found is not None else "no graph")
        return found

    monkeypatch.setattr(losses, "saved_log_probs", spy_saved)
    monkeypatch.setattr(losses, "_none_values", call)
    return seen


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_token_cross_entropy_reads_the_saved_log_probabilities(reads, dtype, reduction):
    def body(logits, labels):
        return {"loss": F.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=-100, reduction=reduction)}

    _check(body, _batch(dtype, seed=1), [ROWS, ROWS], rel=1e-2 if dtype == torch.bfloat16 else 1e-6)
    assert reads == ["graph"]


def test_class_weights_and_a_class_dim_in_the_middle_read_the_graph(reads):
    weight = torch.rand(11) + 0.5

    def body(logits, labels, weight):  # [B, C, T]: nll_loss2d over a reshaped input
        return {"loss": F.cross_entropy(logits.transpose(1, 2) * 2, labels, weight=weight)}

    _check(body, (*_batch(), weight), [ROWS, ROWS, KEEP])
    assert reads == ["graph"]


def test_without_a_graph_and_with_label_smoothing_values_come_in_chunks(reads, monkeypatch):
    monkeypatch.setattr(losses, "CHUNK_BYTES", 100)  # two rows of 11 float32 per chunk

    def body(logits, labels):
        return {"loss": F.cross_entropy(logits.flatten(0, 1), labels.flatten(), label_smoothing=0.1)}

    _check(body, _batch(), [ROWS, ROWS])
    logits, labels = _batch()
    with torch.no_grad():
        out = split_and_compare(body, (logits.detach(), labels), SOURCES)
    want = oracle_companions(body, (logits, labels), [ROWS, ROWS], SOURCES)
    assert {k: pytest.approx(v, rel=1e-6) for k, v in want.items()} == {k: out[k].item() for k in want}
    assert "graph" not in reads  # label smoothing: the graph is not read

    rows = []

    def counting(inp, target, **kwargs):
        rows.append(inp.shape[0])
        return F.cross_entropy(inp, target, **kwargs)

    x, y = logits.detach().flatten(0, 1), labels.flatten()
    values = losses._none_values(counting, x, y, {"label_smoothing": 0.1}, None, True)
    assert rows == [2] * 12
    assert torch.equal(values, F.cross_entropy(x, y, label_smoothing=0.1, reduction="none"))


def test_no_grad_values_equal_the_graph_values():
    def body(logits, labels):
        return {"loss": F.cross_entropy(logits.flatten(0, 1), labels.flatten())}

    with_graph = _check(body, _batch(), [ROWS, ROWS])
    logits, labels = _batch()
    with torch.no_grad():
        without = split_and_compare(body, (logits.detach(), labels), SOURCES)
    assert {k: v.item() for k, v in without.items()} == {k: v.item() for k, v in with_graph.items()}


@pytest.mark.parametrize("grad_mode", [torch.no_grad, torch.inference_mode])
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_without_a_graph_cross_entropy_runs_as_its_parts_and_keeps_the_log_probabilities(reads, monkeypatch, grad_mode,
                                                                                         dtype, reduction):
    # F.cross_entropy is nll_loss(log_softmax(x, 1)) in torch: run so, the values are read from
    # those log-probabilities (no recompute: a chunk size of 1 byte would call cross_entropy per row)
    monkeypatch.setattr(losses, "CHUNK_BYTES", 1)
    weight = torch.rand(11, generator=torch.Generator().manual_seed(2)) + 0.5

    def body(logits, labels, weight):
        return {"loss": F.cross_entropy(logits.transpose(1, 2), labels, weight=weight, ignore_index=3,
                                        reduction=reduction).sum()}

    logits, labels = _batch(dtype, seed=1)
    args = (logits.detach(), torch.where(labels < 0, 3, labels), weight.to(dtype))  # class 3 ignored
    ran = []
    parts = losses.cross_entropy_parts
    monkeypatch.setitem(losses.RUNNERS, F.cross_entropy, lambda *a: ran.append(parts(*a)) or ran[-1])
    out = split_and_compare(body, args, SOURCES, grad_mode=grad_mode)
    assert len(ran) == 1 and ran[0] is not None and reads == []
    # bfloat16: the oracle run in bfloat16 sums a group's rows in bfloat16 (its own rounding, >1 % off
    # on some draws); the exact value is the body in float64 on the same bfloat16 inputs
    exact = (args[0].double(), args[1], args[2].double()) if dtype == torch.bfloat16 else args
    want = oracle_companions(body, exact, [ROWS, ROWS, KEEP], SOURCES)
    assert want and {k: pytest.approx(v, rel=1e-2 if dtype == torch.bfloat16 else 1e-6) for k, v in want.items()} == {
        k: out[k].item() for k in want
    }


def test_a_mode_below_sees_cross_entropy_as_called():
    from torch.overrides import TorchFunctionMode

    seen = []

    class Watch(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            seen.append(func)
            return func(*args, **(kwargs or {}))

    def body(logits, labels):
        return {"loss": F.cross_entropy(logits.flatten(0, 1), labels.flatten())}

    logits, labels = _batch()
    with torch.no_grad(), Watch():
        split_and_compare(body, (logits.detach(), labels), SOURCES)
    assert F.cross_entropy in seen and torch.log_softmax not in seen


def test_nll_loss_reads_its_input_at_the_targets(reads):
    def body(logits, labels):
        return {"loss": F.nll_loss(logits.log_softmax(-1).flatten(0, 1), labels.flatten(), weight=torch.arange(1.0, 12.0))}

    torch.manual_seed(0)
    split_and_compare(body, _batch(), SOURCES)
    assert reads == []  # nll_loss needs no graph


def test_weighted_logits_are_recomputed_from_their_unweighted_values(reads):
    def body(logits, targets):
        w = torch.tensor([t["loss_weight"] for t in targets])
        labels = torch.stack([t["labels"] for t in targets])
        return {"loss": F.cross_entropy((logits * w[:, None, None]).flatten(0, 1), labels.flatten())}

    logits, labels = _batch()
    targets = [{"labels": y, "loss_weight": w} for y, w in zip(labels, (1.0, 0.5, 0.5, 1.0))]
    from _helpers import TARGETS

    out = split_and_compare(body, (logits, targets))
    want = oracle_companions(body, (logits, targets), [ROWS, TARGETS], [1.0, 0.5, 0.5, 1.0])
    assert want and {k: pytest.approx(v, rel=1e-6) for k, v in want.items()} == {
        k: out[k].item() for k in want
    }
    assert "graph" not in reads  # the call's own log-probabilities are of the weighted logits


def test_a_foreign_graph_is_not_read():
    x = torch.randn(5, 4, requires_grad=True)
    t = torch.randint(0, 4, (5,))
    assert losses.saved_log_probs(x, F.cross_entropy(torch.randn(5, 4, requires_grad=True), t)) is None
    assert losses.saved_log_probs(x, F.cross_entropy(x, t, label_smoothing=0.1)) is None
    with torch.no_grad():
        assert losses.saved_log_probs(x, F.cross_entropy(x, t)) is None
    a, b = (x * 1).chunk(1 + 1)[0], (x * 1)
    assert losses.saved_log_probs(b, F.cross_entropy(a, t[:3])) is None
    assert torch.equal(losses.saved_log_probs(x, F.cross_entropy(x, t)), x.detach().log_softmax(1))


def test_saved_tensor_hooks_keep_the_graph_unread(reads):
    def body(logits, labels):
        return {"loss": F.cross_entropy(logits.flatten(0, 1), labels.flatten())}

    with torch.autograd.graph.saved_tensors_hooks(lambda t: t.clone(), lambda t: t):
        _check(body, _batch(), [ROWS, ROWS])
    assert reads == ["no graph"]


def _time_major_mean(logits, labels):  # [T, B, V] flattened: images along dim 1 of the rows
    return {"loss": F.cross_entropy(logits.transpose(0, 1).flatten(0, 1), labels.transpose(0, 1).flatten())}


def _masked_mean(logits, labels):  # a row-sum normaliser over the same flattened rows
    per_token = F.cross_entropy(logits.flatten(0, 1), labels.flatten(), reduction="none")
    mask = (labels.flatten() != -100).float()
    return {"loss": (per_token * mask).sum() / mask.sum()}


def _box_l1(logits, labels):  # [B*T, 4] values per row: a plain mean, rows of 4 elements
    return {"box": F.l1_loss(logits[..., :4].flatten(0, 1), logits.detach()[..., 4:8].flatten(0, 1).sigmoid())}


def _summed(logits, labels):
    return {"loss": F.cross_entropy(logits.flatten(0, 1), labels.flatten(), reduction="sum")}


@pytest.mark.parametrize("body", [
    lambda logits, labels: {"loss": F.cross_entropy(logits.flatten(0, 1), labels.flatten())},
    _time_major_mean, _masked_mean, _box_l1, _summed,
], ids=["flat_mean", "time_major", "masked_mean", "box_l1", "sum"])
def test_flattened_token_rows_are_summed_per_sequence_before_the_table(monkeypatch, body):
    """Rows flattened from ``[B, T, ...]`` (or time-major ``[T, B, ...]``) are runs of one
    sequence each: the split sums each run (one reshape and sum) before adding into groups, from
    4,096 rows (here from 1, so that these small batches take that path). Same companions as the
    oracle, and as the table over every row."""
    from losssplit import _split

    logits, labels = _batch(seed=1)
    want = oracle_companions(body, (logits, labels), [ROWS, ROWS], SOURCES)
    runs = []
    table = _split.table

    def spy(pending, membership, origin=None):
        runs.append(sum(id(p.ratio.rows) in (origin or {}) for p in pending))
        return table(pending, membership, origin)

    monkeypatch.setattr(_split, "table", spy)
    monkeypatch.setattr(_split, "_RUNS_FROM", 1)
    got = {k: v.item() for k, v in split_and_compare(body, (logits, labels), SOURCES).items() if "_" in k}
    assert runs[-1] >= 1 and want and got == pytest.approx(want, rel=1e-6, abs=1e-7)
    monkeypatch.setattr(_split, "_RUNS_FROM", 1 << 40)
    every_row = {k: v.item() for k, v in split_and_compare(body, (logits, labels), SOURCES).items() if "_" in k}
    assert every_row == pytest.approx(got, rel=1e-6, abs=1e-7)


@pytest.mark.parametrize("ignore", [-100, 3, 255])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_any_ignore_index_reads_the_graph_at_valid_targets_only(reads, ignore, reduction):
    """The gather's index at ignored tokens is any class (the targets clamped into range), its
    value then replaced by 0: an ``ignore_index`` below, inside or above the classes."""
    weight = torch.rand(11) + 0.5
    logits, labels = _batch(seed=1)
    labels = torch.where(labels == -100, ignore, labels)

    def body(logits, labels, weight):
        return {"loss": F.cross_entropy(logits.flatten(0, 1), labels.flatten(), weight=weight, ignore_index=ignore,
                                        reduction=reduction)}

    _check(body, (logits, labels, weight), [ROWS, ROWS, KEEP])
    assert reads == ["graph"]
