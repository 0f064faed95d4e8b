"""Loops over a list the body displays (SfMLearner's ``for disp in [d0, d1]``, survey 31): a local
stored once from a list or tuple display without ``*`` and only iterated or passed to ``zip`` /
``enumerate`` / ``reversed`` / ``len`` has as many items on a group alone, so an op in a loop over
it runs as often there (``_bytecode._displayed_lists``). The second-order smoothness adds
``dxdy.abs().mean() + dydx.abs().mean()`` per scale, two batch terms of equal values: in such a loop
each group's value is the mean of its own images' gradients, twice, as the oracle's. Near misses
that decline: a list the body grows per image or builds from the images, one it stores twice or
passes to a helper, and a loop over the images adding the batch's terms. A smoothness normalised by
the mean disparity splits too: on a group alone the mean is the group's own, valued per group at the
op (``_capture/group_scalars.py``). Each body against the oracle on several batches."""

from __future__ import annotations

import pytest
import torch
from _helpers import TARGETS, Along, split_outcome, wrong_companions

PYTEST_DONT_REWRITE = True

# weights: 1.0 is group 'real', the others 'synthetic'; two, three or four images, groups of
# equal and unequal sizes, one group alone
BATCHES = [(0, [1.0, 0.5, 1.0, 0.25]), (1, [0.5, 1.0, 0.5]), (2, [1.0, 0.5]), (3, [0.5, 0.5, 1.0, 1.0]),
           (4, [1.0, 1.0, 1.0])]


def _batch(seed: int, weights: list[float]) -> tuple[list, list]:
    """Log depths at two scales [B, 1, 8, 8] and [B, 1, 4, 4]; per image a frame [3, 8, 8] and
    ``loss_weight``."""
    g = torch.Generator().manual_seed(seed + 3500)
    b = len(weights)
    outputs = {"log_depth": (torch.randn(b, 1, 8, 8, generator=g) * 0.3).requires_grad_(),
               "log_depth_half": (torch.randn(b, 1, 4, 4, generator=g) * 0.3).requires_grad_()}
    targets = [{"tgt": torch.rand(3, 8, 8, generator=g), "loss_weight": w} for w in weights]
    return [outputs, targets], [Along(0), TARGETS]


def _second_order(disp: torch.Tensor) -> torch.Tensor:
    dx, dy = disp[:, :, :, 1:] - disp[:, :, :, :-1], disp[:, :, 1:] - disp[:, :, :-1]
    dx2, dxdy = dx[:, :, :, 1:] - dx[:, :, :, :-1], dx[:, :, 1:] - dx[:, :, :-1]
    dydx, dy2 = dy[:, :, :, 1:] - dy[:, :, :, :-1], dy[:, :, 1:] - dy[:, :, :-1]
    return dx2.abs().mean() + dxdy.abs().mean() + dydx.abs().mean() + dy2.abs().mean()


# --- split exactly --------------------------------------------------------------------------------
def sfmlearner_smoothness_over_a_list_display(o, targets):
    disps = [1 / o["log_depth"].exp(), 1 / o["log_depth_half"].exp()]
    smooth, weight = 0, 1.0
    for disp in disps:
        dx, dy = disp[:, :, :, 1:] - disp[:, :, :, :-1], disp[:, :, 1:] - disp[:, :, :-1]
        dx2, dxdy = dx[:, :, :, 1:] - dx[:, :, :, :-1], dx[:, :, 1:] - dx[:, :, :-1]
        dydx, dy2 = dy[:, :, :, 1:] - dy[:, :, :, :-1], dy[:, :, 1:] - dy[:, :, :-1]
        smooth += (dx2.abs().mean() + dxdy.abs().mean() + dydx.abs().mean() + dy2.abs().mean()) * weight
        weight /= 2.3
    return {"loss_smooth": 0.1 * smooth}


def mixed_terms_in_a_loop_over_a_tuple_display(o, targets):
    smooth = 0
    scales = (o["log_depth"].exp(), o["log_depth_half"].exp())
    for d in scales:
        dx, dy = d[:, :, :, 1:] - d[:, :, :, :-1], d[:, :, 1:] - d[:, :, :-1]
        smooth = smooth + dx[:, :, 1:].sub(dx[:, :, :-1]).abs().mean() + dy[:, :, :, 1:].sub(dy[:, :, :, :-1]).abs().mean()
    return {"loss_smooth": smooth}


def smoothness_reversed_and_over_the_lists_length(o, targets):
    disps = [1 / o["log_depth"].exp(), 1 / o["log_depth_half"].exp()]
    smooth = 0
    for disp in reversed(disps):
        smooth = smooth * 0.5 + _second_order(disp)
    return {"loss_smooth": smooth / len(disps)}


def smoothness_zipped_with_its_masks(o, targets):
    disps = [1 / o["log_depth"].exp(), 1 / o["log_depth_half"].exp()]
    masks = [o["log_depth"].sigmoid(), o["log_depth_half"].sigmoid()]
    photo = 0
    for disp, mask in zip(disps, masks, strict=True):
        photo += (disp * mask).abs().mean()
    smooth = 0
    for disp in disps:
        smooth += _second_order(disp)
    return {"loss_photo": photo, "loss_smooth": smooth}


def sc_sfmlearner_edge_aware_smoothness_per_images_mean(o, targets):
    """SC-SfMLearner's ``compute_smooth_loss``: each image's disparity over its own mean, its
    gradients weighed by the frame's, at each scale."""
    img = torch.stack([t["tgt"] for t in targets])
    disps = [1 / o["log_depth"].exp(), 1 / o["log_depth_half"].exp()]
    loss = 0
    for disp in disps:
        frame = torch.nn.functional.interpolate(img, disp.shape[-2:], mode="area")
        mean_disp = disp.mean(2, True).mean(3, True)
        norm_disp = disp / (mean_disp + 1e-7)
        grad_disp_x = torch.abs(norm_disp[:, :, :, :-1] - norm_disp[:, :, :, 1:])
        grad_disp_y = torch.abs(norm_disp[:, :, :-1, :] - norm_disp[:, :, 1:, :])
        grad_img_x = torch.mean(torch.abs(frame[:, :, :, :-1] - frame[:, :, :, 1:]), 1, keepdim=True)
        grad_img_y = torch.mean(torch.abs(frame[:, :, :-1, :] - frame[:, :, 1:, :]), 1, keepdim=True)
        grad_disp_x *= torch.exp(-grad_img_x)
        grad_disp_y *= torch.exp(-grad_img_y)
        loss = loss + grad_disp_x.mean() + grad_disp_y.mean()
    return {"loss_smooth": loss}


def smoothness_over_the_mean_disparity(o, targets):
    # disp / disp.mean(): on a group alone the mean is the group's own, computed per group at the op
    # (_capture/group_scalars.py)
    disps = [1 / o["log_depth"].exp(), 1 / o["log_depth_half"].exp()]
    smooth = 0
    for disp in disps:
        smooth += _second_order(disp / disp.mean())
    return {"loss_smooth": smooth}


SPLIT = [sfmlearner_smoothness_over_a_list_display, mixed_terms_in_a_loop_over_a_tuple_display,
         smoothness_reversed_and_over_the_lists_length, smoothness_zipped_with_its_masks,
         sc_sfmlearner_edge_aware_smoothness_per_images_mean, smoothness_over_the_mean_disparity]


@pytest.mark.parametrize("body", SPLIT, ids=lambda b: b.__name__)
def test_smoothness_over_the_scales_the_body_lists_splits_as_the_oracle(body):
    for seed, weights in BATCHES:
        args, kinds = _batch(seed, weights)
        got, want, said = split_outcome(body, args, kinds)
        assert want and set(got) == set(want), (seed, got, want, said)
        assert not wrong_companions(got, want), (seed, wrong_companions(got, want))


# --- near misses: decline -------------------------------------------------------------------------
def _grow(disps, targets):
    for _ in targets:
        disps.append(disps[-1])


def mixed_terms_over_a_list_display_grown_per_image(o, targets):
    disps = [1 / o["log_depth"].exp()]
    for _ in targets[1:]:
        disps.append(1 / o["log_depth_half"].exp())
    smooth = 0
    for disp in disps:
        smooth += _second_order(disp)
    return {"loss_smooth": smooth}


def mixed_terms_over_a_list_display_grown_by_a_helper(o, targets):
    disps = [1 / o["log_depth"].exp()]
    _grow(disps, targets[1:])
    smooth = 0
    for disp in disps:
        smooth += _second_order(disp)
    return {"loss_smooth": smooth}


def mixed_terms_over_a_list_of_the_images(o, targets):
    disps = [1 / o["log_depth"].exp() for _ in targets]
    smooth = 0
    for disp in disps:
        smooth += _second_order(disp)
    return {"loss_smooth": smooth}


def mixed_terms_over_a_display_with_a_starred_list(o, targets):
    disps = [1 / o["log_depth"].exp(), *[1 / o["log_depth_half"].exp()] * (len(targets) - 1)]
    smooth = 0
    for disp in disps:
        smooth += _second_order(disp)
    return {"loss_smooth": smooth}


def mixed_terms_over_a_display_stored_again(o, targets):
    disps = [1 / o["log_depth"].exp()]
    disps = disps + [1 / o["log_depth_half"].exp()] * (len(targets) - 1)
    smooth = 0
    for disp in disps:
        smooth += _second_order(disp)
    return {"loss_smooth": smooth}


def mixed_terms_over_a_display_extended_in_place(o, targets):
    disps = [1 / o["log_depth"].exp()]
    disps += [1 / o["log_depth_half"].exp()] * (len(targets) - 1)
    smooth = 0
    for disp in disps:
        smooth += _second_order(disp)
    return {"loss_smooth": smooth}


def mixed_terms_added_per_image(o, targets):
    disp = 1 / o["log_depth"].exp()
    smooth = 0
    for _ in [t["loss_weight"] for t in targets]:
        smooth += _second_order(disp)
    return {"loss_smooth": smooth}


DECLINE = [mixed_terms_over_a_list_display_grown_per_image, mixed_terms_over_a_list_display_grown_by_a_helper,
           mixed_terms_over_a_list_of_the_images, mixed_terms_over_a_display_with_a_starred_list,
           mixed_terms_over_a_display_stored_again, mixed_terms_over_a_display_extended_in_place,
           mixed_terms_added_per_image]


@pytest.mark.parametrize("body", DECLINE, ids=lambda b: b.__name__)
def test_lists_that_change_with_the_images_decline(body):
    for seed, weights in BATCHES:
        args, kinds = _batch(seed, weights)
        got, want, said = split_outcome(body, args, kinds)
        assert not wrong_companions(got, want), (seed, wrong_companions(got, want))
        if len(want) > 1:  # several groups: no companion, a warning naming the key or the call
            assert not got, (seed, got, want)
            assert any("'loss_smooth'" in m or "no companions for this call" in m for m in said), said
