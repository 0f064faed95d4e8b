"""Per-instance loops over each image's targets (survey 55's AutoAssign): terms of images picked by
position, each as often as its own instances, stacked; one image's value spread to a count read
from that image's values only; and a divisor the code sums from the targets' sizes, equal by value
to the reads' sum (a WRONG on main: it was taken as the reads' count). Each against the oracle, with
near misses that must decline."""

from __future__ import annotations

import torch
from _helpers import (
    COUNT_LENGTHS,
    ROWS,
    TARGETS,
    count_batch,
    count_outcomes,
    outcome_class,
    split_outcome,
)


def per_instance_stack(o, t):
    """Each image's term per instance (its labels), stacked over the batch: a sum over the instances'
    count and a mean."""
    terms = []
    for i, s in enumerate(t):
        for lab in s["labels"]:
            terms.append(o["x"][i, :, lab].sum())
    stacked = torch.stack(terms)
    return {"loss": stacked.sum() / max(sum(len(s["labels"]) for s in t), 1), "mean": stacked.mean()}


def per_instance_plus_first(o, t):
    """The same loop with an extra term of image 0 (``x[0]``, a literal position): decline."""
    terms = []
    for i, s in enumerate(t):
        for lab in s["labels"]:
            terms.append(o["x"][i, :, lab].sum())
    terms.append(o["x"][0].sum())
    return {"loss": torch.stack(terms).sum()}


def per_instance_of_next_image(o, t):
    """The loop over each image's instances picking the next image's values: on a group alone the
    next image is another one (the counts are the instances' only where they repeat)."""
    terms = []
    for i, s in enumerate(t):
        for lab in s["labels"]:
            terms.append(o["x"][(i + 1) % len(t), :, lab].sum())
    return {"loss": torch.stack(terms).sum()}


def listed_positions(o, t):
    """The near miss: positions listed in the code, as many of each image as count batch 0's
    instances, taken modulo the batch in a loop: on a group alone they are other images."""
    terms = [o["x"][b % len(t)].sum() for b in [0, 1, 1, 1, 2, 2, 3, 3]]
    return {"loss": torch.stack(terms).sum()}


def test_positions_listed_as_often_as_the_instances_never_wrong():
    got, want, said = split_outcome(listed_positions, list(count_batch(0, [1.0, 0.5, 0.5, 1.0])), [ROWS, TARGETS])
    assert outcome_class(got, want) == "declined", (got, want, said)


def test_terms_once_per_instance_split_exactly():
    seen, said = count_outcomes(per_instance_stack)
    assert seen == ["exact"] * len(seen), said


def test_an_extra_term_by_position_declines():
    seen, said = count_outcomes(per_instance_plus_first)
    assert "wrong" not in seen and "declined" in seen, said


def test_terms_of_the_next_image_never_wrong():
    seen, said = count_outcomes(per_instance_of_next_image)
    assert "wrong" not in seen, said


def _flagged(seed, weights):
    """A count batch with a target field ``flags`` per image holding as many ones as the reversed
    image's instances: the flags' total is the instances' total, image by image it is not."""
    o, t = count_batch(seed, weights)
    lengths = COUNT_LENGTHS[seed][::-1]
    for s, n in zip(t, lengths, strict=True):
        s["flags"] = (torch.arange(4) < n).long()
    return o, t


def topk_by_flags_over_instances(o, t):
    """Each image's top-k by its flags' count read on the host, over the instances' total (a sum of
    the targets' sizes the code writes): on a group alone its instances', whatever the reads add up
    to (main took it as the reads' count, the flags' total being equal: WRONG)."""
    total = 0.0
    num = sum(len(s["labels"]) for s in t)
    for i, s in enumerate(t):
        k = int(s["flags"].sum()) + 1
        total = total + o["x"][i].flatten().topk(k).values.sum()
    return {"loss": total / max(num, 1)}


def topk_by_flags_over_reads(o, t):
    """The near miss: the same top-k over the reads' own running count: the group's reads."""
    total, num = 0.0, 0
    for i, s in enumerate(t):
        k = int(s["flags"].sum())
        num += k
        total = total + o["x"][i].flatten().topk(k + 1).values.sum()
    return {"loss": total / max(num, 1)}


def test_a_sum_of_sizes_is_not_the_reads_count_it_equals():
    seen, said = count_outcomes(topk_by_flags_over_instances, _flagged)
    assert seen == ["exact"] * len(seen), said


def test_the_reads_running_count_never_wrong():
    seen, said = count_outcomes(topk_by_flags_over_reads, _flagged)
    assert seen == ["exact"] * len(seen), said


def spread_by_own_count(o, t):
    """One image's label row spread to its own instances' count read from its values (AutoAssign's
    ``box.expand(int(inside.sum()), 4)``)."""
    total = 0.0
    for i, s in enumerate(t):
        inside = s["flags"] > 0
        row = s["labels"][:1].float()
        total = total + (o["x"][i, 0][inside] * row.expand(int(inside.sum()))).sum()
    return {"loss": total / len(t)}


def spread_by_other_count(o, t):
    """The near miss: spread to a count read from the first image's values (on a group alone
    another image's): decline."""
    total = 0.0
    n = int(t[0]["flags"].sum())
    for i, s in enumerate(t):
        total = total + (o["x"][i, 0, :n] * s["labels"][:1].float().expand(n)).sum()
    return {"loss": total / len(t)}


def test_a_spread_to_the_images_own_read_count_splits():
    seen, said = count_outcomes(spread_by_own_count, _flagged)
    assert seen == ["exact"] * len(seen), said


def test_a_spread_to_another_images_read_count_declines():
    seen, said = count_outcomes(spread_by_other_count, _flagged)
    assert "wrong" not in seen and "declined" in seen, (seen, said)
