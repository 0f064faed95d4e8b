"""Widths and counts the batch's VALUES set, not its images: each was silently wrong (lead's red team
of session 41) and now declines naming the op or the key.

- ``torch.bincount(labels)`` without a ``minlength`` past the values: as long as the batch's largest
  label + 1, on a group alone the group's (``/ bincount(y).numel()``, ``len(..)``, ``.shape[0]``); the
  call declines as ``F.one_hot`` without ``num_classes`` does (``elementwise.doubt_width_of_largest``).
- a whole number equal to the number of images read off a dim without images (``F.one_hot(y, C)
  .shape[-1]``, ``bincount(y, minlength=C).numel()``, ``torch.eye(C)[y].shape[1]``, ``histc(.., bins=C)``
  with ``C == B``), or an int field of one image picked by
  position (``targets[0]["n"]``) equal to it: a division by it was read as ``len(targets)`` by value,
  the share of the images taken (``Frame.images_by_value``, the ``pick`` provenance; ``IMAGES_BY_VALUE``). The division by ``len(targets)`` itself, in a
  local, ``float(..)``, ``max(.., 1)``, stays exact (its provenance reads ``len`` of an argument), and so
  do a size of an argument's dim without images (``o["logits"].shape[-1]``) and of the images' dim.
  A size of a dim without images of a call's result written at the division (``LAB(t).shape[1]`` of
  targets a helper stacked, 3 rows per image on 3 images; pinned WRONG until wrong42) declines as the
  width of a tensor the body made (``side_size_divisor``: held nowhere, its dims cannot be told).

- a multiple of the length of a list argument other than the targets, one item per image (``2 *
  len(indices)``, inline or held in a local): equal to the instances by value it was read as their
  count (``OTHER_LENGTH``, as ``len(indices)`` alone already was).

Measured by ``tests/_red_team28_measure.py`` on the red-team-26 batches plus three (five images, so that
``C == 5 == B`` in ``5i3r2s``; labels 0-4 over 3 rows per image), every batch against the oracle; the
DETR-like ones on its DETR-like batches."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _red_team26_bodies import CE, LAB, MATCHED, NCLS
from _red_team27_bodies import registrar
from _red_team28_measure import measure

BODIES: dict = {}
CONVERTS: dict = {}
body = registrar(BODIES, CONVERTS)


@body("width")
def bincount_numel(o, t):
    return {"loss": CE(o, t).sum() / torch.bincount(LAB(t).flatten()).numel()}


@body("width")
def bincount_len(o, t):
    return {"loss": CE(o, t).sum() / len(torch.bincount(LAB(t).flatten()))}


@body("width")
def bincount_method_shape(o, t):
    return {"loss": CE(o, t).sum() / LAB(t).flatten().bincount().shape[0]}


@body("width")
def bincount_minlength_below_the_labels(o, t):
    return {"loss": CE(o, t).sum() / torch.bincount(LAB(t).flatten(), minlength=2).numel()}


@body("width")
def bincount_weighted_then_its_length(o, t):
    s = torch.bincount(LAB(t).flatten(), weights=CE(o, t).detach().flatten())
    return {"loss": CE(o, t).sum() / s.shape[0]}


@body("equal")
def bincount_of_every_class_numel(o, t):
    return {"loss": CE(o, t).sum() / torch.bincount(LAB(t).flatten(), minlength=NCLS).numel()}


@body("equal")
def bincount_of_every_class_size_in_no_grad(o, t):
    with torch.no_grad():
        n = LAB(t).flatten().bincount(minlength=NCLS).size(0)
    return {"loss": CE(o, t).sum() / n}


@body("equal")
def histc_bins_numel(o, t):
    return {"loss": CE(o, t).sum() / torch.histc(LAB(t).float(), bins=NCLS, min=0, max=NCLS - 1).numel()}


@body("equal")
def one_hot_classes_width(o, t):
    return {"loss": CE(o, t).sum() / F.one_hot(LAB(t), NCLS).shape[-1]}


@body("equal")
def per_class_sums_numel(o, t):
    per = torch.zeros(NCLS).index_add(0, LAB(t).flatten(), CE(o, t).detach().flatten())
    return {"loss": CE(o, t).sum() / per.numel()}


@body("equal")
def identity_rows_width(o, t):
    return {"loss": CE(o, t).sum() / torch.eye(NCLS)[LAB(t).flatten()].shape[1]}


@body("equal")
def rows_per_image_of_stacked_labels(o, t):
    return {"loss": CE(o, t).sum() / LAB(t).shape[1]}  # 3 rows per image: 3 images in ``1r2s``


@body("equal")
def int_field_of_the_first_image(o, t):
    return {"loss": CE(o, t).sum() / t[0]["n"]}  # each image's ``n`` is 3


@body("near")
def near_sum_of_int_fields(o, t):
    return {"loss": CE(o, t).sum() / sum(s["n"] for s in t)}


@body("near")
def near_counted_loop(o, t):
    n = 0
    for _ in range(3):
        n += 1
    return {"loss": CE(o, t).sum() / n}


def _side(o):
    return F.one_hot(torch.zeros(3, dtype=torch.long), 3).shape[-1] + o["logits"].shape[1]


@body("near")
def near_length_of_targets(o, t):
    _side(o)
    return {"loss": CE(o, t).sum() / len(t)}


@body("near")
def near_length_in_a_local(o, t):
    _side(o)
    bs = len(t)
    return {"loss": CE(o, t).sum() / bs}


@body("near")
def near_length_as_float(o, t):
    _side(o)
    return {"loss": CE(o, t).sum() / float(len(t))}


@body("near")
def near_length_floored(o, t):
    _side(o)
    return {"loss": CE(o, t).sum() / max(len(t), 1)}


@body("near")
def near_images_dim(o, t):
    _side(o)
    return {"loss": CE(o, t).sum() / o["x"].size(0)}


@body("near")
def near_classes_of_an_argument(o, t):
    return {"loss": CE(o, t).sum() / o["logits"].shape[-1]}


@body("near")
def near_bincount_of_labels_unused_width(o, t):
    freq = torch.bincount(LAB(t).flatten(), minlength=NCLS)
    return {"loss": CE(o, t).mean() + 0 * freq.numel()}


# DETR-like bodies (matcher indices, one entry per image; ``num_boxes`` passed in): a multiple of the
# length of the indices list equal to the instances by value (``2 * len(indices)`` = 8 boxes of
# ``2r2s``) was read as the instances' count: the share of boxes, silently wrong
def _l1(o, t, idx):
    a, b = MATCHED(o, t, idx)
    return (a - b).abs()


@body("length", "d")
def twice_the_indices_length(o, t, idx, num_boxes):
    return {"loss": _l1(o, t, idx).sum() / (len(idx) * 2)}


@body("length", "d")
def twice_the_indices_length_held(o, t, idx, num_boxes):
    bs = len(idx)
    return {"loss": _l1(o, t, idx).sum() / (2 * bs)}


@body("near", "d")
def near_twice_the_targets_length(o, t, idx, num_boxes):
    return {"loss": _l1(o, t, idx).sum() / (len(t) * 2)}


@body("near", "d")
def near_twice_the_images_dim(o, t, idx, num_boxes):
    return {"loss": _l1(o, t, idx).sum() / (o["pred_boxes"].shape[0] * 2)}


@body("near", "d")
def near_sum_of_matched_lengths(o, t, idx, num_boxes):
    return {"loss": _l1(o, t, idx).sum() / sum(len(s) for s, _ in idx)}


@pytest.mark.parametrize("name", sorted(BODIES))
def test_value_widths(name):
    """Never wrong; a width set by the labels' values or a size equal to the images' count off a dim
    without images declines naming its op or the key; the near misses split exactly."""
    result = measure(name, BODIES, CONVERTS)
    per = {batch: (r["class"], r.get("wrong") or r.get("said")) for batch, r in result["per"].items()}
    if BODIES[name][0] == "near":
        assert result["class"] == "exact", per
        return
    assert result["class"] == "declined", per
    said = [m for r in result["per"].values() if r["class"] == "declined" for m in r["said"]]
    # (a size of a call's result written at the division, ``LAB(t).shape[1]``, ``F.one_hot(..).shape[-1]``: the
    # tensor is held nowhere, a width of the body's own making)
    wants = {"width": ("bincount without a minlength",), "equal": ("equal to the number of images", "a tensor the body made"),
             "length": ("the length of something else than the targets",)}[BODIES[name][0]]
    assert said and any(want in said[0] for want in wants), said
