"""Run the grading checks of one learner notebook, the learner's code confined in its own process.

The learner's graded cells run in a worker process (:mod:`losslab.sandbox_worker`)
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

import atexit
import builtins
import inspect
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from losslab import wire
from losslab.checks import Check, CheckResult, run_checks
from losslab.nbtools import NotebookError, cell_tags, graded_source, read_notebook
from losslab.sandbox_worker import compile_cell

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

_STARTUP_SECONDS = 180.0


@dataclass(frozen=True)
class Limits:
    """Limits for one learner notebook.

    Attributes:
        timeout: seconds for running the graded cells, and again for each check.
        memory_mb: resident memory the worker may use beyond its start (TensorFlow itself);
            watched every 50 ms, the worker is killed above it.
        address_space_slack_mb: the hard limit (RLIMIT_AS) on the worker's address space is its
            size at start + ``memory_mb`` + this slack (TensorFlow reserves address space it never
            touches; beyond the limit an allocation raises MemoryError in the learner's code).
        file_size_mb: largest file the learner's code may write in its scratch folder.
        budget_factor: the whole notebook gets ``budget_factor * timeout`` seconds; checks
            still waiting after that fail without running.
    """

    timeout: float = 60.0
    memory_mb: int = 2048
    address_space_slack_mb: int = 2048
    file_size_mb: int = 64
    budget_factor: float = 6.0


@dataclass
class NotebookOutcome:
    """Results of the checks (same order as given) and notes on what went wrong while running."""

    results: list[CheckResult]
    problems: list[str] = field(default_factory=list)
    confinement: dict[str, str] = field(default_factory=dict)


class WorkerLost(BaseException):  # noqa: N818 - not an error of the check: escapes run_one on purpose
    """The worker was killed or died during a request; ``reason`` says why, for the learner."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def notebook_cells(path: str | Path) -> tuple[list[str], str]:
    """The graded cells' sources of a notebook, and a note when they had to be guessed.

    Raises :class:`~losslab.nbtools.NotebookError` for a file that is no notebook.
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


_WORKER_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "MPLBACKEND": "agg",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "KERAS_BACKEND": "tensorflow",
    "CUDA_VISIBLE_DEVICES": "",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
}


_LIVE_WORKERS: set[int] = set()
_STOPPING = threading.Event()


def stop_all_workers() -> None:
    """Kill every running worker and start no new one (e.g. after Ctrl-C): running grades end at once."""
    _STOPPING.set()
    for pid in list(_LIVE_WORKERS):
        _kill(pid)


def _kill(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except OSError:
            pass
    _LIVE_WORKERS.discard(pid)


class _ForkServer:
    """The process that imports TensorFlow once and forks a fresh worker per notebook."""

    _lock = threading.Lock()
    _instance: _ForkServer | None = None

    def __init__(self):
        self.control, child = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-m", "losslab.sandbox_worker", str(child.fileno())],
            pass_fds=(child.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**_WORKER_ENV, "HOME": tempfile.gettempdir()},
            start_new_session=True,
        )
        child.close()
        self.replies = self.control.makefile("rb")

    @classmethod
    def start(cls) -> None:
        """Start the fork server now (call from the main thread: it ends with the thread that started it)."""
        with cls._lock:
            if cls._instance is None or cls._instance.process.poll() is not None:
                cls._instance = cls()
                atexit.register(cls._instance.shutdown)

    @classmethod
    def fork(cls, config: dict, fds: tuple[int, int]) -> int:
        """A new worker's process id (the fork server is started on first use)."""
        if _STOPPING.is_set():
            raise WorkerLost("was not started: grading was interrupted")
        with cls._lock:
            for _ in range(2):
                if cls._instance is None or cls._instance.process.poll() is not None:
                    cls._instance = cls()
                    atexit.register(cls._instance.shutdown)
                try:
                    socket.send_fds(cls._instance.control, [json.dumps(config).encode("utf-8")], list(fds))
                    reply = cls._instance.replies.readline()
                    return int(json.loads(reply)["pid"])
                except (OSError, ValueError, KeyError):
                    cls._instance.stop()
                    cls._instance = None
            raise WorkerLost("could not be started: the grader's fork server failed")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.control.close()

    def shutdown(self) -> None:
        """Stop the fork server and every worker still running (at exit)."""
        self.stop()
        for pid in list(_LIVE_WORKERS):
            _kill(pid)


class _Worker:
    """One worker process (a child of the fork server) and the socket to it."""

    def __init__(self, scratch: Path, limits: Limits, protected: Sequence[str]):
        self.limits = limits
        parent, child = socket.socketpair()
        config = {
            "scratch": str(scratch),
            "protected": list(protected),
            "file_size_mb": limits.file_size_mb,
            "address_space_mb": limits.memory_mb + limits.address_space_slack_mb,
            "env": {
                "HOME": str(scratch),
                "TMPDIR": str(scratch),
                "MPLCONFIGDIR": str(scratch / ".matplotlib"),
            },
        }
        self.log_path = scratch / ".worker-output.txt"
        log_fd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            self.pid = _ForkServer.fork(config, (child.fileno(), log_fd))
            _LIVE_WORKERS.add(self.pid)
        finally:
            child.close()
            os.close(log_fd)
        self.sock = parent
        self.stopped = False
        self.base_rss_kb: int | None = None

    def alive(self) -> bool:
        if self.stopped:
            return False
        if not os.path.isdir("/proc/self"):  # no procfs (macOS): ask the kernel
            try:
                os.kill(self.pid, 0)
            except OSError:
                return False
            return True
        try:
            with open(f"/proc/{self.pid}/stat") as stat:
                return stat.read().rsplit(")", 1)[-1].split()[0] not in ("Z", "X")
        except OSError:
            return False

    def rss_kb(self) -> int:
        try:
            with open(f"/proc/{self.pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def send(self, message: dict) -> None:
        try:
            wire.send_message(self.sock, message)
        except OSError:
            raise WorkerLost(self._death_reason()) from None

    def receive(self, deadline: float) -> dict:
        """The next message, watching the deadline and the memory use while waiting."""
        while True:
            now = time.monotonic()
            if now >= deadline:
                self.stop()
                raise WorkerLost("did not finish in time (an infinite loop, or a very slow computation?)")
            ready, _, _ = select.select([self.sock], [], [], min(0.05, deadline - now))
            if (
                self.base_rss_kb is not None
                and self.rss_kb() - self.base_rss_kb > self.limits.memory_mb * 1024
            ):
                self.stop()
                raise WorkerLost(f"used more than {self.limits.memory_mb} MB of memory and was stopped")
            if ready:
                self.sock.settimeout(max(deadline - time.monotonic(), 1.0))
                try:
                    return wire.receive_message(self.sock)
                except (EOFError, OSError, wire.WireError, RecursionError):
                    reason = self._death_reason()
                    self.stop()
                    raise WorkerLost(reason) from None

    def _death_reason(self) -> str:
        deadline = time.monotonic() + 2
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        if self.alive():
            return "broke the connection to the grader"
        return "ended its process (os._exit, a crash, or running out of memory)"

    def stop(self) -> None:
        self.stopped = True
        _kill(self.pid)
        self.sock.close()


def _reraise(error: dict) -> None:
    """Raise, here, an exception standing for the one the learner's code raised."""
    import tensorflow as tf

    name = error.get("type") if str(error.get("type", "")).isidentifier() else "LearnerError"
    base: type[Exception] = Exception
    for module, cls_name in error.get("mro", []):
        if module == "builtins" and cls_name not in (
            "BaseException",
            "SystemExit",
            "KeyboardInterrupt",
            "GeneratorExit",
        ):
            candidate = getattr(builtins, str(cls_name), None)
            if isinstance(candidate, type) and issubclass(candidate, Exception):
                base = candidate
                break
        if str(module).startswith("tensorflow") and hasattr(tf.errors, str(cls_name)):
            base = getattr(tf.errors, cls_name)
            break
    message = str(error.get("message", ""))
    if name == "SystemExit":
        message = f"your code called sys.exit({message})"
    if issubclass(base, tf.errors.OpError):
        exc: Exception = base(None, None, message)
    else:
        cls = base if base.__name__ == name else type(name, (base,), {})
        exc = cls(message)
    func = error.get("func") if str(error.get("func", "")).isidentifier() else "learner_code"
    line = error.get("line") if isinstance(error.get("line"), int) and error["line"] > 0 else 1
    code = compile(
        "\n" * (line - 1) + f"def {func}(): raise _exc", f"<graded cell {error.get('cell')}>", "exec"
    )
    scope: dict[str, Any] = {"_exc": exc}
    exec(code, scope)  # noqa: S102 - our own two-line code, to give the traceback the learner's line
    scope[func]()


def _opaque(description: dict) -> wire.Opaque:
    """A stand-in named like the learner's class, so messages say "returned a Anything"."""
    name = str(description.get("type", description.get("name", "object")))
    cls = type(name, (wire.Opaque,), {}) if name.isidentifier() else wire.Opaque
    return cls(name, str(description.get("repr", ""))[:200])


def _rebuild_keras_model(description: dict) -> Any:
    """The learner's Keras model, rebuilt here from its config and weights (Keras' safe mode: no code).

    Compiled the same way when the learner compiled it; its metrics are built (by one
    evaluation on zeros) when the learner's were, as they are after ``fit``.
    """
    import keras
    import numpy as np

    try:
        model = keras.models.model_from_json(str(description["config"]))
        weights = [wire.decode(w) for w in description.get("weights", [])]
        if weights:
            model.set_weights(weights)
        if description.get("compile"):
            model.compile_from_config(json.loads(description["compile"]))
            if description.get("metrics_built") and len(model.inputs) == 1 and len(model.outputs) == 1:
                x = np.zeros((1, *model.inputs[0].shape[1:]), model.inputs[0].dtype)
                y = np.zeros((1, *model.outputs[0].shape[1:]), "float32")
                model.evaluate(x, y, verbose=0)
    except Exception as exc:  # noqa: BLE001 - custom layers, losses, anything Keras refuses to rebuild
        return _opaque({"type": "Model", "repr": f"a Keras model the grader cannot rebuild: {exc}"[:200]})
    return model


class RemoteFunction:
    """A learner's function as the checks see it: calls go to the worker, data comes back."""

    def __init__(self, session: _Session, name: str, params: list | None, target: str | None = None):
        self._session = session
        self._target = target or name
        self.__name__ = self.__qualname__ = name
        if params is not None:
            try:
                self.__signature__ = inspect.Signature(
                    [
                        inspect.Parameter(
                            p["name"],
                            inspect._ParameterKind(p["kind"]),
                            default=wire.decode(p["default"]) if "default" in p else inspect.Parameter.empty,
                        )
                        for p in params
                    ]
                )
            except (TypeError, ValueError, KeyError, wire.WireError):
                pass

    def __repr__(self) -> str:
        return f"<learner's function {self.__name__}>"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        import tensorflow as tf

        encoded = {
            "target": self._target,
            "args": wire.encode(list(args)),
            "kwargs": wire.encode(list(kwargs.items())),
        }
        value = self._session.call({"op": "call", **encoded})
        flat = list(args) + list(kwargs.values())
        wrt = [
            i for i, a in enumerate(flat) if isinstance(a, tf.Tensor | tf.Variable) and a.dtype.is_floating
        ]
        if not (wrt and isinstance(value, tf.Tensor) and value.dtype.is_floating):
            return value
        inputs = [tf.identity(flat[i]) for i in wrt]

        @tf.custom_gradient
        def remote(*_inputs):
            def grad(upstream):
                message = {"op": "vjp", **encoded, "wrt": wrt, "upstream": wire.encode(upstream)}
                grads = self._session.call(message)
                if not isinstance(grads, list) or len(grads) != len(wrt):
                    return [None] * len(wrt)
                grads = [g if isinstance(g, tf.Tensor) else None for g in grads]
                return grads[0] if len(grads) == 1 else grads

            return tf.identity(value), grad

        return remote(*inputs)


class _Session:
    """The worker of one notebook, restarted after the learner's code kills or hangs it."""

    def __init__(self, cells: list[str], scratch: Path, limits: Limits, protected: Sequence[str]):
        self.cells, self.scratch, self.limits, self.protected = cells, scratch, limits, protected
        self.skip: set[int] = set()
        self._compiled: dict[int, types.CodeType] = {}
        self.cell_errors: dict[int, str] = {}
        self.worker: _Worker | None = None
        self.deadline = 0.0
        self.confinement: dict[str, str] = {}

    def start(self) -> None:
        """Start a worker and run the graded cells; a cell that hangs or kills it is skipped next time."""
        while True:
            self.worker = _Worker(self.scratch, self.limits, self.protected)
            ready = self.worker.receive(time.monotonic() + _STARTUP_SECONDS)
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
            _reraise(reply.get("error", {}))
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
            return _rebuild_keras_model(description)
        return _opaque(description)

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


def start_fork_server() -> None:
    """Start the process that forks workers now, from the calling (main) thread, not on first use.

    Also imports TensorFlow here (quietly), for the checks that run in this process.
    """
    from losslab.runtime import import_tensorflow_quietly

    _ForkServer.start()
    import_tensorflow_quietly()


def protected_paths(*extra: str | Path) -> list[str]:
    """Paths no learner code may read: the check suites, the course's solutions and tests, and ``extra``."""
    import losslab.suites
    from losslab.nbtools import repo_root

    root = repo_root()
    paths = [Path(losslab.suites.__file__).parent, root / "solutions", root / "tests", root / ".git", *extra]
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
    from losslab.runtime import import_tensorflow_quietly

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
    budget_end = time.monotonic() + limits.budget_factor * limits.timeout + _STARTUP_SECONDS
    try:
        session.deadline = time.monotonic() + _STARTUP_SECONDS
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
