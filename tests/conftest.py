import logging
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "examples"), str(ROOT / "benchmarks")]


@pytest.fixture
def warnings_of(caplog):
    """The messages losssplit logged as warnings during the test."""
    caplog.set_level(logging.WARNING, logger="losssplit")

    def get():
        return [r.getMessage() for r in caplog.records if r.name == "losssplit"]

    return get


def pytest_configure(config):
    # tests/test_cost.py reruns the pattern suites with every tracked tensor held weakly and every
    # reduced loss compacted to row sums (the paths large tensors take) by setting this to 0
    size = os.environ.get("LOSSSPLIT_TEST_HOLD_WEAKLY_FROM")
    if size is not None:
        import losssplit._capture.ratio

        losssplit._capture.ratio.HOLD_WEAKLY_FROM = int(size)
