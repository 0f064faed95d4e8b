"""Values that remember a copy with the weight field set to 1 (an untracked per-row factor, the
weights or a constant such as entmax's ``alpha.expand(B, 1)``) through ``torch.where`` and through
in-place arithmetic (``+= -= *= /=`` by a tracked row-wise tensor, ``masked_fill_``); a divisor
local stored on a branch the call did not take; ``(labels.size(0) - ignored.sum()).item()`` of a 1-d
mask; the very float of a size of image rows (``float(labels.size(0))``) -- entmax's losses (survey
33). Each body against the oracle on every ``RULE_BATCHES`` batch (4, 3 and 2 images, weights 1 and
0.5), with near misses that must keep declining (or, pre-existing, are pinned as strict xfails)."""

import pytest
import torch
from _helpers import (
    ROWS,
    RULE_BATCHES,
    TARGETS,
    check_rule,
    rule_batch,
    rule_outcome,
    split_outcome,
    wrong_companions,
)


def _errors(outputs, targets):
    return (outputs["x"] - torch.stack([t["y"] for t in targets])).abs()


def _weights(targets):
    """The images' weights as an untracked per-row factor [B, 1, 1]."""
    return torch.tensor([t["loss_weight"] for t in targets])[:, None, None]


def _constant_rows(e):
    """A per-row factor that is no weight: 0.3 on every row, [B, 1, 1] (entmax's ``alpha - 1``)."""
    return torch.tensor(1.3).expand(e.shape[0], 1, 1) - 1


def _bisection_like(factor):
    """A few bisection steps as entmax's: ``X * factor``, a threshold moved by ``torch.where`` on a
    test of the values, the positive part normalised in place per row."""

    def body(outputs, targets):
        e = _errors(outputs, targets)
        s = e * factor(e, targets)
        lo = s.amax(-1, keepdim=True) - 1.0
        dm = torch.ones_like(lo)
        for _ in range(4):
            dm = dm / 2
            mid = lo + dm
            p = torch.clamp(s - mid, min=0)
            lo = torch.where((p.sum(-1, keepdim=True) - 1 >= 0), mid, lo)
        p = torch.clamp(s - lo, min=0) + 1e-3
        p /= p.sum(-1, keepdim=True)
        return {"loss": (p * e).sum(-1).mean()}

    return body


@pytest.mark.parametrize("factor", [lambda e, t: _constant_rows(e), lambda e, t: _weights(t)],
                         ids=["a-constant-per-row-factor", "the-weights"])
def test_a_where_and_an_in_place_normalisation_of_values_remembering_a_copy_split(factor):
    """Was declined at ``torch.where`` (any operand remembering a copy ended attribution) and at
    ``Tensor.div_`` by a tracked row sum: the pick and the in-place quotient are replayed on the
    copies, the test's own copy picking (with the weights: the values with weight 1)."""
    check_rule(_bisection_like(factor), "")


@pytest.mark.parametrize("body", [
    lambda o, t: {"loss": torch.where((_weights(t) * _errors(o, t)) > 0.3, _weights(t) * _errors(o, t), 0.0).mean()},
    lambda o, t: {"loss": torch.where(_errors(o, t) > 0.3, 0.0, _weights(t) * _errors(o, t)).sum()},
    lambda o, t: {"loss": torch.where(_weights(t) * _errors(o, t) > 0.3, _errors(o, t), _errors(o, t) ** 2).mean()},
], ids=["weighted-test-and-value", "weighted-value-only", "weighted-test-only"])
def test_a_where_over_weighted_values_takes_the_values_with_weight_1(body):
    """On a group alone the weights are 1: the test and the values both are the unweighted ones."""
    check_rule(body, "")


def test_a_where_mixing_images_still_declines():
    """Near miss: the other operand is another image's values (the batch flipped), or a value
    reduced over the batch at positions the test does not exclude."""
    check_rule(lambda o, t: {"loss": torch.where(_errors(o, t) > 0.5, _weights(t) * _errors(o, t),
                                                 (_weights(t) * _errors(o, t)).flip(0)).mean()},
               "where", declines=True)


def _in_place(op, other):
    def body(outputs, targets):
        e = _errors(outputs, targets)
        v = e * _constant_rows(e) if other != "weights" else e * _weights(targets)
        x = e + 0.5 if other in ("data", "weights") else (e + 0.5).flip(0)
        getattr(v, op)(x)
        return {"loss": v.mean()}

    return body


@pytest.mark.parametrize("op", ["add_", "sub_", "mul_", "div_"])
@pytest.mark.parametrize("other", ["data", "weights"])
def test_in_place_arithmetic_of_values_remembering_a_copy_by_tracked_data_splits(op, other):
    """``v += x`` / ``-=`` / ``*=`` / ``/=`` of values remembering their copy (a constant per-row
    factor, or the weights) by the images' own row-wise data: the same op on the copy."""
    check_rule(_in_place(op, other), "")


@pytest.mark.parametrize("op", ["add_", "mul_", "div_"])
def test_in_place_arithmetic_by_other_images_data_declines(op):
    """Near miss: the tracked operand is the batch flipped, each row another image's."""
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(_in_place(op, "flipped"), rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, got, want)
        assert got == {} and want, (seed, got, said)


def test_a_loss_scaled_in_place_by_data_times_weights_still_declines():
    """Near miss: ``loss *= y * w`` of a loss without a copy of its own: its values before the write
    are gone, so no copy can be replayed (was silently wrong in a first version of this rule)."""
    def body(outputs, targets):
        loss = _errors(outputs, targets) ** 2
        loss *= torch.stack([t["y"] for t in targets]) * _weights(targets)
        return {"loss": loss.mean()}

    check_rule(body, "mul_", declines=True)


def _divisor_on_a_branch(ignored):
    """``size`` stored on two branches (entmax's ``_GenericLoss``): the count of kept rows read on
    the host where an ignore label is configured, else ``float(labels.size(0))``."""

    def body(outputs, targets):
        labels = torch.stack([t["labels"][0] for t in targets])
        loss = (_errors(outputs, targets) ** 2).sum((1, 2))
        if ignored >= 0:
            kept = labels != ignored
            size = float((labels.size(0) - (~kept).sum()).item())
            loss = loss * kept
        else:
            size = float(labels.size(0))
        return {"loss": loss.sum() / size}

    return body


def test_a_divisor_of_the_rows_stored_on_the_branch_taken_splits():
    """Was declined: the other branch's store (``size(0) - ignored``, a subtraction from a size of
    the rows, read like ``numel() - ignored``) was taken for Python arithmetic on a count."""
    check_rule(_divisor_on_a_branch(-100), "")


@pytest.mark.parametrize("body", [
    lambda o, t: {"loss": (_errors(o, t) ** 2).sum() / (torch.stack([s["labels"] for s in t]).size(0) - 1)},
    lambda o, t: {"loss": (_errors(o, t) ** 2).sum() / float(torch.stack([s["labels"] for s in t]).size(0) - 1)},
], ids=["size-minus-one", "float-of-size-minus-one"])
def test_a_size_of_the_rows_minus_a_literal_still_declines(body):
    """Near miss: ``n - 1`` of the images' count is no count of rows a group recomputes as a share."""
    check_rule(body, "div", declines=True)


def _over_kept(count):
    """Per-image sums over ``count(labels, ignored)``, read on the host (``.item()``), the ignored
    images' sums zeroed in place first (entmax's ``_GenericLoss`` with a padding index)."""

    def body(outputs, targets):
        labels = torch.stack([t["labels"][0] for t in targets])
        ignored = labels == 1
        loss = (_errors(outputs, targets) ** 2).sum((1, 2))
        size = float(count(labels, ignored).item())
        loss.masked_fill_(ignored, 0.0)
        return {"loss": loss.sum() / size}

    return body


@pytest.mark.parametrize("count", [
    lambda labels, ignored: labels.size(0) - ignored.sum(),
    lambda labels, ignored: labels.numel() - ignored.sum(),
    lambda labels, ignored: (~ignored).sum(),
], ids=["size-minus-a-sum", "numel-minus-a-sum", "the-complement-summed"])
def test_a_loss_over_the_kept_rows_counted_in_torch_splits(count):
    """``(labels.size(0) - ignored.sum()).item()`` of a 1-d mask: the count of its rows less its sum
    is on a group alone the group's rows less the group's sum, the row sum of ``~ignored`` (was
    declined: only a multi-dim mask's ``numel()`` was followed so)."""
    check_rule(_over_kept(count), "")


@pytest.mark.parametrize("count", [
    lambda labels, ignored: labels.size(0) - ignored.sum() - 1,
    lambda labels, ignored: labels.size(0) - ignored[:2].sum(),
    lambda labels, ignored: torch.ones(5).size(0) - ignored.sum(),
], ids=["less-one", "a-sum-of-the-first-two-rows", "a-size-of-no-image-rows"])
def test_a_loss_over_other_counts_of_the_rows_still_declines(count):
    """Near misses: one less, a sum of the first two images only, or a size of rows that carry no
    images (a constant 5): on a group alone no row sum of the group's; never a wrong companion."""
    declined = 0
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(_over_kept(count), rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, got, want)
        declined += not got and bool(want)
    assert declined


def _over_float_of_size(divisor):
    """Per-image sums over ``divisor(labels)``, a float made from a size of the images' rows."""

    def body(outputs, targets):
        labels = torch.stack([t["labels"][0] for t in targets])  # [B]
        size = divisor(labels)
        return {"loss": (_errors(outputs, targets) ** 2).sum() / size}

    return body


def test_a_sum_over_the_float_of_a_size_of_the_rows_splits():
    """``l.sum() / size`` with ``size = float(labels.size(0))``: the very float of a size of image
    rows divides as that size does (the group's count of those rows). Was left to the outside
    normaliser's shares, declined where the target dicts' fields disagree on instance counts."""
    check_rule(_over_float_of_size(lambda labels: float(labels.size(0))), "")

    def body(outputs, targets):
        size = float(torch.stack([t["label"] for t in targets]).size(0))
        return {"loss": (outputs["x"] ** 2).sum() / size}

    for seed, weights in RULE_BATCHES:  # fields of other lengths (a token sequence, a distribution)
        g = torch.Generator().manual_seed(seed)
        x = torch.rand(len(weights), 7, generator=g).requires_grad_()
        targets = [{"label": torch.randint(0, 7, (), generator=g), "tokens": torch.randint(0, 7, (6,), generator=g),
                    "dist": torch.rand(7, generator=g), "loss_weight": w} for w in weights]
        got, want, said = split_outcome(body, [{"x": x}, targets], [ROWS, TARGETS])
        assert set(got) == set(want) and got == pytest.approx(want, rel=1e-5), (seed, got, want, said)


def _float_less_one(outputs, targets):
    labels = torch.stack([t["labels"] for t in targets])
    size = float(labels.size(0)) - 1
    return {"loss": (_errors(outputs, targets) ** 2).sum() / size}


def _float_of_size_less_one(outputs, targets):
    labels = torch.stack([t["labels"] for t in targets])
    size = float(labels.size(0) - 1)
    return {"loss": (_errors(outputs, targets) ** 2).sum() / size}


def _float_squared(outputs, targets):
    labels = torch.stack([t["labels"] for t in targets])
    size = float(labels.size(0))
    return {"loss": (_errors(outputs, targets) ** 2).sum() / (size * size)}


@pytest.mark.parametrize("body", [_float_less_one, _float_of_size_less_one],
                         ids=["the-float-less-one", "the-float-of-size-less-one"])
def test_a_sum_over_arithmetic_on_the_float_of_a_size_still_declines(body):
    """Near misses: arithmetic on that float (or on the size before it) in the body is no count of
    rows: on a group alone the body computes it from the group's."""
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, got, want)
        assert not got, (seed, got, said)


@pytest.mark.parametrize("body", [
    _over_float_of_size(lambda labels: float(labels.size(0)) - 1),
    _over_float_of_size(lambda labels: float(labels.size(0)) * float(labels.size(0))),
    _over_float_of_size(lambda labels: int(labels.size(0)) + 1),
    _float_squared,
], ids=["the-float-less-one-in-a-helper", "the-float-squared-in-a-helper", "the-int-plus-one-in-a-helper",
        "the-float-squared"])
def test_arithmetic_on_the_float_of_a_size_declines(body):
    """Found by s33b (session 27), silently wrong on main: arithmetic on ``float(x.size(0))`` is a
    plain float (in a helper whose code is not read, or a product ``size * size`` left to the rules
    for divisors), 3 on 4 images or 9 on 3 taken for a constant. A whole-valued divisor that is no
    literal, attribute, argument or host read, after the body made a plain number of a count of
    image rows, may be computed from it: declined, the key and the division named."""
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert not got and any("'loss'" in w and "div" in w for w in said), (seed, got, said)


def _float_read_then_over_three(outputs, targets):
    labels = torch.stack([t["labels"] for t in targets])
    _float_read_then_over_three.seen = float(labels.size(0))  # kept for a log
    return {"loss": (_errors(outputs, targets) ** 2).sum() / 3.0}


def _float_read_then_over_four(outputs, targets):
    labels = torch.stack([t["labels"] for t in targets])
    _float_read_then_over_four.seen = float(labels.size(0))
    return {"loss": (_errors(outputs, targets) ** 2).sum() / 4}


def _float_read_then_over_the_images(outputs, targets):
    labels = torch.stack([t["labels"] for t in targets])
    _float_read_then_over_the_images.seen = float(labels.size(0))
    return {"loss": (_errors(outputs, targets) ** 2).sum() / len(targets)}


@pytest.mark.parametrize("body", [_float_read_then_over_three, _float_read_then_over_four,
                                  _float_read_then_over_the_images],
                         ids=["a-literal-float", "a-literal-int", "the-count-of-images"])
def test_after_the_float_of_a_size_a_literal_or_the_count_of_images_still_splits(body):
    """Near misses: after ``float(x.size(0))`` a literal of the body (3.0 on 3 images, 4 on 4) is
    its constant, ``len(targets)`` the group's count: both follow the oracle."""
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert got and not wrong_companions(got, want), (seed, got, want, said)


def _filled_in_place(mask, factor):
    """Values remembering their copy (``factor``) zeroed in place at ``mask(e, targets)``."""

    def body(outputs, targets):
        e = _errors(outputs, targets)
        v = e * factor(e, targets)
        v.masked_fill_(mask(e, targets), 0.0)
        return {"loss": v.sum() / 3.0}

    return body


@pytest.mark.parametrize("mask", [
    lambda e, t: e < 0.2,
    lambda e, t: torch.stack([s["labels"] for s in t])[..., None] == 1,
], ids=["a-test-of-the-values", "a-test-of-the-labels"])
@pytest.mark.parametrize("factor", [lambda e, t: _constant_rows(e), lambda e, t: _weights(t)],
                         ids=["a-constant-per-row-factor", "the-weights"])
def test_values_remembering_a_copy_zeroed_in_place_split(mask, factor):
    """Was lost at ``masked_fill_``: the copy is zeroed at the same positions (the mask's own copy
    where it tests weighted values), as ``masked_fill`` out of place does."""
    check_rule(_filled_in_place(mask, factor), "")


def test_values_zeroed_in_place_by_a_test_of_weighted_values_pick_the_copy_s_positions():
    """A mask testing the weighted values: the copy is zeroed where the values with weight 1 pass
    the test (the oracle's positions), not where the weighted ones do."""
    check_rule(_filled_in_place(lambda e, t: _weights(t) * e < 0.2, lambda e, t: _weights(t)), "")


def test_values_zeroed_in_place_by_another_images_mask_decline():
    """Near miss: the mask of the batch flipped (other images' positions)."""
    check_rule(_filled_in_place(lambda e, t: (e < 0.2).flip(0), lambda e, t: _weights(t)), "masked_fill_", declines=True)


def _support_divided(factor):
    """Sparsemax's threshold: per row of the flattened errors, the running sums of its sorted values
    over the size of its support, counted from ``rhos * topk > cumsum`` with ``rhos`` (``factor``) an
    untracked per-element factor, ``tau /= support_size`` in place."""

    def body(outputs, targets):
        e = _errors(outputs, targets).reshape(-1, 4)  # [B * RULE_ROWS, 4]
        top = e.sort(-1, descending=True).values
        csum = top.cumsum(-1) - 1
        support = factor(top, targets) * top > csum
        size = support.sum(-1, keepdim=True)
        tau = csum.gather(-1, size.clamp(min=1) - 1)
        tau /= size.clamp(min=1).to(e.dtype)
        return {"loss": (e - tau).clamp(min=0).sum() / 4.0}

    return body


def _one_image_batches():
    for seed, weights in RULE_BATCHES:
        outputs, targets = rule_batch(seed, weights)
        for b in range(len(targets)):
            yield seed, b, ({"x": outputs["x"][b:b + 1].detach().requires_grad_()}, targets[b:b + 1])


def test_a_target_without_a_copy_divided_in_place_by_data_whose_copy_is_its_own_splits():
    """Was lost at ``Tensor.div_`` (sparsemax's top-k on one example): the divisor remembers a copy
    (on one image, its ``rhos`` are a per-element factor of that image's values) equal to its values,
    so the target needs none (checked with the call's one read); several images alike."""
    rhos = lambda top, t: torch.arange(1, top.shape[-1] + 1, dtype=top.dtype)  # noqa: E731
    check_rule(_support_divided(rhos), "")
    for seed, b, one in _one_image_batches():
        got, want, said = rule_outcome(_support_divided(rhos), one)
        assert set(got) == set(want) and got == pytest.approx(want, rel=1e-5), (seed, b, got, want, said)


def test_a_target_without_a_copy_divided_by_weighted_data_declines():
    """Near miss: the divisor's copy differs from its values (the support counted from weighted
    values, each row's image weight): the target's values with the weight 1 are gone, the call
    declines."""
    declined = 0
    for seed, weights in RULE_BATCHES:  # (where the weighted and unweighted supports agree, exact)
        got, want, said = rule_outcome(_support_divided(lambda top, t: _weights(t)[:, :, 0].repeat_interleave(3, 0)),
                                       rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, got, want)
        declined += not got and any("div_" in m for m in said)
    assert declined


def test_every_image_in_one_group_takes_the_whole_normaliser():
    """A number of the body read as a normaliser (here ``/ len(targets)`` on one example) whose counts
    are ambiguous (the target dicts' fields disagree on instance counts) was declined even where one
    group holds every image: on the group alone the body computes that very number (sparsemax's and
    entmax-1.5's losses on one example, survey 33). Two groups: over the group's images (``/
    len(targets)`` read at the division). A number passed in keeps its share rules
    (tests/test_definition_property.py: a group counting no instances gets no companion)."""
    def body(outputs, targets):
        return {"loss": (outputs["x"] ** 2).sum() / len(targets)}

    for weights in ([0.5], [1.0, 1.0, 1.0], [1.0, 0.5]):
        g = torch.Generator().manual_seed(len(weights))
        x = torch.rand(len(weights), 7, generator=g).requires_grad_()
        targets = [{"tokens": torch.randint(0, 7, (6,), generator=g), "dist": torch.rand(7, generator=g),
                    "loss_weight": w} for w in weights]
        got, want, said = split_outcome(body, [{"x": x}, targets], [ROWS, TARGETS])
        assert not wrong_companions(got, want), (weights, got, want)
        assert set(got) == set(want), (weights, got, want, said)
