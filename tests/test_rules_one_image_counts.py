"""A size of image rows, or a number the body computes from one, on a call of one image: the image is
whole in its group, so on that group alone the count is the batch's -- a width it slices or takes
along a dim without images (``e[..., :bs]``, ``e.topk(bs + 1)``, ``Tensor.split`` by it: torchmetrics'
multi-scale SSIM of one image), a value (``clamp(max=0.2 * bs)``) or a factor (``l.mean() * (bs +
1)``) is the same there. The image's weight, set to 1 in the oracle, is no count. On batches of
several images each group alone has its own count: the same bodies decline, naming the key. Each
body is compared with the oracle (the body run on each group's images alone)."""

from __future__ import annotations

import pytest
from _helpers import ROWS, TARGETS, rule_batch, rule_errors, split_outcome


def sliced_by_the_count(outputs, targets):
    e = rule_errors(outputs, targets)
    bs = outputs["x"].shape[0]
    return {"loss": e.sort(-1).values[..., :bs + 1].mean()}


def top_of_the_count(outputs, targets):
    e = rule_errors(outputs, targets)
    return {"loss": e.topk((outputs["x"].shape[0] + 1) // 2 + 1, dim=-1).values.mean()}


def split_by_the_count(outputs, targets):  # torchmetrics' MS-SSIM: the stacked levels split back by the batch size
    e = rule_errors(outputs, targets).flatten(1)
    first, rest = e.split([e.shape[0] * 2, e.shape[1] - e.shape[0] * 2], dim=1)
    return {"loss": first.mean() + 0.5 * rest.mean()}


def clamped_at_a_count(outputs, targets):
    e = rule_errors(outputs, targets)
    return {"loss": e.clamp(max=0.2 * outputs["x"].shape[0]).mean()}


def scaled_by_a_count(outputs, targets):
    e = rule_errors(outputs, targets)
    return {"loss": e.mean() * (outputs["x"].shape[0] + 1)}


BODIES = [sliced_by_the_count, top_of_the_count, split_by_the_count, clamped_at_a_count, scaled_by_a_count]
ONE = [(0, [0.5]), (1, [1.0]), (2, [0.5])]  # one image, its weight 0.5 (set to 1 in the oracle) or 1
SEVERAL = [(0, [1.0, 0.5, 0.5, 1.0]), (1, [0.5, 1.0, 0.5]), (2, [1.0, 0.5])]


@pytest.mark.parametrize("body", BODIES, ids=lambda f: f.__name__)
def test_a_count_of_one_image_is_its_groups(body):
    for seed, weights in ONE:
        got, want, said = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        assert got and set(got) == set(want), (seed, said)
        assert got == pytest.approx(want, rel=1e-5, abs=1e-6), seed


@pytest.mark.parametrize("body", BODIES, ids=lambda f: f.__name__)
def test_a_count_of_several_images_declines(body):
    for seed, weights in SEVERAL:
        got, want, said = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        assert got == {}, (seed, got, want)
        assert any("'loss'" in m for m in said), said
