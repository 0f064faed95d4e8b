"""The ``losssplit`` command line: family detection, summary numbers, plots and clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from losssplit import _cli
from losssplit._cli import Family, find_families, main

ROOT = Path(__file__).resolve().parents[1]


def write_metrics(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


# Two logged windows of a seed-shaped run plus the usual detectron2 extras.
RECORDS = [
    {
        "iteration": 19,
        "loss_relation": 1.5,
        "loss_relation_real": 2.0,
        "loss_relation_synthetic": 1.0,
        "loss_bbox_relation": 0.3,
        "loss_bbox_relation_real": 0.4,
        "loss_bbox_relation_synthetic": 0.1,
        "total_loss": 1.8,
        "lr": 0.001,
        "time": 0.02,
    },
    {
        "iteration": 39,
        "loss_relation": 1.25,
        "loss_relation_real": 1.6,
        "loss_relation_synthetic": 0.4,
        "loss_bbox_relation": 0.25,
        "loss_bbox_relation_real": 0.32,
        "loss_bbox_relation_synthetic": 0.08,
        "total_loss": 1.5,
        "lr": 0.001,
        "time": 0.02,
    },
]


def summary_json(path: Path | str, *extra: str, capsys: pytest.CaptureFixture[str]) -> list[dict]:
    assert main(["summary", str(path), "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def error_of(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err  # one line, no traceback
    return lines[0]


# --------------------------------------------------------------------------- family detection

FAMILY_CASES = [
    # (keys, groups option, expected families)
    pytest.param(
        ["loss_relation", "loss_relation_real", "loss_relation_synthetic", "lr", "total_loss"],
        None,
        [Family("loss_relation", ("real", "synthetic"))],
        id="seed",
    ),
    pytest.param(
        ["loss_ce", "loss_ce_synthetic_digits", "loss_ce_real_digits"],
        None,
        [Family("loss_ce", ("real_digits", "synthetic_digits"))],
        id="underscores-in-group-names",
    ),
    pytest.param(
        # DETR's auxiliary layers: loss_bbox_0 is a term of its own, not a group of loss_bbox.
        ["loss_bbox", "loss_bbox_real", "loss_bbox_0", "loss_bbox_0_real", "loss_bbox_0_synthetic"],
        None,
        [Family("loss_bbox", ("real",)), Family("loss_bbox_0", ("real", "synthetic"))],
        id="aux-layers",
    ),
    pytest.param(
        ["train/loss_ce", "train/loss_ce_web", "train/loss_ce_code", "val/acc"],
        None,
        [Family("train/loss_ce", ("code", "web"))],
        id="tensorboard-prefix",
    ),
    pytest.param(
        # losssplit.integrations.tensorboard's default tags: "{key}/{group}".
        ["loss_relation", "loss_relation/synthetic", "loss_relation/real", "lr"],
        None,
        [Family("loss_relation", ("real", "synthetic"), "/")],
        id="tensorboard-tags",
    ),
    pytest.param(
        ["loss_ce", "loss_ce/real", "loss_ce_real", "loss_ce_synthetic"],
        None,
        [Family("loss_ce", ("real", "synthetic"), "_")],
        id="both-separators",
    ),
    pytest.param(
        ["loss_ce", "loss_ce/real", "loss_ce/synthetic", "loss_ce/0"],
        ["real", "synthetic"],
        [Family("loss_ce", ("real", "synthetic"), "/")],
        id="groups-option-tensorboard-tags",
    ),
    pytest.param(["loss", "lr", "time", "total_loss"], None, [], id="no-companions"),
    pytest.param(["loss_real", "loss_synthetic"], None, [], id="companions-without-their-main-key"),
    pytest.param(
        # Aux layers without companions look like groups "0" and "1" by name alone ...
        ["loss_bbox", "loss_bbox_0", "loss_bbox_1", "loss_bbox_real"],
        None,
        [Family("loss_bbox", ("real", "0", "1"))],
        id="ambiguous-by-name",
    ),
    pytest.param(
        # ... which --groups settles.
        ["loss_bbox", "loss_bbox_0", "loss_bbox_1", "loss_bbox_real"],
        ["real", "synthetic"],
        [Family("loss_bbox", ("real",))],
        id="groups-option",
    ),
]


@pytest.mark.parametrize(("keys", "groups", "expected"), FAMILY_CASES)
def test_find_families(keys: list[str], groups: list[str] | None, expected: list[Family]) -> None:
    assert find_families(keys, groups) == expected


# ------------------------------------------------------------------------------------ summary


def test_summary_reports_last_window_and_ratios(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_metrics(tmp_path / "metrics.json", RECORDS)
    rows = summary_json(path, capsys=capsys)
    got = {(r["key"], r["group"]): (r["iteration"], r["value"], r["ratio"]) for r in rows}
    # Last window = the last line; ratios to real: 0.4 / 1.6 = 0.25 and 0.08 / 0.32 = 0.25.
    assert got == {
        ("loss_relation", None): (39, 1.25, None),
        ("loss_relation", "real"): (39, 1.6, 1.0),
        ("loss_relation", "synthetic"): (39, 0.4, pytest.approx(0.25)),
        ("loss_bbox_relation", None): (39, 0.25, None),
        ("loss_bbox_relation", "real"): (39, 0.32, 1.0),
        ("loss_bbox_relation", "synthetic"): (39, 0.08, pytest.approx(0.25)),
    }


def test_summary_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_metrics(tmp_path / "metrics.json", RECORDS)
    assert main(["summary", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(str(path))
    assert out[1].split() == ["term", "group", "iteration", "value", "ratio"]
    rows = [line.split() for line in out[2:-1]]
    assert rows == [
        ["loss_relation", "(main)", "39", "1.25", "-"],
        ["loss_relation", "real", "39", "1.6", "1"],
        ["loss_relation", "synthetic", "39", "0.4", "0.25"],
        ["loss_bbox_relation", "(main)", "39", "0.25", "-"],
        ["loss_bbox_relation", "real", "39", "0.32", "1"],
        ["loss_bbox_relation", "synthetic", "39", "0.08", "0.25"],
    ]
    assert out[-1] == "ratio: value / the 'real' group's value of the same term"


def test_summary_table_values_and_ratios_keep_six_significant_digits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [{"iteration": 3, "loss": 0.0123456789, "loss_real": 0.0234567, "loss_synthetic": 0.000123456,
                "loss_ce": 1.0, "loss_ce_web": 3.0, "loss_ce_code": 1.5}]
    path = write_metrics(tmp_path / "metrics.json", records)
    assert main(["summary", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    rows = [line.split() for line in out[2:-1]]
    # 0.000123456 / 0.0234567 = 0.005263144...; 3.0 / 1.5 = 2 (no real group: the first, code)
    assert rows[0][3:] == ["0.0123457", "-"]
    assert rows[2][3:] == ["0.000123456", "0.00526314"]
    assert rows[5][1:] == ["web", "3", "3", "2"]
    assert out[-1] == ("ratio: value / the reference group's value of the same term "
                       "('real' for loss; 'code' for loss_ce)")


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    import losssplit

    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"losssplit {losssplit.__version__}"


def test_summary_into_a_closed_pipe_ends_without_a_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = write_metrics(tmp_path / "metrics.json", RECORDS)
    proc = subprocess.Popen(
        [sys.executable, "-m", "losssplit", "summary", str(path), "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=Path(__file__).resolve().parent.parent,
    )
    proc.stdout.close()  # as `| head` does once it has read enough: before the first write here
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert stderr == ""


def test_summary_ref_and_missing_groups(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The last window had no synthetic rows: the key is absent there, its last value is older.
    records = [
        {"iteration": 9, "loss": 1.0, "loss_real": 2.0, "loss_synthetic": 0.5},
        {"iteration": 19, "loss": 0.9, "loss_real": 1.8},
    ]
    path = write_metrics(tmp_path / "metrics.json", records)
    rows = summary_json(path, "--ref", "synthetic", capsys=capsys)
    got = {r["group"]: (r["iteration"], r["value"], r["ratio"], r["reference"]) for r in rows}
    assert got == {
        None: (19, 0.9, None, "synthetic"),
        "real": (19, 1.8, pytest.approx(1.8 / 0.5), "synthetic"),
        "synthetic": (9, 0.5, 1.0, "synthetic"),
    }
    line = error_of(["summary", str(path), "--ref", "web"], capsys)
    assert str(path) in line and "--ref web" in line and "real, synthetic" in line


def test_summary_without_real_uses_first_group(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [{"iteration": 0, "loss_ce": 1.0, "loss_ce_web": 3.0, "loss_ce_code": 1.5}]
    rows = summary_json(write_metrics(tmp_path / "m.json", records), capsys=capsys)
    assert [(r["group"], r["ratio"]) for r in rows] == [(None, None), ("code", 1.0), ("web", 2.0)]


# ------------------------------------------------------------------------------------- errors


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nope" / "metrics.json"
    for command in ("summary", "plot"):
        line = error_of([command, str(path)], capsys)
        assert str(path) in line and "no such file" in line


@pytest.mark.parametrize("content", ["", "\n\n", "   \n"])
def test_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str) -> None:
    path = tmp_path / "metrics.json"
    path.write_text(content)
    line = error_of(["summary", str(path)], capsys)
    assert str(path) in line and "empty" in line


def test_file_without_companions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = [{"iteration": 0, "loss_ce": 1.0, "total_loss": 1.0, "lr": 0.1}]
    path = write_metrics(tmp_path / "metrics.json", records)
    for command in ("summary", "plot"):
        line = error_of([command, str(path)], capsys)
        assert str(path) in line and "no loss companions" in line
    assert not (tmp_path / "losses.png").exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"iteration": 0, "loss": 1.0}\n{"iteration": 1, "loss"\n', ":2: not a JSON object"),
        ("[1, 2]\n", ":1: expected a JSON object per line, got list"),
        ('{"loss": 1.0, "loss_real": 1.0}\n', ':1: line has no integer "iteration" field'),
    ],
)
def test_malformed_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    path = tmp_path / "metrics.json"
    path.write_text(text)
    line = error_of(["summary", str(path)], capsys)
    assert f"{path}{expected}" in line


def test_directory_without_events(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tensorboard")
    line = error_of(["summary", str(tmp_path)], capsys)
    assert str(tmp_path) in line and "no TensorBoard event files" in line


def test_plot_without_matplotlib(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A None entry in sys.modules makes the import raise ImportError, as if not installed.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    path = write_metrics(tmp_path / "metrics.json", RECORDS)
    line = error_of(["plot", str(path)], capsys)
    assert "pip install" in line and "matplotlib" in line


# -------------------------------------------------------------------------------------- plot


def test_plot_writes_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    path = write_metrics(tmp_path / "metrics.json", RECORDS)
    assert main(["plot", str(path)]) == 0  # default output: losses.png beside the metrics
    assert (tmp_path / "losses.png").read_bytes()[:4] == b"\x89PNG"
    out = tmp_path / "sub" / "custom.png"
    assert main(["plot", str(path), "-o", str(out), "--logy"]) == 0
    assert out.read_bytes()[:4] == b"\x89PNG"
    assert capsys.readouterr().out.splitlines() == [
        f"wrote {tmp_path / 'losses.png'} (2 terms)",
        f"wrote {out} (2 terms)",
    ]


# ------------------------------------------------------------------------------- TensorBoard


def test_tensorboard_run_matches_metrics_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("tensorboard")
    from torch.utils.tensorboard import SummaryWriter

    run = tmp_path / "run"
    writer = SummaryWriter(str(run))
    for record in RECORDS:
        for key, value in record.items():
            if key != "iteration":
                writer.add_scalar(key, value, record["iteration"])
    writer.close()
    from_json = summary_json(write_metrics(tmp_path / "metrics.json", RECORDS), capsys=capsys)
    from_tb = summary_json(run, capsys=capsys)
    # TensorBoard stores float32: equal to float32 precision, same rows in the same order.
    assert [(r["key"], r["group"], r["iteration"]) for r in from_tb] == [
        (r["key"], r["group"], r["iteration"]) for r in from_json
    ]
    for tb_row, json_row in zip(from_tb, from_json, strict=True):
        assert tb_row["value"] == pytest.approx(json_row["value"], rel=1e-6)
    # One event file works as well as its directory.
    (event_file,) = run.glob("events.out.tfevents.*")
    assert summary_json(event_file, capsys=capsys) == from_tb
    # Two runs under one directory: ambiguous, say so.
    SummaryWriter(str(tmp_path / "run2")).close()
    (tmp_path / "run2" / "events.out.tfevents.x").write_bytes(b"")
    line = error_of(["summary", str(tmp_path)], capsys)
    assert "2 TensorBoard runs" in line and "pass one" in line


# ------------------------------------------------------------------------- on the demos' output


@pytest.fixture
def relation_metrics(relation_demo: tuple[Path, str]) -> Path:
    return relation_demo[0] / "metrics.json"


@pytest.mark.xdist_group("relation_demo")
def test_summary_of_relation_demo(
    relation_metrics: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    last = json.loads(relation_metrics.read_text().splitlines()[-1])
    rows = summary_json(relation_metrics, capsys=capsys)
    terms = ["loss_relation", "loss_bbox_relation", "loss_giou_relation"]
    assert sorted((r["key"], r["group"] or "") for r in rows) == sorted(
        (term, group) for term in terms for group in ("", "real", "synthetic")
    )
    for row in rows:
        name = row["key"] if row["group"] is None else f"{row['key']}_{row['group']}"
        assert row["iteration"] == last["iteration"]
        assert row["value"] == last[name]
        if row["group"] == "synthetic":
            assert row["ratio"] == pytest.approx(last[name] / last[f"{row['key']}_real"])


@pytest.mark.xdist_group("relation_demo")
def test_summary_of_relation_demo_tensorboard(
    relation_metrics: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from_json = summary_json(relation_metrics, capsys=capsys)
    from_tb = summary_json(relation_metrics.parent, capsys=capsys)
    key = lambda r: (r["key"], r["group"] or "")  # noqa: E731
    assert sorted(map(key, from_tb)) == sorted(map(key, from_json))
    json_values = {key(r): r["value"] for r in from_json}
    for row in from_tb:
        assert row["value"] == pytest.approx(json_values[key(row)], rel=1e-6)


@pytest.mark.xdist_group("relation_demo")
def test_plot_of_relation_demo_dir(
    relation_metrics: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tb.png"
    assert main(["plot", str(relation_metrics.parent), "-o", str(out)]) == 0
    assert out.read_bytes()[:4] == b"\x89PNG"
    assert capsys.readouterr().out == f"wrote {out} (3 terms)\n"


# -------------------------------------------------------------------------------- entry points


def test_python_dash_m(tmp_path: Path) -> None:
    path = write_metrics(tmp_path / "metrics.json", RECORDS)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, "-m", "losssplit", "summary", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "loss_relation" in proc.stdout


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2
    assert "usage: losssplit" in capsys.readouterr().err


def test_cli_module_has_no_top_level_plotting_imports() -> None:
    source = Path(_cli.__file__).read_text()
    top_level = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert not [line for line in top_level if "matplotlib" in line or "tensorboard" in line]
