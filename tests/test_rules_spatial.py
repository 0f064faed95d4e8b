"""Every function with a spatial rule (resizing, convolution, pooling, normalisation layers), in a
small body checked against the oracle.

The per-element errors of ``x`` [B, 3, 4] against the images' ``y`` are read as one map per image
(``[B, 1, 3, 4]``, or ``[B, 3, 4]`` as 3 channels of length 4), resized / convolved / pooled with the
batch on dim 0, then averaged: the companion of group S must be the body run on S's images alone
(``_helpers.check_rule``). Where the op runs over a dim that carries images, or the kernel itself
carries them, the rule declines: no companion and a warning naming the op.
"""

import pytest
import torch
import torch.nn.functional as F
from _helpers import check_rule, op_id, registered


def _err(outputs, targets):
    y = torch.stack([t["y"] for t in targets])
    return (outputs["x"] - y).abs() + 0.1, y


def _weights(targets):
    return torch.tensor([t["loss_weight"] for t in targets])[:, None, None]


def mapped(call, weighted=False):
    """A body whose loss is the mean of ``call(err)``; ``weighted``: the errors times each image's
    weight first (the companion takes the weight as 1, so the op is replayed on the unweighted
    errors)."""

    def body(outputs, targets):
        err, _ = _err(outputs, targets)
        if weighted:
            err = err * _weights(targets)
        out = call(err)
        if isinstance(out, tuple):  # (values, indices): indices are data, used as a mask
            values, indices = out
            out = values * (indices >= 0)
        return {"loss": out.mean()}

    return body


def _window(channels, size=3, sigma=1.5):
    """A normalised Gaussian window, one per channel (``groups=channels``), as SSIM builds it."""
    g = torch.exp(-((torch.arange(size) - size // 2) ** 2).float() / (2 * sigma**2))
    g = g / g.sum()
    return (g[:, None] @ g[None, :]).expand(channels, 1, size, size).contiguous()


def _grid(err, y):
    return err.unsqueeze(1), y.reshape(y.shape[0], 3, 2, 2) * 2 - 1


def sampled(weighted=False):
    def body(outputs, targets):
        err, y = _err(outputs, targets)
        if weighted:
            err = err * _weights(targets)
        return {"loss": F.grid_sample(*_grid(err, y), align_corners=False).mean()}

    return body


MAP = lambda e: e.unsqueeze(1)  # noqa: E731 - [B, 1, 3, 4]
VOL = lambda e: e[:, None, None]  # noqa: E731 - [B, 1, 1, 3, 4]
_RUNNING = dict(running_mean=torch.full((3,), 0.4), running_var=torch.full((3,), 0.5), training=False)

CASES = {
    F.interpolate: mapped(lambda e: F.interpolate(MAP(e), size=(5, 7), mode="bilinear", align_corners=False),
                          weighted=True),
    F.unfold: mapped(lambda e: F.unfold(MAP(e), 2).square(), weighted=True),
    torch.conv1d: mapped(lambda e: F.conv1d(e, _window(3)[:, :, 1], padding=1, groups=3), weighted=True),
    torch.conv2d: mapped(lambda e: F.conv2d(MAP(e), _window(1), padding=1)),
    torch.conv3d: mapped(lambda e: F.conv3d(VOL(e), torch.ones(2, 1, 1, 2, 2) / 4)),
    torch.conv_transpose1d: mapped(lambda e: F.conv_transpose1d(e, torch.ones(3, 2, 2) / 4)),
    torch.conv_transpose2d: mapped(lambda e: F.conv_transpose2d(MAP(e), torch.ones(1, 2, 2, 2) / 4), weighted=True),
    torch.conv_transpose3d: mapped(lambda e: F.conv_transpose3d(VOL(e), torch.ones(1, 1, 1, 2, 2) / 4)),
    F.avg_pool1d: mapped(lambda e: F.avg_pool1d(e, 2)),
    F.avg_pool2d: mapped(lambda e: F.avg_pool2d(MAP(e), 2, stride=1), weighted=True),
    F.avg_pool3d: mapped(lambda e: F.avg_pool3d(VOL(e), (1, 2, 2))),
    F.max_pool1d: mapped(lambda e: F.max_pool1d(e, 2)),
    F.max_pool2d: mapped(lambda e: F.max_pool2d(MAP(e), 2, stride=1), weighted=True),
    F.max_pool3d: mapped(lambda e: F.max_pool3d(VOL(e), (1, 2, 2))),
    F.max_pool1d_with_indices: mapped(lambda e: F.max_pool1d(e, 2, return_indices=True)),
    F.max_pool2d_with_indices: mapped(lambda e: F.max_pool2d(MAP(e), 2, return_indices=True), weighted=True),
    F.max_pool3d_with_indices: mapped(lambda e: F.max_pool3d(VOL(e), (1, 2, 2), return_indices=True)),
    F.adaptive_avg_pool1d: mapped(lambda e: F.adaptive_avg_pool1d(e, 2)),
    F.adaptive_avg_pool2d: mapped(lambda e: F.adaptive_avg_pool2d(MAP(e), 1), weighted=True),
    F.adaptive_avg_pool3d: mapped(lambda e: F.adaptive_avg_pool3d(VOL(e), (1, 2, 2))),
    F.adaptive_max_pool1d: mapped(lambda e: F.adaptive_max_pool1d(e, 3)),
    F.adaptive_max_pool2d: mapped(lambda e: F.adaptive_max_pool2d(MAP(e), 2)),
    F.adaptive_max_pool3d: mapped(lambda e: F.adaptive_max_pool3d(VOL(e), 1)),
    F.adaptive_max_pool1d_with_indices: mapped(lambda e: F.adaptive_max_pool1d(e, 2, return_indices=True)),
    F.adaptive_max_pool2d_with_indices: mapped(lambda e: F.adaptive_max_pool2d(MAP(e), 2, return_indices=True)),
    F.adaptive_max_pool3d_with_indices: mapped(lambda e: F.adaptive_max_pool3d(VOL(e), 1, return_indices=True)),
    F.lp_pool1d: mapped(lambda e: F.lp_pool1d(e, 2, 2)),
    F.lp_pool2d: mapped(lambda e: F.lp_pool2d(MAP(e), 2, 2), weighted=True),
    F.batch_norm: mapped(lambda e: F.batch_norm(e, **_RUNNING), weighted=True),
    F.layer_norm: mapped(lambda e: F.layer_norm(e, (4,)).abs(), weighted=True),
    F.group_norm: mapped(lambda e: F.group_norm(e, 1).abs()),
    F.instance_norm: mapped(lambda e: F.instance_norm(e).abs(), weighted=True),
    F.grid_sample: sampled(weighted=True),
    F.local_response_norm: mapped(lambda e: F.local_response_norm(e, 2), weighted=True),
    torch.Tensor.renorm: mapped(lambda e: e.renorm(2, 0, 0.5), weighted=True),
    torch.renorm: mapped(lambda e: torch.renorm(e, 1, 0, 2.0)),
}
DECLINES: dict = {}
WRONG: dict = {}


def params():
    for f in registered("spatial"):
        marks = [pytest.mark.xfail(strict=True, reason=WRONG[f])] if f in WRONG else []
        yield pytest.param(f, id=op_id(f), marks=marks)


@pytest.mark.parametrize("func", params())
def test_companion_is_the_body_on_the_group_alone(func):
    check_rule(CASES[func], op_id(func).split(".")[-1], declines=func in DECLINES)


def ssim_loss(outputs, targets):
    """1 - SSIM of each image's map against its target, Gaussian windows per channel (groups=C)."""
    x = outputs["x"].unsqueeze(1)
    y = torch.stack([t["y"] for t in targets]).unsqueeze(1)
    w = _window(1)
    mu_x, mu_y = F.conv2d(x, w, padding=1, groups=1), F.conv2d(y, w, padding=1, groups=1)
    sxx = F.conv2d(x * x, w, padding=1) - mu_x**2
    syy = F.conv2d(y * y, w, padding=1) - mu_y**2
    sxy = F.conv2d(x * y, w, padding=1) - mu_x * mu_y
    c1, c2 = 0.01**2, 0.03**2
    ssim = ((2 * mu_x * mu_y + c1) * (2 * sxy + c2)) / ((mu_x**2 + mu_y**2 + c1) * (sxx + syy + c2))
    return {"loss": 1 - ssim.mean()}


def test_ssim_with_gaussian_windows_is_followed():
    check_rule(ssim_loss, "conv2d")


# Ops over a dim that carries images, or with a kernel that does: declined, the op named.
MIXING = {
    "interpolate over the batch dim": (
        mapped(lambda e: F.interpolate(e.permute(1, 2, 0).unsqueeze(0), scale_factor=2.0)), "interpolate"),
    "conv over the batch dim": (
        mapped(lambda e: F.conv1d(e.permute(1, 2, 0).flatten(0, 1).unsqueeze(0), torch.ones(1, 12, 2), padding=1)), "conv1d"),
    "a kernel that carries images": (
        mapped(lambda e: F.conv2d(MAP(e), MAP(e)[-1:, :, :2, :2])), "conv2d"),
    "pooling over rows": (mapped(lambda e: F.avg_pool1d(e.transpose(0, 2), 2, stride=1, padding=1)), "avg_pool1d"),
    "unfold with the images on the channel dim": (mapped(lambda e: F.unfold(e.unsqueeze(0), 2)), "unfold"),
    "batch_norm in training mode": (
        mapped(lambda e: F.batch_norm(e, torch.zeros(3), torch.ones(3), training=True)), "batch_norm"),
    "batch_norm without running statistics": (mapped(lambda e: F.batch_norm(e, None, None, training=True)),
                                              "batch_norm"),
    "layer_norm over the batch dim": (mapped(lambda e: F.layer_norm(e.transpose(0, 2), (e.shape[0],))),
                                      "layer_norm"),
    "local_response_norm with the images as channels": (mapped(lambda e: F.local_response_norm(e.transpose(0, 1), 2)),
                                                        "local_response_norm"),
    "renorm of each column over the images": (mapped(lambda e: e.renorm(2, 2, 0.5)), "renorm"),
}


@pytest.mark.parametrize("case", list(MIXING))
def test_ops_that_mix_images_decline(case):
    body, op = MIXING[case]
    check_rule(body, op, declines=True)


# Every argument by name, as monai's separable filters call them (``conv(input=x, weight=k, groups=c)``):
# the same rules; first contact (survey 42) was an internal error on ``args[0]``, every companion lost.
BY_NAME = {
    "conv2d": mapped(lambda e: F.conv2d(input=MAP(e), weight=_window(1), padding=1), weighted=True),
    "conv1d": mapped(lambda e: F.conv1d(input=e, weight=_window(3)[:, :, 1], padding=1, groups=3)),
    "avg_pool2d": mapped(lambda e: F.avg_pool2d(input=MAP(e), kernel_size=2, stride=1), weighted=True),
}


@pytest.mark.parametrize("op", list(BY_NAME))
def test_arguments_given_by_name_split_as_given_by_position(op):
    check_rule(BY_NAME[op], op)


# Near misses by name: a kernel that carries images, pooling over rows (declined, the op named).
MIXING_BY_NAME = {
    "a kernel that carries images": (
        mapped(lambda e: F.conv2d(input=MAP(e), weight=MAP(e)[-1:, :, :2, :2])), "conv2d"),
    "pooling over rows": (mapped(lambda e: F.avg_pool1d(input=e.transpose(0, 2), kernel_size=2, stride=1, padding=1)),
                          "avg_pool1d"),
}


@pytest.mark.parametrize("case", list(MIXING_BY_NAME))
def test_ops_by_name_that_mix_images_decline(case):
    body, op = MIXING_BY_NAME[case]
    check_rule(body, op, declines=True)
