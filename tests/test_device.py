"""The seed's criterion on an accelerator: same companions as on CPU, at most one added sync.

Skipped where no CUDA device is present (CI has none); run on a GPU machine with
``python -m pytest -q tests/test_device.py``.
"""

import warnings

import pytest
import torch
from seed_criterion import RelationCriterion, make_batch

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
