"""Execute course notebooks in place, top to bottom, so they are committed with outputs.

    python -m losslab.exercises.execute notebooks/01_multiclass_vs_multilabel.ipynb [more.ipynb ...]

Uses the ``python3`` kernel of the current environment. Prints the wall time of
each notebook (to stdout of this command, never into the notebook).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat

__all__ = ["execute_notebook", "main"]


def execute_notebook(
    path: str | Path, timeout: int = 600, allow_errors: bool = False, save: bool = True
) -> tuple[nbformat.NotebookNode, float]:
    """Run every cell of ``path`` in a fresh kernel (cwd = the notebook's folder).

    Returns the executed notebook and the wall time in seconds; writes it back
    when ``save`` is true. Raises ``nbclient.exceptions.CellExecutionError`` on the
    first failing cell unless ``allow_errors``.
    """
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # timestamps would change on every run
    if save:
        text = nbformat.writes(nb, version=4)
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    return nb, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m losslab.exercises.execute", description=__doc__.splitlines()[0]
    )
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        _, seconds = execute_notebook(path, timeout=args.timeout)
        print(f"{path}: {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
