"""Every function with an indexing rule (gathers, in-place writes, diagonals, products), in a small
body checked against the oracle.

Rows reach images through indices, as in matched-row criteria: the companion of group S must be
the body run on S's images alone (``_helpers.check_rule``), or, for an in-place write the rules
decline to follow, no companion and a warning naming the op.
"""

import pytest
import torch
from _helpers import check_rule, op_id, registered

T = torch.Tensor


def _err(outputs, targets):
    y = torch.stack([t["y"] for t in targets])
    return (outputs["x"] - y).abs(), y


def rows(call):
    """A body whose loss is the mean of ``call(err, y)`` (any shape)."""

    def body(outputs, targets):
        err, y = _err(outputs, targets)
        return {"loss": call(err, y).mean()}

    return body


def matched(call):
    """A body gathering each image's rows by (image, row) index pairs, DETR-style, then
    ``call(pred_rows, target_rows)`` per matched row."""

    def body(outputs, targets):
        image = torch.cat([torch.full((len(t["labels"]),), b) for b, t in enumerate(targets)])
        row = torch.cat([torch.arange(len(t["labels"])).flip(0) for t in targets])
        pred = outputs["x"][image, row]
        true = torch.cat([t["y"].flip(0) for t in targets])
        return {"loss": call(pred, true).mean()}

    return body


def written(call):
    """A body writing into a copy of the errors with ``call(copy, y)``, then taking its mean."""

    def body(outputs, targets):
        err, y = _err(outputs, targets)
        copy = err.clone()
        call(copy, y)
        return {"loss": copy.mean()}

    return body


def _labels(targets):
    return torch.stack([t["labels"] for t in targets])


def _picked(call):
    def body(outputs, targets):
        err, _ = _err(outputs, targets)
        return {"loss": call(err, _labels(targets).unsqueeze(-1)).mean()}

    return body


CASES = {
    T.__getitem__: matched(lambda p, t: (p - t).abs().sum(-1)),
    T.__setitem__: written(lambda c, y: T.__setitem__(c, y > 0.8, 0.0)),
    T.index_put_: written(lambda c, y: T.index_put_(c, (y > 0.8,), torch.tensor(0.0))),
    T.scatter_: written(lambda c, y: T.scatter_(c, 2, torch.zeros_like(c[..., :1], dtype=torch.long), 0.0)),
    T.scatter_add_: written(lambda c, y: T.scatter_add_(c, 2, torch.zeros_like(c, dtype=torch.long), y)),
    T.masked_fill_: written(lambda c, y: T.masked_fill_(c, y > 0.8, 0.0)),
    T.mul_: written(lambda c, y: T.mul_(c, 2.0)),
    T.add_: written(lambda c, y: T.add_(c, y)),
    T.sub_: written(lambda c, y: T.sub_(c, 0.1)),
    T.div_: written(lambda c, y: T.div_(c, 2.0)),
    T.copy_: written(lambda c, y: T.copy_(c, c * y)),
    T.fill_: written(lambda c, y: T.fill_(c[:, :1], 0.5)),
    T.zero_: written(lambda c, y: T.zero_(c[:, :, :1])),
    T.clamp_: written(lambda c, y: T.clamp_(c, min=0.2)),
    T.__iadd__: written(lambda c, y: T.__iadd__(c, y)),
    T.__imul__: written(lambda c, y: T.__imul__(c, 2.0)),
    T.__isub__: written(lambda c, y: T.__isub__(c, y)),
    T.__itruediv__: written(lambda c, y: T.__itruediv__(c, 2.0)),
    T.index_add_: written(lambda c, y: T.index_add_(c, 2, torch.tensor([0, 1]), y[..., :2])),
    T.masked_scatter_: written(lambda c, y: T.masked_scatter_(c, y > 0.8, torch.zeros_like(c))),
    T.gather: _picked(lambda e, i: T.gather(e, 2, i)),
    torch.gather: _picked(lambda e, i: torch.gather(e, -1, i)),
    torch.take_along_dim: _picked(lambda e, i: torch.take_along_dim(e, i, 2)),
    T.take_along_dim: _picked(lambda e, i: T.take_along_dim(e, i, dim=-1)),
    T.index_select: rows(lambda e, y: T.index_select(e, 2, torch.tensor([3, 0]))),
    torch.index_select: rows(lambda e, y: torch.index_select(e, 1, torch.tensor([2, 0]))),
    torch.diag: matched(lambda p, t: torch.diag(p @ t.T)),
    T.diag: matched(lambda p, t: T.diag(torch.cdist(p, t))),
    torch.diagonal: rows(lambda e, y: torch.diagonal(e @ y.transpose(1, 2), dim1=1, dim2=2)),
    T.diagonal: matched(lambda p, t: T.diagonal(p @ t.T)),
    torch.matmul: matched(lambda p, t: torch.diag(torch.matmul(p, t.T))),
    T.matmul: matched(lambda p, t: torch.diag(T.matmul(p, t.T))),
    T.__matmul__: matched(lambda p, t: torch.diag(T.__matmul__(p, t.T))),
    torch.mm: matched(lambda p, t: torch.diag(torch.mm(p, t.T))),
    T.mm: matched(lambda p, t: torch.diag(T.mm(p, t.T))),
    torch.bmm: rows(lambda e, y: torch.bmm(e.transpose(1, 2), y)),
    T.bmm: rows(lambda e, y: T.bmm(e, y.transpose(1, 2))),
    torch.cdist: matched(lambda p, t: torch.diag(torch.cdist(p, t))),
}
# Declined with a warning naming the op although no images are mixed: attribution the rules
# could follow but do not (yet).
DECLINES = {
    torch.diagonal: "a batched diagonal (dim1=1, dim2=2) of [B, R, R]",
}
WRONG: dict = {}


def params():
    for f in registered("indexing"):
        marks = [pytest.mark.xfail(strict=True, reason=WRONG[f])] if f in WRONG else []
        yield pytest.param(f, id=op_id(f), marks=marks)


@pytest.mark.parametrize("func", params())
def test_companion_is_the_body_on_the_group_alone(func):
    check_rule(CASES[func], op_id(func).split(".")[-1], declines=func in DECLINES)
