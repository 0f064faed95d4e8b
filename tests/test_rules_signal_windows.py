"""The ops of a source-separation loss (fast_bss_eval's SDR, survey 42) in small bodies checked
against the oracle: ``torch.as_strided`` windows of the last dim (Hankel / Toeplitz matrices),
``torch.linalg.solve`` of a batch of vectors, ``conj`` of a spectrum, ``isneginf`` / ``isposinf``
tests. Each declined at first contact (the whole key lost); near misses, where the layout or the
system mixes images, decline with the op named."""

import pytest
import torch
from _helpers import check_rule


def _err(outputs, targets):
    """Each image's errors [B, 3, 4] (positive)."""
    return (outputs["x"] - torch.stack([t["y"] for t in targets])).abs() + 0.1


def _hankel(x, rows):
    """A view of ``x``'s last dim as ``[..., rows, n - rows + 1]`` windows (fast_bss_eval's form)."""
    strides = x.stride()
    return torch.as_strided(x, size=x.shape[:-1] + (rows, x.shape[-1] - rows + 1), stride=strides + (strides[-1],))


def _toeplitz(x):
    """The symmetric Toeplitz matrix of ``x``'s last dim, as fast_bss_eval builds it."""
    both = torch.cat((x[..., 1:].flip(dims=(-1,)), x), dim=-1)
    return _hankel(both, x.shape[-1]).flip(dims=(-2,))


def hankel_windows(outputs, targets):
    return {"loss": _hankel(_err(outputs, targets), 2).square().mean()}


def hankel_of_a_column_slice(outputs, targets):
    """A view of a non-contiguous tensor (every other column): the strides are its own."""
    return {"loss": _hankel(_err(outputs, targets)[..., ::2], 1).mean()}


def toeplitz_solve(outputs, targets):
    """Each row's Toeplitz system (diagonally dominant) solved for the row itself, a batch of
    vectors ``[B, 3, 4]`` (``B`` of ``A``'s shape less its last dim); its coherence."""
    e = _err(outputs, targets)
    acf = e * torch.tensor([4.0, 0.5, 0.3, 0.1])
    sol = torch.linalg.solve(_toeplitz(acf), e)
    return {"loss": torch.einsum("...l,...l->...", e, sol).mean()}


def vector_solve_ex(outputs, targets):
    e = _err(outputs, targets)
    return {"loss": torch.linalg.solve_ex((torch.eye(4) * 2 + 0.1).expand(*e.shape, 4), e).result.sum()}


def spectrum_power(outputs, targets):
    """The power spectrum ``X * conj(X)`` along the last dim (a real part kept)."""
    spec = torch.fft.rfft(_err(outputs, targets), n=8, dim=-1)
    return {"loss": torch.fft.irfft(spec * spec.conj(), n=8, dim=-1).mean()}


def infinite_masks(outputs, targets):
    """Errors kept where their log is finite on both sides (``isneginf``, ``isposinf``)."""
    e = _err(outputs, targets) - 0.1
    low = torch.log(e.detach().clamp(min=0.0))
    keep = ~torch.isneginf(low) & ~low.isposinf()
    return {"loss": (e * keep).sum() / keep.sum()}


def strides_within_the_row(outputs, targets):
    """A window stride of 3 over 4 positions: positions 0 and 3 of each row."""
    e = _err(outputs, targets)
    return {"loss": torch.as_strided(e, e.shape[:-1] + (2,), e.stride()[:-1] + (3,)).mean()}


@pytest.mark.parametrize("body", [hankel_windows, hankel_of_a_column_slice, toeplitz_solve, vector_solve_ex,
                                  spectrum_power, infinite_masks, strides_within_the_row])
def test_companion_is_the_body_on_the_group_alone(body):
    check_rule(body, "")


def hankel_over_the_images(outputs, targets):
    """Windows along a dim that carries images (the batch moved last)."""
    e = _err(outputs, targets).permute(1, 2, 0).contiguous()
    return {"loss": _hankel(e, 1).mean()}


def strides_out_of_the_row(outputs, targets):
    """A window stride that steps out of each row's last dim into the next row (a layout the rule
    does not read)."""
    e = _err(outputs, targets)[:, :2]
    return {"loss": torch.as_strided(e, e.shape[:-1] + (2,), e.stride()[:-1] + (4,)).mean()}


def leading_dims_reshaped(outputs, targets):
    """The leading sizes changed: the view reads other images' rows."""
    e = _err(outputs, targets)
    return {"loss": torch.as_strided(e, (e.shape[0] * 3, 4), (4, 1))[1:].mean()}


def solve_with_the_images_as_entries(outputs, targets):
    """A vector ``B`` whose entries are the images (``[B]`` against ``[B, B]``): each solution entry
    mixes every image's."""
    e = _err(outputs, targets)[:, 0, 0]
    n = e.shape[0]
    return {"loss": torch.linalg.solve(torch.eye(n) * 2 + 0.1, e).sum()}


@pytest.mark.parametrize("body, op", [
    (hankel_over_the_images, "as_strided"), (strides_out_of_the_row, "as_strided"), (leading_dims_reshaped, "as_strided"),
    (solve_with_the_images_as_entries, "solve")])
def test_layouts_and_systems_that_mix_images_decline(body, op):
    check_rule(body, op, declines=True)
