"""Modules with a fused fast path (attention, transformer encoders) inside a decorated body.

Under any torch function mode they leave their fast path, so the capture steps aside while they
run: values are bit-identical to the undecorated call, and their outputs keep the input's rows
along the batch dim (these modules never mix the samples of a batch).
"""

import pytest
import torch
import torch.nn.functional as F
from _helpers import bits, companions
from torch import nn
from torch.nn.modules import module as module_hooks

import losssplit
from losssplit import split_by_source

SOURCES = ["a", "a", "b", "c"]


def _frozen(module):
    return module.eval().requires_grad_(False)


@pytest.fixture(scope="module")
def teachers():
    with torch.random.fork_rng():
        torch.manual_seed(0)
        return {
            "layer": _frozen(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)),
            "encoder": _frozen(nn.TransformerEncoder(
                nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True), 2, enable_nested_tensor=False)),
            "attention_time_major": _frozen(nn.MultiheadAttention(8, 2)),
        }


def _features(teacher, x):
    if isinstance(teacher, nn.MultiheadAttention):  # [T, B, E] in and out
        t = x.transpose(0, 1)
        return teacher(t, t, t)[0].transpose(0, 1)
    return teacher(x)


@pytest.mark.parametrize("kind", ["layer", "encoder", "attention_time_major"])
@pytest.mark.parametrize("grad", [True, False], ids=["grad", "no_grad"])
def test_distillation_from_a_frozen_teacher_is_bit_identical_and_split(teachers, kind, grad):
    teacher = teachers[kind]

    def body(student, x):
        return {"loss_feat": F.mse_loss(student, _features(teacher, x))}

    g = torch.Generator().manual_seed(3)
    student = torch.randn(4, 5, 8, generator=g, requires_grad=grad)
    x = torch.randn(4, 5, 8, generator=g)
    with torch.set_grad_enabled(grad):
        plain = body(student, x)
        with losssplit.sources(SOURCES):
            out = split_by_source(body)(student, x)
    assert torch.equal(bits(out["loss_feat"]), bits(plain["loss_feat"]))
    want = {}
    for group in sorted(set(SOURCES)):
        rows = [i for i, s in enumerate(SOURCES) if s == group]
        with torch.no_grad():
            want[f"loss_feat_{group}"] = F.mse_loss(student[rows], _features(teacher, x[rows])).item()
    assert companions(out) == pytest.approx(want, rel=1e-5)
    assert torch._C._len_torch_function_stack() == 0


def test_an_error_inside_the_module_leaves_no_mode_and_no_hook_behind(teachers):
    @split_by_source
    def body(student, x):
        return {"loss": F.mse_loss(student, teachers["layer"](x))}

    with losssplit.sources(SOURCES), pytest.raises(RuntimeError):
        body(torch.randn(4, 5, 8), torch.randn(4, 5, 7))  # the wrong width for the layer
    assert torch._C._len_torch_function_stack() == 0
    assert not module_hooks._global_forward_pre_hooks and not module_hooks._global_forward_hooks


def test_a_prediction_entering_along_a_non_batch_dim_is_declined(teachers, warnings_of):
    @split_by_source
    def body(student, x):
        return {"loss": F.mse_loss(student, teachers["layer"](x.transpose(0, 1)).transpose(0, 1))}

    with losssplit.sources(SOURCES):
        out = body(torch.randn(4, 4, 8, requires_grad=True), torch.randn(4, 4, 8, requires_grad=True))
    assert companions(out) == {}
    assert any("nn.TransformerEncoderLayer" in m for m in warnings_of())
