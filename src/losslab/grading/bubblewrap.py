"""The grader's sandbox: bubblewrap (``bwrap``), the tool Flatpak uses to confine applications.

The fork server that runs learners' notebooks starts inside one bubblewrap
sandbox per grading run:

* new PID, network, mount, IPC and UTS namespaces (``--unshare-*``): no network
  at all (not even the host's named or abstract Unix sockets), no other process
  visible or reachable, and when the sandbox ends every process in it ends;
* a fresh root file system: ``/usr``, the Python installation and the course
  package mounted read-only; the package's check suites hidden under an empty
  folder; a minimal ``/dev`` (no ``/dev/kmsg``, no console), a private ``/proc``
  and ``/tmp``; no ``/etc`` (so no ``/etc/shadow``), no home folders, no solutions,
  no submissions; only the run's scratch folder is writable;
* an unprivileged user (``nobody``, uid 65534, no capabilities) when the grader
  runs as root, through ``setpriv``; otherwise bubblewrap's own user namespace;
* ``--die-with-parent``: the sandbox ends if the grader does.

:func:`command` builds the command line; :func:`available` says whether
bubblewrap is installed and works here (it is Linux-only: on macOS the grader
falls back to its own confinement and says so).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["SANDBOX_UID", "available", "command", "host_pid", "unprivileged"]

SANDBOX_UID = 65534  # "nobody"


def unprivileged() -> bool:
    """Whether the sandbox runs its processes as uid 65534 (the grader is root and has ``setpriv``)."""
    return os.geteuid() == 0 and shutil.which("setpriv") is not None


def _readable_roots(package: Path) -> list[Path]:
    """What the sandbox mounts read-only: the Python installation(s) and the package itself.

    Not ``sys.path`` as a whole: under pytest or ``python -m`` it holds the course's
    own folder, with the solutions and tests.
    """
    import site

    candidates = [Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix), package]
    candidates += [Path(p) for p in site.getsitepackages() if os.path.isdir(p)]
    roots: list[Path] = []
    for candidate in candidates:
        real = candidate.resolve()
        if real == Path("/") or real == Path("/usr") or Path("/usr") in real.parents:
            continue  # /usr is mounted whole
        if not any(real == r or r in real.parents for r in roots):
            roots = [r for r in roots if real not in r.parents] + [real]
    return sorted(roots)


def _parents(paths: Sequence[Path]) -> list[str]:
    """Every folder above ``paths``, created world-readable so the sandbox's user can reach them."""
    folders: set[str] = set()
    for path in paths:
        for parent in path.parents:
            if parent != Path("/"):
                folders.add(str(parent))
    return sorted(folders, key=lambda p: (p.count("/"), p))


def command(argv: Sequence[str], scratch_root: Path, hidden: Sequence[Path] = ()) -> list[str]:
    """The command line running ``argv`` inside the sandbox, with ``scratch_root`` writable.

    ``hidden`` lists folders inside the mounted trees to replace by empty ones
    (the check suites).
    """
    import losslab

    package = Path(losslab.__file__).resolve().parent
    roots = _readable_roots(package)
    args = ["bwrap", "--die-with-parent", "--new-session"]
    args += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    if unprivileged():
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]  # only for setpriv, dropped there
    else:
        args += ["--unshare-user"]
    args += ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "lib", "lib64", "lib32", "sbin"):
        target = Path("/") / name
        if target.is_symlink():
            args += ["--symlink", os.readlink(target), str(target)]
        elif target.is_dir():
            args += ["--ro-bind", str(target), str(target)]
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "01777", "--tmpfs", "/tmp"]
    for folder in _parents([*roots, scratch_root]):
        if folder not in ("/usr", "/tmp", "/proc", "/dev"):
            args += ["--perms", "0755", "--dir", folder]
    for root in roots:
        args += ["--ro-bind", str(root), str(root)]
    for folder in hidden:
        args += ["--perms", "0555", "--tmpfs", str(Path(folder).resolve())]
    args += ["--bind", str(scratch_root), str(scratch_root), "--chdir", str(scratch_root)]
    args += ["--"]
    if unprivileged():
        uid = str(SANDBOX_UID)
        args += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
        args += ["--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]
    return args + list(argv)


@functools.cache
def available() -> str:
    """ "" when bubblewrap is missing or cannot start a sandbox here, else its version line."""
    if sys.platform != "linux" or shutil.which("bwrap") is None:
        return ""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="losslab-bwrap-probe-") as folder:
        os.chmod(folder, 0o755)
        try:
            probe = subprocess.run(
                command([sys.executable, "-I", "-c", "import os; print(os.getuid())"], Path(folder)),
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            version = subprocess.run(["bwrap", "--version"], capture_output=True, text=True, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return ""
    if probe.returncode != 0:
        return ""
    return version.stdout.strip() or "bubblewrap"


def host_pid(pid_namespace: str, pid: int, parent: int | None) -> int | None:
    """The host's process id of process ``pid`` of the sandbox's PID namespace (``pid:[inode]``)."""
    with os.scandir("/proc") as entries:
        names = [entry.name for entry in entries if entry.name.isdigit()]
    for name in names:
        try:
            if os.readlink(f"/proc/{name}/ns/pid") != pid_namespace:
                continue
            with open(f"/proc/{name}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
            if int(fields["NSpid"].split()[-1]) == pid and (parent is None or int(fields["PPid"]) == parent):
                return int(name)
        except (OSError, KeyError, ValueError):
            continue
    return None
