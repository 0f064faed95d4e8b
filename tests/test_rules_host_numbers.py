"""Numbers read on the host from reduced values and followed per group (``mode.GroupFloat``).

``n = (tgt != pad).sum().item()``, ``w = max(reg.item(), 0.01)``: on a group's images alone the
body reads the group's own value, so a loss scaled by such a number is split with each group's
number (``Ratio.group_factors``), comparisons made of it are checked per group, and anything the
capture cannot follow declines the call. Each body is checked against the oracle (the body run
on each group's images alone, weight field 1), main values and gradients bit-identical.
"""

from __future__ import annotations

import copy
import math

import pytest
import torch
import torch.nn.functional as F
from _helpers import KEEP, ROWS, RULE_BATCHES, TARGETS, rule_batch, split_outcome, wrong_companions

from losssplit import split_by_source

B, T, V, PAD = 5, 6, 7, 0
# per image: loss_weight (real >= 0.9), tokens that are not padding, positives among them
IMAGES = [(1.0, 6, 2), (0.5, 3, 0), (1.0, 4, 1), (0.5, 5, 0), (0.25, 2, 0)]


def batch(seed: int = 0) -> list:
    """Logits [B, T, V] under two permutations, labels [T] per image padded with PAD, a positive
    mask per token, a regression [B, T, 2]; synthetic images have no positives (their group's
    count is 0 where the batch's is not)."""
    g = torch.Generator().manual_seed(seed)
    outputs = {"perm": [torch.randn(B, T, V, generator=g).requires_grad_() for _ in range(2)],
               "reg": torch.rand(B, T, 2, generator=g).requires_grad_()}
    targets = []
    for w, tokens, positives in IMAGES:
        text = torch.randint(1, V, (T,), generator=g)
        text[tokens:] = PAD
        pos = torch.zeros(T, dtype=torch.bool)
        pos[:positives] = True
        targets.append({"text": text, "pos": pos, "box": torch.rand(T, 2, generator=g), "loss_weight": w})
    return [outputs, targets]


def outcome(body, args=None, kinds=(ROWS, TARGETS)):
    return split_outcome(body, args if args is not None else batch(), list(kinds))


def assert_splits(body, args=None, kinds=(ROWS, TARGETS)):
    got, want, said = outcome(body, args, kinds)
    assert want and set(got) == set(want), said
    assert not wrong_companions(got, want)


def assert_declines(body, words, args=None, kinds=(ROWS, TARGETS)):
    got, want, said = outcome(body, args, kinds)
    assert want and got == {}, (got, want)
    assert any(w in m for m in said for w in words), said


def assert_declines_group(body, group, words, args=None, kinds=(ROWS, TARGETS)):
    """Only ``group``'s companions declined, with a warning naming the group and ``words``; the
    other groups' equal the oracle's."""
    got, want, said = outcome(body, args, kinds)
    assert want and not wrong_companions(got, want), (got, want)
    assert set(got) == {c for c in want if not c.endswith(f"_{group}")}, (got, want)
    assert any(f"group {group!r} alone" in m and all(w in m for w in words) for m in said), said


def _token_weighted(outputs, targets):
    # PARSeq's weighting: each permutation's token mean times its host-read token count, over their
    # sum; a few more labels become padding after each permutation
    tgt = torch.stack([t["text"] for t in targets])
    total = 0
    count = 0
    for k, logits in enumerate(outputs["perm"]):
        n = (tgt != PAD).sum().item()
        total = total + n * F.cross_entropy(logits.reshape(-1, V), tgt.reshape(-1), ignore_index=PAD)
        count = count + n
        tgt = tgt.masked_fill(tgt == 3 + k, PAD)
    return {"loss": total / count}


def test_losses_times_host_read_token_counts_over_their_sum_split_per_group():
    # real: 6 + 4 tokens, synthetic: 3 + 5 + 2; each group's loss is its own counts' weighted mean
    assert_splits(_token_weighted)


def test_a_mean_times_its_own_mean_read_on_the_host_is_the_groups_square():
    assert_splits(lambda o, t: {"loss": (o["reg"] ** 2).mean() * (o["reg"] ** 2).detach().mean().item()})


def _regression(outputs, targets):
    box = torch.stack([t["box"] for t in targets])
    return (outputs["reg"] - box).abs()


def _loss_weighted(outputs, targets):
    # ActionFormer's final loss: cls + reg * cls.detach() / max(reg.item(), 0.01)
    e = _regression(outputs, targets)
    cls_loss = e[..., 0].mean()
    reg_loss = e[..., 1].sum() / 7.0
    loss_weight = cls_loss.detach() / max(reg_loss.item(), 0.01)
    return {"cls": cls_loss, "reg": reg_loss, "final": cls_loss + reg_loss * loss_weight}


def test_a_loss_weight_over_a_floored_host_read_loss_splits_where_no_group_hits_the_floor():
    assert_splits(_loss_weighted)


def test_a_count_read_on_the_host_times_a_mean():
    def body(o, t):
        e = _regression(o, t)
        n = torch.stack([x["text"] for x in t]).ne(PAD).sum().item()
        return {"loss": e.mean() * n, "half": e.sum() * (n * 0.5)}

    assert_splits(body)


def test_a_sum_over_twice_a_count_read_on_the_host():
    # each group's sum over twice its own count (it declined while read numbers were not followed)
    assert_splits(lambda o, t: {"loss": _regression(o, t).sum() / (2 * torch.stack([x["text"] for x in t]).ne(PAD)
                                                                       .sum().item())})


def test_a_group_whose_count_is_below_the_floor_declines_with_a_warning():
    # max(n, 1): 3 on the batch, 0 on the synthetic images alone (floored to 1 there): declined
    def body(o, t):
        e = _regression(o, t)
        n = torch.stack([x["pos"] for x in t]).sum().item()
        return {"loss": e.mean() * max(n, 1)}

    assert_declines_group(body, "synthetic", ["a comparison (lt) of a number read on the host at Tensor.item"])


def test_a_branch_on_the_count_declines():
    # a jump after the read: no proof that the number is followed (the read declines the call)
    def body(o, t):
        e = _regression(o, t)
        n = torch.stack([x["pos"] for x in t]).sum().item()
        scale = n if n > 0 else 1
        return {"loss": e.mean() * scale}

    assert_declines(body, ["read on the host at Tensor.item"])


def test_a_comparison_that_differs_per_group_declines_that_group():
    # min(w, 0.4): 10 / 30 padding on the batch and 2 / 12 on the real images, 8 / 18 on the synthetic ones: the
    # synthetic images alone take min's other way; the real ones compare as the batch does and split
    def body(o, t):
        e = _regression(o, t)
        w = torch.stack([x["text"] for x in t]).eq(PAD).float().mean().item()
        return {"loss": e.mean() * min(w, 0.4)}

    assert_declines_group(body, "synthetic", ["a comparison (gt) of a number read on the host at Tensor.item"])


def test_a_count_below_every_groups_floor_is_followed():
    # max(n, 1) with n >= 1 on every group: the comparison agrees everywhere
    def body(o, t):
        e = _regression(o, t)
        n = torch.stack([x["text"] for x in t]).ne(PAD).sum().item()
        return {"loss": e.mean() * max(n, 1)}

    assert_splits(body)


def _running_normaliser(o, t, state):
    # ActionFormer: an int count, floored, into a float running normaliser
    e = _regression(o, t)
    n = torch.stack([x["text"] for x in t]).ne(PAD).sum().item()
    normalizer = 0.9 * state["old"] + (1 - 0.9) * max(n, 1)
    return {"loss": e.sum() / normalizer}


def _returns_its_count(o, t):
    e = _regression(o, t)
    n = torch.stack([x["text"] for x in t]).ne(PAD).sum().item()
    return {"loss": e.sum() / (0.5 * n), "count": n}


def test_an_int_count_in_float_arithmetic_is_followed_as_a_float_of_its_value():
    # given to the body as 20.0, and back as 20 where it returns it
    assert_splits(_running_normaliser, [*batch(), {"old": 3.0}], (ROWS, TARGETS, KEEP))
    out = split_by_source(_returns_its_count)(*batch())
    assert type(out["count"]) is int and out["count"] == 20 and "loss_real" in out


def test_an_int_count_given_as_a_float_reaches_a_torch_operator_as_the_int():
    # ``long_tensor * n``: an int64 product, as without losssplit (the use is not followed: declined)
    def body(o, t):
        e = _regression(o, t)
        n = torch.stack([x["text"] for x in t]).ne(PAD).sum().item()
        return {"loss": e.sum() / (0.5 * n), "ints": (torch.ones(3, dtype=torch.long) * n).sum(),
                "quarter": (torch.ones(3, dtype=torch.long) * (n // 4)).sum()}

    assert_declines(body, ["reaches Tensor.mul", "floordiv"])
    out = split_by_source(body)(*batch())
    assert out["ints"].dtype == out["quarter"].dtype == torch.int64 and int(out["quarter"]) == 15


def test_an_int_count_passed_to_a_torch_function_declines():
    # ``torch.zeros(n)`` parses its size before the capture sees it: the read is not followed
    def body(o, t):
        e = _regression(o, t)
        n = torch.stack([x["text"] for x in t]).ne(PAD).sum().item()
        return {"loss": e.mean() * (0.5 * n) + torch.zeros(n).sum()}

    assert_declines(body, ["Tensor.item", "attribution to images was lost"])


# -- near misses: declined -------------------------------------------------------------------------


def test_a_share_over_a_batch_count_from_numpy_declines():
    # DAFormer's ps_size: a plain int counting the batch's pixels, no constant
    def body(o, t):
        e = _regression(o, t)
        pos = torch.stack([x["pos"] for x in t])
        size = pos.cpu().numpy().size
        share = pos.sum().item() / size
        return {"loss": e.mean() * share}

    assert_declines(body, ["Tensor.item", "NumPy may have computed"])  # (rt26: the numpy read is named first)


def test_an_int_count_put_in_a_list_declines():
    # given as a float, it may leave the code only in the returned dict: a list is no proof
    def body(o, t):
        e = _regression(o, t)
        n = torch.stack([x["text"] for x in t]).ne(PAD).sum().item()
        counts = [0.5 * n]
        return {"loss": e.mean() * counts[0]}

    assert_declines(body, ["Tensor.item", "that no rule of host reads matched"])


def test_a_count_through_math_declines():
    def body(o, t):
        e = _regression(o, t)
        n = torch.stack([x["text"] for x in t]).ne(PAD).sum().item()
        return {"loss": e.mean() * math.sqrt(n)}

    assert_declines(body, ["Tensor.item", "with a math function"])  # the count read, or math computing from it


def _count(t):
    return torch.stack([x["text"] for x in t]).ne(PAD).sum().item()


def test_a_count_returned_by_a_helper_declines():
    # returned to code that is not followed (here through math.sqrt): the read is not followed
    def body(o, t):
        return {"loss": _regression(o, t).mean() * math.sqrt(_count(t))}

    assert_declines(body, ["Tensor.item"])


def test_a_read_of_a_value_mixing_images_declines():
    def body(o, t):
        e = _regression(o, t)
        return {"loss": e.mean() * e.detach().amax().item()}

    assert_declines(body, ["Tensor.item"])


def test_a_followed_number_that_reaches_an_unfollowed_op_declines():
    def body(o, t):
        e = _regression(o, t)
        n = torch.stack([x["text"] for x in t]).ne(PAD).sum().item()
        return {"loss": e.mean() * n, "clamped": torch.clamp(e, max=n).mean()}

    assert_declines(body, ["reaches torch.clamp"])


def _keeps_its_count(o, t):
    e = _regression(o, t)
    n = torch.stack([x["text"] for x in t]).ne(PAD).sum().item()
    return {"loss": e.mean() * n, "count": n}


def test_a_number_kept_after_the_call_is_plain():
    out = split_by_source(_keeps_its_count)(*batch())
    n = out["count"]
    assert "loss_real" in out and n == 20
    assert type(n + 1) is int and type(copy.copy(n)) is int

    def scaled(o, t, scale):  # an argument: the same number on a group's run
        return {"loss": _regression(o, t).mean() * scale}

    assert_splits(scaled, [*batch(1), n], (ROWS, TARGETS, KEEP))
    assert_splits(scaled, [*batch(1), n * 2], (ROWS, TARGETS, KEEP))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_followed_numbers_leave_training_bit_identical(seed):
    # split_outcome compares main values and gradients with torch.equal on the way
    got, want, _ = outcome(_token_weighted, batch(seed))
    assert not wrong_companions(got, want)


# -- divisors computed from a read by Python arithmetic (review12) --------------------------------
# ``n`` counts 20 tokens on the batch, 10 per group, 30 positions: ``n // 2`` is 10, the 10 padding
# positions a read-count's complement also is, so it was split as each group's padding (2 and 8)
# where the oracle divides each group by 5; ``(n // 4) * 4`` is 20 again (each group's 8), ``30 - n``
# the padding again (each group's 20).


def _tokens(t):
    return torch.stack([x["text"] for x in t]).ne(PAD)


def _halved_inline(o, t):
    return {"loss": _regression(o, t).sum() / (_tokens(t).sum().item() // 2)}


def _halved_apart(o, t):
    n = _tokens(t).sum().item()
    d = n // 2
    return {"loss": _regression(o, t).sum() / d}


def _rounded_to_four(o, t):
    n = int(_tokens(t).sum())
    d = (n // 4) * 4
    return {"loss": _regression(o, t).sum() / d}


def _from_a_literal(o, t):
    n = _tokens(t).sum().item()
    return {"loss": _regression(o, t).sum() / (30 - n)}


def _int_of_a_product(o, t):
    n = _tokens(t).sum().item()
    return {"loss": _regression(o, t).sum() / int(n * 0.5)}


def _a_product_kept_aside(o, t):
    n = int(_tokens(t).sum())
    d = n * 0.5
    return {"loss": _regression(o, t).sum() / d}


def _a_tensor_of_a_difference(o, t):
    n = _tokens(t).sum().item()
    d = torch.tensor(n - 10.0)
    return {"loss": _regression(o, t).sum() / d}


def _a_literal_equal_to_the_read(o, t):
    # the batch counts 3 positives: ``/ 3`` is the body's 3 on a group alone, whatever read equals it
    n = torch.stack([x["pos"] for x in t]).sum().item()
    return {"loss": _regression(o, t).sum() / 3 * (1.0 if n >= 0 else 2.0)}


@pytest.mark.parametrize("body", [_halved_inline, _halved_apart, _rounded_to_four, _int_of_a_product,
                                  _a_product_kept_aside, _a_tensor_of_a_difference])
def test_a_divisor_computed_from_a_read_by_arithmetic_declines(body):
    """Was silently wrong: the divisor's value equal to the read, or to the elements it did not
    sum, was taken for that row sum. On a group alone the body computes it from the group's count
    (``n - 10.0`` is 0 on each group alone: the oracle has no value, the companions had one)."""
    got, want, said = outcome(body)
    assert got == {}, (got, want)
    assert any(w in m for m in said for w in ["Tensor.item", "Tensor.__int__", "computed in the body by Python",
                                              "a number read on the host", "number read on the host from values"]), said


def test_a_difference_of_a_literal_and_a_read_count_is_followed_per_group():
    # ``30 - n``: the group's 30 - 10 (was split as each group's padding, 2 and 8)
    assert_splits(_from_a_literal)


def test_a_literal_divisor_equal_to_a_read_is_no_count_of_it():
    """Positives 2 real and 1 synthetic: ``/ 3`` was split as each group's positives (the real
    group's sum over 2); the read, used in no loss, now declines the call."""
    args = batch()
    for b in (0, 1):
        args[1][b]["pos"] = torch.zeros(T, dtype=torch.bool)
        args[1][b]["pos"][0] = True
    got, want, said = outcome(_a_literal_equal_to_the_read, args)
    assert want and not wrong_companions(got, want), (got, want)


def _floored_by_a_conditional_expression(o, t):
    n = _tokens(t).sum().item()
    d = n if n > 15 else 15  # 20 on the batch, 15 on each group alone (10 tokens each)
    return {"loss": _regression(o, t).sum() / d}


def test_a_divisor_chosen_by_a_conditional_expression_on_a_read_declines():
    """Was silently wrong: ``d`` equal to the read was taken for its row sum (each group over its
    10 tokens); the conditional expression decides otherwise on each group alone."""
    got, want, said = outcome(_floored_by_a_conditional_expression)
    assert got == {} and want, (got, want)
    assert any("Tensor.item" in m or "computed in the body by Python" in m for m in said), said


def _masked_l1_unless_empty(o, t, field):
    # DBNet's threshold-map L1: ``(|p - g| * m).sum() / m_sum if m_sum.item() != 0 else m_sum``
    m = torch.stack([x[field] for x in t]).float()
    m_sum = m.sum()
    e = _regression(o, t)[..., 0]
    return (e * m).sum() / m_sum if m_sum.item() != 0 else m_sum


def test_a_read_only_compared_decides_alike_on_every_group_and_splits():
    """A number read only to be compared (its every use seen) steers no loss unseen: where each
    group alone compares as the batch did, the call splits (the tokens: 10 on each group); a
    constant chosen by that comparison is the same on each group alone."""

    def body(o, t):
        e = _regression(o, t)
        n = torch.stack([x["text"] for x in t]).ne(PAD).sum().item()
        scale = 2.0 if n > 7 else 1.0
        return {"l1": _masked_l1_unless_empty(o, t, "text"), "scaled": e.mean() * scale}

    assert_splits(body)


def test_a_read_only_compared_that_a_group_decides_otherwise_declines():
    """Near misses: the synthetic images have no positives (the batch 3), so ``!= 0`` is false on
    them alone: their companion declines, the real images' (positives alone too) split; 20 tokens are
    above 15 on the batch, 10 on each group is not: every group declines."""

    def empty_on_a_group(o, t):
        return {"l1": _masked_l1_unless_empty(o, t, "pos")}

    def above_on_the_batch_only(o, t):
        e = _regression(o, t)
        n = torch.stack([x["text"] for x in t]).ne(PAD).sum().item()
        scale = 2.0 if n > 15 else 1.0
        return {"scaled": e.mean() * scale}

    assert_declines_group(empty_on_a_group, "synthetic", ["a comparison (ne)"])  # the real images compare alike
    assert_declines(above_on_the_batch_only, ["a comparison"])


def test_the_bodys_signature_kept_per_code_object_binds_as_inspect_does():
    """``_bytecode._signature`` keeps a body's signature per code object (without its defaults):
    every call form binds the same arguments, or fails the same, as ``inspect.signature``; a
    function given defaults since is read again."""
    import inspect

    from losssplit._capture._bytecode import _signature

    class Crit:
        def method(self, a, b=2, *rest, c, d=4, **more):
            return a

        @classmethod
        def of_class(cls, a, b=1):
            return a

    def plain(a, b=1, *, c=3):
        return a

    def anything(*args, **kw):
        return args

    calls = [((1,), {}), ((1, 2), {}), ((1, 2, 3), {}), ((1,), {"c": 1}), ((), {"a": 1, "c": 2, "z": 3}), ((), {})]
    for wrapped in (Crit().method, Crit.of_class, plain, anything):
        fn = getattr(wrapped, "__func__", wrapped)
        for args, kwargs in calls * 2:  # the second round from the kept signature
            want = got = "TypeError"
            try:
                want = list(inspect.signature(wrapped, follow_wrapped=False).bind(*args, **kwargs).arguments)
            except TypeError:
                pass
            try:
                got = list(_signature(wrapped, fn).bind(*args, **kwargs).arguments)
            except TypeError:
                pass
            assert got == want, (wrapped, args, kwargs)

    def late(a, b):
        return a

    with pytest.raises(TypeError):
        _signature(late, late).bind(1)
    late.__defaults__ = (5,)
    assert list(_signature(late, late).bind(1).arguments) == ["a"]


# -- counts read for logging only, made into a returned tensor (detectron2's RPN) -----------------


def _labels_and_loss(outputs, targets):
    labels = torch.stack([t["labels"] for t in targets])
    return labels, (outputs["x"] - torch.stack([t["y"] for t in targets])).abs().mean()


def logged_per_image(outputs, targets):
    """detectron2's ``RPN.losses``: anchor counts read with ``.item()`` for logging only, returned
    as ``torch.tensor(num_pos / num_images)``, ``num_images = len(gt_labels)``."""
    labels, loss = _labels_and_loss(outputs, targets)
    num_images = len(labels)
    num_pos = (labels == 1).sum().item()
    num_neg = (labels == 0).sum().item()
    return {"loss": loss, "num_pos": torch.tensor(num_pos / num_images), "num_neg": torch.tensor(num_neg / num_images),
            "num_neg_int": torch.tensor(-num_neg), "num_neg_double": torch.tensor(num_neg / num_images / 2.0, dtype=torch.float64)}


def logged_local_equal_to_the_images(outputs, targets):
    labels, loss = _labels_and_loss(outputs, targets)
    k = 4  # the number of images of batch 0
    return {"loss": loss, "num": torch.tensor((labels == 1).sum().item() / k)}


def logged_times_the_images(outputs, targets):
    labels, loss = _labels_and_loss(outputs, targets)
    num_images = len(labels)
    return {"loss": loss, "num": torch.tensor((labels == 1).sum().item() * num_images)}


def logged_over_a_length_of_no_image_rows(outputs, targets):
    labels, loss = _labels_and_loss(outputs, targets)
    n = len(labels.t())
    return {"loss": loss, "num": torch.tensor((labels == 1).sum().item() / n)}


def logged_over_a_floored_length(outputs, targets):
    labels, loss = _labels_and_loss(outputs, targets)
    n = max(len(labels), 3)
    return {"loss": loss, "num": torch.tensor((labels == 1).sum().item() / n)}


def logged_floored_count(outputs, targets):
    labels, loss = _labels_and_loss(outputs, targets)
    num_images = len(labels)
    num_pos = (labels == 3).sum().item()
    return {"loss": loss, "num": torch.tensor(max(num_pos, 1) / num_images)}


def logged_half_precision(outputs, targets):
    labels, loss = _labels_and_loss(outputs, targets)
    num_images = len(labels)
    return {"loss": loss, "num": torch.tensor((labels == 1).sum().item() / num_images, dtype=torch.float16)}


def logged_branch(outputs, targets):
    labels, loss = _labels_and_loss(outputs, targets)
    num_images = len(labels)
    num_pos = (labels == 1).sum().item()
    return {"loss": loss, "num": torch.tensor(num_pos / num_images if num_pos > 2 else 0.0)}


def test_counts_read_for_logging_over_the_images_split_as_the_group_s():
    """Were declined ("torch.tensor of a number read on the host for logging"): each number is, on
    a group alone, the group's counts over the group's images."""
    for seed, weights in RULE_BATCHES:
        got, want, said = split_outcome(logged_per_image, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        assert set(got) == set(want) and not wrong_companions(got, want), (seed, said)


@pytest.mark.parametrize("body", [logged_local_equal_to_the_images, logged_times_the_images,
                                  logged_over_a_length_of_no_image_rows, logged_over_a_floored_length,
                                  logged_floored_count, logged_branch, logged_half_precision])
def test_a_count_read_for_logging_with_numbers_that_are_no_group_s_declines(body):
    """Near misses: a local equal to the number of images (batch 0), a product with the images'
    length, the length of a dim without images, a floor on the length or on the count (``max``),
    a branch on the count, a half-precision tensor (its rounding is the group's): on a group alone
    other numbers, never given as the batch's."""
    for seed, weights in RULE_BATCHES:
        got, want, said = split_outcome(body, list(rule_batch(seed, weights)), [ROWS, TARGETS])
        assert want and not wrong_companions(got, want), seed
        assert not {"num_real", "num_synthetic"} & set(got) and said, (seed, sorted(got))


# -- a count read on the host used only behind a switch the configuration holds off -----------------
# ESPnet's ``LabelSmoothingLoss``: ``total`` (the non-ignored tokens, ``.item()``) divides only with
# ``normalize_length=True``; held off, the loss is over the batch size and the read reaches nothing


def _smoothed(x, target, normalize_length=False, also=0):
    batch_size = x.size(0)
    x, target = x.reshape(-1, V), target.reshape(-1)
    with torch.no_grad():
        true_dist = torch.full_like(x, 0.1 / (V - 1))
        ignore = target == PAD
        total = len(target) - ignore.sum().item()
        true_dist.scatter_(1, target.masked_fill(ignore, 0).unsqueeze(1), 0.9)
    kl = F.kl_div(torch.log_softmax(x, dim=1), true_dist, reduction="none").masked_fill(ignore.unsqueeze(1), 0).sum()
    denom = total if normalize_length else batch_size
    return kl / denom + also * total if also else kl / denom


def _smoothing_body(**options):
    def body(outputs, targets):
        x, tgt = outputs["perm"][0], torch.stack([t["text"] for t in targets])
        loss = _smoothed(x, tgt, **options)
        return {"loss": loss, "acc": (x.argmax(-1) == tgt).masked_select(tgt != PAD).float().mean()}
    return body


class _Smoothing:
    def __init__(self, normalize_length=False):
        self.normalize_length = normalize_length

    def __call__(self, outputs, targets):
        x = outputs["perm"][0]
        target = torch.stack([t["text"] for t in targets]).reshape(-1)
        ignore = target == PAD
        total = len(target) - ignore.sum().item()
        loss = F.cross_entropy(x.reshape(-1, V), target, reduction="none").masked_fill(ignore, 0).sum()
        return {"loss": loss / (total if self.normalize_length else x.size(0))}


class _SwitchedLater(_Smoothing):
    def configure(self):  # a method other than ``__init__`` may set the switch during a call
        self.normalize_length = False


SMOOTHING_OFF = False


def _global_switch(outputs, targets):
    target = torch.stack([t["text"] for t in targets]).reshape(-1)
    ignore = target == PAD
    total = len(target) - ignore.sum().item()
    loss = F.cross_entropy(outputs["perm"][0].reshape(-1, V), target, reduction="none").masked_fill(ignore, 0).sum()
    return {"loss": loss / (total if SMOOTHING_OFF else outputs["perm"][0].size(0))}


def _rebound_switch(outputs, targets, normalize_length=False):
    target = torch.stack([t["text"] for t in targets]).reshape(-1)
    ignore = target == PAD
    total = len(target) - ignore.sum().item()
    if len(targets) > 8:
        normalize_length = True
    loss = F.cross_entropy(outputs["perm"][0].reshape(-1, V), target, reduction="none").masked_fill(ignore, 0).sum()
    return {"loss": loss / (total if normalize_length else B)}


@pytest.mark.parametrize("body", [_smoothing_body(), _Smoothing(), _global_switch],
                         ids=["parameter default", "attribute set in __init__", "module global"])
def test_a_count_read_only_behind_a_switch_held_off_is_no_read(body):
    """Was declined ("values of the images were read on the host at Tensor.item"): the load of
    ``total`` runs only past a jump on a parameter given False, an attribute only ``__init__``
    sets, a global no code writes; the number reaches nothing."""
    assert_splits(body)


def test_a_count_read_behind_a_switch_that_is_on_splits_exactly_or_declines():
    """The switch on: the count divides the loss, as it did before a switch held off was read
    (here the function's split as the group's token count, ``mode.GroupInt``; the module's
    declines): never the batch's count on a group."""
    outcomes = [outcome(body) for body in (_smoothing_body(normalize_length=True), _Smoothing(normalize_length=True))]
    for got, want, said in outcomes:
        assert want and not wrong_companions(got, want)
        assert set(got) == set(want) or not got and any("read on the host" in m for m in said), said
    assert outcomes[0][0]


@pytest.mark.parametrize("body", [_smoothing_body(also=1), _SwitchedLater(), _rebound_switch],
                         ids=["read also used", "attribute set by another method", "parameter rebound"])
def test_a_count_read_behind_a_switch_that_may_be_on_declines(body):
    """Near misses: the count also added to the loss (``+ 1 * total``), the attribute written by a
    method other than ``__init__``, the parameter rebound in the body: the read may reach a loss
    other than as the group's count, so the call declines."""
    assert_declines(body, ["read on the host"])


def _literal_images_in_a_conditional(outputs, targets):
    target = torch.stack([t["text"] for t in targets]).reshape(-1)
    loss = F.cross_entropy(outputs["perm"][0].reshape(-1, V), target, reduction="none").sum()
    return {"loss": loss / (3 if SMOOTHING_OFF else 5)}


def _literal_in_a_conditional_on_a_parameter(outputs, targets, off=False):
    target = torch.stack([t["text"] for t in targets]).reshape(-1)
    loss = F.cross_entropy(outputs["perm"][0].reshape(-1, V), target, reduction="none").sum()
    return {"loss": loss / (3 if off else 5)}


SWITCH_SET_BY_A_CALL = True


def _switch_from_the_batch(targets):
    global SWITCH_SET_BY_A_CALL
    SWITCH_SET_BY_A_CALL = len(targets) > 4


def _literal_in_a_conditional_on_a_written_global(outputs, targets):
    target = torch.stack([t["text"] for t in targets]).reshape(-1)
    loss = F.cross_entropy(outputs["perm"][0].reshape(-1, V), target, reduction="none").sum()
    return {"loss": loss / (5 if SWITCH_SET_BY_A_CALL else 3)}


def _literal_in_a_conditional_on_the_count(outputs, targets):
    target = torch.stack([t["text"] for t in targets]).reshape(-1)
    loss = F.cross_entropy(outputs["perm"][0].reshape(-1, V), target, reduction="none").sum()
    return {"loss": loss / (5 if len(targets) > 4 else 3)}


@pytest.mark.parametrize("body", [_literal_images_in_a_conditional, _literal_in_a_conditional_on_a_parameter],
                         ids=["module global", "parameter default"])
def test_a_literal_divisor_in_a_conditional_expression_equal_to_the_images_is_no_count(body):
    """Was silently wrong (session 18, helper hybrid): ``loss / (3 if SMOOTHING_OFF else 5)`` on 5
    images was read as ``/ len(targets)``, the group's count (real 3 images: 5/3 x the oracle).
    Both arms are literals and the switch is configuration nothing of the body writes: on a group
    alone the same arm, the same 5."""
    got, want, said = outcome(body)
    assert want and set(got) == set(want), said
    assert got == pytest.approx(want, rel=1e-5)


@pytest.mark.parametrize("body", [_literal_in_a_conditional_on_a_written_global, _literal_in_a_conditional_on_the_count],
                         ids=["global a module function writes", "a test of len(targets)"])
def test_a_literal_divisor_chosen_by_a_switch_of_the_batch_declines(body):
    """Near misses: the switch is a global a function of the module writes (here never called, but
    its value cannot be proven the same on a group's run), or ``len(targets) > 4`` itself: 5 equals
    the images, and on a group alone the other arm may divide. Declined, naming the division or
    the branch; never the batch's arm read as the group's count."""
    got, want, said = outcome(body)
    assert want and got == {}, (got, want)
    assert any("'loss'" in m and ("a division by a number computed" in m or "branch" in m
                                  or "a number chosen by a Python test" in m) for m in said), said


def test_a_count_read_next_to_a_len_that_is_not_the_builtin_declines():
    """``len`` rebound in the body's module (here its globals): ``len(t) - n`` runs another
    function's method on the read number, which may keep it; the call declines."""
    kept = []

    class Keeps:
        def __sub__(self, n):
            kept.append(n)
            return 0

    def fake_len(x):
        return Keeps()

    inner = _global_switch
    body = type(inner)(inner.__code__, {**inner.__globals__, "len": fake_len}, inner.__name__)
    assert_declines(body, ["read on the host"])
    assert kept


# -- a value computed in Python from host reads, returned by a call of one group with every weight 1 ---------
# torchsurv's ``if event.sum().item() == 0: return torch.tensor(0.0)``: the call is then the group's alone,
# so whatever the body computed in Python is the oracle's value


def _zero_without_positives(outputs, targets):
    pos = torch.stack([x["pos"] for x in targets]).float()
    if pos.sum().item() == 0:
        return {"loss": torch.tensor(0.0, requires_grad=True)}
    return {"loss": (_regression(outputs, targets).mean(-1) * pos).sum() / pos.sum()}


def _without_positives(weights):
    """Images 1 and 3 of ``batch()`` (no positives), with ``weights``."""
    outputs, targets = batch()
    keep = [1, 3]
    outputs = {"perm": [p[keep].detach().requires_grad_() for p in outputs["perm"]],
               "reg": outputs["reg"][keep].detach().requires_grad_()}
    return [outputs, [{**targets[i], "loss_weight": w} for i, w in zip(keep, weights, strict=True)]]


def test_a_python_value_of_a_call_of_one_group_with_weights_1_is_the_groups():
    """Was declined ('carries no images' rows, and values of the images were read on the host'):
    both images real with weight 1, the body's ``torch.tensor(0.0)`` is the oracle's."""
    got, want, said = outcome(_zero_without_positives, _without_positives([1.0, 1.0]))
    assert got == want == {"loss_real": 0.0}, (got, want, said)


@pytest.mark.parametrize("weights", [[1.0, 0.5], [0.5, 0.25]], ids=["two groups", "one group, weights not 1"])
def test_a_python_value_of_any_other_call_declines(weights):
    """Near misses: two groups (each alone a call of its own), or one group whose weights are not 1
    (the body might have read them): no companion, the key named."""
    got, want, said = outcome(_zero_without_positives, _without_positives(weights))
    assert want and got == {}, (got, want)
    assert any("key 'loss' carries no images' rows" in m for m in said), said


def _nan_compared(outputs, targets):
    pos = torch.stack([x["pos"] for x in targets])
    e = _regression(outputs, targets)
    m = e.mean(-1)[pos].mean().item()  # NaN: no positives
    return {"loss": e.mean() * (2.0 if m > 0.5 else 1.0)}


def test_a_nan_compared_on_a_call_of_one_group_with_weights_1_gives_the_keys_as_returned():
    """A read number NaN on the batch (an empty mean) is NaN on its one group alone too: that
    comparison cannot be checked, but the call is the group's own, so each key is as returned."""
    got, want, said = outcome(_nan_compared, _without_positives([1.0, 1.0]))
    assert got == pytest.approx(want) and set(want) == {"loss_real"}, (got, want, said)
