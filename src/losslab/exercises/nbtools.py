"""Reading course notebooks and running their graded cells.

Cell tags give cells their roles (set in ``solutions/``, carried into ``exercises/``):

* ``imports``  - the notebook's single imports/setup cell;
* ``solution`` - a cell holding ``### BEGIN SOLUTION`` / ``### END SOLUTION`` (in an
  exercise: the learner's stub to fill in);
* ``check``    - a self-check cell (``check(...)``), skipped when grading.

Graded code is the ``imports`` cell followed by every ``solution`` cell, in order.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat

from losslab.environment.paths import repo_root

__all__ = [
    "COURSE_DIRS",
    "NotebookError",
    "TAG_CHECK",
    "TAG_IMPORTS",
    "TAG_SOLUTION",
    "cell_tags",
    "exec_graded_cells",
    "graded_source",
    "read_notebook",
    "repo_root",
]

TAG_IMPORTS = "imports"
TAG_SOLUTION = "solution"
TAG_CHECK = "check"
COURSE_DIRS = ("notebooks", "solutions", "exercises")


class NotebookError(ValueError):
    """A notebook file that cannot be used; the message says what to do."""


def read_notebook(path: str | Path) -> nbformat.NotebookNode:
    """Read and validate a notebook, with errors a learner or instructor can act on."""
    path = Path(path)
    if not path.is_file():
        raise NotebookError(f"{path}: no such notebook file")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise NotebookError(f"{path}: not a text file ({exc}); hand in the .ipynb itself") from exc
    except json.JSONDecodeError as exc:
        raise NotebookError(
            f"{path}: not valid notebook JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "the file was damaged, e.g. edited in a text editor or cut short - "
            "download it again from JupyterLab (File > Download)"
        ) from exc
    if not isinstance(raw, dict) or "cells" not in raw:
        raise NotebookError(f"{path}: JSON, but not a Jupyter notebook (no 'cells' list)")
    try:
        nb = nbformat.reads(json.dumps(raw), as_version=4)
        nbformat.validate(nb)
    except Exception as exc:
        raise NotebookError(f"{path}: not a valid nbformat-4 notebook ({exc})") from exc
    return nb


def cell_tags(cell: Any) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def graded_source(nb: nbformat.NotebookNode) -> list[str]:
    """Sources of the cells that define graded objects: the imports cell, then solution cells."""
    sources = [
        cell.source
        for cell in nb.cells
        if cell.cell_type == "code" and {TAG_IMPORTS, TAG_SOLUTION} & set(cell_tags(cell))
    ]
    if not sources:
        raise NotebookError(
            "no cells tagged 'imports' or 'solution' - was the notebook built from exercises/?"
        )
    return sources


def exec_graded_cells(
    path: str | Path,
    namespace: dict[str, Any] | None = None,
    tolerate: tuple[type[BaseException], ...] = (),
) -> dict[str, Any]:
    """Execute a notebook's graded cells in this process; return the resulting namespace.

    For trusted notebooks (tests of our own solutions and exercises). A cell that
    raises one of ``tolerate`` (e.g. an exercise stub's ``NotImplementedError``) is
    skipped and the next cell runs. The grader runs learners' notebooks in a
    separate, limited process instead.
    """
    nb = read_notebook(path)
    namespace = {"__name__": "__losslab_graded__"} if namespace is None else namespace
    for i, source in enumerate(graded_source(nb)):
        code = compile(_strip_magics(source), f"{Path(path).name}[graded cell {i}]", "exec")
        try:
            exec(code, namespace)  # noqa: S102 - running notebook code is the point
        except tolerate:
            continue
    return namespace


def _strip_magics(source: str) -> str:
    """Drop IPython magics and shell escapes, which plain Python cannot run."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
