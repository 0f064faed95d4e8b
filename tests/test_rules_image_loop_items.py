"""A table of the code's own picked by the position of a loop whose items are the images, the
iterable written inline (``enumerate(zip(list(x.unbind(0)), list(t.unbind(0))))``, no local holds
the list): ``W[i]`` weights image ``i`` by its position in the batch, on a group alone another
one. It was read as a constant's item and the companions given, silently wrong; an item of the
loop holding one image's values now shows the position is an image's (declined, the op named).
A loop over levels each holding every image (a pyramid) and a loop over a local list of the
images keep their rules."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import Along, split_outcome, wrong_companions

SOURCES = (["web", "synth", "web", "books"], ["synth", "synth", "books"], ["web", "web", "web"], ["books"],
           ["web", "synth"], ["web", "books", "web", "books", "synth"])
W5 = torch.tensor([1.0, 2.0, 4.0, 8.0, 16.0])


def outcome(body, seed: int) -> tuple[dict, dict, list[str]]:
    g = torch.Generator().manual_seed(seed + 700)
    r = len(SOURCES[seed])
    args = [torch.randn(r, 2, 4, 4, generator=g).requires_grad_(), torch.randn(r, 2, 4, 4, generator=g)]
    return split_outcome(body, args, [Along(0), Along(0)], SOURCES[seed])


def zipped_unbinds_inline(x, t):
    total = 0.0
    for i, (px, pt) in enumerate(zip(list(x.unbind(0)), list(t.unbind(0)))):
        total = total + W5[i] * F.mse_loss(px, pt)
    return {"loss": total}


def unbind_inline(x, t):
    total = 0.0
    for i, px in enumerate(x.unbind(0)):
        total = total + W5[i] * (px - t[i]).pow(2).mean()
    return {"loss": total}


@pytest.mark.parametrize("body", [zipped_unbinds_inline, unbind_inline])
@pytest.mark.parametrize("seed", range(len(SOURCES)))
def test_a_table_picked_by_the_position_of_an_inline_loop_over_the_images_declines(body, seed):
    got, want, said = outcome(body, seed)
    assert not wrong_companions(got, want), (got, want)
    if len(set(SOURCES[seed])) > 1:
        assert got == {}, (got, want)
        assert any("'loss'" in s and "at an image's position" in s for s in said), said
    else:  # one group: the batch's value is the group's
        assert set(got) == set(want), said


def pyramid_weighted(x, t):
    """Levels, each holding every image: the position is a level's, the same on a group alone."""
    levels_x = [x, F.avg_pool2d(x, 2)]
    levels_t = [t, F.avg_pool2d(t, 2)]
    total = 0.0
    for i, (px, pt) in enumerate(zip(levels_x, levels_t)):
        total = total + W5[i] * F.l1_loss(px, pt)
    return {"loss": total}


@pytest.mark.parametrize("seed", range(len(SOURCES)))
def test_a_loop_over_levels_holding_every_image_gives_no_wrong_companion(seed):
    got, want, _ = outcome(pyramid_weighted, seed)
    assert not wrong_companions(got, want), (got, want)
