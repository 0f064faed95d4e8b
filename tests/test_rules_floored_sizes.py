"""A sum over a size of picked rows floored in Python: ``sel.sum() / max(len(sel), 1)``,
``max(sel.shape[0], 1)``, ``max(1, sel.size(0))``, ``max(sel.numel(), 1)``.

On a group whose images have no picked rows the body alone divides its empty sum by the floor: the
oracle's companion is 0 (DESIGN.md §1). Before session 42 the library read such a size as an
unfloored count and gave that group no companion ("an empty mean", with a warning). The floor is
taken only where the code proves the division divides by what ``max`` returned (``divisor_floor``)
and it is at most 1 (a count of rows is 0 or at least 1, so only the empty group changes); a
numerator over other rows than the counted ones then divides by the floor too (``ce.sum() /
max(len(sel), 1)``). Near misses keep declining: a floor above 1 (a group of one row divides by
2), the size divided unfloored beside a ``max`` of it, an average over the floored size.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import ROWS, TARGETS, outcome_class, split_outcome

ROWS_PER_IMAGE = 3
# which rows each image keeps, per batch: a group (weight 0.5: synthetic) with none in the first two
KEPT = [
    [[1, 0, 1], [0, 0, 0], [1, 1, 0], [0, 0, 0]],
    [[0, 0, 0], [1, 1, 1], [0, 0, 0]],
    [[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]],
    [[0, 1, 0], [1, 0, 0]],
]
WEIGHTS = [1.0, 0.5, 1.0, 0.5]


def _batch(seed: int) -> tuple[dict[str, torch.Tensor], list[dict]]:
    g = torch.Generator().manual_seed(seed)
    kept = KEPT[seed]
    o = {"x": torch.randn(len(kept), ROWS_PER_IMAGE, 4, generator=g).requires_grad_()}
    t = [{"labels": torch.randint(0, 4, (ROWS_PER_IMAGE,), generator=g), "keep": torch.tensor(k, dtype=torch.bool),
          "loss_weight": w} for k, w in zip(kept, WEIGHTS, strict=False)]
    return o, t


def _ce(o, t):
    return F.cross_entropy(o["x"].flatten(0, 1), torch.cat([u["labels"] for u in t]), reduction="none")


def _kept(o, t):
    return _ce(o, t)[torch.cat([u["keep"] for u in t])]


def _outcomes(body) -> tuple[list[str], list[str]]:
    seen, said = [], []
    for seed in range(len(KEPT)):
        got, want, warned = split_outcome(body, list(_batch(seed)), [ROWS, TARGETS])
        seen.append(outcome_class(got, want))
        said += warned
    return seen, said


def over_floored_len(o, t):
    sel = _kept(o, t)
    return {"loss": sel.sum() / max(len(sel), 1)}


def over_floored_shape(o, t):
    sel = _kept(o, t)
    n = sel.shape[0]
    return {"loss": sel.sum() / max(n, 1)}


def over_floored_size_first(o, t):
    sel = _kept(o, t)
    return {"loss": sel.sum() / max(1, sel.size(0))}


def over_floored_numel(o, t):
    sel = _kept(o, t)
    return {"loss": sel.sum() / max(sel.numel(), 1)}


def over_floored_local(o, t):
    sel = _kept(o, t)
    n = max(sel.shape[0], 1)
    return {"loss": sel.sum() / n}


def over_half_floor(o, t):
    sel = _kept(o, t)
    return {"loss": sel.sum() / max(len(sel), 0.5)}


def every_row_over_floored_picks(o, t):  # the numerator's rows are not the counted ones
    sel = _kept(o, t)
    return {"loss": _ce(o, t).sum() / max(len(sel), 1)}


@pytest.mark.parametrize("body", [over_floored_len, over_floored_shape, over_floored_size_first, over_floored_numel,
                                  over_floored_local, over_half_floor, every_row_over_floored_picks])
def test_a_size_floored_at_most_at_one_divides_an_empty_groups_sum_by_the_floor(body):
    seen, said = _outcomes(body)
    assert seen == ["exact"] * len(KEPT), (seen, said)
    assert not said, said


def floored_above_one(o, t):
    sel = _kept(o, t)
    return {"loss": sel.sum() / max(len(sel), 2)}


def unfloored_beside_a_floor(o, t):
    sel = _kept(o, t)
    n = sel.shape[0]
    floored = max(n, 1)  # noqa: F841 (computed, never the divisor)
    return {"loss": sel.sum() / n}


def average_over_a_floored_size(o, t):
    sel = _kept(o, t)
    return {"loss": sel.mean() / max(sel.shape[0], 1)}


@pytest.mark.parametrize("body", [floored_above_one, average_over_a_floored_size])
def test_a_floor_above_one_or_an_average_over_the_floored_size_declines(body):
    seen, said = _outcomes(body)
    assert seen == ["declined"] * len(KEPT), seen
    assert all("'loss'" in s for s in said if "dict unchanged" not in s) and said, said


def test_a_size_divided_unfloored_beside_a_max_of_it_gives_an_empty_group_nothing():
    # the body alone divides 0 by 0 there: no oracle companion, and the library names the group
    seen, said = _outcomes(unfloored_beside_a_floor)
    assert seen == ["exact"] * len(KEPT), seen
    assert any("group 'synthetic' has images but no rows" in s for s in said), said


# -- a count read with ``.item()`` and floored by the builtin ``max`` ----------------------------


def _keep(t):
    return torch.cat([u["keep"] for u in t])


def item_floored_at_the_division(o, t):
    keep = _keep(t)
    n = keep.sum().item()
    return {"loss": _ce(o, t)[keep].sum() / max(n, 1)}


def item_floored_first(o, t):
    keep = _keep(t)
    return {"loss": (_ce(o, t) * keep).sum() / max(1, keep.sum().item())}


def item_floored_into_a_local(o, t):
    keep = _keep(t)
    num_pos = max(keep.sum().item(), 1.0)
    return {"loss": torch.where(keep, _ce(o, t), 0.0).sum() / num_pos}


def every_row_over_a_floored_item(o, t):  # a group counting 0 still has rows in the sum: over the floor
    keep = _keep(t)
    return {"loss": _ce(o, t).sum() / max(keep.sum().item(), 1)}


def item_floored_at_two(o, t):  # a group counting 1 divides by 2 alone, as its clamped count does
    keep = _keep(t)
    return {"loss": _ce(o, t).sum() / max(keep.sum().item(), 2)}


def two_keys_over_one_floored_item(o, t):
    keep = _keep(t)
    n = keep.sum().item()
    ce = _ce(o, t)
    return {"loss": ce[keep].sum() / max(n, 1), "loss_all": ce.sum() / max(n, 1)}


@pytest.mark.parametrize("body", [item_floored_at_the_division, item_floored_first, item_floored_into_a_local,
                                  every_row_over_a_floored_item, item_floored_at_two, two_keys_over_one_floored_item])
def test_a_count_read_on_the_host_and_floored_by_max_divides_as_the_body_alone_does(body):
    seen, said = _outcomes(body)
    assert seen == ["exact"] * len(KEPT), (seen, said)
    assert not said, said


def floored_item_also_a_factor(o, t):  # ``max`` returned the count, which scales another loss too
    keep = _keep(t)
    n = max(keep.sum().item(), 1)
    ce = _ce(o, t)
    return {"loss": ce.sum() / n, "scaled": ce.mean() * n}


def floored_item_then_tested(o, t):
    keep = _keep(t)
    n = keep.sum().item()
    ce = _ce(o, t)
    loss = ce.sum() / max(n, 1)
    return {"loss": loss * 2 if n > 0 else loss}


def floored_item_over_a_mean(o, t):  # no row-sum normaliser: the group's own count is a factor
    keep = _keep(t)
    return {"loss": _ce(o, t).mean() / max(keep.sum().item(), 1)}


@pytest.mark.parametrize("body", [floored_item_also_a_factor, floored_item_then_tested, floored_item_over_a_mean])
def test_a_floored_count_read_used_otherwise_declines_the_group_below_the_floor(body):
    seen, said = _outcomes(body)
    assert "wrong" not in seen, seen
    assert seen[:2] == ["declined"] * 2 and any("comparison" in s for s in said), (seen, said)


def floored_only_beside_the_division(o, t):  # the division itself is unfloored: 0 / 0 alone
    keep = _keep(t)
    n = keep.sum().item()
    floored = max(n, 1)  # noqa: F841 (computed, never the divisor)
    return {"loss": (_ce(o, t) * keep).sum() / n}


def test_a_count_floored_beside_an_unfloored_division_gives_the_empty_group_nothing():
    seen, said = _outcomes(floored_only_beside_the_division)
    assert "wrong" not in seen, seen
    assert any("'loss_synthetic'" in s for s in said), said
