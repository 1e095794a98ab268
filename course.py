#!/usr/bin/env python3
"""Loss Lab's one entry point; needs only Python 3.11+ (standard library).

    python3 course.py lab      set up what is missing, open the course in JupyterLab at lesson 01
    python3 course.py test     set up what is missing (with test tools), run the whole test suite
    python3 course.py doctor   check the environment and say how to fix what is wrong
    python3 course.py setup    only set up (add --dev for the test tools)

Set-up means: a virtual environment in .venv/ with this course installed in it
(editable, so the notebooks always use the package in src/). It is redone only
when pyproject.toml changes or the environment is missing or broken.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".losslab-installed"
MIN_PYTHON = (3, 11)


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def wanted_stamp(dev: bool) -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    return f"{digest} dev={dev}"


def is_set_up(dev: bool) -> bool:
    if not venv_python().exists() or not STAMP.exists():
        return False
    stamp = STAMP.read_text().strip()
    # A dev install also serves learners; a learner install does not serve the tests.
    return stamp in {wanted_stamp(dev), wanted_stamp(True)}


def run(cmd: list[str]) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT)


def setup(dev: bool) -> None:
    if sys.version_info < MIN_PYTHON:
        sys.exit(
            f"Loss Lab needs Python {'.'.join(map(str, MIN_PYTHON))} or newer; this is "
            f"{sys.version.split()[0]}. Install a newer Python (or use the conda route in README.md)."
        )
    if is_set_up(dev):
        return
    if not venv_python().exists():
        print(f"Creating the course environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
    target = ".[dev]" if dev else "."
    print("Installing the course and its dependencies (about 1-2 minutes, 2 GB, the first time) ...")
    try:
        run([venv_python(), "-m", "pip", "install", "--disable-pip-version-check", "-e", target])
    except subprocess.CalledProcessError:
        sys.exit(
            "\nInstalling failed (see the pip messages above). Common causes: no network to the "
            "package index, or a Python version TensorFlow has no wheel for yet.\n"
            "Fix that and run the same command again; `python3 course.py doctor` explains more."
        )
    STAMP.write_text(wanted_stamp(dev) + "\n")


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("help", [])
    if command == "lab":
        setup(dev=False)
        return subprocess.call([venv_python(), "-m", "losslab.environment.launch", *rest], cwd=ROOT)
    if command == "test":
        setup(dev=True)
        return subprocess.call([venv_python(), "-m", "pytest", *rest], cwd=ROOT)
    if command == "doctor":
        if not venv_python().exists():
            print("No course environment yet (.venv/ is missing): run `python3 course.py lab`.")
            return 1
        return subprocess.call([venv_python(), "-m", "losslab.environment.doctor", *rest], cwd=ROOT)
    if command == "setup":
        setup(dev="--dev" in rest)
        return 0
    print(__doc__)
    return 0 if command in ("help", "-h", "--help") else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
