"""The rules survey 47 (first contact) asked for, each against the oracle on several batches, with
their near misses: ``torch.quantile`` of several ``q`` over one image's values (Marigold's per-image
2 % / 98 % depth normalisation) and ``torch.linalg.lstsq`` of batches of matrices (Marigold
E2E-FT's per-image scale and shift). ``torch.linalg.lstsq``'s default CPU driver (``gelsy``) is not
deterministic run to run here (the last bit), so the bodies name a deterministic driver: training's
bit-identity is checked by running each body twice."""

from __future__ import annotations

import torch
from test_first_contact38 import _declines, _splits

# -- ``torch.quantile`` of several ``q`` over one image's values -------------------------------------

Q2 = torch.tensor([0.1, 0.9])


def quantile_range_per_image(x, y):
    total = 0.0
    for i in range(len(x)):
        lo, hi = torch.quantile(y[i], Q2)
        total = total + ((x[i] - (y[i] - lo) / (hi - lo)) ** 2).mean()
    return {"loss_q": total / len(x)}


def quantile_of_predictions_per_image(x, y):
    spreads = [x[i].quantile(torch.tensor([0.25, 0.5, 0.75])) for i in range(len(x))]
    return {"loss_iqr": torch.stack([s[2] - s[0] for s in spreads]).mean(),
            "loss_med": sum(s[1] for s in spreads) / len(spreads)}


def nanquantile_of_picked_values(x, y):
    total = 0.0
    for i in range(len(x)):
        v = y[i][y[i] > -1.0]
        q = torch.nanquantile(v, Q2, interpolation="lower")
        total = total + (x[i] * (q[1] - q[0])).abs().sum()
    return {"loss_nq": total / x.shape[0]}


def test_quantiles_of_one_image_split():
    """Several ``q`` over every value of one image (a loop over the images; a prediction's own
    quantiles; ``nanquantile`` of a boolean pick with an interpolation): the image's values. Each
    declined before (a tensor of several ``q``)."""
    for body in (quantile_range_per_image, quantile_of_predictions_per_image, nanquantile_of_picked_values):
        _splits(body, 6)


def quantile_of_the_batch(x, y):
    lo, hi = torch.quantile(y, Q2)  # over every image's values: the batch's quantiles
    return {"loss_q": ((x - (y - lo) / (hi - lo)) ** 2).mean()}


def quantile_along_a_dim(x, y):
    q = torch.quantile(y, Q2, dim=1)  # [2, B]: the images' rows moved to dim 1 (declined, not followed)
    return {"loss_q": ((x - q[0][:, None]) ** 2).mean()}


def quantile_of_predicted_q(x, y):
    total = 0.0
    for i in range(len(x)):
        q = torch.quantile(y[i], x[i, :2].detach().sigmoid().sort().values)  # q of the image's prediction
        total = total + (x[i] * (q[1] - q[0])).sum()
    return {"loss_q": total}


def quantile_of_two_images(x, y):
    total = 0.0
    for i in range(len(x)):
        lo, hi = torch.quantile(y[i:i + 2], Q2)  # two images' values (the last one's alone): the batch's pairs
        total = total + ((x[i] - (y[i] - lo) / (hi - lo)) ** 2).mean()
    return {"loss_q": total}


def test_quantiles_of_several_images_or_along_a_dim_decline():
    """Near misses: the batch's quantiles, quantiles along a dim (the rows moved behind ``q``'s dim),
    a ``q`` computed from the prediction, quantiles of two neighbouring images: each declined."""
    for body in (quantile_of_the_batch, quantile_along_a_dim, quantile_of_predicted_q, quantile_of_two_images):
        _declines(body, "loss_q", 6)


# -- ``torch.linalg.lstsq`` of batches of matrices ----------------------------------------------------

def _design(x):
    return torch.stack([x.detach(), torch.ones_like(x)], -1)  # [B, 6, 2]: each image's own system


def affine_fit_per_image(x, y):
    sol = torch.linalg.lstsq(_design(x), y.unsqueeze(-1), driver="gels").solution  # [B, 2, 1]
    return {"loss_fit": ((x * sol[:, 0] + sol[:, 1] - y).abs()).mean()}


def affine_fit_with_residuals(x, y):
    fit = torch.linalg.lstsq(_design(y), torch.stack([x, x ** 2], -1), driver="gelsd")  # B's two columns
    return {"loss_sol": fit.solution.pow(2).sum() / len(x), "loss_res": fit.residuals.mean(),
            "loss_sv": fit.singular_values[:, 0].mean()}


def columns_are_images(x, y):
    a = torch.stack([torch.linspace(0, 1, x.shape[1]), torch.ones(x.shape[1])], -1)  # [6, 2], no images
    sol = torch.linalg.lstsq(a, x.t(), driver="gels").solution  # [2, B]: each image's column solved on its own
    return {"loss_fit": sol.pow(2).mean()}


def mean_scale_of_the_fits(x, y):
    scale = torch.linalg.lstsq(_design(x), y.unsqueeze(-1), driver="gels").solution[:, 0].mean()  # over the images
    return {"loss_fit": ((x * scale - y).abs()).mean()}


def test_least_squares_of_each_image_split():
    """Each image's system (a leading dim, the solution's and its residuals' and singular values'
    rows; ``B``'s columns as images): the image's solution; the mean of the images' scales, each
    group's mean of its own. Each declined before (no rule)."""
    for body in (affine_fit_per_image, affine_fit_with_residuals, columns_are_images, mean_scale_of_the_fits):
        _splits(body, 6)


def one_system_over_the_batch(x, y):
    a = torch.stack([x.detach().flatten(), torch.ones(x.numel())], -1)  # [B · 6, 2]: every image's rows
    sol = torch.linalg.lstsq(a, y.flatten()[:, None], driver="gels").solution
    return {"loss_fit": ((x * sol[0] + sol[1] - y).abs()).mean()}


def broadcast_design(x, y):
    a = _design(x)[:1]  # image 0's system for every image
    sol = torch.linalg.lstsq(a, y[:1].unsqueeze(-1), driver="gels").solution
    return {"loss_fit": ((x * sol[:, 0] + sol[:, 1] - y).abs()).mean()}


def design_broadcast_over_the_images(x, y):
    sol = torch.linalg.lstsq(_design(x)[:1], y.unsqueeze(-1), driver="gels").solution  # A [1, 6, 2] for every B
    return {"loss_fit": ((x * sol[:, 0] + sol[:, 1] - y).abs()).mean()}


def images_along_the_matrix_columns(x, y):
    sol = torch.linalg.lstsq(x.detach().t().contiguous()[None], y.t().contiguous()[None, :, :1], driver="gels").solution  # [1, B, 1]: the images are unknowns
    return {"loss_fit": (sol * x[:, :1]).sum()}


def test_least_squares_over_several_images_declines():
    """Near misses: one system whose rows are every image's, image 0's solution used for every image,
    image 0's matrix broadcast over every image's ``B``, the images as the unknowns (``A``'s
    columns): each declined."""
    for body in (one_system_over_the_batch, broadcast_design, design_broadcast_over_the_images,
                 images_along_the_matrix_columns):
        _declines(body, "loss_fit", 6)
