"""Operating-system limits for the process that runs a learner's code (Linux).

The grader's worker process calls these on itself before any learner code
runs, in this order:

1. :func:`isolate_network` (while still single-threaded): a new, empty network
   namespace, so no socket can reach anything (not even localhost).
2. :func:`set_resource_limits`: address space, file size, no core dumps.
3. :func:`restrict_filesystem`: a Landlock ruleset - read-only access to the
   Python installation and system libraries, full access to the scratch folder
   only; the grading tests, solutions, other learners' files and the grade
   sheet are neither readable nor writable. Landlock also blocks TCP and
   signals to processes outside the sandbox.
4. :func:`drop_privileges`: when running as root, drop every capability for good.

Each function returns a short description of what it achieved (``""`` when the
kernel does not offer it), so the grader can say how well it is confined.
"""

from __future__ import annotations

import ctypes
import os
import resource
import sys
from collections.abc import Iterable

__all__ = [
    "drop_privileges",
    "isolate_network",
    "readable_roots",
    "restrict_filesystem",
    "set_resource_limits",
]

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_SYS_LANDLOCK_CREATE_RULESET, _SYS_LANDLOCK_ADD_RULE, _SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
_PR_SET_NO_NEW_PRIVS, _PR_CAPBSET_DROP = 38, 24

# Landlock filesystem rights by ABI version (see linux/landlock.h).
_FS_EXECUTE, _FS_WRITE_FILE, _FS_READ_FILE, _FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_FS_ABI1 = (1 << 13) - 1  # execute .. make_sym
_FS_REFER, _FS_TRUNCATE, _FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_FILE_ONLY = _FS_EXECUTE | _FS_WRITE_FILE | _FS_READ_FILE | _FS_TRUNCATE | _FS_IOCTL_DEV
_READ = _FS_EXECUTE | _FS_READ_FILE | _FS_READ_DIR
_SYSTEM_DIRS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/etc", "/sys", "/opt")

_libc = ctypes.CDLL(None, use_errno=True)


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def isolate_network() -> str:
    """Move this process into a new network namespace with no interfaces up.

    Must run before the process starts threads (an unprivileged user namespace
    requires a single-threaded caller). Returns "" when the kernel refuses.
    """
    if sys.platform != "linux":
        return ""
    flags = _CLONE_NEWNET if os.geteuid() == 0 else _CLONE_NEWUSER | _CLONE_NEWNET
    if _libc.unshare(flags) != 0:
        return ""
    return "network namespace"


def set_resource_limits(address_space_bytes: int | None, file_size_bytes: int) -> str:
    """Cap the address space (``None``: leave it), the size of written files, and core dumps."""
    done = []
    if address_space_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (address_space_bytes, address_space_bytes))
        done.append(f"address space {address_space_bytes >> 20} MB")
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_bytes, file_size_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    done.append(f"files {file_size_bytes >> 20} MB")
    return ", ".join(done)


def _is_within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def readable_roots(extra: Iterable[str] = ()) -> list[str]:
    """Folders the learner's code may read: system libraries, the Python installation, ``sys.path``."""
    candidates = [*_SYSTEM_DIRS, sys.prefix, sys.base_prefix, sys.exec_prefix, *extra]
    candidates += [p for p in sys.path if p and os.path.isabs(p)]
    roots = []
    for path in candidates:
        real = os.path.realpath(path)
        if os.path.exists(real) and real not in roots:
            roots.append(real)
    return roots


def _landlock_abi() -> int:
    if sys.platform != "linux":
        return 0
    abi = _libc.syscall(_SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return max(abi, 0)


def _add_rule(ruleset: int, path: str, access: int, handled: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        is_dir = os.path.isdir(path)
        allowed = access & handled & (~0 if is_dir else _FILE_ONLY)
        attr = _PathBeneath(allowed, fd)
        if _libc.syscall(_SYS_LANDLOCK_ADD_RULE, ruleset, 1, ctypes.byref(attr), 0) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"landlock_add_rule({path}): {os.strerror(err)}")
    finally:
        os.close(fd)


def _allow_tree(ruleset: int, root: str, access: int, handled: int, protected: list[str]) -> None:
    """Allow ``root`` except the protected paths inside it (allowing their siblings one by one)."""
    if any(_is_within(root, p) for p in protected):
        return
    if not any(_is_within(p, root) for p in protected):
        _add_rule(ruleset, root, access, handled)
        return
    try:
        entries = list(os.scandir(root))
    except OSError:
        return
    for entry in entries:
        if entry.is_symlink():  # its target is checked by the kernel on access
            continue
        path = os.path.realpath(entry.path)
        if entry.is_dir(follow_symlinks=False):
            _allow_tree(ruleset, path, access, handled, protected)
        elif not any(_is_within(path, p) for p in protected):
            _add_rule(ruleset, path, access, handled)


def restrict_filesystem(scratch: str, protected: Iterable[str], readable: Iterable[str] | None = None) -> str:
    """Landlock this process: read ``readable`` minus ``protected``, read and write ``scratch`` only.

    Also blocks TCP bind/connect and signals or abstract sockets reaching
    processes outside the sandbox, where the kernel supports it. Returns "" when
    Landlock is unavailable (the caller then relies on the other limits).
    """
    abi = _landlock_abi()
    if abi < 1:
        return ""
    handled = _FS_ABI1 | (_FS_REFER if abi >= 2 else 0) | (_FS_TRUNCATE if abi >= 3 else 0)
    handled |= _FS_IOCTL_DEV if abi >= 5 else 0
    attr = _RulesetAttr(handled, 0b11 if abi >= 4 else 0, 0b11 if abi >= 6 else 0)
    size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else (16 if abi >= 4 else 8)
    ruleset = _libc.syscall(_SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0)
    if ruleset < 0:
        return ""
    try:
        protected = [os.path.realpath(p) for p in protected]
        for root in readable_roots() if readable is None else readable:
            _allow_tree(ruleset, os.path.realpath(root), _READ, handled, protected)
        _add_rule(ruleset, f"/proc/{os.getpid()}", _READ, handled)
        for name in ("cpuinfo", "meminfo", "stat"):
            _add_rule(ruleset, f"/proc/{name}", _READ, handled)
        _add_rule(ruleset, "/dev", _READ | _FS_WRITE_FILE | _FS_IOCTL_DEV, handled)
        _add_rule(ruleset, os.path.realpath(scratch), handled, handled)
        if _libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return ""
        if _libc.syscall(_SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0) != 0:
            return ""
    finally:
        os.close(ruleset)
    return f"landlock v{abi} (files{', tcp' if abi >= 4 else ''}{', signals' if abi >= 6 else ''})"


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def drop_privileges() -> str:
    """As root: empty the capability bounding set and the current capabilities, for good."""
    if sys.platform != "linux" or os.geteuid() != 0:
        return ""
    for cap in range(64):
        _libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0)
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    if _libc.syscall(126, ctypes.byref(header), data) != 0:  # SYS_capset
        return ""
    return "no capabilities"
