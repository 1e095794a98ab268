"""Export the exercises as an nbgrader course: ``source/<exercise>/<exercise>.ipynb`` from ``solutions/``.

    losslab nbgrader --out COURSE [EXERCISE ...]

writes, for each solution notebook (or the ones named), an nbgrader *source*
notebook with cell metadata in nbgrader's format (schema version 3, as
nbgrader 0.9 expects):

* the ``imports`` cell: read-only (``locked``), ``grade_id: imports``;
* each graded cell: ``solution: true``, ``grade_id: <function>`` - its
  ``### BEGIN SOLUTION`` / ``### END SOLUTION`` markers are nbgrader's own, so
  ``nbgrader generate_assignment`` makes the same stub the course's generator makes;
* each self-check cell (``check(fn)``): read-only, visible, a test cell worth 0 points
  (so ``nbgrader validate`` reports a failing self-check);
* after it, a new, fully hidden autograded cell ``test_<function>`` (``grade: true``,
  ``points`` = the points of all the function's checks in the course's suites),
  wrapped in ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS`` and calling
  :func:`losslab.grading.nbgrader_tests.points_for` for partial credit.

Every other cell is kept as it is; outputs are cleared. ``COURSE/nbgrader_config.py``
sets the course id and a cell time-out that fits the exercises. Then, in ``COURSE``::

    nbgrader generate_assignment 02_softmax_crossentropy   # release/: hidden tests removed
    nbgrader autograde 02_softmax_crossentropy             # submitted/<learner>/02_softmax_crossentropy/
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat

from losslab.exercises.generate import BEGIN
from losslab.exercises.nbtools import (
    TAG_CHECK,
    TAG_IMPORTS,
    TAG_SOLUTION,
    NotebookError,
    cell_tags,
    read_notebook,
    repo_root,
)
from losslab.grading.nbgrader_tests import total_points

__all__ = ["SCHEMA_VERSION", "export_course", "export_notebook", "hidden_test_source", "main"]

SCHEMA_VERSION = 3
CELL_TIMEOUT = 600  # seconds: exercise 09 trains a small CNN in its test
_DEF = re.compile(r"^def\s+(\w+)\s*\(", re.M)
_CHECKED = re.compile(r"check\(\s*(\w+)\s*\)")
_CONFIG = f'''"""nbgrader configuration for the Loss Lab exercises (written by `losslab nbgrader`)."""

c = get_config()  # noqa: F821 - provided by nbgrader
c.CourseDirectory.course_id = "losslab"
# Hidden tests import losslab's full suites: autograde where the instructor's losslab is installed.
c.ExecutePreprocessor.timeout = {CELL_TIMEOUT}
c.Execute.timeout = {CELL_TIMEOUT}
'''


def _meta(grade_id: str, *, grade: bool = False, solution: bool = False, locked: bool = False, points=None):
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": SCHEMA_VERSION,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return meta


def hidden_test_source(target: str) -> str:
    """The source of the hidden autograded cell for one graded function."""
    return (
        "### BEGIN HIDDEN TESTS\n"
        "from losslab.grading.nbgrader_tests import points_for\n\n"
        f'points_for("{target}", globals())\n'
        "### END HIDDEN TESTS"
    )


def export_notebook(solution: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """The nbgrader source notebook for one course solution notebook (a new object)."""
    nb = copy.deepcopy(solution)
    nb.metadata.pop("widgets", None)
    cells, tested = [], set()
    for index, cell in enumerate(nb.cells):
        where = f"{name}, cell {index}"
        tags = cell_tags(cell)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
        if TAG_IMPORTS in tags:
            cell.metadata["nbgrader"] = _meta("imports", locked=True)
        elif TAG_SOLUTION in tags:
            functions = _DEF.findall(cell.source)
            if not functions or BEGIN not in cell.source:
                raise NotebookError(f"{where}: a solution cell must define a function and hold {BEGIN}")
            cell.metadata["nbgrader"] = _meta(functions[0], solution=True)
        elif TAG_CHECK in tags:
            targets = _CHECKED.findall(cell.source)
            if len(targets) != 1:
                raise NotebookError(f"{where}: a check cell must be `check(function)` for one function")
            target = targets[0]
            # A 0-point test cell: `nbgrader validate` (the learner's Validate button) reports a failing
            # self-check; the points are all in the hidden cell below.
            cell.metadata["nbgrader"] = _meta(f"check_{target}", grade=True, locked=True, points=0)
            test = nbformat.v4.new_code_cell(hidden_test_source(target))
            test.id = f"test_{target}"[:64]  # deterministic, so re-exports are identical
            test.metadata["nbgrader"] = _meta(
                f"test_{target}", grade=True, locked=True, points=total_points(target)
            )
            cells.append(test)
            tested.add(target)
    solved = {
        c.metadata["nbgrader"]["grade_id"] for c in cells if c.metadata.get("nbgrader", {}).get("solution")
    }
    if not solved:
        raise NotebookError(f"{name}: no solution cells to export")
    if solved - tested:
        raise NotebookError(f"{name}: no check cell for {sorted(solved - tested)}, so nothing would grade it")
    nb.cells = cells
    nbformat.validate(nb)
    return nb


def export_course(
    out: str | Path, root: str | Path | None = None, exercises: list[str] | None = None
) -> list[Path]:
    """Write ``out/nbgrader_config.py`` and ``out/source/<NN_slug>/<NN_slug>.ipynb``; return the notebooks."""
    root = Path(root) if root is not None else repo_root()
    out = Path(out)
    solutions = sorted((root / "solutions").glob("*.ipynb"))
    if exercises:
        known = {p.stem: p for p in solutions}
        unknown = [e for e in exercises if e not in known]
        if unknown:
            raise NotebookError(f"no solutions/ notebook for {unknown}; known: {', '.join(known)}")
        solutions = [known[e] for e in exercises]
    if not solutions:
        raise NotebookError(f"no solution notebooks in {root / 'solutions'}")
    written = []
    for path in solutions:
        nb = export_notebook(read_notebook(path), path.name)
        target = out / "source" / path.stem / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        written.append(target)
    (out / "nbgrader_config.py").write_text(_CONFIG, encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="losslab nbgrader", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="the nbgrader course folder to write")
    parser.add_argument(
        "exercises", nargs="*", help="exercise stems (default: all), e.g. 02_softmax_crossentropy"
    )
    args = parser.parse_args(argv)
    try:
        written = export_course(args.out, exercises=args.exercises or None)
    except NotebookError as exc:
        print(f"losslab nbgrader: {exc}", file=sys.stderr)
        return 2
    for path in written:
        nb = nbformat.read(path, as_version=4)
        points = sum(c.metadata.get("nbgrader", {}).get("points", 0) for c in nb.cells)
        print(f"{path}  ({points} points)")
    print(f"Next: cd {args.out} && nbgrader generate_assignment <exercise>")
    return 0


if __name__ == "__main__":
    sys.exit(main())
