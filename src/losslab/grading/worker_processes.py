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
import functools
import json
import os
import select
import shutil
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

from losslab.grading import bubblewrap, cgroups, wire

__all__ = [
    "INTERFERED",
    "STARTUP_SECONDS",
    "Limits",
    "WorkerLost",
    "WorkerProcess",
    "new_scratch",
    "sandbox_status",
    "unconfined_warning",
    "start_fork_server",
    "stop_all_workers",
]

INTERFERED = (
    "interfered with grading: the grader received a message it did not send for "
    "(the notebook's code wrote to the grader's connection, or sent something malformed)"
)
STARTUP_SECONDS = 180.0  # starting the fork server imports TensorFlow: slow on a busy machine


@dataclass(frozen=True)
class Limits:
    """Limits for one learner notebook.

    Attributes:
        timeout: seconds for running the graded cells, and again for each check.
        memory_mb: memory the learner's code may use beyond the worker's start (TensorFlow
            itself); watched every 50 ms (with control groups: the memory charged to every process
            the worker started; else the worker's resident memory), the worker is killed above it.
            With control groups a hard limit a little above it stops whatever the watch misses.
        address_space_slack_mb: the hard limit (RLIMIT_AS) on the worker's address space is its
            size at start + ``memory_mb`` + this slack (TensorFlow reserves address space it never
            touches; beyond the limit an allocation raises MemoryError in the learner's code).
        file_size_mb: largest file the learner's code may write in its scratch folder.
        budget_factor: the whole notebook gets ``budget_factor * timeout`` seconds; checks
            still waiting after that fail without running.
        max_processes: processes and threads the learner's code may have at once (a cgroup's
            pids limit, with bubblewrap; TensorFlow's own threads count too).
    """

    timeout: float = 60.0
    memory_mb: int = 2048
    address_space_slack_mb: int = 2048
    file_size_mb: int = 64
    budget_factor: float = 6.0
    max_processes: int = 256


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


_LIVE_WORKERS: dict[int, cgroups.ProcessGroup | None] = {}  # host pid -> its control group
_STOPPING = threading.Event()
_SCRATCH_ROOT: Path | None = None
_GROUP_NUMBERS = iter(range(1, 1 << 62))


def stop_all_workers() -> None:
    """Kill every running worker and start no new one (e.g. after Ctrl-C): running grades end at once."""
    _STOPPING.set()
    for pid in list(_LIVE_WORKERS):
        _kill(pid)


def _kill(pid: int) -> None:
    """SIGKILL a worker and, when it has a control group, every process it started (setsid or not)."""
    group = _LIVE_WORKERS.pop(pid, None)
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except OSError:
            pass
    if group is not None:
        group.kill()
        group.remove()


def _scratch_root() -> Path:
    """The folder holding every notebook's scratch folder; the only writable one in the sandbox."""
    global _SCRATCH_ROOT
    if _SCRATCH_ROOT is None:
        _SCRATCH_ROOT = Path(tempfile.mkdtemp(prefix="losslab-grading-"))
        os.chmod(_SCRATCH_ROOT, 0o711)
        atexit.register(shutil.rmtree, _SCRATCH_ROOT, True)
    return _SCRATCH_ROOT


def new_scratch() -> Path:
    """A fresh scratch folder for one notebook, inside the sandbox's writable folder, owned by its user."""
    folder = Path(tempfile.mkdtemp(prefix="nb-", dir=_scratch_root()))
    if bubblewrap.available() and bubblewrap.unprivileged():
        os.chown(folder, bubblewrap.SANDBOX_UID, bubblewrap.SANDBOX_UID)
    return folder


@functools.cache
def sandbox_status() -> dict[str, str]:
    """How learner code is confined on this machine: the sandbox and the control groups ("" = missing)."""
    return {"sandbox": bubblewrap.available(), "cgroups": cgroups.available()}


def unconfined_warning() -> str:
    """What to tell the instructor when learner code runs without bubblewrap or control groups ("" if not)."""
    status = sandbox_status()
    if not status["sandbox"]:
        return (
            "WARNING: bubblewrap (bwrap) is not available, so learner code runs under the grader's own, "
            "weaker confinement (no separate file system or process namespace). On Linux install it "
            "(Debian/Ubuntu: apt-get install bubblewrap); on macOS grade on a Linux machine for real classes."
        )
    if not status["cgroups"]:
        return (
            "warning: no cgroup limits (run as root on Linux for them): processes a learner's code starts "
            "are ended with the sandbox, but their memory is not counted against --memory"
        )
    return ""


class _ForkServer:
    """The process that imports TensorFlow once and forks a fresh worker per notebook."""

    _lock = threading.Lock()
    _instance: _ForkServer | None = None

    def __init__(self):
        from losslab.exercises import suites

        self.control, child = socket.socketpair()
        argv = [sys.executable, "-I", "-m", "losslab.grading.worker", str(child.fileno())]
        self.sandboxed = bool(bubblewrap.available())
        if self.sandboxed:
            hidden = Path(suites.__file__).resolve().parent
            argv = bubblewrap.command(argv, _scratch_root(), hidden=[hidden])
        self.host_pid: int | None = None  # the fork server's own host pid, when sandboxed
        self.process = subprocess.Popen(
            argv,
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
    def fork(cls, config: dict, fds: tuple[int, int]) -> tuple[int, bool]:
        """A new worker's host process id, and whether it is in the sandbox (the server starts on first use)."""
        if _STOPPING.is_set():
            raise WorkerLost("was not started: grading was interrupted")
        with cls._lock:
            for _ in range(2):
                if cls._instance is None or cls._instance.process.poll() is not None:
                    cls._instance = cls()
                    atexit.register(cls._instance.shutdown)
                server = cls._instance
                try:
                    socket.send_fds(server.control, [json.dumps(config).encode("utf-8")], list(fds))
                    reply = json.loads(server.replies.readline())
                    pid = int(reply["pid"])
                    if not server.sandboxed:
                        return pid, False
                    namespace = str(reply["pidns"])
                    if server.host_pid is None:
                        server.host_pid = bubblewrap.host_pid(namespace, int(reply["server"]), None)
                    host = bubblewrap.host_pid(namespace, pid, server.host_pid)
                    if host is None:
                        raise ValueError("the new worker is not in the sandbox's process list")
                    return host, True
                except (OSError, ValueError, KeyError, TypeError):
                    server.stop()
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
        cgroups.remove_parent()


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
        config["sandbox"] = sandbox_status()["sandbox"]
        self.group: cgroups.ProcessGroup | None = None
        try:
            self.pid, sandboxed = _ForkServer.fork(config, (child.fileno(), log_fd))
            _LIVE_WORKERS[self.pid] = None
            if sandboxed and sandbox_status()["cgroups"]:
                # before the worker runs any learner code: it waits for the grader's "exec"
                # the hard limit is a backstop above --memory: near it the kernel reclaims the
                # worker's own code pages and it crawls; the watch below stops it at --memory first
                hard_limit = (limits.memory_mb + max(256, limits.memory_mb // 4)) << 20
                self.group = cgroups.ProcessGroup.create(
                    f"w{next(_GROUP_NUMBERS)}", hard_limit, limits.max_processes
                )
                _LIVE_WORKERS[self.pid] = self.group
                self.group.add(self.pid)
        except BaseException:
            parent.close()
            if getattr(self, "pid", None):
                _kill(self.pid)
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
            if self.group is not None:  # every process of the learner's code, not only the worker
                over = self.group.memory_bytes() > self.limits.memory_mb << 20
            else:
                over = (
                    self.base_rss_kb is not None
                    and self.rss_kb() - self.base_rss_kb > self.limits.memory_mb * 1024
                )
            if over:
                self.stop()
                raise WorkerLost(f"used more than {self.limits.memory_mb} MB of memory and was stopped")
            if ready:
                try:
                    return wire.receive_message(self.sock, deadline)
                except TimeoutError:
                    self.stop()
                    raise WorkerLost(
                        "did not finish in time (an infinite loop, or a very slow computation?)"
                    ) from None
                except wire.WireError:
                    self.stop()
                    raise WorkerLost(INTERFERED) from None
                except (EOFError, OSError, RecursionError, MemoryError):
                    reason = self._death_reason()
                    self.stop()
                    raise WorkerLost(reason) from None

    def _death_reason(self) -> str:
        deadline = time.monotonic() + 2
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        if self.group is not None and self.group.oom_killed():
            return f"used more than {self.limits.memory_mb} MB of memory and was stopped"
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
