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


def _hold_weakly_setting():
    """(module, attribute) of the size from which tracked tensors are held weakly."""
    try:
        from losssplit._capture import ratio  # type: ignore[attr-defined]
    except ImportError:
        import losssplit._capture as home

        return home, "_HOLD_WEAKLY_FROM"
    return ratio, "HOLD_WEAKLY_FROM"


@pytest.fixture(scope="module", params=["held", "weakly"])
def hold_weakly(request):
    """Runs a module's tests twice: as shipped, then with every tracked tensor held weakly and every
    reduced loss kept as row sums (what tensors of 32 KiB and more get), the threshold set to 0.

    Module-scoped, so each module runs once per setting (hypothesis accepts it)."""
    if request.param == "held":
        yield request.param
        return
    home, name = _hold_weakly_setting()
    saved = getattr(home, name)
    setattr(home, name, 0)
    try:
        yield request.param
    finally:
        setattr(home, name, saved)
