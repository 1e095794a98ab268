"""Run the grading checks of one learner notebook, the learner's code confined in its own process.

The learner's graded cells run in a worker process (:mod:`losslab.grading.worker`)
with a time limit, a memory limit, no network and a scratch folder holding only
a copy of the notebook. The checks themselves run here, in the grader: each
learner function reaches them as a :class:`RemoteFunction` that forwards the
call to the worker and brings back plain data (arrays, tensors, numbers, lists),
so a learner cannot change how a result is judged. Gradients flow too: a
GradientTape here sees the learner's function as one op whose gradient the
worker computes.

When the learner's code hangs, exhausts memory or ends its process, only the
check (or graded cell) running at that moment fails; the worker is restarted
for the rest.

    outcome = grade_notebook("alice/02_softmax.ipynb", checks, Limits(timeout=30))
    outcome.results   # list[CheckResult], in the order of ``checks``
    outcome.problems  # notes for the learner: cells that failed, hangs, crashes
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from losslab.exercises.checks import Check, CheckResult, run_checks
from losslab.exercises.nbtools import NotebookError, cell_tags, graded_source, read_notebook
from losslab.grading import wire
from losslab.grading.remote_objects import RemoteFunction, opaque, rebuild_keras_model, reraise
from losslab.grading.worker import compile_cell
from losslab.grading.worker_processes import (
    STARTUP_SECONDS,
    Limits,
    WorkerLost,
    WorkerProcess,
    start_fork_server,
    stop_all_workers,
)

__all__ = [
    "Limits",
    "NotebookOutcome",
    "RemoteFunction",
    "WorkerLost",
    "grade_notebook",
    "notebook_cells",
    "protected_paths",
    "start_fork_server",
    "stop_all_workers",
]


@dataclass
class NotebookOutcome:
    """Results of the checks (same order as given) and notes on what went wrong while running."""

    results: list[CheckResult]
    problems: list[str] = field(default_factory=list)
    confinement: dict[str, str] = field(default_factory=dict)


def notebook_cells(path: str | Path) -> tuple[list[str], str]:
    """The graded cells' sources of a notebook, and a note when they had to be guessed.

    Raises :class:`~losslab.exercises.nbtools.NotebookError` for a file that is no notebook.
    """
    nb = read_notebook(path)
    try:
        return graded_source(nb), ""
    except NotebookError:
        cells = [c.source for c in nb.cells if c.cell_type == "code" and "check(" not in c.source]
        if not cells:
            raise NotebookError("the notebook has no code cells") from None
        tagless = [c for c in nb.cells if c.cell_type == "code" and not cell_tags(c)]
        note = (
            "the notebook's cells lost their tags ('imports', 'solution'), so every code cell "
            f"without a check(...) call was run ({len(tagless)} untagged cells)"
        )
        return cells, note


class _Session:
    """The worker of one notebook, restarted after the learner's code kills or hangs it."""

    def __init__(self, cells: list[str], scratch: Path, limits: Limits, protected: Sequence[str]):
        self.cells, self.scratch, self.limits, self.protected = cells, scratch, limits, protected
        self.skip: set[int] = set()
        self._compiled: dict[int, types.CodeType] = {}
        self.cell_errors: dict[int, str] = {}
        self.worker: WorkerProcess | None = None
        self.deadline = 0.0
        self.confinement: dict[str, str] = {}

    def start(self) -> None:
        """Start a worker and run the graded cells; a cell that hangs or kills it is skipped next time."""
        while True:
            self.worker = WorkerProcess(self.scratch, self.limits, self.protected)
            ready = self.worker.receive(time.monotonic() + STARTUP_SECONDS)
            if ready.get("op") != "ready":
                raise WorkerLost("the grading worker did not start")
            self.confinement = {k: str(v) for k, v in dict(ready.get("limits", {})).items()}
            self.worker.base_rss_kb = self.worker.rss_kb()
            current = None
            try:
                self.worker.send(
                    {"op": "exec", "cells": list(enumerate(self.cells)), "skip": sorted(self.skip)}
                )
                deadline = time.monotonic() + self.limits.timeout
                while (message := self.worker.receive(deadline))["op"] != "exec_done":
                    if message["op"] == "cell_start":
                        current = message.get("index")
                    elif message["op"] == "cell_done" and message.get("error"):
                        self.cell_errors[message.get("index")] = _describe_error(message["error"])
                return
            except WorkerLost as lost:
                if not isinstance(current, int) or current in self.skip:
                    raise
                self.skip.add(current)
                self.cell_errors[current] = f"the code {lost.reason}; this cell was skipped"

    def request(self, message: dict) -> dict:
        if self.worker is None or not self.worker.alive():
            self.start()
            self.deadline = max(self.deadline, time.monotonic() + self.limits.timeout)
        self.worker.send(message)
        return self.worker.receive(self.deadline)

    def call(self, message: dict) -> Any:
        import tensorflow as tf

        reply = self.request(message)
        if reply["op"] == "raised":
            reraise(reply.get("error", {}))
        if reply["op"] != "result":
            raise WorkerLost("sent an unexpected message")
        return wire.decode(reply.get("value"), make_tensor=tf.constant, resolve=self._resolve)

    def _resolve(self, description: dict) -> Any:
        """Callables returned by the learner's functions become callable here too."""
        handle = description.get("handle")
        if description.get("$") == "callable" and isinstance(handle, str) and handle.startswith("#"):
            remote = RemoteFunction(
                self, str(description.get("name") or "function"), description.get("params"), handle
            )
            self._attach_code(remote, description.get("code"))
            return remote
        if description.get("$") == "keras_model":
            return rebuild_keras_model(description)
        return opaque(description)

    def _attach_code(self, remote: RemoteFunction, where: Any) -> None:
        """Give ``remote`` the ``__code__`` of its ``def`` in the graded cells, compiled here, never run.

        Checks may read it (e.g. which library functions it calls); the worker only says
        where the function was defined, so a learner cannot hand over other code.
        """
        if not isinstance(where, dict):
            return
        try:
            index, name, line = int(where["cell"]), str(where["name"]), int(where["line"])
            if index not in self._compiled:
                self._compiled[index] = compile_cell(self.cells[index], index)
        except (KeyError, ValueError, TypeError, IndexError, SyntaxError, RecursionError, MemoryError):
            return
        stack = [self._compiled[index]]
        while stack:
            code = stack.pop()
            if code.co_name == name and code.co_firstlineno == line and code is not self._compiled[index]:
                remote.__code__ = code
                return
            stack.extend(c for c in code.co_consts if isinstance(c, types.CodeType))

    def describe(self, names: Iterable[str]) -> dict[str, Any]:
        import tensorflow as tf

        reply = self.request({"op": "describe", "targets": sorted(set(names))})
        found: dict[str, Any] = {}
        for name, desc in dict(reply.get("targets", {})).items():
            if isinstance(desc, dict) and desc.get("$") == "missing":
                continue
            if isinstance(desc, dict) and desc.get("$") == "callable":
                found[name] = RemoteFunction(self, name, desc.get("params"))
                self._attach_code(found[name], desc.get("code"))
            else:
                found[name] = wire.decode(desc, make_tensor=tf.constant, resolve=self._resolve)
        return found

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()


def protected_paths(*extra: str | Path) -> list[str]:
    """Paths no learner code may read: the check suites, the course's solutions and tests, and ``extra``."""
    import losslab.exercises.suites
    from losslab.environment.paths import repo_root

    root = repo_root()
    paths = [
        Path(losslab.exercises.suites.__file__).parent,
        root / "solutions",
        root / "tests",
        root / ".git",
        *extra,
    ]
    return [str(Path(p).resolve()) for p in paths]


def _cell_label(cells: Sequence[str], index: int) -> str:
    """How the feedback names a graded cell: by the functions it defines."""
    names = re.findall(r"^def (\w+)\(", cells[index], re.MULTILINE) if 0 <= index < len(cells) else []
    if names:
        return "the cell defining " + ", ".join(f"`{n}`" for n in names)
    return "the imports cell" if index == 0 else f"graded cell {index + 1}"


def _describe_error(error: dict) -> str:
    where = f" (line {error['line']})" if isinstance(error.get("line"), int) else ""
    return f"raised {str(error.get('type'))[:80]}: {str(error.get('message'))[:500]}{where}"


def grade_notebook(
    path: str | Path, checks: Sequence[Check], limits: Limits | None = None, protected: Sequence[str] = ()
) -> NotebookOutcome:
    """Run ``checks`` on the learner notebook at ``path``; never raises for a bad notebook.

    ``protected`` lists extra paths the learner's code must not read (the grading
    tests, the submissions, the output folder).
    """
    from losslab.environment.runtime import import_tensorflow_quietly

    import_tensorflow_quietly()
    limits = limits or Limits()
    try:
        cells, note = notebook_cells(path)
    except NotebookError as exc:
        message = str(exc).replace(str(path), Path(path).name)
        return NotebookOutcome(
            [CheckResult(c, False, "not run: the notebook could not be read") for c in checks], [message]
        )
    scratch = Path(tempfile.mkdtemp(prefix="losslab-grade-"))
    shutil.copyfile(path, scratch / Path(path).name)
    session = _Session(cells, scratch, limits, protected_paths(*protected))
    problems = [note] if note else []
    results: list[CheckResult] = []
    budget_end = time.monotonic() + limits.budget_factor * limits.timeout + STARTUP_SECONDS
    try:
        session.deadline = time.monotonic() + STARTUP_SECONDS
        try:
            namespace = session.describe(c.target for c in checks)
        except WorkerLost as lost:
            problems.append(f"your notebook could not be run: it {lost.reason}")
            namespace = None
        for check_ in checks:
            if namespace is None or time.monotonic() > budget_end:
                why = "not run: " + (
                    "the notebook could not be run" if namespace is None else "the notebook used up its time"
                )
                results.append(CheckResult(check_, False, why))
                continue
            session.deadline = time.monotonic() + limits.timeout
            try:
                results.append(run_checks([check_], namespace)[0])
            except WorkerLost as lost:
                results.append(CheckResult(check_, False, f"your code {lost.reason}"))
                session.stop()
    finally:
        session.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    problems += [f"{_cell_label(cells, i)}: {text}" for i, text in sorted(session.cell_errors.items())]
    return NotebookOutcome(results, problems, session.confinement)
