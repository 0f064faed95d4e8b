"""A torch function another package replaced by a Python wrapper (torch_geometric's
``torch.index_select = _new_index_select``, installed on import): the op's caller is the user's
code, not the wrapper's. Found at the session-32 merge: with torch_geometric imported by an
earlier test, pc2f's decline of ``torch.index_select(x, 1, torch.arange(len(t) - 1))`` read the
wrapper's code, found no count and kept the batch's positions (silently wrong)."""

import importlib
import sys

import torch
from _red_team26_bodies import XBATCHES
from _red_team26_measure import measure as measure_batches
from _red_team28_measure import extra_batches
from _red_team31_pcp_bodies import BODIES, CONVERTS


def _classes(monkeypatch, name):
    monkeypatch.setattr(torch, "index_select", torch.index_select)  # (restored after the test)
    monkeypatch.delitem(sys.modules, "_patching_module", raising=False)
    importlib.import_module("_patching_module")  # rebinds it at import, as torch_geometric does
    with extra_batches():
        return measure_batches(name, BODIES, CONVERTS, list(XBATCHES))["class"]


def test_positions_by_the_count_through_a_wrapped_torch_function_decline(monkeypatch):
    assert _classes(monkeypatch, "cut_by_index_select") == "declined"


def test_positions_by_the_dims_own_size_through_a_wrapped_torch_function_split(monkeypatch):
    assert _classes(monkeypatch, "cut_by_index_select_of_own_size") == "exact"
