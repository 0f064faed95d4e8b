"""A helper's loop over ``range`` of a parameter it was passed, with a local counted down or up in
that loop (Glow-TTS's monotonic alignment backtrack: ``i = tx - 1``, then ``i -= 1`` per frame, in a
helper called per utterance with ``int(y_len[i])``): the loop runs over the number the caller
passed, so where the caller's argument computes no count of the batch (an image's own value read by
its position, an item's length, a literal) it runs alike on a group alone and the running local is
no count of the images. A helper passed the number of images (``len(targets)``), a number computed
from it or a total over the images declines its writes at such positions; so does a parameter that
code nested in the helper rebinds. Each body is compared with the oracle on the ``COUNT_BATCHES``
(images of 1 to 3 labels).

Found on the way (s58, WRONG on main at 92581c4): a tensor of no images' values written with a
number at positions of a loop over the images (``path[j] = 1.0`` for ``j`` over ``range(len(t))``), or
up to a parameter the helper rebinds from ``len(targets)``, was read as a constant of the call; it now
declines (``indexing``: a write at a position a loop over the images gives, into a tensor whose first
dim is not the images'; ``_bytecode``: a rebound parameter read as a local). Left, pinned strict
xfail: the same tensor added to in place per image (``path[0] += 1.0``)."""

from __future__ import annotations

import torch
from _helpers import count_batch, count_outcomes

COLS = 4  # the width of ``rule_batch``'s rows


def _path(rows: int, cols: int) -> torch.Tensor:
    """A staircase over a [3, 4] grid: from its last row and column back, one step up a row each
    column while rows are left (the running ``i``)."""
    path = torch.zeros(3 * COLS)  # (flat: a dim of 3 would read as one entry per image on 3)
    i = rows - 1
    for j in range(cols - 1, -1, -1):
        path[i * COLS + j] = 1.0
        if i > 0:
            i -= 1
    return path.view(3, COLS)


def _path_cell(rows: int, cols: int) -> torch.Tensor:
    """``_path`` whose ``cols`` a comprehension reads (a cell, as Glow-TTS's ``ty``)."""
    best = [[0.0] * cols for _ in range(rows)]
    path = torch.zeros(3 * COLS)  # (flat: a dim of 3 would read as one entry per image on 3)
    i = rows - 1
    for j in range(cols - 1, -1, -1):
        path[i * COLS + j] = 1.0 + best[i][j]
        if i > 0:
            i -= 1
    return path.view(3, COLS)


def _path_rebound(rows: int, cols: int, targets: list) -> torch.Tensor:
    """A staircase as ``_path``'s whose ``cols`` a nested function rebinds to the number of images."""
    def widen() -> None:
        nonlocal cols
        cols = min(len(targets), COLS)

    widen()
    path = torch.zeros(3 * COLS)
    i = rows
    for j in range(cols - 1, -1, -1):
        i = max(i - 1, 0)
        path[i * COLS + j] = 1.0
    return path.view(3, COLS)


def _loss(o: dict, paths: list[torch.Tensor]) -> dict:
    return {"loss": (o["x"] * torch.stack(paths)).sum((1, 2)).mean()}


def own_length(o: dict, t: list[dict]) -> dict:
    """Each image's staircase as tall as its own labels (``len(s["labels"])``)."""
    return _loss(o, [_path(len(s["labels"]), COLS) for s in t])


def own_value_by_position(o: dict, t: list[dict]) -> dict:
    """Each image's staircase from its own label values read by position (``int(n[i])`` over
    ``range(len(t))``), the width a comprehension's cell."""
    n = torch.stack([s["labels"].max() for s in t]) % 3 + 1
    return _loss(o, [_path_cell(int(n[i]), COLS) for i in range(len(t))])


def width_from_position(o: dict, t: list[dict]) -> dict:
    """Near miss: the width from the image's position in the batch (``COLS - i % 2``: another
    image's on a group alone; was given wrong before the position check)."""
    n = torch.stack([s["labels"].max() for s in t]) % 3 + 1
    return _loss(o, [_path_cell(int(n[i]), COLS - i % 2) for i in range(len(t))])


def literal_bounds(o: dict, t: list[dict]) -> dict:
    return _loss(o, [_path(3, 2) for _ in t])


def count_of_images(o: dict, t: list[dict]) -> dict:
    """Near miss: every staircase as wide as the number of images (another on a group alone)."""
    return _loss(o, [_path(3, min(len(t), COLS)) for _ in t])


def count_plus_own(o: dict, t: list[dict]) -> dict:
    """Near miss: an image's own length plus the number of images."""
    return _loss(o, [_path(3, min(len(s["labels"]) + len(t) - 1, COLS)) for s in t])


def total_over_images(o: dict, t: list[dict]) -> dict:
    """Near miss: the batch's total of labels (a sum over the images)."""
    total = sum(len(s["labels"]) for s in t)
    return _loss(o, [_path(3, min(total - 2, COLS)) for _ in t])


def rebound_in_nested_code(o: dict, t: list[dict]) -> dict:
    """Near miss: the width a nested function rebinds to the number of images."""
    return _loss(o, [_path_rebound(len(s["labels"]), COLS, t) for s in t])


def test_a_running_local_in_a_loop_over_a_number_the_caller_passed_per_image_splits_exactly() -> None:
    for body in (own_length, own_value_by_position, literal_bounds):
        seen, said = count_outcomes(body, count_batch)
        assert seen == ["exact"] * len(seen), (body.__name__, seen, said)


def test_a_loop_over_the_number_of_images_or_a_total_declines() -> None:
    for body in (count_of_images, count_plus_own, total_over_images, rebound_in_nested_code, width_from_position):
        seen, said = count_outcomes(body, count_batch)
        assert "wrong" not in seen, (body.__name__, seen)
        assert "declined" in seen, (body.__name__, seen)  # (the oracle differs there: not split)
        assert any("position computed from the number of images" in m for m in said), (body.__name__, said)


# -- a constant tensor written at positions of a loop over the images (s58: given WRONG on main) ------------


def marked_per_image_position(o: dict, t: list[dict]) -> dict:
    """``path[j] = 1.0`` for ``j`` over ``range(len(t))`` into a [12] vector: on a group alone fewer
    entries are set."""
    path = torch.zeros(3 * COLS)
    for j in range(len(t)):
        path[j] = 1.0
    return {"loss": (o["x"] * path.view(3, COLS)).sum((1, 2)).mean()}


def marked_per_enumerated_image(o: dict, t: list[dict]) -> dict:
    path = torch.zeros(3 * COLS)
    for j, _ in enumerate(t):
        path[j + 1] = 1.0
    return {"loss": (o["x"] * path.view(3, COLS)).sum((1, 2)).mean()}


def _widened(targets: list, cols: int) -> torch.Tensor:
    cols = min(len(targets), COLS)  # a parameter rebound from the number of images
    path = torch.zeros(3 * COLS)
    path[:cols] = 1.0
    return path.view(3, COLS)


def marked_up_to_a_rebound_parameter(o: dict, t: list[dict]) -> dict:
    return {"loss": (o["x"] * _widened(t, COLS)).sum((1, 2)).mean()}


def accumulated_per_image(o: dict, t: list[dict]) -> dict:
    """``path[0] += 1.0`` per image: the number of images added into a constant tensor."""
    path = torch.zeros(3 * COLS)
    for _ in t:
        path[0] += 1.0
    return {"loss": (o["x"] * (1 + path.view(3, COLS))).sum((1, 2)).mean()}


def test_a_constant_tensor_marked_at_positions_counted_from_the_images_declines() -> None:
    """Each was given WRONG on main (92581c4): the tensor, of no images' values, was read as a
    constant of the call although on a group alone other entries are set."""
    for body in (marked_per_image_position, marked_per_enumerated_image, marked_up_to_a_rebound_parameter):
        seen, said = count_outcomes(body, count_batch)
        assert seen == ["declined"] * len(seen), (body.__name__, seen)
        assert any("position computed from the number of images" in m for m in said), (body.__name__, said)


def test_a_constant_tensor_added_to_per_image_declines() -> None:
    """Was silently wrong (s58, a strict xfail until wrong45): ``mode._accumulated_per_image`` loses a tensor
    of no image's values added into in place in a loop proven to visit every image."""
    seen, said = count_outcomes(accumulated_per_image, count_batch)
    assert seen == ["declined"] * len(seen), seen
    assert any("in a loop over the images into a tensor of no image's values" in m for m in said), said
