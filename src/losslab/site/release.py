"""The learners' edition of the course: a git repository without answers, for nbgitpuller or a clone.

    losslab release --out DIR

builds, from the instructor's checkout, a folder that holds only what learners use:

* ``notebooks/`` (the lessons, executed, as committed) and ``exercises/``
  (generated afresh from ``solutions/``, so they are stubs whatever the state of
  the checkout);
* ``src/losslab/``, the package, with every check suite stripped to its
  self-checks (:mod:`losslab.exercises.suite_stripping`): no grading-only check, no input
  only those checks use;
* ``course.py``, ``pyproject.toml``, ``environment.yml``, ``binder/``,
  ``.gitignore`` and a learner's ``README.md`` (quick start and syllabus).

Nothing else goes in: no ``solutions/``, ``tests/`` (instructor tests and
fixture submissions), benchmarks, CI or deployment files. Only files tracked by
git are considered (nothing untracked or ignored leaks in).

``DIR`` is a git repository: the first build runs ``git init``, every build
commits the new state on branch ``main`` (no commit when nothing changed), so a
hub's nbgitpuller link to ``DIR`` (or to where it is pushed) brings learners
each update with the usual merge. Grading still uses the full suites of the
instructor's checkout (``losslab grade`` there).
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import shutil
import subprocess
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np

from losslab.exercises.generate import make_exercise
from losslab.exercises.nbtools import NotebookError, read_notebook, repo_root
from losslab.exercises.suite_stripping import StripError, strip_suite_package, strip_suite_source

__all__ = [
    "RELEASED_PATHS",
    "ReleaseError",
    "ReleaseSummary",
    "build_release",
    "learner_readme",
    "main",
    "verify_stripped_suite",
]

# What a learner gets from the instructor's checkout (git-tracked files under these paths).
RELEASED_PATHS = (
    "notebooks/",
    "src/",
    "binder/",
    "course.py",
    "pyproject.toml",
    "environment.yml",
    ".gitignore",
)
SUITES_DIR = "src/losslab/exercises/suites/"
SUITES = "losslab.exercises.suites"
MARKER = ".losslab-release.json"
BRANCH = "main"
_GIT_IDENTITY = ["-c", "user.name=Loss Lab release", "-c", "user.email=release@losslab.invalid"]


class ReleaseError(RuntimeError):
    """The release cannot be built; the message says why and what to do."""


@dataclass(frozen=True)
class ReleaseSummary:
    """What :func:`build_release` wrote.

    Attributes:
        out: the release folder (a git repository).
        files: paths written, relative to ``out``, sorted.
        size_bytes: total size of those files.
        commit: the release commit (HEAD of ``out``) after the build.
        committed: False when the build changed nothing (no new commit).
        stripped_checks: suite module -> number of grading-only checks removed.
    """

    out: Path
    files: list[str]
    size_bytes: int
    commit: str
    committed: bool
    stripped_checks: dict[str, int]


def _git(cwd: Path, *args: str, check: bool = True) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise ReleaseError(f"git {' '.join(args)} failed in {cwd}: {result.stderr.strip()}")
    return result.stdout


def _tracked_files(root: Path) -> list[str]:
    if shutil.which("git") is None:
        raise ReleaseError("git is not installed: the release is a git repository; install git")
    if _git(root, "rev-parse", "--is-inside-work-tree", check=False).strip() != "true":
        raise ReleaseError(f"{root} is not a git checkout: build the release from the course's repository")
    listed = _git(root, "ls-files", "-z").split("\0")
    return sorted(
        f
        for f in listed
        if f
        and any(f == p or (p.endswith("/") and f.startswith(p)) for p in RELEASED_PATHS)
        and (root / f).is_file()
    )


def learner_readme(instructor_readme: str) -> str:
    """The release's README: how to start, how the course works, and the syllabus table."""
    syllabus = re.search(r"^## Syllabus\n.*?(?=^## )", instructor_readme, flags=re.S | re.M)
    syllabus_text = syllabus.group(0).rstrip() + "\n" if syllabus else ""
    return f"""# Loss Lab

Which loss to use when a classifier outputs one label (multi-class) or several at once
(multi-label), how to write each loss from scratch in TensorFlow / Keras 3, how to prove it
right, and how to debug it when training goes wrong.

## Quick start

You need Python 3.11 or newer and, for the first set-up only, a network connection.

```bash
python3 course.py lab     # set up what is missing, open the course in JupyterLab at lesson 1
```

If something goes wrong, `python3 course.py doctor` says what and how to fix it.

## How the course works

```
notebooks/    the lessons, NN_slug.ipynb, to read and run in order
exercises/    one exercise per lesson, same NN_slug: your work goes here
src/losslab/  the helper package every notebook imports
```

1. Open a lesson in `notebooks/` and run it top to bottom (Shift + Enter). Read, move the
   sliders of the explorers, answer the **Think!** quizzes: each option gives feedback.
2. Open the exercise with the same number in `exercises/`. Write code where it says
   `# YOUR CODE HERE` and run the **check** cell below it: it tells you what is wrong and
   the likely mistake. Hints are folded in `<details>` blocks. Your instructor grades with
   more tests than the checks you see, so test the edge cases the exercise names yourself.

{syllabus_text}"""


def verify_stripped_suite(module_name: str, stripped_source: str) -> None:
    """Load a stripped suite beside the original; raise ReleaseError unless the self-checks are intact.

    The stripped module must have the same self-checks (target, name, points, in
    order) and, for every module-level array it keeps, the very same values
    (removing an input must not shift what a shared random generator draws).
    """
    original = importlib.import_module(f"losslab.exercises.suites.{module_name}")
    stripped = types.ModuleType(f"losslab_release_check_{module_name.replace('.', '_')}")
    stripped.__file__ = f"<stripped {module_name}>"
    exec(compile(stripped_source, stripped.__file__, "exec"), stripped.__dict__)  # our own source

    def signature(checks):
        return [(c.target, c.name, c.points) for c in checks if c.self_check]

    if hasattr(original, "CHECKS"):
        if any(not c.self_check for c in stripped.CHECKS):
            raise ReleaseError(f"suites/{module_name}: a grading-only check survived stripping")
        if signature(stripped.CHECKS) != signature(original.CHECKS):
            raise ReleaseError(f"suites/{module_name}: stripping changed the self-checks")
    for name, value in vars(stripped).items():
        if isinstance(value, np.ndarray):
            kept = getattr(original, name, None)
            if not (isinstance(kept, np.ndarray) and np.array_equal(kept, value, equal_nan=True)):
                raise ReleaseError(
                    f"suites/{module_name}.py: {name} differs after stripping (a removed input shifted "
                    "a shared random generator); give the grading-only inputs their own generator"
                )


def _module_of(rel: str) -> str:
    """``src/losslab/exercises/suites/a/b.py`` -> ``a.b``; ``.../a/__init__.py`` -> ``a``."""
    parts = Path(rel[len(SUITES_DIR) :]).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _strip_suites(files: dict[str, bytes]) -> dict[str, str]:
    """Every suite module stripped: single-module suites alone, suite packages as a whole."""
    out: dict[str, str] = {}
    packages: dict[str, dict[str, str]] = {}
    for rel, data in files.items():
        if not rel.endswith(".py") or rel == f"{SUITES_DIR}__init__.py":
            continue
        module = _module_of(rel)
        if "/" in rel[len(SUITES_DIR) :]:
            packages.setdefault(module.split(".")[0], {})[rel] = data.decode("utf-8")
        else:
            out[rel] = strip_suite_source(data.decode("utf-8"), rel)
    for package, members in packages.items():
        by_module = {f"{SUITES}.{_module_of(rel)}": text for rel, text in members.items()}
        result = strip_suite_package(by_module, f"{SUITES}.{package}")
        out.update({rel: result[f"{SUITES}.{_module_of(rel)}"] for rel in members})
    return out


def _prepare_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise ReleaseError(f"{out} is a file: give --out a folder (new, or an earlier release)")
    if out.is_dir() and any(out.iterdir()):
        if not (out / MARKER).is_file() or not (out / ".git").exists():
            raise ReleaseError(
                f"{out} is not empty and is not an earlier Loss Lab release: choose a new folder "
                f"(an earlier release holds {MARKER} and .git/)"
            )
        for child in out.iterdir():  # the new release replaces the old files; history stays
            if child.name == ".git":
                continue
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    out.mkdir(parents=True, exist_ok=True)


def build_release(out: str | Path, root: str | Path | None = None) -> ReleaseSummary:
    """Write the learners' release of the checkout ``root`` into ``out`` and commit it there."""
    root = Path(root) if root is not None else repo_root()
    out = Path(out).resolve()
    if out == root.resolve() or root.resolve() in out.parents:
        raise ReleaseError(f"--out {out} is inside the course checkout: choose a folder outside it")
    files = _tracked_files(root)
    if not any(f.startswith("notebooks/") for f in files):
        raise ReleaseError(f"no tracked lessons under {root / 'notebooks'}: is this the course checkout?")
    texts: dict[str, bytes] = {}
    stripped: dict[str, int] = {}
    for rel in files:
        texts[rel] = (root / rel).read_bytes()
    try:
        stripped_sources = _strip_suites({rel: texts[rel] for rel in files if rel.startswith(SUITES_DIR)})
    except StripError as exc:
        raise ReleaseError(f"cannot strip the check suites: {exc}") from None
    for rel, source in stripped_sources.items():
        verify_stripped_suite(_module_of(rel), source)
        texts[rel] = source.encode("utf-8")
    from losslab.exercises.registry import suite_for_exercise, suite_modules

    for exercise, name in suite_modules().items():
        stripped[name] = sum(not c.self_check for c in suite_for_exercise(exercise))
    for solution in sorted((root / "solutions").glob("*.ipynb")):
        try:
            exercise = make_exercise(read_notebook(solution), solution.name)
        except NotebookError as exc:
            raise ReleaseError(f"cannot make the exercise for {solution.name}: {exc}") from None
        text = nbformat.writes(exercise, version=4)
        texts[f"exercises/{solution.name}"] = (text if text.endswith("\n") else text + "\n").encode()
    texts["README.md"] = learner_readme((root / "README.md").read_text(encoding="utf-8")).encode()
    head = _git(root, "rev-parse", "HEAD", check=False).strip() or "unknown"
    dirty = bool(_git(root, "status", "--porcelain", "--untracked-files=no", check=False).strip())
    marker = {"source_commit": head, "source_had_uncommitted_changes": dirty, "suites_stripped": stripped}
    texts[MARKER] = (json.dumps(marker, indent=1, sort_keys=True) + "\n").encode()

    _prepare_out(out)
    for rel, data in texts.items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if (root / rel).is_file() and (root / rel).stat().st_mode & 0o111:
            target.chmod(0o755)
    if not (out / ".git").exists():
        _git(out, "init", "-q", "-b", BRANCH)
    _git(out, "add", "-A")
    committed = bool(_git(out, "status", "--porcelain").strip())
    if committed:
        message = f"Learner release of {head[:12]}{' (with uncommitted changes)' if dirty else ''}"
        _git(out, *_GIT_IDENTITY, "commit", "-q", "-m", message)
    commit = _git(out, "rev-parse", "HEAD").strip()
    return ReleaseSummary(
        out=out,
        files=sorted(texts),
        size_bytes=sum(len(d) for d in texts.values()),
        commit=commit,
        committed=committed,
        stripped_checks=stripped,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="losslab release", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="release folder (new, or an earlier release)")
    parser.add_argument("--root", type=Path, default=None, help="course checkout (default: this one)")
    args = parser.parse_args(argv)
    try:
        summary = build_release(args.out, args.root)
    except ReleaseError as exc:
        print(f"losslab release: {exc}", file=sys.stderr)
        return 2
    top: dict[str, int] = {}
    for rel in summary.files:
        top[rel.split("/")[0]] = top.get(rel.split("/")[0], 0) + 1
    for name, count in sorted(top.items()):
        print(f"  {name:<18} {count:>4} file(s)")
    removed = sum(summary.stripped_checks.values())
    print(
        f"{len(summary.files)} files, {summary.size_bytes / 1e6:.1f} MB; {removed} grading-only checks removed"
    )
    state = "committed" if summary.committed else "unchanged (no new commit)"
    print(f"{summary.out}: branch {BRANCH}, commit {summary.commit[:12]} {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
