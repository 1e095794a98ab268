"""The bubblewrap sandbox: its command line, and what a process inside can see."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import losslab
from losslab.grading import bubblewrap

needs_bwrap = pytest.mark.skipif(
    shutil.which("bwrap") is None or sys.platform != "linux", reason="bubblewrap is not installed"
)


def test_the_command_line_isolates_and_mounts_only_the_environment(tmp_path):
    hidden = Path(losslab.__file__).resolve().parent / "exercises" / "suites"
    args = bubblewrap.command(["python3", "-c", "pass"], tmp_path, hidden=[hidden])
    assert args[0] == "bwrap" and args[-3:] == ["python3", "-c", "pass"]
    for flag in ("--die-with-parent", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--new-session"):
        assert flag in args
    binds = [args[i + 1] for i, a in enumerate(args) if a in ("--ro-bind", "--bind")]
    repo = Path(losslab.__file__).resolve().parents[2]
    assert str(repo) not in binds and not any(b.startswith(str(repo / "solutions")) for b in binds)
    assert str(tmp_path) in binds and "/etc" not in binds
    assert args[args.index(str(hidden)) - 1] == "--tmpfs"


@needs_bwrap
def test_inside_the_sandbox_nothing_of_the_host_is_reachable(tmp_path):
    if not bubblewrap.available():
        pytest.skip("bubblewrap is installed but cannot start a sandbox here")
    os.chmod(tmp_path, 0o777)
    probe = (
        "import os, socket\n"
        "print(os.getuid())\n"
        "print(sorted(os.listdir('/dev')))\n"
        "print(os.path.exists('/etc/shadow'), os.path.exists('/root/.ssh'), len(os.listdir('/tmp')))\n"
        "s = socket.socket()\n"
        "try:\n    s.connect(('127.0.0.1', 22)); print('connected')\nexcept OSError as e:\n    print('no network')\n"
        "print(len([p for p in os.listdir('/proc') if p.isdigit()]))\n"
    )
    args = bubblewrap.command([sys.executable, "-I", "-c", probe], tmp_path)
    # /tmp inside is a fresh tmpfs holding only the mount points of what is bound below the host's /tmp:
    # the scratch root, and the environment and package when the checkout itself lives under /tmp.
    bound = [Path(args[i + 2]) for i, a in enumerate(args) if a in ("--ro-bind", "--bind")]
    under_tmp = {
        b.relative_to("/tmp").parts[0] for b in bound if b.is_relative_to("/tmp") and b != Path("/tmp")
    }
    result = subprocess.run(
        args,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    uid, devices, files, network, processes = result.stdout.splitlines()
    if bubblewrap.unprivileged():
        assert uid == str(bubblewrap.SANDBOX_UID)
    assert "kmsg" not in devices and "console" not in devices and "null" in devices
    assert files == f"False False {len(under_tmp)}"  # no /etc/shadow, no home folders, nothing else in /tmp
    assert network == "no network"
    assert int(processes) <= 3  # its own PID namespace: bwrap's init, python (and maybe one more)
