"""Control groups for the grader's workers: memory and process-count limits on a whole process tree.

Every process a learner's code starts (``fork()``, ``setsid()`` and fork again,
threads too) stays in its worker's control group, so the limits cover all of
them and :meth:`ProcessGroup.kill` ends every one. Linux only, run as root; cgroup
v2 (``/sys/fs/cgroup/cgroup.controllers``) or v1 (``memory`` and ``pids``
hierarchies). :func:`available` says whether this machine allows it.

    group = ProcessGroup.create("w1", memory_bytes=512 << 20, max_pids=128)
    group.add(pid)               # a host process id
    group.oom_killed()           # the kernel killed something for memory
    group.kill(); group.remove() # every process in it, then the group
"""

from __future__ import annotations

import atexit
import os
import signal
import time
from pathlib import Path

__all__ = ["ProcessGroup", "available", "remove_parent"]

_ROOT = Path("/sys/fs/cgroup")
_PARENT = f"losslab-grader-{os.getpid()}"
_CLEANUP_REGISTERED = False


def _version() -> int:
    if (_ROOT / "cgroup.controllers").is_file():
        return 2
    if (_ROOT / "memory" / "cgroup.procs").is_file() and (_ROOT / "pids" / "cgroup.procs").is_file():
        return 1
    return 0


def available() -> str:
    """ "cgroup v1" / "cgroup v2" when this process may create limited groups, else ""."""
    version = _version()
    if version == 0 or os.geteuid() != 0:
        return ""
    try:
        group = ProcessGroup.create("probe", 64 << 20, 8)
        group.remove()
    except OSError:
        return ""
    return f"cgroup v{version}"


class ProcessGroup:
    """One control group (v2) or a pair of memory + pids groups (v1)."""

    def __init__(self, folders: list[Path], version: int):
        self.folders, self.version = folders, version

    @classmethod
    def create(cls, name: str, memory_bytes: int, max_pids: int) -> ProcessGroup:
        global _CLEANUP_REGISTERED
        version = _version()
        if not _CLEANUP_REGISTERED:  # the parent groups go when this process ends
            atexit.register(remove_parent)
            _CLEANUP_REGISTERED = True
        if version == 2:
            parent = _ROOT / _PARENT
            if not parent.is_dir():
                parent.mkdir()
                (parent / "cgroup.subtree_control").write_text("+memory +pids")
            folder = parent / name
            folder.mkdir(exist_ok=True)
            (folder / "memory.max").write_text(str(memory_bytes))
            if (folder / "memory.swap.max").exists():
                (folder / "memory.swap.max").write_text("0")
            (folder / "pids.max").write_text(str(max_pids))
            return cls([folder], 2)
        if version == 1:
            memory = _ROOT / "memory" / _PARENT / name
            pids = _ROOT / "pids" / _PARENT / name
            memory.mkdir(parents=True, exist_ok=True)
            pids.mkdir(parents=True, exist_ok=True)
            (memory / "memory.limit_in_bytes").write_text(str(memory_bytes))
            swap = memory / "memory.memsw.limit_in_bytes"
            if swap.exists():
                try:
                    swap.write_text(str(memory_bytes))
                except OSError:
                    pass
            (pids / "pids.max").write_text(str(max_pids))
            return cls([memory, pids], 1)
        raise OSError("no cgroup memory and pids controllers here")

    def add(self, pid: int) -> None:
        for folder in self.folders:
            (folder / "cgroup.procs").write_text(str(pid))

    def pids(self) -> set[int]:
        found: set[int] = set()
        for folder in self.folders:
            try:
                found.update(int(line) for line in (folder / "cgroup.procs").read_text().split())
            except (OSError, ValueError):
                pass
        return found

    def memory_bytes(self) -> int:
        name = "memory.current" if self.version == 2 else "memory.usage_in_bytes"
        try:
            return int((self.folders[0] / name).read_text())
        except (OSError, ValueError):
            return 0

    def oom_killed(self) -> bool:
        """Whether the kernel killed a process of this group for using too much memory."""
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            for line in (self.folders[0] / name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill" and int(value) > 0:
                    return True
        except (OSError, ValueError):
            pass
        return False

    def kill(self, patience: float = 5.0) -> None:
        """SIGKILL every process of the group, again until none is left (a fork race loses: pids.max)."""
        if self.version == 2:
            kill_file = self.folders[0] / "cgroup.kill"
            if kill_file.exists():
                try:
                    kill_file.write_text("1")
                except OSError:
                    pass
        deadline = time.monotonic() + patience
        while (pids := self.pids()) and time.monotonic() < deadline:
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.01)

    def remove(self) -> None:
        """Delete the group (after :meth:`kill`); a group that still has processes stays."""
        for folder in self.folders:
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)


def remove_parent() -> None:
    """Delete this grader's parent groups (at exit, once every worker's group is removed)."""
    for folder in (_ROOT / _PARENT, _ROOT / "memory" / _PARENT, _ROOT / "pids" / _PARENT):
        try:
            folder.rmdir()
        except OSError:
            pass
