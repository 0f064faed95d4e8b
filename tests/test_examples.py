"""The examples run end to end at a tiny size and leave finite per-source companions behind.

Each example runs in a subprocess, as a user runs it (``python examples/<name>.py``), so its
``seed_criterion`` import and its console output are exercised too.
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest
from conftest import run_example

# The examples run in subprocesses: their dependencies need to be installed, not imported here.
_missing = [m for m in ("scipy", "sklearn", "matplotlib", "tqdm", "tensorboard") if importlib.util.find_spec(m) is None]
pytestmark = pytest.mark.skipif(bool(_missing), reason=f"the examples need {_missing}")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def read_metrics(path: Path) -> list[dict]:
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    assert lines, f"{path} is empty"
    for record in lines:
        assert isinstance(record["iteration"], int)
    return lines


def assert_outputs(out_dir: Path) -> None:
    assert (out_dir / "losses.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert list(out_dir.glob("events.out.tfevents.*")), "no TensorBoard events written"


@pytest.fixture
def relation_run(relation_demo: tuple[Path, str]) -> tuple[Path, str]:
    return relation_demo


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out_dir = tmp_path_factory.mktemp("digits") / "out"
    proc = run_example(
        "digits_demo.py",
        out_dir,
        *("--steps", "20", "--eval-period", "5", "--real-train", "50", "--synthetic", "60"),
    )
    return out_dir, proc.stdout


@pytest.mark.xdist_group("relation_demo")
def test_relation_demo_logs_every_term_per_source(relation_run: tuple[Path, str]) -> None:
    out_dir, stdout = relation_run
    lines = read_metrics(out_dir / "metrics.json")
    assert [r["iteration"] for r in lines] == [3, 7, 11]
    for term in ("loss_relation", "loss_bbox_relation", "loss_giou_relation"):
        # A window of 24 scenes, each synthetic with probability 1/2: both sources are there
        # (the chance that one is missing from the last window is 2 * 2**-24).
        for name in (term, f"{term}_real", f"{term}_synthetic"):
            value = lines[-1][name]
            assert isinstance(value, float) and math.isfinite(value), (name, value)
            assert value >= 0.0
    assert_outputs(out_dir)


@pytest.mark.xdist_group("relation_demo")
def test_relation_demo_table_matches_last_window(relation_run: tuple[Path, str]) -> None:
    out_dir, stdout = relation_run
    last = read_metrics(out_dir / "metrics.json")[-1]
    table = {
        line.split()[0]: [float(v) for v in line.split()[1:]]
        for line in stdout.splitlines()
        if line.startswith("loss_")
    }
    assert set(table) == {"loss_relation", "loss_bbox_relation", "loss_giou_relation"}
    assert "Companions are unweighted (every loss_weight taken as 1)" in stdout
    for term, (real, synthetic, ratio) in table.items():
        # The table prints 4 decimals (ratio: 3) of the values metrics.json holds in full.
        assert real == pytest.approx(last[f"{term}_real"], abs=5e-5)
        assert synthetic == pytest.approx(last[f"{term}_synthetic"], abs=5e-5)
        assert ratio == pytest.approx(last[f"{term}_synthetic"] / last[f"{term}_real"], abs=5e-4)


def test_digits_demo_logs_sources_and_a_computed_verdict(digits_run: tuple[Path, str]) -> None:
    out_dir, stdout = digits_run
    lines = read_metrics(out_dir / "metrics.json")
    assert [r["iteration"] for r in lines] == [4, 9, 14, 19]
    for record in lines:
        for name in (
            "loss_ce",
            "loss_ce_handwritten",
            "loss_ce_rendered",
            "heldout_ce",
            "baseline_heldout_ce",
        ):
            assert math.isfinite(record[name]), (name, record)
    verdict = [line for line in stdout.splitlines() if line.startswith("Verdict:")]
    assert len(verdict) == 1
    # The verdict quotes the held-out losses it compared: the mean of the last three evaluations.
    base = sum(r["baseline_heldout_ce"] for r in lines[-3:]) / 3
    mixed = sum(r["heldout_ce"] for r in lines[-3:]) / 3
    assert f"({base:.4f} real-only -> {mixed:.4f} with synthetic" in verdict[0]
    change = (mixed - base) / base
    expected = "HELPS" if change < -0.02 else "HURTS" if change > 0.02 else "NO CLEAR DIFFERENCE"
    assert expected in verdict[0]
    assert_outputs(out_dir)


@pytest.fixture(scope="module")
def lm_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out_dir = tmp_path_factory.mktemp("lm") / "out"
    proc = run_example(
        "lm_mixture_demo.py",
        out_dir,
        *("--steps", "12", "--log-period", "4", "--eval-period", "6", "--max-chars", "30000"),
        *("--dim", "32", "--layers", "1", "--eval-rows", "6", "--batch-size", "12"),
    )
    return out_dir, proc.stdout


def test_lm_mixture_demo_logs_train_and_eval_curves_per_source(lm_run: tuple[Path, str]) -> None:
    out_dir, stdout = lm_run
    lines = read_metrics(out_dir / "metrics.json")
    assert [r["iteration"] for r in lines] == [3, 5, 7, 11]
    sources = ("code", "docs", "licenses")
    for record in lines:
        if "loss" in record:
            # a window of 4 x 12 rows, each source with probability 1/3: all three are there
            # (the chance that one is missing from some window is below 3 * 3 * (2/3)**48)
            for name in ("loss", *(f"loss_{s}" for s in sources)):
                assert math.isfinite(record[name]) and record[name] > 0, (name, record)
        if "eval_loss" in record:
            # 6 held-out rows of 64 bytes per source: equal token counts, so the exact per-source
            # means average to the exact overall mean
            per_source = [record[f"eval_loss_{s}"] for s in sources]
            assert sum(per_source) / 3 == pytest.approx(record["eval_loss"], rel=1e-6)
    assert [r["iteration"] for r in lines if "eval_loss" in r] == [5, 11]
    table = {line.split()[0]: [float(v) for v in line.split()[1:]] for line in stdout.splitlines()
             if line.split() and line.split()[0] in ("all", *sources)}
    assert set(table) == {"all", *sources}
    last = lines[-1]
    for name, (train, first, final, bits) in table.items():
        key = "loss" if name == "all" else f"loss_{name}"
        assert train == pytest.approx(last[key], abs=5e-5)
        assert first == pytest.approx(lines[1][f"eval_{key}"], abs=5e-5)
        assert final == pytest.approx(last[f"eval_{key}"], abs=5e-5)
        assert bits == pytest.approx(last[f"eval_{key}"] / math.log(2), abs=5e-4)
    assert_outputs(out_dir)
