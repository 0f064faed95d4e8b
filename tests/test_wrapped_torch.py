"""A library that rebinds torch's names to wrappers of its own (torch_geometric binds
``torch.index_select`` and ``torch.select`` at import) before or after losssplit is imported: the
rules follow torch's own ops, the library's bindings are left as it set them, and a wrapper the mode
receives itself is no op of torch's (declined). Each order runs in a fresh interpreter
(``_wrapped_torch.py``), so that the order of imports is real."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.mark.parametrize("order", ["before", "after", "pyg"])
def test_rules_follow_torchs_own_ops_whatever_a_library_rebound(order):
    if order == "pyg" and importlib.util.find_spec("torch_geometric") is None:
        pytest.skip("needs torch_geometric")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent), str(HERE), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, str(HERE / "_wrapped_torch.py"), order], capture_output=True, text=True,
                          env=env, cwd=HERE, timeout=300)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-3000:]
