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
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from losslab.exercises.checks import Check, CheckResult, run_checks
from losslab.exercises.nbtools import NotebookError, cell_tags, graded_source, read_notebook
from losslab.grading import wire
from losslab.grading.code_review import review_function
from losslab.grading.remote_objects import RemoteFunction, opaque, rebuild_keras_model, reraise
from losslab.grading.worker_processes import (
    INTERFERED,
    STARTUP_SECONDS,
    Limits,
    WorkerLost,
    WorkerProcess,
    new_scratch,
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
        self.cell_errors: dict[int, str] = {}
        self.worker: WorkerProcess | None = None
        self.deadline = 0.0
        self.confinement: dict[str, str] = {}
        self.seq = 0
        self.targets: frozenset[str] = frozenset()

    def start(self) -> None:
        """Start a worker and run the graded cells; a cell that hangs or kills it is skipped next time.

        Every message is checked: anything the grader did not ask for (a forged or
        malformed message from the learner's code) ends that worker like a crash would.
        """
        while True:
            self.worker = WorkerProcess(self.scratch, self.limits, self.protected)
            ready = self.worker.receive(time.monotonic() + STARTUP_SECONDS)
            if ready.get("op") != "ready":
                self.worker.stop()
                raise WorkerLost("the grading worker did not start")
            limits = ready.get("limits")
            if isinstance(limits, dict):
                self.confinement = {str(k)[:40]: str(v)[:200] for k, v in list(limits.items())[:20]}
            group = self.worker.group
            self.confinement["cgroups"] = (
                f"memory {self.limits.memory_mb} MB, {self.limits.max_processes} processes" if group else ""
            )
            self.worker.base_rss_kb = self.worker.rss_kb()
            current = None
            try:
                self.worker.send(
                    {"op": "exec", "cells": list(enumerate(self.cells)), "skip": sorted(self.skip)}
                )
                deadline = time.monotonic() + self.limits.timeout
                while (message := self.worker.receive(deadline))["op"] != "exec_done":
                    index = message.get("index")
                    if type(index) is not int or not 0 <= index < len(self.cells) or index in self.skip:
                        self._interfered()
                    if message["op"] == "cell_start":
                        current = index
                    elif message["op"] == "cell_done" and index == current:
                        error = message.get("error")
                        if error is not None and not isinstance(error, dict):
                            self._interfered()
                        if error:
                            self.cell_errors[index] = _describe_error(error)
                    else:
                        self._interfered()
                if len(message) != 1:
                    self._interfered()
                return
            except WorkerLost as lost:
                if not isinstance(current, int) or current in self.skip:
                    raise
                self.skip.add(current)
                self.cell_errors[current] = f"the code {lost.reason}; this cell was skipped"

    def _interfered(self) -> None:
        """A message the grader did not ask for: stop this worker, blame the step that was running."""
        if self.worker is not None:
            self.worker.stop()
        raise WorkerLost(INTERFERED)

    def request(self, message: dict, expected: tuple[str, ...]) -> dict:
        """Send a request; its reply must be of an ``expected`` kind and answer *this* request.

        Each request carries a new sequence number that its reply repeats, so a stale or
        early reply (sent by the learner's code, or left over from an earlier call) is refused.
        """
        if self.worker is None or not self.worker.alive():
            self.start()
            self.deadline = max(self.deadline, time.monotonic() + self.limits.timeout)
        self.seq += 1
        self.worker.send({**message, "seq": self.seq})
        reply = self.worker.receive(self.deadline)
        if reply["op"] not in expected or reply.get("seq") != self.seq:
            self._interfered()
        return reply

    def _decode(self, value: Any) -> Any:
        import tensorflow as tf

        try:
            return wire.decode(value, make_tensor=tf.constant, resolve=self._resolve)
        except (wire.WireError, RecursionError, TypeError, ValueError, KeyError, MemoryError):
            self._interfered()

    def call(self, message: dict) -> Any:
        reply = self.request(message, ("raised", "result"))
        if reply["op"] == "raised":
            error = reply.get("error")
            if not isinstance(error, dict) or set(reply) != {"op", "error", "seq"}:
                self._interfered()
            reraise(error)
        if set(reply) != {"op", "value", "seq"}:
            self._interfered()
        return self._decode(reply["value"])

    def _resolve(self, description: dict) -> Any:
        """Callables returned by the learner's functions become callable here too."""
        handle = description.get("handle")
        if description.get("$") == "callable":
            if not (isinstance(handle, str) and handle.startswith("#") and len(handle) < 20):
                self._interfered()
            name = description.get("name")
            name = name[:100] if isinstance(name, str) and name.isidentifier() else "function"
            return RemoteFunction(self, name, _params(description.get("params")), handle)
        if description.get("$") == "keras_model":
            return rebuild_keras_model(description)
        return opaque(description)

    def _attach_code(self, remote: RemoteFunction, name: str) -> None:
        """Give ``remote`` the grader's own review of ``name`` in the graded cells (never the worker's word).

        Checks read it (e.g. which library functions it calls): see :mod:`losslab.grading.code_review`.
        """
        review = review_function(self.cells, name, judged_apart=self.targets)
        remote._losslab_review = review
        if review.codes:
            remote.__code__ = review.codes[0]

    def describe(self, names: Iterable[str]) -> dict[str, Any]:
        names = sorted(set(names))
        self.targets = frozenset(names)
        reply = self.request({"op": "describe", "targets": names}, ("described",))
        targets = reply.get("targets")
        if (
            set(reply) != {"op", "targets", "seq"}
            or not isinstance(targets, dict)
            or set(targets) - set(names)
        ):
            self._interfered()
        found: dict[str, Any] = {}
        for name, desc in targets.items():
            if isinstance(desc, dict) and desc.get("$") == "missing":
                continue
            if isinstance(desc, dict) and desc.get("$") == "callable":
                found[name] = RemoteFunction(self, name, _params(desc.get("params")))
                self._attach_code(found[name], name)
            else:
                found[name] = self._decode(desc)
        return found

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()


_TEST_ENDED = (
    "the grading test itself stopped with {} (not your code's fault: tell your instructor); "
    "it gives no points"
)


def _params(params: Any) -> list | None:
    """A function's parameters as the worker described them, or None when malformed."""
    if not isinstance(params, list) or len(params) > 64:
        return None
    for p in params:
        if not (
            isinstance(p, dict)
            and isinstance(p.get("name"), str)
            and p["name"].isidentifier()
            and type(p.get("kind")) is int
            and 0 <= p["kind"] <= 4
            and set(p) <= {"name", "kind", "default"}
        ):
            return None
    return params


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
    line = error.get("line")
    where = f" (line {line})" if type(line) is int and 0 < line < 10**7 else ""
    kind = error.get("type")
    kind = kind[:80] if isinstance(kind, str) and kind.isidentifier() else "an exception"
    message = error.get("message")
    message = message[:300] if isinstance(message, str) else ""
    return f"raised {kind}: {message}{where}"


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
    except (NotebookError, RecursionError, MemoryError, ValueError, TypeError, AttributeError) as exc:
        message = str(exc).replace(str(path), Path(path).name)[:300]
        if not isinstance(exc, NotebookError):
            message = f"the notebook could not be read ({type(exc).__name__}: nested too deeply or malformed)"
        return NotebookOutcome(
            [CheckResult(c, False, "not run: the notebook could not be read") for c in checks], [message]
        )
    scratch = new_scratch()
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
            except KeyboardInterrupt:
                if threading.current_thread() is threading.main_thread():
                    raise  # Ctrl-C; in a grading thread it can only come from a test
                results.append(CheckResult(check_, False, _TEST_ENDED.format("KeyboardInterrupt")))
            except BaseException as exc:  # noqa: BLE001 - a private test that calls sys.exit() or worse
                results.append(CheckResult(check_, False, _TEST_ENDED.format(type(exc).__name__)))
    finally:
        session.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    problems += [f"{_cell_label(cells, i)}: {text}" for i, text in sorted(session.cell_errors.items())]
    return NotebookOutcome(results, problems, session.confinement)
