"""Every function with a reduction, softmax or loss rule, in a small body checked against the oracle.

Per-row reductions and per-row losses of ``x`` [B, 3, 4] against the images' ``y`` / ``labels``,
then a mean over rows: the companion of group S must be the body run on S's images alone
(``_helpers.check_rule``), or, for a reduction over every image at once, no companion and a warning
naming the op.
"""

import pytest
import torch
import torch.nn.functional as F
from _helpers import check_rule, op_id, registered

T = torch.Tensor


def _err(outputs, targets):
    y = torch.stack([t["y"] for t in targets])
    return (outputs["x"] - y).abs() + 0.1, y


def per_row(call):
    """A body whose loss is the mean of ``call(err)`` (a reduction over the last dimension)."""

    def body(outputs, targets):
        err, _ = _err(outputs, targets)
        return {"loss": call(err).float().mean()}

    return body


def whole(call):
    """A body whose loss is ``call(err)`` itself (a reduction over everything)."""

    def body(outputs, targets):
        err, _ = _err(outputs, targets)
        return {"loss": call(err)}

    return body


def picked(call):
    """A body taking, per row, the element an index reduction ``call(err)`` picks."""

    def body(outputs, targets):
        err, _ = _err(outputs, targets)
        return {"loss": err.gather(-1, call(err).unsqueeze(-1)).mean()}

    return body


def flags(call):
    """A body keeping the rows for which a boolean reduction ``call(mask)`` holds."""

    def body(outputs, targets):
        err, y = _err(outputs, targets)
        return {"loss": (err.sum(-1) * call(y > 0.2)).mean()}

    return body


def classes(call):
    """A body computing per-row class probabilities with ``call(x)`` then an NLL on the labels."""

    def body(outputs, targets):
        labels = torch.stack([t["labels"] for t in targets]).unsqueeze(-1)
        scores = call(outputs["x"] * 3)
        return {"loss": -scores.gather(-1, labels).mean()}

    return body


def loss(call, reduce=True):
    """A body calling the loss function ``call(x, targets)`` (reduced by it, or 'none' then mean)."""

    def body(outputs, targets):
        return {"loss": call(outputs["x"], targets)}

    return body


def _y(targets):
    return torch.stack([t["y"] for t in targets])


def _labels(targets):
    return torch.stack([t["labels"] for t in targets])


CASES = {
    T.sum: per_row(lambda e: T.sum(e, -1)), torch.sum: whole(torch.sum),
    T.mean: per_row(lambda e: T.mean(e, (1, 2))), torch.mean: whole(torch.mean),
    T.nansum: per_row(lambda e: T.nansum(e, -1)), torch.nansum: whole(torch.nansum),
    T.amax: per_row(lambda e: T.amax(e, -1)), torch.amax: per_row(lambda e: torch.amax(e, (1, 2))),
    T.amin: per_row(lambda e: T.amin(e, -1)), torch.amin: per_row(lambda e: torch.amin(e, dim=2)),
    T.argmax: picked(lambda e: T.argmax(e, -1)), torch.argmax: picked(lambda e: torch.argmax(e, dim=-1)),
    T.argmin: picked(lambda e: T.argmin(e, -1)), torch.argmin: picked(lambda e: torch.argmin(e, 2)),
    T.norm: per_row(lambda e: T.norm(e, dim=-1)), torch.norm: per_row(lambda e: torch.norm(e, dim=2)),
    T.logsumexp: per_row(lambda e: T.logsumexp(e, -1)), torch.logsumexp: per_row(lambda e: torch.logsumexp(e, 2)),
    T.all: flags(lambda m: T.all(m, -1)), torch.all: flags(lambda m: torch.all(m, dim=2)),
    T.any: flags(lambda m: T.any(m, -1)), torch.any: flags(lambda m: torch.any(m, dim=2)),
    T.prod: per_row(lambda e: T.prod(e, -1)), torch.prod: per_row(lambda e: torch.prod(e, 2)),
    T.std: per_row(lambda e: T.std(e, -1)), torch.std: per_row(lambda e: torch.std(e, dim=2)),
    T.var: per_row(lambda e: T.var(e, -1)), torch.var: per_row(lambda e: torch.var(e, dim=2)),
    T.count_nonzero: flags(lambda m: T.count_nonzero(m, -1)),
    torch.count_nonzero: flags(lambda m: torch.count_nonzero(m, dim=2)),
    T.max: per_row(lambda e: T.max(e, -1).values), torch.max: per_row(lambda e: torch.max(e, dim=2)[0]),
    T.min: per_row(lambda e: T.min(e, -1).values), torch.min: per_row(lambda e: torch.min(e, 2).values),
    F.softmax: classes(lambda x: F.softmax(x, -1).log()), F.log_softmax: classes(lambda x: F.log_softmax(x, -1)),
    T.softmax: classes(lambda x: T.softmax(x, -1).log()), T.log_softmax: classes(lambda x: T.log_softmax(x, -1)),
    torch.softmax: classes(lambda x: torch.softmax(x, 2).log()),
    torch.log_softmax: classes(lambda x: torch.log_softmax(x, dim=-1)),
    F.cross_entropy: loss(lambda x, t: F.cross_entropy(x.flatten(0, 1), _labels(t).flatten())),
    F.nll_loss: loss(lambda x, t: F.nll_loss(x.log_softmax(-1).transpose(1, 2), _labels(t))),
    F.binary_cross_entropy: loss(lambda x, t: F.binary_cross_entropy(x, _y(t))),
    F.binary_cross_entropy_with_logits: loss(
        lambda x, t: F.binary_cross_entropy_with_logits(x, _y(t), reduction="none").sum(-1).mean()),
    F.l1_loss: loss(lambda x, t: F.l1_loss(x, _y(t), reduction="none").sum(-1).mean()),
    F.mse_loss: loss(lambda x, t: F.mse_loss(x, _y(t))),
    F.smooth_l1_loss: loss(lambda x, t: F.smooth_l1_loss(x, _y(t), beta=0.1, reduction="sum") / x.shape[0]),
    F.huber_loss: loss(lambda x, t: F.huber_loss(x, _y(t), delta=0.2)),
    F.kl_div: loss(lambda x, t: F.kl_div(x.log_softmax(-1), _y(t).softmax(-1), reduction="batchmean")),
}
# A reduction over every image at once is still a ratio of row sums: these follow; ``torch.norm``
# etc. over everything would mix images and are not used here.
DECLINES: dict = {}
WRONG: dict = {}


def params():
    for f in registered("losses"):
        marks = [pytest.mark.xfail(strict=True, reason=WRONG[f])] if f in WRONG else []
        yield pytest.param(f, id=op_id(f), marks=marks)


@pytest.mark.parametrize("func", params())
def test_companion_is_the_body_on_the_group_alone(func, warnings_of):
    check_rule(CASES[func], op_id(func).split(".")[-1], warnings_of, declines=func in DECLINES)
