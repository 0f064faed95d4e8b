"""A size the code wrote as an int literal at the factory that made a tensor (``z = torch.zeros(3,
4)``, then ``/ z.shape[0]``) is a number of the code, the same on a group alone, whatever count of
the batch it equals: the division splits as by a constant. Silently wrong at a980fb3 on a batch
of 3 images (3 read as the count of the images, the group's count put in its place; red team 32
pr1's ``near_made_zeros_side_size`` hid it behind an add that declines). Near misses: a size
computed from the images (``torch.zeros(len(t), 4)``: the group's count on a group alone, a
recount) and a local that a branch stores from a count keep their outcomes. Measured against the
oracle on the red-team-26 batches and three more (2 to 5 images, a group absent)."""

import pytest
import torch
from _red_team26_bodies import XBATCHES, E
from _red_team26_measure import measure
from _red_team28_measure import extra_batches


def made_literal_rows(o, t):
    z = torch.zeros(3, 4)
    return {"loss": E(o, t).sum() / z.shape[0]}


def made_literal_tuple_full(o, t):
    z = torch.full((3, 4), 0.5)
    return {"loss": E(o, t).sum() / z.size(0)}


def made_literal_width(o, t):
    z = torch.ones(2, 4)
    return {"loss": E(o, t).sum() / z.shape[-1]}


def made_literal_new_zeros(o, t):
    z = o["x"].new_zeros(3, 4)
    return {"loss": E(o, t).sum() / z.shape[0]}


def made_local_literal_rows(o, t):
    n = 3
    z = torch.zeros(n, 4)
    return {"loss": E(o, t).sum() / z.shape[0]}


def made_literal_rows_kept(o, t):
    z = torch.zeros(3, 4)
    n = z.shape[0]
    return {"loss": E(o, t).sum() / n}


# near misses
def made_count_rows(o, t):
    z = torch.zeros(len(t), 4)
    return {"loss": E(o, t).sum() / z.shape[0]}


def made_local_count_rows(o, t):
    n = len(t)
    z = torch.zeros(n, 4)
    return {"loss": E(o, t).sum() / z.shape[0]}


def made_local_literal_or_count_rows(o, t):
    n = 3
    if o["x"].shape[1] > 1:
        n = len(t)
    z = torch.zeros(n, 4)
    return {"loss": E(o, t).sum() / z.shape[0]}


def made_count_width(o, t):
    z = torch.zeros(3, len(t))
    return {"loss": E(o, t).sum() / z.shape[1]}


EXPECTED = {
    made_literal_rows: "exact", made_literal_tuple_full: "exact", made_literal_width: "exact",
    made_literal_new_zeros: "exact", made_local_literal_rows: "exact", made_literal_rows_kept: "exact",
    made_count_rows: "exact", made_local_count_rows: "exact", made_local_literal_or_count_rows: "exact",
    made_count_width: "declined",
}


@pytest.mark.parametrize("body", list(EXPECTED), ids=lambda f: f.__name__)
def test_a_size_written_as_a_literal_at_its_factory_is_a_constant(body):
    bodies = {body.__name__: ("literal sizes", "x", body)}
    with extra_batches():
        result = measure(body.__name__, bodies, None, list(XBATCHES))
    per = {batch: (r["class"], r.get("wrong") or r.get("said")) for batch, r in result["per"].items()}
    assert result["class"] == EXPECTED[body], per
