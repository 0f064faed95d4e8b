"""Python numbers of the batch put through arithmetic no rule follows, read from the code that made them
(``losssplit._capture._provenance``), measured against the oracle.

Found by ``benchmarks/fuzz_numbers.py`` (session 38, main at 494a35c: 40 of 400 bodies silently WRONG;
25 after session 38's merge). Each body in ``DECLINES`` divides or multiplies a loss of several images by
a number computed in Python from a count summed over the images, a filtered count or one image's count
picked by position, through ``round``, ``abs``, ``math.sqrt``, ``n - 3``, ``sum([n, 3])``, ``max(n, 7)``,
``or`` or a helper's parameter: read as a constant of the call or as a count it equals by value, its share
on a group alone was wrong on some batch. Each now declines (naming the arithmetic where the provenance
reader is the one that declines). Session 40 (fz40) added, each WRONG on main before it: a host read of
several images that no host rule matched (``max(2 * n, 1e-3)`` beside ``max(n, 1e-3)``) or put through
``sorted``; arithmetic on ``len(targets)`` at a fallback (``len(t) + 1``, ``len(t) * len(t)``,
``int(float(len(t)) * 3)``, ``sum([len(t), 1])``, ``len(t) / 2``); a test in Python of the length of a
tensor joined from every image's (``len(torch.cat([u["labels"] for u in t])) > 4``) or of one image's
count picked by position; ``len(torch.cat(..)) // 2`` and ``+ 3``; a filtered count as a factor; a size
through ``math.sqrt``; the largest per-image count doubled or made a tensor; a literal chosen by a test
and equal to the images (``n if n > 2 else 2``). The near misses split exactly as before (``EXACT``): a
count summed over the images, floored at 1 or doubled, through ``as_tensor(..).clamp(min=1).item()``, a
host read floored at 1 (``.item()`` doubled under a floor too), arithmetic on one image's own count in a
loop over the images, ``len(torch.cat(..))`` itself, ``float(len(t))``, ``max(len(t), 1)``, ``1.0 / len(t)``
and ``/ math.sqrt(x.shape[-1])`` (sqrt(4) equal to two images: WRONG before session 40). Session 41 (fz41)
narrowed those checks to what the existing rules do not follow (main's exact splits of the seed's relation
terms, red teams 26 / 34, surveys 11 / 32 came back) and added, each WRONG on main: the count doubled in a
branch taken (``if DOUBLED: n = n * 2``; the same body with the branch not taken splits exactly) and a
test of one image's count picked by position choosing the reduction.
"""

import math

import pytest
import torch
from _helpers import TWO_GROUP_COUNT_BATCHES as BATCHES
from _helpers import count_outcomes

from losssplit._capture import _provenance


def err(o, t):
    return (o["x"] - torch.stack([u["y"] for u in t])).abs() + 0.1


def sorted_host_read(o, t):
    e = err(o, t)
    n = sorted([(e > 0.5).sum().item(), 2])[-1]
    return {"loss": e.sum() / max(n, 1e-3)}


def filtered_image_count(o, t):
    e = err(o, t)
    n = len([u for u in t if len(u["labels"]) > 1])
    return {"loss": e.sum() / max(n, 1e-3)}


def largest_count_shifted_into_a_tensor(o, t):
    e = err(o, t)
    n = max(len(u["labels"]) for u in t) - 3 - 4.0
    return {"loss": e.sum() / torch.as_tensor(n, dtype=e.dtype).clamp(min=1)}


def square_root_of_the_instances(o, t):
    e = err(o, t)
    n = math.sqrt(sum(len(u["labels"]) for u in t))
    return {"loss": e.mean() * n}


def first_images_count(o, t):
    e = err(o, t)
    n = len(t[0]["labels"])
    return {"loss": e.sum() / max(2 * n, 1e-3)}


def instances_plus_a_literal_in_a_list(o, t):
    e = err(o, t)
    n = sum([sum(len(u["labels"]) for u in t), 3])
    return {"loss": e.sum() / max(n, 1e-3)}


def instances_floored_above_the_counts(o, t):
    e = err(o, t)
    n = max(sum(len(u["labels"]) for u in t), 7)
    return {"loss": e.sum() / n}


def instances_or_a_literal_after_a_test(o, t):
    e = err(o, t)
    n = sum(len(u["labels"]) for u in t)
    m = (n if n > 6 else 6) or 2
    return {"loss": e.sum() / m}


def instances_halved_by_floor_division(o, t):
    e = err(o, t)
    n = len(torch.cat([u["labels"] for u in t])) // 2
    return {"loss": e.mean() * n}


def distance_of_the_instances_to_a_literal(o, t):
    e = err(o, t)
    n = abs(sum(len(u["labels"]) for u in t) - 7)
    return {"loss": e.mean() * n}


def host_read_doubled_under_a_floor(o, t):
    e = err(o, t)
    n = int((e > 0.5).sum())
    return {"loss": e.sum() / max(n, 1e-3), "loss_c": e.sum() / max(2 * n, 1e-3)}


def joined_labels_compared(o, t):
    e = err(o, t)
    n = len(torch.cat([u["labels"] for u in t]))
    return {"loss": e.mean() * (1.0 if n > 4.0 else 0.5)}


def joined_labels_choosing_the_reduction(o, t):
    e = err(o, t)
    n = len(torch.cat([u["labels"] for u in t]))
    return {"loss": e.sum() if n > 4 else e.mean()}


def joined_labels_or_a_literal_compared(o, t):
    e = err(o, t)
    n = len(torch.cat([u["labels"] for u in t])) or 0.5
    return {"loss": e.sum() if n > 4 else e.mean()}


def first_images_count_compared(o, t):
    e = err(o, t)
    n = len(t[0]["labels"]) * 2
    return {"loss": e.mean() * (1.0 if n > 2 else 0.5)}


def joined_labels_shifted(o, t):
    e = err(o, t)
    n = len(torch.cat([u["labels"] for u in t])) + 3
    return {"loss": e.sum() / max(n, 1e-3)}


def images_plus_one(o, t):
    e = err(o, t)
    n = len(t) + 1
    return {"loss": e.sum() / max(n, 1e-3)}


def images_tripled_as_a_factor(o, t):
    e = err(o, t)
    n = int(float(len(t)) * 3)
    return {"loss": e.mean() * n}


def images_squared(o, t):
    e = err(o, t)
    n = len(t) * len(t)
    return {"loss": e.mean() * n}


def images_plus_a_literal_in_a_list(o, t):
    e = err(o, t)
    n = sum([len(t), 1])
    return {"loss": e.sum() / max(n, 1e-3)}


def images_halved(o, t):
    e = err(o, t)
    return {"loss": e.sum() / (len(t) / 2)}


def filtered_count_as_a_factor(o, t):
    e = err(o, t)
    n = len([u for u in t if len(u["labels"]) > 1])
    return {"loss": e.mean() * n}


def square_root_of_the_elements(o, t):
    e = err(o, t)
    return {"loss": e.mean() * (math.sqrt(e.numel()) or 1)}


def largest_count_doubled_under_a_floor(o, t):
    e = err(o, t)
    n = float(max(len(u["labels"]) for u in t))
    return {"loss": e.sum() / max(n, 1e-3), "loss_c": e.sum() / max(2 * n, 1e-3)}


def largest_count_made_a_tensor(o, t):
    e = err(o, t)
    n = float(max(len(u["labels"]) for u in t))
    return {"loss": e.sum() / torch.as_tensor(n, dtype=e.dtype).clamp(min=1)}


def rows_or_a_literal_equal_to_them(o, t):
    """On two images ``2`` is chosen, equal to the images by value (WRONG before fz40, session 40)."""
    e = err(o, t)
    n = o["x"].size(0) if o["x"].size(0) > 2 else 2
    return {"loss": e.sum() / torch.as_tensor(n, dtype=e.dtype).clamp(min=1)}


class Criterion:
    def loss_boxes(self, e, num_boxes):
        return e.sum() / num_boxes

    def __call__(self, o, t):
        e = err(o, t)
        n = sum(len(u["labels"]) for u in t)
        return {"loss": self.loss_boxes(e, round(n / 2))}


def rounded_count_passed_to_a_helper(o, t):
    return Criterion()(o, t)


DOUBLED = True  # (a module switch: on a group alone the same way)


def images_doubled_under_a_switch(o, t):
    """The count doubled in a branch taken (``if DOUBLED: n = n * 2``): WRONG on main (fz41, session 41)."""
    e = err(o, t)
    n = float(len(t))
    if DOUBLED:
        n = n * 2
    return {"loss": e.sum() / n}


def first_images_count_choosing_the_reduction(o, t):
    """A test of one image's count picked by position: on a group alone another image's (WRONG on main)."""
    e = err(o, t)
    m = len(t[0]["labels"])
    return {"loss": e.sum() if m > 2 else e.mean()}


DECLINES = [images_doubled_under_a_switch, first_images_count_choosing_the_reduction, sorted_host_read, instances_halved_by_floor_division, host_read_doubled_under_a_floor,
            joined_labels_compared, joined_labels_choosing_the_reduction, joined_labels_or_a_literal_compared, first_images_count_compared,
            joined_labels_shifted, images_plus_one, images_tripled_as_a_factor, images_squared,
            images_plus_a_literal_in_a_list, images_halved, filtered_count_as_a_factor, square_root_of_the_elements,
            largest_count_doubled_under_a_floor, largest_count_made_a_tensor, rows_or_a_literal_equal_to_them,
            filtered_image_count, largest_count_shifted_into_a_tensor,
            square_root_of_the_instances, first_images_count, instances_plus_a_literal_in_a_list,
            instances_floored_above_the_counts, instances_or_a_literal_after_a_test, distance_of_the_instances_to_a_literal,
            rounded_count_passed_to_a_helper]


def instances_summed(o, t):
    e = err(o, t)
    n = sum(len(u["labels"]) for u in t)
    return {"loss": e.mean(1).sum() / max(n, 1)}


def instances_through_a_clamped_tensor(o, t):
    e = err(o, t)
    n = sum(len(u["labels"]) for u in t)
    n = torch.as_tensor([n], dtype=torch.float).clamp(min=1).item()
    return {"loss": e.mean(1).sum() / n}


def each_images_own_pairs(o, t):
    e = err(o, t)
    losses = []
    for i, u in enumerate(t):
        c = len(u["labels"])
        losses.append(e[i].sum() / (c * (c + 1) - 1))
    return {"loss": torch.stack(losses).sum()}


def instances_doubled(o, t):
    e = err(o, t)
    n = sum(len(u["labels"]) for u in t)
    return {"loss": e.mean(1).sum() / (2 * n)}


def host_read_floored(o, t):
    e = err(o, t)
    n = float((e > 0.5).sum())
    return {"loss": e.sum() / max(n, 1.0)}


def host_read_twice_floored(o, t):
    e = err(o, t)
    n = (e > 0.5).sum().item()
    return {"loss": e.sum() / max(n, 1e-3), "loss_c": e.sum() / max(2 * n, 1e-3)}


def joined_labels(o, t):
    e = err(o, t)
    n = len(torch.cat([u["labels"] for u in t]))
    return {"loss": e.sum() / max(n, 1)}


def images_as_a_float(o, t):
    e = err(o, t)
    return {"loss": e.sum() / float(len(t)), "loss_b": e.sum() / max(len(t), 1), "loss_c": e.sum() * (1.0 / len(t))}


def instances_twice_floored(o, t):
    e = err(o, t)
    n = sum(len(u["labels"]) for u in t)
    return {"loss": e.sum() / max(n, 1e-3), "loss_c": e.sum() / max(2 * n, 1e-3)}


def over_the_square_root_of_the_features(o, t):
    """``sqrt(4)`` equals the two images of a batch: a constant of the layout (WRONG before fz40, session 40)."""
    e = err(o, t)
    return {"loss": e.sum() / math.sqrt(e.shape[-1]), "loss_b": e.mean() * math.sqrt(e.shape[-1]),
            "loss_c": e.sum() / e.shape[0] / math.sqrt(e.shape[-1])}


def images_doubled_under_a_switch_that_is_off(o, t):
    """The same store not taken (``if not DOUBLED``): the count itself on this call's way (fz41)."""
    e = err(o, t)
    n = float(len(t))
    if not DOUBLED:
        n = n * 2
    return {"loss": e.sum() / n}


EXACT = [images_doubled_under_a_switch_that_is_off, host_read_twice_floored, instances_twice_floored, over_the_square_root_of_the_features, joined_labels, images_as_a_float, instances_summed, instances_through_a_clamped_tensor, each_images_own_pairs, instances_doubled, host_read_floored]


outcomes = count_outcomes


@pytest.mark.parametrize("body", DECLINES, ids=lambda b: b.__name__)
def test_arithmetic_on_a_number_of_the_batch_declines(body):
    seen, said = outcomes(body)
    assert "wrong" not in seen, seen
    assert "declined" in seen, seen
    assert any("'loss" in w for w in said), said  # (``loss_c`` where the first key splits)


@pytest.mark.parametrize("body", EXACT, ids=lambda b: b.__name__)
def test_counts_the_rules_follow_split_exactly(body):
    seen, _ = outcomes(body)
    assert seen == ["exact"] * len(BATCHES)


def test_the_warning_names_the_arithmetic():
    _, said = outcomes(first_images_count)
    assert any("'loss'" in w and "picked by position (targets[0])" in w for w in said), said


def test_the_warnings_name_the_host_read_the_joined_length_and_the_images():
    said = [w for body in (sorted_host_read, joined_labels_or_a_literal_compared, images_plus_one) for w in outcomes(body)[1]]
    for words in ("arithmetic that the rules of host reads do not follow (``sorted``)",
                  "a Python test of a length of a tensor joined from every image's",
                  "computed from the number of images (``len(targets) + 1``, ``len(t) * 3``) that no rule of "
                  "lengths follows: on a group alone it is computed from the group's (``+``)"):
        assert any("'loss'" in w and words in w for w in said), (words, said)


# -- the reading itself, on code alone ---------------------------------------------------------------------


def _locals(fn):
    found = _provenance.reading(fn.__code__)
    assert found is not None
    return {name: _provenance.declined_number(tags) for name, tags in found.locals.items()}


def shapes(o, t, scale):
    e = o["x"]
    n = len(t)
    pairs = (e.shape[2] - 1) * e.shape[3]
    temperature = math.sqrt(e.shape[-1])
    chosen = 2.0 if scale else 1.0
    floor = max(sum(len(u["labels"]) for u in t), 1)
    doubled = 2 * n
    both = n + sum(len(u["labels"]) for u in t)
    read = float((e > 0).sum())
    return pairs, temperature, chosen, floor, doubled, both, read


def computed(o, t):
    n = sum(len(u["labels"]) for u in t)
    shifted = n - 1
    rounded = round(n / 2)
    capped = min(n, 3)
    chosen = n if n > 2 else 2
    kept = len([u for u in t if len(u["labels"]) > 1])
    first = len(t[0]["labels"])
    root = math.sqrt(sum(len(u["labels"]) for u in t))
    return shifted, rounded, capped, chosen, kept, first, root


def rounded_and_chosen(o, t):
    m = round(sum(len(u["labels"]) for u in t) / 2)
    w = 1.0 if m > 1 else 0.5
    return m, w


def capped_by_a_statement(o, t):
    n = sum(len(u["labels"]) for u in t)
    if n > 3:
        n = 3
    return n


def test_sizes_configs_counts_and_their_products_are_not_flagged():
    assert set(_locals(shapes).values()) == {None}


def images(o, t):
    n = len(t)
    return n - 1, round(n / 2), min(n, 8)


def test_arithmetic_on_the_number_of_images_is_left_to_the_lengths_rules():
    assert set(_locals(images).values()) == {None}


def test_arithmetic_on_lengths_and_reads_is_flagged_by_its_op():
    found = _locals(computed)
    assert found == {"o": None, "t": None, "n": None, "shifted": "vop:-", "rounded": "vcall:round",
                     "capped": "vcall:min", "chosen": None, "kept": None, "first": "pick", "root": "vcall:math"}
    assert _locals(capped_by_a_statement)["n"] is None  # (a test of a count itself: decided per group where it runs)
    assert _locals(rounded_and_chosen)["m"] == "vcall:round"
    chosen = _provenance.reading(rounded_and_chosen.__code__)
    assert chosen is not None and "vcond" in chosen.locals["w"] and _provenance.declined_number(chosen.locals["w"]) is None
