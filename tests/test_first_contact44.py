"""The rules survey 44 (first contact) asked for, each against the oracle on several batches, with
their near misses: a table the body made with a row per image, first written with a number at the
same part of every row and then row for row with the images' values (soft-DTW's dynamic
programme, ``r = torch.full((B, N + 1, M + 1), inf); r[:, 0, 0] = 0.0``), and
``F.triplet_margin_with_distance_loss`` with a distance that gives each row its own value. One
family was WRONG before: a sum of a tensor taken before the tensor was written row for row; another
a ``topk`` (``kthvalue``, ``narrow``) k computed from the number of images: it declines now."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from _helpers import check_rule, logged_warnings, rule_targets, wrong_companions
from test_first_contact38 import BATCHES, _declines, _outcome, _splits

# -- a table first written with a number at the same part of every row ----------------------------

def _programme(x, y, r):
    """Soft-DTW's recursion over the squared costs of ``x`` [B, N] and ``y`` [B, M] into ``r``."""
    d = (x[:, :, None] - y[:, None, :]) ** 2
    n, m = d.shape[1:]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            prev = torch.stack([r[:, i - 1, j - 1], r[:, i - 1, j], r[:, i, j - 1]], -1)
            r[:, i, j] = d[:, i - 1, j - 1] - 0.5 * torch.logsumexp(-prev / 0.5, -1)
    return {"loss_dtw": r[:, n, m].mean()}


def soft_dtw_full(x, y):
    r = torch.full((x.shape[0], x.shape[1] + 1, y.shape[1] + 1), float("inf"))
    r[:, 0, 0] = 0.0
    return _programme(x, y, r)


def soft_dtw_new_zeros_two_numbers(x, y):
    r = x.new_zeros(len(x), x.shape[1] + 1, y.shape[1] + 1)
    r[:, 1:, 0] = float("inf")
    r[:, 0, 1:] = 1e4
    return _programme(x, y, r)


def soft_dtw_empty(x, y):
    r = torch.empty(x.shape[0], x.shape[1] + 1, y.shape[1] + 1)
    r[:, :, :] = float("inf")
    r[:, 0, 0] = 0
    return _programme(x, y, r)


def test_a_table_first_written_with_numbers_at_every_row_splits():
    """``torch.full`` then ``[:, 0, 0] = 0.0``; ``new_zeros`` then two numbers over slices of every
    row; ``torch.empty`` filled through a full index, then an int: then the programme row for row.
    (Each was no rows followed before.)"""
    for body in (soft_dtw_full, soft_dtw_new_zeros_two_numbers, soft_dtw_empty):
        _splits(body, 4)


def soft_dtw_first_row_only(x, y):
    r = torch.full((x.shape[0], x.shape[1] + 1, y.shape[1] + 1), float("inf"))
    r[0, 0, 0] = 0.0  # row 0 alone: on a group alone another image's row
    return _programme(x, y, r)


def soft_dtw_count_start(x, y):
    r = torch.full((x.shape[0], x.shape[1] + 1, y.shape[1] + 1), float("inf"))
    r[:, 0, 0] = float(len(x))  # a count of the images: on a group alone the group's
    return _programme(x, y, r)


def soft_dtw_reciprocal_start(x, y):
    r = x.new_zeros(x.shape[0], x.shape[1] + 1, y.shape[1] + 1)
    r[:, 1:, 0] = float("inf")
    r[:, 0, 1:] = 1.0 / x.shape[0]  # the reciprocal of the count: on a group alone the group's
    return _programme(x, y, r)


def soft_dtw_start_after_values(x, y):
    r = torch.full((x.shape[0], x.shape[1] + 1, y.shape[1] + 1), float("inf"))
    r[:, 0, 0] = 0.0
    out = _programme(x, y, r)
    r[:, 0, 0] = float(len(x))  # a count written after the values: on a group alone the group's
    return {"loss_dtw": out["loss_dtw"] + r.clamp(max=1e3).mean()}


def soft_dtw_read_between(x, y):
    r = torch.zeros(x.shape[0], x.shape[1] + 1, y.shape[1] + 1)
    r[:, 0, 1:] = 1.0
    n = r.sum()  # a sum of the constants over the images: on a group alone the group's
    r[:, 1:, 0] = 1.0
    out = _programme(x, y, r)
    return {"loss_dtw": out["loss_dtw"] / n}


def test_a_number_at_one_row_or_a_count_is_no_row_buffer():
    """Near misses: a number written at row 0 alone, a count of the images or its reciprocal as the
    number, a count written after the images' values, the table's constants read between the writes: each key
    declined (never the batch's value)."""
    for body in (soft_dtw_first_row_only, soft_dtw_count_start, soft_dtw_reciprocal_start, soft_dtw_start_after_values,
                 soft_dtw_read_between):
        _declines(body, "loss_dtw", 4)


def soft_dtw_batch_read_between(x, y):
    r = torch.zeros(x.shape[0], x.shape[1] + 1, y.shape[1] + 1)
    r[:, 0, 1:] = float("inf")
    r[:, 1:, 0] = float("inf")
    out = _programme(x, y, r)
    return {"loss_dtw": out["loss_dtw"], "loss_dtw_rows": r[:, -1, -1].sum() / r.shape[0]}


def test_a_table_read_by_its_rows_after_the_programme_splits():
    """The table's last cell of every row over its row count (``r.shape[0]``, the group's on a group
    alone)."""
    _splits(soft_dtw_batch_read_between, 4)


# -- a sum of a tensor taken before the tensor was written (WRONG before) ---------------------------

def ones_summed_then_written(x, y):
    w = torch.ones(x.shape[0], 3)
    n = w.sum()  # 3 B: the batch's count, taken before the writes
    w[:, 0] = y[:, 0]
    return {"loss_n": ((x - y) ** 2).sum() / n, "loss_w": (w * x[:, :3]).sum()}


def zeros_summed_between_number_writes(x, y):
    r = torch.zeros(x.shape[0], x.shape[1] + 1, y.shape[1] + 1)
    r[:, 0, 1:] = 1.0
    n = r.sum()
    r[:, 1, 1] = x[:, 0]
    return {"loss_n": ((x - y) ** 2).sum() / n}


def test_a_sum_taken_before_the_tensor_was_written_is_no_row_sum():
    """``n = w.sum()`` of a tensor of no images yet, then ``w`` written row for row with the images'
    values: ``n`` is a count of the batch, not a row sum of what ``w`` holds at the division. It was
    read as the group's sum of ``w``'s new values (a WRONG companion); now the key is declined."""
    for body in (ones_summed_then_written, zeros_summed_between_number_writes):
        _declines(body, "loss_n", 4)


# -- ``F.triplet_margin_with_distance_loss`` ----------------------------------------------------------

def _triplet_batch(seed: int, sources: list[str]) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed + 4410)
    b = len(sources)
    return [torch.randn(b, 3, 8, generator=g).requires_grad_()]


def _triplet_splits(distance, **options) -> None:
    def body(e):
        loss = F.triplet_margin_with_distance_loss(e[:, 0], e[:, 1], e[:, 2], distance_function=distance, **options)
        return {"loss_triplet": loss}

    for seed, sources in enumerate(BATCHES):
        got, want, said = _outcome(body, _triplet_batch(seed, sources), sources)
        assert not wrong_companions(got, want), (seed, got, want)
        assert set(got) == set(want), (seed, said)


def _triplet_declines(distance) -> None:
    def body(e):
        loss = F.triplet_margin_with_distance_loss(e[:, 0], e[:, 1], e[:, 2], distance_function=distance, margin=0.5)
        return {"loss_triplet": loss}

    for seed, sources in enumerate(BATCHES):
        got, want, said = _outcome(body, _triplet_batch(seed, sources), sources)
        assert not wrong_companions(got, want), (seed, got, want)
        assert got == {}, (seed, got)
        assert any("'loss_triplet'" in m and "triplet_margin_with_distance_loss" in m for m in said), said


def _cosine_distance(a, b):
    return 1.0 - F.cosine_similarity(a, b)


def test_a_triplet_loss_with_a_distance_by_row_splits():
    """The cosine distance (PyTorch's documented example), the default, ``nn.PairwiseDistance``,
    the diagonal of ``cdist`` (each row's own distance, through every pair), with swap and each
    reduction; none split before (no rule)."""
    _triplet_splits(_cosine_distance, margin=0.5)
    _triplet_splits(None, margin=1.0, reduction="sum")
    _triplet_splits(torch.nn.PairwiseDistance(p=1.0), margin=2.0, swap=True)
    _triplet_splits(lambda a, b: torch.cdist(a, b).diagonal(), margin=1.0)


def test_a_triplet_loss_with_a_distance_of_the_batch_declines():
    """Near misses: a distance less the batch's mean distance, one over the batch size, one that
    returns a number per batch."""
    _triplet_declines(lambda a, b: (a - b).norm(dim=-1) - (a - b).norm(dim=-1).mean())
    _triplet_declines(lambda a, b: (a - b).norm(dim=-1) / len(a))
    _triplet_declines(lambda a, b: (a - b).norm(dim=-1).sum())


def test_a_random_distance_declines_and_leaves_the_generator_as_training_would():
    """A distance with dropout is not run per row (``vmap`` refuses random ops before they draw): the
    key is declined, the loss and the next draw of the generator as without the decorator."""
    from losssplit import sources, split_by_source

    def body(e):
        d = lambda a, b: F.dropout((a - b).norm(dim=-1), 0.5, training=True)  # noqa: E731
        return {"loss_triplet": F.triplet_margin_with_distance_loss(e[:, 0], e[:, 1], e[:, 2], distance_function=d)}

    e = _triplet_batch(0, BATCHES[0])[0]
    torch.manual_seed(0)
    with sources(BATCHES[0]), logged_warnings() as said:
        out = split_by_source(body)(e)
    assert any("'loss_triplet'" in m and "triplet_margin_with_distance_loss" in m for m in said), said
    after = torch.rand(3)
    torch.manual_seed(0)
    plain = body(e)
    assert set(out) == {"loss_triplet"} and torch.equal(out["loss_triplet"], plain["loss_triplet"])
    assert torch.equal(after, torch.rand(3))


# -- ``Tensor.unfold``: windows of a dim ------------------------------------------------------------------

def patches_of_each_row(outputs, targets):
    """PatchTST's patching: windows of 2 steps every 2 along each image's last dim, a weighted
    error per patch (the weight field per image, set to 1 on a group alone), mean."""
    w = torch.tensor([t["loss_weight"] for t in targets])
    e = (outputs["x"] - rule_targets(targets)) * w[:, None, None]
    return {"loss_patch": e.unfold(-1, 2, 2).abs().mean(-1).pow(2).mean()}


def overlapping_windows_of_a_middle_dim(outputs, targets):
    return {"loss_windows": (outputs["x"].unfold(1, 2, 1) - 0.5).pow(2).sum() / outputs["x"].shape[0]}


def windows_across_images(outputs, targets):
    # the images' rows flattened, windows of 2 across the boundary of two images
    return {"loss_windows": outputs["x"].flatten(0, 1).unfold(0, 2, 1).prod(-1).mean()}


def windows_of_a_counted_size(outputs, targets):
    return {"loss_windows": outputs["x"].unfold(-1, len(targets) - 1, 1).pow(2).mean()}  # on a group alone another size


def test_windows_of_a_dim_without_images_split():
    """``Tensor.unfold`` along an image's own dim: patches of the last, overlapping windows of a
    middle one, with the weight field (no rule before: every key declined)."""
    check_rule(patches_of_each_row, "Tensor.unfold")
    check_rule(overlapping_windows_of_a_middle_dim, "Tensor.unfold")


def test_windows_across_images_or_of_a_counted_size_decline():
    """Near misses: windows along the images' dim, windows sized by the count of images."""
    check_rule(windows_across_images, "Tensor.unfold", declines=True)
    check_rule(windows_of_a_counted_size, "unfold", declines=True)


# -- ``topk`` with a k computed from the number of images (WRONG before) -------------------------------

def top_k_of_a_count(outputs, targets):
    return {"loss_top": outputs["x"].topk(len(targets) - 1, -1).values.pow(2).mean()}


class _Mining:
    k = 2


def top_k_literal_and_attribute(outputs, targets):
    """Hard mining along each image's own dim with a literal k and a class attribute's."""
    e = (outputs["x"] - rule_targets(targets)).abs()
    return {"loss_top": e.topk(3, -1).values.mean() + e.topk(_Mining.k, dim=1).values.mean()}


def test_a_top_k_whose_k_is_a_count_of_the_images_declines():
    """``x.topk(len(targets) - 1, -1)`` along a dim of each image's own: on a group alone the
    group's count picks another k. Given as the batch's k on every group (a WRONG companion)."""
    check_rule(top_k_of_a_count, "topk", declines=True)


def test_a_top_k_with_a_literal_or_an_attribute_k_splits():
    check_rule(top_k_literal_and_attribute, "topk")


def top_k_of_a_count_through_a_local_and_a_helper(outputs, targets):
    """The count stored in a local, then handed to a helper that takes the top k."""
    n = len(targets)

    def hardest(e, k):
        return e.topk(k, dim=-1).values.mean()

    return {"loss_top": hardest((outputs["x"] - rule_targets(targets)).abs(), n - 1)}


def kth_value_of_a_count(outputs, targets):
    e = (outputs["x"] - rule_targets(targets)).abs()
    return {"loss_kth": e.kthvalue(len(targets), -1).values.mean()}


def narrow_of_a_count(outputs, targets):
    e = (outputs["x"] - rule_targets(targets)).abs()
    return {"loss_narrow": e.narrow(2, 0, len(targets) - 1).mean()}


def top_k_of_the_loops_position(outputs, targets):
    total = outputs["x"].new_zeros(())
    for b in range(len(targets)):
        total = total + outputs["x"][b].topk(b + 1, -1).values.mean()
    return {"loss_top": total}


def top_k_per_image_literal_and_own_size(outputs, targets):
    """In a loop over the images: a literal k beside the loop's image, and a k of that image's own
    labels (the same on any group with it), a kthvalue of its own size too."""
    total = outputs["x"].new_zeros(())
    for b, s in enumerate(targets):
        e = (outputs["x"][b] - s["y"]).abs()
        own = len(s["labels"]) - 1
        total = total + e.topk(2).values.mean() + e.topk(own, -1).values.mean()
        total = total + e.kthvalue(own, 1).values.mean()
    return {"loss_top": total / len(targets)}


def test_an_int_argument_computed_from_the_count_declines_for_topk_kthvalue_narrow():
    """Through a local and a helper's parameter, ``kthvalue``'s k, ``narrow``'s length: on a group
    alone another k (the argument's own code is read)."""
    check_rule(top_k_of_a_count_through_a_local_and_a_helper, "topk", declines=True)
    check_rule(kth_value_of_a_count, "kthvalue", declines=True)
    check_rule(narrow_of_a_count, "narrow", declines=True)


def test_a_literal_or_an_images_own_k_in_a_loop_over_the_images_splits():
    check_rule(top_k_per_image_literal_and_own_size, "topk")


def top_k_of_the_loops_position_in_a_generator(outputs, targets):
    return {"loss_top": sum(outputs["x"][b].topk(b + 1, -1).values.mean() for b in range(len(targets)))}


def top_k_of_an_enumerated_position_through_a_local(outputs, targets):
    total = outputs["x"].new_zeros(())
    for b, s in enumerate(targets):
        k = min(b + 1, 3)
        total = total + (outputs["x"][b] - s["y"]).abs().kthvalue(k, -1).values.mean()
    return {"loss_kth": total}


def top_k_of_a_literal_and_an_inner_loops_position(outputs, targets):
    """Near miss: in the loop over the images, a literal k and the position of a loop over
    ``range(2)`` (no image's): the same k on any group."""
    total = outputs["x"].new_zeros(())
    for b in range(len(targets)):
        total = total + outputs["x"][b].topk(2, -1).values.mean()
        for j in range(2):
            total = total + outputs["x"][b].topk(j + 1, -1).values.mean()
    return {"loss_top": total}


def test_a_top_k_of_a_loops_position_declines():
    """``x[b].topk(b + 1, -1)`` for ``b in range(len(t))`` (a for loop, a generator, an
    ``enumerate``'s position through a local): on a group alone its images' positions are
    others (was WRONG: the k's code was read without positions)."""
    check_rule(top_k_of_the_loops_position, "topk", declines=True)
    check_rule(top_k_of_the_loops_position_in_a_generator, "topk", declines=True)
    check_rule(top_k_of_an_enumerated_position_through_a_local, "kthvalue", declines=True)


def test_a_literal_or_an_inner_loops_position_as_k_beside_the_images_position_splits():
    check_rule(top_k_of_a_literal_and_an_inner_loops_position, "topk")
