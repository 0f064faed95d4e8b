"""Three readings of a library's code that kornia 0.9.2 needed (survey 22 declined its Hausdorff
erosion and its PSNR where 0.9.0 split them), each a general reading tested on our own bodies:

- the sizes ``x.shape[2:]`` (a slice of the shape from a positive literal on) are sizes of dims
  after the first, no count of images, as ``x.shape[2]`` is: slice bounds of a comprehension over
  ``zip(offset, x.shape[2:])`` (an erosion as a minimum over shifted windows of a padded map) split.
  Near misses: ``x.shape[:2]`` / ``x.shape[0:1]`` (the images' dim included) and a time-major map
  whose dim 1 holds the images, which cut the columns by the number of images and mix them;
- an operand that starts right after a branch (``10.0 * torch.log10(r)`` after ``if ..: r = ..
  else: r = ..``: its first load is a jump target) is read as written: a literal there, a
  parameter's constant. Near misses: the numerator a conditional expression of the count of images,
  or a local the branches store from that count;
- a parameter rebound only in a branch ``isinstance(p, C)`` that this call does not take (``if
  isinstance(peak, torch.Tensor): peak = peak.double()`` on a float) holds what the caller passes.
  Near misses: the branch taken (``isinstance(peak, float)``, ``not isinstance(peak, Tensor)``), where
  the rebinding multiplies by the number of images; the test of another parameter that the call
  passes so that the branch runs.

Each body is compared with the oracle (the body run on each group's images alone)."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from _helpers import (
    RULE_BATCHES,
    outcome_class,
    rule_batch,
    rule_errors,
    rule_outcome,
    rule_targets,
)

SHIFTS = ((-1, 0), (0, -1), (0, 0), (0, 1), (1, 0))


def _outcomes(body):
    """(outcome per rule batch, every warning): ``exact``, ``declined`` or ``wrong``."""
    seen, said = [], []
    for seed, weights in RULE_BATCHES:
        got, want, warned = rule_outcome(body, rule_batch(seed, weights))
        seen.append(outcome_class(got, want))
        said += warned
    return seen, said


def _exact(body):
    seen, said = _outcomes(body)
    assert seen == ["exact"] * len(RULE_BATCHES), said


def _declines(body, op):
    seen, said = _outcomes(body)
    assert seen == ["declined"] * len(RULE_BATCHES), (seen, said)
    assert any(op in m for m in said), said


# -- the sizes of the dims after the first ---------------------------------------------------------


def _windows_of_the_trailing_sizes(m):
    """The minimum over SHIFTS of the windows of ``m`` [B, 1, H, W] padded by one (+inf outside),
    one slice per trailing dim as long as that dim (kornia 0.9.2's erosion)."""
    sizes = m.shape[2:]
    padded = F.pad(m, [1, 1, 1, 1], value=math.inf)
    return torch.stack([padded[(..., *[slice(1 + o, 1 + o + n) for o, n in zip(shift, sizes)])]
                        for shift in SHIFTS]).amin(0)


def _windows_of_a_bounded_slice_of_the_sizes(m):
    padded = F.pad(m, [1, 1, 1, 1], value=math.inf)
    return torch.stack([padded[(..., *[slice(1 + o, 1 + o + n) for o, n in zip(shift, m.shape[2:4])])]
                        for shift in SHIFTS]).amin(0)


def _windows_in_a_loop(m):
    padded = F.pad(m, [1, 1, 1, 1], value=math.inf)
    windows = []
    for shift in SHIFTS:
        windows.append(padded[tuple([Ellipsis] + [slice(1 + o, 1 + o + n) for o, n in zip((0, *shift), m.shape[1:])][1:])])
    return torch.stack(windows).amin(0)


def _eroded_error(outputs, targets, erode):
    e = rule_errors(outputs, targets)[:, None]  # [B, 1, R, W]
    return {"loss": (e * erode((e > 0.3).float())).mean()}


def erosion_by_the_trailing_sizes(outputs, targets):
    return _eroded_error(outputs, targets, _windows_of_the_trailing_sizes)


def erosion_by_a_bounded_slice_of_the_sizes(outputs, targets):
    return _eroded_error(outputs, targets, _windows_of_a_bounded_slice_of_the_sizes)


def erosion_by_the_sizes_from_dim_one_in_a_loop(outputs, targets):
    return _eroded_error(outputs, targets, _windows_in_a_loop)


@pytest.mark.parametrize("body", [erosion_by_the_trailing_sizes, erosion_by_a_bounded_slice_of_the_sizes,
                                  erosion_by_the_sizes_from_dim_one_in_a_loop], ids=lambda f: f.__name__)
def test_slice_bounds_from_the_sizes_of_the_dims_after_the_first_split(body):
    _exact(body)


def columns_cut_by_the_leading_sizes(outputs, targets):
    """``x.shape[:2]`` holds the number of images: the last dim cut to it (4, 3, 2 columns)."""
    e = rule_errors(outputs, targets)
    return {"loss": e[(..., *[slice(0, n) for n in e.shape[:1]])].mean()}


def columns_cut_by_a_slice_from_zero(outputs, targets):
    e = rule_errors(outputs, targets)
    return {"loss": e[(..., *[slice(n - 1, None) for n in e.shape[0:1]])].mean()}


def columns_cut_by_a_time_major_size(outputs, targets):
    """Rows first, then images: ``x.shape[1:2]`` is the number of images there."""
    e = rule_errors(outputs, targets).transpose(0, 1)  # [R, B, W]
    return {"loss": e[(..., *[slice(0, n) for n in e.shape[1:2]])].mean()}


def _cut_by_the_leading_sizes(e, m):
    return e[(..., *[slice(n - 1, None) for n in m.shape[:1]])]


def _cut_by_the_sizes_from_zero(e, m):
    return e[(..., *[slice(n - 1, None) for n in m.shape[0:1]])]


def columns_cut_by_the_leading_size_of_a_tensor_of_the_count(outputs, targets):
    """A tensor made with a row per image (no image's rows: its size a plain int), its leading size
    read by a helper: the columns from the number of images on."""
    return {"loss": _cut_by_the_leading_sizes(rule_errors(outputs, targets), torch.ones(len(targets), 2)).mean()}


def columns_cut_by_the_sizes_from_zero_of_a_tensor_of_the_count(outputs, targets):
    return {"loss": _cut_by_the_sizes_from_zero(rule_errors(outputs, targets), torch.ones(len(targets), 2)).mean()}


@pytest.mark.parametrize("body", [columns_cut_by_the_leading_sizes, columns_cut_by_a_slice_from_zero,
                                  columns_cut_by_a_time_major_size,
                                  columns_cut_by_the_leading_size_of_a_tensor_of_the_count,
                                  columns_cut_by_the_sizes_from_zero_of_a_tensor_of_the_count], ids=lambda f: f.__name__)
def test_slice_bounds_from_a_slice_of_the_shape_holding_the_images_dim_decline(body):
    _declines(body, "Tensor.__getitem__")


# -- an operand right after a branch ---------------------------------------------------------------


def _log_ratio(x, y, peak):
    err = F.mse_loss(x, y)
    if isinstance(peak, torch.Tensor):
        ratio = torch.pow(peak, 2) / err
    else:
        ratio = peak ** 2 / err
    return (10.0 * torch.log10(ratio)).reshape(ratio.shape)


def log_ratio_after_a_branch(outputs, targets):
    """A PSNR of the pooled MSE: a log of the group's mean on a group alone."""
    return {"loss": -_log_ratio(outputs["x"], rule_targets(targets), peak=1.0)}


def log_ratio_after_a_branch_at_a_literal(outputs, targets):
    err = F.mse_loss(outputs["x"], rule_targets(targets))
    if err.dim() == 0:
        ratio = 4.0 / err
    else:
        ratio = 4.0 / err.mean()
    return {"loss": 2.5 * torch.log10(ratio)}


@pytest.mark.parametrize("body", [log_ratio_after_a_branch, log_ratio_after_a_branch_at_a_literal],
                         ids=lambda f: f.__name__)
def test_a_constant_operand_starting_right_after_a_branch_splits(body):
    _exact(body)


def numerator_a_conditional_count(outputs, targets):
    """``(len(t) if .. else 1.0) / err``: the numerator the number of images, read where the
    conditional joins; on a group alone, the group's."""
    err = F.mse_loss(outputs["x"], rule_targets(targets))
    return {"loss": torch.log10((float(len(targets)) if err.dim() == 0 else 1.0) / err)}


def numerator_a_count_stored_by_the_branches(outputs, targets):
    err = F.mse_loss(outputs["x"], rule_targets(targets))
    if err.dim() == 0:
        top = 2.0 * len(targets)
    else:
        top = 1.0
    return {"loss": torch.log10(top / err)}


@pytest.mark.parametrize("body", [numerator_a_conditional_count, numerator_a_count_stored_by_the_branches],
                         ids=lambda f: f.__name__)
def test_a_numerator_from_the_count_of_images_after_a_branch_declines(body):
    _declines(body, "Tensor.__r")


# -- a parameter rebound only where ``isinstance`` rules it out ------------------------------------


def _log_ratio_rebound(x, y, peak, count=0):
    if x.dtype == torch.float16 and isinstance(peak, torch.Tensor):
        peak = peak.float()
    err = F.mse_loss(x, y)
    if isinstance(peak, torch.Tensor):
        if peak.dtype in (torch.int32, torch.uint8):
            peak = peak.long()
        ratio = torch.pow(peak, 2) / err
    else:
        ratio = peak ** 2 / err
    return 10.0 * torch.log10(ratio)


def log_ratio_of_a_parameter_rebound_for_tensors(outputs, targets):
    return {"loss": -_log_ratio_rebound(outputs["x"], rule_targets(targets), peak=1.0)}


def _rebound_by_another_parameter(x, y, peak, mode):
    if isinstance(mode, int):
        peak = peak * mode
    return torch.log10(peak / F.mse_loss(x, y))


def log_ratio_rebound_by_a_test_of_another_parameter(outputs, targets):
    return {"loss": _rebound_by_another_parameter(outputs["x"], rule_targets(targets), 2.0, "pooled")}


@pytest.mark.parametrize("body", [log_ratio_of_a_parameter_rebound_for_tensors,
                                  log_ratio_rebound_by_a_test_of_another_parameter], ids=lambda f: f.__name__)
def test_a_parameter_rebound_only_in_an_isinstance_branch_the_call_rules_out_is_its_constant(body):
    _exact(body)


# Each near miss below rebinds the number where the test holds, by ``1 + 1 // count``, to itself on a batch of
# several images and to twice itself on a group of one image: the value the caller passed on the whole
# batch, another one on a group of one image (read as that constant, a silently wrong companion).


def _doubled_for_one_image_if_a_float(x, y, peak, count):
    if isinstance(peak, float):
        peak = peak * (1 + 1 // count)
    return torch.log10(peak / F.mse_loss(x, y))


def _doubled_for_one_image_unless_a_tensor(x, y, peak, count):
    if not isinstance(peak, torch.Tensor):
        peak = peak * (1 + 1 // count)
    return torch.log10(peak / F.mse_loss(x, y))


def _doubled_for_one_image_if_an_int_count(x, y, peak, count):
    if isinstance(count, int):
        peak = peak * (1 + 1 // count)
    return torch.log10(peak / F.mse_loss(x, y))


def rebound_where_the_test_holds(outputs, targets):
    """The branch runs on a float: the numerator is doubled on a group of one image."""
    return {"loss": _doubled_for_one_image_if_a_float(outputs["x"], rule_targets(targets), 1.0, len(targets))}


def rebound_where_the_negated_test_holds(outputs, targets):
    return {"loss": _doubled_for_one_image_unless_a_tensor(outputs["x"], rule_targets(targets), 1.0, len(targets))}


def rebound_by_a_test_of_another_parameter_that_holds(outputs, targets):
    return {"loss": _doubled_for_one_image_if_an_int_count(outputs["x"], rule_targets(targets), 1.0, len(targets))}


@pytest.mark.parametrize("body", [rebound_where_the_test_holds, rebound_where_the_negated_test_holds,
                                  rebound_by_a_test_of_another_parameter_that_holds], ids=lambda f: f.__name__)
def test_a_parameter_rebound_in_an_isinstance_branch_the_call_takes_declines(body):
    _declines(body, "Tensor.__")
