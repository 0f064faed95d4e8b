"""Numbers equal by value to a number computed from a size of image rows (``float(bs)``,
``1 / bs`` leave no mark on a plain number, so the capture also declines a number by its value):
where the code executing the op proves the number a constant -- a literal (``0.5 * w``, ``1 - e``,
``e.sum(1)``), a parameter at its default (D-FINE's ``loss_local(..., T=5)``: ``e / T``, ``T ** 2``)
-- it is one, whatever count it equals; where a helper's parameter holds a number its caller
computed from the batch (``helper(e, T=len(targets))``), the helper's arithmetic with it declines.
Each body is compared with the oracle on the ``RULE_BATCHES`` (4, 3 and 2 images; on 2 images
``1 / bs`` is 0.5, ``2 / bs`` is 1, ``2 * bs + 1`` is 5 and its square 25)."""

from __future__ import annotations

import pytest
import torch
from _helpers import RULE_BATCHES, rule_batch, rule_outcome, wrong_companions


def _local(err, T=5):
    """D-FINE's distillation temperature: a parameter with a default, divided by and squared."""
    return (err / T).mean() * (T**2)


def _err(outputs, targets):
    return (outputs["x"] - torch.stack([t["y"] for t in targets])).abs()


def _constants(outputs, targets):
    """``scale = 1 / bs`` (D-FINE's ``batch_scale``) weighs one key; literals and a default
    parameter equal to it, or to other numbers computed from ``bs``, weigh the others."""
    err = _err(outputs, targets)
    bs = outputs["x"].shape[0]
    scale, unit, n = 1 / bs, 2 / bs, bs * 2 + 1
    y = torch.stack([t["y"] for t in targets])
    return {"loss_scaled": err.sum() * scale / unit,  # the group's own 1 / bs and 2 / bs: declines
            "loss_n": err.sum() / float(n * n),  # 25 on 2 images: ``T ** 2`` of the default
            "loss_half": (0.5 * outputs["x"] - 0.5 * y).abs().mean(),
            "loss_one": (1 - err).sum(1).mean(),
            "loss_local": _local(err),
            "loss_local_literal": _local(err, 5)}


def test_literals_and_defaults_equal_to_numbers_computed_from_the_batch_size_stay_constants():
    """Was declined on the batch of 2 images: ``0.5 * x``, ``1 - e``, ``.sum(1)`` and ``e / T``
    with ``T=5`` each met a number equal to ``1 / bs``, ``2 / bs`` or ``2 * bs + 1`` (D-FINE's
    whole call on two of survey 20's batches)."""
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(_constants, rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, said)
        declined = {k.rsplit("_", 1)[0] for k in set(want) - set(got)}
        assert declined <= {"loss_scaled", "loss_n"}, (seed, declined, said)
        assert "loss_scaled" in declined and any("'loss_scaled'" in m for m in said), (seed, said)


def _passed(how):
    def body(outputs, targets):
        err = _err(outputs, targets)
        bs = outputs["x"].shape[0]
        n = bs * 2 + 1
        temperature = {"len": lambda: len(targets) * 2 + 1, "size": lambda: bs * 2 + 1, "float": lambda: float(n),
                       "local": lambda: n}[how]()
        return {"loss_n": err.sum() / float(n), "loss_local": _local(err, temperature)}

    body.__name__ = f"temperature_passed_as_{how}"
    return body


@pytest.mark.parametrize("how", ["len", "size", "float", "local"])
def test_the_same_helper_given_a_number_computed_from_the_batch_declines(how):
    """Near miss of the above: ``T`` passed by the caller as ``len(targets) * 2 + 1``, as a number
    computed from ``bs`` or as its float (5, the default's value, on 2 images): on a group alone
    the caller passes the group's number."""
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(_passed(how), rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, said)
        assert not any(k.startswith("loss_local") for k in got), (seed, got)
        assert any("'loss_local'" in m or "no companions for this call" in m or "dict unchanged" in m
                   for m in said), (seed, said)


def test_a_helpers_parameter_computed_from_a_length_declines_without_any_count_by_value():
    """Was silently wrong: ``helper(err, len(targets) * 2 + 1)`` with no size of image rows read
    (nothing equal by value); the helper's ``err / T`` took the batch's number for every group."""

    def body(outputs, targets):
        return {"loss_local": _local(_err(outputs, targets), len(targets) * 2 + 1)}

    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert want and not got, (seed, got, want)
        assert any("computed from a length of its data" in m for m in said), (seed, said)


def test_a_helpers_parameter_passed_a_literal_or_its_default_splits():
    """Near miss the other way: the helper given a literal, or its default, with no count read."""

    def body(outputs, targets):
        err = _err(outputs, targets)
        return {"loss_default": _local(err), "loss_literal": _local(err, 3), "loss_keyword": _local(err, T=2.0)}

    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert set(got) == set(want) and got == pytest.approx(want, rel=1e-5), (seed, said)


def test_a_literal_and_an_equal_number_computed_from_the_batch_size_in_one_call_declines():
    """``clamp(min=0.5, max=float(bs) / 4)`` on 2 images: both 0.5, the literal proves only itself;
    on a group alone ``max`` is the group's."""

    def body(outputs, targets):
        err = _err(outputs, targets)
        bs = outputs["x"].shape[0]
        scale = 1 / bs
        return {"loss_scaled": err.sum() * scale, "loss_clamped": err.clamp(min=0.5, max=float(bs) / 4).mean()}

    got, want, said = rule_outcome(body, rule_batch(*RULE_BATCHES[2]))
    assert not wrong_companions(got, want), said
    assert not any(k.startswith("loss_clamped") for k in got), (got, said)
    assert any("'loss_clamped'" in m for m in said), said


def _ddf(outputs, targets, scale=lambda bs: 1 / bs):
    """D-FINE's ``loss_ddf``: the matched and unmatched rows' means weighed by the square roots of
    their counts times ``batch_scale = 1 / bs``."""
    x = outputs["x"]
    y = torch.stack([t["y"] for t in targets])
    lm = ((x - y) ** 2).sum(-1).reshape(-1)
    mask = (y[..., 0] > 0.5).reshape(-1)
    batch_scale = scale(x.shape[0])
    num_pos, num_neg = (mask.sum() * batch_scale) ** 0.5, ((~mask).sum() * batch_scale) ** 0.5
    l1 = lm[mask].mean() if mask.any() else 0
    l2 = lm[~mask].mean() if (~mask).any() else 0
    return {"loss_ddf": (l1 * num_pos + l2 * num_neg) / (num_pos + num_neg), "loss_pos": batch_scale * mask.sum()}


def test_a_count_times_one_over_the_batch_size_is_the_count_over_the_groups_own():
    """Was declined: ``mask.sum() * (1 / bs)`` (D-FINE's ``batch_scale``) is ``mask.sum() / bs``, on
    a group alone over the group's images; its square roots weigh two means (``loss_ddf``)."""
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(_ddf, rule_batch(seed, weights))
        assert set(got) == set(want) and got == pytest.approx(want, rel=1e-5), (seed, said)


def _scaled_in_place(factor):
    def body(outputs, targets):
        loss = _err(outputs, targets).sum()
        loss *= factor(outputs["x"].shape[0])
        return {"loss": loss}

    return body


@pytest.mark.parametrize("factor, splits", [
    (lambda bs: 1 / bs, True), (lambda bs: 0.5, True), (lambda bs: 2 / bs, False), (lambda bs: float(bs), False),
    (lambda bs: bs + 1, False), (lambda bs: 1 / (bs + 1), False)],
    ids=["one_over_bs", "literal", "two_over_bs", "float_bs", "bs_plus_1", "one_over_bs_plus_1"])
def test_a_loss_scaled_in_place_by_a_number_computed_from_the_batch_size(factor, splits):
    """``loss *= 1 / bs`` is ``loss /= bs``; ``loss *= float(bs)`` or ``2 / bs`` and the like were
    silently wrong (kept as constants, the batch's number for every group): they decline; a
    literal is a constant."""
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(_scaled_in_place(factor), rule_batch(seed, weights))
        assert not wrong_companions(got, want), (seed, got, want)
        if splits:
            assert set(got) == set(want) and got == pytest.approx(want, rel=1e-5), (seed, said)
        else:
            assert want and not got and any("'loss'" in m for m in said), (seed, said)


@pytest.mark.parametrize("scale", [lambda bs: 2 / bs, lambda bs: 1 / (bs + 1), lambda bs: 1.0 / float(bs)],
                         ids=["two_over_bs", "one_over_bs_plus_1", "one_over_float_bs"])
def test_other_numbers_computed_from_the_batch_size_in_d_fine_s_weights_decline(scale):
    """Near misses of ``1 / bs``: only one over the size itself is its count's reciprocal."""
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(lambda o, t: _ddf(o, t, scale), rule_batch(seed, weights))
        assert want and not got, (seed, got)
        assert any("'loss_ddf'" in m or "dict unchanged" in m for m in said), (seed, said)


class _Bins:
    """A configuration object: ``bins`` is an attribute the code cannot prove a constant."""

    def __init__(self, bins):
        self.bins = bins


def _exponent_of_a_configured_number(bins):
    """D-FINE's ``weighting_function``: ``e ** (2 / (bins - 2))`` (1 for 4 bins, 0.5 for 6) next to
    ``1 / bs`` (1 on one image, 0.5 on two)."""
    cfg = _Bins(bins)

    def body(outputs, targets):
        e = _err(outputs, targets)
        batch_scale = 1 / outputs["x"].shape[0]
        return {"loss": (e ** (2 / (cfg.bins - 2))).sum() * batch_scale, "loss_plain": e.mean()}

    return body


@pytest.mark.parametrize("bins, weights", [(4, [1.0]), (6, [1.0, 1.0])], ids=["one_image", "two_images"])
def test_a_number_equal_to_a_count_splits_where_one_group_holds_every_image_with_weight_1(bins, weights):
    """Was declined (D-FINE's and DEIMv2's whole call on survey 20's batch of one image): the
    exponent 1 (0.5) equals ``1 / bs`` by value; where one group holds every image and every
    weight is 1 the group alone is this very call (``Frame.own_oracle``), so any number is the
    same there, whatever it was computed from."""
    got, want, said = rule_outcome(_exponent_of_a_configured_number(bins), rule_batch(0, weights))
    assert set(got) == set(want) and got == pytest.approx(want, rel=1e-5), said


@pytest.mark.parametrize("bins, weights", [(4, [0.5]), (6, [0.5, 0.5]), (6, [1.0, 0.5])],
                         ids=["one_image_weight_half", "one_group_weights_half", "two_groups"])
def test_the_same_number_declines_where_the_group_alone_is_another_call(bins, weights):
    """Near misses: weights other than 1 (set to 1 on the group alone: a count of rows selected by
    weight would be another there), or two groups: the number equal to ``1 / bs`` declines the key
    it reaches, by its op; the others split."""
    got, want, said = rule_outcome(_exponent_of_a_configured_number(bins), rule_batch(0, weights))
    assert not wrong_companions(got, want), said
    assert {k.rsplit("_", 1)[0] for k in got} == {"loss_plain"}, (got, said)
    assert any("'loss'" in m and "Tensor.pow" in m for m in said), said


class _Weighted(torch.nn.Module):
    """RT-DETR's ``{k: l_dict[k] * self.weight_dict[k] for k in l_dict}`` over ``1 / bs``."""

    def __init__(self, weight, set_in_call=False):
        super().__init__()
        self.weight_dict = {"loss": weight}
        self.set_in_call = set_in_call

    def forward(self, outputs, targets):
        if self.set_in_call:
            self.weight_dict["loss"] = 1 / len(targets)
        found = {"loss": _err(outputs, targets).sum() * (1 / outputs["x"].shape[0])}
        return {k: found[k] * self.weight_dict[k] for k in found}


def _weighted_body(weight, set_in_call=False):
    crit = _Weighted(weight, set_in_call)

    def body(outputs, targets):
        return crit(outputs, targets)

    return body


def test_a_weight_of_a_dict_held_before_the_call_is_no_count_whatever_it_equals():
    """Was declined (D-FINE's ``loss_vfl_aux_1`` on a batch of one image): ``self.weight_dict[k]``,
    0.5, equals ``1 / bs`` on two images; the dict held it before the call (``configured_item``)."""
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(_weighted_body(0.5), rule_batch(seed, weights))
        assert set(got) == set(want) and got == pytest.approx(want, rel=1e-5), (seed, said)


def test_a_weight_the_body_sets_from_the_batch_in_the_call_declines():
    """Near miss: the criterion sets ``self.weight_dict["loss"] = 1 / len(targets)`` in the call: on
    a group alone it is the group's number."""
    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(_weighted_body(0.5, set_in_call=True), rule_batch(seed, weights))
        assert want and not got and not wrong_companions(got, want), (seed, got)
        assert any("'loss'" in m for m in said), (seed, said)


# -- a torch function written in Python that forwards its arguments by keyword ---------------------

TENSOR = torch.Tensor  # a module-level alias of the class: ``TENSOR.stft(x, ...)`` passes ``self`` written


def _window(n):
    return torch.hann_window(n)


def _hop_by_default(x, hop=2):
    return torch.stft(x, 4, hop, 4, _window(4), return_complex=True)


def _local_alias(x, n):
    cls = torch.Tensor
    return cls.stft(x, 2, n, 2, _window(2), return_complex=True)


SPECTRA = {  # (the spectrum of [B, 12] signals, given ``n``, a plain int equal to the number of images)
    # hop 2 literal, the batch of 2 images' count by value (auraloss' ``torch.stft(x, self.fft_size,
    # self.hop_size, ...)`` after ``input.view(bs * chs, 1, -1)``): torch.stft hands it on as ``hop_length=``
    "positional": (lambda x, n: torch.stft(x, 4, 2, 4, _window(4), return_complex=True), True),
    "keyword": (lambda x, n: torch.stft(x, 4, hop_length=2, win_length=4, window=_window(4), return_complex=True), True),
    "method": (lambda x, n: x.stft(4, 2, 4, _window(4), return_complex=True), True),
    "default": (lambda x, n: _hop_by_default(x), True),
    # near misses: the hop is the number of images (on a group alone the group's), next to a literal equal to it
    "count": (lambda x, n: torch.stft(x, 4, n, 4, _window(4), return_complex=True), False),
    "method_count": (lambda x, n: x.stft(4, n, 4, _window(4), return_complex=True), False),
    "class_call": (lambda x, n: torch.Tensor.stft(x, 2, n, 2, _window(2), return_complex=True), False),
    "global_alias": (lambda x, n: TENSOR.stft(x, 2, n, 2, _window(2), return_complex=True), False),
    "local_alias": (lambda x, n: _local_alias(x, n), False),
    "chained_count": (lambda x, n: x.reshape(len(x), -1).stft(2, n, 2, _window(2), return_complex=True), False),
}


@pytest.mark.parametrize("name", SPECTRA)
def test_a_literal_hop_torch_stft_forwards_by_keyword_is_a_constant_and_a_count_declines(name):
    """Was declined (survey 26, auraloss' A-weighted STFT on 4 clips with ``hop_size=4``):
    ``torch.stft`` is written in Python and hands its positional ``hop_length`` to the capture by
    keyword, so the caller's literal was not found where the op received it. Read through the
    function's signature (``self`` before the callee for ``x.stft(...)``, written for
    ``torch.Tensor.stft(x, ...)`` and aliases of the class); a hop that is the batch's count
    (``int(bs)``, equal to the literal next to it) declines."""
    spectrum, splits = SPECTRA[name]

    def body(outputs, targets):
        x = outputs["x"]
        bs = x.shape[0]
        n = int(bs)
        y = torch.stack([t["y"] for t in targets])
        sig, clean = x.reshape(bs * 1, -1), y.reshape(bs * 1, -1)
        return {"loss": (spectrum(sig, n).abs() - spectrum(clean, n).abs()).abs().mean()}

    seed, weights = RULE_BATCHES[2]  # 2 images: the hop 2 equals the count
    got, want, said = rule_outcome(body, rule_batch(seed, weights))
    assert want and not wrong_companions(got, want), (name, said)
    if splits:
        assert set(got) == set(want), (name, said)
    else:
        assert got == {} and any("'loss'" in m and "stft" in m for m in said), (name, got, said)
