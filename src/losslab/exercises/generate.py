"""Generate ``exercises/`` from ``solutions/`` (and check that the committed ones are current).

In a solution notebook, each graded cell (tagged ``solution``) holds one or more
regions::

    def to_one_hot(labels, num_classes):
        ### BEGIN SOLUTION
        ...
        ### END SOLUTION

In the exercise each region becomes a stub at the same indentation::

        # YOUR CODE HERE
        raise NotImplementedError("to_one_hot: replace this line with your code")

Outputs and execution counts are cleared. Usage::

    python -m losslab.exercises.generate           # rewrite exercises/
    python -m losslab.exercises.generate --check   # exit 1 if exercises/ differ from what would be written
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat

from losslab.exercises.nbtools import TAG_SOLUTION, NotebookError, cell_tags, read_notebook, repo_root

__all__ = ["BEGIN", "END", "STUB_COMMENT", "generate_all", "make_exercise", "main", "stub_cell_source"]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB_COMMENT = "# YOUR CODE HERE"
_DEF = re.compile(r"^\s*(?:async\s+)?def\s+(\w+)")


def stub_cell_source(source: str, where: str = "cell") -> str:
    """Replace every solution region of one cell's source by a stub; ``where`` names it in errors."""
    lines = source.splitlines()
    out: list[str] = []
    inside = False
    begin_indent = ""
    enclosing = None  # the innermost `def` above the region, named in the stub's message
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise NotebookError(f"{where}, line {number}: {BEGIN} inside another solution region")
            inside = True
            begin_indent = line[: len(line) - len(line.lstrip())]
            what = f"{enclosing}: replace" if enclosing else "Replace"
            out.append(f"{begin_indent}{STUB_COMMENT}")
            out.append(f'{begin_indent}raise NotImplementedError("{what} this line with your code")')
        elif stripped == END:
            if not inside:
                raise NotebookError(f"{where}, line {number}: {END} without a {BEGIN} above it")
            inside = False
        elif not inside:
            match = _DEF.match(line)
            if match:
                enclosing = match.group(1)
            out.append(line)
    if inside:
        raise NotebookError(f"{where}: {BEGIN} is never closed by {END}")
    return "\n".join(out)


def make_exercise(solution: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """The exercise notebook for one solution notebook (a new object; the input is untouched)."""
    exercise = copy.deepcopy(solution)
    exercise.metadata.pop("widgets", None)  # saved widget state belongs to an executed notebook
    n_regions = 0
    for index, cell in enumerate(exercise.cells):
        where = f"{name}, cell {index}"
        has_markers = any(line.strip() == BEGIN for line in cell.source.splitlines())
        if has_markers:
            if cell.cell_type != "code":
                raise NotebookError(f"{where}: solution markers belong in code cells")
            if TAG_SOLUTION not in cell_tags(cell):
                raise NotebookError(
                    f"{where}: has {BEGIN} but no '{TAG_SOLUTION}' tag; add the tag "
                    "(the grader runs only tagged cells)"
                )
            n_regions += 1
            cell.source = stub_cell_source(cell.source, where)
        elif TAG_SOLUTION in cell_tags(cell):
            raise NotebookError(f"{where}: tagged '{TAG_SOLUTION}' but holds no {BEGIN} region")
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    if n_regions == 0:
        raise NotebookError(f"{name}: no {BEGIN} regions, so the exercise would give nothing to do")
    return exercise


def _render(nb: nbformat.NotebookNode) -> str:
    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


def generate_all(root: Path, check: bool = False) -> list[str]:
    """Write (or with ``check``, compare) every exercise; return a list of problems found."""
    solutions = sorted((root / "solutions").glob("*.ipynb"))
    exercises_dir = root / "exercises"
    problems: list[str] = []
    expected_names = set()
    for solution_path in solutions:
        target = exercises_dir / solution_path.name
        expected_names.add(target.name)
        text = _render(make_exercise(read_notebook(solution_path), solution_path.name))
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        if check:
            state = "is missing" if current is None else "differs from its solution"
            problems.append(f"exercises/{target.name} {state}")
        else:
            exercises_dir.mkdir(exist_ok=True)
            target.write_text(text, encoding="utf-8")
    for stale in sorted(exercises_dir.glob("*.ipynb")):
        if stale.name not in expected_names:
            if check:
                problems.append(f"exercises/{stale.name} has no solutions/{stale.name}")
            else:
                stale.unlink()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m losslab.exercises.generate", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on any difference")
    parser.add_argument("--root", type=Path, default=None, help="course checkout (default: this one)")
    args = parser.parse_args(argv)
    root = args.root or repo_root()
    try:
        problems = generate_all(root, check=args.check)
    except NotebookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if problems:
        print("\n".join(problems))
        print("Run `python -m losslab.exercises.generate` to regenerate exercises/ from solutions/.")
        return 1
    print("exercises/ match solutions/." if args.check else "exercises/ regenerated from solutions/.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
