import logging
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
