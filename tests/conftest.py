import importlib.util
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "examples"), str(ROOT / "benchmarks")]

if os.environ.get("PYTEST_XDIST_WORKER"):
    # One intra-op thread per worker (and per process a test starts): with a worker per core, a
    # second thread only oversubscribes the cores, and a tiny op then waits milliseconds for it.
    # (torch is imported here, not at the top: pytest-xdist's controller runs no test and need
    # not spend seconds importing it before it starts the workers.)
    import torch

    os.environ["OMP_NUM_THREADS"] = "1"
    torch.set_num_threads(1)


def pytest_collection(session):
    """class_resolver's torch resolvers (pykeen's losses import them: survey 35) are made once, at
    their import, from the subclasses of torch's LR schedulers loaded by then; monai's schedulers
    (loaded at the collection of survey 22) have the same names and make that import raise. Made
    before any test module is collected, they hold torch's alone. (Not in pytest-xdist's controller:
    its own collection hook answers first.)"""
    if importlib.util.find_spec("class_resolver") is not None:
        importlib.import_module("class_resolver.contrib.torch")


# Lightning takes seconds to import: its tests import it through the ``lit`` fixture, not at
# collection (nor for doctests: ``collect_ignore``), and run on one pytest-xdist worker.
collect_ignore = ["_lightning_classes.py", "_mmengine_classes.py"]  # (MMEngine: the same)
needs_lightning = [
    pytest.mark.skipif(
        importlib.util.find_spec("lightning") is None and importlib.util.find_spec("pytorch_lightning") is None,
        reason="needs Lightning",
    ),
    pytest.mark.xdist_group("lightning"),
]


@pytest.fixture(scope="module")
def lit():
    """tests/_lightning_classes.py: the tests' Lightning subclasses and LossSplitCallback."""
    return importlib.import_module("_lightning_classes")


@pytest.fixture
def warnings_of(caplog):
    """The messages losssplit logged as warnings during the test."""
    caplog.set_level(logging.WARNING, logger="losssplit")

    def get():
        return [r.getMessage() for r in caplog.records if r.name == "losssplit"]

    return get


@pytest.fixture(scope="module", params=["held", "weakly"])
def hold_weakly(request):
    """Runs a module's tests twice: as shipped, then with every tracked tensor held weakly and every
    reduced loss kept as row sums (what tensors of 32 KiB and more get), the threshold set to 0.

    Module-scoped, so each module runs once per setting (hypothesis accepts it)."""
    if request.param == "held":
        yield request.param
        return
    from losssplit._capture import ratio

    saved = ratio.HOLD_WEAKLY_FROM
    ratio.HOLD_WEAKLY_FROM = 0
    try:
        yield request.param
    finally:
        ratio.HOLD_WEAKLY_FROM = saved


def run_example(name: str, out_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python examples/<name> --output-dir out_dir *args`` as a user runs it; must succeed."""
    env = dict(os.environ)
    # The examples import the in-tree package, installed or not.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / name), "--output-dir", str(out_dir), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=out_dir.parent,
    )
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="session")
def relation_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(output dir, stdout) of one small relation demo run, shared by the tests that read it
    (mark them ``xdist_group("relation_demo")`` so they share one run under pytest-xdist)."""
    missing = [m for m in ("scipy", "matplotlib", "tqdm", "tensorboard") if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"the relation demo needs {missing}")
    out_dir = tmp_path_factory.mktemp("relation") / "out"
    # 12 iterations of 6 scenes, logged every 4: three windows of 24 scenes each.
    proc = run_example(
        "relation_demo.py", out_dir,
        *("--iterations", "12", "--batch-size", "6", "--log-period", "4", "--quiet"),
    )
    return out_dir, proc.stdout
