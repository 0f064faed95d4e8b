"""Numbers read on the host decline only what they may reach (survey 52, issue #13).

A count read by ``.item()`` whose every use the body's code shows to be seen (``_bytecode.group_read``:
a ``GroupFloat`` / ``GroupInt``, followed per group) is:

- proven also beside an operand that indexes with slices and ``None`` (``lw[rel][:, None]``: the key
  of a subscript is no operand of the number). Soft Teacher's smooth L1 over ``max(n.item() * 4, 1)``
  times each box's ``loss_weight`` declined the whole call;
- no size a slice can take unseen: a slice after it, bounded by a global constant, keeps its companions
  (YOLO-World's own texts written per image after the count, on one image: declined the call). A slice
  bounded by the number itself is not proven, and still declines.

A number read by ``float()`` / ``int()`` (unmarked: Python makes a plain number of what ``__float__``
returns) whose every use the code shows to end at an operator or a torch function (``_bytecode.read_reach``)
is accounted for where a rule takes it as a count; at any other such arithmetic that op's output is lost,
and so are the new tensors of a method or torch function given it beside a tensor of the images
(``x.topk(k)``: KL-Cov's top tokens, survey 58), so only the keys computed from it decline (Mask R-CNN's logged false-positive rate over
``max(float(neg.sum()), 1.0)`` declined the whole call). A read compared in Python, a size of a new tensor
of no images' values, an in-place result sized by it, a draw or a method of no tensor still declines the call;
a view sized by it, or one kept beside a local tensor (the result followed as a number into the returned
dict), declines the keys the code proves it reaches (s60, ``tests/test_rules_read_keys.py``).
"""

from __future__ import annotations

import pytest
import torch
from _helpers import (
    RULE_BATCHES,
    outcome_class,
    rule_batch,
    rule_outcome,
    rule_targets,
    wrong_companions,
)

K = 2  # a global constant: no literal at the subscript
# the rule batches of 2 to 4 images and two of one image (one group absent)
BATCHES = [*RULE_BATCHES, (7, [0.5]), (8, [1.0])]


def _outcomes(body) -> list[str]:
    seen = []
    for seed, weights in BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        seen.append(outcome_class(got, want))
    return seen


def _weights(t) -> torch.Tensor:
    return torch.cat([torch.full((3,), u["loss_weight"]) for u in t])


def weighted_over_read_times_four(o, t):
    y = rule_targets(t)
    lw = _weights(t)
    rel = (y[..., 0] > 0.4).flatten()
    e = (o["x"] - y).abs().flatten(0, 1)[rel]
    return {"loss": (e * lw[rel][:, None]).sum() / max(rel.sum().item() * 4, 1)}


def masked_over_read_ellipsis(o, t):
    y = rule_targets(t)
    m = y[..., 0] > 0.4
    return {"loss": ((o["x"] - y).abs()[..., 1:] * m[..., None]).sum() / max(m.sum().item() * 3, 1)}


def weighted_over_read_kept_tuple(o, t):
    y = rule_targets(t)
    lw = _weights(t)
    rel = (y[..., 0] > 0.4).flatten()
    e = (o["x"] - y).abs().flatten(0, 1)[rel]
    return {"loss": (e * lw[rel][:, None]).sum() * len((1, 2)) / max(rel.sum().item() * 4, 1)}


def test_a_read_beside_an_operand_indexed_by_slices_and_none_is_followed():
    assert _outcomes(weighted_over_read_times_four) == ["exact"] * len(BATCHES)
    assert _outcomes(masked_over_read_ellipsis) == ["exact"] * len(BATCHES)


def test_a_constant_tuple_that_is_no_index_is_no_proof():
    seen = _outcomes(weighted_over_read_kept_tuple)
    assert "wrong" not in seen and "declined" in seen, seen


def written_after_read(o, t):
    y = rule_targets(t)
    m = y > 0.5
    n = max(m.sum().item(), 1)
    z = torch.zeros_like(y)
    for i in range(len(t)):
        z[i, :, :K] = y[i, :, :K]
    return {"loss": ((o["x"] - z).abs() * m).sum() / n}


def stacked_after_read(o, t):
    y = rule_targets(t)
    m = y > 0.5
    n = max(m.sum().item(), 1)
    z = []
    for i in range(len(t)):
        z.append(y[i, :, :K])
    return {"loss": ((o["x"][:, :, :K] - torch.stack(z)).abs() * m[:, :, :K]).sum() / n}


def sliced_by_read(o, t):
    m = rule_targets(t) > 0.5
    n = max(m.sum().item(), 1)
    z = torch.stack([u["y"][:, :n] for u in t])
    return {"loss": ((o["x"][:, :, :n] - z).abs() * m[:, :, :n]).sum() / n}


@pytest.mark.parametrize("body", [written_after_read, stacked_after_read])
def test_slices_after_a_followed_read_keep_their_companions(body):
    assert _outcomes(body) == ["exact"] * len(BATCHES)


def test_a_slice_bounded_by_the_read_still_declines():
    seen = _outcomes(sliced_by_read)
    assert seen[:-1] == ["declined"] * (len(BATCHES) - 1), seen  # (the last: one group, every weight 1)
    _, _, said = rule_outcome(sliced_by_read, rule_batch(0, RULE_BATCHES[0][1]))
    assert any("slice bounds after a value not of one image was read" in m for m in said), said


# -- a number read by float() / int(), unmarked: declined only where it reaches (a read only computed with in
# Python steers nothing; one taken as a count at one op and scaling a loss at another declines that loss) ----------


def logged_rate_beside(o, t):
    """A logged rate over the square root of a count read by ``float()`` (no count rule takes it; over
    the count itself it is the ratio of two sums, ``logged_rate_over_the_read_count``)."""
    y = rule_targets(t)
    hit = (o["x"] > 0.5) == (y > 0.5)
    with torch.no_grad():
        fp = ((o["x"] > 0.5) & (y <= 0.5)).sum() / max(float((y <= 0.5).sum()), 1.0) ** 0.5
    return {"loss": (o["x"] - y).abs().mean(), "acc": hit.float().mean(), "fp": fp}


def logged_rate_over_the_read_count(o, t):
    y = rule_targets(t)
    with torch.no_grad():
        fp = ((o["x"] > 0.5) & (y <= 0.5)).sum() / max(float((y <= 0.5).sum()), 1.0)
    return {"loss": (o["x"] - y).abs().mean(), "fp": fp}


def scaled_by_converted(o, t):
    y = rule_targets(t)
    n = int((y > 0.5).sum())
    inv = 1.0 / max(n, 1)
    return {"loss": (o["x"] - y).abs().mean(), "loss_scaled": (o["x"] - y).square().mean() * inv}


def counted_by_float(o, t):
    y = rule_targets(t)
    m = y > 0.5
    return {"loss": ((o["x"] - y).abs() * m).sum() / max(float(m.sum()), 1.0), "loss_sq": (o["x"] - y).square().mean()}


def counted_and_scaling(o, t):
    y = rule_targets(t)
    m = y > 0.5
    n = max(float(m.sum()), 1.0)
    return {"loss": ((o["x"] - y).abs() * m).sum() / n, "loss_scaled": (o["x"] - y).square().mean() * n}


def read_unused(o, t):
    y = rule_targets(t)
    n = float((y > 0.5).sum())
    k = n * 2  # noqa: F841 - read, computed with, never used
    return {"loss": (o["x"] - y).abs().mean()}


def compared_read(o, t):
    y = rule_targets(t)
    n = float((y > 0.5).sum())
    scale = 2.0 if n > 20 else 1.0
    return {"loss": (o["x"] - y).abs().mean() * scale}


def sized_by_read(o, t):
    y = rule_targets(t)
    n = int((y > 0.5).sum())
    pad = torch.zeros(n)
    return {"loss": (o["x"] - y).abs().mean() + pad.sum()}


def kept_in_a_local_tensor(o, t):
    y = rule_targets(t)
    cnt = ((o["x"] > 0.5) & (y <= 0.5)).sum()
    fp = cnt / max(float((y <= 0.5).sum()), 1.0) ** 0.5
    return {"loss": (o["x"] - y).abs().mean(), "fp": fp}


def topk_sized_by_read(o, t):
    y = rule_targets(t)
    e = (o["x"] - y).abs()
    k = max(int((y > 0.5).sum() * 0.25), 1)  # KL-Cov's share of the batch's tokens
    return {"loss": e.mean(), "loss_top": e.flatten().topk(k).values.mean()}


def topk_along_columns_by_read(o, t):
    y = rule_targets(t)
    e = (o["x"] - y).abs()
    k = min(max(int((y > 0.5).sum() * 0.25), 1), 4)
    return {"loss": e.mean(), "loss_top": e.topk(k, dim=-1).values.mean()}  # each row's own top k: its size the read


def narrowed_by_read(o, t):
    y = rule_targets(t)
    e = (o["x"] - y).abs()
    k = max(int((y > 0.5).sum() * 0.25), 1)
    return {"loss": e.mean(), "loss_top": e.flatten().narrow(0, 0, k).mean()}  # a view of the rows


def clamped_in_place_by_read(o, t):
    y = rule_targets(t)
    e = (o["x"] - y).abs()
    k = int((y > 0.5).sum())
    capped = e.detach().clone()
    capped.clamp_(max=k / 10)
    return {"loss": e.mean(), "loss_capped": capped.mean()}


def drawn_by_read(o, t):
    y = rule_targets(t)
    e = (o["x"] - y).abs()
    k = max(int((y > 0.5).sum() * 0.25), 1)
    # a draw (its own generator here, so that both runs draw alike): on a group alone later draws would shift
    picked = e.detach().flatten().multinomial(k, generator=torch.Generator().manual_seed(0))
    return {"loss": e.mean(), "loss_drawn": e.flatten()[picked].mean()}


LEVELS = [1, 2, 3, 4]


def method_of_a_list_by_read(o, t):
    y = rule_targets(t)
    e = (o["x"] - y).abs()
    k = int((y > 0.5).sum()) % 5
    return {"loss": e.mean() * LEVELS.count(k)}  # no torch op at the site: the number not followed


def _keys(body, seed, weights):
    got, want, said = rule_outcome(body, rule_batch(seed, weights))
    assert not wrong_companions(got, want), (seed, got, want)
    return {k.rsplit("_", 1)[0] for k in got}, {k.rsplit("_", 1)[0] for k in want}, said


def test_a_float_read_declines_only_the_key_it_divides():
    for seed, weights in RULE_BATCHES:
        got, want, said = _keys(logged_rate_beside, seed, weights)
        assert got == want - {"fp"}, (seed, said)
        assert any("'fp'" in m and "Tensor.__float__" in m for m in said), said


def test_a_data_count_over_a_float_read_count_splits():
    """The ratio of two sums (``elementwise._data_over_read``, gap47b: declined before as the above)."""
    for seed, weights in RULE_BATCHES:
        got, want, said = _keys(logged_rate_over_the_read_count, seed, weights)
        assert got == want, (seed, said)


def test_an_int_read_scaling_a_loss_declines_that_key_only():
    for seed, weights in RULE_BATCHES:
        got, want, said = _keys(scaled_by_converted, seed, weights)
        assert got == want - {"loss_scaled"}, (seed, said)


def test_a_float_read_taken_as_a_count_still_splits():
    assert _outcomes(counted_by_float) == ["exact"] * len(BATCHES)
    assert _outcomes(read_unused) == ["exact"] * len(BATCHES)


def test_a_read_taken_as_a_count_at_one_op_declines_the_key_it_scales_at_another():
    for seed, weights in RULE_BATCHES:
        got, want, said = _keys(counted_and_scaling, seed, weights)
        assert got == want - {"loss_scaled"}, (seed, said)
        assert any("'loss_scaled'" in m for m in said), said


def test_a_read_sizing_a_new_tensor_of_a_method_declines_only_that_key():
    """KL-Cov (survey 58): ``x.topk(k)`` of ``k = max(int(n * 0.25), 1)`` read from several images
    -- the method's new tensors are lost as a mixing value's, the other keys split (it declined
    the whole call)."""
    for seed, weights in RULE_BATCHES:
        got, want, said = _keys(topk_sized_by_read, seed, weights)
        assert got == want - {"loss_top"}, (seed, said)
        assert any("'loss_top'" in m and "Tensor.topk" in m for m in said), said


@pytest.mark.parametrize("body", [compared_read, sized_by_read, clamped_in_place_by_read, drawn_by_read,
                                  method_of_a_list_by_read])
def test_a_read_compared_sizing_or_kept_beside_a_local_declines_the_call(body):
    for seed, weights in RULE_BATCHES:
        got, _, said = rule_outcome(body, rule_batch(seed, weights))
        assert got == {} and said, (seed, got)


@pytest.mark.parametrize("body, reached", [(kept_in_a_local_tensor, "fp"), (narrowed_by_read, "loss_top"),
                                           (topk_along_columns_by_read, "loss_top")])
def test_a_read_kept_beside_a_local_or_sizing_a_view_declines_the_keys_it_reaches(body, reached):
    """s60: where the code proves the keys the number can reach (``_reach``), only those decline
    (these declined the whole call); ``tests/test_rules_read_keys.py``."""
    for seed, weights in RULE_BATCHES:
        got, want, said = _keys(body, seed, weights)
        assert got == want - {reached}, (seed, said)
        assert any(f"'{reached}'" in m for m in said), said


def per_image_counts_floored(o, t):
    n = 0.0
    for u in t:
        k = u["fg"].sum().item()
        n += k
    e = (o["x"] - rule_targets(t)).abs()
    n = max(n, 1)
    fg = torch.cat([u["fg"] for u in t])
    return {"loss": e[..., 0].flatten()[fg].sum() / n, "loss_rest": e[..., 1:].flatten(0, 1)[fg].sum() / n}


def test_per_image_counts_added_up_keep_their_floor_beside_an_ellipsis_index():
    """One image's count of several is left to the per-image rules, which take ``max(n, 1)`` as each
    group's floor: the group without foreground gets its empty sum over 1 (followed as a marked number,
    the floor was a comparison that group decides otherwise, and it was declined)."""
    for seed, weights in RULE_BATCHES:
        o, t = rule_batch(seed, weights)
        for u in t:
            u["fg"] = (u["y"][:, 0] > 0.3) & (u["loss_weight"] == 1.0)
        got, want, said = rule_outcome(per_image_counts_floored, (o, t))
        assert set(got) == set(want) and not wrong_companions(got, want), (seed, said)
