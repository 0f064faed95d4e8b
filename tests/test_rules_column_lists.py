"""``torch.stack(losses)`` of one reduced loss per text column, the list appended in a loop over
lists the code made in the call from an argument's list of columns (sentence-transformers'
``EmbedDistillLoss``: ``embeddings = embed_columns(model, sentence_features)``, ``teacher_embeddings =
[labels[:, i] for i in range(n)]``, then ``for s, t in zip(embeddings, teacher_embeddings):
losses.append(..)`` in a method taking both lists; survey 41). Each item of those lists is a
tensor of every image and the lists are as long as the argument's list of columns (each column
of every image): one item per column, as many on a group alone. Split where no count of the
images could have sized them (no size of image rows read, no per-image target list), the lists
only iterated or passed to ``zip`` / ``enumerate`` / ``len``. Near misses decline naming
``torch.stack``: a list as long as the images, one sized by a count of them, one as long as no argument's columns, one the
code appends to in the loop (a list of the images' rows, ``unbind``, splits by the per-image
rules)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from _helpers import Along, split_outcome, wrong_companions

SOURCES = (["web", "synth", "web", "books"], ["synth", "synth", "books"], ["web", "web", "web"], ["books"],
           ["web", "books", "web", "books", "synth"])
W = torch.randn(6, 4, generator=torch.Generator().manual_seed(3941))


def outcome(body, seed: int, columns: int = 2) -> tuple[dict, dict, list[str]]:
    """``columns`` text columns (token features [B, 3, 6]) and the teacher's embeddings of each
    [B, columns, 4]; groups through ``losssplit.sources``."""
    g = torch.Generator().manual_seed(seed + 3940)
    b = len(SOURCES[seed])
    cols = [torch.randn(b, 3, 6, generator=g).requires_grad_() for _ in range(columns)]
    teacher = torch.randn(b, columns, 4, generator=g)
    return split_outcome(body, [cols, teacher], [Along(0), Along(0)], SOURCES[seed])


def _embed_columns(cols: list[torch.Tensor]) -> list[torch.Tensor]:
    """A helper's list: each column's mean-pooled embedding (as an encoder's forward)."""
    first = cols[0].mean(1) @ W
    return [first, *[c.mean(1) @ W for c in cols[1:]]]


class Distill:
    """The loss as a module: the lists reach the stacking method as its parameters."""

    def stacked(self, embeddings: list[torch.Tensor], teachers: list[torch.Tensor]) -> torch.Tensor:
        losses = []
        for student, teacher in zip(embeddings, teachers):
            losses.append(F.mse_loss(student, teacher))
        return torch.stack(losses)


DISTILL = Distill()


def columns_stacked(cols, teacher):
    embeddings = _embed_columns(cols)
    teachers = [teacher[:, i] for i in range(teacher.size(1))]
    per_column = DISTILL.stacked(embeddings, teachers)
    return {"loss_mean": per_column.mean(), "loss_sum": per_column.sum()}


def columns_broadcast_teacher(cols, teacher):
    embeddings = _embed_columns(cols)
    teachers = [teacher[:, 0] for _ in embeddings]
    return {"loss": DISTILL.stacked(embeddings, teachers).sum()}


def rows_of_the_images(cols, teacher):
    """One image's loss per item (``unbind``): each image once, the per-image rules' (not this one's)."""
    x = cols[0].mean(1) @ W
    return {"loss": DISTILL.stacked(list(x.unbind(0)), list(teacher[:, 0].unbind(0))).sum()}


@pytest.mark.parametrize("body", [columns_stacked, columns_broadcast_teacher, rows_of_the_images])
@pytest.mark.parametrize("columns", [2, 6])
def test_losses_stacked_over_lists_of_the_argument_columns_split(body, columns):
    """2 and 6 columns, on 4, 3 (two groups, then one), 1 and 5 images: the oracle's companions (as many columns
    as images decline: a near miss by value)."""
    for seed in range(len(SOURCES)):
        got, want, said = outcome(body, seed, columns)
        assert want and set(got) == set(want), (seed, said)
        assert not wrong_companions(got, want), seed


# -- near misses: lists that are not the argument's columns


def as_many_as_the_images(cols, teacher):
    x = cols[0].mean(1) @ W
    embeddings = [x + k for k in range(x.shape[0])]
    return {"loss": DISTILL.stacked(embeddings, [teacher[:, 0]] * len(embeddings)).sum()}


def sized_by_the_count(cols, teacher):
    """As many as the 2 columns on 4 and 5 images, ``(B + 2) // 3``: one on a group of 1 or 2."""
    x = cols[0].mean(1) @ W
    embeddings = [x * 1.0 for _ in range((x.shape[0] + 2) // 3)]
    return {"loss": DISTILL.stacked(embeddings, [teacher[:, 0] * 1.0 for _ in embeddings]).sum()}


def as_many_as_no_argument_list(cols, teacher):
    embeddings = [*_embed_columns(cols), cols[0].mean(1) @ W * 2.0]
    teachers = [teacher[:, 0] for _ in embeddings]
    return {"loss": DISTILL.stacked(embeddings, teachers).sum()}


class Growing:
    def stacked(self, embeddings: list[torch.Tensor], teachers: list[torch.Tensor]) -> torch.Tensor:
        losses = []
        for student, teacher in zip(embeddings, teachers):
            losses.append(F.mse_loss(student, teacher))
            if len(losses) < 2:
                embeddings.append(student * 0.5)
        return torch.stack(losses)


def appended_in_the_loop(cols, teacher):
    embeddings = _embed_columns(cols)
    return {"loss": Growing().stacked(embeddings, [teacher[:, i] for i in range(teacher.size(1))]).sum()}


@pytest.mark.parametrize("body", [as_many_as_the_images, sized_by_the_count, as_many_as_no_argument_list,
                                  appended_in_the_loop])
def test_other_lists_stacked_still_decline(body):
    for seed in (0, 1, 4):
        got, want, said = outcome(body, seed)
        assert not wrong_companions(got, want), seed
        assert not got, (seed, got)
        assert any("'loss'" in m or "no companions for this call" in m for m in said), said
