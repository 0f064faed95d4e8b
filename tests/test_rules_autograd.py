"""Rule tests for ``torch.autograd.grad``: gradient penalties against the oracle (the body on each
group's images alone), and the forms where a gradient row may hold other images' (declined, the
reason named)."""

import pytest
import torch
import torch.nn.functional as F
from _helpers import check_rule, registered

KERNEL = torch.tensor([[[[0.5, -1.0], [0.25, 0.75]]]])  # a fixed 2x2 filter: the discriminator's
PROJECTION = torch.linspace(-1.0, 1.0, 16).reshape(4, 4)


def _real(targets):
    """The targets' maps stacked in the call, made leaves that require grad there."""
    return torch.stack([t["y"] for t in targets]).requires_grad_()


def _penalty(grad):
    """Squared gradient norm per image, mean over images."""
    return grad.pow(2).reshape(grad.shape[0], -1).sum(1).mean()


def r1_projection(outputs, targets):
    """R1 with a per-image discriminator (a projection, tanh, scaled by the predictions)."""
    with torch.enable_grad():
        real = _real(targets)
        score = (torch.tanh(real @ PROJECTION) * outputs["x"]).sum((1, 2))
        (grad,) = torch.autograd.grad(score.sum(), real, create_graph=True)
    return {"loss_r1": 5.0 * _penalty(grad)}


def r1_conv(outputs, targets):
    """R1 with a convolutional discriminator per image; non-scalar output, grad_outputs ones."""
    with torch.enable_grad():
        real = _real(targets)
        feat = F.leaky_relu(F.conv2d(real.unsqueeze(1), KERNEL), 0.2)
        score = (feat.squeeze(1) * outputs["x"][:, :2, :3]).sum((1, 2))
        (grad,) = torch.autograd.grad(outputs=[score], inputs=[real], grad_outputs=[torch.ones_like(score)],
                                      create_graph=True)
    return {"loss_r1": _penalty(grad)}


def gradient_penalty_on_interpolates(outputs, targets):
    """WGAN-GP style: (|grad| - 1)^2 at interpolates of real and (detached) fake maps; alpha per
    image from the image's own values (a random draw would differ on a group alone)."""
    with torch.enable_grad():
        real = torch.stack([t["y"] for t in targets])
        fake = outputs["x"]
        alpha = real.mean((1, 2), keepdim=True)
        mixed = (alpha * real + (1 - alpha) * fake.detach()).requires_grad_()
        score = torch.tanh(mixed @ PROJECTION).sum((1, 2)) * fake.mean((1, 2))
        (grad,) = torch.autograd.grad(score.sum(), mixed, create_graph=True)
        norm = grad.flatten(1).pow(2).sum(1).add(1e-12).sqrt()
    return {"loss_gp": ((norm - 1) ** 2).mean()}


CASES = {torch.autograd.grad: r1_projection}


def test_companion_is_the_body_on_the_group_alone():
    assert registered("autograd") == list(CASES)
    check_rule(r1_projection, "grad")


@pytest.mark.parametrize("body", [r1_conv, gradient_penalty_on_interpolates])
def test_penalty_forms_are_followed(body):
    check_rule(body, "grad")


class _MixingBackward(torch.autograd.Function):
    """Doubles its input; its backward averages the gradient over images."""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g.mean(0, keepdim=True).expand_as(g) * 2


def _penalised(score_of, **grad_kwargs):
    """R1 of the score ``score_of(real, outputs, targets)``, as the rule bodies give it."""

    def body(outputs, targets):
        with torch.enable_grad():
            real = _real(targets)
            score = score_of(real, outputs, targets)
            grads = torch.autograd.grad(score, real, create_graph=True, **grad_kwargs)
        return {"loss_r1": sum(_penalty(g) for g in grads)}

    return body


def _hooked(real, outputs, targets):
    h = real * outputs["x"]
    h.register_hook(lambda g: g.mean(0, keepdim=True).expand_as(g))
    return h.sum()


def _row_copied(real, outputs, targets):
    h = real * outputs["x"]
    h[0] = h[-1]
    return h.sum()


def _weights(targets):
    return torch.tensor([t["loss_weight"] for t in targets])


def _weighted_grad_outputs(outputs, targets):
    with torch.enable_grad():
        real = _real(targets)
        score = (real * outputs["x"]).sum((1, 2))
        (grad,) = torch.autograd.grad(score, real, grad_outputs=_weights(targets), create_graph=True)
    return {"loss_r1": _penalty(grad)}


def _penalty_on_arguments(outputs, targets):
    """Gradients w.r.t. the per-image tensors of the targets themselves (made outside the call:
    tensors derived from them before it may be in the graph)."""
    with torch.enable_grad():
        ys = [t["y"].requires_grad_() for t in targets]
        score = (torch.stack(ys) * outputs["x"]).sum()
        grads = torch.autograd.grad(score, ys, create_graph=True)
    return {"loss_r1": sum(g.pow(2).sum() for g in grads) / len(grads)}


NOT_PER_IMAGE = "between output and input is no per-image op of the call"
NO_LOSS = "an output that is no per-image loss of the call"
# Forms where a row of the gradient may hold other images' values: no companion, the reason named.
DECLINED = {
    "a batch statistic in the discriminator": (
        _penalised(lambda r, o, t: ((r - r.mean(0)) * o["x"]).sum()), NO_LOSS),
    "batch norm in training mode": (
        _penalised(lambda r, o, t: (F.batch_norm(r, None, None, training=True) * o["x"]).sum()), NO_LOSS),
    "a mean-normalised score": (  # its sum is a ratio of batch sums: the division is in the graph
        _penalised(lambda r, o, t: ((r * o["x"]).sum((1, 2)) / (r * o["x"]).sum()).sum()), "DivBackward0"),
    "the mean of the scores (1 / B in each row)": (
        _penalised(lambda r, o, t: (r * o["x"]).sum((1, 2)).mean()), "not the full sum of per-image values"),
    "inputs passed in (the targets' own tensors)": (_penalty_on_arguments, "an input not made in the call"),
    "a custom backward that averages over images": (
        _penalised(lambda r, o, t: (_MixingBackward.apply(r) * o["x"]).sum()), "a custom backward"),
    "a tensor hook that averages over images": (_penalised(_hooked), "between output and input"),
    "a row written from another image's": (_penalised(_row_copied), "Tensor.__setitem__"),
    "the weight field in the discriminator": (
        _penalised(lambda r, o, t: (r * o["x"] * _weights(t)[:, None, None]).sum()), NOT_PER_IMAGE),
    "the sum of a large weighted tensor freed before the grad": (
        _penalised(lambda r, o, t: (r * o["x"] * _weights(t)[:, None, None]).repeat(1, 800, 1).sum()),
        "a sum of a tensor no longer held"),
    "grad_outputs that are the weights": (_weighted_grad_outputs, "grad_outputs other than ones"),
    "batched grad_outputs": (
        _penalised(lambda r, o, t: (r * o["x"]).sum(), grad_outputs=torch.ones(2), is_grads_batched=True),
        "is_grads_batched"),
}


@pytest.mark.parametrize("case", list(DECLINED))
def test_forms_that_may_mix_images_decline(case):
    body, reason = DECLINED[case]
    check_rule(body, reason, declines=True)


# -- the gradient of one image's loss (MAML's inner loop) -------------------------------------------

HEAD_W = torch.nn.Parameter(torch.linspace(-0.5, 0.5, 16).reshape(4, 4))
HEAD_B = torch.nn.Parameter(torch.zeros(4))


def _inner_step(x, labels, w, b):
    """One SGD step of the head ``(w, b)`` on ``x`` by ``autograd.grad`` with ``create_graph``."""
    inner = F.cross_entropy(F.linear(x, w, b), labels)
    gw, gb = torch.autograd.grad(inner, (w, b), create_graph=True)
    return w - 0.5 * gw, b - 0.5 * gb


def maml_own_task(outputs, targets):
    """MAML over the images as tasks: the head adapted by two steps on the image's predictions,
    its CE on the image's target rows, stacked, mean."""
    losses = []
    with torch.enable_grad():
        for i, t in enumerate(targets):
            w, b = _inner_step(outputs["x"][i], t["labels"], HEAD_W, HEAD_B)
            w, b = _inner_step(outputs["x"][i], t["labels"], w, b)
            losses.append(F.cross_entropy(F.linear(t["y"], w, b), t["labels"]))
    return {"loss_meta": torch.stack(losses).mean()}


def maml_other_task(outputs, targets):
    """The head adapted on one image, its loss on the previous image's rows."""
    losses = []
    with torch.enable_grad():
        for i, t in enumerate(targets):
            w, b = _inner_step(outputs["x"][i], t["labels"], HEAD_W, HEAD_B)
            q = targets[i - 1]
            losses.append(F.cross_entropy(F.linear(q["y"], w, b), q["labels"]))
    return {"loss_meta": torch.stack(losses).mean()}


def maml_every_task(outputs, targets):
    """One head adapted on every image's rows, its loss on each image's."""
    labels = torch.cat([t["labels"] for t in targets])
    losses = []
    with torch.enable_grad():
        w, b = _inner_step(outputs["x"].flatten(0, 1), labels, HEAD_W, HEAD_B)
        for t in targets:
            losses.append(F.cross_entropy(F.linear(t["y"], w, b), t["labels"]))
    return {"loss_meta": torch.stack(losses).mean()}


def maml_weighted_inner(outputs, targets):
    """The inner loss times the image's weight (on a group alone, weight 1: another head)."""
    losses = []
    with torch.enable_grad():
        for i, t in enumerate(targets):
            inner = F.cross_entropy(F.linear(outputs["x"][i], HEAD_W, HEAD_B), t["labels"]) * t["loss_weight"]
            gw, gb = torch.autograd.grad(inner, (HEAD_W, HEAD_B), create_graph=True)
            losses.append(F.cross_entropy(F.linear(t["y"], HEAD_W - 0.5 * gw, HEAD_B - 0.5 * gb), t["labels"]))
    return {"loss_meta": torch.stack(losses).mean()}


def maml_inner_over_a_constant(outputs, targets):
    """The inner loss summed over a constant (the task count of a full batch, 4)."""
    losses = []
    with torch.enable_grad():
        for i, t in enumerate(targets):
            x = outputs["x"][i]
            inner = F.cross_entropy(F.linear(x, HEAD_W, HEAD_B), t["labels"], reduction="sum") / 4
            gw, gb = torch.autograd.grad(inner, (HEAD_W, HEAD_B), create_graph=True)
            losses.append(F.cross_entropy(F.linear(t["y"], HEAD_W - 0.5 * gw, HEAD_B - 0.5 * gb), t["labels"]))
    return {"loss_meta": torch.stack(losses).mean()}


def maml_weighted_rows_freed(outputs, targets):
    """The inner loss's rows times the task's weight from a tensor of the weights, the product large
    and freed before the grad (no node of it left to check): the gradient would carry the weight
    (silently wrong before the value check of s50)."""
    w = torch.tensor([t["loss_weight"] for t in targets])
    losses = []
    with torch.enable_grad():
        for i, t in enumerate(targets):
            rows = F.cross_entropy(F.linear(outputs["x"][i], HEAD_W, HEAD_B), t["labels"], reduction="none")
            inner = (rows.repeat(4000) * w[i]).mean()
            gw, gb = torch.autograd.grad(inner, (HEAD_W, HEAD_B), create_graph=True)
            losses.append(F.cross_entropy(F.linear(t["y"], HEAD_W - 0.5 * gw, HEAD_B - 0.5 * gb), t["labels"]))
    return {"loss_meta": torch.stack(losses).mean()}


def test_a_head_adapted_on_one_images_rows_is_that_images():
    """MAML's inner step: the gradient of one image's own loss is that image's, the head adapted
    with it too, and its loss on the image's rows splits as the oracle."""
    check_rule(maml_own_task, "grad")  # (fails before s50: the gradient and the head declined)


LINEAR_OF_LOST = "torch.linear of a weight or bias"  # the head whose gradient was declined
ADAPTED_DECLINED = {
    "a head adapted on one task, its loss on another's rows": (maml_other_task, "rows of different images were paired"),
    "a head adapted on every task's rows": (maml_every_task, LINEAR_OF_LOST),
    "an inner loss times the task's weight": (maml_weighted_inner, LINEAR_OF_LOST),
    # not followed into the gradient (a divisor of the loss): declined, though the group's is the same constant
    "an inner loss over a constant": (maml_inner_over_a_constant, LINEAR_OF_LOST),
    "inner rows weighted, freed before the grad": (maml_weighted_rows_freed, "whose value holds a weight"),
}


@pytest.mark.parametrize("case", list(ADAPTED_DECLINED))
def test_heads_adapted_otherwise_decline(case):
    body, reason = ADAPTED_DECLINED[case]
    check_rule(body, reason, declines=True)
