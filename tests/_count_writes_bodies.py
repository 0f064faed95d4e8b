"""Bodies for ``tests/test_count_position_writers.py``: a class-weight vector (a tensor of no images)
written in place at positions computed from ``len(t)`` by ``index_fill_``, ``index_put_``,
``index_copy_``, ``masked_fill_``, an op on a view cut by the count, or an index tensor of
``arange(len(t))`` (on a group alone, the group's positions: they decline), and near misses at
literal positions, at a configured attribute, or per image at the loop's own image (exact).

``BODIES``: name -> (family, batch kind, body), measured by ``tests/_red_team28_measure.py``."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from _red_team26_bodies import CE, LAB
from _red_team27_bodies import registrar
from torch import nn

BODIES: dict[str, tuple[str, str, Any]] = {}
CONVERTS: dict[str, Any] = {}
body = registrar(BODIES, CONVERTS)
NCLS = 5


def _ce(o, t, w):
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), LAB(t), weight=w)}


# === at positions computed from the count: decline ==================================================


@body("count")
def index_fill_local_count(o, t):
    w = torch.ones(NCLS)
    n = len(t)
    w.index_fill_(0, torch.arange(n), 2.0)
    return _ce(o, t, w)


@body("count")
def index_put_arange_count(o, t):
    w = torch.ones(NCLS)
    w.index_put_((torch.arange(len(t)),), torch.tensor(3.0))
    return _ce(o, t, w)


@body("count")
def index_copy_arange_count(o, t):
    w = torch.ones(NCLS)
    w.index_copy_(0, torch.arange(len(t) - 1, len(t)), torch.tensor([3.0]))
    return _ce(o, t, w)



@body("count")
def masked_fill_lt_count(o, t):
    w = torch.ones(NCLS)
    w.masked_fill_(torch.arange(NCLS).lt(len(t)), 3.0)
    return _ce(o, t, w)


@body("count")
def masked_fill_padded_mask(o, t):
    w = torch.ones(NCLS)
    w.masked_fill_(F.pad(torch.ones(len(t), dtype=torch.bool), (0, NCLS - len(t))), 3.0)
    return _ce(o, t, w)


@body("count")
def view_local_filled(o, t):
    w = torch.ones(NCLS)
    v = w[: len(t)]
    v.fill_(3.0)
    return _ce(o, t, w)


@body("count")
def view_add_from_count(o, t):
    w = torch.ones(NCLS)
    w[len(t) - 1 :].add_(2.0)
    return _ce(o, t, w)


@body("count")
def narrow_zeroed_count(o, t):
    w = torch.ones(NCLS)
    w.narrow(0, len(t) - 1, 1).zero_()
    return _ce(o, t, w + 0.5)


@body("count")
def arange_local_store(o, t):
    w = torch.ones(NCLS)
    idx = torch.arange(len(t))
    w[idx] = 3.0
    return _ce(o, t, w)


# === near misses: literal positions, a configured attribute, the loop's own image: exact =============


@body("near")
def near_index_fill_literal(o, t):
    w = torch.ones(NCLS)
    w.index_fill_(0, torch.tensor([NCLS - 1]), 3.0)
    return _ce(o, t, w)


@body("near")
def near_index_put_literal(o, t):
    w = torch.ones(NCLS)
    w.index_put_((torch.arange(2),), torch.tensor(3.0))
    return _ce(o, t, w)


@body("near")
def near_masked_fill_literal(o, t):
    w = torch.ones(NCLS)
    w.masked_fill_(torch.arange(NCLS) < 2, 3.0)
    return _ce(o, t, w)


@body("near")
def near_narrow_fill_literal(o, t):
    w = torch.ones(NCLS)
    w.narrow(0, 0, 2).fill_(3.0)
    return _ce(o, t, w)


@body("near")
def near_view_mul_literal(o, t):
    w = torch.ones(NCLS)
    w[NCLS - 1 :].mul_(3.0)
    return _ce(o, t, w)


@body("near")
def near_arange_store_literal(o, t):
    w = torch.ones(NCLS)
    w[torch.arange(3)] = 3.0
    return _ce(o, t, w)


@body("near")
class NearConfiguredBackground(nn.Module):
    """DETR's ``empty_weight[-1] = eos_coef`` spelt with the writers, at a configured class."""

    def __init__(self):
        super().__init__()
        self.bg = NCLS - 1

    def forward(self, o, t):
        w = torch.ones(NCLS)
        w.index_fill_(0, torch.tensor([self.bg]), 0.1)
        w[self.bg :].mul_(2.0)
        w.narrow(0, 0, self.bg).add_(0.5)
        return _ce(o, t, w)




@body("near")
def near_per_image_index_fill(o, t):
    m = torch.ones(len(t), 3)
    for i in range(len(t)):
        m[i].index_fill_(0, torch.tensor([0]), 2.0)
    return {"loss": (CE(o, t) * m).sum() / m.numel()}


@body("near")
def near_per_image_labels_written(o, t):
    tc = torch.full((len(t), 3), NCLS - 1, dtype=torch.long)
    for b, s in enumerate(t):
        tc[b].index_copy_(0, torch.arange(2), s["labels"][:2])
        tc[b, torch.arange(1)] = s["labels"][:1]
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), tc)}


@body("near")
def near_detr_target_classes(o, t):
    tc = torch.full((len(t), 3), NCLS - 1, dtype=torch.long)
    bi = torch.cat([torch.full((2,), b) for b in range(len(t))])
    qi = torch.cat([torch.arange(2) for _ in t])
    tc.index_put_((bi, qi), torch.cat([s["labels"][:2] for s in t]))
    w = torch.ones(NCLS)
    w[-1] = 0.1
    return {"loss": F.cross_entropy(o["logits"].transpose(1, 2), tc, weight=w)}
