"""Red team of session 44's rules that turn declines into exact splits (s57: phase differences on
``torch.angle``'s branch cut, an expand to a constant of the call, ``torch.arange(b) + b``; s58: a
helper's ``range`` bound its caller passed, a host read given to a tensor method; the lead's
``_plain_parameter`` of a parameter held as a cell), against the oracle of DESIGN.md §1.

WRONG found (both silently wrong on main at 92581c4 too, not made by those rules), fixed by declining:

- a count of the images kept in a display and read back as its item (``k = [len(t)]``, ``(len(t),)``,
  ``{"n": len(t)}``, or a parameter rebound so) then given as an expand size in a comprehension
  (``x[i].expand(k[0], -1, -1)``): ``_bytecode._counted_free_sizes`` skipped every subscripted free
  variable (an image of the list) and every parameter (as passed); WRONG on 6 of 6 count batches;
- the same size read in a lambda or nested function closing over the count (``lambda x: x.expand(k,
  -1, -1)``, ``k = len(t)``; ``len(t)`` in it): ``counted_sizes`` followed free variables of
  comprehensions only; WRONG on 6 of 6;
- ``Tensor.repeat`` / ``repeat_interleave`` by a count of the images (``x.repeat(len(t), 1, 1)``,
  ``x[i].repeat_interleave(k, 0)``): no count check at all (``expand`` had one); each image's values
  copied the batch's count of times, on a group alone the group's; WRONG on 6 of 6.

Attacks that declined or split as the oracle (never WRONG, not kept as tests): the helper bound
passed as ``len(targets)`` through a local, a tuple ``*args``, ``**kwargs``, ``functools.partial``, a
default filled from the targets, a lambda's closure, two helper levels, ``x.shape[0]`` / ``size(0)``,
an enumerate index; a cell rebound by ``nonlocal`` in a nested function called after the loop's
``range`` was read, closures over a loop variable; an expand size read from a parameter rebound by
``k += 1`` per image, a ``for`` / ``with`` target, a walrus, a branch on the count; phases scaled by
1.5, 2, 1/2, 1/pi, a tensor, ``alpha=`` 0.5 or 2, squared, cumsum'd, rolled or mixed across images;
``arange(b) + b`` with ``b`` from another list, the score's rows or half its columns, ``// 2``,
flipped, through ``gather`` / ``index_select``, blocks of another width.
"""

from __future__ import annotations

import pytest
import torch
from _helpers import count_batch, count_outcomes


def _terms(o: dict, t: list[dict], spread) -> dict:
    return {"loss": torch.stack([(spread(o["x"][i]) - t[i]["y"]).abs().sum() for i in range(len(t))]).sum()}


def count_in_a_list(o: dict, t: list[dict]) -> dict:
    k = [len(t)]
    return _terms(o, t, lambda x: x.expand(k[0], -1, -1))


def count_closed_over(o: dict, t: list[dict]) -> dict:
    k = len(t)
    return _terms(o, t, lambda x: x.expand(k, -1, -1))


def count_in_a_nested_function(o: dict, t: list[dict]) -> dict:
    def spread(x: torch.Tensor) -> torch.Tensor:
        return x.expand(len(t), -1, -1)

    return _terms(o, t, spread)


def count_in_a_tuple(o: dict, t: list[dict]) -> dict:
    k = (len(t),)
    return {"loss": torch.stack([(o["x"][i].expand(k[0], -1, -1) - t[i]["y"]).abs().sum() for i in range(len(t))]).sum()}


def count_in_a_dict(o: dict, t: list[dict]) -> dict:
    k = {"n": len(t)}
    return {"loss": torch.stack([(o["x"][i].expand(k["n"], -1, -1) - t[i]["y"]).abs().sum() for i in range(len(t))]).sum()}


def default_rebound_to_a_list_of_the_count(o: dict, t: list[dict], k=(2,)) -> dict:  # noqa: B006
    k = [len(t)]
    return {"loss": torch.stack([(o["x"][i].expand(k[0], -1, -1) - t[i]["y"]).abs().sum() for i in range(len(t))]).sum()}


def repeated_rows(o: dict, t: list[dict]) -> dict:
    return {"loss": o["x"].repeat(len(t), 1, 1).abs().sum()}


def repeated_per_image(o: dict, t: list[dict]) -> dict:
    k = len(t)
    return {"loss": torch.stack([(o["x"][i].repeat(k, 1, 1) - t[i]["y"]).abs().sum() for i in range(len(t))]).sum()}


def interleaved_per_image(o: dict, t: list[dict]) -> dict:
    k = len(t)
    return {"loss": torch.stack([o["x"][i].repeat_interleave(k, 0).abs().sum() for i in range(len(t))]).sum()}


def repeated_by_a_literal(o: dict, t: list[dict]) -> dict:
    """Near miss: repeated twice (the count of two batches' images)."""
    return {"loss": torch.stack([(o["x"][i].repeat(2, 1, 1) - t[i]["y"]).abs().sum() for i in range(len(t))]).sum()}


def repeated_by_a_default(o: dict, t: list[dict], k: int = 4) -> dict:
    """Near miss: repeated ``k`` times, ``k`` at its default 4 (the count of two batches' images; in a
    comprehension, where ``k`` is a free variable, the default is not proven: declined, not wrong)."""
    terms = []
    for i in range(len(t)):
        terms.append(o["x"][i].repeat_interleave(k, 0).abs().sum() + o["x"][i].repeat(1, k).mean())
    return {"loss": torch.stack(terms).sum()}


def item_of_a_list_of_constants(o: dict, t: list[dict]) -> dict:
    """Near miss: an item of a display of literals (``[3][0]``, the count of two batches' images)."""
    k = [3]
    return {"loss": torch.stack([(o["x"][i].expand(k[0], -1, -1) - t[i]["y"]).abs().sum() for i in range(len(t))]).sum()}


@pytest.mark.parametrize("body", [count_in_a_list, count_closed_over, count_in_a_nested_function, count_in_a_tuple, count_in_a_dict,
                                  default_rebound_to_a_list_of_the_count, repeated_rows, repeated_per_image,
                                  interleaved_per_image])
def test_a_count_of_the_images_through_a_display_or_given_to_repeat_declines(body) -> None:
    """Each was WRONG on every two-group count batch (on main at 92581c4 too)."""
    seen, said = count_outcomes(body, count_batch)
    assert seen == ["declined"] * len(seen), (seen, said)
    assert any("count of the images" in m for m in said), said


@pytest.mark.parametrize("body", [repeated_by_a_literal, repeated_by_a_default, item_of_a_list_of_constants])
def test_a_constant_of_the_call_given_as_the_size_splits(body) -> None:
    seen, said = count_outcomes(body, count_batch)
    assert seen == ["exact"] * len(seen), (seen, said)
