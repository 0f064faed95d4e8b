"""Red team of session 31 (helper ps39) on the two rules survey 39 added: a one-row piece of a cut
by position added to a sum is one of its batch terms, and ``/ (2 * M)`` with ``M += len(r)`` over
the images divides by twice the group's sizes. 70 adversarial bodies (``tests/_red_team_ps39_bodies.py``:
pieces whose sizes depend on the batch, pieces summed with other factors, skipped, repeated through
an alias or zipped with a shorter list, a multiplier computed, a running count over a shorter zip,
skipped through ``continue``, reset in the loop, the multiple taken in a branch), each measured
against the oracle on 8 batches of 2 to 5 images, groups of different sizes, a group absent
(``tests/_red_team_ps39_measure.py``).

At 72a05af (main + s39): 13 exact, 48 declined, 9 WRONG -- two made by the new rule: ``/ (2 * M)``
under ``if M > 70:`` (or ``... if M > 70 else``), the batch's branch taken on every group (the
test of ``M`` was not read: only a plain ``/ M`` had its tests read); seven older: a running count
over a zip with a shorter list of the images' values (``zip(err[:2], ..)``, ``err[:-1]``: the
sizes of images picked by position, a constant), and a division by the count of pieces of a cut
by position (``/ len(pieces)`` of ``h.split(5)``: on a group alone another count). Now 12 exact (13 since cov39c, ``m_floor_div``: a literal factor),
58 declined, 0 WRONG (``if M:`` of ``/ (2 * M)``, exact there, declines with the comparisons)."""

from __future__ import annotations

import pytest
from _red_team_ps39_bodies import MULTIPLES, PIECES
from _red_team_ps39_measure import LABELS, measure, measure_one

WRONG_BEFORE = {
    "m_branch_multiple": "counted over the images' items",
    "m_ternary": "counted over the images' items",
    "m_zip_short_count": "after it read sizes of single images' tensors",
    "m_zip_dropped_last": "after it read sizes of single images' tensors",
    "m_zip_short_plain": "after it read sizes of single images' tensors",
    "m_zip_short_numel": "after it read sizes of single images' tensors",
    "p_ce_by_pieces": "count of pieces of a cut by position",
    "m_ce_pieces_plain": "count of pieces of a cut by position",
    "m_pieces_count_local": "count of pieces of a cut by position",
}
EXACT = {"p_split_by_batch", "p_split_one", "p_split_three", "p_reversed", "p_two_cuts", "p_piece_abs_sum",
         "m_float_literal", "m_quarter", "m_fixed_rows", "m_trimmed", "m_two_terms", "m_chunk_literal_over_literal",
         "m_floor_div"}  # (cov39c: ``* 3`` written at the op, equal to the 3 images, is a constant)


@pytest.mark.parametrize("name", sorted(WRONG_BEFORE))
def test_once_wrong_declines_naming_key_and_op(name):
    declined = 0
    for labels in LABELS:
        cls, said = measure_one(name, labels)
        assert cls in ("exact", "declined"), (labels, cls, said)
        if cls == "declined":
            declined += 1
            assert any("'loss'" in m and WRONG_BEFORE[name] in m for m in said), (labels, said)
    assert declined, name


@pytest.mark.parametrize("name", sorted([*PIECES, *MULTIPLES]))
def test_every_body_exact_or_declined(name):
    cls, per = measure(name)
    assert cls == ("exact" if name in EXACT else "declined"), {tuple(k): v for k, v in per.items() if v[0] != "exact"}
