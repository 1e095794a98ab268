"""Benchmark ``losslab grade``: a synthetic class of learners against running the solutions once.

    .venv/bin/python benchmarks/grade_class.py [--learners 30] [--jobs 2] [--exercises 01,02,03]

The class: every learner hands in every chosen exercise; two learners in three hand
in the solution, the third the untouched exercise (stubs raise NotImplementedError
at once, so they are the cheap case). Reported:

* wall time of ``grade_class`` for the whole class, per learner and per notebook;
* the baseline: executing each solution's graded cells once, (a) in a fresh
  Python process (interpreter + TensorFlow import + cells: what any grader that
  starts a process per notebook pays at least) and (b) in-process, TensorFlow
  already imported (the cells alone);
* per exercise: mean seconds to grade one notebook (worker + every check).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from losslab.exercises.nbtools import exec_graded_cells, repo_root
from losslab.grading.command import exercise_suites, grade_class
from losslab.grading.sandbox import Limits

ROOT = repo_root()


def build_class(folder: Path, exercises: list[str], learners: int) -> None:
    for i in range(learners):
        learner = folder / f"learner{i:02d}"
        learner.mkdir(parents=True)
        for exercise in exercises:
            source = ROOT / ("exercises" if i % 3 == 2 else "solutions") / f"{exercise}.ipynb"
            nb = nbformat.read(source, as_version=4)
            for cell in nb.cells:
                if cell.cell_type == "code":
                    cell.outputs, cell.execution_count = [], None
            nbformat.write(nb, learner / f"{exercise}.ipynb")


def cold_seconds(exercise: str) -> float:
    """A fresh Python: import losslab, run the solution's graded cells, exit."""
    code = (
        "from losslab.exercises.nbtools import exec_graded_cells\n"
        f"exec_graded_cells({str(ROOT / 'solutions' / (exercise + '.ipynb'))!r})"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - start


def warm_seconds(exercise: str) -> float:
    start = time.perf_counter()
    exec_graded_cells(ROOT / "solutions" / f"{exercise}.ipynb")
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--exercises", default="", help="comma-separated NN prefixes (default: all graded)")
    args = parser.parse_args()
    suites = exercise_suites()
    wanted = [p.strip() for p in args.exercises.split(",") if p.strip()]
    exercises = [
        e
        for e in suites
        if (ROOT / "solutions" / f"{e}.ipynb").is_file() and (not wanted or e.split("_")[0] in wanted)
    ]
    print(f"exercises: {', '.join(exercises)}; {args.learners} learners; --jobs {args.jobs}")
    print("load average before: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))

    cold = {e: cold_seconds(e) for e in exercises}
    from losslab.environment.runtime import import_tensorflow_quietly

    import_tensorflow_quietly()
    warm = {e: min(warm_seconds(e) for _ in range(2)) for e in exercises}

    with tempfile.TemporaryDirectory() as tmp:
        submissions, out = Path(tmp) / "class", Path(tmp) / "out"
        build_class(submissions, exercises, args.learners)
        start = time.perf_counter()
        grades = grade_class(
            submissions, out, jobs=args.jobs, limits=Limits(timeout=args.timeout), log=lambda _: None
        )
        total = time.perf_counter() - start

    notebooks = [g for g in grades if g.exercise in exercises]
    print("load average after: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    per_learner = total / args.learners
    cold_once, warm_once = sum(cold.values()), sum(warm.values())
    print(f"\ngraded {len(notebooks)} notebooks in {total:.1f} s wall")
    print(f"  per learner ({len(exercises)} notebooks): {per_learner:.2f} s")
    print(f"  per notebook: {total / len(notebooks):.2f} s")
    print("\nbaseline, executing every solution's graded cells once:")
    print(f"  fresh process each (Python + TensorFlow import + cells): {cold_once:.2f} s")
    print(f"  in-process, TensorFlow already imported (cells only):     {warm_once:.2f} s")
    print(f"  time per learner / fresh-process baseline: {per_learner / cold_once:.2f}x")
    print(f"  time per learner / in-process baseline:    {per_learner / warm_once:.1f}x")
    print(f"\n{'exercise':<36} {'fresh run':>10} {'cells':>8} {'grade 1 nb':>11} {'points (solution)':>18}")
    for e in exercises:
        mine = [g for g in notebooks if g.exercise == e]
        solved = [g for g in mine if g.points == g.max_points]
        mean = statistics.mean(g.seconds for g in mine)
        print(
            f"{e:<36} {cold[e]:>9.2f}s {warm[e]:>7.2f}s {mean:>10.2f}s "
            f"{len(solved):>4} of {len(mine):<3} full marks"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
