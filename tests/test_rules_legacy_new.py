"""``x.new(*sizes)``, the legacy constructor given sizes (DistilBERT's cosine embedding target
``s.new(s.size(0)).fill_(1)``, survey 53): fresh memory as ``x.new_empty(sizes)``, whose rules follow
it; before, an op without a rule on a tracked tensor, the loss it reached was declined. Given data
(``x.new([..])``) it is left as before: the images' weights by value there decline, not followed as
fresh memory."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from _helpers import RULE_BATCHES, check_exact, rule_batch, rule_outcome


def _errors(outputs, targets):
    return outputs["x"] - torch.stack([t["y"] for t in targets])


def cosine_embedding_to_ones(outputs, targets):
    """The rows' cosine embedding loss against the targets with a target of ones made by ``new``,
    its size the rows' count, and a constant made by ``new(torch.Size)``."""
    x = outputs["x"].flatten(0, 1)
    y = torch.stack([t["y"] for t in targets]).flatten(0, 1)
    ones = x.new(x.size(0)).fill_(1)
    half = x.new(torch.Size([2])).fill_(0.5)
    return {"loss": F.cosine_embedding_loss(x, y, ones), "l1": (_errors(outputs, targets).abs() * half[0]).mean()}


def test_new_given_sizes_is_fresh_memory():
    check_exact(cosine_embedding_to_ones, [*RULE_BATCHES, (3, [0.5])])


def test_new_given_the_weights_as_data_still_declines():
    """``x.new([w, ..])`` of the images' weights, a per-row factor: weights 1 on a group alone."""

    def body(outputs, targets):
        w = outputs["x"].new([t["loss_weight"] for t in targets])
        return {"loss": (_errors(outputs, targets).abs() * w[:, None, None]).mean()}

    for seed, weights in RULE_BATCHES:
        got, want, said = rule_outcome(body, rule_batch(seed, weights))
        assert got == {} and want and said, (seed, got, want)
