"""The ``losssplit`` command line: plot and summarise per-source companions from a run's logs.

Two inputs are understood:

* a detectron2-style ``metrics.json``: JSON lines, one object per logged iteration, with an
  ``"iteration"`` field and scalar metrics;
* a TensorBoard run directory (or one ``events.out.tfevents.*`` file), read with the
  ``tensorboard`` package.

Neither keeps the ``(num, den)`` records behind a companion, so companion families are found from
key names alone: a key ``K`` with siblings ``K_<group>`` (``loss_relation`` with
``loss_relation_real`` and ``loss_relation_synthetic``) or ``K/<group>`` (TensorBoard tags written
by ``losssplit.integrations.tensorboard``). A sibling that has siblings of its own is
a term of its own, not a group (DETR's auxiliary layers: ``loss_bbox_0`` with ``loss_bbox_0_real``).
Where names stay ambiguous, ``--groups real,synthetic`` says which suffixes are groups.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from . import __version__

#: One scalar metric's history: ``(iteration, value)`` pairs in file order.
History = list[tuple[int, float]]
Scalars = dict[str, History]

_INSTALL_MATPLOTLIB = (
    "matplotlib is not installed; `losssplit plot` needs it: "
    "pip install 'losssplit[examples]' (or: pip install matplotlib)"
)
_INSTALL_TENSORBOARD = (
    "reading TensorBoard runs needs the tensorboard package: "
    "pip install 'losssplit[examples]' (or: pip install tensorboard)"
)
_EVENT_FILE_PREFIX = "events.out.tfevents."
#: Between a term and its group: ``loss_ce_real`` (dicts, metrics.json), ``loss_ce/real`` (TB tags).
_SEPARATORS = ("_", "/")


class CLIError(Exception):
    """A user-facing failure: printed as one line on stderr, exit status 1."""


@dataclass(frozen=True)
class Family:
    """A loss term and its per-source companions: ``key`` and ``key<sep><group>`` per group."""

    key: str
    groups: tuple[str, ...]
    sep: str = "_"

    def name(self, group: str) -> str:
        """The metric name of ``group``'s companion."""
        return f"{self.key}{self.sep}{group}"


@dataclass(frozen=True)
class Row:
    """One line of ``losssplit summary``: a term's (or one group's) value in its last window."""

    key: str
    group: str | None  # None: the main (weighted) key itself
    iteration: int
    value: float
    ratio: float | None  # value / reference group's value; None for the main key
    reference: str  # the group the family's ratios are taken to


# --------------------------------------------------------------------------------------- loading


def load_scalars(path: Path) -> Scalars:
    """Read every scalar series from a ``metrics.json`` file or a TensorBoard run.

    Args:
        path: a JSON-lines metrics file, a TensorBoard run directory or one event file.

    Returns:
        Metric name -> ``[(iteration, value), ...]``; ``"iteration"`` itself is not a metric.

    Raises:
        CLIError: the path is missing, empty, unreadable or holds no scalars.
    """
    if not path.exists():
        raise CLIError(f"{path}: no such file or directory")
    if path.is_dir() or path.name.startswith(_EVENT_FILE_PREFIX):
        scalars = _load_tensorboard(path)
    else:
        scalars = _load_metrics_json(path)
    if not scalars:
        raise CLIError(f"{path}: no scalar metrics found")
    return scalars


def _load_metrics_json(path: Path) -> Scalars:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CLIError(f"{path}: cannot read: {exc}") from exc
    if not text.strip():
        raise CLIError(f"{path}: empty file, no metrics logged yet")
    scalars: Scalars = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CLIError(
                f"{path}:{lineno}: not a JSON object per line (metrics.json format): {exc.msg}"
            ) from exc
        if not isinstance(record, dict):
            raise CLIError(
                f"{path}:{lineno}: expected a JSON object per line, got {type(record).__name__}"
            )
        iteration = record.get("iteration")
        if not isinstance(iteration, int) or isinstance(iteration, bool):
            raise CLIError(f'{path}:{lineno}: line has no integer "iteration" field')
        for name, value in record.items():
            # Booleans are ints to Python; a flag is not a metric.
            if name == "iteration" or isinstance(value, bool):
                continue
            if isinstance(value, (int, float)):
                scalars.setdefault(name, []).append((iteration, float(value)))
    return scalars


def _event_dirs(path: Path) -> list[Path]:
    """Directories under ``path`` (itself included) that hold TensorBoard event files."""
    return sorted({f.parent for f in path.rglob(f"{_EVENT_FILE_PREFIX}*") if f.is_file()})


def _load_tensorboard(path: Path) -> Scalars:
    try:
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    except ImportError as exc:
        raise CLIError(f"{path}: {_INSTALL_TENSORBOARD}") from exc
    if path.is_dir():
        runs = _event_dirs(path)
        if not runs:
            raise CLIError(f"{path}: no TensorBoard event files (events.out.tfevents.*) found")
        if len(runs) > 1:
            listed = ", ".join(str(r) for r in runs[:5]) + (", ..." if len(runs) > 5 else "")
            raise CLIError(f"{path}: holds {len(runs)} TensorBoard runs ({listed}); pass one")
    elif path.stat().st_size == 0:
        raise CLIError(f"{path}: empty file, no metrics logged yet")
    # size_guidance 0 keeps every point instead of TensorBoard's reservoir sample of 10 000.
    accumulator = EventAccumulator(str(path), size_guidance={"scalars": 0})
    try:
        accumulator.Reload()
    except Exception as exc:  # tensorboard raises assorted errors for corrupt files
        raise CLIError(f"{path}: cannot read TensorBoard events: {exc}") from exc
    scalars: Scalars = {}
    for tag in accumulator.Tags().get("scalars", []):
        scalars[tag] = [(int(event.step), float(event.value)) for event in accumulator.Scalars(tag)]
    return scalars


# ------------------------------------------------------------------------------------- families


def find_families(keys: Iterable[str], groups: Sequence[str] | None = None) -> list[Family]:
    """Group metric names into companion families by name.

    A companion is named ``K_<group>`` (the decorator's default ``key_format``) or ``K/<group>``
    (``losssplit.integrations.tensorboard``'s default tags); one family uses one separator,
    ``_`` where both occur.

    Args:
        keys: metric names.
        groups: the group suffixes to look for. ``None``: infer them, each name's parent being the
            longest other name it extends with ``_`` or ``/``; names that are parents themselves
            are terms, not groups.

    Returns:
        Families in the order their main key first appears in ``keys``; groups ``real`` first,
        then alphabetically.

    Example:
        >>> [f.groups for f in find_families(["loss", "loss_real", "loss_synthetic", "lr"])]
        [('real', 'synthetic')]
    """
    names = list(dict.fromkeys(keys))
    present = set(names)
    # parent -> separator -> group suffixes
    children: dict[str, dict[str, list[str]]] = {}
    if groups is not None:
        for key in names:
            for sep in _SEPARATORS:
                found = [g for g in groups if f"{key}{sep}{g}" in present]
                if found:
                    children.setdefault(key, {})[sep] = found
    else:
        for name in names:
            parent = _longest_parent(name, present)
            if parent is not None:
                sep, suffix = name[len(parent)], name[len(parent) + 1 :]
                children.setdefault(parent, {}).setdefault(sep, []).append(suffix)
        parents = set(children)
        for key, by_sep in children.items():
            for sep, suffixes in by_sep.items():
                by_sep[sep] = [s for s in suffixes if f"{key}{sep}{s}" not in parents]
    families = []
    for key in names:
        by_sep = children.get(key, {})
        for sep in _SEPARATORS:
            if by_sep.get(sep):
                families.append(Family(key, _ordered(by_sep[sep]), sep))
                break
    return families


def _ordered(groups: Iterable[str]) -> tuple[str, ...]:
    # "real" first (the usual reference), then alphabetical: the same order for every input.
    return tuple(sorted(groups, key=lambda g: (g != "real", g)))


def _longest_parent(name: str, present: set[str]) -> str | None:
    # Walk the separator positions from the right: the first prefix that is a metric wins.
    for end in range(len(name) - 1, 0, -1):
        if name[end] in _SEPARATORS and name[:end] in present:
            return name[:end]
    return None


# -------------------------------------------------------------------------------------- summary


def summarise(scalars: Scalars, families: Sequence[Family], ref: str | None = None) -> list[Row]:
    """Each family member's value in its last logged window, and each group's ratio to ``ref``.

    Args:
        scalars: the loaded series.
        families: from :func:`find_families`.
        ref: the reference group; default ``real`` when the family has it, else its first group.

    Returns:
        For each family: the main key's row, then one row per group.
    """
    rows: list[Row] = []
    for family in families:
        reference = (
            ref if ref is not None else ("real" if "real" in family.groups else family.groups[0])
        )
        ref_history = scalars.get(family.name(reference)) if reference in family.groups else None
        ref_value = ref_history[-1][1] if ref_history else None
        main = scalars.get(family.key)
        if main:
            rows.append(Row(family.key, None, main[-1][0], main[-1][1], None, reference))
        for group in family.groups:
            iteration, value = scalars[family.name(group)][-1]
            ratio = None
            if ref_value is not None and ref_value != 0 and math.isfinite(ref_value):
                ratio = value / ref_value
            rows.append(Row(family.key, group, iteration, value, ratio, reference))
    return rows


def _print_table(rows: Sequence[Row], source: Path, out: TextIO) -> None:
    """Values and ratios alike with 6 significant digits; a main key's ratio is ``-``."""
    cells = [
        (r.key, r.group or "(main)", str(r.iteration), f"{r.value:.6g}",
         "-" if r.group is None or r.ratio is None else f"{r.ratio:.6g}")
        for r in rows
    ]
    header = ("term", "group", "iteration", "value", "ratio")
    widths = [max(len(c[i]) for c in [header, *cells]) for i in range(len(header))]
    print(f"{source}: each term's value in its last logged window", file=out)
    for cell in [header, *cells]:
        left = [f"{c:<{w}}" for c, w in zip(cell[:2], widths)]
        right = [f"{c:>{w}}" for c, w in zip(cell[2:], widths[2:])]
        print("  ".join(left + right), file=out)
    references: dict[str, list[str]] = {}  # reference group -> the terms whose ratios it gives
    for r in rows:
        terms = references.setdefault(r.reference, [])
        if r.key not in terms:
            terms.append(r.key)
    if len(references) == 1:
        print(f"ratio: value / the {next(iter(references))!r} group's value of the same term", file=out)
    else:
        listed = "; ".join(f"{ref!r} for {', '.join(keys)}" for ref, keys in references.items())
        print(f"ratio: value / the reference group's value of the same term ({listed})", file=out)


# ----------------------------------------------------------------------------------------- plot


def plot(
    scalars: Scalars,
    families: Sequence[Family],
    output: Path,
    *,
    title: str = "",
    logy: bool = False,
) -> None:
    """Draw one panel per family (main key and each group over iterations) into a PNG.

    Raises:
        CLIError: matplotlib is missing or the file cannot be written.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise CLIError(_INSTALL_MATPLOTLIB) from exc
    ncols = min(3, len(families))
    nrows = math.ceil(len(families) / ncols)
    # Figure (not pyplot): no global backend or figure state, works on headless machines.
    figure = Figure(figsize=(4.8 * ncols, 3.4 * nrows), layout="constrained")
    axes = figure.subplots(nrows, ncols, squeeze=False)
    for ax, family in zip(axes.flat, families, strict=False):
        if family.key in scalars:
            _line(ax, scalars[family.key], "main", color="black", linewidth=2.2)
        for group in family.groups:
            _line(ax, scalars[family.name(group)], group, linewidth=1.4)
        ax.set_title(family.key, fontsize=10)
        ax.set_xlabel("iteration")
        if logy:
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    for ax in list(axes.flat)[len(families) :]:
        ax.set_visible(False)
    if title:
        figure.suptitle(title, fontsize=10)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(output, dpi=110)
    except OSError as exc:
        raise CLIError(f"{output}: cannot write the plot: {exc}") from exc


def _line(ax: Any, history: History, label: str, **style: Any) -> None:
    xs = [step for step, _ in history]
    ys = [value for _, value in history]
    ax.plot(xs, ys, label=label, marker="." if len(xs) < 30 else None, **style)


# ----------------------------------------------------------------------------------------- main


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="losssplit",
        description="Plot and summarise per-source loss companions (K and K_<group> keys) "
        "from a detectron2-style metrics.json or a TensorBoard run directory.",
    )
    parser.add_argument("--version", action="version", version=f"losssplit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "metrics", type=Path, help="metrics.json, a TensorBoard run dir or event file"
        )
        p.add_argument(
            "--groups",
            help="comma-separated group suffixes (default: inferred from key names)",
        )

    p_plot = sub.add_parser("plot", help="draw every companion family into a PNG")
    common(p_plot)
    p_plot.add_argument(
        "-o", "--output", type=Path, help="PNG to write (default: losses.png beside METRICS)"
    )
    p_plot.add_argument("--logy", action="store_true", help="logarithmic y axis")

    p_summary = sub.add_parser("summary", help="print each term's per-source values, last window")
    common(p_summary)
    p_summary.add_argument(
        "--ref", help="group the ratios are taken to (default: real, else each term's first group)"
    )
    p_summary.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return parser


def _families(scalars: Scalars, source: Path, groups_arg: str | None) -> list[Family]:
    groups = [g for g in groups_arg.split(",") if g] if groups_arg else None
    families = find_families(scalars, groups)
    if not families:
        raise CLIError(
            f"{source}: no loss companions found (no key K with siblings K_<group> or K/<group>, "
            "e.g. loss_relation and loss_relation_real); was the criterion decorated with "
            "@split_by_source and its companions logged?"
        )
    return families


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``losssplit`` command line.

    Args:
        argv: arguments without the program name; default ``sys.argv[1:]``.

    Returns:
        The exit status: 0 on success, 1 on a user-facing error (one line on stderr).
    """
    args = _parser().parse_args(argv)
    try:
        scalars = load_scalars(args.metrics)
        families = _families(scalars, args.metrics, args.groups)
        if args.command == "plot":
            default_dir = args.metrics if args.metrics.is_dir() else args.metrics.parent
            output = args.output if args.output is not None else default_dir / "losses.png"
            plot(scalars, families, output, title=str(args.metrics), logy=args.logy)
            print(f"wrote {output} ({len(families)} terms)")
        else:
            if args.ref is not None and not any(args.ref in f.groups for f in families):
                known = ", ".join(sorted({g for f in families for g in f.groups}))
                raise CLIError(f"{args.metrics}: --ref {args.ref}: no such group (found: {known})")
            rows = summarise(scalars, families, args.ref)
            if args.json:
                print(json.dumps([row.__dict__ for row in rows], indent=1))
            else:
                _print_table(rows, args.metrics, sys.stdout)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler, not at exit
    except CLIError as exc:
        print(f"losssplit: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # the reader stopped early (`| head`): as other command-line tools, stop without a
        # traceback; stdout goes to devnull so that the flush at exit does not fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0
