"""Per-image host reads in a loop over the images, SimOTA's shape (YOLOX, survey 65): each ground
truth's top-k count read on the host from its own image's values (``int(dynamic_k[j])``) and used on
that image's cost row only, ``cost[j]`` at a counter of ``range(len(gt))``, and the image's foreground
count added to a Python running sum (``num_fg += int(fg.sum())``) that divides the losses. On a group
alone (the oracle of DESIGN.md §1) each image's reads are its own and the running sum is the group's.

Two rules make that exact: ``_bytecode._accumulated`` reads the running sum where its ``0`` is one
item of a tuple the code unpacks (``num_fg, ts = 0, []``) and where its addition starts a statement
other code jumps to (right after a ``with torch.no_grad():`` block); ``Frame.positioned`` takes an int
position whose code makes it a counter of ``range`` over sizes and literals
(``_provenance.counted_position``) as the code's own, not a number read on the host from another
image. Near misses decline: a count read from values of several images, an image's count reused for
every image, a top-k count or a position taken from another image's reads, a count scaled by the
image's position in the batch; none is given a value other than the oracle's."""

from __future__ import annotations

import pytest
import torch
from _helpers import check_count_declines, check_count_exact, rule_errors


def _cost(x_i: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """One image's cost of each label (row) against each of its 3 anchors (column)."""
    return (x_i.detach().mean(1)[None] * 4 - labels.float()[:, None]).abs()


def _dynamic_k(cost: torch.Tensor) -> torch.Tensor:
    """Each label's top-k count from its own cost row's values: 1 or 2."""
    return (cost.min(1).values < 1.0).int() + 1


def _assigned(cost: torch.Tensor, ks: torch.Tensor) -> torch.Tensor:
    """The anchors the image's labels (the rows of ``cost``) claim ([3] bool): each its ``ks[j]``
    cheapest, read on the host."""
    matching = torch.zeros_like(cost)
    for j in range(len(cost)):
        matching[j, torch.topk(cost[j], int(ks[j]), largest=False).indices] = 1.0
    return matching.sum(0) > 0


def _fg_errors(outputs, fgs: list[torch.Tensor], targets) -> torch.Tensor:
    """The foreground anchors' summed errors."""
    return (rule_errors(outputs, targets).sum(2) * torch.stack(fgs)).sum()


def simota(outputs, targets):
    """The count started in a tuple, added right after the ``no_grad`` block, floored in place."""
    num_fg, fgs = 0, []
    for i in range(len(targets)):
        labels = targets[i]["labels"]
        with torch.no_grad():
            cost = _cost(outputs["x"][i], labels)
            ks = _dynamic_k(cost)
            matching = torch.zeros_like(cost)
            for j in range(len(labels)):
                matching[j, torch.topk(cost[j], int(ks[j]), largest=False).indices] = 1.0
            fg = matching.sum(0) > 0
        num_fg += int(fg.sum())
        fgs.append(fg)
    num_fg = max(num_fg, 1)
    return {"loss": _fg_errors(outputs, fgs, targets) / num_fg}


def simota_floored_inline(outputs, targets):
    """Over the targets themselves, the assignment in a helper, the floor written in the division."""
    num_fg, fgs = 0.0, []
    for b, t in enumerate(targets):
        with torch.no_grad():
            cost = _cost(outputs["x"][b], t["labels"])
            fg = _assigned(cost, _dynamic_k(cost))
        num_fg += float(fg.sum())
        fgs.append(fg)
    return {"loss": _fg_errors(outputs, fgs, targets) / max(num_fg, 1.0)}


@pytest.mark.parametrize("body", [simota, simota_floored_inline])
def test_per_image_reads_summed_over_the_loop_are_each_group_s_count(body):
    """Were declined: "div of a Python number the body took from the matcher's indices of one image",
    then "Tensor.__getitem__ with an int position ... after numbers read on the host from another
    image's values were taken as positions of its values"."""
    check_count_exact(body)


# -- near misses: the same shape where the numbers are not each image's own ------------------------------


def count_of_several_images(outputs, targets):
    """Each image adds the foreground so far of every image (the batch's values, not its own)."""
    num_fg, fgs = 0, []
    for i in range(len(targets)):
        with torch.no_grad():
            cost = _cost(outputs["x"][i], targets[i]["labels"])
            fgs.append(_assigned(cost, _dynamic_k(cost)))
        num_fg += int(torch.stack(fgs).sum())
    return {"loss": _fg_errors(outputs, fgs, targets) / max(num_fg, 1)}


def count_read_once(outputs, targets):
    """The first image's count, read once before the loop, added for every image (was WRONG on the
    two-image batch once the position declined no more: ``2 * c0`` equal by value to the anchors
    image 0's read did not sum, taken as that count; ``Frame.host_normaliser`` now takes such a
    complement only where the divisor's code subtracts)."""
    with torch.no_grad():
        cost0 = _cost(outputs["x"][0], targets[0]["labels"])
        first = int(_assigned(cost0, _dynamic_k(cost0)).sum())
    num_fg, fgs = 0, []
    for i in range(len(targets)):
        with torch.no_grad():
            cost = _cost(outputs["x"][i], targets[i]["labels"])
            fgs.append(_assigned(cost, _dynamic_k(cost)))
        num_fg += first
    return {"loss": _fg_errors(outputs, fgs, targets) / max(num_fg, 1)}


def k_of_the_previous_image(outputs, targets):
    """Each image's top-k counts are the previous image's (the last image's for the first)."""
    with torch.no_grad():
        costs = [_cost(outputs["x"][i], t["labels"]) for i, t in enumerate(targets)]
        ks = [_dynamic_k(c) for c in costs]
    num_fg, fgs = 0, []
    for i in range(len(targets)):
        with torch.no_grad():
            prev = ks[i - 1]
            fg = _assigned(costs[i], torch.stack([prev[j % len(prev)] for j in range(len(costs[i]))]))
        num_fg += int(fg.sum())
        fgs.append(fg)
    return {"loss": _fg_errors(outputs, fgs, targets) / max(num_fg, 1)}


def position_of_the_previous_count(outputs, targets):
    """Each image's cost rows visited up to the previous image's foreground count (a position that
    number may be), not its own labels' count."""
    num_fg, fgs, prev = 0, [], 3
    for i in range(len(targets)):
        with torch.no_grad():
            cost = _cost(outputs["x"][i], targets[i]["labels"])
            ks = _dynamic_k(cost)
            matching = torch.zeros_like(cost)
            for j in range(min(prev, len(cost))):
                matching[j, torch.topk(cost[j], int(ks[j]), largest=False).indices] = 1.0
            fg = matching.sum(0) > 0
        prev = int(fg.sum())
        num_fg += prev
        fgs.append(fg)
    return {"loss": _fg_errors(outputs, fgs, targets) / max(num_fg, 1)}


def count_times_position(outputs, targets):
    """Each image's count weighted by its position in the batch (on a group alone, another)."""
    num_fg, fgs = 0, []
    for i in range(len(targets)):
        with torch.no_grad():
            cost = _cost(outputs["x"][i], targets[i]["labels"])
            fg = _assigned(cost, _dynamic_k(cost))
        num_fg += int(fg.sum()) * (i + 1)
        fgs.append(fg)
    return {"loss": _fg_errors(outputs, fgs, targets) / max(num_fg, 1)}


@pytest.mark.parametrize("body", [count_of_several_images, count_read_once, k_of_the_previous_image,
                                  position_of_the_previous_count, count_times_position])
def test_counts_not_each_image_s_own_decline(body):
    check_count_declines(body)




def _of_a_local(cost, gb, kept, ks, t):
    for _ in t:
        for j in range(len(gb)):
            cost[j]


def _of_a_field(cost, gb, kept, ks, t):
    for _ in t:
        for j in range(len(t[0]["labels"])):
            cost[j]


def _of_a_pick(cost, gb, kept, ks, t):
    for b in t:
        for j in range(len(t[b])):
            cost[j]


def _of_a_carried_size(cost, gb, kept, ks, t):
    for _ in t:
        for j in range(len(kept)):
            cost[j]
        kept = cost[:2]


def _of_a_read(cost, gb, kept, ks, t):
    for _ in t:
        for j in range(int(ks[0])):
            cost[j]


def _of_a_literal(cost, gb, kept, ks, t):
    for _ in t:
        for j in range(3):
            cost[j]


def _of_arithmetic(cost, gb, kept, ks, t):
    for _ in t:
        for j in range(len(gb) + 1):
            cost[j]


def _twice(cost, gb, kept, ks, t):
    for j in range(len(gb)):
        cost[j]
    for j in range(ks):
        cost[j]


@pytest.mark.parametrize(("body", "proven"), [(_of_a_local, True), (_of_a_field, True), (_of_a_literal, True),
                                              (_of_a_pick, False), (_of_a_carried_size, False), (_of_a_read, False),
                                              (_of_arithmetic, False), (_twice, False)])
def test_a_range_counter_is_proven_only_over_a_local_s_size_or_a_literal(body, proven):
    """``_bytecode._sized_range_counter``: the int position ``cost[j]`` that ``Frame.positioned`` takes
    as the code's own where numbers of other images were read: a counter of ``range(len(x))`` (``x``
    a local, subscripted by constants only, not stored later in the loop around) or ``range(c)``;
    not one of a size picked by a position, of a size kept from an earlier iteration, of a number
    read on the host, of arithmetic, nor a name stored by another loop too."""
    from losssplit._capture import _bytecode

    assert _bytecode._sized_range_counter(body.__code__, "j") is proven
