"""Returned metrics of the images' data (shares, counts, accuracies built from predictions by a
comparison): their companions are the body's value on the group's images alone, as a loss's are;
data sums in arithmetic that the capture follows only as a normaliser's decline, naming the key.
Each body is compared with the oracle on the ``RULE_BATCHES``."""

from __future__ import annotations

import torch
from _helpers import check_rule


def _hits(outputs, targets):
    y = torch.stack([t["y"] for t in targets])
    err = (outputs["x"] - y).abs()
    return err, (err < 0.3).float(), torch.tensor([t["loss_weight"] for t in targets])


def test_metrics_of_the_images_data_split_as_the_oracle():
    """A share (``mean``), a weighted share with the weights set to 1, a percentage, one minus a
    share, a count, a share over a valid count, and a loss next to them."""

    def body(outputs, targets):
        err, hit, w = _hits(outputs, targets)
        valid = (outputs["x"].detach() > 0.2).float()
        return {"loss": err.mean(), "share": hit.mean(), "weighted": (hit * w[:, None, None]).mean(),
                "percent": hit.mean() * 100.0, "miss": 1 - hit.mean(), "count": hit.sum(),
                "over_valid": (hit * valid).sum() / valid.sum(), "per_row": hit.mean((1, 2)).mean()}

    check_rule(body, "")


def test_data_sums_in_normaliser_arithmetic_decline():
    """A count scaled by a number, floored, or divided by the number of images in a Python loop:
    as a normaliser these apply to a denominator, so no companion; a share times an int equal to
    the images (``* len(targets)``) declines as a loss's does."""

    def scaled(outputs, targets):
        _, hit, _ = _hits(outputs, targets)
        return {"count": hit.sum() / 4.0}

    def floored(outputs, targets):
        _, hit, _ = _hits(outputs, targets)
        return {"count": hit.sum().clamp(min=1)}

    def per_image_loop(outputs, targets):
        _, hit, _ = _hits(outputs, targets)
        return {"count": sum(hit[i].mean() * t["loss_weight"] for i, t in enumerate(targets)) / len(targets)}

    def times_images(outputs, targets):
        _, hit, _ = _hits(outputs, targets)
        return {"count": hit.mean() * len(targets)}

    for body in (scaled, floored, per_image_loop):
        check_rule(body, "'count'", declines=True)
    check_rule(times_images, "number of images", declines=True)


def test_a_count_times_a_literal_over_the_elements_of_image_rows_splits_as_the_oracle():
    """Libra R-CNN's accuracy ``correct.sum() * (100.0 / labels.numel())``, ``labels`` the images'
    rows joined: Python divides the literal by the size unseen, the code shows the product; on a
    group alone it is over the group's elements (also of a loss, and of a 2-d tensor of rows)."""

    def body(outputs, targets):
        err, hit, _ = _hits(outputs, targets)
        labels = torch.cat([t["labels"] for t in targets])
        grid = torch.stack([t["y"] for t in targets])
        return {"acc": hit[:, :, 0].flatten().sum() * (100.0 / labels.numel()),
                "loss": err.sum() * (0.5 / grid.numel())}

    check_rule(body, "")


def test_a_count_times_a_number_over_elements_not_read_from_the_code_declines():
    """Near misses: the literal over the number of images (``len(targets)``, no size of rows), a
    factor computed from the elements of a tensor of no images: the count is only a normaliser's,
    declined naming the key. (The size read into a local first, ``n = labels.numel()`` then ``scale
    = 100.0 / n``, was here too; since lead41 the code's one store of ``n`` is followed to its size
    read: it splits as the oracle, in the test below.)"""

    def over_images(outputs, targets):
        _, hit, _ = _hits(outputs, targets)
        return {"count": hit.sum() * (100.0 / len(targets))}

    def no_images(outputs, targets):
        _, hit, _ = _hits(outputs, targets)
        fixed = torch.zeros(12)
        return {"count": hit.sum() * (100.0 / fixed.numel())}

    for body in (over_images, no_images):
        check_rule(body, "'count'", declines=True)


def test_a_literal_over_a_size_of_rows_kept_in_a_local_splits_as_the_oracle():
    """Was silently wrong (found by gap16): ``scale = 100.0 / labels.numel()`` kept in a local,
    then ``loss * scale``. Python divides the literal by the size unseen and the local holds a
    plain float; the code shows the local's one assignment reading the size, so on a group alone
    the sum is over the group's elements divided by 100 (also ``2.0 / y.size(0)`` on the left of
    the product). Near misses split too: a size of a dim without images (``1.0 / c`` of ``bs, q,
    c = err.shape``), a literal (``100.0 / 12``), a size of a tensor of no images, a literal times
    a tensor whose making read a size of rows."""

    def over_elements(outputs, targets):
        err, _, _ = _hits(outputs, targets)
        scale = 100.0 / torch.cat([t["labels"] for t in targets]).numel()
        return {"loss": err.sum() * scale}

    def over_rows(outputs, targets):
        err, _, _ = _hits(outputs, targets)
        s = 2.0 / torch.stack([t["y"] for t in targets]).size(0)
        return {"loss": s * err.sum()}

    def size_first(outputs, targets):  # (declined before lead41: the local ``n`` was not followed)
        _, hit, _ = _hits(outputs, targets)
        n = torch.cat([t["labels"] for t in targets]).numel()
        scale = 100.0 / n
        return {"count": hit.sum() * scale}

    def near_misses(outputs, targets):
        err, _, _ = _hits(outputs, targets)
        _, _, c = err.shape
        per_column, literal, fixed = 1.0 / c, 100.0 / 12, 100.0 / torch.zeros(12).numel()
        flat = err.view(err.shape[0], -1)  # a tensor whose making read the size, times a literal
        return {"columns": err.sum() * per_column, "literal": err.sum() * literal, "fixed": err.sum() * fixed,
                "flat": flat.sum() * 0.05, "flat_left": 0.05 * flat.sum()}

    for body in (over_elements, over_rows, size_first, near_misses):
        check_rule(body, "")


def test_a_number_python_computed_from_a_size_of_rows_otherwise_declines():
    """A plain number computed in Python from a size of image rows in any other form: a mean or
    each element scaled by ``100.0 / labels.numel()`` kept in a local, ``0.5 *
    bs`` inline, ``1.0 / bs`` of ``bs, q, c = err.shape``, a sum over ``0.5 * bs``, a mean over
    ``1.0 * bs``, ``+ 0.1 * bs`` (on a group alone each is the group's number; each was silently
    the batch's): no companion, one warning naming the key and the op."""

    def of_a_mean_and_each_element(outputs, targets):
        err, _, _ = _hits(outputs, targets)
        scale = 100.0 / torch.cat([t["labels"] for t in targets]).numel()
        return {"loss": err.mean() * scale, "each": (err * scale).sum()}

    def inline_half(outputs, targets):
        err, _, _ = _hits(outputs, targets)
        return {"loss": err.sum() * (0.5 * err.shape[0])}

    def unpacked(outputs, targets):
        err, _, _ = _hits(outputs, targets)
        bs, _, _ = err.shape
        s = 1.0 / bs
        return {"loss": err.sum() * s}

    def over_half(outputs, targets):
        err, _, _ = _hits(outputs, targets)
        return {"loss": err.sum() / (0.5 * err.shape[0])}

    def mean_over(outputs, targets):
        err, _, _ = _hits(outputs, targets)
        n = 1.0 * err.shape[0]
        return {"loss": err.mean() / n}

    def plus(outputs, targets):
        err, _, _ = _hits(outputs, targets)
        n = 0.1 * err.shape[0]
        return {"loss": err.mean() + n}

    for body, op in ((of_a_mean_and_each_element, "Tensor.mul"),
                     (inline_half, "Tensor.mul"), (unpacked, "Tensor.mul"), (over_half, "Tensor.div"),
                     (mean_over, "Tensor.div"), (plus, "Tensor.add")):
        check_rule(body, "'loss'", declines=True)
        check_rule(body, f"{op} with a number that on a group alone is computed from the group's rows", declines=True)


def test_a_count_times_a_proven_constant_over_a_size_of_rows_splits_as_the_oracle():
    """MoCo's top-1 accuracy ``correct.sum() * 100.0 / labels.size(0)``: a literal (or a parameter
    holding its default) scales the data sum, a size of image rows divides it; on a group alone
    the group's hits over its rows, times the same constant."""

    def body(outputs, targets, percent=100.0):
        err, hit, _ = _hits(outputs, targets)
        first = hit[:, 0, 0]
        return {"loss": err.mean(), "acc": first.sum() * 100.0 / first.size(0),
                "acc_default": first.sum() * percent / first.size(0), "acc_over": first.sum() / 2.0 / first.size(0)}

    check_rule(body, "")


def test_a_count_times_a_number_no_code_proves_constant_over_a_size_of_rows_declines():
    """Near misses: the scale a count the body computed (``float(len(targets))``), an image's
    weight field, a number read from the images' data: as a returned value the data sum is only a
    normaliser's, declined naming the key."""

    def counted(outputs, targets):
        _, hit, _ = _hits(outputs, targets)
        k = float(len(targets))
        return {"count": hit[:, 0, 0].sum() * k / hit.size(0)}

    def weighted(outputs, targets):
        _, hit, _ = _hits(outputs, targets)
        return {"count": hit[:, 0, 0].sum() * targets[0]["loss_weight"] / hit.size(0)}

    def from_data(outputs, targets):
        _, hit, _ = _hits(outputs, targets)
        scale = float(targets[-1]["y"][0, 0])
        return {"count": hit[:, 0, 0].sum() * scale / hit.size(0)}

    for body in (counted, weighted, from_data):
        check_rule(body, "'count'", declines=True)


def test_a_data_sum_plus_a_number_over_a_row_sum_keeps_the_number():
    """Was silently wrong (found by gap18): ``(hits.sum() + 1) / valid.sum()`` gave ``hits / valid``
    per group, the ``+ 1`` (kept as a normaliser's ``+ eps``) dropped when the sum became a
    numerator; now added to each group's numerator (also scaled by a literal first). A clamped sum
    over a row sum has no numerator the split gives: declined naming the key."""

    def plus(outputs, targets):
        err, hit, _ = _hits(outputs, targets)
        valid = (outputs["x"].detach() > 0.2).float()
        return {"loss": err.mean(), "share": (hit.sum() + 1) / valid.sum(), "percent": (hit.sum() + 1) * 100.0 / valid.sum()}

    def clamped(outputs, targets):
        _, hit, _ = _hits(outputs, targets)
        valid = (outputs["x"].detach() > 0.2).float()
        return {"count": hit.sum().clamp(min=1) / valid.sum()}

    check_rule(plus, "")
    check_rule(clamped, "'count'", declines=True)
