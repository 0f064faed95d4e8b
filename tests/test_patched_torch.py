"""A torch function another package replaced by a Python wrapper (torch_geometric's
``torch.index_select = _new_index_select``, installed on import): the op's caller is the user's
code, not the wrapper's. Found at the session-32 merge: with torch_geometric imported by an
earlier test, pc2f's decline of ``torch.index_select(x, 1, torch.arange(len(t) - 1))`` read the
wrapper's code, found no count and kept the batch's positions (silently wrong)."""

import importlib
import sys

import _red_team26_bodies
import _red_team32_bodies
import _red_team32_pr1_bodies
import pytest
import torch
from _helpers import wrapped_torch
from _red_team26_bodies import XBATCHES
from _red_team26_measure import measure as measure_batches
from _red_team28_measure import extra_batches
from _red_team28_measure import measure as measure_red_team
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


# -- every rule reads a call made through such a wrapper as it reads the call of torch's own -------
# The caller's frame, calling a Python function, is stopped on the CALL's last inline cache, where
# no reader found an instruction: the count a ``torch.div``, a ``torch.tensor`` or a clamp bound got
# was missed (silently wrong at a980fb3), or a gap where the split needs what the call passes.
# ``_bytecode._lasti`` gives every reader that CALL's offset for the frame found calling a wrapper.
_WRAPPED = ("index_select", "clamp", "clamp_min", "div", "where", "full", "full_like", "tensor", "as_tensor", "ones",
            "zeros", "stack", "cat", "arange", "minimum", "pow")
_ABOUT_WRAPPERS = {  # body -> its red team's module: wrapped, each WRONG or a gap at a980fb3; then near misses
    "probe_torch_div_by_count": _red_team32_bodies, "dict_values_divided_by_count": _red_team32_bodies,
    "probe_tensor_of_reciprocal_counts": _red_team32_bodies, "shim_num_boxes_clamped_high": _red_team32_bodies,
    "padded_fixed_width_by_f_pad": _red_team26_bodies,
    "near_reduced_torch_div_by_count": _red_team32_bodies, "where_count_in_branch": _red_team32_bodies,
    "where_constant_near": _red_team32_bodies, "full_like_count_clamp": _red_team32_bodies,
    "full_like_constant_near": _red_team32_bodies, "shim_num_boxes_guarded": _red_team32_bodies,
    "torch_clamp_positional": _red_team32_pr1_bodies, "clamp_min_function_by_count": _red_team32_pr1_bodies,
}


def _wrapper(original):
    def wrapper(*args, **kwargs):
        return original(*args, **kwargs)
    return wrapper


def _measured(name):
    table = _ABOUT_WRAPPERS[name]
    converts = getattr(table, "CONVERTS", getattr(table, "OBJECT_TARGETS", None))
    result = measure_red_team(name, table.BODIES, converts)
    return result["class"], {batch: (r["class"], r.get("wrong") or r.get("said")) for batch, r in result["per"].items()}


@pytest.mark.parametrize("name", sorted(_ABOUT_WRAPPERS))
def test_a_call_through_a_wrapped_torch_function_splits_as_one_of_torchs_own(name):
    plain, _ = _measured(name)
    with wrapped_torch(_WRAPPED, _wrapper):
        wrapped, per = _measured(name)
    assert plain in ("exact", "declined") and wrapped == plain, per
