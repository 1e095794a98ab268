"""A class's submissions folder, read defensively: every entry is graded or reported with a reason.

``SUBMISSIONS`` holds one folder per learner; the folder name is the learner's id.
Whatever else is in it (hidden folders, symbolic links, files, names that are not
valid UTF-8, the output folder itself) is listed as *not graded* with the reason,
never silently dropped and never a crash.

    learners, skipped = learner_folders(Path("submissions"), out=Path("graded"))
    learners[0].learner    # printable id, e.g. "caf\\xe9" for a Latin-1 folder name
    learners[0].file_stem  # safe, unique name for its feedback and results files
    skipped[0].reason      # e.g. "a symbolic link: copy the learner's folder itself"

Also here: :func:`csv_cell` (spreadsheet cells that cannot become formulas) and
:func:`check_options` (the command's numbers, validated before anything runs).
"""

from __future__ import annotations

import hashlib
import math
import os
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "MIN_MEMORY_MB",
    "MIN_TIMEOUT",
    "Learner",
    "NotGraded",
    "check_options",
    "check_out_folder",
    "csv_cell",
    "learner_folders",
    "printable_name",
]

MIN_TIMEOUT = 5.0  # seconds: below this, correct notebooks time out on a busy machine
MAX_TIMEOUT = 24 * 3600.0
MIN_MEMORY_MB = 256  # TensorFlow's own working memory for the checks' inputs
MAX_JOBS = 64
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


@dataclass(frozen=True)
class Learner:
    """One learner's folder: ``learner`` is the id shown in the sheet, ``file_stem`` names its files."""

    learner: str
    path: Path
    file_stem: str


@dataclass(frozen=True)
class NotGraded:
    """An entry of SUBMISSIONS that is not graded, and why."""

    name: str
    reason: str


def printable_name(name: str) -> str:
    r"""A folder name as text anyone can read: undecodable bytes as ``\xNN``, control characters escaped."""
    raw = os.fsencode(name)
    text = raw.decode("utf-8", errors="backslashreplace")
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def _file_stem(learner: str, taken: set[str]) -> str:
    """A file name for the learner's feedback: their id when safe, else a shortened id and a hash."""
    stem = learner.replace("/", "_").replace("\\", "_")
    if stem in (".", "..") or stem.startswith(".") or len(stem.encode("utf-8")) > 120:
        digest = hashlib.sha256(learner.encode("utf-8")).hexdigest()[:10]
        stem = f"{stem.lstrip('.')[:60]}-{digest}"
    base, n = stem, 2
    while stem.lower() in taken:  # distinct even on case-insensitive file systems
        stem, n = f"{base}-{n}", n + 1
    taken.add(stem.lower())
    return stem


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def learner_folders(submissions: Path, out: Path | None = None) -> tuple[list[Learner], list[NotGraded]]:
    """The learners' folders of ``submissions`` (sorted by id) and every other entry with its reason."""
    if not submissions.is_dir():
        raise NotADirectoryError(f"{submissions}: not a folder of learners' folders")
    learners: list[Learner] = []
    skipped: list[NotGraded] = []
    taken: set[str] = set()
    seen: set[str] = set()
    out_real = out.resolve() if out is not None else None
    with os.scandir(submissions) as scan:
        entries = sorted(scan, key=lambda e: os.fsencode(e.name))
    for entry in entries:
        name = printable_name(entry.name)
        path = Path(entry.path)
        try:
            if entry.is_symlink():
                skipped.append(
                    NotGraded(name, "a symbolic link (it could point anywhere): copy the folder itself")
                )
            elif not entry.is_dir(follow_symlinks=False):
                skipped.append(NotGraded(name, "a file, not a learner's folder"))
            elif out_real is not None and _is_within(out_real, path.resolve()):
                skipped.append(NotGraded(name, "the output folder (--out) itself"))
            elif entry.name.startswith("."):
                skipped.append(
                    NotGraded(name, "a hidden folder (its name starts with '.'); rename it to grade it")
                )
            elif name in seen:
                skipped.append(NotGraded(name, "another folder has the same name once made readable"))
            else:
                seen.add(name)
                learners.append(Learner(name, path, _file_stem(name, taken)))
        except OSError as exc:
            skipped.append(NotGraded(name, f"could not be read ({exc.strerror or exc})"))
    learners.sort(key=lambda learner: learner.learner)
    return learners, skipped


def csv_cell(value: object) -> object:
    """A value safe in a spreadsheet: text starting with = + - @ tab CR (or ') gets a leading '."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def check_options(timeout: float, memory_mb: int, jobs: int) -> None:
    """Raise ValueError with a readable message for option values that would grade nobody fairly."""
    if not (isinstance(timeout, int | float) and math.isfinite(timeout)) or not (
        MIN_TIMEOUT <= timeout <= MAX_TIMEOUT
    ):
        raise ValueError(
            f"--timeout {timeout}: give the seconds each step may take, between {MIN_TIMEOUT:g} and "
            f"{MAX_TIMEOUT:g} (correct notebooks need a few seconds per test on a busy machine)"
        )
    if not MIN_MEMORY_MB <= memory_mb <= 1 << 20:
        raise ValueError(
            f"--memory {memory_mb}: give the megabytes a notebook may use, at least {MIN_MEMORY_MB} "
            "(TensorFlow needs that much to run the tests)"
        )
    if not 1 <= jobs <= MAX_JOBS:
        raise ValueError(f"--jobs {jobs}: give how many notebooks to run at a time, 1 to {MAX_JOBS}")


def check_out_folder(submissions: Path, out: Path) -> None:
    """Refuse an OUT that would mix the grader's files with the learners' (it would invent learners)."""
    if out == submissions or submissions in out.parents:
        raise ValueError(
            f"--out {out}: the output folder must not be SUBMISSIONS or inside it (its files would be "
            "graded as learners); choose a folder next to it"
        )
    if out in submissions.parents:
        raise ValueError(f"--out {out}: SUBMISSIONS must not be inside the output folder")
