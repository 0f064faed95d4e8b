"""Scalar functions of reduced losses (``losssplit/_capture/formulas.py``): perplexity, RMSE, a
pooled scale-invariant log loss, products and quotients of means. Each group's value is the
function of the group's ratios, as the body computes it on the group alone (the oracle); the
window of a meter evaluates it on the window's sums."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from _helpers import RULE_BATCHES, check_rule, companions, logged_warnings, rule_batch, rule_outcome

from losssplit import SplitMeter, companion_of, split_by_source
from losssplit._formula import evaluate, parse, text


def _y(targets):
    return torch.stack([t["y"] for t in targets])


def _labels(targets):
    return torch.stack([t["labels"] for t in targets])


def perplexity(outputs, targets):
    labels = _labels(targets)
    logp = F.log_softmax(outputs["x"], -1).gather(-1, labels[..., None]).squeeze(-1)
    mask = (labels != 0).float()
    return {"loss": -(logp * mask).sum() / mask.sum(), "ppl": torch.exp(-(logp * mask).sum() / mask.sum())}


def rmse(outputs, targets):
    return {"rmse": torch.sqrt(F.mse_loss(outputs["x"], _y(targets)))}


def rmse_plus_eps_methods(outputs, targets):
    return {"rmse": (F.mse_loss(outputs["x"], _y(targets)) + 1e-6).sqrt()}


def pooled_silog(outputs, targets):
    d = outputs["x"].log() - _y(targets).log()
    return {"silog": 10 * torch.sqrt((d**2).mean() - 0.85 * d.mean() ** 2)}


def pooled_silog_with_a_default_lambda(outputs, targets, lam=0.85, scale=10.0):
    """AdaBins' SILog with its coefficients as parameters holding their defaults: constants of the
    call, the same on a group alone."""
    d = outputs["x"].log() - _y(targets).log()
    return {"silog": scale * torch.sqrt((d**2).mean() - lam * d.mean() ** 2)}


def default_coefficients_equal_to_counts(outputs, targets, two=2.0, three=3.0, four=4.0):
    """Defaults equal by value to the batches' image counts (2, 3, 4) and to the rows per image (3):
    still constants, not the counts."""
    m = F.mse_loss(outputs["x"], _y(targets))
    return {"a": two * m ** 2, "b": torch.sqrt(m) * three, "c": four / torch.exp(m) - three * m.sqrt()}


def _silog(outputs, targets, lam=0.85):
    d = outputs["x"].log() - _y(targets).log()
    return 10 * torch.sqrt((d**2).mean() - lam * d.mean() ** 2)


def silog_by_a_helper_given_a_literal(outputs, targets):
    return {"silog": _silog(outputs, targets, lam=0.5)}


def product_and_quotient(outputs, targets):
    l1, l2 = F.l1_loss(outputs["x"], _y(targets)), F.mse_loss(outputs["x"], _y(targets))
    return {"prod": l1 * l2, "quot": l1 / l2}


def log_of_soft_dice(outputs, targets):
    p, y = outputs["x"], _y(targets)
    dice = (2 * (p * y).sum() + 1) / ((p + y).sum() + 1)
    return {"loss_logdice": -torch.log(dice)}


def powers(outputs, targets):
    m = F.mse_loss(outputs["x"], _y(targets))
    return {"a": m ** 0.5, "b": m.pow(2), "c": torch.pow(m, 3), "d": torch.exp(m) - 1}


def psnr(outputs, targets):
    return {"psnr": 10 * torch.log10(1.0 / F.mse_loss(outputs["x"], _y(targets))),
            "psnr_neg": -10 * torch.log10(F.mse_loss(outputs["x"], _y(targets)))}


def function_of_a_sum_of_ratios(outputs, targets):
    ce = F.cross_entropy(outputs["x"].flatten(0, 1), _labels(targets).flatten())
    l1 = F.l1_loss(outputs["x"], _y(targets))
    return {"both": (ce + l1).sqrt(), "ratio": torch.log1p(ce) * l1.sigmoid()}


def pooled_variances(outputs, targets):
    d = outputs["x"].log() - _y(targets).log()
    return {"silog": 10 * torch.sqrt(torch.var(d) + 0.15 * torch.mean(d) ** 2),
            "var0": d.var(unbiased=False), "std": d.std(), "std_c0": torch.std(d, correction=0)}


def pooled_variance_of_masked_pixels(outputs, targets):
    """Pixels above a threshold of every image pooled (as valid depth pixels are)."""
    valid = _y(targets) > 0.3
    g = torch.log(outputs["x"][valid]) - torch.log(_y(targets)[valid])
    return {"loss_silog": torch.sqrt(torch.var(g) + 0.15 * torch.mean(g) ** 2) * 10}


def ratio_of_means_with_eps(outputs, targets):
    """A masked mean over the mask's mean plus eps (census / auto-masked photometric terms), and
    one L1 mean over another plus eps (a contrastive regulariser)."""
    x, y = outputs["x"], _y(targets)
    mask = (y > 0.3).float()
    return {"census": ((x - y).abs() * mask).mean() / (mask.mean() + 1e-6),
            "cr": F.l1_loss(x, y) / (F.l1_loss(x, y.flip(-1)) + 1e-7)}


class Scaled:
    scale = 3.0

    def __call__(self, outputs, targets):
        return {"s": torch.sqrt(F.mse_loss(outputs["x"], _y(targets))) * self.scale}


GAMMA = 0.75


class ConfiguredExponents:
    """Focal-Tversky style ``(1 - score) ** gamma`` and an aggregate ``loss.mean() ** self.gamma``
    (segmentation losses' configured exponents: the same number on a group alone)."""

    gamma = 1.5

    def __call__(self, outputs, targets):
        x, y = outputs["x"], _y(targets)
        tversky = (x * y).sum((0, 2)) / (x * y + 0.5 * x * (1 - y) + 0.5 * (1 - x) * y).sum((0, 2))
        return {"tv": (1 - tversky).mean() ** self.gamma, "ft": (1 - (x * y).sum() / (x + y).sum()) ** GAMMA}


def other_spellings(outputs, targets):
    """The functions under their other names (``torch.special.expit`` is ``torch.sigmoid``)."""
    m = F.mse_loss(outputs["x"], _y(targets))
    return {"expit": torch.special.expit(m), "absolute": torch.absolute(m - 0.1), "log1p": torch.special.log1p(m),
            "expm1": torch.special.expm1(m), "negative": m.negative() + 1, "exp2": torch.exp2(m)}


torch.manual_seed(31)
FROZEN_LAYERS = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.ReLU(), torch.nn.Linear(4, 4),
                                    torch.nn.ReLU()).requires_grad_(False)


def quotients_over_a_frozen_nets_layers(outputs, targets):
    """Contrastive regularisation: per ReLU output of a frozen net (a module global), the L1 of
    the anchor to the positive over its L1 to the negative plus eps, times a literal layer weight,
    added up: the loop runs once per layer, as often on a group alone."""
    a, p, n = outputs["x"], _y(targets), _y(targets).flip(-1)
    total, k = 0, 0
    for layer in FROZEN_LAYERS:
        a, p, n = layer(a), layer(p), layer(n)
        if isinstance(layer, torch.nn.ReLU):
            total = total + (0.5, 0.25)[k] * F.l1_loss(a, p.detach()) / (F.l1_loss(a, n.detach()) + 1e-7)
            k += 1
    return {"cr": 0.1 * total}


class FixedLoops:
    """Functions of ratios in loops whose iterable the code fixes: an attribute tuple of scales
    (five: no count of these batches), ``range(3)``, ``zip`` of a literal range and tuple,
    ``range(len(self.scales))``."""

    scales = (1.0, 0.5, 0.25, 0.125, 0.0625)

    def __call__(self, outputs, targets):
        x, y = outputs["x"], _y(targets)
        s = 0
        for c in self.scales:
            s = s + torch.sqrt(F.mse_loss(x * c, y))
        r = F.l1_loss(x, y)
        for _ in range(3):
            r = r.sqrt()
        d = 0
        for _, _ in zip(range(2), (0.5, 2.0)):
            d = 0.5 * d + torch.exp(-F.l1_loss(x, y))
        q = 0
        for _ in range(len(self.scales)):
            q = q + F.l1_loss(x, y) / (F.mse_loss(x, y) + 1e-7)
        return {"s": s, "r": r, "d": d, "q": q}


def in_place(outputs, targets):
    """Functions of ratios written in place, once per call: ``s.mul_(2.0)``, ``s += l1``, ``s /= 4``."""
    x, y = outputs["x"], _y(targets)
    s = torch.log1p(F.mse_loss(x, y))
    s.mul_(2.0)
    s += F.l1_loss(x, y)
    s /= 4
    return {"s": s}


class _Resolution(torch.nn.Module):
    def __init__(self, scale: float) -> None:
        super().__init__()
        self.scale = scale

    def forward(self, x, y):
        x = x * self.scale  # inline: the frame of a Python helper called here is not located (at a call's cache)
        return torch.norm(y - x, p="fro") / torch.norm(x, p="fro") + F.l1_loss(x, y)


class RunningTotalOverResolutions(torch.nn.Module):
    """A multi-resolution loss (auraloss' ``MultiResolutionSTFTLoss`` is so written): per
    resolution of an ``nn.ModuleList`` a quotient of full norms plus a mean, added in place into a
    running total started at 0.0, then divided in place by ``len`` of the list (three: no count of
    these batches, and the same on a group alone)."""

    def __init__(self) -> None:
        super().__init__()
        self.resolutions = torch.nn.ModuleList(_Resolution(c) for c in (1.0, 0.5, 0.25))

    def forward(self, outputs, targets):
        x, y = outputs["x"], _y(targets)
        total = 0.0
        for f in self.resolutions:
            total += f(x, y)
        total /= len(self.resolutions)
        return {"s": total}


class RunningTotalOverAsManyResolutionsAsImages(RunningTotalOverResolutions):
    """As many resolutions as images of the first batch (4): a ModuleList is built before the
    call, so its length is no count of the images even where it equals one."""

    def __init__(self) -> None:
        super().__init__()
        self.resolutions.append(_Resolution(2.0))


def clamped_means(outputs, targets):
    """trl's KTO batch KL ``(kl_logps - ref_kl).mean().clamp(min=0).detach()`` and the other
    spellings of a clamp by number literals, also of a mean and a ratio of data (a metric): on the
    group alone its own value, clamped. The
    differences lie in (-0.8, 0.8), their means near 0, so every bound here clamps some group of
    the rule batches and not others (``test_clamped_means_clamp_some_groups``)."""
    m = (outputs["x"] - _y(targets)).mean()
    rmse = torch.sqrt(F.mse_loss(outputs["x"], _y(targets)))
    hit = (outputs["x"] - _y(targets)).abs() < 0.2  # data: a hit rate and a ratio of sums of it, clamped
    return {"kl": m.clamp(min=0).detach(), "lo": torch.clamp(m, min=0.01), "hi": m.clamp(max=-0.01),
            "both": m.clip(-0.02, 0.02), "floor": torch.clamp_min(m, 0.0), "root": rmse.clamp(max=0.3),
            "hits": hit.float().mean().clamp(min=0.4), "rate": (hit.sum() / (hit.sum() + 3.0)).clamp(max=0.7)}


def over_a_clamped_rate(outputs, targets):
    """A loss over a clamped mean of data (the share of targets over 0.5, at least 0.45): on the
    group alone over its own clamped share. Was silently wrong on the 2-image batch (the clamp was
    recorded as a normaliser's, which a mean has none of, and the share divided unclamped)."""
    n = (_y(targets) > 0.5).float().mean().clamp(min=0.45)
    return {"sum": (outputs["x"] - _y(targets)).abs().sum() / n, "mean": (outputs["x"] - _y(targets)).abs().mean() / n}


@pytest.mark.parametrize("body", [other_spellings, perplexity, clamped_means, over_a_clamped_rate, rmse, rmse_plus_eps_methods, pooled_silog,
                                  pooled_silog_with_a_default_lambda, default_coefficients_equal_to_counts,
                                  silog_by_a_helper_given_a_literal, product_and_quotient,
                                  log_of_soft_dice, powers, psnr, function_of_a_sum_of_ratios, pooled_variances,
                                  pooled_variance_of_masked_pixels, ratio_of_means_with_eps, Scaled(),
                                  ConfiguredExponents(), quotients_over_a_frozen_nets_layers, FixedLoops(), in_place,
                                  RunningTotalOverResolutions(), RunningTotalOverAsManyResolutionsAsImages()],
                         ids=lambda b: getattr(b, "__name__", type(b).__name__))
def test_functions_of_ratios_follow_the_oracle(body):
    check_rule(body, "")


def test_clamped_means_clamp_some_groups():
    """``clamped_means`` is no identity on the rule batches: each key's companion is its bound on
    some group and not on another (so a companion of the unclamped mean would differ: for the
    hit rate and the ratio of data, clamped as if normalisers, it did, silently)."""
    bounds = {"kl": [0.0], "lo": [0.01], "hi": [-0.01], "both": [-0.02, 0.02], "floor": [0.0], "root": [0.3],
              "hits": [0.4], "rate": [0.7]}
    seen: dict[str, set[bool]] = {k: set() for k in bounds}
    for seed, weights in RULE_BATCHES:
        got, want, _ = rule_outcome(clamped_means, rule_batch(seed, weights))
        assert got == pytest.approx(want, rel=1e-6) and set(got) == set(want)
        for name, value in got.items():
            key = name.rsplit("_", 1)[0]
            seen[key].add(any(value == pytest.approx(b, abs=1e-7) for b in bounds[key]))
    assert all(v == {True, False} for v in seen.values()), seen


def test_a_clamped_mean_over_a_window_clamps_the_pooled_mean():
    """Real rows -1, -1 (clamped to 0) on the first call and 3, 3 on the second: the window clamps
    the pooled mean (-2 + 6) / 4 = 1 (the mean of the two clamped values would be 1.5); synthetic
    2, 2 then 0, 0: 1."""

    @split_by_source
    def criterion(d, targets):
        return {"kl": d.mean().clamp(min=0)}

    first = criterion(torch.tensor([[-1.0, -1.0], [2.0, 2.0]]), [{"loss_weight": 1.0}, {"loss_weight": 0.5}])
    assert companions(first) == {"kl_real": 0.0, "kl_synthetic": 2.0}
    assert companion_of(first["kl_real"]).formula == "max(p0,c0.0)"
    meter = SplitMeter()
    meter.update(first)
    meter.update(criterion(torch.tensor([[3.0, 3.0], [0.0, 0.0]]), [{"loss_weight": 1.0}, {"loss_weight": 0.5}]))
    window = meter.compute()
    assert window["kl_real"] == pytest.approx(1.0) and window["kl_synthetic"] == pytest.approx(1.0)


def _clamped_at_a_count(outputs, targets):
    return {"kl": (outputs["x"] - _y(targets)).mean().clamp(min=0.01 * len(targets))}


def _clamped_at_a_weight(outputs, targets):
    return {"kl": (outputs["x"] - _y(targets)).mean().clamp(min=targets[0]["loss_weight"] - 1.0)}


def _clamped_at_a_local(outputs, targets):
    """A bound held by a local stored once from a literal: proven constant (s40, session 32), it
    clamps as the literal does (it declined before)."""
    floor = 0.0
    return {"kl": (outputs["x"] - _y(targets)).mean().clamp(min=floor)}


def test_a_mean_clamped_at_a_local_literal_follows_the_oracle():
    check_rule(_clamped_at_a_local, "")


def _clamped_at_a_local_count(outputs, targets):
    floor = 0.01 * len(targets)
    return {"kl": (outputs["x"] - _y(targets)).mean().clamp(min=floor)}


def _clamped_at_a_tensor(outputs, targets):
    return {"kl": (outputs["x"] - _y(targets)).mean().clamp(min=torch.zeros(()))}


def _clamped_again_per_image(outputs, targets):
    s = (outputs["x"] - _y(targets)).mean()
    for _ in targets:
        s = s.clamp(min=0.01) - 0.01
    return {"kl": s}


def _less_the_batch_kl(outputs, targets):
    """KTO's loss: each row less the batch's clamped KL, which on a group alone is the group's."""
    d = (outputs["x"] - _y(targets)).mean((1, 2))
    kl = (outputs["x"] * 2 - _y(targets)).mean().clamp(min=0).detach()
    return {"loss": (1 - torch.sigmoid(d - kl)).mean()}


def _local_factor(outputs, targets):
    c = float(len(targets))
    return {"s": torch.sqrt(F.mse_loss(outputs["x"], _y(targets))) * c}


def _silog_given_a_count(outputs, targets):
    """The helper's ``lam`` is what the body passes: the image count over 8, another on a group."""
    return {"silog": _silog(outputs, targets, lam=len(targets) / 8)}


def _default_rebound_from_the_batch(outputs, targets, lam=0.85):
    lam = lam * len(targets) / 4  # the parameter no longer holds its default
    return {"s": torch.sqrt(F.mse_loss(outputs["x"], _y(targets))) * lam}


def _default_rebound_in_a_branch(outputs, targets, c=2.0):
    if len(targets) > 2:
        c = float(len(targets))
    m = F.mse_loss(outputs["x"], _y(targets))
    return {"s": c * m ** 2}


def _local_exponent(outputs, targets):
    p = len(targets)
    return {"s": F.mse_loss(outputs["x"], _y(targets)) ** p}


def _local_dividend(outputs, targets):
    n = float(len(targets))
    return {"s": torch.log10(n / F.mse_loss(outputs["x"], _y(targets)))}


def _repeated_in_a_loop(outputs, targets):
    total = 0
    for _ in targets:
        total = total + torch.exp(F.mse_loss(outputs["x"], _y(targets)))
    return {"s": total}


def _python_sum_of_functions(outputs, targets):
    x, y = outputs["x"], _y(targets)
    return {"s": sum(torch.sqrt(f(x, y)) for f in (F.l1_loss, F.mse_loss))}


def _multiplied_in_a_while_loop(outputs, targets):
    total, i = torch.sqrt(F.mse_loss(outputs["x"], _y(targets))), 1
    while i < len(targets):  # on 3.11 a while loop closes with POP_JUMP_BACKWARD_IF_TRUE
        total = total * torch.sqrt(F.mse_loss(outputs["x"], _y(targets)))
        i += 1
    return {"s": total}


def _times(a, b):
    return a * b


def _multiplied_by_a_helper_in_a_loop(outputs, targets):
    total = torch.sqrt(F.mse_loss(outputs["x"], _y(targets)))
    for _ in targets[1:]:
        total = _times(total, torch.sqrt(F.l1_loss(outputs["x"], _y(targets))))
    return {"s": total}


def _recursive_product(outputs, targets):
    def product(n):
        rmse = torch.sqrt(F.mse_loss(outputs["x"], _y(targets)))
        return rmse if n == 1 else product(n - 1) * rmse

    return {"s": product(len(targets))}


def _root_taken_per_image(outputs, targets):
    s = F.mse_loss(outputs["x"], _y(targets))
    for _ in targets:
        s = s.sqrt()
    return {"s": s}


def _literal_factor_per_image(outputs, targets):
    s = torch.sqrt(F.mse_loss(outputs["x"], _y(targets)))
    for _ in targets:
        s = s * 2.0
    return {"s": s}


def _scaled_in_place_per_image(outputs, targets):
    s = torch.log1p(F.mse_loss(outputs["x"], _y(targets)))
    for _ in targets:
        s.mul_(2.0)
    return {"s": s}


def _added_to_in_place_per_image(outputs, targets):
    s = torch.log1p(F.mse_loss(outputs["x"], _y(targets)))
    for _ in targets:
        s += torch.sqrt(F.l1_loss(outputs["x"], _y(targets)))
    return {"s": s}


def _total_over_the_length_of_a_local_list(outputs, targets):
    x, y = outputs["x"], _y(targets)
    total = 0.0
    parts = [t["y"] for t in targets]  # as many as the images
    for c in (1.0, 0.5):
        total += torch.norm(y - x * c, p="fro") / torch.norm(x * c, p="fro")
    total /= len(parts)
    return {"s": total}


class _TotalOverAListAttribute:
    """A list attribute's length: a list may change (nothing proves its length)."""

    scales: list | tuple = [1.0, 0.5]

    def _keep(self, targets):
        pass

    def __call__(self, outputs, targets):
        self._keep(targets)
        x, y = outputs["x"], _y(targets)
        total = 0.0
        for c in (1.0, 0.5):
            total += torch.norm(y - x * c, p="fro") / torch.norm(x * c, p="fro")
        total /= len(self.scales)
        return {"s": total}


class _TotalOverAModuleListGrownPerImage(torch.nn.Module):
    """A ModuleList appended to once per image during the call: as long as the images."""

    def __init__(self) -> None:
        super().__init__()
        self.heads = torch.nn.ModuleList()

    def _reset(self) -> None:
        self.heads = torch.nn.ModuleList()

    def forward(self, outputs, targets):
        self._reset()
        x, y = outputs["x"], _y(targets)
        total = 0.0
        for c in (1.0, 0.5):
            total += torch.norm(y - x * c, p="fro") / torch.norm(x * c, p="fro")
        for _ in targets:
            self.heads.append(torch.nn.Identity())
        total /= len(self.heads)
        return {"s": total}


def _variance_over_some_dims(outputs, targets):
    return {"s": outputs["x"].var(0, unbiased=False).mean()}  # each element's spread across the images


class _ExponentSetFromTheBatch:
    def __call__(self, outputs, targets):
        self.g = 1.0 / len(targets)  # an attribute, but written by the body from the batch
        return {"s": F.mse_loss(outputs["x"], _y(targets)) ** self.g}


def _local_exponent_of_per_class_terms(outputs, targets):
    x, y = outputs["x"], _y(targets)
    p = len(targets)
    return {"s": (1 - (x * y).sum((0, 2)) / (x + y).sum((0, 2))).mean() ** p}


LIST_SCALES = [1.0, 0.5]  # a list: the body may change it


def _added_over_a_global_list(outputs, targets):
    s = 0
    for c in LIST_SCALES:
        s = s + torch.sqrt(F.mse_loss(outputs["x"] * c, _y(targets)))
    return {"s": s}


def _added_over_range_of_the_images(outputs, targets):
    s = 0
    for _ in range(len(targets)):
        s = s + torch.sqrt(F.mse_loss(outputs["x"], _y(targets)))
    return {"s": s}


def _added_in_a_loop_left_by_break(outputs, targets):
    s = 0
    for k in range(5):
        s = s + torch.sqrt(F.mse_loss(outputs["x"], _y(targets)))
        if k + 1 >= len(targets):  # leaves after as many terms as images
            break
    return {"s": s}


class _AttributeTupleSetFromTheBatch:
    def __call__(self, outputs, targets):
        self.scales = tuple(1.0 for _ in targets[:2])  # an attribute the body sets: on a group alone, fewer
        s = 0
        for c in self.scales:
            s = s + torch.sqrt(F.mse_loss(outputs["x"] * c, _y(targets)))
        return {"s": s}


class _RangeOfAnAttributeTupleSetFromTheBatch:
    def _keep(self, targets):
        self.scales = tuple(0.5 for _ in targets)  # by a helper: the body's code writes no attribute

    def __call__(self, outputs, targets):
        self._keep(targets)
        r = F.mse_loss(outputs["x"], _y(targets))
        for _ in range(len(self.scales)):
            r = r.sqrt()
        return {"s": r}


class _AttributeCountSetFromTheBatch:
    def _count(self, targets):
        self.n = len(targets)

    def __call__(self, outputs, targets):
        self._count(targets)
        r = F.mse_loss(outputs["x"], _y(targets))
        for _ in range(self.n):
            r = r.sqrt()
        return {"s": r}


class _TotalOverATupleAttributeSetFromTheBatch(_TotalOverAListAttribute):
    """As many scales as images, a tuple set by a helper: on a group alone, the group's count."""

    _keep = _RangeOfAnAttributeTupleSetFromTheBatch._keep


def _rooted_in_a_comprehension(outputs, targets):
    return {"s": [torch.sqrt(F.mse_loss(outputs["x"], _y(targets))) for _ in range(2)][0] * torch.sqrt(
        F.l1_loss(outputs["x"], _y(targets))) + sum([torch.exp(F.l1_loss(outputs["x"], _y(targets))) for _ in range(2)])}


DECLINED = {
    "a variance across the images": (_variance_over_some_dims, "var"),
    # the warning names the power, not the sum that made the per-class terms
    "an exponent held by a local name on per-class terms": (_local_exponent_of_per_class_terms, "Tensor.pow"),
    "an attribute exponent the body sets from the image count": (_ExponentSetFromTheBatch(), "Tensor.pow"),
    # the number of images, a weight: a local name may hold anything computed from the batch
    "a local number times a function of ratios": (_local_factor, "Tensor.mul"),
    # a parameter holding what the calling code passes (a count), or rebound from the batch
    "a helper's coefficient passed as a count of the images": (_silog_given_a_count, "Tensor.mul"),
    "a default parameter rebound from the image count": (_default_rebound_from_the_batch, "Tensor.mul"),
    "a default parameter rebound in a branch on the image count": (_default_rebound_in_a_branch, "Tensor.mul"),
    "an exponent held by a local name": (_local_exponent, "pow"),
    "a local number over a reduced loss": (_local_dividend, "__rdiv__"),
    # on a group alone the loop runs once per image of the group
    "a function of a ratio added per image": (_repeated_in_a_loop, "Tensor.add"),
    "functions of ratios added by Python's sum": (_python_sum_of_functions, "Tensor.add"),
    # were wrong: the loop or the write was not seen
    "functions of ratios multiplied in a while loop": (_multiplied_in_a_while_loop, "Tensor.mul"),
    "functions of ratios multiplied by a helper called in a loop": (_multiplied_by_a_helper_in_a_loop, "Tensor.mul"),
    "functions of ratios multiplied in a recursion over the images": (_recursive_product, "Tensor.mul"),
    "a root taken again per image": (_root_taken_per_image, "Tensor.sqrt"),
    "a literal factor applied again per image": (_literal_factor_per_image, "Tensor.mul"),
    "a function of a ratio scaled in place per image": (_scaled_in_place_per_image, "Tensor.mul_"),
    "a function of a ratio added to in place per image": (_added_to_in_place_per_image, "Tensor.add_"),
    # a divisor ``len(x)`` of a container the code does not fix (as many as the images, or may change)
    "a running total over the length of a local list of the images'": (_total_over_the_length_of_a_local_list,
                                                                       "Tensor.div_"),
    "a running total over the length of a list attribute": (_TotalOverAListAttribute(), "Tensor.div_"),
    "a running total over a ModuleList appended to per image": (_TotalOverAModuleListGrownPerImage(), "Tensor.div_"),
    "a running total over a tuple attribute a helper sets from the batch": (
        _TotalOverATupleAttributeSetFromTheBatch(), "Tensor.div_"),
    # a loop the code does not fix: a list (the body may change it), a range of the images, a
    # loop left by ``break``, numbers the body sets on an attribute, or a helper sets (as many as
    # the images)
    "functions of ratios added over a global list": (_added_over_a_global_list, "Tensor.add"),
    "functions of ratios added over a range of the images": (_added_over_range_of_the_images, "Tensor.add"),
    "functions of ratios added in a loop left by break": (_added_in_a_loop_left_by_break, "Tensor.add"),
    "functions of ratios added over an attribute tuple the body sets": (_AttributeTupleSetFromTheBatch(), "Tensor.add"),
    "a root taken over a range of an attribute set from the batch": (_AttributeCountSetFromTheBatch(), "Tensor.sqrt"),
    "a root taken over the range of a length of an attribute tuple set from the batch": (
        _RangeOfAnAttributeTupleSetFromTheBatch(), "Tensor.sqrt"),
    "functions of ratios added by sum() of a comprehension": (_rooted_in_a_comprehension, "Tensor.add"),
    # a clamp's bound the body computes (a count, a weight: the batch's), held by a local, a tensor; a
    # clamp repeated per image; a clamped mean of the batch subtracted from each row (mixes the images)
    "a mean clamped at a count of the images": (_clamped_at_a_count, "Tensor.clamp"),
    "a mean clamped at a weight": (_clamped_at_a_weight, "Tensor.clamp"),
    "a mean clamped at a local number computed from the count": (_clamped_at_a_local_count, "Tensor.clamp"),
    "a mean clamped at a tensor": (_clamped_at_a_tensor, "Tensor.clamp"),
    "a mean clamped again per image": (_clamped_again_per_image, "Tensor.clamp"),
    "rows less the batch's clamped mean": (_less_the_batch_kl, "Tensor.sub"),
}


@pytest.mark.parametrize("case", list(DECLINED))
def test_numbers_and_repeats_an_expression_cannot_carry_decline(case):
    body, op = DECLINED[case]
    check_rule(body, op, declines=True)


def test_perplexity_by_hand_and_over_a_window():
    """Token log-probabilities given by hand: real image 0 has 3 tokens (-1, -2, -3), synthetic
    image 1 has 1 token (-4); perplexity exp(mean NLL): real e^2, synthetic e^4; a window of two
    calls pools the NLL sums and the token counts before the exp."""

    @split_by_source
    def criterion(logp, targets):
        mask = torch.stack([t["mask"] for t in targets])
        return {"loss": -(logp * mask).sum() / mask.sum(), "ppl": torch.exp(-(logp * mask).sum() / mask.sum())}

    logp = torch.tensor([[-1.0, -2.0, -3.0], [-4.0, 0.0, 0.0]], requires_grad=True)
    targets = [{"mask": torch.tensor([1.0, 1.0, 1.0]), "loss_weight": 1.0},
               {"mask": torch.tensor([1.0, 0.0, 0.0]), "loss_weight": 0.5}]
    out = criterion(logp, targets)
    assert torch.equal(out["ppl"], torch.exp(torch.tensor(10.0 / 4)))
    assert companions(out)["ppl_real"] == pytest.approx(math.exp(2.0))
    assert companions(out)["ppl_synthetic"] == pytest.approx(math.exp(4.0))
    record = companion_of(out["ppl_real"])
    assert record is not None and record.formula == "exp(p0)" and record.parts == ((6.0, 3.0),)
    second = criterion(torch.tensor([[-6.0, 0.0, 0.0]], requires_grad=True),
                       [{"mask": torch.tensor([1.0, 0.0, 0.0]), "loss_weight": 1.0}])
    meter = SplitMeter()
    meter.update(out)
    meter.update(second)
    window = meter.compute()
    assert window["ppl_real"] == pytest.approx(math.exp((6.0 + 6.0) / 4))  # (1 + 2 + 3 + 6) / 4 tokens
    assert window["ppl_synthetic"] == pytest.approx(math.exp(4.0))
    assert window["loss_real"] == pytest.approx(3.0)


def test_expression_text_round_trips_and_evaluates():
    expr = ("mul", ("c", 10.0), ("sqrt", ("sub", ("p", 0), ("mul", ("c", 0.85), ("pow", ("p", 1), 2.0)))))
    assert parse(text(expr)) == expr
    assert evaluate(expr, [5.0, 2.0]) == pytest.approx(10 * math.sqrt(5 - 0.85 * 4))
    assert math.isnan(evaluate(("sqrt", ("p", 0)), [-1.0]))
    assert math.isnan(evaluate(("log", ("p", 0)), [0.0]))
    assert evaluate(("exp", ("p", 0)), [1e6]) == math.inf
    clamped = ("min", ("max", ("p", 0), ("c", 0.0)), ("c", 1.0))  # ``clip(p0, 0, 1)``
    assert parse(text(clamped)) == clamped and text(clamped) == "min(max(p0,c0.0),c1.0)"
    assert [evaluate(clamped, [v]) for v in (-2.0, 0.5, 3.0)] == [0.0, 0.5, 1.0]
    assert math.isnan(evaluate(clamped, [math.nan]))  # as torch.clamp: NaN stays NaN
    for bad in ("exp(p0", "eval(p0)", "pow(p0,p1)", "add(p0)", "cnan", "p0)"):
        with pytest.raises(ValueError):
            parse(bad)


def test_pooled_variance_over_a_window_is_the_variance_of_the_windows_elements():
    """Three calls whose values have different centres (0, 5, -3): a window's biased variance
    (and standard deviation) of each group is that of all the group's elements of the window --
    each call's ratios are moments of the raw values, not of values less the call's own mean
    (was wrong: 1.0 against 9.0 here)."""

    @split_by_source
    def criterion(x, targets):
        return {"v": torch.var(x, correction=0), "s": torch.std(x, unbiased=False)}

    g = torch.Generator().manual_seed(0)
    meter, seen = SplitMeter(), {"real": [], "synthetic": []}
    for images, centre in ((3, 0.0), (2, 5.0), (4, -3.0)):
        x = (torch.randn(images, 5, generator=g) + centre).requires_grad_()
        targets = [{"loss_weight": 1.0 if b % 2 == 0 else 0.5} for b in range(images)]
        meter.update(criterion(x, targets))
        for b in range(images):
            seen["real" if b % 2 == 0 else "synthetic"].append(x[b].detach().double())
    window = meter.compute()
    for group, values in seen.items():
        pooled = torch.cat(values)
        assert window[f"v_{group}"] == pytest.approx(pooled.var(correction=0).item(), rel=1e-9)
        assert window[f"s_{group}"] == pytest.approx(pooled.std(correction=0).item(), rel=1e-9)


# -- one-element tensors of constants of the body in an expression (torchmetrics' PSNR) -----------


def psnr_pooled(outputs, targets):
    """torchmetrics' ``peak_signal_noise_ratio`` without ``dim``, its code reproduced: ``2 *
    log(tensor(float(data_range))) - log(sse / tensor(numel))``, times ``10 / log(tensor(base))``."""
    y = _y(targets)
    sse = torch.sum(torch.pow(outputs["x"] - y, 2))
    num_obs = torch.tensor(y.numel())
    data_range = torch.tensor(1.0)
    psnr = (2 * torch.log(data_range) - torch.log(sse / num_obs)) * (10 / torch.log(torch.tensor(10.0)))
    return {"loss_psnr": -psnr.mean()}


def constant_tensor_functions(outputs, targets):
    e = (outputs["x"] - _y(targets)).abs()
    c = torch.tensor(0.3).float()
    return {"loss_exp": torch.sqrt(e.mean()) * torch.exp(c), "loss_sub": torch.tensor(5.0) - torch.log(e.mean()) / 2,
            "loss_div": torch.log(e.mean()) / (torch.sigmoid(c) + 2)}


def psnr_of_a_list_tensor(outputs, targets):
    """NeRF's ``-10 * log(mse) / log(torch.tensor([10.0]))``: a [1] tensor of a constant, the
    PSNR [1] until ``squeeze``."""
    mse = torch.mean((outputs["x"] - _y(targets)) ** 2)
    return {"psnr": (-10.0 * torch.log(mse) / torch.log(torch.tensor([10.0]))).squeeze()}


@pytest.mark.parametrize("body", [psnr_pooled, constant_tensor_functions, psnr_of_a_list_tensor])
def test_one_element_tensors_of_the_body_s_constants_are_constants_of_an_expression(body):
    check_rule(body, "")


def _log_mean(outputs, targets):
    return torch.log((outputs["x"] - _y(targets)).abs().mean())


def _written_constant():
    c = torch.tensor(0.3)
    c += 1
    return c


NEAR_MISSES = {  # a one-element tensor in an expression that is no constant of the body
    "count": lambda o, t: torch.exp(torch.tensor(float(len(t)))),
    "from_length": lambda o, t: torch.tensor(len(t) * 0.7),  # equal to no count
    "reciprocal": lambda o, t: torch.tensor(1.0 / len(t)),
    "weight": lambda o, t: torch.tensor(t[-1]["loss_weight"]),  # 0.5 on batches 1 and 2
    "read": lambda o, t: torch.tensor(float(_y(t).max())),
    "written": lambda o, t: _written_constant(),
    # in a list of one (NeRF's ``torch.tensor([10.0])``): the same numbers
    "count_in_a_list": lambda o, t: torch.log(torch.tensor([float(len(t))])),
    "weight_in_a_list": lambda o, t: torch.tensor([t[-1]["loss_weight"]]),
    "read_in_a_list": lambda o, t: torch.tensor([float(_y(t).max())]),
    "two_numbers": lambda o, t: torch.tensor([10.0, 10.0]).sum(),  # no one-element tensor made of a constant
}


@pytest.mark.parametrize("made", NEAR_MISSES.values(), ids=NEAR_MISSES)
def test_tensors_of_counts_weights_reads_or_written_are_no_constants_of_an_expression(made):
    """Near misses of the constants above: a number made from the number of images, computed from
    it, its reciprocal, the last image's weight, a value read on the host from the batch, a
    constant tensor written in place: declined (none is the same on a group alone; the weight
    only where it is not 1), never given with the batch's number."""
    from _helpers import RULE_BATCHES, rule_batch, rule_outcome, wrong_companions

    def body(outputs, targets):
        return {"loss": _log_mean(outputs, targets) * made(outputs, targets)}

    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert want and not wrong_companions(got, want), seed
        # (``two_numbers``: since s52, session 38, a vector of constants summed is a constant, exact)
        if made is not NEAR_MISSES["two_numbers"] and (
                made not in (NEAR_MISSES["weight"], NEAR_MISSES["weight_in_a_list"]) or weights[-1] != 1.0):
            assert got == {} and said, (seed, got)


def test_a_coefficient_the_caller_computes_from_the_batch_declines():
    """The decorated body's own ``lam`` passed by its caller as a count of the images: no constant
    of the call (on a group alone it would be the group's). At its default it splits as the oracle
    (``test_functions_of_ratios_follow_the_oracle``); what the body's caller passes is not read,
    a literal included (declined too)."""
    criterion = split_by_source()(pooled_silog_with_a_default_lambda)
    with logged_warnings() as said:  # one warning per criterion and key
        for seed, weights in RULE_BATCHES:
            outputs, targets = rule_batch(seed, weights)
            out = criterion(outputs, targets, lam=len(targets) / 8)
            assert not companions(out), (seed, companions(out))
            assert companions(criterion(outputs, targets))  # at its default: given
    assert any("'silog'" in m and "Tensor.mul" in m for m in said), said


def _root_of_the_batch_sum_over_the_images(outputs, targets):
    """HistoGAN's colour loss: ``c * sqrt(d.sum()) / B`` with B read as ``x.shape[0]``."""
    d = (outputs["x"] - _y(targets)) ** 2
    return {"hist": (1 / 2 ** 0.5) * torch.sqrt(d.sum()) / outputs["x"].shape[0]}


def _function_of_a_mean_times_the_images(outputs, targets):
    x = outputs["x"]
    return {"exp": torch.exp(F.mse_loss(x, _y(targets))) * x.size(0),
            "front": x.shape[0] * torch.sqrt((x - _y(targets)).abs().sum())}


@pytest.mark.parametrize("body", [_root_of_the_batch_sum_over_the_images, _function_of_a_mean_times_the_images])
def test_a_function_of_ratios_times_or_over_the_number_of_images_follows_the_oracle(body):
    """On a group alone the body scales the function of its ratios by the group's count of images:
    the count is a ratio of the expression (a sum of ones over the images' rows). Was declined."""
    check_rule(body, "")


def _count_over_a_root(outputs, targets):
    return {"inv": outputs["x"].shape[0] / torch.sqrt(((outputs["x"] - _y(targets)) ** 2).sum())}


def _root_over_the_count_less_one(outputs, targets):
    d = ((outputs["x"] - _y(targets)) ** 2).sum()
    return {"hist": torch.sqrt(d) / (outputs["x"].shape[0] - 1)}


def _root_over_a_count_of_other_rows(outputs, targets):
    x = outputs["x"]
    return {"hist": torch.sqrt(((x - _y(targets)) ** 2).sum()) / x.shape[1]}


def _root_over_the_count_of_a_batch_wide_maximum(outputs, targets):
    x = outputs["x"]
    return {"hist": torch.sqrt(((x - _y(targets)) ** 2).sum()) * x.detach().max() / x.shape[0]}


@pytest.mark.parametrize("body, op", [(_count_over_a_root, "torch.sqrt"), (_root_over_the_count_less_one, "Tensor.div"),
                                      (_root_over_a_count_of_other_rows, "Tensor.div"),
                                      (_root_over_the_count_of_a_batch_wide_maximum, "Tensor.max")],
                         ids=lambda v: getattr(v, "__name__", v))
def test_a_function_of_ratios_with_other_counts_declines(body, op):
    """Near misses: the count divided by the expression, a number computed from the count, a size
    of a dim of no images (a constant the split does not prove), a factor mixing the images."""
    check_rule(body, op, declines=True)
