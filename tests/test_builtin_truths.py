"""Survey 35's torchsurv Weibull NLL (issue #13), its three steps, each against the oracle:

- Python's builtin ``any`` / ``all`` called on a tensor of image rows (``if any(torch.isinf(nll)):``)
  is that tensor's ``.any()`` / ``.all()``, whatever element Python stops at: decided per group,
  a group that alone decides otherwise loses its companions (with a warning naming the builtin),
  the others keep theirs. Session 28 followed only ``any`` reading False, which is no proof where
  Python picked the images by position (``tests/test_rules_per_image_order.py``); here the whole
  tensor's rows are the decision's, and a piece by position, a list or a generator between
  ``any`` and the tensor keep declining the call.
- a size of image rows compared with a local holding ``len()`` of image rows (torchsurv's ``n =
  len(self.event)``, then ``log_params.shape[0] != n``): on a group alone both are the group's
  counts (was compared with the batch's number).
- ``nanmean`` over every element of image rows: the mean of the group's elements that are no NaN.
"""

from __future__ import annotations

import importlib
import math

import pytest
import torch
from _helpers import (
    ROWS,
    RULE_BATCHES,
    TARGETS,
    WIDTH,
    Along,
    check_rule,
    group_name,
    images_by_group,
    restrict,
    rule_batch,
    split_outcome,
    wrong_companions,
)
from _helpers import rule_errors as _d
from _helpers import rule_image_errors as _e
from _helpers import rule_weights as _w

LABELS = [None, ["a", "b", "a", "a"], ["b", "b", "a", "a"], ["a", "b", "c", "a"]]


def _decided_per_group(body, decide, labels, phrase, batch=rule_batch, batches=RULE_BATCHES, kept=True,
                       unreached=frozenset()):
    """``body`` on every rule batch (groups by ``labels`` or the weights): no wrong companion; a
    group whose ``decide`` alone (weight field 1) equals the batch's keeps every companion (not
    checked without ``kept``), one that decides otherwise has none but those of the keys no arm of
    the decision changes (``unreached``, since session 44), with a warning naming ``phrase``. How
    many groups turned."""
    turned = 0
    for seed, weights in batches:
        o, t = batch(seed, weights)
        lab = labels[: len(weights)] if labels else None
        got, want, said = split_outcome(body, [o, t], [ROWS, TARGETS], lab)
        assert want and not wrong_companions(got, want), (seed, got, want)
        taken = decide(o, t)
        for group, images in images_by_group(lab or weights, group_name).items():
            alone = decide(restrict(o, ROWS, images), restrict(t, TARGETS, images))
            mine = {k for k in want if k.rsplit("_", 1)[1] == group}
            if alone == taken:
                assert mine <= set(got) or not kept, (seed, group, got, said)
            else:
                turned += 1
                assert not {k for k in mine if k.rsplit("_", 1)[0] not in unreached} & set(got), (seed, group, got)
                assert {k for k in mine if k.rsplit("_", 1)[0] in unreached} <= set(got), (seed, group, got)
                assert any(phrase in m for m in said), said
    return turned


# thresholds between the images' mean errors of the rule batches (0.208 to 0.362)
def _above(c):
    def body(o, t):
        e = _e(o, t)
        return {"loss": e.sum() * (2.0 if any(e > c) else 1.0), "loss_mean": e.mean()}

    return body, lambda o, t: bool((_e(o, t) > c).any())


def _all_below(c):
    def body(o, t):
        e = _e(o, t)
        flag = all(e < c)  # kept, then used: the same value wherever the group decides alike
        return {"loss": e.sum() + (e.mean() if flag else 0.0)}

    return body, lambda o, t: bool((_e(o, t) < c).all())


def _rows_above(c):
    """Three rows per image ([B * 3]): each image's rows are its own."""
    def body(o, t):
        r = _d(o, t).mean(2).flatten()
        return {"loss": r.mean() * (0.5 if any(r > c) else 1.0)}

    return body, lambda o, t: bool((_d(o, t).mean(2) > c).any())


def _weighted_above(c):
    """The truth of weighted values: on a group alone the weights are 1."""
    def body(o, t):
        e = _e(o, t)
        return {"loss": e.sum() * (2.0 if any(e * _w(t) > c) else 1.0)}

    return body, lambda o, t: bool((_e(o, t) * _w(t) > c).any())


def _drop_infinite(c):
    """torchsurv's Weibull NLL: the values above ``c`` infinite, dropped behind ``any(isinf)``."""
    def body(o, t):
        e = _e(o, t)
        e = torch.where(e > c, torch.inf, e)
        if any(torch.isinf(e)):
            e = e[~torch.isinf(e)]
        return {"loss": e.sum() + _e(o, t).mean()}  # (a group whose rows are all dropped keeps a value)

    return body, lambda o, t: bool((_e(o, t) > c).any())


@pytest.mark.parametrize("labels", LABELS)
@pytest.mark.parametrize("make", [_above, _all_below, _rows_above, _weighted_above, _drop_infinite])
def test_the_builtin_over_a_tensor_of_image_rows_is_decided_per_group(make, labels):
    turned = 0
    for c in (0.1, 0.25, 0.3, 0.35, 0.5):
        turned += _decided_per_group(*make(c), labels, "Python's a",
                                     unreached=frozenset({"loss_mean"}) if make is _above else frozenset())
    if labels is None and make is not _weighted_above:  # (weighted, each group decides as the batch)
        assert turned  # some threshold turns a group: the test can fail


def test_the_builtin_splits_exactly_where_every_group_decides_alike():
    """No image infinite (``any`` False), all finite (``all`` True): every companion."""
    check_rule(_drop_infinite(2.0)[0], "")
    check_rule(_all_below(2.0)[0], "")
    check_rule(_above(2.0)[0], "")


def _piece(o, t):
    e = _e(o, t)
    return {"loss": e.sum() * (2.0 if any((e > 0.3)[:2]) else 1.0)}


def _listed(o, t):
    e = _e(o, t)
    return {"loss": e.sum() * (2.0 if any(list(e > 0.3)) else 1.0)}


def _generator(o, t):
    e = _e(o, t)
    return {"loss": e.sum() * (2.0 if any(v > 0.3 for v in e[1:]) else 1.0)}


def _iterated(o, t):
    e = _e(o, t)
    return {"loss": e.sum() * (2.0 if any(iter(e > 0.3)) else 1.0)}


@pytest.mark.parametrize("body", [_piece, _listed, _generator, _iterated])
def test_elements_reached_otherwise_keep_declining_the_call(body):
    """A piece taken by position (on a group alone other images), a list, a generator over a
    slice, ``iter()`` between the builtin and the tensor: Python reads elements the split does not
    see it read in order; batches 0 and 1 (of 4 and 3 images)."""
    for seed, weights in RULE_BATCHES[:2]:
        got, want, said = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        assert want and not wrong_companions(got, want), (seed, got, want)
        assert got == {}, (seed, got, said)
        assert any("combined in Python" in m or "was read on the host" in m for m in said), said


# -- len() of image rows compared ------------------------------------------------------------------

class _Inputs:
    """torchsurv's validator: the event tensor held as an attribute."""

    def __init__(self, event):
        self.event = event

    def checked(self, log_params):
        n = len(self.event)
        if log_params.shape[0] != n:
            raise ValueError("Dimension mismatch")
        return log_params


def _checked_shape(o, t):
    e = _e(o, t)
    x = _Inputs(e.detach()).checked(o["x"])
    return {"loss": (x - 0.5).abs().mean() + e.sum()}


def _compared_in_place(event, x, e):
    """``len(event)`` written at the comparison."""
    return e.sum() * (2.0 if x.shape[0] == len(event) else 1.0)


def _boxed_batch(seed, weights):
    """A rule batch whose images hold 2, 1, 1, 1 boxes (batch 1: 1, 2, 1; batch 2: 1, 1)."""
    o, t = rule_batch(seed, weights)
    for u, k in zip(t, {0: [2, 1, 1, 1], 1: [1, 2, 1], 2: [1, 1]}[seed], strict=True):
        u["boxes"] = torch.rand(k, 4, generator=torch.Generator().manual_seed(k))
    return o, t


def _boxes_compared(o, t):
    """The images' rows compared with the count of their boxes: on a group alone its own two
    counts (a group of images with one box each decides otherwise)."""
    return {"loss": _fewer_rows_than(torch.cat([u["boxes"] for u in t]), o["x"], _e(o, t))}


def _fewer_rows_than(boxes, x, e):
    return e.sum() * (2.0 if x.shape[0] < len(boxes) else 1.0)


def test_a_size_compared_with_a_length_of_the_same_rows_splits_exactly():
    check_rule(_checked_shape, "")
    check_rule(lambda o, t: {"loss": _compared_in_place(_e(o, t).detach(), o["x"], _e(o, t))}, "")


@pytest.mark.parametrize("labels", LABELS)
def test_a_size_compared_with_a_length_of_other_rows_is_decided_per_group(labels):
    def decide(o, t):
        return o["x"].shape[0] < sum(len(u["boxes"]) for u in t)

    turned = _decided_per_group(_boxes_compared, decide, labels, "a size of image rows compared", _boxed_batch)
    assert turned or labels is not None


def _literal(o, t):
    """A number the code wrote (4, the images of batch 0): on a group alone still 4."""
    n = 4
    return {"loss": _e(o, t).sum() * (2.0 if o["x"].shape[0] == n else 1.0)}


def _stored_again(o, t):
    return {"loss": _stored_again_helper(_e(o, t).detach(), o["x"], _e(o, t))}


def _stored_again_helper(event, x, e):
    """``event`` rebound after its length was taken: the length is no longer its own."""
    n = len(event)
    del event
    return e.sum() * (2.0 if x.shape[0] == n else 1.0)


@pytest.mark.parametrize("body", [_literal, _stored_again])
def test_a_size_compared_with_a_number_not_proven_a_length_declines_the_groups_it_turns(body):
    """Batch 0's 4 images: the batch decides ``4 == 4``, each group alone ``k == 4``."""
    seed, weights = RULE_BATCHES[0]
    got, want, said = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
    assert want and not wrong_companions(got, want), (got, want)
    assert got == {}, (got, said)
    assert any("a size of image rows compared (4 == 4)" in m for m in said), said


class _Swapped(_Inputs):
    def swap(self, other):
        self.event = other


def _length_then_call(inputs, low, e):
    """A call between the length and the comparison rebinds what was measured: ``n`` counts the
    high rows, the size compared is of the low ones (each group alone: its own two counts)."""
    n = len(inputs.event)
    inputs.swap(low)
    if len(low) < 0:  # (its length read too, the same number on the batch)
        raise ValueError
    return e.sum() * (2.0 if inputs.event.shape[0] == n else 1.0)


@pytest.mark.parametrize("labels", LABELS)
def test_a_length_measured_before_a_call_that_rebinds_it_is_no_length_of_what_is_compared(labels):
    """The rows' errors above 0.35 counted, those below a bound that gives the batch as many
    compared: a group alone counts its own of each, which differ; the number was the high rows'."""
    turned = 0
    for seed, weights in RULE_BATCHES:
        r = _d(*rule_batch(seed, weights)).mean(2).flatten().detach()
        low_bound = r.sort().values[int((r > 0.35).sum())].item()  # as many rows below it

        def split(o, t, low_bound=low_bound):
            rows = _d(o, t).mean(2).flatten()
            return {"loss": _length_then_call(_Swapped(rows[rows > 0.35].detach()), rows[rows < low_bound], _e(o, t))}

        def decide(o, t, low_bound=low_bound):
            rows = _d(o, t).mean(2).flatten()
            return int((rows > 0.35).sum()) == int((rows < low_bound).sum())

        turned += _decided_per_group(split, decide, labels, "a size of image rows compared", batches=[(seed, weights)],
                                     kept=False)  # (every group declines: the number is no length proven)
    assert turned or labels is not None


# -- nanmean ---------------------------------------------------------------------------------------

def _nan_above(c, weighted=False):
    def body(o, t):
        d = _d(o, t) * (_w(t)[:, None, None] if weighted else 1.0)
        return {"loss": torch.where(_d(o, t) > c, math.nan, d).nanmean(),
                "loss_e": torch.nanmean(torch.where(_e(o, t) > c, math.nan, _e(o, t)))}

    return body


@pytest.mark.parametrize("c", [0.2, 0.3, 0.5, 2.0])
@pytest.mark.parametrize("weighted", [False, True])
def test_nanmean_over_image_rows_splits_exactly(c, weighted):
    """NaN elements in some images (c 0.2, 0.3: every element of some groups, whose oracle is NaN
    and whose companion is omitted); none at 2.0."""
    check_rule(_nan_above(c, weighted), "")


@pytest.mark.parametrize("labels", LABELS[1:])
def test_nanmean_follows_the_oracle_on_other_groupings(labels):
    seed, weights = RULE_BATCHES[0]
    got, want, said = split_outcome(_nan_above(0.3), list(rule_batch(seed, weights)), [ROWS, TARGETS], labels)
    assert set(got) == set(want) and not wrong_companions(got, want), (got, want, said)


def test_nanmean_along_the_images_declines():
    check_rule(lambda o, t: {"loss": torch.where(_d(o, t) > 0.3, math.nan, _d(o, t)).nanmean(0).sum()},
               "nanmean", declines=True)


def test_nanmean_along_a_dim_without_images_splits_exactly():
    check_rule(lambda o, t: {"loss": torch.where(_d(o, t) > 0.3, math.nan, _d(o, t)).nanmean(-1).nansum() / 12}, "")


# -- a sum of per-image losses over the number of images, through a normaliser of the body ----------

def _lovasz_per_image(outputs, batch):
    """catalyst's Lovász-softmax per image: its ``mean`` of a generator over the images, ``acc / n``
    with ``n`` from ``enumerate``, of each image's ``mean`` over its present classes (survey 34)."""
    lovasz = importlib.import_module("catalyst.contrib.losses.lovasz")
    return {"loss": lovasz._lovasz_softmax(outputs["logits"].softmax(1), batch["labels"], per_image=True)}


def _seg(seed, b):
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 3, (b, 5, 5), generator=g)
    for i in range(b):
        labels[i, 1:3, 1:4] = (i + seed) % 3
    return [{"logits": (torch.randn(b, 3, 5, 5, generator=g) * 2).requires_grad_()}, {"labels": labels}], [Along(0), Along(0)]


@pytest.mark.parametrize("labels", [["a", "b", "a", "a"], ["b", "b", "a", "a"], ["a", "b", "c", "a"], ["a", "b", "c"],
                                    ["a", "a", "b"], ["a", "b"]])
def test_a_generator_mean_over_the_images_of_per_image_means_splits_exactly(labels):
    """A declined key until session 29 ('its normaliser 4 comes from outside the call and counts
    fewer than the loss's 12 rows'): each group's per-image losses over its own number of images."""
    pytest.importorskip("catalyst.contrib.losses.lovasz", reason="needs catalyst (survey 34)")
    args, kinds = _seg(len(labels), len(labels))
    got, want, said = split_outcome(_lovasz_per_image, args, kinds, labels)
    assert got and set(got) == set(want) and not wrong_companions(got, want), (got, want, said)


def _generator_mean(values, over):
    values = iter(values)
    n = 1
    acc = next(values)
    for n, v in enumerate(values, 2):  # noqa: B007 - catalyst's: n is read after the loop
        acc += v
    return acc / over(n)


@pytest.mark.parametrize("over", [lambda n: 4, lambda n: WIDTH], ids=["four", "width"])
def test_a_number_equal_to_the_images_that_counts_nothing_follows_the_oracle(over):
    """Was silently wrong (found in session 29 by s35w): a helper that reads none of its arguments
    (``over=lambda n: 4``, ``lambda n: WIDTH``) returns no count, whatever it is given; equal to the
    images it declines (``_bytecode._unread_arguments_call``)."""
    def body(o, t):
        return {"loss": _generator_mean((x.mean(-1).sum() for x in _d(o, t)), over)}

    o, t = rule_batch(*RULE_BATCHES[0])  # 4 images, WIDTH 4
    got, want, said = split_outcome(body, [o, t], [ROWS, TARGETS])
    assert not wrong_companions(got, want), (got, want)
    assert got == {} and any("a call returns" in m for m in said), (got, said)


@pytest.mark.parametrize("over", [lambda n: n, lambda n: n + 0], ids=["count", "count_plus_zero"])
def test_a_helper_returning_the_count_it_is_given_splits(over):
    """Near miss: the helper reads the count it is given, the group's on a group alone."""
    def body(o, t):
        return {"loss": _generator_mean((x.mean(-1).sum() for x in _d(o, t)), over)}

    for seed, weights in RULE_BATCHES:
        got, want, said = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        assert want and set(got) == set(want) and not wrong_companions(got, want), (seed, got, want, said)


def _weights_tested(o, t, method):
    w = torch.tensor([u["loss_weight"] * 1.0 for u in t])
    below = (w < 0.9).any() if method else any(w < 0.9)
    return {"loss": _e(o, t).sum() * (2.0 if below else 1.0)}


@pytest.mark.parametrize("method", [True, False], ids=["method", "builtin"])
def test_a_branch_on_the_weights_made_into_a_tensor_follows_the_oracle(method):
    """Was silently wrong (found in session 29 by s35w): a Python branch on a test of the images'
    weights made into a tensor of new numbers (``torch.tensor([u['loss_weight'] * 1.0 for u in
    t])``, then ``if (w < 0.9).any():`` or ``any(w < 0.9)``) was the batch's decision on every
    group, while on a group alone every weight is 1. The tensor is the weights' by value
    (``mode._weight_valued``); its test on weights 1 differs from the batch's: declined, naming the
    read (more in ``tests/test_weights_and_positions_decided.py``)."""
    o, t = rule_batch(*RULE_BATCHES[0])
    got, want, said = split_outcome(lambda o, t: _weights_tested(o, t, method), [o, t], [ROWS, TARGETS])
    assert want and got == {}, (got, want)
    assert any("Tensor.__bool__ of values computed from the images' 'loss_weight'" in m for m in said), said


# -- truths read by code the library does not read -------------------------------------------------

_C = 0.3  # a threshold between the rule batches' mean errors (0.208 to 0.362)
_NS: dict = {}
exec("def _exec_made(e):\n    return any(e > c)\n", {"c": _C}, _NS)  # noqa: S102 - the code under test is made from text


def _evaluated(o, t):
    e = _e(o, t)
    return {"loss": e.sum() * (2.0 if eval("any(e > _C)") else 1.0)}  # noqa: S307


def _aliased(o, t):
    e = _e(o, t)
    found = any
    return {"loss": e.sum() * (2.0 if found(e > _C) else 1.0)}


@pytest.mark.parametrize("body", [_evaluated, _aliased])
def test_a_truth_read_by_code_not_read_declines(body):
    """``eval("any(e > c)")``, ``any`` called through a local: Python's
    ``any`` stops at the first image whose value passes, which on a group alone is another (was
    read as a branch on one image's value each and silently wrong, found by s35w). Declined on
    every rule batch, the warning naming the read."""
    for seed, weights in RULE_BATCHES:
        got, want, said = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        assert want and got == {}, (seed, got, want)
        assert any("compiled from a string" in m or "asked by a function the code calls" in m for m in said), said


_TEXT_BODIES = """
def text_helper_branch(o, t):
    e = _e(o, t)
    return {"loss": e.sum() * (2.0 if _NS["_exec_made"](e) else 1.0)}


def text_sum_over_count(o, t):
    e = _e(o, t)
    return {"loss": e.sum() / len(t), "per": e.mean()}


def text_mean_over_first_count(o, t):
    e = _e(o, t)
    return {"loss": e.mean() * len(t[0]["y"])}
"""
_TEXT: dict = {"_e": _e, "_NS": _NS}
exec(compile(_TEXT_BODIES, "<string>", "exec"), _TEXT)  # noqa: S102 - as a harness defines bodies from their source


@pytest.mark.parametrize("name", ["text_helper_branch", "text_sum_over_count", "text_mean_over_first_count"])
def test_functions_made_from_text_are_read_like_any_other(name):
    """A criterion defined from its source text (``<string>``: a REPL, a doctest, a harness that
    ``exec``s bodies) and a helper ``exec`` made are read like code in a file: never a WRONG
    companion; ``len(t)`` read from the code splits exactly (it needs the code read), the helper's
    branch is decided per group (a group whose decision is not known gets none), one image's count
    by position declines as it does in a file."""
    body = _TEXT[name]
    for seed, weights in RULE_BATCHES:
        got, want, said = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        assert not wrong_companions(got, want), (seed, got, want, said)
        if name == "text_sum_over_count":
            assert got and got == pytest.approx(want, rel=1e-5, abs=1e-6), (seed, got, want, said)


def _evaluated_loss(o, t):
    e = _e(o, t)
    return {"loss": eval("e.sum()") * (2.0 if eval("_C > 0.2") else 1.0) + e.mean()}  # noqa: S307


@pytest.mark.parametrize("body", [_evaluated_loss, _above(2.0)[0]])
def test_code_made_from_text_that_decides_nothing_of_the_images_splits_exactly(body):
    """Near misses: ``eval`` that computes a loss, or tests a constant; ``any`` itself where every
    group decides as the batch."""
    for seed, weights in RULE_BATCHES:
        got, want, said = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        assert got and got == pytest.approx(want, rel=1e-5, abs=1e-6), (seed, got, want, said)
