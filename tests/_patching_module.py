"""Imported by ``test_patched_torch.py``: rebinds ``torch.index_select`` to a Python wrapper at
import, as torch_geometric's ``hash_tensor`` does (``ORIGINAL`` keeps torch's own)."""

import torch

ORIGINAL = torch.index_select


def _wrapped_index_select(input, dim, index, *, out=None):
    return ORIGINAL(input, dim, index) if out is None else ORIGINAL(input, dim, index, out=out)


torch.index_select = _wrapped_index_select
