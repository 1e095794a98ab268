"""The grader's worker processes: a fork server that imports TensorFlow once, one confined worker per notebook.

:class:`WorkerProcess` is one worker (forked by the fork server, so TensorFlow is
not imported again) and the socket to it; :meth:`WorkerProcess.receive` waits for
its next message while enforcing the time and memory limits. Learner code runs
only in the worker (see :mod:`losslab.grading.worker`); when it hangs, blows up
memory or ends the process, the caller gets :class:`WorkerLost` with a reason
written for the learner.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from losslab.grading import wire

__all__ = [
    "STARTUP_SECONDS",
    "Limits",
    "WorkerLost",
    "WorkerProcess",
    "start_fork_server",
    "stop_all_workers",
]

STARTUP_SECONDS = 180.0  # starting the fork server imports TensorFlow: slow on a busy machine


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


class WorkerLost(BaseException):  # noqa: N818 - not an error of the check: escapes run_one on purpose
    """The worker was killed or died during a request; ``reason`` says why, for the learner."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


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
            [sys.executable, "-I", "-m", "losslab.grading.worker", str(child.fileno())],
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


class WorkerProcess:
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
        except BaseException:
            parent.close()
            raise
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


def start_fork_server() -> None:
    """Start the process that forks workers now, from the calling (main) thread, not on first use.

    Also imports TensorFlow here (quietly), for the checks that run in this process.
    """
    from losslab.environment.runtime import import_tensorflow_quietly

    _ForkServer.start()
    import_tensorflow_quietly()
