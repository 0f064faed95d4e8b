"""A module of the user's project other than the criterion's (red team 35): an object that refreshes
a list it was given from each batch (``tests/_red_team35_bodies.py``'s tracker)."""

from __future__ import annotations

from typing import Any


class Tracker:
    """Keeps the list it was given holding one name per image of the last batch."""

    def __init__(self, names: list[Any]) -> None:
        self.names = names

    def update(self, targets: list[dict]) -> None:
        self.names[:] = [str(int(s["n"])) for s in targets]


class Settings:
    """A number the project sets per batch."""

    views = 2.0

    def set_views(self, targets: list[dict]) -> None:
        Settings.views = 1.5 * len(targets)


KINDS = ("car", "person", "bike")


class Scales:
    """Numbers the project sets per batch from no count of it (near misses of ``Settings``, hc1)."""

    views = 0.7
    kinds = 0.9
    pairs = 2.0  # set by nothing: equal to the count of a batch of 2 by value

    def set_views(self, targets: list[dict]) -> None:
        Scales.views = 0.7

    def set_kinds(self, targets: list[dict]) -> None:
        Scales.kinds = 1.5 * len(KINDS)
