"""Red team of session 32 (helper pr2): 42 adversarial bodies (``tests/_red_team32_pr2_bodies.py``)
aimed at the rules merged in session 32: ``torch.lerp`` / ``torch.where`` with the images' weights
as start, end, weight or value, or a weight tensor mixed first; fills by a loop position or a
counter used as a factor, a divisor, a mask or an index; a row buffer written at a literal position
of every row (a literal, a count, an image's weight, a batch sum) or one image's row; ``torch.cat``
of a legacy empty 1-D input beside values, a zero, a count or weighted values; clamp bounds held
in attributes set by ``forward`` (a count, a constant, a batch mean, a first call, the weights);
``torch.where`` picking an image's weight object through ``torch.tensor``, ``float``, ``max`` or
``t[-1]``. Measured against the oracle on the red-team-28 batches (8 batches of 2 to 5 images,
groups of different sizes, a group absent).

On 20117c6: 18 exact, 20 declined, 4 WRONG. Fixed (declines, naming the key and
the op): ``torch.where(e > c, e, torch.tensor(t[0]["loss_weight"]))``, a tensor filled with an
image's weight object picked (``elementwise._weight_picked``). Left WRONG: 3, closed by helper cnt
(session 33), each declining: a ``torch.cat`` / ``torch.stack`` of one-element fills of a loop position
(``mode._count_valued``), ``shifted[:, 0] = len(t) % 5`` (``_bytecode.stored_batch_number``), ``self.cap =
0.3 / len(t)`` set by ``forward`` before ``clamp(max=self.cap)`` (``_bytecode.counted_attribute``); near
misses in ``tests/_count_sink_bodies.py``."""

import pytest
from _red_team26_measure import pinned_params
from _red_team28_measure import assert_pinned as assert_pinned_in
from _red_team32_pr2_bodies import BODIES, CONVERTS

NOT_FIXED: dict[str, str] = {}  # name -> the strict xfail's reason (silently wrong, not fixed)
WERE_WRONG = {"where_tensor_of_first_weight",  # WRONG on 20117c6, declined now
              # (cnt, session 33: a join of one-element position fills, a count written at every row's
              # start, a bound held in an attribute ``forward`` sets from the count)
              "full_position_stacked_then_weighted", "shifted_labels_count_token", "CapFromCount"}
EXACT = {  # the pinned exact splits; every other body (not in NOT_FIXED) declines
    "lerp_weights_as_end", "lerp_weights_as_start", "lerp_weights_as_weight", "lerp_weights_mixed_by_mul_add",
    "lerp_stacked_weight_tensors", "lerp_constant_near_miss", "where_weight_value", "where_weight_first",
    "full_position_batch_index_near_miss", "shifted_labels_start_token_near_miss",
    "row_buffer_literal_factor_near_miss", "cat_empty_then_values_near_miss", "cat_empty_and_weights",
    "CapConstantInForward", "CapSetOnce", "where_field_near_miss", "where_ce_first_weight",
    "where_tensor_of_literal_near_miss",
}


@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad=True to a scalar")
@pytest.mark.parametrize("name", pinned_params(BODIES, NOT_FIXED))
def test_every_body_splits_exactly_or_declines(name):
    """Each body keeps its measured outcome (exact on every batch, or a decline whose warning
    names the key)."""
    assert_pinned_in(name, EXACT, BODIES, CONVERTS)


def test_the_tables_name_bodies_that_exist():
    assert EXACT | set(NOT_FIXED) | WERE_WRONG <= set(BODIES) and not EXACT & set(NOT_FIXED)
    assert not WERE_WRONG & (EXACT | set(NOT_FIXED))
    assert len(BODIES) == 42 and len(EXACT) == 18 and len(NOT_FIXED) == 0


# === presence gates (s40) with thresholds held elsewhere ===========================================

from _helpers import split_outcome, wrong_companions  # noqa: E402
from test_rules_presence_gates import BATCHES, Score, _batch, _check  # noqa: E402


class _Gated(Score):
    """The per-class score times a presence test at ``threshold(bs, y_true)``."""

    def threshold(self, bs, y_true):
        raise NotImplementedError

    def forward(self, logits, maps):
        bs, k = maps.size(0), maps.size(1)
        y_pred, y_true = logits.sigmoid().reshape(bs, k, -1), maps.reshape(bs, k, -1)
        score = 2.0 * (y_pred * y_true).sum((0, 2)) / (y_pred + y_true).sum((0, 2)).clamp_min(self.eps)
        return {"loss": ((1.0 - score) * (y_true.sum((0, 2)) > self.threshold(bs, y_true)).float()).mean()}


class ConfiguredThreshold(_Gated):
    """A threshold of the module's config, changed by the caller between calls (not during one)."""

    min_pixels = 2.0

    def threshold(self, bs, y_true):
        return self.min_pixels


class CountSetThreshold(_Gated):
    def threshold(self, bs, y_true):
        self.min_pixels = 3.0 * bs
        return self.min_pixels


class BatchShareThreshold(_Gated):
    def threshold(self, bs, y_true):
        return y_true.sum() * 0.1


@pytest.mark.parametrize("classes", [1, 3])
def test_a_presence_threshold_of_a_config_changed_between_calls_is_never_wrong(classes):
    """The config set by code of this module (``crit.min_pixels = m``) is no proven constant: it
    declines (a GAP, not wrong)."""
    crit = ConfiguredThreshold()
    for m in (2.0, 5.0):
        crit.min_pixels = m
        for seed in range(len(BATCHES)):
            got, want, _ = split_outcome(crit, *_batch(seed, classes))
            assert not wrong_companions(got, want), (m, seed, got, want)


@pytest.mark.parametrize("body", [CountSetThreshold(), BatchShareThreshold()], ids=["count_attribute", "batch_share"])
@pytest.mark.parametrize("classes", [1, 3])
def test_a_presence_threshold_from_the_batch_declines(body, classes):
    """``> self.min_pixels`` set by ``forward`` to ``3.0 * bs``, ``> y_true.sum() * 0.1``: each
    group's threshold alone is another."""
    _check(body, classes, declines="")
