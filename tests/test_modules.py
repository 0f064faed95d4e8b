"""Modules with a fused fast path (attention, transformer encoders) inside a decorated body.

Under any torch function mode they leave their fast path, so the capture steps aside while they
run: values are bit-identical to the undecorated call, and their outputs keep the input's rows
along the batch dim (these modules never mix the samples of a batch).
"""

import pytest
import torch
import torch.nn.functional as F
from _helpers import Along, bits, companions, split_and_compare, split_outcome, wrong_companions
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


_POOL = _frozen(nn.MultiheadAttention(8, 2, batch_first=True))
_PROBE = torch.randn(1, 1, 8, generator=torch.Generator().manual_seed(5))


def _pooled(x, **masks):
    """Attention pooling with a learned query (SigLIP's head, Q-Former's queries): the probe,
    repeated per image, attends to that image's tokens: [B, 8]."""
    return _POOL(_PROBE.expand(x.shape[0], 1, 8), x, x, **masks)[0][:, 0]


def _pooled_contrastive(x, text, padding):
    """The pooled embeddings in a per-row norm (each image's own) and an in-batch contrastive CE
    (each text's negatives are the other images), pooled with and without a padding mask."""
    pooled, masked = _pooled(x), _pooled(x, key_padding_mask=padding)
    logits = text @ pooled.t()
    return {"loss_norm": pooled.pow(2).sum(1).mean(), "loss_masked": masked.pow(2).sum(1).mean(),
            "loss_clip": F.cross_entropy(logits, torch.arange(len(logits)))}


def test_a_learned_query_attending_to_the_images_carries_their_rows(warnings_of):
    """Was wrong: the module's output took the query's rows only; a probe's carries none, so the
    pooled embeddings read as constants and the in-batch CE over them was split per text."""
    g = torch.Generator().manual_seed(6)
    padding = torch.zeros(4, 5, dtype=torch.bool)
    padding[1, 3:] = padding[3, 4:] = True
    args = [torch.randn(4, 5, 8, generator=g, requires_grad=True), torch.randn(4, 8, generator=g, requires_grad=True),
            padding]
    got, want, said = split_outcome(_pooled_contrastive, args, [Along(0)] * 3, SOURCES)
    assert not wrong_companions(got, want)
    assert set(got) == {k for k in want if not k.startswith("loss_clip")}
    assert any("'loss_clip'" in m for m in said)


def _own_masks(x, mask):
    """A ``[B * heads, L, S]`` mask of the images, batch-major (``repeat_interleave``) as the module
    reads it: each image's heads get its own mask."""
    own = mask.repeat_interleave(2, 0)[:, None, :].expand(-1, 4, -1)
    return {"loss_own": _POOL(x, x, x, attn_mask=own)[0].pow(2).mean()}


def _other_masks(x, mask):
    """Near-miss: the mask stacked head-major (``repeat``): image b's heads get other images' masks."""
    other = mask.repeat(2, 1)[:, None, :].expand(-1, 4, -1)
    return {"loss_mask": _POOL(x, x, x, attn_mask=other)[0].pow(2).mean()}


def _keys_of_other_images(x):
    """Near-miss: keys whose images run along the tokens (each query attends to other images)."""
    return {"loss_keys": _POOL(x, x.transpose(0, 1), x.transpose(0, 1))[0].pow(2).mean()}


def test_an_attention_mask_per_head_of_each_image_splits_and_of_other_images_declines(warnings_of):
    g = torch.Generator().manual_seed(7)
    mask = torch.rand(4, 4, generator=g) > 0.7  # 4 tokens: as many as images
    mask[:, 0] = False
    x = torch.randn(4, 4, 8, generator=g, requires_grad=True)
    got, want, said = split_outcome(_own_masks, [x, mask], [Along(0)] * 2, SOURCES)
    assert got == pytest.approx(want, rel=1e-5) and set(got) == {f"loss_own_{s}" for s in SOURCES}
    got, want, said = split_outcome(_other_masks, [x, mask], [Along(0)] * 2, SOURCES)
    assert got == {} and set(want) == {f"loss_mask_{s}" for s in SOURCES}
    assert any("rows of different images were paired at nn.MultiheadAttention" in m for m in said)
    assert companions(split_and_compare(_keys_of_other_images, [x], SOURCES)) == {}
    assert any("'loss_keys'" in m and "nn.MultiheadAttention" in m for m in warnings_of())


def test_calls_leave_no_global_module_hook_state_behind():
    """Each call registers global module hooks and removes them; torch's handle leaves the
    ``with_kwargs`` flag of a global forward hook behind, so without clearing it one entry per
    call stayed in ``_global_forward_hooks_with_kwargs`` (a slow leak over a training run)."""
    @split_by_source
    def crit(pred, targets):
        return {"loss": F.mse_loss(pred, torch.cat([t["y"] for t in targets]))}

    tables = [getattr(module_hooks, name, {}) for name in (
        "_global_forward_hooks", "_global_forward_pre_hooks", "_global_forward_hooks_with_kwargs",
        "_global_forward_hooks_always_called")]
    before = [len(t) for t in tables]
    targets = [{"y": torch.rand(2, 3), "loss_weight": w} for w in (1.0, 0.5)]
    for _ in range(5):
        assert set(crit(torch.rand(4, 3), targets)) == {"loss", "loss_real", "loss_synthetic"}
    assert [len(t) for t in tables] == before


def test_on_a_torch_whose_global_forward_hook_takes_no_kwargs_a_fast_path_output_declines(teachers, warnings_of,
                                                                                          monkeypatch):
    """torch 2.5, for one, has no ``with_kwargs`` on the global forward hook: the module's keyword
    inputs cannot be read, so its output is no image's; the loss stays bit-identical, the call
    declines naming the module, and no mode or hook is left behind."""
    register = module_hooks.register_module_forward_hook

    def older(hook, *, always_call=False, **kwargs):
        if kwargs:
            raise TypeError(f"register_module_forward_hook() got an unexpected keyword argument {next(iter(kwargs))!r}")
        return register(hook, always_call=always_call)

    monkeypatch.setattr(module_hooks, "register_module_forward_hook", older)
    teacher = teachers["attention_time_major"]

    def body(student, x):
        return {"loss_feat": F.mse_loss(student, _features(teacher, x))}

    g = torch.Generator().manual_seed(3)
    student, x = torch.randn(4, 5, 8, generator=g), torch.randn(4, 5, 8, generator=g)
    with losssplit.sources(SOURCES):
        out = split_by_source(body)(student, x)
    assert set(out) == {"loss_feat"} and torch.equal(bits(out["loss_feat"]), bits(body(student, x)["loss_feat"]))
    assert any("nn.MultiheadAttention's keyword arguments" in m for m in warnings_of())
    assert torch._C._len_torch_function_stack() == 0
    assert not module_hooks._global_forward_pre_hooks and not module_hooks._global_forward_hooks
