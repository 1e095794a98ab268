"""Benchmark the course: execute every lesson and solution, against the same run's floor.

    .venv/bin/python benchmarks/course.py [--only 01,09] [--floor-runs 3]

Each notebook runs top to bottom in a fresh ``python3`` kernel with nbclient (as
``python -m losslab.exercises.execute`` does, but nothing is saved). The *floor* is a
notebook whose only cell is ``setup_notebook()``: kernel start plus importing
TensorFlow and Keras, the least any lesson pays. After one uncounted warm-up run
(cold disk caches), it is measured several times during the same run (the median
is used), so the ratio ``wall / floor`` stays meaningful on a machine whose load changes. Prints a Markdown table; exits 1 when
a lesson takes 60 s or more (the course's budget on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

import nbformat

from losslab.exercises.execute import execute_notebook
from losslab.exercises.nbtools import repo_root

ROOT = repo_root()
BUDGET_SECONDS = 60.0


def floor_seconds() -> float:
    """Wall time of a notebook that only runs ``setup_notebook()`` (kernel start + TensorFlow import)."""
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("from losslab.environment.runtime import setup_notebook\n\nsetup_notebook()")]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "floor.ipynb"
        nbformat.write(nb, path)
        _, seconds = execute_notebook(path, save=False)
    return seconds


def course_notebooks(only: set[str] | None = None) -> list[Path]:
    """Lessons, then solutions, in course order (``only``: lesson numbers such as ``{"01", "09"}``)."""
    found = []
    for folder in ("notebooks", "solutions"):
        for path in sorted((ROOT / folder).glob("[0-9][0-9]_*.ipynb")):
            if only is None or path.name[:2] in only:
                found.append(path)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=None, help="comma-separated lesson numbers, e.g. 01,09")
    parser.add_argument(
        "--floor-runs", type=int, default=3, help="how often to measure the floor (spread over the run)"
    )
    args = parser.parse_args(argv)
    only = set(args.only.split(",")) if args.only else None
    notebooks = course_notebooks(only)
    if not notebooks:
        print("no notebooks to run", file=sys.stderr)
        return 2

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"{len(notebooks)} notebooks, {os.cpu_count()} CPU cores, load average {load:.1f} at start",
        flush=True,
    )

    floor_seconds()  # warm-up, not counted: the first kernel start reads every library from disk
    floor_at = {round(i * len(notebooks) / args.floor_runs) for i in range(args.floor_runs)}
    floors: list[float] = []
    results: list[tuple[Path, float | None, str]] = []
    for i, path in enumerate(notebooks):
        if i in floor_at:
            floors.append(floor_seconds())
            print(f"  floor: {floors[-1]:.1f} s", flush=True)
        try:
            _, seconds = execute_notebook(path, save=False)
            results.append((path, seconds, ""))
            print(f"  {path.relative_to(ROOT)}: {seconds:.1f} s", flush=True)
        except Exception as exc:  # report and go on: one broken notebook should not hide the others
            results.append((path, None, f"{type(exc).__name__}: {str(exc).splitlines()[0][:80]}"))
            print(f"  {path.relative_to(ROOT)}: FAILED ({results[-1][2]})", flush=True)
    floor = statistics.median(floors)

    print()
    print(
        f"Floor (kernel start + `setup_notebook()`, i.e. TensorFlow import): median {floor:.1f} s "
        f"of {len(floors)} runs ({min(floors):.1f}-{max(floors):.1f} s)."
    )
    print()
    print("| notebook | wall time (s) | floor (s) | wall / floor | note |")
    print("|---|---:|---:|---:|---|")
    over = []
    for path, seconds, error in results:
        name = str(path.relative_to(ROOT))
        if seconds is None:
            print(f"| {name} | – | {floor:.1f} | – | failed: {error} |")
            continue
        note = ""
        if path.parent.name == "notebooks" and seconds >= BUDGET_SECONDS:
            note = f"over the {BUDGET_SECONDS:.0f} s budget"
            over.append(name)
        print(f"| {name} | {seconds:.1f} | {floor:.1f} | {seconds / floor:.1f}× | {note} |")
    lessons = [s for p, s, _ in results if s is not None and p.parent.name == "notebooks"]
    if lessons:
        print()
        print(f"Lessons: total {sum(lessons):.0f} s, slowest {max(lessons):.1f} s.")
    if over:
        print(f"Over budget: {', '.join(over)}")
    failed = [str(p.relative_to(ROOT)) for p, s, _ in results if s is None]
    if failed:
        print(f"Failed: {', '.join(failed)}")
    return 1 if over or failed else 0


if __name__ == "__main__":
    sys.exit(main())
