"""The code base stays ruff-clean (lint and format), notebooks included."""

import shutil
import subprocess
import sys

import pytest


def _ruff(*args, cwd):
    ruff = shutil.which("ruff") or str(__import__("pathlib").Path(sys.executable).with_name("ruff"))
    return subprocess.run([ruff, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "args", [("check", "."), ("format", "--check", "src", "tests", "course.py", "conftest.py")]
)
def test_ruff(repo_root, args):
    done = _ruff(*args, cwd=repo_root)
    assert done.returncode == 0, done.stdout + done.stderr
