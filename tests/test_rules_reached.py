"""Every registered function is reached under the capture mode by the body written for it.

The bodies of ``test_rules_<family>.py`` are run under the mode with ``CaptureMode.__torch_function__``
wrapped to record what it is called with. A function that no call reaches (torch dispatches
``a + b`` as ``Tensor.add``, never ``Tensor.__add__``) is a registration that can never fire.
"""

import pytest
import test_rules_autograd
import test_rules_elementwise
import test_rules_indexing
import test_rules_losses
import test_rules_shape
import test_rules_spatial
import torch
from _helpers import RULE_BATCHES, op_id, rule_batch

from losssplit import split_by_source
from losssplit._capture import RULES, CaptureMode

# Registered, but no call on torch 2.13 reaches a TorchFunctionMode as this function.
UNREACHABLE: set[str] = set()  # registrations no torch call reaches (none: they were removed)
CASES = {**test_rules_elementwise.CASES, **test_rules_shape.CASES, **test_rules_indexing.CASES,
         **test_rules_losses.CASES, **test_rules_spatial.CASES, **test_rules_autograd.CASES}


@pytest.fixture
def dispatched(monkeypatch):
    """The functions ``CaptureMode.__torch_function__`` is called with during the test."""
    seen = []
    original = CaptureMode.__torch_function__

    def recording(self, func, types, args=(), kwargs=None):
        seen.append(func)
        return original(self, func, types, args, kwargs)

    monkeypatch.setattr(CaptureMode, "__torch_function__", recording)
    return seen


def test_every_registered_function_has_a_body_and_is_reached(dispatched):
    seed, weights = RULE_BATCHES[0]
    missing, unreached = [], []
    for func in RULES:
        name = op_id(func)
        if func not in CASES:
            missing.append(name)
            continue
        if name == "Tensor.cuda" and not torch.cuda.is_available():
            continue  # reached on a CUDA machine only
        del dispatched[:]
        split_by_source(CASES[func])(*rule_batch(seed, weights))
        if func not in dispatched and name not in UNREACHABLE:
            unreached.append(name)
    assert missing == []
    assert unreached == []


def test_the_unreachable_list_holds_only_registered_functions():
    assert UNREACHABLE <= {op_id(f) for f in RULES}
