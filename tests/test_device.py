"""The seed's criterion on an accelerator: same companions as on CPU, at most one added sync.

Skipped where no CUDA device is present (CI has none); run on a GPU machine with
``python -m pytest -q tests/test_device.py``.
"""

import functools
import warnings

import pytest
import torch
import torch.nn.functional as F
from seed_criterion import RelationCriterion, make_batch

import losssplit
from losssplit import companion_of, split_by_source

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


class Decorated(RelationCriterion):
    get_relation_loss = split_by_source(RelationCriterion.get_relation_loss)


def to_device(batch, device):
    outputs, targets, indices, num_boxes = batch
    outputs = {k: v.detach().to(device).requires_grad_() for k, v in outputs.items()}
    targets = [{k: (v.to(device) if torch.is_tensor(v) else v) for k, v in t.items()} for t in targets]
    indices = [(s.to(device), j.to(device)) for s, j in indices]
    return outputs, targets, indices, num_boxes


def syncs(fn):
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("warn")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = fn()
    finally:
        torch.cuda.set_sync_debug_mode(0)
    return sum("synchroniz" in str(w.message) for w in caught), result


def test_cuda_companions_equal_cpu_and_add_at_most_one_sync():
    cpu_batch = make_batch(rows_per_image=[3, 0, 2, 1], weights=[1.0, 0.5, 0.5, 1.0])
    cpu = Decorated().get_relation_loss(*cpu_batch)
    batch = to_device(cpu_batch, "cuda")
    crit, plain = Decorated().cuda(), RelationCriterion().cuda()
    plain_syncs, plain_out = syncs(lambda: plain.get_relation_loss(*batch))
    ours_syncs, out = syncs(lambda: crit.get_relation_loss(*batch))
    assert ours_syncs - plain_syncs <= 1
    for key, value in cpu.items():
        if companion_of(value) is not None:
            assert out[key].device.type == "cuda"
            assert out[key].item() == pytest.approx(value.item(), rel=1e-4)
        else:
            torch.testing.assert_close(out[key].cpu(), plain_out[key].cpu())


def _cuda_leaves(outputs):
    return {k: v.detach().to("cuda").requires_grad_() for k, v in outputs.items()}


@pytest.mark.parametrize(
    "method", ["class_weighted_ce", "box_l1_and_giou", "focal_over_queries", "quality_weighted_bce", "exist_masked_l1"]
)
@pytest.mark.parametrize("counts", [[2, 0, 1, 1], [3, 1, 2]])
def test_matched_query_terms_on_cuda(method, counts):
    """The DETR-shaped terms of test_patterns on CUDA: loss and gradients bit-identical to the
    undecorated CUDA call, companions those of the CPU run, at most one added sync."""
    from test_patterns import SOURCES, MatchedQueryLosses, make_matched_batch

    outputs, targets, indices, num_boxes = make_matched_batch(counts, SOURCES[len(counts)])
    body = getattr(MatchedQueryLosses, method)
    decorated = split_by_source(source="dataset")(body)
    cpu = decorated(MatchedQueryLosses(), outputs, targets, indices, num_boxes)
    crit = MatchedQueryLosses().cuda()
    cuda_targets = [{k: (v.cuda() if torch.is_tensor(v) else v) for k, v in t.items()} for t in targets]
    cuda_indices = [(s.cuda(), j.cuda()) for s, j in indices]
    plain_in, again_in, ours_in = _cuda_leaves(outputs), _cuda_leaves(outputs), _cuda_leaves(outputs)
    plain_syncs, plain = syncs(lambda: body(crit, plain_in, cuda_targets, cuda_indices, num_boxes))
    again = body(crit, again_in, cuda_targets, cuda_indices, num_boxes)
    ours_syncs, ours = syncs(lambda: decorated(crit, ours_in, cuda_targets, cuda_indices, num_boxes))
    assert ours_syncs - plain_syncs <= 1
    # CUDA's class-weighted NLL sums with atomics: undecorated calls differ in the last bits from
    # run to run, so bits are compared where 16 undecorated calls all repeat them, values elsewhere
    repeats = [body(crit, _cuda_leaves(outputs), cuda_targets, cuda_indices, num_boxes) for _ in range(16)]
    same = all(torch.equal(r[k], v) for r in [again, *repeats] for k, v in plain.items())
    for key, value in plain.items():
        assert torch.equal(ours[key], value) if same else torch.allclose(ours[key], value, rtol=1e-5, atol=0), key
    sum(plain.values()).backward()
    sum(again.values()).backward()
    sum(v for k, v in ours.items() if k in plain).backward()
    for name in outputs:
        mine, theirs = ours_in[name].grad, plain_in[name].grad
        assert (mine is None) == (theirs is None), name
        if mine is not None:
            repeats = torch.equal(again_in[name].grad, theirs)
            assert torch.equal(mine, theirs) if repeats else torch.allclose(mine, theirs, rtol=1e-5, atol=1e-7), name
    want = {k: v.item() for k, v in cpu.items() if companion_of(v) is not None}
    got = {k: v.item() for k, v in ours.items() if companion_of(v) is not None}
    assert want and got == pytest.approx(want, rel=1e-4, abs=1e-6)


@pytest.mark.parametrize("grad", [True, False])
def test_token_ce_over_a_mixture_on_cuda(grad):
    """A causal LM's shifted token CE with ignore_index, one source per sequence, on CUDA: the
    companions equal the CPU run's, at most one added sync, with and without a graph."""
    from test_patterns import Lm

    g = torch.Generator().manual_seed(0)
    logits = torch.randn(6, 9, 17, generator=g)
    labels = torch.randint(0, 17, (6, 9), generator=g)
    labels[1, 4:] = -100
    labels[4, 2:] = -100
    mixture = ["web", "code", "web", "math", "code", "math"]
    with losssplit.sources(mixture):
        cpu = Lm()(logits.requires_grad_(grad), labels)
    lm, x, y = Lm().cuda(), logits.detach().cuda().requires_grad_(grad), labels.cuda()
    with torch.set_grad_enabled(grad):
        plain_syncs, plain = syncs(lambda: Lm.forward.__wrapped__(lm, x, y))
        with losssplit.sources(mixture):
            ours_syncs, ours = syncs(lambda: lm(x, y))
    assert ours_syncs - plain_syncs <= 1
    assert torch.equal(ours["loss"], plain["loss"])
    want = {k: v.item() for k, v in cpu.items() if companion_of(v) is not None}
    got = {k: v.item() for k, v in ours.items() if companion_of(v) is not None}
    assert set(want) == {"loss_web", "loss_code", "loss_math"}
    assert got == pytest.approx(want, rel=1e-4)


def test_a_thousand_sources_on_cuda():
    """1,000 distinct labels over 4,096 rows on CUDA: every group's mean CE, at most one added sync."""
    g = torch.Generator().manual_seed(1)
    logits = torch.randn(4096, 10, generator=g).cuda().requires_grad_()
    classes = torch.randint(0, 10, (4096,), generator=g).cuda()
    labels = [f"s{i % 1000}" for i in range(4096)]

    @split_by_source
    def criterion(logits, classes):
        return {"loss_ce": F.cross_entropy(logits, classes)}

    with losssplit.sources(labels):
        count, out = syncs(lambda: criterion(logits, classes))
    assert count <= 1
    nll = F.cross_entropy(logits.detach(), classes, reduction="none").cpu()
    for i in (0, 7, 999):
        rows = torch.arange(i, 4096, 1000)
        assert out[f"loss_ce_s{i}"].item() == pytest.approx(nll[rows].mean().item(), rel=1e-5)
    assert sum(companion_of(v) is not None for v in out.values()) == 1000


def _on_cuda(value):
    """``value`` with every tensor on the CUDA device (a leaf that requires grad stays one)."""
    if isinstance(value, torch.Tensor):
        moved = value.detach().cuda()
        return moved.requires_grad_() if value.requires_grad else moved
    if isinstance(value, dict):
        return {k: _on_cuda(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_on_cuda(v) for v in value)
    return value


def test_the_cpu_audit_of_library_syncs_holds_on_cuda():
    """``benchmarks/library_syncs.py`` (the CPU-side audit, ``tests/test_library_syncs.py``) on the
    device: the seed's call and each surveyed criterion add at most one sync by
    ``torch.cuda.set_sync_debug_mode``, and the audit counts at most one of losssplit's own (a
    difference between the two is a sync the audit does not see: a blocking copy to the device)."""
    import importlib

    from library_syncs import count_library_syncs
    from test_library_syncs import SURVEYED

    batch = to_device(make_batch(), "cuda")
    crit, plain = Decorated().cuda(), RelationCriterion().cuda()
    plain_syncs, _ = syncs(lambda: plain.get_relation_loss(*batch))
    ours_syncs, (calls, _) = syncs(lambda: count_library_syncs(lambda: crit.get_relation_loss(*batch)))
    print(f"seed: added syncs {ours_syncs - plain_syncs}, audit {[c.count for c in calls]}")
    assert ours_syncs - plain_syncs <= 1 and [c.count for c in calls] == [1]
    ran = 0
    for module, name in SURVEYED:
        case = importlib.import_module(module).CASES[name]
        args, _, labels = case.batch(0)
        args = _on_cuda(args)
        try:
            plain_syncs, _ = syncs(functools.partial(case.body, *args))
        except RuntimeError:  # the body makes CPU tensors of its own: not a device body as written
            continue
        with losssplit.sources(labels) if labels is not None else warnings.catch_warnings():
            ours_syncs, (calls, _) = syncs(functools.partial(count_library_syncs,
                                                             functools.partial(split_by_source(case.body), *args)))
        print(f"{name}: added syncs {ours_syncs - plain_syncs}, audit {[c.count for c in calls]}")
        assert ours_syncs - plain_syncs <= 1 and all(c.count <= 1 for c in calls), name
        ran += 1
    assert ran, "no surveyed criterion runs on CUDA as written"
