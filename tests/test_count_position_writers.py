"""In-place writers at positions computed from the number of images into a tensor of no images (a
class-weight vector multiplying per-class losses): ``index_fill_``, ``index_put_``, ``index_copy_``,
``masked_fill_`` with a mask made from the count, ``fill_`` / ``mul_`` / ``add_`` / ``zero_`` on a view
cut by the count, ``__setitem__`` with an index tensor of ``arange(len(t))`` (red34, session 34: the
batch's positions were kept on every group). On a group alone the positions are the group's count,
so each declines naming the key and the op (``indexing._written_at_count``,
``_bytecode.counted_write``); the same writers at literal positions, at a configured attribute, or
per image at the loop's own image split exactly. Bodies: ``tests/_count_writes_bodies.py``, measured
on the red-team-28 batches (2 to 5 images, groups of different sizes, a group absent)."""

import pytest
from _count_writes_bodies import BODIES, CONVERTS
from _red_team28_measure import assert_pinned, measure

EXACT = {name for name, (family, _, _) in BODIES.items() if family == "near"}
DECLINED = set(BODIES) - EXACT


def test_the_tables():
    assert len(EXACT) == 10 and len(DECLINED) == 9


@pytest.mark.parametrize("name", sorted(BODIES))
def test_every_body_splits_exactly_or_declines(name):
    """No body is wrong or changes the loss or its grads; each is exact on every batch, or declines."""
    assert_pinned(name, EXACT, BODIES, CONVERTS)


@pytest.mark.parametrize("name", sorted(DECLINED))
def test_the_decline_names_the_key_and_the_op(name):
    result = measure(name, BODIES, CONVERTS)
    assert result["class"] == "declined", result["per"]
    for batch, r in result["per"].items():
        if r["class"] == "declined":  # (one warning naming the key and the op; the dict's own note)
            named = [m for m in r["said"] if "key 'loss'" in m]
            assert len(named) == 1 and "into a tensor at a position computed from the number of images" in named[0], (
                batch, r["said"])
            assert all(m in named or "no returned key could be attributed" in m for m in r["said"]), (batch, r["said"])
