"""``torch.linalg.solve`` / ``solve_ex`` / ``solve_triangular`` (``left=True``) with the images as
the columns of ``B`` (normflows' ``LULinearPermute.inverse``: ``solve_triangular(lower, x.t())``):
each column is solved on its own, so the solution's columns are the images'. Against the oracle on
every ``RULE_BATCHES`` batch; near misses where ``A`` or ``B``'s rows carry images decline."""

import pytest
import torch
from _helpers import check_rule

_LOWER = torch.tensor([[1.0, 0.0, 0.0, 0.0], [0.4, 1.0, 0.0, 0.0], [-0.3, 0.2, 1.0, 0.0], [0.1, 0.5, -0.2, 1.0]])
_UPPER = _LOWER.T * torch.tensor([2.0, 1.5, 1.0, 0.5])[:, None]


def _codes(outputs, targets):
    """Each image's code [B, 4]: its first row of errors."""
    return (outputs["x"] - torch.stack([t["y"] for t in targets])).abs()[:, 0]


def _solved(solve):
    def body(outputs, targets):
        z = solve(_codes(outputs, targets).t()).t()  # [B, 4]
        return {"loss": (z ** 2).sum(-1).mean(), "loss_sum": z.sum()}

    return body


@pytest.mark.parametrize("solve", [
    lambda c: torch.linalg.solve_triangular(_LOWER, c, upper=False, unitriangular=True),
    lambda c: torch.linalg.solve_triangular(_UPPER, torch.linalg.solve_triangular(_LOWER, c, upper=False), upper=True),
    lambda c: torch.linalg.solve(_LOWER + _UPPER, c),
    lambda c: torch.linalg.solve_ex(_LOWER + _UPPER, c).result,
], ids=["solve_triangular", "two-triangular-solves", "solve", "solve_ex"])
def test_images_as_the_columns_solved_split(solve):
    """Was declined ("over a dim that carries images"): the columns keep their images."""
    check_rule(_solved(solve), "")


@pytest.mark.parametrize("solve", [
    # ``A`` of one image's values: every column solved with image 0's matrix
    lambda c: torch.linalg.solve_triangular(_LOWER + c[:, :1] * torch.eye(4), c, upper=False),
    # the images as ``B``'s rows (a [B, B] system): each solution row mixes every image's
    lambda c: torch.linalg.solve(torch.eye(c.shape[1]) + 0.1, c.t()).t(),
    # from the right: ``X A = B`` mixes ``B``'s columns
    lambda c: torch.linalg.solve_triangular(torch.eye(c.shape[1]) + 0.1 * torch.ones(c.shape[1], c.shape[1]).triu(1), c,
                                            upper=True, left=False),
], ids=["a-matrix-of-one-image", "images-as-rows", "from-the-right"])
def test_solves_that_mix_images_decline(solve):
    check_rule(_solved(solve), "solve", declines=True)
