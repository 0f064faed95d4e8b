"""Images picked by position outside any loop, with the groups given through
``losssplit.sources``: on a group alone ``x[0]`` and ``x[1]`` are the group's first images, not the
batch's. With per-image target dicts the call declines ("one-image losses added in Python are not
each image's own terms once", ``elementwise.positional_key``, which asks which images have
instances: ``mode.image_counts``); with sources none were known and the check passed: the picked
images' terms were split by the images they hold, silently wrong (found in session 27). Now an
image picked by an int outside any loop (``_bytecode.looped``) in a call of several images marks
the call (``Frame.picked_by_position``), and without targets every image then counts as one a
per-image sum must hold: the picks decline, and so do per-image values made in a loop and picked
from a Python list by an int literal (``v[-1] + v[0]``: list indexing is no torch op; was wrong).
The near misses -- every image in a loop, a comprehension or ``sum`` of a generator, a loop that
skips an image on its own data -- split as the oracle."""

from __future__ import annotations

import pytest
import torch
from _helpers import Along, split_outcome, wrong_companions

LABELS = (["a", "b", "a", "b"], ["a", "a", "b", "b"], ["b", "a", "a", "b"])


def _x(seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(4, 3, 4, generator=g) * 0.8 + 0.1).requires_grad_()


def first_two_picked(o):
    return {"loss": o["x"][0].mean() + o["x"][1].mean()}


def second_picked(o):
    return {"loss": o["x"][1].mean()}


def last_and_first_of_a_list(o):
    v = [e.mean() for e in o["x"]]
    return {"loss": v[-1] + v[0]}


def images_skipped_on_their_own_data(o):
    total = torch.zeros(())
    for e in o["x"]:
        if e[0, 0] > 0.3:  # the image's own data decides
            total = total + e.mean()
    return {"loss": total}


def a_pick_outside_a_loop_then_every_image(o):
    first = o["x"][0].detach().clone()  # one image picked outside the loop (kept, say for a log): not summed
    del first
    total = 0
    for e in o["x"]:
        total = total + e.mean()
    return {"loss": total}


def every_image_in_a_loop(o):
    total = 0
    for e in o["x"]:
        total = total + e.mean()
    return {"loss": total / len(o["x"])}


def every_image_by_a_comprehension(o):
    x = o["x"]
    return {"loss": sum([x[b].mean() for b in range(len(x))]) / len(x)}


def _outcomes(body):
    for seed, labels in enumerate(LABELS):
        yield split_outcome(body, [{"x": _x(seed)}], [Along(0)], list(labels))


@pytest.mark.parametrize("body", [first_two_picked, second_picked], ids=lambda b: b.__name__)
def test_images_picked_by_position_decline(body):
    for got, want, said in _outcomes(body):
        assert want and not got, (got, want)
        assert any("not each image's own terms once" in m for m in said), said


def last_added_to_the_first_of_a_list(o):
    v = [e.mean() for e in o["x"]]
    total = v[0]
    total += v[1]
    return {"loss": total}


@pytest.mark.parametrize("body", [last_and_first_of_a_list, last_added_to_the_first_of_a_list], ids=lambda b: b.__name__)
def test_values_picked_from_a_list_by_position_decline(body):
    """Was silently wrong with sources (s34, session 27): ``v[-1] + v[0]`` of a Python list of
    per-image values -- list indexing is no torch op -- gave each group the picked images' terms.
    An int literal picking an operand of the addition from a local is a pick by position, as
    ``x[1]`` is: the returned sum must hold each image."""
    for got, want, said in _outcomes(body):
        assert want and not got, (got, want)
        assert any("not each image's own terms once" in m for m in said), said


def every_item_of_a_list_by_its_index(o):
    v = [e.mean() for e in o["x"]]
    total = 0
    for b in range(len(v)):
        total = total + v[b]
    return {"loss": total}


def every_item_of_a_list_summed(o):
    v = [e.mean() for e in o["x"]]
    return {"loss": sum(v) / len(v)}


@pytest.mark.parametrize("body", [every_item_of_a_list_by_its_index, every_item_of_a_list_summed], ids=lambda b: b.__name__)
def test_every_item_of_a_list_of_per_image_values_splits_as_the_oracle(body):
    """Near misses: the list indexed by a loop's variable, or summed whole: each image once."""
    for got, want, said in _outcomes(body):
        assert want and set(got) == set(want) and not wrong_companions(got, want), (got, want, said)


@pytest.mark.parametrize("body", [every_image_in_a_loop, every_image_by_a_comprehension, images_skipped_on_their_own_data,
                                  a_pick_outside_a_loop_then_every_image], ids=lambda b: b.__name__)
def test_every_image_added_splits_as_the_oracle(body):
    for got, want, said in _outcomes(body):
        assert want and not wrong_companions(got, want), (got, want)
        # a group whose every image the loop skipped has an empty sum: no companion, a warning says so
        assert set(got) == {k for k, v in want.items() if v != 0}, said
