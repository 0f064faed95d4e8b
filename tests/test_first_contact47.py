"""The rules survey 47 (first contact) asked for, each against the oracle on several batches, with
their near misses: ``torch.quantile`` of several ``q`` over one image's values (Marigold's per-image
2 % / 98 % depth normalisation) and ``torch.linalg.lstsq`` of batches of matrices (Marigold
E2E-FT's per-image scale and shift)."""

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
