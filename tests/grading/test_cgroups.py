"""Control groups: limits and kills cover every process of a learner's code, setsid or not."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from losslab.grading import cgroups

pytestmark = pytest.mark.skipif(not cgroups.available(), reason="no cgroups here (needs root on Linux)")

ESCAPER = (
    "import os, time\n"
    "if os.fork() == 0:\n"
    "    os.setsid()\n"
    "    if os.fork() == 0:\n"
    "        time.sleep(60)\n"
    "    os._exit(0)\n"
    "time.sleep(60)\n"
)


def test_kill_ends_a_setsid_grandchild_too():
    group = cgroups.ProcessGroup.create("test-kill", 256 << 20, 32)
    process = subprocess.Popen([sys.executable, "-c", f"import time; time.sleep(0.5)\n{ESCAPER}"])
    try:
        group.add(process.pid)
        deadline = time.monotonic() + 20
        while len(group.pids()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        members = group.pids()
        assert len(members) >= 2, members  # the worker and its setsid() grandchild
        assert group.memory_bytes() > 0 and not group.oom_killed()
        group.kill()
        process.wait(10)
        assert group.pids() == set()
        assert not any(os.path.exists(f"/proc/{pid}/status") and _alive(pid) for pid in members)
    finally:
        group.kill()
        group.remove()


def test_the_memory_limit_covers_children():
    group = cgroups.ProcessGroup.create("test-oom", 64 << 20, 32)
    hog = "import os\nif os.fork() == 0:\n    b = bytearray(200 << 20)\n    os._exit(0)\nos.wait()"
    process = subprocess.Popen([sys.executable, "-c", f"import time; time.sleep(0.5)\n{hog}"])
    try:
        group.add(process.pid)
        process.wait(60)
        assert group.oom_killed()
    finally:
        group.kill()
        group.remove()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] not in ("Z", "X")
    except OSError:
        return False
