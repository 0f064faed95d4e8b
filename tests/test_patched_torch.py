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

_PATCHING = """
import torch

ORIGINAL = torch.index_select


def _wrapped_index_select(input, dim, index, *, out=None):
    return ORIGINAL(input, dim, index) if out is None else ORIGINAL(input, dim, index, out=out)


torch.index_select = _wrapped_index_select
"""


def _classes(monkeypatch, tmp_path, name):
    # a module that rebinds torch.index_select at import, as torch_geometric's hash_tensor does (written
    # here, not kept under tests/: collecting doctests would import it and rebind it for every test)
    (tmp_path / "_patching_module.py").write_text(_PATCHING)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(torch, "index_select", torch.index_select)  # (restored after the test)
    monkeypatch.delitem(sys.modules, "_patching_module", raising=False)
    importlib.import_module("_patching_module")
    with extra_batches():
        return measure_batches(name, BODIES, CONVERTS, list(XBATCHES))["class"]


def test_positions_by_the_count_through_a_wrapped_torch_function_decline(monkeypatch, tmp_path):
    assert _classes(monkeypatch, tmp_path, "cut_by_index_select") == "declined"


def test_positions_by_the_dims_own_size_through_a_wrapped_torch_function_split(monkeypatch, tmp_path):
    assert _classes(monkeypatch, tmp_path, "cut_by_index_select_of_own_size") == "exact"
