#!/usr/bin/env python3
"""Loss Lab's one entry point; needs only Python 3.11+ (standard library).

    python3 course.py lab      set up what is missing, open your workspace in JupyterLab at lesson 01
    python3 course.py update   bring the course up to date, keeping your own work
    python3 course.py test     set up what is missing (with test tools), run the whole test suite
    python3 course.py doctor   check the environment and say how to fix what is wrong
    python3 course.py setup    only set up (add --dev for the test tools)

Set-up means: a virtual environment in .venv/ with this course installed in it
(editable, so the notebooks always use the package in src/). It is redone only
when pyproject.toml changes or the environment is missing or broken.

Your work lives in workspace/ (not tracked by git): the first launch copies
notebooks/ and exercises/ there and JupyterLab opens it, so running and editing
notebooks never changes the course's own files and `update` can always pull.
`update` pulls the new course, then copies new lessons and exercises into the
workspace and refreshes the notebooks you have not changed. A notebook you did
change is never overwritten: when the course changed it too, the new version is
saved beside yours as NN_slug.new.ipynb.

    python3 course.py update --no-pull   only refresh workspace/ from this checkout
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".losslab-installed"
MIN_PYTHON = (3, 11)
WORKSPACE = ROOT / "workspace"
LAUNCH_MODULE = "losslab.environment.launch"
COURSE_FOLDERS = ("notebooks", "exercises")  # what a learner works in, copied into the workspace


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


# --- the learner's workspace -------------------------------------------------------------------


def fingerprint(path: Path) -> str:
    """What a learner can change in a file: for a notebook its cells' types and sources, else its bytes.

    Running a notebook changes only outputs and counters, so a notebook that was only
    run still matches the course version it was copied from and may be refreshed.
    """
    data = path.read_bytes()
    if path.suffix == ".ipynb":
        try:
            cells = json.loads(data)["cells"]
            data = json.dumps(
                [[c.get("cell_type"), "".join(c.get("source", ""))] for c in cells], sort_keys=True
            ).encode()
        except (ValueError, KeyError, TypeError, AttributeError):
            pass  # not a readable notebook: compare the bytes
    return hashlib.sha256(data).hexdigest()


def course_files(root: Path) -> list[str]:
    """The files the workspace mirrors, as POSIX paths relative to ``root`` (no hidden files)."""
    found = []
    for folder in COURSE_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            rel = path.relative_to(root)
            if path.is_file() and not any(part.startswith(".") for part in rel.parts):
                found.append(rel.as_posix())
    return found


def _free_name(path: Path, tag: str) -> Path:
    """``NN_slug.<tag>.ipynb`` beside ``path``, or ``NN_slug.<tag>-2.ipynb`` ... if that is taken."""
    candidate, n = path.with_name(f"{path.stem}.{tag}{path.suffix}"), 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}.{tag}-{n}{path.suffix}")
    return candidate


def _load_state(workspace: Path) -> dict[str, str]:
    """Per workspace file, the fingerprint of the course version it last received."""
    try:
        state = json.loads((workspace / ".course-versions.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _save_state(workspace: Path, state: dict[str, str]) -> None:
    workspace.mkdir(parents=True, exist_ok=True)
    ignore = workspace / ".gitignore"
    if not ignore.exists():  # git ignores the workspace whatever the course's own .gitignore says
        ignore.write_text("# Your work: never part of the course's git history.\n*\n", encoding="utf-8")
    text = json.dumps(state, indent=1, sort_keys=True) + "\n"
    (workspace / ".course-versions.json").write_text(text, encoding="utf-8")


def sync_workspace(root: Path, workspace: Path) -> dict[str, list]:
    """Bring ``workspace`` up to date with the course files in ``root``; never overwrite a learner's change.

    The workspace remembers, per file, the fingerprint of the course version it
    last received (``.course-versions.json``). For each course file:

    * not in the workspace: copied (``added``; ``restored`` if the learner had deleted it);
    * unchanged by the learner, changed in the course: replaced (``updated``);
    * changed by the learner, unchanged in the course: left alone;
    * changed on both sides (or a learner's own file of the same name): the learner's file
      stays, the course's version is saved beside it (``kept``: pairs of the learner's
      file and where the new version went).

    Returns those lists of workspace-relative paths. Files the course removed stay.
    """
    state = _load_state(workspace)
    report: dict[str, list] = {"added": [], "restored": [], "updated": [], "kept": []}
    for rel in course_files(root):
        source, mine, base = root / rel, workspace / rel, state.get(rel)
        upstream = fingerprint(source)
        if not mine.exists():
            mine.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, mine)
            report["added" if base is None else "restored"].append(rel)
        elif upstream != base:
            current = fingerprint(mine)
            if current == base:
                shutil.copyfile(source, mine)
                report["updated"].append(rel)
            elif current != upstream:
                new = _free_name(mine, "new")
                shutil.copyfile(source, new)
                report["kept"].append((rel, new.relative_to(workspace).as_posix()))
        state[rel] = upstream
    _save_state(workspace, state)
    return report


def print_report(report: dict[str, list], workspace: Path) -> None:
    labels = {
        "added": "new in your workspace",
        "restored": "restored (you had deleted it)",
        "updated": "updated (you had not changed it)",
    }
    for key, label in labels.items():
        for rel in report[key]:
            print(f"  {label}: {rel}")
    for rel, new in report["kept"]:
        print(f"  kept your version of {rel}; the course changed it too: the new version is {new}")
    if report["kept"]:
        print(f"  (all in {workspace}; compare the two and copy over what you want)")


def git(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=check)


def rescue_tracked_edits() -> None:
    """Move edits of tracked lessons/exercises (made before the workspace existed) into the workspace.

    Other changed tracked files would stop ``git pull``: stop with advice instead.
    """
    changed = [line[3:] for line in git("status", "--porcelain", "--untracked-files=no").stdout.splitlines()]
    others = [rel for rel in changed if rel.split("/")[0] not in COURSE_FOLDERS]
    if others:
        sys.exit(
            "These course files were changed in your copy, so the update cannot pull:\n  "
            + "\n  ".join(others)
            + "\nKeep a copy of anything you want, then undo the changes (`git stash` keeps them "
            "aside) and run `python3 course.py update` again. Work in workspace/ instead."
        )
    state = _load_state(WORKSPACE)
    for rel in changed:
        if not (ROOT / rel).exists():  # deleted in the course folder: nothing to keep
            git("checkout", "HEAD", "--", rel)
            continue
        mine = WORKSPACE / rel
        if mine.exists():
            mine = _free_name(mine, "from-course-folder")
        else:  # the learner's copy now stands for the version they started from
            state[rel] = fingerprint_of_commit(rel)
        mine.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / rel, mine)
        git("checkout", "HEAD", "--", rel)  # HEAD: also undoes a `git add`
        print(f"  your edits of {rel} are now in {mine.relative_to(ROOT).as_posix()}")
    if changed:
        _save_state(WORKSPACE, state)


def fingerprint_of_commit(rel: str) -> str:
    """The fingerprint of ``rel`` as the checked-out commit has it."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / Path(rel).name
        copy.write_bytes(
            subprocess.run(["git", "show", f"HEAD:{rel}"], cwd=ROOT, capture_output=True, check=True).stdout
        )
        return fingerprint(copy)


def update(rest: list[str]) -> int:
    """``python3 course.py update``: pull the course, then refresh the workspace (see the module doc)."""
    if "--no-pull" not in rest:
        if not (ROOT / ".git").exists() or shutil.which("git") is None:
            sys.exit(
                "`update` needs git and a git clone of the course (this folder has no .git).\n"
                "Download the course again, or clone it: git clone <course URL>"
            )
        rescue_tracked_edits()
        before = (ROOT / "course.py").read_bytes()
        print("Pulling the latest course ...", flush=True)
        pulled = git("pull", "--ff-only", check=False)
        if pulled.returncode != 0:
            sys.exit(
                f"git pull failed:\n{pulled.stdout}{pulled.stderr}\n"
                "Nothing in workspace/ was changed. If git says the branches diverged, you made commits "
                "in the course folder: `git log` shows them. Ask your instructor, or move your work to "
                "workspace/ and run `git reset --hard @{u}`."
            )
        print(pulled.stdout.strip())
        if (ROOT / "course.py").read_bytes() != before:  # the new course.py finishes the job
            return subprocess.call([sys.executable, str(ROOT / "course.py"), "update", "--no-pull"], cwd=ROOT)
    stamp = STAMP.read_text() if STAMP.exists() else ""
    setup(dev=stamp.strip().endswith("dev=True"))
    print(f"Refreshing your workspace ({WORKSPACE}) ...")
    report = sync_workspace(ROOT, WORKSPACE)
    print_report(report, WORKSPACE)
    if not any(report.values()):
        print("  nothing new: your workspace is up to date")
    return 0


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("help", [])
    if command == "lab":
        setup(dev=False)
        first = not WORKSPACE.exists()
        report = sync_workspace(ROOT, WORKSPACE)
        if first:
            print(f"Your workspace is {WORKSPACE}: your notebooks live there, the course files stay clean.")
        else:
            print_report(report, WORKSPACE)
        return subprocess.call([venv_python(), "-m", LAUNCH_MODULE, "--root", WORKSPACE, *rest], cwd=ROOT)
    if command == "update":
        return update(rest)
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
